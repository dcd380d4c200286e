/* store_query.c - reading the archive: filters and listings, full-text
 * search, versions, tags and statistics, languages, authors, completion.
 *
 * The store_*.c files are the only ones that include sqlite3.h (through
 * store_int.h); every other module sees the archive through
 * include/feedkeep/store.h and its plain structs.
 */
#include "store_int.h"

#include "feedkeep/search.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/ascii.h"
#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* ---- queries ---------------------------------------------------------------- */

void fk_filter_init(struct fk_filter *f)
{
    memset(f, 0, sizeof *f);
    f->since = FK_TIME_NONE;
    f->until = FK_TIME_NONE;
    f->archived_since = FK_TIME_NONE;
    f->changed_since = FK_TIME_NONE;
}

/* A query built at run time from fixed SQL fragments, with the values to
 * bind collected in the same order as their placeholders are appended: no
 * value from a user is ever part of the SQL text. */
struct query_param {
    const char *text; /* NULL: bind value */
    int64_t value;
};

struct query {
    struct fk_buf sql;
    struct query_param *params;
    size_t nparams;
    size_t cap;
    bool failed; /* the SQL passed the buffer's limit */
};

static void query_init(struct query *q)
{
    memset(q, 0, sizeof *q);
    fk_buf_init(&q->sql, 0);
}

static void query_release(struct query *q)
{
    fk_buf_release(&q->sql);
    free(q->params);
}

static void query_add(struct query *q, const char *fragment)
{
    if (fk_buf_adds(&q->sql, fragment) < 0)
        q->failed = true;
}

/* Append a fragment holding one "?" and the value that goes there. */
static void query_add_param(struct query *q, const char *fragment, const char *text, int64_t value)
{
    if (q->nparams == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 8;
        q->params = fk_xrealloc(q->params, q->cap * sizeof *q->params);
    }
    q->params[q->nparams].text = text;
    q->params[q->nparams].value = value;
    q->nparams++;
    query_add(q, fragment);
}

/* Prepare q and bind its values. Returns 0, or -1 with err filled. */
static int query_prepare(struct fk_store *store, struct query *q, sqlite3_stmt **st,
                         struct fk_error *err)
{
    *st = NULL;
    if (q->failed || q->nparams > INT32_MAX)
        return fk_error_set(err, FK_ERROR_USAGE, "too many tags in the filter");
    if (sqlite3_prepare_v2(store->db, q->sql.data, (int)q->sql.len, st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    for (size_t i = 0; i < q->nparams; i++) {
        const struct query_param *param = &q->params[i];
        int index = (int)i + 1;
        if (param->text ? bind_text(*st, index, param->text) : bind_int64(*st, index, param->value))
            return store_db_error(store, err);
    }
    return 0;
}

/* Prepare q and call fn on each of its rows, as store_each_row does. */
static int query_each_row(struct fk_store *store, struct query *q, store_row_fn *fn, void *ctx,
                          struct fk_error *err)
{
    sqlite3_stmt *st;
    int ret = query_prepare(store, q, &st, err);
    if (ret == 0)
        ret = store_each_row(store, st, fn, ctx, err);
    sqlite3_finalize(st);
    return ret;
}

/* Move the rarest of the filter's tags first: the query walks the first
 * tag's articles and probes the others, so "rust AND some-rare-tag" reads a
 * handful of index entries instead of every rust article. */
static int rarest_tag_first(struct fk_store *store, struct tag_list *tags, struct fk_error *err)
{
    int64_t fewest = INT64_MAX;
    size_t rarest = 0;
    if (tags->count < 2)
        return 0;
    for (size_t i = 0; i < tags->count; i++) {
        int64_t n = 0;
        if (bind_text(stmt_of(store, ST_TAG_FREQUENCY), 1, tags->names[i]))
            return store_bind_failed(store, ST_TAG_FREQUENCY, err);
        if (store_run_int64(store, ST_TAG_FREQUENCY, &n, err) < 0)
            return -1;
        if (n < fewest) {
            fewest = n;
            rarest = i;
        }
    }
    char *first = tags->names[0];
    tags->names[0] = tags->names[rarest];
    tags->names[rarest] = first;
    return 0;
}

/* The sort keys of enum fk_sort over articles a. Each has an index
 * (articles_date, articles_updated, articles_first_seen), so a walk in
 * that order with a limit reads a few index entries. */
static const char *const sort_keys[] = {
    [FK_SORT_PUBLISHED] = "a.date",
    [FK_SORT_UPDATED] = "coalesce(a.updated, a.published)",
    [FK_SORT_FIRST_SEEN] = "a.first_seen",
};

/* How a query reads the articles a filter selects. With tags and the
 * date order, it walks article_tags as t0: the first (rarest) tag's
 * entries of article_tags_tag are in date order, and the other conditions
 * are probes by primary key, so a walk with a limit stops after that many
 * matches. Otherwise it walks articles as a in the order of the sort key's
 * index, and every condition is a probe. */
struct plan {
    const struct fk_filter *f;
    struct tag_list tags;     /* f's tags, normalised, the rarest first */
    struct tag_list any_tags; /* f's any_tags, normalised */
    bool by_tag;              /* the walk is over t0 */
    bool articles;            /* articles a is read (always when !by_tag,
                                 unless id is set) */
    const char *id;           /* the article id in the walk when it is
                                 neither t0's nor a's (search) */
    char *author_match;       /* f->author as an authors_fts query */
    bool changed_by_probe;    /* --changed-since matches many: probe each
                                 article of the walk instead of reading the
                                 set first */
};

static void plan_release(struct plan *p)
{
    free(p->author_match);
    store_tag_list_release(&p->tags);
    store_tag_list_release(&p->any_tags);
}

/* Whether the conditions of f read columns of articles a (the others are
 * probes by the walk's article id). */
static bool plan_reads_articles(const struct fk_filter *f)
{
    return (f->author && *f->author) || f->archived_since != FK_TIME_NONE;
}

/* An author filter as an FTS5 query of authors_fts: every word of it,
 * each quoted (so nothing in it is syntax), all of them required. NULL
 * when it has no word (letters, digits, or anything not ASCII). */
static char *author_query(const char *author)
{
    struct fk_buf q = FK_BUF_INIT, word = FK_BUF_INIT;
    for (const char *p = author; *p;) {
        while (*p && fk_is_space(*p))
            p++;
        bool letters = false;
        fk_buf_reset(&word);
        for (; *p && !fk_is_space(*p); p++) {
            unsigned char c = (unsigned char)*p;
            letters = letters || c >= 0x80 || (c >= '0' && c <= '9') ||
                      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            if (c == '"')
                fk_buf_addc(&word, '"');
            fk_buf_addc(&word, (char)c);
        }
        if (letters)
            fk_buf_printf(&q, "%s\"%s\"", q.len ? " " : "", word.data);
    }
    fk_buf_release(&word);
    if (!q.len) {
        fk_buf_release(&q);
        return NULL;
    }
    return fk_buf_detach(&q);
}

/* Set p up for f. by_tag_allowed: the caller can walk t0; need_articles:
 * it reads columns of a. Returns 0, or -1 with err filled. */
static int plan_init(struct fk_store *store, struct plan *p, const struct fk_filter *f,
                     bool by_tag_allowed, bool need_articles, struct fk_error *err)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    if ((unsigned)f->sort >= sizeof sort_keys / sizeof sort_keys[0])
        return fk_error_set(err, FK_ERROR_USAGE, "unknown sort order");
    store_normalize_tags(&p->tags, f->tags, f->tags ? f->ntags : 0);
    store_normalize_tags(&p->any_tags, f->any_tags, f->any_tags ? f->nany_tags : 0);
    if (rarest_tag_first(store, &p->tags, err) < 0)
        return -1;
    if (f->changed_since != FK_TIME_NONE) {
        int64_t changed = 0;
        if (bind_int64(stmt_of(store, ST_CHANGED_FREQUENCY), 1, f->changed_since))
            return store_bind_failed(store, ST_CHANGED_FREQUENCY, err);
        if (store_run_int64(store, ST_CHANGED_FREQUENCY, &changed, err) < 0)
            return -1;
        p->changed_by_probe = changed >= FREQUENCY_CAP;
    }
    if (f->author && *f->author && !(p->author_match = author_query(f->author)))
        return fk_error_set(err, FK_ERROR_USAGE, "the author '%s' has no words", f->author);
    p->by_tag = by_tag_allowed && p->tags.count && f->sort == FK_SORT_PUBLISHED;
    p->articles = !p->by_tag || need_articles || plan_reads_articles(f);
    return 0;
}

/* The article id in the walk. */
static const char *plan_id(const struct plan *p)
{
    return p->id ? p->id : p->by_tag ? "t0.article_id" : "a.id";
}

/* The sort key in the walk. */
static const char *plan_key(const struct plan *p)
{
    return p->by_tag ? "t0.date" : sort_keys[p->f->sort];
}

/* Whether the filter selects fewer than all articles. */
static bool plan_filters(const struct plan *p)
{
    const struct fk_filter *f = p->f;
    return p->tags.count || p->any_tags.count || f->since != FK_TIME_NONE ||
           f->until != FK_TIME_NONE || f->feed_id > 0 || (f->author && *f->author) || f->has_code ||
           f->archived_since != FK_TIME_NONE || f->changed_since != FK_TIME_NONE ||
           (f->feed_tag && *f->feed_tag) || f->changed_after;
}

static void plan_add_from(struct query *q, const struct plan *p)
{
    if (!p->by_tag)
        query_add(q, " FROM articles a");
    else if (p->articles)
        query_add(q, " FROM article_tags t0 CROSS JOIN articles a ON a.id = t0.article_id");
    else
        query_add(q, " FROM article_tags t0");
}

/* Append a fragment naming the article id of the walk, then one holding a
 * "?" with its value. */
static void query_add_probe(struct query *q, const struct plan *p, const char *start,
                            const char *rest, const char *text, int64_t value)
{
    query_add(q, start);
    query_add(q, plan_id(p));
    query_add_param(q, rest, text, value);
}

/* Append the conditions (each " AND ...") of the filter. */
static void plan_add_where(struct query *q, const struct plan *p)
{
    const struct fk_filter *f = p->f;
    size_t first_probe = 0;
    if (p->by_tag) {
        query_add_param(q, " AND t0.tag_id = (SELECT id FROM tags WHERE name = ?)",
                        p->tags.names[0], 0);
        first_probe = 1;
    }
    /* A search probes articles through articles_probe (PROBE_ARTICLES),
     * which holds what the virtual column date is made of. */
    const char *date = p->by_tag ? " AND t0.date"
                       : p->id   ? " AND coalesce(a.published, a.updated)"
                                 : " AND a.date";
    if (f->since != FK_TIME_NONE) {
        query_add(q, date);
        query_add_param(q, " >= ?", NULL, f->since);
    }
    if (f->until != FK_TIME_NONE) {
        query_add(q, date);
        query_add_param(q, " < ?", NULL, f->until);
    }
    for (size_t i = first_probe; i < p->tags.count; i++)
        query_add_probe(q, p, " AND EXISTS (SELECT 1 FROM article_tags tn WHERE tn.article_id = ",
                        " AND tn.tag_id = (SELECT id FROM tags WHERE name = ?))", p->tags.names[i],
                        0);
    if (p->any_tags.count) {
        query_add(q, " AND EXISTS (SELECT 1 FROM article_tags ta WHERE ta.article_id = ");
        query_add(q, plan_id(p));
        query_add(q, " AND ta.tag_id IN (SELECT id FROM tags WHERE name IN (");
        for (size_t i = 0; i < p->any_tags.count; i++)
            query_add_param(q, i ? ", ?" : "?", p->any_tags.names[i], 0);
        query_add(q, ")))");
    }
    if (f->feed_id > 0)
        query_add_probe(q, p, " AND EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = ",
                        " AND af.feed_id = ?)", NULL, f->feed_id);
    if (f->feed_tag && *f->feed_tag)
        query_add_probe(q, p,
                        " AND EXISTS (SELECT 1 FROM article_feeds aft JOIN feed_tags ft"
                        " ON ft.feed_id = aft.feed_id WHERE aft.article_id = ",
                        " AND ft.name = trim(?))", f->feed_tag, 0);
    /* The names whose words match (authors_fts), then their articles
     * through articles_author (COLLATE NOCASE makes the IN use it). */
    if (p->author_match)
        query_add_param(q,
                        " AND a.author COLLATE NOCASE IN (SELECT name FROM authors WHERE id IN"
                        " (SELECT rowid FROM authors_fts WHERE authors_fts MATCH ?))",
                        p->author_match, 0);
    if (f->archived_since != FK_TIME_NONE)
        query_add_param(q, " AND a.first_seen >= ?", NULL, f->archived_since);
    /* New since then, or content replaced since then: both sets come from
     * an index (articles_first_seen, article_versions_replaced) once. */
    if (f->changed_since != FK_TIME_NONE && p->changed_by_probe) {
        query_add_probe(q, p,
                        " AND (EXISTS (SELECT 1 FROM articles ac INDEXED BY articles_probe"
                        " WHERE ac.id = ",
                        " AND ac.first_seen >= ?)", NULL, f->changed_since);
        query_add_probe(q, p, " OR EXISTS (SELECT 1 FROM article_versions v WHERE v.article_id = ",
                        " AND v.kind = 'replaced' AND v.replaced_at >= ?))", NULL,
                        f->changed_since);
    } else if (f->changed_since != FK_TIME_NONE) {
        query_add(q, " AND ");
        query_add(q, plan_id(p));
        query_add_param(q, " IN (SELECT id FROM articles WHERE first_seen >= ?", NULL,
                        f->changed_since);
        query_add_param(q,
                        " UNION SELECT article_id FROM article_versions"
                        " WHERE kind = 'replaced' AND replaced_at >= ?)",
                        NULL, f->changed_since);
    }
    if (f->has_code) {
        query_add(q, " AND EXISTS (SELECT 1 FROM code_blocks cb WHERE cb.article_id = ");
        query_add(q, plan_id(p));
        /* cb.language is COLLATE NOCASE. */
        if (f->has_code_language && *f->has_code_language)
            query_add_param(q, " AND cb.language = ?", f->has_code_language, 0);
        query_add(q, ")");
    }
    /* Filed after the mark (ids only grow), or changed: a replaced
     * version written after it; or never exported to the directory. */
    if (f->changed_after) {
        query_add(q, " AND (");
        query_add(q, plan_id(p));
        query_add_param(q, " > ?", NULL, f->changed_after->article_id);
        query_add(q, " OR EXISTS (SELECT 1 FROM article_versions cv WHERE cv.article_id = ");
        query_add(q, plan_id(p));
        query_add_param(q, " AND cv.kind = 'replaced' AND cv.id > ?)", NULL,
                        f->changed_after->version_id);
        if (f->export_dir) {
            query_add_param(q, " OR NOT EXISTS (SELECT 1 FROM export_files ef WHERE ef.dir_id = ?",
                            NULL, f->export_dir);
            query_add(q, " AND ef.article_id = ");
            query_add(q, plan_id(p));
            query_add(q, ")");
        }
        query_add(q, ")");
    }
}

/* " ORDER BY key, id" in the direction the filter asks for. DESC puts NULL
 * (no date) last, ASC first. */
static void query_add_order(struct query *q, const struct fk_filter *f, const char *key,
                            const char *id)
{
    const char *direction = f->reverse ? " ASC" : " DESC";
    query_add(q, " ORDER BY ");
    query_add(q, key);
    query_add(q, direction);
    query_add(q, ", ");
    query_add(q, id);
    query_add(q, direction);
}

static void query_add_limit(struct query *q, const struct fk_filter *f)
{
    if (f->limit > 0 || f->offset > 0)
        query_add_param(q, " LIMIT ?", NULL, f->limit > 0 ? f->limit : -1);
    if (f->offset > 0)
        query_add_param(q, " OFFSET ?", NULL, f->offset);
}

/* A row whose first column is a name: into the tag list ctx (a copy). */
static int push_name(sqlite3_stmt *st, void *list)
{
    store_tag_list_push(list, column_dup(st, 0));
    return 0;
}

/* Load the sorted tag names of article id into list (copies: the caller
 * keeps them while ST_ARTICLE_TAGS_LIST is used again). */
static int load_tags(struct fk_store *store, int64_t id, struct tag_list *list,
                     struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_ARTICLE_TAGS_LIST);
    store_tag_list_clear(list);
    if (bind_int64(st, 1, id))
        return store_bind_failed(store, ST_ARTICLE_TAGS_LIST, err);
    return store_each_row(store, st, push_name, list, err);
}

