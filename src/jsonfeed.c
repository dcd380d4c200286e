/* jsonfeed.c - JSON Feed 1.0 and 1.1 (jsonfeed.org) to the items of feed.h,
 * read with yajl's streaming parser a chunk at a time.
 *
 * yajl builds no tree: it calls back for each key and value, so an item is
 * delivered when its closing brace is read and memory does not grow with
 * the document. A stack of the open containers says what each value is
 * (the root object, the items array, an item, its authors, tags or
 * attachments); anything else is skipped, whatever its size.
 *
 * The hostile rules are those of the XML reader: every field is cut at
 * FK_FEED_FIELD_MAX (the item delivered with a warning), and a string
 * longer than that is closed before yajl sees the rest of it, since yajl
 * holds a whole string in memory; a number or literal longer than
 * TOKEN_MAX, nesting deeper than DEPTH_MAX and invalid JSON end the
 * document there (the items read before are delivered, well_formed
 * false). Strings are not validated by yajl: invalid UTF-8 is repaired to
 * U+FFFD here (a recovered error), and NUL characters (\u0000) are
 * dropped. A repeated key: the later value wins for a single value;
 * the members of lists (tags, attachments, authors) add up.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/feed.h"
#include "feedkeep/url.h"
#include "feedkeep/utf8.h"
#include "feed_int.h"

/* Open containers, the root object included; deeper is an error. */
#define DEPTH_MAX 64
/* A number or a literal longer than this is no real feed's. */
#define TOKEN_MAX 1024
/* A string is closed for yajl this far into it (raw bytes): a little
 * more than a field keeps, so that the field is still cut (and says so)
 * at a character boundary. */
#define STRING_CUT (FK_FEED_FIELD_MAX + 64)

#define VERSION_10 "https://jsonfeed.org/version/1"
#define VERSION_11 "https://jsonfeed.org/version/1.1"

enum role {
    R_SKIP,        /* a container whose values are not read */
    R_ROOT,        /* the feed object */
    R_ITEMS,       /* its items array */
    R_ITEM,        /* an item */
    R_AUTHOR,      /* an item's author (1.0) or a member of authors (1.1) */
    R_AUTHORS,     /* an item's authors array */
    R_TAGS,        /* an item's tags array */
    R_ATTACHMENTS, /* an item's attachments array */
    R_ATTACHMENT,  /* one attachment */
    R_LIST,        /* a Forem API article list (the root array) */
    R_ARTICLE,     /* one article of it */
    R_USER,        /* an article's user */
    R_ORG,         /* an article's organization */
};

enum key {
    K_OTHER,
    K_VERSION,
    K_TITLE,
    K_HOME_PAGE_URL,
    K_FEED_URL,
    K_DESCRIPTION,
    K_ICON,
    K_FAVICON,
    K_LANGUAGE,
    K_ITEMS,
    K_ID,
    K_URL,
    K_EXTERNAL_URL,
    K_CONTENT_HTML,
    K_CONTENT_TEXT,
    K_SUMMARY,
    K_IMAGE,
    K_BANNER_IMAGE,
    K_DATE_PUBLISHED,
    K_DATE_MODIFIED,
    K_AUTHOR,
    K_AUTHORS,
    K_TAGS,
    K_ATTACHMENTS,
    K_NAME,
    K_MIME_TYPE,
    K_SIZE_IN_BYTES,
    K_TYPE_OF,
    K_BODY_HTML,
    K_BODY_MARKDOWN,
    K_PUBLISHED_AT,
    K_EDITED_AT,
    K_CANONICAL_URL,
    K_COVER_IMAGE,
    K_TAG_LIST,
    K_COLLECTION_ID,
    K_READING_TIME,
    K_REACTIONS,
    K_COMMENTS,
    K_USER,
    K_ORGANIZATION,
};

