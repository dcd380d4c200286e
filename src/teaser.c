/* teaser.c - whether a feed item carries only the start of its article:
 * its words counted, its last characters read, and its links to its own
 * page looked at with a small scanner over the HTML (the anchors only; the
 * item's HTML has been through the feed parser, not through a tree).
 */
#include "feedkeep/teaser.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/url.h"

/* ---- words ---------------------------------------------------------------- */

/* The code point at *p (advancing it), or the byte for invalid UTF-8. */
static uint32_t next_char(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (c < 0x80 || extra == 0) {
        *p = s + 1;
        return c;
    }
    c &= 0x3F >> extra;
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + 1;
            return s[0];
        }
        c = c << 6 | (s[i] & 0x3F);
    }
    *p = s + extra + 1;
    return c;
}

/* Scripts written without spaces between words: each character counts. */
static bool is_cjk(uint32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
           (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF);
}

/* Letters and digits: ASCII ones, and every code point from U+00C0 on that
 * is not punctuation or a space we know of (good enough to count). */
static bool is_word_char(uint32_t c)
{
    if (c < 0x80)
        return fk_is_alpha((int)c) || fk_is_digit((int)c);
    if (c < 0xC0 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F))
        return false;
    return true;
}

size_t fk_teaser_words(const char *text)
{
    size_t words = 0;
    bool in_word = false;
    if (!text)
        return 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        uint32_t c = next_char(&p);
        if (is_cjk(c)) {
            words++;
            in_word = false;
        } else if (is_word_char(c)) {
            words += !in_word;
            in_word = true;
        } else {
            in_word = false;
        }
    }
    return words;
}

/* ---- ellipses ---------------------------------------------------------------- */

/* Whether s (len bytes) ends with suffix. */
static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool ends_in_ellipsis(const char *text)
{
    size_t len = strlen(text);
    /* Spaces, and the brackets around "[…]", "(...)" or "…]" */
    while (len && (fk_is_space((unsigned char)text[len - 1]) || text[len - 1] == ']' ||
                   text[len - 1] == ')'))
        len--;
    return ends_with(text, len, "...") || ends_with(text, len, "\xE2\x80\xA6");
}

/* ---- read-more links ------------------------------------------------------------ */

/* The phrases of a link to the rest of the article, lower case, compared
 * with the link's text lower-cased (ASCII) with what is not a letter at
 * either end trimmed. */
static const char *const more_phrases[] = {
    "read more",          "more",          "continue reading", "continue",
    "keep reading",       "read on",       "read the rest",    "read full article",
    "full article",       "read the full", "full story",       "read full story",
    "read full post",     "read the post", "read the article", "view full article",
    "weiterlesen",        "mehr",          "lire la suite",    "lire plus",
    "la suite",           "leer más",      "seguir leyendo",   "leia mais",
    "continua a leggere", "leggi tutto",   "lees verder",      "lees meer",
};

/* Whether the anchor text (tags and entities stripped) is a phrase of
 * more_phrases or starts with one ("Continue reading Title"), or has no
 * letters at all (an ellipsis, an arrow: "[…]", "→"). Punctuation and
 * arrows around it are left out. */
static bool is_more_phrase(const char *text)
{
    const char *start = NULL, *end = NULL;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        const unsigned char *at = p;
        if (is_word_char(next_char(&p))) {
            if (!start)
                start = (const char *)at;
            end = (const char *)p;
        }
    }
    if (!start)
        return *text != '\0';
    size_t len = (size_t)(end - start);
    for (size_t i = 0; i < sizeof more_phrases / sizeof more_phrases[0]; i++) {
        size_t n = strlen(more_phrases[i]);
        /* Short phrases ("more") only alone, longer ones also first. */
        if (len >= n && strncasecmp(start, more_phrases[i], n) == 0 &&
            (len == n || (n > 4 && start[n] == ' ')))
            return true;
    }
    return false;
}

