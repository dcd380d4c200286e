#!/usr/bin/env python3
"""CLI tests of `feedkeep parse` and `feedkeep import` on broken and hostile
feeds: what reaches stderr (nothing without --verbose, one line with it),
clear errors for what is not a feed, and the safety cases: entity expansion
bombs, external entities, no network while parsing, and a document larger
than memory streamed through stdin in flat memory. No network: the one
socket is a loopback listener that must never see a connection.

usage: test_parse_cli.py FEEDKEEP [--sanitized]

--sanitized: the binary is built with AddressSanitizer, whose shadow memory
and quarantine make resident memory meaningless; the memory bound is then
not checked (the stream still has to get through).

Environment: FEEDKEEP_STREAM_MB, the size of the streamed document (default
48; the issue's 280 MB case is run by hand with FEEDKEEP_STREAM_MB=280).
"""
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import check  # noqa: E402

BIN = None
SANITIZED = False

WARNING = re.compile(r"^feedkeep: warning: '[^']*': not well-formed XML \(line \d+: [^\n]+\); "
                     r"kept what could be read$")


def run(*args, stdin=None, timeout=60):
    """feedkeep's exit status, stdout as bytes and stderr."""
    return fktest.run(*args, stdin=stdin, timeout=timeout, text=False)


def parse_json(out):
    try:
        return json.loads(out.decode('utf-8'))
    except ValueError:
        return None


def write(tmp, name, data):
    return fktest.write(os.path.join(tmp, name), data)


# Each of these is recovered from: items delivered, well_formed false.
BROKEN = {
    'ampersand': b'<rss><channel><title>t</title><item><guid>a</guid>'
                 b'<title>Q & A</title></item><item><guid>b</guid></item></channel></rss>',
    'html-entity': b'<rss><channel><item><guid>a</guid><title>caf&eacute; &nbsp;</title></item>'
                   b'<item><guid>b</guid></item></channel></rss>',
    'mismatched': b'<rss><channel><item><guid>a</guid><description><p>open</description>'
                  b'</item><item><guid>b</guid></item></channel></rss>',
    'truncated': b'<rss><channel><item><guid>a</guid></item><item><guid>b</guid></item>'
                 b'<item><guid>c</guid><title>cut he',
    # libxml2's own message for this one spans two lines
    'latin1-in-utf8': b'<?xml version="1.0" encoding="utf-8"?>\n<rss><channel><item><guid>a</guid>'
                      b'<title>caf\xe9</title></item><item><guid>b</guid></item></channel></rss>',
    'cdata-bad-byte': b'<rss><channel><item><guid>a</guid><description><![CDATA[x\xff\x0cy]]>'
                      b'</description></item><item><guid>b</guid></item></channel></rss>',
    'nul-bytes': b'<rss><channel><item><guid>a</guid><title>x\x00y</title></item>'
                 b'<item><guid>b</guid></item></channel></rss>\x00\x00',
    'two-roots': b'<rss><channel><item><guid>a</guid></item><item><guid>b</guid></item>'
                 b'</channel></rss><rss/>',
    'unclosed-in-channel': b'<rss><channel><title>t</title><itunes:category text="Technology">'
                           b'<item><guid>a</guid></item><item><guid>b</guid></item></channel></rss>',
    'unclosed-in-feed': b'<feed xmlns="http://www.w3.org/2005/Atom"><foo><entry><id>a</id></entry>'
                        b'<entry><id>b</id></entry></feed>',
    'undeclared-prefix': b'<rss><channel><item><guid>a</guid><dc:creator>Ann</dc:creator></item>'
                         b'<item><guid>b</guid></item></channel></rss>',
}


