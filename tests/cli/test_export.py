#!/usr/bin/env python3
"""CLI tests of feedkeep export, export --assets copy, show --width and show
--html: the real binary on temporary archives.

usage: test_export.py FEEDKEEP DATADIR

Needs PyYAML (Debian: python3-yaml) to read the front matter back.
"""
import base64
import datetime
import hashlib
import html
import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402 - tests/cli/fktest.py, found through the line above
import illustrated  # noqa: E402 - tests/cli/illustrated.py
from fktest import check, read, run, run_tty  # noqa: E402

BIN = None
SAMPLE = None

NAME = re.compile(r'^(\d{4}-\d{2}-\d{2}|undated)-[^\W_A-Z]+(-[^\W_A-Z]+)*\.md$')


def split_document(text):
    """Front matter (parsed) and body of an exported file."""
    m = re.match(r'---\n(.*?)\n---\n(?:\n|$)', text, re.S)
    if not m:
        return None, None
    return yaml.safe_load(m.group(1)), text[m.end():]


def fences(markdown):
    """(info, code) of each top-level fenced code block, in order."""
    blocks, lines, i = [], markdown.split('\n'), 0
    while i < len(lines):
        m = re.match(r'^(`{3,})(.*)$', lines[i])
        if not m:
            i += 1
            continue
        fence, info, code = m.group(1), m.group(2).strip(), []
        i += 1
        while i < len(lines) and not re.match('^' + fence + '`*\\s*$', lines[i]):
            code.append(lines[i])
            i += 1
        blocks.append((info, '\n'.join(code) + '\n'))
        i += 1
    return blocks


def listing(db, *filters):
    rc, out, err = run('list', '--format', 'json', *filters, db=db)
    check(rc == 0, 'list: %s' % err)
    # split('\n'): splitlines() would also split at U+2028 inside strings.
    return [json.loads(line) for line in out.split('\n') if line]


def iso(t):
    return datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc)


def sample_languages():
    """Per guid, the languages the HTML names for its code blocks."""
    langs = {}
    for item in ET.parse(SAMPLE).getroot().iter('item'):
        desc = item.findtext('description') or ''
        langs[item.findtext('guid')] = re.findall(r'<pre class="highlight ([^"]+)"', desc)
    return langs


