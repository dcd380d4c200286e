/* discover.c - the feeds an HTML page links to: the <link rel="alternate">
 * elements of RSS and Atom type, read with libxml2's HTML parser. */
#include "feedkeep/discover.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedkeep/buf.h"
#include "feedkeep/url.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* The link types that are feeds feedkeep reads. */
static const char *const feed_types[] = {
    "application/rss+xml",
    "application/atom+xml",
};

/* Whether the space-separated list of link relations rel holds
 * "alternate" (any case). */
static bool has_alternate(const char *rel)
{
    static const char word[] = "alternate";
    for (const char *p = rel; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
            p++;
        size_t len = strcspn(p, " \t\n\r\f");
        if (len == sizeof word - 1 && strncasecmp(p, word, len) == 0)
            return true;
        p += len;
    }
    return false;
}

/* The feed type of a type attribute ("application/rss+xml;
 * charset=utf-8" too), or NULL. */
static const char *feed_type(const char *type)
{
    size_t len = strcspn(type, "; \t");
    for (size_t i = 0; i < sizeof feed_types / sizeof feed_types[0]; i++) {
        if (strlen(feed_types[i]) == len && strncasecmp(type, feed_types[i], len) == 0)
            return feed_types[i];
    }
    return NULL;
}

struct walk {
    const char *base_url;
    fk_discover_fn fn;
    void *ctx;
    char **seen; /* URLs reported, each once */
    size_t nseen;
    int stop;
};

/* A copy of an attribute's value, or NULL. */
static char *attribute(xmlNode *node, const char *name)
{
    xmlChar *value = xmlGetProp(node, (const xmlChar *)name);
    if (!value)
        return NULL;
    char *copy = fk_xstrdup((const char *)value);
    xmlFree(value);
    return copy;
}

static void visit(struct walk *w, xmlNode *node)
{
    for (; node && !w->stop; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (strcasecmp((const char *)node->name, "link") == 0) {
            char *rel = attribute(node, "rel"), *type = attribute(node, "type");
            char *href = attribute(node, "href"), *title = attribute(node, "title");
            const char *kind = type ? feed_type(type) : NULL;
            char *url = rel && kind && href && *href && has_alternate(rel)
                            ? fk_url_resolve(w->base_url, href)
                            : NULL;
            bool again = false;
            for (size_t i = 0; url && i < w->nseen; i++)
                again = again || strcmp(w->seen[i], url) == 0;
            if (url && !again) {
                struct fk_discovered feed = {url, kind, title && *title ? title : NULL};
                w->seen = fk_xrealloc(w->seen, (w->nseen + 1) * sizeof *w->seen);
                w->seen[w->nseen++] = url;
                url = NULL;
                w->stop = w->fn(&feed, w->ctx);
            }
            free(url);
            free(rel);
            free(type);
            free(href);
            free(title);
        }
        visit(w, node->children);
    }
}

int fk_discover_feeds(const char *html, size_t len, const char *base_url, fk_discover_fn fn,
                      void *ctx, struct fk_error *err)
{
    if (len > INT32_MAX)
        return fk_error_set(err, FK_ERROR_INPUT, "the page is too large");
    htmlDocPtr doc = htmlReadMemory(html, (int)len, base_url, NULL,
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    if (!doc)
        return fk_error_set(err, FK_ERROR_INPUT, "not an HTML page either");
    struct walk w = {base_url, fn, ctx, NULL, 0, 0};
    visit(&w, xmlDocGetRootElement(doc));
    for (size_t i = 0; i < w.nseen; i++)
        free(w.seen[i]);
    free(w.seen);
    xmlFreeDoc(doc);
    return w.stop;
}
