/* store_feeds.c - subscriptions and their fetch log, fetch runs, export
 * records.
 *
 * The store_*.c files are the only ones that include sqlite3.h (through
 * store_int.h); every other module sees the archive through
 * include/feedkeep/store.h and its plain structs.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* --- subscriptions and fetch log --- */

/* Fill sub from a row of FEED_COLUMNS. With copies (FEED_STRINGS slots)
 * the strings are copied there; without, they point into st. */
static void read_feed(sqlite3_stmt *st, struct fk_subscription *sub, char **copies)
{
    const char **strings[FEED_STRINGS] = {
        &sub->url,           &sub->name,      &sub->title,    &sub->site_url,   &sub->etag,
        &sub->last_modified, &sub->final_url, &sub->moved_to, &sub->last_error,
    };
    memset(sub, 0, sizeof *sub);
    sub->id = sqlite3_column_int64(st, FEED_COL_ID);
    for (int i = 0; i < FEED_STRINGS; i++) {
        if (copies)
            *strings[i] = copies[i] = column_dup(st, FEED_COL_URL + i);
        else
            *strings[i] = column_str(st, FEED_COL_URL + i);
    }
    sub->last_fetch = column_time(st, FEED_COL_LAST_FETCH);
    sub->last_status = sqlite3_column_int(st, FEED_COL_LAST_STATUS);
    sub->failures = sqlite3_column_int(st, FEED_COL_FAILURES);
    sub->next_fetch = column_time(st, FEED_COL_NEXT_FETCH);
    sub->subscribed = sqlite3_column_int(st, FEED_COL_SUBSCRIBED) != 0;
    sub->articles = sqlite3_column_int64(st, FEED_COL_ARTICLES);
    sub->last_body_fetch = column_time(st, FEED_COL_LAST_BODY_FETCH);
    if (copies)
        sub->tags_text = copies[FEED_STRINGS] = column_dup(st, FEED_COL_TAGS);
    else
        sub->tags_text = column_str(st, FEED_COL_TAGS);
    sub->assets = sqlite3_column_int(st, FEED_COL_ASSETS) != 0;
    sub->keep_raw = sqlite3_column_int(st, FEED_COL_KEEP_RAW) != 0;
    sub->private_origin = sqlite3_column_int(st, FEED_COL_PRIVATE_ORIGIN) != 0;
    sub->full_text = (enum fk_full_text)sqlite3_column_int(st, FEED_COL_FULL_TEXT);
}

const char *fk_store_path(const struct fk_store *store)
{
    return store->path;
}

int64_t fk_store_current_feed(const struct fk_store *store)
{
    if (store->pg)
        return store_pg_current_feed(store->pg);
    return store->in_feed ? store->feed_id : 0;
}

long fk_store_feed_matches(const struct fk_store *store, int64_t *first_id)
{
    if (store->pg)
        return store_pg_feed_matches(store->pg, first_id);
    if (first_id)
        *first_id = store->in_feed ? store->first_matched_id : 0;
    return store->in_feed ? store->matched : 0;
}

int64_t fk_store_backoff_delay(int failures)
{
    int64_t delay = FK_BACKOFF_FIRST;
    for (int i = 1; i < failures && delay < FK_BACKOFF_MAX; i++)
        delay *= 2;
    return delay < FK_BACKOFF_MAX ? delay : FK_BACKOFF_MAX;
}

/* The subscription functions other than fk_store_log_fetch write outside
 * the filing of a feed only. */
static int not_in_feed(const struct fk_store *store, struct fk_error *err)
{
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    return 0;
}

/* Look feed url (or id, when url is NULL) up with st left on its row.
 * Returns 1 on a row (the caller resets st), 0 when there is none, -1 with
 * err filled; st is reset in the last two cases. */
static int find_feed_row(struct fk_store *store, const char *url, int64_t id, sqlite3_stmt **out,
                         struct fk_error *err)
{
    sqlite3_stmt *st = store_stmt(store, url ? ST_SUB_FIND_URL : ST_SUB_FIND_ID, err);
    *out = st;
    if (!st)
        return -1;
    if (url ? bind_text(st, 1, url) : bind_int64(st, 1, id)) {
        store_db_error(store, err);
        stmt_reset(st);
        return -1;
    }
    return store_step_row(store, st, err);
}

/* Begin a transaction that changes the subscription at url (given, and
 * outside the filing of a feed) and look url up, as find_feed_row does.
 * On -1 no transaction is left open. */
