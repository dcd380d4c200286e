#!/usr/bin/env python3
"""CLI tests of dev.to's API as a source (devto-api:USER, tag/TAG, org/ORG),
against a loopback server that answers as the Forem API v1 documents it:
list pages of article metadata (tag_list an array, tags a string), article
bodies (tag_list a string, tags an array, body_html and body_markdown), 404,
429 with Retry-After, an edited article, a cross-post and an organisation.
No network.

usage: test_devto_api.py FEEDKEEP
"""
import copy
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
from fktest import check, query, scalar  # noqa: E402

FAST = ['--connect-timeout', '2', '--timeout', '10', '--stall-time', '3',
        '--full-text-pages', '0', '--no-assets', '--api-interval', '0']
KEY = 'sekrit-api-key-1234'
SITE = 'https://dev.to'


def article(aid, user, slug, title, body_md, body_html, tags, published, edited=None,
            canonical=None, series=None, org=None, reactions=5, comments=1):
    url = '%s/%s/%s' % (SITE, user, slug)
    return {
        'type_of': 'article', 'id': aid, 'title': title,
        'description': 'About %s' % title.lower(), 'readable_publish_date': 'Jan 5',
        'slug': slug, 'path': '/%s/%s' % (user, slug), 'url': url,
        'comments_count': comments, 'public_reactions_count': reactions,
        'positive_reactions_count': reactions, 'collection_id': series,
        'published_timestamp': published,
        'cover_image': 'https://media.example/covers/%d.png' % aid,
        'social_image': 'https://media.example/social/%d.png' % aid,
        'canonical_url': canonical or url, 'created_at': published, 'edited_at': edited,
        'crossposted_at': None, 'published_at': published, 'last_comment_at': published,
        'reading_time_minutes': 3, 'tags': tags, 'body_markdown': body_md,
        'body_html': body_html,
        'user': {'name': 'Ana Lima', 'username': user, 'twitter_username': None,
                 'github_username': user, 'user_id': 7, 'website_url': None,
                 'profile_image': 'https://media.example/p.png',
                 'profile_image_90': 'https://media.example/p90.png'},
        'organization': {'name': 'Data Co', 'username': org, 'slug': org} if org else None,
    }


def list_view(a):
    """An article as the list endpoint gives it: no bodies, tag_list an
    array and tags a string."""
    v = {k: x for k, x in a.items() if k not in ('body_html', 'body_markdown', 'tags')}
    v['tag_list'] = list(a['tags'])
    v['tags'] = ', '.join(a['tags'])
    if v['organization'] is None:
        del v['organization']
    return v


def article_view(a):
    """An article as the article endpoint gives it: tag_list a string, tags
    an array."""
    v = dict(a)
    v['tag_list'] = ', '.join(a['tags'])
    v['tags'] = list(a['tags'])
    if v['organization'] is None:
        del v['organization']
    return v


def arg(h, name, default=None):
    values = parse_qs(urlsplit(h.path).query).get(name)
    return values[0] if values else default


