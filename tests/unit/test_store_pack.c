/* test_store_pack.c - the packed columns (schema 14): an article's HTML
 * forms and Markdown, a version's and a rejected version's, are kept as
 * zstd frames and read back as they were filed; short values stay plain;
 * rows filed plain (before schema 14) are read as they are and packed by
 * vacuum; a hand edit of the text leaves the HTML readable; damaged frames
 * are found by check and named by the reader, and reparse writes damaged
 * Markdown again. And the code blocks kept as their place in the text
 * (schema 15): read back as filed, kept through a hand edit of the text,
 * placed again by reparse, found in the text by vacuum for rows filed
 * before, checked, migrated. And a version's text packed against its HTML
 * (schema 16): read back, its length listed, packed by vacuum when saved
 * plain, checked. And the compression dictionary (schema 18): trained
 * when the archive reaches 1,000 articles, kept only when it pays, named by
 * each frame packed with it, protected from deletion, missed by check when
 * deleted anyway, tried again at twice the articles when it did not pay,
 * and used by vacuum on the HTML packed before it.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "feedkeep/buf.h"
#include "archive_files.h"
#include "filing.h"
#include "harness.h"

#define FEED "https://example.com/feed.xml"

/* A long value: n paragraphs, each naming i, so that it packs well and no
 * two values are equal. */
static char *long_value(const char *kind, int i, int n)
{
    struct fk_buf b = FK_BUF_INIT;
    for (int p = 0; p < n; p++)
        fk_buf_printf(&b,
                      "<p>%s %d, paragraph %d: query planners choose a join order from the "
                      "statistics they keep.</p>\n",
                      kind, i, p);
    return b.data;
}

/* The text of column col of article id, as SQL sees it ("blob", "text",
 * "null"), by a connection of the test's own. */
static const char *column_type(const char *name, const char *col, int64_t id)
{
    static const char *const types[] = {"?", "integer", "real", "text", "blob", "null"};
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT CASE typeof(%s) WHEN 'integer' THEN 1 WHEN 'real' THEN 2"
             " WHEN 'text' THEN 3 WHEN 'blob' THEN 4 ELSE 5 END"
             " FROM articles WHERE id = %lld",
             col, (long long)id);
    int64_t t = sql_int(name, sql);
    return types[t >= 1 && t <= 5 ? t : 0];
}

/* Article id's HTML and Markdown as the store reads them back. */
static void check_article(struct fk_store *store, int64_t id, const char *html,
                          const char *markdown, const char *text)
{
    struct fk_article a;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_article(store, id, &a, &err), 0);
    CHECK_STR(a.content_html, html);
    CHECK_STR(a.markdown, markdown);
    CHECK_STR(a.text, text);
    fk_article_release(&a);
}

struct problems {
    int n;
    struct fk_buf text;
};

static void add_problem(const char *check, const char *problem, void *ctx)
{
    struct problems *p = ctx;
    p->n++;
    fk_buf_printf(&p->text, "%s: %s\n", check, problem);
}