def test_sample(tmp):
    db = os.path.join(tmp, 'sample.db')
    rc, out, err = run('import', SAMPLE, db=db)
    check(rc == 0, 'import: %s' % err)
    records = {r['id']: r for r in listing(db)}
    out_dir = os.path.join(tmp, 'site', 'content')

    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and err == '', 'export exits 0 silently: %d %r' % (rc, err))
    check(out == '%s: 12 written, 0 kept, 0 skipped\n' % out_dir, 'summary: %r' % out)
    names = sorted(os.listdir(out_dir))
    check(len(names) == 12, '12 files: %r' % names)
    check(all(NAME.match(n) and len(n) <= 100 for n in names), 'names: %r' % names)
    check('2025-12-29-the-future-of-query-optimization-ai-driven-insights-in-big-data.md'
          in names or any('the-future-of-query-optimization' in n for n in names),
          'a name from its title: %r' % names)

    languages = sample_languages()
    total_fences, by_guid = 0, {}
    for name in names:
        text = read(os.path.join(out_dir, name))
        meta, body = split_document(text)
        check(meta is not None, '%s has front matter' % name)
        if meta is None:
            continue
        by_guid[meta['guid']] = (name, meta, body)
        record = next((r for r in records.values() if r['guid'] == meta['guid']), None)
        check(record is not None, '%s: guid %r is an article' % (name, meta['guid']))
        if record is None:
            continue
        check(name.startswith(record['published'][:10]), '%s: dated %s' % (name,
                                                                         record['published']))
        check(meta['title'] == record['title'], '%s: title %r' % (name, meta['title']))
        check(meta['author'] == record['author'], '%s: author' % name)
        check(meta['date'] == iso(record['published']), '%s: date %r' % (name, meta['date']))
        check(('updated' in meta) == (record['updated'] is not None), '%s: updated' % name)
        check(meta['url'] == record['url'], '%s: url' % name)
        check(meta['feed'] == record['feed'], '%s: feed' % name)
        check(meta['tags'] == record['tags'], '%s: tags %r' % (name, meta['tags']))
        # The body is what show --markdown prints.
        rc, md, err = run('show', '--markdown', str(record['id']), db=db)
        check(rc == 0 and body == md, '%s: body is show --markdown' % name)
        blocks = fences(body)
        total_fences += len(blocks)
        check([b[0] for b in blocks] == languages[meta['guid']],
              '%s: fence languages %r, HTML says %r' % (name, [b[0] for b in blocks],
                                                        languages[meta['guid']]))
    check(total_fences == 44, '44 fenced code blocks: %d' % total_fences)
    check(len(by_guid) == 12, '12 distinct articles')

    # Again: nothing changes, nothing is rewritten.
    inodes = {n: os.stat(os.path.join(out_dir, n)).st_ino for n in names}
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 0 written, 12 kept, 0 skipped\n'), 'rerun: %r' % out)
    check({n: os.stat(os.path.join(out_dir, n)).st_ino for n in names} == inodes,
          'rerun leaves the files alone')
    rc, out, err = run('--quiet', 'export', '--dir', out_dir, db=db)
    check(rc == 0 and out == '' and err == '', '--quiet: %r %r' % (out, err))

    # One article changes upstream: one file is rewritten.
    changed = os.path.join(tmp, 'changed.xml')
    with open(SAMPLE, encoding='utf-8') as fh:
        feed = fh.read()
    first = feed.index('&lt;p&gt;', feed.index('<item>'))
    feed = feed[:first] + '&lt;p&gt;A new first paragraph.&lt;/p&gt;' + feed[first:]
    with open(changed, 'w', encoding='utf-8') as fh:
        fh.write(feed)
    rc, out, err = run('import', changed, db=db)
    check(rc == 0 and '1 updated' in out, 'changed import: %r %r' % (out, err))
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 1 written, 11 kept, 0 skipped\n'), 'one rewritten: %r' % out)
    check(sorted(os.listdir(out_dir)) == names, 'same names, no temporary files left')
    check(sum('A new first paragraph.' in read(os.path.join(out_dir, n)) for n in names) == 1,
          'the new text is in one file')

    # Filters as list has them.
    for filters in (['--tag', 'database'], ['--since', '2025-12-01'],
                    ['--until', '2025-11-30'], ['--tag', 'ai', '--limit', '2']):
        sub = os.path.join(tmp, 'f-' + '-'.join(f.strip('-') for f in filters))
        rc, out, err = run('export', '--dir', sub, *filters, db=db)
        want = len(listing(db, *filters))
        got = len(os.listdir(sub)) if os.path.isdir(sub) else 0
        check(rc == 0 and got == want and want > 0 or (want == 0 and got == 0),
              'export %s: %d files, list has %d' % (filters, got, want))

    # JSON Lines: the same records, on stdout, no files.
    jdir = os.path.join(tmp, 'not-created')
    rc, out, err = run('export', '--format', 'jsonl', '--dir', jdir, db=db)
    lines = [line for line in out.split('\n') if line]
    check(rc == 0 and len(lines) == 12 and err == '', 'jsonl: 12 lines: %r' % err)
    check(not os.path.exists(jdir), 'jsonl writes no files')
    for line in lines:
        rec = json.loads(line)
        check(set(rec) == {'id', 'file', 'title', 'author', 'author_email', 'date', 'published',
                           'updated', 'first_seen', 'last_seen', 'url', 'guid', 'feed', 'tags',
                           'markdown'}, 'jsonl fields: the article of list: %r' % sorted(rec))
        name, meta, body = by_guid.get(rec['guid'], (None, None, None))
        check(rec['file'] == name, 'jsonl file %r is the exported name %r' % (rec['file'], name))
        text = read(os.path.join(out_dir, rec['file'])) if rec['file'] in names else ''
        meta, body = split_document(text)
        check(body == rec['markdown'], '%s: jsonl markdown is the file body' % rec['file'])
        check(meta and meta['title'] == rec['title'] and meta['tags'] == rec['tags'] and
              meta['date'] == iso(rec['date']), '%s: jsonl fields are the front matter'
              % rec['file'])

    # One article on stdout: the file itself.
    rec = json.loads(lines[0])
    rc, out, err = run('export', str(rec['id']), '--stdout', db=db)
    check(rc == 0 and out == read(os.path.join(out_dir, rec['file'])), 'export ID --stdout')
    # One article into the directory by ID: the same name.
    one = os.path.join(tmp, 'one')
    rc, out, err = run('export', '--dir', one, str(rec['id']), db=db)
    check(rc == 0 and os.listdir(one) == [rec['file']], 'export ID: %r' % os.listdir(one))

    # The default directory is ./feedkeep-export.
    rc, out, err = run('export', '--tag', 'llm', db=db, cwd=tmp)
    check(rc == 0 and os.path.isdir(os.path.join(tmp, 'feedkeep-export')), 'default directory')

    # A symbolic link in the directory is not followed.
    outside = os.path.join(tmp, 'outside.txt')
    with open(outside, 'w') as fh:
        fh.write('precious\n')
    victim = os.path.join(out_dir, names[0])
    os.unlink(victim)
    os.symlink(outside, victim)
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 3, 'a skipped file makes exit 3: %d' % rc)
    check('symbolic link' in err and err.count('\n') == 1, 'one warning: %r' % err)
    check(out.endswith(': 0 written, 11 kept, 1 skipped\n'), 'link skipped: %r' % out)
    check(read(outside) == 'precious\n' and os.path.islink(victim), 'link target untouched')

    # Usage errors.
    for args in (['--stdout'], ['--stdout', '1', '2'], ['--format', 'xml'], ['1', '--tag', 'x'],
                 ['--stdout', '1', '--format', 'jsonl'], ['--limit', '-1']):
        rc, out, err = run('export', *args, db=db)
        check(rc == 2 and out == '' and err.startswith('feedkeep: '), 'usage %r: %d %r'
              % (args, rc, err))
    rc, out, err = run('export', '--stdout', '999', db=db)
    check(rc == 1 and 'no article with ID 999' in err, 'missing ID: %r' % err)
    rc, out, err = run('export', '--stdout', 'https://example.com/none', db=db)
    check(rc == 1 and 'https://example.com/none' in err, 'missing URL: %r' % err)
    rc, out, err = run('export', '--stdout', rec['url'], db=db)
    check(rc == 0 and out == read(os.path.join(out_dir, rec['file'])), 'export URL --stdout')
    rc, out, err = run('export', '--dir', outside, db=db)
    check(rc == 3 and outside in err, 'a file as the directory: %d %r' % (rc, err))
    rc, out, err = run('export', '--help')
    check(rc == 0 and '--dir DIR' in out and '--stdout' in out, 'help')


def wide_lines(text, width, code):
    """Lines wider than width that are neither code nor a single word."""
    return [line for line in text.split('\n')
            if len(line) > width and line not in code and ' ' in line.strip()]


