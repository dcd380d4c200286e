#!/usr/bin/env python3
"""httpd.py - the loopback HTTP server of the tests (standard library only).

Run as a program (the fetch tests), it listens on 127.0.0.1 on a port the
system chooses and prints that port as the first line of stdout. It exits
when its stdin reaches end of file (the test that started it has gone,
however it went) or after --lifetime seconds, whichever comes first, so it
never outlives a test run.

Imported (cli/fktest.py's Loopback, for the hostile suite), Server runs in
the test's process, and a test adds routes of its own to Server.routes: a
function of the Handler, which answers with reply() or writes anything with
raw(). They are tried before the routes below; Server.requests lists the
path and query of every request.

Routes (query parameters in brackets):
  /feed                  a small feed with ETag and Last-Modified; 304 when
                         If-None-Match or If-Modified-Since matches
  /echo                  the request headers, one "Name: value" a line
  /redirect[code,to]     redirect with the given status to the given path
  /chain                 301 to a 302 to /feed
  /loop                  302 to itself
  /hops[n]               n redirects in a row, then /feed
  /status[code,retry]    that status; retry=N or retry=date adds Retry-After
  /dated[lastmod,date]   the small feed with a Last-Modified lastmod seconds
                         from now; date=0 leaves out the Date header
  /sleep[ms,group]       answer after ms milliseconds; requests with a group
                         are counted while in progress, per host name
  /stats[group]          the most requests of the group seen in progress at
                         once, per host name and in all ("*"), as JSON
  /slow[secs]            10 bytes of a longer body, then nothing for secs
  /endless               a body without end
  /truncated             Content-Length 1000 but 10 bytes, then close
  /big                   Content-Length of 10 MiB announced
  /empty                 close the connection without answering
  /gzip                  a gzip-encoded feed
  /bomb                  16 MiB of zeros in about 16 KiB of gzip
  /badgzip               Content-Encoding: gzip on bytes that are not gzip
  /html                  a HTML page (200, text/html) where a feed was expected
  /connections           how many connections the server has accepted so far
                         (this request's included)
  /script/NAME[page]     a scripted RSS feed (below); page=K for K >= 2 is a
                         further page of it
  /control/NAME[...]     set NAME's script: any of the parameters below, kept
                         until changed; reset=1 first restores the defaults
  /log/NAME              the requests /script/NAME received, as a JSON list of
                         objects (path, if_none_match, if_modified_since,
                         user_agent, accept_encoding)

A script's parameters come from its defaults, then /control, then the query
of the request itself (so a subscription URL can carry them):
  items=3       items on the first page; guid=url|plain: the items' guids are
                URLs (http://example.com/NAME/I) or plain strings (NAME-I)
  version=1     part of every item's text and of the validators: changing it
                makes the items "updated"
  status=200    any other status answers that status with a short error page;
                retry=VALUE adds Retry-After (retry=date: an HTTP date 1 h ahead)
  etag=1, lastmod=1   send ETag, Last-Modified (and answer 304 to them)
  delay_ms=0    wait before answering; gzip=1 gzip-encodes the body;
  group=NAME    counted while in progress, per host name, as /sleep's are
                (/stats?group=NAME); reverse=1 lists the items last first;
  html=1        answers a HTML page instead of the feed
  pages=1       pages that exist; page K in 2..pages has per_page=5 items of
                its own; beyond, page_end=empty (a feed without items) or 404
  charset=utf-8 the body's encoding, named in Content-Type only (the XML
                declaration names none); accent=1 puts an e-acute in titles
  short=1       items with an almost empty text (a feed that dropped its bodies)
  teaser=1      items whose text is a teaser with a "Read more" link to their
                page on this server, /article/NAME/I (below); with long=1 a
                long text instead (four paragraphs, two thirds of the page)
  article=ok    what /article/NAME/I answers: ok (a whole article, with an
                ETag and 304 to it; article_version=1 is part of its text and
                ETag), status (article_status=503, with retry as above), pdf,
                empty (a page without text), login (a short login wall),
                short (a whole article shorter than the teaser), big (50 MB
                announced and sent), latin1 (windows-1252 named only by <meta
                charset>), httpcharset (windows-1252 named only by the
                Content-Type), redirect (302, 301, 302, then the article);
                article_ms=0: wait before answering a page, counted in
                the script's group
Requests to /article/NAME/... are logged with those to /script/NAME.
"""

