#!/usr/bin/env python3
"""test_pg_assets.py - assets, article pages and API rows on PostgreSQL,
against SQLite: the same commands run on a SQLite archive and on a fresh
PostgreSQL database must print the same, byte for byte, and exit the same
(the archive's location replaced in messages).

usage: test_pg_assets.py FEEDKEEP DATA_DIR CLUSTER_DIR

CLUSTER_DIR is a running cluster of tests/pgcluster.py. The parts:
  - assets put, the listing with its filters and formats, assets get by
    SHA-256, prefix and URL, and their errors (no filing needed);
  - several processes putting the same bytes under one URL and under
    several at once, on PostgreSQL: every one succeeds, one asset, each
    URL once;
  - an archive SQLite filed (fetch with the images of the dev.to sample,
    a per-article cap), copied into PostgreSQL by pgload.py: the listing
    and get, then assets put on the URLs its articles reference;
  - fetch with the images of the dev.to sample on the loopback server, the
    caps, and a second fetch that fetches nothing;
  - article pages of a teaser feed (tests/httpd.py's script), their
    failures and a second fetch;
  - dev.to's API (test_devto_api.py's server): the API rows as show and
    export print them.
The last three file feeds on PostgreSQL too.
"""
import calendar
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pgcluster  # noqa: E402 - tests/pgcluster.py

import test_assets_cli  # noqa: E402 - its images
import test_assets_fetch  # noqa: E402 - its served sample
import test_devto_api  # noqa: E402 - its Forem server

SAMPLE = 'devto-fuadhusnan.xml'
CLUSTER = None
FAST = ['--connect-timeout', '2', '--timeout', '20', '--stall-time', '5']


def recent(m):
    """A time of this run (within a day) as NOW; others as they are."""
    t = calendar.timegm(time.strptime(m.group(0), '%Y-%m-%dT%H:%M:%SZ'))
    return 'NOW' if abs(t - time.time()) < 86400 else m.group(0)


