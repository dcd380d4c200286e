/* test_pages.c - an article's page as a second source in the store: the
 * feeds' full_text setting and its migration, which pages are due, the
 * page as the article's text (a replaced version, the index, reparse),
 * the empty-body guard, a feed's later change, and the backoff of pages
 * that fail. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/search.h"
#include "feedkeep/store.h"
#include "harness.h"

static char tmp_dir[] = "/tmp/fk-test-pages-XXXXXX";

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static int sql_exec(const char *name, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(tmp_path(name), &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static struct fk_store *open_archive(const char *name)
{
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path(name), &err);
    if (!store)
        fprintf(stderr, "test_pages: %s\n", err.message);
    CHECK(store != NULL);
    return store;
}

#define FEED "https://blog.example.org/feed"

/* File one item (its link url, guid url) with the text of html into the
 * feed: the put result, or -1. */
static int file_html(struct fk_store *store, const char *url, const char *html)
{
    struct fk_error err = {0};
    struct fk_content content = {0};
    struct fk_item item = {0};
    char *guid = fk_xstrdup(url), *link = fk_xstrdup(url), *title = fk_xstrdup("A post");
    char *summary = fk_xstrdup(html);
    item.guid = guid;
    item.url = link;
    item.title = title;
    item.summary_html = summary;
    item.published = 1700000000;
    item.updated = FK_TIME_NONE;
    enum fk_put_result result = FK_PUT_UNCHANGED;
    struct fk_store_pending *pending = NULL;
    int rc = fk_content_from_html(html, strlen(html), url, &content, &err);
    if (rc == 0)
        rc = fk_store_begin_feed(store, FEED, NULL, &err);
    if (rc == 0) {
        int found = fk_store_find_item(store, &item, &pending, &err);
        if (found == 0)
            rc = fk_store_put_item(store, pending, &content, &result, &err);
        rc = found < 0 ? -1 : rc;
        if (fk_store_end_feed(store, rc == 0, NULL, &err) < 0)
            rc = -1;
    }
    fk_content_release(&content);
    free(guid);
    free(link);
    free(title);
    free(summary);
    if (rc < 0)
        fprintf(stderr, "test_pages: filing %s: %s\n", url, err.message);
    return rc < 0 ? -1 : (int)result;
}

/* HTML of n paragraphs, each with word in it. */
static char *paragraphs(int n, const char *word)
{
    struct fk_buf buf = FK_BUF_INIT;
    for (int i = 0; i < n; i++)
        fk_buf_printf(&buf,
                      "<p>Paragraph %d says %s at some length, with enough words in it to "
                      "count.</p>",
                      i, word);
    return fk_buf_detach(&buf);
}

/* File html as the page of article id: the result, or -1 (1 + 10 when
 * the article is missing). */
static int put_page(struct fk_store *store, int64_t id, const char *html, const char *etag)
{
    struct fk_error err = {0};
    struct fk_content content = {0};
    struct fk_page page = {
        .article_id = id,
        .url = "https://blog.example.org/post",
        .time = 1700000100,
        .http_status = 200,
        .etag = etag,
        .base_url = "https://blog.example.org/post",
        .html = html,
        .title = "A post",
        .byline = "Someone",
    };
    enum fk_page_result result = FK_PAGE_SAME;
    int rc = fk_content_from_html(html, strlen(html), page.base_url, &content, &err);
    if (rc == 0)
        rc = fk_store_put_page(store, &page, &content, &result, &err);
    fk_content_release(&content);
    if (rc < 0)
        fprintf(stderr, "test_pages: put_page: %s\n", err.message);
    return rc < 0 ? -1 : rc == 1 ? 11 : (int)result;
}

static int64_t article_id(struct fk_store *store, const char *url)
{
    int64_t id = 0;
    struct fk_error err = {0};
    CHECK_INT(fk_store_find_article(store, url, &id, &err), 0);
    return id;
}

static bool text_has(struct fk_store *store, int64_t id, const char *word)
{
    struct fk_article a;
    struct fk_error err = {0};
    if (fk_store_get_article(store, id, &a, &err) != 0)
        return false;
    bool has = strstr(a.text, word) != NULL;
    fk_article_release(&a);
    return has;
}

