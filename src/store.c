/* store.c - the archive: schema and migrations, opening and closing, the
 * prepared statements and the helpers the store_*.c files share.
 *
 * The store_*.c files are the only ones that include sqlite3.h (through
 * store_int.h); every other module sees the archive through
 * include/feedkeep/store.h and its plain structs.
 *
 * Writing is built for large imports: every statement the write path needs is
 * prepared once, when the archive is opened, and reused with bound
 * parameters; a whole feed is one transaction; the schema is never looked up
 * per item. Queries build their SQL from fixed fragments and bind every value
 * that came from a user, so nothing a user types is ever part of SQL text.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* PRAGMA application_id of a feedkeep archive: "fkee" in ASCII. It tells our
 * archives apart from other programs' SQLite files (file(1) shows it too). */
#define APPLICATION_ID 0x666B6565
/* The schema version this feedkeep writes (PRAGMA user_version). */
#define SCHEMA_VERSION 20
/* How long to wait for another process's write lock, in milliseconds. */
#define BUSY_TIMEOUT_MS 5000

/* ---- schema --------------------------------------------------------------- */

/* articles_view up to its last columns, the same in each schema that
 * defines it (see schema_v14). */
#define ARTICLES_VIEW_HEAD                                                                         \
    "CREATE VIEW articles_view AS SELECT\n"                                                        \
    "    a.id, a.guid, a.url, a.title, a.author, a.author_email,\n"                                \
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.date, 'unixepoch') AS date,\n"                           \
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.published, 'unixepoch') AS published,\n"                 \
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.updated, 'unixepoch') AS updated,\n"                     \
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.first_seen, 'unixepoch') AS first_seen,\n"               \
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.last_seen, 'unixepoch') AS last_seen,\n"                 \
    "    (SELECT json_group_array(name) FROM (SELECT t.name FROM article_tags at\n"                \
    "        JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY t.name))\n"       \
    "        AS tags,\n"                                                                           \
    "    (SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id\n"                  \
    "        WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1) AS feed,\n"

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
    /* Tag names are normalised before they get here (see store_normalize_tags). */
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
     * itself, all new articles of a feed one after the other when the feed
     * is committed (store_write.c, index_new). Triggers on insert and update
     * would make FTS5 write its pending index out after every single
     * article (it does at every statement savepoint, and a statement with a
     * trigger opens one), which doubled the time of an import. Deleting has a trigger, so articles
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
    ARTICLES_VIEW_HEAD "    a.text, a.markdown\n"
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

/* Version 9: a self-contained archive. The images (and, when asked, the
 * video and audio) articles reference are kept in the file, each once by
 * the SHA-256 of its bytes; the URLs they came from keep the fetcher's
 * state, skipped ones the cap or policy that skipped them; the feed's own
 * documents are kept compressed. Existing feeds get assets off (an upgrade
 * must not start a cron job downloading), new rows on; keep_raw is on. */
static const char *const schema_v9[] = {
    "ALTER TABLE feeds ADD COLUMN assets INTEGER NOT NULL DEFAULT 1;  -- 1: keep its articles' "
    "assets\n"
    "UPDATE feeds SET assets = 0;\n"
    "ALTER TABLE feeds ADD COLUMN keep_raw INTEGER NOT NULL DEFAULT 1;  -- 1: keep its documents\n"
    "ALTER TABLE feeds ADD COLUMN private_origin INTEGER NOT NULL DEFAULT 0;\n"
    "    -- 1: the feed came from a loopback, link-local or private address\n"
    /* The base the item's HTML was converted against (xml:base, else the
     * document's URL), for reparse. */
    "ALTER TABLE articles ADD COLUMN base_url TEXT;\n"
    /* The bytes last: a row's first page holds the rest. */
    "CREATE TABLE assets (\n"
    "    id       INTEGER PRIMARY KEY,\n"
    "    sha256   BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),\n"
    "    mime     TEXT NOT NULL,     -- sniffed from the bytes\n"
    "    size     INTEGER NOT NULL,  -- = length(data)\n"
    "    created  INTEGER NOT NULL,  -- first stored\n"
    "    data     BLOB NOT NULL\n"
    ");\n"
    /* One row per URL an article referenced. asset_id is set once the
     * bytes are stored; cap is the value of the cap (or policy switch) a
     * skipped URL was skipped under: it is tried again when that changes. */
    "CREATE TABLE asset_urls (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    url           TEXT NOT NULL UNIQUE,\n"
    "    asset_id      INTEGER REFERENCES assets(id) ON DELETE SET NULL,\n"
    "    status        TEXT NOT NULL DEFAULT 'pending'\n"
    "                  CHECK (status IN ('pending', 'stored', 'failed', 'skipped')),\n"
    "    reason        TEXT,     -- skipped: the cap or policy; failed: the error\n"
    "    cap           INTEGER,  -- skipped: the cap's value then\n"
    "    etag          TEXT,     -- validators for conditional GET\n"
    "    last_modified TEXT,\n"
    "    failures      INTEGER NOT NULL DEFAULT 0,  -- failed fetches in a row\n"
    "    next_try      INTEGER,  -- not fetched before this (backoff, Retry-After)\n"
    "    last_try      INTEGER,\n"
    "    created       INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX asset_urls_due ON asset_urls(status, next_try);\n"
    "CREATE INDEX asset_urls_asset ON asset_urls(asset_id);\n"
    "CREATE TABLE article_assets (\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    position   INTEGER NOT NULL,  -- 0-based, in the article's order\n"
    "    url_id     INTEGER NOT NULL REFERENCES asset_urls(id) ON DELETE CASCADE,\n"
    "    kind       TEXT NOT NULL\n"
    "               CHECK (kind IN ('image', 'poster', 'video', 'audio', 'thumbnail')),\n"
    "    linked     INTEGER NOT NULL,  -- 1: the Markdown links it\n"
    "    PRIMARY KEY (article_id, position)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX article_assets_url ON article_assets(url_id, article_id);\n",
    /* The documents fetch and import filed, as the feed sent them. */
    "CREATE TABLE raw_documents (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
    "    url           TEXT NOT NULL,     -- where it was read\n"
    "    time          INTEGER NOT NULL,\n"
    "    status        INTEGER,           -- HTTP status; NULL: a file\n"
    "    content_type  TEXT,              -- response headers\n"
    "    etag          TEXT,\n"
    "    last_modified TEXT,\n"
    "    date          TEXT,\n"
    "    size          INTEGER NOT NULL,  -- bytes before compression\n"
    "    compression   TEXT NOT NULL CHECK (compression IN ('zlib')),\n"
    "    data          BLOB NOT NULL\n"
    ");\n"
    "CREATE INDEX raw_documents_feed ON raw_documents(feed_id, id);\n",
    NULL,
};

/* Version 10: raw documents may be compressed with zstd, which keeps about
 * as much as zlib's default level (23.3% of a dev.to feed against 22.4%)
 * in a seventh of the time. A CHECK cannot be changed in place: the table
 * is made again (it is young; documents kept with zlib stay as they are). */
static const char *const schema_v10[] = {
    "CREATE TABLE raw_documents_v10 (\n"
    "    id            INTEGER PRIMARY KEY,\n"
    "    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
    "    url           TEXT NOT NULL,     -- where it was read\n"
    "    time          INTEGER NOT NULL,\n"
    "    status        INTEGER,           -- HTTP status; NULL: a file\n"
    "    content_type  TEXT,              -- response headers\n"
    "    etag          TEXT,\n"
    "    last_modified TEXT,\n"
    "    date          TEXT,\n"
    "    size          INTEGER NOT NULL,  -- bytes before compression\n"
    "    compression   TEXT NOT NULL CHECK (compression IN ('zlib', 'zstd')),\n"
    "    data          BLOB NOT NULL\n"
    ");\n"
    "INSERT INTO raw_documents_v10 SELECT id, feed_id, url, time, status, content_type, etag,\n"
    "    last_modified, date, size, compression, data FROM raw_documents;\n"
    "DROP TABLE raw_documents;\n"
    "ALTER TABLE raw_documents_v10 RENAME TO raw_documents;\n"
    "CREATE INDEX raw_documents_feed ON raw_documents(feed_id, id);\n",
    NULL,
};

/* Version 11: whole articles from summary-only feeds. A feed's full_text
 * says when the pages of its items are fetched: 0 never, 1 always, 2 when
 * the item is a teaser. Feeds new to the archive get 2; the feeds of an
 * older archive get 0, so that upgrading never starts a cron job fetching
 * pages. An article's page is kept beside what the feed said: the article
 * the page extracts to, its fetcher's state, and whether its text is the
 * article's content (used). */
