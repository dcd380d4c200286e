/* store_pg_assets.c - the PostgreSQL store: assets, article pages and API
 * rows (store_assets.c, store_pages.c and store_api.c on SQLite, which
 * also hold the names and the decisions about a page both stores share).
 *
 * Assets are kept once by SHA-256 and their URLs once each: several
 * fetchers, on several hosts, may store the same asset or URL at once, so
 * every insert of an asset or a URL is ON CONFLICT and its id is read back
 * after it, in a statement of its own (under READ COMMITTED it sees the row
 * the other process committed while this one waited for it). Inserts look
 * for the row first, so that finding it does not use up an id.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"
#include "store_pg_int.h"

/* ---- writes -------------------------------------------------------------------- */

/* Begin a write: in the feed's transaction when a feed is being filed,
 * else in one of its own (*own set). Returns 0, or -1 with err filled. */
static int write_begin(void *db, bool *own, struct fk_error *err)
{
    struct pg_store *ps = db;
    *own = store_pg_current_feed(ps) == 0;
    if (*own)
        return pg_exec(ps->conn, "BEGIN", NULL, err) < 0 ? -1 : 0;
    return 0;
}

/* End a write begun by write_begin, ret saying how it went: commit or roll
 * back a transaction of its own. A failed statement in the feed's
 * transaction leaves it aborted: the feed cannot be committed. Returns
 * ret, or -1 when the commit failed. */
static int write_end(void *db, bool own, int ret, struct fk_error *err)
{
    struct pg_store *ps = db;
    if (ret >= 0 && own && pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        ret = -1;
    if (ret < 0 && own && pg_in_transaction(ps->conn))
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL); /* err says why */
    return ret;
}

/* Run the one-row statement sql with params into n integers; no row is an
 * error. Returns 0, or -1 with err filled. */
static int row_int64s(struct pg_store *ps, const char *sql, const struct pg_params *params,
                      int64_t *const *fields, int n, struct fk_error *err)
{
    struct pg_result *r = pg_query(ps->conn, sql, params, err);
    int ret = -1;
    if (!r)
        goto out;
    if (pg_rows(r) != 1) {
        fk_error_set(err, FK_ERROR_DB, "%s: a statement returned %d rows, not one",
                     pg_shown(ps->conn), pg_rows(r));
        goto out;
    }
    for (int i = 0; i < n; i++)
        *fields[i] = pg_number(r, 0, i);
    ret = 0;
out:
    pg_result_free(r);
    return ret;
}

/* Call row for each row of sql (a string literal) with params, through a
 * cursor, until it returns non-zero. Returns that value, 0 at the end, -1
 * with err filled. */
typedef int pg_row_fn(const struct pg_result *r, int row, void *ctx);

static int each_row(struct pg_store *ps, const char *sql, const struct pg_params *params,
                    pg_row_fn *row, void *ctx, struct fk_error *err)
{
    struct pg_walk *walk = pg_walk_begin(ps->conn, sql, params, err);
    if (!walk)
        return -1;
    int ret = 0;
    while (ret == 0) {
        struct pg_result *r = pg_walk_next(walk, err);
        if (!r) {
            ret = -1;
            break;
        }
        int rows = pg_rows(r);
        for (int i = 0; ret == 0 && i < rows; i++)
            ret = row(r, i, ctx);
        pg_result_free(r);
        if (rows == 0)
            break;
    }
    /* err keeps the first failure; a callback's stop is no failure */
    struct fk_error ignored = {0};
    if (pg_walk_end(walk, ret < 0 ? &ignored : err) < 0 && ret >= 0)
        ret = -1;
    return ret;
}

/* A copy of column of the first row of r, NULL for NULL. */
static char *dup_or_null(const struct pg_result *r, int column)
{
    return pg_is_null(r, 0, column) ? NULL : fk_xstrdup(pg_text(r, 0, column));
}

/* ---- API rows ------------------------------------------------------------------ */

