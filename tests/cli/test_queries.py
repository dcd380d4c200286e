#!/usr/bin/env python3
"""Query commands: list filters, search, show, history, code, tags, stats,
every output format, colour and terminal safety. The real binary on
temporary archives made from the sample feed and small hand-written feeds.

usage: test_queries.py FEEDKEEP DATADIR
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import check, esc, jsonl, run, run_tty, write  # noqa: E402

BIN = None
SAMPLE = None


def run_bytes(*args, db=None):
    rc, out, _ = run(*args, db=db, text=False)
    return rc, out


def ids(db, *args):
    rc, out, err = run('list', '--format', 'json', *args, db=db)
    check(rc == 0, 'list %s: %r' % (' '.join(args), err))
    return [r['id'] for r in jsonl(out, 'list')]


def feed(items, title='Hand-written', link='https://hand.example/'):
    """An RSS document of (guid, title, html, date, tags) items."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           '<title>%s</title><link>%s</link>\n' % (title, link)]
    for guid, item_title, html, date, tags in items:
        out.append('<item><title>%s</title><guid>%s</guid><link>%s</link>'
                   '<pubDate>%s</pubDate><author>Ada Lovelace</author>%s'
                   '<description>%s</description></item>\n'
                   % (esc(item_title), esc(guid), esc(guid), date,
                      ''.join('<category>%s</category>' % esc(t) for t in tags), esc(html)))
    out.append('</channel></rss>\n')
    return ''.join(out)


# ---- list filters --------------------------------------------------------------

def test_list_filters(db):
    rc, out, err = run('list', '--format', 'json', db=db)
    records = jsonl(out, 'list')
    check(rc == 0 and len(records) == 12, 'list gives 12')
    for r in records:
        for key in ('id', 'guid', 'url', 'title', 'author', 'published', 'updated',
                    'first_seen', 'last_seen', 'tags', 'feed'):
            check(key in r, 'list JSON has %s' % key)
    by_id = {r['id']: r for r in records}
    newest_first = [r['id'] for r in records]

    # --tag: all of them; --any-tag: at least one.
    tags = {t for r in records for t in r['tags']}
    check(ids(db, '--tag', 'database') == [i for i in newest_first
                                           if 'database' in by_id[i]['tags']], '--tag')
    both = [i for i in newest_first if {'database', 'ai'} <= set(by_id[i]['tags'])]
    check(ids(db, '--tag', 'database', '--tag', 'AI') == both and both, '--tag twice: both')
    either = [i for i in newest_first if {'llm', 'git'} & set(by_id[i]['tags'])]
    check(ids(db, '--any-tag', 'llm', '--any-tag', 'GIT') == either and len(either) >= 2,
          '--any-tag twice: either')
    mixed = [i for i in either if 'database' in by_id[i]['tags']]
    check(ids(db, '--tag', 'database', '--any-tag', 'llm', '--any-tag', 'git') == mixed,
          '--tag with --any-tag')
    check(ids(db, '--tag', 'no-such-tag') == [], 'unknown tag: nothing')
    check(len(tags) == 24, 'sample has 24 tags')

    # --since / --until: ISO dates and times, and times ago.
    mid = records[5]['published']
    check(ids(db, '--since', mid) == [r['id'] for r in records if r['published'] >= mid],
          '--since a date-time')
    check(ids(db, '--until', mid) == [r['id'] for r in records if r['published'] < mid],
          '--until a date-time is exclusive')
    check(ids(db, '--since', '100000d') == newest_first, '--since 100000d: all')
    check(ids(db, '--since', '1h') == [], '--since 1h: none (the sample is older)')
    check(ids(db, '--until', '30m') == newest_first, '--until 30m: all')
    check(ids(db, '--since', '5000w', '--until', '1d') == newest_first, 'weeks and days')
    for bad in ('someday', '7x', 'd', '-3d', '12345678901d', '2026-00'):
        rc, out, err = run('list', '--since', bad, db=db)
        check(rc == 2 and "'%s' is not a date" % bad in err and 'a time ago' in err,
              '--since %s is a usage error: %r' % (bad, err))

    # --feed URL|ID
    url = records[0]['feed']
    check(ids(db, '--feed', url) == newest_first, '--feed URL')
    check(ids(db, '--feed', '1') == newest_first, '--feed ID')
    rc, out, err = run('list', '--feed', 'https://nowhere.example/feed', db=db)
    check(rc == 1 and "no feed 'https://nowhere.example/feed'" in err, 'unknown feed: %r' % err)
    rc, out, err = run('list', '--feed', 'not a url', db=db)
    check(rc == 1 and "no feed 'not a url'" in err, '--feed neither URL, ID nor name: %r' % err)

    # --author: the whole name, any case.
    author = records[0]['author']
    check(ids(db, '--author', author.upper()) == newest_first, '--author, any case')
    check(ids(db, '--author', author[:4]) == [], '--author is the whole name')

    # --has-code [LANG]
    rc, out, err = run('code', '--format', 'json', db=db)
    blocks = jsonl(out, 'code')
    with_code = {b['article_id'] for b in blocks}
    with_sql = {b['article_id'] for b in blocks if b['language'] == 'sql'}
    check(ids(db, '--has-code') == [i for i in newest_first if i in with_code], '--has-code')
    check(ids(db, '--has-code', 'SQL') == [i for i in newest_first if i in with_sql] and with_sql,
          '--has-code SQL')
    check(ids(db, '--has-code=sql') == ids(db, '--has-code', 'sql'), '--has-code=sql')
    check(ids(db, '--has-code', '--limit', '2') == [i for i in newest_first if i in with_code][:2],
          '--has-code followed by an option')

    # --limit, --offset, --sort, --reverse
    check(ids(db, '--limit', '3') == newest_first[:3], '--limit')
    check(ids(db, '--offset', '10') == newest_first[10:], '--offset')
    check(ids(db, '--limit', '2', '--offset', '3') == newest_first[3:5], '--limit with --offset')
    check(ids(db, '--reverse') == newest_first[::-1], '--reverse')
    check(ids(db, '--sort', 'updated') == newest_first, '--sort updated (no updated dates)')
    # All were first seen in the same import: the last filed first.
    check(ids(db, '--sort', 'first_seen') == sorted(newest_first, reverse=True),
          '--sort first_seen')
    check(ids(db, '--sort', 'first_seen', '--reverse') == sorted(newest_first),
          '--sort first_seen --reverse')
    for args in (('--sort', 'title'), ('--limit', '-1'), ('--offset', 'x'), ('--tag',),
                 ('extra',)):
        rc, out, err = run('list', *args, db=db)
        check(rc == 2, 'list %s is a usage error' % ' '.join(args))
    return records


# ---- output formats -----------------------------------------------------------------

