/* store_pack.c - compressed columns. zstd is included here only.
 *
 * Schema 14 keeps an article's HTML forms and its Markdown packed, each
 * one zstd frame: the HTML alone (32% of its size for the twelve articles
 * of a dev.to feed, level 3), the Markdown against the HTML it was made
 * from as its prefix (zstd's raw-content dictionary: 8%, where alone it
 * keeps 45%). An article's text is kept plain: the full-text index and the
 * snippets read it; a version's, which nothing indexes, is packed against
 * the version's HTML too (schema 16). The HTML depends on nothing, so no change to another column
 * can make the source of an article unreadable; the Markdown depends on the HTML only, which
 * changes only with it.
 *
 * A packed value is a BLOB; a TEXT value is plain (short values, values
 * that do not pack, and everything filed before schema 14), so readers take
 * both. Each frame carries zstd's checksum of its content: unpacked against
 * another prefix than the one it was packed with, it fails instead of
 * giving wrong bytes.
 *
 * An HTML form packed alone uses the archive's dictionary (schema 18),
 * once one is trained: zstd's dictionary ID in the frame's header names it,
 * so frames packed before it, or with another, stay readable. The Markdown
 * and the text keep their prefix, the HTML they were made from.
 *
 * The raw documents (store_raw.c) are zstd frames too, without a prefix.
 */
#include "store_int.h"

#include "feedkeep/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zdict.h>
#include <zstd.h>

/* zstd's default level: packing against the prefix runs at several hundred
 * MB/s, a small part of filing an article. */
#define PACK_LEVEL 3

/* Shorter values are kept as they are: the frame's header and checksum
 * would eat what packing saves. */
#define PACK_MIN 128

/* No packed value of the archive is larger: a frame that says otherwise is
 * damaged. */
#define PACK_MAX ((size_t)1 << 30)

/* The contexts are made on first use and kept: making one allocates
 * hundreds of KB. Failing to is running out of memory. */
static ZSTD_CCtx *cctx(struct fk_store *store)
{
    if (!store->pack_cctx && !(store->pack_cctx = ZSTD_createCCtx())) {
        fprintf(stderr, "feedkeep: out of memory (making a zstd context)\n");
        abort();
    }
    return store->pack_cctx;
}

static ZSTD_DCtx *dctx(struct fk_store *store)
{
    if (!store->pack_dctx && !(store->pack_dctx = ZSTD_createDCtx())) {
        fprintf(stderr, "feedkeep: out of memory (making a zstd context)\n");
        abort();
    }
    return store->pack_dctx;
}

void store_pack_release(struct fk_store *store)
{
    ZSTD_freeCCtx(store->pack_cctx);
    ZSTD_freeDCtx(store->pack_dctx);
    ZSTD_freeCDict(store->pack_cdict);
    for (size_t i = 0; i < store->npack_ddicts; i++)
        ZSTD_freeDDict(store->pack_ddicts[i].ddict);
    free(store->pack_ddicts);
    store->pack_cctx = NULL;
    store->pack_dctx = NULL;
    store->pack_cdict = NULL;
    store->pack_cdict_loaded = false;
    store->pack_ddicts = NULL;
    store->npack_ddicts = 0;
}

/* data packed into one frame against prefix, or with cdict (not both). */
static void *pack_frame(struct fk_store *store, const void *data, size_t size, const void *prefix,
                        size_t prefix_size, const ZSTD_CDict *cdict, size_t *packed_size)
{
    ZSTD_CCtx *c = cctx(store);
    size_t bound = ZSTD_compressBound(size);
    void *packed = fk_xmalloc(bound ? bound : 1);
    /* A prefix is for one frame only, a dictionary stays until replaced,
     * and a failed frame leaves the context in the middle of one: start
     * each from a clean session and parameters. */
    ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    size_t n;
    if (ZSTD_isError(n = ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, PACK_LEVEL)) ||
        ZSTD_isError(n = ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
        (cdict && ZSTD_isError(n = ZSTD_CCtx_refCDict(c, cdict))) ||
        (prefix_size && ZSTD_isError(n = ZSTD_CCtx_refPrefix(c, prefix, prefix_size))) ||
        ZSTD_isError(n = ZSTD_compress2(c, packed, bound, data ? data : "", size))) {
        free(packed);
        return NULL;
    }
    *packed_size = n;
    return packed;
}

void *store_pack(struct fk_store *store, const void *data, size_t size, const void *prefix,
                 size_t prefix_size, size_t *packed_size)
{
    return pack_frame(store, data, size, prefix, prefix_size, NULL, packed_size);
}

