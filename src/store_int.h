/* store_int.h - what the store's files share: the handle, the prepared
 * statements and the helpers around them. Private to src/store*.c; the rest
 * of the program sees include/feedkeep/store.h only.
 */
#ifndef FEEDKEEP_STORE_INT_H
#define FEEDKEEP_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/hash.h"
#include "feedkeep/store.h"
#include "store_pg_int.h"

/* ---- prepared statements -------------------------------------------------- */

/* Every statement of fixed SQL the store uses, in one cache: the enum
 * indexes stmt_sql (store.c) and the handle's stmts. Each is prepared when
 * first used (stmt_of, store_stmt), so that a command pays only for the
 * statements it runs (preparing the write path's alone took a query
 * command 0.7 ms), and kept until the archive is closed. Only queries
 * whose SQL is built from a filter are prepared for one call. */
enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_FEED_UPSERT,
    ST_FEED_UPDATE,
    ST_NEXT_ID,
    ST_ARTICLE_FIND,
    ST_ARTICLE_INSERT,
    ST_ARTICLE_UPDATE,
    ST_ARTICLE_TOUCH,
    ST_VERSION_SAVE,
    ST_FEED_LINK,
    ST_TAG_FIND,
    ST_TAG_INSERT,
    ST_ARTICLE_TAG_INSERT,
    ST_ARTICLE_TAGS_DELETE,
    ST_ARTICLE_TAGS_LIST,
    ST_CODE_INSERT,
    ST_CODE_DELETE,
    ST_CODE_LAST_ID,
    ST_CODE_PLACE,
    ST_ENCLOSURE_INSERT,
    ST_ENCLOSURE_DELETE,
    ST_FTS_NEW_ROWS,
    ST_FTS_INDEX_ROW,
    ST_FTS_INDEX_ONE,
    ST_FTS_UNINDEX_ONE,
    ST_TAG_FREQUENCY,
    ST_LANGUAGE_FREQUENCY,
    ST_ARTICLE_GET,
    ST_ARTICLE_FEEDS_LIST,
    ST_ARTICLE_TEXT_LENGTH,
    ST_VERSION_REJECTED_FIND,
    ST_VERSION_REJECT,
    ST_ALIAS_FIND,
    ST_ALIAS_INSERT,
    ST_LINK_CANDIDATES,
    ST_API_PUT,
    ST_API_HAS,
    ST_CANONICAL_ARTICLE,
    ST_CANONICAL_OF,
    ST_FEED_LINKS,
    ST_AUTHOR_INSERT,
    ST_AUTHOR_INDEX,
    ST_CHANGED_FREQUENCY,
    ST_LANGUAGE_EXISTS,
    /* subscriptions, fetch log, fetch runs (store_feeds.c) */
    ST_SUB_FIND_URL,
    ST_SUB_FIND_ID,
    ST_SUB_LIST,
    ST_SUB_INSERT,
    ST_SUB_RESUBSCRIBE,
    ST_SUB_UNSUBSCRIBE,
    ST_SUB_FAILURES,
    ST_SUB_SUCCESS,
    ST_SUB_FAILURE,
    ST_SUB_LOG,
    ST_SUB_PRUNE,
    ST_SUB_MOVE,
    ST_SUB_REKEY,
    ST_SUB_REKEY_ALIASES,
    ST_SUB_FIND_NAME,
    ST_SUB_TAG_FEED,
    ST_SUB_RUN_LOG,
    ST_SUB_RUN_PRUNE,
    ST_SUB_RUN_LAST,
    /* fk_store_dedup_explain (store_maint.c) */
    ST_DEDUP_ARTICLE,
    ST_DEDUP_ALIASES,
    ST_DEDUP_CANDIDATES,
    ST_DEDUP_SHARED_FEED,
    ST_DEDUP_OTHERS,
    /* export records (store_feeds.c) and the index check (store_maint.c) */
    ST_EXPORT_MARK,
    ST_EXPORT_DIR_FIND,
    ST_EXPORT_DIR_UPSERT,
    ST_EXPORT_FILES_FORGET,
    ST_EXPORT_FILES_PUT,
    /* an export's temporary tables (store_feeds.c) */
    ST_EXPORT_NAME_ADD,
    ST_EXPORT_NAMES_TAKE_RECORDED,
    ST_EXPORT_NAMES_INDEX,
    ST_EXPORT_NAMES_RECORDED,
    ST_EXPORT_NAMES_GIVE_RECORDED,
    ST_EXPORT_NAMES_WANTING,
    ST_EXPORT_CLASH_ADD,
    ST_EXPORT_CLASHES_LIST,
    ST_EXPORT_NAME_TAKE,
    ST_EXPORT_NAME_SET,
    ST_EXPORT_NAME_GET,
    ST_EXPORT_KEEP,
    ST_EXPORT_KEPT_INDEX,
    ST_EXPORT_UNKEPT_LIST,
    ST_EXPORT_FORGET,
    ST_EXPORT_WROTE,
    /* listings (store_query.c) */
    ST_ARTICLE_BY_URL,
    ST_CODE_GET,
    ST_ARTICLE_FIRST_SEEN,
    ST_VERSIONS_LIST,
    ST_STATS_SUMMARY,
    ST_COMPLETE_TAGS,
    ST_COMPLETE_LANGUAGES,
    ST_COMPLETE_AUTHORS,
    ST_COMPLETE_FEEDS,
    /* feed settings, assets (store_assets.c) */
    ST_FEED_OPTION,
    ST_ASSET_REFS_DELETE,
    ST_ASSET_URL_ADD,
    ST_ASSET_URL_ID,
    ST_ASSET_REF_INSERT,
    ST_ASSET_REFS_OF,
    ST_ENCLOSURES_OF,
    ST_ASSET_DUE,
    ST_ASSET_INSERT,
    ST_ASSET_FIND_SHA,
    ST_ASSET_URL_STORED,
    ST_ASSET_URL_NOT_MODIFIED,
    ST_ASSET_URL_FAILED,
    ST_ASSET_URL_SKIPPED,
    ST_ASSET_USAGE,
    ST_ASSET_LIST,
    ST_ASSET_SHA_PREFIX,
    ST_ASSET_URL_ASSET,
    ST_ASSET_GET,
    ST_ASSET_STATS,
    ST_ASSET_CHECK_STORED,
    ST_ASSET_CHECK_ORPHANS,
    ST_ASSET_CHECK_REFS,
    ST_ASSET_CHECK_BYTES,
    /* raw documents (store_raw.c) */
    ST_RAW_KEEP,
    ST_RAW_INSERT,
    ST_RAW_LIST,
    ST_RAW_STATS,
    /* reparse (store_write.c) */
    ST_ARTICLE_IDS,
    ST_SOURCE_GET,
    ST_FEED_SOURCE_GET,
    ST_REPARSE_READ,
    ST_REPARSE_CODE,
    ST_REPARSE_UPDATE,
    /* articles from an API (store_api.c) */
    ST_API_STATE,
    ST_API_COUNTS,
    ST_API_GET,
    /* article pages (store_pages.c) */
    ST_FULL_TEXT_SET,
    ST_PAGE_DUE,
    ST_PAGE_READ,
    ST_PAGE_ENSURE,
    ST_PAGE_ATTEMPT,
    ST_PAGE_STORE,
    ST_PAGE_USE,
    ST_PAGE_UNUSE,
    ST_PAGE_IN_USE,
    ST_PAGE_GET,
    ST_COUNT
};

