/* archive_files.h - archives in a temporary directory for the unit tests
 * of the store, and SQLite connections of their own to look at (and
 * damage) what the store API does not show.
 *
 * The test's main fills tmp_dir (mkdtemp) before the first use. The
 * functions are static inline so that a test includes what it uses.
 */
#ifndef FEEDKEEP_TEST_ARCHIVE_FILES_H
#define FEEDKEEP_TEST_ARCHIVE_FILES_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "feedkeep/store.h"
#include "harness.h"

static char tmp_dir[4096];

/* A path in the temporary directory; the result is valid until the next
 * call. */
static inline const char *tmp_path(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

/* Remove the archive name and the files SQLite keeps beside it. */
static inline void remove_archive(const char *name)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char path[4200];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s/%s%s", tmp_dir, name, suffixes[i]);
        unlink(path);
    }
}

/* A fresh archive named name, replacing any earlier one. */
static inline struct fk_store *open_fresh(const char *name)
{
    struct fk_error err = {0};
    remove_archive(name);
    struct fk_store *store = fk_store_open(tmp_path(name), &err);
    if (!store)
        fprintf(stderr, "open %s: %s\n", name, err.message);
    CHECK(store != NULL);
    return store;
}

/* One integer from sql on the archive file, by a connection of our own;
 * -1 on error. */
static inline int64_t sql_int(const char *name, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t value = -1;
    if (sqlite3_open_v2(tmp_path(name), &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sql_int: %s: %s\n", sql, sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        value = sqlite3_column_int64(st, 0);
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return value;
}

/* Run statements on the file without the store. Returns 0, or -1. */
static inline int sql_exec(const char *name, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(tmp_path(name), &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql_exec: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

#endif
