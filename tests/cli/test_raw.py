#!/usr/bin/env python3
"""test_raw.py - the feed's own bytes kept, and reparse.

usage: test_raw.py FEEDKEEP DATA_DIR

import and fetch keep the document as it came (read back from SQLite and
decompressed with zstd, or zlib for documents kept by schema 9) only when it changed something and the feed's
keep-raw setting is on; reparse rewrites nothing on an unchanged archive,
rewrites an article whose stored text is not what the converter makes,
re-files the kept documents with --raw, and a reparse killed in the middle
leaves a sound archive.
"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import ctypes
import ctypes.util
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, query, run, scalar  # noqa: E402

SAMPLE = 'devto-fuadhusnan.xml'
# What whoever changes an article's text by hand runs (see the schema).
REBUILD = "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"


_zstd = ctypes.CDLL(ctypes.util.find_library('zstd') or 'libzstd.so.1')
_zstd.ZSTD_decompress.restype = ctypes.c_size_t
_zstd.ZSTD_decompress.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                  ctypes.c_size_t]
_zstd.ZSTD_isError.argtypes = [ctypes.c_size_t]


def unpack(compression, blob, size):
    """A kept document's bytes, as the archive holds them decompressed."""
    if compression == 'zlib':
        return zlib.decompress(blob)
    out = ctypes.create_string_buffer(max(size, 1))
    n = _zstd.ZSTD_decompress(out, size, blob, len(blob))
    if _zstd.ZSTD_isError(n):
        raise ValueError('not a zstd frame')
    return out.raw[:n]


def raw_rows(db):
    return query(db, 'SELECT feed_id, url, status, content_type, etag, last_modified, size, '
                     'compression, data FROM raw_documents ORDER BY id')


def derived(db):
    """The derived forms of every article, and its code blocks."""
    return (query(db, 'SELECT id, text, markdown FROM articles ORDER BY id'),
            query(db, 'SELECT * FROM code_blocks ORDER BY 1, 2'))


def test_import(tmp, sample):
    data = open(sample, 'rb').read()
    db = os.path.join(tmp, 'import.db')
    rc, out, err = run('import', sample, db=db)
    check(rc == 0, 'import: %r' % err)
    rows = raw_rows(db)
    check(len(rows) == 1, 'import keeps one document: %d' % len(rows))
    if rows:
        feed_id, url, status, ctype, etag, lm, size, comp, blob = rows[0]
        check(comp == 'zstd' and size == len(data), 'compression and size: %r %r' % (comp, size))
        check(unpack(comp, blob, size) == data, 'the kept document is the file, byte for byte')
        check(status is None and etag is None and ctype is None, 'a file has no headers')
        check(url == scalar(db, 'SELECT url FROM feeds WHERE id = ?', feed_id),
              'kept under the feed it was filed into: %r' % url)
    rc, out, err = run('import', sample, db=db)
    check(rc == 0 and '0 new' in out, 'import again: %r %r' % (out, err))
    check(scalar(db, 'SELECT count(*) FROM raw_documents') == 1,
          'an import that changes nothing keeps nothing')

    # stdin: the bytes as streamed
    db2 = os.path.join(tmp, 'stdin.db')
    rc, out, err = run('import', '-', db=db2, stdin=data)
    check(rc == 0, 'import -: %r' % err)
    rows = raw_rows(db2)
    check(len(rows) == 1 and unpack(rows[0][7], rows[0][8], rows[0][6]) == data,
          'stdin document kept')

    # over the fetch body limit: archived as streamed, not kept
    i = data.index(b'<item>')
    big = data[:i] + b'<!-- pad -->\n' * (3 * 1024 * 1024) + data[i:]
    db4 = os.path.join(tmp, 'big-stdin.db')
    rc, out, err = run('import', '-', db=db4, stdin=big)
    check(rc == 0 and '12 new' in out, 'import - of 39 MiB: %r %r' % (out, err))
    check(scalar(db4, 'SELECT count(*) FROM raw_documents') == 0, 'a stream over 32 MiB not kept')
    bigfile = fktest.write(os.path.join(tmp, 'big.xml'), big)
    db5 = os.path.join(tmp, 'big-file.db')
    rc, out, err = run('import', bigfile, db=db5)
    check(rc == 0 and '12 new' in out, 'import of a 39 MiB file: %r %r' % (out, err))
    check(scalar(db5, 'SELECT count(*) FROM raw_documents') == 0, 'a file over 32 MiB not kept')
    os.unlink(bigfile)

    db3 = os.path.join(tmp, 'nokeep.db')
    rc, out, err = run('import', '--no-keep-raw', sample, db=db3)
    check(rc == 0 and '12 new' in out, 'import --no-keep-raw: %r %r' % (out, err))
    check(scalar(db3, 'SELECT count(*) FROM raw_documents') == 0, '--no-keep-raw keeps none')
    return db


