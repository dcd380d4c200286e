/* test_update.c - the fetch run's policy against a loopback HTTP server.
 *
 * The test starts tests/httpd.py itself (python3, or $FK_PYTHON) on
 * 127.0.0.1 with a port the system chooses, and checks each policy of a run
 * through its events and through the archive, in a temporary directory:
 * a body filed, a 304, a failure backed off and logged (a refused body's
 * too, whose transaction was rolled back), a permanent move reported and
 * followed, a backfill ending at a missing page or failing, an item
 * warning. The server exits when its stdin, a pipe from this process,
 * closes; an alarm bounds the whole run. Nothing touches the network.
 */
#include "feedkeep/update.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/search.h"
#include "harness.h"
#include "loopback.h"

#define WATCHDOG_SECONDS 120

static int port;
static char tmp_dir[] = "/tmp/fk-test-update-XXXXXX";

/* ---- the server --------------------------------------------------------------- */

/* A URL of the server; valid for the next 3 calls. */
static const char *on_server(const char *path)
{
    static char urls[4][512];
    static unsigned next;
    char *url = urls[next++ % 4];
    snprintf(url, sizeof urls[0], "http://127.0.0.1:%d%s", port, path);
    return url;
}

static int ignore_result(const struct fk_fetch_result *result, void *ctx)
{
    (void)result;
    (void)ctx;
    return 0;
}

/* GET path on the server (a /control request), whatever it answers. */
static void get(const char *path)
{
    struct fk_error err = {0};
    struct fk_fetch *fetch = fk_fetch_new(NULL, &err);
    struct fk_fetch_request req = {.url = on_server(path)};
    CHECK(fetch != NULL);
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, ignore_result, NULL, &err), 0);
    fk_fetch_free(fetch);
}

/* ---- running an update and keeping its events ------------------------------------ */

/* A copy of one event, kept after the callback. */
struct seen_event {
    enum fk_update_event_kind kind;
    char *url;
    int page;
    char *message;
    int64_t delay; /* FAILED: next_fetch - time */
    int failures;
    long counts[FK_PUT_COUNT];
    int pages;
    char *moved_to;
    bool followed, known_move;
    int64_t article_id; /* ARTICLE_PAGE, ARTICLE_PAGE_FAILED */
    enum fk_page_result page_result;
    bool given_up; /* ARTICLE_PAGE_FAILED: next_fetch is FK_TIME_NONE */
};

#define MAX_EVENTS 128

struct run_log {
    struct seen_event events[MAX_EVENTS];
    size_t n;
    struct fk_update_totals totals;
    enum fk_update_end end;
};

static void keep_event(const struct fk_update_event *ev, void *ctx)
{
    struct run_log *log = ctx;
    CHECK(log->n < MAX_EVENTS);
    if (log->n >= MAX_EVENTS)
        return;
    struct seen_event *e = &log->events[log->n++];
    e->kind = ev->kind;
    e->url = fk_xstrdup(ev->url);
    e->page = ev->page;
    e->message = fk_xstrdup(ev->message);
    if (ev->kind == FK_UPDATE_FAILED || ev->kind == FK_UPDATE_ARTICLE_PAGE_FAILED) {
        e->given_up = ev->next_fetch == FK_TIME_NONE;
        e->delay = e->given_up ? 0 : ev->next_fetch - ev->time;
        e->failures = ev->failures;
    }
    e->article_id = ev->article_id;
    e->page_result = ev->page_result;
    if (ev->feed) {
        memcpy(e->counts, ev->feed->counts, sizeof e->counts);
        e->pages = ev->feed->pages;
        e->moved_to = fk_xstrdup(ev->feed->moved_to);
        e->followed = ev->feed->followed;
        e->known_move = ev->feed->known_move;
    }
    if (ev->kind == FK_UPDATE_ITEM_WARNING)
        CHECK(ev->item != NULL);
    if (ev->kind == FK_UPDATE_RECOVERED)
        CHECK(ev->info != NULL);
}

static void run_log_release(struct run_log *log)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->events[i].url);
        free(log->events[i].message);
        free(log->events[i].moved_to);
    }
    memset(log, 0, sizeof *log);
}

/* The only event of kind in log, or NULL (a check fails when there are
 * several). */
static const struct seen_event *the_event(const struct run_log *log, enum fk_update_event_kind kind)
{
    const struct seen_event *found = NULL;
    size_t count = 0;
    for (size_t i = 0; i < log->n; i++) {
        if (log->events[i].kind == kind) {
            found = &log->events[i];
            count++;
        }
    }
    CHECK(count <= 1);
    return found;
}

static size_t count_events(const struct run_log *log, enum fk_update_event_kind kind)
{
    size_t count = 0;
    for (size_t i = 0; i < log->n; i++)
        count += log->events[i].kind == kind;
    return count;
}

/* Options for tests: short timeouts, so a failure costs seconds. */
static struct fk_update_options test_options(void)
{
    struct fk_update_options opts;
    fk_update_options_init(&opts);
    opts.fetch.connect_timeout_ms = 5000;
    opts.fetch.timeout_ms = 20000;
    return opts;
}