def check_formats(db, args, tsv_columns, json_keys, what):
    """Every format of a listing command: the same records in each."""
    rc, out, err = run(*args, '--format', 'json', db=db)
    records = jsonl(out, what)
    check(rc == 0 and records, '%s: JSON records (%r)' % (what, err))
    for r in records:
        missing = [k for k in json_keys if k not in r]
        check(not missing, '%s JSON lacks %s' % (what, missing))
    rc, tsv, err = run(*args, '--format', 'tsv', db=db)
    lines = tsv.split('\n')
    check(rc == 0 and lines[-1] == '' and len(lines) - 1 == len(records),
          '%s TSV: one record a line' % what)
    check(all(len(line.split('\t')) == tsv_columns for line in lines[:-1]),
          '%s TSV: %d columns' % (what, tsv_columns))
    rc, default, err = run(*args, db=db)
    check(default == tsv, '%s: TSV when not a terminal' % what)
    rc, out, err = run(*args, '--format', 'csv', db=db)
    rows = list(csv.reader(io.StringIO(out)))
    check(rc == 0 and len(rows) == len(records) + 1 and
          len(out.splitlines()) == len(records) + 1 and
          all(len(row) == tsv_columns for row in rows), '%s CSV: one record a line' % what)
    check(rows and all(k in records[0] for k in rows[0]),
          '%s CSV: a header of field names: %r' % (what, rows[:1]))
    rc, headed, err = run(*args, '--header', db=db)
    check(rc == 0 and headed.split('\n', 1)[1] == tsv and
          headed.split('\n', 1)[0].split('\t') == rows[0], '%s TSV --header' % what)
    rc, out, err = run(*args, '--format', 'table', db=db)
    check(rc == 0 and len(out.splitlines()) >= len(records) + 1, '%s table' % what)
    rc, out, err = run(*args, '--format', 'yaml', db=db)
    check(rc == 2 and "unknown format 'yaml'" in err, '%s: unknown format' % what)
    return records


def test_formats(db, history_db):
    check_formats(db, ('list',), 6, ('id', 'title', 'tags', 'first_seen'), 'list')
    hits = check_formats(db, ('search', 'database'), 8, ('id', 'title', 'rank', 'snippet'),
                         'search')
    check(all(isinstance(h['rank'], float) for h in hits), 'search rank is a number')
    check(check_formats(db, ('code', '--lang', 'python'), 6,
                        ('id', 'article_id', 'position', 'language', 'lines', 'title', 'code'),
                        'code'), 'code formats')
    tags = check_formats(db, ('tags',), 3, ('tag', 'articles', 'newest'), 'tags')
    check(len(tags) == 24, 'tags: 24')
    authors = check_formats(db, ('authors',), 3, ('author', 'articles', 'newest'), 'authors')
    check(sum(a['articles'] for a in authors) <= 12, 'authors: counts')
    check_formats(db, ('feeds', '--all'), 9,
                  ('id', 'url', 'name', 'articles', 'last_fetch', 'last_status', 'failures',
                   'next_fetch', 'last_error', 'tags'), 'feeds')
    check_formats(history_db, ('history', '1'), 6,
                  ('version', 'kind', 'first_seen', 'replaced_at', 'text_length', 'title', 'tags'),
                  'history')
    # stats: one object; TSV NAME, VALUE lines.
    rc, out, err = run('stats', '--format', 'json', db=db)
    stats = json.loads(out)
    check(stats['articles'] == 12 and stats['code_blocks'] == 44 and stats['tags'] == 24 and
          stats['feeds'] == 1 and stats['versions'] == 0, 'stats counts: %r' % stats)
    check(sum(l['blocks'] for l in stats['languages']) == 44 and
          stats['languages'][0] == {'language': 'python', 'blocks': 14}, 'stats languages')
    check(stats['size_bytes'] > 0 and stats['oldest'] < stats['newest'] and
          stats['last_fetch'] is None, 'stats size and dates')
    rc, out, err = run('stats', db=db)
    pairs = dict(line.split('\t') for line in out.splitlines())
    check(pairs.get('articles') == '12' and pairs.get('code_blocks.python') == '14' and
          pairs.get('last_fetch') == '', 'stats TSV: %r' % pairs)
    rc, out, err = run('stats', '--format', 'csv', db=db)
    check(rc == 0 and 'articles,12' in out.splitlines(), 'stats CSV')
    rc, out, err = run('stats', '--format', 'table', db=db)
    check(rc == 0 and re.search(r'^articles +12$', out, re.M), 'stats table: %r' % out[:200])


# ---- search --------------------------------------------------------------------

def search(db, *args):
    rc, out, err = run('search', '--format', 'json', *args, db=db)
    return rc, jsonl(out, 'search'), err


def test_search(db, records):
    texts = {}
    for r in records:
        rc, out, err = run('show', '--json', str(r['id']), db=db)
        a = json.loads(out)
        texts[r['id']] = (a['title'] + '\n' + a['text'] + '\n' + ' '.join(a['tags'])).lower()

    def having(*words):
        return {i for i, t in texts.items() if all(re.search(r'\b%s\b' % w, t) for w in words)}

    rc, hits, err = search(db, 'query', 'planner')
    check(rc == 0 and {h['id'] for h in hits} == having('query', 'planner') and hits,
          'two words: both, anywhere (%r)' % err)
    rc, hits2, err = search(db, 'planner query')
    check([h['id'] for h in hits2] == [h['id'] for h in hits], 'any order, one argument or two')
    ranks = [h['rank'] for h in hits]
    check(ranks == sorted(ranks), 'best (lowest rank) first')
    check(all('[' in h['snippet'] and ']' in h['snippet'] for h in hits), 'snippets mark matches')
    check(all('\n' not in h['snippet'] for h in hits), 'snippets are one line')

    rc, phrase, err = search(db, '"query planner"')
    check(rc == 0 and phrase and {h['id'] for h in phrase} <= {h['id'] for h in hits} and
          all('query planner' in texts[h['id']] for h in phrase), 'phrase')
    rc, either, err = search(db, 'kubernetes OR mongodb')
    check({h['id'] for h in either} == having('kubernetes') | having('mongodb') and either, 'OR')
    rc, without, err = search(db, 'database NOT mysql')
    check({h['id'] for h in without} == having('database') - having('mysql') and without, 'NOT')
    rc, minus, err = search(db, 'database -mysql')
    check([h['id'] for h in minus] == [h['id'] for h in without], '-word is NOT')
    rc, prefix, err = search(db, 'plan*')
    check({h['id'] for h in prefix} == {i for i, t in texts.items() if re.search(r'\bplan', t)},
          'prefix')
    rc, title, err = search(db, 'title:optimization')
    check([h['id'] for h in title] == [i for i, r in ((r['id'], r) for r in records)
                                       if 'optimization' in r['title'].lower()], 'title:')
    rc, out, err = run('search', 'c++', 'node.js', db=db)
    check(rc == 0, 'punctuation is searched, not an error: %r' % err)

    # Filters and limits as for list.
    rc, tagged, err = search(db, 'database', '--tag', 'ai', '--limit', '2')
    check(rc == 0 and len(tagged) <= 2 and all('ai' in h['tags'] for h in tagged) and tagged,
          'search --tag --limit')
    rc, all_hits, err = search(db, 'database')
    rc, offset, err = search(db, 'database', '--offset', '2')
    check([h['id'] for h in offset] == [h['id'] for h in all_hits][2:], 'search --offset')
    rc, ranked, err = search(db, 'database', '--rank-all')
    check([h['id'] for h in ranked] == [h['id'] for h in all_hits], '--rank-all (few matches)')

    # Queries that cannot be read: exit 2, a clear message, no SQL.
    for query, why in (('"unterminated', 'the quote at column 1 is never closed'),
                       ('AND', "'AND' at column 1 needs something to search for on both sides"),
                       ('a OR', "'OR' at column 3 needs something to search for"),
                       ('(a', "the '(' at column 1 is never closed"),
                       ('-mysql', 'the query only excludes words'),
                       ('+', 'nothing to search for')):
        rc, out, err = run('search', '--', query, db=db)
        check(rc == 2 and out == '' and
              err.startswith("feedkeep: cannot parse query '%s': %s" % (query, why)),
              'search %r: %r' % (query, err))
        check(not re.search(r'fts5|sqlite|SQL logic|syntax error near', err, re.I),
              'no SQL in %r' % err)
    rc, out, err = run('search', db=db)
    check(rc == 2 and 'search needs a QUERY' in err, 'search without a query')
    rc, out, err = run('search', 'x', '--sort', 'updated', db=db)
    check(rc == 2, 'search --sort is a usage error')