def test_warnings(tmp):
    """Recovered errors: nothing on stderr by default, one line with -v."""
    db = os.path.join(tmp, 'warnings.db')
    for name, data in sorted(BROKEN.items()):
        path = write(tmp, name + '.xml', data)
        rc, out, err = run('parse', path, '--format', 'json')
        doc = parse_json(out)
        check(rc == 0 and doc is not None, '%s: parse succeeds (%d, %r)' % (name, rc, err))
        check(err == '', '%s: parse is silent without --verbose: %r' % (name, err))
        if doc:
            check(doc['well_formed'] is False, '%s: well_formed false' % name)
            guids = [i['guid'] for i in doc['items']]
            check(guids[:2] == ['a', 'b'], '%s: items kept: %r' % (name, guids))
        for args in (('parse', '-v', path), ('--verbose', 'parse', path),
                     ('parse', path, '--verbose')):
            rc, out, err = run(*args)
            lines = err.splitlines()
            check(rc == 0 and len(lines) == 1 and err.endswith('\n'),
                  '%s: %s gives one line: %r' % (name, ' '.join(args[:-1]), err))
            check(all(WARNING.match(l) for l in lines), '%s: the warning line: %r' % (name, err))
        rc, out, err = run('--db', db, 'import', path)
        check(rc == 0 and err == '', '%s: import is silent on stderr: %r' % (name, err))
        rc, out, err = run('--db', db, '--quiet', 'import', path)
        check(rc == 0 and out == b'' and err == '', '%s: import --quiet prints nothing' % name)
        rc, out, err = run('--db', db, 'import', '-v', path)
        check(rc == 0 and len(err.splitlines()) == 1 and WARNING.match(err.rstrip('\n')),
              '%s: import -v gives one warning line: %r' % (name, err))

    good = write(tmp, 'good.xml', '<rss><channel><item><guid>g</guid></item></channel></rss>')
    rc, out, err = run('parse', '-v', good)
    check(rc == 0 and err == '', 'a well-formed feed gives no warning: %r' % err)


def test_not_feeds(tmp):
    """What is not a feed fails with exit 1 and one clear line."""
    cases = [
        ('page.html', b'<!DOCTYPE html>\n<html><head><title>Hi</title></head>'
                      b'<body><p>x</p></body></html>', 'not an RSS or Atom feed (root element <html>)'),
        ('sloppy.html', b'<!doctype html>\n<html lang=en><meta charset=utf-8><title>Hi</title>'
                        b'<p>one<p>two<br></html>', 'not an RSS or Atom feed (an HTML page)'),
        ('bom.html', b'\xef\xbb\xbf\n<HTML><body onload=x()><p>a &copy; b</body></HTML>',
         'not an RSS or Atom feed (root element <HTML>)'),
        ('opml.xml', b'<?xml version="1.0"?><opml version="2.0"><body/></opml>',
         'not an RSS or Atom feed (root element <opml>)'),
        ('data.json', b'{"data": []}', 'not a JSON Feed (no "items" array)'),
        ('empty.xml', b'', 'empty document'),
        ('blank.xml', b'  \n\t\n', 'empty document'),
    ]
    db = os.path.join(tmp, 'notfeeds.db')
    for name, data, message in cases:
        path = write(tmp, name, data)
        for args in (('parse', path), ('--db', db, 'import', path), ('parse', '-v', path)):
            rc, out, err = run(*args)
            check(rc == 1 and err == "feedkeep: '%s': %s\n" % (path, message),
                  '%s: %s: %r' % (name, args[-2], err))
            check(out == b'', '%s: nothing on stdout: %r' % (name, out[:80]))
    con = fktest.connect(db)
    check(con.execute('SELECT count(*) FROM articles').fetchone()[0] == 0,
          'nothing archived from what is not a feed')
    con.close()


def test_billion_laughs(tmp):
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = 'lol' if i == 1 else 'lol%d' % (i - 1)
        ents.append('<!ENTITY lol%d "%s">' % (i, ('&%s;' % prev) * 10))
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n%s\n]>\n<rss><channel><title>t</title>'
           '<item><guid>x</guid><title>&lol9;</title><description>&lol9;</description></item>'
           '</channel></rss>\n' % '\n'.join(ents))
    path = write(tmp, 'lol.xml', doc)
    start = time.monotonic()
    rc, out, err = run('parse', path, timeout=30)
    took = time.monotonic() - start
    check(took < 10, 'billion laughs: refused quickly (%.1f s)' % took)
    check(rc in (0, 1) and err == '', 'billion laughs: no crash, quiet (%d, %r)' % (rc, err))
    check(len(out) < 1 << 20, 'billion laughs: output bounded (%d bytes)' % len(out))
    doc_json = parse_json(out)
    check(rc == 1 or (doc_json and doc_json['well_formed'] is False),
          'billion laughs: not taken as well-formed')

    # quadratic blowup: one big entity used many times, no nesting
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "%s">]>\n<rss><channel><item>'
           '<guid>q</guid><title>%s</title></item></channel></rss>\n' % ('A' * 50000, '&a;' * 50000))
    path = write(tmp, 'quadratic.xml', doc)
    start = time.monotonic()
    rc, out, err = run('parse', '-v', path, timeout=30)
    took = time.monotonic() - start
    check(took < 10, 'quadratic blowup: refused quickly (%.1f s)' % took)
    check(rc == 0 and 'entity expansion' in err and len(err.splitlines()) == 1,
          'quadratic blowup: one clear warning: %r' % err)
    check(len(out) < 16 << 20, 'quadratic blowup: output bounded (%d bytes)' % len(out))


