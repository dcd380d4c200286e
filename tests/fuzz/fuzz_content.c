/* fuzz_content.c - libFuzzer harness: article HTML through the content
 * stage, to text, Markdown and code blocks, then the Markdown back to text
 * wrapped as `show --width` does, and the HTML as a title line.
 *
 * Input: two control bytes, then the HTML.
 *
 *   byte 0: bits 0-2 pick the base URL links resolve against (or none);
 *   byte 1: the width for fk_content_markdown_to_text (0: no wrapping).
 *
 * The HTML is passed with its length and no terminating NUL, as the
 * program never relies on one; libFuzzer (and driver.c) hold the input in
 * a buffer of its exact size, so ASan sees any read past its end.
 */
#include <stdbool.h>
#include <string.h>

#include "feedkeep/content.h"
#include "fuzz.h"

static const char *const bases[8] = {
    NULL,
    "https://example.com/blog/2024/post.html",
    "https://example.com",
    "http://user@h:8080/a/b/?q#f",
    "file:///srv/feeds/a.xml",
    "urn:example:feed",
    "relative/only",
    "",
};

/* Valid UTF-8 by RFC 3629: no overlong forms, surrogates, or code points
 * past U+10FFFF. */
static bool valid_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        unsigned c = *s;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        s += n + 1;
    }
    return true;
}

static bool ends_with_newline_or_empty(const char *s)
{
    size_t n = strlen(s);
    return n == 0 || s[n - 1] == '\n';
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static bool lower_case(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return false;
    return true;
}

/* One line: no line end or tab, no space at either end, none doubled. */
static bool one_line(const char *s)
{
    size_t n = strlen(s);
    if (n && (s[0] == ' ' || s[n - 1] == ' '))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t' || (s[i] == ' ' && s[i + 1] == ' '))
            return false;
    return true;
}

/* The article through the content stage, and its Markdown back to text as
 * `show` prints it from the archive. */
static void check_article(const char *html, size_t len, const char *base_url, int width)
{
    struct fk_content content = {0};
    struct fk_error err = {0};
    if (fk_content_from_html(html, len, base_url, &content, &err) < 0) {
        /* refused as hostile input: a message, and nothing in content */
        FUZZ_CHECK(err.kind == FK_ERROR_INPUT && err.message[0]);
        FUZZ_CHECK(!content.text && !content.markdown && !content.code_blocks);
        fk_content_release(&content);
        return;
    }
    FUZZ_CHECK(content.text && content.markdown);
    FUZZ_CHECK(valid_utf8(content.text));
    FUZZ_CHECK(valid_utf8(content.markdown));
    FUZZ_CHECK(ends_with_newline_or_empty(content.text));
    for (size_t i = 0; i < content.ncode_blocks; i++) {
        const struct fk_code_block *block = &content.code_blocks[i];
        FUZZ_CHECK(block->code && valid_utf8(block->code));
        FUZZ_CHECK(ends_with_newline_or_empty(block->code));
        FUZZ_CHECK(block->lines == count_lines(block->code));
        FUZZ_CHECK(!block->language ||
                   (valid_utf8(block->language) && lower_case(block->language)));
    }

    char *wrapped = fk_content_markdown_to_text(content.markdown, width);
    FUZZ_CHECK(wrapped != NULL);
    free(wrapped);
    fk_content_release(&content);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t len = size - 2;
    check_article((const char *)data + 2, len, bases[data[0] & 7], data[1]);

    /* Titles go through the one-line reduction. */
    char *title_html = fuzz_strndup(data + 2, len);
    char *line = fk_content_html_to_line(title_html);
    FUZZ_CHECK(line != NULL && one_line(line));
    free(line);
    free(title_html);
    return 0;
}