def test_show_width(tmp):
    db = os.path.join(tmp, 'width.db')
    run('import', SAMPLE, db=db)
    code_lines = set()
    for r in listing(db):
        rc, md, err = run('show', '--markdown', str(r['id']), db=db)
        for info, code in fences(md):
            code_lines.update(code.split('\n'))
    rc, plain, err = run('show', '1', db=db)
    rc0, unwrapped, err = run('show', '--width', '0', '1', db=db)
    check(rc == 0 and plain == unwrapped, 'not a terminal: no wrapping by default')
    check(max(len(line) for line in plain.split('\n')) > 200, 'unwrapped paragraphs are long')
    for width in (30, 72):
        rc, out, err = run('show', '--width', str(width), '1', db=db)
        body = out.split('\n\n', 1)[1]  # the header is not wrapped
        check(rc == 0 and not wide_lines(body, width, code_lines),
              'show --width %d: %r' % (width, wide_lines(body, width, code_lines)[:3]))
        check(' '.join(body.split()) == ' '.join(unwrapped.split('\n\n', 1)[1].split()),
              'show --width %d: the same words' % width)
    rc, out = run_tty('--db', db, 'show', '1', columns=60, rows=24)
    body = out.split('\n\n', 1)[1]
    check(rc == 0 and not wide_lines(body, 60, code_lines) and
          max(len(line) for line in body.split('\n')) > 50,
          'on a terminal: its width: %r' % wide_lines(body, 60, code_lines)[:3])
    for bad in ('-1', 'x', ''):
        rc, out, err = run('show', '--width', bad, '1', db=db)
        check(rc == 2, 'show --width %r is a usage error' % bad)


def item(title, guid, date='Mon, 01 Jun 2026 10:00:00 GMT', body='<p>body</p>'):
    return ('<item><title>%s</title><guid>%s</guid><pubDate>%s</pubDate>'
            '<description>%s</description></item>\n'
            % (html.escape(title), html.escape(guid), date, html.escape(body)))


def test_hostile(tmp):
    titles = [
        '../../etc/passwd', '/abs/olute', '.hidden', '..', 'NUL&#0;ish and &#1;control',
        'A' * (1 << 20), 'Same Title', 'Same Title', 'same-title',
        'quotes " and \' colon: hash # end', 'multi\nline', '- leading dash', '? question',
        '! bang', '& amp', '* star', '[ bracket', '{ brace', '| pipe', '> greater',
        '% percent', '@ at', '` tick', 'yes', 'no', 'null', 'true', '~',
        'C1 &#155;[2J csi', 'line sep &#8232; here', 'tab\there', '\u65e5\u672c\u8a9e',
    ]
    feed = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            '<title>hostile</title><link>http://example.com/</link>\n')
    for i, title in enumerate(titles):
        # The HTML decoding of titles is the parser's: "&#0;" stays markup here.
        feed += item(title, 'urn:hostile:%d' % i)
    feed += '</channel></rss>\n'
    path = os.path.join(tmp, 'hostile.xml')
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write(feed)
    db = os.path.join(tmp, 'hostile.db')
    rc, out, err = run('import', path, db=db)
    check(rc == 0, 'hostile import: %r' % err)
    records = {r['guid']: r for r in listing(db)}
    check(len(records) == len(titles), 'all %d imported: %d' % (len(titles), len(records)))

    root = os.path.join(tmp, 'jail')
    os.mkdir(root)
    out_dir = os.path.join(root, 'out')
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and err == '', 'hostile export: %d %r' % (rc, err))
    names = sorted(os.listdir(out_dir))
    check(len(names) == len(titles), 'one file each: %d' % len(names))
    check(os.listdir(root) == ['out'], 'nothing written beside the directory')
    check(all(NAME.match(n) and len(n.encode()) <= 100 for n in names),
          'safe names: %r' % [n for n in names if not NAME.match(n) or len(n) > 100])
    check('2026-06-01-same-title.md' in names and '2026-06-01-same-title-2.md' in names and
          '2026-06-01-same-title-3.md' in names, 'same slug, same day: three files')
    for name in names:
        meta, body = split_document(read(os.path.join(out_dir, name)))
        record = records.get(meta and meta.get('guid'))
        check(record is not None, '%s: front matter parses, guid known' % name)
        if record:
            check(meta['title'] == record['title'], '%s: title read back as stored: %r vs %r'
                  % (name, meta['title'][:60], record['title'][:60]))
            check(body == 'body\n', '%s: body %r' % (name, body))
    # The lowest id keeps the plain name.
    by_name = {}
    for name in names:
        meta, _ = split_document(read(os.path.join(out_dir, name)))
        by_name[name] = records[meta['guid']]['id']
    check(by_name['2026-06-01-same-title.md'] < by_name['2026-06-01-same-title-2.md'],
          'suffixes follow article ids')
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 0 written, %d kept, 0 skipped\n' % len(titles)),
          'hostile rerun keeps all: %r' % out)


def feed_of(items):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            '<title>names</title><link>http://example.com/</link>\n' + ''.join(items) +
            '</channel></rss>\n')


def import_feed(tmp, db, items, name='names.xml'):
    path = os.path.join(tmp, name)
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write(feed_of(items))
    rc, out, err = run('import', path, db=db)
    check(rc == 0, 'import %s: %r' % (name, err))
    return out


def tree(root):
    found = []
    for base, dirs, names in os.walk(root):
        found += [os.path.relpath(os.path.join(base, n), root) for n in names]
    return sorted(found)


