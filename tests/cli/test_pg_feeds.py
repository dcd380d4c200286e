#!/usr/bin/env python3
"""Subscriptions, the fetch log and fetch runs on a PostgreSQL archive,
differential: every command runs on a SQLite archive and on a fresh
PostgreSQL database, and what it prints and exits with must be the same
(the archive's location masked, and the times of fetches, which the two
runs take at different seconds). What a fetch leaves in the archive (the
feed's validators, status, failures and backoff, the fetch log, the run
log) is compared through SQL. The fetches are of feeds that fail (404, 500,
a refused connection, Retry-After) or are not modified (304), so that no
article is filed.

usage: test_pg_feeds.py FEEDKEEP DATADIR CLUSTERDIR

CLUSTERDIR is a running cluster (tests/pgcluster.py start DIR). Against
the loopback server tests/httpd.py, which the test starts and stops. No
network.
"""
import json
import os
import re
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import check, query  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import httpd  # noqa: E402 - tests/httpd.py
import pgcluster  # noqa: E402 - tests/pgcluster.py

FAST = ['--connect-timeout', '2', '--timeout', '10', '--stall-time', '3']
# Times as the formats print them: ISO 8601, and the table's local minutes
# (two runs a moment apart can fall on either side of a minute).
ISO = re.compile(r'\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\dZ| \d\d:\d\d)')


class Pair:
    """A SQLite archive and a PostgreSQL one, for the same commands."""

    def __init__(self, tmp, cluster, name):
        self.tmp = tmp
        self.cluster = cluster
        self.dbname = name
        self.sqlite = os.path.join(tmp, name + '.db')
        self.pg = pgcluster.database(cluster, name)

    def mask(self, text):
        text = text.replace(self.pg, 'ARCHIVE').replace(self.sqlite, 'ARCHIVE')
        return ISO.sub('TIME', text)

    def both(self, *args, stdin=None, what=None, mask=None, sort=False):
        """Run args on both archives; check they answer the same; returns
        the SQLite run's (status, stdout, stderr), masked."""
        runs = []
        for db in (self.sqlite, self.pg):
            rc, out, err = fktest.run(*args, db=db, stdin=stdin, cwd=self.tmp)
            out, err = self.mask(out), self.mask(err)
            if mask:
                out, err = mask(out), mask(err)
            if sort:
                out = ''.join(sorted(out.splitlines(True)))
                err = ''.join(sorted(err.splitlines(True)))
            runs.append((rc, out, err))
        if os.environ.get('PG_FEEDS_SHOW'):
            print('## %s\n%r' % (' '.join(args), runs[0]))
        check(runs[0] == runs[1], '%s: SQLite %r, PostgreSQL %r'
              % (what or ' '.join(args), runs[0], runs[1]))
        return runs[0]

    def sql(self, sqlite_sql, pg_sql, what):
        """The rows of a statement on each archive (PostgreSQL's as JSON,
        booleans as 0 and 1); checks they are the same; returns them."""
        lite = [list(row) for row in query(self.sqlite, sqlite_sql)]
        out = pgcluster.psql(self.cluster, 'SELECT coalesce(json_agg(json_build_array(%s)), '
                             "'[]') FROM (%s) q" % (', '.join('q.c%d' % i for i in
                                                              range(len(lite[0]) if lite else 1)),
                                                    pg_sql), self.dbname)
        pg = json.loads(out)
        check(lite == pg, '%s: SQLite %r, PostgreSQL %r' % (what, lite, pg))
        return lite

    def pg_rows(self, sql):
        return json.loads(pgcluster.psql(self.cluster,
                                         "SELECT coalesce(json_agg(q), '[]') FROM (%s) q" % sql,
                                         self.dbname))

    def both_sql(self, sql_lite, sql_pg):
        """Change both archives by hand."""
        query(self.sqlite, sql_lite)
        pgcluster.psql(self.cluster, sql_pg, self.dbname)


def columns(*exprs):
    """A select list naming its columns c0, c1, ... (for Pair.sql)."""
    return ', '.join('%s AS c%d' % (e, i) for i, e in enumerate(exprs))


# A Retry-After date is a whole second the server reads from its clock
# after the fetch began: the delay it gives is an hour, or an hour and one
# second when the clock ticked in between. Such delays are compared to the
# even second below.
DELAY = "CASE WHEN url LIKE '%%retry=date%%' THEN (%s) / 2 * 2 ELSE %s END"

