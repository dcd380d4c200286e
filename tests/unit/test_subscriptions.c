/* test_subscriptions.c - the store's subscriptions, fetch log, backoff and
 * feed moves, and the shared archiving path (archive.c).
 *
 * Like test_store.c, this test opens the archives with SQLite directly too,
 * to see what the API does not show (fetch log rows, article keys, the
 * schema version).
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/archive.h"
#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "archive_files.h"
#include "harness.h"

static int subscribe(struct fk_store *store, const char *url, const char *name, bool rename,
                     int64_t *id)
{
    struct fk_error err = {0};
    int rc = fk_store_subscribe(store, url, name, rename, id, &err);
    if (rc < 0)
        fprintf(stderr, "subscribe %s: %s\n", url, err.message);
    return rc;
}

/* A copy of a feed row: the fields the checks look at. */
struct feed_state {
    int found;
    char name[128];
    char etag[128];
    char last_modified[128];
    bool subscribed;
    int failures;
    int last_status;
    int64_t next_fetch;
    int64_t articles;
};

static struct feed_state feed_state(struct fk_store *store, const char *url, int64_t id)
{
    struct feed_state s = {0};
    struct fk_subscription sub;
    struct fk_error err = {0};
    s.found = fk_store_find_feed(store, url, id, &sub, &err);
    if (s.found == 0) {
        snprintf(s.name, sizeof s.name, "%s", sub.name ? sub.name : "(null)");
        snprintf(s.etag, sizeof s.etag, "%s", sub.etag ? sub.etag : "(null)");
        snprintf(s.last_modified, sizeof s.last_modified, "%s",
                 sub.last_modified ? sub.last_modified : "(null)");
        s.subscribed = sub.subscribed;
        s.failures = sub.failures;
        s.last_status = sub.last_status;
        s.next_fetch = sub.next_fetch;
        s.articles = sub.articles;
    }
    fk_subscription_release(&sub);
    return s;
}

static int log_fetch(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *a,
                     struct fk_fetch_schedule *schedule)
{
    struct fk_error err = {0};
    int rc = fk_store_log_fetch(store, id, a, schedule, &err);
    if (rc < 0)
        fprintf(stderr, "log_fetch: %s\n", err.message);
    return rc;
}

/* A failed attempt at time t. */
static struct fk_fetch_attempt failure(int64_t t, int64_t retry_after)
{
    struct fk_fetch_attempt a = {.time = t, .status = 503, .error = "HTTP 503"};
    a.retry_after = retry_after;
    return a;
}

static struct fk_fetch_attempt success(int64_t t, int status, const char *etag,
                                       const char *last_modified)
{
    struct fk_fetch_attempt a = {.time = t, .status = status, .retry_after = FK_TIME_NONE};
    a.etag = etag;
    a.last_modified = last_modified;
    return a;
}

/* ---- a small feed document ---------------------------------------------- */

static const char feed_doc[] = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                               "<title>T</title><link>http://example.com/</link>"
                               "<item><title>one</title><guid>plain-1</guid>"
                               "<description>&lt;p&gt;first&lt;/p&gt;</description></item>"
                               "<item><title>two</title><guid>plain-2</guid>"
                               "<description>&lt;p&gt;second&lt;/p&gt;</description></item>"
                               "</channel></rss>";

struct commit_log {
    int64_t id;
    struct fk_fetch_attempt attempt;
    int calls;
    bool fail; /* make the hook fail: the document must be rolled back */
};

static int log_before_commit(struct fk_store *store, int64_t feed_id,
                             const struct fk_archive_result *result, void *ctx,
                             struct fk_error *err)
{
    struct commit_log *c = ctx;
    c->calls++;
    CHECK_INT(feed_id, c->id);
    c->attempt.new_count = result->counts[FK_PUT_NEW];
    if (c->fail)
        return fk_error_set(err, FK_ERROR_INPUT, "refused by the test");
    return fk_store_log_fetch(store, feed_id, &c->attempt, NULL, err);
}

