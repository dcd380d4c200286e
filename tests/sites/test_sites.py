#!/usr/bin/env python3
"""Exports checked by the tools they are made for: `export --for hugo` built
by Hugo, `--for jekyll` by Jekyll (both the Debian packages, no theme, no
plugin, no network), and `--for obsidian` checked against Obsidian's rules.

usage: test_sites.py FEEDKEEP DATADIR hugo|jekyll|obsidian|hugo-assets|jekyll-assets

The archive holds the dev.to sample and tests/sites/articles.xml: titles in
Cyrillic, CJK and with emoji, an Atom entry with only an updated date,
tables, code in five languages, tags with spaces, "+", "#" and other
scripts, and an article whose title changes between two exports.

hugo-assets is the self-contained archive's test: the dev.to sample with
images (tests/cli/illustrated.py) fetched from a loopback server, which is
then stopped, each image stored once, exported with
--assets copy and built by Hugo with every image in the site, and the same
articles as show --html pages with the images inline; jekyll-assets the
same export for Jekyll, whose images go to a folder of the site.

When the generator is not installed the test is skipped (exit 77), unless
FEEDKEEP_REQUIRE_TOOLS is set: then it fails.
"""
import base64
import datetime
import hashlib
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
import illustrated  # noqa: E402 - tests/cli/illustrated.py
from fktest import check, read, run  # noqa: E402

BIN = None
DATA = None
SITES = os.path.dirname(os.path.abspath(__file__))

OLD_TITLE = 'The first title'
NEW_TITLE = 'A second title for the same article'
RENAMED_GUID = 'urn:feedkeep-sites:renamed'


def json_lines(text):
    return [json.loads(line) for line in text.split('\n') if line]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write(text)


def front_matter(text):
    m = re.match(r'---\n(.*?)\n---\n(?:\n|$)', text, re.S)
    return (yaml.safe_load(m.group(1)), text[m.end():]) if m else (None, None)


