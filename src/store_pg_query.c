/* store_pg_query.c - the PostgreSQL store: listing, reading and searching
 * articles, versions, tags, authors, languages, completion and statistics.
 *
 * The SQLite store's results, in its order: where SQLite compares with
 * BINARY the statements here say COLLATE "C" (byte order whatever the
 * database's collation), where it says NOCASE (ASCII case only) they
 * compare ASCII_LOWER of both sides, and where its NULLs sort first
 * (smallest) the ORDER BY says so. Filters are built at run time from fixed
 * fragments with every value a parameter; the listings walk a cursor
 * (pg_walk), so a listing without a limit holds one batch at a time.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/search.h"
#include "store_pg_int.h"

/* SQLite's NOCASE: ASCII letters folded, nothing else. */
#define ASCII_LOWER_BEFORE "translate("
#define ASCII_LOWER_AFTER  ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
#define ASCII_LOWER(x)     ASCII_LOWER_BEFORE x ASCII_LOWER_AFTER

/* A language folded in ASCII case, compared in byte order: the key of
 * the index code_blocks_language (which must spell it the same). */
#define LANGUAGE_KEY(x) ASCII_LOWER(x) " COLLATE \"C\""

/* An author name folded as the authors_fts tokenizer (unicode61
 * remove_diacritics 2) sees it: lower case, the common Latin accents
 * taken off (a name of ASCII alone needs only lower(), far quicker than
 * translate()), then its words (runs of ASCII letters and digits and of
 * anything not ASCII) separated by single spaces. */
#define AUTHOR_FOLD(x)                                                                             \
    "CASE WHEN octet_length(" x ") = length(" x ") THEN lower(" x ")"                              \
    " ELSE " AUTHOR_ACCENTS(x) " END"
#define AUTHOR_ACCENTS(x)                                                                          \
    "translate(lower(" x "), "                                                                     \
    "'\xC3\xA0\xC3\xA1\xC3\xA2\xC3\xA3\xC3\xA4\xC3\xA5\xC4\x81\xC4\x83\xC4\x85"                    \
    "\xC3\xA7\xC4\x87\xC4\x8D\xC4\x8F\xC3\xA8\xC3\xA9\xC3\xAA\xC3\xAB\xC4\x93\xC4\x97\xC4\x99"     \
    "\xC4\x9B\xC3\xAC\xC3\xAD\xC3\xAE\xC3\xAF\xC4\xAB\xC4\xAF\xC3\xB1\xC5\x84\xC5\x88"             \
    "\xC3\xB2\xC3\xB3\xC3\xB4\xC3\xB5\xC3\xB6\xC5\x8D\xC5\x91\xC3\xB9\xC3\xBA\xC3\xBB\xC3\xBC"     \
    "\xC5\xAB\xC5\xAF\xC5\xB1\xC5\xB3\xC3\xBD\xC3\xBF\xC5\xBE\xC5\xBA\xC5\xBC\xC5\x9B\xC5\xA1"     \
    "\xC5\x9F\xE1\xBB\x85\xE1\xBA\xA1\xE1\xBB\x87\xE1\xBB\x8D\xE1\xBB\xA5', "                      \
    "'aaaaaaaaacccdeeeeeeeeiiiiiinnnooooooouuuuuuuuyyzzzssseaeou')"
#define AUTHOR_WORDS(x)                                                                            \
    "(' ' || regexp_replace(" AUTHOR_FOLD(                                                         \
        x) ","                                                                                     \
           " '[\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]+', ' ', 'g') || ' ')"
/* The author filter around its parameter (author_words), on the names
 * a.author: every line of it is a run of their words. */
#define AUTHOR_MATCH_BEFORE                                                                        \
    " AND a.author IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unnest(string_to_array("
#define AUTHOR_MATCH_AFTER                                                                         \
    ", E'\\n')) AS w(word) WHERE strpos(" AUTHOR_WORDS("a.author") ", ' ' || " AUTHOR_FOLD(        \
        "w.word") " || ' ') = 0)"

/* The columns of a struct fk_article, articles being a, and their order;
 * the tags come as an array (sorted by name in byte order), feed_url is
 * the first feed that carried the article (the first row of
 * article_feeds). */
#define ARTICLE_COLUMNS_WITH(feed_url, tags)                                                       \
    "a.id, a.guid, a.url, a.title, a.author, fk_epoch(a.published), "                              \
    "fk_epoch(a.updated), " feed_url                                                               \
    ", fk_epoch(a.first_seen), fk_epoch(a.last_seen), fk_epoch(a.date),"                           \
    " a.author_email, " tags
#define ARTICLE_SELECT                                                                             \
    ARTICLE_COLUMNS_WITH("(SELECT (SELECT f.url FROM feeds f WHERE f.id = af.feed_id)"             \
                         " FROM article_feeds af WHERE af.article_id = a.id"                       \
                         " ORDER BY af.seq LIMIT 1)",                                              \
                         "ARRAY(SELECT n FROM (SELECT (SELECT t.name FROM tags t"                  \
                         " WHERE t.id = at.tag_id) AS n FROM article_tags at"                      \
                         " WHERE at.article_id = a.id) x ORDER BY n COLLATE \"C\")")
/* ARTICLE_SELECT without the feed and the tags, which a listing reads
 * for a batch of rows at once (ARTICLE_EXTRAS). */
#define ARTICLE_SELECT_BARE ARTICLE_COLUMNS_WITH("NULL::text", "NULL::text[]")
/* The first feed and the tags of the articles $1 (an array of ids), a row
 * for each in the order of the array: id, feed URL, tags. */
#define ARTICLE_EXTRAS                                                                             \
    "SELECT u.id, (SELECT f.url FROM feeds f WHERE f.id = fd.feed_id), tg.names"                   \
    " FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, n)"                                       \
    " LEFT JOIN (SELECT DISTINCT ON (af.article_id) af.article_id, af.feed_id"                     \
    " FROM article_feeds af WHERE af.article_id = ANY($1::bigint[])"                               \
    " ORDER BY af.article_id, af.seq) fd ON fd.article_id = u.id"                                  \
    " LEFT JOIN (SELECT at.article_id, array_agg(t.name ORDER BY t.name COLLATE \"C\") AS names"   \
    " FROM article_tags at JOIN tags t ON t.id = at.tag_id"                                        \
    " WHERE at.article_id = ANY($1::bigint[]) GROUP BY at.article_id) tg ON tg.article_id = u.id"  \
    " ORDER BY u.n"
enum {
    COL_ID,
    COL_GUID,
    COL_URL,
    COL_TITLE,
    COL_AUTHOR,
    COL_PUBLISHED,
    COL_UPDATED,
    COL_FEED_URL,
    COL_FIRST_SEEN,
    COL_LAST_SEEN,
    COL_DATE,
    COL_AUTHOR_EMAIL,
    COL_TAGS,
    COL_COUNT
};

/* The columns of a struct fk_code_row, code_blocks being c and articles a. */
#define CODE_SELECT "c.id, c.article_id, c.position, c.language, c.code, c.lines, a.title"

/* ---- queries built at run time ------------------------------------------- */

struct query {
    struct fk_buf sql;
    struct pg_params params;
    bool failed; /* too many parameters, or the SQL too long */
};

static void query_init(struct query *q)
{
    memset(q, 0, sizeof *q);
    fk_buf_init(&q->sql, 0);
}

static void query_add(struct query *q, const char *fragment)
{
    if (fk_buf_adds(&q->sql, fragment) < 0)
        q->failed = true;
}

/* Append before, the placeholder of the next parameter, then after. */
static bool query_placeholder(struct query *q, const char *before, const char *after)
{
    if (q->params.count >= PG_MAX_PARAMS) {
        q->failed = true;
        return false;
    }
    if (fk_buf_printf(&q->sql, "%s$%d%s", before, q->params.count + 1, after) < 0)
        q->failed = true;
    return true;
}

/* A text parameter (it must live until the statement has run). */
static void query_text(struct query *q, const char *before, const char *text, const char *after)
{
    if (query_placeholder(q, before, after))
        pg_add_text(&q->params, text);
}

static void query_int64(struct query *q, const char *before, int64_t n, const char *after)
{
    if (query_placeholder(q, before, after))
        pg_add_int64(&q->params, n);
}

/* A time: the placeholder in to_timestamp(). */
static void query_time(struct query *q, const char *before, int64_t t, const char *after)
{
    struct fk_buf b = FK_BUF_INIT;
    fk_buf_printf(&b, "%sto_timestamp(", before);
    if (query_placeholder(q, b.data ? b.data : "", ")"))
        pg_add_time(&q->params, t);
    fk_buf_release(&b);
    query_add(q, after);
}

static int query_check(const struct query *q, struct fk_error *err)
{
    return q->failed ? fk_error_set(err, FK_ERROR_USAGE, "too many tags in the filter") : 0;
}

/* ---- filters ------------------------------------------------------------- */

/* A filter made ready for SQL: tags normalised, arrays and the author's
 * words as the text of parameters. */
struct plan {
    const struct fk_filter *f;
    struct tag_list tags;
    struct tag_list any_tags;
    char *more_tags; /* tags after the first PLAN_TAGS, as an array literal */
    char *any_array; /* any_tags as an array literal */
    char *authors;   /* the names (lower case) the author filter matches, as
                        an array literal; NULL: no author filter */
    bool by_tag;     /* the first tag is article_tags t0, joined by the
                        caller, its date the filter's (as the SQLite store) */
};

/* Tags of a filter each probed on its own (the planner sees each); those
 * after them are probed together from an array. */