FEED_STATE_LITE = columns('id', 'url', 'name', 'etag', 'last_modified', 'last_status',
                          'failures', DELAY % (('next_fetch - last_fetch',) * 2),
                          'last_error', 'final_url',
                          'moved_to', 'subscribed', 'assets', 'keep_raw', 'private_origin',
                          'full_text', 'last_fetch IS NULL',
                          'last_fetch = (SELECT max(l.time) FROM fetches l'
                          ' WHERE l.feed_id = feeds.id)')
FEED_STATE_PG = columns('id', 'url', 'name', 'etag', 'last_modified', 'last_status',
                        'failures',
                        DELAY % (('fk_epoch(next_fetch) - fk_epoch(last_fetch)',) * 2),
                        'last_error',
                        'final_url', 'moved_to', 'subscribed::int', 'assets::int',
                        'keep_raw::int', 'private_origin::int', 'full_text',
                        '(last_fetch IS NULL)::int',
                        '(last_fetch = (SELECT max(l.time) FROM fetches l'
                        ' WHERE l.feed_id = feeds.id))::int')


def compare_feeds(pair, what):
    pair.sql('SELECT %s FROM feeds ORDER BY id' % FEED_STATE_LITE,
             'SELECT %s FROM feeds ORDER BY id' % FEED_STATE_PG, what + ': the feeds')


def compare_log(pair, what):
    pair.sql('SELECT %s FROM fetches ORDER BY feed_id, id'
             % columns('feed_id', 'status', 'bytes', 'new_count', 'updated_count', 'error',
                       ),
             'SELECT %s FROM fetches ORDER BY feed_id, id'
             % columns('feed_id', 'status', 'bytes', 'new_count', 'updated_count', 'error',
                       ),
             what + ': the fetch log')
    pair.sql('SELECT %s FROM fetch_runs ORDER BY id'
             % columns('feeds', 'failed', 'new_count', 'updated_count',
                       'finished >= started'),
             'SELECT %s FROM fetch_runs ORDER BY id'
             % columns('feeds', 'failed', 'new_count', 'updated_count',
                       '(finished >= started)::int'),
             what + ': the run log')


def every_format(pair, what, *extra):
    """feeds in every format, with and without --all."""
    for fmt in (('--format', 'tsv'), ('--format', 'tsv', '--header'), ('--format', 'csv'),
                ('--format', 'json'), ('--format', 'table', '--utc'),
                ('--format', 'tsv', '--fields', 'id,url,name,title,site_url,subscribed,'
                 'articles,last_fetch,last_status,last_error,failures,next_fetch,final_url,'
                 'moved_to,etag,last_modified,tags,keep_raw,assets,full_text'),
                ('--format', 'table', '--fields', 'id,name,tags,next_fetch,failures')):
        for more in ((), ('--all',)):
            pair.both('feeds', *fmt, *more, *extra, what='%s: feeds %s'
                      % (what, ' '.join(fmt + more + extra)),
                      mask=lambda s: re.sub(r'\b(in )?\d+[smhd]( ago)?\b', 'WHEN', s))


# ---- subscriptions -----------------------------------------------------------------


