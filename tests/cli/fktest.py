"""fktest.py - what the Python tests share: the feedkeep binary run on an
archive, checks counted into the closing "N checks, N failed" line,
pseudo-terminal runs, archives made and read back with SQLite, and the
loopback HTTP server (tests/httpd.py) in the test's process or in one of its
own.

A script puts this directory on sys.path and names the binary once:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import fktest
    from fktest import check, run
    ...
    BIN = fktest.start(sys.argv[1])
    ... tests ...
    return fktest.summary()
"""
import ctypes
import ctypes.util
import fcntl
import json
import os
import pty
import select
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import urllib.request

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTTPD = os.path.join(TESTS, 'httpd.py')
sys.path.insert(0, TESTS)
import httpd  # noqa: E402 - found through the line above

BIN = None
checks = 0
failures = 0


def start(binary):
    """Name the binary the helpers run; returns its absolute path."""
    global BIN
    BIN = os.path.abspath(binary)
    return BIN


# ---- checks -------------------------------------------------------------------------


def check(cond, what):
    """Count a check; print what failed."""
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s' % what, flush=True)


def summary():
    """Print the count of checks and failures; returns the exit status."""
    print('%d checks, %d failed' % (checks, failures))
    return 1 if failures else 0


def jsonl(out, what):
    """The records of JSON Lines output; a line that is not JSON fails."""
    records = []
    for line in out.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            check(False, '%s: not JSON: %r' % (what, line[:200]))
    return records


# ---- running feedkeep ---------------------------------------------------------------


def pg_cluster(path):
    """The cluster tests/pgcluster.py started at path (its directory, or the
    file naming it). When it started none (no PostgreSQL server installed),
    the test is skipped (exit 77), unless FEEDKEEP_REQUIRE_TOOLS is set:
    then it fails."""
    if os.path.exists(path):
        return path
    if os.environ.get('FEEDKEEP_REQUIRE_TOOLS'):
        print('FAIL: no PostgreSQL cluster and FEEDKEEP_REQUIRE_TOOLS is set')
        sys.exit(1)
    print('skipped: no PostgreSQL server (the Debian package postgresql)')
    sys.exit(77)


def environ(env=None):
    """The environment of a run: this one without FEEDKEEP_DB and NO_COLOR
    (each test names its archive and its colour), plus env."""
    e = dict(os.environ)
    e.pop('FEEDKEEP_DB', None)
    e.pop('NO_COLOR', None)
    e.update(env or {})
    return e


def command(args, db=None):
    return [BIN] + (['--db', db] if db else []) + list(args)


def as_nobody():
    """Drop root for the child: root ignores file modes, and CI runs as root."""
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def run(*args, db=None, stdin=None, env=None, cwd=None, timeout=120, text=True, nobody=False):
    """Run feedkeep (on the archive db); returns the exit status, stdout
    (text, or bytes when text is false) and stderr as text."""
    p = subprocess.run(command(args, db), input=stdin, capture_output=True, env=environ(env),
                       cwd=cwd, timeout=timeout, preexec_fn=as_nobody if nobody else None)
    out = p.stdout.decode('utf-8', 'replace') if text else p.stdout
    return p.returncode, out, p.stderr.decode('utf-8', 'replace')


def no_check(args):
    """args with --no-check after an `add`: tests that subscribe to URLs as
    given, without the request add makes to check each."""
    command_at = next((i for i, a in enumerate(args) if not a.startswith('-')), None)
    if command_at is not None and args[command_at] == 'add':
        return args[:command_at + 1] + ('--no-check',) + args[command_at + 1:]
    return args


def run_tty(*args, db=None, env=None, columns=100, rows=40, timeout=30):
    """Run feedkeep on a pseudo-terminal of columns x rows (its stdin,
    stdout, stderr and controlling terminal); returns the exit status and
    what the terminal got, its line ends made \\n. A terminal silent for
    timeout seconds ends the reading."""
    e = environ(env)
    cmd = command(args, db)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', rows, columns, 0, 0))
            os.execve(BIN, cmd, e)
        finally:
            os._exit(127)
    out = b''
    while True:
        try:
            r, _, _ = select.select([fd], [], [], timeout)
            chunk = os.read(fd, 65536) if r else b''
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode('utf-8', 'replace').replace('\r\n', '\n')


# ---- archives -------------------------------------------------------------------------


def archive(tmp, name, *feeds, what=None):
    """A new archive tmp/name with the feeds imported one after another
    (a check each); returns its path."""
    db = os.path.join(tmp, name)
    for feed in feeds:
        rc, out, err = run('import', feed, db=db)
        check(rc == 0, '%s: %r' % (what or 'import %s' % os.path.basename(feed), err))
    return db

# ---- packed columns ----------------------------------------------------------------

_zstd = None


