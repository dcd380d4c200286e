/* store_assets.c - the files articles reference, kept in the archive: each
 * asset once by the SHA-256 of its bytes, the URLs they came from with the
 * fetcher's state (pending, stored, failed with a backoff, skipped under a
 * cap), the articles' references in order; the feeds' settings; the
 * assets' part of stats and check.
 */
#include "store_int.h"

#include "feedkeep/ascii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names ---------------------------------------------------------------- */

static const char *const kind_names[FK_ASSET_KIND_COUNT] = {
    [FK_ASSET_IMAGE] = "image", [FK_ASSET_POSTER] = "poster",       [FK_ASSET_VIDEO] = "video",
    [FK_ASSET_AUDIO] = "audio", [FK_ASSET_THUMBNAIL] = "thumbnail",
};

static const char *const status_names[FK_ASSET_STATUS_COUNT] = {
    [FK_ASSET_PENDING] = "pending",
    [FK_ASSET_STORED] = "stored",
    [FK_ASSET_FAILED] = "failed",
    [FK_ASSET_SKIPPED] = "skipped",
};

/* The reasons as stored; those with a cap are named in ST_ASSET_DUE. */
static const struct skip_reason {
    const char *name;
    bool has_cap;
} skip_reasons[FK_ASSET_SKIP_COUNT] = {
    [FK_ASSET_SKIP_TOO_LARGE] = {"too large", true},
    [FK_ASSET_SKIP_ARTICLE_COUNT] = {"per-article count", true},
    [FK_ASSET_SKIP_ARTICLE_BYTES] = {"per-article bytes", true},
    [FK_ASSET_SKIP_ARCHIVE_BUDGET] = {"archive budget", true},
    [FK_ASSET_SKIP_PRIVATE] = {"private address", true},
    [FK_ASSET_SKIP_MEDIA] = {"video/audio not enabled", true},
    [FK_ASSET_SKIP_RUN_BYTES] = {"run bytes", false},
    [FK_ASSET_SKIP_NOT_IMAGE] = {"not an image", false},
    [FK_ASSET_SKIP_SVG_UNSAFE] = {"svg unsafe", false},
    [FK_ASSET_SKIP_SCHEME] = {"not http", false},
};

const char *fk_asset_kind_name(enum fk_asset_kind kind)
{
    return (unsigned)kind < FK_ASSET_KIND_COUNT ? kind_names[kind] : NULL;
}

const char *fk_asset_status_name(enum fk_asset_status status)
{
    return (unsigned)status < FK_ASSET_STATUS_COUNT ? status_names[status] : NULL;
}

const char *fk_asset_skip_name(enum fk_asset_skip reason)
{
    return (unsigned)reason < FK_ASSET_SKIP_COUNT ? skip_reasons[reason].name : NULL;
}

/* The index of name in names (count of them), or fallback. */
static int name_index(const char *const *names, int count, const char *name, int fallback)
{
    for (int i = 0; name && i < count; i++) {
        if (strcmp(names[i], name) == 0)
            return i;
    }
    return fallback;
}

enum fk_asset_status store_asset_status(const char *name)
{
    return (enum fk_asset_status)name_index(status_names, FK_ASSET_STATUS_COUNT, name,
                                            FK_ASSET_PENDING);
}

enum fk_asset_kind store_asset_kind(const char *name)
{
    return (enum fk_asset_kind)name_index(kind_names, FK_ASSET_KIND_COUNT, name, FK_ASSET_IMAGE);
}

bool store_asset_skip_has_cap(enum fk_asset_skip reason)
{
    return skip_reasons[reason].has_cap;
}

/* ---- writing -------------------------------------------------------------- */

/* Step st, which returns no rows (or one that does not matter), and reset
 * it. Returns 0, or -1 with err filled. */
