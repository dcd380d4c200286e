/* test_store_counts.c - the counts the archive keeps (schema 13): per tag,
 * author name, code language and feed, and its numbers of articles and
 * versions. Whatever writes the archive (filing, replacing, the guid-change
 * rule, reparse, rows removed by hand), they stay equal to a recount made
 * here with SQL of the test's own; tags, authors and stats read them and
 * list what the old queries over every article listed; check names a count
 * that was tampered with and repair recounts it.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "archive_files.h"
#include "filing.h"
#include "harness.h"

/* ---- the recount ------------------------------------------------------------- */

/* Each kept table beside the same figures counted from the rows: the rows
 * of either that the other lacks (EXCEPT takes NULLs as equal). */
static const char *const recounts[] = {
    "SELECT count(*) FROM (SELECT tag_id, count(*), max(date) FROM article_tags GROUP BY tag_id"
    " EXCEPT SELECT tag_id, articles, newest FROM tag_counts)",
    "SELECT count(*) FROM (SELECT tag_id, articles, newest FROM tag_counts EXCEPT"
    " SELECT tag_id, count(*), max(date) FROM article_tags GROUP BY tag_id)",
    /* the names that differ only in case together, under the first */
    "SELECT count(*) FROM (SELECT min(author), count(*), max(date) FROM articles"
    " WHERE author <> '' GROUP BY author COLLATE NOCASE"
    " EXCEPT SELECT name COLLATE BINARY, articles, newest FROM author_counts)",
    "SELECT count(*) FROM (SELECT name COLLATE BINARY, articles, newest FROM author_counts EXCEPT"
    " SELECT min(author), count(*), max(date) FROM articles WHERE author <> ''"
    " GROUP BY author COLLATE NOCASE)",
    "SELECT count(*) FROM (SELECT language, count(*) FROM code_blocks GROUP BY language"
    " EXCEPT SELECT language, blocks FROM language_counts)",
    "SELECT count(*) FROM (SELECT language, blocks FROM language_counts EXCEPT"
    " SELECT language, count(*) FROM code_blocks GROUP BY language)",
    "SELECT count(*) FROM (SELECT feed_id, count(*) FROM article_feeds GROUP BY feed_id"
    " EXCEPT SELECT feed_id, articles FROM feed_counts)",
    "SELECT count(*) FROM (SELECT feed_id, articles FROM feed_counts EXCEPT"
    " SELECT feed_id, count(*) FROM article_feeds GROUP BY feed_id)",
    "SELECT (SELECT count(*) FROM articles)"
    " IS NOT (SELECT value FROM archive_counts WHERE name = 'articles')",
    "SELECT (SELECT count(*) FROM article_versions)"
    " IS NOT (SELECT value FROM archive_counts WHERE name = 'versions')",
};

/* How many kept rows differ from the recount (0: all agree). */
static int64_t counts_off(const char *name)
{
    int64_t off = 0;
    for (size_t i = 0; i < sizeof recounts / sizeof recounts[0]; i++) {
        int64_t n = sql_int(name, recounts[i]);
        if (n != 0)
            fprintf(stderr, "off (%lld): %s\n", (long long)n, recounts[i]);
        off += n;
    }
    return off;
}

/* ---- what the commands list --------------------------------------------------- */

/* Rows as "name count newest|" lines, from the store or from SQL. */
static int add_count(const struct fk_name_count *count, void *ctx)
{
    fk_buf_printf(ctx, "%s %lld %lld|", count->name, (long long)count->articles,
                  (long long)count->newest);
    return 0;
}

static int add_language(const struct fk_language_count *count, void *ctx)
{
    fk_buf_printf(ctx, "%s %lld|", count->language, (long long)count->blocks);
    return 0;
}

/* The rows of sql (three columns, or two), as add_count writes them; NULL
 * dates as FK_TIME_NONE. */
