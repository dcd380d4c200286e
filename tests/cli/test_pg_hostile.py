#!/usr/bin/env python3
"""test_pg_hostile.py - a PostgreSQL archive whose server goes away: the
server stopped in the middle of a fetch (the fetch fails with exit status
3 and names the lost connection; every feed document is in the archive
whole or not at all; the next fetch, with the server back, files what was
lost), and a command run while the server is down. Then the server's disk
full under the archive: a fetch whose big feed does not fit fails with
exit status 3 and one line naming the archive and the full disk; every
feed document is whole or not at all, the big one not filed; with room
again, the next fetch files what the full disk stopped, once.

The test starts clusters of its own (tests/pgcluster.py), since it stops
them; the shared one is only asked whether PostgreSQL is there. The full
disk is a tmpfs mounted for the server alone, in a mount namespace of its
own: the case takes root and is skipped, saying why, without it.

Usage: test_pg_hostile.py FEEDKEEP DATA_DIR CLUSTER
"""
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pgcluster  # noqa: E402

FAST = ['--connect-timeout', '2', '--timeout', '20', '--stall-time', '5']


def server(path, action):
    """Stop (at once, as a crash would) or start the cluster in path."""
    data = os.path.join(path, 'data')
    if action == 'stop':
        pgcluster.as_owner([os.path.join(pgcluster.bindir(), 'pg_ctl'), '-D', data, '-m',
                            'immediate', '-w', 'stop'])
    else:
        pgcluster.start(path)


def server_gone():
    path = tempfile.mkdtemp(prefix='feedkeep-pg-hostile-')
    os.chmod(path, 0o755)
    http = fktest.HttpdProcess()
    try:
        pgcluster.start(path)
        loc = pgcluster.database(path, 'gone')
        # 30 feeds of 20 items, each answered after 150 ms: a fetch of some
        # seconds, two at a time per host
        urls = [http.url('/script/gone%d?items=20&delay_ms=150' % i) for i in range(30)]
        rc, out, err = run('add', '--no-check', *urls, db=loc)
        check(rc == 0, 'add: %d %r' % (rc, err))
        fetch = subprocess.Popen(fktest.command(['fetch', '--lease', '3'] + FAST, loc),
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=fktest.environ(), text=True)
        # the server goes once the fetch has claimed its feeds and filed some
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            filed = pgcluster.psql(path, 'SELECT count(*) FROM article_feeds', 'gone').strip()
            if filed != '0':
                break
            time.sleep(0.05)
        server(path, 'stop')
        out, err = fetch.communicate(timeout=120)
        check(fetch.returncode == 3, 'the fetch fails as a database error: %d %r %r'
              % (fetch.returncode, out[-300:], err[-500:]))
        check('lost the connection to postgresql:///gone' in err or
              'cannot connect to postgresql:///gone' in err,
              'it names the lost server: %r' % err[-500:])
        rc, out, err = run('list', db=loc)
        check(rc == 3 and err.startswith('feedkeep: cannot connect to postgresql:///gone'),
              'with the server down, a command says so: %d %r' % (rc, err))
        server(path, 'start')
        counts = pgcluster.psql(path, 'SELECT f.url, count(af.article_id) FROM feeds f LEFT JOIN '
                                      'article_feeds af ON af.feed_id = f.id GROUP BY f.url',
                                'gone').split()
        per_feed = [int(line.rsplit('|', 1)[1]) for line in counts]
        check(len(per_feed) == 30 and all(n in (0, 20) for n in per_feed),
              'each document whole or not at all: %r' % per_feed)
        check(0 < per_feed.count(20) < 30, 'some were filed before the server went: %d'
              % per_feed.count(20))
        # the next fetch, after the lost fetcher's lease (its claims, if
        # it held any when the server went), files the rest
        time.sleep(3.5)
        rc, out, err = run('fetch', *FAST, db=loc, timeout=300)
        check(rc == 0, 'the next fetch: %d %r' % (rc, err[-300:]))
        articles = pgcluster.psql(path, 'SELECT count(*), count(DISTINCT key) FROM articles',
                                  'gone').split('|')
        check([int(a) for a in articles] == [600, 600], 'every article, once: %r' % articles)
        claims = pgcluster.psql(path, 'SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL',
                                'gone').strip()
        check(claims == '0', 'no claim left: %s' % claims)
        rc, out, err = run('check', db=loc)
        check(rc == 0, 'check passes: %d %r %r' % (rc, out, err))
    finally:
        http.stop()
        pgcluster.stop(path)


# The full disk: the archive's database in a tablespace on a small tmpfs
# that only the server sees, mounted in a mount namespace of its own.
ROOM = 2 << 20  # free room left for the good feeds, which take some 0.3 MB
BIG = 5000  # items of the big feed: some 15 MB in the database


def feed(name, n, filler=0):
    """An RSS document of n items; filler words in each item's text."""
    items = ''.join('<item><guid>http://full.example/%s/%d</guid><title>%s %d</title>'
                    '<description>&lt;p&gt;A body of %s %d. %s&lt;/p&gt;</description></item>\n'
                    % (name, i, name, i, name, i, ('filler %d ' % i) * filler)
                    for i in range(n))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            '<title>%s</title><link>http://full.example/%s/</link>\n%s</channel></rss>\n'
            % (name, name, items)).encode()


