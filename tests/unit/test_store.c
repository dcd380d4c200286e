/* test_store.c - the archive: filing, identity, queries, refusing foreign files.
 *
 * Every test works on archives in one temporary directory. The tests open
 * the files with SQLite directly too, to look at what the store API does not
 * show (feed membership, the full-text index, the file header); that is why
 * this test, unlike the library's other users, includes sqlite3.h.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "harness.h"

static char tmp_dir[4096];

/* A path in the temporary directory; the result is valid until the next
 * call. */
static const char *tmp_path(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static void remove_archive(const char *name)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char path[4200];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s/%s%s", tmp_dir, name, suffixes[i]);
        unlink(path);
    }
}

/* A fresh archive named name, replacing any earlier one. */
static struct fk_store *open_fresh(const char *name)
{
    struct fk_error err = {0};
    remove_archive(name);
    struct fk_store *store = fk_store_open(tmp_path(name), &err);
    if (!store)
        fprintf(stderr, "open %s: %s\n", name, err.message);
    CHECK(store != NULL);
    return store;
}

/* Run sql (one integer result) on the archive file with a connection of
 * our own. Returns -1 on any error. */
static int64_t sql_int(const char *name, const char *sql)
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

/* Run statements on a file without the store (to make foreign files). */
static int sql_exec(const char *name, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(tmp_path(name), &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

/* ---- building items ------------------------------------------------------- */

/* An item with its content, in one struct so tests can tweak both. */
struct test_item {
    struct fk_item item;
    struct fk_content content;
    char *tags[8];
    struct fk_code_block code[4];
};

/* Strings are string literals: char * as in struct fk_item, never written. */
static void test_item_init(struct test_item *t, char *guid, char *title, char *text,
                           int64_t published)
{
    memset(t, 0, sizeof *t);
    t->item.guid = guid;
    t->item.title = title;
    t->item.url = NULL;
    t->item.published = published;
    t->item.updated = FK_TIME_NONE;
    t->item.tags = t->tags;
    t->content.text = text;
    t->content.markdown = text;
    t->content.code_blocks = t->code;
}

static void add_tag(struct test_item *t, char *tag)
{
    t->tags[t->item.ntags++] = tag;
}

static void add_code(struct test_item *t, char *language, char *code, size_t lines)
{
    struct fk_code_block *block = &t->code[t->content.ncode_blocks++];
    block->language = language;
    block->code = code;
    block->lines = lines;
}

static int begin(struct fk_store *store, const char *feed_url)
{
    struct fk_error err = {0};
    int rc = fk_store_begin_feed(store, feed_url, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "begin_feed: %s\n", err.message);
    return rc;
}

static int end(struct fk_store *store)
{
    struct fk_error err = {0};
    int rc = fk_store_end_feed(store, true, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "end_feed: %s\n", err.message);
    return rc;
}

/* File t and return the result, or -1 on error. */
static int put(struct fk_store *store, const struct test_item *t)
{
    struct fk_error err = {0};
    enum fk_put_result result = FK_PUT_UNCHANGED;
    if (fk_store_put_item(store, &t->item, &t->content, &result, &err) != 0) {
        fprintf(stderr, "put_item: %s\n", err.message);
        return -1;
    }
    return (int)result;
}

static struct fk_store_counts counts(struct fk_store *store)
{
    struct fk_store_counts c;
    struct fk_error err = {0};
    CHECK_INT(fk_store_counts(store, &c, &err), 0);
    return c;
}

/* June 2026, day d, noon UTC. */
static int64_t june(int d)
{
    return fk_date_days_from_civil(2026, 6, d) * 86400 + 12 * 3600;
}

/* ---- identity ------------------------------------------------------------- */

static void test_identity(void)
{
    static const struct {
        const char *feed;
        char *guid, *url, *title, *date;
        const char *expected;
    } cases[] = {
        /* absolute URI guids are global */
        {"https://f.example/feed", "https://dev.to/a/b-1", "https://x", "T", NULL,
         "guid:https://dev.to/a/b-1"},
        {"https://f.example/feed", "  tag:x,2020:1\n", NULL, NULL, NULL, "guid:tag:x,2020:1"},
        {"https://other.example/", "urn:uuid:60a76c80", NULL, NULL, NULL, "guid:urn:uuid:60a76c80"},
        /* other guids are scoped by the feed */
        {"https://f.example/feed", "1234", "https://x/1", NULL, NULL,
         "feed:https://f.example/feed guid:1234"},
        {" https://f.example/feed ", " a b ", NULL, NULL, NULL,
         "feed:https://f.example/feed guid:a b"},
        /* no guid: the absolute link */
        {"https://f.example/feed", NULL, "https://e.example/post", "T", NULL,
         "url:https://e.example/post"},
        {"https://f.example/feed", " \t", " https://e.example/post ", NULL, NULL,
         "url:https://e.example/post"},
        /* neither: a hash of title and date (checked against FNV-1a by hand) */
        {"https://f.example/feed", NULL, "/relative/link", "No links here",
         "Mon, 01 Jun 2026 10:00:00 GMT", "hash:https://f.example/feed 308458f47b64e7fc"},
        {"https://f.example/feed", "", NULL, "  No links here ", " Mon, 01 Jun 2026 10:00:00 GMT",
         "hash:https://f.example/feed 308458f47b64e7fc"},
        {"https://f.example/feed", NULL, NULL, NULL, NULL,
         "hash:https://f.example/feed 08328807b4eb6fed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fk_item item = {0};
        item.guid = cases[i].guid;
        item.url = cases[i].url;
        item.title = cases[i].title;
        item.published_raw = cases[i].date;
        char *key = fk_store_identity(cases[i].feed, &item);
        CHECK_STR(key, cases[i].expected);
        free(key);
    }

    /* The same relative guid in two feeds is two articles; a different
     * date makes a different hash. */
    struct fk_item a = {0}, b = {0};
    a.guid = "42";
    char *k1 = fk_store_identity("https://one/", &a);
    char *k2 = fk_store_identity("https://two/", &a);
    CHECK(strcmp(k1, k2) != 0);
    free(k1);
    free(k2);
    a.guid = NULL;
    a.title = b.title = "Same title";
    a.published_raw = "2026-06-01";
    b.published_raw = "2026-06-02";
    k1 = fk_store_identity("https://one/", &a);
    k2 = fk_store_identity("https://one/", &b);
    CHECK(strcmp(k1, k2) != 0);
    free(k1);
    free(k2);
}

/* ---- filing ------------------------------------------------------------------ */

static void test_new_unchanged_updated(void)
{
    struct fk_store *store = open_fresh("put.db");
    if (!store)
        return;
    struct test_item t;
    test_item_init(&t, "https://dev.to/u/post-1", "Post one", "First body.", june(1));
    add_tag(&t, "rust");
    add_tag(&t, "C");
    add_code(&t, "c", "int x;\n", 1);

    CHECK_INT(begin(store, "https://dev.to/feed/u"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    /* The same item twice in one document is filed once. */
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);

    struct fk_store_counts c = counts(store);
    CHECK_INT(c.feeds, 1);
    CHECK_INT(c.articles, 1);
    CHECK_INT(c.tags, 2);
    CHECK_INT(c.code_blocks, 1);
    CHECK_INT(c.versions, 0);

    /* A second import of the same document writes no content. */
    CHECK_INT(begin(store, "https://dev.to/feed/u"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    /* Tags in another order and case, or a changed date or link, are not a
     * change of content. */
    struct test_item same = t;
    same.item.tags = same.tags;
    same.content.code_blocks = same.code;
    same.tags[0] = "c";
    same.tags[1] = "  RUST ";
    same.item.published = june(2);
    same.item.url = "https://dev.to/u/post-1?x";
    CHECK_INT(put(store, &same), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    c = counts(store);
    CHECK_INT(c.articles, 1);
    CHECK_INT(c.versions, 0);

    /* The same article in a tag feed: one article, two feeds. */
    CHECK_INT(begin(store, "https://dev.to/feed/tag/rust"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    c = counts(store);
    CHECK_INT(c.feeds, 2);
    CHECK_INT(c.articles, 1);
    CHECK_INT(sql_int("put.db", "SELECT count(*) FROM article_feeds"), 2);

    /* Changed text: the old content becomes a version. */
    struct test_item changed = t;
    changed.item.tags = changed.tags;
    changed.content.code_blocks = changed.code;
    changed.content.text = "First body, corrected.";
    changed.content.ncode_blocks = 0;
    add_code(&changed, "python", "print(1)\n", 1);
    add_code(&changed, NULL, "$ ls\n", 1);
    CHECK_INT(begin(store, "https://dev.to/feed/u"), 0);
    CHECK_INT(put(store, &changed), FK_PUT_UPDATED);
    CHECK_INT(put(store, &changed), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    c = counts(store);
    CHECK_INT(c.articles, 1);
    CHECK_INT(c.versions, 1);
    CHECK_INT(c.code_blocks, 2);
    CHECK_INT(sql_int("put.db", "SELECT count(*) FROM article_versions"
                                " WHERE text = 'First body.' AND title = 'Post one'"
                                " AND tags_text = 'c rust'"),
              1);

    /* A changed title or tag set is a change too; dropped tags go. */
    changed.item.title = "Post one (v2)";
    CHECK_INT(begin(store, "https://dev.to/feed/u"), 0);
    CHECK_INT(put(store, &changed), FK_PUT_UPDATED);
    changed.item.ntags = 1;
    CHECK_INT(put(store, &changed), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    c = counts(store);
    CHECK_INT(c.versions, 3);
    CHECK_INT(c.tags, 1);
    CHECK_INT(sql_int("put.db", "SELECT count(*) FROM article_tags"), 1);
    /* first_seen stays, last_seen moves on. */
    CHECK_INT(sql_int("put.db", "SELECT first_seen <= last_seen AND first_seen > 0 FROM articles"),
              1);
    fk_store_close(store);
}

static void test_tags_normalised(void)
{
    struct fk_store *store = open_fresh("tags.db");
    if (!store)
        return;
    struct test_item t;
    test_item_init(&t, "https://e/1", "Tags", "x", june(1));
    add_tag(&t, " Rust ");
    add_tag(&t, "rust");
    add_tag(&t, "RUST");
    add_tag(&t, "C");
    add_tag(&t, "");
    add_tag(&t, "  ");
    add_tag(&t, "Machine \t Learning");
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    struct fk_article a;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_article(store, 1, &a, &err), 0);
    CHECK_INT(a.ntags, 3);
    if (a.ntags == 3) {
        CHECK_STR(a.tags[0], "c");
        CHECK_STR(a.tags[1], "machine learning");
        CHECK_STR(a.tags[2], "rust");
    }
    fk_article_release(&a);
    CHECK_INT(counts(store).tags, 3);
    CHECK_INT(sql_int("tags.db", "SELECT tags_text = 'c machine learning rust' FROM articles"), 1);
    fk_store_close(store);
}

static void test_rollback_and_misuse(void)
{
    struct fk_store *store = open_fresh("rollback.db");
    if (!store)
        return;
    struct fk_error err = {0};
    enum fk_put_result result;
    struct test_item t;
    test_item_init(&t, "https://e/1", "One", "x", june(1));

    /* Filing outside a feed is a usage error. */
    CHECK_INT(fk_store_put_item(store, &t.item, &t.content, &result, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), -1);

    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(fk_store_begin_feed(store, "https://e/feed", NULL, &err), -1);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(fk_store_end_feed(store, false, NULL, &err), 0);
    struct fk_store_counts c = counts(store);
    CHECK_INT(c.articles, 0);
    CHECK_INT(c.feeds, 0);

    /* The handle is usable again, and content may be NULL. */
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(fk_store_put_item(store, &t.item, NULL, &result, &err), 0);
    CHECK_INT(result, FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 1);

    /* A feed begun and not ended is rolled back by close. */
    test_item_init(&t, "https://e/2", "Two", "y", june(2));
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    fk_store_close(store);
    CHECK_INT(sql_int("rollback.db", "SELECT count(*) FROM articles"), 1);
}

static void test_feed_metadata(void)
{
    struct fk_store *store = open_fresh("feedmeta.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct fk_feed_info info = {0};
    info.title = "Early title";
    CHECK_INT(fk_store_begin_feed(store, "https://e/feed", &info, &err), 0);
    struct fk_feed_info final = {0};
    final.title = "The DEV Community";
    final.site_url = "https://dev.to";
    CHECK_INT(fk_store_end_feed(store, true, &final, &err), 0);
    CHECK_INT(sql_int("feedmeta.db", "SELECT count(*) FROM feeds WHERE title = "
                                     "'The DEV Community' AND site_url = 'https://dev.to'"),
              1);
    /* Absent values keep what is stored. */
    CHECK_INT(fk_store_begin_feed(store, "https://e/feed", NULL, &err), 0);
    struct fk_feed_info empty = {0};
    CHECK_INT(fk_store_end_feed(store, true, &empty, &err), 0);
    CHECK_INT(sql_int("feedmeta.db", "SELECT count(*) FROM feeds WHERE title = "
                                     "'The DEV Community' AND site_url = 'https://dev.to'"),
              1);
    fk_store_close(store);
}

static void test_put_unchanged(void)
{
    struct fk_store *store = open_fresh("shortcut.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct test_item t;
    test_item_init(&t, "https://e/1", "One", "body", june(1));
    t.item.content_html = "<p>body</p>";
    add_tag(&t, "Go");

    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(fk_store_put_unchanged(store, &t.item, &err), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    CHECK_INT(begin(store, "https://e/other"), 0);
    CHECK_INT(fk_store_put_unchanged(store, &t.item, &err), 1);
    t.tags[0] = " go ";
    CHECK_INT(fk_store_put_unchanged(store, &t.item, &err), 1);
    t.item.content_html = "<p>body!</p>";
    CHECK_INT(fk_store_put_unchanged(store, &t.item, &err), 0);
    CHECK_INT(end(store), 0);
    /* The shortcut recorded the second feed. */
    CHECK_INT(sql_int("shortcut.db", "SELECT count(*) FROM article_feeds"), 2);
    CHECK_INT(counts(store).versions, 0);
    fk_store_close(store);
}

/* ---- queries ------------------------------------------------------------------ */

/* Collects what fk_store_list reports. */
struct listing {
    int64_t ids[16];
    char feeds[16][64];
    char tags[16][64];
    size_t count;
    size_t stop_after; /* 0: never stop */
};

static int collect(const struct fk_article *a, void *ctx)
{
    struct listing *l = ctx;
    if (l->count < 16) {
        l->ids[l->count] = a->id;
        snprintf(l->feeds[l->count], sizeof l->feeds[0], "%s", a->feed_url ? a->feed_url : "");
        l->tags[l->count][0] = '\0';
        for (size_t i = 0; i < a->ntags; i++) {
            size_t used = strlen(l->tags[l->count]);
            snprintf(l->tags[l->count] + used, sizeof l->tags[0] - used, "%s%s", i ? "," : "",
                     a->tags[i]);
        }
        CHECK(a->text == NULL);
    }
    l->count++;
    return l->stop_after && l->count == l->stop_after ? 7 : 0;
}

/* Run a listing and return the ids, newest first, as "3 1 2". */
static const char *list_ids(struct fk_store *store, const struct fk_filter *f)
{
    static char out[256];
    struct listing l = {0};
    struct fk_error err = {0};
    out[0] = '\0';
    if (fk_store_list(store, f, collect, &l, &err) != 0) {
        fprintf(stderr, "list: %s\n", err.message);
        return "error";
    }
    for (size_t i = 0; i < l.count && i < 16; i++) {
        size_t used = strlen(out);
        snprintf(out + used, sizeof out - used, "%s%lld", i ? " " : "", (long long)l.ids[i]);
    }
    return out;
}

/* Articles 1-5 in two feeds:
 *   1  June 1   rust, database        code: c, python
 *   2  June 3   python                code: python
 *   3  June 2   rust                  (filed from the second feed)
 *   4  no date  rust, database
 *   5  June 3   database, python
 */
static struct fk_store *filled_archive(const char *name)
{
    struct fk_store *store = open_fresh(name);
    if (!store)
        return NULL;
    struct test_item t;
    CHECK_INT(begin(store, "https://dev.to/feed"), 0);
    test_item_init(&t, "https://e/1", "One", "one", june(1));
    add_tag(&t, "Rust");
    add_tag(&t, "database");
    add_code(&t, "c", "int main(void);\n", 1);
    add_code(&t, "Python", "import os\nprint(os.name)\n", 2);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    test_item_init(&t, "https://e/2", "Two", "two", june(3));
    add_tag(&t, "python");
    add_code(&t, "python", "pass\n", 1);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    CHECK_INT(begin(store, "https://dev.to/feed/tag/rust"), 0);
    test_item_init(&t, "https://e/3", "Three", "three", june(2));
    add_tag(&t, "rust");
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    test_item_init(&t, "https://e/4", "Four", "four", FK_TIME_NONE);
    add_tag(&t, "rust");
    add_tag(&t, "DATABASE");
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    test_item_init(&t, "https://e/1", "One", "one", june(1));
    add_tag(&t, "Rust");
    add_tag(&t, "database");
    add_code(&t, "c", "int main(void);\n", 1);
    add_code(&t, "Python", "import os\nprint(os.name)\n", 2);
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);

    CHECK_INT(begin(store, "https://dev.to/feed"), 0);
    test_item_init(&t, "https://e/5", "Five", "five", june(3));
    add_tag(&t, "database");
    add_tag(&t, "python");
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    return store;
}

static void test_list(void)
{
    struct fk_store *store = filled_archive("list.db");
    if (!store)
        return;
    struct fk_filter f;
    fk_filter_init(&f);
    CHECK(f.since == FK_TIME_NONE && f.until == FK_TIME_NONE);
    CHECK(f.tags == NULL && f.ntags == 0 && f.limit == 0 && f.language == NULL);

    /* Newest first, same date by id descending, undated last. */
    CHECK_STR(list_ids(store, &f), "5 2 3 1 4");
    CHECK_STR(list_ids(store, NULL), "5 2 3 1 4");

    const char *rust[] = {"RUST"};
    f.tags = rust;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "3 1 4");
    const char *rust_db[] = {"rust", " Database "};
    f.tags = rust_db;
    f.ntags = 2;
    CHECK_STR(list_ids(store, &f), "1 4");
    const char *none[] = {"rust", "python"};
    f.tags = none;
    CHECK_STR(list_ids(store, &f), "");
    const char *unknown[] = {"cobol"};
    f.tags = unknown;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "");

    /* since inclusive, until exclusive, undated never matches. */
    fk_filter_init(&f);
    f.since = june(2);
    CHECK_STR(list_ids(store, &f), "5 2 3");
    f.until = june(3);
    CHECK_STR(list_ids(store, &f), "3");
    f.since = FK_TIME_NONE;
    CHECK_STR(list_ids(store, &f), "3 1");
    f.tags = rust;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "3 1");

    fk_filter_init(&f);
    f.limit = 2;
    CHECK_STR(list_ids(store, &f), "5 2");
    f.limit = -1;
    CHECK_STR(list_ids(store, &f), "5 2 3 1 4");

    /* Tags and feed come with each article. Article 1 was filed from the
     * user feed first. */
    struct listing l = {0};
    struct fk_error err = {0};
    fk_filter_init(&f);
    CHECK_INT(fk_store_list(store, &f, collect, &l, &err), 0);
    CHECK_INT(l.count, 5);
    CHECK_STR(l.tags[3], "database,rust");
    CHECK_STR(l.feeds[3], "https://dev.to/feed");
    CHECK_STR(l.feeds[2], "https://dev.to/feed/tag/rust");
    CHECK_STR(l.tags[1], "python");

    /* A non-zero return stops the walk and is passed on. */
    struct listing stopped = {0};
    stopped.stop_after = 2;
    CHECK_INT(fk_store_list(store, &f, collect, &stopped, &err), 7);
    CHECK_INT(stopped.count, 2);

    /* Tag text that looks like SQL is only ever a value. */
    const char *evil[] = {"x') OR 1=1 --"};
    f.tags = evil;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "");
    fk_store_close(store);
}

struct code_listing {
    char rows[16][64];
    size_t count;
};

static int collect_code(const struct fk_code_row *row, void *ctx)
{
    struct code_listing *l = ctx;
    if (l->count < 16)
        snprintf(l->rows[l->count], sizeof l->rows[0], "%lld/%d/%s/%zu/%s",
                 (long long)row->article_id, row->position, row->language ? row->language : "-",
                 row->lines, row->article_title);
    l->count++;
    return 0;
}

static void test_list_code(void)
{
    struct fk_store *store = filled_archive("code.db");
    if (!store)
        return;
    struct fk_filter f;
    struct code_listing l = {0};
    struct fk_error err = {0};

    fk_filter_init(&f);
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 3);
    CHECK_STR(l.rows[0], "2/0/python/1/Two");
    CHECK_STR(l.rows[1], "1/0/c/1/One");
    CHECK_STR(l.rows[2], "1/1/python/2/One"); /* stored lower-case */

    memset(&l, 0, sizeof l);
    f.language = "PYTHON";
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 2);
    CHECK_STR(l.rows[0], "2/0/python/1/Two");
    CHECK_STR(l.rows[1], "1/1/python/2/One");

    memset(&l, 0, sizeof l);
    const char *rust[] = {"rust"};
    f.tags = rust;
    f.ntags = 1;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 1);
    CHECK_STR(l.rows[0], "1/1/python/2/One");

    memset(&l, 0, sizeof l);
    fk_filter_init(&f);
    f.language = "";
    f.limit = 2;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 2);

    memset(&l, 0, sizeof l);
    f.language = "cobol";
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 0);
    fk_store_close(store);
}

/* A common language with a limit is listed by walking the articles newest
 * first (a rare one through its index): both ways give the same order. */
static void test_list_code_common_language(void)
{
    struct fk_store *store = filled_archive("code2.db");
    if (!store)
        return;
    /* An old article with more Python blocks than the rarity threshold. */
    static struct fk_code_block blocks[1200];
    for (size_t i = 0; i < 1200; i++) {
        blocks[i].language = "python";
        blocks[i].code = "x = 1\n";
        blocks[i].lines = 1;
    }
    struct test_item t;
    test_item_init(&t, "https://e/old", "Old", "old", june(1) - 86400);
    add_tag(&t, "rust");
    t.content.code_blocks = blocks;
    t.content.ncode_blocks = 1200;
    CHECK_INT(begin(store, "https://dev.to/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    struct fk_filter f;
    struct code_listing l = {0};
    struct fk_error err = {0};
    fk_filter_init(&f);
    f.language = "Python";
    f.limit = 4;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 4);
    CHECK_STR(l.rows[0], "2/0/python/1/Two");
    CHECK_STR(l.rows[1], "1/1/python/2/One");
    CHECK_STR(l.rows[2], "6/0/python/1/Old");
    CHECK_STR(l.rows[3], "6/1/python/1/Old");

    memset(&l, 0, sizeof l);
    const char *rust[] = {"rust"};
    f.tags = rust;
    f.ntags = 1;
    f.limit = 3;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 3);
    CHECK_STR(l.rows[0], "1/1/python/2/One");
    CHECK_STR(l.rows[1], "6/0/python/1/Old");
    CHECK_STR(l.rows[2], "6/1/python/1/Old");

    memset(&l, 0, sizeof l);
    f.until = june(1);
    f.limit = 1;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 1);
    CHECK_STR(l.rows[0], "6/0/python/1/Old");

    memset(&l, 0, sizeof l);
    fk_filter_init(&f);
    f.language = "python";
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &l, &err), 0);
    CHECK_INT(l.count, 1202);
    fk_store_close(store);
}