class Forem:
    """The API: articles by id; a log of (path, headers) of each request;
    faults to inject (status for a path, a number of 429s to answer)."""

    def __init__(self, server):
        self.server = server
        self.articles = {}
        self.log = []
        self.lock = threading.Lock()
        self.fail = {}  # path: status
        self.too_many = {}  # path: 429s still to answer
        self.ignore_page = False  # every page is the first (a server that does not page)
        server.route('/api/articles', self.list_articles)
        server.route('/api/organizations/dataco/articles', self.list_org)

    def add(self, a):
        self.articles[a['id']] = a
        self.server.route('/api/articles/%d' % a['id'], self.one_article)

    def note(self, h):
        with self.lock:
            self.log.append((h.path, {k.lower(): v for k, v in h.headers.items()}))

    def fault(self, h):
        path = h.path.split('?', 1)[0]
        if self.too_many.get(path):
            self.too_many[path] -= 1
            h.reply(429, b'{"error":"rate limit"}', [('Retry-After', '1')],
                    'application/json')
            return True
        if path in self.fail:
            h.reply(self.fail[path], b'{"error":"failed"}', (), 'application/json')
            return True
        return False

    def page(self, h, chosen):
        per_page = int(arg(h, 'per_page', '30'))
        page = 1 if self.ignore_page else int(arg(h, 'page', '1'))
        chosen.sort(key=lambda a: a['published_at'], reverse=True)
        body = [list_view(a) for a in chosen[(page - 1) * per_page:page * per_page]]
        h.reply(200, json.dumps(body).encode(), (), 'application/json; charset=utf-8')

    def list_articles(self, h):
        self.note(h)
        if self.fault(h):
            return
        user, tag = arg(h, 'username'), arg(h, 'tag')
        chosen = [a for a in self.articles.values()
                  if (user and a['user']['username'] == user) or (tag and tag in a['tags'])]
        self.page(h, chosen)

    def list_org(self, h):
        self.note(h)
        if self.fault(h):
            return
        self.page(h, [a for a in self.articles.values()
                      if a['organization'] and a['organization']['slug'] == 'dataco'])

    def one_article(self, h):
        self.note(h)
        if self.fault(h):
            return
        aid = int(h.path.split('?', 1)[0].rsplit('/', 1)[1])
        a = self.articles.get(aid)
        if a is None:
            h.reply(404, b'{"error":"not found","status":404}', (), 'application/json')
            return
        h.reply(200, json.dumps(article_view(a)).encode(), (), 'application/json')

    def calls(self, since=0):
        """(lists, articles) requested since log position since."""
        paths = [p for p, _ in self.log[since:]]
        return ([p for p in paths if '?' in p], [p for p in paths if '?' not in p])


MD_1 = ('---\ntitle: Query planners\npublished: true\ntags: database, sql\n---\n\n'
        'A planner picks a plan.\n\n```sql\nSELECT * FROM t WHERE {% raw %}x{% endraw %};\n```\n\n'
        '{% embed https://example.com/talk %}\n\n{% youtube dQw4w9WgXcQ %}\n\n'
        'Inline `{% github a/b %}` stays.\n')
HTML_1 = ('<p>A planner picks a plan.</p>\n<div class="highlight"><pre class="highlight sql">'
          '<code>SELECT * FROM t WHERE x;</code></pre></div>')


def make_articles():
    return [
        article(101, 'ana', 'query-planners-1a', 'Query planners', MD_1, HTML_1,
                ['database', 'sql'], '2026-01-05T10:00:00Z', series=42, org='dataco'),
        article(102, 'ana', 'index-tuning-2b', 'Index tuning',
                'Indexes **help** reads.\n', '<p>Indexes <strong>help</strong> reads.</p>',
                ['database'], '2026-02-01T10:00:00Z'),
        article(103, 'ana', 'cross-post-3c', 'Vacuum explained',
                'Vacuum frees space.\n', '<p>Vacuum frees space and keeps stats fresh.</p>',
                ['postgres'], '2026-03-01T10:00:00Z',
                canonical='https://ana.example/blog/vacuum'),
    ]


def blog_feed(server_url):
    """The author's own blog, where article 103 was first published."""
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Ana\'s blog</title>'
            '<link>https://ana.example/</link><item><title>Vacuum explained</title>'
            '<link>https://ana.example/blog/vacuum</link>'
            '<guid>https://ana.example/blog/vacuum</guid>'
            '<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>'
            '<description>&lt;p&gt;Vacuum frees space and keeps stats fresh.&lt;/p&gt;'
            '</description></item></channel></rss>')


def rss_feed():
    """dev.to's RSS feed of the user: article 102 under its URL."""
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>DEV: Ana</title>'
            '<link>https://dev.to/ana</link><item><title>Index tuning</title>'
            '<link>https://dev.to/ana/index-tuning-2b</link>'
            '<guid>https://dev.to/ana/index-tuning-2b</guid>'
            '<pubDate>Sun, 01 Feb 2026 10:00:00 GMT</pubDate>'
            '<description>&lt;p&gt;Indexes help reads, as the feed says.&lt;/p&gt;'
            '</description><category>database</category></item></channel></rss>')


def run(*args, db=None, env=None):
    return fktest.run(*args, db=db, env=env)


