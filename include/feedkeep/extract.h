/* extract.h - the article of a web page: its main content and metadata.
 *
 * A page is parsed with libxml2's HTML parser (its charset taken from a byte
 * order mark or <meta charset>), its metadata read (JSON-LD, OpenGraph,
 * <meta name>, itemprop, <html lang>, <title>), and its main content found
 * as a reader view does: boilerplate and hidden elements removed, blocks
 * scored by their text, commas, paragraphs, link density and class and id
 * hints, the best block taken with the siblings that belong to it, and
 * cleaned. The article's HTML then goes through the content stage
 * (content.h) like the HTML of a feed.
 */
#ifndef FEEDKEEP_EXTRACT_H
#define FEEDKEEP_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "feedkeep/error.h"

/* The most bytes of one page that are read; the rest is ignored (a page
 * longer than this is cut, and the caller says so). */
#define FK_EXTRACT_PAGE_MAX ((size_t)8 << 20)

/* Elements nested deeper than this are flattened to their text before the
 * page is read, so that no walk over the tree costs more than this many
 * steps per node. */
#define FK_EXTRACT_DEPTH_MAX 256

/* The article of one page. Strings are UTF-8, owned by the struct, NULL
 * when the page does not say; free with fk_extract_release. */
struct fk_extract {
    char *title;       /* the article's title, one line */
    char *byline;      /* its author(s) */
    char *site_name;   /* the site's name */
    char *language;    /* <html lang> or the metadata's language */
    char *lead_image;  /* absolute URL of the page's lead image */
    char *excerpt;     /* the page's description, or the first paragraph */
    int64_t published; /* FK_TIME_NONE when unknown */
    char *base_url;    /* what links resolve against: <base href>, else the
                          page's URL (NULL when neither is known) */
    char *html;        /* the article as clean HTML, never NULL; "" when
                          the page has no article text */
};

/* Find the article of the page in bytes (len of them; only the first
 * FK_EXTRACT_PAGE_MAX are read). url (may be NULL) is the page's own
 * address, for relative links. Returns 0 with out filled, or -1 with err
 * (kind FK_ERROR_INPUT) when the bytes are no HTML page (a PDF, an image,
 * an archive: told by their first bytes); out is then empty. A page without
 * text is no error: out->html is "". Time and memory are bounded by the
 * size of the page. Nothing is printed. */
int fk_extract_page(const char *bytes, size_t len, const char *url, struct fk_extract *out,
                    struct fk_error *err);

/* Free everything in out and zero it. NULL is ignored. */
void fk_extract_release(struct fk_extract *out);

#endif
