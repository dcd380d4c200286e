/* content_assets.c - the images and media an article uses, found in the
 * same parsed HTML as its text (see content.h, struct fk_content). */
#include <stdlib.h>
#include <string.h>

#include "content_int.h"
#include "feedkeep/ascii.h"

/* ---- srcset ---------------------------------------------------------------- */

/* A descriptor's number ("800", "1.5") in len bytes; false when it is none. */
static bool descriptor_number(const char *s, size_t len, double *out)
{
    double value = 0, scale = 0;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' && scale == 0) {
            scale = 1;
        } else if (fk_is_digit((unsigned char)s[i])) {
            digits++;
            if (scale > 0)
                value += (s[i] - '0') * (scale /= 10);
            else
                value = value * 10 + (s[i] - '0');
        } else {
            return false;
        }
    }
    *out = value;
    return digits > 0;
}

/* One candidate of a srcset: its URL and what its descriptors say. */
struct candidate {
    const char *url;
    size_t len;
    double width;   /* "w", or -1 */
    double density; /* "x", or -1 */
};

/* Read the candidate at *p (HTML's "parse a srcset attribute", without
 * the "h" descriptor's checks): the URL is a run without white space, a
 * comma after it ends the candidate, else descriptors follow up to a comma
 * outside parentheses. Returns false at the end of the list. */
static bool next_candidate(const char **p, struct candidate *c)
{
    const char *s = *p;
    while (fk_is_html_space((unsigned char)*s) || *s == ',')
        s++;
    if (!*s) {
        *p = s;
        return false;
    }
    c->url = s;
    while (*s && !fk_is_html_space((unsigned char)*s))
        s++;
    c->len = (size_t)(s - c->url);
    c->width = c->density = -1;
    bool ended = false;
    while (c->len > 0 && c->url[c->len - 1] == ',') {
        c->len--;
        ended = true;
    }
    int depth = 0;
    while (!ended && *s) {
        while (fk_is_html_space((unsigned char)*s))
            s++;
        if (!*s || *s == ',')
            break;
        const char *d = s;
        while (*s && !fk_is_html_space((unsigned char)*s) && (depth > 0 || *s != ',')) {
            if (*s == '(')
                depth++;
            else if (*s == ')' && depth > 0)
                depth--;
            s++;
        }
        size_t n = (size_t)(s - d);
        double value;
        if (n >= 2 && descriptor_number(d, n - 1, &value)) {
            char unit = fk_ascii_lower(d[n - 1]);
            if (unit == 'w')
                c->width = value;
            else if (unit == 'x')
                c->density = value;
        }
    }
    *p = s;
    return true;
}

/* The largest candidate of a srcset: by width descriptor, else by density
 * (a candidate without one is 1x), else the last. A new string, or NULL
 * for a list without candidates. */
static char *largest_candidate(const char *srcset)
{
    struct candidate c, by_width = {0}, by_density = {0}, last = {0};
    bool any_width = false, any_density = false;
    double best_width = -1, best_density = -1;
    for (const char *p = srcset; next_candidate(&p, &c);) {
        if (c.len == 0)
            continue;
        last = c;
        if (c.width >= 0) {
            any_width = true;
            if (c.width > best_width)
                best_width = c.width, by_width = c;
        }
        double density = c.density >= 0 ? c.density : 1;
        any_density = any_density || c.density >= 0;
        if (c.width < 0 && density > best_density)
            best_density = density, by_density = c;
    }
    const struct candidate *pick = any_width ? &by_width : any_density ? &by_density : &last;
    return pick->url ? fk_xstrndup(pick->url, pick->len) : NULL;
}

/* ---- the list -------------------------------------------------------------- */

struct collector {
    const char *base_url;
    struct fk_content *out;
    size_t cap;
    struct lookup lookup;
};

static bool http_url(const char *url)
{
    return fk_ascii_equal_n(url, "http://", 7) || fk_ascii_equal_n(url, "https://", 8);
}

