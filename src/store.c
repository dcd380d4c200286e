/* store.c - the archive: schema and migrations, filing items, queries.
 *
 * This is the only file that includes sqlite3.h. Every other module sees the
 * archive through include/feedkeep/store.h and its plain structs.
 *
 * Writing is built for large imports: every statement the write path needs is
 * prepared once, when the archive is opened, and reused with bound
 * parameters; a whole feed is one transaction; the schema is never looked up
 * per item. Queries build their SQL from fixed fragments and bind every value
 * that came from a user, so nothing a user types is ever part of SQL text.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* PRAGMA application_id of a feedkeep archive: "fkee" in ASCII. It tells our
 * archives apart from other programs' SQLite files (file(1) shows it too). */
#define APPLICATION_ID 0x666B6565
/* The schema version this feedkeep writes (PRAGMA user_version). */
#define SCHEMA_VERSION 1
/* How long to wait for another process's write lock, in milliseconds. */
#define BUSY_TIMEOUT_MS 5000

/* ---- schema --------------------------------------------------------------- */

/* Version 1 of the schema. Times are unix seconds, UTC, NULL when unknown.
 * The SQL comments stay in the archive (sqlite3's .schema shows them) for
 * whoever queries it from the shell. It is one block of SQL, split in two C
 * strings only because ISO C compilers need not take longer literals. */
static const char *const schema_v1[] = {
    /* Feeds that were fetched or imported. The fetch columns (etag to
     * next_fetch) belong to the fetcher; an imported file leaves them NULL. */
    "CREATE TABLE feeds (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    url           TEXT NOT NULL UNIQUE,  -- the document's URL\n"
    "    title         TEXT,\n"
    "    site_url      TEXT,\n"
    "    etag          TEXT,                  -- validators for conditional GET\n"
    "    last_modified TEXT,\n"
    "    last_fetch    INTEGER,\n"
    "    last_status   INTEGER,               -- HTTP status of the last fetch\n"
    "    failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive failed fetches\n"
    "    next_fetch    INTEGER,               -- no fetch before this (backoff)\n"
    "    created       INTEGER NOT NULL\n"
    ");\n"
    /* One row per article, however many feeds carried it. key is the
     * identity key (fk_store_identity); the *_raw columns keep the date
     * strings as the feed wrote them. The small columns come first: a row
     * is mostly text and HTML, which SQLite keeps on overflow pages, and
     * filing and listing then read only a row's first page. */
    "CREATE TABLE articles (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    key           TEXT NOT NULL UNIQUE,\n"
    "    content_hash  INTEGER NOT NULL,  -- of title, text and tags: what counts as a change\n"
    "    source_hash   INTEGER NOT NULL,  -- of title, HTML and tags: lets a re-import skip\n"
    "                                     -- converting content it already has\n"
    "    first_seen    INTEGER NOT NULL,\n"
    "    last_seen     INTEGER NOT NULL,\n"
    "    published     INTEGER,\n"
    "    updated       INTEGER,\n"
    "    guid          TEXT,\n"
    "    url           TEXT,\n"
    "    title         TEXT,\n"
    "    author        TEXT,\n"
    "    published_raw TEXT,\n"
    "    updated_raw   TEXT,\n"
    "    tags_text     TEXT NOT NULL DEFAULT '',  -- sorted tag names joined by spaces\n"
    "    text          TEXT NOT NULL DEFAULT '',\n"
    "    markdown      TEXT NOT NULL DEFAULT '',\n"
    "    summary_html  TEXT,\n"
    "    content_html  TEXT\n"
    ");\n"
    /* Newest-first listing walks this index backwards (NULLs sort last in
     * DESC order), and since/until are ranges on it. */
    "CREATE INDEX articles_published ON articles(published);\n"
    /* Which feeds carried an article: dev.to articles appear in a user feed
     * and in several tag feeds. Deleting a feed keeps its articles. */
    "CREATE TABLE article_feeds (\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (article_id, feed_id)\n"
    ");\n"
    "CREATE INDEX article_feeds_feed ON article_feeds(feed_id);\n"
    /* The content an article had before a change replaced it. */
    "CREATE TABLE article_versions (\n"
    "    id           INTEGER PRIMARY KEY,\n"
    "    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    replaced_at  INTEGER NOT NULL,\n"
    "    title        TEXT,\n"
    "    text         TEXT,\n"
    "    markdown     TEXT,\n"
    "    content_html TEXT,\n"
    "    tags_text    TEXT,\n"
    "    content_hash INTEGER\n"
    ");\n"
    "CREATE INDEX article_versions_article ON article_versions(article_id);\n"
    /* Tag names are normalised before they get here (see normalize_tags). */
    "CREATE TABLE tags (\n"
    "    id   INTEGER PRIMARY KEY,\n"
    "    name TEXT NOT NULL UNIQUE CHECK (name <> '')\n"
    ");\n"
    /* published repeats the article's date (written with the tags, which
     * are rewritten whenever an article changes): "newest articles tagged
     * x" is then one backward walk of article_tags_tag, whatever the size
     * of the archive. */
    "CREATE TABLE article_tags (\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,\n"
    "    published  INTEGER,  -- = articles.published\n"
    "    PRIMARY KEY (article_id, tag_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX article_tags_tag ON article_tags(tag_id, published, article_id);\n"
    /* Code blocks in article order. language is stored lower-case and
     * compared without case, so "--lang Python" finds "python". */
    "CREATE TABLE code_blocks (\n"
    "    id         INTEGER PRIMARY KEY,\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    position   INTEGER NOT NULL,      -- 0-based\n"
    "    language   TEXT COLLATE NOCASE,   -- NULL when the HTML named none\n"
    "    code       TEXT NOT NULL,\n"
    "    lines      INTEGER NOT NULL,\n"
    "    UNIQUE (article_id, position)\n"
    ");\n"
    "CREATE INDEX code_blocks_language ON code_blocks(language);\n",
    /* One row per fetch attempt, for feed health and stats. */
    "CREATE TABLE fetches (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
    "    time          INTEGER NOT NULL,\n"
    "    status        INTEGER,   -- HTTP status, NULL when there was no response\n"
    "    bytes         INTEGER,\n"
    "    duration_ms   INTEGER,\n"
    "    new_count     INTEGER,\n"
    "    updated_count INTEGER,\n"
    "    error         TEXT       -- NULL on success\n"
    ");\n"
    "CREATE INDEX fetches_feed_time ON fetches(feed_id, time);\n"
    /* The full-text index holds no copy of the text (external content).
     * FTS5 reads an external content table by the index's own column names,
     * and the articles column is tags_text, so the index reads articles
     * through a view that renames it; snippet() and highlight() need that. */
    "CREATE VIEW articles_fts_source AS\n"
    "    SELECT id, title, text, tags_text AS tags FROM articles;\n"
    "CREATE VIRTUAL TABLE articles_fts USING fts5(\n"
    "    title, text, tags, content='articles_fts_source', content_rowid='id'\n"
    ");\n"
    /* Keeping the index in step: feedkeep indexes new and changed articles
     * itself, all new articles of a feed in one statement when the feed is
     * committed. Triggers on insert and update would make FTS5 write its
     * pending index out after every single article (it does at every
     * statement savepoint, and a statement with a trigger opens one), which
     * doubled the time of an import. Deleting has a trigger, so articles
     * removed by hand leave the index. Whoever changes title, text or
     * tags_text by hand rebuilds the index:
     *   INSERT INTO articles_fts(articles_fts) VALUES ('rebuild'); */
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN\n"
    "    INSERT INTO articles_fts(articles_fts, rowid, title, text, tags)\n"
    "        VALUES ('delete', old.id, old.title, old.text, old.tags_text);\n"
    "END;\n",
    NULL,
};

