#!/usr/bin/env python3
"""The hostile-input suite: feeds, servers, archives and environments built
to break feedkeep, each run against the real binary.

Every case starts from a fresh copy of one fixture archive (the sample
dev.to feed, 12 articles) and asserts three things:

  1. the outcome, precisely: the exit status of the man page, and either one
     clear line on stderr naming the feed (or file) and the cause, or the
     documented recovery (what was archived, and how);
  2. that the other feeds of the same run were archived: feeds are fetched
     from a loopback server started here, two good feeds and a good file://
     feed beside each hostile one (`import` takes one document, so the cases
     that must use it say so);
  3. that nothing already archived was lost or altered: the fixture's
     articles, with their tags, code blocks, versions, enclosures and feed
     membership, read back with SQLite row by row and through `feedkeep
     list`, are what they were, and `feedkeep check` passes.

Every run has a time limit; the big cases have the child's peak resident
memory measured (wait4's rusage, from a small spawner process: see Spawner)
and asserted below a bound in the normal build.

No network: only files in a temporary directory and a server on 127.0.0.1
that lives in this process and ends with it. Two cases need more of the
system and say so when they skip: the full small filesystem is a tmpfs
mounted in a private mount namespace (unshare -rm), and under root the
read-only archive is tried as the user nobody, since file modes do not
stop root.

usage: test_hostile.py FEEDKEEP [--sanitized] [CASE-NUMBER-OR-WORD...]

--sanitized: the binary is built with AddressSanitizer, whose shadow memory
makes resident memory meaningless and which runs several times slower:
memory bounds are not asserted and the 300 MB stream is cut to 30 MB.
Words after the binary pick cases by number or by a word of their name.
"""
import email.utils
import gzip
import hashlib
import html
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above

BIN = None
SANITIZED = False
FIXTURE_FEED = None  # tests/data/devto-fuadhusnan.xml
MIB = 1 << 20
RSS = 'application/rss+xml'
# Short limits, so that no case waits for the defaults.
FAST = ['--connect-timeout', '2', '--timeout', '20', '--stall-time', '3']
# The fetch error line: feedkeep: 'URL': CAUSE (1st failure, next try in 30m)
FETCH_ERROR = re.compile(r"^feedkeep: '([^']*)': (.+) \((\d+)(st|nd|rd|th) failure, "
                         r"next try in [0-9a-z]+\)$")
# Controls a terminal acts on: C0 but tab and newline, DEL, C1.
CONTROLS = re.compile('[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]')


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def ensure(cond, what):
    if not cond:
        raise Failure(what)


def short(data, n=300):
    """A printable excerpt of output for a failure message."""
    text = data if isinstance(data, str) else data.decode('utf-8', 'replace')
    return repr(text if len(text) <= n else text[:n] + '...')


# ---- running feedkeep ---------------------------------------------------------------


class Result:
    def __init__(self, rc, out, err, rss_kib, seconds):
        self.rc, self.out, self.err = rc, out, err
        self.rss_kib, self.seconds = rss_kib, seconds

    def __repr__(self):
        return 'exit %s, stdout %s, stderr %s' % (self.rc, short(self.out), short(self.err))


class Spawner:
    """Starts feedkeep for run(), from a small process forked when the suite
    begins. Linux keeps the peak RSS of a process across exec, and a child
    forked from this test process would start with the test's own memory
    (feeds of tens of MB built in Python): wait4 would report that, not
    feedkeep's. The spawner gets each command and the child's three
    descriptors over a socket, forks and execs it, and sends back the pid and
    then the exit status and rusage."""

    def __init__(self):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            self.sock.close()
            try:
                self.serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        self.lock = threading.Lock()

    @staticmethod
    def serve(sock):
        while True:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
            if not msg:
                return
            req = json.loads(msg)
            pid = os.fork()
            if pid == 0:
                try:
                    for target, fd in enumerate(fds):
                        os.dup2(fd, target)
                    os.closerange(3, 65536)
                    os.setsid()
                    if req['cwd']:
                        os.chdir(req['cwd'])
                    if req['fsize'] is not None:
                        resource.setrlimit(resource.RLIMIT_FSIZE, (req['fsize'], req['fsize']))
                    if req['nobody']:
                        os.setgroups([])
                        os.setgid(65534)
                        os.setuid(65534)
                    # Python ignores these; an ignored signal stays ignored
                    # across exec, and feedkeep must be seen as a shell runs it
                    for name in ('SIGPIPE', 'SIGXFSZ', 'SIGXFZ'):
                        if hasattr(signal, name):
                            signal.signal(getattr(signal, name), signal.SIG_DFL)
                    os.execve(req['argv'][0], req['argv'], req['env'])
                finally:
                    os._exit(127)
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({'pid': pid}).encode())
            _, status, rusage = os.wait4(pid, 0)
            sock.send(json.dumps({'status': status, 'maxrss': rusage.ru_maxrss}).encode())

    def start(self, argv, env, cwd, fsize, nobody, fds):
        self.lock.acquire()
        socket.send_fds(self.sock, [json.dumps({'argv': argv, 'env': env, 'cwd': cwd,
                                                'fsize': fsize, 'nobody': nobody}).encode()], fds)
        return json.loads(self.sock.recv(1 << 16))['pid']

    def finish(self, timeout=None):
        """The exit status and peak RSS of the child started last; raises
        socket.timeout when it runs longer than timeout seconds."""
        self.sock.settimeout(timeout)
        try:
            reply = json.loads(self.sock.recv(1 << 16))
        finally:
            self.sock.settimeout(None)
        self.lock.release()
        return reply['status'], reply['maxrss']

    def stop(self):
        self.sock.close()
        os.waitpid(self.pid, 0)


SPAWNER = None


def run(*args, db=None, stdin=None, timeout=120, env=None, cwd=None, limit_fsize=None,
        as_nobody=False):
    """Run feedkeep; stdin is bytes or an iterable of byte chunks written as
    they come. Returns a Result with the peak RSS of the child (KiB). A run
    that outlives timeout is killed and fails the case."""
    # add would check each URL with a request of its own: these cases
    # subscribe as given.
    args = fktest.no_check(tuple(str(a) for a in args))
    cmd = fktest.command(args, db)
    full_env = fktest.environ(env)
    if stdin is None:
        child_in, our_in = os.open(os.devnull, os.O_RDONLY), None
    else:
        child_in, our_in = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    start = time.monotonic()
    pid = SPAWNER.start(cmd, full_env, cwd, limit_fsize, as_nobody, [child_in, out_w, err_w])
    for fd in (child_in, out_w, err_w):
        os.close(fd)
    outputs = {}

    def drain(name, fd, keep):
        chunks, size = [], 0
        with open(fd, 'rb', buffering=0) as pipe:
            while True:
                block = pipe.read(1 << 16)
                if not block:
                    break
                chunks.append(block)
                size += len(block)
                while size > keep and len(chunks) > 1:
                    size -= len(chunks.pop(0))
        outputs[name] = b''.join(chunks)

    def feed():
        with open(our_in, 'wb', buffering=0) as pipe:
            try:
                if isinstance(stdin, bytes):
                    pipe.write(stdin)
                else:
                    for chunk in stdin:
                        pipe.write(chunk)
            except (BrokenPipeError, ValueError):
                pass

    threads = [threading.Thread(target=drain, args=('out', out_r, 64 * MIB)),
               threading.Thread(target=drain, args=('err', err_r, MIB))]
    if our_in is not None:
        threads.append(threading.Thread(target=feed))
    for t in threads:
        t.start()
    killed = False
    try:
        status, maxrss = SPAWNER.finish(timeout)
    except socket.timeout:
        os.kill(pid, signal.SIGKILL)
        killed = True
        status, maxrss = SPAWNER.finish()
    rc = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    result = Result(rc, outputs.get('out', b'').decode('utf-8', 'replace'),
                    outputs.get('err', b'').decode('utf-8', 'replace'), maxrss, seconds)
    ensure(not killed, 'feedkeep %s did not end within %d s' % (args[0], timeout))
    if rc < 0:
        raise Failure('feedkeep %s was killed by signal %d (%s)'
                      % (args[0], -rc, signal.Signals(-rc).name))
    return result


def run_tty(*args, db=None, columns=100):
    """feedkeep on a pseudo-terminal as in a terminal emulator (TERM=xterm);
    returns the exit status and everything the terminal received."""
    return fktest.run_tty(*args, db=db, env={'TERM': 'xterm'}, columns=columns, timeout=60)


def terminal_controls(text):
    """Control characters on a terminal, besides the colour feedkeep itself
    uses for search matches."""
    for sgr in ('\x1b[1;31m', '\x1b[0m', '\x1b[1m', '\x1b[31m', '\x1b[32m'):
        text = text.replace(sgr, '')
    return CONTROLS.findall(text.replace('\r\n', '\n'))


def assert_rss(result, mib, what):
    if SANITIZED:
        return
    ensure(result.rss_kib < mib * 1024, '%s: peak RSS %.1f MiB, over %d MiB'
           % (what, result.rss_kib / 1024, mib))


# ---- the archive and its snapshot -----------------------------------------------------

# An article's Markdown as filed: the archive packs it against its HTML, and
# the HTML alone (fktest.unpack).
MARKDOWN = 'unpack(markdown, unpack(coalesce(content_html, summary_html)))'


def query(db, sql, *params):
    """Archives are read read-only: looking at one must not change it."""
    return fktest.query(db, sql, *params, readonly=True)


def scalar(db, sql, *params):
    return fktest.scalar(db, sql, *params, readonly=True)


def snapshot(db, ids, skip=('last_seen',)):
    """What the archive holds about the articles ids, row by row. Left out:
    articles.last_seen, which records that an article was seen again and
    legitimately moves whenever it is, and fetch bookkeeping (the fetches
    log and feeds' fetch columns), which no fixture row has."""
    marks = ','.join('?' * len(ids))
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True, timeout=30)
    try:
        cols = [r[1] for r in con.execute('PRAGMA table_info(articles)') if r[1] not in skip]
        snap = {
            'articles': con.execute('SELECT %s FROM articles WHERE id IN (%s) ORDER BY id'
                                    % (', '.join(cols), marks), ids).fetchall(),
            'tags': con.execute('SELECT at.article_id, t.name, at.date FROM article_tags at '
                                'JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (%s) '
                                'ORDER BY 1, 2' % marks, ids).fetchall(),
            'code': con.execute('SELECT * FROM code_blocks WHERE article_id IN (%s) ORDER BY id'
                                % marks, ids).fetchall(),
            'versions': con.execute('SELECT * FROM article_versions WHERE article_id IN (%s) '
                                    'ORDER BY id' % marks, ids).fetchall(),
            'enclosures': con.execute('SELECT * FROM enclosures WHERE article_id IN (%s) '
                                      'ORDER BY 1, 2' % marks, ids).fetchall(),
            'feeds': con.execute('SELECT af.article_id, f.url, f.title, f.site_url FROM '
                                 'article_feeds af JOIN feeds f ON f.id = af.feed_id WHERE '
                                 'af.article_id IN (%s) ORDER BY 1, 2' % marks, ids).fetchall(),
            'fts': con.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'database'"
                               ' AND rowid IN (%s) ORDER BY rowid' % marks, ids).fetchall(),
        }
    finally:
        con.close()
    return snap


def listing(db, ids, feed):
    """The fixture's articles as `feedkeep list --format json` shows them,
    without last_seen (see snapshot)."""
    r = run('list', '--format', 'json', '--feed', feed, db=db)
    ensure(r.rc == 0, 'list on the archive: %r' % r)
    rows = {}
    for line in r.out.splitlines():
        record = json.loads(line)
        record.pop('last_seen', None)
        if record['id'] in ids:
            rows[record['id']] = record
    return rows


class Fixture:
    def __init__(self, tmp):
        self.path = os.path.join(tmp, 'fixture.db')
        r = run('import', FIXTURE_FEED, db=self.path)
        ensure(r.rc == 0 and '12 new' in r.out, 'the fixture imports: %r' % r)
        self.ids = [row[0] for row in query(self.path, 'SELECT id FROM articles ORDER BY id')]
        ensure(len(self.ids) == 12, 'the fixture holds 12 articles')
        self.snap = snapshot(self.path, self.ids)
        self.feed = scalar(self.path, 'SELECT url FROM feeds')
        self.list = listing(self.path, self.ids, self.feed)
        ensure(len(self.list) == 12, 'list shows the fixture')
        ensure(len(self.snap['code']) > 0 and len(self.snap['tags']) > 0 and
               len(self.snap['fts']) > 0, 'the fixture has code blocks, tags and an index')
        with open(self.path, 'rb') as fh:
            self.bytes = fh.read()

    def verify(self, db):
        """Nothing of the fixture lost or altered, and the archive checks."""
        snap = snapshot(db, self.ids)
        for table in sorted(self.snap):
            ensure(snap[table] == self.snap[table],
                   "archive '%s': the fixture's %s changed" % (os.path.basename(db), table))
        ensure(listing(db, self.ids, self.feed) == self.list,
               "archive '%s': `list` shows the fixture differently" % os.path.basename(db))
        r = run('check', db=db, timeout=300)
        ensure(r.rc == 0 and r.out == '%s: ok\n' % db and r.err == '',
               "archive '%s' fails check: %r" % (os.path.basename(db), r))


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as fh:
        for block in iter(lambda: fh.read(MIB), b''):
            h.update(block)
    return h.hexdigest()


def articles_of(db, url):
    return fktest.articles_of(db, url, readonly=True)


def feed_state(db, url):
    rows = query(db, 'SELECT last_status, failures, next_fetch, last_error FROM feeds '
                     'WHERE url = ?', url)
    return rows[0] if rows else None


# ---- the loopback server ---------------------------------------------------------------


# fktest.Loopback: tests/httpd.py in this process, each case adding its routes.
SERVER = None


# ---- feeds -------------------------------------------------------------------------------


def rss(items, title='hostile', link='http://hostile.example/', head=''):
    return ('<?xml version="1.0" encoding="utf-8"?>\n%s<rss version="2.0"><channel>'
            '<title>%s</title><link>%s</link>\n%s</channel></rss>\n'
            % (head, title, link, ''.join(items)))


def item(guid, title='an item', body='<p>A body of some length.</p>', date=None, extra='',
         link=None):
    return ('<item><guid isPermaLink="false">%s</guid><title>%s</title>%s'
            '<pubDate>%s</pubDate><description>%s</description>%s</item>\n'
            % (html.escape(guid), html.escape(title),
               '<link>%s</link>' % html.escape(link) if link else '',
               'Mon, 01 Jun 2026 10:00:00 GMT' if date is None else date, html.escape(body), extra))


def good_feed(tag, n):
    items = [item('http://good.example/%s/%d' % (tag, i), 'good %s %d' % (tag, i),
                  '<p>Good body %s %d.</p><pre><code class="language-sh">echo %d</code></pre>'
                  % (tag, i, i), email.utils.formatdate(1780000000 + 3600 * i, usegmt=True),
                  '<category>good</category>', 'http://good.example/%s/%d' % (tag, i))
             for i in range(n)]
    return rss(items, 'good %s' % tag, 'http://good.example/%s/' % tag).encode()


class Case:
    """What a case works with: its directory, fresh archives (each verified
    against the fixture when the case ends), and fetch runs with good feeds."""

    def __init__(self, number, name, tmp, fixture):
        self.number, self.name, self.fixture = number, name, fixture
        self.dir = os.path.join(tmp, 'case%02d' % number)
        os.mkdir(self.dir)
        os.chmod(self.dir, 0o755)
        self.archives = []
        self.notes = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        path = self.path(name)
        with open(path, 'wb') as fh:
            fh.write(data if isinstance(data, bytes) else data.encode('utf-8'))
        return path

    def archive(self, name='archive.db', verify=True):
        path = self.path(name)
        with open(path, 'wb') as fh:
            fh.write(self.fixture.bytes)
        if verify:
            self.archives.append(path)
        return path

    def note(self, text):
        self.notes.append(text)

    def goods(self, count=2, items=3, file_feed=True):
        """Good feeds for a run: count on the server and one file:// feed,
        each with its own items. Returns [(url, items)]."""
        feeds = []
        for k in range(count):
            tag = 'c%02d-g%d' % (self.number, k)
            feeds.append((SERVER.static('/good/%s' % tag, good_feed(tag, items)), items))
        if file_feed:
            tag = 'c%02d-file' % self.number
            feeds.append(('file://' + self.write('good-file.xml', good_feed(tag, items)), items))
        return feeds

    def fetch(self, db, hostile, goods=None, args=(), timeout=120, **kw):
        """Subscribe db to the good feeds and the hostile URLs, fetch, and
        assert that every good feed was archived in full."""
        goods = self.goods() if goods is None else goods
        urls = [u for u, _ in goods] + list(hostile)
        r = run('add', *urls, db=db)
        ensure(r.rc == 0, 'add: %r' % r)
        r = run('fetch', *FAST, *args, db=db, timeout=timeout, **kw)
        self.assert_goods(db, r, goods)
        return r

    def assert_goods(self, db, r, goods):
        for url, n in goods:
            ensure('%s: %d new, 0 updated, 0 unchanged\n' % (url, n) in r.out,
                   'good feed %s not reported archived: %r' % (url, r))
            ensure(articles_of(db, url) == n, 'good feed %s: %d articles archived, not %d'
                   % (url, articles_of(db, url), n))


def fetch_failed(r, url, *words, failures=1):
    """Exactly one error line, for url, saying words; exit status 1."""
    lines = r.err.splitlines()
    ensure(r.rc == 1, 'exit status %d, not 1: %r' % (r.rc, r))
    ensure(len(lines) == 1, 'one line on stderr expected: %r' % r.err)
    m = FETCH_ERROR.match(lines[0])
    ensure(m and m.group(1) == url, 'the line names %s: %r' % (url, lines[0]))
    ensure(int(m.group(3)) == failures, 'failure count: %r' % lines[0])
    for word in words:
        ensure(word in m.group(2), 'the cause says %r: %r' % (word, lines[0]))
    ensure(not CONTROLS.search(r.err), 'no control characters on stderr: %r' % r.err)
    return m.group(2)