#define PLAN_TAGS 6

static void plan_release(struct plan *p)
{
    store_tag_list_release(&p->tags);
    store_tag_list_release(&p->any_tags);
    free(p->more_tags);
    free(p->any_array);
    free(p->authors);
}

/* names[from..] as a PostgreSQL array literal: each element in double
 * quotes, its quotes and backslashes escaped. */
static char *array_literal(char *const *names, size_t from, size_t count)
{
    struct fk_buf b;
    fk_buf_init(&b, SIZE_MAX);
    fk_buf_addc(&b, '{');
    for (size_t i = from; i < count; i++) {
        if (i > from)
            fk_buf_addc(&b, ',');
        fk_buf_addc(&b, '"');
        for (const char *s = names[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                fk_buf_addc(&b, '\\');
            fk_buf_addc(&b, *s);
        }
        fk_buf_addc(&b, '"');
    }
    fk_buf_addc(&b, '}');
    return fk_buf_detach(&b);
}

/* The author filter's words, as the SQLite store's author_query reads them
 * (split at ASCII space; a word without letters or digits ignored), each
 * a line of its tokens (runs of ASCII letters and digits and of anything
 * not ASCII) joined by spaces. NULL when there is no word. */
static char *author_words(const char *author)
{
    struct fk_buf out = FK_BUF_INIT, word = FK_BUF_INIT;
    for (const char *p = author; *p;) {
        while (*p && fk_is_space(*p))
            p++;
        bool letters = false, in_token = false;
        fk_buf_reset(&word);
        for (; *p && !fk_is_space(*p); p++) {
            unsigned char c = (unsigned char)*p;
            bool token =
                c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            if (token) {
                if (!in_token && word.len)
                    fk_buf_addc(&word, ' ');
                fk_buf_addc(&word, (char)c);
                letters = true;
            }
            in_token = token;
        }
        if (letters) {
            if (out.len)
                fk_buf_addc(&out, '\n');
            fk_buf_adds(&out, word.data);
        }
    }
    fk_buf_release(&word);
    if (!out.len) {
        fk_buf_release(&out);
        return NULL;
    }
    return fk_buf_detach(&out);
}

/* The authors' names folded in ASCII case (k), each once: the keys of
 * the kept counts (schema 2), with any not folded in yet (a key whose
 * articles are all gone matches no article). */
#define AUTHOR_KEYS                                                                                \
    "SELECT key AS k FROM counts WHERE kind = 'u'"                                                 \
    " UNION SELECT key FROM count_changes WHERE kind = 'u'"

/* The folded author name and filter word of find_authors. */
#define NAME_FOLDED AUTHOR_FOLD("a.author")
#define WORD_FOLDED AUTHOR_FOLD("w.word")
/* Each word of the filter ($1, author_words: lines of words), as w.word. */
#define FILTER_WORDS "unnest(string_to_array(translate($1, E'\\n', ' '), ' ')) w(word)"

/* The names of the archive's authors (in lower case) that have every
 * word of the author filter (author_words), as an array literal: "{}"
 * when none has. The SQLite store finds them through authors_fts. A name
 * without each of the filter's words somewhere in it (LIKE; a word is a
 * run of letters and digits, no pattern character) is passed over before
 * its own words are split: 10 ms rather than 43 for 12,280 names. */
static char *find_authors(struct pg_store *ps, const char *words, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, words);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT coalesce(array_agg(a.author), '{}')::text FROM (SELECT DISTINCT"
                 " lower(k COLLATE \"default\") AS author FROM (" AUTHOR_KEYS ") k) a"
                 " WHERE " NAME_FOLDED " LIKE ALL (ARRAY(SELECT '%' || " WORD_FOLDED " || '%'"
                 " FROM " FILTER_WORDS "))" AUTHOR_MATCH_BEFORE "$1" AUTHOR_MATCH_AFTER,
                 &params, err);
    if (!r)
        return NULL;
    char *names = pg_rows(r) == 1 ? fk_xstrdup(pg_text(r, 0, 0)) : fk_xstrdup("{}");
    pg_result_free(r);
    return names;
}

static int plan_init(struct pg_store *ps, struct plan *p, const struct fk_filter *f,
                     struct fk_error *err)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    if ((unsigned)f->sort > FK_SORT_FIRST_SEEN)
        return fk_error_set(err, FK_ERROR_USAGE, "unknown sort order");
    store_normalize_tags(&p->tags, f->tags, f->tags ? f->ntags : 0);
    store_normalize_tags(&p->any_tags, f->any_tags, f->any_tags ? f->nany_tags : 0);
    if (p->tags.count > PLAN_TAGS)
        p->more_tags = array_literal(p->tags.names, PLAN_TAGS, p->tags.count);
    if (p->any_tags.count)
        p->any_array = array_literal(p->any_tags.names, 0, p->any_tags.count);
    if (f->author && *f->author) {
        char *words = author_words(f->author);
        if (!words)
            return fk_error_set(err, FK_ERROR_USAGE, "the author '%s' has no words", f->author);
        p->authors = find_authors(ps, words, err);
        free(words);
        if (!p->authors)
            return -1;
    }
    return 0;
}

/* Whether the filter selects fewer than all articles. */
static bool plan_filters(const struct plan *p)
{
    const struct fk_filter *f = p->f;
    return p->tags.count || p->any_tags.count || f->since != FK_TIME_NONE ||
           f->until != FK_TIME_NONE || f->feed_id > 0 || p->authors || f->has_code ||
           f->archived_since != FK_TIME_NONE || f->changed_since != FK_TIME_NONE ||
           (f->feed_tag && *f->feed_tag) || f->changed_after;
}

/* Append the conditions (each " AND ...") of the filter on articles a. */
static void plan_add_where(struct query *q, const struct plan *p)
{
    const struct fk_filter *f = p->f;
    /* Walking a tag's articles, each further tag is a probe of
     * article_tags' primary key for each article reached. OFFSET 0 keeps
     * the planner from making it a join, which it would plan from a
     * tag's average number of articles (tens, where a common tag has
     * thousands): in a cursor, a nested loop over both tags' rows, 237 ms
     * rather than 5 for two tags at 100,000 articles. */
    for (size_t i = p->by_tag ? 1 : 0; i < p->tags.count && i < PLAN_TAGS; i++) {
        if (p->by_tag)
            query_text(q,
                       " AND EXISTS (SELECT 1 FROM article_tags tn WHERE tn.article_id = a.id"
                       " AND tn.tag_id = (SELECT tt.id FROM tags tt WHERE tt.name = ",
                       p->tags.names[i], ") OFFSET 0)");
        else
            query_text(q,
                       " AND EXISTS (SELECT 1 FROM article_tags tn JOIN tags tt"
                       " ON tt.id = tn.tag_id WHERE tn.article_id = a.id AND tt.name = ",
                       p->tags.names[i], ")");
    }
    if (p->more_tags)
        query_text(q, " AND NOT EXISTS (SELECT 1 FROM unnest(", p->more_tags,
                   "::text[]) AS w(name) WHERE NOT EXISTS (SELECT 1 FROM article_tags tn"
                   " JOIN tags tt ON tt.id = tn.tag_id WHERE tn.article_id = a.id"
                   " AND tt.name = w.name))");
    if (p->any_array)
        query_text(q,
                   " AND EXISTS (SELECT 1 FROM article_tags ta JOIN tags tt ON tt.id = ta.tag_id"
                   " WHERE ta.article_id = a.id AND tt.name = ANY(",
                   p->any_array, "::text[]))");
    if (f->since != FK_TIME_NONE)
        query_time(q, p->by_tag ? " AND t0.date >= " : " AND a.date >= ", f->since, "");
    if (f->until != FK_TIME_NONE)
        query_time(q, p->by_tag ? " AND t0.date < " : " AND a.date < ", f->until, "");
    if (f->feed_id > 0)
        query_int64(q,
                    " AND EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = a.id"
                    " AND af.feed_id = ",
                    f->feed_id, ")");
    if (f->feed_tag && *f->feed_tag) {
        /* lower() for the index, ASCII_LOWER for NOCASE's equality */
        query_text(q,
                   " AND EXISTS (SELECT 1 FROM article_feeds aft JOIN feed_tags ft"
                   " ON ft.feed_id = aft.feed_id WHERE aft.article_id = a.id"
                   " AND lower(ft.name) = lower(trim(",
                   f->feed_tag, "))");
        if (fk_buf_printf(&q->sql,
                          " AND " ASCII_LOWER("ft.name") " = " ASCII_LOWER("trim($%d)") ")",
                          q->params.count) < 0)
            q->failed = true;
    }
    /* through articles_author */
    if (p->authors)
        query_text(q, " AND lower(a.author) = ANY(", p->authors, "::text[])");
    if (f->archived_since != FK_TIME_NONE)
        query_time(q, " AND a.first_seen >= ", f->archived_since, "");
    if (f->changed_since != FK_TIME_NONE) {
        query_time(q, " AND (a.first_seen >= ", f->changed_since, "");
        query_time(q,
                   " OR EXISTS (SELECT 1 FROM article_versions v WHERE v.article_id = a.id"
                   " AND v.kind = 'replaced' AND v.replaced_at >= ",
                   f->changed_since, "))");
    }
    if (f->has_code) {
        query_add(q, " AND EXISTS (SELECT 1 FROM code_blocks cb WHERE cb.article_id = a.id");
        if (f->has_code_language && *f->has_code_language) {
            query_text(q, " AND " LANGUAGE_KEY("cb.language") " = " ASCII_LOWER_BEFORE,
                       f->has_code_language, ASCII_LOWER_AFTER);
        }
        query_add(q, ")");
    }
    if (f->changed_after) {
        query_int64(q, " AND (a.id > ", f->changed_after->article_id, "");
        query_int64(q,
                    " OR EXISTS (SELECT 1 FROM article_versions cv WHERE cv.article_id = a.id"
                    " AND cv.kind = 'replaced' AND cv.id > ",
                    f->changed_after->version_id, ")");
        if (f->export_dir)
            query_int64(q, " OR NOT EXISTS (SELECT 1 FROM export_files ef WHERE ef.dir_id = ",
                        f->export_dir, " AND ef.article_id = a.id)");
        query_add(q, ")");
    }
}