/* The article filed from url (an item's link), or 0. */
static int64_t article_at(struct fk_store *store, const char *url)
{
    int64_t id = 0;
    struct fk_error err = {0};
    if (fk_store_find_article(store, url, &id, &err) != 0)
        return 0;
    return id;
}

/* Run the due feeds of store (released first into log). */
static void run_due(struct fk_store *store, const struct fk_update_options *opts,
                    struct run_log *log)
{
    struct fk_error err = {0};
    run_log_release(log);
    struct fk_update *update = fk_update_new(store, opts, (int64_t)time(NULL));
    CHECK_INT(fk_update_add_due(update, &err), 0);
    log->end = fk_update_run(update, keep_event, log, &err);
    if (log->end != FK_UPDATE_COMPLETE)
        fprintf(stderr, "test_update: run ended %d: %s\n", (int)log->end, err.message);
    log->totals = *fk_update_totals(update);
    fk_update_free(update);
}

/* The raw documents kept (fk_store_list_raw), and the last one's status
 * and whether it had an ETag. */
struct raw_count {
    int n;
    int status;
    bool etag;
};

static int count_raw(const struct fk_raw_document *doc, void *ctx)
{
    struct raw_count *c = ctx;
    c->n++;
    c->status = doc->status;
    c->etag = doc->etag != NULL;
    return 0;
}

static struct raw_count raw_of(struct fk_store *store)
{
    struct raw_count c = {0};
    struct fk_error err = {0};
    CHECK_INT(fk_store_list_raw(store, 0, count_raw, &c, &err), 0);
    return c;
}

/* A fresh archive holding one subscription, to path on the server. */
static struct fk_store *archive_of(const char *name, const char *path)
{
    struct fk_error err = {0};
    char file[512];
    snprintf(file, sizeof file, "%s/%s.db", tmp_dir, name);
    struct fk_store *store = fk_store_open(file, &err);
    CHECK(store != NULL);
    if (store)
        CHECK_INT(fk_store_subscribe(store, on_server(path), NULL, false, NULL, &err), 1);
    return store;
}

/* The id of the subscription at path on the server, or 0. */
static int64_t feed_at_id(struct fk_store *store, const char *path);

/* The subscription at path on the server (release it), or a zeroed one. */
static struct fk_subscription feed_at(struct fk_store *store, const char *path)
{
    struct fk_subscription sub;
    struct fk_error err = {0};
    int found = fk_store_find_feed(store, on_server(path), 0, &sub, &err);
    CHECK_INT(found, 0);
    return sub;
}

