/* error.h - how library functions report what went wrong.
 *
 * Library code never prints and never exits. A function that can fail takes
 * a struct fk_error * (which may be NULL when the caller does not care),
 * returns -1 and fills the message, worded for a user: "cannot open
 * 'x.db': disk full". The CLI adds the "feedkeep: " prefix.
 */
#ifndef FEEDKEEP_ERROR_H
#define FEEDKEEP_ERROR_H

enum fk_error_kind {
    FK_ERROR_NONE = 0,
    FK_ERROR_USAGE,   /* bad argument from the caller */
    FK_ERROR_INPUT,   /* the feed or HTML itself is bad */
    FK_ERROR_DB,      /* database or I/O error */
    FK_ERROR_NETWORK, /* fetch failure */
    FK_ERROR_BUSY,    /* another process holds the archive locked: nothing
                         is wrong with it, try again later */
};

struct fk_error {
    enum fk_error_kind kind;
    char message[512];
};

/* Fill err (if not NULL); always returns -1 so callers can write
 * `return fk_error_set(err, ...);`. */
int fk_error_set(struct fk_error *err, enum fk_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
