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

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* PRAGMA application_id of a feedkeep archive: "fkee" in ASCII. It tells our
 * archives apart from other programs' SQLite files (file(1) shows it too). */
#define APPLICATION_ID 0x666B6565
/* The schema version this feedkeep writes (PRAGMA user_version). */
#define SCHEMA_VERSION 8
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

/* Version 2: the short-body guard, and indexes for the query commands. */
static const char *const schema_v2[] = {
    /* A 'replaced' version is the content an article had until
     * replaced_at; a 'rejected' one is content a feed offered at
     * replaced_at whose text was empty or under half the archived text,
     * kept here instead of replacing it (feeds have been seen to drop
     * their full text for days). content_html holds the HTML the text came
     * from: the content, else the summary. */
    "ALTER TABLE article_versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'replaced'\n"
    "    CHECK (kind IN ('replaced', 'rejected'));\n"
    /* list --author (compared without case, newest first), --sort updated
     * and first_seen, show URL. */
    "CREATE INDEX articles_author ON articles(author COLLATE NOCASE, published);\n"
    "CREATE INDEX articles_updated ON articles(coalesce(updated, published));\n"
    "CREATE INDEX articles_first_seen ON articles(first_seen);\n"
    "CREATE INDEX articles_url ON articles(url);\n",
    NULL,
};

/* Version 3: subscriptions and the fetcher's state (feedkeep add, fetch).
 * Imported feeds are rows of feeds too; only subscribed ones are fetched. */
static const char *const schema_v3[] = {
    "ALTER TABLE feeds ADD COLUMN name TEXT;  -- given by the user (add --name, OPML)\n"
    "ALTER TABLE feeds ADD COLUMN subscribed INTEGER NOT NULL DEFAULT 0;  -- 1: fetch fetches it\n"
    "ALTER TABLE feeds ADD COLUMN final_url TEXT;  -- where the last fetch ended after redirects\n"
    "ALTER TABLE feeds ADD COLUMN moved_to TEXT;   -- target of a permanent redirect not followed\n"
    "ALTER TABLE feeds ADD COLUMN last_error TEXT; -- NULL when the last fetch succeeded\n",
    NULL,
};

/* Version 4: enclosures, the files that come with an article (a podcast's
 * audio, a video, pictures of it), in the feed's order, one per URL. They
 * are written with the article and when only they changed. */
static const char *const schema_v4[] = {
    "CREATE TABLE enclosures (\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    position   INTEGER NOT NULL,  -- 0-based\n"
    "    url        TEXT NOT NULL,     -- absolute when the feed's base was known\n"
    "    type       TEXT,              -- MIME type as the feed wrote it\n"
    "    length     INTEGER,           -- bytes; NULL when not given\n"
    "    kind       TEXT NOT NULL DEFAULT 'file'\n"
    "               CHECK (kind IN ('file', 'thumbnail')),  -- the media, or a picture of it\n"
    "    PRIMARY KEY (article_id, position)\n"
    ") WITHOUT ROWID;\n",
    NULL,
};

/* Version 5: the article's date, its published date or else its updated
 * one (RFC 4287 makes an Atom entry's published optional, and GitHub's
 * release feeds, among others, give only updated). Listings sort by it,
 * since and until are ranges on it, and article_tags repeats it, so its
 * indexes replace those on published. A generated column, so it can never
 * disagree with the dates it comes from; the rows that had no published
 * date get it in article_tags here. */
static const char *const schema_v5[] = {
    "ALTER TABLE articles ADD COLUMN date INTEGER\n"
    "    GENERATED ALWAYS AS (coalesce(published, updated)) VIRTUAL;  -- the article's date\n"
    "DROP INDEX articles_published;\n"
    "CREATE INDEX articles_date ON articles(date);\n"
    "DROP INDEX articles_author;\n"
    "CREATE INDEX articles_author ON articles(author COLLATE NOCASE, date);\n"
    "ALTER TABLE article_tags RENAME COLUMN published TO date;  -- = articles.date\n"
    "UPDATE article_tags SET date =\n"
    "    (SELECT a.date FROM articles a WHERE a.id = article_tags.article_id)\n"
    "    WHERE date IS NULL;\n",
    NULL,
};

/* Version 6: articles whose feed changed its guids (a blog moving from
 * tag: URIs to permalinks). An item with a new key is filed as the article
 * of the same feed it matches (fk_store_link_key and the rule in store.h),
 * and its key becomes an alias of that article, so the next fetch finds it
 * again. The article keeps its first key. link_key is filled for the
 * articles already archived by feedkeep_link_key(), a function the store
 * defines for this migration only (the shell does not have it, and needs
 * it nowhere else). */
static const char *const schema_v6[] = {
    "ALTER TABLE articles ADD COLUMN link_key TEXT;  -- url as the guid-change rule compares it\n"
    "UPDATE articles SET link_key = feedkeep_link_key(url) WHERE url IS NOT NULL;\n"
    "CREATE INDEX articles_link_key ON articles(link_key);\n"
    "CREATE TABLE article_aliases (\n"
    "    key        TEXT PRIMARY KEY,  -- an identity key no article has\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    feed_id    INTEGER REFERENCES feeds(id) ON DELETE SET NULL,  -- whose item had it\n"
    "    guid       TEXT,              -- that item's guid as the feed wrote it\n"
    "    rule       TEXT NOT NULL CHECK (rule IN ('title', 'text')),  -- matched with the link\n"
    "    created    INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX article_aliases_article ON article_aliases(article_id);\n",
    NULL,
};

/* Version 7: export directories and the files export wrote in them, so an
 * article keeps the name it was first exported under when its title
 * changes, export --prune removes only files feedkeep wrote, and export
 * --changed knows what the directory has seen. */
static const char *const schema_v7[] = {
    "CREATE TABLE export_dirs (\n"
    "    id           INTEGER PRIMARY KEY,\n"
    "    path         TEXT NOT NULL UNIQUE,  -- absolute, symbolic links resolved\n"
    "    last_export  INTEGER,  -- when the last export to it began\n"
    "    last_article INTEGER,  -- the highest article id and article_versions id then:\n"
    "    last_version INTEGER   -- what is filed or changed later has higher ones\n"
    ");\n"
    /* No foreign key on article_id: a file stays recorded when its article
     * is deleted, so that --prune can still remove it. */
    "CREATE TABLE export_files (\n"
    "    dir_id     INTEGER NOT NULL REFERENCES export_dirs(id) ON DELETE CASCADE,\n"
    "    article_id INTEGER NOT NULL,\n"
    "    name       TEXT NOT NULL,     -- the article's name there, kept when its title changes\n"
    "    path       TEXT NOT NULL,     -- the file written: NAME.md or NAME/index.md\n"
    "    hash       INTEGER NOT NULL,  -- 64-bit FNV-1a of the bytes written\n"
    "    written    INTEGER NOT NULL,  -- when export last wrote or found them\n"
    "    PRIMARY KEY (dir_id, article_id),\n"
    "    UNIQUE (dir_id, name)\n"
    ") WITHOUT ROWID;\n",
    NULL,
};

/* Version 8: what scripts ask of the archive. "What arrived or changed since the last run"
 * reads first_seen (articles_first_seen) and the times content was
 * replaced, and "the last run" is the fetch_runs log, one row per completed
 * `feedkeep fetch`. */
static const char *const schema_v8[] = {
    "CREATE INDEX article_versions_replaced ON article_versions(replaced_at)\n"
    "    WHERE kind = 'replaced';\n"
    /* An article's author is its display name; the address a feed gave
     * with it ("jane@example.com (Jane Doe)", "Jane Doe <jane@...>") is
     * kept apart. */
    "ALTER TABLE articles ADD COLUMN author_email TEXT;\n"
    "UPDATE articles SET\n"
    "    author_email = trim(substr(author, 1, instr(author, ' (') - 1)),\n"
    "    author = trim(substr(author, instr(author, ' (') + 2,\n"
    "                         length(author) - instr(author, ' (') - 2))\n"
    "    WHERE author LIKE '%_@_% (%_)' AND instr(author, ' (') > 1\n"
    "    AND instr(substr(author, 1, instr(author, ' (') - 1), ' ') = 0;\n"
    "UPDATE articles SET\n"
    "    author_email = trim(substr(author, instr(author, '<') + 1,\n"
    "                               length(author) - instr(author, '<') - 1)),\n"
    "    author = trim(trim(substr(author, 1, instr(author, '<') - 1)), '\"')\n"
    "    WHERE author LIKE '_%<%_@_%>' AND author_email IS NULL;\n"
    /* Every author name an article has had, and an index of their words
     * without case and accents: `--author carol` finds "Carol Nguyễn"
     * through it, then her articles through articles_author. */
    "CREATE TABLE authors (\n"
    "    id   INTEGER PRIMARY KEY,\n"
    "    name TEXT NOT NULL UNIQUE  -- as articles.author has it\n"
    ");\n"
    "CREATE VIRTUAL TABLE authors_fts USING fts5(\n"
    "    name, content='authors', content_rowid='id',\n"
    "    tokenize='unicode61 remove_diacritics 2'\n"
    ");\n"
    "INSERT INTO authors(name) SELECT DISTINCT author FROM articles\n"
    "    WHERE author IS NOT NULL AND author <> '';\n"
    "INSERT INTO authors_fts(authors_fts) VALUES ('rebuild');\n"
    /* Read-only views for whoever queries the file directly (sqlite3,
     * datasette): ISO 8601 times, tags as a JSON array. Their columns are
     * kept from version to version (a later schema may add some). */
    "CREATE VIEW articles_view AS SELECT\n"
    "    a.id, a.guid, a.url, a.title, a.author, a.author_email,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.date, 'unixepoch') AS date,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.published, 'unixepoch') AS published,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.updated, 'unixepoch') AS updated,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.first_seen, 'unixepoch') AS first_seen,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.last_seen, 'unixepoch') AS last_seen,\n"
    "    (SELECT json_group_array(name) FROM (SELECT t.name FROM article_tags at\n"
    "        JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY t.name))\n"
    "        AS tags,\n"
    "    (SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id\n"
    "        WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1) AS feed,\n"
    "    a.text, a.markdown\n"
    "    FROM articles a;\n"
    "CREATE VIEW code_view AS SELECT\n"
    "    c.id, c.article_id, c.position, c.language, c.lines, c.code,\n"
    "    a.title AS article_title, a.url AS article_url,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.date, 'unixepoch') AS article_date\n"
    "    FROM code_blocks c JOIN articles a ON a.id = c.article_id;\n"
    /* Tags of feeds: the folders of an OPML list (feeds --tag, list
     * --feed-tag), written back as folders by opml export. */
    "CREATE TABLE feed_tags (\n"
    "    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
    "    name    TEXT NOT NULL COLLATE NOCASE CHECK (name <> ''),\n"
    "    PRIMARY KEY (feed_id, name)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX feed_tags_name ON feed_tags(name, feed_id);\n"
    "CREATE TABLE fetch_runs (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    started       INTEGER NOT NULL,  -- when the run began (before its first request)\n"
    "    finished      INTEGER NOT NULL,\n"
    "    feeds         INTEGER NOT NULL,  -- feeds fetched\n"
    "    failed        INTEGER NOT NULL,  -- of those, the ones that failed\n"
    "    new_count     INTEGER NOT NULL,  -- articles filed as new, and as updated\n"
    "    updated_count INTEGER NOT NULL\n"
    ");\n",
    NULL,
};

/* Migration steps, oldest first: step i takes an archive from version
 * migrations[i].version - 1 to migrations[i].version by running its SQL
 * texts (a NULL-terminated list) in order. All due steps run in one
 * transaction, so an archive is never left half-migrated. */
static const struct migration {
    int version;
    const char *const *sql;
} migrations[] = {
    /* clang-format off */
    {1, schema_v1},
    {2, schema_v2},
    {3, schema_v3},
    {4, schema_v4},
    {5, schema_v5},
    {6, schema_v6},
    {7, schema_v7},
    {8, schema_v8},
    /* clang-format on */
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
    ST_ENCLOSURE_INSERT,
    ST_ENCLOSURE_DELETE,
    ST_FTS_INDEX_NEW,
    ST_FTS_INDEX_ONE,
    ST_FTS_UNINDEX_ONE,
    ST_TAG_FREQUENCY,
    ST_LANGUAGE_FREQUENCY,
    ST_ARTICLE_GET,
    ST_COUNTS,
    ST_ARTICLE_FEEDS_LIST,
    ST_ARTICLE_TEXT_LENGTH,
    ST_VERSION_REJECTED_FIND,
    ST_VERSION_REJECT,
    ST_ALIAS_FIND,
    ST_ALIAS_INSERT,
    ST_LINK_CANDIDATES,
    ST_FEED_LINKS,
    ST_AUTHOR_INSERT,
    ST_AUTHOR_INDEX,
    ST_CHANGED_FREQUENCY,
    ST_LANGUAGE_EXISTS,
    ST_COUNT
};

/* The columns of a struct fk_article, in the order read_article reads them.
 * feed_url is the first feed that carried the article. */
#define ARTICLE_COLUMNS                                                                            \
    "a.id, a.guid, a.url, a.title, a.author, a.published, a.updated, "                             \
    "(SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "                       \
    "WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1), a.first_seen, a.last_seen, a.date, "   \
    "a.author_email"

/* How many there are: the columns a query adds after them start here. */
#define ARTICLE_NCOLUMNS 12

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
    /* ST_ARTICLE_INSERT and ST_ARTICLE_UPDATE share parameters ?2 to ?18
     * (bind_article); ?1 is the key for one and the id for the other. */
    [ST_ARTICLE_INSERT] = "INSERT INTO articles(key, guid, url, title, author, published,"
                          " published_raw, updated, updated_raw, first_seen, last_seen,"
                          " summary_html, content_html, text, markdown, tags_text,"
                          " content_hash, source_hash, link_key, author_email)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12,"
                          " ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET guid = ?2, url = ?3, title = ?4, author = ?5,"
                          " published = ?6, published_raw = ?7, updated = ?8,"
                          " updated_raw = ?9, last_seen = ?10, summary_html = ?11,"
                          " content_html = ?12, text = ?13, markdown = ?14, tags_text = ?15,"
                          " content_hash = ?16, source_hash = ?17, link_key = ?18,"
                          " author_email = ?19 WHERE id = ?1",
    [ST_ARTICLE_TOUCH] = "UPDATE articles SET last_seen = ?2, source_hash = ?3 WHERE id = ?1",
    [ST_VERSION_SAVE] =
        "INSERT INTO article_versions(article_id, replaced_at, title, text,"
        " markdown, content_html, tags_text, content_hash)"
        " SELECT id, ?2, title, text, markdown, coalesce(content_html, summary_html),"
        " tags_text, content_hash FROM articles WHERE id = ?1",
    [ST_FEED_LINK] = "INSERT INTO article_feeds(article_id, feed_id) VALUES (?1, ?2)"
                     " ON CONFLICT DO NOTHING",
    [ST_TAG_FIND] = "SELECT id FROM tags WHERE name = ?1",
    [ST_TAG_INSERT] = "INSERT INTO tags(name) VALUES (?1)",
    [ST_ARTICLE_TAG_INSERT] = "INSERT INTO article_tags(article_id, tag_id, date)"
                              " VALUES (?1, ?2, ?3)",
    [ST_ARTICLE_TAGS_DELETE] = "DELETE FROM article_tags WHERE article_id = ?1",
    [ST_ARTICLE_TAGS_LIST] = "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
                             " WHERE at.article_id = ?1 ORDER BY t.name",
    [ST_CODE_INSERT] = "INSERT INTO code_blocks(article_id, position, language, code, lines)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_CODE_DELETE] = "DELETE FROM code_blocks WHERE article_id = ?1",
    [ST_ENCLOSURE_INSERT] = "INSERT INTO enclosures(article_id, position, url, type, length, kind)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ENCLOSURE_DELETE] = "DELETE FROM enclosures WHERE article_id = ?1",
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
    [ST_ARTICLE_GET] = "SELECT " ARTICLE_COLUMNS ", a.text, a.markdown, a.published_raw,"
                       " a.updated_raw, a.summary_html, a.content_html,"
                       " (SELECT count(*) FROM article_versions v WHERE v.article_id = a.id)"
                       " FROM articles a WHERE a.id = ?1",
    [ST_COUNTS] = "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM articles),"
                  " (SELECT count(*) FROM tags t WHERE EXISTS"
                  " (SELECT 1 FROM article_tags at WHERE at.tag_id = t.id)),"
                  " (SELECT count(*) FROM code_blocks), (SELECT count(*) FROM article_versions)",
    [ST_ARTICLE_FEEDS_LIST] = "SELECT f.url FROM article_feeds af JOIN feeds f"
                              " ON f.id = af.feed_id WHERE af.article_id = ?1 ORDER BY af.rowid",
    /* In bytes: a blob's length is its size. Read only when an article
     * changed. */
    [ST_ARTICLE_TEXT_LENGTH] = "SELECT length(CAST(text AS BLOB)) FROM articles WHERE id = ?1",
    [ST_VERSION_REJECTED_FIND] = "SELECT count(*) FROM article_versions WHERE article_id = ?1"
                                 " AND kind = 'rejected' AND content_hash = ?2",
    [ST_VERSION_REJECT] = "INSERT INTO article_versions(article_id, replaced_at, title, text,"
                          " markdown, content_html, tags_text, content_hash, kind)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'rejected')",
    /* Asked only when ST_ARTICLE_FIND found nothing, so filing an item the
     * archive has under its own key costs no more than before. */
    [ST_ALIAS_FIND] = "SELECT a.id, a.content_hash, a.source_hash FROM article_aliases al"
                      " JOIN articles a ON a.id = al.article_id WHERE al.key = ?1",
    [ST_ALIAS_INSERT] = "INSERT INTO article_aliases(key, article_id, feed_id, guid, rule, created)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* The articles of feed ?2 with link key ?1; two are enough to know
     * that the link does not name one article. */
    [ST_LINK_CANDIDATES] = "SELECT a.id, a.content_hash, a.source_hash, a.title, a.published,"
                           " a.text FROM articles a JOIN article_feeds af"
                           " ON af.article_id = a.id AND af.feed_id = ?2"
                           " WHERE a.link_key = ?1 LIMIT 2",
    [ST_FEED_LINKS] = "SELECT url, site_url FROM feeds WHERE id = ?1",
    /* A row (and an entry in the word index) for an author name new to
     * the archive. */
    [ST_AUTHOR_INSERT] = "INSERT INTO authors(name) VALUES (?1) ON CONFLICT DO NOTHING",
    [ST_AUTHOR_INDEX] = "INSERT INTO authors_fts(rowid, name) VALUES (?1, ?2)",
    [ST_LANGUAGE_EXISTS] = "SELECT EXISTS (SELECT 1 FROM code_blocks WHERE language = ?1)",
    /* How many articles are new or changed since ?1, up to FREQUENCY_CAP. */
    [ST_CHANGED_FREQUENCY] = "SELECT count(*) FROM (SELECT id FROM articles WHERE first_seen >= ?1"
                             " UNION ALL SELECT article_id FROM article_versions"
                             " WHERE kind = 'replaced' AND replaced_at >= ?1"
                             " LIMIT " FREQUENCY_CAP_SQL ")",
};

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
    /* Scratch space of filing, kept to save allocations. */
    struct tag_list tags;
    struct fk_buf tags_text;
    char *author_name; /* the item's author, split by split_author */
    char *author_email;
    /* Statements of the subscription functions, prepared on first use
     * (see the end of this file). */
    sqlite3_stmt **sub_stmts;
    /* fk_store_check's comparison of the full-text index (see there). */
    bool fts_function_ready;
    struct fts_tally {
        int64_t entries;
        uint64_t sum;                   /* of the entries' hashes, wrapping */
    } fts_expected, fts_expected_sizes; /* tokens, and column sizes */
};

