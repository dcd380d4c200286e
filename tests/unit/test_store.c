/* test_store.c - the archive: filing, identity, queries, refusing foreign files.
 *
 * Every test works on archives in one temporary directory. The tests open
 * the files with SQLite directly too, to look at what the store API does not
 * show (feed membership, the full-text index, the file header); that is why
 * this test, unlike the library's other users, includes sqlite3.h.
 */
#include "feedkeep/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "feedkeep/search.h"
#include "archive_files.h"
#include "harness.h"

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

/* File item with content as archive.c does (fk_store_find_item, then
 * fk_store_put_item) and set *result; the functions' return value. */
static int file_item(struct fk_store *store, const struct fk_item *item,
                     const struct fk_content *content, enum fk_put_result *result,
                     struct fk_error *err)
{
    struct fk_store_pending *pending = NULL;
    int seen = fk_store_find_item(store, item, &pending, err);
    if (seen != 0) {
        *result = FK_PUT_UNCHANGED;
        return seen < 0 ? -1 : 0;
    }
    return fk_store_put_item(store, pending, content, result, err);
}

/* The item of t as filed. In the pipeline the content is converted from
 * the item's HTML: an item without HTML is filed with its text as HTML, so
 * that a changed text is a changed source. */
static struct fk_item source_of(const struct test_item *t)
{
    struct fk_item item = t->item;
    if (!item.content_html && !item.summary_html)
        item.content_html = (char *)t->content.text;
    return item;
}

/* File t and return the result, or -1 on error. */
static int put(struct fk_store *store, const struct test_item *t)
{
    struct fk_error err = {0};
    enum fk_put_result result = FK_PUT_UNCHANGED;
    struct fk_item item = source_of(t);
    if (file_item(store, &item, &t->content, &result, &err) != 0) {
        fprintf(stderr, "put_item: %s\n", err.message);
        return -1;
    }
    return (int)result;
}

/* fk_store_find_item of t: 1 when seen again, 0 when it must be put. */
static int find(struct fk_store *store, const struct test_item *t, struct fk_error *err)
{
    struct fk_store_pending *pending = NULL;
    struct fk_item item = source_of(t);
    return fk_store_find_item(store, &item, &pending, err);
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
    CHECK_INT(end(store), 0);
    changed.item.ntags = 1;
    CHECK_INT(begin(store, "https://dev.to/feed/u"), 0);
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
    CHECK_INT(file_item(store, &t.item, &t.content, &result, &err), -1);
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
    CHECK_INT(file_item(store, &t.item, NULL, &result, &err), 0);
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
    CHECK_INT(find(store, &t, &err), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    CHECK_INT(begin(store, "https://e/other"), 0);
    CHECK_INT(find(store, &t, &err), 1);
    t.tags[0] = " go ";
    /* The document carried it already. */
    t.item.content_html = "<p>body!</p>";
    CHECK_INT(find(store, &t, &err), 1);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, "https://e/other"), 0);
    CHECK_INT(find(store, &t, &err), 0);
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

    /* Set, to the latest version (migrations: test_subscriptions.c). */
    CHECK(sql_int("reopen.db", "PRAGMA user_version") >= 1);
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
    /* Carried twice by one document: the first copy is filed. */
    CHECK_INT(put(store, &a), FK_PUT_UNCHANGED);
    CHECK_INT(put(store, &b), FK_PUT_NEW);
    /* Not searchable before the commit... */
    CHECK_INT(fts_count("ftsbatch.db", "bravo"), 0);
    CHECK_INT(end(store), 0);
    /* ...and exactly the final content after it. */
    CHECK_INT(fts_count("ftsbatch.db", "alpha"), 1);
    CHECK_INT(fts_count("ftsbatch.db", "apple"), 0);
    CHECK_INT(fts_count("ftsbatch.db", "bravo"), 1);
    CHECK_INT(fts_check("ftsbatch.db"), 0);

    /* An older article changed, twice in one document. */
    CHECK_INT(begin(store, "https://e/feed"), 0);
    a.content.text = "apricot";
    CHECK_INT(put(store, &a), FK_PUT_UPDATED);
    a.content.text = "avocado";
    CHECK_INT(put(store, &a), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    CHECK_INT(fts_count("ftsbatch.db", "alpha OR avocado"), 0);
    CHECK_INT(fts_count("ftsbatch.db", "apricot"), 1);
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
    CHECK_INT(fts_count("ftsbatch.db", "apricot"), 1);
    CHECK_INT(fts_check("ftsbatch.db"), 0);
    CHECK_INT(counts(store).versions, 1);
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
    CHECK_INT(file_item(store, &bad.item, &bad.content, &result, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_DB);
    CHECK_STR(err.message, "database error: injected failure");
    CHECK_INT(file_item(store, &good.item, &good.content, &result, &err), -1);
    CHECK(strstr(err.message, "rolled back") != NULL);
    CHECK_INT(find(store, &good, &err), -1);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), -1);
    CHECK_INT(counts(store).articles, 0);

    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &good), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 1);
    fk_store_close(store);
}

/* The files SQLite opens for statement journals, counted by a VFS that
 * passes everything else on to the default one. */
static sqlite3_vfs *journal_count_base;
static int journal_count_opens;

static int journal_count_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                              int *out_flags)
{
    (void)vfs;
    if (flags & SQLITE_OPEN_SUBJOURNAL)
        journal_count_opens++;
    return journal_count_base->xOpen(journal_count_base, name, file, flags, out_flags);
}

/* Filing keeps its statement journals in memory. Each article is filed by
 * statements that journal the pages they change (triggers, constraints,
 * the full-text index, whose merges change many): a feed of 400 articles
 * of 2,000 words, then a feed changing all of them, open no journal file. */
static void test_statement_journal_in_memory(void)
{
    enum { ARTICLES = 400, WORDS = 2000, TEXT = WORDS * 12 };
    journal_count_base = sqlite3_vfs_find(NULL);
    CHECK(journal_count_base != NULL);
    if (!journal_count_base)
        return;
    sqlite3_vfs counting = *journal_count_base;
    counting.zName = "feedkeep-journal-count";
    counting.xOpen = journal_count_open;
    CHECK_INT(sqlite3_vfs_register(&counting, 1), SQLITE_OK);
    journal_count_opens = 0;

    struct fk_store *store = open_fresh("journal.db");
    char(*guids)[32] = calloc(ARTICLES, sizeof *guids);
    char(*texts)[TEXT] = calloc(ARTICLES, sizeof *texts);
    if (store && guids && texts) {
        struct test_item t;
        for (int round = 0; round < 2; round++) {
            CHECK_INT(begin(store, "https://e/feed"), 0);
            for (int i = 0; i < ARTICLES; i++) {
                snprintf(guids[i], sizeof guids[i], "https://e/%d", i);
                int n = snprintf(texts[i], sizeof texts[i], "round%d", round);
                for (int w = 0; w < WORDS; w++)
                    n += snprintf(texts[i] + n, sizeof texts[i] - (size_t)n, " w%d",
                                  (i * 7919 + w * 104729) % 99991);
                test_item_init(&t, guids[i], "An article", texts[i], june(1 + i % 28));
                add_tag(&t, i % 2 ? "c" : "sql");
                add_tag(&t, round ? "changed" : "first");
                CHECK_INT(put(store, &t), round ? FK_PUT_UPDATED : FK_PUT_NEW);
            }
            CHECK_INT(end(store), 0);
        }
        CHECK_INT(fts_count("journal.db", "round1"), ARTICLES);
        CHECK_INT(fts_check("journal.db"), 0);
    }
    fk_store_close(store);
    free(guids);
    free(texts);
    CHECK_INT(journal_count_opens, 0);
    CHECK_INT(sqlite3_vfs_unregister(&counting), SQLITE_OK);
}

/* Two handles on one archive: a reader sees a feed only once it is
 * committed, and is not blocked meanwhile. */
/* Enclosures are filed with their article, in order, and rewritten when
 * they change even if the text does not. */
