#!/usr/bin/env python3
"""CLI tests of subscriptions and fetching: the real feedkeep binary on
temporary archives, against the loopback server tests/httpd.py, which this
test starts (on 127.0.0.1 to 127.0.0.8, one port) and always stops. No
network.

usage: test_fetch_cli.py FEEDKEEP DATADIR
"""
import fcntl
import json
import os
import pty
import random
import re
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import articles_of, check, query, scalar  # noqa: E402

BIN = None
DATA = None
HOSTS = ['127.0.0.%d' % i for i in range(1, 9)]
# Short limits: no test waits for the defaults.
FAST = ['--connect-timeout', '2', '--timeout', '10', '--stall-time', '3']


def run(*args, db=None, stdin=None, timeout=120):
    # add checks each URL with a request of its own, which these tests do
    # not count on: they subscribe as given (test_habits.py tests the check).
    return fktest.run(*fktest.no_check(args), db=db, stdin=stdin, timeout=timeout)


def fetch(db, *args, timeout=120):
    return run('fetch', *FAST, *args, db=db, timeout=timeout)


def feed_row(db, url):
    rows = query(db, 'SELECT id, etag, last_modified, last_fetch, last_status, failures, '
                     'next_fetch, last_error, final_url, moved_to, subscribed FROM feeds '
                     'WHERE url = ?', url)
    if not rows:
        return None
    keys = ('id', 'etag', 'last_modified', 'last_fetch', 'last_status', 'failures',
            'next_fetch', 'last_error', 'final_url', 'moved_to', 'subscribed')
    return dict(zip(keys, rows[0]))


# ---- subscriptions ---------------------------------------------------------------


def test_subscriptions(tmp):
    db = os.path.join(tmp, 'subs.db')
    rc, out, err = run('add', 'devto:ben', 'devto:tag/rust', 'https://example.com/feed.xml',
                       db=db)
    check(rc == 0 and err == '', 'add exits 0: %r' % err)
    check(out == 'https://dev.to/feed/ben: subscribed\n'
                 'https://dev.to/feed/tag/rust: subscribed\n'
                 'https://example.com/feed.xml: subscribed\n', 'add output: %r' % out)
    rc, out, err = run('add', 'devto:ben', db=db)
    check(rc == 0 and out == 'https://dev.to/feed/ben: already subscribed\n',
          'adding twice: %r' % out)
    rc, out, err = run('add', '--name', 'Ben & Co', 'devto:ben', db=db)
    check(rc == 0 and scalar(db, "SELECT name FROM feeds WHERE url = "
                                 "'https://dev.to/feed/ben'") == 'Ben & Co', 'add --name')
    rc, out, err = run('--quiet', 'add', 'devto:tag/go', db=db)
    check(rc == 0 and out == '' and err == '', '--quiet add prints nothing')
    for bad in ('devto:', 'devto:tag/', 'devto:a/b', 'devto:tag/c++', 'ftp://x/feed',
                'not a url', 'http://', 'http://exa mple.com/', 'http://example.com/\x1b[2J'):
        rc, out, err = run('add', 'https://ok.example/', bad, db=db)
        check(rc == 2 and 'feedkeep: ' in err and 'Try ' in err, 'add %r is a usage error: %r'
              % (bad, err))
    check(scalar(db, "SELECT count(*) FROM feeds WHERE url = 'https://ok.example/'") == 0,
          'a usage error adds none of the URLs')
    rc, out, err = run('add', '--name', 'x', 'devto:a', 'devto:b', db=db)
    check(rc == 2 and 'one URL' in err, '--name with two URLs: %r' % err)
    rc, out, err = run('add', db=db)
    check(rc == 2, 'add without URL')

    rc, out, err = run('feeds', db=db)
    lines = out.splitlines()
    check(rc == 0 and len(lines) == 4, 'feeds lists 4: %r' % out)
    check(lines[0].split('\t') == ['1', 'https://dev.to/feed/ben', 'Ben & Co', '0', '', '', '0',
                                   '', ''], 'feeds TSV: %r' % lines[0])
    rc, out, err = run('feeds', '--format', 'csv', db=db)
    check(rc == 0 and out.splitlines()[1] == '1,https://dev.to/feed/ben,Ben & Co,0,,,0,,' and
          out.splitlines()[0] == 'id,url,name,articles,last_fetch,last_status,failures,'
                                 'next_fetch,last_error',
          'feeds CSV: %r' % out)
    rc, out, err = run('feeds', '--format', 'json', db=db)
    rows = [json.loads(line) for line in out.splitlines()]
    check(rc == 0 and rows[0]['name'] == 'Ben & Co' and rows[0]['subscribed'] is True and
          rows[0]['failures'] == 0 and rows[0]['next_fetch'] is None and
          rows[0]['last_status'] is None and rows[1]['url'] == 'https://dev.to/feed/tag/rust',
          'feeds JSON: %r' % rows[:2])
    rc, out, err = run('feeds', '--format', 'table', db=db)
    check(rc == 0 and out.startswith('ID') and 'NEXT FETCH' in out.splitlines()[0] and
          'never' in out and ' now' in out, 'feeds table: %r' % out)
    rc, out, err = run('feeds', '--format', 'yaml', db=db)
    check(rc == 2, 'feeds: unknown format')

    rc, out, err = run('remove', 'https://dev.to/feed/tag/rust', '1', db=db)
    check(rc == 0 and out == 'https://dev.to/feed/tag/rust: removed\n'
                             'https://dev.to/feed/ben: removed\n', 'remove by URL and id: %r'
          % out)
    rc, out, err = run('remove', 'devto:tag/rust', db=db)
    check(rc == 1 and "'https://dev.to/feed/tag/rust': not subscribed" in err,
          'removing twice: %r' % err)
    rc, out, err = run('remove', '999', db=db)
    check(rc == 1 and "'999': not subscribed" in err, 'remove unknown id: %r' % err)
    rc, out, err = run('feeds', db=db)
    check(len(out.splitlines()) == 2, 'two subscriptions left: %r' % out)
    rc, out, err = run('feeds', '--all', '--format', 'json', db=db)
    rows = [json.loads(line) for line in out.splitlines()]
    check(len(rows) == 4 and [r['subscribed'] for r in rows] == [False, False, True, True],
          'feeds --all shows removed feeds: %r' % rows)
    rc, out, err = run('add', 'devto:ben', db=db)
    check(rc == 0 and out.endswith(': subscribed\n') and
          scalar(db, 'SELECT name FROM feeds WHERE id = 1') == 'Ben & Co',
          'adding a removed feed again keeps its row and name')
    for cmd in ('add', 'remove', 'feeds', 'fetch', 'opml'):
        rc, out, err = run(cmd, '--help')
        check(rc == 0 and out.startswith('usage: feedkeep %s' % cmd), '%s --help' % cmd)
    rc, out, err = run('--help')
    check(all(' %s ' % c in out for c in ('add', 'remove', 'feeds', 'fetch', 'opml')) and
          '4 the archive is busy (another fetch holds its' in out,
          'feedkeep --help lists the commands: %r' % out)