static void sub_stmts_free(struct fk_store *store);
static void filed_release(struct filed_set *set);
static void pending_release(struct fk_store_pending *p);

/* ---- small helpers -------------------------------------------------------- */

static int db_error(struct fk_store *store, struct fk_error *err)
{
    int code = sqlite3_errcode(store->db) & 0xff;
    /* Another process's lock, past the busy timeout: the archive is
     * sound, only not available now. */
    if (code == SQLITE_BUSY)
        return fk_error_set(err, FK_ERROR_BUSY,
                            "archive '%s' is busy: another process is writing to it (%s); "
                            "try again later",
                            store->path, sqlite3_errmsg(store->db));
    /* An error of the file (a full disk, a size limit, no write access):
     * name it. */
    if (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN ||
        code == SQLITE_READONLY)
        return fk_error_set(err, FK_ERROR_DB, "archive '%s': %s", store->path,
                            sqlite3_errmsg(store->db));
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
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    return db_error(store, err); /* sqlite3_errmsg holds exec's message */
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
    if ((rc & 0xff) == SQLITE_BUSY)
        return db_error(store, err);
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

static void sql_link_key(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* Whether the file at path and the directory it is in can be written:
 * WAL mode makes its -wal and -shm files beside the archive. */
static bool place_writable(const char *path)
{
    if (access(path, W_OK) < 0)
        return false;
    const char *slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK) == 0;
    if (slash == path)
        return access("/", W_OK) == 0;
    char *dir = fk_xstrdup(path);
    dir[slash - path] = '\0';
    bool ok = access(dir, W_OK) == 0;
    free(dir);
    return ok;
}

/* Before SQLite sees path: say what is wrong in words of the file, not
 * SQLite's "unable to open database file". */
static int check_path(const char *path, enum fk_open_mode mode, struct fk_error *err)
{
    struct stat st;
    if (!*path)
        return fk_error_set(err, FK_ERROR_USAGE, "the archive path is empty");
    if (stat(path, &st) < 0) {
        if (errno == ENOENT && mode == FK_OPEN_CREATE)
            return 0;
        if (errno == ENOTDIR && mode == FK_OPEN_CREATE)
            return fk_error_set(err, FK_ERROR_DB,
                                "cannot open archive '%s': a part of its directory is a file",
                                path);
        if (errno == ENOENT || errno == ENOTDIR)
            return fk_error_set(err, FK_ERROR_DB,
                                "no archive at '%s' (import, add, fetch and opml import "
                                "create one)",
                                path);
        return fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", path,
                            errno == EACCES ? "permission denied" : strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': it is a directory", path);
    if (access(path, R_OK) < 0)
        return fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", path,
                            errno == EACCES ? "permission denied" : strerror(errno));
    return 0;
}

/* path as an SQLite URI with the query ("immutable=1"): every byte but
 * the unreserved ones and '/' percent-encoded. The caller frees it. */
static char *path_uri(const char *path, const char *query)
{
    static const char hex[] = "0123456789ABCDEF";
    struct fk_buf uri = FK_BUF_INIT;
    fk_buf_adds(&uri, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            fk_buf_addc(&uri, (char)*p);
        } else {
            fk_buf_addc(&uri, '%');
            fk_buf_addc(&uri, hex[*p >> 4]);
            fk_buf_addc(&uri, hex[*p & 15]);
        }
    }
    fk_buf_printf(&uri, "?%s", query);
    return fk_buf_detach(&uri);
}

/* Open store->db; returns the SQLite result code. */
static int open_db(struct fk_store *store, const char *name, int flags)
{
    if (store->db) {
        (void)sqlite3_close(store->db);
        store->db = NULL;
    }
    /* NOMUTEX: a handle is used by one thread at a time (see store.h). */
    int rc = sqlite3_open_v2(name, &store->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK && (sqlite3_extended_result_codes(store->db, 1) != SQLITE_OK ||
                            sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS) != SQLITE_OK))
        rc = sqlite3_errcode(store->db);
    return rc;
}

struct fk_store *fk_store_open(const char *path, struct fk_error *err)
{
    return fk_store_open_mode(path, FK_OPEN_CREATE, err);
}

struct fk_store *fk_store_open_mode(const char *path, enum fk_open_mode mode, struct fk_error *err)
{
    struct fk_store *store = fk_xcalloc(1, sizeof *store);
    int64_t version = 0;
    bool ok = false;
    char *uri = NULL;
    int rc;

    store->path = fk_xstrdup(path);
    fk_buf_init(&store->tags_text, 0);
    if (check_path(path, mode, err) < 0)
        goto out;
    store->read_only = mode == FK_OPEN_EXISTING && !place_writable(path);
    rc = open_db(store, path,
                 store->read_only         ? SQLITE_OPEN_READONLY
                 : mode == FK_OPEN_CREATE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                          : SQLITE_OPEN_READWRITE);
    if (rc != SQLITE_OK) {
        fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", path,
                     store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
        goto out;
    }
    if (store->read_only && check_archive(store, &version, err) < 0) {
        /* A WAL archive is read through its -shm file, which SQLite could
         * neither open nor make: read the file as it is. Nobody can be
         * writing to it, since a writer would need that file too. */
        rc = sqlite3_extended_errcode(store->db);
        if ((rc & 0xff) != SQLITE_CANTOPEN && (rc & 0xff) != SQLITE_READONLY)
            goto out;
        uri = path_uri(path, "immutable=1");
        rc = open_db(store, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
        if (rc != SQLITE_OK) {
            fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", path,
                         store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
            goto out;
        }
        if (check_archive(store, &version, err) < 0)
            goto out;
    } else if (!store->read_only && check_archive(store, &version, err) < 0) {
        goto out;
    }
    /* For the migration to schema 6 (see schema_v6). */
    if (sqlite3_create_function(store->db, "feedkeep_link_key", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                sql_link_key, NULL, NULL) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    if (mode == FK_OPEN_EXISTING && version == 0) {
        int64_t objects = 0;
        if (query_int64(store->db, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK) {
            db_error(store, err);
            goto out;
        }
        if (objects == 0) {
            fk_error_set(err, FK_ERROR_DB,
                         "no archive at '%s': the file is empty (import, add, fetch and "
                         "opml import create one)",
                         path);
            goto out;
        }
    }
    if (store->read_only) {
        if (version < SCHEMA_VERSION) {
            fk_error_set(err, FK_ERROR_DB,
                         "archive '%s' has schema version %lld and needs an upgrade to %d, "
                         "which needs write access to it and its directory",
                         path, (long long)version, SCHEMA_VERSION);
            goto out;
        }
        if (exec_sql(store, "PRAGMA foreign_keys = ON;", err) < 0)
            goto out;
    } else {
        /* WAL lets queries run while a fetch writes; NORMAL sync is durable
         * in WAL mode except for the last commits on power loss, never
         * corrupting. A large feed is one large transaction: once it is
         * checkpointed the WAL file is cut back to 64 MiB rather than
         * keeping its peak size. */
        if (exec_sql(store,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     " PRAGMA journal_size_limit = 67108864; PRAGMA foreign_keys = ON;",
                     err) < 0)
            goto out;
        /* Only a write lock can change the schema, so an archive that is up
         * to date is not locked at all: `list` never waits for a running
         * fetch. */
        if (version < SCHEMA_VERSION && migrate(store, err) < 0)
            goto out;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(store->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &store->stmts[i], NULL) != SQLITE_OK) {
            db_error(store, err);
            goto out;
        }
    }
    ok = true;
out:
    free(uri);
    if (!ok) {
        fk_store_close(store);
        store = NULL;
    }
    return store;
}

bool fk_store_read_only(const struct fk_store *store)
{
    return store->read_only;
}

void fk_store_close(struct fk_store *store)
{
    if (!store)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(store->stmts[i]);
    sub_stmts_free(store);
    /* With every statement finalized sqlite3_close cannot be busy; it rolls
     * back a feed that was begun and never ended. */
    (void)sqlite3_close(store->db);
    tag_list_release(&store->tags);
    fk_buf_release(&store->tags_text);
    free(store->author_name);
    free(store->author_email);
    free(store->feed_url);
    pending_release(&store->pending);
    filed_release(&store->filed);
    free(store->feed_url_key);
    free(store->site_url_key);
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

/* ---- articles under changed guids ------------------------------------------- */

/* Whether a and b (ASCII) are equal ignoring case, for n bytes. */
static bool ascii_equal_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return true;
}

char *fk_store_link_key(const char *url)
{
    size_t len;
    const char *s = trim(url, &len);
    size_t scheme_len;
    if (len > 7 && ascii_equal_n(s, "http://", 7))
        scheme_len = 4;
    else if (len > 8 && ascii_equal_n(s, "https://", 8))
        scheme_len = 5;
    else
        return NULL;
    const char *host = s + scheme_len + 3;
    const char *end = s + len;
    const char *fragment = memchr(host, '#', (size_t)(end - host));
    if (fragment)
        end = fragment;
    const char *path = host;
    while (path < end && *path != '/' && *path != '?')
        path++;
    size_t host_len = (size_t)(path - host);
    /* The scheme's own port says nothing. */
    const char *port = scheme_len == 4 ? ":80" : ":443";
    size_t port_len = strlen(port);
    if (host_len > port_len && memcmp(path - port_len, port, port_len) == 0)
        host_len -= port_len;
    if (host_len == 0)
        return NULL;
    const char *query = memchr(path, '?', (size_t)(end - path));
    const char *path_end = query ? query : end;
    while (path_end > path && path_end[-1] == '/')
        path_end--;

    struct fk_buf key;
    fk_buf_init(&key, SIZE_MAX);
    /* Without the scheme: a site that moves to https moves its links (and
     * its guids, when they are the links) without changing its articles. */
    fk_buf_adds(&key, "//");
    for (size_t i = 0; i < host_len; i++)
        fk_buf_addc(&key, ascii_lower(host[i]));
    fk_buf_add(&key, path, (size_t)(path_end - path));
    if (query)
        fk_buf_add(&key, query, (size_t)(end - query));
    return fk_buf_detach(&key);
}

/* Whether link key names the front page of a site: no path, no query. */
static bool link_is_root(const char *key)
{
    return strncmp(key, "//", 2) != 0 || !strpbrk(key + 2, "/?");
}

/* feedkeep_link_key(url): fk_store_link_key in SQL, for the migration
 * that fills articles.link_key. */
static void sql_link_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    char *key = fk_store_link_key((const char *)sqlite3_value_text(argv[0]));
    if (key)
        sqlite3_result_text(ctx, key, -1, free);
    else
        sqlite3_result_null(ctx);
}

static uint64_t key_hash(const char *key)
{
    return fnv_add(FNV_OFFSET_BASIS, key, strlen(key));
}

static struct filed_slot *filed_find(const struct filed_set *set, int64_t id)
{
    if (!set->size)
        return NULL;
    size_t i = (size_t)((uint64_t)id * FNV_PRIME) & (set->size - 1);
    while (set->slots[i].id) {
        if (set->slots[i].id == id)
            return &set->slots[i];
        i = (i + 1) & (set->size - 1);
    }
    return NULL;
}

/* Record that the item with key hash key_hash filed article id; the first
 * key to file an article is the one kept. */
static void filed_add(struct filed_set *set, int64_t id, uint64_t key_hash)
{
    if (filed_find(set, id))
        return;
    if (2 * (set->count + 1) > set->size) {
        struct filed_set bigger = {0};
        bigger.size = set->size ? 2 * set->size : 1024;
        bigger.slots = fk_xcalloc(bigger.size, sizeof *bigger.slots);
        for (size_t i = 0; i < set->size; i++) {
            if (set->slots[i].id)
                filed_add(&bigger, set->slots[i].id, set->slots[i].key_hash);
        }
        free(set->slots);
        *set = bigger;
    }
    size_t i = (size_t)((uint64_t)id * FNV_PRIME) & (set->size - 1);
    while (set->slots[i].id)
        i = (i + 1) & (set->size - 1);
    set->slots[i].id = id;
    set->slots[i].key_hash = key_hash;
    set->count++;
}

static void filed_release(struct filed_set *set)
{
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* s trimmed, ASCII letters lower-cased and runs of white space made one
 * space: titles compared this way are "the same". */
static char *fold_title(const char *s)
{
    size_t len;
    s = trim(s, &len);
    char *folded = fk_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_space(s[i]))
            folded[n++] = ascii_lower(s[i]);
        else if (!is_space(s[i - 1])) /* i > 0: s is trimmed */
            folded[n++] = ' ';
    }
    folded[n] = '\0';
    return folded;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The word 3-shingles of text (every run of three consecutive words, words
 * being runs of non-white-space with ASCII letters lower-cased) as sorted,
 * distinct 64-bit hashes in *out (to free). A text of one or two words is
 * one shingle. Returns the count. */
static size_t text_shingles(const char *text, uint64_t **out)
{
    size_t count = 0, cap = 0, words = 0;
    uint64_t window[3] = {0, 0, 0};
    uint64_t *shingles = NULL;
    const char *p = text ? text : "";

    for (;;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        uint64_t word = FNV_OFFSET_BASIS;
        for (; *p && !is_space(*p); p++)
            word = (word ^ (unsigned char)ascii_lower(*p)) * FNV_PRIME;
        window[0] = window[1];
        window[1] = window[2];
        window[2] = word;
        if (++words < 3)
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 256;
            shingles = fk_xrealloc(shingles, cap * sizeof *shingles);
        }
        uint64_t hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < 3; i++)
            hash = (hash ^ window[i]) * FNV_PRIME;
        shingles[count++] = hash;
    }
    if (words && words < 3) {
        shingles = fk_xmalloc(sizeof *shingles);
        shingles[0] = (FNV_OFFSET_BASIS ^ window[1]) * FNV_PRIME ^ window[2];
        count = 1;
    }
    if (count > 1)
        qsort(shingles, count, sizeof *shingles, compare_u64);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (!kept || shingles[kept - 1] != shingles[i])
            shingles[kept++] = shingles[i];
    }
    *out = shingles;
    return kept;
}

/* Jaccard similarity of the shingle sets of two texts: shared shingles
 * over all shingles, 0 when either has none. */
static double text_similarity(const char *a, const char *b)
{
    uint64_t *sa, *sb;
    size_t na = text_shingles(a, &sa), nb = text_shingles(b, &sb);
    size_t i = 0, j = 0, shared = 0;
    while (i < na && j < nb) {
        if (sa[i] == sb[j]) {
            shared++;
            i++;
            j++;
        } else if (sa[i] < sb[j]) {
            i++;
        } else {
            j++;
        }
    }
    free(sa);
    free(sb);
    return na && nb ? (double)shared / (double)(na + nb - shared) : 0.0;
}

/* What the rule compares of each article. */
struct match_side {
    const char *title;
    const char *text;
    int64_t published;
};

/* Fill in what the rule says of a and b from their titles, dates and texts,
 * m's same_feed, same_link and link_identifies being set. The text's
 * similarity is worked out only when it can decide, unless all_figures
 * (for explaining). */
static void match_compare(const struct match_side *a, const struct match_side *b, bool all_figures,
                          struct fk_match *m)
{
    char *ta = fold_title(a->title), *tb = fold_title(b->title);
    m->same_title = *ta && strcmp(ta, tb) == 0;
    free(ta);
    free(tb);
    /* In unsigned arithmetic: a hostile date must not overflow. */
    uint64_t apart = a->published > b->published ? (uint64_t)a->published - (uint64_t)b->published
                                                 : (uint64_t)b->published - (uint64_t)a->published;
    m->dates_agree = a->published == FK_TIME_NONE || b->published == FK_TIME_NONE ||
                     apart < FK_MATCH_MAX_DATE_APART;
    size_t la = a->text ? strlen(a->text) : 0, lb = b->text ? strlen(b->text) : 0;
    m->length_ratio = la && lb ? (double)(la < lb ? la : lb) / (double)(la < lb ? lb : la) : 0.0;
    m->similarity = 0.0;
    bool by_title = m->same_title && m->dates_agree;
    if (all_figures || (!by_title && m->length_ratio >= FK_MATCH_MIN_LENGTH_RATIO))
        m->similarity = la && lb ? text_similarity(a->text, b->text) : 0.0;
    m->similar_text =
        m->length_ratio >= FK_MATCH_MIN_LENGTH_RATIO && m->similarity >= FK_MATCH_MIN_SIMILARITY;
    m->match = m->same_feed && m->same_link && m->link_identifies && (by_title || m->similar_text);
}

