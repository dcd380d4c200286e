/* test_assets.c - the asset run (assets.c): its policy before a download
 * (schemes, video and audio, the article and archive caps, private
 * addresses), what the bytes and the server decide after it (not an image,
 * too large, failures with backoff and Retry-After, a redirect to a file),
 * and what is due again when a cap changes.
 *
 * The server is tests/httpd.py on 127.0.0.1 (loopback.h): its routes serve
 * no image, so the images stored by a run are tested by the CLI tests; here
 * every answer is one the run must refuse or record.
 */
#include "feedkeep/assets.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "archive_files.h"
#include "harness.h"
#include "loopback.h"

static int port;

/* A URL of the test server (a static buffer of 16). */
static const char *server_url(const char *path)
{
    static char urls[16][256];
    static int next;
    char *url = urls[next++ % 16];
    snprintf(url, sizeof urls[0], "http://127.0.0.1:%d%s", port, path);
    return url;
}

/* File an article under feed_url referencing the nrefs URLs of refs (as
 * images unless kinds says); returns its id and sets *feed_id. */
static int64_t file_article(struct fk_store *store, const char *feed_url, const char *guid,
                            const char *const *urls, const enum fk_asset_kind *kinds, size_t nrefs,
                            int64_t *feed_id)
{
    struct fk_error err = {0};
    struct fk_item item = {0};
    struct fk_content content = {0};
    char text[] = "An article with some images.";
    item.guid = (char *)(uintptr_t)guid;
    item.title = "A title";
    item.content_html = text;
    item.base_url = feed_url;
    item.published = item.updated = FK_TIME_NONE;
    content.text = content.markdown = text;
    struct fk_store_pending *pending = NULL;
    struct fk_asset_ref refs[16];
    enum fk_put_result result;
    int64_t id = 0;
    struct fk_subscription sub;
    if (fk_store_begin_feed(store, feed_url, NULL, &err) < 0)
        goto fail;
    if (fk_store_find_item(store, &item, &pending, &err) != 0 ||
        fk_store_put_item(store, pending, &content, &result, &err) < 0) {
        fk_store_end_feed(store, false, NULL, &err);
        goto fail;
    }
    id = fk_store_pending_article(pending);
    if (fk_store_end_feed(store, true, NULL, &err) < 0)
        goto fail;
    for (size_t i = 0; i < nrefs && i < 16; i++)
        refs[i] = (struct fk_asset_ref){urls[i], kinds ? kinds[i] : FK_ASSET_IMAGE, true};
    if (fk_store_set_article_assets(store, id, refs, nrefs, &err) < 0)
        goto fail;
    if (fk_store_find_feed(store, feed_url, 0, &sub, &err) != 0)
        goto fail;
    *feed_id = sub.id;
    fk_subscription_release(&sub);
    return id;
fail:
    fprintf(stderr, "file_article: %s\n", err.message);
    return 0;
}

/* ---- what a run did ----------------------------------------------------------------- */

static char events[8192];

static void on_event(const struct fk_assets_event *ev, void *ctx)
{
    static const char *const kinds[] = {"started",      "stored",  "deduplicated",
                                        "not-modified", "skipped", "failed"};
    size_t n = strlen(events);
    (void)ctx;
    if (ev->kind == FK_ASSETS_STARTED) {
        snprintf(events + n, sizeof events - n, "%sstarted:%zu", n ? " " : "", ev->due);
        return;
    }
    const char *path = strstr(ev->url, "://");
    path = path && strchr(path + 3, '/') ? strchr(path + 3, '/') : ev->url;
    snprintf(events + n, sizeof events - n, "%s%s:%s", n ? " " : "", kinds[ev->kind], path);
    n = strlen(events);
    if (ev->kind == FK_ASSETS_SKIPPED)
        snprintf(events + n, sizeof events - n, ":%s:%lld", fk_asset_skip_name(ev->reason),
                 (long long)ev->cap);
    if (ev->kind == FK_ASSETS_FAILED)
        snprintf(events + n, sizeof events - n, ":%d", ev->failures);
}

static struct fk_assets_totals totals;
static int64_t last_next_try;

static void on_event_failed(const struct fk_assets_event *ev, void *ctx)
{
    if (ev->kind == FK_ASSETS_FAILED) {
        last_next_try = ev->next_try;
        CHECK(ev->message != NULL && ev->message[0] != '\0');
    }
    if (ev->kind == FK_ASSETS_SKIPPED)
        CHECK(ev->message != NULL && ev->message[0] != '\0');
    on_event(ev, ctx);
}

