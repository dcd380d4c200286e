/* store_pg_export.c - the PostgreSQL store: export bookkeeping.
 *
 * An export works out its names and keeps what it wrote in temporary
 * tables of the connection, as the SQLite store does in its TEMP schema
 * (store.h has the contract): the server keeps them in its temporary
 * buffers and spills them to its own files, without WAL, so neither its
 * memory nor feedkeep's grows with the number of articles. Walks that may
 * be long go through a cursor (pg_walk). The tables are made afresh by
 * store_pg_export_begin; the server drops them with the session, so
 * closing the store needs no statement for them.
 *
 * The rows noted one at a time (the articles added and kept, the files
 * written, the records to forget) are sent a batch at a time, as arrays,
 * not a statement each: a batch holds at most BATCH_ROWS rows and about
 * BATCH_BYTES of text, and is sent when full and before anything reads
 * the tables. A failure to send one is told by the call that sent it.
 *
 * Names are compared and sorted as bytes (COLLATE "C"), as SQLite's
 * BINARY collation does: the order of the clashes decides the suffixes,
 * so it must not depend on the database's locale.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedkeep/buf.h"
#include "store_pg_int.h"

#define BATCH_ROWS    512
#define BATCH_BYTES   ((size_t)256 << 10)
#define BATCH_COLUMNS 5

/* Rows for one temporary table not sent yet: each column an array
 * literal, without its closing brace. */
struct batch {
    const char *sql; /* inserts the rows, from one array parameter a column */
    int columns;
    struct fk_buf values[BATCH_COLUMNS];
    size_t rows;
};

struct pg_export {
    int64_t dir_id; /* the directory's id in export_dirs; 0: none */
    int64_t added;  /* articles added: the last one's number */
    int64_t wrote;  /* files noted */
    struct batch names, kept, forget, files;
    /* Articles read by store_pg_export_get, from number window_first on
     * (a window of sql_names_get); NULL: none. Dropped by whatever changes
     * their names or records. */
    struct pg_result *window;
    int64_t window_first;
};

/* The tables of an export, made by store_pg_export_begin, in this order.
 * export_names_by_id and export_kept_by_id are made once the articles
 * are all added (by store_pg_export_claim and store_pg_export_each_unkept),
 * not kept up to date by each row. */
static const char *const export_tables[] = {
    "DROP TABLE IF EXISTS pg_temp.export_names, pg_temp.export_recorded, pg_temp.export_taken,"
    " pg_temp.export_clashes, pg_temp.export_kept, pg_temp.export_forget, pg_temp.export_wrote",
    /* seq is the article's number: the order it is written in; name the
     * name it wants, then the name it has; fixed: it has its recorded name */
    "CREATE TEMP TABLE export_names (\n"
    "    seq   bigint PRIMARY KEY,\n"
    "    id    bigint NOT NULL,\n"
    "    name  text COLLATE \"C\" NOT NULL,\n"
    "    fixed boolean NOT NULL DEFAULT false\n"
    ") ON COMMIT PRESERVE ROWS",
    /* an article of export_names, and its record in the directory */
    "CREATE TEMP TABLE export_recorded (\n"
    "    seq  bigint PRIMARY KEY,\n"
    "    name text COLLATE \"C\" NOT NULL,\n"
    "    path text NOT NULL,\n"
    "    hash bigint NOT NULL\n"
    ") ON COMMIT PRESERVE ROWS",
    /* the names given; seq: whose it is, NULL for a recorded name */
    "CREATE TEMP TABLE export_taken (\n"
    "    name text COLLATE \"C\" PRIMARY KEY,\n"
    "    seq  bigint\n"
    ") ON COMMIT PRESERVE ROWS",
    /* articles that wanted a name another has, with the name they wanted */
    "CREATE TEMP TABLE export_clashes (\n"
    "    seq  bigint NOT NULL,\n"
    "    id   bigint NOT NULL,\n"
    "    name text COLLATE \"C\" NOT NULL\n"
    ") ON COMMIT PRESERVE ROWS",
    "CREATE TEMP TABLE export_kept (id bigint NOT NULL) ON COMMIT PRESERVE ROWS",
    "CREATE TEMP TABLE export_forget (article_id bigint PRIMARY KEY) ON COMMIT PRESERVE ROWS",
    "CREATE TEMP TABLE export_wrote (\n"
    "    seq        bigint PRIMARY KEY,\n"
    "    article_id bigint NOT NULL,\n"
    "    name       text NOT NULL,\n"
    "    path       text NOT NULL,\n"
    "    hash       bigint NOT NULL\n"
    ") ON COMMIT PRESERVE ROWS",
};