def fetch_ok(r):
    ensure(r.rc == 0 and r.err == '', 'the run succeeds quietly on stderr: %r' % r)


CASES = []


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


# ---- entities and XML structure ----------------------------------------------------------


def laughs(levels=10):
    ents = ['<!ENTITY lol0 "lolololololololololol">']
    for i in range(1, levels):
        ents.append('<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1)) * 10))
    return '<!DOCTYPE rss [\n%s\n]>\n' % '\n'.join(ents)


@case('billion laughs over HTTP')
def c_billion_laughs(c):
    db = c.archive()
    doc = rss([item('urn:lol:1', 'before the bomb'),
               item('urn:lol:2', 'bomb &lol9;', '&lol9;')], head=laughs())
    doc = doc.replace(html.escape('&lol9;'), '&lol9;')
    url = SERVER.static('/laughs', doc.encode())
    start = time.monotonic()
    r = c.fetch(db, [url], timeout=60)
    took = time.monotonic() - start
    ensure(took < 20, 'the bomb took %.1f s' % took)
    assert_rss(r, 160, 'billion laughs')
    # Expansion stops at 32 MiB per document (man page, FEEDS): the document
    # ends there; the item before it is kept, nothing grew past the limit.
    fetch_ok(r)
    ensure('%s: 1 new' % url in r.out, 'the item before the bomb is archived: %r' % r.out)
    ensure(scalar(db, 'SELECT max(length(title) + length(coalesce(unpack(summary_html), ""))) '
                      'FROM articles') < 32 * MIB, 'no field holds the expansion')
    ensure(feed_state(db, url)[1] == 0, 'the feed is not counted as failing')


@case('quadratic entity blowup')
def c_quadratic(c):
    db = c.archive()
    head = '<!DOCTYPE rss [<!ENTITY a "%s">]>\n' % ('A' * 50000)
    doc = rss([item('urn:quad:1', 'fine'), '<item><guid>urn:quad:2</guid><title>%s</title></item>'
               % ('&a;' * 50000)], head=head)
    url = SERVER.static('/quadratic', doc.encode())
    r = c.fetch(db, [url], args=['--verbose'], timeout=60)
    assert_rss(r, 160, 'quadratic blowup')
    ensure(r.rc == 0, 'exit 0: %r' % r)
    ensure(re.search(r"^feedkeep: warning: '%s': not well-formed XML \(.*entity expansion"
                     % re.escape(url), r.err, re.M), 'a warning names the expansion: %r' % r.err)
    ensure(scalar(db, "SELECT count(*) FROM articles WHERE guid = 'urn:quad:1'") == 1,
           'the item before is archived')
    ensure(scalar(db, 'SELECT coalesce(max(length(title)), 0) FROM articles') <= 8 * MIB,
           'no title beyond the 8 MiB field limit')


@case('external entity to a local file')
def c_external_entity(c):
    db = c.archive()
    secret = 'hostile-secret-%d' % os.getpid()
    secret_path = c.write('secret.txt', secret + '\n')
    head = ('<!DOCTYPE rss [\n<!ENTITY file SYSTEM "file://%s">\n<!ENTITY rel SYSTEM '
            '"secret.txt">\n<!ENTITY %% param SYSTEM "file://%s"> %%param;\n]>\n'
            % (secret_path, secret_path))
    doc = rss(['<item><guid>xxe-1</guid><title>[&file;][&rel;]</title>'
               '<description>[&file;]</description></item>'], head=head)
    url = SERVER.static('/xxe', doc.encode())
    # the same document as a file: a relative SYSTEM id would be beside it
    path = 'file://' + c.write('xxe.xml', doc)
    r = c.fetch(db, [url, path])
    fetch_ok(r)
    ensure('%s: 1 new' % url in r.out and '%s: 1 new' % path in r.out,
           'the items are archived without the entities: %r' % r.out)
    rows = query(db, 'SELECT coalesce(title, "") || coalesce(unpack(summary_html), "") || text || '
                     '%s FROM articles' % MARKDOWN)
    ensure(all(secret not in row[0] for row in rows), 'the secret was read into the archive')


@case('external DTD, parameter entity and XInclude on the server are never requested')
def c_no_fetch_while_parsing(c):
    db = c.archive()
    for p in ('/dtd/rss.dtd', '/dtd/p.ent', '/dtd/e.ent', '/dtd/inc.xml', '/dtd/style.xsl'):
        SERVER.static(p, b'<!ENTITY e "pwned">', ctype='application/xml-dtd')
    base = SERVER.url('/dtd')
    doc = ('<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="%s/style.xsl"?>\n'
           '<!DOCTYPE rss SYSTEM "%s/rss.dtd" [\n<!ENTITY %% p SYSTEM "%s/p.ent"> %%p;\n'
           '<!ENTITY e SYSTEM "%s/e.ent">\n]>\n<rss xmlns:xi="http://www.w3.org/2001/XInclude">'
           '<channel><title>t</title><item><guid>urn:dtd:1</guid><title>[&e;]</title>'
           '<description><xi:include href="%s/inc.xml"/></description></item></channel></rss>\n'
           % (base, base, base, base, base))
    url = SERVER.static('/dtd-feed', doc.encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: 1 new' % url in r.out, 'the item is archived: %r' % r.out)
    asked = [p for p in SERVER.log if p.startswith('/dtd/')]
    ensure(not asked, 'the parser fetched %r' % asked)
    ensure(scalar(db, "SELECT count(*) FROM articles WHERE title LIKE '%pwned%'") == 0,
           'an external entity was expanded')


@case('elements nested 100,000 deep, unknown and in Atom XHTML content')
def c_deep_elements(c):
    db = c.archive()
    depth = 100000
    doc = rss([item('urn:deep:1', 'before'),
               '<item><guid>urn:deep:2</guid>%s%s</item>' % ('<x>' * depth, '</x>' * depth),
               item('urn:deep:3', 'after')])
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            '<entry><id>urn:deep:a</id><title>a</title></entry><entry><id>urn:deep:b</id>'
            '<title>b</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            '%sdeep%s</div></content></entry><entry><id>urn:deep:c</id><title>c</title></entry>'
            '</feed>' % ('<div>' * depth, '</div>' * depth))
    url = SERVER.static('/deep', doc.encode())
    atom_url = SERVER.static('/deep-atom', atom.encode(), ctype='application/atom+xml')
    r = c.fetch(db, [url, atom_url], args=['--verbose'])
    assert_rss(r, 96, 'deep nesting')
    # feedkeep walks unknown elements and field markup past libxml2's depth
    # limit of 256 without keeping them: every item is read, well-formed.
    fetch_ok(r)
    ensure('%s: 3 new' % url in r.out and '%s: 3 new' % atom_url in r.out,
           'every item is archived: %r' % r.out)


@case('attribute bombs: 300,000 attributes, namespace declarations or bare HTML attributes')
def c_attribute_bomb(c):
    # libxml2 compares each attribute of a tag with all the earlier ones:
    # 100,000 took 7 s, 200,000 47 s, and a 10 MB tag hours (the fetch run,
    # its lock, and every other feed's transfer with it). feedkeep cuts the
    # input before a tag with more than 256 attributes.
    db = c.archive()
    n = 300000
    attrs = ' '.join('a%d=""' % i for i in range(n))
    xmlns = ' '.join('xmlns:p%d="urn:%d"' % (i, i) for i in range(n))
    bare = ' '.join('b%d' % i for i in range(n))
    xml_bomb = rss([item('urn:attr:1', 'before'), '<item %s><guid>urn:attr:2</guid></item>' % attrs,
                    item('urn:attr:3', 'after')])
    ns_bomb = rss([item('urn:ns:1', 'before'), '<item %s><guid>urn:ns:2</guid></item>' % xmlns,
                   item('urn:ns:3', 'after')])
    html_bomb = rss([item('urn:hattr:1', 'bombed', '<p %s>x</p>' % bare),
                     item('urn:hattr:2', 'after', '<p>fine</p>')])
    urls = [SERVER.static('/attrs', xml_bomb.encode()), SERVER.static('/xmlns', ns_bomb.encode()),
            SERVER.static('/html-attrs', html_bomb.encode())]
    start = time.monotonic()
    r = c.fetch(db, urls, args=['--verbose'])
    took = time.monotonic() - start
    ensure(took < 20, 'the attributes took %.1f s' % took)
    assert_rss(r, 96, 'attribute bombs')
    ensure(r.rc == 0, 'exit 0: %r' % r)
    for url, before in ((urls[0], 'urn:attr:1'), (urls[1], 'urn:ns:1')):
        ensure('%s: 1 new' % url in r.out, 'the item before the tag is archived: %r' % r.out)
        ensure("feedkeep: warning: '%s': not well-formed XML (a tag with more than 256 "
               "attributes: document refused past this point); kept what could be read\n" % url
               in r.err, 'a warning says why: %r' % r.err)
    ensure('%s: 2 new' % urls[2] in r.out, 'both items of the HTML bomb are archived: %r' % r.out)
    ensure("feedkeep: warning: '%s': item 'urn:hattr:1': article HTML has a tag with more "
           "than 256 attributes\n" % urls[2] in r.err, 'a warning names the item: %r' % r.err)
    ensure(scalar(db, "SELECT text FROM articles WHERE guid = 'urn:hattr:2'") == 'fine\n',
           'the next item converts')
    ensure(len(r.err.splitlines()) == 3, 'three warnings and nothing else: %r' % r.err)


@case('element name of 12 MB')
def c_name_bomb(c):
    db = c.archive()
    doc = rss([item('urn:name:1', 'before'),
               '<item><guid>urn:name:2</guid><%s>x</%s></item>' % ('n' * (12 * MIB), 'n'),
               item('urn:name:3', 'after')])
    url = SERVER.static('/name', doc.encode())
    r = c.fetch(db, [url], args=['--verbose'])
    assert_rss(r, 128, 'name bomb')
    ensure(r.rc == 0, 'exit 0: %r' % r)
    ensure(scalar(db, "SELECT count(*) FROM articles WHERE guid = 'urn:name:1'") == 1,
           'the item before is archived')
    ensure(re.search(r"^feedkeep: warning: '%s': not well-formed XML" % re.escape(url), r.err,
                     re.M), 'a warning says the XML was cut: %r' % r.err)


@case('HTML nested 100,000 deep inside a description')
def c_deep_html(c):
    db = c.archive()
    depth = 100000
    bodies = ['<blockquote>' * depth + 'deep' + '</blockquote>' * depth,
              '<ul><li>' * depth + 'deep' + '</li></ul>' * depth,
              '<div><em>' * depth + 'deep' + '</em></div>' * depth]
    doc = rss([item('urn:html:%d' % i, 'nested %d' % i, b) for i, b in enumerate(bodies)] +
              [item('urn:html:after', 'after', '<p>still here</p>')])
    url = SERVER.static('/deep-html', doc.encode())
    r = c.fetch(db, [url])
    assert_rss(r, 128, 'deep HTML')
    # the last two have 200,000 elements: converted as plain text
    ensure(r.rc == 0 and r.err == ''.join(
        "feedkeep: warning: '%s': item 'urn:html:%d': article HTML has more than 100,000 "
        "elements, attributes and comments: converted as plain text\n" % (url, i) for i in (1, 2)),
        'two warnings, for the items converted as plain text: %r' % r)
    ensure('%s: 4 new' % url in r.out, 'every item is archived: %r' % r.out)
    ensure(scalar(db, "SELECT text FROM articles WHERE guid = 'urn:html:after'") ==
           'still here\n', 'the item after converts normally')



# ---- HTTP ---------------------------------------------------------------------------------


def _gf2_times(mat, vec):
    total, i = 0, 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def _gf2_square(mat):
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1, crc2, len2):
    """zlib's crc32_combine: the CRC of A+B from those of A and B."""
    if len2 <= 0:
        return crc1
    odd = [0xedb88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class GzipBomb:
    """A valid gzip member of prefix, count blocks of filler and suffix,
    made without ever compressing (or holding) the whole: each block is
    followed by a full flush, after which deflate's output for the same
    block is the same bytes, so the body is those bytes repeated."""

    def __init__(self, prefix, filler, count, suffix):
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.head = (b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff' + co.compress(prefix) +
                     co.flush(zlib.Z_FULL_FLUSH))
        chunks = [co.compress(filler) + co.flush(zlib.Z_FULL_FLUSH) for _ in range(3)]
        ensure(chunks[1] == chunks[2], 'deflate repeats itself after a full flush')
        self.first, self.chunk, self.count = chunks[0], chunks[1], count
        crc, block_crc, span = zlib.crc32(prefix), zlib.crc32(filler), len(filler)
        # the CRC of count blocks, by doubling
        run_crc, run_len, n = None, 0, count
        while n:
            if n & 1:
                run_crc = block_crc if run_crc is None else crc32_combine(run_crc, block_crc, span)
                run_len += span
            n >>= 1
            if n:
                block_crc = crc32_combine(block_crc, block_crc, span)
                span *= 2
        crc = crc32_combine(crc, run_crc, run_len)
        crc = crc32_combine(crc, zlib.crc32(suffix), len(suffix))
        self.inflated = len(prefix) + len(filler) * count + len(suffix)
        self.tail = (co.compress(suffix) + co.flush(zlib.Z_FINISH) +
                     struct.pack('<II', crc, self.inflated & 0xffffffff))
        self.length = len(self.head) + len(self.first) + len(self.chunk) * (count - 1) + len(
            self.tail)

    def parts(self):
        yield self.head
        yield self.first
        for _ in range(self.count - 1):
            yield self.chunk
        yield self.tail


def serve_stream(parts, headers=(), status=200, chunked=False, length=None):
    """A route that writes parts (an iterable made anew per request) as they
    come, until they end or the client hangs up."""
    def route(h):
        h.close_connection = True
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        if chunked:
            h.send_header('Transfer-Encoding', 'chunked')
        elif length is not None:
            h.send_header('Content-Length', str(length))
        else:
            h.send_header('Connection', 'close')
        h.end_headers()
        for part in parts():
            if chunked:
                h.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
            else:
                h.wfile.write(part)
        if chunked:
            h.wfile.write(b'0\r\n\r\n')
        h.wfile.flush()
    return route


@case('gzip bomb over HTTP: 10 GiB of spaces in 10 MB')
def c_gzip_bomb(c):
    prefix = rss([item('urn:bomb:1', 'bomb')]).split('</channel>')[0].encode() + (
        b'<item><guid>urn:bomb:2</guid><description>')
    suffix = b'</description></item></channel></rss>\n'
    small = GzipBomb(prefix, b' ' * MIB, 3, suffix)
    ensure(gzip.decompress(b''.join(small.parts())) == prefix + b' ' * (3 * MIB) + suffix,
           'the bomb is valid gzip')
    bomb = GzipBomb(prefix, b' ' * MIB, 10240, suffix)
    ensure(bomb.length < 12 * MIB and bomb.inflated > 10 << 30, 'the bomb has its size')
    url = SERVER.route('/bomb', serve_stream(bomb.parts, [('Content-Encoding', 'gzip'),
                                                         ('Content-Type', 'application/rss+xml')],
                                             length=bomb.length))
    db = c.archive()
    start = time.monotonic()
    r = c.fetch(db, [url])  # the default --max-size, 32M
    took = time.monotonic() - start
    fetch_failed(r, url, 'body larger than 32 MiB')
    ensure(took < 30, 'the bomb took %.1f s' % took)
    assert_rss(r, 96, 'gzip bomb')
    c.note('peak RSS %.0f MiB' % (r.rss_kib / 1024))
    ensure(articles_of(db, url) == 0, 'nothing of the bomb is archived')


def endless_items(n=None):
    def parts():
        yield b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>endless</title>\n'
        i = 0
        while n is None or i < n:
            yield ''.join(item('urn:endless:%d' % j, 'endless %d' % j)
                          for j in range(i, i + 100)).encode()
            i += 100
    return parts


@case('endless body without Content-Length, and endless chunked body')
def c_endless(c):
    db = c.archive()
    close = SERVER.route('/endless', serve_stream(endless_items()))
    chunked = SERVER.route('/endless-chunked', serve_stream(endless_items(), chunked=True))
    r = c.fetch(db, [close, chunked], args=['--max-size', '4M'])
    assert_rss(r, 64, 'endless bodies')
    lines = sorted(r.err.splitlines())
    ensure(r.rc == 1 and len(lines) == 2, 'two failures, exit 1: %r' % r)
    for url in (close, chunked):
        fetch_failed(Result(1, '', [l for l in lines if "'%s'" % url in l][0] + '\n', 0, 0),
                     url, 'body larger than 4 MiB')
        ensure(articles_of(db, url) == 0, 'no article of the endless feed')


def trickle(size, pause):
    def parts():
        yield b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>slow</title>\n'
        while True:
            time.sleep(pause)
            yield b' ' * size
    return parts


@case('endless trickle above the stall speed, cut by --timeout')
def c_trickle(c):
    db = c.archive()
    url = SERVER.route('/trickle', serve_stream(trickle(2048, 0.2)))
    start = time.monotonic()
    r = c.fetch(db, [url], args=['--timeout', '4'])
    fetch_failed(r, url, 'timed out after 4 s')
    ensure(time.monotonic() - start < 15, 'cut after %.1f s' % (time.monotonic() - start))


@case('slow loris: one byte every half second, below the stall speed')
def c_slow_loris(c):
    db = c.archive()
    url = SERVER.route('/loris', serve_stream(trickle(1, 0.5)))
    start = time.monotonic()
    r = c.fetch(db, [url], args=['--stall-time', '2', '--timeout', '30'])
    fetch_failed(r, url, 'stalled below 1024 B/s for 2 s')
    ensure(time.monotonic() - start < 15, 'cut after %.1f s' % (time.monotonic() - start))


@case('a server that accepts and never answers')
def c_silent_server(c):
    db = c.archive()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    url = 'http://127.0.0.1:%d/feed' % listener.getsockname()[1]
    try:
        start = time.monotonic()
        r = c.fetch(db, [url], args=['--stall-time', '2', '--timeout', '30'])
    finally:
        listener.close()
    fetch_failed(r, url, 'stalled below 1024 B/s for 2 s')
    ensure(time.monotonic() - start < 15, 'cut after %.1f s' % (time.monotonic() - start))


@case('HTTP 500 with an error page')
def c_http_500(c):
    db = c.archive()
    url = SERVER.static('/500', b'<html><body>Internal error</body></html>', 500,
                        ctype='text/html')
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'HTTP 500')
    ensure(feed_state(db, url)[:2] == (500, 1), 'status and failure recorded')


