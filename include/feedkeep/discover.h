/* discover.h - the feeds an HTML page links to (feed autodiscovery).
 *
 * A web page names its feeds in its head: <link rel="alternate"
 * type="application/rss+xml" href="..." title="...">, and the same for
 * application/atom+xml. `feedkeep add` uses them when a URL given to it is
 * a page rather than a feed. Nothing here prints or touches the network.
 */
#ifndef FEEDKEEP_DISCOVER_H
#define FEEDKEEP_DISCOVER_H

#include <stddef.h>

#include "feedkeep/error.h"

/* One feed a page links to, valid during the callback. */
struct fk_discovered {
    const char *url;   /* absolute (resolved against the page's URL) */
    const char *type;  /* application/rss+xml or application/atom+xml */
    const char *title; /* the link's title, or NULL */
};

typedef int (*fk_discover_fn)(const struct fk_discovered *feed, void *ctx);

/* Call fn for each feed link of the HTML page html (len bytes, any
 * encoding libxml2's HTML parser recognises) in document order, each URL
 * once; base_url is the page's URL. A non-zero return from fn stops the
 * walk and is returned. Returns 0, or -1 with err filled when the page
 * cannot be parsed at all. */
int fk_discover_feeds(const char *html, size_t len, const char *base_url, fk_discover_fn fn,
                      void *ctx, struct fk_error *err);

#endif