static int begin_feed_change(struct fk_store *store, const char *url, sqlite3_stmt **st,
                             struct fk_error *err)
{
    if (not_in_feed(store, err) < 0)
        return -1;
    if (!url || !*url)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed URL");
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    int found = find_feed_row(store, url, 0, st, err);
    if (found < 0 && !sqlite3_get_autocommit(store->db))
        (void)store_run(store, ST_ROLLBACK, NULL); /* err already says why */
    return found;
}

int fk_store_subscribe(struct fk_store *store, const char *url, const char *name, bool rename,
                       int64_t *id, struct fk_error *err)
{
    if (store->pg)
        return store_pg_subscribe(store->pg, url, name, rename, id, err);
    sqlite3_stmt *st;
    int64_t feed_id = 0;
    bool was_subscribed = false;
    int ret = -1;

    int found = begin_feed_change(store, url, &st, err);
    if (found < 0)
        return -1;
    if (found) {
        feed_id = sqlite3_column_int64(st, 0);
        was_subscribed = sqlite3_column_int(st, 14) != 0;
        stmt_reset(st);
        if (!(st = store_stmt(store, ST_SUB_RESUBSCRIBE, err)))
            goto out;
        if (bind_int64(st, 1, feed_id) || bind_text(st, 2, name) || bind_int64(st, 3, rename)) {
            store_db_error(store, err);
            stmt_reset(st);
            goto out;
        }
    } else {
        if (!(st = store_stmt(store, ST_SUB_INSERT, err)))
            goto out;
        if (bind_text(st, 1, url) || bind_text(st, 2, name) || bind_int64(st, 3, time(NULL))) {
            store_db_error(store, err);
            stmt_reset(st);
            goto out;
        }
    }
    if (store_step_done(store, st, err) < 0)
        goto out;
    if (!found)
        feed_id = sqlite3_last_insert_rowid(store->db);
    if (store_run(store, ST_COMMIT, err) < 0)
        goto out;
    if (id)
        *id = feed_id;
    ret = was_subscribed ? 0 : 1;
out:
    if (ret < 0 && !sqlite3_get_autocommit(store->db))
        (void)store_run(store, ST_ROLLBACK, NULL); /* err already says why */
    return ret;
}

int fk_store_unsubscribe(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (store->pg)
        return store_pg_unsubscribe(store->pg, id, err);
    if (not_in_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = store_bound(store, ST_SUB_UNSUBSCRIBE, NULL, id, err);
    if (!st)
        return -1;
    if (store_step_done(store, st, err) < 0)
        return -1;
    return sqlite3_changes(store->db) ? 0 : 1;
}

/* The end of a lookup of one feed that found it on st's row (found 1),
 * found none (0) or failed (-1): out gets a copy of the row. Returns 0, 1
 * when there is no such feed, -1. */
static int copy_found_feed(sqlite3_stmt *st, int found, struct fk_subscription *out)
{
    if (found <= 0)
        return found < 0 ? -1 : 1;
    char **copies = fk_xcalloc(FEED_STRINGS + 1, sizeof *copies);
    read_feed(st, out, copies);
    out->priv = copies;
    stmt_reset(st);
    return 0;
}

int fk_store_find_feed(struct fk_store *store, const char *url, int64_t id,
                       struct fk_subscription *out, struct fk_error *err)
{
    if (store->pg)
        return store_pg_find_feed(store->pg, url, id, out, err);
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int found = find_feed_row(store, url, id, &st, err);
    return copy_found_feed(st, found, out);
}

int fk_store_find_feed_named(struct fk_store *store, const char *name, struct fk_subscription *out,
                             struct fk_error *err)
{
    if (store->pg)
        return store_pg_find_feed_named(store->pg, name, out, err);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(store, ST_SUB_FIND_NAME, err);
    if (!st)
        return -1;
    if (bind_text(st, 1, name)) {
        stmt_reset(st);
        return store_db_error(store, err);
    }
    int found = store_step_row(store, st, err);
    return copy_found_feed(st, found, out);
}

void fk_subscription_release(struct fk_subscription *sub)
{
    free_copies(sub->priv, FEED_STRINGS + 1);
    memset(sub, 0, sizeof *sub);
}

struct feed_walk {
    fk_subscription_fn fn;
    void *ctx;
};

static int feed_row(sqlite3_stmt *st, void *ctx)
{
    struct feed_walk *walk = ctx;
    struct fk_subscription sub;
    read_feed(st, &sub, NULL);
    return walk->fn(&sub, walk->ctx);
}

int fk_store_list_feeds(struct fk_store *store, enum fk_feed_set set, int64_t now,
                        fk_subscription_fn fn, void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_feeds(store->pg, set, now, fn, ctx, err);
    sqlite3_stmt *st = store_stmt(store, ST_SUB_LIST, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, set == FK_FEEDS_ALL) || bind_int64(st, 2, set == FK_FEEDS_DUE) ||
        bind_int64(st, 3, now))
        return store_bind_failed(store, ST_SUB_LIST, err);
    struct feed_walk walk = {fn, ctx};
    return store_each_row(store, st, feed_row, &walk, err);
}

