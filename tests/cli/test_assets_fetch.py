#!/usr/bin/env python3
"""test_assets_fetch.py - the assets of fetch and import --assets.

usage: test_assets_fetch.py FEEDKEEP DATA_DIR

The dev.to sample, served from 127.0.0.1 with images in its articles on the
same server: fetch stores every image once (the same image under two URLs
and a logo every article shows included), sniffs what the bytes are (an
HTML page served as image/png is skipped, a JPEG served as text/plain is
kept as a JPEG), and a second fetch downloads nothing. --no-assets, the
feed's assets setting, the caps, -v lines, import staying offline unless
--assets, and the address policy of a feed read from a file.
"""
import os
import struct
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, query, run, scalar  # noqa: E402

SAMPLE = 'devto-fuadhusnan.xml'


def png(seed, width=4):
    """A valid PNG of width x 1 pixels whose colours depend on seed."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    raw = b'\0' + bytes((seed * 37 + i) % 256 for i in range(width * 3))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, 1, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


JPEG = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00' + b'\0' * 64 + \
    b'\xff\xd9'
HTML = b'<!DOCTYPE html>\n<html><body><p>Not found</p></body></html>\n'


def serve_images(server):
    """The images of the sample on server; returns {name: bytes}."""
    images = {'%d.png' % i: png(i) for i in range(12)}
    images['logo.png'] = png(100)
    images['same-a.png'] = images['same-b.png'] = png(200)
    for name, data in images.items():
        server.static('/img/' + name, data, ctype='image/png')
    server.static('/img/page.png', HTML, ctype='image/png')
    server.static('/img/photo', JPEG, ctype='text/plain')
    return images


def sample_with_images(path, server):
    """The sample with images in each item's description: its own, the
    logo, and in the first four one more each (two URLs of one image, an
    HTML page, a JPEG served as text)."""
    with open(path, encoding='utf-8') as fh:
        text = fh.read()
    extra = {0: '/img/same-a.png', 1: '/img/same-b.png', 2: '/img/page.png', 3: '/img/photo'}
    parts = text.split('</description>')
    out = [parts[0]]  # the channel's description
    for i, part in enumerate(parts[1:-1]):
        imgs = ['/img/%d.png' % i, '/img/logo.png'] + ([extra[i]] if i in extra else [])
        tags = ''.join('&lt;p&gt;&lt;img src=&quot;%s&quot; alt=&quot;i&quot;&gt;&lt;/p&gt;'
                       % server.url(p) for p in imgs)
        out.append('</description>' + part + tags)
    out.append('</description>' + parts[-1])
    return ''.join(out)


def image_requests(server):
    return [p for p in server.log if p.startswith('/img/')]


def test_fetch(tmp, sample, server, images):
    feed = server.static('/devto.xml', sample_with_images(sample, server).encode())
    db = os.path.join(tmp, 'fetch.db')
    rc, out, err = run('add', '--no-check', feed, db=db)
    check(rc == 0, 'add: %r' % err)
    del server.log[:]
    rc, out, err = run('fetch', db=db)
    check(rc == 0 and err == '', 'fetch: %r %r' % (out, err))
    check('\nassets: 16 stored (1 already archived), ' in out and
          out.endswith(' added; 1 skipped; 0 failed\n'), 'the summary line: %r' % out)
    check(scalar(db, 'SELECT private_origin FROM feeds WHERE url = ?', feed) == 1,
          'a feed from 127.0.0.1 has a private origin')
    # 12 images, the logo, one image under two URLs, and the JPEG.
    check(scalar(db, 'SELECT count(*) FROM assets') == 15, 'every image stored once: %r'
          % query(db, 'SELECT mime, size FROM assets'))
    stored = dict(query(db, "SELECT url, status FROM asset_urls"))
    check(sum(1 for s in stored.values() if s == 'stored') == 16, 'URLs stored: %r' % stored)
    check(stored.get(server.url('/img/page.png')) == 'skipped', 'the HTML page is skipped')
    check(scalar(db, "SELECT reason FROM asset_urls WHERE url = ?", server.url('/img/page.png'))
          == 'not an image', 'skipped as not an image')
    check(scalar(db, "SELECT a.mime FROM asset_urls u JOIN assets a ON a.id = u.asset_id "
                     "WHERE u.url = ?", server.url('/img/photo')) == 'image/jpeg',
          'the JPEG served as text/plain is kept as image/jpeg')
    same = query(db, "SELECT DISTINCT asset_id FROM asset_urls WHERE url IN (?, ?)",
                 server.url('/img/same-a.png'), server.url('/img/same-b.png'))
    check(len(same) == 1, 'one image under two URLs is one asset: %r' % same)
    blob = query(db, "SELECT a.data FROM asset_urls u JOIN assets a ON a.id = u.asset_id "
                     "WHERE u.url = ?", server.url('/img/3.png'))[0][0]
    check(bytes(blob) == images['3.png'], 'the bytes stored are the bytes served')
    requests = image_requests(server)
    check(requests.count('/img/logo.png') == 1, 'the logo of every article is fetched once')

    # A second run downloads nothing and says nothing about assets.
    del server.log[:]
    rc, out, err = run('fetch', '--force', db=db)
    check(rc == 0 and 'assets:' not in out, 'second fetch: %r %r' % (out, err))
    check(image_requests(server) == [], 'no image requested again: %r' % image_requests(server))

    # The files stay assets of the archive and check passes.
    rc, out, err = run('check', db=db)
    check(rc == 0, 'check: %r %r' % (out, err))
    return feed


def test_switches(tmp, feed, server):
    # --no-assets, and a feed whose setting is off, fetch nothing.
    db = os.path.join(tmp, 'off.db')
    run('add', '--no-check', feed, db=db)
    del server.log[:]
    rc, out, err = run('fetch', '--no-assets', db=db)
    check(rc == 0 and 'assets:' not in out and image_requests(server) == [],
          '--no-assets: %r %r' % (out, image_requests(server)))
    fktest.execute(db, 'UPDATE feeds SET assets = 0', 'UPDATE feeds SET assets = false')
    rc, out, err = run('fetch', '--force', db=db)
    check(rc == 0 and 'assets:' not in out and image_requests(server) == [],
          'assets off: %r %r' % (out, image_requests(server)))
    # --assets fetches them whatever the setting, with -v a line each.
    rc, out, err = run('-v', 'fetch', '--assets', '--article-assets', '2', db=db)
    check(rc == 0, '--assets: %r %r' % (out, err))
    lines = [l for l in out.splitlines() if l.startswith('asset ')]
    check(any(l.endswith('.png: stored (image/png, %d bytes, ' % len(png(0))) or
              ': stored (image/png, ' in l for l in lines), '-v: stored lines: %r' % lines)
    check(any(': skipped, per-article count (its article has 2 assets, the most kept)' in l
              for l in lines), '-v: the per-article cap: %r' % lines)
    # Counted against the first article that references a URL: the logo
    # every article shows counts for the first one only.
    counts = query(db, 'SELECT first, count(DISTINCT asset_id) FROM (SELECT u.asset_id, '
                       '(SELECT min(article_id) FROM article_assets x WHERE x.url_id = u.id) '
                       "AS first FROM asset_urls u WHERE u.status = 'stored') GROUP BY first")
    check(counts and max(n for _, n in counts) == 2, 'at most 2 assets per article: %r' % counts)
    # A higher cap makes the skipped ones due again.
    rc, out, err = run('fetch', '--assets', '--article-assets', '3', db=db)
    check(rc == 0 and 'assets:' in out and ' 0 stored' not in out,
          'a changed cap brings them back: %r' % out)
    # --asset-max-size under the images' size: skipped as too large.
    db2 = os.path.join(tmp, 'small.db')
    run('add', '--no-check', feed, db=db2)
    rc, out, err = run('fetch', '--asset-max-size', '10', db=db2)
    check(rc == 0 and 'assets: 1 stored' not in out, 'tiny cap: %r' % out)
    check(scalar(db2, "SELECT count(*) FROM asset_urls WHERE reason = 'too large' AND cap = 10")
          >= 12, 'too large, with the cap recorded')
    rc, out, err = run('fetch', '--asset-max-size', 'ten', db=db2)
    check(rc == 2 and "'--asset-max-size': 'ten' is not a size" in err, 'bad size: %r' % err)


def test_import(tmp, sample, server):
    path = fktest.write(os.path.join(tmp, 'devto.xml'), sample_with_images(sample, server))
    db = os.path.join(tmp, 'import.db')
    del server.log[:]
    rc, out, err = run('import', path, db=db)
    check(rc == 0 and image_requests(server) == [] and 'assets:' not in out,
          'import stays offline: %r %r' % (out, image_requests(server)))
    # From a file, the feed has no private origin: 127.0.0.1 is refused.
    rc, out, err = run('import', '--assets', path, db=db)
    check(rc == 0 and 'assets: 0 stored' in out and image_requests(server) == [],
          'refused: %r %r' % (out, image_requests(server)))
    check(scalar(db, "SELECT count(*) FROM asset_urls WHERE reason = 'private address'") == 17,
          'recorded as private addresses: %r' % query(db, 'SELECT url, status, reason FROM '
                                                          'asset_urls'))
    rc, out, err = run('import', '--assets', '--allow-private-assets', path, db=db)
    check(rc == 0 and 'assets: 16 stored (1 already archived)' in out,
          '--allow-private-assets: %r %r' % (out, err))
    check(scalar(db, 'SELECT count(*) FROM assets') == 15, 'every image once')


def main():
    fktest.start(sys.argv[1])
    sample = os.path.join(sys.argv[2], SAMPLE)
    server = fktest.Loopback()
    images = serve_images(server)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            feed = test_fetch(tmp, sample, server, images)
            test_switches(tmp, feed, server)
            test_import(tmp, sample, server)
    finally:
        server.stop()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
