#!/usr/bin/env python3
"""Build a large archive from gen_stream.py, chunk by chunk, and time the
query commands on it; report how importing changed as the archive grew.

usage: million.py FEEDKEEP DIR [--articles N] [--chunk ITEMS] [--seed S]
                  [--authors A] [--tags T] [--years Y]
                  [--min-free GIB] [--stop-at HH:MM]
                  [--queries] [--runs N] [--report]

--articles N builds DIR/archive.db up to N articles (new ones: the updates
gen_stream.py makes come on top). Each chunk is one process,

    gen_stream.py --start K --count ITEMS | FEEDKEEP --db DIR/archive.db import -

so each chunk is one transaction: a chunk that is stopped leaves nothing
behind. DIR/million.json records the chunks done, with their figures; run
the same command again and it goes on from there; run it with a larger
--articles and it extends the archive (so the 1,000,000-article archive is
the 100,000-article one continued). The generator's options must stay those
the archive was begun with. A chunk takes about half a minute; 100,000
articles take about 8 minutes and 1,000,000 more than an hour on a 2-core
machine (the figures in bench/README.md). Before each chunk the build stops,
to be resumed later, if the file system has less than --min-free GiB free
(default 15) or the time (UTC) is past --stop-at.

Of each chunk it keeps the CPU time (user and system) of the feedkeep process
alone (wait4), its wall time and peak RSS (ru_maxrss), the generator's CPU
time, the archive's bytes (database and -wal) and articles after it.

--queries times bench/queries.py's commands on the archive, with words,
tags, an author and an article (one with a version) that the generated
archive has; --runs N each (default 20). The table is printed and kept in
DIR/queries-ARTICLES.txt.

--report prints the query tables kept, side by side, and the import curve:
CPU per item, wall per item and peak RSS by buckets of the archive's size when the chunk was filed, the last bucket
against the first, and the archive's bytes per article.
"""
import argparse
import ctypes
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_stream  # noqa: E402  (the sequence's layout: which positions are updates)
import queries  # noqa: E402

GENERATOR = os.path.join(HERE, 'gen_stream.py')
STATE = 'million.json'
# The options of gen_stream.py that make the sequence; an archive keeps them.
SEQUENCE_OPTIONS = ('seed', 'authors', 'tags', 'years')

# The peak RSS a process reports (ru_maxrss) starts at the high-water mark of
# the process that forked it, so feedkeep is forked by a small shell, which
# starts it in the background and exits; this process, a child subreaper,
# then reaps it and gets its own CPU time and peak from wait4 (as compare.py
# does). A background command of a shell reads /dev/null unless told
# otherwise: its stdin is given back from descriptor 3.
SPAWN = ('log=$1; shift; exec 3<&0; '
         '{ exec "$@" <&3 3<&- >>"$log" 2>&1; } & echo $!')
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit('million.py: prctl(PR_SET_CHILD_SUBREAPER): %s'
                 % os.strerror(ctypes.get_errno()))


def updates_before(position):
    """How many of positions 0 .. position-1 are updates (gen_stream.py's layout)."""
    if position < gen_stream.BLOCK:
        return 0
    last_block = (position - gen_stream.BLOCK) // gen_stream.BLOCK
    return max(0, last_block - gen_stream.UPDATE_LAG_BLOCKS + 1)


def new_before(position):
    return position - updates_before(position)


def positions_for(articles):
    """The fewest positions of the sequence that hold this many new articles."""
    low, high = articles, articles * 2 + gen_stream.BLOCK
    while low < high:
        middle = (low + high) // 2
        if new_before(middle) >= articles:
            high = middle
        else:
            low = middle + 1
    return low


