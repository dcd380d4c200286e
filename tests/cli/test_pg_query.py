#!/usr/bin/env python3
"""The PostgreSQL store's readers against the SQLite store's: one archive
made by importing feeds into SQLite, copied into PostgreSQL (pgload), then
list, show, code, tags, authors, stats, history, completion and search run
on both, their output compared.

usage: test_pg_query.py FEEDKEEP DATADIR CLUSTER_DIR

CLUSTER_DIR is a running cluster of tests/pgcluster.py (its directory, or
the file naming it).
"""
import glob
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fktest  # noqa: E402
import pgcluster  # noqa: E402 - tests/pgcluster.py
import pgload  # noqa: E402
from fktest import check, esc, jsonl, run, write  # noqa: E402

SQLITE = None
PG = None

CODE_PY = '<pre><code class="language-python">def walrus():\n    return 42\n</code></pre>'
CODE_PY2 = '<pre><code class="language-Python">print("zeppelin")\n</code></pre>'
CODE_GO = '<pre><code class="language-go">func main() {}\n</code></pre>'
CODE_NONE = '<pre><code>plain block\nsecond line\n</code></pre>'
LONG = ' '.join('Filler sentence number %d about ordinary things.' % i for i in range(40))

# guid, title, author, date, tags, html
ITEMS = [
    ('h1', 'The zeppelin over the harbour', 'Carol Nguyễn', 'Mon, 01 Jun 2026 10:00:00 GMT',
     ['Travel', 'Air ships'], '<p>%s</p><p>A quantum walrus swims by.</p>%s' % (LONG, CODE_PY)),
    ('h2', 'Gardening with marmosets', 'carol nguyễn', 'Tue, 02 Jun 2026 10:00:00 GMT',
     ['gardening', 'Animals'], '<p>Marmosets dig. The zeppelin is mentioned once here.</p>'
     + CODE_PY2 + CODE_NONE),
    ('h3', 'Tie one', 'Ada Lovelace', 'Wed, 03 Jun 2026 10:00:00 GMT', ['engines'],
     '<p>Analytical engines weave algebraic patterns.</p>' + CODE_GO),
    ('h4', 'Tie two', 'Ada Lovelace', 'Wed, 03 Jun 2026 10:00:00 GMT', ['engines', 'travel'],
     '<p>Bernoulli numbers, computed by engines.</p>'),
    ('h5', 'Undated note', "Bob O'Brien", '', [], '<p>No date at all, planning ahead.</p>'),
    ('h6', 'Planetary planning', 'Bob O\'Brien', 'Thu, 04 Jun 2026 10:00:00 GMT', ['space'],
     '<p>Planets and planners: a plan for Mars.</p>'),
]


def feed(items, title='Hand-written', link='https://hand.example/'):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           '<title>%s</title><link>%s</link>\n' % (title, link)]
    for guid, item_title, author, date, tags, html in items:
        url = 'https://hand.example/posts/%s' % guid
        out.append('<item><title>%s</title><guid>%s</guid><link>%s</link>%s'
                   '<author>%s</author>%s<description>%s</description></item>\n'
                   % (esc(item_title), esc(url), esc(url),
                      '<pubDate>%s</pubDate>' % date if date else '', esc(author),
                      ''.join('<category>%s</category>' % esc(t) for t in tags), esc(html)))
    out.append('</channel></rss>\n')
    return ''.join(out)


def build(tmp, data):
    db = os.path.join(tmp, 'a.db')
    rc, out, err = run('import', os.path.join(data, 'devto-fuadhusnan.xml'), db=db)
    check(rc == 0 and '12 new' in out, 'sample imported: %r' % err)
    for path in sorted(glob.glob(os.path.join(data, 'feeds', '*.xml'))):
        if os.path.exists(path[:-4] + '.args'):
            continue
        run('import', path, db=db)
    hand = os.path.join(tmp, 'hand.xml')
    write(hand, feed(ITEMS))
    rc, out, err = run('import', hand, db=db)
    check(rc == 0 and '6 new' in out, 'hand feed imported: %r %r' % (out, err))
    # a re-import that changes two articles (versions) and shortens one
    # (a rejected version)
    changed = [list(i) for i in ITEMS]
    changed[2][1] = 'Tie one, retitled'
    changed[3][5] = '<p>Bernoulli numbers, computed by engines, and much more text now.</p>'
    changed[0][5] = '<p>Short.</p>'
    write(hand, feed([tuple(i) for i in changed]))
    rc, out, err = run('import', hand, db=db)
    check(rc == 0 and 'updated' in out, 'hand feed re-imported: %r %r' % (out, err))
    # the same articles from a second feed, and a feed tag
    write(hand, feed(ITEMS[4:], title='Second', link='https://second.example/'))
    second = os.path.join(tmp, 'second.xml')
    os.rename(hand, second)
    run('import', second, db=db)
    con = fktest.connect(db)
    hand_feed = con.execute("SELECT id FROM feeds WHERE url LIKE '%hand.xml'").fetchone()
    if hand_feed:
        con.execute("INSERT INTO feed_tags(feed_id, name) VALUES (?, 'Hobby')", hand_feed)
    con.commit()
    con.close()
    return db


