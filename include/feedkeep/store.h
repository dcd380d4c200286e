/* store.h - the archive: one SQLite file holding feeds, articles, tags and
 * code blocks, with a full-text index; the assets articles reference (each
 * once, by SHA-256) and the feeds' own documents, compressed.
 *
 * The store is the only module that knows SQL. Writing happens feed by feed:
 * fk_store_begin_feed opens a transaction, fk_store_find_item and
 * fk_store_put_item file items one at a time, fk_store_end_feed commits (or
 * rolls back on failure).
 */
#ifndef FEEDKEEP_STORE_H
#define FEEDKEEP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/content.h"
#include "feedkeep/error.h"
#include "feedkeep/feed.h"
#include "feedkeep/fetch.h"

struct fk_store;
struct fk_search_query;
struct fk_fetch_schedule;

/* Open (creating it and its schema when absent) the archive at path.
 * Returns a handle to close with fk_store_close, or NULL with err filled
 * (kind FK_ERROR_DB) when the file cannot be opened, is not a feedkeep
 * archive (not SQLite, or another program's SQLite database), or was written
 * by a newer feedkeep. An empty or missing file becomes a new archive. A
 * handle is used by one thread at a time; several processes may open the
 * same archive (one writes at a time, waiting up to 5 s for the lock). */
struct fk_store *fk_store_open(const char *path, struct fk_error *err);

/* How fk_store_open_mode treats the file. */
enum fk_open_mode {
    FK_OPEN_CREATE,   /* as fk_store_open: a missing or empty file becomes
                         a new archive */
    FK_OPEN_EXISTING, /* never create anything: the archive must exist. It
                         is opened for writing when it and its directory
                         can be written, else read-only (immutable when
                         SQLite cannot make its shared-memory file beside
                         it); writes then fail */
};

/* Open the archive at path as mode says (see fk_store_open). Errors name
 * the cause: "no archive at 'PATH'" (missing, or an empty file, in
 * FK_OPEN_EXISTING mode), "'PATH' is a directory", "permission denied".
 * An archive opened read-only that needs a schema upgrade is refused. */
struct fk_store *fk_store_open_mode(const char *path, enum fk_open_mode mode, struct fk_error *err);
/* Whether location names a PostgreSQL database (a postgresql:// or
 * postgres:// URL, or a libpq connection string such as "service=team")
 * rather than a SQLite file. fk_store_open_mode opens either. */
bool fk_store_is_postgresql_location(const char *location);
/* Whether store is a PostgreSQL archive. Its fk_store_path is its location
 * without a password. */
bool fk_store_is_postgresql(const struct fk_store *store);
/* Whether store was opened read-only (FK_OPEN_EXISTING on an archive that
 * cannot be written). */
bool fk_store_read_only(const struct fk_store *store);
/* Close the archive; NULL is allowed. A feed begun and not ended is rolled
 * back. */
void fk_store_close(struct fk_store *store);

/* What filing one item did. */
enum fk_put_result {
    FK_PUT_NEW,
    FK_PUT_UPDATED, /* content changed; the old version was kept */
    FK_PUT_UNCHANGED,
    FK_PUT_KEPT_SHORTER, /* the new text was empty or under half the
                            archived one: kept as a rejected version, the
                            archived content stays */
    FK_PUT_COUNT         /* the number of results, for counting arrays */
};

/* Start filing one feed document: opens a write transaction and finds or
 * creates the feed row for feed_url (the document's URL, never NULL). info
 * (may be NULL) updates the feed's title and site link where it has them.
 * Returns 0, or -1 with err filled (for instance when another process holds
 * the write lock for more than 5 s, or a feed is already being filed). */
int fk_store_begin_feed(struct fk_store *store, const char *feed_url,
                        const struct fk_feed_info *info, struct fk_error *err);
/* An item of the current feed between fk_store_find_item and
 * fk_store_put_item: its identity, normalised tags and source hash, and
 * the archived article it is, if any, worked out once. Owned by the store;
 * valid until the next fk_store_find_item or fk_store_end_feed. */
struct fk_store_pending;

/* Filing one item of the current feed, first step, before converting its
 * content. The item is identified by fk_store_identity; its tags are
 * trimmed, ASCII-lower-cased and deduplicated. Returns 1 when there is
 * nothing more to do, which counts as FK_PUT_UNCHANGED: the archive holds
 * the item filed from the same source (the same title, summary and content
 * HTML, tags and enclosures), and it is recorded as seen again (its
 * last_seen time and the feeds that carried it), or the document carried
 * this article already. Returns 0 with *pending set when the item is new
 * or its source changed: convert its content and call fk_store_put_item.
 * item must stay valid until then. Returns -1 with err filled on error. */
int fk_store_find_item(struct fk_store *store, const struct fk_item *item,
                       struct fk_store_pending **pending, struct fk_error *err);
/* Filing one item, second step: file the item pending (from
 * fk_store_find_item) with its converted content (content may be NULL: no
 * text, no code). Sets *result to FK_PUT_NEW for a new article;
 * FK_PUT_UNCHANGED when the archive has it with the same title, text and
 * tags (only its last_seen time and the feeds that carried it are updated);
 * FK_PUT_UPDATED when one of those changed (the old content is kept in
 * article_versions first). The short-body guard: when the stored text is
 * not empty and the new one is empty or under half its length (in bytes),
 * the archive keeps its content and the new content is kept as a version of
 * kind "rejected": FK_PUT_KEPT_SHORTER, or FK_PUT_UNCHANGED when the same
 * rejected content was kept before (a feed that keeps sending a truncated
 * text is reported once) or when the article's text is its page's (see
 * fk_store_put_page: a teaser shorter than the page's text is what the
 * feed always sends). New articles become searchable when the feed is
 * committed. Returns 0, or -1 with err filled. After a database error the
 * feed cannot be committed any more (part of the item may be written):
 * further items fail and fk_store_end_feed rolls the feed back. */
int fk_store_put_item(struct fk_store *store, struct fk_store_pending *pending,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err);
/* Commit the current feed (ok true) or roll it back (ok false). final, when
 * not NULL and ok, updates the feed's title and site link. Returns 0, or -1
 * with err filled; the feed is then rolled back. Either way the handle is
 * ready for the next feed. */
int fk_store_end_feed(struct fk_store *store, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err);

/* The order of a listing: by which date, newest first unless reversed.
 * Articles without that date come last (first when reversed), ties go to
 * the most recently filed (the oldest filed when reversed). */
enum fk_sort {
    FK_SORT_PUBLISHED,  /* the article's date: published, else updated */
    FK_SORT_UPDATED,    /* the updated date, else the published date */
    FK_SORT_FIRST_SEEN, /* when the archive first saw the article */
};

/* A point in the archive's history: the highest article id and version
 * id. Articles filed later have higher ids, and so have the versions kept
 * when articles change, whatever the clocks say and however long a
 * writer's transaction takes. */
struct fk_store_mark {
    int64_t article_id;
    int64_t version_id;
};

/* Article filters shared by the query commands. Set up with fk_filter_init
 * (zero is not "no bound" for since and until), then set. Tags are
 * normalised like filed tags, empty ones ignored. since and until bound the
 * article's date (struct fk_article): one without a date never matches
 * them. All conditions must hold. */
struct fk_filter {
    const char *const *tags; /* all must match (lower-cased by the store) */
    size_t ntags;
    const char *const *any_tags; /* at least one must match */
    size_t nany_tags;
    int64_t since;                 /* date >= since; FK_TIME_NONE: no bound */
    int64_t until;                 /* date < until; FK_TIME_NONE: no bound */
    int64_t archived_since;        /* first_seen >= this (arrived in the
                                      archive since); FK_TIME_NONE: no bound */
    int64_t changed_since;         /* new (first_seen) or its content replaced
                                      (a "replaced" version) at or after
                                      this; FK_TIME_NONE: no bound */
    int64_t feed_id;               /* carried by this feed; 0: any */
    const char *feed_tag;          /* carried by a feed with this tag (any
                                      case); NULL or "": any */
    const char *author;            /* an author whose name has all these
                                      words, ignoring case and accents
                                      ("carol" finds "Carol Nguyễn"); NULL
                                      or "": any */
    bool has_code;                 /* with at least one code block... */
    const char *has_code_language; /* ...in this language (ignoring case)
                                      when not NULL or "" */
    const char *language;          /* code blocks only: language (case-insensitive) */
    /* Only articles filed or changed (a replaced version kept) after the
     * mark (fk_store_get_mark), and, when export_dir is not 0, those with
     * no file recorded in that export directory; NULL: any. */
    const struct fk_store_mark *changed_after;
    int64_t export_dir;
    enum fk_sort sort;
    bool reverse; /* oldest first */
    long limit;   /* at most this many results; <= 0: no limit */
    long offset;  /* skip this many results first; <= 0: none */
};
/* Set f to "no filter": every article, newest first. */
void fk_filter_init(struct fk_filter *f);

/* An article as the query functions return it. The strings are valid only
 * during the callback (or until fk_article_release for fk_store_get_article). */