static const char sql_dir_find[] = "SELECT id, coalesce(last_article, 0), coalesce(last_version, 0)"
                                   " FROM export_dirs WHERE path = $1";
static const char sql_names_add[] = "INSERT INTO pg_temp.export_names(seq, id, name)"
                                    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])";
/* fk_store_export_claim: the names recorded for the directory are taken... */
static const char sql_take_recorded[] =
    "INSERT INTO pg_temp.export_taken(name, seq) SELECT name, NULL FROM export_files"
    " WHERE dir_id = $1 AND octet_length(name) <= $2 ON CONFLICT DO NOTHING";
/* ...the records of the articles exported are found by article id... */
static const char sql_names_recorded[] =
    "INSERT INTO pg_temp.export_recorded(seq, name, path, hash)"
    " SELECT n.seq, f.name, f.path, f.hash FROM export_files f"
    " JOIN pg_temp.export_names n ON n.id = f.article_id WHERE f.dir_id = $1";
/* ...and give them their recorded names... */
static const char sql_give_recorded[] =
    "UPDATE pg_temp.export_names n SET fixed = true, name = r.name FROM pg_temp.export_recorded r"
    " WHERE r.seq = n.seq AND octet_length(r.name) <= $1";
/* ...then each other name goes to the first wanting it by id, then by
 * number (of an article added twice, the first)... */
static const char sql_take_wanted[] =
    "INSERT INTO pg_temp.export_taken(name, seq) SELECT DISTINCT ON (name) name, seq"
    " FROM pg_temp.export_names WHERE NOT fixed ORDER BY name, id, seq ON CONFLICT DO NOTHING";
/* ...and those who wanted a name another has are the clashes. */
static const char sql_clashes_add[] =
    "INSERT INTO pg_temp.export_clashes(seq, id, name) SELECT n.seq, n.id, n.name"
    " FROM pg_temp.export_names n WHERE NOT n.fixed AND NOT EXISTS (SELECT 1"
    " FROM pg_temp.export_taken t WHERE t.name = n.name AND t.seq = n.seq)";
static const char sql_clashes_list[] =
    "SELECT seq, name FROM pg_temp.export_clashes ORDER BY name, id, seq";
/* Take the name for the article, unless another has it, and give it:
 * the count is 1 when it was taken. */
static const char sql_name_try[] =
    "WITH taken AS (INSERT INTO pg_temp.export_taken(name, seq) VALUES ($2, $1)"
    " ON CONFLICT DO NOTHING RETURNING seq),"
    " given AS (UPDATE pg_temp.export_names SET name = $2"
    " WHERE seq = $1 AND EXISTS (SELECT 1 FROM taken))"
    " SELECT count(*) FROM taken";
/* The articles from number $1 on, a window of them: they are read in
 * their order, one after another. */
static const char sql_names_get[] =
    "SELECT n.seq, n.id, n.name, r.path, r.hash FROM pg_temp.export_names n"
    " LEFT JOIN pg_temp.export_recorded r ON r.seq = n.seq"
    " WHERE n.seq >= $1 ORDER BY n.seq LIMIT 256";
