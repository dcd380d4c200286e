/* test_assets_store.c - the store of a self-contained archive: assets by
 * SHA-256 with their URLs' state and the articles' references, per-feed
 * settings, raw documents, reparse, and schema 9's migration.
 *
 * Like test_store.c, it opens the archives with SQLite directly too, to
 * look at (and damage) what the store API does not show.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/archive.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/hash.h"
#include "archive_files.h"
#include "harness.h"

/* A stand-in for SHA-256 (the store takes the digest from its caller):
 * four FNV-1a hashes of the bytes with different prefixes. Enough to tell
 * different bytes apart in a test. */
static int fake_sha256(const void *data, size_t len, unsigned char out[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t h = fk_fnv1a64_add(FK_FNV1A64_BASIS, &i, sizeof i);
        h = fk_fnv1a64_add(h, data, len);
        memcpy(out + 8 * i, &h, 8);
    }
    return 0;
}

/* fake_sha256 of s in lower-case hex. */
static void sha_hex(const char *s, char hex[65])
{
    unsigned char digest[32];
    fake_sha256(s, strlen(s), digest);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* File one article with text under feed_url in a feed of its own; returns
 * its id (0 on failure). */
static int64_t file_article(struct fk_store *store, const char *feed_url, char *guid, char *text,
                            struct fk_content *content)
{
    struct fk_error err = {0};
    struct fk_item item = {0};
    struct fk_content plain = {0};
    item.guid = guid;
    item.title = "A title";
    item.content_html = text;
    item.base_url = feed_url;
    item.published = item.updated = FK_TIME_NONE;
    if (!content) {
        plain.text = plain.markdown = text;
        content = &plain;
    }
    struct fk_store_pending *pending = NULL;
    enum fk_put_result result;
    int64_t id = 0;
    if (fk_store_begin_feed(store, feed_url, NULL, &err) < 0)
        goto fail;
    if (fk_store_find_item(store, &item, &pending, &err) != 0 ||
        fk_store_put_item(store, pending, content, &result, &err) < 0) {
        fk_store_end_feed(store, false, NULL, &err);
        goto fail;
    }
    id = fk_store_pending_article(pending);
    if (fk_store_end_feed(store, true, NULL, &err) < 0)
        goto fail;
    return id;
fail:
    fprintf(stderr, "file_article: %s\n", err.message);
    return 0;
}

/* ---- listings as strings -------------------------------------------------- */

static char listing[4096];

static int due_row(const struct fk_asset_due *due, void *ctx)
{
    (void)ctx;
    size_t n = strlen(listing);
    snprintf(listing + n, sizeof listing - n, "%s%s:%s:%lld:%s%s", n ? " " : "", due->url,
             fk_asset_status_name(due->status), (long long)due->article_id,
             fk_asset_kind_name(due->kind), due->private_origin ? ":private" : "");
    return 0;
}

static const char *due_list(struct fk_store *store, int64_t now, const struct fk_asset_caps *caps,
                            bool enabled_only)
{
    struct fk_error err = {0};
    listing[0] = '\0';
    if (fk_store_list_due_assets(store, now, caps, enabled_only, 0, due_row, NULL, &err) < 0) {
        fprintf(stderr, "due: %s\n", err.message);
        return "error";
    }
    return listing;
}

static int asset_row(const struct fk_asset_row *row, void *ctx)
{
    (void)ctx;
    size_t n = strlen(listing);
    snprintf(listing + n, sizeof listing - n, "%s%lld/%d:%s:%s:%s:%lld%s", n ? " " : "",
             (long long)row->article_id, row->position, row->url, fk_asset_status_name(row->status),
             row->mime ? row->mime : "-", (long long)row->size, row->has_sha256 ? ":sha" : "");
    return 0;
}

static const char *asset_list(struct fk_store *store, const struct fk_asset_filter *f)
{
    struct fk_error err = {0};
    listing[0] = '\0';
    if (fk_store_list_assets(store, f, asset_row, NULL, &err) < 0) {
        fprintf(stderr, "assets: %s\n", err.message);
        return "error";
    }
    return listing;
}

static int put_bytes(struct fk_store *store, const char *url, const char *bytes, const char *mime,
                     bool *is_new)
{
    unsigned char digest[32];
    struct fk_error err = {0};
    fake_sha256(bytes, strlen(bytes), digest);
    struct fk_asset_fetched a = {
        .url = url,
        .sha256 = digest,
        .mime = mime,
        .data = bytes,
        .size = strlen(bytes),
        .etag = "\"e1\"",
        .time = 1000,
    };
    int rc = fk_store_put_asset(store, &a, is_new, &err);
    if (rc < 0)
        fprintf(stderr, "put_asset: %s\n", err.message);
    return rc;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_names(void)
{
    CHECK_STR(fk_asset_kind_name(FK_ASSET_THUMBNAIL), "thumbnail");
    CHECK_STR(fk_asset_kind_name(FK_ASSET_KIND_COUNT), NULL);
    CHECK_STR(fk_asset_status_name(FK_ASSET_SKIPPED), "skipped");
    CHECK_STR(fk_asset_skip_name(FK_ASSET_SKIP_TOO_LARGE), "too large");
    CHECK_STR(fk_asset_skip_name(FK_ASSET_SKIP_MEDIA), "video/audio not enabled");
    CHECK_STR(fk_asset_skip_name(FK_ASSET_SKIP_COUNT), NULL);
}

static void test_feed_options(void)
{
    struct fk_store *store = open_fresh("options.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t id = 0;
    CHECK_INT(fk_store_subscribe(store, "https://e/feed", NULL, false, &id, &err), 1);
    struct fk_subscription sub;
    CHECK_INT(fk_store_find_feed(store, NULL, id, &sub, &err), 0);
    CHECK(sub.assets && sub.keep_raw && !sub.private_origin);
    fk_subscription_release(&sub);
    CHECK_INT(fk_store_set_feed_option(store, id, FK_FEED_ASSETS, false, &err), 0);
    CHECK_INT(fk_store_set_feed_option(store, id, FK_FEED_PRIVATE_ORIGIN, true, &err), 0);
    CHECK_INT(fk_store_set_feed_option(store, 999, FK_FEED_KEEP_RAW, false, &err), 1);
    CHECK_INT(fk_store_find_feed(store, NULL, id, &sub, &err), 0);
    CHECK(!sub.assets && sub.keep_raw && sub.private_origin);
    fk_subscription_release(&sub);
    fk_store_close(store);
}

static void test_dedup(void)
{
    struct fk_store *store = open_fresh("dedup.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t a1 = file_article(store, "https://e/feed", "https://e/1", "one", NULL);
    int64_t a2 = file_article(store, "https://e/feed", "https://e/2", "two", NULL);
    CHECK(a1 > 0 && a2 > a1);
    struct fk_asset_ref refs1[] = {
        {"https://cdn.e/a.png", FK_ASSET_IMAGE, true},
        {"https://cdn.e/a-copy.png", FK_ASSET_IMAGE, true},
        {"https://e/thumb.png", FK_ASSET_THUMBNAIL, false},
    };
    struct fk_asset_ref refs2[] = {{"https://mirror.e/a.png", FK_ASSET_IMAGE, true}};
    CHECK_INT(fk_store_set_article_assets(store, a1, refs1, 3, &err), 0);
    CHECK_INT(fk_store_set_article_assets(store, a2, refs2, 1, &err), 0);
    CHECK_STR(due_list(store, 1000, NULL, false),
              "https://cdn.e/a.png:pending:1:image https://cdn.e/a-copy.png:pending:1:image"
              " https://e/thumb.png:pending:1:thumbnail https://mirror.e/a.png:pending:2:image");

    /* the same bytes under three URLs: stored once */
    bool is_new = false;
    CHECK_INT(put_bytes(store, "https://cdn.e/a.png", "PNG bytes", "image/png", &is_new), 0);
    CHECK(is_new);
    CHECK_INT(put_bytes(store, "https://cdn.e/a-copy.png", "PNG bytes", "image/png", &is_new), 0);
    CHECK(!is_new);
    CHECK_INT(put_bytes(store, "https://mirror.e/a.png", "PNG bytes", "image/png", &is_new), 0);
    CHECK(!is_new);
    CHECK_INT(put_bytes(store, "https://e/thumb.png", "GIF", "image/gif", &is_new), 0);
    CHECK(is_new);
    CHECK_INT(sql_int("dedup.db", "SELECT count(*) FROM assets"), 2);
    CHECK_STR(due_list(store, 1000, NULL, false), "");

    struct fk_store_stats stats;
    CHECK_INT(fk_store_stats(store, &stats, &err), 0);
    CHECK_INT(stats.assets.assets, 2);
    CHECK_INT(stats.assets.bytes, 9 + 3);
    CHECK_INT(stats.assets.urls, 4);
    CHECK_INT(stats.assets.urls_stored, 4);
    CHECK_INT(stats.assets.urls_pending, 0);
    CHECK_INT(stats.assets.linked_bytes, 3 * 9 + 3);
    fk_store_stats_release(&stats);

    /* the listing, by article and position, and its filters */
    CHECK_STR(asset_list(store, NULL), "1/0:https://cdn.e/a.png:stored:image/png:9:sha"
                                       " 1/1:https://cdn.e/a-copy.png:stored:image/png:9:sha"
                                       " 1/2:https://e/thumb.png:stored:image/gif:3:sha"
                                       " 2/0:https://mirror.e/a.png:stored:image/png:9:sha");
    struct fk_asset_filter f;
    fk_asset_filter_init(&f);
    f.article_id = a2;
    CHECK_STR(asset_list(store, &f), "2/0:https://mirror.e/a.png:stored:image/png:9:sha");
    fk_asset_filter_init(&f);
    f.mime_class = "video";
    CHECK_STR(asset_list(store, &f), "");
    f.mime_class = "image";
    f.limit = 1;
    CHECK_STR(asset_list(store, &f), "1/0:https://cdn.e/a.png:stored:image/png:9:sha");
    fk_asset_filter_init(&f);
    f.status = FK_ASSET_PENDING;
    CHECK_STR(asset_list(store, &f), "");

    /* usage for the caps: the article's assets once each */
    struct fk_asset_usage usage;
    CHECK_INT(fk_store_asset_usage(store, a1, &usage, &err), 0);
    CHECK_INT(usage.article_count, 2);
    CHECK_INT(usage.article_bytes, 12);
    CHECK_INT(usage.archive_bytes, 12);

    /* replacing an article's references keeps the URLs and their assets */
    CHECK_INT(fk_store_set_article_assets(store, a1, refs1, 1, &err), 0);
    CHECK_INT(sql_int("dedup.db", "SELECT count(*) FROM article_assets WHERE article_id = 1"), 1);
    CHECK_INT(sql_int("dedup.db", "SELECT count(*) FROM asset_urls"), 4);
    fk_asset_filter_init(&f);
    f.article_id = a1;
    CHECK_STR(asset_list(store, &f), "1/0:https://cdn.e/a.png:stored:image/png:9:sha");
    fk_store_close(store);
}

struct got_asset {
    char mime[32];
    char data[32];
    int calls;
};

static int got_asset(const struct fk_asset *asset, void *ctx)
{
    struct got_asset *got = ctx;
    snprintf(got->mime, sizeof got->mime, "%s", asset->mime);
    snprintf(got->data, sizeof got->data, "%.*s", (int)asset->size, (const char *)asset->data);
    got->calls++;
    return 0;
}

/* The due list follows the feeds' settings, and is bounded. */
static void test_due_feeds(void)
{
    struct fk_store *store = open_fresh("due.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t a1 = file_article(store, "https://lan/feed", "https://lan/1", "one", NULL);
    int64_t a2 = file_article(store, "https://pub/feed", "https://pub/1", "two", NULL);
    struct fk_asset_ref r1 = {"https://lan/a.png", FK_ASSET_IMAGE, true};
    struct fk_asset_ref r2[] = {
        {"https://pub/b.png", FK_ASSET_POSTER, true},
        {"https://pub/c.png", FK_ASSET_IMAGE, true},
    };
    CHECK_INT(fk_store_set_article_assets(store, a1, &r1, 1, &err), 0);
    CHECK_INT(fk_store_set_article_assets(store, a2, r2, 2, &err), 0);
    struct fk_subscription sub;
    CHECK_INT(fk_store_find_feed(store, "https://lan/feed", 0, &sub, &err), 0);
    int64_t lan = sub.id;
    CHECK(sub.assets); /* a feed new to the archive, imported */
    fk_subscription_release(&sub);
    CHECK_INT(fk_store_set_feed_option(store, lan, FK_FEED_PRIVATE_ORIGIN, true, &err), 0);
    CHECK_STR(due_list(store, 0, NULL, true),
              "https://lan/a.png:pending:1:image:private https://pub/b.png:pending:2:poster"
              " https://pub/c.png:pending:2:image");
    CHECK_INT(fk_store_set_feed_option(store, lan, FK_FEED_ASSETS, false, &err), 0);
    CHECK_STR(due_list(store, 0, NULL, true),
              "https://pub/b.png:pending:2:poster https://pub/c.png:pending:2:image");
    CHECK_INT(due_list(store, 0, NULL, false)[0] != '\0', 1);
    listing[0] = '\0';
    CHECK_INT(fk_store_list_due_assets(store, 0, NULL, false, 1, due_row, NULL, &err), 0);
    CHECK_STR(listing, "https://lan/a.png:pending:1:image:private");

    /* the listing by feed */
    struct fk_asset_filter f;
    fk_asset_filter_init(&f);
    f.feed_id = lan;
    CHECK_STR(asset_list(store, &f), "1/0:https://lan/a.png:pending:-:0");
    fk_store_close(store);
}

static void test_get(void)
{
    struct fk_store *store = open_fresh("get.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct got_asset got = {0};
    CHECK_INT(put_bytes(store, "https://cdn.e/x.png", "first", "image/png", NULL), 0);
    CHECK_INT(put_bytes(store, "https://cdn.e/y.jpg", "second", "image/jpeg", NULL), 0);
    CHECK_INT(fk_store_get_asset(store, NULL, "https://cdn.e/y.jpg", got_asset, &got, &err), 0);
    CHECK_STR(got.mime, "image/jpeg");
    CHECK_STR(got.data, "second");
    CHECK_INT(fk_store_get_asset(store, NULL, "https://cdn.e/none", got_asset, &got, &err), 1);

    char hex[65];
    sha_hex("first", hex);
    CHECK_INT(fk_store_get_asset(store, hex, NULL, got_asset, &got, &err), 0);
    CHECK_STR(got.data, "first");
    hex[12] = '\0'; /* a prefix, in upper case */
    for (char *p = hex; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
    CHECK_INT(fk_store_get_asset(store, hex, NULL, got_asset, &got, &err), 0);
    CHECK_INT(got.calls, 3);
    CHECK_INT(fk_store_get_asset(store, "", NULL, got_asset, &got, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(fk_store_get_asset(store, "xyz", NULL, got_asset, &got, &err), -1);
    CHECK_INT(fk_store_get_asset(store, "0000000000000000", NULL, got_asset, &got, &err), 1);
    fk_store_close(store);
}

static void test_skipped_caps(void)
{
    struct fk_store *store = open_fresh("caps.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t a = file_article(store, "https://e/feed", "https://e/1", "one", NULL);
    struct fk_asset_ref refs[] = {
        {"https://e/big.png", FK_ASSET_IMAGE, true},
        {"https://e/page.png", FK_ASSET_IMAGE, true},
        {"https://10.0.0.1/x.png", FK_ASSET_IMAGE, true},
        {"https://e/clip.mp4", FK_ASSET_VIDEO, true},
        {"https://e/late.png", FK_ASSET_IMAGE, true},
    };
    CHECK_INT(fk_store_set_article_assets(store, a, refs, 5, &err), 0);
    struct fk_asset_caps caps = {.max_bytes = 100, .article_count = 10};
    CHECK_INT(
        fk_store_asset_skipped(store, "https://e/big.png", FK_ASSET_SKIP_TOO_LARGE, 100, 10, &err),
        0);
    CHECK_INT(
        fk_store_asset_skipped(store, "https://e/page.png", FK_ASSET_SKIP_NOT_IMAGE, 0, 10, &err),
        0);
    CHECK_INT(
        fk_store_asset_skipped(store, "https://10.0.0.1/x.png", FK_ASSET_SKIP_PRIVATE, 0, 10, &err),
        0);
    CHECK_INT(fk_store_asset_skipped(store, "https://e/clip.mp4", FK_ASSET_SKIP_MEDIA, 0, 10, &err),
              0);
    CHECK_INT(
        fk_store_asset_skipped(store, "https://e/late.png", FK_ASSET_SKIP_RUN_BYTES, 0, 10, &err),
        0);
    /* without caps, or under the same ones, only the run's bytes are due
     * again */
    CHECK_STR(due_list(store, 20, NULL, false), "https://e/late.png:skipped:1:image");
    CHECK_STR(due_list(store, 20, &caps, false), "https://e/late.png:skipped:1:image");
    /* a larger cap: the large one is due again; the page never */
    caps.max_bytes = 1000;
    CHECK_STR(due_list(store, 20, &caps, false),
              "https://e/big.png:skipped:1:image https://e/late.png:skipped:1:image");
    caps.max_bytes = 100;
    caps.allow_private = true;
    caps.media = true;
    CHECK_STR(due_list(store, 20, &caps, false),
              "https://10.0.0.1/x.png:skipped:1:image https://e/clip.mp4:skipped:1:video"
              " https://e/late.png:skipped:1:image");
    struct fk_asset_filter f;
    fk_asset_filter_init(&f);
    f.status = FK_ASSET_SKIPPED;
    f.limit = 2;
    CHECK_STR(asset_list(store, &f),
              "1/0:https://e/big.png:skipped:-:0 1/1:https://e/page.png:skipped:-:0");
    CHECK_INT(sql_int("caps.db", "SELECT count(*) FROM asset_urls WHERE reason = 'not an image'"
                                 " AND cap IS NULL"),
              1);
    CHECK_INT(fk_store_asset_skipped(store, "https://e/x", FK_ASSET_SKIP_COUNT, 0, 10, &err), -1);
    fk_store_close(store);
}

static void test_backoff(void)
{
    struct fk_store *store = open_fresh("backoff.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t a = file_article(store, "https://e/feed", "https://e/1", "one", NULL);
    struct fk_asset_ref ref = {"https://e/flaky.png", FK_ASSET_IMAGE, true};
    CHECK_INT(fk_store_set_article_assets(store, a, &ref, 1, &err), 0);
    int64_t t = 100000, next = 0;
    CHECK_INT(fk_store_asset_failed(store, ref.url, "HTTP 503", t, FK_TIME_NONE, &next, &err), 0);
    CHECK_INT(next, t + FK_BACKOFF_FIRST);
    CHECK_STR(due_list(store, t + FK_BACKOFF_FIRST - 1, NULL, false), "");
    CHECK_STR(due_list(store, t + FK_BACKOFF_FIRST, NULL, false),
              "https://e/flaky.png:failed:1:image");
    CHECK_INT(fk_store_asset_failed(store, ref.url, "HTTP 503", t, FK_TIME_NONE, &next, &err), 0);
    CHECK_INT(next, t + 2 * FK_BACKOFF_FIRST);
    /* a later Retry-After wins, bounded */
    CHECK_INT(
        fk_store_asset_failed(store, ref.url, "HTTP 429", t, t + 10 * FK_BACKOFF_MAX, &next, &err),
        0);
    CHECK_INT(next, t + FK_RETRY_AFTER_MAX);
    CHECK_INT(sql_int("backoff.db", "SELECT failures FROM asset_urls"), 3);
    struct fk_asset_filter f;
    fk_asset_filter_init(&f);
    f.status = FK_ASSET_FAILED;
    CHECK_STR(asset_list(store, &f), "1/0:https://e/flaky.png:failed:-:0");
    /* then it is stored: failures cleared; a 304 later keeps it */
    CHECK_INT(put_bytes(store, ref.url, "bytes", "image/png", NULL), 0);
    CHECK_INT(sql_int("backoff.db", "SELECT failures + coalesce(next_try, 0) FROM asset_urls"), 0);
    CHECK_INT(fk_store_asset_failed(store, ref.url, "timeout", t, FK_TIME_NONE, NULL, &err), 0);
    CHECK_INT(sql_int("backoff.db", "SELECT count(*) FROM asset_urls WHERE status = 'stored'"
                                    " AND reason IS NULL AND failures = 1"),
              1);
    CHECK_INT(fk_store_asset_not_modified(store, ref.url, t + 5, &err), 0);
    CHECK_INT(sql_int("backoff.db", "SELECT failures + last_try FROM asset_urls"), t + 5);
    CHECK_INT(fk_store_asset_not_modified(store, "https://e/unknown", t, &err), 1);
    /* an unknown URL that fails becomes known */
    CHECK_INT(fk_store_asset_failed(store, "https://e/new", "dns", t, FK_TIME_NONE, NULL, &err), 0);
    CHECK_INT(sql_int("backoff.db", "SELECT count(*) FROM asset_urls"), 2);
    fk_store_close(store);
}

static void on_problem(const char *check, const char *problem, void *ctx)
{
    size_t n = strlen(listing);
    (void)ctx;
    snprintf(listing + n, sizeof listing - n, "%s%s: %s", n ? "; " : "", check, problem);
}

static void test_check(void)
{
    struct fk_store *store = open_fresh("check.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t a = file_article(store, "https://e/feed", "https://e/1", "one", NULL);
    struct fk_asset_ref refs[] = {
        {"https://e/a.png", FK_ASSET_IMAGE, true},
        {"https://e/b.png", FK_ASSET_IMAGE, true},
    };
    CHECK_INT(fk_store_set_article_assets(store, a, refs, 2, &err), 0);
    CHECK_INT(put_bytes(store, "https://e/a.png", "aaaa", "image/png", NULL), 0);
    CHECK_INT(put_bytes(store, "https://e/b.png", "bbbb", "image/png", NULL), 0);
    listing[0] = '\0';
    CHECK_INT(fk_store_check(store, on_problem, NULL, &err), 0);
    CHECK_INT(fk_store_check_assets(store, fake_sha256, on_problem, NULL, &err), 0);
    fk_store_close(store);

    /* bytes damaged, a URL gone (its asset an orphan), a stored URL
     * without its asset */
    CHECK_INT(sql_exec("check.db", "UPDATE assets SET data = CAST('abab' AS BLOB) WHERE id = 1;"
                                   " DELETE FROM asset_urls WHERE url = 'https://e/b.png';"
                                   " INSERT INTO asset_urls(url, status, asset_id, created)"
                                   " VALUES ('https://e/c.png', 'stored', 99, 0);"),
              0);
    struct fk_store *again = fk_store_open(tmp_path("check.db"), &err);
    CHECK(again != NULL);
    if (!again)
        return;
    listing[0] = '\0';
    CHECK_INT(fk_store_check_assets(again, fake_sha256, on_problem, NULL, &err), 3);
    char expected[512], a_hex[65], b_hex[65];
    sha_hex("aaaa", a_hex);
    sha_hex("bbbb", b_hex);
    snprintf(expected, sizeof expected,
             "assets: URL 'https://e/c.png' is stored but its asset is missing;"
             " assets: asset %s is an orphan: no URL resolves to it;"
             " asset bytes: asset %s does not hash to its SHA-256",
             b_hex, a_hex);
    CHECK_STR(listing, expected);
    int64_t repaired = 0;
    CHECK_INT(fk_store_repair_assets(again, &repaired, &err), 0);
    CHECK_INT(repaired, 2);
    listing[0] = '\0';
    CHECK_INT(fk_store_check(again, on_problem, NULL, &err), 0);
    CHECK_STR(listing, "");
    CHECK_INT(sql_int("check.db", "SELECT count(*) FROM assets"), 1);
    CHECK_INT(sql_int("check.db", "SELECT count(*) FROM asset_urls WHERE status = 'pending'"), 1);
    fk_store_close(again);
}

struct raw_seen {
    int count;
    size_t last_size;
    bool same;
    const char *expected;
    size_t expected_size;
    char url[64];
};

static int raw_row(const struct fk_raw_document *doc, void *ctx)
{
    struct raw_seen *seen = ctx;
    seen->count++;
    seen->last_size = doc->size;
    snprintf(seen->url, sizeof seen->url, "%s", doc->url);
    seen->same = seen->expected && doc->size == seen->expected_size &&
                 memcmp(doc->data, seen->expected, doc->size) == 0;
    return 0;
}

static void test_raw(void)
{
    struct fk_store *store = open_fresh("raw.db");
    if (!store)
        return;
    struct fk_error err = {0};
    const char *doc1 = "<rss><channel><title>t</title></channel></rss>";
    struct fk_raw_document doc = {
        .url = "https://e/feed",
        .time = 1000,
        .status = 200,
        .content_type = "application/rss+xml",
        .etag = "\"v1\"",
        .data = doc1,
        .size = strlen(doc1),
    };
    /* in the feed's transaction */
    CHECK_INT(fk_store_begin_feed(store, "https://e/feed", NULL, &err), 0);
    CHECK_INT(fk_store_put_raw(store, &doc, &err), 0);
    int64_t feed_id = fk_store_current_feed(store);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), 0);
    /* a rolled-back feed keeps no document */
    CHECK_INT(fk_store_begin_feed(store, "https://e/feed", NULL, &err), 0);
    CHECK_INT(fk_store_put_raw(store, &doc, &err), 0);
    CHECK_INT(fk_store_end_feed(store, false, NULL, &err), 0);

    /* a large document, outside a feed */
    size_t big_size = 6 * 1024 * 1024;
    char *big = malloc(big_size);
    CHECK(big != NULL);
    if (!big)
        return;
    uint64_t h = FK_FNV1A64_BASIS;
    for (size_t i = 0; i < big_size; i++) {
        h = fk_fnv1a64_add(h, &i, 1);
        big[i] = (char)(i % 97 == 0 ? '\n' : 'a' + (int)(h % 8));
    }
    struct fk_raw_document large = doc;
    large.feed_id = feed_id;
    large.data = big;
    large.size = big_size;
    large.status = 0;
    CHECK_INT(fk_store_put_raw(store, &large, &err), 0);

    struct raw_seen seen = {.expected = big, .expected_size = big_size};
    CHECK_INT(fk_store_list_raw(store, feed_id, raw_row, &seen, &err), 0);
    CHECK_INT(seen.count, 2);
    CHECK(seen.same);
    CHECK_STR(seen.url, "https://e/feed");
    seen = (struct raw_seen){.expected = doc1, .expected_size = strlen(doc1)};
    CHECK_INT(fk_store_list_raw(store, 999, raw_row, &seen, &err), 0);
    CHECK_INT(seen.count, 0);
    CHECK_INT(sql_int("raw.db", "SELECT count(*) FROM raw_documents WHERE id = 1 AND status = 200"
                                " AND content_type = 'application/rss+xml' AND etag = '\"v1\"'"),
              1);

    struct fk_store_stats stats;
    CHECK_INT(fk_store_stats(store, &stats, &err), 0);
    CHECK_INT(stats.raw.documents, 2);
    CHECK_INT(stats.raw.original_bytes, (int64_t)(strlen(doc1) + big_size));
    CHECK(stats.raw.bytes > 0 && stats.raw.bytes < stats.raw.original_bytes / 2);
    fk_store_stats_release(&stats);

    /* keep_raw off: nothing kept */
    CHECK_INT(fk_store_set_feed_option(store, feed_id, FK_FEED_KEEP_RAW, false, &err), 0);
    CHECK_INT(fk_store_put_raw(store, &large, &err), 1);
    CHECK_INT(sql_int("raw.db", "SELECT count(*) FROM raw_documents"), 2);
    large.size = (size_t)FK_RAW_MAX + 1;
    CHECK_INT(fk_store_put_raw(store, &large, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_INPUT);
    free(big);

    /* a damaged row is an error, not wrong bytes */
    fk_store_close(store);
    CHECK_INT(sql_exec("raw.db", "UPDATE raw_documents SET data = x'00' WHERE id = 1;"), 0);
    store = fk_store_open(tmp_path("raw.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    seen = (struct raw_seen){0};
    CHECK_INT(fk_store_list_raw(store, 0, raw_row, &seen, &err), -1);
    CHECK_INT(seen.count, 0);
    fk_store_close(store);
}

struct source_seen {
    int count;
    char html[64];
    char base[64];
};

static int source_row(const struct fk_article_source *source, void *ctx)
{
    struct source_seen *seen = ctx;
    seen->count++;
    snprintf(seen->html, sizeof seen->html, "%s", source->html ? source->html : "");
    snprintf(seen->base, sizeof seen->base, "%s", source->base_url ? source->base_url : "");
    return 0;
}

static void test_reparse(void)
{
    struct fk_store *store = open_fresh("reparse.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct fk_code_block code[] = {{"Python", "print(1)", 1}};
    struct fk_content content = {
        .text = "old words", .markdown = "old words\n", .code_blocks = code, .ncode_blocks = 1};
    int64_t id = file_article(store, "https://e/feed", "https://e/1", "<p>old words</p>", &content);
    CHECK(id > 0);

    struct source_seen seen = {0};
    CHECK_INT(fk_store_list_sources(store, NULL, source_row, &seen, &err), 0);
    CHECK_INT(seen.count, 1);
    CHECK_STR(seen.html, "<p>old words</p>");
    CHECK_STR(seen.base, "https://e/feed");
    /* an archive filed before base_url: the first feed's URL */
    CHECK_INT(sql_exec("reparse.db", "UPDATE articles SET base_url = NULL"), 0);
    struct fk_filter f;
    fk_filter_init(&f);
    seen = (struct source_seen){0};
    CHECK_INT(fk_store_list_sources(store, &f, source_row, &seen, &err), 0);
    CHECK_INT(seen.count, 1);
    CHECK_STR(seen.base, "https://e/feed");

    enum fk_reparse_result result;
    /* the same forms: nothing written */
    int64_t before = sql_int("reparse.db", "SELECT count(*) FROM article_versions");
    CHECK_INT(fk_store_reparse_article(store, id, &content, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_UNCHANGED);
    CHECK_INT(sql_int("reparse.db", "SELECT count(*) FROM article_versions"), before);

    /* the Markdown changed, not the text: rewritten, no version */
    struct fk_content markdown = content;
    markdown.markdown = "old *words*\n";
    CHECK_INT(fk_store_reparse_article(store, id, &markdown, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_REWRITTEN);
    CHECK_INT(sql_int("reparse.db", "SELECT count(*) FROM article_versions"), 0);
    CHECK_INT(sql_int("reparse.db", "SELECT markdown = 'old *words*' || char(10) FROM articles"),
              1);
    CHECK_INT(fk_store_reparse_article(store, id, &markdown, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_UNCHANGED);

    /* the code blocks changed */
    struct fk_code_block code2[] = {{"python", "print(1)", 1}, {NULL, "x", 1}};
    struct fk_content more_code = markdown;
    more_code.code_blocks = code2;
    more_code.ncode_blocks = 2;
    CHECK_INT(fk_store_reparse_article(store, id, &more_code, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_REWRITTEN);
    CHECK_INT(sql_int("reparse.db", "SELECT count(*) FROM code_blocks"), 2);
    CHECK_INT(fk_store_reparse_article(store, id, &more_code, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_UNCHANGED);

    /* the text changed: a version, and the index follows */
    struct fk_content text = more_code;
    text.text = "new phrasing";
    CHECK_INT(fk_store_reparse_article(store, id, &text, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_CHANGED);
    CHECK_INT(sql_int("reparse.db", "SELECT count(*) FROM article_versions"
                                    " WHERE kind = 'replaced' AND text = 'old words'"),
              1);
    CHECK_INT(sql_int("reparse.db",
                      "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'phrasing'"),
              1);
    CHECK_INT(
        sql_int("reparse.db", "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'old'"),
        0);
    listing[0] = '\0';
    CHECK_INT(fk_store_check(store, on_problem, NULL, &err), 0);
    CHECK_STR(listing, "");

    /* the content hash is the one filing computes: the same item filed
     * again with the new text is unchanged */
    struct fk_item item = {0};
    item.guid = "https://e/1";
    item.title = "A title";
    item.content_html = "<p>changed source</p>";
    item.published = item.updated = FK_TIME_NONE;
    struct fk_store_pending *pending = NULL;
    enum fk_put_result put;
    CHECK_INT(fk_store_begin_feed(store, "https://e/feed", NULL, &err), 0);
    CHECK_INT(fk_store_find_item(store, &item, &pending, &err), 0);
    CHECK_INT(fk_store_put_item(store, pending, &text, &put, &err), 0);
    CHECK_INT(put, FK_PUT_UNCHANGED);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), 0);

    CHECK_INT(fk_store_reparse_article(store, 999, &text, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_MISSING);
    fk_store_close(store);
}

static void test_migrate(void)
{
    struct fk_store *store = open_fresh("v8.db");
    if (!store)
        return;
    fk_store_close(store);
    /* schemas 11, 10 and 9 undone: an archive of schema 8 with a subscription */
    CHECK_INT(sql_exec("v8.db", "DROP TABLE article_api; DROP TABLE article_pages; ALTER TABLE "
                                "feeds DROP COLUMN full_text;"
                                " DROP TABLE article_assets; DROP TABLE asset_urls;"
                                " DROP TABLE assets; DROP TABLE raw_documents;"
                                " ALTER TABLE feeds DROP COLUMN assets;"
                                " ALTER TABLE feeds DROP COLUMN keep_raw;"
                                " ALTER TABLE feeds DROP COLUMN private_origin;"
                                " ALTER TABLE articles DROP COLUMN base_url;"
                                " INSERT INTO feeds(url, subscribed, created)"
                                " VALUES ('https://old/feed', 1, 0);"
                                " PRAGMA user_version = 8;"),
              0);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path("v8.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(sql_int("v8.db", "PRAGMA user_version"), 20);
    struct fk_subscription sub;
    CHECK_INT(fk_store_find_feed(store, "https://old/feed", 0, &sub, &err), 0);
    CHECK(!sub.assets && sub.keep_raw && !sub.private_origin);
    fk_subscription_release(&sub);
    int64_t id = 0;
    CHECK_INT(fk_store_subscribe(store, "https://new/feed", NULL, false, &id, &err), 1);
    CHECK_INT(fk_store_find_feed(store, NULL, id, &sub, &err), 0);
    CHECK(sub.assets && sub.keep_raw);
    fk_subscription_release(&sub);
    fk_store_close(store);

    /* schemas 11 and 10 undone: raw documents of schema 9, zlib only, stay
     * readable, and the table takes zstd ones after */
    static const char v9_raw[] =
        "DROP TABLE article_api; DROP TABLE article_pages; ALTER TABLE feeds DROP COLUMN full_text;"
        " DROP TABLE raw_documents;"
        " CREATE TABLE raw_documents (id INTEGER PRIMARY KEY,"
        " feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
        " url TEXT NOT NULL, time INTEGER NOT NULL, status INTEGER, content_type TEXT,"
        " etag TEXT, last_modified TEXT, date TEXT, size INTEGER NOT NULL,"
        " compression TEXT NOT NULL CHECK (compression IN ('zlib')), data BLOB NOT NULL);"
        " CREATE INDEX raw_documents_feed ON raw_documents(feed_id, id);"
        /* zlib's stream of "<rss/>" */
        " INSERT INTO raw_documents(feed_id, url, time, size, compression, data)"
        " VALUES (1, 'https://old/feed', 0, 6, 'zlib', x'789cb3292a2ed6b7030007690202');"
        " PRAGMA user_version = 9;";
    CHECK_INT(sql_exec("v8.db", v9_raw), 0);
    store = fk_store_open(tmp_path("v8.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(sql_int("v8.db", "PRAGMA user_version"), 20);
    struct raw_seen raw = {.expected = "<rss/>", .expected_size = 6};
    CHECK_INT(fk_store_list_raw(store, 0, raw_row, &raw, &err), 0);
    CHECK(raw.count == 1 && raw.same);
    struct fk_raw_document doc = {
        .feed_id = 1, .url = "https://old/feed", .data = "<rss/>", .size = 6};
    CHECK_INT(fk_store_put_raw(store, &doc, &err), 0);
    CHECK_INT(sql_int("v8.db", "SELECT count(*) FROM raw_documents WHERE compression = 'zstd'"), 1);
    raw = (struct raw_seen){.expected = "<rss/>", .expected_size = 6};
    CHECK_INT(fk_store_list_raw(store, 0, raw_row, &raw, &err), 0);
    CHECK(raw.count == 2 && raw.same);
    fk_store_close(store);

    /* from version 1 */
    char path[4200];
    remove_archive("v1.db");
    snprintf(path, sizeof path, "%s/archive-v1.sql", FK_TEST_DATA);
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    static char sql[1 << 16];
    size_t n = fread(sql, 1, sizeof sql - 1, fp);
    fclose(fp);
    sql[n] = '\0';
    CHECK_INT(sql_exec("v1.db", sql), 0);
    store = fk_store_open(tmp_path("v1.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(sql_int("v1.db", "PRAGMA user_version"), 20);
    CHECK_INT(sql_int("v1.db", "SELECT count(*) FROM feeds WHERE assets = 0 AND keep_raw = 1"),
              sql_int("v1.db", "SELECT count(*) FROM feeds"));
    struct source_seen seen = {0};
    CHECK_INT(fk_store_list_sources(store, NULL, source_row, &seen, &err), 0);
    CHECK(seen.count > 0);
    listing[0] = '\0';
    CHECK_INT(fk_store_check(store, on_problem, NULL, &err), 0);
    CHECK_STR(listing, "");
    fk_store_close(store);
}

/* ---- the references recorded as a document is filed --------------------- */

static const char refs_feed[] =
    "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>t</title>"
    "<item><guid>a</guid><title>A</title><link>https://e/a</link>"
    "<description>&lt;p&gt;Words enough to be a body: one two three four five six seven eight "
    "nine ten. &lt;img src=\"/i/x.png\" alt=\"x\"&gt; &lt;img src=\"https://cdn.e/y.jpg\" "
    "srcset=\"https://cdn.e/y-2x.jpg 2x\"&gt; &lt;img src=\"data:image/png;base64,AA==\"&gt;"
    "&lt;/p&gt;</description>"
    "<media:thumbnail url=\"https://cdn.e/t.jpg\"/>"
    "<enclosure url=\"https://cdn.e/y.jpg\" type=\"image/jpeg\" length=\"10\"/>"
    "<enclosure url=\"https://cdn.e/p.mp3\" type=\"audio/mpeg\" length=\"10\"/>"
    "<enclosure url=\"https://cdn.e/f.zip\" type=\"application/zip\" length=\"10\"/>"
    "<enclosure url=\"ftp://cdn.e/v.mp4\" type=\"video/mp4\" length=\"10\"/>"
    "</item></channel></rss>";

struct ref_seen {
    size_t count;
    char urls[8][64];
    enum fk_asset_kind kinds[8];
    bool linked[8];
};

static int ref_row(const struct fk_asset_row *row, void *ctx)
{
    struct ref_seen *seen = ctx;
    if (seen->count < 8) {
        snprintf(seen->urls[seen->count], sizeof seen->urls[0], "%s", row->url);
        seen->kinds[seen->count] = row->kind;
        seen->linked[seen->count] = row->linked;
    }
    seen->count++;
    return 0;
}

struct filed_seen {
    long calls;
    int64_t article_id;
    enum fk_put_result put;
    size_t nassets;
};

static int on_filed(struct fk_store *store, const struct fk_item *item, int64_t article_id,
                    enum fk_put_result put, const struct fk_content *content, void *ctx,
                    struct fk_error *err)
{
    (void)store, (void)item, (void)err;
    struct filed_seen *seen = ctx;
    seen->calls++;
    seen->article_id = article_id;
    seen->put = put;
    seen->nassets = content->nassets;
    return 0;
}

static int file_doc(struct fk_store *store, const char *doc, struct filed_seen *seen)
{
    struct fk_archive_options opts = {.feed_url = "https://e/feed",
                                      .base_url = "https://e/feed",
                                      .on_filed = on_filed,
                                      .ctx = seen};
    struct fk_archive_result result;
    struct fk_error err = {0};
    int rc = fk_archive_memory(store, doc, strlen(doc), &opts, &result, &err);
    if (rc < 0)
        fprintf(stderr, "file_doc: %s\n", err.message);
    fk_archive_result_release(&result);
    return rc;
}

static void test_archive_refs(void)
{
    struct fk_store *store = open_fresh("refs.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct filed_seen filed = {0};
    CHECK_INT(file_doc(store, refs_feed, &filed), 0);
    CHECK_INT(filed.calls, 1);
    CHECK_INT(filed.put, FK_PUT_NEW);
    CHECK_INT(filed.nassets, 3);
    int64_t id = filed.article_id;
    CHECK(id > 0);

    /* the content's images in order (the srcset's largest after its src,
     * the relative one resolved, the data: URI left out), then the
     * thumbnail and the audio enclosure; the image enclosure repeats a
     * URL of the content, the zip is no asset, the ftp URL not http */
    struct ref_seen seen = {0};
    CHECK_INT(fk_store_article_assets(store, id, ref_row, &seen, &err), 0);
    CHECK_INT(seen.count, 5);
    CHECK_STR(seen.urls[0], "https://e/i/x.png");
    CHECK_STR(seen.urls[1], "https://cdn.e/y.jpg");
    CHECK_STR(seen.urls[2], "https://cdn.e/y-2x.jpg");
    CHECK_STR(seen.urls[3], "https://cdn.e/t.jpg");
    CHECK_STR(seen.urls[4], "https://cdn.e/p.mp3");
    CHECK_INT(seen.kinds[0], FK_ASSET_IMAGE);
    CHECK(seen.linked[0] && seen.linked[1] && !seen.linked[2] && !seen.linked[3]);
    CHECK_INT(seen.kinds[3], FK_ASSET_THUMBNAIL);
    CHECK_INT(seen.kinds[4], FK_ASSET_AUDIO);

    /* the same document again: found unchanged, not converted */
    filed = (struct filed_seen){0};
    CHECK_INT(file_doc(store, refs_feed, &filed), 0);
    CHECK_INT(filed.calls, 0);

    /* a changed body without images: the references follow it (the
     * image enclosure is listed now, as an image the Markdown does not
     * show) */
    char changed[sizeof refs_feed + 64];
    const char *cut = strstr(refs_feed, "&lt;img src=\"/i/x.png\"");
    snprintf(changed, sizeof changed, "%.*sand eleven. %s", (int)(cut - refs_feed), refs_feed,
             strstr(cut, "&lt;/p&gt;"));
    CHECK_INT(file_doc(store, changed, &filed), 0);
    CHECK_INT(filed.calls, 1);
    CHECK_INT(filed.put, FK_PUT_UPDATED);
    seen = (struct ref_seen){0};
    CHECK_INT(fk_store_article_assets(store, id, ref_row, &seen, &err), 0);
    CHECK_INT(seen.count, 3);
    CHECK_STR(seen.urls[0], "https://cdn.e/t.jpg");
    CHECK_STR(seen.urls[1], "https://cdn.e/y.jpg");
    CHECK(seen.kinds[1] == FK_ASSET_IMAGE && !seen.linked[1]);

    /* a truncated body is kept as a rejected version: the references of
     * the archived content stay */
    cut = strstr(refs_feed, "one two");
    snprintf(changed, sizeof changed, "%.*s&lt;/p&gt;%s", (int)(cut - refs_feed), refs_feed,
             strstr(cut, "</description>"));
    CHECK_INT(file_doc(store, changed, &filed), 0);
    CHECK_INT(filed.put, FK_PUT_KEPT_SHORTER);
    seen = (struct ref_seen){0};
    CHECK_INT(fk_store_article_assets(store, id, ref_row, &seen, &err), 0);
    CHECK_INT(seen.count, 3);
    fk_store_close(store);

    /* an archive whose articles were filed before references were
     * recorded gets them from reparse, which writes nothing once they
     * are there */
    CHECK_INT(sql_exec("refs.db", "DELETE FROM article_assets"), 0);
    store = fk_store_open(tmp_path("refs.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct fk_article article;
    CHECK_INT(fk_store_get_article(store, id, &article, &err), 0);
    char *html = strdup(article.summary_html ? article.summary_html : "");
    fk_article_release(&article);
    struct fk_content content = {0};
    CHECK_INT(fk_content_from_html(html, strlen(html), "https://e/feed", &content, &err), 0);
    enum fk_reparse_result result;
    CHECK_INT(fk_store_reparse_article(store, id, &content, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_UNCHANGED);
    seen = (struct ref_seen){0};
    CHECK_INT(fk_store_article_assets(store, id, ref_row, &seen, &err), 0);
    CHECK_INT(seen.count, 3);
    CHECK_STR(seen.urls[0], "https://cdn.e/t.jpg");
    CHECK_INT(seen.kinds[0], FK_ASSET_THUMBNAIL);
    CHECK_STR(seen.urls[2], "https://cdn.e/p.mp3");
    fk_content_release(&content);
    fk_store_close(store);
    CHECK_INT(sql_exec("refs.db", "CREATE TRIGGER no_refs BEFORE INSERT ON article_assets"
                                  " BEGIN SELECT raise(ABORT, 'written'); END"),
              0);
    store = fk_store_open(tmp_path("refs.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(fk_content_from_html(html, strlen(html), "https://e/feed", &content, &err), 0);
    CHECK_INT(fk_store_reparse_article(store, id, &content, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_UNCHANGED);
    fk_content_release(&content);
    free(html);
    fk_store_close(store);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/feedkeep-assets-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_names);
    RUN(test_feed_options);
    RUN(test_dedup);
    RUN(test_due_feeds);
    RUN(test_get);
    RUN(test_skipped_caps);
    RUN(test_backoff);
    RUN(test_check);
    RUN(test_raw);
    RUN(test_reparse);
    RUN(test_migrate);
    RUN(test_archive_refs);

    static const char *const archives[] = {
        "options.db", "dedup.db", "due.db",     "get.db", "caps.db", "backoff.db",
        "check.db",   "raw.db",   "reparse.db", "v8.db",  "v1.db",   "refs.db",
    };
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        remove_archive(archives[i]);
    if (rmdir(tmp_dir) != 0)
        perror(tmp_dir);
    return DONE();
}