def test_opml(tmp):
    db = os.path.join(tmp, 'opml.db')
    run('add', '--name', 'Tom & "Jerry" <cartoons>', 'https://example.com/a?x=1&y=2', db=db)
    run('add', 'devto:ben', db=db)
    rc, out, err = run('opml', 'export', db=db)
    check(rc == 0 and err == '', 'opml export exits 0: %r' % err)
    root = ET.fromstring(out)
    outlines = root.findall('./body/outline')
    check(root.tag == 'opml' and root.get('version') == '2.0' and len(outlines) == 2,
          'OPML 2.0 with two outlines: %r' % out)
    check(outlines[0].get('xmlUrl') == 'https://example.com/a?x=1&y=2' and
          outlines[0].get('text') == 'Tom & "Jerry" <cartoons>' and
          outlines[1].get('xmlUrl') == 'https://dev.to/feed/ben',
          'export escapes and keeps names: %r' % out)

    path = os.path.join(tmp, 'subs.opml')
    with open(path, 'w') as fh:
        fh.write(out)
    other = os.path.join(tmp, 'opml2.db')
    rc, out2, err = run('opml', 'import', path, db=other)
    check(rc == 0 and out2 == '%s: 2 subscribed, 0 already subscribed\n' % path,
          'opml import: %r %r' % (out2, err))
    rc, out2, err = run('opml', 'import', path, db=other)
    check(rc == 0 and out2 == '%s: 0 subscribed, 2 already subscribed\n' % path,
          'importing twice adds nothing: %r' % out2)
    check(scalar(other, 'SELECT count(*) FROM feeds') == 2, 'two feeds after two imports')
    rc, exported, err = run('opml', 'export', db=other)
    strip = lambda s: re.sub(r'<dateCreated>.*</dateCreated>', '', s)
    check(strip(exported) == strip(out), 'the round trip keeps the list')

    nested = ('<?xml version="1.0"?><opml version="1.0"><head/><body>'
              '<outline text="Tech"><outline text="Deep"><outline text="Rust" '
              'xmlUrl="https://dev.to/feed/tag/rust"/></outline>'
              '<outline title="Only a title" xmlUrl="https://example.com/b"/></outline>'
              '<outline text="gopher" xmlUrl="gopher://old.example/"/>'
              '<outline text="category only"/></body></opml>')
    rc, out, err = run('opml', 'import', '-', db=other, stdin=nested.encode())
    check(rc == 0 and out == '-: 2 subscribed, 0 already subscribed\n' and
          "skipped 'gopher://old.example/'" in err, 'nested outlines from stdin: %r %r'
          % (out, err))
    names = dict(query(other, 'SELECT url, name FROM feeds'))
    check(names.get('https://dev.to/feed/tag/rust') == 'Rust' and
          names.get('https://example.com/b') == 'Only a title', 'names kept: %r' % names)

    for bad, why in (('<opml><body><outline xmlUrl="http://a/"></body></opml>',
                      'not well-formed'),
                     ('<rss version="2.0"/>', 'not an OPML document'),
                     ('<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                      '<opml><body><outline text="&x;" xmlUrl="http://a/"/></body></opml>',
                      'entity declarations')):
        rc, out, err = run('opml', 'import', '-', db=other, stdin=bad.encode())
        check(rc == 1 and why in err and out == '', 'bad OPML refused (%s): %r' % (why, err))
    check(scalar(other, "SELECT count(*) FROM feeds WHERE url = 'http://a/'") == 0,
          'a refused list adds nothing')
    rc, out, err = run('opml', 'import', os.path.join(tmp, 'missing.opml'), db=other)
    check(rc == 1 and 'cannot open' in err, 'missing OPML file')
    rc, out, err = run('opml', db=other)
    check(rc == 2, 'opml without action')
    rc, out, err = run('opml', 'frobnicate', db=other)
    check(rc == 2, 'opml with an unknown action')


# ---- fetching -------------------------------------------------------------------------


