/* store_maint.c - looking after the archive: explaining the guid-change
 * rule, checking and repairing the full-text index, removing assets whose
 * bytes were damaged, vacuum, counts.
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

/* ---- articles under changed guids: explaining -------------------------------- */

static void dedup_article_release(struct fk_dedup_article *a)
{
    free(a->key);
    free(a->guid);
    free(a->url);
    free(a->link_key);
    free(a->title);
}

/* Read article id into a and its text into *text (to free). Returns 0, 1
 * when there is no such article, -1 with err filled. */
static int dedup_read_article(struct fk_store *store, sqlite3_stmt *st, int64_t id,
                              struct fk_dedup_article *a, char **text, struct fk_error *err)
{
    if (bind_int64(st, 1, id)) {
        stmt_reset(st);
        return store_db_error(store, err);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        a->key = column_dup(st, 1);
        a->guid = column_dup(st, 2);
        a->url = column_dup(st, 3);
        a->link_key = column_dup(st, 4);
        a->title = column_dup(st, 5);
        a->published = column_time(st, 6);
        a->text_length = (size_t)sqlite3_column_int64(st, 7);
        *text = column_dup(st, 8);
    }
    return store_row_done(store, st, rc, err);
}

/* What the rule says of article a (text atext) and candidate c (text
 * ctext), into c. */
static int dedup_compare(struct fk_store *store, const struct fk_dedup_article *a,
                         const char *atext, struct fk_dedup_candidate *c, const char *ctext,
                         struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_DEDUP_SHARED_FEED);
    struct fk_match *m = &c->match;
    int64_t feed_id = 0;
    char *feed_key = NULL, *site_key = NULL;
    int ret = -1;

    if (bind_int64(st, 1, a->id) || bind_int64(st, 2, c->article.id)) {
        stmt_reset(st);
        return store_db_error(store, err);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        feed_id = sqlite3_column_int64(st, 0);
        c->feed_url = column_dup(st, 1);
        feed_key = fk_store_link_key(column_str(st, 1));
        site_key = fk_store_link_key(column_str(st, 2));
    } else if (rc != SQLITE_DONE) {
        store_db_error(store, err);
        stmt_reset(st);
        goto out;
    }
    stmt_reset(st);
    m->same_feed = feed_id != 0;
    m->same_link =
        a->link_key && c->article.link_key && strcmp(a->link_key, c->article.link_key) == 0;
    if (m->same_link) {
        const char *key = a->link_key;
        c->shared_link = store_link_is_root(key) || (feed_key && strcmp(key, feed_key) == 0) ||
                         (site_key && strcmp(key, site_key) == 0);
    }
    if (m->same_feed && m->same_link) {
        st = stmt_of(store, ST_DEDUP_OTHERS);
        if (bind_int64(st, 1, feed_id) || bind_text(st, 2, a->link_key) ||
            bind_int64(st, 3, a->id) || bind_int64(st, 4, c->article.id)) {
            stmt_reset(st);
            store_db_error(store, err);
            goto out;
        }
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            store_db_error(store, err);
            stmt_reset(st);
            goto out;
        }
        c->others = sqlite3_column_int64(st, 0);
        stmt_reset(st);
    }
    m->link_identifies = m->same_feed && m->same_link && !c->shared_link && c->others == 0;
    struct match_side sa = {a->title, atext, a->published};
    struct match_side sc = {c->article.title, ctext, c->article.published};
    store_match_compare(&sa, &sc, true, m);
    ret = 0;
out:
    free(feed_key);
    free(site_key);
    return ret;
}

/* The aliases of an explanation, being read. */
struct alias_list {
    struct fk_dedup_explanation *out;
    size_t cap;
};

static int alias_row(sqlite3_stmt *st, void *ctx)
{
    struct alias_list *list = ctx;
    struct fk_dedup_explanation *out = list->out;
    if (out->naliases == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 4;
        out->aliases = fk_xrealloc(out->aliases, list->cap * sizeof *out->aliases);
    }
    struct fk_dedup_alias *alias = &out->aliases[out->naliases++];
    alias->key = column_dup(st, 0);
    alias->guid = column_dup(st, 1);
    alias->feed_url = column_dup(st, 2);
    alias->rule = column_dup(st, 3);
    alias->created = column_time(st, 4);
    return 0;
}

/* Ids read into an array long enough for all the rows. */
struct id_list {
    int64_t *ids;
    size_t count;
};