static void test_round_trip(void)
{
    const char *name = "pack.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    char *html = long_value("html", 1, 40), *markdown = long_value("markdown", 1, 40);
    struct entry e[2];
    entry_init(&e[0], "long", "Alice", "the text of the long one", 3);
    e[0].item.content_html = html;
    e[0].content.markdown = markdown;
    entry_init(&e[1], "short", "Bob", "short text", 4);
    e[1].item.content_html = "<p>short</p>";
    e[1].content.markdown = "short";
    CHECK_INT(file_feed(store, FEED, e, 2), 2);

    /* long values are packed and far smaller; short ones stay plain */
    CHECK_STR(column_type(name, "content_html", 1), "blob");
    CHECK_STR(column_type(name, "markdown", 1), "blob");
    CHECK_STR(column_type(name, "text", 1), "text");
    /* length() of a blob is its bytes */
    CHECK(sql_int(name, "SELECT length(content_html) FROM articles WHERE id = 1") * 4 <
          (int64_t)strlen(html));
    CHECK(sql_int(name, "SELECT length(markdown) FROM articles WHERE id = 1") * 4 <
          (int64_t)strlen(markdown));
    CHECK_STR(column_type(name, "content_html", 2), "text");
    CHECK_STR(column_type(name, "markdown", 2), "text");
    check_article(store, 1, html, markdown, "the text of the long one");
    check_article(store, 2, "<p>short</p>", "short", "short text");

    /* the view: plain Markdown as it is, packed as NULL */
    CHECK_INT(sql_int(name, "SELECT markdown IS NULL FROM articles_view WHERE id = 1"), 1);
    CHECK_INT(sql_int(name, "SELECT markdown = 'short' FROM articles_view WHERE id = 2"), 1);

    /* a change keeps the old content as a version, packed, read back */
    char *html2 = long_value("html", 2, 40), *markdown2 = long_value("markdown", 2, 40);
    e[0].item.content_html = html2;
    e[0].content.markdown = markdown2;
    e[0].content.text = "the text of the long one, changed";
    CHECK_INT(file_feed(store, FEED, e, 1), 1);
    check_article(store, 1, html2, markdown2, "the text of the long one, changed");
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_versions WHERE article_id = 1"
                            " AND typeof(content_html) = 'blob' AND typeof(markdown) = 'blob'"),
              1);

    /* an empty body is rejected and kept as a rejected version, packed */
    char *html3 = long_value("html", 3, 40);
    e[0].item.content_html = html3;
    e[0].content.markdown = html3;
    e[0].content.text = "";
    CHECK(file_feed(store, FEED, e, 1) >= 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_versions WHERE article_id = 1"
                            " AND kind = 'rejected' AND typeof(content_html) = 'blob'"),
              1);

    struct fk_error err = {0};
    struct problems problems = {0, FK_BUF_INIT};
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    fk_buf_release(&problems.text);
    fk_store_close(store);
    free(html);
    free(markdown);
    free(html2);
    free(markdown2);
    free(html3);
}

/* Version 1 of article id has html and markdown. */
static void check_first_version(struct fk_store *store, int64_t id, const char *html,
                                const char *markdown)
{
    struct fk_version v;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_version(store, id, 1, &v, &err), 0);
    CHECK_STR(v.html, html);
    CHECK_STR(v.markdown, markdown);
    fk_version_release(&v);
}

static void test_versions_read_back(void)
{
    struct fk_store *store = fk_store_open(tmp_path("pack.db"), &(struct fk_error){0});
    CHECK(store != NULL);
    if (!store)
        return;
    char *html = long_value("html", 1, 40), *markdown = long_value("markdown", 1, 40);
    check_first_version(store, 1, html, markdown);
    fk_store_close(store);
    free(html);
    free(markdown);
}

static void test_plain_rows_and_vacuum(void)
{
    const char *name = "plain.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    char *html = long_value("html", 7, 30), *markdown = long_value("markdown", 7, 30);
    struct entry e[1];
    entry_init(&e[0], "old", "Alice", "old text", 3);
    e[0].item.content_html = html;
    e[0].content.markdown = markdown;
    CHECK_INT(file_feed(store, FEED, e, 1), 1);
    fk_store_close(store);

    /* as an archive made before schema 14 holds it: plain text */
    char sql[16384];
    snprintf(sql, sizeof sql,
             "UPDATE articles SET content_html = '%s', markdown = '%s' WHERE id = 1;"
             " INSERT INTO article_versions(article_id, replaced_at, title, text, markdown,"
             " content_html, tags_text, content_hash) VALUES (1, 1, 'old', 'older text', '%s',"
             " '%s', '', 0);",
             html, markdown, markdown, html);
    CHECK_INT(sql_exec(name, sql), 0);
    CHECK_STR(column_type(name, "content_html", 1), "text");
    CHECK_INT(sql_int(name, "SELECT markdown IS NOT NULL FROM articles_view WHERE id = 1"), 1);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    check_article(store, 1, html, markdown, "old text");

    /* vacuum packs them, and they read the same */
    CHECK_INT(fk_store_vacuum(store, &err), 0);
    CHECK_STR(column_type(name, "content_html", 1), "blob");
    CHECK_STR(column_type(name, "markdown", 1), "blob");
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_versions WHERE typeof(markdown) = 'blob'"
                            " AND typeof(content_html) = 'blob'"),
              1);
    check_article(store, 1, html, markdown, "old text");
    check_first_version(store, 1, html, markdown);
    fk_store_close(store);
    free(html);
    free(markdown);
}