int store_pg_api_state(struct pg_store *ps, const char *feed_url, const struct fk_item *item,
                       struct fk_api_state *out, struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    out->edited = FK_TIME_NONE;
    char *key = fk_store_identity(feed_url, item);
    struct pg_params p = PG_PARAMS_INIT;
    struct pg_result *r = NULL;
    int ret = -1;
    pg_add_text(&p, key);
    /* the article under the key, else the one the key is an alias of, as
     * filing finds it */
    r = pg_query(ps->conn,
                 "SELECT id FROM articles WHERE key = $1"
                 " UNION ALL SELECT a.id FROM article_aliases al"
                 " JOIN articles a ON a.id = al.article_id WHERE al.key = $1"
                 " AND NOT EXISTS (SELECT 1 FROM articles WHERE key = $1)",
                 &p, err);
    if (!r)
        goto out;
    out->article_id = pg_rows(r) > 0 ? pg_number(r, 0, 0) : 0;
    pg_result_free(r);
    r = NULL;
    ret = 1;
    if (!out->article_id)
        goto out;
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_int64(&p, out->article_id);
    r = pg_query(ps->conn,
                 "SELECT fk_epoch(edited), markdown IS NOT NULL FROM article_api"
                 " WHERE article_id = $1::bigint",
                 &p, err);
    if (!r) {
        ret = -1;
    } else if (pg_rows(r) > 0) {
        out->edited = pg_time(r, 0, 0);
        out->has_markdown = pg_number(r, 0, 1) != 0;
        ret = 0;
    }
out:
    pg_result_free(r);
    free(key);
    return ret;
}

int store_pg_api_seen(struct pg_store *ps, int64_t id, const struct fk_item *item, int64_t now,
                      struct fk_error *err)
{
    int64_t feed_id = store_pg_current_feed(ps);
    if (!feed_id)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_count(&p, item->api.reading_minutes);
    pg_add_count(&p, item->api.reactions);
    pg_add_count(&p, item->api.comments);
    pg_add_time(&p, now);
    if (pg_exec(ps->conn,
                "UPDATE article_api SET reading_minutes = coalesce($2::integer, reading_minutes),"
                " reactions = coalesce($3::integer, reactions),"
                " comments = coalesce($4::integer, comments), counted = to_timestamp($5)"
                " WHERE article_id = $1::bigint",
                &p, err) < 0)
        return -1;
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_int64(&p, feed_id);
    if (pg_exec(ps->conn,
                "INSERT INTO article_feeds(article_id, feed_id) VALUES ($1::bigint, $2::bigint)"
                " ON CONFLICT DO NOTHING",
                &p, err) < 0)
        return -1;
    return 0;
}

int store_pg_get_api(struct pg_store *ps, int64_t id, struct fk_api_row *row, struct fk_error *err)
{
    memset(row, 0, sizeof *row);
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT api_id, url, canonical_url, markdown, series, organization,"
                 " fk_epoch(edited), reading_minutes, reactions, comments FROM article_api"
                 " WHERE article_id = $1::bigint",
                 &p, err);
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) > 0) {
        row->api_id = pg_number(r, 0, 0);
        row->url = dup_or_null(r, 1);
        row->canonical_url = dup_or_null(r, 2);
        row->markdown = dup_or_null(r, 3);
        row->series = dup_or_null(r, 4);
        row->organization = dup_or_null(r, 5);
        row->edited = pg_time(r, 0, 6);
        row->reading_minutes = (long)pg_count(r, 0, 7);
        row->reactions = (long)pg_count(r, 0, 8);
        row->comments = (long)pg_count(r, 0, 9);
        ret = 0;
    }
    pg_result_free(r);
    return ret;
}

/* ---- asset URLs ------------------------------------------------------------------ */

/* The id, failures in a row and status of url, made known at time when it
 * is not. Returns 0, or -1 with err filled. */
static int url_row(struct pg_store *ps, const char *url, int64_t time, int64_t *id, int *failures,
                   struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, url);
    pg_add_time(&p, time);
    if (pg_exec(ps->conn,
                "INSERT INTO asset_urls(url, created) SELECT $1::text, to_timestamp($2)"
                " WHERE NOT EXISTS (SELECT 1 FROM asset_urls WHERE url = $1::text)"
                " ON CONFLICT (url) DO NOTHING",
                &p, err) < 0)
        return -1;
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_text(&p, url);
    struct pg_result *r =
        pg_query(ps->conn, "SELECT id, failures FROM asset_urls WHERE url = $1", &p, err);
    if (!r)
        return -1;
    int ret = 0;
    if (pg_rows(r) != 1) {
        ret = fk_error_set(err, FK_ERROR_DB, "%s: the asset URL '%s' just recorded is missing",
                           pg_shown(ps->conn), url);
    } else {
        *id = pg_number(r, 0, 0);
        if (failures)
            *failures = (int)pg_number(r, 0, 1);
    }
    pg_result_free(r);
    return ret;
}