def both(*args):
    """Run args on both archives; returns the two (rc, out, err), each
    message's archive named ARCHIVE."""
    results = []
    for db in (SQLITE, PG):
        rc, out, err = run(*args, db=db)
        results.append((rc, out, err.replace(db, 'ARCHIVE')))
    return results


def same(*args, mask=None):
    s, p = both(*args)
    if mask:
        s, p = mask(s), mask(p)
    check(s == p, "%s: sqlite %.300r\n  postgresql %.300r" % (" ".join(args), s, p))
    return s


def test_list():
    same('list')
    for fmt in ('table', 'tsv', 'csv', 'json'):
        same('list', '--format', fmt)
    same('list', '--format', 'tsv', '--header')
    fields = 'id,guid,url,title,author,author_email,date,published,updated,first_seen,' \
             'last_seen,tags,feed'
    same('list', '--format', 'tsv', '--fields', fields)
    same('list', '--format', 'json', '--fields', fields)
    filters = [
        ['--tag', 'engines'], ['--tag', 'engines', '--tag', 'travel'], ['--tag', 'Travel'],
        ['--tag', 'air ships'], ['--tag', 'nosuchtag'],
        ['--tag', 'engines', '--tag', 'travel', '--tag', 'engines'] + ['--tag', 'Engines'] * 6,
        [a for t in ('engines', 'travel', 'x1', 'x2', 'x3', 'x4', 'x5') for a in ('--tag', t)],
        ['--any-tag', 'space', '--any-tag', 'gardening'],
        ['--since', '2026-06-02'], ['--until', '2026-06-03'],
        ['--since', '2026-06-01', '--until', '2026-06-04'],
        ['--author', 'carol'], ['--author', 'nguyen'], ['--author', 'NGUYỄN'],
        ['--author', "o'brien"], ['--author', 'brien'], ['--author', 'ada lovelace'],
        ['--author', 'lovelace ada'], ['--author', 'nobody'],
        ['--feed', '1'], ['--feed-tag', 'hobby'], ['--feed-tag', 'HOBBY'],
        ['--has-code'], ['--has-code', 'python'], ['--has-code', 'GO'],
        ['--archived-since', '2000-01-01'], ['--archived-since', '2100-01-01'],
        ['--changed-since', '2000-01-01'], ['--changed-since', '2100-01-01'],
        ['--limit', '3'], ['--limit', '3', '--offset', '2'], ['--offset', '5'],
        ['--sort', 'updated'], ['--sort', 'first_seen'], ['--reverse'],
        ['--sort', 'updated', '--reverse'], ['--sort', 'first_seen', '--reverse', '--limit', '4'],
        ['--tag', 'engines', '--reverse'], ['--tag', 'engines', '--sort', 'first_seen'],
    ]
    for f in filters:
        same('list', '--format', 'tsv', '--fields', 'id,date,author,tags,title,feed', *f)
    same('list', '--author', '!!')
    # feeds by id, URL
    rc, out, err = run('list', '--format', 'json', '--fields', 'feed', db=SQLITE)
    for url in sorted({r['feed'] for r in jsonl(out, 'feeds')})[:3]:
        same('list', '--format', 'tsv', '--feed', url)


def test_show():
    rc, out, err = run('list', '--format', 'json', '--fields', 'id,url', db=SQLITE)
    records = jsonl(out, 'list')
    check(len(records) > 15, 'the archive has articles: %d' % len(records))
    for r in records:
        same('show', '--json', str(r['id']))
    for r in records[:5]:
        for mode in ('--text', '--markdown', '--feed-html'):
            same('show', mode, '--no-pager', str(r['id']))
        if r.get('url'):
            same('show', '--json', r['url'])
    same('show', '--json', '999999')
    same('show', '--json', 'https://nowhere.example/')