struct fk_article {
    int64_t id;
    const char *guid;
    const char *url;
    const char *title;
    const char *author;       /* the display name */
    const char *author_email; /* the address the feed gave with it, or NULL */
    const char *feed_url;
    int64_t published; /* FK_TIME_NONE when unknown */
    int64_t updated;
    /* The article's date: published, else updated (an Atom entry need not
     * have published); FK_TIME_NONE when neither is known. What listings
     * sort by, since and until bound, and outputs show as its date. */
    int64_t date;
    int64_t first_seen; /* when the archive first and last saw it */
    int64_t last_seen;
    const char *const *tags; /* sorted by name */
    size_t ntags;
    /* fk_store_get_article only, else NULL and 0: */
    const char *text;          /* never NULL there */
    const char *markdown;      /* never NULL there */
    const char *published_raw; /* the dates as the feed wrote them */
    const char *updated_raw;
    const char *summary_html;
    const char *content_html;
    const char *const *feeds; /* URLs of the feeds that carried it */
    size_t nfeeds;
    int64_t versions; /* earlier and rejected versions kept */
    void *priv;       /* owned memory, for fk_article_release */
};

typedef int (*fk_article_fn)(const struct fk_article *article, void *ctx);

/* Call fn for each article matching f (NULL: all) in the order f asks
 * for (see enum fk_sort), after f->offset of them and at most f->limit. A
 * non-zero return from fn stops the walk and is returned. Returns 0, -1 with
 * err filled on a database error. fn may call fk_store_get_article and the
 * other query functions, not the writing ones. */
int fk_store_list(struct fk_store *store, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err);

/* Fetch one article with everything the archive holds about it (the
 * fields marked fk_store_get_article above too). Returns 0 and fills out
 * (free with fk_article_release), 1 when there is no such article, -1 on
 * error (out is zeroed in both cases). */
int fk_store_get_article(struct fk_store *store, int64_t id, struct fk_article *out,
                         struct fk_error *err);
/* Free what fk_store_get_article put in article and zero it; a zeroed
 * article is allowed. */
void fk_article_release(struct fk_article *article);

/* A stored code block, valid during the callback. */
struct fk_code_row {
    int64_t id;
    int64_t article_id;
    int position;         /* 0-based order in the article */
    const char *language; /* NULL when unknown */
    const char *code;
    size_t lines;
    const char *article_title;
};

typedef int (*fk_code_fn)(const struct fk_code_row *row, void *ctx);

/* Call fn for each code block of the articles matching f (NULL: all) and
 * f->language (NULL or "": any), articles in the order of f, blocks in
 * article order; f->limit and f->offset count code blocks. Same return
 * convention as fk_store_list. */
int fk_store_list_code(struct fk_store *store, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err);

/* Call fn once with code block id. Returns 0 after the call (or what fn
 * returned, when not 0), 1 when there is no such block, -1 with err
 * filled. The code may hold any bytes but NUL. */
int fk_store_get_code(struct fk_store *store, int64_t id, fk_code_fn fn, void *ctx,
                      struct fk_error *err);

/* Counts for summaries and tests (tags: the tags some article carries).
 * Returns 0, or -1 with err filled. */
struct fk_store_counts {
    int64_t feeds, articles, tags, code_blocks, versions;
};
int fk_store_counts(struct fk_store *store, struct fk_store_counts *out, struct fk_error *err);

/* Find the article whose link is url, or whose guid is url (or one of
 * the guids it was filed under, see fk_store_dedup_explain) when no link
 * is; the first filed when several are. Returns 0 with *id set, 1 when
 * there is none, -1 with err filled. */
int fk_store_find_article(struct fk_store *store, const char *url, int64_t *id,
                          struct fk_error *err);

/* --- full-text search --- */

/* How a search marks the matched words in its snippets, and how many of
 * the matches it ranks. */
struct fk_search_options {
    const char *mark_open;  /* before each matched word, e.g. "[" */
    const char *mark_close; /* after it */
    int snippet_words;      /* words of text around the matches; <= 0: 16 */
    long rank_window;       /* rank only the most recently filed this many
                               matches (of those the filter keeps); <= 0:
                               rank every match */
};

/* A search hit, valid during the callback. */
struct fk_search_hit {
    struct fk_article article; /* as fk_store_list gives it */
    double rank;               /* FTS5's bm25 with the title weighted 10,
                                  tags 5 and text 1: lower is better */
    const char *snippet;       /* a piece of the text around the matches,
                                  "..." (U+2026) where it is cut */
};

typedef int (*fk_hit_fn)(const struct fk_search_hit *hit, void *ctx);

/* The FTS5 MATCH expression over the full-text index's columns (title,
 * text, tags) for query (from fk_search_parse): every term quoted, every
 * compound operand in parentheses, so that the meaning never depends on
 * how FTS5 ranks its operators; an excluded member of an AND list follows
 * the others after NOT. Returns a new string (free it with free()). */
char *fk_store_fts_match(const struct fk_search_query *query);

/* Call fn for each article matching query (from fk_search_parse) and f,
 * best ranked first (ties: most recently
 * filed first), after f->offset hits and at most f->limit; f->sort and
 * f->reverse are ignored. With a rank window of N, the hits are the best
 * of the N most recently filed matching articles that pass f: ranking costs
 * time in proportion to the matches, and this bounds it on large archives.
 * (When fewer than N of the 8 N most recent matches pass f, every match is
 * ranked, which then costs less than looking further.) Returns
 * 0, fn's non-zero return, or -1 with err filled: kind FK_ERROR_USAGE when
 * the query is empty or FTS5 rejected it (the message says why), else
 * FK_ERROR_DB. */
int fk_store_search(struct fk_store *store, const struct fk_search_query *query,
                    const struct fk_filter *f, const struct fk_search_options *options,
                    fk_hit_fn fn, void *ctx, struct fk_error *err);

/* --- versions --- */

enum fk_version_kind {
    FK_VERSION_REPLACED, /* the article's content until a change replaced it */
    FK_VERSION_REJECTED, /* content a feed offered that the short-body guard
                            kept out */
    FK_VERSION_CURRENT,  /* the content the article has now */
};

/* One version of an article. Strings valid during the callback, or until
 * fk_version_release for fk_store_get_version. */
struct fk_version {
    int number; /* 1 for the oldest kept, the current one last */
    enum fk_version_kind kind;
    int64_t first_seen;  /* since when it was the content (rejected: when
                            the feed offered it) */
    int64_t replaced_at; /* when a change replaced it; FK_TIME_NONE for
                            the current and rejected versions */
    const char *title;
    const char *tags_text; /* tag names joined by spaces */
    size_t text_length;    /* in bytes */
    /* fk_store_get_version only, else NULL: */
    const char *text;
    const char *markdown;
    const char *html; /* where the text came from; may be NULL */
    void *priv;
};

typedef int (*fk_version_fn)(const struct fk_version *version, void *ctx);

/* Call fn for each version of article id, oldest first, the current one
 * last. Returns 0 (or fn's non-zero return), 1 when there is no such
 * article, -1 with err filled. */
int fk_store_list_versions(struct fk_store *store, int64_t id, fk_version_fn fn, void *ctx,
                           struct fk_error *err);
/* Fetch version number (as fk_store_list_versions numbers them) of
 * article id with its text. Returns 0 and fills out (free with
 * fk_version_release), 1 when there is no such article or version, -1
 * with err filled (out is zeroed in both cases). */
int fk_store_get_version(struct fk_store *store, int64_t id, int number, struct fk_version *out,
                         struct fk_error *err);
/* Free what fk_store_get_version put in version and zero it; a zeroed
 * version is allowed. */
void fk_version_release(struct fk_version *version);

/* --- tags and statistics --- */

/* A tag or an author with the number of articles carrying it and the
 * newest article date among them (FK_TIME_NONE when none has a date). */
struct fk_name_count {
    const char *name;
    int64_t articles;
    int64_t newest;
};

typedef int (*fk_name_count_fn)(const struct fk_name_count *count, void *ctx);

/* Call fn for each tag some article carries, the most used first (ties by
 * name), at most limit of them (<= 0: all). Same return convention as
 * fk_store_list. */
int fk_store_list_tags(struct fk_store *store, long limit, fk_name_count_fn fn, void *ctx,
                       struct fk_error *err);

/* Call fn for each author (an article's display name; the articles by that
 * name in any case), the most prolific first (ties by name), at most limit
 * of them (<= 0: all). Same return convention as fk_store_list. */
int fk_store_list_authors(struct fk_store *store, long limit, fk_name_count_fn fn, void *ctx,
                          struct fk_error *err);

/* Code blocks of one language (NULL: blocks without one). */
struct fk_language_count {
    const char *language;
    int64_t blocks;
};

/* Set *blocks to the number of code blocks in language (ignoring case),
 * counted up to 1000 (enough to tell rare from common); with any, to 1
 * when there is one and 0 when there is none (cheaper). Returns 0, or -1
 * with err filled. */
int fk_store_language_blocks(struct fk_store *store, const char *language, bool any,
                             int64_t *blocks, struct fk_error *err);

typedef int (*fk_language_fn)(const struct fk_language_count *language, void *ctx);
/* Call fn for each language of the code blocks (not the blocks without
 * one), the most used first. Same return convention as fk_store_list. */
int fk_store_list_languages(struct fk_store *store, fk_language_fn fn, void *ctx,
                            struct fk_error *err);

/* What fk_store_complete offers. */
enum fk_complete {
    FK_COMPLETE_TAGS,
    FK_COMPLETE_LANGUAGES,
    FK_COMPLETE_AUTHORS,
    FK_COMPLETE_FEEDS, /* names, URLs and ids */
};

typedef int (*fk_complete_fn)(const char *candidate, void *ctx);
/* Call fn for each name of the kind what that starts with prefix
 * (ignoring ASCII case; NULL: any), sorted, at most 200: for shell
 * completion. Same return convention as fk_store_list. */