def test_subscriptions(tmp, cluster):
    pair = Pair(tmp, cluster, 'pg_feeds_subs')
    both = pair.both
    both('add', '--no-check', 'https://a.example/feed', '--name', 'Alpha', what='add with a name')
    both('add', '--no-check', 'https://b.example/feed', what='add without a name')
    both('add', '--no-check', 'https://c.example/feed', '--name', 'alpha',
         what='a name another feed has, in another case')
    both('add', '--no-check', 'https://d.example/feed', '--name', 'Zürich Ärger',
         '--no-keep-raw', '--no-assets', '--full-text=on', what='add with options')
    both('add', '--no-check', 'https://e.example/feed', '--full-text=off', '--assets',
         what='add --full-text=off --assets')
    both('add', '--no-check', 'https://a.example/feed', what='adding twice')
    both('add', '--no-check', 'https://b.example/feed', '--name', 'Bravo',
         what='a name for a feed without one')
    both('add', '--no-check', 'https://a.example/feed', '--name', 'Alpha Renamed',
         what='a rename')
    both('add', '--no-check', 'https://f.example/feed', 'https://g.example/feed',
         'https://a.example/feed', what='several, one of them subscribed')
    both('add', '--no-check', 'ftp://x.example/', what='a bad URL')
    both('add', '--no-check', '--name', 'x', 'https://h.example/', 'https://i.example/',
         what='--name with two URLs')
    both('-q', 'add', '--no-check', 'https://j.example/feed', what='--quiet add')
    every_format(pair, 'after add')
    compare_feeds(pair, 'after add')

    # Settings, by id; an unknown feed.
    for args in (('2', 'keep-raw', 'off'), ('2', 'assets', 'off'), ('2', 'full-text', 'on'),
                 ('3', 'full-text', 'auto'), ('4', 'assets', 'on'), ('4', 'keep-raw', 'on'),
                 ('999', 'assets', 'off'), ('999', 'full-text', 'off'),
                 ('1', 'full-text', 'sometimes'), ('Bravo', 'assets', 'on')):
        both('feeds', 'set', *args, what='feeds set %s' % ' '.join(args))
    compare_feeds(pair, 'after feeds set')

    # Removing by URL, id and name (any case), twice, unknown ones.
    both('remove', 'https://e.example/feed', what='remove by URL')
    both('remove', '6', what='remove by id')
    both('remove', 'BRAVO', what='remove by name, in another case')
    both('remove', 'zürich ärger', what='remove by a name with non-ASCII letters')
    both('remove', 'ALPHA RENAMED', 'https://e.example/feed', what='remove twice')
    both('remove', '999', 'nobody', 'https://nowhere.example/', what='remove unknown feeds')
    every_format(pair, 'after remove')
    compare_feeds(pair, 'after remove')
    # Subscribing again: the name stays unless one is given.
    both('add', '--no-check', 'https://b.example/feed', what='a removed feed again')
    both('add', '--no-check', 'https://e.example/feed', '--name', 'Echo',
         what='a removed feed again, with a name')
    every_format(pair, 'after adding again')
    compare_feeds(pair, 'after adding again')

    # Looking feeds up by name: a name before a title, a subscribed feed
    # before others, then the oldest; ASCII case only.
    pair.both_sql("UPDATE feeds SET title = 'echo' WHERE url = 'https://j.example/feed'",
                  "UPDATE feeds SET title = 'echo' WHERE url = 'https://j.example/feed'")
    pair.both_sql("UPDATE feeds SET title = 'Title Only' WHERE url = 'https://f.example/feed'",
                  "UPDATE feeds SET title = 'Title Only' WHERE url = 'https://f.example/feed'")
    both('add', '--no-check', 'https://m.example/feed', '--name', 'ALPHA',
         what='a third feed named alpha')
    both('remove', 'alpha', what='remove by a name two feeds have: the older one')
    both('remove', 'Alpha', what='remove by a name: the subscribed one')
    both('remove', 'ECHO', what='a name before a title')
    both('remove', 'title only', what='remove by title')
    both('remove', 'echo', what='then the title')
    both('remove', 'ZÜRICH ÄRGER', what='non-ASCII letters keep their case')
    both('remove', 'zürich Ärger', what='ASCII letters do not')
    every_format(pair, 'after removing by name')
    compare_feeds(pair, 'after removing by name')

    # OPML: names and tags (folders), tags in several cases, nested.
    opml = ('<?xml version="1.0"?><opml version="2.0"><head/><body>'
            '<outline text="tech"><outline text="Rust" xmlUrl="https://k.example/rust"/>'
            '<outline text="Go" xmlUrl="https://k.example/go"/></outline>'
            '<outline text="Tech"><outline text="Rust again" xmlUrl="https://k.example/rust"/>'
            '</outline>'
            '<outline text="b-side"><outline text="Zeta"><outline text="Rust"'
            ' xmlUrl="https://k.example/rust"/></outline></outline>'
            '<outline text=" Spaced  "><outline text="Alpha" xmlUrl="https://a.example/feed"/>'
            '</outline>'
            '<outline text="Ünï"><outline text="uni" xmlUrl="https://k.example/go"/></outline>'
            '<outline text="ünï"><outline text="uni" xmlUrl="https://k.example/go"/></outline>'
            '<outline text="ÜNÏ"><outline text="uni" xmlUrl="https://k.example/go"/></outline>'
            '<outline text="TECH"><outline text="uni" xmlUrl="https://k.example/go"/></outline>'
            '<outline text="plain" xmlUrl="https://k.example/plain"/>'
            '</body></opml>')
    both('opml', 'import', '-', stdin=opml.encode(), what='opml import with folders')
    both('opml', 'import', '-', stdin=opml.encode(), what='opml import again')
    every_format(pair, 'after opml import')
    for tag in ('tech', 'TECH', 'zeta', 'Spaced', 'ünï', 'nothing'):
        every_format(pair, 'feeds --tag %s' % tag, '--tag', tag)
    both('opml', 'export', what='opml export',
         mask=lambda s: re.sub(r'<dateCreated>.*</dateCreated>', '', s))
    pair.sql('SELECT %s FROM feed_tags ORDER BY feed_id, name'
             % columns('feed_id', 'name'),
             'SELECT %s FROM feed_tags ORDER BY feed_id, lower(name COLLATE "C")'
             % columns('feed_id', 'name'), 'the feed tags')
    compare_feeds(pair, 'after opml import')


