/* devto.c - dev.to's API as a source: subscriptions, the calls' URLs, and
 * the author's Markdown made ready for an export. */
#include "feedkeep/devto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"

static const struct {
    enum fk_devto_kind kind;
    const char *prefix;
} kinds[] = {
    {FK_DEVTO_TAG, "tag/"},
    {FK_DEVTO_ORG, "org/"},
    {FK_DEVTO_USER, ""},
};

bool fk_devto_parse(const char *s, struct fk_devto_source *out)
{
    size_t scheme = strlen(FK_DEVTO_SCHEME);
    if (!s || !fk_ascii_equal_n(s, FK_DEVTO_SCHEME, scheme))
        return false;
    s += scheme;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t len = strlen(kinds[i].prefix);
        if (!fk_ascii_equal_n(s, kinds[i].prefix, len))
            continue;
        const char *name = s + len;
        size_t n = 0;
        for (; name[n]; n++) {
            char c = name[n];
            if (n == FK_DEVTO_NAME_MAX || !(fk_is_alnum(c) || c == '_' || c == '-'))
                return false;
            out->name[n] = fk_ascii_lower(c);
        }
        if (n == 0)
            return false;
        out->name[n] = '\0';
        out->kind = kinds[i].kind;
        return true;
    }
    return false;
}

static const char *prefix_of(enum fk_devto_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].prefix;
    return "";
}

char *fk_devto_subscription(const struct fk_devto_source *src)
{
    struct fk_buf out = FK_BUF_INIT;
    fk_buf_printf(&out, "%s%s%s", FK_DEVTO_SCHEME, prefix_of(src->kind), src->name);
    return fk_buf_detach(&out);
}

/* base without the slashes at its end, into out. */
static void add_base(struct fk_buf *out, const char *base)
{
    if (!base || !*base)
        base = FK_DEVTO_API_DEFAULT;
    size_t len = strlen(base);
    while (len && base[len - 1] == '/')
        len--;
    fk_buf_add(out, base, len);
}

char *fk_devto_list_url(const char *base, const struct fk_devto_source *src, int per_page, int page)
{
    struct fk_buf out = FK_BUF_INIT;
    add_base(&out, base);
    switch (src->kind) {
    case FK_DEVTO_USER:
        fk_buf_printf(&out, "/articles?username=%s&", src->name);
        break;
    case FK_DEVTO_TAG:
        fk_buf_printf(&out, "/articles?tag=%s&", src->name);
        break;
    case FK_DEVTO_ORG:
        fk_buf_printf(&out, "/organizations/%s/articles?", src->name);
        break;
    }
    fk_buf_printf(&out, "per_page=%d&page=%d", per_page, page);
    return fk_buf_detach(&out);
}

char *fk_devto_article_url(const char *base, int64_t id)
{
    struct fk_buf out = FK_BUF_INIT;
    add_base(&out, base);
    fk_buf_printf(&out, "/articles/%lld", (long long)id);
    return fk_buf_detach(&out);
}

/* ---- the author's Markdown ------------------------------------------------ */

/* Where the Liquid tags that embed something by an id point: the id
 * between before and after. */
static const struct {
    const char *name;
    const char *before, *after;
} embeds[] = {
    {"youtube", "https://www.youtube.com/watch?v=", ""},
    {"vimeo", "https://vimeo.com/", ""},
    {"twitter", "https://twitter.com/i/status/", ""},
    {"tweet", "https://twitter.com/i/status/", ""},
    {"instagram", "https://www.instagram.com/p/", "/"},
    {"github", "https://github.com/", ""},
    {"codesandbox", "https://codesandbox.io/s/", ""},
    {"user", "https://dev.to/", ""},
    {"organization", "https://dev.to/", ""},
    {"tag", "https://dev.to/t/", ""},
};

static bool starts_url(const char *s, size_t len)
{
    return (len > 7 && fk_ascii_equal_n(s, "http://", 7)) ||
           (len > 8 && fk_ascii_equal_n(s, "https://", 8));
}

/* An argument safe in a link: no white space, '<', '>' or backslash. */
static bool plain_argument(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '<' || c == '>' || c == '\\' || c == 0x7F)
            return false;
    }
    return len > 0;
}