def test_code():
    for fmt in ('table', 'tsv', 'csv', 'json'):
        same('code', '--format', fmt)
    for f in (['--lang', 'python'], ['--lang', 'PYTHON'], ['--lang', 'go'], ['--lang', 'cobol'],
              ['--limit', '2'], ['--limit', '2', '--offset', '1'], ['--reverse'],
              ['--tag', 'engines'], ['--author', 'carol'], ['--sort', 'first_seen']):
        same('code', '--format', 'tsv', *f)
    rc, out, err = run('code', '--format', 'json', db=SQLITE)
    for r in jsonl(out, 'code')[:6]:
        same('code', str(r['id']))
    same('code', '999999')


def test_counts():
    for fmt in ('table', 'tsv', 'csv', 'json'):
        same('tags', '--format', fmt)
        same('authors', '--format', fmt)
    same('tags', '--limit', '3')
    same('authors', '--limit', '2')

    def no_size(result):
        """The output without the sizes of the database files, which
        differ between the stores."""
        rc, out, err = result
        if out.startswith('{'):
            record = json.loads(out)
            for key in ('size_bytes', 'wal_bytes'):
                check(key in record, 'stats JSON has %s' % key)
                record.pop(key, None)
            return rc, record, err
        lines = [l for l in out.splitlines() if 'size' not in l and 'wal' not in l.lower()]
        check(len(lines) > 10, 'stats has lines: %r' % lines)
        return rc, lines, err
    for fmt in ('table', 'tsv', 'json'):
        same('stats', '--format', fmt, mask=no_size)


def counts_same(what):
    """tags, authors and stats the same on both stores, and check sound
    on PostgreSQL."""
    for fmt in ('tsv', 'json'):
        same('tags', '--format', fmt)
        same('authors', '--format', fmt)
    same('tags', '--limit', '3')
    same('authors', '--limit', '2')
    s, p = both('stats', '--format', 'json')
    s, p = json.loads(s[1]), json.loads(p[1])
    for record in (s, p):
        record.pop('size_bytes', None)
        record.pop('wal_bytes', None)
    check(s == p and s['articles'] > 0, '%s: stats the same: %.300r\n  %.300r' % (what, s, p))
    rc, out, err = run('check', db=PG)
    check(rc == 0 and 'ok' in out, '%s: check finds the counts sound: %r %r' % (what, out, err))


def pending():
    return int(pgload.psql(PG, 'SELECT count(*) FROM count_changes'))


def test_kept_counts():
    """The kept counts of schema 2: with the changes of the rows' triggers
    waiting (pgload's COPY left them all so), folded, after changes that
    remove (which read newest dates and names again), and made afresh by
    the migration from schema 1."""
    check(pending() > 0, 'the copied rows left changes to fold')
    counts_same('changes waiting')
    pgload.psql(PG, 'SELECT fk_counts_fold(true)')
    check(pending() == 0, 'the fold took every change')
    counts_same('folded')

    # removals: a tag taken off the newest article that has it, a name
    # spelt another way (now first in byte order), blocks gone, an
    # article's date moved; the same SQL on both stores
    con = fktest.connect(SQLITE)
    ids = dict(con.execute("SELECT guid, id FROM articles WHERE guid LIKE '%/posts/h%'"))
    h = {g.rsplit('/', 1)[1]: i for g, i in ids.items()}
    check(len(h) == 6, 'the hand-written articles found: %r' % h)
    steps = ["DELETE FROM article_tags WHERE article_id = %d"
             " AND tag_id = (SELECT id FROM tags WHERE name = 'travel')" % h['h4'],
             "UPDATE articles SET author = 'ADA LOVELACE' WHERE id = %d" % h['h3'],
             "DELETE FROM code_blocks WHERE article_id = %d" % h['h2']]
    for sql in steps:
        con.execute(sql)
        pgload.psql(PG, sql)
    con.execute("UPDATE articles SET published = published - 86400 * 400 WHERE id = %d" % h['h6'])
    pgload.psql(PG, "UPDATE articles SET published = published - interval '400 days'"
                    " WHERE id = %d" % h['h6'])
    con.commit()
    con.close()
    check(pending() > 0, 'the removals left changes')
    counts_same('removals waiting')
    pgload.psql(PG, 'SELECT fk_counts_fold(false)')
    check(pending() == 0, 'the fold took the removals')
    counts_same('removals folded')

    # damage found by check, and mended by check --repair
    pgload.psql(PG, "UPDATE counts SET n = n + 2 WHERE kind = 'u'")
    rc, out, err = run('check', db=PG)
    check(rc == 3 and "counts: author 'ADA LOVELACE'" in out and 'recounts' in out,
          'check finds a count off: %r %r' % (out, err))
    rc, out, err = run('check', '--repair', db=PG)
    check(rc == 0 and 'the counts of tags, authors, code languages, articles and versions'
          ' recounted' in out, 'check --repair recounts: %r %r' % (out, err))
    counts_same('repaired')

    # an archive of schema 1 gets the counts when it is next opened
    pgload.psql(PG, "DROP VIEW counts_now, counts_recounted;"
                    " DROP TABLE counts, count_changes;"
                    " DROP FUNCTION fk_count_article, fk_count_rows, fk_counts_fold,"
                    " fk_count_newest, fk_count_name CASCADE;"
                    " UPDATE feedkeep_schema SET version = 1")
    counts_same('migrated')
    check(pgload.psql(PG, 'SELECT version FROM feedkeep_schema').strip() == '3',
          'the archive is at schema 3')