static int64_t feed_at_id(struct fk_store *store, const char *path)
{
    struct fk_subscription sub = feed_at(store, path);
    int64_t id = sub.id;
    fk_subscription_release(&sub);
    return id;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_options_init(void)
{
    struct fk_update_options opts;
    fk_update_options_init(&opts);
    CHECK_INT(opts.pages, 1);
    CHECK(!opts.force && !opts.follow_moves && !opts.clean_message);
    CHECK_INT(opts.fetch.jobs, FK_FETCH_DEFAULT_JOBS);

    /* A run without feeds is complete at once, and runs once. */
    struct fk_error err = {0};
    char file[512];
    snprintf(file, sizeof file, "%s/empty.db", tmp_dir);
    struct fk_store *store = fk_store_open(file, &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct fk_update *update = fk_update_new(store, &opts, (int64_t)time(NULL));
    CHECK_INT(fk_update_add_due(update, &err), 0);
    CHECK_INT(fk_update_run(update, NULL, NULL, &err), FK_UPDATE_COMPLETE);
    CHECK_INT(fk_update_totals(update)->feeds, 0);
    CHECK_INT(fk_update_run(update, NULL, NULL, &err), FK_UPDATE_NOT_STARTED);
    fk_update_free(update);
    fk_store_close(store);
}

/* A body is filed with its validators; the next run sends them and gets a
 * 304. A feed named twice is in the run once. */
static void test_filed_then_not_modified(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    struct fk_store *store = archive_of("filed", "/script/filed");
    if (!store)
        return;

    run_due(store, &opts, &log);
    CHECK_INT(log.end, FK_UPDATE_COMPLETE);
    CHECK_INT(log.n, 2);
    CHECK_INT(log.events[0].kind, FK_UPDATE_STARTED);
    const struct seen_event *e = the_event(&log, FK_UPDATE_FILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->url, on_server("/script/filed"));
        CHECK_INT(e->counts[FK_PUT_NEW], 3);
        CHECK_INT(e->pages, 0);
        CHECK(e->moved_to == NULL);
    }
    CHECK_INT(log.totals.feeds, 1);
    CHECK_INT(log.totals.counts[FK_PUT_NEW], 3);
    CHECK_INT(log.totals.failed, 0);
    struct fk_subscription sub = feed_at(store, "/script/filed");
    CHECK_INT(sub.articles, 3);
    CHECK_INT(sub.failures, 0);
    CHECK(sub.etag != NULL);
    CHECK(sub.last_error == NULL);
    /* The body that filed articles is kept, with its headers. */
    struct raw_count raw = raw_of(store);
    CHECK_INT(raw.n, 1);
    CHECK_INT(raw.status, 200);
    CHECK(raw.etag);

    /* Within a day of the body, the validators are sent. */
    struct fk_update *update = fk_update_new(store, &opts, (int64_t)time(NULL));
    CHECK_INT(fk_update_add(update, &sub), 0);
    CHECK_INT(fk_update_add(update, &sub), 1);
    CHECK_INT(fk_update_totals(update)->feeds, 1);
    fk_subscription_release(&sub);
    run_log_release(&log);
    struct fk_error err = {0};
    CHECK_INT(fk_update_run(update, keep_event, &log, &err), FK_UPDATE_COMPLETE);
    CHECK(the_event(&log, FK_UPDATE_NOT_MODIFIED) != NULL);
    CHECK(the_event(&log, FK_UPDATE_FILED) == NULL);
    CHECK_INT(fk_update_totals(update)->not_modified, 1);
    fk_update_free(update);
    CHECK_INT(raw_of(store).n, 1); /* a 304 keeps nothing */

    /* force: no validators, so the body again, its items unchanged. */
    opts.force = true;
    run_due(store, &opts, &log);
    e = the_event(&log, FK_UPDATE_FILED);
    CHECK(e != NULL);
    if (e)
        CHECK_INT(e->counts[FK_PUT_UNCHANGED], 3);
    CHECK_INT(raw_of(store).n, 1); /* nor does a body that changed nothing */
    run_log_release(&log);
    fk_store_close(store);
}

/* A failure is logged and backed off: 30 minutes, then twice as long; a
 * feed in backoff is not due unless forced. */
static void test_failure_backoff(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    struct fk_store *store = archive_of("failed", "/script/failed?status=500");
    if (!store)
        return;

    run_due(store, &opts, &log);
    CHECK_INT(log.end, FK_UPDATE_COMPLETE);
    const struct seen_event *e = the_event(&log, FK_UPDATE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->message, "HTTP 500");
        CHECK_INT(e->failures, 1);
        CHECK_INT(e->delay, FK_BACKOFF_FIRST);
        CHECK_INT(e->page, 1);
    }
    CHECK_INT(log.totals.failed, 1);
    struct fk_subscription sub = feed_at(store, "/script/failed?status=500");
    CHECK_INT(sub.failures, 1);
    CHECK_INT(sub.last_status, 500);
    CHECK_STR(sub.last_error, "HTTP 500");
    fk_subscription_release(&sub);

    run_due(store, &opts, &log);
    CHECK_INT(log.n, 0);
    CHECK_INT(log.totals.feeds, 0);
    CHECK_INT(log.totals.not_due, 1);

    opts.force = true;
    run_due(store, &opts, &log);
    e = the_event(&log, FK_UPDATE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->failures, 2);
        CHECK_INT(e->delay, 2 * FK_BACKOFF_FIRST);
    }
    run_log_release(&log);
    fk_store_close(store);
}

static char *bracketed(const char *message)
{
    struct fk_buf buf = FK_BUF_INIT;
    fk_buf_printf(&buf, "[%s]", message);
    return fk_buf_detach(&buf);
}

/* A body that is not a feed: its transaction is rolled back, and the
 * failure is logged outside it, in the form clean_message gives it. */
static void test_refused_body(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    struct fk_store *store = archive_of("refused", "/script/refused?html=1");
    if (!store)
        return;
    opts.clean_message = bracketed;

    run_due(store, &opts, &log);
    const struct seen_event *e = the_event(&log, FK_UPDATE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->message, "[not an RSS or Atom feed (root element <html>)]");
        CHECK_INT(e->failures, 1);
        CHECK_INT(e->counts[FK_PUT_NEW], 0);
    }
    struct fk_subscription sub = feed_at(store, "/script/refused?html=1");
    CHECK_INT(sub.failures, 1);
    CHECK_INT(sub.last_status, 200);
    CHECK_STR(sub.last_error, "[not an RSS or Atom feed (root element <html>)]");
    CHECK_INT(sub.articles, 0);
    CHECK(sub.next_fetch != FK_TIME_NONE);
    CHECK_INT(raw_of(store).n, 0); /* rolled back with the document */
    fk_subscription_release(&sub);
    run_log_release(&log);
    fk_store_close(store);
}

/* A 301 is reported at each fetch; follow_moves changes the subscription
 * to the new URL, keeping the feed. */
