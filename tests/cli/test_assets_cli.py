#!/usr/bin/env python3
"""test_assets_cli.py - the commands around the archived assets.

usage: test_assets_cli.py FEEDKEEP DATA_DIR

assets put stores a file as the bytes of a URL (media only, SVG only when
safe, each SHA-256 once), read back with SQLite.
"""
import hashlib
import os
import struct
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, query, run, scalar  # noqa: E402


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
    for args in (('assets', 'put'), ('assets', 'put', 'https://img.example/x.png'),
                 ('assets', 'put', 'https://a.example/x', path, 'more')):
        rc, out, err = run(*args, db=db)
        check(rc == 2 and 'usage: feedkeep assets put URL FILE' in err, '%r: %r' % (args, err))
    rc, out, err = run('assets', 'bogus', db=db)
    check(rc == 2 and "unknown action 'bogus'" in err, 'unknown action: %r' % err)
    return db


def main():
    fktest.start(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        test_put(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