int store_step_done(struct fk_store *store, sqlite3_stmt *st, struct fk_error *err)
{
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

/* Begin a write: in the feed's transaction when a feed is being filed,
 * else in one of its own (*own set). Returns 0, or -1 with err filled. */
int store_write_begin(struct fk_store *store, bool *own, struct fk_error *err)
{
    *own = !store->in_feed;
    if (*own)
        return store_run(store, ST_BEGIN, err);
    return store_check_feed(store, err);
}

/* End a write begun by store_write_begin, ret saying how it went: commit
 * or roll back a transaction of its own; a failure in the feed's means
 * the feed cannot be committed. Returns ret, or -1 when the commit
 * failed. */
int store_write_end(struct fk_store *store, bool own, int ret, struct fk_error *err)
{
    if (ret >= 0 && own && store_run(store, ST_COMMIT, err) < 0)
        ret = -1;
    if (ret < 0) {
        if (!own)
            store->feed_failed = true;
        else if (!sqlite3_get_autocommit(store->db))
            (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err says why */
    }
    return ret;
}

/* The statement id (prepared when first asked for) with its first
 * parameter bound to the text s, or to the integer value when s is NULL;
 * NULL with err filled. */
sqlite3_stmt *store_bound(struct fk_store *store, enum stmt_id id, const char *s, int64_t value,
                          struct fk_error *err)
{
    sqlite3_stmt *st = store_stmt(store, id, err);
    if (st && (s ? bind_text(st, 1, s) : bind_int64(st, 1, value))) {
        store_bind_failed(store, id, err);
        return NULL;
    }
    return st;
}

/* Step st (bound), whose one row is n integers, into fields, and reset
 * it. Returns 0, or -1 with err filled (no row is an error too). */
int store_row_int64s(struct fk_store *store, sqlite3_stmt *st, int64_t *const *fields, int n,
                     struct fk_error *err)
{
    int rc = sqlite3_step(st);
    for (int i = 0; rc == SQLITE_ROW && i < n; i++)
        *fields[i] = sqlite3_column_int64(st, i);
    int ret = rc == SQLITE_ROW ? 0 : store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

int fk_store_set_feed_option(struct fk_store *store, int64_t id, enum fk_feed_option option,
                             bool on, struct fk_error *err)
{
    if (store->pg)
        return store_pg_set_feed_option(store->pg, id, option, on, err);
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    sqlite3_stmt *st = store_bound(store, ST_FEED_OPTION, NULL, id, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, (int64_t)option) || bind_int64(st, 3, on))
        return store_bind_failed(store, ST_FEED_OPTION, err);
    if (store_step_done(store, st, err) < 0)
        return -1;
    return sqlite3_changes(store->db) ? 0 : 1;
}

/* The id, failures in a row and status of url, made known at time when it
 * is not. Returns 0, or -1 with err filled. */
static int url_row(struct fk_store *store, const char *url, int64_t time, int64_t *id,
                   int *failures, enum fk_asset_status *status, struct fk_error *err)
{
    sqlite3_stmt *st = store_bound(store, ST_ASSET_URL_ADD, url, 0, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, time))
        return store_bind_failed(store, ST_ASSET_URL_ADD, err);
    if (store_step_done(store, st, err) < 0 ||
        !(st = store_bound(store, ST_ASSET_URL_ID, url, 0, err)))
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (failures)
            *failures = sqlite3_column_int(st, 1);
        if (status)
            *status = store_asset_status(column_str(st, 2));
    }
    int ret = rc == SQLITE_ROW ? 0 : store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

int64_t fk_store_pending_article(const struct fk_store_pending *pending)
{
    return pending ? pending->id : 0;
}

static int put_refs(struct fk_store *store, int64_t id, const struct fk_asset_ref *refs,
                    size_t nrefs, struct fk_error *err)
{
    int64_t now = time(NULL);
    sqlite3_stmt *st = store_bound(store, ST_ASSET_REFS_DELETE, NULL, id, err);
    if (!st || store_step_done(store, st, err) < 0)
        return -1;
    for (size_t i = 0; i < nrefs; i++) {
        int64_t url_id;
        const char *kind = fk_asset_kind_name(refs[i].kind);
        if (!refs[i].url || !kind)
            return fk_error_set(err, FK_ERROR_USAGE, "an asset reference without URL or kind");
        if (url_row(store, refs[i].url, now, &url_id, NULL, NULL, err) < 0 ||
            !(st = store_bound(store, ST_ASSET_REF_INSERT, NULL, id, err)))
            return -1;
        if (bind_int64(st, 2, (int64_t)i) || bind_int64(st, 3, url_id) || bind_text(st, 4, kind) ||
            bind_int64(st, 5, refs[i].linked))
            return store_bind_failed(store, ST_ASSET_REF_INSERT, err);
        if (store_step_done(store, st, err) < 0)
            return -1;
    }
    return 0;
}

int fk_store_set_article_assets(struct fk_store *store, int64_t id, const struct fk_asset_ref *refs,
                                size_t nrefs, struct fk_error *err)
{
    if (store->pg)
        return store_pg_set_article_assets(store->pg, id, refs, nrefs, err);
    bool own;
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own, put_refs(store, id, refs, nrefs, err), err);
}