/* The dictionary of zstd's ID id, made from the archive's row when first
 * needed; NULL with *why set when the archive has none of that ID. */
static const ZSTD_DDict *ddict_of(struct fk_store *store, unsigned id, const char **why)
{
    for (size_t i = 0; i < store->npack_ddicts; i++)
        if (store->pack_ddicts[i].id == id)
            return store->pack_ddicts[i].ddict;
    *why = "packed with a compression dictionary the archive does not have";
    sqlite3_stmt *st;
    if (!store->db || sqlite3_prepare_v2(store->db,
                                         "SELECT dictionary FROM pack_dictionaries"
                                         " WHERE dict_id = ?1 AND dictionary IS NOT NULL",
                                         -1, &st, NULL) != SQLITE_OK)
        return NULL;
    ZSTD_DDict *ddict = NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const void *dict = sqlite3_column_blob(st, 0);
        size_t dict_size = (size_t)sqlite3_column_bytes(st, 0);
        if (ZDICT_getDictID(dict, dict_size) != id)
            *why = "its compression dictionary is damaged";
        else if (!(ddict = ZSTD_createDDict(dict, dict_size)))
            *why = "its compression dictionary does not load";
    }
    sqlite3_finalize(st);
    if (!ddict)
        return NULL;
    store->pack_ddicts =
        fk_xrealloc(store->pack_ddicts, (store->npack_ddicts + 1) * sizeof *store->pack_ddicts);
    store->pack_ddicts[store->npack_ddicts++] = (struct pack_ddict){id, ddict};
    return ddict;
}

char *store_unpack(struct fk_store *store, const void *packed, size_t packed_size,
                   const void *prefix, size_t prefix_size, size_t *size, const char **why)
{
    unsigned long long want = ZSTD_getFrameContentSize(packed, packed_size);
    if (want == ZSTD_CONTENTSIZE_ERROR || want == ZSTD_CONTENTSIZE_UNKNOWN || want > PACK_MAX) {
        *why = "not a zstd frame of known size";
        return NULL;
    }
    unsigned dict_id = ZSTD_getDictID_fromFrame(packed, packed_size);
    const ZSTD_DDict *ddict = NULL;
    if (dict_id && prefix_size) {
        *why = "packed with a dictionary where its HTML was expected";
        return NULL;
    }
    if (dict_id && !(ddict = ddict_of(store, dict_id, why)))
        return NULL;
    ZSTD_DCtx *d = dctx(store);
    ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
    char *out = fk_xmalloc((size_t)want + 1);
    size_t n = ddict ? ZSTD_DCtx_refDDict(d, ddict)
                     : ZSTD_DCtx_refPrefix(d, prefix_size ? prefix : NULL, prefix_size);
    if (!ZSTD_isError(n))
        n = ZSTD_decompressDCtx(d, out, (size_t)want, packed, packed_size);
    if (ZSTD_isError(n) || n != want) {
        *why = ZSTD_isError(n) ? ZSTD_getErrorName(n) : "a frame shorter than it says";
        free(out);
        return NULL;
    }
    out[want] = '\0';
    if (size)
        *size = (size_t)want;
    return out;
}

static int dict_try(struct fk_store *store, bool force, struct fk_error *err);

/* Whether the dictionary of st's row (columns col: its ID, col + 1: its
 * bytes, col + 2: their SHA-256) is the one that was kept. */
static bool dict_intact(sqlite3_stmt *st, int col)
{
    const void *dict = sqlite3_column_blob(st, col + 1);
    size_t dict_size = (size_t)sqlite3_column_bytes(st, col + 1);
    unsigned char digest[FK_SHA256_SIZE];
    if (!dict || ZDICT_getDictID(dict, dict_size) != (unsigned)sqlite3_column_int64(st, col) ||
        sqlite3_column_bytes(st, col + 2) != FK_SHA256_SIZE)
        return false;
    fk_sha256(dict, dict_size, digest);
    return memcmp(digest, sqlite3_column_blob(st, col + 2), FK_SHA256_SIZE) == 0;
}

