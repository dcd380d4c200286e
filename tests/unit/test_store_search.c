/* test_store_search.c - filtered searches give the rows and the order the
 * rule gives, whichever side the store plans them from: on an archive of a
 * few hundred articles with many equal ranks (the same texts filed again),
 * every query, filter, limit, offset and rank window is compared with the
 * rule written here as plain SQL:
 *
 *   - the window: among the newest 8 * W matches (by rowid), the newest W
 *     that pass the filter; when there are W, only matches from the oldest
 *     of those on are ranked, else all (W = 0: all);
 *   - the hits: the matches that pass the filter, by bm25 (title 10, text 1,
 *     tags 5), the lowest rowid first among equal ranks, the limit and the
 *     offset applied; shown by rank, then the newest first.
 */
#include "feedkeep/store.h"
#include "store_int.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/search.h"
#include "archive_files.h"
#include "filing.h"
#include "harness.h"

#define ARCHIVE  "search.db"
#define ARTICLES 240

/* Six texts, each filed forty times: equal ranks abound. */
static char *const texts[] = {
    "the query planner picks an index for the query",
    "the planner of a query reads the statistics; the index helps",
    "an index on the date column makes the planner fast",
    "rust and go programs read the database through the query planner",
    "nothing about planning here, only the weather and the sea",
    "the query planner, the query planner and the planner again",
};

/* A minute before the test began: every article is archived since. */
static int64_t archived;

static int64_t june(int day)
{
    return fk_date_days_from_civil(2026, 6, day) * 86400 + 12 * 3600;
}

/* Article i: in feed 1 (ids 1 to 160) or 2, by Ann, ann, Ben or Cy, on
 * day i % 28 + 1 (none for every 17th), tagged database, rust, go by i,
 * with a SQL block for every 7th. */
static void fill(struct fk_store *store)
{
    static char guids[ARTICLES][40];
    static char *const authors[] = {"Ann", "ann", "Ben", "Cy"};
    struct entry *entries = calloc(ARTICLES, sizeof *entries);
    CHECK(entries != NULL);
    if (!entries)
        return;
    for (int i = 0; i < ARTICLES; i++) {
        struct entry *e = &entries[i];
        snprintf(guids[i], sizeof guids[i], "https://s.example/%d", i);
        entry_init(e, guids[i], authors[i % 4], texts[i % 6], i % 17 ? i % 28 + 1 : 0);
        if (i % 3 == 0)
            entry_tag(e, "database");
        if (i % 5 == 0)
            entry_tag(e, "rust");
        if (i % 2 == 0)
            entry_tag(e, "go");
        if (i % 7 == 0)
            entry_code(e, "sql", "SELECT 1;");
    }
    CHECK_INT(file_feed(store, "https://s.example/one", entries, 160), 160);
    CHECK_INT(file_feed(store, "https://s.example/two", entries + 160, ARTICLES - 160),
              ARTICLES - 160);
    free(entries);
}

/* A filter, and the same condition in SQL on the article id "@". */
struct filter_case {
    const char *name;
    const char *tags[2];
    const char *any_tags[2];
    int since, until; /* days of June; 0: none */
    bool archived;    /* archived since a minute before the test began */
    const char *author;
    int64_t feed_id;
    const char *code;
    const char *sql;
};

#define HAS_TAG(t)                                                                                 \
    "EXISTS (SELECT 1 FROM article_tags x JOIN tags g ON g.id = x.tag_id"                          \
    " WHERE x.article_id = @ AND g.name = '" t "')"
#define DATE_OF "(SELECT date FROM articles WHERE id = @)"