int fk_store_complete(struct fk_store *store, enum fk_complete what, const char *prefix,
                      fk_complete_fn fn, void *ctx, struct fk_error *err);

/* The assets of the archive (see fk_store_put_asset). Deduplication:
 * urls_stored URLs are served by assets stored assets, and
 * linked_bytes - bytes is what storing each URL's bytes apart would have
 * cost more. */
struct fk_asset_stats {
    int64_t assets;       /* stored, each once */
    int64_t bytes;        /* their size */
    int64_t urls;         /* URLs known, in any state */
    int64_t urls_stored;  /* of those: resolved to a stored asset */
    int64_t urls_pending; /* not tried yet */
    int64_t urls_failed;
    int64_t urls_skipped;
    int64_t linked_bytes; /* the sum over stored URLs of their asset's size */
};

/* The raw documents kept (see fk_store_put_raw). */
struct fk_raw_stats {
    int64_t documents;
    int64_t bytes;          /* compressed, as stored */
    int64_t original_bytes; /* before compression */
};

/* The dictionary the articles' HTML is compressed with (SQLite, schema
 * 18); all 0 without one, and on PostgreSQL. */
struct fk_pack_stats {
    int64_t dictionary_bytes;
    int64_t test_alone;  /* the HTML it was tried on, compressed alone */
    int64_t test_packed; /* and compressed with it */
};

/* An overview of the archive. */
struct fk_store_stats {
    struct fk_store_counts counts;
    int64_t subscribed; /* feeds fetched by feedkeep fetch */
    int64_t failing;    /* of those, the ones whose last fetch failed */
    int64_t size_bytes; /* the database file: pages times page size */
    int64_t wal_bytes;  /* the write-ahead log beside it (0: none) */
    int64_t oldest;     /* article dates; FK_TIME_NONE when none */
    int64_t newest;
    int64_t last_fetch;                  /* the latest fetch of any feed, or FK_TIME_NONE */
    struct fk_language_count *languages; /* the most used first */
    size_t nlanguages;
    struct fk_asset_stats assets;
    struct fk_raw_stats raw;
    struct fk_pack_stats pack;
    void *priv;
};

/* Fill out (free with fk_store_stats_release). Returns 0, or -1 with err
 * filled (out is zeroed then). */
int fk_store_stats(struct fk_store *store, struct fk_store_stats *out, struct fk_error *err);
void fk_store_stats_release(struct fk_store_stats *stats);

/* --- maintenance --- */

typedef void (*fk_problem_fn)(const char *check, const char *problem, void *ctx);

/* Check the archive: SQLite's integrity check of the file, the foreign
 * keys, the code blocks' places, the articles' link keys, that the
 * full-text index agrees with the articles, that the kept
 * counts agree with a recount (fk_store_repair_counts), and the
 * assets' structure (fk_store_check_assets without rehashing). fn gets
 * each problem found with the name of the check that found it. Returns
 * the number of problems (0: all is well), or -1 with err filled when a
 * check could not run. Reads only. */
int fk_store_check(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_error *err);

/* What a long maintenance command (check, vacuum) is doing: stage, a
 * phrase ("checking the file", "compressing", ...), and how many of its
 * rows are done (0 when it counts none). Called often; the function shows
 * what it wants of it. */
typedef void (*fk_progress_fn)(const char *stage, int64_t done, void *ctx);
/* Have fn (NULL: none) told the progress of fk_store_check and
 * fk_store_vacuum. */
void fk_store_set_progress(struct fk_store *store, fk_progress_fn fn, void *ctx);

/* Copy every row of the archive from into the archive to, either of them
 * a SQLite file or a PostgreSQL database: feeds (subscriptions, names,
 * options, validators, backoff) and their tags, articles, versions, tags,
 * code blocks, enclosures, aliases, feed membership, the fetch log and
 * runs, export records, assets and their URLs, raw documents, article
 * pages and API rows, each keeping its id. A row to already has is left
 * as it is, and rows are committed a few thousand at a time, so that a
 * copy run again after an interruption goes on where it stopped and a
 * copy run again after it finished changes nothing. What to derives from
 * the rows is made too (SQLite: the full-text index, the author names,
 * the kept counts; PostgreSQL: the search column, the identity
 * sequences). progress (NULL: none) is told each table's rows done, with
 * ctx. Returns 0, or -1 with err filled: FK_ERROR_USAGE when from and to
 * are one archive, or when to holds another archive (a row of an id from
 * has under another name: an article's key, a feed's URL); to then keeps
 * what was committed before. */
int fk_store_copy(struct fk_store *from, struct fk_store *to, fk_progress_fn progress, void *ctx,
                  struct fk_error *err);

/* A SHA-256 function: the digest of len bytes at data into out. Returns
 * 0, or -1 when it cannot. */
typedef int (*fk_sha256_fn)(const void *data, size_t len, unsigned char out[32]);

/* Check the assets (fk_store_check runs this without sha256): that no URL
 * is "stored" without its asset, and no asset is an orphan that no URL
 * resolves to (check "assets"); with sha256 also that every asset's bytes
 * hash to its SHA-256 and that its size is theirs (check "asset bytes").
 * The store holds no hash function of its own: the caller that wants the
 * bytes read again gives one. fn gets each problem. Returns the number of
 * problems, or -1 with err filled. Reads only. */
int fk_store_check_assets(struct fk_store *store, fk_sha256_fn sha256, fk_problem_fn fn, void *ctx,
                          struct fk_error *err);

/* The repair of the problems fk_store_check_assets reports: assets no URL
 * resolves to are deleted, and URLs marked stored without their asset are
 * made pending again (fetched anew). Not while a feed is being filed.
 * Sets *repaired (when not NULL) to the rows changed. Returns 0, or -1
 * with err filled (nothing is changed then). */
int fk_store_repair_assets(struct fk_store *store, int64_t *repaired, struct fk_error *err);

/* Recount the counts the archive keeps per tag, author name, code
 * language and feed, and its numbers of articles and versions, which
 * fk_store_check compares with a recount ("counts"). Not while a feed is
 * being filed. Returns 0, or -1 with err filled (nothing is changed then). */
int fk_store_repair_counts(struct fk_store *store, struct fk_error *err);

/* Write again from its URL every article's link key that is not the link
 * key of its URL (fk_store_check's "link keys"; a URL changed by hand).
 * Not while a feed is being filed. Sets *repaired (when not NULL) to the
 * articles changed. Returns 0, or -1 with err filled (nothing is changed
 * then). On PostgreSQL, whose archive finds articles by their URL itself,
 * it does nothing. */
int fk_store_repair_link_keys(struct fk_store *store, int64_t *repaired, struct fk_error *err);

/* The repair of the assets whose bytes fk_store_check_assets with sha256
 * finds damaged (their bytes do not hash to their SHA-256, or are not
 * their size): they are hashed again with sha256, and each damaged one is
 * deleted; the URLs that resolved to it become pending, without
 * validators, so that the fetch of assets gets them anew. Not while a
 * feed is being filed. Sets *removed (when not NULL) to the assets deleted
 * and *urls (when not NULL) to the URLs made pending. Returns 0, or -1
 * with err filled (nothing is changed then), also when sha256 fails. */
int fk_store_repair_asset_bytes(struct fk_store *store, fk_sha256_fn sha256, int64_t *removed,
                                int64_t *urls, struct fk_error *err);

/* Compact the archive: compress the HTML and Markdown that an older
 * feedkeep stored plain (schema 14; a batch of rows per transaction, kept
 * when a later step fails), rebuild the full-text index from the articles
 * (which also repairs an index that fk_store_check found wrong), rebuild
 * the file without its free pages (SQLite's VACUUM, which needs room for a
 * copy of the archive), and empty the write-ahead log, telling the
 * progress function (fk_store_set_progress) each stage. Waits for other
 * writers like filing does. Not while a feed is being filed. Returns 0, or
 * -1 with err filled. */
int fk_store_vacuum(struct fk_store *store, struct fk_error *err);

/* --- articles read through an API (schema 12) --- */

/* What the archive holds of an API's article (see fk_item_api). */
struct fk_api_state {
    int64_t article_id;
    int64_t edited;    /* the edited time of what was filed, FK_TIME_NONE */
    bool has_markdown; /* the author's Markdown is kept */
};

/* The article that item (an API's article from a list: its guid, url and
 * id), filed under feed_url, is in the archive, under its key or one of its aliases, with what
 * the API told of it. Returns 0 with *out filled, 1 when the archive does
 * not have it through an API (out->article_id is the article when it has
 * it from a feed, else 0), -1 with err filled. */
int fk_store_api_state(struct fk_store *store, const char *feed_url, const struct fk_item *item,
                       struct fk_api_state *out, struct fk_error *err);

/* Record that the feed being filed lists article id, which the archive
 * has as it is (an API list, without the body): the feed carried it, and
 * its latest counts of item (reading time, reactions, comments; -1 keeps
 * the one kept) replace the ones kept, at time now, never making a version.
 * Returns 0, or -1 with err filled (the feed then cannot be committed). */
int fk_store_api_seen(struct fk_store *store, int64_t id, const struct fk_item *item, int64_t now,
                      struct fk_error *err);

/* An article's API row, as stored. */
struct fk_api_row {
    int64_t api_id;
    char *url;
    char *canonical_url;
    char *markdown; /* the author's */
    char *series;
    char *organization;
    int64_t edited;
    long reading_minutes, reactions, comments; /* -1: unknown */
};