static bool has_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strlen(s) >= n && fk_ascii_equal_n(s, prefix, n);
}

bool fk_enclosure_asset_kind(const char *url, const char *type, const char *kind,
                             enum fk_asset_kind *out)
{
    if (!url || (!has_prefix(url, "http://") && !has_prefix(url, "https://")))
        return false;
    if (kind && strcmp(kind, "thumbnail") == 0)
        *out = FK_ASSET_THUMBNAIL;
    else if (type && has_prefix(type, "image/"))
        *out = FK_ASSET_IMAGE;
    else if (type && has_prefix(type, "video/"))
        *out = FK_ASSET_VIDEO;
    else if (type && has_prefix(type, "audio/"))
        *out = FK_ASSET_AUDIO;
    else
        return false;
    return true;
}

/* References being gathered: the URLs of enclosures are copies. */
struct ref_list {
    struct fk_asset_ref *refs;
    size_t n, cap;
    char **owned;
    size_t nowned;
};

static void ref_add(struct ref_list *l, const char *url, enum fk_asset_kind kind, bool linked,
                    bool copy)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->refs[i].url, url) == 0)
            return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->refs = fk_xrealloc(l->refs, l->cap * sizeof *l->refs);
        l->owned = fk_xrealloc(l->owned, l->cap * sizeof *l->owned);
    }
    if (copy)
        url = l->owned[l->nowned++] = fk_xstrdup(url);
    l->refs[l->n++] = (struct fk_asset_ref){url, kind, linked};
}

static void ref_list_release(struct ref_list *l)
{
    for (size_t i = 0; i < l->nowned; i++)
        free(l->owned[i]);
    free(l->owned);
    free(l->refs);
}

/* Whether the recorded references of id are l's: 1 yes, 0 no, -1 with err
 * filled. */
static int refs_recorded(struct fk_store *store, int64_t id, const struct ref_list *l,
                         struct fk_error *err)
{
    sqlite3_stmt *st = store_bound(store, ST_ASSET_REFS_OF, NULL, id, err);
    if (!st)
        return -1;
    size_t i = 0;
    bool same = true;
    int rc;
    while (same && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        same = i < l->n && strcmp(column_str(st, 0), l->refs[i].url) == 0 &&
               strcmp(column_str(st, 1), fk_asset_kind_name(l->refs[i].kind)) == 0 &&
               (sqlite3_column_int(st, 2) != 0) == l->refs[i].linked;
        i++;
    }
    int ret = !same ? 0 : rc == SQLITE_DONE ? i == l->n : store_db_error(store, err);
    stmt_reset(st);
    return ret;
}