/* Fill the fields of a read from the ARTICLE_COLUMNS of st; the strings
 * point into st. */
static void read_article(sqlite3_stmt *st, struct fk_article *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, ARTICLE_COL_ID);
    a->guid = column_str(st, ARTICLE_COL_GUID);
    a->url = column_str(st, ARTICLE_COL_URL);
    a->title = column_str(st, ARTICLE_COL_TITLE);
    a->author = column_str(st, ARTICLE_COL_AUTHOR);
    a->published = column_time(st, ARTICLE_COL_PUBLISHED);
    a->updated = column_time(st, ARTICLE_COL_UPDATED);
    a->feed_url = column_str(st, ARTICLE_COL_FEED_URL);
    a->first_seen = column_time(st, ARTICLE_COL_FIRST_SEEN);
    a->last_seen = column_time(st, ARTICLE_COL_LAST_SEEN);
    a->date = column_time(st, ARTICLE_COL_DATE);
    a->author_email = column_str(st, ARTICLE_COL_AUTHOR_EMAIL);
}

/* fk_store_list's walk: each row, with its tags, to fn. */
struct article_walk {
    struct fk_store *store;
    struct tag_list *tags;
    fk_article_fn fn;
    void *ctx;
    struct fk_error *err;
};

static int article_row(sqlite3_stmt *st, void *ctx)
{
    struct article_walk *walk = ctx;
    struct fk_article article;
    read_article(st, &article);
    if (load_tags(walk->store, article.id, walk->tags, walk->err) < 0)
        return -1;
    article.tags = (const char *const *)walk->tags->names;
    article.ntags = walk->tags->count;
    return walk->fn(&article, walk->ctx);
}

/* f, or none (filled with no condition) when f is NULL. */
static const struct fk_filter *filter_or_none(const struct fk_filter *f, struct fk_filter *none)
{
    if (f)
        return f;
    fk_filter_init(none);
    return none;
}

int fk_store_list(struct fk_store *store, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err)
{
    if (store->pg)
        return store_pg_list(store->pg, f, fn, ctx, err);
    struct fk_filter no_filter;
    struct plan p = {0};
    struct tag_list tags = {0};
    struct query q;
    int ret = -1;

    query_init(&q);
    f = filter_or_none(f, &no_filter);
    if (plan_init(store, &p, f, true, false, err) < 0)
        goto out;
    /* Pick the ids first and read the rows of only those: the columns (and
     * the feed subquery) are not computed for rows a limit leaves out. */
    query_add(&q, "SELECT " ARTICLE_COLUMNS " FROM (SELECT ");
    query_add(&q, plan_id(&p));
    query_add(&q, " AS id, ");
    query_add(&q, plan_key(&p));
    query_add(&q, " AS k");
    plan_add_from(&q, &p);
    query_add(&q, " WHERE 1");
    plan_add_where(&q, &p);
    query_add_order(&q, f, plan_key(&p), plan_id(&p));
    query_add_limit(&q, f);
    query_add(&q, ") AS pick JOIN articles a ON a.id = pick.id");
    query_add_order(&q, f, "pick.k", "pick.id");
    struct article_walk walk = {store, &tags, fn, ctx, err};
    ret = query_each_row(store, &q, article_row, &walk, err);
out:
    query_release(&q);
    plan_release(&p);
    store_tag_list_release(&tags);
    return ret;
}

/* The memory behind an article from fk_store_get_article. */
struct article_memory {
    char *strings[12];
    struct tag_list tags;
    struct tag_list feeds;
};

/* The feed URLs of article id into list, in the order they carried it. */
static int load_feeds(struct fk_store *store, int64_t id, struct tag_list *list,
                      struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_ARTICLE_FEEDS_LIST);
    if (bind_int64(st, 1, id))
        return store_bind_failed(store, ST_ARTICLE_FEEDS_LIST, err);
    return store_each_row(store, st, push_name, list, err);
}

