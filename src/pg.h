/* pg.h - a PostgreSQL connection, as the PostgreSQL store uses it.
 *
 * libpq is opened with dlopen() by the first connection, for the reason
 * libcurl.h gives: linking it would load its TLS, Kerberos and LDAP
 * libraries into every feedkeep process, SQLite archives included. pg.c is
 * the only file that includes <libpq-fe.h>; the rest of the store sees
 * connections and results as opaque handles.
 *
 * Statements take their parameters as text ($1, $2, ...; NULL is SQL NULL)
 * or as bytes (bytea), collected in a struct pg_params. A statement whose
 * text is a string literal is run with pg_query, which prepares it on its
 * first use and keeps it for the life of the connection (the literal's
 * address names it); a statement built at run time goes through
 * pg_query_text, planned each time.
 */
#ifndef FEEDKEEP_PG_H
#define FEEDKEEP_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/error.h"

struct pg_conn;
struct pg_result;

/* Whether location names a PostgreSQL database: a postgresql:// or
 * postgres:// URL, or a connection string naming a service ("service=x",
 * other "key=value" words allowed beside it). */
bool pg_is_location(const char *location);

/* location with its password, if any, taken out: what messages show. The
 * caller frees it. */
char *pg_location_shown(const char *location);

/* Connect to location (see pg_is_location). Returns the connection, or NULL
 * with err filled (FK_ERROR_DB): "cannot connect to postgresql://host/db:
 * connection refused". No message shows the password. */
struct pg_conn *pg_connect(const char *location, struct fk_error *err);
/* Close the connection; NULL is allowed. An open transaction is rolled
 * back by the server. */
void pg_close(struct pg_conn *conn);
/* The location as messages show it (no password); owned by conn. */
const char *pg_shown(const struct pg_conn *conn);

/* The parameters of one statement: up to PG_MAX_PARAMS, added in order. */
#define PG_MAX_PARAMS 24
struct pg_params {
    int count;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS]; /* 0 text, 1 binary (bytea) */
    char numbers[PG_MAX_PARAMS][24];
};
#define PG_PARAMS_INIT                                                                             \
    {                                                                                              \
        0                                                                                          \
    }

/* Add a parameter: text (NULL is SQL NULL; the string must live until the
 * statement has run), a number, a time (seconds since 1970, FK_TIME_NONE
 * is NULL: write to_timestamp($n) in the SQL), a number that is NULL when
 * negative, or bytes (binary, for a bytea; data NULL is SQL NULL). */
void pg_add_text(struct pg_params *params, const char *text);
void pg_add_int64(struct pg_params *params, int64_t n);
void pg_add_time(struct pg_params *params, int64_t time);
void pg_add_count(struct pg_params *params, int64_t n);
void pg_add_bytes(struct pg_params *params, const void *data, size_t size);
void pg_add_bool(struct pg_params *params, bool value);

/* Run the statement sql (a string literal: see above) with params (may be
 * NULL). Returns its result, to free with pg_result_free, or NULL with err
 * filled. A failed statement inside a transaction leaves it aborted: the
 * caller rolls it back. */
struct pg_result *pg_query(struct pg_conn *conn, const char *sql, const struct pg_params *params,
                           struct fk_error *err);
/* As pg_query, for a statement built at run time (not prepared). */
struct pg_result *pg_query_text(struct pg_conn *conn, const char *sql,
                                const struct pg_params *params, struct fk_error *err);
/* Run a statement whose rows are not wanted: returns the number of rows it
 * changed (0 for statements that change none), or -1 with err filled. */
long pg_exec(struct pg_conn *conn, const char *sql, const struct pg_params *params,
             struct fk_error *err);
/* pg_exec for a statement built at run time. */
long pg_exec_text(struct pg_conn *conn, const char *sql, const struct pg_params *params,
                  struct fk_error *err);

/* The SQLSTATE of the last failed statement ("23505" for a unique
 * violation, "40001" serialization, "40P01" deadlock), "" when none. */
const char *pg_last_state(const struct pg_conn *conn);
/* Whether the connection is inside a transaction (open or aborted). */
bool pg_in_transaction(const struct pg_conn *conn);

/* Reading a result: rows, and the value of a row's column, as text ("" for
 * NULL: ask pg_is_null), as a number (0 for NULL), as a time (FK_TIME_NONE
 * for NULL; the column must be a number of seconds: select
 * fk_epoch(column)), as a count (-1 for NULL), or as bytes (a bytea
 * column, returned in binary: the pointer is valid until the result is
 * freed; NULL with *size 0 for NULL). */
int pg_rows(const struct pg_result *result);
bool pg_is_null(const struct pg_result *result, int row, int column);
const char *pg_text(const struct pg_result *result, int row, int column);
/* The text, or NULL for NULL: for copying into optional fields. */
const char *pg_text_or_null(const struct pg_result *result, int row, int column);
int64_t pg_number(const struct pg_result *result, int row, int column);
int64_t pg_time(const struct pg_result *result, int row, int column);
int64_t pg_count(const struct pg_result *result, int row, int column);
double pg_double(const struct pg_result *result, int row, int column);
/* The bytes of a bytea column (decoded from its text form); the caller
 * frees them. NULL with *size 0 for NULL. */
unsigned char *pg_bytes(const struct pg_result *result, int row, int column, size_t *size);
void pg_result_free(struct pg_result *result);

/* A walk over many rows without holding them all: a cursor, fetched
 * batch by batch. Opens a transaction when none is open (ended by
 * pg_walk_end). Other statements may run between batches. */
struct pg_walk;
struct pg_walk *pg_walk_begin(struct pg_conn *conn, const char *sql, const struct pg_params *params,
                              struct fk_error *err);
/* The next batch of rows (at most 500, or what pg_walk_set_batch set), an
 * empty result at the end, or NULL with err filled. Free each batch with
 * pg_result_free. */
struct pg_result *pg_walk_next(struct pg_walk *walk, struct fk_error *err);
void pg_walk_set_batch(struct pg_walk *walk, int rows);
/* Whether a batch came with fewer rows than asked for: there are no more,
 * and a caller may stop without asking for the empty one. */
bool pg_walk_done(const struct pg_walk *walk);
/* End the walk (closing its cursor and the transaction it opened); NULL is
 * allowed. Returns 0, or -1 with err filled. */
int pg_walk_end(struct pg_walk *walk, struct fk_error *err);

#endif