static const char *const key_names[] = {
    [K_VERSION] = "version",
    [K_TITLE] = "title",
    [K_HOME_PAGE_URL] = "home_page_url",
    [K_FEED_URL] = "feed_url",
    [K_DESCRIPTION] = "description",
    [K_ICON] = "icon",
    [K_FAVICON] = "favicon",
    [K_LANGUAGE] = "language",
    [K_ITEMS] = "items",
    [K_ID] = "id",
    [K_URL] = "url",
    [K_EXTERNAL_URL] = "external_url",
    [K_CONTENT_HTML] = "content_html",
    [K_CONTENT_TEXT] = "content_text",
    [K_SUMMARY] = "summary",
    [K_IMAGE] = "image",
    [K_BANNER_IMAGE] = "banner_image",
    [K_DATE_PUBLISHED] = "date_published",
    [K_DATE_MODIFIED] = "date_modified",
    [K_AUTHOR] = "author",
    [K_AUTHORS] = "authors",
    [K_TAGS] = "tags",
    [K_ATTACHMENTS] = "attachments",
    [K_NAME] = "name",
    [K_MIME_TYPE] = "mime_type",
    [K_SIZE_IN_BYTES] = "size_in_bytes",
    [K_TYPE_OF] = "type_of",
    [K_BODY_HTML] = "body_html",
    [K_BODY_MARKDOWN] = "body_markdown",
    [K_PUBLISHED_AT] = "published_at",
    [K_EDITED_AT] = "edited_at",
    [K_CANONICAL_URL] = "canonical_url",
    [K_COVER_IMAGE] = "cover_image",
    [K_TAG_LIST] = "tag_list",
    [K_COLLECTION_ID] = "collection_id",
    [K_READING_TIME] = "reading_time_minutes",
    [K_REACTIONS] = "public_reactions_count",
    [K_COMMENTS] = "comments_count",
    [K_USER] = "user",
    [K_ORGANIZATION] = "organization",
};

struct level {
    enum role role;
    enum key key; /* of the value being read, in an object */
};

struct item_state {
    struct fk_item item;
    char *id, *url, *external_url, *title, *content_html, *content_text, *summary;
    char *image, *banner_image, *published, *modified, *author;
    struct fk_buf authors; /* the names of the authors array, joined */
    size_t tags_cap, enclosures_cap;
    /* the attachment being read */
    char *att_url, *att_type;
    int64_t att_length;
    char *person; /* the name of the author being read */
    /* a Forem article's own */
    char *tag_text; /* tags as one string ("a, b") */
    bool article;   /* "type_of": "article", or a body */
    char warning[80];
};

struct parser {
    const struct fk_parse_options *opts;
    const struct fk_feed_handler *handler;
    struct fk_feed_info info;
    yajl_handle yajl;
    struct level stack[DEPTH_MAX];
    int depth;
    bool in_item, saw_items, saw_version, announced;
    bool forem;     /* a Forem API document: a list, or one article */
    size_t listed;  /* objects of a Forem list */
    bool cancelled; /* by the handler */
    bool stopped;   /* no more of the document is read */
    bool string_cut;
    struct item_state it;
    /* the guard over what yajl is given */
    bool in_string, skipping;
    int escape; /* -1 after a backslash, n: hex digits of \u left */
    size_t string_len, token_len;
    size_t line; /* line feeds given to yajl so far */
};

/* ---- values ---------------------------------------------------------------------------- */

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *e = s + len; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++)
        n++;
    return n;
}

static void first_error(struct parser *p, size_t line, const char *msg)
{
    p->info.well_formed = false;
    if (p->info.error)
        return;
    size_t size = strlen(msg) + 32;
    p->info.error = fk_xmalloc(size);
    snprintf(p->info.error, size, "line %zu: %s", line + 1, msg);
}

static void item_cut(struct parser *p, enum key key)
{
    if (!p->in_item || p->it.warning[0])
        return;
    const char *name = key == K_CONTENT_HTML || key == K_CONTENT_TEXT ? "content"
                       : key_names[key]                               ? key_names[key]
                                                                      : "field";
    snprintf(p->it.warning, sizeof p->it.warning, "%s longer than %zu MiB: truncated", name,
             FK_FEED_FIELD_MAX >> 20);
    p->it.item.warning = p->it.warning;
}

/* A string value as text: invalid UTF-8 repaired, NUL dropped, cut at
 * FK_FEED_FIELD_MAX on a character boundary. */
static char *text_value(struct parser *p, enum key key, const unsigned char *s, size_t len)
{
    struct fk_buf out;
    fk_buf_init(&out, 0);
    bool repaired = false, cut = p->string_cut;
    p->string_cut = false;
    const char *c = (const char *)s;
    if (cut && len > 0) {
        /* a character the cut went through is dropped, not repaired */
        size_t last = fk_utf8_boundary(c, len - 1);
        uint32_t cp;
        if (fk_utf8_decode(c + last, len - last, &cp) == 0)
            len = last;
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = fk_utf8_decode(c + i, len - i, &cp);
        if (n == 0) {
            repaired = true;
            n = 1;
            if (out.len + 3 > FK_FEED_FIELD_MAX) {
                cut = true;
                break;
            }
            fk_buf_add(&out, "\xEF\xBF\xBD", 3);
        } else if (cp != 0) {
            if (out.len + n > FK_FEED_FIELD_MAX) {
                cut = true;
                break;
            }
            fk_buf_add(&out, c + i, n);
        }
        i += n;
    }
    if (repaired)
        first_error(p, p->line, "invalid UTF-8 repaired");
    if (cut)
        item_cut(p, key);
    fk_buf_addc(&out, '\0');
    return fk_buf_detach(&out);
}

