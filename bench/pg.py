#!/usr/bin/env python3
"""PostgreSQL archives against SQLite ones: import, and fetchers at once.
A benchmark, not a test: it prints Markdown tables and checks nothing but
that each command succeeds.

usage: pg.py FEEDKEEP CORPUS.xml SOCKET_DIR [--runs N] [--feeds N]
             [--fetchers 1,2,4] [--hosts N] [--role ROLE]

SOCKET_DIR is where a running PostgreSQL server has its Unix socket; ROLE
(default feedkeep) must be able to create databases there. The script
makes and drops databases named fkbench_*. Start a server with, for
example, Debian's initdb and pg_ctl as an unprivileged user; the figures
are only as durable as its settings (fsync, synchronous_commit): say which.

import    the corpus imported into a new SQLite file, and into a new
          PostgreSQL database: feedkeep's CPU time (user + system, from
          wait4), the server's (the CPU time its processes gained, from
          /proc), and the wall time; median of --runs runs, taking turns.
fetchers  the corpus split into --feeds feeds of equal size, served by a
          loopback HTTP server on --hosts addresses (127.0.0.1, .2, ...),
          subscribed in a new database, and fetched by 1, 2 and 4 `fetch`
          processes started at once: wall time until the last ends, items
          a second, and the CPU of the fetchers and of the server.
"""
import argparse
import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TICKS = os.sysconf('SC_CLK_TCK')


def server_cpu(socket):
    """CPU seconds of the PostgreSQL server with its socket in socket so far:
    of the postmaster and its children alive, and of the children that have
    ended (a backend ends with its connection), which the postmaster has
    collected (cutime, cstime)."""
    stats = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmd = f.read().split(b'\0')
            with open('/proc/%s/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        stats[int(pid)] = (cmd, [int(x) for x in fields[1:15]])
    master = [pid for pid, (cmd, _) in stats.items()
              if cmd[0].endswith(b'/postgres') and socket.encode() in cmd]
    if not master:
        sys.exit('no PostgreSQL server with its socket in %s' % socket)
    total = 0
    for pid, (cmd, f) in stats.items():
        if pid == master[0]:
            total += f[10] + f[11] + f[12] + f[13]  # utime, stime, cutime, cstime
        elif f[0] == master[0]:  # ppid
            total += f[10] + f[11]
    return total / TICKS


def psql(args, sql):
    subprocess.run(['psql', '-X', '-q', '-h', args.socket, '-U', args.role, '-d', 'postgres',
                    '-c', sql], check=True, capture_output=True)


def new_database(args, name):
    psql(args, 'DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)
    psql(args, 'CREATE DATABASE %s' % name)
    return 'postgresql:///%s?host=%s&user=%s' % (name, args.socket, args.role)


def timed(args, cmds):
    """Run the commands at once; (wall, CPU of them all, server CPU)."""
    before = server_cpu(args.socket)
    start = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL) for c in cmds]
    cpu = 0.0
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
    wall = time.monotonic() - start
    for p, c in zip(procs, cmds):
        err = p.stderr.read().decode('utf-8', 'replace')
        if p.returncode not in (0, 1):
            sys.exit('failed (%d): %s\n%s' % (p.returncode, ' '.join(c), err[-2000:]))
    # the backends end after their clients, and the postmaster collects
    # their CPU time when it reaps them
    time.sleep(1)
    return wall, cpu, server_cpu(args.socket) - before


def bench_import(args, work):
    rows = {'SQLite': [], 'PostgreSQL': []}
    for r in range(args.runs):
        db = os.path.join(work, 'import-%d.db' % r)
        rows['SQLite'].append(timed(args, [[args.feedkeep, '--db', db, 'import', args.corpus]]))
        os.unlink(db)
        loc = new_database(args, 'fkbench_import')
        rows['PostgreSQL'].append(timed(args, [[args.feedkeep, '--db', loc, 'import', args.corpus]]))
    items = count_items(args.corpus)
    print('\n### Import of %d items (median of %d runs)\n' % (items, args.runs))
    print('| archive | feedkeep CPU s | server CPU s | all CPU s | wall s | items/s |')
    print('|---|---|---|---|---|---|')
    for name, runs in rows.items():
        wall = statistics.median(x[0] for x in runs)
        cpu = statistics.median(x[1] for x in runs)
        srv = statistics.median(x[2] for x in runs)
        print('| %s | %.2f | %.2f | %.2f | %.2f | %.0f |'
              % (name, cpu, srv, cpu + srv, wall, items / wall))


