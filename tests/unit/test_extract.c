/* test_extract.c - the article extractor on small hand-made pages: which
 * metadata wins, which block is the article (not the sidebar or the
 * comments), blocks of links removed, <base href>, hidden elements and
 * scripts, bytes that are no page, an empty page and 100,000 nested divs. */
#include "feedkeep/extract.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "harness.h"

/* Paragraphs of article text, long enough to be scored as article. */
#define PARAGRAPHS                                                                                 \
    "<p>The first paragraph of the story, long enough to count, with commas, "                     \
    "clauses, and a good deal of text about the harbour and its boats.</p>"                        \
    "<p>A second paragraph, also long, which tells how the tide comes in, how it "                 \
    "goes out, and why the boats lie in the mud twice a day.</p>"                                  \
    "<p>A third paragraph to make the article clearly the longest block on the "                   \
    "page, with more commas, more words, and an ending.</p>"                                       \
    "<p>A fourth paragraph, since an article has more than a few hundred "                         \
    "characters of text, or the extractor tries again with fewer removals.</p>"

static int extract(const char *html, const char *url, struct fk_extract *out)
{
    struct fk_error err = {0};
    return fk_extract_page(html, strlen(html), url, out, &err);
}

static bool has(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle) != NULL;
}

static void test_metadata_precedence(void)
{
    struct fk_extract e;
    /* JSON-LD first, then OpenGraph, then <title> */
    CHECK_INT(extract("<html lang=\"de\"><head><title>Page title | Site</title>"
                      "<meta property=\"og:title\" content=\"OG title\">"
                      "<meta property=\"og:site_name\" content=\"OG Site\">"
                      "<meta name=\"author\" content=\"Meta Author\">"
                      "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\","
                      "\"@type\":\"NewsArticle\",\"headline\":\"LD \\u00e9 headline\","
                      "\"datePublished\":\"2026-01-02T03:04:05Z\",\"author\":[{\"@type\":"
                      "\"Person\",\"name\":\"Ann One\"},{\"name\":\"Bo Two\"}],"
                      "\"publisher\":{\"name\":\"LD Site\"}}</script></head><body>" PARAGRAPHS
                      "</body></html>",
                      NULL, &e),
              0);
    CHECK_STR(e.title, "LD \xC3\xA9 headline");
    CHECK_STR(e.byline, "Ann One, Bo Two");
    CHECK_STR(e.site_name, "LD Site");
    CHECK_STR(e.language, "de");
    CHECK_INT(e.published, fk_date_parse("2026-01-02T03:04:05Z"));
    fk_extract_release(&e);

    /* a JSON-LD block of another type is ignored */
    CHECK_INT(extract("<head><title>Page title | Site</title>"
                      "<meta property=\"og:title\" content=\"OG title\">"
                      "<meta property=\"article:published_time\" content=\"2026-05-06\">"
                      "<script type=\"application/ld+json\">{\"@type\":\"WebSite\","
                      "\"name\":\"Not it\"}</script></head><body>" PARAGRAPHS "</body>",
                      NULL, &e),
              0);
    CHECK_STR(e.title, "OG title");
    CHECK_INT(e.published, fk_date_parse("2026-05-06"));
    fk_extract_release(&e);

    /* <title> without the site's name; a broken JSON-LD block is harmless */
    static const struct {
        const char *title, *expected;
    } titles[] = {
        {"How the tide turns in the bay | The Harbour Gazette", "How the tide turns in the bay"},
        {"How the tide turns in the bay - Gazette", "How the tide turns in the bay"},
        {"Gazette: How the tide turns in the bay today", "How the tide turns in the bay today"},
        {"Short | Site", "Short | Site"},
        {"  Spaced   out\n title of the day  ", "Spaced out title of the day"},
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        char page[1024];
        snprintf(page, sizeof page,
                 "<head><title>%s</title><script type=\"application/ld+json\">{\"@type\": "
                 "[\"Article\", </script></head><body>" PARAGRAPHS "</body>",
                 titles[i].title);
        CHECK_INT(extract(page, NULL, &e), 0);
        CHECK_STR(e.title, titles[i].expected);
        fk_extract_release(&e);
    }
}

