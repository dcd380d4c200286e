/* store_pg_maint.c - the PostgreSQL store: check, repair and vacuum.
 *
 * check makes on PostgreSQL the checks of the SQLite store (store_maint.c)
 * whose problem can happen here, said in the same words, and a few of its
 * own. Each runs inside one read-only snapshot (REPEATABLE READ), so a
 * fetch may go on filing meanwhile.
 *
 * - "foreign keys": the server enforces them, but rows that refer to
 *   nothing still get in when the tables' triggers are disabled by hand
 *   or a restore runs with session_replication_role = replica. As
 *   SQLite's foreign_key_check, every foreign key of the catalog is
 *   looked for in the rows.
 * - "code blocks": the code is kept whole (no place in the text that
 *   could fall outside it, as on SQLite): a block's position and line
 *   count must not be negative.
 * - "full-text index": each article's search column is made again with
 *   fk_search_vector, the function of the trigger that keeps it, and
 *   compared; the trigger must be there and enabled.
 * - "assets" and "asset bytes": as on SQLite (store_assets.c).
 * - "schema": feedkeep_schema holds one row. Its version needs no check:
 *   opening the archive refuses a newer one and upgrades an older one.
 * - "indexes": no index is left invalid (by a REINDEX or an index build
 *   that failed): the server would not use it, or not keep it.
 * - "articles": every article belongs to a feed (deleting a feed's row by
 *   hand takes its memberships with it; feedkeep never deletes one).
 * - "feeds": no negative count of failed fetches.
 * - "counts": the kept counts of schema 2 (articles per tag and per
 *   author with their newest date, blocks per code language, the totals
 *   of articles and versions) with the changes not folded in yet, against
 *   a recount, said as on SQLite.
 *
 * The SQLite checks with no counterpart here:
 * - "integrity" (SQLite's integrity_check of the file): the server keeps
 *   its pages sound itself (write-ahead log, data checksums when the
 *   cluster has them); reading them again needs the amcheck extension,
 *   which a superuser installs: the administrator's business, not the
 *   archive's.
 * - the articles per feed, which SQLite keeps and PostgreSQL counts.
 * - "packed columns": the HTML and Markdown are plain text here; their
 *   compression is the server's (TOAST).
 */
#include "store_int.h"
#include "store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/buf.h"

/* At most this many lines per check (SQL text: a LIMIT); then one saying
 * how many more. */
#define PROBLEMS_SHOWN "20"
/* Articles a statement of the full-text check or of vacuum's rebuild
 * reads, by id. */
#define ARTICLE_BATCH 4096

static void progress(struct pg_store *ps, const char *stage, int64_t done)
{
    if (ps->progress)
        ps->progress(stage, done, ps->progress_ctx);
}

/* check, the repairs and vacuum run in transactions of their own, never
 * inside the one filing a feed holds. */
static int not_filing(struct pg_store *ps, struct fk_error *err)
{
    if (pg_in_transaction(ps->conn))
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    return 0;
}

/* End a transaction this file opened: COMMIT when ret is 0, else ROLLBACK
 * (err already says why). Returns ret, or -1 when the COMMIT fails. */
static int end_transaction(struct pg_store *ps, int ret, struct fk_error *err)
{
    if (ret < 0) {
        if (pg_in_transaction(ps->conn))
            (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL);
        return ret;
    }
    return pg_exec(ps->conn, "COMMIT", NULL, err) < 0 ? -1 : ret;
}

/* ---- the checks -------------------------------------------------------------- */

/* Checks whose SQL returns the first PROBLEMS_SHOWN problems, each as its
 * line and the number of problems found in all (count(*) OVER ()). */