class Pair:
    """A SQLite archive and a PostgreSQL one, run alike."""

    def __init__(self, tmp, name):
        self.sqlite = os.path.join(tmp, name + '.db')
        self.pg = pgcluster.database(CLUSTER, 'fk_assets_' + name)

    def load(self):
        """Copy the SQLite archive into the PostgreSQL one (tests/cli/pgload.py,
        on main): the readers read what SQLite's writers wrote."""
        try:
            import pgload
        except ImportError:
            check(False, 'pgload.py is needed (main has it)')
            return False
        pgload.load(fktest.BIN, self.sqlite, self.pg)
        return True

    def norm(self, text):
        if isinstance(text, bytes):
            return text
        text = text.replace(self.pg, 'ARCHIVE').replace(self.sqlite, 'ARCHIVE')
        # durations and rates of fetch's lines; the times of this run
        text = re.sub(r'\b\d+(\.\d+)? ?(ms|s|KiB/s|MiB/s|kB/s)\b', 'T', text)
        # the two stores' export directories
        text = re.sub(r'/api-(sq|pg):', '/api-DIR:', text)
        # the archive's size: a file's, or the database's
        text = re.sub(r'"size_bytes":\d+', '"size_bytes":N', text)
        # article pages are fetched at once and reported as they end
        pages = [line for line in text.split('\n') if ': whole article (article ' in line]
        if len(pages) > 1:
            lines = text.split('\n')
            slots = [i for i, line in enumerate(lines) if line in pages]
            for i, line in zip(slots, sorted(pages)):
                lines[i] = line
            text = '\n'.join(lines)
        return re.sub(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', recent, text)

    def both(self, *args, what=None, stdin=None, env=None, text=True, pg_args=None):
        """Run args on both; check they agree; returns PostgreSQL's run."""
        a = run(*args, db=self.sqlite, stdin=stdin, env=env, text=text)
        b = run(*(pg_args or args), db=self.pg, stdin=stdin, env=env, text=text)
        a = tuple(self.norm(x) if not isinstance(x, int) else x for x in a)
        b = tuple(self.norm(x) if not isinstance(x, int) else x for x in b)
        check(a == b, '%s: SQLite %r\n  PostgreSQL %r' % (what or ' '.join(args), a, b))
        return b


def read_bytes(path):
    with open(path, 'rb') as fh:
        return fh.read()


# ---- assets put, list and get -----------------------------------------------------------


def test_put_get(tmp):
    pair = Pair(tmp, 'put')
    png = test_assets_cli.png
    images = {'a.png': png(3, 2), 'b.png': png(5, 1, 7), 'c.png': png(2, 2, 9),
              'a.gif': test_assets_cli.GIF, 'ok.svg': test_assets_cli.SAFE_SVG}
    paths = {n: fktest.write(os.path.join(tmp, n), d) for n, d in images.items()}
    # put makes the archive; the same bytes twice; a URL put again
    pair.both('assets', 'put', 'https://img.example/a.png', paths['a.png'])
    pair.both('assets', 'put', 'https://cdn.example/copy.png', '-', stdin=images['a.png'])
    pair.both('assets', 'put', 'https://img.example/b.png', paths['b.png'])
    pair.both('assets', 'put', 'https://img.example/a.png', paths['a.gif'])
    pair.both('assets', 'put', 'http://img.example/ok.svg', paths['ok.svg'])
    pair.both('assets', 'put', 'https://img.example/c.png', paths['c.png'])
    pair.both('assets', 'put', 'https://img.example/c.png', paths['c.png'])
    # refused before anything is written, and usage errors
    bad = fktest.write(os.path.join(tmp, 'page.png'), b'<!DOCTYPE html><html><body>x</body></html>')
    pair.both('assets', 'put', 'https://img.example/page.png', bad)
    pair.both('assets', 'put', 'ftp://img.example/a.png', paths['a.png'])
    pair.both('assets', 'put', 'https://img.example/x.png')
    pair.both('assets', 'bogus')
    # many assets, so that short prefixes name several
    for seed in range(40):
        pair.both('assets', 'put', 'https://many.example/%02d.png' % seed, '-',
                  stdin=png(4, 1, seed + 20))
    # the listing: every format and filter (no article references any yet)
    for args in ((), ('--format', 'json'), ('--format', 'csv', '--header'), ('--header',),
                 ('--status', 'stored'), ('--status', 'pending'), ('--status', 'skipped'),
                 ('--type', 'image'), ('--type', 'video'), ('--limit', '3'),
                 ('--fields', 'url,sha256,size'), ('--status', 'nope'), ('--type', 'text')):
        pair.both('assets', *args)
    # get by SHA-256, prefix (either case), URL; errors
    sha = hashlib.sha256(images['b.png']).hexdigest()
    gets = [(sha,), (sha[:10],), (sha[:7].upper(),), ('https://img.example/b.png',),
            ('https://cdn.example/copy.png',), ('https://img.example/page.png',),
            ('https://nowhere.example/x.png',), ('zz',), ('0' * 65,), ('f' * 64,)]
    gets += [(c,) for c in '0123456789abcdef']
    for args in gets:
        pair.both('assets', 'get', *args, '-o', '-', text=False)
    out_sq, out_pg = os.path.join(tmp, 'got-sq'), os.path.join(tmp, 'got-pg')
    rc, out, err = pair.both('assets', 'get', sha[:12], '-o', out_sq,
                             pg_args=('assets', 'get', sha[:12], '-o', out_pg), what='get -o')
    check(rc == 0 and read_bytes(out_pg) == images['b.png'] == read_bytes(out_sq),
          'assets get -o FILE, byte for byte')
    pair.both('complete', 'assets', sha[:6].upper())
    pair.both('complete', 'assets', 'https://img.example/')
    return pair


# ---- several processes at once ----------------------------------------------------------


def test_concurrent(tmp):
    loc = pgcluster.database(CLUSTER, 'fk_assets_race')
    image = test_assets_cli.png(6, 6, 3)
    path = fktest.write(os.path.join(tmp, 'race.png'), image)
    sha = hashlib.sha256(image).hexdigest()
    run('assets', 'put', 'https://seed.example/s.gif', '-', db=loc, stdin=test_assets_cli.GIF)
    for rounds in range(3):
        procs = []
        for i in range(8):
            url = 'https://race.example/%d/%s.png' % (rounds, 'same' if i % 2 else i)
            procs.append(subprocess.Popen(fktest.command(['assets', 'put', url, path], loc),
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          env=fktest.environ()))
        results = [(p.wait(), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        check(all(rc == 0 and err == '' for rc, _, err in results),
              'round %d: every process stores the asset: %r' % (rounds, results))
        news = [out for _, out, _ in results if '\tnew\t' in out]
        check(len(news) == (1 if rounds == 0 else 0),
              'round %d: one process stores the bytes, the others find them: %r'
              % (rounds, results))
    rc, out, err = run('assets', '--fields', 'url,sha256', db=loc)
    rows = out.splitlines()
    race = [r for r in rows if 'race.example' in r]
    check(rc == 0 and len(race) == 15 and len(set(race)) == 15 and
          all(r.endswith('\t' + sha) for r in race), 'each URL once, all one asset: %r' % rows)
    got = run('assets', 'get', sha, '-o', '-', db=loc, text=False)
    check(got[0] == 0 and got[1] == image, 'the asset reads back')


# ---- an archive SQLite filed, copied into PostgreSQL -------------------------------------


def test_loaded(tmp, data, server):
    sample = os.path.join(data, SAMPLE)
    feed = server.static('/pg-loaded.xml',
                         test_assets_fetch.sample_with_images(sample, server).encode())
    pair = Pair(tmp, 'loaded')
    run('add', '--no-check', feed, db=pair.sqlite)
    rc, out, err = run('fetch', '--article-assets', '2', *FAST, db=pair.sqlite)
    check(rc == 0 and 'assets:' in out, 'SQLite fetches: %r %r' % (out, err))
    if not pair.load():
        return
    listing(pair, 'loaded')
    for args in (('--article', '2'), ('--status', 'stored', '--limit', '4'), ('--feed', feed)):
        pair.both('assets', *args, what='loaded: assets %s' % ' '.join(args))
    for name in ('3.png', 'logo.png', 'photo', 'page.png', 'same-b.png', '11.png'):
        pair.both('assets', 'get', server.url('/img/' + name), '-o', '-', text=False)
    rc, out, err = pair.both('assets', '--fields', 'sha256', '--status', 'stored')
    for sha in sorted(set(out.split()))[:4]:
        pair.both('assets', 'get', sha[:8], '-o', '-', text=False)
    # writes on what SQLite filed: a referenced URL skipped, then put
    image = test_assets_cli.png(3, 3, 99)
    for name in ('11.png', '5.png', 'page.png'):
        pair.both('assets', 'put', server.url('/img/' + name), '-', stdin=image)
    listing(pair, 'loaded, then put')
    pair.both('complete', 'assets', server.url('/img/'))


# ---- fetch with assets (files feeds on PostgreSQL) --------------------------------------


def listing(pair, what):
    for args in (('--format', 'json'), ('--article', '1'), ('--article', '3'), ('--feed', '1'),
                 ('--status', 'skipped', '--format', 'csv'), ('--type', 'image', '--limit', '5')):
        pair.both('assets', *args, what='%s: assets %s' % (what, ' '.join(args)))


def test_fetch_assets(tmp, data, server):
    sample = os.path.join(data, SAMPLE)
    feed = server.static('/pg-devto.xml',
                         test_assets_fetch.sample_with_images(sample, server).encode())
    pair = Pair(tmp, 'fetch')
    pair.both('add', '--no-check', feed)
    del server.log[:]
    rc, out, err = pair.both('fetch', *FAST)
    check(rc == 0 and 'assets: 16 stored (1 already archived)' in out, 'fetch: %r %r' % (out, err))
    listing(pair, 'after fetch')
    for name in ('3.png', 'logo.png', 'photo', 'page.png'):
        pair.both('assets', 'get', server.url('/img/' + name), '-o', '-', text=False)
    del server.log[:]
    rc, out, err = pair.both('fetch', '--force', *FAST)
    check(rc == 0 and 'assets:' not in out and test_assets_fetch.image_requests(server) == [],
          'a second fetch fetches no image: %r' % out)
    pair.both('check')
    pair.both('stats', '--format', 'json')
    # the caps: skipped, then due again when a cap changes
    caps = Pair(tmp, 'caps')
    caps.both('add', '--no-check', feed)
    caps.both('fetch', '--article-assets', '2', *FAST)
    listing(caps, 'per-article cap 2')
    caps.both('fetch', '--assets', '--article-assets', '3', *FAST)
    listing(caps, 'per-article cap 3')
    small = Pair(tmp, 'small')
    small.both('add', '--no-check', feed)
    small.both('fetch', '--asset-max-size', '10', *FAST)
    listing(small, 'max size 10')
    # import: offline, then private addresses refused, then allowed
    path = fktest.write(os.path.join(tmp, 'pg-devto.xml'),
                        test_assets_fetch.sample_with_images(sample, server))
    imp = Pair(tmp, 'import')
    imp.both('import', path)
    imp.both('import', '--assets', path)
    listing(imp, 'import --assets')
    imp.both('import', '--assets', '--allow-private-assets', path)
    listing(imp, 'import --allow-private-assets')


# ---- article pages ----------------------------------------------------------------------


def test_pages(tmp):
    server = fktest.HttpdProcess()
    try:
        pair = Pair(tmp, 'pages')
        server.control('pgteasers', teaser=1)
        pair.both('add', '--no-check', server.url('/script/pgteasers'))
        rc, out, err = pair.both('fetch', *FAST)
        check(rc == 0 and 'article pages: 3 fetched, 3 whole articles' in out,
              'the teasers\' pages: %r %r' % (out, err))
        for n in ('1', '2', '3'):
            pair.both('show', n)
            pair.both('show', '--source', 'feed', n)
            pair.both('show', '--source', 'page', '--markdown', n)
            pair.both('history', n)
        rc, out, err = pair.both('show', '--json', '2')
        shown = json.loads(out) if rc == 0 else {}
        check((shown.get('page') or {}).get('status') == 'stored', 'the page in JSON: %r' % out)
        rc, out, err = pair.both('fetch', *FAST)
        check(rc == 0 and 'article pages' not in out, 'a second fetch: %r' % out)
        pair.both('reparse')
        pair.both('show', '2')
        # pages that fail or have no text
        for kind in ('status', 'empty', 'short', 'pdf'):
            one = Pair(tmp, 'page_' + kind)
            name = 'pg' + kind
            server.control(name, teaser=1, items=1, article=kind, article_status=503, retry=3600)
            one.both('add', '--no-check', server.url('/script/' + name))
            one.both('fetch', *FAST)
            one.both('show', '--json', '1')
            one.both('fetch', '--force', *FAST)
    finally:
        server.stop()


# ---- dev.to's API -----------------------------------------------------------------------


def test_api(tmp, server):
    api = test_devto_api.Forem(server)
    for a in test_devto_api.make_articles():
        api.add(copy.deepcopy(a))
    env = {'FEEDKEEP_DEVTO_API': server.url('/api'), 'FEEDKEEP_DEVTO_API_KEY': test_devto_api.KEY}
    pair = Pair(tmp, 'api')
    blog = fktest.write(os.path.join(tmp, 'pg-blog.xml'),
                        test_devto_api.blog_feed(server.url('/')))
    pair.both('import', blog)
    pair.both('add', 'devto-api:Ana', env=env)
    rc, out, err = pair.both('fetch', *test_devto_api.FAST, env=env)
    check(rc == 0 and 'devto-api:ana: 2 new, 1 updated, 0 unchanged' in out,
          'the API\'s articles: %r %r' % (out, err))
    for n in ('1', '2', '3', '4'):
        pair.both('show', '--json', n)
        pair.both('show', '--source', 'author', '--markdown', n)
    rc, out, err = pair.both('fetch', '--force', *test_devto_api.FAST, env=env)
    exp_sq, exp_pg = os.path.join(tmp, 'api-sq'), os.path.join(tmp, 'api-pg')
    pair.both('export', '--dir', exp_sq, pg_args=('export', '--dir', exp_pg), what='export')
    check(files(exp_sq) == files(exp_pg), 'the exports are the same files')


def files(top):
    """The files under top, by path, with their bytes."""
    return {os.path.relpath(os.path.join(d, f), top): read_bytes(os.path.join(d, f))
            for d, _, names in os.walk(top) for f in names}


def main():
    global CLUSTER
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    fktest.start(sys.argv[1])
    data = sys.argv[2]
    # main's fktest skips the test when no cluster was started
    find = getattr(fktest, 'pg_cluster', os.path.abspath)
    CLUSTER = find(sys.argv[3])
    with tempfile.TemporaryDirectory() as tmp:
        test_put_get(tmp)
        test_concurrent(tmp)
        server = fktest.Loopback()
        test_assets_fetch.serve_images(server)
        try:
            test_loaded(tmp, data, server)
            test_fetch_assets(tmp, data, server)
            test_api(tmp, server)
        finally:
            server.stop()
        test_pages(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