def test_user(tmp, server, api):
    db = os.path.join(tmp, 'user.db')
    env = {'FEEDKEEP_DEVTO_API': server.url('/api'), 'FEEDKEEP_DEVTO_API_KEY': KEY}
    blog = os.path.join(tmp, 'blog.xml')
    with open(blog, 'w') as f:
        f.write(blog_feed(server.url('/')))
    rc, out, err = run('import', blog, db=db)
    check(rc == 0, 'the blog imports: %r' % err)

    rc, out, err = run('add', 'devto-api:Ana', db=db, env=env)
    check(rc == 0 and out == 'devto-api:ana: subscribed\n',
          'add devto-api:Ana checks the API and subscribes in lower case: %r %r' % (out, err))
    check(any(p.startswith('/api/articles?username=ana&per_page=1&page=1') for p, _ in api.log),
          'add checked one article of the list: %r' % api.log)

    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, db=db, env=env)
    check(rc == 0 and 'devto-api:ana: 2 new, 1 updated, 0 unchanged' in out,
          'fetch archives the user\'s articles: %r %r' % (out, err))
    lists, arts = api.calls(mark)
    check(lists == ['/api/articles?username=ana&per_page=1000&page=1'],
          'one list call, a thousand a page: %r' % lists)
    check(sorted(arts) == ['/api/articles/101', '/api/articles/102', '/api/articles/103'],
          'one article call each: %r' % arts)
    headers = [h for _, h in api.log[mark:]]
    check(all(h.get('accept') == 'application/vnd.forem.api-v1+json' for h in headers),
          'the API version is asked for')
    check(all(h.get('api-key') == KEY for h in headers), 'the key is sent')
    check(all('feedkeep/' in h.get('user-agent', '') for h in headers), 'a User-Agent is sent')

    rows = query(db, 'SELECT x.api_id, x.series, x.organization, x.edited, x.reactions,'
                     ' x.comments, x.reading_minutes, unpack(x.markdown), a.url, a.title'
                     ' FROM article_api x JOIN articles a ON a.id = x.article_id'
                     ' ORDER BY x.api_id')
    check([r[0] for r in rows] == [101, 102, 103], 'three API rows: %r' % rows)
    r101 = rows[0]
    check(r101[1] == '42' and r101[2] == 'Data Co' and r101[4] == 5 and r101[5] == 1
          and r101[6] == 3 and r101[7] == MD_1 and r101[8] == SITE + '/ana/query-planners-1a',
          'series, organisation, counts, the author\'s Markdown and URL: %r' % (r101,))
    tags = [r[0] for r in query(db, "SELECT t.name FROM article_tags at JOIN tags t"
                                    " ON t.id = at.tag_id JOIN articles a ON a.id = at.article_id"
                                    " WHERE a.url LIKE '%query-planners%' ORDER BY t.name")]
    check(tags == ['database', 'sql'], 'tags from the article: %r' % tags)
    cover = scalar(db, "SELECT count(*) FROM enclosures WHERE url ="
                       " 'https://media.example/covers/101.png'")
    check(cover == 1, 'the cover image is kept as the article\'s picture')
    code = scalar(db, "SELECT language FROM code_blocks c JOIN articles a ON a.id = c.article_id"
                      " WHERE a.url LIKE '%query-planners%'")
    check(code == 'sql', 'code blocks come from the HTML: %r' % code)

    # The cross-post: article 103 is the blog's article, both URLs kept.
    n = scalar(db, "SELECT count(*) FROM articles WHERE title = 'Vacuum explained'")
    check(n == 1, 'a cross-post is one article with its blog post: %r' % n)
    row = query(db, "SELECT a.url, x.url, x.canonical_url, al.rule FROM articles a"
                    " JOIN article_api x ON x.article_id = a.id"
                    " JOIN article_aliases al ON al.article_id = a.id"
                    " WHERE a.title = 'Vacuum explained'")
    check(row and row[0][1] == SITE + '/ana/cross-post-3c'
          and row[0][2] == 'https://ana.example/blog/vacuum' and row[0][3] == 'canonical',
          'both URLs are kept, the alias says canonical: %r' % row)
    rc, out, err = run('import', blog, db=db)
    check(rc == 0 and '0 new, 0 updated, 1 unchanged' in out,
          'the blog again does not replace the author\'s article: %r %r' % (out, err))

    # Nothing in the archive or the output holds the key.
    dump = '\n'.join(fktest.connect(db).iterdump())
    check(KEY not in dump and KEY not in out and KEY not in err, 'the key is never stored')

    # A second fetch: only the list; counts change without a version.
    api.articles[101]['public_reactions_count'] = 40
    api.articles[101]['comments_count'] = 9
    versions = scalar(db, 'SELECT count(*) FROM article_versions')
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, '--force', db=db, env=env)
    lists, arts = api.calls(mark)
    check(rc == 0 and lists == ['/api/articles?username=ana&per_page=1000&page=1'] and not arts,
          'a second fetch makes only the list call: %r %r %r' % (lists, arts, err))
    check('devto-api:ana: 0 new, 0 updated, 3 unchanged' in out, 'nothing new: %r' % out)
    r = query(db, 'SELECT reactions, comments FROM article_api WHERE api_id = 101')
    check(r == [(40, 9)], 'the latest counts are kept: %r' % r)
    check(scalar(db, 'SELECT count(*) FROM article_versions') == versions,
          'counts make no version')

    # An edit: one article call, a version kept, the new Markdown.
    api.articles[102]['edited_at'] = '2026-04-01T08:00:00Z'
    api.articles[102]['body_markdown'] = 'Indexes **help** reads, and hurt writes.\n'
    api.articles[102]['body_html'] = '<p>Indexes <strong>help</strong> reads, and hurt writes.</p>'
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, '--force', db=db, env=env)
    lists, arts = api.calls(mark)
    check(rc == 0 and arts == ['/api/articles/102'] and '0 new, 1 updated, 2 unchanged' in out,
          'an edit fetches that article only: %r %r %r' % (arts, out, err))
    aid = scalar(db, "SELECT id FROM articles WHERE url = ?", SITE + '/ana/index-tuning-2b')
    check(scalar(db, 'SELECT count(*) FROM article_versions WHERE article_id = ?', aid) == 1,
          'the edit keeps a version')
    rc, out, err = run('show', str(aid), '--markdown', '--source', 'author', db=db)
    check(rc == 0 and out == 'Indexes **help** reads, and hurt writes.\n',
          'show --source author prints the author\'s Markdown: %r %r' % (out, err))
    rc, out, err = run('show', str(aid), '--json', db=db)
    got = json.loads(out) if rc == 0 else {}
    check(got.get('api', {}).get('id') == 102 and got['api'].get('has_markdown') is True
          and got['api'].get('edited') == '2026-04-01T08:00:00Z',
          'show --json has the API\'s fields: %r' % got.get('api'))

    # dev.to's RSS feed of the same article: one row, not replaced.
    rss = os.path.join(tmp, 'rss.xml')
    with open(rss, 'w') as f:
        f.write(rss_feed())
    rc, out, err = run('import', '--base-url', 'https://dev.to/feed/ana', rss, db=db)
    check(rc == 0 and '0 new, 0 updated, 1 unchanged' in out,
          'the RSS item is the API\'s article: %r %r' % (out, err))
    check(scalar(db, "SELECT count(*) FROM articles WHERE url LIKE '%index-tuning%'") == 1,
          'one row for the RSS feed and the API')
    text = scalar(db, 'SELECT text FROM articles WHERE id = ?', aid)
    check('hurt writes' in text, 'the RSS summary does not replace the article: %r' % text)

    # The export writes the author's Markdown under feedkeep's front matter.
    out_dir = os.path.join(tmp, 'site')
    aid1 = scalar(db, "SELECT id FROM articles WHERE url LIKE '%query-planners%'")
    rc, out, err = run('export', '--dir', out_dir, '--for', 'hugo', str(aid1), db=db)
    files = [os.path.join(d, f) for d, _, fs in os.walk(out_dir) for f in fs]
    body = open(files[0]).read() if rc == 0 and files else ''
    check(body.startswith('---\n') and body.count('---\n') == 2 and 'published: true' not in body,
          'feedkeep\'s front matter replaces the author\'s: %r' % body[:300])
    check('<https://example.com/talk>' in body
          and '<https://www.youtube.com/watch?v=dQw4w9WgXcQ>' in body,
          'Liquid embeds become links: %r' % body)
    check('{% raw %}x{% endraw %}' in body and '`{% github a/b %}`' in body,
          'Liquid inside code is left alone: %r' % body)
    check('```sql\n' in body, 'the code keeps its fence and language')
    check('canonical_url' not in body, 'no canonical URL when it is the article\'s own')
    aid3 = scalar(db, "SELECT id FROM articles WHERE title = 'Vacuum explained'")
    rc, out, err = run('export', '--stdout', '--for', 'jekyll', str(aid3), db=db)
    check(rc == 0 and 'canonical_url: "https://ana.example/blog/vacuum"\n' in out
          and out.endswith('\nVacuum frees space.\n'),
          'a cross-post names its canonical URL in the front matter: %r %r' % (out, err))