int store_sync_refs(struct fk_store *store, int64_t id, const struct fk_content *content,
                    struct fk_error *err)
{
    struct ref_list l = {0};
    for (size_t i = 0; content && i < content->nassets; i++) {
        const struct fk_content_asset *a = &content->assets[i];
        ref_add(&l, a->url, a->kind, a->in_markdown, false);
    }
    int ret = -1;
    sqlite3_stmt *st = store_bound(store, ST_ENCLOSURES_OF, NULL, id, err);
    if (!st)
        goto out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        enum fk_asset_kind kind;
        if (fk_enclosure_asset_kind(column_str(st, 0), column_str(st, 1), column_str(st, 2), &kind))
            ref_add(&l, column_str(st, 0), kind, false, true);
    }
    if (rc != SQLITE_DONE)
        store_db_error(store, err);
    stmt_reset(st);
    if (rc != SQLITE_DONE)
        goto out;
    int same = refs_recorded(store, id, &l, err);
    if (same >= 0)
        ret = same ? 0 : put_refs(store, id, l.refs, l.n, err);
out:
    ref_list_release(&l);
    return ret;
}

int fk_store_sync_article_assets(struct fk_store *store, int64_t id,
                                 const struct fk_content *content, struct fk_error *err)
{
    if (store->pg)
        return store_pg_sync_article_assets(store->pg, id, content, err);
    bool own;
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own, store_sync_refs(store, id, content, err), err);
}

static int put_asset(struct fk_store *store, const struct fk_asset_fetched *a, bool *is_new,
                     struct fk_error *err)
{
    sqlite3_stmt *st = store_stmt(store, ST_ASSET_INSERT, err);
    if (!st)
        return -1;
    if (sqlite3_bind_blob(st, 1, a->sha256, 32, SQLITE_STATIC) || bind_text(st, 2, a->mime) ||
        bind_int64(st, 3, (int64_t)a->size) || bind_int64(st, 4, a->time) ||
        sqlite3_bind_blob64(st, 5, a->data ? a->data : "", a->size, SQLITE_STATIC))
        return store_bind_failed(store, ST_ASSET_INSERT, err);
    if (store_step_done(store, st, err) < 0)
        return -1;
    if (is_new)
        *is_new = sqlite3_changes(store->db) > 0;
    if (!(st = store_stmt(store, ST_ASSET_FIND_SHA, err)))
        return -1;
    if (sqlite3_bind_blob(st, 1, a->sha256, 32, SQLITE_STATIC))
        return store_bind_failed(store, ST_ASSET_FIND_SHA, err);
    int64_t asset_id = 0;
    int found = store_run_int64(store, ST_ASSET_FIND_SHA, &asset_id, err);
    if (found <= 0)
        return found < 0 ? -1 : fk_error_set(err, FK_ERROR_DB, "the asset just stored is missing");
    if (!(st = store_bound(store, ST_ASSET_URL_STORED, a->url, 0, err)))
        return -1;
    if (bind_int64(st, 2, a->time) || bind_int64(st, 3, asset_id) || bind_text(st, 4, a->etag) ||
        bind_text(st, 5, a->last_modified))
        return store_bind_failed(store, ST_ASSET_URL_STORED, err);
    return store_step_done(store, st, err);
}

int fk_store_put_asset(struct fk_store *store, const struct fk_asset_fetched *asset, bool *is_new,
                       struct fk_error *err)
{
    /* checked here for both stores */
    if (!asset->url || !asset->sha256 || !asset->mime)
        return fk_error_set(err, FK_ERROR_USAGE, "an asset without URL, digest or type");
    if (store->pg)
        return store_pg_put_asset(store->pg, asset, is_new, err);
    bool own;
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own, put_asset(store, asset, is_new, err), err);
}

int fk_store_asset_not_modified(struct fk_store *store, const char *url, int64_t time,
                                struct fk_error *err)
{
    if (store->pg)
        return store_pg_asset_not_modified(store->pg, url, time, err);
    sqlite3_stmt *st = store_bound(store, ST_ASSET_URL_NOT_MODIFIED, url, 0, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, time))
        return store_bind_failed(store, ST_ASSET_URL_NOT_MODIFIED, err);
    if (store_step_done(store, st, err) < 0)
        return -1;
    return sqlite3_changes(store->db) ? 0 : 1;
}