def test_history():
    rc, out, err = run('list', '--format', 'json', '--fields', 'id,title', db=SQLITE)
    for r in jsonl(out, 'list'):
        same('history', str(r['id']))
    con = fktest.connect(SQLITE, readonly=True)
    changed = [i for (i,) in con.execute('SELECT DISTINCT article_id FROM article_versions')]
    con.close()
    check(len(changed) >= 3, 'versions kept: %r' % changed)
    for i in changed:
        for fmt in ('tsv', 'csv', 'json'):
            same('history', '--format', fmt, str(i))
        for n in ('1', '2', '3'):
            same('show', '--version', n, '--no-pager', str(i))
        same('show', '--diff', '--no-pager', str(i))
    same('history', '999999')


def test_complete():
    for kind, prefixes in (('tags', ['', 'e', 'T', 'air', 'zz']),
                           ('languages', ['', 'p', 'G']),
                           ('authors', ['', 'c', 'CAROL', "bob o'"]),
                           ('feeds', ['', '1', 'https://', 'H'])):
        for prefix in prefixes:
            same('complete', kind, prefix)


def hits(db, *args):
    rc, out, err = run('search', '--format', 'json', *args, db=db)
    return rc, [r['id'] for r in jsonl(out, 'search')], err


def test_search():
    queries = [
        # (query words, a clear winner: the top hit agrees)
        (['zeppelin'], True),
        (['marmosets'], True),
        (['"quantum walrus"'], True),
        (['"walrus quantum"'], True),
        (['zepp*'], True),
        (['zeppelin', 'OR', 'marmosets'], False),
        (['engines', 'NOT', 'bernoulli'], True),
        (['engines', '-bernoulli'], True),
        (['title:zeppelin'], True),
        (['text:zeppelin'], False),
        (['tags:gardening'], True),
        (['tags:(gardening OR space)'], False),
        (['(planets OR bernoulli)', 'plan*'], True),
        (['planning'], True),
        (['nosuchwordanywhere'], True),
        (['database'], False),
        (['query', 'optimization'], False),
    ]
    for words, clear in queries:
        for extra in ([], ['--rank-all'], ['--tag', 'engines'], ['--author', 'carol'],
                      ['--limit', '1'], ['--since', '2026-06-02'], ['--has-code'],
                      ['--feed-tag', 'hobby'], ['--changed-since', '2000-01-01']):
            s, p = (hits(db, *(extra + ['--'] + words)) for db in (SQLITE, PG))
            what = 'search %s %s' % (' '.join(extra), ' '.join(words))
            check(s[0] == p[0] and s[2] == p[2].replace(PG, SQLITE),
                  '%s: status and messages: %r %r' % (what, s, p))
            if '--limit' in extra:
                if clear:
                    check(s[1] == p[1], '%s: the best hit: %r %r' % (what, s[1], p[1]))
                continue
            check(sorted(s[1]) == sorted(p[1]), '%s: the hits: %r %r' % (what, s[1], p[1]))
            if clear and s[1]:
                check(s[1][0] == p[1][0], '%s: the top hit: %r %r' % (what, s[1], p[1]))
    # exact output where one article matches, the snippet too: made by the
    # same rules from the same text
    for words in (['zeppelin', 'harbour'], ['title:marmosets'], ['"quantum walrus"'],
                  ['walrus'], ['marmosets'], ['title:zeppelin']):
        same('search', '--format', 'tsv', '--fields', 'id,date,author,tags,title,url,snippet',
             *words)
    # snippets: the matched words marked, "…" where the text is cut
    rc, out, err = run('search', '--format', 'json', 'walrus', db=PG)
    snippet = jsonl(out, 'search')[0]['snippet'] if out else ''
    check('[walrus]' in snippet and snippet.startswith('\u2026'), 'snippet: %r' % snippet)
    rc, out, err = run('search', '--format', 'json', 'marmosets', db=PG)
    snippet = jsonl(out, 'search')[0]['snippet'] if out else ''
    check('[Marmosets]' in snippet and '\u2026' not in snippet, 'whole snippet: %r' % snippet)
    # a term limited to the title or the tags is not marked in the text
    rc, out, err = run('search', '--format', 'json', 'title:zeppelin', db=PG)
    snippet = jsonl(out, 'search')[0]['snippet'] if out else '['
    check('[' not in snippet, 'title: term unmarked in the text: %r' % snippet)
    # whole short texts without a match: the same snippet
    same('search', '--format', 'tsv', '--fields', 'id,snippet', 'tags:(gardening OR space)')
    # errors as SQLite gives them
    same('search', '--', '"')
    same('search', '--', '+')
    same('search', 'AND')