static const char *const schema_v11[] = {
    "ALTER TABLE feeds ADD COLUMN full_text INTEGER NOT NULL DEFAULT 2"
    " CHECK (full_text IN (0, 1, 2));  -- 0 off, 1 on, 2 auto\n"
    "UPDATE feeds SET full_text = 0;\n"
    "CREATE TABLE article_pages (\n"
    "    article_id    INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    url           TEXT NOT NULL,     -- the item's link, as fetched\n"
    "    status        TEXT NOT NULL\n"
    "                  CHECK (status IN ('stored', 'unusable', 'failed', 'skipped')),\n"
    "    source_hash   INTEGER,           -- the item's source hash it was fetched for\n"
    "    fetched       INTEGER,           -- the last attempt\n"
    "    http_status   INTEGER,\n"
    "    etag          TEXT,              -- validators of the stored page\n"
    "    last_modified TEXT,\n"
    "    failures      INTEGER NOT NULL DEFAULT 0,  -- failed fetches in a row\n"
    "    next_try      INTEGER,           -- failed: not before this; NULL: given up\n"
    "    error         TEXT,              -- why the last attempt gave nothing new\n"
    "    stored        INTEGER,           -- when html was stored\n"
    "    base_url      TEXT,              -- what its links resolve against\n"
    "    html          TEXT,              -- the extracted article\n"
    "    title         TEXT,\n"
    "    byline        TEXT,\n"
    "    text_length   INTEGER NOT NULL DEFAULT 0,  -- bytes of its text\n"
    "    feed_length   INTEGER NOT NULL DEFAULT 0,  -- used: the feed's text's\n"
    "    used          INTEGER NOT NULL DEFAULT 0   -- 1: the article's content\n"
    ");\n",
    NULL,
};

/* Version 12: articles read through an API (dev.to's, or another Forem
 * site's). What the API tells beside the item: the article's id there (the
 * fetcher asks for an article's body only when it is new or its edited
 * time changed), the author's own Markdown, the URL the author calls
 * canonical (a cross-post: the article is the one archived under that
 * link, its key an alias of rule "canonical"), the series and organisation, and counts that change
 * all the time, kept as their latest value and never as a version. */
static const char *const schema_v12[] = {
    "CREATE TABLE article_api (\n"
    "    article_id      INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    api_id          INTEGER NOT NULL,  -- the article's id at the API\n"
    "    url             TEXT,              -- its URL at the API's site\n"
    "    canonical_url   TEXT,              -- where its author says it lives, if elsewhere\n"
    "    canonical_key   TEXT,              -- canonical_url as link keys compare\n"
    "    markdown        TEXT,              -- the author's Markdown\n"
    "    series          TEXT,\n"
    "    organization    TEXT,\n"
    "    edited          INTEGER,           -- edited_at of what was filed\n"
    "    reading_minutes INTEGER,\n"
    "    reactions       INTEGER,           -- the latest counts\n"
    "    comments        INTEGER,\n"
    "    counted         INTEGER            -- when they were read\n"
    ");\n"
    "CREATE INDEX article_api_canonical ON article_api(canonical_key)"
    " WHERE canonical_key IS NOT NULL;\n",
    /* An alias may now come from a canonical link too. */
    "CREATE TABLE article_aliases_v12 (\n"
    "    key        TEXT PRIMARY KEY,  -- an identity key no article has\n"
    "    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "    feed_id    INTEGER REFERENCES feeds(id) ON DELETE SET NULL,  -- whose item had it\n"
    "    guid       TEXT,              -- that item's guid as the feed wrote it\n"
    "    rule       TEXT NOT NULL CHECK (rule IN ('title', 'text', 'canonical')),\n"
    "    created    INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO article_aliases_v12 SELECT key, article_id, feed_id, guid, rule, created"
    " FROM article_aliases;\n"
    "DROP TABLE article_aliases;\n"
    "ALTER TABLE article_aliases_v12 RENAME TO article_aliases;\n"
    "CREATE INDEX article_aliases_article ON article_aliases(article_id);\n",
    NULL,
};

/* schema 20's author_counts filled from the articles: the names that
 * differ only in ASCII case together, under the first of them in byte
 * order (through articles_author, in its order). */
#define AUTHOR_COUNTS_FILL                                                                         \
    "INSERT INTO author_counts(name, articles, newest)\n"                                          \
    "    SELECT min(author), count(*), max(date) FROM articles\n"                                  \
    "    WHERE author COLLATE NOCASE > '' GROUP BY author COLLATE NOCASE;\n"

/* Version 13: counts kept as the articles change, so that tags, authors
 * and stats read a few rows however large the archive: per tag, per
 * author name, per code language, per feed, and the archive's totals.
 * Triggers keep them in the transaction of every write (filing, reparse,
 * removal, merging, versions), whichever code makes it; `check` compares
 * them with a recount and `check --repair` runs store_counts_rebuild.
 * A newest date that leaves is looked up again through the index that
 * holds it (article_tags_tag, articles_author). The step can run again on
 * an archive that has the tables (its version set back by hand): it then
 * recounts. */
const char store_counts_rebuild[] =
    "DELETE FROM tag_counts;\n"
    "INSERT INTO tag_counts(tag_id, articles, newest)\n"
    "    SELECT tag_id, count(*), max(date) FROM article_tags GROUP BY tag_id;\n"
    "DELETE FROM author_counts;\n" AUTHOR_COUNTS_FILL "DELETE FROM language_counts;\n"
    "INSERT INTO language_counts(language, blocks)\n"
    "    SELECT min(language), count(*) FROM code_blocks GROUP BY language;\n"
    "DELETE FROM feed_counts;\n"
    "INSERT INTO feed_counts(feed_id, articles)\n"
    "    SELECT feed_id, count(*) FROM article_feeds GROUP BY feed_id;\n"
    "DELETE FROM archive_counts;\n"
    "INSERT INTO archive_counts(name, value)\n"
    "    SELECT 'articles', count(*) FROM articles\n"
    "    UNION ALL SELECT 'versions', count(*) FROM article_versions;\n";

/* The statements of schema 13's triggers: a row (new) counted in, a row
 * (old) counted out. A row updated is counted out, then in. */
#define COUNT_NEWEST                                                                               \
    "        newest = CASE WHEN newest IS NULL OR excluded.newest > newest\n"                      \
    "                      THEN excluded.newest ELSE newest END;\n"
#define TAG_COUNT_ADD                                                                              \
    "    INSERT INTO tag_counts(tag_id, articles, newest) VALUES (new.tag_id, 1, new.date)\n"      \
    "        ON CONFLICT(tag_id) DO UPDATE SET articles = articles + 1,\n" COUNT_NEWEST
#define TAG_COUNT_REMOVE                                                                           \
    "    UPDATE tag_counts SET articles = articles - 1,\n"                                         \
    "        newest = CASE WHEN old.date >= newest THEN (SELECT max(date) FROM article_tags\n"     \
    "                      WHERE tag_id = old.tag_id) ELSE newest END\n"                           \
    "        WHERE tag_id = old.tag_id;\n"                                                         \
    "    DELETE FROM tag_counts WHERE tag_id = old.tag_id AND articles <= 0;\n"
#define AUTHOR_COUNT_ADD                                                                           \
    "    INSERT INTO author_counts(name, articles, newest)\n"                                      \
    "        SELECT new.author, 1, new.date WHERE new.author <> ''\n"                              \
    "        ON CONFLICT(name) DO UPDATE SET articles = articles + 1,\n" COUNT_NEWEST
#define AUTHOR_COUNT_REMOVE                                                                        \
    "    UPDATE author_counts SET articles = articles - 1,\n"                                      \
    "        newest = CASE WHEN old.date >= newest THEN (SELECT date FROM articles\n"              \
    "                      WHERE author = old.author COLLATE NOCASE AND +author = old.author\n"    \
    "                      AND date IS NOT NULL ORDER BY date DESC LIMIT 1) ELSE newest END\n"     \
    "        WHERE name = old.author;\n"                                                           \
    "    DELETE FROM author_counts WHERE name = old.author AND articles <= 0;\n"
#define LANGUAGE_COUNT_ADD                                                                         \
    "    INSERT INTO language_counts(language, blocks) SELECT new.language, 0\n"                   \
    "        WHERE NOT EXISTS (SELECT 1 FROM language_counts WHERE language IS new.language);\n"   \
    "    UPDATE language_counts SET blocks = blocks + 1 WHERE language IS new.language;\n"
#define LANGUAGE_COUNT_REMOVE                                                                      \
    "    UPDATE language_counts SET blocks = blocks - 1 WHERE language IS old.language;\n"         \
    "    DELETE FROM language_counts WHERE language IS old.language AND blocks <= 0;\n"
#define FEED_COUNT_ADD                                                                             \
    "    INSERT INTO feed_counts(feed_id, articles) VALUES (new.feed_id, 1)\n"                     \
    "        ON CONFLICT(feed_id) DO UPDATE SET articles = articles + 1;\n"
#define FEED_COUNT_REMOVE                                                                          \
    "    UPDATE feed_counts SET articles = articles - 1 WHERE feed_id = old.feed_id;\n"            \
    "    DELETE FROM feed_counts WHERE feed_id = old.feed_id AND articles <= 0;\n"