def full_disk_unavailable():
    """Why the small filesystem cannot be made here, or None."""
    if os.getuid() != 0:
        # Mounting it takes root: the server refuses to run as root, so it
        # cannot run in a user namespace where we would be. This skip, for
        # lack of privileges, holds even under FEEDKEEP_REQUIRE_TOOLS.
        return 'mounting a filesystem for the server takes root'
    for tool in ('unshare', 'nsenter', 'mount'):
        if not shutil.which(tool):
            return 'no %s(1)' % tool
    probe = tempfile.mkdtemp(prefix='feedkeep-pg-probe-')
    try:
        r = subprocess.run(['unshare', '-m', '--propagation', 'private', 'sh', '-c',
                            'mount -t tmpfs -o size=1m tmpfs "$1"', 'sh', probe],
                           capture_output=True, text=True)
    finally:
        os.rmdir(probe)
    if r.returncode:
        return 'cannot mount a tmpfs in a mount namespace: %s' % r.stderr.strip()
    return None


def in_server(path, *args):
    """Run args in the mount namespace of the server of the cluster in path."""
    with open(os.path.join(path, 'data', 'postmaster.pid')) as f:
        pid = f.readline().strip()
    return subprocess.run(['nsenter', '-t', pid, '-m'] + list(args), capture_output=True,
                          text=True)


def used(path, mount):
    """The bytes used on the filesystem at mount, as the server sees it."""
    r = in_server(path, 'stat', '-f', '-c', '%b %f %S', mount)
    blocks, free, size = (int(n) for n in r.stdout.split())
    return (blocks - free) * size


def per_feed(path, database):
    """The number of articles of each feed, by its URL."""
    rows = pgcluster.psql(path, 'SELECT f.url, count(af.article_id) FROM feeds f LEFT JOIN '
                                'article_feeds af ON af.feed_id = f.id GROUP BY f.url', database)
    return {url: int(n) for url, n in (line.rsplit('|', 1) for line in rows.split())}


def resize(path, mount, size):
    r = in_server(path, 'mount', '-o', 'remount,size=%dk' % ((size + 1023) // 1024), mount)
    check(r.returncode == 0, 'the small filesystem resized: %r' % r.stderr)


def disk_full():
    why = full_disk_unavailable()
    if why:
        print('skipped: the full disk: %s' % why)
        return
    path = tempfile.mkdtemp(prefix='feedkeep-pg-full-')
    os.chmod(path, 0o755)
    small = os.path.join(path, 'small')
    os.mkdir(small)
    owner = pwd.getpwnam('postgres')
    # The server starts in a mount namespace of its own, with a tmpfs on
    # small that belongs to it; the socket and the WAL stay on the ordinary
    # filesystem, only the tablespace's files fill the tmpfs.
    mount = ('mount -t tmpfs -o size=64m,uid=%d,gid=%d,mode=0700 tmpfs "$1" && shift && exec "$@"'
             % (owner.pw_uid, owner.pw_gid))
    http = fktest.Loopback()
    try:
        pgcluster.start(path, prefix=['unshare', '-m', '--propagation', 'private', 'sh', '-c',
                                      mount, 'sh', small])
        pgcluster.psql(path, "CREATE TABLESPACE small LOCATION '%s'" % small)
        pgcluster.psql(path, 'CREATE DATABASE full_disk TABLESPACE small')
        loc = pgcluster.location(path, 'full_disk')
        goods = [(http.static('/good%d' % k, feed('good%d' % k, 10)), 10) for k in range(4)]
        big = http.static('/big', feed('big', BIG, 40))
        feeds = goods + [(big, BIG)]
        rc, out, err = run('add', '--no-check', *[u for u, _ in feeds], db=loc)
        check(rc == 0, 'add: %d %r' % (rc, err))
        # The database's files written out (a new database's are sparse
        # until then), the filesystem shrinks to them and some room.
        pgcluster.psql(path, 'CHECKPOINT')
        resize(path, small, used(path, small) + ROOM)
        rc, out, err = run('fetch', *FAST, db=loc, timeout=300)
        check(rc == 3, 'a full disk fails the fetch as a database error: %d %r %r'
              % (rc, out[-300:], err[-500:]))
        # the server's words after feedkeep's (a short write is no error
        # number: "wrote only 4096 of 8192 bytes at block 170")
        check(re.fullmatch(r"feedkeep: %s: the database server's disk is full: could not extend "
                           r'file "[^"\n]+"[^\n]*\n' % re.escape(loc), err) is not None,
              'one line names the archive and the cause: %r' % err)
        counts = per_feed(path, 'full_disk')
        check(all(counts.get(u) in (0, n) for u, n in feeds),
              'each document whole or not at all: %r' % counts)
        check(counts.get(big) == 0, 'the big feed did not fit: %r' % counts.get(big))
        rc, out, err = run('check', db=loc)
        check(rc == 0, 'check passes on the full disk: %d %r %r' % (rc, out, err))
        # With room again, the next fetch files what the full disk stopped.
        resize(path, small, 64 << 20)
        rc, out, err = run('fetch', *FAST, db=loc, timeout=300)
        check(rc == 0 and err == '', 'the next fetch: %d %r' % (rc, err[-300:]))
        counts = per_feed(path, 'full_disk')
        check(all(counts.get(u) == n for u, n in feeds), 'every feed filed: %r' % counts)
        articles = pgcluster.psql(path, 'SELECT count(*), count(DISTINCT key) FROM articles',
                                  'full_disk').split('|')
        check([int(a) for a in articles] == [sum(n for _, n in feeds)] * 2,
              'every article, once: %r' % articles)
        rc, out, err = run('check', db=loc)
        check(rc == 0, 'check passes: %d %r %r' % (rc, out, err))
    finally:
        http.stop()
        pgcluster.stop(path)


def main():
    fktest.start(sys.argv[1])
    fktest.pg_cluster(sys.argv[3])
    server_gone()
    disk_full()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