/* The sort keys of enum fk_sort over articles a. */
static const char *const sort_keys[] = {
    [FK_SORT_PUBLISHED] = "a.date",
    [FK_SORT_UPDATED] = "coalesce(a.updated, a.published)",
    [FK_SORT_FIRST_SEEN] = "a.first_seen",
};

/* " ORDER BY key, id" in the filter's direction: newest first with the
 * articles without a date last, or the reverse (SQLite's NULL is the
 * smallest value). */
static void query_add_order(struct query *q, const struct fk_filter *f, const char *key,
                            const char *id)
{
    query_add(q, " ORDER BY ");
    query_add(q, key);
    query_add(q, f->reverse ? " ASC NULLS FIRST, " : " DESC NULLS LAST, ");
    query_add(q, id);
    query_add(q, f->reverse ? " ASC" : " DESC");
}

static void query_add_limit(struct query *q, const struct fk_filter *f)
{
    if (f->limit > 0)
        query_int64(q, " LIMIT ", f->limit, "");
    if (f->offset > 0)
        query_int64(q, " OFFSET ", f->offset, "");
}

/* f, or none (filled with no condition) when f is NULL. */
static const struct fk_filter *filter_or_none(const struct fk_filter *f, struct fk_filter *none)
{
    if (f)
        return f;
    fk_filter_init(none);
    return none;
}

/* ---- reading rows -------------------------------------------------------- */

/* Parse the text of a PostgreSQL text[] ("{a,\"b c\",NULL}") into list. */
static void parse_array(const char *s, struct tag_list *list)
{
    store_tag_list_clear(list);
    if (!s || *s != '{')
        return;
    s++;
    struct fk_buf item;
    fk_buf_init(&item, SIZE_MAX);
    while (*s && *s != '}') {
        fk_buf_reset(&item);
        bool quoted = *s == '"';
        if (quoted) {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1])
                    s++;
                fk_buf_addc(&item, *s);
            }
            if (*s == '"')
                s++;
        } else {
            for (; *s && *s != ',' && *s != '}'; s++)
                fk_buf_addc(&item, *s);
        }
        if (quoted || strcmp(item.data ? item.data : "", "NULL") != 0)
            store_tag_list_push(list, fk_xstrdup(item.data ? item.data : ""));
        if (*s == ',')
            s++;
    }
    fk_buf_release(&item);
}

/* Fill a from the ARTICLE_SELECT columns of row (from column base on);
 * the strings point into r, the tags into tags. */
static void read_article(const struct pg_result *r, int row, int base, struct fk_article *a,
                         struct tag_list *tags)
{
    memset(a, 0, sizeof *a);
    a->id = pg_number(r, row, base + COL_ID);
    a->guid = pg_text_or_null(r, row, base + COL_GUID);
    a->url = pg_text_or_null(r, row, base + COL_URL);
    a->title = pg_text_or_null(r, row, base + COL_TITLE);
    a->author = pg_text_or_null(r, row, base + COL_AUTHOR);
    a->published = pg_time(r, row, base + COL_PUBLISHED);
    a->updated = pg_time(r, row, base + COL_UPDATED);
    a->feed_url = pg_text_or_null(r, row, base + COL_FEED_URL);
    a->first_seen = pg_time(r, row, base + COL_FIRST_SEEN);
    a->last_seen = pg_time(r, row, base + COL_LAST_SEEN);
    a->date = pg_time(r, row, base + COL_DATE);
    a->author_email = pg_text_or_null(r, row, base + COL_AUTHOR_EMAIL);
    parse_array(pg_text_or_null(r, row, base + COL_TAGS), tags);
    a->tags = (const char *const *)tags->names;
    a->ntags = tags->count;
}

/* Walk the rows of sql: row_fn gets each until it returns non-zero.
 * Returns 0, row_fn's non-zero return, or -1 with err filled. */
typedef int walk_row_fn(const struct pg_result *r, int row, void *ctx);
/* Called with each batch before its rows: 0, or -1 with err filled. */
typedef int walk_batch_fn(const struct pg_result *r, void *ctx, struct fk_error *err);

static int walk_sized(struct pg_store *ps, const char *sql, const struct pg_params *params,
                      int batch, walk_batch_fn *batch_fn, walk_row_fn *row_fn, void *ctx,
                      struct fk_error *err)
{
    struct pg_walk *walk = pg_walk_begin(ps->conn, sql, params, err);
    if (!walk)
        return -1;
    if (batch > 0)
        pg_walk_set_batch(walk, batch);
    int ret = 0;
    for (;;) {
        struct pg_result *r = pg_walk_next(walk, err);
        if (!r) {
            ret = -1;
            break;
        }
        int rows = pg_rows(r);
        if (rows > 0 && batch_fn)
            ret = batch_fn(r, ctx, err);
        for (int i = 0; ret == 0 && i < rows; i++)
            ret = row_fn(r, i, ctx);
        pg_result_free(r);
        if (ret != 0 || rows == 0 || pg_walk_done(walk))
            break;
    }
    /* A walk stopped by fn or by an error still ends; its error first. */
    struct fk_error end_err = {0};
    if (pg_walk_end(walk, ret < 0 ? &end_err : err) < 0 && ret == 0)
        ret = -1;
    return ret;
}

static int walk_batches(struct pg_store *ps, const char *sql, const struct pg_params *params,
                        walk_batch_fn *batch_fn, walk_row_fn *row_fn, void *ctx,
                        struct fk_error *err)
{
    return walk_sized(ps, sql, params, 0, batch_fn, row_fn, ctx, err);
}

static int walk_rows(struct pg_store *ps, const char *sql, const struct pg_params *params,
                     walk_row_fn *row_fn, void *ctx, struct fk_error *err)
{
    return walk_batches(ps, sql, params, NULL, row_fn, ctx, err);
}

/* walk_rows for a statement of few rows (a limit of at most ONE_STATEMENT
 * rows): run at once, without a cursor and its transaction, which cost
 * round trips to the server. */
#define ONE_STATEMENT 1000

static int walk_all(struct pg_store *ps, const char *sql, const struct pg_params *params,
                    walk_row_fn *row_fn, void *ctx, struct fk_error *err)
{
    struct pg_result *r = pg_query_text(ps->conn, sql, params, err);
    if (!r)
        return -1;
    int ret = 0;
    for (int i = 0; ret == 0 && i < pg_rows(r); i++)
        ret = row_fn(r, i, ctx);
    pg_result_free(r);
    return ret;
}

/* ---- listings ------------------------------------------------------------ */

struct article_walk {
    struct pg_store *ps;
    struct tag_list tags;
    struct pg_result *extras; /* ARTICLE_EXTRAS of the batch */
    fk_article_fn fn;
    void *ctx;
};

/* Read the first feeds and the tags of a batch of articles. */
static int article_batch(const struct pg_result *r, void *ctx, struct fk_error *err)
{
    struct article_walk *walk = ctx;
    struct fk_buf ids;
    struct pg_params params = PG_PARAMS_INIT;
    fk_buf_init(&ids, SIZE_MAX);
    fk_buf_addc(&ids, '{');
    for (int i = 0; i < pg_rows(r); i++)
        fk_buf_printf(&ids, "%s%s", i ? "," : "", pg_text(r, i, COL_ID));
    fk_buf_addc(&ids, '}');
    pg_add_text(&params, ids.data);
    pg_result_free(walk->extras);
    walk->extras = pg_query(walk->ps->conn, ARTICLE_EXTRAS, &params, err);
    fk_buf_release(&ids);
    if (!walk->extras)
        return -1;
    if (pg_rows(walk->extras) != pg_rows(r))
        return fk_error_set(err, FK_ERROR_DB, "'%s': the tags of a listing went missing",
                            pg_shown(walk->ps->conn));
    return 0;
}

static int article_row(const struct pg_result *r, int row, void *ctx)
{
    struct article_walk *walk = ctx;
    struct fk_article article;
    read_article(r, row, 0, &article, &walk->tags);
    article.feed_url = pg_text_or_null(walk->extras, row, 1);
    parse_array(pg_text_or_null(walk->extras, row, 2), &walk->tags);
    article.tags = (const char *const *)walk->tags.names;
    article.ntags = walk->tags.count;
    return walk->fn(&article, walk->ctx);
}

/* Put first the tag of the filter with the fewest articles (by the kept
 * counts, without the changes not folded in yet), among the first
 * PLAN_TAGS: its articles are the ones walked, the others probed. */