static void test_permanent_move(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    const char *old_path = "/redirect?code=301&to=/script/moved";
    struct fk_store *store = archive_of("moved", old_path);
    if (!store)
        return;
    struct fk_subscription sub = feed_at(store, old_path);
    int64_t id = sub.id;
    fk_subscription_release(&sub);

    run_due(store, &opts, &log);
    const struct seen_event *e = the_event(&log, FK_UPDATE_MOVED);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->moved_to, on_server("/script/moved"));
        CHECK(!e->followed);
        CHECK(!e->known_move);
    }
    e = the_event(&log, FK_UPDATE_FILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->moved_to, on_server("/script/moved"));
        CHECK_INT(e->counts[FK_PUT_NEW], 3);
    }
    CHECK(log.n >= 2 && log.events[log.n - 2].kind == FK_UPDATE_MOVED);

    opts.force = true;
    opts.follow_moves = true;
    run_due(store, &opts, &log);
    e = the_event(&log, FK_UPDATE_MOVED);
    CHECK(e != NULL);
    if (e) {
        CHECK(e->followed);
        CHECK(e->known_move);
        CHECK_STR(e->url, on_server(old_path));
    }
    struct fk_error err = {0};
    CHECK_INT(fk_store_find_feed(store, on_server(old_path), 0, &sub, &err), 1);
    sub = feed_at(store, "/script/moved");
    CHECK_INT(sub.id, id);
    CHECK(sub.subscribed);
    fk_subscription_release(&sub);
    run_log_release(&log);
    fk_store_close(store);
}

/* Backfill pages are filed until one is missing (a 404 ends the walk, it
 * is no failure); a page that fails stops the walk with PAGE_FAILED and
 * leaves the feed's schedule alone. */
static void test_backfill(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    const char *path = "/script/pages?pages=3&page_end=404";
    struct fk_store *store = archive_of("pages", path);
    if (!store)
        return;
    opts.pages = 10;

    run_due(store, &opts, &log);
    CHECK_INT(count_events(&log, FK_UPDATE_PAGE_FAILED), 0);
    const struct seen_event *e = the_event(&log, FK_UPDATE_FILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->pages, 2);
        CHECK_INT(e->counts[FK_PUT_NEW], 3 + 5 + 5);
    }
    CHECK_INT(log.totals.failed, 0);
    fk_store_close(store);

    /* Page 2 is larger than the body limit, page 1 is not. */
    path = "/script/bigpage?items=1&pages=3&per_page=100";
    store = archive_of("bigpage", path);
    if (!store)
        return;
    opts.fetch.max_body = 4096;
    run_due(store, &opts, &log);
    e = the_event(&log, FK_UPDATE_PAGE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->page, 2);
        CHECK(e->url && strstr(e->url, "&page=2") != NULL);
        CHECK(e->message && strstr(e->message, "body larger than") != NULL);
    }
    e = the_event(&log, FK_UPDATE_FILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->pages, 0);
        CHECK_INT(e->counts[FK_PUT_NEW], 1);
    }
    CHECK_INT(log.totals.failed, 1);
    struct fk_subscription sub = feed_at(store, path);
    CHECK_INT(sub.failures, 0);
    CHECK(sub.next_fetch == FK_TIME_NONE);
    fk_subscription_release(&sub);
    run_log_release(&log);
    fk_store_close(store);
}

/* Items whose new text is under half the archived one keep it, each with
 * a warning. */
static void test_item_warning(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    struct fk_store *store = archive_of("warned", "/script/warned");
    if (!store)
        return;

    run_due(store, &opts, &log);
    CHECK_INT(count_events(&log, FK_UPDATE_ITEM_WARNING), 0);
    get("/control/warned?short=1");
    opts.force = true;
    run_due(store, &opts, &log);
    CHECK_INT(count_events(&log, FK_UPDATE_ITEM_WARNING), 3);
    const struct seen_event *e = &log.events[1];
    CHECK_INT(e->kind, FK_UPDATE_ITEM_WARNING);
    CHECK_STR(e->url, on_server("/script/warned"));
    CHECK_STR(e->message, "new body is shorter than half the archived one; kept the archived text");
    e = the_event(&log, FK_UPDATE_FILED);
    CHECK(e != NULL);
    if (e)
        CHECK_INT(e->counts[FK_PUT_KEPT_SHORTER], 3);
    run_log_release(&log);
    fk_store_close(store);
}

/* Remove the archives and the directory. */
static void remove_tmp_dir(void)
{
    static const char *const names[] = {
        "empty",         "filed",       "failed",     "refused",  "moved",
        "pages",         "bigpage",     "warned",     "teasers",  "backoff",
        "cap",           "kind-empty",  "kind-login", "kind-pdf", "kind-big",
        "kind-redirect", "kind-latin1", "kind-short", "private",  "kind-httpcharset",
    };
    static const char *const suffixes[] = {".db", ".db-wal", ".db-shm", ".db-journal"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (size_t j = 0; j < sizeof suffixes / sizeof suffixes[0]; j++) {
            snprintf(path, sizeof path, "%s/%s%s", tmp_dir, names[i], suffixes[j]);
            unlink(path);
        }
    }
    snprintf(path, sizeof path, "%s/teasers.xml", tmp_dir);
    unlink(path);
    rmdir(tmp_dir);
}

/* ---- article pages ------------------------------------------------------------------- */

/* The body of a GET of path on the server, a new string. */
struct body_copy {
    char *data;
};