def test_first_and_second_fetch(server, tmp):
    db = os.path.join(tmp, 'fetch.db')
    server.control('basic')
    url = server.url('/script/basic')
    run('add', url, db=db)
    rc, out, err = fetch(db)
    check(rc == 0 and err == '', 'first fetch exits 0: %r' % err)
    check(out == '%s: 3 new, 0 updated, 0 unchanged\n'
                 'total: 1 feed, 3 new, 0 updated, 0 unchanged, 0 not modified, 0 failed, '
                 '0 not due\n' % url, 'first fetch output: %r' % out)
    row = feed_row(db, url)
    check(row['etag'] == '"basic-v1-n3"' and row['last_modified'] and row['last_status'] == 200
          and row['failures'] == 0 and row['next_fetch'] is None and row['final_url'] == url,
          'validators and state stored: %r' % row)
    check(articles_of(db, url) == 3, 'three articles filed')
    check(query(db, 'SELECT status, new_count, updated_count, error FROM fetches') ==
          [(200, 3, 0, None)], 'fetch log row')
    check(scalar(db, 'SELECT count(*) FROM code_blocks WHERE language = ?', 'python') == 3,
          'content converted (code blocks)')
    log = server.log('basic')
    check(len(log) == 1 and log[0]['if_none_match'] is None and
          log[0]['if_modified_since'] is None, 'first request without validators')
    check(log[0]['user_agent'].startswith('feedkeep/') and 'gzip' in log[0]['accept_encoding'],
          'User-Agent and Accept-Encoding: %r' % log[0])

    seen = query(db, 'SELECT id, last_seen FROM articles ORDER BY id')
    time.sleep(1.1)  # last_seen has a resolution of a second
    rc, out, err = fetch(db)
    check(rc == 0 and out.startswith('%s: not modified\n' % url) and
          '1 not modified' in out, 'second fetch: 304: %r %r' % (out, err))
    log = server.log('basic')
    check(len(log) == 2 and log[1]['if_none_match'] == '"basic-v1-n3"' and
          log[1]['if_modified_since'] == row['last_modified'],
          'second request sends If-None-Match and If-Modified-Since: %r' % log[-1:])
    check(query(db, 'SELECT id, last_seen FROM articles ORDER BY id') == seen,
          'a 304 parses nothing (no article touched)')
    check(query(db, 'SELECT status, new_count, updated_count, error FROM fetches ORDER BY id') ==
          [(200, 3, 0, None), (304, 0, 0, None)], 'the 304 is logged as a success')

    # Only If-Modified-Since known: it alone brings the 304.
    fktest.execute(db, 'UPDATE feeds SET etag = NULL', 'UPDATE feeds SET etag = NULL')
    rc, out, err = fetch(db)
    check(rc == 0 and 'not modified' in out, 'If-Modified-Since alone: %r' % out)

    server.control('basic', version='2')
    rc, out, err = fetch(db)
    check(rc == 0 and out.startswith('%s: 0 new, 3 updated, 0 unchanged\n' % url),
          'changed content: updated: %r' % out)
    check(scalar(db, 'SELECT count(*) FROM article_versions') == 3, 'old versions kept')
    check(feed_row(db, url)['etag'] == '"basic-v2-n3"', 'new validators stored')

    rc, out, err = fetch(db, '--force')
    log = server.log('basic')
    check(rc == 0 and out.startswith('%s: 0 new, 0 updated, 3 unchanged\n' % url) and
          log[-1]['if_none_match'] is None and log[-1]['if_modified_since'] is None,
          '--force sends no validators: %r %r' % (out, log[-1]))

    rc, out, err = run('--quiet', 'fetch', *FAST, db=db)
    check(rc == 0 and out == '' and err == '', '--quiet: nothing when all succeeded: %r %r'
          % (out, err))
    rc, out, err = run('fetch', '--quiet', *FAST, db=db)
    check(rc == 0 and out == '' and err == '', '--quiet after the command too')

    # A feed that drops its bodies does not replace the archived text.
    server.control('basic', version='2', short='1')
    rc, out, err = fetch(db)
    check(rc == 0 and out.startswith('%s: 0 new, 0 updated, 0 unchanged (3 kept their longer '
                                     'archived text)\n' % url), 'shorter bodies: %r' % out)
    server.control('basic', version='2')
    fetch(db)
    fetch(db)  # now a 304 again

    # Readers see the feed's health.
    rc, out, err = run('feeds', '--format', 'json', db=db)
    info = json.loads(out.splitlines()[0])
    check(info['articles'] == 3 and info['last_status'] == 304 and info['failures'] == 0 and
          info['etag'] == '"basic-v2-n3"' and info['title'] == 'script basic',
          'feeds after fetching: %r' % info)

    # Archived articles can be listed.
    rc, out, err = run('list', db=db)
    check(rc == 0 and len(out.splitlines()) == 3, 'list after fetch')


def next_try(db, url):
    row = feed_row(db, url)
    return row['failures'], row['next_fetch'] - row['last_fetch']


