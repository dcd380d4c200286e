#!/usr/bin/env python3
"""Import benchmark: feedkeep against the floor and against peers, on one
corpus, in one run. A benchmark, not a test: it prints tables (Markdown, so
they can be quoted as they are) and checks nothing but that each command
succeeds. It writes only into its work directory, a fresh temporary one
unless --workdir is given, which it removes at the end (--keep keeps it).

usage: compare.py FEEDKEEP CORPUS.xml [--runs N] [--workdir DIR] [--keep]
                  [--skip NAME]... [--runs-for NAME=N]... [--python PYTHON]

Each entry runs --runs times (default 5), the entries taking turns round by
round, so that a change in the machine's load falls on all of them alike.
Each is reported as the median of its runs: CPU time (user + system of the
process, from wait4), wall time and peak resident memory (ru_maxrss). An
entry made of several processes sums their CPU and wall times and takes the
largest peak of memory, run by run, before the median.

Entries (NAME for --skip and --runs-for):
  import      feedkeep --db NEW.db import CORPUS, into a new archive each run
  reimport    the same import again, into the archive just made
  floor       what the machine must spend at least, on the same bytes:
                xmllint --stream --noout CORPUS           (libxml2 parse)
              + xmllint --html --noout DESCS.html         (libxml2 HTML parse
                of every item's HTML, one <div> each in one document)
              + sqlite3 NEW.db < INSERT.sql               (bare FTS5 insert of
                each item's title and plain text, one transaction)
              DESCS.html and INSERT.sql are made once, before timing.
  sfeed       sfeed < CORPUS > /dev/null (parses only: stores and indexes nothing)
  feedparser  bench/feedparser_import.py CORPUS NEW.db (feedparser + sqlite3)

The feedparser entry needs a Python with feedparser (--python, default this
one; Debian's python3-feedparser is for /usr/bin/python3). At 12,000 items
it takes minutes a run: --runs-for feedparser=2 runs it fewer times.

Make a corpus with the shared generator, from the repository:
    python3 ../shared/bench/gen_corpus.py ../shared/fixtures/devto-fuadhusnan.xml \\
        1200 /tmp/c1200.xml
"""
import argparse
import ctypes
import html
import html.parser
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ENTRIES = ['import', 'reimport', 'floor', 'sfeed', 'feedparser']
HERE = os.path.dirname(os.path.abspath(__file__))

RSS_CONTENT = '{http://purl.org/rss/1.0/modules/content/}encoded'
ATOM = '{http://www.w3.org/2005/Atom}'
RSS1 = '{http://purl.org/rss/1.0/}'


# ---------------------------------------------------------------------------
# Preparation (not timed): the HTML of every item, and the FTS5 insert script