static void test_hand_edits_and_damage(void)
{
    const char *name = "damage.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    char *html = long_value("html", 9, 30), *markdown = long_value("markdown", 9, 30);
    struct entry e[2];
    entry_init(&e[0], "one", "Alice", "one text", 3);
    e[0].item.content_html = html;
    e[0].content.markdown = markdown;
    entry_init(&e[1], "two", "Bob", "two text", 4);
    e[1].item.content_html = html;
    e[1].content.markdown = markdown;
    CHECK_INT(file_feed(store, FEED, e, 2), 2);
    fk_store_close(store);

    /* the text changed by hand: the HTML and Markdown do not depend on it */
    CHECK_INT(sql_exec(name, "UPDATE articles SET text = 'changed by hand' WHERE id = 1"), 0);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    check_article(store, 1, html, markdown, "changed by hand");
    fk_store_close(store);

    /* a damaged HTML frame and a Markdown that is no frame at all */
    CHECK_INT(sql_exec(name, "UPDATE articles SET content_html = CAST(substr(content_html, 1, 40)"
                             " || x'00' || substr(content_html, 42) AS BLOB) WHERE id = 1;"
                             " UPDATE articles SET markdown = CAST('xyz' AS BLOB) WHERE id = 2;"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct fk_article a;
    CHECK_INT(fk_store_get_article(store, 1, &a, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_DB);
    CHECK(strstr(err.message, "article 1: its stored content_html cannot be unpacked") != NULL);
    /* (and the full-text index, which the hand edit left behind) */
    struct problems problems = {0, FK_BUF_INIT};
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 3);
    CHECK(problems.text.data && strstr(problems.text.data, "packed columns: ") != NULL &&
          strstr(problems.text.data, "article 1: its stored content_html") != NULL &&
          strstr(problems.text.data, "article 2: its stored markdown") != NULL);

    /* reparse writes the Markdown again, as the derived content it is */
    struct fk_content content = {.text = "two text", .markdown = markdown};
    enum fk_reparse_result result;
    CHECK_INT(fk_store_reparse_article(store, 2, &content, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_REWRITTEN);
    check_article(store, 2, html, markdown, "two text");
    fk_buf_reset(&problems.text);
    problems.n = 0;
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 2);
    CHECK(problems.text.data && strstr(problems.text.data, "article 2") == NULL);
    fk_buf_release(&problems.text);
    fk_store_close(store);
    free(html);
    free(markdown);
}

/* The first version's text length, as listed. */
static int first_text_length(const struct fk_version *v, void *ctx)
{
    *(size_t *)ctx = v->text_length;
    return 1;
}

static void check_version_text(struct fk_store *store, const char *html, const char *markdown,
                               const char *text)
{
    struct fk_version v;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_version(store, 1, 1, &v, &err), 0);
    CHECK_STR(v.html, html);
    CHECK_STR(v.markdown, markdown);
    CHECK_STR(v.text, text);
    fk_version_release(&v);
    size_t length = 0;
    CHECK_INT(fk_store_list_versions(store, 1, first_text_length, &length, &err), 1);
    CHECK_INT((int64_t)length, (int64_t)strlen(text));
}

static void test_version_text(void)
{
    const char *name = "vtext.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    char *html = long_value("html", 11, 40), *markdown = long_value("markdown", 11, 40);
    char *text = long_value("text", 11, 40), *text2 = long_value("text", 12, 40);
    struct entry e[1];
    entry_init(&e[0], "one", "Alice", text, 3);
    e[0].item.content_html = html;
    e[0].content.markdown = markdown;
    CHECK_INT(file_feed(store, FEED, e, 1), 1);
    char *html2 = long_value("html", 12, 40);
    e[0].item.content_html = html2;
    e[0].content.text = text2;
    CHECK_INT(file_feed(store, FEED, e, 1), 1);
    /* the article's text stays plain, its version's is packed */
    CHECK_STR(column_type(name, "text", 1), "text");
    CHECK(sql_int(name, "SELECT length(text) FROM article_versions WHERE article_id = 1") * 4 <
          (int64_t)strlen(text));
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_versions WHERE typeof(text) = 'blob'"),
              1);
    check_version_text(store, html, markdown, text);
    struct fk_error err = {0};
    struct problems problems = {0, FK_BUF_INIT};
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    fk_store_close(store);

    /* saved plain (before schema 16): read as it is, packed by vacuum */
    char sql[16384];
    snprintf(sql, sizeof sql, "UPDATE article_versions SET text = '%s' WHERE article_id = 1", text);
    CHECK_INT(sql_exec(name, sql), 0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    check_version_text(store, html, markdown, text);
    CHECK_INT(fk_store_vacuum(store, &err), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM article_versions WHERE typeof(text) = 'blob'"),
              1);
    check_version_text(store, html, markdown, text);
    fk_store_close(store);

    /* damaged: named by the reader and by check */
    CHECK_INT(sql_exec(name, "UPDATE article_versions SET text = CAST(substr(text, 1, 20)"
                             " || x'00' || substr(text, 22) AS BLOB) WHERE article_id = 1"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct fk_version v;
    CHECK_INT(fk_store_get_version(store, 1, 1, &v, &err), -1);
    CHECK(strstr(err.message, "article 1: its stored text cannot be unpacked") != NULL);
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 1);
    CHECK(problems.text.data && strstr(problems.text.data, "article 1: its stored text") != NULL);
    fk_buf_release(&problems.text);
    fk_store_close(store);
    free(html);
    free(markdown);
    free(text);
    free(text2);
    free(html2);
}

static void test_migration(void)
{
    const char *name = "upgrade.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    fk_store_close(store);
    /* back to schema 13's view */
    CHECK_INT(sql_exec(name, "DROP VIEW articles_view; CREATE VIEW articles_view AS SELECT"
                             " a.id, a.markdown FROM articles a; PRAGMA user_version = 13;"),
              0);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    fk_store_close(store);
    CHECK_INT(sql_int(name, "PRAGMA user_version"), 20);
    CHECK_INT(sql_int(name, "SELECT instr(sql, 'typeof(a.markdown)') > 0 FROM sqlite_master"
                            " WHERE name = 'articles_view'"),
              1);
}

/* The code of block id as the store reads it ("" when there is none). */
static int copy_code(const struct fk_code_row *row, void *ctx)
{
    snprintf(ctx, 256, "%s", row->code ? row->code : "(null)");
    return 0;
}

static const char *code_of(struct fk_store *store, int64_t id)
{
    static char code[256];
    struct fk_error err = {0};
    code[0] = '\0';
    CHECK_INT(fk_store_get_code(store, id, copy_code, code, &err), 0);
    return code;
}

#define CODE_TEXT "intro; SELECT * FROM big_table; then; for x in xs: print(x); end"

static void test_code_places(void)
{
    const char *name = "code.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    struct entry e[1];
    entry_init(&e[0], "code", "Alice", CODE_TEXT, 3);
    entry_code(&e[0], "sql", "SELECT * FROM big_table;");
    entry_code(&e[0], "python", "for x in xs: print(x);");
    entry_code(&e[0], NULL, "x = 1");                       /* short: kept as it is */
    entry_code(&e[0], "sh", "echo not in the text at all"); /* not in the text */
    CHECK_INT(file_feed(store, FEED, e, 1), 1);
    fk_store_close(store);

    /* the two found are places in the text, the others their code */
    CHECK_INT(sql_int(name, "SELECT count(*) FROM code_blocks WHERE code = ''"
                            " AND text_offset IS NOT NULL"),
              2);
    CHECK_INT(sql_int(name, "SELECT text_offset FROM code_blocks WHERE position = 1"), 38);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM code_blocks WHERE text_offset IS NULL"
                            " AND code IN ('x = 1', 'echo not in the text at all')"),
              2);
    /* code_view reads both, as SQL alone */
    CHECK_INT(sql_int(name, "SELECT count(*) FROM code_view WHERE code IN"
                            " ('SELECT * FROM big_table;', 'for x in xs: print(x);', 'x = 1',"
                            " 'echo not in the text at all')"),
              4);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_STR(code_of(store, 1), "SELECT * FROM big_table;");
    CHECK_STR(code_of(store, 2), "for x in xs: print(x);");
    CHECK_STR(code_of(store, 3), "x = 1");
    CHECK_STR(code_of(store, 4), "echo not in the text at all");

    /* reparse with a new text, the same code: the blocks keep their ids
     * and are placed in the new text */
    struct fk_content content = e[0].content;
    content.text = "new intro, longer; for x in xs: print(x); SELECT * FROM big_table;";
    enum fk_reparse_result result;
    CHECK_INT(fk_store_reparse_article(store, 1, &content, &result, &err), 0);
    CHECK_INT(result, FK_REPARSE_CHANGED);
    CHECK_INT(sql_int(name, "SELECT text_offset FROM code_blocks WHERE id = 1"), 42);
    CHECK_INT(sql_int(name, "SELECT text_offset FROM code_blocks WHERE id = 2"), 19);
    CHECK_STR(code_of(store, 1), "SELECT * FROM big_table;");
    CHECK_STR(code_of(store, 2), "for x in xs: print(x);");
    struct problems problems = {0, FK_BUF_INIT};
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    fk_store_close(store);

    /* the text changed by hand: the code is taken out of the old text */
    CHECK_INT(sql_exec(name, "UPDATE articles SET text = 'changed by hand' WHERE id = 1"), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM code_blocks WHERE text_offset IS NULL"), 4);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_STR(code_of(store, 1), "SELECT * FROM big_table;");
    CHECK_STR(code_of(store, 2), "for x in xs: print(x);");

    /* vacuum finds the code of rows kept whole (as before schema 15) in
     * the text where it stands; the rest stay */
    CHECK_INT(sql_exec(name, "UPDATE articles SET text = '" CODE_TEXT "' WHERE id = 1"), 0);
    CHECK_INT(fk_store_vacuum(store, &err), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM code_blocks WHERE code = ''"
                            " AND text_offset IS NOT NULL"),
              2);
    CHECK_STR(code_of(store, 1), "SELECT * FROM big_table;");
    CHECK_STR(code_of(store, 2), "for x in xs: print(x);");
    CHECK_STR(code_of(store, 3), "x = 1");
    fk_buf_reset(&problems.text);
    problems.n = 0;
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    fk_store_close(store);

    /* a place beyond the text is found by check */
    CHECK_INT(sql_exec(name, "UPDATE code_blocks SET text_length = 500 WHERE id = 2"), 0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    fk_buf_reset(&problems.text);
    problems.n = 0;
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 1);
    CHECK(problems.text.data &&
          strstr(problems.text.data, "code blocks: code block 2 of article 1 names bytes") != NULL);
    fk_buf_release(&problems.text);
    fk_store_close(store);
}