static int mark_failed(struct fk_store *store, const char *url, const char *error, int64_t time,
                       int64_t retry_after, int64_t *next_try, struct fk_error *err)
{
    int64_t id;
    int failures;
    if (url_row(store, url, time, &id, &failures, NULL, err) < 0)
        return -1;
    failures++;
    int64_t next = store_next_try(time, retry_after, failures);
    sqlite3_stmt *st = store_bound(store, ST_ASSET_URL_FAILED, NULL, id, err);
    if (!st)
        return -1;
    if (bind_text(st, 2, error ? error : "failed") || bind_int64(st, 3, failures) ||
        bind_int64(st, 4, next) || bind_int64(st, 5, time))
        return store_bind_failed(store, ST_ASSET_URL_FAILED, err);
    if (store_step_done(store, st, err) < 0)
        return -1;
    if (next_try)
        *next_try = next;
    return 0;
}

int fk_store_asset_failed(struct fk_store *store, const char *url, const char *error, int64_t time,
                          int64_t retry_after, int64_t *next_try, struct fk_error *err)
{
    if (store->pg)
        return store_pg_asset_failed(store->pg, url, error, time, retry_after, next_try, err);
    bool own;
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own,
                           mark_failed(store, url, error, time, retry_after, next_try, err), err);
}

static int mark_skipped(struct fk_store *store, const char *url, enum fk_asset_skip reason,
                        int64_t cap, int64_t time, struct fk_error *err)
{
    int64_t id;
    if (url_row(store, url, time, &id, NULL, NULL, err) < 0)
        return -1;
    sqlite3_stmt *st = store_bound(store, ST_ASSET_URL_SKIPPED, url, 0, err);
    if (!st)
        return -1;
    if (bind_text(st, 2, skip_reasons[reason].name) ||
        (store_asset_skip_has_cap(reason) ? bind_int64(st, 3, cap) : sqlite3_bind_null(st, 3)) ||
        bind_int64(st, 4, time))
        return store_bind_failed(store, ST_ASSET_URL_SKIPPED, err);
    return store_step_done(store, st, err);
}

int fk_store_asset_skipped(struct fk_store *store, const char *url, enum fk_asset_skip reason,
                           int64_t cap, int64_t time, struct fk_error *err)
{
    /* checked here for both stores */
    if ((unsigned)reason >= FK_ASSET_SKIP_COUNT)
        return fk_error_set(err, FK_ERROR_USAGE, "no such reason to skip an asset");
    if (store->pg)
        return store_pg_asset_skipped(store->pg, url, reason, cap, time, err);
    bool own;
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own, mark_skipped(store, url, reason, cap, time, err), err);
}

/* ---- reading -------------------------------------------------------------- */

struct due_walk {
    fk_asset_due_fn fn;
    void *ctx;
};

static int due_row(sqlite3_stmt *st, void *ctx)
{
    struct due_walk *walk = ctx;
    struct fk_asset_due due = {
        .url_id = sqlite3_column_int64(st, 0),
        .url = column_str(st, 1),
        .status = store_asset_status(column_str(st, 2)),
        .etag = column_str(st, 3),
        .last_modified = column_str(st, 4),
        .failures = sqlite3_column_int(st, 5),
        .article_id = sqlite3_column_int64(st, 6),
        .feed_id = sqlite3_column_int64(st, 7),
        .kind = store_asset_kind(column_str(st, 8)),
        .private_origin = sqlite3_column_int(st, 9) != 0,
    };
    return walk->fn(&due, walk->ctx);
}