static int put_asset(struct pg_store *ps, const struct fk_asset_fetched *a, bool *is_new,
                     struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_bytes(&p, a->sha256, 32);
    pg_add_text(&p, a->mime);
    pg_add_int64(&p, (int64_t)a->size);
    pg_add_time(&p, a->time);
    pg_add_bytes(&p, a->data ? a->data : "", a->size);
    struct pg_result *r =
        pg_query(ps->conn,
                 "INSERT INTO assets(sha256, mime, size, created, data)"
                 " SELECT $1::bytea, $2::text, $3::bigint, to_timestamp($4), $5::bytea"
                 " WHERE NOT EXISTS (SELECT 1 FROM assets WHERE sha256 = $1::bytea)"
                 " ON CONFLICT (sha256) DO NOTHING RETURNING id",
                 &p, err);
    if (!r)
        return -1;
    int64_t asset_id = pg_rows(r) > 0 ? pg_number(r, 0, 0) : 0;
    pg_result_free(r);
    if (is_new)
        *is_new = asset_id != 0;
    if (!asset_id) {
        /* stored before, or by another process that got there first */
        p = (struct pg_params)PG_PARAMS_INIT;
        pg_add_bytes(&p, a->sha256, 32);
        if (!(r = pg_query(ps->conn, "SELECT id FROM assets WHERE sha256 = $1", &p, err)))
            return -1;
        asset_id = pg_rows(r) > 0 ? pg_number(r, 0, 0) : 0;
        pg_result_free(r);
        if (!asset_id)
            return fk_error_set(err, FK_ERROR_DB, "the asset just stored is missing");
    }
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_text(&p, a->url);
    pg_add_time(&p, a->time);
    pg_add_int64(&p, asset_id);
    pg_add_text(&p, a->etag);
    pg_add_text(&p, a->last_modified);
    long changed = pg_exec(ps->conn,
                           "UPDATE asset_urls SET asset_id = $3::bigint, status = 'stored',"
                           " reason = NULL, cap = NULL, etag = $4, last_modified = $5,"
                           " failures = 0, next_try = NULL, last_try = to_timestamp($2)"
                           " WHERE url = $1",
                           &p, err);
    if (changed != 0)
        return changed < 0 ? -1 : 0;
    /* a new URL, unless another process records it first */
    return pg_exec(ps->conn,
                   "INSERT INTO asset_urls(url, created, asset_id, status, etag, last_modified,"
                   " last_try) VALUES ($1, to_timestamp($2), $3::bigint, 'stored', $4, $5,"
                   " to_timestamp($2)) ON CONFLICT (url) DO UPDATE SET"
                   " asset_id = excluded.asset_id, status = 'stored', reason = NULL, cap = NULL,"
                   " etag = excluded.etag, last_modified = excluded.last_modified, failures = 0,"
                   " next_try = NULL, last_try = excluded.last_try",
                   &p, err) < 0
               ? -1
               : 0;
}

/* asset checked by fk_store_put_asset */
int store_pg_put_asset(struct pg_store *ps, const struct fk_asset_fetched *asset, bool *is_new,
                       struct fk_error *err)
{
    bool own;
    if (write_begin(ps, &own, err) < 0)
        return -1;
    return write_end(ps, own, put_asset(ps, asset, is_new, err), err);
}

int store_pg_asset_not_modified(struct pg_store *ps, const char *url, int64_t time,
                                struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, url);
    pg_add_time(&p, time);
    long changed = pg_exec(ps->conn,
                           "UPDATE asset_urls SET failures = 0, next_try = NULL,"
                           " last_try = to_timestamp($2) WHERE url = $1",
                           &p, err);
    if (changed < 0)
        return -1;
    return changed ? 0 : 1;
}

static int mark_failed(struct pg_store *ps, const char *url, const char *error, int64_t time,
                       int64_t retry_after, int64_t *next_try, struct fk_error *err)
{
    int64_t id;
    int failures;
    if (url_row(ps, url, time, &id, &failures, err) < 0)
        return -1;
    failures++;
    int64_t next = store_next_try(time, retry_after, failures);
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_text(&p, error ? error : "failed");
    pg_add_int64(&p, failures);
    pg_add_int64(&p, next);
    pg_add_int64(&p, time);
    /* A stored URL keeps its asset and state. */
    if (pg_exec(ps->conn,
                "UPDATE asset_urls SET"
                " status = CASE WHEN status = 'stored' THEN status ELSE 'failed' END,"
                " reason = CASE WHEN status = 'stored' THEN reason ELSE $2 END, cap = NULL,"
                " failures = $3::integer, next_try = to_timestamp($4),"
                " last_try = to_timestamp($5) WHERE id = $1::bigint",
                &p, err) < 0)
        return -1;
    if (next_try)
        *next_try = next;
    return 0;
}

