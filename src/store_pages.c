/* store_pages.c - an article's page: the second source of an article whose
 * feed sent a teaser. The page's state as the fetcher left it (validators,
 * failures in a row and the next try, the item source it was fetched for),
 * the article extracted from it, and whether its text is the article's
 * content, which it becomes through the same replacement as reparse (a
 * "replaced" version keeps the text before). What is decided about a page
 * is decided here for both stores: the PostgreSQL one (store_pg_assets.c)
 * hands over its own reads and writes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "store_int.h"

static const char *const full_text_names[] = {
    [FK_FULL_TEXT_OFF] = "off",
    [FK_FULL_TEXT_ON] = "on",
    [FK_FULL_TEXT_AUTO] = "auto",
};

const char *fk_full_text_name(enum fk_full_text mode)
{
    return (unsigned)mode < sizeof full_text_names / sizeof full_text_names[0]
               ? full_text_names[mode]
               : NULL;
}

bool fk_full_text_parse(const char *name, enum fk_full_text *out)
{
    for (size_t i = 0; name && i < sizeof full_text_names / sizeof full_text_names[0]; i++) {
        if (strcmp(name, full_text_names[i]) == 0) {
            *out = (enum fk_full_text)i;
            return true;
        }
    }
    return false;
}

static const char *const page_status_names[] = {
    [FK_PAGE_STORED] = "stored",
    [FK_PAGE_UNUSABLE] = "unusable",
    [FK_PAGE_FAILED] = "failed",
    [FK_PAGE_SKIPPED] = "skipped",
};

const char *fk_page_status_name(enum fk_page_status status)
{
    return (unsigned)status < FK_PAGE_STATUS_COUNT ? page_status_names[status] : NULL;
}

enum fk_page_status store_page_status(const char *name)
{
    for (int i = 0; name && i < FK_PAGE_STATUS_COUNT; i++) {
        if (strcmp(name, page_status_names[i]) == 0)
            return (enum fk_page_status)i;
    }
    return FK_PAGE_UNUSABLE;
}

int fk_store_set_full_text(struct fk_store *store, int64_t id, enum fk_full_text mode,
                           struct fk_error *err)
{
    if (store->pg)
        return store_pg_set_full_text(store->pg, id, mode, err);
    if (!fk_full_text_name(mode))
        return fk_error_set(err, FK_ERROR_USAGE, "no full-text mode %d", (int)mode);
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    sqlite3_stmt *st = store_bound(store, ST_FULL_TEXT_SET, NULL, id, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, mode))
        return store_bind_failed(store, ST_FULL_TEXT_SET, err);
    if (store_step_done(store, st, err) < 0)
        return -1;
    return sqlite3_changes(store->db) > 0 ? 0 : 1;
}

/* ---- which pages are due ----------------------------------------------------- */

struct due_walk {
    struct fk_store *store;
    struct fk_error *err;
    bool failed; /* the article's HTML did not unpack: err is filled */
    fk_page_due_fn fn;
    void *ctx;
};

static int due_row(sqlite3_stmt *st, void *ctx)
{
    struct due_walk *walk = ctx;
    char *html;
    if (store_column_unpacked(walk->store, st, 2, NULL, sqlite3_column_int64(st, 0), &html,
                              walk->err) < 0) {
        walk->failed = true;
        return -1;
    }
    const char *status = column_str(st, 6);
    struct fk_page_due due = {
        .article_id = sqlite3_column_int64(st, 0),
        .url = column_str(st, 1),
        .html = html,
        .text = column_str(st, 3),
        .etag = column_str(st, 4),
        .last_modified = column_str(st, 5),
        .stored = status && strcmp(status, "stored") == 0,
    };
    int ret = walk->fn(&due, walk->ctx);
    free(html);
    return ret;
}

