#!/usr/bin/env python3
"""test_pg_export.py - export on PostgreSQL against SQLite: the same export
of the same articles must print the same, exit the same, write the same
files byte for byte under the same names, and leave the same records
(export_dirs and export_files) in the archive.

usage: test_pg_export.py FEEDKEEP DATA_DIR CLUSTER_DIR

CLUSTER_DIR is a running cluster of tests/pgcluster.py. Feeds are imported
into a SQLite archive and copied into a fresh PostgreSQL database by
pgload.py, so both stores hold the same articles with the same ids; the
export records each store made are carried over from one copy to the next.
Each export runs into the same directory path for both stores (the
directory is recorded by its path): each store's tree is moved there for
its run and back after it. The cases are those of test_export.py that
the bookkeeping decides: a second run, --changed, --prune (with a file of
one's own and an edited one), names that clash, a title that changes, a
new article wanting a recorded name, --ascii-names, --for hugo after plain,
jsonl's file names, articles named by id (one twice) and a partial
directory.
"""
import html
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
import pgload  # noqa: E402 - tests/cli/pgload.py
from fktest import check, run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pgcluster  # noqa: E402 - tests/pgcluster.py

CLUSTER = None
STORES = ('sqlite', 'pg')
# feedkeep takes its times from time(), which reads the clock as the
# kernel last set it at a tick, a few milliseconds behind time.time(): a
# run begun just after a second turns can still see the second before.
# Linux's CLOCK_REALTIME_COARSE is that clock (Python does not name it).
CLOCK_OF_TIME = getattr(time, 'CLOCK_REALTIME_COARSE', 5)

# The records, times apart, as both stores have them.
DIRS = 'SELECT id, path, last_article, last_version FROM export_dirs ORDER BY id'
FILES = 'SELECT dir_id, article_id, name, path, hash FROM export_files ORDER BY dir_id, article_id'
# The times of one directory, as seconds.
SQLITE_TIMES = ('SELECT d.last_export, min(f.written), max(f.written) FROM export_dirs d'
                ' LEFT JOIN export_files f ON f.dir_id = d.id WHERE d.path = ? GROUP BY d.id')
PG_TIMES = ("SELECT fk_epoch(d.last_export), fk_epoch(min(f.written)), fk_epoch(max(f.written))"
            " FROM export_dirs d LEFT JOIN export_files f ON f.dir_id = d.id"
            " WHERE d.path = '%s' GROUP BY d.id")


def sql_text(s):
    return s.replace("'", "''")


def pg_rows(location, sql):
    """The rows of sql as tuples of text (psql's unaligned output)."""
    out = pgload.psql(location, sql)
    return [tuple(line.split('|')) for line in out.split('\n') if line]


def sqlite_rows(db, sql, *params):
    if not os.path.exists(db):
        return []
    return [tuple('' if v is None else str(v) for v in row)
            for row in fktest.query(db, sql, *params, readonly=True)]


def tree(root):
    """Every directory and file under root, with the bytes of each file."""
    found = {}
    if not os.path.isdir(root):
        return None
    for base, dirs, names in os.walk(root):
        for d in dirs:
            found[os.path.relpath(os.path.join(base, d), root) + '/'] = None
        for n in names:
            with open(os.path.join(base, n), 'rb') as fh:
                found[os.path.relpath(os.path.join(base, n), root)] = fh.read()
    return found


def tree_diff(a, b):
    """What differs between two trees, for a failure message."""
    if a is None or b is None:
        return 'SQLite %s, PostgreSQL %s' % ('none' if a is None else 'a tree',
                                             'none' if b is None else 'a tree')
    lines = ['only SQLite: %s' % p for p in sorted(set(a) - set(b))]
    lines += ['only PostgreSQL: %s' % p for p in sorted(set(b) - set(a))]
    lines += ['differs: %s' % p for p in sorted(set(a) & set(b)) if a[p] != b[p]]
    return '; '.join(lines[:10])