# ---- show, history, the short-body guard ---------------------------------------

BODY = ''.join('<p>Paragraph %d of the article, with enough words to count.</p>' % i
               for i in range(1, 9))
CHANGED = BODY.replace('Paragraph 3 of', 'Paragraph three of').replace(
    '<p>Paragraph 8', '<p>A new paragraph.</p><p>Paragraph 8')
DATE = 'Mon, 01 Jun 2026 10:00:00 GMT'


def test_history(tmp):
    db = os.path.join(tmp, 'history.db')
    path = os.path.join(tmp, 'hand.xml')
    guid = 'https://hand.example/posts/1'
    write(path, feed([(guid, 'First title', BODY, DATE, ['Go']),
                      ('https://hand.example/posts/2', 'Other', '<p>x</p>', DATE, [])]))
    rc, out, err = run('import', path, db=db)
    check(rc == 0 and '2 new' in out, 'hand-written feed imported')
    rc, out, err = run('history', '1', db=db)
    check(rc == 0 and out.splitlines() == [out.splitlines()[0]] and '\tcurrent\t' in out,
          'a new article has one version, the current one: %r' % out)
    rc, out, err = run('show', '1', '--diff', db=db)
    check(rc == 1 and 'article 1 has no earlier version' in err, 'nothing to diff: %r' % err)

    # A changed text: the old one becomes version 1.
    write(path, feed([(guid, 'Second title', CHANGED, DATE, ['Go'])]))
    rc, out, err = run('import', path, db=db)
    check(rc == 0 and '0 new, 1 updated' in out and err == '', 'changed: updated (%r)' % out)
    rc, out, err = run('history', '1', '--format', 'json', db=db)
    versions = jsonl(out, 'history')
    check([(v['version'], v['kind'], v['title']) for v in versions] ==
          [(1, 'replaced', 'First title'), (2, 'current', 'Second title')], 'history: %r' % versions)
    check(versions[0]['replaced_at'] is not None and versions[1]['replaced_at'] is None and
          versions[1]['first_seen'] == versions[0]['replaced_at'], 'history times')
    check(versions[0]['tags'] == ['go'], 'history tags')
    rc, diff, err = run('show', '1', '--diff', db=db)
    lines = diff.splitlines()
    check(rc == 0 and lines[0].startswith('--- article 1 version 1 (replaced, ') and
          lines[1].startswith('+++ article 1 version 2 (current, '), 'diff labels: %r' % lines[:2])
    changed = [l for l in lines[2:] if l[:1] in '+-']
    check(changed[:4] == ['-title: First title', '+title: Second title',
                          '-Paragraph 3 of the article, with enough words to count.',
                          '+Paragraph three of the article, with enough words to count.'] and
          sorted(changed[4:]) == ['+', '+A new paragraph.'],
          'diff shows the changed lines: %r' % changed)
    check(re.match(r'^@@ -\d+,\d+ \+\d+,\d+ @@$', lines[2]), 'unified hunk header: %r' % lines[2])
    rc, same, err = run('show', '1', '--diff', '1..2', db=db)
    check(same == diff, '--diff 1..2 is the default')
    rc, same, err = run('show', '--diff=1', '1', db=db)
    check(same == diff, '--diff=1')
    rc, same, err = run('show', '--diff', '1', db=db)
    check(same == diff, 'show --diff ID')
    rc, out, err = run('show', '1', '--diff', '2..1', db=db)
    check(rc == 0 and out.splitlines()[2:] and out.count('\n-') >= 3, 'diff backwards')
    rc, out, err = run('show', '1', '--diff', '1..5', db=db)
    check(rc == 1 and 'article 1 has versions 1 to 2, not 5' in err, 'diff of a missing version')
    rc, md, err = run('show', '1', '--diff', '--markdown', db=db)
    check(rc == 0 and '+A new paragraph.' in md, 'diff of the Markdown')
    rc, out, err = run('show', '1', '--version', '1', db=db)
    check(rc == 0 and out.startswith('First title\nversion 1 of 2 (replaced), first seen ') and
          'Paragraph 3 of' in out, 'show --version 1: %r' % out[:120])
    rc, out, err = run('show', '1', '--version', '1', '--json', db=db)
    v = json.loads(out)
    check(v['version'] == 1 and v['kind'] == 'replaced' and 'Paragraph 3 of' in v['text'] and
          '<p>Paragraph 3 of' in v['html'], 'show --version --json')
    rc, out, err = run('show', '1', '--version', '3', db=db)
    check(rc == 1 and 'article 1 has versions 1 to 2, not 3' in err, 'no version 3')
    rc, out, err = run('show', '1', '--version', 'x', db=db)
    check(rc == 2, 'bad --version')
    rc, out, err = run('show', '1', '--diff', '--version', '1', db=db)
    check(rc == 2, '--diff with --version')

    # A much shorter body is kept out, with a warning, once.
    write(path, feed([(guid, 'Truncated', '<p>Read more on the site.</p>', DATE, ['Go'])]))
    rc, out, err = run('import', path, db=db)
    check(rc == 0 and '0 new, 0 updated, 0 unchanged (1 kept their longer archived text)' in out,
          'shorter: counted: %r' % out)
    check(err == "feedkeep: warning: '%s': item '%s': new body is shorter than half the "
          "archived one; kept the archived text\n" % (path, guid), 'shorter: warned: %r' % err)
    rc, out, err = run('show', '1', db=db)
    check(out.startswith('Second title\n') and 'A new paragraph.' in out, 'archived text stays')
    rc, out, err = run('history', '1', db=db)
    kinds = [line.split('\t')[1] for line in out.splitlines()]
    check(kinds == ['replaced', 'rejected', 'current'], 'rejected version kept: %r' % kinds)
    rc, out, err = run('show', '1', '--version', '2', db=db)
    check('Read more on the site.' in out, 'the rejected text can be read')
    rc, out, err = run('import', path, db=db)
    check(rc == 0 and err == '' and '1 unchanged' in out, 'the same short body again: quiet')
    write(path, feed([(guid, 'Second title', '', DATE, ['Go'])]))
    rc, out, err = run('import', path, db=db)
    check('kept their longer archived text' in out and 'shorter than half' in err,
          'an empty body is kept out too')
    rc, out, err = run('--quiet', 'import', path, db=db)
    check(out == '' and err == '', '--quiet: nothing for a body seen before')

    # show by URL, and every form.
    rc, by_url, err = run('show', guid, db=db)
    rc, by_id, err = run('show', '1', db=db)
    check(rc == 0 and by_url == by_id, 'show URL')
    rc, out, err = run('history', guid, db=db)
    check(rc == 0 and len(out.splitlines()) == 4, 'history URL')
    rc, out, err = run('show', 'https://hand.example/nope', db=db)
    check(rc == 1 and "no article with ID or URL 'https://hand.example/nope'" in err,
          'unknown URL: %r' % err)
    rc, out, err = run('show', 'nope', db=db)
    check(rc == 2, 'neither ID nor URL')
    rc, out, err = run('show', '1', '--json', db=db)
    a = json.loads(out)
    for key in ('id', 'guid', 'url', 'title', 'author', 'published', 'updated', 'first_seen',
                'last_seen', 'tags', 'feed', 'published_raw', 'updated_raw', 'feeds', 'versions',
                'summary_html', 'content_html', 'text', 'markdown'):
        check(key in a, 'show --json has %s' % key)
    check(a['published_raw'] == DATE and a['versions'] == 3 and a['tags'] == ['go'] and
          a['author'] == 'Ada Lovelace', 'show --json values')
    rc, html, err = run('show', '1', '--feed-html', db=db)
    check(html == CHANGED + '\n', 'show --feed-html: the HTML as sent')
    rc, md, err = run('show', '1', '--markdown', db=db)
    check(md.rstrip('\n') == a['markdown'].rstrip('\n'), 'show --markdown')
    rc, out, err = run('show', '1', '--html', '--json', db=db)
    check(rc == 2, '--html with --json')
    rc, out, err = run('history', '99', db=db)
    check(rc == 1 and 'no article with ID 99' in err, 'history of a missing article')
    return db