static int copy_body(const struct fk_fetch_result *result, void *ctx)
{
    struct body_copy *copy = ctx;
    copy->data = fk_xstrdup(result->body ? result->body : "");
    return 0;
}

static char *get_body(const char *path)
{
    struct fk_error err = {0};
    struct body_copy copy = {0};
    struct fk_fetch *fetch = fk_fetch_new(NULL, &err);
    struct fk_fetch_request req = {.url = on_server(path)};
    CHECK(fetch != NULL);
    CHECK_INT(fk_fetch_add(fetch, &req, &err), 0);
    CHECK_INT(fk_fetch_run(fetch, copy_body, &copy, &err), 0);
    fk_fetch_free(fetch);
    return copy.data ? copy.data : fk_xstrdup("");
}

/* Requests of script name's article pages the server received, and of
 * those the conditional ones (with If-None-Match). */
struct page_requests {
    int all;
    int conditional;
};

static struct page_requests page_requests(const char *name)
{
    struct page_requests n = {0};
    char path[128], needle[128];
    snprintf(path, sizeof path, "/log/%s", name);
    snprintf(needle, sizeof needle, "\"path\": \"/article/%s/", name);
    char *log = get_body(path);
    for (char *p = log; (p = strstr(p, needle)); p++) {
        n.all++;
        char *end = strchr(p, '}');
        char *inm = strstr(p, "\"if_none_match\": \"");
        n.conditional += inm && end && inm < end;
    }
    free(log);
    return n;
}

/* Set script name's parameters (query: "a=1&b=2") after a reset. */
static void script(const char *name, const char *query)
{
    char path[256];
    snprintf(path, sizeof path, "/control/%s?reset=1&%s", name, query);
    get(path);
}

/* The URL of item i's page of script name. */
static const char *page_of(const char *name, int i)
{
    static char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/article/%s/%d", port, name, i);
    return url;
}

/* The text of article id (a new string; "" when it is missing). */
static char *text_of(struct fk_store *store, int64_t id)
{
    struct fk_article a;
    struct fk_error err = {0};
    if (fk_store_get_article(store, id, &a, &err) != 0)
        return fk_xstrdup("");
    char *text = fk_xstrdup(a.text);
    fk_article_release(&a);
    return text;
}

static bool text_has(struct fk_store *store, int64_t id, const char *word)
{
    char *text = text_of(store, id);
    bool has = strstr(text, word) != NULL;
    free(text);
    return has;
}

static int count_hit(const struct fk_search_hit *hit, void *ctx)
{
    (void)hit;
    ++*(int *)ctx;
    return 0;
}

/* Articles the full-text index finds for query. */
static int search_count(struct fk_store *store, const char *query)
{
    struct fk_search_query q;
    struct fk_error err = {0};
    int hits = 0;
    CHECK_INT(fk_search_parse(query, &q, &err), 0);
    CHECK_INT(fk_store_search(store, &q, NULL, NULL, count_hit, &hits, &err), 0);
    fk_search_query_release(&q);
    return hits;
}

static int count_version(const struct fk_version *v, void *ctx)
{
    int *counts = ctx;
    counts[v->kind]++;
    return 0;
}

static int keep_first_url(const struct fk_asset_row *row, void *ctx)
{
    char *first = ctx;
    if (!*first)
        snprintf(first, 256, "%s", row->url);
    return 0;
}

/* The URL of the first asset article id references ("" when none). */
static const char *first_asset(struct fk_store *store, int64_t id)
{
    static char first[256];
    struct fk_error err = {0};
    first[0] = '\0';
    CHECK_INT(fk_store_article_assets(store, id, keep_first_url, first, &err), 0);
    return first;
}

/* A teaser feed whose pages the server serves: each page becomes its
 * article's text (searchable, the teaser kept as a replaced version); a
 * second run fetches no page; a changed item gets a conditional GET, and
 * the page stays its article's text. */