/* Migration steps, oldest first: step i takes an archive from version
 * migrations[i].version - 1 to migrations[i].version by running its SQL
 * texts (a NULL-terminated list) in order. Version 2 will be a second entry
 * holding its ALTER TABLE statements; all due steps run in one transaction,
 * so an archive is never left half-migrated. */
static const struct migration {
    int version;
    const char *const *sql;
} migrations[] = {
    {1, schema_v1},
};

/* ---- prepared statements -------------------------------------------------- */

/* Every statement the write path and the per-article lookups use, prepared
 * once per handle. Knowledge in a table: the enum indexes stmt_sql. */
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
    ST_FTS_INDEX_NEW,
    ST_FTS_INDEX_ONE,
    ST_FTS_UNINDEX_ONE,
    ST_TAG_FREQUENCY,
    ST_LANGUAGE_FREQUENCY,
    ST_ARTICLE_GET,
    ST_COUNTS,
    ST_COUNT
};

/* The columns of a struct fk_article, in the order read_article reads them.
 * feed_url is the first feed that carried the article. */
#define ARTICLE_COLUMNS                                                                            \
    "a.id, a.guid, a.url, a.title, a.author, a.published, a.updated, "                             \
    "(SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "                       \
    "WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1)"

/* The columns of a struct fk_code_row, code_blocks being c. */
#define CODE_COLUMNS "c.id, c.article_id, c.position, c.language, c.code, c.lines, a.title"

#define FREQUENCY_CAP     1000
#define FREQUENCY_CAP_SQL "1000"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_FEED_UPSERT] = "INSERT INTO feeds(url, title, site_url, created)"
                       " VALUES (?1, nullif(?2, ''), nullif(?3, ''), ?4)"
                       " ON CONFLICT(url) DO UPDATE SET"
                       " title = coalesce(excluded.title, title),"
                       " site_url = coalesce(excluded.site_url, site_url)"
                       " RETURNING id",
    [ST_FEED_UPDATE] = "UPDATE feeds SET title = coalesce(nullif(?2, ''), title),"
                       " site_url = coalesce(nullif(?3, ''), site_url) WHERE id = ?1",
    /* New rows get max(id) + 1 (no AUTOINCREMENT, ids never set by hand), so
     * the articles a feed adds are those from this id on. */
    [ST_NEXT_ID] = "SELECT coalesce(max(id), 0) + 1 FROM articles",
    [ST_ARTICLE_FIND] = "SELECT id, content_hash, source_hash FROM articles WHERE key = ?1",
    /* ST_ARTICLE_INSERT and ST_ARTICLE_UPDATE share parameters ?2 to ?17
     * (bind_article); ?1 is the key for one and the id for the other. */
    [ST_ARTICLE_INSERT] = "INSERT INTO articles(key, guid, url, title, author, published,"
                          " published_raw, updated, updated_raw, first_seen, last_seen,"
                          " summary_html, content_html, text, markdown, tags_text,"
                          " content_hash, source_hash)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12,"
                          " ?13, ?14, ?15, ?16, ?17)",
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET guid = ?2, url = ?3, title = ?4, author = ?5,"
                          " published = ?6, published_raw = ?7, updated = ?8,"
                          " updated_raw = ?9, last_seen = ?10, summary_html = ?11,"
                          " content_html = ?12, text = ?13, markdown = ?14, tags_text = ?15,"
                          " content_hash = ?16, source_hash = ?17 WHERE id = ?1",
    [ST_ARTICLE_TOUCH] = "UPDATE articles SET last_seen = ?2, source_hash = ?3 WHERE id = ?1",
    [ST_VERSION_SAVE] = "INSERT INTO article_versions(article_id, replaced_at, title, text,"
                        " markdown, content_html, tags_text, content_hash)"
                        " SELECT id, ?2, title, text, markdown, content_html, tags_text,"
                        " content_hash FROM articles WHERE id = ?1",
    [ST_FEED_LINK] = "INSERT INTO article_feeds(article_id, feed_id) VALUES (?1, ?2)"
                     " ON CONFLICT DO NOTHING",
    [ST_TAG_FIND] = "SELECT id FROM tags WHERE name = ?1",
    [ST_TAG_INSERT] = "INSERT INTO tags(name) VALUES (?1)",
    [ST_ARTICLE_TAG_INSERT] = "INSERT INTO article_tags(article_id, tag_id, published)"
                              " VALUES (?1, ?2, ?3)",
    [ST_ARTICLE_TAGS_DELETE] = "DELETE FROM article_tags WHERE article_id = ?1",
    [ST_ARTICLE_TAGS_LIST] = "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
                             " WHERE at.article_id = ?1 ORDER BY t.name",
    [ST_CODE_INSERT] = "INSERT INTO code_blocks(article_id, position, language, code, lines)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_CODE_DELETE] = "DELETE FROM code_blocks WHERE article_id = ?1",
    [ST_FTS_INDEX_NEW] = "INSERT INTO articles_fts(rowid, title, text, tags)"
                         " SELECT id, title, text, tags_text FROM articles WHERE id >= ?1",
    [ST_FTS_INDEX_ONE] = "INSERT INTO articles_fts(rowid, title, text, tags)"
                         " SELECT id, title, text, tags_text FROM articles WHERE id = ?1",
    /* External content: the index must be told the old values to remove. */
    [ST_FTS_UNINDEX_ONE] = "INSERT INTO articles_fts(articles_fts, rowid, title, text, tags)"
                           " SELECT 'delete', id, title, text, tags_text FROM articles"
                           " WHERE id = ?1",
    /* How common a tag or language is, counted up to FREQUENCY_CAP: enough
     * to choose how to walk, at a bounded cost. */
    [ST_TAG_FREQUENCY] = "SELECT count(*) FROM (SELECT 1 FROM article_tags WHERE tag_id ="
                         " (SELECT id FROM tags WHERE name = ?1) LIMIT " FREQUENCY_CAP_SQL ")",
    [ST_LANGUAGE_FREQUENCY] = "SELECT count(*) FROM (SELECT 1 FROM code_blocks"
                              " WHERE language = ?1 LIMIT " FREQUENCY_CAP_SQL ")",
    [ST_ARTICLE_GET] = "SELECT " ARTICLE_COLUMNS ", a.text, a.markdown FROM articles a"
                       " WHERE a.id = ?1",
    [ST_COUNTS] = "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM articles),"
                  " (SELECT count(*) FROM tags t WHERE EXISTS"
                  " (SELECT 1 FROM article_tags at WHERE at.tag_id = t.id)),"
                  " (SELECT count(*) FROM code_blocks), (SELECT count(*) FROM article_versions)",
};

