#!/usr/bin/env python3
"""test_fulltext.py - whole articles from summary-only feeds: the feeds'
full-text setting, fetch with the pages of a teaser feed served by the
loopback server tests/httpd.py (which this test starts and always stops),
search and show on what only the pages hold, a second fetch that fetches no
page, show --source, reparse, pages that fail or cannot be used, and an
archive from before pages were fetched. No network.

usage: test_fulltext.py FEEDKEEP DATADIR
"""
import json
import os
import re
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, run, scalar  # noqa: E402

FAST = ['--connect-timeout', '2', '--timeout', '20', '--stall-time', '5']


def page_requests(server, name):
    return [r for r in server.log(name) if r['path'].startswith('/article/')]


def feed_field(db, feed_id, field):
    rc, out, err = run('feeds', '--all', '--format', 'json', db=db)
    check(rc == 0, 'feeds --format json: %r' % err)
    for line in out.splitlines():
        row = json.loads(line)
        if row['id'] == feed_id:
            return row.get(field)
    return None


def test_setting(tmp, server):
    db = os.path.join(tmp, 'setting.db')
    url = server.url('/script/setting')
    rc, out, err = run('add', '--no-check', url, db=db)
    check(rc == 0, 'add: %r' % err)
    check(feed_field(db, 1, 'full_text') == 'auto', 'a new feed is auto')
    rc, out, err = run('feeds', '--fields', 'id,full_text', db=db)
    check(out == '1\tauto\n', 'the field in TSV: %r' % out)
    rc, out, err = run('add', '--no-check', '--full-text', url, db=db)
    check(rc == 0 and 'already subscribed' in out, 'add --full-text again: %r' % out)
    check(feed_field(db, 1, 'full_text') == 'on', '--full-text alone is on')
    rc, out, err = run('add', '--no-check', '--full-text=off', url, db=db)
    check(feed_field(db, 1, 'full_text') == 'off', '--full-text=off')
    rc, out, err = run('add', '--no-check', url, db=db)
    check(feed_field(db, 1, 'full_text') == 'off', 'add without the option keeps the setting')
    rc, out, err = run('add', '--no-check', '--full-text=sometimes', url, db=db)
    check(rc == 2 and "'sometimes' is not on, off or auto" in err, 'a bad mode: %r' % err)
    rc, out, err = run('feeds', 'set', '1', 'full-text', 'auto', db=db)
    check(rc == 0 and feed_field(db, 1, 'full_text') == 'auto', 'feeds set full-text auto: %r'
          % err)
    rc, out, err = run('feeds', 'set', '1', 'full-text', 'yes', db=db)
    check(rc == 2 and 'full-text on|off|auto' in err, 'feeds set with a bad mode: %r' % err)
    rc, out, err = run('feeds', 'set', '9', 'full-text', 'on', db=db)
    check(rc == 1 and 'no feed 9' in err, 'feeds set on a missing feed: %r' % err)
    rc, out, err = run('feeds', 'set', '1', 'keep-raw', 'off', db=db)
    check(rc == 0 and feed_field(db, 1, 'keep_raw') is False, 'keep-raw still set: %r' % err)
    rc, out, err = run('fetch', '--full-text-pages', 'x', db=db)
    check(rc == 2 and '--full-text-pages' in err, 'fetch --full-text-pages x: %r' % err)