int fk_store_list_due_assets(struct fk_store *store, int64_t now, const struct fk_asset_caps *caps,
                             bool enabled_only, long limit, fk_asset_due_fn fn, void *ctx,
                             struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_due_assets(store->pg, now, caps, enabled_only, limit, fn, ctx, err);
    sqlite3_stmt *st = store_bound(store, ST_ASSET_DUE, NULL, now, err);
    if (!st)
        return -1;
    /* Without caps ?2 to ?7 stay NULL: no cap has changed. */
    if ((caps &&
         (bind_int64(st, 2, caps->max_bytes) || bind_int64(st, 3, caps->article_count) ||
          bind_int64(st, 4, caps->article_bytes) || bind_int64(st, 5, caps->archive_bytes) ||
          bind_int64(st, 6, caps->allow_private) || bind_int64(st, 7, caps->media))) ||
        bind_int64(st, 8, enabled_only) || bind_int64(st, 9, limit > 0 ? limit : -1))
        return store_bind_failed(store, ST_ASSET_DUE, err);
    struct due_walk walk = {fn, ctx};
    return store_each_row(store, st, due_row, &walk, err);
}

static int asset_usage(struct fk_store *store, int64_t article_id, bool archive,
                       struct fk_asset_usage *usage, struct fk_error *err)
{
    int64_t *const fields[] = {&usage->article_count, &usage->article_bytes, &usage->archive_bytes};
    memset(usage, 0, sizeof *usage);
    sqlite3_stmt *st = store_bound(store, ST_ASSET_USAGE, NULL, article_id, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, archive))
        return store_bind_failed(store, ST_ASSET_USAGE, err);
    return store_row_int64s(store, st, fields, 3, err);
}

int fk_store_asset_usage(struct fk_store *store, int64_t article_id, struct fk_asset_usage *usage,
                         struct fk_error *err)
{
    if (store->pg)
        return store_pg_asset_usage(store->pg, article_id, usage, err);
    return asset_usage(store, article_id, true, usage, err);
}

int fk_store_asset_article_usage(struct fk_store *store, int64_t article_id,
                                 struct fk_asset_usage *usage, struct fk_error *err)
{
    if (store->pg)
        return store_pg_asset_article_usage(store->pg, article_id, usage, err);
    return asset_usage(store, article_id, false, usage, err);
}

void fk_asset_filter_init(struct fk_asset_filter *f)
{
    memset(f, 0, sizeof *f);
    f->status = -1;
}

struct row_walk {
    fk_asset_row_fn fn;
    void *ctx;
};

static int asset_row(sqlite3_stmt *st, void *ctx)
{
    struct row_walk *walk = ctx;
    struct fk_asset_row row = {
        .article_id = sqlite3_column_int64(st, 0),
        .position = sqlite3_column_int(st, 1),
        .kind = store_asset_kind(column_str(st, 2)),
        .linked = sqlite3_column_int(st, 3) != 0,
        .url = column_str(st, 4),
        .status = store_asset_status(column_str(st, 5)),
        .reason = column_str(st, 6),
        .size = sqlite3_column_int64(st, 7),
        .mime = column_str(st, 8),
    };
    if (sqlite3_column_bytes(st, 9) == 32) {
        memcpy(row.sha256, sqlite3_column_blob(st, 9), 32);
        row.has_sha256 = true;
    }
    return walk->fn(&row, walk->ctx);
}

int fk_store_list_assets(struct fk_store *store, const struct fk_asset_filter *f,
                         fk_asset_row_fn fn, void *ctx, struct fk_error *err)
{
    /* the filter is checked here for both stores */
    struct fk_asset_filter all;
    if (!f) {
        fk_asset_filter_init(&all);
        f = &all;
    }
    const char *status = f->status >= 0 ? fk_asset_status_name(f->status) : NULL;
    if (f->status >= 0 && !status)
        return fk_error_set(err, FK_ERROR_USAGE, "no such asset status");
    if (store->pg)
        return store_pg_list_assets(store->pg, f, fn, ctx, err);
    sqlite3_stmt *st = store_bound(store, ST_ASSET_LIST, NULL, f->article_id, err);
    if (!st)
        return -1;
    if (bind_int64(st, 2, f->feed_id) ||
        bind_text(st, 3, f->mime_class && *f->mime_class ? f->mime_class : NULL) ||
        bind_text(st, 4, status) || bind_int64(st, 5, f->limit > 0 ? f->limit : -1))
        return store_bind_failed(store, ST_ASSET_LIST, err);
    struct row_walk walk = {fn, ctx};
    return store_each_row(store, st, asset_row, &walk, err);
}