def test_fetch(tmp, sample):
    body = open(sample, 'rb').read()
    server = fktest.Loopback()
    try:
        def conditional(h):
            if h.headers.get('If-None-Match') == '"v1"':
                h.reply(304, b'', [('ETag', '"v1"')])
            else:
                h.reply(200, body, [('ETag', '"v1"'),
                                    ('Last-Modified', 'Tue, 01 Dec 2026 10:00:00 GMT')],
                        'application/rss+xml; charset=utf-8')
        url = server.route('/feed.xml', conditional)
        db = os.path.join(tmp, 'fetch.db')
        rc, out, err = run('add', '--no-check', url, db=db)
        check(rc == 0, 'add: %r' % err)
        rc, out, err = run('fetch', db=db)
        check(rc == 0, 'fetch: %r' % err)
        rows = raw_rows(db)
        check(len(rows) == 1, 'a 200 keeps one document: %d' % len(rows))
        if rows:
            _, rurl, status, ctype, etag, lm, size, comp, blob = rows[0]
            check(status == 200 and etag == '"v1"' and lm == 'Tue, 01 Dec 2026 10:00:00 GMT',
                  'headers kept: %r' % (rows[0][:6],))
            check(ctype == 'application/rss+xml; charset=utf-8', 'content type: %r' % ctype)
            check(unpack(comp, blob, size) == body and rurl == url, 'the body as received')
        rc, out, err = run('fetch', '--force', db=db)
        check(rc == 0, 'fetch again: %r' % err)
        rc, out, err = run('fetch', db=db)
        check(rc == 0 and scalar(db, 'SELECT count(*) FROM fetches WHERE status = 304') >= 1,
              'a 304: %r %r' % (out, err))
        check(scalar(db, 'SELECT count(*) FROM raw_documents') == 1,
              'an unchanged body and a 304 keep nothing')

        # keep-raw off: add --no-keep-raw, and feeds set
        url2 = server.static('/other.xml', body)
        db2 = os.path.join(tmp, 'fetch-off.db')
        rc, out, err = run('add', '--no-check', '--no-keep-raw', url2, db=db2)
        check(rc == 0, 'add --no-keep-raw: %r' % err)
        rc, out, err = run('feeds', '--format', 'json', db=db2)
        check(rc == 0 and '"keep_raw":false' in out, 'feeds shows keep_raw: %r' % out)
        rc, out, err = run('fetch', db=db2)
        check(rc == 0 and scalar(db2, 'SELECT count(*) FROM articles') == 12,
              'fetch of a feed with keep-raw off: %r' % err)
        check(scalar(db2, 'SELECT count(*) FROM raw_documents') == 0, 'keep-raw off keeps none')
        rc, out, err = run('feeds', 'set', '1', 'keep-raw', 'on', db=db2)
        check(rc == 0, 'feeds set: %r' % err)
        rc, out, err = run('feeds', '--format', 'json', db=db2)
        check('"keep_raw":true' in out, 'keep_raw switched on: %r' % out)
        rc, out, err = run('feeds', 'set', '1', 'keep-raw', 'maybe', db=db2)
        check(rc == 2, 'feeds set with a bad value: %d %r' % (rc, err))
        rc, out, err = run('feeds', 'set', '99', 'keep-raw', 'on', db=db2)
        check(rc == 1 and 'no feed 99' in err, 'feeds set of a missing feed: %d %r' % (rc, err))
    finally:
        server.stop()