class Pair:
    """A SQLite archive, its copy in PostgreSQL, and the trees each store's
    exports wrote."""

    def __init__(self, tmp, name):
        self.name = name
        self.sqlite = os.path.join(tmp, name + '.db')
        self.pg = None
        self.copies = 0
        self.work = os.path.join(tmp, name + '-work')  # where exports run
        self.trees = {s: os.path.join(tmp, name + '-' + s) for s in STORES}
        for path in [self.work] + list(self.trees.values()):
            os.makedirs(path)

    def db(self, store):
        return self.sqlite if store == 'sqlite' else self.pg

    def norm(self, text):
        return text.replace(self.pg, 'ARCHIVE').replace(self.sqlite, 'ARCHIVE')

    def import_feed(self, path, what):
        rc, out, err = run('import', path, db=self.sqlite)
        check(rc == 0, '%s: import %r' % (what, err))
        self.copy()
        return out

    def copy(self):
        """A fresh PostgreSQL copy of the SQLite archive, with the export
        records PostgreSQL made (not SQLite's)."""
        saved = None
        if self.pg:
            saved = [pgload.psql(self.pg, 'COPY (SELECT * FROM %s) TO STDOUT WITH (FORMAT csv)'
                                 % table) for table in ('export_dirs', 'export_files')]
            sequence = pg_rows(self.pg, 'SELECT last_value, is_called FROM export_dirs_id_seq')[0]
        old = self.pg
        self.copies += 1
        self.pg = pgcluster.database(CLUSTER, 'fk_export_%s_%d' % (self.name, self.copies))
        if old:
            pgcluster.psql(CLUSTER, 'DROP DATABASE "fk_export_%s_%d" WITH (FORCE)'
                           % (self.name, self.copies - 1))
        pgload.load(fktest.BIN, self.sqlite, self.pg)
        pgload.psql(self.pg, 'DELETE FROM export_files; DELETE FROM export_dirs')
        if saved:
            pgload.psql(self.pg, 'COPY export_dirs FROM STDIN WITH (FORMAT csv)', stdin=saved[0])
            pgload.psql(self.pg, 'COPY export_files FROM STDIN WITH (FORMAT csv)', stdin=saved[1])
            pgload.psql(self.pg, "SELECT setval('export_dirs_id_seq', %s, '%s')" % sequence)

    def edit(self, directory, name, fn):
        """Change the file name of directory in both trees alike: fn(path)."""
        for store in STORES:
            fn(os.path.join(self.trees[store], directory, name))

    def export(self, *args, directory='out', what=None):
        """Run export --dir WORK/directory ARGS with each store, its tree
        in place; check that the output, the trees and the records agree.
        Returns SQLite's exit status, stdout and stderr."""
        what = what or 'export %s %s' % (directory, ' '.join(args))
        path = os.path.join(self.work, directory)
        results, windows = {}, {}
        for store in STORES:
            mine = os.path.join(self.trees[store], directory)
            if os.path.exists(mine):
                os.rename(mine, path)
            times = self.times(store, os.path.realpath(path))
            before = int(time.clock_gettime(CLOCK_OF_TIME))
            rc, out, err = run('export', '--dir', path, *args, db=self.db(store))
            windows[store] = (before, int(time.time()), times)
            if os.path.exists(path):
                os.rename(path, mine)
            results[store] = (rc, self.norm(out), self.norm(err))
        check(results['sqlite'] == results['pg'], '%s: SQLite %r\n  PostgreSQL %r'
              % (what, results['sqlite'], results['pg']))
        a, b = (tree(os.path.join(self.trees[s], directory)) for s in STORES)
        check(a == b, '%s: the trees differ: %s' % (what, tree_diff(a, b)))
        self.check_records(what, os.path.realpath(path), windows)
        return results['sqlite']

    def check_records(self, what, path, windows):
        dirs = (sqlite_rows(self.sqlite, DIRS), pg_rows(self.pg, DIRS))
        check(dirs[0] == dirs[1], '%s: export_dirs: SQLite %r\n  PostgreSQL %r'
              % (what, dirs[0], dirs[1]))
        files = (sqlite_rows(self.sqlite, FILES), pg_rows(self.pg, FILES))
        check(files[0] == files[1], '%s: export_files: SQLite %r\n  PostgreSQL %r'
              % (what, [f for f in files[0] if f not in files[1]],
                 [f for f in files[1] if f not in files[0]]))
        # The times: the directory's last export began in the run (or is
        # the one before, when the run recorded nothing), and no file was
        # written after the run.
        for store in STORES:
            rows = self.times(store, path)
            if not rows:
                continue
            started, _, last = rows[0]
            first, end = windows[store][:2]
            check(started and (first <= int(started) <= end or rows == windows[store][2]),
                  '%s: %s: last_export %r, the run %r' % (what, store, started, windows[store]))
            check(not last or int(last) <= end, '%s: %s: a file written after the run'
                  % (what, store))

    def times(self, store, path):
        if store == 'sqlite':
            return sqlite_rows(self.sqlite, SQLITE_TIMES, path)
        return pg_rows(self.pg, PG_TIMES % sql_text(path))

    def drop(self):
        if self.pg:
            pgcluster.psql(CLUSTER, 'DROP DATABASE "fk_export_%s_%d" WITH (FORCE)'
                           % (self.name, self.copies))