def count_items(path):
    with open(path, 'rb') as f:
        return f.read().count(b'<item>')


def split_corpus(path, feeds, out):
    with open(path, 'rb') as f:
        data = f.read()
    first = data.index(b'<item>')
    head = data[:first]
    tail = b'</channel>\n</rss>\n'
    items = re.findall(rb'<item>.*?</item>', data[first:], re.S)
    per = (len(items) + feeds - 1) // feeds
    names = []
    for i in range(feeds):
        name = 'feed%03d.xml' % i
        with open(os.path.join(out, name), 'wb') as f:
            f.write(head + b'\n'.join(items[i * per:(i + 1) * per]) + b'\n' + tail)
        names.append(name)
    return names, len(items)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve(directory, hosts):
    servers = []
    for i in range(hosts):
        handler = lambda *a, **k: Quiet(*a, directory=directory, **k)  # noqa: E731
        s = http.server.ThreadingHTTPServer(('127.0.0.%d' % (i + 1), 0), handler)
        threading.Thread(target=s.serve_forever, daemon=True).start()
        servers.append(s)
    return servers


def bench_fetchers(args, work):
    docs = os.path.join(work, 'feeds')
    os.mkdir(docs)
    names, items = split_corpus(args.corpus, args.feeds, docs)
    servers = serve(docs, args.hosts)
    urls = ['http://127.0.0.%d:%d/%s' % (i % args.hosts + 1,
                                        servers[i % args.hosts].server_address[1], n)
            for i, n in enumerate(names)]
    print('\n### %d items in %d feeds on %d hosts, fetched by N fetchers at once\n'
          % (items, len(urls), args.hosts))
    print('| fetchers | wall s | items/s | fetchers CPU s | server CPU s |')
    print('|---|---|---|---|---|')
    for n in args.fetchers:
        walls, cpus, srvs = [], [], []
        for r in range(args.runs):
            loc = new_database(args, 'fkbench_fetch')
            subprocess.run([args.feedkeep, '--db', loc, 'add', '--no-check', *urls],
                           check=True, capture_output=True)
            wall, cpu, srv = timed(args, [[args.feedkeep, '--db', loc, 'fetch', '--quiet',
                                     '--no-assets', '--timeout', '300']
                                    for _ in range(n)])
            walls.append(wall)
            cpus.append(cpu)
            srvs.append(srv)
        wall = statistics.median(walls)
        print('| %d | %.2f | %.0f | %.2f | %.2f |' % (n, wall, items / wall,
                                                     statistics.median(cpus),
                                                     statistics.median(srvs)))
    for s in servers:
        s.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('feedkeep')
    ap.add_argument('corpus')
    ap.add_argument('socket')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--feeds', type=int, default=120)
    ap.add_argument('--hosts', type=int, default=8)
    ap.add_argument('--fetchers', default='1,2,4')
    ap.add_argument('--role', default='feedkeep')
    ap.add_argument('--skip', action='append', default=[])
    args = ap.parse_args()
    args.feedkeep = os.path.abspath(args.feedkeep)
    args.fetchers = [int(x) for x in args.fetchers.split(',')]
    work = tempfile.mkdtemp(prefix='fkbench-pg-')
    try:
        if 'import' not in args.skip:
            bench_import(args, work)
        if 'fetchers' not in args.skip:
            bench_fetchers(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        psql(args, 'DROP DATABASE IF EXISTS fkbench_import WITH (FORCE)')
        psql(args, 'DROP DATABASE IF EXISTS fkbench_fetch WITH (FORCE)')


if __name__ == '__main__':
    main()