def test_teaser_feed(tmp, server):
    """The loopback test of the issue: after fetch, search finds words only
    the pages hold, show prints the whole article, and a second fetch does
    not fetch the pages again."""
    db = os.path.join(tmp, 'teasers.db')
    server.control('teasers', teaser=1)
    url = server.url('/script/teasers')
    run('add', '--no-check', url, db=db)
    rc, out, err = run('fetch', *FAST, db=db)
    check(rc == 0 and err == '', 'fetch: %r %r' % (out, err))
    for i in (1, 2, 3):
        page = server.url('/article/teasers/%d' % i)
        check(re.search(r'^%s: whole article \(article \d+\)$' % re.escape(page), out, re.M),
              'a line for page %d: %r' % (i, out))
    check('article pages: 3 fetched, 3 whole articles, 0 failed or without text\n' in out,
          'the pages in the total: %r' % out)
    check(len(page_requests(server, 'teasers')) == 3, 'three pages fetched')

    rc, out, err = run('search', '--format', 'json', 'pageonly2', db=db)
    hits = [json.loads(line) for line in out.splitlines()]
    check(rc == 0 and len(hits) == 1, 'search finds a word only the page has: %r' % out)
    article = hits[0]['id'] if hits else 0
    rc, out, err = run('show', str(article), db=db)
    check(rc == 0 and 'Paragraph 6 of teasers item 2' in out, 'show prints the whole article')
    check('Whole article from its page, fetched ' in out, 'show says where the text came from')
    check('Comments are closed' not in out and 'Home' not in out.split('\n\n', 1)[1],
          'boilerplate left out: %r' % out)
    rc, out, err = run('show', '--source', 'feed', str(article), db=db)
    check(rc == 0 and 'The start of teasers item 2' in out and 'pageonly' not in out,
          'show --source feed: %r' % out)
    check('As the feed sent it' in out, 'show --source feed says so')
    rc, out, err = run('show', '--source', 'page', '--markdown', str(article), db=db)
    check(rc == 0 and out.startswith('Paragraph 1 of teasers item 2'),
          'show --source page --markdown: %r' % out[:200])
    rc, out, err = run('show', '--json', str(article), db=db)
    shown = json.loads(out) if rc == 0 else {}
    check(shown.get('source') == 'page', 'JSON source: %r' % shown.get('source'))
    page = shown.get('page') or {}
    check(page.get('status') == 'stored' and page.get('title') == 'teasers item 2'
          and page.get('url') == server.url('/article/teasers/2'), 'JSON page: %r' % page)
    check('The start of teasers item 2' in (shown.get('summary_html') or ''),
          'the feed\'s summary stays')
    rc, out, err = run('history', str(article), db=db)
    check(rc == 0 and 'replaced' in out, 'the teaser is a replaced version: %r' % out)
    rc, out, err = run('show', '--source', 'page', '--json', str(article), db=db)
    check(rc == 2 and '--source goes with --text and --markdown' in err, 'with --json: %r' % err)
    rc, out, err = run('show', '--source', 'both', str(article), db=db)
    check(rc == 2 and "'both' is not feed, page or author" in err, 'a bad source: %r' % err)

    rc, out, err = run('fetch', *FAST, db=db)
    check(rc == 0 and 'article pages' not in out and 'whole article' not in out,
          'a second fetch: %r' % out)
    rc, out, err = run('fetch', '--force', *FAST, db=db)
    check(rc == 0 and 'article pages' not in out, 'a forced fetch, items unchanged: %r' % out)
    check(len(page_requests(server, 'teasers')) == 3, 'no page fetched again')

    rc, out, err = run('reparse', db=db)
    check(rc == 0 and ', 0 rewritten,' in out, 'reparse converts the pages again: %r' % out)
    # A text made wrong by hand is rebuilt from the page's HTML.
    fktest.execute(db, "UPDATE articles SET text = 'wrong' WHERE id = %d;"
                       " INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')" % article,
                   "UPDATE articles SET text = 'wrong' WHERE id = %d" % article)
    rc, out, err = run('reparse', str(article), db=db)
    rc, out, err = run('show', str(article), db=db)
    check('Paragraph 6 of teasers item 2' in out, 'reparse rebuilt from the page: %r' % out[:300])

    # The items change: the pages are asked for with their validators.
    server.get('/control/teasers?version=2')
    rc, out, err = run('fetch', *FAST, db=db)
    check(rc == 0 and 'article pages: 3 fetched' in out, 'changed items: %r' % out)
    requests = page_requests(server, 'teasers')
    check(len(requests) == 6 and all(r['if_none_match'] for r in requests[3:]),
          'conditional GETs: %r' % requests[3:])
    rc, out, err = run('search', 'pageonly2', db=db)
    check(len(out.splitlines()) == 1, 'the page is still the text: %r' % out)

    # The cap, and off.
    rc, out, err = run('feeds', 'set', '1', 'full-text', 'off', db=db)
    server.get('/control/teasers?version=3&article_version=2')
    rc, out, err = run('fetch', *FAST, db=db)
    check('article pages' not in out, 'off fetches no page: %r' % out)
    rc, out, err = run('feeds', 'set', '1', 'full-text', 'on', db=db)
    server.get('/control/teasers?version=4&article_version=2')
    rc, out, err = run('fetch', '--full-text-pages', '1', *FAST, db=db)
    check('article pages: 1 fetched, 1 whole articles, 0 failed or without text; more wait '
          'for the next run' in out, 'the cap: %r' % out)
    rc, out, err = run('fetch', '--quiet', *FAST, db=db)
    check(rc == 0 and out == '' and err == '', 'quiet: %r %r' % (out, err))
    check(len(page_requests(server, 'teasers')) == 9, 'the rest in the next run')