def item(title, guid, date='Mon, 01 Jun 2026 10:00:00 GMT', body='<p>body</p>', tag=None):
    category = '<category>%s</category>' % tag if tag else ''
    return ('<item><title>%s</title><guid>%s</guid><pubDate>%s</pubDate>%s'
            '<description>%s</description></item>\n'
            % (html.escape(title), html.escape(guid), date, category, html.escape(body)))


def feed_file(tmp, name, items):
    path = os.path.join(tmp, name)
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                 '<title>names</title><link>http://example.com/</link>\n' + ''.join(items) +
                 '</channel></rss>\n')
    return path


def summary_ok(result, ending, what):
    rc, out, err = result
    check(rc == 0 and out.endswith(ending), '%s: %r %r' % (what, out, err))


# ---- the cases ---------------------------------------------------------------------------


def test_sample(tmp, data):
    """The dev.to sample: a first export, a second that keeps all, another
    tool into the same directory, --changed and jsonl."""
    pair = Pair(tmp, 'sample')
    pair.import_feed(os.path.join(data, 'devto-fuadhusnan.xml'), 'sample')
    summary_ok(pair.export(), ': 12 written, 0 kept, 0 skipped\n', 'sample')
    summary_ok(pair.export(), ': 0 written, 12 kept, 0 skipped\n', 'sample again')
    summary_ok(pair.export('--for', 'hugo'), ': 12 written, 0 kept, 0 skipped\n', 'sample hugo')
    summary_ok(pair.export('--changed', '--for', 'hugo'), ': 0 written, 0 kept, 0 skipped\n',
               'sample --changed')
    pair.export('--format', 'jsonl')
    pair.export('--title-heading', '--for', 'jekyll', directory='jekyll')
    pair.export('--title-heading', '--for', 'jekyll', directory='jekyll')
    pair.drop()


def test_hostile(tmp):
    """Titles that clash, a title of a megabyte, control characters: the
    names and the suffixes."""
    titles = ['../../etc/passwd', '/abs/olute', '.hidden', '..', 'NUL&#0;ish and &#1;control',
              'A' * (1 << 20), 'Same Title', 'Same Title', 'same-title', 'multi\nline',
              'C1 &#155;[2J csi', 'line sep &#8232; here', '\u65e5\u672c\u8a9e', '', ' ',
              'Same Title 2', 'same title-2']
    items = [item(t, 'urn:hostile:%d' % i) for i, t in enumerate(titles)]
    pair = Pair(tmp, 'hostile')
    pair.import_feed(feed_file(tmp, 'hostile.xml', items), 'hostile')
    summary_ok(pair.export(), ': %d written, 0 kept, 0 skipped\n' % len(titles), 'hostile')
    summary_ok(pair.export(), ': 0 written, %d kept, 0 skipped\n' % len(titles), 'hostile again')
    pair.export('--ascii-names', directory='ascii')
    pair.export('--ascii-names', directory='ascii')
    pair.drop()


