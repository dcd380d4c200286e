/* store.h - the archive: one SQLite file holding feeds, articles, tags and
 * code blocks, with a full-text index.
 *
 * The store is the only module that knows SQL. Writing happens feed by feed:
 * fk_store_begin_feed opens a transaction, fk_store_put_item files items one
 * at a time, fk_store_end_feed commits (or rolls back on failure).
 */
#ifndef FEEDKEEP_STORE_H
#define FEEDKEEP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/content.h"
#include "feedkeep/error.h"
#include "feedkeep/feed.h"

struct fk_store;

/* Open (creating it and its schema when absent) the archive at path.
 * Returns a handle to close with fk_store_close, or NULL with err filled
 * (kind FK_ERROR_DB) when the file cannot be opened, is not a feedkeep
 * archive (not SQLite, or another program's SQLite database), or was written
 * by a newer feedkeep. An empty or missing file becomes a new archive. A
 * handle is used by one thread at a time; several processes may open the
 * same archive (one writes at a time, waiting up to 5 s for the lock). */
struct fk_store *fk_store_open(const char *path, struct fk_error *err);
/* Close the archive; NULL is allowed. A feed begun and not ended is rolled
 * back. */
void fk_store_close(struct fk_store *store);

/* What filing one item did. */
enum fk_put_result {
    FK_PUT_NEW,
    FK_PUT_UPDATED,   /* content changed; the old version was kept */
    FK_PUT_UNCHANGED,
};

/* Start filing one feed document: opens a write transaction and finds or
 * creates the feed row for feed_url (the document's URL, never NULL). info
 * (may be NULL) updates the feed's title and site link where it has them.
 * Returns 0, or -1 with err filled (for instance when another process holds
 * the write lock for more than 5 s, or a feed is already being filed). */
int fk_store_begin_feed(struct fk_store *store, const char *feed_url,
                        const struct fk_feed_info *info, struct fk_error *err);
/* File one item of the current feed with its converted content (content
 * may be NULL: no text, no code). The item is identified by
 * fk_store_identity; its tags are trimmed, ASCII-lower-cased and
 * deduplicated. Sets *result to FK_PUT_NEW for a new article;
 * FK_PUT_UNCHANGED when the archive has it with the same title, text and
 * tags (only its last_seen time and the feeds that carried it are updated);
 * FK_PUT_UPDATED when one of those changed (the old content is kept in
 * article_versions first). New articles become searchable when the feed is
 * committed. Returns 0, or -1 with err filled. After a database error the
 * feed cannot be committed any more (part of the item may be written):
 * further items fail and fk_store_end_feed rolls the feed back. */
int fk_store_put_item(struct fk_store *store, const struct fk_item *item,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err);
/* Shortcut for re-imports, to call before converting an item's content:
 * when the archive already holds this item filed from the same source (the
 * same title, summary and content HTML, and tags), records that it was seen
 * again exactly as fk_store_put_item would for an unchanged item and returns
 * 1; skip the conversion and fk_store_put_item then. Returns 0 when the item
 * is new or its source changed (convert it and call fk_store_put_item), -1
 * with err filled on error (as fk_store_put_item). Using it is optional. */
int fk_store_put_unchanged(struct fk_store *store, const struct fk_item *item,
                           struct fk_error *err);
/* Commit the current feed (ok true) or roll it back (ok false). final, when
 * not NULL and ok, updates the feed's title and site link. Returns 0, or -1
 * with err filled; the feed is then rolled back. Either way the handle is
 * ready for the next feed. */
int fk_store_end_feed(struct fk_store *store, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err);

/* Article filters shared by the query commands. Set up with fk_filter_init
 * (zero is not "no bound" for since and until), then set. Tags are
 * normalised like filed tags, empty ones ignored. An article without a
 * published date never matches since or until. */
struct fk_filter {
    const char *const *tags; /* all must match (lower-cased by the store) */
    size_t ntags;
    int64_t since;           /* published >= since; FK_TIME_NONE: no bound */
    int64_t until;           /* published < until; FK_TIME_NONE: no bound */
    const char *language;    /* code blocks only: language (case-insensitive) */
    long limit;              /* at most this many results; <= 0: no limit */
};
/* Set f to "no filter". */
void fk_filter_init(struct fk_filter *f);

/* An article as the query functions return it. The strings are valid only
 * during the callback (or until fk_article_release for fk_store_get_article). */
struct fk_article {
    int64_t id;
    const char *guid;
    const char *url;
    const char *title;
    const char *author;
    const char *feed_url;
    int64_t published;       /* FK_TIME_NONE when unknown */
    int64_t updated;
    const char *const *tags; /* sorted by name */
    size_t ntags;
    const char *text;        /* fk_store_get_article only, else NULL */
    const char *markdown;    /* fk_store_get_article only, else NULL */
    void *priv;              /* owned memory, for fk_article_release */
};

typedef int (*fk_article_fn)(const struct fk_article *article, void *ctx);

/* Call fn for each article matching f (NULL: all), newest first: by
 * published date, undated last, then the most recently filed first. A
 * non-zero return from fn stops the walk and is returned. Returns 0, -1 with
 * err filled on a database error. fn may call fk_store_get_article and the
 * other query functions, not the writing ones. */
int fk_store_list(struct fk_store *store, const struct fk_filter *f, fk_article_fn fn,
                  void *ctx, struct fk_error *err);

/* Fetch one article with its text and Markdown (never NULL here). Returns
 * 0 and fills out (free with fk_article_release), 1 when there is no such
 * article, -1 on error (out is zeroed in both cases). */
int fk_store_get_article(struct fk_store *store, int64_t id, struct fk_article *out,
                         struct fk_error *err);
/* Free what fk_store_get_article put in article and zero it; a zeroed
 * article is allowed. */
void fk_article_release(struct fk_article *article);

/* A stored code block, valid during the callback. */
struct fk_code_row {
    int64_t id;
    int64_t article_id;
    int position;            /* 0-based order in the article */
    const char *language;    /* NULL when unknown */
    const char *code;
    size_t lines;
    const char *article_title;
};

typedef int (*fk_code_fn)(const struct fk_code_row *row, void *ctx);

/* Call fn for each code block of the articles matching f (NULL: all) and
 * f->language (NULL or "": any), newest article first, in article order;
 * f->limit counts code blocks. Same return convention as fk_store_list. */
int fk_store_list_code(struct fk_store *store, const struct fk_filter *f, fk_code_fn fn,
                       void *ctx, struct fk_error *err);

/* Counts for summaries and tests (tags: the tags some article carries).
 * Returns 0, or -1 with err filled. */
struct fk_store_counts {
    int64_t feeds, articles, tags, code_blocks, versions;
};
int fk_store_counts(struct fk_store *store, struct fk_store_counts *out, struct fk_error *err);

/* The identity key of an item filed under feed_url: the first of these
 * that applies, all values trimmed of white space:
 *   a guid that is an absolute URI (fk_url_is_absolute)   "guid:" GUID
 *   any other non-empty guid, scoped by the feed           "feed:" FEED " guid:" GUID
 *   an absolute link                                       "url:" URL
 *   else a 64-bit FNV-1a hash of title and published_raw   "hash:" FEED " " 16 hex digits
 * Returns a new string the caller frees. */
char *fk_store_identity(const char *feed_url, const struct fk_item *item);

#endif
