-- An archive as feedkeep 0.1.0 wrote it (schema version 1): the feed
-- http://example.com/feed.xml, imported, with one article whose guid is not
-- a URL. Made by importing that document with feedkeep 0.1.0 and dumping
-- the file with sqlite3's .dump; test_subscriptions loads it to check that
-- the migrations keep it.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,  -- the document's URL
    title         TEXT,
    site_url      TEXT,
    etag          TEXT,                  -- validators for conditional GET
    last_modified TEXT,
    last_fetch    INTEGER,
    last_status   INTEGER,               -- HTTP status of the last fetch
    failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive failed fetches
    next_fetch    INTEGER,               -- no fetch before this (backoff)
    created       INTEGER NOT NULL
);
INSERT INTO feeds VALUES(1,'http://example.com/feed.xml','Old feed',NULL,NULL,NULL,NULL,NULL,0,NULL,1795535460);
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    content_hash  INTEGER NOT NULL,  -- of title, text and tags: what counts as a change
    source_hash   INTEGER NOT NULL,  -- of title, HTML and tags: lets a re-import skip
                                     -- converting content it already has
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    published     INTEGER,
    updated       INTEGER,
    guid          TEXT,
    url           TEXT,
    title         TEXT,
    author        TEXT,
    published_raw TEXT,
    updated_raw   TEXT,
    tags_text     TEXT NOT NULL DEFAULT '',  -- sorted tag names joined by spaces
    text          TEXT NOT NULL DEFAULT '',
    markdown      TEXT NOT NULL DEFAULT '',
    summary_html  TEXT,
    content_html  TEXT
);
INSERT INTO articles VALUES(1,'feed:http://example.com/feed.xml guid:old-1',2557108377956817745,8076301522998937938,1795535460,1795535460,NULL,NULL,'old-1',NULL,'Plain guid',NULL,NULL,NULL,'history',replace('Filed by feedkeep 0.1.0.\n','\n',char(10)),replace('Filed by feedkeep 0.1.0.\n','\n',char(10)),'<p>Filed by feedkeep 0.1.0.</p>',NULL);
CREATE TABLE article_feeds (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, feed_id)
);
INSERT INTO article_feeds VALUES(1,1);
CREATE TABLE article_versions (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    replaced_at  INTEGER NOT NULL,
    title        TEXT,
    text         TEXT,
    markdown     TEXT,
    content_html TEXT,
    tags_text    TEXT,
    content_hash INTEGER
);
CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (name <> '')
);
INSERT INTO tags VALUES(1,'history');
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    published  INTEGER,  -- = articles.published
    PRIMARY KEY (article_id, tag_id)
) WITHOUT ROWID;
INSERT INTO article_tags VALUES(1,1,NULL);
CREATE TABLE code_blocks (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,      -- 0-based
    language   TEXT COLLATE NOCASE,   -- NULL when the HTML named none
    code       TEXT NOT NULL,
    lines      INTEGER NOT NULL,
    UNIQUE (article_id, position)
);
CREATE TABLE fetches (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    time          INTEGER NOT NULL,
    status        INTEGER,   -- HTTP status, NULL when there was no response
    bytes         INTEGER,
    duration_ms   INTEGER,
    new_count     INTEGER,
    updated_count INTEGER,
    error         TEXT       -- NULL on success
);
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','articles_fts','articles_fts',0,'CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, tags, content=''articles_fts_source'', content_rowid=''id''
)');
CREATE TABLE IF NOT EXISTS 'articles_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO articles_fts_data VALUES(1,X'01020601');
INSERT INTO articles_fts_data VALUES(10,X'000000000101010001010101');
INSERT INTO articles_fts_data VALUES(137438953473,X'0000005902303001080101050401013101060101060102627901060101030108666565646b65657001060101040204696c656401060101020104677569640102030107686973746f727901060102020105706c61696e010202040908090f0b090e');
CREATE TABLE IF NOT EXISTS 'articles_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO articles_fts_idx VALUES(1,X'',2);
CREATE TABLE IF NOT EXISTS 'articles_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO articles_fts_docsize VALUES(1,X'020601');
CREATE TABLE IF NOT EXISTS 'articles_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO articles_fts_config VALUES('version',4);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX article_feeds_feed ON article_feeds(feed_id);
CREATE INDEX article_versions_article ON article_versions(article_id);
CREATE INDEX article_tags_tag ON article_tags(tag_id, published, article_id);
CREATE INDEX code_blocks_language ON code_blocks(language);
CREATE INDEX fetches_feed_time ON fetches(feed_id, time);
CREATE VIEW articles_fts_source AS
    SELECT id, title, text, tags_text AS tags FROM articles;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text, tags)
        VALUES ('delete', old.id, old.title, old.text, old.tags_text);
END;
PRAGMA writable_schema=OFF;
COMMIT;
PRAGMA application_id = 1718314341;
PRAGMA user_version = 1;