def test_names_and_prune(tmp):
    db = os.path.join(tmp, 'names.db')
    day = 'Mon, 01 Jun 2026 10:00:00 GMT'
    items = [item('Привет, мир: заметки о Rust', 'urn:n:1', day),
             item('数据库索引入门', 'urn:n:2', day),
             item('Nguyễn and the café', 'urn:n:3', day),
             item('First title', 'urn:n:4', day, '<p>four</p>'),
             item('Fifth', 'urn:n:5', day)]
    import_feed(tmp, db, items)
    out_dir = os.path.join(tmp, 'names')
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 5 written, 0 kept, 0 skipped\n'), 'names: %r %r' % (out, err))
    names = tree(out_dir)
    check(names == sorted(['2026-06-01-привет-мир-заметки-о-rust.md', '2026-06-01-数据库索引入门.md',
                           '2026-06-01-nguyễn-and-the-café.md', '2026-06-01-first-title.md',
                           '2026-06-01-fifth.md']), 'UTF-8 names: %r' % names)
    # --ascii-names: the old names, in another directory.
    ascii_dir = os.path.join(tmp, 'ascii')
    rc, out, err = run('export', '--ascii-names', '--dir', ascii_dir, db=db)
    check(rc == 0 and '2026-06-01-rust.md' in tree(ascii_dir) and
          '2026-06-01-nguy-n-and-the-cafe.md' in tree(ascii_dir), 'ascii names: %r'
          % tree(ascii_dir))

    # A title changes: the article keeps its file, and a new article that
    # wants the old name gets another.
    items[3] = item('A new title', 'urn:n:4', day, '<p>four</p>')
    items.append(item('First title', 'urn:n:6', day))
    out = import_feed(tmp, db, items)
    check('1 new, 1 updated' in out, 'renamed import: %r' % out)
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 2 written, 4 kept, 0 skipped\n'), 'after rename: %r' % out)
    names = tree(out_dir)
    check(len(names) == 6 and '2026-06-01-first-title-2.md' in names and
          not any('a-new-title' in n for n in names), 'one file per article: %r' % names)
    meta, _ = split_document(read(os.path.join(out_dir, '2026-06-01-first-title.md')))
    check(meta['title'] == 'A new title', 'the old name holds the new title')

    # jsonl names the files as they are in that directory.
    rc, out, err = run('export', '--format', 'jsonl', '--dir', out_dir, db=db)
    files = {json.loads(line)['guid']: json.loads(line)['file'] for line in out.split('\n') if line}
    check(files.get('urn:n:4') == '2026-06-01-first-title.md' and
          files.get('urn:n:6') == '2026-06-01-first-title-2.md', 'jsonl names: %r' % files)

    # --changed: what was filed or changed since the last export there.
    rc, out, err = run('export', '--changed', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 0 written, 0 kept, 0 skipped\n'), 'nothing changed: %r' % out)
    items[4] = item('Fifth', 'urn:n:5', day, '<p>a changed body</p>')
    items.append(item('Seventh', 'urn:n:7', day))
    import_feed(tmp, db, items)
    rc, out, err = run('export', '--changed', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 2 written, 0 kept, 0 skipped\n'), 'changed: %r' % out)
    check('2026-06-01-seventh.md' in tree(out_dir), 'the new article is there')
    rc, out, err = run('export', '--changed', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 0 written, 0 kept, 0 skipped\n'), 'changed again: %r' % out)
    # An article never exported to a directory counts as changed for it.
    part = os.path.join(tmp, 'part')
    run('export', '--dir', part, '--limit', '2', db=db)
    rc, out, err = run('export', '--changed', '--dir', part, db=db)
    check(rc == 0 and out.endswith(': 5 written, 0 kept, 0 skipped\n') and len(tree(part)) == 7,
          'changed into a partial directory: %r %r' % (out, tree(part)))

    # --prune: the files export wrote for articles no longer selected go,
    # nothing else does.
    own = os.path.join(out_dir, 'my-own-note.md')
    with open(own, 'w') as fh:
        fh.write('mine\n')
    edited = os.path.join(out_dir, '2026-06-01-数据库索引入门.md')
    with open(edited, 'a', encoding='utf-8') as fh:
        fh.write('\nmy notes\n')
    rc, out, err = run('export', '--prune', '--dir', out_dir, '--limit', '2', db=db)
    kept = tree(out_dir)
    check(rc == 0 and out.endswith(', 4 removed\n'), 'prune: %r %r' % (out, err))
    check("not removed: changed since export wrote it" in err and '数据库索引入门' in err,
          'an edited file is left with a warning: %r' % err)
    check(len(kept) == 4 and 'my-own-note.md' in kept and os.path.exists(edited),
          'pruned to the selection, the own file and the edited one: %r' % kept)
    rc, out, err = run('export', '--prune', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(', 0 removed\n') and len(tree(out_dir)) == 8,
          'all selected again: %r %r' % (out, tree(out_dir)))
    check(read(own) == 'mine\n', 'the own file untouched')

    # Another tool in the same directory: the same names, the old files go.
    rc, out, err = run('export', '--for', 'hugo', '--dir', out_dir, db=db)
    now = tree(out_dir)
    check(rc == 0 and '2026-06-01-first-title-2/index.md' in now and
          '2026-06-01-first-title-2.md' not in now and 'my-own-note.md' in now and
          len(now) == 8,
          'plain to hugo: %r %r' % (now, err))

    # Usage errors.
    for args in (['--for', 'wordpress'], ['--changed', '--format', 'jsonl'],
                 ['--prune', '--stdout', '1'], ['--prune', '1'], ['--changed', '1']):
        rc, out, err = run('export', '--dir', out_dir, *args, db=db)
        check(rc == 2 and out == '' and err.startswith('feedkeep: '),
              'usage %r: %d %r' % (args, rc, err))
    rc, out, err = run('export', '--help')
    check(all(o in out for o in ('--for TOOL', '--changed', '--prune', '--ascii-names',
                                 '--title-heading')), 'help lists the new options')


def tagged_item(title, guid, date, tag=None, body='<p>body</p>'):
    category = '<category>%s</category>' % tag if tag else ''
    return ('<item><title>%s</title><guid>%s</guid><pubDate>%s</pubDate>%s'
            '<description>%s</description></item>\n'
            % (html.escape(title), html.escape(guid), date, category, html.escape(body)))


def names_in(out_dir):
    """Per guid, the name of its file in out_dir (front matter read back)."""
    names = {}
    for name in tree(out_dir):
        meta, _ = split_document(read(os.path.join(out_dir, name)))
        check(meta is not None and meta.get('guid') not in names, '%s: one file a guid' % name)
        if meta:
            names[meta['guid']] = name[:-len('.md')]
    return names


def check_records(db, out_dir, ids):
    """The archive's records of out_dir name the files that are there."""
    rows = fktest.query(db, 'SELECT f.article_id, f.name, f.path FROM export_files f'
                        ' JOIN export_dirs d ON d.id = f.dir_id WHERE d.path = ?',
                        os.path.realpath(out_dir), readonly=True)
    by_id = {v: k for k, v in ids.items()}
    on_disk = names_in(out_dir)
    recorded = {by_id.get(a): (n, p) for a, n, p in rows}
    check(recorded == {g: (n, n + '.md') for g, n in on_disk.items()},
          'records match the files: %r vs %r'
          % (sorted(recorded.items()), sorted(on_disk.items())))


def test_name_clashes(tmp):
    """The naming rule across exports: names of the same title and day go
    by article id, an article whose own name looks like a suffix keeps it,
    recorded names stay and are never taken, with --changed and after
    --prune too."""
    db = os.path.join(tmp, 'clashes.db')
    day, day2 = 'Tue, 02 Jun 2026 10:00:00 GMT', 'Wed, 03 Jun 2026 10:00:00 GMT'
    parts = ['urn:c:%d' % i for i in range(1, 7)]
    items = [tagged_item('Part', g, day, None if g == 'urn:c:1' else 'keep') for g in parts]
    items += [tagged_item('Part 2', 'urn:c:own', day, 'keep'),
              tagged_item('Part', 'urn:c:day2', day2, 'keep')]
    import_feed(tmp, db, items, 'clashes.xml')
    ids = {r['guid']: r['id'] for r in listing(db)}
    check(len(ids) == 8, 'clashes imported: %r' % ids)
    by_id = sorted(parts, key=lambda g: ids[g])
    out_dir = os.path.join(tmp, 'clashes')
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 8 written, 0 kept, 0 skipped\n'),
          'clashes: %r %r' % (out, err))
    # The lowest id gets the name; "part-2" is an article's own name, so
    # the others, by id, take -3, -4...
    expected = {g: '2026-06-02-part' + ('' if i == 0 else '-%d' % (i + 2))
                for i, g in enumerate(by_id)}
    expected['urn:c:own'] = '2026-06-02-part-2'
    expected['urn:c:day2'] = '2026-06-03-part'
    check(names_in(out_dir) == expected, 'first names: %r' % sorted(names_in(out_dir).items()))
    check_records(db, out_dir, ids)

    # Titles change, new articles want taken names: every name stays, the
    # new ones get the first free suffix after them.
    items[1] = tagged_item('Completely new', 'urn:c:2', day, 'keep')
    items[3] = tagged_item('Part 2', 'urn:c:4', day, 'keep')
    items += [tagged_item('Part', 'urn:c:n1', day, 'keep'),
              tagged_item('Part 2', 'urn:c:n2', day, 'keep')]
    import_feed(tmp, db, items, 'clashes.xml')
    ids = {r['guid']: r['id'] for r in listing(db)}
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 4 written, 6 kept, 0 skipped\n'),
          'clashes again: %r %r' % (out, err))
    expected['urn:c:n1'] = '2026-06-02-part-8'
    expected['urn:c:n2'] = '2026-06-02-part-2-2'
    check(names_in(out_dir) == expected, 'names stay: %r' % sorted(names_in(out_dir).items()))
    meta, _ = split_document(read(os.path.join(out_dir, expected['urn:c:2'] + '.md')))
    check(meta['title'] == 'Completely new', 'the new title under the old name')
    check_records(db, out_dir, ids)
    rc, out, err = run('export', '--format', 'jsonl', '--dir', out_dir, db=db)
    files = {json.loads(line)['guid']: json.loads(line)['file'] for line in out.split('\n') if line}
    check(files == {g: n + '.md' for g, n in expected.items()}, 'jsonl names: %r' % files)

    # --changed exports two articles: the names recorded for the others
    # are still taken.
    items[4] = tagged_item('Part', 'urn:c:5', day, 'keep', '<p>a changed body</p>')
    items.append(tagged_item('Part', 'urn:c:n3', day, 'keep'))
    import_feed(tmp, db, items, 'clashes.xml')
    ids = {r['guid']: r['id'] for r in listing(db)}
    rc, out, err = run('export', '--changed', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 2 written, 0 kept, 0 skipped\n'),
          'changed clashes: %r %r' % (out, err))
    expected['urn:c:n3'] = '2026-06-02-part-9'
    check(names_in(out_dir) == expected, 'changed names: %r' % sorted(names_in(out_dir).items()))
    check_records(db, out_dir, ids)

    # --prune drops the lowest id's file and record: its name is free again,
    # and it takes it back before a newer article wanting it.
    rc, out, err = run('export', '--prune', '--tag', 'keep', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 0 written, 10 kept, 0 skipped, 1 removed\n'),
          'prune clashes: %r %r' % (out, err))
    del expected[by_id[0]]
    check(names_in(out_dir) == expected, 'pruned names: %r' % sorted(names_in(out_dir).items()))
    check_records(db, out_dir, ids)
    items.append(tagged_item('Part', 'urn:c:n4', day, 'keep'))
    import_feed(tmp, db, items, 'clashes.xml')
    ids = {r['guid']: r['id'] for r in listing(db)}
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 2 written, 10 kept, 0 skipped\n'),
          'after prune: %r %r' % (out, err))
    expected[by_id[0]] = '2026-06-02-part'
    expected['urn:c:n4'] = '2026-06-02-part-10'
    check(names_in(out_dir) == expected,
          'names after prune: %r' % sorted(names_in(out_dir).items()))
    check_records(db, out_dir, ids)
    # Exported again, nothing changes.
    rc, out, err = run('export', '--dir', out_dir, db=db)
    check(rc == 0 and out.endswith(': 0 written, 12 kept, 0 skipped\n'), 'rerun: %r' % out)
    check(names_in(out_dir) == expected, 'names after rerun')