static int id_row(sqlite3_stmt *st, void *ctx)
{
    struct id_list *list = ctx;
    list->ids[list->count++] = sqlite3_column_int64(st, 0);
    return 0;
}

int fk_store_dedup_explain(struct fk_store *store, int64_t id, int64_t other,
                           struct fk_dedup_explanation *out, struct fk_error *err)
{
    if (store->pg)
        return store_pg_dedup_explain(store->pg, id, other, out, err);
    sqlite3_stmt **stmts = store->stmts;
    char *text = NULL, *other_text = NULL;
    int64_t *ids = NULL;
    size_t nids = 0;
    int ret = -1;
    int rc;

    memset(out, 0, sizeof *out);
    for (enum stmt_id i = ST_DEDUP_ARTICLE; i <= ST_DEDUP_OTHERS; i++) {
        if (!store_stmt(store, i, err))
            goto out;
    }
    if ((rc = dedup_read_article(store, stmts[ST_DEDUP_ARTICLE], id, &out->article, &text, err)) !=
        0) {
        ret = rc;
        goto out;
    }

    sqlite3_stmt *st = stmts[ST_DEDUP_ALIASES];
    if (bind_int64(st, 1, id)) {
        store_db_error(store, err);
        goto out;
    }
    struct alias_list aliases = {out, 0};
    if (store_each_row(store, st, alias_row, &aliases, err) < 0)
        goto out;

    if (other) {
        ids = fk_xmalloc(sizeof *ids);
        ids[nids++] = other;
    } else if (out->article.link_key) {
        st = stmts[ST_DEDUP_CANDIDATES];
        ids = fk_xmalloc((FK_DEDUP_MAX_CANDIDATES + 1) * sizeof *ids);
        if (bind_int64(st, 1, id) || bind_text(st, 2, out->article.link_key) ||
            bind_int64(st, 3, FK_DEDUP_MAX_CANDIDATES + 1)) {
            store_db_error(store, err);
            goto out;
        }
        struct id_list list = {ids, 0};
        if (store_each_row(store, st, id_row, &list, err) < 0)
            goto out;
        nids = list.count;
        if (nids > FK_DEDUP_MAX_CANDIDATES) {
            nids = FK_DEDUP_MAX_CANDIDATES;
            out->more = true;
        }
    }
    if (nids)
        out->candidates = fk_xcalloc(nids, sizeof *out->candidates);
    for (size_t i = 0; i < nids; i++) {
        struct fk_dedup_candidate *c = &out->candidates[out->ncandidates];
        rc = dedup_read_article(store, stmts[ST_DEDUP_ARTICLE], ids[i], &c->article, &other_text,
                                err);
        if (rc != 0) {
            ret = rc;
            goto out;
        }
        out->ncandidates++;
        rc = dedup_compare(store, &out->article, text, c, other_text, err);
        free(other_text);
        other_text = NULL;
        if (rc < 0)
            goto out;
    }
    ret = 0;
out:
    for (enum stmt_id i = ST_DEDUP_ARTICLE; i <= ST_DEDUP_OTHERS; i++) {
        if (stmts[i])
            stmt_reset(stmts[i]);
    }
    free(text);
    free(other_text);
    free(ids);
    if (ret != 0)
        fk_dedup_explain_release(out);
    return ret;
}

void fk_dedup_explain_release(struct fk_dedup_explanation *out)
{
    dedup_article_release(&out->article);
    for (size_t i = 0; i < out->naliases; i++) {
        free(out->aliases[i].key);
        free(out->aliases[i].guid);
        free(out->aliases[i].feed_url);
        free(out->aliases[i].rule);
    }
    free(out->aliases);
    for (size_t i = 0; i < out->ncandidates; i++) {
        dedup_article_release(&out->candidates[i].article);
        free(out->candidates[i].feed_url);
    }
    free(out->candidates);
    memset(out, 0, sizeof *out);
}

/* ---- maintenance ---------------------------------------------------------------- */

/* The checks of fk_store_check that SQLite makes: SQL returning one row per
 * problem found (integrity_check returns "ok" when there is none). */