static void test_get_article(void)
{
    struct fk_store *store = open_fresh("get.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct test_item t;
    test_item_init(&t, "https://e/1", "Title", "Plain text.", june(1));
    t.content.markdown = "*Plain* text.";
    t.item.url = "https://e/post";
    t.item.author = "Ada";
    t.item.updated = june(2);
    add_tag(&t, "b");
    add_tag(&t, "a");
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    test_item_init(&t, "https://e/2", NULL, NULL, FK_TIME_NONE);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    struct fk_article a;
    CHECK_INT(fk_store_get_article(store, 1, &a, &err), 0);
    CHECK_INT(a.id, 1);
    CHECK_STR(a.guid, "https://e/1");
    CHECK_STR(a.url, "https://e/post");
    CHECK_STR(a.title, "Title");
    CHECK_STR(a.author, "Ada");
    CHECK_STR(a.feed_url, "https://e/feed");
    CHECK_STR(a.text, "Plain text.");
    CHECK_STR(a.markdown, "*Plain* text.");
    CHECK_INT(a.published, june(1));
    CHECK_INT(a.updated, june(2));
    CHECK_INT(a.ntags, 2);
    if (a.ntags == 2) {
        CHECK_STR(a.tags[0], "a");
        CHECK_STR(a.tags[1], "b");
    }
    fk_article_release(&a);
    CHECK(a.priv == NULL && a.title == NULL);
    fk_article_release(&a);

    /* Absent values come back as NULL and FK_TIME_NONE; text as "". */
    CHECK_INT(fk_store_get_article(store, 2, &a, &err), 0);
    CHECK_STR(a.title, NULL);
    CHECK_STR(a.text, "");
    CHECK_STR(a.markdown, "");
    CHECK_INT(a.published, FK_TIME_NONE);
    CHECK_INT(a.ntags, 0);
    fk_article_release(&a);

    CHECK_INT(fk_store_get_article(store, 99, &a, &err), 1);
    CHECK(a.priv == NULL);
    fk_article_release(&a);
    fk_store_close(store);
}

/* ---- the file -------------------------------------------------------------- */

static void test_reopen(void)
{
    struct fk_store *store = filled_archive("reopen.db");
    if (!store)
        return;
    fk_store_close(store);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path("reopen.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct fk_store_counts c = counts(store);
    CHECK_INT(c.articles, 5);
    CHECK_INT(c.feeds, 2);
    CHECK_INT(c.code_blocks, 3);
    CHECK_INT(c.tags, 3);
    CHECK_STR(list_ids(store, NULL), "5 2 3 1 4");
    /* Filing again after reopening finds what is there. */
    struct test_item t;
    test_item_init(&t, "https://e/3", "Three", "three", june(2));
    add_tag(&t, "rust");
    CHECK_INT(begin(store, "https://dev.to/feed/tag/rust"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    fk_store_close(store);

    CHECK_INT(sql_int("reopen.db", "PRAGMA user_version"), 1);
    CHECK_INT(sql_int("reopen.db", "PRAGMA application_id"), 0x666B6565);
    CHECK_INT(sql_int("reopen.db", "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    CHECK_INT(sql_int("reopen.db", "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    CHECK_INT(sql_int("reopen.db", "SELECT count(*) FROM pragma_integrity_check"
                                   " WHERE integrity_check <> 'ok'"),
              0);
}

/* Open name expecting a refusal whose message contains expected. */
static void check_refused(const char *name, const char *expected)
{
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path(name), &err);
    CHECK(store == NULL);
    fk_store_close(store);
    CHECK_INT(err.kind, FK_ERROR_DB);
    if (!strstr(err.message, expected))
        fprintf(stderr, "message: %s\n  wanted: %s\n", err.message, expected);
    CHECK(strstr(err.message, expected) != NULL);
}

static void test_refuse_foreign(void)
{
    char expected[4400];

    /* Written by a newer feedkeep. */
    remove_archive("newer.db");
    CHECK_INT(sql_exec("newer.db", "CREATE TABLE articles(id INTEGER PRIMARY KEY);"
                                   "PRAGMA application_id = 1718314341;"
                                   "PRAGMA user_version = 99;"),
              0);
    snprintf(expected, sizeof expected,
             "archive '%s' was written by a newer feedkeep (schema version 99",
             tmp_path("newer.db"));
    check_refused("newer.db", expected);
    /* Refused without being touched. */
    CHECK_INT(sql_int("newer.db", "PRAGMA user_version"), 99);

    /* Not SQLite at all. */
    remove_archive("notes.db");
    FILE *fp = fopen(tmp_path("notes.db"), "w");
    CHECK(fp != NULL);
    if (fp) {
        for (int i = 0; i < 100; i++)
            fputs("These are my notes, not a database.\n", fp);
        fclose(fp);
    }
    snprintf(expected, sizeof expected, "'%s' is not a feedkeep archive: file is not a database",
             tmp_path("notes.db"));
    check_refused("notes.db", expected);

    /* Another program's SQLite database, left as it was (not even WAL). */
    remove_archive("other.db");
    CHECK_INT(sql_exec("other.db", "CREATE TABLE contacts(name TEXT);"), 0);
    snprintf(expected, sizeof expected, "'%s' is not a feedkeep archive: it is another program's",
             tmp_path("other.db"));
    check_refused("other.db", expected);
    CHECK_INT(sql_int("other.db", "SELECT journal_mode = 'delete' FROM pragma_journal_mode"), 1);
    CHECK_INT(sql_int("other.db", "SELECT count(*) FROM sqlite_master"), 1);

    /* Another application id, even when empty. */
    remove_archive("otherid.db");
    CHECK_INT(sql_exec("otherid.db", "PRAGMA application_id = 42;"), 0);
    check_refused("otherid.db", "is not a feedkeep archive");

    /* A path that cannot be opened. */
    snprintf(expected, sizeof expected, "cannot open archive '%s': unable to open database file",
             tmp_path("no/such/dir.db"));
    check_refused("no/such/dir.db", expected);

    /* An empty file becomes an archive. */
    remove_archive("empty.db");
    fp = fopen(tmp_path("empty.db"), "w");
    if (fp)
        fclose(fp);
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path("empty.db"), &err);
    CHECK(store != NULL);
    fk_store_close(store);
}

/* The full-text index follows inserts and updates. */
static int64_t fts_count(const char *name, const char *query)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '%s'",
             query);
    return sql_int(name, sql);
}

static void test_fts(void)
{
    struct fk_store *store = open_fresh("fts.db");
    if (!store)
        return;
    struct test_item t;
    test_item_init(&t, "https://e/1", "Query planners", "How the planner picks an index.", june(1));
    add_tag(&t, "Database");
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(fts_count("fts.db", "planner"), 1);
    CHECK_INT(fts_count("fts.db", "title:planners"), 1);
    CHECK_INT(fts_count("fts.db", "tags:database"), 1);
    CHECK_INT(fts_count("fts.db", "vacuum"), 0);

    t.content.text = "How vacuum frees pages.";
    t.tags[0] = "sqlite";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    CHECK_INT(fts_count("fts.db", "picks"), 0);
    CHECK_INT(fts_count("fts.db", "vacuum"), 1);
    CHECK_INT(fts_count("fts.db", "tags:database"), 0);
    CHECK_INT(fts_count("fts.db", "tags:sqlite"), 1);
    fk_store_close(store);

    /* The index agrees with its content, and snippets can read it. */
    CHECK_INT(sql_exec("fts.db", "INSERT INTO articles_fts(articles_fts, rank)"
                                 " VALUES ('integrity-check', 1)"),
              0);
    CHECK_INT(sql_int("fts.db", "SELECT snippet(articles_fts, 1, '[', ']', '', 4)"
                                " = 'How [vacuum] frees pages.' FROM articles_fts"
                                " WHERE articles_fts MATCH 'vacuum'"),
              1);
}

static int64_t fts_check(const char *name)
{
    return sql_exec(name, "INSERT INTO articles_fts(articles_fts, rank)"
                          " VALUES ('integrity-check', 1)");
}

/* New articles are indexed when their feed commits, changed ones at once:
 * the index must be right however the two mix, and after a rollback. */
static void test_fts_batches(void)
{
    struct fk_store *store = open_fresh("ftsbatch.db");
    if (!store)
        return;
    struct test_item a, b;
    test_item_init(&a, "https://e/a", "A", "alpha", june(1));
    test_item_init(&b, "https://e/b", "B", "bravo", june(2));
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &a), FK_PUT_NEW);
    a.content.text = "apple";
    CHECK_INT(put(store, &a), FK_PUT_UPDATED); /* new and changed in one feed */
    CHECK_INT(put(store, &b), FK_PUT_NEW);
    /* Not searchable before the commit... */
    CHECK_INT(fts_count("ftsbatch.db", "bravo"), 0);
    CHECK_INT(end(store), 0);
    /* ...and exactly the final content after it. */
    CHECK_INT(fts_count("ftsbatch.db", "alpha"), 0);
    CHECK_INT(fts_count("ftsbatch.db", "apple"), 1);
    CHECK_INT(fts_count("ftsbatch.db", "bravo"), 1);
    CHECK_INT(fts_check("ftsbatch.db"), 0);

    /* An older article changed twice in one feed. */
    CHECK_INT(begin(store, "https://e/feed"), 0);
    a.content.text = "apricot";
    CHECK_INT(put(store, &a), FK_PUT_UPDATED);
    a.content.text = "avocado";
    CHECK_INT(put(store, &a), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    CHECK_INT(fts_count("ftsbatch.db", "apple OR apricot"), 0);
    CHECK_INT(fts_count("ftsbatch.db", "avocado"), 1);
    CHECK_INT(fts_check("ftsbatch.db"), 0);

    /* A rolled-back feed leaves no trace in the index. */
    struct test_item c;
    test_item_init(&c, "https://e/c", "C", "cherry", june(3));
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &c), FK_PUT_NEW);
    a.content.text = "almond";
    CHECK_INT(put(store, &a), FK_PUT_UPDATED);
    struct fk_error err = {0};
    CHECK_INT(fk_store_end_feed(store, false, NULL, &err), 0);
    CHECK_INT(fts_count("ftsbatch.db", "cherry OR almond"), 0);
    CHECK_INT(fts_count("ftsbatch.db", "avocado"), 1);
    CHECK_INT(fts_check("ftsbatch.db"), 0);
    CHECK_INT(counts(store).versions, 3);
    fk_store_close(store);

    /* Deleting by hand keeps the index in step (trigger) and takes the
     * article's tags and code along (foreign keys). */
    CHECK_INT(
        sql_exec("ftsbatch.db", "PRAGMA foreign_keys = ON; DELETE FROM articles WHERE id = 1"), 0);
    CHECK_INT(fts_count("ftsbatch.db", "avocado"), 0);
    CHECK_INT(fts_check("ftsbatch.db"), 0);
    CHECK_INT(sql_int("ftsbatch.db", "SELECT count(*) FROM article_versions"), 0);
}