/* The text of buf, "" when it is empty. */
static const char *buf_str(const struct fk_buf *buf)
{
    return buf->data ? buf->data : "";
}

/* url without its scheme, "www.", fragment and trailing slash, for
 * comparing: "example.com/post". */
static void comparable(const char *url, struct fk_buf *out)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    if (strncasecmp(p, "www.", 4) == 0)
        p += 4;
    size_t len = strcspn(p, "#");
    while (len && p[len - 1] == '/')
        len--;
    fk_buf_reset(out);
    fk_buf_add(out, p, len);
}

/* The value of attribute name in the tag from p to end (after "<a"), or
 * NULL; a new string. */
static char *attribute(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    while (p < end) {
        while (p < end && (fk_is_html_space((unsigned char)*p) || *p == '/'))
            p++;
        const char *key = p;
        while (p < end && !fk_is_html_space((unsigned char)*p) && *p != '=' && *p != '>')
            p++;
        size_t key_len = (size_t)(p - key);
        while (p < end && fk_is_html_space((unsigned char)*p))
            p++;
        const char *value = NULL;
        size_t value_len = 0;
        if (p < end && *p == '=') {
            p++;
            while (p < end && fk_is_html_space((unsigned char)*p))
                p++;
            char quote = p < end && (*p == '"' || *p == '\'') ? *p++ : 0;
            value = p;
            while (p < end && (quote ? *p != quote : !fk_is_html_space((unsigned char)*p)))
                p++;
            value_len = (size_t)(p - value);
            if (quote && p < end)
                p++;
        } else if (key_len == 0) {
            p++;
        }
        if (value && key_len == n && strncasecmp(key, name, n) == 0) {
            struct fk_buf buf = FK_BUF_INIT;
            /* The one entity an URL commonly holds. */
            for (size_t i = 0; i < value_len; i++) {
                if (strncmp(value + i, "&amp;", 5) == 0 && i + 5 <= value_len) {
                    fk_buf_addc(&buf, '&');
                    i += 4;
                } else {
                    fk_buf_addc(&buf, value[i]);
                }
            }
            return fk_buf_detach(&buf);
        }
    }
    return NULL;
}

/* The text of an anchor (from p to end): tags dropped, the entities a
 * "read more" link uses decoded, spaces folded. */
static void anchor_text(const char *p, const char *end, struct fk_buf *out)
{
    static const struct {
        const char *entity, *text;
    } entities[] = {
        {"&hellip;", "\xE2\x80\xA6"},
        {"&#8230;", "\xE2\x80\xA6"},
        {"&nbsp;", " "},
        {"&#160;", " "},
        {"&raquo;", "\xC2\xBB"},
        {"&rarr;", "\xE2\x86\x92"},
        {"&amp;", "&"},
        {"&eacute;", "\xC3\xA9"},
        {"&aacute;", "\xC3\xA1"},
    };
    fk_buf_reset(out);
    bool space = false;
    while (p < end) {
        if (*p == '<') {
            const char *close = memchr(p, '>', (size_t)(end - p));
            p = close ? close + 1 : end;
            continue;
        }
        size_t i, nentities = sizeof entities / sizeof entities[0];
        for (i = 0; *p == '&' && i < nentities; i++) {
            size_t n = strlen(entities[i].entity);
            if ((size_t)(end - p) >= n && strncasecmp(p, entities[i].entity, n) == 0)
                break;
        }
        const char *piece = p;
        size_t piece_len = 1;
        if (*p == '&' && i < nentities) {
            piece = entities[i].text;
            piece_len = strlen(piece);
            p += strlen(entities[i].entity);
        } else {
            p++;
        }
        if (piece_len == 1 && fk_is_space((unsigned char)*piece)) {
            space = out->len > 0;
            continue;
        }
        if (space)
            fk_buf_addc(out, ' ');
        space = false;
        fk_buf_add(out, piece, piece_len);
    }
}