int fk_store_list_due_pages(struct fk_store *store, int64_t feed_id, enum fk_full_text mode,
                            int64_t now, fk_page_due_fn fn, void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_due_pages(store->pg, feed_id, mode, now, fn, ctx, err);
    struct due_walk walk = {store, err, false, fn, ctx};
    sqlite3_stmt *st = store_bound(store, ST_PAGE_DUE, NULL, feed_id, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, now) || bind_int64(st, 3, mode == FK_FULL_TEXT_ON))
        return store_bind_failed(store, ST_PAGE_DUE, err);
    int ret = store_each_row(store, st, due_row, &walk, err);
    return walk.failed ? -1 : ret;
}

/* ---- deciding, for both stores ------------------------------------------------ */

/* Record an attempt a at the page of article id: a->status
 * FK_PAGE_SKIPPED (not wanted) or FK_PAGE_FAILED (final: given up at
 * once), its failures counted here. A page stored before stays the
 * article's. */
static int note_attempt(const struct store_page_ops *ops, void *db, int64_t id,
                        struct store_page_attempt *a, bool final, int64_t retry_after,
                        struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    struct store_page_state state;
    int ret = ops->read_state(db, id, &state, err);
    if (ret == 0 && state.found && a->status == FK_PAGE_FAILED) {
        a->failures = state.has_row && state.status == FK_PAGE_FAILED ? state.failures + 1 : 1;
        if (final || a->failures >= FK_PAGE_TRIES)
            a->status = FK_PAGE_UNUSABLE;
        else
            a->next_try = store_next_try(a->time, retry_after, a->failures);
    }
    if (ret == 0 && state.found) {
        if (state.has_html) {
            /* Its article is kept: not tried again until the item changes. */
            a->status = FK_PAGE_STORED;
            a->next_try = FK_TIME_NONE;
        }
        ret = ops->record_attempt(db, id, a, err);
    }
    if (ret == 0 && schedule) {
        schedule->failures = a->failures;
        schedule->next_fetch = a->next_try;
    }
    return ret;
}

int store_pages_skipped(const struct store_page_ops *ops, void *db, const int64_t *ids,
                        const char *const *urls, size_t count, struct fk_error *err)
{
    bool own;
    if (ops->write_begin(db, &own, err) < 0)
        return -1;
    int ret = 0;
    for (size_t i = 0; ret == 0 && i < count; i++) {
        struct store_page_attempt a = {
            .status = FK_PAGE_SKIPPED,
            .time = FK_TIME_NONE,
            .next_try = FK_TIME_NONE,
            .url = urls[i],
        };
        ret = note_attempt(ops, db, ids[i], &a, false, FK_TIME_NONE, NULL, err);
    }
    return ops->write_end(db, own, ret, err);
}

int store_page_failed(const struct store_page_ops *ops, void *db, int64_t id, const char *url,
                      const char *error, int http_status, int64_t time, int64_t retry_after,
                      bool final, struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    struct store_page_attempt a = {
        .status = FK_PAGE_FAILED,
        .time = time,
        .http_status = http_status,
        .error = error ? error : "failed",
        .next_try = FK_TIME_NONE,
        .url = url,
    };
    bool own;
    if (ops->write_begin(db, &own, err) < 0)
        return -1;
    return ops->write_end(db, own, note_attempt(ops, db, id, &a, final, retry_after, schedule, err),
                          err);
}