def test_failures_and_backoff(server, tmp):
    db = os.path.join(tmp, 'backoff.db')
    server.control('flaky', status='503')
    url = server.url('/script/flaky')
    run('add', url, db=db)
    rc, out, err = run('--quiet', 'fetch', *FAST, db=db)
    check(rc == 1 and out == '' and
          err == "feedkeep: '%s': HTTP 503 (1st failure, next try in 30m)\n" % url,
          '--quiet failure line: %r %r' % (out, err))
    check(next_try(db, url) == (1, 1800), 'backoff after one failure: %r' % (next_try(db, url),))
    check(query(db, 'SELECT status, error FROM fetches') == [(503, 'HTTP 503')],
          'the failure is logged')
    check(feed_row(db, url)['last_error'] == 'HTTP 503', 'last_error')

    # Not due: not fetched, not a failure.
    before = len(server.log('flaky'))
    rc, out, err = run('--quiet', 'fetch', *FAST, db=db)
    check(rc == 0 and out == '' and err == '' and len(server.log('flaky')) == before,
          'a feed in backoff is skipped')
    rc, out, err = fetch(db)
    check(rc == 0 and out == 'total: 0 feeds, 0 new, 0 updated, 0 unchanged, 0 not modified, '
                             '0 failed, 1 not due\n', 'not due in the total: %r' % out)
    rc, out, err = fetch(db, url)
    check(rc == 0 and out.startswith('%s: not due, next try in 30m (--force fetches it now)\n'
                                     % url) and len(server.log('flaky')) == before,
          'a named feed in backoff is not fetched: %r' % out)

    expected = [(2, '2nd', 3600, '1h'), (3, '3rd', 7200, '2h'), (4, '4th', 14400, '4h'),
                (5, '5th', 28800, '8h'), (6, '6th', 57600, '16h'), (7, '7th', 86400, '24h'),
                (8, '8th', 86400, '24h')]
    for n, nth, delay, shown in expected:
        rc, out, err = run('--quiet', 'fetch', '--force', *FAST, db=db)
        check(rc == 1 and err == "feedkeep: '%s': HTTP 503 (%s failure, next try in %s)\n"
              % (url, nth, shown), 'failure %d: %r' % (n, err))
        check(next_try(db, url) == (n, delay), 'backoff after %d failures: %r'
              % (n, next_try(db, url)))
    check(scalar(db, 'SELECT count(*) FROM fetches WHERE status = 503') == 8, '8 failures logged')

    # Time passes: due again (next_fetch moved back by hand).
    fktest.execute(db, 'UPDATE feeds SET next_fetch = next_fetch - 86400',
                   "UPDATE feeds SET next_fetch = next_fetch - interval '86400 s'")
    rc, out, err = run('--quiet', 'fetch', *FAST, db=db)
    check(rc == 1 and '9th failure, next try in 24h' in err, 'due after the backoff: %r' % err)

    # A success resets it all.
    server.control('flaky')
    rc, out, err = fetch(db, '--force')
    row = feed_row(db, url)
    check(rc == 0 and row['failures'] == 0 and row['next_fetch'] is None and
          row['last_error'] is None and articles_of(db, url) == 3,
          'a success resets the backoff: %r' % row)
    server.control('flaky', status='500')
    rc, out, err = run('--quiet', 'fetch', *FAST, db=db)
    check(rc == 1 and err.endswith('HTTP 500 (1st failure, next try in 30m)\n'),
          'after a reset the backoff starts over: %r' % err)
    check(articles_of(db, url) == 3, 'a failure loses nothing')

    # Retry-After, in seconds or as a date, when later than the backoff.
    for name, retry, shown, seconds in (('busy', '18000', '5h', 18000),
                                        ('short', '60', '30m', 1800),
                                        ('dated', 'date', '1h', 3600)):
        server.control(name, status='429' if name == 'busy' else '503', retry=retry)
        u = server.url('/script/' + name)
        run('add', u, db=db)
        rc, out, err = run('--quiet', 'fetch', *FAST, u, db=db)
        status = '429' if name == 'busy' else '503'
        check(rc == 1 and err == "feedkeep: '%s': HTTP %s (1st failure, next try in %s)\n"
              % (u, status, shown), 'Retry-After %s: %r' % (retry, err))
        failures_, delay = next_try(db, u)
        check(abs(delay - seconds) <= 2, 'Retry-After %s: next fetch in %d s' % (retry, delay))
    server.control('huge', status='503', retry='99999999')
    u = server.url('/script/huge')
    run('add', u, db=db)
    rc, out, err = run('--quiet', 'fetch', *FAST, u, db=db)
    check(rc == 1 and 'next try in 7d' in err and abs(next_try(db, u)[1] - 7 * 86400) <= 2,
          'a huge Retry-After counts for a week at most: %r' % err)


def test_bad_among_good(server, tmp):
    db = os.path.join(tmp, 'mixed.db')
    for name in ('good1', 'good2'):
        server.control(name)
    good = [server.url('/script/good1'), server.url('/script/good2', HOSTS[1])]
    html = server.url('/html')
    missing = server.url('/no/such/feed')
    refused = 'http://127.0.0.1:1/feed'
    truncated = server.url('/truncated')
    gone = server.url('/script/gone?status=410')
    run('add', good[0], html, missing, refused, good[1], truncated, gone, db=db)
    rc, out, err = fetch(db)
    check(rc == 1, 'some failed: exit 1 (%d)' % rc)
    check(articles_of(db, good[0]) == 3 and articles_of(db, good[1]) == 3,
          'the good feeds are archived')
    lines = sorted(err.splitlines())
    expected = sorted([
        "feedkeep: '%s': not an RSS or Atom feed (root element <html>) "
        "(1st failure, next try in 30m)" % html,
        "feedkeep: '%s': HTTP 404 (1st failure, next try in 30m)" % missing,
        "feedkeep: '%s': connection refused (1st failure, next try in 30m)" % refused,
        "feedkeep: '%s': response truncated (1st failure, next try in 30m)" % truncated,
        "feedkeep: '%s': HTTP 410 (1st failure, next try in 30m)" % gone,
    ])
    check(lines == expected, 'one clear line per bad feed: %r' % lines)
    check('%s: 3 new, 0 updated, 0 unchanged' % good[0] in out and
          'total: 7 feeds, 6 new, 0 updated, 0 unchanged, 0 not modified, 5 failed, 0 not due'
          in out, 'summary and total: %r' % out)
    check(feed_row(db, html)['last_status'] == 200 and
          feed_row(db, refused)['last_status'] is None, 'statuses recorded')


