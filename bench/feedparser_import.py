#!/usr/bin/env python3
"""The peer in bench/compare.py: what a competent Python programmer would
write to archive a feed the way feedkeep does, in spirit, with feedparser
and sqlite3.

usage: feedparser_import.py FEED.xml ARCHIVE.db

Parses the feed with feedparser and stores each entry's guid, link, title,
author, dates (as written and as unix seconds), feedparser's sanitised HTML,
a plain text made from it and its tags, with a full-text index over title
and text, all in one transaction. An entry whose guid is already archived is
skipped. Needs python3-feedparser (Debian) or feedparser (PyPI).
"""
import calendar
import html.parser
import sqlite3
import sys

import feedparser

SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS articles (
    id            INTEGER PRIMARY KEY,
    guid          TEXT NOT NULL UNIQUE,
    link          TEXT,
    title         TEXT,
    author        TEXT,
    published     INTEGER,
    updated       INTEGER,
    published_raw TEXT,
    updated_raw   TEXT,
    html          TEXT,
    text          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    tag_id     INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (article_id, tag_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, content='articles', content_rowid='id'
);
"""

# Elements after which the text gets a line break, so that words of
# neighbouring paragraphs, list items and cells do not run together.
BLOCKS = {'p', 'div', 'br', 'li', 'ul', 'ol', 'pre', 'blockquote', 'tr', 'td', 'th',
          'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'figure', 'figcaption'}
SKIPPED = {'script', 'style'}


class TextExtractor(html.parser.HTMLParser):
    """Plain text of an HTML fragment: character data with entities decoded,
    line breaks at block elements, nothing from script or style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append('\n')

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append('\n')

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self):
        lines = (' '.join(line.split()) for line in ''.join(self.parts).split('\n'))
        return '\n'.join(line for line in lines if line)


def html_to_text(fragment):
    extractor = TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return extractor.text()


def unix_time(parsed):
    """feedparser's UTC struct_time as unix seconds, or None."""
    return calendar.timegm(parsed) if parsed else None


def entry_html(entry):
    """The entry's content (Atom content, content:encoded), else its summary
    (RSS description, Atom summary): feedparser has sanitised both."""
    if entry.get('content'):
        return entry.content[0].value
    return entry.get('summary', '')


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: feedparser_import.py FEED.xml ARCHIVE.db')
    feed_path, db_path = sys.argv[1], sys.argv[2]
    parsed = feedparser.parse(feed_path)
    if parsed.bozo and not parsed.entries:
        sys.exit('%s: %s' % (feed_path, parsed.bozo_exception))

    db = sqlite3.connect(db_path, isolation_level=None)
    db.executescript(SCHEMA)
    tag_ids = {}
    added = 0
    db.execute('BEGIN')
    for entry in parsed.entries:
        guid = entry.get('id') or entry.get('link')
        if not guid:
            continue
        body_html = entry_html(entry)
        text = html_to_text(body_html)
        title = entry.get('title', '')
        cursor = db.execute(
            'INSERT OR IGNORE INTO articles (guid, link, title, author, published, updated,'
            ' published_raw, updated_raw, html, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (guid, entry.get('link'), title, entry.get('author'),
             unix_time(entry.get('published_parsed')), unix_time(entry.get('updated_parsed')),
             entry.get('published'), entry.get('updated'), body_html, text))
        if cursor.rowcount == 0:
            continue  # archived already
        article_id = cursor.lastrowid
        db.execute('INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)',
                   (article_id, title, text))
        names = {t.get('term', '').strip().lower() for t in entry.get('tags', [])}
        for name in names - {''}:
            tag_id = tag_ids.get(name)
            if tag_id is None:
                db.execute('INSERT OR IGNORE INTO tags (name) VALUES (?)', (name,))
                tag_id = db.execute('SELECT id FROM tags WHERE name = ?', (name,)).fetchone()[0]
                tag_ids[name] = tag_id
            db.execute('INSERT OR IGNORE INTO article_tags (article_id, tag_id) VALUES (?, ?)',
                       (article_id, tag_id))
        added += 1
    db.execute('COMMIT')
    db.close()
    print('%s: %d new' % (feed_path, added))


if __name__ == '__main__':
    main()