static const char sql_keep[] = "INSERT INTO pg_temp.export_kept(id) SELECT unnest($1::bigint[])";
static const char sql_unkept_list[] =
    "SELECT article_id, name, path, hash FROM export_files f WHERE dir_id = $1 AND NOT EXISTS"
    " (SELECT 1 FROM pg_temp.export_kept k WHERE k.id = f.article_id) ORDER BY article_id";
static const char sql_forget[] = "INSERT INTO pg_temp.export_forget(article_id)"
                                 " SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING";
static const char sql_wrote[] =
    "INSERT INTO pg_temp.export_wrote(seq, article_id, name, path, hash)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])";
/* A directory known already is updated without an INSERT: an INSERT ...
 * ON CONFLICT would take a number of the identity each time, and the
 * directories would not have the ids SQLite gives them. */
static const char sql_dir_update[] =
    "UPDATE export_dirs SET last_export = to_timestamp($2), last_article = $3,"
    " last_version = $4 WHERE path = $1 RETURNING id";
static const char sql_dir_upsert[] =
    "INSERT INTO export_dirs(path, last_export, last_article, last_version)"
    " VALUES ($1, to_timestamp($2), $3, $4) ON CONFLICT (path) DO UPDATE SET"
    " last_export = excluded.last_export, last_article = excluded.last_article,"
    " last_version = excluded.last_version RETURNING id";
static const char sql_files_forget[] =
    "DELETE FROM export_files WHERE dir_id = $1 AND article_id IN"
    " (SELECT article_id FROM pg_temp.export_forget)";
/* The files noted replace the directory's records of their articles, by
 * article id, as on SQLite: no other record changes its name, so the
 * order cannot make two names meet on the way. Of an article's files the
 * last noted counts; the others are left out here, since PostgreSQL does
 * not update one row twice in a statement. */
static const char sql_files_put[] =
    "INSERT INTO export_files(dir_id, article_id, name, path, hash, written)"
    " SELECT DISTINCT ON (article_id) $1::bigint, article_id, name, path, hash, to_timestamp($2)"
    " FROM pg_temp.export_wrote ORDER BY article_id, seq DESC"
    " ON CONFLICT (dir_id, article_id) DO UPDATE SET name = excluded.name,"
    " path = excluded.path, hash = excluded.hash, written = excluded.written";

/* The hash as the table keeps it: a bigint with the hash's bits. */
static int64_t hash_column(uint64_t hash)
{
    int64_t value;
    memcpy(&value, &hash, sizeof value);
    return value;
}

static uint64_t hash_of(int64_t column)
{
    uint64_t hash;
    memcpy(&hash, &column, sizeof hash);
    return hash;
}

/* Fail unless an export was begun: its tables are there. */
static int export_begun(struct pg_store *ps, struct fk_error *err)
{
    if (ps->export)
        return 0;
    return fk_error_set(err, FK_ERROR_USAGE, "'%s': no export begun", pg_shown(ps->conn));
}

static void batch_init(struct batch *batch, const char *sql, int columns)
{
    batch->sql = sql;
    batch->columns = columns;
    for (int i = 0; i < BATCH_COLUMNS; i++)
        fk_buf_init(&batch->values[i], 0);
    batch->rows = 0;
}

static void batch_clear(struct batch *batch)
{
    for (int i = 0; i < batch->columns; i++)
        fk_buf_reset(&batch->values[i]);
    batch->rows = 0;
}

static void batch_release(struct batch *batch)
{
    for (int i = 0; i < BATCH_COLUMNS; i++)
        fk_buf_release(&batch->values[i]);
}

/* Start column of the row being added: the array's opening brace or a
 * comma. */
static int batch_next(struct batch *batch, int column)
{
    return fk_buf_addc(&batch->values[column], batch->rows ? ',' : '{');
}