int store_pg_asset_failed(struct pg_store *ps, const char *url, const char *error, int64_t time,
                          int64_t retry_after, int64_t *next_try, struct fk_error *err)
{
    bool own;
    if (write_begin(ps, &own, err) < 0)
        return -1;
    return write_end(ps, own, mark_failed(ps, url, error, time, retry_after, next_try, err), err);
}

static int mark_skipped(struct pg_store *ps, const char *url, enum fk_asset_skip reason,
                        int64_t cap, int64_t time, struct fk_error *err)
{
    int64_t id;
    if (url_row(ps, url, time, &id, NULL, err) < 0)
        return -1;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, url);
    pg_add_text(&p, fk_asset_skip_name(reason));
    if (store_asset_skip_has_cap(reason))
        pg_add_int64(&p, cap);
    else
        pg_add_text(&p, NULL);
    pg_add_time(&p, time);
    return pg_exec(ps->conn,
                   "UPDATE asset_urls SET status = 'skipped', reason = $2, cap = $3::bigint,"
                   " next_try = NULL, last_try = to_timestamp($4) WHERE url = $1",
                   &p, err) < 0
               ? -1
               : 0;
}

/* reason checked by fk_store_asset_skipped */
int store_pg_asset_skipped(struct pg_store *ps, const char *url, enum fk_asset_skip reason,
                           int64_t cap, int64_t time, struct fk_error *err)
{
    bool own;
    if (write_begin(ps, &own, err) < 0)
        return -1;
    return write_end(ps, own, mark_skipped(ps, url, reason, cap, time, err), err);
}

/* The most bytes of an asset read at once (64 MiB, 128 MiB of hex). */
#define ASSET_CHUNK (64 << 20)

/* ---- reading assets -------------------------------------------------------------- */

struct due_walk {
    fk_asset_due_fn fn;
    void *ctx;
};

static int due_row(const struct pg_result *r, int i, void *ctx)
{
    struct due_walk *walk = ctx;
    struct fk_asset_due due = {
        .url_id = pg_number(r, i, 0),
        .url = pg_text(r, i, 1),
        .status = store_asset_status(pg_text(r, i, 2)),
        .etag = pg_text_or_null(r, i, 3),
        .last_modified = pg_text_or_null(r, i, 4),
        .failures = (int)pg_number(r, i, 5),
        .article_id = pg_number(r, i, 6),
        .feed_id = pg_number(r, i, 7),
        .kind = store_asset_kind(pg_text_or_null(r, i, 8)),
        .private_origin = pg_number(r, i, 9) != 0,
    };
    return walk->fn(&due, walk->ctx);
}

int store_pg_list_due_assets(struct pg_store *ps, int64_t now, const struct fk_asset_caps *caps,
                             bool enabled_only, long limit, fk_asset_due_fn fn, void *ctx,
                             struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_time(&p, now);
    /* Without caps $2 to $7 are NULL: no cap has changed. */
    if (caps) {
        pg_add_int64(&p, caps->max_bytes);
        pg_add_int64(&p, caps->article_count);
        pg_add_int64(&p, caps->article_bytes);
        pg_add_int64(&p, caps->archive_bytes);
        pg_add_int64(&p, caps->allow_private);
        pg_add_int64(&p, caps->media);
    } else {
        for (int i = 0; i < 6; i++)
            pg_add_text(&p, NULL);
    }
    pg_add_bool(&p, enabled_only);
    pg_add_count(&p, limit > 0 ? limit : -1);
    struct due_walk walk = {fn, ctx};
    /* Due: pending or failed and past the next try, or skipped under a
     * cap whose value now differs, or for the run's bytes. The article's
     * feed is its first. */
    return each_row(
        ps,
        "SELECT d.id, d.url, d.status, d.etag, d.last_modified, d.failures, d.article_id,"
        " coalesce((SELECT af.feed_id FROM article_feeds af"
        " WHERE af.article_id = d.article_id ORDER BY af.seq LIMIT 1), 0),"
        " (SELECT aa.kind FROM article_assets aa WHERE aa.article_id = d.article_id"
        " AND aa.url_id = d.id ORDER BY aa.position LIMIT 1),"
        " EXISTS (SELECT 1 FROM article_assets aa JOIN article_feeds af"
        " ON af.article_id = aa.article_id JOIN feeds f ON f.id = af.feed_id"
        " WHERE aa.url_id = d.id AND f.private_origin)"
        " FROM (SELECT u.id, u.url, u.status, u.etag, u.last_modified, u.failures,"
        " (SELECT min(aa.article_id) FROM article_assets aa WHERE aa.url_id = u.id) AS article_id"
        " FROM asset_urls u"
        " WHERE u.id IN (SELECT id FROM asset_urls WHERE status IN ('pending', 'failed')"
        " AND (next_try IS NULL OR next_try <= to_timestamp($1))"
        " UNION ALL SELECT id FROM asset_urls WHERE status = 'skipped' AND (reason = 'run bytes'"
        " OR cap IS DISTINCT FROM coalesce(CASE reason WHEN 'too large' THEN $2::bigint"
        " WHEN 'per-article count' THEN $3::bigint WHEN 'per-article bytes' THEN $4::bigint"
        " WHEN 'archive budget' THEN $5::bigint WHEN 'private address' THEN $6::bigint"
        " WHEN 'video/audio not enabled' THEN $7::bigint END, cap)))"
        " AND EXISTS (SELECT 1 FROM article_assets aa WHERE aa.url_id = u.id)"
        " AND (NOT $8::boolean OR EXISTS (SELECT 1 FROM article_assets aa JOIN article_feeds af"
        " ON af.article_id = aa.article_id JOIN feeds f ON f.id = af.feed_id"
        " WHERE aa.url_id = u.id AND f.assets))"
        " ORDER BY u.id LIMIT $9::bigint) d ORDER BY d.id",
        &p, due_row, &walk, err);
}