static const struct {
    const char *name;
    const char *stage; /* for the progress line */
    const char *sql;
} checks[] = {
    {"integrity", "checking the file",
     "SELECT integrity_check FROM pragma_integrity_check WHERE integrity_check <> 'ok'"},
    {"foreign keys", "checking the references",
     "SELECT format('%s row %d refers to a missing %s row', \"table\", rowid,"
     " parent) FROM pragma_foreign_key_check"},
    /* A code block kept as its place in the text (schema 15) whose text
     * was cut by hand: reparse writes both again from the HTML. */
    {"code blocks", "checking the code blocks",
     "SELECT format('code block %d of article %d names bytes %d to %d of a text of %d bytes"
     " (feedkeep reparse %d writes them again)', c.id, c.article_id, c.text_offset,"
     " c.text_offset + c.text_length, length(CAST(a.text AS BLOB)), c.article_id)"
     " FROM code_blocks c JOIN articles a ON a.id = c.article_id"
     " WHERE c.text_offset IS NOT NULL AND (c.text_offset < 0 OR c.text_length < 0"
     " OR c.text_offset + c.text_length > length(CAST(a.text AS BLOB)))"},
    /* An article is found by its URL through its link key (schema 17),
     * and the guid-change rule and dedup compare link keys: a URL changed
     * by hand without its link key would be found by neither. */
    {"link keys", "checking the link keys",
     "SELECT format('article %d: link key %s, but its URL %s has %s (feedkeep check --repair"
     " writes it again)', id, quote(link_key), quote(url), quote(feedkeep_link_key(url)))"
     " FROM articles WHERE link_key IS NOT feedkeep_link_key(url)"},
};

/* Checking the full-text index by reading.
 *
 * FTS5 compares an external-content index with its content when asked
 *   INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)
 * but that is a write: it needs the archive's write lock, so it waited for
 * any writer and, after the busy timeout, reported a sound index as not
 * agreeing with the articles; and while it ran (minutes, on a large
 * archive) a fetch could not write. check makes the same comparison by
 * reading, in the one read transaction of all its checks (a snapshot,
 * which a writer does not disturb in WAL mode):
 *
 * - what the index holds: every (article, column, position, token), as an
 *   fts5vocab table lists them (made in the connection's temp schema,
 *   which is not the archive);
 * - what it should hold: the same from the articles, split by the index's
 *   own tokenizer (FTS5 hands it and each row's text to an auxiliary
 *   function) and numbered as FTS5 numbers positions.
 *
 * Each side is summed up as a count and a sum of hashes of its entries, in
 * any order. Each row's token counts are also compared with the sizes the
 * index keeps per article (its docsize table), which ranking uses. */

/* FTS5 indexes at most this many bytes of a token (its
 * FTS5_MAX_TOKEN_SIZE); the rest of a longer one is not in the index. */
#define FTS_TOKEN_MAX 32768
#define FTS_FUNCTION  "feedkeep_check_tokens"

static void fts_tally_add(struct fts_tally *tally, int64_t rowid, int column, int position,
                          const char *token, size_t len)
{
    char head[16];
    uint64_t row = (uint64_t)rowid;
    for (int i = 0; i < 8; i++)
        head[i] = (char)(row >> (8 * i));
    for (int i = 0; i < 4; i++) {
        head[8 + i] = (char)((uint32_t)column >> (8 * i));
        head[12 + i] = (char)((uint32_t)position >> (8 * i));
    }
    tally->entries++;
    tally->sum += fk_fnv1a64_add(fk_fnv1a64_add(FK_FNV1A64_BASIS, head, sizeof head), token, len);
}

/* The tokens of one column of one row, as FTS5 would index them. */
struct fts_row {
    struct fts_tally *tally;
    int64_t rowid;
    int column;
    int positions; /* positions used so far */
};

static int on_fts_token(void *ctx, int flags, const char *token, int len, int start, int end)
{
    struct fts_row *row = ctx;
    (void)start;
    (void)end;
    /* A token colocated with the one before (a synonym) shares its
     * position, as in FTS5's own indexing. */
    if (!(flags & FTS5_TOKEN_COLOCATED) || row->positions == 0)
        row->positions++;
    size_t n = len <= 0 ? 0 : len > FTS_TOKEN_MAX ? FTS_TOKEN_MAX : (size_t)len;
    fts_tally_add(row->tally, row->rowid, row->column, row->positions - 1, token, n);
    return SQLITE_OK;
}

/* The auxiliary function, called as FTS_FUNCTION(articles_fts, rowid) for
 * each article: adds the row's tokens and its column sizes to the store's
 * expected tallies. (The rowid is an argument: in a scan without MATCH,
 * FTS5's xRowid and xColumnSize cannot be used.) */
