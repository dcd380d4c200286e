#!/usr/bin/env python3
"""Time the query commands on a large archive: the whole process, as a shell
user sees it (wall time), and its CPU time (user + system, less sensitive to
a busy machine), as the median and the 95th percentile of --runs runs
(default 50) after one warm-up run. A benchmark, not a test: it prints
figures and checks nothing but that each command succeeds.

usage: queries.py FEEDKEEP ARCHIVE [--import CORPUS.xml] [--runs N]
                  [--before OLD_FEEDKEEP [--before-archive OLD_ARCHIVE]] [--only TEXT] [--tag T] [--since DATE] [--word W] [--rare-word W]
                  [--common-word W] [--phrase "W W"] [--prefix W*]
                  [--filter-tag T] [--two-tags A,B] [--any-tags A,B]
                  [--author NAME] [--author-word W] [--lang L] [--id N]

--before times another build too, A/B: each run of a command by OLD_FEEDKEEP
is followed by one by FEEDKEEP, so that both see the same machine; wall
median and p95 of each. Where the newer build migrates the archive to a
schema the older one cannot open, --before-archive OLD_ARCHIVE gives the
older build a copy made before (the same articles). --only keeps the
commands whose name holds TEXT.

The words, tags, author and article id that the queries ask for default to
ones of the corpus below; give others for another archive (bench/million.py
passes those of the archive it makes).

Make a corpus first with the shared generator, for example 100,000 items:
    python3 ../shared/bench/gen_corpus.py SEED.xml 100000 corpus.xml
then import it once (--import corpus.xml, which takes minutes) and time.
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time

# What the queries ask for: the defaults suit the corpus of gen_corpus.py;
# an archive made otherwise (bench/million.py) passes its own.
DEFAULTS = {
    'tag': 'python',
    'since': '2026-01-01',
    'word': 'planner',
    'rare_word': 'kubernetes',
    'common_word': 'the',
    'phrase': 'query planner',
    'prefix': 'optimi*',
    'filter_tag': 'database',
    'two_tags': 'rust,ai',
    'any_tags': 'rust,go',
    'author': "Fu'ad Husnan",
    'author_word': 'husnan',
    'lang': 'sql',
    'id': '5000',
    'url': '',  # the URL of article id, read from a SQLite archive when not given
}


def query_list(p):
    """(name, arguments after "feedkeep --db ARCHIVE") of each query, from the
    values p (DEFAULTS' keys). The first two are the design's targets: a tag
    and a date with a limit, and a word searched."""
    two = p['two_tags'].split(',')
    anys = p['any_tags'].split(',')
    return [
        ('list --tag --since --limit 20', ['list', '--tag', p['tag'], '--since', p['since'],
                                           '--limit', '20']),
        ('search WORD --limit 20', ['search', p['word'], '--limit', '20']),
        ('search rare word', ['search', p['rare_word'], '--limit', '20']),
        ('search very common word', ['search', p['common_word'], '--limit', '20']),
        ('search phrase', ['search', '"%s"' % p['phrase'], '--limit', '20']),
        ('search prefix', ['search', p['prefix'], '--limit', '20']),
        ('search with --tag and --since', ['search', p['word'], '--tag', p['filter_tag'],
                                           '--since', p['since'], '--limit', '20']),
        ('search --rank-all', ['search', p['word'], '--rank-all', '--limit', '20']),
        ('list --limit 20', ['list', '--limit', '20']),
        ('list two tags', ['list'] + [a for t in two for a in ('--tag', t)] + ['--limit', '20']),
        ('list --any-tag', ['list'] + [a for t in anys for a in ('--any-tag', t)] +
         ['--limit', '20']),
        ('list --author', ['list', '--author', p['author'], '--limit', '20']),
        ('list --author one word', ['list', '--author', p['author_word'], '--limit', '20']),
        ('list --has-code ' + p['lang'], ['list', '--has-code', p['lang'], '--limit', '20']),
        ('list --sort updated', ['list', '--sort', 'updated', '--limit', '20']),
        ('list --sort first_seen --reverse', ['list', '--sort', 'first_seen', '--reverse',
                                              '--limit', '20']),
        ('list --feed 1', ['list', '--feed', '1', '--limit', '20']),
        ('list --archived-since 1d', ['list', '--archived-since', '1d', '--limit', '20']),
        ('list --tag --archived-since 1d', ['list', '--tag', p['tag'], '--archived-since', '1d',
                                            '--limit', '20']),
        ('list --changed-since 1d', ['list', '--changed-since', '1d', '--limit', '20']),
        ('search --archived-since 1d', ['search', p['word'], '--archived-since', '1d',
                                        '--limit', '20']),
        ('code --lang %s --limit 20' % p['lang'], ['code', '--lang', p['lang'], '--limit', '20']),
        ('show ' + p['id'], ['show', p['id']]),
    ] + ([('show URL', ['show', p['url']])] if p.get('url') else []) + [
        ('history ' + p['id'], ['history', p['id']]),
        ('tags', ['tags']),
        ('authors', ['authors']),
        ('stats', ['stats']),
        ('--version (process start only)', ['--version']),
    ]


QUERIES = query_list(DEFAULTS)


def p95(values):
    """The 95th percentile, nearest rank: the value 95% of runs do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def run_once(cmd):
    """Wall and CPU seconds of one run."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit('failed: %s: %s' % (' '.join(cmd), err.decode(errors='replace')))
    return wall, usage.ru_utime + usage.ru_stime


def with_url(p, archive):
    """p, its 'url' the URL of article p['id'] of the archive when it has
    none and the archive is a SQLite file (read-only); else p."""
    if p.get('url') or not os.path.isfile(archive):
        return p
    import sqlite3
    try:
        con = sqlite3.connect('file:%s?mode=ro' % archive, uri=True)
        row = con.execute('SELECT url FROM articles WHERE id = ?', (int(p['id']),)).fetchone()
        con.close()
    except (sqlite3.Error, ValueError):
        return p
    return dict(p, url=row[0]) if row and row[0] else p


def time_queries(feedkeep, archive, runs, values=None, out=sys.stdout, only=None):
    """Times each query of query_list(values) (DEFAULTS where values has no
    key), printing a line for each as it is done; returns the rows as
    (name, wall median, wall p95, cpu median, cpu p95), in seconds."""
    p = dict(DEFAULTS)
    p.update(values or {})
    p = with_url(p, archive)
    rows = []
    print('%-36s %9s %9s %9s %9s' % ('command', 'median', 'p95', 'cpu med', 'cpu p95'),
          file=out, flush=True)
    for name, argv in query_list(p):
        if only and only not in name:
            continue
        cmd = [feedkeep] + (argv if argv[0] == '--version' else ['--db', archive] + argv)
        run_once(cmd)  # warm the page cache
        runs_done = [run_once(cmd) for _ in range(runs)]
        walls = [w for w, _ in runs_done]
        cpus = [c for _, c in runs_done]
        row = (name, statistics.median(walls), p95(walls), statistics.median(cpus), p95(cpus))
        rows.append(row)
        print('%-36s %7.1fms %7.1fms %7.1fms %7.1fms' % (
            name, row[1] * 1000, row[2] * 1000, row[3] * 1000, row[4] * 1000),
            file=out, flush=True)
    return rows


def time_before_after(before, feedkeep, archive, runs, values=None, only=None, out=sys.stdout,
                      before_archive=None):
    """Times each query of query_list(values) by the builds before and
    feedkeep taking turns, printing a line for each as it is done: wall
    median and p95 of each, in ms. The build before reads before_archive
    when it is given (a copy of the archive at the schema it knows)."""
    p = dict(DEFAULTS)
    p.update(values or {})
    p = with_url(p, archive)
    print('%-36s %9s %9s %9s %9s' % ('command', 'before', 'p95', 'after', 'p95'),
          file=out, flush=True)
    for name, argv in query_list(p):
        if only and only not in name:
            continue
        cmds = [[exe] + (argv if argv[0] == '--version' else ['--db', db] + argv)
                for exe, db in ((before, before_archive or archive), (feedkeep, archive))]
        walls = ([], [])
        for cmd in cmds:
            run_once(cmd)  # warm the page cache
        for _ in range(runs):
            for i, cmd in enumerate(cmds):
                walls[i].append(run_once(cmd)[0])
        print('%-36s %7.1fms %7.1fms %7.1fms %7.1fms' % (
            name, statistics.median(walls[0]) * 1000, p95(walls[0]) * 1000,
            statistics.median(walls[1]) * 1000, p95(walls[1]) * 1000), file=out, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('feedkeep')
    ap.add_argument('archive')
    ap.add_argument('--import', dest='corpus')
    ap.add_argument('--runs', type=int, default=50)
    ap.add_argument('--before')
    ap.add_argument('--before-archive')
    ap.add_argument('--only')
    for key, value in DEFAULTS.items():
        ap.add_argument('--' + key.replace('_', '-'), dest=key, default=value,
                        help='default: %s' % value.replace('%', '%%'))
    args = ap.parse_args()
    if args.corpus:
        start = time.perf_counter()
        subprocess.run([args.feedkeep, '--db', args.archive, 'import', args.corpus], check=True)
        print('import: %.1f s' % (time.perf_counter() - start))
    values = {key: getattr(args, key) for key in DEFAULTS}
    if args.before:
        time_before_after(args.before, args.feedkeep, args.archive, args.runs, values, args.only,
                          before_archive=args.before_archive)
    else:
        time_queries(args.feedkeep, args.archive, args.runs, values, only=args.only)


if __name__ == '__main__':
    main()