static void test_code_migration(void)
{
    const char *name = "code-upgrade.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    struct entry e[1];
    entry_init(&e[0], "code", "Alice", CODE_TEXT, 3);
    entry_code(&e[0], "sql", "SELECT * FROM big_table;");
    CHECK_INT(file_feed(store, FEED, e, 1), 1);
    fk_store_close(store);
    /* back to schema 14: code blocks with their code, no places */
    CHECK_INT(sql_exec(name, "DROP TRIGGER code_blocks_text; DROP VIEW code_view;"
                             " UPDATE code_blocks SET code = 'SELECT * FROM big_table;';"
                             " ALTER TABLE code_blocks DROP COLUMN text_offset;"
                             " ALTER TABLE code_blocks DROP COLUMN text_length;"
                             " CREATE VIEW code_view AS SELECT c.id, c.code FROM code_blocks c;"
                             " PRAGMA user_version = 14;"),
              0);
    struct fk_error err = {0};
    for (int pass = 0; pass < 2; pass++) {
        /* the second time the columns are there already */
        store = fk_store_open(tmp_path(name), &err);
        CHECK(store != NULL);
        if (!store)
            return;
        CHECK_STR(code_of(store, 1), "SELECT * FROM big_table;");
        fk_store_close(store);
        CHECK_INT(sql_int(name, "PRAGMA user_version"), 20);
        CHECK_INT(sql_int(name, "SELECT count(*) FROM code_view"
                                " WHERE code = 'SELECT * FROM big_table;'"),
                  1);
        CHECK_INT(sql_exec(name, "PRAGMA user_version = 14;"), 0);
    }
}