static void test_article_pages(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    script("teasers", "teaser=1");
    struct fk_store *store = archive_of("teasers", "/script/teasers");
    if (!store)
        return;
    struct fk_subscription sub = feed_at(store, "/script/teasers");
    CHECK_INT(sub.full_text, FK_FULL_TEXT_AUTO);
    fk_subscription_release(&sub);
    CHECK_INT(search_count(store, "pageonly2"), 0);

    run_due(store, &opts, &log);
    CHECK_INT(log.end, FK_UPDATE_COMPLETE);
    CHECK_INT(count_events(&log, FK_UPDATE_ARTICLE_PAGE), 3);
    CHECK_INT(count_events(&log, FK_UPDATE_ARTICLE_PAGE_FAILED), 0);
    /* The feed's run ended before its pages were fetched. */
    CHECK_INT(log.events[1].kind, FK_UPDATE_FILED);
    for (size_t i = 0; i < log.n; i++) {
        if (log.events[i].kind == FK_UPDATE_ARTICLE_PAGE)
            CHECK_INT(log.events[i].page_result, FK_PAGE_USED);
    }
    CHECK_INT(log.totals.article_pages, 3);
    CHECK_INT(log.totals.article_pages_used, 3);
    CHECK(!log.totals.article_pages_capped);
    int64_t id = article_at(store, page_of("teasers", 2));
    CHECK(id > 0);
    CHECK(text_has(store, id, "pageonly2"));
    CHECK(text_has(store, id, "caf\xC3\xA9"));
    CHECK(!text_has(store, id, "Comments are closed"));
    CHECK_INT(search_count(store, "pageonly2"), 1);
    CHECK_INT(search_count(store, "pageonly3"), 1);
    int versions[3] = {0};
    struct fk_error err = {0};
    CHECK_INT(fk_store_list_versions(store, id, count_version, versions, &err), 0);
    CHECK_INT(versions[FK_VERSION_REPLACED], 1);
    struct fk_page_row row;
    CHECK_INT(fk_store_get_page(store, id, &row, &err), 0);
    CHECK(row.used);
    CHECK_INT(row.status, FK_PAGE_STORED);
    CHECK_STR(row.title, "teasers item 2");
    CHECK(row.etag != NULL);
    fk_page_row_release(&row);
    CHECK_INT(page_requests("teasers").all, 3);
    /* The page's image is the article's asset. */
    char image[128];
    snprintf(image, sizeof image, "http://127.0.0.1:%d/images/teasers-2.png", port);
    CHECK_STR(first_asset(store, id), image);

    /* Nothing changed: the feed answers 304, no page is fetched. */
    run_due(store, &opts, &log);
    CHECK(the_event(&log, FK_UPDATE_NOT_MODIFIED) != NULL);
    CHECK_INT(log.totals.article_pages, 0);
    /* Nor when the feed's body comes again with the same items. */
    opts.force = true;
    run_due(store, &opts, &log);
    CHECK(the_event(&log, FK_UPDATE_FILED) != NULL);
    CHECK_INT(log.totals.article_pages, 0);
    CHECK_INT(page_requests("teasers").all, 3);

    /* The items change: the feed's new teaser replaces the page's text
     * until the page, asked for with its validators, answers 304 and is
     * the article's text again. */
    get("/control/teasers?version=2");
    run_due(store, &opts, &log);
    /* (The feed's shorter teasers are no news: no warning.) */
    CHECK_INT(log.totals.counts[FK_PUT_UNCHANGED], 3);
    CHECK_INT(count_events(&log, FK_UPDATE_ITEM_WARNING), 0);
    CHECK_INT(log.totals.article_pages, 3);
    struct page_requests n = page_requests("teasers");
    CHECK_INT(n.all, 6);
    CHECK_INT(n.conditional, 3);
    CHECK(text_has(store, id, "pageonly2"));
    CHECK_INT(search_count(store, "pageonly2"), 1);
    CHECK_STR(first_asset(store, id), image);

    /* The page changes with the item: the new page is the text. */
    get("/control/teasers?version=3&article_version=2");
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages_used, 3);
    CHECK(text_has(store, id, "version 2, holds"));
    CHECK_INT(page_requests("teasers").all, 9);

    /* off: no page is fetched, even for a changed item. */
    CHECK_INT(
        fk_store_set_full_text(store, feed_at_id(store, "/script/teasers"), FK_FULL_TEXT_OFF, &err),
        0);
    get("/control/teasers?version=4&article_version=2");
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 0);
    CHECK_INT(page_requests("teasers").all, 9);
    run_log_release(&log);
    fk_store_close(store);
}

/* A page that fails backs off like a feed (Retry-After included) and is
 * not fetched while it does; the feed's text stays. */
static void test_article_page_backoff(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    script("backoff", "teaser=1&items=1&article=status&article_status=503");
    struct fk_store *store = archive_of("backoff", "/script/backoff");
    if (!store)
        return;
    run_due(store, &opts, &log);
    const struct seen_event *e = the_event(&log, FK_UPDATE_ARTICLE_PAGE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->message, "HTTP 503");
        CHECK_STR(e->url, page_of("backoff", 1));
        CHECK_INT(e->failures, 1);
        CHECK_INT(e->delay, FK_BACKOFF_FIRST);
        CHECK(e->article_id > 0);
    }
    CHECK_INT(log.totals.article_pages_failed, 1);
    int64_t id = article_at(store, page_of("backoff", 1));
    CHECK(text_has(store, id, "The start of backoff item 1"));

    /* In backoff: not fetched, whatever the feed says. */
    opts.force = true;
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 0);
    CHECK_INT(page_requests("backoff").all, 1);

    /* The item changes: its page is due at once; Retry-After counts. */
    get("/control/backoff?version=2&retry=7200");
    run_due(store, &opts, &log);
    e = the_event(&log, FK_UPDATE_ARTICLE_PAGE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->failures, 2);
        CHECK(e->delay >= 7100 && e->delay <= 7200);
    }
    struct fk_error err = {0};
    struct fk_page_row row;
    CHECK_INT(fk_store_get_page(store, id, &row, &err), 0);
    CHECK_INT(row.status, FK_PAGE_FAILED);
    CHECK_INT(row.failures, 2);
    CHECK_STR(row.error, "HTTP 503");
    CHECK(row.html == NULL);
    fk_page_row_release(&row);

    /* The server recovers; once the backoff is over (here: the item
     * changes), the page is the article's. */
    get("/control/backoff?version=3&article=ok");
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages_used, 1);
    CHECK(text_has(store, id, "pageonly1"));

    /* The feed sends a longer text, not much shorter than the page's: it
     * replaces the page's; the page fails to come again, and the page kept,
     * longer, is the text again. */
    get("/control/backoff?version=4&long=1&article=status");
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.counts[FK_PUT_UPDATED], 1);
    CHECK(the_event(&log, FK_UPDATE_ARTICLE_PAGE_FAILED) != NULL);
    CHECK(text_has(store, id, "pageonly1"));
    CHECK(!text_has(store, id, "feedonly1"));
    char image[128];
    snprintf(image, sizeof image, "http://127.0.0.1:%d/images/backoff-1.png", port);
    CHECK_STR(first_asset(store, id), image);
    /* The feed sends a teaser again: no news; the page fails again, and
     * the page's image stays the article's. */
    get("/control/backoff?version=5&long=0");
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.counts[FK_PUT_UNCHANGED], 1);
    CHECK(text_has(store, id, "pageonly1"));
    CHECK_STR(first_asset(store, id), image);
    run_log_release(&log);
    fk_store_close(store);
}

