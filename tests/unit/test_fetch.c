/* test_fetch.c - the fetch layer against a loopback HTTP server.
 *
 * The test starts tests/httpd.py itself (python3, or $FK_PYTHON), reads the
 * port it chose from its first line of output and talks to it on 127.0.0.1
 * and localhost only; nothing here touches the network. The server exits
 * when its stdin, a pipe from this process, closes, so it goes away however
 * this test ends, and an alarm bounds the whole run.
 */
#include "feedkeep/fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/version.h"
#include "harness.h"
#include "loopback.h"

/* The whole test, server start included, must finish within this. */
#define WATCHDOG_SECONDS 240

static const char feed_body[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<rss version=\"2.0\"><channel><title>loopback</title>"
                                "<item><title>one</title><link>http://example.com/1</link></item>"
                                "</channel></rss>\n";

static int port;

/* ---- the server ----------------------------------------------------------- */

/* A URL on the test server; the result is valid for the next 7 calls. */
static const char *url_on(const char *host, const char *path)
{
    static char urls[8][512];
    static unsigned next;
    char *url = urls[next++ % 8];
    snprintf(url, sizeof urls[0], "http://%s:%d%s", host, port, path);
    return url;
}

static const char *local(const char *path)
{
    return url_on("127.0.0.1", path);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- collecting results ------------------------------------------------------ */

/* A copy of one fk_fetch_result, kept after the callback. */
struct outcome {
    int calls;
    int http_status;
    enum fk_fetch_error error;
    char *message;
    char *body; /* NULL when the result had none */
    size_t body_len;
    char *etag;
    char *last_modified;
    char *content_type;
    char *charset;
    int64_t retry_after;
    char *final_url;
    char *moved_to;
    char *primary_ip;
    int redirects;
    uint64_t bytes_received;
    int64_t duration_ms;
};

static void outcome_release(struct outcome *o)
{
    free(o->message);
    free(o->body);
    free(o->etag);
    free(o->last_modified);
    free(o->content_type);
    free(o->charset);
    free(o->final_url);
    free(o->moved_to);
    free(o->primary_ip);
    memset(o, 0, sizeof *o);
}

static int record(const struct fk_fetch_result *r, void *ctx)
{
    (void)ctx;
    struct outcome *o = r->user;
    outcome_release(o);
    o->calls++;
    o->http_status = r->http_status;
    o->error = r->error;
    o->message = fk_xstrdup(r->message);
    if (r->body) {
        o->body = fk_xmalloc(r->body_len + 1);
        memcpy(o->body, r->body, r->body_len + 1);
    }
    o->body_len = r->body_len;
    o->etag = fk_xstrdup(r->etag);
    o->last_modified = fk_xstrdup(r->last_modified);
    o->content_type = fk_xstrdup(r->content_type);
    o->charset = fk_xstrdup(r->charset);
    o->retry_after = r->retry_after;
    o->final_url = fk_xstrdup(r->final_url);
    o->moved_to = fk_xstrdup(r->moved_to);
    o->primary_ip = fk_xstrdup(r->primary_ip);
    o->redirects = r->redirects;
    o->bytes_received = r->bytes_received;
    o->duration_ms = r->duration_ms;
    return 0;
}

/* Options for tests: the defaults with short timeouts, so a failure costs
 * seconds, not minutes. */
static struct fk_fetch_options test_options(void)
{
    struct fk_fetch_options opts;
    fk_fetch_options_init(&opts);
    opts.connect_timeout_ms = 5000;
    opts.timeout_ms = 20000;
    return opts;
}

/* Fetch one URL and keep what came back in *o (released first). */
static void fetch_with(const struct fk_fetch_options *opts, const char *url, const char *etag,
                       const char *last_modified, struct outcome *o)
{
    struct fk_error err = {0};
    outcome_release(o);
    struct fk_fetch *fetch = fk_fetch_new(opts, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    struct fk_fetch_request req = {
        .url = url, .etag = etag, .last_modified = last_modified, .user = o};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    CHECK_INT(o->calls, 1);
    fk_fetch_free(fetch);
}

static void fetch_one(const char *url, struct outcome *o)
{
    struct fk_fetch_options opts = test_options();
    fetch_with(&opts, url, NULL, NULL, o);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_options_and_names(void)
{
    struct fk_fetch_options opts;
    fk_fetch_options_init(&opts);
    CHECK_INT(opts.jobs, 8);
    CHECK_INT(opts.per_host, 2);
    CHECK_INT(opts.connect_timeout_ms, 10000);
    CHECK_INT(opts.timeout_ms, 60000);
    CHECK_INT(opts.low_speed_limit, 1024);
    CHECK_INT(opts.low_speed_time, 20);
    CHECK_INT(opts.max_body, 32 << 20);
    CHECK_INT(opts.max_redirects, 5);
    CHECK(opts.user_agent == NULL);

    struct fk_error err = {0};
    opts.jobs = 0;
    CHECK(fk_fetch_new(&opts, &err) == NULL);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_STR(err.message, "fetch jobs must be at least 1");
    fk_fetch_options_init(&opts);
    opts.max_body = 0;
    CHECK(fk_fetch_new(&opts, &err) == NULL);
    CHECK_STR(err.message, "fetch body size limit must be at least 1");

    struct fk_fetch *fetch = fk_fetch_new(NULL, &err);
    CHECK(fetch != NULL);
    struct fk_fetch_request req = {0};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    /* An empty batch runs and returns at once. */
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    fk_fetch_free(fetch);
    fk_fetch_free(NULL);

    CHECK_STR(fk_fetch_error_name(FK_FETCH_OK), "ok");
    CHECK_STR(fk_fetch_error_name(FK_FETCH_TOO_LARGE), "too-large");
    CHECK_STR(fk_fetch_error_name(FK_FETCH_OTHER), "other");
    CHECK_STR(fk_fetch_error_name(FK_FETCH_REFUSED), "refused");
    CHECK_STR(fk_fetch_error_name((enum fk_fetch_error)99), "unknown");
}

static void test_ok(void)
{
    struct outcome o = {0};
    const char *url = local("/feed");
    fetch_one(url, &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK(o.message == NULL);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(o.body, feed_body);
    CHECK_INT(o.body_len, strlen(feed_body));
    CHECK_STR(o.etag, "\"v1\"");
    CHECK_STR(o.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    CHECK_STR(o.content_type, "application/rss+xml");
    CHECK_STR(o.charset, "ISO-8859-1");
    CHECK(o.retry_after == FK_TIME_NONE);
    CHECK_STR(o.final_url, url);
    CHECK(o.moved_to == NULL);
    CHECK_STR(o.primary_ip, "127.0.0.1");
    CHECK_INT(o.redirects, 0);
    CHECK_INT(o.bytes_received, strlen(feed_body));
    CHECK(o.duration_ms >= 0 && o.duration_ms < 5000);
    outcome_release(&o);
}

static void test_conditional(void)
{
    struct fk_fetch_options opts = test_options();
    struct outcome o = {0};

    fetch_with(&opts, local("/feed"), "\"v1\"", "Wed, 21 Oct 2015 07:28:00 GMT", &o);
    CHECK_INT(o.http_status, 304);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK(o.message == NULL);
    CHECK(o.body == NULL);
    CHECK_INT(o.body_len, 0);
    CHECK_STR(o.etag, "\"v1\"");

    fetch_with(&opts, local("/feed"), NULL, "Wed, 21 Oct 2015 07:28:00 GMT", &o);
    CHECK_INT(o.http_status, 304);
    CHECK(o.body == NULL);

    fetch_with(&opts, local("/feed"), "\"v0\"", NULL, &o);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(o.body, feed_body);

    /* What went over the wire. */
    fetch_with(&opts, local("/echo"), "W/\"abc\"", "Wed, 21 Oct 2015 07:28:00 GMT", &o);
    CHECK(o.body && strstr(o.body, "If-None-Match: W/\"abc\"\n"));
    CHECK(o.body && strstr(o.body, "If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT\n"));

    /* A validator that would smuggle in a header is not sent at all. */
    fetch_with(&opts, local("/echo"), "\"x\"\r\nX-Evil: 1", NULL, &o);
    CHECK_INT(o.http_status, 200);
    CHECK(o.body && !strstr(o.body, "If-None-Match"));
    CHECK(o.body && !strstr(o.body, "X-Evil"));
    outcome_release(&o);
}

static void test_request_headers(void)
{
    struct fk_fetch_options opts = test_options();
    struct outcome o = {0};
    fetch_with(&opts, local("/echo"), NULL, NULL, &o);
    CHECK(o.body &&
          strstr(o.body, "User-Agent: feedkeep/" FEEDKEEP_VERSION " (+" FEEDKEEP_URL ")\n"));
    CHECK(o.body && strstr(o.body, "Accept-Encoding: ") && strstr(o.body, "gzip"));

    opts.user_agent = "probe/1.0";
    fetch_with(&opts, local("/echo"), NULL, NULL, &o);
    CHECK(o.body && strstr(o.body, "User-Agent: probe/1.0\n"));
    outcome_release(&o);
}

struct redirect_case {
    const char *path;
    int redirects;
    const char *final_path;
    const char *moved_to_path; /* NULL: not moved permanently */
};

static const struct redirect_case redirect_cases[] = {
    {"/redirect?code=301&to=/feed", 1, "/feed", "/feed"},
    {"/redirect?code=308&to=/feed", 1, "/feed", "/feed"},
    {"/redirect?code=302&to=/feed", 1, "/feed", NULL},
    {"/redirect?code=307&to=/feed", 1, "/feed", NULL},
    /* 301 then 302: the subscription moves to the middle URL only. */
    {"/chain", 2, "/feed", "/redirect?code=302&to=/feed"},
    /* 302 then 301: a temporary redirect keeps the subscription. */
    {"/redirect?code=302&to=/redirect%3Fcode%3D301%26to%3D/feed", 2, "/feed", NULL},
    {"/hops?n=5", 5, "/feed", NULL},
};

static void test_redirects(void)
{
    struct outcome o = {0};
    for (size_t i = 0; i < sizeof redirect_cases / sizeof redirect_cases[0]; i++) {
        const struct redirect_case *c = &redirect_cases[i];
        fetch_one(local(c->path), &o);
        CHECK_INT(o.error, FK_FETCH_OK);
        CHECK_INT(o.http_status, 200);
        CHECK_STR(o.body, feed_body);
        CHECK_INT(o.redirects, c->redirects);
        CHECK_STR(o.final_url, local(c->final_path));
        CHECK_STR(o.moved_to, c->moved_to_path ? local(c->moved_to_path) : NULL);
        if (o.error != FK_FETCH_OK)
            fprintf(stderr, "  in redirect case %s\n", c->path);
    }
    outcome_release(&o);
}

static void test_redirect_failures(void)
{
    struct outcome o = {0};
    fetch_one(local("/loop"), &o);
    CHECK_INT(o.error, FK_FETCH_REDIRECT);
    CHECK_STR(o.message, "redirect loop");
    CHECK_INT(o.http_status, 302);
    CHECK(o.body == NULL);

    fetch_one(local("/hops?n=6"), &o);
    CHECK_INT(o.error, FK_FETCH_REDIRECT);
    CHECK_STR(o.message, "more than 5 redirects");
    CHECK_INT(o.redirects, 5);

    struct fk_fetch_options opts = test_options();
    opts.max_redirects = 0;
    fetch_with(&opts, local("/redirect?code=301&to=/feed"), NULL, NULL, &o);
    CHECK_INT(o.error, FK_FETCH_REDIRECT);
    CHECK_STR(o.message, "more than 0 redirects");

    /* A server must not make us read local files. */
    fetch_one(local("/redirect?code=302&to=file:///etc/passwd"), &o);
    CHECK_INT(o.error, FK_FETCH_REDIRECT);
    CHECK_STR(o.message, "redirect to a protocol not followed");
    CHECK(o.body == NULL);
    outcome_release(&o);
}

static void test_http_errors(void)
{
    struct outcome o = {0};
    fetch_one(local("/status?code=404"), &o);
    CHECK_INT(o.error, FK_FETCH_HTTP);
    CHECK_STR(o.message, "HTTP 404");
    CHECK_INT(o.http_status, 404);
    CHECK_STR(o.body, "error page\n");
    CHECK(o.retry_after == FK_TIME_NONE);

    int64_t before = (int64_t)time(NULL);
    fetch_one(local("/status?code=503&retry=120"), &o);
    int64_t after = (int64_t)time(NULL);
    CHECK_INT(o.error, FK_FETCH_HTTP);
    CHECK_STR(o.message, "HTTP 503");
    CHECK(o.retry_after >= before + 120 && o.retry_after <= after + 120);

    before = (int64_t)time(NULL);
    fetch_one(local("/status?code=503&retry=date"), &o);
    after = (int64_t)time(NULL);
    CHECK_STR(o.message, "HTTP 503");
    CHECK(o.retry_after >= before + 3600 - 2 && o.retry_after <= after + 3600 + 2);

    fetch_one(local("/status?code=429&retry=soon"), &o);
    CHECK_STR(o.message, "HTTP 429");
    CHECK(o.retry_after == FK_TIME_NONE);

    fetch_one(local("/status?code=500"), &o);
    CHECK_STR(o.message, "HTTP 500");
    outcome_release(&o);
}

/* A 304 is an answer to validators: to a request without any (a broken
 * cache) it is a failure, not "not modified". */
static void test_unconditional_304(void)
{
    static const char why[] = "304 Not Modified to a request without validators (a broken cache?)";
    struct fk_fetch_options opts = test_options();
    struct outcome o = {0};
    fetch_one(local("/status?code=304"), &o);
    CHECK_INT(o.error, FK_FETCH_HTTP);
    CHECK_INT(o.http_status, 304);
    CHECK_STR(o.message, why);
    /* A validator that is not sent (a control character in it) does not
     * count either. */
    fetch_with(&opts, local("/status?code=304"), "\"a\x01b\"", NULL, &o);
    CHECK_INT(o.error, FK_FETCH_HTTP);
    CHECK_STR(o.message, why);
    fetch_with(&opts, local("/status?code=304"), "\"v1\"", NULL, &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK_INT(o.http_status, 304);
    fetch_with(&opts, local("/status?code=304"), NULL, "Wed, 21 Oct 2015 07:28:00 GMT", &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    outcome_release(&o);
}

/* A Last-Modified dated after the response's Date, or without a Date
 * after the clock and a minute, is not handed back. */
static void test_future_last_modified(void)
{
    static const struct {
        const char *path;
        bool kept;
    } cases[] = {
        {"/dated?lastmod=-3600", true},        {"/dated?lastmod=0", true},
        {"/dated?lastmod=3600", false},        {"/dated?lastmod=31536000", false},
        {"/dated?lastmod=-3600&date=0", true}, {"/dated?lastmod=20&date=0", true},
        {"/dated?lastmod=3600&date=0", false},
    };
    struct outcome o = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fetch_one(local(cases[i].path), &o);
        CHECK_INT(o.error, FK_FETCH_OK);
        CHECK_INT(o.http_status, 200);
        if ((o.last_modified != NULL) != cases[i].kept)
            fprintf(stderr, "%s: Last-Modified %s\n", cases[i].path,
                    o.last_modified ? o.last_modified : "dropped");
        CHECK((o.last_modified != NULL) == cases[i].kept);
    }
    outcome_release(&o);
}

static void test_compression_and_caps(void)
{
    struct outcome o = {0};
    fetch_one(local("/gzip"), &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK_INT(o.body_len, 100 * strlen(feed_body));
    CHECK(o.body && memcmp(o.body, feed_body, strlen(feed_body)) == 0);
    CHECK(o.bytes_received > 0 && o.bytes_received < o.body_len);

    struct fk_fetch_options opts = test_options();
    opts.max_body = (size_t)1 << 20;
    int64_t start = now_ms();
    fetch_with(&opts, local("/bomb"), NULL, NULL, &o);
    printf("bomb stopped after %" PRId64 " ms\n", now_ms() - start);
    CHECK_INT(o.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(o.message, "body larger than 1 MiB");
    CHECK_INT(o.http_status, 200);
    CHECK(o.body == NULL);

    start = now_ms();
    fetch_with(&opts, local("/endless"), NULL, NULL, &o);
    printf("endless body stopped after %" PRId64 " ms\n", now_ms() - start);
    CHECK_INT(o.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(o.message, "body larger than 1 MiB");

    /* Refused on the announced length, before the body. */
    fetch_with(&opts, local("/big"), NULL, NULL, &o);
    CHECK_INT(o.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(o.message, "body larger than 1 MiB");

    /* The cap is inclusive. */
    opts.max_body = strlen(feed_body);
    fetch_with(&opts, local("/feed"), NULL, NULL, &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    opts.max_body = 1000;
    fetch_with(&opts, local("/gzip"), NULL, NULL, &o);
    CHECK_INT(o.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(o.message, "body larger than 1000 bytes");
    outcome_release(&o);
}

static void test_timeouts(void)
{
    struct fk_fetch_options opts = test_options();
    struct outcome o = {0};

    opts.low_speed_time = 2;
    int64_t start = now_ms();
    fetch_with(&opts, local("/slow?secs=15"), NULL, NULL, &o);
    int64_t elapsed = now_ms() - start;
    printf("stall detected after %" PRId64 " ms\n", elapsed);
    CHECK_INT(o.error, FK_FETCH_TIMEOUT);
    CHECK_STR(o.message, "stalled below 1024 B/s for 2 s");
    CHECK_INT(o.http_status, 200);
    CHECK(o.body == NULL);
    CHECK(elapsed >= 1500 && elapsed < 10000);

    fk_fetch_options_init(&opts);
    opts.timeout_ms = 1000;
    start = now_ms();
    fetch_with(&opts, local("/sleep?ms=4000"), NULL, NULL, &o);
    elapsed = now_ms() - start;
    printf("total timeout after %" PRId64 " ms\n", elapsed);
    CHECK_INT(o.error, FK_FETCH_TIMEOUT);
    CHECK_STR(o.message, "timed out after 1 s");
    CHECK_INT(o.http_status, 0);
    CHECK(elapsed >= 900 && elapsed < 3500);

    opts.timeout_ms = 1500;
    fetch_with(&opts, local("/sleep?ms=4000"), NULL, NULL, &o);
    CHECK_STR(o.message, "timed out after 1.5 s");
    outcome_release(&o);
}

/* A port on 127.0.0.1 that nothing listens on. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int found = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        found = ntohs(addr.sin_port);
    if (fd >= 0)
        close(fd);
    return found;
}

/* A connect that never completes: a listening socket whose accept queue
 * (backlog 0) is already full, so the kernel drops further SYNs. */
static void test_connect_timeout(void)
{
    int fds[4] = {-1, -1, -1, -1};
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (fds[0] < 0 || bind(fds[0], (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(fds[0], 0) < 0 || getsockname(fds[0], (struct sockaddr *)&addr, &len) < 0) {
        CHECK(!"cannot set up a listening socket");
        goto out;
    }
    for (int i = 1; i < 4; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] >= 0) {
            fcntl(fds[i], F_SETFL, O_NONBLOCK);
            (void)connect(fds[i], (struct sockaddr *)&addr, sizeof addr);
        }
    }
    nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);

    struct fk_fetch_options opts = test_options();
    opts.connect_timeout_ms = 1000;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/feed", ntohs(addr.sin_port));
    struct outcome o = {0};
    int64_t start = now_ms();
    fetch_with(&opts, url, NULL, NULL, &o);
    int64_t elapsed = now_ms() - start;
    printf("connect timeout after %" PRId64 " ms\n", elapsed);
    CHECK_INT(o.error, FK_FETCH_TIMEOUT);
    CHECK_STR(o.message, "connect timed out after 1 s");
    CHECK_INT(o.http_status, 0);
    CHECK(elapsed >= 900 && elapsed < 5000);
    outcome_release(&o);
out:
    for (int i = 0; i < 4; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

static void test_transport_failures(void)
{
    struct outcome o = {0};
    char url[128];

    int closed = closed_port();
    CHECK(closed > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/feed", closed);
    fetch_one(url, &o);
    CHECK_INT(o.error, FK_FETCH_CONNECT);
    CHECK_STR(o.message, "connection refused");
    CHECK_INT(o.http_status, 0);
    CHECK(o.body == NULL);

    fetch_one(local("/truncated"), &o);
    CHECK_INT(o.error, FK_FETCH_PROTOCOL);
    CHECK_STR(o.message, "response truncated");
    CHECK(o.body == NULL);

    fetch_one(local("/empty"), &o);
    CHECK_INT(o.error, FK_FETCH_PROTOCOL);
    CHECK_STR(o.message, "empty reply from server");

    fetch_one(local("/badgzip"), &o);
    CHECK_INT(o.error, FK_FETCH_PROTOCOL);
    CHECK_STR(o.message, "cannot decompress the body");
    CHECK(o.body == NULL);

    /* TLS spoken to a plain HTTP server: the handshake fails. */
    snprintf(url, sizeof url, "https://127.0.0.1:%d/feed", port);
    fetch_one(url, &o);
    CHECK_INT(o.error, FK_FETCH_TLS);
    CHECK(o.message && strncmp(o.message, "TLS handshake failed", 20) == 0);
    printf("https to a plain HTTP port: %s\n", o.message ? o.message : "(none)");

    /* .invalid never resolves (RFC 6761). Where the resolver itself cannot
     * be reached the lookup times out instead; both are fine here. */
    struct fk_fetch_options opts = test_options();
    opts.connect_timeout_ms = 3000;
    fetch_with(&opts, "http://feedkeep-test.invalid/feed", NULL, NULL, &o);
    printf("unresolvable host: %s\n", o.message ? o.message : "(none)");
    CHECK(o.error == FK_FETCH_DNS || o.error == FK_FETCH_TIMEOUT);
    if (o.error == FK_FETCH_DNS)
        CHECK_STR(o.message, "cannot resolve host name");
    outcome_release(&o);
}

static void test_bad_urls(void)
{
    static const struct {
        const char *url;
        const char *message;
    } cases[] = {
        {"not a url", "invalid URL"},
        {"dev.to/feed", "invalid URL"},
        {"", "invalid URL"},
        {"ftp://example.com/feed.xml", "unsupported protocol 'ftp'"},
        {"gopher://example.com/", "unsupported protocol 'gopher'"},
        {"javascript:alert(1)", "invalid URL"},
    };
    enum { NCASES = sizeof cases / sizeof cases[0] };
    struct outcome o[NCASES];
    memset(o, 0, sizeof o);
    struct fk_error err = {0};
    struct fk_fetch *fetch = fk_fetch_new(NULL, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    for (size_t i = 0; i < NCASES; i++) {
        struct fk_fetch_request req = {.url = cases[i].url, .user = &o[i]};
        CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    }
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    for (size_t i = 0; i < NCASES; i++) {
        CHECK_INT(o[i].calls, 1);
        CHECK_INT(o[i].error, FK_FETCH_BAD_URL);
        CHECK_STR(o[i].message, cases[i].message);
        CHECK_INT(o[i].http_status, 0);
        CHECK(o[i].body == NULL);
        outcome_release(&o[i]);
    }
    fk_fetch_free(fetch);
}

static void test_file_urls(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/feedkeep-test-fetch-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_INT(write(fd, feed_body, strlen(feed_body)), (int64_t)strlen(feed_body));
    close(fd);

    char url[4200];
    struct outcome o = {0};
    snprintf(url, sizeof url, "file://%s", path);
    fetch_one(url, &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK(o.primary_ip == NULL); /* read without a connection */
    CHECK_INT(o.http_status, 200);
    CHECK_STR(o.body, feed_body);
    CHECK(o.etag == NULL && o.content_type == NULL);

    struct fk_fetch_options opts = test_options();
    opts.max_body = 10;
    fetch_with(&opts, url, NULL, NULL, &o);
    CHECK_INT(o.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(o.message, "body larger than 10 bytes");

    unlink(path);
    fetch_one(url, &o);
    CHECK_INT(o.error, FK_FETCH_FILE);
    CHECK_STR(o.message, "cannot read file");
    CHECK_INT(o.http_status, 0);
    outcome_release(&o);
}

/* The server's counts of the group's requests in progress at once:
 * "127.0.0.1", "localhost" and "*" (all). */
static void read_stats(const char *group, int *local_most, int *localhost_most, int *all_most)
{
    struct outcome o = {0};
    char path[64];
    snprintf(path, sizeof path, "/stats?group=%s", group);
    fetch_one(local(path), &o);
    const char *keys[] = {"\"127.0.0.1\": ", "\"localhost\": ", "\"*\": "};
    int *values[] = {local_most, localhost_most, all_most};
    for (size_t i = 0; i < 3; i++) {
        const char *p = o.body ? strstr(o.body, keys[i]) : NULL;
        *values[i] = p ? atoi(p + strlen(keys[i])) : 0;
    }
    outcome_release(&o);
}

/* Run n sleeping requests of the group, half on 127.0.0.1 and half on
 * localhost when two_hosts, through gate unless NULL; returns the wall
 * time in ms. */
static int64_t run_gated_sleepers(const struct fk_fetch_options *opts,
                                  const struct fk_fetch_gate *gate, const char *group, int n,
                                  bool two_hosts, int *failures)
{
    struct fk_error err = {0};
    struct outcome *o = fk_xcalloc((size_t)n, sizeof *o);
    struct fk_fetch *fetch = fk_fetch_new(opts, &err);
    CHECK(fetch != NULL);
    int64_t elapsed = -1;
    char path[64];
    snprintf(path, sizeof path, "/sleep?ms=300&group=%s", group);
    *failures = n;
    if (!fetch)
        goto out;
    if (gate)
        fk_fetch_set_gate(fetch, gate);
    for (int i = 0; i < n; i++) {
        const char *host = two_hosts && i % 2 ? "localhost" : "127.0.0.1";
        struct fk_fetch_request req = {.url = url_on(host, path), .user = &o[i]};
        CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    }
    int64_t start = now_ms();
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    elapsed = now_ms() - start;
    *failures = 0;
    for (int i = 0; i < n; i++) {
        if (o[i].calls != 1 || o[i].error != FK_FETCH_OK)
            (*failures)++;
        outcome_release(&o[i]);
    }
    fk_fetch_free(fetch);
out:
    free(o);
    return elapsed;
}

static int64_t run_sleepers(const struct fk_fetch_options *opts, const char *group, int n,
                            bool two_hosts, int *failures)
{
    return run_gated_sleepers(opts, NULL, group, n, two_hosts, failures);
}

static void test_parallel(void)
{
    int local_most, localhost_most, all_most, failures;

    /* 16 requests of 300 ms: 4.8 s one after the other. Two hosts at two
     * each make four in flight (1.2 s); allow half the serial time. */
    struct fk_fetch_options opts = test_options();
    int64_t elapsed = run_sleepers(&opts, "hosts", 16, true, &failures);
    read_stats("hosts", &local_most, &localhost_most, &all_most);
    printf("16 x 300 ms, jobs 8, 2 per host, 2 hosts: %" PRId64 " ms; most at once: "
           "127.0.0.1 %d, localhost %d, all %d\n",
           elapsed, local_most, localhost_most, all_most);
    CHECK_INT(failures, 0);
    CHECK(elapsed > 0 && elapsed < 2400);
    CHECK(local_most >= 1 && local_most <= 2);
    CHECK(localhost_most >= 1 && localhost_most <= 2);
    CHECK(all_most >= 3 && all_most <= 4);

    /* Without a per-host limit, jobs is the limit. */
    opts.per_host = 0;
    elapsed = run_sleepers(&opts, "jobs", 16, false, &failures);
    read_stats("jobs", &local_most, &localhost_most, &all_most);
    printf("16 x 300 ms, jobs 8, no per-host limit, 1 host: %" PRId64 " ms; most at once: %d\n",
           elapsed, all_most);
    CHECK_INT(failures, 0);
    CHECK(elapsed > 0 && elapsed < 2400);
    CHECK(all_most >= 3 && all_most <= 8);

    /* jobs 1: strictly one after the other. */
    opts.jobs = 1;
    elapsed = run_sleepers(&opts, "serial", 4, true, &failures);
    read_stats("serial", &local_most, &localhost_most, &all_most);
    printf("4 x 300 ms, jobs 1: %" PRId64 " ms; most at once: %d\n", elapsed, all_most);
    CHECK_INT(failures, 0);
    CHECK_INT(all_most, 1);
    CHECK(elapsed >= 1200);
}

/* A gate of one slot per host, as if another fetcher held the other: it
 * counts what it was asked; open: it lets every request start holding
 * nothing. */
struct gate_log {
    int held[2]; /* 127.0.0.1, localhost */
    int most, entered, waited, left;
    bool open;
    int opened;
};

static int gate_index(const char *host)
{
    return strcmp(host, "localhost") == 0;
}

static int test_gate_enter(void *ctx, const char *host, int per_host)
{
    struct gate_log *g = ctx;
    CHECK_INT(per_host, 2);
    if (g->open) {
        g->opened++;
        return FK_FETCH_GATE_OPEN;
    }
    int *held = &g->held[gate_index(host)];
    if (*held >= 1) {
        g->waited++;
        return FK_FETCH_GATE_WAIT;
    }
    (*held)++;
    g->entered++;
    if (*held > g->most)
        g->most = *held;
    return 0;
}

static void test_gate_leave(void *ctx, const char *host, int slot)
{
    struct gate_log *g = ctx;
    CHECK_INT(slot, 0);
    g->held[gate_index(host)]--;
    g->left++;
}

static void test_gate(void)
{
    struct gate_log g = {0};
    struct fk_fetch_gate gate = {test_gate_enter, test_gate_leave, &g};
    struct fk_fetch_options opts = test_options();
    int failures, local_most, localhost_most, all_most;
    int64_t elapsed = run_gated_sleepers(&opts, &gate, "gated", 8, true, &failures);
    read_stats("gated", &local_most, &localhost_most, &all_most);
    printf("8 x 300 ms, 2 per host, gate of 1 per host: %" PRId64 " ms; most at once: "
           "127.0.0.1 %d, localhost %d; gate: %d entered, %d waits\n",
           elapsed, local_most, localhost_most, g.entered, g.waited);
    CHECK_INT(failures, 0);
    CHECK_INT(local_most, 1);
    CHECK_INT(localhost_most, 1);
    CHECK_INT(g.most, 1);
    CHECK_INT(g.entered, 8);
    CHECK_INT(g.left, 8);
    CHECK(g.waited > 0);
    CHECK(g.held[0] == 0 && g.held[1] == 0);

    /* FK_FETCH_GATE_OPEN: started holding nothing, never left */
    struct fk_error err = {0};
    struct fk_fetch *fetch = fk_fetch_new(&opts, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    g.open = true;
    fk_fetch_set_gate(fetch, &gate);
    struct outcome o = {0};
    struct fk_fetch_request req = {.url = local("/feed"), .user = &o};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK_INT(g.opened, 1);
    CHECK_INT(g.left, 8);
    outcome_release(&o);
    fk_fetch_free(fetch);
}

/* The callback queues a follow-up request, the way a backfill walks pages. */
struct pager {
    int pages;
    int wanted;
    struct fk_fetch *fetch;
};

static int next_page(const struct fk_fetch_result *r, void *ctx)
{
    struct pager *p = ctx;
    CHECK_INT(r->error, FK_FETCH_OK);
    if (++p->pages < p->wanted) {
        struct fk_fetch_request req = {.url = local("/feed")};
        CHECK_INT(fk_fetch_add(p->fetch, &req, NULL), 0);
    }
    return 0;
}

static int stop_at_once(const struct fk_fetch_result *r, void *ctx)
{
    (void)r;
    (*(int *)ctx)++;
    return 1;
}

static void test_batch_control(void)
{
    struct fk_error err = {0};
    struct fk_fetch *fetch = fk_fetch_new(NULL, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    struct pager pager = {0, 3, fetch};
    struct fk_fetch_request req = {.url = local("/feed")};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, next_page, &pager, &err), 0);
    CHECK_INT(pager.pages, 3);

    /* The callback stops the batch: the rest is dropped, without calls. */
    for (int i = 0; i < 6; i++) {
        req.url = local(i % 2 ? "/sleep?ms=200" : "/feed");
        CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    }
    int calls = 0;
    err.kind = FK_ERROR_NONE;
    CHECK_INT(fk_fetch_run(fetch, stop_at_once, &calls, &err), -1);
    CHECK_INT(calls, 1);
    CHECK_INT(err.kind, FK_ERROR_NONE);

    /* Stopping on a request that failed before reaching the network. */
    req.url = "ftp://example.com/";
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    req.url = local("/feed");
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    calls = 0;
    CHECK_INT(fk_fetch_run(fetch, stop_at_once, &calls, &err), -1);
    CHECK_INT(calls, 1);

    /* And the batch still works afterwards. */
    pager.pages = 0;
    pager.wanted = 1;
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, next_page, &pager, &err), 0);
    CHECK_INT(pager.pages, 1);

    /* Freeing a batch with requests still queued. */
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    fk_fetch_free(fetch);
}

/* Run one request as given (public_only, max_body) in a batch of its own. */
static void fetch_request(struct fk_fetch_request req, struct outcome *o)
{
    struct fk_error err = {0};
    struct fk_fetch_options opts = test_options();
    outcome_release(o);
    struct fk_fetch *fetch = fk_fetch_new(&opts, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    req.user = o;
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    CHECK_INT(o->calls, 1);
    fk_fetch_free(fetch);
}

/* What /script/NAME has received, as the server's JSON list. */
static void check_script_log(const char *name, const char *expected)
{
    struct outcome o = {0};
    char path[128];
    snprintf(path, sizeof path, "/log/%s", name);
    fetch_one(local(path), &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK_STR(o.body, expected);
    outcome_release(&o);
}

/* The connections the server has accepted, this request's included. */
static long server_connections(void)
{
    struct outcome o = {0};
    fetch_one(local("/connections"), &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    long count = o.body ? strtol(o.body, NULL, 10) : -1;
    outcome_release(&o);
    return count;
}

static void test_public_only(void)
{
    struct outcome o = {0};

    /* The loopback server is refused before a connection is even tried:
     * between two counts (each its own connection), none other. */
    long before = server_connections();
    fetch_request((struct fk_fetch_request){.url = local("/script/private"), .public_only = true},
                  &o);
    CHECK_INT(server_connections(), before + 1);
    CHECK_INT(o.error, FK_FETCH_REFUSED);
    CHECK_STR(o.message, "refused: 127.0.0.1 is a loopback address");
    CHECK_INT(o.http_status, 0);
    CHECK(o.body == NULL);
    check_script_log("private", "[]");

    /* Whatever the name resolves to: localhost is ::1 or 127.0.0.1. */
    fetch_request((struct fk_fetch_request){.url = url_on("localhost", "/script/private"),
                                            .public_only = true},
                  &o);
    CHECK_INT(o.error, FK_FETCH_REFUSED);
    CHECK(o.message && strncmp(o.message, "refused: ", 9) == 0 &&
          strstr(o.message, " is a loopback address"));
    check_script_log("private", "[]");

    /* IPv4 inside IPv6 is judged by the IPv4 address. */
    fetch_request((struct fk_fetch_request){.url = url_on("[::ffff:127.0.0.1]", "/script/private"),
                                            .public_only = true},
                  &o);
    CHECK_INT(o.error, FK_FETCH_REFUSED);
    CHECK_STR(o.message, "refused: ::ffff:127.0.0.1 is a loopback address");

    /* Only http and https, even as the URL given. */
    fetch_request((struct fk_fetch_request){.url = "file:///etc/hostname", .public_only = true},
                  &o);
    CHECK_INT(o.error, FK_FETCH_REFUSED);
    CHECK_STR(o.message, "refused: protocol 'file' is not http or https");
    CHECK(o.body == NULL);
    fetch_request((struct fk_fetch_request){.url = "ftp://example.com/", .public_only = true}, &o);
    CHECK_INT(o.error, FK_FETCH_BAD_URL);

    /* Without the flag the same requests go through. */
    fetch_request((struct fk_fetch_request){.url = local("/script/private")}, &o);
    CHECK_INT(o.error, FK_FETCH_OK);
    CHECK_INT(o.http_status, 200);
    outcome_release(&o);
}

/* A connection kept alive from a request that may go anywhere is checked
 * again before a public_only request goes out on it. */
static int then_public_only(const struct fk_fetch_result *r, void *ctx)
{
    struct outcome *second = ctx;
    if (r->user == second)
        return record(r, NULL);
    CHECK_INT(r->error, FK_FETCH_OK);
    struct fk_fetch_request req = {
        .url = local("/script/reused"), .user = second, .public_only = true};
    CHECK_INT(fk_fetch_add(*(struct fk_fetch **)r->user, &req, NULL), 0);
    return 0;
}

static void test_public_only_reused_connection(void)
{
    struct fk_error err = {0};
    struct fk_fetch *fetch = fk_fetch_new(NULL, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    struct outcome second = {0};
    struct fk_fetch_request req = {.url = local("/feed"), .user = &fetch};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, then_public_only, &second, &err), 0);
    CHECK_INT(second.calls, 1);
    CHECK_INT(second.error, FK_FETCH_REFUSED);
    CHECK_STR(second.message, "refused: 127.0.0.1 is a loopback address");
    fk_fetch_free(fetch);
    check_script_log("reused", "[]");
    outcome_release(&second);
}

/* A request's own body cap overrides the batch's, for that request only. */
static void test_request_max_body(void)
{
    struct fk_error err = {0};
    struct fk_fetch_options opts = test_options();
    struct fk_fetch *fetch = fk_fetch_new(&opts, &err);
    CHECK(fetch != NULL);
    if (!fetch)
        return;
    struct outcome capped = {0}, uncapped = {0};
    struct fk_fetch_request req = {.url = local("/feed"), .user = &capped, .max_body = 10};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    req = (struct fk_fetch_request){.url = local("/feed"), .user = &uncapped};
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, record, NULL, &err), 0);
    CHECK_INT(capped.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(capped.message, "body larger than 10 bytes");
    CHECK_INT(uncapped.error, FK_FETCH_OK);
    CHECK_STR(uncapped.body, feed_body);
    fk_fetch_free(fetch);

    struct outcome o = {0};
    fetch_request((struct fk_fetch_request){.url = local("/big"), .max_body = 4096}, &o);
    CHECK_INT(o.error, FK_FETCH_TOO_LARGE);
    CHECK_STR(o.message, "body larger than 4 KiB");
    outcome_release(&capped);
    outcome_release(&uncapped);
    outcome_release(&o);
}

int main(void)
{
    /* A proxy from the environment would take loopback requests elsewhere. */
    static const char *const proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                          "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);
    alarm(WATCHDOG_SECONDS);

    RUN(test_options_and_names);
    RUN(test_bad_urls);
    RUN(test_file_urls);
    port = loopback_start("test_fetch", 300);
    if (port < 0) {
        loopback_stop();
        return 1;
    }
    RUN(test_ok);
    RUN(test_conditional);
    RUN(test_request_headers);
    RUN(test_redirects);
    RUN(test_redirect_failures);
    RUN(test_http_errors);
    RUN(test_unconditional_304);
    RUN(test_future_last_modified);
    RUN(test_compression_and_caps);
    RUN(test_timeouts);
    RUN(test_connect_timeout);
    RUN(test_transport_failures);
    RUN(test_parallel);
    RUN(test_gate);
    RUN(test_batch_control);
    RUN(test_public_only);
    RUN(test_public_only_reused_connection);
    RUN(test_request_max_body);
    loopback_stop();
    return DONE();
}