import argparse
import email.utils
import gzip
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FEED = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<rss version="2.0"><channel><title>loopback</title>'
        b'<item><title>one</title><link>http://example.com/1</link></item>'
        b'</channel></rss>\n')
ETAG = '"v1"'
LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT'
GZIP_REPEAT = 100

_lock = threading.Lock()
_in_progress = {}
_most = {}
_bomb = None
_scripts = {}
_script_log = {}
_connections = 0

SCRIPT_DEFAULTS = {
    'items': '3', 'guid': 'url', 'version': '1', 'status': '200', 'retry': None,
    'etag': '1', 'lastmod': '1', 'delay_ms': '0', 'gzip': '0', 'html': '0',
    'pages': '1', 'per_page': '5', 'page_end': 'empty', 'charset': 'utf-8', 'accent': '0',
    'short': '0', 'teaser': '0', 'article': 'ok', 'article_status': '503',
    'article_version': '1', 'long': '0', 'group': None, 'reverse': '0', 'article_ms': '0',
}

HTML_PAGE = (b'<!DOCTYPE html>\n<html><head><title>Not a feed</title></head>'
             b'<body><h1>Welcome</h1><p>This is a web page.</p></body></html>\n')


def _bomb_bytes():
    global _bomb
    with _lock:
        if _bomb is None:
            _bomb = gzip.compress(b'\0' * (16 << 20), 9)
        return _bomb


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'feedkeep-test-httpd'
    # Headers and body go out in separate writes; with Nagle on, the body
    # waits for the client's delayed ACK (40 ms), which would swamp the
    # latencies the parallelism tests measure.
    disable_nagle_algorithm = True

    def setup(self):
        global _connections
        super().setup()
        with _lock:
            _connections += 1

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if os.environ.get('FK_HTTPD_VERBOSE'):
            sys.stderr.write('httpd: %s\n' % (format % args))

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def host(self):
        host = self.headers.get('Host', '')
        return host.rsplit(':', 1)[0] if ':' in host else host

    def reply(self, status, body=b'', headers=(), content_type='text/plain; charset=utf-8'):
        """An answer; headers may give their own Content-Type and
        Content-Length (a 304 has neither, nor a body)."""
        self.send_response(status)
        names = set()
        for name, value in headers:
            self.send_header(name, value)
            names.add(name.lower())
        if status != 304:
            if 'content-type' not in names:
                self.send_header('Content-Type', content_type)
            if 'content-length' not in names:
                self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def raw(self, data):
        """Bytes straight onto the socket, HTTP or not; then close."""
        self.close_connection = True
        self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self):  # noqa: N802 - the base class's name
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path.split('?', 1)[0])
        if route is None:
            url = urlsplit(self.path)
            self.query = parse_qs(url.query)
            route = ROUTES.get(url.path)
            for prefix, handler in PREFIX_ROUTES:
                if route is None and url.path.startswith(prefix):
                    route = handler
        if route is None:
            self.reply(404, b'no such route\n')
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ---- routes ----

    def feed(self):
        validators = [('ETag', ETAG), ('Last-Modified', LAST_MODIFIED)]
        inm = self.headers.get('If-None-Match')
        ims = self.headers.get('If-Modified-Since')
        if inm == ETAG or (inm is None and ims == LAST_MODIFIED):
            self.reply(304, headers=validators)
        else:
            self.reply(200, FEED, validators, 'application/rss+xml; charset="ISO-8859-1"')

    def echo(self):
        lines = ''.join('%s: %s\n' % (k, v) for k, v in self.headers.items())
        self.reply(200, lines.encode('utf-8'))

    def redirect(self):
        code = int(self.arg('code', '302'))
        self.reply(code, b'moved\n', [('Location', self.arg('to', '/feed'))])

    def chain(self):
        self.reply(301, b'moved\n', [('Location', '/redirect?code=302&to=/feed')])

    def loop(self):
        self.reply(302, b'again\n', [('Location', '/loop')])

    def hops(self):
        n = int(self.arg('n', '1'))
        target = '/hops?n=%d' % (n - 1) if n > 1 else '/feed'
        self.reply(302, b'hop\n', [('Location', target)])

    def status(self):
        code = int(self.arg('code', '500'))
        retry = self.arg('retry')
        headers = []
        if retry == 'date':
            headers.append(('Retry-After', email.utils.formatdate(time.time() + 3600,
                                                                  usegmt=True)))
        elif retry is not None:
            headers.append(('Retry-After', retry))
        self.reply(code, b'error page\n', headers)

    def dated(self):
        modified = email.utils.formatdate(time.time() + int(self.arg('lastmod', '0')),
                                          usegmt=True)
        if self.arg('date', '1') == '0':
            self.send_response_only(200)
        else:
            self.send_response(200)  # adds Date
        self.send_header('Last-Modified', modified)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def wait_counted(self, group, seconds):
        """Sleep for seconds, counted in progress in group per host name
        (group None: not counted)."""
        if group is None:
            time.sleep(seconds)
            return
        key = (group, self.host())
        with _lock:
            _in_progress[key] = _in_progress.get(key, 0) + 1
            total = sum(n for (g, _), n in _in_progress.items() if g == group)
            most = _most.setdefault(group, {})
            most[key[1]] = max(most.get(key[1], 0), _in_progress[key])
            most['*'] = max(most.get('*', 0), total)
        try:
            time.sleep(seconds)
        finally:
            with _lock:
                _in_progress[key] -= 1

    def sleep(self):
        # Counted by group, so requests of an earlier test that are still
        # sleeping here (their client gave up) do not count.
        self.wait_counted(self.arg('group'), int(self.arg('ms', '300')) / 1000.0)
        self.reply(200, b'ok\n')

    def stats(self):
        with _lock:
            most = _most.get(self.arg('group'), {})
            body = json.dumps(most, sort_keys=True).encode('utf-8')
        self.reply(200, body, content_type='application/json')

    def slow(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header('Content-Length', '100000')
        self.end_headers()
        self.wfile.write(b'0123456789')
        self.wfile.flush()
        deadline = time.monotonic() + float(self.arg('secs', '10'))
        while time.monotonic() < deadline:
            time.sleep(0.1)

    def endless(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header('Connection', 'close')
        self.end_headers()
        chunk = b'<item>' + b'x' * 65530 + b'\n'
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.wfile.write(chunk)

    def truncated(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header('Content-Length', '1000')
        self.end_headers()
        self.wfile.write(b'0123456789')

    def big(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header('Content-Length', str(10 << 20))
        self.end_headers()
        self.wfile.write(b'x' * 4096)

    def empty(self):
        self.close_connection = True

    def gzip_feed(self):
        body = gzip.compress(FEED * GZIP_REPEAT)
        self.reply(200, body, [('Content-Encoding', 'gzip')], 'application/rss+xml')

    def bomb(self):
        self.reply(200, _bomb_bytes(), [('Content-Encoding', 'gzip')], 'application/rss+xml')

    def badgzip(self):
        self.reply(200, b'this is not gzip at all' * 10, [('Content-Encoding', 'gzip')])

    def html(self):
        self.reply(200, HTML_PAGE, content_type='text/html; charset=utf-8')

    def connections(self):
        with _lock:
            count = _connections
        self.reply(200, b'%d' % count)

    def script_name(self, prefix):
        return urlsplit(self.path).path[len(prefix):]

    def control(self):
        name = self.script_name('/control/')
        with _lock:
            state = _scripts.setdefault(name, {})
            if self.arg('reset') == '1':
                state.clear()
                _script_log.pop(name, None)
            for key in SCRIPT_DEFAULTS:
                if key in self.query:
                    state[key] = self.query[key][0]
        self.reply(200, b'ok\n')

    def log(self):
        name = self.script_name('/log/')
        with _lock:
            body = json.dumps(_script_log.get(name, [])).encode('utf-8')
        self.reply(200, body, content_type='application/json')

    def script(self):
        name = self.script_name('/script/')
        with _lock:
            _script_log.setdefault(name, []).append({
                'path': self.path,
                'if_none_match': self.headers.get('If-None-Match'),
                'if_modified_since': self.headers.get('If-Modified-Since'),
                'user_agent': self.headers.get('User-Agent'),
                'accept_encoding': self.headers.get('Accept-Encoding'),
            })
            conf = dict(SCRIPT_DEFAULTS)
            conf.update(_scripts.get(name, {}))
        for key in SCRIPT_DEFAULTS:
            if key in self.query:
                conf[key] = self.query[key][0]
        delay = int(conf['delay_ms'])
        if delay or conf['group']:
            self.wait_counted(conf['group'], delay / 1000.0)
        status = int(conf['status'])
        if status != 200:
            retry = conf['retry']
            if retry == 'date':
                retry = email.utils.formatdate(time.time() + 3600, usegmt=True)
            headers = [('Retry-After', retry)] if retry else []
            self.reply(status, b'error page\n', headers)
            return
        if conf['html'] == '1':
            self.reply(200, HTML_PAGE, content_type='text/html; charset=utf-8')
            return
        page = int(self.arg('page', '1'))
        if page > int(conf['pages']) and conf['page_end'] == '404':
            self.reply(404, b'no such page\n')
            return
        version = conf['version']
        validators = []
        etag = '"%s-v%s-n%s%s"' % (name, version, conf['items'],
                                   '-short' if conf['short'] == '1' else '')
        modified = email.utils.formatdate(1600000000 + 86400 * int(version), usegmt=True)
        if page == 1:
            if conf['etag'] == '1':
                validators.append(('ETag', etag))
            if conf['lastmod'] == '1':
                validators.append(('Last-Modified', modified))
            inm = self.headers.get('If-None-Match')
            ims = self.headers.get('If-Modified-Since')
            if ((conf['etag'] == '1' and inm == etag) or
                    (conf['lastmod'] == '1' and inm is None and ims == modified)):
                self.reply(304, headers=validators)
                return
        charset = conf['charset']
        try:
            body = script_feed(name, conf, page, self.headers.get('Host', '')).encode(charset)
        except LookupError:  # a name only the client is to refuse
            body = script_feed(name, conf, page, self.headers.get('Host', '')).encode('utf-8')
        if conf['gzip'] == '1':
            body = gzip.compress(body)
            validators.append(('Content-Encoding', 'gzip'))
        self.reply(200, body, validators, 'application/rss+xml; charset=%s' % charset)


    def article(self):
        """/article/NAME/I: the page of item I of script NAME."""
        rest = self.script_name('/article/')
        name, _, number = rest.partition('/')
        with _lock:
            _script_log.setdefault(name, []).append({
                'path': self.path,
                'if_none_match': self.headers.get('If-None-Match'),
                'if_modified_since': self.headers.get('If-Modified-Since'),
                'user_agent': self.headers.get('User-Agent'),
                'accept_encoding': self.headers.get('Accept-Encoding'),
            })
            conf = dict(SCRIPT_DEFAULTS)
            conf.update(_scripts.get(name, {}))
        kind = conf['article']
        if int(conf['article_ms']) or conf['group']:
            self.wait_counted(conf['group'], int(conf['article_ms']) / 1000.0)
        if kind == 'redirect' and self.arg('hop') is None:
            self.reply(302, b'moved\n', [('Location', self.path + '?hop=1')])
            return
        if kind == 'redirect' and self.arg('hop') in ('1', '2'):
            code = 301 if self.arg('hop') == '1' else 302
            target = self.path.split('?', 1)[0] + '?hop=%d' % (int(self.arg('hop')) + 1)
            self.reply(code, b'moved\n', [('Location', target)])
            return
        if kind == 'status':
            retry = conf['retry']
            if retry == 'date':
                retry = email.utils.formatdate(time.time() + 3600, usegmt=True)
            headers = [('Retry-After', retry)] if retry else []
            self.reply(int(conf['article_status']), b'error page\n', headers)
            return
        if kind == 'pdf':
            self.reply(200, b'%PDF-1.4\n' + b'0' * 2000, content_type='application/pdf')
            return
        if kind == 'big':
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(50 << 20))
            self.end_headers()
            chunk = b'<p>' + b'big page, ' * 6500 + b'</p>\n'
            for _ in range((50 << 20) // len(chunk)):
                self.wfile.write(chunk)
            self.close_connection = True
            return
        version = conf['article_version']
        etag = '"%s-%s-v%s-%s"' % (name, number, version, kind)
        if self.headers.get('If-None-Match') == etag:
            self.reply(304, headers=[('ETag', etag)])
            return
        body = article_page(name, number, version, kind)
        content_type = {'latin1': 'text/html',
                        'httpcharset': 'text/html; charset=windows-1252'}.get(
                            kind, 'text/html; charset=utf-8')
        self.reply(200, body, [('ETag', etag)], content_type)


def article_page(name, number, version, kind):
    """The HTML of /article/NAME/I."""
    if kind == 'empty':
        return b'<!DOCTYPE html><html><head><title>Nothing</title></head><body></body></html>'
    if kind == 'login':
        return (b'<!DOCTYPE html><html><head><title>Sign in</title></head><body>'
                b'<form><p>Sign in to read.</p><input name=user><input type=password>'
                b'</form></body></html>')
    if kind == 'short':
        paragraphs = ['<p>Short.</p>']
    else:
        paragraphs = [
            '<p>Paragraph %d of %s item %s, version %s, holds words only the page has: '
            'pageonly%s, and the rest of the argument, which goes on at length, with '
            'commas, clauses, and the detail a teaser leaves out, so that the reader '
            'who came from the feed finds the whole article here, in its own words, '
            'caf\u00e9 and \u201cquotes\u201d included.</p>' % (k, name, number, version, number)
            for k in range(1, 7)]
        paragraphs.insert(3, '<figure><img src="/images/%s-%s.png" alt="A figure" width="640" '
                             'height="480"></figure>' % (name, number))
    charset = 'windows-1252' if kind in ('latin1', 'httpcharset') else 'utf-8'
    meta = '' if kind == 'httpcharset' else '<meta charset="%s">' % charset
    html = ('<!DOCTYPE html><html><head>%s<title>%s item %s</title></head><body>'
            '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
            '<article><h1>%s item %s</h1>%s</article>'
            '<footer><p>Comments are closed.</p></footer></body></html>'
            % (meta, name, number, name, number, ''.join(paragraphs)))
    return html.encode(charset)


def script_feed(name, conf, page, host=''):
    """The RSS document of a script's page."""
    if page == 1:
        numbers = range(1, int(conf['items']) + 1)
    elif page <= int(conf['pages']):
        per_page = int(conf['per_page'])
        first = 1000 * page
        numbers = range(first, first + per_page)
    else:
        numbers = range(0)
    if conf.get('reverse') == '1':
        numbers = list(numbers)[::-1]
    items = []
    for i in numbers:
        guid = ('http://example.com/%s/%d' % (name, i) if conf['guid'] == 'url'
                else '%s-%d' % (name, i))
        link = ('http://%s/article/%s/%d' % (host, name, i) if conf['teaser'] == '1'
                else 'http://example.com/%s/%d' % (name, i))
        items.append(
            '<item><title>%s%s item %d</title><link>%s</link>'
            '<guid isPermaLink="false">%s</guid>'
            '<pubDate>%s</pubDate><category>test</category>'
            '<description>%s</description></item>\n'
            % (name, '\u00e9' if conf['accent'] == '1' else '', i, link, guid,
               email.utils.formatdate(1700000000 + 3600 * i, usegmt=True),
               '&lt;p&gt;.&lt;/p&gt;' if conf['short'] == '1' else
               ''.join('&lt;p&gt;Feed paragraph %d of %s item %d, version %s, holds words '
                       'only the feed has: feedonly%d, and the rest of the argument, which '
                       'goes on at length, with commas, clauses, and the detail a teaser '
                       'leaves out, so that the reader who came from the feed finds the '
                       'whole article here, in its own words.&lt;/p&gt;'
                       % (k, name, i, conf['version'], i) for k in range(1, 5))
               if conf['teaser'] == '1' and conf['long'] == '1' else
               '&lt;p&gt;The start of %s item %d, version %s, and teaser words&amp;#8230;'
               '&lt;a href="%s"&gt;Read more&lt;/a&gt;&lt;/p&gt;'
               % (name, i, conf['version'], link) if conf['teaser'] == '1' else
               '&lt;p&gt;Body of %s item %d, version %s.&lt;/p&gt;'
               '&lt;pre&gt;&lt;code class="language-python"&gt;print(%d)&lt;/code&gt;&lt;/pre&gt;'
               % (name, i, conf['version'], i)))
    return ('<?xml version="1.0"?>\n'
            '<rss version="2.0"><channel><title>script %s</title>'
            '<link>http://example.com/%s/</link>\n%s</channel></rss>\n'
            % (name, name, ''.join(items)))


ROUTES = {
    '/feed': Handler.feed,
    '/echo': Handler.echo,
    '/redirect': Handler.redirect,
    '/chain': Handler.chain,
    '/loop': Handler.loop,
    '/hops': Handler.hops,
    '/status': Handler.status,
    '/dated': Handler.dated,
    '/sleep': Handler.sleep,
    '/stats': Handler.stats,
    '/slow': Handler.slow,
    '/endless': Handler.endless,
    '/truncated': Handler.truncated,
    '/big': Handler.big,
    '/empty': Handler.empty,
    '/gzip': Handler.gzip_feed,
    '/bomb': Handler.bomb,
    '/badgzip': Handler.badgzip,
    '/html': Handler.html,
    '/connections': Handler.connections,
}

PREFIX_ROUTES = [
    ('/script/', Handler.script),
    ('/control/', Handler.control),
    ('/log/', Handler.log),
    ('/article/', Handler.article),
]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many clients connect at once in the parallelism tests; a short listen
    # queue would delay some by a SYN retransmission.
    request_queue_size = 128

    def __init__(self, address, handler=Handler):
        super().__init__(address, handler)
        self.routes = {}  # path: function(handler), tried before ROUTES
        self.requests = []

    def handle_error(self, request, client_address):
        # Clients that give up mid-answer (caps, timeouts, TLS spoken to
        # plain HTTP) are what the tests are about, not server errors.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _exit_at_eof():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lifetime', type=float, default=300,
                        help='exit after this many seconds (default 300)')
    parser.add_argument('--bind', action='append', metavar='ADDRESS',
                        help='a loopback address to listen on, repeatable, all on the '
                             'port of the first (default 127.0.0.1)')
    args = parser.parse_args()
    addresses = args.bind or ['127.0.0.1']
    servers = [Server((addresses[0], 0), Handler)]
    port = servers[0].server_address[1]
    for address in addresses[1:]:
        servers.append(Server((address, port), Handler))
    print(port, flush=True)
    threading.Thread(target=_exit_at_eof, daemon=True).start()
    timer = threading.Timer(args.lifetime, os._exit, (0,))
    timer.daemon = True
    timer.start()
    for extra in servers[1:]:
        threading.Thread(target=extra.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == '__main__':
    main()
