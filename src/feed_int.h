/* feed_int.h - what the XML feed reader (feed.c) shares with the JSON Feed
 * reader (jsonfeed.c): the document read a chunk at a time after the first
 * bytes have been looked at, and the HTML fix-ups every HTML field gets.
 */
#ifndef FEEDKEEP_FEED_INT_H
#define FEEDKEEP_FEED_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "feedkeep/error.h"
#include "feedkeep/feed.h"
#include "feedkeep/xml.h"

/* A document whose first bytes were read to see what it is. The bytes
 * read are given again, then the rest of the input: a blank start longer
 * than one chunk comes back as its line feeds only (so that line numbers
 * still hold), which no reader can tell from the original. */
struct fk_feed_source {
    struct fk_xml_input *in;
    char *copy; /* the first chunk, when more had to be read */
    size_t copy_len;
    size_t newlines;  /* line feeds of the blank chunks after it */
    const char *rest; /* the chunk read last */
    size_t rest_len;
    int stage;
    char lf[4096]; /* the line feeds given */
};

/* The next chunk: as fk_xml_next_chunk. */
ssize_t fk_feed_source_next(struct fk_feed_source *src, const char **chunk);

/* value (taken) with its relative links resolved against base and C1
 * character references fixed, as every HTML field of a feed. */
char *fk_feed_html_value(char *value, const char *base);

/* Add tag (taken; NULL adds nothing) to item's tags, which have room for
 * *cap, unless the item has it or FK_FEED_TAGS_MAX tags already. */
void fk_feed_add_tag(struct fk_item *item, size_t *cap, char *tag);
/* Add an enclosure (url and type taken; no url adds nothing) to item's,
 * which have room for *cap: one per URL, a repeated URL adding its type
 * and length to the first, and a "file" making a thumbnail the media; at
 * most FK_FEED_ENCLOSURES_MAX. */
void fk_feed_add_enclosure(struct fk_item *item, size_t *cap, char *url, char *type, int64_t bytes,
                           const char *kind);
/* Free the strings and lists of an item the parser filled, and zero it. */
void fk_feed_item_clear(struct fk_item *item);

/* Parse a JSON Feed (jsonfeed.c): the same contract as fk_feed_parse_*. */
int fk_jsonfeed_parse(struct fk_feed_source *src, const struct fk_parse_options *opts,
                      const struct fk_feed_handler *handler, struct fk_feed_info *final,
                      struct fk_error *err);

#endif
