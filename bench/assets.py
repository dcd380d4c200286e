#!/usr/bin/env python3
"""What a self-contained archive costs: the bytes of kept raw documents and
of assets, the deduplication of assets, and a fetch of many feeds with their
images from a loopback server with latency. A benchmark, not a test: it
prints tables (Markdown) and checks nothing but that each command succeeds
and that the per-host limit held. It writes only into its work directory, a
fresh temporary one unless --workdir is given.

usage: assets.py FEEDKEEP [--items N] [--feeds N] [--hosts N] [--latency MS]
                 [--runs N] [--workdir DIR] [--keep]

1. Raw documents: the corpus (--items dev.to articles, made with
   ../shared/bench/gen_corpus.py from the bundled sample) imported into a
   new archive with the document kept (the default) and without
   (--no-keep-raw), --runs times each, alternating: archive bytes per
   article and the import's CPU time (user + system, from wait4), medians.
2. Assets: the same articles split into --feeds feeds served by a loopback
   server on --hosts addresses (127.0.0.1, 127.0.0.2, ...: each a host of
   its own to feedkeep), each reply --latency ms late. Every article gets
   images as a dev.to article has them: a cover and two pictures of its
   own, and one of 40 shared pictures (an author's avatar, a badge) under a
   URL of its own host (so the same bytes come under several URLs). The
   server counts the requests in flight per host. `feedkeep fetch` with
   the default limits fetches the feeds and then their images; then a
   second fetch, which must download no image again. Reported: the wall
   time of each fetch, the most requests a host saw at once against the
   per-host limit, archive bytes per article with assets, and the
   deduplication that `stats` reports.
"""
import argparse
import json
import sqlite3
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', 'shared')
RSS_CONTENT = '{http://purl.org/rss/1.0/modules/content/}encoded'
PER_HOST_LIMIT = 2  # fetch's documented default


def png(seed, size):
    """A valid PNG of about size bytes: noise, which does not compress."""
    rnd = random.Random(seed)
    width = 256
    height = max(1, size // (width * 3))
    raw = b''.join(b'\0' + rnd.randbytes(width * 3) for _ in range(height))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw, 1)) + chunk(b'IEND', b''))