static int plan_rarest_first(struct pg_store *ps, struct plan *p, struct fk_error *err)
{
    size_t count = p->tags.count < PLAN_TAGS ? p->tags.count : PLAN_TAGS;
    if (count < 2)
        return 0;
    struct pg_params params = PG_PARAMS_INIT;
    char *names = array_literal(p->tags.names, 0, count);
    pg_add_text(&params, names);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT u.i FROM unnest($1::text[]) WITH ORDINALITY AS u(name, i)"
                 " LEFT JOIN tags t ON t.name = u.name"
                 " LEFT JOIN counts c ON c.kind = 't' AND c.key = t.id::text"
                 " ORDER BY coalesce(c.n, 0), u.i LIMIT 1",
                 &params, err);
    free(names);
    if (!r)
        return -1;
    long rarest = pg_rows(r) == 1 ? pg_number(r, 0, 0) - 1 : 0;
    pg_result_free(r);
    if (rarest > 0 && (size_t)rarest < count) {
        char *name = p->tags.names[rarest];
        p->tags.names[rarest] = p->tags.names[0];
        p->tags.names[0] = name;
    }
    return 0;
}

int store_pg_list(struct pg_store *ps, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err)
{
    struct fk_filter no_filter;
    struct plan p = {0};
    struct article_walk walk = {ps, {0}, NULL, fn, ctx};
    struct query q;
    int ret = -1;

    query_init(&q);
    f = filter_or_none(f, &no_filter);
    if (plan_init(ps, &p, f, err) < 0)
        goto out;
    /* The feeds and tags come batch by batch (article_batch). In the
     * order of the dates, a tag's articles are read from article_tags_tag
     * in that order, as far as the limit. */
    p.by_tag = p.tags.count && f->sort == FK_SORT_PUBLISHED;
    if (p.by_tag && plan_rarest_first(ps, &p, err) < 0)
        goto out;
    query_add(&q, "SELECT " ARTICLE_SELECT_BARE " FROM articles a");
    if (p.by_tag)
        query_text(&q,
                   " JOIN article_tags t0 ON t0.article_id = a.id AND t0.tag_id ="
                   " (SELECT tt.id FROM tags tt WHERE tt.name = ",
                   p.tags.names[0], ")");
    query_add(&q, " WHERE true");
    plan_add_where(&q, &p);
    if (p.by_tag)
        query_add_order(&q, f, "t0.date", "t0.article_id");
    else
        query_add_order(&q, f, sort_keys[f->sort], "a.id");
    query_add_limit(&q, f);
    if (query_check(&q, err) < 0)
        goto out;
    ret = walk_batches(ps, q.sql.data, &q.params, article_batch, article_row, &walk, err);
out:
    pg_result_free(walk.extras);
    fk_buf_release(&q.sql);
    plan_release(&p);
    store_tag_list_release(&walk.tags);
    return ret;
}

/* The memory behind an article from fk_store_get_article: the layout of
 * store_query.c's struct article_memory, which fk_article_release frees. */
struct article_memory {
    char *strings[12];
    struct tag_list tags;
    struct tag_list feeds;
};

int store_pg_get_article(struct pg_store *ps, int64_t id, struct fk_article *out,
                         struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    struct pg_result *r = NULL;
    int ret = -1;

    memset(out, 0, sizeof *out);
    pg_add_int64(&params, id);
    r = pg_query(ps->conn,
                 "SELECT " ARTICLE_SELECT ", a.text, a.markdown, a.published_raw, a.updated_raw,"
                 " a.summary_html, a.content_html,"
                 " (SELECT count(*) FROM article_versions v WHERE v.article_id = a.id),"
                 " (SELECT array_agg(f.url ORDER BY af.seq) FROM article_feeds af"
                 " JOIN feeds f ON f.id = af.feed_id WHERE af.article_id = a.id)"
                 " FROM articles a WHERE a.id = $1",
                 &params, err);
    if (!r)
        goto out;
    if (pg_rows(r) == 0) {
        ret = 1;
        goto out;
    }
    struct article_memory *memory = fk_xcalloc(1, sizeof *memory);
    char **s = memory->strings;
    struct fk_article a;
    out->priv = memory;
    read_article(r, 0, 0, &a, &memory->tags);
    out->id = a.id;
    out->published = a.published;
    out->updated = a.updated;
    out->first_seen = a.first_seen;
    out->last_seen = a.last_seen;
    out->date = a.date;
    out->guid = s[0] = a.guid ? fk_xstrdup(a.guid) : NULL;
    out->url = s[1] = a.url ? fk_xstrdup(a.url) : NULL;
    out->title = s[2] = a.title ? fk_xstrdup(a.title) : NULL;
    out->author = s[3] = a.author ? fk_xstrdup(a.author) : NULL;
    out->feed_url = s[4] = a.feed_url ? fk_xstrdup(a.feed_url) : NULL;
    out->author_email = s[11] = a.author_email ? fk_xstrdup(a.author_email) : NULL;
    static const int columns[] = {5, 6, 7, 8, 9, 10}; /* strings[] of each extra column */
    for (int i = 0; i < 6; i++) {
        const char *v = pg_text_or_null(r, 0, COL_COUNT + i);
        s[columns[i]] = v ? fk_xstrdup(v) : NULL;
    }
    out->text = s[5] ? s[5] : (s[5] = fk_xstrdup(""));
    out->markdown = s[6] ? s[6] : (s[6] = fk_xstrdup(""));
    out->published_raw = s[7];
    out->updated_raw = s[8];
    out->summary_html = s[9];
    out->content_html = s[10];
    out->versions = pg_number(r, 0, COL_COUNT + 6);
    out->tags = (const char *const *)memory->tags.names;
    out->ntags = memory->tags.count;
    parse_array(pg_text_or_null(r, 0, COL_COUNT + 7), &memory->feeds);
    out->feeds = (const char *const *)memory->feeds.names;
    out->nfeeds = memory->feeds.count;
    ret = 0;
out:
    pg_result_free(r);
    if (ret != 0)
        fk_article_release(out);
    return ret;
}

static void read_code_row(const struct pg_result *r, int row, struct fk_code_row *c)
{
    c->id = pg_number(r, row, 0);
    c->article_id = pg_number(r, row, 1);
    c->position = (int)pg_number(r, row, 2);
    c->language = pg_text_or_null(r, row, 3);
    c->code = pg_text(r, row, 4);
    c->lines = (size_t)pg_number(r, row, 5);
    c->article_title = pg_text_or_null(r, row, 6);
}

struct code_walk {
    fk_code_fn fn;
    void *ctx;
};

static int code_row(const struct pg_result *r, int row, void *ctx)
{
    struct code_walk *walk = ctx;
    struct fk_code_row c;
    read_code_row(r, row, &c);
    return walk->fn(&c, walk->ctx);
}

int store_pg_list_code(struct pg_store *ps, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err)
{
    struct fk_filter no_filter;
    struct plan p = {0};
    struct code_walk walk = {fn, ctx};
    struct query q;
    int ret = -1;

    query_init(&q);
    f = filter_or_none(f, &no_filter);
    if (plan_init(ps, &p, f, err) < 0)
        goto out;
    query_add(&q, "SELECT " CODE_SELECT
                  " FROM code_blocks c JOIN articles a ON a.id = c.article_id WHERE true");
    plan_add_where(&q, &p);
    if (f->language && *f->language) {
        query_text(&q, " AND " LANGUAGE_KEY("c.language") " = " ASCII_LOWER_BEFORE, f->language,
                   ASCII_LOWER_AFTER);
    }
    query_add_order(&q, f, sort_keys[f->sort], "a.id");
    query_add(&q, ", c.position");
    query_add_limit(&q, f);
    if (query_check(&q, err) < 0)
        goto out;
    ret = walk_rows(ps, q.sql.data, &q.params, code_row, &walk, err);
out:
    fk_buf_release(&q.sql);
    plan_release(&p);
    return ret;
}

int store_pg_get_code(struct pg_store *ps, int64_t id, fk_code_fn fn, void *ctx,
                      struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_int64(&params, id);
    struct pg_result *r = pg_query(ps->conn,
                                   "SELECT " CODE_SELECT " FROM code_blocks c JOIN articles a"
                                   " ON a.id = c.article_id WHERE c.id = $1",
                                   &params, err);
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) > 0) {
        struct fk_code_row c;
        read_code_row(r, 0, &c);
        ret = fn(&c, ctx);
    }
    pg_result_free(r);
    return ret;
}

/* ---- counts -------------------------------------------------------------- */

/* Read the numbers of the one row of sql into fields. */
static int one_row(struct pg_store *ps, const char *sql, const struct pg_params *params,
                   int64_t *const *fields, int n, struct fk_error *err)
{
    struct pg_result *r = pg_query(ps->conn, sql, params, err);
    if (!r)
        return -1;
    int ret = 0;
    if (pg_rows(r) != 1)
        ret = fk_error_set(err, FK_ERROR_DB, "'%s': a count gave no row", pg_shown(ps->conn));
    for (int i = 0; ret == 0 && i < n; i++)
        *fields[i] = pg_number(r, 0, i);
    pg_result_free(r);
    return ret;
}

/* The kept counts of a kind (schema 2, store_pg.c) as rows of key, name,
 * n and newest: the rows of counts alone while no change of the kind is
 * waiting to be folded in, else counts_now, which adds them up (one
 * snapshot decides; the other branch is never run). */
#define KEPT(kind)                                                                                 \
    "(SELECT key, name, n, newest FROM counts WHERE kind = '" kind "'"                             \
    " AND NOT EXISTS (SELECT 1 FROM count_changes WHERE kind = '" kind "')"                        \
    " UNION ALL SELECT key, name, n, newest FROM counts_now WHERE kind = '" kind "'"               \
    " AND EXISTS (SELECT 1 FROM count_changes WHERE kind = '" kind "'))"