static int batch_number(struct batch *batch, int column, int64_t n)
{
    if (batch_next(batch, column) < 0)
        return -1;
    return fk_buf_printf(&batch->values[column], "%lld", (long long)n);
}

/* A text element: quoted, with its quotes and backslashes escaped. */
static int batch_text(struct batch *batch, int column, const char *s)
{
    struct fk_buf *buf = &batch->values[column];
    if (batch_next(batch, column) < 0 || fk_buf_addc(buf, '"') < 0)
        return -1;
    for (const char *p = s; *p; p++) {
        size_t n = strcspn(p, "\\\"");
        if (fk_buf_add(buf, p, n) < 0)
            return -1;
        p += n;
        if (!*p)
            break;
        if (fk_buf_addc(buf, '\\') < 0 || fk_buf_addc(buf, *p) < 0)
            return -1;
    }
    return fk_buf_addc(buf, '"');
}

/* Send the rows of batch, if any. Returns 0, or -1 with err filled (the
 * rows are dropped either way). */
static int batch_send(struct pg_store *ps, struct batch *batch, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    if (!batch->rows)
        return 0;
    int ret = 0;
    for (int i = 0; i < batch->columns && ret == 0; i++)
        ret = fk_buf_addc(&batch->values[i], '}');
    if (ret < 0) {
        fk_error_set(err, FK_ERROR_USAGE, "'%s': an export's row is too long", pg_shown(ps->conn));
    } else {
        for (int i = 0; i < batch->columns; i++)
            pg_add_text(&params, batch->values[i].data);
        ret = pg_exec(ps->conn, batch->sql, &params, err) < 0 ? -1 : 0;
    }
    batch_clear(batch);
    return ret;
}

/* The row just added to batch (ok: whether all of it went in) is
 * complete: count it, and send the batch when it is full. */
static int batch_row_done(struct pg_store *ps, struct batch *batch, int ok, struct fk_error *err)
{
    if (ok < 0) {
        batch_clear(batch);
        return fk_error_set(err, FK_ERROR_USAGE, "'%s': an export's row is too long",
                            pg_shown(ps->conn));
    }
    batch->rows++;
    size_t bytes = 0;
    for (int i = 0; i < batch->columns; i++)
        bytes += batch->values[i].len;
    if (batch->rows < BATCH_ROWS && bytes < BATCH_BYTES)
        return 0;
    return batch_send(ps, batch, err);
}

/* Send every batch, before the tables are read. */
static int send_all(struct pg_store *ps, struct fk_error *err)
{
    struct pg_export *export = ps->export;
    if (batch_send(ps, &export->names, err) < 0 || batch_send(ps, &export->kept, err) < 0 ||
        batch_send(ps, &export->forget, err) < 0 || batch_send(ps, &export->files, err) < 0)
        return -1;
    return 0;
}

static void window_drop(struct pg_export *export)
{
    pg_result_free(export->window);
    export->window = NULL;
}

void store_pg_export_free(struct pg_export *export)
{
    if (!export)
        return;
    window_drop(export);
    batch_release(&export->names);
    batch_release(&export->kept);
    batch_release(&export->forget);
    batch_release(&export->files);
    free(export);
}

int store_pg_find_export_dir(struct pg_store *ps, const char *path, int64_t *dir_id,
                             struct fk_store_mark *mark, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    int ret = -1;
    *dir_id = 0;
    mark->article_id = mark->version_id = 0;
    pg_add_text(&params, path);
    struct pg_result *res = pg_query(ps->conn, sql_dir_find, &params, err);
    if (!res)
        goto out;
    ret = 1;
    if (pg_rows(res) > 0) {
        *dir_id = pg_number(res, 0, 0);
        mark->article_id = pg_number(res, 0, 1);
        mark->version_id = pg_number(res, 0, 2);
        ret = 0;
    }
out:
    pg_result_free(res);
    return ret;
}

