/* store_raw.c - the feeds' own documents, kept compressed (each document
 * one zstd frame in one row), so that nothing a feed said is lost when the
 * parser improves later (packed by store_pack.c). Documents kept by
 * schema 9 are zlib streams and are read as such; zlib is included here
 * only.
 */
#include "store_int.h"

#include <stdlib.h>
#include <zlib.h>

/* zstd's level 3, store_pack's. On the dev.to feed of 278 KB it keeps
 * 23.3% of the bytes at about 200 MB/s; zlib's default level keeps 22.4% at
 * about 30 MB/s, which made keeping the document cost an import of 1,200
 * articles half its CPU time again. */

/* Whether feed id keeps its documents: 1 yes, 0 no, -1 with err filled
 * (no such feed is an error). */
static int keeps_raw(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (!store_bound(store, ST_RAW_KEEP, NULL, id, err))
        return -1;
    int64_t keep = 0;
    int found = store_run_int64(store, ST_RAW_KEEP, &keep, err);
    if (found < 0)
        return -1;
    if (!found)
        return fk_error_set(err, FK_ERROR_USAGE, "the archive has no feed %lld", (long long)id);
    return keep != 0;
}

static int put_raw(struct fk_store *store, const struct fk_raw_document *doc, int64_t feed_id,
                   struct fk_error *err)
{
    int keep = keeps_raw(store, feed_id, err);
    if (keep <= 0)
        return keep < 0 ? -1 : 1;
    size_t packed_size = 0;
    unsigned char *packed = store_pack(store, doc->data, doc->size, NULL, 0, &packed_size);
    int ret = -1;
    if (!packed) {
        fk_error_set(err, FK_ERROR_INPUT, "cannot compress the document of '%s'",
                     doc->url ? doc->url : "");
        goto out;
    }
    sqlite3_stmt *st = store_stmt(store, ST_RAW_INSERT, err);
    if (!st)
        goto out;
    if (bind_int64(st, 1, feed_id) || bind_text(st, 2, doc->url ? doc->url : "") ||
        bind_int64(st, 3, doc->time) || bind_int64(st, 4, doc->status) ||
        bind_text(st, 5, doc->content_type) || bind_text(st, 6, doc->etag) ||
        bind_text(st, 7, doc->last_modified) || bind_text(st, 8, doc->date) ||
        bind_int64(st, 9, (int64_t)doc->size) ||
        sqlite3_bind_blob64(st, 10, packed, packed_size, SQLITE_STATIC)) {
        store_bind_failed(store, ST_RAW_INSERT, err);
        goto out;
    }
    ret = store_step_done(store, st, err);
out:
    free(packed);
    return ret;
}

int fk_store_put_raw(struct fk_store *store, const struct fk_raw_document *doc,
                     struct fk_error *err)
{
    if (store->pg)
        return store_pg_put_raw(store->pg, doc, err);
    int64_t feed_id = doc->feed_id;
    bool own;
    if (doc->size > FK_RAW_MAX)
        return fk_error_set(err, FK_ERROR_INPUT, "the document of '%s' is over %d MiB to keep",
                            doc->url ? doc->url : "", FK_RAW_MAX / (1024 * 1024));
    if (store->in_feed) {
        if (feed_id && feed_id != store->feed_id)
            return fk_error_set(err, FK_ERROR_USAGE, "another feed is being filed");
        feed_id = store->feed_id;
    }
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own, put_raw(store, doc, feed_id, err), err);
}

struct raw_walk {
    struct fk_store *store;
    fk_raw_fn fn;
    void *ctx;
    struct fk_error *err;
    bool failed; /* a document did not decompress: err is filled */
};

static int raw_row(sqlite3_stmt *st, void *ctx)
{
    struct raw_walk *walk = ctx;
    int64_t size = sqlite3_column_int64(st, 9);
    struct fk_raw_document doc = {
        .id = sqlite3_column_int64(st, 0),
        .feed_id = sqlite3_column_int64(st, 1),
        .url = column_str(st, 2),
        .time = sqlite3_column_int64(st, 3),
        .status = sqlite3_column_int(st, 4),
        .content_type = column_str(st, 5),
        .etag = column_str(st, 6),
        .last_modified = column_str(st, 7),
        .date = column_str(st, 8),
        .stored_bytes = sqlite3_column_bytes(st, 10),
    };
    const unsigned char *packed = sqlite3_column_blob(st, 10);
    if (size < 0 || size > FK_RAW_MAX) {
        fk_error_set(walk->err, FK_ERROR_DB, "raw document %lld has a bad size", (long long)doc.id);
        walk->failed = true;
        return -1;
    }
    unsigned char *data = NULL;
    if (!packed)
        packed = (const unsigned char *)"";
    bool ok;
    if (strcmp(column_str(st, 11), "zlib") == 0) {
        uLongf unpacked = (uLongf)size;
        data = fk_xmalloc(size ? (size_t)size : 1);
        ok = uncompress(data, &unpacked, packed, (uLong)doc.stored_bytes) == Z_OK &&
             unpacked == (uLongf)size;
    } else {
        size_t unpacked = 0;
        const char *why;
        data = (unsigned char *)store_unpack(walk->store, packed, (size_t)doc.stored_bytes, NULL, 0,
                                             &unpacked, &why);
        ok = data && unpacked == (size_t)size;
    }
    int ret;
    if (!ok) {
        fk_error_set(walk->err, FK_ERROR_DB, "raw document %lld does not decompress to its size",
                     (long long)doc.id);
        walk->failed = true;
        ret = -1;
    } else {
        doc.data = data;
        doc.size = (size_t)size;
        ret = walk->fn(&doc, walk->ctx);
    }
    free(data);
    return ret;
}

int fk_store_list_raw(struct fk_store *store, int64_t feed_id, fk_raw_fn fn, void *ctx,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_raw(store->pg, feed_id, fn, ctx, err);
    sqlite3_stmt *st = store_bound(store, ST_RAW_LIST, NULL, feed_id, err);
    if (!st)
        return -1;
    struct raw_walk walk = {store, fn, ctx, err, false};
    int ret = store_each_row(store, st, raw_row, &walk, err);
    return walk.failed ? -1 : ret;
}

int store_raw_stats(struct fk_store *store, struct fk_raw_stats *out, struct fk_error *err)
{
    int64_t *const fields[] = {&out->documents, &out->bytes, &out->original_bytes};
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(store, ST_RAW_STATS, err);
    return st ? store_row_int64s(store, st, fields, 3, err) : -1;
}