#define KEPT_TAGS      KEPT("t")
#define KEPT_AUTHORS   KEPT("u")
#define KEPT_LANGUAGES KEPT("l")
/* The totals, the tags that some article has, the code blocks. */
#define KEPT_TOTAL(name)                                                                           \
    "coalesce((SELECT n FROM counts_now WHERE kind = 'A' AND key = '" name "'), 0)"
#define ARTICLE_COUNT    KEPT_TOTAL("articles")
#define VERSION_COUNT    KEPT_TOTAL("versions")
#define TAG_COUNT        "(SELECT count(*) FROM " KEPT_TAGS " c)"
#define CODE_BLOCK_COUNT "(SELECT coalesce(sum(n), 0) FROM " KEPT_LANGUAGES " c)"

int store_pg_counts(struct pg_store *ps, struct fk_store_counts *out, struct fk_error *err)
{
    int64_t *const fields[] = {&out->feeds, &out->articles, &out->tags, &out->code_blocks,
                               &out->versions};
    memset(out, 0, sizeof *out);
    return one_row(ps,
                   "SELECT (SELECT count(*) FROM feeds), " ARTICLE_COUNT ", " TAG_COUNT
                   ", " CODE_BLOCK_COUNT ", " VERSION_COUNT,
                   NULL, fields, 5, err);
}

int store_pg_find_article(struct pg_store *ps, const char *url, int64_t *id, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, url);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT min(id) FROM (SELECT id FROM articles WHERE url = $1"
                 " UNION ALL SELECT id FROM articles WHERE key = 'guid:' || $1"
                 " UNION ALL SELECT article_id FROM article_aliases WHERE key = 'guid:' || $1) x",
                 &params, err);
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) == 1 && !pg_is_null(r, 0, 0)) {
        *id = pg_number(r, 0, 0);
        ret = 0;
    }
    pg_result_free(r);
    return ret;
}

int store_pg_get_mark(struct pg_store *ps, struct fk_store_mark *mark, struct fk_error *err)
{
    int64_t *const fields[] = {&mark->article_id, &mark->version_id};
    return one_row(ps,
                   "SELECT (SELECT coalesce(max(id), 0) FROM articles),"
                   " (SELECT coalesce(max(id), 0) FROM article_versions)",
                   NULL, fields, 2, err);
}

/* ---- full-text search ---------------------------------------------------- */

/* The search's tsquery: the configuration and the text of the query are
 * always its first parameters (search_add_query). */
#define SEARCH_QUERY "to_tsquery($1::regconfig, $2)"

/* The weights of ts_rank_cd ({D, C, B, A}: text is C, tags B, title A):
 * the title ten times the text and the tags five, as the SQLite store's
 * bm25. The rank reported is its negation: lower is better. */
#define SEARCH_RANK "ts_rank_cd('{0.1, 0.1, 0.5, 1.0}', a.search, " SEARCH_QUERY ", 1)"

/* The weight letter of each column of enum fk_search_column. */
static const char column_weights[] = {
    [FK_SEARCH_TITLE] = 'A',
    [FK_SEARCH_TEXT] = 'C',
    [FK_SEARCH_TAGS] = 'B',
};

/* What a tsquery text is for: the query itself; the headline of the text
 * (a term limited to the title or the tags marks nothing); or what the GIN
 * index answers alone (write_tsquery says how). */
enum tsq_mode { TSQ_EXACT, TSQ_HEADLINE, TSQ_LOOSE };

static void write_tsquery(const struct fk_search_query *query, int node, int column,
                          enum tsq_mode mode, struct fk_buf *out);

/* The len bytes of text as a quoted string of a tsquery: its quotes
 * doubled, its backslashes escaped. */
static void write_quoted(const char *text, size_t len, struct fk_buf *out)
{
    fk_buf_addc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\'' || text[i] == '\\')
            fk_buf_addc(out, text[i] == '\'' ? '\'' : '\\');
        fk_buf_addc(out, text[i]);
    }
    fk_buf_addc(out, '\'');
}

/* A member of a list, in parentheses. */
static void write_operand(const struct fk_search_query *query, int node, int column,
                          enum tsq_mode mode, struct fk_buf *out)
{
    fk_buf_addc(out, '(');
    write_tsquery(query, node, column, mode, out);
    fk_buf_addc(out, ')');
}

/* The loose tsquery text of a term: its words each ANDed, without
 * positions or weights. */
static void write_loose_term(const struct fk_search_node *n, struct fk_buf *out)
{
    bool any = false;
    for (const char *s = n->text; *s;) {
        while (fk_is_space(*s))
            s++;
        const char *end = s;
        while (*end && !fk_is_space(*end))
            end++;
        if (end == s)
            break;
        if (any)
            fk_buf_adds(out, " & ");
        write_quoted(s, (size_t)(end - s), out);
        if (n->prefix)
            fk_buf_adds(out, ":*");
        any = true;
        s = end;
    }
    if (!any)
        write_quoted("", 0, out);
}

/* The tsquery text of node, limited to column (FK_SEARCH_ANY: none) unless
 * the node names its own: every term a quoted string (its quotes doubled,
 * its backslashes escaped), which to_tsquery splits with the archive's
 * configuration, several words becoming a phrase (<->). For the headline
 * (TSQ_HEADLINE, of the text), a term limited to the title or the tags is
 * a word of no letters, which to_tsquery leaves out: the text's snippet
 * does not mark it, as FTS5's does not. TSQ_LOOSE leaves out what the GIN
 * index cannot answer alone, the words' positions and weights: a phrase
 * becomes its words, each one ANDed, and a term limited to a column
 * matches in any. Every article node matches matches it, and the index
 * finds them without reading their vectors again. A member a list
 * excludes is written exactly: excluding less would keep fewer. */
static void write_tsquery(const struct fk_search_query *query, int node, int column,
                          enum tsq_mode mode, struct fk_buf *out)
{
    const struct fk_search_node *n = &query->nodes[node];
    if (n->column != FK_SEARCH_ANY)
        column = n->column;
    switch (n->kind) {
    case FK_SEARCH_TERM:
        if (mode == TSQ_LOOSE) {
            write_loose_term(n, out);
            break;
        }
        if (mode == TSQ_HEADLINE && column != FK_SEARCH_ANY && column != FK_SEARCH_TEXT) {
            fk_buf_adds(out, "'-'");
            break;
        }
        write_quoted(n->text, strlen(n->text), out);
        if (n->prefix || column != FK_SEARCH_ANY)
            fk_buf_addc(out, ':');
        if (n->prefix)
            fk_buf_addc(out, '*');
        if (column != FK_SEARCH_ANY)
            fk_buf_addc(out, column_weights[column]);
        break;
    case FK_SEARCH_AND: {
        bool any = false;
        for (int i = n->first; i >= 0; i = query->nodes[i].next) {
            if (query->nodes[i].excluded)
                continue;
            if (any)
                fk_buf_adds(out, " & ");
            write_operand(query, i, column, mode, out);
            any = true;
        }
        for (int i = n->first; i >= 0; i = query->nodes[i].next) {
            if (!query->nodes[i].excluded)
                continue;
            fk_buf_adds(out, " & !");
            write_operand(query, i, column, mode == TSQ_LOOSE ? TSQ_EXACT : mode, out);
        }
        break;
    }
    case FK_SEARCH_OR:
        for (int i = n->first; i >= 0; i = query->nodes[i].next) {
            if (i != n->first)
                fk_buf_adds(out, " | ");
            write_operand(query, i, column, mode, out);
        }
        break;
    }
}

/* The white space around a snippet (C's isspace). */
#define SPACES "E' \\t\\n\\r\\f\\x0b'"

/* The markers ts_headline puts around matched words, replaced by the
 * caller's: characters no text of a feed holds. */
#define MARK_OPEN  '\x01'
#define MARK_CLOSE '\x02'

/* Whether the query has a phrase: FTS5 marks each of its matches as one
 * ("[data gravity]"), ts_headline each word. */
static bool has_phrase(const struct fk_search_query *query)
{
    for (size_t i = 0; i < query->count; i++) {
        const struct fk_search_node *n = &query->nodes[i];
        if (n->kind != FK_SEARCH_TERM)
            continue;
        for (const char *s = n->text; *s; s++)
            if (fk_is_space(*s) && s > n->text && s[1] && !fk_is_space(s[1]))
                return true;
    }
    return false;
}

/* The snippet of a hit: the headline with the caller's markers, and "…"
 * (U+2026) where the text goes on before or after it. join: words marked
 * with only white space between them are marked together, as the words
 * of a phrase. */
static void make_snippet(const char *headline, bool before, bool after, bool join,
                         const struct fk_search_options *options, struct fk_buf *out)
{
    fk_buf_reset(out);
    if (before)
        fk_buf_adds(out, "\xE2\x80\xA6");
    for (const char *s = headline; *s; s++) {
        if (*s == MARK_OPEN) {
            fk_buf_adds(out, options->mark_open ? options->mark_open : "");
        } else if (*s == MARK_CLOSE) {
            const char *next = s + 1;
            while (join && fk_is_space(*next))
                next++;
            if (join && *next == MARK_OPEN && next > s + 1) {
                fk_buf_add(out, s + 1, (size_t)(next - s - 1));
                s = next;
                continue;
            }
            fk_buf_adds(out, options->mark_close ? options->mark_close : "");
        } else {
            fk_buf_addc(out, *s);
        }
    }
    if (after)
        fk_buf_adds(out, "\xE2\x80\xA6");
    if (!out->data)
        fk_buf_adds(out, "");
}