@case('HTTP 404 with a feed-shaped body')
def c_http_404(c):
    db = c.archive()
    # a body that parses as a feed must not be archived from an error status
    url = SERVER.static('/404', rss([item('urn:404:1')]).encode(), 404)
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'HTTP 404')
    ensure(articles_of(db, url) == 0, 'the error body is not archived')


@case('HTTP 410 Gone')
def c_http_410(c):
    db = c.archive()
    url = SERVER.static('/410', b'gone\n', 410, ctype='text/plain')
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'HTTP 410')


@case('HTTP 429 with a Retry-After of ten years')
def c_retry_after(c):
    db = c.archive()
    url = SERVER.static('/429', b'slow down\n', 429, [('Retry-After', str(10 * 365 * 86400))],
                        ctype='text/plain')
    before = int(time.time())
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'HTTP 429')
    next_fetch = feed_state(db, url)[2]
    ensure(next_fetch is not None and before + 6 * 86400 < next_fetch <= int(time.time()) +
           7 * 86400, 'Retry-After honoured up to 7 days: next fetch in %s s'
           % (next_fetch and next_fetch - before))
    ensure('next try in 7d' in r.err or 'next try in 6d' in r.err, 'the delay shown: %r' % r.err)


@case('a broken cache that answers 304 to requests without validators, run after run')
def c_unconditional_304(c):
    db = c.archive()
    seen = []

    def cache(h):
        seen.append((h.headers.get('If-None-Match'), h.headers.get('If-Modified-Since')))
        h.reply(304)
    url = SERVER.route('/c%02d-broken-cache' % c.number, cache)
    why = '304 Not Modified to a request without validators (a broken cache?)'
    r = c.fetch(db, [url])
    ensure(fetch_failed(r, url, why) == why, 'the cause, exactly: %r' % r.err)
    ensure(seen == [(None, None)], 'the request had no validators: %r' % seen)
    ensure('%s: not modified' % url not in r.out and '0 not modified, 1 failed' in r.out,
           'not counted as not modified: %r' % r.out)
    status, failures, next_fetch, error = feed_state(db, url)
    ensure(status == 304 and failures == 1 and error == why and next_fetch is not None and
           next_fetch > time.time() + 25 * 60, 'logged and backed off: %r' % (feed_state(db, url),))
    ensure(query(db, 'SELECT l.status, l.error FROM fetches l JOIN feeds f ON f.id = l.feed_id '
                     'WHERE f.url = ?', url) == [(304, why)], 'in the fetch log')
    # the next run, quiet, and forced past the backoff: a failure again,
    # printed, exit 1
    r = run('--quiet', 'fetch', *FAST, '--force', url, db=db)
    fetch_failed(r, url, why, failures=2)
    ensure(r.out == '', 'nothing else printed: %r' % r)
    ensure(articles_of(db, url) == 0 and feed_state(db, url)[1] == 2, 'second failure counted')


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)


@case('Last-Modified in the future, with and without a Date, and a server that compares dates')
def c_future_last_modified(c):
    db = c.archive()
    future = int(time.time()) + 365 * 86400
    feeds = {'dated': 1, 'undated': 1}
    seen = {'dated': [], 'undated': []}

    def server(name):
        def answer(h):
            ims = h.headers.get('If-Modified-Since')
            seen[name].append(ims)
            # what a server does that takes its file's date at its word
            if ims and email.utils.parsedate_to_datetime(ims).timestamp() >= future:
                status, body = 304, b''
            else:
                status, body = 200, good_feed('c%02d-%s' % (c.number, name), feeds[name])
            if name == 'dated':  # Date is added by the server library
                h.reply(status, body, [('Last-Modified', http_date(future))], RSS)
            else:
                h.raw(b'HTTP/1.1 %d OK\r\nLast-Modified: %s\r\nContent-Type: '
                      b'application/rss+xml\r\nContent-Length: %d\r\nConnection: close\r\n'
                      b'\r\n%s' % (status, http_date(future).encode(), len(body), body))
        return SERVER.route('/c%02d-%s' % (c.number, name), answer)
    urls = {name: server(name) for name in feeds}
    r = c.fetch(db, list(urls.values()))
    fetch_ok(r)
    for name, url in urls.items():
        ensure('%s: 1 new, 0 updated, 0 unchanged\n' % url in r.out, '%s archived: %r' % (name, r))
        ensure(query(db, 'SELECT last_modified FROM feeds WHERE url = ?', url) == [(None,)],
               '%s: the future Last-Modified was kept' % name)
        feeds[name] = 2
    r = run('fetch', *FAST, db=db)
    fetch_ok(r)
    for name, url in urls.items():
        ensure(seen[name] == [None, None], '%s: If-Modified-Since sent: %r' % (name, seen[name]))
        ensure('%s: 1 new, 0 updated, 1 unchanged\n' % url in r.out,
               '%s: the new article archived: %r' % (name, r))
        ensure(articles_of(db, url) == 2, '%s: 2 articles' % name)
    # a Last-Modified in the past, the usual case, is still sent back
    an_hour_ago = http_date(time.time() - 3600)
    past = SERVER.static('/c%02d-past' % c.number, good_feed('c%02d-past' % c.number, 1),
                         headers=[('Last-Modified', an_hour_ago)])
    run('add', past, db=db)
    fetch_ok(run('fetch', *FAST, past, db=db))
    ensure(query(db, 'SELECT last_modified FROM feeds WHERE url = ?', past) == [(an_hour_ago,)],
           'a past Last-Modified is kept')


@case('a validator answered with 304 for ever: the feed is fetched without it once a day')
def c_stale_validator(c):
    db = c.archive()
    version = [1]
    seen = []

    def server(h):
        inm = h.headers.get('If-None-Match')
        seen.append(inm)
        # the ETag never changes with the content: any If-None-Match gets a 304
        if inm:
            h.reply(304, headers=[('ETag', '"same"')])
        else:
            h.reply(200, good_feed('c%02d-stale' % c.number, version[0]), [('ETag', '"same"')],
                    RSS)
    url = SERVER.route('/c%02d-stale' % c.number, server)
    r = c.fetch(db, [url])
    ensure('%s: 1 new, 0 updated, 0 unchanged\n' % url in r.out, 'first fetch: %r' % r)
    version[0] = 3
    r = run('fetch', *FAST, url, db=db)
    fetch_ok(r)
    ensure(seen == [None, '"same"'] and '%s: not modified\n' % url in r.out,
           'within a day the validator is sent: %r %r' % (seen, r))
    # a day later (the fetch log aged by hand)
    con = sqlite3.connect(db)
    con.execute('UPDATE fetches SET time = time - 86400 - 60')
    con.commit()
    con.close()
    r = run('fetch', *FAST, url, db=db)
    fetch_ok(r)
    ensure(seen[2:] == [None], 'after a day, no validator: %r' % seen)
    ensure('%s: 2 new, 0 updated, 1 unchanged\n' % url in r.out and articles_of(db, url) == 3,
           'the new articles archived: %r' % r)
    r = run('fetch', *FAST, url, db=db)
    ensure(seen[3:] == ['"same"'] and '%s: not modified\n' % url in r.out,
           'then validators again: %r %r' % (seen, r))


@case('redirect loop')
def c_redirect_loop(c):
    db = c.archive()
    url = SERVER.static('/loop', b'again\n', 302, [('Location', '/loop2')], 'text/plain')
    SERVER.static('/loop2', b'again\n', 302, [('Location', '/loop')], 'text/plain')
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'redirect loop')


@case('redirect to file:// (a local file)')
def c_redirect_file(c):
    db = c.archive()
    secret = c.write('secret.xml', rss([item('urn:secret:1', 'SECRET')]))
    url = SERVER.static('/to-file', b'moved\n', 302, [('Location', 'file://' + secret)],
                        'text/plain')
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'redirect to a protocol not followed')
    ensure(scalar(db, "SELECT count(*) FROM articles WHERE title = 'SECRET'") == 0,
           'the local file was read')


@case('twenty redirects in a row')
def c_many_redirects(c):
    db = c.archive()
    for i in range(20):
        SERVER.static('/hop%d' % i, b'hop\n', 302, [('Location', '/hop%d' % (i + 1))],
                      'text/plain')
    SERVER.static('/hop20', rss([item('urn:hop:1')]).encode())
    url = SERVER.url('/hop0')
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'more than 5 redirects')


@case('Content-Length larger than the body')
def c_length_over(c):
    db = c.archive()
    body = rss([item('urn:short:%d' % i) for i in range(3)]).encode()

    def route(h):
        h.close_connection = True
        h.send_response(200)
        h.send_header('Content-Length', str(len(body) + 5000))
        h.end_headers()
        h.wfile.write(body)
    url = SERVER.route('/length-over', route)
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'response truncated')
    ensure(articles_of(db, url) == 0, 'a truncated response is not archived')


@case('Content-Length smaller than the body, on a kept-alive connection')
def c_length_under(c):
    db = c.archive()
    body = rss([item('urn:under:%d' % i) for i in range(4)]).encode()
    cut = body.index(b'<item><guid isPermaLink="false">urn:under:2') + 20
    # the bytes after Content-Length stay on the connection, where a client
    # that reused it would read them as the next response
    url = SERVER.static('/length-under', body, headers=[('Content-Length', str(cut))])
    goods = c.goods(count=3, file_feed=False)
    r = c.fetch(db, [url], goods=goods, args=['--jobs', '1', '--verbose'])
    ensure(r.rc == 0, 'exit 0: %r' % r)
    # The body ends where Content-Length says: a cut document, recovered.
    ensure('%s: 2 new' % url in r.out, 'the two complete items are archived: %r' % r.out)
    ensure(re.search(r"^feedkeep: warning: '%s': not well-formed XML" % re.escape(url), r.err,
                     re.M), 'a warning says the document was cut: %r' % r.err)


@case('truncated gzip body')
def c_truncated_gzip(c):
    db = c.archive()
    full = gzip.compress(rss([item('urn:tgz:%d' % i, body='<p>%s</p>' % ('word %d ' % i) * 300)
                              for i in range(40)]).encode())
    cut = full[:len(full) // 2]
    url = SERVER.static('/truncated-gzip', cut, headers=[('Content-Encoding', 'gzip')])
    # libcurl does not check that a gzip stream ended when Content-Length
    # did: the body is a document cut short, which feedkeep recovers as it
    # does any truncated document (man page, FEEDS): the complete items are
    # archived, the one cut off is lost, and -v says the XML was broken.
    r = c.fetch(db, [url], args=['--verbose'])
    ensure(r.rc == 0, 'exit 0: %r' % r)
    inflated = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    complete = inflated.count(b'</item>')
    ensure(0 < complete < 40, 'the cut falls inside the items (%d complete)' % complete)
    ensure('%s: %d new' % (url, complete) in r.out,
           'the %d complete items are archived: %r' % (complete, r.out))
    ensure(re.search(r"^feedkeep: warning: '%s': not well-formed XML" % re.escape(url), r.err,
                     re.M), 'a warning says the document was cut: %r' % r.err)


@case('gzip Content-Encoding on bytes that are not gzip')
def c_bad_gzip(c):
    db = c.archive()
    url = SERVER.static('/bad-gzip', rss([item('urn:bgz:1')]).encode(),
                        headers=[('Content-Encoding', 'gzip')])
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'cannot decompress the body')


@case('Content-Length of 1 GiB with a short body')
def c_huge_length(c):
    db = c.archive()

    def route(h):
        h.close_connection = True
        h.send_response(200)
        h.send_header('Content-Length', str(1 << 30))
        h.end_headers()
        h.wfile.write(rss([item('urn:gig:1')]).encode())
        time.sleep(5)
    url = SERVER.route('/gigabyte', route)
    start = time.monotonic()
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'body larger than 32 MiB')
    ensure(time.monotonic() - start < 4, 'refused before reading (%.1f s)'
           % (time.monotonic() - start))


@case('HTML page instead of a feed')
def c_html_page(c):
    db = c.archive()
    url = SERVER.static('/page', b'<!DOCTYPE html>\n<html><head><title>Blog</title>'
                        b'<link rel="alternate" type="application/rss+xml" href="/feed">'
                        b'</head><body><p>Hello<p>world</body></html>\n', ctype='text/html')
    r = c.fetch(db, [url])
    fetch_failed(r, url, 'not an RSS or Atom feed')


@case('empty body, a body of only a BOM, a body of only whitespace')
def c_empty(c):
    db = c.archive()
    urls = [SERVER.static('/empty', b''), SERVER.static('/bom', b'\xef\xbb\xbf'),
            SERVER.static('/bom16', b'\xff\xfe'), SERVER.static('/blank', b' \r\n\t\n' * 100)]
    r = c.fetch(db, urls)
    lines = r.err.splitlines()
    ensure(r.rc == 1 and len(lines) == 4, 'four failures: %r' % r)
    for url in urls:
        line = [l for l in lines if "'%s'" % url in l]
        ensure(line and 'empty document' in line[0], '%s: %r' % (url, line))


@case('connection closed without an answer, and a server that does not speak HTTP')
def c_no_answer(c):
    db = c.archive()
    closed = SERVER.route('/close', lambda h: setattr(h, 'close_connection', True))
    ssh = SERVER.route('/ssh', lambda h: h.raw(b'SSH-2.0-OpenSSH_9.2\r\n' + os.urandom(2000)))
    r = c.fetch(db, [closed, ssh])
    lines = r.err.splitlines()
    ensure(r.rc == 1 and len(lines) == 2, 'two failures: %r' % r)
    ensure(any("'%s': empty reply from server" % closed in l for l in lines), 'closed: %r' % lines)
    ensure(any("'%s': malformed response" % ssh in l for l in lines), 'not HTTP: %r' % lines)


@case('a response header of 1 MiB, and 100,000 headers')
def c_header_bombs(c):
    db = c.archive()

    def long_header(h):
        h.raw(b'HTTP/1.1 200 OK\r\nX-Big: ' + b'a' * MIB + b'\r\nContent-Length: 0\r\n\r\n')

    def many_headers(h):
        h.raw(b'HTTP/1.1 200 OK\r\n' + b'X-H: v\r\n' * 100000 + b'Content-Length: 0\r\n\r\n')
    one = SERVER.route('/long-header', long_header)
    many = SERVER.route('/many-headers', many_headers)
    r = c.fetch(db, [one, many])
    assert_rss(r, 64, 'header bombs')
    lines = r.err.splitlines()
    ensure(r.rc == 1 and len(lines) == 2, 'two failures: %r' % r)
    for url in (one, many):
        line = [l for l in lines if "'%s'" % url in l]
        ensure(line and FETCH_ERROR.match(line[0]), '%s: one clear line: %r' % (url, lines))



# ---- what items hold ------------------------------------------------------------------------


def articles_by_guid(db, url):
    rows = query(db, 'SELECT a.guid, a.title, a.text, unpack(a.summary_html), a.url FROM articles a '
                     'JOIN article_feeds af ON af.article_id = a.id JOIN feeds f ON '
                     'f.id = af.feed_id WHERE f.url = ?', url)
    return {r[0]: r[1:] for r in rows}


def valid_utf8_columns(db):
    """Every text column of every article decodes as UTF-8."""
    con = fktest.connect(db, readonly=True)
    con.text_factory = bytes
    try:
        for row in con.execute('SELECT guid, title, text, %s, unpack(summary_html), '
                               'unpack(content_html), author, tags_text FROM articles' % MARKDOWN):
            for value in row:
                if value is not None:
                    value.decode('utf-8')
    except UnicodeDecodeError as e:
        raise Failure('invalid UTF-8 stored: %s' % e)
    finally:
        con.close()


@case('invalid UTF-8 in titles and bodies')
def c_invalid_utf8(c):
    db = c.archive()
    doc = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>bad'
           b'</title>\n<item><guid>u8-1</guid><title>caf\xe9 \xff\xfe na\xefve \xc3(</title>'
           b'<description>&lt;p&gt;body \xed\xa0\x80 surrogate \xf4\x90\x80\x80 beyond '
           b'\xc0\xaf overlong \xe2\x82 cut&lt;/p&gt;</description></item>\n'
           b'<item><guid>u8-2</guid><title>CDATA</title><description><![CDATA[<p>x\xff\x80y</p>]]>'
           b'</description></item>\n<item><guid>u8-3</guid><title>after</title></item>\n'
           b'</channel></rss>\n')
    url = SERVER.static('/utf8', doc)
    r = c.fetch(db, [url], args=['--verbose'])
    ensure(r.rc == 0, 'exit 0: %r' % r)
    ensure('%s: 3 new' % url in r.out, 'every item is archived: %r' % r.out)
    ensure("feedkeep: warning: '%s': not well-formed XML (line 3: invalid UTF-8 (byte 0xE9): "
           'read as Windows-1252' % url in r.err, 'one warning names the first bad byte: %r'
           % r.err)
    valid_utf8_columns(db)
    got = articles_by_guid(db, url)
    # Invalid UTF-8 is read as Windows-1252, a byte a character (man page,
    # FEEDS): what a Latin-1 or Windows-1252 feed mislabelled UTF-8 meant.
    ensure(got['u8-1'][0] == 'caf\u00e9 \u00ff\u00fe na\u00efve \u00c3(',
           'the title, byte for byte: %r' % got['u8-1'][0])
    ensure(got['u8-2'][1] == 'x\u00ff\u20acy\n', 'CDATA repaired too: %r' % got['u8-2'][1])
    ensure(got['u8-3'][0] == 'after', 'the item after is intact')