static int asset_usage(struct pg_store *ps, int64_t article_id, bool archive,
                       struct fk_asset_usage *usage, struct fk_error *err)
{
    int64_t *const fields[] = {&usage->article_count, &usage->article_bytes, &usage->archive_bytes};
    memset(usage, 0, sizeof *usage);
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, article_id);
    pg_add_bool(&p, archive);
    /* $2: the archive's total too (it reads every asset's size) */
    return row_int64s(ps,
                      "SELECT count(*), coalesce(sum(size), 0)::bigint,"
                      " CASE WHEN $2::boolean THEN (SELECT coalesce(sum(size), 0) FROM assets)"
                      " ELSE 0 END::bigint"
                      " FROM assets WHERE id IN (SELECT u.asset_id FROM article_assets aa"
                      " JOIN asset_urls u ON u.id = aa.url_id WHERE aa.article_id = $1::bigint"
                      " AND u.status = 'stored')",
                      &p, fields, 3, err);
}

int store_pg_asset_usage(struct pg_store *ps, int64_t article_id, struct fk_asset_usage *usage,
                         struct fk_error *err)
{
    return asset_usage(ps, article_id, true, usage, err);
}

int store_pg_asset_article_usage(struct pg_store *ps, int64_t article_id,
                                 struct fk_asset_usage *usage, struct fk_error *err)
{
    return asset_usage(ps, article_id, false, usage, err);
}

struct row_walk {
    fk_asset_row_fn fn;
    void *ctx;
};

static int asset_row(const struct pg_result *r, int i, void *ctx)
{
    struct row_walk *walk = ctx;
    struct fk_asset_row row = {
        .article_id = pg_number(r, i, 0),
        .position = (int)pg_number(r, i, 1),
        .kind = store_asset_kind(pg_text(r, i, 2)),
        .linked = pg_number(r, i, 3) != 0,
        .url = pg_text(r, i, 4),
        .status = store_asset_status(pg_text(r, i, 5)),
        .reason = pg_text_or_null(r, i, 6),
        .size = pg_number(r, i, 7),
        .mime = pg_text_or_null(r, i, 8),
    };
    size_t size;
    unsigned char *sha = pg_bytes(r, i, 9, &size);
    if (sha && size == 32) {
        memcpy(row.sha256, sha, 32);
        row.has_sha256 = true;
    }
    free(sha);
    return walk->fn(&row, walk->ctx);
}

/* f (not NULL) checked by fk_store_list_assets */
int store_pg_list_assets(struct pg_store *ps, const struct fk_asset_filter *f, fk_asset_row_fn fn,
                         void *ctx, struct fk_error *err)
{
    const char *status = f->status >= 0 ? fk_asset_status_name(f->status) : NULL;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, f->article_id);
    pg_add_int64(&p, f->feed_id);
    pg_add_text(&p, f->mime_class && *f->mime_class ? f->mime_class : NULL);
    pg_add_text(&p, status);
    pg_add_count(&p, f->limit > 0 ? f->limit : -1);
    struct row_walk walk = {fn, ctx};
    /* URLs in byte order, as SQLite compares them */
    return each_row(
        ps,
        "SELECT coalesce(aa.article_id, 0), coalesce(aa.position, 0), coalesce(aa.kind, 'image'),"
        " coalesce(aa.linked, false), u.url, u.status, u.reason, a.size, a.mime, a.sha256"
        " FROM asset_urls u LEFT JOIN article_assets aa ON aa.url_id = u.id"
        " LEFT JOIN assets a ON a.id = u.asset_id AND u.status = 'stored'"
        " WHERE ($1::bigint = 0 OR aa.article_id = $1::bigint)"
        " AND ($2::bigint = 0 OR EXISTS (SELECT 1 FROM article_feeds af"
        " WHERE af.article_id = aa.article_id AND af.feed_id = $2::bigint))"
        " AND ($3::text IS NULL OR substr(a.mime, 1, length($3::text) + 1) = $3::text || '/')"
        " AND ($4::text IS NULL OR u.status = $4::text)"
        " ORDER BY aa.article_id IS NULL, aa.article_id, aa.position, u.url COLLATE \"C\""
        " LIMIT $5::bigint",
        &p, asset_row, &walk, err);
}