def test_three_feeds(tmp):
    """One dev.to article in a user feed and two tag feeds is one article."""
    db = os.path.join(tmp, 'three.db')
    guid = 'https://dev.to/ada/one-article-3k2j'
    urls = ['https://dev.to/feed/ada', 'https://dev.to/feed/tag/go', 'https://dev.to/feed/tag/c']
    for i, url in enumerate(urls):
        path = write(os.path.join(tmp, 'three%d.xml' % i),
                     feed([(guid, 'One article', BODY, DATE, ['go', 'c'])], link=url))
        rc, out, err = run('import', '--base-url', url, path, db=db)
        check(rc == 0 and ('1 new' if i == 0 else '1 unchanged') in out, 'feed %d: %r' % (i, out))
    rc, out, err = run('show', '1', '--json', db=db)
    a = json.loads(out)
    check(a['feeds'] == urls and a['feed'] == urls[0], 'three feeds: %r' % a['feeds'])
    rc, out, err = run('list', '--format', 'json', db=db)
    check(len(out.splitlines()) == 1, 'one article')
    for url in urls:
        check(ids(db, '--feed', url) == [1], 'list --feed %s' % url)


# ---- code --------------------------------------------------------------------------

def test_code(tmp, db):
    rc, out, err = run('code', '--format', 'json', db=db)
    blocks = jsonl(out, 'code')
    check(len(blocks) == 44, 'code: 44 blocks')
    for b in blocks[:12]:
        rc, raw = run_bytes('code', str(b['id']), '--raw', db=db)
        check(rc == 0 and raw == b['code'].encode('utf-8'), 'code %d --raw is exact' % b['id'])
    rc, out, err = run('code', str(blocks[0]['id']), '--format', 'json', db=db)
    check(jsonl(out, 'code ID') == [blocks[0]], 'code ID: that block')
    rc, out, err = run('code', '99999', '--raw', db=db)
    check(rc == 1 and 'no code block with ID 99999' in err, 'code of a missing block')
    for args in (('--raw',), ('1', '--raw', '--tag', 'x'), ('x',), ('1', '2')):
        rc, out, err = run('code', *args, db=db)
        check(rc == 2, 'code %s is a usage error' % ' '.join(args))
    python = [b for b in blocks if b['language'] == 'python']
    rc, out, err = run('code', '--lang', 'Python', '--limit', '3', '--offset', '2', '--format',
                       'json', db=db)
    check([b['id'] for b in jsonl(out, 'code')] == [b['id'] for b in python][2:5],
          'code --lang --limit --offset')
    rc, out, err = run('code', '--tag', 'database', '--has-code', 'sql', '--lang', 'sql',
                       '--format', 'json', db=db)
    check(jsonl(out, 'code') == [b for b in blocks if b['language'] == 'sql' and
                                 b['article_id'] in set(ids(db, '--tag', 'database'))],
          'code with article filters')

    # A block with control characters: exact into a pipe, clean on a terminal.
    code = 'printf "\u009d2J done"\nexit 0\n'
    html = '<pre><code class="language-shell">%s</code></pre>' % esc(code)
    path = write(os.path.join(tmp, 'ctl.xml'),
                 feed([('https://hand.example/ctl', 'Control', html, DATE, [])]))
    cdb = os.path.join(tmp, 'ctl.db')
    rc, out, err = run('import', path, db=cdb)
    rc, raw = run_bytes('code', '1', '--raw', db=cdb)
    check(raw == code.encode('utf-8'), 'raw code keeps every byte: %r' % raw)
    rc, out = run_tty('--db', cdb, 'code', '1', '--raw')
    check(rc == 0 and 'exit 0' in out and '\u009d' not in out,
          'raw code on a terminal is sanitised: %r' % out)


# ---- tags ---------------------------------------------------------------------------

def test_tags(db, records):
    rc, out, err = run('tags', '--format', 'json', db=db)
    tags = jsonl(out, 'tags')
    counts = {}
    newest = {}
    for r in records:
        for t in r['tags']:
            counts[t] = counts.get(t, 0) + 1
            newest[t] = max(newest.get(t, ''), r['published'])
    check({t['tag']: t['articles'] for t in tags} == counts, 'tag counts')
    check(all(t['newest'] == newest[t['tag']] for t in tags), 'tag newest dates')
    check([t['articles'] for t in tags] == sorted((t['articles'] for t in tags), reverse=True),
          'most used first')
    check(tags[0]['tag'] == 'database' and tags[0]['articles'] == 7, 'database first')
    rc, out, err = run('tags', '--limit', '3', db=db)
    check(len(out.splitlines()) == 3, 'tags --limit')


