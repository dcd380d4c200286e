/* pg.c - a PostgreSQL connection through libpq, opened on first use; see
 * pg.h. */
#include "pg.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/date.h"

#ifndef FK_LIBPQ_SONAME
#define FK_LIBPQ_SONAME "libpq.so.5"
#endif

/* ---- libpq, loaded when first needed ------------------------------------ */

/* X(return type, name, parameters) */
#define LIBPQ_FUNCTIONS(X)                                                                         \
    X(PGconn *, PQconnectdbParams,                                                                 \
      (const char *const *keywords, const char *const *values, int expand_dbname))                 \
    X(ConnStatusType, PQstatus, (const PGconn *conn))                                              \
    X(char *, PQerrorMessage, (const PGconn *conn))                                                \
    X(void, PQfinish, (PGconn * conn))                                                             \
    X(PGresult *, PQprepare,                                                                       \
      (PGconn * conn, const char *name, const char *query, int nparams, const Oid *types))         \
    X(PGresult *, PQexecPrepared,                                                                  \
      (PGconn * conn, const char *name, int nparams, const char *const *values,                    \
       const int *lengths, const int *formats, int result_format))                                 \
    X(PGresult *, PQexecParams,                                                                    \
      (PGconn * conn, const char *command, int nparams, const Oid *types,                          \
       const char *const *values, const int *lengths, const int *formats, int result_format))      \
    X(ExecStatusType, PQresultStatus, (const PGresult *res))                                       \
    X(char *, PQresultErrorField, (const PGresult *res, int field))                                \
    X(char *, PQresultErrorMessage, (const PGresult *res))                                         \
    X(void, PQclear, (PGresult * res))                                                             \
    X(int, PQntuples, (const PGresult *res))                                                       \
    X(char *, PQgetvalue, (const PGresult *res, int row, int column))                              \
    X(int, PQgetisnull, (const PGresult *res, int row, int column))                                \
    X(char *, PQcmdTuples, (PGresult * res))                                                       \
    X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn))                          \
    X(unsigned char *, PQunescapeBytea, (const unsigned char *from, size_t *to_length))            \
    X(void, PQfreemem, (void *ptr))                                                                \
    X(PQnoticeProcessor, PQsetNoticeProcessor,                                                     \
      (PGconn * conn, PQnoticeProcessor processor, void *arg))

#define LIBPQ_MEMBER(type, name, params) type(*name) params;
static struct libpq {
    LIBPQ_FUNCTIONS(LIBPQ_MEMBER)
} pq;
#undef LIBPQ_MEMBER

#define LIBPQ_SYMBOL(type, name, params) {#name, offsetof(struct libpq, name)},
static const struct {
    const char *symbol;
    size_t offset;
} symbols[] = {LIBPQ_FUNCTIONS(LIBPQ_SYMBOL)};
#undef LIBPQ_SYMBOL

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers are data-sized");

static int load_libpq(struct fk_error *err)
{
    static int loaded;
    if (loaded)
        return 0;
    void *handle = dlopen(FK_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        return fk_error_set(err, FK_ERROR_DB, "cannot load libpq: %s (install the package libpq5)",
                            why ? why : FK_LIBPQ_SONAME);
    }
    struct libpq found;
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *address = dlsym(handle, symbols[i].symbol);
        if (!address) {
            dlclose(handle);
            return fk_error_set(err, FK_ERROR_DB, "cannot load libpq: %s has no %s",
                                FK_LIBPQ_SONAME, symbols[i].symbol);
        }
        memcpy((char *)&found + symbols[i].offset, &address, sizeof address);
    }
    pq = found;
    loaded = 1;
    return 0;
}

/* ---- locations ---------------------------------------------------------- */

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strlen(s) >= n && fk_ascii_equal_n(s, prefix, n);
}

/* The keyword of a "key=value" word at s, or 0: its length. */
static size_t conninfo_key(const char *s)
{
    size_t n = 0;
    while (fk_is_alpha((unsigned char)s[n]) || s[n] == '_')
        n++;
    size_t k = n;
    while (s[n] == ' ')
        n++;
    return k && s[n] == '=' ? k : 0;
}