int store_pg_article_assets(struct pg_store *ps, int64_t id, fk_asset_row_fn fn, void *ctx,
                            struct fk_error *err)
{
    struct fk_asset_filter f;
    fk_asset_filter_init(&f);
    f.article_id = id;
    return store_pg_list_assets(ps, &f, fn, ctx, err);
}

/* The bytes of asset id from *size on, to total, appended to *data. */
static int read_rest(struct pg_store *ps, int64_t id, int64_t total, unsigned char **data,
                     size_t *size, struct fk_error *err)
{
    unsigned char *all = fk_xmalloc((size_t)total);
    memcpy(all, *data, *size);
    free(*data);
    *data = all;
    while ((int64_t)*size < total) {
        struct pg_params p = PG_PARAMS_INIT;
        pg_add_int64(&p, id);
        pg_add_int64(&p, (int64_t)*size + 1);
        pg_add_int64(&p, ASSET_CHUNK);
        struct pg_result *r = pg_query(ps->conn,
                                       "SELECT substring(data FROM $2::integer FOR $3::integer)"
                                       " FROM assets WHERE id = $1::bigint",
                                       &p, err);
        if (!r)
            return -1;
        size_t n = 0;
        unsigned char *part = pg_rows(r) > 0 ? pg_bytes(r, 0, 0, &n) : NULL;
        pg_result_free(r);
        if (n == 0 || (int64_t)(*size + n) > total) {
            free(part);
            return fk_error_set(err, FK_ERROR_DB, "%s: asset %lld changed while it was read",
                                pg_shown(ps->conn), (long long)id);
        }
        memcpy(all + *size, part, n);
        *size += n;
        free(part);
    }
    return 0;
}

int store_pg_get_asset(struct pg_store *ps, const char *sha_hex, const char *url, fk_asset_fn fn,
                       void *ctx, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    struct pg_result *r;
    unsigned char *sha = NULL, *data = NULL;
    int ret = -1;
    if (sha_hex) {
        size_t len = strlen(sha_hex);
        if (len == 0 || len > 64 || strspn(sha_hex, "0123456789abcdefABCDEF") != len)
            return fk_error_set(err, FK_ERROR_USAGE, "'%s' is not a SHA-256 in hex", sha_hex);
        pg_add_text(&p, sha_hex);
        /* A prefix is the range of digests from it padded with 0 to it
         * padded with f: the unique index finds them. */
        r = pg_query(ps->conn,
                     "SELECT id FROM assets WHERE sha256"
                     " BETWEEN decode(rpad(lower($1), 64, '0'), 'hex')"
                     " AND decode(rpad(lower($1), 64, 'f'), 'hex') LIMIT 2",
                     &p, err);
    } else {
        pg_add_text(&p, url ? url : "");
        r = pg_query(ps->conn,
                     "SELECT asset_id FROM asset_urls WHERE url = $1 AND asset_id IS NOT NULL", &p,
                     err);
    }
    if (!r)
        return -1;
    int rows = pg_rows(r);
    int64_t id = rows > 0 ? pg_number(r, 0, 0) : 0;
    pg_result_free(r);
    if (rows > 1)
        return fk_error_set(err, FK_ERROR_USAGE, "'%s' names more than one asset", sha_hex);
    if (rows == 0)
        return 1;
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_int64(&p, ASSET_CHUNK);
    /* The bytes come as text, in hex: a large asset is read a part at a
     * time, so that no text value passes PostgreSQL's 1 GB. */
    r = pg_query(ps->conn,
                 "SELECT id, sha256, mime, size, fk_epoch(created), octet_length(data),"
                 " substring(data FROM 1 FOR $2::integer) FROM assets WHERE id = $1::bigint",
                 &p, err);
    if (!r)
        goto out;
    size_t sha_size = 0, size = 0;
    if (pg_rows(r) > 0)
        sha = pg_bytes(r, 0, 1, &sha_size);
    if (!sha || sha_size != 32) {
        ret = 1;
        goto out;
    }
    data = pg_bytes(r, 0, 6, &size);
    int64_t total = pg_number(r, 0, 5);
    if (total > (int64_t)size && read_rest(ps, id, total, &data, &size, err) < 0)
        goto out;
    struct fk_asset asset = {
        .id = pg_number(r, 0, 0),
        .mime = pg_text(r, 0, 2),
        .created = pg_number(r, 0, 4),
        .data = data,
        .size = size,
    };
    memcpy(asset.sha256, sha, 32);
    ret = fn(&asset, ctx);
out:
    pg_result_free(r);
    free(sha);
    free(data);
    return ret;
}