int fk_store_get_article(struct fk_store *store, int64_t id, struct fk_article *out,
                         struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_article(store->pg, id, out, err);
    sqlite3_stmt *st = stmt_of(store, ST_ARTICLE_GET);
    struct article_memory *memory = NULL;
    int ret = -1;

    memset(out, 0, sizeof *out);
    if (bind_int64(st, 1, id))
        return store_bind_failed(store, ST_ARTICLE_GET, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ret = 1;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        store_db_error(store, err);
        goto out;
    }
    memory = fk_xcalloc(1, sizeof *memory);
    out->priv = memory;
    char **s = memory->strings;
    out->id = sqlite3_column_int64(st, ARTICLE_COL_ID);
    out->guid = s[0] = column_dup(st, ARTICLE_COL_GUID);
    out->url = s[1] = column_dup(st, ARTICLE_COL_URL);
    out->title = s[2] = column_dup(st, ARTICLE_COL_TITLE);
    out->author = s[3] = column_dup(st, ARTICLE_COL_AUTHOR);
    out->published = column_time(st, ARTICLE_COL_PUBLISHED);
    out->updated = column_time(st, ARTICLE_COL_UPDATED);
    out->feed_url = s[4] = column_dup(st, ARTICLE_COL_FEED_URL);
    out->first_seen = column_time(st, ARTICLE_COL_FIRST_SEEN);
    out->last_seen = column_time(st, ARTICLE_COL_LAST_SEEN);
    out->date = column_time(st, ARTICLE_COL_DATE);
    out->author_email = s[11] = column_dup(st, ARTICLE_COL_AUTHOR_EMAIL);
    out->text = s[5] = column_dup(st, ARTICLE_COL_TEXT);
    out->published_raw = s[7] = column_dup(st, ARTICLE_COL_PUBLISHED_RAW);
    out->updated_raw = s[8] = column_dup(st, ARTICLE_COL_UPDATED_RAW);
    out->versions = sqlite3_column_int64(st, ARTICLE_COL_VERSIONS);
    /* The Markdown is packed against the HTML it was made from. */
    if (store_column_unpacked(store, st, ARTICLE_COL_SUMMARY_HTML, NULL, id, &s[9], err) < 0 ||
        store_column_unpacked(store, st, ARTICLE_COL_CONTENT_HTML, NULL, id, &s[10], err) < 0 ||
        store_column_unpacked(store, st, ARTICLE_COL_MARKDOWN, s[10] ? s[10] : s[9], id, &s[6],
                              err) < 0) {
        stmt_reset(st);
        goto out;
    }
    out->markdown = s[6];
    out->summary_html = s[9];
    out->content_html = s[10];
    /* Text and Markdown are NOT NULL columns; keep the promise anyway. */
    if (!out->text)
        out->text = s[5] = fk_xstrdup("");
    if (!out->markdown)
        out->markdown = s[6] = fk_xstrdup("");
    stmt_reset(st);
    if (load_tags(store, id, &memory->tags, err) < 0 ||
        load_feeds(store, id, &memory->feeds, err) < 0)
        goto out;
    out->tags = (const char *const *)memory->tags.names;
    out->ntags = memory->tags.count;
    out->feeds = (const char *const *)memory->feeds.names;
    out->nfeeds = memory->feeds.count;
    ret = 0;
out:
    stmt_reset(st);
    if (ret != 0)
        fk_article_release(out);
    return ret;
}

void fk_article_release(struct fk_article *article)
{
    struct article_memory *memory = article->priv;
    if (memory) {
        for (size_t i = 0; i < sizeof memory->strings / sizeof memory->strings[0]; i++)
            free(memory->strings[i]);
        store_tag_list_release(&memory->tags);
        store_tag_list_release(&memory->feeds);
        free(memory);
    }
    memset(article, 0, sizeof *article);
}

int fk_store_find_article(struct fk_store *store, const char *url, int64_t *id,
                          struct fk_error *err)
{
    if (store->pg)
        return store_pg_find_article(store->pg, url, id, err);
    sqlite3_stmt *st = store_stmt(store, ST_ARTICLE_BY_URL, err);
    if (!st)
        return -1;
    /* The URL's link key leads to it (schema 17): NULL for a URL that has
     * none, as for the articles whose URL has none. */
    char *link_key = fk_store_link_key(url);
    int ret = -1;
    if (bind_text(st, 1, url) || bind_text(st, 2, link_key) || sqlite3_step(st) != SQLITE_ROW) {
        store_db_error(store, err);
    } else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *id = sqlite3_column_int64(st, 0);
        ret = 0;
    } else {
        ret = 1;
    }
    stmt_reset(st);
    free(link_key);
    return ret;
}

/* Fill row from the CODE_COLUMNS of st; the strings point into st. */
static void read_code_row(sqlite3_stmt *st, struct fk_code_row *row)
{
    row->id = sqlite3_column_int64(st, CODE_COL_ID);
    row->article_id = sqlite3_column_int64(st, CODE_COL_ARTICLE_ID);
    row->position = sqlite3_column_int(st, CODE_COL_POSITION);
    row->language = column_str(st, CODE_COL_LANGUAGE);
    row->code = column_str(st, CODE_COL_CODE);
    row->lines = (size_t)sqlite3_column_int64(st, CODE_COL_LINES);
    row->article_title = column_str(st, CODE_COL_ARTICLE_TITLE);
    if (!row->code)
        row->code = "";
}

struct code_walk {
    fk_code_fn fn;
    void *ctx;
};

static int code_row(sqlite3_stmt *st, void *ctx)
{
    struct code_walk *walk = ctx;
    struct fk_code_row row;
    read_code_row(st, &row);
    return walk->fn(&row, walk->ctx);
}

int fk_store_list_code(struct fk_store *store, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_code(store->pg, f, fn, ctx, err);
    struct fk_filter no_filter;
    struct plan p = {0};
    struct query q;
    int ret = -1;

    query_init(&q);
    f = filter_or_none(f, &no_filter);
    if (plan_init(store, &p, f, true, true, err) < 0)
        goto out;
    bool by_language = f->language && *f->language;
    int64_t language_count = 0;
    if (by_language && f->limit > 0) {
        if (bind_text(stmt_of(store, ST_LANGUAGE_FREQUENCY), 1, f->language)) {
            store_bind_failed(store, ST_LANGUAGE_FREQUENCY, err);
            goto out;
        }
        if (store_run_int64(store, ST_LANGUAGE_FREQUENCY, &language_count, err) < 0)
            goto out;
    }
    /* With a limit, walk the articles in order and stop after enough
     * blocks, unless the language is rare: then reading its few blocks
     * through code_blocks_language and sorting them is cheaper. CROSS JOIN
     * fixes the order of the loops and "+" keeps the language index out. */
    if (f->limit > 0 && (!by_language || language_count >= FREQUENCY_CAP)) {
        query_add(&q, "SELECT " CODE_COLUMNS);
        plan_add_from(&q, &p);
        query_add(&q, " CROSS JOIN code_blocks c ON c.article_id = a.id WHERE 1");
        plan_add_where(&q, &p);
        if (by_language)
            query_add_param(&q, " AND +c.language = ?", f->language, 0);
        query_add_order(&q, f, plan_key(&p), plan_id(&p));
    } else {
        query_add(&q, "SELECT " CODE_COLUMNS
                      " FROM code_blocks c JOIN articles a ON a.id = c.article_id WHERE 1");
        if (plan_filters(&p)) {
            query_add(&q, " AND c.article_id IN (SELECT ");
            query_add(&q, plan_id(&p));
            plan_add_from(&q, &p);
            query_add(&q, " WHERE 1");
            plan_add_where(&q, &p);
            query_add(&q, ")");
        }
        /* c.language is COLLATE NOCASE: the comparison ignores ASCII case. */
        if (by_language)
            query_add_param(&q, " AND c.language = ?", f->language, 0);
        query_add_order(&q, f, sort_keys[f->sort], "a.id");
    }
    query_add(&q, ", c.position");
    query_add_limit(&q, f);
    struct code_walk walk = {fn, ctx};
    ret = query_each_row(store, &q, code_row, &walk, err);
out:
    query_release(&q);
    plan_release(&p);
    return ret;
}