def test_external_entities(tmp):
    secret = 'feedkeep-secret-%d' % os.getpid()
    secret_path = write(tmp, 'secret.txt', secret + '\n')
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
           '  <!ENTITY file SYSTEM "file://%s">\n'
           '  <!ENTITY rel SYSTEM "secret.txt">\n'
           '  <!ENTITY %% param SYSTEM "file://%s"> %%param;\n'
           ']>\n<rss><channel><title>[&file;][&rel;]</title><item><guid>x</guid>'
           '<description>[&file;]</description><title>[&rel;]</title></item></channel></rss>\n'
           % (secret_path, secret_path))
    path = write(tmp, 'xxe.xml', doc)
    rc, out, err = run('parse', path)
    check(rc == 0 and secret.encode() not in out, 'external entities are not read (%d)' % rc)
    doc_json = parse_json(out)
    check(doc_json is not None and len(doc_json['items']) == 1, 'the item is still there')
    db = os.path.join(tmp, 'xxe.db')
    rc, out, err = run('--db', db, 'import', path)
    con = fktest.connect(db)
    rows = con.execute('SELECT coalesce(title, "") || coalesce(summary_html, "") || '
                       'coalesce(text, "") FROM articles').fetchall()
    con.close()
    check(rc == 0 and rows and all(secret not in r[0] for r in rows),
          'external entities are not archived')


