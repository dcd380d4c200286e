#!/usr/bin/env python3
"""test_assets_cli.py - the commands around the archived assets.

usage: test_assets_cli.py FEEDKEEP DATA_DIR

assets put stores a file as the bytes of a URL (media only, SVG only when
safe, each SHA-256 once), read back with SQLite; the listing of the
references of imported articles with each filter and format (JSON read by
jq); assets get by SHA-256 prefix and URL, byte for byte, and its errors;
the assets and documents of stats (dedup of one file put under two URLs);
check, check --deep on bytes damaged with SQLite and check --repair; the
assets setting of add and feeds.
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, query, run, run_tty, scalar  # noqa: E402

SAMPLE = 'devto-fuadhusnan.xml'
FIELDS = ['article', 'position', 'kind', 'url', 'status', 'reason', 'mime', 'size', 'sha256']


def png(width, height, seed=0):
    """A valid PNG of width x height grey pixels (seed varies the bytes)."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data)))
    rows = b''.join(b'\0' + bytes([(seed + x) & 0xff for x in range(width)])
                    for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


GIF = b'GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00' \
      b',\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;'
SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">' \
           b'<rect width="4" height="4" fill="#c00"/></svg>'
SCRIPT_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
REMOTE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">' \
             b'<image xlink:href="http://127.0.0.1:1/x.png"/></svg>'


def put(db, url, path, stdin=None):
    rc, out, err = run('assets', 'put', url, path, db=db, stdin=stdin)
    fields = out.rstrip('\n').split('\t') if rc == 0 else []
    return rc, fields, err


def test_put(tmp):
    db = os.path.join(tmp, 'put.db')
    image = png(3, 2)
    path = fktest.write(os.path.join(tmp, 'a.png'), image)
    sha = hashlib.sha256(image).hexdigest()

    # no archive yet: put creates it
    rc, fields, err = put(db, 'https://img.example/a.png', path)
    check(rc == 0 and fields == [sha, 'new', 'image/png', str(len(image))],
          'put a PNG: %r %r' % (fields, err))
    rows = query(db, 'SELECT hex(sha256), mime, size, data FROM assets')
    check(len(rows) == 1 and rows[0][0].lower() == sha and rows[0][1] == 'image/png' and
          rows[0][2] == len(image) and rows[0][3] == image, 'stored byte for byte: %r' % rows[:1])
    check(query(db, 'SELECT url, status FROM asset_urls') ==
          [('https://img.example/a.png', 'stored')], 'the URL resolves to it')

    # the same bytes under another URL, from stdin: stored once
    rc, fields, err = put(db, 'https://cdn.example/copy.png', '-', stdin=image)
    check(rc == 0 and fields == [sha, 'existing', 'image/png', str(len(image))],
          'the same bytes again: %r %r' % (fields, err))
    check(scalar(db, 'SELECT count(*) FROM assets') == 1, 'still one asset')
    check(scalar(db, 'SELECT count(DISTINCT asset_id) FROM asset_urls WHERE status = ?',
                 'stored') == 1 and scalar(db, 'SELECT count(*) FROM asset_urls') == 2,
          'two URLs, one asset')

    # a URL stored before now resolves to other bytes
    gif = fktest.write(os.path.join(tmp, 'a.gif'), GIF)
    rc, fields, err = put(db, 'https://img.example/a.png', gif)
    check(rc == 0 and fields[1:3] == ['new', 'image/gif'], 'a URL put again: %r %r' % (fields, err))
    check(scalar(db, 'SELECT a.mime FROM asset_urls u JOIN assets a ON a.id = u.asset_id '
                     'WHERE u.url = ?', 'https://img.example/a.png') == 'image/gif',
          'the URL resolves to the new bytes')

    svg = fktest.write(os.path.join(tmp, 'ok.svg'), SAFE_SVG)
    rc, fields, err = put(db, 'http://img.example/ok.svg', svg)
    check(rc == 0 and fields[2] == 'image/svg+xml', 'a safe SVG: %r %r' % (fields, err))

    before = scalar(db, 'SELECT count(*) FROM asset_urls')
    refused = [
        ('script.svg', SCRIPT_SVG, 'not safe to keep: a script element'),
        ('remote.svg', REMOTE_SVG, 'not safe to keep'),
        ('page.png', b'<!DOCTYPE html><html><body>gone</body></html>', 'its bytes are text/html'),
        ('doc.pdf', b'%PDF-1.4\n%...', 'its bytes are application/pdf'),
        ('noise.bin', b'\x00\x01\x02 not media at all', 'of no type known'),
        ('empty.png', b'', 'of no type known'),
    ]
    for name, data, why in refused:
        path = fktest.write(os.path.join(tmp, name), data)
        rc, fields, err = put(db, 'https://img.example/' + name, path)
        check(rc == 1 and why in err and "'%s'" % path in err,
              'refused %s: %r %r' % (name, rc, err))
    check(scalar(db, 'SELECT count(*) FROM asset_urls') == before, 'nothing refused is recorded')

    for url in ('ftp://img.example/a.png', 'file:///etc/passwd', 'img.example/a.png',
                'https://', 'https:///a.png', 'https://img.example/a b.png'):
        rc, fields, err = put(db, url, path)
        check(rc == 2 and 'is not an http or https URL' in err, 'URL %r refused: %r' % (url, err))
    rc, fields, err = put(db, 'https://img.example/x.png', os.path.join(tmp, 'missing.png'))
    check(rc == 1 and "cannot open '" in err and 'No such file' in err, 'missing file: %r' % err)
    rc, fields, err = put(db, 'https://img.example/x.png', tmp)
    check(rc == 1 and "cannot read '" in err, 'a directory: %r' % err)
    sparse = os.path.join(tmp, 'sparse.png')
    with open(sparse, 'wb') as fh:
        fh.write(image)
        fh.truncate(600 << 20)
    rc, fields, err = put(db, 'https://img.example/huge.png', sparse)
    check(rc == 1 and 'is larger than 512 MiB, the most one asset may be' in err,
          'a file of 600 MiB (sparse), refused before it is read: %r' % err)
    os.unlink(sparse)
    for args in (('assets', 'put'), ('assets', 'put', 'https://img.example/x.png'),
                 ('assets', 'put', 'https://a.example/x', path, 'more')):
        rc, out, err = run(*args, db=db)
        check(rc == 2 and 'usage: feedkeep assets put URL FILE' in err, '%r: %r' % (args, err))
    rc, out, err = run('assets', 'bogus', db=db)
    check(rc == 2 and "unknown action 'bogus'" in err, 'unknown action: %r' % err)
    return db


def feed(title, items):
    """An RSS document of items (title, link, HTML, enclosures)."""
    out = ['<?xml version="1.0"?>\n<rss version="2.0"><channel><title>%s</title>'
           '<link>https://%s.example/</link>' % (title, title)]
    for n, (name, html, enclosures) in enumerate(items):
        out.append('<item><title>%s</title><link>https://%s.example/%s</link><guid>%s-%s</guid>'
                   '<pubDate>Mon, %02d Nov 2026 10:00:00 GMT</pubDate><description>%s</description>'
                   % (name, title, name, title, name, n + 1, fktest.esc(html)))
        for url, kind in enclosures:
            out.append('<enclosure url="%s" type="%s" length="1000"/>' % (url, kind))
        out.append('</item>')
    out.append('</channel></rss>\n')
    return ''.join(out)


SHARED = 'https://img.example/shared.png'
POSTER = 'https://img.example/poster.jpg'


def pictures_feed(tmp):
    """Two articles of the feed "pics" with images (one of them in both),
    a video's poster and an audio enclosure."""
    return fktest.write(os.path.join(tmp, 'pics.xml'), feed('pics', [
        ('one', '<p>The first article, with a picture.</p><p><img src="%s" alt="s"></p>'
                '<p><img src="https://img.example/one.png" alt="o"></p>' % SHARED,
         [('https://media.example/one.mp3', 'audio/mpeg')]),
        ('two', '<p>The second article, the same picture.</p><p><img src="%s"></p>'
                '<video poster="%s" src="https://media.example/two.mp4"></video>'
                % (SHARED, POSTER), []),
    ]))


def listing(db, *args):
    rc, out, err = run('assets', *args, db=db)
    return rc, [line.split('\t') for line in out.splitlines()], err


def test_listing(tmp, data):
    db = fktest.archive(tmp, 'list.db', os.path.join(data, SAMPLE), pictures_feed(tmp))
    pics = scalar(db, "SELECT id FROM feeds WHERE url = 'https://pics.example/'")
    one = scalar(db, "SELECT id FROM articles WHERE url = 'https://pics.example/one'")
    two = scalar(db, "SELECT id FROM articles WHERE url = 'https://pics.example/two'")

    rc, rows, err = listing(db)
    check(rc == 0 and [r[:5] for r in rows] == [
        [str(one), '0', 'image', SHARED, 'pending'],
        [str(one), '1', 'image', 'https://img.example/one.png', 'pending'],
        [str(one), '2', 'audio', 'https://media.example/one.mp3', 'pending'],
        [str(two), '0', 'image', SHARED, 'pending'],
        [str(two), '1', 'poster', POSTER, 'pending'],
        [str(two), '2', 'video', 'https://media.example/two.mp4', 'pending'],
    ], 'the imported references, pending, in article order: %r %r' % (rows, err))
    check(all(len(r) == len(FIELDS) and r[5:] == ['', '', '', ''] for r in rows),
          'nine columns, nothing stored yet: %r' % rows[:1])
    rc, out, err = run('assets', '--header', db=db)
    check(out.splitlines()[0].split('\t') == FIELDS, 'the TSV header: %r' % out[:200])

    image = png(4, 4)
    sha = hashlib.sha256(image).hexdigest()
    path = fktest.write(os.path.join(tmp, 'shared.png'), image)
    rc, out, err = run('assets', 'put', SHARED, path, db=db)
    check(rc == 0, 'put: %r' % err)
    poster = png(2, 2, seed=7)
    poster_sha = hashlib.sha256(poster).hexdigest()
    rc, out, err = run('assets', 'put', POSTER, '-', db=db, stdin=poster)
    loose = 'https://elsewhere.example/loose.png'
    loose_image = png(5, 1, seed=3)
    rc, out, err = run('assets', 'put', loose, '-', db=db, stdin=loose_image)
    check(rc == 0, 'put a URL no article references: %r' % err)
    # A skipped and a failed URL, as a fetch records them.
    both = ("UPDATE asset_urls SET status = 'skipped', reason = 'video/audio not enabled', "
            "cap = 0 WHERE url LIKE '%.mp4'; UPDATE asset_urls SET status = 'failed', "
            "reason = 'HTTP 404', failures = 1 WHERE url LIKE '%one.png'")
    fktest.execute(db, both, both)

    rc, out, err = run('assets', '--format', 'json', db=db)
    records = fktest.jsonl(out, 'assets --format json')
    check(rc == 0 and len(records) == 7, 'seven JSON records: %d %r' % (len(records), err))
    check(all(list(r) == FIELDS[:3] + ['linked'] + FIELDS[3:] for r in records),
          'every field, in order: %r' % (list(records[0]) if records else None))
    shared = [r for r in records if r['url'] == SHARED]
    check(len(shared) == 2 and all(r['status'] == 'stored' and r['sha256'] == sha and
                                   r['size'] == len(image) and r['mime'] == 'image/png' and
                                   r['linked'] is True and r['reason'] is None for r in shared),
          'the shared image, stored, in both articles: %r' % shared)
    last = records[-1] if records else {}
    check(last.get('url') == loose and last.get('article') is None and
          last.get('position') is None and last.get('kind') is None and
          last.get('status') == 'stored', 'a URL no article references comes last: %r' % last)
    audio = [r for r in records if r['kind'] == 'audio']
    check(len(audio) == 1 and audio[0]['linked'] is False and audio[0]['sha256'] is None and
          audio[0]['size'] is None, 'an enclosure is not linked, not stored: %r' % audio)
    failed = [r for r in records if r['status'] == 'failed']
    check([r['reason'] for r in failed] == ['HTTP 404'], 'failed with its error: %r' % failed)

    if shutil.which('jq'):
        p = subprocess.run(['jq', '-r', 'select(.status == "stored") | .sha256[:12]'],
                           input=out, capture_output=True, text=True)
        check(p.returncode == 0 and sorted(set(p.stdout.split())) ==
              sorted({sha[:12], poster_sha[:12], hashlib.sha256(loose_image).hexdigest()[:12]}),
              'jq reads it: %r %r' % (p.stdout, p.stderr))

    rc, out, err = run('assets', '--format', 'csv', '--status', 'skipped', db=db)
    check(rc == 0 and out.splitlines() == [
        ','.join(FIELDS),
        '%d,2,video,https://media.example/two.mp4,skipped,video/audio not enabled,,,' % two],
        'CSV of the skipped: %r %r' % (out, err))

    def urls(*args):
        rc, rows, err = listing(db, '--fields', 'url', *args)
        check(rc == 0, 'assets %r: %r' % (args, err))
        return [r[0] for r in rows]

    check(urls('--article', str(two)) == [SHARED, POSTER, 'https://media.example/two.mp4'],
          '--article ID')
    check(urls('--article', 'https://pics.example/one') ==
          [SHARED, 'https://img.example/one.png', 'https://media.example/one.mp3'],
          '--article URL')
    check(urls('--feed', str(pics)) == urls('--limit', '6') and len(urls('--feed', str(pics))) == 6,
          '--feed ID: the references of its articles, not the loose URL')
    check(urls('--feed', scalar(db, 'SELECT url FROM feeds WHERE id = ?', pics)) ==
          urls('--feed', str(pics)), '--feed URL')
    devto = scalar(db, "SELECT id FROM feeds WHERE url != 'https://pics.example/'")
    check(urls('--feed', str(devto)) == [], 'a feed whose articles have no images: none')
    check(urls('--type', 'image') == [SHARED, SHARED, POSTER, loose],
          '--type image: the stored images: %r' % urls('--type', 'image'))
    check(urls('--type', 'video') == [] and urls('--type', 'audio') == [],
          '--type video: none stored')
    check(urls('--status', 'stored') == [SHARED, SHARED, POSTER, loose], '--status stored')
    check(urls('--status', 'pending') == ['https://media.example/one.mp3'], '--status pending')
    check(urls('--status', 'failed') == ['https://img.example/one.png'], '--status failed')
    check(urls('--status', 'stored', '--article', str(two), '--type', 'image') == [SHARED, POSTER],
          'filters together')
    check(urls('--limit', '2') == [SHARED, 'https://img.example/one.png'], '--limit 2')
    rc, rows, err = listing(db, '--fields', 'sha256,size,linked', '--status', 'stored',
                            '--limit', '1')
    check(rows == [[sha, str(len(image)), 'true']], '--fields: %r' % rows)

    # the table: status with its reason, the SHA-256 in short
    rc, out = run_tty('assets', db=db, columns=140)
    lines = out.splitlines()
    check(rc == 0 and lines and lines[0].split() == ['ART', 'POS', 'KIND', 'STATUS', 'SIZE',
                                                     'SHA256', 'URL'], 'table headings: %r' % out)
    check(any(sha[:12] in line and sha[:13] not in line and SHARED in line for line in lines),
          'the table shows 12 digits: %r' % out)
    check(any('failed: HTTP 404' in line for line in lines), 'status and reason: %r' % out)

    errors = [
        (('--article', '99'), 1, 'no article with ID 99'),
        (('--article', 'https://nowhere.example/x'), 1, "no article with ID or URL"),
        (('--article', 'x'), 2, "'x' is not an article ID or URL"),
        (('--feed', 'https://nowhere.example/feed'), 1, "no feed 'https://nowhere.example/feed'"),
        (('--type', 'text'), 2, "option '--type': 'text' is not image, video or audio"),
        (('--status', 'lost'), 2, "'lost' is not pending, stored, failed or skipped"),
        (('--limit', 'many'), 2, "option '--limit': 'many' is not a count"),
        (('--fields', 'url,colour'), 2, 'colour'),
        (('--output', 'x.png'), 2, "option '--output' is for 'assets get'"),
        (('list',), 2, "unknown action 'list' (get or put)"),
        (('get', SHARED, '--status', 'stored'), 2,
         "option '--status' is for the listing, not for 'assets get'"),
        (('put', SHARED, path, '--format', 'json'), 2,
         "option '--format' is for the listing, not for 'assets put'"),
    ]
    for args, code, message in errors:
        rc, out, err = run('assets', *args, db=db)
        check(rc == code and message in err and not out, 'assets %r: %r %r' % (args, rc, err))
    none = os.path.join(tmp, 'none.db')
    rc, out, err = run('assets', db=none)
    check(rc == 3 and 'no archive at' in err, 'no archive: %r' % err)
    check(not fktest.created(none), 'the listing creates nothing')
    return db, sha, image


def test_get(tmp, db, sha, image):
    def get(*args, **kw):
        return run('assets', 'get', *args, db=db, text=False, **kw)

    for name in (sha, sha[:8], sha[:8].upper(), SHARED):
        rc, out, err = get(name)
        check(rc == 0 and out == image and not err, 'get %s: byte for byte: %r' % (name, err))
    target = os.path.join(tmp, 'out.png')
    fktest.write(target, b'an older file, longer than the image' * 100)
    rc, out, err = get(sha[:10], '-o', target)
    check(rc == 0 and not out and read_bytes(target) == image, '-o FILE replaces the file')
    check(os.stat(target).st_mode & 0o777 == 0o666 & ~current_umask(),
          'the mode of a new file: %o' % os.stat(target).st_mode)
    check(sorted(os.listdir(tmp)).count('out.png') == 1 and
          not [f for f in os.listdir(tmp) if f.startswith('out.png.')], 'no file left beside it')
    rc, out, err = get('--output=%s' % os.path.join(tmp, 'long.png'), SHARED)
    check(rc == 0 and read_bytes(os.path.join(tmp, 'long.png')) == image, '--output=FILE')
    rc, out, err = get(sha, '-o', '-')
    check(rc == 0 and out == image and not os.path.exists('-'), '-o -: standard output')
    rc, out, err = run('assets', '-o', '-', db=db)
    check(rc == 2 and "'--output' is for 'assets get'" in err, '-o - without get: %r' % err)

    # ambiguity: assets whose SHA-256 begins with the same digit
    seen = {}
    for seed in range(64):
        data = png(3, 3, seed=100 + seed)
        digest = hashlib.sha256(data).hexdigest()
        if digest[0] in seen and seen[digest[0]] != digest:
            break
        seen[digest[0]] = digest
        rc, out, err = run('assets', 'put', 'https://many.example/%d.png' % seed, '-', db=db,
                           stdin=data)
    rc, out, err = run('assets', 'put', 'https://many.example/last.png', '-', db=db, stdin=data)
    rc, out, err = get(digest[0])
    check(rc == 2 and ("'%s' names more than one asset" % digest[0]) in err and not out,
          'an ambiguous prefix: %r' % err)
    rc, out, err = get(digest[:20])
    check(rc == 0 and out == data, 'a longer prefix tells it apart')
    stored = {r[0] for r in query(db, 'SELECT lower(hex(sha256)) FROM assets')}
    absent = next(p for p in ('%04x' % n for n in range(65536))
                  if not any(h.startswith(p) for h in stored))
    rc, out, err = get(absent)
    check(rc == 1 and ("no asset whose SHA-256 starts with '%s'" % absent) in err and not out,
          'no such asset: %r' % err)
    rc, out, err = get('https://img.example/one.png')
    check(rc == 1 and "no asset stored for URL 'https://img.example/one.png'" in err,
          'a URL not stored: %r' % err)
    for bad in ('xyz', sha + '0', 'g' * 8):
        rc, out, err = get(bad)
        check(rc == 2 and 'is not a SHA-256 in hex' in err, 'not hex %r: %r' % (bad, err))
    rc, out, err = get()
    check(rc == 2 and 'usage: feedkeep assets get SHA256|URL [-o FILE]' in err, 'get alone')
    rc, out, err = get(sha, SHARED)
    check(rc == 2 and 'usage: feedkeep assets get' in err, 'get with two names')
    rc, out, err = get(sha, '-o')
    check(rc == 2 and "option requires an argument -- 'o'" in err, '-o without FILE: %r' % err)
    missing = os.path.join(tmp, 'no', 'such', 'dir.png')
    rc, out, err = get(sha, '-o', missing)
    check(rc == 3 and ("cannot write '%s'" % missing) in err, '-o into a missing directory')

    # never to a terminal
    rc, out = run_tty('assets', 'get', sha, db=db)
    check(rc == 2 and 'not writing the bytes of an asset to a terminal' in out and
          '\x89PNG' not in out, 'not to a terminal: %r' % out[:300])
    rc, out = run_tty('assets', 'get', sha, '-o', '-', db=db)
    check(rc == 2 and '\x89PNG' not in out, '-o - is a terminal too: %r' % out[:300])
    rc, out = run_tty('assets', 'get', sha, '-o', os.path.join(tmp, 'tty.png'), db=db)
    check(rc == 0 and read_bytes(os.path.join(tmp, 'tty.png')) == image, '-o from a terminal')


def read_bytes(path):
    with open(path, 'rb') as fh:
        return fh.read()


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def stats_json(db):
    rc, out, err = run('stats', '--format', 'json', db=db)
    check(rc == 0, 'stats: %r' % err)
    return json.loads(out) if rc == 0 else {}


def test_stats(tmp, data):
    db = fktest.archive(tmp, 'stats.db', pictures_feed(tmp))
    s = stats_json(db)
    check(s.get('assets') == 0 and s.get('asset_bytes') == 0 and s.get('asset_urls') == 5 and
          s.get('asset_urls_pending') == 5 and s.get('asset_dedup_ratio', 0) is None and
          s.get('asset_dedup_saved_bytes') == 0, 'nothing stored, five URLs pending: %r' % s)
    raw = query(db, 'SELECT count(*), sum(length(data)), sum(size) FROM raw_documents')[0]
    check(s.get('raw_documents') == 1 and (s.get('raw_bytes'), s.get('raw_original_bytes')) ==
          raw[1:] and s.get('raw_compression_ratio') == round(raw[2] / raw[1], 2),
          'the document kept, its compression: %r %r' % (s, raw))

    a, b = png(8, 8, seed=1), png(16, 4, seed=2)
    for url, image in ((SHARED, a), ('https://mirror.example/same.png', a), (POSTER, b)):
        rc, out, err = run('assets', 'put', url, '-', db=db, stdin=image)
        check(rc == 0, 'put %s: %r' % (url, err))
    s = stats_json(db)
    linked = 2 * len(a) + len(b)
    expected = {
        'assets': 2, 'asset_bytes': len(a) + len(b), 'asset_urls': 6, 'asset_urls_stored': 3,
        'asset_urls_pending': 3, 'asset_urls_failed': 0, 'asset_urls_skipped': 0,
        'asset_linked_bytes': linked, 'asset_dedup_saved_bytes': len(a),
        'asset_dedup_ratio': round(linked / (len(a) + len(b)), 2),
    }
    check({k: s.get(k) for k in expected} == expected, 'one file under two URLs: %r' % s)
    rc, out, err = run('stats', '--format', 'tsv', db=db)
    pairs = dict(line.split('\t', 1) for line in out.splitlines())
    check(pairs.get('asset_dedup_saved_bytes') == str(len(a)) and
          pairs.get('asset_dedup_ratio') == '%.2f' % (linked / (len(a) + len(b))) and
          pairs.get('raw_documents') == '1', 'TSV: %r' % pairs)
    rc, out, err = run('stats', '--format', 'csv', db=db)
    check('asset_urls_stored,3' in out.splitlines(), 'CSV: %r' % out)
    rc, out = run_tty('stats', db=db)
    check(rc == 0 and 'dedup ratio' in out and '%.2fx' % (linked / (len(a) + len(b))) in out and
          'saved by dedup' in out and 'compression ratio' in out, 'the table: %r' % out)
    empty = fktest.archive(tmp, 'empty-stats.db', os.path.join(data, SAMPLE))
    fktest.execute(empty, 'DELETE FROM raw_documents', 'DELETE FROM raw_documents')
    s = stats_json(empty)
    check(s.get('raw_documents') == 0 and s.get('raw_compression_ratio', 0) is None and
          s.get('asset_dedup_ratio', 0) is None, 'no ratio without documents or assets: %r' % s)
    rc, out, err = run('stats', '--format', 'tsv', db=empty)
    check('raw_compression_ratio\t' in out.splitlines(), 'an empty ratio in TSV: %r' % out)


@fktest.sqlite_only('damage made by hand in the SQLite file (cli.pg_assets checks it on PostgreSQL)')
def test_check(tmp, db, sha):
    rc, out, err = run('check', db=db)
    check(rc == 0 and out.endswith(': ok\n') and not err, 'check: %r %r' % (out, err))
    rc, out, err = run('check', '--deep', db=db)
    check(rc == 0 and out.endswith(': ok\n'), 'check --deep: %r %r' % (out, err))
    rc, out, err = run('check', '--repair', db=db)
    check(rc == 0 and out.endswith(': ok\n') and 'repaired' not in out,
          'nothing to repair: %r' % out)

    # damage one asset's bytes (same size) and keep validators to see them go
    data = scalar(db, 'SELECT data FROM assets WHERE lower(hex(sha256)) = ?', sha)
    damaged = data[:-5] + bytes(b ^ 0xff for b in data[-5:])
    query(db, 'UPDATE assets SET data = ? WHERE lower(hex(sha256)) = ?', damaged, sha)
    query(db, "UPDATE asset_urls SET etag = '\"v1\"' WHERE url = ?", SHARED)
    rc, out, err = run('check', db=db)
    check(rc == 0, 'the structure is sound, the bytes are not read: %r' % out)
    rc, out, err = run('check', '--deep', db=db)
    check(rc == 3 and out == 'asset bytes: asset %s does not hash to its SHA-256\n' % sha and
          '1 problem found' in err, 'check --deep finds the damage: %r %r' % (out, err))
    rc, out, err = run('assets', 'get', sha, db=db, text=False)
    check(rc == 3 and not out and 'do not hash to its SHA-256' in err,
          'get refuses damaged bytes: %r' % err)
    rc, out = run_tty('check', '--deep', db=db)
    check(rc == 3 and 'checking the bytes of the assets: 1 of' in out,
          'a progress line on a terminal: %r' % out)
    rc, out, err = run('check', '--deep', db=db)
    check('checking the bytes' not in err, 'no progress line off a terminal: %r' % err)

    urls = scalar(db, 'SELECT count(*) FROM asset_urls u JOIN assets a ON a.id = u.asset_id '
                      'WHERE lower(hex(a.sha256)) = ?', sha)
    assets_before = scalar(db, 'SELECT count(*) FROM assets')
    rc, out, err = run('check', '--deep', '--repair', db=db)
    check(urls == 1 and 'repaired: 1 damaged asset deleted, 1 URL to fetch again' in out and
          out.endswith(': ok after the repair\n'), 'check --deep --repair: %r %r' % (out, err))
    check(scalar(db, 'SELECT count(*) FROM assets') == assets_before - 1 and
          not query(db, 'SELECT 1 FROM assets WHERE lower(hex(sha256)) = ?', sha),
          'the damaged asset deleted, the others kept')
    check(query(db, 'SELECT status, asset_id, etag, failures FROM asset_urls WHERE url = ?',
                SHARED) == [('pending', None, None, 0)],
          'its URL pending again, without validators')
    rc, rows, err = listing(db, '--fields', 'url,status', '--status', 'pending')
    check([SHARED, 'pending'] in rows, 'the listing shows it pending: %r' % rows)
    rc, out, err = run('check', '--deep', db=db)
    check(rc == 0 and out.endswith(': ok\n'), 'sound again: %r %r' % (out, err))

    # the structure: an orphan, a URL stored without its asset
    # (Python's sqlite3 leaves foreign keys unchecked)
    query(db, "INSERT INTO assets(sha256, mime, size, created, data) "
              "VALUES (zeroblob(32), 'image/png', 3, 0, x'010203')")
    query(db, "UPDATE asset_urls SET status = 'stored', asset_id = 9999 WHERE url = ?", SHARED)
    rc, out, err = run('check', db=db)
    check(rc == 3 and "assets: URL '%s' is stored but its asset is missing" % SHARED in out and
          'assets: asset %s is an orphan: no URL resolves to it' % ('0' * 64) in out and
          'foreign keys: asset_urls row' in out and '3 problems found' in err,
          'structural problems: %r %r' % (out, err))
    rc, out, err = run('check', '--repair', db=db)
    check(rc == 0 and 'repaired: 2 rows of the assets' in out and
          out.endswith(': ok after the repair\n'), 'check --repair: %r %r' % (out, err))
    check(query(db, 'SELECT status, asset_id FROM asset_urls WHERE url = ?', SHARED) ==
          [('pending', None)], 'the URL without its asset is pending')
    rc, out, err = run('check', '-q', db=db)
    check(rc == 0 and not out and not err, 'check -q: quiet when all is well')
    rc, out, err = run('check', '--deeper', db=db)
    check(rc == 2 and "unrecognized option '--deeper'" in err, 'a bad option: %r' % err)
    rc, out, err = run('check', 'now', db=db)
    check(rc == 2 and "unexpected argument 'now'" in err, 'an argument: %r' % err)


def feed_settings(db):
    rc, out, err = run('feeds', '--all', '--fields', 'url,assets', '--format', 'json', db=db)
    return {r['url']: r['assets'] for r in fktest.jsonl(out, 'feeds --format json')}


def test_settings(tmp, data):
    db = os.path.join(tmp, 'settings.db')
    a, b, c = ('https://a.example/feed', 'https://b.example/feed', 'https://c.example/feed')
    rc, out, err = run('add', '--no-check', a, db=db)
    check(rc == 0, 'add: %r' % err)
    rc, out, err = run('add', '--no-check', '--no-assets', b, c, db=db)
    check(rc == 0 and out == '%s: subscribed\n%s: subscribed\n' % (b, c), 'add --no-assets')
    check(feed_settings(db) == {a: True, b: False, c: False}, 'on by default, off when asked: %r'
          % feed_settings(db))
    rc, out, err = run('add', '--no-check', '--assets', b, db=db)
    check(rc == 0 and out == '%s: already subscribed\n' % b, 'add --assets again: %r' % out)
    check(feed_settings(db)[b] is True, 'add --assets switches a subscribed feed on')
    rc, out, err = run('add', '--no-check', c, db=db)
    check(feed_settings(db)[c] is False, 'add without the option leaves the setting')
    rc, out, err = run('add', '--no-check', '--assets', '--no-assets', a, db=db)
    check(feed_settings(db)[a] is False, 'the last of --assets and --no-assets wins')

    ids = dict(query(db, 'SELECT url, id FROM feeds'))
    rc, out, err = run('feeds', 'set', str(ids[c]), 'assets', 'on', db=db)
    check(rc == 0 and not out and feed_settings(db)[c] is True, 'feeds set ID assets on: %r' % err)
    rc, out, err = run('feeds', 'set', str(ids[c]), 'assets', 'off', db=db)
    check(rc == 0 and feed_settings(db)[c] is False, 'feeds set ID assets off')
    check(scalar(db, 'SELECT keep_raw FROM feeds WHERE id = ?', ids[c]) == 1,
          'keep-raw untouched')
    rc, out, err = run('feeds', '--fields', 'id,assets', db=db)
    check(out.splitlines() == ['%d\t%s' % (ids[u], v) for u, v in
                               ((a, 'false'), (b, 'true'), (c, 'false'))], 'TSV: %r' % out)
    for args, code, message in (
            (('set', '99', 'assets', 'on'), 1, 'no feed 99'),
            (('set', str(ids[a]), 'assets', 'yes'), 2,
             'usage: feedkeep feeds set ID keep-raw|assets on|off'),
            (('set', str(ids[a]), 'images', 'on'), 2, 'keep-raw|assets'),
            (('set', str(ids[a]), 'assets'), 2, 'keep-raw|assets'),
            (('set', 'x', 'assets', 'on'), 2, "'x' is not a feed id")):
        rc, out, err = run('feeds', *args, db=db)
        check(rc == code and message in err, 'feeds %r: %r %r' % (args, rc, err))
    # a feed made by import has the setting on too
    imported = fktest.archive(tmp, 'imported.db', os.path.join(data, SAMPLE))
    check(list(feed_settings(imported).values()) == [True], 'an imported feed: on')



def test_completion(data, db, sha):
    script = os.path.join(data, '..', '..', 'completions', 'feedkeep.bash')

    def complete(*words):
        line = ' '.join("'%s'" % w for w in fktest.db_args(words))
        p = subprocess.run(['bash', '-c', 'source "$0"; COMP_WORDS=(%s); COMP_CWORD=%d; _feedkeep;'
                            ' printf "%%s\\n" "${COMPREPLY[@]}"' % (line, len(words) - 1),
                            script], capture_output=True, timeout=60)
        return p.stdout.decode().split()

    rc, out, err = run('complete', 'assets', sha[:6].upper(), db=db)
    check(rc == 0 and out == sha + '\n', 'complete assets PREFIX: %r %r' % (out, err))
    rc, out, err = run('complete', 'assets', 'https://img.example/', db=db)
    check(rc == 0 and out.splitlines() == sorted(set(out.splitlines())) and
          POSTER in out.splitlines() and 'https://img.example/one.png' not in out,
          'stored URLs, each once, sorted: %r' % out)
    rc, out, err = run('complete', 'assets', 'zz', db=db)
    check(rc == 0 and not out, 'nothing to offer')
    bin_ = fktest.BIN
    check(complete(bin_, 'ass') == ['assets'], 'completes assets')
    check(complete(bin_, 'assets', '') == ['get', 'put'], 'its actions')
    check(complete(bin_, '--db', db, 'assets', 'get', sha[:6]) == [sha], 'a digest to get')
    check(complete(bin_, 'assets', '--type', '') == ['image', 'video', 'audio'], '--type values')
    check(complete(bin_, 'assets', '--status', 's') == ['stored', 'skipped'], '--status values')
    check('--article' in complete(bin_, 'assets', '--') and '--deep' in complete(bin_, 'check', '--'),
          'the options, from --help')


def main():
    fktest.start(sys.argv[1])
    data = sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        test_put(tmp)
        db, sha, image = test_listing(tmp, data)
        test_get(tmp, db, sha, image)
        test_stats(tmp, data)
        test_completion(data, db, sha)
        test_check(tmp, db, sha)
        test_settings(tmp, data)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