static void fts_expected_row(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                             int nargs, sqlite3_value **args)
{
    struct fk_store *store = api->xUserData(fts);
    if (nargs != 1) {
        sqlite3_result_error(ctx, FTS_FUNCTION ": wrong number of arguments", -1);
        return;
    }
    struct fts_row row = {&store->fts_expected, sqlite3_value_int64(args[0]), 0, 0};
    for (int i = 0; i < api->xColumnCount(fts); i++) {
        const char *text = NULL;
        int len = 0;
        row.column = i;
        row.positions = 0;
        int rc = api->xColumnText(fts, i, &text, &len);
        if (rc == SQLITE_OK)
            rc = api->xTokenize(fts, text, len, &row, on_fts_token);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
        fts_tally_add(&store->fts_expected_sizes, row.rowid, i, row.positions, "", 0);
    }
    sqlite3_result_null(ctx);
}

/* One of the column sizes FTS5 keeps, SQLite varints one after the other.
 * Returns the bytes read, 0 when p does not start with one. */
static size_t read_varint(const unsigned char *p, size_t len, uint64_t *value)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 9; i++) {
        if (i == 8) {
            *value = (v << 8) | p[i];
            return 9;
        }
        v = (v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

/* Make FTS_FUNCTION known to this handle's FTS5, once. */
static int fts_register(struct fk_store *store, struct fk_error *err)
{
    return store_fts5_function(store, FTS_FUNCTION, fts_expected_row, &store->fts_function_ready,
                               err);
}

static bool is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY;
}

/* Compare the index with the articles (inside the caller's read
 * transaction). Returns 0 with *problem NULL when they agree or set to a
 * description the caller frees, -1 with err filled when the comparison
 * could not be made. */
static int fts_compare(struct fk_store *store, char **problem, struct fk_error *err)
{
    struct fts_tally held = {0, 0}, held_sizes = {0, 0};
    int64_t unknown_columns = 0;
    sqlite3_stmt *st = NULL;
    int rc, ret = -1;

    *problem = NULL;
    store->fts_expected = (struct fts_tally){0, 0};
    store->fts_expected_sizes = (struct fts_tally){0, 0};
    if (sqlite3_prepare_v2(store->db, "SELECT doc, col, offset, term FROM temp.feedkeep_fts_index",
                           -1, &st, NULL) != SQLITE_OK) {
        store_db_error(store, err);
        goto out;
    }
    int64_t rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (++rows % 65536 == 0)
            store_progress(store, "reading the full-text index", rows);
        const char *column = column_str(st, 1);
        int index = -1;
        for (int i = 0; i < FTS_NCOLUMNS; i++)
            if (column && strcmp(column, store_fts_columns[i]) == 0)
                index = i;
        if (index < 0) {
            unknown_columns++;
            continue;
        }
        const char *term = (const char *)sqlite3_column_blob(st, 3);
        fts_tally_add(&held, sqlite3_column_int64(st, 0), index, sqlite3_column_int(st, 2),
                      term ? term : "", (size_t)sqlite3_column_bytes(st, 3));
    }
    if (rc != SQLITE_DONE)
        goto step_failed;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(store->db,
                           "SELECT " FTS_FUNCTION "(articles_fts, rowid) FROM articles_fts", -1,
                           &st, NULL) != SQLITE_OK) {
        store_db_error(store, err);
        goto out;
    }
    rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (++rows % 4096 == 0)
            store_progress(store, "reading the articles", rows);
    if (rc != SQLITE_DONE)
        goto step_failed;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(store->db, "SELECT id, sz FROM articles_fts_docsize", -1, &st, NULL) !=
        SQLITE_OK) {
        store_db_error(store, err);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        for (int i = 0; i < FTS_NCOLUMNS; i++) {
            uint64_t size = 0;
            size_t used = p ? read_varint(p, len, &size) : 0;
            if (!used) {
                unknown_columns++; /* cannot be what FTS5 wrote */
                break;
            }
            p += used;
            len -= used;
            fts_tally_add(&held_sizes, sqlite3_column_int64(st, 0), i, (int)size, "", 0);
        }
    }
    if (rc != SQLITE_DONE)
        goto step_failed;
    if (held.entries != store->fts_expected.entries || held.sum != store->fts_expected.sum ||
        unknown_columns || held_sizes.entries != store->fts_expected_sizes.entries ||
        held_sizes.sum != store->fts_expected_sizes.sum) {
        struct fk_buf what = FK_BUF_INIT;
        fk_buf_adds(&what, "it does not agree with the articles (");
        if (held.entries != store->fts_expected.entries)
            fk_buf_printf(&what, "it holds %lld tokens where the articles have %lld",
                          (long long)held.entries, (long long)store->fts_expected.entries);
        else if (held.sum != store->fts_expected.sum || unknown_columns)
            fk_buf_adds(&what, "it holds other tokens than the articles have");
        else
            fk_buf_adds(&what, "the sizes it keeps of the articles are wrong");
        fk_buf_adds(&what, "); 'feedkeep vacuum' rebuilds it");
        *problem = fk_buf_detach(&what);
    }
    ret = 0;
    goto out;
