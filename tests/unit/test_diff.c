/* test_diff.c - unified diffs: the exact output for small cases, and for
 * random texts that the diff is a shortest one and turns the old text into
 * the new one. */
#include "feedkeep/diff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The diff of old and new with labels "old" and "new", as a string (valid
 * until the next call), and the number of hunks in *hunks. */
static const char *diff(const char *old_text, const char *new_text, int context, int *hunks)
{
    static char result[4096];
    struct fk_buf out = FK_BUF_INIT;
    *hunks = fk_diff_unified(old_text, new_text, "old", "new", context, &out);
    snprintf(result, sizeof result, "%s", out.data ? out.data : "");
    fk_buf_release(&out);
    return result;
}

static void test_cases(void)
{
    static const struct {
        const char *old_text, *new_text;
        int context;
        int hunks;
        const char *expected;
    } cases[] = {
        {"a\nb\n", "a\nb\n", 3, 0, ""},
        {NULL, "", 3, 0, ""},
        {"a\nb\nc\n", "a\nB\nc\n", 3, 1, "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
        {"", "x\ny", 3, 1,
         "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n"},
        {"x\ny\n", NULL, 3, 1, "--- old\n+++ new\n@@ -1,2 +0,0 @@\n-x\n-y\n"},
        {"a", "a\n", 3, 1, "--- old\n+++ new\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"},
        {"a\nb", "a\nc", 3, 1,
         "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
         "\\ No newline at end of file\n"},
        /* Insertion in the middle: the range before names the line before. */
        {"1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nnew\n5\n6\n7\n8\n", 1, 1,
         "--- old\n+++ new\n@@ -4,2 +4,3 @@\n 4\n+new\n 5\n"},
        {"1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nnew\n5\n6\n7\n8\n", 0, 1,
         "--- old\n+++ new\n@@ -4,0 +5 @@\n+new\n"},
        /* Changes far apart are two hunks; close ones, one. */
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "one\n2\n3\n4\n5\n6\n7\n8\nnine\n", 1, 2,
         "--- old\n+++ new\n@@ -1,2 +1,2 @@\n-1\n+one\n 2\n@@ -8,2 +8,2 @@\n 8\n-9\n+nine\n"},
        {"1\n2\n3\n4\n5\n", "one\n2\n3\n4\nfive\n", 2, 1,
         "--- old\n+++ new\n@@ -1,5 +1,5 @@\n-1\n+one\n 2\n 3\n 4\n-5\n+five\n"},
        /* Deletions come before insertions within a change. */
        {"a\nb\nc\n", "x\ny\n", 3, 1, "--- old\n+++ new\n@@ -1,3 +1,2 @@\n-a\n-b\n-c\n+x\n+y\n"},
        /* A shortest edit, not a line-by-line one. */
        {"a\nb\nc\nd\n", "b\nc\nd\ne\n", 0, 2,
         "--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n@@ -4,0 +4 @@\n+e\n"},
        /* Empty lines and CR are lines like any other. */
        {"\n\nx\r\n", "\nx\r\n", 3, 1, "--- old\n+++ new\n@@ -1,3 +1,2 @@\n \n-\n x\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int hunks;
        const char *got = diff(cases[i].old_text, cases[i].new_text, cases[i].context, &hunks);
        CHECK_STR(got, cases[i].expected);
        CHECK_INT(hunks, cases[i].hunks);
    }
}

/* Length of the longest common subsequence of two line arrays (dynamic
 * programming, for checking). */
static int lcs(const int *a, int n, const int *b, int m)
{
    int *row = calloc((size_t)m + 1, sizeof *row);
    for (int i = 1; i <= n; i++) {
        int diag = 0;
        for (int j = 1; j <= m; j++) {
            int up = row[j];
            row[j] = a[i - 1] == b[j - 1] ? diag + 1 : (row[j] > row[j - 1] ? row[j] : row[j - 1]);
            diag = up;
        }
    }
    int result = row[m];
    free(row);
    return result;
}

static void make_text(const int *v, int n, struct fk_buf *out)
{
    fk_buf_reset(out);
    fk_buf_adds(out, "");
    for (int i = 0; i < n; i++)
        fk_buf_printf(out, "line %d\n", v[i]);
}

/* Check that diff (with all lines as context, so one hunk) lists old as
 * its ' ' and '-' lines and new as its ' ' and '+' lines, and has
 * changes changed lines. */
static bool check_script(const char *patch, const char *old_text, const char *new_text,
                         int *changes)
{
    struct fk_buf a = FK_BUF_INIT, b = FK_BUF_INIT;
    fk_buf_adds(&a, "");
    fk_buf_adds(&b, "");
    *changes = 0;
    const char *p = patch;
    for (int skip = 0; skip < 3 && *p; skip++) { /* ---, +++, @@ */
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (*p != '+')
            fk_buf_add(&a, p + 1, len - 1);
        if (*p != '-')
            fk_buf_add(&b, p + 1, len - 1);
        *changes += *p != ' ';
        p += len;
    }
    bool ok = strcmp(a.data, old_text) == 0 && strcmp(b.data, new_text) == 0;
    fk_buf_release(&a);
    fk_buf_release(&b);
    return ok;
}

static void test_random(void)
{
    unsigned seed = 42;
    struct fk_buf old_text = FK_BUF_INIT, new_text = FK_BUF_INIT;
    int a[40], b[40];
    for (int round = 0; round < 3000; round++) {
        seed = seed * 1103515245u + 12345u;
        int n = (int)((seed >> 16) % 40);
        seed = seed * 1103515245u + 12345u;
        int m = (int)((seed >> 16) % 40);
        int alphabet = 2 + round % 6;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            a[i] = (int)((seed >> 16) % (unsigned)alphabet);
        }
        for (int j = 0; j < m; j++) {
            seed = seed * 1103515245u + 12345u;
            /* Often a copy of a with a few edits, sometimes unrelated. */
            b[j] = round % 3 && j < n && (seed >> 20) % 4
                       ? a[j]
                       : (int)((seed >> 16) % (unsigned)alphabet);
        }
        make_text(a, n, &old_text);
        make_text(b, m, &new_text);
        struct fk_buf out = FK_BUF_INIT;
        int hunks = fk_diff_unified(old_text.data, new_text.data, "a", "b", 1000, &out);
        int changes = 0;
        bool same = strcmp(old_text.data, new_text.data) == 0;
        CHECK(same ? hunks == 0 : hunks == 1);
        if (hunks == 1) {
            bool ok = check_script(out.data, old_text.data, new_text.data, &changes);
            CHECK(ok);
            int shortest = n + m - 2 * lcs(a, n, b, m);
            if (changes != shortest)
                fprintf(stderr, "round %d: %d changes, shortest %d\n", round, changes, shortest);
            CHECK_INT(changes, shortest);
        }
        fk_buf_release(&out);
    }
    fk_buf_release(&old_text);
    fk_buf_release(&new_text);
}