int fk_store_get_code(struct fk_store *store, int64_t id, fk_code_fn fn, void *ctx,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_code(store->pg, id, fn, ctx, err);
    sqlite3_stmt *st = store_stmt(store, ST_CODE_GET, err);
    if (!st)
        return -1;
    int ret = -1;
    int rc = bind_int64(st, 1, id) ? SQLITE_ERROR : sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ret = 1;
    } else if (rc == SQLITE_ROW) {
        struct fk_code_row row;
        read_code_row(st, &row);
        ret = fn(&row, ctx);
    } else {
        store_db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

/* ---- full-text search ---------------------------------------------------- */

/* The search's own columns, after ARTICLE_COLUMNS. */
enum search_column {
    SEARCH_COL_RANK = ARTICLE_NCOLUMNS,
    SEARCH_COL_SNIPPET,
};

/* Ranking: bm25 with the title weighted ten times the text and the tags
 * five times (the columns of articles_fts in order: title, text, tags), as
 * feedkeep_bm25 computes it (below). A fixed SQL fragment: the weights are
 * no user input. */
#define SEARCH_WEIGHTS "10.0, 1.0, 5.0"
#define RANK_FUNCTION  "feedkeep_bm25"
#define SEARCH_RANK    RANK_FUNCTION "(" SEARCH_WEIGHTS ")"

/* FTS5's API of db into *api, through a pointer FTS5 binds to fts5(?1):
 * a SQLite result code (SQLITE_ERROR with *api NULL for an FTS5 too old
 * for the functions feedkeep gives it). */
static int fts5_api_of(sqlite3 *db, fts5_api **api)
{
    sqlite3_stmt *st = NULL;
    *api = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_pointer(st, 1, api, "fts5_api_ptr", NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_finalize(st);
    if (rc == SQLITE_OK && (!*api || (*api)->iVersion < 2)) {
        *api = NULL;
        rc = SQLITE_ERROR;
    }
    return rc;
}

int store_fts5_api(struct fk_store *store, fts5_api **api, struct fk_error *err)
{
    if (fts5_api_of(store->db, api) == SQLITE_OK)
        return 0;
    if (*api == NULL && sqlite3_errcode(store->db) == SQLITE_OK)
        return fk_error_set(err, FK_ERROR_DB, "archive '%s': this SQLite's FTS5 is too old",
                            store->path);
    return store_db_error(store, err);
}

/* feedkeep_bm25(w1, w2, w3): FTS5's own bm25, computed as bm25 computes
 * it, operation for operation, so that it gives the same number to the
 * last bit, save in how it counts the articles that hold each phrase.
 * bm25 counts them by walking the phrase's whole posting list before it
 * ranks the first row, every article for a word like "the". A phrase's
 * IDF, log((N - n + 0.5) / (n + 0.5)), is floored at 1e-6 once it is no
 * longer above zero, that is once 2n >= N; the count stops there, as it
 * can change nothing more. And where a search has estimated the count
 * from slices of a large archive (rank_estimate, below), that is the
 * count. A count made here is kept for the search's other cursors: a
 * ranked search reads the rank of each row it shows from a cursor other
 * than the one that sorted them, and a prefix's count merges the lists
 * of all its words again. */
struct rank_data {
    int phrases;
    double avgdl;
    double *idf;
    double *freq;
    /* Where the statement keeps only the best `keep` rows (rank_keep): the
     * best scores so far, a min-heap, its worst first. A row that cannot
     * beat the worst of a full heap, as its score at the least length it
     * can have shows, is given that bound without its length being looked
     * up (a B-tree search per row, most of the time of ranking many rows):
     * it sorts after every row kept, its rank is never shown. */
    int keep;
    int kept;
    double *best;
    struct fk_store *store; /* counts the rows given a bound */
};

struct rank_count {
    int64_t hits;
    int64_t enough; /* the count at which the IDF reaches its floor */
};

static int rank_count_hit(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
    struct rank_count *count = ctx;
    (void)api;
    (void)fts;
    return ++count->hits >= count->enough ? SQLITE_DONE : SQLITE_OK;
}

/* The query's figures, made at its first row and kept with the cursor. */
static int rank_data(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data **out)
{
    struct rank_data *p = api->xGetAuxdata(fts, 0);
    if (p) {
        *out = p;
        return SQLITE_OK;
    }
    int phrases = api->xPhraseCount(fts);
    struct fk_store *store = api->xUserData(fts);
    int keep = store ? store->rank_keep : 0;
    p = sqlite3_malloc64(sizeof *p + ((size_t)phrases * 2 + (size_t)keep) * sizeof(double));
    if (!p)
        return SQLITE_NOMEM;
    memset(p, 0, sizeof *p);
    p->phrases = phrases;
    p->idf = (double *)&p[1];
    p->freq = &p->idf[phrases];
    p->keep = keep;
    p->best = &p->freq[phrases];
    p->store = store;
    int64_t *counts =
        store && store->rank_counts && store->rank_phrases == phrases ? store->rank_counts : NULL;
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc == SQLITE_OK)
        p->avgdl = (double)tokens / (double)rows;
    for (int i = 0; rc == SQLITE_OK && i < phrases; i++) {
        struct rank_count count = {0, (rows + 1) / 2};
        if (counts && counts[i] >= 0)
            count.hits = counts[i] < rows ? counts[i] : rows;
        else if ((rc = api->xQueryPhrase(fts, i, &count, rank_count_hit)) == SQLITE_OK && counts) {
            counts[i] = count.hits; /* for the search's other cursors */
            store->rank_walks++;
        }
        if (rc == SQLITE_OK) {
            double idf =
                log(((double)rows - (double)count.hits + 0.5) / ((double)count.hits + 0.5));
            if (idf <= 0.0)
                idf = 1e-6;
            p->idf[i] = idf;
        }
    }
    if (rc != SQLITE_OK) {
        sqlite3_free(p);
        return rc;
    }
    rc = api->xSetAuxdata(fts, p, sqlite3_free); /* frees p when it fails */
    if (rc == SQLITE_OK)
        *out = p;
    return rc;
}

/* The columns whose instances bound a row's length (articles_fts has 3). */
#define RANK_COLUMNS 8

/* Keep score among the best p->keep (a min-heap in p->best). */
static void rank_heap_add(struct rank_data *p, double score)
{
    double *h = p->best;
    int i;
    if (p->kept < p->keep) {
        /* up from the new leaf */
        for (i = p->kept++; i > 0 && h[(i - 1) / 2] > score; i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = score;
        return;
    }
    if (score <= h[0])
        return;
    /* down from the root, which score replaces */
    for (i = 0;;) {
        int child = 2 * i + 1;
        if (child >= p->kept)
            break;
        if (child + 1 < p->kept && h[child + 1] < h[child])
            child++;
        if (h[child] >= score)
            break;
        h[i] = h[child];
        i = child;
    }
    h[i] = score;
}

static void rank_function(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                          int nvalues, sqlite3_value **values)
{
    const double k1 = 1.2;
    const double b = 0.75;
    struct rank_data *p = NULL;
    double score = 0.0;
    double D = 0.0;
    int instances = 0;
    int rc = rank_data(api, fts, &p);
    if (rc == SQLITE_OK) {
        memset(p->freq, 0, sizeof(double) * (size_t)p->phrases);
        rc = api->xInstCount(fts, &instances);
    }
    int ends[RANK_COLUMNS] = {0}; /* past the last instance in each column */
    for (int i = 0; rc == SQLITE_OK && i < instances; i++) {
        int phrase, column, offset;
        rc = api->xInst(fts, i, &phrase, &column, &offset);
        if (rc == SQLITE_OK) {
            double w = nvalues > column ? sqlite3_value_double(values[column]) : 1.0;
            p->freq[phrase] += w;
            if (column >= 0 && column < RANK_COLUMNS && offset >= ends[column])
                ends[column] = offset + 1;
        }
    }
    if (rc == SQLITE_OK && p->kept == p->keep && p->keep > 0) {
        /* The score at the least length the row can have, that of its
         * columns up to their last instances, which the longer row it is
         * does not exceed (each term only grows as its denominator
         * shrinks, and so does each rounding of it, for weights of 0 and
         * over). */
        double least = 0.0, bound = 0.0;
        bool weights = true;
        for (int c = 0; c < RANK_COLUMNS; c++)
            least += ends[c];
        for (int i = 0; i < p->phrases; i++) {
            weights = weights && p->freq[i] >= 0.0;
            bound += p->idf[i] * ((p->freq[i] * (k1 + 1.0)) /
                                  (p->freq[i] + k1 * (1 - b + b * least / p->avgdl)));
        }
        if (weights && bound < p->best[0]) {
            p->store->rank_bounded++;
            sqlite3_result_double(ctx, -1.0 * bound);
            return;
        }
    }
    if (rc == SQLITE_OK) {
        int size;
        rc = api->xColumnSize(fts, -1, &size);
        D = (double)size;
    }
    for (int i = 0; rc == SQLITE_OK && i < p->phrases; i++)
        score += p->idf[i] *
                 ((p->freq[i] * (k1 + 1.0)) / (p->freq[i] + k1 * (1 - b + b * D / p->avgdl)));
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    if (p->keep > 0)
        rank_heap_add(p, score);
    sqlite3_result_double(ctx, -1.0 * score);
}

int store_rank_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    int rc = fts5_api_of(db, &api);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, RANK_FUNCTION, NULL, rank_function, NULL);
    return rc;
}