/* A list of tag names, each owned by the list. */
struct tag_list {
    char **names;
    size_t count;
    size_t cap;
};

struct fk_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmts[ST_COUNT];
    /* The feed being filed, between fk_store_begin_feed and _end_feed. */
    bool in_feed;
    bool feed_failed; /* a write failed half-way: the feed cannot commit */
    int64_t feed_id;
    int64_t first_new_id; /* articles from this id on are new in this feed */
    char *feed_url;
    /* Scratch space of fk_store_put_item, kept to save allocations. */
    struct tag_list tags;
    struct fk_buf tags_text;
};

/* ---- small helpers -------------------------------------------------------- */

static int db_error(struct fk_store *store, struct fk_error *err)
{
    return fk_error_set(err, FK_ERROR_DB, "database error: %s", sqlite3_errmsg(store->db));
}

/* Make a statement ready for its next use. sqlite3_reset returns the error
 * of the last step again, which the caller has already handled, and
 * sqlite3_clear_bindings cannot fail. */
static void stmt_reset(sqlite3_stmt *st)
{
    (void)sqlite3_reset(st);
    (void)sqlite3_clear_bindings(st);
}

/* Bind helpers: NULL strings and FK_TIME_NONE become SQL NULL. They return
 * the SQLite result code, so a chain of them joined by || stops at the
 * first failure. The strings must outlive the step (SQLITE_STATIC). */
static int bind_text(sqlite3_stmt *st, int index, const char *s)
{
    return s ? sqlite3_bind_text(st, index, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, index);
}

static int bind_int64(sqlite3_stmt *st, int index, int64_t value)
{
    return sqlite3_bind_int64(st, index, value);
}

static int bind_time(sqlite3_stmt *st, int index, int64_t t)
{
    return t == FK_TIME_NONE ? sqlite3_bind_null(st, index) : sqlite3_bind_int64(st, index, t);
}

static int64_t column_time(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? FK_TIME_NONE
                                                       : sqlite3_column_int64(st, col);
}

static const char *column_str(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* A copy of a text column that outlives the next step; NULL stays NULL. */
static char *column_dup(sqlite3_stmt *st, int col)
{
    const char *s = column_str(st, col);
    return s ? fk_xstrndup(s, (size_t)sqlite3_column_bytes(st, col)) : NULL;
}

/* Step a statement that returns no rows (or whose rows do not matter) and
 * reset it. Returns 0, or -1 with err filled. */
static int run(struct fk_store *store, enum stmt_id id, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[id];
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = db_error(store, err);
    stmt_reset(st);
    return ret;
}

/* Bind failures leave their message in the connection like step failures. */
static int bind_failed(struct fk_store *store, enum stmt_id id, struct fk_error *err)
{
    stmt_reset(store->stmts[id]);
    return db_error(store, err);
}

/* run() for a statement whose only parameter is an id. */
static int run_with_id(struct fk_store *store, enum stmt_id id, int64_t value, struct fk_error *err)
{
    if (bind_int64(store->stmts[id], 1, value))
        return bind_failed(store, id, err);
    return run(store, id, err);
}

/* Step a statement that returns at most one row whose first column is an
 * integer. Returns 1 with *value set, 0 when there is no row, -1 on error.
 * The statement is reset either way. */
static int run_int64(struct fk_store *store, enum stmt_id id, int64_t *value, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[id];
    int rc = sqlite3_step(st);
    int ret;
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64(st, 0);
        ret = 1;
    } else if (rc == SQLITE_DONE) {
        ret = 0;
    } else {
        ret = db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

/* 64-bit FNV-1a (Fowler, Noll, Vo): a fast, well-spread, non-cryptographic
 * hash. It only has to notice that an article changed, or tell items without
 * guid or link apart within one feed; nobody gains from forging a collision
 * and an accidental one has odds of 2^-64. Fields are hashed with a NUL after
 * each, so ("ab", "c") and ("a", "bc") differ; NULL hashes like "". */
#define FNV_OFFSET_BASIS UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME        UINT64_C(0x100000001b3)

static uint64_t fnv_add(uint64_t hash, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= FNV_PRIME;
    }
    return hash;
}

static uint64_t fnv_field(uint64_t hash, const char *s)
{
    if (s)
        hash = fnv_add(hash, s, strlen(s));
    return fnv_add(hash, "", 1);
}

/* SQLite integers are signed: keep the hash's bits, not its value. */
static int64_t hash_to_int64(uint64_t hash)
{
    int64_t value;
    memcpy(&value, &hash, sizeof value);
    return value;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s without leading and trailing white space, as start and length; NULL
 * gives length 0. */
static const char *trim(const char *s, size_t *len)
{
    if (!s) {
        *len = 0;
        return "";
    }
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && is_space(s[n - 1]))
        n--;
    *len = n;
    return s;
}

static void tag_list_clear(struct tag_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    list->count = 0;
}

static void tag_list_release(struct tag_list *list)
{
    tag_list_clear(list);
    free(list->names);
    list->names = NULL;
    list->cap = 0;
}

/* Take ownership of name. */
static void tag_list_push(struct tag_list *list, char *name)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->names = fk_xrealloc(list->names, list->cap * sizeof *list->names);
    }
    list->names[list->count++] = name;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replace list with tags as the archive keeps them: surrounding white space
 * removed and inner runs of it made one space, ASCII letters lower-cased,
 * empty names dropped, sorted, no duplicates. Only ASCII is folded (feeds
 * send tags in ASCII almost always, and feedkeep has no Unicode case
 * tables). Filters go through the same function, so a filter finds what
 * filing stored. */
static void normalize_tags(struct tag_list *list, const char *const *tags, size_t ntags)
{
    tag_list_clear(list);
    for (size_t i = 0; i < ntags; i++) {
        size_t len;
        const char *s = trim(tags[i], &len);
        if (!len)
            continue;
        char *name = fk_xmalloc(len + 1);
        size_t n = 0;
        for (size_t j = 0; j < len; j++) {
            if (is_space(s[j])) {
                if (!is_space(s[j - 1])) /* j > 0: s is trimmed */
                    name[n++] = ' ';
            } else {
                name[n++] = ascii_lower(s[j]);
            }
        }
        name[n] = '\0';
        tag_list_push(list, name);
    }
    if (list->count > 1)
        qsort(list->names, list->count, sizeof *list->names, compare_names);
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (kept && strcmp(list->names[kept - 1], list->names[i]) == 0)
            free(list->names[i]);
        else
            list->names[kept++] = list->names[i];
    }
    list->count = kept;
}

