/* test_devto.c - dev.to's API as a source: subscriptions and the calls'
 * URLs, the author's Markdown made ready for an export, and what the store
 * keeps of an API's articles (their state for the fetcher, counts without
 * versions, an article the RSS feed also carries, cross-posts both ways). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_files.h"
#include "feedkeep/date.h"
#include "feedkeep/devto.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"
#include "harness.h"

static void test_subscriptions(void)
{
    struct fk_devto_source src;
    CHECK(fk_devto_parse("devto-api:Ana_Lima-2", &src));
    CHECK(src.kind == FK_DEVTO_USER);
    CHECK_STR(src.name, "ana_lima-2");
    char *s = fk_devto_subscription(&src);
    CHECK_STR(s, "devto-api:ana_lima-2");
    free(s);
    CHECK(fk_devto_parse("DEVTO-API:tag/Rust", &src) && src.kind == FK_DEVTO_TAG);
    CHECK_STR(src.name, "rust");
    CHECK(fk_devto_parse("devto-api:org/dataco", &src) && src.kind == FK_DEVTO_ORG);
    static const char *const bad[] = {
        "devto-api:",        "devto-api:tag/", "devto-api:a b",
        "devto-api:a/b",     "devto:ana",      "https://dev.to/feed/ana",
        "devto-api:ana?x=1", "devto-api:%41",  NULL,
    };
    for (const char *const *b = bad; *b; b++)
        CHECK(!fk_devto_parse(*b, &src));
    char longer[FK_DEVTO_NAME_MAX + 20];
    snprintf(longer, sizeof longer, "devto-api:%0*d", FK_DEVTO_NAME_MAX + 1, 0);
    CHECK(!fk_devto_parse(longer, &src));
    CHECK(!fk_devto_parse(NULL, &src));

    CHECK(fk_devto_parse("devto-api:ana", &src));
    s = fk_devto_list_url(NULL, &src, 1000, 2);
    CHECK_STR(s, "https://dev.to/api/articles?username=ana&per_page=1000&page=2");
    free(s);
    CHECK(fk_devto_parse("devto-api:tag/go", &src));
    s = fk_devto_list_url("http://127.0.0.1:8080/api//", &src, 100, 1);
    CHECK_STR(s, "http://127.0.0.1:8080/api/articles?tag=go&per_page=100&page=1");
    free(s);
    CHECK(fk_devto_parse("devto-api:org/dataco", &src));
    s = fk_devto_list_url("https://forem.example/api", &src, 1000, 1);
    CHECK_STR(s, "https://forem.example/api/organizations/dataco/articles?per_page=1000&page=1");
    free(s);
    s = fk_devto_article_url(NULL, 1234567);
    CHECK_STR(s, "https://dev.to/api/articles/1234567");
    free(s);
}

static void check_export(const char *markdown, const char *expected)
{
    char *got = fk_devto_markdown_export(markdown);
    CHECK_STR(got, expected);
    free(got);
}

static void test_markdown(void)
{
    /* the author's front matter goes, the export writes its own */
    check_export("---\ntitle: T\npublished: true\n---\n\nBody.\n", "Body.\n");
    check_export("\n---\r\ntitle: T\r\n---\r\nBody\r\n", "Body\r\n");
    /* no closing line: no front matter, only a thematic break */
    check_export("---\nnot closed\n", "---\nnot closed\n");
    check_export("Text\n---\n", "Text\n---\n");
    /* Liquid tags: embeds become links */
    check_export("{% embed https://example.com/a %}\n", "<https://example.com/a>\n");
    check_export("See {% link https://dev.to/x/y %} now", "See <https://dev.to/x/y> now");
    check_export("{% youtube dQw4w9WgXcQ %}", "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>");
    check_export("{%github forem/forem%}", "<https://github.com/forem/forem>");
    check_export("{% twitter 123 %}{% instagram Bx %}",
                 "<https://twitter.com/i/status/123><https://www.instagram.com/p/Bx/>");
    check_export("{% tag rust %} {% user ana %}", "<https://dev.to/t/rust> <https://dev.to/ana>");
    /* tags that embed nothing go; details keep their summary */
    check_export("a{% raw %}b{% endraw %}c", "abc");
    check_export("{% details Click here %}\nHidden\n{% enddetails %}\n",
                 "**Click here**\nHidden\n\n");
    check_export("{% youtube <script> %}", "");
    check_export("{% unknown thing %}x", "x");
    /* not closed: left as it is */
    check_export("{% embed https://e.x", "{% embed https://e.x");
    /* code is left alone: fences (``` and ~~~, longer closers) and spans */
    check_export("```liquid\n{% embed https://e.x %}\n```\n{% embed https://e.y %}\n",
                 "```liquid\n{% embed https://e.x %}\n```\n<https://e.y>\n");
    check_export("~~~~\n{% raw %}\n~~~\nstill code {% raw %}\n~~~~\nout{% raw %}\n",
                 "~~~~\n{% raw %}\n~~~\nstill code {% raw %}\n~~~~\nout\n");
    check_export("a `{% raw %}` b ``{% x %} ` y`` {% raw %}c", "a `{% raw %}` b ``{% x %} ` y`` c");
    check_export(NULL, "");
    check_export("", "");
}