/* The dictionary new HTML is packed with: the newest that paid. */
static const ZSTD_CDict *cdict_of(struct fk_store *store)
{
    if (store->pack_cdict_loaded || !store->db)
        return store->pack_cdict;
    store->pack_cdict_loaded = true;
    sqlite3_stmt *st;
    /* An archive opened read-only may be older than schema 18. */
    if (sqlite3_prepare_v2(store->db,
                           "SELECT dict_id, dictionary, sha256 FROM pack_dictionaries"
                           " WHERE dictionary IS NOT NULL ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    /* A damaged one is check's to report; the HTML packs alone rather
     * than with what a repair would change. */
    if (sqlite3_step(st) == SQLITE_ROW && dict_intact(st, 0))
        store->pack_cdict = ZSTD_createCDict(sqlite3_column_blob(st, 1),
                                             (size_t)sqlite3_column_bytes(st, 1), PACK_LEVEL);
    sqlite3_finalize(st);
    return store->pack_cdict;
}

static int bind_packed(struct fk_store *store, sqlite3_stmt *st, int index, const char *value,
                       const char *prefix, const ZSTD_CDict *cdict)
{
    if (!value)
        return sqlite3_bind_null(st, index);
    size_t size = strlen(value);
    if (size >= PACK_MIN) {
        size_t packed_size = 0;
        void *packed = pack_frame(store, value, size, prefix, prefix ? strlen(prefix) : 0, cdict,
                                  &packed_size);
        /* SQLite frees the blob, even when binding fails. */
        if (packed && packed_size < size)
            return sqlite3_bind_blob64(st, index, packed, packed_size, free);
        free(packed);
    }
    return sqlite3_bind_text(st, index, value, (int)size, SQLITE_STATIC);
}

int store_bind_packed(struct fk_store *store, sqlite3_stmt *st, int index, const char *value,
                      const char *prefix)
{
    return bind_packed(store, st, index, value, prefix, NULL);
}

int store_bind_html(struct fk_store *store, sqlite3_stmt *st, int index, const char *value)
{
    /* The first HTML a process packs into a feed's transaction sees
     * whether a dictionary is due: only a process that files new content
     * pays for training one, and the feed's articles are packed with it. */
    if (value && store->in_feed && !store->pack_train_tried && strlen(value) >= PACK_MIN) {
        store->pack_train_tried = true;
        struct fk_error ignored = {0};
        if (!store->pg && !store->read_only && dict_try(store, false, &ignored) < 0)
            return sqlite3_errcode(store->db) != SQLITE_OK ? sqlite3_errcode(store->db)
                                                           : SQLITE_ERROR;
    }
    return bind_packed(store, st, index, value, NULL, cdict_of(store));
}

int store_column_unpacked(struct fk_store *store, sqlite3_stmt *st, int col, const char *prefix,
                          int64_t id, char **out, struct fk_error *err)
{
    *out = NULL;
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL)
        return 0;
    if (type != SQLITE_BLOB) {
        *out = column_dup(st, col);
        return 0;
    }
    const void *packed = sqlite3_column_blob(st, col);
    size_t packed_size = (size_t)sqlite3_column_bytes(st, col);
    const char *why = NULL;
    if (!(*out = store_unpack(store, packed, packed_size, prefix, prefix ? strlen(prefix) : 0, NULL,
                              &why)))
        return fk_error_set(err, FK_ERROR_DB,
                            "%s: article %lld: its stored %s cannot be unpacked (%s): the row "
                            "was changed outside feedkeep, or the file is damaged",
                            store->path, (long long)id, sqlite3_column_name(st, col), why);
    return 0;
}

int64_t store_unpacked_size(const void *packed, size_t packed_size)
{
    unsigned long long size = ZSTD_getFrameContentSize(packed, packed_size);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > PACK_MAX)
        return -1;
    return (int64_t)size;
}

void store_sql_pack_against(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fk_store *store = sqlite3_user_data(ctx);
    (void)argc;
    const char *value = (const char *)sqlite3_value_text(argv[0]);
    size_t size = (size_t)sqlite3_value_bytes(argv[0]);
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT || size < PACK_MIN) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    char *prefix = NULL;
    size_t prefix_size = 0;
    int type = sqlite3_value_type(argv[1]);
    if (type == SQLITE_BLOB) {
        const char *why;
        prefix = store_unpack(store, sqlite3_value_blob(argv[1]),
                              (size_t)sqlite3_value_bytes(argv[1]), NULL, 0, &prefix_size, &why);
        if (!prefix) {
            /* An HTML that does not unpack is check's to report; the text
             * stays readable plain. */
            sqlite3_result_value(ctx, argv[0]);
            return;
        }
    } else if (type == SQLITE_TEXT) {
        prefix = fk_xstrdup((const char *)sqlite3_value_text(argv[1]));
        prefix_size = strlen(prefix);
    }
    size_t packed_size = 0;
    void *packed = store_pack(store, value, size, prefix, prefix_size, &packed_size);
    free(prefix);
    if (packed && packed_size < size) {
        sqlite3_result_blob64(ctx, packed, packed_size, free);
        return;
    }
    free(packed);
    sqlite3_result_value(ctx, argv[0]);
}