/* The run fetches at most article_pages pages; the others wait for the
 * next run, newest first. */
static void test_article_page_cap(void)
{
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    script("cap", "teaser=1&items=5");
    struct fk_store *store = archive_of("cap", "/script/cap");
    if (!store)
        return;
    opts.article_pages = 2;
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 2);
    CHECK(log.totals.article_pages_capped);
    CHECK_INT(page_requests("cap").all, 2);
    opts.force = true;
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 2);
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 1);
    CHECK(!log.totals.article_pages_capped);
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 0);
    CHECK_INT(page_requests("cap").all, 5);
    for (int i = 1; i <= 5; i++) {
        char word[32];
        snprintf(word, sizeof word, "pageonly%d", i);
        CHECK(text_has(store, article_at(store, page_of("cap", i)), word));
    }
    /* 0: no page at all. */
    opts.article_pages = 0;
    get("/control/cap?version=2");
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages, 0);
    CHECK_INT(page_requests("cap").all, 5);
    run_log_release(&log);
    fk_store_close(store);
}

/* One page of what the server answers for kind, filed into a fresh
 * archive: the event and the article's text afterwards. */
struct one_page {
    struct seen_event event;
    bool failed;
    char *text;
};

static struct one_page one_page(const char *kind)
{
    struct one_page out = {0};
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    char name[64], query[128], path[128];
    snprintf(name, sizeof name, "kind-%s", kind);
    snprintf(query, sizeof query, "teaser=1&items=1&article=%s", kind);
    snprintf(path, sizeof path, "/script/%s", name);
    script(name, query);
    struct fk_store *store = archive_of(name, path);
    if (!store)
        return out;
    run_due(store, &opts, &log);
    CHECK_INT(log.end, FK_UPDATE_COMPLETE);
    CHECK_INT(log.totals.article_pages, 1);
    for (size_t i = 0; i < log.n; i++) {
        struct seen_event *e = &log.events[i];
        if (e->kind == FK_UPDATE_ARTICLE_PAGE || e->kind == FK_UPDATE_ARTICLE_PAGE_FAILED) {
            out.event = *e;
            out.event.url = fk_xstrdup(e->url);
            out.event.message = fk_xstrdup(e->message);
            out.event.moved_to = NULL;
            out.failed = e->kind == FK_UPDATE_ARTICLE_PAGE_FAILED;
        }
    }
    out.text = text_of(store, article_at(store, page_of(name, 1)));
    run_log_release(&log);
    fk_store_close(store);
    return out;
}

static void one_page_release(struct one_page *p)
{
    free(p->event.url);
    free(p->event.message);
    free(p->text);
}

/* Pages that cannot be used keep the feed's text: those refused for good
 * are not fetched again until the item changes. */