static const struct {
    const char *name;
    const char *stage; /* for the progress line */
    const char *sql;
    const char *more; /* the line after the most shown: a count, then this */
} checks[] = {
    {"schema", "checking the schema",
     "SELECT format('feedkeep_schema holds %s rows where it should hold one', count(*)), 1"
     " FROM feedkeep_schema HAVING count(*) <> 1",
     ""},
    {"indexes", "checking the indexes",
     "SELECT format('index %s of table %s is not valid (a build that failed left it);"
     " ''feedkeep vacuum'' rebuilds it', i.relname, t.relname), count(*) OVER ()"
     " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
     " JOIN pg_class t ON t.oid = x.indrelid"
     " WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
     " AND NOT (x.indisvalid AND x.indisready) ORDER BY t.relname, i.relname LIMIT " PROBLEMS_SHOWN,
     " more indexes are not valid"},
    {"code blocks", "checking the code blocks",
     "SELECT format('code block %s of article %s has position %s and %s lines"
     " (feedkeep reparse %s writes them again)', id, article_id, position, lines, article_id),"
     " count(*) OVER () FROM code_blocks WHERE position < 0 OR lines < 0 ORDER BY id "
     "LIMIT " PROBLEMS_SHOWN,
     " more code blocks have a negative position or line count"},
    {"articles", "checking the articles",
     "SELECT format('article %s belongs to no feed', a.id), count(*) OVER () FROM articles a"
     " WHERE NOT EXISTS (SELECT 1 FROM article_feeds f WHERE f.article_id = a.id)"
     " ORDER BY a.id LIMIT " PROBLEMS_SHOWN,
     " more articles belong to no feed"},
    {"counts", "checking the counts",
     "SELECT CASE d.kind"
     " WHEN 't' THEN format('tag %s: %s articles, newest %s; kept: %s articles, newest %s',"
     "  quote_literal(coalesce(t.name, d.key)), d.rn, d.rd, d.cn, d.cd)"
     " WHEN 'u' THEN format('author %s: %s articles, newest %s; kept: %s articles, newest %s%s',"
     "  quote_literal(coalesce(d.rname, d.cname)), d.rn, d.rd, d.cn, d.cd,"
     "  CASE WHEN d.rname <> d.cname THEN ', as ' || quote_literal(d.cname) ELSE '' END)"
     " WHEN 'l' THEN format('code language %s: %s blocks; kept: %s blocks',"
     "  CASE WHEN d.key = '' THEN 'none' ELSE quote_literal(coalesce(d.rname, d.cname)) END,"
     "  d.rn, d.cn)"
     " ELSE format('%s: %s; kept: %s', d.key, d.rn, coalesce(d.cn, 'none'))"
     " END || ' (''feedkeep check --repair'' recounts)', count(*) OVER ()"
     " FROM (SELECT coalesce(r.kind, c.kind) AS kind, coalesce(r.key, c.key) AS key,"
     "  r.name AS rname, c.name AS cname, coalesce(r.n, 0) AS rn,"
     "  CASE WHEN c.n IS NULL AND coalesce(r.kind, c.kind) <> 'A' THEN 'no' ELSE c.n::text END"
     "   AS cn,"
     "  coalesce(to_char(r.newest AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'none')"
     "   AS rd,"
     "  coalesce(to_char(c.newest AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'none')"
     "   AS cd"
     "  FROM counts_recounted r FULL JOIN counts_now c ON c.kind = r.kind AND c.key = r.key"
     "  WHERE r.n IS DISTINCT FROM c.n OR r.newest IS DISTINCT FROM c.newest"
     "  OR r.name IS DISTINCT FROM c.name) d"
     " LEFT JOIN tags t ON d.kind = 't' AND t.id::text = d.key"
     " ORDER BY d.kind, d.key LIMIT " PROBLEMS_SHOWN,
     " more counts are off ('feedkeep check --repair' recounts)"},
    {"feeds", "checking the feeds",
     "SELECT format('feed %s has %s failures: a count of failed fetches is never negative',"
     " quote_literal(url), failures), count(*) OVER () FROM feeds WHERE failures < 0"
     " ORDER BY id LIMIT " PROBLEMS_SHOWN,
     " more feeds have a negative count of failed fetches"},
};

/* Give fn the problems of result (rows of a line and the count of all
 * found), then a line saying how many more there are: the count, then
 * more. Returns the lines given. */
static int report_rows(const char *name, const struct pg_result *result, const char *more,
                       fk_problem_fn fn, void *ctx)
{
    int rows = pg_rows(result);
    int problems = 0;
    for (int i = 0; i < rows; i++) {
        fn(name, pg_text(result, i, 0), ctx);
        problems++;
    }
    int64_t total = rows ? pg_number(result, 0, 1) : 0;
    if (total > rows) {
        struct fk_buf line = FK_BUF_INIT;
        fk_buf_printf(&line, "%lld%s", (long long)(total - rows), more);
        fn(name, line.data, ctx);
        fk_buf_release(&line);
        problems++;
    }
    return problems;
}