def test_no_network(tmp):
    """A DTD or entities on an http:// URL must not be fetched."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    base = 'http://127.0.0.1:%d' % port
    docs = {
        'dtd.xml': '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "%s/rss.dtd">\n'
                   '<rss><channel><item><guid>x</guid><title>&ent;</title></item>'
                   '</channel></rss>\n' % base,
        'entities.xml': '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
                        '<!ENTITY %% p SYSTEM "%s/p.ent"> %%p;\n'
                        '<!ENTITY e SYSTEM "%s/e.ent">\n]>\n'
                        '<rss><channel><item><guid>x</guid><title>[&e;]</title></item>'
                        '</channel></rss>\n' % (base, base),
        'xinclude.xml': '<rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel><item>'
                        '<guid>x</guid><description><xi:include href="%s/inc.xml"/>'
                        '</description></item></channel></rss>\n' % base,
        'public.xml': '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC '
                      '"-//Netscape Communications//DTD RSS 0.91//EN" "%s/rss-0.91.dtd">\n'
                      '<rss version="0.91"><channel><item><title>&eacute;</title></item>'
                      '</channel></rss>\n' % base,
    }
    db = os.path.join(tmp, 'nonet.db')
    for name, doc in sorted(docs.items()):
        path = write(tmp, name, doc)
        rc, out, err = run('parse', path)
        check(rc == 0 and parse_json(out) is not None, '%s: parsed (%d, %r)' % (name, rc, err))
        rc, out, err = run('--db', db, 'import', path)
        check(rc == 0, '%s: imported (%d, %r)' % (name, rc, err))
    # A connection that was attempted would be waiting in the backlog.
    listener.setblocking(False)
    try:
        conn, addr = listener.accept()
        conn.close()
        connected = True
    except BlockingIOError:
        connected = False
    listener.close()
    check(not connected, 'no connection was made while parsing')


ITEM = ('<item><title>Item %d: streaming &amp; memory</title>'
        '<link>https://stream.example/posts/%d</link><guid>https://stream.example/posts/%d</guid>'
        '<pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate><category>stream</category>'
        '<description>%s</description></item>\n')
BODY = ('&lt;p&gt;' + 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ' * 12 +
        '&lt;/p&gt;&lt;pre&gt;&lt;code class="language-c"&gt;int main(void) { return 0; }'
        '&lt;/code&gt;&lt;/pre&gt;')


def stream(args, megabytes, cut=False, shape='items', timeout=600):
    """Run feedkeep with a generated feed of about megabytes MB on stdin, written
    as it is made (never held whole in memory). With cut, the document stops
    in the middle of an item. shape 'text' makes the second item's description
    one endless escaped text, 'cdata' one endless CDATA section. Returns rc,
    stdout, stderr, peak RSS in KiB, items written and seconds."""
    env = dict(os.environ)
    env.pop('FEEDKEEP_DB', None)
    start = time.monotonic()
    p = subprocess.Popen([BIN] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    written = [0]
    outputs = {}

    def feed():
        try:
            p.stdin.write(b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">'
                          b'<channel><title>stream</title><link>https://stream.example/</link>\n')
            total, n = 0, 0
            if shape != 'items':
                p.stdin.write((ITEM % (0, 0, 0, BODY)).encode())
                p.stdin.write(b'<item><title>endless</title><description>' +
                              (b'<![CDATA[' if shape == 'cdata' else b''))
                n = 1
            while total < megabytes << 20:
                if shape == 'items':
                    chunk = ''.join(ITEM % (i, i, i, BODY) for i in range(n, n + 200)).encode()
                else:
                    chunk = BODY.encode() * 200
                    if shape == 'cdata':
                        chunk = chunk.replace(b'&lt;', b'<').replace(b'&gt;', b'>')
                p.stdin.write(chunk)
                total += len(chunk)
                n += 200 if shape == 'items' else 0
            written[0] = n
            if cut:
                p.stdin.write((ITEM % (n, n, n, BODY)).encode()[:300])
            else:
                p.stdin.write(b'</channel></rss>\n')
            p.stdin.close()
        except BrokenPipeError:
            pass

    def drain(name, pipe):
        # keep at most the tail: parse prints the whole feed as JSON
        tail = b''
        while True:
            block = pipe.read(1 << 16)
            if not block:
                break
            tail = (tail + block)[-(1 << 16):]
        outputs[name] = tail

    threads = [threading.Thread(target=feed),
               threading.Thread(target=drain, args=('out', p.stdout)),
               threading.Thread(target=drain, args=('err', p.stderr))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    status = rusage = None
    while time.monotonic() < deadline:
        pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    else:
        p.kill()
        pid, status, rusage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join()
    return (p.returncode, outputs.get('out', b''), outputs.get('err', b'').decode('utf-8', 'replace'),
            rusage.ru_maxrss, written[0], time.monotonic() - start)


def test_streaming(tmp):
    megabytes = int(os.environ.get('FEEDKEEP_STREAM_MB', '48'))
    bound_kib = 64 << 10

    rc, out, err, rss, items, took = stream(['parse', '-'], megabytes)
    print('parse - of %d MB (%d items): %.1f s, peak RSS %.1f MiB' % (megabytes, items, took,
                                                                       rss / 1024))
    check(rc == 0 and err == '', 'streamed parse succeeds (%d, %r)' % (rc, err))
    check(out.endswith(b'"well_formed":true}\n'), 'streamed parse reaches the end')
    check(SANITIZED or rss < bound_kib, 'parse - peak RSS %d KiB < 64 MiB' % rss)

    # the same cut short in the middle of an item, as when a download dies:
    # complete items are archived, the cut one is not, and -v says why
    db = os.path.join(tmp, 'stream.db')
    rc, out, err, rss, items, took = stream(['--db', db, 'import', '-v', '-'], megabytes, cut=True)
    print('import - of %d MB, cut short (%d items): %.1f s, peak RSS %.1f MiB' % (
        megabytes, items, took, rss / 1024))
    check(rc == 0 and ('%d new' % items).encode() in out,
          'streamed import archives every complete item (%d, %r, %r)' % (rc, out, err))
    check(len(err.splitlines()) == 1 and WARNING.match(err.rstrip('\n')),
          'the cut document gives one warning: %r' % err)
    check(SANITIZED or rss < bound_kib, 'import - peak RSS %d KiB < 64 MiB' % rss)
    con = fktest.connect(db)
    check(con.execute('SELECT count(*) FROM articles').fetchone()[0] == items,
          'the archive holds every complete item')
    con.close()

    # one endless text, which libxml2 would keep whole in memory waiting for
    # a '<', and one endless CDATA section, which it refuses past 10 MB: cut
    # at 8 MiB before libxml2, the rest read and dropped. The text's item is
    # closed by the document's end tags and kept truncated, with a warning;
    # the section never ends, so its item is cut off by the end of the
    # document, as in any truncated document. Memory stays bounded by the
    # one 8 MiB field.
    for shape, items, messages in (
            ('text', ['https://stream.example/posts/0', None],
             ["feedkeep: warning: '-': item '(no id)': summary longer than 8 MiB: truncated",
              "feedkeep: warning: '-': not well-formed XML (line 4: Opening and ending tag "
              "mismatch: description line 4 and channel); kept what could be read"]),
            ('cdata', ['https://stream.example/posts/0'],
             ["feedkeep: warning: '-': not well-formed XML (line 4: Extra content at the end of "
              "the document); kept what could be read"])):
        db = os.path.join(tmp, 'endless-%s.db' % shape)
        rc, out, err, rss, _, took = stream(['--db', db, 'import', '-v', '-'], megabytes,
                                            shape=shape)
        print('import - of one endless %s: %.1f s, peak RSS %.1f MiB' % (shape, took, rss / 1024))
        check(rc == 0 and out == ('-: %d new, 0 updated, 0 unchanged\n' % len(items)).encode(),
              '%s: the items are archived (%d, %r)' % (shape, rc, out))
        con = fktest.connect(db)
        guids = [g for (g,) in con.execute('SELECT guid FROM articles ORDER BY id')]
        con.close()
        check(guids == items, '%s: the items kept: %r' % (shape, guids))
        check(err.splitlines() == messages, '%s: the warnings say why: %r' % (shape, err))
        check(SANITIZED or rss < 160 * 1024, 'endless %s: peak RSS %d KiB < 160 MiB' % (shape, rss))


def test_raw_dates(tmp):
    """A date that cannot be read is null, and its text is kept."""
    path = write(tmp, 'dates.xml', '<rss><channel><item><guid>d1</guid>'
                                   '<pubDate>sometime last week</pubDate></item>'
                                   '<item><guid>d2</guid><pubDate>Mon, 1 Jun 2026 10:00 EST</pubDate>'
                                   '</item></channel></rss>')
    rc, out, err = run('parse', path)
    doc = parse_json(out)
    check(doc and doc['items'][0]['published'] is None and
          doc['items'][0]['published_raw'] == 'sometime last week', 'parse: raw date kept')
    check(doc and doc['items'][1]['published'] == '2026-06-01T15:00:00Z', 'parse: EST date')
    db = os.path.join(tmp, 'dates.db')
    rc, out, err = run('--db', db, 'import', path)
    con = fktest.connect(db)
    rows = dict(con.execute('SELECT guid, published_raw FROM articles'))
    nulls = con.execute("SELECT count(*) FROM articles WHERE guid = 'd1' AND published IS NULL")
    check(rows.get('d1') == 'sometime last week' and nulls.fetchone()[0] == 1,
          'import: the raw date is stored, the date is null: %r' % rows)
    con.close()


# The reproductions of the eight defects feeds showed (issue 11): each as a
# document, and what parse and import + list/show must give for it.
ATOM = 'xmlns="http://www.w3.org/2005/Atom"'
REPRODUCTIONS = [
    ('unclosed-rss', '<rss version="2.0"><channel><title>t</title><foo><item><title>A</title>'
     '</item><item><title>B</title></item></channel></rss>',
     [{'title': 'A'}, {'title': 'B'}]),
    ('unclosed-atom', '<feed %s><foo><entry><id>urn:a</id><title>A</title></entry><entry>'
     '<id>urn:b</id><title>B</title></entry></feed>' % ATOM,
     [{'title': 'A'}, {'title': 'B'}]),
    ('media-group', '<feed %s xmlns:media="http://search.yahoo.com/mrss/"><entry><id>urn:v</id>'
     '<title>v</title><media:group><media:description>About</media:description></media:group>'
     '</entry></feed>' % ATOM,
     [{'summary_html': 'About'}]),
    ('updated-only', '<feed %s><entry><id>urn:r</id><title>r</title>'
     '<updated>2024-05-01T00:00:00Z</updated></entry></feed>' % ATOM,
     [{'published': None, 'updated': '2024-05-01T00:00:00Z', 'date': '2024-05-01T00:00:00Z'}]),
    ('undeclared', '<rss version="2.0"><channel><item><title>x</title><content:encoded>'
     '&lt;p&gt;b&lt;/p&gt;</content:encoded><dc:creator>Ann</dc:creator></item></channel></rss>',
     [{'content_html': '<p>b</p>', 'author': 'Ann'}]),
    ('itunes-case', '<rss version="2.0" xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd">'
     '<channel><item><title>e</title><itunes:author>Bob</itunes:author></item></channel></rss>',
     [{'author': 'Bob'}]),
    ('unreadable-dc-date', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
     '<channel><item><title>d</title><pubDate>Mon, 16 Oct 2017 15:10:00 +0000</pubDate>'
     '<dc:date>1518478934</dc:date></item></channel></rss>',
     [{'published': '2017-10-16T15:10:00Z', 'date': '2017-10-16T15:10:00Z'}]),
    ('french-weekday', '<rss version="2.0"><channel><item><title>f</title>'
     '<pubDate>mer, 16 nov 2022 00:38:15 +0100</pubDate></item></channel></rss>',
     [{'published': '2022-11-15T23:38:15Z'}]),
    ('dc-1.0', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.0/"><channel><item>'
     '<title>c</title><dc:creator>Cy</dc:creator></item></channel></rss>',
     [{'author': 'Cy'}]),
]


def test_reproductions(tmp):
    """Each reproduction through parse, and through import, list and show."""
    for name, doc, want in REPRODUCTIONS:
        path = write(tmp, 'repro-%s.xml' % name, doc)
        rc, out, err = run('parse', path, '--format', 'json')
        got = parse_json(out)
        items = got['items'] if got else []
        check(rc == 0 and len(items) == len(want), '%s: parse gives %d items: %r' % (
            name, len(want), items))
        for item, fields in zip(items, want):
            for key, value in fields.items():
                check(item.get(key) == value, '%s: parse %s is %r, not %r' % (
                    name, key, item.get(key), value))
        db = os.path.join(tmp, 'repro-%s.db' % name)
        rc, out, err = run('--db', db, 'import', path)
        check(rc == 0, '%s: import (%d, %r)' % (name, rc, err))
        rc, out, err = run('--db', db, 'list', '--format', 'json')
        listed = [json.loads(line) for line in out.decode('utf-8').splitlines() if line]
        check(rc == 0 and len(listed) == len(want), '%s: list gives %d articles: %r' % (
            name, len(want), listed))
        for article in listed:
            rc, out, err = run('--db', db, 'show', '--json', str(article['id']))
            shown = parse_json(out) or {}
            fields = next((w for w in want if all(
                shown.get(k) == v for k, v in w.items() if k in ('title',))), want[0])
            for key, value in fields.items():
                check(shown.get(key) == value, '%s: show %s is %r, not %r' % (
                    name, key, shown.get(key), value))
                if key in article:
                    check(article[key] == value, '%s: list %s is %r, not %r' % (
                        name, key, article[key], value))
    # An Atom feed whose entries carry only <updated> is listed by --since.
    db = os.path.join(tmp, 'repro-updated-only.db')
    rc, out, err = run('--db', db, 'list', '--since', '2000-01-01', '--format', 'tsv')
    check(rc == 0 and out.decode().startswith('1\t2024-05-01T00:00:00Z\t'),
          '--since lists the entry by its updated date: %r' % out)
    rc, out, err = run('--db', db, 'list', '--until', '2024-04-01', '--format', 'tsv')
    check(rc == 0 and out == b'', '--until leaves it out: %r' % out)


PODCAST = '''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>cast</title><link>https://cast.example/</link>
<item><guid isPermaLink="false">ep-1</guid><title>One</title>
<description>notes</description>
<enclosure url="media/ep1.mp3" type="audio/mpeg" length="1234"/>
<media:content url="https://cast.example/media/ep1.mp3" fileSize="1234"/>
<media:thumbnail url="art/ep1.jpg"/></item>
</channel></rss>
'''


def test_enclosures(tmp):
    """Enclosures in parse's JSON, and in the archive after import."""
    path = write(tmp, 'podcast.xml', PODCAST)
    base = 'https://cast.example/feed.xml'
    rc, out, err = run('parse', path, '--base-url', base)
    doc = parse_json(out)
    want = [{'url': 'https://cast.example/media/ep1.mp3', 'type': 'audio/mpeg', 'length': 1234,
             'kind': 'file'},
            {'url': 'https://cast.example/art/ep1.jpg', 'type': None, 'length': None,
             'kind': 'thumbnail'}]
    check(rc == 0 and doc and doc['items'][0]['enclosures'] == want,
          'parse prints the enclosures: %r' % (doc and doc['items'][0].get('enclosures')))
    db = os.path.join(tmp, 'podcast.db')
    for attempt in range(2):
        rc, out, err = run('--db', db, 'import', '--base-url', base, path)
        check(rc == 0 and err == '', 'import of the podcast (%d, %r)' % (rc, err))
    con = fktest.connect(db)
    rows = con.execute('SELECT e.position, e.url, e.type, e.length, e.kind FROM enclosures e'
                       ' JOIN articles a ON a.id = e.article_id WHERE a.guid = ?'
                       ' ORDER BY e.position', ('ep-1',)).fetchall()
    con.close()
    check(rows == [(i, w['url'], w['type'], w['length'], w['kind']) for i, w in enumerate(want)],
          'import archives the enclosures once: %r' % rows)