static const struct filter_case filters[] = {
    {"none", {NULL}, {NULL}, 0, 0, false, NULL, 0, NULL, "1"},
    {"tag", {"database"}, {NULL}, 0, 0, false, NULL, 0, NULL, HAS_TAG("database")},
    {"tag and since",
     {"database"},
     {NULL},
     10,
     0,
     false,
     NULL,
     0,
     NULL,
     HAS_TAG("database") " AND " DATE_OF " >= %since"},
    {"two tags",
     {"go", "rust"},
     {NULL},
     0,
     0,
     false,
     NULL,
     0,
     NULL,
     HAS_TAG("go") " AND " HAS_TAG("rust")},
    {"any tag",
     {NULL},
     {"rust", "database"},
     0,
     0,
     false,
     NULL,
     0,
     NULL,
     "(" HAS_TAG("rust") " OR " HAS_TAG("database") ")"},
    {"since and until",
     {NULL},
     {NULL},
     5,
     12,
     false,
     NULL,
     0,
     NULL,
     DATE_OF " >= %since AND " DATE_OF " < %until"},
    {"author",
     {NULL},
     {NULL},
     0,
     0,
     false,
     "ann",
     0,
     NULL,
     "(SELECT author FROM articles WHERE id = @) = 'ann' COLLATE NOCASE"},
    {"author and tag",
     {"go"},
     {NULL},
     0,
     0,
     false,
     "ANN",
     0,
     NULL,
     HAS_TAG("go") " AND (SELECT author FROM articles WHERE id = @) = 'ann' COLLATE NOCASE"},
    {"feed",
     {NULL},
     {NULL},
     0,
     0,
     false,
     NULL,
     2,
     NULL,
     "EXISTS (SELECT 1 FROM article_feeds WHERE article_id = @ AND feed_id = 2)"},
    {"code and tag",
     {"rust"},
     {NULL},
     0,
     0,
     false,
     NULL,
     0,
     "sql",
     HAS_TAG("rust") " AND EXISTS (SELECT 1 FROM code_blocks WHERE article_id = @"
                     " AND language = 'sql')"},
    {"a tag no article has", {"cobol"}, {NULL}, 0, 0, false, NULL, 0, NULL, "0"},
    {"archived since",
     {NULL},
     {NULL},
     0,
     0,
     true,
     NULL,
     0,
     NULL,
     "(SELECT first_seen FROM articles WHERE id = @) >= %archived"},
    {"archived since and tag",
     {"rust"},
     {NULL},
     0,
     0,
     true,
     NULL,
     0,
     NULL,
     HAS_TAG("rust") " AND (SELECT first_seen FROM articles WHERE id = @) >= %archived"},
};

static const char *const queries[] = {
    "planner",    "the",         "query planner", "\"query planner\"", "planner OR index",
    "the -index", "title:https", "plan*",         "weather",           "nosuchword",
};

static const struct {
    long limit, offset, window;
} pages[] = {
    {20, 0, 500}, {20, 0, 0}, {5, 3, 0}, {10, 0, 10}, {3, 2, 4}, {0, 0, 500}, {0, 0, 0},
};

/* sql with "@" as id, "%since" and "%until" as those times, into out. */
static void expand(const char *sql, const char *id, const struct filter_case *fc,
                   struct fk_buf *out)
{
    for (const char *p = sql; *p; p++) {
        if (*p == '@')
            fk_buf_adds(out, id);
        else if (strncmp(p, "%since", 6) == 0 && (p += 5))
            fk_buf_printf(out, "%lld", (long long)june(fc->since));
        else if (strncmp(p, "%archived", 9) == 0 && (p += 8))
            fk_buf_printf(out, "%lld", (long long)archived);
        else if (strncmp(p, "%until", 6) == 0 && (p += 5))
            fk_buf_printf(out, "%lld", (long long)june(fc->until));
        else
            fk_buf_addc(out, *p);
    }
}