/* A code block's language as stored: lower case, NULL when none. */
static char *lower_dup(const char *s)
{
    if (!s || !*s)
        return NULL;
    char *copy = fk_xstrdup(s);
    for (char *p = copy; *p; p++)
        *p = ascii_lower(*p);
    return copy;
}

/* ---- opening -------------------------------------------------------------- */

/* Run a one-row, one-column statement that is fixed SQL text (pragmas and
 * counts while opening). Returns the SQLite result code. */
static int query_int64(sqlite3 *db, const char *sql, int64_t *value)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto out;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        *value = 0;
        rc = SQLITE_OK;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static int exec_sql(struct fk_store *store, const char *sql, struct fk_error *err)
{
    char *message = NULL;
    if (sqlite3_exec(store->db, sql, NULL, NULL, &message) == SQLITE_OK)
        return 0;
    fk_error_set(err, FK_ERROR_DB, "database error: %s",
                 message ? message : sqlite3_errmsg(store->db));
    sqlite3_free(message);
    return -1;
}

static int newer_archive(struct fk_store *store, int64_t version, struct fk_error *err)
{
    return fk_error_set(err, FK_ERROR_DB,
                        "archive '%s' was written by a newer feedkeep (schema version %lld, "
                        "this feedkeep knows up to %d)",
                        store->path, (long long)version, SCHEMA_VERSION);
}

/* Refuse what is not ours before writing anything: a file that is not
 * SQLite, another program's database, a newer schema. Sets *version. */
static int check_archive(struct fk_store *store, int64_t *version, struct fk_error *err)
{
    int64_t application_id = 0, objects = 0;
    /* The first statement reads the file header: that is where a file that
     * is not a database shows. */
    int rc = query_int64(store->db, "PRAGMA application_id", &application_id);
    if (rc == SQLITE_NOTADB)
        return fk_error_set(err, FK_ERROR_DB, "'%s' is not a feedkeep archive: %s", store->path,
                            sqlite3_errmsg(store->db));
    if (rc != SQLITE_OK)
        return fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", store->path,
                            sqlite3_errmsg(store->db));
    if (query_int64(store->db, "PRAGMA user_version", version) != SQLITE_OK ||
        query_int64(store->db, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK)
        return db_error(store, err);
    /* An empty database (a new or zero-length file) becomes an archive; one
     * holding tables must already carry our id. */
    if (application_id != APPLICATION_ID && (application_id != 0 || objects != 0))
        return fk_error_set(err, FK_ERROR_DB,
                            "'%s' is not a feedkeep archive: it is another program's "
                            "SQLite database",
                            store->path);
    if (*version > SCHEMA_VERSION)
        return newer_archive(store, *version, err);
    return 0;
}

/* Bring the schema up to SCHEMA_VERSION. Runs in one write transaction, and
 * reads the version again inside it: two feedkeep processes opening a new
 * archive at once must not both create the schema. */
static int migrate(struct fk_store *store, struct fk_error *err)
{
    int64_t version = 0;
    bool in_transaction = false;
    char pragmas[128];
    int ret = -1;

    if (exec_sql(store, "BEGIN IMMEDIATE", err) < 0)
        goto out;
    in_transaction = true;
    if (query_int64(store->db, "PRAGMA user_version", &version) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    if (version > SCHEMA_VERSION) {
        newer_archive(store, version, err);
        goto out;
    }
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        if (migrations[i].version <= version)
            continue;
        for (const char *const *sql = migrations[i].sql; *sql; sql++) {
            if (exec_sql(store, *sql, err) < 0)
                goto out;
        }
    }
    /* Pragmas take no parameters; both values are our own constants. */
    snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             APPLICATION_ID, SCHEMA_VERSION);
    if (exec_sql(store, pragmas, err) < 0 || exec_sql(store, "COMMIT", err) < 0)
        goto out;
    in_transaction = false;
    ret = 0;
out:
    if (in_transaction && !sqlite3_get_autocommit(store->db))
        (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err already says why */
    return ret;
}

struct fk_store *fk_store_open(const char *path, struct fk_error *err)
{
    struct fk_store *store = fk_xcalloc(1, sizeof *store);
    int64_t version = 0;
    bool ok = false;

    store->path = fk_xstrdup(path);
    fk_buf_init(&store->tags_text, 0);
    /* NOMUTEX: a handle is used by one thread at a time (see store.h). */
    int rc = sqlite3_open_v2(
        path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", path,
                     store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
        goto out;
    }
    if (sqlite3_extended_result_codes(store->db, 1) != SQLITE_OK ||
        sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    if (check_archive(store, &version, err) < 0)
        goto out;
    /* WAL lets queries run while a fetch writes; NORMAL sync is durable in
     * WAL mode except for the last commits on power loss, never corrupting.
     * A large feed is one large transaction: once it is checkpointed the
     * WAL file is cut back to 64 MiB rather than keeping its peak size. */
    if (exec_sql(store,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 " PRAGMA journal_size_limit = 67108864; PRAGMA foreign_keys = ON;",
                 err) < 0)
        goto out;
    /* Only a write lock can change the schema, so an archive that is up to
     * date is not locked at all: `list` never waits for a running fetch. */
    if (version < SCHEMA_VERSION && migrate(store, err) < 0)
        goto out;
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(store->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &store->stmts[i], NULL) != SQLITE_OK) {
            db_error(store, err);
            goto out;
        }
    }
    ok = true;
out:
    if (!ok) {
        fk_store_close(store);
        store = NULL;
    }
    return store;
}

void fk_store_close(struct fk_store *store)
{
    if (!store)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(store->stmts[i]);
    /* With every statement finalized sqlite3_close cannot be busy; it rolls
     * back a feed that was begun and never ended. */
    (void)sqlite3_close(store->db);
    tag_list_release(&store->tags);
    fk_buf_release(&store->tags_text);
    free(store->feed_url);
    free(store->path);
    free(store);
}

/* ---- identity --------------------------------------------------------------- */

char *fk_store_identity(const char *feed_url, const struct fk_item *item)
{
    struct fk_buf key;
    size_t feed_len, guid_len, url_len, title_len, date_len;
    const char *feed = trim(feed_url, &feed_len);
    const char *guid = trim(item->guid, &guid_len);
    const char *url = trim(item->url, &url_len);
    /* Trimmed copies, for fk_url_is_absolute. */
    char *guid_copy = fk_xstrndup(guid, guid_len);
    char *url_copy = fk_xstrndup(url, url_len);

    /* Keys are built from feed data of any length: no limit but memory. */
    fk_buf_init(&key, SIZE_MAX);
    if (guid_len && fk_url_is_absolute(guid_copy)) {
        fk_buf_adds(&key, "guid:");
        fk_buf_add(&key, guid, guid_len);
    } else if (guid_len) {
        fk_buf_adds(&key, "feed:");
        fk_buf_add(&key, feed, feed_len);
        fk_buf_adds(&key, " guid:");
        fk_buf_add(&key, guid, guid_len);
    } else if (url_len && fk_url_is_absolute(url_copy)) {
        fk_buf_adds(&key, "url:");
        fk_buf_add(&key, url, url_len);
    } else {
        const char *title = trim(item->title, &title_len);
        const char *date = trim(item->published_raw, &date_len);
        uint64_t hash = FNV_OFFSET_BASIS;
        hash = fnv_add(fnv_add(hash, title, title_len), "", 1);
        hash = fnv_add(fnv_add(hash, date, date_len), "", 1);
        fk_buf_adds(&key, "hash:");
        fk_buf_add(&key, feed, feed_len);
        fk_buf_printf(&key, " %016llx", (unsigned long long)hash);
    }
    free(guid_copy);
    free(url_copy);
    return fk_buf_detach(&key);
}

