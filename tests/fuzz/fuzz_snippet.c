/* fuzz_snippet.c - libFuzzer harness: the snippets feedkeep makes for a
 * search of one prefix (store_prefix.c) against FTS5's snippet().
 *
 * The input: its first byte chooses the snippet's length in tokens (1 to
 * 64), its second the prefix's length in bytes (0 to 15); then the
 * prefix, then the text (up to its first NUL, as the archive's texts
 * have none). Where the index's tokenizer makes one word of the prefix,
 * the text is filed in a full-text table like the archive's (the prefix
 * as the title, so that the row matches whether the text holds the prefix
 * or not), and the snippet feedkeep makes of the text must be FTS5's for
 * the query "prefix"*, byte for byte.
 */
#include <sqlite3.h>
#include <string.h>

#include "feedkeep/buf.h"
#include "fuzz.h"
#include "store_int.h"

struct fts {
    sqlite3 *db;
    fts5_api *api;
    sqlite3_stmt *insert, *snippet;
};

/* A full-text table like the archive's, made once per process. */
static struct fts *fts_open(void)
{
    static struct fts f;
    sqlite3_stmt *st = NULL;
    if (f.db)
        return &f;
    FUZZ_CHECK(sqlite3_open(":memory:", &f.db) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_exec(f.db, "CREATE VIRTUAL TABLE t USING fts5(title, text, tags)", NULL,
                            NULL, NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_prepare_v2(f.db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_bind_pointer(st, 1, &f.api, "fts5_api_ptr", NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW && f.api);
    sqlite3_finalize(st);
    FUZZ_CHECK(sqlite3_prepare_v2(f.db,
                                  "INSERT INTO t(rowid, title, text, tags) VALUES (1, ?1, ?2, '')",
                                  -1, &f.insert, NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_prepare_v2(f.db,
                                  "SELECT snippet(t, 1, '[', ']', '\xE2\x80\xA6', ?2) FROM t"
                                  " WHERE t MATCH ?1",
                                  -1, &f.snippet, NULL) == SQLITE_OK);
    return &f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int words = data[0] % 64 + 1;
    size_t prefix_len = data[1] % 16;
    if (prefix_len > size - 2)
        prefix_len = size - 2;
    char *prefix = fuzz_strndup(data + 2, prefix_len);
    char *text = fuzz_strndup(data + 2 + prefix_len, size - 2 - prefix_len);
    struct fts *f = fts_open();
    struct store_prefix p;
    if (store_prefix_setup(f->api, &p, prefix) != 0) {
        free(prefix);
        free(text);
        return 0;
    }
    p.in_text = true;

    FUZZ_CHECK(sqlite3_exec(f->db, "DELETE FROM t", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_bind_text(f->insert, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(f->insert, 2, text, -1, SQLITE_STATIC);
    FUZZ_CHECK(sqlite3_step(f->insert) == SQLITE_DONE);
    sqlite3_reset(f->insert);

    /* the query "prefix"*, its quotes doubled */
    struct fk_buf match = FK_BUF_INIT;
    fk_buf_addc(&match, '"');
    for (const char *s = prefix; *s; s++) {
        fk_buf_addc(&match, *s);
        if (*s == '"')
            fk_buf_addc(&match, '"');
    }
    fk_buf_adds(&match, "\"*");
    sqlite3_bind_text(f->snippet, 1, match.data, -1, SQLITE_STATIC);
    sqlite3_bind_int(f->snippet, 2, words);
    int rc = sqlite3_step(f->snippet);
    if (rc != SQLITE_ROW)
        fprintf(stderr, "no row for %s: %s\n", match.data, sqlite3_errmsg(f->db));
    FUZZ_CHECK(rc == SQLITE_ROW);
    const char *theirs = (const char *)sqlite3_column_text(f->snippet, 0);
    char *ours = store_prefix_snippet(&p, text, (int)strlen(text), "[", "]", "\xE2\x80\xA6", words);
    if (strcmp(ours, theirs ? theirs : "") != 0)
        fprintf(stderr, "prefix %s, %d words:\nFTS5:     %s\nfeedkeep: %s\n", prefix, words,
                theirs ? theirs : "", ours);
    FUZZ_CHECK(strcmp(ours, theirs ? theirs : "") == 0);
    sqlite3_reset(f->snippet);
    free(ours);
    fk_buf_release(&match);
    store_prefix_release(&p);
    free(prefix);
    free(text);
    return 0;
}