static void test_enclosures(void)
{
    struct fk_store *store = open_fresh("enclosures.db");
    if (!store)
        return;
    struct fk_enclosure files[] = {
        {"https://cdn.e/ep1.mp3", "audio/mpeg", 48213504, "file"},
        {"https://cdn.e/ep1.jpg", NULL, -1, "thumbnail"},
    };
    struct test_item t;
    test_item_init(&t, "https://e/ep1", "Episode 1", "show notes", june(1));
    t.item.enclosures = files;
    t.item.nenclosures = 2;
    CHECK_INT(begin(store, "https://e/podcast"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures"), 2);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures WHERE position = 0"
                                       " AND url = 'https://cdn.e/ep1.mp3' AND type = 'audio/mpeg'"
                                       " AND length = 48213504 AND kind = 'file'"),
              1);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures WHERE position = 1"
                                       " AND type IS NULL AND length IS NULL"
                                       " AND kind = 'thumbnail'"),
              1);

    /* the same again: nothing written */
    CHECK_INT(begin(store, "https://e/podcast"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures"), 2);

    /* the audio moved to another host, the text is the same: the article is
     * unchanged, its enclosures are not */
    files[0].url = "https://cdn2.e/ep1.mp3";
    t.item.nenclosures = 1;
    CHECK_INT(begin(store, "https://e/podcast"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures"), 1);
    CHECK_INT(sql_int("enclosures.db",
                      "SELECT count(*) FROM enclosures WHERE url = 'https://cdn2.e/ep1.mp3'"),
              1);
    CHECK_INT(counts(store).versions, 0);

    /* a changed article is written again with its enclosures */
    t.content.text = "new show notes";
    t.item.nenclosures = 2;
    CHECK_INT(begin(store, "https://e/podcast"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures"), 2);

    /* deleting the article deletes them */
    fk_store_close(store);
    CHECK_INT(sql_exec("enclosures.db", "PRAGMA foreign_keys = ON; DELETE FROM articles;"), 0);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures"), 0);

    /* an archive from before enclosures gets the table (what the later
     * steps add goes too, schemas 13, 12, 11, 10, 9, 8, 7, 6 and 5 undone, so that they
     * can run again) */
    CHECK_INT(
        sql_exec(
            "enclosures.db",
            "DROP TABLE tag_counts; DROP TABLE author_counts; DROP TABLE language_counts;"
            " DROP TABLE feed_counts; DROP TABLE archive_counts;"
            " DROP TRIGGER tag_counts_insert; DROP TRIGGER tag_counts_delete;"
            " DROP TRIGGER tag_counts_update; DROP TRIGGER author_counts_insert;"
            " DROP TRIGGER author_counts_delete; DROP TRIGGER author_counts_update;"
            " DROP TRIGGER language_counts_insert; DROP TRIGGER language_counts_delete;"
            " DROP TRIGGER language_counts_update; DROP TRIGGER feed_counts_insert;"
            " DROP TRIGGER feed_counts_delete; DROP TRIGGER feed_counts_update;"
            " DROP TRIGGER version_counts_insert; DROP TRIGGER version_counts_delete;"
            " DROP TABLE article_pages; ALTER TABLE feeds DROP COLUMN full_text;"
            " DROP TABLE article_assets; DROP TABLE asset_urls; DROP TABLE assets;"
            " DROP TABLE raw_documents; ALTER TABLE feeds DROP COLUMN assets;"
            " ALTER TABLE feeds DROP COLUMN keep_raw;"
            " ALTER TABLE feeds DROP COLUMN private_origin;"
            " ALTER TABLE articles DROP COLUMN base_url;"
            " DROP VIEW articles_view; DROP VIEW code_view; DROP TABLE feed_tags;"
            " DROP TABLE fetch_runs; DROP TABLE authors_fts; DROP TABLE authors;"
            " DROP INDEX article_versions_replaced;"
            " ALTER TABLE articles DROP COLUMN author_email;"
            " DROP TABLE article_api; DROP TABLE article_aliases; DROP INDEX articles_link_key;"
            " ALTER TABLE articles DROP COLUMN link_key;"
            " DROP INDEX articles_date; DROP INDEX articles_author;"
            " ALTER TABLE articles DROP COLUMN date;"
            " CREATE INDEX articles_published ON articles(published);"
            " CREATE INDEX articles_author ON articles(author COLLATE NOCASE, published);"
            " ALTER TABLE article_tags RENAME COLUMN date TO published;"
            " DROP TABLE enclosures; DROP TABLE export_files; DROP TABLE export_dirs;"
            " PRAGMA user_version = 3;"),
        0);
    struct fk_error err = {0};
    store = fk_store_open(tmp_path("enclosures.db"), &err);
    CHECK(store != NULL);
    fk_store_close(store);
    CHECK(sql_int("enclosures.db", "PRAGMA user_version") >= 4);
    CHECK_INT(sql_int("enclosures.db", "SELECT count(*) FROM enclosures"), 0);
}

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

/* ---- the short-body guard and versions ------------------------------------ */

/* Collects fk_store_list_versions into "1:replaced:Title:len ...". */
static int collect_version(const struct fk_version *v, void *ctx)
{
    static const char *const kinds[] = {"replaced", "rejected", "current"};
    char *out = ctx;
    size_t used = strlen(out);
    snprintf(out + used, 512 - used, "%s%d:%s:%s:%zu", used ? " " : "", v->number, kinds[v->kind],
             v->title ? v->title : "", v->text_length);
    CHECK(v->text == NULL);
    return 0;
}

static const char *versions_of(struct fk_store *store, int64_t id)
{
    static char out[512];
    struct fk_error err = {0};
    out[0] = '\0';
    int rc = fk_store_list_versions(store, id, collect_version, out, &err);
    if (rc != 0)
        snprintf(out, sizeof out, "rc %d: %.400s", rc, err.message);
    return out;
}

static void test_short_body_guard(void)
{
    struct fk_store *store = open_fresh("guard.db");
    if (!store)
        return;
    struct test_item t;
    /* 40 bytes of text. */
    test_item_init(&t, "https://e/1", "Full", "0123456789012345678901234567890123456789", june(1));
    t.item.content_html = "<p>full</p>";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    /* Under half (19 < 20 bytes): kept out, as a rejected version. */
    struct test_item shorter = t;
    shorter.item.title = "Truncated";
    shorter.item.content_html = "<p>short</p>";
    shorter.content.text = "0123456789012345678";
    shorter.content.markdown = "short *markdown*";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &shorter), FK_PUT_KEPT_SHORTER);
    /* The same again in the same or a later feed: seen, not kept twice. */
    CHECK_INT(put(store, &shorter), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, "https://e/other"), 0);
    CHECK_INT(put(store, &shorter), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    CHECK_STR(versions_of(store, 1), "1:rejected:Truncated:19 2:current:Full:40");
    struct fk_article a;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_article(store, 1, &a, &err), 0);
    CHECK_STR(a.title, "Full");
    CHECK_STR(a.text, "0123456789012345678901234567890123456789");
    CHECK_INT(a.versions, 1);
    CHECK_INT(a.nfeeds, 2); /* it was seen in the other feed */
    fk_article_release(&a);
    /* The archived text is still what search finds. */
    CHECK_INT(fts_count("guard.db", "title:full"), 1);
    CHECK_INT(fts_count("guard.db", "title:truncated"), 0);

    /* An empty text is kept out too; exactly half is not. */
    struct test_item empty = t;
    empty.content.text = "";
    empty.item.content_html = "<p></p>";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &empty), FK_PUT_KEPT_SHORTER);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, "https://e/feed"), 0);
    empty.item.content_html = "<p> </p>";
    CHECK_INT(file_item(store, &empty.item, NULL, (enum fk_put_result[]){0}, &err), 0);
    CHECK_INT(end(store), 0);
    struct test_item half = t;
    half.content.text = "01234567890123456789";
    half.item.content_html = "<p>half</p>";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &half), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    CHECK_STR(versions_of(store, 1), "1:rejected:Truncated:19 2:rejected:Full:0 3:replaced:Full:40 "
                                     "4:current:Full:20");

    /* A rejected version keeps what the feed sent. */
    struct fk_version v;
    CHECK_INT(fk_store_get_version(store, 1, 1, &v, &err), 0);
    CHECK_INT(v.kind, FK_VERSION_REJECTED);
    CHECK_STR(v.text, "0123456789012345678");
    CHECK_STR(v.markdown, "short *markdown*");
    CHECK_STR(v.html, "<p>short</p>");
    CHECK(v.first_seen != FK_TIME_NONE && v.replaced_at == FK_TIME_NONE);
    fk_version_release(&v);
    CHECK(v.priv == NULL && v.text == NULL);
    fk_version_release(&v);

    /* An article with no text yet takes any text. */
    struct test_item bare;
    test_item_init(&bare, "https://e/2", "Bare", "", june(2));
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &bare), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    bare.content.text = "x";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &bare), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("guard.db", "SELECT count(*) FROM article_versions WHERE kind = 'rejected'"),
              2);
    CHECK_INT(fts_check("guard.db"), 0);
    fk_store_close(store);
}