/* When what failed at time for the failures-th time in a row (a feed, an
 * asset) is tried next: after its backoff, or after the server's
 * Retry-After (FK_TIME_NONE: none; bounded) when that is later. */
int64_t store_next_try(int64_t time, int64_t retry_after, int failures)
{
    int64_t next = time + fk_store_backoff_delay(failures);
    if (retry_after != FK_TIME_NONE) {
        int64_t retry = retry_after;
        if (retry > time + FK_RETRY_AFTER_MAX)
            retry = time + FK_RETRY_AFTER_MAX;
        if (retry > next)
            next = retry;
    }
    return next;
}

/* The feed's row after an attempt, into *schedule. */
static int update_feed_state(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *a,
                             struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    sqlite3_stmt *st;
    int rc;

    schedule->failures = 0;
    schedule->next_fetch = FK_TIME_NONE;
    if (!a->error) {
        if (!(st = store_stmt(store, ST_SUB_SUCCESS, err)))
            return -1;
        rc = bind_int64(st, 1, id) || bind_int64(st, 2, a->time) || bind_int64(st, 3, a->status) ||
             bind_text(st, 4, a->etag) || bind_text(st, 5, a->last_modified) ||
             bind_text(st, 6, a->final_url) || bind_text(st, 7, a->moved_to);
    } else {
        int64_t failures = 0;
        if (!(st = store_stmt(store, ST_SUB_FAILURES, err)))
            return -1;
        if (bind_int64(st, 1, id)) {
            stmt_reset(st);
            return store_db_error(store, err);
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            failures = sqlite3_column_int64(st, 0);
        stmt_reset(st);
        if (rc == SQLITE_DONE)
            return fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
        if (rc != SQLITE_ROW)
            return store_db_error(store, err);
        /* The count only grows by one a fetch; the bound keeps a hand-edited
         * value from overflowing. */
        schedule->failures = failures < 0 ? 1 : failures >= 1000000 ? 1000000 : (int)failures + 1;
        schedule->next_fetch = store_next_try(a->time, a->retry_after, schedule->failures);
        if (!(st = store_stmt(store, ST_SUB_FAILURE, err)))
            return -1;
        rc = bind_int64(st, 1, id) || bind_int64(st, 2, a->time) || bind_int64(st, 3, a->status) ||
             bind_int64(st, 4, schedule->failures) || bind_int64(st, 5, schedule->next_fetch) ||
             bind_text(st, 6, a->error);
    }
    if (rc) {
        stmt_reset(st);
        return store_db_error(store, err);
    }
    if (store_step_done(store, st, err) < 0)
        return -1;
    if (sqlite3_changes(store->db) != 1)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
    return 0;
}

/* Append the attempt to the fetch log and drop the feed's oldest rows. */
static int append_log(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *a,
                      struct fk_error *err)
{
    sqlite3_stmt *st = store_stmt(store, ST_SUB_LOG, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, id) || bind_int64(st, 2, a->time) || bind_int64(st, 3, a->status) ||
        bind_int64(st, 4, a->bytes) || bind_int64(st, 5, a->duration_ms) ||
        bind_int64(st, 6, a->new_count) || bind_int64(st, 7, a->updated_count) ||
        bind_text(st, 8, a->error)) {
        return store_bind_failed(store, ST_SUB_LOG, err);
    }
    if (store_step_done(store, st, err) < 0)
        return -1;
    if (!(st = store_stmt(store, ST_SUB_PRUNE, err)))
        return -1;
    if (bind_int64(st, 1, id) || bind_int64(st, 2, FK_FETCH_LOG_KEEP - 1))
        return store_bind_failed(store, ST_SUB_PRUNE, err);
    return store_step_done(store, st, err);
}

