#!/usr/bin/env python3
"""test_pg_maint.py - check, check --repair and vacuum on a PostgreSQL
archive, beside the same archive in SQLite.

usage: test_pg_maint.py FEEDKEEP DATA_DIR CLUSTER_DIR

The sample feed is imported into SQLite with two assets put, and copied
into a fresh PostgreSQL database (pgload). Both stores check it sound in
the same words; the same damage done to each (an article's text changed
behind the full-text index, an asset's bytes changed, an orphan asset and
a URL stored without its asset) is found in the same words, with the same
exit status, and repaired by check --repair or vacuum alike. Damage only
PostgreSQL has a check for (the trigger of the index disabled, an index
left not valid, rows that refer to nothing, an article in no feed, a
negative failure count, a negative code block) is found there, and
vacuum leaves the archive readable and sound.
"""
import hashlib
import os
import re
import struct
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import fktest  # noqa: E402
import pgcluster  # noqa: E402 - tests/, found through the line above
import pgload  # noqa: E402
from fktest import check, query, run  # noqa: E402

SAMPLE = 'devto-fuadhusnan.xml'
IMAGE_A = 'https://img.example/a.png'
IMAGE_B = 'https://img.example/b.png'


def png(width, height, seed=0):
    """A valid PNG of width x height grey pixels (seed varies the bytes)."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data)))
    rows = b''.join(b'\0' + bytes([(seed + x) & 0xff for x in range(width)])
                    for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


class Pair:
    """The same archive in SQLite (lite) and PostgreSQL (pg)."""

    def __init__(self, lite, pg):
        self.lite, self.pg = lite, pg

    def run(self, *args):
        """Run feedkeep on both; each result with its location as ARCHIVE."""
        results = []
        for db in (self.lite, self.pg):
            rc, out, err = run(*args, db=db)
            results.append((rc, out.replace(db, 'ARCHIVE'), err.replace(db, 'ARCHIVE')))
        return results

    def same(self, what, *args):
        """Run args on both, check they answer alike; returns the answer."""
        lite, pg = self.run(*args)
        check(lite == pg, '%s: SQLite and PostgreSQL differ:\n  %r\n  %r' % (what, lite, pg))
        return pg

    def psql(self, sql):
        return pgload.psql(self.pg, sql)


def make_pair(tmp, data, cluster, name):
    lite = os.path.join(tmp, name + '.db')
    rc, out, err = run('import', os.path.join(data, SAMPLE), db=lite)
    check(rc == 0, 'import: %r' % err)
    for url, seed in ((IMAGE_A, 0), (IMAGE_B, 7)):
        path = fktest.write(os.path.join(tmp, '%s-%d.png' % (name, seed)), png(4, 3, seed))
        rc, out, err = run('assets', 'put', url, path, db=lite)
        check(rc == 0, 'assets put %s: %r' % (url, err))
    pg = pgcluster.database(cluster, name)
    pgload.load(fktest.BIN, lite, pg)
    return Pair(lite, pg)


def test_clean(pair):
    rc, out, err = pair.same('check', 'check')
    check(rc == 0 and out == 'ARCHIVE: ok\n' and err == '', 'check: ok: %r %r' % (out, err))
    rc, out, err = pair.same('check --deep', 'check', '--deep')
    check(rc == 0 and out == 'ARCHIVE: ok\n', 'check --deep: ok: %r %r' % (out, err))
    rc, out, err = pair.same('check --repair', 'check', '--repair')
    check(rc == 0 and out == 'ARCHIVE: ok\n', 'check --repair: nothing to repair: %r' % out)
    rc, out, err = pair.same('check -q', 'check', '-q')
    check(rc == 0 and out == '' and err == '', 'check -q: quiet: %r %r' % (out, err))


def search_finds(pair, id_, word):
    return pair.psql("SELECT id FROM articles WHERE search @@ to_tsquery('simple', '%s')"
                     " ORDER BY id" % word).split() == [str(id_)]


def test_stale_index(pair):
    edit = "UPDATE articles SET text = 'edited behind the index' WHERE id = 3"
    query(pair.lite, edit)
    pair.psql('ALTER TABLE articles DISABLE TRIGGER articles_search; %s;'
              ' ALTER TABLE articles ENABLE TRIGGER articles_search' % edit)
    (lrc, lout, lerr), (rc, out, err) = pair.run('check')
    check(lrc == rc == 3 and lerr == err == "feedkeep: 'ARCHIVE': 1 problem found\n",
          'both find one problem: %r %r' % (lerr, err))
    prefix, suffix = 'full-text index: it does not agree with the articles (', \
        "); 'feedkeep vacuum' rebuilds it\n"
    check(lout.startswith(prefix) and lout.endswith(suffix), 'SQLite: %r' % lout)
    check(out == prefix + 'article 3 has a search vector other than its title, tags and text '
          'make' + suffix, 'PostgreSQL names the article: %r' % out)
    check(not search_finds(pair, 3, 'edited'), 'the stale vector does not find the edit')
    for (rc, out, err), store in zip(pair.run('check', '--repair'), ('SQLite', 'PostgreSQL')):
        check(rc == 3 and out.endswith(suffix + 'ARCHIVE: nothing in the assets to repair\n') and
              err == "feedkeep: 'ARCHIVE': 1 problem found, 1 after the repair\n",
              'check --repair on %s leaves the index to vacuum: %r %r' % (store, out, err))

    for (rc, out, err), store in zip(pair.run('vacuum'), ('SQLite', 'PostgreSQL')):
        check(rc == 0 and re.match(r'^ARCHIVE: \d+ bytes, \d+ before\n$', out) and err == '',
              'vacuum on %s: %r %r' % (store, out, err))
    rc, out, err = pair.same('check after vacuum', 'check')
    check(rc == 0 and out == 'ARCHIVE: ok\n', 'vacuum rebuilt the index: %r %r' % (out, err))
    check(search_finds(pair, 3, 'edited'), 'the rebuilt vector finds the edit')


def test_trigger(pair):
    """PostgreSQL only: the trigger keeping the index, disabled."""
    pair.psql("ALTER TABLE articles DISABLE TRIGGER articles_search;"
              " UPDATE articles SET title = 'retitled unindexed' WHERE id = 5")
    rc, out, err = run('check', db=pair.pg)
    check(rc == 3 and out.splitlines() == [
        'full-text index: its trigger articles_search is disabled: the articles filed or changed'
        " meanwhile are not indexed; 'feedkeep vacuum' enables it and rebuilds the index",
        'full-text index: it does not agree with the articles (article 5 has a search vector'
        " other than its title, tags and text make); 'feedkeep vacuum' rebuilds it"] and
        err.endswith("': 2 problems found\n"), 'a disabled trigger: %r %r' % (out, err))
    rc, out, err = run('vacuum', db=pair.pg)
    check(rc == 0, 'vacuum: %r' % err)
    check(pair.psql("SELECT tgenabled FROM pg_trigger WHERE tgname = 'articles_search'") ==
          'O\n', 'vacuum enabled the trigger')
    check(search_finds(pair, 5, 'retitled'), 'and indexed the title')
    pair.psql("UPDATE articles SET title = 'retitled zanzibarish' WHERE id = 5")
    check(search_finds(pair, 5, 'zanzibarish'), 'the trigger indexes again')
    rc, out, err = run('check', db=pair.pg)
    check(rc == 0 and out.endswith(': ok\n'), 'sound again: %r %r' % (out, err))


def test_asset_bytes(pair):
    sha = hashlib.sha256(png(4, 3, 0)).hexdigest()
    data = png(4, 3, 0)
    damaged = data[:-5] + bytes(b ^ 0xff for b in data[-5:])
    query(pair.lite, 'UPDATE assets SET data = ? WHERE lower(hex(sha256)) = ?', damaged, sha)
    query(pair.lite, "UPDATE asset_urls SET etag = '\"v1\"' WHERE url = ?", IMAGE_A)
    pair.psql("UPDATE assets SET data = '\\x%s' WHERE sha256 = '\\x%s'" % (damaged.hex(), sha))
    pair.psql("UPDATE asset_urls SET etag = '\"v1\"' WHERE url = '%s'" % IMAGE_A)
    rc, out, err = pair.same('check, bytes not read', 'check')
    check(rc == 0 and out == 'ARCHIVE: ok\n', 'the structure is sound: %r' % out)
    rc, out, err = pair.same('check --deep', 'check', '--deep')
    check(rc == 3 and out == 'asset bytes: asset %s does not hash to its SHA-256\n' % sha and
          err == "feedkeep: 'ARCHIVE': 1 problem found\n", 'the damage found: %r %r' % (out, err))
    rc, out, err = pair.same('check --deep --repair', 'check', '--deep', '--repair')
    check(rc == 0 and out.endswith('ARCHIVE: repaired: 1 damaged asset deleted, 1 URL to fetch '
                                   'again\nARCHIVE: ok after the repair\n'),
          'the damaged asset deleted: %r %r' % (out, err))
    check(pair.psql("SELECT status, asset_id IS NULL, etag IS NULL, failures FROM asset_urls"
                    " WHERE url = '%s'" % IMAGE_A) == 'pending|t|t|0\n',
          'its URL pending again, without validators')
    check(pair.psql("SELECT count(*) FROM assets WHERE sha256 = '\\x%s'" % sha) == '0\n' and
          pair.psql('SELECT count(*) FROM assets') == '1\n', 'the other asset kept')
    rc, out, err = pair.same('check --deep after the repair', 'check', '--deep')
    check(rc == 0 and out == 'ARCHIVE: ok\n', 'sound again: %r %r' % (out, err))

    # the size recorded, off
    query(pair.lite, 'UPDATE assets SET size = size + 1')
    pair.psql('UPDATE assets SET size = size + 1')
    rc, out, err = pair.same('check --deep, a size off', 'check', '--deep')
    check(rc == 3 and out.endswith(' is not the size recorded\n'), 'a size off: %r' % out)
    query(pair.lite, 'UPDATE assets SET size = size - 1')
    pair.psql('UPDATE assets SET size = size - 1')


def test_asset_structure(pair):
    sha_b = hashlib.sha256(png(4, 3, 7)).hexdigest()
    # an orphan, and a URL stored with an asset that is not there
    # (Python's sqlite3 leaves foreign keys unchecked; replica mode skips
    # PostgreSQL's)
    query(pair.lite, "INSERT INTO assets(sha256, mime, size, created, data) "
                     "VALUES (zeroblob(32), 'image/png', 3, 0, x'010203')")
    query(pair.lite, "UPDATE asset_urls SET status = 'stored', asset_id = 9999 WHERE url = ?",
          IMAGE_B)
    pair.psql("SET session_replication_role = replica;"
              " INSERT INTO assets(sha256, mime, size, created, data) VALUES"
              " ('\\x%s', 'image/png', 3, to_timestamp(0), '\\x010203');"
              " UPDATE asset_urls SET status = 'stored', asset_id = 9999 WHERE url = '%s'"
              % ('00' * 32, IMAGE_B))
    rc, out, err = pair.same('structural problems', 'check')
    url_id = pair.psql("SELECT id FROM asset_urls WHERE url = '%s'" % IMAGE_B).strip()
    check(rc == 3 and out.splitlines() == [
        'foreign keys: asset_urls row %s refers to a missing assets row' % url_id,
        "assets: URL '%s' is stored but its asset is missing" % IMAGE_B,
        'assets: asset %s is an orphan: no URL resolves to it' % sha_b,
        'assets: asset %s is an orphan: no URL resolves to it' % ('0' * 64)] and
        err == "feedkeep: 'ARCHIVE': 4 problems found\n", 'found: %r %r' % (out, err))
    rc, out, err = pair.same('check --repair', 'check', '--repair')
    check(rc == 0 and out.endswith(
        "ARCHIVE: repaired: 3 rows of the assets' structure (URLs stored without their asset "
        'made pending, assets no URL resolves to deleted, references to lost URLs dropped)\n'
        'ARCHIVE: ok after the repair\n'), 'repaired: %r %r' % (out, err))
    check(pair.psql("SELECT status, asset_id IS NULL FROM asset_urls WHERE url = '%s'"
                    % IMAGE_B) == 'pending|t\n' and
          pair.psql('SELECT count(*) FROM assets') == '0\n', 'the URL pending, the orphans gone')


def test_pg_only(pair):
    """Problems only PostgreSQL checks for, each named."""
    tag_id = pair.psql('SELECT min(tag_id) FROM article_tags').strip()
    tagged = pair.psql('SELECT article_id FROM article_tags WHERE tag_id = %s ORDER BY 1'
                       % tag_id).split()
    pair.psql('SET session_replication_role = replica; DELETE FROM tags WHERE id = %s;'
              ' DELETE FROM article_feeds WHERE article_id = 7;'
              ' UPDATE feeds SET failures = -2;'
              ' UPDATE code_blocks SET lines = -1 WHERE id = (SELECT min(id) FROM code_blocks)'
              % tag_id)
    block = pair.psql('SELECT id, article_id, position FROM code_blocks WHERE lines < 0').split('|')
    feed = pair.psql('SELECT url FROM feeds').strip()
    rc, out, err = run('check', db=pair.pg)
    expected = [
        'code blocks: code block %s of article %s has position %s and -1 lines (feedkeep '
        'reparse %s writes them again)' % (block[0], block[1], block[2].strip(), block[1]),
        'articles: article 7 belongs to no feed',
        "feeds: feed '%s' has -2 failures: a count of failed fetches is never negative" % feed,
    ] + ['foreign keys: article_tags row (%s,%s) refers to a missing tags row' % (a, tag_id)
         for a in tagged]
    check(rc == 3 and out.splitlines() == expected and
          err.endswith("': %d problems found\n" % len(expected)),
          'each problem named:\n  %r\n  %r %r' % (out.splitlines(), expected, err))
    rc, out, err = run('check', '--repair', db=pair.pg)
    check(rc == 3 and 'nothing in the assets to repair' in out and
          '%d problems found, %d after the repair' % (len(expected), len(expected)) in err,
          'check --repair leaves what it cannot repair: %r %r' % (out, err))
    pair.psql('INSERT INTO tags(id, name) VALUES (%s, \'restored\');'
              ' INSERT INTO article_feeds SELECT 7, id FROM feeds;'
              ' UPDATE feeds SET failures = 0; UPDATE code_blocks SET lines = 1 WHERE lines < 0'
              % tag_id)
    rc, out, err = run('check', db=pair.pg)
    check(rc == 0, 'sound once put back: %r %r' % (out, err))

    # more than are shown
    pair.psql('CREATE TABLE saved_tags AS SELECT * FROM tags;'
              ' SET session_replication_role = replica; DELETE FROM tags')
    missing = int(pair.psql('SELECT count(*) FROM article_tags'))
    rc, out, err = run('check', db=pair.pg)
    lines = out.splitlines()
    check(missing > 21 and rc == 3 and len(lines) == 21 and
          all(re.match(r'^foreign keys: article_tags row \(\d+,\d+\) refers to a missing tags row$',
                       line) for line in lines[:20]) and
          lines[20] == 'foreign keys: %d more article_tags rows refer to missing tags rows'
          % (missing - 20) and err.endswith("': 21 problems found\n"),
          'twenty shown, then how many more: %r %r' % (lines[-2:], err))
    pair.psql('INSERT INTO tags SELECT * FROM saved_tags; DROP TABLE saved_tags')
    rc, out, err = run('check', db=pair.pg)
    check(rc == 0, 'sound once put back: %r %r' % (out, err))

    # an index the server no longer keeps, rebuilt by vacuum
    pair.psql("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'articles_url'::regclass")
    rc, out, err = run('check', db=pair.pg)
    check(rc == 3 and out == "indexes: index articles_url of table articles is not valid (a build"
          " that failed left it); 'feedkeep vacuum' rebuilds it\n", 'an index: %r %r' % (out, err))
    rc, out, err = run('vacuum', db=pair.pg)
    check(rc == 0 and pair.psql("SELECT indisvalid FROM pg_index WHERE indexrelid ="
                                " 'articles_url'::regclass") == 't\n', 'vacuum rebuilt it')
    rc, out, err = run('check', db=pair.pg)
    check(rc == 0 and out.endswith(': ok\n'), 'sound after vacuum: %r %r' % (out, err))


def test_vacuum(pair):
    before = pair.psql('SELECT count(*), sum(length(text)) FROM articles')
    # the search vectors are stored uncompressed (schema 3); those of an
    # older archive, compressed, are written again by vacuum
    compressed = 'SELECT count(*) FROM articles WHERE pg_column_compression(search) IS NOT NULL'
    check(pair.psql(compressed) == '0\n' and
          pair.psql('SELECT max(pg_column_size(search)) > 8192 FROM articles') == 't\n',
          'vectors stored whole, uncompressed')
    pair.psql("SET default_toast_compression = lz4;"
              " ALTER TABLE articles ALTER search SET STORAGE EXTENDED;"
              " UPDATE articles SET search = search || ''::tsvector;"
              " ALTER TABLE articles ALTER search SET STORAGE EXTERNAL")
    check(int(pair.psql(compressed)) >= 10, 'vectors compressed, as before schema 3')
    rc, out, err = run('vacuum', db=pair.pg)
    check(pair.psql(compressed) == '0\n', 'vacuum wrote them again uncompressed')
    check(rc == 0 and re.match(r'^%s: \d+ bytes, \d+ before\n$' % re.escape(pair.pg), out) and
          err == '', 'vacuum: %r %r' % (out, err))
    # the progress lines on a terminal (fk_store_set_progress reaches the
    # PostgreSQL store)
    rc, out = fktest.run_tty('--db', pair.pg, 'vacuum')
    check(rc == 0 and 'vacuum: rebuilding the full-text index' in out and
          'vacuum: vacuuming the tables' in out, 'vacuum shows what it does: %r' % out)
    rc, out = fktest.run_tty('--db', pair.pg, 'check')
    check(rc == 0 and 'check: checking the references' in out and
          'check: reading the articles' in out and out.endswith('%s: ok\n' % pair.pg),
          'check shows what it does: %r' % out)
    rc, out, err = run('-q', 'vacuum', db=pair.pg)
    check(rc == 0 and out == '' and err == '', 'vacuum -q: %r %r' % (out, err))
    check(pair.psql("SELECT last_analyze IS NOT NULL AND last_vacuum IS NOT NULL"
                    " FROM pg_stat_user_tables WHERE relname = 'articles'") == 't\n',
          'the tables vacuumed and analysed')
    check(pair.psql('SELECT count(*), sum(length(text)) FROM articles') == before,
          'the articles as they were')
    rc, out, err = run('check', db=pair.pg)
    check(rc == 0 and out.endswith(': ok\n'), 'readable and sound: %r %r' % (out, err))
    # inside a transaction (a feed being filed) vacuum cannot run: the
    # store refuses it; the CLI never does that, so only the sound end shows


def main():
    if len(sys.argv) != 4:
        sys.stderr.write('usage: test_pg_maint.py FEEDKEEP DATA_DIR CLUSTER_DIR\n')
        return 2
    fktest.start(sys.argv[1])
    data, cluster = os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    with tempfile.TemporaryDirectory() as tmp:
        pair = make_pair(tmp, data, cluster, 'maint_a')
        test_clean(pair)
        test_stale_index(pair)
        test_trigger(pair)
        test_asset_bytes(pair)
        test_asset_structure(pair)
        pair = make_pair(tmp, data, cluster, 'maint_b')
        test_pg_only(pair)
        test_vacuum(pair)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