static void test_versions(void)
{
    struct fk_store *store = open_fresh("versions.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct test_item t;
    test_item_init(&t, "https://e/1", "One", "first text", june(1));
    t.content.markdown = "first *markdown*";
    t.item.summary_html = "<p>first</p>";
    add_tag(&t, "b");
    add_tag(&t, "a");
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_STR(versions_of(store, 1), "1:current:One:10");

    t.item.title = "One, again";
    t.content.text = "second text";
    t.content.markdown = "second";
    t.item.summary_html = "<p>2nd</p>";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    t.content.text = "third text!";
    t.item.summary_html = "<p>second</p>";
    CHECK_INT(begin(store, "https://e/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    CHECK_STR(versions_of(store, 1), "1:replaced:One:10 2:replaced:One, again:11 "
                                     "3:current:One, again:11");

    struct fk_version v;
    CHECK_INT(fk_store_get_version(store, 1, 1, &v, &err), 0);
    CHECK_INT(v.number, 1);
    CHECK_INT(v.kind, FK_VERSION_REPLACED);
    CHECK_STR(v.text, "first text");
    CHECK_STR(v.markdown, "first *markdown*");
    CHECK_STR(v.html, "<p>first</p>"); /* the summary, as there was no content */
    CHECK_STR(v.tags_text, "a b");
    CHECK(v.replaced_at != FK_TIME_NONE && v.first_seen <= v.replaced_at);
    int64_t replaced = v.replaced_at;
    fk_version_release(&v);
    CHECK_INT(fk_store_get_version(store, 1, 2, &v, &err), 0);
    CHECK_INT(v.first_seen, replaced); /* each version starts when the last ended */
    fk_version_release(&v);
    CHECK_INT(fk_store_get_version(store, 1, 3, &v, &err), 0);
    CHECK_INT(v.kind, FK_VERSION_CURRENT);
    CHECK_STR(v.text, "third text!");
    CHECK_INT(v.replaced_at, FK_TIME_NONE);
    fk_version_release(&v);
    CHECK_INT(fk_store_get_version(store, 1, 4, &v, &err), 1);
    CHECK(v.priv == NULL);
    CHECK_INT(fk_store_get_version(store, 1, 0, &v, &err), 1);
    CHECK_INT(fk_store_get_version(store, 99, 1, &v, &err), 1);
    CHECK_STR(versions_of(store, 99), "rc 1: ");

    /* Everything fk_store_get_article knows. */
    struct fk_article a;
    CHECK_INT(fk_store_get_article(store, 1, &a, &err), 0);
    CHECK_INT(a.versions, 2);
    CHECK_STR(a.summary_html, "<p>second</p>");
    CHECK_STR(a.content_html, NULL);
    CHECK(a.first_seen != FK_TIME_NONE && a.first_seen <= a.last_seen);
    CHECK_INT(a.nfeeds, 1);
    if (a.nfeeds)
        CHECK_STR(a.feeds[0], "https://e/feed");
    fk_article_release(&a);
    fk_store_close(store);
}

/* ---- filters ----------------------------------------------------------------- */

/* Articles 1-6:
 *   id  published  updated  author   tags            code        feed
 *   1   June 1     June 9   Ada      go, web         python      A
 *   2   June 2     -        ada      rust            -           A
 *   3   June 3     June 4   Grace    go              sql, python B
 *   4   -          -        -        web             -           B
 *   5   June 5     -        Grace    rust, go        -           A, B
 *   6   June 6     June 7   Linus    -               c           B
 */
static struct fk_store *filter_archive(const char *name)
{
    struct fk_store *store = open_fresh(name);
    if (!store)
        return NULL;
    static const struct {
        char *author;
        int published, updated;
        char *tags[2];
        char *code[2];
        const char *feed;
    } rows[] = {
        {"Ada", 1, 9, {"go", "web"}, {"python", NULL}, "https://a/feed"},
        {"ada", 2, 0, {"rust", NULL}, {NULL, NULL}, "https://a/feed"},
        {"Grace", 3, 4, {"go", NULL}, {"sql", "python"}, "https://b/feed"},
        {NULL, 0, 0, {"web", NULL}, {NULL, NULL}, "https://b/feed"},
        {"Grace", 5, 0, {"rust", "go"}, {NULL, NULL}, "https://a/feed"},
        {"Linus", 6, 7, {NULL, NULL}, {"c", NULL}, "https://b/feed"},
    };
    static char guids[6][16];
    for (size_t i = 0; i < 6; i++) {
        struct test_item t;
        snprintf(guids[i], sizeof guids[i], "https://e/%zu", i + 1);
        test_item_init(&t, guids[i], "Title", "text",
                       rows[i].published ? june(rows[i].published) : FK_TIME_NONE);
        t.item.author = rows[i].author;
        t.item.updated = rows[i].updated ? june(rows[i].updated) : FK_TIME_NONE;
        for (size_t j = 0; j < 2; j++) {
            if (rows[i].tags[j])
                add_tag(&t, rows[i].tags[j]);
            if (rows[i].code[j])
                add_code(&t, rows[i].code[j], "x\n", 1);
        }
        CHECK_INT(begin(store, rows[i].feed), 0);
        CHECK_INT(put(store, &t), FK_PUT_NEW);
        CHECK_INT(end(store), 0);
    }
    /* Article 5 is in feed B too. */
    struct test_item again;
    test_item_init(&again, "https://e/5", "Title", "text", june(5));
    again.item.author = "Grace";
    add_tag(&again, "rust");
    add_tag(&again, "go");
    CHECK_INT(begin(store, "https://b/feed"), 0);
    CHECK_INT(put(store, &again), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    return store;
}

static void test_filters(void)
{
    struct fk_store *store = filter_archive("filters.db");
    if (!store)
        return;
    struct fk_filter f;
    fk_filter_init(&f);
    CHECK(f.any_tags == NULL && f.feed_id == 0 && f.author == NULL && !f.has_code);
    CHECK(f.sort == FK_SORT_PUBLISHED && !f.reverse && f.offset == 0);
    CHECK_STR(list_ids(store, &f), "6 5 3 2 1 4");

    /* --any-tag: either; with --tag: all of those and one of these. */
    const char *rust_web[] = {"RUST", "web"};
    f.any_tags = rust_web;
    f.nany_tags = 2;
    CHECK_STR(list_ids(store, &f), "5 2 1 4");
    const char *go[] = {"go"};
    f.tags = go;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "5 1");
    const char *blank[] = {"  "};
    f.any_tags = blank;
    f.nany_tags = 1;
    CHECK_STR(list_ids(store, &f), "5 3 1"); /* empty tags are no filter */

    /* --feed */
    fk_filter_init(&f);
    f.feed_id = sql_int("filters.db", "SELECT id FROM feeds WHERE url = 'https://b/feed'");
    CHECK_STR(list_ids(store, &f), "6 5 3 4");
    f.tags = go;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "5 3");
    f.feed_id = 999;
    CHECK_STR(list_ids(store, &f), "");

    /* --author: the whole name, ASCII case ignored. */
    fk_filter_init(&f);
    f.author = "ADA";
    CHECK_STR(list_ids(store, &f), "2 1");
    f.author = "Ad";
    CHECK_STR(list_ids(store, &f), "");
    f.author = "";
    CHECK_STR(list_ids(store, &f), "6 5 3 2 1 4");
    f.author = "grace";
    f.tags = go;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "5 3");

    /* --has-code [LANG] */
    fk_filter_init(&f);
    f.has_code = true;
    CHECK_STR(list_ids(store, &f), "6 3 1");
    f.has_code_language = "PYTHON";
    CHECK_STR(list_ids(store, &f), "3 1");
    f.has_code_language = "sql";
    CHECK_STR(list_ids(store, &f), "3");

    /* --sort and --reverse: without the date last, reversed first. */
    fk_filter_init(&f);
    f.reverse = true;
    CHECK_STR(list_ids(store, &f), "4 1 2 3 5 6");
    f.sort = FK_SORT_UPDATED; /* updated, else published */
    f.reverse = false;
    CHECK_STR(list_ids(store, &f), "1 6 5 3 2 4");
    f.tags = go;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "1 5 3");
    fk_filter_init(&f);
    f.sort = FK_SORT_FIRST_SEEN; /* all seen in the same second: newest filed first */
    CHECK_STR(list_ids(store, &f), "6 5 4 3 2 1");
    f.reverse = true;
    CHECK_STR(list_ids(store, &f), "1 2 3 4 5 6");
    f.sort = (enum fk_sort)42;
    struct listing l = {0};
    struct fk_error err = {0};
    CHECK_INT(fk_store_list(store, &f, collect, &l, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);

    /* --limit and --offset */
    fk_filter_init(&f);
    f.limit = 2;
    f.offset = 1;
    CHECK_STR(list_ids(store, &f), "5 3");
    f.limit = 0;
    f.offset = 4;
    CHECK_STR(list_ids(store, &f), "1 4");
    f.tags = go;
    f.ntags = 1;
    f.offset = 1;
    f.limit = 1;
    CHECK_STR(list_ids(store, &f), "3");
    f.offset = 10;
    CHECK_STR(list_ids(store, &f), "");

    /* Code blocks take the same filters; offset and limit count blocks. */
    struct code_listing cl = {0};
    fk_filter_init(&f);
    f.author = "grace";
    f.offset = 1;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &cl, &err), 0);
    CHECK_INT(cl.count, 1);
    CHECK_STR(cl.rows[0], "3/1/python/1/Title");
    memset(&cl, 0, sizeof cl);
    fk_filter_init(&f);
    f.reverse = true;
    f.limit = 2;
    CHECK_INT(fk_store_list_code(store, &f, collect_code, &cl, &err), 0);
    CHECK_INT(cl.count, 2);
    CHECK_STR(cl.rows[0], "1/0/python/1/Title");
    CHECK_STR(cl.rows[1], "3/0/sql/1/Title");
    fk_store_close(store);
}

/* An article's date is its published date, else its updated one: what
 * lists sort by and since and until bound, with tags too. */