def test_faults(tmp, server, api):
    db = os.path.join(tmp, 'faults.db')
    env = {'FEEDKEEP_DEVTO_API': server.url('/api')}
    run('add', '--no-check', 'devto-api:ana', db=db)
    # a 429 with Retry-After: waited for, then the article comes
    api.too_many['/api/articles/102'] = 1
    api.fail['/api/articles/103'] = 500
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, db=db, env=env)
    lists, arts = api.calls(mark)
    check(arts.count('/api/articles/102') == 2, '429: the call is made again: %r' % arts)
    check(rc == 0 and 'devto-api:ana: 2 new' in out, 'fetch files what came: %r %r' % (out, err))
    check('/api/articles/103' in err and 'HTTP 500' in err,
          'a failed article call is one line on stderr: %r' % err)
    # the next run asks for what is missing only
    del api.fail['/api/articles/103']
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, '--force', db=db, env=env)
    lists, arts = api.calls(mark)
    check(arts == ['/api/articles/103'] and '1 new' in out,
          'the next run fetches the missing article only: %r %r' % (arts, out))
    # an article listed and gone: not a failure of the run
    api.add(article(104, 'ana', 'gone-4d', 'Gone', 'x\n', '<p>x</p>', ['misc'],
                    '2026-05-01T10:00:00Z'))
    api.fail['/api/articles/104'] = 404
    rc, out, err = run('fetch', *FAST, '--force', db=db, env=env)
    check('/api/articles/104' in err and '404' in err, 'a 404 article is reported: %r' % err)
    del api.articles[104]
    del api.fail['/api/articles/104']
    # the list fails: the feed fails and backs off
    api.fail['/api/articles'] = 503
    rc, out, err = run('fetch', *FAST, '--force', db=db, env=env)
    check(rc == 1 and 'devto-api:ana' in err and 'HTTP 503' in err,
          'a failed list call fails the feed: %r %r' % (rc, err))
    check(scalar(db, "SELECT failures FROM feeds WHERE url = 'devto-api:ana'") == 1,
          'and is logged with its backoff')
    del api.fail['/api/articles']