/* ---- packing what was filed plain ------------------------------------------ */

/* Rows filed before schema 14 hold their HTML and Markdown plain, and
 * versions saved before schema 16 their text; vacuum packs them, a batch
 * of rows per transaction (so the log stays small and an interrupted vacuum
 * keeps what it did). Each table: the rows to look at after id ?1, and how
 * to write one back (?1 the id). The columns read are id, then the HTML
 * columns (packed alone), then the Markdown, packed against the first HTML
 * column that is not NULL, read right to left (the content before the
 * summary), and for versions after the article's id their text, packed
 * against the same HTML. */
#define PACK_VALUES 4

static const struct pack_table {
    const char *select;
    const char *update;
    int nhtml; /* HTML columns, after the id */
    bool markdown;
    int article_col;  /* the article's id */
    int text_col;     /* the text packed against the HTML, or -1 */
    const char *what; /* its rows, for check */
    const char *all;  /* every row with a packed column, for check */
} pack_tables[] = {
    {"SELECT id, summary_html, content_html, markdown FROM articles WHERE id > ?1 AND"
     " ((typeof(summary_html) = 'text' AND length(summary_html) >= 128) OR"
     " (typeof(content_html) = 'text' AND length(content_html) >= 128) OR"
     " (typeof(markdown) = 'text' AND length(markdown) >= 128)) ORDER BY id LIMIT 256",
     "UPDATE articles SET summary_html = ?2, content_html = ?3, markdown = ?4 WHERE id = ?1", 2,
     true, 0, -1, "articles",
     "SELECT id, summary_html, content_html, markdown FROM articles WHERE"
     " typeof(summary_html) = 'blob' OR typeof(content_html) = 'blob' OR typeof(markdown) = "
     "'blob'"},
    {"SELECT id, content_html, markdown, article_id, text FROM article_versions WHERE id > ?1"
     " AND ((typeof(content_html) = 'text' AND length(content_html) >= 128) OR"
     " (typeof(markdown) = 'text' AND length(markdown) >= 128) OR"
     " (typeof(text) = 'text' AND length(text) >= 128)) ORDER BY id LIMIT 256",
     "UPDATE article_versions SET content_html = ?2, markdown = ?3, text = ?4 WHERE id = ?1", 1,
     true, 3, 4, "versions",
     "SELECT id, content_html, markdown, article_id, text FROM article_versions WHERE"
     " typeof(content_html) = 'blob' OR typeof(markdown) = 'blob' OR typeof(text) = 'blob'"},
    {"SELECT article_id, markdown FROM article_api WHERE article_id > ?1 AND"
     " typeof(markdown) = 'text' AND length(markdown) >= 128 ORDER BY article_id LIMIT 256",
     "UPDATE article_api SET markdown = ?2 WHERE article_id = ?1", 0, false, 0, -1, "API rows",
     "SELECT article_id, markdown FROM article_api WHERE"
     " typeof(markdown) = 'blob'"},
};

/* The number of values of a pack_table's rows. */
static int pack_values(const struct pack_table *t)
{
    return t->nhtml + 1 + (t->text_col >= 0);
}

/* The packed columns of st's row (a pack_table's select or all),
 * unpacked into values (HTML columns first, then the Markdown, then the
 * text; the caller frees them), *html the one the Markdown and the text
 * are packed against. Returns 0 or -1 with err filled. */
static int unpack_row(struct fk_store *store, const struct pack_table *t, sqlite3_stmt *st,
                      char *values[PACK_VALUES], const char **html, struct fk_error *err)
{
    int64_t id = sqlite3_column_int64(st, t->article_col);
    *html = NULL;
    for (int i = 0; i < t->nhtml; i++)
        if (store_column_unpacked(store, st, 1 + i, NULL, id, &values[i], err) < 0)
            return -1;
    for (int i = t->nhtml - 1; i >= 0 && !*html; i--)
        *html = values[i];
    if (store_column_unpacked(store, st, t->nhtml + 1, t->markdown ? *html : NULL, id,
                              &values[t->nhtml], err) < 0)
        return -1;
    if (t->text_col < 0)
        return 0;
    return store_column_unpacked(store, st, t->text_col, *html, id, &values[t->nhtml + 1], err);
}