bool pg_is_location(const char *location)
{
    if (has_prefix_nocase(location, "postgresql://") || has_prefix_nocase(location, "postgres://"))
        return true;
    /* a connection string: "service=team", "host=/run/x dbname=archive" */
    static const char *const keys[] = {"service", "host", "hostaddr", "dbname", "port", "user"};
    const char *s = location;
    while (*s == ' ')
        s++;
    size_t k = conninfo_key(s);
    for (size_t i = 0; k && i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i]) == k && strncmp(s, keys[i], k) == 0)
            return true;
    return false;
}

char *pg_location_shown(const char *location)
{
    struct fk_buf out = FK_BUF_INIT;
    const char *s = location;
    if (has_prefix_nocase(s, "postgresql://") || has_prefix_nocase(s, "postgres://")) {
        const char *authority = strstr(s, "://") + 3;
        const char *end = authority + strcspn(authority, "/?");
        const char *at = NULL;
        for (const char *p = authority; p < end; p++)
            if (*p == '@')
                at = p;
        fk_buf_add(&out, s, (size_t)(authority - s));
        if (at) {
            const char *colon = memchr(authority, ':', (size_t)(at - authority));
            fk_buf_add(&out, authority, (size_t)((colon ? colon : at) - authority));
            authority = at;
        }
        /* the rest, without a password= parameter */
        const char *query = strchr(authority, '?');
        if (!query) {
            fk_buf_adds(&out, authority);
            return fk_buf_detach(&out);
        }
        fk_buf_add(&out, authority, (size_t)(query - authority));
        char sep = '?';
        for (const char *p = query + 1; *p;) {
            size_t n = strcspn(p, "&");
            if (!(n >= 9 && has_prefix_nocase(p, "password="))) {
                fk_buf_add(&out, &sep, 1);
                fk_buf_add(&out, p, n);
                sep = '&';
            }
            p += n + (p[n] == '&');
        }
        return fk_buf_detach(&out);
    }
    /* key=value words, a value possibly quoted */
    while (*s) {
        const char *word = s;
        while (*s == ' ')
            s++;
        size_t k = conninfo_key(s);
        const char *value = k ? strchr(s, '=') + 1 : s;
        while (*value == ' ')
            value++;
        const char *end = value;
        if (*end == '\'') {
            for (end++; *end && *end != '\''; end++)
                if (*end == '\\' && end[1])
                    end++;
            if (*end)
                end++;
        } else {
            end += strcspn(end, " ");
        }
        if (!(k == 8 && strncmp(s, "password", 8) == 0))
            fk_buf_add(&out, word, (size_t)(end - word));
        s = end;
    }
    return fk_buf_detach(&out);
}

/* ---- connections ----------------------------------------------------------- */

struct prepared {
    const char *sql; /* the literal's address */
    char name[16];
};

struct pg_conn {
    PGconn *conn;
    char *shown;
    struct prepared *prepared;
    size_t prepared_count, prepared_alloc;
    unsigned walks; /* cursors named so far */
    char state[6];  /* SQLSTATE of the last failure */
};

struct pg_result {
    PGresult *res;
};

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The useful part of a libpq message: its first line, after "failed: ",
 * lower-cased at its start, without "FATAL:  ". */
