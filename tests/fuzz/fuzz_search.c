/* fuzz_search.c - libFuzzer harness: the query language of `feedkeep search`
 * (search.c), the input as the query a user typed.
 *
 * Checked for every input (search.h's promises):
 *   - the result is a string, or NULL with an error of kind FK_ERROR_USAGE
 *     and a message; the same whether or not there is an error to fill;
 *   - a string is not empty, its quotes and its parentheses outside quotes
 *     are balanced, and FTS5 accepts it: it runs as a MATCH on a table of
 *     the archive's index columns (title, text, tags) without an error.
 */
#include <sqlite3.h>
#include <string.h>

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
    }
    free(again);
    free(expr);
    free(query);
    return 0;
}
