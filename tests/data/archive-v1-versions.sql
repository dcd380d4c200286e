-- An archive as feedkeep 0.1.0 wrote it (schema version 1): two articles of
-- one feed, the first changed once (one earlier version). Made by importing
-- two small feeds with that feedkeep and dumping the file with sqlite3's
-- .dump; test_store loads it to check that migrations keep everything.
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
INSERT INTO feeds VALUES(1,'https://v1.example/','Schema one','https://v1.example/',NULL,NULL,NULL,NULL,0,NULL,1795535051);
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
INSERT INTO articles VALUES(1,'guid:https://v1.example/1',6943341343120353951,3495989291070216058,1795535051,1795535051,1780308000,NULL,'https://v1.example/1','https://v1.example/1','Query planners','Ada','Mon, 01 Jun 2026 10:00:00 GMT',NULL,'database',replace('The planner picks an index, usually the right one.\n\nSELECT 1;\n','\n',char(10)),replace('The planner picks an index, usually the right one.\n\n``` sql\nSELECT 1;\n```\n','\n',char(10)),replace('<p>The planner picks an index, usually the right one.</p><pre><code class="language-sql">SELECT 1;\n</code></pre>','\n',char(10)),NULL);
INSERT INTO articles VALUES(2,'guid:https://v1.example/2',2162995114365504999,-1830205961304029218,1795535051,1795535051,1780394400,NULL,'https://v1.example/2','https://v1.example/2','Second',NULL,'Tue, 02 Jun 2026 10:00:00 GMT',NULL,'',replace('Another text.\n','\n',char(10)),replace('Another text.\n','\n',char(10)),'<p>Another text.</p>',NULL);
CREATE TABLE article_feeds (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, feed_id)
);
INSERT INTO article_feeds VALUES(1,1);
INSERT INTO article_feeds VALUES(2,1);
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
INSERT INTO article_versions VALUES(1,1,1795535051,'Query planners',replace('The planner picks an index.\n\nSELECT 1;\n','\n',char(10)),replace('The planner picks an index.\n\n``` sql\nSELECT 1;\n```\n','\n',char(10)),NULL,'database',-5895301358038812941);
CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (name <> '')
);
INSERT INTO tags VALUES(1,'database');
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    published  INTEGER,  -- = articles.published
    PRIMARY KEY (article_id, tag_id)
) WITHOUT ROWID;
INSERT INTO article_tags VALUES(1,1,1780308000);
CREATE TABLE code_blocks (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,      -- 0-based
    language   TEXT COLLATE NOCASE,   -- NULL when the HTML named none
    code       TEXT NOT NULL,
    lines      INTEGER NOT NULL,
    UNIQUE (article_id, position)
);
INSERT INTO code_blocks VALUES(1,1,0,'sql',replace('SELECT 1;\n','\n',char(10)),1);
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
INSERT INTO articles_fts_data VALUES(1,X'02030d01');
INSERT INTO articles_fts_data VALUES(10,X'000000000103030003010101020101030101');
INSERT INTO articles_fts_data VALUES(137438953473,X'0000008f02303101060101080102616e010601010503056f7468657202060101020108646174616261736501060102020105696e646578010601010601057069636b73010601010402066c616e6e657201060101030801730102030105717565727901020201067365636f6e6402020203046c656374010601010701047465787402060101030202686501060101020408090c0f0c0c0d060a0b0b0b');
INSERT INTO articles_fts_data VALUES(274877906945,X'0000005602303101010102616e01010108646174616261736501010105696e646578010101057069636b73010102066c616e6e657201010801730101010571756572790101010673656c6563740101010374686501010405060c09090a05090a');
INSERT INTO articles_fts_data VALUES(412316860417,X'00000095023031010601010c0102616e01060101050108646174616261736501060102020105696e646578010601010601036f6e65010601010a01057069636b73010601010402066c616e6e6572010601010308017301020301057175657279010202010572696768740106010109010673656c656374010601010b01037468650108010102080107757375616c6c7901060101070408090f0c0a0c0d060a0c0d0b');
CREATE TABLE IF NOT EXISTS 'articles_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO articles_fts_idx VALUES(1,X'',2);
INSERT INTO articles_fts_idx VALUES(2,X'',2);
INSERT INTO articles_fts_idx VALUES(3,X'',2);
CREATE TABLE IF NOT EXISTS 'articles_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO articles_fts_docsize VALUES(1,X'020b01');
INSERT INTO articles_fts_docsize VALUES(2,X'010200');
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