int fk_store_log_fetch(struct fk_store *store, int64_t id, const struct fk_fetch_attempt *attempt,
                       struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    if (store->pg)
        return store_pg_log_fetch(store->pg, id, attempt, schedule, err);
    struct fk_fetch_schedule result;
    bool own_transaction = !store->in_feed;
    int ret = -1;

    if (own_transaction) {
        if (store_run(store, ST_BEGIN, err) < 0)
            return -1;
    } else {
        if (id != store->feed_id)
            return fk_error_set(err, FK_ERROR_USAGE, "another feed is being filed");
        if (store_check_feed(store, err) < 0)
            return -1;
    }
    if (update_feed_state(store, id, attempt, &result, err) < 0 ||
        append_log(store, id, attempt, err) < 0)
        goto out;
    if (own_transaction && store_run(store, ST_COMMIT, err) < 0)
        goto out;
    if (schedule)
        *schedule = result;
    ret = 0;
out:
    if (ret < 0) {
        if (!own_transaction)
            store->feed_failed = true;
        else if (!sqlite3_get_autocommit(store->db))
            (void)store_run(store, ST_ROLLBACK, NULL); /* err already says why */
    }
    return ret;
}

/* Carry the article keys scoped by feed URL old_url over to new_url (see
 * fk_store_identity): "feed:URL guid:..." and "hash:URL ...", of articles
 * (statement ST_SUB_REKEY) or of aliases (ST_SUB_REKEY_ALIASES). */
static int rekey(struct fk_store *store, enum stmt_id id, const char *old_url, const char *new_url,
                 struct fk_error *err)
{
    static const char *const prefixes[][2] = {{"feed:", " guid:"}, {"hash:", " "}};
    sqlite3_stmt *st = store_stmt(store, id, err);
    int ret = 0;

    if (!st)
        return -1;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && ret == 0; i++) {
        struct fk_buf from, to, bound;
        fk_buf_init(&from, SIZE_MAX);
        fk_buf_init(&to, SIZE_MAX);
        fk_buf_init(&bound, SIZE_MAX);
        fk_buf_printf(&from, "%s%s%s", prefixes[i][0], old_url, prefixes[i][1]);
        fk_buf_printf(&to, "%s%s%s", prefixes[i][0], new_url, prefixes[i][1]);
        /* Both separators end in an ASCII character below '~'. */
        fk_buf_add(&bound, from.data, from.len);
        bound.data[bound.len - 1]++;
        if (bind_text(st, 1, from.data) || bind_text(st, 2, bound.data) ||
            bind_text(st, 3, to.data)) {
            stmt_reset(st);
            ret = store_db_error(store, err);
        } else {
            ret = store_step_done(store, st, err);
        }
        fk_buf_release(&from);
        fk_buf_release(&to);
        fk_buf_release(&bound);
    }
    return ret;
}

int fk_store_move_feed(struct fk_store *store, int64_t id, const char *new_url,
                       struct fk_error *err)
{
    if (store->pg)
        return store_pg_move_feed(store->pg, id, new_url, err);
    sqlite3_stmt *st;
    char *old_url = NULL;
    int ret = -1;

    int found = begin_feed_change(store, new_url, &st, err);
    if (found < 0)
        return -1;
    if (found) {
        bool same = sqlite3_column_int64(st, 0) == id;
        stmt_reset(st);
        ret = same ? 0 : 1;
        goto out;
    }
    found = find_feed_row(store, NULL, id, &st, err);
    if (found < 0)
        goto out;
    if (!found) {
        fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
        goto out;
    }
    old_url = column_dup(st, 1);
    stmt_reset(st);
    if (!(st = store_stmt(store, ST_SUB_MOVE, err)))
        goto out;
    if (bind_int64(st, 1, id) || bind_text(st, 2, new_url)) {
        stmt_reset(st);
        store_db_error(store, err);
        goto out;
    }
    if (store_step_done(store, st, err) < 0 ||
        rekey(store, ST_SUB_REKEY, old_url, new_url, err) < 0 ||
        rekey(store, ST_SUB_REKEY_ALIASES, old_url, new_url, err) < 0 ||
        store_run(store, ST_COMMIT, err) < 0)
        goto out;
    ret = 0;
out:
    /* Also ends the read-only transaction of the "nothing to do" cases. */
    if (!sqlite3_get_autocommit(store->db))
        (void)store_run(store, ST_ROLLBACK, NULL);
    free(old_url);
    return ret;
}

/* --- export records --- */