static void sql_rows(const char *name, const char *sql, struct fk_buf *out)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_open_v2(tmp_path(name), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        fk_buf_printf(out, "%s %lld", text ? text : "", (long long)sqlite3_column_int64(st, 1));
        if (sqlite3_column_count(st) > 2)
            fk_buf_printf(out, " %lld",
                          sqlite3_column_type(st, 2) == SQLITE_NULL
                              ? (long long)FK_TIME_NONE
                              : (long long)sqlite3_column_int64(st, 2));
        fk_buf_addc(out, '|');
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* tags, authors, the languages and the totals as the store lists them
 * from the kept counts, against the queries over every row they replace. */
static void check_listings(struct fk_store *store, const char *name)
{
    struct fk_error err = {0};
    struct fk_buf got = FK_BUF_INIT, expected = FK_BUF_INIT;

    CHECK_INT(fk_store_list_tags(store, 0, add_count, &got, &err), 0);
    sql_rows(name,
             "SELECT t.name, count(*), max(at.date) FROM article_tags at"
             " JOIN tags t ON t.id = at.tag_id GROUP BY at.tag_id ORDER BY 2 DESC, t.name",
             &expected);
    CHECK_STR(got.data, expected.data);

    fk_buf_reset(&got);
    fk_buf_reset(&expected);
    CHECK_INT(fk_store_list_tags(store, 2, add_count, &got, &err), 0);
    sql_rows(name,
             "SELECT t.name, count(*), max(at.date) FROM article_tags at"
             " JOIN tags t ON t.id = at.tag_id GROUP BY at.tag_id ORDER BY 2 DESC, t.name LIMIT 2",
             &expected);
    CHECK_STR(got.data, expected.data);

    fk_buf_reset(&got);
    fk_buf_reset(&expected);
    CHECK_INT(fk_store_list_authors(store, 0, add_count, &got, &err), 0);
    sql_rows(name,
             "SELECT min(author), count(*), max(date) FROM articles"
             " WHERE author IS NOT NULL AND author <> '' GROUP BY author COLLATE NOCASE"
             " ORDER BY 2 DESC, 1 COLLATE NOCASE",
             &expected);
    CHECK_STR(got.data, expected.data);

    fk_buf_reset(&got);
    fk_buf_reset(&expected);
    CHECK_INT(fk_store_list_languages(store, add_language, &got, &err), 0);
    sql_rows(name,
             "SELECT language, count(*) FROM code_blocks WHERE language IS NOT NULL"
             " GROUP BY language ORDER BY 2 DESC, 1",
             &expected);
    CHECK_STR(got.data, expected.data);

    struct fk_store_stats stats;
    CHECK_INT(fk_store_stats(store, &stats, &err), 0);
    fk_buf_reset(&got);
    fk_buf_reset(&expected);
    for (size_t i = 0; i < stats.nlanguages; i++)
        fk_buf_printf(&got, "%s %lld|",
                      stats.languages[i].language ? stats.languages[i].language : "",
                      (long long)stats.languages[i].blocks);
    sql_rows(name,
             "SELECT language, count(*) FROM code_blocks GROUP BY language ORDER BY 2 DESC, 1",
             &expected);
    CHECK_STR(got.data, expected.data);
    CHECK_INT(stats.counts.articles, sql_int(name, "SELECT count(*) FROM articles"));
    CHECK_INT(stats.counts.code_blocks, sql_int(name, "SELECT count(*) FROM code_blocks"));
    CHECK_INT(stats.counts.versions, sql_int(name, "SELECT count(*) FROM article_versions"));
    CHECK_INT(stats.counts.tags, sql_int(name, "SELECT count(DISTINCT tag_id) FROM article_tags"));
    fk_store_stats_release(&stats);
    fk_buf_release(&got);
    fk_buf_release(&expected);
}

/* ---- check ------------------------------------------------------------------ */

struct problems {
    int counts, others;
    struct fk_buf text; /* the counts' problems, one a line */
};

static void on_problem(const char *check, const char *problem, void *ctx)
{
    struct problems *p = ctx;
    if (strcmp(check, "counts") == 0) {
        p->counts++;
        fk_buf_printf(&p->text, "%s\n", problem);
    } else {
        p->others++;
        fprintf(stderr, "%s: %s\n", check, problem);
    }
}

/* fk_store_check's problems with the counts (and none with the rest). */
static int check_counts(struct fk_store *store, struct problems *p)
{
    struct fk_error err = {0};
    p->counts = p->others = 0;
    fk_buf_reset(&p->text);
    int n = fk_store_check(store, on_problem, p, &err);
    CHECK(n >= 0);
    CHECK_INT(p->others, 0);
    return p->counts;
}

/* ---- the tests --------------------------------------------------------------- */

#define FEED_A "https://a.example/feed"
#define FEED_B "https://b.example/feed"

static void test_writes(void)
{
    const char *name = "writes.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    struct problems problems = {0, 0, FK_BUF_INIT};
    struct entry e[4];
    entry_init(&e[0], "one", "Alice", "first text about databases", 3);
    entry_tag(&e[0], "sql");
    entry_tag(&e[0], "rust");
    entry_code(&e[0], "sql", "SELECT 1;");
    entry_code(&e[0], NULL, "plain");
    entry_init(&e[1], "https://a.example/two", "alice",
               "second text, by the same author in another case", 5);
    entry_tag(&e[1], "sql");
    entry_code(&e[1], "Python", "print(2)");
    entry_init(&e[2], "three", "Bob", "third text without a date", 0);
    entry_tag(&e[2], "go");
    entry_init(&e[3], "four", NULL, "fourth text without an author", 7);
    entry_tag(&e[3], "rust");
    entry_code(&e[3], "sql", "SELECT 4;");

    /* filing new articles, one of them in two feeds (its guid is a URL:
     * the same article wherever it comes from) */
    CHECK_INT(file_feed(store, FEED_A, e, 4), 4);
    CHECK_INT(file_feed(store, FEED_B, e + 1, 1), 0);
    CHECK_INT(counts_off(name), 0);
    CHECK_INT(sql_int(name, "SELECT articles FROM feed_counts WHERE feed_id = 2"), 1);
    CHECK_INT(sql_int(name, "SELECT articles FROM tag_counts"
                            " JOIN tags ON tags.id = tag_id WHERE name = 'sql'"),
              2);
    check_listings(store, name);

    /* replacing: new tags, another author, a later date, other code */
    struct entry changed = e[0];
    changed.tags[0] = "go";
    changed.item.tags = changed.tags;
    changed.item.author = "Bob";
    changed.item.published = e[3].item.published + 86400;
    changed.content.text = changed.item.content_html = "first text, rewritten about go";
    changed.content.markdown = changed.content.text;
    changed.content.code_blocks = changed.code;
    changed.content.ncode_blocks = 1;
    changed.code[0].language = "go";
    CHECK_INT(file_feed(store, FEED_A, &changed, 1), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_versions"), 1);
    CHECK_INT(counts_off(name), 0);
    CHECK_INT(sql_int(name, "SELECT articles FROM author_counts WHERE name = 'Bob'"), 2);
    /* Alice's one article left her: her row is alice's now */
    CHECK_INT(
        sql_int(name, "SELECT count(*) FROM author_counts WHERE name = 'Alice' COLLATE BINARY"), 0);
    CHECK_INT(
        sql_int(name, "SELECT articles FROM author_counts WHERE name = 'alice' COLLATE BINARY"), 1);
    check_listings(store, name);

    /* the date of the newest leaves: the next newest is looked up */
    changed.item.published = e[0].item.published;
    changed.content.text = changed.item.content_html = "first text, rewritten about go again";
    changed.content.markdown = changed.content.text;
    CHECK_INT(file_feed(store, FEED_A, &changed, 1), 1);
    CHECK_INT(counts_off(name), 0);
    check_listings(store, name);

    /* the guid-change rule: the same post of the feed under a new guid is
     * the same article, changed (with other tags and code) */
    struct entry post;
    entry_init(&post, "five", "Carol", "fifth text, a post with a link", 6);
    post.item.url = "https://a.example/five";
    entry_tag(&post, "go");
    entry_code(&post, "go", "package main");
    CHECK_INT(file_feed(store, FEED_A, &post, 1), 1);
    struct entry moved = post;
    moved.item.tags = moved.tags;
    moved.content.code_blocks = moved.code;
    moved.item.guid = "https://a.example/five/";
    moved.tags[0] = "rust";
    moved.code[0].language = "rust";
    moved.content.text = moved.item.content_html = "fifth text, a post with a link, edited";
    moved.content.markdown = moved.content.text;
    CHECK_INT(file_feed(store, FEED_A, &moved, 1), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_aliases"), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM articles"), 5);
    CHECK_INT(counts_off(name), 0);
    check_listings(store, name);

    /* reparse: the code blocks are written again */
    struct fk_error err = {0};
    struct fk_code_block code[] = {{"rust", "fn main() {}", 1}, {"rust", "let x = 1;", 1}};
    struct fk_content reparsed = {.text = "third text without a date",
                                  .markdown = "third text without a date",
                                  .code_blocks = code,
                                  .ncode_blocks = 2};
    enum fk_reparse_result result;
    CHECK_INT(fk_store_reparse_article(store, 3, &reparsed, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_REWRITTEN);
    CHECK_INT(sql_int(name, "SELECT blocks FROM language_counts WHERE language = 'rust'"), 3);
    CHECK_INT(counts_off(name), 0);
    check_listings(store, name);
    CHECK_INT(check_counts(store, &problems), 0);
    fk_store_close(store);

    /* changing rows by hand: a tag's date and tag, a block's language, the
     * feed of a membership, an author's name */
    CHECK_INT(sql_exec(name, "UPDATE article_tags SET date = date + 86400 * 30"
                             " WHERE article_id = 1;"
                             " UPDATE article_tags SET tag_id = (SELECT id FROM tags"
                             " WHERE name = 'go') WHERE article_id = 4;"
                             " UPDATE code_blocks SET language = 'c' WHERE language = 'sql';"
                             " UPDATE code_blocks SET language = NULL WHERE language = 'go';"
                             " UPDATE article_feeds SET feed_id = 2 WHERE article_id = 3;"
                             " UPDATE articles SET author = 'BOB' WHERE id = 3;"),
              0);
    CHECK_INT(counts_off(name), 0);

    /* removing by hand: an article (its tags, code and feeds go with it),
     * a feed, a tag, a version */
    CHECK_INT(sql_exec(name, "PRAGMA foreign_keys = ON; DELETE FROM articles WHERE guid = 'four';"
                             " DELETE FROM feeds WHERE url = '" FEED_B "';"
                             " DELETE FROM tags WHERE name = 'go';"
                             " DELETE FROM article_versions WHERE id = 1;"),
              0);
    CHECK_INT(counts_off(name), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM feed_counts"), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM tag_counts t JOIN tags ON tags.id = t.tag_id"
                            " WHERE name = 'go'"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    check_listings(store, name);
    CHECK_INT(check_counts(store, &problems), 0);

    /* all gone: no row is left with a count of 0 */
    fk_store_close(store);
    CHECK_INT(sql_exec(name, "PRAGMA foreign_keys = ON; DELETE FROM articles;"), 0);
    CHECK_INT(counts_off(name), 0);
    CHECK_INT(sql_int(name, "SELECT (SELECT count(*) FROM tag_counts)"
                            " + (SELECT count(*) FROM author_counts)"
                            " + (SELECT count(*) FROM language_counts)"
                            " + (SELECT count(*) FROM feed_counts)"),
              0);
    CHECK_INT(sql_int(name, "SELECT value FROM archive_counts WHERE name = 'articles'"), 0);
    fk_buf_release(&problems.text);
}

static void test_check_and_repair(void)
{
    const char *name = "tampered.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    struct problems problems = {0, 0, FK_BUF_INIT};
    struct fk_error err = {0};
    struct entry e[2];
    entry_init(&e[0], "one", "Alice", "one text", 3);
    entry_tag(&e[0], "sql");
    entry_code(&e[0], "sql", "SELECT 1;");
    entry_init(&e[1], "two", "Bob", "two text", 4);
    entry_tag(&e[1], "sql");
    entry_tag(&e[1], "it's");
    CHECK_INT(file_feed(store, FEED_A, e, 2), 2);
    CHECK_INT(check_counts(store, &problems), 0);
    fk_store_close(store);

    /* one count of each kind off, a row missing, a row too many */
    CHECK_INT(sql_exec(name, "UPDATE tag_counts SET articles = 7 WHERE tag_id ="
                             " (SELECT id FROM tags WHERE name = 'sql');"
                             " UPDATE tag_counts SET newest = 0 WHERE tag_id ="
                             " (SELECT id FROM tags WHERE name = 'it''s');"
                             " DELETE FROM author_counts WHERE name = 'Bob';"
                             " INSERT INTO language_counts(language, blocks) VALUES ('cobol', 1);"
                             " UPDATE feed_counts SET articles = 1;"
                             " UPDATE archive_counts SET value = 5 WHERE name = 'articles';"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(check_counts(store, &problems), 6);
    CHECK_STR(problems.text.data,
              "tag 'sql': 2 articles, newest 2026-06-04T12:00:00Z; kept: 7 articles, newest "
              "2026-06-04T12:00:00Z ('feedkeep check --repair' recounts)\n"
              "tag 'it''s': 1 articles, newest 2026-06-04T12:00:00Z; kept: 1 articles, newest "
              "1970-01-01T00:00:00Z ('feedkeep check --repair' recounts)\n"
              "author 'Bob': 1 articles, newest 2026-06-04T12:00:00Z; kept: no articles, newest "
              "none ('feedkeep check --repair' recounts)\n"
              "code language 'cobol': 0 blocks; kept: 1 blocks ('feedkeep check --repair' "
              "recounts)\n"
              "feed '" FEED_A "': 2 articles; kept: 1 articles ('feedkeep check --repair' "
              "recounts)\n"
              "articles: 2; kept: 5 ('feedkeep check --repair' recounts)\n");

    /* the repair recounts; the archive is sound again */
    CHECK_INT(fk_store_repair_counts(store, &err), 0);
    CHECK_INT(check_counts(store, &problems), 0);
    CHECK_INT(counts_off(name), 0);
    check_listings(store, name);

    /* not while a feed is being filed */
    CHECK_INT(fk_store_begin_feed(store, FEED_A, NULL, &err), 0);
    CHECK_INT(fk_store_repair_counts(store, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(fk_store_end_feed(store, false, NULL, &err), 0);
    fk_store_close(store);

    /* many names off: the first ones, then how many more */
    CHECK_INT(sql_exec(name, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                             " WHERE i < 25) INSERT INTO author_counts(name, articles, newest)"
                             " SELECT 'ghost ' || i, 1, NULL FROM n;"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(check_counts(store, &problems), 21);
    CHECK(strstr(problems.text.data,
                 "\n5 more authors whose counts are off ('feedkeep check --repair' recounts)\n") !=
          NULL);
    CHECK_INT(fk_store_repair_counts(store, &err), 0);
    CHECK_INT(check_counts(store, &problems), 0);
    fk_store_close(store);
    fk_buf_release(&problems.text);
}

/* An archive of schema 12, as the release before the counts wrote it, gets
 * them counted when it is opened; and an archive whose version was set
 * back runs the step again, which recounts. */
static void test_migration(void)
{
    const char *name = "upgrade.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    struct fk_error err = {0};
    struct entry e[3];
    entry_init(&e[0], "one", "Alice", "one text", 3);
    entry_tag(&e[0], "sql");
    entry_code(&e[0], "sql", "SELECT 1;");
    entry_init(&e[1], "two", "ALICE", "two text", 4);
    entry_tag(&e[1], "sql");
    entry_tag(&e[1], "go");
    entry_code(&e[1], NULL, "x");
    entry_init(&e[2], "three", "Bob", "three text", 0);
    CHECK_INT(file_feed(store, FEED_A, e, 3), 3);
    fk_store_close(store);
    CHECK_INT(sql_exec(name, "DROP TABLE tag_counts; DROP TABLE author_counts;"
                             " DROP TABLE language_counts; DROP TABLE feed_counts;"
                             " DROP TABLE archive_counts;"
                             " DROP TRIGGER tag_counts_insert; DROP TRIGGER tag_counts_delete;"
                             " DROP TRIGGER tag_counts_update; DROP TRIGGER author_counts_insert;"
                             " DROP TRIGGER author_counts_delete;"
                             " DROP TRIGGER author_counts_update;"
                             " DROP TRIGGER language_counts_insert;"
                             " DROP TRIGGER language_counts_delete;"
                             " DROP TRIGGER language_counts_update;"
                             " DROP TRIGGER feed_counts_insert; DROP TRIGGER feed_counts_delete;"
                             " DROP TRIGGER feed_counts_update; DROP TRIGGER version_counts_insert;"
                             " DROP TRIGGER version_counts_delete; PRAGMA user_version = 12;"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(sql_int(name, "PRAGMA user_version"), 20);
    CHECK_INT(counts_off(name), 0);
    check_listings(store, name);
    fk_store_close(store);

    CHECK_INT(sql_exec(name, "UPDATE tag_counts SET articles = 9; PRAGMA user_version = 12;"), 0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(counts_off(name), 0);
    fk_store_close(store);

    /* schema 19's author_counts, a row per name as written: schema 20 puts
     * Alice and ALICE in one row, and keeps it as articles change */
    CHECK_INT(sql_exec(name, "DROP TRIGGER author_counts_insert; DROP TRIGGER author_counts_delete;"
                             " DROP TRIGGER author_counts_update; DROP TABLE author_counts;"
                             " CREATE TABLE author_counts (name TEXT PRIMARY KEY,"
                             " articles INTEGER NOT NULL, newest INTEGER) WITHOUT ROWID;"
                             " INSERT INTO author_counts SELECT author, count(*), max(date)"
                             " FROM articles WHERE author <> '' GROUP BY author;"
                             " PRAGMA user_version = 19;"),
              0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM author_counts"), 3);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(sql_int(name, "PRAGMA user_version"), 20);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM author_counts"), 2);
    CHECK_INT(
        sql_int(name, "SELECT articles FROM author_counts WHERE name = 'ALICE' COLLATE BINARY"), 2);
    CHECK_INT(counts_off(name), 0);
    check_listings(store, name);
    fk_store_close(store);
    CHECK_INT(sql_exec(name, "PRAGMA foreign_keys = ON; DELETE FROM articles WHERE guid = 'two';"),
              0);
    CHECK_INT(
        sql_int(name, "SELECT articles FROM author_counts WHERE name = 'Alice' COLLATE BINARY"), 1);
    CHECK_INT(counts_off(name), 0);
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/feedkeep-test-counts-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_writes);
    RUN(test_check_and_repair);
    RUN(test_migration);
    static const char *const names[] = {"writes.db", "tampered.db", "upgrade.db"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove_archive(names[i]);
    rmdir(tmp_dir);
    return DONE();
}