static const char *const schema_v13[] = {
    /* Rows with a count of 0 are deleted: tags counts the rows. */
    "CREATE TABLE IF NOT EXISTS tag_counts (\n"
    "    tag_id   INTEGER PRIMARY KEY,  -- tags.id\n"
    "    articles INTEGER NOT NULL,     -- rows of article_tags\n"
    "    newest   INTEGER               -- their max(date)\n"
    ");\n"
    /* One row per name as articles.author writes it; the authors listing
     * adds up the names that differ only in case. */
    "CREATE TABLE IF NOT EXISTS author_counts (\n"
    "    name     TEXT PRIMARY KEY,  -- articles.author, not ''\n"
    "    articles INTEGER NOT NULL,\n"
    "    newest   INTEGER\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX IF NOT EXISTS author_counts_nocase ON author_counts(name COLLATE NOCASE);\n"
    /* language NULL is the blocks that named none (UNIQUE lets one NULL
     * row in by the triggers' IS tests). */
    "CREATE TABLE IF NOT EXISTS language_counts (\n"
    "    language TEXT COLLATE NOCASE UNIQUE,  -- as code_blocks.language\n"
    "    blocks   INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS feed_counts (\n"
    "    feed_id  INTEGER PRIMARY KEY,  -- feeds.id\n"
    "    articles INTEGER NOT NULL      -- rows of article_feeds\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS archive_counts (\n"
    "    name  TEXT PRIMARY KEY,  -- 'articles', 'versions': rows of that table\n"
    "    value INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n",
    store_counts_rebuild,
    /* tags */
    "CREATE TRIGGER IF NOT EXISTS tag_counts_insert AFTER INSERT ON article_tags "
    "BEGIN\n" TAG_COUNT_ADD "END;\n"
    "CREATE TRIGGER IF NOT EXISTS tag_counts_delete AFTER DELETE ON article_tags "
    "BEGIN\n" TAG_COUNT_REMOVE "END;\n"
    "CREATE TRIGGER IF NOT EXISTS tag_counts_update AFTER UPDATE OF tag_id, date ON article_tags\n"
    "BEGIN\n" TAG_COUNT_REMOVE TAG_COUNT_ADD "END;\n",
    /* authors, and the number of articles */
    "CREATE TRIGGER IF NOT EXISTS author_counts_insert AFTER INSERT ON articles BEGIN\n"
    "    UPDATE archive_counts SET value = value + 1 WHERE name = 'articles';\n" AUTHOR_COUNT_ADD
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS author_counts_delete AFTER DELETE ON articles BEGIN\n"
    "    UPDATE archive_counts SET value = value - 1 WHERE name = 'articles';\n" AUTHOR_COUNT_REMOVE
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS author_counts_update\n"
    "    AFTER UPDATE OF author, published, updated ON articles\n"
    "    WHEN old.author IS NOT new.author OR old.date IS NOT new.date\n"
    "BEGIN\n" AUTHOR_COUNT_REMOVE AUTHOR_COUNT_ADD "END;\n",
    /* code languages */
    "CREATE TRIGGER IF NOT EXISTS language_counts_insert AFTER INSERT ON code_blocks "
    "BEGIN\n" LANGUAGE_COUNT_ADD "END;\n"
    "CREATE TRIGGER IF NOT EXISTS language_counts_delete AFTER DELETE ON code_blocks "
    "BEGIN\n" LANGUAGE_COUNT_REMOVE "END;\n"
    "CREATE TRIGGER IF NOT EXISTS language_counts_update AFTER UPDATE OF language ON code_blocks\n"
    "BEGIN\n" LANGUAGE_COUNT_REMOVE LANGUAGE_COUNT_ADD "END;\n",
    /* feeds */
    "CREATE TRIGGER IF NOT EXISTS feed_counts_insert AFTER INSERT ON article_feeds "
    "BEGIN\n" FEED_COUNT_ADD "END;\n"
    "CREATE TRIGGER IF NOT EXISTS feed_counts_delete AFTER DELETE ON article_feeds "
    "BEGIN\n" FEED_COUNT_REMOVE "END;\n"
    "CREATE TRIGGER IF NOT EXISTS feed_counts_update AFTER UPDATE OF feed_id ON article_feeds\n"
    "BEGIN\n" FEED_COUNT_REMOVE FEED_COUNT_ADD "END;\n"
    /* versions */
    "CREATE TRIGGER IF NOT EXISTS version_counts_insert AFTER INSERT ON article_versions BEGIN\n"
    "    UPDATE archive_counts SET value = value + 1 WHERE name = 'versions';\n"
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS version_counts_delete AFTER DELETE ON article_versions BEGIN\n"
    "    UPDATE archive_counts SET value = value - 1 WHERE name = 'versions';\n"
    "END;\n",
    NULL,
};

/* Version 14: an article's HTML forms and Markdown, a version's, and the
 * author's Markdown of the API are packed (store_pack.c): BLOBs where they
 * were TEXT. Rows filed before stay plain until 'feedkeep vacuum' packs
 * them, and are read either way. articles_view cannot unpack (SQL has no
 * zstd): its markdown is NULL where the Markdown is packed. */
static const char *const schema_v14[] = {
    "DROP VIEW IF EXISTS articles_view;\n" ARTICLES_VIEW_HEAD
    "    a.text, CASE WHEN typeof(a.markdown) = 'text' THEN a.markdown END AS markdown\n"
    "    FROM articles a;\n",
    NULL,
};

/* Version 15: a code block that stands byte for byte in its article's text
 * (every block of a dev.to article does) is kept as where it stands there,
 * text_offset and text_length in bytes, its code column empty: the code was
 * kept twice, 1.7 KB an article. The text is derived from the HTML as the
 * code blocks are, and both are written again together. Blocks filed before
 * keep their code until 'feedkeep vacuum' finds them in the text; readers
 * take both (CODE_TEXT), code_view included. The columns are added by
 * add_code_offsets, which adds only what is missing. */
static const char *const schema_v15[] = {
    "DROP VIEW IF EXISTS code_view;\n"
    "CREATE VIEW code_view AS SELECT\n"
    "    c.id, c.article_id, c.position, c.language, c.lines,\n"
    "    " CODE_TEXT " AS code,\n"
    "    a.title AS article_title, a.url AS article_url,\n"
    "    strftime('%Y-%m-%dT%H:%M:%SZ', a.date, 'unixepoch') AS article_date\n"
    "    FROM code_blocks c JOIN articles a ON a.id = c.article_id;\n"
    /* A text changed by hand (or by anything but feedkeep, which writes
     * its code blocks again with it) takes its code blocks' code out of
     * the old text first. */
    "CREATE TRIGGER IF NOT EXISTS code_blocks_text AFTER UPDATE OF text ON articles\n"
    "    WHEN new.text IS NOT old.text BEGIN\n"
    "    UPDATE code_blocks SET code = CAST(substr(CAST(old.text AS BLOB), text_offset + 1,\n"
    "        text_length) AS TEXT), text_offset = NULL, text_length = NULL\n"
    "        WHERE article_id = old.id AND text_offset IS NOT NULL;\n"
    "END;\n",
    NULL,
};

/* Version 16: a version's text is packed against its HTML, as its Markdown
 * is (its text is read by no index or snippet, unlike an article's): about
 * 550 bytes an article of a dev.to-sized archive where one in twenty was
 * changed once. Nothing in the schema changes; versions saved before stay
 * plain until 'feedkeep vacuum' packs them, and are read either way. The
 * version number keeps a feedkeep that would read packed text as plain from
 * opening the archive. */
static const char *const schema_v16[] = {
    NULL,
};

/* Version 17: no index of the articles' URLs. An article is found by its
 * URL (show URL and the other commands that take one) through its link
 * key (link_key, fk_store_link_key of the URL), which has an index of its
 * own for the guid-change rule; the URL index was a second one over the
 * same strings: about a hundred bytes an article, and one more b-tree an
 * import inserts into at a random place. 'feedkeep check' compares every
 * link key with its URL ("link keys"). */
static const char *const schema_v17[] = {
    "DROP INDEX IF EXISTS articles_url;\n",
    NULL,
};

/* Version 18: compression dictionaries (store_pack.c). An article's HTML
 * is packed alone, each frame on its own; on short documents that share
 * most of their markup (a feed's articles), a dictionary trained on the
 * archive's own articles keeps a good part of what each frame would
 * otherwise learn again. A dictionary is trained once the archive holds
 * 1,000 articles (and again at twice as many, while none paid); each try
 * is kept here with what it measured, the dictionary itself only when it
 * paid. Every frame packed with one names it (dict_id), so a dictionary is
 * never changed or deleted while the archive lives: the triggers refuse. */
static const char *const schema_v18[] = {
    "CREATE TABLE IF NOT EXISTS pack_dictionaries (\n"
    "    id           INTEGER PRIMARY KEY,\n"
    "    dict_id      INTEGER UNIQUE,    -- zstd's ID, in each frame packed with it\n"
    "    trained_at   INTEGER NOT NULL,\n"
    "    articles     INTEGER NOT NULL,  -- the archive's articles then\n"
    "    samples      INTEGER NOT NULL,  -- articles' HTML it was trained on\n"
    "    sample_bytes INTEGER NOT NULL,\n"
    "    test_bytes   INTEGER NOT NULL,  -- other articles' HTML it was tried on\n"
    "    test_alone   INTEGER NOT NULL,  -- those packed alone\n"
    "    test_packed  INTEGER NOT NULL,  -- and packed with it\n"
    "    dictionary   BLOB,              -- NULL: it did not pay, and is not used\n"
    "    sha256       BLOB               -- of the dictionary, for check\n"
    ");\n"
    "CREATE TRIGGER IF NOT EXISTS pack_dictionaries_keep\n"
    "    BEFORE DELETE ON pack_dictionaries\n"
    "    WHEN old.dictionary IS NOT NULL BEGIN\n"
    "    SELECT RAISE(ABORT, 'a compression dictionary is never deleted: articles are packed "
    "with it');\n"
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS pack_dictionaries_fixed\n"
    "    BEFORE UPDATE OF dict_id, dictionary, sha256 ON pack_dictionaries\n"
    "    WHEN old.dictionary IS NOT NULL BEGIN\n"
    "    SELECT RAISE(ABORT, 'a compression dictionary is never changed: articles are packed "
    "with it');\n"
    "END;\n",
    NULL,
};