static void test_candidate_choice(void)
{
    struct fk_extract e;
    CHECK_INT(extract("<body><div class=\"sidebar\"><p>Sidebar text, which is long enough to be "
                      "a paragraph, with commas, and yet, it is not the article.</p></div>"
                      "<div class=\"post-content\">" PARAGRAPHS "</div>"
                      "<div id=\"comments\"><p>A comment, long, with commas, and opinions, "
                      "and more opinions, and a signature at the end.</p>"
                      "<p>Another comment, long, with commas, and opinions, and words.</p></div>"
                      "<footer><p>Footer text, copyright, all rights reserved, etc.</p></footer>"
                      "</body>",
                      NULL, &e),
              0);
    CHECK(has(e.html, "first paragraph"));
    CHECK(has(e.html, "third paragraph"));
    CHECK(!has(e.html, "Sidebar"));
    CHECK(!has(e.html, "comment"));
    CHECK(!has(e.html, "Footer"));
    fk_extract_release(&e);

    /* <article> beside a longer list of links */
    CHECK_INT(extract("<body><div><ul><li><a href=\"/1\">Link one to another story on the site"
                      "</a></li><li><a href=\"/2\">Link two to another story on the site</a></li>"
                      "<li><a href=\"/3\">Link three to another story on the site</a></li></ul>"
                      "</div><article>" PARAGRAPHS "</article></body>",
                      NULL, &e),
              0);
    CHECK(has(e.html, "second paragraph"));
    CHECK(!has(e.html, "Link one"));
    fk_extract_release(&e);
}

static void test_link_density(void)
{
    struct fk_extract e;
    CHECK_INT(extract("<body><div class=\"entry\">" PARAGRAPHS
                      "<div><a href=\"/a\">Related story one</a> <a href=\"/b\">Related story "
                      "two</a> <a href=\"/c\">Related story three</a> and</div>"
                      "<p>The last paragraph of the story, long enough, with commas, "
                      "and an <a href=\"/x\">inline link</a> that stays.</p></div></body>",
                      NULL, &e),
              0);
    CHECK(!has(e.html, "Related story"));
    CHECK(has(e.html, "inline link"));
    CHECK(has(e.html, "last paragraph"));
    fk_extract_release(&e);
}

static void test_base_href(void)
{
    struct fk_extract e;
    CHECK_INT(extract("<head><base href=\"https://cdn.example/site/\">"
                      "<meta property=\"og:image\" content=\"img/lead.png\"></head>"
                      "<body><article>" PARAGRAPHS "<p><img src=\"pic.jpg\" alt=\"A picture\">"
                      "</p></article></body>",
                      "https://page.example/a/b.html", &e),
              0);
    CHECK_STR(e.base_url, "https://cdn.example/site/");
    CHECK_STR(e.lead_image, "https://cdn.example/site/img/lead.png");
    CHECK(has(e.html, "src=\"pic.jpg\""));
    fk_extract_release(&e);

    /* a relative <base href> resolves against the page's URL */
    CHECK_INT(extract("<head><base href=\"/other/\"></head><body>" PARAGRAPHS "</body>",
                      "https://page.example/a/b.html", &e),
              0);
    CHECK_STR(e.base_url, "https://page.example/other/");
    fk_extract_release(&e);

    CHECK_INT(extract("<body>" PARAGRAPHS "</body>", NULL, &e), 0);
    CHECK(e.base_url == NULL);
    fk_extract_release(&e);
}