/* A write that fails half-way through an item fails the whole feed: it is
 * rolled back, and the handle goes on with the next feed. */
static void test_failed_write(void)
{
    struct fk_store *store = open_fresh("fail.db");
    if (!store)
        return;
    fk_store_close(store);
    /* The failure is injected with a trigger, after the article row is
     * written. */
    CHECK_INT(sql_exec("fail.db", "CREATE TRIGGER inject BEFORE INSERT ON code_blocks"
                                  " WHEN new.code = 'FAIL' BEGIN"
                                  " SELECT RAISE(ABORT, 'injected failure'); END"),
              0);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path("fail.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return;
    struct test_item good, bad;
    test_item_init(&good, "https://e/1", "Good", "fine", june(1));
    test_item_init(&bad, "https://e/2", "Bad", "broken", june(2));
    add_code(&bad, "c", "FAIL", 1);
    enum fk_put_result result;

    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &good), FK_PUT_NEW);
    CHECK_INT(fk_store_put_item(store, &bad.item, &bad.content, &result, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_DB);
    CHECK_STR(err.message, "database error: injected failure");
    CHECK_INT(fk_store_put_item(store, &good.item, &good.content, &result, &err), -1);
    CHECK(strstr(err.message, "rolled back") != NULL);
    CHECK_INT(fk_store_put_unchanged(store, &good.item, &err), -1);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), -1);
    CHECK_INT(counts(store).articles, 0);

    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &good), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 1);
    fk_store_close(store);
}