static int count_hit(const struct fk_search_hit *hit, void *ctx)
{
    (void)hit;
    ++*(int *)ctx;
    return 0;
}

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
    ((int *)ctx)[v->kind]++;
    return 0;
}

static int replaced_versions(struct fk_store *store, int64_t id)
{
    int counts[3] = {0};
    struct fk_error err = {0};
    CHECK_INT(fk_store_list_versions(store, id, count_version, counts, &err), 0);
    return counts[FK_VERSION_REPLACED];
}

/* The articles fk_store_list_due_pages lists, as a string of ids. */
struct due_list {
    char ids[256];
    bool stored_with_etag;
};

static int add_due(const struct fk_page_due *due, void *ctx)
{
    struct due_list *list = ctx;
    size_t len = strlen(list->ids);
    snprintf(list->ids + len, sizeof list->ids - len, "%s%lld", len ? " " : "",
             (long long)due->article_id);
    if (due->stored && due->etag)
        list->stored_with_etag = true;
    return 0;
}

static struct due_list due_pages(struct fk_store *store, enum fk_full_text mode, int64_t now)
{
    struct due_list list = {{0}, false};
    struct fk_subscription sub;
    struct fk_error err = {0};
    CHECK_INT(fk_store_find_feed(store, FEED, 0, &sub, &err), 0);
    CHECK_INT(fk_store_list_due_pages(store, sub.id, mode, now, add_due, &list, &err), 0);
    fk_subscription_release(&sub);
    return list;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_names(void)
{
    enum fk_full_text mode = FK_FULL_TEXT_ON;
    CHECK_STR(fk_full_text_name(FK_FULL_TEXT_OFF), "off");
    CHECK_STR(fk_full_text_name(FK_FULL_TEXT_AUTO), "auto");
    CHECK(fk_full_text_name((enum fk_full_text)3) == NULL);
    CHECK(fk_full_text_parse("auto", &mode) && mode == FK_FULL_TEXT_AUTO);
    CHECK(fk_full_text_parse("off", &mode) && mode == FK_FULL_TEXT_OFF);
    CHECK(!fk_full_text_parse("ON", &mode) && mode == FK_FULL_TEXT_OFF);
    CHECK(!fk_full_text_parse(NULL, &mode));
    CHECK_STR(fk_page_status_name(FK_PAGE_UNUSABLE), "unusable");
    CHECK(fk_page_status_name(FK_PAGE_STATUS_COUNT) == NULL);
}

/* New feeds are auto; upgrading an archive of schema 10 turns its feeds
 * off; the setting is kept and shown. */
static void test_setting(void)
{
    struct fk_store *store = open_archive("setting.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t id = 0;
    CHECK_INT(fk_store_subscribe(store, "https://old.example.org/feed", NULL, false, &id, &err), 1);
    fk_store_close(store);
    CHECK_INT(sql_exec("setting.db", "DROP TABLE article_api; DROP TABLE article_pages;"
                                     " ALTER TABLE feeds DROP COLUMN full_text;"
                                     " PRAGMA user_version = 10;"),
              0);
    store = open_archive("setting.db");
    if (!store)
        return;
    struct fk_subscription sub;
    CHECK_INT(fk_store_find_feed(store, NULL, id, &sub, &err), 0);
    CHECK_INT(sub.full_text, FK_FULL_TEXT_OFF);
    fk_subscription_release(&sub);
    int64_t new_id = 0;
    CHECK_INT(fk_store_subscribe(store, "https://new.example.org/feed", NULL, false, &new_id, &err),
              1);
    CHECK_INT(fk_store_find_feed(store, NULL, new_id, &sub, &err), 0);
    CHECK_INT(sub.full_text, FK_FULL_TEXT_AUTO);
    fk_subscription_release(&sub);
    CHECK_INT(fk_store_set_full_text(store, id, FK_FULL_TEXT_ON, &err), 0);
    CHECK_INT(fk_store_find_feed(store, NULL, id, &sub, &err), 0);
    CHECK_INT(sub.full_text, FK_FULL_TEXT_ON);
    fk_subscription_release(&sub);
    CHECK_INT(fk_store_set_full_text(store, 999, FK_FULL_TEXT_ON, &err), 1);
    CHECK_INT(fk_store_set_full_text(store, id, (enum fk_full_text)7, &err), -1);
    fk_store_close(store);
}

/* The page as the article's text: longer than the feed's, searchable, the
 * feed's text a replaced version, the feed's HTML as it was; the guard
 * against empty and shrunken pages; what reparse converts. */
static void test_page_as_text(void)
{
    struct fk_store *store = open_archive("text.db");
    if (!store)
        return;
    const char *url = "https://blog.example.org/post";
    CHECK_INT(file_html(store, url, "<p>The start of the post&#8230;</p>"), FK_PUT_NEW);
    int64_t id = article_id(store, url);
    char *page = paragraphs(8, "pagetext");
    char *shorter = paragraphs(5, "pagetext");

    CHECK_INT(put_page(store, id, page, "\"e1\""), FK_PAGE_USED);
    CHECK(text_has(store, id, "Paragraph 7 says pagetext"));
    CHECK_INT(search_count(store, "pagetext"), 1);
    CHECK_INT(replaced_versions(store, id), 1);
    struct fk_article a;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_article(store, id, &a, &err), 0);
    CHECK_STR(a.summary_html, "<p>The start of the post&#8230;</p>");
    fk_article_release(&a);
    struct fk_page_row row;
    CHECK_INT(fk_store_get_page(store, id, &row, &err), 0);
    CHECK(row.used);
    CHECK_INT(row.status, FK_PAGE_STORED);
    CHECK_STR(row.etag, "\"e1\"");
    CHECK_STR(row.byline, "Someone");
    CHECK_INT(row.stored, 1700000100);
    fk_page_row_release(&row);

    /* The same page again changes nothing. */
    CHECK_INT(put_page(store, id, page, "\"e1\""), FK_PAGE_SAME);
    CHECK_INT(replaced_versions(store, id), 1);
    /* The empty-body guard. */
    CHECK_INT(put_page(store, id, "<div></div>", "\"e2\""), FK_PAGE_EMPTY);
    CHECK_INT(put_page(store, id, "<p>Sign in.</p>", "\"e3\""), FK_PAGE_KEPT);
    CHECK(text_has(store, id, "Paragraph 7 says pagetext"));
    CHECK_INT(fk_store_get_page(store, id, &row, &err), 0);
    CHECK(row.used && row.html && strstr(row.html, "Paragraph 7"));
    CHECK_STR(row.etag, "\"e1\"");
    CHECK(row.error && strstr(row.error, "under half"));
    fk_page_row_release(&row);
    /* A page a little shorter (not under half) is the new page, and the
     * text: it is still longer than the feed's. */
    CHECK_INT(put_page(store, id, shorter, "\"e4\""), FK_PAGE_USED);
    CHECK(!text_has(store, id, "Paragraph 7"));
    CHECK(text_has(store, id, "Paragraph 4 says pagetext"));

    /* reparse converts the page's HTML: nothing to rewrite. */
    struct fk_content content = {0};
    CHECK_INT(fk_content_from_html(shorter, strlen(shorter), url, &content, &err), 0);
    enum fk_reparse_result reparsed;
    CHECK_INT(fk_store_reparse_article(store, id, &content, &reparsed, &err), 0);
    CHECK_INT(reparsed, FK_REPARSE_UNCHANGED);
    fk_content_release(&content);

    /* No article: nothing. */
    CHECK_INT(put_page(store, 999, page, NULL), 11);

    /* A page no longer than the feed's text is kept, not used. */
    const char *url2 = "https://blog.example.org/long";
    CHECK_INT(file_html(store, url2, page), FK_PUT_NEW);
    int64_t id2 = article_id(store, url2);
    CHECK_INT(put_page(store, id2, shorter, NULL), FK_PAGE_NOT_LONGER);
    CHECK_INT(replaced_versions(store, id2), 0);
    CHECK_INT(fk_store_get_page(store, id2, &row, &err), 0);
    CHECK(!row.used && row.html != NULL);
    fk_page_row_release(&row);

    /* Deleting the article deletes its page. */
    fk_store_close(store);
    CHECK_INT(sql_exec("text.db", "PRAGMA foreign_keys = ON; DELETE FROM articles;"), 0);
    store = open_archive("text.db");
    if (store) {
        CHECK_INT(fk_store_get_page(store, id, &row, &err), 1);
        fk_store_close(store);
    }
    free(page);
    free(shorter);
}

/* The feed changes the item: a teaser is kept out by the short-body guard
 * (the page stays the text); a whole text replaces the page's, which
 * stops being the text, and the page is due again. */
static void test_feed_changes(void)
{
    struct fk_store *store = open_archive("changes.db");
    if (!store)
        return;
    const char *url = "https://blog.example.org/post";
    CHECK_INT(file_html(store, url, "<p>The start&#8230;</p>"), FK_PUT_NEW);
    int64_t id = article_id(store, url);
    char *page = paragraphs(8, "pagetext");
    char *whole = paragraphs(12, "feedtext");
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, 0).ids, "1");
    CHECK_INT(put_page(store, id, page, "\"e1\""), FK_PAGE_USED);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, 0).ids, "");

    /* A teaser shorter than the page's text is no news: kept as a rejected
     * version, and the item counts as unchanged. */
    CHECK_INT(file_html(store, url, "<p>The start, edited&#8230;</p>"), FK_PUT_UNCHANGED);
    CHECK(text_has(store, id, "pagetext"));
    int counts[3] = {0};
    struct fk_error err = {0};
    CHECK_INT(fk_store_list_versions(store, id, count_version, counts, &err), 0);
    CHECK_INT(counts[FK_VERSION_REJECTED], 1);

    CHECK_INT(file_html(store, url, whole), FK_PUT_UPDATED);
    CHECK(text_has(store, id, "feedtext"));
    CHECK(!text_has(store, id, "pagetext"));
    struct fk_page_row row;
    CHECK_INT(fk_store_get_page(store, id, &row, &err), 0);
    CHECK(!row.used);
    fk_page_row_release(&row);
    struct due_list due = due_pages(store, FK_FULL_TEXT_AUTO, 0);
    CHECK_STR(due.ids, "1");
    CHECK(due.stored_with_etag);
    /* The page confirmed again is shorter than the feed's text now. */
    CHECK_INT(put_page(store, id, page, "\"e1\""), FK_PAGE_NOT_LONGER);
    CHECK(text_has(store, id, "feedtext"));

    /* A page kept whose fetch fails stays, and is not tried again before
     * the item changes. */
    CHECK_INT(file_html(store, url, "<p>Another start&#8230;</p>"), FK_PUT_KEPT_SHORTER);
    CHECK_INT(file_html(store, url, whole), FK_PUT_UNCHANGED);
    char *whole2 = paragraphs(12, "feedtext again");
    CHECK_INT(file_html(store, url, whole2), FK_PUT_UPDATED);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, 0).ids, "1");
    struct fk_fetch_schedule schedule;
    CHECK_INT(fk_store_page_failed(store, id, url, "HTTP 503", 503, 1700000000, FK_TIME_NONE, false,
                                   &schedule, &err),
              0);
    CHECK(schedule.next_fetch == FK_TIME_NONE);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, INT64_MAX / 2).ids, "");
    CHECK_INT(fk_store_get_page(store, id, &row, &err), 0);
    CHECK_INT(row.status, FK_PAGE_STORED);
    CHECK_STR(row.error, "HTTP 503");
    CHECK(row.html && strstr(row.html, "pagetext"));
    CHECK_STR(row.etag, "\"e1\"");
    fk_page_row_release(&row);
    free(whole2);
    free(page);
    free(whole);
    fk_store_close(store);
}

