/* extract_int.h - what the files of the extractor share, private to them:
 * the walk over libxml2's tree and text helpers (extract_text.c), the
 * page's metadata (extract_meta.c); the article itself is found in
 * extract.c. Not part of the library's interface. */
#ifndef FEEDKEEP_EXTRACT_INT_H
#define FEEDKEEP_EXTRACT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "feedkeep/buf.h"
#include "feedkeep/extract.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The node after n in document order within top: its first child when
 * descend, else its next sibling or the next sibling of an ancestor below
 * top. NULL at the end. */
xmlNode *ex_next(const xmlNode *n, const xmlNode *top, bool descend);
/* Whether n is an element named name (libxml2 gives HTML names in lower
 * case). */
bool ex_is(const xmlNode *n, const char *name);
/* Whether name is one of the NULL-terminated names. */
bool ex_name_in(const char *name, const char *const *names);
/* The value of n's attribute name, or NULL; points into the tree. */
const char *ex_attr(const xmlNode *n, const char *name);
/* Whether n is an element whose content is never text (script, style,
 * noscript, template). */
bool ex_skipped(const xmlNode *n);
/* The text of n as a browser lays it out on one line: white space runs
 * collapsed to one space, trimmed, appended to out. */
void ex_text(const xmlNode *n, struct fk_buf *out);
/* A copy of ex_text(n) (the caller frees it). */
char *ex_text_dup(const xmlNode *n);
/* How many words s has (runs of non-space). */
size_t ex_words(const char *s);
/* A copy of s with white space collapsed and trimmed, or NULL for NULL or
 * blank s. */
char *ex_clean_line(const char *s);
/* How alike two titles are: the share of b's words that a lacks, as 1 -
 * that share (1: every word of b is in a). */
double ex_similarity(const char *a, const char *b);

/* The metadata of the page (extract_meta.c): fills out's title, byline,
 * site name, language, lead image, excerpt (description) and published
 * time from the document's head and JSON-LD. url is the base for the lead
 * image. *article_body receives JSON-LD's articleBody (or NULL; the caller
 * frees it). */
void ex_read_metadata(xmlDoc *doc, const char *url, struct fk_extract *out, char **article_body);

#endif