static void replace(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

/* A trimmed copy of s, or NULL when blank or NULL; s is freed. */
static char *trim(char *s)
{
    if (!s)
        return NULL;
    size_t a = 0, b = strlen(s);
    while (a < b && strchr(" \t\r\n", s[a]))
        a++;
    while (b > a && strchr(" \t\r\n", s[b - 1]))
        b--;
    char *t = b > a ? fk_xstrndup(s + a, b - a) : NULL;
    free(s);
    return t;
}

static char *url_value(const struct parser *p, char *ref)
{
    ref = trim(ref);
    if (!ref)
        return NULL;
    char *url = fk_url_resolve(p->opts ? p->opts->base_url : NULL, ref);
    free(ref);
    return url;
}

/* s escaped for HTML text and attribute values. */
static void add_escaped(struct fk_buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = s[i] == '&'   ? "&amp;"
                          : s[i] == '<' ? "&lt;"
                          : s[i] == '>' ? "&gt;"
                          : s[i] == '"' ? "&quot;"
                                        : NULL;
        if (!rep)
            continue;
        fk_buf_add(out, s + start, i - start);
        fk_buf_adds(out, rep);
        start = i + 1;
    }
    fk_buf_add(out, s + start, len - start);
}

static char *escaped(const char *s)
{
    if (!s)
        return NULL;
    struct fk_buf out;
    fk_buf_init(&out, 0);
    add_escaped(&out, s, strlen(s));
    fk_buf_addc(&out, '\0');
    return fk_buf_detach(&out);
}

/* Plain text as HTML: paragraphs at blank lines, <br> at other line
 * breaks, everything escaped. */
static char *text_paragraphs(const char *text)
{
    struct fk_buf out;
    fk_buf_init(&out, 0);
    const char *s = text;
    while (*s) {
        while (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
            s++; /* blank lines between paragraphs */
        if (!*s)
            break;
        const char *e = s;
        /* the paragraph ends at a line that is blank */
        for (;;) {
            const char *nl = strchr(e, '\n');
            if (!nl) {
                e += strlen(e);
                break;
            }
            const char *next = nl + 1;
            while (*next == ' ' || *next == '\t' || *next == '\r')
                next++;
            if (*next == '\n' || !*next) {
                e = nl;
                break;
            }
            e = nl + 1;
        }
        size_t len = (size_t)(e - s);
        while (len && strchr(" \t\r\n", s[len - 1]))
            len--;
        fk_buf_adds(&out, "<p>");
        for (size_t i = 0; i < len;) {
            const char *nl = memchr(s + i, '\n', len - i);
            size_t n = nl ? (size_t)(nl - (s + i)) : len - i;
            size_t m = n;
            while (m && s[i + m - 1] == '\r')
                m--;
            add_escaped(&out, s + i, m);
            i += n;
            if (nl) {
                fk_buf_adds(&out, "<br>\n");
                i++;
            }
        }
        fk_buf_adds(&out, "</p>\n");
        s = e;
    }
    if (out.len)
        out.len--; /* the last line feed */
    fk_buf_addc(&out, '\0');
    char *html = fk_buf_detach(&out);
    if (!*html) {
        free(html);
        return NULL;
    }
    return html;
}

/* size_in_bytes: a whole number from 0 to INT64_MAX, else -1. */
static int64_t byte_count(const char *s, size_t len)
{
    if (len == 0)
        return -1;
    int64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1; /* negative, a fraction or an exponent */
        if (n > (INT64_MAX - (s[i] - '0')) / 10)
            return -1;
        n = n * 10 + (s[i] - '0');
    }
    return n;
}

/* ---- items ----------------------------------------------------------------------------- */

static void item_release(struct item_state *it)
{
    fk_feed_item_clear(&it->item);
    char **strings[] = {&it->id,           &it->url,          &it->external_url, &it->title,
                        &it->content_html, &it->content_text, &it->summary,      &it->image,
                        &it->banner_image, &it->published,    &it->modified,     &it->author,
                        &it->att_url,      &it->att_type,     &it->person,       &it->tag_text};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    fk_buf_release(&it->authors);
    memset(it, 0, sizeof *it);
}