@case('NUL bytes and other characters XML forbids in titles and bodies')
def c_nul_bytes(c):
    db = c.archive()
    doc = (b'<rss version="2.0"><channel><title>nul</title>\n'
           b'<item><guid>nul-1</guid><title>a\x00b\x01c\x0bd\x1fe\xef\xbf\xbef</title>'
           b'<description>&lt;p&gt;x\x00y&lt;/p&gt;</description></item>\n'
           b'<item><guid>nul-2\x00</guid><title>ref &#0; &#1; &#xFFFE; ok</title>'
           b'<description><![CDATA[<p>c\x00d</p>]]></description></item>\n'
           b'<item><guid>nul-3</guid><title>after</title></item>\x00\x00\n'
           b'</channel></rss>\n\x00')
    url = SERVER.static('/nul', doc)
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: 3 new' % url in r.out, 'every item is archived: %r' % r.out)
    got = articles_by_guid(db, url)
    ensure(set(got) == {'nul-1', 'nul-2', 'nul-3'}, 'guids without the NUL: %r' % sorted(got))
    ensure(got['nul-1'][0] == 'abcdef' and got['nul-1'][1] == 'xy\n',
           'forbidden characters dropped: %r' % (got['nul-1'][:2],))
    ensure(got['nul-2'][1] == 'cd\n', 'NUL dropped in CDATA: %r' % got['nul-2'][1])
    ensure(scalar(db, "SELECT count(*) FROM articles WHERE instr(CAST(title AS BLOB), "
                      "x'00') OR instr(CAST(text AS BLOB), x'00') OR instr(CAST(guid AS BLOB), "
                      "x'00')") == 0, 'no NUL stored anywhere')


@case('wrong and missing encodings: lying charsets, Latin-1 without a declaration, UTF-16')
def c_encodings(c):
    db = c.archive()
    title = 'Caf\u00e9 \u00fcber \u00e6\u00f8\u00e5'
    body = rss([item('enc-1', title)]).replace('encoding="utf-8"', 'encoding="%s"')
    urls = [
        # the HTTP charset wins over the declaration (RFC 7303): mojibake,
        # but every item kept, and valid UTF-8
        SERVER.static('/lie-sjis', (body % 'utf-8').encode('utf-8'),
                      ctype='application/rss+xml; charset=shift_jis'),
        # an unknown charset name is ignored
        SERVER.static('/lie-bogus', (body % 'utf-8').encode('utf-8').replace(b'enc-1', b'enc-2'),
                      ctype='application/rss+xml; charset=x-no-such-thing'),
        # Latin-1 bytes under no declaration at all
        SERVER.static('/latin1', (body % 'utf-8').replace(' encoding="utf-8"', '')
                      .replace('enc-1', 'enc-3').encode('latin-1'), ctype='text/xml'),
        # UTF-16 with a BOM, declaring UTF-8
        SERVER.static('/utf16', (body % 'utf-8').replace('enc-1', 'enc-4').encode('utf-16'),
                      ctype='application/xml'),
    ]
    r = c.fetch(db, urls)
    fetch_ok(r)
    for url in urls:
        ensure('%s: 1 new' % url in r.out, '%s archived: %r' % (url, r.out))
    valid_utf8_columns(db)
    titles = dict(query(db, "SELECT guid, title FROM articles WHERE guid LIKE 'enc-%'"))
    ensure(titles['enc-2'] == title and titles['enc-3'] == title and titles['enc-4'] == title,
           'decoded right: %r' % titles)
    ensure(titles['enc-1'] != title and 'Caf' in titles['enc-1'], 'the lie is believed: %r'
           % titles['enc-1'])


@case('impossible charsets: a UTF-8 feed served as utf-16, utf-32 or ebcdic-cp-us')
def c_impossible_charsets(c):
    # The first bytes ("<?xml" in single bytes) rule such a label out: the
    # label only chooses within the family of encodings the bytes are in.
    # Before, each of these failed every time as "not an RSS or Atom feed".
    db = c.archive()
    title = 'Caf\u00e9 \u00fcber'
    body = rss([item('imp-%d', title)])
    labels = ['utf-16', 'utf-32', 'ebcdic-cp-us', 'UTF-16BE']
    urls = [SERVER.static('/impossible-%d' % i, body.replace('imp-%d', 'imp-%d' % i).encode(),
                          ctype='application/rss+xml; charset=%s' % label)
            for i, label in enumerate(labels)]
    # a UTF-16 document served as iso-8859-1: the zero bytes decide
    urls.append(SERVER.static('/impossible-16', rss([item('imp-16', title)])
                              .replace('utf-8', 'utf-16').encode('utf-16-le'),
                              ctype='application/rss+xml; charset=iso-8859-1'))
    r = c.fetch(db, urls)
    fetch_ok(r)
    for url in urls:
        ensure('%s: 1 new' % url in r.out, '%s archived: %r' % (url, r.out))
    titles = dict(query(db, "SELECT guid, title FROM articles WHERE guid LIKE 'imp-%'"))
    ensure(titles == {g: title for g in ('imp-0', 'imp-1', 'imp-2', 'imp-3', 'imp-16')},
           'decoded right: %r' % titles)
    for url in urls:
        ensure(feed_state(db, url)[1] == 0, '%s is not counted as failing' % url)
    # --verbose says which label was ignored and what was read instead
    db2 = c.archive('verbose.db')
    r = c.fetch(db2, urls, args=['--verbose'])
    ensure(r.rc == 0, 'exit 0: %r' % r)
    for url, label in zip(urls, labels + ['iso-8859-1']):
        family, used = (('UTF-16', 'UTF-16LE') if label == 'iso-8859-1'
                        else ('ASCII-compatible', 'UTF-8'))
        ensure("feedkeep: warning: '%s': charset '%s' ignored: the document's first bytes are "
               "%s; read as %s\n" % (url, label, family, used) in r.err,
               'a note names %s and what was read: %r' % (label, r.err))
    ensure(len(r.err.splitlines()) == len(urls), 'one note per feed: %r' % r.err)


TERMINAL_TITLES = [
    'clear \x1b[2J\x1b[H screen', 'title \x1b]0;pwned\x07 set',
    'clipboard \x1b]52;c;cm0gLXJmIH4=\x07',
    'csi \u009b2J c1', 'bell \x07\x07 and backspace \x08\x08\x08', 'cr \r overwrite',
    'osc8 \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ end', 'del \x7f char',
    'rtl \u202eevil.exe\u202c ok', 'isolate \u2067x\u2069 end', 'dcs \x1bP1;2|data\x1b\\ end',
]


def reference(text):
    """Characters XML cannot carry raw, as HTML character references in an
    escaped title (type html), which is how a feed smuggles them in."""
    return ''.join('&#%d;' % ord(ch) if ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f else ch
                   for ch in text)


@case('control characters and ANSI escapes in titles, on a terminal')
def c_terminal(c):
    db = c.archive()
    entries = ''.join(
        '<entry><id>urn:term:%d</id><title type="html">%s</title><updated>2026-06-0%dT10:00:00Z'
        '</updated><category term="tag\x1b[31m%d"/><author><name>evil \u009b31m author</name>'
        '</author><content type="html">%s</content></entry>\n'
        % (i, html.escape(reference(t)), i % 9 + 1, i, html.escape('<p>%s</p>' % reference(t)))
        for i, t in enumerate(TERMINAL_TITLES))
    doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           '<title>term</title><id>urn:term</id>\n%s</feed>\n' % entries.replace('\x1b', ''))
    url = SERVER.static('/terminal', doc.encode(), ctype='application/atom+xml')
    r = c.fetch(db, [url])
    fetch_ok(r)
    n = len(TERMINAL_TITLES)
    ensure('%s: %d new' % (url, n) in r.out, 'every entry is archived: %r' % r.out)
    # The text of a title is archived without its controls, the rest kept
    # (a character reference to a C1 control is read as Windows-1252, as
    # browsers do).
    r = run('list', '--format', 'json', '--feed', url, db=db)
    titles = [json.loads(line)['title'] for line in r.out.splitlines()]
    ensure(any('[2J' in t for t in titles) and any('\u202e' in t for t in titles) and
           not any(CONTROLS.search(t) for t in titles), 'the archived titles: %r' % titles)
    ids = [json.loads(line)['id'] for line in r.out.splitlines()]
    # An archive written otherwise (an older feedkeep, sqlite3) may hold raw
    # controls: put them back in a copy, through SQL.
    raw = c.archive('raw.db', verify=False)
    shutil.copyfile(db, raw)
    con = sqlite3.connect(raw)
    for i, (article_id, title) in enumerate(zip(ids, reversed(TERMINAL_TITLES))):
        con.execute("UPDATE articles SET title = ?, author = ?, text = ?, markdown = ?, "
                    "tags_text = ? WHERE id = ?", (title, title, title + '\n', title + '\n', title,
                                                  article_id))
        con.execute("UPDATE tags SET name = ? WHERE name = ?", ('tag' + title, 'tag[31m%d' % i))
    con.commit()
    con.close()
    # No terminal, pipe or spreadsheet ever gets a control from either.
    views = [('list',), ('list', '--feed', url), ('search', 'title'), ('tags',),
             ('feeds', '--all'), ('stats',)] + [('show', str(i)) for i in ids] + [
        ('show', str(ids[0]), '--markdown'), ('history', str(ids[0]))]
    for archive in (db, raw):
        for args in views:
            rc, out = run_tty(*args, db=archive)
            bad = terminal_controls(out)
            ensure(rc == 0 and not bad, '%s: terminal %s: exit %d, controls %r'
                   % (os.path.basename(archive), ' '.join(args), rc, bad[:5]))
            ensure('\u202e' not in out and '\u2067' not in out,
                   'terminal %s: bidi override shown' % ' '.join(args))
        for fmt in ('tsv', 'csv'):
            r = run('list', '--format', fmt, db=archive)
            ensure(r.rc == 0 and not CONTROLS.search(r.out.replace('\n', '')) and
                   '\u202e' not in r.out, '%s carries controls' % fmt)
            header = 1 if fmt == 'csv' else 0  # CSV starts with its field names
            ensure(len(r.out.splitlines()) ==
                   scalar(archive, 'SELECT count(*) FROM articles') + header,
                   '%s: one line a record' % fmt)


EXPORT_TITLES = [
    '../../../../etc/passwd', '/absolute/path', '..', '.', '.hidden', '-rf --no-preserve-root',
    '--help', 'CON', 'nul', 'com1.txt', 'a/b\\c', 'line\nbreak', 'tab\there', '~root',
    '$(reboot)', '`id`', 'x' * 300, '\u00e9' * 300, '\u202eexe.md', 'NUL &#0; inside',
    '\x1b]0;title\x07', '\x1b[2J', '   ', '', 'emoji \U0001f4a3 bomb', '*?<>|":',
]