static int archive_doc(struct fk_store *store, const char *url, const char *doc,
                       struct commit_log *c, struct fk_archive_result *result)
{
    struct fk_archive_options opts = {
        .feed_url = url,
        .base_url = url,
        .before_commit = c ? log_before_commit : NULL,
        .ctx = c,
    };
    struct fk_error err = {0};
    int rc = fk_archive_memory(store, doc, strlen(doc), &opts, result, &err);
    if (rc < 0 && !(c && c->fail))
        fprintf(stderr, "archive %s: %s\n", url, err.message);
    return rc;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_backoff_delays(void)
{
    static const struct {
        int failures;
        int64_t delay;
    } cases[] = {
        {0, 1800},  {1, 1800},  {2, 3600},  {3, 7200},  {4, 14400},
        {5, 28800}, {6, 57600}, {7, 86400}, {8, 86400}, {1000000, 86400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(fk_store_backoff_delay(cases[i].failures), cases[i].delay);
}

static void test_subscribe(void)
{
    struct fk_store *store = open_fresh("subscribe.db");
    if (!store)
        return;
    int64_t id = 0, again = 0;
    CHECK_INT(subscribe(store, "https://dev.to/feed/ben", NULL, false, &id), 1);
    CHECK(id > 0);
    CHECK_INT(subscribe(store, "https://dev.to/feed/ben", "Ben", false, &again), 0);
    CHECK_INT(again, id);
    /* No name yet: the first one given is kept... */
    CHECK_STR(feed_state(store, "https://dev.to/feed/ben", 0).name, "Ben");
    /* ... and not replaced without rename (an OPML import), but with it. */
    CHECK_INT(subscribe(store, "https://dev.to/feed/ben", "Other", false, NULL), 0);
    CHECK_STR(feed_state(store, NULL, id).name, "Ben");
    CHECK_INT(subscribe(store, "https://dev.to/feed/ben", "Renamed", true, NULL), 0);
    CHECK_STR(feed_state(store, NULL, id).name, "Renamed");
    CHECK_INT(subscribe(store, "https://dev.to/feed/ben", NULL, true, NULL), 0);
    CHECK_STR(feed_state(store, NULL, id).name, "Renamed");

    CHECK_INT(feed_state(store, "https://nowhere.example/", 0).found, 1);
    CHECK_INT(feed_state(store, NULL, 999).found, 1);
    struct fk_error err = {0};
    CHECK_INT(fk_store_subscribe(store, "", NULL, false, NULL, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);

    /* Unsubscribing keeps the row, its articles and its log. */
    CHECK_INT(fk_store_unsubscribe(store, id, &err), 0);
    CHECK_INT(fk_store_unsubscribe(store, id, &err), 1);
    CHECK_INT(fk_store_unsubscribe(store, 999, &err), 1);
    struct feed_state s = feed_state(store, NULL, id);
    CHECK_INT(s.found, 0);
    CHECK(!s.subscribed);
    CHECK_INT(subscribe(store, "https://dev.to/feed/ben", NULL, false, NULL), 1);
    CHECK(feed_state(store, NULL, id).subscribed);
    fk_store_close(store);
}

struct walk {
    char ids[256];
};

static int collect_id(const struct fk_subscription *sub, void *ctx)
{
    struct walk *w = ctx;
    size_t len = strlen(w->ids);
    snprintf(w->ids + len, sizeof w->ids - len, "%s%lld", len ? " " : "", (long long)sub->id);
    return 0;
}

static const char *walk_ids(struct fk_store *store, enum fk_feed_set set, int64_t now)
{
    static struct walk w;
    struct fk_error err = {0};
    w.ids[0] = '\0';
    if (fk_store_list_feeds(store, set, now, collect_id, &w, &err) < 0)
        snprintf(w.ids, sizeof w.ids, "error: %.200s", err.message);
    return w.ids;
}

static void test_lists_and_imported_feeds(void)
{
    struct fk_store *store = open_fresh("lists.db");
    if (!store)
        return;
    struct fk_archive_result result;
    /* An imported document makes a feed row that is not a subscription. */
    CHECK_INT(archive_doc(store, "http://example.com/imported", feed_doc, NULL, &result), 0);
    CHECK_INT(result.counts[FK_PUT_NEW], 2);
    int64_t imported = result.feed_id;
    CHECK(imported > 0);
    fk_archive_result_release(&result);
    int64_t a = 0, b = 0;
    subscribe(store, "http://example.com/a", NULL, false, &a);
    subscribe(store, "http://example.com/b", NULL, false, &b);
    char expected[64];
    snprintf(expected, sizeof expected, "%lld %lld", (long long)a, (long long)b);
    CHECK_STR(walk_ids(store, FK_FEEDS_SUBSCRIBED, 0), expected);
    snprintf(expected, sizeof expected, "%lld %lld %lld", (long long)imported, (long long)a,
             (long long)b);
    CHECK_STR(walk_ids(store, FK_FEEDS_ALL, 0), expected);

    /* b in backoff until 1000: not due at 999, due at 1000. */
    struct fk_fetch_attempt fail = failure(1000 - FK_BACKOFF_FIRST, FK_TIME_NONE);
    CHECK_INT(log_fetch(store, b, &fail, NULL), 0);
    snprintf(expected, sizeof expected, "%lld", (long long)a);
    CHECK_STR(walk_ids(store, FK_FEEDS_DUE, 999), expected);
    snprintf(expected, sizeof expected, "%lld %lld", (long long)a, (long long)b);
    CHECK_STR(walk_ids(store, FK_FEEDS_DUE, 1000), expected);

    /* Subscribing to the imported feed keeps what it has. */
    CHECK_INT(subscribe(store, "http://example.com/imported", NULL, false, NULL), 1);
    struct feed_state s = feed_state(store, NULL, imported);
    CHECK(s.subscribed);
    CHECK_INT(s.articles, 2);
    fk_store_close(store);
}

static void test_backoff_and_reset(void)
{
    struct fk_store *store = open_fresh("backoff.db");
    if (!store)
        return;
    int64_t id = 0;
    subscribe(store, "http://example.com/f", NULL, false, &id);
    const int64_t t = 1700000000;
    static const int64_t delays[] = {1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400};
    for (int i = 0; i < 8; i++) {
        struct fk_fetch_schedule sch = {0};
        struct fk_fetch_attempt a = failure(t, FK_TIME_NONE);
        CHECK_INT(log_fetch(store, id, &a, &sch), 0);
        CHECK_INT(sch.failures, i + 1);
        CHECK_INT(sch.next_fetch - t, delays[i]);
    }
    struct feed_state s = feed_state(store, NULL, id);
    CHECK_INT(s.failures, 8);
    CHECK_INT(s.next_fetch, t + 86400);
    CHECK_INT(s.last_status, 503);

    /* Retry-After: the later of it and the backoff, at most a week. */
    struct fk_fetch_schedule sch = {0};
    struct fk_fetch_attempt a = failure(t, t + 3 * 86400);
    CHECK_INT(log_fetch(store, id, &a, &sch), 0);
    CHECK_INT(sch.next_fetch, t + 3 * 86400);
    a = failure(t, t + 60);
    CHECK_INT(log_fetch(store, id, &a, &sch), 0);
    CHECK_INT(sch.next_fetch, t + 86400);
    a = failure(t, t + 365 * 86400);
    CHECK_INT(log_fetch(store, id, &a, &sch), 0);
    CHECK_INT(sch.next_fetch, t + FK_RETRY_AFTER_MAX);

    /* A success resets the count and the backoff and keeps validators. */
    a = success(t + 10, 200, "\"e1\"", "Wed, 21 Oct 2015 07:28:00 GMT");
    CHECK_INT(log_fetch(store, id, &a, &sch), 0);
    CHECK_INT(sch.failures, 0);
    CHECK_INT(sch.next_fetch, FK_TIME_NONE);
    s = feed_state(store, NULL, id);
    CHECK_INT(s.failures, 0);
    CHECK_INT(s.next_fetch, FK_TIME_NONE);
    CHECK_STR(s.etag, "\"e1\"");
    CHECK_STR(s.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    /* A 304 keeps a validator it does not repeat; a 200 replaces both. */
    a = success(t + 20, 304, "\"e2\"", NULL);
    CHECK_INT(log_fetch(store, id, &a, NULL), 0);
    s = feed_state(store, NULL, id);
    CHECK_STR(s.etag, "\"e2\"");
    CHECK_STR(s.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    a = success(t + 30, 200, NULL, NULL);
    CHECK_INT(log_fetch(store, id, &a, NULL), 0);
    s = feed_state(store, NULL, id);
    CHECK_STR(s.etag, "(null)");
    CHECK_STR(s.last_modified, "(null)");
    /* After a reset the backoff starts over. */
    a = failure(t, FK_TIME_NONE);
    CHECK_INT(log_fetch(store, id, &a, &sch), 0);
    CHECK_INT(sch.failures, 1);
    CHECK_INT(sch.next_fetch, t + 1800);

    struct fk_error err = {0};
    CHECK_INT(fk_store_log_fetch(store, 999, &a, NULL, &err), -1);
    fk_store_close(store);
    CHECK_INT(sql_int("backoff.db", "SELECT count(*) FROM fetches"), 15);
    CHECK_INT(sql_int("backoff.db", "SELECT count(*) FROM fetches WHERE error IS NULL"), 3);
    CHECK_INT(sql_int("backoff.db", "SELECT count(*) FROM fetches WHERE status = 304"), 1);
}

static void test_log_with_articles(void)
{
    struct fk_store *store = open_fresh("atomic.db");
    if (!store)
        return;
    int64_t id = 0;
    subscribe(store, "http://example.com/feed", NULL, false, &id);
    struct commit_log c = {.id = id, .fail = true};
    c.attempt = success(1700000000, 200, "\"v1\"", NULL);
    struct fk_archive_result result;

    /* A document rolled back leaves neither articles nor validators. */
    CHECK_INT(archive_doc(store, "http://example.com/feed", feed_doc, &c, &result), -1);
    fk_archive_result_release(&result);
    CHECK_INT(c.calls, 1);
    struct feed_state s = feed_state(store, NULL, id);
    CHECK_STR(s.etag, "(null)");
    CHECK_INT(s.articles, 0);

    c.fail = false;
    CHECK_INT(archive_doc(store, "http://example.com/feed", feed_doc, &c, &result), 0);
    CHECK_INT(result.feed_id, id);
    fk_archive_result_release(&result);
    s = feed_state(store, NULL, id);
    CHECK_STR(s.etag, "\"v1\"");
    CHECK_INT(s.articles, 2);
    fk_store_close(store);
    CHECK_INT(sql_int("atomic.db", "SELECT count(*) FROM fetches"), 1);
    CHECK_INT(sql_int("atomic.db", "SELECT new_count FROM fetches"), 2);
    CHECK_INT(sql_int("atomic.db", "SELECT count(*) FROM articles"), 2);

    /* Inside another feed's transaction the log refuses. */
    store = fk_store_open(tmp_path("atomic.db"), NULL);
    if (!store)
        return;
    struct fk_error err = {0};
    CHECK_INT(fk_store_begin_feed(store, "http://example.com/other", NULL, &err), 0);
    struct fk_fetch_attempt a = success(1, 200, NULL, NULL);
    CHECK_INT(fk_store_log_fetch(store, id, &a, NULL, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(fk_store_subscribe(store, "http://example.com/x", NULL, false, NULL, &err), -1);
    CHECK_INT(fk_store_end_feed(store, false, NULL, &err), 0);
    fk_store_close(store);
}

static void test_log_pruned(void)
{
    struct fk_store *store = open_fresh("prune.db");
    if (!store)
        return;
    int64_t id = 0, other = 0;
    subscribe(store, "http://example.com/a", NULL, false, &id);
    subscribe(store, "http://example.com/b", NULL, false, &other);
    struct fk_fetch_attempt a = success(1, 200, NULL, NULL);
    CHECK_INT(log_fetch(store, other, &a, NULL), 0);
    for (int i = 0; i < FK_FETCH_LOG_KEEP + 5; i++) {
        a.time = i;
        log_fetch(store, id, &a, NULL);
    }
    fk_store_close(store);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM fetches WHERE feed_id = %lld", (long long)id);
    CHECK_INT(sql_int("prune.db", sql), FK_FETCH_LOG_KEEP);
    snprintf(sql, sizeof sql, "SELECT min(time) FROM fetches WHERE feed_id = %lld", (long long)id);
    CHECK_INT(sql_int("prune.db", sql), 5);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM fetches WHERE feed_id = %lld",
             (long long)other);
    CHECK_INT(sql_int("prune.db", sql), 1);
}

static void test_move(void)
{
    struct fk_store *store = open_fresh("move.db");
    if (!store)
        return;
    int64_t id = 0, other = 0;
    const char *old_url = "http://old.example/feed";
    const char *new_url = "http://new.example/feed";
    subscribe(store, old_url, NULL, false, &id);
    subscribe(store, "http://example.com/other", NULL, false, &other);
    struct fk_archive_result result;
    CHECK_INT(archive_doc(store, old_url, feed_doc, NULL, &result), 0);
    CHECK_INT(result.counts[FK_PUT_NEW], 2);
    fk_archive_result_release(&result);
    /* The same document in another feed: its own articles (plain guids are
     * scoped by feed), untouched by the move. */
    CHECK_INT(archive_doc(store, "http://example.com/other", feed_doc, NULL, &result), 0);
    fk_archive_result_release(&result);

    struct fk_error err = {0};
    CHECK_INT(fk_store_move_feed(store, id, "http://example.com/other", &err), 1);
    CHECK_INT(fk_store_move_feed(store, id, old_url, &err), 0);
    CHECK_INT(fk_store_move_feed(store, id, new_url, &err), 0);
    CHECK_INT(feed_state(store, new_url, 0).found, 0);
    CHECK_INT(feed_state(store, old_url, 0).found, 1);
    /* Filed again under the new URL, the articles are the same ones. */
    CHECK_INT(archive_doc(store, new_url, feed_doc, NULL, &result), 0);
    CHECK_INT(result.counts[FK_PUT_NEW], 0);
    CHECK_INT(result.counts[FK_PUT_UNCHANGED], 2);
    CHECK_INT(result.feed_id, id);
    fk_archive_result_release(&result);
    CHECK_INT(fk_store_move_feed(store, 999, "http://x.example/", &err), -1);
    fk_store_close(store);
    CHECK_INT(sql_int("move.db", "SELECT count(*) FROM articles"), 4);
    CHECK_INT(sql_int("move.db", "SELECT count(*) FROM articles WHERE key LIKE "
                                 "'feed:http://new.example/feed guid:plain-_'"),
              2);
    CHECK_INT(sql_int("move.db", "SELECT count(*) FROM articles WHERE key LIKE "
                                 "'feed:http://example.com/other guid:plain-_'"),
              2);
}

/* Read a file of the test data whole; NULL when it cannot. */
static char *read_data(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", FK_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct fk_buf buf = FK_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fk_buf_add(&buf, chunk, n);
    fclose(f);
    return fk_buf_detach(&buf);
}

static void test_migration(void)
{
    /* An archive feedkeep 0.1.0 wrote: every migration since runs when it
     * is opened, and what it held is there after. */
    char *sql = read_data("archive-v1.sql");
    CHECK(sql != NULL);
    if (!sql)
        return;
    remove_archive("migrate.db");
    CHECK_INT(sql_exec("migrate.db", sql), 0);
    free(sql);
    CHECK_INT(sql_int("migrate.db", "PRAGMA user_version"), 1);
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path("migrate.db"), &err);
    if (!store)
        fprintf(stderr, "open migrate.db: %s\n", err.message);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK(sql_int("migrate.db", "PRAGMA user_version") >= 3);
    const char *url = "http://example.com/feed.xml";
    struct feed_state s = feed_state(store, url, 0);
    CHECK_INT(s.found, 0);
    CHECK(!s.subscribed);
    CHECK_INT(s.articles, 1);
    CHECK_INT(subscribe(store, url, "Old", false, NULL), 1);
    /* The article filed by 0.1.0 is found again by its identity. */
    static const char doc[] = "<rss version=\"2.0\"><channel><title>Old feed</title>"
                              "<item><title>Plain guid</title><guid>old-1</guid>"
                              "<category>history</category><description>&lt;p&gt;Filed by "
                              "feedkeep 0.1.0.&lt;/p&gt;</description></item></channel></rss>";
    struct fk_archive_result result;
    CHECK_INT(archive_doc(store, url, doc, NULL, &result), 0);
    CHECK_INT(result.counts[FK_PUT_UNCHANGED], 1);
    fk_archive_result_release(&result);
    fk_store_close(store);
    CHECK_INT(sql_int("migrate.db", "SELECT count(*) FROM articles_fts WHERE articles_fts "
                                    "MATCH 'filed'"),
              1);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/feedkeep-subscriptions-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_backoff_delays);
    RUN(test_subscribe);
    RUN(test_lists_and_imported_feeds);
    RUN(test_backoff_and_reset);
    RUN(test_log_with_articles);
    RUN(test_log_pruned);
    RUN(test_move);
    RUN(test_migration);

    static const char *const archives[] = {
        "subscribe.db", "lists.db", "backoff.db", "atomic.db", "prune.db", "move.db", "migrate.db",
    };
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        remove_archive(archives[i]);
    if (rmdir(tmp_dir) != 0)
        perror(tmp_dir);
    return DONE();
}