def test_reparse(tmp, db):
    before = derived(db)
    versions = scalar(db, 'SELECT count(*) FROM article_versions')
    rc, out, err = run('reparse', db=db)
    check(rc == 0 and out == 'reparse: 12 articles, 0 rewritten, 0 with a new version\n',
          'reparse of an unchanged archive: %r %r' % (out, err))
    check(derived(db) == before, 'derived forms byte-identical after reparse')
    check(scalar(db, 'SELECT count(*) FROM article_versions') == versions, 'no version added')
    rc, out, err = run('reparse', '--quiet', db=db)
    check(rc == 0 and out == '', 'reparse --quiet: %r' % out)

    # an old converter's text
    aid = before[0][0][0]
    fktest.execute(db, "UPDATE articles SET text = 'an older text' WHERE id = %d; %s"
                   % (aid, REBUILD), "UPDATE articles SET text = 'an older text' WHERE id = %d"
                   % aid)
    rc, out, err = run('reparse', '--dry-run', db=db)
    check(rc == 0 and '1 would be rewritten, 1 with a new version' in out,
          'reparse --dry-run: %r' % out)
    check(scalar(db, 'SELECT text FROM articles WHERE id = ?', aid) == 'an older text',
          '--dry-run writes nothing')
    rc, out, err = run('reparse', str(aid), db=db)
    check(rc == 0 and out == 'reparse: 1 articles, 1 rewritten, 1 with a new version\n',
          'reparse of a changed article: %r %r' % (out, err))
    check(derived(db) == before, 'the text converted again')
    check(scalar(db, 'SELECT count(*) FROM article_versions WHERE article_id = ?', aid) >=
          versions + 1, 'a version recorded')
    rc, out, err = run('check', db=db)
    check(rc == 0, 'check after reparse: %r' % out)
    rc, out, err = run('reparse', '--feed', '999', db=db)
    check(rc != 0, 'reparse with an unknown feed fails: %d' % rc)

    # --raw: re-filing the kept documents changes nothing
    rc, out, err = run('reparse', '--raw', db=db)
    check(rc == 0 and out == 'reparse: 1 documents, 0 new, 0 updated\n',
          'reparse --raw on the archive: %r %r' % (out, err))
    rc, out, err = run('reparse', '--raw', '--tag', 'go', db=db)
    check(rc == 2, 'reparse --raw with a filter: %d' % rc)

    if fktest.POSTGRESQL:
        return  # the rest writes an older SQLite schema's rows by hand
    # a new archive with only the feed and its raw documents, kept with
    # zlib as schema 9 kept them
    fresh = os.path.join(tmp, 'fresh.db')
    url = scalar(db, 'SELECT url FROM feeds WHERE id = 1')
    rc, out, err = run('add', '--no-check', url, db=fresh)
    check(rc == 0, 'add to the fresh archive: %r' % err)
    con = sqlite3.connect(fresh)
    con.execute('ATTACH DATABASE ? AS old', (db,))
    con.execute('INSERT INTO raw_documents SELECT * FROM old.raw_documents')
    for rid, comp, blob, size in con.execute(
            'SELECT id, compression, data, size FROM raw_documents').fetchall():
        con.execute("UPDATE raw_documents SET compression = 'zlib', data = ? WHERE id = ?",
                    (zlib.compress(unpack(comp, blob, size)), rid))
    con.commit()
    con.close()
    rc, out, err = run('reparse', '--raw', db=fresh)
    check(rc == 0 and out == 'reparse: 1 documents, 12 new, 0 updated\n',
          'reparse --raw brings the articles back: %r %r' % (out, err))
    check(scalar(fresh, 'SELECT count(*) FROM articles') == 12, 'articles back')
    check(scalar(fresh, 'SELECT count(*) FROM raw_documents') == 1, 'not kept twice')


def scaled(sample, n, out):
    """The sample feed with its items repeated under new guids and links
    to n items."""
    s = open(sample, encoding='utf-8').read()
    head, tail = s[:s.index('<item>')], s[s.rindex('</item>') + len('</item>'):]
    items = re.findall(r'<item>.*?</item>', s, re.S)
    with open(out, 'w', encoding='utf-8') as fh:
        fh.write(head)
        for k in range(n):
            it = re.sub(r'<(link|guid)([^>]*)>([^<]*)</',
                        lambda m: '<%s%s>%s-%d</' % (m.group(1), m.group(2), m.group(3), k),
                        items[k % len(items)])
            fh.write(it + '\n')
        fh.write(tail)
    return out


def test_kill(tmp, sample):
    big = scaled(sample, 600, os.path.join(tmp, 'big.xml'))
    db = os.path.join(tmp, 'big.db')
    rc, out, err = run('import', big, db=db, timeout=600)
    check(rc == 0 and '600 new' in out, 'import of 600 items: %r %r' % (out, err))
    # every stored text made stale, so that the reparse writes
    fktest.execute(db, "UPDATE articles SET text = text || ' (old)'; " + REBUILD,
                   "UPDATE articles SET text = text || ' (old)'")
    p = subprocess.Popen(fktest.command(['reparse'], db), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=fktest.environ())
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        if scalar(db, 'SELECT count(*) FROM article_versions', readonly=True) > 50:
            break
        time.sleep(0.02)
    killed = p.poll() is None
    if killed:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()
    rc, out, err = run('check', db=db)
    check(rc == 0, 'check after a killed reparse: %r %r' % (out, err))
    # a reparse killed after its last commit (on its way out: a slow exit
    # under the sanitizers) left nothing stale for the next one to rewrite
    stale = scalar(db, "SELECT count(*) FROM articles WHERE text LIKE '%(old)'", readonly=True)
    rc, out, err = run('reparse', db=db, timeout=600)
    check(rc == 0 and (not killed or not stale or ' 0 with a new version' not in out),
          'the rest rewritten after the kill: %r (%d stale)' % (out, stale))
    check(scalar(db, "SELECT count(*) FROM articles WHERE text LIKE '%(old)'", readonly=True) == 0,
          'nothing stale after it')
    rc, out, err = run('reparse', db=db, timeout=600)
    check(rc == 0 and '600 articles, 0 rewritten' in out, 'then nothing left: %r' % out)


def main():
    fktest.start(sys.argv[1])
    data = sys.argv[2]
    sample = os.path.join(data, SAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        db = test_import(tmp, sample)
        test_fetch(tmp, sample)
        test_reparse(tmp, db)
        test_kill(tmp, sample)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