/* Pack one row of st (a pack_table's select) through up (its update). */
static int pack_row(struct fk_store *store, const struct pack_table *t, sqlite3_stmt *st,
                    sqlite3_stmt *up, struct fk_error *err)
{
    char *values[PACK_VALUES] = {NULL, NULL, NULL, NULL};
    const char *html;
    int n = pack_values(t), ret = -1;
    if (unpack_row(store, t, st, values, &html, err) < 0)
        goto out;
    int rc = sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
    for (int i = 0; rc == SQLITE_OK && i < n; i++)
        rc = i < t->nhtml ? store_bind_html(store, up, 2 + i, values[i])
                          : store_bind_packed(store, up, 2 + i, values[i], html);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(up);
    ret = rc == SQLITE_DONE ? 0 : store_db_error(store, err);
    (void)sqlite3_reset(up);
    (void)sqlite3_clear_bindings(up);
out:
    for (int i = 0; i < PACK_VALUES; i++)
        free(values[i]);
    return ret;
}

/* What walk_rows does with a row of st (ctx's table) through up: *done
 * counts the rows it wrote. Returns 0 or -1 with err filled. */
typedef int (*row_fn)(struct fk_store *store, const void *ctx, sqlite3_stmt *st, sqlite3_stmt *up,
                      int64_t *done, struct fk_error *err);

/* Run fn on each row of select (the rows after id ?1, a batch of them)
 * with update, a batch per transaction (so the log stays small and an
 * interrupted vacuum keeps what it did), telling the progress function
 * stage and *done after each. Returns 0 or -1 with err filled. */
