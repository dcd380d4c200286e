/* feed.h - the feed parser: RSS, Atom and JSON Feed documents to items,
 * streamed.
 *
 * The parser reads the document with a streaming XML parser (libxml2 SAX2,
 * in recovery mode) and hands each item to a callback as soon as its end
 * tag is read, so memory does not grow with the number of items. A
 * document whose first byte but blanks and a UTF-8 byte order mark is '{'
 * is a JSON Feed (1.0 or 1.1), read the same way with a streaming JSON
 * parser (yajl), whatever the transport says it is; so is a response of a
 * Forem API (dev.to's): a list of articles (a JSON array: their metadata,
 * without bodies) or one article (an object with "type_of": "article"),
 * each article an item with its fk_item_api fields. Strings in the structs below
 * belong to the parser and are valid only during the callback: copy what you keep.
 */
#ifndef FEEDKEEP_FEED_H
#define FEEDKEEP_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/error.h"

/* The longest value the parser keeps for one field (a title, a body, a
 * tag): longer text is truncated at a UTF-8 character boundary, the rest of
 * the element is skipped and the item is delivered anyway, with a warning
 * (fk_item.warning). A run of text or CDATA section longer than this is
 * cut as it is read (FK_TEXT_RUN_MAX in decode.h), so that libxml2, which
 * refuses single text nodes over 10 MB (no XML_PARSE_HUGE), never sees
 * one. */
#define FK_FEED_FIELD_MAX ((size_t)8 << 20)
/* The most tags kept for one item; further ones are dropped. */
#define FK_FEED_TAGS_MAX 256
/* The most enclosures kept for one item; further ones are dropped. */
#define FK_FEED_ENCLOSURES_MAX 64

/* Document-level metadata. Any string may be NULL (absent). */
struct fk_feed_info {
    const char *format; /* "rss", "rdf", "atom", "cdf", "json" or "forem";
                           static */
    char *title;        /* plain text */
    char *title_html;   /* the title as HTML when the feed gave it as markup
                           (Atom type html/xhtml, RSS with tags or entities),
                           relative links resolved; NULL for a plain title */
    char *site_url;     /* the channel link / Atom rel=alternate link /
                           JSON Feed home_page_url */
    char *self_url;     /* Atom rel=self link, JSON Feed feed_url, if any */
    char *description;  /* HTML (a plain-text subtitle comes escaped) */
    char *language;
    char *image_url;   /* RSS image/url, Atom logo (else icon), itunes:image */
    char *updated_raw; /* the date string as the feed wrote it */
    int64_t updated;   /* FK_TIME_NONE when absent or unparseable */
    bool well_formed;  /* false when the XML or JSON had errors we
                          recovered from (for JSON Feed also: an unknown
                          or missing version, read as 1.1) */
    char *error;       /* when !well_formed: the first error,
                          "line 12: <message>"; else NULL */
    /* When opts->charset was ignored, as the document's first bytes rule it
     * out: why, and the encoding read instead (see decode.h); else NULL.
     * Set in the final metadata only. */
    char *charset_note;
};

/* A file that comes with an item: a podcast's audio, a video, a picture.
 * From RSS <enclosure url type length>, Atom <link rel="enclosure" href type
 * length>, media:content (url type fileSize, also inside media:group),
 * media:thumbnail and an item's itunes:image; JSON Feed attachments
 * (kind "file") and an item's image and banner_image (kind "thumbnail"). */
struct fk_enclosure {
    char *url;        /* never NULL; absolute where a base was known */
    char *type;       /* MIME type as the feed wrote it, or NULL */
    int64_t length;   /* size in bytes, or -1 when not given or not a number */
    const char *kind; /* "file" (the item's media), or "thumbnail" (a picture
                         of it, whose type is not given); static, not freed */
};

/* What an article of a Forem API (dev.to's) tells beside the fields every
 * item has. All zero for items of other documents (id 0 says so); for an
 * API article, edited is FK_TIME_NONE and a count -1 when absent. */
struct fk_item_api {
    int64_t id;          /* the article's id at the API; 0: not from an API */
    char *markdown;      /* the author's own Markdown (body_markdown), with its
                            front matter and Liquid tags; NULL in a list */
    char *canonical_url; /* where the author says the article lives, when
                            not its own URL (a cross-post) */
    char *series;        /* the series it belongs to (collection_id) */
    char *organization;  /* the organisation it was published under */
    int64_t edited;      /* edited_at (also the item's updated) */
    long reading_minutes, reactions, comments; /* -1 when absent */
};

/* One entry. Any string may be NULL (absent). URLs are absolute where a base
 * was known (xml:base, then the document URL). */
