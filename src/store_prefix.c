/* feedkeep: a search of one prefix, ranked in one walk of its matches.
 *
 * Every FTS5 cursor of a prefix ("optimi*") merges the posting lists of
 * all the words that start with it before it gives its first row, and
 * SQLite 3.40 does so whatever range of rowids the cursor is asked for:
 * at a million articles, 16 ms for "optimi*" (102,799 articles, 49
 * words). A search ranks the newest matches (its rank window) and needs
 * the prefix's article count for the weight bm25 gives it, and FTS5's
 * ranked cursor and snippet() would each merge the lists again. Here one
 * cursor walks the matches newest first: feedkeep_prefix_walk, an
 * auxiliary function, scores each match of the window as feedkeep_bm25
 * does and keeps the best; the walk's end gives the count. With a
 * filter, the walk is told whether each match passes it, for as long as
 * it needs to know (feedkeep_prefix_need): while the window fills, and
 * for every match once too few of the newest have passed. One phrase's
 * score is its weight (IDF) times a part that does not depend on the
 * count, so the best are known before the count is; the weight then
 * multiplies each, operation for operation as feedkeep_bm25 computes it.
 *
 * The snippets are made here too, as FTS5's snippet() of SQLite 3.40
 * makes them for a query of one single-word phrase, from the article's
 * text split by the index's own tokenizer: a word that starts with the
 * prefix is an instance, as it is in the index. */
#include "store_int.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_FUNCTION "feedkeep_prefix_walk"

/* bm25's constants, as feedkeep_bm25 (store_query.c) has them. */
#define BM25_K1 1.2
#define BM25_B  0.75

/* The columns whose instances bound a row's length (articles_fts has 3). */
#define PREFIX_COLUMNS 8

struct prefix_row {
    double part; /* the score without the prefix's weight */
    int64_t id;
};

/* The walk's state, from the first match to the last. */
struct prefix_walk {
    int64_t window; /* rank the newest this many matches (that pass) */
    int64_t scan;   /* with a filter: among the newest this many, else all
                       that pass (0: no filter) */
    int keep;       /* and keep the best this many */
    int64_t seen;   /* the matches so far: the count, at the end */
    int64_t passed; /* those of them that passed the filter */
    bool all;       /* fewer than window passed among the first scan: rank
                       every match that passes */
    int64_t rows;   /* the index's articles */
    double avgdl;   /* and their mean length in tokens */
    int kept;
    struct prefix_row *best; /* a heap, its worst first */
};

/* Whether a ranks below b: a lower score, or the same and a later id
 * (FTS5's sort keeps the lowest rowid first among equal ranks). */
static bool row_below(const struct prefix_row *a, const struct prefix_row *b)
{
    return a->part < b->part || (a->part == b->part && a->id > b->id);
}

static void heap_add(struct prefix_walk *w, struct prefix_row row)
{
    struct prefix_row *h = w->best;
    int i;
    if (w->kept < w->keep) {
        for (i = w->kept++; i > 0 && row_below(&row, &h[(i - 1) / 2]); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = row;
        return;
    }
    if (!row_below(&h[0], &row))
        return;
    for (i = 0;;) {
        int child = 2 * i + 1;
        if (child >= w->kept)
            break;
        if (child + 1 < w->kept && row_below(&h[child + 1], &h[child]))
            child++;
        if (!row_below(&h[child], &row))
            break;
        h[i] = h[child];
        i = child;
    }
    h[i] = row;
}

/* The part of bm25's score that does not depend on the phrase's count:
 * freq the weighted instances, length the row's tokens. */
static double score_part(double freq, double length, double avgdl)
{
    return (freq * (BM25_K1 + 1.0)) / (freq + BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl));
}

/* Whether the walk ranks its current match, which passes the filter or
 * not (the filter is not read where it no longer matters): the newest
 * window matches, or with a filter the newest window that pass among the
 * newest scan, else all that pass, as the search's window is chosen
 * (store_query.c). */
static bool walk_ranks(struct prefix_walk *w, bool passes)
{
    if (!w->scan)
        return w->seen <= w->window;
    if (!w->all && w->passed < w->window && w->seen > w->scan)
        w->all = true;
    bool ranks = passes && (w->all || w->passed < w->window);
    w->passed += passes;
    return ranks;
}

/* feedkeep_prefix_need(): whether the walk needs to know if the next
 * match passes the filter. */
static void need_function(sqlite3_context *ctx, int nvalues, sqlite3_value **values)
{
    struct fk_store *store = sqlite3_user_data(ctx);
    struct prefix_walk *w = store->prefix_walk;
    (void)nvalues;
    (void)values;
    sqlite3_result_int(ctx, w && (w->all || w->passed < w->window));
}