def rows(db):
    con = fktest.connect(db)
    try:
        return con.execute('SELECT id, guid, title, text, markdown FROM articles ORDER BY id').fetchall()
    finally:
        con.close()


def test_impossible_charset(tmp):
    """--charset of another family than the document's first bytes (a UTF-8
    feed read as utf-16, utf-32 or EBCDIC) is ignored, and -v says so; it
    used to make the document "not an RSS or Atom feed"."""
    db = os.path.join(tmp, 'charset.db')
    before = write(tmp, 'charset-before.xml', '<rss><channel><title>k</title><item><guid>k1</guid>'
                   '<title>kept</title><description>&lt;p&gt;kept&lt;/p&gt;</description>'
                   '</item></channel></rss>')
    rc, out, err = run('--db', db, 'import', before)
    check(rc == 0, 'import of the first feed')
    kept = rows(db)
    title = 'Caf\u00e9'
    for n, label in enumerate(('utf-16', 'utf-32', 'ebcdic-cp-us')):
        doc = write(tmp, 'charset-%d.xml' % n,
                    ('<?xml version="1.0" encoding="utf-8"?>\n<rss><channel><title>c</title>'
                     '<item><guid>c%d</guid><title>%s</title></item></channel></rss>' % (n, title)))
        rc, out, err = run('parse', '--charset', label, doc)
        got = parse_json(out)
        check(rc == 0 and err == '' and got and got['items'][0]['title'] == title,
              'parse --charset %s: read as UTF-8, quietly (%d, %r, %r)' % (label, rc, out[:80], err))
        note = ("feedkeep: warning: '%s': charset '%s' ignored: the document's first bytes are "
                "ASCII-compatible; read as UTF-8\n" % (doc, label))
        rc, out, err = run('parse', '-v', '--charset', label, doc)
        check(rc == 0 and err == note, 'parse -v --charset %s: one note (%r)' % (label, err))
        rc, out, err = run('--db', db, 'import', '-v', '--charset', label, doc)
        check(rc == 0 and out == ('%s: 1 new, 0 updated, 0 unchanged\n' % doc).encode() and
              err == note, 'import -v --charset %s: archived, one note (%d, %r, %r)'
              % (label, rc, out, err))
    con = fktest.connect(db)
    titles = [t for (t,) in con.execute("SELECT title FROM articles WHERE guid LIKE 'c%' "
                                        'ORDER BY guid')]
    con.close()
    check(titles == [title] * 3, 'the titles are decoded right: %r' % titles)
    check(rows(db)[:len(kept)] == kept, 'the rows archived before are unchanged')