/* Two handles on one archive: a reader sees a feed only once it is
 * committed, and is not blocked meanwhile. */
static void test_two_handles(void)
{
    struct fk_store *writer = open_fresh("shared.db");
    if (!writer)
        return;
    struct fk_error err = {0};
    struct fk_store *reader = fk_store_open(tmp_path("shared.db"), &err);
    CHECK(reader != NULL);
    if (!reader) {
        fk_store_close(writer);
        return;
    }
    struct test_item t;
    test_item_init(&t, "https://e/1", "One", "x", june(1));
    CHECK_INT(begin(writer, "https://e/feed"), 0);
    CHECK_INT(put(writer, &t), FK_PUT_NEW);
    CHECK_STR(list_ids(reader, NULL), "");
    CHECK_INT(end(writer), 0);
    CHECK_STR(list_ids(reader, NULL), "1");
    fk_store_close(reader);
    fk_store_close(writer);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/feedkeep-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }

    RUN(test_identity);
    RUN(test_new_unchanged_updated);
    RUN(test_tags_normalised);
    RUN(test_rollback_and_misuse);
    RUN(test_feed_metadata);
    RUN(test_put_unchanged);
    RUN(test_list);
    RUN(test_list_code);
    RUN(test_list_code_common_language);
    RUN(test_get_article);
    RUN(test_reopen);
    RUN(test_refuse_foreign);
    RUN(test_fts);
    RUN(test_fts_batches);
    RUN(test_failed_write);
    RUN(test_two_handles);

    static const char *const archives[] = {
        "put.db",    "tags.db",     "rollback.db", "feedmeta.db", "shortcut.db",
        "list.db",   "code.db",     "get.db",      "reopen.db",   "newer.db",
        "notes.db",  "other.db",    "otherid.db",  "empty.db",    "fts.db",
        "shared.db", "ftsbatch.db", "fail.db",     "code2.db",
    };
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        remove_archive(archives[i]);
    if (rmdir(tmp_dir) != 0)
        perror(tmp_dir);
    return DONE();
}