int fk_store_get_mark(struct fk_store *store, struct fk_store_mark *mark, struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_mark(store->pg, mark, err);
    /* One statement: one snapshot of both tables. */
    sqlite3_stmt *st = store_stmt(store, ST_EXPORT_MARK, err);
    if (!st)
        return -1;
    int ret = -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_db_error(store, err);
    } else {
        mark->article_id = sqlite3_column_int64(st, 0);
        mark->version_id = sqlite3_column_int64(st, 1);
        ret = 0;
    }
    stmt_reset(st);
    return ret;
}

int fk_store_find_export_dir(struct fk_store *store, const char *path, int64_t *dir_id,
                             struct fk_store_mark *mark, struct fk_error *err)
{
    if (store->pg)
        return store_pg_find_export_dir(store->pg, path, dir_id, mark, err);
    *dir_id = 0;
    mark->article_id = mark->version_id = 0;
    sqlite3_stmt *st = store_stmt(store, ST_EXPORT_DIR_FIND, err);
    if (!st)
        return -1;
    int rc = bind_text(st, 1, path) == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW) {
        *dir_id = sqlite3_column_int64(st, 0);
        mark->article_id = sqlite3_column_int64(st, 1);
        mark->version_id = sqlite3_column_int64(st, 2);
    }
    return store_row_done(store, st, rc, err);
}

struct export_file_walk {
    fk_export_file_fn fn;
    void *ctx;
};

static int export_file_row(sqlite3_stmt *st, void *ctx)
{
    struct export_file_walk *walk = ctx;
    struct fk_export_file file = {
        sqlite3_column_int64(st, 0),
        column_str(st, 1),
        column_str(st, 2),
        (uint64_t)sqlite3_column_int64(st, 3),
    };
    return file.name && file.path ? walk->fn(&file, walk->ctx) : 0;
}

/* The tables of an export (see store.h). The TEMP schema goes to a file
 * (whatever SQLite was built to prefer) behind a small cache of its own; it
 * keeps no rollback journal, since nothing in it outlives a failed export.
 * export_names_by_id and export_kept_by_id are made once the articles are
 * all added (by fk_store_export_claim and fk_store_export_each_unkept),
 * not kept up to date by each. */
static const char export_tables[] =
    "PRAGMA temp_store = FILE;"
    "PRAGMA temp.cache_size = -2048; PRAGMA temp.journal_mode = OFF;"
    "CREATE TEMP TABLE IF NOT EXISTS export_names (\n"
    "    seq   INTEGER PRIMARY KEY,        -- the article's number: the order it is written in\n"
    "    id    INTEGER NOT NULL,           -- the article\n"
    "    name  TEXT NOT NULL,              -- the name it wants, then the name it has\n"
    "    fixed INTEGER NOT NULL DEFAULT 0  -- it has its recorded name\n"
    ");\n"
    "CREATE TEMP TABLE IF NOT EXISTS export_recorded (\n"
    "    seq  INTEGER PRIMARY KEY,  -- an article of export_names, and its record\n"
    "    name TEXT NOT NULL,        -- in the directory (export_files)\n"
    "    path TEXT NOT NULL,\n"
    "    hash INTEGER NOT NULL\n"
    ");\n"
    "CREATE TEMP TABLE IF NOT EXISTS export_taken (\n"
    "    name TEXT PRIMARY KEY,\n"
    "    seq  INTEGER  -- whose it is; NULL: a recorded name\n"
    ") WITHOUT ROWID;\n"
    "CREATE TEMP TABLE IF NOT EXISTS export_clashes (\n"
    "    seq  INTEGER NOT NULL,  -- articles that wanted a name another has,\n"
    "    name TEXT NOT NULL      -- in the order they are given suffixes\n"
    ");\n"
    "CREATE TEMP TABLE IF NOT EXISTS export_kept (id INTEGER NOT NULL);\n"
    "CREATE TEMP TABLE IF NOT EXISTS export_forget (article_id INTEGER PRIMARY KEY);\n"
    "CREATE TEMP TABLE IF NOT EXISTS export_wrote (\n"
    "    seq        INTEGER PRIMARY KEY,\n"
    "    article_id INTEGER NOT NULL,\n"
    "    name       TEXT NOT NULL,\n"
    "    path       TEXT NOT NULL,\n"
    "    hash       INTEGER NOT NULL\n"
    ");\n"
    "DROP INDEX IF EXISTS temp.export_names_by_id; DROP INDEX IF EXISTS temp.export_kept_by_id;"
    "DELETE FROM temp.export_names; DELETE FROM temp.export_recorded;"
    " DELETE FROM temp.export_taken; DELETE FROM temp.export_clashes;"
    " DELETE FROM temp.export_kept; DELETE FROM temp.export_forget;"
    " DELETE FROM temp.export_wrote;";