/* Read article id's API row into *row (release it with
 * fk_api_row_release). Returns 0, 1 when the article has none (row
 * zeroed), -1 with err filled. */
int fk_store_get_api(struct fk_store *store, int64_t id, struct fk_api_row *row,
                     struct fk_error *err);
void fk_api_row_release(struct fk_api_row *row);

/* The identity key of an item filed under feed_url: the first of these
 * that applies, all values trimmed of white space:
 *   a guid that is an absolute URI (fk_url_is_absolute)   "guid:" GUID
 *   any other non-empty guid, scoped by the feed           "feed:" FEED " guid:" GUID
 *   an absolute link                                       "url:" URL
 *   else a 64-bit FNV-1a hash of title and published_raw   "hash:" FEED " " 16 hex digits
 * Returns a new string the caller frees. */
char *fk_store_identity(const char *feed_url, const struct fk_item *item);

/* --- articles under changed guids --- */

/* A feed that changes its guids (tag: URIs, then permalinks) would have its
 * whole history archived twice. So when an item's identity key is new to
 * the archive (neither an article's key nor an alias), the store looks for
 * the article it may be, and files the item as that article when all of
 * these hold (fk_match):
 *   - the article was carried by the feed being filed (never another feed);
 *   - its link key (fk_store_link_key) is the item's; the link is not a
 *     site's front page (no path, no query), nor the feed's own URL or site
 *     link; and no other article of the feed has that link key (a link many
 *     items share, like a daily digest's, names no one article);
 *   - the same document has not carried the article already (the guard
 *     only sees the items before this one);
 *   - the titles are the same (ASCII case and runs of white space
 *     ignored, not empty) and the published dates are less than
 *     FK_MATCH_MAX_DATE_APART apart (or one is unknown), or the texts are
 *     nearly the same: the shorter at least FK_MATCH_MIN_LENGTH_RATIO of the
 *     longer in bytes, and the Jaccard similarity of their sets of word
 *     3-shingles (every three consecutive words, ASCII case ignored) at
 *     least FK_MATCH_MIN_SIMILARITY.
 * The item is then filed as that article exactly as a new version of it
 * would be (an update, kept shorter, or unchanged), and its key becomes an
 * alias of the article (the article keeps its first key, while its guid
 * and link, like its content, are those of the item last written), so the
 * next document finds it with one more indexed lookup, made only when the
 * key itself is not found. An article reached under another of its keys
 * after being filed in the same document is not filed again
 * (FK_PUT_UNCHANGED). */
#define FK_MATCH_MAX_DATE_APART   (24 * 60 * 60)
#define FK_MATCH_MIN_LENGTH_RATIO 0.9
#define FK_MATCH_MIN_SIMILARITY   0.8

/* A link as the rule compares links: an http or https URL (surrounding
 * white space ignored) without its scheme (http and https links are one:
 * "//host/path"), its host in lower case, without the scheme's default
 * port, its fragment, or slashes at the end of its path; the query is kept
 * as it is. NULL for any other link. Returns a new string the caller
 * frees. */
char *fk_store_link_key(const char *url);

/* The number of items of the feed being filed (since fk_store_begin_feed)
 * that the rule filed as an article under a new key; *first_id (when not
 * NULL) is set to the first such article. 0 outside a feed. */
long fk_store_feed_matches(const struct fk_store *store, int64_t *first_id);

/* What the rule says of two articles. */
struct fk_match {
    bool same_feed;       /* a feed carried both */
    bool same_link;       /* both have a link key, the same */
    bool link_identifies; /* not a front page, the feed or its site, and no
                             third article of the feed has it */
    bool same_title;
    bool dates_agree;    /* published less than a day apart, or one unknown */
    double length_ratio; /* the shorter text's length over the longer's; 0
                            when one is empty */
    double similarity;   /* Jaccard similarity of the word 3-shingles */
    bool similar_text;   /* both figures reach their minimum */
    bool match;          /* one article: an item of one would be filed as
                            the other */
};

/* An article as fk_store_dedup_explain shows it. The strings belong to
 * the explanation (see fk_dedup_explain_release). */
struct fk_dedup_article {
    int64_t id;
    char *key; /* its identity key */
    char *guid;
    char *url;
    char *link_key; /* NULL when the link is not one the rule compares */
    char *title;
    int64_t published;
    size_t text_length; /* bytes */
};

/* A key under which an article was filed besides its own. */
struct fk_dedup_alias {
    char *key;
    char *guid;      /* as the feed wrote it */
    char *feed_url;  /* whose item had it; NULL when the feed is gone */
    char *rule;      /* "title" or "text": what matched, with the link */
    int64_t created; /* when */
};

/* Another article, and what the rule says of the two. */
struct fk_dedup_candidate {
    struct fk_dedup_article article;
    char *feed_url;   /* the first feed that carried both; NULL: none */
    bool shared_link; /* the link is a front page, the feed or its site */
    int64_t others;   /* further articles of that feed with the link key */
    struct fk_match match;
};

/* Filled by fk_store_dedup_explain; free with fk_dedup_explain_release. */
struct fk_dedup_explanation {
    struct fk_dedup_article article;
    struct fk_dedup_alias *aliases; /* oldest first */
    size_t naliases;
    struct fk_dedup_candidate *candidates; /* by id */
    size_t ncandidates;
    bool more; /* there are more candidates than FK_DEDUP_MAX_CANDIDATES */
};
#define FK_DEDUP_MAX_CANDIDATES 50

/* Explain the rule for article id: its key and aliases, and the articles it
 * is compared with: article other when other is not 0 (whatever its feeds
 * and link), else the other articles that share a feed and the link key
 * with it (at most FK_DEDUP_MAX_CANDIDATES). Every figure of each match is
 * worked out. Returns 0 and fills out, 1 when the archive has no article
 * id or other (out is zeroed), -1 with err filled. */
int fk_store_dedup_explain(struct fk_store *store, int64_t id, int64_t other,
                           struct fk_dedup_explanation *out, struct fk_error *err);
/* Free what fk_store_dedup_explain put in out and zero it; a zeroed struct
 * is allowed. */
void fk_dedup_explain_release(struct fk_dedup_explanation *out);

/* --- assets: the files articles reference, kept in the archive --- */

/* enum fk_asset_kind (content.h) says what an article does with an asset. */
/* "image", "poster", "video", "audio", "thumbnail" (as stored); NULL for
 * a value out of range. */
const char *fk_asset_kind_name(enum fk_asset_kind kind);

/* A URL's state. */
enum fk_asset_status {
    FK_ASSET_PENDING, /* not fetched yet */
    FK_ASSET_STORED,  /* its bytes are an asset of the archive */
    FK_ASSET_FAILED,  /* the last fetch failed; tried again after a backoff */
    FK_ASSET_SKIPPED, /* a cap or a policy kept it out */
    FK_ASSET_STATUS_COUNT
};
/* "pending", "stored", "failed", "skipped"; NULL out of range. */
const char *fk_asset_status_name(enum fk_asset_status status);

/* Why a URL was skipped. Those with a cap record its value: the URL is
 * due again once the caller's cap differs (fk_asset_caps); the others are
 * final, but for FK_ASSET_SKIP_RUN_BYTES, due again at the next run. */
enum fk_asset_skip {
    FK_ASSET_SKIP_TOO_LARGE,      /* cap: the most bytes of one asset */
    FK_ASSET_SKIP_ARTICLE_COUNT,  /* cap: assets per article */
    FK_ASSET_SKIP_ARTICLE_BYTES,  /* cap: bytes per article */
    FK_ASSET_SKIP_ARCHIVE_BUDGET, /* cap: bytes of all assets */
    FK_ASSET_SKIP_PRIVATE,        /* cap: 1 when private addresses are allowed */
    FK_ASSET_SKIP_MEDIA,          /* cap: 1 when video and audio are kept */
    FK_ASSET_SKIP_RUN_BYTES,      /* the run's bytes were spent */
    FK_ASSET_SKIP_NOT_IMAGE,      /* the bytes are not an image (nor an
                                     enabled video or audio) */
    FK_ASSET_SKIP_SVG_UNSAFE,     /* an SVG with script or external
                                     references */
    FK_ASSET_SKIP_SCHEME,         /* not an http or https URL */
    FK_ASSET_SKIP_COUNT
};
/* The reason as stored and shown: "too large", "per-article count",
 * "per-article bytes", "archive budget", "private address", "video/audio
 * not enabled", "run bytes", "not an image", "svg unsafe", "not http";
 * NULL out of range. */
const char *fk_asset_skip_name(enum fk_asset_skip reason);

/* An asset an article references, in the article's order. */
struct fk_asset_ref {
    const char *url; /* absolute */
    enum fk_asset_kind kind;
    bool linked; /* the article's Markdown links it (else: a thumbnail, a
                    srcset candidate it does not show) */
};

/* The id of the article pending was filed as, after fk_store_put_item
 * (0 before). */
int64_t fk_store_pending_article(const struct fk_store_pending *pending);

/* What a feed's enclosure (url, its type as the feed wrote it or NULL,
 * and fk_enclosure.kind) is as an asset of its article: a picture of it
 * ("thumbnail": FK_ASSET_THUMBNAIL), a file of an image, video or audio
 * type. Returns false when it is none of these or url is not http or
 * https. */
bool fk_enclosure_asset_kind(const char *url, const char *type, const char *kind,
                             enum fk_asset_kind *out);