def test_oversized_item(tmp):
    """An item of more than 10 MB of text between two good ones: it used to
    end the document silently (that item and every later one lost, exit 0,
    nothing said). Now it is kept, truncated at 8 MiB, with a warning
    without --verbose, and the items after it are read."""
    para = '&lt;p&gt;%s&lt;/p&gt;\n' % ('word ' * 200)
    doc = write(tmp, 'oversized.xml',
                '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>o'
                '</title><item><guid>o1</guid><description>&lt;p&gt;one&lt;/p&gt;</description>'
                '</item><item><guid>o2</guid><description>%s</description></item><item><guid>o3'
                '</guid><description>&lt;p&gt;three&lt;/p&gt;</description></item></channel>'
                '</rss>\n' % (para * (11 * (1 << 20) // len(para))))
    warning = "feedkeep: warning: '%s': item 'o2': summary longer than 8 MiB: truncated\n" % doc
    rc, out, err = run('parse', doc, timeout=120)
    got = parse_json(out)
    check(rc == 0 and got and [i['guid'] for i in got['items']] == ['o1', 'o2', 'o3'] and
          got['well_formed'], 'parse: the three items (%d, %r)' % (rc, got and got['items']))
    check(err == warning, 'parse: one warning, without --verbose: %r' % err)
    db = os.path.join(tmp, 'oversized.db')
    first = write(tmp, 'oversized-before.xml', '<rss><channel><title>k</title><item><guid>k1'
                  '</guid><title>kept</title></item></channel></rss>')
    run('--db', db, 'import', first)
    kept = rows(db)
    rc, out, err = run('--db', db, 'import', doc, timeout=120)
    check(rc == 0 and out == ('%s: 3 new, 0 updated, 0 unchanged\n' % doc).encode(),
          'import: the three items archived (%d, %r)' % (rc, out))
    check(err == warning, 'import: one warning, without --verbose: %r' % err)
    check(rows(db)[:len(kept)] == kept, 'import: the rows archived before are unchanged')
    texts = {r[1]: r[3] for r in rows(db)}
    check(texts.get('o1') == 'one\n' and texts.get('o3') == 'three\n' and
          texts.get('o2', '').startswith('word word'), 'import: the texts are right')
    rc, out, err = run('--db', db, 'import', doc, timeout=120)
    check(rc == 0 and out == ('%s: 0 new, 0 updated, 3 unchanged\n' % doc).encode() and
          err == '', 'import again: unchanged, no warning (%d, %r, %r)' % (rc, out, err))

    # one endless word: no blank, '&' or multi-byte character to cut before
    word = write(tmp, 'oversized-word.xml',
                 '<rss version="2.0"><channel><title>w</title><item><guid>w1</guid></item>'
                 '<item><guid>w2</guid><description>%s</description></item><item><guid>w3'
                 '</guid></item></channel></rss>\n' % ('x' * (11 << 20)))
    rc, out, err = run('parse', word, timeout=120)
    got = parse_json(out)
    check(rc == 0 and got and [i['guid'] for i in got['items']] == ['w1', 'w2', 'w3'],
          'parse: one endless word keeps the items after it (%d, %r)' %
          (rc, got and [i['guid'] for i in got['items']]))
    check(err == "feedkeep: warning: '%s': item 'w2': summary longer than 8 MiB: truncated\n"
          % word, 'parse: the endless word is named: %r' % err)


def main():
    global BIN, SANITIZED
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    BIN = fktest.start(sys.argv[1])
    SANITIZED = '--sanitized' in sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        test_warnings(tmp)
        test_not_feeds(tmp)
        test_billion_laughs(tmp)
        test_external_entities(tmp)
        test_no_network(tmp)
        test_raw_dates(tmp)
        test_reproductions(tmp)
        test_enclosures(tmp)
        # after the stream, whose peak memory a large parent would spoil
        test_streaming(tmp)
        test_impossible_charset(tmp)
        test_oversized_item(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