# ---- assets ------------------------------------------------------------------------------

def asset_archive(tmp, name):
    """The illustrated dev.to sample, its images stored with `assets put`.
    Returns the archive, the images of each guid and the stored bytes."""
    feed, images = illustrated.illustrate(read(SAMPLE))
    db = fktest.archive(tmp, name, fktest.write(os.path.join(tmp, name + '.xml'), feed))
    stored = illustrated.stored_bytes(images)
    for n, (url, data) in enumerate(sorted(stored.items())):
        path = fktest.write(os.path.join(tmp, '%s-image%d.png' % (name, n)), data)
        rc, out, err = run('assets', 'put', url, path, db=db)
        check(rc == 0, 'assets put %s: %r' % (url, err))
    return db, images, stored


def asset_name(data):
    return hashlib.sha256(data).hexdigest()[:16] + '.png'


def check_links(out_dir, tool, images, stored):
    """Each exported file links its stored images to files that hold their
    bytes, relative to the file, inside out_dir; the others stay remote."""
    pages = [f for f in tree(out_dir) if f.endswith('.md')]
    check(len(pages) == len(images), '%s: %d pages' % (tool, len(pages)))
    for page in pages:
        meta, body = split_document(read(os.path.join(out_dir, page)))
        for url in images.get(meta and meta.get('guid'), []):
            if url not in stored:
                check('](%s)' % url in body, '%s: %s keeps %s' % (tool, page, url))
                continue
            links = [m for m in re.findall(r'\]\(([^)\s]+)\)', body)
                     if m.endswith(asset_name(stored[url]))]
            target = os.path.normpath(os.path.join(out_dir, os.path.dirname(page),
                                                   links[0])) if links else ''
            check(links and url not in body and
                  target.startswith(os.path.join(out_dir, '')) and os.path.isfile(target) and
                  open(target, 'rb').read() == stored[url],
                  '%s: %s links %s to its copy: %r' % (tool, page, url, links))