static const char *run_assets(struct fk_store *store, const struct fk_assets_options *opts)
{
    struct fk_error err = {0};
    events[0] = '\0';
    if (fk_assets_run(store, opts, (int64_t)time(NULL), on_event_failed, NULL, &totals, &err) < 0) {
        fprintf(stderr, "run: %s\n", err.message);
        return "error";
    }
    return events;
}

/* Short limits, so that no test waits for the defaults. */
static void fast_options(struct fk_assets_options *opts)
{
    fk_assets_options_init(opts);
    opts->fetch.connect_timeout_ms = 2000;
    opts->fetch.timeout_ms = 10000;
    opts->fetch.low_speed_time = 3;
    opts->fetch.per_host = 1; /* events in the order of the references */
    opts->fetch.jobs = 1;
}

/* The state of url as the archive lists it: "status:reason". */
static char state[512];
static const char *wanted_url;

static int state_row(const struct fk_asset_row *row, void *ctx)
{
    (void)ctx;
    if (strcmp(row->url, wanted_url) == 0)
        snprintf(state, sizeof state, "%s:%s", fk_asset_status_name(row->status),
                 row->reason ? row->reason : "-");
    return 0;
}

static const char *url_state(struct fk_store *store, const char *url)
{
    struct fk_error err = {0};
    state[0] = '\0';
    wanted_url = url;
    if (fk_store_list_assets(store, NULL, state_row, NULL, &err) < 0)
        return "error";
    return state;
}

/* ---- the tests ----------------------------------------------------------------------- */

static void test_policy(void)
{
    struct fk_store *store = open_fresh("policy.db");
    struct fk_assets_options opts;
    int64_t feed = 0;
    const char *urls[] = {"ftp://example.com/a.png", "data:image/png;base64,AAAA",
                          server_url("/clip.mp4"), server_url("/html")};
    const enum fk_asset_kind kinds[] = {FK_ASSET_IMAGE, FK_ASSET_IMAGE, FK_ASSET_VIDEO,
                                        FK_ASSET_IMAGE};
    CHECK(file_article(store, "http://feed.example/rss", "a1", urls, kinds, 4, &feed) > 0);
    fast_options(&opts);
    /* The feed came from nowhere private: 127.0.0.1 is refused before any
     * byte is sent, and recorded under the switch that would allow it. */
    CHECK_STR(run_assets(store, &opts),
              "started:4 skipped:/a.png:not http:0 "
              "skipped:data:image/png;base64,AAAA:not http:0 "
              "skipped:/clip.mp4:video/audio not enabled:0 skipped:/html:private address:0");
    CHECK_INT(totals.skipped, 4);
    CHECK_INT(totals.fetched, 0);
    CHECK_STR(url_state(store, server_url("/html")), "skipped:private address");
    /* Nothing is due again under the same switches... */
    CHECK_STR(run_assets(store, &opts), "");
    CHECK_INT(totals.due, 0);
    /* ...and a switch that changes brings back what it kept out: the
     * page is then fetched, and its bytes are no image. */
    opts.caps.allow_private = true;
    opts.caps.media = true;
    opts.enabled_only = false;
    CHECK_STR(run_assets(store, &opts),
              "started:2 failed:/clip.mp4:1 skipped:/html:not an image:0");
    CHECK_STR(url_state(store, server_url("/html")), "skipped:not an image");
    CHECK_INT(totals.fetched, 1);
    fk_store_close(store);
}

static void test_private_origin(void)
{
    struct fk_store *store = open_fresh("origin.db");
    struct fk_error err = {0};
    struct fk_assets_options opts;
    int64_t feed = 0;
    const char *urls[] = {server_url("/feed")};
    CHECK(file_article(store, server_url("/feed"), "o1", urls, NULL, 1, &feed) > 0);
    /* A feed that came from a private address may have its assets there. */
    CHECK_INT(fk_store_set_feed_option(store, feed, FK_FEED_PRIVATE_ORIGIN, true, &err), 0);
    fast_options(&opts);
    CHECK_STR(run_assets(store, &opts), "started:1 skipped:/feed:not an image:0");
    fk_store_close(store);
}