def test_names_and_prune(tmp):
    pair = Pair(tmp, 'names')
    day = 'Mon, 01 Jun 2026 10:00:00 GMT'
    items = [item('Привет, мир: заметки о Rust', 'urn:n:1', day),
             item('数据库索引入门', 'urn:n:2', day),
             item('Nguyễn and the café', 'urn:n:3', day),
             item('First title', 'urn:n:4', day, '<p>four</p>'),
             item('Fifth', 'urn:n:5', day)]
    feed = lambda: feed_file(tmp, 'names.xml', items)  # noqa: E731
    pair.import_feed(feed(), 'names')
    summary_ok(pair.export(), ': 5 written, 0 kept, 0 skipped\n', 'names')
    pair.export('--ascii-names', directory='ascii')

    # A title changes: the article keeps its name, and a new article
    # wanting the old name gets another.
    items[3] = item('A new title', 'urn:n:4', day, '<p>four</p>')
    items.append(item('First title', 'urn:n:6', day))
    pair.import_feed(feed(), 'renamed')
    summary_ok(pair.export(), ': 2 written, 4 kept, 0 skipped\n', 'after rename')
    pair.export('--format', 'jsonl')

    # --changed
    summary_ok(pair.export('--changed'), ': 0 written, 0 kept, 0 skipped\n', 'nothing changed')
    items[4] = item('Fifth', 'urn:n:5', day, '<p>a changed body</p>')
    items.append(item('Seventh', 'urn:n:7', day))
    pair.import_feed(feed(), 'changed')
    summary_ok(pair.export('--changed'), ': 2 written, 0 kept, 0 skipped\n', 'changed')
    summary_ok(pair.export('--changed'), ': 0 written, 0 kept, 0 skipped\n', 'changed again')
    # a partial directory, then --changed into it
    pair.export('--limit', '2', directory='part')
    summary_ok(pair.export('--changed', directory='part'), ': 5 written, 0 kept, 0 skipped\n',
               'changed into a partial directory')

    # --prune: a file of one's own stays, an edited one stays with a warning
    pair.edit('out', 'my-own-note.md', lambda p: fktest.write(p, 'mine\n'))

    def append(p):
        with open(p, 'a', encoding='utf-8') as fh:
            fh.write('\nmy notes\n')

    pair.edit('out', '2026-06-01-数据库索引入门.md', append)
    rc, out, err = pair.export('--prune', '--limit', '2')
    check(rc == 0 and out.endswith(', 4 removed\n') and 'changed since export wrote it' in err,
          'prune: %r %r' % (out, err))
    summary_ok(pair.export('--prune'), ', 0 removed\n', 'all selected again')
    pair.export('--prune', '--tag', 'nothing')
    pair.export('--for', 'hugo')
    pair.export('--for', 'hugo', '--prune', '--limit', '3')
    pair.export('--for', 'plain')
    # articles named by id, one of them twice
    pair.export('3', '1', '3', directory='ids')
    pair.export('3', '1', '3', directory='ids')
    pair.drop()


def test_name_clashes(tmp):
    """test_export.py's naming rule across exports, on both stores."""
    pair = Pair(tmp, 'clashes')
    day, day2 = 'Tue, 02 Jun 2026 10:00:00 GMT', 'Wed, 03 Jun 2026 10:00:00 GMT'
    parts = ['urn:c:%d' % i for i in range(1, 7)]
    items = [item('Part', g, day, tag=None if g == 'urn:c:1' else 'keep') for g in parts]
    items += [item('Part 2', 'urn:c:own', day, tag='keep'),
              item('Part', 'urn:c:day2', day2, tag='keep')]
    feed = lambda: feed_file(tmp, 'clashes.xml', items)  # noqa: E731
    pair.import_feed(feed(), 'clashes')
    summary_ok(pair.export(), ': 8 written, 0 kept, 0 skipped\n', 'clashes')

    items[1] = item('Completely new', 'urn:c:2', day, tag='keep')
    items[3] = item('Part 2', 'urn:c:4', day, tag='keep')
    items += [item('Part', 'urn:c:n1', day, tag='keep'),
              item('Part 2', 'urn:c:n2', day, tag='keep')]
    pair.import_feed(feed(), 'clashes renamed')
    summary_ok(pair.export(), ': 4 written, 6 kept, 0 skipped\n', 'clashes again')
    pair.export('--format', 'jsonl')

    items[4] = item('Part', 'urn:c:5', day, '<p>a changed body</p>', tag='keep')
    items.append(item('Part', 'urn:c:n3', day, tag='keep'))
    pair.import_feed(feed(), 'clashes changed')
    summary_ok(pair.export('--changed'), ': 2 written, 0 kept, 0 skipped\n', 'changed clashes')

    summary_ok(pair.export('--prune', '--tag', 'keep'),
               ': 0 written, 10 kept, 0 skipped, 1 removed\n', 'prune clashes')
    items.append(item('Part', 'urn:c:n4', day, tag='keep'))
    pair.import_feed(feed(), 'clashes after prune')
    summary_ok(pair.export(), ': 2 written, 10 kept, 0 skipped\n', 'after prune')
    summary_ok(pair.export(), ': 0 written, 12 kept, 0 skipped\n', 'rerun')
    summary_ok(pair.export('--changed'), ': 0 written, 0 kept, 0 skipped\n', 'changed rerun')
    pair.drop()


def main():
    global CLUSTER
    if len(sys.argv) != 4:
        sys.exit('usage: test_pg_export.py FEEDKEEP DATA_DIR CLUSTER_DIR')
    fktest.start(sys.argv[1])
    data = os.path.abspath(sys.argv[2])
    CLUSTER = fktest.pg_cluster(sys.argv[3])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = os.path.realpath(tmp)
        test_sample(tmp, data)
        test_hostile(tmp)
        test_names_and_prune(tmp)
        test_name_clashes(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