/* ---- the store ------------------------------------------------------------------ */

static struct fk_item api_item(int64_t id, char *url, char *html, char *markdown,
                               const char *edited)
{
    struct fk_item item = {0};
    item.guid = url;
    item.url = url;
    item.title = "An article";
    item.content_html = html;
    item.published = fk_date_parse("2026-01-05T10:00:00Z");
    item.updated = edited ? fk_date_parse(edited) : FK_TIME_NONE;
    item.api.id = id;
    item.api.markdown = markdown;
    item.api.edited = item.updated;
    item.api.reading_minutes = 4;
    item.api.reactions = 10;
    item.api.comments = 2;
    return item;
}

static enum fk_put_result file_item(struct fk_store *store, const char *feed,
                                    const struct fk_item *item)
{
    struct fk_error err = {0};
    struct fk_store_pending *pending = NULL;
    enum fk_put_result put = FK_PUT_UNCHANGED;
    struct fk_content content = {0};
    CHECK_INT(fk_store_begin_feed(store, feed, NULL, &err), 0);
    int rc = fk_store_find_item(store, item, &pending, &err);
    CHECK(rc >= 0);
    if (rc == 0) {
        CHECK_INT(fk_content_from_html(item->content_html, strlen(item->content_html), item->url,
                                       &content, &err),
                  0);
        CHECK_INT(fk_store_put_item(store, pending, &content, &put, &err), 0);
    }
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), 0);
    fk_content_release(&content);
    return put;
}

