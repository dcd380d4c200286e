/* opml.h - subscription lists in OPML: reading any version, writing 2.0.
 *
 * Reading streams the document and hands over each outline that names a
 * feed (an xmlUrl attribute), wherever it is nested: categories are
 * flattened. Writing appends to a buffer, escaped so that the output is
 * well-formed XML whatever the strings hold. Nothing here prints.
 */
#ifndef FEEDKEEP_OPML_H
#define FEEDKEEP_OPML_H

#include <stddef.h>
#include <stdint.h>

#include "feedkeep/buf.h"
#include "feedkeep/error.h"

/* One feed of a list. Strings may be NULL; when reading they are trimmed
 * of white space, empty ones are NULL, and they are valid during the
 * callback only. */
struct fk_opml_outline {
    const char *url;      /* xmlUrl: the feed; never NULL when reading */
    const char *name;     /* text, else title */
    const char *site_url; /* htmlUrl */
    /* Reading: the names of the outlines without xmlUrl around it (the
     * folders it is filed in), outermost first. Writing: ignored. */
    const char *const *folders;
    size_t nfolders;
};

/* Called for each outline with an xmlUrl, in document order. Return 0 to
 * go on, non-zero to stop (the parse then returns -1 without touching
 * err). */
typedef int (*fk_opml_fn)(const struct fk_opml_outline *outline, void *ctx);

/* Read the OPML document from fd (not closed) or from memory. Attribute
 * names are compared without case (xmlurl is seen too). Returns 0, or -1
 * with err filled (kind FK_ERROR_INPUT) when the document is not
 * well-formed XML, its root is not <opml>, it declares entities (an OPML
 * list needs none, and refusing them keeps expansion bombs out), or it
 * cannot be read. Outlines before an error have been handed over already:
 * collect them and act only on success. Returns 1 with err filled (a
 * warning) when the list passed a guard of xml.h (a tag with more than
 * FK_TAG_ATTRS_MAX attributes, endless text without markup): it was read
 * up to there, and the outlines before it may be used. The network and the
 * file system are never touched (no DTD, no external entities). */
int fk_opml_parse_fd(int fd, fk_opml_fn fn, void *ctx, struct fk_error *err);
int fk_opml_parse_memory(const char *data, size_t len, fk_opml_fn fn, void *ctx,
                         struct fk_error *err);

/* Writing: fk_opml_begin, then fk_opml_add per feed, then fk_opml_end. The
 * text is UTF-8 with <, >, &, " escaped and tab, line feed and carriage
 * return written as character references; characters XML cannot hold
 * (other control characters, invalid UTF-8) are dropped or become U+FFFD.
 * Each returns 0, or -1 when out reached its size limit. */
/* The XML declaration and head: title (NULL: none) and dateCreated (an
 * RFC 822 date of created, unless it is FK_TIME_NONE). */
int fk_opml_begin(struct fk_buf *out, const char *title, int64_t created);
/* One <outline type="rss">: text and title are the name (else the URL),
 * xmlUrl the URL, htmlUrl the site link when there is one. */
int fk_opml_add(struct fk_buf *out, const struct fk_opml_outline *outline);
int fk_opml_end(struct fk_buf *out);
/* An <outline text="NAME"> folder around the feeds added until
 * fk_opml_end_folder. Return 0, or -1 when out passed its limit. */
int fk_opml_begin_folder(struct fk_buf *out, const char *name);
int fk_opml_end_folder(struct fk_buf *out);

#endif