# ---- terminals: colour and control characters ---------------------------------------

HOSTILE = '''<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>hostile</title><link>http://example.com/</link>
<item><title>planner &#x9b;2J clear &#x9d;52;c;ZXZpbA==&#x9c; osc</title>
<guid>http://example.com/1</guid><pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>
<category>tag&#x9b;31m</category>
<description>&lt;p&gt;the planner &#x9b;2J wipes &#x85; lines&lt;/p&gt;</description></item>
</channel></rss>
'''


def test_terminal(tmp, db):
    # Colour on a terminal, not with NO_COLOR, never in a pipe.
    rc, out = run_tty('--db', db, 'search', 'planner')
    check(rc == 0 and '\x1b[1;31m' in out and '\x1b[0m' in out, 'matches in colour on a tty')
    rc, out = run_tty('--db', db, 'search', 'planner', env={'NO_COLOR': '1'})
    check(rc == 0 and '\x1b' not in out and re.search(r'\[[Pp]lanners?\]', out),
          'NO_COLOR: brackets, no escapes: %r' % out[:300])
    rc, out = run_tty('--db', db, 'search', 'planner', env={'NO_COLOR': ''})
    check('\x1b[1;31m' in out, 'an empty NO_COLOR is unset')
    rc, out, err = run('search', 'planner', '--format', 'table', db=db)
    check(rc == 0 and '\x1b' not in out and '[' in out, 'no colour in a pipe, even as a table')
    rc, out = run_tty('--db', db, 'list', columns=60)
    check(all(len(line) <= 60 for line in out.splitlines()) and '\u2026' in out,
          'table fitted to a 60-column terminal, titles cut with an ellipsis')
    check(out.startswith('ID '), 'table headings')

    # Nothing from a feed reaches the terminal raw.
    feed_path = write(os.path.join(tmp, 'hostile.xml'), HOSTILE)
    hdb = os.path.join(tmp, 'hostile.db')
    rc, out, err = run('import', feed_path, db=hdb)
    check(rc == 0, 'hostile feed imported: %r' % err)
    for args in (('list',), ('search', 'planner'), ('tags',), ('history', '1'), ('show', '1'),
                 ('show', '1', '--markdown'), ('show', '1', '--html'), ('stats',)):
        rc, out = run_tty('--db', hdb, *args)
        bad = re.findall('[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]', out.replace('\x1b[1;31m', '')
                         .replace('\x1b[0m', '').replace('\x1b[1m', ''))
        check(rc == 0 and not bad, 'terminal %s has no control characters: %r' % (args, bad))
    rc, out, err = run('search', 'planner', '--format', 'json', db=hdb)
    hit = json.loads(out)
    check('\u009d' in hit['title'] and '\u009b' in hit['tags'][0], 'JSON keeps the data, escaped')
    rc, out, err = run('search', 'planner', db=hdb)
    check(len(out.splitlines()) == 1 and '\u009b' not in out, 'TSV: one line, no controls')


@fktest.sqlite_only('edits the SQLite file behind its full-text index')
def test_check_vacuum(tmp):
    db = os.path.join(tmp, 'check.db')
    run('import', SAMPLE, db=db)
    rc, out, err = run('check', db=db)
    check(rc == 0 and out == '%s: ok\n' % db and err == '', 'check: ok (%r %r)' % (out, err))
    rc, out, err = run('--quiet', 'check', db=db)
    check(rc == 0 and out == '', 'check --quiet')
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("UPDATE articles SET text = 'edited behind the index' WHERE id = 3")
    con.commit()
    con.close()
    rc, out, err = run('check', db=db)
    check(rc == 3 and out.startswith('full-text index: it does not agree with the articles') and
          "'%s': 1 problem found" % db in err, 'check finds the stale index: %r %r' % (out, err))
    rc, out, err = run('vacuum', db=db)
    check(rc == 0 and re.match(r'^.*: \d+ bytes, \d+ before$', out.strip()), 'vacuum: %r' % out)
    rc, out, err = run('check', db=db)
    check(rc == 0, 'vacuum rebuilt the index')
    rc, hits, err = search(db, 'edited', 'behind')
    check([h['id'] for h in hits] == [3], 'the rebuilt index finds the edited text')


@fktest.sqlite_only('the columns SQLite stores compressed')
def test_packed_columns(tmp):
    """The HTML and Markdown are stored compressed and read back as filed;
    an archive an older feedkeep filled plain is read as it is, and vacuum
    compresses it, with a progress line on a terminal."""
    db = os.path.join(tmp, 'packed.db')
    run('import', SAMPLE, db=db)
    kinds = fktest.query(db, 'SELECT DISTINCT typeof(summary_html), typeof(markdown) FROM articles')
    check(kinds == [('blob', 'blob')], 'the HTML and Markdown are compressed: %r' % kinds)
    check(fktest.scalar(db, 'SELECT count(*) FROM articles_view WHERE markdown IS NULL') == 12,
          'the view cannot decompress: its Markdown is NULL')
    shown = [run('show', str(i), '--markdown', db=db)[1] for i in (1, 7)]
    html = run('show', '7', '--html', db=db)[1]
    # as before schema 14: plain text
    fktest.query(db, 'UPDATE articles SET summary_html = unpack(summary_html), markdown ='
                     ' unpack(markdown, unpack(coalesce(content_html, summary_html)))')
    before = os.path.getsize(db)
    check([run('show', str(i), '--markdown', db=db)[1] for i in (1, 7)] == shown and
          run('show', '7', '--html', db=db)[1] == html, 'plain rows read the same')
    rc, out = run_tty('--db', db, 'vacuum')
    check(rc == 0 and 'feedkeep: vacuum: compressing: 12 rows' in out and
          'vacuum: compacting the file' in out, 'vacuum shows what it does: %r' % out)
    kinds = fktest.query(db, 'SELECT DISTINCT typeof(summary_html), typeof(markdown) FROM articles')
    check(kinds == [('blob', 'blob')] and os.path.getsize(db) < before * 0.8,
          'vacuum compressed them: %r, %d bytes, %d before' % (kinds, os.path.getsize(db), before))
    check([run('show', str(i), '--markdown', db=db)[1] for i in (1, 7)] == shown and
          run('show', '7', '--html', db=db)[1] == html, 'and they read the same')
    rc, out, err = run('vacuum', db=db)
    check(rc == 0 and err == '' and 'compressing' not in out, 'no progress line in a pipe')
    rc, out, err = run('check', db=db)
    check(rc == 0, 'check unpacks every compressed column: %r %r' % (out, err))
    rc, out = run_tty('--db', db, 'check')
    check(rc == 0 and 'feedkeep: check: checking the file' in out and
          'check: recounting' in out and out.endswith('%s: ok\n' % db),
          'check shows what it does on a terminal: %r' % out)
    rc, out = run_tty('--db', db, 'export', '--dir', os.path.join(tmp, 'packed-export'))
    check(rc == 0 and 'feedkeep: export: 0 of 12 articles' in out and
          out.endswith('12 written, 0 kept, 0 skipped\n'),
          'export shows how far it is on a terminal: %r' % out)
    rc, out = run_tty('--db', db, '--quiet', 'check')
    check(rc == 0 and out == '', 'no progress line with --quiet: %r' % out)