static void test_date_fallback(void)
{
    struct fk_store *store = open_fresh("dates.db");
    if (!store)
        return;
    static const struct {
        int published, updated;
        char *tag;
    } rows[] = {
        {1, 0, "x"},  /* 1 */
        {0, 3, "x"},  /* 2: updated only, as Atom allows */
        {2, 9, NULL}, /* 3 */
        {0, 0, "x"},  /* 4: no date */
    };
    static char guids[4][16];
    CHECK_INT(begin(store, "https://d/feed"), 0);
    for (size_t i = 0; i < 4; i++) {
        struct test_item t;
        snprintf(guids[i], sizeof guids[i], "https://d/%zu", i + 1);
        test_item_init(&t, guids[i], "Title", "text",
                       rows[i].published ? june(rows[i].published) : FK_TIME_NONE);
        t.item.updated = rows[i].updated ? june(rows[i].updated) : FK_TIME_NONE;
        if (rows[i].tag)
            add_tag(&t, rows[i].tag);
        CHECK_INT(put(store, &t), FK_PUT_NEW);
    }
    CHECK_INT(end(store), 0);

    struct fk_filter f;
    fk_filter_init(&f);
    CHECK_STR(list_ids(store, &f), "2 3 1 4");
    f.reverse = true;
    CHECK_STR(list_ids(store, &f), "4 1 3 2");
    fk_filter_init(&f);
    f.since = june(2) - 12 * 3600;
    CHECK_STR(list_ids(store, &f), "2 3");
    fk_filter_init(&f);
    f.until = june(2) - 12 * 3600;
    CHECK_STR(list_ids(store, &f), "1");
    fk_filter_init(&f);
    const char *x[] = {"x"};
    f.tags = x;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "2 1 4");
    f.since = june(2);
    CHECK_STR(list_ids(store, &f), "2");
    fk_filter_init(&f);
    f.sort = FK_SORT_UPDATED;
    CHECK_STR(list_ids(store, &f), "3 2 1 4");

    struct fk_article a;
    struct fk_error err = {0};
    CHECK_INT(fk_store_get_article(store, 2, &a, &err), 0);
    CHECK_INT(a.date, june(3));
    CHECK_INT(a.published, FK_TIME_NONE);
    CHECK_INT(a.updated, june(3));
    fk_article_release(&a);
    CHECK_INT(fk_store_get_article(store, 3, &a, &err), 0);
    CHECK_INT(a.date, june(2));
    fk_article_release(&a);
    CHECK_INT(fk_store_get_article(store, 4, &a, &err), 0);
    CHECK_INT(a.date, FK_TIME_NONE);
    fk_article_release(&a);

    /* a changed article's tags get its new date */
    struct test_item t;
    test_item_init(&t, "https://d/4", "Title", "new text", FK_TIME_NONE);
    t.item.updated = june(8);
    add_tag(&t, "x");
    CHECK_INT(begin(store, "https://d/feed"), 0);
    CHECK_INT(put(store, &t), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    fk_filter_init(&f);
    f.tags = x;
    f.ntags = 1;
    CHECK_STR(list_ids(store, &f), "4 2 1");
    fk_store_close(store);
}

