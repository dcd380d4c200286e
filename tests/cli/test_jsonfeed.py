#!/usr/bin/env python3
"""CLI tests of JSON Feed: `parse`, `import` and `fetch` of JSON Feed 1.0
and 1.1 documents, served by the loopback server as application/feed+json
and as text/plain (the reader is chosen by content), and the errors for
JSON that is not a feed. No network.

usage: test_jsonfeed.py FEEDKEEP DATADIR
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import articles_of, check, query  # noqa: E402

DATA = None
FAST = ['--connect-timeout', '2', '--timeout', '10', '--stall-time', '3',
        '--full-text-pages', '0']


def run(*args, db=None, stdin=None):
    return fktest.run(*fktest.no_check(args), db=db, stdin=stdin)


def feed_doc(n, version='1.1', name='posts'):
    items = ',\n'.join(
        '{"id": "urn:jf:%s:%d", "url": "/%s/%d", "title": "Post %d",'
        ' "content_html": "<p>Body of post %d with <a href=\\"rel\\">a link</a>.</p>",'
        ' "date_published": "2024-05-0%dT10:00:00Z", "tags": ["t%d"]}'
        % (name, i, name, i, i, i, 1 + i % 9, i) for i in range(n))
    return ('{"version": "https://jsonfeed.org/version/%s", "title": "JSON served",\n'
            ' "home_page_url": "/", "items": [%s]}\n' % (version, items))


def test_parse(tmp):
    path = os.path.join(DATA, 'feeds', 'jsonfeed-1.1-basic.jsonfeed')
    rc, out, err = run('parse', path, '--format', 'json')
    got = json.loads(out) if rc == 0 else {}
    check(rc == 0 and got['feed']['format'] == 'json' and len(got['items']) == 3,
          'parse: a JSON Feed file: %r %r' % (rc, err))
    # on stdin, and with a byte order mark
    with open(path, 'rb') as fh:
        doc = fh.read()
    rc, out, err = run('parse', '-', '--format', 'json', stdin=b'\xef\xbb\xbf\n' + doc)
    check(rc == 0 and len(json.loads(out)['items']) == 3, 'parse -: %r %r' % (rc, err))

    notfeed = fktest.write(os.path.join(tmp, 'config.json'), '{"name": "not a feed"}\n')
    rc, out, err = run('parse', notfeed)
    check(rc == 1 and err == "feedkeep: '%s': not a JSON Feed (no \"items\" array)\n" % notfeed,
          'parse: JSON that is not a feed: %r %r' % (rc, err))
    broken = fktest.write(os.path.join(tmp, 'broken.json'), '{"title": [1, 2,\n')
    rc, out, err = run('parse', broken)
    check(rc == 1 and 'not a JSON Feed (line 2: invalid JSON' in err,
          'parse: broken JSON: %r %r' % (rc, err))

    rc, out, err = run('parse', '--help')
    check(rc == 0 and 'JSON Feed' in out, 'parse --help names JSON Feed: %r' % out)
    rc, out, err = run('import', '--help')
    check(rc == 0 and 'JSON Feed' in out, 'import --help names JSON Feed: %r' % out)


def test_import(tmp):
    db = os.path.join(tmp, 'import.db')
    for name, n in (('jsonfeed-1.1-basic', 3), ('jsonfeed-1.0-author', 2),
                    ('jsonfeed-truncated', 2)):
        path = os.path.join(DATA, 'feeds', name + '.jsonfeed')
        rc, out, err = run('import', path, db=db)
        check(rc == 0 and out == '%s: %d new, 0 updated, 0 unchanged\n' % (path, n),
              'import %s: %r %r %r' % (name, rc, out, err))
    rows = query(db, "SELECT url, title, author FROM articles WHERE url LIKE '%old.example%' "
                     "ORDER BY url")
    check(rows == [('https://old.example/2347259', 'Numbers as ids', 'Item Author'),
                   ('https://old.example/second', None, 'New Form')],
          'import: the 1.0 feed\'s articles: %r' % rows)
    # the same document again: nothing new
    path = os.path.join(DATA, 'feeds', 'jsonfeed-1.1-basic.jsonfeed')
    rc, out, err = run('import', path, db=db)
    check(rc == 0 and out == '%s: 0 new, 0 updated, 3 unchanged\n' % path,
          'import again: %r %r' % (out, err))
    rc, out, err = run('search', 'moon', '--format', 'json', db=db)
    check(rc == 0 and 'spring-tides' in out, 'search finds the JSON Feed text: %r %r' % (out, err))


def test_fetch(tmp):
    server = fktest.Loopback()
    try:
        typed = server.static('/feed.json', feed_doc(3).encode(), ctype='application/feed+json')
        plain = server.static('/feed.txt', feed_doc(2, '1', 'plain').encode(),
                              ctype='text/plain; charset=utf-8')
        notfeed = server.static('/data.json', b'{"rows": []}', ctype='application/json')
        db = os.path.join(tmp, 'fetch.db')
        rc, out, err = run('add', typed, plain, notfeed, db=db)
        check(rc == 0, 'add: %r' % err)
        rc, out, err = run('fetch', *FAST, db=db)
        check('%s: 3 new, 0 updated, 0 unchanged\n' % typed in out,
              'fetch: application/feed+json: %r %r' % (out, err))
        check('%s: 2 new, 0 updated, 0 unchanged\n' % plain in out,
              'fetch: text/plain: %r %r' % (out, err))
        check(rc == 1 and notfeed in err and 'not a JSON Feed (no "items" array)' in err,
              'fetch: JSON that is not a feed fails, named: %r %r' % (rc, err))
        check(articles_of(db, typed) == 3 and articles_of(db, plain) == 2,
              'fetch: the articles are archived')
        urls = [r[0] for r in query(db, "SELECT url FROM articles WHERE url LIKE '%/posts/0'")]
        check(urls == [server.url('/posts/0')],
              'relative item URLs resolve against the feed\'s URL: %r' % urls)
        rc, out, err = run('fetch', *FAST, '--force', db=db)
        check('%s: 0 new, 0 updated, 3 unchanged\n' % typed in out,
              'fetch again: nothing new: %r %r' % (out, err))
    finally:
        server.stop()


def main():
    global DATA
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fktest.start(sys.argv[1])
    DATA = sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        test_parse(tmp)
        test_import(tmp)
        test_fetch(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