int fk_store_export_begin(struct fk_store *store, int64_t dir_id, struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_begin(store->pg, dir_id, err);
    store->export_dir = dir_id;
    return store_exec_sql(store, export_tables, err);
}

int fk_store_export_add(struct fk_store *store, int64_t id, const char *name, struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_add(store->pg, id, name, err);
    sqlite3_stmt *st = stmt_of(store, ST_EXPORT_NAME_ADD);
    if (bind_int64(st, 1, id) || bind_text(st, 2, name))
        return store_bind_failed(store, ST_EXPORT_NAME_ADD, err);
    return store_step_done(store, st, err);
}

/* Take name for article number, unless another has it already: *taken
 * says whether it was. Returns 0, or -1 with err filled. */
static int take_name(struct fk_store *store, int64_t number, const char *name, bool *taken,
                     struct fk_error *err)
{
    *taken = false;
    sqlite3_stmt *st = stmt_of(store, ST_EXPORT_NAME_TAKE);
    if (bind_int64(st, 1, number) || bind_text(st, 2, name))
        return store_bind_failed(store, ST_EXPORT_NAME_TAKE, err);
    if (store_step_done(store, st, err) < 0)
        return -1;
    *taken = sqlite3_changes(store->db) > 0;
    return 0;
}

/* The claims of fk_store_export_claim: each article that wants a name,
 * by name, id and number, takes it or is a clash. */
struct claims {
    struct fk_store *store;
    int64_t clashes;
    struct fk_error *err;
};

static int claim_row(sqlite3_stmt *st, void *ctx)
{
    struct claims *claims = ctx;
    struct fk_store *store = claims->store;
    int64_t number = sqlite3_column_int64(st, 0);
    const char *name = column_str(st, 1);
    bool taken;
    if (!name)
        return 0; /* NOT NULL in the table */
    if (take_name(store, number, name, &taken, claims->err) < 0)
        return -1;
    if (taken)
        return 0;
    sqlite3_stmt *add = stmt_of(store, ST_EXPORT_CLASH_ADD);
    if (bind_int64(add, 1, number) || bind_text(add, 2, name))
        return store_bind_failed(store, ST_EXPORT_CLASH_ADD, claims->err);
    if (store_step_done(store, add, claims->err) < 0)
        return -1;
    claims->clashes++;
    return 0;
}

int fk_store_export_claim(struct fk_store *store, size_t max, int64_t *clashes,
                          struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_claim(store->pg, max, clashes, err);
    int64_t limit = max > INT64_MAX ? INT64_MAX : (int64_t)max;
    *clashes = 0;
    if (store->export_dir) {
        sqlite3_stmt *st = stmt_of(store, ST_EXPORT_NAMES_TAKE_RECORDED);
        if (bind_int64(st, 1, store->export_dir) || bind_int64(st, 2, limit))
            return store_bind_failed(store, ST_EXPORT_NAMES_TAKE_RECORDED, err);
        if (store_step_done(store, st, err) < 0 ||
            store_run(store, ST_EXPORT_NAMES_INDEX, err) < 0 ||
            !(st = store_bound(store, ST_EXPORT_NAMES_RECORDED, NULL, store->export_dir, err)) ||
            store_step_done(store, st, err) < 0 ||
            !(st = store_bound(store, ST_EXPORT_NAMES_GIVE_RECORDED, NULL, limit, err)) ||
            store_step_done(store, st, err) < 0)
            return -1;
    }
    struct claims claims = {store, 0, err};
    sqlite3_stmt *st = store_stmt(store, ST_EXPORT_NAMES_WANTING, err);
    if (!st || store_each_row(store, st, claim_row, &claims, err) != 0)
        return -1;
    *clashes = claims.clashes;
    return 0;
}

struct clash_walk {
    fk_export_clash_fn fn;
    void *ctx;
};

static int clash_row(sqlite3_stmt *st, void *ctx)
{
    struct clash_walk *walk = ctx;
    const char *name = column_str(st, 1);
    return name ? walk->fn(sqlite3_column_int64(st, 0), name, walk->ctx) : 0;
}