def frame_dictionary(value):
    """The dictionary ID a zstd frame names in its header (0: none)."""
    if not isinstance(value, bytes) or len(value) < 6:
        return None
    descriptor = value[4]
    size = (0, 1, 2, 4)[descriptor & 3]
    start = 5 if descriptor & 0x20 else 6  # a window byte unless single-segment
    return int.from_bytes(value[start:start + size], 'little') if size else 0


@fktest.sqlite_only('the dictionary SQLite compresses the HTML with')
def test_dictionary(tmp):
    """From 1,000 articles, the next run that files new HTML trains a zstd
    dictionary on the archive's articles and compresses the new HTML with
    it; everything reads back as filed, vacuum compresses the older HTML
    with it too, and check names the articles whose dictionary is gone."""
    import xml.etree.ElementTree as ET
    items = list(ET.parse(SAMPLE).getroot().iter('item'))
    parts = []
    for n in range(1000):
        item = items[n % len(items)]
        link = '%s-copy-%d' % (item.findtext('link'), n)
        parts.append('<item><title>%s (%d)</title><link>%s</link><guid>%s</guid>'
                     '<pubDate>%s</pubDate><description>%s</description></item>' %
                     (esc(item.findtext('title')), n, esc(link), esc(link),
                      item.findtext('pubDate'), esc(item.findtext('description'))))
    big = os.path.join(tmp, 'thousand.xml')
    write(big, '<?xml version="1.0"?><rss version="2.0"><channel><title>copies</title>'
               '<link>https://example.org/</link>%s</channel></rss>' % ''.join(parts))
    db = os.path.join(tmp, 'dictionary.db')
    plain = os.path.join(tmp, 'no-dictionary.db')
    rc, out, err = run('import', big, db=db)
    check(rc == 0 and '1000 new' in out, 'a thousand articles: %r %r' % (out, err))
    check(fktest.scalar(db, 'SELECT count(*) FROM pack_dictionaries') == 0,
          'no dictionary while the archive was smaller')
    rc, out, err = run('import', SAMPLE, db=db)
    check(rc == 0 and '12 new' in out and err == '', 'the next import: %r %r' % (out, err))
    rows = fktest.query(db, 'SELECT dict_id, articles, samples, test_alone, test_packed,'
                            ' length(dictionary) FROM pack_dictionaries')
    check(len(rows) == 1 and rows[0][1] == 1000 and rows[0][2] >= 600 and
          rows[0][4] * 100 <= rows[0][3] * 95 and rows[0][5] > 0,
          'it trained a dictionary that paid: %r' % rows)
    dict_id = rows[0][0] if rows else None
    rc, out, err = run('stats', '--format', 'json', db=db)
    stats = json.loads(out) if rc == 0 else {}
    check(rows and stats.get('html_dictionary_bytes') == rows[0][5] and
          stats.get('html_dictionary_ratio') == round(rows[0][3] / rows[0][4], 2),
          'stats gives its size and ratio: %r' % {k: v for k, v in stats.items() if 'dict' in k})
    ids = fktest.query(db, 'SELECT id, summary_html FROM articles ORDER BY id')
    named = [frame_dictionary(html) for _, html in ids]
    check(set(named[:1000]) == {0} and set(named[1000:]) == {dict_id},
          'the new HTML names it, the older does not: %r' % sorted(set(named)))
    run('import', SAMPLE, db=plain)
    rc, out, err = run('stats', db=plain)
    check(rc == 0 and 'html_dictionary_bytes\t0\nhtml_dictionary_ratio\t\n' in out,
          'none in an archive of twelve: %r' % out[-80:])
    new_ids = [i for i, _ in ids[1000:]]
    shown = [run('show', str(i), '--html', db=db)[1] for i in new_ids]
    check(shown == [run('show', str(i), '--html', db=plain)[1] for i in range(1, 13)],
          'the HTML reads back as filed')
    check([run('show', str(i), '--markdown', db=db)[1] for i in new_ids] ==
          [run('show', str(i), '--markdown', db=plain)[1] for i in range(1, 13)],
          'and the Markdown')
    rc, out, err = run('check', db=db)
    check(rc == 0, 'check: %r %r' % (out, err))
    old = [run('show', str(i), '--html', db=db)[1] for i in (1, 500, 1000)]
    before = os.path.getsize(db)
    rc, out = run_tty('--db', db, 'vacuum')
    check(rc == 0 and 'vacuum: compressing with the dictionary: 1000 rows' in out,
          'vacuum compresses the older HTML with it: %r' % out)
    named = [frame_dictionary(html) for (html,) in
             fktest.query(db, 'SELECT summary_html FROM articles ORDER BY id')]
    check(set(named) == {dict_id} and os.path.getsize(db) < before,
          'all of it: %r, %d bytes, %d before' % (sorted(set(named)), os.path.getsize(db), before))
    check([run('show', str(i), '--html', db=db)[1] for i in (1, 500, 1000)] == old,
          'and it reads the same')
    rc, out, err = run('check', db=db)
    check(rc == 0, 'check after vacuum: %r %r' % (out, err))
    # a copy reads it through the dictionary; the new archive has none yet
    copy = os.path.join(tmp, 'dictionary-copy.db')
    rc, out, err = run('copy', '--to', copy, db=db)
    check(rc == 0, 'copy: %r %r' % (out, err))
    check(fktest.scalar(copy, 'SELECT count(*) FROM pack_dictionaries') == 0 and
          {frame_dictionary(h) for (h,) in fktest.query(copy, 'SELECT summary_html FROM articles')}
          == {0}, 'the copy packs its HTML alone')
    check([run('show', str(i), '--html', db=copy)[1] for i in (1, 500, 1000)] == old and
          run('check', db=copy)[0] == 0, 'and reads the same')
    # never deleted; deleted anyway, check and show name it
    con = fktest.connect(db)
    try:
        con.execute('DELETE FROM pack_dictionaries')
        deleted = True
    except Exception as e:  # sqlite3.IntegrityError
        deleted = 'never deleted' not in str(e)
    con.close()
    check(not deleted, 'the dictionary is not deleted')
    fktest.query(db, 'DROP TRIGGER pack_dictionaries_keep')
    fktest.query(db, 'DELETE FROM pack_dictionaries')
    rc, out, err = run('check', db=db)
    check(rc == 3 and 'packed columns: ' in out and
          'packed with a compression dictionary the archive does not have' in out and
          '992 more articles do not unpack' in out,
          'check names what is missing: %r %r' % (out[:300], err))
    rc, out, err = run('show', '5', db=db)
    check(rc != 0 and 'article 5: its stored summary_html cannot be unpacked (packed with a '
          'compression dictionary the archive does not have)' in err, 'show says why: %r' % err)