/* The hits the rule gives, as "id rank|" in the order shown. */
static void expected_hits(sqlite3 *db, const char *match, const struct filter_case *fc, long limit,
                          long offset, long window, struct fk_buf *out)
{
    struct fk_buf sql = FK_BUF_INIT;
    sqlite3_stmt *st = NULL;
    int64_t start = 0;
    bool filtered = strcmp(fc->sql, "1") != 0;
    if (window > 0) {
        fk_buf_printf(&sql,
                      "SELECT CASE WHEN count(*) >= %ld THEN min(m_id) ELSE 0 END FROM (SELECT"
                      " m_id FROM (SELECT rowid AS m_id FROM articles_fts WHERE articles_fts"
                      " MATCH ?1 ORDER BY rowid DESC LIMIT %ld) WHERE ",
                      window, filtered ? window * 8 : window);
        expand(fc->sql, "m_id", fc, &sql);
        fk_buf_printf(&sql, " ORDER BY m_id DESC LIMIT %ld)", window);
        CHECK(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) == SQLITE_OK);
        sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
        if (st && sqlite3_step(st) == SQLITE_ROW)
            start = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        fk_buf_reset(&sql);
    }
    fk_buf_printf(&sql,
                  "SELECT id, rank FROM (SELECT rowid AS id, bm25(articles_fts, 10.0, 1.0, 5.0)"
                  " AS rank FROM articles_fts WHERE articles_fts MATCH ?1 AND rowid >= %lld AND ",
                  (long long)start);
    expand(fc->sql, "articles_fts.rowid", fc, &sql);
    fk_buf_printf(&sql, " ORDER BY rank, id LIMIT %ld OFFSET %ld) ORDER BY rank, id DESC",
                  limit > 0 ? limit : -1, offset);
    CHECK(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    while (st && sqlite3_step(st) == SQLITE_ROW)
        fk_buf_printf(out, "%lld %.9g|", (long long)sqlite3_column_int64(st, 0),
                      sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    fk_buf_release(&sql);
}

struct hits {
    struct fk_buf text;
    bool marks; /* the query matches in the text: its snippets mark words */
    int without_snippet;
};

static int on_hit(const struct fk_search_hit *hit, void *ctx)
{
    struct hits *hits = ctx;
    fk_buf_printf(&hits->text, "%lld %.9g|", (long long)hit->article.id, hit->rank);
    hits->without_snippet +=
        !hit->snippet || !*hit->snippet || (hits->marks && !strstr(hit->snippet, "["));
    return 0;
}

/* The filter of case fc. */
static void filter_of_case(const struct filter_case *fc, struct fk_filter *f)
{
    fk_filter_init(f);
    f->tags = fc->tags;
    f->ntags = fc->tags[1] ? 2 : fc->tags[0] ? 1 : 0;
    f->any_tags = fc->any_tags;
    f->nany_tags = fc->any_tags[1] ? 2 : fc->any_tags[0] ? 1 : 0;
    if (fc->since)
        f->since = june(fc->since);
    if (fc->until)
        f->until = june(fc->until);
    if (fc->archived)
        f->archived_since = archived;
    f->author = fc->author;
    f->feed_id = fc->feed_id;
    f->has_code = fc->code != NULL;
    f->has_code_language = fc->code;
}

static void test_filtered_search(void)
{
    struct fk_store *store = open_fresh(ARCHIVE);
    if (!store)
        return;
    archived = (int64_t)time(NULL) - 60;
    fill(store);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(tmp_path(ARCHIVE), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    int compared = 0, nonempty = 0;
    /* each filter read as a set where it selects few articles (all of them
     * here), then each probed on every match */
    int64_t set_max = store_search_set_max;
    for (size_t qi = 0; qi < 2 * sizeof queries / sizeof queries[0]; qi++) {
        store_search_set_max = qi % 2 ? 0 : set_max;
        const char *query = queries[qi / 2];
        struct fk_search_query parsed = {.root = -1};
        struct fk_error err = {0};
        CHECK_INT(fk_search_parse(query, &parsed, &err), 0);
        char *match = fk_store_fts_match(&parsed);
        for (size_t fi = 0; fi < sizeof filters / sizeof filters[0]; fi++) {
            const struct filter_case *fc = &filters[fi];
            for (size_t pi = 0; pi < sizeof pages / sizeof pages[0]; pi++) {
                struct fk_filter f;
                filter_of_case(fc, &f);
                f.limit = pages[pi].limit;
                f.offset = pages[pi].offset;
                struct fk_search_options options = {"[", "]", 8, pages[pi].window};
                struct hits got = {FK_BUF_INIT, strncmp(query, "title:", 6) != 0, 0};
                struct fk_buf expected = FK_BUF_INIT;
                int64_t walks = store->rank_walks, prefix_walks = store->prefix_walks;
                CHECK_INT(fk_store_search(store, &parsed, &f, &options, on_hit, &got, &err), 0);
                /* A prefix alone, no filter: its window and its count in
                 * one walk, and none in the ranking cursors. */
                if (strcmp(query, "plan*") == 0 && fi == 0)
                    CHECK_INT(store->rank_walks - walks, 1);
                /* With a page and a rank window, filtered or not, it is
                 * ranked in that walk (store_prefix.c). */
                if (strcmp(query, "plan*") == 0)
                    CHECK_INT(store->prefix_walks - prefix_walks,
                              pages[pi].limit > 0 && pages[pi].window > 0);
                expected_hits(db, match, fc, pages[pi].limit, pages[pi].offset, pages[pi].window,
                              &expected);
                if (!got.text.data != !expected.data ||
                    (got.text.data && strcmp(got.text.data, expected.data) != 0))
                    fprintf(stderr, "%s, filter %s, limit %ld offset %ld window %ld:\n", query,
                            fc->name, pages[pi].limit, pages[pi].offset, pages[pi].window);
                CHECK_STR(got.text.data, expected.data);
                CHECK_INT(got.without_snippet, 0);
                compared++;
                nonempty += expected.len > 0;
                fk_buf_release(&got.text);
                fk_buf_release(&expected);
            }
        }
        free(match);
        fk_search_query_release(&parsed);
    }
    /* the comparisons are not all of empty lists */
    store_search_set_max = set_max;
    CHECK_INT(compared, 2 * 10 * 13 * 7);
    CHECK(nonempty > compared / 2);
    /* and some rows that could not be among the best were given a bound */
    CHECK(store->rank_bounded > 0);
    sqlite3_close(db);
    fk_store_close(store);
}

/* Schema 19's index of the columns a search's filter reads: an archive of
 * schema 18 gets it when opened, and every filter still gives the rule's
 * hits through it. */
static void test_probe_index(void)
{
    struct fk_store *store = open_fresh("probe.db");
    if (!store)
        return;
    archived = (int64_t)time(NULL) - 60;
    fill(store);
    fk_store_close(store);
    CHECK_INT(sql_exec("probe.db", "DROP INDEX articles_probe; PRAGMA user_version = 18;"), 0);
    CHECK_INT(
        sql_int("probe.db", "SELECT count(*) FROM sqlite_master WHERE name = 'articles_probe'"), 0);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path("probe.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(sql_int("probe.db", "PRAGMA user_version"), 20);
    CHECK_INT(sql_int("probe.db", "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                  " AND name = 'articles_probe' AND tbl_name = 'articles'"),
              1);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(tmp_path("probe.db"), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    struct fk_search_query parsed = {.root = -1};
    CHECK_INT(fk_search_parse("planner", &parsed, &err), 0);
    char *match = fk_store_fts_match(&parsed);
    int nonempty = 0;
    int64_t set_max = store_search_set_max;
    store_search_set_max = 0; /* every filter probed on each match */
    for (size_t fi = 0; fi < sizeof filters / sizeof filters[0]; fi++) {
        struct fk_filter f;
        filter_of_case(&filters[fi], &f);
        f.limit = 20;
        struct fk_search_options options = {"[", "]", 8, 10};
        struct hits got = {FK_BUF_INIT, true, 0};
        struct fk_buf expected = FK_BUF_INIT;
        CHECK_INT(fk_store_search(store, &parsed, &f, &options, on_hit, &got, &err), 0);
        expected_hits(db, match, &filters[fi], 20, 0, 10, &expected);
        CHECK_STR(got.text.data, expected.data);
        nonempty += expected.len > 0;
        fk_buf_release(&got.text);
        fk_buf_release(&expected);
    }
    store_search_set_max = set_max;
    CHECK(nonempty > 5);
    /* A filter is read as a set below the larger of the least (1 here) and
     * sqrt(window * articles): every filter of the 240 articles with a
     * window of 500, none without a window. */
    store_search_set_max = 1;
    for (long window = 500; window >= 0; window -= 500) {
        int64_t sets = store->search_sets;
        struct fk_filter f;
        filter_of_case(&filters[1], &f); /* a tag: 80 articles */
        f.limit = 20;
        struct fk_search_options options = {"[", "]", 8, window};
        struct hits got = {FK_BUF_INIT, true, 0};
        CHECK_INT(fk_store_search(store, &parsed, &f, &options, on_hit, &got, &err), 0);
        CHECK(got.text.len > 0);
        CHECK_INT(store->search_sets - sets, window > 0 ? 1 : 0);
        fk_buf_release(&got.text);
    }
    store_search_set_max = set_max;
    free(match);
    fk_search_query_release(&parsed);
    sqlite3_close(db);
    fk_store_close(store);
    remove_archive("probe.db");
}

/* Every row of every query ranked by feedkeep_bm25 and by FTS5's bm25 on
 * the archive name, through a connection of the test's own: the same
 * doubles, bit for bit; returns the rows compared. */
static int compare_ranks(const char *name, const char *const *matches, size_t n)
{
    static const char *const weights[] = {"", ", 10.0, 1.0, 5.0", ", 2.5", ", 0.0, 3.0, 1.0, 9.0"};
    sqlite3 *db = NULL;
    int rows = 0;
    CHECK(sqlite3_open_v2(tmp_path(name), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK_INT(store_rank_register(db), SQLITE_OK);
    for (size_t w = 0; w < sizeof weights / sizeof weights[0]; w++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT rowid, bm25(articles_fts%s), feedkeep_bm25(articles_fts%s)"
                 " FROM articles_fts WHERE articles_fts MATCH ?1",
                 weights[w], weights[w]);
        sqlite3_stmt *st = NULL;
        CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
        for (size_t q = 0; st && q < n; q++) {
            sqlite3_bind_text(st, 1, matches[q], -1, SQLITE_STATIC);
            int rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                double theirs = sqlite3_column_double(st, 1);
                double ours = sqlite3_column_double(st, 2);
                if (memcmp(&theirs, &ours, sizeof theirs) != 0)
                    fprintf(stderr, "%s: %s, row %lld: bm25 %.17g, feedkeep_bm25 %.17g\n", name,
                            matches[q], (long long)sqlite3_column_int64(st, 0), theirs, ours);
                CHECK(memcmp(&theirs, &ours, sizeof theirs) == 0);
                rows++;
            }
            CHECK_INT(rc, SQLITE_DONE);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rows;
}

/* feedkeep_bm25 is bm25, though it stops counting a phrase's articles at
 * half of them: words in more than half, in exactly half, in fewer;
 * phrases, prefixes, columns, OR and NOT; an odd number of articles. */
static void test_rank_exact(void)
{
    static const char *const rank_queries[] = {
        "the",
        "planner",
        "query",
        "index",
        "weather",
        "\"query planner\"",
        "plan*",
        "the AND index",
        "sea OR go",
        "title : https",
        "tags : database",
        "query NOT weather",
        "the index",
        "rust OR planner",
        "dat*",
        "\"the query\" OR sea",
    };
    struct fk_store *store = open_fresh(ARCHIVE);
    if (!store)
        return;
    fill(store);
    fk_store_close(store);
    /* 240 articles: "the" in 200, "index" in 120 (half), "weather" in 40;
     * 2,488 rows for the 16 queries. */
    CHECK_INT(compare_ranks(ARCHIVE, rank_queries, sizeof rank_queries / sizeof rank_queries[0]),
              4 * 2488);

    static const char *const odd_queries[] = {"alpha",           "beta",       "gamma",
                                              "delta",           "alpha beta", "beta OR gamma",
                                              "gamma NOT delta", "bet*"};
    static char guids[41][32], texts_odd[41][160];
    struct entry entries[41];
    store = open_fresh("rank.db");
    if (!store)
        return;
    for (int i = 0; i < 41; i++) {
        snprintf(guids[i], sizeof guids[i], "https://r.example/%d", i);
        snprintf(texts_odd[i], sizeof texts_odd[i], "alpha%s%s%s%.*s", i < 20 ? " beta" : "",
                 i >= 20 ? " gamma" : "", i == 7 ? " delta" : "", i % 9 * 8,
                 " words and words and words and words and words and words and words and");
        entry_init(&entries[i], guids[i], "Ann", texts_odd[i], i % 28 + 1);
    }
    CHECK_INT(file_feed(store, "https://r.example/feed", entries, 41), 41);
    fk_store_close(store);
    /* 41 articles: "beta" in 20, "gamma" in 21, each side of half. */
    CHECK_INT(compare_ranks("rank.db", odd_queries, sizeof odd_queries / sizeof odd_queries[0]),
              4 * (41 + 20 + 21 + 1 + 20 + 41 + 21 + 20));
    remove_archive("rank.db");
}

/* The ranks of fk_store_search (all matches ranked) and of FTS5's bm25 for
 * query, the best limit of each (-1: all), "ID RANK|" as a string each. */
static void ranks_both(struct fk_store *store, sqlite3 *db, const char *query, long limit,
                       struct fk_buf *ours, struct fk_buf *theirs)
{
    struct fk_search_query parsed = {.root = -1};
    struct fk_error err = {0};
    CHECK_INT(fk_search_parse(query, &parsed, &err), 0);
    char *match = fk_store_fts_match(&parsed);
    struct fk_filter f;
    fk_filter_init(&f);
    f.limit = limit > 0 ? limit : 0;
    struct fk_search_options options = {"[", "]", 8, 0};
    struct hits got = {FK_BUF_INIT, true, 0};
    CHECK_INT(fk_store_search(store, &parsed, &f, &options, on_hit, &got, &err), 0);
    *ours = got.text;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db,
                             "SELECT id, r FROM (SELECT rowid AS id, bm25(articles_fts, 10.0,"
                             " 1.0, 5.0) AS r FROM articles_fts WHERE articles_fts MATCH ?1"
                             " ORDER BY r, id LIMIT ?2) ORDER BY r, id DESC",
                             -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    fk_buf_init(theirs, SIZE_MAX);
    while (st && sqlite3_step(st) == SQLITE_ROW)
        fk_buf_printf(theirs, "%lld %.9g|", (long long)sqlite3_column_int64(st, 0),
                      sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    free(match);
    fk_search_query_release(&parsed);
}

/* Each hit as "ID RANK SNIPPET|", the rank to the last bit. */
static int on_snippet_hit(const struct fk_search_hit *hit, void *ctx)
{
    fk_buf_printf(ctx, "%lld %.17g %s|", (long long)hit->article.id, hit->rank,
                  hit->snippet ? hit->snippet : "(null)");
    return 0;
}

/* The hits of match by the rule, with FTS5's bm25() and snippet(). */
static void prefix_expected(sqlite3 *db, const char *match, const struct fk_filter *f,
                            const struct fk_search_options *options, struct fk_buf *out)
{
    int64_t start = 0;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db,
                             "SELECT CASE WHEN count(*) >= ?2 THEN min(id) ELSE 0 END FROM"
                             " (SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH ?1"
                             " ORDER BY rowid DESC LIMIT ?2)",
                             -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, options->rank_window);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        start = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    CHECK(sqlite3_prepare_v2(
              db,
              "SELECT id, r, s FROM (SELECT rowid AS id, bm25(articles_fts, 10.0, 1.0, 5.0) AS r,"
              " snippet(articles_fts, 1, '[', ']', '\xE2\x80\xA6', ?3) AS s FROM articles_fts"
              " WHERE articles_fts MATCH ?1 AND rowid >= ?2 ORDER BY r, id LIMIT ?4 OFFSET ?5)"
              " ORDER BY r, id DESC",
              -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int(st, 3, options->snippet_words > 64 ? 64 : options->snippet_words);
    sqlite3_bind_int64(st, 4, f->limit);
    sqlite3_bind_int64(st, 5, f->offset);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 2);
        fk_buf_printf(out, "%lld %.17g %s|", (long long)sqlite3_column_int64(st, 0),
                      sqlite3_column_double(st, 1), s ? s : "");
    }
    sqlite3_finalize(st);
}

/* The ids of a "ID RANK|" list, and whether each rank is within 10% of
 * the other's (the estimate from 64 articles, as the test makes it, is
 * rougher than from 1,024). */
static bool ranks_close(const char *a, const char *b, bool *same_ids)
{
    bool close = true;
    *same_ids = true;
    while (a && b && *a && *b) {
        char *end_a, *end_b;
        long long id_a = strtoll(a, &end_a, 10), id_b = strtoll(b, &end_b, 10);
        double ra = strtod(end_a, &end_a), rb = strtod(end_b, &end_b);
        *same_ids = *same_ids && id_a == id_b;
        close = close && ra < 0 && rb < 0 && ra / rb > 0.9 && ra / rb < 1.1;
        a = strchr(end_a, '|');
        b = strchr(end_b, '|');
        a = a ? a + 1 : NULL;
        b = b ? b + 1 : NULL;
    }
    return close && (!a || !*a) && (!b || !*b);
}

/* Room for n entries, and the archive name opened fresh in *store: the
 * entries, or NULL with nothing left open. */
static struct entry *fresh_entries(const char *name, int n, struct fk_store **store)
{
    struct entry *entries = calloc((size_t)n, sizeof *entries);
    CHECK(entries != NULL);
    *store = entries ? open_fresh(name) : NULL;
    if (!*store) {
        free(entries);
        return NULL;
    }
    return entries;
}

/* A large archive's searches estimate the counts of their common phrases
 * from slices of it (made small here: the archive is 3,000 articles): the
 * same hits in the same order for one phrase, every rank within 10% of
 * bm25's; bm25's exactly for a word too rare to estimate, a prefix, a
 * word in more than half the articles, a word 1/64 of the archive does not
 * estimate. */
static void test_rank_estimate(void)
{
    enum { N = 3000 };
    static char guids[N][40], texts_n[N][200];
    struct fk_store *store;
    struct entry *entries = fresh_entries("estimate.db", N, &store);
    if (!entries)
        return;
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        unsigned r = (x >> 16) % 1000;
        snprintf(guids[i], sizeof guids[i], "https://e.example/%d", i);
        /* alpha in about 30% (more of them late), beta in 1%, gamma in
         * all, lengths varying */
        snprintf(texts_n[i], sizeof texts_n[i], "%s%s gamma %.*s%s",
                 r < 250 + (unsigned)(i / 30) ? "alpha omega " : "", r % 100 == 7 ? "beta " : "",
                 (int)(r % 11) * 9,
                 "words and words and words and words and words and words"
                 " and words and words and words and words and words and",
                 r % 13 == 0 ? " alpha alpha" : "");
        entry_init(&entries[i], guids[i], "Ann", texts_n[i], i % 28 + 1);
    }
    CHECK_INT(file_feed(store, "https://e.example/feed", entries, N), N);
    free(entries);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(tmp_path("estimate.db"), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    struct store_rank_sampling saved = store_rank_sampling;
    store_rank_sampling.min_span = 1024;
    store_rank_sampling.hits = 64;

    struct fk_buf ours, theirs;
    bool same_ids;
    /* one phrase: estimated, so not bm25's doubles, but close and in order */
    ranks_both(store, db, "\"alpha omega\"", 40, &ours, &theirs);
    CHECK(ranks_close(ours.data, theirs.data, &same_ids));
    CHECK(same_ids);
    CHECK(ours.data && theirs.data && strcmp(ours.data, theirs.data) != 0);
    fk_buf_release(&ours);
    fk_buf_release(&theirs);
    /* two phrases, one estimated */
    ranks_both(store, db, "\"alpha omega\" OR beta", 40, &ours, &theirs);
    CHECK(ranks_close(ours.data, theirs.data, &same_ids));
    fk_buf_release(&ours);
    fk_buf_release(&theirs);
    /* counted whole: too rare, a prefix, more than half (bm25's floor), a
     * single word that 1/64 of the ids does not estimate */
    static const char *const exact[] = {"beta",       "\"alpha omeg\"*", "gamma",
                                        "text:gamma", "beta gamma",      "alpha"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        ranks_both(store, db, exact[i], 40, &ours, &theirs);
        CHECK_STR(ours.data, theirs.data);
        fk_buf_release(&ours);
        fk_buf_release(&theirs);
    }
    /* Each phrase counted whole is counted once in a search, though a
     * search ranked by FTS5 (a prefix, or no limit) ranks in two cursors. */
    static const struct {
        const char *query;
        long limit;
        int walks;
    } once[] = {{"\"alpha omeg\"*", 40, 1}, {"beta gamma", 0, 2}, {"alph* OR beta", 10, 2}};
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
        int64_t walks = store->rank_walks;
        ranks_both(store, db, once[i].query, once[i].limit ? once[i].limit : -1, &ours, &theirs);
        CHECK_STR(ours.data, theirs.data);
        CHECK_INT(store->rank_walks - walks, once[i].walks);
        fk_buf_release(&ours);
        fk_buf_release(&theirs);
    }
    /* too small an archive to estimate: exactly bm25 */
    store_rank_sampling.min_span = N + 1;
    ranks_both(store, db, "\"alpha omega\" OR beta", 40, &ours, &theirs);
    CHECK_STR(ours.data, theirs.data);
    fk_buf_release(&ours);
    fk_buf_release(&theirs);
    store_rank_sampling = saved;
    sqlite3_close(db);
    fk_store_close(store);
    remove_archive("estimate.db");
}

/* A search of one prefix without a filter is ranked in one walk of its
 * matches, and its snippets made by feedkeep (store_prefix.c): the same
 * ids, ranks to the last bit and snippets byte for byte as bm25() and
 * snippet() give them, over texts of every length with sentences, marks
 * and letters the tokenizer folds, for prefixes in any column, the title
 * or the text, at every snippet length, page and rank window. */
static uint32_t next_random(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return (*x >> 16) & 0x7fff;
}

static void test_prefix_walk(void)
{
    enum { N = 400 };
    static char guids[N][40], titles[N][64], texts_n[N][1400];
    static const char *const words[] = {
        "plan",
        "planner",
        "Planning",
        "PLANET",
        "pl\xC3\xA4n",
        "plane",
        "explain",
        "the",
        "a",
        "query",
        "index",
        "fast",
        "\xC3\x84rger",
        "na\xC3\xAFve",
        "x1",
        "42",
        "Plan's",
        "co-planar",
        "over",
        "planned",
        "x\xF0\x9F\x98\x80plan",
        "\xE2\x80\x9Cplanned\xE2\x80\x9D",
        "na\xC3\xAFve\xE2\x80\x94plan",
        "\xC3\xA9t\xC3\xA9",
        "PLAN\xC3\x89",
        "\xCE\xA0\xCE\xBB\xCE\xAC\xCE\xBD\xCE\xBF",
    };
    static const char *const gaps[] = {
        " ",     " ",   " ",  " ", ". ",  ": ",       "! ",        ", ",           "\n",
        ".\n\n", " \t", "; ", ":", " - ", "\xC2\xA0", ".\xC2\xA0", "\xE2\x80\x94", " \r\n"};
    static char *const tags[] = {"planning", "other"};
    struct fk_store *store;
    struct entry *entries = fresh_entries("prefix.db", N, &store);
    if (!entries)
        return;
    uint32_t x = 777;
    for (int i = 0; i < N; i++) {
        char *t = texts_n[i];
        size_t len = 0;
        int ntokens = (int)(next_random(&x) % 5 == 0 ? next_random(&x) % 8 : next_random(&x) % 150);
        if (next_random(&x) % 9 == 0)
            len += (size_t)snprintf(t + len, sizeof texts_n[i] - len, ". ");
        for (int k = 0; k < ntokens && len < sizeof texts_n[i] - 40; k++)
            len += (size_t)snprintf(t + len, sizeof texts_n[i] - len, "%s%s",
                                    k ? gaps[next_random(&x) % (sizeof gaps / sizeof gaps[0])] : "",
                                    words[next_random(&x) % (sizeof words / sizeof words[0])]);
        if (next_random(&x) % 4 == 0)
            snprintf(t + len, sizeof texts_n[i] - len, ".");
        snprintf(guids[i], sizeof guids[i], "https://p.example/%d", i);
        snprintf(titles[i], sizeof titles[i], "%s %d",
                 next_random(&x) % 3 ? "a title" : "the planner", i);
        entry_init(&entries[i], guids[i], "Ann", texts_n[i], i % 28 + 1);
        entries[i].item.title = titles[i];
        if (next_random(&x) % 4 == 0)
            entry_tag(&entries[i], tags[next_random(&x) % 2]);
    }
    CHECK_INT(file_feed(store, "https://p.example/feed", entries, N), N);
    free(entries);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(tmp_path("prefix.db"), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);

    static const char *const prefixes[] = {
        "plan*",      "PL\xC3\x84*", "title:plan*",
        "text:plan*", "q*",          "planner*",
        "nosuch*",    "a*",          "\xCF\x80\xCE\xBB\xCE\xB1*"};
    static const int lengths[] = {1, 2, 3, 8, 16, 64, 200};
    static const struct {
        long limit, offset, window;
    } cases[] = {{20, 0, 500}, {5, 3, 500}, {1, 0, 30}, {50, 10, 7}, {8, 0, 100}};
    int compared = 0, marked = 0, cut = 0;
    for (size_t qi = 0; qi < sizeof prefixes / sizeof prefixes[0]; qi++) {
        struct fk_search_query parsed = {.root = -1};
        struct fk_error err = {0};
        CHECK_INT(fk_search_parse(prefixes[qi], &parsed, &err), 0);
        char *match = fk_store_fts_match(&parsed);
        for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
            for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
                struct fk_filter f;
                fk_filter_init(&f);
                f.limit = cases[ci].limit;
                f.offset = cases[ci].offset;
                struct fk_search_options options = {"[", "]", lengths[li], cases[ci].window};
                struct fk_buf got = FK_BUF_INIT, expected = FK_BUF_INIT;
                int64_t walks = store->prefix_walks;
                CHECK_INT(fk_store_search(store, &parsed, &f, &options, on_snippet_hit, &got, &err),
                          0);
                CHECK_INT(store->prefix_walks - walks, 1);
                prefix_expected(db, match, &f, &options, &expected);
                if (!got.data != !expected.data ||
                    (got.data && strcmp(got.data, expected.data) != 0))
                    fprintf(stderr, "%s, words %d, limit %ld offset %ld window %ld:\n",
                            prefixes[qi], lengths[li], f.limit, f.offset, cases[ci].window);
                CHECK_STR(got.data, expected.data);
                compared++;
                marked += got.data && strstr(got.data, "[") != NULL;
                cut += got.data && strstr(got.data, "\xE2\x80\xA6") != NULL;
                fk_buf_release(&got);
                fk_buf_release(&expected);
            }
        }
        free(match);
        fk_search_query_release(&parsed);
    }
    CHECK_INT(compared, 9 * 7 * 5);
    CHECK(marked > compared / 2);
    CHECK(cut > compared / 4);

    /* a prefix the tokenizer makes two words of: FTS5's own cursors */
    struct fk_search_query parsed = {.root = -1};
    struct fk_error err = {0};
    CHECK_INT(fk_search_parse("\"co-plan\"*", &parsed, &err), 0);
    struct fk_filter f;
    fk_filter_init(&f);
    f.limit = 10;
    struct fk_search_options options = {"[", "]", 8, 500};
    struct fk_buf got = FK_BUF_INIT, expected = FK_BUF_INIT;
    int64_t walks = store->prefix_walks;
    CHECK_INT(fk_store_search(store, &parsed, &f, &options, on_snippet_hit, &got, &err), 0);
    CHECK_INT(store->prefix_walks - walks, 0);
    char *match = fk_store_fts_match(&parsed);
    prefix_expected(db, match, &f, &options, &expected);
    CHECK_STR(got.data, expected.data);
    CHECK(got.data && strstr(got.data, "[co-planar]") != NULL);
    free(match);
    fk_buf_release(&got);
    fk_buf_release(&expected);
    fk_search_query_release(&parsed);
    sqlite3_close(db);
    fk_store_close(store);
    remove_archive("prefix.db");
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/feedkeep-test-search-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_filtered_search);
    RUN(test_probe_index);
    RUN(test_rank_exact);
    RUN(test_rank_estimate);
    RUN(test_prefix_walk);
    remove_archive(ARCHIVE);
    rmdir(tmp_dir);
    return DONE();
}