def test_org_tag_switch(tmp, server, api):
    db = os.path.join(tmp, 'org.db')
    env = {'FEEDKEEP_DEVTO_API': server.url('/api')}
    rc, out, err = run('add', 'devto-api:org/dataco', 'devto-api:tag/database', db=db, env=env)
    check(rc == 0, 'add an organisation and a tag: %r %r' % (out, err))
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, db=db, env=env)
    lists, arts = api.calls(mark)
    check('/api/organizations/dataco/articles?per_page=1000&page=1' in lists
          and '/api/articles?tag=database&per_page=100&page=1' in lists,
          'the organisation\'s and the tag\'s list calls: %r' % lists)
    check(rc == 0 and 'devto-api:org/dataco: 1 new' in out
          and 'devto-api:tag/database: 1 new, 0 updated, 1 unchanged' in out,
          'their articles, each once: %r %r' % (out, err))
    check(sorted(arts) == ['/api/articles/101', '/api/articles/102'],
          'an article of both is fetched once: %r' % arts)

    # add --api switches a dev.to RSS subscription, keeping its id
    db2 = os.path.join(tmp, 'switch.db')
    run('add', '--no-check', 'devto:ana', db=db2)
    fid = scalar(db2, "SELECT id FROM feeds WHERE url = 'https://dev.to/feed/ana'")
    rc, out, err = run('add', '--api', '--no-check', 'devto:ana', db=db2)
    check(rc == 0 and out == 'https://dev.to/feed/ana: switched to devto-api:ana\n',
          'add --api switches the feed: %r %r' % (out, err))
    check(scalar(db2, "SELECT id FROM feeds WHERE url = 'devto-api:ana'") == fid,
          'the same feed, now through the API')
    rc, out, err = run('add', '--api', '--no-check', 'https://example.com/feed', db=db2)
    check(rc == 2 and 'not a dev.to feed' in err, '--api refuses other feeds: %r' % err)
    rc, out, err = run('add', '--no-check', 'devto-api:bad name', db=db2)
    check(rc == 2 and 'devto-api:' in err, 'a bad API source is a usage error: %r' % err)