def test_completion(data):
    script = os.path.join(data, '..', '..', 'completions', 'feedkeep.bash')
    def complete(*words):
        line = ' '.join("'%s'" % w for w in words)
        p = subprocess.run(['bash', '-c', 'source "$0"; COMP_WORDS=(%s); COMP_CWORD=%d; _feedkeep;'
                            ' printf "%%s\\n" "${COMPREPLY[@]}"' % (line, len(words) - 1),
                            script], capture_output=True, timeout=60)
        return p.stdout.decode().split()
    check(complete(BIN, 'se') == ['search'], 'completes a command')
    check('stats' in complete(BIN, '') and 'history' in complete(BIN, ''), 'lists the commands')
    check(complete(BIN, '--db', 'x.db', 'list', '--has') == ['--has-code'], 'completes an option')
    check(complete(BIN, 'list', '--format', '') == ['table', 'tsv', 'csv', 'json'], '--format')
    check(complete(BIN, 'list', '--sort', 'f') == ['first_seen'], '--sort values')
    check('--rank-all' in complete(BIN, 'search', '--'), 'search options')
    check(complete(BIN, 'export', '--for', 'h') == ['hugo'], '--for values')
    check('--title-heading' in complete(BIN, 'export', '--t'), 'export options')
    check(complete(BIN, 'ded') == ['dedup'], 'completes dedup')
    check(complete(BIN, 'dedup', '--') == ['--db', '--explain', '--format', '--help'],
          'dedup options: %r' % complete(BIN, 'dedup', '--'))
    check(complete(BIN, 'dedup', '--format', '') == ['text', 'json'], 'dedup --format')


# ---- guid changes --------------------------------------------------------------

POSTS = [
    ('1', 'Why SQLite', 'Mon, 01 Jun 2026 10:00:00 GMT',
     '<p>SQLite keeps a whole database in one file and needs no server at all.</p>'),
    ('2', 'On WAL mode', 'Tue, 02 Jun 2026 10:00:00 GMT',
     '<p>Write-ahead logging lets readers go on while one writer writes.</p>'),
    ('3', 'Checkpoints', 'Wed, 03 Jun 2026 10:00:00 GMT',
     '<p>A checkpoint copies the log back into the database file.</p>'),
]


