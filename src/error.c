/* error.c - filling a struct fk_error. */
#include "feedkeep/error.h"

#include <stdarg.h>
#include <stdio.h>

int fk_error_set(struct fk_error *err, enum fk_error_kind kind, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    err->kind = kind;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}