static void test_hostile_servers(void)
{
    struct fk_store *store = open_fresh("hostile.db");
    struct fk_assets_options opts;
    int64_t feed = 0;
    const char *urls[] = {
        server_url("/endless"),
        server_url("/big"),
        server_url("/truncated"),
        server_url("/status?code=503&retry=7200"),
        server_url("/redirect?code=302&to=file:///etc/passwd"),
        server_url("/bomb"),
    };
    CHECK(file_article(store, "http://feed.example/rss", "h1", urls, NULL, 6, &feed) > 0);
    fast_options(&opts);
    opts.caps.allow_private = true;
    opts.caps.max_bytes = 1 << 20;
    int64_t before = (int64_t)time(NULL);
    CHECK_STR(run_assets(store, &opts),
              "started:6 skipped:/endless:too large:1048576 skipped:/big:too large:1048576 "
              "failed:/truncated:1 failed:/status?code=503&retry=7200:1 "
              "failed:/redirect?code=302&to=file:///etc/passwd:1 "
              "skipped:/bomb:too large:1048576");
    CHECK(last_next_try == FK_TIME_NONE || last_next_try > before);
    CHECK_STR(url_state(store, server_url("/endless")), "skipped:too large");
    CHECK_INT(totals.stored + totals.deduplicated, 0);
    /* The failures back off: nothing is due at once. Retry-After is kept. */
    CHECK_STR(run_assets(store, &opts), "");
    /* A bigger cap brings back those the cap kept out, not the failures. */
    opts.caps.max_bytes = 2 << 20;
    CHECK_STR(run_assets(store, &opts), "started:3 skipped:/endless:too large:2097152 "
                                        "skipped:/big:too large:2097152 "
                                        "skipped:/bomb:too large:2097152");
    fk_store_close(store);
}

/* Bytes stored for url through the store, as a run would. */
static void put(struct fk_store *store, const char *url, const char *bytes)
{
    unsigned char digest[FK_SHA256_SIZE];
    struct fk_error err = {0};
    fk_sha256(bytes, strlen(bytes), digest);
    struct fk_asset_fetched a = {
        .url = url,
        .sha256 = digest,
        .mime = "image/png",
        .data = bytes,
        .size = strlen(bytes),
        .time = (int64_t)time(NULL),
    };
    CHECK_INT(fk_store_put_asset(store, &a, NULL, &err), 0);
}

static void test_caps_before(void)
{
    struct fk_store *store = open_fresh("caps.db");
    struct fk_assets_options opts;
    int64_t feed = 0;
    const char *urls[] = {"http://img.example/stored.png", server_url("/html"),
                          server_url("/feed")};
    CHECK(file_article(store, "http://feed.example/rss", "c1", urls, NULL, 3, &feed) > 0);
    put(store, urls[0], "0123456789");
    fast_options(&opts);
    opts.caps.allow_private = true;
    /* The article has one asset, its cap: nothing more is downloaded. */
    opts.caps.article_count = 1;
    CHECK_STR(run_assets(store, &opts), "started:2 skipped:/html:per-article count:1 "
                                        "skipped:/feed:per-article count:1");
    /* The archive's budget spent, the same. */
    opts.caps.article_count = 10;
    opts.caps.archive_bytes = 10;
    CHECK_STR(run_assets(store, &opts), "started:2 skipped:/html:archive budget:10 "
                                        "skipped:/feed:archive budget:10");
    opts.caps.archive_bytes = 100;
    opts.caps.article_bytes = 5;
    CHECK_STR(run_assets(store, &opts), "started:2 skipped:/html:per-article bytes:5 "
                                        "skipped:/feed:per-article bytes:5");
    /* The run's bytes: the first download spends them, the second waits
     * for the next run. */
    opts.caps.article_bytes = 1000;
    opts.run_bytes = 1;
    CHECK_STR(run_assets(store, &opts), "started:2 skipped:/html:not an image:0 "
                                        "skipped:/feed:run bytes:1");
    CHECK_STR(url_state(store, server_url("/feed")), "skipped:run bytes");
    CHECK_STR(run_assets(store, &opts), "started:1 skipped:/feed:not an image:0");
    fk_store_close(store);
}

static void test_feeds_filter(void)
{
    struct fk_store *store = open_fresh("feeds.db");
    struct fk_assets_options opts;
    int64_t feed_a = 0, feed_b = 0;
    const char *a[] = {"ftp://a.example/1.png"};
    const char *b[] = {"ftp://b.example/1.png"};
    CHECK(file_article(store, "http://a.example/rss", "f1", a, NULL, 1, &feed_a) > 0);
    CHECK(file_article(store, "http://b.example/rss", "f2", b, NULL, 1, &feed_b) > 0);
    fast_options(&opts);
    opts.feeds = &feed_b;
    opts.nfeeds = 1;
    CHECK_STR(run_assets(store, &opts), "started:1 skipped:/1.png:not http:0");
    fk_store_close(store);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/feedkeep-assetrun-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    port = loopback_start("test_assets", 300);
    if (port < 0)
        return 1;
    RUN(test_policy);
    RUN(test_private_origin);
    RUN(test_hostile_servers);
    RUN(test_caps_before);
    RUN(test_feeds_filter);
    loopback_stop();
    static const char *const archives[] = {"policy.db", "origin.db", "hostile.db", "caps.db",
                                           "feeds.db"};
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        remove_archive(archives[i]);
    if (rmdir(tmp_dir) != 0)
        perror(tmp_dir);
    return DONE();
}
