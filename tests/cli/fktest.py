"""fktest.py - what the Python tests share: the feedkeep binary run on an
archive, checks counted into the closing "N checks, N failed" line,
pseudo-terminal runs, archives made and read back with SQLite, and the
loopback HTTP server (tests/httpd.py) in the test's process or in one of its
own.

The same suites run on PostgreSQL archives when FEEDKEEP_TEST_POSTGRESQL
names a cluster of tests/pgcluster.py: each archive path a test gives
feedkeep (db=, --db) then stands for a database of that cluster, made empty
the first time and marked by a small file at the path, and the archive is
read back with SQLite from a copy that `feedkeep copy --to` makes of the
database for each read. A test that needs the SQLite file itself (its
size, its mode, SQL that writes) is marked sqlite_only and skipped there.

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
import functools
import itertools
import json
import os
import pty
import re
import select
import sqlite3
import struct
import subprocess
import sys
import tempfile
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
# The cluster of the run on PostgreSQL archives, or None.
POSTGRESQL = os.environ.get('FEEDKEEP_TEST_POSTGRESQL') or None


def start(binary):
    """Name the binary the helpers run; returns its absolute path. On
    PostgreSQL, a cluster that is not there skips the test (pg_cluster)."""
    global BIN
    BIN = os.path.abspath(binary)
    if POSTGRESQL:
        pg_cluster(POSTGRESQL)
        print('on PostgreSQL archives')
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


# ---- the run on PostgreSQL archives ---------------------------------------------------

MARK = 'feedkeep test archive on PostgreSQL: '
_databases = {}           # archive path -> the location standing for it
_made = []                # databases this process made, dropped at its end
_files = set()            # files the tests made, left to SQLite
_serial = itertools.count(1)
_mirrors = None           # the directory of the SQLite copies read back


def _pgcluster():
    import pgcluster  # tests/, on sys.path above
    return pgcluster


def _drop_databases():
    if not _made:
        return
    cluster = _pgcluster().cluster_dir(POSTGRESQL)
    cmd = ['psql', '-X', '-q', '-h', cluster, '-U', 'feedkeep', '-d', 'postgres']
    for name in _made:
        cmd += ['-c', 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name]
    subprocess.run(cmd, capture_output=True)


def is_location(db):
    """Whether db is a URL or a connection string rather than a file."""
    return bool(re.match(r'(?i)([a-z][a-z0-9+.-]*://|\w+=)', db))


def archive_location(db, cwd=None):
    """What feedkeep is given for the archive path db: db itself, or on the
    run on PostgreSQL the location of the database standing for it. A file
    at the path that the test made itself (not a mark) is left to SQLite."""
    if not POSTGRESQL or not db or is_location(db):
        return db
    path = os.path.abspath(os.path.join(cwd or '', db))
    try:
        with open(path, 'rb') as fh:
            head = fh.read(len(MARK) + 1000)
    except FileNotFoundError:
        head = None
    except OSError:
        return db
    if head is not None:
        if head.startswith(MARK.encode()):
            return head[len(MARK):].decode().strip()
        if path not in _files:
            _files.add(path)
            print('on SQLite: %s, a file the test made' % path)
        return db
    if path in _databases and not os.path.isdir(os.path.dirname(path)):
        return _databases[path]
    name = 'fk%d_%d' % (os.getpid(), next(_serial))
    if not _made:
        import atexit
        atexit.register(_drop_databases)
    location = _pgcluster().database(POSTGRESQL, name)
    _made.append(name)
    _databases[path] = location
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write(path, MARK + location + '\n')
    except OSError:
        pass
    return location


def shown(db):
    """How feedkeep names the archive db in its messages."""
    return archive_location(db)


def created(db):
    """Whether the archive db was made: its file; on PostgreSQL, the schema
    in its database."""
    location = archive_location(db)
    if location == db:
        return os.path.exists(db)
    p = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-d', location, '-c',
                        "SELECT to_regclass('feedkeep_schema') IS NOT NULL"],
                       capture_output=True, text=True)
    return p.stdout.strip() == 't'


def sqlite_only(reason):
    """A test function that needs the SQLite file itself: skipped, saying
    why, on the run on PostgreSQL archives (where it returns None)."""
    def wrap(fn):
        @functools.wraps(fn)
        def test(*args, **kwargs):
            if POSTGRESQL:
                print('not on PostgreSQL: %s: %s' % (fn.__name__, reason))
                return None
            return fn(*args, **kwargs)
        return test
    return wrap


def db_args(args, cwd=None):
    """args with the archive of each --db option mapped (archive_location)."""
    args = list(args)
    if not POSTGRESQL:
        return args
    for i, a in enumerate(args):
        if a == '--db' and i + 1 < len(args) and args[i + 1]:
            args[i + 1] = archive_location(args[i + 1], cwd)
        elif a.startswith('--db=') and len(a) > 5:
            args[i] = '--db=' + archive_location(a[5:], cwd)
    return args


def _readable(db):
    """The SQLite file to read the archive db from: db, or on the run on
    PostgreSQL a fresh copy of its database."""
    global _mirrors
    location = archive_location(db)
    if location == db:
        return db
    if _mirrors is None:
        _mirrors = tempfile.mkdtemp(prefix='feedkeep-read-')
        import atexit
        import shutil
        atexit.register(shutil.rmtree, _mirrors, True)
    copy = os.path.join(_mirrors, 'copy.db')
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(copy + suffix):
            os.unlink(copy + suffix)
    p = subprocess.run([BIN, '--db', location, 'copy', '--to', copy], capture_output=True,
                       env=environ(), timeout=300)
    if p.returncode:
        raise RuntimeError('the archive %s could not be read back: %s'
                           % (location, p.stderr.decode('utf-8', 'replace')))
    return copy


WRITES = re.compile(r'(?is)\s*(insert|update|delete|replace|create|drop|alter|vacuum|attach'
                    r'|reindex|pragma\s+[\w.]+\s*=)\b')


def command(args, db=None, cwd=None):
    return [BIN] + (['--db', archive_location(db, cwd)] if db else []) + db_args(args, cwd)


def as_nobody():
    """Drop root for the child: root ignores file modes, and CI runs as root."""
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def run(*args, db=None, stdin=None, env=None, cwd=None, timeout=120, text=True, nobody=False):
    """Run feedkeep (on the archive db); returns the exit status, stdout
    (text, or bytes when text is false) and stderr as text."""
    p = subprocess.run(command(args, db, cwd), input=stdin, capture_output=True, env=environ(env),
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


def unpack(value, prefix=None, dictionary=None):
    """A column as feedkeep stores it (schema 14), read back: a BLOB is one
    zstd frame packed against prefix (the row's text; None for none), a
    TEXT is plain. A frame that names a dictionary (schema 18) is unpacked
    with dictionary(ID), its bytes. zstd is called through ctypes: Python
    has no zstd module, and feedkeep links the library anyway."""
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
        lib.ZSTD_getDictID_fromFrame.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        lib.ZSTD_getDictID_fromFrame.restype = ctypes.c_uint
        lib.ZSTD_DCtx_loadDictionary.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                                 ctypes.c_size_t]
        lib.ZSTD_DCtx_loadDictionary.restype = ctypes.c_size_t
        lib.ZSTD_DCtx_reset.argtypes = [ctypes.c_void_p, ctypes.c_int]
        _zstd = (lib, lib.ZSTD_createDCtx())
    lib, dctx = _zstd
    size = lib.ZSTD_getFrameContentSize(value, len(value))
    if size >= 2 ** 63:
        raise ValueError('not a zstd frame of known size')
    out = ctypes.create_string_buffer(max(size, 1))
    lib.ZSTD_DCtx_reset(dctx, 3)  # the session and the parameters, dictionary included
    dict_id = lib.ZSTD_getDictID_fromFrame(value, len(value))
    if dict_id:
        bytes_ = dictionary(dict_id) if dictionary else None
        if not bytes_:
            raise ValueError('a frame packed with a dictionary the archive does not have')
        lib.ZSTD_DCtx_loadDictionary(dctx, bytes_, len(bytes_))
    else:
        pre = (prefix or '').encode('utf-8') if not isinstance(prefix, bytes) else prefix
        lib.ZSTD_DCtx_refPrefix(dctx, pre if pre else None, len(pre))
    n = lib.ZSTD_decompressDCtx(dctx, out, size, value, len(value))
    if lib.ZSTD_isError(n) or n != size:
        raise ValueError('a packed column does not unpack')
    return out.raw[:size].decode('utf-8')


def connect(db, readonly=False, **kwargs):
    """A connection to the archive db with the SQL function unpack(value,
    prefix) of the function above: SELECT unpack(markdown, text) reads the
    Markdown as it was filed. On PostgreSQL: to a copy, read-only."""
    if POSTGRESQL and archive_location(db) != db:
        db, readonly = _readable(db), True
    if readonly:
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True, **kwargs)
    else:
        con = sqlite3.connect(db, **kwargs)
    dictionaries = {}

    def dictionary(dict_id):
        if dict_id not in dictionaries:
            try:
                row = sqlite3.connect('file:%s?mode=ro' % db, uri=True).execute(
                    'SELECT dictionary FROM pack_dictionaries WHERE dict_id = ?',
                    (dict_id,)).fetchone()
            except sqlite3.Error:
                row = None
            dictionaries[dict_id] = row[0] if row else None
        return dictionaries[dict_id]

    con.create_function('unpack', 2, lambda v, p: unpack(v, p, dictionary), deterministic=True)
    con.create_function('unpack', 1, lambda v: unpack(v, None, dictionary), deterministic=True)
    return con


def query(db, sql, *params, readonly=False):
    """The rows of one SQL statement on the archive db, committed;
    readonly opens the file read-only (the archive must not change by being
    looked at, or may not be writable)."""
    if POSTGRESQL and WRITES.match(sql) and archive_location(db) != db:
        raise RuntimeError('SQL that writes, on PostgreSQL (mark the test sqlite_only): %s'
                           % sql)
    con = connect(db, readonly=readonly, timeout=30)
    try:
        rows = con.execute(sql, params).fetchall()
        if not readonly:
            con.commit()
        return rows
    finally:
        con.close()


def execute(db, sqlite, postgresql):
    """Change the archive db behind feedkeep's back (a test's set-up): the
    SQL sqlite on a SQLite file, the SQL postgresql (the same change in
    PostgreSQL's words; None when there is none) on a PostgreSQL archive."""
    location = archive_location(db)
    if location == db:
        con = connect(db, timeout=30)
        try:
            con.executescript(sqlite)
            con.commit()
        finally:
            con.close()
        return
    if postgresql is None:
        raise RuntimeError('no PostgreSQL counterpart of: %s' % sqlite)
    p = subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', location, '-c',
                        postgresql], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError('psql: %s' % p.stderr.strip())


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
