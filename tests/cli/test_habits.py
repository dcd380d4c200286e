#!/usr/bin/env python3
"""What scripts rely on and terminals are pleasant with: the archive
location (read-only commands never create one), filters by arrival and
change, headers, chosen fields, one JSON shape for an article, authors,
feeds named as shown, code by ID and language aliases. The real binary on
temporary archives made from small hand-written feeds.

usage: test_habits.py FEEDKEEP DATADIR
"""
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import as_nobody, check, esc, jsonl, run, run_tty, write  # noqa: E402

BIN = None
DATA = None


def rss(items, title='Hand-written', link='https://hand.example/'):
    """An RSS document of dict items: guid, title, html, date, tags, author."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           '<title>%s</title><link>%s</link>\n' % (esc(title), esc(link))]
    for it in items:
        out.append('<item><title>%s</title><guid>%s</guid><link>%s</link>'
                   '<pubDate>%s</pubDate><author>%s</author>%s'
                   '<description>%s</description></item>\n'
                   % (esc(it['title']), esc(it['guid']), esc(it['guid']),
                      it.get('date', 'Mon, 01 Jun 2026 10:00:00 GMT'),
                      esc(it.get('author', 'Ada Lovelace')),
                      ''.join('<category>%s</category>' % esc(t) for t in it.get('tags', ())),
                      esc(it.get('html', '<p>text</p>'))))
    out.append('</channel></rss>\n')
    return ''.join(out)


def can_drop_root():
    if os.geteuid() != 0:
        return True
    try:
        p = subprocess.run([BIN, '--version'], capture_output=True, preexec_fn=as_nobody,
                           timeout=30)
        return p.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


# ---- the archive's location -----------------------------------------------------

READERS = (('list',), ('search', 'x'), ('show', '1'), ('code',), ('tags',), ('stats',),
           ('history', '1'), ('export', '--format', 'jsonl'), ('feeds',), ('check',),
           ('opml', 'export'))


def test_no_archive(tmp):
    missing = os.path.join(tmp, 'nodir', 'sub', 'x.db')
    for args in READERS:
        rc, out, err = run(*args, db=missing)
        check(rc == 3 and err.startswith("feedkeep: no archive at '%s'" % fktest.shown(missing))
              and len(err.splitlines()) == 1,
              '%s on a missing archive: %r %r' % (args[0], rc, err))
    if fktest.POSTGRESQL:
        # an empty database: the readers leave it empty, the writers make it
        check(not fktest.created(missing), 'the readers created nothing')
        rc, out, err = run('add', '--no-check', 'https://h.example/feed.xml', db=missing)
        check(rc == 0 and fktest.created(missing), 'add makes the archive: %r' % err)
        return
    check(not os.path.exists(os.path.join(tmp, 'nodir')), 'the readers created nothing')
    # An empty file is no archive either, and stays empty.
    empty = write(os.path.join(tmp, 'empty.db'), '')
    rc, out, err = run('list', db=empty)
    check(rc == 3 and "no archive at '%s'" % empty in err and os.path.getsize(empty) == 0,
          'an empty file: %r' % err)
    # The same through $FEEDKEEP_DB.
    rc, out, err = run('list', env={'FEEDKEEP_DB': missing})
    check(rc == 3 and 'no archive at' in err, '$FEEDKEEP_DB missing: %r' % err)
    # The writers create it, and its directories.
    feed = write(os.path.join(tmp, 'one.xml'), rss([{'guid': 'https://h.example/1',
                                                     'title': 'One'}]))
    rc, out, err = run('import', feed, db=missing)
    check(rc == 0 and os.path.exists(missing), 'import creates the archive: %r' % err)
    for args in (('add', '--no-check', 'https://h.example/feed.xml'),
                 ('opml', 'import', write(os.path.join(tmp, 'subs.opml'),
                  '<opml version="2.0"><body><outline xmlUrl="https://h.example/o.xml"/>'
                  '</body></opml>'))):
        path = os.path.join(tmp, 'new-%s' % args[0], 'a.db')
        rc, out, err = run(*args, db=path)
        check(rc == 0 and os.path.exists(path), '%s creates the archive: %r' % (args[0], err))
    # Usage errors and what the path is.
    for argv in (['--db=', 'list'], ['--db', '', 'list'], ['list', '--db='],
                 ['list', '--db', '']):
        p = subprocess.run([BIN] + argv, capture_output=True, timeout=60)
        err = p.stderr.decode()
        check(p.returncode == 2 and "option '--db' needs a path" in err,
              'empty --db is a usage error: %r %r' % (argv, err))
    for args in (('list',), ('import', feed)):
        rc, out, err = run(*args, db=tmp)
        check(rc == 3 and err == "feedkeep: cannot open archive '%s': it is a directory\n" % tmp,
              '%s --db DIRECTORY: %r' % (args[0], err))


@fktest.sqlite_only('file modes of the archive file and its directory')
def test_permissions(tmp):
    """A mode-000 file, and an archive in a read-only directory. Root
    ignores modes: as root, the commands run as nobody."""
    nobody = os.geteuid() == 0
    if not can_drop_root():
        print('note: cannot run as nobody here; permission checks skipped')
        return
    place = os.path.join(tmp, 'perm')
    os.mkdir(place)
    os.chmod(tmp, 0o755)
    os.chmod(place, 0o777)
    db = os.path.join(place, 'a.db')
    feed = write(os.path.join(place, 'f.xml'), rss([
        {'guid': 'https://h.example/%d' % i, 'title': 'Item %d' % i, 'tags': ['rust']}
        for i in range(3)]))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'import for the permission checks: %r' % err)
    try:
        os.chmod(db, 0)
        for args in (('list',), ('import', feed)):
            rc, out, err = run(*args, db=db, nobody=nobody)
            check(rc == 3 and err == "feedkeep: cannot open archive '%s': permission denied\n"
                  % db, '%s on a mode-000 file: %r' % (args[0], err))
        os.chmod(db, 0o644)
        os.chmod(place, 0o555)
        before = sorted(os.listdir(place))
        rc, out, err = run('list', '--format', 'json', db=db, nobody=nobody)
        check(rc == 0 and len(jsonl(out, 'list')) == 3 and err == '',
              'list in a read-only directory: %r' % err)
        rc, out, err = run('search', 'item', '--format', 'json', db=db, nobody=nobody)
        check(rc == 0 and len(jsonl(out, 'search')) == 3, 'search in a read-only directory')
        rc, out, err = run('tags', db=db, nobody=nobody)
        check(rc == 0 and out.startswith('rust\t3'), 'tags in a read-only directory: %r' % out)
        check(sorted(os.listdir(place)) == before, 'nothing created in the read-only directory: '
              '%r' % os.listdir(place))
        rc, out, err = run('import', feed, db=db, nobody=nobody)
        check(rc == 3 and ("cannot open archive '%s'" % db in err or 'readonly' in err),
              'import in a read-only directory fails: %r' % err)
    finally:
        os.chmod(place, 0o755)
        os.chmod(db, 0o644)


# ---- arrival and change ---------------------------------------------------------

def list_ids(db, *args, cmd='list'):
    rc, out, err = run(cmd, '--format', 'json', *args, db=db)
    check(rc == 0, '%s %s: %r' % (cmd, ' '.join(args), err))
    key = 'article_id' if cmd == 'code' else 'id'
    return sorted({r[key] for r in jsonl(out, cmd)})


def test_arrival(tmp):
    """--archived-since, --changed-since, --since-fetch: by when the archive
    saw an article, not by its date. Arrival times are set in the archive by
    hand: the clock of a test has one-second steps."""
    db = os.path.join(tmp, 'arrival.db')
    old = [{'guid': 'https://a.example/%d' % i, 'title': 'Old %d' % i,
            'date': 'Mon, 01 Jun 2026 1%d:00:00 GMT' % i, 'tags': ['rust'],
            'html': '<p>Body %d with enough words to be a body.</p>'
                    '<pre><code class="language-python">print(%d)</code></pre>' % (i, i)}
           for i in range(4)]
    feed = write(os.path.join(tmp, 'arrival.xml'), rss(old))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'arrival import: %r' % err)
    # Articles 1 and 2 arrived long ago, 3 and 4 an hour ago; all are dated
    # in June, so --since cannot tell them apart.
    fktest.execute(db, "UPDATE articles SET first_seen = 1000000000, last_seen = 1000000000"
                       " WHERE id IN (1, 2);"
                       " UPDATE articles SET first_seen = strftime('%s', 'now') - 3600"
                       " WHERE id IN (3, 4)",
                   "UPDATE articles SET first_seen = to_timestamp(1000000000),"
                   " last_seen = to_timestamp(1000000000) WHERE id IN (1, 2);"
                   " UPDATE articles SET first_seen = date_trunc('second', now())"
                   " - interval '3600 s' WHERE id IN (3, 4)")
    check(list_ids(db, '--archived-since', '2h') == [3, 4], '--archived-since 2h')
    check(list_ids(db, '--archived-since', '2001-09-01') == [1, 2, 3, 4],
          '--archived-since a date')
    check(list_ids(db, '--archived-since', '30m') == [], '--archived-since 30m: none')
    check(list_ids(db, '--sort', 'first_seen', '--since', '2h') == [],
          '--since stays on the article date')
    check(list_ids(db, '--archived-since', '2h', '--tag', 'rust') == [3, 4],
          '--archived-since with --tag')
    check(list_ids(db, 'body', '--archived-since', '2h', cmd='search') == [3, 4],
          'search --archived-since')
    check(list_ids(db, '--archived-since', '2h', cmd='code') == [3, 4], 'code --archived-since')
    rc, out, err = run('export', '--format', 'jsonl', '--archived-since', '2h', db=db)
    check(rc == 0 and sorted(r['id'] for r in jsonl(out, 'export')) == [3, 4],
          'export --archived-since: %r' % err)
    # Article 1 changes now: new since 30m is nothing, changed since 30m is 1.
    old[0]['title'] = 'Old 0, retitled'
    old[0]['html'] = ('<p>Body 0 with enough words to be a body, and a few more now.</p>'
                      '<pre><code class="language-python">print(0)</code></pre>')
    write(feed, rss(old))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0 and '1 updated' in out, 'arrival re-import: %r %r' % (out, err))
    check(list_ids(db, '--changed-since', '30m') == [1], '--changed-since: the changed one')
    check(list_ids(db, '--changed-since', '2h') == [1, 3, 4], '--changed-since: changed and new')
    check(list_ids(db, '--changed-since', '2h', '--tag', 'rust') == [1, 3, 4],
          '--changed-since with --tag')
    check(list_ids(db, 'body', '--changed-since', '30m', cmd='search') == [1],
          'search --changed-since')
    got = list_ids(db, "--changed-since", "30m", cmd="code")
    check(got == [1], "code --changed-since: %r" % got)
    rc, out, err = run('list', '--changed-since', 'soon', db=db)
    check(rc == 2 and "'--changed-since'" in err, 'a bad WHEN: %r' % err)
    # --since-fetch: nothing logged yet, then the articles of the last fetch.
    rc, out, err = run('list', '--since-fetch', db=db)
    check(rc == 1 and 'no completed fetch' in err, '--since-fetch before any fetch: %r' % err)
    fresh = write(os.path.join(tmp, 'fresh.xml'), rss([
        {'guid': 'https://f.example/%d' % i, 'title': 'Fresh %d' % i, 'tags': ['go']}
        for i in range(2)], link='https://f.example/'))
    rc, out, err = run('add', 'file://' + fresh, db=db)
    check(rc == 0, 'add file:// feed: %r' % err)
    rc, out, err = run('fetch', db=db)
    check(rc == 0 and '2 new' in out, 'fetch: %r %r' % (out, err))
    got = list_ids(db, '--since-fetch')
    check(got == [5, 6], '--since-fetch: what the fetch brought: %r' % got)
    check(list_ids(db, '--since-fetch', '--tag', 'rust') == [], '--since-fetch with --tag')
    runs = fktest.query(db, 'SELECT feeds, failed, new_count FROM fetch_runs')
    check(runs == [(1, 0, 2)], 'the run is logged: %r' % runs)
    # A fetch that brings nothing new, some time later: nothing since it.
    fktest.execute(db, 'UPDATE articles SET first_seen = first_seen - 10 WHERE id IN (5, 6)',
                   "UPDATE articles SET first_seen = first_seen - interval '10 s'"
                   ' WHERE id IN (5, 6)')
    rc, out, err = run('fetch', '--force', db=db)
    check(rc == 0 and list_ids(db, '--since-fetch') == [], '--since-fetch after an empty fetch')
    # Over 1000 matches the walk probes each article instead (the plan
    # changes, not the answer).
    many = os.path.join(tmp, 'many.db')
    doc = write(os.path.join(tmp, 'many.xml'), rss([
        {'guid': 'https://m.example/%d' % i, 'title': 'M %d' % i,
         'tags': ['odd' if i % 2 else 'even'], 'html': '<p>x</p>'} for i in range(1100)]))
    rc, out, err = run('import', doc, db=many)
    check(rc == 0, 'many import: %r' % err)
    every = list_ids(many)
    check(list_ids(many, '--changed-since', '1h') == every and len(every) == 1100,
          '--changed-since over 1000 matches')
    odd = list_ids(many, '--changed-since', '1h', '--tag', 'odd')
    check(len(odd) == 550 and odd == list_ids(many, '--tag', 'odd'), '--changed-since --tag')
    check(list_ids(many, '--changed-since', '1h', '--limit', '5') ==
          list_ids(many, '--limit', '5'), '--changed-since --limit')
    fktest.execute(many, 'UPDATE articles SET first_seen = 1000000000 WHERE id > 3',
                   'UPDATE articles SET first_seen = to_timestamp(1000000000) WHERE id > 3')
    check(list_ids(many, '--changed-since', '1h') == [1, 2, 3], '--changed-since, a few of many')


# ---- headers, fields, one shape ------------------------------------------------

ARTICLE_KEYS = ['id', 'guid', 'url', 'title', 'author', 'author_email', 'date', 'published',
                'updated', 'first_seen', 'last_seen', 'tags', 'feed']


def unlist(cell):
    """A TSV or CSV list cell back into its items: split at '|' not escaped
    by '\\', then unescape."""
    items, item, i = [], '', 0
    while i < len(cell):
        c = cell[i]
        if c == '\\' and i + 1 < len(cell):
            item += cell[i + 1]
            i += 2
            continue
        if c == '|':
            items.append(item)
            item = ''
        else:
            item += c
        i += 1
    if cell:
        items.append(item)
    return items


def tsv_unescape(cell):
    out, i = '', 0
    while i < len(cell):
        if cell[i] == '\\' and i + 1 < len(cell):
            out += {'t': '\t', 'n': '\n', 'r': '\r', '\\': '\\'}.get(cell[i + 1], cell[i + 1])
            i += 2
        else:
            out += cell[i]
            i += 1
    return out


def test_records(tmp):
    db = os.path.join(tmp, 'records.db')
    feed = write(os.path.join(tmp, 'records.xml'), rss([
        {'guid': 'https://r.example/1', 'title': 'Pipes, commas',
         'tags': ['a|b', 'c,d', 'back\\slash', 'plain'],
         'html': '<p>Searchable words here.</p><pre><code class="language-python">x = 1</code>'
                 '</pre>'},
        {'guid': 'https://r.example/2', 'title': 'Second', 'tags': ['plain'],
         'html': '<p>Searchable words again.</p>'},
    ]))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'records import: %r' % err)
    want = sorted(['a|b', 'c,d', 'back\\slash', 'plain'])
    # Tags survive TSV and CSV whatever they hold.
    rc, out, err = run('list', '--format', 'tsv', db=db)
    row = [r for r in out.splitlines() if r.startswith('1\t')][0].split('\t')
    check(sorted(unlist(tsv_unescape(row[3]))) == want, 'TSV tags: %r' % row[3])
    rc, out, err = run('list', '--format', 'csv', db=db)
    rows = list(csv.reader(io.StringIO(out)))
    check(rows[0] == ['id', 'date', 'author', 'tags', 'title', 'url'], 'CSV header: %r' % rows[0])
    row = [r for r in rows if r[0] == '1'][0]
    check(sorted(unlist(row[3])) == want, 'CSV tags: %r' % row[3])
    # CSV has its header even without rows; TSV only with --header.
    rc, out, err = run('list', '--tag', 'none-such', '--format', 'csv', db=db)
    check(rc == 0 and out == 'id,date,author,tags,title,url\n', 'CSV header with no rows')
    rc, out, err = run('list', '--tag', 'none-such', db=db)
    check(rc == 0 and out == '', 'TSV: no header by default')
    rc, out, err = run('list', '--tag', 'none-such', '--header', db=db)
    check(out == 'id\tdate\tauthor\ttags\ttitle\turl\n', 'TSV --header: %r' % out)
    # list and search: the same leading columns.
    rc, lst, err = run('list', '--format', 'csv', db=db)
    rc, hits, err = run('search', 'searchable', '--format', 'csv', db=db)
    lh = list(csv.reader(io.StringIO(lst)))[0]
    sh = list(csv.reader(io.StringIO(hits)))[0]
    check(sh[:len(lh)] == lh and sh[len(lh):] == ['rank', 'snippet'],
          'search starts with the columns of list: %r' % sh)
    # --fields, in every format and every listing command.
    rc, out, err = run('list', '--fields', 'title,id,first_seen', '--format', 'csv', db=db)
    rows = list(csv.reader(io.StringIO(out)))
    check(rows[0] == ['title', 'id', 'first_seen'] and len(rows) == 3 and
          all(len(r) == 3 for r in rows), 'list --fields CSV: %r' % rows)
    rc, out, err = run('list', '--fields', 'id,tags', '--format', 'json', db=db)
    check(all(list(r) == ['id', 'tags'] for r in jsonl(out, 'list --fields')),
          'list --fields JSON: only those members')
    rc, out, err = run('list', '--fields', 'id,title', '--format', 'table', db=db)
    check(rc == 0 and out.splitlines()[0].split() == ['ID', 'TITLE'], 'list --fields table: %r'
          % out)
    rc, out, err = run('list', '--fields', 'id,nope', db=db)
    check(rc == 2 and "no field 'nope'" in err and 'first_seen' in err,
          'an unknown field names the fields: %r' % err)
    for args, fields in ((('search', 'searchable'), 'id,rank,snippet'),
                         (('code',), 'id,language,code'),
                         (('tags',), 'tag,articles'),
                         (('history', '1'), 'version,kind'),
                         (('feeds', '--all'), 'id,url,articles')):
        rc, out, err = run(*args, '--fields', fields, '--header', db=db)
        lines = out.splitlines()
        check(rc == 0 and lines and lines[0].split('\t') == fields.split(',') and
              all(len(l.split('\t')) == len(fields.split(',')) for l in lines),
              '%s --fields: %r %r' % (args[0], out, err))
    # Tables show local time, --utc forces UTC; TSV stays UTC.
    fktest.execute(db, 'UPDATE articles SET published = 1780012800 + 23 * 3600 WHERE id = 2',
                   'UPDATE articles SET published = to_timestamp(1780012800 + 23 * 3600)'
                   ' WHERE id = 2')  # 23:00Z
    tokyo = {'TZ': 'Asia/Tokyo'}
    rc, out, err = run('list', '--fields', 'id,date', '--format', 'table', db=db, env=tokyo)
    day = [l.split()[1] for l in out.splitlines() if l.split()[0] == '2']
    check(day == ['2026-05-30'], 'table dates in local time (TZ): %r' % out)
    rc, out, err = run('--utc', 'list', '--fields', 'id,date', '--format', 'table', db=db, env=tokyo)
    day = [l.split()[1] for l in out.splitlines() if l.split()[0] == '2']
    check(day == ['2026-05-29'], 'table dates with --utc: %r' % out)
    rc, out, err = run('list', '--fields', 'id,date', db=db, env=tokyo)
    check('2\t2026-05-29T23:00:00Z' in out, 'TSV stays UTC: %r' % out)
    # One JSON shape for an article: list, search, show and export.
    rc, out, err = run('list', '--format', 'json', db=db)
    listed = {r['id']: r for r in jsonl(out, 'list')}
    check(all(list(r) == ARTICLE_KEYS for r in listed.values()), 'list JSON: the article keys')
    rc, out, err = run('search', 'searchable', '--format', 'json', db=db)
    for r in jsonl(out, 'search'):
        check(list(r)[:len(ARTICLE_KEYS)] == ARTICLE_KEYS and
              {k: r[k] for k in ARTICLE_KEYS} == listed[r['id']], 'search JSON is the article')
    rc, out, err = run('show', '1', '--json', db=db)
    shown = json.loads(out) if rc == 0 else {}
    check({k: shown.get(k) for k in ARTICLE_KEYS} == listed[1], 'show JSON is the article: %r'
          % err)
    rc, out, err = run('export', '--format', 'jsonl', db=db)
    for r in jsonl(out, 'export'):
        check({k: r.get(k) for k in ARTICLE_KEYS} == listed[r['id']], 'export JSONL is the article')


# ---- code by ID, languages by their common names ------------------------------------

def test_code(tmp):
    db = os.path.join(tmp, 'code.db')
    blocks = [('python', 'print("py")\n'), ('javascript', 'console.log(1)\n'),
              ('yaml', 'a: 1\n'), ('bash', 'echo hi\n'), ('cpp', 'int main() {}\n')]
    html = ''.join('<pre><code class="language-%s">%s</code></pre>' % (lang, esc(code))
                   for lang, code in blocks)
    feed = write(os.path.join(tmp, 'code.xml'), rss([{'guid': 'https://c.example/1',
                                                      'title': 'Code', 'html': html}]))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'code import: %r' % err)
    rc, out, err = run('code', '--format', 'json', db=db)
    by_lang = {r['language']: r for r in jsonl(out, 'code')}
    p = by_lang['python']
    rc, out, err = run('code', str(p['id']), db=db)
    check(rc == 0 and out == p['code'], 'code ID prints the code: %r' % out)
    rc, out, err = run('code', str(p['id']), '--format', 'json', db=db)
    check(rc == 0 and json.loads(out)['code'] == p['code'], 'code ID --format json: the record')
    rc, out, err = run('code', '999', db=db)
    check(rc == 1 and 'no code block with ID 999' in err, 'code ID missing: %r' % err)
    for alias, lang in (('py', 'python'), ('PY', 'python'), ('python3', 'python'),
                        ('js', 'javascript'), ('yml', 'yaml'), ('sh', 'bash'),
                        ('shell', 'bash'), ('c++', 'cpp'), ('Python', 'python')):
        rc, out, err = run('code', '--lang', alias, '--format', 'json', db=db)
        got = [r['language'] for r in jsonl(out, 'code --lang')]
        check(rc == 0 and got == [lang], '--lang %s finds %s: %r %r' % (alias, lang, got, err))
    rc, out, err = run('list', '--has-code', 'py', '--format', 'json', db=db)
    check(rc == 0 and len(jsonl(out, 'list --has-code py')) == 1, '--has-code py')
    rc, out, err = run('code', '--lang', 'cobol', db=db)
    check(rc == 1 and "no code block in 'cobol'" in err and 'python' in err and 'yaml' in err,
          'an unknown language lists those there are: %r' % err)


# ---- authors ---------------------------------------------------------------------

def test_authors(tmp):
    db = os.path.join(tmp, 'authors.db')
    people = ['jane@example.com (Jane Doe)', 'carol nguyễn', 'Alice Smith <alice@example.org>',
              'Alice Smith', 'Carol nguyễn', 'Bob']
    feed = write(os.path.join(tmp, 'authors.xml'), rss([
        {'guid': 'https://p.example/%d' % i, 'title': 'By %d' % i, 'author': who,
         'date': 'Mon, 0%d Jun 2026 10:00:00 GMT' % (i + 1)}
        for i, who in enumerate(people)]))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'authors import: %r' % err)
    rc, out, err = run('list', '--format', 'json', db=db)
    by_id = {r['id']: r for r in jsonl(out, 'list')}
    check((by_id[1]['author'], by_id[1]['author_email']) == ('Jane Doe', 'jane@example.com'),
          'RSS author: the name apart from the address: %r' % by_id[1])
    check((by_id[3]['author'], by_id[3]['author_email']) == ('Alice Smith', 'alice@example.org'),
          'Name <address>: %r' % by_id[3])
    check((by_id[2]['author'], by_id[2]['author_email']) == ('carol nguyễn', None),
          'a plain name stays: %r' % by_id[2])
    for query, want in (('alice', [3, 4]), ('Alice Smith', [3, 4]), ('smith alice', [3, 4]),
                        ('CAROL NGUYỄN', [2, 5]), ('Carol Nguyen', [2, 5]), ('nguyen', [2, 5]),
                        ('jane', [1]), ('Jane Doe', [1]), ('doe', [1]), ('ali', []),
                        ('alice jones', [])):
        got = list_ids(db, '--author', query)
        check(got == want, '--author %r: %r, not %r' % (query, got, want))
    check(list_ids(db, 'by', '--author', 'carol', cmd='search') == [2, 5], 'search --author')
    rc, out, err = run('list', '--author', '--', db=db)
    check(rc == 2 and 'no words' in err, '--author without a word: %r' % err)
    # The authors command: name, count, latest, like tags.
    rc, out, err = run('authors', '--format', 'csv', db=db)
    rows = list(csv.reader(io.StringIO(out)))
    check(rc == 0 and rows[0] == ['author', 'articles', 'newest'], 'authors CSV header: %r' % rows)
    counts = {r[0].lower(): (r[1], r[2]) for r in rows[1:]}
    check(counts.get('alice smith') == ('2', '2026-06-04T10:00:00Z') and
          counts.get('carol nguyễn') == ('2', '2026-06-05T10:00:00Z') and
          counts.get('jane doe') == ('1', '2026-06-01T10:00:00Z') and len(counts) == 4 and
          len(rows) == 5,
          'authors: names, counts, latest: %r' % counts)
    check(rows[1][1] == '2' and rows[-1][1] == '1', 'authors: the most prolific first')
    rc, out, err = run('authors', '--limit', '1', '--format', 'json', db=db)
    check(rc == 0 and len(jsonl(out, 'authors')) == 1 and
          set(json.loads(out.splitlines()[0])) == {'author', 'articles', 'newest'},
          'authors --limit, JSON: %r' % out)
    rc, out, err = run('authors', '--fields', 'articles,author', db=db)
    check(rc == 0 and out.splitlines()[0].split('\t')[0] == '2', 'authors --fields')


# ---- feeds named as shown ----------------------------------------------------------

def test_feed_names(tmp):
    db = os.path.join(tmp, 'feeds.db')
    for who, port in (('alice', 8731), ('bob', 8732)):
        doc = write(os.path.join(tmp, '%s.xml' % who), rss(
            [{'guid': 'https://%s.example/%d' % (who, i), 'title': '%s %d' % (who, i)}
             for i in range(2 if who == 'alice' else 3)],
            title='%s writes' % who.capitalize(),
            link='http://127.0.0.1:%d/feeds/%s.xml' % (port, who)))
        rc, out, err = run('import', doc, db=db)
        check(rc == 0, 'feeds import %s: %r' % (who, err))
    rc, out, err = run('add', '--no-check', '--name', 'Bobby', 'http://127.0.0.1:8732/feeds/bob.xml',
                       db=db)
    check(rc == 0, 'add --name: %r' % err)
    rc, out, err = run('feeds', '--all', '--format', 'json', db=db)
    feeds = {f['url']: f['id'] for f in jsonl(out, 'feeds')}
    alice = feeds['http://127.0.0.1:8731/feeds/alice.xml']
    for arg in (str(alice), 'http://127.0.0.1:8731/feeds/alice.xml',
                '127.0.0.1:8731/feeds/alice.xml', 'Alice writes', 'alice WRITES'):
        got = list_ids(db, '--feed', arg)
        check(len(got) == 2, '--feed %r: %r' % (arg, got))
    for arg in ('Bobby', 'bobby', '127.0.0.1:8732/feeds/bob.xml', 'Bob writes'):
        check(len(list_ids(db, '--feed', arg)) == 3, '--feed %r (bob)' % arg)
    rc, out, err = run('list', '--feed', 'Carol', db=db)
    check(rc == 1 and "no feed 'Carol'" in err, 'an unknown feed name: %r' % err)


# ---- terminal habits ----------------------------------------------------------------

def test_title_diff(tmp):
    db = os.path.join(tmp, 'diff.db')
    item = {'guid': 'https://d.example/1', 'title': 'Old title',
            'html': '<p>The same body, long enough to be a body.</p>'}
    doc = os.path.join(tmp, 'diff.xml')
    write(doc, rss([item]))
    run('import', doc, db=db)
    item['title'] = 'New title'
    write(doc, rss([item]))
    rc, out, err = run('import', doc, db=db)
    check(rc == 0 and '1 updated' in out, 'title-only change is an update: %r' % out)
    rc, out, err = run('show', '1', '--diff', db=db)
    lines = out.splitlines()
    check(rc == 0 and '-title: Old title' in lines and '+title: New title' in lines,
          'show --diff shows a title change: %r' % out)


def test_words(tmp):
    """feedkeep help CMD, did you mean, and the forms of WHEN."""
    rc, out, err = run('help', 'list')
    rc2, out2, err2 = run('list', '--help')
    check(rc == 0 and out == out2 and out.startswith('usage: feedkeep list'), 'help list')
    rc, out, err = run('help')
    check(rc == 0 and out.startswith('usage: feedkeep'), 'help alone: the usage')
    for typo, near in (('lst', 'list'), ('serch', 'search'), ('fech', 'fetch'), ('tag', 'tags'),
                       ('exprot', 'export')):
        rc, out, err = run(typo)
        check(rc == 2 and "'%s' is not a feedkeep command; did you mean %s?" % (typo, near)
              in err, '%s: did you mean %s: %r' % (typo, near, err))
    rc, out, err = run('xyzzy')
    check(rc == 2 and 'did you mean' not in err, 'no suggestion for a word far from all')
    rc, out, err = run('help', 'lst')
    check(rc == 2 and 'did you mean list?' in err, 'help with a typo')
    import time
    now = time.time()
    def rfc822(t):
        return time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(t))
    db = os.path.join(tmp, 'when.db')
    ages = [0, 3, 40, 100, 400]  # days ago
    doc = write(os.path.join(tmp, 'when.xml'), rss([
        {'guid': 'https://w.example/%d' % age, 'title': 'Age %d' % age,
         'date': rfc822(now - age * 86400 - 60)} for age in ages]))
    run('import', doc, db=db)
    rc, out, err = run('list', '--format', 'json', db=db)
    by_age = {int(r['title'].split()[1]): r['id'] for r in jsonl(out, 'when')}
    def aged(*days):
        return sorted(by_age[d] for d in days)
    check(list_ids(db, '--since', 'yesterday') == aged(0), '--since yesterday')
    check(list_ids(db, '--until', 'yesterday') == aged(3, 40, 100, 400), '--until yesterday')
    check(list_ids(db, '--since', 'today', '--until', 'today') == aged(0), 'today')
    check(list_ids(db, '--since', '3mo') == aged(0, 3, 40), '--since 3mo')
    check(list_ids(db, '--since', '1y') == aged(0, 3, 40, 100), '--since 1y')
    check(list_ids(db, '--archived-since', '1y') == aged(0, 3, 40, 100, 400),
          '--archived-since 1y: all arrived now')
    month = time.strftime('%Y-%m', time.gmtime(now - 400 * 86400 - 60))
    year = time.strftime('%Y', time.gmtime(now - 400 * 86400 - 60))
    check(by_age[400] in list_ids(db, '--since', month, '--until', month) and
          by_age[0] not in list_ids(db, '--since', month, '--until', month),
          '--since/--until %s: that month' % month)
    check(by_age[400] in list_ids(db, '--since', year, '--until', year), 'a year')
    rc, out, err = run('list', '--since', '2026-13', db=db)
    check(rc == 2 and '3mo' in err, 'a bad month: %r' % err)


def display_width(text):
    import unicodedata
    w = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in '\u200b\ufe0f':
            continue
        w += 2 if unicodedata.east_asian_width(ch) in 'WF' else 1
    return w


def test_table_widths(tmp):
    db = os.path.join(tmp, 'widths.db')
    titles = ['Rocket \U0001F680 launch notes and a fairly long title after it',
              'Plain ASCII title that is rather long as well, for the test',
              '\u6f22\u5b57 wide characters \U0001F9EA and a test tube']
    doc = write(os.path.join(tmp, 'widths.xml'), rss([
        {'guid': 'https://t.example/%d' % i, 'title': t, 'tags': ['go']}
        for i, t in enumerate(titles)]))
    run('import', doc, db=db)
    utf8 = {'LC_ALL': 'C.UTF-8'}
    for columns in (60, 80, 160):
        env = dict(utf8, COLUMNS=str(columns))
        rc, out, err = run('list', '--format', 'table', db=db, env=env)
        lines = out.splitlines()
        check(rc == 0 and len(lines) == 4 and
              all(display_width(l) <= columns for l in lines),
              'COLUMNS=%d: the table fits: %r' % (columns, lines))
        # the TAGS column starts at the same column on every line: widths
        # of emoji and CJK come from wcwidth
        starts = {display_width(l[:l.rindex('  ') + 2]) for l in lines}
        check(len(starts) == 1, 'COLUMNS=%d: rows aligned: %r' % (columns, lines))
        title_width = min(starts) - display_width(lines[0][:lines[0].index('TITLE')]) - 2
        check(title_width >= 20, 'COLUMNS=%d: the title gets what is left (%d)'
              % (columns, title_width))
        if columns == 160:
            check(all(t in out for t in titles), 'wide: whole titles: %r' % lines)
            check(all(len(l) == len(l.rstrip()) for l in lines), 'no trailing blanks')


def test_pager_and_sizes(tmp):
    db = os.path.join(tmp, 'pager.db')
    doc = write(os.path.join(tmp, 'pager.xml'), rss([
        {'guid': 'https://g.example/1', 'title': 'Paged \x1b]0;x\x07 title',
         'html': '<p>One line of text.</p>'}]))
    run('import', doc, db=db)
    pager = {'PAGER': 'sed s/^/PAGED:/'}
    rc, out = run_tty('--db', db, 'show', '1', env=pager)
    lines = [l for l in out.splitlines() if l]
    check(rc == 0 and lines and all(l.startswith('PAGED:') for l in lines) and
          '\x1b' not in out, 'show on a terminal goes through $PAGER, still cleaned: %r' % out)
    rc, out = run_tty('--db', db, 'show', '1', '--no-pager', env=pager)
    check(rc == 0 and 'PAGED:' not in out and 'One line of text.' in out, '--no-pager: %r' % out)
    rc, out = run_tty('--db', db, 'show', '1', env={'PAGER': ''})
    check(rc == 0 and 'One line of text.' in out, 'PAGER empty: no pager')
    rc, out, err = run('show', '1', db=db, env=pager)
    check(rc == 0 and 'PAGED:' not in out, 'no pager when piped')
    rc, out = run_tty('--db', db, 'show', '999', env=pager)
    check(rc == 1 and 'PAGED:' not in out and 'no article' in out, 'no pager for an error')
    # stats: sizes for people in the table, bytes in TSV.
    rc, out, err = run('stats', '--format', 'table', db=db)
    check(rc == 0 and re.search(r'^size +\d+(\.\d+)? (KiB|MiB)$', out, re.M),
          'stats table: size in KiB or MiB: %r' % out)
    rc, out, err = run('stats', db=db)
    check(re.search(r'^size_bytes\t\d+$', out, re.M), 'stats TSV: size in bytes: %r' % out)


def slow_import(db, doc, args=(), stderr_tty=True):
    """import - with the document written slowly (over about two seconds)
    into its stdin, and stderr on a pseudo-terminal; returns what stderr
    got."""
    import threading
    import time
    master, slave = os.openpty()
    p = subprocess.Popen([BIN, '--db', db] + list(args) + ['import', '-'],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=slave if stderr_tty else subprocess.PIPE)
    os.close(slave)
    data = doc.encode()
    def writer():
        step = len(data) // 20 + 1
        for i in range(0, len(data), step):
            p.stdin.write(data[i:i + step])
            p.stdin.flush()
            time.sleep(0.12)
        p.stdin.close()
    t = threading.Thread(target=writer)
    t.start()
    got = b''
    if stderr_tty:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    else:
        got = p.stderr.read()
    t.join()
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, got.decode('utf-8', 'replace')


def test_import_progress(tmp):
    doc = rss([{'guid': 'https://s.example/%d' % i, 'title': 'Slow %d' % i}
               for i in range(400)])
    rc, err = slow_import(os.path.join(tmp, 'slow1.db'), doc)
    check(rc == 0 and "feedkeep: importing '-': " in err and ' items' in err and
          err.endswith('\r\x1b[K'), 'import shows progress on a terminal, then clears it: %r'
          % err[-300:])
    rc, err = slow_import(os.path.join(tmp, 'slow2.db'), doc, args=('--quiet',))
    check(rc == 0 and 'importing' not in err, 'no progress with --quiet: %r' % err[-200:])
    rc, err = slow_import(os.path.join(tmp, 'slow3.db'), doc, stderr_tty=False)
    check(rc == 0 and err == '', 'no progress when stderr is not a terminal: %r' % err[-200:])


def test_feeds_table(tmp):
    db = os.path.join(tmp, 'health.db')
    page = write(os.path.join(tmp, 'page.html'), '<!DOCTYPE html><html><body>hi</body></html>')
    good = write(os.path.join(tmp, 'good.xml'), rss([{'guid': 'https://h.example/1',
                                                      'title': 'Good'}]))
    run('add', '--name', 'Good feed', 'file://' + good, db=db)
    run('add', '--no-check', 'file://' + page, db=db)
    rc, out, err = run('fetch', db=db)
    check(rc == 1, 'fetch with a page that is not a feed: %r' % err)
    rc, out, err = run('feeds', '--format', 'table', db=db, env={'COLUMNS': '140'})
    lines = out.splitlines()
    check(rc == 0 and 'LAST ERROR' in lines[0] and 'not an RSS or Atom feed' in lines[2] and
          'Good feed' in lines[1], 'feeds table shows the last error: %r' % out)
    rc, out, err = run('feeds', '--format', 'table', db=db, env={'COLUMNS': '80'})
    check(all(display_width(l) <= 80 for l in out.splitlines()), 'feeds table fits 80: %r' % out)


def test_views(tmp):
    """articles_view and code_view: what list and code say, for sqlite3."""
    db = os.path.join(tmp, 'views.db')
    doc = write(os.path.join(tmp, 'views.xml'), rss([
        {'guid': 'https://v.example/%d' % i, 'title': 'View %d' % i, 'tags': ['b', 'a'],
         'author': 'v@example.com (Vee)',
         'html': '<p>Text.</p><pre><code class="language-go">x := %d</code></pre>' % i}
        for i in range(3)]))
    run('import', doc, db=db)
    rc, out, err = run('list', '--format', 'json', db=db)
    listed = {r['id']: r for r in jsonl(out, 'list')}
    con = fktest.connect(db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute('SELECT * FROM articles_view')]
    for row in rows:
        want = listed[row['id']]
        got = dict(row, tags=json.loads(row['tags']))
        check(all(got[k] == want[k] for k in want), 'articles_view is the article of list: %r'
              % row)
        check(row['text'] and row['markdown'], 'articles_view has the text')
    code = [dict(r) for r in con.execute('SELECT * FROM code_view ORDER BY id')]
    check(len(code) == 3 and code[0]['language'] == 'go' and code[0]['code'].startswith('x :=')
          and code[0]['article_title'].startswith('View') and
          code[0]['article_date'].endswith('Z'), 'code_view: %r' % code[:1])
    con.close()


def test_completion(tmp):
    script = os.path.join(DATA, '..', '..', 'completions', 'feedkeep.bash')
    def complete(*words):
        line = ' '.join("'%s'" % w for w in fktest.db_args(words))
        p = subprocess.run(['bash', '-c', 'source "$0"; COMP_WORDS=(%s); COMP_CWORD=%d; _feedkeep;'
                            ' printf "%%s\\n" "${COMPREPLY[@]}"' % (line, len(words) - 1),
                            script], capture_output=True, timeout=60)
        return [l for l in p.stdout.decode().split('\n') if l]
    db = os.path.join(tmp, 'complete.db')
    doc = write(os.path.join(tmp, 'complete.xml'), rss([
        {'guid': 'https://k.example/%d' % i, 'title': 'K %d' % i, 'tags': [tag],
         'author': author, 'html': '<pre><code class="language-%s">x</code></pre>' % lang}
        for i, (tag, author, lang) in enumerate((('database', 'Alice Smith', 'python'),
                                                 ('data-science', 'Bob', 'sql'),
                                                 ('rust', 'alina', 'rust')))],
        title='Kay', link='https://k.example/feed.xml'))
    run('import', doc, db=db)
    check(complete(BIN, 'opml', '') == ['import', 'export'], 'opml: import, export')
    check(complete(BIN, 'opml', 'ex') == ['export'], 'opml ex: export')
    check(complete(BIN, 'help', 'se') == ['search'], 'help: commands')
    check(complete(BIN, '--db', db, 'list', '--tag', 'dat') == ['data-science', 'database'],
          '--tag from the archive: %r' % complete(BIN, '--db', db, 'list', '--tag', 'dat'))
    check(complete(BIN, 'list', '--db', db, '--any-tag', 'r') == ['rust'], '--any-tag, --db after')
    check(complete(BIN, '--db', db, 'code', '--lang', 'p') == ['python'], '--lang')
    check(complete(BIN, '--db', db, 'list', '--author', 'al') == ['Alice\\ Smith', 'alina'],
          '--author, names quoted: %r' % complete(BIN, '--db', db, 'list', '--author', 'al'))
    check('https://k.example/feed.xml' in complete(BIN, '--db', db, 'list', '--feed', 'http'),
          '--feed')
    none = os.path.join(tmp, 'none.db')
    check(complete(BIN, '--db', none, 'list', '--tag', '') == [] and not fktest.created(none),
          'no archive: nothing, nothing made')
    rc, out, err = run('complete', 'tags', 'da', db=db)
    check(rc == 0 and out == 'data-science\ndatabase\n', 'feedkeep complete tags da: %r' % out)


def test_add_check(tmp):
    """add fetches each URL once: a page gives its feed. file:// URLs, so
    no network."""
    site = os.path.join(tmp, 'site')
    os.mkdir(site)
    write(os.path.join(site, 'feed.xml'), rss([{'guid': 'https://a.example/1', 'title': 'A'}]))
    write(os.path.join(site, 'atom.xml'), rss([{'guid': 'https://a.example/2', 'title': 'B'}]))
    write(os.path.join(site, 'one.html'),
          '<!DOCTYPE html><html><head><title>Alice</title>'
          '<link rel="stylesheet" href="x.css">'
          '<link rel="alternate" type="application/rss+xml" title="Posts" href="feed.xml">'
          '</head><body><p>hi</p></body></html>')
    write(os.path.join(site, 'two.html'),
          '<html><head><link rel="Alternate" type="application/atom+xml" href="atom.xml"'
          ' title="Atom"><link rel="alternate home" type="application/rss+xml; charset=utf-8"'
          ' href="feed.xml"></head><body></body></html>')
    write(os.path.join(site, 'none.html'), '<html><body><p>no feeds</p></body></html>')
    write(os.path.join(site, 'data.json'), '{"not": "a feed"}')
    url = lambda name: 'file://' + os.path.join(site, name)
    db = os.path.join(tmp, 'add.db')
    def subscribed():
        rc, out, err = run('feeds', '--format', 'json', db=db)
        return sorted(f['url'] for f in jsonl(out, 'feeds'))
    rc, out, err = run('add', url('one.html'), db=db)
    check(rc == 0 and out == '%s: feed %s: subscribed\n' % (url('one.html'), url('feed.xml')),
          'a page with one feed: that feed: %r %r' % (out, err))
    check(subscribed() == [url('feed.xml')], 'the feed, not the page, is subscribed')
    rc, out, err = run('add', url('two.html'), db=db)
    check(rc == 1 and 'links to 2 feeds; add one of them' in err and url('atom.xml') in err and
          '(Atom)' in err and subscribed() == [url('feed.xml')],
          'a page with two feeds: listed, none added: %r' % err)
    rc, out, err = run('add', url('none.html'), db=db)
    check(rc == 1 and "cannot add '%s': an HTML page that links to no feed" % url('none.html')
          in err, 'a page without feeds: %r' % err)
    rc, out, err = run('add', url('data.json'), db=db)
    check(rc == 1 and 'not a JSON Feed' in err and '--no-check' in err,
          'neither feed nor page: %r' % err)
    rc, out, err = run('add', url('missing.xml'), url('atom.xml'), db=db)
    check(rc == 1 and "cannot add '%s'" % url('missing.xml') in err and
          out == '%s: subscribed\n' % url('atom.xml'),
          'one URL that fails does not stop the others: %r %r' % (out, err))
    rc, out, err = run('add', '--no-check', url('none.html'), db=db)
    check(rc == 0 and out == '%s: subscribed\n' % url('none.html'), '--no-check: as given')
    check(subscribed() == sorted([url('feed.xml'), url('atom.xml'), url('none.html')]),
          'subscriptions: %r' % subscribed())


def test_opml_folders(tmp):
    one = write(os.path.join(tmp, 'f1.xml'), rss([{'guid': 'https://o.example/1', 'title': 'One'}]))
    two = write(os.path.join(tmp, 'f2.xml'), rss([{'guid': 'https://o.example/2', 'title': 'Two'}]))
    three = write(os.path.join(tmp, 'f3.xml'), rss([{'guid': 'https://o.example/3',
                                                      'title': 'Three'}]))
    opml = write(os.path.join(tmp, 'folders.opml'),
                 '<?xml version="1.0"?><opml version="2.0"><head/><body>'
                 '<outline text="Tech"><outline title="Rust">'
                 '<outline text="One" xmlUrl="file://%s"/></outline>'
                 '<outline text="Two" xmlUrl="file://%s"/></outline>'
                 '<outline text="Three" xmlUrl="file://%s"/>'
                 '</body></opml>' % (one, two, three))
    db = os.path.join(tmp, 'folders.db')
    rc, out, err = run('opml', 'import', opml, db=db)
    check(rc == 0 and '3 subscribed' in out, 'opml import with folders: %r' % err)
    rc, out, err = run('feeds', '--format', 'json', db=db)
    tags = {f['name']: f['tags'] for f in jsonl(out, 'feeds')}
    check(tags == {'One': ['Rust', 'Tech'], 'Two': ['Tech'], 'Three': []},
          'folders become feed tags: %r' % tags)
    rc, out, err = run('feeds', '--tag', 'tech', '--fields', 'name', db=db)
    check(rc == 0 and sorted(out.split()) == ['One', 'Two'], 'feeds --tag: %r' % out)
    run('fetch', db=db)
    rc, out, err = run('list', '--feed-tag', 'RUST', '--fields', 'title', db=db)
    check(rc == 0 and out == 'One\n', 'list --feed-tag: %r %r' % (out, err))
    rc, out, err = run('list', '--feed-tag', 'tech', '--fields', 'title', db=db)
    check(sorted(out.split()) == ['One', 'Two'], 'list --feed-tag tech: %r' % out)
    rc, out, err = run('opml', 'export', db=db)
    check(rc == 0 and '<outline text="Tech">' in out and '<outline text="Rust">' in out,
          'opml export writes folders: %r' % out)
    again = write(os.path.join(tmp, 'again.opml'), out)
    db2 = os.path.join(tmp, 'folders2.db')
    rc, out, err = run('opml', 'import', again, db=db2)
    rc, out, err = run('feeds', '--format', 'json', db=db2)
    tags2 = {f['name']: f['tags'] for f in jsonl(out, 'feeds')}
    check(tags2['Two'] == ['Tech'] and tags2['Three'] == [] and tags2['One'],
          'folders come back from an export: %r' % tags2)


def main():
    global BIN, DATA
    BIN, DATA = fktest.start(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        test_no_archive(tmp)
        test_permissions(tmp)
        test_arrival(tmp)
        test_records(tmp)
        test_code(tmp)
        test_authors(tmp)
        test_feed_names(tmp)
        test_title_diff(tmp)
        test_words(tmp)
        test_table_widths(tmp)
        test_pager_and_sizes(tmp)
        test_import_progress(tmp)
        test_feeds_table(tmp)
        test_views(tmp)
        test_completion(tmp)
        test_add_check(tmp)
        test_opml_folders(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
