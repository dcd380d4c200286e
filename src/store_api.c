/* store_api.c - what an API tells of an article beside its item (schema
 * 12): its id there, the author's own Markdown, the canonical URL of a
 * cross-post, series and organisation, and counts that are kept as their
 * latest value only. The fetcher asks here whether an article of a list
 * needs its body fetched (new, or edited since it was filed).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

int store_api_kept(struct fk_store *store, int64_t id, bool *kept, struct fk_error *err)
{
    return store_id_flag(store, ST_API_HAS, id, kept, err);
}

/* A count as stored: NULL when unknown. */
static int bind_count(sqlite3_stmt *st, int index, long n)
{
    return n < 0 ? sqlite3_bind_null(st, index) : sqlite3_bind_int64(st, index, n);
}

int store_api_put(struct fk_store *store, int64_t id, const struct fk_item *item,
                  struct fk_error *err)
{
    const struct fk_item_api *api = &item->api;
    sqlite3_stmt *st = stmt_of(store, ST_API_PUT);
    char *canonical_key = fk_store_link_key(api->canonical_url);
    int bad = bind_int64(st, 1, id) || bind_int64(st, 2, api->id) || bind_text(st, 3, item->url) ||
              bind_text(st, 4, api->canonical_url) || bind_text(st, 5, canonical_key) ||
              store_bind_packed(store, st, 6, api->markdown, NULL) ||
              bind_text(st, 7, api->series) || bind_text(st, 8, api->organization) ||
              bind_time(st, 9, api->edited) || bind_count(st, 10, api->reading_minutes) ||
              bind_count(st, 11, api->reactions) || bind_count(st, 12, api->comments) ||
              bind_int64(st, 13, time(NULL));
    /* the statement holds the key until it is run (SQLITE_STATIC) */
    int rc = bad ? store_bind_failed(store, ST_API_PUT, err) : store_run(store, ST_API_PUT, err);
    free(canonical_key);
    return rc;
}

int fk_store_api_state(struct fk_store *store, const char *feed_url, const struct fk_item *item,
                       struct fk_api_state *out, struct fk_error *err)
{
    if (store->pg)
        return store_pg_api_state(store->pg, feed_url, item, out, err);
    memset(out, 0, sizeof *out);
    out->edited = FK_TIME_NONE;
    struct fk_store_pending p = {.key = fk_store_identity(feed_url, item)};
    int rc = -1;
    /* find_key's statements, as fk_store_find_item runs them */
    for (enum stmt_id id = ST_ARTICLE_FIND; !p.id; id = ST_ALIAS_FIND) {
        sqlite3_stmt *st = stmt_of(store, id);
        if (bind_text(st, 1, p.key)) {
            store_bind_failed(store, id, err);
            goto out;
        }
        int found = store_step_row(store, st, err);
        if (found < 0)
            goto out;
        if (found > 0) {
            p.id = sqlite3_column_int64(st, 0);
            stmt_reset(st);
        }
        if (id == ST_ALIAS_FIND)
            break;
    }
    out->article_id = p.id;
    rc = 1;
    if (!p.id)
        goto out;
    sqlite3_stmt *st = store_bound(store, ST_API_STATE, NULL, p.id, err);
    int found = st ? store_step_row(store, st, err) : -1;
    if (found < 0) {
        rc = -1;
    } else if (found > 0) {
        out->edited = column_time(st, 0);
        out->has_markdown = sqlite3_column_int(st, 1) != 0;
        stmt_reset(st);
        rc = 0;
    }
out:
    free(p.key);
    return rc;
}

int fk_store_api_seen(struct fk_store *store, int64_t id, const struct fk_item *item, int64_t now,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_api_seen(store->pg, id, item, now, err);
    if (store_check_feed(store, err) < 0)
        return -1;
    sqlite3_stmt *st = store_bound(store, ST_API_COUNTS, NULL, id, err);
    int ret = -1;
    if (st) {
        if (bind_count(st, 2, item->api.reading_minutes) ||
            bind_count(st, 3, item->api.reactions) || bind_count(st, 4, item->api.comments) ||
            bind_int64(st, 5, now))
            ret = store_bind_failed(store, ST_API_COUNTS, err);
        else
            ret = store_step_done(store, st, err);
    }
    sqlite3_stmt *link = stmt_of(store, ST_FEED_LINK);
    if (ret == 0 && (bind_int64(link, 1, id) || bind_int64(link, 2, store->feed_id)))
        ret = store_bind_failed(store, ST_FEED_LINK, err);
    else if (ret == 0)
        ret = store_run(store, ST_FEED_LINK, err);
    if (ret < 0)
        store->feed_failed = true;
    return ret;
}

static long column_count(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, col);
}

int fk_store_get_api(struct fk_store *store, int64_t id, struct fk_api_row *row,
                     struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_api(store->pg, id, row, err);
    memset(row, 0, sizeof *row);
    sqlite3_stmt *st = store_bound(store, ST_API_GET, NULL, id, err);
    int found = st ? store_step_row(store, st, err) : -1;
    if (found <= 0)
        return found < 0 ? -1 : 1;
    row->api_id = sqlite3_column_int64(st, 0);
    row->url = column_dup(st, 1);
    row->canonical_url = column_dup(st, 2);
    /* Packed alone: the article's HTML may change without it. */
    if (store_column_unpacked(store, st, 3, NULL, id, &row->markdown, err) < 0) {
        stmt_reset(st);
        fk_api_row_release(row);
        return -1;
    }
    row->series = column_dup(st, 4);
    row->organization = column_dup(st, 5);
    row->edited = column_time(st, 6);
    row->reading_minutes = column_count(st, 7);
    row->reactions = column_count(st, 8);
    row->comments = column_count(st, 9);
    stmt_reset(st);
    return 0;
}

void fk_api_row_release(struct fk_api_row *row)
{
    if (!row)
        return;
    free(row->url);
    free(row->canonical_url);
    free(row->markdown);
    free(row->series);
    free(row->organization);
    memset(row, 0, sizeof *row);
}

int store_id_flag(struct fk_store *store, enum stmt_id which, int64_t id, bool *flag,
                  struct fk_error *err)
{
    sqlite3_stmt *st = store_bound(store, which, NULL, id, err);
    if (!st)
        return -1;
    int found = store_step_row(store, st, err);
    if (found < 0)
        return -1;
    *flag = found > 0 && sqlite3_column_int(st, 0) != 0;
    if (found > 0)
        stmt_reset(st);
    return 0;
}