/* The columns of a struct fk_article, in the order read_article reads them.
 * feed_url is the first feed that carried the article. */
#define ARTICLE_COLUMNS                                                                            \
    "a.id, a.guid, a.url, a.title, a.author, a.published, a.updated, "                             \
    "(SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "                       \
    "WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1), a.first_seen, a.last_seen, a.date, "   \
    "a.author_email"

/* The columns of ARTICLE_COLUMNS, in order. A query's own columns come
 * after them, from ARTICLE_NCOLUMNS on. */
enum article_column {
    ARTICLE_COL_ID,
    ARTICLE_COL_GUID,
    ARTICLE_COL_URL,
    ARTICLE_COL_TITLE,
    ARTICLE_COL_AUTHOR,
    ARTICLE_COL_PUBLISHED,
    ARTICLE_COL_UPDATED,
    ARTICLE_COL_FEED_URL,
    ARTICLE_COL_FIRST_SEEN,
    ARTICLE_COL_LAST_SEEN,
    ARTICLE_COL_DATE,
    ARTICLE_COL_AUTHOR_EMAIL,
    ARTICLE_NCOLUMNS,
    /* ST_ARTICLE_GET's own */
    ARTICLE_COL_TEXT = ARTICLE_NCOLUMNS,
    ARTICLE_COL_MARKDOWN,
    ARTICLE_COL_PUBLISHED_RAW,
    ARTICLE_COL_UPDATED_RAW,
    ARTICLE_COL_SUMMARY_HTML,
    ARTICLE_COL_CONTENT_HTML,
    ARTICLE_COL_VERSIONS,
};

/* A code block's code, code_blocks being c and its article a: the bytes
 * of the article's text it names (schema 15), else its code column. */