def unpack(value, prefix=None):
    """A column as feedkeep stores it (schema 14), read back: a BLOB is one
    zstd frame packed against prefix (the row's text; None for none), a
    TEXT is plain. zstd is called through ctypes: Python has no zstd module,
    and feedkeep links the library anyway."""
    global _zstd
    if not isinstance(value, bytes):
        return value
    if _zstd is None:
        lib = ctypes.CDLL(ctypes.util.find_library('zstd') or 'libzstd.so.1')
        lib.ZSTD_createDCtx.restype = ctypes.c_void_p
        lib.ZSTD_getFrameContentSize.restype = ctypes.c_ulonglong
        lib.ZSTD_getFrameContentSize.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        lib.ZSTD_DCtx_refPrefix.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.ZSTD_DCtx_refPrefix.restype = ctypes.c_size_t
        lib.ZSTD_decompressDCtx.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                            ctypes.c_char_p, ctypes.c_size_t]
        lib.ZSTD_decompressDCtx.restype = ctypes.c_size_t
        lib.ZSTD_isError.argtypes = [ctypes.c_size_t]
        _zstd = (lib, lib.ZSTD_createDCtx())
    lib, dctx = _zstd
    size = lib.ZSTD_getFrameContentSize(value, len(value))
    if size >= 2 ** 63:
        raise ValueError('not a zstd frame of known size')
    pre = (prefix or '').encode('utf-8') if not isinstance(prefix, bytes) else prefix
    out = ctypes.create_string_buffer(max(size, 1))
    lib.ZSTD_DCtx_refPrefix(dctx, pre if pre else None, len(pre))
    n = lib.ZSTD_decompressDCtx(dctx, out, size, value, len(value))
    if lib.ZSTD_isError(n) or n != size:
        raise ValueError('a packed column does not unpack')
    return out.raw[:size].decode('utf-8')


def connect(db, readonly=False, **kwargs):
    """A connection to the archive db with the SQL function unpack(value,
    prefix) of the function above: SELECT unpack(markdown, text) reads the
    Markdown as it was filed."""
    if readonly:
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True, **kwargs)
    else:
        con = sqlite3.connect(db, **kwargs)
    con.create_function('unpack', 2, unpack, deterministic=True)
    con.create_function('unpack', 1, unpack, deterministic=True)
    return con


def query(db, sql, *params, readonly=False):
    """The rows of one SQL statement on the archive db, committed;
    readonly opens the file read-only (the archive must not change by being
    looked at, or may not be writable)."""
    con = connect(db, readonly=readonly, timeout=30)
    try:
        rows = con.execute(sql, params).fetchall()
        if not readonly:
            con.commit()
        return rows
    finally:
        con.close()


def scalar(db, sql, *params, readonly=False):
    return query(db, sql, *params, readonly=readonly)[0][0]


def articles_of(db, url, readonly=False):
    """How many articles the archive has from the feed url."""
    return scalar(db, 'SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id '
                      'WHERE f.url = ?', url, readonly=readonly)


def write(path, data):
    """Write text (UTF-8) or bytes to path; returns path."""
    with open(path, 'wb') as fh:
        fh.write(data if isinstance(data, bytes) else data.encode('utf-8'))
    return path


def read(path):
    with open(path, encoding='utf-8') as fh:
        return fh.read()


def esc(s):
    """Text for XML character data."""
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


# ---- the loopback server ----------------------------------------------------------------


class Loopback:
    """tests/httpd.py in this process, on 127.0.0.1: its fixed routes, and
    routes added with route() and static(), tried first. log lists the path
    and query of every request."""

    def __init__(self):
        self.httpd = httpd.Server(('127.0.0.1', 0), httpd.Handler)
        self.routes = self.httpd.routes
        self.log = self.httpd.requests
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path, host='127.0.0.1'):
        return 'http://%s:%d%s' % (host, self.port, path)

    def route(self, path, fn):
        """Answer path with fn(handler) (httpd.Handler: reply, raw, ...);
        returns its URL."""
        self.routes[path] = fn
        return self.url(path)

    def static(self, path, body, status=200, headers=(), ctype='application/rss+xml'):
        return self.route(path, lambda h: h.reply(status, body, headers, ctype))

    def requested(self, path):
        return any(p.split('?', 1)[0] == path for p in self.log)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class HttpdProcess:
    """tests/httpd.py as a process of its own, on every address of hosts,
    one port: the test's own threads do not slow its answers down."""

    def __init__(self, hosts=('127.0.0.1',), lifetime=900):
        cmd = [sys.executable, HTTPD, '--lifetime', str(lifetime)]
        for host in hosts:
            cmd += ['--bind', host]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError('the test server did not start: %r' % line)
        self.port = int(line)

    def stop(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def url(self, path, host='127.0.0.1'):
        return 'http://%s:%d%s' % (host, self.port, path)

    def get(self, path):
        with urllib.request.urlopen(self.url(path), timeout=10) as r:
            return r.read()

    def control(self, name, **params):
        """Set the script NAME of /script/NAME (httpd.py)."""
        query_string = '&'.join('%s=%s' % (k, v) for k, v in params.items())
        self.get('/control/%s?reset=1&%s' % (name, query_string))

    def log(self, name):
        """The requests /script/NAME received."""
        return json.loads(self.get('/log/%s' % name))