int fk_store_export_each_clash(struct fk_store *store, fk_export_clash_fn fn, void *ctx,
                               struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_each_clash(store->pg, fn, ctx, err);
    sqlite3_stmt *st = store_stmt(store, ST_EXPORT_CLASHES_LIST, err);
    if (!st)
        return -1;
    struct clash_walk walk = {fn, ctx};
    return store_each_row(store, st, clash_row, &walk, err);
}

int fk_store_export_try_name(struct fk_store *store, int64_t number, const char *name, bool *given,
                             struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_try_name(store->pg, number, name, given, err);
    if (take_name(store, number, name, given, err) < 0)
        return -1;
    if (!*given)
        return 0; /* another article has it */
    sqlite3_stmt *st = stmt_of(store, ST_EXPORT_NAME_SET);
    if (bind_int64(st, 1, number) || bind_text(st, 2, name)) {
        *given = false;
        return store_bind_failed(store, ST_EXPORT_NAME_SET, err);
    }
    if (store_step_done(store, st, err) < 0) {
        *given = false;
        return -1;
    }
    return 0;
}

int fk_store_export_get(struct fk_store *store, int64_t number, struct fk_export_entry *out,
                        struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_get(store->pg, number, out, err);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_bound(store, ST_EXPORT_NAME_GET, NULL, number, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->name = column_dup(st, 1);
        out->recorded_path = column_dup(st, 2);
        out->recorded_hash = (uint64_t)sqlite3_column_int64(st, 3);
        if (!out->name)
            out->name = fk_xstrdup(""); /* NOT NULL in the table */
    }
    return store_row_done(store, st, rc, err);
}

void fk_export_entry_release(struct fk_export_entry *entry)
{
    free(entry->name);
    free(entry->recorded_path);
    memset(entry, 0, sizeof *entry);
}

int fk_store_export_keep(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_keep(store->pg, id, err);
    sqlite3_stmt *st = store_bound(store, ST_EXPORT_KEEP, NULL, id, err);
    return st ? store_step_done(store, st, err) : -1;
}

int fk_store_export_each_unkept(struct fk_store *store, fk_export_file_fn fn, void *ctx,
                                struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_each_unkept(store->pg, fn, ctx, err);
    if (store_run(store, ST_EXPORT_KEPT_INDEX, err) < 0)
        return -1;
    sqlite3_stmt *st = store_bound(store, ST_EXPORT_UNKEPT_LIST, NULL, store->export_dir, err);
    if (!st)
        return -1;
    struct export_file_walk walk = {fn, ctx};
    return store_each_row(store, st, export_file_row, &walk, err);
}

int fk_store_export_forget(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_forget(store->pg, id, err);
    sqlite3_stmt *st = store_bound(store, ST_EXPORT_FORGET, NULL, id, err);
    return st ? store_step_done(store, st, err) : -1;
}

int fk_store_export_wrote(struct fk_store *store, const struct fk_export_file *file,
                          struct fk_error *err)
{
    if (store->pg)
        return store_pg_export_wrote(store->pg, file, err);
    sqlite3_stmt *st = stmt_of(store, ST_EXPORT_WROTE);
    if (bind_int64(st, 1, file->article_id) || bind_text(st, 2, file->name) ||
        bind_text(st, 3, file->path) || bind_int64(st, 4, hash_to_int64(file->hash)))
        return store_bind_failed(store, ST_EXPORT_WROTE, err);
    return store_step_done(store, st, err);
}