#define CODE_TEXT                                                                                  \
    "CASE WHEN c.text_offset IS NULL THEN c.code ELSE CAST(substr(CAST(a.text AS BLOB),"           \
    " c.text_offset + 1, c.text_length) AS TEXT) END"

/* The columns of a struct fk_code_row, code_blocks being c, and their
 * order. */
#define CODE_COLUMNS "c.id, c.article_id, c.position, c.language, " CODE_TEXT ", c.lines, a.title"
enum code_column {
    CODE_COL_ID,
    CODE_COL_ARTICLE_ID,
    CODE_COL_POSITION,
    CODE_COL_LANGUAGE,
    CODE_COL_CODE,
    CODE_COL_LINES,
    CODE_COL_ARTICLE_TITLE,
};

/* The columns read_feed reads, feeds being f. */
#define FEED_COLUMNS                                                                               \
    "f.id, f.url, f.name, f.title, f.site_url, f.etag, f.last_modified, f.final_url,"              \
    " f.moved_to, f.last_error, f.last_fetch, f.last_status, f.failures, f.next_fetch,"            \
    " f.subscribed, coalesce((SELECT fc.articles FROM feed_counts fc WHERE fc.feed_id = f.id), "   \
    "0),"                                                                                          \
    " (SELECT l.time FROM fetches l WHERE l.feed_id = f.id AND l.error IS NULL"                    \
    " AND l.status <> 304 ORDER BY l.time DESC LIMIT 1),"                                          \
    " (SELECT group_concat(name, char(10)) FROM (SELECT name FROM feed_tags"                       \
    " WHERE feed_id = f.id ORDER BY name)), f.assets, f.keep_raw, f.private_origin,"               \
    " f.full_text"

/* The columns of FEED_COLUMNS, in order. */
enum feed_column {
    FEED_COL_ID,
    /* the strings of a struct fk_subscription, but for the tags */
    FEED_COL_URL,
    FEED_COL_NAME,
    FEED_COL_TITLE,
    FEED_COL_SITE_URL,
    FEED_COL_ETAG,
    FEED_COL_LAST_MODIFIED,
    FEED_COL_FINAL_URL,
    FEED_COL_MOVED_TO,
    FEED_COL_LAST_ERROR,
    FEED_COL_LAST_FETCH,
    FEED_COL_LAST_STATUS,
    FEED_COL_FAILURES,
    FEED_COL_NEXT_FETCH,
    FEED_COL_SUBSCRIBED,
    FEED_COL_ARTICLES,
    FEED_COL_LAST_BODY_FETCH,
    FEED_COL_TAGS,
    FEED_COL_ASSETS,
    FEED_COL_KEEP_RAW,
    FEED_COL_PRIVATE_ORIGIN,
    FEED_COL_FULL_TEXT,
};

/* How many strings there are from FEED_COL_URL on. */
#define FEED_STRINGS (FEED_COL_LAST_ERROR - FEED_COL_URL + 1)

#define FREQUENCY_CAP     1000
#define FREQUENCY_CAP_SQL "1000"

/* The articles filed in the current feed, by id, each with a hash of the
 * key of the item that filed it (an open-addressed table; id 0 is an empty
 * slot). The guid-change rule never matches an article the same document
 * carried, and an article reached again under another of its keys in the
 * same document is not filed twice. 16 bytes an item. */
struct filed_slot {
    int64_t id;
    uint64_t key_hash;
};

struct filed_set {
    struct filed_slot *slots;
    size_t size; /* a power of two, or 0 */
    size_t count;
};

/* What fk_store_find_item works out about an item, for fk_store_put_item
 * (see store.h). */
struct fk_store_pending {
    const struct fk_item *item;
    char *key;
    int64_t id; /* of the stored article; 0 when there is none */
    int64_t stored_content_hash;
    int64_t stored_source_hash;
    int64_t source_hash;
    char *link_key;   /* fk_store_link_key of the item's link (put_item) */
    const char *rule; /* "title" or "text": p->id matched by the guid-change
                         rule; NULL when found by key or new */
};

/* A list of tag names, each owned by the list. */
struct tag_list {
    char **names;
    size_t count;
    size_t cap;
};