static void announce(struct parser *p)
{
    if (p->announced)
        return;
    p->announced = true;
    if (p->handler && p->handler->on_feed && p->handler->on_feed(&p->info, p->handler->ctx)) {
        p->cancelled = true;
        p->stopped = true;
    }
}

static void item_start(struct parser *p)
{
    item_release(&p->it);
    p->in_item = true;
    fk_buf_init(&p->it.authors, 0);
    p->it.item.published = FK_TIME_NONE;
    p->it.item.updated = FK_TIME_NONE;
    p->it.item.api.edited = FK_TIME_NONE;
    p->it.item.api.reading_minutes = p->it.item.api.reactions = p->it.item.api.comments = -1;
}

/* The link of an item that has both url and external_url: the article's
 * page is url, and the page it is about (a link blog's) is kept as a link
 * at the end of the content. */
static void add_external_link(struct item_state *it)
{
    struct fk_item *item = &it->item;
    struct fk_buf out;
    fk_buf_init(&out, 0);
    if (item->content_html) {
        fk_buf_adds(&out, item->content_html);
        fk_buf_addc(&out, '\n');
    }
    fk_buf_adds(&out, "<p>Link: <a href=\"");
    add_escaped(&out, it->external_url, strlen(it->external_url));
    fk_buf_adds(&out, "\">");
    add_escaped(&out, it->external_url, strlen(it->external_url));
    fk_buf_adds(&out, "</a></p>");
    fk_buf_addc(&out, '\0');
    free(item->content_html);
    item->content_html = fk_buf_detach(&out);
}

/* Hand the item to the handler, and forget it. */
static void deliver(struct parser *p)
{
    struct fk_item *item = &p->it.item;
    announce(p);
    if (!p->stopped && p->handler && p->handler->on_item &&
        p->handler->on_item(item, p->handler->ctx)) {
        p->cancelled = true;
        p->stopped = true;
    }
    item_release(&p->it);
}

static void item_end(struct parser *p)
{
    struct item_state *it = &p->it;
    struct fk_item *item = &it->item;
    const char *base = p->opts ? p->opts->base_url : NULL;
    p->in_item = false;
    item->guid = trim(it->id);
    it->id = NULL;
    item->url = it->url            ? fk_xstrdup(it->url)
                : it->external_url ? fk_xstrdup(it->external_url)
                                   : NULL;
    item->title = it->title;
    it->title = NULL;
    if (it->content_html) {
        item->content_html = fk_feed_html_value(it->content_html, base);
        it->content_html = NULL;
    } else if (it->content_text) {
        item->content_html = text_paragraphs(it->content_text);
    }
    if (it->url && it->external_url && strcmp(it->url, it->external_url) != 0)
        add_external_link(it);
    item->summary_html = escaped(it->summary);
    if (it->authors.len) {
        fk_buf_addc(&it->authors, '\0');
        item->author = fk_buf_detach(&it->authors);
    } else if (it->author) {
        item->author = it->author;
        it->author = NULL;
    }
    fk_feed_add_enclosure(item, &it->enclosures_cap, it->image, NULL, -1, "thumbnail");
    fk_feed_add_enclosure(item, &it->enclosures_cap, it->banner_image, NULL, -1, "thumbnail");
    it->image = it->banner_image = NULL;
    item->published_raw = it->published;
    item->updated_raw = it->modified;
    it->published = it->modified = NULL;
    item->published = fk_date_parse(item->published_raw);
    item->updated = fk_date_parse(item->updated_raw);
    item->base_url = base;
    deliver(p);
}

/* ---- Forem API articles ------------------------------------------------------------------ */

/* A whole number that fits, else -1 (a Forem id, count or series). */
static int64_t whole_number(const unsigned char *s, size_t len)
{
    return byte_count((const char *)s, len);
}

/* The tags of a Forem article given as one string: "python, webdev". */
static void split_tags(struct item_state *it)
{
    for (char *s = it->tag_text; s && *s;) {
        char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        fk_feed_add_tag(&it->item, &it->tags_cap, trim(fk_xstrndup(s, len)));
        s += len + (comma != NULL);
    }
}

