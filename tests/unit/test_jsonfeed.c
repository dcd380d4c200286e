/* test_jsonfeed.c - JSON Feed through fk_feed_parse_*: detection by content,
 * the fields of 1.0 and 1.1, streaming delivery, and hostile documents
 * (depth, long strings and numbers, bad UTF-8, truncation, a pipe of 1 GB). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/feed.h"
#include "harness.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#define MAX_ITEMS 8

/* An item as one line: "guid|url|title|author|published|tags|enclosures|
 * summary|content|warning", "-" for NULL. */
struct result {
    int rc;
    struct fk_error err;
    struct fk_feed_info info;
    int feed_calls, items_before_feed;
    long nitems;
    long stop_after;
    char *items[MAX_ITEMS];
};

static void add_field(struct fk_buf *b, const char *s)
{
    fk_buf_adds(b, s ? s : "-");
    fk_buf_addc(b, '|');
}

static int on_feed(const struct fk_feed_info *feed, void *ctx)
{
    struct result *r = ctx;
    (void)feed;
    if (r->feed_calls++ == 0)
        r->items_before_feed = (int)r->nitems;
    return 0;
}

static int on_item(const struct fk_item *item, void *ctx)
{
    struct result *r = ctx;
    if (r->nitems < MAX_ITEMS) {
        struct fk_buf b = FK_BUF_INIT;
        char date[32];
        add_field(&b, item->guid);
        add_field(&b, item->url);
        add_field(&b, item->title);
        add_field(&b, item->author);
        add_field(&b,
                  item->published == FK_TIME_NONE ? NULL : fk_date_format(item->published, date));
        for (size_t i = 0; i < item->ntags; i++)
            fk_buf_printf(&b, "%s%s", i ? "," : "", item->tags[i]);
        fk_buf_addc(&b, '|');
        for (size_t i = 0; i < item->nenclosures; i++) {
            const struct fk_enclosure *e = &item->enclosures[i];
            fk_buf_printf(&b, "%s%s %s %lld %s", i ? "," : "", e->url, e->type ? e->type : "-",
                          (long long)e->length, e->kind);
        }
        fk_buf_addc(&b, '|');
        add_field(&b, item->summary_html);
        add_field(&b, item->content_html && strlen(item->content_html) > 200 ? "(long)"
                                                                             : item->content_html);
        fk_buf_adds(&b, item->warning ? item->warning : "-");
        r->items[r->nitems] = fk_buf_detach(&b);
    }
    r->nitems++;
    return r->stop_after && r->nitems >= r->stop_after;
}

static void result_release(struct result *r)
{
    for (long i = 0; i < r->nitems && i < MAX_ITEMS; i++)
        free(r->items[i]);
    fk_feed_info_release(&r->info);
    memset(r, 0, sizeof *r);
}

static void parse_len(struct result *r, const char *doc, size_t len, const char *base_url)
{
    struct fk_parse_options opts = {.base_url = base_url};
    struct fk_feed_handler handler = {on_feed, on_item, r};
    r->rc = fk_feed_parse_memory(doc, len, &opts, &handler, &r->info, &r->err);
}

static void parse(struct result *r, const char *doc, const char *base_url)
{
    parse_len(r, doc, strlen(doc), base_url);
}

/* Parse what write_doc writes into a pipe from a child process. */
static void parse_pipe(struct result *r, void (*write_doc)(FILE *w, long n), long n)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        FILE *w = fdopen(fds[1], "w");
        if (w) {
            write_doc(w, n);
            fclose(w);
        }
        _exit(0);
    }
    close(fds[1]);
    struct fk_feed_handler handler = {on_feed, on_item, r};
    r->rc = fk_feed_parse_fd(fds[0], NULL, &handler, &r->info, &r->err);
    close(fds[0]); /* a child still writing gets EPIPE */
    int status;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
}

/* ---- the formats ----------------------------------------------------------------- */