step_failed:
    /* A damaged index is a finding; a busy archive or another failure is
     * not. */
    if ((rc & 0xff) == SQLITE_CORRUPT) {
        struct fk_buf what = FK_BUF_INIT;
        fk_buf_printf(&what, "it is damaged (%s); 'feedkeep vacuum' rebuilds it",
                      sqlite3_errmsg(store->db));
        *problem = fk_buf_detach(&what);
        ret = 0;
    } else {
        store_db_error(store, err);
    }
out:
    sqlite3_finalize(st);
    return ret;
}

/* ---- the kept counts ------------------------------------------------------------ */

/* The newest dates of the recount (r) and of the kept count (c) as a
 * problem shows them. */
#define R_NEWEST "coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', r.newest, 'unixepoch'), 'none')"
#define C_NEWEST "coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', c.newest, 'unixepoch'), 'none')"

/* What schema 13 keeps, each against a recount: SQL returning one line per
 * name whose kept count differs, the name first. "author COLLATE NOCASE >
 * ''" is author <> '' read from articles_author, not from every row. */
static const struct {
    const char *what; /* the names, for the line after the most shown */
    const char *sql;
} count_checks[] = {
    {"tags", "SELECT format('tag %s: %d articles, newest %s; kept: %s articles, newest %s',"
             " quote(coalesce(t.name, x.tag_id)), coalesce(r.articles, 0), " R_NEWEST ","
             " coalesce(c.articles, 'no'), " C_NEWEST ")"
             " FROM (SELECT tag_id FROM article_tags UNION SELECT tag_id FROM tag_counts) x"
             " LEFT JOIN (SELECT tag_id, count(*) AS articles, max(date) AS newest"
             " FROM article_tags GROUP BY tag_id) r ON r.tag_id = x.tag_id"
             " LEFT JOIN tag_counts c ON c.tag_id = x.tag_id LEFT JOIN tags t ON t.id = x.tag_id"
             " WHERE r.articles IS NOT c.articles OR r.newest IS NOT c.newest ORDER BY x.tag_id"},
    /* the names that differ only in case together, under the first of
     * them in byte order (schema 20) */
    {"authors",
     "SELECT format('author %s: %d articles, newest %s; kept: %s articles, newest %s%s',"
     " quote(coalesce(r.name, c.name)), coalesce(r.articles, 0), " R_NEWEST ","
     " coalesce(c.articles, 'no'), " C_NEWEST ","
     " CASE WHEN r.name <> c.name COLLATE BINARY THEN ', as ' || quote(c.name) ELSE '' END)"
     " FROM (SELECT min(author) AS name, count(*) AS articles, max(date) AS newest"
     " FROM articles WHERE author COLLATE NOCASE > '' GROUP BY author COLLATE NOCASE) r"
     " FULL JOIN author_counts c ON c.name = r.name"
     " WHERE r.articles IS NOT c.articles OR r.newest IS NOT c.newest"
     " OR r.name IS NOT c.name COLLATE BINARY ORDER BY coalesce(r.name, c.name)"},
    {"code languages",
     "SELECT format('code language %s: %d blocks; kept: %s blocks',"
     " coalesce(quote(x.language), 'none'), coalesce(r.blocks, 0), coalesce(c.blocks, 'no'))"
     " FROM (SELECT language FROM code_blocks UNION SELECT language FROM language_counts) x"
     " LEFT JOIN (SELECT language, count(*) AS blocks FROM code_blocks GROUP BY language) r"
     " ON r.language IS x.language LEFT JOIN language_counts c ON c.language IS x.language"
     " WHERE r.blocks IS NOT c.blocks ORDER BY x.language"},
    {"feeds",
     "SELECT format('feed %s: %d articles; kept: %s articles', quote(coalesce(f.url, x.feed_id)),"
     " coalesce(r.articles, 0), coalesce(c.articles, 'no'))"
     " FROM (SELECT feed_id FROM article_feeds UNION SELECT feed_id FROM feed_counts) x"
     " LEFT JOIN (SELECT feed_id, count(*) AS articles FROM article_feeds GROUP BY feed_id) r"
     " ON r.feed_id = x.feed_id LEFT JOIN feed_counts c ON c.feed_id = x.feed_id"
     " LEFT JOIN feeds f ON f.id = x.feed_id"
     " WHERE r.articles IS NOT c.articles ORDER BY x.feed_id"},
    {"totals", "SELECT format('%s: %d; kept: %s', x.name, x.n, coalesce(c.value, 'none'))"
               " FROM (SELECT 'articles' AS name, count(*) AS n FROM articles"
               " UNION ALL SELECT 'versions', count(*) FROM article_versions) x"
               " LEFT JOIN archive_counts c ON c.name = x.name WHERE x.n IS NOT c.value"},
};