/* The tag between "{%" and "%}" (inner, len bytes) as Markdown. */
static void liquid_tag(struct fk_buf *out, const char *inner, size_t len)
{
    while (len && fk_is_space(*inner))
        inner++, len--;
    while (len && fk_is_space(inner[len - 1]))
        len--;
    size_t name_len = 0;
    while (name_len < len && !fk_is_space(inner[name_len]))
        name_len++;
    const char *arg = inner + name_len;
    size_t arg_len = len - name_len;
    while (arg_len && fk_is_space(*arg))
        arg++, arg_len--;
    /* the first word of the arguments: the URL or the id */
    size_t word = 0;
    while (word < arg_len && !fk_is_space(arg[word]))
        word++;
    if (name_len == 7 && fk_ascii_equal_n(inner, "details", 7) && arg_len) {
        fk_buf_adds(out, "**");
        fk_buf_add(out, arg, arg_len);
        fk_buf_adds(out, "**");
        return;
    }
    if (!plain_argument(arg, word))
        return; /* {% raw %}, {% enddetails %}...: nothing to link */
    if (starts_url(arg, word)) {
        fk_buf_addc(out, '<');
        fk_buf_add(out, arg, word);
        fk_buf_addc(out, '>');
        return;
    }
    for (size_t i = 0; i < sizeof embeds / sizeof embeds[0]; i++) {
        if (strlen(embeds[i].name) == name_len &&
            fk_ascii_equal_n(inner, embeds[i].name, name_len)) {
            fk_buf_addc(out, '<');
            fk_buf_adds(out, embeds[i].before);
            fk_buf_add(out, arg, word);
            fk_buf_adds(out, embeds[i].after);
            fk_buf_addc(out, '>');
            return;
        }
    }
}

/* One line outside fenced code: Liquid tags outside code spans made
 * Markdown. */
static void add_line(struct fk_buf *out, const char *s, size_t len)
{
    size_t i = 0, start = 0;
    while (i < len) {
        if (s[i] == '`') {
            /* a code span: to the same run of backticks, else the line's end */
            size_t run = 0;
            while (i + run < len && s[i + run] == '`')
                run++;
            size_t j = i + run;
            while (j < len) {
                size_t r = 0;
                while (j + r < len && s[j + r] == '`')
                    r++;
                if (r == run) {
                    j += r;
                    break;
                }
                j += r ? r : 1;
            }
            i = j;
            continue;
        }
        if (s[i] == '{' && i + 1 < len && s[i + 1] == '%') {
            const char *end = NULL;
            for (size_t j = i + 2; j + 1 < len; j++) {
                if (s[j] == '%' && s[j + 1] == '}') {
                    end = s + j;
                    break;
                }
            }
            if (end) {
                fk_buf_add(out, s + start, i - start);
                liquid_tag(out, s + i + 2, (size_t)(end - (s + i + 2)));
                i = start = (size_t)(end - s) + 2;
                continue;
            }
        }
        i++;
    }
    fk_buf_add(out, s + start, len - start);
}

/* The fence a line opens or closes: its character and length, 0 when
 * it is none (up to three spaces, then three or more ` or ~). */
static size_t fence_of(const char *s, size_t len, char *c)
{
    size_t i = 0;
    while (i < len && i < 3 && s[i] == ' ')
        i++;
    if (i >= len || (s[i] != '`' && s[i] != '~'))
        return 0;
    size_t n = 0;
    while (i + n < len && s[i + n] == s[i])
        n++;
    *c = s[i];
    return n >= 3 ? n : 0;
}

/* The length of the front matter at the start of s ("---" lines around
 * it, and the blank lines after), 0 when there is none. */
static size_t front_matter(const char *s)
{
    const char *p = s;
    while (*p == '\n' || *p == '\r')
        p++;
    if (strncmp(p, "---", 3) != 0 || (p[3] != '\n' && p[3] != '\r'))
        return 0;
    for (const char *line = strchr(p, '\n'); line; line = strchr(line + 1, '\n')) {
        const char *l = line + 1;
        if (strncmp(l, "---", 3) == 0 && (l[3] == '\n' || l[3] == '\r' || !l[3])) {
            const char *e = l + 3;
            while (*e == '\n' || *e == '\r')
                e++;
            return (size_t)(e - s);
        }
    }
    return 0;
}

char *fk_devto_markdown_export(const char *markdown)
{
    struct fk_buf out = FK_BUF_INIT;
    const char *s = markdown ? markdown + front_matter(markdown) : "";
    char fence = 0;
    size_t fence_len = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char c = 0;
        size_t n = fence_of(s, len, &c);
        if (fence_len) {
            fk_buf_add(&out, s, len);
            if (n >= fence_len && c == fence)
                fence_len = 0; /* a closing fence */
        } else if (n) {
            fk_buf_add(&out, s, len);
            fence = c;
            fence_len = n;
        } else {
            add_line(&out, s, len);
        }
        if (nl)
            fk_buf_addc(&out, '\n');
        s += len + (nl != NULL);
    }
    fk_buf_addc(&out, '\0');
    return fk_buf_detach(&out);
}