int store_pg_export_begin(struct pg_store *ps, int64_t dir_id, struct fk_error *err)
{
    struct pg_export *export = ps->export;
    if (!export) {
        export = ps->export = fk_xcalloc(1, sizeof *export);
        batch_init(&export->names, sql_names_add, 3);
        batch_init(&export->kept, sql_keep, 1);
        batch_init(&export->forget, sql_forget, 1);
        batch_init(&export->files, sql_wrote, 5);
    }
    /* The rows of the last export go with its tables. */
    window_drop(export);
    batch_clear(&export->names);
    batch_clear(&export->kept);
    batch_clear(&export->forget);
    batch_clear(&export->files);
    export->dir_id = dir_id;
    export->added = export->wrote = 0;
    /* Made once a run: not worth a prepared statement each. */
    for (size_t i = 0; i < sizeof export_tables / sizeof *export_tables; i++)
        if (pg_exec_text(ps->conn, export_tables[i], NULL, err) < 0)
            return -1;
    return 0;
}

int store_pg_export_add(struct pg_store *ps, int64_t id, const char *name, struct fk_error *err)
{
    if (export_begun(ps, err) < 0)
        return -1;
    if (!name)
        return fk_error_set(err, FK_ERROR_USAGE, "'%s': an article to export has no name",
                            pg_shown(ps->conn));
    struct batch *batch = &ps->export->names;
    window_drop(ps->export);
    int ok = batch_number(batch, 0, ps->export->added + 1);
    if (ok == 0)
        ok = batch_number(batch, 1, id);
    if (ok == 0)
        ok = batch_text(batch, 2, name);
    if (ok == 0)
        ps->export->added++;
    return batch_row_done(ps, batch, ok, err);
}

/* The recorded part of store_pg_export_claim: the directory's names are
 * taken and its articles get their own. */
static int claim_recorded(struct pg_store *ps, int64_t limit, struct fk_error *err)
{
    struct pg_params both = PG_PARAMS_INIT, dir = PG_PARAMS_INIT, max = PG_PARAMS_INIT;
    pg_add_int64(&both, ps->export->dir_id);
    pg_add_int64(&both, limit);
    pg_add_int64(&dir, ps->export->dir_id);
    pg_add_int64(&max, limit);
    /* The index and the statistics, once all rows are in, let the server
     * join the directory's records by hash or by index as their numbers
     * ask (temporary tables are not analyzed by autovacuum). */
    if (pg_exec(ps->conn, sql_take_recorded, &both, err) < 0 ||
        pg_exec_text(ps->conn,
                     "CREATE INDEX IF NOT EXISTS export_names_by_id ON pg_temp.export_names(id)",
                     NULL, err) < 0 ||
        pg_exec_text(ps->conn, "ANALYZE pg_temp.export_names", NULL, err) < 0 ||
        pg_exec(ps->conn, sql_names_recorded, &dir, err) < 0 ||
        pg_exec(ps->conn, sql_give_recorded, &max, err) < 0)
        return -1;
    return 0;
}

int store_pg_export_claim(struct pg_store *ps, size_t max, int64_t *clashes, struct fk_error *err)
{
    int64_t limit = max > INT64_MAX ? INT64_MAX : (int64_t)max;
    *clashes = 0;
    if (export_begun(ps, err) < 0 || send_all(ps, err) < 0)
        return -1;
    window_drop(ps->export);
    if (ps->export->dir_id && claim_recorded(ps, limit, err) < 0)
        return -1;
    long n;
    if (pg_exec(ps->conn, sql_take_wanted, NULL, err) < 0 ||
        (n = pg_exec(ps->conn, sql_clashes_add, NULL, err)) < 0)
        return -1;
    *clashes = n;
    return 0;
}