/* feedkeep_prefix_walk(articles_fts, passes, w1, w2, w3): scores each
 * match the walk ranks (walk_ranks) into its heap, passes whether it
 * passes the search's filter (1 without one); returns NULL. */
static void prefix_function(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                            int nvalues, sqlite3_value **values)
{
    struct fk_store *store = api->xUserData(fts);
    struct prefix_walk *w = store ? store->prefix_walk : NULL;
    int rc = SQLITE_OK;
    if (!w) {
        sqlite3_result_error(ctx, PREFIX_FUNCTION ": not in a prefix search", -1);
        return;
    }
    w->seen++;
    bool passes = nvalues > 0 && sqlite3_value_type(values[0]) != SQLITE_NULL &&
                  sqlite3_value_int(values[0]) != 0;
    if (!walk_ranks(w, passes) || w->keep == 0)
        return;
    if (w->rows == 0) {
        sqlite3_int64 rows = 0, tokens = 0;
        rc = api->xRowCount(fts, &rows);
        if (rc == SQLITE_OK)
            rc = api->xColumnTotalSize(fts, -1, &tokens);
        w->rows = rows;
        w->avgdl = (double)tokens / (double)rows;
    }
    double freq = 0.0;
    int instances = 0;
    int ends[PREFIX_COLUMNS] = {0}; /* past the last instance in each column */
    if (rc == SQLITE_OK)
        rc = api->xInstCount(fts, &instances);
    for (int i = 0; rc == SQLITE_OK && i < instances; i++) {
        int phrase, column, offset;
        rc = api->xInst(fts, i, &phrase, &column, &offset);
        if (rc == SQLITE_OK) {
            freq += nvalues > column + 1 ? sqlite3_value_double(values[column + 1]) : 1.0;
            if (column >= 0 && column < PREFIX_COLUMNS && offset >= ends[column])
                ends[column] = offset + 1;
        }
    }
    struct prefix_row row = {0.0, api->xRowid(fts)};
    if (rc == SQLITE_OK && w->kept == w->keep && freq >= 0.0) {
        /* The score at the least length the row can have (feedkeep_bm25
         * does the same): a row that cannot beat the worst kept has its
         * length not looked up. */
        double least = 0.0;
        for (int c = 0; c < PREFIX_COLUMNS; c++)
            least += ends[c];
        if (score_part(freq, least, w->avgdl) < w->best[0].part) {
            store->rank_bounded++;
            return;
        }
    }
    int size = 0;
    if (rc == SQLITE_OK)
        rc = api->xColumnSize(fts, -1, &size);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    row.part = score_part(freq, (double)size, w->avgdl);
    heap_add(w, row);
}

int store_prefix_register(struct fk_store *store, struct fk_error *err)
{
    if (store_fts5_function(store, PREFIX_FUNCTION, prefix_function, &store->prefix_function_ready,
                            err) < 0)
        return -1;
    if (!store->prefix_need_ready) {
        if (sqlite3_create_function(store->db, "feedkeep_prefix_need", 0,
                                    SQLITE_UTF8 | SQLITE_DIRECTONLY, store, need_function, NULL,
                                    NULL) != SQLITE_OK)
            return store_db_error(store, err);
        store->prefix_need_ready = true;
    }
    return 0;
}

/* ---- the prefix as the index's tokenizer makes it ------------------------ */

struct first_token {
    int count;
    char *token;
};

static int first_token_cb(void *ctx, int flags, const char *token, int len, int start, int end)
{
    struct first_token *t = ctx;
    (void)start;
    (void)end;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (t->count++ == 0)
        t->token = fk_xstrndup(token, (size_t)len);
    return SQLITE_OK;
}

int store_prefix_setup(fts5_api *api, struct store_prefix *p, const char *text)
{
    void *user = NULL;
    memset(p, 0, sizeof *p);
    /* articles_fts names no tokenizer: FTS5's default, unicode61 with its
     * default options */
    if (api->xFindTokenizer(api, "unicode61", &user, &p->tokenizer) != SQLITE_OK ||
        p->tokenizer.xCreate(user, NULL, 0, &p->tok) != SQLITE_OK) {
        memset(p, 0, sizeof *p);
        return -1;
    }
    struct first_token t = {0, NULL};
    int rc = p->tokenizer.xTokenize(p->tok, &t, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, text,
                                    (int)strlen(text), first_token_cb);
    if (rc != SQLITE_OK || t.count != 1) {
        free(t.token);
        store_prefix_release(p);
        return 1; /* no word, or a phrase: FTS5's own cursors rank it */
    }
    p->token = t.token;
    p->token_len = strlen(t.token);
    return 0;
}