/* The foreign keys, as SQLite's foreign_key_check: the catalog gives each
 * constraint's check as SQL (its identifiers quoted by the server), which
 * returns the rows that refer to nothing, named by their primary key.
 * Returns the problems found, or -1 with err filled. */
static int check_references(struct pg_store *ps, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    static const char sql[] =
        "SELECT t.relname, p.relname,"
        " format('SELECT %s::text, count(*) OVER () FROM %s c WHERE %s AND NOT EXISTS"
        " (SELECT 1 FROM %s p WHERE %s) ORDER BY %s LIMIT " PROBLEMS_SHOWN
        "', k.expr, c.conrelid::regclass,"
        " j.present, c.confrelid::regclass, j.joined, k.expr)"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_class p ON p.oid = c.confrelid"
        " CROSS JOIN LATERAL (SELECT"
        " string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ') AS present,"
        " string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ') AS joined"
        " FROM unnest(c.conkey, c.confkey) AS u(child, parent)"
        " JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = u.child"
        " JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = u.parent) j"
        " CROSS JOIN LATERAL (SELECT CASE count(*) WHEN 0 THEN 'c.ctid'"
        " WHEN 1 THEN format('c.%I', min(a.attname::text))"
        " ELSE format('ROW(%s)', string_agg(format('c.%I', a.attname), ', ' ORDER BY u.n)) END"
        " AS expr FROM pg_index i"
        " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS u(attnum, n)"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.attnum"
        " WHERE i.indrelid = c.conrelid AND i.indisprimary) k"
        " WHERE c.contype = 'f'"
        " AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
        " ORDER BY t.relname, c.conname";
    struct pg_result *keys = pg_query(ps->conn, sql, NULL, err);
    struct fk_buf what = FK_BUF_INIT;
    int problems = -1;
    if (!keys)
        goto out;
    problems = 0;
    for (int i = 0; i < pg_rows(keys); i++) {
        struct pg_result *r = pg_query_text(ps->conn, pg_text(keys, i, 2), NULL, err);
        if (!r) {
            problems = -1;
            goto out;
        }
        const char *table = pg_text(keys, i, 0), *parent = pg_text(keys, i, 1);
        for (int row = 0; row < pg_rows(r); row++) {
            fk_buf_reset(&what);
            fk_buf_printf(&what, "%s row %s refers to a missing %s row", table, pg_text(r, row, 0),
                          parent);
            fn("foreign keys", what.data, ctx);
            problems++;
        }
        fk_buf_reset(&what);
        fk_buf_printf(&what, "%s rows refer to missing %s rows", table, parent);
        if (pg_rows(r) && pg_number(r, 0, 1) > pg_rows(r)) {
            struct fk_buf line = FK_BUF_INIT;
            fk_buf_printf(&line, "%lld more %s", (long long)(pg_number(r, 0, 1) - pg_rows(r)),
                          what.data);
            fn("foreign keys", line.data, ctx);
            fk_buf_release(&line);
            problems++;
        }
        pg_result_free(r);
    }
out:
    pg_result_free(keys);
    fk_buf_release(&what);
    return problems;
}

/* The full-text index: its trigger, and every article's search column
 * against what fk_search_vector (the trigger's function) makes of its
 * title, tags and text now. Returns the problems found, or -1 with err
 * filled. */
