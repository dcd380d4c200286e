#!/usr/bin/env python3
"""Time the query commands on a large archive: the whole process, as a shell
user sees it (wall time), and its CPU time (user + system, less sensitive to
a busy machine), as the median and the 95th percentile of --runs runs
(default 50) after one warm-up run. A benchmark, not a test: it prints
figures and checks nothing but that each command succeeds.

usage: queries.py FEEDKEEP ARCHIVE [--import CORPUS.xml] [--runs N]

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

# (name, arguments after "feedkeep --db ARCHIVE"). The first two are the
# design's targets: a tag and a date with a limit, and a word searched.
QUERIES = [
    ('list --tag --since --limit 20', ['list', '--tag', 'python', '--since', '2026-01-01',
                                       '--limit', '20']),
    ('search WORD --limit 20', ['search', 'planner', '--limit', '20']),
    ('search rare word', ['search', 'kubernetes', '--limit', '20']),
    ('search very common word', ['search', 'the', '--limit', '20']),
    ('search phrase', ['search', '"query planner"', '--limit', '20']),
    ('search prefix', ['search', 'optimi*', '--limit', '20']),
    ('search with --tag and --since', ['search', 'planner', '--tag', 'database', '--since',
                                       '2026-01-01', '--limit', '20']),
    ('search --rank-all', ['search', 'planner', '--rank-all', '--limit', '20']),
    ('list --limit 20', ['list', '--limit', '20']),
    ('list two tags', ['list', '--tag', 'rust', '--tag', 'ai', '--limit', '20']),
    ('list --any-tag', ['list', '--any-tag', 'rust', '--any-tag', 'go', '--limit', '20']),
    ('list --author', ['list', '--author', "Fu'ad Husnan", '--limit', '20']),
    ('list --author one word', ['list', '--author', 'husnan', '--limit', '20']),
    ('list --has-code sql', ['list', '--has-code', 'sql', '--limit', '20']),
    ('list --sort updated', ['list', '--sort', 'updated', '--limit', '20']),
    ('list --sort first_seen --reverse', ['list', '--sort', 'first_seen', '--reverse',
                                          '--limit', '20']),
    ('list --feed 1', ['list', '--feed', '1', '--limit', '20']),
    ('list --archived-since 1d', ['list', '--archived-since', '1d', '--limit', '20']),
    ('list --tag --archived-since 1d', ['list', '--tag', 'python', '--archived-since', '1d',
                                        '--limit', '20']),
    ('list --changed-since 1d', ['list', '--changed-since', '1d', '--limit', '20']),
    ('search --archived-since 1d', ['search', 'planner', '--archived-since', '1d',
                                    '--limit', '20']),
    ('code --lang sql --limit 20', ['code', '--lang', 'sql', '--limit', '20']),
    ('show 5000', ['show', '5000']),
    ('history 5000', ['history', '5000']),
    ('tags', ['tags']),
    ('authors', ['authors']),
    ('stats', ['stats']),
    ('--version (process start only)', ['--version']),
]


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('feedkeep')
    ap.add_argument('archive')
    ap.add_argument('--import', dest='corpus')
    ap.add_argument('--runs', type=int, default=50)
    args = ap.parse_args()
    if args.corpus:
        start = time.perf_counter()
        subprocess.run([args.feedkeep, '--db', args.archive, 'import', args.corpus], check=True)
        print('import: %.1f s' % (time.perf_counter() - start))
    print('%-36s %9s %9s %9s %9s' % ('command', 'median', 'p95', 'cpu med', 'cpu p95'))
    for name, argv in QUERIES:
        cmd = [args.feedkeep] + (argv if argv[0] == '--version'
                                 else ['--db', args.archive] + argv)
        run_once(cmd)  # warm the page cache
        runs = [run_once(cmd) for _ in range(args.runs)]
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        print('%-36s %7.1fms %7.1fms %7.1fms %7.1fms' % (
            name, statistics.median(walls) * 1000, p95(walls) * 1000,
            statistics.median(cpus) * 1000, p95(cpus) * 1000))


if __name__ == '__main__':
    main()