int store_pg_export_each_clash(struct pg_store *ps, fk_export_clash_fn fn, void *ctx,
                               struct fk_error *err)
{
    struct pg_result *batch = NULL;
    struct pg_walk *walk = NULL;
    int ret = -1, stop = 0;
    if (export_begun(ps, err) < 0 || send_all(ps, err) < 0)
        return -1;
    walk = pg_walk_begin(ps->conn, sql_clashes_list, NULL, err);
    if (!walk)
        goto out;
    while (!stop) {
        pg_result_free(batch);
        if (!(batch = pg_walk_next(walk, err)))
            goto out;
        int rows = pg_rows(batch);
        if (rows == 0)
            break;
        for (int i = 0; i < rows && !stop; i++)
            stop = fn(pg_number(batch, i, 0), pg_text(batch, i, 1), ctx);
    }
    ret = stop;
out:
    pg_result_free(batch);
    /* Commits what fn gave (fk_store_export_try_name); a failure in fn
     * rolls it back, and fn has said why. */
    if (pg_walk_end(walk, ret == 0 ? err : NULL) < 0 && ret == 0)
        ret = -1;
    return ret;
}

int store_pg_export_try_name(struct pg_store *ps, int64_t number, const char *name, bool *given,
                             struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    *given = false;
    if (export_begun(ps, err) < 0 || send_all(ps, err) < 0)
        return -1;
    window_drop(ps->export);
    pg_add_int64(&params, number);
    pg_add_text(&params, name);
    struct pg_result *res = pg_query(ps->conn, sql_name_try, &params, err);
    if (!res)
        return -1;
    *given = pg_rows(res) > 0 && pg_number(res, 0, 0) > 0;
    pg_result_free(res);
    return 0;
}

int store_pg_export_get(struct pg_store *ps, int64_t number, struct fk_export_entry *out,
                        struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    if (export_begun(ps, err) < 0 || send_all(ps, err) < 0)
        return -1;
    struct pg_export *export = ps->export;
    int64_t row = number - export->window_first;
    if (!export->window || row < 0 || row >= pg_rows(export->window) ||
        pg_number(export->window, (int)row, 0) != number) {
        struct pg_params params = PG_PARAMS_INIT;
        window_drop(export);
        pg_add_int64(&params, number);
        if (!(export->window = pg_query(ps->conn, sql_names_get, &params, err)))
            return -1;
        export->window_first = number;
        row = 0;
    }
    struct pg_result *res = export->window;
    if (row >= pg_rows(res) || pg_number(res, (int)row, 0) != number)
        return 1;
    const char *path = pg_text_or_null(res, (int)row, 3);
    out->id = pg_number(res, (int)row, 1);
    out->name = fk_xstrdup(pg_text(res, (int)row, 2));
    out->recorded_path = path ? fk_xstrdup(path) : NULL;
    out->recorded_hash = hash_of(pg_number(res, (int)row, 4));
    return 0;
}

int store_pg_export_keep(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    if (export_begun(ps, err) < 0)
        return -1;
    struct batch *batch = &ps->export->kept;
    return batch_row_done(ps, batch, batch_number(batch, 0, id), err);
}

int store_pg_export_each_unkept(struct pg_store *ps, fk_export_file_fn fn, void *ctx,
                                struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    struct pg_result *batch = NULL;
    struct pg_walk *walk = NULL;
    int ret = -1, stop = 0;
    if (export_begun(ps, err) < 0 || send_all(ps, err) < 0)
        return -1;
    if (pg_exec_text(ps->conn,
                     "CREATE INDEX IF NOT EXISTS export_kept_by_id ON pg_temp.export_kept(id)",
                     NULL, err) < 0 ||
        pg_exec_text(ps->conn, "ANALYZE pg_temp.export_kept", NULL, err) < 0)
        goto out;
    pg_add_int64(&params, ps->export->dir_id);
    walk = pg_walk_begin(ps->conn, sql_unkept_list, &params, err);
    if (!walk)
        goto out;
    while (!stop) {
        pg_result_free(batch);
        if (!(batch = pg_walk_next(walk, err)))
            goto out;
        int rows = pg_rows(batch);
        if (rows == 0)
            break;
        for (int i = 0; i < rows && !stop; i++) {
            struct fk_export_file file = {
                pg_number(batch, i, 0),
                pg_text(batch, i, 1),
                pg_text(batch, i, 2),
                hash_of(pg_number(batch, i, 3)),
            };
            stop = fn(&file, ctx);
        }
    }
    ret = stop;
out:
    pg_result_free(batch);
    /* Commits what fn noted (fk_store_export_forget). */
    if (pg_walk_end(walk, ret == 0 ? err : NULL) < 0 && ret == 0)
        ret = -1;
    return ret;
}