static int check_search(struct pg_store *ps, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    struct pg_result *r = pg_query(
        ps->conn,
        "SELECT (SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'articles_search'"
        " AND tgrelid = 'articles'::regclass), (SELECT coalesce(max(id), 0) FROM articles)",
        NULL, err);
    if (!r)
        return -1;
    int problems = 0;
    if (pg_is_null(r, 0, 0)) {
        fn("full-text index",
           "its trigger articles_search is missing: the articles filed or changed are not "
           "indexed",
           ctx);
        problems++;
    } else if (strcmp(pg_text(r, 0, 0), "O") != 0 && strcmp(pg_text(r, 0, 0), "A") != 0) {
        fn("full-text index",
           "its trigger articles_search is disabled: the articles filed or changed meanwhile "
           "are not indexed; 'feedkeep vacuum' enables it and rebuilds the index",
           ctx);
        problems++;
    }
    int64_t last = pg_number(r, 0, 1);
    pg_result_free(r);

    int64_t stale = 0, first = 0;
    for (int64_t from = 0; from < last; from += ARTICLE_BATCH) {
        struct pg_params p = PG_PARAMS_INIT;
        pg_add_int64(&p, from);
        pg_add_int64(&p, from + ARTICLE_BATCH);
        r = pg_query(ps->conn,
                     "SELECT count(*), min(a.id) FROM articles a, feedkeep_schema s"
                     " WHERE a.id > $1 AND a.id <= $2 AND a.search IS DISTINCT FROM"
                     " fk_search_vector(s.search_config, a.title, a.tags_text, a.text)",
                     &p, err);
        if (!r)
            return -1;
        if (!first && pg_number(r, 0, 0))
            first = pg_number(r, 0, 1);
        stale += pg_number(r, 0, 0);
        pg_result_free(r);
        progress(ps, "reading the articles",
                 from + ARTICLE_BATCH < last ? from + ARTICLE_BATCH : last);
    }
    if (stale) {
        struct fk_buf what = FK_BUF_INIT;
        if (stale == 1)
            fk_buf_printf(&what,
                          "it does not agree with the articles (article %lld has a search "
                          "vector other than its title, tags and text make)",
                          (long long)first);
        else
            fk_buf_printf(&what,
                          "it does not agree with the articles (%lld articles have search "
                          "vectors other than their title, tags and text make, the first "
                          "article %lld)",
                          (long long)stale, (long long)first);
        fk_buf_adds(&what, "; 'feedkeep vacuum' rebuilds it");
        fn("full-text index", what.data, ctx);
        fk_buf_release(&what);
        problems++;
    }
    return problems;
}