CASE_FEED = '''<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Cases</title><link>https://cases.example/</link>
<item><title>A</title><link>https://cases.example/a</link><dc:creator>zoe kim</dc:creator></item>
<item><title>B</title><link>https://cases.example/b</link><dc:creator>Zoe Kim</dc:creator></item>
<item><title>C</title><link>https://cases.example/c</link><dc:creator>ZOE KIM</dc:creator></item>
<item><title>D</title><link>https://cases.example/d</link><dc:creator>Zoe</dc:creator></item>
</channel></rss>
'''


def test_complete_cases(tmp):
    """Names alike but for case, filed in no particular order: each
    completed, in the same order on both stores. (Not from an empty
    prefix: test_kept_counts renamed an author behind SQLite's list of
    names, which feedkeep keeps as it files.)"""
    path = fktest.write(os.path.join(tmp, 'cases.xml'), CASE_FEED)
    for db in (SQLITE, PG):
        rc, out, err = run('import', path, db=db)
        check(rc == 0, 'import: %r' % err)
    for prefix in ('z', 'ZOE K', 'zoe kim'):
        same('complete', 'authors', prefix)
    same('authors')


def test_stemmed_snippets():
    """With a stemming configuration the server makes the snippets
    (ts_headline), marking the words the configuration finds alike."""
    rc, out, err = run('search', '--format', 'json', 'marmoset', db=PG)
    check(rc == 0 and not jsonl(out, 'search'), 'simple: no stemming: %r %r' % (out, err))
    pgload.psql(PG, "UPDATE feedkeep_schema SET search_config = 'english'")
    rc, out, err = run('vacuum', db=PG)
    check(rc == 0, 'vacuum indexes again: %r' % err)
    rc, out, err = run('search', '--format', 'json', 'marmoset', db=PG)
    hits = jsonl(out, 'search') if rc == 0 else []
    check(len(hits) == 1 and '[Marmosets]' in hits[0]['snippet'],
          'english: the word found alike marked: %r %r' % (out, err))


def main():
    global SQLITE, PG
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    fktest.start(sys.argv[1])
    data = sys.argv[2]
    cluster = fktest.pg_cluster(sys.argv[3])
    name = 'pg_query_%d' % os.getpid()
    with tempfile.TemporaryDirectory() as tmp:
        SQLITE = build(tmp, data)
        PG = pgcluster.database(cluster, name)
        try:
            pgload.load(fktest.BIN, SQLITE, PG)
            test_list()
            test_show()
            test_code()
            test_counts()
            test_history()
            test_complete()
            test_search()
            test_kept_counts()  # then those that change the archives
            test_complete_cases(tmp)
            test_stemmed_snippets()
        finally:
            pgcluster.psql(cluster, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