/* Which pages are due: new articles; skipped ones only when the mode is
 * on; failed ones after their backoff, given up after FK_PAGE_TRIES or a
 * final failure; all again when their item changes. */
static void test_due_and_backoff(void)
{
    struct fk_store *store = open_archive("due.db");
    if (!store)
        return;
    CHECK_INT(file_html(store, "https://blog.example.org/a", "<p>A&#8230;</p>"), FK_PUT_NEW);
    CHECK_INT(file_html(store, "https://blog.example.org/b", "<p>B&#8230;</p>"), FK_PUT_NEW);
    CHECK_INT(file_html(store, "ftp://blog.example.org/c", "<p>C</p>"), FK_PUT_NEW);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, 0).ids, "2 1");
    struct fk_error err = {0};
    int64_t skipped[] = {1, 999};
    const char *const skipped_urls[] = {"https://blog.example.org/a", "https://gone"};
    CHECK_INT(fk_store_pages_skipped(store, skipped, skipped_urls, 2, &err), 0);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, 0).ids, "2");
    CHECK_STR(due_pages(store, FK_FULL_TEXT_ON, 0).ids, "2 1");

    struct fk_fetch_schedule schedule;
    int64_t t = 1700000000;
    CHECK_INT(fk_store_page_failed(store, 2, "https://blog.example.org/b", "HTTP 503", 503, t,
                                   FK_TIME_NONE, false, &schedule, &err),
              0);
    CHECK_INT(schedule.failures, 1);
    CHECK_INT(schedule.next_fetch, t + FK_BACKOFF_FIRST);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, t + 60).ids, "");
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, t + FK_BACKOFF_FIRST).ids, "2");
    /* Retry-After later than the backoff wins. */
    CHECK_INT(fk_store_page_failed(store, 2, "https://blog.example.org/b", "HTTP 429", 429, t,
                                   t + 86400, false, &schedule, &err),
              0);
    CHECK_INT(schedule.failures, 2);
    CHECK_INT(schedule.next_fetch, t + 86400);
    for (int i = 3; i <= FK_PAGE_TRIES; i++)
        CHECK_INT(fk_store_page_failed(store, 2, "https://blog.example.org/b", "timed out", 0, t,
                                       FK_TIME_NONE, false, &schedule, &err),
                  0);
    CHECK_INT(schedule.failures, FK_PAGE_TRIES);
    CHECK(schedule.next_fetch == FK_TIME_NONE);
    struct fk_page_row row;
    CHECK_INT(fk_store_get_page(store, 2, &row, &err), 0);
    CHECK_INT(row.status, FK_PAGE_UNUSABLE);
    CHECK_STR(row.error, "timed out");
    fk_page_row_release(&row);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_ON, INT64_MAX / 2).ids, "1");

    /* The item changes: due again, its failures counted afresh. */
    CHECK_INT(file_html(store, "https://blog.example.org/b", "<p>B, edited&#8230;</p>"),
              FK_PUT_UPDATED);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, 0).ids, "2");
    CHECK_INT(fk_store_page_failed(store, 2, "https://blog.example.org/b", "not an HTML page", 200,
                                   t, FK_TIME_NONE, true, &schedule, &err),
              0);
    CHECK_INT(schedule.failures, 1);
    CHECK(schedule.next_fetch == FK_TIME_NONE);
    CHECK_STR(due_pages(store, FK_FULL_TEXT_AUTO, INT64_MAX / 2).ids, "");
    fk_store_close(store);
}

static void remove_tmp_dir(void)
{
    static const char *const names[] = {"setting.db", "text.db", "changes.db", "due.db"};
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char path[600];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (size_t j = 0; j < sizeof suffixes / sizeof suffixes[0]; j++) {
            snprintf(path, sizeof path, "%s/%s%s", tmp_dir, names[i], suffixes[j]);
            unlink(path);
        }
    }
    rmdir(tmp_dir);
}

int main(void)
{
    if (!mkdtemp(tmp_dir)) {
        perror("test_pages: mkdtemp");
        return 1;
    }
    RUN(test_names);
    RUN(test_setting);
    RUN(test_page_as_text);
    RUN(test_feed_changes);
    RUN(test_due_and_backoff);
    remove_tmp_dir();
    return DONE();
}