def test_gzip_charset_limits(server, tmp):
    db = os.path.join(tmp, 'gzip.db')
    server.control('zipped', gzip='1', items='20')
    zipped = server.url('/script/zipped')
    plain_gzip = server.url('/gzip')
    latin = server.url('/script/latin?charset=iso-8859-1&accent=1&items=1')
    unknown = server.url('/script/odd?charset=x-no-such-charset&items=1')
    run('add', zipped, plain_gzip, latin, unknown, db=db)
    rc, out, err = fetch(db)
    check(rc == 0 and articles_of(db, zipped) == 20 and articles_of(db, plain_gzip) == 1,
          'gzip bodies: %r %r' % (out, err))
    check(scalar(db, "SELECT title FROM articles WHERE url = 'http://example.com/latin/1'") ==
          'latin\u00e9 item 1', 'the HTTP charset decodes the body')
    check(articles_of(db, unknown) == 1, 'an unknown HTTP charset is ignored')

    db2 = os.path.join(tmp, 'limits.db')
    server.control('bigfeed', items='200')
    big = server.url('/script/bigfeed')
    bomb = server.url('/bomb')
    endless = server.url('/endless')
    slow = server.url('/slow?secs=8')
    run('add', big, bomb, endless, slow, db=db2)
    rc, out, err = run('--quiet', 'fetch', '--max-size', '64K', big, bomb, endless, db=db2)
    check(rc == 1 and "'%s': body larger than 64 KiB" % big in err and
          "'%s': body larger than 64 KiB" % bomb in err and
          "'%s': body larger than 64 KiB" % endless in err, '--max-size: %r' % err)
    start = time.monotonic()
    rc, out, err = run('--quiet', 'fetch', '--stall-time', '1', '--stall-speed', '100',
                       '--timeout', '20', slow, db=db2)
    elapsed = time.monotonic() - start
    check(rc == 1 and "'%s': stalled below 100 B/s for 1 s" % slow in err,
          '--stall-time: %r' % err)
    check(elapsed < 6, 'the stall is cut short (%.1f s)' % elapsed)
    fktest.execute(db2, 'UPDATE feeds SET next_fetch = NULL', 'UPDATE feeds SET next_fetch = NULL')
    rc, out, err = run('--quiet', 'fetch', '--timeout', '1', slow, db=db2)
    check(rc == 1 and 'timed out after 1 s (2nd failure' in err, '--timeout: %r' % err)
    rc, out, err = run('--quiet', 'fetch', '--timeout', '20', '--connect-timeout', '0.5',
                       '--force', 'http://127.0.0.1:1/never-subscribed', db=db2)
    check(rc == 2, 'an unsubscribed URL is a usage error even with --force')


def test_usage_and_errors(server, tmp):
    db = os.path.join(tmp, 'usage.db')
    server.control('u1')
    url = server.url('/script/u1')
    run('add', url, db=db)
    for args in (['--jobs', '0'], ['--jobs', 'x'], ['--jobs', '1001'], ['--bogus'],
                 ['--pages', '0'], ['--max-size', '0'], ['--max-size', '12Q'],
                 ['--timeout', '-1'], ['--timeout', 'soon'], ['--wait', 'x'],
                 ['--stall-time', '1.5'], ['https://not.subscribed.example/'],
                 ['devto:tag/'], ['77']):
        rc, out, err = run('fetch', *args, db=db)
        check(rc == 2 and 'feedkeep: ' in err and out == '', 'fetch %s: usage error (%d, %r)'
              % (args, rc, err))
    check(len(server.log('u1')) == 0, 'a usage error fetches nothing')
    notdb = os.path.join(tmp, 'notdb.db')
    with open(notdb, 'w') as fh:
        fh.write('not a database\n' * 200)
    rc, out, err = run('fetch', db=notdb)
    check(rc == 3 and 'not a feedkeep archive' in err, 'not an archive: exit 3: %r' % err)
    # The feed named by id works like its URL.
    rc, out, err = fetch(db, '1')
    check(rc == 0 and out.startswith(url + ': 3 new'), 'fetch by id: %r' % out)


def hold_lock(db):
    fh = open(db + '.lock', 'a')
    fcntl.flock(fh, fcntl.LOCK_EX)
    return fh


