"""pgload.py - a SQLite archive's rows copied into an empty PostgreSQL
archive, for tests of the PostgreSQL store's readers that should not depend
on its writers: the same archive read by both stores must read the same.

    pgload.load(bin, sqlite_path, location)

The PostgreSQL database must be empty: feedkeep (bin) makes its schema. Times become timestamptz, flags
booleans, packed columns their text, code blocks kept as places in the
text their code.
"""
import datetime
import sqlite3
import subprocess
import urllib.parse

import fktest

TIMES = {
    'feeds': ['last_fetch', 'next_fetch', 'created'],
    'articles': ['first_seen', 'last_seen', 'published', 'updated'],
    'article_versions': ['replaced_at'],
    'article_tags': ['date'],
    'fetches': ['time'],
    'fetch_runs': ['started', 'finished'],
    'export_dirs': ['last_export'],
    'export_files': ['written'],
    'assets': ['created'],
    'asset_urls': ['next_try', 'last_try', 'created'],
    'raw_documents': ['time'],
    'article_pages': ['fetched', 'next_try', 'stored'],
    'article_api': ['edited', 'counted'],
    'article_aliases': ['created'],
}
FLAGS = {
    'feeds': ['subscribed', 'assets', 'keep_raw', 'private_origin'],
    'article_assets': ['linked'],
    'article_pages': ['used'],
}
BYTES = {'assets': ['sha256', 'data'], 'raw_documents': ['data']}
# table: (columns to copy, or None for the PostgreSQL table's, and the
# SELECT that reads them from SQLite with packed columns unpacked)
SELECTS = {
    'articles': "SELECT id, key, content_hash, source_hash, first_seen, last_seen, published, "
                "updated, guid, url, title, author, author_email, published_raw, updated_raw, "
                "tags_text, text, unpack(markdown, coalesce(unpack(content_html), "
                "unpack(summary_html))), unpack(summary_html), unpack(content_html), link_key, "
                "base_url FROM articles",
    'article_versions': "SELECT id, article_id, replaced_at, title, "
                        "unpack(text, unpack(content_html)), "
                        "unpack(markdown, unpack(content_html)), unpack(content_html), "
                        "tags_text, content_hash, kind FROM article_versions",
    'code_blocks': "SELECT id, article_id, position, language, code, lines FROM code_view",
    'article_pages': "SELECT article_id, url, status, source_hash, fetched, http_status, etag, "
                     "last_modified, failures, next_try, error, stored, base_url, unpack(html), "
                     "title, byline, text_length, feed_length, used FROM article_pages",
    'article_api': "SELECT article_id, api_id, url, canonical_url, canonical_key, "
                   "unpack(markdown), series, organization, edited, reading_minutes, reactions, "
                   "comments, counted FROM article_api",
}
COLUMNS = {
    'articles': 'id key content_hash source_hash first_seen last_seen published updated guid url '
                'title author author_email published_raw updated_raw tags_text text markdown '
                'summary_html content_html link_key base_url',
    'article_versions': 'id article_id replaced_at title text markdown content_html tags_text '
                        'content_hash kind',
    'code_blocks': 'id article_id position language code lines',
    'article_pages': 'article_id url status source_hash fetched http_status etag last_modified '
                     'failures next_try error stored base_url html title byline text_length '
                     'feed_length used',
    'article_api': 'article_id api_id url canonical_url canonical_key markdown series '
                   'organization edited reading_minutes reactions comments counted',
}
# in the order foreign keys need
ORDER = ['feeds', 'articles', 'article_feeds', 'article_versions', 'tags', 'article_tags',
         'code_blocks', 'enclosures', 'article_aliases', 'fetches', 'fetch_runs', 'feed_tags',
         'export_dirs', 'export_files', 'assets', 'asset_urls', 'article_assets',
         'raw_documents', 'article_pages', 'article_api']


def psql_args(location):
    """psql's arguments for a postgresql:///NAME?host=DIR&user=U location."""
    u = urllib.parse.urlparse(location)
    q = urllib.parse.parse_qs(u.query)
    return ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', q['host'][0], '-U',
            q.get('user', ['feedkeep'])[0], '-d', u.path.lstrip('/')]


def psql(location, sql, stdin=None):
    r = subprocess.run(psql_args(location) + ['-A', '-t', '-c', sql], input=stdin,
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError('psql: %s' % r.stderr.strip())
    return r.stdout


def field(value, kind):
    if value is None:
        return ''
    if kind == 'time':
        t = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        value = t.strftime('%Y-%m-%d %H:%M:%S+00')
    elif kind == 'flag':
        value = 't' if value else 'f'
    elif kind == 'bytes':
        value = '\\x' + bytes(value).hex()
    return '"%s"' % str(value).replace('"', '""')


def load(bin, sqlite_path, location):
    # an import makes the schema, then finds nothing to file
    subprocess.run([bin, '--db', location, 'import', '-'], input=b'', capture_output=True)
    con = fktest.connect(sqlite_path, readonly=True)
    sql = []
    for table in ORDER:
        if table in COLUMNS:
            columns = COLUMNS[table].split()
            rows = con.execute(SELECTS[table]).fetchall()
        else:
            pg_columns = psql(location, "SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = '%s' AND is_generated = 'NEVER' "
                                        "ORDER BY ordinal_position" % table).split()
            have = [r[1] for r in con.execute('PRAGMA table_info(%s)' % table)]
            columns = [c for c in pg_columns if c in have]
            # in the order rows were made (article_feeds: the feeds' order)
            try:
                rows = con.execute('SELECT %s FROM %s ORDER BY rowid'
                                   % (', '.join(columns), table)).fetchall()
            except sqlite3.OperationalError:  # a WITHOUT ROWID table
                rows = con.execute('SELECT %s FROM %s' % (', '.join(columns), table)).fetchall()
        if not rows:
            continue
        kinds = ['time' if c in TIMES.get(table, []) else 'flag' if c in FLAGS.get(table, [])
                 else 'bytes' if c in BYTES.get(table, []) else '' for c in columns]
        csv = '\n'.join(','.join(field(v, k) for v, k in zip(row, kinds)) for row in rows)
        sql.append('COPY %s(%s) FROM STDIN WITH (FORMAT csv);\n%s\n\\.\n'
                   % (table, ', '.join(columns), csv))
    con.close()
    for table in ('feeds', 'articles', 'article_versions', 'tags', 'code_blocks', 'fetches',
                  'fetch_runs', 'export_dirs', 'assets', 'asset_urls', 'raw_documents'):
        sql.append("SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s "
                   "HAVING max(id) IS NOT NULL;\n" % (table, table))
    r = subprocess.run(psql_args(location) + ['-f', '-'], input=''.join(sql),
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError('psql: %s' % r.stderr.strip())