static void test_v11(void)
{
    static const char doc[] =
        "\xEF\xBB\xBF \n{\"version\": \"https://jsonfeed.org/version/1.1\",\n"
        " \"title\": \"T & co\", \"home_page_url\": \"/\", \"description\": \"a <b>\",\n"
        " \"favicon\": \"fav.ico\", \"language\": \"de\",\n"
        " \"items\": [\n"
        "  {\"id\": \"1\", \"url\": \"p/1\", \"title\": \" One \", \"summary\": \"s<\",\n"
        "   \"content_html\": \"<img src=\\\"i.png\\\">\", \"date_published\": "
        "\"2024-01-02T03:04:05Z\",\n"
        "   \"authors\": [{\"name\": \"A\"}, {\"name\": \"B\"}], \"tags\": [\"x\", 7, \"y\"],\n"
        "   \"image\": \"img.png\", \"attachments\": [{\"url\": \"a.mp3\", \"mime_type\": "
        "\"audio/mpeg\", \"size_in_bytes\": 42}]},\n"
        "  {\"id\": 99, \"external_url\": \"https://other.example/\", \"content_text\": "
        "\"a\\nb\\n\\nc\"}\n"
        " ]}";
    struct result r = {0};
    parse(&r, doc, "https://ex.example/feed.json");
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 2);
    CHECK_INT(r.items_before_feed, 0);
    CHECK_INT(r.feed_calls, 1);
    CHECK_STR(r.info.format, "json");
    CHECK(r.info.well_formed);
    CHECK_STR(r.info.title, "T & co");
    CHECK_STR(r.info.site_url, "https://ex.example/");
    CHECK_STR(r.info.description, "a &lt;b&gt;");
    CHECK_STR(r.info.image_url, "https://ex.example/fav.ico");
    CHECK_STR(r.info.language, "de");
    CHECK_STR(r.items[0], "1|https://ex.example/p/1|One|A, B|2024-01-02T03:04:05Z|x,y|"
                          "https://ex.example/a.mp3 audio/mpeg 42 file,"
                          "https://ex.example/img.png - -1 thumbnail|s&lt;|"
                          "<img src=\"https://ex.example/i.png\">|-");
    CHECK_STR(r.items[1], "99|https://other.example/|-|-|-|||-|<p>a<br>\nb</p>\n<p>c</p>|-");
    result_release(&r);
}

static void test_v10(void)
{
    static const char doc[] =
        "{\"version\": \"https://jsonfeed.org/version/1\", \"title\": \"old\",\n"
        " \"author\": {\"name\": \"feed-level\"},\n"
        " \"items\": [{\"id\": \"x\", \"url\": \"https://o.example/x\",\n"
        "   \"author\": {\"name\": \"One\", \"url\": \"https://o.example/\"},\n"
        "   \"external_url\": \"https://elsewhere.example/\", \"content_html\": \"<p>c</p>\"}]}";
    struct result r = {0};
    parse(&r, doc, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_STR(r.items[0], "x|https://o.example/x|-|One|-|||-|<p>c</p>\n<p>Link: <a "
                          "href=\"https://elsewhere.example/\">https://elsewhere.example/</a></"
                          "p>|-");
    result_release(&r);
}

static void test_versions_and_not_feeds(void)
{
    struct result r = {0};
    parse(&r, "{\"version\": \"https://jsonfeed.org/version/9\", \"items\": [{\"id\": \"a\"}]}",
          NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK(!r.info.well_formed);
    CHECK_STR(r.info.error,
              "line 1: unknown JSON Feed version \"https://jsonfeed.org/version/9\": read as 1.1");
    result_release(&r);

    parse(&r, "{\"items\": []}", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.feed_calls, 1);
    CHECK_STR(r.info.error, "line 1: no JSON Feed version: read as 1.1");
    result_release(&r);

    parse(&r, "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"x\"}", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.err.kind, FK_ERROR_INPUT);
    CHECK_STR(r.err.message, "not a JSON Feed (no \"items\" array)");
    CHECK_INT(r.feed_calls, 0);
    result_release(&r);

    /* items must be the feed's own */
    parse(&r, "{\"x\": {\"items\": [{\"id\": \"a\"}]}}", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.nitems, 0);
    result_release(&r);

    parse(&r, "{\"items\": [", NULL);
    CHECK_INT(r.rc, 0); /* an items array, cut: a feed of no items, not well-formed */
    CHECK(!r.info.well_formed);
    result_release(&r);

    parse(&r, "{\"title\": ", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err.message, "not a JSON Feed (line 1: invalid JSON: premature EOF)");
    result_release(&r);

    /* XML still goes to the XML reader, whatever blank comes first */
    parse(&r, "\n\n<rss><channel><item><guid>g</guid></item></channel></rss>", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.format, "rss");
    CHECK_INT(r.nitems, 1);
    result_release(&r);
}

/* ---- streaming and the handler ---------------------------------------------------------- */

static void write_items(FILE *w, long n)
{
    fputs("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [", w);
    for (long i = 0; i < n; i++)
        fprintf(w, "%s{\"id\": \"i%ld\", \"title\": \"t\", \"content_text\": \"%s\"}",
                i ? ",\n" : "", i,
                "some text to make the item a hundred bytes long or so, no more");
    fputs("], \"title\": \"late\"}", w);
}

static void write_blank_start(FILE *w, long n)
{
    for (long i = 0; i < n; i++)
        fputs("          \n", w);
    write_items(w, 3);
}

static void test_streaming(void)
{
    struct result r = {0};
    r.stop_after = 2;
    parse_pipe(&r, write_items, 1000);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.err.kind, FK_ERROR_NONE); /* a handler's stop leaves err alone */
    CHECK_INT(r.nitems, 2);
    result_release(&r);

    /* metadata after the items: on_feed sees what was read before the first
     * item, final has all of it */
    parse_pipe(&r, write_items, 5000);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 5000);
    CHECK_INT(r.feed_calls, 1);
    CHECK_STR(r.info.title, "late");
    CHECK(r.info.well_formed);
    result_release(&r);

    /* more than a chunk of blank lines before the '{' */
    parse_pipe(&r, write_blank_start, 20000);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 3);
    result_release(&r);
}