/* Record the references of article id from what it was converted to
 * (content; NULL: none) and its stored enclosures: the content's assets in
 * order, then the enclosures that are assets (fk_enclosure_asset_kind),
 * each URL once. Written (fk_store_set_article_assets) only when they
 * differ from the recorded ones. Same transaction rules and return
 * convention as fk_store_set_article_assets. */
int fk_store_sync_article_assets(struct fk_store *store, int64_t id,
                                 const struct fk_content *content, struct fk_error *err);

/* Replace the references of article id by refs (nrefs of them, in
 * order; a URL new to the archive becomes pending). Called in the feed's
 * transaction when an item is filed (then it is written there: a failure
 * means the feed cannot be committed), else in a transaction of its own.
 * URLs no article references any more are kept with their assets (an
 * earlier version may show them). Returns 0, or -1 with err filled. */
int fk_store_set_article_assets(struct fk_store *store, int64_t id, const struct fk_asset_ref *refs,
                                size_t nrefs, struct fk_error *err);

/* The caps and switches in force, for fk_store_list_due_assets. */
struct fk_asset_caps {
    int64_t max_bytes;     /* of one asset */
    int64_t article_count; /* assets per article */
    int64_t article_bytes; /* bytes per article */
    int64_t archive_bytes; /* the archive's budget for all assets */
    bool allow_private;    /* --allow-private-assets */
    bool media;            /* video and audio kept */
};

/* A URL due for fetching, valid during the callback. */
struct fk_asset_due {
    int64_t url_id;
    const char *url;
    enum fk_asset_status status; /* pending, failed or skipped */
    const char *etag;            /* validators of its stored asset */
    const char *last_modified;
    int failures;            /* failed fetches in a row */
    int64_t article_id;      /* the first article referencing it */
    int64_t feed_id;         /* the first feed that carried that article; 0:
                                none */
    enum fk_asset_kind kind; /* as that article references it */
    bool private_origin;     /* a feed carrying an article that references
                                it came from a private address */
};

typedef int (*fk_asset_due_fn)(const struct fk_asset_due *due, void *ctx);

/* Call fn for each URL referenced by an article and due for fetching at
 * now: pending or failed with its next try passed, or skipped under a cap
 * whose value in caps differs (caps NULL: none differs), or for the run's
 * bytes, the oldest first,
 * at most limit (<= 0: all). With enabled_only, only URLs referenced by
 * an article of a feed with FK_FEED_ASSETS on. The caller applies its
 * policy (schemes, private addresses, caps) and records each outcome with
 * the functions below. fn must not write. Same return convention as
 * fk_store_list. */
int fk_store_list_due_assets(struct fk_store *store, int64_t now, const struct fk_asset_caps *caps,
                             bool enabled_only, long limit, fk_asset_due_fn fn, void *ctx,
                             struct fk_error *err);

/* Bytes fetched from a URL. */
struct fk_asset_fetched {
    const char *url;
    const unsigned char *sha256; /* 32 bytes: the SHA-256 of data */
    const char *mime;            /* sniffed from the bytes */
    const void *data;
    size_t size;
    const char *etag; /* the response's validators (may be NULL) */
    const char *last_modified;
    int64_t time; /* when it was fetched */
};

/* Store what was fetched from a URL in one transaction (or in the feed's,
 * between fk_store_begin_feed and fk_store_end_feed): the bytes become an
 * asset unless one with the same SHA-256 is stored already (then they are
 * not stored again), and the URL (known or not) resolves to it, "stored",
 * its failures and skip reason cleared. Sets *is_new (when not NULL) to
 * whether the bytes were new to the archive. The store trusts sha256 and
 * does not hash the bytes (fk_store_check_assets can). Returns 0, or -1
 * with err filled (nothing is stored then). */
int fk_store_put_asset(struct fk_store *store, const struct fk_asset_fetched *asset, bool *is_new,
                       struct fk_error *err);

/* A conditional fetch of a stored URL found its asset unchanged (304):
 * its failures are cleared and its last try set to time. Returns 0, 1
 * when the archive does not know url, -1 with err filled. */
int fk_store_asset_not_modified(struct fk_store *store, const char *url, int64_t time,
                                struct fk_error *err);

/* A fetch of url failed with error at time: the URL (made known when it
 * is not) counts one more failure in a row and is due again after the
 * backoff of feeds (fk_store_backoff_delay), or after retry_after
 * (FK_TIME_NONE: none; bounded by FK_RETRY_AFTER_MAX) when that is later.
 * A stored URL keeps its asset. Sets *next_try when not NULL. Returns 0,
 * or -1 with err filled. */
int fk_store_asset_failed(struct fk_store *store, const char *url, const char *error, int64_t time,
                          int64_t retry_after, int64_t *next_try, struct fk_error *err);

/* url (made known when it is not) was skipped at time for reason, under
 * the cap value cap (ignored for reasons without a cap). Returns 0, or -1
 * with err filled. */
int fk_store_asset_skipped(struct fk_store *store, const char *url, enum fk_asset_skip reason,
                           int64_t cap, int64_t time, struct fk_error *err);

/* What the assets take, for the caps: the stored assets article id
 * references (0: none), counted once each, and the bytes of all assets. */
struct fk_asset_usage {
    int64_t article_count;
    int64_t article_bytes;
    int64_t archive_bytes;
};
/* Fill usage. Returns 0, or -1 with err filled. */
int fk_store_asset_usage(struct fk_store *store, int64_t article_id, struct fk_asset_usage *usage,
                         struct fk_error *err);
/* Fill the article's part of usage only (archive_bytes 0): the archive's
 * total reads a page of every asset, too much for each asset of a run.
 * Returns 0, or -1 with err filled. */
int fk_store_asset_article_usage(struct fk_store *store, int64_t article_id,
                                 struct fk_asset_usage *usage, struct fk_error *err);

/* Which references fk_store_list_assets walks. Set up with
 * fk_asset_filter_init. */
struct fk_asset_filter {
    int64_t article_id;     /* 0: any */
    int64_t feed_id;        /* referenced by an article this feed carried; 0:
                               any */
    const char *mime_class; /* "image", "video", "audio": the type's first
                               part; NULL: any (a URL not stored has none) */
    int status;             /* an enum fk_asset_status; -1: any */
    long limit;             /* <= 0: no limit */
};
void fk_asset_filter_init(struct fk_asset_filter *f);

/* A URL an article references, with its state; valid during the
 * callback. */
struct fk_asset_row {
    int64_t article_id; /* 0 for a URL no article references any more */
    int position;       /* in the article, 0-based */
    enum fk_asset_kind kind;
    bool linked;
    const char *url;
    enum fk_asset_status status;
    const char *reason; /* skipped: fk_asset_skip_name; failed: the error;
                           else NULL */
    /* stored only, else 0, NULL, 0 and all zero: */
    int64_t size;
    const char *mime;
    bool has_sha256;
    unsigned char sha256[32];
};

typedef int (*fk_asset_row_fn)(const struct fk_asset_row *row, void *ctx);

/* Call fn for each reference matching f (NULL: all), by article and
 * position (URLs no article references last, by URL). Same return
 * convention as fk_store_list; fn must not write. */
int fk_store_list_assets(struct fk_store *store, const struct fk_asset_filter *f,
                         fk_asset_row_fn fn, void *ctx, struct fk_error *err);
/* The references of article id in its order: fk_store_list_assets with
 * only f.article_id set. */
int fk_store_article_assets(struct fk_store *store, int64_t id, fk_asset_row_fn fn, void *ctx,
                            struct fk_error *err);

/* A stored asset, valid during the callback. */
struct fk_asset {
    int64_t id;
    unsigned char sha256[32];
    const char *mime;
    const void *data;
    size_t size;
    int64_t created; /* first stored */
};

typedef int (*fk_asset_fn)(const struct fk_asset *asset, void *ctx);

/* Call fn once with the asset whose SHA-256 in hex (either case) starts
 * with sha_hex (1 to 64 digits), or, when sha_hex is NULL, the asset url
 * resolves to. Returns 0 after the call (or fn's non-zero return), 1 when
 * there is none, -1 with err filled: kind FK_ERROR_USAGE when sha_hex is
 * not hex or names more than one asset. */
int fk_store_get_asset(struct fk_store *store, const char *sha_hex, const char *url, fk_asset_fn fn,
                       void *ctx, struct fk_error *err);

/* --- raw documents: the feed's own bytes --- */

/* A document as a feed sent it. */
struct fk_raw_document {
    int64_t id;      /* set by fk_store_list_raw */
    int64_t feed_id; /* fk_store_put_raw: 0 for the feed being filed */
    const char *url; /* where it was read */
    int64_t time;
    int status;               /* HTTP status; 0: read from a file */
    const char *content_type; /* response headers; NULL: none */
    const char *etag;
    const char *last_modified;
    const char *date;
    const void *data;
    size_t size;
    int64_t stored_bytes; /* fk_store_list_raw: compressed, as stored */
};

/* The largest document kept, in bytes. */
#define FK_RAW_MAX (256 * 1024 * 1024)

/* Keep doc, compressed with zstd, in the feed's transaction (between
 * fk_store_begin_feed and fk_store_end_feed, doc->feed_id 0 or the
 * feed's) or in one of its own. Returns 0, 1 when the feed has
 * FK_FEED_KEEP_RAW off (nothing kept), -1 with err filled (kind
 * FK_ERROR_INPUT when doc is over FK_RAW_MAX). */