static void test_hidden_and_scripts(void)
{
    struct fk_extract e;
    CHECK_INT(extract("<head><style>p { SECRETSTYLE: 1 }</style></head><body><article>" PARAGRAPHS
                      "<p hidden>SECRETHIDDEN is here</p>"
                      "<p style=\"color: red; DISPLAY : none\">SECRETDISPLAY is here</p>"
                      "<div aria-hidden=\"true\">SECRETARIA is here</div>"
                      "<script>document.write('SECRETSCRIPT')</script>"
                      "<noscript>SECRETNOSCRIPT</noscript><template>SECRETTEMPLATE</template>"
                      "<!-- SECRETCOMMENT --><form><input value=\"SECRETINPUT\"></form>"
                      "</article></body>",
                      NULL, &e),
              0);
    CHECK(has(e.html, "first paragraph"));
    CHECK(!has(e.html, "SECRET"));
    fk_extract_release(&e);
}

static void test_not_pages(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *why;
    } cases[] = {
        {"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", 20, "a PDF document"},
        {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "a PNG image"},
        {"\xFF\xD8\xFF\xE0\0\x10JFIF", 10, "a JPEG image"},
        {"GIF89a\x01\0\x01\0", 10, "a GIF image"},
        {"RIFF\x10\0\0\0WEBPVP8 ", 16, "a WebP image"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fk_extract e;
        struct fk_error err = {0};
        CHECK_INT(fk_extract_page(cases[i].bytes, cases[i].len, NULL, &e, &err), -1);
        CHECK_INT(err.kind, FK_ERROR_INPUT);
        CHECK(has(err.message, cases[i].why));
        CHECK(e.html == NULL && e.title == NULL);
        fk_extract_release(&e);
    }
}

static void test_empty(void)
{
    static const char *const pages[] = {
        "",
        "   \n",
        "<html><head><title>Empty</title></head><body></body></html>",
        ("<body><script>var a = 'only a script, with commas, and words, and more words';"
         "</script><nav><a href=\"/\">Home</a></nav></body>"),
        "\xEF\xBB\xBF",
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        struct fk_extract e;
        CHECK_INT(extract(pages[i], NULL, &e), 0);
        CHECK_STR(e.html, "");
        fk_extract_release(&e);
    }
    struct fk_extract e;
    struct fk_error err = {0};
    CHECK_INT(fk_extract_page(NULL, 0, NULL, &e, &err), 0);
    CHECK_STR(e.html, "");
    CHECK_INT(e.published, FK_TIME_NONE);
    fk_extract_release(&e);
}

/* 100,000 nested divs with text at the bottom: bounded time, no crash
 * (no walk recurses; nesting past FK_EXTRACT_DEPTH_MAX is flattened), and
 * the text is still found. */
static void test_deep_nesting(void)
{
    enum { LEVELS = 100000 };
    struct fk_buf page = FK_BUF_INIT;
    fk_buf_adds(&page, "<html><body>");
    for (int i = 0; i < LEVELS; i++)
        fk_buf_adds(&page, "<div>");
    fk_buf_adds(&page, PARAGRAPHS);
    for (int i = 0; i < LEVELS; i++)
        fk_buf_adds(&page, "</div>");
    fk_buf_adds(&page, "</body></html>");
    clock_t start = clock();
    struct fk_extract e;
    struct fk_error err = {0};
    CHECK_INT(fk_extract_page(page.data, page.len, NULL, &e, &err), 0);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    CHECK(seconds < 20);
    CHECK(has(e.html, "first paragraph"));
    CHECK(has(e.html, "fourth paragraph"));
    fk_extract_release(&e);
    fk_buf_release(&page);

    /* unclosed, and mixed with other elements */
    fk_buf_adds(&page, "<body>");
    for (int i = 0; i < LEVELS; i++)
        fk_buf_adds(&page, i % 3 ? "<div class=\"content\">" : "<section><span>x ");
    CHECK_INT(fk_extract_page(page.data, page.len, NULL, &e, &err), 0);
    fk_extract_release(&e);
    fk_buf_release(&page);
}

int main(void)
{
    RUN(test_metadata_precedence);
    RUN(test_candidate_choice);
    RUN(test_link_density);
    RUN(test_base_href);
    RUN(test_hidden_and_scripts);
    RUN(test_not_pages);
    RUN(test_empty);
    RUN(test_deep_nesting);
    return DONE();
}