/* ---- hostile ------------------------------------------------------------------------ */

static void test_depth(void)
{
    struct fk_buf b = FK_BUF_INIT;
    fk_buf_adds(&b, "{\"items\": [{\"id\": \"kept\"}, {\"id\": \"deep\", \"x\": ");
    for (int i = 0; i < 100; i++)
        fk_buf_addc(&b, '[');
    for (int i = 0; i < 100; i++)
        fk_buf_addc(&b, ']');
    fk_buf_adds(&b, "}, {\"id\": \"after\"}]}");
    struct result r = {0};
    parse_len(&r, b.data, b.len, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK(!r.info.well_formed);
    CHECK_STR(r.info.error, "line 1: nested deeper than 64 levels");
    result_release(&r);

    /* 62 levels inside an item are fine */
    fk_buf_reset(&b);
    fk_buf_adds(&b, "{\"items\": [{\"id\": \"ok\", \"x\": ");
    for (int i = 0; i < 61; i++)
        fk_buf_addc(&b, '[');
    for (int i = 0; i < 61; i++)
        fk_buf_addc(&b, ']');
    fk_buf_adds(&b, "}]}");
    parse_len(&r, b.data, b.len, NULL);
    CHECK_INT(r.nitems, 1);
    result_release(&r);
    fk_buf_release(&b);
}

static void test_long_values(void)
{
    /* a content of 9 MiB: cut at 8 MiB, the item delivered with a warning;
     * a key and an unknown value as long: skipped without a warning */
    size_t big = (size_t)9 << 20;
    struct fk_buf b = FK_BUF_INIT;
    fk_buf_adds(&b, "{\"version\": \"https://jsonfeed.org/version/1\",\n"
                    "\"items\": [{\"id\": \"a\", \"content_html\": \"");
    for (size_t i = 0; i < big / 8; i++)
        fk_buf_add(&b, "abc\\\"d\xC3\xA9", 8);
    fk_buf_adds(&b, "\", \"title\": \"after\"}, {\"id\": \"b\", \"");
    for (size_t i = 0; i < big; i++)
        fk_buf_addc(&b, 'k');
    fk_buf_adds(&b, "\": \"");
    for (size_t i = 0; i < big; i++)
        fk_buf_addc(&b, 'v');
    fk_buf_adds(&b, "\"}]}");
    struct result r = {0};
    parse_len(&r, b.data, b.len, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 2);
    CHECK(r.info.well_formed);
    CHECK_STR(r.items[0], "a|-|after|-|-|||-|(long)|content longer than 8 MiB: truncated");
    CHECK_STR(r.items[1], "b|-|-|-|-|||-|-|-");
    result_release(&r);

    /* a number of 2000 digits ends the document */
    fk_buf_reset(&b);
    fk_buf_adds(&b, "{\"items\": [{\"id\": \"a\"}, {\"id\": ");
    for (int i = 0; i < 2000; i++)
        fk_buf_addc(&b, '7');
    fk_buf_adds(&b, "}]}");
    parse_len(&r, b.data, b.len, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.info.error, "line 1: a value longer than 1024 characters");
    result_release(&r);
    fk_buf_release(&b);
}

static void test_bad_bytes(void)
{
    struct result r = {0};
    static const char bad_utf8[] =
        "{\"items\": [{\"id\": \"a\xff\xc3\", \"title\": \"x\\u0000y\"}]}";
    parse(&r, bad_utf8, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK_STR(r.info.error, "line 1: invalid UTF-8 repaired");
    CHECK_STR(r.items[0], "a\xEF\xBF\xBD\xEF\xBF\xBD|-|xy|-|-|||-|-|-");
    result_release(&r);

    /* a raw NUL byte is not JSON: the document ends there */
    static const char nul[] = "{\"items\": [{\"id\": \"a\"}, {\"id\": \"b\0c\"}]}";
    parse_len(&r, nul, sizeof nul - 1, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK(!r.info.well_formed);
    result_release(&r);

    /* numbers: sizes out of range are unknown (-1); duplicate keys: the
     * last value */
    parse(&r,
          "{\"items\": [{\"id\": \"a\", \"id\": \"z\", \"attachments\": [\n"
          "{\"url\": \"https://x.example/1\", \"size_in_bytes\": -1},\n"
          "{\"url\": \"https://x.example/2\", \"size_in_bytes\": 1e999},\n"
          "{\"url\": \"https://x.example/3\", \"size_in_bytes\": 99999999999999999999},\n"
          "{\"url\": \"https://x.example/3\", \"size_in_bytes\": 5}]}]}",
          NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.items[0], "z|-|-|-|-||https://x.example/1 - -1 file,https://x.example/2 - -1 "
                          "file,https://x.example/3 - 5 file|-|-|-");
    result_release(&r);

    /* truncated: the items before the cut */
    parse(&r, "{\"items\": [{\"id\": \"a\"}, {\"id\": \"b\", \"title\": \"cu", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK(!r.info.well_formed);
    CHECK_STR(r.info.error, "line 1: invalid JSON: premature EOF");
    result_release(&r);

    /* garbage after the feed */
    parse(&r, "{\"items\": [{\"id\": \"a\"}]} {\"items\": [{\"id\": \"b\"}]}", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK(!r.info.well_formed);
    result_release(&r);
}

#ifndef SANITIZED
static void write_big_array(FILE *w, long n)
{
    /* n MiB of items */
    static char block[1 << 20];
    size_t len = 0;
    fputs("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [{\"id\": \"first\"}", w);
    for (long i = 0; len + 128 < sizeof block; i++)
        len += (size_t)snprintf(block + len, sizeof block - len,
                                ",\n{\"id\": \"i%ld\", \"tags\": [\"a\", \"b\"], \"title\": "
                                "\"an item of the endless array\"}",
                                i);
    for (long i = 0; i < n; i++)
        if (fwrite(block, 1, len, w) != len)
            return;
    fputs("]}", w);
}

#endif

static void test_gigabyte_array(void)
{
#ifdef SANITIZED
    puts("skipped: the 1 GB array, under a sanitizer");
#else
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    struct result r = {0};
    parse_pipe(&r, write_big_array, 1024);
    getrusage(RUSAGE_SELF, &after);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK(r.nitems > 9000000);
    CHECK_STR(r.items[0], "first|-|-|-|-|||-|-|-");
    /* flat: what one item and a chunk take, not what the document does */
    long grown_kib = after.ru_maxrss - before.ru_maxrss;
    printf("1 GiB array: %ld items, peak RSS grew %ld KiB\n", r.nitems, grown_kib);
    CHECK(grown_kib < 16 * 1024);
    result_release(&r);
#endif
}

/* ---- Forem API documents (dev.to's) -------------------------------------------------- */

/* What an API article adds, for the checks. */
struct api_seen {
    int n;
    int64_t id[4];
    char *markdown[4], *canonical[4], *series[4], *org[4];
    int64_t edited[4];
    long reactions[4], comments[4], reading[4];
};

static int on_api_item(const struct fk_item *item, void *ctx)
{
    struct api_seen *s = ctx;
    if (s->n < 4) {
        int i = s->n;
        s->id[i] = item->api.id;
        s->markdown[i] = item->api.markdown ? strdup(item->api.markdown) : NULL;
        s->canonical[i] = item->api.canonical_url ? strdup(item->api.canonical_url) : NULL;
        s->series[i] = item->api.series ? strdup(item->api.series) : NULL;
        s->org[i] = item->api.organization ? strdup(item->api.organization) : NULL;
        s->edited[i] = item->api.edited;
        s->reactions[i] = item->api.reactions;
        s->comments[i] = item->api.comments;
        s->reading[i] = item->api.reading_minutes;
    }
    s->n++;
    return 0;
}

static void api_seen_release(struct api_seen *s)
{
    for (int i = 0; i < s->n && i < 4; i++) {
        free(s->markdown[i]);
        free(s->canonical[i]);
        free(s->series[i]);
        free(s->org[i]);
    }
    memset(s, 0, sizeof *s);
}

static void test_forem_list(void)
{
    /* the list endpoint: no bodies, tag_list an array, tags a string */
    static const char doc[] =
        "[{\"type_of\":\"article\",\"id\":101,\"title\":\"Planners\",\"description\":"
        "\"About <planners>\",\"url\":\"https://dev.to/ana/planners-1a\","
        "\"canonical_url\":\"https://dev.to/ana/planners-1a\",\"comments_count\":3,"
        "\"public_reactions_count\":12,\"collection_id\":7,\"cover_image\":"
        "\"https://media.example/c.png\",\"edited_at\":null,\"published_at\":"
        "\"2026-01-05T10:00:00Z\",\"reading_time_minutes\":4,\"tag_list\":[\"db\",\"sql\"],"
        "\"tags\":\"db, sql\",\"user\":{\"name\":\"Ana Lima\",\"username\":\"ana\"},"
        "\"organization\":{\"name\":\"Data Co\",\"slug\":\"dataco\"},"
        "\"flare_tag\":{\"name\":\"x\"}},\n"
        " {\"type_of\":\"article\",\"id\":102,\"title\":\"Cross\",\"url\":"
        "\"https://dev.to/ana/cross-2b\",\"canonical_url\":\"https://ana.example/cross\","
        "\"edited_at\":\"2026-02-02T02:02:02Z\",\"published_at\":\"2026-02-01T00:00:00Z\","
        "\"tag_list\":[],\"tags\":\"go, web\",\"public_reactions_count\":-5,"
        "\"comments_count\":1e3},\n"
        " {\"type_of\":\"article\",\"title\":\"no id, no url: skipped\"}]";
    struct result r = {0};
    parse(&r, doc, "https://dev.to/api/articles?username=ana");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.format, "forem");
    CHECK(r.info.well_formed);
    CHECK_INT(r.nitems, 2);
    if (r.nitems == 2) {
        CHECK_STR(r.items[0],
                  "https://dev.to/ana/planners-1a|https://dev.to/ana/planners-1a|"
                  "Planners|Ana Lima|2026-01-05T10:00:00Z|db,sql|"
                  "https://media.example/c.png - -1 thumbnail|About &lt;planners&gt;|-|-");
        /* tags as a string, when the array is empty */
        CHECK_STR(r.items[1], "https://dev.to/ana/cross-2b|https://dev.to/ana/cross-2b|Cross|-|"
                              "2026-02-01T00:00:00Z|go,web||-|-|-");
    }
    result_release(&r);

    struct api_seen s = {0};
    struct fk_feed_handler handler = {NULL, on_api_item, &s};
    CHECK_INT(fk_feed_parse_memory(doc, strlen(doc), NULL, &handler, NULL, NULL), 0);
    CHECK_INT(s.n, 2);
    if (s.n == 2) {
        CHECK(s.id[0] == 101 && s.id[1] == 102);
        CHECK(s.markdown[0] == NULL);
        /* the canonical URL is kept only when it is elsewhere */
        CHECK(s.canonical[0] == NULL);
        CHECK_STR(s.canonical[1], "https://ana.example/cross");
        CHECK_STR(s.series[0], "7");
        CHECK_STR(s.org[0], "Data Co");
        CHECK(s.edited[0] == FK_TIME_NONE);
        CHECK(s.edited[1] == fk_date_parse("2026-02-02T02:02:02Z"));
        CHECK(s.reactions[0] == 12 && s.comments[0] == 3 && s.reading[0] == 4);
        /* counts that are no whole number are unknown */
        CHECK(s.reactions[1] == -1 && s.comments[1] == -1 && s.reading[1] == -1);
    }
    api_seen_release(&s);

    /* an empty list is a list without articles */
    parse(&r, " [ ] ", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.format, "forem");
    CHECK_INT(r.nitems, 0);
    result_release(&r);
    /* objects that are no articles: not a feed */
    parse(&r, "[{\"a\": 1}, {\"b\": 2}]", NULL);
    CHECK_INT(r.rc, -1);
    CHECK(strstr(r.err.message, "without articles") != NULL);
    result_release(&r);
}

static void test_forem_article(void)
{
    /* the article endpoint: bodies, tag_list a string, tags an array */
    static const char doc[] =
        "{\"type_of\":\"article\",\"id\":101,\"title\":\"Planners\",\"description\":\"d\","
        "\"url\":\"https://dev.to/ana/planners-1a\",\"tag_list\":\"db, sql\","
        "\"tags\":[\"db\",\"sql\"],\"body_html\":\"<p>A <a href=\\\"/ana\\\">link</a>.</p>\","
        "\"body_markdown\":\"---\\ntitle: Planners\\n---\\nA [link](/ana).\\n\","
        "\"published_at\":\"2026-01-05T10:00:00Z\",\"edited_at\":\"2026-01-06T10:00:00Z\","
        "\"user\":{\"name\":\"Ana Lima\"}}";
    struct result r = {0};
    parse(&r, doc, "https://dev.to/api/articles/101");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.format, "forem");
    /* one article's title is not a feed's */
    CHECK(r.info.title == NULL);
    CHECK_INT(r.nitems, 1);
    if (r.nitems == 1)
        CHECK_STR(r.items[0], "https://dev.to/ana/planners-1a|https://dev.to/ana/planners-1a|"
                              "Planners|Ana Lima|2026-01-05T10:00:00Z|db,sql||d|"
                              "<p>A <a href=\"https://dev.to/ana\">link</a>.</p>|-");
    result_release(&r);
    struct api_seen s = {0};
    struct fk_feed_handler handler = {NULL, on_api_item, &s};
    CHECK_INT(fk_feed_parse_memory(doc, strlen(doc), NULL, &handler, NULL, NULL), 0);
    CHECK_INT(s.n, 1);
    if (s.n == 1)
        CHECK_STR(s.markdown[0], "---\ntitle: Planners\n---\nA [link](/ana).\n");
    api_seen_release(&s);

    /* a JSON Feed's root is never taken for an article, nor an object
     * that is neither */
    parse(&r, "{\"title\": \"t\", \"id\": 5}", NULL);
    CHECK_INT(r.rc, -1);
    CHECK(strstr(r.err.message, "not a JSON Feed") != NULL);
    result_release(&r);
}

int main(void)
{
    /* first, while the peak RSS is the program's own */
    RUN(test_gigabyte_array);
    RUN(test_v11);
    RUN(test_v10);
    RUN(test_versions_and_not_feeds);
    RUN(test_streaming);
    RUN(test_depth);
    RUN(test_long_values);
    RUN(test_bad_bytes);
    RUN(test_forem_list);
    RUN(test_forem_article);
    return DONE();
}