int fk_store_article_assets(struct fk_store *store, int64_t id, fk_asset_row_fn fn, void *ctx,
                            struct fk_error *err)
{
    if (store->pg)
        return store_pg_article_assets(store->pg, id, fn, ctx, err);
    struct fk_asset_filter f;
    fk_asset_filter_init(&f);
    f.article_id = id;
    return fk_store_list_assets(store, &f, fn, ctx, err);
}

/* The id of the asset of the one-column, at most two-row statement st
 * (bound): *id 0 when none, -1 when two. */
static int one_id(struct fk_store *store, sqlite3_stmt *st, int64_t *id, struct fk_error *err)
{
    int rc;
    *id = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *id = *id ? -1 : sqlite3_column_int64(st, 0);
    stmt_reset(st);
    return rc == SQLITE_DONE ? 0 : store_db_error(store, err);
}

int fk_store_get_asset(struct fk_store *store, const char *sha_hex, const char *url, fk_asset_fn fn,
                       void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_asset(store->pg, sha_hex, url, fn, ctx, err);
    sqlite3_stmt *st;
    int64_t id;
    if (sha_hex) {
        size_t len = strlen(sha_hex);
        if (len == 0 || len > 64 || strspn(sha_hex, "0123456789abcdefABCDEF") != len)
            return fk_error_set(err, FK_ERROR_USAGE, "'%s' is not a SHA-256 in hex", sha_hex);
        st = store_bound(store, ST_ASSET_SHA_PREFIX, sha_hex, 0, err);
    } else {
        st = store_bound(store, ST_ASSET_URL_ASSET, url ? url : "", 0, err);
    }
    if (!st || one_id(store, st, &id, err) < 0)
        return -1;
    if (id < 0)
        return fk_error_set(err, FK_ERROR_USAGE, "'%s' names more than one asset", sha_hex);
    if (id == 0)
        return 1;
    if (!(st = store_bound(store, ST_ASSET_GET, NULL, id, err)))
        return -1;
    int rc = sqlite3_step(st), ret;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
        struct fk_asset asset = {
            .id = sqlite3_column_int64(st, 0),
            .mime = column_str(st, 2),
            .created = sqlite3_column_int64(st, 4),
            .data = sqlite3_column_blob(st, 5),
            .size = (size_t)sqlite3_column_bytes(st, 5),
        };
        memcpy(asset.sha256, sqlite3_column_blob(st, 1), 32);
        ret = fn(&asset, ctx);
    } else {
        ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : store_db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

/* ---- stats and check ------------------------------------------------------ */

int store_asset_stats(struct fk_store *store, struct fk_asset_stats *out, struct fk_error *err)
{
    int64_t *const fields[] = {&out->assets,       &out->bytes,        &out->urls,
                               &out->urls_stored,  &out->urls_pending, &out->urls_failed,
                               &out->urls_skipped, &out->linked_bytes};
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(store, ST_ASSET_STATS, err);
    return st ? store_row_int64s(store, st, fields, 8, err) : -1;
}

/* The structural checks: each row of the statement is a problem, said as
 * before, column 0, middle, column 1 (when there is one), after. */
static const struct asset_check {
    enum stmt_id id;
    const char *before, *middle, *after;
} asset_checks[] = {
    {ST_ASSET_CHECK_STORED, "URL '", "", "' is stored but its asset is missing"},
    {ST_ASSET_CHECK_ORPHANS, "asset ", "", " is an orphan: no URL resolves to it"},
    {ST_ASSET_CHECK_REFS, "article ", " references a missing asset URL at position ", ""},
};

struct check_walk {
    fk_problem_fn fn;
    void *ctx;
    const struct asset_check *check;
    fk_sha256_fn sha256;
    int problems;
};

static int check_row(sqlite3_stmt *st, void *ctx)
{
    struct check_walk *walk = ctx;
    struct fk_buf message = FK_BUF_INIT;
    const char *first = column_str(st, 0);
    const char *second = sqlite3_column_count(st) > 1 ? column_str(st, 1) : NULL;
    fk_buf_printf(&message, "%s%s%s%s%s", walk->check->before, first ? first : "",
                  walk->check->middle, second ? second : "", walk->check->after);
    walk->fn("assets", message.data ? message.data : "", walk->ctx);
    fk_buf_release(&message);
    walk->problems++;
    return 0;
}

static int bytes_row(sqlite3_stmt *st, void *ctx)
{
    struct check_walk *walk = ctx;
    unsigned char digest[32];
    const void *data = sqlite3_column_blob(st, 3);
    size_t size = (size_t)sqlite3_column_bytes(st, 3);
    const char *problem = NULL;
    if (sqlite3_column_bytes(st, 1) != 32)
        problem = "has no SHA-256";
    else if ((int64_t)size != sqlite3_column_int64(st, 2))
        problem = "is not the size recorded";
    else if (walk->sha256(data ? data : "", size, digest) < 0)
        problem = "could not be hashed";
    else if (memcmp(digest, sqlite3_column_blob(st, 1), 32) != 0)
        problem = "does not hash to its SHA-256";
    if (problem) {
        /* named as fk_store_get_asset finds it: by its SHA-256 in hex */
        char message[128], hex[65] = "?";
        const unsigned char *sha = sqlite3_column_blob(st, 1);
        for (int i = 0; sha && sqlite3_column_bytes(st, 1) == 32 && i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", sha[i]);
        snprintf(message, sizeof message, "asset %s %s", hex, problem);
        walk->fn("asset bytes", message, walk->ctx);
        walk->problems++;
    }
    return 0;
}

int fk_store_check_assets(struct fk_store *store, fk_sha256_fn sha256, fk_problem_fn fn, void *ctx,
                          struct fk_error *err)
{
    if (store->pg)
        return store_pg_check_assets(store->pg, sha256, fn, ctx, err);
    struct check_walk walk = {fn, ctx, NULL, sha256, 0};
    sqlite3_stmt *st;
    for (size_t i = 0; i < sizeof asset_checks / sizeof asset_checks[0]; i++) {
        walk.check = &asset_checks[i];
        if (!(st = store_stmt(store, asset_checks[i].id, err)) ||
            store_each_row(store, st, check_row, &walk, err) < 0)
            return -1;
    }
    if (sha256 && (!(st = store_stmt(store, ST_ASSET_CHECK_BYTES, err)) ||
                   store_each_row(store, st, bytes_row, &walk, err) < 0))
        return -1;
    return walk.problems;
}

/* A stored URL whose asset is missing is due again; an asset no URL
 * holds, and a reference to a URL that is gone, are deleted. */
const char *const store_asset_repairs[3] = {
    "UPDATE asset_urls SET status = 'pending', asset_id = NULL, failures = 0,"
    " next_try = NULL WHERE status = 'stored'"
    " AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = asset_urls.asset_id)",
    "DELETE FROM assets WHERE NOT EXISTS"
    " (SELECT 1 FROM asset_urls u WHERE u.asset_id = assets.id)",
    "DELETE FROM article_assets WHERE NOT EXISTS"
    " (SELECT 1 FROM asset_urls u WHERE u.id = article_assets.url_id)",
};

int fk_store_repair_assets(struct fk_store *store, int64_t *repaired, struct fk_error *err)
{
    if (store->pg)
        return store_pg_repair_assets(store->pg, repaired, err);
    int64_t changed = 0;
    int ret = -1;
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    /* Fixed SQL run once: no statement of the cache. */
    for (size_t i = 0; i < sizeof store_asset_repairs / sizeof store_asset_repairs[0]; i++) {
        if (store_exec_sql(store, store_asset_repairs[i], err) < 0)
            goto out;
        changed += sqlite3_changes(store->db);
    }
    ret = 0;
out:
    ret = store_write_end(store, true, ret, err);
    if (ret == 0 && repaired)
        *repaired = changed;
    return ret;
}