/* The first "</a" (any case) from p, or NULL. */
static const char *anchor_end(const char *p)
{
    for (; (p = strchr(p, '<')); p++) {
        if (p[1] == '/' && (p[2] == 'a' || p[2] == 'A'))
            return p;
    }
    return NULL;
}

/* Whether html has a "read more" link to item_url. */
static bool links_to_rest(const char *html, const char *item_url)
{
    struct fk_buf own = FK_BUF_INIT, target = FK_BUF_INIT, text = FK_BUF_INIT;
    bool found = false;
    comparable(item_url, &own);
    for (const char *p = html; !found && (p = strchr(p, '<'));) {
        p++;
        if (!((p[0] == 'a' || p[0] == 'A') && fk_is_html_space((unsigned char)p[1]))) {
            continue;
        }
        const char *tag_end = strchr(p, '>');
        if (!tag_end)
            break;
        char *href = attribute(p + 1, tag_end, "href");
        const char *close = anchor_end(tag_end);
        const char *content_end = close ? close : tag_end + 1 + strlen(tag_end + 1);
        if (href) {
            char *absolute = fk_url_resolve(item_url, href);
            comparable(absolute ? absolute : href, &target);
            free(absolute);
            if (strcmp(buf_str(&target), buf_str(&own)) == 0) {
                anchor_text(tag_end + 1, content_end, &text);
                found = is_more_phrase(buf_str(&text));
            }
            free(href);
        }
        p = content_end;
    }
    fk_buf_release(&own);
    fk_buf_release(&target);
    fk_buf_release(&text);
    return found;
}

bool fk_teaser_is(const char *html, const char *text, const char *item_url)
{
    if (fk_teaser_words(text) < FK_TEASER_WORDS)
        return true;
    if (!text)
        return true;
    if (ends_in_ellipsis(text) || strstr(text, "[\xE2\x80\xA6]") || strstr(text, "[...]"))
        return true;
    return html && item_url && *item_url && links_to_rest(html, item_url);
}

bool fk_teaser_url_host(const char *url, char *host, size_t size)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p || size == 0)
        return false;
    p += 3;
    size_t authority = strcspn(p, "/?#");
    const char *at = memchr(p, '@', authority);
    if (at) {
        authority -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t len;
    if (*p == '[') {
        p++;
        authority--;
        len = strcspn(p, "]%");
    } else {
        len = strcspn(p, ":/?#");
    }
    if (len > authority || len >= size)
        return false;
    memcpy(host, p, len);
    while (len && host[len - 1] == '.')
        len--;
    host[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        if (host[i] >= 'A' && host[i] <= 'Z')
            host[i] = (char)(host[i] - 'A' + 'a');
    }
    return len > 0;
}

/* Whether host is one of names or a subdomain of one. */
static bool host_in(const char *host, const char *const *names, size_t count)
{
    size_t len = strlen(host);
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(names[i]);
        if (len >= n && strcmp(host + len - n, names[i]) == 0 &&
            (len == n || host[len - n - 1] == '.'))
            return true;
    }
    return false;
}

/* Sites whose feeds carry whole articles. */
static const char *const whole_sites[] = {"dev.to"};

bool fk_teaser_whole_site(const char *url)
{
    char host[256];
    return fk_teaser_url_host(url, host, sizeof host) &&
           host_in(host, whole_sites, sizeof whole_sites / sizeof whole_sites[0]);
}

/* The names reserved for examples and tests (RFC 2606, RFC 6761). */
static const char *const reserved_names[] = {
    "example", "example.com", "example.net", "example.org", "test", "invalid",
};

bool fk_teaser_reserved_host(const char *url)
{
    char host[256];
    return fk_teaser_url_host(url, host, sizeof host) &&
           host_in(host, reserved_names, sizeof reserved_names / sizeof reserved_names[0]);
}
