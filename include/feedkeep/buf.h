/* buf.h - growable byte buffer with a hard size limit, and the allocation
 * wrappers used throughout feedkeep.
 *
 * Allocation failure is not recoverable in feedkeep: the fk_x* functions print
 * one line and abort. A buffer's *limit* is different: it is how the library
 * refuses hostile input (a 1 GB title), so exceeding it is an ordinary error
 * the caller handles.
 */
#ifndef FEEDKEEP_BUF_H
#define FEEDKEEP_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Allocate or abort. Memory is freed with free(). */
void *fk_xmalloc(size_t size);
void *fk_xcalloc(size_t count, size_t size);
void *fk_xrealloc(void *ptr, size_t size);
/* Copy a NUL-terminated string; NULL gives NULL. */
char *fk_xstrdup(const char *s);
/* Copy at most len bytes of s and terminate the copy. */
char *fk_xstrndup(const char *s, size_t len);

/* Default limit of a buffer initialised with limit 0: 64 MiB. */
#define FK_BUF_DEFAULT_LIMIT ((size_t)64 << 20)

/* A byte buffer. data is always NUL-terminated once anything was added (and
 * is NULL before), so it can be used as a C string when it holds text. */
struct fk_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t limit; /* the most bytes len may reach */
};

#define FK_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, FK_BUF_DEFAULT_LIMIT                                                           \
    }

/* Set up caller memory; limit 0 means FK_BUF_DEFAULT_LIMIT. */
void fk_buf_init(struct fk_buf *buf, size_t limit);
/* Free the contents; the buffer can be used again after fk_buf_init. */
void fk_buf_release(struct fk_buf *buf);
/* Empty the buffer, keeping its memory. */
void fk_buf_reset(struct fk_buf *buf);

/* Append bytes. Return 0, or -1 (buffer unchanged) when the limit would be
 * passed. */
int fk_buf_add(struct fk_buf *buf, const void *data, size_t len);
/* Append what fd gives until its end, or until the buffer's limit: then
 * what fits is appended, *cut (when not NULL) is set and nothing more is
 * read. Returns 0, or -1 with errno set (a read error; ENOMEM when the
 * memory ran out). */
int fk_buf_read_fd(struct fk_buf *buf, int fd, bool *cut);
int fk_buf_adds(struct fk_buf *buf, const char *s);
int fk_buf_addc(struct fk_buf *buf, char c);
int fk_buf_printf(struct fk_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fk_buf_vprintf(struct fk_buf *buf, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Hand the contents to the caller as a NUL-terminated string (never NULL:
 * an empty buffer gives ""); the caller frees it. The buffer is left empty. */
char *fk_buf_detach(struct fk_buf *buf);

/* Remove trailing bytes that are in the set chars. */
void fk_buf_rtrim(struct fk_buf *buf, const char *chars);

#endif