struct fk_store {
    /* A PostgreSQL archive (store_pg_int.h): every function hands over to
     * it, and nothing below is used but path (the location, without a
     * password) and the progress function. */
    struct pg_store *pg;
    sqlite3 *db;
    char *path;
    bool read_only; /* opened without write access (FK_OPEN_EXISTING) */
    sqlite3_stmt *stmts[ST_COUNT];
    /* The feed being filed, between fk_store_begin_feed and _end_feed. */
    bool in_feed;
    bool feed_failed; /* a write failed half-way: the feed cannot commit */
    int64_t feed_id;
    int64_t first_new_id; /* articles from this id on are new in this feed */
    char *feed_url;
    struct filed_set filed;
    struct fk_store_pending pending; /* the item being filed */
    /* The link keys of the feed's own URL and of its site link, which name
     * no article (loaded when first needed; NULL when none). */
    bool feed_links_loaded;
    char *feed_url_key;
    char *site_url_key;
    /* Items of this feed filed as an article they matched under a new key,
     * and the first such article. */
    long matched;
    int64_t first_matched_id;
    /* The export directory of the export begun (fk_store_export_begin),
     * 0 when none is recorded. */
    int64_t export_dir;
    /* Scratch space of filing, kept to save allocations. */
    struct tag_list tags;
    struct fk_buf tags_text;
    char *author_name; /* the item's author, split by split_author */
    char *author_email;
    /* fk_store_check's comparison of the full-text index (see there). */
    bool fts_function_ready;
    bool rank_function_ready;        /* feedkeep_bm25 (store_query.c) */
    bool prefix_function_ready;      /* feedkeep_prefix_walk (store_prefix.c) */
    bool prefix_need_ready;          /* feedkeep_prefix_need (store_prefix.c) */
    struct prefix_walk *prefix_walk; /* the walk under way there */
    bool filing_tuned;               /* page cache, temp store (fk_store_begin_feed) */
    /* The search under way: the number of articles holding each of its
     * phrases, as feedkeep_bm25 numbers them, where it was estimated
     * (store_query.c, rank_estimate); -1 where feedkeep_bm25 counts, which
     * then keeps its count there for the search's other cursors. */
    int64_t *rank_counts;
    int rank_phrases;
    /* The statement being run keeps only its best rank_keep rows (0: it
     * keeps them all, or filters after ranking): feedkeep_bm25 may give a
     * row that cannot be among them a bound instead of its rank. */
    int rank_keep;
    int64_t rank_bounded; /* the rows given a bound so, for the tests */
    int64_t rank_walks;   /* the phrases feedkeep_bm25 counted, for the tests */
    int64_t search_sets;  /* the searches whose filter was read as a set, too */
    int64_t prefix_walks; /* the searches ranked by store_prefix.c, too */
    struct fts_tally {
        int64_t entries;
        uint64_t sum;                   /* of the entries' hashes, wrapping */
    } fts_expected, fts_expected_sizes; /* tokens, and column sizes */
    /* fk_store_set_progress's function */
    fk_progress_fn progress;
    void *progress_ctx;
    /* zstd's contexts (store_pack.c), made when first needed. */
    struct ZSTD_CCtx_s *pack_cctx;
    struct ZSTD_DCtx_s *pack_dctx;
    /* The dictionary new HTML is packed with (store_pack.c), looked up
     * when first needed; NULL when the archive has none. */
    struct ZSTD_CDict_s *pack_cdict;
    bool pack_cdict_loaded;
    bool pack_cdict_fresh; /* trained in the open transaction */
    bool pack_train_tried; /* filing looked whether one is due */
    /* The dictionaries frames were unpacked with, by zstd's ID. */
    struct pack_ddict {
        unsigned id;
        struct ZSTD_DDict_s *ddict;
    } * pack_ddicts;
    size_t npack_ddicts;
};

/* What the rule compares of each article. */
struct match_side {
    const char *title;
    const char *text;
    int64_t published;
};

/* ---- helpers ------------------------------------------------------------- */

/* Make a statement ready for its next use. sqlite3_reset returns the error
 * of the last step again, which the caller has already handled, and
 * sqlite3_clear_bindings cannot fail. */
static inline void stmt_reset(sqlite3_stmt *st)
{
    if (st) {
        (void)sqlite3_reset(st);
        (void)sqlite3_clear_bindings(st);
    }
}

/* Bind helpers: NULL strings and FK_TIME_NONE become SQL NULL. They return
 * the SQLite result code, so a chain of them joined by || stops at the
 * first failure. The strings must outlive the step (SQLITE_STATIC). */
static inline int bind_text(sqlite3_stmt *st, int index, const char *s)
{
    return s ? sqlite3_bind_text(st, index, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, index);
}

static inline int bind_int64(sqlite3_stmt *st, int index, int64_t value)
{
    return sqlite3_bind_int64(st, index, value);
}

static inline int bind_time(sqlite3_stmt *st, int index, int64_t t)
{
    return t == FK_TIME_NONE ? sqlite3_bind_null(st, index) : sqlite3_bind_int64(st, index, t);
}

static inline int64_t column_time(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? FK_TIME_NONE
                                                       : sqlite3_column_int64(st, col);
}