/* Version 19: an index of the columns a search's filter reads from each
 * match (store_query.c, PROBE_ARTICLES). An article's row fills most of a
 * page of its own, so a filter read from the table costs a page read per
 * match: 5,345 of them for a word searched with --archived-since at 1.27
 * million articles, against 368 without the filter. The index holds them
 * in about 34 bytes an article. */
static const char *const schema_v19[] = {
    "CREATE INDEX IF NOT EXISTS articles_probe\n"
    "    ON articles(id, first_seen, published, updated, author);\n",
    NULL,
};

/* Version 20: author_counts keeps an author as the listing shows one: the
 * names that differ only in ASCII case (SQLite's NOCASE) in one row, under
 * the first of them in byte order, with an index in the listing's order.
 * `authors` read the rows of each name and added them up in a hash table,
 * then sorted them: 26 ms for 41,000 authors at 1.27 million articles,
 * against 16 ms read in order. A name that leaves looks up the one that
 * comes next only when no article has it any more. */
#define AUTHOR_GROUP_ADD                                                                           \
    "    INSERT INTO author_counts(name, articles, newest)\n"                                      \
    "        SELECT new.author, 1, new.date WHERE new.author <> ''\n"                              \
    "        ON CONFLICT(name) DO UPDATE SET articles = articles + 1,\n"                           \
    "        name = CASE WHEN excluded.name < name COLLATE BINARY THEN excluded.name\n"            \
    "                    ELSE name END,\n" COUNT_NEWEST
#define AUTHOR_GROUP_REMOVE                                                                        \
    "    UPDATE author_counts SET articles = articles - 1,\n"                                      \
    "        newest = CASE WHEN old.date >= newest THEN (SELECT date FROM articles\n"              \
    "                      WHERE author = old.author COLLATE NOCASE\n"                             \
    "                      AND date IS NOT NULL ORDER BY date DESC LIMIT 1) ELSE newest END,\n"    \
    "        name = CASE WHEN name = old.author COLLATE BINARY AND NOT EXISTS (SELECT 1\n"         \
    "                      FROM articles WHERE author = old.author COLLATE NOCASE\n"               \
    "                      AND +author = old.author)\n"                                            \
    "                    THEN coalesce((SELECT min(author) FROM articles\n"                        \
    "                      WHERE author = old.author COLLATE NOCASE), name) ELSE name END\n"       \
    "        WHERE name = old.author;\n"                                                           \
    "    DELETE FROM author_counts WHERE name = old.author AND articles <= 0;\n"

static const char *const schema_v20[] = {
    "DROP TRIGGER IF EXISTS author_counts_insert;\n"
    "DROP TRIGGER IF EXISTS author_counts_delete;\n"
    "DROP TRIGGER IF EXISTS author_counts_update;\n"
    "DROP TABLE IF EXISTS author_counts;\n"
    "CREATE TABLE author_counts (\n"
    "    name     TEXT PRIMARY KEY COLLATE NOCASE,  -- articles.author, not ''\n"
    "    articles INTEGER NOT NULL,\n"
    "    newest   INTEGER\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX author_counts_order ON author_counts(articles DESC, name, "
    "newest);\n" AUTHOR_COUNTS_FILL,
    "CREATE TRIGGER author_counts_insert AFTER INSERT ON articles BEGIN\n"
    "    UPDATE archive_counts SET value = value + 1 WHERE name = 'articles';\n" AUTHOR_GROUP_ADD
    "END;\n"
    "CREATE TRIGGER author_counts_delete AFTER DELETE ON articles BEGIN\n"
    "    UPDATE archive_counts SET value = value - 1 WHERE name = 'articles';\n" AUTHOR_GROUP_REMOVE
    "END;\n"
    "CREATE TRIGGER author_counts_update\n"
    "    AFTER UPDATE OF author, published, updated ON articles\n"
    "    WHEN old.author IS NOT new.author OR old.date IS NOT new.date\n"
    "BEGIN\n" AUTHOR_GROUP_REMOVE AUTHOR_GROUP_ADD "END;\n",
    NULL,
};

static int query_int64(sqlite3 *db, const char *sql, int64_t *value);

/* Add schema 15's columns to code_blocks, unless they are there. */
static int add_code_offsets(struct fk_store *store, struct fk_error *err)
{
    int64_t present = 0;
    if (query_int64(store->db,
                    "SELECT count(*) FROM pragma_table_info('code_blocks')"
                    " WHERE name = 'text_offset'",
                    &present) != SQLITE_OK)
        return store_db_error(store, err);
    if (present)
        return 0;
    return store_exec_sql(store,
                          "ALTER TABLE code_blocks ADD COLUMN text_offset INTEGER;"
                          "ALTER TABLE code_blocks ADD COLUMN text_length INTEGER;",
                          err);
}

/* Migration steps, oldest first: step i takes an archive from version
 * migrations[i].version - 1 to migrations[i].version by running its
 * function, when it has one, then its SQL texts (a NULL-terminated list)
 * in order. All due steps run in one transaction, so an archive is never
 * left half-migrated. */
static const struct migration {
    int version;
    const char *const *sql;
    int (*before)(struct fk_store *store, struct fk_error *err);
} migrations[] = {
    /* clang-format off */
    {1, schema_v1, NULL},
    {2, schema_v2, NULL},
    {3, schema_v3, NULL},
    {4, schema_v4, NULL},
    {5, schema_v5, NULL},
    {6, schema_v6, NULL},
    {7, schema_v7, NULL},
    {8, schema_v8, NULL},
    {9, schema_v9, NULL},
    {10, schema_v10, NULL},
    {11, schema_v11, NULL},
    {12, schema_v12, NULL},
    {13, schema_v13, NULL},
    {14, schema_v14, NULL},
    {15, schema_v15, add_code_offsets},
    {16, schema_v16, NULL},
    {17, schema_v17, NULL},
    {18, schema_v18, NULL},
    {19, schema_v19, NULL},
    {20, schema_v20, NULL},
    /* clang-format on */
};

/* The full-text index's columns, in order (the schema's articles_fts). */
const char *const store_fts_columns[FTS_NCOLUMNS] = {"title", "text", "tags"};