/* At most this many lines per kind of count; then one saying how many more. */
#define COUNT_PROBLEMS_SHOWN 20

/* Compare the kept counts with a recount (inside the caller's read
 * transaction): fn gets a line per count that is off. Returns the number
 * of lines given, or -1 with err filled. */
static int check_counts(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    static const char hint[] = " ('feedkeep check --repair' recounts)";
    struct fk_buf line = FK_BUF_INIT;
    int problems = 0;
    for (size_t i = 0; i < sizeof count_checks / sizeof count_checks[0]; i++) {
        sqlite3_stmt *st;
        int64_t off = 0;
        int rc;
        if (sqlite3_prepare_v2(store->db, count_checks[i].sql, -1, &st, NULL) != SQLITE_OK) {
            fk_buf_release(&line);
            return store_db_error(store, err);
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (++off > COUNT_PROBLEMS_SHOWN)
                continue;
            fk_buf_reset(&line);
            fk_buf_printf(&line, "%s%s", column_str(st, 0) ? column_str(st, 0) : "?", hint);
            fn("counts", line.data, ctx);
            problems++;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            fk_buf_release(&line);
            return store_db_error(store, err);
        }
        if (off > COUNT_PROBLEMS_SHOWN) {
            fk_buf_reset(&line);
            fk_buf_printf(&line, "%lld more %s whose counts are off%s",
                          (long long)(off - COUNT_PROBLEMS_SHOWN), count_checks[i].what, hint);
            fn("counts", line.data, ctx);
            problems++;
        }
    }
    fk_buf_release(&line);
    return problems;
}

int fk_store_repair_counts(struct fk_store *store, struct fk_error *err)
{
    if (store->pg)
        return store_pg_repair_counts(store->pg, err);
    bool own;
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    return store_write_end(store, own, store_exec_sql(store, store_counts_rebuild, err), err);
}

int fk_store_repair_link_keys(struct fk_store *store, int64_t *repaired, struct fk_error *err)
{
    bool own;
    if (repaired)
        *repaired = 0;
    if (store->pg)
        return 0;
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (store_write_begin(store, &own, err) < 0)
        return -1;
    int ret = store_exec_sql(store,
                             "UPDATE articles SET link_key = feedkeep_link_key(url)"
                             " WHERE link_key IS NOT feedkeep_link_key(url)",
                             err);
    if (ret == 0 && repaired)
        *repaired = sqlite3_changes64(store->db);
    return store_write_end(store, own, ret, err);
}