static inline const char *column_str(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* A copy of a text column that outlives the next step; NULL stays NULL. */
static inline char *column_dup(sqlite3_stmt *st, int col)
{
    const char *s = column_str(st, col);
    return s ? fk_xstrndup(s, (size_t)sqlite3_column_bytes(st, col)) : NULL;
}

/* Free the n strings a result copied for its caller (the priv of a
 * subscription or version), then the array; NULL frees nothing. */
static inline void free_copies(char **copies, int n)
{
    if (!copies)
        return;
    for (int i = 0; i < n; i++)
        free(copies[i]);
    free(copies);
}

/* 64-bit FNV-1a (Fowler, Noll, Vo): a fast, well-spread, non-cryptographic
 * hash. It only has to notice that an article changed, or tell items without
 * guid or link apart within one feed; nobody gains from forging a collision
 * and an accidental one has odds of 2^-64. Fields are hashed with a NUL after
 * each, so ("ab", "c") and ("a", "bc") differ; NULL hashes like "". */
static inline uint64_t fnv_field(uint64_t hash, const char *s)
{
    if (s)
        hash = fk_fnv1a64_add(hash, s, strlen(s));
    return fk_fnv1a64_add(hash, "", 1);
}

/* SQLite integers are signed: keep the hash's bits, not its value. */
static inline int64_t hash_to_int64(uint64_t hash)
{
    int64_t value;
    memcpy(&value, &hash, sizeof value);
    return value;
}

/* Tell the progress function (if any) what a long command is doing. */
static inline void store_progress(struct fk_store *store, const char *stage, int64_t done)
{
    if (store->progress)
        store->progress(stage, done, store->progress_ctx);
}

/* ---- shared functions: each is described where it is defined ------------- */

/* store.c */
#define FTS_NCOLUMNS 3
extern const char *const store_fts_columns[FTS_NCOLUMNS];
/* SQL that recounts the kept counts of schema 13 (tag_counts and the
 * others) from the tables they count. */
extern const char store_counts_rebuild[];
int store_db_error(struct fk_store *store, struct fk_error *err);
/* fk_store_sync_article_assets inside the caller's transaction. */
int store_sync_refs(struct fk_store *store, int64_t id, const struct fk_content *content,
                    struct fk_error *err);
int store_run(struct fk_store *store, enum stmt_id id, struct fk_error *err);
int store_bind_failed(struct fk_store *store, enum stmt_id id, struct fk_error *err);
int store_run_with_id(struct fk_store *store, enum stmt_id id, int64_t value, struct fk_error *err);
int store_run_int64(struct fk_store *store, enum stmt_id id, int64_t *value, struct fk_error *err);
const char *store_trim(const char *s, size_t *len);
void store_tag_list_clear(struct tag_list *list);
void store_tag_list_release(struct tag_list *list);
void store_tag_list_push(struct tag_list *list, char *name);
void store_normalize_tags(struct tag_list *list, const char *const *tags, size_t ntags);
char *store_lower_dup(const char *s);
int store_exec_sql(struct fk_store *store, const char *sql, struct fk_error *err);
sqlite3_stmt *store_stmt(struct fk_store *store, enum stmt_id id, struct fk_error *err);
/* Statement id, prepared when first used; NULL when that failed, which
 * the caller's first bind or step reports (SQLite takes a NULL statement
 * as a misuse and leaves the preparation's error in the connection). */
static inline sqlite3_stmt *stmt_of(struct fk_store *store, enum stmt_id id)
{
    return store->stmts[id] ? store->stmts[id] : store_stmt(store, id, NULL);
}
/* The end of a statement that gives at most one row, after the step that
 * returned rc (the row, if any, read by the caller): the statement is reset.
 * Returns 0 after a row, 1 when there was none, -1 with err filled. */
int store_row_done(struct fk_store *store, sqlite3_stmt *st, int rc, struct fk_error *err);
/* Step st (bound), which gives at most one row, for a caller that reads the
 * row after the step: 1 with st on its row (the caller resets it), 0 when
 * there is none and -1 with err filled, st reset both times. */
int store_step_row(struct fk_store *store, sqlite3_stmt *st, struct fk_error *err);
/* What store_each_row calls on each row of st: 0 to go on, anything else
 * to stop (store_each_row returns it). The row's strings live until the
 * next step. */
typedef int store_row_fn(sqlite3_stmt *st, void *ctx);
/* Step st (bound already) and call fn on each row until it stops; then
 * reset st. Returns 0 after the last row, fn's value when it stopped, -1
 * with err filled on a database error. */
int store_each_row(struct fk_store *store, sqlite3_stmt *st, store_row_fn *fn, void *ctx,
                   struct fk_error *err);

/* store_api.c */
/* The first column of the one row of statement which for article id, as a
 * flag (*flag false when there is no row). Returns 0, or -1 with err. */
int store_id_flag(struct fk_store *store, enum stmt_id which, int64_t id, bool *flag,
                  struct fk_error *err);
/* Whether article id holds the author's Markdown from an API (*kept). */
int store_api_kept(struct fk_store *store, int64_t id, bool *kept, struct fk_error *err);
/* Record what item, an API's article filed as article id, adds. */
int store_api_put(struct fk_store *store, int64_t id, const struct fk_item *item,
                  struct fk_error *err);

/* store_query.c */
/* FTS5's API of the archive's connection into *api. Returns 0, or -1 with
 * err filled (an FTS5 too old for what feedkeep asks of it, too). */
int store_fts5_api(struct fk_store *store, fts5_api **api, struct fk_error *err);
/* Give the archive's FTS5 the auxiliary function fn as name (its user
 * data the store), unless *ready says it has it; sets *ready. Returns 0,
 * or -1 with err filled. */
int store_fts5_function(struct fk_store *store, const char *name, fts5_extension_function fn,
                        bool *ready, struct fk_error *err);
/* Make the search's ranking function, feedkeep_bm25 (FTS5's bm25 to the
 * last bit, the count of each phrase's articles stopped where it can no
 * longer change it), known to db's FTS5: a SQLite result code. The store
 * does this itself; a test compares it with bm25 on a connection of its
 * own. */
int store_rank_register(sqlite3 *db);
/* The error of a failed search step: the query's fault (FK_ERROR_USAGE,
 * in feedkeep's words) or the database's. Returns -1. */
int store_search_error(struct fk_store *store, struct fk_error *err);

/* store_prefix.c: a search of one prefix, ranked in one walk of its
 * matches. */
struct store_prefix_hit {
    int64_t id;
    double rank; /* as feedkeep_bm25 gives it */
};
struct store_prefix {
    fts5_tokenizer tokenizer; /* the index's own */
    Fts5Tokenizer *tok;
    char *token; /* the prefix, as the tokenizer makes it */
    size_t token_len;
    bool in_text;                  /* the prefix may match in the text column */
    int64_t count;                 /* the articles that hold it */
    struct store_prefix_hit *hits; /* the page of the best, in order */
    size_t nhits;
};
/* Set p up for the prefix text: 0; 1 where the tokenizer does not make
 * one word of it (FTS5's own cursors then rank it); -1 with err filled. */
int store_prefix_init(struct fk_store *store, struct store_prefix *p, const char *text,
                      struct fk_error *err);
/* The same with the tokenizer of api (-1: it has no unicode61). */
int store_prefix_setup(fts5_api *api, struct store_prefix *p, const char *text);
void store_prefix_release(struct store_prefix *p);
/* Give the archive's connection the walk's functions,
 * feedkeep_prefix_walk(articles_fts, passes, w1, w2, w3) and
 * feedkeep_prefix_need() (store_prefix.c), once. Returns 0, or -1 with err
 * filled. */
int store_prefix_register(struct fk_store *store, struct fk_error *err);
/* Step st, the walk of one prefix's matches newest first, which calls
 * feedkeep_prefix_walk on each: p->hits gets the limit best after offset
 * among the newest window matches, or with a filter (scan > 0) the newest
 * window that pass among the newest scan, else every match that passes;
 * ordered as a ranked search orders them. Returns 0, or -1 with err
 * filled. */
int store_prefix_rank(struct fk_store *store, struct store_prefix *p, sqlite3_stmt *st, long window,
                      long scan, long limit, long offset, struct fk_error *err);
/* The snippet of text (length bytes) for p's prefix, as FTS5's snippet()
 * makes it of the text column for a query of that prefix alone, in words
 * tokens (a new string). */
char *store_prefix_snippet(const struct store_prefix *p, const char *text, int length,
                           const char *open, const char *close, const char *ellipsis, int words);

/* store_feeds.c */
int64_t store_next_try(int64_t time, int64_t retry_after, int failures);

/* store_assets.c */
int store_write_begin(struct fk_store *store, bool *own, struct fk_error *err);
int store_write_end(struct fk_store *store, bool own, int ret, struct fk_error *err);
int store_step_done(struct fk_store *store, sqlite3_stmt *st, struct fk_error *err);
sqlite3_stmt *store_bound(struct fk_store *store, enum stmt_id id, const char *s, int64_t value,
                          struct fk_error *err);
int store_row_int64s(struct fk_store *store, sqlite3_stmt *st, int64_t *const *fields, int n,
                     struct fk_error *err);
int store_asset_stats(struct fk_store *store, struct fk_asset_stats *out, struct fk_error *err);

/* store_assets.c, shared with the PostgreSQL store (store_pg_assets.c and
 * store_pg_maint.c): the names as both store them, and the repairs. */
/* The asset status named name; FK_ASSET_PENDING for NULL or no status. */
enum fk_asset_status store_asset_status(const char *name);
/* The asset kind named name; FK_ASSET_IMAGE for NULL or no kind. */
enum fk_asset_kind store_asset_kind(const char *name);
/* Whether reason (a valid one) is under a cap, whose value is stored with
 * it so that a change of the cap makes the URL due again. */
bool store_asset_skip_has_cap(enum fk_asset_skip reason);
/* fk_store_repair_assets's statements, in order, each run once; the SQL
 * is the same on both engines. */
extern const char *const store_asset_repairs[3];

/* store_pack.c */
void store_pack_release(struct fk_store *store);
/* data packed into one zstd frame against prefix (NULL or prefix_size 0:
 * none), malloc'd, its size in *packed_size; NULL if zstd failed. */
void *store_pack(struct fk_store *store, const void *data, size_t size, const void *prefix,
                 size_t prefix_size, size_t *packed_size);
/* One zstd frame unpacked against the prefix it was packed with: malloc'd
 * and NUL-terminated, its size in *size (when not NULL); NULL with *why
 * set when it does not unpack. */
char *store_unpack(struct fk_store *store, const void *packed, size_t packed_size,
                   const void *prefix, size_t prefix_size, size_t *size, const char **why);
/* Bind value (NULL: SQL NULL) to parameter index of st, packed against
 * prefix when that pays, plain otherwise. Returns the SQLite result code. */
int store_bind_packed(struct fk_store *store, sqlite3_stmt *st, int index, const char *value,
                      const char *prefix);
/* Bind an HTML form like store_bind_packed without a prefix, packed with
 * the archive's dictionary when it has one. */
int store_bind_html(struct fk_store *store, sqlite3_stmt *st, int index, const char *value);
/* Train the archive's compression dictionary when it is due: none paid
 * yet, and the archive holds at least 1,000 articles and twice as many as
 * at the last try (with force, whenever none paid yet). Filing tries once
 * per process, at its first HTML (store_bind_html), in the feed's
 * transaction; this runs a try in a transaction of its own (vacuum).
 * Returns 0 or -1 with err filled (a dictionary zstd cannot make is a try
 * that did not pay, not an error). */
int store_dict_train(struct fk_store *store, bool force, struct fk_error *err);
/* The feed's transaction ended, committed or not: a dictionary trained in
 * it that was not committed is forgotten. */
void store_pack_uncommitted(struct fk_store *store, bool committed);
/* The archive's dictionary in use (all 0: none). Returns 0 or -1 with err
 * filled. */
int store_pack_stats(struct fk_store *store, struct fk_pack_stats *out, struct fk_error *err);
/* Pack again with the archive's dictionary the HTML packed alone, in
 * transactions of their own (vacuum). Returns 0 or -1 with err filled. */
int store_pack_with_dict(struct fk_store *store, struct fk_error *err);
/* Column col of st's row (of article id, for the message), unpacked
 * against prefix (NULL: none) when packed: a malloc'd copy in *out (NULL
 * for SQL NULL). Returns 0, or -1 with err filled. */
int store_column_unpacked(struct fk_store *store, sqlite3_stmt *st, int col, const char *prefix,
                          int64_t id, char **out, struct fk_error *err);

/* The size of a packed value unpacked, from its frame's header; -1 when it
 * does not say. */
int64_t store_unpacked_size(const void *packed, size_t packed_size);
/* feedkeep_pack_against(VALUE, HTML): a TEXT VALUE packed against HTML
 * (itself packed or plain, or NULL for none), as a version's text is; VALUE
 * as it is when packing does not pay. */
void store_sql_pack_against(sqlite3_context *ctx, int argc, sqlite3_value **argv);
/* Pack the rows filed plain before schema 14 (and the versions' text before
 * schema 16), in transactions of their own, telling the progress function
 * the rows done after each. Returns 0 or -1 with err filled. */
int store_pack_plain(struct fk_store *store, struct fk_error *err);
/* Unpack every packed column (inside the caller's read transaction): fn
 * gets a line per row that does not unpack. Returns the number of lines
 * given, or -1 with err filled. */
int store_pack_check(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_error *err);

/* store_pages.c, shared with the PostgreSQL store (store_pg_assets.c):
 * what is decided about an article's page, whatever the engine; each
 * engine reads and writes the page's row through a store_page_ops. */

/* The page status named name; FK_PAGE_UNUSABLE for NULL or no status. */
enum fk_page_status store_page_status(const char *name);

/* What an attempt leaves in the page's row. */
struct store_page_attempt {
    enum fk_page_status status;
    int64_t time;
    int http_status;
    const char *error;
    int failures;
    int64_t next_try;
    const char *url;
};

/* The article's text length and its page's state, read in the
 * transaction. found is false when the article is missing. */
struct store_page_state {
    bool found;
    int64_t article_length;
    enum fk_page_status status;
    bool has_row, has_html, used;
    int64_t text_length, feed_length;
    int failures;
};

/* An engine's reads and writes of the page of article id, on its handle
 * db (struct fk_store or struct pg_store), inside a write. Each returns
 * 0, or -1 with err filled (write_end: as it says). */
struct store_page_ops {
    /* begin a write: in the feed's transaction when a feed is being filed,
     * else in one of its own (*own set) */
    int (*write_begin)(void *db, bool *own, struct fk_error *err);
    /* end it, ret saying how it went; returns ret, or -1 when the commit
     * failed */
    int (*write_end)(void *db, bool own, int ret, struct fk_error *err);
    /* *s, zeroed first: s->found stays false (0 returned) when the article
     * is missing */
    int (*read_state)(void *db, int64_t id, struct store_page_state *s, struct fk_error *err);
    /* a into the page's row, made (as skipped) when there is none; the
     * article exists */
    int (*record_attempt)(void *db, int64_t id, const struct store_page_attempt *a,
                          struct fk_error *err);
    /* page's HTML and validators into its row, its text text_length bytes */
    int (*store_html)(void *db, const struct fk_page *page, int64_t text_length,
                      struct fk_error *err);
    /* content, the page's, becomes the article's as reparse replaces it
     * (*result), and the page is marked the content, feed_length the
     * length of the feed's text it stands for */
    int (*use_page)(void *db, int64_t id, const struct fk_content *content, int64_t feed_length,
                    enum fk_reparse_result *result, struct fk_error *err);
};

/* fk_store_pages_skipped, fk_store_page_failed and (in a transaction the
 * caller began) fk_store_put_page of include/feedkeep/store.h, through
 * ops; store_page_put returns 1, nothing written, when the article is
 * missing. */
int store_pages_skipped(const struct store_page_ops *ops, void *db, const int64_t *ids,
                        const char *const *urls, size_t count, struct fk_error *err);
int store_page_failed(const struct store_page_ops *ops, void *db, int64_t id, const char *url,
                      const char *error, int http_status, int64_t time, int64_t retry_after,
                      bool final, struct fk_fetch_schedule *schedule, struct fk_error *err);
int store_page_put(const struct store_page_ops *ops, void *db, const struct fk_page *page,
                   const struct fk_content *content, enum fk_page_result *result,
                   struct fk_error *err);

/* store_raw.c */
int store_raw_stats(struct fk_store *store, struct fk_raw_stats *out, struct fk_error *err);

/* store_write.c */
int64_t store_content_hash(const char *title, const char *text, const struct tag_list *tags);
void store_sql_link_key(sqlite3_context *ctx, int argc, sqlite3_value **argv);
bool store_link_is_root(const char *key);
void store_filed_release(struct filed_set *set);
void store_match_compare(const struct match_side *a, const struct match_side *b, bool all_figures,
                         struct fk_match *m);
void store_pending_release(struct fk_store_pending *p);
int store_check_feed(struct fk_store *store, struct fk_error *err);
int store_replace_content(struct fk_store *store, int64_t id, const struct fk_content *content,
                          enum fk_reparse_result *result, struct fk_error *err);

/* store_write.c, shared with the PostgreSQL store (store_pg_write.c) */
struct filed_slot *store_filed_find(const struct filed_set *set, int64_t id);
void store_filed_add(struct filed_set *set, int64_t id, uint64_t key_hash);
int64_t store_source_hash(const struct fk_item *item, const struct tag_list *tags);
void store_split_author(const char *author, char **name, char **email);

/* How a search estimates the article counts of its phrases (store_query.c):
 * in archives whose ids span min_span, until the slices hold hits
 * articles. Tests make them small. */
struct store_rank_sampling {
    int64_t min_span;
    int64_t hits;
};
extern struct store_rank_sampling store_rank_sampling;

/* A search's filter that selects fewer articles than this through an
 * index is read as a set; else it is probed on each match (store_query.c).
 * Tests set it to 0 to probe every filter. */
extern int64_t store_search_set_max;

#endif