/* A scalar of an article (in a list, or the root object). */
static void article_scalar(struct parser *p, enum key key, const unsigned char *s, size_t len,
                           bool number)
{
    struct item_state *it = &p->it;
    struct fk_item_api *api = &it->item.api;
    if (number) {
        int64_t n = whole_number(s, len);
        if (key == K_ID && n > 0) {
            api->id = n;
            replace(&it->id, fk_xstrndup((const char *)s, len));
        } else if (key == K_COLLECTION_ID && n >= 0) {
            replace(&api->series, fk_xstrndup((const char *)s, len));
        } else if (n >= 0 && n <= LONG_MAX) {
            if (key == K_READING_TIME)
                api->reading_minutes = (long)n;
            else if (key == K_REACTIONS)
                api->reactions = (long)n;
            else if (key == K_COMMENTS)
                api->comments = (long)n;
        }
        return;
    }
    char *v = text_value(p, key, s, len);
    switch (key) {
    case K_TYPE_OF:
        it->article = it->article || strcmp(v, "article") == 0;
        break;
    case K_URL:
        replace(&it->url, url_value(p, v));
        return;
    case K_TITLE:
        replace(&it->title, trim(v));
        return;
    case K_DESCRIPTION:
        replace(&it->summary, v);
        return;
    case K_BODY_HTML:
        it->article = true;
        replace(&it->content_html, v);
        return;
    case K_BODY_MARKDOWN:
        replace(&api->markdown, v);
        return;
    case K_PUBLISHED_AT:
        replace(&it->published, trim(v));
        return;
    case K_EDITED_AT:
        replace(&it->modified, trim(v));
        return;
    case K_CANONICAL_URL:
        replace(&api->canonical_url, url_value(p, v));
        return;
    case K_COVER_IMAGE:
        replace(&it->image, url_value(p, v));
        return;
    case K_TAG_LIST:
    case K_TAGS:
        replace(&it->tag_text, v);
        return;
    default:
        break;
    }
    free(v);
}

/* The article read is an item: its URL is its guid (as in the site's
 * feed, so that both are one article), its body the content, its
 * description the summary. */
static void article_end(struct parser *p)
{
    struct item_state *it = &p->it;
    struct fk_item *item = &it->item;
    struct fk_item_api *api = &item->api;
    p->in_item = false;
    if (!it->url && !api->id) {
        item_release(it);
        return; /* nothing names it */
    }
    const char *base = it->url ? it->url : p->opts ? p->opts->base_url : NULL;
    item->guid = it->url ? fk_xstrdup(it->url) : fk_xstrdup(it->id);
    item->url = it->url;
    it->url = NULL;
    item->title = it->title;
    it->title = NULL;
    if (it->content_html) {
        item->content_html = fk_feed_html_value(it->content_html, base);
        it->content_html = NULL;
    }
    item->summary_html = escaped(it->summary);
    item->author = it->author;
    it->author = NULL;
    if (!item->ntags)
        split_tags(it);
    fk_feed_add_enclosure(item, &it->enclosures_cap, it->image, NULL, -1, "thumbnail");
    it->image = NULL;
    /* The canonical URL is kept when it says something: not the
     * article's own. */
    if (api->canonical_url && item->url && strcmp(api->canonical_url, item->url) == 0) {
        free(api->canonical_url);
        api->canonical_url = NULL;
    }
    item->published_raw = it->published;
    item->updated_raw = it->modified;
    it->published = it->modified = NULL;
    item->published = fk_date_parse(item->published_raw);
    item->updated = fk_date_parse(item->updated_raw);
    api->edited = item->updated;
    item->base_url = base;
    deliver(p);
}

/* ---- yajl's callbacks ------------------------------------------------------------------- */

static struct level *top(struct parser *p)
{
    return &p->stack[p->depth - 1];
}

static void feed_string(struct parser *p, enum key key, char *v)
{
    struct fk_feed_info *info = &p->info;
    switch (key) {
    case K_VERSION: {
        p->saw_version = true;
        char *version = trim(v);
        if (!version || (strcmp(version, VERSION_10) != 0 && strcmp(version, VERSION_11) != 0)) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown JSON Feed version \"%.100s\": read as 1.1",
                     version ? version : "");
            first_error(p, p->line, msg);
        }
        free(version);
        return;
    }
    case K_TITLE:
        replace(&info->title, trim(v));
        return;
    case K_HOME_PAGE_URL:
        replace(&info->site_url, url_value(p, v));
        return;
    case K_FEED_URL:
        replace(&info->self_url, url_value(p, v));
        return;
    case K_DESCRIPTION:
        replace(&info->description, escaped(v));
        break;
    case K_LANGUAGE:
        replace(&info->language, trim(v));
        return;
    case K_ICON:
        replace(&info->image_url, url_value(p, v));
        /* an icon beats a favicon */
        return;
    case K_FAVICON:
        if (!info->image_url) {
            info->image_url = url_value(p, v);
            return;
        }
        break;
    default:
        break;
    }
    free(v);
}