/* The common queries read indexes, not whole tables. */
static void test_query_plans(void)
{
    struct fk_store *store = filter_archive("plans.db");
    if (!store)
        return;
    fk_store_close(store);
    static const char *const queries[] = {
        "SELECT a.id FROM articles a WHERE a.date >= 1 ORDER BY a.date DESC, a.id DESC LIMIT 20",
        "SELECT t0.article_id FROM article_tags t0 WHERE t0.tag_id = 1 AND t0.date >= 1"
        " ORDER BY t0.date DESC, t0.article_id DESC LIMIT 20",
        "SELECT a.id FROM articles a WHERE a.author = 'x' COLLATE NOCASE"
        " ORDER BY a.date DESC, a.id DESC LIMIT 20",
        "SELECT a.id FROM articles a ORDER BY coalesce(a.updated, a.published) DESC, a.id DESC"
        " LIMIT 20",
        "SELECT a.id FROM articles a ORDER BY a.first_seen DESC, a.id DESC LIMIT 20",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        /* A full scan shows as "SCAN a" without an index, a sort as a
         * temporary b-tree. */
        char sql[600];
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        CHECK(sqlite3_open_v2(tmp_path("plans.db"), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", queries[i]);
        CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
        bool indexed = false, sorted = false, scanned = false;
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(st, 3);
            if (strstr(detail, "USING") && strstr(detail, "INDEX"))
                indexed = true;
            if (strstr(detail, "TEMP B-TREE"))
                sorted = true;
            if (strncmp(detail, "SCAN", 4) == 0 && !strstr(detail, "INDEX"))
                scanned = true;
        }
        if (!indexed || sorted || scanned)
            fprintf(stderr, "query plan of: %s\n", queries[i]);
        CHECK(indexed && !sorted && !scanned);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
}

/* ---- search ------------------------------------------------------------------ */

struct hits {
    char ids[128];
    char snippets[4][128];
    double ranks[8];
    size_t count;
};

static int collect_hit(const struct fk_search_hit *hit, void *ctx)
{
    struct hits *h = ctx;
    size_t used = strlen(h->ids);
    snprintf(h->ids + used, sizeof h->ids - used, "%s%lld", used ? " " : "",
             (long long)hit->article.id);
    if (h->count < 4)
        snprintf(h->snippets[h->count], sizeof h->snippets[0], "%s", hit->snippet);
    if (h->count < 8)
        h->ranks[h->count] = hit->rank;
    h->count++;
    return 0;
}

/* What the last search_ids found. */
static struct hits last_hits;

/* The ids a user's query finds, best first, or the error message. */
static const char *search_ids(struct fk_store *store, const char *query, const struct fk_filter *f,
                              long window)
{
    static char message[600];
    struct fk_error err = {0};
    struct fk_search_options options = {"[", "]", 6, window};
    memset(&last_hits, 0, sizeof last_hits);
    struct fk_search_query parsed;
    if (fk_search_parse(query, &parsed, &err) < 0) {
        snprintf(message, sizeof message, "%s", err.message);
        return message;
    }
    int rc = fk_store_search(store, &parsed, f, &options, collect_hit, &last_hits, &err);
    fk_search_query_release(&parsed);
    if (rc != 0) {
        snprintf(message, sizeof message, "%d %d %s", rc, err.kind, err.message);
        return message;
    }
    return last_hits.ids;
}

static void test_search(void)
{
    struct fk_store *store = open_fresh("search.db");
    if (!store)
        return;
    static const struct {
        char *title, *text, *tag;
        int day;
    } docs[] = {
        /* 1 */ {"Query planners", "How a planner picks the index to read.", "database", 1},
        /* 2 */ {"Notes", "The query planner of SQLite and the one of Postgres.", "database", 2},
        /* 3 */ {"Planning a trip", "Pack light; plan for rain.", "travel", 3},
        /* 4 */ {"MySQL tuning", "The query planner in MySQL, and its planner hints.", "mysql", 4},
        /* 5 */ {"C++ and node.js", "std::vector meets node.js streams.", "code", 5},
        /* 6 */ {"Vacuum", "Words a book lists.", "books", 6},
        /* 7 */ {"Housework", "Vacuum, then vacuum again: the vacuum cleaner.", "home", 7},
    };
    static char guids[7][16];
    CHECK_INT(begin(store, "https://e/feed"), 0);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct test_item t;
        snprintf(guids[i], sizeof guids[i], "https://e/%zu", i + 1);
        test_item_init(&t, guids[i], docs[i].title, docs[i].text, june(docs[i].day));
        add_tag(&t, docs[i].tag);
        CHECK_INT(put(store, &t), FK_PUT_NEW);
    }
    CHECK_INT(end(store), 0);

    /* Two words: both, any order; the title weighs most. */
    CHECK_STR(search_ids(store, "planner query", NULL, 0), "1 4 2");
    CHECK_STR(search_ids(store, "planner", NULL, 0), "4 1 2");
    CHECK_STR(search_ids(store, "planners", NULL, 0), "1");
    CHECK_STR(search_ids(store, "\"query planner\"", NULL, 0), "4 2");
    CHECK_STR(search_ids(store, "\"planner query\"", NULL, 0), "");
    CHECK_STR(search_ids(store, "plan*", NULL, 0), "3 1 4 2");
    CHECK_STR(search_ids(store, "sqlite OR mysql", NULL, 0), "4 2");
    CHECK_STR(search_ids(store, "planner NOT mysql", NULL, 0), "1 2");
    CHECK_STR(search_ids(store, "planner -mysql", NULL, 0), "1 2");
    CHECK_STR(search_ids(store, "tags:database", NULL, 0), "1 2");
    CHECK_STR(search_ids(store, "title:planners OR title:trip", NULL, 0), "3 1");
    CHECK_STR(search_ids(store, "c++", NULL, 0), "5");
    CHECK_STR(search_ids(store, "node.js std::vector", NULL, 0), "5");
    CHECK_STR(search_ids(store, "'; DROP TABLE articles; --", NULL, 0), "");
    /* A match in the title ranks above three in a text (lower is better). */
    CHECK_STR(search_ids(store, "vacuum", NULL, 0), "6 7");
    CHECK(last_hits.ranks[0] < last_hits.ranks[1] && last_hits.ranks[1] < 0);
    /* Snippets are of the text, with the matches marked. */
    CHECK_STR(search_ids(store, "rain", NULL, 0), "3");
    CHECK_STR(last_hits.snippets[0], "Pack light; plan for [rain].");
    search_ids(store, "housework", NULL, 0);
    CHECK_STR(last_hits.snippets[0], "Vacuum, then vacuum again: the vacuum\xE2\x80\xA6");

    /* The filters of list apply. */
    struct fk_filter f;
    fk_filter_init(&f);
    f.since = june(2);
    f.until = june(4);
    CHECK_STR(search_ids(store, "planner", &f, 0), "2");
    fk_filter_init(&f);
    const char *mysql[] = {"MySQL"};
    f.tags = mysql;
    f.ntags = 1;
    CHECK_STR(search_ids(store, "planner", &f, 0), "4");
    fk_filter_init(&f);
    f.limit = 1;
    f.offset = 1;
    CHECK_STR(search_ids(store, "planner", &f, 0), "1");

    /* A rank window of 2: the best of the two most recently filed
     * matches (4 and 2 for "planner": 1 is older). */
    CHECK_STR(search_ids(store, "planner", NULL, 2), "4 2");
    CHECK_STR(search_ids(store, "planner", NULL, 1), "4");
    fk_filter_init(&f);
    f.tags = mysql;
    f.ntags = 1;
    CHECK_STR(search_ids(store, "planner", &f, 1), "4");
    CHECK_STR(search_ids(store, "travel OR mysql", NULL, 5), "4 3");

    /* FTS5 syntax that slipped through is the user's error, not the
     * database's, and says nothing of SQL. */
    struct fk_error err = {0};
    struct hits h;
    memset(&h, 0, sizeof h);
    CHECK_STR(search_ids(store, "\"unterminated", NULL, 0),
              "the quote at column 1 is never closed");
    /* A tree the parser never makes: an AND list of excluded members. */
    struct fk_search_node nodes[] = {
        {.kind = FK_SEARCH_AND, .column = FK_SEARCH_ANY, .first = 1, .next = -1},
        {.kind = FK_SEARCH_TERM,
         .column = FK_SEARCH_ANY,
         .excluded = true,
         .text = "x",
         .first = -1,
         .next = -1},
    };
    struct fk_search_query only_excluded = {nodes, 2, 0};
    CHECK_INT(fk_store_search(store, &only_excluded, NULL, NULL, collect_hit, &h, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK(strstr(err.message, "syntax error") != NULL);
    struct fk_search_query empty = {NULL, 0, -1};
    CHECK_INT(fk_store_search(store, &empty, NULL, NULL, collect_hit, &h, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_STR(err.message, "the query is empty");
    CHECK_INT(h.count, 0);
    fk_store_close(store);
}

/* ---- lookups, tags, statistics ---------------------------------------------- */

static int copy_code(const struct fk_code_row *row, void *ctx)
{
    snprintf(ctx, 64, "%lld:%s:%s", (long long)row->article_id, row->language, row->code);
    return 0;
}

static int collect_tag(const struct fk_name_count *tag, void *ctx)
{
    char *out = ctx;
    char date[FK_DATE_BUFSIZE];
    size_t used = strlen(out);
    fk_date_format(tag->newest, date);
    date[10] = '\0';
    snprintf(out + used, 256 - used, "%s%s=%lld@%s", used ? " " : "", tag->name,
             (long long)tag->articles, date[0] ? date : "-");
    return 0;
}

static void test_lookups(void)
{
    struct fk_store *store = filter_archive("lookups.db");
    if (!store)
        return;
    struct fk_error err = {0};
    int64_t id = 0;
    CHECK_INT(fk_store_find_article(store, "https://e/3", &id, &err), 0);
    CHECK_INT(id, 3);
    CHECK_INT(fk_store_find_article(store, "https://e/nope", &id, &err), 1);

    /* Code block 1 exactly, and no block 99. */
    char code[64] = "";
    CHECK_INT(fk_store_get_code(store, 1, copy_code, code, &err), 0);
    CHECK_STR(code, "1:python:x\n");
    CHECK_INT(fk_store_get_code(store, 99, copy_code, code, &err), 1);

    char tags[256] = "";
    CHECK_INT(fk_store_list_tags(store, 0, collect_tag, tags, &err), 0);
    CHECK_STR(tags, "go=3@2026-06-05 rust=2@2026-06-05 web=2@2026-06-01");
    tags[0] = '\0';
    CHECK_INT(fk_store_list_tags(store, 1, collect_tag, tags, &err), 0);
    CHECK_STR(tags, "go=3@2026-06-05");

    struct fk_store_stats stats;
    CHECK_INT(fk_store_stats(store, &stats, &err), 0);
    CHECK_INT(stats.counts.articles, 6);
    CHECK_INT(stats.counts.feeds, 2);
    CHECK_INT(stats.counts.tags, 3);
    CHECK_INT(stats.counts.code_blocks, 4);
    CHECK_INT(stats.subscribed, 0);
    CHECK_INT(stats.failing, 0);
    CHECK_INT(stats.oldest, june(1));
    CHECK_INT(stats.newest, june(6));
    CHECK_INT(stats.last_fetch, FK_TIME_NONE);
    CHECK(stats.size_bytes > 0 && stats.size_bytes % 512 == 0);
    CHECK(stats.wal_bytes >= 0);
    CHECK_INT(stats.nlanguages, 3);
    if (stats.nlanguages == 3) {
        CHECK_STR(stats.languages[0].language, "python");
        CHECK_INT(stats.languages[0].blocks, 2);
        CHECK_STR(stats.languages[1].language, "c");
        CHECK_STR(stats.languages[2].language, "sql");
    }
    fk_store_stats_release(&stats);
    CHECK(stats.languages == NULL && stats.priv == NULL);
    fk_store_close(store);
}

/* ---- maintenance ------------------------------------------------------------------ */

static void count_problem(const char *check, const char *problem, void *ctx)
{
    char *out = ctx;
    size_t used = strlen(out);
    snprintf(out + used, 512 - used, "%s%s", used ? "; " : "", check);
    CHECK(problem && *problem);
}

static void test_check_and_vacuum(void)
{
    struct fk_store *store = filter_archive("check.db");
    if (!store)
        return;
    struct fk_error err = {0};
    char problems[512] = "";
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
    CHECK_STR(problems, "");
    /* Text changed by hand, behind the index's back. */
    CHECK_INT(sql_exec("check.db", "UPDATE articles SET text = 'changed by hand' WHERE id = 2"), 0);
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 1);
    CHECK_STR(problems, "full-text index");
    /* vacuum rebuilds the index and compacts. */
    CHECK_INT(fk_store_vacuum(store, &err), 0);
    problems[0] = '\0';
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
    CHECK_INT(fts_count("check.db", "hand"), 1);
    CHECK_STR(list_ids(store, NULL), "6 5 3 2 1 4");
    /* Not in the middle of a feed. */
    CHECK_INT(begin(store, "https://a/feed"), 0);
    CHECK_INT(fk_store_vacuum(store, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(end(store), 0);
    fk_store_close(store);
}

/* check compares the full-text index with the articles by reading: on
 * any content it must agree with FTS5's own integrity-check, find what
 * that finds, and run beside a writer. */
static void test_check_index_by_reading(void)
{
    struct fk_store *store = open_fresh("checkfts.db");
    if (!store)
        return;
    struct fk_error err = {0};
    char problems[512] = "";
    struct test_item t;
    /* A token longer than FTS5 indexes (32 KiB), accents, other scripts,
     * no title, no text. */
    size_t long_len = 40000;
    char *long_text = malloc(long_len + 16);
    memset(long_text, 'x', long_len);
    strcpy(long_text + long_len, " and more");
    CHECK_INT(begin(store, "https://e/feed"), 0);
    test_item_init(&t, "https://e/1", "Écoles et Straße", long_text, june(1));
    add_tag(&t, "façade");
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    test_item_init(&t, "https://e/2", NULL, "日本語のテキスト 🙂 emoji, ναι", june(2));
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    test_item_init(&t, "https://e/3", "Only a title", "", june(3));
    CHECK_INT(put(store, &t), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    /* A changed article is indexed at once, not at the end of the feed. */
    CHECK_INT(begin(store, "https://e/feed"), 0);
    test_item_init(&t, "https://e/3", "Only a title", "now with some text, text, text", june(3));
    CHECK_INT(put(store, &t), FK_PUT_UPDATED);
    CHECK_INT(end(store), 0);
    free(long_text);
    CHECK_INT(fts_check("checkfts.db"), 0);
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
    CHECK_STR(problems, "");

    /* Beside a writer holding the write lock with changes not committed:
     * no wait, and the snapshot is sound. */
    sqlite3 *writer = NULL;
    CHECK(sqlite3_open(tmp_path("checkfts.db"), &writer) == SQLITE_OK);
    CHECK(sqlite3_exec(writer, "BEGIN IMMEDIATE; UPDATE articles SET text = 'half done'", NULL,
                       NULL, NULL) == SQLITE_OK);
    time_t start = time(NULL);
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
    CHECK(time(NULL) - start < 3);
    CHECK(sqlite3_exec(writer, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(writer);

    /* What each kind of disagreement looks like: both checks find it, and
     * vacuum repairs it. */
    static const char *const breakages[] = {
        /* the index lost an article */
        "INSERT INTO articles_fts(articles_fts, rowid, title, text, tags)"
        " SELECT 'delete', id, title, text, tags_text FROM articles WHERE id = 2",
        /* text changed behind the index */
        "UPDATE articles SET tags_text = 'other' WHERE id = 1",
        /* an article that was never indexed, with no words at all */
        "INSERT INTO articles(key, content_hash, source_hash, first_seen, last_seen)"
        " VALUES ('by hand', 0, 0, 0, 0)",
        /* an index entry for no article */
        "INSERT INTO articles_fts(rowid, title, text, tags) VALUES (999, 'ghost', '', '')",
        /* the sizes FTS5 keeps */
        "UPDATE articles_fts_docsize SET sz = x'010101' WHERE id = 3",
    };
    for (size_t i = 0; i < sizeof breakages / sizeof breakages[0]; i++) {
        CHECK_INT(sql_exec("checkfts.db", breakages[i]), 0);
        CHECK(fts_check("checkfts.db") != 0);
        problems[0] = '\0';
        CHECK_INT(fk_store_check(store, count_problem, problems, &err), 1);
        CHECK_STR(problems, "full-text index");
        CHECK_INT(sql_exec("checkfts.db", "DELETE FROM articles WHERE key = 'by hand';"
                                          " UPDATE articles SET tags_text = 'facade' WHERE id = 1"),
                  0);
        CHECK_INT(fk_store_vacuum(store, &err), 0);
        problems[0] = '\0';
        CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
        CHECK_INT(fts_check("checkfts.db"), 0);
    }
    fk_store_close(store);
}

/* ---- migrations ---------------------------------------------------------------- */

/* tests/data/archive-v1-versions.sql is an archive as feedkeep 0.1.0 (schema 1)
 * wrote it. Opening it migrates it, and everything in it stays. */
/* ---- guid changes ------------------------------------------------------------ */

static void test_link_key(void)
{
    static const struct {
        const char *url, *expected;
    } cases[] = {
        {"https://blog.example/posts/1", "//blog.example/posts/1"},
        {"http://blog.example/posts/1", "//blog.example/posts/1"},
        {" HTTPS://Blog.Example/Posts/1/ ", "//blog.example/Posts/1"},
        {"https://blog.example/posts/1/#comments", "//blog.example/posts/1"},
        {"http://blog.example:80/posts/1//", "//blog.example/posts/1"},
        {"http://blog.example:443/posts/1", "//blog.example:443/posts/1"},
        {"https://blog.example:443/posts/1", "//blog.example/posts/1"},
        {"https://blog.example:8443/posts/1", "//blog.example:8443/posts/1"},
        {"https://blog.example/posts/?p=1#x", "//blog.example/posts?p=1"},
        {"https://blog.example/?p=1", "//blog.example?p=1"},
        {"https://blog.example/", "//blog.example"},
        {"https://blog.example", "//blog.example"},
        {"https://", NULL},
        {"https:///path", NULL},
        {"ftp://blog.example/posts/1", NULL},
        {"//blog.example/posts/1", NULL},
        {"tag:blog.example,2020:1", NULL},
        {"/posts/1", NULL},
        {"", NULL},
        {NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *key = fk_store_link_key(cases[i].url);
        CHECK_STR(key, cases[i].expected);
        free(key);
    }
}

/* Articles are found by their URL through its link key (schema 17: no
 * index of the URLs), including URLs that have none; check finds a URL
 * changed by hand behind its link key, and its repair writes the key
 * again. */
static void test_find_by_url(void)
{
    struct fk_store *store = open_fresh("byurl.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct test_item a, b, c, d;
    test_item_init(&a, "g-a", "A", "Text of a.", june(1));
    a.item.url = "https://blog.example/posts/1/";
    test_item_init(&b, "g-b", "B", "Text of b.", june(2));
    b.item.url = "ftp://files.example/b";
    test_item_init(&c, "g-c", "C", "Text of c.", june(3));
    c.item.url = "HTTPS://Blog.Example/posts/1";
    test_item_init(&d, "https://blog.example/d", "D", "Text of d.", june(4));
    CHECK_INT(begin(store, "https://blog.example/feed"), 0);
    CHECK_INT(put(store, &a), FK_PUT_NEW);
    CHECK_INT(put(store, &b), FK_PUT_NEW);
    CHECK_INT(put(store, &c), FK_PUT_NEW);
    CHECK_INT(put(store, &d), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("byurl.db", "SELECT count(*) FROM sqlite_master WHERE name = 'articles_url'"),
              0);

    int64_t id = 0;
    CHECK_INT(fk_store_find_article(store, "https://blog.example/posts/1/", &id, &err), 0);
    CHECK_INT(id, 1);
    /* Two URLs of one link key stay two articles: the URL must match. */
    CHECK_INT(fk_store_find_article(store, "HTTPS://Blog.Example/posts/1", &id, &err), 0);
    CHECK_INT(id, 3);
    CHECK_INT(fk_store_find_article(store, "https://blog.example/posts/1", &id, &err), 1);
    /* A URL of no link key; an article with no URL, found by its guid. */
    CHECK_INT(fk_store_find_article(store, "ftp://files.example/b", &id, &err), 0);
    CHECK_INT(id, 2);
    CHECK_INT(fk_store_find_article(store, "https://blog.example/d", &id, &err), 0);
    CHECK_INT(id, 4);
    CHECK_INT(fk_store_find_article(store, "ftp://files.example/none", &id, &err), 1);

    /* A URL changed by hand: check names it, the repair writes the key. */
    char problems[512] = "";
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
    CHECK_INT(sql_exec("byurl.db", "UPDATE articles SET url = 'gopher://moved.example/a'"
                                   " WHERE id = 1;"
                                   " UPDATE articles SET url = 'https://moved.example/b'"
                                   " WHERE id = 2;"
                                   " UPDATE articles SET url = 'news://moved.example/d'"
                                   " WHERE id = 4"),
              0);
    CHECK_INT(fk_store_find_article(store, "https://moved.example/b", &id, &err), 1);
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 2);
    CHECK_STR(problems, "link keys; link keys");
    int64_t repaired = -1;
    CHECK_INT(fk_store_repair_link_keys(store, &repaired, &err), 0);
    CHECK_INT(repaired, 2);
    problems[0] = '\0';
    CHECK_INT(fk_store_check(store, count_problem, problems, &err), 0);
    CHECK_STR(problems, "");
    CHECK_INT(fk_store_find_article(store, "gopher://moved.example/a", &id, &err), 0);
    CHECK_INT(id, 1);
    CHECK_INT(fk_store_find_article(store, "https://moved.example/b", &id, &err), 0);
    CHECK_INT(id, 2);
    CHECK_INT(fk_store_find_article(store, "news://moved.example/d", &id, &err), 0);
    CHECK_INT(id, 4);
    CHECK_INT(
        sql_int("byurl.db", "SELECT count(*) FROM articles WHERE id = 1 AND link_key IS NULL"), 1);
    CHECK_INT(fk_store_repair_link_keys(store, &repaired, &err), 0);
    CHECK_INT(repaired, 0);
    /* Not in the middle of a feed. */
    CHECK_INT(begin(store, "https://blog.example/feed"), 0);
    CHECK_INT(fk_store_repair_link_keys(store, &repaired, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    CHECK_INT(end(store), 0);
    fk_store_close(store);
}

#define POST_TEXT                                                                                  \
    "SQLite keeps a whole database in one file and needs no server. It is the right choice for "   \
    "a program that keeps its own data, like an archive of feeds read from the shell."

/* 40 words. */
#define LONG_TEXT                                                                                  \
    "A checkpoint moves the pages of the write-ahead log back into the database file. It runs "    \
    "when the log grows past a thousand pages, and readers that still need older pages make it "   \
    "wait for them to finish their work"

/* An item of the blog of the guid-change tests. */
static void blog_item(struct test_item *t, char *guid, char *url, char *title, char *text, int day)
{
    test_item_init(t, guid, title, text, june(day));
    t->item.url = url;
}

static int64_t matches(struct fk_store *store, int64_t *first)
{
    return fk_store_feed_matches(store, first);
}

static void test_guid_change(void)
{
    struct fk_store *store = open_fresh("guids.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct test_item a, b, c;
    const char *feed = "https://blog.example/feed.xml";

    /* The blog, and another feed that carries nothing of it. */
    blog_item(&a, "tag:blog.example,2020:1", "https://blog.example/posts/1", "Why SQLite",
              POST_TEXT, 1);
    blog_item(&b, "tag:blog.example,2020:2", "https://blog.example/posts/2", "On WAL",
              "Readers go on while one writer writes.", 2);
    blog_item(&c, "other-1", "https://other.example/x", "Elsewhere", "Other text.", 3);
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(put(store, &a), FK_PUT_NEW);
    CHECK_INT(put(store, &b), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, "https://other.example/feed"), 0);
    CHECK_INT(put(store, &c), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    /* The same posts under permalink guids: the first with its text
     * edited, its link written another way and its title's case changed;
     * the second as it was. One article each, and their new keys are
     * aliases. */
    struct test_item a2 = a, b2 = b;
    a2.item.guid = "https://blog.example/posts/1/";
    a2.item.url = "https://Blog.example/posts/1/#top";
    a2.item.title = "Why  sqlite";
    a2.content.text = POST_TEXT " Edited.";
    b2.item.guid = "https://blog.example/posts/2/";
    CHECK_INT(begin(store, feed), 0);
    int64_t first = 0;
    CHECK_INT(matches(store, &first), 0);
    CHECK_INT(put(store, &a2), FK_PUT_UPDATED);
    CHECK_INT(put(store, &b2), FK_PUT_UNCHANGED);
    CHECK_INT(matches(store, &first), 2);
    CHECK_INT(first, 1);
    CHECK_INT(end(store), 0);
    CHECK_INT(matches(store, NULL), 0);
    CHECK_INT(counts(store).articles, 3);
    CHECK_INT(sql_int("guids.db", "SELECT count(*) FROM article_aliases"), 2);
    CHECK_INT(sql_int("guids.db", "SELECT article_id FROM article_aliases"
                                  " WHERE key = 'guid:https://blog.example/posts/1/'"),
              1);
    CHECK_INT(sql_int("guids.db", "SELECT count(*) FROM article_aliases WHERE rule = 'title'"), 2);
    CHECK_INT(sql_int("guids.db", "SELECT count(*) FROM articles"
                                  " WHERE key = 'guid:tag:blog.example,2020:1'"),
              1);
    CHECK_STR(versions_of(store, 1), "1:replaced:Why SQLite:170 2:current:Why  sqlite:178");
    CHECK_INT(fts_count("guids.db", "edited"), 1);

    /* Again: found by alias, nothing new to say; the shortcut finds them
     * too. */
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(find(store, &a2, &err), 1);
    CHECK_INT(put(store, &a2), FK_PUT_UNCHANGED);
    CHECK_INT(put(store, &b2), FK_PUT_UNCHANGED);
    CHECK_INT(matches(store, NULL), 0);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 3);
    CHECK_INT(counts(store).versions, 1);

    /* The old guid still finds the article; the same article under both
     * of its guids in one document is filed once, the first copy. */
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(put(store, &a), FK_PUT_UPDATED);
    CHECK_INT(put(store, &a2), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    CHECK_STR(versions_of(store, 1), "1:replaced:Why SQLite:170 2:replaced:Why  sqlite:178 "
                                     "3:current:Why SQLite:170");

    /* Never across feeds: another feed with the same link and title files
     * a new article. */
    struct test_item a3 = a;
    a3.item.guid = "https://mirror.example/1";
    CHECK_INT(begin(store, "https://mirror.example/feed"), 0);
    CHECK_INT(put(store, &a3), FK_PUT_NEW);
    CHECK_INT(matches(store, NULL), 0);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 4);

    /* The text rule: a new title and nearly the same text (the last of
     * 40 words changed) is the same article; a new title and another text
     * of the same length is not. */
    struct test_item p3, p3b, p4, p4b;
    blog_item(&p3, "tag:blog.example,2020:3", "https://blog.example/posts/3", "Write-ahead logging",
              LONG_TEXT " Today.", 3);
    blog_item(&p3b, "https://blog.example/posts/3/", "https://blog.example/posts/3",
              "WAL, explained", LONG_TEXT " Still.", 3);
    blog_item(&p4, "tag:blog.example,2020:4", "https://blog.example/posts/4", "Checkpoints",
              "Checkpoints copy the log into the database file.", 4);
    blog_item(&p4b, "https://blog.example/posts/4/", "https://blog.example/posts/4",
              "Checkpoints, again", "Something else entirely, of nearly the same length.", 4);
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(put(store, &p3), FK_PUT_NEW);
    CHECK_INT(put(store, &p4), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(put(store, &p3b), FK_PUT_UPDATED);
    CHECK_INT(put(store, &p4b), FK_PUT_NEW);
    CHECK_INT(matches(store, &first), 1);
    CHECK_INT(first, 5);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("guids.db", "SELECT article_id FROM article_aliases WHERE rule = 'text'"), 5);
    CHECK_INT(counts(store).articles, 7);

    /* What was archived before is all there. */
    CHECK_INT(sql_int("guids.db", "SELECT count(*) FROM article_feeds"), 7);
    CHECK_INT(fts_check("guids.db"), 0);
    fk_store_close(store);
}

/* A link many items share names no one article. */
static void test_guid_change_shared_links(void)
{
    struct fk_store *store = open_fresh("digest.db");
    if (!store)
        return;
    const char *feed = "https://d.example/feed.xml";
    struct test_item d1, d2, d3, d4;

    /* A daily digest: every item links to the same page. */
    blog_item(&d1, "digest-1", "https://d.example/daily", "Daily digest", "Monday's news.", 1);
    blog_item(&d2, "digest-2", "https://d.example/daily", "Daily digest", "Tuesday's news.", 2);
    blog_item(&d3, "digest-3", "https://d.example/daily", "Daily digest", "Wednesday's news.", 3);
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(put(store, &d1), FK_PUT_NEW);
    CHECK_INT(put(store, &d2), FK_PUT_NEW); /* d1 is in this document */
    CHECK_INT(put(store, &d3), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    blog_item(&d4, "digest-4", "https://d.example/daily", "Daily digest", "Thursday's news.", 4);
    CHECK_INT(begin(store, feed), 0);
    CHECK_INT(put(store, &d4), FK_PUT_NEW); /* three articles have the link */
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 4);

    /* A digest of one item a day: its title matches, but a day apart. */
    const char *one = "https://o.example/feed.xml";
    struct test_item o1, o2;
    blog_item(&o1, "one-1", "https://o.example/today", "Today", "The news of the first.", 1);
    blog_item(&o2, "one-2", "https://o.example/today", "Today", "The news of the second.", 2);
    CHECK_INT(begin(store, one), 0);
    CHECK_INT(put(store, &o1), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, one), 0);
    CHECK_INT(put(store, &o2), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    /* Items linking to the site's front page, or to the feed's site link. */
    struct fk_feed_info info = {0};
    info.site_url = "https://s.example/blog/";
    struct fk_error err = {0};
    struct test_item s1, s2, s3, s4;
    blog_item(&s1, "s-1", "https://s.example/", "Post", "Text.", 1);
    blog_item(&s2, "s-2", "https://s.example", "Post", "Text.", 1);
    blog_item(&s3, "s-3", "https://s.example/blog", "Note", "Text.", 1);
    blog_item(&s4, "s-4", "https://s.example/blog/", "Note", "Text.", 1);
    CHECK_INT(fk_store_begin_feed(store, "https://s.example/feed", &info, &err), 0);
    CHECK_INT(put(store, &s1), FK_PUT_NEW);
    CHECK_INT(put(store, &s3), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(fk_store_begin_feed(store, "https://s.example/feed", &info, &err), 0);
    CHECK_INT(put(store, &s2), FK_PUT_NEW);
    CHECK_INT(put(store, &s4), FK_PUT_NEW);
    CHECK_INT(matches(store, NULL), 0);
    CHECK_INT(end(store), 0);

    /* No link, or one the rule does not compare. */
    struct test_item n1, n2;
    blog_item(&n1, "n-1", NULL, "Untitled", "Same text.", 1);
    blog_item(&n2, "n-2", NULL, "Untitled", "Same text.", 1);
    CHECK_INT(begin(store, "https://n.example/feed"), 0);
    CHECK_INT(put(store, &n1), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    CHECK_INT(begin(store, "https://n.example/feed"), 0);
    CHECK_INT(put(store, &n2), FK_PUT_NEW);
    CHECK_INT(end(store), 0);

    CHECK_INT(counts(store).articles, 12);
    CHECK_INT(sql_int("digest.db", "SELECT count(*) FROM article_aliases"), 0);
    CHECK_INT(counts(store).versions, 0);

    /* What explaining says of two digests: same feed, link and title, but
     * the link is not theirs alone. */
    struct fk_dedup_explanation x;
    CHECK_INT(fk_store_dedup_explain(store, 1, 2, &x, &err), 0);
    CHECK_INT(x.ncandidates, 1);
    if (x.ncandidates == 1) {
        const struct fk_match *m = &x.candidates[0].match;
        CHECK(m->same_feed && m->same_link && m->same_title && !m->dates_agree);
        CHECK(!m->link_identifies && !m->match);
        CHECK_INT(x.candidates[0].others, 2);
        CHECK_STR(x.candidates[0].feed_url, feed);
    }
    fk_dedup_explain_release(&x);
    CHECK_INT(fk_store_dedup_explain(store, 1, 0, &x, &err), 0);
    CHECK_INT(x.ncandidates, 3);
    CHECK_STR(x.article.link_key, "//d.example/daily");
    fk_dedup_explain_release(&x);
    /* One a day apart. */
    CHECK_INT(fk_store_dedup_explain(store, 5, 0, &x, &err), 0);
    CHECK_INT(x.ncandidates, 1);
    if (x.ncandidates == 1) {
        const struct fk_match *m = &x.candidates[0].match;
        CHECK(m->link_identifies && m->same_title && !m->dates_agree && !m->match);
        CHECK(m->length_ratio > 0.9 && m->similarity < 0.8);
    }
    fk_dedup_explain_release(&x);
    CHECK_INT(fk_store_dedup_explain(store, 99, 0, &x, &err), 1);
    CHECK_INT(fk_store_dedup_explain(store, 1, 99, &x, &err), 1);
    fk_dedup_explain_release(&x);
    fk_store_close(store);
}

/* Explaining an article filed under two guids. */
static void test_guid_change_explain(void)
{
    struct fk_store *store = open_fresh("explain.db");
    if (!store)
        return;
    struct fk_error err = {0};
    struct test_item a, a2;
    blog_item(&a, "tag:e,1", "https://e.example/1", "Title", POST_TEXT, 1);
    CHECK_INT(begin(store, "https://e.example/feed"), 0);
    CHECK_INT(put(store, &a), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    a2 = a;
    a2.item.guid = "https://e.example/1";
    CHECK_INT(begin(store, "https://e.example/feed"), 0);
    CHECK_INT(put(store, &a2), FK_PUT_UNCHANGED);
    CHECK_INT(end(store), 0);
    struct fk_dedup_explanation x;
    CHECK_INT(fk_store_dedup_explain(store, 1, 0, &x, &err), 0);
    CHECK_STR(x.article.key, "guid:tag:e,1");
    CHECK_INT(x.naliases, 1);
    if (x.naliases == 1) {
        CHECK_STR(x.aliases[0].key, "guid:https://e.example/1");
        CHECK_STR(x.aliases[0].guid, "https://e.example/1");
        CHECK_STR(x.aliases[0].feed_url, "https://e.example/feed");
        CHECK_STR(x.aliases[0].rule, "title");
    }
    CHECK_INT(x.ncandidates, 0);
    fk_dedup_explain_release(&x);
    fk_dedup_explain_release(&x);

    /* A site that moves to https, its guids being its links. */
    struct test_item h1, h2;
    blog_item(&h1, "http://e.example/3", "http://e.example/3", "Three", "Text three.", 3);
    CHECK_INT(begin(store, "https://e.example/feed"), 0);
    CHECK_INT(put(store, &h1), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    h2 = h1;
    h2.item.guid = h2.item.url = "https://e.example/3";
    CHECK_INT(begin(store, "https://e.example/feed"), 0);
    CHECK_INT(put(store, &h2), FK_PUT_UNCHANGED);
    CHECK_INT(matches(store, NULL), 1);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 2);

    /* A feed that moves keeps its feed-scoped aliases. */
    struct test_item f1, f2;
    blog_item(&f1, "1", "https://e.example/2", "Two", "Text two.", 2);
    CHECK_INT(begin(store, "https://e.example/old"), 0);
    CHECK_INT(put(store, &f1), FK_PUT_NEW);
    CHECK_INT(end(store), 0);
    f2 = f1;
    f2.item.guid = "two";
    CHECK_INT(begin(store, "https://e.example/old"), 0);
    CHECK_INT(put(store, &f2), FK_PUT_UNCHANGED);
    CHECK_INT(matches(store, NULL), 1);
    CHECK_INT(end(store), 0);
    int64_t feed_id =
        sql_int("explain.db", "SELECT id FROM feeds WHERE url = 'https://e.example/old'");
    CHECK_INT(fk_store_move_feed(store, feed_id, "https://e.example/new", &err), 0);
    CHECK_INT(sql_int("explain.db", "SELECT count(*) FROM article_aliases"
                                    " WHERE key = 'feed:https://e.example/new guid:two'"),
              1);
    CHECK_INT(begin(store, "https://e.example/new"), 0);
    CHECK_INT(put(store, &f2), FK_PUT_UNCHANGED);
    CHECK_INT(matches(store, NULL), 0);
    CHECK_INT(end(store), 0);
    CHECK_INT(counts(store).articles, 3);
    fk_store_close(store);
}

static void test_migrate_v1(void)
{
    char path[4200];
    remove_archive("v1.db");
    snprintf(path, sizeof path, "%s/archive-v1-versions.sql", FK_TEST_DATA);
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    static char sql[1 << 16];
    size_t n = fread(sql, 1, sizeof sql - 1, fp);
    fclose(fp);
    sql[n] = '\0';
    CHECK(n > 0 && n < sizeof sql - 1);
    CHECK_INT(sql_exec("v1.db", sql), 0);
    CHECK_INT(sql_int("v1.db", "PRAGMA user_version"), 1);

    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path("v1.db"), &err);
    if (!store)
        fprintf(stderr, "open v1.db: %s\n", err.message);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK(sql_int("v1.db", "PRAGMA user_version") >= 2);
    /* The version kept before is a replaced one. */
    CHECK_STR(versions_of(store, 1), "1:replaced:Query planners:39 2:current:Query planners:62");
    CHECK_INT(sql_int("v1.db", "SELECT count(*) FROM sqlite_master WHERE name IN"
                               " ('articles_author', 'articles_updated', 'articles_first_seen')"),
              3);
    /* Schema 17 dropped the URLs' index of schema 2. */
    CHECK_INT(sql_int("v1.db", "SELECT count(*) FROM sqlite_master WHERE name = 'articles_url'"),
              0);
    struct fk_filter f;
    fk_filter_init(&f);
    f.author = "ada";
    CHECK_STR(list_ids(store, &f), "1");
    CHECK_STR(search_ids(store, "planner", NULL, 0), "1");
    struct fk_article a;
    CHECK_INT(fk_store_get_article(store, 1, &a, &err), 0);
    CHECK_STR(a.published_raw, "Mon, 01 Jun 2026 10:00:00 GMT");
    CHECK_INT(a.ntags, 1);
    fk_article_release(&a);
    /* The short-body guard works on migrated articles. */
    struct test_item t;
    test_item_init(&t, "https://v1.example/1", "Query planners", "", june(1));
    CHECK_INT(begin(store, "https://v1.example/"), 0);
    CHECK_INT(put(store, &t), FK_PUT_KEPT_SHORTER);
    CHECK_INT(end(store), 0);
    /* Migrated articles have their link keys, so a new guid for one of
     * them is recognised; the guard applies to it as to any update. */
    CHECK_INT(sql_int("v1.db", "SELECT count(*) FROM articles WHERE link_key IS NOT NULL"), 2);
    CHECK_INT(sql_int("v1.db", "SELECT id FROM articles WHERE link_key = '//v1.example/1'"), 1);
    struct test_item moved;
    test_item_init(&moved, "tag:v1.example,2026:1", "Query planners", "", june(1));
    moved.item.url = "https://v1.example/1/";
    CHECK_INT(begin(store, "https://v1.example/"), 0);
    CHECK_INT(put(store, &moved), FK_PUT_UNCHANGED); /* rejected before, above */
    CHECK_INT(fk_store_feed_matches(store, NULL), 1);
    CHECK_INT(end(store), 0);
    CHECK_INT(sql_int("v1.db", "SELECT article_id FROM article_aliases"
                               " WHERE key = 'guid:tag:v1.example,2026:1'"),
              1);
    CHECK_INT(counts(store).articles, 2);
    fk_store_close(store);
    CHECK_INT(fts_check("v1.db"), 0);
    CHECK_INT(sql_int("v1.db", "SELECT count(*) FROM pragma_integrity_check"
                               " WHERE integrity_check <> 'ok'"),
              0);
}

/* Schema 5 gives the articles of an older archive their date: one that
 * feedkeep 0.1.0 filed with an updated date only (as it did for Atom
 * entries without published) is listed by it, with its tags too. */
static void test_migrate_date(void)
{
    char path[4200];
    remove_archive("v1-date.db");
    snprintf(path, sizeof path, "%s/archive-v1-versions.sql", FK_TEST_DATA);
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    static char sql[1 << 16];
    size_t n = fread(sql, 1, sizeof sql - 1, fp);
    fclose(fp);
    sql[n] = '\0';
    CHECK_INT(sql_exec("v1-date.db", sql), 0);
    /* article 2 as 0.1.0 filed an entry with only <updated> */
    CHECK_INT(sql_exec("v1-date.db",
                       "UPDATE articles SET published = NULL, published_raw = NULL,"
                       " updated = 1780480800, updated_raw = '2026-06-03T10:00:00Z' WHERE id = 2;"
                       " INSERT INTO tags VALUES (2, 'later');"
                       " INSERT INTO article_tags VALUES (2, 2, NULL);"),
              0);
    CHECK_INT(sql_int("v1-date.db", "PRAGMA user_version"), 1);

    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(tmp_path("v1-date.db"), &err);
    if (!store)
        fprintf(stderr, "open v1-date.db: %s\n", err.message);
    CHECK(store != NULL);
    if (!store)
        return;
    CHECK(sql_int("v1-date.db", "PRAGMA user_version") >= 5);
    CHECK_INT(sql_int("v1-date.db", "SELECT date FROM articles WHERE id = 2"), 1780480800);
    CHECK_INT(sql_int("v1-date.db", "SELECT date FROM articles WHERE id = 1"), 1780308000);
    CHECK_INT(sql_int("v1-date.db", "SELECT date FROM article_tags WHERE article_id = 2"),
              1780480800);
    CHECK_INT(sql_int("v1-date.db", "SELECT date FROM article_tags WHERE article_id = 1"),
              1780308000);
    CHECK_INT(sql_int("v1-date.db", "SELECT count(*) FROM sqlite_master WHERE name IN"
                                    " ('articles_date', 'articles_author')"),
              2);
    CHECK_INT(sql_int("v1-date.db",
                      "SELECT count(*) FROM sqlite_master WHERE name = 'articles_published'"),
              0);

    struct fk_filter f;
    fk_filter_init(&f);
    CHECK_STR(list_ids(store, &f), "2 1");
    f.since = 1780394400; /* June 2 */
    CHECK_STR(list_ids(store, &f), "2");
    fk_filter_init(&f);
    const char *later[] = {"later"};
    f.tags = later;
    f.ntags = 1;
    f.since = 1780394400;
    CHECK_STR(list_ids(store, &f), "2");
    struct fk_article a;
    CHECK_INT(fk_store_get_article(store, 2, &a, &err), 0);
    CHECK_INT(a.date, 1780480800);
    CHECK_STR(a.updated_raw, "2026-06-03T10:00:00Z");
    CHECK(a.published_raw == NULL);
    fk_article_release(&a);
    fk_store_close(store);
    CHECK_INT(sql_int("v1-date.db", "SELECT count(*) FROM pragma_integrity_check"
                                    " WHERE integrity_check <> 'ok'"),
              0);
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
    RUN(test_statement_journal_in_memory);
    RUN(test_two_handles);
    RUN(test_short_body_guard);
    RUN(test_versions);
    RUN(test_filters);
    RUN(test_query_plans);
    RUN(test_search);
    RUN(test_lookups);
    RUN(test_check_and_vacuum);
    RUN(test_check_index_by_reading);
    RUN(test_migrate_v1);
    RUN(test_migrate_date);
    RUN(test_date_fallback);
    RUN(test_enclosures);
    RUN(test_link_key);
    RUN(test_find_by_url);
    RUN(test_guid_change);
    RUN(test_guid_change_shared_links);
    RUN(test_guid_change_explain);

    static const char *const archives[] = {
        "put.db",     "tags.db",       "rollback.db", "feedmeta.db", "shortcut.db", "list.db",
        "code.db",    "get.db",        "reopen.db",   "newer.db",    "notes.db",    "other.db",
        "otherid.db", "empty.db",      "fts.db",      "shared.db",   "ftsbatch.db", "fail.db",
        "code2.db",   "enclosures.db", "journal.db",
    };
    static const char *const query_archives[] = {
        "guard.db",   "versions.db", "filters.db", "plans.db",    "search.db",
        "lookups.db", "v1.db",       "v1-date.db", "dates.db",    "check.db",
        "guids.db",   "digest.db",   "explain.db", "checkfts.db", "byurl.db",
    };
    for (size_t i = 0; i < sizeof query_archives / sizeof query_archives[0]; i++)
        remove_archive(query_archives[i]);
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        remove_archive(archives[i]);
    if (rmdir(tmp_dir) != 0)
        perror(tmp_dir);
    return DONE();
}