def test_assets_copy(tmp):
    db, images, stored = asset_archive(tmp, 'assets.db')
    copies = sum(1 for urls in images.values() for u in urls if u in stored)
    folders = {'plain': 'assets', 'jekyll': 'assets', 'obsidian': 'attachments'}
    for tool in ('plain', 'jekyll', 'obsidian', 'hugo'):
        out_dir = os.path.join(tmp, 'copy-' + tool)
        rc, out, err = run('export', '--for', tool, '--assets', 'copy', '--dir', out_dir, db=db)
        written = copies if tool == 'hugo' else len(stored)
        check(rc == 0 and err == '' and
              out.endswith(': %d written, 0 kept, 0 skipped; %d asset files written\n'
                           % (len(images), written)), '%s copy: %r %r' % (tool, out, err))
        files = [f for f in tree(out_dir) if not f.endswith('.md')]
        if tool == 'hugo':
            check(len(files) == copies and all(f.count('/') == 1 for f in files),
                  'hugo: the images in the bundles: %r' % files[:4])
        else:
            check(sorted(files) == sorted('%s/%s' % (folders[tool], asset_name(d))
                                          for d in stored.values()),
                  '%s: each image once in %s/: %r' % (tool, folders[tool], files[:4]))
        check_links(out_dir, tool, images, stored)
        rc, out, err = run('export', '--for', tool, '--assets', 'copy', '--dir', out_dir, db=db)
        check(rc == 0 and out.endswith(': 0 written, %d kept, 0 skipped; 0 asset files written\n'
                                       % len(images)), '%s: again, nothing: %r' % (tool, out))

    # remote, the default, is the export of before, byte for byte.
    trees = []
    for args in ([], ['--assets', 'remote']):
        out_dir = os.path.join(tmp, 'remote%d' % len(trees))
        rc, out, err = run('export', '--for', 'hugo', '--dir', out_dir, *args, db=db)
        check(rc == 0 and out.endswith(': %d written, 0 kept, 0 skipped\n' % len(images)),
              'export %r: %r' % (args, out))
        trees.append({f: read(os.path.join(out_dir, f)) for f in tree(out_dir)})
    check(trees[0] == trees[1] and len(trees[0]) == len(images) and
          all(illustrated.SHARED in t for t in trees[0].values() if 'figure 0.1' in t),
          '--assets remote is the default: the same files, the URLs as they were')

    # A file deleted is written again; the pages are kept.
    plain = os.path.join(tmp, 'copy-plain')
    gone = os.path.join(plain, 'assets', asset_name(stored[illustrated.SHARED]))
    os.unlink(gone)
    rc, out, err = run('export', '--assets', 'copy', '--dir', plain, db=db)
    check(rc == 0 and out.endswith(': 0 written, %d kept, 0 skipped; 1 asset file written\n'
                                   % len(images)) and os.path.isfile(gone),
          'a missing image is written again: %r' % out)
    # --changed: nothing changed, nothing written, the assets included.
    rc, out, err = run('export', '--assets', 'copy', '--changed', '--dir', plain, db=db)
    check(rc == 0 and out.endswith(': 0 written, 0 kept, 0 skipped; 0 asset files written\n'),
          '--changed --assets copy: %r' % out)
    # Switching back to remote rewrites the links, and the files stay.
    rc, out, err = run('export', '--dir', plain, db=db)
    check(rc == 0 and out.endswith(': %d written, 0 kept, 0 skipped\n' % len(images)) and
          len(os.listdir(os.path.join(plain, 'assets'))) == len(stored),
          'back to remote: %r' % out)

    # A link where the folder goes: nothing is written through it, the
    # pages keep the URLs, and the exit status says so.
    linked = os.path.join(tmp, 'linked')
    elsewhere = os.path.join(tmp, 'elsewhere')
    os.makedirs(linked)
    os.makedirs(elsewhere)
    os.symlink(elsewhere, os.path.join(linked, 'assets'))
    rc, out, err = run('export', '--assets', 'copy', '--dir', linked, db=db)
    check(rc == 3 and "asset file not written, its link stays remote" in err and
          'assets' in err and os.listdir(elsewhere) == [] and
          out.endswith(': %d written, 0 kept, 0 skipped; 0 asset files written, %d not written\n'
                       % (len(images), copies)),
          'a linked folder: %d %r %r' % (rc, out, err[:300]))
    pages = [read(os.path.join(linked, f)) for f in os.listdir(linked) if f.endswith('.md')]
    check(len(pages) == len(images) and all('](assets/' not in p for p in pages),
          'pages written with remote links')

    # --prune takes a bundle's images with it, and only what export wrote.
    hugo = os.path.join(tmp, 'copy-hugo')
    bundles = sorted(os.listdir(hugo))
    mine = os.path.join(hugo, bundles[-1], 'notes.txt')
    fktest.write(mine, 'mine\n')
    rc, out, err = run('export', '--for', 'hugo', '--assets', 'copy', '--prune', '--limit', '1',
                       '--reverse', '--dir', hugo, db=db)
    left = tree(hugo)
    check(rc == 0 and out.endswith(', %d removed; 0 asset files written\n' % (len(images) - 1)),
          'prune: %r %r' % (out, err))
    check(len([f for f in left if f.endswith('index.md')]) == 1 and
          os.path.join(bundles[-1], 'notes.txt') in left and
          len(os.listdir(hugo)) == 2, 'bundles gone with their images, but a file of mine: %r'
          % left)

    # A folder of the site's: linked by a relative path, or by a URL.
    site = os.path.join(tmp, 'my site')
    rc, out, err = run('export', '--assets', 'copy', '--dir', os.path.join(site, 'notes'),
                       '--assets-dir', os.path.join(site, 'static (img)'), db=db)
    check(rc == 0 and sorted(os.listdir(os.path.join(site, 'static (img)'))) ==
          sorted(asset_name(d) for d in stored.values()), '--assets-dir: %r %r' % (out, err))
    notes = [read(os.path.join(site, 'notes', f)) for f in os.listdir(os.path.join(site, 'notes'))]
    first = asset_name(stored[images[next(iter(images))][0]])
    check(any('](../static%%20%%28img%%29/%s)' % first in n for n in notes),
          'linked by a relative path, percent-encoded')
    rc, out, err = run('export', '--for', 'jekyll', '--assets', 'copy', '--dir',
                       os.path.join(site, '_posts'), '--assets-dir',
                       os.path.join(site, 'assets', 'feeds'), '--assets-url', '/assets/feeds',
                       db=db)
    posts = [read(os.path.join(site, '_posts', f)) for f in os.listdir(os.path.join(site, '_posts'))]
    check(rc == 0 and out.endswith('; %d asset files written\n' % len(stored)) and
          any('](/assets/feeds/%s)' % first in p for p in posts) and
          not os.path.exists(os.path.join(site, '_posts', 'assets')),
          '--assets-url: the links, the files in the folder: %r' % out)

    # Usage.
    for args in (['--assets', 'copy', '--stdout', '1'], ['--assets', 'copy', '--format', 'jsonl'],
                 ['--assets', 'local'], ['--assets'], ['--assets-dir', tmp],
                 ['--assets', 'copy', '--assets-url', '/x'],
                 ['--assets', 'copy', '--for', 'hugo', '--assets-dir', tmp],
                 ['--assets', 'copy', '--assets-dir', '']):
        rc, out, err = run('export', '--dir', plain, *args, db=db)
        check(rc == 2 and out == '' and err.startswith('feedkeep: '),
              'usage %r: %d %r' % (args, rc, err))
    rc, out, err = run('export', '--help')
    check('--assets MODE' in out and '--assets-dir' in out and '--assets-url' in out,
          'help names --assets, --assets-dir and --assets-url')