# ---- fetches that file nothing -----------------------------------------------------


def test_fetches(tmp, cluster, server):
    pair = Pair(tmp, cluster, 'pg_feeds_fetch')
    both = pair.both
    url = server.url
    server.control('nm', etag='1', lastmod='0')
    server.control('nm2', etag='0', lastmod='1')
    feeds = [url('/status?code=404'), url('/status?code=500&retry=7200'),
             url('/status?code=503&retry=date'), 'http://127.0.0.1:1/feed',
             url('/feed'), url('/script/nm'), url('/script/nm2')]
    both('add', '--no-check', *feeds, what='add the fetched feeds')
    both('feeds', 'set', '5', 'full-text', 'off')
    both('feeds', 'set', '6', 'full-text', 'off')
    both('feeds', 'set', '7', 'full-text', 'off')
    # Validators the 304s answer: /feed repeats both, /script/nm only its
    # ETag (the stored Last-Modified stays), /script/nm2 only its
    # Last-Modified.
    sets = [(5, httpd.ETAG, 'stale'), (6, '"nm-v1-n3"', 'kept'), (7, None, None)]
    for feed_id, etag, modified in sets:
        lit = 'NULL' if etag is None else "'%s'" % etag.replace("'", "''")
        mod = 'NULL' if modified is None else "'%s'" % modified
        sql = 'UPDATE feeds SET etag = %s, last_modified = %s WHERE id = %d' % (lit, mod, feed_id)
        pair.both_sql(sql, sql)
    mod7 = "'Mon, 14 Sep 2020 12:26:40 GMT'"  # 1600000000 + 86400, as httpd sends it
    pair.both_sql('UPDATE feeds SET last_modified = %s WHERE id = 7' % mod7,
                  'UPDATE feeds SET last_modified = %s WHERE id = 7' % mod7)
    # The validators are sent while the last body fetched is recent: a
    # fetch of the log by hand (filing a body is not part of this test).
    body_time = int(time.time()) - 60
    for feed_id in (5, 6, 7):
        pair.both_sql('INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,'
                      ' updated_count) VALUES (%d, %d, 200, 1, 1, 0, 0)' % (feed_id, body_time),
                      'INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,'
                      ' updated_count) VALUES (%d, to_timestamp(%d), 200, 1, 1, 0, 0)'
                      % (feed_id, body_time))
    failing = feeds[:4]

    fetch = ('fetch', *FAST, '--no-assets')
    rc, out, err = both(*fetch, what='the first fetch', sort=True)
    check(rc == 1 and out.count(': not modified') == 3 and err.count('failure, next try') == 4,
          'the first fetch: 3 not modified, 4 failed: %r %r' % (out, err))
    every_format(pair, 'after the first fetch')
    compare_feeds(pair, 'after the first fetch')
    compare_log(pair, 'after the first fetch')
    check(pair.pg_rows('SELECT id, etag, last_modified, last_status, failures, %s AS delay'
                       ' FROM feeds ORDER BY id'
                       % DELAY % (('fk_epoch(next_fetch) - fk_epoch(last_fetch)',) * 2)) ==
          [{'id': 1, 'etag': None, 'last_modified': None, 'last_status': 404, 'failures': 1,
            'delay': 1800},
           {'id': 2, 'etag': None, 'last_modified': None, 'last_status': 500, 'failures': 1,
            'delay': 7200},
           {'id': 3, 'etag': None, 'last_modified': None, 'last_status': 503, 'failures': 1,
            'delay': 3600},
           {'id': 4, 'etag': None, 'last_modified': None, 'last_status': None, 'failures': 1,
            'delay': 1800},
           {'id': 5, 'etag': httpd.ETAG, 'last_modified': httpd.LAST_MODIFIED,
            'last_status': 304, 'failures': 0, 'delay': None},
           {'id': 6, 'etag': '"nm-v1-n3"', 'last_modified': 'kept', 'last_status': 304,
            'failures': 0, 'delay': None},
           {'id': 7, 'etag': None, 'last_modified': 'Mon, 14 Sep 2020 12:26:40 GMT',
            'last_status': 304, 'failures': 0, 'delay': None}],
          'the feeds after the first fetch, as expected')
    rows = pair.pg_rows('SELECT fetcher FROM fetches WHERE fetcher IS NOT NULL')
    me = socket.gethostname()
    check(len(rows) == 7 and all(re.fullmatch(re.escape(me) + r':\d+:\d+', r['fetcher'])
                                 for r in rows), 'the fetch log names host:pid:start: %r' % rows)

    both(*fetch, what='a second fetch: the failed ones are not due', sort=True)
    both(*fetch, '--force', *failing, what='a forced fetch: second failures', sort=True)
    every_format(pair, 'after the forced fetch')
    compare_feeds(pair, 'after the forced fetch')
    compare_log(pair, 'after the forced fetch')
    # Feeds that are due again (their backoff set back by hand).
    pair.both_sql('UPDATE feeds SET next_fetch = next_fetch - 100000 WHERE id IN (1, 4)',
                  "UPDATE feeds SET next_fetch = next_fetch - interval '100000 s'"
                  ' WHERE id IN (1, 4)')
    both(*fetch, what='the due feeds only', sort=True)
    compare_feeds(pair, 'after fetching the due ones')
    compare_log(pair, 'after fetching the due ones')
    both(*fetch, '--force', url('/status?code=404'), what='one feed by URL', sort=True)
    compare_feeds(pair, 'after fetching one feed')

    # A success after failures resets the count; removing forgets the
    # validators and backoff, keeps the log.
    pair.both_sql("UPDATE feeds SET failures = 3, last_error = 'x' WHERE id = 5",
                  "UPDATE feeds SET failures = 3, last_error = 'x' WHERE id = 5")
    both(*fetch, url('/feed'), what='a 304 after failures', sort=True)
    compare_feeds(pair, 'after a 304 after failures')
    check(pair.pg_rows('SELECT failures, last_error FROM feeds WHERE id = 5') ==
          [{'failures': 0, 'last_error': None}], 'a 304 resets the failures')
    both('remove', '1', '2', '6', what='remove fetched feeds')
    every_format(pair, 'after removing fetched feeds')
    compare_feeds(pair, 'after removing fetched feeds')
    compare_log(pair, 'after removing fetched feeds')

    # The logs keep the latest FK_FETCH_LOG_KEEP (1000) fetches of a feed,
    # and runs.
    for lite, pg in (('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n'
                      ' WHERE i < 1005) INSERT INTO fetches(feed_id, time, status, error)'
                      " SELECT 3, 1000 + i, 503, 'old ' || i FROM n",
                      'INSERT INTO fetches(feed_id, time, status, error)'
                      " SELECT 3, to_timestamp(1000 + i), 503, 'old ' || i"
                      ' FROM generate_series(1, 1005) i'),
                     ('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n'
                      ' WHERE i < 1002) INSERT INTO fetch_runs(started, finished, feeds,'
                      ' failed, new_count, updated_count) SELECT i, i, i, 0, 0, 0 FROM n',
                      'INSERT INTO fetch_runs(started, finished, feeds, failed, new_count,'
                      ' updated_count) SELECT to_timestamp(i), to_timestamp(i), i, 0, 0, 0'
                      ' FROM generate_series(1, 1002) i')):
        pair.both_sql(lite, pg)
    both(*fetch, '--force', url('/status?code=503&retry=date'), what='a fetch of a long log',
         sort=True)
    pair.sql('SELECT %s FROM fetches WHERE feed_id = 3'
             % columns('count(*)', 'min(error)', 'sum(error IS NULL)'),
             'SELECT %s FROM fetches WHERE feed_id = 3'
             % columns('count(*)', 'min(error)', 'sum((error IS NULL)::int)'),
             'the fetch log of a feed is pruned')
    pair.sql('SELECT %s FROM fetch_runs' % columns('count(*)', 'min(feeds)', 'max(feeds)'),
             'SELECT %s FROM fetch_runs' % columns('count(*)', 'min(feeds)', 'max(feeds)'),
             'the run log is pruned')
    check(pair.pg_rows('SELECT count(*) AS n FROM fetches WHERE feed_id = 3') == [{'n': 1000}],
          'a thousand fetches kept')
    compare_feeds(pair, 'after a fetch of a long log')

    # A feed moved permanently, to a document not modified since its last
    # fetch: followed, its articles' keys scoped by the old URL move with
    # it (rows put in by hand: filing is not part of this test), unless the
    # new key is taken.
    server.control('mv', etag='1', lastmod='0')
    old = url('/redirect?code=301&to=/script/mv')
    new = url('/script/mv')
    both('add', '--no-check', '--full-text=off', old, what='add a moved feed')
    moved_id = query(pair.sqlite, 'SELECT id FROM feeds WHERE url = ?', old)[0][0]
    pair.both_sql('UPDATE feeds SET etag = \'"mv-v1-n3"\' WHERE id = %d' % moved_id,
                  'UPDATE feeds SET etag = \'"mv-v1-n3"\' WHERE id = %d' % moved_id)
    pair.both_sql('INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,'
                  ' updated_count) VALUES (%d, %d, 200, 1, 1, 0, 0)' % (moved_id, body_time),
                  'INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,'
                  ' updated_count) VALUES (%d, to_timestamp(%d), 200, 1, 1, 0, 0)'
                  % (moved_id, body_time))
    articles = [('feed:%s guid:a' % old), ('feed:%s guid:b' % old), ('feed:%s guid:b' % new),
                ('hash:%s 0123' % old), ('hash:%s' % old), ('feed:%sx guid:c' % old),
                'feed:other guid:a']
    for i, key in enumerate(articles, 1):
        k = key.replace("'", "''")
        pair.both_sql("INSERT INTO articles(id, key, content_hash, source_hash, first_seen,"
                      " last_seen) VALUES (%d, '%s', 0, 0, 0, 0)" % (1000 + i, k),
                      "INSERT INTO articles(id, key, content_hash, source_hash, first_seen,"
                      " last_seen) VALUES (%d, '%s', 0, 0, to_timestamp(0), to_timestamp(0))"
                      % (1000 + i, k))
        pair.both_sql("INSERT INTO article_aliases(key, article_id, feed_id, rule, created)"
                      " VALUES ('alias %s', %d, %d, 'title', 0)" % (k, 1000 + i, moved_id),
                      "INSERT INTO article_aliases(key, article_id, feed_id, rule, created)"
                      " VALUES ('alias %s', %d, %d, 'title', to_timestamp(0))"
                      % (k, 1000 + i, moved_id))
    for key in (('feed:%s guid:z' % old), ('hash:%s 9' % old), ('hash:%s 9' % new)):
        pair.both_sql("INSERT INTO article_aliases(key, article_id, rule, created)"
                      " VALUES ('%s', 1001, 'text', 0)" % key,
                      "INSERT INTO article_aliases(key, article_id, rule, created)"
                      " VALUES ('%s', 1001, 'text', to_timestamp(0))" % key)
    both(*fetch, old, what='a move not followed', sort=True)
    compare_feeds(pair, 'after a move not followed')
    both(*fetch, '--follow-moves', old, what='a move followed', sort=True)
    compare_feeds(pair, 'after a move followed')
    compare_log(pair, 'after a move followed')
    pair.sql('SELECT %s FROM articles ORDER BY id' % columns('id', 'key'),
             'SELECT %s FROM articles ORDER BY id' % columns('id', 'key'), 'the moved keys')
    pair.sql('SELECT %s FROM article_aliases ORDER BY article_id, key'
             % columns('article_id', 'key'),
             'SELECT %s FROM article_aliases ORDER BY article_id, key COLLATE "C"'
             % columns('article_id', 'key'), 'the moved alias keys')
    every_format(pair, 'after the moves')
    moved_keys = pair.pg_rows("SELECT key FROM articles WHERE key LIKE '%%mv%%' ORDER BY id")
    check(moved_keys ==
          [{'key': 'feed:%s guid:a' % new}, {'key': 'feed:%s guid:b' % old},
           {'key': 'feed:%s guid:b' % new}, {'key': 'hash:%s 0123' % new},
           {'key': 'hash:%s' % old}, {'key': 'feed:%sx guid:c' % old}],
          'the keys scoped by the old URL moved, but for a taken one: %r' % moved_keys)
    moved_url = pair.pg_rows('SELECT url FROM feeds WHERE id = %d' % moved_id)
    check(moved_url == [{'url': new}], 'the moved feed has its new URL: %r' % moved_url)


def main():
    fktest.start(sys.argv[1])
    cluster = fktest.pg_cluster(sys.argv[3])
    server = fktest.HttpdProcess()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            test_subscriptions(tmp, cluster)
            test_fetches(tmp, cluster, server)
    finally:
        server.stop()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