int store_page_put(const struct store_page_ops *ops, void *db, const struct fk_page *page,
                   const struct fk_content *content, enum fk_page_result *result,
                   struct fk_error *err)
{
    struct store_page_state state;
    if (ops->read_state(db, page->article_id, &state, err) < 0)
        return -1;
    if (!state.found)
        return 1;
    int64_t length = content && content->text ? (int64_t)strlen(content->text) : 0;
    struct store_page_attempt a = {
        .status = FK_PAGE_STORED,
        .time = page->time,
        .http_status = page->http_status,
        .next_try = FK_TIME_NONE,
        .url = page->url,
    };
    bool good_before = state.has_html && state.text_length > 0;
    if (length == 0 || (good_before && length * 2 < state.text_length)) {
        /* The empty-body guard: the page stored before, if any, stays. */
        *result = length == 0 ? FK_PAGE_EMPTY : FK_PAGE_KEPT;
        a.error = length == 0 ? "the page has no article text"
                              : "the page has under half the text of the page kept";
        if (!good_before)
            a.status = FK_PAGE_UNUSABLE;
        return ops->record_attempt(db, page->article_id, &a, err);
    }
    if (ops->record_attempt(db, page->article_id, &a, err) < 0 ||
        ops->store_html(db, page, length, err) < 0)
        return -1;
    /* The feed's text: the article's, unless the page is the content. */
    int64_t feed_length = state.used ? state.feed_length : state.article_length;
    if (length <= feed_length) {
        *result = FK_PAGE_NOT_LONGER;
        /* A page that had become the content and is now no longer than
         * the feed's text stays the content (the feed's text before it is
         * in the article's versions) until the feed changes the item. */
        return 0;
    }
    enum fk_reparse_result replaced;
    if (ops->use_page(db, page->article_id, content, feed_length, &replaced, err) < 0)
        return -1;
    *result = state.used && replaced == FK_REPARSE_UNCHANGED ? FK_PAGE_SAME : FK_PAGE_USED;
    return 0;
}

/* ---- the page's row on SQLite ------------------------------------------------- */

/* The page's row of article id, created (as skipped) when it has none;
 * the article must exist. */
static int ensure_row(struct fk_store *store, int64_t id, const char *url, struct fk_error *err)
{
    sqlite3_stmt *st = store_bound(store, ST_PAGE_ENSURE, NULL, id, err);
    if (!st)
        return -1;
    if (bind_text(st, 2, url))
        return store_bind_failed(store, ST_PAGE_ENSURE, err);
    return store_step_done(store, st, err);
}

static int record_attempt(void *db, int64_t id, const struct store_page_attempt *a,
                          struct fk_error *err)
{
    struct fk_store *store = db;
    if (ensure_row(store, id, a->url, err) < 0)
        return -1;
    sqlite3_stmt *st = store_bound(store, ST_PAGE_ATTEMPT, NULL, id, err);
    if (!st)
        return -1;
    if (bind_text(st, 2, fk_page_status_name(a->status)) || bind_time(st, 3, a->time) ||
        (a->http_status ? bind_int64(st, 4, a->http_status) : sqlite3_bind_null(st, 4)) ||
        bind_text(st, 5, a->error) || bind_int64(st, 6, a->failures) ||
        bind_time(st, 7, a->next_try) || bind_text(st, 8, a->url))
        return store_bind_failed(store, ST_PAGE_ATTEMPT, err);
    return store_step_done(store, st, err);
}

/* Step statement which, of article id, onto its row (*st, to reset):
 * 1, 0 when there is none, -1 with err filled. */
static int page_row(struct fk_store *store, enum stmt_id which, int64_t id, sqlite3_stmt **st,
                    struct fk_error *err)
{
    *st = store_bound(store, which, NULL, id, err);
    return *st ? store_step_row(store, *st, err) : -1;
}

static int read_state(void *db, int64_t id, struct store_page_state *s, struct fk_error *err)
{
    sqlite3_stmt *st;
    memset(s, 0, sizeof *s);
    int found = page_row(db, ST_PAGE_READ, id, &st, err);
    if (found <= 0)
        return found;
    s->found = true;
    s->article_length = sqlite3_column_bytes(st, 0);
    s->has_row = sqlite3_column_type(st, 1) != SQLITE_NULL;
    s->status = store_page_status(column_str(st, 1));
    s->has_html = sqlite3_column_type(st, 2) != SQLITE_NULL;
    s->text_length = sqlite3_column_int64(st, 3);
    s->feed_length = sqlite3_column_int64(st, 4);
    s->used = sqlite3_column_int(st, 5) != 0;
    s->failures = sqlite3_column_int(st, 6);
    stmt_reset(st);
    return 0;
}