static int walk_rows(struct fk_store *store, const char *select, const char *update,
                     const void *ctx, row_fn fn, const char *stage, int64_t *done,
                     struct fk_error *err)
{
    sqlite3_stmt *st = NULL, *up = NULL;
    int ret = 0;
    if (sqlite3_prepare_v2(store->db, select, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(store->db, update, -1, &up, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return store_db_error(store, err);
    }
    int64_t last = 0;
    for (bool more = true; ret == 0 && more;) {
        if ((ret = store_run(store, ST_BEGIN, err)) < 0)
            break;
        int rows = 0, rc;
        sqlite3_bind_int64(st, 1, last);
        while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            last = sqlite3_column_int64(st, 0);
            ret = fn(store, ctx, st, up, done, err);
            rows++;
        }
        if (ret == 0 && rc != SQLITE_DONE)
            ret = store_db_error(store, err);
        (void)sqlite3_reset(st);
        more = rows > 0;
        ret = store_write_end(store, true, ret, err);
        if (ret == 0)
            store_progress(store, stage, *done);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    return ret;
}

static int pack_plain_row(struct fk_store *store, const void *ctx, sqlite3_stmt *st,
                          sqlite3_stmt *up, int64_t *done, struct fk_error *err)
{
    (*done)++;
    return pack_row(store, ctx, st, up, err);
}

int store_pack_plain(struct fk_store *store, struct fk_error *err)
{
    int64_t done = 0;
    int ret = 0;
    for (size_t t = 0; ret == 0 && t < sizeof pack_tables / sizeof pack_tables[0]; t++)
        ret = walk_rows(store, pack_tables[t].select, pack_tables[t].update, &pack_tables[t],
                        pack_plain_row, "compressing", &done, err);
    return ret;
}

/* At most this many rows named per table; then one line saying how many
 * more. */
#define PACK_PROBLEMS_SHOWN 20

/* The dictionaries in use that are not the ones kept: a line each. */
static int dict_check(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_buf *line,
                      struct fk_error *err)
{
    sqlite3_stmt *st;
    int problems = 0, rc;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT dict_id, dictionary, sha256, id FROM pack_dictionaries"
                           " WHERE dictionary IS NOT NULL ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (dict_intact(st, 0))
            continue;
        fk_buf_reset(line);
        fk_buf_printf(line,
                      "%s: compression dictionary %lld (row %lld) is damaged: its bytes are not "
                      "the ones kept, and the HTML compressed with it does not unpack",
                      store->path, (long long)sqlite3_column_int64(st, 0),
                      (long long)sqlite3_column_int64(st, 3));
        fn("packed columns", line->data, ctx);
        problems++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? problems : store_db_error(store, err);
}

int store_pack_check(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    int64_t rows = 0;
    struct fk_buf line = FK_BUF_INIT;
    int problems = dict_check(store, fn, ctx, &line, err);
    if (problems < 0) {
        fk_buf_release(&line);
        return -1;
    }
    for (size_t t = 0; t < sizeof pack_tables / sizeof pack_tables[0]; t++) {
        const struct pack_table *table = &pack_tables[t];
        sqlite3_stmt *st;
        int64_t bad = 0;
        int rc;
        if (sqlite3_prepare_v2(store->db, table->all, -1, &st, NULL) != SQLITE_OK) {
            fk_buf_release(&line);
            return store_db_error(store, err);
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            char *values[PACK_VALUES] = {NULL, NULL, NULL, NULL};
            const char *html;
            struct fk_error why = {0};
            if (++rows % 4096 == 0)
                store_progress(store, "checking the compressed columns", rows);
            if (unpack_row(store, table, st, values, &html, &why) < 0 &&
                ++bad <= PACK_PROBLEMS_SHOWN) {
                fn("packed columns", why.message, ctx);
                problems++;
            }
            for (int i = 0; i < PACK_VALUES; i++)
                free(values[i]);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            fk_buf_release(&line);
            return store_db_error(store, err);
        }
        if (bad > PACK_PROBLEMS_SHOWN) {
            fk_buf_reset(&line);
            fk_buf_printf(&line, "%lld more %s do not unpack",
                          (long long)(bad - PACK_PROBLEMS_SHOWN), table->what);
            fn("packed columns", line.data, ctx);
            problems++;
        }
    }
    fk_buf_release(&line);
    return problems;
}

/* ---- the dictionary -------------------------------------------------------- */

/* zstd's own default size (the zstd command's --train). */
#define DICT_SIZE 112640
/* The first try is at this many articles; while none paid, the next is at
 * twice as many as the last. */
#define DICT_MIN_ARTICLES 1000
/* It is trained on at most this many articles' HTML, spread evenly over
 * the archive, and at most this many bytes of it (zstd advises about a
 * hundred times the dictionary's size). */
#define DICT_SAMPLES      2000
#define DICT_SAMPLE_BYTES ((size_t)12 << 20)
/* Every tenth sample is kept out of the training, to measure it on. */
#define DICT_TEST_EVERY 10
/* It is used when it packs those at least this many percent smaller. */
#define DICT_MIN_GAIN 5
/* Fewer samples than this make no dictionary worth trying. */
#define DICT_MIN_SAMPLES 50

struct samples {
    char *data;
    size_t *sizes;
    size_t count, bytes;
};

static void samples_add(struct samples *s, const char *value, size_t size)
{
    memcpy(s->data + s->bytes, value, size);
    s->sizes[s->count++] = size;
    s->bytes += size;
}

static void samples_release(struct samples *s)
{
    free(s->data);
    free(s->sizes);
}

/* Whether a try is due: *due, and the archive's articles and largest id. */
static int dict_due(struct fk_store *store, bool force, bool *due, int64_t *articles,
                    int64_t *max_id, struct fk_error *err)
{
    static const char sql[] =
        "SELECT coalesce((SELECT value FROM archive_counts WHERE name = 'articles'), 0),"
        " coalesce((SELECT max(articles) FROM pack_dictionaries), 0),"
        " (SELECT count(*) FROM pack_dictionaries WHERE dictionary IS NOT NULL),"
        " coalesce((SELECT max(id) FROM articles), 0)";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *articles = sqlite3_column_int64(st, 0);
        int64_t last = sqlite3_column_int64(st, 1);
        *due = sqlite3_column_int64(st, 2) == 0 && *articles >= DICT_MIN_ARTICLES &&
               (force || *articles >= 2 * last);
        *max_id = sqlite3_column_int64(st, 3);
    }
    int ret = store_row_done(store, st, rc == SQLITE_DONE ? SQLITE_ERROR : rc, err) ? -1 : 0;
    sqlite3_finalize(st);
    return ret;
}

/* The HTML of up to DICT_SAMPLES articles spread over ids 1 .. max_id, into
 * train and test. */
static int dict_samples(struct fk_store *store, int64_t articles, int64_t max_id,
                        struct samples *train, struct samples *test, struct fk_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            store->db, "SELECT coalesce(content_html, summary_html) FROM articles WHERE id = ?1",
            -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    int64_t n = articles < DICT_SAMPLES ? articles : DICT_SAMPLES;
    int64_t step = max_id / n > 0 ? max_id / n : 1;
    size_t taken = 0;
    int ret = 0;
    for (int64_t id = max_id; ret == 0 && id > 0 && taken < (size_t)n; id -= step) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        char *html = NULL;
        if (rc == SQLITE_ROW)
            ret = store_column_unpacked(store, st, 0, NULL, id, &html, err);
        else if (rc != SQLITE_DONE)
            ret = store_db_error(store, err);
        sqlite3_reset(st);
        size_t size = html ? strlen(html) : 0;
        if (ret == 0 && size >= PACK_MIN) {
            if (train->bytes + test->bytes + size > DICT_SAMPLE_BYTES) {
                free(html);
                break;
            }
            samples_add(++taken % DICT_TEST_EVERY ? train : test, html, size);
        }
        free(html);
    }
    sqlite3_finalize(st);
    return ret;
}