def test_paging(tmp, server, api):
    db = os.path.join(tmp, 'paging.db')
    env = {'FEEDKEEP_DEVTO_API': server.url('/api')}
    for i in range(250):
        api.add(article(1000 + i, 'bulk%d' % (i % 7), 'post-%d' % i, 'Post %d' % i,
                        'Post %d.\n' % i, '<p>Post number %d.</p>' % i, ['bulk'],
                        '2025-%02d-%02dT10:00:00Z' % (1 + i % 12, 1 + i % 28)))
    run('add', '--no-check', 'devto-api:tag/bulk', db=db)
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, '--pages', '5', db=db, env=env)
    lists, arts = api.calls(mark)
    check(lists == ['/api/articles?tag=bulk&per_page=100&page=%d' % p for p in (1, 2, 3)],
          'a tag is walked page by page to the first short page: %r' % lists)
    check(rc == 0 and len(arts) == 250 and 'devto-api:tag/bulk: 250 new' in out,
          'every article of the pages: %d %r %r' % (len(arts), out, err))
    check(scalar(db, 'SELECT count(*) FROM articles') == 250, 'all archived')
    # a server that does not page: the walk stops at the first repeated page
    api.ignore_page = True
    mark = len(api.log)
    rc, out, err = run('fetch', *FAST, '--pages', '5', '--force', db=db, env=env)
    lists, arts = api.calls(mark)
    check(len(lists) == 2 and not arts and rc == 0,
          'a repeated page ends the walk: %r %r %r' % (lists, arts, err))
    api.ignore_page = False


def test_pacing(tmp, server, api):
    db = os.path.join(tmp, 'pace.db')
    env = {'FEEDKEEP_DEVTO_API': server.url('/api')}
    run('add', '--no-check', 'devto-api:ana', db=db)
    stamps = []
    orig = {aid: None for aid in api.articles}
    for aid in orig:
        server.routes['/api/articles/%d' % aid] = (lambda h: (stamps.append(time.monotonic()),
                                                               api.one_article(h)))
    rc, out, err = run('fetch', '--connect-timeout', '2', '--full-text-pages', '0',
                       '--no-assets', '--api-interval', '0.5', db=db, env=env)
    for aid in orig:
        server.routes['/api/articles/%d' % aid] = api.one_article
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    check(rc == 0 and len(stamps) == 3, 'three article calls: %r %r' % (stamps, err))
    # A lower bound only: the run waits at least the interval between
    # starts. The stamps are taken as the server gets to each request,
    # which a busy machine may delay by a few hundred milliseconds: the
    # bound is on the whole span (1 s paced, a few ms unpaced).
    check(len(stamps) == 3 and stamps[-1] - stamps[0] >= 0.5, 'requests are paced: %r' % gaps)


def test_parse(tmp):
    path = os.path.join(tmp, 'article.json')
    with open(path, 'w') as f:
        json.dump(article_view(make_articles()[0]), f)
    rc, out, err = run('parse', path, '--format', 'json')
    got = json.loads(out) if rc == 0 else {}
    items = got.get('items', [])
    check(len(items) == 1 and items[0]['guid'] == SITE + '/ana/query-planners-1a'
          and got['feed']['format'] == 'forem' and items[0]['tags'] == ['database', 'sql'],
          'parse reads one API article: %r %r' % (out[:300], err))
    path = os.path.join(tmp, 'list.json')
    with open(path, 'w') as f:
        json.dump([list_view(a) for a in make_articles()], f)
    rc, out, err = run('parse', path, '--format', 'json')
    got = json.loads(out) if rc == 0 else {}
    check(len(got.get('items', [])) == 3 and got['items'][2]['tags'] == ['postgres'],
          'parse reads an API list: %r' % err)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    fktest.start(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        test_parse(tmp)
        server = fktest.Loopback()
        try:
            for name, test in (('user', test_user), ('faults', test_faults),
                               ('org', test_org_tag_switch), ('paging', test_paging),
                               ('pacing', test_pacing)):
                api = Forem(server)
                for a in make_articles():
                    api.add(copy.deepcopy(a))
                test(tmp, server, api)
        finally:
            server.stop()
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
