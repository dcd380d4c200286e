#!/usr/bin/env python3
"""test_pg_hostile.py - a PostgreSQL archive whose server goes away: the
server stopped in the middle of a fetch (the fetch fails with exit status
3 and names the lost connection; every feed document is in the archive
whole or not at all; the next fetch, with the server back, files what was
lost), and a command run while the server is down.

The test starts a cluster of its own (tests/pgcluster.py), since it stops
it; the shared one is only asked whether PostgreSQL is there.

Usage: test_pg_hostile.py FEEDKEEP DATA_DIR CLUSTER
"""
import os
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


def main():
    fktest.start(sys.argv[1])
    fktest.pg_cluster(sys.argv[3])
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
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