/* Texts too different for a shortest diff in bounded time still get a
 * correct one. */
static void test_large(void)
{
    enum { N = 12000 };
    int *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    for (int i = 0; i < N; i++) {
        a[i] = i;
        b[i] = i % 7 == 0 ? i : N + i;
    }
    struct fk_buf old_text = FK_BUF_INIT, new_text = FK_BUF_INIT, out = FK_BUF_INIT;
    make_text(a, N, &old_text);
    make_text(b, N, &new_text);
    int hunks = fk_diff_unified(old_text.data, new_text.data, "a", "b", N, &out);
    CHECK_INT(hunks, 1);
    int changes = 0;
    CHECK(check_script(out.data, old_text.data, new_text.data, &changes));
    CHECK(changes >= 2 * (N - (N + 6) / 7));

    /* The size limit of the output buffer is reported. */
    struct fk_buf small;
    fk_buf_init(&small, 100);
    CHECK_INT(fk_diff_unified(old_text.data, new_text.data, "a", "b", 3, &small), -1);
    fk_buf_release(&small);
    fk_buf_release(&old_text);
    fk_buf_release(&new_text);
    fk_buf_release(&out);
    free(a);
    free(b);
}

int main(void)
{
    RUN(test_cases);
    RUN(test_random);
    RUN(test_large);
    return DONE();
}