int store_pg_export_forget(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    if (export_begun(ps, err) < 0)
        return -1;
    struct batch *batch = &ps->export->forget;
    return batch_row_done(ps, batch, batch_number(batch, 0, id), err);
}

int store_pg_export_wrote(struct pg_store *ps, const struct fk_export_file *file,
                          struct fk_error *err)
{
    if (export_begun(ps, err) < 0)
        return -1;
    if (!file->name || !file->path)
        return fk_error_set(err, FK_ERROR_USAGE, "'%s': a file exported has no name or path",
                            pg_shown(ps->conn));
    struct batch *batch = &ps->export->files;
    int ok = batch_number(batch, 0, ps->export->wrote + 1);
    if (ok == 0)
        ok = batch_number(batch, 1, file->article_id);
    if (ok == 0)
        ok = batch_text(batch, 2, file->name);
    if (ok == 0)
        ok = batch_text(batch, 3, file->path);
    if (ok == 0)
        ok = batch_number(batch, 4, hash_column(file->hash));
    if (ok == 0)
        ps->export->wrote++;
    return batch_row_done(ps, batch, ok, err);
}

int store_pg_record_export(struct pg_store *ps, const char *path, int64_t started,
                           const struct fk_store_mark *mark, struct fk_error *err)
{
    struct pg_params upsert = PG_PARAMS_INIT, forget = PG_PARAMS_INIT, put = PG_PARAMS_INIT;
    struct pg_result *res = NULL;
    bool in_transaction = false;
    int ret = -1;
    int64_t now = time(NULL);

    if (store_pg_current_feed(ps))
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (export_begun(ps, err) < 0 || send_all(ps, err) < 0)
        return -1;
    if (pg_in_transaction(ps->conn))
        return fk_error_set(err, FK_ERROR_USAGE, "'%s': a transaction is open", pg_shown(ps->conn));
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        goto out;
    in_transaction = true;
    pg_add_text(&upsert, path);
    pg_add_int64(&upsert, started);
    pg_add_int64(&upsert, mark->article_id);
    pg_add_int64(&upsert, mark->version_id);
    if (!(res = pg_query(ps->conn, sql_dir_update, &upsert, err)))
        goto out;
    if (pg_rows(res) == 0) {
        pg_result_free(res);
        if (!(res = pg_query(ps->conn, sql_dir_upsert, &upsert, err)))
            goto out;
    }
    if (pg_rows(res) != 1) {
        fk_error_set(err, FK_ERROR_DB, "'%s': export directory '%s' not recorded",
                     pg_shown(ps->conn), path);
        goto out;
    }
    int64_t dir_id = pg_number(res, 0, 0);
    pg_add_int64(&forget, dir_id);
    pg_add_int64(&put, dir_id);
    pg_add_int64(&put, now);
    if (pg_exec(ps->conn, sql_files_forget, &forget, err) < 0 ||
        pg_exec(ps->conn, sql_files_put, &put, err) < 0 ||
        pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        goto out;
    in_transaction = false;
    ret = 0;
out:
    pg_result_free(res);
    if (in_transaction && pg_in_transaction(ps->conn))
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL); /* err already says why */
    return ret;
}