int store_prefix_init(struct fk_store *store, struct store_prefix *p, const char *text,
                      struct fk_error *err)
{
    fts5_api *api = NULL;
    memset(p, 0, sizeof *p);
    if (store_fts5_api(store, &api, err) < 0)
        return -1;
    int ret = store_prefix_setup(api, p, text);
    if (ret < 0)
        return fk_error_set(err, FK_ERROR_DB, "archive '%s': FTS5 has no unicode61 tokenizer",
                            store->path);
    return ret;
}

void store_prefix_release(struct store_prefix *p)
{
    if (p->tok)
        p->tokenizer.xDelete(p->tok);
    free(p->token);
    free(p->hits);
    memset(p, 0, sizeof *p);
}

/* ---- the walk ------------------------------------------------------------ */

static int by_rank(const void *a, const void *b)
{
    const struct prefix_row *x = a, *y = b;
    return row_below(x, y) ? 1 : row_below(y, x) ? -1 : 0;
}

static int by_rank_then_newest(const void *a, const void *b)
{
    const struct store_prefix_hit *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id ? 1 : 0;
}

int store_prefix_rank(struct fk_store *store, struct store_prefix *p, sqlite3_stmt *st, long window,
                      long scan, long limit, long offset, struct fk_error *err)
{
    struct prefix_walk w = {0};
    int ret = -1, rc;
    w.window = window;
    w.scan = scan;
    w.keep = (int)(limit + offset);
    w.best = fk_xcalloc((size_t)w.keep + 1, sizeof *w.best);
    store->prefix_walk = &w;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    store->prefix_walk = NULL;
    if (rc != SQLITE_DONE) {
        store_search_error(store, err);
        goto out;
    }
    store->rank_walks++;
    p->count = w.seen;
    /* the prefix's weight, as feedkeep_bm25 gives it: its count stops where
     * the weight reaches its floor */
    double hits = (double)(w.seen < w.rows ? w.seen : w.rows);
    double idf = log(((double)w.rows - hits + 0.5) / (hits + 0.5));
    if (idf <= 0.0)
        idf = 1e-6;
    qsort(w.best, (size_t)w.kept, sizeof *w.best, by_rank);
    p->nhits = w.kept > offset ? (size_t)(w.kept - offset) : 0;
    p->hits = fk_xcalloc(p->nhits + 1, sizeof *p->hits);
    for (size_t i = 0; i < p->nhits; i++) {
        const struct prefix_row *row = &w.best[offset + (long)i];
        double score = 0.0;
        score += idf * row->part;
        p->hits[i].id = row->id;
        p->hits[i].rank = -1.0 * score;
    }
    qsort(p->hits, p->nhits, sizeof *p->hits, by_rank_then_newest);
    ret = 0;
out:
    store->prefix_walk = NULL;
    free(w.best);
    return ret;
}

/* ---- the snippet ------------------------------------------------------- */

struct doc_token {
    int start, end; /* its bytes in the text */
};

/* The text as the tokenizer splits it: each token, the instances (tokens
 * starting with the prefix), the tokens that start a sentence. */
struct doc_split {
    const struct store_prefix *p;
    const char *text;
    struct doc_token *tokens;
    int ntokens, tokens_alloc;
    int *instances;
    int ninstances, instances_alloc;
    int *firsts;
    int nfirsts, firsts_alloc;
};

static void push_int(int **list, int *n, int *alloc, int value)
{
    if (*n == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 64;
        *list = fk_xrealloc(*list, (size_t)*alloc * sizeof **list);
    }
    (*list)[(*n)++] = value;
}

/* Add the token of bytes start to end of the text; instance: it starts
 * with the prefix. */
static void add_token(struct doc_split *d, int start, int end, bool instance)
{
    int pos = d->ntokens;
    if (d->ntokens == d->tokens_alloc) {
        d->tokens_alloc = d->tokens_alloc ? d->tokens_alloc * 2 : 256;
        d->tokens = fk_xrealloc(d->tokens, (size_t)d->tokens_alloc * sizeof *d->tokens);
    }
    d->tokens[d->ntokens++] = (struct doc_token){start, end};
    if (instance && d->p->in_text)
        push_int(&d->instances, &d->ninstances, &d->instances_alloc, pos);
    /* A sentence starts at the first token, and at a token after white
     * space that follows a full stop or a colon. */
    if (pos == 0) {
        push_int(&d->firsts, &d->nfirsts, &d->firsts_alloc, 0);
    } else {
        int i = start - 1;
        while (i >= 0 && (d->text[i] == ' ' || d->text[i] == '\t' || d->text[i] == '\n' ||
                          d->text[i] == '\r'))
            i--;
        if (i != start - 1 && i >= 0 && (d->text[i] == '.' || d->text[i] == ':'))
            push_int(&d->firsts, &d->nfirsts, &d->firsts_alloc, pos);
    }
}