def load_state(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def save_state(path, state):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(state, f, indent=1)
        f.write('\n')
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def archive_bytes(db):
    total = 0
    for suffix in ('', '-wal'):
        try:
            total += os.path.getsize(db + suffix)
        except FileNotFoundError:
            pass
    return total


def free_gib(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 2**30


def run_chunk(args, db, start, count, log):
    """Imports positions start .. start+count-1; returns the chunk's figures."""
    gen_cmd = [sys.executable, GENERATOR, '--start', str(start), '--count', str(count)]
    for option in SEQUENCE_OPTIONS:
        gen_cmd += ['--' + option, str(getattr(args, option))]
    with open(log, 'ab') as log_file:
        log_file.write(('positions %d..%d\n' % (start, start + count - 1)).encode())
    began = time.perf_counter()
    gen = subprocess.Popen(gen_cmd, stdout=subprocess.PIPE)
    try:
        shell = subprocess.run(['sh', '-c', SPAWN, 'sh', log, args.feedkeep, '--db', db,
                                'import', '-'],
                               stdin=gen.stdout, stdout=subprocess.PIPE, check=True)
        gen.stdout.close()
        pid = int(shell.stdout)
        try:
            _, status, usage = os.wait4(pid, 0)
        except KeyboardInterrupt:  # the shell made it ignore SIGINT
            os.kill(pid, signal.SIGTERM)
            os.wait4(pid, 0)
            raise
        wall = time.perf_counter() - began
        _, gen_status, gen_usage = os.wait4(gen.pid, 0)
        gen.returncode = os.waitstatus_to_exitcode(gen_status)
    except BaseException:
        gen.kill()
        gen.wait()
        raise
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or gen.returncode != 0:
        with open(log, 'rb') as f:
            tail = f.read()[-2000:].decode(errors='replace')
        sys.exit('million.py: chunk at %d failed (feedkeep %d, generator %d): %s'
                 % (start, code, gen.returncode, tail))
    # The import's last line: "-: N new, M updated, U unchanged".
    with open(log, 'rb') as f:
        f.seek(max(0, os.path.getsize(log) - 4096))
        lines = f.read().decode(errors='replace').splitlines()
    summary = next((line for line in reversed(lines) if ' new, ' in line), '')
    try:
        new = int(summary.split(': ', 1)[1].split(' new')[0])
        updated = int(summary.split(', ')[1].split(' updated')[0])
    except (IndexError, ValueError):
        sys.exit('million.py: no summary from the import of the chunk at %d' % start)
    return {
        'start': start, 'count': count, 'new': new, 'updated': updated,
        'user': usage.ru_utime, 'sys': usage.ru_stime, 'wall': wall,
        'maxrss_kib': usage.ru_maxrss,
        'gen_cpu': gen_usage.ru_utime + gen_usage.ru_stime,
        'bytes': archive_bytes(db), 'finished': int(time.time()),
    }


def progress(text, final=False):
    if sys.stderr.isatty():
        sys.stderr.write('\r\033[K' + text + ('\n' if final else ''))
    elif final:
        sys.stderr.write(text + '\n')
    sys.stderr.flush()


def build(args, state, state_path, db, log):
    target = positions_for(args.articles)
    chunks = state['chunks']
    position = chunks[-1]['start'] + chunks[-1]['count'] if chunks else 0
    if position >= target:
        print('the archive has %d articles already (%d asked)' % (
            sum(c['new'] for c in chunks), args.articles))
        return True
    total_chunks = len(chunks) + -(-(target - position) // args.chunk)
    first = len(chunks)
    rates = []
    while position < target:
        free = free_gib(args.dir)
        if free < args.min_free:
            progress('stopped: %.1f GiB free, under --min-free %.1f' % (free, args.min_free),
                     True)
            return False
        if args.stop_at and datetime.datetime.now(datetime.timezone.utc) >= args.stop_at:
            progress('stopped: past --stop-at', True)
            return False
        count = min(args.chunk, target - position)
        progress('chunk %d/%d: positions %d..%d ...' % (
            len(chunks) + 1, total_chunks, position, position + count - 1))
        chunk = run_chunk(args, db, position, count, log)
        chunks.append(chunk)
        save_state(state_path, state)
        position += count
        rates.append(count / chunk['wall'])
        recent = statistics.mean(rates[-3:])
        eta = (target - position) / recent
        articles = sum(c['new'] for c in chunks)
        progress('chunk %d/%d: %d articles, %.2f GB, %.0f items/s (%.0f us CPU/item, '
                 'peak %.1f MiB), ETA %s' % (
                     len(chunks), total_chunks, articles, chunk['bytes'] / 1e9,
                     count / chunk['wall'], (chunk['user'] + chunk['sys']) / count * 1e6,
                     chunk['maxrss_kib'] / 1024, duration(eta)),
                 final=not sys.stderr.isatty() or position >= target)
    done = len(chunks) - first
    print('built: %d chunks this run, %d articles in all' % (
        done, sum(c['new'] for c in chunks)))
    return True


def duration(seconds):
    seconds = int(seconds)
    if seconds >= 3600:
        return '%dh%02dm' % (seconds // 3600, seconds % 3600 // 60)
    return '%dm%02ds' % (seconds // 60, seconds % 60)


def query_values(args, state):
    """Values for queries.py that the generated archive has."""
    gen = gen_stream.Generator(argparse.Namespace(
        seed=args.seed, authors=args.authors, tags=args.tags, years=args.years,
        sample=gen_stream.DEFAULT_SAMPLE))
    # An author of some articles (rank 50), and one word of the name.
    name, _ = gen.author(50)
    # The first article that was updated: its id is the number of new
    # articles filed before it, plus one (ids are given in filing order).
    first_update = gen_stream.UPDATE_LAG_BLOCKS * gen_stream.BLOCK + gen_stream.BLOCK - 1
    article_position, _ = gen.position(first_update)
    end = state['chunks'][-1]['start'] + state['chunks'][-1]['count']
    values = {'author': name, 'author_word': name.split()[-1].lower()}
    if first_update < end:
        values['id'] = str(new_before(article_position) + 1)
    else:
        values['id'] = str(max(1, new_before(end) // 2))
    return values


def run_queries(args, state, db):
    articles = sum(c['new'] for c in state['chunks'])
    values = query_values(args, state)
    out_path = os.path.join(args.dir, 'queries-%d.txt' % articles)
    with open(out_path, 'w') as out:
        header = ('%d articles, %s, --runs %d; %s\n' % (
            articles, args.feedkeep, args.runs,
            ', '.join('%s=%s' % kv for kv in sorted(values.items()))))
        out.write(header)
        print(header, end='')

        class Tee:
            def write(self, text):
                sys.stdout.write(text)
                out.write(text)

            def flush(self):
                sys.stdout.flush()
                out.flush()

        queries.time_queries(args.feedkeep, db, args.runs, values, out=Tee())
    print('kept in %s' % out_path)


def query_curve(directory):
    """The tables --queries kept, side by side: per command and archive
    size, the wall time median and p95 and the CPU median, in ms."""
    tables = {}
    for name in os.listdir(directory):
        if not (name.startswith('queries-') and name.endswith('.txt')):
            continue
        try:
            size = int(name[len('queries-'):-len('.txt')])
        except ValueError:
            continue
        rows = {}
        with open(os.path.join(directory, name)) as f:
            for line in f.readlines()[2:]:
                fields = line.rsplit(None, 4)
                if len(fields) == 5 and fields[1].endswith('ms'):
                    rows[fields[0].strip()] = [float(x[:-2]) for x in fields[1:]]
        tables[size] = rows
    if not tables:
        return
    sizes = sorted(tables)
    print('| command | %s |' % ' | '.join(
        '{:,}: wall median / p95, CPU median (ms)'.format(size) for size in sizes))
    print('|---|%s' % ('---|' * len(sizes)))
    for command in tables[sizes[0]]:
        cells = []
        for size in sizes:
            row = tables[size].get(command)
            cells.append('%.1f / %.1f, %.1f' % (row[0], row[1], row[2]) if row else '')
        print('| `%s` | %s |' % (command, ' | '.join(cells)))
    print()


def report(state, directory):
    query_curve(directory)
    chunks = state['chunks']
    if not chunks:
        print('no chunk filed yet')
        return
    total = sum(c['new'] for c in chunks)
    # Buckets by the archive's size before the chunk: a tenth of the whole,
    # rounded to a chunk-friendly size.
    bucket = max(10000, round(total / 10, -4))
    rows = []
    filed = 0
    for c in chunks:
        index = filed // bucket
        if not rows or rows[-1]['index'] != index:
            rows.append({'index': index, 'from': filed, 'items': 0, 'cpu': 0.0, 'sys': 0.0,
                         'wall': 0.0, 'rss': 0, 'gen': 0.0, 'chunks': 0})
        row = rows[-1]
        row['items'] += c['count']
        row['cpu'] += c['user'] + c['sys']
        row['sys'] += c['sys']
        row['wall'] += c['wall']
        row['gen'] += c['gen_cpu']
        row['rss'] = max(row['rss'], c['maxrss_kib'])
        row['chunks'] += 1
        row['to'] = filed + c['new']
        row['bytes'] = c['bytes']
        filed += c['new']
    print('| archive before the chunks | chunks | items | CPU us/item | of which system '
          '| wall us/item | peak RSS MiB | generator CPU us/item | archive bytes/article after |')
    print('|---|---|---|---|---|---|---|---|---|')
    for row in rows:
        print('| %s to %s | %d | %d | %.0f | %.0f | %.0f | %.1f | %.0f | %.0f |' % (
            '{:,}'.format(row['from']), '{:,}'.format(row['to']), row['chunks'], row['items'],
            row['cpu'] / row['items'] * 1e6, row['sys'] / row['items'] * 1e6,
            row['wall'] / row['items'] * 1e6,
            row['rss'] / 1024, row['gen'] / row['items'] * 1e6, row['bytes'] / row['to']))
    first, last = chunks[0], chunks[-1]

    def per_item(c):
        return (c['user'] + c['sys']) / c['count'] * 1e6

    print()
    print('first chunk: %.0f us CPU/item (user %.1f s, sys %.1f s); last chunk: %.0f us '
          '(user %.1f s, sys %.1f s); last / first %.2f' % (
              per_item(first), first['user'], first['sys'], per_item(last), last['user'],
              last['sys'], per_item(last) / per_item(first)))
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        print('last bucket / first bucket, CPU per item: %.2f' % (
            (b['cpu'] / b['items']) / (a['cpu'] / a['items'])))
    print('peak RSS: %.1f MiB at most (chunk %d)' % (
        max(c['maxrss_kib'] for c in chunks) / 1024,
        max(range(len(chunks)), key=lambda i: chunks[i]['maxrss_kib']) + 1))
    updated = sum(c['updated'] for c in chunks)
    print('%d articles (%d updates filed), %d positions; archive %.2f GB, %.0f bytes per article'
          % (total, updated, last['start'] + last['count'], last['bytes'] / 1e9,
             last['bytes'] / total))
    cpu = sum(c['user'] + c['sys'] for c in chunks)
    wall = sum(c['wall'] for c in chunks)
    print('import in all: %s of CPU (feedkeep), %s of wall time' % (duration(cpu),
                                                                  duration(wall)))


def stop_on_signal(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('feedkeep')
    ap.add_argument('dir')
    ap.add_argument('--articles', type=int)
    ap.add_argument('--chunk', type=int, default=10000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--authors', type=int, default=50000)
    ap.add_argument('--tags', type=int, default=5000)
    ap.add_argument('--years', type=float, default=10.0)
    ap.add_argument('--min-free', type=float, default=15.0)
    ap.add_argument('--stop-at')
    ap.add_argument('--queries', action='store_true')
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--report', action='store_true')
    args = ap.parse_args()
    if args.articles is None and not args.queries and not args.report:
        ap.error('nothing to do: give --articles, --queries or --report')
    if args.chunk < 1 or (args.articles is not None and args.articles < 1):
        ap.error('--articles and --chunk must be at least 1')
    lag = gen_stream.UPDATE_LAG_BLOCKS * gen_stream.BLOCK
    if args.chunk > lag:
        ap.error('--chunk over %d would put updates in the document of their article' % lag)
    if args.stop_at:
        try:
            hour, minute = (int(x) for x in args.stop_at.split(':'))
            now = datetime.datetime.now(datetime.timezone.utc)
            args.stop_at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        except ValueError:
            ap.error('--stop-at takes HH:MM (UTC)')
    args.feedkeep = os.path.abspath(args.feedkeep)
    os.makedirs(args.dir, exist_ok=True)
    db = os.path.join(args.dir, 'archive.db')
    state_path = os.path.join(args.dir, STATE)
    log = os.path.join(args.dir, 'import.log')
    sequence = {option: getattr(args, option) for option in SEQUENCE_OPTIONS}
    sequence['version'] = gen_stream.SEQUENCE_VERSION
    state = load_state(state_path)
    if state is None:
        if os.path.exists(db):
            sys.exit('million.py: %s exists but %s does not: not an archive of this script'
                     % (db, state_path))
        state = {'sequence': sequence, 'chunks': []}
    elif state['sequence'] != sequence:
        sys.exit('million.py: the archive was begun with %s; these options and this '
                 'gen_stream.py give %s' % (state['sequence'], sequence))
    if args.articles is not None:
        become_subreaper()
        # kill (SIGTERM) stops the build as Ctrl-C does: the chunk under way
        # is stopped and rolled back, and the state keeps the chunks done.
        signal.signal(signal.SIGTERM, stop_on_signal)
        try:
            if not build(args, state, state_path, db, log):
                return 2
        except KeyboardInterrupt:
            progress('stopped: the chunk under way was rolled back; run again to go on', True)
            return 130
    if args.queries:
        if not state['chunks']:
            sys.exit('million.py: no archive to query yet')
        run_queries(args, state, db)
    if args.report:
        report(state, args.dir)
    return 0


if __name__ == '__main__':
    sys.exit(main())
