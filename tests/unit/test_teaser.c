/* test_teaser.c - which feed items are teasers: short texts, ellipses,
 * "read more" links to the item's own page, and the sites whose feeds
 * carry whole articles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/buf.h"
#include "feedkeep/teaser.h"
#include "harness.h"

/* A text of n words ("word0 word1 ..."), a new string. */
static char *words(size_t n)
{
    struct fk_buf buf = FK_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        fk_buf_printf(&buf, "%sword%zu", i ? " " : "", i);
    return fk_buf_detach(&buf);
}

static void test_words(void)
{
    CHECK_INT((long)fk_teaser_words(NULL), 0);
    CHECK_INT((long)fk_teaser_words(""), 0);
    CHECK_INT((long)fk_teaser_words("  one, two -- three!\n\nfour"), 4);
    CHECK_INT((long)fk_teaser_words("naïve café déjà-vu"), 4);
    /* Each CJK character is a word; the ideographic full stop is not. */
    CHECK_INT((long)fk_teaser_words("日本語の文章。"), 6);
    CHECK_INT((long)fk_teaser_words("… → «»"), 0);
}

static void test_length(void)
{
    char *short_text = words(FK_TEASER_WORDS - 1);
    char *long_text = words(FK_TEASER_WORDS);
    CHECK(fk_teaser_is(NULL, NULL, NULL));
    CHECK(fk_teaser_is("<p>x</p>", "x", "http://example.com/a"));
    CHECK(fk_teaser_is(NULL, short_text, NULL));
    CHECK(!fk_teaser_is(NULL, long_text, NULL));
    free(short_text);
    free(long_text);
}

/* A long text with suffix after it. */
static bool long_ending(const char *suffix)
{
    char *text = words(400);
    struct fk_buf buf = FK_BUF_INIT;
    fk_buf_printf(&buf, "%s%s", text, suffix);
    bool teaser = fk_teaser_is(NULL, buf.data, NULL);
    fk_buf_release(&buf);
    free(text);
    return teaser;
}

static void test_ellipsis(void)
{
    CHECK(long_ending("..."));
    CHECK(long_ending(" \xE2\x80\xA6"));
    CHECK(long_ending(" [\xE2\x80\xA6]"));
    CHECK(long_ending(" [...]\n"));
    CHECK(long_ending(" (...)"));
    /* The WordPress excerpt mark, followed by its "appeared first" line */
    CHECK(long_ending(" [\xE2\x80\xA6]\n\nThe post Title appeared first on Site."));
    CHECK(!long_ending("."));
    CHECK(!long_ending(" and so on. The end"));
    /* An ellipsis inside the text is no teaser */
    CHECK(!long_ending(" wait... and then it ended."));
}

/* Whether a long item whose HTML ends with link is a teaser of url. */
static bool long_with_link(const char *link, const char *url)
{
    char *text = words(400);
    struct fk_buf html = FK_BUF_INIT;
    fk_buf_printf(&html, "<p>%s</p><p>%s</p>", text, link);
    bool teaser = fk_teaser_is(html.data, text, url);
    fk_buf_release(&html);
    free(text);
    return teaser;
}

static void test_read_more_link(void)
{
    const char *url = "https://blog.example.com/2024/post/";
    CHECK(long_with_link("<a href=\"https://blog.example.com/2024/post/\">Read more</a>", url));
    CHECK(long_with_link("<a class=x href='http://www.blog.example.com/2024/post#more'>"
                         "Continue reading <span>Post title</span> &rarr;</a>",
                         url));
    CHECK(long_with_link("<A HREF=/2024/post>read more &raquo;</A>", url));
    CHECK(long_with_link("<a href=\"https://blog.example.com/2024/post\">[&hellip;]</a>", url));
    CHECK(long_with_link("<a href=\"https://blog.example.com/2024/post\">More</a>", url));
    CHECK(long_with_link("<a href=\"https://blog.example.com/2024/post\">Weiterlesen</a>", url));
    CHECK(long_with_link("<a href=\"https://blog.example.com/2024/post\">Lire la suite</a>", url));
    /* Another page, or words that are not about the rest */
    CHECK(!long_with_link("<a href=\"https://blog.example.com/other\">Read more</a>", url));
    CHECK(!long_with_link("<a href=\"https://blog.example.com/2024/post\">permalink</a>", url));
    CHECK(!long_with_link("<a href=\"https://blog.example.com/2024/post\">More cats</a>", url));
    CHECK(!long_with_link("<a name=\"x\">Read more</a>", url));
    CHECK(!long_with_link("Read more", url));
    /* Broken markup stops the scanner, nothing else */
    CHECK(!long_with_link("<a href=\"https://blog.example.com/2024/post\"", url));
    CHECK(!long_with_link("<a href", url));
}

static void test_whole_sites(void)
{
    CHECK(fk_teaser_whole_site("https://dev.to/someone/a-post-1a2b"));
    CHECK(fk_teaser_whole_site("https://DEV.TO/feed/someone"));
    CHECK(fk_teaser_whole_site("http://user@dev.to:443/x"));
    CHECK(fk_teaser_whole_site("https://community.dev.to/x"));
    CHECK(!fk_teaser_whole_site("https://notdev.to/x"));
    CHECK(!fk_teaser_whole_site("https://dev.to.example.com/x"));
    CHECK(!fk_teaser_whole_site("https://example.com/dev.to"));
    CHECK(!fk_teaser_whole_site("dev.to"));
    CHECK(!fk_teaser_whole_site(NULL));
}

static void test_hosts(void)
{
    char host[64];
    CHECK(fk_teaser_url_host("https://User@Example.COM.:8080/x", host, sizeof host));
    CHECK_STR(host, "example.com");
    CHECK(fk_teaser_url_host("http://[::1]:80/", host, sizeof host));
    CHECK_STR(host, "::1");
    CHECK(fk_teaser_url_host("http://[fe80::1%25eth0]/", host, sizeof host));
    CHECK_STR(host, "fe80::1");
    CHECK(fk_teaser_url_host("http://a.b?q=@c", host, sizeof host));
    CHECK_STR(host, "a.b");
    CHECK(!fk_teaser_url_host("http:///path", host, sizeof host));
    CHECK(!fk_teaser_url_host("no scheme", host, sizeof host));
    CHECK(!fk_teaser_url_host("http://a-very-long-host-name.example/", host, 8));
    CHECK(!fk_teaser_url_host(NULL, host, sizeof host));

    CHECK(fk_teaser_reserved_host("http://example.com/1"));
    CHECK(fk_teaser_reserved_host("https://www.example.org/a"));
    CHECK(fk_teaser_reserved_host("http://blog.test/a"));
    CHECK(fk_teaser_reserved_host("http://x.invalid/"));
    CHECK(!fk_teaser_reserved_host("http://myexample.com/"));
    CHECK(!fk_teaser_reserved_host("http://127.0.0.1:8080/page"));
}

int main(void)
{
    RUN(test_words);
    RUN(test_length);
    RUN(test_ellipsis);
    RUN(test_read_more_link);
    RUN(test_whole_sites);
    RUN(test_hosts);
    return DONE();
}