def blog(guid_of, link_of=lambda n: 'https://blog.example/posts/%s' % n, edit=None,
         permalink=False):
    """The blog's feed, each post's guid made by guid_of(number)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           '<title>Blog</title><link>https://blog.example/</link>\n']
    for n, title, date, html in POSTS:
        if edit and n in edit:
            html = edit[n]
        out.append('<item><title>%s</title><guid isPermaLink="%s">%s</guid><link>%s</link>'
                   '<pubDate>%s</pubDate><description>%s</description></item>\n'
                   % (esc(title), 'true' if permalink else 'false', esc(guid_of(n)),
                      esc(link_of(n)), date, esc(html)))
    out.append('</channel></rss>\n')
    return ''.join(out)


def rows(db, sql):
    import sqlite3
    con = fktest.connect(db)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.Error as e:
        return 'error: %s' % e
    finally:
        con.close()


def test_guid_change(tmp):
    db = os.path.join(tmp, 'guids.db')
    base = ['--base-url', 'https://blog.example/feed.xml']
    v1 = write(os.path.join(tmp, 'blog-v1.xml'), blog(lambda n: 'tag:blog.example,2020:%s' % n))
    # The same posts under permalink guids, written with a trailing slash
    # and a fragment, the first one's text edited.
    v2 = write(os.path.join(tmp, 'blog-v2.xml'),
               blog(lambda n: 'https://blog.example/posts/%s/' % n,
                    link_of=lambda n: 'https://Blog.example/posts/%s/#top' % n,
                    edit={'1': '<p>SQLite keeps a whole database in one file and needs no '
                               'server at all, and it is fast.</p>'},
                    permalink=True))
    # Another feed: one post with the same link and title as the blog's
    # first, one of its own.
    other = write(os.path.join(tmp, 'other.xml'), feed(
        [('https://blog.example/posts/1', 'Why SQLite', '<p>A mirror of it.</p>',
          'Mon, 01 Jun 2026 10:00:00 GMT', []),
         ('https://other.example/own', 'Own post', '<p>Its own text.</p>',
          'Mon, 01 Jun 2026 11:00:00 GMT', [])],
        title='Other', link='https://other.example/'))
    rc, out, err = run('import', *base, v1, db=db)
    check(rc == 0 and out == '%s: 3 new, 0 updated, 0 unchanged\n' % v1 and err == '',
          'blog imported: %r %r' % (out, err))
    rc, out, err = run('import', '--base-url', 'https://other.example/feed.xml', other, db=db)
    check(rc == 0 and '2 new' in out, 'other feed imported: %r' % err)
    others_before = rows(db, 'SELECT a.* FROM articles a JOIN article_feeds af ON af.article_id'
                             ' = a.id JOIN feeds f ON f.id = af.feed_id WHERE f.url ='
                             " 'https://other.example/feed.xml' ORDER BY a.id")
    blog_before = rows(db, 'SELECT id, key, first_seen, published, title FROM articles'
                           ' WHERE id <= 3 ORDER BY id')
    check(len(others_before) == 2 and len(blog_before) == 3, 'rows before: %r' % blog_before)

    # The guid change: one note, for the feed, none per item; nothing new.
    rc, out, err = run('import', *base, v2, db=db)
    check(rc == 0, 'guid change exit status %d' % rc)
    check(out == '%s: 0 new, 1 updated, 2 unchanged\n' % v2, 'guid change counts: %r' % out)
    check(err == "feedkeep: '%s': 3 items changed their guid; filed as the archived articles"
                 " they match (see 'feedkeep dedup --explain 1')\n" % v2,
          'guid change said once: %r' % err)
    check(sorted(ids(db)) == [1, 2, 3, 4, 5], 'no article added: %r' % ids(db))
    check(rows(db, 'SELECT a.* FROM articles a JOIN article_feeds af ON af.article_id = a.id'
                   " JOIN feeds f ON f.id = af.feed_id WHERE f.url = 'https://other.example/"
                   "feed.xml' ORDER BY a.id") == others_before, "the other feed's rows unchanged")
    check(rows(db, 'SELECT id, key, first_seen, published, title FROM articles WHERE id <= 3'
                   ' ORDER BY id') == blog_before, "the blog's articles keep their keys")
    check(rows(db, 'SELECT key, article_id, rule FROM article_aliases ORDER BY article_id') ==
          [('guid:https://blog.example/posts/%d/' % n, n, 'title') for n in (1, 2, 3)],
          'aliases: %r' % rows(db, 'SELECT * FROM article_aliases'))
    rc, out, err = run('history', '--format', 'tsv', '1', db=db)
    check(rc == 0 and [l.split('\t')[1] for l in out.splitlines()] == ['replaced', 'current'],
          'the edit is a version: %r' % out)
    rc, out, err = run('list', '--format', 'tsv', '--feed', 'https://other.example/feed.xml',
                       db=db)
    check(rc == 0 and len(out.splitlines()) == 2, 'the other feed still lists two')

    # Again: found under the aliases, nothing to say.
    rc, out, err = run('import', *base, v2, db=db)
    check(rc == 0 and out == '%s: 0 new, 0 updated, 3 unchanged\n' % v2 and err == '',
          'second import of the new guids is quiet: %r %r' % (out, err))
    rc, out, err = run('import', *base, v1, db=db)
    check(rc == 0 and '0 new' in out and err == '', 'the old guids still find them: %r' % err)
    check(len(ids(db)) == 5, 'still five articles after both')

    # Explaining one article: its key and alias, no other article of its
    # feed with the link.
    rc, out, err = run('dedup', '--explain', '1', db=db)
    check(rc == 0 and err == '', 'dedup --explain 1: %d %r' % (rc, err))
    check(out.startswith('article 1: Why SQLite\n'
                         '  key:      guid:tag:blog.example,2020:1\n'), 'explain: %r' % out)
    check('  link key: //blog.example/posts/1\n' in out, 'explain link key: %r' % out)
    check(re.search(r"^  alias:    guid:https://blog\.example/posts/1/ \(filed \S+Z from "
                    r"https://blog\.example/feed\.xml, matched by link and title\)$", out, re.M),
          'explain alias: %r' % out)
    check(out.endswith('no other article of its feeds has this link key\n'), 'no candidates')
    # Two articles: the other feed's copy is another article.
    rc, out, err = run('dedup', '--explain', '1', '4', db=db)
    check(rc == 0 and '\ncompared with article 4: Why SQLite\n' in out, 'explain pair: %r' % out)
    check('  same feed:    no (no feed carried both)\n' in out and '  same link:    yes\n' in out
          and '  same title:   yes\n' in out and out.endswith('  verdict:      two articles\n'),
          'explain pair rules: %r' % out)
    rc, out, err = run('show', '--json', 'https://blog.example/posts/3/', db=db)
    check(rc == 0 and json.loads(out)['id'] == 3, 'an alias guid names its article: %r' % err)
    rc, out, err = run('dedup', '--explain', '1', '2', db=db)
    check(rc == 0 and '  same feed:    yes (https://blog.example/feed.xml)\n' in out and
          '  link alone:   no (the links differ)\n' in out and
          out.endswith('  verdict:      two articles\n'), 'explain two posts: %r' % out)
    rc, out, err = run('dedup', '--explain', 'https://blog.example/posts/2', '1', '--format',
                       'json', db=db)
    x = json.loads(out) if rc == 0 else {}
    check(x.get('article', {}).get('id') == 2 and len(x.get('aliases', [])) == 1 and
          x['candidates'][0]['same_feed'] and not x['candidates'][0]['same_link'] and
          not x['candidates'][0]['match'], 'explain json: %r' % out)
    # Usage errors and a missing article.
    rc, out, err = run('dedup', '1', db=db)
    check(rc == 2 and out == '' and err.startswith('feedkeep: dedup needs --explain\n'),
          'dedup without --explain: %r' % err)
    rc, out, err = run('dedup', '--explain', db=db)
    check(rc == 2 and 'needs an article ID or URL' in err, 'dedup --explain without ID')
    rc, out, err = run('dedup', '--explain', '1', '1', db=db)
    check(rc == 2 and 'two different articles' in err, 'dedup --explain 1 1: %r' % err)
    rc, out, err = run('dedup', '--explain', '99', db=db)
    check(rc == 1 and err == 'feedkeep: no article with ID 99\n', 'dedup --explain 99: %r' % err)
    rc, out, err = run('dedup', '--explain', '1', '--format', 'xml', db=db)
    check(rc == 2 and "unknown format 'xml'" in err, 'dedup --format xml')

    # --quiet says nothing of it (it is no failure).
    quiet = os.path.join(tmp, 'guids-quiet.db')
    run('import', *base, v1, db=quiet)
    rc, out, err = run('--quiet', 'import', *base, v2, db=quiet)
    check(rc == 0 and out == '' and err == '', 'quiet guid change: %r %r' % (out, err))
    check(len(ids(quiet)) == 3, 'quiet: three articles')

    # A digest whose items all link to one page stays many articles.
    digest = os.path.join(tmp, 'digest.db')
    def days(prefix):
        return blog(lambda n: '%s-%s' % (prefix, n),
                    link_of=lambda n: 'https://digest.example/today')
    rc, out, err = run('import', *base, write(os.path.join(tmp, 'd1.xml'), days('a')),
                       db=digest)
    check(rc == 0 and '3 new' in out and err == '', 'digest: %r %r' % (out, err))
    rc, out, err = run('import', *base, write(os.path.join(tmp, 'd2.xml'), days('b')),
                       db=digest)
    check(rc == 0 and '3 new' in out and err == '', 'digest, new guids: %r %r' % (out, err))
    check(len(ids(digest)) == 6, 'digest: six articles')


def test_help():
    for cmd in ('list', 'search', 'show', 'history', 'code', 'tags', 'stats', 'check', 'vacuum',
                'dedup'):
        rc, out, err = run(cmd, '--help')
        check(rc == 0 and out.startswith('usage: feedkeep %s' % cmd) and err == '',
              '%s --help' % cmd)
    rc, out, err = run('--help')
    for cmd in ('search', 'history', 'tags', 'stats', 'check', 'vacuum', 'dedup'):
        check(re.search(r'^  %s ' % cmd, out, re.M), 'feedkeep --help lists %s' % cmd)


def main():
    global BIN, SAMPLE
    # show pages through $PAGER on a terminal; these tests look at what
    # feedkeep itself writes there (test_habits.py tests the pager).
    os.environ['PAGER'] = 'cat'
    BIN, data = fktest.start(sys.argv[1]), sys.argv[2]
    SAMPLE = os.path.join(data, 'devto-fuadhusnan.xml')
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, 'sample.db')
        rc, out, err = run('import', SAMPLE, db=db)
        check(rc == 0 and '12 new' in out, 'sample imported: %r' % err)
        records = test_list_filters(db)
        history_db = test_history(tmp)
        test_formats(db, history_db)
        test_search(db, records)
        test_three_feeds(tmp)
        test_code(tmp, db)
        test_tags(db, records)
        test_terminal(tmp, db)
        test_check_vacuum(tmp)
        test_packed_columns(tmp)
        test_dictionary(tmp)
        test_guid_change(tmp)
        test_completion(data)
        test_help()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