/* ---- writing ---------------------------------------------------------------- */

int fk_store_begin_feed(struct fk_store *store, const char *feed_url,
                        const struct fk_feed_info *info, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_FEED_UPSERT];
    int ret = -1;

    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is already being filed");
    if (run(store, ST_BEGIN, err) < 0)
        return -1;
    if (bind_text(st, 1, feed_url) || bind_text(st, 2, info ? info->title : NULL) ||
        bind_text(st, 3, info ? info->site_url : NULL) || bind_int64(st, 4, time(NULL))) {
        bind_failed(store, ST_FEED_UPSERT, err);
        goto out;
    }
    int found = run_int64(store, ST_FEED_UPSERT, &store->feed_id, err);
    if (found < 0)
        goto out;
    if (found == 0) {
        fk_error_set(err, FK_ERROR_DB, "database error: no feed row for '%s'", feed_url);
        goto out;
    }
    if (run_int64(store, ST_NEXT_ID, &store->first_new_id, err) != 1)
        goto out;
    store->feed_failed = false;
    store->feed_url = fk_xstrdup(feed_url);
    store->in_feed = true;
    ret = 0;
out:
    if (ret < 0 && !sqlite3_get_autocommit(store->db))
        (void)run(store, ST_ROLLBACK, NULL); /* err already says why */
    return ret;
}

/* What fk_store_put_item and fk_store_put_unchanged work out about an item
 * before writing. */
struct pending {
    char *key;
    int64_t id; /* of the stored article; 0 when there is none */
    int64_t stored_content_hash;
    int64_t stored_source_hash;
    int64_t source_hash;
};

/* Identity, normalised tags (into store->tags) and the source hash of item,
 * and the stored article with the same identity, if any. */
static int prepare_item(struct fk_store *store, const struct fk_item *item, struct pending *p,
                        struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ARTICLE_FIND];
    int ret = -1;

    p->key = fk_store_identity(store->feed_url, item);
    normalize_tags(&store->tags, (const char *const *)item->tags, item->ntags);
    uint64_t hash = FNV_OFFSET_BASIS;
    hash = fnv_field(hash, item->title);
    hash = fnv_field(hash, item->summary_html);
    hash = fnv_field(hash, item->content_html);
    for (size_t i = 0; i < store->tags.count; i++)
        hash = fnv_field(hash, store->tags.names[i]);
    p->source_hash = hash_to_int64(hash);

    if (bind_text(st, 1, p->key))
        return bind_failed(store, ST_ARTICLE_FIND, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->id = sqlite3_column_int64(st, 0);
        p->stored_content_hash = sqlite3_column_int64(st, 1);
        p->stored_source_hash = sqlite3_column_int64(st, 2);
    } else if (rc == SQLITE_DONE) {
        p->id = 0;
    } else {
        db_error(store, err);
        goto out;
    }
    ret = 0;
out:
    stmt_reset(st);
    return ret;
}

/* Record that the current feed carried article id. */
static int link_feed(struct fk_store *store, int64_t id, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_FEED_LINK];
    if (bind_int64(st, 1, id) || bind_int64(st, 2, store->feed_id))
        return bind_failed(store, ST_FEED_LINK, err);
    return run(store, ST_FEED_LINK, err);
}

/* Record that the stored article p->id was seen again in the current feed:
 * last_seen, feed membership and the source hash (so that the next import
 * can skip it early), nothing else. */
static int touch_article(struct fk_store *store, const struct pending *p, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ARTICLE_TOUCH];
    if (bind_int64(st, 1, p->id) || bind_int64(st, 2, time(NULL)) ||
        bind_int64(st, 3, p->source_hash))
        return bind_failed(store, ST_ARTICLE_TOUCH, err);
    if (run(store, ST_ARTICLE_TOUCH, err) < 0)
        return -1;
    return link_feed(store, p->id, err);
}

/* Bind ?2 to ?17 of ST_ARTICLE_INSERT or ST_ARTICLE_UPDATE. */
static int bind_article(struct fk_store *store, sqlite3_stmt *st, const struct fk_item *item,
                        const struct fk_content *content, int64_t content_hash, int64_t source_hash)
{
    const char *text = content && content->text ? content->text : "";
    const char *markdown = content && content->markdown ? content->markdown : "";
    return bind_text(st, 2, item->guid) || bind_text(st, 3, item->url) ||
           bind_text(st, 4, item->title) || bind_text(st, 5, item->author) ||
           bind_time(st, 6, item->published) || bind_text(st, 7, item->published_raw) ||
           bind_time(st, 8, item->updated) || bind_text(st, 9, item->updated_raw) ||
           bind_int64(st, 10, time(NULL)) || bind_text(st, 11, item->summary_html) ||
           bind_text(st, 12, item->content_html) || bind_text(st, 13, text) ||
           bind_text(st, 14, markdown) || bind_text(st, 15, store->tags_text.data) ||
           bind_int64(st, 16, content_hash) || bind_int64(st, 17, source_hash);
}

/* Link article id to the tags in store->tags, creating missing tags. */
static int insert_tags(struct fk_store *store, int64_t article_id, int64_t published,
                       struct fk_error *err)
{
    for (size_t i = 0; i < store->tags.count; i++) {
        int64_t tag_id = 0;
        const char *name = store->tags.names[i];
        if (bind_text(store->stmts[ST_TAG_FIND], 1, name))
            return bind_failed(store, ST_TAG_FIND, err);
        int found = run_int64(store, ST_TAG_FIND, &tag_id, err);
        if (found < 0)
            return -1;
        if (!found) {
            if (bind_text(store->stmts[ST_TAG_INSERT], 1, name))
                return bind_failed(store, ST_TAG_INSERT, err);
            if (run(store, ST_TAG_INSERT, err) < 0)
                return -1;
            tag_id = sqlite3_last_insert_rowid(store->db);
        }
        sqlite3_stmt *st = store->stmts[ST_ARTICLE_TAG_INSERT];
        if (bind_int64(st, 1, article_id) || bind_int64(st, 2, tag_id) ||
            bind_time(st, 3, published))
            return bind_failed(store, ST_ARTICLE_TAG_INSERT, err);
        if (run(store, ST_ARTICLE_TAG_INSERT, err) < 0)
            return -1;
    }
    return 0;
}