struct hit_walk {
    struct tag_list tags;
    struct fk_buf snippet;
    bool join; /* has_phrase */
    const struct fk_search_options *options;
    const struct fk_search_query *query; /* snippets made here from the
                                            text, or NULL: by ts_headline */
    int words;                           /* a snippet's words */
    fk_hit_fn fn;
    void *ctx;
};

static int hit_row(const struct pg_result *r, int row, void *ctx)
{
    struct hit_walk *walk = ctx;
    struct fk_search_hit hit;
    read_article(r, row, 0, &hit.article, &walk->tags);
    hit.rank = pg_double(r, row, COL_COUNT);
    const char *text = pg_text(r, row, COL_COUNT + 1);
    if (walk->query)
        fk_search_snippet(walk->query, text, strlen(text), walk->words, walk->options->mark_open,
                          walk->options->mark_close, &walk->snippet);
    else
        make_snippet(text, pg_number(r, row, COL_COUNT + 2) != 0,
                     pg_number(r, row, COL_COUNT + 3) != 0, walk->join, walk->options,
                     &walk->snippet);
    hit.snippet = walk->snippet.data;
    return walk->fn(&hit, walk->ctx);
}

/* The search's configuration and tsquery text, its first two parameters
 * (SEARCH_QUERY), before any SQL. */
static void search_add_query(struct query *q, const char *config, const char *tsquery)
{
    pg_add_text(&q->params, config);
    pg_add_text(&q->params, tsquery);
}

/* The rank window (options->rank_window): the window's most recently
 * filed matches that pass the filter, among the SEARCH_SCAN_FACTOR times
 * as many most recent matches (or the window's most recent ones without a
 * filter), are ranked; all the matches that pass it are when fewer do. */
#define SEARCH_SCAN_FACTOR 8

/* The columns of articles a the filter's conditions read (plan_add_where
 * with by_tag false), which the window's matches carry. */
#define SEARCH_FILTER_COLUMNS "a.id, a.date, a.first_seen, a.author"

/* The newest articles' ids a window's matches are looked for in first,
 * per match wanted (search_add_matches). */
#define SEARCH_CHUNK_FACTOR 20

/* Append the rows (the columns given, then a.search) of the limit most
 * recently filed matches (the order is the caller's to make).
 *
 * With loose (the tsquery text of write_tsquery's TSQ_LOOSE), the index is asked for the
 * articles loose matches, which the query's own tsquery then picks from
 * newest first: its words' positions are read from the vectors of only as
 * many as it takes (the index alone would recheck them all). OFFSET 0 keeps
 * that outer condition out of the index's.
 *
 * Else, chunked (for a small limit: a chunk of most of the archive saves
 * nothing), the matches are read from the newest limit *
 * SEARCH_CHUNK_FACTOR articles first (the index's matches ANDed with a
 * range of the primary key: only their pages are read), and from the older
 * ones only as many as are still missing. A query that matches one article
 * in SEARCH_CHUNK_FACTOR or more (optimi* matches one in ten) finds them
 * all there, rather than reading a page for each of its matches. The older
 * ones are read whole into a CTE, then sorted: with a limit of its own the
 * planner could walk the primary key instead, testing each article's
 * vector. */
static void search_add_matches(struct query *q, const char *columns, const char *loose, long limit,
                               bool chunked)
{
    if (!loose && !chunked) {
        if (fk_buf_printf(&q->sql,
                          "SELECT %s, a.search FROM articles a WHERE a.search @@ " SEARCH_QUERY
                          " ORDER BY a.id DESC LIMIT %ld",
                          columns, limit) < 0)
            q->failed = true;
        return;
    }
    if (loose) {
        if (fk_buf_printf(&q->sql, "SELECT a.* FROM (SELECT %s, a.search FROM articles a",
                          columns) < 0)
            q->failed = true;
        query_text(q, " WHERE a.search @@ to_tsquery($1::regconfig, ", loose,
                   ") ORDER BY a.id DESC OFFSET 0) a WHERE a.search @@ " SEARCH_QUERY);
        if (fk_buf_printf(&q->sql, " LIMIT %ld", limit) < 0)
            q->failed = true;
        return;
    }
    long chunk = limit * SEARCH_CHUNK_FACTOR;
    if (fk_buf_printf(
            &q->sql,
            "WITH r AS MATERIALIZED (SELECT %s, a.search FROM articles a"
            " WHERE a.search @@ " SEARCH_QUERY " AND a.id > (SELECT max(id) FROM articles) - %ld"
            " ORDER BY a.id DESC LIMIT %ld),"
            " older AS MATERIALIZED (SELECT %s, a.search FROM articles a"
            " WHERE a.search @@ " SEARCH_QUERY " AND a.id <= (SELECT max(id) FROM articles) - %ld)"
            " SELECT * FROM r UNION ALL (SELECT * FROM older ORDER BY id DESC"
            " LIMIT greatest(%ld - (SELECT count(*) FROM r), 0))",
            columns, chunk, limit, columns, chunk, limit) < 0)
        q->failed = true;
}

/* Append the search's picks (the CTE pick: id, rank of each hit, in
 * order, at most the limit): through the rank window when window > 0.
 * loose: as search_add_matches. The conditions of the filter are written
 * once, the same text pasted where they apply again (so their parameters
 * are added once). */
static void search_add_pick(struct query *q, const struct plan *p, const char *loose, long window)
{
    const struct fk_filter *f = p->f;
    struct fk_buf where = FK_BUF_INIT;
    if (window > 0 && !plan_filters(p)) {
        /* The window is the most recent matches: each ranked as it is
         * read, from the vector the match was found in. */
        query_add(q, "WITH pick AS MATERIALIZED (SELECT a.id, " SEARCH_RANK " AS rank FROM (");
        search_add_matches(q, "a.id", loose, window, true);
        query_add(q, ") a ORDER BY rank DESC, a.id DESC");
    } else if (window > 0) {
        /* The sizes are numbers of ours, written into the SQL: the
         * parameters are left to the filter. The matches carry the
         * columns the filter reads, which it reads there. */
        long scan = window * SEARCH_SCAN_FACTOR;
        query_add(q, "WITH m AS MATERIALIZED (");
        search_add_matches(q, SEARCH_FILTER_COLUMNS, loose, scan, false);
        query_add(q, "), w AS MATERIALIZED (SELECT a.id FROM m a WHERE true");
        size_t mark = q->sql.len;
        plan_add_where(q, p);
        fk_buf_adds(&where, q->sql.data + mark);
        /* w is ranked when it is full, or when m holds every match (then
         * w holds all that pass); else all the matches that pass are. */
        if (fk_buf_printf(
                &q->sql,
                " ORDER BY a.id DESC LIMIT %ld), pick AS MATERIALIZED (SELECT a.id, " SEARCH_RANK
                " AS rank FROM articles a WHERE a.id IN (SELECT id FROM w)"
                " AND ((SELECT count(*) FROM w) >= %ld OR (SELECT count(*) FROM m) < %ld)"
                " UNION ALL SELECT a.id, " SEARCH_RANK " AS rank FROM articles a"
                " WHERE a.search @@ " SEARCH_QUERY " AND (SELECT count(*) FROM w) < %ld"
                " AND (SELECT count(*) FROM m) >= %ld",
                window, window, scan, window, scan) < 0)
            q->failed = true;
        query_add(q, where.data ? where.data : "");
        query_add(q, " ORDER BY rank DESC, id DESC");
    } else {
        query_add(q, "WITH pick AS MATERIALIZED (SELECT a.id, " SEARCH_RANK
                     " AS rank FROM articles a WHERE a.search @@ " SEARCH_QUERY);
        plan_add_where(q, p);
        query_add(q, " ORDER BY rank DESC, a.id DESC");
    }
    query_add_limit(q, f);
    query_add(q, ")");
    fk_buf_release(&where);
}

/* Append the columns of the picked hits, with their snippets made by
 * ts_headline from their text (stemming configurations: the words it
 * marks are those the configuration makes the query's), and whether the
 * text goes on before and after it. */
static void query_add_headline(struct query *q, const char *text_query, const char *headline)
{
    /* The text is read once (b.body, a copy made in memory): a.text, each
     * use would read it from its TOAST table and decompress it again. */
    query_add(q, " SELECT " ARTICLE_SELECT ", -pick.rank, h.headline, (h.at > 1 AND"
                 " rtrim(left(b.body, h.at - 1), " SPACES ") <> '')::int, (h.at > 0 AND"
                 " ltrim(substr(b.body, h.at + length(h.plain)), " SPACES ") <> '')::int"
                 " FROM pick JOIN articles a ON a.id = pick.id"
                 " CROSS JOIN LATERAL (SELECT a.text || '' AS body OFFSET 0) b"
                 " CROSS JOIN LATERAL (SELECT y.headline, y.plain, strpos(b.body, y.plain) AS at"
                 " FROM (SELECT x.headline, translate(x.headline, E'\\x01\\x02', '') AS plain"
                 " FROM (SELECT ts_headline(");
    query_text(q, "$1::regconfig, b.body, to_tsquery($1::regconfig, ", text_query, "), ");
    /* OFFSET 0 keeps the subquery whole: flattened, each use of the
     * headline would make it again. */
    query_text(q, "", headline, ") AS headline OFFSET 0) x) y) h");
}