/* ---- prepared statements -------------------------------------------------- */

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
    /* ST_ARTICLE_INSERT and ST_ARTICLE_UPDATE share parameters ?2 to ?20
     * (bind_article); ?1 is the key for one and the id for the other. */
    [ST_ARTICLE_INSERT] = "INSERT INTO articles(key, guid, url, title, author, published,"
                          " published_raw, updated, updated_raw, first_seen, last_seen,"
                          " summary_html, content_html, text, markdown, tags_text,"
                          " content_hash, source_hash, link_key, author_email, base_url)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12,"
                          " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET guid = ?2, url = ?3, title = ?4, author = ?5,"
                          " published = ?6, published_raw = ?7, updated = ?8,"
                          " updated_raw = ?9, last_seen = ?10, summary_html = ?11,"
                          " content_html = ?12, text = ?13, markdown = ?14, tags_text = ?15,"
                          " content_hash = ?16, source_hash = ?17, link_key = ?18,"
                          " author_email = ?19, base_url = ?20 WHERE id = ?1",
    [ST_ARTICLE_TOUCH] = "UPDATE articles SET last_seen = ?2, source_hash = ?3 WHERE id = ?1",
    /* The version's text packed against its HTML, as its Markdown is. */
    [ST_VERSION_SAVE] = "INSERT INTO article_versions(article_id, replaced_at, title, text,"
                        " markdown, content_html, tags_text, content_hash)"
                        " SELECT id, ?2, title, feedkeep_pack_against(text, coalesce(content_html,"
                        " summary_html)), markdown, coalesce(content_html, summary_html),"
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
    [ST_CODE_INSERT] = "INSERT INTO code_blocks(article_id, position, language, lines, code,"
                       " text_offset, text_length) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_CODE_PLACE] = "UPDATE code_blocks SET code = ?3, text_offset = ?4, text_length = ?5"
                      " WHERE article_id = ?1 AND position = ?2",
    [ST_CODE_DELETE] = "DELETE FROM code_blocks WHERE article_id = ?1",
    [ST_CODE_LAST_ID] = "SELECT coalesce(max(id), 0) FROM code_blocks",
    [ST_ENCLOSURE_INSERT] = "INSERT INTO enclosures(article_id, position, url, type, length, kind)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ENCLOSURE_DELETE] = "DELETE FROM enclosures WHERE article_id = ?1",
    [ST_FTS_NEW_ROWS] = "SELECT id, title, text, tags_text FROM articles WHERE id >= ?1",
    [ST_FTS_INDEX_ROW] =
        "INSERT INTO articles_fts(rowid, title, text, tags) VALUES (?1, ?2, ?3, ?4)",
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
    [ST_API_PUT] = "INSERT INTO article_api(article_id, api_id, url, canonical_url,"
                   " canonical_key, markdown, series, organization, edited, reading_minutes,"
                   " reactions, comments, counted)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                   " ON CONFLICT(article_id) DO UPDATE SET api_id = excluded.api_id,"
                   " url = excluded.url, canonical_url = excluded.canonical_url,"
                   " canonical_key = excluded.canonical_key,"
                   " markdown = coalesce(excluded.markdown, markdown),"
                   " series = excluded.series, organization = excluded.organization,"
                   " edited = excluded.edited,"
                   " reading_minutes = coalesce(excluded.reading_minutes, reading_minutes),"
                   " reactions = coalesce(excluded.reactions, reactions),"
                   " comments = coalesce(excluded.comments, comments), counted = excluded.counted",
    [ST_API_HAS] = "SELECT markdown IS NOT NULL FROM article_api WHERE article_id = ?1",
    /* The article archived under a cross-post's canonical link, and the
     * article whose canonical link is an item's link. */
    [ST_CANONICAL_ARTICLE] = "SELECT id, content_hash, source_hash FROM articles"
                             " WHERE link_key = ?1 LIMIT 2",
    [ST_CANONICAL_OF] = "SELECT a.id, a.content_hash, a.source_hash FROM article_api x"
                        " JOIN articles a ON a.id = x.article_id WHERE x.canonical_key = ?1"
                        " LIMIT 2",
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
    /* subscriptions, fetch log, fetch runs */
    [ST_SUB_FIND_URL] = "SELECT " FEED_COLUMNS " FROM feeds f WHERE f.url = ?1",
    [ST_SUB_FIND_ID] = "SELECT " FEED_COLUMNS " FROM feeds f WHERE f.id = ?1",
    /* ?1: unsubscribed feeds too; ?2: due ones only, at time ?3. */
    [ST_SUB_LIST] = "SELECT " FEED_COLUMNS " FROM feeds f WHERE (?1 OR f.subscribed)"
                    " AND (NOT ?2 OR f.next_fetch IS NULL OR f.next_fetch <= ?3) ORDER BY f.id",
    [ST_SUB_INSERT] = "INSERT INTO feeds(url, name, subscribed, created) VALUES (?1, ?2, 1, ?3)",
    /* ?3: the new name replaces one the feed has. */
    [ST_SUB_RESUBSCRIBE] = "UPDATE feeds SET subscribed = 1, name = CASE"
                           " WHEN ?2 IS NOT NULL AND (?3 OR name IS NULL) THEN ?2 ELSE name END"
                           " WHERE id = ?1",
    [ST_SUB_UNSUBSCRIBE] = "UPDATE feeds SET subscribed = 0, etag = NULL, last_modified = NULL,"
                           " failures = 0, next_fetch = NULL WHERE id = ?1 AND subscribed",
    [ST_SUB_FAILURES] = "SELECT failures FROM feeds WHERE id = ?1",
    /* A 304 may leave out a validator that did not change. */
    [ST_SUB_SUCCESS] =
        "UPDATE feeds SET last_fetch = ?2, last_status = nullif(?3, 0), failures = 0,"
        " next_fetch = NULL, last_error = NULL,"
        " etag = CASE WHEN ?3 = 304 THEN coalesce(?4, etag) ELSE ?4 END,"
        " last_modified = CASE WHEN ?3 = 304 THEN coalesce(?5, last_modified)"
        " ELSE ?5 END, final_url = ?6, moved_to = ?7 WHERE id = ?1",
    [ST_SUB_FAILURE] = "UPDATE feeds SET last_fetch = ?2, last_status = nullif(?3, 0),"
                       " failures = ?4, next_fetch = ?5, last_error = ?6 WHERE id = ?1",
    [ST_SUB_LOG] = "INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,"
                   " updated_count, error) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7, ?8)",
    /* ?2 is the number kept minus one: the offset of the oldest kept. */
    [ST_SUB_PRUNE] = "DELETE FROM fetches WHERE feed_id = ?1 AND id < (SELECT id FROM fetches"
                     " WHERE feed_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    [ST_SUB_MOVE] = "UPDATE feeds SET url = ?2, moved_to = NULL WHERE id = ?1",
    /* Keys after ?1 and before ?2 are those starting with the prefix ?1
     * (?2 is ?1 with its last character incremented); ?3 replaces it. A key
     * already taken keeps the old one rather than failing the move. */
    [ST_SUB_REKEY] = "UPDATE OR IGNORE articles SET key = ?3 || substr(key, length(?1) + 1)"
                     " WHERE key > ?1 AND key < ?2",
    [ST_SUB_REKEY_ALIASES] =
        "UPDATE OR IGNORE article_aliases SET key = ?3 || substr(key, length(?1) + 1)"
        " WHERE key > ?1 AND key < ?2",
    /* A name given by the user first, then the feed's own title; then the
     * subscribed one, then the oldest. */
    [ST_SUB_FIND_NAME] = "SELECT " FEED_COLUMNS " FROM feeds f"
                         " WHERE f.name = ?1 COLLATE NOCASE OR f.title = ?1 COLLATE NOCASE"
                         " ORDER BY coalesce(f.name = ?1 COLLATE NOCASE, 0) DESC,"
                         " f.subscribed DESC, f.id LIMIT 1",
    [ST_SUB_TAG_FEED] = "INSERT INTO feed_tags(feed_id, name) VALUES (?1, trim(?2))"
                        " ON CONFLICT DO NOTHING",
    [ST_SUB_RUN_LOG] = "INSERT INTO fetch_runs(started, finished, feeds, failed, new_count,"
                       " updated_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SUB_RUN_PRUNE] = "DELETE FROM fetch_runs WHERE id < (SELECT id FROM fetch_runs"
                         " ORDER BY id DESC LIMIT 1 OFFSET ?1)",
    [ST_SUB_RUN_LAST] = "SELECT started FROM fetch_runs ORDER BY id DESC LIMIT 1",
    /* fk_store_dedup_explain */
    [ST_DEDUP_ARTICLE] = "SELECT id, key, guid, url, link_key, title, published,"
                         " length(CAST(text AS BLOB)), text FROM articles WHERE id = ?1",
    [ST_DEDUP_ALIASES] =
        "SELECT al.key, al.guid, f.url, al.rule, al.created FROM article_aliases al"
        " LEFT JOIN feeds f ON f.id = al.feed_id WHERE al.article_id = ?1"
        " ORDER BY al.created, al.key",
    /* ?3: one more than are shown, to know there are more. */
    [ST_DEDUP_CANDIDATES] = "SELECT b.id FROM articles b WHERE b.link_key = ?2 AND b.id <> ?1"
                            " AND EXISTS (SELECT 1 FROM article_feeds fa JOIN article_feeds fb"
                            " ON fb.feed_id = fa.feed_id WHERE fa.article_id = ?1"
                            " AND fb.article_id = b.id) ORDER BY b.id LIMIT ?3",
    [ST_DEDUP_SHARED_FEED] =
        "SELECT f.id, f.url, f.site_url FROM article_feeds fa"
        " JOIN article_feeds fb ON fb.feed_id = fa.feed_id"
        " JOIN feeds f ON f.id = fa.feed_id"
        " WHERE fa.article_id = ?1 AND fb.article_id = ?2 ORDER BY f.id LIMIT 1",
    [ST_DEDUP_OTHERS] = "SELECT count(*) FROM articles a JOIN article_feeds af"
                        " ON af.article_id = a.id AND af.feed_id = ?1"
                        " WHERE a.link_key = ?2 AND a.id NOT IN (?3, ?4)",
    /* export records */
    [ST_EXPORT_MARK] = "SELECT (SELECT coalesce(max(id), 0) FROM articles),"
                       " (SELECT coalesce(max(id), 0) FROM article_versions)",
    [ST_EXPORT_DIR_FIND] = "SELECT id, coalesce(last_article, 0), coalesce(last_version, 0)"
                           " FROM export_dirs WHERE path = ?1",
    [ST_EXPORT_DIR_UPSERT] =
        "INSERT INTO export_dirs(path, last_export, last_article, last_version)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(path) DO UPDATE SET"
        " last_export = excluded.last_export, last_article = excluded.last_article,"
        " last_version = excluded.last_version RETURNING id",
    /* The files noted by the export replace the directory's records of
     * their articles, by article id, so that the table's pages are each
     * written once (of an article's files, the last noted stays). No
     * other record changes its name, so the order cannot make two names
     * meet on the way. "WHERE true" tells SQLite's parser that ON starts
     * the upsert, not a join. */
    [ST_EXPORT_FILES_FORGET] = "DELETE FROM export_files WHERE dir_id = ?1 AND article_id IN"
                               " (SELECT article_id FROM temp.export_forget)",
    [ST_EXPORT_FILES_PUT] =
        "INSERT INTO export_files(dir_id, article_id, name, path, hash, written)"
        " SELECT ?1, article_id, name, path, hash, ?2 FROM temp.export_wrote WHERE true"
        " ORDER BY article_id, seq ON CONFLICT(dir_id, article_id) DO UPDATE SET"
        " name = excluded.name, path = excluded.path, hash = excluded.hash,"
        " written = excluded.written",
    /* An export's names (fk_store_export_claim). Rows go into a keyed
     * table in the order of its key (ORDER BY: SQLite's sorter, which
     * spills to disk), and are looked up in that order too, so that each
     * page is read once whatever the number of articles, not once an
     * article: the names recorded for the directory are taken... */
    [ST_EXPORT_NAME_ADD] = "INSERT INTO temp.export_names(id, name) VALUES (?1, ?2)",
    [ST_EXPORT_NAMES_TAKE_RECORDED] =
        "INSERT OR IGNORE INTO temp.export_taken(name, seq) SELECT name, NULL FROM export_files"
        " WHERE dir_id = ?1 AND length(CAST(name AS BLOB)) <= ?2 ORDER BY name",
    /* ...the records of the articles exported, by article id (CROSS JOIN:
     * export_files is the outer loop)... */
    [ST_EXPORT_NAMES_INDEX] =
        "CREATE INDEX IF NOT EXISTS temp.export_names_by_id ON export_names(id)",
    [ST_EXPORT_NAMES_RECORDED] = "INSERT INTO temp.export_recorded(seq, name, path, hash)"
                                 " SELECT n.seq, f.name, f.path, f.hash FROM export_files f"
                                 " CROSS JOIN temp.export_names n ON n.id = f.article_id"
                                 " WHERE f.dir_id = ?1 ORDER BY n.seq",
    /* ...give them their recorded names... */
    [ST_EXPORT_NAMES_GIVE_RECORDED] =
        "UPDATE temp.export_names SET fixed = 1, name = (SELECT r.name FROM temp.export_recorded r"
        " WHERE r.seq = export_names.seq) WHERE EXISTS (SELECT 1 FROM temp.export_recorded r"
        " WHERE r.seq = export_names.seq AND length(CAST(r.name AS BLOB)) <= ?1)",
    /* ...then each other name goes to the first wanting it by id
     * (ST_EXPORT_NAME_TAKE in this order), and those who wanted a name
     * another has are the clashes, kept in this order. */
    [ST_EXPORT_NAMES_WANTING] = "SELECT seq, name FROM temp.export_names WHERE NOT fixed"
                                " ORDER BY name, id, seq",
    [ST_EXPORT_CLASH_ADD] = "INSERT INTO temp.export_clashes(seq, name) VALUES (?1, ?2)",
    [ST_EXPORT_CLASHES_LIST] = "SELECT seq, name FROM temp.export_clashes ORDER BY rowid",
    [ST_EXPORT_NAME_TAKE] = "INSERT OR IGNORE INTO temp.export_taken(name, seq) VALUES (?2, ?1)",
    [ST_EXPORT_NAME_SET] = "UPDATE temp.export_names SET name = ?2 WHERE seq = ?1",
    [ST_EXPORT_NAME_GET] = "SELECT n.id, n.name, r.path, r.hash FROM temp.export_names n"
                           " LEFT JOIN temp.export_recorded r ON r.seq = n.seq WHERE n.seq = ?1",
    /* The articles kept are indexed once all are listed (see
     * ST_EXPORT_NAMES_RECORDED). */
    [ST_EXPORT_KEEP] = "INSERT INTO temp.export_kept(id) VALUES (?1)",
    [ST_EXPORT_KEPT_INDEX] = "CREATE INDEX IF NOT EXISTS temp.export_kept_by_id ON export_kept(id)",
    [ST_EXPORT_UNKEPT_LIST] =
        "SELECT article_id, name, path, hash FROM export_files WHERE dir_id = ?1 AND NOT EXISTS"
        " (SELECT 1 FROM temp.export_kept k WHERE k.id = export_files.article_id)"
        " ORDER BY article_id",
    [ST_EXPORT_FORGET] = "INSERT OR IGNORE INTO temp.export_forget(article_id) VALUES (?1)",
    [ST_EXPORT_WROTE] =
        "INSERT INTO temp.export_wrote(article_id, name, path, hash) VALUES (?1, ?2, ?3, ?4)",
    /* listings (store_query.c) */
    [ST_ARTICLE_BY_URL] = "SELECT min(id) FROM (SELECT id FROM articles"
                          " WHERE link_key IS ?2 AND url = ?1"
                          " UNION ALL SELECT id FROM articles WHERE key = 'guid:' || ?1"
                          " UNION ALL SELECT article_id FROM article_aliases"
                          " WHERE key = 'guid:' || ?1)",
    [ST_CODE_GET] = "SELECT " CODE_COLUMNS " FROM code_blocks c JOIN articles a"
                    " ON a.id = c.article_id WHERE c.id = ?1",
    [ST_ARTICLE_FIRST_SEEN] = "SELECT first_seen FROM articles WHERE id = ?1",
    [ST_VERSIONS_LIST] =
        "SELECT id, kind, replaced_at, title, tags_text, length(CAST(text AS BLOB)), text, "
        "markdown,"
        " content_html FROM article_versions WHERE article_id = ?1"
        " UNION ALL SELECT 9223372036854775807, 'current', NULL, title, tags_text,"
        " length(CAST(text AS BLOB)), text, markdown, coalesce(content_html, summary_html)"
        " FROM articles WHERE id = ?1 ORDER BY 1",
    [ST_STATS_SUMMARY] =
        "SELECT (SELECT count(*) FROM feeds WHERE subscribed),"
        " (SELECT count(*) FROM feeds WHERE subscribed AND last_error IS NOT NULL),"
        " (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size),"
        " (SELECT min(date) FROM articles), (SELECT max(date) FROM articles),"
        " (SELECT max(last_fetch) FROM feeds)",
    /* Names starting with ?1 (ASCII case ignored: substr compares, so '%'
     * and '_' in the prefix mean themselves), sorted, at most 200. */
    [ST_COMPLETE_TAGS] = "SELECT name FROM tags WHERE substr(name, 1, length(?1)) = ?1"
                         " COLLATE NOCASE ORDER BY name LIMIT 200",
    [ST_COMPLETE_LANGUAGES] = "SELECT DISTINCT language FROM code_blocks"
                              " WHERE language IS NOT NULL"
                              " AND substr(language, 1, length(?1)) = ?1 COLLATE NOCASE"
                              " ORDER BY language LIMIT 200",
    [ST_COMPLETE_AUTHORS] = "SELECT name FROM authors WHERE substr(name, 1, length(?1)) = ?1"
                            " COLLATE NOCASE ORDER BY name COLLATE NOCASE, name LIMIT 200",
    [ST_COMPLETE_FEEDS] =
        "SELECT x FROM (SELECT name AS x FROM feeds WHERE name IS NOT NULL"
        " UNION SELECT url FROM feeds UNION SELECT CAST(id AS TEXT) FROM feeds)"
        " WHERE substr(x, 1, length(?1)) = ?1 COLLATE NOCASE ORDER BY x LIMIT 200",
    /* feed settings: ?2 says which (enum fk_feed_option), ?3 its value */
    [ST_FEED_OPTION] = "UPDATE feeds SET assets = CASE WHEN ?2 = 0 THEN ?3 ELSE assets END,"
                       " keep_raw = CASE WHEN ?2 = 1 THEN ?3 ELSE keep_raw END,"
                       " private_origin = CASE WHEN ?2 = 2 THEN ?3 ELSE private_origin END"
                       " WHERE id = ?1",
    /* assets */
    [ST_ASSET_REFS_DELETE] = "DELETE FROM article_assets WHERE article_id = ?1",
    [ST_ASSET_URL_ADD] = "INSERT INTO asset_urls(url, created) VALUES (?1, ?2)"
                         " ON CONFLICT(url) DO NOTHING",
    [ST_ASSET_URL_ID] = "SELECT id, failures, status FROM asset_urls WHERE url = ?1",
    [ST_ASSET_REF_INSERT] = "INSERT INTO article_assets(article_id, position, url_id, kind, linked)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_ASSET_REFS_OF] = "SELECT u.url, aa.kind, aa.linked FROM article_assets aa"
                         " JOIN asset_urls u ON u.id = aa.url_id WHERE aa.article_id = ?1"
                         " ORDER BY aa.position",
    [ST_ENCLOSURES_OF] = "SELECT url, type, kind FROM enclosures WHERE article_id = ?1"
                         " ORDER BY position",
    /* Due: pending or failed and past the next try (asset_urls_due), or
     * skipped under a cap whose value ?2 to ?7 (NULL: unknown) now
     * differs, or for the run's bytes; ?8: only for feeds that keep
     * assets; ?9: the limit. */
    [ST_ASSET_DUE] =
        "SELECT d.id, d.url, d.status, d.etag, d.last_modified, d.failures, d.article_id,"
        " coalesce((SELECT af.feed_id FROM article_feeds af WHERE af.article_id = d.article_id"
        " ORDER BY af.rowid LIMIT 1), 0),"
        " (SELECT aa.kind FROM article_assets aa WHERE aa.article_id = d.article_id"
        " AND aa.url_id = d.id ORDER BY aa.position LIMIT 1),"
        " EXISTS (SELECT 1 FROM article_assets aa JOIN article_feeds af"
        " ON af.article_id = aa.article_id JOIN feeds f ON f.id = af.feed_id"
        " WHERE aa.url_id = d.id AND f.private_origin)"
        " FROM (SELECT u.id, u.url, u.status, u.etag, u.last_modified, u.failures,"
        " (SELECT min(aa.article_id) FROM article_assets aa WHERE aa.url_id = u.id) AS article_id"
        " FROM asset_urls u"
        " WHERE u.id IN (SELECT id FROM asset_urls WHERE status IN ('pending', 'failed')"
        " AND (next_try IS NULL OR next_try <= ?1)"
        " UNION ALL SELECT id FROM asset_urls WHERE status = 'skipped' AND (reason = 'run bytes'"
        " OR cap IS NOT coalesce(CASE reason WHEN 'too large' THEN ?2"
        " WHEN 'per-article count' THEN ?3 WHEN 'per-article bytes' THEN ?4"
        " WHEN 'archive budget' THEN ?5 WHEN 'private address' THEN ?6"
        " WHEN 'video/audio not enabled' THEN ?7 END, cap)))"
        " AND EXISTS (SELECT 1 FROM article_assets aa WHERE aa.url_id = u.id)"
        " AND (NOT ?8 OR EXISTS (SELECT 1 FROM article_assets aa JOIN article_feeds af"
        " ON af.article_id = aa.article_id JOIN feeds f ON f.id = af.feed_id"
        " WHERE aa.url_id = u.id AND f.assets))"
        " ORDER BY u.id LIMIT ?9) d ORDER BY d.id",
    [ST_ASSET_INSERT] = "INSERT INTO assets(sha256, mime, size, created, data)"
                        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(sha256) DO NOTHING",
    [ST_ASSET_FIND_SHA] = "SELECT id FROM assets WHERE sha256 = ?1",
    [ST_ASSET_URL_STORED] =
        "INSERT INTO asset_urls(url, created, asset_id, status, etag, last_modified, last_try)"
        " VALUES (?1, ?2, ?3, 'stored', ?4, ?5, ?2) ON CONFLICT(url) DO UPDATE SET"
        " asset_id = excluded.asset_id, status = 'stored', reason = NULL, cap = NULL,"
        " etag = excluded.etag, last_modified = excluded.last_modified, failures = 0,"
        " next_try = NULL, last_try = excluded.last_try",
    [ST_ASSET_URL_NOT_MODIFIED] = "UPDATE asset_urls SET failures = 0, next_try = NULL,"
                                  " last_try = ?2 WHERE url = ?1",
    /* A stored URL keeps its asset and state. */
    [ST_ASSET_URL_FAILED] =
        "UPDATE asset_urls SET status = CASE WHEN status = 'stored' THEN status ELSE 'failed' END,"
        " reason = CASE WHEN status = 'stored' THEN reason ELSE ?2 END, cap = NULL,"
        " failures = ?3, next_try = ?4, last_try = ?5 WHERE id = ?1",
    [ST_ASSET_URL_SKIPPED] = "UPDATE asset_urls SET status = 'skipped', reason = ?2, cap = ?3,"
                             " next_try = NULL, last_try = ?4 WHERE url = ?1",
    /* ?2: the archive's total too (it reads a page of every asset). */
    [ST_ASSET_USAGE] =
        "SELECT count(*), coalesce(sum(size), 0),"
        " CASE WHEN ?2 THEN (SELECT coalesce(sum(size), 0) FROM assets) ELSE 0 END"
        " FROM assets WHERE id IN (SELECT u.asset_id FROM article_assets aa JOIN asset_urls u"
        " ON u.id = aa.url_id WHERE aa.article_id = ?1 AND u.status = 'stored')",
    /* ?1 article, ?2 feed (0: any), ?3 the type's first part, ?4 status
     * (NULL: any), ?5 limit. */
    [ST_ASSET_LIST] =
        "SELECT coalesce(aa.article_id, 0), coalesce(aa.position, 0), coalesce(aa.kind, 'image'),"
        " coalesce(aa.linked, 0), u.url, u.status, u.reason, a.size, a.mime, a.sha256"
        " FROM asset_urls u LEFT JOIN article_assets aa ON aa.url_id = u.id"
        " LEFT JOIN assets a ON a.id = u.asset_id AND u.status = 'stored'"
        " WHERE (?1 = 0 OR aa.article_id = ?1)"
        " AND (?2 = 0 OR EXISTS (SELECT 1 FROM article_feeds af"
        " WHERE af.article_id = aa.article_id AND af.feed_id = ?2))"
        " AND (?3 IS NULL OR substr(a.mime, 1, length(?3) + 1) = ?3 || '/')"
        " AND (?4 IS NULL OR u.status = ?4)"
        " ORDER BY aa.article_id IS NULL, aa.article_id, aa.position, u.url LIMIT ?5",
    [ST_ASSET_SHA_PREFIX] = "SELECT id FROM assets WHERE substr(hex(sha256), 1, length(?1))"
                            " = upper(?1) LIMIT 2",
    [ST_ASSET_URL_ASSET] = "SELECT asset_id FROM asset_urls WHERE url = ?1"
                           " AND asset_id IS NOT NULL",
    [ST_ASSET_GET] = "SELECT id, sha256, mime, size, created, data FROM assets WHERE id = ?1",
    [ST_ASSET_STATS] =
        "SELECT (SELECT count(*) FROM assets), (SELECT coalesce(sum(size), 0) FROM assets),"
        " count(*), coalesce(sum(status = 'stored'), 0), coalesce(sum(status = 'pending'), 0),"
        " coalesce(sum(status = 'failed'), 0), coalesce(sum(status = 'skipped'), 0),"
        " (SELECT coalesce(sum(a.size), 0) FROM asset_urls s JOIN assets a ON a.id = s.asset_id"
        " WHERE s.status = 'stored')"
        " FROM asset_urls",
    [ST_ASSET_CHECK_STORED] = "SELECT url FROM asset_urls u WHERE status = 'stored'"
                              " AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = u.asset_id)"
                              " ORDER BY id",
    [ST_ASSET_CHECK_ORPHANS] = "SELECT lower(hex(sha256)) FROM assets a WHERE NOT EXISTS"
                               " (SELECT 1 FROM asset_urls u WHERE u.asset_id = a.id) ORDER BY id",
    [ST_ASSET_CHECK_REFS] = "SELECT article_id, position FROM article_assets aa WHERE NOT EXISTS"
                            " (SELECT 1 FROM asset_urls u WHERE u.id = aa.url_id)"
                            " ORDER BY article_id, position",
    [ST_ASSET_CHECK_BYTES] = "SELECT id, sha256, size, data FROM assets ORDER BY id",
    /* raw documents */
    [ST_RAW_KEEP] = "SELECT keep_raw FROM feeds WHERE id = ?1",
    [ST_RAW_INSERT] = "INSERT INTO raw_documents(feed_id, url, time, status, content_type, etag,"
                      " last_modified, date, size, compression, data)"
                      " VALUES (?1, ?2, ?3, nullif(?4, 0), ?5, ?6, ?7, ?8, ?9, 'zstd', ?10)",
    [ST_RAW_LIST] = "SELECT id, feed_id, url, time, status, content_type, etag, last_modified,"
                    " date, size, data, compression FROM raw_documents WHERE ?1 = 0 OR feed_id = ?1"
                    " ORDER BY id",
    [ST_RAW_STATS] = "SELECT count(*), coalesce(sum(length(data)), 0), coalesce(sum(size), 0)"
                     " FROM raw_documents",
    /* reparse */
    [ST_ARTICLE_IDS] = "SELECT id FROM articles ORDER BY id",
    [ST_SOURCE_GET] =
        "SELECT a.id, a.title, CASE WHEN p.used THEN p.html"
        " ELSE coalesce(a.content_html, a.summary_html) END AS html,"
        " CASE WHEN p.used THEN p.base_url ELSE coalesce(a.base_url,"
        " (SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id"
        " WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1)) END"
        " FROM articles a LEFT JOIN article_pages p ON p.article_id = a.id WHERE a.id = ?1",
    [ST_FEED_SOURCE_GET] =
        "SELECT a.id, a.title, coalesce(a.content_html, a.summary_html) AS html, "
        "coalesce(a.base_url,"
        " (SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id"
        " WHERE af.article_id = a.id ORDER BY af.rowid LIMIT 1)) FROM articles a WHERE a.id = ?1",
    /* The HTML is what the Markdown is packed against (store_pack.c). */
    [ST_REPARSE_READ] = "SELECT text, markdown, title, coalesce(content_html, summary_html) AS html"
                        " FROM articles WHERE id = ?1",
    [ST_REPARSE_CODE] = "SELECT c.language, " CODE_TEXT ", c.lines FROM code_blocks c"
                        " JOIN articles a ON a.id = c.article_id WHERE c.article_id = ?1"
                        " ORDER BY c.position",
    [ST_REPARSE_UPDATE] = "UPDATE articles SET text = ?2, markdown = ?3, content_hash = ?4"
                          " WHERE id = ?1",
    /* article pages */
    [ST_API_STATE] = "SELECT edited, markdown IS NOT NULL FROM article_api WHERE article_id = ?1",
    [ST_API_COUNTS] = "UPDATE article_api SET reading_minutes = coalesce(?2, reading_minutes),"
                      " reactions = coalesce(?3, reactions), comments = coalesce(?4, comments),"
                      " counted = ?5 WHERE article_id = ?1",
    [ST_API_GET] = "SELECT api_id, url, canonical_url, markdown, series, organization, edited,"
                   " reading_minutes, reactions, comments FROM article_api WHERE article_id = ?1",
    [ST_FULL_TEXT_SET] = "UPDATE feeds SET full_text = ?2 WHERE id = ?1",
    /* ?2: now; ?3: 1 when the feed's full_text is on (skipped pages are
     * wanted then). */
    [ST_PAGE_DUE] =
        "SELECT a.id, a.url, coalesce(a.content_html, a.summary_html) AS html, a.text, p.etag,"
        " p.last_modified, p.status FROM article_feeds af JOIN articles a ON a.id = af.article_id"
        " LEFT JOIN article_pages p ON p.article_id = a.id"
        " WHERE af.feed_id = ?1 AND (a.url LIKE 'http://%' OR a.url LIKE 'https://%')"
        " AND (p.article_id IS NULL OR p.source_hash IS NOT a.source_hash"
        " OR (p.status = 'failed' AND p.next_try <= ?2) OR (p.status = 'skipped' AND ?3))"
        " ORDER BY a.id DESC",
    [ST_PAGE_READ] = "SELECT a.text, p.status, p.html, p.text_length, p.feed_length, p.used,"
                     " p.failures FROM articles a LEFT JOIN article_pages p"
                     " ON p.article_id = a.id WHERE a.id = ?1",
    /* A row for the article's page as it stands, kept when there is one:
     * ?2 its URL. */
    [ST_PAGE_ENSURE] =
        "INSERT INTO article_pages(article_id, url, status) VALUES (?1, ?2, 'skipped')"
        " ON CONFLICT(article_id) DO NOTHING",
    /* The attempt: ?2 status, ?3 time, ?4 HTTP status, ?5 error, ?6
     * failures, ?7 next try, ?8 url. */
    [ST_PAGE_ATTEMPT] = "UPDATE article_pages SET status = ?2, fetched = ?3, http_status = ?4,"
                        " error = ?5, failures = ?6, next_try = ?7, url = ?8,"
                        " source_hash = (SELECT source_hash FROM articles WHERE id = ?1)"
                        " WHERE article_id = ?1",
    /* The page's article: ?2 validators ?3, ?4 base, ?5 html, ?6 title,
     * ?7 byline, ?8 text length, ?9 stored. */
    [ST_PAGE_STORE] = "UPDATE article_pages SET etag = ?2, last_modified = ?3, base_url = ?4,"
                      " html = ?5, title = ?6, byline = ?7, text_length = ?8, stored = ?9"
                      " WHERE article_id = ?1",
    [ST_PAGE_USE] = "UPDATE article_pages SET used = ?2, feed_length = ?3 WHERE article_id = ?1",
    [ST_PAGE_UNUSE] = "UPDATE article_pages SET used = 0 WHERE article_id = ?1",
    [ST_PAGE_IN_USE] = "SELECT used FROM article_pages WHERE article_id = ?1",
    [ST_PAGE_GET] = "SELECT url, status, fetched, http_status, etag, last_modified, failures,"
                    " next_try, error, stored, base_url, html, title, byline, used"
                    " FROM article_pages WHERE article_id = ?1",
};
/* ---- small helpers -------------------------------------------------------- */