/* ---- the compression dictionary (schema 18) ---- */

/* An article's HTML as a blog's is: paragraphs in the same markup, words
 * drawn at random, so that each article is its own. */
static char *blog_html(int i)
{
    static const char *const words[] = {"index", "query",  "planner", "join",   "table",  "row",
                                        "cache", "page",   "write",   "read",   "lock",   "commit",
                                        "merge", "vacuum", "segment", "token",  "schema", "column",
                                        "scan",  "sort",   "filter",  "window", "range",  "key"};
    struct fk_buf b = FK_BUF_INIT;
    uint32_t x = (uint32_t)i * 2654435761u + 1;
    fk_buf_printf(&b,
                  "<h2>\n  <a name=\"part-%d\" href=\"#part-%d\" class=\"anchor\">\n  </a>\n"
                  "  Part %d\n</h2>\n",
                  i, i, i);
    for (int p = 0; p < 3; p++) {
        fk_buf_adds(&b, "<p>");
        for (int w = 0; w < 30; w++) {
            x = x * 1103515245u + 12345u;
            fk_buf_printf(&b, "%s%s", w ? " " : "", words[(x >> 16) % 24]);
        }
        fk_buf_adds(&b, "</p>\n<div class=\"highlight js-code-highlight\">\n<pre class=\"highlight "
                        "sql\"><code><span class=\"k\">SELECT</span> <span class=\"n\">");
        fk_buf_adds(&b, words[(x >> 8) % 24]);
        fk_buf_adds(&b,
                    "</span> <span class=\"k\">FROM</span> <span class=\"n\">articles</span>"
                    "<span class=\"p\">;</span>\n</code></pre>\n<div class=\"highlight__panel "
                    "js-actions-panel\">\n<div class=\"highlight__panel-action "
                    "js-fullscreen-code-action\">\n    <svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "width=\"20px\" height=\"20px\" viewbox=\"0 0 24 24\" "
                    "class=\"highlight-action crayons-icon highlight-action--fullscreen-on\">"
                    "<title>Enter fullscreen mode</title>\n</svg>\n</div>\n</div>\n</div>\n");
    }
    return b.data;
}

