#!/usr/bin/env python3
"""CLI tests of `feedkeep extract`: every format, stdin, --url and <base
href>, a page in windows-1252 and one in ISO-8859-1 declared only by <meta>,
the errors (a missing file, PDF and image bytes, a page without text, usage
errors), and a 50 MB page read in bounded time and memory with a warning.

usage: test_extract.py FEEDKEEP DATA_DIR [--sanitized]

--sanitized: the binary is built with AddressSanitizer, whose shadow memory
makes resident memory meaningless; the memory bound is then not checked.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import check, run  # noqa: E402

DATA = None
SANITIZED = False


def page(name):
    return os.path.join(DATA, 'extract', name)


def test_formats():
    article = page('article.html')
    rc, text, err = run('extract', article)
    check(rc == 0 and err == '', 'text: exit 0, nothing on stderr: %d %r' % (rc, err))
    check(text.startswith('Twice a day the water of the harbour'), 'text starts with the article')
    check('on the moon.\n' in text, 'text ends with the article: %r' % text[-80:])
    for word in ('SCRIPTWORD', 'HIDDENWORD', 'STYLEHIDDEN', 'ARIAHIDDEN', 'NOSCRIPTWORD',
                 'SIDEBARWORD', 'COMMENTWORD', 'FOOTERWORD', 'Most read', 'Home', 'Share'):
        check(word not in text, 'no %s in the text' % word)
    check('print(high_water("2026-03-14"))\n' in text, 'the code block is in the text')

    rc, md, err = run('extract', article, '--format', 'markdown')
    check(rc == 0 and err == '', 'markdown: exit 0')
    # links and images resolve against <base href>, not --url or the file
    check('[tide tables](https://gazette.example/news/2026/tables.html)' in md,
          'markdown links resolve against <base href>: %r' % md)
    check('![The quay at low water](https://gazette.example/news/2026/quay.jpg)' in md,
          'markdown images resolve against <base href>')
    check('``` python\nprint(high_water("2026-03-14"))\n```' in md, 'the fenced code block')

    rc, html, err = run('extract', article, '--format', 'html')
    check(rc == 0 and html.startswith('<') and html.endswith('>\n'), 'html: exit 0, one document')
    check('<a href="tables.html">tide tables</a>' in html, 'html keeps the links as written')
    check('<script' not in html and 'style=' not in html and 'hidden' not in html,
          'html has no scripts, styles or hidden elements')

    rc, out, err = run('extract', article, '--format', 'json', '--url', 'https://other.example/x')
    check(rc == 0 and err == '', 'json: exit 0')
    j = json.loads(out)
    want = {'title': 'Why the tide turns', 'byline': 'Mara Quill',
            'published': '2026-03-14T08:30:00Z', 'site_name': 'The Harbour Gazette',
            'language': 'en-GB', 'lead_image': 'https://gazette.example/img/tide.jpg',
            'excerpt': 'The moon, the sun and the shape of the bay.',
            'base_url': 'https://gazette.example/news/2026/'}
    for k, v in want.items():
        check(j.get(k) == v, 'json %s: %r, not %r' % (k, v, j.get(k)))
    check(j['text'] == text and j['markdown'] == md and j['html'] + '\n' == html,
          'json carries the same text, markdown and html')


def test_stdin_and_url(tmp):
    body = ('<html><body><article><p>Relative <a href="next.html">links</a> resolve against '
            'the page, which is given with --url, since this page has no base of its own, '
            'and the text goes on, with commas, for a while.</p></article></body></html>')
    rc, md, err = run('extract', '-', '--url', 'https://blog.example/2026/post.html',
                      '--format', 'markdown', stdin=body.encode())
    check(rc == 0, 'stdin: exit 0: %r' % err)
    check('[links](https://blog.example/2026/next.html)' in md, '--url resolves links: %r' % md)
    rc, md, err = run('extract', '-', '--format', 'markdown', stdin=body.encode())
    check(rc == 0 and '[links](next.html)' in md, 'without --url links stay relative: %r' % md)


def test_charsets():
    rc, out, err = run('extract', page('latin1.html'), '--format', 'json')
    j = json.loads(out) if rc == 0 else {}
    check(j.get('title') == 'Caf\u00e9 cr\u00e8me', 'windows-1252 title: %r' % j.get('title'))
    check('na\u00efve \u201ctradition\u201d' in j.get('text', '') and '\u20ac 4' in j['text'],
          'windows-1252 text, declared by <meta charset> only: %r' % j.get('text'))
    rc, out, err = run('extract', page('latin1-http-equiv.html'))
    check(rc == 0 and 'Sch\u00f6ne Gr\u00fc\u00dfe aus M\u00fcnchen' in out,
          'ISO-8859-1 declared by <meta http-equiv>: %r' % out)


def test_errors(tmp):
    missing = os.path.join(tmp, 'missing.html')
    rc, out, err = run('extract', missing)
    check(rc == 1 and out == '' and
          err == "feedkeep: cannot open '%s': No such file or directory\n" % missing,
          'missing file: %d %r' % (rc, err))

    cases = [('doc.pdf', b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n',
              'not an HTML page but a PDF document'),
             ('pic.png', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(64), 'a PNG image'),
             ('pic.jpg', b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + bytes(64), 'a JPEG image'),
             ('pic.gif', b'GIF89a\x01\x00\x01\x00' + bytes(32), 'a GIF image')]
    for name, data, why in cases:
        path = os.path.join(tmp, name)
        fktest.write(path, data)
        rc, out, err = run('extract', path)
        check(rc == 1 and out == '' and err.startswith("feedkeep: '%s': " % path) and why in err,
              '%s refused: %d %r' % (name, rc, err))

    rc, out, err = run('extract', page('empty.html'))
    check(rc == 1 and out == '' and
          err == "feedkeep: '%s': no article text found\n" % page('empty.html'),
          'empty page: %d %r %r' % (rc, out, err))
    rc, out, err = run('extract', page('empty.html'), '--format', 'json')
    check(rc == 1 and json.loads(out)['text'] == '' and json.loads(out)['title'] == 'Nothing here',
          'empty page in JSON: the empty article is printed: %r' % out)
    rc, out, err = run('extract', '-', stdin=b'')
    check(rc == 1 and 'no article text found' in err, 'empty stdin: %d %r' % (rc, err))

    rc, out, err = run('extract', page('article.html'), '--format', 'yaml')
    check(rc == 2 and "unknown format 'yaml'" in err, 'bad format: %d %r' % (rc, err))
    rc, out, err = run('extract')
    check(rc == 2 and 'extract needs a FILE' in err, 'no FILE: %d %r' % (rc, err))
    rc, out, err = run('extract', 'a', 'b')
    check(rc == 2 and 'extract takes one FILE' in err, 'two FILEs: %d %r' % (rc, err))
    rc, out, err = run('extract', '--help')
    check(rc == 0 and out.startswith('usage: feedkeep extract'), '--help')


def test_huge_page(tmp):
    """50 MB of page: only the first 8 MiB are read, with a warning, in
    bounded time and memory."""
    path = os.path.join(tmp, 'huge.html')
    para = ('<p>A paragraph of a very long page, with commas, and words, and more words, '
            'repeated many times over to make the page fifty megabytes long.</p>\n')
    with open(path, 'w') as fh:
        fh.write('<html><head><title>Huge</title></head><body><div class="content">')
        for _ in range(50 * 1024 * 1024 // len(para) + 1):
            fh.write(para)
        fh.write('</div></body></html>\n')
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    p = subprocess.run([fktest.BIN, 'extract', path], capture_output=True, timeout=300)
    seconds = time.monotonic() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    err = p.stderr.decode()
    check(p.returncode == 0, 'huge page: exit 0: %d %r' % (p.returncode, err[:300]))
    check(err == "feedkeep: warning: '%s': page longer than 8 MiB: only its first 8 MiB read\n"
          % path, 'huge page: one warning: %r' % err[:300])
    check(p.stdout.startswith(b'A paragraph of a very long page'), 'huge page: its text')
    check(seconds < 120, 'huge page: %.1f s' % seconds)
    if not SANITIZED and rss_mb > before / 1024:
        check(rss_mb < 1024, 'huge page: peak memory %.0f MB' % rss_mb)
    print('50 MB page: %.1f s, peak RSS %.0f MB' % (seconds, rss_mb))


def main():
    global DATA, SANITIZED
    fktest.start(sys.argv[1])
    DATA = sys.argv[2]
    SANITIZED = '--sanitized' in sys.argv[3:]
    with tempfile.TemporaryDirectory() as tmp:
        test_formats()
        test_stdin_and_url(tmp)
        test_charsets()
        test_errors(tmp)
        test_huge_page(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