static void item_string(struct parser *p, enum key key, char *v)
{
    struct item_state *it = &p->it;
    char **slot = NULL;
    switch (key) {
    case K_ID:
        slot = &it->id;
        break;
    case K_URL:
        replace(&it->url, url_value(p, v));
        return;
    case K_EXTERNAL_URL:
        replace(&it->external_url, url_value(p, v));
        return;
    case K_IMAGE:
        replace(&it->image, url_value(p, v));
        return;
    case K_BANNER_IMAGE:
        replace(&it->banner_image, url_value(p, v));
        return;
    case K_TITLE:
        replace(&it->title, trim(v));
        return;
    case K_CONTENT_HTML:
        slot = &it->content_html;
        break;
    case K_CONTENT_TEXT:
        slot = &it->content_text;
        break;
    case K_SUMMARY:
        slot = &it->summary;
        break;
    case K_DATE_PUBLISHED:
        replace(&it->published, trim(v));
        return;
    case K_DATE_MODIFIED:
        replace(&it->modified, trim(v));
        return;
    default:
        break;
    }
    if (slot)
        replace(slot, v);
    else
        free(v);
}

/* A string or a number (its text as written) in the container on top. */
static void scalar(struct parser *p, const unsigned char *s, size_t len, bool number)
{
    if (p->depth == 0)
        return;
    struct level *l = top(p);
    if (l->key == K_OTHER && l->role != R_TAGS)
        return; /* not read: "_" extensions, hubs, what a later version adds */
    switch (l->role) {
    case R_ROOT:
        /* The root object is a JSON Feed or one Forem article: it is read
         * as both until its end tells which. */
        article_scalar(p, l->key, s, len, number);
        if (!number)
            feed_string(p, l->key, text_value(p, l->key, s, len));
        break;
    case R_ARTICLE:
        article_scalar(p, l->key, s, len, number);
        break;
    case R_USER:
        if (!number && l->key == K_NAME)
            replace(&p->it.author, trim(text_value(p, l->key, s, len)));
        break;
    case R_ORG:
        if (!number && l->key == K_NAME)
            replace(&p->it.item.api.organization, trim(text_value(p, l->key, s, len)));
        break;
    case R_ITEM:
        if (number && l->key != K_ID)
            break; /* an id may be a number (1.0 allowed it): its decimal text */
        item_string(p, l->key, text_value(p, l->key, s, len));
        break;
    case R_AUTHOR:
        if (!number && l->key == K_NAME)
            replace(&p->it.person, trim(text_value(p, l->key, s, len)));
        break;
    case R_TAGS:
        if (!number)
            fk_feed_add_tag(&p->it.item, &p->it.tags_cap, trim(text_value(p, K_TAGS, s, len)));
        break;
    case R_ATTACHMENT:
        if (l->key == K_URL && !number)
            replace(&p->it.att_url, url_value(p, text_value(p, l->key, s, len)));
        else if (l->key == K_MIME_TYPE && !number)
            replace(&p->it.att_type, trim(text_value(p, l->key, s, len)));
        else if (l->key == K_SIZE_IN_BYTES && number)
            p->it.att_length = byte_count((const char *)s, len);
        break;
    default:
        break;
    }
}

static int on_null(void *ctx)
{
    (void)ctx;
    return 1;
}

static int on_boolean(void *ctx, int value)
{
    (void)ctx;
    (void)value;
    return 1;
}

static int on_number(void *ctx, const char *s, size_t len)
{
    scalar(ctx, (const unsigned char *)s, len, true);
    ((struct parser *)ctx)->string_cut = false;
    return !((struct parser *)ctx)->stopped;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    scalar(ctx, s, len, false);
    ((struct parser *)ctx)->string_cut = false;
    return !((struct parser *)ctx)->stopped;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
    struct parser *p = ctx;
    p->string_cut = false;
    if (p->depth == 0)
        return 1;
    enum key key = K_OTHER;
    for (size_t i = 1; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strlen(key_names[i]) == len && memcmp(key_names[i], s, len) == 0)
            key = (enum key)i;
    top(p)->key = key;
    return 1;
}