/* The Markdown of every article file_made files. */
#define MADE_MARKDOWN                                                                              \
    "the markdown of an article, long enough to be packed against its HTML: more than a "          \
    "hundred and twenty-eight bytes of it."

/* HTML that nothing shared packs better: letters drawn at random. */
static char *noise_html(int i)
{
    struct fk_buf b = FK_BUF_INIT;
    uint32_t x = (uint32_t)i * 2246822519u + 7;
    fk_buf_adds(&b, "<p>");
    for (int c = 0; c < 1500; c++) {
        x = x * 1103515245u + 12345u;
        fk_buf_addc(&b, (char)('A' + (x >> 16) % 58));
    }
    fk_buf_adds(&b, "</p>");
    return b.data;
}

/* File articles first .. first + n - 1 (guid "a<i>"), their HTML made by
 * make, in one feed, through a handle of their own (so that it may train);
 * the number filed. */
static int file_made(const char *name, int first, int n, char *(*make)(int))
{
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return -1;
    struct entry *e = fk_xcalloc((size_t)n, sizeof *e);
    char **guids = fk_xcalloc((size_t)n, sizeof *guids);
    for (int i = 0; i < n; i++) {
        char guid[32];
        snprintf(guid, sizeof guid, "a%d", first + i);
        guids[i] = fk_xstrdup(guid);
        entry_init(&e[i], guids[i], "Alice", guids[i], 1 + i % 28);
        e[i].item.content_html = make(first + i);
        e[i].content.markdown = MADE_MARKDOWN;
    }
    int filed = file_feed(store, FEED, e, n);
    for (int i = 0; i < n; i++) {
        free(e[i].item.content_html);
        free(guids[i]);
    }
    free(e);
    free(guids);
    fk_store_close(store);
    return filed;
}

/* The dictionary ID in the frame of article id's content_html (0: none;
 * -1: not a frame). */
