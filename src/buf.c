/* buf.c - growable buffer with a hard limit, and allocate-or-abort. */
#include "feedkeep/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "feedkeep: out of memory (allocating %zu bytes)\n", size);
    abort();
}

void *fk_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *fk_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *fk_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *fk_xstrdup(const char *s)
{
    return s ? fk_xstrndup(s, strlen(s)) : NULL;
}

char *fk_xstrndup(const char *s, size_t len)
{
    const char *end = memchr(s, '\0', len);
    if (end)
        len = (size_t)(end - s);
    char *copy = fk_xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

void fk_buf_init(struct fk_buf *buf, size_t limit)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->limit = limit ? limit : FK_BUF_DEFAULT_LIMIT;
}

void fk_buf_release(struct fk_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void fk_buf_reset(struct fk_buf *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

/* Make room for extra more bytes plus the terminating NUL. */
static int grow(struct fk_buf *buf, size_t extra)
{
    if (extra > buf->limit - buf->len || buf->len > buf->limit)
        return -1;
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return 0;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    buf->data = fk_xrealloc(buf->data, cap);
    buf->cap = cap;
    return 0;
}

int fk_buf_add(struct fk_buf *buf, const void *data, size_t len)
{
    if (grow(buf, len) < 0)
        return -1;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

int fk_buf_read_fd(struct fk_buf *buf, int fd, bool *cut)
{
    char chunk[65536];
    if (cut)
        *cut = false;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        size_t room = buf->limit - buf->len;
        size_t take = (size_t)n < room ? (size_t)n : room;
        if (take && fk_buf_add(buf, chunk, take) < 0) {
            errno = ENOMEM;
            return -1;
        }
        if (take < (size_t)n) {
            if (cut)
                *cut = true;
            return 0;
        }
    }
}

int fk_buf_adds(struct fk_buf *buf, const char *s)
{
    return fk_buf_add(buf, s, strlen(s));
}

int fk_buf_addc(struct fk_buf *buf, char c)
{
    return fk_buf_add(buf, &c, 1);
}

int fk_buf_vprintf(struct fk_buf *buf, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || grow(buf, (size_t)n) < 0)
        return -1;
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    buf->len += (size_t)n;
    return 0;
}

int fk_buf_printf(struct fk_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fk_buf_vprintf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

char *fk_buf_detach(struct fk_buf *buf)
{
    char *s = buf->data ? buf->data : fk_xstrdup("");
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    return s;
}

void fk_buf_rtrim(struct fk_buf *buf, const char *chars)
{
    while (buf->len && strchr(chars, buf->data[buf->len - 1]))
        buf->data[--buf->len] = '\0';
}
