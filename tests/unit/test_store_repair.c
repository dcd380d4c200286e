/* test_store_repair.c - the repair of assets whose bytes were damaged:
 * fk_store_repair_asset_bytes deletes exactly the assets whose bytes do
 * not hash to their SHA-256 or are not their size, makes their URLs
 * pending without validators, keeps the others, and changes nothing when
 * the hash function fails or a feed is being filed.
 *
 * The archive is damaged with SQLite directly, as a failing disk would.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/sha256.h"
#include "harness.h"

static char tmp_dir[4096];
static char db_path[4200];

static int64_t sql_int(const char *sql, const char *text)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t value = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sql_int: %s: %s\n", sql, sqlite3_errmsg(db));
        goto out;
    }
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        value = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(st, 0);
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return value;
}

static void sql_exec(const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(db_path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql_exec: %s\n", sqlite3_errmsg(db));
    CHECK(rc == SQLITE_OK);
    sqlite3_close(db);
}

static int hash(const void *data, size_t len, unsigned char out[32])
{
    fk_sha256(data, len, out);
    return 0;
}

static int hash_fails(const void *data, size_t len, unsigned char out[32])
{
    (void)data;
    (void)len;
    (void)out;
    return -1;
}

static void put(struct fk_store *store, const char *url, const char *bytes, const char *etag)
{
    unsigned char digest[32];
    size_t len = strlen(bytes);
    fk_sha256(bytes, len, digest);
    const struct fk_asset_fetched asset = {
        .url = url,
        .sha256 = digest,
        .mime = "image/png",
        .data = bytes,
        .size = len,
        .etag = etag,
        .time = 1000,
    };
    struct fk_error err = {0};
    CHECK_INT(fk_store_put_asset(store, &asset, NULL, &err), 0);
}

static void count_problem(const char *check, const char *problem, void *ctx)
{
    (void)problem;
    if (strcmp(check, "asset bytes") == 0)
        (*(int *)ctx)++;
}

static int bytes_problems(struct fk_store *store)
{
    struct fk_error err = {0};
    int found = 0;
    CHECK(fk_store_check_assets(store, hash, count_problem, &found, &err) >= 0);
    return found;
}

static const char *status_of(const char *url)
{
    static char status[16];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    status[0] = '\0';
    if (sqlite3_open(db_path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT status FROM asset_urls WHERE url = ?1", -1, &st, NULL) ==
            SQLITE_OK) {
        sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}

static void test_repair(void)
{
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(db_path, &err);
    CHECK(store != NULL);
    if (!store)
        return;
    put(store, "https://a.example/1.png", "the bytes of one image", "\"a1\"");
    put(store, "https://a.example/2.png", "the bytes of one image", "\"a2\"");
    put(store, "https://b.example/b.png", "the bytes of another", NULL);
    put(store, "https://c.example/c.png", "and of a third image", "\"c\"");
    CHECK_INT(bytes_problems(store), 0);

    int64_t removed = -1, urls = -1;
    CHECK_INT(fk_store_repair_asset_bytes(store, hash, &removed, &urls, &err), 0);
    CHECK_INT(removed, 0);
    CHECK_INT(urls, 0);

    /* the first one's bytes changed in place, the third's size lies */
    sql_exec("UPDATE assets SET data = CAST('THE bytes of one image' AS BLOB)"
             " WHERE size = 22 AND CAST(data AS TEXT) = 'the bytes of one image'");
    sql_exec("UPDATE assets SET size = size + 1"
             " WHERE CAST(data AS TEXT) = 'and of a third image'");
    CHECK_INT(bytes_problems(store), 2);

    /* A hash function that fails changes nothing. */
    err = (struct fk_error){0};
    CHECK_INT(fk_store_repair_asset_bytes(store, hash_fails, &removed, &urls, &err), -1);
    CHECK(strstr(err.message, "could not be hashed") != NULL);
    CHECK_INT(sql_int("SELECT count(*) FROM assets", NULL), 3);

    err = (struct fk_error){0};
    CHECK_INT(fk_store_repair_asset_bytes(store, hash, &removed, &urls, &err), 0);
    CHECK_INT(removed, 2);
    CHECK_INT(urls, 3);
    CHECK_INT(sql_int("SELECT count(*) FROM assets", NULL), 1);
    CHECK_STR(status_of("https://a.example/1.png"), "pending");
    CHECK_STR(status_of("https://a.example/2.png"), "pending");
    CHECK_STR(status_of("https://c.example/c.png"), "pending");
    CHECK_STR(status_of("https://b.example/b.png"), "stored");
    /* fetched anew, not revalidated: no validators, no asset */
    CHECK_INT(sql_int("SELECT etag FROM asset_urls WHERE url = ?1", "https://a.example/1.png"), -2);
    CHECK_INT(sql_int("SELECT asset_id FROM asset_urls WHERE url = ?1", "https://c.example/c.png"),
              -2);
    CHECK_INT(bytes_problems(store), 0);
    struct fk_asset_stats stats;
    struct fk_store_stats all = {0};
    CHECK_INT(fk_store_stats(store, &all, &err), 0);
    stats = all.assets;
    fk_store_stats_release(&all);
    CHECK_INT(stats.assets, 1);
    CHECK_INT(stats.urls_pending, 3);
    CHECK_INT(stats.urls_stored, 1);

    /* Not while a feed is being filed. */
    CHECK_INT(fk_store_begin_feed(store, "https://feed.example/", NULL, &err), 0);
    err = (struct fk_error){0};
    CHECK_INT(fk_store_repair_asset_bytes(store, hash, &removed, &urls, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(fk_store_end_feed(store, false, NULL, &err), 0);
    fk_store_close(store);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/feedkeep-repair-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(db_path, sizeof db_path, "%s/repair.db", tmp_dir);
    RUN(test_repair);
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        unlink(path);
    }
    rmdir(tmp_dir);
    return DONE();
}
