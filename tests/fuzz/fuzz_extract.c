/* fuzz_extract.c - libFuzzer harness: a web page through the article
 * extractor, then its article through the content stage, as `feedkeep
 * extract` does.
 *
 * Input: one control byte, then the page.
 *
 *   byte 0: bits 0-2 pick the page's URL (or none).
 *
 * The page is passed with its length and no terminating NUL; libFuzzer
 * (and driver.c) hold the input in a buffer of its exact size, so ASan sees
 * any read past its end.
 */
#include <stdbool.h>
#include <string.h>

#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/extract.h"
#include "feedkeep/url.h"
#include "fuzz.h"

static const char *const urls[8] = {
    NULL,
    "https://example.com/blog/2024/post.html",
    "https://example.com",
    "http://user@h:8080/a/b/?q#f",
    "file:///srv/pages/a.html",
    "urn:example:page",
    "relative/only",
    "",
};

/* One line: no line end or tab, no space at either end. */
static bool one_line(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *url = urls[data[0] & 7];
    struct fk_extract page;
    struct fk_error err = {0};
    if (fk_extract_page((const char *)data + 1, size - 1, url, &page, &err) < 0) {
        /* refused (no HTML page): a message, and nothing in page */
        FUZZ_CHECK(err.kind == FK_ERROR_INPUT && err.message[0]);
        FUZZ_CHECK(!page.html && !page.title && !page.base_url);
        fk_extract_release(&page);
        return 0;
    }
    FUZZ_CHECK(page.html != NULL);
    const char *lines[] = {page.title, page.byline, page.site_name, page.language, page.excerpt};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        FUZZ_CHECK(!lines[i] || one_line(lines[i]));
    FUZZ_CHECK(!page.lead_image || fk_url_is_absolute(page.lead_image));
    FUZZ_CHECK(page.published == FK_TIME_NONE || page.published >= -62167219200LL);

    struct fk_content content = {0};
    if (fk_content_from_html(page.html, strlen(page.html), page.base_url, &content, &err) == 0)
        FUZZ_CHECK(content.text && content.markdown);
    fk_content_release(&content);
    fk_extract_release(&page);
    return 0;
}