HOSTILE_BODY = ('<p>Look<img src="https://img.example/a.png" onerror="alert(1)" alt="a"></p>'
                '<script>alert(2)</script><iframe src="https://evil.example/" '
                'srcdoc="<script>alert(3)</script>"></iframe>'
                '<table><tr><td><p>cell</p><p><img src="https://img.example/t.png?a=1&amp;b=2">'
                '</p></td><td>x</td></tr></table>'
                '<a href="javascript:alert(4)">click</a>'
                '<pre><code>![a](https://img.example/a.png)</code></pre>')


def data_uris(text):
    return [base64.b64decode(d) for d in
            re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)]


def test_show_html(tmp):
    db = os.path.join(tmp, 'page.db')
    title = 'A <b>page</b> & "quotes"'
    import_feed(tmp, db, [item(title, 'urn:page:1', body=HOSTILE_BODY)], name='page.xml')
    pictures = {'https://img.example/a.png': illustrated.png(7),
                'https://img.example/t.png?a=1&b=2': illustrated.png(8, 5, 5)}
    for n, (url, data) in enumerate(pictures.items()):
        rc, out, err = run('assets', 'put', url,
                           fktest.write(os.path.join(tmp, 'p%d.png' % n), data), db=db)
        check(rc == 0, 'assets put: %r' % err)
    rc, page, err = run('show', '1', '--html', db=db)
    check(rc == 0 and err == '' and page.startswith('<!DOCTYPE html>\n'), 'show --html: %r' % err)
    check('<meta charset="utf-8">' in page and "default-src 'none'" in page,
          'a charset, and a policy that lets nothing run')
    stored_title = listing(db)[0]['title']
    check('&' in stored_title and '"' in stored_title and
          '<title>%s</title>' % html.escape(stored_title) in page,
          'the title as text: %r' % re.findall('<title>.*</title>', page))
    lower = page.lower()
    check('<script' not in lower and 'onerror' not in lower and 'srcdoc' not in lower and
          'javascript:' not in lower, 'no script, no handler, no srcdoc, no javascript: link')
    check(sorted(data_uris(page)) == sorted(pictures.values()),
          'both stored images inline, the one in a table too')
    check('https://img.example/a.png' in page.split('<pre>')[1] if '<pre>' in page else False,
          'code shows the URL it shows')
    out_file = os.path.join(tmp, 'page.html')
    rc, out, err = run('show', '1', '--html', '-o', out_file, db=db)
    check(rc == 0 and out == '' and read(out_file) == page, 'show --html -o FILE')
    rc, out, err = run('show', '1', '--html', '--output=' + out_file, db=db)
    check(rc == 0 and read(out_file) == page, 'show --html --output=FILE')
    rc, out, err = run('show', '1', '--html', '-o', os.path.join(tmp, 'no', 'such', 'p.html'),
                       db=db)
    check(rc == 3 and "cannot create '" in err and 'p.html' in err,
          'a file that cannot be made: %d %r' % (rc, err))
    rc, feed_html, err = run('show', '1', '--feed-html', db=db)
    check(rc == 0 and '<script>alert(2)</script>' in feed_html,
          '--feed-html: the HTML as the feed sent it')
    # Export links the table's image too, where its URL is written.
    out_dir = os.path.join(tmp, 'page-export')
    rc, out, err = run('export', '--assets', 'copy', '--dir', out_dir, db=db)
    doc = read(os.path.join(out_dir, [f for f in os.listdir(out_dir) if f.endswith('.md')][0]))
    check(rc == 0 and 'src="assets/%s"' % asset_name(pictures['https://img.example/t.png?a=1&b=2'])
          in doc and '![a](assets/%s)' % asset_name(pictures['https://img.example/a.png']) in doc
          and '![a](https://img.example/a.png)' in doc, 'the table image linked too: %r' % doc)
    for args, why in ((['-o', out_file], '-o without --html'),
                      (['--html', '--version', '1'], '--html with --version'),
                      (['--html', '--diff'], '--html with --diff'),
                      (['--html', '-o'], '-o without a file'),
                      (['--html', '--json'], '--html with --json')):
        rc, out, err = run('show', '1', *args, db=db)
        check(rc == 2 and err.startswith('feedkeep: '), '%s: %d %r' % (why, rc, err))
    rc, out, err = run('show', '1', '--html', '-o', db=db)
    check("option requires an argument -- 'o'" in err, '-o names what it lacks: %r' % err)

    # open: the same page in the cache, its path to the browser.
    cache = os.path.join(tmp, 'cache')
    got = os.path.join(tmp, 'browser-got')
    browser = fktest.write(os.path.join(tmp, 'browser.sh'),
                           '#!/bin/sh\nprintf "%%s" "$1" > "%s"\n' % got)
    os.chmod(browser, 0o755)
    env = {'XDG_CACHE_HOME': cache, 'BROWSER': browser + ':firefox'}
    rc, out, err = run('open', '1', db=db, env=env)
    opened = os.path.join(cache, 'feedkeep', 'pages', '1.html')
    check(rc == 0 and out == opened + '\n' and read(got) == opened and read(opened) == page,
          'open: the page, its path printed and given to $BROWSER: %d %r %r' % (rc, out, err))
    os.unlink(got)
    rc, out, err = run('open', '--no-browser', '-q', '1', db=db, env=env)
    check(rc == 0 and out == '' and not os.path.exists(got), 'open --no-browser -q')
    rc, out, err = run('open', '1', db=db, env=dict(env, BROWSER='false'))
    check(rc == 1 and "'false' failed (exit status 1)" in err and opened in err,
          'a browser that fails: %d %r' % (rc, err))
    os.unlink(opened)
    os.symlink(out_file, opened)
    rc, out, err = run('open', '--no-browser', '1', db=db, env=env)
    check(rc == 3 and 'symbolic link' in err and read(out_file) == page,
          'a link in the cache is not followed: %d %r' % (rc, err))
    for args in ([], ['1', '2'], ['nope']):
        rc, out, err = run('open', *args, db=db, env=env)
        check(rc == 2 and err.startswith('feedkeep: '), 'open %r: %d %r' % (args, rc, err))


def main():
    global BIN, SAMPLE
    # show pages through $PAGER on a terminal; these tests look at what
    # feedkeep itself writes there (test_habits.py tests the pager).
    os.environ['PAGER'] = 'cat'
    BIN = fktest.start(sys.argv[1])
    SAMPLE = os.path.join(sys.argv[2], 'devto-fuadhusnan.xml')
    with tempfile.TemporaryDirectory() as tmp:
        test_sample(tmp)
        test_hostile(tmp)
        test_names_and_prune(tmp)
        test_name_clashes(tmp)
        test_show_width(tmp)
        test_assets_copy(tmp)
        test_show_html(tmp)
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