/* ---- which pages are due ------------------------------------------------------ */

struct page_due_walk {
    fk_page_due_fn fn;
    void *ctx;
};

static int page_due_row(const struct pg_result *r, int i, void *ctx)
{
    struct page_due_walk *walk = ctx;
    const char *status = pg_text_or_null(r, i, 6);
    struct fk_page_due due = {
        .article_id = pg_number(r, i, 0),
        .url = pg_text_or_null(r, i, 1),
        .html = pg_text_or_null(r, i, 2),
        .text = pg_text_or_null(r, i, 3),
        .etag = pg_text_or_null(r, i, 4),
        .last_modified = pg_text_or_null(r, i, 5),
        .stored = status && strcmp(status, "stored") == 0,
    };
    return walk->fn(&due, walk->ctx);
}

int store_pg_list_due_pages(struct pg_store *ps, int64_t feed_id, enum fk_full_text mode,
                            int64_t now, fk_page_due_fn fn, void *ctx, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, feed_id);
    pg_add_time(&p, now);
    pg_add_bool(&p, mode == FK_FULL_TEXT_ON);
    struct page_due_walk walk = {fn, ctx};
    /* $3: the feed's full text is on (skipped pages are wanted then);
     * SQLite's LIKE ignores the case of ASCII letters, ILIKE here */
    return each_row(ps,
                    "SELECT a.id, a.url, coalesce(a.content_html, a.summary_html), a.text,"
                    " p.etag, p.last_modified, p.status FROM article_feeds af"
                    " JOIN articles a ON a.id = af.article_id"
                    " LEFT JOIN article_pages p ON p.article_id = a.id"
                    " WHERE af.feed_id = $1::bigint"
                    " AND (a.url ILIKE 'http://%' OR a.url ILIKE 'https://%')"
                    " AND (p.article_id IS NULL OR p.source_hash IS DISTINCT FROM a.source_hash"
                    " OR (p.status = 'failed' AND p.next_try <= to_timestamp($2))"
                    " OR (p.status = 'skipped' AND $3::boolean))"
                    " ORDER BY a.id DESC",
                    &p, page_due_row, &walk, err);
}

/* ---- a page's row: what store_pages.c decides, written ----------------------- */

/* Record attempt a in the page's row of article id, made (as skipped)
 * when it has none; the article must exist. */
static int record_attempt(void *db, int64_t id, const struct store_page_attempt *a,
                          struct fk_error *err)
{
    struct pg_store *ps = db;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_text(&p, a->url);
    if (pg_exec(ps->conn,
                "INSERT INTO article_pages(article_id, url, status)"
                " VALUES ($1::bigint, $2, 'skipped') ON CONFLICT (article_id) DO NOTHING",
                &p, err) < 0)
        return -1;
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_text(&p, fk_page_status_name(a->status));
    pg_add_time(&p, a->time);
    pg_add_count(&p, a->http_status ? a->http_status : -1);
    pg_add_text(&p, a->error);
    pg_add_int64(&p, a->failures);
    pg_add_time(&p, a->next_try);
    pg_add_text(&p, a->url);
    return pg_exec(ps->conn,
                   "UPDATE article_pages SET status = $2, fetched = to_timestamp($3),"
                   " http_status = $4::integer, error = $5, failures = $6::integer,"
                   " next_try = to_timestamp($7), url = $8,"
                   " source_hash = (SELECT source_hash FROM articles WHERE id = $1::bigint)"
                   " WHERE article_id = $1::bigint",
                   &p, err) < 0
               ? -1
               : 0;
}