class PlainText(html.parser.HTMLParser):
    """Character data of an HTML fragment with entities decoded, without
    script and style; tags become spaces."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self.skipping += 1
        self.parts.append(' ')

    def handle_endtag(self, tag):
        if tag in ('script', 'style'):
            self.skipping = max(0, self.skipping - 1)
        self.parts.append(' ')

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(fragment):
    parser = PlainText()
    parser.feed(fragment)
    parser.close()
    return ' '.join(''.join(parser.parts).split())


def element_text(element):
    return ''.join(element.itertext()) if element is not None else ''


def items(corpus):
    """(title, html) of each RSS item or Atom entry: the content
    (content:encoded, Atom content), else the description or summary, as
    feedkeep chooses what to convert."""
    item_tags = {'item', RSS1 + 'item', ATOM + 'entry'}
    for _, element in ET.iterparse(corpus, events=('end',)):
        if element.tag not in item_tags:
            continue
        if element.tag == ATOM + 'entry':
            title = element.find(ATOM + 'title')
            body = element.find(ATOM + 'content')
            if body is None:
                body = element.find(ATOM + 'summary')
            if body is not None and body.get('type') == 'xhtml':
                body_html = ''.join(ET.tostring(child, encoding='unicode') for child in body)
            elif body is not None and body.get('type') in (None, 'text'):
                body_html = html.escape(element_text(body))
            else:
                body_html = element_text(body)
        else:
            ns = RSS1 if element.tag.startswith(RSS1) else ''
            title = element.find(ns + 'title')
            body = element.find(RSS_CONTENT)
            if body is None:
                body = element.find(ns + 'description')
            body_html = element_text(body)
        yield element_text(title), body_html
        element.clear()


def sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def prepare(corpus, workdir):
    """Writes DESCS.html and INSERT.sql for the floor; returns the item
    count."""
    descs_path = os.path.join(workdir, 'DESCS.html')
    insert_path = os.path.join(workdir, 'INSERT.sql')
    count = 0
    with open(descs_path, 'w', encoding='utf-8') as descs, \
            open(insert_path, 'w', encoding='utf-8') as insert:
        descs.write('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                    '<title>descriptions</title></head><body>\n')
        insert.write('CREATE VIRTUAL TABLE t USING fts5(title, body);\nBEGIN;\n')
        for title, body_html in items(corpus):
            descs.write('<div>\n%s\n</div>\n' % body_html)
            insert.write('INSERT INTO t (title, body) VALUES (%s, %s);\n'
                         % (sql_string(title), sql_string(plain_text(body_html))))
            count += 1
        descs.write('</body></html>\n')
        insert.write('COMMIT;\n')
    return count


# ---------------------------------------------------------------------------
# Measuring


class Failed(Exception):
    pass


# The peak RSS a process reports (ru_maxrss) starts at the high-water mark of
# the memory of the process that forked it: a command started by this Python
# would never report less than this Python's peak. So each command is forked
# by a shell, whose memory is small: the shell starts it in the background,
# held on a read until told to go, prints its process id and exits. This
# process is a child subreaper (Linux prctl), so the orphan becomes its child;
# it is then let go, timed, and reaped here, and wait4 gives the command's own
# CPU time and peak, without the shell's.
SPAWN = ('input=$1; shift; exec 3<&0; '
         '{ read -r go <&3 || exit 125; exec "$@" <"$input" 3<&-; } >/dev/null & echo $!')
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit('compare.py: prctl(PR_SET_CHILD_SUBREAPER): %s'
                 % os.strerror(ctypes.get_errno()))


def run(cmd, workdir, stdin=None, ok_codes=(0,)):
    """Runs cmd with stdin from the file stdin (default /dev/null) and
    stdout to /dev/null; returns (cpu s, wall s, peak RSS KiB) of the
    process. stderr goes to a file, so that however much a tool complains
    it cannot block on a full pipe."""
    err_path = os.path.join(workdir, 'stderr.txt')
    go_read, go_write = os.pipe()
    try:
        with open(err_path, 'wb') as err:
            shell = subprocess.run(['sh', '-c', SPAWN, 'sh', stdin or os.devnull] + cmd,
                                   stdin=go_read, stdout=subprocess.PIPE, stderr=err,
                                   check=True)
        os.close(go_read)
        go_read = None
        pid = int(shell.stdout)
        start = time.perf_counter()
        os.write(go_write, b'go\n')
        try:
            _, status, usage = os.wait4(pid, 0)
        except KeyboardInterrupt:  # the shell made it ignore SIGINT
            os.kill(pid, signal.SIGTERM)
            os.wait4(pid, 0)
            raise
        wall = time.perf_counter() - start
    finally:
        if go_read is not None:
            os.close(go_read)
        os.close(go_write)
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        with open(err_path, 'rb') as err:
            tail = err.read()[-2000:].decode(errors='replace')
        raise Failed('%s exited with %d: %s' % (' '.join(cmd), code, tail))
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


def remove_db(path):
    for suffix in ('', '-wal', '-shm', '-journal'):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def combine(samples):
    """One run of several processes: CPU and wall summed, the largest peak."""
    return (sum(s[0] for s in samples), sum(s[1] for s in samples),
            max(s[2] for s in samples))


def round_of(args, workdir, todo):
    """One run of each entry in todo; returns {name: (cpu, wall, rss)}, with
    the floor's parts as floor:PART as well."""
    result = {}
    db = os.path.join(workdir, 'feedkeep.db')
    if 'import' in todo:
        remove_db(db)
        result['import'] = run([args.feedkeep, '--db', db, 'import', args.corpus], workdir)
        if 'reimport' in todo:
            result['reimport'] = run([args.feedkeep, '--db', db, 'import', args.corpus],
                                     workdir)
    if 'floor' in todo:
        floor_db = os.path.join(workdir, 'floor.db')
        remove_db(floor_db)
        parts = [
            ('xmllint --stream', run(['xmllint', '--stream', '--noout', args.corpus], workdir)),
            # xmllint exits 1 when the HTML parser reported errors (HTML5
            # elements it does not know); it has parsed the whole document.
            ('xmllint --html', run(['xmllint', '--html', '--noout',
                                    os.path.join(workdir, 'DESCS.html')], workdir,
                                   ok_codes=(0, 1))),
            ('sqlite3 FTS5 insert', run(['sqlite3', floor_db], workdir,
                                        stdin=os.path.join(workdir, 'INSERT.sql'))),
        ]
        for part, sample in parts:
            result['floor: ' + part] = sample
        result['floor'] = combine([sample for _, sample in parts])
    if 'sfeed' in todo:
        result['sfeed'] = run(['sfeed'], workdir, stdin=args.corpus)
    if 'feedparser' in todo:
        fp_db = os.path.join(workdir, 'feedparser.db')
        remove_db(fp_db)
        result['feedparser'] = run([args.python, os.path.join(HERE, 'feedparser_import.py'),
                                    args.corpus, fp_db], workdir)
    return result