struct fk_item {
    char *guid; /* RSS guid, Atom id, RDF rdf:about, JSON Feed id (a number
                   as its text); as written */
    char *url;
    char *title;      /* plain text */
    char *title_html; /* as in fk_feed_info: NULL unless the title was markup */
    char *author;     /* JSON Feed: the names of authors (1.1) joined with ", ",
                         else author's (1.0) */
    char *published_raw;
    char *updated_raw;
    int64_t published; /* FK_TIME_NONE when absent or unparseable */
    int64_t updated;
    char **tags; /* ntags strings, as the feed wrote them */
    size_t ntags;
    struct fk_enclosure *enclosures; /* in document order, one per URL (a
                                        repeated URL adds its type and length
                                        to the first one) */
    size_t nenclosures;
    char *summary_html;     /* RSS description, Atom summary: HTML (Atom type
                               text comes escaped, inline XHTML serialised) */
    char *content_html;     /* content:encoded, Atom content, xhtml:body: HTML;
                               JSON Feed content_html, else content_text as
                               escaped paragraphs, and an external_url beside
                               a url as a last "<p>Link: ...</p>" */
    const char *base_url;   /* the item's base (xml:base, then the document URL);
                               links inside the HTML fields are already resolved
                               against the base in effect at their element */
    struct fk_item_api api; /* a Forem API article's own fields */
    /* What the user should hear of this item, or NULL: a field longer than
     * FK_FEED_FIELD_MAX, delivered truncated ("content longer than 8 MiB:
     * truncated"). Owned by the parser, like the strings. */
    const char *warning;
};

struct fk_parse_options {
    const char *base_url; /* the document's own URL, or NULL */
    const char *charset;  /* override of the declared encoding, or NULL */
    bool charset_is_hint; /* charset came from the transport (an HTTP
                             Content-Type): a name libxml2 does not know is
                             ignored instead of being an error */
};

/* Called once per document, before the first item (or at the end when there
 * are no items), with the metadata read so far. Return 0 to go on, non-zero
 * to stop parsing (fk_feed_parse_* then returns -1 without touching err). */
typedef int (*fk_feed_fn)(const struct fk_feed_info *feed, void *ctx);
/* Called once per item, in document order. Same return convention. */
typedef int (*fk_item_fn)(const struct fk_item *item, void *ctx);

struct fk_feed_handler {
    fk_feed_fn on_feed; /* may be NULL */
    fk_item_fn on_item; /* may be NULL */
    void *ctx;
};

/* Parse the document read from fd (not closed) or held in memory. On success
 * returns 0 and, when final is not NULL, fills *final with the complete
 * document metadata (release it with fk_feed_info_release). Returns -1 with
 * err filled when the input is not a feed at all or cannot be read; a feed
 * with recoverable XML errors succeeds with final->well_formed false, after
 * delivering every item whose end tag was read (an item cut off by the end
 * of a truncated document is not delivered). On -1, *final is zeroed.
 *
 * A JSON Feed: the same, with the rules of jsonfeed.c: invalid JSON, nesting
 * deeper than 64 levels and a number longer than 1024 characters end the
 * document (well_formed false, the items read before delivered); JSON
 * without an "items" array in its top object is not a feed.
 *
 * opts may be NULL. opts->charset overrides the encoding the document
 * declares (as an HTTP charset does) but not a byte order mark; an unknown
 * name is an error, unless opts->charset_is_hint, when the document's own
 * declaration is used. Bytes that are not text in the encoding, and the
 * characters XML forbids (NUL...), are repaired or dropped as decode.h says
 * and make the feed not well-formed; they never end it. The
 * parser never touches the network or the file system and never reads
 * external entities or DTDs. Internal entities are substituted; nested
 * expansion loops ("billion laughs") are stopped by libxml2 and more than
 * 32 MiB of entity text ends the document there, as does more than 10 MB
 * of text without markup that cannot be cut (no blank, '&' or multi-byte
 * character in it; libxml2 would keep it in memory whole), all as XML errors
 * (well_formed false, the items read before delivered). A longer run that
 * can be cut is cut (see FK_FEED_FIELD_MAX): the document goes on. */
int fk_feed_parse_fd(int fd, const struct fk_parse_options *opts,
                     const struct fk_feed_handler *handler, struct fk_feed_info *final,
                     struct fk_error *err);
int fk_feed_parse_memory(const char *data, size_t len, const struct fk_parse_options *opts,
                         const struct fk_feed_handler *handler, struct fk_feed_info *final,
                         struct fk_error *err);

/* Free the strings of a fk_feed_info filled by fk_feed_parse_*. */
void fk_feed_info_release(struct fk_feed_info *feed);

#endif
