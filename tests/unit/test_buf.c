/* test_buf.c - the growable buffer and its limit. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A pipe holding len bytes of 'x', its write end closed. */
static int pipe_of(size_t len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    while (len > 0) {
        size_t n = len < sizeof chunk ? len : sizeof chunk;
        if (write(fds[1], chunk, n) != (ssize_t)n)
            break;
        len -= n;
    }
    close(fds[1]);
    return fds[0];
}

static void test_read_fd(void)
{
    struct fk_buf buf;
    bool cut = true;
    /* all of it, in several reads' worth */
    fk_buf_init(&buf, 40000);
    int fd = pipe_of(30000);
    CHECK_INT(fk_buf_read_fd(&buf, fd, &cut), 0);
    CHECK(!cut && buf.len == 30000 && buf.data[29999] == 'x' && buf.data[30000] == '\0');
    close(fd);
    /* to the limit, then cut; what was there before counts */
    fk_buf_reset(&buf);
    CHECK_INT(fk_buf_adds(&buf, "ab"), 0);
    fd = pipe_of(50000);
    CHECK_INT(fk_buf_read_fd(&buf, fd, &cut), 0);
    CHECK(cut && buf.len == 40000 && memcmp(buf.data, "abx", 3) == 0);
    close(fd);
    /* exactly the limit is not cut; an empty input adds nothing */
    fk_buf_reset(&buf);
    fd = pipe_of(40000);
    CHECK_INT(fk_buf_read_fd(&buf, fd, &cut), 0);
    CHECK(!cut && buf.len == 40000);
    close(fd);
    fk_buf_reset(&buf);
    fd = pipe_of(0);
    CHECK_INT(fk_buf_read_fd(&buf, fd, NULL), 0);
    CHECK_INT(buf.len, 0);
    close(fd);
    /* a read error */
    CHECK_INT(fk_buf_read_fd(&buf, -1, &cut), -1);
    fk_buf_release(&buf);
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
    RUN(test_read_fd);
    RUN(test_error);
    return DONE();
}