static int store_html(void *db, const struct fk_page *page, int64_t text_length,
                      struct fk_error *err)
{
    struct fk_store *store = db;
    sqlite3_stmt *st = store_bound(store, ST_PAGE_STORE, NULL, page->article_id, err);
    if (!st)
        return -1;
    if (bind_text(st, 2, page->etag) || bind_text(st, 3, page->last_modified) ||
        bind_text(st, 4, page->base_url) || bind_text(st, 5, page->html) ||
        bind_text(st, 6, page->title) || bind_text(st, 7, page->byline) ||
        bind_int64(st, 8, text_length) || bind_time(st, 9, page->time))
        return store_bind_failed(store, ST_PAGE_STORE, err);
    return store_step_done(store, st, err);
}

static int use_page(void *db, int64_t id, const struct fk_content *content, int64_t feed_length,
                    enum fk_reparse_result *result, struct fk_error *err)
{
    struct fk_store *store = db;
    if (store_replace_content(store, id, content, result, err) < 0)
        return -1;
    sqlite3_stmt *st = store_bound(store, ST_PAGE_USE, NULL, id, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, true) || bind_int64(st, 3, feed_length))
        return store_bind_failed(store, ST_PAGE_USE, err);
    return store_step_done(store, st, err);
}

static int write_begin(void *db, bool *own, struct fk_error *err)
{
    return store_write_begin(db, own, err);
}

static int write_end(void *db, bool own, int ret, struct fk_error *err)
{
    return store_write_end(db, own, ret, err);
}

static const struct store_page_ops page_ops = {
    write_begin, write_end, read_state, record_attempt, store_html, use_page,
};

/* ---- recording attempts and storing a page --------------------------------------- */

int fk_store_pages_skipped(struct fk_store *store, const int64_t *ids, const char *const *urls,
                           size_t count, struct fk_error *err)
{
    if (store->pg)
        return store_pg_pages_skipped(store->pg, ids, urls, count, err);
    return store_pages_skipped(&page_ops, store, ids, urls, count, err);
}

int fk_store_page_failed(struct fk_store *store, int64_t id, const char *url, const char *error,
                         int http_status, int64_t time, int64_t retry_after, bool final,
                         struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    if (store->pg)
        return store_pg_page_failed(store->pg, id, url, error, http_status, time, retry_after,
                                    final, schedule, err);
    return store_page_failed(&page_ops, store, id, url, error, http_status, time, retry_after,
                             final, schedule, err);
}

int fk_store_put_page(struct fk_store *store, const struct fk_page *page,
                      const struct fk_content *content, enum fk_page_result *result,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_put_page(store->pg, page, content, result, err);
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    int ret = store_page_put(&page_ops, store, page, content, result, err);
    if (ret == 1) {
        (void)store_run(store, ST_ROLLBACK, NULL);
        return 1;
    }
    return store_write_end(store, true, ret, err);
}

/* ---- reading a page -------------------------------------------------------------- */

int fk_store_get_page(struct fk_store *store, int64_t id, struct fk_page_row *out,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_page(store->pg, id, out, err);
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int found = page_row(store, ST_PAGE_GET, id, &st, err);
    if (found <= 0)
        return found < 0 ? -1 : 1;
    out->url = column_dup(st, 0);
    out->status = store_page_status(column_str(st, 1));
    out->fetched = column_time(st, 2);
    out->http_status = sqlite3_column_int(st, 3);
    out->etag = column_dup(st, 4);
    out->last_modified = column_dup(st, 5);
    out->failures = sqlite3_column_int(st, 6);
    out->next_try = column_time(st, 7);
    out->error = column_dup(st, 8);
    out->stored = column_time(st, 9);
    out->base_url = column_dup(st, 10);
    out->html = column_dup(st, 11);
    out->title = column_dup(st, 12);
    out->byline = column_dup(st, 13);
    out->used = sqlite3_column_int(st, 14) != 0;
    stmt_reset(st);
    return 0;
}

void fk_page_row_release(struct fk_page_row *row)
{
    if (!row)
        return;
    free(row->url);
    free(row->etag);
    free(row->last_modified);
    free(row->error);
    free(row->base_url);
    free(row->html);
    free(row->title);
    free(row->byline);
    memset(row, 0, sizeof *row);
}
