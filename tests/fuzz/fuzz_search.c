/* fuzz_search.c - libFuzzer harness: the query language of `feedkeep search`
 * (search.c), the input as the query a user typed.
 *
 * Checked for every input (search.h's promises):
 *   - the result is a string, or NULL with an error of kind FK_ERROR_USAGE
 *     and a message; the same whether or not there is an error to fill;
 *   - a string is not empty, its quotes and its parentheses outside quotes
 *     are balanced, and FTS5 accepts it: it runs as a MATCH on a table of
 *     the archive's index columns (title, text, tags) without an error;
 *   - the snippet of a query that parses, made of the input as the text
 *     (each window size from 1 to 4), is, but for a "…" at either end,
 *     the text's bytes from one place to another, with as many marks
 *     closed as opened, never nested.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

#include "feedkeep/buf.h"

#include "feedkeep/error.h"
#include "feedkeep/search.h"
#include "fuzz.h"

/* An empty full-text table like the archive's, opened once per process. */
static sqlite3_stmt *match_statement(void)
{
    static sqlite3 *db;
    static sqlite3_stmt *st;
    if (st)
        return st;
    FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, text, tags)", NULL, NULL,
                            NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &st, NULL) ==
               SQLITE_OK);
    return st;
}

static void check_balanced(const char *expr)
{
    size_t quotes = 0;
    int depth = 0;
    for (const char *p = expr; *p; p++) {
        if (*p == '"')
            quotes++;
        else if (quotes % 2 == 0 && *p == '(')
            depth++;
        else if (quotes % 2 == 0 && *p == ')')
            FUZZ_CHECK(--depth >= 0);
    }
    FUZZ_CHECK(quotes % 2 == 0 && depth == 0);
}

static void check_fts5_accepts(const char *expr)
{
    sqlite3_stmt *st = match_statement();
    FUZZ_CHECK(sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC) == SQLITE_OK);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        fprintf(stderr, "FTS5 refuses %s: %s\n", expr, sqlite3_errmsg(sqlite3_db_handle(st)));
    FUZZ_CHECK(rc == SQLITE_DONE);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* The marks, bytes the text of a snippet check is made without. */
#define OPEN     '\x01'
#define CLOSE    '\x02'
#define ELLIPSIS "\xE2\x80\xA6"

/* Whether text holds the bytes part[0..len). */
static bool holds(const char *text, const char *part, size_t len)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(text + i, part, len) == 0)
            return true;
    return false;
}

static void check_snippet(const char *query, const char *text)
{
    struct fk_search_query q;
    struct fk_buf out = FK_BUF_INIT, plain = FK_BUF_INIT;
    if (fk_search_parse(query, &q, NULL) < 0)
        return;
    for (int size = 1; size <= 4; size++) {
        fk_search_snippet(&q, text, strlen(text), size, "\x01", "\x02", &out);
        FUZZ_CHECK(out.data != NULL);
        const char *s = out.data, *end = out.data + out.len;
        if (out.len >= 3 && memcmp(s, ELLIPSIS, 3) == 0)
            s += 3;
        /* (A "…" of the text's own, taken off too, leaves a part of it.) */
        if (end - s >= 3 && memcmp(end - 3, ELLIPSIS, 3) == 0)
            end -= 3;
        bool open = false;
        fk_buf_reset(&plain);
        for (; s < end; s++) {
            if (*s == OPEN || *s == CLOSE) {
                FUZZ_CHECK(open == (*s == CLOSE));
                open = !open;
            } else {
                fk_buf_addc(&plain, *s);
            }
        }
        FUZZ_CHECK(!open);
        FUZZ_CHECK(plain.len == 0 || holds(text, plain.data, plain.len));
    }
    fk_buf_release(&plain);
    fk_buf_release(&out);
    fk_search_query_release(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *query = fuzz_strndup(data, size);
    struct fk_error err = {FK_ERROR_NONE, ""};
    char *expr = fk_search_translate(query, &err);
    char *again = fk_search_translate(query, NULL);
    if (!expr) {
        FUZZ_CHECK(err.kind == FK_ERROR_USAGE && err.message[0] != '\0');
        FUZZ_CHECK(again == NULL);
    } else {
        FUZZ_CHECK(again != NULL && strcmp(expr, again) == 0);
        FUZZ_CHECK(expr[0] != '\0');
        check_balanced(expr);
        check_fts5_accepts(expr);
        if (!memchr(query, OPEN, strlen(query)) && !memchr(query, CLOSE, strlen(query)))
            check_snippet(query, query);
    }
    free(again);
    free(expr);
    free(query);
    return 0;
}