static int64_t frame_dict(const char *name, int64_t id)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t dict = -1;
    if (sqlite3_open(tmp_path(name), &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT content_html FROM articles WHERE id = ?1", -1, &st, NULL) ==
            SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB)
            dict = ZSTD_getDictID_fromFrame(sqlite3_column_blob(st, 0),
                                            (size_t)sqlite3_column_bytes(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return dict;
}

/* Article id's HTML read back is what make made of it. */
static void check_made(struct fk_store *store, int64_t id, char *(*make)(int), int i)
{
    struct fk_article a;
    struct fk_error err = {0};
    char *html = make(i);
    CHECK_INT(fk_store_get_article(store, id, &a, &err), 0);
    CHECK_STR(a.content_html, html);
    CHECK_STR(a.markdown, MADE_MARKDOWN);
    fk_article_release(&a);
    free(html);
}

static void test_dictionary(void)
{
    const char *name = "dict.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    fk_store_close(store);
    /* 999 articles: none is due */
    CHECK_INT(file_made(name, 0, 999, blog_html), 999);
    CHECK_INT(file_made(name, 999, 1, blog_html), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries"), 0);
    CHECK_INT(frame_dict(name, 1000), 0);
    /* at 1,000 the next process trains one, and it pays */
    CHECK_INT(file_made(name, 1000, 10, blog_html), 10);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries WHERE dictionary IS NOT NULL"
                            " AND articles = 1000 AND test_packed * 100 <= test_alone * 95"
                            " AND samples >= 800 AND test_bytes > 0"),
              1);
    int64_t dict = sql_int(name, "SELECT dict_id FROM pack_dictionaries");
    CHECK(dict > 0);
    /* the new articles' HTML names it, the older's does not */
    CHECK_INT(frame_dict(name, 1001), dict);
    CHECK_INT(frame_dict(name, 1010), dict);
    CHECK_INT(frame_dict(name, 5), 0);
    CHECK(sql_int(name, "SELECT length(content_html) FROM articles WHERE id = 1005") <
          sql_int(name, "SELECT length(content_html) FROM articles WHERE id = 1000"));
    /* it is never deleted nor changed */
    CHECK_INT(sql_exec(name, "DELETE FROM pack_dictionaries"), -1);
    CHECK_INT(sql_exec(name, "UPDATE pack_dictionaries SET dictionary = x'00'"), -1);

    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    check_made(store, 3, blog_html, 2);
    check_made(store, 1001, blog_html, 1000);
    check_made(store, 1010, blog_html, 1009);
    struct problems problems = {0, FK_BUF_INIT};
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    /* vacuum packs the older ones with it too, and they read the same */
    CHECK_INT(fk_store_vacuum(store, &err), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries"), 1);
    fk_store_close(store);
    CHECK_INT(frame_dict(name, 1), dict);
    CHECK_INT(frame_dict(name, 1000), dict);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    check_made(store, 1, blog_html, 0);
    check_made(store, 1000, blog_html, 999);
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    fk_store_close(store);

    /* one byte of it changed: check names it, and new HTML packs alone */
    CHECK_INT(sql_exec(name, "DROP TRIGGER pack_dictionaries_fixed;"
                             " UPDATE pack_dictionaries SET dictionary = CAST("
                             " substr(dictionary, 1, length(dictionary) / 2) || CASE WHEN"
                             " substr(dictionary, length(dictionary) / 2 + 1, 1) = x'00'"
                             " THEN x'01' ELSE x'00' END"
                             " || substr(dictionary, length(dictionary) / 2 + 2) AS BLOB);"),
              0);
    CHECK(sql_int(name, "SELECT length(dictionary) FROM pack_dictionaries") > 10000 &&
          sql_int(name, "SELECT typeof(dictionary) = 'blob' FROM pack_dictionaries") == 1);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    problems.n = 0;
    fk_buf_reset(&problems.text);
    CHECK(fk_store_check(store, add_problem, &problems, &err) >= 1);
    CHECK(problems.text.data && strstr(problems.text.data, "(row 1) is damaged: its bytes are "
                                                           "not the ones kept") != NULL);
    fk_store_close(store);
    CHECK_INT(file_made(name, 1010, 1, blog_html), 1);
    CHECK_INT(frame_dict(name, 1011), 0);

    /* deleted anyway: the reader and check name what is missing */
    CHECK_INT(sql_exec(name, "DROP TRIGGER pack_dictionaries_keep; DELETE FROM pack_dictionaries;"),
              0);
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct fk_article a;
    CHECK_INT(fk_store_get_article(store, 7, &a, &err), -1);
    CHECK(strstr(err.message, "article 7: its stored content_html cannot be unpacked (packed with "
                              "a compression dictionary the archive does not have)") != NULL);
    CHECK(fk_store_check(store, add_problem, &problems, &err) > 0);
    CHECK(problems.text.data && strstr(problems.text.data, "packed columns: ") != NULL &&
          strstr(problems.text.data, "does not have") != NULL);
    fk_buf_release(&problems.text);
    fk_store_close(store);
}

/* File article i (made by blog_html) into an open handle, committed when
 * commit; 0 or -1. */
static int file_one(struct fk_store *store, int i, bool commit)
{
    struct fk_error err = {0};
    struct entry e;
    char guid[32];
    snprintf(guid, sizeof guid, "a%d", i);
    entry_init(&e, guid, "Alice", guid, 2);
    e.item.content_html = blog_html(i);
    e.content.markdown = MADE_MARKDOWN;
    struct fk_store_pending *pending = NULL;
    enum fk_put_result result;
    int rc = fk_store_begin_feed(store, FEED, NULL, &err);
    if (rc == 0 && (rc = fk_store_find_item(store, &e.item, &pending, &err)) == 0)
        rc = fk_store_put_item(store, pending, &e.content, &result, &err);
    if (fk_store_end_feed(store, rc == 0 && commit, NULL, &err) < 0)
        rc = -1;
    free(e.item.content_html);
    return rc < 0 ? -1 : 0;
}

static void test_dictionary_rolled_back(void)
{
    const char *name = "dictback.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    fk_store_close(store);
    CHECK_INT(file_made(name, 0, 1000, blog_html), 1000);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    /* trained in a feed's transaction that is rolled back: gone with it */
    CHECK_INT(file_one(store, 1000, false), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries"), 0);
    /* and not used by the next feed, whose HTML packs alone */
    CHECK_INT(file_one(store, 1001, true), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM articles"), 1001);
    CHECK_INT(frame_dict(name, 1001), 0);
    check_made(store, 1001, blog_html, 1001);
    struct problems problems = {0, FK_BUF_INIT};
    CHECK_INT(fk_store_check(store, add_problem, &problems, &err), 0);
    fk_buf_release(&problems.text);
    fk_store_close(store);
    /* the next process trains it and commits it */
    CHECK_INT(file_made(name, 1002, 1, blog_html), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries WHERE dictionary IS NOT NULL"),
              1);
    CHECK_INT(frame_dict(name, 1002), sql_int(name, "SELECT dict_id FROM pack_dictionaries"));
}

static void test_dictionary_not_paying(void)
{
    const char *name = "nodict.db";
    struct fk_store *store = open_fresh(name);
    if (!store)
        return;
    fk_store_close(store);
    CHECK_INT(file_made(name, 0, 1000, noise_html), 1000);
    CHECK_INT(file_made(name, 1000, 1, noise_html), 1);
    /* tried, measured, not kept: the HTML packs alone */
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries WHERE dictionary IS NULL"
                            " AND dict_id IS NULL AND articles = 1000 AND test_alone > 0"
                            " AND test_packed * 100 > test_alone * 95"),
              1);
    CHECK_INT(frame_dict(name, 1001), 0);
    /* not again before twice as many articles */
    CHECK_INT(file_made(name, 1001, 998, noise_html), 998);
    CHECK_INT(file_made(name, 1999, 1, noise_html), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries"), 1);
    CHECK_INT(file_made(name, 2000, 1, noise_html), 1);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries"), 2);
    CHECK_INT(sql_int(name, "SELECT max(articles) FROM pack_dictionaries"), 2000);
    /* a row that did not pay may go */
    CHECK_INT(sql_exec(name, "DELETE FROM pack_dictionaries WHERE id = 1"), 0);
    /* vacuum tries whenever none paid */
    struct fk_error err = {0};
    store = fk_store_open(tmp_path(name), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK_INT(fk_store_vacuum(store, &err), 0);
    CHECK_INT(sql_int(name, "SELECT count(*) FROM pack_dictionaries WHERE articles = 2001"), 1);
    check_made(store, 2001, noise_html, 2000);
    fk_store_close(store);
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/feedkeep-test-pack-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_round_trip);
    RUN(test_code_places);
    RUN(test_code_migration);
    RUN(test_versions_read_back);
    RUN(test_version_text);
    RUN(test_plain_rows_and_vacuum);
    RUN(test_hand_edits_and_damage);
    RUN(test_migration);
    RUN(test_dictionary);
    RUN(test_dictionary_not_paying);
    RUN(test_dictionary_rolled_back);
    static const char *const names[] = {"pack.db", "plain.db", "damage.db", "upgrade.db"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove_archive(names[i]);
    rmdir(tmp_dir);
    return DONE();
}