/* Load the link keys of the current feed's URL and site link. */
static int load_feed_links(struct fk_store *store, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_FEED_LINKS];
    if (store->feed_links_loaded)
        return 0;
    if (bind_int64(st, 1, store->feed_id))
        return bind_failed(store, ST_FEED_LINKS, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store->feed_url_key = fk_store_link_key(column_str(st, 0));
        store->site_url_key = fk_store_link_key(column_str(st, 1));
    } else if (rc != SQLITE_DONE) {
        db_error(store, err);
        stmt_reset(st);
        return -1;
    }
    stmt_reset(st);
    store->feed_links_loaded = true;
    return 0;
}

/* Whether link key names no one article of the current feed: a site's
 * front page, the feed itself or the feed's site link. */
static bool link_is_shared(const struct fk_store *store, const char *key)
{
    return link_is_root(key) || (store->feed_url_key && strcmp(key, store->feed_url_key) == 0) ||
           (store->site_url_key && strcmp(key, store->site_url_key) == 0);
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
    store->matched = 0;
    store->first_matched_id = 0;
    store->in_feed = true;
    ret = 0;
out:
    if (ret < 0 && !sqlite3_get_autocommit(store->db))
        (void)run(store, ST_ROLLBACK, NULL); /* err already says why */
    return ret;
}

/* Look p->key up with statement id (by key or by alias): 1 with p's
 * stored fields set, 0 when it is not there, -1 with err filled. */
static int find_key(struct fk_store *store, enum stmt_id id, struct fk_store_pending *p,
                    struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[id];
    int ret = -1;
    if (bind_text(st, 1, p->key))
        return bind_failed(store, id, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->id = sqlite3_column_int64(st, 0);
        p->stored_content_hash = sqlite3_column_int64(st, 1);
        p->stored_source_hash = sqlite3_column_int64(st, 2);
        ret = 1;
    } else if (rc == SQLITE_DONE) {
        p->id = 0;
        ret = 0;
    } else {
        db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

static void pending_release(struct fk_store_pending *p)
{
    free(p->key);
    free(p->link_key);
    memset(p, 0, sizeof *p);
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

/* The source hash of item, whose tags are normalised in store->tags. */
static int64_t source_hash(const struct fk_store *store, const struct fk_item *item)
{
    uint64_t hash = FNV_OFFSET_BASIS;
    hash = fnv_field(hash, item->title);
    hash = fnv_field(hash, item->summary_html);
    hash = fnv_field(hash, item->content_html);
    for (size_t i = 0; i < store->tags.count; i++)
        hash = fnv_field(hash, store->tags.names[i]);
    /* An article without enclosures hashes as before schema 4, so that
     * upgrading converts again only the articles that have some. */
    for (size_t i = 0; i < item->nenclosures; i++) {
        hash = fnv_field(hash, item->enclosures[i].url);
        hash = fnv_field(hash, item->enclosures[i].type);
    }
    return hash_to_int64(hash);
}

/* The guid-change rule, for an item whose key the archive does not have:
 * the one article of the current feed with the same link key (p->link_key),
 * not carried by this document already, whose title is the same (and
 * published less than a day apart) or whose text is nearly the same (see
 * store.h). Sets p->id, its stored fields and p->rule when it matches. */
static int find_match(struct fk_store *store, const struct fk_item *item,
                      const struct fk_content *content, struct fk_store_pending *p,
                      struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_LINK_CANDIDATES];
    struct match_side stored = {0};
    char *title = NULL, *text = NULL;
    int64_t id = 0, content_hash = 0, source_hash = 0;
    int ret = -1;

    if (!p->link_key)
        return 0;
    if (load_feed_links(store, err) < 0)
        return -1;
    if (link_is_shared(store, p->link_key))
        return 0;
    if (bind_text(st, 1, p->link_key) || bind_int64(st, 2, store->feed_id))
        return bind_failed(store, ST_LINK_CANDIDATES, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        content_hash = sqlite3_column_int64(st, 1);
        source_hash = sqlite3_column_int64(st, 2);
        title = column_dup(st, 3);
        stored.published = column_time(st, 4);
        text = column_dup(st, 5);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            id = 0; /* the link is shared: it names no one article */
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(store, err);
        goto out;
    }
    ret = 0;
    if (!id || filed_find(&store->filed, id))
        goto out;
    stored.title = title;
    stored.text = text;
    struct match_side offered = {item->title, content ? content->text : NULL, item->published};
    struct fk_match m = {.same_feed = true, .same_link = true, .link_identifies = true};
    match_compare(&stored, &offered, false, &m);
    if (m.match) {
        p->id = id;
        p->stored_content_hash = content_hash;
        p->stored_source_hash = source_hash;
        p->rule = m.same_title && m.dates_agree ? "title" : "text";
    }
out:
    stmt_reset(st);
    free(title);
    free(text);
    return ret;
}

/* Keep p->key as an alias of the article p matched. */
static int add_alias(struct fk_store *store, const struct fk_item *item,
                     const struct fk_store_pending *p, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ALIAS_INSERT];
    if (bind_text(st, 1, p->key) || bind_int64(st, 2, p->id) || bind_int64(st, 3, store->feed_id) ||
        bind_text(st, 4, item->guid) || bind_text(st, 5, p->rule) || bind_int64(st, 6, time(NULL)))
        return bind_failed(store, ST_ALIAS_INSERT, err);
    if (run(store, ST_ALIAS_INSERT, err) < 0)
        return -1;
    if (!store->matched++)
        store->first_matched_id = p->id;
    return 0;
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
static int touch_article(struct fk_store *store, const struct fk_store_pending *p,
                         struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ARTICLE_TOUCH];
    if (bind_int64(st, 1, p->id) || bind_int64(st, 2, time(NULL)) ||
        bind_int64(st, 3, p->source_hash))
        return bind_failed(store, ST_ARTICLE_TOUCH, err);
    if (run(store, ST_ARTICLE_TOUCH, err) < 0)
        return -1;
    return link_feed(store, p->id, err);
}

/* Bind ?2 to ?19 of ST_ARTICLE_INSERT or ST_ARTICLE_UPDATE. */
/* A copy of s[0..len) without white space around it; NULL when empty. */
static char *trimmed_dup(const char *s, size_t len)
{
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    return len ? fk_xstrndup(s, len) : NULL;
}

/* The display name and the address of an author as feeds write it, into
 * store->author_name and store->author_email: "jane@example.com (Jane
 * Doe)" (RSS 2.0's form), "Jane Doe <jane@example.com>", a bare address
 * (its own name then), or a name alone. */
static void split_author(struct fk_store *store, const char *author)
{
    free(store->author_name);
    free(store->author_email);
    store->author_name = store->author_email = NULL;
    size_t len = author ? strlen(author) : 0;
    const char *s = author ? trim(author, &len) : NULL;
    if (!len)
        return;
    const char *open = NULL;
    if (s[len - 1] == ')' && (open = strstr(s, " ("))) {
        size_t address = (size_t)(open - s);
        if (memchr(s, '@', address) && !memchr(s, ' ', address)) {
            store->author_email = fk_xstrndup(s, address);
            store->author_name = trimmed_dup(open + 2, len - address - 3);
        }
    } else if (s[len - 1] == '>' && (open = memchr(s, '<', len)) && memchr(open, '@', len - 1)) {
        size_t before = (size_t)(open - s);
        store->author_email = trimmed_dup(open + 1, len - before - 2);
        store->author_name = trimmed_dup(s, before);
    } else if (memchr(s, '@', len) && !memchr(s, ' ', len)) {
        store->author_email = fk_xstrndup(s, len);
    }
    if (!store->author_email)
        store->author_name = fk_xstrndup(s, len);
    else if (!store->author_name)
        store->author_name = fk_xstrdup(store->author_email);
}

/* Make the current author name known to the authors table and its word
 * index. */
static int file_author(struct fk_store *store, struct fk_error *err)
{
    if (!store->author_name)
        return 0;
    if (bind_text(store->stmts[ST_AUTHOR_INSERT], 1, store->author_name))
        return bind_failed(store, ST_AUTHOR_INSERT, err);
    if (run(store, ST_AUTHOR_INSERT, err) < 0)
        return -1;
    if (sqlite3_changes(store->db) == 0)
        return 0;
    sqlite3_stmt *st = store->stmts[ST_AUTHOR_INDEX];
    if (bind_int64(st, 1, sqlite3_last_insert_rowid(store->db)) ||
        bind_text(st, 2, store->author_name))
        return bind_failed(store, ST_AUTHOR_INDEX, err);
    return run(store, ST_AUTHOR_INDEX, err);
}

static int bind_article(struct fk_store *store, sqlite3_stmt *st, const struct fk_item *item,
                        const struct fk_content *content, int64_t content_hash, int64_t source_hash,
                        const char *link_key)
{
    const char *text = content && content->text ? content->text : "";
    const char *markdown = content && content->markdown ? content->markdown : "";
    return bind_text(st, 2, item->guid) || bind_text(st, 3, item->url) ||
           bind_text(st, 4, item->title) || bind_text(st, 5, store->author_name) ||
           bind_time(st, 6, item->published) || bind_text(st, 7, item->published_raw) ||
           bind_time(st, 8, item->updated) || bind_text(st, 9, item->updated_raw) ||
           bind_int64(st, 10, time(NULL)) || bind_text(st, 11, item->summary_html) ||
           bind_text(st, 12, item->content_html) || bind_text(st, 13, text) ||
           bind_text(st, 14, markdown) || bind_text(st, 15, store->tags_text.data) ||
           bind_int64(st, 16, content_hash) || bind_int64(st, 17, source_hash) ||
           bind_text(st, 18, link_key) || bind_text(st, 19, store->author_email);
}

/* Link article id, of the given date, to the tags in store->tags, creating
 * missing tags. */
static int insert_tags(struct fk_store *store, int64_t article_id, int64_t date,
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
        if (bind_int64(st, 1, article_id) || bind_int64(st, 2, tag_id) || bind_time(st, 3, date))
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

static int insert_enclosures(struct fk_store *store, int64_t article_id, const struct fk_item *item,
                             struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ENCLOSURE_INSERT];
    for (size_t i = 0; i < item->nenclosures; i++) {
        const struct fk_enclosure *e = &item->enclosures[i];
        if (bind_int64(st, 1, article_id) || bind_int64(st, 2, (int64_t)i) ||
            bind_text(st, 3, e->url) || bind_text(st, 4, e->type) ||
            (e->length < 0 ? sqlite3_bind_null(st, 5) : bind_int64(st, 5, e->length)) ||
            bind_text(st, 6, e->kind))
            return bind_failed(store, ST_ENCLOSURE_INSERT, err);
        if (run(store, ST_ENCLOSURE_INSERT, err) < 0)
            return -1;
    }
    return 0;
}

/* Write the enclosures of article id again: they changed while its text
 * did not, or it was archived before they were kept. */
static int replace_enclosures(struct fk_store *store, int64_t id, const struct fk_item *item,
                              struct fk_error *err)
{
    if (run_with_id(store, ST_ENCLOSURE_DELETE, id, err) < 0)
        return -1;
    return insert_enclosures(store, id, item, err);
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
    if (run(store, ST_CODE_DELETE, err) < 0)
        return -1;
    return run_with_id(store, ST_ENCLOSURE_DELETE, id, err);
}

/* Write a new article, or the new content of a changed one (p->id != 0),
 * with its tags, code blocks and feed membership. */
static int write_article(struct fk_store *store, const struct fk_item *item,
                         const struct fk_content *content, struct fk_store_pending *p,
                         int64_t content_hash, struct fk_error *err)
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
    split_author(store, item->author);
    if (file_author(store, err) < 0)
        return -1;
    if ((p->id ? bind_int64(st, 1, p->id) : bind_text(st, 1, p->key)) ||
        bind_article(store, st, item, content, content_hash, p->source_hash, p->link_key))
        return bind_failed(store, id, err);
    if (run(store, id, err) < 0)
        return -1;
    if (reindex && run_with_id(store, ST_FTS_INDEX_ONE, p->id, err) < 0)
        return -1;
    if (!p->id)
        p->id = sqlite3_last_insert_rowid(store->db);
    /* articles.date, as schema 5 defines it */
    int64_t date = item->published != FK_TIME_NONE ? item->published : item->updated;
    if (insert_tags(store, p->id, date, err) < 0 ||
        insert_code_blocks(store, p->id, content, err) < 0 ||
        insert_enclosures(store, p->id, item, err) < 0)
        return -1;
    return link_feed(store, p->id, err);
}

/* The short-body guard: whether text, replacing the stored text of article
 * id, would be empty or under half as long (a feed that lost its full
 * text), while the stored text is not empty. */
static int is_shorter(struct fk_store *store, int64_t id, const char *text, bool *shorter,
                      struct fk_error *err)
{
    int64_t stored = 0;
    if (bind_int64(store->stmts[ST_ARTICLE_TEXT_LENGTH], 1, id))
        return bind_failed(store, ST_ARTICLE_TEXT_LENGTH, err);
    if (run_int64(store, ST_ARTICLE_TEXT_LENGTH, &stored, err) < 0)
        return -1;
    uint64_t len = text ? strlen(text) : 0;
    *shorter = stored > 0 && (len == 0 || len * 2 < (uint64_t)stored);
    return 0;
}

/* The guard kept the archived content of p->id: keep the new content as a
 * rejected version, unless the same content was rejected before (*again),
 * and record that the article was seen. */
static int keep_rejected(struct fk_store *store, const struct fk_item *item,
                         const struct fk_content *content, const struct fk_store_pending *p,
                         int64_t content_hash, bool *again, struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_VERSION_REJECTED_FIND];
    int64_t found = 0;
    if (bind_int64(st, 1, p->id) || bind_int64(st, 2, content_hash))
        return bind_failed(store, ST_VERSION_REJECTED_FIND, err);
    if (run_int64(store, ST_VERSION_REJECTED_FIND, &found, err) < 0)
        return -1;
    *again = found > 0;
    if (!*again) {
        const char *html = item->content_html ? item->content_html : item->summary_html;
        st = store->stmts[ST_VERSION_REJECT];
        if (bind_int64(st, 1, p->id) || bind_int64(st, 2, time(NULL)) ||
            bind_text(st, 3, item->title) ||
            bind_text(st, 4, content && content->text ? content->text : "") ||
            bind_text(st, 5, content && content->markdown ? content->markdown : "") ||
            bind_text(st, 6, html) || bind_text(st, 7, store->tags_text.data) ||
            bind_int64(st, 8, content_hash))
            return bind_failed(store, ST_VERSION_REJECT, err);
        if (run(store, ST_VERSION_REJECT, err) < 0)
            return -1;
    }
    return touch_article(store, p, err);
}

/* Identity, normalised tags (into store->tags) and the source hash of item,
 * and the stored article with the same identity (its key, else one of its
 * aliases), if any, into store->pending. */
int fk_store_find_item(struct fk_store *store, const struct fk_item *item,
                       struct fk_store_pending **pending, struct fk_error *err)
{
    struct fk_store_pending *p = &store->pending;

    pending_release(p);
    if (check_feed(store, err) < 0)
        return -1;
    p->item = item;
    p->key = fk_store_identity(store->feed_url, item);
    normalize_tags(&store->tags, (const char *const *)item->tags, item->ntags);
    p->source_hash = source_hash(store, item);
    int found = find_key(store, ST_ARTICLE_FIND, p, err);
    if (found == 0)
        found = find_key(store, ST_ALIAS_FIND, p, err);
    if (found < 0)
        return -1;
    /* The document carried this article already: under the same key (an
     * item carried twice: the first copy, the newest in feed order, is
     * filed) or under another of its keys (a feed that carries a post under
     * its old and its new guid). */
    if (p->id && filed_find(&store->filed, p->id))
        return 1;
    if (p->id && p->stored_source_hash == p->source_hash) {
        if (touch_article(store, p, err) < 0) {
            store->feed_failed = true;
            return -1;
        }
        filed_add(&store->filed, p->id, key_hash(p->key));
        return 1;
    }
    *pending = p;
    return 0;
}

/* The content hash of item and the tags' text (into store->tags_text). */
static int content_hash(struct fk_store *store, const struct fk_store_pending *p,
                        const struct fk_content *content, int64_t *hash_out, struct fk_error *err)
{
    fk_buf_reset(&store->tags_text);
    uint64_t hash = FNV_OFFSET_BASIS;
    hash = fnv_field(hash, p->item->title);
    hash = fnv_field(hash, content ? content->text : NULL);
    for (size_t i = 0; i < store->tags.count; i++) {
        hash = fnv_field(hash, store->tags.names[i]);
        if ((i && fk_buf_addc(&store->tags_text, ' ') < 0) ||
            fk_buf_adds(&store->tags_text, store->tags.names[i]) < 0)
            return fk_error_set(err, FK_ERROR_INPUT, "the tags of '%s' are too long", p->key);
    }
    if (!store->tags_text.data)
        fk_buf_adds(&store->tags_text, "");
    *hash_out = hash_to_int64(hash);
    return 0;
}

/* What filing p with content of the given content hash does: a new
 * article; the stored one unchanged (the same title, text and tags); the
 * stored one kept, the new content being under the short-body guard; or
 * the stored one replaced. */