int store_pg_search(struct pg_store *ps, const struct fk_search_query *query,
                    const struct fk_filter *f, const struct fk_search_options *options,
                    fk_hit_fn fn, void *ctx, struct fk_error *err)
{
    struct fk_filter no_filter;
    struct fk_search_options no_options = {"", "", 0, 0};
    struct plan p = {0};
    struct hit_walk walk = {{0}, FK_BUF_INIT, false, NULL, NULL, 0, fn, ctx};
    struct fk_buf tsquery = FK_BUF_INIT;
    struct fk_buf headline = FK_BUF_INIT; /* ts_headline's options */
    struct fk_buf text_query = FK_BUF_INIT;
    struct fk_buf loose = FK_BUF_INIT; /* write_loose's */
    struct query q;
    int ret = -1;

    query_init(&q);
    f = filter_or_none(f, &no_filter);
    if (!options)
        options = &no_options;
    walk.options = options;
    /* Words as they are written (the simple configuration): the snippets
     * are made here from the text (fk_search_snippet), by rules close to
     * the index's. ts_headline would parse each text and look up its every
     * word, the most of a search's time; a stemming configuration needs
     * it, to mark the words it finds alike. */
    if (!strcmp(ps->search_config, "simple") || !strcmp(ps->search_config, "pg_catalog.simple"))
        walk.query = query;
    if (query && query->root >= 0) {
        write_tsquery(query, query->root, FK_SEARCH_ANY, TSQ_EXACT, &tsquery);
        write_tsquery(query, query->root, FK_SEARCH_ANY, TSQ_LOOSE, &loose);
        if (!walk.query)
            write_tsquery(query, query->root, FK_SEARCH_ANY, TSQ_HEADLINE, &text_query);
        walk.join = has_phrase(query);
    }
    if (!tsquery.len) {
        fk_error_set(err, FK_ERROR_USAGE, "the query is empty");
        goto out;
    }
    if (plan_init(ps, &p, f, err) < 0)
        goto out;
    /* As FTS5's snippet: that many words around the matches (64 at
     * most), or the first of the text when it has none (MinWords; it
     * must be below MaxWords). */
    int words = options->snippet_words > 0 ? options->snippet_words : 16;
    if (words > 64)
        words = 64;
    if (words < 2)
        words = 2;
    walk.words = words;
    /* The hits picked (ranked, then the most recently filed first), then
     * the columns and the snippet's text of those only. */
    search_add_query(&q, ps->search_config, tsquery.data);
    search_add_pick(&q, &p, loose.data && strcmp(loose.data, tsquery.data) ? loose.data : NULL,
                    options->rank_window > 0 ? options->rank_window : 0);
    if (walk.query) {
        query_add(&q, " SELECT " ARTICLE_SELECT ", -pick.rank, a.text"
                      " FROM pick JOIN articles a ON a.id = pick.id");
    } else {
        fk_buf_printf(&headline,
                      "StartSel=\"%c\", StopSel=\"%c\", MaxWords=%d, MinWords=%d, ShortWord=0,"
                      " MaxFragments=1, FragmentDelimiter=\"\"",
                      MARK_OPEN, MARK_CLOSE, words, words - 1);
        query_add_headline(&q, text_query.data, headline.data);
    }
    query_add(&q, " ORDER BY pick.rank DESC, pick.id DESC");
    if (query_check(&q, err) < 0)
        goto out;
    if (f->limit > 0 && f->limit <= ONE_STATEMENT)
        ret = walk_all(ps, q.sql.data, &q.params, hit_row, &walk, err);
    else
        ret = walk_rows(ps, q.sql.data, &q.params, hit_row, &walk, err);
out:
    fk_buf_release(&q.sql);
    fk_buf_release(&tsquery);
    fk_buf_release(&text_query);
    fk_buf_release(&loose);
    fk_buf_release(&headline);
    fk_buf_release(&walk.snippet);
    store_tag_list_release(&walk.tags);
    plan_release(&p);
    return ret;
}

/* ---- versions ------------------------------------------------------------ */

static enum fk_version_kind version_kind(const char *kind)
{
    if (kind && strcmp(kind, "rejected") == 0)
        return FK_VERSION_REJECTED;
    if (kind && strcmp(kind, "current") == 0)
        return FK_VERSION_CURRENT;
    return FK_VERSION_REPLACED;
}

/* The versions of an article, oldest first, then its current content:
 * id, kind, replaced_at, title, tags_text, text length, then (with_text)
 * text, markdown, html. No row: no such article. */
#define VERSIONS_SELECT(text, markdown, html, current_html)                                        \
    "SELECT id, kind, fk_epoch(replaced_at), title, tags_text, octet_length(text)" text markdown   \
        html " FROM article_versions WHERE article_id = $1"                                        \
    " UNION ALL SELECT 9223372036854775807, 'current', NULL, title, tags_text,"                    \
    " octet_length(text)" text markdown current_html " FROM articles WHERE id = $1"                \
    " ORDER BY 1"

/* Walk the versions of article id, as the SQLite store's walk_versions:
 * fn gets each (with its text when with_text) until it returns non-zero.
 * Returns 0 (or fn's return), 1 when there is no such article, -1 with
 * err filled. */
static int walk_versions(struct pg_store *ps, int64_t id, bool with_text, fk_version_fn fn,
                         void *ctx, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    struct pg_result *r = NULL;
    int ret = -1;

    pg_add_int64(&params, id);
    r = pg_query(ps->conn, "SELECT fk_epoch(first_seen) FROM articles WHERE id = $1", &params, err);
    if (!r)
        goto out;
    if (pg_rows(r) == 0) {
        ret = 1;
        goto out;
    }
    int64_t since = pg_time(r, 0, 0);
    pg_result_free(r);
    if (with_text)
        r = pg_query(ps->conn,
                     VERSIONS_SELECT(", text", ", markdown", ", content_html",
                                     ", coalesce(content_html, summary_html)"),
                     &params, err);
    else
        r = pg_query(ps->conn, VERSIONS_SELECT("", "", "", ""), &params, err);
    if (!r)
        goto out;
    ret = 0;
    for (int i = 0; ret == 0 && i < pg_rows(r); i++) {
        struct fk_version v = {0};
        v.number = i + 1;
        v.kind = version_kind(pg_text(r, i, 1));
        int64_t at = pg_time(r, i, 2);
        v.replaced_at = FK_TIME_NONE;
        if (v.kind == FK_VERSION_REJECTED) {
            v.first_seen = at;
        } else {
            v.first_seen = since;
            if (v.kind == FK_VERSION_REPLACED) {
                v.replaced_at = at;
                since = at;
            }
        }
        v.title = pg_text_or_null(r, i, 3);
        v.tags_text = pg_text_or_null(r, i, 4);
        v.text_length = (size_t)pg_number(r, i, 5);
        if (with_text) {
            v.text = pg_text(r, i, 6);
            v.markdown = pg_text(r, i, 7);
            v.html = pg_text_or_null(r, i, 8);
        }
        ret = fn(&v, ctx);
    }
out:
    pg_result_free(r);
    return ret;
}

int store_pg_list_versions(struct pg_store *ps, int64_t id, fk_version_fn fn, void *ctx,
                           struct fk_error *err)
{
    return walk_versions(ps, id, false, fn, ctx, err);
}

/* store_pg_get_version's search: copy version number out and stop. The
 * copies are an array of 5, as fk_version_release frees them. */
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
    pick->out->title = copies[0] = v->title ? fk_xstrdup(v->title) : NULL;
    pick->out->tags_text = copies[1] = v->tags_text ? fk_xstrdup(v->tags_text) : NULL;
    pick->out->text = copies[2] = fk_xstrdup(v->text ? v->text : "");
    pick->out->markdown = copies[3] = fk_xstrdup(v->markdown ? v->markdown : "");
    pick->out->html = copies[4] = v->html ? fk_xstrdup(v->html) : NULL;
    pick->out->priv = copies;
    return 1;
}

int store_pg_get_version(struct pg_store *ps, int64_t id, int number, struct fk_version *out,
                         struct fk_error *err)
{
    struct version_pick pick = {number, out};
    memset(out, 0, sizeof *out);
    if (number < 1)
        return 1;
    if (walk_versions(ps, id, true, pick_version, &pick, err) < 0)
        return -1;
    return out->priv ? 0 : 1;
}

/* ---- tags, authors, languages -------------------------------------------- */

struct count_walk {
    fk_name_count_fn fn;
    void *ctx;
};

static int count_row(const struct pg_result *r, int row, void *ctx)
{
    struct count_walk *walk = ctx;
    struct fk_name_count count = {pg_text(r, row, 0), pg_number(r, row, 1), pg_time(r, row, 2)};
    return walk->fn(&count, walk->ctx);
}

/* The rows of sql, whose $1 is the limit (NULL: none). */
static int list_counts(struct pg_store *ps, const char *sql, long limit, walk_row_fn *row_fn,
                       void *ctx, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_count(&params, limit > 0 ? limit : -1);
    /* rows of a name, a count and a date: 5,000 a batch is about 300 KB */
    return walk_sized(ps, sql, &params, 5000, NULL, row_fn, ctx, err);
}

/* The kept counts (counts_now), in the SQLite store's order. */
int store_pg_list_tags(struct pg_store *ps, long limit, fk_name_count_fn fn, void *ctx,
                       struct fk_error *err)
{
    struct count_walk walk = {fn, ctx};
    return list_counts(ps,
                       "SELECT t.name, c.n, fk_epoch(c.newest) FROM " KEPT_TAGS " c"
                       " JOIN tags t ON t.id = c.key::bigint"
                       " ORDER BY 2 DESC, t.name COLLATE \"C\" LIMIT $1::bigint",
                       limit, count_row, &walk, err);
}