/* What a container opened as the value of the one on top is. */
static enum role child_role(struct parser *p, bool array)
{
    if (p->depth == 0)
        return array ? R_LIST : R_ROOT;
    struct level *l = top(p);
    switch (l->role) {
    case R_ROOT:
        if (array)
            return l->key == K_ITEMS                          ? R_ITEMS
                   : l->key == K_TAGS || l->key == K_TAG_LIST ? R_TAGS
                                                              : R_SKIP;
        return l->key == K_USER ? R_USER : l->key == K_ORGANIZATION ? R_ORG : R_SKIP;
    case R_LIST:
        return array ? R_SKIP : R_ARTICLE;
    case R_ARTICLE:
        if (array)
            return l->key == K_TAGS || l->key == K_TAG_LIST ? R_TAGS : R_SKIP;
        return l->key == K_USER ? R_USER : l->key == K_ORGANIZATION ? R_ORG : R_SKIP;
    case R_ITEMS:
        return array ? R_SKIP : R_ITEM;
    case R_ITEM:
        if (array)
            return l->key == K_AUTHORS       ? R_AUTHORS
                   : l->key == K_TAGS        ? R_TAGS
                   : l->key == K_ATTACHMENTS ? R_ATTACHMENTS
                                             : R_SKIP;
        return l->key == K_AUTHOR ? R_AUTHOR : R_SKIP;
    case R_AUTHORS:
        return array ? R_SKIP : R_AUTHOR;
    case R_ATTACHMENTS:
        return array ? R_SKIP : R_ATTACHMENT;
    default:
        return R_SKIP;
    }
}

static int open_container(struct parser *p, bool array)
{
    if (p->depth == DEPTH_MAX) {
        char msg[64];
        snprintf(msg, sizeof msg, "nested deeper than %d levels", DEPTH_MAX);
        first_error(p, p->line, msg);
        p->stopped = true;
        return 0;
    }
    enum role role = child_role(p, array);
    if (role == R_ITEMS) {
        p->saw_items = true;
    } else if (role == R_ITEM || role == R_ROOT || role == R_ARTICLE) {
        item_start(p);
        p->listed += role == R_ARTICLE;
    } else if (role == R_LIST) {
        p->forem = true;
    }
    p->stack[p->depth++] = (struct level){role, K_OTHER};
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, false);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, true);
}

static int close_container(void *ctx)
{
    struct parser *p = ctx;
    if (p->depth == 0)
        return 1;
    struct item_state *it = &p->it;
    switch (top(p)->role) {
    case R_ITEM:
        p->depth--;
        item_end(p);
        return !p->stopped;
    case R_ARTICLE:
        p->depth--;
        article_end(p);
        return !p->stopped;
    case R_ROOT:
        p->depth--;
        if (!p->saw_items && p->it.article) {
            /* One article: its title and description are not a feed's. */
            p->forem = true;
            replace(&p->info.title, NULL);
            replace(&p->info.description, NULL);
            article_end(p);
        }
        return !p->stopped;
    case R_AUTHOR:
        if (it->person) {
            /* 1.1's authors array, else 1.0's author object */
            if (p->stack[p->depth - 2].role == R_AUTHORS) {
                if (it->authors.len)
                    fk_buf_adds(&it->authors, ", ");
                fk_buf_adds(&it->authors, it->person);
            } else {
                replace(&it->author, it->person);
                it->person = NULL;
            }
        }
        replace(&it->person, NULL);
        break;
    case R_ATTACHMENT:
        fk_feed_add_enclosure(&it->item, &it->enclosures_cap, it->att_url, it->att_type,
                              it->att_length, "file");
        it->att_url = it->att_type = NULL;
        it->att_length = -1;
        break;
    default:
        break;
    }
    p->depth--;
    return 1;
}

static const yajl_callbacks callbacks = {
    on_null,        on_boolean,      NULL,
    NULL,           on_number,       on_string,
    on_start_map,   on_key,          close_container,
    on_start_array, close_container,
};

/* ---- giving yajl the document ----------------------------------------------------------- */

/* The error yajl found in the len bytes of text it was given last (none:
 * at the end of the document), as the document's error. */
static void yajl_problem(struct parser *p, const char *text, size_t len)
{
    size_t done = yajl_get_bytes_consumed(p->yajl);
    unsigned char *msg = yajl_get_error(p->yajl, 0, NULL, 0);
    char *m = (char *)msg;
    if (strncmp(m, "parse error: ", 13) == 0)
        m += 13;
    size_t mlen = strlen(m);
    while (mlen && strchr(" \t\r\n", m[mlen - 1]))
        m[--mlen] = '\0';
    char buf[200];
    snprintf(buf, sizeof buf, "invalid JSON: %s", m);
    first_error(p, p->line + (text ? count_lines(text, done < len ? done : len) : 0), buf);
    yajl_free_error(p->yajl, msg);
}