static int insert_code_blocks(struct fk_store *store, int64_t article_id,
                              const struct fk_content *content, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_CODE_INSERT];
    for (size_t i = 0; content && i < content->ncode_blocks; i++) {
        const struct fk_code_block *block = &content->code_blocks[i];
        char *language = lower_dup(block->language);
        int rc = bind_int64(st, 1, article_id) || bind_int64(st, 2, (int64_t)i) ||
                 bind_text(st, 3, language) || bind_text(st, 4, block->code ? block->code : "") ||
                 bind_int64(st, 5, (int64_t)block->lines);
        rc = rc ? bind_failed(store, ST_CODE_INSERT, err) : run(store, ST_CODE_INSERT, err);
        free(language);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Delete what belongs to article id and is about to be written again. */
static int delete_children(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (bind_int64(store->stmts[ST_ARTICLE_TAGS_DELETE], 1, id))
        return bind_failed(store, ST_ARTICLE_TAGS_DELETE, err);
    if (run(store, ST_ARTICLE_TAGS_DELETE, err) < 0)
        return -1;
    if (bind_int64(store->stmts[ST_CODE_DELETE], 1, id))
        return bind_failed(store, ST_CODE_DELETE, err);
    return run(store, ST_CODE_DELETE, err);
}

/* Write a new article, or the new content of a changed one (p->id != 0),
 * with its tags, code blocks and feed membership. */
static int write_article(struct fk_store *store, const struct fk_item *item,
                         const struct fk_content *content, struct pending *p, int64_t content_hash,
                         struct fk_error *err)
{
    enum stmt_id id = p->id ? ST_ARTICLE_UPDATE : ST_ARTICLE_INSERT;
    sqlite3_stmt *st = store->stmts[id];

    /* An article new in this feed is indexed when the feed is committed;
     * an older one is indexed already and is reindexed here. */
    bool reindex = p->id && p->id < store->first_new_id;
    if (p->id) {
        sqlite3_stmt *save = store->stmts[ST_VERSION_SAVE];
        if (bind_int64(save, 1, p->id) || bind_int64(save, 2, time(NULL)))
            return bind_failed(store, ST_VERSION_SAVE, err);
        if (run(store, ST_VERSION_SAVE, err) < 0 || delete_children(store, p->id, err) < 0)
            return -1;
        if (reindex && run_with_id(store, ST_FTS_UNINDEX_ONE, p->id, err) < 0)
            return -1;
    }
    if ((p->id ? bind_int64(st, 1, p->id) : bind_text(st, 1, p->key)) ||
        bind_article(store, st, item, content, content_hash, p->source_hash))
        return bind_failed(store, id, err);
    if (run(store, id, err) < 0)
        return -1;
    if (reindex && run_with_id(store, ST_FTS_INDEX_ONE, p->id, err) < 0)
        return -1;
    if (!p->id)
        p->id = sqlite3_last_insert_rowid(store->db);
    if (insert_tags(store, p->id, item->published, err) < 0 ||
        insert_code_blocks(store, p->id, content, err) < 0)
        return -1;
    return link_feed(store, p->id, err);
}

/* Whether filing can go on in the current feed. */
static int check_feed(struct fk_store *store, struct fk_error *err)
{
    if (!store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    /* Some errors (disk full, I/O) make SQLite roll the whole transaction
     * back: filing more items would then commit each one on its own. */
    if (store->feed_failed || sqlite3_get_autocommit(store->db))
        return fk_error_set(err, FK_ERROR_DB,
                            "database error: the feed is rolled back after an earlier error");
    return 0;
}

int fk_store_put_item(struct fk_store *store, const struct fk_item *item,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err)
{
    struct pending p = {0};
    int ret = -1;

    if (check_feed(store, err) < 0)
        return -1;
    if (prepare_item(store, item, &p, err) < 0)
        goto out;

    fk_buf_reset(&store->tags_text);
    uint64_t hash = FNV_OFFSET_BASIS;
    hash = fnv_field(hash, item->title);
    hash = fnv_field(hash, content ? content->text : NULL);
    for (size_t i = 0; i < store->tags.count; i++) {
        hash = fnv_field(hash, store->tags.names[i]);
        if ((i && fk_buf_addc(&store->tags_text, ' ') < 0) ||
            fk_buf_adds(&store->tags_text, store->tags.names[i]) < 0) {
            fk_error_set(err, FK_ERROR_INPUT, "the tags of '%s' are too long", p.key);
            goto out;
        }
    }
    if (!store->tags_text.data)
        fk_buf_adds(&store->tags_text, "");
    int64_t content_hash = hash_to_int64(hash);

    enum fk_put_result what;
    int rc;
    if (p.id && p.stored_content_hash == content_hash) {
        what = FK_PUT_UNCHANGED;
        rc = touch_article(store, &p, err);
    } else {
        what = p.id ? FK_PUT_UPDATED : FK_PUT_NEW;
        rc = write_article(store, item, content, &p, content_hash, err);
    }
    if (rc < 0) {
        /* Part of the item may be written. A savepoint per item could undo
         * just that part, but FTS5 writes out its pending index at every
         * savepoint, which made imports half again as slow; errors here are
         * the database's (disk full, I/O), so the feed goes instead. */
        store->feed_failed = true;
        goto out;
    }
    *result = what;
    ret = 0;
out:
    free(p.key);
    return ret;
}

int fk_store_put_unchanged(struct fk_store *store, const struct fk_item *item, struct fk_error *err)
{
    struct pending p = {0};
    int ret = -1;

    if (check_feed(store, err) < 0)
        return -1;
    if (prepare_item(store, item, &p, err) < 0)
        goto out;
    ret = 0;
    if (p.id && p.stored_source_hash == p.source_hash) {
        ret = 1;
        if (touch_article(store, &p, err) < 0) {
            store->feed_failed = true;
            ret = -1;
        }
    }
out:
    free(p.key);
    return ret;
}

int fk_store_end_feed(struct fk_store *store, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_FEED_UPDATE];
    int ret = -1;

    if (!store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    if (!ok) {
        ret = run(store, ST_ROLLBACK, err);
        goto out;
    }
    if (check_feed(store, err) < 0)
        goto out;
    if (final) {
        if (bind_int64(st, 1, store->feed_id) || bind_text(st, 2, final->title) ||
            bind_text(st, 3, final->site_url)) {
            bind_failed(store, ST_FEED_UPDATE, err);
            goto out;
        }
        if (run(store, ST_FEED_UPDATE, err) < 0)
            goto out;
    }
    /* One statement indexes all the feed's new articles: FTS5 collects
     * them in memory and writes large segments. */
    if (run_with_id(store, ST_FTS_INDEX_NEW, store->first_new_id, err) < 0)
        goto out;
    ret = run(store, ST_COMMIT, err);
out:
    /* Whatever happened, the handle must be ready for the next feed: a
     * failed COMMIT leaves the transaction open. */
    if (!sqlite3_get_autocommit(store->db))
        (void)run(store, ST_ROLLBACK, NULL); /* err already says why */
    store->in_feed = false;
    store->feed_failed = false;
    store->feed_id = 0;
    store->first_new_id = 0;
    free(store->feed_url);
    store->feed_url = NULL;
    return ret;
}

/* ---- queries ---------------------------------------------------------------- */

void fk_filter_init(struct fk_filter *f)
{
    memset(f, 0, sizeof *f);
    f->since = FK_TIME_NONE;
    f->until = FK_TIME_NONE;
}

/* A query built at run time from fixed SQL fragments, with the values to
 * bind collected in the same order as their placeholders are appended: no
 * value from a user is ever part of the SQL text. */
struct query_param {
    const char *text; /* NULL: bind value */
    int64_t value;
};

struct query {
    struct fk_buf sql;
    struct query_param *params;
    size_t nparams;
    size_t cap;
    bool failed; /* the SQL passed the buffer's limit */
};

static void query_init(struct query *q)
{
    memset(q, 0, sizeof *q);
    fk_buf_init(&q->sql, 0);
}

static void query_release(struct query *q)
{
    fk_buf_release(&q->sql);
    free(q->params);
}

static void query_add(struct query *q, const char *fragment)
{
    if (fk_buf_adds(&q->sql, fragment) < 0)
        q->failed = true;
}

/* Append a fragment holding one "?" and the value that goes there. */
static void query_add_param(struct query *q, const char *fragment, const char *text, int64_t value)
{
    if (q->nparams == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 8;
        q->params = fk_xrealloc(q->params, q->cap * sizeof *q->params);
    }
    q->params[q->nparams].text = text;
    q->params[q->nparams].value = value;
    q->nparams++;
    query_add(q, fragment);
}

/* Prepare q and bind its values. Returns 0, or -1 with err filled. */
static int query_prepare(struct fk_store *store, struct query *q, sqlite3_stmt **st,
                         struct fk_error *err)
{
    *st = NULL;
    if (q->failed || q->nparams > INT32_MAX)
        return fk_error_set(err, FK_ERROR_USAGE, "too many tags in the filter");
    if (sqlite3_prepare_v2(store->db, q->sql.data, (int)q->sql.len, st, NULL) != SQLITE_OK)
        return db_error(store, err);
    for (size_t i = 0; i < q->nparams; i++) {
        const struct query_param *param = &q->params[i];
        int index = (int)i + 1;
        if (param->text ? bind_text(*st, index, param->text) : bind_int64(*st, index, param->value))
            return db_error(store, err);
    }
    return 0;
}

/* Move the rarest of the filter's tags first: the query walks the first
 * tag's articles and probes the others, so "rust AND some-rare-tag" reads a
 * handful of index entries instead of every rust article. */
static int rarest_tag_first(struct fk_store *store, struct tag_list *tags, struct fk_error *err)
{
    int64_t fewest = INT64_MAX;
    size_t rarest = 0;
    if (tags->count < 2)
        return 0;
    for (size_t i = 0; i < tags->count; i++) {
        int64_t n = 0;
        if (bind_text(store->stmts[ST_TAG_FREQUENCY], 1, tags->names[i]))
            return bind_failed(store, ST_TAG_FREQUENCY, err);
        if (run_int64(store, ST_TAG_FREQUENCY, &n, err) < 0)
            return -1;
        if (n < fewest) {
            fewest = n;
            rarest = i;
        }
    }
    char *first = tags->names[0];
    tags->names[0] = tags->names[rarest];
    tags->names[rarest] = first;
    return 0;
}

/* Append the conditions (each " AND ...") of f's tags and dates. With tags
 * the query reads article_tags as t0, walking the first tag's entries of
 * article_tags_tag in date order and probing the other tags by primary key,
 * so a walk with a limit stops after that many matches; without tags it
 * reads articles as a, in the order of articles_published. */
static void query_add_filter(struct query *q, const struct fk_filter *f,
                             const struct tag_list *tags)
{
    const char *since = tags->count ? " AND t0.published >= ?" : " AND a.published >= ?";
    const char *until = tags->count ? " AND t0.published < ?" : " AND a.published < ?";
    if (tags->count)
        query_add_param(q, " AND t0.tag_id = (SELECT id FROM tags WHERE name = ?)", tags->names[0],
                        0);
    if (f->since != FK_TIME_NONE)
        query_add_param(q, since, NULL, f->since);
    if (f->until != FK_TIME_NONE)
        query_add_param(q, until, NULL, f->until);
    for (size_t i = 1; i < tags->count; i++)
        query_add_param(q,
                        " AND EXISTS (SELECT 1 FROM article_tags tn"
                        " WHERE tn.article_id = t0.article_id"
                        " AND tn.tag_id = (SELECT id FROM tags WHERE name = ?))",
                        tags->names[i], 0);
}

/* Newest first, for the tables query_add_filter reads. published DESC puts
 * NULL (no date) last. */
static const char *filter_order(const struct tag_list *tags)
{
    return tags->count ? " ORDER BY t0.published DESC, t0.article_id DESC"
                       : " ORDER BY a.published DESC, a.id DESC";
}

/* Append a SELECT of the id and published date of the articles matching
 * f's tags and dates (not its language or limit). */
static void query_add_article_ids(struct query *q, const struct fk_filter *f,
                                  const struct tag_list *tags, bool ordered)
{
    if (tags->count)
        query_add(q, "SELECT t0.article_id AS id, t0.published AS published"
                     " FROM article_tags t0 WHERE 1");
    else
        query_add(q, "SELECT a.id AS id, a.published AS published FROM articles a WHERE 1");
    query_add_filter(q, f, tags);
    if (ordered)
        query_add(q, filter_order(tags));
}

/* Load the sorted tag names of article id into list (copies: the caller
 * keeps them while ST_ARTICLE_TAGS_LIST is used again). */
static int load_tags(struct fk_store *store, int64_t id, struct tag_list *list,
                     struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ARTICLE_TAGS_LIST];
    int ret = -1;
    int rc;

    tag_list_clear(list);
    if (bind_int64(st, 1, id))
        return bind_failed(store, ST_ARTICLE_TAGS_LIST, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        tag_list_push(list, column_dup(st, 0));
    if (rc != SQLITE_DONE) {
        db_error(store, err);
        goto out;
    }
    ret = 0;
out:
    stmt_reset(st);
    return ret;
}

/* Fill the fields of a read from the ARTICLE_COLUMNS of st; the strings
 * point into st. */
static void read_article(sqlite3_stmt *st, struct fk_article *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->guid = column_str(st, 1);
    a->url = column_str(st, 2);
    a->title = column_str(st, 3);
    a->author = column_str(st, 4);
    a->published = column_time(st, 5);
    a->updated = column_time(st, 6);
    a->feed_url = column_str(st, 7);
}

int fk_store_list(struct fk_store *store, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err)
{
    struct fk_filter no_filter;
    struct tag_list want = {0}, tags = {0};
    struct query q;
    sqlite3_stmt *st = NULL;
    int ret = -1;
    int rc;

    query_init(&q);
    if (!f) {
        fk_filter_init(&no_filter);
        f = &no_filter;
    }
    normalize_tags(&want, f->tags, f->tags ? f->ntags : 0);
    if (rarest_tag_first(store, &want, err) < 0)
        goto out;
    /* Pick the ids first and read the rows of only those: the columns (and
     * the feed subquery) are not computed for rows a limit leaves out.
     * published DESC puts NULL (no date) last. */
    query_add(&q, "SELECT " ARTICLE_COLUMNS " FROM (");
    query_add_article_ids(&q, f, &want, true);
    if (f->limit > 0)
        query_add_param(&q, " LIMIT ?", NULL, f->limit);
    query_add(&q, ") AS pick JOIN articles a ON a.id = pick.id"
                  " ORDER BY pick.published DESC, pick.id DESC");
    if (query_prepare(store, &q, &st, err) < 0)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_article article;
        read_article(st, &article);
        if (load_tags(store, article.id, &tags, err) < 0)
            goto out;
        article.tags = (const char *const *)tags.names;
        article.ntags = tags.count;
        int stop = fn(&article, ctx);
        if (stop) {
            ret = stop;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        db_error(store, err);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    query_release(&q);
    tag_list_release(&want);
    tag_list_release(&tags);
    return ret;
}

/* The memory behind an article from fk_store_get_article. */
struct article_memory {
    char *strings[7];
    struct tag_list tags;
};

int fk_store_get_article(struct fk_store *store, int64_t id, struct fk_article *out,
                         struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ARTICLE_GET];
    struct article_memory *memory = NULL;
    int ret = -1;

    memset(out, 0, sizeof *out);
    if (bind_int64(st, 1, id))
        return bind_failed(store, ST_ARTICLE_GET, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ret = 1;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    memory = fk_xcalloc(1, sizeof *memory);
    char **s = memory->strings;
    out->id = sqlite3_column_int64(st, 0);
    out->guid = s[0] = column_dup(st, 1);
    out->url = s[1] = column_dup(st, 2);
    out->title = s[2] = column_dup(st, 3);
    out->author = s[3] = column_dup(st, 4);
    out->published = column_time(st, 5);
    out->updated = column_time(st, 6);
    out->feed_url = s[4] = column_dup(st, 7);
    out->text = s[5] = column_dup(st, 8);
    out->markdown = s[6] = column_dup(st, 9);
    stmt_reset(st);
    out->priv = memory;
    if (load_tags(store, id, &memory->tags, err) < 0)
        goto out;
    out->tags = (const char *const *)memory->tags.names;
    out->ntags = memory->tags.count;
    ret = 0;
out:
    stmt_reset(st);
    if (ret != 0)
        fk_article_release(out);
    return ret;
}

void fk_article_release(struct fk_article *article)
{
    struct article_memory *memory = article->priv;
    if (memory) {
        for (size_t i = 0; i < sizeof memory->strings / sizeof memory->strings[0]; i++)
            free(memory->strings[i]);
        tag_list_release(&memory->tags);
        free(memory);
    }
    memset(article, 0, sizeof *article);
}

int fk_store_list_code(struct fk_store *store, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err)
{
    struct fk_filter no_filter;
    struct tag_list want = {0};
    struct query q;
    sqlite3_stmt *st = NULL;
    int ret = -1;
    int rc;

    query_init(&q);
    if (!f) {
        fk_filter_init(&no_filter);
        f = &no_filter;
    }
    normalize_tags(&want, f->tags, f->tags ? f->ntags : 0);
    if (rarest_tag_first(store, &want, err) < 0)
        goto out;
    bool by_language = f->language && *f->language;
    int64_t language_count = 0;
    if (by_language && f->limit > 0) {
        if (bind_text(store->stmts[ST_LANGUAGE_FREQUENCY], 1, f->language)) {
            bind_failed(store, ST_LANGUAGE_FREQUENCY, err);
            goto out;
        }
        if (run_int64(store, ST_LANGUAGE_FREQUENCY, &language_count, err) < 0)
            goto out;
    }
    /* With a limit, walk the articles newest first and stop after enough
     * blocks, unless the language is rare: then reading its few blocks
     * through code_blocks_language and sorting them is cheaper. CROSS JOIN
     * fixes the order of the loops and "+" keeps the language index out. */
    if (f->limit > 0 && (!by_language || language_count >= FREQUENCY_CAP)) {
        query_add(&q, "SELECT " CODE_COLUMNS " FROM ");
        query_add(&q, want.count ? "article_tags t0 CROSS JOIN articles a ON a.id = t0.article_id"
                                 : "articles a");
        query_add(&q, " CROSS JOIN code_blocks c ON c.article_id = a.id WHERE 1");
        query_add_filter(&q, f, &want);
        if (by_language)
            query_add_param(&q, " AND +c.language = ?", f->language, 0);
        query_add(&q, filter_order(&want));
    } else {
        query_add(&q, "SELECT " CODE_COLUMNS
                      " FROM code_blocks c JOIN articles a ON a.id = c.article_id WHERE 1");
        if (want.count || f->since != FK_TIME_NONE || f->until != FK_TIME_NONE) {
            query_add(&q, " AND c.article_id IN (SELECT id FROM (");
            query_add_article_ids(&q, f, &want, false);
            query_add(&q, "))");
        }
        /* c.language is COLLATE NOCASE: the comparison ignores ASCII case. */
        if (by_language)
            query_add_param(&q, " AND c.language = ?", f->language, 0);
        query_add(&q, " ORDER BY a.published DESC, a.id DESC");
    }
    query_add(&q, ", c.position");
    if (f->limit > 0)
        query_add_param(&q, " LIMIT ?", NULL, f->limit);
    if (query_prepare(store, &q, &st, err) < 0)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_code_row row = {
            .id = sqlite3_column_int64(st, 0),
            .article_id = sqlite3_column_int64(st, 1),
            .position = sqlite3_column_int(st, 2),
            .language = column_str(st, 3),
            .code = column_str(st, 4),
            .lines = (size_t)sqlite3_column_int64(st, 5),
            .article_title = column_str(st, 6),
        };
        if (!row.code)
            row.code = "";
        int stop = fn(&row, ctx);
        if (stop) {
            ret = stop;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        db_error(store, err);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    query_release(&q);
    tag_list_release(&want);
    return ret;
}

int fk_store_counts(struct fk_store *store, struct fk_store_counts *out, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_COUNTS];
    int ret = -1;

    memset(out, 0, sizeof *out);
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    out->feeds = sqlite3_column_int64(st, 0);
    out->articles = sqlite3_column_int64(st, 1);
    out->tags = sqlite3_column_int64(st, 2);
    out->code_blocks = sqlite3_column_int64(st, 3);
    out->versions = sqlite3_column_int64(st, 4);
    ret = 0;
out:
    stmt_reset(st);
    return ret;
}