# ---------------------------------------------------------------------------
# The machine


def command_output(cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ''
    return (proc.stdout + proc.stderr).strip()


def package_version(package):
    out = command_output(['dpkg-query', '-W', '-f', '${Version}', package])
    return out if out and 'no packages found' not in out else 'not installed (dpkg)'


def machine(args):
    cpu_model = 'unknown'
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    cpu_model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    xmllint = command_output(['xmllint', '--version']).splitlines()
    libxml = re.search(r'libxml version (\d+)', xmllint[0]) if xmllint else None
    if libxml:
        number = int(libxml.group(1))
        libxml_version = '%d.%d.%d' % (number // 10000, number // 100 % 100, number % 100)
    else:
        libxml_version = 'unknown'
    feedparser_version = command_output(
        [args.python, '-c', 'import feedparser; print(feedparser.__version__)'])
    rows = [
        ('CPU', '%s, %d cores online' % (cpu_model, os.cpu_count() or 0)),
        ('kernel', '%s %s %s' % (platform.system(), platform.release(), platform.machine())),
        ('feedkeep', command_output([args.feedkeep, '--version']) or 'unknown'),
        ('libxml2 (xmllint)', '%s (package libxml2 %s)'
         % (libxml_version, package_version('libxml2'))),
        ('sqlite3', '%s (package libsqlite3-0 %s)'
         % ((command_output(['sqlite3', '--version']).split() or ['unknown'])[0],
            package_version('libsqlite3-0'))),
        ('sfeed', 'package %s' % package_version('sfeed')),
        ('python3', platform.python_version() if args.python == sys.executable
         else command_output([args.python, '--version'])),
        ('feedparser', '%s (package python3-feedparser %s)'
         % (feedparser_version.splitlines()[-1] if feedparser_version else 'unknown',
            package_version('python3-feedparser'))),
    ]
    return rows


# ---------------------------------------------------------------------------
# Reporting


def mib(kib):
    return kib / 1024.0


def table(header, rows):
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    lines = ['| ' + ' | '.join(str(cell).ljust(w) for cell, w in zip(header, widths)) + ' |',
             '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    for row in rows:
        lines.append('| ' + ' | '.join(str(cell).ljust(w) for cell, w in zip(row, widths))
                     + ' |')
    return '\n'.join(lines)


def ratio(a, b):
    return '%.2f' % (a / b) if a is not None and b else '-'


def parse_runs_for(values, runs):
    counts = {name: runs for name in ENTRIES}
    for value in values:
        name, _, count = value.partition('=')
        if name not in ENTRIES or not count.isdigit() or int(count) < 1:
            sys.exit('compare.py: --runs-for wants NAME=N, NAME one of %s: %r'
                     % (', '.join(ENTRIES), value))
        counts[name] = int(count)
    return counts


def main():
    ap = argparse.ArgumentParser(description='Import benchmark: feedkeep, the floor, peers.')
    ap.add_argument('feedkeep', help='the feedkeep executable')
    ap.add_argument('corpus', help='the feed file, e.g. made by gen_corpus.py')
    ap.add_argument('--runs', type=int, default=5, help='runs of each entry (default 5)')
    ap.add_argument('--runs-for', action='append', default=[], metavar='NAME=N',
                    help='runs of one entry, e.g. feedparser=2')
    ap.add_argument('--skip', action='append', default=[], choices=ENTRIES[1:],
                    help='leave an entry out (repeatable)')
    ap.add_argument('--workdir', help='where archives and prepared files go '
                    '(default: a new temporary directory)')
    ap.add_argument('--keep', action='store_true', help='keep the work directory')
    ap.add_argument('--python', default=sys.executable,
                    help='the Python that runs the feedparser script (default: this one)')
    args = ap.parse_args()
    if args.runs < 1:
        sys.exit('compare.py: --runs must be at least 1')
    args.feedkeep = os.path.abspath(args.feedkeep)
    args.corpus = os.path.abspath(args.corpus)
    counts = parse_runs_for(args.runs_for, args.runs)
    for name in args.skip:
        counts[name] = 0
    if counts['import'] == 0:
        counts['reimport'] = 0
    counts['reimport'] = min(counts['reimport'], counts['import'])
    needed = [tool for tool, entry in (('xmllint', 'floor'), ('sqlite3', 'floor'),
                                       ('sfeed', 'sfeed')) if counts[entry]]
    for tool in needed:
        if shutil.which(tool) is None:
            sys.exit('compare.py: %s not found (install it, or --skip the entry that needs it)'
                     % tool)
    if counts['feedparser'] and subprocess.run(
            [args.python, '-c', 'import feedparser'], capture_output=True).returncode != 0:
        sys.exit('compare.py: %s cannot import feedparser: give --python (on Debian, '
                 '/usr/bin/python3 with python3-feedparser) or --skip feedparser' % args.python)

    become_subreaper()
    own_workdir = args.workdir is None
    workdir = tempfile.mkdtemp(prefix='feedkeep-bench-') if own_workdir else args.workdir
    os.makedirs(workdir, exist_ok=True)
    try:
        report(args, counts, workdir)
    except Failed as e:
        sys.exit('compare.py: %s' % e)
    finally:
        if own_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep or not own_workdir:
            print('\nwork directory kept: %s' % workdir, file=sys.stderr)


def report(args, counts, workdir):
    print('## Machine\n')
    print(table(['', ''], machine(args)))
    print()

    started = time.perf_counter()
    item_count = prepare(args.corpus, workdir) if counts['floor'] else None
    if item_count is None:
        item_count = sum(1 for _ in items(args.corpus))
    prepared = time.perf_counter() - started
    with open(args.corpus, 'rb') as corpus:  # into the page cache, untimed
        while corpus.read(1 << 20):
            pass
    baseline = run(['true'], workdir)[2]
    print('## Corpus\n')
    print('%s: %.1f MB, %d items; preparation of the floor (untimed) %.1f s; '
          'runs per entry: %s\n' % (
              os.path.basename(args.corpus), os.path.getsize(args.corpus) / 1e6, item_count,
              prepared, ', '.join('%s %d' % (n, counts[n]) for n in ENTRIES)))
    print('Each command is started by sh; the peak RSS of `true` started the same way is '
          '%.1f MiB, the least any entry can show.\n' % mib(baseline))

    samples = {}
    rounds = max(counts.values())
    for number in range(rounds):
        todo = [name for name in ENTRIES if counts[name] > number]
        round_started = time.perf_counter()
        result = round_of(args, workdir, todo)
        for name, sample in result.items():
            samples.setdefault(name, []).append(sample)
        print('round %d/%d (%s): %.1f s wall' % (
            number + 1, rounds, ', '.join('%s %.2fs cpu' % (name, result[name][0])
                                          for name in todo),
            time.perf_counter() - round_started), file=sys.stderr, flush=True)

    median = {name: tuple(statistics.median(s[i] for s in runs) for i in range(3))
              for name, runs in samples.items()}
    imp = median.get('import', (None,) * 3)
    floor = median.get('floor', (None,) * 3)

    names = [n for n in ['import', 'reimport', 'floor', 'floor: xmllint --stream',
                         'floor: xmllint --html', 'floor: sqlite3 FTS5 insert', 'sfeed',
                         'feedparser'] if n in median]
    labels = {
        'import': 'feedkeep import (new archive)',
        'reimport': 'feedkeep import again (reimport)',
        'floor': 'floor (sum of the 3 below)',
        'floor: xmllint --stream': '  xmllint --stream --noout',
        'floor: xmllint --html': '  xmllint --html --noout (descriptions)',
        'floor: sqlite3 FTS5 insert': '  sqlite3 bare FTS5 insert',
        'sfeed': 'sfeed (parse only: no store, no index)',
        'feedparser': 'feedparser + sqlite3 (Python)',
    }
    rows = []
    for name in names:
        cpu, wall, rss = median[name]
        rows.append([labels[name], len(samples[name]), '%.3f' % cpu, '%.3f' % wall,
                     '%.1f' % mib(rss), ratio(cpu, imp[0]), ratio(cpu, floor[0])])
    print('## Results (medians)\n')
    print(table(['entry', 'runs', 'CPU s', 'wall s', 'peak RSS MiB', 'CPU / import',
                 'CPU / floor'], rows))
    print()
    if 'sfeed' in median:
        print('sfeed only parses the feed into TSV: it stores and indexes nothing.\n')
    print('## CPU s of each run\n')
    print(table(['entry'] + ['run %d' % (i + 1) for i in range(rounds)],
                [[labels[name].strip()] + ['%.2f' % s[0] for s in samples[name]]
                 + [''] * (rounds - len(samples[name])) for name in names]))
    print()

    # A ratio of two entries: of their medians, and the median and range of
    # the ratios run by run (the two ran in the same round, under the same
    # load), which shows how much the machine moved the figure.
    def paired(top, bottom):
        per_run = [a[0] / b[0] for a, b in zip(samples[top], samples[bottom])]
        return ('%.2f (wall %s); per round %.2f, %.2f-%.2f'
                % (median[top][0] / median[bottom][0], ratio(median[top][1], median[bottom][1]),
                   statistics.median(per_run), min(per_run), max(per_run)),
                median[top][0] / median[bottom][0])

    targets = []
    for top, bottom, label, wanted, met in (
            ('import', 'floor', 'import CPU / floor CPU', '<= 1.5', lambda v: v <= 1.5),
            ('feedparser', 'import', 'feedparser CPU / import CPU', '>= 10', lambda v: v >= 10),
            ('reimport', 'import', 'reimport CPU / import CPU', '<= 0.25', lambda v: v <= 0.25)):
        if top in median and bottom in median:
            text, value = paired(top, bottom)
            targets.append([label, wanted, text, 'met' if met(value) else 'NOT met'])
    for name, label in (('import', 'import peak RSS (target stated for 280 MB)'),
                        ('reimport', 'reimport peak RSS')):
        if name in median:
            value = mib(median[name][2])
            targets.append([label, '< 64 MiB', '%.1f MiB (largest run %.1f)'
                            % (value, mib(max(s[2] for s in samples[name]))),
                            'met' if value < 64 else 'NOT met'])
    print('## Targets\n')
    print(table(['target', 'wanted', 'measured', ''], targets))
    print('\nall runs took %.1f s wall' % (time.perf_counter() - started))


if __name__ == '__main__':
    main()
