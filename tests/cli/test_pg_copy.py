#!/usr/bin/env python3
"""test_pg_copy.py - feedkeep copy --to: a SQLite archive with every kind of
row copied into a fresh PostgreSQL database, that one copied back into a
new SQLite file, and the two SQLite files compared table by table (packed
columns unpacked, code blocks through code_view); a second copy changes
nothing; a copy killed with SIGKILL half-way and run again ends the same;
the errors (no --to, a copy onto itself, a destination holding another
archive, a server that cannot be reached).

    test_pg_copy.py BIN DATA_DIR CLUSTER_DIR
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
import pgload  # noqa: E402
from fktest import check, run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pgcluster  # noqa: E402

# Every table of the SQLite schema, read so that two archives holding the
# same rows read the same: packed columns unpacked, code through code_view,
# rows in the order of their key (article_feeds in the order the feeds
# were linked: an article's first feed is its feed).
TABLES = {
    'feeds': 'SELECT * FROM feeds ORDER BY id',
    'articles': "SELECT id, key, content_hash, source_hash, first_seen, last_seen, published, "
                "updated, date, guid, url, title, author, author_email, published_raw, "
                "updated_raw, tags_text, text, unpack(summary_html), unpack(content_html), "
                "unpack(markdown, coalesce(unpack(content_html), unpack(summary_html))), "
                "link_key, base_url FROM articles ORDER BY id",
    'article_feeds': 'SELECT article_id, feed_id FROM article_feeds ORDER BY rowid',
    'article_versions': "SELECT id, article_id, replaced_at, title, "
                        "unpack(text, unpack(content_html)), "
                        "unpack(markdown, unpack(content_html)), unpack(content_html), "
                        "tags_text, content_hash, kind FROM article_versions ORDER BY id",
    'tags': 'SELECT * FROM tags ORDER BY id',
    'article_tags': 'SELECT * FROM article_tags ORDER BY article_id, tag_id',
    'code_blocks': 'SELECT id, article_id, position, language, lines, code FROM code_view '
                   'ORDER BY id',
    'enclosures': 'SELECT * FROM enclosures ORDER BY article_id, position',
    'article_aliases': 'SELECT * FROM article_aliases ORDER BY key',
    'fetches': 'SELECT * FROM fetches ORDER BY id',
    'fetch_runs': 'SELECT * FROM fetch_runs ORDER BY id',
    'feed_tags': 'SELECT * FROM feed_tags ORDER BY feed_id, name',
    'export_dirs': 'SELECT * FROM export_dirs ORDER BY id',
    'export_files': 'SELECT * FROM export_files ORDER BY dir_id, article_id',
    'assets': 'SELECT * FROM assets ORDER BY id',
    'asset_urls': 'SELECT * FROM asset_urls ORDER BY id',
    'article_assets': 'SELECT * FROM article_assets ORDER BY article_id, position',
    'raw_documents': 'SELECT * FROM raw_documents ORDER BY id',
    'article_pages': "SELECT article_id, url, status, source_hash, fetched, http_status, etag, "
                     "last_modified, failures, next_try, error, stored, base_url, unpack(html), "
                     "title, byline, text_length, feed_length, used FROM article_pages "
                     "ORDER BY article_id",
    'article_api': "SELECT article_id, api_id, url, canonical_url, canonical_key, "
                   "unpack(markdown), series, organization, edited, reading_minutes, "
                   "reactions, comments, counted FROM article_api ORDER BY article_id",
    # derived: the kept counts, and the author names of the articles
    'tag_counts': 'SELECT * FROM tag_counts ORDER BY tag_id',
    'author_counts': 'SELECT * FROM author_counts ORDER BY name',
    'language_counts': 'SELECT * FROM language_counts ORDER BY language',
    'feed_counts': 'SELECT * FROM feed_counts ORDER BY feed_id',
    'archive_counts': 'SELECT * FROM archive_counts ORDER BY name',
    'authors': 'SELECT name FROM authors WHERE name IN (SELECT author FROM articles) '
               'ORDER BY name',
}


def dump(db):
    """{table: rows} of the archive db."""
    con = fktest.connect(db, readonly=True)
    try:
        return {t: con.execute(sql).fetchall() for t, sql in TABLES.items()}
    finally:
        con.close()


def compare(a, b, what):
    """Check that the archives a and b hold the same rows, table by table."""
    da, db_ = dump(a), dump(b)
    for table in TABLES:
        same = da[table] == db_[table]
        if not same:
            diff = next((i for i, (x, y) in enumerate(zip(da[table], db_[table])) if x != y),
                        min(len(da[table]), len(db_[table])))
            detail = '%d rows against %d; first difference at row %d: %r / %r' % (
                len(da[table]), len(db_[table]), diff,
                da[table][diff] if diff < len(da[table]) else None,
                db_[table][diff] if diff < len(db_[table]) else None)
        check(same, '%s: table %s: %s' % (what, table, detail if not same else ''))


def pg_state(location):
    """A digest of every table of the PostgreSQL archive, and its counts."""
    tables = ['feeds', 'articles', 'article_feeds', 'article_versions', 'tags', 'article_tags',
              'code_blocks', 'enclosures', 'article_aliases', 'fetches', 'fetch_runs',
              'feed_tags', 'export_dirs', 'export_files', 'assets', 'asset_urls',
              'article_assets', 'raw_documents', 'article_pages', 'article_api']
    sql = ' UNION ALL '.join(
        "SELECT '%s', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        "FROM %s t" % (t, t) for t in tables)
    return pgload.psql(location, sql)


def pg_counts(location):
    return dict((line.split('|')[0], int(line.split('|')[1]))
                for line in pg_state(location).splitlines())


def sqlite_counts(db):
    con = fktest.connect(db, readonly=True)
    try:
        return {t: con.execute('SELECT count(*) FROM %s' % t).fetchone()[0]
                for t in TABLES if not t.endswith('counts') and t != 'authors'}
    finally:
        con.close()


def changed(path, old, new):
    """The devto sample with some of its text changed: a re-import makes
    versions."""
    with open(path, encoding='utf-8') as fh:
        text = fh.read()
    return text.replace(old, new)


FAST = ['--connect-timeout', '2', '--timeout', '20', '--stall-time', '5']


def make_archive(tmp, data, server, scripts):
    """A SQLite archive with a row in every table it can get one in
    without the network: imports (versions from a changed re-import),
    subscriptions with names and OPML folders, a fetch from the loopback
    server (fetch log, runs, validators, assets), an export."""
    db = os.path.join(tmp, 'source.db')
    sample = os.path.join(data, 'devto-fuadhusnan.xml')
    feed = os.path.join(tmp, 'devto.xml')
    shutil.copy(sample, feed)
    rc, out, err = run('import', feed, db=db)
    check(rc == 0, 'import: %r' % err)
    for path in sorted(glob.glob(os.path.join(data, 'feeds', '*.xml'))):
        run('import', path, db=db)
    with open(feed, 'w', encoding='utf-8') as fh:
        fh.write(changed(sample, 'database', 'data store'))
    rc, out, err = run('import', feed, db=db)
    check(rc == 0 and ' updated' in out, 'a changed re-import: %r %r' % (out, err))
    # subscriptions: one fetched (with images), one named, OPML folders
    images = {}
    # the sample's articles under other links: new articles, with images
    body = open(sample, encoding='utf-8').read().replace('https://dev.to/', 'https://x.test/')
    parts = body.split('</description>')
    for i in range(1, min(4, len(parts) - 1)):
        name = '/img/%d.png' % i
        images[name] = b'\x89PNG\r\n\x1a\n' + bytes([i]) * 64
        server.static(name, images[name], ctype='image/png')
        parts[i] += ('&lt;p&gt;&lt;img src=&quot;%s&quot; alt=&quot;i&quot;&gt;&lt;/p&gt;'
                     % server.url(name))
    url = server.static('/feed.xml', '</description>'.join(parts).encode(),
                        headers=[('ETag', '"v1"')])
    rc, out, err = run('add', '--no-check', '--name', 'Served', url, db=db)
    check(rc == 0, 'add: %r' % err)
    # a teaser feed: its articles' pages
    scripts.control('teasers', teaser=1)
    run('add', '--no-check', scripts.url('/script/teasers'), db=db)
    rc, out, err = run('fetch', '--allow-private-assets', *FAST, db=db)
    check(rc == 0 and 'article pages: 3 fetched' in out, 'fetch: %r %r' % (out, err))
    gone = server.url('/missing.xml')
    run('add', '--no-check', '--name', 'Gone', gone, db=db)
    run('fetch', db=db)
    rc, out, err = run('opml', 'import', os.path.join(data, 'opml', 'folders.opml'), db=db)
    check(rc == 0, 'opml import: %r' % err)
    rc, out, err = run('export', '--dir', os.path.join(tmp, 'export'), db=db)
    check(rc == 0, 'export: %r' % err)
    # what only dev.to's API and a feed changing its guids make, by hand
    con = fktest.connect(db)
    con.execute("INSERT INTO article_api(article_id, api_id, url, canonical_url, canonical_key, "
                "markdown, series, organization, edited, reading_minutes, reactions, comments, "
                "counted) VALUES (2, 4242, 'https://dev.to/x/y', NULL, NULL, ?, 'A series', "
                "NULL, 1700000000, 7, 12, NULL, 1700000100)", ('The *Markdown*. ' * 40,))
    con.execute("INSERT INTO article_aliases(key, article_id, feed_id, guid, rule, created) "
                "VALUES ('guid:old-2', 2, 1, 'old-2', 'title', 1700000000)")
    con.commit()
    con.close()
    counts = sqlite_counts(db)
    for table in ('article_pages', 'article_api', 'article_aliases', 'feeds', 'articles',
                  'article_versions', 'tags', 'article_tags', 'code_blocks', 'enclosures', 'fetches', 'fetch_runs', 'feed_tags', 'export_dirs',
                  'export_files', 'assets', 'asset_urls', 'article_assets', 'raw_documents'):
        check(counts[table] > 0, 'the source archive has rows in %s' % table)
    return db


def big_feed(path, n, seed):
    """An RSS document of n articles of a few kilobytes each, with tags and
    code."""
    items = []
    for i in range(n):
        words = ' '.join('word%d' % ((i * 7 + k * seed) % 997) for k in range(400))
        html = ('<p>%s</p><pre><code class="language-python">print(%d)\nvalue = %d\n'
                '</code></pre><p>%s</p>' % (words, i, i * seed, words[::-1]))
        items.append('<item><title>Article %d of %d</title><link>https://example.com/%d/%d'
                     '</link><guid>g-%d-%d</guid><category>tag%d</category>'
                     '<pubDate>Mon, 0%d Jan 2024 10:00:00 GMT</pubDate>'
                     '<description>%s</description></item>'
                     % (i, seed, seed, i, seed, i, i % 13, 1 + i % 9, fktest.esc(html)))
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Big %d</title>'
                 '<link>https://example.com/</link>%s</channel></rss>' % (seed, ''.join(items)))


def make_big(tmp):
    db = os.path.join(tmp, 'big.db')
    for seed in range(1, 4):
        path = os.path.join(tmp, 'big%d.xml' % seed)
        big_feed(path, 1500, seed)
        rc, out, err = run('import', path, db=db, timeout=600)
        check(rc == 0, 'import a big feed: %r' % err)
    return db


def copy_killed(source, dest, rows_of, what):
    """Start copy --to dest, kill it with SIGKILL once some articles are
    there (rows_of(dest) > 0), then run it again: returns whether it was
    killed half-way."""
    p = subprocess.Popen(fktest.command(['copy', '--to', dest], source),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=fktest.environ())
    killed = False
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        try:
            if rows_of(dest) > 0:
                p.send_signal(signal.SIGKILL)
                killed = True
                break
        except Exception:  # noqa: BLE001 - the destination not made yet
            pass
        time.sleep(0.01)
    p.wait()
    check(killed and p.returncode == -signal.SIGKILL, '%s: the copy was killed half-way' % what)
    rc, out, err = run('copy', '--to', dest, db=source, timeout=600)
    check(rc == 0, '%s: the copy run again: %r' % (what, err))
    return killed


def sqlite_articles(db):
    return fktest.scalar(db, 'SELECT count(*) FROM articles', readonly=True)


def pg_articles(location):
    return int(pgload.psql(location, 'SELECT count(*) FROM articles').strip() or 0)


def test_round_trip(tmp, data, cluster, server, scripts):
    source = make_archive(tmp, data, server, scripts)
    pg = pgcluster.database(cluster, 'copy_round')
    rc, out, err = run('copy', '--to', pg, db=source)
    check(rc == 0, 'copy into PostgreSQL: %r' % err)
    check(out.startswith(pg + ': copied from '), 'copy says where: %r' % out)
    counts = sqlite_counts(source)
    pgc = pg_counts(pg)
    for table, n in pgc.items():
        check(n == counts[table], 'PostgreSQL %s: %d rows, the source %d' % (table, n,
                                                                             counts[table]))
    check(pgload.psql(pg, "SELECT count(*) FROM articles, feedkeep_schema s WHERE search IS "
                          "DISTINCT FROM setweight(to_tsvector(s.search_config, "
                          "coalesce(title, '')), 'A') || setweight(to_tsvector(s.search_config, "
                          "tags_text), 'B') || setweight(to_tsvector(s.search_config, text), "
                          "'C')").strip() == '0',
          'PostgreSQL: every article has its search column')
    check(pgload.psql(pg, "SELECT nextval(pg_get_serial_sequence('articles', 'id')) = "
                          "(SELECT max(id) + 1 FROM articles)").strip() == 't',
          'PostgreSQL: the identity sequence is past the highest id')
    check(pgload.psql(pg, "SELECT count(*) FROM feeds WHERE name = 'Served' AND subscribed "
                          "AND etag = '\"v1\"' AND last_fetch IS NOT NULL").strip() == '1',
          'PostgreSQL: the subscription keeps its name, validators and fetch time')
    check(pgload.psql(pg, "SELECT count(*) FROM assets a JOIN asset_urls u ON u.asset_id = a.id"
                          " WHERE u.status = 'stored' AND length(a.data) = a.size").strip() ==
          str(counts['assets']), 'PostgreSQL: the assets keep their bytes')
    rc, out, err = run('check', db=pg)
    check(rc == 0 and out == pg + ': ok\n', 'check on the PostgreSQL copy: %r %r' % (out, err))
    code = pgload.psql(pg, "SELECT code FROM code_blocks ORDER BY id LIMIT 1")
    check(code.strip() != '', 'PostgreSQL: code blocks hold their code')

    back = os.path.join(tmp, 'back.db')
    rc, out, err = run('copy', '--to', back, db=pg)
    check(rc == 0, 'copy from PostgreSQL into SQLite: %r' % err)
    compare(source, back, 'SQLite -> PostgreSQL -> SQLite')
    rc, out, err = run('check', db=back)
    check(rc == 0 and out.strip() == back + ': ok', 'check on the copy: %r %r' % (out, err))
    placed = fktest.scalar(back, 'SELECT count(*) FROM code_blocks WHERE text_offset IS NOT NULL',
                           readonly=True)
    check(placed == fktest.scalar(source, 'SELECT count(*) FROM code_blocks '
                                  'WHERE text_offset IS NOT NULL', readonly=True),
          'the copy keeps code blocks as their place in the text as filing does')
    for cmd in (['search', 'data store'], ['list', '--tag', 'sql'], ['code', '--lang', 'sql'],
                ['history', '1'], ['tags'], ['authors'], ['feeds', '--all']):
        a = run(*cmd, db=source)
        b = run(*cmd, db=back)
        check(a == b, '%s reads the same on the copy: %r / %r' % (cmd, a[1][:200], b[1][:200]))

    # a second copy changes nothing, each way
    before = pg_state(pg)
    rc, out, err = run('copy', '--to', pg, db=source)
    check(rc == 0, 'a second copy into PostgreSQL: %r' % err)
    check(pg_state(pg) == before, 'a second copy into PostgreSQL changes nothing')
    saved = dump(back)
    rc, out, err = run('copy', '--to', back, db=pg)
    check(rc == 0, 'a second copy into SQLite: %r' % err)
    check(dump(back) == saved, 'a second copy into SQLite changes nothing')
    # SQLite to SQLite, and PostgreSQL to PostgreSQL
    other = os.path.join(tmp, 'other.db')
    rc, out, err = run('copy', '--to', other, db=source)
    check(rc == 0, 'copy SQLite into SQLite: %r' % err)
    compare(source, other, 'SQLite -> SQLite')
    pg2 = pgcluster.database(cluster, 'copy_pg2')
    rc, out, err = run('copy', '--to', pg2, db=pg)
    check(rc == 0, 'copy PostgreSQL into PostgreSQL: %r' % err)
    check(pg_state(pg2) == pg_state(pg), 'PostgreSQL -> PostgreSQL: the same rows')

    # a new article in the source: a copy again brings it, and only it
    with open(os.path.join(tmp, 'one.xml'), 'w') as fh:
        fh.write('<rss version="2.0"><channel><title>One</title><item><title>Late</title>'
                 '<guid>late-1</guid><description>a late article about tables'
                 '</description></item></channel></rss>')
    run('import', os.path.join(tmp, 'one.xml'), db=source)
    rc, out, err = run('copy', '--to', pg, db=source)
    check(rc == 0 and pg_articles(pg) == counts['articles'] + 1,
          'a copy again brings the new article: %r' % err)
    rc, out, err = run('copy', '--to', back, db=pg)
    compare(source, back, 'after a new article')
    return source, pg


def test_killed(tmp, cluster):
    big = make_big(tmp)
    pg = pgcluster.database(cluster, 'copy_killed')
    if copy_killed(big, pg, pg_articles, 'into PostgreSQL'):
        check(pg_counts(pg)['articles'] == sqlite_articles(big),
              'into PostgreSQL: every article after the copy run again')
        rc, out, err = run('check', db=pg, timeout=600)
        check(rc == 0, 'check on the PostgreSQL copy killed half-way: %r %r' % (out, err))
    back = os.path.join(tmp, 'big-back.db')
    if copy_killed(pg, back, sqlite_articles, 'into SQLite'):
        compare(big, back, 'a copy killed half-way each way and run again')
        rc, out, err = run('check', db=back, timeout=600)
        check(rc == 0, 'check on the copy killed half-way: %r %r' % (out, err))


def test_errors(tmp, cluster, source, pg):
    rc, out, err = run('copy', db=source)
    check(rc == 2 and 'copy needs --to' in err, 'copy without --to: %d %r' % (rc, err))
    rc, out, err = run('copy', '--to', source, db=source)
    check(rc == 2 and 'onto itself' in err, 'copy onto itself (SQLite): %d %r' % (rc, err))
    link = os.path.join(tmp, 'link.db')
    os.symlink(source, link)
    rc, out, err = run('copy', '--to', link, db=source)
    check(rc == 2 and 'onto itself' in err, 'copy onto itself by a link: %d %r' % (rc, err))
    rc, out, err = run('copy', '--to', pg, db=pg)
    check(rc == 2 and 'onto itself' in err, 'copy onto itself (PostgreSQL): %d %r' % (rc, err))
    secret = 'postgresql://feedkeep:s3cretpw@127.0.0.1:1/nowhere'
    rc, out, err = run('copy', '--to', secret, db=source)
    check(rc == 3 and 's3cretpw' not in err and 'nowhere' in err,
          'an unreachable server: exit 3, no password: %d %r' % (rc, err))
    rc, out, err = run('copy', '--to', pg, db=secret)
    check(rc == 3 and 's3cretpw' not in err, 'an unreachable source: %d %r' % (rc, err))
    rc, out, err = run('copy', '--to', 'ftp://x/y', db=source)
    check(rc == 2 and "'ftp://...' (--to) is a URL of a scheme" in err,
          'a URL of another scheme: %d %r' % (rc, err))
    # a destination that holds another archive: refused before writing
    other = os.path.join(tmp, 'another.db')
    with open(os.path.join(tmp, 'another.xml'), 'w') as fh:
        fh.write('<rss version="2.0"><channel><title>Another</title><item><title>Else</title>'
                 '<guid>else-1</guid><description>another archive</description></item>'
                 '</channel></rss>')
    run('import', os.path.join(tmp, 'another.xml'), db=other)
    saved = dump(other)
    rc, out, err = run('copy', '--to', other, db=source)
    check(rc == 2 and 'holds another archive' in err and 'copy into a new archive' in err,
          'a destination holding another archive is refused: %d %r' % (rc, err))
    check(dump(other) == saved, 'the refused destination is left as it was')
    pg3 = pgcluster.database(cluster, 'copy_another')
    run('copy', '--to', pg3, db=other)
    before = pg_state(pg3)
    rc, out, err = run('copy', '--to', pg3, db=source)
    check(rc == 2 and 'holds another archive' in err,
          'a PostgreSQL destination holding another archive is refused: %d %r' % (rc, err))
    check(pg_state(pg3) == before, 'the refused PostgreSQL destination is left as it was')
    # an article id taken by another key further on: refused while copying
    mixed = os.path.join(tmp, 'mixed.db')
    run('copy', '--to', mixed, db=source)
    con = fktest.connect(mixed)
    con.execute("UPDATE articles SET key = 'guid:changed' WHERE id = 5")
    con.commit()
    con.close()
    rc, out, err = run('copy', '--to', mixed, db=source)
    check(rc == 2 and re.search(r"article 5 is 'guid:changed'", err),
          'an article of another key under an id is refused: %d %r' % (rc, err))
    key5, key = [fktest.scalar(source, 'SELECT key FROM articles WHERE id = ?', i,
                               readonly=True) for i in (5, 6)]
    con = fktest.connect(mixed)
    con.execute('UPDATE articles SET key = ? WHERE id = 5', (key5,))
    con.execute('UPDATE articles SET id = 999 WHERE id = 6')
    con.commit()
    con.close()
    rc, out, err = run('copy', '--to', mixed, db=source)
    check(rc == 2 and "has the article '%s' under another id than 6" % key in err,
          'an article key under another id is refused: %d %r' % (rc, err))


def main():
    bin_, data, cluster = sys.argv[1:4]
    fktest.start(bin_)
    tmp = tempfile.mkdtemp(prefix='fk-pg-copy-')
    server = fktest.Loopback()
    scripts = fktest.HttpdProcess()
    try:
        source, pg = test_round_trip(tmp, data, cluster, server, scripts)
        test_errors(tmp, cluster, source, pg)
        test_killed(tmp, cluster)
    finally:
        server.stop()
        scripts.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