static int doc_split_cb(void *ctx, int flags, const char *token, int len, int start, int end)
{
    struct doc_split *d = ctx;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    add_token(d, start, end,
              (size_t)len >= d->p->token_len && memcmp(token, d->p->token, d->p->token_len) == 0);
    return SQLITE_OK;
}

/* The score of the window of words tokens from first: 1000 for the
 * prefix, 1 for each further instance; with where a window centred on
 * its instances would start (-1 when it holds none). */
static int window_score(const struct doc_split *d, int first, int words, int *centred)
{
    int64_t end = (int64_t)first + words;
    int score = 0, ifirst = -1, ilast = 0;
    for (int i = 0; i < d->ninstances; i++) {
        int at = d->instances[i];
        if (at >= first && at < end) {
            score += score ? 1 : 1000;
            if (ifirst < 0)
                ifirst = at;
            ilast = at + 1;
        }
    }
    if (centred) {
        int64_t adj = ifirst - (words - (ilast - ifirst)) / 2;
        if (adj + words > d->ntokens)
            adj = d->ntokens - words;
        if (adj < 0)
            adj = 0;
        *centred = (int)adj;
    }
    return score;
}

static void add_text(struct fk_buf *out, const char *text, int from, int to)
{
    if (to > from)
        fk_buf_add(out, text + from, (size_t)(to - from));
}

char *store_prefix_snippet(const struct store_prefix *p, const char *text, int length,
                           const char *open, const char *close, const char *ellipsis, int words)
{
    struct doc_split d = {.p = p, .text = text ? text : ""};
    struct fk_buf out;
    fk_buf_init(&out, SIZE_MAX);
    if (!text || length < 0)
        length = 0;
    p->tokenizer.xTokenize(p->tok, &d, FTS5_TOKENIZE_DOCUMENT, d.text, length, doc_split_cb);

    /* The window: the best score, the first of equals, among those centred
     * on each instance and those starting the sentence it is in (worth 100
     * more, 120 at the text's start) where the text is longer than one. */
    int best = 0, start = 0;
    for (int i = 0; i < d.ninstances; i++) {
        int at = d.instances[i], centred;
        int score = window_score(&d, at, words, &centred);
        if (score > best) {
            best = score;
            start = centred;
        }
        if (d.nfirsts > 0 && d.ntokens > words) {
            int j = 0;
            while (j < d.nfirsts - 1 && d.firsts[j + 1] <= at)
                j++;
            if (d.firsts[j] < at) {
                score = window_score(&d, d.firsts[j], words, NULL) + (d.firsts[j] == 0 ? 120 : 100);
                if (score > best) {
                    best = score;
                    start = d.firsts[j];
                }
            }
        }
    }

    /* The window's words, each instance marked; FTS5 bounds the window
     * only when its last token is past the first. */
    int range_end = start + words - 1;
    int copied = 0, next = 0;
    if (start > 0)
        fk_buf_adds(&out, ellipsis);
    while (next < d.ninstances && d.instances[next] < start)
        next++;
    for (int pos = 0; pos < d.ntokens; pos++) {
        const struct doc_token *t = &d.tokens[pos];
        if (range_end > 0) {
            if (pos < start || pos > range_end)
                continue;
            if (start && pos == start)
                copied = t->start;
        }
        if (next < d.ninstances && pos == d.instances[next]) {
            add_text(&out, d.text, copied, t->start);
            fk_buf_adds(&out, open);
            add_text(&out, d.text, t->start, t->end);
            fk_buf_adds(&out, close);
            copied = t->end;
            next++;
        }
        if (range_end > 0 && pos == range_end) {
            add_text(&out, d.text, copied, t->end);
            if (t->end > copied)
                copied = t->end;
        }
    }
    if (range_end >= d.ntokens - 1)
        add_text(&out, d.text, copied, length);
    else
        fk_buf_adds(&out, ellipsis);
    free(d.tokens);
    free(d.instances);
    free(d.firsts);
    if (!out.data)
        fk_buf_adds(&out, "");
    return fk_buf_detach(&out);
}