/* What a try measured, and the dictionary when it paid (NULL otherwise). */
struct dict_try {
    void *dict;
    size_t dict_size;
    int64_t test_alone, test_packed;
};

/* Train on train, measure on test. */
static void dict_make(struct fk_store *store, const struct samples *train,
                      const struct samples *test, struct dict_try *out)
{
    if (train->count < DICT_MIN_SAMPLES || test->count == 0)
        return;
    void *dict = fk_xmalloc(DICT_SIZE);
    size_t size =
        ZDICT_trainFromBuffer(dict, DICT_SIZE, train->data, train->sizes, (unsigned)train->count);
    ZSTD_CDict *cdict = NULL;
    if (ZDICT_isError(size) || !(cdict = ZSTD_createCDict(dict, size, PACK_LEVEL))) {
        free(dict);
        return;
    }
    const char *sample = test->data;
    for (size_t i = 0; i < test->count; sample += test->sizes[i++]) {
        size_t alone = 0, packed = 0;
        free(pack_frame(store, sample, test->sizes[i], NULL, 0, NULL, &alone));
        free(pack_frame(store, sample, test->sizes[i], NULL, 0, cdict, &packed));
        out->test_alone += (int64_t)alone;
        out->test_packed += (int64_t)packed;
    }
    ZSTD_freeCDict(cdict);
    if (out->test_packed * 100 <= out->test_alone * (100 - DICT_MIN_GAIN)) {
        out->dict = dict;
        out->dict_size = size;
    } else {
        free(dict);
    }
}

