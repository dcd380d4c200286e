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
 * archive, or was written by a newer feedkeep. */
struct fk_store *fk_store_open(const char *path, struct fk_error *err);
/* Close the archive; NULL is allowed. */
void fk_store_close(struct fk_store *store);

/* What filing one item did. */
enum fk_put_result {
    FK_PUT_NEW,
    FK_PUT_UPDATED,   /* content changed; the old version was kept */
    FK_PUT_UNCHANGED,
};

/* Start filing one feed document: opens a transaction and finds or creates
 * the feed row for feed_url (the document's URL, never NULL). info may
 * update the feed's title and site link. */
int fk_store_begin_feed(struct fk_store *store, const char *feed_url,
                        const struct fk_feed_info *info, struct fk_error *err);
/* File one item of the current feed with its converted content. */
int fk_store_put_item(struct fk_store *store, const struct fk_item *item,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err);
/* Commit the current feed (ok true) or roll it back (ok false). final, when
 * not NULL, updates the feed's metadata. */
int fk_store_end_feed(struct fk_store *store, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err);

/* Article filters shared by the query commands. Zero-initialise, then set. */
struct fk_filter {
    const char *const *tags; /* all must match (lower-cased by the store) */
    size_t ntags;
    int64_t since;           /* published >= since; FK_TIME_NONE: no bound */
    int64_t until;           /* published < until; FK_TIME_NONE: no bound */
    const char *language;    /* code blocks only: language (case-insensitive) */
    long limit;              /* <= 0: no limit */
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

/* Call fn for each article matching f, newest (by published date) first.
 * A non-zero return from fn stops the walk and is returned. Returns 0, -1
 * with err filled on a database error. */
int fk_store_list(struct fk_store *store, const struct fk_filter *f, fk_article_fn fn,
                  void *ctx, struct fk_error *err);

/* Fetch one article with its text and Markdown. Returns 0 and fills out
 * (free with fk_article_release), 1 when there is no such article, -1 on
 * error. */
int fk_store_get_article(struct fk_store *store, int64_t id, struct fk_article *out,
                         struct fk_error *err);
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

/* Call fn for each code block of the articles matching f (and f->language),
 * newest article first, in article order. Same return convention as
 * fk_store_list. */
int fk_store_list_code(struct fk_store *store, const struct fk_filter *f, fk_code_fn fn,
                       void *ctx, struct fk_error *err);

/* Counts for summaries and tests. */
struct fk_store_counts {
    int64_t feeds, articles, tags, code_blocks, versions;
};
int fk_store_counts(struct fk_store *store, struct fk_store_counts *out, struct fk_error *err);

/* The identity key of an item filed under feed_url (see DESIGN: an absolute
 * URL guid is global, another guid is scoped by the feed, then the link,
 * then a hash of title and date). Returns a new string. */
char *fk_store_identity(const char *feed_url, const struct fk_item *item);

#endif