static int decide(struct fk_store *store, const struct fk_store_pending *p,
                  const struct fk_content *content, int64_t hash, enum fk_put_result *what,
                  struct fk_error *err)
{
    bool shorter = false;
    if (!p->id)
        *what = FK_PUT_NEW;
    else if (p->stored_content_hash == hash)
        *what = FK_PUT_UNCHANGED;
    else if (is_shorter(store, p->id, content ? content->text : NULL, &shorter, err) < 0)
        return -1;
    else
        *what = shorter ? FK_PUT_KEPT_SHORTER : FK_PUT_UPDATED;
    return 0;
}

int fk_store_put_item(struct fk_store *store, struct fk_store_pending *p,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err)
{
    const struct fk_item *item = p->item;
    int64_t hash = 0;
    enum fk_put_result what;
    int rc;

    if (check_feed(store, err) < 0)
        return -1;
    p->link_key = fk_store_link_key(item->url);
    if (!p->id && find_match(store, item, content, p, err) < 0)
        return -1;
    if (content_hash(store, p, content, &hash, err) < 0)
        return -1;

    if (decide(store, p, content, hash, &what, err) < 0) {
        rc = -1;
    } else if (what == FK_PUT_UNCHANGED) {
        rc = touch_article(store, p, err);
        if (rc == 0 && p->stored_source_hash != p->source_hash)
            rc = replace_enclosures(store, p->id, item, err);
    } else if (what == FK_PUT_KEPT_SHORTER) {
        bool again = false;
        rc = keep_rejected(store, item, content, p, hash, &again, err);
        if (again)
            what = FK_PUT_UNCHANGED;
    } else {
        rc = write_article(store, item, content, p, hash, err);
    }
    if (rc == 0 && p->rule)
        rc = add_alias(store, item, p, err);
    if (rc < 0) {
        /* Part of the item may be written. A savepoint per item could undo
         * just that part, but FTS5 writes out its pending index at every
         * savepoint, which made imports half again as slow; errors here are
         * the database's (disk full, I/O), so the feed goes instead. */
        store->feed_failed = true;
        return -1;
    }
    filed_add(&store->filed, p->id, key_hash(p->key));
    *result = what;
    return 0;
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
    pending_release(&store->pending);
    filed_release(&store->filed);
    store->feed_links_loaded = false;
    free(store->feed_url_key);
    free(store->site_url_key);
    store->feed_url_key = store->site_url_key = NULL;
    return ret;
}

/* ---- queries ---------------------------------------------------------------- */

void fk_filter_init(struct fk_filter *f)
{
    memset(f, 0, sizeof *f);
    f->since = FK_TIME_NONE;
    f->until = FK_TIME_NONE;
    f->archived_since = FK_TIME_NONE;
    f->changed_since = FK_TIME_NONE;
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

/* The sort keys of enum fk_sort over articles a. Each has an index
 * (articles_date, articles_updated, articles_first_seen), so a walk in
 * that order with a limit reads a few index entries. */
static const char *const sort_keys[] = {
    [FK_SORT_PUBLISHED] = "a.date",
    [FK_SORT_UPDATED] = "coalesce(a.updated, a.published)",
    [FK_SORT_FIRST_SEEN] = "a.first_seen",
};

/* How a query reads the articles a filter selects. With tags and the
 * date order, it walks article_tags as t0: the first (rarest) tag's
 * entries of article_tags_tag are in date order, and the other conditions
 * are probes by primary key, so a walk with a limit stops after that many
 * matches. Otherwise it walks articles as a in the order of the sort key's
 * index, and every condition is a probe. */
struct plan {
    const struct fk_filter *f;
    struct tag_list tags;     /* f's tags, normalised, the rarest first */
    struct tag_list any_tags; /* f's any_tags, normalised */
    bool by_tag;              /* the walk is over t0 */
    bool articles;            /* articles a is read (always when !by_tag,
                                 unless id is set) */
    const char *id;           /* the article id in the walk when it is
                                 neither t0's nor a's (search) */
    char *author_match;       /* f->author as an authors_fts query */
    bool changed_by_probe;    /* --changed-since matches many: probe each
                                 article of the walk instead of reading the
                                 set first */
};

static void plan_release(struct plan *p)
{
    free(p->author_match);
    tag_list_release(&p->tags);
    tag_list_release(&p->any_tags);
}

/* Whether the conditions of f read columns of articles a (the others are
 * probes by the walk's article id). */
static bool plan_reads_articles(const struct fk_filter *f)
{
    return (f->author && *f->author) || f->archived_since != FK_TIME_NONE;
}

/* An author filter as an FTS5 query of authors_fts: every word of it,
 * each quoted (so nothing in it is syntax), all of them required. NULL
 * when it has no word (letters, digits, or anything not ASCII). */
static char *author_query(const char *author)
{
    struct fk_buf q = FK_BUF_INIT, word = FK_BUF_INIT;
    for (const char *p = author; *p;) {
        while (*p && is_space(*p))
            p++;
        bool letters = false;
        fk_buf_reset(&word);
        for (; *p && !is_space(*p); p++) {
            unsigned char c = (unsigned char)*p;
            letters = letters || c >= 0x80 || (c >= '0' && c <= '9') ||
                      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            if (c == '"')
                fk_buf_addc(&word, '"');
            fk_buf_addc(&word, (char)c);
        }
        if (letters)
            fk_buf_printf(&q, "%s\"%s\"", q.len ? " " : "", word.data);
    }
    fk_buf_release(&word);
    if (!q.len) {
        fk_buf_release(&q);
        return NULL;
    }
    return fk_buf_detach(&q);
}

/* Set p up for f. by_tag_allowed: the caller can walk t0; need_articles:
 * it reads columns of a. Returns 0, or -1 with err filled. */
static int plan_init(struct fk_store *store, struct plan *p, const struct fk_filter *f,
                     bool by_tag_allowed, bool need_articles, struct fk_error *err)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    if ((unsigned)f->sort >= sizeof sort_keys / sizeof sort_keys[0])
        return fk_error_set(err, FK_ERROR_USAGE, "unknown sort order");
    normalize_tags(&p->tags, f->tags, f->tags ? f->ntags : 0);
    normalize_tags(&p->any_tags, f->any_tags, f->any_tags ? f->nany_tags : 0);
    if (rarest_tag_first(store, &p->tags, err) < 0)
        return -1;
    if (f->changed_since != FK_TIME_NONE) {
        int64_t changed = 0;
        if (bind_int64(store->stmts[ST_CHANGED_FREQUENCY], 1, f->changed_since))
            return bind_failed(store, ST_CHANGED_FREQUENCY, err);
        if (run_int64(store, ST_CHANGED_FREQUENCY, &changed, err) < 0)
            return -1;
        p->changed_by_probe = changed >= FREQUENCY_CAP;
    }
    if (f->author && *f->author && !(p->author_match = author_query(f->author)))
        return fk_error_set(err, FK_ERROR_USAGE, "the author '%s' has no words", f->author);
    p->by_tag = by_tag_allowed && p->tags.count && f->sort == FK_SORT_PUBLISHED;
    p->articles = !p->by_tag || need_articles || plan_reads_articles(f);
    return 0;
}

/* The article id in the walk. */
static const char *plan_id(const struct plan *p)
{
    return p->id ? p->id : p->by_tag ? "t0.article_id" : "a.id";
}

/* The sort key in the walk. */
static const char *plan_key(const struct plan *p)
{
    return p->by_tag ? "t0.date" : sort_keys[p->f->sort];
}

/* Whether the filter selects fewer than all articles. */
static bool plan_filters(const struct plan *p)
{
    const struct fk_filter *f = p->f;
    return p->tags.count || p->any_tags.count || f->since != FK_TIME_NONE ||
           f->until != FK_TIME_NONE || f->feed_id > 0 || (f->author && *f->author) || f->has_code ||
           f->archived_since != FK_TIME_NONE || f->changed_since != FK_TIME_NONE ||
           (f->feed_tag && *f->feed_tag) || f->changed_after;
}

static void plan_add_from(struct query *q, const struct plan *p)
{
    if (!p->by_tag)
        query_add(q, " FROM articles a");
    else if (p->articles)
        query_add(q, " FROM article_tags t0 CROSS JOIN articles a ON a.id = t0.article_id");
    else
        query_add(q, " FROM article_tags t0");
}

/* Append a fragment naming the article id of the walk, then one holding a
 * "?" with its value. */
static void query_add_probe(struct query *q, const struct plan *p, const char *start,
                            const char *rest, const char *text, int64_t value)
{
    query_add(q, start);
    query_add(q, plan_id(p));
    query_add_param(q, rest, text, value);
}

/* Append the conditions (each " AND ...") of the filter. */
static void plan_add_where(struct query *q, const struct plan *p)
{
    const struct fk_filter *f = p->f;
    size_t first_probe = 0;
    if (p->by_tag) {
        query_add_param(q, " AND t0.tag_id = (SELECT id FROM tags WHERE name = ?)",
                        p->tags.names[0], 0);
        first_probe = 1;
    }
    if (f->since != FK_TIME_NONE)
        query_add_param(q, p->by_tag ? " AND t0.date >= ?" : " AND a.date >= ?", NULL, f->since);
    if (f->until != FK_TIME_NONE)
        query_add_param(q, p->by_tag ? " AND t0.date < ?" : " AND a.date < ?", NULL, f->until);
    for (size_t i = first_probe; i < p->tags.count; i++)
        query_add_probe(q, p, " AND EXISTS (SELECT 1 FROM article_tags tn WHERE tn.article_id = ",
                        " AND tn.tag_id = (SELECT id FROM tags WHERE name = ?))", p->tags.names[i],
                        0);
    if (p->any_tags.count) {
        query_add(q, " AND EXISTS (SELECT 1 FROM article_tags ta WHERE ta.article_id = ");
        query_add(q, plan_id(p));
        query_add(q, " AND ta.tag_id IN (SELECT id FROM tags WHERE name IN (");
        for (size_t i = 0; i < p->any_tags.count; i++)
            query_add_param(q, i ? ", ?" : "?", p->any_tags.names[i], 0);
        query_add(q, ")))");
    }
    if (f->feed_id > 0)
        query_add_probe(q, p, " AND EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = ",
                        " AND af.feed_id = ?)", NULL, f->feed_id);
    if (f->feed_tag && *f->feed_tag)
        query_add_probe(q, p,
                        " AND EXISTS (SELECT 1 FROM article_feeds aft JOIN feed_tags ft"
                        " ON ft.feed_id = aft.feed_id WHERE aft.article_id = ",
                        " AND ft.name = trim(?))", f->feed_tag, 0);
    /* The names whose words match (authors_fts), then their articles
     * through articles_author (COLLATE NOCASE makes the IN use it). */
    if (p->author_match)
        query_add_param(q,
                        " AND a.author COLLATE NOCASE IN (SELECT name FROM authors WHERE id IN"
                        " (SELECT rowid FROM authors_fts WHERE authors_fts MATCH ?))",
                        p->author_match, 0);
    if (f->archived_since != FK_TIME_NONE)
        query_add_param(q, " AND a.first_seen >= ?", NULL, f->archived_since);
    /* New since then, or content replaced since then: both sets come from
     * an index (articles_first_seen, article_versions_replaced) once. */
    if (f->changed_since != FK_TIME_NONE && p->changed_by_probe) {
        query_add_probe(q, p, " AND (EXISTS (SELECT 1 FROM articles ac WHERE ac.id = ",
                        " AND ac.first_seen >= ?)", NULL, f->changed_since);
        query_add_probe(q, p, " OR EXISTS (SELECT 1 FROM article_versions v WHERE v.article_id = ",
                        " AND v.kind = 'replaced' AND v.replaced_at >= ?))", NULL,
                        f->changed_since);
    } else if (f->changed_since != FK_TIME_NONE) {
        query_add(q, " AND ");
        query_add(q, plan_id(p));
        query_add_param(q, " IN (SELECT id FROM articles WHERE first_seen >= ?", NULL,
                        f->changed_since);
        query_add_param(q,
                        " UNION SELECT article_id FROM article_versions"
                        " WHERE kind = 'replaced' AND replaced_at >= ?)",
                        NULL, f->changed_since);
    }
    if (f->has_code) {
        query_add(q, " AND EXISTS (SELECT 1 FROM code_blocks cb WHERE cb.article_id = ");
        query_add(q, plan_id(p));
        /* cb.language is COLLATE NOCASE. */
        if (f->has_code_language && *f->has_code_language)
            query_add_param(q, " AND cb.language = ?", f->has_code_language, 0);
        query_add(q, ")");
    }
    /* Filed after the mark (ids only grow), or changed: a replaced
     * version written after it; or never exported to the directory. */
    if (f->changed_after) {
        query_add(q, " AND (");
        query_add(q, plan_id(p));
        query_add_param(q, " > ?", NULL, f->changed_after->article_id);
        query_add(q, " OR EXISTS (SELECT 1 FROM article_versions cv WHERE cv.article_id = ");
        query_add(q, plan_id(p));
        query_add_param(q, " AND cv.kind = 'replaced' AND cv.id > ?)", NULL,
                        f->changed_after->version_id);
        if (f->export_dir) {
            query_add_param(q, " OR NOT EXISTS (SELECT 1 FROM export_files ef WHERE ef.dir_id = ?",
                            NULL, f->export_dir);
            query_add(q, " AND ef.article_id = ");
            query_add(q, plan_id(p));
            query_add(q, ")");
        }
        query_add(q, ")");
    }
}

/* " ORDER BY key, id" in the direction the filter asks for. DESC puts NULL
 * (no date) last, ASC first. */
static void query_add_order(struct query *q, const struct fk_filter *f, const char *key,
                            const char *id)
{
    const char *direction = f->reverse ? " ASC" : " DESC";
    query_add(q, " ORDER BY ");
    query_add(q, key);
    query_add(q, direction);
    query_add(q, ", ");
    query_add(q, id);
    query_add(q, direction);
}

static void query_add_limit(struct query *q, const struct fk_filter *f)
{
    if (f->limit > 0 || f->offset > 0)
        query_add_param(q, " LIMIT ?", NULL, f->limit > 0 ? f->limit : -1);
    if (f->offset > 0)
        query_add_param(q, " OFFSET ?", NULL, f->offset);
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
    a->first_seen = column_time(st, 8);
    a->last_seen = column_time(st, 9);
    a->date = column_time(st, 10);
    a->author_email = column_str(st, 11);
}

int fk_store_list(struct fk_store *store, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err)
{
    struct fk_filter no_filter;
    struct plan p = {0};
    struct tag_list tags = {0};
    struct query q;
    sqlite3_stmt *st = NULL;
    int ret = -1;
    int rc;

    query_init(&q);
    if (!f) {
        fk_filter_init(&no_filter);
        f = &no_filter;
    }
    if (plan_init(store, &p, f, true, false, err) < 0)
        goto out;
    /* Pick the ids first and read the rows of only those: the columns (and
     * the feed subquery) are not computed for rows a limit leaves out. */
    query_add(&q, "SELECT " ARTICLE_COLUMNS " FROM (SELECT ");
    query_add(&q, plan_id(&p));
    query_add(&q, " AS id, ");
    query_add(&q, plan_key(&p));
    query_add(&q, " AS k");
    plan_add_from(&q, &p);
    query_add(&q, " WHERE 1");
    plan_add_where(&q, &p);
    query_add_order(&q, f, plan_key(&p), plan_id(&p));
    query_add_limit(&q, f);
    query_add(&q, ") AS pick JOIN articles a ON a.id = pick.id");
    query_add_order(&q, f, "pick.k", "pick.id");
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
    plan_release(&p);
    tag_list_release(&tags);
    return ret;
}

/* The memory behind an article from fk_store_get_article. */
struct article_memory {
    char *strings[12];
    struct tag_list tags;
    struct tag_list feeds;
};

/* The feed URLs of article id into list, in the order they carried it. */
static int load_feeds(struct fk_store *store, int64_t id, struct tag_list *list,
                      struct fk_error *err)
{
    sqlite3_stmt *st = store->stmts[ST_ARTICLE_FEEDS_LIST];
    int ret = -1;
    int rc;

    if (bind_int64(st, 1, id))
        return bind_failed(store, ST_ARTICLE_FEEDS_LIST, err);
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
    out->first_seen = column_time(st, 8);
    out->last_seen = column_time(st, 9);
    out->date = column_time(st, 10);
    out->author_email = s[11] = column_dup(st, 11);
    out->text = s[5] = column_dup(st, ARTICLE_NCOLUMNS);
    out->markdown = s[6] = column_dup(st, ARTICLE_NCOLUMNS + 1);
    out->published_raw = s[7] = column_dup(st, ARTICLE_NCOLUMNS + 2);
    out->updated_raw = s[8] = column_dup(st, ARTICLE_NCOLUMNS + 3);
    out->summary_html = s[9] = column_dup(st, ARTICLE_NCOLUMNS + 4);
    out->content_html = s[10] = column_dup(st, ARTICLE_NCOLUMNS + 5);
    out->versions = sqlite3_column_int64(st, ARTICLE_NCOLUMNS + 6);
    /* Text and Markdown are NOT NULL columns; keep the promise anyway. */
    if (!out->text)
        out->text = s[5] = fk_xstrdup("");
    if (!out->markdown)
        out->markdown = s[6] = fk_xstrdup("");
    stmt_reset(st);
    out->priv = memory;
    if (load_tags(store, id, &memory->tags, err) < 0 ||
        load_feeds(store, id, &memory->feeds, err) < 0)
        goto out;
    out->tags = (const char *const *)memory->tags.names;
    out->ntags = memory->tags.count;
    out->feeds = (const char *const *)memory->feeds.names;
    out->nfeeds = memory->feeds.count;
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
        tag_list_release(&memory->feeds);
        free(memory);
    }
    memset(article, 0, sizeof *article);
}