/* The names that differ only in ASCII case are one author, under the
 * first of them in byte order; the most prolific first, then by that name
 * in ASCII lower case. */
int store_pg_list_authors(struct pg_store *ps, long limit, fk_name_count_fn fn, void *ctx,
                          struct fk_error *err)
{
    struct count_walk walk = {fn, ctx};
    return list_counts(ps,
                       "SELECT name, n, fk_epoch(newest) FROM " KEPT_AUTHORS " c"
                       " ORDER BY 2 DESC, key LIMIT $1::bigint",
                       limit, count_row, &walk, err);
}

int store_pg_language_blocks(struct pg_store *ps, const char *language, bool any, int64_t *blocks,
                             struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    int64_t *const fields[] = {blocks};
    pg_add_text(&params, language);
    if (any)
        return one_row(ps,
                       "SELECT EXISTS (SELECT 1 FROM code_blocks WHERE " LANGUAGE_KEY(
                           "language") " = " ASCII_LOWER("$1") ")::int",
                       &params, fields, 1, err);
    return one_row(ps,
                   "SELECT count(*) FROM (SELECT 1 FROM code_blocks WHERE " LANGUAGE_KEY(
                       "language") " = " ASCII_LOWER("$1") " LIMIT 1000) x",
                   &params, fields, 1, err);
}

/* The languages of the code blocks, one per spelling without ASCII case
 * (key '' the blocks without one, first among equals as SQLite sorts
 * NULL), from the kept counts. */
#define LANGUAGE_COUNTS "SELECT name, n, key FROM " KEPT_LANGUAGES " c WHERE true"

struct language_walk {
    fk_language_fn fn;
    void *ctx;
};

static int language_row(const struct pg_result *r, int row, void *ctx)
{
    struct language_walk *walk = ctx;
    struct fk_language_count count = {pg_text_or_null(r, row, 0), pg_number(r, row, 1)};
    return walk->fn(&count, walk->ctx);
}

int store_pg_list_languages(struct pg_store *ps, fk_language_fn fn, void *ctx, struct fk_error *err)
{
    struct language_walk walk = {fn, ctx};
    return walk_rows(ps, LANGUAGE_COUNTS " AND key <> '' ORDER BY 2 DESC, key", NULL, language_row,
                     &walk, err);
}

/* ---- completion ---------------------------------------------------------- */

struct name_walk {
    fk_complete_fn fn;
    void *ctx;
};

static int name_row(const struct pg_result *r, int row, void *ctx)
{
    struct name_walk *walk = ctx;
    return pg_is_null(r, row, 0) ? 0 : walk->fn(pg_text(r, row, 0), walk->ctx);
}

/* x starts with $1, ignoring ASCII case. */
#define STARTS_WITH(x) ASCII_LOWER("left(" x ", length($1))") " = " ASCII_LOWER("$1")

int store_pg_complete(struct pg_store *ps, enum fk_complete what, const char *prefix,
                      fk_complete_fn fn, void *ctx, struct fk_error *err)
{
    static const char *const sql[] = {
        [FK_COMPLETE_TAGS] = "SELECT name FROM tags WHERE " STARTS_WITH(
            "name") " ORDER BY name COLLATE \"C\" LIMIT 200",
        [FK_COMPLETE_LANGUAGES] =
            "SELECT min(language COLLATE \"C\"), k FROM (SELECT language, " ASCII_LOWER(
                "language") " COLLATE \"C\" AS k FROM code_blocks WHERE language IS NOT NULL"
                            " AND " STARTS_WITH("language") ") x GROUP BY k ORDER BY k LIMIT 200",
        [FK_COMPLETE_AUTHORS] = "SELECT author FROM articles WHERE author <> '' AND " STARTS_WITH(
            "author") " GROUP BY author ORDER BY " ASCII_LOWER("author") " COLLATE \"C\","
                                                                         " author COLLATE \"C\" "
                                                                         "LIMIT 200",
        [FK_COMPLETE_FEEDS] = "SELECT x FROM (SELECT name AS x FROM feeds WHERE name IS NOT NULL"
                              " UNION SELECT url FROM feeds UNION SELECT id::text FROM feeds) f"
                              " WHERE " STARTS_WITH("x") " ORDER BY x COLLATE \"C\" LIMIT 200",
    };
    if ((unsigned)what >= sizeof sql / sizeof sql[0])
        return fk_error_set(err, FK_ERROR_USAGE, "nothing to complete");
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, prefix ? prefix : "");
    struct pg_result *r = pg_query(ps->conn, sql[what], &params, err);
    if (!r)
        return -1;
    struct name_walk walk = {fn, ctx};
    int ret = 0;
    for (int i = 0; ret == 0 && i < pg_rows(r); i++)
        ret = name_row(r, i, &walk);
    pg_result_free(r);
    return ret;
}

/* ---- statistics ---------------------------------------------------------- */

/* The memory behind the languages of fk_store_stats: the layout of
 * store_query.c's struct stats_memory, which fk_store_stats_release
 * frees. */
struct stats_memory {
    struct tag_list names;
    size_t cap;
};

static int language_total_row(const struct pg_result *r, int row, void *ctx)
{
    struct fk_store_stats *out = ctx;
    struct stats_memory *memory = out->priv;
    if (out->nlanguages == memory->cap) {
        memory->cap = memory->cap ? memory->cap * 2 : 16;
        out->languages = fk_xrealloc(out->languages, memory->cap * sizeof *out->languages);
    }
    const char *language = pg_text_or_null(r, row, 0);
    char *name = language ? fk_xstrdup(language) : NULL;
    store_tag_list_push(&memory->names, name);
    out->languages[out->nlanguages].language = name;
    out->languages[out->nlanguages].blocks = pg_number(r, row, 1);
    out->nlanguages++;
    return 0;
}

int store_pg_stats(struct pg_store *ps, struct fk_store_stats *out, struct fk_error *err)
{
    struct stats_memory *memory = fk_xcalloc(1, sizeof *memory);
    struct pg_result *r = NULL;
    int ret = -1;

    memset(out, 0, sizeof *out);
    out->priv = memory;
    /* store_pg_counts' counts, but the code blocks: the sum of the
     * languages' below, which read the blocks once. */
    r = pg_query(ps->conn,
                 "SELECT (SELECT count(*) FROM feeds), " ARTICLE_COUNT ", " TAG_COUNT
                 ", " VERSION_COUNT ", (SELECT count(*) FROM feeds WHERE subscribed),"
                 " (SELECT count(*) FROM feeds WHERE subscribed AND last_error IS NOT NULL),"
                 " pg_database_size(current_database()),"
                 " (SELECT fk_epoch(min(date)) FROM articles),"
                 " (SELECT fk_epoch(max(date)) FROM articles),"
                 " (SELECT fk_epoch(max(last_fetch)) FROM feeds)",
                 NULL, err);
    if (!r)
        goto out;
    if (pg_rows(r) != 1) {
        fk_error_set(err, FK_ERROR_DB, "'%s': a count gave no row", pg_shown(ps->conn));
        goto out;
    }
    out->counts.feeds = pg_number(r, 0, 0);
    out->counts.articles = pg_number(r, 0, 1);
    out->counts.tags = pg_number(r, 0, 2);
    out->counts.versions = pg_number(r, 0, 3);
    out->subscribed = pg_number(r, 0, 4);
    out->failing = pg_number(r, 0, 5);
    out->size_bytes = pg_number(r, 0, 6);
    out->oldest = pg_time(r, 0, 7);
    out->newest = pg_time(r, 0, 8);
    out->last_fetch = pg_time(r, 0, 9);
    out->wal_bytes = 0; /* the server's log is no part of the archive */
    struct fk_asset_stats *a = &out->assets;
    int64_t *const asset_fields[] = {&a->assets,       &a->bytes,        &a->urls,
                                     &a->urls_stored,  &a->urls_pending, &a->urls_failed,
                                     &a->urls_skipped, &a->linked_bytes};
    if (one_row(ps,
                "SELECT (SELECT count(*) FROM assets), (SELECT coalesce(sum(size), 0) FROM assets),"
                " count(*), count(*) FILTER (WHERE status = 'stored'),"
                " count(*) FILTER (WHERE status = 'pending'),"
                " count(*) FILTER (WHERE status = 'failed'),"
                " count(*) FILTER (WHERE status = 'skipped'),"
                " (SELECT coalesce(sum(a.size), 0) FROM asset_urls s JOIN assets a"
                " ON a.id = s.asset_id WHERE s.status = 'stored') FROM asset_urls",
                NULL, asset_fields, 8, err) < 0)
        goto out;
    int64_t *const raw_fields[] = {&out->raw.documents, &out->raw.bytes, &out->raw.original_bytes};
    if (one_row(ps,
                "SELECT count(*), coalesce(sum(octet_length(data)), 0), coalesce(sum(size), 0)"
                " FROM raw_documents",
                NULL, raw_fields, 3, err) < 0)
        goto out;
    pg_result_free(r);
    r = pg_query(ps->conn, LANGUAGE_COUNTS " ORDER BY 2 DESC, key", NULL, err);
    if (!r)
        goto out;
    for (int i = 0; i < pg_rows(r); i++) {
        language_total_row(r, i, out);
        out->counts.code_blocks += out->languages[i].blocks;
    }
    ret = 0;
out:
    pg_result_free(r);
    if (ret < 0)
        fk_store_stats_release(out);
    return ret;
}