int fk_store_put_raw(struct fk_store *store, const struct fk_raw_document *doc,
                     struct fk_error *err);

typedef int (*fk_raw_fn)(const struct fk_raw_document *doc, void *ctx);

/* Call fn with each raw document of feed feed_id (0: of every feed), in
 * the order they were kept, decompressed: one document in memory at a
 * time, its size. The document is valid during the callback; fn must not
 * write. Same return convention as fk_store_list; a document that does
 * not decompress to its recorded size is a database error. */
int fk_store_list_raw(struct fk_store *store, int64_t feed_id, fk_raw_fn fn, void *ctx,
                      struct fk_error *err);

/* --- reparse: the derived forms again from the stored HTML --- */

/* What an article was converted from, valid during the callback. */
struct fk_article_source {
    int64_t id;
    const char *title;
    const char *html;     /* its content, else its summary, or the article
                             extracted from its page when that is its
                             content (fk_store_put_page); may be NULL */
    const char *base_url; /* what its links were resolved against: the
                             item's base when filed by a schema-9
                             feedkeep, else its first feed's URL; may be
                             NULL */
};

typedef int (*fk_source_fn)(const struct fk_article_source *source, void *ctx);

/* Call fn for each article matching f (NULL: all; f->sort, limit and
 * offset apply), by id when f is NULL. Unlike the other walks, fn may
 * write (fk_store_reparse_article): the matching ids are read first.
 * Same return convention as fk_store_list. */
int fk_store_list_sources(struct fk_store *store, const struct fk_filter *f, fk_source_fn fn,
                          void *ctx, struct fk_error *err);

/* Call fn with what the feed said of article id (its content, else its
 * summary, and their base), whatever its page says; fn may write.
 * Returns 0, 1 when there is no article id, -1 with err filled; fn's
 * non-zero return is -1 too, err untouched. */
int fk_store_feed_source(struct fk_store *store, int64_t id, fk_source_fn fn, void *ctx,
                         struct fk_error *err);

/* What fk_store_reparse_article did. */
enum fk_reparse_result {
    FK_REPARSE_UNCHANGED, /* the same text, Markdown and code blocks:
                             nothing written */
    FK_REPARSE_REWRITTEN, /* the Markdown or code blocks changed, the text
                             did not: rewritten, no version kept */
    FK_REPARSE_CHANGED,   /* the text changed: the old content is kept as
                             a replaced version first, as when a feed
                             changes an article */
    FK_REPARSE_MISSING,   /* no article id */
};

/* Replace the derived forms of article id (text, Markdown, code blocks,
 * and through them the full-text index) by content, converted again from
 * its stored HTML, in a transaction of its own, and record its asset
 * references from it (fk_store_sync_article_assets: an archive made before
 * they were recorded gets them); its identity, dates, title, tags, feeds
 * and HTML are untouched. Nothing is written when they are all
 * byte-identical. Not while a feed is being filed. Returns 0 with
 * *result set, or -1 with err filled (nothing is written then). */
int fk_store_reparse_article(struct fk_store *store, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err);

/* --- article pages: whole articles from summary-only feeds --- */

/* When the fetch run fetches the pages of a feed's items and extracts
 * their articles (a feed's full_text). */
enum fk_full_text {
    FK_FULL_TEXT_OFF = 0,  /* never: the feed's text is the article */
    FK_FULL_TEXT_ON = 1,   /* for every item */
    FK_FULL_TEXT_AUTO = 2, /* for teasers (fk_teaser_is), never on sites whose
                              feeds carry whole articles; a feed new to the
                              archive gets it, the feeds of an archive made
                              before schema 11 get off */
};
/* "off", "on", "auto"; NULL out of range. */
const char *fk_full_text_name(enum fk_full_text mode);
/* The mode named name (as fk_full_text_name gives it), into *out. Returns
 * false, *out untouched, for anything else. */
bool fk_full_text_parse(const char *name, enum fk_full_text *out);

/* A page that failed this many times in a row is given up until its item
 * changes (the feed sends it with another source). */
#define FK_PAGE_TRIES 5

/* What became of an article's page. */
enum fk_page_status {
    FK_PAGE_STORED,   /* its article was extracted and kept */
    FK_PAGE_UNUSABLE, /* fetched, or refused, for good: not HTML, too
                         large, not allowed, or no article text; fetched
                         again when the item changes */
    FK_PAGE_FAILED,   /* the fetch failed; tried again after a backoff */
    FK_PAGE_SKIPPED,  /* not wanted: the item is no teaser (auto) */
    FK_PAGE_STATUS_COUNT
};
/* "stored", "unusable", "failed", "skipped"; NULL out of range. */
const char *fk_page_status_name(enum fk_page_status status);

/* An article of a feed whose page may be wanted: never fetched for its
 * item's current source, in a backoff that is over, or skipped as no
 * teaser (only listed when the feed's mode is on). Strings are valid
 * during the callback only; those of an earlier fetch are NULL when there
 * was none. */
struct fk_page_due {
    int64_t article_id;
    const char *url;  /* the item's link, http or https */
    const char *html; /* what the feed said: its content, else summary */
    const char *text; /* the article's text */
    const char *etag; /* validators of the page stored, for a conditional
                         GET */
    const char *last_modified;
    bool stored; /* a page is stored (FK_PAGE_STORED) */
};

typedef int (*fk_page_due_fn)(const struct fk_page_due *due, void *ctx);

/* Call fn for each article of feed feed_id whose page may be wanted
 * (mode says whether skipped ones are), newest first. fn must not write.
 * A non-zero return from fn stops the walk and is returned. Returns 0, or
 * -1 with err filled. */
int fk_store_list_due_pages(struct fk_store *store, int64_t feed_id, enum fk_full_text mode,
                            int64_t now, fk_page_due_fn fn, void *ctx, struct fk_error *err);

/* Record that the pages of articles ids (count of them, at urls) are not
 * wanted for their items' current sources: FK_PAGE_SKIPPED (a page stored
 * before stays), in one transaction. Returns 0, or -1 with err filled
 * (nothing written). */
int fk_store_pages_skipped(struct fk_store *store, const int64_t *ids, const char *const *urls,
                           size_t count, struct fk_error *err);

/* Record a failed attempt at the page of article id (at url): error says
 * why. When final (the page cannot be used: not HTML, too large, refused),
 * or after FK_PAGE_TRIES failures in a row, it is FK_PAGE_UNUSABLE until
 * the item changes; else FK_PAGE_FAILED and due again after
 * fk_store_backoff_delay(failures), or at retry_after when that is later
 * (at most FK_RETRY_AFTER_MAX on). A page stored before stays, with its
 * validators, FK_PAGE_STORED, and is not tried again until the item
 * changes. Fills *schedule when not NULL (next_fetch is FK_TIME_NONE when
 * the page is not tried again before the item changes). Returns 0, or -1
 * with err filled. */
int fk_store_page_failed(struct fk_store *store, int64_t id, const char *url, const char *error,
                         int http_status, int64_t time, int64_t retry_after, bool final,
                         struct fk_fetch_schedule *schedule, struct fk_error *err);

/* A page fetched: the article it extracted to. */
struct fk_page {
    int64_t article_id;
    const char *url;  /* the item's link */
    int64_t time;     /* when it was fetched */
    int http_status;  /* 200; 304 when the stored page was confirmed */
    const char *etag; /* the response's validators */
    const char *last_modified;
    const char *base_url; /* what its links resolve against */
    const char *html;     /* the extracted article (not NULL) */
    const char *title;    /* may be NULL */
    const char *byline;
};

/* What fk_store_put_page did. */
enum fk_page_result {
    FK_PAGE_USED,       /* the page's text is now the article's content (a
                           "replaced" version keeps the text before) */
    FK_PAGE_SAME,       /* the page is the article's content already, with
                           the same text */
    FK_PAGE_NOT_LONGER, /* stored; the feed's text is as long or longer,
                           and stays the article's */
    FK_PAGE_EMPTY,      /* no article text: not stored (a page stored
                           before stays) */
    FK_PAGE_KEPT,       /* under half the text of the page stored before,
                           which stays */
};

/* File the page of article id with content, its html converted (NULL:
 * empty), in a transaction of its own, and set it as the article's
 * content when its text is longer than the feed's (the feed's HTML and
 * summary stay as they are). The empty-body guard: a page without text,
 * or with under half the text of a page stored before, replaces nothing
 * (FK_PAGE_EMPTY, FK_PAGE_KEPT; the attempt is recorded as unusable).
 * The page is recorded as fetched for the item's current source, so it is
 * not due again until the item changes. Not while a feed is being filed.
 * Returns 0 with *result set, 1 when the archive has no article id, -1
 * with err filled (nothing written). */
int fk_store_put_page(struct fk_store *store, const struct fk_page *page,
                      const struct fk_content *content, enum fk_page_result *result,
                      struct fk_error *err);

/* An article's page as stored. Strings owned; free with
 * fk_page_row_release. */
struct fk_page_row {
    char *url;
    enum fk_page_status status;
    int64_t fetched; /* the last attempt; FK_TIME_NONE: none */
    int http_status;
    char *etag;
    char *last_modified;
    int failures;
    int64_t next_try; /* FK_TIME_NONE: none */
    char *error;      /* the last attempt's, or NULL */
    int64_t stored;   /* when html was stored; FK_TIME_NONE: never */
    char *base_url;
    char *html; /* the extracted article, NULL when none is stored */
    char *title;
    char *byline;
    bool used; /* html is the article's content */
};