int fk_store_check(struct fk_store *store, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_check(store->pg, fn, ctx, err);
    sqlite3_stmt *st = NULL;
    char *problem = NULL;
    bool reading = false;
    int problems = 0;
    int rc;

    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (fts_register(store, err) < 0 ||
        store_exec_sql(store,
                       "CREATE VIRTUAL TABLE IF NOT EXISTS temp.feedkeep_fts_index"
                       " USING fts5vocab(main, articles_fts, instance)",
                       err) < 0)
        goto fail;
    /* One snapshot for every check: a fetch may go on writing meanwhile. */
    if (store_exec_sql(store, "BEGIN", err) < 0)
        goto fail;
    reading = true;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        store_progress(store, checks[i].stage, 0);
        if (sqlite3_prepare_v2(store->db, checks[i].sql, -1, &st, NULL) != SQLITE_OK) {
            store_db_error(store, err);
            goto fail;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            problems++;
            fn(checks[i].name, column_str(st, 0) ? column_str(st, 0) : "?", ctx);
        }
        /* A damaged file can make the check itself fail: that is a
         * finding too. A busy archive is not. */
        if (rc != SQLITE_DONE) {
            if (is_busy(rc)) {
                store_db_error(store, err);
                goto fail;
            }
            problems++;
            fn(checks[i].name, sqlite3_errmsg(store->db), ctx);
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (fts_compare(store, &problem, err) < 0)
        goto fail;
    if (problem) {
        problems++;
        fn("full-text index", problem, ctx);
        free(problem);
    }
    store_progress(store, "recounting", 0);
    rc = check_counts(store, fn, ctx, err);
    if (rc < 0)
        goto fail;
    problems += rc;
    rc = store_pack_check(store, fn, ctx, err);
    if (rc < 0)
        goto fail;
    problems += rc;
    /* The assets' structure; their bytes are hashed only when the caller
     * gives a hash function (fk_store_check_assets). */
    store_progress(store, "checking the assets", 0);
    rc = fk_store_check_assets(store, NULL, fn, ctx, err);
    if (rc < 0)
        goto fail;
    problems += rc;
    if (store_exec_sql(store, "COMMIT", err) < 0)
        goto fail;
    return problems;
fail:
    sqlite3_finalize(st);
    if (reading && !sqlite3_get_autocommit(store->db))
        (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL); /* err says why */
    return -1;
}

/* ---- assets whose bytes were damaged ---------------------------------------- */

/* The ids of the assets whose bytes do not hash to their SHA-256 or are
 * not their recorded size, into *ids (*n of them; the caller frees). */
static int damaged_assets(struct fk_store *store, fk_sha256_fn sha256, int64_t **ids, size_t *n,
                          struct fk_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(store->db, "SELECT id, sha256, size, data FROM assets ORDER BY id", -1,
                           &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        unsigned char digest[32];
        const void *data = sqlite3_column_blob(st, 3);
        size_t size = (size_t)sqlite3_column_bytes(st, 3);
        bool damaged =
            sqlite3_column_bytes(st, 1) != 32 || (int64_t)size != sqlite3_column_int64(st, 2);
        /* Bytes that could not be hashed are not known to be damaged. */
        if (!damaged && sha256(data ? data : "", size, digest) < 0) {
            int64_t id = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            return fk_error_set(err, FK_ERROR_DB, "the bytes of asset %lld could not be hashed",
                                (long long)id);
        }
        if (!damaged && memcmp(digest, sqlite3_column_blob(st, 1), 32) == 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *ids = fk_xrealloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_db_error(store, err);
    return 0;
}

int fk_store_repair_asset_bytes(struct fk_store *store, fk_sha256_fn sha256, int64_t *removed,
                                int64_t *urls, struct fk_error *err)
{
    if (store->pg)
        return store_pg_repair_asset_bytes(store->pg, sha256, removed, urls, err);
    /* The URLs forget their validators too: a 304 must not vouch for
     * bytes the archive no longer has. */
    static const char *const sql[] = {
        "UPDATE asset_urls SET status = 'pending', asset_id = NULL, reason = NULL, cap = NULL,"
        " etag = NULL, last_modified = NULL, failures = 0, next_try = NULL WHERE asset_id = ?1",
        "DELETE FROM assets WHERE id = ?1",
    };
    sqlite3_stmt *st[2] = {NULL, NULL};
    int64_t *ids = NULL;
    size_t n = 0;
    int64_t changed_urls = 0;
    int ret = -1;
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    if (damaged_assets(store, sha256, &ids, &n, err) < 0)
        goto out;
    for (size_t i = 0; i < 2; i++) {
        if (sqlite3_prepare_v2(store->db, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
            store_db_error(store, err);
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < 2; k++) {
            if (sqlite3_bind_int64(st[k], 1, ids[i]) != SQLITE_OK ||
                sqlite3_step(st[k]) != SQLITE_DONE) {
                store_db_error(store, err);
                goto out;
            }
            if (k == 0)
                changed_urls += sqlite3_changes(store->db);
            sqlite3_reset(st[k]);
        }
    }
    ret = 0;
out:
    for (size_t i = 0; i < 2; i++)
        sqlite3_finalize(st[i]);
    free(ids);
    ret = store_write_end(store, true, ret, err);
    if (ret == 0 && removed)
        *removed = (int64_t)n;
    if (ret == 0 && urls)
        *urls = changed_urls;
    return ret;
}

void fk_store_set_progress(struct fk_store *store, fk_progress_fn fn, void *ctx)
{
    store->progress = fn;
    store->progress_ctx = ctx;
    if (store->pg) {
        store->pg->progress = fn;
        store->pg->progress_ctx = ctx;
    }
}

/* Code blocks filed before schema 15, looked for in their articles' text
 * by vacuum, this many ids a transaction. */
#define CODE_BATCH 4096

/* Keep the code blocks filed with their code (before schema 15) as their
 * place in the text, where it stands there (insert_code_blocks' rule). */
static int code_in_text(struct fk_store *store, struct fk_error *err)
{
    static const char sql[] =
        "UPDATE code_blocks AS c SET"
        " text_offset = instr(CAST(a.text AS BLOB), CAST(c.code AS BLOB)) - 1,"
        " text_length = length(CAST(c.code AS BLOB)), code = ''"
        " FROM articles a WHERE a.id = c.article_id AND c.id > ?1 AND c.id <= ?2"
        " AND c.text_offset IS NULL AND length(CAST(c.code AS BLOB)) >= 8"
        " AND instr(CAST(a.text AS BLOB), CAST(c.code AS BLOB)) > 0";
    int64_t last = 0;
    if (store_run_int64(store, ST_CODE_LAST_ID, &last, err) < 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    int ret = 0;
    for (int64_t from = 0; ret == 0 && from < last; from += CODE_BATCH) {
        if ((ret = store_run(store, ST_BEGIN, err)) < 0)
            break;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, from + CODE_BATCH);
        if (sqlite3_step(st) != SQLITE_DONE)
            ret = store_db_error(store, err);
        (void)sqlite3_reset(st);
        ret = store_write_end(store, true, ret, err);
        if (ret == 0)
            store_progress(store, "finding code in the text",
                           from + CODE_BATCH < last ? from + CODE_BATCH : last);
    }
    sqlite3_finalize(st);
    return ret;
}

int fk_store_vacuum(struct fk_store *store, struct fk_error *err)
{
    if (store->pg)
        return store_pg_vacuum(store->pg, err);
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    /* Train the compression dictionary if the archive has none that paid,
     * pack what was filed plain before schema 14 (store_pack.c) and the HTML
     * packed before the dictionary with it, and keep
     * code blocks filed before schema 15 as their place in the text. Then
     * rebuild the full-text index from the articles (one segment, and
     * right again if someone edited articles by hand): VACUUM then
     * compacts what both free. The last checkpoint copies everything into
     * the file and empties the log. */
    if (store_dict_train(store, true, err) < 0 || store_pack_plain(store, err) < 0 ||
        store_pack_with_dict(store, err) < 0 || code_in_text(store, err) < 0)
        return -1;
    store_progress(store, "rebuilding the full-text index", 0);
    if (store_exec_sql(store, "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');", err) <
        0)
        return -1;
    store_progress(store, "compacting the file", 0);
    return store_exec_sql(store, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);", err);
}

int fk_store_counts(struct fk_store *store, struct fk_store_counts *out, struct fk_error *err)
{
    if (store->pg)
        return store_pg_counts(store->pg, out, err);
    /* The kept counts (schema 13): a few rows, however large the archive. */
    static const char sql[] =
        "SELECT (SELECT count(*) FROM feeds),"
        " coalesce((SELECT value FROM archive_counts WHERE name = 'articles'), 0),"
        " (SELECT count(*) FROM tag_counts),"
        " (SELECT coalesce(sum(blocks), 0) FROM language_counts),"
        " coalesce((SELECT value FROM archive_counts WHERE name = 'versions'), 0)";
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->feeds = sqlite3_column_int64(st, 0);
        out->articles = sqlite3_column_int64(st, 1);
        out->tags = sqlite3_column_int64(st, 2);
        out->code_blocks = sqlite3_column_int64(st, 3);
        out->versions = sqlite3_column_int64(st, 4);
    }
    /* An aggregate gives one row: none is an error too. */
    int ret = store_row_done(store, st, rc == SQLITE_DONE ? SQLITE_ERROR : rc, err) ? -1 : 0;
    sqlite3_finalize(st);
    return ret;
}