static void test_store(void)
{
    struct fk_store *store = open_fresh("api.db");
    if (!store)
        return;
    struct fk_error err = {0};
    const char *api = "devto-api:ana";
    char *url = "https://dev.to/ana/planners-1a";
    struct fk_api_state state;

    struct fk_item listed = api_item(101, url, NULL, NULL, NULL);
    CHECK_INT(fk_store_api_state(store, api, &listed, &state, &err), 1);
    CHECK(state.article_id == 0);

    struct fk_item one = api_item(101, url, "<p>A planner picks a plan, then runs it.</p>",
                                  "A planner picks a plan, then runs it.\n", NULL);
    CHECK_INT(file_item(store, api, &one), FK_PUT_NEW);
    CHECK_INT(fk_store_api_state(store, api, &listed, &state, &err), 0);
    CHECK(state.article_id > 0 && state.has_markdown && state.edited == FK_TIME_NONE);
    int64_t id = state.article_id;

    /* counts from a list: no version, the feed carries it */
    listed.api.reactions = 99;
    listed.api.comments = -1; /* unknown: the one kept stays */
    CHECK_INT(fk_store_begin_feed(store, "devto-api:tag/db", NULL, &err), 0);
    CHECK_INT(fk_store_api_seen(store, id, &listed, 1000, &err), 0);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), 0);
    struct fk_api_row row;
    CHECK_INT(fk_store_get_api(store, id, &row, &err), 0);
    CHECK(row.api_id == 101 && row.reactions == 99 && row.comments == 2 &&
          row.reading_minutes == 4);
    CHECK_STR(row.markdown, "A planner picks a plan, then runs it.\n");
    CHECK_STR(row.url, url);
    CHECK(row.canonical_url == NULL);
    fk_api_row_release(&row);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM article_versions"), 0);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM article_feeds"), 2);
    /* outside a feed: refused */
    CHECK_INT(fk_store_api_seen(store, id, &listed, 1000, &err), -1);

    /* the site's RSS item of the same article: one row, not replaced */
    struct fk_item rss = {0};
    rss.guid = url;
    rss.url = url;
    rss.title = "An article";
    rss.summary_html = "<p>A planner picks.</p>";
    rss.published = rss.updated = FK_TIME_NONE;
    CHECK_INT(file_item(store, "https://dev.to/feed/ana", &rss), FK_PUT_UNCHANGED);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM articles"), 1);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM article_versions"), 0);

    /* an edit through the API: a version, the new Markdown */
    struct fk_item edited =
        api_item(101, url, "<p>A planner picks a plan, then runs it, then learns.</p>",
                 "A planner picks a plan, then runs it, then learns.\n", "2026-02-01T00:00:00Z");
    CHECK_INT(file_item(store, api, &edited), FK_PUT_UPDATED);
    CHECK_INT(fk_store_api_state(store, api, &listed, &state, &err), 0);
    CHECK(state.edited == fk_date_parse("2026-02-01T00:00:00Z"));
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM article_versions"), 1);
    /* the later count stays: the article call's counts replace it */
    CHECK_INT(fk_store_get_api(store, id, &row, &err), 0);
    CHECK(row.reactions == 10);
    fk_api_row_release(&row);

    /* a cross-post of an article from the author's blog: one article */
    struct fk_item blog = {0};
    blog.guid = "https://ana.example/blog/vacuum";
    blog.url = blog.guid;
    blog.title = "Vacuum";
    blog.content_html = "<p>Vacuum frees space.</p>";
    blog.published = blog.updated = FK_TIME_NONE;
    CHECK_INT(file_item(store, "https://ana.example/feed", &blog), FK_PUT_NEW);
    struct fk_item cross =
        api_item(103, "https://dev.to/ana/vacuum-3c", "<p>Vacuum frees space, and more.</p>",
                 "Vacuum frees.\n", NULL);
    cross.api.canonical_url = "https://ana.example/blog/vacuum/";
    CHECK_INT(file_item(store, api, &cross), FK_PUT_UPDATED);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM articles"), 2);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM article_aliases WHERE rule = 'canonical'"),
              1);
    /* the blog's item again does not replace the author's article */
    CHECK_INT(file_item(store, "https://ana.example/feed", &blog), FK_PUT_UNCHANGED);

    /* the other way: the API's article first, its blog post later */
    struct fk_item first =
        api_item(104, "https://dev.to/ana/wal-4d", "<p>WAL first.</p>", "WAL first.\n", NULL);
    first.api.canonical_url = "https://ana.example/blog/wal";
    CHECK_INT(file_item(store, api, &first), FK_PUT_NEW);
    struct fk_item later = blog;
    later.guid = "tag:ana.example,2026:wal";
    later.url = "https://ana.example/blog/wal";
    later.content_html = "<p>WAL, as the blog has it.</p>";
    CHECK_INT(file_item(store, "https://ana.example/feed", &later), FK_PUT_UNCHANGED);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM articles"), 3);
    CHECK_INT(sql_int("api.db", "SELECT count(*) FROM article_aliases WHERE rule = 'canonical'"),
              2);

    CHECK_INT(fk_store_get_api(store, 9999, &row, &err), 1);
    fk_store_close(store);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/feedkeep-devto-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_subscriptions);
    RUN(test_markdown);
    RUN(test_store);
    remove_archive("api.db");
    rmdir(tmp_dir);
    return DONE();
}