int store_pg_check(struct pg_store *ps, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    int problems = 0, rc = -1;
    if (not_filing(ps, err) < 0)
        return -1;
    /* One snapshot for every check: a fetch may go on writing meanwhile. */
    if (pg_exec(ps->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        progress(ps, checks[i].stage, 0);
        struct pg_result *r = pg_query(ps->conn, checks[i].sql, NULL, err);
        if (!r)
            goto out;
        problems += report_rows(checks[i].name, r, checks[i].more, fn, ctx);
        pg_result_free(r);
    }
    progress(ps, "checking the references", 0);
    if ((rc = check_references(ps, fn, ctx, err)) < 0)
        goto out;
    problems += rc;
    progress(ps, "checking the full-text index", 0);
    if ((rc = check_search(ps, fn, ctx, err)) < 0)
        goto out;
    problems += rc;
    /* The assets' structure; their bytes are hashed only when the caller
     * gives a hash function (store_pg_check_assets). */
    progress(ps, "checking the assets", 0);
    if ((rc = store_pg_check_assets(ps, NULL, fn, ctx, err)) < 0)
        goto out;
    problems += rc;
    rc = 0;
out:
    rc = end_transaction(ps, rc, err);
    return rc < 0 ? -1 : problems;
}

/* ---- assets ------------------------------------------------------------------ */

/* The structural checks of the assets: each row is a problem, said as
 * before, column 0, middle, column 1 (when there is one), after. */
static const struct {
    const char *sql;
    const char *before, *middle, *after;
    bool second; /* whether there is a column 1 */
} asset_checks[] = {
    {"SELECT url FROM asset_urls u WHERE status = 'stored'"
     " AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = u.asset_id) ORDER BY id",
     "URL '", "", "' is stored but its asset is missing", false},
    {"SELECT encode(sha256, 'hex') FROM assets a"
     " WHERE NOT EXISTS (SELECT 1 FROM asset_urls u WHERE u.asset_id = a.id) ORDER BY id",
     "asset ", "", " is an orphan: no URL resolves to it", false},
    {"SELECT article_id, position FROM article_assets aa"
     " WHERE NOT EXISTS (SELECT 1 FROM asset_urls u WHERE u.id = aa.url_id)"
     " ORDER BY article_id, position",
     "article ", " references a missing asset URL at position ", "", true},
};

/* What the bytes of an asset are found to be. */
enum asset_state {
    ASSET_SOUND,
    ASSET_NO_SHA256,
    ASSET_SIZE,
    ASSET_UNHASHED,
    ASSET_MISMATCH,
};

/* The problems of check "asset bytes", by state. */
static const char *const asset_problems[] = {
    [ASSET_NO_SHA256] = "has no SHA-256",
    [ASSET_SIZE] = "is not the size recorded",
    [ASSET_UNHASHED] = "could not be hashed",
    [ASSET_MISMATCH] = "does not hash to its SHA-256",
};

/* Told each asset found not sound: its id, its SHA-256 in hex ("?" when it
 * has none) and its state. Returns 0, or -1 with err filled to stop. */
typedef int (*asset_fn)(int64_t id, const char *hex, enum asset_state state, void *ctx,
                        struct fk_error *err);

/* Hash the bytes of every asset again with sha256 (in the caller's
 * transaction), oldest first, and tell fn of those not sound. The bytes
 * are read one asset at a time: a batch of a walk could be gigabytes.
 * Returns 0, or -1 with err filled. */
static int each_unsound_asset(struct pg_store *ps, fk_sha256_fn sha256, asset_fn fn, void *ctx,
                              struct fk_error *err)
{
    struct pg_walk *walk = pg_walk_begin(
        ps->conn, "SELECT id, encode(sha256, 'hex'), size, length(data) FROM assets ORDER BY id",
        NULL, err);
    struct pg_result *batch = NULL, *r = NULL;
    unsigned char *data = NULL;
    int ret = -1;
    if (!walk)
        return -1;
    while ((batch = pg_walk_next(walk, err)) && pg_rows(batch) > 0) {
        for (int i = 0; i < pg_rows(batch); i++) {
            int64_t id = pg_number(batch, i, 0);
            const char *hex = pg_text(batch, i, 1);
            enum asset_state state = ASSET_SOUND;
            if (strlen(hex) != 64) {
                state = ASSET_NO_SHA256;
            } else if (pg_number(batch, i, 2) != pg_number(batch, i, 3)) {
                state = ASSET_SIZE;
            } else {
                struct pg_params p = PG_PARAMS_INIT;
                pg_add_int64(&p, id);
                if (!(r = pg_query(ps->conn, "SELECT data FROM assets WHERE id = $1", &p, err)))
                    goto out;
                size_t size = 0;
                unsigned char digest[32];
                char digest_hex[65];
                data = pg_rows(r) == 1 ? pg_bytes(r, 0, 0, &size) : NULL;
                if (pg_rows(r) != 1) {
                    /* gone meanwhile (outside a snapshot): nothing to say */
                } else if (sha256(data ? data : (const unsigned char *)"", size, digest) < 0) {
                    state = ASSET_UNHASHED;
                } else {
                    for (int k = 0; k < 32; k++)
                        snprintf(digest_hex + 2 * k, 3, "%02x", digest[k]);
                    if (strcmp(digest_hex, hex) != 0)
                        state = ASSET_MISMATCH;
                }
                free(data);
                data = NULL;
                pg_result_free(r);
                r = NULL;
            }
            if (state != ASSET_SOUND &&
                fn(id, state == ASSET_NO_SHA256 ? "?" : hex, state, ctx, err) < 0)
                goto out;
        }
        pg_result_free(batch);
    }
    if (batch)
        ret = 0;
out:
    free(data);
    pg_result_free(r);
    pg_result_free(batch);
    if (pg_walk_end(walk, ret < 0 ? NULL : err) < 0)
        ret = -1;
    return ret;
}

/* What check_assets tells of the bytes. */
struct bytes_check {
    fk_problem_fn fn;
    void *ctx;
    int problems;
};

static int report_bytes(int64_t id, const char *hex, enum asset_state state, void *ctx,
                        struct fk_error *err)
{
    struct bytes_check *check = ctx;
    char message[128];
    (void)id;
    (void)err;
    /* named as fk_store_get_asset finds it: by its SHA-256 in hex */
    snprintf(message, sizeof message, "asset %s %s", hex, asset_problems[state]);
    check->fn("asset bytes", message, check->ctx);
    check->problems++;
    return 0;
}

int store_pg_check_assets(struct pg_store *ps, fk_sha256_fn sha256, fk_problem_fn fn, void *ctx,
                          struct fk_error *err)
{
    struct fk_buf message = FK_BUF_INIT;
    struct pg_result *r = NULL;
    int problems = 0, ret = -1;
    /* Inside check's snapshot, or in one of its own. */
    bool own = !pg_in_transaction(ps->conn);
    if (own && pg_exec(ps->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof asset_checks / sizeof asset_checks[0]; i++) {
        if (!(r = pg_query(ps->conn, asset_checks[i].sql, NULL, err)))
            goto out;
        for (int row = 0; row < pg_rows(r); row++) {
            fk_buf_reset(&message);
            fk_buf_printf(&message, "%s%s%s%s%s", asset_checks[i].before, pg_text(r, row, 0),
                          asset_checks[i].middle, asset_checks[i].second ? pg_text(r, row, 1) : "",
                          asset_checks[i].after);
            fn("assets", message.data ? message.data : "", ctx);
            problems++;
        }
        pg_result_free(r);
        r = NULL;
    }
    if (sha256) {
        struct bytes_check check = {fn, ctx, 0};
        if (each_unsound_asset(ps, sha256, report_bytes, &check, err) < 0)
            goto out;
        problems += check.problems;
    }
    ret = 0;
out:
    pg_result_free(r);
    fk_buf_release(&message);
    if (own)
        ret = end_transaction(ps, ret, err);
    return ret < 0 ? -1 : problems;
}

int store_pg_repair_assets(struct pg_store *ps, int64_t *repaired, struct fk_error *err)
{
    int64_t changed = 0;
    int ret = -1;
    if (not_filing(ps, err) < 0 || pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof store_asset_repairs / sizeof store_asset_repairs[0]; i++) {
        long n = pg_exec(ps->conn, store_asset_repairs[i], NULL, err);
        if (n < 0)
            goto out;
        changed += n;
    }
    ret = 0;
out:
    ret = end_transaction(ps, ret, err);
    if (ret == 0 && repaired)
        *repaired = changed;
    return ret;
}

/* The kept counts made again from a recount. The fold's lock keeps
 * fk_counts_fold out, and the table lock waits for the writers filing
 * now (each holds count_changes from its first change to its commit) and
 * keeps new ones waiting: the recount sees every committed change, and no
 * change is left out or counted twice. */
int store_pg_repair_counts(struct pg_store *ps, struct fk_error *err)
{
    static const char *const steps[] = {
        "BEGIN",
        "SELECT pg_advisory_xact_lock(1718289507)",
        "LOCK TABLE count_changes IN EXCLUSIVE MODE",
        "DELETE FROM count_changes",
        "DELETE FROM counts",
        "INSERT INTO counts SELECT * FROM counts_recounted",
    };
    if (not_filing(ps, err) < 0)
        return -1;
    progress(ps, "recounting", 0);
    int ret = 0;
    for (size_t i = 0; ret == 0 && i < sizeof steps / sizeof steps[0]; i++)
        if (pg_exec(ps->conn, steps[i], NULL, err) < 0)
            ret = -1;
    return end_transaction(ps, ret, err);
}

/* The ids of the damaged assets, being collected. */
struct damaged {
    int64_t *ids;
    size_t count, cap;
};

static int collect_damaged(int64_t id, const char *hex, enum asset_state state, void *ctx,
                           struct fk_error *err)
{
    struct damaged *list = ctx;
    (void)hex;
    /* Bytes that could not be hashed are not known to be damaged. */
    if (state == ASSET_UNHASHED)
        return fk_error_set(err, FK_ERROR_DB, "the bytes of asset %lld could not be hashed",
                            (long long)id);
    if (list->count == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 16;
        list->ids = fk_xrealloc(list->ids, list->cap * sizeof *list->ids);
    }
    list->ids[list->count++] = id;
    return 0;
}

int store_pg_repair_asset_bytes(struct pg_store *ps, fk_sha256_fn sha256, int64_t *removed,
                                int64_t *urls, struct fk_error *err)
{
    struct damaged list = {NULL, 0, 0};
    int64_t changed_urls = 0;
    int ret = -1;
    if (not_filing(ps, err) < 0 || pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        return -1;
    if (each_unsound_asset(ps, sha256, collect_damaged, &list, err) < 0)
        goto out;
    for (size_t i = 0; i < list.count; i++) {
        struct pg_params p = PG_PARAMS_INIT;
        pg_add_int64(&p, list.ids[i]);
        /* The URLs forget their validators too: a 304 must not vouch for
         * bytes the archive no longer has. */
        long n = pg_exec(ps->conn,
                         "UPDATE asset_urls SET status = 'pending', asset_id = NULL, reason = NULL,"
                         " cap = NULL, etag = NULL, last_modified = NULL, failures = 0,"
                         " next_try = NULL WHERE asset_id = $1",
                         &p, err);
        if (n < 0 || pg_exec(ps->conn, "DELETE FROM assets WHERE id = $1", &p, err) < 0)
            goto out;
        changed_urls += n;
    }
    ret = 0;
out:
    free(list.ids);
    ret = end_transaction(ps, ret, err);
    if (ret == 0 && removed)
        *removed = (int64_t)list.count;
    if (ret == 0 && urls)
        *urls = changed_urls;
    return ret;
}

/* ---- vacuum ------------------------------------------------------------------ */

/* Make the full-text index right again: enable its trigger when it was
 * disabled, and make each article's search column again where it is not
 * what fk_search_vector makes, or is stored compressed (smaller than the
 * vector made: written before schema 3), a batch of articles a
 * transaction. */
static int rebuild_search(struct pg_store *ps, struct fk_error *err)
{
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT (SELECT tgenabled::text NOT IN ('O', 'A') FROM pg_trigger"
                 " WHERE tgname = 'articles_search' AND tgrelid = 'articles'::regclass),"
                 " (SELECT coalesce(max(id), 0) FROM articles)",
                 NULL, err);
    if (!r)
        return -1;
    bool disabled = pg_number(r, 0, 0) != 0;
    int64_t last = pg_number(r, 0, 1);
    pg_result_free(r);
    if (disabled &&
        pg_exec(ps->conn, "ALTER TABLE articles ENABLE TRIGGER articles_search", NULL, err) < 0)
        return -1;
    for (int64_t from = 0; from < last; from += ARTICLE_BATCH) {
        struct pg_params p = PG_PARAMS_INIT;
        pg_add_int64(&p, from);
        pg_add_int64(&p, from + ARTICLE_BATCH);
        if (pg_exec(ps->conn,
                    "UPDATE articles a SET search = v.search FROM (SELECT id,"
                    " fk_search_vector((SELECT search_config FROM feedkeep_schema), title,"
                    " tags_text, text) AS search FROM articles WHERE id > $1 AND id <= $2) v"
                    " WHERE a.id = v.id AND (a.search IS DISTINCT FROM v.search"
                    " OR pg_column_size(a.search) < pg_column_size(v.search))",
                    &p, err) < 0)
            return -1;
        progress(ps, "rebuilding the full-text index",
                 from + ARTICLE_BATCH < last ? from + ARTICLE_BATCH : last);
    }
    return 0;
}

/* Run each statement the query sql returns (one a row, built by the
 * server with its identifiers quoted), each in its own transaction,
 * telling the progress function stage first. Returns 0, or -1 with err
 * filled. */
static int run_built(struct pg_store *ps, const char *sql, const char *stage, struct fk_error *err)
{
    struct pg_result *r = pg_query(ps->conn, sql, NULL, err);
    int ret = r ? 0 : -1;
    for (int i = 0; r && ret == 0 && i < pg_rows(r); i++) {
        if (pg_is_null(r, i, 0))
            continue;
        progress(ps, stage, 0);
        if (pg_exec_text(ps->conn, pg_text(r, i, 0), NULL, err) < 0)
            ret = -1;
    }
    pg_result_free(r);
    return ret;
}

/* SQLite's vacuum also packs what was filed plain and keeps old code
 * blocks as their place in the text: neither exists here. Its VACUUM
 * rewrites the file without its free pages; PostgreSQL's VACUUM (ANALYZE)
 * marks dead rows' room free for new ones and renews the planner's
 * statistics, without the exclusive lock of VACUUM FULL that would stop
 * every reader and writer meanwhile. VACUUM cannot run in a transaction:
 * each statement here is its own. */
int store_pg_vacuum(struct pg_store *ps, struct fk_error *err)
{
    if (not_filing(ps, err) < 0)
        return -1;
    progress(ps, "rebuilding the full-text index", 0);
    if (rebuild_search(ps, err) < 0)
        return -1;
    if (run_built(ps,
                  "SELECT format('REINDEX INDEX %I', i.relname) FROM pg_index x"
                  " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                  " WHERE t.relnamespace ="
                  " (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
                  " AND NOT (x.indisvalid AND x.indisready) ORDER BY i.relname",
                  "rebuilding an index", err) < 0)
        return -1;
    return run_built(ps,
                     "SELECT 'VACUUM (ANALYZE) '"
                     " || string_agg(format('%I', tablename), ', ' ORDER BY tablename)"
                     " FROM pg_tables WHERE schemaname = current_schema()",
                     "vacuuming the tables", err);
}