def run_timed(cmd):
    """Run cmd; return (CPU seconds of the child, wall seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    err = proc.stderr.read().decode(errors='replace')
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        sys.exit(f'{" ".join(cmd)}: exit {proc.returncode}\n{err}')
    return usage.ru_utime + usage.ru_stime, wall


def archive_bytes(db):
    return sum(os.path.getsize(p) for p in (db, db + '-wal') if os.path.exists(p))


def remove_db(db):
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)


def bench_raw(feedkeep, corpus, items, runs, work):
    rows = {}
    for name, extra in (('raw kept', []), ('no raw', ['--no-keep-raw'])):
        rows[name] = {'cpu': [], 'bytes': 0}
    for _ in range(runs):
        for name, extra in (('raw kept', []), ('no raw', ['--no-keep-raw'])):
            db = os.path.join(work, 'raw.db')
            remove_db(db)
            cpu, _ = run_timed([feedkeep, '--db', db, 'import', *extra, corpus])
            subprocess.run([feedkeep, '--db', db, 'vacuum'], check=True,
                           stdout=subprocess.DEVNULL)
            rows[name]['cpu'].append(cpu)
            rows[name]['bytes'] = archive_bytes(db)
    # The corpus repeats the sample's 12 articles, which the compressor's
    # window finds: what one real document costs is read on the sample.
    db = os.path.join(work, 'sample.db')
    remove_db(db)
    sample = os.path.join(SHARED, 'fixtures', 'devto-fuadhusnan.xml')
    run_timed([feedkeep, '--db', db, 'import', sample])
    con = sqlite3.connect(db)
    kept, size, comp = con.execute(
        'SELECT length(data), size, compression FROM raw_documents').fetchone()
    con.close()
    base = rows['no raw']
    print(f'\n## Raw documents ({items} articles, {runs} runs each, after vacuum)\n')
    print('| archive | bytes per article | import CPU median | CPU ratio |')
    print('|---|---|---|---|')
    for name in ('no raw', 'raw kept'):
        r = rows[name]
        cpu = statistics.median(r['cpu'])
        print(f"| {name} | {r['bytes'] / items:,.0f} | {cpu:.3f} s | "
              f"{cpu / statistics.median(base['cpu']):.2f} |")
    print(f'\nThe corpus repeats 12 articles, which {comp} finds again: its kept bytes '
          f'are a lower bound. The sample feed itself ({size:,} bytes, 12 articles) is kept '
          f'in {kept:,} bytes ({100 * kept / size:.1f}%), {kept / 12:,.0f} bytes per article.')


class Server:
    """The feeds and their images on several loopback addresses."""

    def __init__(self, feeds, images, hosts, latency):
        self.feeds = feeds      # path -> bytes
        self.images = images    # path -> bytes
        self.latency = latency / 1000.0
        self.lock = threading.Lock()
        self.in_flight = {}
        self.most = {}
        self.requests = {'feed': 0, 'image': 0}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the base class's name
                host = self.server.server_address[0]
                with server.lock:
                    server.in_flight[host] = server.in_flight.get(host, 0) + 1
                    server.most[host] = max(server.most.get(host, 0), server.in_flight[host])
                try:
                    time.sleep(server.latency)
                    path = self.path.split('?')[0]
                    if path in server.feeds:
                        kind, body, ctype = 'feed', server.feeds[path], 'application/rss+xml'
                    elif path in server.images:
                        kind, body, ctype = 'image', server.images[path], 'image/png'
                    else:
                        kind, body, ctype = None, b'not found', 'text/plain'
                    with server.lock:
                        if kind:
                            server.requests[kind] += 1
                    self.send_response(200 if kind else 404)
                    self.send_header('Content-Type', ctype)
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with server.lock:
                        server.in_flight[host] -= 1

        self.httpds = []
        self.ports = []
        port = 0
        for i in range(hosts):
            address = f'127.0.0.{i + 1}'
            httpd = ThreadingHTTPServer((address, port), Handler)
            httpd.daemon_threads = True
            port = httpd.server_address[1]  # the same port on every address
            self.httpds.append(httpd)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
        self.port = port

    def stop(self):
        for httpd in self.httpds:
            httpd.shutdown()
            httpd.server_close()


def split_feeds(corpus, nfeeds, hosts, port):
    """The corpus's items as nfeeds feeds with images; returns the feeds
    (path -> bytes), the images (path -> bytes) and the feed URLs."""
    ET.register_namespace('content', 'http://purl.org/rss/1.0/modules/content/')
    ET.register_namespace('dc', 'http://purl.org/dc/elements/1.1/')
    tree = ET.parse(corpus)
    channel = tree.getroot().find('channel')
    items = channel.findall('item')
    for item in items:
        channel.remove(item)
    images = {}
    shared = [png(('shared', k), 3000 + 500 * k) for k in range(40)]
    feeds, urls = {}, []
    per_feed = (len(items) + nfeeds - 1) // nfeeds
    for f in range(nfeeds):
        host = f'127.0.0.{f % hosts + 1}'
        base = f'http://{host}:{port}'
        feed = ET.Element('rss', {'version': '2.0'})
        ch = ET.SubElement(feed, 'channel')
        ET.SubElement(ch, 'title').text = f'feed {f}'
        ET.SubElement(ch, 'link').text = base + '/'
        for n, item in enumerate(items[f * per_feed:(f + 1) * per_feed]):
            key = f'{f}-{n}'
            own = [f'/img/{key}-cover.png', f'/img/{key}-a.png', f'/img/{key}-b.png']
            images[own[0]] = png((key, 'cover'), 60000)
            images[own[1]] = png((key, 'a'), 30000)
            images[own[2]] = png((key, 'b'), 15000)
            k = (f * 7 + n) % len(shared)
            shared_path = f'/shared/{f}/{k}.png'
            images[shared_path] = shared[k]
            tags = ''.join(f'<p><img src="{base}{p}" alt="picture"></p>' for p in own[1:])
            head = (f'<p><img src="{base}{own[0]}" alt="cover"></p>'
                    f'<p><img src="{base}{shared_path}" alt="avatar" width="64"></p>')
            node = item.find(RSS_CONTENT)
            if node is None:
                node = item.find('description')
            node.text = head + (node.text or '') + tags
            ch.append(item)
        path = f'/feed/{f}.xml'
        feeds[path] = ET.tostring(feed, encoding='utf-8', xml_declaration=True)
        urls.append(base + path)
    return feeds, images, urls


def bench_fetch(feedkeep, corpus, items, nfeeds, hosts, latency, work):
    # Bind first (port 0), then make the feeds with the port in their URLs.
    server = Server({}, {}, hosts, latency)
    feeds, images, urls = split_feeds(corpus, nfeeds, hosts, server.port)
    server.feeds, server.images = feeds, images
    db = os.path.join(work, 'assets.db')
    remove_db(db)
    try:
        subprocess.run([feedkeep, '--db', db, 'add', *urls], check=True,
                       stdout=subprocess.DEVNULL)
        _, wall1 = run_timed([feedkeep, '--db', db, 'fetch', '-q'])
        first = dict(server.requests)
        most1 = max(server.most.values())
        server.most.clear()
        _, wall2 = run_timed([feedkeep, '--db', db, 'fetch', '-q', '--force'])
        second = {k: server.requests[k] - first[k] for k in first}
    finally:
        server.stop()
    subprocess.run([feedkeep, '--db', db, 'vacuum'], check=True, stdout=subprocess.DEVNULL)
    stats = json.loads(subprocess.run([feedkeep, '--db', db, 'stats', '--format', 'json'],
                                      check=True, capture_output=True, text=True).stdout)
    articles = stats.get('articles')
    served = sum(len(b) for b in images.values())
    print(f'\n## Fetch with assets ({nfeeds} feeds, {articles} articles, {len(images)} image '
          f'URLs on {hosts} hosts, {latency} ms latency each request)\n')
    print('| fetch | wall | feed requests | image requests | most in flight on one host '
          f'(limit {PER_HOST_LIMIT}) |')
    print('|---|---|---|---|---|')
    print(f"| first | {wall1:.1f} s | {first['feed']} | {first['image']} | {most1} |")
    print(f"| second (--force) | {wall2:.1f} s | {second['feed']} | {second['image']} | "
          f"{max(server.most.values()) if server.most else 0} |")
    print('\n| archive | value |')
    print('|---|---|')
    print(f'| image bytes served (each URL once) | {served:,} |')
    print(f'| archive bytes after vacuum | {archive_bytes(db):,} |')
    print(f'| archive bytes per article | {archive_bytes(db) / max(articles or 1, 1):,.0f} |')
    print(f'| stats: assets | {json.dumps(stats.get("assets"))} |')
    if most1 > PER_HOST_LIMIT:
        sys.exit(f'per-host limit broken: {most1} requests at once on one host')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('feedkeep')
    ap.add_argument('--items', type=int, default=1200)
    ap.add_argument('--feeds', type=int, default=100)
    ap.add_argument('--hosts', type=int, default=10)
    ap.add_argument('--latency', type=int, default=50)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--workdir')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    feedkeep = os.path.abspath(args.feedkeep)
    work = args.workdir or tempfile.mkdtemp(prefix='feedkeep-assets-')
    os.makedirs(work, exist_ok=True)
    try:
        corpus = os.path.join(work, 'corpus.xml')
        subprocess.run([sys.executable, os.path.join(SHARED, 'bench', 'gen_corpus.py'),
                        os.path.join(SHARED, 'fixtures', 'devto-fuadhusnan.xml'),
                        str(args.items), corpus], check=True, stdout=subprocess.DEVNULL)
        bench_raw(feedkeep, corpus, args.items, args.runs, work)
        bench_fetch(feedkeep, corpus, args.items, args.feeds, args.hosts, args.latency, work)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