@fktest.sqlite_only('the lock file of a SQLite archive (PostgreSQL fetchers claim feeds)')
def test_lock(server, tmp):
    db = os.path.join(tmp, 'lock.db')
    server.control('locked')
    url = server.url('/script/locked')
    run('add', url, db=db)
    holder = hold_lock(db)
    try:
        rc, out, err = fetch(db)
        check(rc == 4 and "another fetch is running on '%s'" % db in err and
              '--wait' in err and out == '', 'lock held: exit 4: %r' % err)
        start = time.monotonic()
        rc, out, err = fetch(db, '--wait', '1')
        elapsed = time.monotonic() - start
        check(rc == 4 and 'after waiting 1.0 s' in err and elapsed >= 0.9,
              '--wait 1 then exit 4 (%.2f s): %r' % (elapsed, err))
        rc, out, err = run('--quiet', 'fetch', db=db)
        check(rc == 4 and err != '', 'exit 4 is reported even with --quiet')
        check(len(server.log('locked')) == 0, 'nothing fetched while locked')
        threading.Timer(0.5, holder.close).start()
        start = time.monotonic()
        rc, out, err = fetch(db, '--wait', '10')
        elapsed = time.monotonic() - start
        check(rc == 0 and '3 new' in out and 0.4 <= elapsed < 9,
              '--wait gets the lock when it is released (%.2f s): %r' % (elapsed, err))
    finally:
        holder.close()

    # Two real runs: the second gives up while the first is busy.
    server.control('slowfeed', delay_ms='2500')
    slow = server.url('/script/slowfeed')
    run('add', slow, db=db)
    first = subprocess.Popen([BIN, '--db', db, 'fetch', *FAST, slow], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    time.sleep(0.8)
    rc, out, err = fetch(db, slow)
    out1, err1 = first.communicate(timeout=60)
    check(rc == 4 and first.returncode == 0 and b'3 new' in out1,
          'overlapping runs: the second exits 4 (%d, %r)' % (rc, err))


def test_readers_during_fetch(server, tmp):
    db = os.path.join(tmp, 'readers.db')
    names = ['r%d' % i for i in range(4)]
    for name in names:
        server.control(name, delay_ms='2000', items='30')
    run('add', *[server.url('/script/' + n) for n in names], db=db)
    # Something to read from the start.
    run('import', os.path.join(DATA, 'devto-fuadhusnan.xml'), db=db)
    proc = subprocess.Popen(fktest.command(['fetch', *FAST], db), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(0.5)
    start = time.monotonic()
    rc1, out1, _ = run('list', db=db)
    rc2, out2, _ = run('feeds', db=db)
    rc3, out3, _ = run('show', '1', db=db)
    elapsed = time.monotonic() - start
    check(proc.poll() is None, 'the fetch is still running while the readers run')
    check(rc1 == 0 and len(out1.splitlines()) == 12 and rc2 == 0 and rc3 == 0 and elapsed < 2.5,
          'readers work during a fetch (%.2f s)' % elapsed)
    out, err = proc.communicate(timeout=60)
    check(proc.returncode == 0 and b'total: 4 feeds, 120 new' in out,
          'the fetch completes: %r' % err)

    if fktest.POSTGRESQL:
        return
    # A writer holding the write transaction does not block readers (WAL).
    con = sqlite3.connect(db, timeout=10, isolation_level=None)
    try:
        con.execute('BEGIN IMMEDIATE')
        con.execute("UPDATE feeds SET name = 'busy'")
        start = time.monotonic()
        rc, out, err = run('list', '--limit', '5', db=db)
        elapsed = time.monotonic() - start
        check(rc == 0 and len(out.splitlines()) == 5 and elapsed < 2,
              'list while a write transaction is open (%.2f s)' % elapsed)
        rc, out, err = run('feeds', '--format', 'json', db=db)
        check(rc == 0 and 'busy' not in out, 'readers see the last commit')
    finally:
        con.execute('ROLLBACK')
        con.close()


def archive_snapshot(db):
    """What must come out the same however the runs went: the articles
    with their content and which feeds carry them."""
    articles = query(db, 'SELECT key, title, text, markdown, tags_text, content_hash '
                         'FROM articles ORDER BY key')
    links = query(db, 'SELECT a.key, f.url FROM article_feeds af JOIN articles a '
                      'ON a.id = af.article_id JOIN feeds f ON f.id = af.feed_id ORDER BY 1, 2')
    codes = query(db, 'SELECT a.key, c.position, c.language, c.code FROM code_blocks c '
                      'JOIN articles a ON a.id = c.article_id ORDER BY 1, 2')
    return articles, links, codes


LEASE = ['--lease', '1'] if fktest.POSTGRESQL else []


def test_sigkill(server, tmp):
    names = ['k%d' % i for i in range(12)]
    for i, name in enumerate(names):
        server.control(name, items='250', delay_ms=str(150 * (i % 5)))
    urls = [server.url('/script/' + n, HOSTS[i % len(HOSTS)]) for i, n in enumerate(names)]
    ref = os.path.join(tmp, 'ref.db')
    run('add', *urls, db=ref)
    start = time.monotonic()
    rc, out, err = fetch(ref, '--jobs', '4')
    whole = time.monotonic() - start
    check(rc == 0 and scalar(ref, 'SELECT count(*) FROM articles') == 3000,
          'uninterrupted run: %r' % err)
    expected = archive_snapshot(ref)

    rng = random.Random(5)
    killed_running = 0
    for attempt in range(6):
        # within the first 70% of an uninterrupted run's time; a loaded
        # machine makes the runs' lengths vary, so a run that ended before
        # its kill is tried again on a new archive, killed twice as early
        fraction = rng.uniform(0.1, 0.7)
        for again in range(4):
            db = os.path.join(tmp, 'killed%d-%d.db' % (attempt, again))
            run('add', *urls, db=db)
            # on PostgreSQL the killed fetch's feeds wait for its lease
            proc = subprocess.Popen(fktest.command(['fetch', *FAST, '--jobs', '4'] + LEASE, db),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(fraction * whole)
            running = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if running:
                killed_running += 1
                break
            fraction /= 2
        check(scalar(db, 'PRAGMA integrity_check') == 'ok', 'integrity after kill %d' % attempt)
        # Validators are never stored without the articles they came with.
        for url in urls:
            if feed_row(db, url)['etag'] is not None:
                check(articles_of(db, url) == 250, 'kill %d: %s has validators and all its '
                      'articles' % (attempt, url))
        count = scalar(db, 'SELECT count(*) FROM articles')
        check(count % 250 == 0, 'kill %d: whole feeds only (%d articles)' % (attempt, count))
        if LEASE:
            time.sleep(1.5)
        rc, out, err = fetch(db, '--jobs', '4')
        check(rc == 0, 'the run after kill %d completes: %r' % (attempt, err))
        check(archive_snapshot(db) == expected, 'kill %d and a normal run leave the same archive '
              'as an uninterrupted run' % attempt)
    check(killed_running >= 5, 'the kills hit running fetches (%d)' % killed_running)
    rc, out, err = fetch(db)
    check(rc == 0 and '12 not modified' in out, 'and then everything is up to date: %r' % out)


def test_backfill(server, tmp):
    db = os.path.join(tmp, 'pages.db')
    server.control('dev', pages='3', per_page='5')
    url = server.url('/script/dev')
    run('add', url, db=db)
    rc, out, err = fetch(db, '--pages', '10', url)
    check(rc == 0 and out.startswith('%s: 13 new, 0 updated, 0 unchanged (3 pages)\n' % url),
          'backfill: %r %r' % (out, err))
    log = server.log('dev')
    paths = [entry['path'] for entry in log]
    check(paths == ['/script/dev', '/script/dev?page=2', '/script/dev?page=3',
                    '/script/dev?page=4'], 'pages walked until an empty one: %r' % paths)
    check(all(e['if_none_match'] is None for e in log[1:]), 'pages carry no validators')
    check(feed_row(db, url)['etag'] == '"dev-v1-n3"', 'the validators are the first page\'s')
    check(scalar(db, 'SELECT count(*) FROM fetches') == 1, 'one fetch logged for the feed')
    check(articles_of(db, url) == 13, 'all pages filed under the feed')

    # Again: the first page is not modified, the walk goes on.
    rc, out, err = fetch(db, '--pages', '2', url)
    check(rc == 0 and out.startswith('%s: 0 new, 0 updated, 5 unchanged '
                                     '(first page not modified; 2 pages)\n' % url),
          'backfill after a 304: %r' % out)

    server.control('dev404', pages='2', page_end='404', guid='plain')
    url404 = server.url('/script/dev404?x=1')
    run('add', url404, db=db)
    rc, out, err = fetch(db, '--pages', '5', url404)
    paths = [entry['path'] for entry in server.log('dev404')]
    check(rc == 0 and err == '' and '8 new' in out and
          paths[-1] == '/script/dev404?x=1&page=3', 'a 404 page ends the walk: %r %r'
          % (out, paths))
    server.control('dev500', pages='5')
    url500 = server.url('/script/dev500')
    run('add', url500, db=db)
    server.get('/control/dev500?pages=1&page_end=404')
    server.get('/control/dev500?status=200')
    rc, out, err = fetch(db, '--pages', '3', url500)
    check(rc == 0, 'a 404 on page 2 is the end too: %r' % err)


def test_moves(server, tmp):
    db = os.path.join(tmp, 'moves.db')
    server.control('moved', guid='plain')
    old = server.url('/redirect?code=301&to=/script/moved')
    new = server.url('/script/moved')
    run('add', old, db=db)
    rc, out, err = fetch(db)
    check(rc == 0 and out.startswith('%s: 3 new, 0 updated, 0 unchanged (moved permanently to '
                                     '%s; --follow-moves updates the subscription)\n'
                                     % (old, new)), 'a move is reported: %r' % out)
    row = feed_row(db, old)
    check(row['moved_to'] == new and row['final_url'] == new and row['failures'] == 0,
          'the move is recorded: %r' % row)
    rc, out, err = run('--quiet', 'fetch', '--force', *FAST, db=db)
    check(rc == 0 and out == '' and err == '', 'a move is not a failure: quiet')
    rc, out, err = fetch(db, '--follow-moves', '--force')
    check(rc == 0 and out.startswith('%s: 0 new, 0 updated, 3 unchanged (moved permanently to '
                                     '%s; subscription updated)\n' % (old, new)),
          '--follow-moves: %r' % out)
    check(feed_row(db, old) is None and feed_row(db, new)['moved_to'] is None,
          'the subscription now has the new URL')
    rc, out, err = fetch(db, '--force')
    check(rc == 0 and out.startswith('%s: 0 new, 0 updated, 3 unchanged\n' % new),
          'the moved feed finds its articles again: %r' % out)
    check(scalar(db, 'SELECT count(*) FROM articles') == 3, 'no duplicates after the move')

    # A temporary redirect is not a move.
    server.control('temp')
    temp = server.url('/redirect?code=302&to=/script/temp')
    run('add', temp, db=db)
    rc, out, err = fetch(db, temp)
    check(rc == 0 and 'moved' not in out and feed_row(db, temp)['final_url'] ==
          server.url('/script/temp'), 'a 302 is followed, not reported: %r' % out)
    # A move onto a feed the archive has: reported, nothing changed.
    clash = server.url('/redirect?code=308&to=/script/moved')
    run('add', clash, db=db)
    rc, out, err = fetch(db, '--follow-moves', clash)
    clash_id = feed_row(db, clash)['id'] if feed_row(db, clash) else None
    check(rc == 0 and clash_id and
          "which is feed %d of the archive; 'feedkeep remove %d' ends this subscription"
          % (feed_row(db, new)['id'], clash_id) in out,
          'a move onto another feed is left alone, with what to do: %r %r' % (out, err))
    # --quiet: a move is reported once, the first time it is seen.
    once = server.url('/redirect?code=301&to=/script/once')
    server.control('once', guid='plain')
    run('add', once, db=db)
    rc, out, err = run('--quiet', 'fetch', *FAST, once, db=db)
    check(rc == 0 and out == '' and err.count('\n') == 1 and
          "'%s': moved permanently to '%s'" % (once, server.url('/script/once')) in err and
          '--follow-moves' in err, 'a move under --quiet: one warning: %r' % err)
    rc, out, err = run('--quiet', 'fetch', '--force', *FAST, once, db=db)
    check(rc == 0 and out == '' and err == '', 'the same move again: quiet: %r' % err)
    rc, out, err = run('--quiet', 'fetch', '--force', *FAST, clash, db=db)
    check(rc == 0 and out == '' and err == '',
          'the move onto another feed, seen before: quiet: %r' % err)
    loop = server.url('/loop')
    run('add', loop, db=db)
    rc, out, err = run('--quiet', 'fetch', *FAST, loop, db=db)
    check(rc == 1 and err == "feedkeep: '%s': redirect loop (1st failure, next try in 30m)\n"
          % loop, 'a redirect loop is a failure: %r' % err)


def test_guid_change(server, tmp):
    """A feed that changes its guids, backfill pages included: one line on
    stderr for the feed, no duplicates, and nothing the next time."""
    db = os.path.join(tmp, 'guids.db')
    server.control('guids', guid='url', pages='2')
    url = server.url('/script/guids')
    run('add', url, db=db)
    other = server.url('/script/guidsother')
    server.control('guidsother', guid='url')
    run('add', other, db=db)
    rc, out, err = fetch(db, '--pages', '2')
    check(rc == 0 and '%s: 8 new, 0 updated, 0 unchanged (2 pages)\n' % url in out
          and err == '', 'guids first fetch: %r %r' % (out, err))
    columns = 'SELECT id, key, guid, url, title, text, content_hash, first_seen FROM articles'
    before = query(db, columns + ' ORDER BY id')
    server.control('guids', guid='plain', pages='2')
    rc, out, err = fetch(db, '--force', '--pages', '2')
    check(rc == 0 and '%s: 0 new, 0 updated, 8 unchanged (2 pages)\n' % url in out,
          'guid change fetched: %r' % out)
    # ID names the first of them: which ids the feed has depends on which
    # of the two feeds the first fetch filed first
    first = scalar(db, 'SELECT min(af.article_id) FROM article_feeds af JOIN feeds f'
                       ' ON f.id = af.feed_id WHERE f.url = ?', url)
    check(err == "feedkeep: '%s': 8 items changed their guid; filed as the archived articles"
                 " they match (see 'feedkeep dedup --explain %d')\n" % (url, first),
          'guid change said once for the feed: %r' % err)
    check(query(db, columns + ' ORDER BY id') == before,
          'the archived articles are unchanged')
    check(scalar(db, 'SELECT count(*) FROM article_aliases') == 8, 'eight aliases')
    check(articles_of(db, other) == 3, 'the other feed keeps its articles')
    rc, out, err = fetch(db, '--force', '--pages', '2')
    check(rc == 0 and '0 new, 0 updated, 8 unchanged' in out and err == '',
          'the next fetch says nothing: %r' % err)
    rc, out, err = run('--quiet', 'fetch', '--force', *FAST, db=db)
    check(rc == 0 and out == '' and err == '', 'quiet fetch: %r' % err)


def test_progress(server, tmp):
    """The progress line goes to stderr only when stderr is a terminal."""
    db = os.path.join(tmp, 'progress.db')
    server.control('prog')
    run('add', server.url('/script/prog'), db=db)
    read_out, write_out = os.pipe()
    pid, fd = pty.fork()
    if pid == 0:
        os.dup2(write_out, 1)
        os.execv(BIN, fktest.command(['fetch', *FAST], db))
    os.close(write_out)
    err = b''
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 30)
            chunk = os.read(fd, 4096) if ready else b''
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_out, 'rb') as fh:
        out = fh.read().decode()
    check(os.waitstatus_to_exitcode(status) == 0 and b'fetched 1 of 1 feeds' in err and
          err.endswith(b'\r\x1b[K'), 'progress on a terminal, cleared at the end: %r' % err)
    check(out.startswith(server.url('/script/prog') + ': 3 new') and '\x1b' not in out,
          'stdout has the summary only: %r' % out)


def test_many_feeds(server, tmp):
    db = os.path.join(tmp, 'many.db')
    urls = [server.url('/script/m%d?delay_ms=200&items=2' % i, HOSTS[i % len(HOSTS)])
            for i in range(100)]
    run('add', *urls, db=db)
    start = time.monotonic()
    rc, out, err = fetch(db, '--jobs', '16')
    elapsed = time.monotonic() - start
    check(rc == 0 and 'total: 100 feeds, 200 new, 0 updated, 0 unchanged, 0 not modified, '
          '0 failed' in out, '100 feeds: %r' % err)
    print('100 feeds with 200 ms latency, --jobs 16, 8 hosts: %.2f s' % elapsed)


def main():
    global BIN, DATA
    BIN, DATA = fktest.start(sys.argv[1]), sys.argv[2]
    server = fktest.HttpdProcess(HOSTS)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            test_subscriptions(tmp)
            test_opml(tmp)
            test_first_and_second_fetch(server, tmp)
            test_failures_and_backoff(server, tmp)
            test_bad_among_good(server, tmp)
            test_gzip_charset_limits(server, tmp)
            test_usage_and_errors(server, tmp)
            test_lock(server, tmp)
            test_readers_during_fetch(server, tmp)
            test_backfill(server, tmp)
            test_guid_change(server, tmp)
            test_moves(server, tmp)
            test_sigkill(server, tmp)
            test_progress(server, tmp)
            test_many_feeds(server, tmp)
    finally:
        server.stop()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