int store_db_error(struct fk_store *store, struct fk_error *err)
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

/* Step a statement that returns no rows (or whose rows do not matter) and
 * reset it. Returns 0, or -1 with err filled. */
int store_run(struct fk_store *store, enum stmt_id id, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, id);
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

/* Bind failures leave their message in the connection like step failures. */
int store_bind_failed(struct fk_store *store, enum stmt_id id, struct fk_error *err)
{
    stmt_reset(store->stmts[id]);
    return store_db_error(store, err);
}

/* Statement id, prepared when first asked for; NULL with err filled. */
sqlite3_stmt *store_stmt(struct fk_store *store, enum stmt_id id, struct fk_error *err)
{
    if (!store->stmts[id] &&
        sqlite3_prepare_v3(store->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &store->stmts[id], NULL) != SQLITE_OK) {
        store_db_error(store, err);
        return NULL;
    }
    return store->stmts[id];
}

int store_each_row(struct fk_store *store, sqlite3_stmt *st, store_row_fn *fn, void *ctx,
                   struct fk_error *err)
{
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn(st, ctx);
    int ret = stop ? stop : rc == SQLITE_DONE ? 0 : store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

int store_row_done(struct fk_store *store, sqlite3_stmt *st, int rc, struct fk_error *err)
{
    int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

int store_step_row(struct fk_store *store, sqlite3_stmt *st, struct fk_error *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    stmt_reset(st);
    return rc == SQLITE_DONE ? 0 : store_db_error(store, err);
}

/* store_run() for a statement whose only parameter is an id. */
int store_run_with_id(struct fk_store *store, enum stmt_id id, int64_t value, struct fk_error *err)
{
    if (bind_int64(stmt_of(store, id), 1, value))
        return store_bind_failed(store, id, err);
    return store_run(store, id, err);
}

/* Step a statement that returns at most one row whose first column is an
 * integer. Returns 1 with *value set, 0 when there is no row, -1 on error.
 * The statement is reset either way. */
int store_run_int64(struct fk_store *store, enum stmt_id id, int64_t *value, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, id);
    int rc = sqlite3_step(st);
    int ret;
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64(st, 0);
        ret = 1;
    } else if (rc == SQLITE_DONE) {
        ret = 0;
    } else {
        ret = store_db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

/* s without leading and trailing white space, as start and length; NULL
 * gives length 0. */
const char *store_trim(const char *s, size_t *len)
{
    if (!s) {
        *len = 0;
        return "";
    }
    while (fk_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && fk_is_space(s[n - 1]))
        n--;
    *len = n;
    return s;
}

void store_tag_list_clear(struct tag_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    list->count = 0;
}

void store_tag_list_release(struct tag_list *list)
{
    store_tag_list_clear(list);
    free(list->names);
    list->names = NULL;
    list->cap = 0;
}

/* Take ownership of name. */
void store_tag_list_push(struct tag_list *list, char *name)
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
void store_normalize_tags(struct tag_list *list, const char *const *tags, size_t ntags)
{
    store_tag_list_clear(list);
    for (size_t i = 0; i < ntags; i++) {
        size_t len;
        const char *s = store_trim(tags[i], &len);
        if (!len)
            continue;
        char *name = fk_xmalloc(len + 1);
        size_t n = 0;
        for (size_t j = 0; j < len; j++) {
            if (fk_is_space(s[j])) {
                if (!fk_is_space(s[j - 1])) /* j > 0: s is trimmed */
                    name[n++] = ' ';
            } else {
                name[n++] = fk_ascii_lower(s[j]);
            }
        }
        name[n] = '\0';
        store_tag_list_push(list, name);
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
char *store_lower_dup(const char *s)
{
    if (!s || !*s)
        return NULL;
    char *copy = fk_xstrdup(s);
    for (char *p = copy; *p; p++)
        *p = fk_ascii_lower(*p);
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

int store_exec_sql(struct fk_store *store, const char *sql, struct fk_error *err)
{
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    return store_db_error(store, err); /* sqlite3_errmsg holds exec's message */
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
        return store_db_error(store, err);
    if (rc != SQLITE_OK)
        return fk_error_set(err, FK_ERROR_DB, "cannot open archive '%s': %s", store->path,
                            sqlite3_errmsg(store->db));
    if (query_int64(store->db, "PRAGMA user_version", version) != SQLITE_OK ||
        query_int64(store->db, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK)
        return store_db_error(store, err);
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

    if (store_exec_sql(store, "BEGIN IMMEDIATE", err) < 0)
        goto out;
    in_transaction = true;
    if (query_int64(store->db, "PRAGMA user_version", &version) != SQLITE_OK) {
        store_db_error(store, err);
        goto out;
    }
    if (version > SCHEMA_VERSION) {
        newer_archive(store, version, err);
        goto out;
    }
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        if (migrations[i].version <= version)
            continue;
        if (migrations[i].before && migrations[i].before(store, err) < 0)
            goto out;
        for (const char *const *sql = migrations[i].sql; *sql; sql++) {
            if (store_exec_sql(store, *sql, err) < 0)
                goto out;
        }
    }
    /* Pragmas take no parameters; both values are our own constants. */
    snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             APPLICATION_ID, SCHEMA_VERSION);
    if (store_exec_sql(store, pragmas, err) < 0 || store_exec_sql(store, "COMMIT", err) < 0)
        goto out;
    in_transaction = false;
    ret = 0;
out:
    if (in_transaction && !sqlite3_get_autocommit(store->db))
        (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err already says why */
    return ret;
}

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

bool fk_store_is_postgresql_location(const char *location)
{
    return pg_is_location(location);
}

bool fk_store_is_postgresql(const struct fk_store *store)
{
    return store->pg != NULL;
}

struct fk_store *fk_store_open_mode(const char *path, enum fk_open_mode mode, struct fk_error *err)
{
    if (pg_is_location(path)) {
        struct pg_store *pg = store_pg_open(path, mode, err);
        if (!pg)
            return NULL;
        struct fk_store *store = fk_xcalloc(1, sizeof *store);
        store->pg = pg;
        store->path = fk_xstrdup(store_pg_location(pg));
        fk_buf_init(&store->tags_text, 0);
        return store;
    }
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
    /* For the migration to schema 6 (see schema_v6), and the versions'
     * text (ST_VERSION_SAVE). */
    if (sqlite3_create_function(store->db, "feedkeep_link_key", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                store_sql_link_key, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(store->db, "feedkeep_pack_against", 2,
                                SQLITE_UTF8 | SQLITE_DIRECTONLY, store, store_sql_pack_against,
                                NULL, NULL) != SQLITE_OK) {
        store_db_error(store, err);
        goto out;
    }
    if (mode == FK_OPEN_EXISTING && version == 0) {
        int64_t objects = 0;
        if (query_int64(store->db, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK) {
            store_db_error(store, err);
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
        if (store_exec_sql(store, "PRAGMA foreign_keys = ON;", err) < 0)
            goto out;
    } else {
        /* WAL lets queries run while a fetch writes; NORMAL sync is durable
         * in WAL mode except for the last commits on power loss, never
         * corrupting. A large feed is one large transaction: once it is
         * checkpointed the WAL file is cut back to 64 MiB rather than
         * keeping its peak size. */
        if (store_exec_sql(store,
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
    store_pg_close(store->pg);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(store->stmts[i]);
    /* With every statement finalized sqlite3_close cannot be busy; it rolls
     * back a feed that was begun and never ended. */
    (void)sqlite3_close(store->db);
    store_pack_release(store);
    store_tag_list_release(&store->tags);
    fk_buf_release(&store->tags_text);
    free(store->author_name);
    free(store->author_email);
    free(store->feed_url);
    store_pending_release(&store->pending);
    store_filed_release(&store->filed);
    free(store->feed_url_key);
    free(store->site_url_key);
    free(store->path);
    free(store);
}