/* The page of article id into *out. Returns 0, 1 when it has none (out
 * zeroed), -1 with err filled. */
int fk_store_get_page(struct fk_store *store, int64_t id, struct fk_page_row *out,
                      struct fk_error *err);
void fk_page_row_release(struct fk_page_row *row);

/* --- subscriptions and fetch log --- */

/* The path the archive was opened with. Valid until fk_store_close. */
const char *fk_store_path(const struct fk_store *store);

/* The id of the feed being filed (between fk_store_begin_feed and
 * fk_store_end_feed), else 0. */
int64_t fk_store_current_feed(const struct fk_store *store);

/* Backoff after failed fetches: the first failure in a row waits
 * FK_BACKOFF_FIRST seconds, each further one twice as long as the one
 * before, up to FK_BACKOFF_MAX. A Retry-After later than that wins, but
 * counts for at most FK_RETRY_AFTER_MAX, so no server can stop a feed for
 * good. */
#define FK_BACKOFF_FIRST   (30 * 60)
#define FK_BACKOFF_MAX     (24 * 60 * 60)
#define FK_RETRY_AFTER_MAX (7 * 24 * 60 * 60)
/* The fetch log keeps this many attempts per feed, the latest. */
#define FK_FETCH_LOG_KEEP 1000

/* Seconds to wait after the failures-th failure in a row (failures >= 1;
 * less is taken as 1). */
int64_t fk_store_backoff_delay(int failures);

/* A feed of the archive with its subscription and fetch state. Strings may
 * be NULL. Who owns them is said by the function that fills it. */
struct fk_subscription {
    int64_t id;
    const char *url;      /* what is fetched; the feed's identity */
    const char *name;     /* given by the user (add --name, OPML) */
    const char *title;    /* the feed's own title */
    const char *site_url; /* the feed's own site link */
    const char *etag;     /* validators sent with the next fetch */
    const char *last_modified;
    const char *final_url;  /* where the last successful fetch ended */
    const char *moved_to;   /* the last fetch was redirected permanently
                               there (NULL when it was not) */
    const char *last_error; /* the last fetch's error, NULL on success */
    int64_t last_fetch;     /* FK_TIME_NONE: never fetched */
    int last_status;        /* HTTP status of the last fetch; 0: none */
    int failures;           /* failed fetches in a row */
    int64_t next_fetch;     /* not fetched before this (backoff);
                               FK_TIME_NONE: whenever */
    int64_t articles;       /* articles the feed carried */
    /* The latest fetch of the log that got the feed's body (a success
     * other than a 304); FK_TIME_NONE: none. */
    int64_t last_body_fetch;
    bool subscribed;             /* false: only imported, or removed */
    const char *tags_text;       /* the feed's tags (OPML folders), sorted, joined
                                    by newlines; NULL: none */
    bool assets;                 /* its articles' assets are kept (see
                                    fk_store_set_feed_option) */
    bool keep_raw;               /* its documents are kept (fk_store_put_raw) */
    bool private_origin;         /* it came from a loopback, link-local or
                                    private address */
    enum fk_full_text full_text; /* when its items' pages are fetched */
    void *priv;                  /* owned memory, for fk_subscription_release */
};

/* Subscribe to url (copied as given: the caller expands shorthands and
 * checks it). A feed row the archive already has (from an import, or
 * removed earlier) is subscribed again with its articles and history.
 * name (may be NULL) becomes the feed's name when the subscription is new
 * or has no name yet, or always when rename. Sets *id when id is not NULL.
 * Returns 1 when url was not subscribed before, 0 when it already was,
 * -1 with err filled. Not while a feed is being filed. */
int fk_store_subscribe(struct fk_store *store, const char *url, const char *name, bool rename,
                       int64_t *id, struct fk_error *err);

/* End the subscription of feed id: it is no longer fetched and its
 * validators and backoff are forgotten, while its articles, their feed
 * membership and its fetch log stay. Returns 0, 1 when id is not a
 * subscribed feed, -1 with err filled. */
int fk_store_unsubscribe(struct fk_store *store, int64_t id, struct fk_error *err);

/* Find the feed whose URL is url (when not NULL) or whose id is id,
 * subscribed or not. Returns 0 and fills out (free it with
 * fk_subscription_release), 1 when there is none, -1 with err filled (out
 * is zeroed in both cases). */
int fk_store_find_feed(struct fk_store *store, const char *url, int64_t id,
                       struct fk_subscription *out, struct fk_error *err);
/* Find the feed whose name (given by the user) or else title is name,
 * ignoring ASCII case; a subscribed one before others, then the oldest.
 * Same return convention as fk_store_find_feed. */
int fk_store_find_feed_named(struct fk_store *store, const char *name, struct fk_subscription *out,
                             struct fk_error *err);
/* Tag feed id with tag (trimmed; a tag it has, in any case, is kept as it
 * is; an empty one is ignored). Not while a feed is being filed. Returns
 * 0, or -1 with err filled. */
int fk_store_tag_feed(struct fk_store *store, int64_t id, const char *tag, struct fk_error *err);
/* Free what fk_store_find_feed put in sub and zero it; a zeroed struct is
 * allowed. */
void fk_subscription_release(struct fk_subscription *sub);

/* A setting of a feed. */
enum fk_feed_option {
    /* Keep the assets of its articles. On for a feed new to the archive
     * (a subscription, an import), off for the feeds of an archive made
     * before schema 9, so that upgrading never starts a cron job
     * downloading. */
    FK_FEED_ASSETS,
    FK_FEED_KEEP_RAW, /* keep its documents (on unless switched off) */
    /* The feed itself came from a loopback, link-local or private address,
     * so its assets may too (set by the fetcher; off by default). */
    FK_FEED_PRIVATE_ORIGIN,
};

/* Set option of feed id to on. Not while a feed is being filed. Returns
 * 0, 1 when the archive has no feed id, -1 with err filled. */
int fk_store_set_feed_option(struct fk_store *store, int64_t id, enum fk_feed_option option,
                             bool on, struct fk_error *err);

/* Set the full_text mode of feed id. Not while a feed is being filed.
 * Returns 0, 1 when the archive has no feed id, -1 with err filled. */
int fk_store_set_full_text(struct fk_store *store, int64_t id, enum fk_full_text mode,
                           struct fk_error *err);

/* Which feeds fk_store_list_feeds walks. */
enum fk_feed_set {
    FK_FEEDS_SUBSCRIBED, /* every subscription */
    FK_FEEDS_DUE,        /* subscriptions with next_fetch unset or <= now */
    FK_FEEDS_ALL,        /* every feed of the archive, imported ones too */
};

typedef int (*fk_subscription_fn)(const struct fk_subscription *sub, void *ctx);

/* Call fn for each feed of the set, by id. The strings are valid during
 * the callback only. A non-zero return from fn stops the walk and is
 * returned. fn must not write to the archive (copy what you need and write
 * after the walk). Returns 0, or -1 with err filled. */
int fk_store_list_feeds(struct fk_store *store, enum fk_feed_set set, int64_t now,
                        fk_subscription_fn fn, void *ctx, struct fk_error *err);

/* Many fetchers on one archive. On a PostgreSQL archive several fetch
 * processes, on several hosts, may run at once. Each claims the
 * subscriptions it fetches for a lease of some seconds, renews the lease
 * while it works and gives its claims back at its end; a fetcher that dies
 * leaves its claims to expire. A feed claimed by one fetcher is not
 * fetched by another; a feed is given back when its attempt is logged
 * (fk_store_log_fetch), and is then not due again for any fetcher at work
 * since before that. No more feeds of one host name are claimed at once,
 * by all fetchers together, than a fetch's per-host limit, so that the
 * limit holds across fetchers. On a SQLite archive one fetch runs at a time (the CLI's lock
 * file): nothing is claimed, and renewing and giving back do nothing. */

/* What a fetcher claims. */
struct fk_claim {
    int64_t now;   /* due at this time... */
    bool force;    /* ... or in backoff too */
    long lease;    /* seconds the claims last unless renewed */
    long limit;    /* feeds claimed at most (0: no limit), the longest due first */
    long per_host; /* feeds of one host name claimed by all fetchers at
                      once at most (0: no limit) */
};

/* What is left to the other fetchers after a claim. */
struct fk_claim_result {
    long held;    /* due feeds other fetchers hold */
    long waiting; /* due feeds nobody holds, their host at its per_host */
};

/* Call fn for each subscription, by id, as fk_store_list_feeds does for
 * FK_FEEDS_SUBSCRIBED. On PostgreSQL, first claim the subscriptions due
 * (claim says which, and how many), and leave out the due ones not
 * claimed: result (may be NULL) counts them. Returns 0, fn's non-zero
 * return, or -1 with err filled. */
int fk_store_claim_feeds(struct fk_store *store, const struct fk_claim *claim,
                         fk_subscription_fn fn, void *ctx, struct fk_claim_result *result,
                         struct fk_error *err);
/* Renew this process's claims for lease seconds from now. */
int fk_store_renew_claims(struct fk_store *store, long lease, struct fk_error *err);
/* Give back this process's claims, between two rounds of its fetch, or at
 * its end (last): then the feeds it fetched are due again for the next
 * fetch, once every fetcher that ran beside it has ended. */
int fk_store_release_claims(struct fk_store *store, bool last, struct fk_error *err);