static void connect_reason(const char *message, char *out, size_t size)
{
    const char *line = message;
    const char *failed = strstr(line, "failed: ");
    const char *nl = strchr(line, '\n');
    if (failed && (!nl || failed < nl))
        line = failed + 8;
    if (strncmp(line, "FATAL:  ", 8) == 0)
        line = line + 8;
    size_t n = strcspn(line, "\n");
    while (n && (line[n - 1] == ' ' || line[n - 1] == '.'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(out, line, n);
    out[n] = '\0';
    /* "Connection refused", not "FATAL" */
    if (n > 1 && out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
        out[0] = fk_ascii_lower(out[0]);
}

struct pg_conn *pg_connect(const char *location, struct fk_error *err)
{
    if (load_libpq(err) < 0)
        return NULL;
    /* Settings before the location's are defaults it may override; the
     * encoding comes after: the store reads and writes UTF-8. */
    const char *const keys[] = {"application_name", "connect_timeout", "dbname", "client_encoding",
                                NULL};
    const char *const values[] = {"feedkeep", "10", location, "UTF8", NULL};
    PGconn *conn = pq.PQconnectdbParams(keys, values, 1);
    char *shown = pg_location_shown(location);
    if (!conn || pq.PQstatus(conn) != CONNECTION_OK) {
        char reason[400];
        connect_reason(conn ? pq.PQerrorMessage(conn) : "out of memory", reason, sizeof reason);
        fk_error_set(err, FK_ERROR_DB, "cannot connect to %s: %s", shown, reason);
        free(shown);
        if (conn)
            pq.PQfinish(conn);
        return NULL;
    }
    pq.PQsetNoticeProcessor(conn, ignore_notice, NULL);
    struct pg_conn *c = fk_xcalloc(1, sizeof *c);
    c->conn = conn;
    c->shown = shown;
    return c;
}

void pg_close(struct pg_conn *conn)
{
    if (!conn)
        return;
    pq.PQfinish(conn->conn);
    free(conn->prepared);
    free(conn->shown);
    free(conn);
}

const char *pg_shown(const struct pg_conn *conn)
{
    return conn->shown;
}

const char *pg_last_state(const struct pg_conn *conn)
{
    return conn->state;
}

bool pg_in_transaction(const struct pg_conn *conn)
{
    PGTransactionStatusType t = pq.PQtransactionStatus(conn->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* ---- parameters ------------------------------------------------------------ */

static int next_param(struct pg_params *params)
{
    if (params->count >= PG_MAX_PARAMS)
        abort(); /* a statement with more: a programming error */
    return params->count++;
}

void pg_add_text(struct pg_params *params, const char *text)
{
    int i = next_param(params);
    params->values[i] = text;
    params->lengths[i] = 0;
    params->formats[i] = 0;
}

void pg_add_int64(struct pg_params *params, int64_t n)
{
    int i = next_param(params);
    snprintf(params->numbers[i], sizeof params->numbers[i], "%" PRId64, n);
    params->values[i] = params->numbers[i];
    params->lengths[i] = 0;
    params->formats[i] = 0;
}

void pg_add_time(struct pg_params *params, int64_t time)
{
    if (time == FK_TIME_NONE)
        pg_add_text(params, NULL);
    else
        pg_add_int64(params, time);
}

void pg_add_count(struct pg_params *params, int64_t n)
{
    if (n < 0)
        pg_add_text(params, NULL);
    else
        pg_add_int64(params, n);
}

void pg_add_bool(struct pg_params *params, bool value)
{
    pg_add_text(params, value ? "true" : "false");
}

void pg_add_bytes(struct pg_params *params, const void *data, size_t size)
{
    int i = next_param(params);
    if (size > INT32_MAX)
        abort(); /* the store never sends a value of 2 GB */
    params->values[i] = data ? (data && size ? data : "") : NULL;
    params->lengths[i] = (int)size;
    params->formats[i] = 1;
}

/* ---- statements ------------------------------------------------------------ */

/* Fill err from a failed result (and conn's SQLSTATE); frees res. */
static void *failed(struct pg_conn *conn, PGresult *res, struct fk_error *err)
{
    const char *state = res ? pq.PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(conn->state, sizeof conn->state, "%s", state ? state : "");
    const char *primary = res ? pq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary || !*primary) {
        static char reason[300];
        connect_reason(pq.PQerrorMessage(conn->conn), reason, sizeof reason);
        primary = reason;
    }
    if (pq.PQstatus(conn->conn) == CONNECTION_BAD)
        fk_error_set(err, FK_ERROR_DB, "lost the connection to %s: %s", conn->shown, primary);
    else if (strcmp(conn->state, "53100") == 0)
        /* disk_full: the server's words need not say so ("could not extend
         * file ...: wrote only 4096 of 8192 bytes at block 170") */
        fk_error_set(err, FK_ERROR_DB, "%s: the database server's disk is full: %s", conn->shown,
                     primary);
    else
        fk_error_set(err, FK_ERROR_DB, "%s: %s", conn->shown, primary);
    if (res)
        pq.PQclear(res);
    return NULL;
}

static struct pg_result *wrap(struct pg_conn *conn, PGresult *res, struct fk_error *err)
{
    ExecStatusType status = res ? pq.PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        return failed(conn, res, err);
    conn->state[0] = '\0';
    struct pg_result *r = fk_xmalloc(sizeof *r);
    r->res = res;
    return r;
}

static const char *statement_name(struct pg_conn *conn, const char *sql, struct fk_error *err)
{
    for (size_t i = 0; i < conn->prepared_count; i++)
        if (conn->prepared[i].sql == sql)
            return conn->prepared[i].name;
    if (conn->prepared_count == conn->prepared_alloc) {
        conn->prepared_alloc = conn->prepared_alloc ? 2 * conn->prepared_alloc : 64;
        conn->prepared = fk_xrealloc(conn->prepared, conn->prepared_alloc * sizeof *conn->prepared);
    }
    struct prepared *p = &conn->prepared[conn->prepared_count];
    snprintf(p->name, sizeof p->name, "fk%zu", conn->prepared_count);
    PGresult *res = pq.PQprepare(conn->conn, p->name, sql, 0, NULL);
    if (!res || pq.PQresultStatus(res) != PGRES_COMMAND_OK)
        return failed(conn, res, err);
    pq.PQclear(res);
    p->sql = sql;
    conn->prepared_count++;
    return p->name;
}

struct pg_result *pg_query(struct pg_conn *conn, const char *sql, const struct pg_params *params,
                           struct fk_error *err)
{
    const char *name = statement_name(conn, sql, err);
    if (!name)
        return NULL;
    const struct pg_params none = PG_PARAMS_INIT;
    if (!params)
        params = &none;
    return wrap(conn,
                pq.PQexecPrepared(conn->conn, name, params->count, params->values, params->lengths,
                                  params->formats, 0),
                err);
}

struct pg_result *pg_query_text(struct pg_conn *conn, const char *sql,
                                const struct pg_params *params, struct fk_error *err)
{
    const struct pg_params none = PG_PARAMS_INIT;
    if (!params)
        params = &none;
    return wrap(conn,
                pq.PQexecParams(conn->conn, sql, params->count, NULL, params->values,
                                params->lengths, params->formats, 0),
                err);
}

static long changed(struct pg_result *r)
{
    if (!r)
        return -1;
    const char *n = pq.PQcmdTuples(r->res);
    long count = n && *n ? strtol(n, NULL, 10) : 0;
    pg_result_free(r);
    return count;
}

long pg_exec(struct pg_conn *conn, const char *sql, const struct pg_params *params,
             struct fk_error *err)
{
    return changed(pg_query(conn, sql, params, err));
}

long pg_exec_text(struct pg_conn *conn, const char *sql, const struct pg_params *params,
                  struct fk_error *err)
{
    return changed(pg_query_text(conn, sql, params, err));
}

/* ---- results --------------------------------------------------------------- */

int pg_rows(const struct pg_result *result)
{
    return pq.PQntuples(result->res);
}

bool pg_is_null(const struct pg_result *result, int row, int column)
{
    return pq.PQgetisnull(result->res, row, column);
}

const char *pg_text(const struct pg_result *result, int row, int column)
{
    return pq.PQgetvalue(result->res, row, column);
}

const char *pg_text_or_null(const struct pg_result *result, int row, int column)
{
    return pg_is_null(result, row, column) ? NULL : pg_text(result, row, column);
}

int64_t pg_number(const struct pg_result *result, int row, int column)
{
    if (pg_is_null(result, row, column))
        return 0;
    const char *s = pg_text(result, row, column);
    if (*s == 't')
        return 1; /* a boolean */
    return strtoll(s, NULL, 10);
}

int64_t pg_time(const struct pg_result *result, int row, int column)
{
    return pg_is_null(result, row, column) ? FK_TIME_NONE : pg_number(result, row, column);
}

int64_t pg_count(const struct pg_result *result, int row, int column)
{
    return pg_is_null(result, row, column) ? -1 : pg_number(result, row, column);
}

double pg_double(const struct pg_result *result, int row, int column)
{
    return pg_is_null(result, row, column) ? 0 : strtod(pg_text(result, row, column), NULL);
}

unsigned char *pg_bytes(const struct pg_result *result, int row, int column, size_t *size)
{
    *size = 0;
    if (pg_is_null(result, row, column))
        return NULL;
    size_t n = 0;
    unsigned char *raw =
        pq.PQunescapeBytea((const unsigned char *)pg_text(result, row, column), &n);
    if (!raw)
        abort(); /* out of memory, as fk_xmalloc */
    unsigned char *copy = fk_xmalloc(n + 1);
    memcpy(copy, raw, n);
    copy[n] = '\0';
    pq.PQfreemem(raw);
    *size = n;
    return copy;
}

void pg_result_free(struct pg_result *result)
{
    if (!result)
        return;
    pq.PQclear(result->res);
    free(result);
}

/* ---- walks ----------------------------------------------------------------- */

struct pg_walk {
    struct pg_conn *conn;
    bool own_transaction;
    bool done; /* a batch came short: the cursor is at its end */
    int batch;
    char name[24];
};

struct pg_walk *pg_walk_begin(struct pg_conn *conn, const char *sql, const struct pg_params *params,
                              struct fk_error *err)
{
    struct pg_walk *walk = fk_xcalloc(1, sizeof *walk);
    walk->conn = conn;
    if (!pg_in_transaction(conn)) {
        if (pg_exec(conn, "BEGIN", NULL, err) < 0)
            goto fail;
        walk->own_transaction = true;
    }
    snprintf(walk->name, sizeof walk->name, "fk_walk_%u", ++conn->walks);
    walk->batch = 500;
    struct fk_buf declare = FK_BUF_INIT;
    fk_buf_printf(&declare, "DECLARE %s NO SCROLL CURSOR FOR %s", walk->name, sql);
    long rc = pg_exec_text(conn, declare.data, params, err);
    fk_buf_release(&declare);
    if (rc < 0)
        goto fail;
    return walk;
fail:
    if (walk->own_transaction)
        (void)pg_exec(conn, "ROLLBACK", NULL, NULL);
    free(walk);
    return NULL;
}

void pg_walk_set_batch(struct pg_walk *walk, int rows)
{
    walk->batch = rows > 0 ? rows : 1;
}

struct pg_result *pg_walk_next(struct pg_walk *walk, struct fk_error *err)
{
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH %d FROM %s", walk->batch, walk->name);
    struct pg_result *r = pg_query_text(walk->conn, fetch, NULL, err);
    if (r && pg_rows(r) < walk->batch)
        walk->done = true;
    return r;
}

bool pg_walk_done(const struct pg_walk *walk)
{
    return walk->done;
}

int pg_walk_end(struct pg_walk *walk, struct fk_error *err)
{
    if (!walk)
        return 0;
    int rc = 0;
    char close[40];
    snprintf(close, sizeof close, "CLOSE %s", walk->name);
    if (pq.PQtransactionStatus(walk->conn->conn) == PQTRANS_INERROR) {
        rc = -1;
        if (walk->own_transaction)
            (void)pg_exec(walk->conn, "ROLLBACK", NULL, NULL);
    } else {
        /* COMMIT closes the cursor of a transaction of the walk's own */
        if (!walk->own_transaction && pg_exec_text(walk->conn, close, NULL, err) < 0)
            rc = -1;
        if (walk->own_transaction &&
            pg_exec(walk->conn, rc < 0 ? "ROLLBACK" : "COMMIT", NULL, rc < 0 ? NULL : err) < 0)
            rc = -1;
    }
    free(walk);
    return rc;
}
