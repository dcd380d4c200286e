#!/usr/bin/env python3
"""Time `feedkeep extract` on the article test pages: for each page the
median over --runs runs (default 5) of the process's CPU time (user +
system, from wait4) and wall time, and its peak RSS; then the median page,
the slowest pages and the largest peak. A benchmark, not a test: it prints
figures and checks nothing but that each command succeeds (a page without
article text, exit 1, counts as done).

usage: extract.py FEEDKEEP [--pages DIR] [--runs N] [--slowest K]

DIR defaults to ../shared/extract/test-pages beside the repository: each
folder holds a source.html. The figures include starting the process; the
line "process start" gives that alone (extract of a one-line page), so
what the extraction itself costs is the difference.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PAGES = os.path.join(HERE, '..', '..', 'shared', 'extract', 'test-pages')


def run_once(args, stdin=None):
    """CPU seconds, wall seconds and peak RSS (KiB) of one run."""
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit('%s: exit %d' % (' '.join(args), code))
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


def measure(args, runs, stdin_path=None):
    cpu, wall, rss = [], [], 0
    for _ in range(runs):
        stdin = open(stdin_path, 'rb') if stdin_path else None
        c, w, r = run_once(args, stdin)
        if stdin:
            stdin.close()
        cpu.append(c)
        wall.append(w)
        rss = max(rss, r)
    return statistics.median(cpu), statistics.median(wall), rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('feedkeep')
    ap.add_argument('--pages', default=DEFAULT_PAGES)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--slowest', type=int, default=5)
    a = ap.parse_args()
    names = sorted(n for n in os.listdir(a.pages)
                   if os.path.isfile(os.path.join(a.pages, n, 'source.html')))
    if not names:
        sys.exit('no test pages in %s' % a.pages)

    base_cpu, base_wall, base_rss = measure(
        [a.feedkeep, 'extract', '-'], a.runs, stdin_path=os.devnull)
    rows = []
    for name in names:
        path = os.path.join(a.pages, name, 'source.html')
        cpu, wall, rss = measure([a.feedkeep, 'extract', path, '--url',
                                  'http://fakehost/test/page.html', '--format', 'text'], a.runs)
        rows.append((name, os.path.getsize(path), cpu, wall, rss))

    ms = 1000.0
    print('extract: %d pages, median of %d runs each' % (len(rows), a.runs))
    print('  process start     cpu %6.1f ms  wall %6.1f ms  peak RSS %6.1f MB'
          % (base_cpu * ms, base_wall * ms, base_rss / 1024))
    cpus = [r[2] for r in rows]
    walls = [r[3] for r in rows]
    print('  median page       cpu %6.1f ms  wall %6.1f ms  (less process start: %.1f ms cpu)'
          % (statistics.median(cpus) * ms, statistics.median(walls) * ms,
             (statistics.median(cpus) - base_cpu) * ms))
    print('  mean page         cpu %6.1f ms  wall %6.1f ms'
          % (statistics.mean(cpus) * ms, statistics.mean(walls) * ms))
    peak = max(rows, key=lambda r: r[4])
    print('  largest peak RSS  %.1f MB (%s, %d KB page)' % (peak[4] / 1024, peak[0],
                                                        peak[1] // 1024))
    print('  slowest pages:')
    for name, size, cpu, wall, rss in sorted(rows, key=lambda r: -r[2])[:a.slowest]:
        print('    %-32s %5d KB  cpu %6.1f ms  wall %6.1f ms  peak RSS %5.1f MB'
              % (name, size // 1024, cpu * ms, wall * ms, rss / 1024))


if __name__ == '__main__':
    main()
