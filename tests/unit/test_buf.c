/* test_buf.c - the growable buffer and its limit. */
#include <stdlib.h>

#include "feedkeep/buf.h"
#include "feedkeep/error.h"
#include "harness.h"

static void test_append(void)
{
    struct fk_buf buf = FK_BUF_INIT;
    CHECK(buf.data == NULL);
    CHECK_INT(fk_buf_adds(&buf, "hello"), 0);
    CHECK_INT(fk_buf_addc(&buf, ' '), 0);
    CHECK_INT(fk_buf_printf(&buf, "%d %s", 42, "world"), 0);
    CHECK_STR(buf.data, "hello 42 world");
    CHECK_INT(buf.len, 14);
    fk_buf_reset(&buf);
    CHECK_STR(buf.data, "");
    CHECK_INT(buf.len, 0);
    fk_buf_release(&buf);
}

static void test_growth(void)
{
    struct fk_buf buf = FK_BUF_INIT;
    for (int i = 0; i < 10000; i++)
        fk_buf_addc(&buf, (char)('a' + i % 26));
    CHECK_INT(buf.len, 10000);
    CHECK(buf.cap > buf.len);
    CHECK(buf.data[9999] == 'a' + 9999 % 26);
    CHECK(buf.data[10000] == '\0');
    fk_buf_release(&buf);
}

static void test_limit(void)
{
    struct fk_buf buf;
    fk_buf_init(&buf, 8);
    CHECK_INT(fk_buf_adds(&buf, "12345678"), 0);
    CHECK_INT(fk_buf_addc(&buf, '9'), -1);
    CHECK_INT(fk_buf_printf(&buf, "%s", "x"), -1);
    CHECK_STR(buf.data, "12345678"); /* unchanged by the refused appends */
    fk_buf_release(&buf);

    fk_buf_init(&buf, 4);
    CHECK_INT(fk_buf_add(&buf, "abcdef", 6), -1);
    CHECK(buf.data == NULL);
    CHECK_INT(buf.len, 0);
    fk_buf_release(&buf);
}

static void test_detach_and_trim(void)
{
    struct fk_buf buf = FK_BUF_INIT;
    char *empty = fk_buf_detach(&buf);
    CHECK_STR(empty, "");
    free(empty);

    fk_buf_adds(&buf, "line \n\n");
    fk_buf_rtrim(&buf, " \n");
    CHECK_STR(buf.data, "line");
    char *s = fk_buf_detach(&buf);
    CHECK_STR(s, "line");
    CHECK(buf.data == NULL && buf.len == 0);
    free(s);
}

static void test_strings(void)
{
    char *s = fk_xstrndup("abcdef", 3);
    CHECK_STR(s, "abc");
    free(s);
    s = fk_xstrndup("ab\0cd", 5); /* stops at the NUL */
    CHECK_STR(s, "ab");
    free(s);
    CHECK(fk_xstrdup(NULL) == NULL);
}

static void test_error(void)
{
    struct fk_error err = {0};
    CHECK_INT(fk_error_set(&err, FK_ERROR_DB, "cannot open '%s': %s", "x.db", "denied"), -1);
    CHECK_INT(err.kind, FK_ERROR_DB);
    CHECK_STR(err.message, "cannot open 'x.db': denied");
    CHECK_INT(fk_error_set(NULL, FK_ERROR_DB, "ignored"), -1);
}

int main(void)
{
    RUN(test_append);
    RUN(test_growth);
    RUN(test_limit);
    RUN(test_detach_and_trim);
    RUN(test_strings);
    RUN(test_error);
    return DONE();
}