int fk_store_record_export(struct fk_store *store, const char *path, int64_t started,
                           const struct fk_store_mark *mark, struct fk_error *err)
{
    if (store->pg)
        return store_pg_record_export(store->pg, path, started, mark, err);
    bool in_transaction = false;
    int ret = -1;
    int64_t dir_id = 0, now = time(NULL);

    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    sqlite3_stmt *upsert = store_stmt(store, ST_EXPORT_DIR_UPSERT, err);
    sqlite3_stmt *forget = upsert ? store_stmt(store, ST_EXPORT_FILES_FORGET, err) : NULL;
    sqlite3_stmt *put = forget ? store_stmt(store, ST_EXPORT_FILES_PUT, err) : NULL;
    if (!put)
        return -1;
    if (store_exec_sql(store, "BEGIN IMMEDIATE", err) < 0)
        goto out;
    in_transaction = true;
    if (bind_text(upsert, 1, path) || bind_int64(upsert, 2, started) ||
        bind_int64(upsert, 3, mark->article_id) || bind_int64(upsert, 4, mark->version_id) ||
        sqlite3_step(upsert) != SQLITE_ROW) {
        store_db_error(store, err);
        goto out;
    }
    dir_id = sqlite3_column_int64(upsert, 0);
    stmt_reset(upsert);
    if (bind_int64(forget, 1, dir_id) || bind_int64(put, 1, dir_id) || bind_int64(put, 2, now)) {
        store_db_error(store, err);
        goto out;
    }
    if (store_step_done(store, forget, err) < 0 || store_step_done(store, put, err) < 0)
        goto out;
    if (store_exec_sql(store, "COMMIT", err) < 0)
        goto out;
    in_transaction = false;
    ret = 0;
out:
    stmt_reset(upsert);
    stmt_reset(forget);
    stmt_reset(put);
    if (in_transaction && !sqlite3_get_autocommit(store->db))
        (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err already says why */
    return ret;
}

int fk_store_tag_feed(struct fk_store *store, int64_t id, const char *tag, struct fk_error *err)
{
    if (store->pg)
        return store_pg_tag_feed(store->pg, id, tag, err);
    size_t len = 0;
    store_trim(tag, &len);
    if (!len)
        return 0;
    if (not_in_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = store_stmt(store, ST_SUB_TAG_FEED, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, id) || bind_text(st, 2, tag)) {
        stmt_reset(st);
        return store_db_error(store, err);
    }
    return store_step_done(store, st, err);
}

/* ---- fetch runs ---------------------------------------------------------- */

int fk_store_log_run(struct fk_store *store, const struct fk_fetch_run *run, struct fk_error *err)
{
    if (store->pg)
        return store_pg_log_run(store->pg, run, err);
    if (not_in_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = store_stmt(store, ST_SUB_RUN_LOG, err);
    if (!st)
        return -1;
    if (bind_int64(st, 1, run->started) || bind_int64(st, 2, run->finished) ||
        bind_int64(st, 3, run->feeds) || bind_int64(st, 4, run->failed) ||
        bind_int64(st, 5, run->new_count) || bind_int64(st, 6, run->updated_count)) {
        return store_bind_failed(store, ST_SUB_RUN_LOG, err);
    }
    if (store_step_done(store, st, err) < 0)
        return -1;
    if (!(st = store_bound(store, ST_SUB_RUN_PRUNE, NULL, FK_FETCH_LOG_KEEP - 1, err)))
        return -1;
    return store_step_done(store, st, err);
}

int fk_store_last_run(struct fk_store *store, int64_t *started, struct fk_error *err)
{
    if (store->pg)
        return store_pg_last_run(store->pg, started, err);
    sqlite3_stmt *st = store_stmt(store, ST_SUB_RUN_LAST, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int ret = 1;
    if (rc == SQLITE_ROW) {
        *started = sqlite3_column_int64(st, 0);
        ret = 0;
    } else if (rc != SQLITE_DONE) {
        ret = store_db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

int fk_store_claim_feeds(struct fk_store *store, const struct fk_claim *claim,
                         fk_subscription_fn fn, void *ctx, struct fk_claim_result *result,
                         struct fk_error *err)
{
    if (store->pg)
        return store_pg_claim_feeds(store->pg, claim, fn, ctx, result, err);
    if (result)
        memset(result, 0, sizeof *result);
    return fk_store_list_feeds(store, FK_FEEDS_SUBSCRIBED, claim->now, fn, ctx, err);
}

int fk_store_renew_claims(struct fk_store *store, long lease, struct fk_error *err)
{
    return store->pg ? store_pg_renew_claims(store->pg, lease, err) : 0;
}

int fk_store_release_claims(struct fk_store *store, bool last, struct fk_error *err)
{
    return store->pg ? store_pg_release_claims(store->pg, last, err) : 0;
}

static int gate_enter(void *ctx, const char *host, int per_host)
{
    struct fk_store *store = ctx;
    return store->pg ? store_pg_host_enter(store->pg, host, per_host) : FK_FETCH_GATE_OPEN;
}

static void gate_leave(void *ctx, const char *host, int slot)
{
    struct fk_store *store = ctx;
    if (store->pg)
        store_pg_host_leave(store->pg, host, slot);
}

void fk_store_fetch_gate(struct fk_store *store, struct fk_fetch_gate *gate)
{
    *gate = (struct fk_fetch_gate){.enter = gate_enter, .leave = gate_leave, .ctx = store};
}