static int dict_record(struct fk_store *store, int64_t articles, const struct samples *train,
                       const struct samples *test, const struct dict_try *t, struct fk_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db,
                           "INSERT INTO pack_dictionaries(dict_id, trained_at, articles, samples,"
                           " sample_bytes, test_bytes, test_alone, test_packed, dictionary,"
                           " sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    if (t->dict)
        sqlite3_bind_int64(st, 1, ZDICT_getDictID(t->dict, t->dict_size));
    sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
    sqlite3_bind_int64(st, 3, articles);
    sqlite3_bind_int64(st, 4, (int64_t)train->count);
    sqlite3_bind_int64(st, 5, (int64_t)train->bytes);
    sqlite3_bind_int64(st, 6, (int64_t)test->bytes);
    sqlite3_bind_int64(st, 7, t->test_alone);
    sqlite3_bind_int64(st, 8, t->test_packed);
    unsigned char digest[FK_SHA256_SIZE];
    if (t->dict) {
        fk_sha256(t->dict, t->dict_size, digest);
        sqlite3_bind_blob64(st, 9, t->dict, t->dict_size, SQLITE_STATIC);
        sqlite3_bind_blob64(st, 10, digest, sizeof digest, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_DONE ? 0 : store_db_error(store, err);
    sqlite3_finalize(st);
    return ret;
}

/* A try, inside the caller's write transaction, when one is due. */
static int dict_try(struct fk_store *store, bool force, struct fk_error *err)
{
    bool due = false;
    int64_t articles = 0, max_id = 0;
    if (dict_due(store, force, &due, &articles, &max_id, err) < 0)
        return -1;
    if (!due)
        return 0;
    store_progress(store, "training a compression dictionary", 0);
    struct samples train = {fk_xmalloc(DICT_SAMPLE_BYTES),
                            fk_xmalloc(DICT_SAMPLES * sizeof(size_t)), 0, 0};
    struct samples test = {fk_xmalloc(DICT_SAMPLE_BYTES), fk_xmalloc(DICT_SAMPLES * sizeof(size_t)),
                           0, 0};
    struct dict_try t = {NULL, 0, 0, 0};
    int ret = dict_samples(store, articles, max_id, &train, &test, err);
    if (ret == 0) {
        dict_make(store, &train, &test, &t);
        ret = dict_record(store, articles, &train, &test, &t, err);
    }
    if (ret == 0 && t.dict) {
        /* Used from the next value on; forgotten if the transaction is
         * not committed (store_pack_uncommitted). */
        ZSTD_freeCDict(store->pack_cdict);
        store->pack_cdict = ZSTD_createCDict(t.dict, t.dict_size, PACK_LEVEL);
        store->pack_cdict_loaded = true;
        store->pack_cdict_fresh = true;
    }
    free(t.dict);
    samples_release(&train);
    samples_release(&test);
    return ret;
}

int store_dict_train(struct fk_store *store, bool force, struct fk_error *err)
{
    if (store->pg || store->read_only)
        return 0;
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    int ret = store_write_end(store, true, dict_try(store, force, err), err);
    store_pack_uncommitted(store, ret == 0);
    return ret;
}

void store_pack_uncommitted(struct fk_store *store, bool committed)
{
    if (store->pack_cdict_fresh && !committed) {
        ZSTD_freeCDict(store->pack_cdict);
        store->pack_cdict = NULL;
        store->pack_cdict_loaded = false;
    }
    store->pack_cdict_fresh = false;
}

int store_pack_stats(struct fk_store *store, struct fk_pack_stats *out, struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t present = 0;
    /* An archive opened read-only may be older than schema 18. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                           " AND name = 'pack_dictionaries'",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        present = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store_db_error(store, err);
    if (!present)
        return 0;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT length(dictionary), test_alone, test_packed FROM"
                           " pack_dictionaries WHERE dictionary IS NOT NULL ORDER BY id DESC"
                           " LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->dictionary_bytes = sqlite3_column_int64(st, 0);
        out->test_alone = sqlite3_column_int64(st, 1);
        out->test_packed = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_error(store, err);
}

/* ---- packing again with the dictionary -------------------------------------- */

/* The tables with HTML packed alone: the rows after id ?1 with a packed
 * HTML column, and how to write one back. */
static const struct repack_table {
    const char *select;
    const char *update;
    int ncols; /* HTML columns, after the id */
} repack_tables[] = {
    {"SELECT id, summary_html, content_html FROM articles WHERE id > ?1 AND"
     " (typeof(summary_html) = 'blob' OR typeof(content_html) = 'blob') ORDER BY id LIMIT 256",
     "UPDATE articles SET summary_html = ?2, content_html = ?3 WHERE id = ?1", 2},
    {"SELECT id, content_html FROM article_versions WHERE id > ?1 AND"
     " typeof(content_html) = 'blob' ORDER BY id LIMIT 256",
     "UPDATE article_versions SET content_html = ?2 WHERE id = ?1", 1},
};

/* A row of a repack_table through up, its HTML packed alone packed again
 * with the dictionary; *done counts the rows changed. A value that does
 * not unpack stays as it is: it is check's to report. */
static int repack_row(struct fk_store *store, const void *ctx, sqlite3_stmt *st, sqlite3_stmt *up,
                      int64_t *done, struct fk_error *err)
{
    const struct repack_table *t = ctx;
    int64_t id = sqlite3_column_int64(st, 0);
    char *html[2] = {NULL, NULL};
    int rc = sqlite3_bind_int64(up, 1, id), ret = 0;
    bool changed = false;
    for (int i = 1; rc == SQLITE_OK && i <= t->ncols; i++) {
        struct fk_error ignored = {0};
        if (sqlite3_column_type(st, i) == SQLITE_BLOB &&
            ZSTD_getDictID_fromFrame(sqlite3_column_blob(st, i),
                                     (size_t)sqlite3_column_bytes(st, i)) == 0 &&
            store_column_unpacked(store, st, i, NULL, id, &html[i - 1], &ignored) == 0) {
            rc = bind_packed(store, up, 1 + i, html[i - 1], NULL, store->pack_cdict);
            changed = true;
        } else {
            rc = sqlite3_bind_value(up, 1 + i, sqlite3_column_value(st, i));
        }
    }
    if (rc == SQLITE_OK && changed && sqlite3_step(up) != SQLITE_DONE)
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK)
        ret = store_db_error(store, err);
    (void)sqlite3_reset(up);
    (void)sqlite3_clear_bindings(up);
    free(html[0]);
    free(html[1]);
    *done += changed;
    return ret;
}

int store_pack_with_dict(struct fk_store *store, struct fk_error *err)
{
    if (!cdict_of(store))
        return 0;
    int64_t done = 0;
    int ret = 0;
    for (size_t t = 0; ret == 0 && t < sizeof repack_tables / sizeof repack_tables[0]; t++)
        ret = walk_rows(store, repack_tables[t].select, repack_tables[t].update, &repack_tables[t],
                        repack_row, "compressing with the dictionary", &done, err);
    return ret;
}