int fk_store_find_article(struct fk_store *store, const char *url, int64_t *id,
                          struct fk_error *err)
{
    static const char sql[] = "SELECT min(id) FROM (SELECT id FROM articles WHERE url = ?1"
                              " UNION ALL SELECT id FROM articles WHERE key = 'guid:' || ?1"
                              " UNION ALL SELECT article_id FROM article_aliases"
                              " WHERE key = 'guid:' || ?1)";
    sqlite3_stmt *st = NULL;
    int ret = -1;

    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK || bind_text(st, 1, url)) {
        db_error(store, err);
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    ret = 1;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *id = sqlite3_column_int64(st, 0);
        ret = 0;
    }
out:
    sqlite3_finalize(st);
    return ret;
}

/* Fill row from the CODE_COLUMNS of st; the strings point into st. */
static void read_code_row(sqlite3_stmt *st, struct fk_code_row *row)
{
    row->id = sqlite3_column_int64(st, 0);
    row->article_id = sqlite3_column_int64(st, 1);
    row->position = sqlite3_column_int(st, 2);
    row->language = column_str(st, 3);
    row->code = column_str(st, 4);
    row->lines = (size_t)sqlite3_column_int64(st, 5);
    row->article_title = column_str(st, 6);
    if (!row->code)
        row->code = "";
}

int fk_store_list_code(struct fk_store *store, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err)
{
    struct fk_filter no_filter;
    struct plan p = {0};
    struct query q;
    sqlite3_stmt *st = NULL;
    int ret = -1;

    query_init(&q);
    if (!f) {
        fk_filter_init(&no_filter);
        f = &no_filter;
    }
    if (plan_init(store, &p, f, true, true, err) < 0)
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
    /* With a limit, walk the articles in order and stop after enough
     * blocks, unless the language is rare: then reading its few blocks
     * through code_blocks_language and sorting them is cheaper. CROSS JOIN
     * fixes the order of the loops and "+" keeps the language index out. */
    if (f->limit > 0 && (!by_language || language_count >= FREQUENCY_CAP)) {
        query_add(&q, "SELECT " CODE_COLUMNS);
        plan_add_from(&q, &p);
        query_add(&q, " CROSS JOIN code_blocks c ON c.article_id = a.id WHERE 1");
        plan_add_where(&q, &p);
        if (by_language)
            query_add_param(&q, " AND +c.language = ?", f->language, 0);
        query_add_order(&q, f, plan_key(&p), plan_id(&p));
    } else {
        query_add(&q, "SELECT " CODE_COLUMNS
                      " FROM code_blocks c JOIN articles a ON a.id = c.article_id WHERE 1");
        if (plan_filters(&p)) {
            query_add(&q, " AND c.article_id IN (SELECT ");
            query_add(&q, plan_id(&p));
            plan_add_from(&q, &p);
            query_add(&q, " WHERE 1");
            plan_add_where(&q, &p);
            query_add(&q, ")");
        }
        /* c.language is COLLATE NOCASE: the comparison ignores ASCII case. */
        if (by_language)
            query_add_param(&q, " AND c.language = ?", f->language, 0);
        query_add_order(&q, f, sort_keys[f->sort], "a.id");
    }
    query_add(&q, ", c.position");
    query_add_limit(&q, f);
    if (query_prepare(store, &q, &st, err) < 0)
        goto out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_code_row row;
        read_code_row(st, &row);
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
    plan_release(&p);
    return ret;
}

int fk_store_get_code(struct fk_store *store, int64_t id, fk_code_fn fn, void *ctx,
                      struct fk_error *err)
{
    static const char sql[] =
        "SELECT " CODE_COLUMNS " FROM code_blocks c JOIN articles a ON a.id = c.article_id"
        " WHERE c.id = ?1";
    sqlite3_stmt *st = NULL;
    int ret = -1;

    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK || bind_int64(st, 1, id)) {
        db_error(store, err);
        goto out;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ret = 1;
    } else if (rc == SQLITE_ROW) {
        struct fk_code_row row;
        read_code_row(st, &row);
        ret = fn(&row, ctx);
    } else {
        db_error(store, err);
    }
out:
    sqlite3_finalize(st);
    return ret;
}

/* ---- full-text search ---------------------------------------------------- */

/* Ranking: bm25 with the title weighted ten times the text and the tags
 * five times (the columns of articles_fts in order: title, text, tags). A
 * fixed SQL fragment: the weights are no user input. */
#define SEARCH_RANK "bm25(10.0, 1.0, 5.0)"

/* What FTS5 says when it cannot run a MATCH expression, and what the user
 * reads instead of SQLite's wording. */
static const struct {
    const char *prefix;
    const char *skip; /* leading text to drop from the message */
} fts_errors[] = {
    {"fts5: ", "fts5: "},
    {"no such column", ""},
    {"unknown special query", ""},
    {"unterminated string", ""},
};

/* The error of a failed search step: the query's fault or the database's. */
static int search_error(struct fk_store *store, struct fk_error *err)
{
    const char *message = sqlite3_errmsg(store->db);
    for (size_t i = 0; i < sizeof fts_errors / sizeof fts_errors[0]; i++) {
        if (strncmp(message, fts_errors[i].prefix, strlen(fts_errors[i].prefix)) == 0)
            return fk_error_set(err, FK_ERROR_USAGE, "the full-text index rejected it: %s",
                                message + strlen(fts_errors[i].skip));
    }
    return db_error(store, err);
}

/* A filtered search looks for its rank window among this many times the
 * window of the most recent matches; when fewer of those pass the filter,
 * probing further would cost more than ranking every match. */
#define SEARCH_SCAN_FACTOR 8

/* The rowid where the rank window starts: the smallest of the window's
 * most recently filed matches that pass the filter; 0 when all matches are
 * to be ranked (there are fewer than the window, or they are not among the
 * SEARCH_SCAN_FACTOR * window most recent matches). */
static int search_window(struct fk_store *store, const char *match, struct plan *p, long window,
                         int64_t *start, struct fk_error *err)
{
    struct query q;
    sqlite3_stmt *st = NULL;
    int ret = -1;

    *start = 0;
    query_init(&q);
    /* The newest matches by rowid (FTS5 walks its index backwards), then
     * the filter on those. */
    query_add_param(&q,
                    "SELECT count(*), min(id) FROM (SELECT m.id AS id FROM (SELECT"
                    " articles_fts.rowid AS id FROM articles_fts WHERE articles_fts MATCH ?",
                    match, 0);
    bool filtered = plan_filters(p);
    query_add_param(&q, " ORDER BY articles_fts.rowid DESC LIMIT ?) AS m", NULL,
                    filtered ? window * SEARCH_SCAN_FACTOR : window);
    if (p->articles)
        query_add(&q, " JOIN articles a ON a.id = m.id");
    query_add(&q, " WHERE 1");
    p->id = "m.id";
    plan_add_where(&q, p);
    p->id = "articles_fts.rowid";
    query_add_param(&q, " ORDER BY m.id DESC LIMIT ?)", NULL, window);
    if (query_prepare(store, &q, &st, err) < 0)
        goto out;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        search_error(store, err);
        goto out;
    }
    if (sqlite3_column_int64(st, 0) >= window)
        *start = sqlite3_column_int64(st, 1);
    ret = 0;
out:
    sqlite3_finalize(st);
    query_release(&q);
    return ret;
}

int fk_store_search(struct fk_store *store, const char *match, const struct fk_filter *f,
                    const struct fk_search_options *options, fk_hit_fn fn, void *ctx,
                    struct fk_error *err)
{
    struct fk_filter no_filter;
    struct fk_search_options no_options = {"", "", 0, 0};
    struct plan p = {0};
    struct tag_list tags = {0};
    struct query q;
    sqlite3_stmt *st = NULL;
    int64_t start = 0;
    int ret = -1;
    int rc;