/* Fill gate (fetch.h) for the fetch batches of fetchers on this archive.
 * On PostgreSQL a host's slots are advisory locks of the server, so the
 * per-host limit holds for the transfers of all fetchers together (feeds,
 * article pages, API calls, assets); a slot of a fetcher that dies goes
 * with its connection. When the server cannot be asked, a transfer starts
 * holding nothing, and the error shows where the archive is next used. On
 * SQLite, where one fetch runs at a time, every transfer starts holding
 * nothing. The gate uses the store until the batch is freed. */
void fk_store_fetch_gate(struct fk_store *store, struct fk_fetch_gate *gate);

/* One fetch of a feed, for the fetch log and the feed's schedule. */
struct fk_fetch_attempt {
    int64_t time;  /* when it ended; the backoff counts from here */
    int status;    /* HTTP status of the last response; 0: none */
    int64_t bytes; /* body bytes received */
    int64_t duration_ms;
    int64_t new_count; /* articles filed as new, and as updated */
    int64_t updated_count;
    const char *error; /* NULL: the fetch succeeded (a 304 does) */
    /* On success: the response's validators replace the stored ones (a
     * 304 keeps a stored value its response does not repeat); final_url
     * and moved_to are recorded as given. */
    const char *etag;
    const char *last_modified;
    const char *final_url;
    const char *moved_to;
    /* On failure: the server's Retry-After as a UTC time, or
     * FK_TIME_NONE. */
    int64_t retry_after;
};

/* The feed's schedule after an attempt. */
struct fk_fetch_schedule {
    int failures;       /* failed fetches in a row, this one included */
    int64_t next_fetch; /* FK_TIME_NONE after a success */
};

/* Log an attempt of feed id: a row in the fetch log (pruned to the latest
 * FK_FETCH_LOG_KEEP of the feed) and the feed's state. A success resets the
 * failure count and the backoff and stores the validators; a failure counts
 * one more in a row and sets next_fetch to time plus
 * fk_store_backoff_delay(failures), or to the Retry-After (at most
 * time + FK_RETRY_AFTER_MAX) when that is later. Between fk_store_begin_feed
 * and fk_store_end_feed of the same feed it writes in that feed's
 * transaction, so the validators are committed with the articles or not at
 * all; otherwise in a transaction of its own. Fills *schedule when not
 * NULL. Returns 0, or -1 with err filled (inside a feed, the feed then
 * cannot be committed). */
int fk_store_log_fetch(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *attempt,
                       struct fk_fetch_schedule *schedule, struct fk_error *err);

/* Change the URL of feed id to new_url (after a permanent redirect). The
 * identity keys of its articles that were scoped by the old URL (guids
 * that are not URLs, hashes) are carried over, so the next fetch finds them
 * again instead of filing duplicates. Returns 0, 1 when another feed of
 * the archive has new_url already (nothing is changed), -1 with err
 * filled. */
int fk_store_move_feed(struct fk_store *store, int64_t id, const char *new_url,
                       struct fk_error *err);

/* --- export records --- */

/* Read the mark of the archive as it is now. Returns 0, or -1 with err
 * filled. */
int fk_store_get_mark(struct fk_store *store, struct fk_store_mark *mark, struct fk_error *err);

/* A file export wrote for an article in an export directory. Strings are
 * valid during the callback. */
struct fk_export_file {
    int64_t article_id;
    const char *name; /* the article's name in the directory, kept across
                         title changes */
    const char *path; /* the file, relative to the directory */
    uint64_t hash;    /* fk_export_hash of the bytes written */
};

typedef int (*fk_export_file_fn)(const struct fk_export_file *file, void *ctx);

/* Look up the export directory path (absolute, as recorded). Returns 0
 * with *dir_id and *mark set to the mark of its last export, 1 when the
 * archive has no record of it, -1 with err filled. */
int fk_store_find_export_dir(struct fk_store *store, const char *path, int64_t *dir_id,
                             struct fk_store_mark *mark, struct fk_error *err);

/* --- an export's names and files --- */

/* An export works out its file names and keeps what it wrote in temporary
 * tables of the store's connection (SQLite's TEMP schema, a temporary file
 * behind a small cache), not in memory: its memory does not grow with the
 * number of articles. They hold one export at a time, which
 * fk_store_export_begin starts. The fk_store_export_* functions write only
 * to them, so they work on an archive opened read-only and may be called
 * from an fk_store_list walk. */

/* Start an export to the export directory dir_id (fk_store_find_export_dir;
 * 0: none, or one without records): the tables of the last export are
 * emptied (made when first needed). Returns 0, or -1 with err filled. */
int fk_store_export_begin(struct fk_store *store, int64_t dir_id, struct fk_error *err);

/* Append article id, which wants the file name name (as
 * fk_export_base_name makes them, see export.h), to the articles to
 * export; they are numbered from 1 in the order added, which is the order
 * they are written in. An article added twice is exported twice. Returns
 * 0, or -1 with err filled. */
int fk_store_export_add(struct fk_store *store, int64_t id, const char *name, struct fk_error *err);

/* Give the articles added the names of the rule of
 * fk_export_name_articles (export.h) that need no suffix: the names
 * recorded in the directory by earlier exports, those of at most max
 * bytes, are taken, and each article recorded there gets its own; then
 * each name not taken goes to the article with the lowest id wanting it
 * (of one article added twice, the first). Sets *clashes to the number of
 * articles left without a name (fk_store_export_each_clash). Returns 0,
 * or -1 with err filled. */
int fk_store_export_claim(struct fk_store *store, size_t max, int64_t *clashes,
                          struct fk_error *err);

/* What fk_store_export_each_clash calls for an article left without a
 * name: number is its number (from 1), name the name it wanted (valid
 * during the call). 0 goes on, anything else stops the walk. */
typedef int (*fk_export_clash_fn)(int64_t number, const char *name, void *ctx);

/* Call fn for each article fk_store_export_claim left without a name,
 * ordered by the name it wanted, then by article id, then by number. fn
 * may call fk_store_export_try_name. Returns 0, fn's value when it
 * stopped, or -1 with err filled. */
int fk_store_export_each_clash(struct fk_store *store, fk_export_clash_fn fn, void *ctx,
                               struct fk_error *err);

/* Give article number (from 1) name, unless another article has it:
 * *given says whether it did. Returns 0, or -1 with err filled. */
int fk_store_export_try_name(struct fk_store *store, int64_t number, const char *name, bool *given,
                             struct fk_error *err);

/* An article of an export, read back with fk_store_export_get. */
struct fk_export_entry {
    int64_t id;
    char *name;          /* its file name (as added, or as given since) */
    char *recorded_path; /* the file recorded for it in the directory by
                            an earlier export; NULL: none */
    uint64_t recorded_hash;
};

/* Read back article number (from 1) into *out (release it with
 * fk_export_entry_release). Returns 0, 1 when there is no such article
 * (*out zeroed), -1 with err filled. */
int fk_store_export_get(struct fk_store *store, int64_t number, struct fk_export_entry *out,
                        struct fk_error *err);

/* Free what entry holds and zero it. A zeroed struct is allowed. */
void fk_export_entry_release(struct fk_export_entry *entry);

/* Keep article id from --prune: fk_store_export_each_unkept leaves it out.
 * Returns 0, or -1 with err filled. */
int fk_store_export_keep(struct fk_store *store, int64_t id, struct fk_error *err);

/* Call fn for each file recorded in the directory whose article was not
 * kept (fk_store_export_keep), by article id. fn may call
 * fk_store_export_forget and the query functions, not the writing ones.
 * Same return convention as fk_store_list. */
int fk_store_export_each_unkept(struct fk_store *store, fk_export_file_fn fn, void *ctx,
                                struct fk_error *err);

/* Note that the record of article id goes, for fk_store_record_export.
 * Returns 0, or -1 with err filled. */
int fk_store_export_forget(struct fk_store *store, int64_t id, struct fk_error *err);

/* Note file (its strings are copied) for fk_store_record_export; of an
 * article noted twice the last counts. Returns 0, or -1 with err
 * filled. */
int fk_store_export_wrote(struct fk_store *store, const struct fk_export_file *file,
                          struct fk_error *err);

/* Record the export begun by fk_store_export_begin to the directory path
 * in one transaction: the directory (made known when new) gets mark and
 * the time started as its last export; the records of the articles noted
 * by fk_store_export_forget are removed, then the files noted by
 * fk_store_export_wrote are recorded (replacing an article's earlier
 * record there). Not while a feed is being filed. Returns 0, or -1 with
 * err filled (nothing is recorded then). */
int fk_store_record_export(struct fk_store *store, const char *path, int64_t started,
                           const struct fk_store_mark *mark, struct fk_error *err);

/* One completed `feedkeep fetch`, for "what arrived since the last
 * fetch". */
struct fk_fetch_run {
    int64_t started; /* before its first request */
    int64_t finished;
    int64_t feeds; /* feeds fetched, and of those the failed ones */
    int64_t failed;
    int64_t new_count; /* articles filed as new, and as updated */
    int64_t updated_count;
};

/* Log a completed run (the log keeps the latest FK_FETCH_LOG_KEEP), in a
 * transaction of its own; not while a feed is being filed. Returns 0, or
 * -1 with err filled. */
int fk_store_log_run(struct fk_store *store, const struct fk_fetch_run *run, struct fk_error *err);
/* Set *started to the start of the latest logged run. Returns 0, 1 when
 * no run is logged, -1 with err filled. */
int fk_store_last_run(struct fk_store *store, int64_t *started, struct fk_error *err);

#endif