static void test_article_pages_unusable(void)
{
    /* No article text: the empty-body guard. */
    struct one_page p = one_page("empty");
    CHECK(!p.failed);
    CHECK_INT(p.event.page_result, FK_PAGE_EMPTY);
    CHECK(strstr(p.text, "The start of kind-empty item 1") != NULL);
    one_page_release(&p);

    /* A login wall: shorter than the teaser, not used. */
    p = one_page("login");
    CHECK(!p.failed);
    CHECK(p.event.page_result == FK_PAGE_NOT_LONGER || p.event.page_result == FK_PAGE_EMPTY);
    CHECK(strstr(p.text, "The start of kind-login item 1") != NULL);
    CHECK(strstr(p.text, "Sign in") == NULL);
    one_page_release(&p);

    /* A PDF: not HTML, never extracted. */
    p = one_page("pdf");
    CHECK(p.failed);
    CHECK_STR(p.event.message, "not an HTML page (application/pdf)");
    CHECK(p.event.given_up);
    CHECK(strstr(p.text, "The start of kind-pdf item 1") != NULL);
    one_page_release(&p);

    /* 50 MB: refused by its size. */
    p = one_page("big");
    CHECK(p.failed);
    CHECK(p.event.given_up);
    CHECK(p.event.message && strstr(p.event.message, "larger") != NULL);
    if (p.event.message && !strstr(p.event.message, "larger"))
        fprintf(stderr, "test_update: a 50 MB page: %s\n", p.event.message);
    one_page_release(&p);

    /* A redirect chain (302, 301, 302) is followed. */
    p = one_page("redirect");
    CHECK(!p.failed);
    CHECK_INT(p.event.page_result, FK_PAGE_USED);
    CHECK(strstr(p.text, "pageonly1") != NULL);
    one_page_release(&p);

    /* windows-1252, named only by <meta charset>. */
    p = one_page("latin1");
    CHECK(!p.failed);
    CHECK_INT(p.event.page_result, FK_PAGE_USED);
    CHECK(strstr(p.text, "caf\xC3\xA9 and \xE2\x80\x9Cquotes\xE2\x80\x9D included") != NULL);
    one_page_release(&p);

    /* windows-1252, named only by the Content-Type. */
    p = one_page("httpcharset");
    CHECK(!p.failed);
    CHECK_INT(p.event.page_result, FK_PAGE_USED);
    CHECK(strstr(p.text, "caf\xC3\xA9 and \xE2\x80\x9Cquotes\xE2\x80\x9D included") != NULL);
    one_page_release(&p);

    /* A whole article shorter than the teaser: stored, not used. */
    p = one_page("short");
    CHECK(!p.failed);
    CHECK_INT(p.event.page_result, FK_PAGE_NOT_LONGER);
    CHECK(strstr(p.text, "The start of kind-short item 1") != NULL);
    one_page_release(&p);
}

/* A feed that is not on a private address never has its pages fetched
 * from one: the page on 127.0.0.1 is refused, for good. */
static void test_article_page_private(void)
{
    char feed_path[512], feed_url[600];
    snprintf(feed_path, sizeof feed_path, "%s/teasers.xml", tmp_dir);
    snprintf(feed_url, sizeof feed_url, "file://%s", feed_path);
    FILE *fp = fopen(feed_path, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fprintf(fp,
            "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>"
            "<link>%s</link><description>Short teaser.</description></item></channel></rss>",
            page_of("private", 1));
    fclose(fp);
    script("private", "teaser=1");

    struct fk_error err = {0};
    char file[512];
    snprintf(file, sizeof file, "%s/private.db", tmp_dir);
    struct fk_store *store = fk_store_open(file, &err);
    CHECK(store != NULL);
    if (!store)
        return;
    int64_t feed_id = 0;
    CHECK_INT(fk_store_subscribe(store, feed_url, NULL, false, &feed_id, &err), 1);
    struct fk_update_options opts = test_options();
    struct run_log log = {0};
    run_due(store, &opts, &log);
    const struct seen_event *e = the_event(&log, FK_UPDATE_ARTICLE_PAGE_FAILED);
    CHECK(e != NULL);
    if (e) {
        CHECK(e->message && strstr(e->message, "loopback") != NULL);
        CHECK(e->given_up);
    }
    CHECK_INT(page_requests("private").all, 0);

    /* A feed that came from a private address may: the fetcher said so. */
    CHECK_INT(fk_store_set_feed_option(store, feed_id, FK_FEED_PRIVATE_ORIGIN, true, &err), 0);
    fp = fopen(feed_path, "w");
    CHECK(fp != NULL);
    if (fp) {
        fprintf(fp,
                "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>"
                "<link>%s</link><description>Short teaser, changed.</description></item>"
                "</channel></rss>",
                page_of("private", 1));
        fclose(fp);
    }
    opts.force = true;
    run_due(store, &opts, &log);
    CHECK_INT(log.totals.article_pages_used, 1);
    CHECK_INT(page_requests("private").all, 1);
    run_log_release(&log);
    fk_store_close(store);
}

int main(void)
{
    /* A proxy from the environment would take loopback requests elsewhere. */
    static const char *const proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                          "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);
    alarm(WATCHDOG_SECONDS);
    if (!mkdtemp(tmp_dir)) {
        perror("test_update: mkdtemp");
        return 1;
    }
    port = loopback_start("test_update", 150);
    if (port < 0) {
        loopback_stop();
        remove_tmp_dir();
        return 1;
    }
    RUN(test_options_init);
    RUN(test_filed_then_not_modified);
    RUN(test_failure_backoff);
    RUN(test_refused_body);
    RUN(test_permanent_move);
    RUN(test_backfill);
    RUN(test_item_warning);
    RUN(test_article_pages);
    RUN(test_article_page_backoff);
    RUN(test_article_page_cap);
    RUN(test_article_pages_unusable);
    RUN(test_article_page_private);
    loopback_stop();
    remove_tmp_dir();
    return DONE();
}