/* Give yajl len bytes; false when the document ends there. */
static bool give(struct parser *p, const char *text, size_t len)
{
    if (len == 0 || p->stopped)
        return !p->stopped;
    yajl_status st = yajl_parse(p->yajl, (const unsigned char *)text, len);
    if (st == yajl_status_ok) {
        p->line += count_lines(text, len);
        return true;
    }
    if (st == yajl_status_error)
        yajl_problem(p, text, len);
    p->stopped = true;
    return false;
}

/* Give yajl a chunk, closing strings longer than STRING_CUT and refusing
 * numbers and literals longer than TOKEN_MAX. */
static bool push(struct parser *p, const char *text, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (p->skipping || p->in_string) {
            if (p->escape == -1) {
                p->escape = c == 'u' ? 4 : 0;
            } else if (p->escape > 0) {
                p->escape--;
            } else if (c == '\\') {
                p->escape = -1;
            } else if (c == '"') {
                if (p->skipping)
                    start = i + 1; /* the rest of a cut string is not given */
                p->skipping = p->in_string = false;
                continue;
            }
            if (p->skipping)
                continue;
            p->string_len++;
            if (p->escape == 0 && p->string_len >= STRING_CUT &&
                (c < 0x80 || p->string_len >= STRING_CUT + 8)) {
                if (!give(p, text + start, i + 1 - start))
                    return false;
                p->string_cut = true;
                if (!give(p, "\"", 1))
                    return false;
                p->in_string = false;
                p->skipping = true;
                start = i + 1;
            }
        } else if (c == '"') {
            p->in_string = true;
            p->string_len = 0;
            p->token_len = 0;
        } else if (strchr("{}[],: \t\r\n", c) && c) {
            p->token_len = 0;
        } else if (++p->token_len > TOKEN_MAX) {
            if (give(p, text + start, i - start)) {
                char msg[64];
                snprintf(msg, sizeof msg, "a value longer than %d characters", TOKEN_MAX);
                first_error(p, p->line, msg);
            }
            p->stopped = true;
            return false;
        }
    }
    return p->skipping || give(p, text + start, len - start);
}

int fk_jsonfeed_parse(struct fk_feed_source *src, const struct fk_parse_options *opts,
                      const struct fk_feed_handler *handler, struct fk_feed_info *final,
                      struct fk_error *err)
{
    struct parser p;
    memset(&p, 0, sizeof p);
    p.opts = opts;
    p.handler = handler;
    p.info.format = "json";
    p.info.well_formed = true;
    p.info.updated = FK_TIME_NONE;
    p.it.att_length = -1;
    if (final)
        memset(final, 0, sizeof *final);
    int rc = -1;
    p.yajl = yajl_alloc(&callbacks, NULL, &p);
    if (!p.yajl) {
        fk_error_set(err, FK_ERROR_INPUT, "cannot start the JSON parser: out of memory");
        goto out;
    }
    yajl_config(p.yajl, yajl_dont_validate_strings, 1);
    bool first = true;
    for (;;) {
        const char *chunk;
        ssize_t n = fk_feed_source_next(src, &chunk);
        if (n < 0) {
            fk_error_set(err, FK_ERROR_INPUT, "cannot read the feed: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        if (first && n >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0)
            chunk += 3, n -= 3;
        first = false;
        if (!push(&p, chunk, (size_t)n))
            break;
    }
    if (!p.stopped && yajl_complete_parse(p.yajl) != yajl_status_ok)
        yajl_problem(&p, NULL, 0);
    if (p.cancelled)
        goto out; /* without touching err, as promised */
    if (p.forem) {
        p.info.format = "forem";
        if (p.listed && !p.info.error && !p.announced) {
            fk_error_set(err, FK_ERROR_INPUT, "not a feed: a JSON array without articles");
            goto out;
        }
    } else if (!p.saw_items) {
        fk_error_set(err, FK_ERROR_INPUT, "not a JSON Feed (%s)",
                     p.info.error ? p.info.error : "no \"items\" array");
        goto out;
    } else if (!p.saw_version) {
        first_error(&p, 0, "no JSON Feed version: read as 1.1");
    }
    announce(&p);
    if (p.cancelled)
        goto out;
    if (final) {
        *final = p.info;
        memset(&p.info, 0, sizeof p.info);
    }
    rc = 0;
out:
    if (p.yajl)
        yajl_free(p.yajl);
    item_release(&p.it);
    fk_feed_info_release(&p.info);
    return rc;
}
