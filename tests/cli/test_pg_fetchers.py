#!/usr/bin/env python3
"""test_pg_fetchers.py - many fetchers on one PostgreSQL archive.

Four `feedkeep fetch` processes at once against a loopback server with 200
feeds on four host names (some slow, some failing), where every feed's
items are carried by a second feed on another host: every article is
filed exactly once, every feed is fetched once, the per-host limit holds
across the fetchers (the server counts), and their total lines add up.
Then a fetcher is killed with SIGKILL in the middle of a run: a fetcher
started beside it waits for room at the hosts the killed one held, and
takes its feeds over when its lease has expired. Two fetchers whose feeds
send them to article pages on one host: the per-host limit holds for the
pages of both together.

Usage: test_pg_fetchers.py FEEDKEEP DATA_DIR CLUSTER
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pgcluster  # noqa: E402

HOSTS = ['127.0.0.%d' % i for i in range(1, 5)]
NAMES = 100  # item sets; each is carried by two feeds on two hosts
FAST = ['--connect-timeout', '2', '--timeout', '20', '--stall-time', '5']


def feed_urls(server, group, extra=''):
    """200 feeds: set N on hosts N % 4 and (N + 1) % 4. One set in ten is
    slow, one in ten fails."""
    urls = []
    for n in range(NAMES):
        params = 'group=%s%s' % (group, extra)
        if n % 10 == 3:
            params += '&delay_ms=400'
        if n % 10 == 7:
            params += '&status=500'
        for host in (HOSTS[n % 4], HOSTS[(n + 1) % 4]):
            urls.append(server.url('/script/set%d?%s' % (n, params), host=host))
    return urls


def spawn(loc, *args):
    return subprocess.Popen(fktest.command(('fetch',) + tuple(FAST) + args, loc),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=fktest.environ(), text=True)


TOTAL = re.compile(r'^total: (\d+) feeds?, (\d+) new, (\d+) updated, (\d+) unchanged, '
                   r'(\d+) not modified, (\d+) failed, (\d+) not due'
                   r'(?:, (\d+) held by other fetchers)?$', re.M)


def totals(out):
    m = TOTAL.search(out)
    return [int(g or 0) for g in m.groups()] if m else None


def test_four_at_once(server, cluster):
    loc = pgcluster.database(cluster, 'fetchers_four')
    urls = feed_urls(server, 'four')
    rc, out, err = run('add', '--no-check', *urls, db=loc)
    check(rc == 0, 'add 200 feeds: %d %r' % (rc, err[-500:]))
    fetchers = [spawn(loc) for _ in range(4)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in fetchers]
    sums = [0] * 8
    check(any(rc == 1 for _, _, rc in results), 'a fetcher reports the failed feeds')
    for out, err, rc in results:
        t = totals(out)
        check(rc in (0, 1) and t is not None, 'a fetcher ends: %d %r %r'
              % (rc, out[-300:], err[-300:]))
        for i, v in enumerate(t or []):
            sums[i] += v
    check(sums[0] == 200, 'the fetchers fetched 200 feeds in all: %r' % sums)
    check(sums[5] == 20, 'twenty of them failed: %r' % sums)
    check(sums[1] == 3 * (NAMES - 10), 'each article new once: %r' % sums)
    articles = pgcluster.psql(cluster, 'SELECT count(*), count(DISTINCT key) FROM articles',
                              'fetchers_four').split('|')
    check([int(a) for a in articles] == [270, 270], 'each article filed once: %r' % articles)
    both = pgcluster.psql(cluster, 'SELECT count(*) FROM (SELECT article_id FROM article_feeds '
                                   'GROUP BY article_id HAVING count(*) = 2) t',
                          'fetchers_four').strip()
    check(both == '270', 'each article in both its feeds: %r' % both)
    # every feed once: each set's script was asked twice, once per host
    for n in range(NAMES):
        log = server.log('set%d' % n)
        if len(log) != 2:
            check(False, 'set%d fetched %d times' % (n, len(log)))
            break
    fetched = pgcluster.psql(cluster, 'SELECT count(*), count(DISTINCT feed_id) FROM fetches',
                             'fetchers_four').split('|')
    check([int(f) for f in fetched] == [200, 200], 'one fetch logged per feed: %r' % fetched)
    most = json.loads(server.get('/stats?group=four'))
    check(all(most.get(h, 0) <= 2 for h in HOSTS) and most.get('*', 0) >= 2,
          'two requests per host at most, across the fetchers: %r' % most)
    owners = pgcluster.psql(cluster, 'SELECT count(DISTINCT fetcher) FROM fetches',
                            'fetchers_four').strip()
    check(int(owners) >= 2, 'the work was shared: %s fetchers logged fetches' % owners)
    left = pgcluster.psql(cluster, 'SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL',
                          'fetchers_four').strip()
    check(left == '0', 'every claim given back: %r' % left)
    rows = pgcluster.psql(cluster, 'SELECT count(*) FROM fetchers', 'fetchers_four').strip()
    check(rows == '0', 'no fetcher left at work: %r' % rows)
    # the counts the four kept together: each folded what it filed, or
    # left it to another, and nothing is left waiting once all have ended
    waiting = pgcluster.psql(cluster, 'SELECT count(*) FROM count_changes',
                             'fetchers_four').strip()
    check(waiting == '0', 'every count change folded: %r' % waiting)
    rc, out, err = run('check', db=loc)
    check(rc == 0 and out.endswith(': ok\n'), 'the kept counts agree with a recount: %r %r'
          % (out, err[-300:]))
    rc, out, err = run('tags', '--format', 'tsv', db=loc)
    check(rc == 0 and out.count('\n') > 0, 'tags listed: %r' % err)

    # the next fetch is a new round: every feed is due again
    rc, out, err = run('fetch', *FAST, db=loc, timeout=300)
    t = totals(out)
    check(t is not None and t[0] == 180 + 20 - 20 and t[6] == 20,
          'the next fetch: the 180 good feeds again, the failed ones in backoff: %r %r'
          % (t, err[-300:]))


def test_killed(server, cluster):
    loc = pgcluster.database(cluster, 'fetchers_killed')
    urls = feed_urls(server, 'killed', '&delay_ms=300')
    rc, out, err = run('add', '--no-check', *urls, db=loc)
    check(rc == 0, 'add: %d %r' % (rc, err[-300:]))
    a = spawn(loc, '--lease', '4')
    time.sleep(1.5)
    a.send_signal(signal.SIGKILL)
    a.communicate()
    held = int(pgcluster.psql(cluster, 'SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL',
                              'fetchers_killed'))
    done_by_a = int(pgcluster.psql(cluster, 'SELECT count(*) FROM feeds WHERE last_fetch IS '
                                            'NOT NULL', 'fetchers_killed'))
    check(held > 0 and done_by_a > 0 and done_by_a < 200,
          'the killed fetcher held feeds and had fetched some: %d held, %d done'
          % (held, done_by_a))
    # a fetcher started beside the live lease finds the hosts at their
    # limit: it waits, and takes the killed fetcher's feeds over once the
    # lease has expired
    started = time.monotonic()
    rc, out, err = run('fetch', *FAST, db=loc, timeout=300)
    took = time.monotonic() - started
    t = totals(out)
    check(rc in (0, 1) and t is not None and t[7] == 0,
          'the next fetcher ends with nothing held: %d %r %r' % (rc, t, err[-300:]))
    check(took >= 1.5, 'it waited for the lease: %.1f s' % took)
    never = pgcluster.psql(cluster, 'SELECT count(*) FROM feeds WHERE last_fetch IS NULL',
                           'fetchers_killed').strip()
    check(never == '0', 'every feed fetched in the end: %s never' % never)
    articles = pgcluster.psql(cluster, 'SELECT count(*), count(DISTINCT key) FROM articles',
                              'fetchers_killed').split('|')
    check([int(x) for x in articles] == [270, 270], 'each article once: %r' % articles)
    left = pgcluster.psql(cluster, 'SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL',
                          'fetchers_killed').strip()
    check(left == '0', "the killed fetcher's claims are gone: %r" % left)
    rows = pgcluster.psql(cluster, 'SELECT count(*) FROM fetchers', 'fetchers_killed').strip()
    check(rows == '0', 'no fetcher left: %r' % rows)
    most = json.loads(server.get('/stats?group=killed'))
    check(all(most.get(h, 0) <= 2 for h in HOSTS), 'two requests per host at most: %r' % most)


def test_opposite_orders(server, cluster):
    """Two feeds carrying the same articles in opposite orders, fetched at
    once by two fetchers, a new version of every article each round: the
    server may find the two filings deadlocked and roll one back, which is
    filed again; both fetches succeed and each article stays one."""
    loc = pgcluster.database(cluster, 'fetchers_orders')
    a = server.url('/script/orders?items=40&delay_ms=100', host=HOSTS[0])
    b = server.url('/script/orders?items=40&delay_ms=100&reverse=1', host=HOSTS[1])
    rc, out, err = run('add', '--no-check', a, b, db=loc)
    check(rc == 0, 'add: %d %r' % (rc, err))
    for version in range(1, 7):
        server.control('orders', version=version)
        fetchers = [subprocess.Popen(fktest.command(['fetch'] + FAST + [url], loc),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=fktest.environ(), text=True) for url in (a, b)]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in fetchers]
        check(all(rc == 0 for _, _, rc in results),
              'round %d: both fetches succeed: %r' % (version, [(rc, e[-200:])
                                                               for _, e, rc in results]))
    rows = pgcluster.psql(cluster, 'SELECT count(*), count(DISTINCT key) FROM articles',
                          'fetchers_orders').split('|')
    check([int(x) for x in rows] == [40, 40], 'each article once: %r' % rows)
    versions = pgcluster.psql(cluster, "SELECT count(*) FROM article_versions",
                              'fetchers_orders').strip()
    check(versions == '200', 'each article changed five times, once each: %s versions'
          % versions)


def test_pages_one_host(server, cluster):
    """Two fetchers, one teaser feed each on one host, each fetching its
    feed's 12 article pages (300 ms each): no more than the per-host limit
    of requests to the host at once, both fetchers together."""
    loc = pgcluster.database(cluster, 'fetchers_pages')
    urls = []
    for name in ('pagesa', 'pagesb'):
        server.control(name, teaser='1', items='12', group='pages', article_ms='300')
        urls.append(server.url('/script/' + name, host=HOSTS[0]))
    rc, out, err = run('add', '--no-check', *urls, db=loc)
    check(rc == 0, 'add: %d %r' % (rc, err))
    fetchers = [spawn(loc, '--jobs', '8', url) for url in urls]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in fetchers]
    check(all(rc == 0 for _, _, rc in results),
          'both fetches succeed: %r' % [(rc, e[-200:]) for _, e, rc in results])
    pages = sum(1 for name in ('pagesa', 'pagesb') for r in server.log(name)
                if r['path'].startswith('/article/'))
    check(pages == 24, 'every page fetched once: %d' % pages)
    most = json.loads(server.get('/stats?group=pages'))
    check(most.get(HOSTS[0]) == 2, 'two requests to the host at once at most, both fetchers '
          'together: %r' % most)


def main():
    fktest.start(sys.argv[1])
    cluster = fktest.pg_cluster(sys.argv[3])
    server = fktest.HttpdProcess(hosts=HOSTS)
    try:
        test_four_at_once(server, cluster)
        test_killed(server, cluster)
        test_opposite_orders(server, cluster)
        test_pages_one_host(server, cluster)
    finally:
        server.stop()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