    query_init(&q);
    if (!f) {
        fk_filter_init(&no_filter);
        f = &no_filter;
    }
    if (!options)
        options = &no_options;
    if (!match || !*match) {
        fk_error_set(err, FK_ERROR_USAGE, "the query is empty");
        goto out;
    }
    /* The walk is over the index's matches; every filter is a probe, and
     * the articles are read only for the filters on their own columns. */
    if (plan_init(store, &p, f, false, false, err) < 0)
        goto out;
    p.id = "articles_fts.rowid";
    p.articles = f->since != FK_TIME_NONE || f->until != FK_TIME_NONE || plan_reads_articles(f);
    if (options->rank_window > 0 &&
        search_window(store, match, &p, options->rank_window, &start, err) < 0)
        goto out;
    int words = options->snippet_words > 0 ? options->snippet_words : 16;
    /* Pick the hits with their rank and snippet in the index's own order
     * ("ORDER BY rank" alone lets FTS5 sort, and the snippets are made for
     * the rows the limit keeps only), then read their articles. */
    query_add(&q, "SELECT " ARTICLE_COLUMNS ", pick.rank, pick.snippet FROM (SELECT"
                  " articles_fts.rowid AS id, articles_fts.rank AS rank");
    query_add_param(&q, ", snippet(articles_fts, 1, ?",
                    options->mark_open ? options->mark_open : "", 0);
    query_add_param(&q, ", ?", options->mark_close ? options->mark_close : "", 0);
    query_add_param(&q, ", '\xE2\x80\xA6', ?) AS snippet", NULL, words > 64 ? 64 : words);
    query_add(&q, " FROM articles_fts");
    if (p.articles)
        query_add(&q, " JOIN articles a ON a.id = articles_fts.rowid");
    query_add_param(&q, " WHERE articles_fts MATCH ?", match, 0);
    query_add(&q, " AND articles_fts.rank MATCH '" SEARCH_RANK "'");
    if (start > 0)
        query_add_param(&q, " AND articles_fts.rowid >= ?", NULL, start);
    plan_add_where(&q, &p);
    query_add(&q, " ORDER BY articles_fts.rank");
    query_add_limit(&q, f);
    query_add(&q, ") AS pick JOIN articles a ON a.id = pick.id ORDER BY pick.rank, pick.id DESC");
    if (query_prepare(store, &q, &st, err) < 0)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_search_hit hit;
        read_article(st, &hit.article);
        hit.rank = sqlite3_column_double(st, ARTICLE_NCOLUMNS);
        hit.snippet = column_str(st, ARTICLE_NCOLUMNS + 1);
        if (!hit.snippet)
            hit.snippet = "";
        if (load_tags(store, hit.article.id, &tags, err) < 0)
            goto out;
        hit.article.tags = (const char *const *)tags.names;
        hit.article.ntags = tags.count;
        int stop = fn(&hit, ctx);
        if (stop) {
            ret = stop;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        search_error(store, err);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    query_release(&q);
    plan_release(&p);
    tag_list_release(&tags);
    return ret;
}

/* ---- versions ---------------------------------------------------------------- */

/* The versions of an article, oldest first, then its current content. */
static const char versions_sql[] =
    "SELECT id, kind, replaced_at, title, tags_text, length(CAST(text AS BLOB)), text, markdown,"
    " content_html FROM article_versions WHERE article_id = ?1"
    " UNION ALL SELECT 9223372036854775807, 'current', NULL, title, tags_text,"
    " length(CAST(text AS BLOB)), text, markdown, coalesce(content_html, summary_html)"
    " FROM articles WHERE id = ?1 ORDER BY 1";

static const struct {
    const char *name;
    enum fk_version_kind kind;
} version_kinds[] = {
    {"replaced", FK_VERSION_REPLACED},
    {"rejected", FK_VERSION_REJECTED},
    {"current", FK_VERSION_CURRENT},
};

/* Walk the versions of article id: fn gets each (with text when
 * with_text) until it returns non-zero. Returns 0 (or fn's return), 1
 * when there is no such article, -1 with err filled. */
static int walk_versions(struct fk_store *store, int64_t id, bool with_text, fk_version_fn fn,
                         void *ctx, struct fk_error *err)
{
    sqlite3_stmt *st = NULL;
    int64_t since = FK_TIME_NONE;
    int ret = -1;
    int rc;

    if (sqlite3_prepare_v2(store->db, "SELECT first_seen FROM articles WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK ||
        bind_int64(st, 1, id)) {
        db_error(store, err);
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ret = 1;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    since = column_time(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(store->db, versions_sql, -1, &st, NULL) != SQLITE_OK ||
        bind_int64(st, 1, id)) {
        db_error(store, err);
        goto out;
    }
    int number = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_version v = {0};
        const char *kind = column_str(st, 1);
        v.number = ++number;
        v.kind = FK_VERSION_REPLACED;
        for (size_t i = 0; kind && i < sizeof version_kinds / sizeof version_kinds[0]; i++) {
            if (strcmp(kind, version_kinds[i].name) == 0)
                v.kind = version_kinds[i].kind;
        }
        int64_t at = column_time(st, 2);
        v.replaced_at = FK_TIME_NONE;
        if (v.kind == FK_VERSION_REJECTED) {
            v.first_seen = at;
        } else {
            v.first_seen = since;
            if (v.kind == FK_VERSION_REPLACED) {
                v.replaced_at = at;
                since = at;
            }
        }
        v.title = column_str(st, 3);
        v.tags_text = column_str(st, 4);
        v.text_length = (size_t)sqlite3_column_int64(st, 5);
        if (with_text) {
            v.text = column_str(st, 6);
            v.markdown = column_str(st, 7);
            v.html = column_str(st, 8);
            if (!v.text)
                v.text = "";
            if (!v.markdown)
                v.markdown = "";
        }
        int stop = fn(&v, ctx);
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
    return ret;
}

int fk_store_list_versions(struct fk_store *store, int64_t id, fk_version_fn fn, void *ctx,
                           struct fk_error *err)
{
    return walk_versions(store, id, false, fn, ctx, err);
}

/* fk_store_get_version's search: copy version number out and stop. */
struct version_pick {
    int number;
    struct fk_version *out;
};

static int pick_version(const struct fk_version *v, void *ctx)
{
    struct version_pick *pick = ctx;
    if (v->number != pick->number)
        return 0;
    char **copies = fk_xcalloc(5, sizeof *copies);
    *pick->out = *v;
    pick->out->title = copies[0] = fk_xstrdup(v->title);
    pick->out->tags_text = copies[1] = fk_xstrdup(v->tags_text);
    pick->out->text = copies[2] = fk_xstrdup(v->text);
    pick->out->markdown = copies[3] = fk_xstrdup(v->markdown);
    pick->out->html = copies[4] = fk_xstrdup(v->html);
    pick->out->priv = copies;
    return 1;
}

int fk_store_get_version(struct fk_store *store, int64_t id, int number, struct fk_version *out,
                         struct fk_error *err)
{
    struct version_pick pick = {number, out};
    memset(out, 0, sizeof *out);
    if (number < 1)
        return 1;
    int rc = walk_versions(store, id, true, pick_version, &pick, err);
    if (rc < 0)
        return -1;
    /* 1 from pick_version: found; 0: walked them all; 1 from the walk: no
     * such article (then out->priv is still NULL). */
    return out->priv ? 0 : 1;
}

void fk_version_release(struct fk_version *version)
{
    char **copies = version->priv;
    if (copies) {
        for (int i = 0; i < 5; i++)
            free(copies[i]);
        free(copies);
    }
    memset(version, 0, sizeof *version);
}

/* ---- tags and statistics --------------------------------------------------- */

int fk_store_list_tags(struct fk_store *store, long limit, fk_tag_fn fn, void *ctx,
                       struct fk_error *err)
{
    /* One walk of article_tags_tag, which holds all three columns. */
    static const char sql[] =
        "SELECT t.name, count(*), max(at.date) FROM article_tags at"
        " JOIN tags t ON t.id = at.tag_id GROUP BY at.tag_id ORDER BY 2 DESC, t.name LIMIT ?1";
    sqlite3_stmt *st = NULL;
    int ret = -1;
    int rc;

    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK ||
        bind_int64(st, 1, limit > 0 ? limit : -1)) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_tag_count tag = {
            .name = column_str(st, 0),
            .articles = sqlite3_column_int64(st, 1),
            .newest = column_time(st, 2),
        };
        if (!tag.name)
            tag.name = "";
        int stop = fn(&tag, ctx);
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
    return ret;
}

/* The memory behind the languages of fk_store_stats. */
struct stats_memory {
    struct tag_list names; /* NULL entries for blocks without language */
};

int fk_store_stats(struct fk_store *store, struct fk_store_stats *out, struct fk_error *err)
{
    static const char summary_sql[] =
        "SELECT (SELECT count(*) FROM feeds WHERE subscribed),"
        " (SELECT count(*) FROM feeds WHERE subscribed AND last_error IS NOT NULL),"
        " (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size),"
        " (SELECT min(date) FROM articles), (SELECT max(date) FROM articles),"
        " (SELECT max(last_fetch) FROM feeds)";
    static const char languages_sql[] =
        "SELECT language, count(*) FROM code_blocks GROUP BY language ORDER BY 2 DESC, 1";
    struct stats_memory *memory = fk_xcalloc(1, sizeof *memory);
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int ret = -1;
    int rc;

    memset(out, 0, sizeof *out);
    out->priv = memory;
    if (fk_store_counts(store, &out->counts, err) < 0)
        goto out;
    if (sqlite3_prepare_v2(store->db, summary_sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    out->subscribed = sqlite3_column_int64(st, 0);
    out->failing = sqlite3_column_int64(st, 1);
    out->size_bytes = sqlite3_column_int64(st, 2);
    out->oldest = column_time(st, 3);
    out->newest = column_time(st, 4);
    out->last_fetch = column_time(st, 5);
    sqlite3_finalize(st);
    st = NULL;
    /* The log holds what is not checkpointed into the file yet. */
    struct stat wal;
    struct fk_buf wal_path = FK_BUF_INIT;
    fk_buf_printf(&wal_path, "%s-wal", store->path);
    out->wal_bytes = wal_path.data && stat(wal_path.data, &wal) == 0 ? (int64_t)wal.st_size : 0;
    fk_buf_release(&wal_path);

    if (sqlite3_prepare_v2(store->db, languages_sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nlanguages == cap) {
            cap = cap ? cap * 2 : 16;
            out->languages = fk_xrealloc(out->languages, cap * sizeof *out->languages);
        }
        char *name = column_dup(st, 0);
        tag_list_push(&memory->names, name);
        out->languages[out->nlanguages].language = name;
        out->languages[out->nlanguages].blocks = sqlite3_column_int64(st, 1);
        out->nlanguages++;
    }
    if (rc != SQLITE_DONE) {
        db_error(store, err);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    if (ret < 0)
        fk_store_stats_release(out);
    return ret;
}

void fk_store_stats_release(struct fk_store_stats *stats)
{
    struct stats_memory *memory = stats->priv;
    if (memory) {
        tag_list_release(&memory->names);
        free(memory);
    }
    free(stats->languages);
    memset(stats, 0, sizeof *stats);
}

/* ---- articles under changed guids: explaining -------------------------------- */

/* The statements of fk_store_dedup_explain, prepared for one call (it runs
 * once per command). */
enum dedup_stmt_id {
    DEDUP_ARTICLE,
    DEDUP_ALIASES,
    DEDUP_CANDIDATES,
    DEDUP_SHARED_FEED,
    DEDUP_OTHERS,
    DEDUP_COUNT
};

static const char *const dedup_sql[DEDUP_COUNT] = {
    [DEDUP_ARTICLE] = "SELECT id, key, guid, url, link_key, title, published,"
                      " length(CAST(text AS BLOB)), text FROM articles WHERE id = ?1",
    [DEDUP_ALIASES] = "SELECT al.key, al.guid, f.url, al.rule, al.created FROM article_aliases al"
                      " LEFT JOIN feeds f ON f.id = al.feed_id WHERE al.article_id = ?1"
                      " ORDER BY al.created, al.key",
    /* ?3: one more than are shown, to know there are more. */
    [DEDUP_CANDIDATES] = "SELECT b.id FROM articles b WHERE b.link_key = ?2 AND b.id <> ?1"
                         " AND EXISTS (SELECT 1 FROM article_feeds fa JOIN article_feeds fb"
                         " ON fb.feed_id = fa.feed_id WHERE fa.article_id = ?1"
                         " AND fb.article_id = b.id) ORDER BY b.id LIMIT ?3",
    [DEDUP_SHARED_FEED] = "SELECT f.id, f.url, f.site_url FROM article_feeds fa"
                          " JOIN article_feeds fb ON fb.feed_id = fa.feed_id"
                          " JOIN feeds f ON f.id = fa.feed_id"
                          " WHERE fa.article_id = ?1 AND fb.article_id = ?2 ORDER BY f.id LIMIT 1",
    [DEDUP_OTHERS] = "SELECT count(*) FROM articles a JOIN article_feeds af"
                     " ON af.article_id = a.id AND af.feed_id = ?1"
                     " WHERE a.link_key = ?2 AND a.id NOT IN (?3, ?4)",
};

static void dedup_article_release(struct fk_dedup_article *a)
{
    free(a->key);
    free(a->guid);
    free(a->url);
    free(a->link_key);
    free(a->title);
}

/* Read article id into a and its text into *text (to free). Returns 0, 1
 * when there is no such article, -1 with err filled. */
static int dedup_read_article(struct fk_store *store, sqlite3_stmt *st, int64_t id,
                              struct fk_dedup_article *a, char **text, struct fk_error *err)
{
    int ret = -1;
    if (bind_int64(st, 1, id)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        a->key = column_dup(st, 1);
        a->guid = column_dup(st, 2);
        a->url = column_dup(st, 3);
        a->link_key = column_dup(st, 4);
        a->title = column_dup(st, 5);
        a->published = column_time(st, 6);
        a->text_length = (size_t)sqlite3_column_int64(st, 7);
        *text = column_dup(st, 8);
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        ret = 1;
    } else {
        db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

/* What the rule says of article a (text atext) and candidate c (text
 * ctext), into c. */
static int dedup_compare(struct fk_store *store, sqlite3_stmt **stmts,
                         const struct fk_dedup_article *a, const char *atext,
                         struct fk_dedup_candidate *c, const char *ctext, struct fk_error *err)
{
    sqlite3_stmt *st = stmts[DEDUP_SHARED_FEED];
    struct fk_match *m = &c->match;
    int64_t feed_id = 0;
    char *feed_key = NULL, *site_key = NULL;
    int ret = -1;

    if (bind_int64(st, 1, a->id) || bind_int64(st, 2, c->article.id)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        feed_id = sqlite3_column_int64(st, 0);
        c->feed_url = column_dup(st, 1);
        feed_key = fk_store_link_key(column_str(st, 1));
        site_key = fk_store_link_key(column_str(st, 2));
    } else if (rc != SQLITE_DONE) {
        db_error(store, err);
        stmt_reset(st);
        goto out;
    }
    stmt_reset(st);
    m->same_feed = feed_id != 0;
    m->same_link =
        a->link_key && c->article.link_key && strcmp(a->link_key, c->article.link_key) == 0;
    if (m->same_link) {
        const char *key = a->link_key;
        c->shared_link = link_is_root(key) || (feed_key && strcmp(key, feed_key) == 0) ||
                         (site_key && strcmp(key, site_key) == 0);
    }
    if (m->same_feed && m->same_link) {
        st = stmts[DEDUP_OTHERS];
        if (bind_int64(st, 1, feed_id) || bind_text(st, 2, a->link_key) ||
            bind_int64(st, 3, a->id) || bind_int64(st, 4, c->article.id)) {
            stmt_reset(st);
            db_error(store, err);
            goto out;
        }
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            db_error(store, err);
            stmt_reset(st);
            goto out;
        }
        c->others = sqlite3_column_int64(st, 0);
        stmt_reset(st);
    }
    m->link_identifies = m->same_feed && m->same_link && !c->shared_link && c->others == 0;
    struct match_side sa = {a->title, atext, a->published};
    struct match_side sc = {c->article.title, ctext, c->article.published};
    match_compare(&sa, &sc, true, m);
    ret = 0;
out:
    free(feed_key);
    free(site_key);
    return ret;
}

int fk_store_dedup_explain(struct fk_store *store, int64_t id, int64_t other,
                           struct fk_dedup_explanation *out, struct fk_error *err)
{
    sqlite3_stmt *stmts[DEDUP_COUNT] = {0};
    char *text = NULL, *other_text = NULL;
    int64_t *ids = NULL;
    size_t nids = 0;
    int ret = -1;
    int rc;

    memset(out, 0, sizeof *out);
    for (int i = 0; i < DEDUP_COUNT; i++) {
        if (sqlite3_prepare_v2(store->db, dedup_sql[i], -1, &stmts[i], NULL) != SQLITE_OK) {
            db_error(store, err);
            goto out;
        }
    }
    if ((rc = dedup_read_article(store, stmts[DEDUP_ARTICLE], id, &out->article, &text, err)) !=
        0) {
        ret = rc;
        goto out;
    }

    sqlite3_stmt *st = stmts[DEDUP_ALIASES];
    size_t cap = 0;
    if (bind_int64(st, 1, id)) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->naliases == cap) {
            cap = cap ? 2 * cap : 4;
            out->aliases = fk_xrealloc(out->aliases, cap * sizeof *out->aliases);
        }
        struct fk_dedup_alias *alias = &out->aliases[out->naliases++];
        alias->key = column_dup(st, 0);
        alias->guid = column_dup(st, 1);
        alias->feed_url = column_dup(st, 2);
        alias->rule = column_dup(st, 3);
        alias->created = column_time(st, 4);
    }
    if (rc != SQLITE_DONE) {
        db_error(store, err);
        goto out;
    }

    if (other) {
        ids = fk_xmalloc(sizeof *ids);
        ids[nids++] = other;
    } else if (out->article.link_key) {
        st = stmts[DEDUP_CANDIDATES];
        ids = fk_xmalloc((FK_DEDUP_MAX_CANDIDATES + 1) * sizeof *ids);
        if (bind_int64(st, 1, id) || bind_text(st, 2, out->article.link_key) ||
            bind_int64(st, 3, FK_DEDUP_MAX_CANDIDATES + 1)) {
            db_error(store, err);
            goto out;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ids[nids++] = sqlite3_column_int64(st, 0);
        if (rc != SQLITE_DONE) {
            db_error(store, err);
            goto out;
        }
        if (nids > FK_DEDUP_MAX_CANDIDATES) {
            nids = FK_DEDUP_MAX_CANDIDATES;
            out->more = true;
        }
    }
    if (nids)
        out->candidates = fk_xcalloc(nids, sizeof *out->candidates);
    for (size_t i = 0; i < nids; i++) {
        struct fk_dedup_candidate *c = &out->candidates[out->ncandidates];
        rc = dedup_read_article(store, stmts[DEDUP_ARTICLE], ids[i], &c->article, &other_text, err);
        if (rc != 0) {
            ret = rc;
            goto out;
        }
        out->ncandidates++;
        rc = dedup_compare(store, stmts, &out->article, text, c, other_text, err);
        free(other_text);
        other_text = NULL;
        if (rc < 0)
            goto out;
    }
    ret = 0;
out:
    for (int i = 0; i < DEDUP_COUNT; i++)
        sqlite3_finalize(stmts[i]);
    free(text);
    free(other_text);
    free(ids);
    if (ret != 0)
        fk_dedup_explain_release(out);
    return ret;
}

void fk_dedup_explain_release(struct fk_dedup_explanation *out)
{
    dedup_article_release(&out->article);
    for (size_t i = 0; i < out->naliases; i++) {
        free(out->aliases[i].key);
        free(out->aliases[i].guid);
        free(out->aliases[i].feed_url);
        free(out->aliases[i].rule);
    }
    free(out->aliases);
    for (size_t i = 0; i < out->ncandidates; i++) {
        dedup_article_release(&out->candidates[i].article);
        free(out->candidates[i].feed_url);
    }
    free(out->candidates);
    memset(out, 0, sizeof *out);
}

/* ---- maintenance ---------------------------------------------------------------- */

/* The checks of fk_store_check that SQLite makes: SQL returning one row per
 * problem found (integrity_check returns "ok" when there is none). */
static const struct {
    const char *name;
    const char *sql;
} checks[] = {
    {"integrity", "SELECT integrity_check FROM pragma_integrity_check"
                  " WHERE integrity_check <> 'ok'"},
    {"foreign keys", "SELECT format('%s row %d refers to a missing %s row', \"table\", rowid,"
                     " parent) FROM pragma_foreign_key_check"},
};

/* Checking the full-text index by reading.
 *
 * FTS5 compares an external-content index with its content when asked
 *   INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)
 * but that is a write: it needs the archive's write lock, so it waited for
 * any writer and, after the busy timeout, reported a sound index as not
 * agreeing with the articles; and while it ran (minutes, on a large
 * archive) a fetch could not write. check makes the same comparison by
 * reading, in the one read transaction of all its checks (a snapshot,
 * which a writer does not disturb in WAL mode):
 *
 * - what the index holds: every (article, column, position, token), as an
 *   fts5vocab table lists them (made in the connection's temp schema,
 *   which is not the archive);
 * - what it should hold: the same from the articles, split by the index's
 *   own tokenizer (FTS5 hands it and each row's text to an auxiliary
 *   function) and numbered as FTS5 numbers positions.
 *
 * Each side is summed up as a count and a sum of hashes of its entries, in
 * any order. Each row's token counts are also compared with the sizes the
 * index keeps per article (its docsize table), which ranking uses. */

/* The index's columns, in order (the schema's articles_fts). */
static const char *const fts_columns[] = {"title", "text", "tags"};
/* FTS5 indexes at most this many bytes of a token (its
 * FTS5_MAX_TOKEN_SIZE); the rest of a longer one is not in the index. */
#define FTS_TOKEN_MAX 32768
#define FTS_FUNCTION  "feedkeep_check_tokens"

static void fts_tally_add(struct fts_tally *tally, int64_t rowid, int column, int position,
                          const char *token, size_t len)
{
    char head[16];
    uint64_t row = (uint64_t)rowid;
    for (int i = 0; i < 8; i++)
        head[i] = (char)(row >> (8 * i));
    for (int i = 0; i < 4; i++) {
        head[8 + i] = (char)((uint32_t)column >> (8 * i));
        head[12 + i] = (char)((uint32_t)position >> (8 * i));
    }
    tally->entries++;
    tally->sum += fnv_add(fnv_add(FNV_OFFSET_BASIS, head, sizeof head), token, len);
}

/* The tokens of one column of one row, as FTS5 would index them. */
struct fts_row {
    struct fts_tally *tally;
    int64_t rowid;
    int column;
    int positions; /* positions used so far */
};

static int on_fts_token(void *ctx, int flags, const char *token, int len, int start, int end)
{
    struct fts_row *row = ctx;
    (void)start;
    (void)end;
    /* A token colocated with the one before (a synonym) shares its
     * position, as in FTS5's own indexing. */
    if (!(flags & FTS5_TOKEN_COLOCATED) || row->positions == 0)
        row->positions++;
    size_t n = len <= 0 ? 0 : len > FTS_TOKEN_MAX ? FTS_TOKEN_MAX : (size_t)len;
    fts_tally_add(row->tally, row->rowid, row->column, row->positions - 1, token, n);
    return SQLITE_OK;
}

/* The auxiliary function, called as FTS_FUNCTION(articles_fts, rowid) for
 * each article: adds the row's tokens and its column sizes to the store's
 * expected tallies. (The rowid is an argument: in a scan without MATCH,
 * FTS5's xRowid and xColumnSize cannot be used.) */
static void fts_expected_row(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                             int nargs, sqlite3_value **args)
{
    struct fk_store *store = api->xUserData(fts);
    if (nargs != 1) {
        sqlite3_result_error(ctx, FTS_FUNCTION ": wrong number of arguments", -1);
        return;
    }
    struct fts_row row = {&store->fts_expected, sqlite3_value_int64(args[0]), 0, 0};
    for (int i = 0; i < api->xColumnCount(fts); i++) {
        const char *text = NULL;
        int len = 0;
        row.column = i;
        row.positions = 0;
        int rc = api->xColumnText(fts, i, &text, &len);
        if (rc == SQLITE_OK)
            rc = api->xTokenize(fts, text, len, &row, on_fts_token);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
        fts_tally_add(&store->fts_expected_sizes, row.rowid, i, row.positions, "", 0);
    }
    sqlite3_result_null(ctx);
}

/* One of the column sizes FTS5 keeps, SQLite varints one after the other.
 * Returns the bytes read, 0 when p does not start with one. */
static size_t read_varint(const unsigned char *p, size_t len, uint64_t *value)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 9; i++) {
        if (i == 8) {
            *value = (v << 8) | p[i];
            return 9;
        }
        v = (v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

/* Make FTS_FUNCTION known to this handle's FTS5, once. */
static int fts_register(struct fk_store *store, struct fk_error *err)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;

    if (store->fts_function_ready)
        return 0;
    /* FTS5 hands out its API through a pointer bound to this function. */
    if (sqlite3_prepare_v2(store->db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return db_error(store, err);
    if (sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        db_error(store, err);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return fk_error_set(err, FK_ERROR_DB, "archive '%s': this SQLite's FTS5 is too old",
                            store->path);
    if (api->xCreateFunction(api, FTS_FUNCTION, store, fts_expected_row, NULL) != SQLITE_OK)
        return db_error(store, err);
    store->fts_function_ready = true;
    return 0;
}

static bool is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY;
}

/* Compare the index with the articles (inside the caller's read
 * transaction). Returns 0 with *problem NULL when they agree or set to a
 * description the caller frees, -1 with err filled when the comparison
 * could not be made. */
static int fts_compare(struct fk_store *store, char **problem, struct fk_error *err)
{
    struct fts_tally held = {0, 0}, held_sizes = {0, 0};
    int64_t unknown_columns = 0;
    sqlite3_stmt *st = NULL;
    int rc, ret = -1;

    *problem = NULL;
    store->fts_expected = (struct fts_tally){0, 0};
    store->fts_expected_sizes = (struct fts_tally){0, 0};
    if (sqlite3_prepare_v2(store->db, "SELECT doc, col, offset, term FROM temp.feedkeep_fts_index",
                           -1, &st, NULL) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *column = column_str(st, 1);
        int index = -1;
        for (int i = 0; i < (int)(sizeof fts_columns / sizeof fts_columns[0]); i++)
            if (column && strcmp(column, fts_columns[i]) == 0)
                index = i;
        if (index < 0) {
            unknown_columns++;
            continue;
        }
        const char *term = (const char *)sqlite3_column_blob(st, 3);
        fts_tally_add(&held, sqlite3_column_int64(st, 0), index, sqlite3_column_int(st, 2),
                      term ? term : "", (size_t)sqlite3_column_bytes(st, 3));
    }
    if (rc != SQLITE_DONE)
        goto step_failed;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(store->db,
                           "SELECT " FTS_FUNCTION "(articles_fts, rowid) FROM articles_fts", -1,
                           &st, NULL) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        goto step_failed;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(store->db, "SELECT id, sz FROM articles_fts_docsize", -1, &st, NULL) !=
        SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        for (int i = 0; i < (int)(sizeof fts_columns / sizeof fts_columns[0]); i++) {
            uint64_t size = 0;
            size_t used = p ? read_varint(p, len, &size) : 0;
            if (!used) {
                unknown_columns++; /* cannot be what FTS5 wrote */
                break;
            }
            p += used;
            len -= used;
            fts_tally_add(&held_sizes, sqlite3_column_int64(st, 0), i, (int)size, "", 0);
        }
    }
    if (rc != SQLITE_DONE)
        goto step_failed;
    if (held.entries != store->fts_expected.entries || held.sum != store->fts_expected.sum ||
        unknown_columns || held_sizes.entries != store->fts_expected_sizes.entries ||
        held_sizes.sum != store->fts_expected_sizes.sum) {
        struct fk_buf what = FK_BUF_INIT;
        fk_buf_adds(&what, "it does not agree with the articles (");
        if (held.entries != store->fts_expected.entries)
            fk_buf_printf(&what, "it holds %lld tokens where the articles have %lld",
                          (long long)held.entries, (long long)store->fts_expected.entries);
        else if (held.sum != store->fts_expected.sum || unknown_columns)
            fk_buf_adds(&what, "it holds other tokens than the articles have");
        else
            fk_buf_adds(&what, "the sizes it keeps of the articles are wrong");
        fk_buf_adds(&what, "); 'feedkeep vacuum' rebuilds it");
        *problem = fk_buf_detach(&what);
    }
    ret = 0;
    goto out;
step_failed:
    /* A damaged index is a finding; a busy archive or another failure is
     * not. */
    if ((rc & 0xff) == SQLITE_CORRUPT) {
        struct fk_buf what = FK_BUF_INIT;
        fk_buf_printf(&what, "it is damaged (%s); 'feedkeep vacuum' rebuilds it",
                      sqlite3_errmsg(store->db));
        *problem = fk_buf_detach(&what);
        ret = 0;
    } else {
        db_error(store, err);
    }
out:
    sqlite3_finalize(st);
    return ret;
}

int fk_store_check(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    sqlite3_stmt *st = NULL;
    char *problem = NULL;
    bool reading = false;
    int problems = 0;
    int rc;

    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (fts_register(store, err) < 0 ||
        exec_sql(store,
                 "CREATE VIRTUAL TABLE IF NOT EXISTS temp.feedkeep_fts_index"
                 " USING fts5vocab(main, articles_fts, instance)",
                 err) < 0)
        goto fail;
    /* One snapshot for every check: a fetch may go on writing meanwhile. */
    if (exec_sql(store, "BEGIN", err) < 0)
        goto fail;
    reading = true;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (sqlite3_prepare_v2(store->db, checks[i].sql, -1, &st, NULL) != SQLITE_OK) {
            db_error(store, err);
            goto fail;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            problems++;
            fn(checks[i].name, column_str(st, 0) ? column_str(st, 0) : "?", ctx);
        }
        /* A damaged file can make the check itself fail: that is a
         * finding too. A busy archive is not. */
        if (rc != SQLITE_DONE) {
            if (is_busy(rc)) {
                db_error(store, err);
                goto fail;
            }
            problems++;
            fn(checks[i].name, sqlite3_errmsg(store->db), ctx);
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (fts_compare(store, &problem, err) < 0)
        goto fail;
    if (problem) {
        problems++;
        fn("full-text index", problem, ctx);
        free(problem);
    }
    if (exec_sql(store, "COMMIT", err) < 0)
        goto fail;
    return problems;
fail:
    sqlite3_finalize(st);
    if (reading && !sqlite3_get_autocommit(store->db))
        (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err says why */
    return -1;
}

int fk_store_vacuum(struct fk_store *store, struct fk_error *err)
{
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    /* Rebuild the full-text index from the articles first (one segment,
     * and right again if someone edited articles by hand): VACUUM then
     * compacts what that frees too. The last checkpoint copies everything
     * into the file and empties the log. */
    return exec_sql(store,
                    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild'); VACUUM;"
                    " PRAGMA wal_checkpoint(TRUNCATE);",
                    err);
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

/* --- subscriptions and fetch log --- */

/* Statements of the subscription functions. They are prepared on first
 * use, so commands that never touch subscriptions (import, list) do not pay
 * for them, and then kept for the life of the handle like the others. */
enum sub_stmt_id {
    SUB_FIND_URL,
    SUB_FIND_ID,
    SUB_LIST,
    SUB_INSERT,
    SUB_RESUBSCRIBE,
    SUB_UNSUBSCRIBE,
    SUB_FAILURES,
    SUB_SUCCESS,
    SUB_FAILURE,
    SUB_LOG,
    SUB_PRUNE,
    SUB_MOVE,
    SUB_REKEY,
    SUB_REKEY_ALIASES,
    SUB_FIND_NAME,
    SUB_TAG_FEED,
    SUB_RUN_LOG,
    SUB_RUN_PRUNE,
    SUB_RUN_LAST,
    SUB_COUNT
};

/* The columns read_feed reads, feeds being f. */
#define FEED_COLUMNS                                                                               \
    "f.id, f.url, f.name, f.title, f.site_url, f.etag, f.last_modified, f.final_url,"              \
    " f.moved_to, f.last_error, f.last_fetch, f.last_status, f.failures, f.next_fetch,"            \
    " f.subscribed, (SELECT count(*) FROM article_feeds af WHERE af.feed_id = f.id),"              \
    " (SELECT l.time FROM fetches l WHERE l.feed_id = f.id AND l.error IS NULL"                    \
    " AND l.status <> 304 ORDER BY l.time DESC LIMIT 1),"                                          \
    " (SELECT group_concat(name, char(10)) FROM (SELECT name FROM feed_tags"                       \
    " WHERE feed_id = f.id ORDER BY name))"

/* The text columns of FEED_COLUMNS: 1 to FEED_STRINGS, and the tags. */
#define FEED_STRINGS 9
#define FEED_TAGS    17

static const char *const sub_stmt_sql[SUB_COUNT] = {
    [SUB_FIND_URL] = "SELECT " FEED_COLUMNS " FROM feeds f WHERE f.url = ?1",
    [SUB_FIND_ID] = "SELECT " FEED_COLUMNS " FROM feeds f WHERE f.id = ?1",
    /* ?1: unsubscribed feeds too; ?2: due ones only, at time ?3. */
    [SUB_LIST] = "SELECT " FEED_COLUMNS " FROM feeds f WHERE (?1 OR f.subscribed)"
                 " AND (NOT ?2 OR f.next_fetch IS NULL OR f.next_fetch <= ?3) ORDER BY f.id",
    [SUB_INSERT] = "INSERT INTO feeds(url, name, subscribed, created) VALUES (?1, ?2, 1, ?3)",
    /* ?3: the new name replaces one the feed has. */
    [SUB_RESUBSCRIBE] = "UPDATE feeds SET subscribed = 1, name = CASE"
                        " WHEN ?2 IS NOT NULL AND (?3 OR name IS NULL) THEN ?2 ELSE name END"
                        " WHERE id = ?1",
    [SUB_UNSUBSCRIBE] = "UPDATE feeds SET subscribed = 0, etag = NULL, last_modified = NULL,"
                        " failures = 0, next_fetch = NULL WHERE id = ?1 AND subscribed",
    [SUB_FAILURES] = "SELECT failures FROM feeds WHERE id = ?1",
    /* A 304 may leave out a validator that did not change. */
    [SUB_SUCCESS] = "UPDATE feeds SET last_fetch = ?2, last_status = nullif(?3, 0), failures = 0,"
                    " next_fetch = NULL, last_error = NULL,"
                    " etag = CASE WHEN ?3 = 304 THEN coalesce(?4, etag) ELSE ?4 END,"
                    " last_modified = CASE WHEN ?3 = 304 THEN coalesce(?5, last_modified)"
                    " ELSE ?5 END, final_url = ?6, moved_to = ?7 WHERE id = ?1",
    [SUB_FAILURE] = "UPDATE feeds SET last_fetch = ?2, last_status = nullif(?3, 0),"
                    " failures = ?4, next_fetch = ?5, last_error = ?6 WHERE id = ?1",
    [SUB_LOG] = "INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,"
                " updated_count, error) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7, ?8)",
    /* ?2 is the number kept minus one: the offset of the oldest kept. */
    [SUB_PRUNE] = "DELETE FROM fetches WHERE feed_id = ?1 AND id < (SELECT id FROM fetches"
                  " WHERE feed_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    [SUB_MOVE] = "UPDATE feeds SET url = ?2, moved_to = NULL WHERE id = ?1",
    /* Keys after ?1 and before ?2 are those starting with the prefix ?1
     * (?2 is ?1 with its last character incremented); ?3 replaces it. A key
     * already taken keeps the old one rather than failing the move. */
    [SUB_REKEY] = "UPDATE OR IGNORE articles SET key = ?3 || substr(key, length(?1) + 1)"
                  " WHERE key > ?1 AND key < ?2",
    [SUB_REKEY_ALIASES] =
        "UPDATE OR IGNORE article_aliases SET key = ?3 || substr(key, length(?1) + 1)"
        " WHERE key > ?1 AND key < ?2",
    /* A name given by the user first, then the feed's own title; then the
     * subscribed one, then the oldest. */
    [SUB_FIND_NAME] = "SELECT " FEED_COLUMNS " FROM feeds f"
                      " WHERE f.name = ?1 COLLATE NOCASE OR f.title = ?1 COLLATE NOCASE"
                      " ORDER BY coalesce(f.name = ?1 COLLATE NOCASE, 0) DESC,"
                      " f.subscribed DESC, f.id LIMIT 1",
    [SUB_TAG_FEED] = "INSERT INTO feed_tags(feed_id, name) VALUES (?1, trim(?2))"
                     " ON CONFLICT DO NOTHING",
    [SUB_RUN_LOG] = "INSERT INTO fetch_runs(started, finished, feeds, failed, new_count,"
                    " updated_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SUB_RUN_PRUNE] = "DELETE FROM fetch_runs WHERE id < (SELECT id FROM fetch_runs"
                      " ORDER BY id DESC LIMIT 1 OFFSET ?1)",
    [SUB_RUN_LAST] = "SELECT started FROM fetch_runs ORDER BY id DESC LIMIT 1",
};

static void sub_stmts_free(struct fk_store *store)
{
    if (!store->sub_stmts)
        return;
    for (int i = 0; i < SUB_COUNT; i++)
        sqlite3_finalize(store->sub_stmts[i]);
    free(store->sub_stmts);
    store->sub_stmts = NULL;
}

/* Statement id, prepared when first asked for; NULL with err filled. */
static sqlite3_stmt *sub_stmt(struct fk_store *store, enum sub_stmt_id id, struct fk_error *err)
{
    if (!store->sub_stmts)
        store->sub_stmts = fk_xcalloc(SUB_COUNT, sizeof *store->sub_stmts);
    if (!store->sub_stmts[id] &&
        sqlite3_prepare_v3(store->db, sub_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &store->sub_stmts[id], NULL) != SQLITE_OK) {
        db_error(store, err);
        return NULL;
    }
    return store->sub_stmts[id];
}

/* Step st, which returns no rows, and reset it. Returns 0, or -1 with err
 * filled. */
static int step_done(struct fk_store *store, sqlite3_stmt *st, struct fk_error *err)
{
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_error(store, err);
    stmt_reset(st);
    return ret;
}

/* Fill sub from a row of FEED_COLUMNS. With copies (FEED_STRINGS slots)
 * the strings are copied there; without, they point into st. */
static void read_feed(sqlite3_stmt *st, struct fk_subscription *sub, char **copies)
{
    const char **strings[FEED_STRINGS] = {
        &sub->url,           &sub->name,      &sub->title,    &sub->site_url,   &sub->etag,
        &sub->last_modified, &sub->final_url, &sub->moved_to, &sub->last_error,
    };
    memset(sub, 0, sizeof *sub);
    sub->id = sqlite3_column_int64(st, 0);
    for (int i = 0; i < FEED_STRINGS; i++) {
        if (copies)
            *strings[i] = copies[i] = column_dup(st, i + 1);
        else
            *strings[i] = column_str(st, i + 1);
    }
    sub->last_fetch = column_time(st, 10);
    sub->last_status = sqlite3_column_int(st, 11);
    sub->failures = sqlite3_column_int(st, 12);
    sub->next_fetch = column_time(st, 13);
    sub->subscribed = sqlite3_column_int(st, 14) != 0;
    sub->articles = sqlite3_column_int64(st, 15);
    sub->last_body_fetch = column_time(st, 16);
    if (copies)
        sub->tags_text = copies[FEED_STRINGS] = column_dup(st, FEED_TAGS);
    else
        sub->tags_text = column_str(st, FEED_TAGS);
}

const char *fk_store_path(const struct fk_store *store)
{
    return store->path;
}

int64_t fk_store_current_feed(const struct fk_store *store)
{
    return store->in_feed ? store->feed_id : 0;
}

long fk_store_feed_matches(const struct fk_store *store, int64_t *first_id)
{
    if (first_id)
        *first_id = store->in_feed ? store->first_matched_id : 0;
    return store->in_feed ? store->matched : 0;
}

int64_t fk_store_backoff_delay(int failures)
{
    int64_t delay = FK_BACKOFF_FIRST;
    for (int i = 1; i < failures && delay < FK_BACKOFF_MAX; i++)
        delay *= 2;
    return delay < FK_BACKOFF_MAX ? delay : FK_BACKOFF_MAX;
}

/* The subscription functions other than fk_store_log_fetch write outside
 * the filing of a feed only. */
static int not_in_feed(const struct fk_store *store, struct fk_error *err)
{
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    return 0;
}

/* Look feed url (or id, when url is NULL) up with st left on its row.
 * Returns 1 on a row (the caller resets st), 0 when there is none, -1 with
 * err filled; st is reset in the last two cases. */
static int find_feed_row(struct fk_store *store, const char *url, int64_t id, sqlite3_stmt **out,
                         struct fk_error *err)
{
    sqlite3_stmt *st = sub_stmt(store, url ? SUB_FIND_URL : SUB_FIND_ID, err);
    *out = st;
    if (!st)
        return -1;
    if (url ? bind_text(st, 1, url) : bind_int64(st, 1, id)) {
        db_error(store, err);
        stmt_reset(st);
        return -1;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    stmt_reset(st);
    return rc == SQLITE_DONE ? 0 : db_error(store, err);
}

int fk_store_subscribe(struct fk_store *store, const char *url, const char *name, bool rename,
                       int64_t *id, struct fk_error *err)
{
    sqlite3_stmt *st;
    int64_t feed_id = 0;
    bool was_subscribed = false;
    int ret = -1;

    if (not_in_feed(store, err) < 0)
        return -1;
    if (!url || !*url)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed URL");
    if (run(store, ST_BEGIN, err) < 0)
        return -1;
    int found = find_feed_row(store, url, 0, &st, err);
    if (found < 0)
        goto out;
    if (found) {
        feed_id = sqlite3_column_int64(st, 0);
        was_subscribed = sqlite3_column_int(st, 14) != 0;
        stmt_reset(st);
        if (!(st = sub_stmt(store, SUB_RESUBSCRIBE, err)))
            goto out;
        if (bind_int64(st, 1, feed_id) || bind_text(st, 2, name) || bind_int64(st, 3, rename)) {
            db_error(store, err);
            stmt_reset(st);
            goto out;
        }
    } else {
        if (!(st = sub_stmt(store, SUB_INSERT, err)))
            goto out;
        if (bind_text(st, 1, url) || bind_text(st, 2, name) || bind_int64(st, 3, time(NULL))) {
            db_error(store, err);
            stmt_reset(st);
            goto out;
        }
    }
    if (step_done(store, st, err) < 0)
        goto out;
    if (!found)
        feed_id = sqlite3_last_insert_rowid(store->db);
    if (run(store, ST_COMMIT, err) < 0)
        goto out;
    if (id)
        *id = feed_id;
    ret = was_subscribed ? 0 : 1;
out:
    if (ret < 0 && !sqlite3_get_autocommit(store->db))
        (void)run(store, ST_ROLLBACK, NULL); /* err already says why */
    return ret;
}

int fk_store_unsubscribe(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (not_in_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = sub_stmt(store, SUB_UNSUBSCRIBE, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, id)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    if (step_done(store, st, err) < 0)
        return -1;
    return sqlite3_changes(store->db) ? 0 : 1;
}

int fk_store_find_feed(struct fk_store *store, const char *url, int64_t id,
                       struct fk_subscription *out, struct fk_error *err)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int found = find_feed_row(store, url, id, &st, err);
    if (found <= 0)
        return found < 0 ? -1 : 1;
    char **copies = fk_xcalloc(FEED_STRINGS + 1, sizeof *copies);
    read_feed(st, out, copies);
    out->priv = copies;
    stmt_reset(st);
    return 0;
}

int fk_store_find_feed_named(struct fk_store *store, const char *name, struct fk_subscription *out,
                             struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = sub_stmt(store, SUB_FIND_NAME, err);
    if (!st)
        return -1;
    if (bind_text(st, 1, name)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        stmt_reset(st);
        return rc == SQLITE_DONE ? 1 : db_error(store, err);
    }
    char **copies = fk_xcalloc(FEED_STRINGS + 1, sizeof *copies);
    read_feed(st, out, copies);
    out->priv = copies;
    stmt_reset(st);
    return 0;
}

void fk_subscription_release(struct fk_subscription *sub)
{
    char **copies = sub->priv;
    if (copies) {
        for (int i = 0; i <= FEED_STRINGS; i++)
            free(copies[i]);
        free(copies);
    }
    memset(sub, 0, sizeof *sub);
}

int fk_store_list_feeds(struct fk_store *store, enum fk_feed_set set, int64_t now,
                        fk_subscription_fn fn, void *ctx, struct fk_error *err)
{
    sqlite3_stmt *st = sub_stmt(store, SUB_LIST, err);
    int ret = -1;
    int rc;

    if (!st)
        return -1;
    if (bind_int64(st, 1, set == FK_FEEDS_ALL) || bind_int64(st, 2, set == FK_FEEDS_DUE) ||
        bind_int64(st, 3, now)) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_subscription sub;
        read_feed(st, &sub, NULL);
        int stop = fn(&sub, ctx);
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
    stmt_reset(st);
    return ret;
}

/* When a failed feed is fetched next: after its backoff, or after the
 * server's Retry-After (bounded) when that is later. */
static int64_t next_after_failure(const struct fk_fetch_attempt *a, int failures)
{
    int64_t next = a->time + fk_store_backoff_delay(failures);
    if (a->retry_after != FK_TIME_NONE) {
        int64_t retry = a->retry_after;
        if (retry > a->time + FK_RETRY_AFTER_MAX)
            retry = a->time + FK_RETRY_AFTER_MAX;
        if (retry > next)
            next = retry;
    }
    return next;
}

/* The feed's row after an attempt, into *schedule. */
static int update_feed_state(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *a,
                             struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    sqlite3_stmt *st;
    int rc;

    schedule->failures = 0;
    schedule->next_fetch = FK_TIME_NONE;
    if (!a->error) {
        if (!(st = sub_stmt(store, SUB_SUCCESS, err)))
            return -1;
        rc = bind_int64(st, 1, id) || bind_int64(st, 2, a->time) || bind_int64(st, 3, a->status) ||
             bind_text(st, 4, a->etag) || bind_text(st, 5, a->last_modified) ||
             bind_text(st, 6, a->final_url) || bind_text(st, 7, a->moved_to);
    } else {
        int64_t failures = 0;
        if (!(st = sub_stmt(store, SUB_FAILURES, err)))
            return -1;
        if (bind_int64(st, 1, id)) {
            stmt_reset(st);
            return db_error(store, err);
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            failures = sqlite3_column_int64(st, 0);
        stmt_reset(st);
        if (rc == SQLITE_DONE)
            return fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
        if (rc != SQLITE_ROW)
            return db_error(store, err);
        /* The count only grows by one a fetch; the bound keeps a hand-edited
         * value from overflowing. */
        schedule->failures = failures < 0 ? 1 : failures >= 1000000 ? 1000000 : (int)failures + 1;
        schedule->next_fetch = next_after_failure(a, schedule->failures);
        if (!(st = sub_stmt(store, SUB_FAILURE, err)))
            return -1;
        rc = bind_int64(st, 1, id) || bind_int64(st, 2, a->time) || bind_int64(st, 3, a->status) ||
             bind_int64(st, 4, schedule->failures) || bind_int64(st, 5, schedule->next_fetch) ||
             bind_text(st, 6, a->error);
    }
    if (rc) {
        stmt_reset(st);
        return db_error(store, err);
    }
    if (step_done(store, st, err) < 0)
        return -1;
    if (sqlite3_changes(store->db) != 1)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
    return 0;
}

/* Append the attempt to the fetch log and drop the feed's oldest rows. */
static int append_log(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *a,
                      struct fk_error *err)
{
    sqlite3_stmt *st = sub_stmt(store, SUB_LOG, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, id) || bind_int64(st, 2, a->time) || bind_int64(st, 3, a->status) ||
        bind_int64(st, 4, a->bytes) || bind_int64(st, 5, a->duration_ms) ||
        bind_int64(st, 6, a->new_count) || bind_int64(st, 7, a->updated_count) ||
        bind_text(st, 8, a->error)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    if (step_done(store, st, err) < 0)
        return -1;
    if (!(st = sub_stmt(store, SUB_PRUNE, err)))
        return -1;
    if (bind_int64(st, 1, id) || bind_int64(st, 2, FK_FETCH_LOG_KEEP - 1)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    return step_done(store, st, err);
}

int fk_store_log_fetch(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *attempt,
                       struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    struct fk_fetch_schedule result;
    bool own_transaction = !store->in_feed;
    int ret = -1;

    if (own_transaction) {
        if (run(store, ST_BEGIN, err) < 0)
            return -1;
    } else {
        if (id != store->feed_id)
            return fk_error_set(err, FK_ERROR_USAGE, "another feed is being filed");
        if (check_feed(store, err) < 0)
            return -1;
    }
    if (update_feed_state(store, id, attempt, &result, err) < 0 ||
        append_log(store, id, attempt, err) < 0)
        goto out;
    if (own_transaction && run(store, ST_COMMIT, err) < 0)
        goto out;
    if (schedule)
        *schedule = result;
    ret = 0;
out:
    if (ret < 0) {
        if (!own_transaction)
            store->feed_failed = true;
        else if (!sqlite3_get_autocommit(store->db))
            (void)run(store, ST_ROLLBACK, NULL); /* err already says why */
    }
    return ret;
}

/* Carry the article keys scoped by feed URL old_url over to new_url (see
 * fk_store_identity): "feed:URL guid:..." and "hash:URL ...", of articles
 * (statement SUB_REKEY) or of aliases (SUB_REKEY_ALIASES). */
static int rekey(struct fk_store *store, enum sub_stmt_id id, const char *old_url,
                 const char *new_url, struct fk_error *err)
{
    static const char *const prefixes[][2] = {{"feed:", " guid:"}, {"hash:", " "}};
    sqlite3_stmt *st = sub_stmt(store, id, err);
    int ret = 0;

    if (!st)
        return -1;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && ret == 0; i++) {
        struct fk_buf from, to, bound;
        fk_buf_init(&from, SIZE_MAX);
        fk_buf_init(&to, SIZE_MAX);
        fk_buf_init(&bound, SIZE_MAX);
        fk_buf_printf(&from, "%s%s%s", prefixes[i][0], old_url, prefixes[i][1]);
        fk_buf_printf(&to, "%s%s%s", prefixes[i][0], new_url, prefixes[i][1]);
        /* Both separators end in an ASCII character below '~'. */
        fk_buf_add(&bound, from.data, from.len);
        bound.data[bound.len - 1]++;
        if (bind_text(st, 1, from.data) || bind_text(st, 2, bound.data) ||
            bind_text(st, 3, to.data)) {
            stmt_reset(st);
            ret = db_error(store, err);
        } else {
            ret = step_done(store, st, err);
        }
        fk_buf_release(&from);
        fk_buf_release(&to);
        fk_buf_release(&bound);
    }
    return ret;
}

int fk_store_move_feed(struct fk_store *store, int64_t id, const char *new_url,
                       struct fk_error *err)
{
    sqlite3_stmt *st;
    char *old_url = NULL;
    int ret = -1;

    if (not_in_feed(store, err) < 0)
        return -1;
    if (!new_url || !*new_url)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed URL");
    if (run(store, ST_BEGIN, err) < 0)
        return -1;
    int found = find_feed_row(store, new_url, 0, &st, err);
    if (found < 0)
        goto out;
    if (found) {
        bool same = sqlite3_column_int64(st, 0) == id;
        stmt_reset(st);
        ret = same ? 0 : 1;
        goto out;
    }
    found = find_feed_row(store, NULL, id, &st, err);
    if (found < 0)
        goto out;
    if (!found) {
        fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
        goto out;
    }
    old_url = column_dup(st, 1);
    stmt_reset(st);
    if (!(st = sub_stmt(store, SUB_MOVE, err)))
        goto out;
    if (bind_int64(st, 1, id) || bind_text(st, 2, new_url)) {
        stmt_reset(st);
        db_error(store, err);
        goto out;
    }
    if (step_done(store, st, err) < 0 || rekey(store, SUB_REKEY, old_url, new_url, err) < 0 ||
        rekey(store, SUB_REKEY_ALIASES, old_url, new_url, err) < 0 ||
        run(store, ST_COMMIT, err) < 0)
        goto out;
    ret = 0;
out:
    /* Also ends the read-only transaction of the "nothing to do" cases. */
    if (!sqlite3_get_autocommit(store->db))
        (void)run(store, ST_ROLLBACK, NULL);
    free(old_url);
    return ret;
}

/* --- export records --- */

int fk_store_get_mark(struct fk_store *store, struct fk_store_mark *mark, struct fk_error *err)
{
    /* One statement: one snapshot of both tables. */
    sqlite3_stmt *st = NULL;
    int ret = -1;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT (SELECT coalesce(max(id), 0) FROM articles),"
                           " (SELECT coalesce(max(id), 0) FROM article_versions)",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    mark->article_id = sqlite3_column_int64(st, 0);
    mark->version_id = sqlite3_column_int64(st, 1);
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

int fk_store_find_export_dir(struct fk_store *store, const char *path, int64_t *dir_id,
                             struct fk_store_mark *mark, struct fk_error *err)
{
    sqlite3_stmt *st = NULL;
    int ret = -1;
    *dir_id = 0;
    mark->article_id = mark->version_id = 0;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT id, coalesce(last_article, 0), coalesce(last_version, 0)"
                           " FROM export_dirs WHERE path = ?1",
                           -1, &st, NULL) != SQLITE_OK ||
        bind_text(st, 1, path) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *dir_id = sqlite3_column_int64(st, 0);
        mark->article_id = sqlite3_column_int64(st, 1);
        mark->version_id = sqlite3_column_int64(st, 2);
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        ret = 1;
    } else {
        db_error(store, err);
    }
out:
    sqlite3_finalize(st);
    return ret;
}

int fk_store_list_export_files(struct fk_store *store, int64_t dir_id, fk_export_file_fn fn,
                               void *ctx, struct fk_error *err)
{
    sqlite3_stmt *st = NULL;
    int ret = -1, rc;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT article_id, name, path, hash FROM export_files"
                           " WHERE dir_id = ?1 ORDER BY article_id",
                           -1, &st, NULL) != SQLITE_OK ||
        bind_int64(st, 1, dir_id) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_export_file file = {
            sqlite3_column_int64(st, 0),
            column_str(st, 1),
            column_str(st, 2),
            (uint64_t)sqlite3_column_int64(st, 3),
        };
        if (!file.name || !file.path)
            continue;
        int stop = fn(&file, ctx);
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
    return ret;
}

int fk_store_record_export(struct fk_store *store, const char *path, int64_t started,
                           const struct fk_store_mark *mark, const struct fk_export_file *files,
                           size_t nfiles, const int64_t *forget, size_t nforget,
                           struct fk_error *err)
{
    static const char *const sql[] = {
        "INSERT INTO export_dirs(path, last_export, last_article, last_version)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(path) DO UPDATE SET"
        " last_export = excluded.last_export, last_article = excluded.last_article,"
        " last_version = excluded.last_version RETURNING id",
        "DELETE FROM export_files WHERE dir_id = ?1 AND article_id = ?2",
        "INSERT INTO export_files(dir_id, article_id, name, path, hash, written)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(dir_id, article_id) DO UPDATE SET"
        " name = excluded.name, path = excluded.path, hash = excluded.hash,"
        " written = excluded.written",
    };
    enum { DIR_UPSERT, FILE_FORGET, FILE_PUT, NSQL };
    sqlite3_stmt *st[NSQL] = {NULL};
    bool in_transaction = false;
    int ret = -1;
    int64_t dir_id = 0, now = time(NULL);

    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    for (int i = 0; i < NSQL; i++) {
        if (sqlite3_prepare_v2(store->db, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
            db_error(store, err);
            goto out;
        }
    }
    if (exec_sql(store, "BEGIN IMMEDIATE", err) < 0)
        goto out;
    in_transaction = true;
    if (bind_text(st[DIR_UPSERT], 1, path) || bind_int64(st[DIR_UPSERT], 2, started) ||
        bind_int64(st[DIR_UPSERT], 3, mark->article_id) ||
        bind_int64(st[DIR_UPSERT], 4, mark->version_id) ||
        sqlite3_step(st[DIR_UPSERT]) != SQLITE_ROW) {
        db_error(store, err);
        goto out;
    }
    dir_id = sqlite3_column_int64(st[DIR_UPSERT], 0);
    stmt_reset(st[DIR_UPSERT]);
    for (size_t i = 0; i < nforget; i++) {
        if (bind_int64(st[FILE_FORGET], 1, dir_id) || bind_int64(st[FILE_FORGET], 2, forget[i])) {
            db_error(store, err);
            goto out;
        }
        if (step_done(store, st[FILE_FORGET], err) < 0)
            goto out;
    }
    for (size_t i = 0; i < nfiles; i++) {
        sqlite3_stmt *put = st[FILE_PUT];
        if (bind_int64(put, 1, dir_id) || bind_int64(put, 2, files[i].article_id) ||
            bind_text(put, 3, files[i].name) || bind_text(put, 4, files[i].path) ||
            bind_int64(put, 5, (int64_t)files[i].hash) || bind_int64(put, 6, now)) {
            db_error(store, err);
            goto out;
        }
        if (step_done(store, put, err) < 0)
            goto out;
    }
    if (exec_sql(store, "COMMIT", err) < 0)
        goto out;
    in_transaction = false;
    ret = 0;
out:
    if (in_transaction && !sqlite3_get_autocommit(store->db))
        (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err already says why */
    for (int i = 0; i < NSQL; i++)
        sqlite3_finalize(st[i]);
    return ret;
}
int fk_store_tag_feed(struct fk_store *store, int64_t id, const char *tag, struct fk_error *err)
{
    size_t len = 0;
    trim(tag, &len);
    if (!len)
        return 0;
    if (not_in_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = sub_stmt(store, SUB_TAG_FEED, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, id) || bind_text(st, 2, tag)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    return step_done(store, st, err);
}

/* ---- fetch runs ---------------------------------------------------------- */

int fk_store_log_run(struct fk_store *store, const struct fk_fetch_run *run, struct fk_error *err)
{
    if (not_in_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = sub_stmt(store, SUB_RUN_LOG, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, run->started) || bind_int64(st, 2, run->finished) ||
        bind_int64(st, 3, run->feeds) || bind_int64(st, 4, run->failed) ||
        bind_int64(st, 5, run->new_count) || bind_int64(st, 6, run->updated_count)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    if (step_done(store, st, err) < 0)
        return -1;
    if (!(st = sub_stmt(store, SUB_RUN_PRUNE, err)))
        return -1;
    if (bind_int64(st, 1, FK_FETCH_LOG_KEEP - 1)) {
        stmt_reset(st);
        return db_error(store, err);
    }
    return step_done(store, st, err);
}

int fk_store_last_run(struct fk_store *store, int64_t *started, struct fk_error *err)
{
    sqlite3_stmt *st = sub_stmt(store, SUB_RUN_LAST, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int ret = 1;
    if (rc == SQLITE_ROW) {
        *started = sqlite3_column_int64(st, 0);
        ret = 0;
    } else if (rc != SQLITE_DONE) {
        ret = db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

/* ---- languages ------------------------------------------------------------ */

int fk_store_language_blocks(struct fk_store *store, const char *language, bool any,
                             int64_t *blocks, struct fk_error *err)
{
    enum stmt_id id = any ? ST_LANGUAGE_EXISTS : ST_LANGUAGE_FREQUENCY;
    if (bind_text(store->stmts[id], 1, language))
        return bind_failed(store, id, err);
    return run_int64(store, id, blocks, err);
}

int fk_store_list_languages(struct fk_store *store, fk_language_fn fn, void *ctx,
                            struct fk_error *err)
{
    static const char sql[] = "SELECT language, count(*) FROM code_blocks"
                              " WHERE language IS NOT NULL GROUP BY language ORDER BY 2 DESC, 1";
    sqlite3_stmt *st = NULL;
    int ret = -1, rc;
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_language_count count = {column_str(st, 0), sqlite3_column_int64(st, 1)};
        int stop = fn(&count, ctx);
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
    return ret;
}

/* ---- authors -------------------------------------------------------------- */

int fk_store_list_authors(struct fk_store *store, long limit, fk_author_fn fn, void *ctx,
                          struct fk_error *err)
{
    /* One walk of articles_author, which holds the name and the date. */
    static const char sql[] =
        "SELECT min(author), count(*), max(date) FROM articles"
        " WHERE author IS NOT NULL AND author <> '' GROUP BY author COLLATE NOCASE"
        " ORDER BY 2 DESC, 1 COLLATE NOCASE LIMIT ?1";
    sqlite3_stmt *st = NULL;
    int ret = -1;
    int rc;

    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK ||
        bind_int64(st, 1, limit > 0 ? limit : -1)) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_author_count author = {
            .name = column_str(st, 0),
            .articles = sqlite3_column_int64(st, 1),
            .newest = column_time(st, 2),
        };
        if (!author.name)
            author.name = "";
        int stop = fn(&author, ctx);
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
    return ret;
}

/* ---- completion ------------------------------------------------------------ */

int fk_store_complete(struct fk_store *store, enum fk_complete what, const char *prefix,
                      fk_complete_fn fn, void *ctx, struct fk_error *err)
{
    /* Names starting with ?1 (ASCII case ignored: substr compares, so '%'
     * and '_' in the prefix mean themselves), sorted, at most 200. */
    static const char *const sql[] = {
        [FK_COMPLETE_TAGS] = "SELECT name FROM tags WHERE substr(name, 1, length(?1)) = ?1"
                             " COLLATE NOCASE ORDER BY name LIMIT 200",
        [FK_COMPLETE_LANGUAGES] = "SELECT DISTINCT language FROM code_blocks"
                                  " WHERE language IS NOT NULL"
                                  " AND substr(language, 1, length(?1)) = ?1 COLLATE NOCASE"
                                  " ORDER BY language LIMIT 200",
        [FK_COMPLETE_AUTHORS] = "SELECT name FROM authors WHERE substr(name, 1, length(?1)) = ?1"
                                " COLLATE NOCASE ORDER BY name COLLATE NOCASE LIMIT 200",
        [FK_COMPLETE_FEEDS] =
            "SELECT x FROM (SELECT name AS x FROM feeds WHERE name IS NOT NULL"
            " UNION SELECT url FROM feeds UNION SELECT CAST(id AS TEXT) FROM feeds)"
            " WHERE substr(x, 1, length(?1)) = ?1 COLLATE NOCASE ORDER BY x LIMIT 200",
    };
    sqlite3_stmt *st = NULL;
    int ret = -1, rc;
    if ((unsigned)what >= sizeof sql / sizeof sql[0])
        return fk_error_set(err, FK_ERROR_USAGE, "nothing to complete");
    if (sqlite3_prepare_v2(store->db, sql[what], -1, &st, NULL) != SQLITE_OK ||
        bind_text(st, 1, prefix ? prefix : "")) {
        db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = column_str(st, 0);
        int stop = name ? fn(name, ctx) : 0;
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
    return ret;
}
