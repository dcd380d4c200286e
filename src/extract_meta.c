/* extract_meta.c - the metadata of a web page: title, byline, site name,
 * language, lead image, description and date, from JSON-LD (schema.org
 * Article types), <meta> properties and names (OpenGraph, Dublin Core,
 * Twitter, Parse.ly), itemprop, <html lang> and <title>. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"
#include "feedkeep/ascii.h"
#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* --- a small JSON reader, for JSON-LD --------------------------------------- */

/* JSON-LD blocks larger than this are not read. */
#define JSON_MAX ((size_t)2 << 20)
/* Nesting deeper than this ends the block's reading (the value so far is
 * kept). */
#define JSON_DEPTH_MAX 32

enum json_type { J_NULL, J_STRING, J_OTHER, J_ARRAY, J_OBJECT };

struct json {
    enum json_type type;
    char *string;       /* J_STRING */
    struct json *items; /* J_ARRAY, J_OBJECT: the values */
    char **keys;        /* J_OBJECT: the names */
    size_t count;
};

struct json_reader {
    const char *s, *end;
};

static void json_release(struct json *v)
{
    for (size_t i = 0; i < v->count; i++) {
        json_release(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

static void json_space(struct json_reader *r)
{
    while (r->s < r->end && fk_is_space((unsigned char)*r->s))
        r->s++;
}

static unsigned json_hex4(const char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0xFFFD;
    }
    return v;
}

static void json_add_code_point(struct fk_buf *b, unsigned cp)
{
    char utf8[4];
    size_t n;
    if (cp < 0x80)
        utf8[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        utf8[0] = (char)(0xC0 | cp >> 6), utf8[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        utf8[0] = (char)(0xE0 | cp >> 12), utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        utf8[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        utf8[0] = (char)(0xF0 | cp >> 18), utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), utf8[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    fk_buf_add(b, utf8, n);
}

/* A string at r->s (after its opening quote); NULL when unterminated. */
static char *json_string(struct json_reader *r)
{
    struct fk_buf b = FK_BUF_INIT;
    fk_buf_adds(&b, "");
    while (r->s < r->end && *r->s != '"') {
        char c = *r->s++;
        if (c != '\\') {
            fk_buf_addc(&b, c);
            continue;
        }
        if (r->s >= r->end)
            break;
        c = *r->s++;
        const char *plain = strchr("\"\\/bfnrt", c);
        if (plain && c) {
            static const char out[] = "\"\\/\b\f\n\r\t";
            fk_buf_addc(&b, out[plain - "\"\\/bfnrt"]);
        } else if (c == 'u' && r->end - r->s >= 4) {
            unsigned cp = json_hex4(r->s);
            r->s += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && r->end - r->s >= 6 && r->s[0] == '\\' &&
                r->s[1] == 'u') {
                unsigned low = json_hex4(r->s + 2);
                if (low >= 0xDC00 && low < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    r->s += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            json_add_code_point(&b, cp);
        }
    }
    if (r->s >= r->end) {
        fk_buf_release(&b);
        return NULL;
    }
    r->s++;
    return fk_buf_detach(&b);
}

static bool json_value(struct json_reader *r, struct json *v, int depth);

static bool json_container(struct json_reader *r, struct json *v, int depth, bool object)
{
    char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? J_OBJECT : J_ARRAY;
    r->s++;
    for (;;) {
        json_space(r);
        if (r->s >= r->end)
            return false;
        if (*r->s == close) {
            r->s++;
            return true;
        }
        if (*r->s == ',') {
            r->s++;
            continue;
        }
        char *key = NULL;
        if (object) {
            if (*r->s != '"')
                return false;
            r->s++;
            if (!(key = json_string(r)))
                return false;
            json_space(r);
            if (r->s >= r->end || *r->s != ':') {
                free(key);
                return false;
            }
            r->s++;
        }
        if (v->count == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = fk_xrealloc(v->items, cap * sizeof *v->items);
            if (object)
                v->keys = fk_xrealloc(v->keys, cap * sizeof *v->keys);
        }
        struct json *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        if (object)
            v->keys[v->count] = key;
        v->count++;
        if (!json_value(r, item, depth + 1))
            return false;
    }
}

static bool json_value(struct json_reader *r, struct json *v, int depth)
{
    json_space(r);
    if (r->s >= r->end || depth > JSON_DEPTH_MAX)
        return false;
    if (*r->s == '{' || *r->s == '[')
        return json_container(r, v, depth, *r->s == '{');
    if (*r->s == '"') {
        r->s++;
        v->type = J_STRING;
        return (v->string = json_string(r)) != NULL;
    }
    v->type = strncmp(r->s, "null", (size_t)(r->end - r->s) < 4 ? 0 : 4) == 0 ? J_NULL : J_OTHER;
    const char *start = r->s;
    while (r->s < r->end && *r->s && !strchr(",]}", *r->s) && !fk_is_space((unsigned char)*r->s))
        r->s++;
    /* A value that is none ("[}", a NUL) ends the reading: else its
     * container would add empty values to itself without end. */
    return r->s > start;
}

static const struct json *json_get(const struct json *v, const char *key)
{
    if (!v || v->type != J_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

static const char *json_text(const struct json *v)
{
    return v && v->type == J_STRING && v->string[0] ? v->string : NULL;
}

/* schema.org types whose object is an article. */
static bool article_type_name(const char *t)
{
    static const char *const suffixes[] = {"Article", "Posting", "Report", "APIReference"};
    size_t n = strlen(t);
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        size_t m = strlen(suffixes[i]);
        if (n >= m && strcmp(t + n - m, suffixes[i]) == 0)
            return true;
    }
    return false;
}

static bool article_type(const struct json *v)
{
    const struct json *t = json_get(v, "@type");
    if (json_text(t))
        return article_type_name(t->string);
    if (t && t->type == J_ARRAY)
        for (size_t i = 0; i < t->count; i++)
            if (json_text(&t->items[i]) && article_type_name(t->items[i].string))
                return true;
    return false;
}

/* The first object of an article type in v: v itself, an item of an array,
 * or of @graph. */
static const struct json *json_article(const struct json *v, int depth)
{
    if (!v || depth > 3)
        return NULL;
    if (v->type == J_OBJECT && article_type(v))
        return v;
    const struct json *list = v->type == J_ARRAY ? v : json_get(v, "@graph");
    if (list && list->type == J_ARRAY)
        for (size_t i = 0; i < list->count; i++) {
            const struct json *a = json_article(&list->items[i], depth + 1);
            if (a)
                return a;
        }
    return NULL;
}

/* The names of a JSON-LD author value: a string, an object with a name,
 * or an array of those, joined by ", ". */
static char *json_names(const struct json *v)
{
    if (json_text(v))
        return ex_clean_line(v->string);
    if (v && v->type == J_OBJECT)
        return ex_clean_line(json_text(json_get(v, "name")));
    if (!v || v->type != J_ARRAY)
        return NULL;
    struct fk_buf b = FK_BUF_INIT;
    for (size_t i = 0; i < v->count; i++) {
        char *name = json_names(&v->items[i]);
        if (name) {
            if (b.len)
                fk_buf_adds(&b, ", ");
            fk_buf_adds(&b, name);
            free(name);
        }
    }
    return b.len ? fk_buf_detach(&b) : (fk_buf_release(&b), NULL);
}

/* A copy of s on one line: trimmed, line ends and tabs made spaces, other
 * spaces kept as they are (as titles are compared); NULL for NULL or blank
 * s. */
static char *trim_dup(const char *s)
{
    if (!s)
        return NULL;
    while (fk_is_space((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && fk_is_space((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return NULL;
    char *copy = fk_xstrndup(s, len);
    for (char *c = copy; *c; c++)
        if (fk_is_space((unsigned char)*c))
            *c = ' ';
    return copy;
}

/* What JSON-LD says of the article. */
struct ld {
    char *headline, *name, *byline, *published, *description, *site_name, *body;
};

static void ld_release(struct ld *ld)
{
    free(ld->headline);
    free(ld->name);
    free(ld->byline);
    free(ld->published);
    free(ld->description);
    free(ld->site_name);
    free(ld->body);
}

static void read_json_ld(const xmlNode *script, struct ld *ld)
{
    if (ld->headline || ld->name || ld->body)
        return; /* the first article found wins */
    struct fk_buf text = FK_BUF_INIT;
    fk_buf_init(&text, JSON_MAX);
    for (const xmlNode *c = script->children; c; c = c->next)
        if (c->content)
            fk_buf_adds(&text, (const char *)c->content);
    /* the block may be wrapped in <![CDATA[ ]]> or comments: the value
     * starts at the first bracket */
    const char *start = text.data ? text.data + strcspn(text.data, "{[") : NULL;
    struct json root = {0};
    struct json_reader r = {start, text.data ? text.data + text.len : NULL};
    if (text.data && json_value(&r, &root, 0)) {
        const struct json *a = json_article(&root, 0);
        if (a) {
            ld->headline = trim_dup(json_text(json_get(a, "headline")));
            ld->name = trim_dup(json_text(json_get(a, "name")));
            ld->byline = json_names(json_get(a, "author"));
            ld->published = ex_clean_line(json_text(json_get(a, "datePublished")));
            ld->description = ex_clean_line(json_text(json_get(a, "description")));
            ld->site_name = ex_clean_line(json_text(json_get(json_get(a, "publisher"), "name")));
            const char *body = json_text(json_get(a, "articleBody"));
            ld->body = body ? fk_xstrdup(body) : NULL;
        }
    }
    json_release(&root);
    fk_buf_release(&text);
}

/* --- <meta> ------------------------------------------------------------------ */

#define META_MAX 256

struct meta {
    char *keys[META_MAX];
    char *values[META_MAX];
    size_t count;
};

/* A key as it is looked up: lower case, no white space, "." as ":". */
static char *meta_key(const char *s, size_t len)
{
    char *k = fk_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (fk_is_space((unsigned char)c))
            continue;
        k[n++] = c == '.' ? ':' : fk_ascii_lower(c);
    }
    k[n] = '\0';
    return k;
}

static void meta_add(struct meta *m, char *key, const char *value)
{
    if (m->count == META_MAX || !key[0]) {
        free(key);
        return;
    }
    m->keys[m->count] = key;
    m->values[m->count++] = fk_xstrdup(value);
}

/* The value of the last <meta> with key, or NULL. */
static const char *meta_get(const struct meta *m, const char *key)
{
    for (size_t i = m->count; i-- > 0;)
        if (strcmp(m->keys[i], key) == 0 && m->values[i][0])
            return m->values[i];
    return NULL;
}

/* The first of keys a <meta> has, or NULL. */
static const char *meta_first(const struct meta *m, const char *const *keys)
{
    for (; *keys; keys++) {
        const char *v = meta_get(m, *keys);
        if (v)
            return v;
    }
    return NULL;
}

static void read_meta(const xmlNode *n, struct meta *m)
{
    const char *content = ex_attr(n, "content");
    if (!content)
        return;
    const char *property = ex_attr(n, "property");
    if (property) {
        /* property may hold several, split by spaces */
        const char *p = property;
        while (*p) {
            while (*p && fk_is_space((unsigned char)*p))
                p++;
            size_t len = 0;
            while (p[len] && !fk_is_space((unsigned char)p[len]))
                len++;
            if (len)
                meta_add(m, meta_key(p, len), content);
            p += len;
        }
    }
    const char *name = ex_attr(n, "name");
    if (name)
        meta_add(m, meta_key(name, strlen(name)), content);
    const char *itemprop = ex_attr(n, "itemprop");
    if (itemprop)
        meta_add(m, meta_key(itemprop, strlen(itemprop)), content);
}

/* --- the title --------------------------------------------------------------- */

static bool title_separator(const char *s)
{
    static const char *const seps[] = {"|", "-",        "\\",           "/",
                                       ">", "\xC2\xBB", "\xE2\x80\x93", "\xE2\x80\x94"};
    for (size_t i = 0; i < COUNT(seps); i++)
        if (strncmp(s, seps[i], strlen(seps[i])) == 0)
            return true;
    return false;
}

static size_t separator_len(const char *s)
{
    return (unsigned char)*s < 0x80 ? 1 : (unsigned char)*s < 0xE0 ? 2 : 3;
}

/* Whether a heading (h1 or h2) of the page has text equal to s. */
static bool heading_is(xmlNode *root, const char *s)
{
    bool found = false;
    for (xmlNode *n = root; n && !found; n = ex_next(n, root, true))
        if (ex_is(n, "h1") || ex_is(n, "h2")) {
            char *t = ex_text_dup(n);
            found = strcmp(t, s) == 0;
            free(t);
        }
    return found;
}

/* The <title> of the page without the site's name around it: the part
 * before the last " | " (or " - ", " / ", " » ", ...) unless that leaves
 * too few words, the part after a ": " unless that is too short, the only
 * <h1> when the title is far too long or short. */
static char *clean_title(xmlNode *root, const char *raw)
{
    char *orig = ex_clean_line(raw);
    if (!orig)
        return NULL;
    char *title = fk_xstrdup(orig);
    bool hierarchical = false;
    const char *last = NULL, *first = NULL;
    for (const char *p = orig; *p; p++)
        if (p > orig && p[-1] == ' ' && title_separator(p) && p[separator_len(p)] == ' ') {
            last = p;
            if (!first)
                first = p;
            hierarchical |= !strchr("|-", *p) && strncmp(p, "\xE2\x80", 2) != 0;
        }
    if (last) {
        free(title);
        title = fk_xstrndup(orig, (size_t)(last - 1 - orig));
        if (ex_words(title) < 3) {
            free(title);
            title = fk_xstrdup(first + separator_len(first) + 1);
        }
    } else if (strstr(orig, ": ")) {
        if (!heading_is(root, orig)) {
            const char *colon = strrchr(orig, ':');
            free(title);
            title = fk_xstrdup(colon + 1);
            if (ex_words(title) < 3) {
                free(title);
                title = fk_xstrdup(strchr(orig, ':') + 1);
            } else {
                char *before = fk_xstrndup(orig, (size_t)(strchr(orig, ':') - orig));
                if (ex_words(before) > 5) {
                    free(title);
                    title = fk_xstrdup(orig);
                }
                free(before);
            }
        }
    } else if (strlen(orig) > 150 || strlen(orig) < 15) {
        xmlNode *h1 = NULL;
        size_t count = 0;
        for (xmlNode *n = root; n; n = ex_next(n, root, true))
            if (ex_is(n, "h1") && count++ == 0)
                h1 = n;
        if (count == 1) {
            free(title);
            title = ex_text_dup(h1);
        }
    }
    char *clean = ex_clean_line(title);
    free(title);
    size_t words = clean ? ex_words(clean) : 0;
    if (words <= 4) {
        /* too short: keep the whole title, unless it lost exactly one
         * word with a hierarchical separator */
        size_t orig_words = 0;
        for (const char *p = orig; *p;) {
            while (*p && (fk_is_space((unsigned char)*p) || title_separator(p)))
                p += title_separator(p) ? separator_len(p) : 1;
            if (*p)
                orig_words++;
            while (*p && !fk_is_space((unsigned char)*p) && !title_separator(p))
                p++;
        }
        if (!hierarchical || words + 1 != orig_words) {
            free(clean);
            clean = fk_xstrdup(orig);
        }
    }
    free(orig);
    return clean;
}

/* --- all together ------------------------------------------------------------ */

static char *dup_first(const char *a, const char *b)
{
    return ex_clean_line(a ? a : b);
}

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

void ex_read_metadata(xmlDoc *doc, const char *url, struct fk_extract *out, char **article_body)
{
    static const char *const title_keys[] = {"dc:title",
                                             "dcterm:title",
                                             "og:title",
                                             "weibo:article:title",
                                             "weibo:webpage:title",
                                             "title",
                                             "twitter:title",
                                             "parsely-title",
                                             NULL};
    static const char *const byline_keys[] = {"dc:creator", "dcterm:creator", "author",
                                              "parsely-author", NULL};
    static const char *const excerpt_keys[] = {"dc:description",
                                               "dcterm:description",
                                               "og:description",
                                               "weibo:article:description",
                                               "weibo:webpage:description",
                                               "description",
                                               "twitter:description",
                                               NULL};
    static const char *const date_keys[] = {"article:published_time", "parsely-pub-date",
                                            "datepublished", "dc:date", NULL};
    static const char *const image_keys[] = {"og:image",
                                             "og:image:url",
                                             "og:image:secure_url",
                                             "twitter:image",
                                             "twitter:image:src",
                                             "image",
                                             NULL};
    xmlNode *root = xmlDocGetRootElement(doc);
    struct meta m = {0};
    struct ld ld = {0};
    char *doc_title = NULL;
    for (xmlNode *n = root; n; n = ex_next(n, root, true)) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (ex_is(n, "meta")) {
            read_meta(n, &m);
        } else if (ex_is(n, "title") && !doc_title) {
            doc_title = ex_text_dup(n);
        } else if (ex_is(n, "script")) {
            const char *type = ex_attr(n, "type");
            if (type && strstr(type, "ld+json"))
                read_json_ld(n, &ld);
        } else if (ex_attr(n, "itemprop") && strcmp(ex_attr(n, "itemprop"), "datePublished") == 0) {
            const char *when = ex_attr(n, "datetime");
            if (when)
                meta_add(&m, fk_xstrdup("datepublished"), when);
        }
    }

    /* the title: JSON-LD's (its name when that is the page's title and the
     * headline is not), else the metadata's, else the cleaned <title> */
    const char *ld_title = ld.headline ? ld.headline : ld.name;
    if (ld.headline && ld.name && doc_title && ex_similarity(doc_title, ld.name) > 0.75 &&
        ex_similarity(doc_title, ld.headline) <= 0.75)
        ld_title = ld.name;
    out->title = trim_dup(ld_title ? ld_title : meta_first(&m, title_keys));
    if (!out->title && doc_title)
        out->title = clean_title(root, doc_title);

    const char *byline = meta_first(&m, byline_keys);
    const char *article_author = meta_get(&m, "article:author");
    if (!byline && article_author && !is_url(article_author))
        byline = article_author;
    out->byline = dup_first(ld.byline, byline);
    out->excerpt = dup_first(ld.description, meta_first(&m, excerpt_keys));
    out->site_name = dup_first(ld.site_name, meta_get(&m, "og:site_name"));
    const char *published = ld.published ? ld.published : meta_first(&m, date_keys);
    out->published = published ? fk_date_parse(published) : FK_TIME_NONE;

    const char *lang = root ? ex_attr(root, "lang") : NULL;
    out->language = dup_first(lang, meta_get(&m, "og:locale"));
    const char *image = meta_first(&m, image_keys);
    if (image) {
        char *line = ex_clean_line(image);
        if (line) {
            /* resolved against the page, which need not be absolute */
            out->lead_image = url ? fk_url_resolve(url, line) : NULL;
            if (out->lead_image && !fk_url_is_absolute(out->lead_image)) {
                free(out->lead_image);
                out->lead_image = NULL;
            }
            if (!out->lead_image && fk_url_is_absolute(line))
                out->lead_image = fk_xstrdup(line);
            free(line);
        }
    }
    *article_body = ld.body;
    ld.body = NULL;

    ld_release(&ld);
    free(doc_title);
    for (size_t i = 0; i < m.count; i++) {
        free(m.keys[i]);
        free(m.values[i]);
    }
}