def one_page(tmp, server, kind, **params):
    """A fresh archive with one teaser whose page answers as kind says:
    fetch's exit status, stdout, stderr, and the article's text."""
    name = 'kind-' + kind
    db = os.path.join(tmp, name + '.db')
    server.control(name, teaser=1, items=1, article=kind, **params)
    run('add', '--no-check', server.url('/script/' + name), db=db)
    rc, out, err = run('fetch', *FAST, db=db, timeout=300)
    text = scalar(db, 'SELECT text FROM articles')
    return rc, out, err, text, db


def test_unusable(tmp, server):
    page = server.url('/article/kind-status/1')
    rc, out, err, text, db = one_page(tmp, server, 'status', article_status=503, retry=3600)
    check(rc == 0, 'a failed page is no failed fetch: %d' % rc)
    check("feedkeep: '%s': HTTP 503 (article 1's page, 1st failure, next try in 1h)\n" % page
          == err, 'the failure on stderr: %r' % err)
    check('The start of kind-status item 1' in text, 'the feed\'s text stays')
    rc, out, err = run('show', '--source', 'page', '1', db=db)
    check(rc == 1 and 'article 1 has no page kept: HTTP 503' in err,
          'show --source page without a page: %r' % err)
    rc, out, err = run('fetch', '--force', *FAST, db=db)
    check(rc == 0 and err == '', 'in backoff: not fetched again: %r' % err)

    rc, out, err, text, db = one_page(tmp, server, 'pdf')
    check(rc == 0 and 'not an HTML page (application/pdf) (article 1\'s page; not fetched '
          'again until the feed changes the item)' in err, 'a PDF: %r' % err)
    rc, out, err, text, db = one_page(tmp, server, 'big')
    check(rc == 0 and 'larger' in err and 'not fetched again' in err, '50 MB: %r' % err)
    check('The start of kind-big item 1' in text, 'the feed\'s text stays')
    rc, out, err, text, db = one_page(tmp, server, 'empty')
    check(rc == 0 and 'no article text in the page; the feed\'s text stays' in err,
          'a page without text: %r' % err)
    check('The start of kind-empty item 1' in text, 'the feed\'s text stays')
    rc, out, err, text, db = one_page(tmp, server, 'login')
    check(rc == 0 and 'Sign in' not in text and 'The start of kind-login' in text,
          'a login wall is not used: %r %r' % (err, text))
    rc, out, err, text, db = one_page(tmp, server, 'redirect')
    check(rc == 0 and 'whole article' in out and 'pageonly1' in text, 'a redirect chain: %r'
          % err)
    rc, out, err, text, db = one_page(tmp, server, 'latin1')
    check(rc == 0 and 'caf\u00e9 and \u201cquotes\u201d included' in text,
          '<meta charset> only: %r' % text[:200])
    rc, out, err, text, db = one_page(tmp, server, 'httpcharset')
    check(rc == 0 and 'caf\u00e9 and \u201cquotes\u201d included' in text,
          'the charset of the Content-Type only: %r' % text[:200])


@fktest.sqlite_only('an archive of an older SQLite schema')
def test_upgrade(tmp, server):
    """An archive from before pages: its feeds are off, new ones auto."""
    db = os.path.join(tmp, 'old.db')
    run('add', '--no-check', server.url('/script/old'), db=db)
    con = sqlite3.connect(db)
    con.executescript('DROP TABLE article_api; DROP TABLE article_pages; ALTER TABLE feeds DROP COLUMN full_text;'
                      ' PRAGMA user_version = 10;')
    con.close()
    rc, out, err = run('feeds', '--fields', 'id,full_text', db=db)
    check(rc == 0 and out == '1\toff\n', 'upgraded: off: %r %r' % (out, err))
    run('add', '--no-check', server.url('/script/new'), db=db)
    rc, out, err = run('feeds', '--fields', 'id,full_text', db=db)
    check(out == '1\toff\n2\tauto\n', 'a new feed: auto: %r' % out)


def main():
    fktest.start(sys.argv[1])
    server = fktest.HttpdProcess()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            test_setting(tmp, server)
            test_teaser_feed(tmp, server)
            test_unusable(tmp, server)
            test_upgrade(tmp, server)
    finally:
        server.stop()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