static void add(struct collector *c, const char *ref, enum fk_asset_kind kind)
{
    struct fk_content *out = c->out;
    if (!ref || !*ref || content_unsafe_url(ref) || out->nassets >= FK_CONTENT_ASSETS_MAX)
        return;
    char *url = content_link_destination(c->base_url, ref);
    bool keep = strlen(url) > 8 && http_url(url);
    for (size_t i = 0; keep && i < out->nassets; i++)
        keep = strcmp(out->assets[i].url, url) != 0;
    if (!keep) {
        free(url);
        return;
    }
    if (out->nassets == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        out->assets = fk_xrealloc(out->assets, c->cap * sizeof *out->assets);
    }
    out->assets[out->nassets++] = (struct fk_content_asset){.url = url, .kind = kind};
}

static void add_largest(struct collector *c, const char *srcset, enum fk_asset_kind kind)
{
    if (!srcset || !*srcset)
        return;
    char *largest = largest_candidate(srcset);
    add(c, largest, kind);
    free(largest);
}

/* An attribute, or its lazy-loading stand-in when it is missing or a
 * placeholder (empty, or for src a data: URI). */
static const char *lazy_attr(const xmlNode *node, const char *name, const char *lazy)
{
    const char *value = content_attr(node, name);
    bool placeholder = !value || !*value || (strcmp(name, "src") == 0 && content_unsafe_url(value));
    const char *stand_in = placeholder ? content_attr(node, lazy) : NULL;
    return stand_in && *stand_in ? stand_in : value;
}

/* The <video>, <audio> or <picture> a <source> belongs to: the nearest
 * such ancestor, since libxml2 nests what follows a <source> inside it. */
static const char *source_owner(const xmlNode *source)
{
    for (const xmlNode *n = source->parent; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
        const char *name = content_node_name(n);
        if (strcmp(name, "video") == 0 || strcmp(name, "audio") == 0 ||
            strcmp(name, "picture") == 0)
            return name;
    }
    return "";
}

static void element_assets(struct collector *c, const xmlNode *node)
{
    const char *name = content_node_name(node);
    if (strcmp(name, "img") == 0) {
        if (content_is_tracking_pixel(node))
            return;
        add(c, lazy_attr(node, "src", "data-src"), FK_ASSET_IMAGE);
        add_largest(c, lazy_attr(node, "srcset", "data-srcset"), FK_ASSET_IMAGE);
    } else if (strcmp(name, "source") == 0) {
        const char *owner = source_owner(node);
        if (strcmp(owner, "video") == 0)
            add(c, content_attr(node, "src"), FK_ASSET_VIDEO);
        else if (strcmp(owner, "audio") == 0)
            add(c, content_attr(node, "src"), FK_ASSET_AUDIO);
        else
            add_largest(c, lazy_attr(node, "srcset", "data-srcset"), FK_ASSET_IMAGE);
    } else if (strcmp(name, "video") == 0) {
        add(c, content_attr(node, "poster"), FK_ASSET_POSTER);
        add(c, content_attr(node, "src"), FK_ASSET_VIDEO);
    } else if (strcmp(name, "audio") == 0) {
        add(c, content_attr(node, "src"), FK_ASSET_AUDIO);
    }
}

void content_collect_assets(const xmlDoc *dom, const char *base_url, struct fk_content *out)
{
    struct collector c = {.base_url = base_url, .out = out};
    const xmlNode *node = dom ? dom->children : NULL;
    /* Iterative, in document order; dropped elements are not entered. */
    while (node) {
        bool enter = false;
        if (node->type == XML_ELEMENT_NODE && content_kind_of(node, &c.lookup, NULL) != K_DROP) {
            element_assets(&c, node);
            enter = node->children != NULL;
        }
        if (enter) {
            node = node->children;
            continue;
        }
        while (node && !node->next)
            node = node->parent && node->parent->type != XML_DOCUMENT_NODE &&
                           node->parent->type != XML_HTML_DOCUMENT_NODE
                       ? node->parent
                       : NULL;
        if (node)
            node = node->next;
    }
}

void content_mark_linked_assets(cmark_node *doc, struct fk_content *out)
{
    if (!doc || out->nassets == 0)
        return;
    cmark_iter *iter = cmark_iter_new(doc);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (event != CMARK_EVENT_ENTER || cmark_node_get_type(node) != CMARK_NODE_IMAGE)
            continue;
        const char *url = cmark_node_get_url(node);
        for (size_t i = 0; url && i < out->nassets; i++)
            if (strcmp(out->assets[i].url, url) == 0)
                out->assets[i].in_markdown = true;
    }
    cmark_iter_free(iter);
}