int store_fts5_function(struct fk_store *store, const char *name, fts5_extension_function fn,
                        bool *ready, struct fk_error *err)
{
    fts5_api *api = NULL;
    if (*ready)
        return 0;
    if (store_fts5_api(store, &api, err) < 0)
        return -1;
    if (api->xCreateFunction(api, name, store, fn, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    *ready = true;
    return 0;
}

/* Make feedkeep_bm25 known to the archive's connection, once. */
static int rank_register(struct fk_store *store, struct fk_error *err)
{
    return store_fts5_function(store, RANK_FUNCTION, rank_function, &store->rank_function_ready,
                               err);
}

/* What FTS5 says when it cannot run a MATCH expression, and what the user
 * reads instead of SQLite's wording. */
static const struct {
    const char *prefix;
    const char *skip; /* leading text to drop from the message */
} fts_errors[] = {
    {"fts5: ", "fts5: "},
    {"no such column", ""},
    {"unknown special query", ""},
    {"unterminated string", ""},
};

int store_search_error(struct fk_store *store, struct fk_error *err)
{
    const char *message = sqlite3_errmsg(store->db);
    for (size_t i = 0; i < sizeof fts_errors / sizeof fts_errors[0]; i++) {
        if (strncmp(message, fts_errors[i].prefix, strlen(fts_errors[i].prefix)) == 0)
            return fk_error_set(err, FK_ERROR_USAGE, "the full-text index rejected it: %s",
                                message + strlen(fts_errors[i].skip));
    }
    return store_db_error(store, err);
}

/* A filtered search looks for its rank window among this many times the
 * window of the most recent matches; when fewer of those pass the filter,
 * probing further would cost more than ranking every match. */
#define SEARCH_SCAN_FACTOR 8

/* A filter that selects fewer than this many articles through an index (a
 * tag, a date range, an author) is read once as a set, and the matches
 * are tested against it; a filter that selects more is probed on each
 * match. A search with a rank window of W newest matches probes about
 * W * N / S matches to fill it when the filter passes S of the archive's N
 * articles evenly (fewer when they are its newest, as --archived-since
 * passes), and a set costs about a step for each of its S: below
 * sqrt(W * N) the set is read whatever the filter (about 25,000 for a
 * window of 500 at 1.27 million articles). */
int64_t store_search_set_max = 10000;

/* Prepare q and step it to its first row: 0 with *st on it (the caller
 * finalizes *st either way), or -1 with err filled. */
static int query_first_row(struct fk_store *store, struct query *q, sqlite3_stmt **st,
                           struct fk_error *err)
{
    if (query_prepare(store, q, st, err) < 0)
        return -1;
    return sqlite3_step(*st) == SQLITE_ROW ? 0 : store_search_error(store, err);
}

/* The articles a search's filter reads, probed by each match's id: the
 * index of the columns it reads (schema 19), where a row of the table
 * fills most of a page of its own. */
#define PROBE_ARTICLES "articles a INDEXED BY articles_probe"

/* How a search applies its filter to the index's matches. */
struct search_filter {
    struct plan probe; /* each condition probed by the match's id */
    struct plan set;   /* the walk of the articles the filter selects */
    bool by_set;       /* the matches are tested against set's articles */
};

static void search_filter_release(struct search_filter *sf)
{
    plan_release(&sf->probe);
    plan_release(&sf->set);
}

/* Append " AND +id IN (the filter's articles)". */
static void search_add_set(struct query *q, struct plan *set, const char *id)
{
    query_add(q, " AND +");
    query_add(q, id);
    query_add(q, " IN (SELECT ");
    query_add(q, plan_id(set));
    plan_add_from(q, set);
    query_add(q, " WHERE 1");
    plan_add_where(q, set);
    query_add(q, ")");
}

/* Plan the filter f of a search: from the more selective side. A filter
 * walked through an index (tags, since and until, an author, archived-since) that selects
 * few articles is read as a set, so that a common word costs a walk of its
 * matches with a test in memory each, and only the matches that pass are
 * ranked; otherwise each match is probed. Returns 0, or -1 with err
 * filled. */
static int search_filter_init(struct fk_store *store, struct search_filter *sf,
                              const struct fk_filter *f, long window, struct fk_error *err)
{
    struct query q;
    sqlite3_stmt *st = NULL;
    int64_t articles = 0;

    memset(sf, 0, sizeof *sf);
    if (plan_init(store, &sf->probe, f, false, false, err) < 0)
        return -1;
    sf->probe.id = "articles_fts.rowid";
    sf->probe.articles =
        f->since != FK_TIME_NONE || f->until != FK_TIME_NONE || plan_reads_articles(f);
    if (!plan_filters(&sf->probe) ||
        !(sf->probe.tags.count || f->since != FK_TIME_NONE || f->until != FK_TIME_NONE ||
          sf->probe.author_match || f->archived_since != FK_TIME_NONE))
        return 0;
    if (plan_init(store, &sf->set, f, true, false, err) < 0)
        return -1;
    int64_t most = store_search_set_max;
    if (window > 0 && most > 0) {
        query_init(&q);
        query_add(&q, "SELECT coalesce((SELECT value FROM archive_counts"
                      " WHERE name = 'articles'), 0)");
        int ret = query_first_row(store, &q, &st, err);
        if (ret == 0)
            articles = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        st = NULL;
        query_release(&q);
        if (ret < 0)
            return -1;
        double even = sqrt((double)window * (double)articles);
        if (even > (double)most)
            most = (int64_t)even;
    }
    query_init(&q);
    query_add(&q, "SELECT count(*) FROM (SELECT 1");
    plan_add_from(&q, &sf->set);
    query_add(&q, " WHERE 1");
    plan_add_where(&q, &sf->set);
    query_add_param(&q, " LIMIT ?)", NULL, most);
    int ret = query_first_row(store, &q, &st, err);
    if (ret == 0) {
        sf->by_set = sqlite3_column_int64(st, 0) < most;
        store->search_sets += sf->by_set;
    }
    sqlite3_finalize(st);
    query_release(&q);
    return ret;
}

/* Whether the walk over the matches reads articles a. */
static bool search_reads_articles(const struct search_filter *sf)
{
    return !sf->by_set && sf->probe.articles;
}

/* Append the filter's conditions on the match whose article id is id. */
static void search_add_filter(struct query *q, struct search_filter *sf, const char *id)
{
    if (sf->by_set) {
        search_add_set(q, &sf->set, id);
        return;
    }
    sf->probe.id = id;
    plan_add_where(q, &sf->probe);
    sf->probe.id = "articles_fts.rowid";
}

/* The rowid where the rank window starts: the smallest of the window's
 * most recently filed matches that pass the filter; 0 when all matches are
 * to be ranked (there are fewer than the window, or they are not among the
 * SEARCH_SCAN_FACTOR * window most recent matches). */
static int search_window(struct fk_store *store, const char *match, struct search_filter *sf,
                         long window, int64_t *start, struct fk_error *err)
{
    struct query q;
    sqlite3_stmt *st = NULL;

    *start = 0;
    query_init(&q);
    /* The newest matches by rowid (FTS5 walks its index backwards), then
     * the filter on those. */
    query_add_param(&q,
                    "SELECT count(*), min(id) FROM (SELECT m.id AS id FROM (SELECT"
                    " articles_fts.rowid AS id FROM articles_fts WHERE articles_fts MATCH ?",
                    match, 0);
    bool filtered = plan_filters(&sf->probe);
    query_add_param(&q, " ORDER BY articles_fts.rowid DESC LIMIT ?) AS m", NULL,
                    filtered ? window * SEARCH_SCAN_FACTOR : window);
    if (search_reads_articles(sf))
        query_add(&q, " JOIN " PROBE_ARTICLES " ON a.id = m.id");
    query_add(&q, " WHERE 1");
    search_add_filter(&q, sf, "m.id");
    query_add_param(&q, " ORDER BY m.id DESC LIMIT ?)", NULL, window);
    int ret = query_first_row(store, &q, &st, err);
    if (ret == 0 && sqlite3_column_int64(st, 0) >= window)
        *start = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    query_release(&q);
    return ret;
}

/* The window of a search that is one prefix term and has no filter, and
 * the prefix's article count for feedkeep_bm25 with it: one walk of the
 * matches, newest first. Each FTS5 cursor of a prefix merges the lists of
 * all its words, the most of such a search's time; the window and the
 * count would otherwise pay for it each. */
static int prefix_window(struct fk_store *store, const char *match, long window, int64_t *start,
                         struct fk_error *err)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    int rc;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                           " ORDER BY rowid DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    if (bind_text(st, 1, match)) {
        sqlite3_finalize(st);
        return store_db_error(store, err);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (++n == window)
            *start = sqlite3_column_int64(st, 0);
    if (rc != SQLITE_DONE) {
        store_search_error(store, err);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    store->rank_counts[0] = n;
    store->rank_walks++;
    return 0;
}

/* Whether the query is one prefix term, its count not estimated. */
static bool prefix_alone(struct fk_store *store, const struct fk_search_query *query)
{
    return query && query->root >= 0 && query->nodes[query->root].kind == FK_SEARCH_TERM &&
           query->nodes[query->root].prefix && store->rank_counts && store->rank_phrases == 1 &&
           store->rank_counts[0] < 0;
}

/* Whether the window and the count of a search can be had in one walk
 * (prefix_window). */
static bool one_prefix(struct fk_store *store, const struct fk_search_query *query,
                       const struct search_filter *sf)
{
    return prefix_alone(store, query) && !plan_filters(&sf->probe) && !sf->by_set;
}

/* Whether the query has a prefix term: each FTS5 cursor of it merges the
 * lists of every word with the prefix. */
static bool has_prefix(const struct fk_search_query *query)
{
    for (size_t i = 0; query && i < query->count; i++)
        if (query->nodes[i].kind == FK_SEARCH_TERM && query->nodes[i].prefix)
            return true;
    return false;
}

static void write_fts(const struct fk_search_query *query, int node, struct fk_buf *out);

/* A word or phrase: a string in double quotes, its quotes doubled. */
static void write_fts_term(const struct fk_search_node *n, struct fk_buf *out)
{
    fk_buf_addc(out, '"');
    for (const char *s = n->text; *s; s++) {
        fk_buf_addc(out, *s);
        if (*s == '"')
            fk_buf_addc(out, '"');
    }
    fk_buf_addc(out, '"');
    if (n->prefix)
        fk_buf_addc(out, '*');
}

/* A member of a list: compound ones in parentheses. */
static void write_fts_operand(const struct fk_search_query *query, int node, struct fk_buf *out)
{
    const struct fk_search_node *n = &query->nodes[node];
    bool compound = n->kind != FK_SEARCH_TERM && n->column == FK_SEARCH_ANY;
    if (compound)
        fk_buf_addc(out, '(');
    write_fts(query, node, out);
    if (compound)
        fk_buf_addc(out, ')');
}

static void write_fts(const struct fk_search_query *query, int node, struct fk_buf *out)
{
    const struct fk_search_node *n = &query->nodes[node];
    if (n->column != FK_SEARCH_ANY) {
        fk_buf_adds(out, store_fts_columns[n->column]);
        fk_buf_adds(out, " : ");
        if (n->kind != FK_SEARCH_TERM)
            fk_buf_addc(out, '(');
    }
    switch (n->kind) {
    case FK_SEARCH_TERM:
        write_fts_term(n, out);
        break;
    case FK_SEARCH_AND: {
        bool any = false;
        for (int i = n->first; i >= 0; i = query->nodes[i].next) {
            if (query->nodes[i].excluded)
                continue;
            if (any)
                fk_buf_adds(out, " AND ");
            write_fts_operand(query, i, out);
            any = true;
        }
        for (int i = n->first; i >= 0; i = query->nodes[i].next) {
            if (!query->nodes[i].excluded)
                continue;
            fk_buf_adds(out, " NOT ");
            write_fts_operand(query, i, out);
        }
        break;
    }
    case FK_SEARCH_OR:
        for (int i = n->first; i >= 0; i = query->nodes[i].next) {
            if (i != n->first)
                fk_buf_adds(out, " OR ");
            write_fts_operand(query, i, out);
        }
        break;
    }
    if (n->column != FK_SEARCH_ANY && n->kind != FK_SEARCH_TERM)
        fk_buf_addc(out, ')');
}

char *fk_store_fts_match(const struct fk_search_query *query)
{
    struct fk_buf out;
    /* The expression is a little longer than the query; queries come from
     * a command line, so no limit but memory. */
    fk_buf_init(&out, SIZE_MAX);
    if (query && query->root >= 0)
        write_fts(query, query->root, &out);
    if (!out.data)
        fk_buf_adds(&out, "");
    return fk_buf_detach(&out);
}

/* ---- the article counts of a search's phrases ---------------------------- */

/* bm25 weighs each phrase of a query by the number of articles that hold
 * it, and FTS5 can count them only by walking the phrase's posting list:
 * at a million articles, tens of milliseconds for a common word or a
 * phrase. In an archive whose ids span at least 65,536, a search counts a
 * phrase in slices of ids spread evenly over the archive: 4 slices
 * holding 1/512 of the ids, then 16 holding 1/64, then 16 holding 1/8;
 * and scales the count up as soon as the slices hold 1,024 articles. On
 * a generated archive of a million articles the estimates came within 6%
 * of the counts, and moved the weights (IDF) by 0.6% to 4.3%, the most for
 * the commonest words, whose weight is least. A phrase in fewer
 * articles is counted whole, as is a prefix (every FTS5 cursor of a prefix
 * merges the lists of all its words, whatever slice it reads), and a
 * single word that 1/64 of the ids does not estimate: FTS5 walks a word's
 * list faster than a query counts an eighth of it. */
#define RANK_PROBE_SLICES 4
#define RANK_SLICES       16
struct store_rank_sampling store_rank_sampling = {65536, 1024};

/* The phrases of a query in the order FTS5 numbers them (the order
 * write_fts writes them), each as an expression that matches it alone,
 * within the columns it is restricted to. */
struct phrase_walk {
    const struct fk_search_query *query;
    int columns[FK_SEARCH_MAX_DEPTH]; /* the column filters around it */
    int ncolumns;
    bool too_deep;
    /* expr NULL: too deeply nested to write out */
    int (*fn)(struct phrase_walk *walk, const struct fk_search_node *term, const char *expr);
    void *ctx;
    struct fk_buf expr;
};

static int each_phrase(struct phrase_walk *walk, int node)
{
    const struct fk_search_node *n = &walk->query->nodes[node];
    bool column = n->column != FK_SEARCH_ANY;
    int ret = 0;
    if (column) {
        if (walk->ncolumns == (int)(sizeof walk->columns / sizeof walk->columns[0]))
            walk->too_deep = true;
        else
            walk->columns[walk->ncolumns++] = n->column;
    }
    if (n->kind == FK_SEARCH_TERM) {
        fk_buf_reset(&walk->expr);
        for (int i = 0; i < walk->ncolumns; i++) {
            fk_buf_adds(&walk->expr, store_fts_columns[walk->columns[i]]);
            fk_buf_adds(&walk->expr, " : (");
        }
        write_fts_term(n, &walk->expr);
        for (int i = 0; i < walk->ncolumns; i++)
            fk_buf_addc(&walk->expr, ')');
        ret = walk->fn(walk, n, walk->too_deep || !walk->expr.data ? NULL : walk->expr.data);
    } else {
        /* AND lists write their excluded members last. */
        for (int pass = 0; pass < (n->kind == FK_SEARCH_AND ? 2 : 1) && ret == 0; pass++)
            for (int i = n->first; i >= 0 && ret == 0; i = walk->query->nodes[i].next)
                if (n->kind != FK_SEARCH_AND || walk->query->nodes[i].excluded == (pass == 1))
                    ret = each_phrase(walk, i);
    }
    if (column && !walk->too_deep)
        walk->ncolumns--;
    return ret;
}

/* The estimate's state: the archive's ids, the count statement, the
 * counts so far. */
struct rank_sample {
    struct fk_store *store;
    struct fk_error *err;
    sqlite3_stmt *st;
    int64_t first_id;
    int64_t span;
    int64_t *counts;
    int n;
};

/* The articles among ids first to last holding expr: 0, or -1 with err
 * filled. */
static int count_between(struct rank_sample *rs, const char *expr, int64_t first, int64_t last,
                         int64_t *hits)
{
    sqlite3_stmt *st = rs->st;
    sqlite3_reset(st);
    if (bind_text(st, 1, expr) || bind_int64(st, 2, first) || bind_int64(st, 3, last))
        return store_db_error(rs->store, rs->err);
    if (sqlite3_step(st) != SQLITE_ROW)
        return store_search_error(rs->store, rs->err);
    *hits += sqlite3_column_int64(st, 0);
    return 0;
}

/* Whether FTS5 makes one token of text: no ASCII but letters and digits
 * (its tokenizer takes other characters of ASCII for separators). */
static bool one_token(const char *text)
{
    for (const unsigned char *s = (const unsigned char *)text; *s; s++)
        if (*s < 0x80 && !((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
            return false;
    return true;
}

/* Add the count of one phrase, or -1 where it is to be counted whole.
 * Returns 0, or -1 with err filled. */
static int estimate_phrase(struct phrase_walk *walk, const struct fk_search_node *term,
                           const char *expr)
{
    struct rank_sample *rs = walk->ctx;
    int64_t count = -1;
    int64_t need = store_rank_sampling.hits;
    int64_t last = one_token(term->text) ? 64 : 8; /* the widest slices */
    int64_t part = 512;                            /* the slices hold 1/part of the ids */
    int slices = RANK_PROBE_SLICES;
    while (expr && !term->prefix && rs->st) {
        int64_t width = rs->span / (slices * part);
        int64_t hits = 0;
        if (width < 1)
            width = 1;
        for (int k = 0; k < slices; k++) {
            int64_t first = rs->first_id + rs->span * k / slices;
            if (count_between(rs, expr, first, first + width - 1, &hits) < 0)
                return -1;
        }
        if (hits >= need) {
            count = (int64_t)((double)hits * (double)rs->span / ((double)width * slices) + 0.5);
            break;
        }
        /* Even the widest slices would hold too few: count it all. Else
         * the narrowest slices that should hold enough. */
        if (part == last || hits * part / last < need / 2)
            break;
        int64_t was = part;
        do
            part /= 8;
        while (part > last && hits * was / part < need);
        slices = RANK_SLICES;
    }
    rs->counts = fk_xrealloc(rs->counts, (size_t)(rs->n + 1) * sizeof *rs->counts);
    rs->counts[rs->n++] = count;
    return 0;
}

/* Estimate the article counts of the phrases of query where the archive is
 * large enough (store->rank_counts, for feedkeep_bm25 until
 * rank_estimate_end; -1 where it is to count, which it then fills in).
 * Returns 0, or -1 with err filled. */
static int rank_estimate(struct fk_store *store, const struct fk_search_query *query,
                         struct fk_error *err)
{
    struct rank_sample rs = {store, err, NULL, 0, 0, NULL, 0};
    int64_t last_id = 0;
    int ret = -1;
    if (!query || query->root < 0)
        return 0;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)",
                           -1, &rs.st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    if (sqlite3_step(rs.st) != SQLITE_ROW) {
        store_db_error(store, err);
        goto out;
    }
    rs.first_id = sqlite3_column_int64(rs.st, 0);
    last_id = sqlite3_column_int64(rs.st, 1);
    sqlite3_finalize(rs.st);
    rs.st = NULL;
    rs.span = last_id - rs.first_id + 1;
    if (rs.span >= store_rank_sampling.min_span &&
        sqlite3_prepare_v2(store->db,
                           "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?1"
                           " AND rowid BETWEEN ?2 AND ?3",
                           -1, &rs.st, NULL) != SQLITE_OK) {
        store_db_error(store, err);
        goto out;
    }
    struct phrase_walk walk = {.query = query, .fn = estimate_phrase, .ctx = &rs};
    fk_buf_init(&walk.expr, SIZE_MAX);
    ret = each_phrase(&walk, query->root);
    fk_buf_release(&walk.expr);
    if (ret == 0) {
        store->rank_counts = rs.counts;
        store->rank_phrases = rs.n;
        rs.counts = NULL;
    }
out:
    sqlite3_finalize(rs.st);
    free(rs.counts);
    return ret;
}

static void rank_estimate_end(struct fk_store *store)
{
    free(store->rank_counts);
    store->rank_counts = NULL;
    store->rank_phrases = 0;
}

/* Append the snippet of articles_fts's current row. */
static void query_add_snippet(struct query *q, const struct fk_search_options *options, int words)
{
    query_add_param(q, "snippet(articles_fts, 1, ?", options->mark_open ? options->mark_open : "",
                    0);
    query_add_param(q, ", ?", options->mark_close ? options->mark_close : "", 0);
    query_add_param(q, ", '\xE2\x80\xA6', ?)", NULL, words > 64 ? 64 : words);
}

/* Append " FROM articles_fts ... WHERE" the matches of the search that
 * pass its filter, from rowid start on (0: all); ranked by FTS5 when
 * fts_rank. */
static void search_add_matches(struct query *q, const char *match, struct search_filter *sf,
                               int64_t start, bool fts_rank)
{
    query_add(q, " FROM articles_fts");
    if (search_reads_articles(sf))
        query_add(q, " JOIN " PROBE_ARTICLES " ON a.id = articles_fts.rowid");
    query_add_param(q, " WHERE articles_fts MATCH ?", match, 0);
    if (fts_rank)
        query_add(q, " AND articles_fts.rank MATCH '" SEARCH_RANK "'");
    if (start > 0)
        query_add_param(q, " AND articles_fts.rowid >= ?", NULL, start);
    search_add_filter(q, sf, "articles_fts.rowid");
}

/* The most rows a search keeps for feedkeep_bm25 to skip the length of
 * the rows that cannot be among them (struct rank_data). */
#define RANK_KEEP_MAX 10000

/* The search with a limit, of a query without prefix terms: the hits are
 * picked with the rank computed by SQLite for the matches that pass the
 * filter only (in the index's own order, "ORDER BY rank" lets FTS5 rank
 * every match before the filter), lowest rowid first among equal ranks as
 * FTS5's sort keeps them; then one more walk of the index over the rowids
 * picked makes their snippets. */
static void search_add_picked(struct query *q, const char *match, struct search_filter *sf,
                              int64_t start, const struct fk_filter *f,
                              const struct fk_search_options *options, int words)
{
    query_add(q, "WITH pick AS MATERIALIZED (SELECT articles_fts.rowid AS id,"
                 " " RANK_FUNCTION "(articles_fts, " SEARCH_WEIGHTS ") AS rank");
    search_add_matches(q, match, sf, start, false);
    query_add(q, " ORDER BY rank, id");
    query_add_limit(q, f);
    query_add(q, "), snip AS (SELECT articles_fts.rowid AS id, ");
    query_add_snippet(q, options, words);
    query_add_param(q, " AS snippet FROM articles_fts WHERE articles_fts MATCH ?", match, 0);
    query_add(q, " AND articles_fts.rowid >= (SELECT min(id) FROM pick)"
                 " AND articles_fts.rowid <= (SELECT max(id) FROM pick)"
                 " AND +articles_fts.rowid IN (SELECT id FROM pick))"
                 " SELECT " ARTICLE_COLUMNS ", pick.rank, snip.snippet FROM pick"
                 " JOIN articles a ON a.id = pick.id LEFT JOIN snip ON snip.id = pick.id"
                 " ORDER BY pick.rank, pick.id DESC");
}

/* The search without a limit, or of a prefix query: FTS5 ranks and sorts
 * the matches, and the snippets are made in the same walk for the rows the
 * limit keeps only. */
static void search_add_ranked(struct query *q, const char *match, struct search_filter *sf,
                              int64_t start, const struct fk_filter *f,
                              const struct fk_search_options *options, int words)
{
    query_add(q, "SELECT " ARTICLE_COLUMNS ", pick.rank, pick.snippet FROM (SELECT"
                 " articles_fts.rowid AS id, articles_fts.rank AS rank, ");
    query_add_snippet(q, options, words);
    query_add(q, " AS snippet");
    search_add_matches(q, match, sf, start, true);
    query_add(q, " ORDER BY articles_fts.rank");
    query_add_limit(q, f);
    query_add(q, ") AS pick JOIN articles a ON a.id = pick.id ORDER BY pick.rank, pick.id DESC");
}

/* The search of one prefix, filtered or not, with a rank window and a
 * page of at most RANK_KEEP_MAX rows: ranked and given its snippets in
 * one walk of the prefix's matches (store_prefix.c), where FTS5's cursors
 * would each merge the lists of all its words. Returns 0 (or fn's
 * return), 1 where the prefix is not one word, -1 with err filled. */
static int search_prefix_walk(struct fk_store *store, const struct fk_search_query *query,
                              const char *match, struct search_filter *sf,
                              const struct fk_filter *f, const struct fk_search_options *options,
                              int words, struct tag_list *tags, fk_hit_fn fn, void *ctx,
                              struct fk_error *err)
{
    const struct fk_search_node *n = &query->nodes[query->root];
    struct store_prefix p;
    struct query q;
    sqlite3_stmt *st = NULL;
    bool filtered = plan_filters(&sf->probe);
    int ret = store_prefix_init(store, &p, n->text, err);
    if (ret != 0)
        return ret;
    p.in_text = n->column == FK_SEARCH_ANY || n->column == FK_SEARCH_TEXT;
    store->prefix_walks++;
    /* The walk: whether each match passes the filter is read only while
     * the walk needs it (feedkeep_prefix_need). */
    query_init(&q);
    query_add_param(&q,
                    "SELECT articles_fts.rowid FROM articles_fts WHERE articles_fts MATCH ?"
                    " AND feedkeep_prefix_walk(articles_fts, ",
                    match, 0);
    if (!filtered) {
        query_add(&q, "1");
    } else if (search_reads_articles(sf)) {
        query_add(&q, "CASE WHEN feedkeep_prefix_need() THEN EXISTS (SELECT 1 FROM " PROBE_ARTICLES
                      " WHERE a.id = articles_fts.rowid");
        search_add_filter(&q, sf, "articles_fts.rowid");
        query_add(&q, ") END");
    } else {
        query_add(&q, "CASE WHEN feedkeep_prefix_need() THEN (1");
        search_add_filter(&q, sf, "articles_fts.rowid");
        query_add(&q, ") END");
    }
    query_add(&q, ", " SEARCH_WEIGHTS ") ORDER BY articles_fts.rowid DESC");
    if (store_prefix_register(store, err) < 0 || query_prepare(store, &q, &st, err) < 0)
        ret = -1;
    else
        ret = store_prefix_rank(store, &p, st, options->rank_window,
                                filtered ? options->rank_window * SEARCH_SCAN_FACTOR : 0, f->limit,
                                f->offset, err);
    sqlite3_finalize(st);
    st = NULL;
    query_release(&q);
    if (ret == 0 && sqlite3_prepare_v2(store->db,
                                       "SELECT " ARTICLE_COLUMNS ", a.text FROM articles a"
                                       " WHERE a.id = ?",
                                       -1, &st, NULL) != SQLITE_OK)
        ret = store_db_error(store, err);
    for (size_t i = 0; ret == 0 && i < p.nhits; i++) {
        int rc = SQLITE_ERROR;
        sqlite3_reset(st);
        if (bind_int64(st, 1, p.hits[i].id) == 0)
            rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            continue; /* removed since */
        if (rc != SQLITE_ROW) {
            ret = store_db_error(store, err);
            break;
        }
        struct fk_search_hit hit;
        read_article(st, &hit.article);
        hit.rank = p.hits[i].rank;
        const char *text = column_str(st, ARTICLE_NCOLUMNS);
        int length = sqlite3_column_bytes(st, ARTICLE_NCOLUMNS);
        char *snippet =
            store_prefix_snippet(&p, text, length, options->mark_open ? options->mark_open : "",
                                 options->mark_close ? options->mark_close : "", "\xE2\x80\xA6",
                                 words > 64 ? 64 : words);
        hit.snippet = snippet;
        if (load_tags(store, hit.article.id, tags, err) < 0) {
            free(snippet);
            ret = -1;
            break;
        }
        hit.article.tags = (const char *const *)tags->names;
        hit.article.ntags = tags->count;
        ret = fn(&hit, ctx);
        free(snippet);
    }
    sqlite3_finalize(st);
    store_prefix_release(&p);
    return ret;
}

int fk_store_search(struct fk_store *store, const struct fk_search_query *query,
                    const struct fk_filter *f, const struct fk_search_options *options,
                    fk_hit_fn fn, void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_search(store->pg, query, f, options, fn, ctx, err);
    char *match = fk_store_fts_match(query);
    struct fk_filter no_filter;
    struct fk_search_options no_options = {"", "", 0, 0};
    struct search_filter sf = {0};
    struct tag_list tags = {0};
    struct query q;
    sqlite3_stmt *st = NULL;
    int64_t start = 0;
    int ret = -1;
    int rc;

    query_init(&q);
    f = filter_or_none(f, &no_filter);
    if (!options)
        options = &no_options;
    if (!match || !*match) {
        fk_error_set(err, FK_ERROR_USAGE, "the query is empty");
        goto out;
    }
    if (rank_register(store, err) < 0 ||
        search_filter_init(store, &sf, f, options->rank_window, err) < 0 ||
        rank_estimate(store, query, err) < 0)
        goto out;
    int words = options->snippet_words > 0 ? options->snippet_words : 16;
    if (options->rank_window > 0 && f->limit > 0 && f->offset >= 0 &&
        f->limit + f->offset <= RANK_KEEP_MAX && prefix_alone(store, query)) {
        ret = search_prefix_walk(store, query, match, &sf, f, options, words, &tags, fn, ctx, err);
        if (ret != 1)
            goto out;
        ret = -1;
    }
    if (options->rank_window > 0 &&
        (one_prefix(store, query, &sf)
             ? prefix_window(store, match, options->rank_window, &start, err)
             : search_window(store, match, &sf, options->rank_window, &start, err)) < 0)
        goto out;
    if (f->limit > 0 && !has_prefix(query)) {
        search_add_picked(&q, match, &sf, start, f, options, words);
        /* It ranks only the matches that pass the filter, and keeps the
         * best limit + offset. */
        if (f->limit <= RANK_KEEP_MAX && f->offset >= 0 && f->offset <= RANK_KEEP_MAX)
            store->rank_keep = (int)(f->limit + f->offset);
    } else {
        search_add_ranked(&q, match, &sf, start, f, options, words);
    }
    if (query_prepare(store, &q, &st, err) < 0)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fk_search_hit hit;
        read_article(st, &hit.article);
        hit.rank = sqlite3_column_double(st, SEARCH_COL_RANK);
        hit.snippet = column_str(st, SEARCH_COL_SNIPPET);
        if (!hit.snippet)
            hit.snippet = "";
        if (load_tags(store, hit.article.id, &tags, err) < 0)
            goto out;
        hit.article.tags = (const char *const *)tags.names;
        hit.article.ntags = tags.count;
        int stop = fn(&hit, ctx);
        if (stop) {
            ret = stop;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        store_search_error(store, err);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    query_release(&q);
    rank_estimate_end(store);
    store->rank_keep = 0;
    search_filter_release(&sf);
    store_tag_list_release(&tags);
    free(match);
    return ret;
}

/* ---- versions ---------------------------------------------------------------- */

/* The versions of an article, oldest first, then its current content. */
static enum fk_version_kind version_kind(const char *kind)
{
    if (kind && strcmp(kind, "rejected") == 0)
        return FK_VERSION_REJECTED;
    if (kind && strcmp(kind, "current") == 0)
        return FK_VERSION_CURRENT;
    return FK_VERSION_REPLACED;
}

/* walk_versions' state between the rows of ST_VERSIONS_LIST. */
struct version_walk {
    struct fk_store *store;
    struct fk_error *err;
    int64_t id;  /* the article */
    bool failed; /* a packed column did not unpack: err is filled */
    bool with_text;
    int want;      /* with_text: of this version only (0: all) */
    int number;    /* of the last version */
    int64_t since; /* when the next version was first seen */
    fk_version_fn fn;
    void *ctx;
};

static int version_row(sqlite3_stmt *st, void *ctx)
{
    struct version_walk *walk = ctx;
    struct fk_version v = {0};
    v.number = ++walk->number;
    v.kind = version_kind(column_str(st, 1));
    int64_t at = column_time(st, 2);
    v.replaced_at = FK_TIME_NONE;
    if (v.kind == FK_VERSION_REJECTED) {
        v.first_seen = at;
    } else {
        v.first_seen = walk->since;
        if (v.kind == FK_VERSION_REPLACED) {
            v.replaced_at = at;
            walk->since = at;
        }
    }
    v.title = column_str(st, 3);
    v.tags_text = column_str(st, 4);
    v.text_length = (size_t)sqlite3_column_int64(st, 5);
    if (sqlite3_column_type(st, 6) == SQLITE_BLOB) {
        /* a version's text packed against its HTML (schema 16) */
        int64_t size =
            store_unpacked_size(sqlite3_column_blob(st, 6), (size_t)sqlite3_column_bytes(st, 6));
        v.text_length = size < 0 ? 0 : (size_t)size;
    }
    char *markdown = NULL, *html = NULL, *text = NULL;
    if (walk->with_text && (!walk->want || walk->want == v.number)) {
        if (store_column_unpacked(walk->store, st, 8, NULL, walk->id, &html, walk->err) < 0 ||
            store_column_unpacked(walk->store, st, 7, html, walk->id, &markdown, walk->err) < 0 ||
            store_column_unpacked(walk->store, st, 6, html, walk->id, &text, walk->err) < 0) {
            free(html);
            free(markdown);
            walk->failed = true;
            return -1;
        }
        v.text = text;
        v.markdown = markdown;
        v.html = html;
        if (!v.text)
            v.text = "";
        if (!v.markdown)
            v.markdown = "";
    }
    int ret = walk->fn(&v, walk->ctx);
    free(text);
    free(markdown);
    free(html);
    return ret;
}

/* Walk the versions of article id: fn gets each (with its text when
 * with_text, and of version number want only unless want is 0) until it
 * returns non-zero. Returns 0 (or fn's return), 1
 * when there is no such article, -1 with err filled. */
static int walk_versions(struct fk_store *store, int64_t id, bool with_text, int want,
                         fk_version_fn fn, void *ctx, struct fk_error *err)
{
    struct version_walk walk = {store, err, id, false, with_text, want, 0, FK_TIME_NONE, fn, ctx};
    sqlite3_stmt *st = store_stmt(store, ST_ARTICLE_FIRST_SEEN, err);
    if (!st)
        return -1;
    int rc = bind_int64(st, 1, id) ? SQLITE_ERROR : sqlite3_step(st);
    if (rc == SQLITE_ROW)
        walk.since = column_time(st, 0);
    int found = store_row_done(store, st, rc, err);
    if (found != 0)
        return found; /* 1: no such article, or -1 */
    if (!(st = store_bound(store, ST_VERSIONS_LIST, NULL, id, err)))
        return -1;
    int ret = store_each_row(store, st, version_row, &walk, err);
    return walk.failed ? -1 : ret;
}

int fk_store_list_versions(struct fk_store *store, int64_t id, fk_version_fn fn, void *ctx,
                           struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_versions(store->pg, id, fn, ctx, err);
    return walk_versions(store, id, false, 0, fn, ctx, err);
}

/* fk_store_get_version's search: copy version number out and stop. */
struct version_pick {
    int number;
    struct fk_version *out;
};

static int pick_version(const struct fk_version *v, void *ctx)
{
    struct version_pick *pick = ctx;
    if (v->number != pick->number)
        return 0;
    char **copies = fk_xcalloc(5, sizeof *copies);
    *pick->out = *v;
    pick->out->title = copies[0] = fk_xstrdup(v->title);
    pick->out->tags_text = copies[1] = fk_xstrdup(v->tags_text);
    pick->out->text = copies[2] = fk_xstrdup(v->text);
    pick->out->markdown = copies[3] = fk_xstrdup(v->markdown);
    pick->out->html = copies[4] = fk_xstrdup(v->html);
    pick->out->priv = copies;
    return 1;
}

int fk_store_get_version(struct fk_store *store, int64_t id, int number, struct fk_version *out,
                         struct fk_error *err)
{
    if (store->pg)
        return store_pg_get_version(store->pg, id, number, out, err);
    struct version_pick pick = {number, out};
    memset(out, 0, sizeof *out);
    if (number < 1)
        return 1;
    int rc = walk_versions(store, id, true, number, pick_version, &pick, err);
    if (rc < 0)
        return -1;
    /* 1 from pick_version: found; 0: walked them all; 1 from the walk: no
     * such article (then out->priv is still NULL). */
    return out->priv ? 0 : 1;
}

void fk_version_release(struct fk_version *version)
{
    free_copies(version->priv, 5);
    memset(version, 0, sizeof *version);
}

/* ---- tags and statistics --------------------------------------------------- */

struct count_walk {
    fk_name_count_fn fn;
    void *ctx;
};

static int count_row(sqlite3_stmt *st, void *ctx)
{
    struct count_walk *walk = ctx;
    const char *name = column_str(st, 0);
    struct fk_name_count count = {
        .name = name ? name : "",
        .articles = sqlite3_column_int64(st, 1),
        .newest = column_time(st, 2),
    };
    return walk->fn(&count, walk->ctx);
}

/* Call fn on each row of sql, whose parameter ?1 (when it has one) is
 * limit. The listings read the counts schema 13 keeps, a few rows however
 * large the archive, so each is prepared for its one use. */
static int each_count_row(struct fk_store *store, const char *sql, long limit, store_row_fn *fn,
                          void *ctx, struct fk_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_error(store, err);
    int ret = sqlite3_bind_parameter_count(st) > 0 &&
                      sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1) != SQLITE_OK
                  ? store_db_error(store, err)
                  : store_each_row(store, st, fn, ctx, err);
    sqlite3_finalize(st);
    return ret;
}

/* The names, counts and newest dates sql gives, at most limit of them. */
static int list_counts(struct fk_store *store, const char *sql, long limit, fk_name_count_fn fn,
                       void *ctx, struct fk_error *err)
{
    struct count_walk walk = {fn, ctx};
    return each_count_row(store, sql, limit, count_row, &walk, err);
}

int fk_store_list_tags(struct fk_store *store, long limit, fk_name_count_fn fn, void *ctx,
                       struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_tags(store->pg, limit, fn, ctx, err);
    return list_counts(store,
                       "SELECT t.name, c.articles, c.newest FROM tag_counts c"
                       " JOIN tags t ON t.id = c.tag_id ORDER BY 2 DESC, t.name LIMIT ?1",
                       limit, fn, ctx, err);
}

/* The memory behind the languages of fk_store_stats. */
struct stats_memory {
    struct tag_list names; /* NULL entries for blocks without language */
    size_t cap;            /* of the languages array */
};

static int language_total_row(sqlite3_stmt *st, void *ctx)
{
    struct fk_store_stats *out = ctx;
    struct stats_memory *memory = out->priv;
    if (out->nlanguages == memory->cap) {
        memory->cap = memory->cap ? memory->cap * 2 : 16;
        out->languages = fk_xrealloc(out->languages, memory->cap * sizeof *out->languages);
    }
    char *name = column_dup(st, 0);
    store_tag_list_push(&memory->names, name);
    out->languages[out->nlanguages].language = name;
    out->languages[out->nlanguages].blocks = sqlite3_column_int64(st, 1);
    out->nlanguages++;
    return 0;
}

int fk_store_stats(struct fk_store *store, struct fk_store_stats *out, struct fk_error *err)
{
    if (store->pg)
        return store_pg_stats(store->pg, out, err);
    struct stats_memory *memory = fk_xcalloc(1, sizeof *memory);
    int ret = -1;

    memset(out, 0, sizeof *out);
    out->priv = memory;
    if (fk_store_counts(store, &out->counts, err) < 0)
        goto out;
    sqlite3_stmt *st = store_stmt(store, ST_STATS_SUMMARY, err);
    if (!st)
        goto out;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->subscribed = sqlite3_column_int64(st, 0);
        out->failing = sqlite3_column_int64(st, 1);
        out->size_bytes = sqlite3_column_int64(st, 2);
        out->oldest = column_time(st, 3);
        out->newest = column_time(st, 4);
        out->last_fetch = column_time(st, 5);
    }
    /* An aggregate gives one row: none is an error too. */
    if (store_row_done(store, st, rc == SQLITE_DONE ? SQLITE_ERROR : rc, err) != 0)
        goto out;
    /* The log holds what is not checkpointed into the file yet. */
    struct stat wal;
    struct fk_buf wal_path = FK_BUF_INIT;
    fk_buf_printf(&wal_path, "%s-wal", store->path);
    out->wal_bytes = wal_path.data && stat(wal_path.data, &wal) == 0 ? (int64_t)wal.st_size : 0;
    fk_buf_release(&wal_path);

    if (store_asset_stats(store, &out->assets, err) < 0 ||
        store_raw_stats(store, &out->raw, err) < 0 || store_pack_stats(store, &out->pack, err) < 0)
        goto out;
    ret = each_count_row(store, "SELECT language, blocks FROM language_counts ORDER BY 2 DESC, 1",
                         0, language_total_row, out, err);
out:
    if (ret < 0)
        fk_store_stats_release(out);
    return ret;
}

void fk_store_stats_release(struct fk_store_stats *stats)
{
    struct stats_memory *memory = stats->priv;
    if (memory) {
        store_tag_list_release(&memory->names);
        free(memory);
    }
    free(stats->languages);
    memset(stats, 0, sizeof *stats);
}

/* ---- languages ------------------------------------------------------------ */

int fk_store_language_blocks(struct fk_store *store, const char *language, bool any,
                             int64_t *blocks, struct fk_error *err)
{
    if (store->pg)
        return store_pg_language_blocks(store->pg, language, any, blocks, err);
    enum stmt_id id = any ? ST_LANGUAGE_EXISTS : ST_LANGUAGE_FREQUENCY;
    if (bind_text(stmt_of(store, id), 1, language))
        return store_bind_failed(store, id, err);
    return store_run_int64(store, id, blocks, err);
}

struct language_walk {
    fk_language_fn fn;
    void *ctx;
};

static int language_row(sqlite3_stmt *st, void *ctx)
{
    struct language_walk *walk = ctx;
    struct fk_language_count count = {column_str(st, 0), sqlite3_column_int64(st, 1)};
    return walk->fn(&count, walk->ctx);
}

int fk_store_list_languages(struct fk_store *store, fk_language_fn fn, void *ctx,
                            struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_languages(store->pg, fn, ctx, err);
    struct language_walk walk = {fn, ctx};
    return each_count_row(store,
                          "SELECT language, blocks FROM language_counts"
                          " WHERE language IS NOT NULL ORDER BY 2 DESC, 1",
                          0, language_row, &walk, err);
}

/* ---- authors -------------------------------------------------------------- */

/* An author is the names that differ only in ASCII case (SQLite's NOCASE),
 * under the first of them in byte order: one row of author_counts each
 * (schema 20), read in the listing's order through author_counts_order. */
int fk_store_list_authors(struct fk_store *store, long limit, fk_name_count_fn fn, void *ctx,
                          struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_authors(store->pg, limit, fn, ctx, err);
    return list_counts(store,
                       "SELECT name, articles, newest FROM author_counts"
                       " ORDER BY articles DESC, name LIMIT ?1",
                       limit, fn, ctx, err);
}

/* ---- completion ------------------------------------------------------------ */

struct name_walk {
    fk_complete_fn fn;
    void *ctx;
};

static int name_row(sqlite3_stmt *st, void *ctx)
{
    struct name_walk *walk = ctx;
    const char *name = column_str(st, 0);
    return name ? walk->fn(name, walk->ctx) : 0;
}

int fk_store_complete(struct fk_store *store, enum fk_complete what, const char *prefix,
                      fk_complete_fn fn, void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_complete(store->pg, what, prefix, fn, ctx, err);
    static const enum stmt_id ids[] = {
        [FK_COMPLETE_TAGS] = ST_COMPLETE_TAGS,
        [FK_COMPLETE_LANGUAGES] = ST_COMPLETE_LANGUAGES,
        [FK_COMPLETE_AUTHORS] = ST_COMPLETE_AUTHORS,
        [FK_COMPLETE_FEEDS] = ST_COMPLETE_FEEDS,
    };
    if ((unsigned)what >= sizeof ids / sizeof ids[0])
        return fk_error_set(err, FK_ERROR_USAGE, "nothing to complete");
    sqlite3_stmt *st = store_bound(store, ids[what], prefix ? prefix : "", 0, err);
    if (!st)
        return -1;
    struct name_walk walk = {fn, ctx};
    return store_each_row(store, st, name_row, &walk, err);
}