@case('titles built to attack file names: export stays in its directory with safe names')
def c_export_names(c):
    db = c.archive()
    items = [item('urn:name:%d' % i, reference(t).replace('\x1b', ''), date=(
        'Mon, 01 Jun 2026 10:00:00 GMT' if i % 2 else '')) for i, t in enumerate(EXPORT_TITLES)]
    url = SERVER.static('/names', rss(items).encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    jail = c.path('jail')
    os.mkdir(jail)
    out_dir = os.path.join(jail, 'out')
    # the export directory is reached through a relative path from a cwd
    r = run('export', '--dir', 'out', '--feed', url, db=db, cwd=jail)
    ensure(r.rc == 0 and r.err == '', 'export: %r' % r)
    names = sorted(os.listdir(out_dir))
    ensure(os.listdir(jail) == ['out'], 'nothing written beside the directory: %r'
           % os.listdir(jail))
    ensure(len(names) == len(EXPORT_TITLES), '%d files for %d articles' % (len(names),
                                                                            len(EXPORT_TITLES)))
    # Letters and digits of any script, lower case, and "-": no controls,
    # direction marks, spaces or punctuation (Unicode categories C, Z, P, S).
    safe = re.compile(r'^(\d{4}-\d{2}-\d{2}|undated)-[^\W_A-Z]+(-[^\W_A-Z]+)*\.md$')
    bad = [n for n in names if not safe.match(n) or len(n.encode()) > 100 or
           any(unicodedata.category(ch)[0] in 'CZPS' for ch in n[:-3] if ch != '-')]
    ensure(not bad, 'unsafe names: %r' % bad)
    for name in names:
        path = os.path.join(out_dir, name)
        ensure(os.path.isfile(path) and not os.path.islink(path), '%s is a plain file' % name)
        with open(path, encoding='utf-8') as fh:
            text = fh.read()
        ensure(text.startswith('---\n') and not CONTROLS.search(text.split('\n---\n')[0]),
               '%s: front matter without raw controls' % name)
    # the same on the export's JSON Lines: the names it would use
    r = run('export', '--format', 'jsonl', '--feed', url, db=db)
    files = [json.loads(line)['file'] for line in r.out.splitlines()]
    ensure(sorted(files) == names, 'jsonl names the same files')


@case('a 1 MB title, and a title of only whitespace')
def c_long_title(c):
    db = c.archive()
    long_title = ('Long ' * 210000)[:MIB]
    url = SERVER.static('/long-title', rss([item('urn:long:1', long_title),
                                            item('urn:long:2', ' \t\n \u00a0 '),
                                            item('urn:long:3', 'after')]).encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: 3 new' % url in r.out, 'every item is archived: %r' % r.out)
    got = articles_by_guid(db, url)
    ensure(got['urn:long:1'][0] == long_title.strip(), 'the long title is kept whole (%d bytes)'
           % len(got['urn:long:1'][0] or ''))
    blank = got['urn:long:2'][0]
    ensure(blank is None or blank.strip() in ('', '\u00a0'), 'the blank title: %r' % blank)
    rc, out = run_tty('list', db=db, columns=80)
    ensure(rc == 0 and all(len(line) <= 80 for line in out.splitlines()),
           'the table still fits 80 columns')
    r = run('list', '--format', 'tsv', db=db)
    ensure(r.rc == 0 and len(r.out.splitlines()) == scalar(db, 'SELECT count(*) FROM articles'),
           'TSV: one line a record: %d lines' % len(r.out.splitlines()))
    r = run('export', '--dir', c.path('export'), '--feed', url, db=db)
    ensure(r.rc == 0 and all(len(n) <= 100 for n in os.listdir(c.path('export'))),
           'export names stay short: %r' % r)


@case('a guid of 1 MB')
def c_long_guid(c):
    db = c.archive()
    guid = 'g' * MIB
    url = SERVER.static('/long-guid', rss([item(guid, 'long guid'), item('urn:lg:2', 'after')])
                        .encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: 2 new' % url in r.out, 'both items are archived: %r' % r.out)
    ensure(scalar(db, 'SELECT count(*) FROM articles WHERE guid = ?', guid) == 1, 'guid kept')
    # the same document again: recognised by its identity, nothing new
    r = run('fetch', *FAST, '--force', url, db=db)
    ensure(r.rc == 0 and '%s: 0 new, 0 updated, 2 unchanged' % url in r.out,
           'fetched again, unchanged: %r' % r)
    r = run('export', '--dir', c.path('export'), '--feed', url, db=db)
    ensure(r.rc == 0 and all(len(n) <= 100 for n in os.listdir(c.path('export'))),
           'export names stay short: %r' % r)


@case('dates in year 9999, 0000, negative, overflowing and impossible')
def c_dates(c):
    db = c.archive()
    dates = [('d9999', 'Fri, 31 Dec 9999 23:59:59 GMT', '9999-12-31T23:59:59Z'),
             ('d0000', '0000-01-01T00:00:00Z', '0000-01-01T00:00:00Z'),
             ('dneg', '-0044-03-15T12:00:00Z', None),
             ('dhuge', '99999999999-01-01T00:00:00Z', None),
             ('dover', 'Mon, 01 Jan 292277026596 00:00:00 GMT', None),
             ('dfeb30', '2026-02-30T00:00:00Z', None),
             ('dzone', 'Mon, 01 Jun 2026 10:00:00 +9999', None),
             ('d1969', '1969-12-31T23:59:59Z', '1969-12-31T23:59:59Z'),
             ('dempty', '', None), ('dspace', '   ', None)]
    url = SERVER.static('/dates', rss([item(g, 'date %s' % g, date=d) for g, d, _ in dates])
                        .encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: %d new' % (url, len(dates)) in r.out, 'every item archived: %r' % r.out)
    r = run('list', '--format', 'json', '--feed', url, db=db)
    got = {json.loads(l)['guid']: json.loads(l)['published'] for l in r.out.splitlines()}
    for guid, raw, want in dates:
        ensure(got[guid] == want, '%s: %r published %r, not %r' % (guid, raw, got[guid], want))
    raws = dict(query(db, 'SELECT guid, published_raw FROM articles WHERE guid LIKE ?', 'd%'))
    ensure(raws['dneg'] == '-0044-03-15T12:00:00Z', 'the raw date is kept: %r' % raws['dneg'])
    for args in (('--since', '9000-01-01'), ('--until', '0001-01-01'), ('--sort', 'updated'),
                 ('--reverse',)):
        r = run('list', '--feed', url, *args, db=db)
        ensure(r.rc == 0, 'list %s: %r' % (' '.join(args), r))
    r = run('list', '--since', '9000-01-01', '--format', 'json', db=db)
    ensure([json.loads(l)['guid'] for l in r.out.splitlines()] == ['d9999'], '--since 9000')
    r = run('export', '--dir', c.path('export'), '--feed', url, db=db)
    names = sorted(os.listdir(c.path('export')))
    ensure(r.rc == 0 and '9999-12-31-date-d9999.md' in names and
           '0000-01-01-date-d0000.md' in names and 'undated-date-dneg.md' in names,
           'export names from the dates: %r' % names)


@case('javascript:, data: and vbscript: links')
def c_script_links(c):
    db = c.archive()
    body = ('<p><a href="javascript:alert(1)">one</a> <a href="JaVaScRiPt:alert(2)">two</a> '
            '<a href=" javascript:alert(3)">three</a> <a href="data:text/html,x">four</a> '
            '<a href="vbscript:x">five</a> <img src="javascript:x" alt="six"> '
            '<a href="https://fine.example/">seven</a></p>')
    url = SERVER.static('/scripts', rss([item('urn:js:1', 'scripts', body,
                                               link='javascript:alert(document.cookie)')],
                                         head='').replace('<link>http://hostile.example/</link>',
                                                          '<link>javascript:alert(0)</link>')
                        .encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    markdown = scalar(db, "SELECT %s FROM articles WHERE guid = 'urn:js:1'" % MARKDOWN)
    ensure(not re.search(r'(?i)(javascript|vbscript|data):', markdown),
           'no script link in the Markdown: %r' % markdown)
    ensure('[seven](https://fine.example/)' in markdown, 'the good link stays: %r' % markdown)
    # The item's own link is data: archived as the feed gave it (JSON, the
    # url column), and quoted as a string in the front matter, never made
    # into a link by feedkeep.
    r = run('export', '--stdout', str(scalar(db, "SELECT id FROM articles WHERE guid = "
                                                 "'urn:js:1'")), db=db)
    ensure(r.rc == 0 and 'url: "javascript:alert(document.cookie)"\n' in r.out and
           'javascript' not in r.out.split('\n---\n', 1)[1], 'front matter quotes it: %r' % r)


@case('100,000 items in one feed, fetched twice')
def c_many_items(c):
    db = c.archive()
    n = 100000
    body = rss(['<item><guid>http://many.example/%d</guid><title>item %d</title><description>'
                '&lt;p&gt;body %d&lt;/p&gt;</description><category>many</category></item>\n'
                % (i, i, i) for i in range(n)]).encode()
    url = SERVER.static('/many', body)
    r = c.fetch(db, [url], args=['--max-size', '64M'], timeout=300)
    fetch_ok(r)
    ensure('%s: %d new, 0 updated, 0 unchanged' % (url, n) in r.out, 'all archived: %r' % r.out)
    assert_rss(r, 96, '100,000 items')
    c.note('%d KB feed: %.1f s, peak RSS %.0f MiB' % (len(body) >> 10, r.seconds,
                                                     r.rss_kib / 1024))
    r = run('fetch', *FAST, '--max-size', '64M', '--force', url, db=db, timeout=300)
    ensure(r.rc == 0 and '%s: 0 new, 0 updated, %d unchanged' % (url, n) in r.out,
           'the second fetch changes nothing: %r' % r)
    ensure(articles_of(db, url) == n and scalar(db, 'SELECT count(*) FROM article_versions') ==
           0, 'no duplicate, no version')


@case('10,000 tags and 1,000 enclosures on one item')
def c_many_tags(c):
    db = c.archive()
    tags = ''.join('<category>Tag%05d</category>' % i for i in range(10000))
    enclosures = ''.join('<enclosure url="http://media.example/%d.mp3" type="audio/mpeg" '
                         'length="%d"/>' % (i, i) for i in range(1000))
    url = SERVER.static('/tags', rss([item('urn:tags:1', 'tagged', extra=tags + enclosures),
                                      item('urn:tags:2', 'after', extra='<category>x</category>')])
                        .encode())
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: 2 new' % url in r.out, 'both items archived: %r' % r.out)
    # an item keeps at most 256 tags and 64 enclosures (man page, FEEDS)
    aid = scalar(db, "SELECT id FROM articles WHERE guid = 'urn:tags:1'")
    ensure(scalar(db, 'SELECT count(*) FROM article_tags WHERE article_id = ?', aid) == 256,
           '256 tags kept')
    ensure(scalar(db, 'SELECT count(*) FROM enclosures WHERE article_id = ?', aid) == 64,
           '64 enclosures kept')
    r = run('tags', '--limit', '5', db=db)
    ensure(r.rc == 0, 'tags works: %r' % r)
    r = run('fetch', *FAST, '--force', url, db=db)
    ensure(r.rc == 0 and '%s: 0 new, 0 updated, 2 unchanged' % url in r.out,
           'fetched again: unchanged: %r' % r)


@case('an article of 12 MB of markup, cut at the 8 MiB field limit, with a warning')
def c_huge_article(c):
    db = c.archive()
    paras = ''.join('<p>paragraph %d with some words in it</p>' % i for i in range(300000))
    doc = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>big</title><id>urn:big</id>'
           '<entry><id>urn:big:1</id><title>big</title><content type="xhtml"><div xmlns='
           '"http://www.w3.org/1999/xhtml">%s</div></content></entry><entry><id>urn:big:2</id>'
           '<title>after</title></entry></feed>' % paras)
    url = SERVER.static('/huge-article', doc.encode(), ctype='application/atom+xml')
    r = c.fetch(db, [url], timeout=300)
    ensure(r.rc == 0, 'exit 0, as for any item warning: %r' % r)
    # cut at 8 MiB, it still has some 200,000 elements: converted as plain
    # text (see the next case)
    ensure(r.err == "feedkeep: warning: '%s': item 'urn:big:1': content longer than 8 MiB: "
           "truncated\nfeedkeep: warning: '%s': item 'urn:big:1': article HTML has more than "
           "100,000 elements, attributes and comments: converted as plain text\n" % (url, url),
           'two warnings name the truncated entry: %r' % r.err)
    got = scalar(db, "SELECT substr(text, 1, 60) FROM articles WHERE guid = 'urn:big:1'")
    ensure(got == 'paragraph 0 with some words in it\n\nparagraph 1 with some wor',
           'its paragraphs: %r' % got)
    ensure('%s: 2 new' % url in r.out, 'both entries archived: %r' % r.out)
    size = scalar(db, "SELECT length(CAST(unpack(content_html) AS BLOB)) FROM articles"
                      " WHERE guid = 'urn:big:1'")
    ensure(size <= 8 * MIB, 'the field is cut at 8 MiB: %d' % size)
    # One article is converted whole, as a document tree: memory follows
    # the article (bounded by the field limit), not the feed.
    assert_rss(r, 256, 'an 8 MiB article')
    c.note('peak RSS %.0f MiB' % (r.rss_kib / 1024))


@case('article HTML of 8 MB built to cost memory as a tree: <b>x</b>, <p>x, comments, attributes')
def c_heavy_html(c):
    # Legal HTML, linear in time but not in memory as a document tree:
    # 8 MB of <p>x took 1.2 GB and 8 MB of <b>x</b> 700 MB. Past 100,000
    # elements, attributes and comments an article is converted as plain
    # text from a stream of parser events, with a warning.
    size = 8000000
    attrs = '<p %s>x</p>' % ' '.join('a%d' % i for i in range(250))
    shapes = [('b', '<b>x</b>', 'x' * 8), ('p', '<p>x', 'x\n\nx\n\n'),
              ('comments', '<!---->' + '<i>x</i>', 'x'), ('attributes', attrs, 'x\n\nx\n\n')]
    warning = ('article HTML has more than 100,000 elements, attributes and comments: '
               'converted as plain text')
    for name, unit, text in shapes:
        db = c.archive('%s.db' % name)
        html = unit * (size // len(unit))
        doc = rss(['<item><guid>urn:heavy:%s</guid><title>heavy</title><description><![CDATA[%s'
                   ']]></description></item>\n' % (name, html),
                   item('urn:heavy:%s:after' % name, 'after', '<p>after</p>')])
        url = SERVER.static('/heavy-%s' % name, doc.encode())
        r = c.fetch(db, [url], timeout=300)
        assert_rss(r, 256, '8 MB of %s' % unit[:10])
        c.note('%s %.0f MiB %.1f s' % (name, r.rss_kib / 1024, r.seconds))
        ensure(r.rc == 0, '%s: exit 0, as for any item warning: %r' % (name, r))
        ensure(r.err == "feedkeep: warning: '%s': item 'urn:heavy:%s': %s\n" % (url, name, warning),
               '%s: one warning names the item: %r' % (name, r.err))
        ensure('%s: 2 new, 0 updated, 0 unchanged\n' % url in r.out, '%s: both items archived: %r'
               % (name, r.out))
        got, markdown = query(db, 'SELECT text, %s FROM articles WHERE guid = ?' % MARKDOWN,
                              'urn:heavy:%s' % name)[0]
        ensure(got.startswith(text) and markdown.startswith('```\n' + text),
               '%s: converted as plain text: %r, %r' % (name, got[:40], markdown[:40]))
        ensure(scalar(db, 'SELECT text FROM articles WHERE guid = ?', 'urn:heavy:%s:after'
                      % name) == 'after\n', '%s: the next item converts as a tree' % name)
    # a title of 3 MB of markup (7.5 MB escaped) becomes one line the same
    # way, silently
    db = c.archive('title.db')
    count = 3000000 // 8
    doc = rss([item('urn:heavy:title', '<b>x</b>' * count),
               item('urn:heavy:title:after', 'after')])
    url = SERVER.static('/heavy-title', doc.encode())
    r = c.fetch(db, [url], timeout=300)
    assert_rss(r, 256, 'a title of 8 MB of <b>x</b>')
    c.note('title %.0f MiB' % (r.rss_kib / 1024))
    fetch_ok(r)
    ensure(scalar(db, "SELECT title FROM articles WHERE guid = 'urn:heavy:title'") ==
           'x' * count, 'the title is its text')


@case('an item of 11 MB of text (escaped HTML, a CDATA section) between two good ones')
def c_oversized_item(c):
    # libxml2 holds a run of text whole and refuses a CDATA section over 10
    # MB: such an item used to end the document silently, losing it and
    # every item after it. The run is cut at 8 MiB before libxml2 sees it:
    # the item is archived truncated, with a warning, and the next is read.
    db = c.archive()
    para = '<p>%s</p>\n' % ('word ' * 200)
    body = para * (11 * MIB // len(para))
    docs = {
        'escaped': rss([item('urn:over:e1', 'first', '<p>first</p>'),
                        item('urn:over:e2', 'huge', body),
                        item('urn:over:e3', 'third', '<p>third</p>')]),
        'cdata': rss([item('urn:over:c1', 'first', '<p>first</p>'),
                      '<item><guid>urn:over:c2</guid><title>huge</title><description><![CDATA[%s'
                      ']]></description></item>\n' % body,
                      item('urn:over:c3', 'third', '<p>third</p>')]),
    }
    urls = {k: SERVER.static('/oversized-%s' % k, v.encode()) for k, v in docs.items()}
    r = c.fetch(db, [urls['escaped'], urls['cdata']], timeout=300)
    assert_rss(r, 256, 'an item of 11 MB')
    c.note('peak RSS %.0f MiB' % (r.rss_kib / 1024))
    ensure(r.rc == 0, 'exit 0, as for any item warning: %r' % r)
    lines = r.err.splitlines()
    for kind, tag in (('escaped', 'e'), ('cdata', 'c')):
        url = urls[kind]
        ensure('%s: 3 new, 0 updated, 0 unchanged\n' % url in r.out,
               '%s: the three items archived: %r' % (kind, r.out))
        ensure("feedkeep: warning: '%s': item 'urn:over:%s2': summary longer than 8 MiB: "
               "truncated" % (url, tag) in lines, '%s: a warning names the item: %r'
               % (kind, r.err))
        texts = dict(query(db, 'SELECT guid, text FROM articles WHERE guid LIKE ?',
                           'urn:over:%s%%' % tag))
        ensure(texts.get('urn:over:%s1' % tag) == 'first\n' and
               texts.get('urn:over:%s3' % tag) == 'third\n', '%s: the items around it: %r'
               % (kind, sorted(texts)))
        size = scalar(db, 'SELECT length(CAST(unpack(summary_html) AS BLOB)) FROM articles'
                          ' WHERE guid = ?',
                      'urn:over:%s2' % tag)
        ensure(6 * MIB < size <= 8 * MIB, '%s: the item is kept truncated: %d bytes'
               % (kind, size))
        ensure(texts['urn:over:%s2' % tag].startswith('word word'), '%s: its text is there'
               % kind)
    ensure(len(lines) == 2, 'two warnings and nothing else: %r' % r.err)
    # fetched again: the truncated item is found unchanged, and not warned of
    r = run('fetch', *FAST, '--force', urls['escaped'], urls['cdata'], db=db, timeout=300)
    ensure(r.rc == 0 and r.err == '', 'the second fetch is quiet: %r' % r)
    for url in urls.values():
        ensure('%s: 0 new, 0 updated, 3 unchanged\n' % url in r.out, 'unchanged: %r' % r.out)


@case('duplicate guids inside one feed')
def c_duplicate_guids(c):
    db = c.archive()
    items = [item('urn:dup:1', 'newest copy', '<p>The newest text of the article, long.</p>'),
             item('urn:dup:2', 'other'),
             item('urn:dup:1', 'older copy', '<p>An older text of the same article, long.</p>'),
             item('http://dup.example/3', 'url guid A', link='http://dup.example/3'),
             item('http://dup.example/3', 'url guid B', link='http://dup.example/3')]
    url = SERVER.static('/dups', rss(items).encode(), headers=[('Cache-Control', 'no-store')])
    r = c.fetch(db, [url])
    fetch_ok(r)
    # One article per identity, filed from its first copy (a feed lists the
    # newest first); the later copies change nothing.
    ensure('%s: 3 new, 0 updated, 2 unchanged' % url in r.out, 'counts: %r' % r.out)
    ensure(articles_of(db, url) == 3, 'three articles')
    titles = dict(query(db, "SELECT guid, title FROM articles WHERE guid IN ('urn:dup:1', "
                            "'http://dup.example/3')"))
    ensure(titles == {'urn:dup:1': 'newest copy', 'http://dup.example/3': 'url guid A'},
           'the first copy wins: %r' % titles)
    # Fetching the same document again must not flip between the copies,
    # making a new version of the article at every fetch.
    for attempt in range(3):
        r = run('fetch', *FAST, '--force', url, db=db)
        ensure(r.rc == 0 and '%s: 0 new, 0 updated, 5 unchanged' % url in r.out,
               'fetch %d again: %r' % (attempt + 2, r))
    ensure(scalar(db, 'SELECT count(*) FROM article_versions') == 0, 'no version churn')


@case('a feed that switches format between fetches: RSS 2.0, Atom 1.0, RSS 1.0 (RDF)')
def c_format_switch(c):
    db = c.archive()
    n = 4
    link = 'http://switch.example/post/%d'
    body = '<p>The same body of post %d, in every format.</p>'
    rss2 = rss([item(link % i, 'post %d' % i, body % i, link=link % i, date=email.utils.formatdate(
        1780000000 + i * 60, usegmt=True)) for i in range(n)])
    atom = ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>switch'
            '</title><id>urn:switch</id>%s</feed>' % ''.join(
                '<entry><id>%s</id><title>post %d</title><link href="%s"/><updated>%s</updated>'
                '<content type="html">%s</content></entry>' % (
                    link % i, i, link % i, time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(
                        1780000000 + i * 60)), html.escape(body % i)) for i in range(n)))
    rdf = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-'
           'ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<channel rdf:about="http://switch.example/"><title>switch</title></channel>%s'
           '</rdf:RDF>' % ''.join(
               '<item rdf:about="%s"><title>post %d</title><link>%s</link><dc:date>%s</dc:date>'
               '<description>%s</description></item>' % (
                   link % i, i, link % i, time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(
                       1780000000 + i * 60)), html.escape(body % i)) for i in range(n)))
    state = {'doc': rss2.encode()}
    url = SERVER.route('/switch', lambda h: h.reply(200, state['doc'], (), RSS))
    r = c.fetch(db, [url])
    fetch_ok(r)
    ensure('%s: %d new' % (url, n) in r.out, 'RSS 2.0: %r' % r.out)
    before = query(db, 'SELECT id, guid, title, text FROM articles WHERE guid LIKE ? ORDER BY id',
                   'http://switch.example/%')
    for name, doc in (('Atom', atom), ('RDF', rdf), ('RSS 2.0 again', rss2)):
        state['doc'] = doc.encode()
        r = run('fetch', *FAST, '--force', url, db=db)
        # The identity is the guid (Atom id, rdf:about), the same URL in
        # every format: the same articles, recognised, nothing new.
        ensure(r.rc == 0 and '%s: 0 new, 0 updated, %d unchanged' % (url, n) in r.out,
               '%s: %r' % (name, r))
        after = query(db, 'SELECT id, guid, title, text FROM articles WHERE guid LIKE ? '
                          'ORDER BY id', 'http://switch.example/%')
        ensure(after == before, '%s: the articles changed: %r' % (name, after))
    ensure(scalar(db, 'SELECT count(*) FROM article_versions') == 0, 'no versions')


@case('a feed that claims the archived articles\' guids with empty bodies')
def c_identity_claim(c):
    db = c.archive()
    # Absolute-URL guids are global (DESIGN: dev.to articles appear in
    # several feeds), so another feed may carry the same articles; a copy
    # that dropped its text never replaces the archived one (short-body
    # guard): it is kept aside as a rejected version.
    guids = [g for (g,) in query(db, 'SELECT guid FROM articles ORDER BY id')]
    url = SERVER.static('/claim', rss([item(g, 'claimed', '') for g in guids]).encode())
    r = c.fetch(db, [url])
    ensure(r.rc == 0, 'exit 0: %r' % r)
    ensure('(12 kept their longer archived text)' in r.out, 'the guard kept all: %r' % r.out)
    ensure(len(r.err.splitlines()) == 12 and all('new body is shorter than half the archived '
                                                  'one; kept the archived text' in l
                                                  for l in r.err.splitlines()),
           'one warning per article: %r' % r.err[:400])
    # source_hash caches the last source offered, so that the next import
    # of the same copy skips it early; it is not content.
    skip = ('last_seen', 'source_hash')
    snap, was = snapshot(db, c.fixture.ids, skip), snapshot(c.fixture.path, c.fixture.ids, skip)
    for table in ('articles', 'tags', 'code', 'enclosures', 'fts'):
        ensure(snap[table] == was[table], 'the fixture\'s %s changed' % table)
    ensure(scalar(db, "SELECT count(*) FROM article_versions WHERE kind <> 'rejected'") == 0,
           'only rejected versions added')
    c.archives.remove(db)  # the feed membership grew, legitimately: checked above
    r = run('check', db=db)
    ensure(r.rc == 0, 'check: %r' % r)



# ---- the archive and its surroundings ------------------------------------------------------


def stream_items(megabytes, counter):
    """A feed of about megabytes MB, made as it is written: never whole in
    memory. counter[0] ends as the number of items."""
    body = ('&lt;p&gt;' + 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ' * 12 +
            '&lt;/p&gt;&lt;pre&gt;&lt;code class="language-c"&gt;int main(void) { return 0; }'
            '&lt;/code&gt;&lt;/pre&gt;')
    template = ('<item><title>Streamed %d</title><link>https://stream.example/%d</link>'
                '<guid>https://stream.example/%d</guid><pubDate>Mon, 01 Jun 2026 10:00:00 GMT'
                '</pubDate><category>stream</category><description>%s</description></item>\n')
    yield (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           b'<title>stream</title><link>https://stream.example/</link>\n')
    total, n = 0, 0
    while total < megabytes * 1000 * 1000:
        chunk = ''.join(template % (i, i, i, body) for i in range(n, n + 200)).encode()
        total += len(chunk)
        n += 200
        counter[0] = n
        yield chunk
    yield b'</channel></rss>\n'


@case('a 300 MB feed streamed on stdin as it is generated (30 MB when sanitized)')
def c_stream_stdin(c):
    megabytes = 30 if SANITIZED else 300
    db = c.archive()
    counter = [0]
    r = run('import', '-', db=db, stdin=stream_items(megabytes, counter), timeout=1200)
    n = counter[0]
    ensure(r.rc == 0 and r.err == '', 'the import succeeds: %r' % r)
    ensure(r.out == '-: %d new, 0 updated, 0 unchanged\n' % n, 'every item archived: %r' % r.out)
    ensure(scalar(db, "SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "
                      "WHERE f.url = 'https://stream.example/'") == n, 'the archive holds them')
    assert_rss(r, 64, 'the streamed import')
    c.note('%d items: %.0f s, peak RSS %.0f MiB' % (n, r.seconds, r.rss_kib / 1024))


def big_feed(tag, n):
    return rss(['<item><guid>http://big.example/%s/%d</guid><title>big %d</title><description>'
                '&lt;p&gt;%s&lt;/p&gt;</description></item>\n'
                % (tag, i, i, ('filler %d ' % i) * 40) for i in range(n)]).encode()


def assert_whole_or_nothing(db, goods):
    for url, n in goods:
        got = articles_of(db, url)
        ensure(got in (0, n), 'feed %s half archived: %d of %d' % (url, got, n))


@case('disk full during a fetch: the file size limit (ulimit -f, SIGXFSZ)')
def c_disk_full_fsize(c):
    db = c.archive()
    goods = c.goods()
    big = SERVER.static('/fsize-big', big_feed('fsize', 5000))
    r = run('add', *[u for u, _ in goods], big, db=db)
    ensure(r.rc == 0, 'add: %r' % r)
    limit = os.path.getsize(db) + 64 * 1024
    r = run('fetch', *FAST, db=db, limit_fsize=limit)
    # A database error stops the run (exit 3, one line naming the archive
    # and the cause); feedkeep is no longer killed by SIGXFSZ.
    ensure(r.rc == 3, 'exit 3: %r' % r)
    ensure(r.err == "feedkeep: archive '%s': disk I/O error (file size limit exceeded)\n" % db,
           'one clear line: %r' % r.err)
    assert_whole_or_nothing(db, goods + [(big, 5000)])
    ensure(articles_of(db, big) == 0, 'the big feed did not fit')
    run('check', db=db)
    # With room again, the next run archives what the full disk stopped.
    r = run('fetch', *FAST, db=db)
    ensure(r.rc == 0 and r.err == '', 'the next fetch: %r' % r)
    for url, n in goods + [(big, 5000)]:
        ensure(articles_of(db, url) == n, '%s complete after the next fetch' % url)


@case('disk full during a fetch: a 1.2 MB filesystem (ENOSPC)')
def c_disk_full_enospc(c):
    if not shutil.which('unshare'):
        raise Skip('no unshare(1) to mount a small filesystem')
    probe = subprocess.run(['unshare', '-rm', 'true'], capture_output=True)
    if probe.returncode != 0:
        raise Skip('cannot make a mount namespace here: %s' % probe.stderr.decode().strip())
    archive = c.archive('full.db', verify=False)
    goods = c.goods()
    big = SERVER.static('/enospc-big', big_feed('enospc', 5000))
    r = run('add', *[u for u, _ in goods], big, db=archive)
    ensure(r.rc == 0, 'add: %r' % r)
    mnt = c.path('mnt')
    os.mkdir(mnt)
    out = c.path('out')
    os.mkdir(out)
    # In a private mount namespace: a tmpfs a little larger than the
    # archive, the fetch on it, then the archive and its WAL copied out.
    script = ('mount -t tmpfs -o size=1200k tmpfs "$1" && cp "$2" "$1/a.db" || exit 99\n'
              '"$3" --db "$1/a.db" fetch %s 2>"$4/stderr"; echo $? > "$4/rc"\n'
              'cp "$1"/a.db* "$4"/\n' % ' '.join(FAST))
    p = subprocess.run(['unshare', '-rm', 'sh', '-c', script, 'sh', mnt, archive, BIN, out],
                       capture_output=True, timeout=120)
    if p.returncode == 99:
        raise Skip('cannot mount a tmpfs here: %s' % p.stderr.decode().strip())
    with open(os.path.join(out, 'rc')) as fh:
        rc = int(fh.read())
    with open(os.path.join(out, 'stderr')) as fh:
        err = fh.read()
    db = os.path.join(out, 'a.db')
    ensure(rc == 3, 'exit 3: %d %r' % (rc, err))
    ensure(err == "feedkeep: archive '%s/a.db': database or disk is full\n" % mnt,
           'one clear line: %r' % err)
    c.archives.append(db)
    assert_whole_or_nothing(db, goods + [(big, 5000)])
    ensure(articles_of(db, big) == 0, 'the big feed did not fit')


@case('read-only archive: file mode 0444, and a read-only directory')
def c_read_only(c):
    # Root ignores file modes, and CI runs as root: there the commands run
    # as nobody (setuid in the child), for whom the modes hold.
    nobody = os.geteuid() == 0
    if nobody and run('--version', as_nobody=True).rc != 0:
        raise Skip('nobody cannot run %s here' % BIN)
    db = c.archive()
    with open(FIXTURE_FEED, 'rb') as fh:
        feed = c.write('feed.xml', fh.read())
    goods = c.goods(count=1, file_feed=False)
    run('add', goods[0][0], db=db)
    os.chmod(c.dir, 0o777)
    os.chmod(db, 0o444)
    before = sha256(db)
    try:
        r = run('list', '--format', 'json', db=db, as_nobody=nobody)
        ensure(r.rc == 0 and len(r.out.splitlines()) == 12, 'list reads it: %r' % r)
        for args in (('import', feed), ('add', 'http://example.com/feed'),
                     ('fetch', *FAST), ('remove', goods[0][0]), ('vacuum',)):
            r = run(*args, db=db, as_nobody=nobody)
            ensure(r.rc == 3, '%s: exit 3: %r' % (args[0], r))
            ensure(r.err == "feedkeep: archive '%s': attempt to write a readonly database\n" % db,
                   '%s: one line naming the archive: %r' % (args[0], r.err))
        # check only reads: it checks a read-only archive too
        r = run('check', db=db, as_nobody=nobody)
        ensure(r.rc == 0 and r.out == '%s: ok\n' % db and r.err == '', 'check: %r' % r)
        ensure(sha256(db) == before, 'the archive was modified')
        # With the directory read-only too, SQLite cannot make the WAL's
        # shared-memory file next to the archive: the readers read the file
        # as it is (immutable), the writers fail, clearly.
        for name in os.listdir(c.dir):
            if name.startswith('archive.db-') or name.endswith('.lock'):
                os.unlink(os.path.join(c.dir, name))
        os.chmod(c.dir, 0o555)
        for args in (('list', '--format', 'json'), ('search', 'database'), ('check',)):
            r = run(*args, db=db, as_nobody=nobody)
            ensure(r.rc == 0 and r.out and r.err == '', '%s in a read-only directory: %r'
                   % (args[0], r))
        for args in (('fetch', *FAST), ('import', feed)):
            r = run(*args, db=db, as_nobody=nobody)
            ensure(r.rc == 3 and r.err.startswith("feedkeep: cannot open archive '%s': " % db) and
                   len(r.err.splitlines()) == 1, '%s: %r' % (args[0], r))
        ensure(sha256(db) == before, 'the archive was modified')
        ensure(sorted(os.listdir(c.dir)) == ['archive.db', 'feed.xml'], 'nothing created: %r'
               % os.listdir(c.dir))
    finally:
        os.chmod(c.dir, 0o755)
        os.chmod(db, 0o644)
    if not nobody:
        c.note('as %s' % os.geteuid())


NOT_ARCHIVES = {
    'random.db': lambda: os.urandom(200000),
    'text.db': lambda: b'this is a text file, not a database\n' * 2000,
    'html.db': lambda: b'<!DOCTYPE html><html><body>' + b'<p>x</p>' * 5000 + b'</body></html>',
    'gzip.db': None,  # the fixture, compressed
    'header-only.db': lambda: b'SQLite format 3\x00' + b'\xff' * 4080,
}


@case('archive files that are not SQLite: random bytes, text, HTML, gzip, a bad header')
def c_not_sqlite(c):
    for name, make in sorted(NOT_ARCHIVES.items()):
        data = make() if make else gzip.compress(c.fixture.bytes)
        path = c.write(name, data)
        for args in (('list',), ('check',), ('import', FIXTURE_FEED), ('fetch',), ('stats',),
                     ('add', 'http://example.com/feed')):
            r = run(*args, db=path)
            ensure(r.rc == 3 and r.out == '', '%s %s: exit 3: %r' % (name, args[0], r))
            ensure(len(r.err.splitlines()) == 1 and ("'%s'" % path) in r.err and
                   ('is not a feedkeep archive: file is not a database' in r.err or
                    'database disk image is malformed' in r.err),
                   '%s %s: one line naming the file: %r' % (name, args[0], r.err))
        with open(path, 'rb') as fh:
            ensure(fh.read() == data, '%s was modified' % name)
    ensure(sorted(os.listdir(c.dir)) == sorted(NOT_ARCHIVES), 'files left beside: %r'
           % sorted(os.listdir(c.dir)))


@case('another program\'s SQLite database, and an archive of a newer feedkeep')
def c_foreign_sqlite(c):
    other = c.path('other.db')
    con = sqlite3.connect(other)
    con.execute('CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)')
    con.execute("INSERT INTO articles VALUES (1, 'not ours')")
    con.commit()
    con.close()
    newer = c.archive('newer.db', verify=False)
    con = sqlite3.connect(newer)
    con.execute('PRAGMA user_version = 999')
    con.commit()
    con.close()
    cases = [(other, "'%s' is not a feedkeep archive: it is another program's SQLite database"
              % other), (newer, "archive '%s' was written by a newer feedkeep (schema version 999"
                         % newer)]
    for path, message in cases:
        before = sha256(path)
        for args in (('list',), ('import', FIXTURE_FEED), ('fetch',), ('check',), ('vacuum',)):
            r = run(*args, db=path)
            ensure(r.rc == 3 and r.err.startswith('feedkeep: ' + message) and
                   len(r.err.splitlines()) == 1, '%s %s: %r' % (os.path.basename(path), args[0], r))
        ensure(sha256(path) == before, '%s was modified' % os.path.basename(path))


@case('a truncated archive: cut at half, and one page short')
def c_truncated_archive(c):
    data = c.fixture.bytes
    for name, size in (('half.db', len(data) // 2), ('short.db', len(data) - 4096),
                       ('header.db', 100)):
        path = c.write(name, data[:size])
        for args in (('list',), ('check',), ('import', FIXTURE_FEED), ('fetch',), ('vacuum',)):
            r = run(*args, db=path)
            ensure(r.rc == 3 and len(r.err.splitlines()) == 1 and "'%s'" % path in r.err,
                   '%s %s: exit 3, one line: %r' % (name, args[0], r))
            ensure('malformed' in r.err or 'not a database' in r.err, '%s %s: says why: %r'
                   % (name, args[0], r.err))
        ensure(sha256(path) == hashlib.sha256(data[:size]).hexdigest(), '%s was modified' % name)
    ensure(sorted(os.listdir(c.dir)) == ['half.db', 'header.db', 'short.db'],
           'files left beside: %r' % os.listdir(c.dir))


@case('an empty archive file, a directory, a path under a file, a -wal that is a directory')
def c_archive_paths(c):
    empty = c.write('empty.db', b'')
    r = run('import', FIXTURE_FEED, db=empty)
    # documented: a zero-length file becomes a new archive
    ensure(r.rc == 0 and '12 new' in r.out, 'an empty file becomes an archive: %r' % r)
    os.mkdir(c.path('dir.db'))
    under = os.path.join(c.write('plain-file', b'x'), 'a.db')
    wal = c.archive('wal.db', verify=False)
    os.mkdir(wal + '-wal')
    # Each named for what it is; a reader finds no archive under a file.
    why = {c.path('dir.db'): {cmd: 'it is a directory' for cmd in ('list', 'import', 'fetch')},
           under: {'list': None, 'import': 'a part of its directory is a file',
                   'fetch': 'a part of its directory is a file'},
           wal: {cmd: 'unable to open database file' for cmd in ('list', 'import', 'fetch')}}
    for path in (c.path('dir.db'), under, wal):
        for args in (('list',), ('import', FIXTURE_FEED), ('fetch',)):
            r = run(*args, db=path)
            reason = why[path][args[0]]
            want = ("feedkeep: cannot open archive '%s': %s\n" % (path, reason) if reason else
                    "feedkeep: no archive at '%s' (import, add, fetch and opml import create "
                    "one)\n" % path)
            ensure(r.rc == 3 and r.err == want, '%s %s: %r' % (path, args[0], r))
    ensure(os.listdir(c.path('dir.db')) == [] and sha256(wal) == hashlib.sha256(
        c.fixture.bytes).hexdigest(), 'nothing written')


@case('another process holds the archive\'s write lock')
def c_locked_db(c):
    db = c.archive()
    goods = c.goods(count=1, file_feed=False)
    run('add', goods[0][0], db=db)
    con = sqlite3.connect(db, timeout=1, isolation_level=None)
    con.execute('BEGIN IMMEDIATE')
    try:
        start = time.monotonic()
        r = run('import', c.write('one.xml', good_feed('c%02d-lock' % c.number, 2)), db=db)
        took = time.monotonic() - start
        # busy_timeout: 5 s, then a clear error: busy, not damaged
        ensure(r.rc == 4 and r.err == "feedkeep: archive '%s' is busy: another process is "
               "writing to it (database is locked); try again later\n" % db, 'import: %r' % r)
        ensure(4 < took < 30, 'waited %.1f s' % took)
        r = run('list', '--format', 'json', db=db)
        ensure(r.rc == 0 and len(r.out.splitlines()) == 12, 'readers are not blocked: %r' % r)
    finally:
        con.rollback()
        con.close()
    r = run('fetch', *FAST, db=db)
    c.assert_goods(db, r, goods)


@case('two fetch runs at once: the second exits 4, the first archives everything')
def c_concurrent_fetch(c):
    db = c.archive()
    goods = c.goods()
    slow = SERVER.route('/slow-feed', lambda h: (time.sleep(3), h.reply(200, good_feed(
        'c%02d-slow' % c.number, 2), (), RSS))[1])
    run('add', *[u for u, _ in goods], slow, db=db)
    env = dict(os.environ)
    env.pop('FEEDKEEP_DB', None)
    first = subprocess.Popen([BIN, '--db', db, 'fetch', *FAST, '--stall-time', '0'],
                             stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 10
        while not SERVER.requested('/slow-feed') and time.monotonic() < deadline:
            time.sleep(0.05)
        r = run('fetch', *FAST, db=db)
        ensure(r.rc == 4 and r.err == "feedkeep: another fetch is running on '%s' (it holds "
               "'%s.lock'); use --wait SECONDS to wait for it\n" % (db, db),
               'the second run: %r' % r)
        r = run('import', c.write('side.xml', good_feed('c%02d-side' % c.number, 2)), db=db)
        ensure(r.rc == 0, 'an import beside the fetch: %r' % r)
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    ensure(first.returncode == 0 and err == b'', 'the first run: %d %r' % (first.returncode, err))
    c.assert_goods(db, Result(0, out.decode(), '', 0, 0), goods + [(slow, 2)])


@case('a fetch through a symbolic link, a linked directory or a relative path while one runs')
def c_concurrent_fetch_links(c):
    db = c.archive()
    link = c.path('link.db')
    os.symlink(db, link)
    os.symlink(c.dir, c.path('linked-dir'))
    goods = c.goods()
    slow = SERVER.route('/c%02d-slow-feed' % c.number, lambda h: (time.sleep(3), h.reply(
        200, good_feed('c%02d-slow' % c.number, 2), (), RSS))[1])
    run('add', *[u for u, _ in goods], slow, db=db)
    env = dict(os.environ)
    env.pop('FEEDKEEP_DB', None)
    first = subprocess.Popen([BIN, '--db', link, 'fetch', *FAST, '--stall-time', '0'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 10
        while not SERVER.requested('/c%02d-slow-feed' % c.number) and time.monotonic() < deadline:
            time.sleep(0.05)
        real = os.path.realpath(db)
        for path, cwd in ((db, None), (os.path.join(c.path('linked-dir'), 'archive.db'), None),
                          ('archive.db', c.dir), ('./link.db', c.dir)):
            r = run('fetch', *FAST, db=path, cwd=cwd)
            ensure(r.rc == 4 and r.out == '' and r.err == "feedkeep: another fetch is running on "
                   "'%s' (it holds '%s.lock'); use --wait SECONDS to wait for it\n"
                   % (path, real), 'fetch by %s: %r' % (path, r))
        ensure(first.poll() is None, 'the first run ended before the others were tried')
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    ensure(first.returncode == 0 and err == b'', 'the first run: %d %r' % (first.returncode, err))
    c.assert_goods(db, Result(0, out.decode(), '', 0, 0), goods + [(slow, 2)])
    ensure([n for n in os.listdir(c.dir) if n.endswith('.lock')] == ['archive.db.lock'],
           'one lock file: %r' % os.listdir(c.dir))


@case('check while another process writes the archive, during a fetch, and when it is locked')
def c_check_busy(c):
    db = c.archive()
    ok = Result(0, '%s: ok\n' % db, '', 0, 0)
    con = sqlite3.connect(db, timeout=1, isolation_level=None)
    con.execute('BEGIN IMMEDIATE')
    con.execute("UPDATE articles SET title = 'not committed' WHERE id = ?", (c.fixture.ids[0],))
    try:
        r = run('check', db=db)
        ensure((r.rc, r.out, r.err) == (ok.rc, ok.out, ok.err), 'check beside a writer: %r' % r)
        ensure(r.seconds < 4, 'check waited %.1f s for the writer' % r.seconds)
    finally:
        con.rollback()
        con.close()
    # during a fetch, which goes on writing
    goods = c.goods()
    slow = SERVER.route('/c%02d-slow-feed' % c.number, lambda h: (time.sleep(2), h.reply(
        200, good_feed('c%02d-slow' % c.number, 2), (), RSS))[1])
    run('add', *[u for u, _ in goods], slow, db=db)
    env = dict(os.environ)
    env.pop('FEEDKEEP_DB', None)
    fetch = subprocess.Popen([BIN, '--db', db, 'fetch', *FAST, '--stall-time', '0'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 10
        while not SERVER.requested('/c%02d-slow-feed' % c.number) and time.monotonic() < deadline:
            time.sleep(0.05)
        r = run('check', db=db)
        ensure((r.rc, r.out, r.err) == (ok.rc, ok.out, ok.err), 'check during a fetch: %r' % r)
        out, err = fetch.communicate(timeout=60)
    finally:
        if fetch.poll() is None:
            fetch.kill()
            fetch.wait()
    ensure(fetch.returncode == 0 and err == b'', 'the fetch: %d %r' % (fetch.returncode, err))
    c.assert_goods(db, Result(0, out.decode(), '', 0, 0), goods + [(slow, 2)])
    # a process that keeps the archive to itself (SQLite's exclusive locking
    # mode) locks readers out too: busy, exit 4, nothing called damaged
    con = sqlite3.connect(db, timeout=1, isolation_level=None)
    con.execute('PRAGMA locking_mode = EXCLUSIVE')
    con.execute('BEGIN IMMEDIATE')
    con.execute('UPDATE feeds SET name = name')
    con.execute('COMMIT')
    try:
        r = run('check', db=db)
        ensure(r.rc == 4 and r.out == '' and r.err == "feedkeep: archive '%s' is busy: another "
               "process is writing to it (database is locked); try again later\n" % db,
               'check of a locked archive: %r' % r)
        ensure(4 < r.seconds < 30, 'waited %.1f s' % r.seconds)
    finally:
        con.close()
    r = run('check', db=db)
    ensure((r.rc, r.out, r.err) == (ok.rc, ok.out, ok.err), 'check once it is free: %r' % r)


@case('a fetch killed with SIGKILL while it files 100,000 items')
def c_sigkill(c):
    db = c.archive()
    goods = c.goods()
    body = big_feed('kill', 100000)
    big = SERVER.static('/kill-big', body)
    run('add', *[u for u, _ in goods], big, db=db)
    env = dict(os.environ)
    env.pop('FEEDKEEP_DB', None)
    p = subprocess.Popen([BIN, '--db', db, 'fetch', *FAST, '--max-size', '64M'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # killed while its items are being filed: once the feed's transaction
    # has put a few MB in the write-ahead log
    wal = db + '-wal'
    deadline = time.monotonic() + 120
    while (p.poll() is None and time.monotonic() < deadline and
           (not os.path.exists(wal) or os.path.getsize(wal) < 4 * MIB)):
        time.sleep(0.01)
    killed = p.poll() is None
    p.kill()
    p.communicate()
    ensure(killed and os.path.getsize(wal) >= 4 * MIB,
           'the fetch ended before it could be killed mid-transaction')
    assert_whole_or_nothing(db, goods + [(big, 100000)])
    ensure(articles_of(db, big) == 0, 'the big feed was killed before its commit')
    r = run('check', db=db)
    ensure(r.rc == 0, 'check after the kill: %r' % r)
    r = run('fetch', *FAST, '--max-size', '64M', db=db, timeout=300)
    ensure(r.rc == 0 and articles_of(db, big) == 100000, 'the next run archives it: %r' % r)


@case('standard output is a full disk (/dev/full)')
def c_dev_full(c):
    if not os.path.exists('/dev/full'):
        raise Skip('no /dev/full')
    db = c.archive()
    for args in (('list',), ('show', '1'), ('export', '--format', 'jsonl'), ('search', 'query'),
                 ('tags',), ('stats',)):
        with open('/dev/full', 'w') as full:
            p = subprocess.run([BIN, '--db', db] + list(args), stdout=full,
                               stderr=subprocess.PIPE, timeout=60)
        err = p.stderr.decode()
        ensure(p.returncode == 3 and err == 'feedkeep: cannot write to standard output: No space '
               'left on device\n', '%s > /dev/full: %d %r' % (args[0], p.returncode, err))


@case('full-text queries that cannot be read')
def c_bad_queries(c):
    db = c.archive()
    for query_text in ('"unclosed', '(open', 'AND', 'NOT database', 'a OR', '*', 'title:',
                       'nosuchcolumn:x', '\x1b[2J"'):
        r = run('search', '--', query_text, db=db)
        ensure(r.rc in (0, 2) and not CONTROLS.search(r.err), '%r: %r' % (query_text, r))
        if r.rc == 2:
            ensure(r.err.startswith('feedkeep: cannot parse query') and
                   len(r.err.splitlines()) == 1, '%r: one line: %r' % (query_text, r.err))
    r = run('search', '--', '"unclosed', db=db)
    ensure(r.rc == 2, 'an unclosed quote is refused: %r' % r)


@case('OPML import with hostile entries')
def c_opml(c):
    db = c.archive()
    good = SERVER.static('/opml-good', good_feed('c%02d-opml' % c.number, 2))
    named = SERVER.static('/opml-named', good_feed('c%02d-named' % c.number, 2))
    skipped = ['javascript:alert(1)', 'ftp://x/feed', 'data:text/xml,<rss/>', 'gopher://x/',
               'http://exa mple.com/']
    outlines = ''.join('<outline text="t%d" xmlUrl="%s"/>' % (i, html.escape(u)) for i, u in
                       enumerate(skipped + ['', '   ', 'file:///etc/passwd']))
    nested = '<outline text="deep">' * 5000 + '<outline text="deep feed" xmlUrl="%s"/>' % good + \
        '</outline>' * 5000
    names = '<outline text="%s" xmlUrl="%s"/>' % (
        html.escape('name \u202e with controls \u009b[2J'), html.escape(named))
    doc = ('<?xml version="1.0"?>\n<opml version="2.0"><head/><body>%s%s%s</body></opml>\n'
           % (outlines, nested, names))
    path = c.write('list.opml', doc)
    r = run('opml', 'import', path, db=db)
    ensure(r.rc == 0, 'import: %r' % r)
    subscribed = [u for (u,) in query(db, 'SELECT url FROM feeds WHERE subscribed ORDER BY url')]
    # file: URLs are allowed in a list (man page, opml import): a user's
    # own local feeds; fetching one that is not a feed fails like any other.
    ensure(subscribed == ['file:///etc/passwd', good, named],
           'only http, https and file feeds: %r' % subscribed)
    ensure(r.err == ''.join("feedkeep: warning: '%s': skipped '%s': not an http, https or file "
                            "URL\n" % (path, u) for u in skipped),
           'a warning per skipped entry: %r' % r.err)
    bombs = {
        'laughs.opml': '<?xml version="1.0"?>\n%s<opml version="2.0"><body><outline text="&lol9;" '
                       'xmlUrl="http://example.com/x"/></body></opml>' % laughs().replace('rss',
                                                                                       'opml'),
        'xxe.opml': '<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">'
                    ']><opml version="2.0"><body><outline text="&x;" xmlUrl="http://example.com/'
                    'y"/></body></opml>',
        'notopml.opml': rss([item('urn:o:1')]),
        'broken.opml': '<opml><body><outline xmlUrl="http://example.com/z">',
    }
    for name, text in sorted(bombs.items()):
        path = c.write(name, text)
        r = run('opml', 'import', path, db=db, timeout=30)
        ensure(r.rc == 1 and len(r.err.splitlines()) == 1 and "'%s'" % path in r.err,
               '%s refused whole: %r' % (name, r))
    after = [u for (u,) in query(db, 'SELECT url FROM feeds WHERE subscribed ORDER BY url')]
    ensure(after == subscribed, 'nothing subscribed from the refused lists: %r' % after)
    for args in (('feeds',), ('opml', 'export')):
        rc, out = run_tty(*args, db=db)
        ensure(rc == 0 and not terminal_controls(out) and '\u202e' not in out,
               '%s on a terminal: %r' % (args, out[:200]))
    r = run('fetch', *FAST, db=db)
    c.assert_goods(db, r, [(good, 2), (named, 2)])
    fetch_failed(r, 'file:///etc/passwd', 'not an RSS or Atom feed')


@case('OPML outline with 100,000 attributes')
def c_opml_attributes(c):
    # The attribute bomb of c_attribute_bomb, in a subscription list: 1 MB
    # took libxml2 11 s, and a million attributes hours. The OPML reader has
    # the feed parser's guard: the list is read up to the tag, with a warning.
    db = c.archive()
    attrs = ' '.join('a%d="x"' % i for i in range(100000))
    doc = ('<?xml version="1.0"?>\n<opml version="2.0"><head/><body>\n'
           '<outline text="before" xmlUrl="http://before.example/feed"/>\n'
           '<outline text="bomb" xmlUrl="http://bomb.example/feed" %s/>\n'
           '<outline text="after" xmlUrl="http://after.example/feed"/>\n'
           '</body></opml>\n' % attrs)
    path = c.write('attributes.opml', doc)
    r = run('opml', 'import', path, db=db, timeout=60)
    c.note('%d bytes imported in %.2f s' % (len(doc), r.seconds))
    ensure(r.rc == 0, 'import: %r' % r)
    ensure(r.err == "feedkeep: warning: '%s': a tag with more than 256 attributes: list "
                    "refused past this point\n" % path, 'a warning says why: %r' % r.err)
    ensure(r.out == '%s: 1 subscribed, 0 already subscribed\n' % path, 'output: %r' % r.out)
    subscribed = [u for (u,) in query(db, 'SELECT url FROM feeds WHERE subscribed ORDER BY url')]
    ensure('http://before.example/feed' in subscribed and
           'http://bomb.example/feed' not in subscribed and
           'http://after.example/feed' not in subscribed,
           'the outline before the tag is kept, nothing from it on: %r' % subscribed)


# ---- assets --------------------------------------------------------------------------------


def png(seed, width=4, extra=b''):
    """A valid PNG of width x 1 pixels whose colours depend on seed; extra
    bytes (an ancillary chunk) make it as large as wanted."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    raw = b'\0' + bytes((seed * 37 + i) % 256 for i in range(width * 3))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, 1, 8, 2, 0, 0, 0))
            + (chunk(b'teXt', extra) if extra else b'')
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def image_feed(tag, images_per_item):
    """A feed whose items show the images of images_per_item (a list of
    lists of URLs, one list per item)."""
    items = []
    for i, urls in enumerate(images_per_item):
        body = '<p>Item %d of %s.</p>%s' % (i, tag, ''.join('<p><img src="%s" alt="i"></p>' % u
                                                             for u in urls))
        items.append(item('urn:%s:%d' % (tag, i), '%s %d' % (tag, i), body))
    return rss(items, 'images %s' % tag).encode()


def asset_states(db):
    """{url: (status, reason)} of every asset URL."""
    return {u: (s, r) for u, s, r in query(db, 'SELECT url, status, reason FROM asset_urls')}


def assets_consistent(db):
    """No stored URL without its bytes, no bytes no URL resolves to."""
    orphans = scalar(db, "SELECT count(*) FROM asset_urls u WHERE u.status = 'stored' AND NOT "
                         'EXISTS (SELECT 1 FROM assets a WHERE a.id = u.asset_id)')
    unused = scalar(db, 'SELECT count(*) FROM assets a WHERE NOT EXISTS (SELECT 1 FROM '
                        'asset_urls u WHERE u.asset_id = a.id)')
    ensure(orphans == 0, '%d stored URLs without bytes' % orphans)
    ensure(unused == 0, '%d assets no URL resolves to' % unused)


@case('assets: an image that never ends, a 10 GiB reply, lies about length and type, HTML')
def c_asset_hostile_bodies(c):
    db = c.archive()
    zeros = b'\0' * MIB

    def endless():
        yield png(1)
        while True:
            yield zeros

    def sparse():
        for _ in range(10 << 10):
            yield zeros
    gif = b'GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00' \
          b'\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;'
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           b'<script>alert(1)</script><rect width="10" height="10"/></svg>')
    urls = {
        'endless': SERVER.route('/a1/endless', serve_stream(endless, [('Content-Type',
                                                                        'image/png')])),
        'sparse': SERVER.route('/a1/sparse', serve_stream(sparse, [('Content-Type', 'image/png')],
                                                          length=10 << 30)),
        'short': SERVER.route('/a1/short', serve_stream(lambda: iter([png(2)[:20]]),
                                                        [('Content-Type', 'image/png')],
                                                        length=100000)),
        'gif': SERVER.static('/a1/gif.png', gif, ctype='image/png'),
        'page': SERVER.static('/a1/page.png', b'<!DOCTYPE html><html><body>404</body></html>',
                              ctype='image/png'),
        'svg': SERVER.static('/a1/evil.svg', svg, ctype='image/svg+xml'),
        'png': SERVER.static('/a1/real', png(3), ctype='text/plain'),
    }
    feed = SERVER.static('/a1/feed', image_feed('a1', [list(urls.values())]))
    start = time.monotonic()
    r = c.fetch(db, [feed], args=['--asset-max-size', '1M'])
    fetch_ok(r)
    ensure(time.monotonic() - start < 60, 'the asset run ended in time')
    assert_rss(r, 64, 'endless and 10 GiB images')
    c.note('peak RSS %.0f MiB' % (r.rss_kib / 1024))
    ensure('assets: 2 stored, ' in r.out and '; 4 skipped; 1 failed' in r.out,
           'the summary line: %r' % r.out)
    states = asset_states(db)
    ensure(states[urls['endless']] == ('skipped', 'too large'), 'endless: %r'
           % (states[urls['endless']],))
    ensure(states[urls['sparse']] == ('skipped', 'too large'), '10 GiB: %r'
           % (states[urls['sparse']],))
    ensure(states[urls['short']][0] == 'failed', 'a short body fails: %r'
           % (states[urls['short']],))
    ensure(states[urls['page']] == ('skipped', 'not an image'), 'HTML as PNG: %r'
           % (states[urls['page']],))
    ensure(states[urls['svg']] == ('skipped', 'svg unsafe'), 'SVG with a script: %r'
           % (states[urls['svg']],))
    mimes = dict(query(db, 'SELECT u.url, a.mime FROM asset_urls u JOIN assets a '
                           'ON a.id = u.asset_id'))
    ensure(mimes == {urls['gif']: 'image/gif', urls['png']: 'image/png'},
           'types from the bytes, not the header: %r' % mimes)
    ensure(scalar(db, "SELECT cap FROM asset_urls WHERE url = ?", urls['sparse']) == MIB,
           'the cap is recorded')
    assets_consistent(db)


@case('assets: refused on 127.0.0.1 for a feed that did not come from there; file:// redirect')
def c_asset_private(c):
    db = c.archive()
    img = SERVER.static('/a2/img', png(4), ctype='image/png')
    redirect = SERVER.static('/a2/to-file', b'moved', status=302,
                             headers=[('Location', 'file:///etc/passwd')])
    # A feed read from a file: it came from no address, so its assets may
    # only be on public ones.
    path = c.write('a2.xml', image_feed('a2', [[img, redirect]]))
    goods = c.goods(file_feed=False)
    r = c.fetch(db, ['file://' + path], goods=goods)
    fetch_ok(r)
    ensure(not SERVER.requested('/a2/img') and not SERVER.requested('/a2/to-file'),
           'no request reached the server')
    states = asset_states(db)
    ensure(states[img] == ('skipped', 'private address') and
           states[redirect] == ('skipped', 'private address'), 'refused: %r' % states)
    # Allowed: the image is stored, the redirect to a file fails.
    r = run('-v', 'fetch', *FAST, '--allow-private-assets', db=db)
    ensure(r.rc == 0, 'fetch --allow-private-assets: %r' % r)
    states = asset_states(db)
    ensure(states[img][0] == 'stored', 'stored once allowed: %r' % states)
    ensure(states[redirect][0] == 'failed' and 'redirect' in states[redirect][1],
           'a redirect to a file fails: %r' % states)
    ensure(re.search(r"^feedkeep: asset '%s': .*redirect.* \(1st failure, next try in "
                     r"[0-9a-z]+\)$" % re.escape(redirect), r.err, re.M),
           '-v: the failure on stderr: %r' % r.err)
    ensure(scalar(db, 'SELECT count(*) FROM assets') == 1, 'nothing of /etc/passwd kept')


@case('assets: a thousand <img> in one article, one image under a thousand URLs')
def c_asset_thousands(c):
    db = c.archive()
    many = [SERVER.static('/a3/many/%d.png' % i, png(i, 8), ctype='image/png')
            for i in range(1000)]
    same_bytes = png(5000, 8)
    same = [SERVER.static('/a3/same/%d.png' % i, same_bytes, ctype='image/png')
            for i in range(1000)]
    feed = SERVER.static('/a3/feed', image_feed('a3', [many, same]))
    # 2000 downloads: a loaded machine must not make one look stalled.
    r = c.fetch(db, [feed], args=['--stall-time', '60', '--timeout', '120'], timeout=300)
    fetch_ok(r)
    c.note('%.1f s' % r.seconds)
    states = asset_states(db)
    stored_many = sum(1 for u in many if states[u][0] == 'stored')
    skipped_many = sum(1 for u in many if states[u] == ('skipped', 'per-article count'))
    ensure(stored_many == 100 and skipped_many == 900,
           'the per-article cap: %d stored, %d skipped; others %r'
           % (stored_many, skipped_many, [(u, states[u]) for u in many if states[u][0] != 'stored'
                                          and states[u][1] != 'per-article count']))
    ensure(all(states[u][0] == 'stored' for u in same), 'every URL of the same image stored')
    ensure(len(query(db, 'SELECT DISTINCT asset_id FROM asset_urls WHERE url IN (%s)'
                         % ','.join('?' * len(same)), *same)) == 1, 'the same image once')
    ensure(scalar(db, 'SELECT count(*) FROM assets') == 101, '101 assets in all')
    ensure('assets: 1100 stored (999 already archived), ' in r.out, 'summary: %r' % r.out)
    # A second run asks for nothing.
    del SERVER.log[:]
    r = run('fetch', *FAST, '--force', db=db, timeout=120)
    ensure(r.rc == 0 and 'assets:' not in r.out and
           not any(p.startswith('/a3/many/') or p.startswith('/a3/same/') for p in SERVER.log),
           'nothing fetched again: %r' % r)
    assets_consistent(db)


@case('assets: the disk fills while assets are written (ulimit -f)')
def c_asset_disk_full(c):
    db = c.archive()
    images = [SERVER.static('/a4/%d.png' % i, png(i, extra=os.urandom(2 * MIB)),
                            ctype='image/png') for i in range(3)]
    feed = SERVER.static('/a4/feed', image_feed('a4', [images]))
    goods = c.goods(file_feed=False)
    r = c.fetch(db, [feed], goods=goods, args=['--no-assets'])
    fetch_ok(r)
    articles = articles_of(db, feed)
    ensure(articles == 1, 'the article is archived')
    sizes = [os.path.getsize(p) for p in (db, db + '-wal') if os.path.exists(p)]
    limit = max(sizes) + 512 * 1024
    r = run('fetch', *FAST, '--force', db=db, limit_fsize=limit)
    ensure(r.rc == 3, 'exit 3: %r' % r)
    ensure(r.err == "feedkeep: archive '%s': disk I/O error (file size limit exceeded)\n" % db,
           'one clear line: %r' % r.err)
    ensure(articles_of(db, feed) == articles, 'the articles stay')
    assets_consistent(db)
    ensure(any(s[0] != 'stored' for s in asset_states(db).values()), 'some asset did not fit')
    r = run('check', db=db)
    ensure(r.rc == 0, 'check after the full disk: %r' % r)
    # With room again, the next run stores them.
    r = run('fetch', *FAST, db=db)
    ensure(r.rc == 0 and all(s[0] == 'stored' for s in asset_states(db).values()),
           'stored by the next run: %r %r' % (r, asset_states(db)))


@case('assets: a fetch killed with SIGKILL in the middle of its assets')
def c_asset_sigkill(c):
    db = c.archive()

    def slow_image(data):
        def route(h):
            time.sleep(0.02)
            h.reply(200, data, content_type='image/png')
        return route
    images = [SERVER.route('/a5/%d.png' % i, slow_image(png(i, extra=os.urandom(64 * 1024))))
              for i in range(300)]
    feed = SERVER.static('/a5/feed', image_feed('a5', [images[i:i + 50]
                                                       for i in range(0, 300, 50)]))
    r = run('add', feed, db=db)
    ensure(r.rc == 0, 'add: %r' % r)
    del SERVER.log[:]
    env = dict(os.environ)
    env.pop('FEEDKEEP_DB', None)
    p = subprocess.Popen([BIN, '--db', db, 'fetch', *FAST], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    while (p.poll() is None and time.monotonic() < deadline and
           sum(1 for q in SERVER.log if q.startswith('/a5/') and q != '/a5/feed') < 60):
        time.sleep(0.01)
    killed = p.poll() is None
    p.kill()
    p.communicate()
    ensure(killed, 'the fetch ended before it could be killed')
    stored = sum(1 for s in asset_states(db).values() if s[0] == 'stored')
    ensure(0 < stored < 300, 'killed in the middle: %d stored' % stored)
    assets_consistent(db)
    r = run('check', db=db)
    ensure(r.rc == 0 and r.err == '', 'check after the kill: %r' % r)
    r = run('fetch', *FAST, db=db, timeout=300)
    ensure(r.rc == 0 and all(s[0] == 'stored' for s in asset_states(db).values()),
           'the next run stores the rest: %r' % r)
    ensure(scalar(db, 'SELECT count(*) FROM assets') == 300, 'each image once')


# ---- the runner --------------------------------------------------------------------------



# ---- JSON Feed --------------------------------------------------------------------------


JSONFEED_VERSION = b'{"version": "https://jsonfeed.org/version/1.1", "title": "hostile json",\n'


def json_item(guid, title='a JSON item'):
    return ('{"id": "%s", "title": "%s", "content_html": "<p>A body of some length.</p>"}'
            % (guid, title)).encode()


@case('JSON Feed: a 1 GB array inside an item, on stdin to import')
def c_json_gigabyte(c):
    db = c.archive()
    block = b',\n'.join(b'{"n": %d, "s": ["x", "y"]}' % i for i in range(40000)) + b',\n'

    def parts():
        yield JSONFEED_VERSION + b'"items": [' + json_item('urn:jg:1') + b',\n'
        yield b'{"id": "urn:jg:2", "title": "carries the array", "_ext": ['
        sent = 0
        while sent < 1 << 30:
            yield block
            sent += len(block)
        yield b'0]},\n' + json_item('urn:jg:3') + b']}\n'
    r = run('import', '--base-url', 'http://json.example/big', '-', db=db, stdin=parts(),
            timeout=600)
    ensure(r.rc == 0 and r.out == '-: 3 new, 0 updated, 0 unchanged\n',
           'every item is archived: %r' % r)
    assert_rss(r, 64, 'a 1 GB JSON array')
    c.note('peak RSS %.0f MiB' % (r.rss_kib / 1024))


@case('JSON Feed: 32 MB of one string, nesting 100,000 deep, a 10 MB number, NUL, cut')
def c_json_hostile(c):
    db = c.archive()
    head = JSONFEED_VERSION + b'"items": [' + json_item('%s:1') + b',\n'
    docs = {
        'string': head + b'{"id": "%s:2", "content_html": "' + b'long ' * 6400000 + b'"}]}',
        'deep': head + b'{"id": "%s:2", "x": ' + b'[' * 100000 + b']' * 100000 + b'}]}',
        'number': head + b'{"id": "%s:2", "n": ' + b'7' * 10000000 + b'}]}',
        'nul': head + b'{"id": "%s:2", "title": "a\x00b"}, ' + json_item('%s:3') + b']}',
        'cut': head + json_item('%s:2') + b', {"id": "%s:3", "title": "cut in the mid',
        'one string': b'{"' + b'k' * 32000000 + b'": 1}',
    }
    urls = {}
    for name, doc in docs.items():
        path = '/json-' + name.replace(' ', '-')
        urls[name] = SERVER.static(path, doc.replace(b'%s', b'urn:json-' + name.encode()),
                                   ctype='application/feed+json')
    r = c.fetch(db, urls.values(), args=['--full-text-pages', '0'])
    # six documents in one run; the long string costs what an 8 MiB field
    # of an RSS item does (about 80 MiB parsed alone)
    assert_rss(r, 192, 'hostile JSON Feeds')
    c.note('peak RSS %.0f MiB' % (r.rss_kib / 1024))
    expected = {'string': 2, 'deep': 1, 'number': 1, 'nul': 1, 'cut': 2, 'one string': 0}
    for name, n in expected.items():
        ensure(articles_of(db, urls[name]) == n, '%s: %d articles, not %d: %r'
               % (name, articles_of(db, urls[name]), n, r))
    ensure(scalar(db, 'SELECT length(unpack(content_html)) FROM articles WHERE guid = ?',
                  'urn:json-string:2') <= 8 << 20, 'the long string is cut at 8 MiB')
    warning = ("feedkeep: warning: '%s': item 'urn:json-string:2': content longer than 8 MiB: "
               "truncated\n" % urls['string'])
    ensure(warning in r.err, 'the cut item is named: %r' % r.err)
    fetch_failed(Result(r.rc, '', r.err.replace(warning, ''), 0, 0), urls['one string'],
                 'not a JSON Feed (no "items" array)')


# ---- dev.to's API -------------------------------------------------------------------------


def forem_listed(aid, path, extra=''):
    return ('{"type_of": "article", "id": %d, "title": "API %d", "url": '
            '"https://dev.to/h/%s", "published_at": "2026-01-01T00:00:00Z", '
            '"edited_at": null, "tag_list": ["h"]%s}' % (aid, aid, path, extra))


@case('dev.to API: HTML for a list, a 50 MB list, lists without end, bad articles, CR/LF in the key')
def c_devto_api(c):
    db = c.archive()
    base = '/forem%d'
    lists = {
        # an error page with status 200
        'html': (b'<html><body>Service unavailable</body></html>', 'text/html'),
        # more than the 32 MiB a body may have
        'huge': (b'[' + b','.join([forem_listed(1, 'x').encode()] * 300000) + b']',
                 'application/json'),
        # an id out of range, invalid UTF-8, a duplicated id, nesting 100,000
        # deep (which
        # ends the list: the articles before it are asked for)
        'odd': (('[' + forem_listed(2, 'ok-2') + ',' +
                 forem_listed(99999999999999999999, 'big') + ',' + forem_listed(3, 'ok-3') +
                 ',' + forem_listed(2, 'ok-2') + ',' +
                 forem_listed(4, 'deep', ', "x": ' + '[' * 100000 + ']' * 100000) +
                 ']').encode().replace(b'API 2', b'API \xff2'),
                'application/json'),
    }
    sources, env_of = [], {}
    for i, (name, (body, ctype)) in enumerate(lists.items()):
        root = base % i
        SERVER.static(root + '/articles', body, ctype=ctype)
        sources.append((name, root))
    # a server that ignores page: always the same full page of 1000
    full = ('[' + ','.join(forem_listed(5000 + k, 'p%d' % k) for k in range(1000)) + ']').encode()
    seen_headers = []

    def loop_list(h):
        seen_headers.append(dict(h.headers.items()))
        h.reply(200, full, content_type='application/json')
    SERVER.route('/forem-loop/articles', loop_list)
    for k in range(1000):
        SERVER.static('/forem-loop/articles/%d' % (5000 + k),
                      ('{"type_of": "article", "id": %d, "url": "https://dev.to/h/p%d", '
                       '"title": "Loop %d", "body_html": "<p>Loop %d body.</p>", '
                       '"body_markdown": "Loop body.", "edited_at": null}'
                       % (5000 + k, k, k, k)).encode(), ctype='application/json')
    # the articles of 'odd': one is a list, one is not JSON
    SERVER.static(base % 2 + '/articles/2', b'[]', ctype='application/json')
    SERVER.static(base % 2 + '/articles/3', b'\x00\x01 not json', ctype='application/json')
    for name, root in sources + [('loop', '/forem-loop')]:
        r = run('add', 'devto-api:%s' % name, db=db)
        ensure(r.rc == 0, 'add: %r' % r)
        env_of[name] = {'FEEDKEEP_DEVTO_API': SERVER.url(root),
                        'FEEDKEEP_DEVTO_API_KEY': 'k\r\nX-Injected: 1'}
    del SERVER.log[:]
    results = {}
    for name in env_of:
        results[name] = run('fetch', *FAST, '--api-interval', '0', '--no-assets',
                            'devto-api:%s' % name, db=db, env=env_of[name], timeout=300)
    r = results['html']
    ensure(r.rc == 1 and "'devto-api:html': not an article list of the API: not an RSS or Atom "
           'feed (root element <html>)' in r.err,
           'an HTML page fails the source, named: %r' % r)
    r = results['huge']
    ensure(r.rc == 1 and 'devto-api:huge' in r.err and 'larger than' in r.err,
           'a list over the size cap fails the source: %r' % r)
    assert_rss(r, 128, 'a 50 MB API list')
    r = results['odd']
    ensure(r.rc == 0 and '/articles/2' in r.err and '/articles/3' in r.err,
           'articles that are no articles are reported, the run goes on: %r' % r)
    ensure(not any('99999999999999999999' in q for q in SERVER.log),
           'an id out of range is never asked for: %r' % SERVER.log)
    ensure(sum(1 for q in SERVER.log if q.startswith('/forem2/articles/2')) == 1,
           'an article listed twice is asked for once')
    ensure(not any(q.startswith('/forem2/articles/4') for q in SERVER.log),
           'nothing after the nesting is read')
    r = results['loop']
    loops = [q for q in SERVER.log if q.startswith('/forem-loop/articles?')]
    ensure(r.rc == 0 and len(loops) == 2 and '1000 new' in r.out,
           'a list that does not page is read twice, its articles once: %r %r' % (loops, r))
    ensure(seen_headers and all('X-Injected' not in h and 'api-key' not in
                                {k.lower() for k in h} for h in seen_headers),
           'a key with a line break is not sent, and injects nothing: %r' % seen_headers[:1])
    dump = '\n'.join(sqlite3.connect(db).iterdump())
    ensure('X-Injected' not in dump, 'the key is stored nowhere')
    ensure(run('check', db=db).rc == 0, 'check after the hostile API')


def main():
    global BIN, SANITIZED, FIXTURE_FEED, SERVER, SPAWNER
    # show pages through $PAGER on a terminal; these tests look at what
    # feedkeep itself writes there (test_habits.py tests the pager).
    os.environ['PAGER'] = 'cat'
    args = sys.argv[1:]
    if not args or args[0].startswith('-'):
        print(__doc__, file=sys.stderr)
        return 2
    BIN = fktest.start(args[0])
    SANITIZED = '--sanitized' in args[1:]
    picks = [a for a in args[1:] if not a.startswith('--')]
    FIXTURE_FEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data',
                                'devto-fuadhusnan.xml')
    started = time.monotonic()
    passed, failed, skipped = 0, [], 0
    SPAWNER = Spawner()  # first: while this process is small and has one thread
    SERVER = fktest.Loopback()
    tmp = tempfile.mkdtemp(prefix='feedkeep-hostile-')
    try:
        os.chmod(tmp, 0o755)  # the read-only case runs feedkeep as nobody under root
        fixture = Fixture(tmp)
        for number, (name, fn) in enumerate(CASES, 1):
            if picks and not any(p == str(number) if p.isdigit() else p.lower() in name.lower()
                                 for p in picks):
                continue
            c = Case(number, name, tmp, fixture)
            case_start = time.monotonic()
            try:
                fn(c)
                for db in c.archives:
                    fixture.verify(db)
            except Skip as e:
                skipped += 1
                print('skip %d %s (%s)' % (number, name, e), flush=True)
                continue
            except Failure as e:
                failed.append(number)
                print('FAIL %d %s: %s' % (number, name, e), flush=True)
                continue
            except Exception as e:  # a bug of the case, or output it did not expect
                failed.append(number)
                where = traceback.extract_tb(e.__traceback__)[-1]
                print('FAIL %d %s: %s: %s (line %d)' % (number, name, type(e).__name__, e,
                                                       where.lineno), flush=True)
                continue
            finally:
                shutil.rmtree(c.dir, ignore_errors=True)
            passed += 1
            took = time.monotonic() - case_start
            extra = ''.join(' [%s]' % n for n in c.notes)
            print('ok %d %s%s%s' % (number, name, ' (%.1f s)' % took if took >= 2 else '', extra),
                  flush=True)
    finally:
        SERVER.stop()
        SPAWNER.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed%s, %d skipped, in %.0f s' % (
        passed, len(failed), ' (%s)' % ', '.join(map(str, failed)) if failed else '', skipped,
        time.monotonic() - started))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