static int read_state(void *db, int64_t id, struct store_page_state *s, struct fk_error *err)
{
    struct pg_store *ps = db;
    memset(s, 0, sizeof *s);
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT octet_length(a.text), p.status, p.html IS NOT NULL, p.text_length,"
                 " p.feed_length, p.used, p.failures FROM articles a"
                 " LEFT JOIN article_pages p ON p.article_id = a.id WHERE a.id = $1::bigint",
                 &p, err);
    if (!r)
        return -1;
    if (pg_rows(r) > 0) {
        s->found = true;
        s->article_length = pg_number(r, 0, 0);
        s->has_row = !pg_is_null(r, 0, 1);
        s->status = store_page_status(pg_text_or_null(r, 0, 1));
        s->has_html = pg_number(r, 0, 2) != 0;
        s->text_length = pg_number(r, 0, 3);
        s->feed_length = pg_number(r, 0, 4);
        s->used = pg_number(r, 0, 5) != 0;
        s->failures = (int)pg_number(r, 0, 6);
    }
    pg_result_free(r);
    return 0;
}

static int store_html(void *db, const struct fk_page *page, int64_t text_length,
                      struct fk_error *err)
{
    struct pg_store *ps = db;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, page->article_id);
    pg_add_text(&p, page->etag);
    pg_add_text(&p, page->last_modified);
    pg_add_text(&p, page->base_url);
    pg_add_text(&p, page->html);
    pg_add_text(&p, page->title);
    pg_add_text(&p, page->byline);
    pg_add_int64(&p, text_length);
    pg_add_time(&p, page->time);
    return pg_exec(ps->conn,
                   "UPDATE article_pages SET etag = $2, last_modified = $3, base_url = $4,"
                   " html = $5, title = $6, byline = $7, text_length = $8::bigint,"
                   " stored = to_timestamp($9) WHERE article_id = $1::bigint",
                   &p, err) < 0
               ? -1
               : 0;
}

static int use_page(void *db, int64_t id, const struct fk_content *content, int64_t feed_length,
                    enum fk_reparse_result *result, struct fk_error *err)
{
    struct pg_store *ps = db;
    if (store_pg_replace_content(ps, id, content, result, err) < 0)
        return -1;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_bool(&p, true);
    pg_add_int64(&p, feed_length);
    return pg_exec(ps->conn,
                   "UPDATE article_pages SET used = $2::boolean, feed_length = $3::bigint"
                   " WHERE article_id = $1::bigint",
                   &p, err) < 0
               ? -1
               : 0;
}

static const struct store_page_ops page_ops = {
    write_begin, write_end, read_state, record_attempt, store_html, use_page,
};

/* ---- recording attempts and storing a page ------------------------------------- */

int store_pg_pages_skipped(struct pg_store *ps, const int64_t *ids, const char *const *urls,
                           size_t count, struct fk_error *err)
{
    return store_pages_skipped(&page_ops, ps, ids, urls, count, err);
}

int store_pg_page_failed(struct pg_store *ps, int64_t id, const char *url, const char *error,
                         int http_status, int64_t time, int64_t retry_after, bool final,
                         struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    return store_page_failed(&page_ops, ps, id, url, error, http_status, time, retry_after, final,
                             schedule, err);
}

int store_pg_put_page(struct pg_store *ps, const struct fk_page *page,
                      const struct fk_content *content, enum fk_page_result *result,
                      struct fk_error *err)
{
    if (store_pg_current_feed(ps))
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        return -1;
    int ret = store_page_put(&page_ops, ps, page, content, result, err);
    if (ret == 1) {
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL);
        return 1;
    }
    return write_end(ps, true, ret, err);
}

/* ---- reading a page ------------------------------------------------------------ */

int store_pg_get_page(struct pg_store *ps, int64_t id, struct fk_page_row *out,
                      struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT url, status, fk_epoch(fetched), http_status, etag, last_modified,"
                 " failures, fk_epoch(next_try), error, fk_epoch(stored), base_url, html, title,"
                 " byline, used FROM article_pages WHERE article_id = $1::bigint",
                 &p, err);
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) > 0) {
        out->url = dup_or_null(r, 0);
        out->status = store_page_status(pg_text(r, 0, 1));
        out->fetched = pg_time(r, 0, 2);
        out->http_status = (int)pg_number(r, 0, 3);
        out->etag = dup_or_null(r, 4);
        out->last_modified = dup_or_null(r, 5);
        out->failures = (int)pg_number(r, 0, 6);
        out->next_try = pg_time(r, 0, 7);
        out->error = dup_or_null(r, 8);
        out->stored = pg_time(r, 0, 9);
        out->base_url = dup_or_null(r, 10);
        out->html = dup_or_null(r, 11);
        out->title = dup_or_null(r, 12);
        out->byline = dup_or_null(r, 13);
        out->used = pg_number(r, 0, 14) != 0;
        ret = 0;
    }
    pg_result_free(r);
    return ret;
}
