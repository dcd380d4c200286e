#!/usr/bin/env python3
"""CLI tests: the real feedkeep binary on temporary archives. No network.

usage: test_cli.py FEEDKEEP DATADIR
"""
import collections
import html.parser
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import check, run, run_tty  # noqa: E402

BIN = None
DATA = None
SAMPLE = None


class PreText(html.parser.HTMLParser):
    """The text a reader sees in each <pre> of an article."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.depth, self.current = [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag == 'pre':
            self.depth += 1
            if self.depth == 1:
                self.current = []

    def handle_endtag(self, tag):
        if tag == 'pre' and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self.blocks.append(''.join(self.current))

    def handle_data(self, data):
        if self.depth:
            self.current.append(data)


def sample_code_blocks():
    """Code blocks of the sample, per article in feed order, from its HTML."""
    import xml.etree.ElementTree as ET
    articles = []
    for item in ET.parse(SAMPLE).getroot().iter('item'):
        parser = PreText()
        parser.feed(item.findtext('description') or '')
        articles.append((item.findtext('guid'), parser.blocks))
    return articles


def test_import_sample(tmp):
    db = os.path.join(tmp, 'a.db')
    rc, out, err = run('import', SAMPLE, db=db)
    check(rc == 0, 'import exits 0 (%d, %s)' % (rc, err))
    check('12 new, 0 updated, 0 unchanged' in out, 'import summary: %r' % out)
    check(err == '', 'import is silent on stderr: %r' % err)

    con = fktest.connect(db)
    count = lambda sql: con.execute(sql).fetchone()[0]
    check(count('SELECT count(*) FROM articles') == 12, '12 articles')
    check(count('SELECT count(*) FROM tags') == 24, '24 distinct tags')
    check(count('SELECT count(*) FROM code_blocks') == 44, '44 code blocks')
    langs = dict(con.execute('SELECT language, count(*) FROM code_blocks GROUP BY language'))
    expected = {'python': 14, 'shell': 7, 'yaml': 6, 'javascript': 6, 'sql': 5, 'codeowners': 1,
                'toml': 1, 'conf': 1, 'json': 1, 'ini': 1, 'plaintext': 1}
    check(langs == expected, 'code languages: %r' % langs)
    check(con.execute('PRAGMA journal_mode').fetchone()[0] == 'wal', 'WAL mode')
    check(con.execute('PRAGMA user_version').fetchone()[0] >= 1, 'schema version set')
    snapshot = con.execute('SELECT id, key, title, text, markdown, content_hash FROM articles '
                           'ORDER BY id').fetchall()
    fts = count("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'planner'")
    check(fts >= 1, 'full-text index finds "planner" (%d)' % fts)
    con.close()

    rc, out, err = run('import', SAMPLE, db=db)
    check(rc == 0 and '0 new, 0 updated, 12 unchanged' in out, 'second import: %r %r' % (out, err))
    con = fktest.connect(db)
    check(con.execute('SELECT id, key, title, text, markdown, content_hash FROM articles '
                      'ORDER BY id').fetchall() == snapshot, 'second import changes no article')
    check(con.execute('SELECT count(*) FROM article_versions').fetchone()[0] == 0,
          'second import makes no versions')
    check(con.execute('SELECT count(*) FROM code_blocks').fetchone()[0] == 44,
          'still 44 code blocks')
    con.close()

    # Importing from stdin, under the same feed URL, is the same feed again.
    with open(SAMPLE, 'rb') as fh:
        rc, out, err = run('import', '-', db=db, stdin=fh.read())
    check(rc == 0 and '12 unchanged' in out, 'import from stdin: %r %r' % (out, err))
    rc, out, err = run('--quiet', 'import', SAMPLE, db=db)
    check(rc == 0 and out == '' and err == '', '--quiet import prints nothing: %r %r' % (out, err))
    return db


def test_list(db):
    rc, out, err = run('list', '--format', 'json', db=db)
    lines = out.splitlines()
    check(rc == 0 and len(lines) == 12, 'list --format json gives 12 lines (%d)' % len(lines))
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            check(False, 'not JSON: %r' % line)
    for r in records:
        for key in ('id', 'guid', 'url', 'title', 'author', 'published', 'tags', 'feed'):
            check(key in r, 'JSON record has %s' % key)
    dates = [r['published'] for r in records]
    check(dates == sorted(dates, reverse=True), 'newest first')
    check(all(re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', d) for d in dates), 'ISO dates')
    check(records[0]['feed'] == 'https://dev.to/feed/fuadhusnan_f44f3e13', 'feed is the self link')

    rc, out, err = run('list', '--tag', 'database', db=db)
    check(rc == 0 and len(out.splitlines()) == 7, 'list --tag database gives 7 (%r)' % out)
    rc, out2, err = run('list', '--tag', 'DataBase', db=db)
    check(out2 == out, 'tags match case-insensitively')
    tsv = [line.split('\t') for line in out.splitlines()]
    check(all(len(f) == 6 for f in tsv), 'TSV has 6 columns')
    check(all('database' in f[3].split('|') for f in tsv), 'TSV tags column holds the tag')

    by_tag = collections.Counter(t for r in records for t in r['tags'])
    two = [t for t, n in by_tag.items() if t != 'database' and n > 1][0]
    both = [r for r in records if 'database' in r['tags'] and two in r['tags']]
    rc, out, err = run('list', '--tag', 'database', '--tag', two, '--format', 'json', db=db)
    check(len(out.splitlines()) == len(both), '--tag twice means both (%s)' % two)

    rc, out, err = run('list', '--limit', '3', '--format', 'json', db=db)
    check([json.loads(l)['id'] for l in out.splitlines()] == [r['id'] for r in records[:3]],
          '--limit 3 gives the 3 newest')

    mid = records[5]['published'][:10]
    rc, out, err = run('list', '--since', mid, '--format', 'json', db=db)
    since = [json.loads(l) for l in out.splitlines()]
    check(len(since) == sum(1 for r in records if r['published'][:10] >= mid) and since,
          '--since %s' % mid)
    rc, out, err = run('list', '--until', mid, '--format', 'json', db=db)
    until = [json.loads(l) for l in out.splitlines()]
    check(len(until) == sum(1 for r in records if r['published'][:10] <= mid),
          '--until %s includes that day' % mid)

    rc, out, err = run('list', '--format', 'csv', db=db)
    check(rc == 0 and len(out.splitlines()) == 13 and
          out.startswith('id,date,author,tags,title,url\n'), 'csv output: a header and 12 rows')
    rc, out, err = run('list', '--since', 'someday', db=db)
    check(rc == 2 and "'someday' is not a date" in err, 'bad date: %r' % err)
    rc, out, err = run('list', '--format', 'xml', db=db)
    check(rc == 2 and "unknown format 'xml'" in err, 'bad format: %r' % err)
    rc, out, err = run('list', '--limit', 'ten', db=db)
    check(rc == 2, 'bad limit is a usage error')
    return records


def test_show(db, records):
    for r in records:
        rc, text, err = run('show', str(r['id']), db=db)
        check(rc == 0 and text.startswith(r['title'] + '\n'), 'show %d starts with the title' % r['id'])
        rc, md, err = run('show', str(r['id']), '--markdown', db=db)
        check(rc == 0 and md.strip(), 'show --markdown %d' % r['id'])
        for name, out in (('text', text), ('markdown', md)):
            for bad in ('<span', '&lt;', '&amp;', '\n\n\n'):
                check(bad not in out, '%s of article %d has no %r' % (name, r['id'], bad))
    rc, out, err = run('show', '99999', db=db)
    check(rc == 1 and 'no article with ID 99999' in err, 'show of a missing ID: %r' % err)
    rc, out, err = run('show', 'abc', db=db)
    check(rc == 2, 'show of a bad ID is a usage error')


def test_code(db, records):
    rc, out, err = run('code', '--format', 'json', db=db)
    blocks = [json.loads(l) for l in out.splitlines()]
    check(rc == 0 and len(blocks) == 44, 'code lists 44 blocks (%d)' % len(blocks))
    for b in blocks:
        for key in ('id', 'article_id', 'position', 'language', 'lines', 'code'):
            check(key in b, 'code JSON has %s' % key)
    rc, out, err = run('code', '--lang', 'python', '--format', 'json', db=db)
    check(len(out.splitlines()) == 14, 'code --lang python gives 14')
    rc, out, err = run('code', '--lang', 'PYTHON', db=db)
    check(len(out.splitlines()) == 14, 'code --lang is case-insensitive')

    # Each stored block is byte-identical to what a reader sees in the <pre>.
    guid_to_id = {r['guid']: r['id'] for r in records}
    stored = collections.defaultdict(list)
    for b in sorted(blocks, key=lambda b: (b['article_id'], b['position'])):
        stored[b['article_id']].append(b['code'])
    for guid, pres in sample_code_blocks():
        expected = [p if p.endswith('\n') else p + '\n' for p in pres]
        got = stored.get(guid_to_id.get(guid), [])
        check(got == expected, 'code blocks of %s are byte-identical' % guid)
        for code, b in zip(got, [b for b in blocks if b['article_id'] == guid_to_id.get(guid)]):
            check(b['lines'] == code.count('\n'), 'lines count of block %d' % b['id'])


def test_parse():
    rc, out, err = run('parse', SAMPLE, '--format', 'json')
    doc = json.loads(out)
    check(rc == 0 and doc['well_formed'] is True, 'parse: well formed')
    check(len(doc['items']) == 12, 'parse: 12 items')
    check(doc['feed']['title'] == "DEV Community: Fu'ad Husnan", 'parse: feed title')
    check(doc['feed']['site_url'] == 'https://dev.to/fuadhusnan_f44f3e13', 'parse: site url')
    first = doc['items'][0]
    check(first['published'] == '2026-06-07T09:18:27Z', 'parse: published %r' % first['published'])
    check(first['author'] == "Fu'ad Husnan", 'parse: author')
    check(sum(len(i['code_blocks']) for i in doc['items']) == 44, 'parse: 44 code blocks')
    check(all(i['text'] and '<span' not in i['text'] for i in doc['items']), 'parse: clean text')
    rc, out, err = run('parse', SAMPLE, '--format', 'tsv')
    check(rc == 2, 'parse --format tsv is a usage error')
    with open(SAMPLE, 'rb') as fh:
        rc, out2, err = run('parse', '-', stdin=fh.read())
    check(rc == 0 and json.loads(out2)['items'] == doc['items'], 'parse from stdin')


def test_locations(tmp):
    data_home = os.path.join(tmp, 'xdg')
    rc, out, err = run('import', SAMPLE, env={'XDG_DATA_HOME': data_home})
    path = os.path.join(data_home, 'feedkeep', 'feedkeep.db')
    check(rc == 0 and os.path.exists(path), 'XDG_DATA_HOME default location, created (%s)' % err)
    env_db = os.path.join(tmp, 'env', 'nested', 'e.db')
    rc, out, err = run('import', SAMPLE, env={'FEEDKEEP_DB': env_db})
    check(rc == 0 and os.path.exists(env_db), '$FEEDKEEP_DB, directories created')
    rc, out, err = run('list', '--db', env_db)
    check(rc == 0 and len(out.splitlines()) == 12, '--db after the subcommand')
    other = os.path.join(tmp, 'other.db')
    rc, out, err = run('list', db=other, env={'FEEDKEEP_DB': env_db})
    check(rc == 3 and "no archive at '%s'" % fktest.shown(other) in err and
          not fktest.created(other),
          '--db wins over $FEEDKEEP_DB, and list creates nothing: %r' % err)
    # a URL is not taken as a file name (it made a directory "postgresql:"):
    # a PostgreSQL one is a database to connect to (here, none is there),
    # another is refused; what follows a scheme (a password) is never shown
    url = 'postgresql://ann:s3cret@/feeds?host=%s' % os.path.join(tmp, 'no-server')
    rc, out, err = run('import', SAMPLE, cwd=tmp, db=url)
    check(rc == 3 and err.startswith("feedkeep: cannot connect to postgresql://ann@/feeds?host=")
          and 's3cret' not in err, 'no server at a PostgreSQL URL: %d %r' % (rc, err))
    check(not os.path.exists(os.path.join(tmp, 'postgresql:')), 'no directory postgresql:')
    for url, how in (('mysql://ann:s3cret@db.example/feeds', 'db'),
                     ('mysql+x://h/db', 'env')):
        kwargs = {'db': url} if how == 'db' else {'env': {'FEEDKEEP_DB': url}}
        rc, out, err = run('import', SAMPLE, cwd=tmp, **kwargs)
        scheme = url.split('://')[0]
        check(rc == 2 and err == "feedkeep: archive location '%s://...' (%s) is a URL of a scheme "
              "feedkeep does not know: an archive is a SQLite file or a postgresql:// URL\n"
              % (scheme, '--db' if how == 'db' else 'FEEDKEEP_DB'),
              'a URL as the archive is refused: %d %r' % (rc, err))
        check(not os.path.exists(os.path.join(tmp, scheme + ':')), 'no directory %s:' % scheme)


def test_errors(tmp):
    db = os.path.join(tmp, 'errors.db')
    rc, out, err = run('import', os.path.join(tmp, 'missing.xml'), db=db)
    check(rc == 1 and "cannot open '" in err and 'No such file' in err, 'missing file: %r' % err)
    page = os.path.join(tmp, 'page.html')
    with open(page, 'w') as fh:
        fh.write('<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>')
    rc, out, err = run('import', page, db=db)
    check(rc == 1 and 'page.html' in err and 'not an RSS or Atom feed' in err,
          'HTML page instead of a feed: %r' % err)
    notdb = os.path.join(tmp, 'notdb.db')
    with open(notdb, 'w') as fh:
        fh.write('this is not a database, just text\n' * 100)
    rc, out, err = run('list', db=notdb)
    check(rc == 3 and 'notdb.db' in err, 'not an archive: %r' % err)
    with open(notdb, 'rb') as fh:
        check(fh.read(20) == b'this is not a databa', 'the foreign file is left alone')
    rc, out, err = run('bogus')
    check(rc == 2 and "'bogus' is not a feedkeep command" in err, 'unknown command')
    rc, out, err = run('list', '--bogus')
    check(rc == 2 and 'feedkeep: ' in err and '--bogus' in err, 'unknown option: %r' % err)
    rc, out, err = run()
    check(rc == 2 and 'usage:' in err, 'no command: usage on stderr')
    for cmd in ('import', 'parse', 'list', 'show', 'code'):
        rc, out, err = run(cmd, '--help')
        check(rc == 0 and out.startswith('usage: feedkeep %s' % cmd), '%s --help' % cmd)
    rc, out, err = run('--version')
    check(rc == 0 and re.match(r'^feedkeep \d+\.\d+\.\d+\n$', out), '--version: %r' % out)
    if os.path.exists('/dev/full'):
        with open('/dev/full', 'w') as full:
            p = subprocess.run(fktest.command(['list'], os.path.join(tmp, 'a.db')), stdout=full,
                               stderr=subprocess.PIPE)
        check(p.returncode == 3 and b'cannot write' in p.stderr,
              'a failed write to stdout is an error: %r' % p.stderr)


HOSTILE = '''<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>hostile</title><link>http://example.com/</link>
<item><title>tab\there &#10;newline \x1b]52;c;ZXZpbA==\x07 osc \x1b[2J &amp;#x9b;2J clear</title>
<guid>http://example.com/1</guid><pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;body&lt;/p&gt;</description></item>
</channel></rss>
'''


def test_hostile_titles(tmp):
    feed = os.path.join(tmp, 'hostile.xml')
    with open(feed, 'w') as fh:
        fh.write(HOSTILE.replace('\x1b', '&#27;').replace('\x07', '&#7;'))
    db = os.path.join(tmp, 'hostile.db')
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'hostile feed imported: %r' % err)
    rc, out, err = run('list', db=db)
    check(rc == 0 and len(out.splitlines()) == 1, 'TSV: one record is one line: %r' % out)
    check(not re.search('[\x1b\x07\x9b]', out), 'TSV has no escape sequences')
    rc, out, err = run('list', '--format', 'json', db=db)
    # XML cannot carry ESC itself; a character reference to a C1 control is
    # read as windows-1252, as browsers do (&#x9b; is U+203A).
    title = json.loads(out)['title']
    check('[2J' in title and not re.search('[\x00-\x08\x1b\x7f-\x9f]', title),
          'JSON title keeps the text without controls: %r' % title)
    rc, out = run_tty('--db', db, 'list')
    check(rc == 0 and not re.search('[\x1b\x07\x9b]', out) and 'tab here' in out,
          'terminal table without escapes: %r' % out)
    rc, out = run_tty('--db', db, 'show', '1')
    check(rc == 0 and not re.search('[\x1b\x07\x9b]', out), 'terminal show without escapes')


def test_hostile_diagnostics(tmp):
    """Parser messages quote the feed; every diagnostic passes the
    terminal-safety filter, so import and parse print them neutralised."""
    # An encoding name with a C1 CSI (U+009B) and a right-to-left override
    # (U+202E): libxml2's message quotes it, in the warning of a feed that
    # reads, and in the error of one that does not.
    hostile = 'x\u009b31m\u202eZ'.encode('utf-8')
    readable = (b'<?xml version="1.0" encoding="' + hostile + b'"?>\n<rss version="2.0">'
                b'<channel><title>t</title><item><title>a</title><guid>g1</guid></item>'
                b'</channel></rss>\n')
    unreadable = b'<?xml version="1.0" encoding="' + hostile + b'"?>\n<<<\n'
    bad = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]')
    db = os.path.join(tmp, 'diagnostics.db')
    for name, data, want_rc in (('readable.xml', readable, 0), ('unreadable.xml', unreadable, 1)):
        path = os.path.join(tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
        for args in (('-v', 'parse', path), ('-v', 'import', path)):
            rc, out, err = run(*args, db=db)
            check(rc == want_rc and "unsupported encoding 'x31mZ'" in err and not bad.search(err),
                  '%s %s: the message neutralised: %d %r' % (args[1], name, rc, err))
    # A bad option is reported in getopt's words, through the same filter.
    for command in ('list', 'parse', 'tags'):
        rc, out, err = run(command, '--\x1b[2Jx\u202e', db=db)
        check(rc == 2 and err.startswith("feedkeep: unrecognized option '--x'\n") and
              not bad.search(err), '%s: a hostile option neutralised: %r' % (command, err))
    rc, out, err = run('list', '--s=x', db=db)
    check(rc == 2 and err.startswith("feedkeep: option '--s=x' is ambiguous; possibilities: "
                                     "'--since' '--since-fetch' '--sort'\n"), 'ambiguous: %r' % err)
    rc, out, err = run('list', '--reverse=x', '-Z', db=db)
    check(rc == 2 and err.startswith("feedkeep: option '--reverse' doesn't allow an argument\n"),
          "doesn't allow: %r" % err)


def main():
    global BIN, DATA, SAMPLE
    # show pages through $PAGER on a terminal; these tests look at what
    # feedkeep itself writes there (test_habits.py tests the pager).
    os.environ['PAGER'] = 'cat'
    BIN, DATA = fktest.start(sys.argv[1]), sys.argv[2]
    SAMPLE = os.path.join(DATA, 'devto-fuadhusnan.xml')
    with tempfile.TemporaryDirectory() as tmp:
        db = test_import_sample(tmp)
        records = test_list(db)
        test_show(db, records)
        test_code(db, records)
        test_parse()
        test_locations(tmp)
        test_errors(tmp)
        test_hostile_titles(tmp)
        test_hostile_diagnostics(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