def moment(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


class Archive:
    """A test archive, and what it says about its articles."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.db = fktest.archive(tmp, 'archive.db', os.path.join(DATA, 'devto-fuadhusnan.xml'),
                                 os.path.join(SITES, 'articles.xml'))
        self.reload()

    def reload(self):
        rc, out, err = run('list', '--format', 'json', db=self.db)
        check(rc == 0, 'list: %s' % err)
        self.articles = {a['guid']: a for a in json_lines(out)}
        rc, out, err = run('code', '--format', 'json', db=self.db)
        check(rc == 0, 'code: %s' % err)
        self.languages = {}
        for block in json_lines(out):
            self.languages.setdefault(block['article_id'], []).append(block['language'])

    def rename(self):
        """Import the feed again with the renamed article."""
        path = os.path.join(self.tmp, 'renamed.xml')
        write(path, read(os.path.join(SITES, 'articles.xml')).replace(OLD_TITLE, NEW_TITLE))
        rc, out, err = run('import', path, db=self.db)
        check(rc == 0 and '1 updated' in out, 'renamed import: %r %r' % (out, err))
        self.reload()


def export_twice(archive, tool, out_dir, *options):
    """Export, rename an article, export again: one file per article, and
    the renamed one keeps its file. Returns the files (relative paths)."""
    def files():
        found = []
        for root, dirs, names in os.walk(out_dir):
            found += [os.path.relpath(os.path.join(root, n), out_dir) for n in names]
        return sorted(found)

    rc, out, err = run('export', '--for', tool, '--dir', out_dir, *options, db=archive.db)
    check(rc == 0 and err == '', 'export --for %s: %d %r' % (tool, rc, err))
    before = files()
    check(len(before) == len(archive.articles), '%d files for %d articles: %r'
          % (len(before), len(archive.articles), before))
    archive.rename()
    rc, out, err = run('export', '--for', tool, '--dir', out_dir, *options, db=archive.db)
    check(rc == 0 and out.endswith(': 1 written, %d kept, 0 skipped\n'
                                   % (len(archive.articles) - 1)),
          'export after the rename rewrites one file: %r %r' % (out, err))
    after = files()
    check(after == before, 'the same files after the rename: %r'
          % sorted(set(after) ^ set(before)))
    renamed = [f for f in after if 'the-first-title' in f]
    check(len(renamed) == 1 and NEW_TITLE in read(os.path.join(out_dir, renamed[0])),
          'the renamed article keeps its file, with its new title: %r' % renamed)
    return after


def tool_missing(name):
    if shutil.which(name):
        return False
    if os.environ.get('FEEDKEEP_REQUIRE_TOOLS'):
        check(False, '%s is not installed and FEEDKEEP_REQUIRE_TOOLS is set '
              '(Debian package %s; tools/install-deps --tests installs it)' % (name, name))
        return True
    print('SKIP: %s is not installed (Debian package %s; tools/install-deps --tests '
          'installs it)' % (name, name))
    sys.exit(77)


class Page:
    """What a built page shows, through the layouts of this test."""

    def __init__(self, path):
        self.path = path
        text = read(path)
        self.text = text
        meta = dict(re.findall(r'<meta name="([a-z]+)" content="([^"]*)">', text))
        self.guid = html.unescape(meta.get('guid', ''))
        self.title = html.unescape(meta.get('title', ''))
        self.date = meta.get('date', '')
        self.tags = [html.unescape(t) for t in re.findall(r'<li class="tag">(.*?)</li>', text)]
        self.tag_links = [html.unescape(h) for h in
                          re.findall(r'<a class="tag" href="([^"]*)"', text)]


def check_pages(archive, pages, tool, code_class):
    """The assertions both generators share: one page per article, dated,
    code blocks with their language, tables as tables."""
    by_guid = {}
    for page in pages:
        check(page.guid not in by_guid, '%s: one page for %s' % (tool, page.guid))
        by_guid[page.guid] = page
    check(set(by_guid) == set(archive.articles), '%s: a page for each article: %r' % (
        tool, set(by_guid) ^ set(archive.articles)))
    for guid, article in archive.articles.items():
        page = by_guid.get(guid)
        if not page:
            continue
        check(page.title == article['title'], '%s: title %r, archive %r' % (
            page.path, page.title, article['title']))
        check(article['date'] is not None and not page.date.startswith('0001') and
              moment(page.date) == moment(article['date']),
              '%s: date %r, article %r' % (page.path, page.date, article['date']))
        want = [lang for lang in archive.languages.get(article['id'], []) if lang]
        got = [''.join(m) if isinstance(m, tuple) else m
               for m in re.findall(code_class, page.text)]
        check(got == want, '%s: code languages %r, archive %r' % (page.path, got, want))
    renamed = by_guid.get(RENAMED_GUID)
    check(renamed and renamed.title == NEW_TITLE and
          not any(p.title == OLD_TITLE for p in pages), '%s: the renamed article once' % tool)
    for guid in ('urn:feedkeep-sites:languages', 'urn:feedkeep-sites:updated-only'):
        page = by_guid.get(guid)
        check(page and '<table>' in page.text and '<td>' in page.text,
              '%s: a table in %s' % (tool, guid))
    # an article about templates: the generator shows them, runs none
    page = by_guid.get('urn:feedkeep-sites:templates')
    shown = html.unescape(re.sub(r'<[^>]+>', '', page.text)) if page else ''
    for text in ('{{ message }}', '{{< figure src=a.png >}}', '{{% notice %}}',
                 '{% include x.html %}', '{% for post in site.posts %}{{ post.title }}{% endfor %}',
                 '{{< youtube abc >}}', '{{% notice tip %}}hi{{% /notice %}}', '{% github a/b %}'):
        check(text in shown, '%s: the template text %r is shown as it is' % (tool, text))
    updated_only = archive.articles['urn:feedkeep-sites:updated-only']
    check(updated_only['published'] is None and updated_only['date'] == updated_only['updated'],
          'the updated-only entry is dated by its updated date')
    languages = {lang for langs in archive.languages.values() for lang in langs if lang}
    check(len(languages) >= 5, 'code in at least five languages: %r' % languages)
    return by_guid


HUGO_CONFIG = '''baseURL = "http://example.org/"
title = "feedkeep export"
buildFuture = true
disableKinds = ["RSS", "sitemap", "robotsTXT"]
[taxonomies]
tag = "tags"
'''

HUGO_SINGLE = '''<!DOCTYPE html><html><head>
<meta name="guid" content="{{ .Params.guid }}">
<meta name="title" content="{{ .Title }}">
<meta name="date" content="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
</head><body><article><h1>{{ .Title }}</h1>
<ul>{{ range .GetTerms "tags" }}<li class="tag">{{ .LinkTitle }}</li><li><a class="tag" href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
</article></body></html>
'''

HUGO_LIST = '''<!DOCTYPE html><html><head><meta name="kind" content="{{ .Kind }}"></head><body>
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li class="page"><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
'''


def test_hugo(tmp):
    if tool_missing('hugo'):
        return
    archive = Archive(tmp)
    site = os.path.join(tmp, 'hugo')
    write(os.path.join(site, 'config.toml'), HUGO_CONFIG)
    write(os.path.join(site, 'layouts', '_default', 'single.html'), HUGO_SINGLE)
    write(os.path.join(site, 'layouts', '_default', 'list.html'), HUGO_LIST)
    posts = os.path.join(site, 'content', 'posts')
    files = export_twice(archive, 'hugo', posts)
    check(all(f.endswith('/index.md') and f.count('/') == 1 for f in files),
          'hugo: page bundles: %r' % files[:3])
    for f in files:
        meta, body = front_matter(read(os.path.join(posts, f)))
        check(meta is not None and not {'url', 'slug', 'summary', 'type', 'layout', 'aliases',
                                        'draft', 'weight'} & set(meta),
              'hugo: no reserved key in %s: %r' % (f, sorted(meta or {})))
    started = time.monotonic()
    p = subprocess.run(['hugo', '--source', site, '--destination', os.path.join(tmp, 'public'),
                        '--quiet'], capture_output=True, timeout=120)
    check(p.returncode == 0 and not p.stderr, 'hugo builds: %d %r' % (p.returncode, p.stderr))
    public = os.path.join(tmp, 'public')
    pages = [Page(os.path.join(public, 'posts', os.path.dirname(f), 'index.html'))
             for f in files if os.path.exists(os.path.join(public, 'posts', os.path.dirname(f),
                                                           'index.html'))]
    check(len(pages) == len(archive.articles), 'hugo: %d article pages' % len(pages))
    by_guid = check_pages(archive, pages, 'hugo', r'<code class="language-([^"]+)" data-lang=')

    # Tag pages: one per tag, each listing the articles that carry it, and
    # every tag link of a page leads to one.
    tag_pages = {}
    for name in os.listdir(os.path.join(public, 'tags')):
        path = os.path.join(public, 'tags', name, 'index.html')
        if os.path.isfile(path):
            titles = [html.unescape(t) for t in re.findall(
                r'<li class="page"><a href="[^"]*">(.*?)</a>', read(path))]
            tag_pages[name] = sorted(titles)
    hugo_tags = {}
    for guid, page in by_guid.items():
        for tag in page.tags:
            hugo_tags.setdefault(tag, []).append(archive.articles[guid]['title'])
        for href in page.tag_links:
            target = os.path.join(public, urllib.parse.unquote(href).strip('/'), 'index.html')
            check(href.startswith('/tags/') and '#' not in href and '?' not in href and
                  os.path.isfile(target), 'hugo: tag link %r of %s leads to its page'
                  % (href, page.path))
    check(len(tag_pages) == len(hugo_tags), 'hugo: %d tag pages for %d tags: %r' % (
        len(tag_pages), len(hugo_tags), sorted(tag_pages)))
    check(sorted(sorted(t) for t in hugo_tags.values()) == sorted(tag_pages.values()),
          'hugo: each tag page lists the articles with the tag')
    archive_tags = {t for a in archive.articles.values() for t in a['tags']}
    for tag in ('web dev', 'c++', 'заметки', '数据库'):
        check(tag in archive_tags and tag in hugo_tags, 'hugo: tag %r has a page' % tag)
    check('csharp' in hugo_tags and 'x' in hugo_tags and not {'c#', '#x'} & set(hugo_tags),
          'hugo: "#" made linkable: %r' % sorted(hugo_tags))
    total = sum(len(names) for _, _, names in os.walk(public))
    print('hugo: %d article pages, %d tag pages, %d files, built in %.1f s'
          % (len(pages), len(tag_pages), total, time.monotonic() - started))


class ImageServer:
    """The illustrated feed and its images on 127.0.0.1, as a blog and its
    image CDN serve them; the image never stored is missing (404)."""

    def __init__(self, feed, stored):
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the base class's name
                server.requests.append(self.path)
                url = server.base + self.path
                if self.path == '/feed.xml':
                    body, ctype = server.feed.encode(), 'application/rss+xml'
                elif url in server.stored:
                    body, ctype = server.stored[url], 'image/png'
                else:
                    body, ctype = b'not found', 'text/plain'
                self.send_response(200 if ctype != 'text/plain' else 404)
                self.send_header('Content-Type', ctype)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.base = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.feed = feed.replace(illustrated.CDN, self.base + '/cdn/')
        self.stored = {u.replace(illustrated.CDN, self.base + '/cdn/'): b
                       for u, b in stored.items()}
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def illustrated_archive(tmp):
    """The dev.to sample with images, fetched from a loopback server that
    is stopped before anything else happens: the archive, the image URLs of
    each guid, and url -> stored bytes. The feed comes from a loopback
    address, so its images may too (its private origin)."""
    feed, images = illustrated.illustrate(read(os.path.join(DATA, 'devto-fuadhusnan.xml')))
    server = ImageServer(feed, illustrated.stored_bytes(images))
    try:
        db = os.path.join(tmp, 'assets.db')
        rc, out, err = run('add', server.base + '/feed.xml', db=db)
        check(rc == 0, 'add the feed: %r' % err)
        rc, out, err = run('fetch', db=db)
        check(rc == 0 and '12 new' in out, 'fetch: %d %r %r' % (rc, out, err))
    finally:
        server.stop()
    base = server.base + '/cdn/'
    images = {guid: [u.replace(illustrated.CDN, base) for u in urls]
              for guid, urls in images.items()}
    stored = server.stored
    fetched = [p for p in server.requests if p.startswith('/cdn/')]
    check(sorted(fetched) == sorted({u[len(server.base):] for us in images.values() for u in us}),
          'fetch asked for each image URL once: %r' % fetched)
    check(fktest.scalar(db, 'SELECT count(*) FROM assets') == len(stored),
          'every image stored once')
    rc, out, err = run('assets', '--status', 'failed', '--format', 'tsv', db=db)
    check(rc == 0 and illustrated.UNSTORED.replace(illustrated.CDN, base) in out,
          'the missing image failed: %r' % out)
    return db, images, stored


def test_hugo_assets(tmp):
    """The issue's test of done: an archive of the dev.to sample and its
    images, each stored once; `export --for hugo --assets copy` builds with
    Hugo with every image in the site, where its page links it; `show
    --html` has them inline. They were fetched from a server stopped since."""
    if tool_missing('hugo'):
        return
    db, images, stored = illustrated_archive(tmp)

    def file_of(url):
        return hashlib.sha256(stored[url]).hexdigest()[:16] + '.png'

    site = os.path.join(tmp, 'hugo')
    write(os.path.join(site, 'config.toml'), HUGO_CONFIG)
    write(os.path.join(site, 'layouts', '_default', 'single.html'), HUGO_SINGLE)
    write(os.path.join(site, 'layouts', '_default', 'list.html'), HUGO_LIST)
    posts = os.path.join(site, 'content', 'posts')
    copies = sum(1 for urls in images.values() for u in urls if u in stored)
    rc, out, err = run('export', '--for', 'hugo', '--assets', 'copy', '--dir', posts, db=db)
    check(rc == 0 and err == '' and
          out.endswith(': %d written, 0 kept, 0 skipped; %d asset files written\n'
                       % (len(images), copies)),
          'export --assets copy: %d %r %r' % (rc, out, err))
    bundles = {}
    for name in sorted(os.listdir(posts)):
        meta, body = front_matter(read(os.path.join(posts, name, 'index.md')))
        urls = images.get(meta and meta.get('guid'), [])
        bundles[name] = urls
        want = sorted({file_of(u) for u in urls if u in stored})
        got = sorted(f for f in os.listdir(os.path.join(posts, name)) if f != 'index.md')
        check(got == want, 'hugo assets: %s holds its images: %r, want %r' % (name, got, want))
        for url in urls:
            local = url in stored
            check(('](%s)' % file_of(url) in body if local else True) and
                  ('](%s)' % url in body) != local,
                  'hugo assets: %s links %s%s' % (name, 'its copy of ' if local else '', url))
    check(len(bundles) == len(images) and all(bundles.values()), 'a bundle per article')
    rc, out, err = run('export', '--for', 'hugo', '--assets', 'copy', '--dir', posts, db=db)
    check(rc == 0 and out.endswith(': 0 written, %d kept, 0 skipped; 0 asset files written\n'
                                   % len(images)), 'export again writes nothing: %r' % out)

    public = os.path.join(tmp, 'public')
    p = subprocess.run(['hugo', '--source', site, '--destination', public, '--quiet'],
                       capture_output=True, timeout=120)
    check(p.returncode == 0 and not p.stderr, 'hugo builds: %d %r' % (p.returncode, p.stderr))
    shown = 0
    for name, urls in bundles.items():
        page_url = '/posts/%s/' % name
        path = os.path.join(public, 'posts', name, 'index.html')
        text = read(path) if os.path.exists(path) else ''
        check(text != '', 'hugo assets: a page for %s' % name)
        sources = [html.unescape(s) for s in re.findall(r'<img src="([^"]*)"', text)]
        for url in urls:
            if url not in stored:
                check(url in sources, 'hugo assets: %s shows %s from the web' % (name, url))
                continue
            src = next((s for s in sources
                        if urllib.parse.urljoin(page_url, s) == page_url + file_of(url)), None)
            built = os.path.join(public, 'posts', name, file_of(url))
            check(src is not None and os.path.isfile(built) and
                  open(built, 'rb').read() == stored[url],
                  'hugo assets: %s shows %s, built into the site: %r' % (name, file_of(url),
                                                                       sources))
            shown += src is not None
    check(shown == copies, 'hugo assets: %d images shown from the site' % shown)

    # The same articles as pages to read offline: every stored image inline.
    rc, out, err = run('list', '--format', 'json', db=db)
    ids = {a['guid']: a['id'] for a in json_lines(out)}
    inlined = 0
    for guid, urls in images.items():
        page = os.path.join(tmp, 'page-%d.html' % ids[guid])
        rc, out, err = run('show', str(ids[guid]), '--html', '-o', page, db=db)
        text = read(page) if rc == 0 else ''
        check(rc == 0 and err == '' and text.startswith('<!DOCTYPE html>'),
              'show --html -o: %d %r' % (rc, err))
        data = [base64.b64decode(d) for d in
                re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)]
        want = [stored[u] for u in urls if u in stored]
        check(sorted(data) == sorted(want), 'show --html: the images of %s inline' % guid)
        check('<script' not in text.lower() and
              all(u not in text for u in urls if u in stored),
              'show --html: no script, no link to a stored image')
        check(all(html.escape(u) in text for u in urls if u not in stored),
              'show --html: an image not stored stays a link')
        inlined += len(data)
    print('hugo assets: %d articles, %d images stored, %d copies in the site, %d inline'
          % (len(images), len(stored), shown, inlined))


JEKYLL_CONFIG = '''title: feedkeep export
markdown: kramdown
kramdown:
  input: GFM
future: true
defaults:
  - scope: {path: "", type: posts}
    values: {layout: post}
'''

JEKYLL_POST = '''<!DOCTYPE html><html><head>
<meta name="guid" content="{{ page.guid }}">
<meta name="title" content="{{ page.title }}">
<meta name="date" content="{{ page.date | date_to_xmlschema }}">
</head><body><article><h1>{{ page.title }}</h1>
<ul>{% for tag in page.tags %}<li class="tag">{{ tag }}</li>{% endfor %}</ul>
{{ content }}
</article></body></html>
'''

# Jekyll makes no tag pages without a plugin: one page lists site.tags.
JEKYLL_TAGS = '''---
layout: null
---
<!DOCTYPE html><html><body>
{% for tag in site.tags %}<section><h2 class="tag">{{ tag[0] }}</h2><ul>{% for post in tag[1] %}<li class="page"><a href="{{ post.url }}">{{ post.title }}</a></li>{% endfor %}</ul></section>
{% endfor %}</body></html>
'''


def test_jekyll(tmp):
    if tool_missing('jekyll'):
        return
    archive = Archive(tmp)
    site = os.path.join(tmp, 'jekyll')
    write(os.path.join(site, '_config.yml'), JEKYLL_CONFIG)
    write(os.path.join(site, '_layouts', 'post.html'), JEKYLL_POST)
    write(os.path.join(site, 'tags.html'), JEKYLL_TAGS)
    posts = os.path.join(site, '_posts')
    files = export_twice(archive, 'jekyll', posts)
    check(all(re.match(r'^\d{4}-\d{2}-\d{2}-[^/]+\.md$', f) for f in files),
          'jekyll: posts named DATE-TITLE.md: %r' % [f for f in files if '/' in f][:3])
    for f in files:
        meta, body = front_matter(read(os.path.join(posts, f)))
        check(meta is not None and not {'url', 'permalink', 'layout', 'published', 'slug',
                                        'categories', 'category'} & set(meta),
              'jekyll: no reserved key in %s: %r' % (f, sorted(meta or {})))
    started = time.monotonic()
    dest = os.path.join(tmp, '_site')
    p = subprocess.run(['jekyll', 'build', '--safe', '--quiet', '--source', site,
                        '--destination', dest], capture_output=True, timeout=120,
                       cwd=tmp, env=dict(os.environ, JEKYLL_NO_BUNDLER_REQUIRE='true'))
    check(p.returncode == 0, 'jekyll builds: %d %r' % (p.returncode, p.stderr[-2000:]))
    pages = []
    for root, _, names in os.walk(dest):
        for name in names:
            if name.endswith('.html') and name != 'tags.html':
                pages.append(Page(os.path.join(root, name)))
    check(len(pages) == len(archive.articles), 'jekyll: %d article pages' % len(pages))
    # Rouge highlights the languages it knows; kramdown names the others on
    # the code element.
    check_pages(archive, pages, 'jekyll', r'<div class="language-([^ "]+) highlighter-rouge">'
                r'|<pre><code class="language-([^"]+)">')
    tags_page = read(os.path.join(dest, 'tags.html')) if os.path.exists(
        os.path.join(dest, 'tags.html')) else ''
    listed = {}
    for section in re.findall(r'<section>(.*?)</section>', tags_page, re.S):
        tag = html.unescape(re.search(r'<h2 class="tag">(.*?)</h2>', section).group(1))
        listed[tag] = sorted(html.unescape(t) for t in re.findall(
            r'<li class="page"><a href="[^"]*">(.*?)</a>', section))
    want = {}
    for a in archive.articles.values():
        for tag in a['tags']:
            want.setdefault(tag, []).append(a['title'])
    check(listed == {t: sorted(v) for t, v in want.items()},
          'jekyll: site.tags has every tag as the feed gave it, with its articles: %r'
          % sorted(set(listed) ^ set(want)))
    print('jekyll: %d article pages, %d tags, built in %.1f s'
          % (len(pages), len(listed), time.monotonic() - started))


def test_jekyll_assets(tmp):
    """Jekyll publishes nothing under _posts: the images go to a folder of
    the site (--assets-dir) that the links name (--assets-url), and each
    is in the built site where its post shows it."""
    if tool_missing('jekyll'):
        return
    db, images, stored = illustrated_archive(tmp)
    site = os.path.join(tmp, 'jekyll')
    write(os.path.join(site, '_config.yml'), JEKYLL_CONFIG)
    write(os.path.join(site, '_layouts', 'post.html'), JEKYLL_POST)
    rc, out, err = run('export', '--for', 'jekyll', '--assets', 'copy', '--dir',
                       os.path.join(site, '_posts'), '--assets-dir',
                       os.path.join(site, 'assets', 'feeds'), '--assets-url', '/assets/feeds',
                       db=db)
    check(rc == 0 and err == '' and out.endswith('; %d asset files written\n' % len(stored)),
          'export --for jekyll --assets copy: %r %r' % (out, err))
    dest = os.path.join(tmp, '_site')
    p = subprocess.run(['jekyll', 'build', '--safe', '--quiet', '--source', site,
                        '--destination', dest], capture_output=True, timeout=120,
                       cwd=tmp, env=dict(os.environ, JEKYLL_NO_BUNDLER_REQUIRE='true'))
    check(p.returncode == 0, 'jekyll builds: %d %r' % (p.returncode, p.stderr[-2000:]))
    shown = set()
    pages = 0
    for root, _, names in os.walk(dest):
        for name in names:
            if not name.endswith('.html'):
                continue
            pages += 1
            for src in re.findall(r'<img src="([^"]*)"', read(os.path.join(root, name))):
                src = html.unescape(src)
                if src.startswith('/'):
                    built = os.path.join(dest, src.lstrip('/'))
                    check(os.path.isfile(built), 'jekyll assets: %s is in the site' % src)
                    shown.add(open(built, 'rb').read() if os.path.isfile(built) else b'')
                else:
                    check(src.endswith('/cdn/never-stored.png'),
                          'jekyll assets: only the image never stored stays remote: %s' % src)
    check(pages == len(images) and shown == set(stored.values()),
          'jekyll assets: %d pages show the %d stored images from the site' % (pages, len(shown)))
    print('jekyll assets: %d pages, %d images from the site' % (pages, len(shown)))


# Obsidian: a tag is letters, digits, "_", "-" and "/" (nesting), with at
# least one character that is not a digit, and no spaces.
OBSIDIAN_TAG = re.compile(r'^(?=.*[^\d/])[\w/-]+$')
# Characters Obsidian does not allow in note names (links break on them).
OBSIDIAN_NAME = re.compile(r'[*"\\/<>:|?#^\[\]]')
# Keys Obsidian (and Obsidian Publish) give a meaning.
OBSIDIAN_RESERVED = {'aliases', 'alias', 'cssclasses', 'cssclass', 'publish', 'permalink',
                     'description', 'image', 'cover'}
OBSIDIAN_KEYS = {'title', 'author', 'date', 'updated', 'url', 'guid', 'feed', 'tags',
                 'feed_tags'}


def test_obsidian(tmp):
    archive = Archive(tmp)
    vault = os.path.join(tmp, 'vault', 'feeds')
    files = export_twice(archive, 'obsidian', vault, '--title-heading')
    for f in files:
        check('/' not in f and f.endswith('.md') and not OBSIDIAN_NAME.search(f[:-3]),
              'obsidian: a note name Obsidian links: %r' % f)
        meta, body = front_matter(read(os.path.join(vault, f)))
        check(isinstance(meta, dict), 'obsidian: %s: front matter PyYAML reads' % f)
        if not isinstance(meta, dict):
            continue
        check(set(meta) <= OBSIDIAN_KEYS and not OBSIDIAN_RESERVED & set(meta),
              'obsidian: %s: keys %r' % (f, sorted(meta)))
        article = archive.articles.get(meta.get('guid'))
        check(article is not None, 'obsidian: %s: guid known' % f)
        if not article:
            continue
        check(meta.get('feed_tags', meta['tags']) == article['tags'] and
              ('feed_tags' in meta) == (meta['tags'] != article['tags']),
              'obsidian: %s: feed_tags are the feed\'s, when they differ' % f)
        tags = meta['tags']
        check(isinstance(tags, list) and all(isinstance(t, str) and OBSIDIAN_TAG.match(t)
                                             for t in tags),
              'obsidian: %s: valid tags %r' % (f, tags))
        check(len(tags) == len(set(tags)), 'obsidian: %s: no tag twice' % f)
        check(bool(tags) == bool(article['tags']), 'obsidian: %s: tags kept' % f)
        heading = body.split('\n', 1)[0]
        check(heading.startswith('# ') and
              re.sub(r'\\([!-/:-@\[-`{-~])', r'\1', heading[2:]) == article['title'],
              'obsidian: %s: title heading %r' % (f, heading))
        check(isinstance(meta['date'], datetime.datetime) and
              moment(article['date']) == meta['date'].replace(tzinfo=datetime.timezone.utc)
              if meta['date'].tzinfo is None else moment(article['date']) == meta['date'],
              'obsidian: %s: date' % f)
    # The tags the issue names, as Obsidian gets them.
    all_tags = set()
    for f in files:
        meta, _ = front_matter(read(os.path.join(vault, f)))
        all_tags.update(meta.get('tags') or [])
    for want in ('web-dev', 'cplusplus', 'x', 'csharp', 'заметки', '数据库', 'release-notes'):
        check(want in all_tags, 'obsidian: tag %r: %r' % (want, sorted(all_tags)))


def main():
    global BIN, DATA
    BIN = fktest.start(sys.argv[1])
    DATA = sys.argv[2]
    tests = {'hugo': test_hugo, 'jekyll': test_jekyll, 'obsidian': test_obsidian,
             'hugo-assets': test_hugo_assets, 'jekyll-assets': test_jekyll_assets}
    with tempfile.TemporaryDirectory() as tmp:
        tests[sys.argv[3]](tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
