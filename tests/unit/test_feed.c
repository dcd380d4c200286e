/* test_feed.c - the feed parser on small inline documents and the dev.to
 * sample: formats, namespaces, xml:base, content types, recovery, and
 * hostile input. */
#include "feedkeep/feed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "harness.h"

/* A byte string with its length: the inputs hold NUL bytes. */
#define BYTES(s) s, sizeof(s) - 1

#define MAX_ITEMS      32
#define MAX_TAGS       16
#define MAX_ENCLOSURES 80

/* What the callbacks saw, copied: the parser's strings die with the call. */
struct got_item {
    char *guid, *url, *title, *title_html, *author, *published_raw, *updated_raw;
    char *summary, *content, *base;
    char *warning;
    int64_t published, updated;
    char *tags[MAX_TAGS];
    size_t ntags;
    char *enclosures[MAX_ENCLOSURES]; /* "url type length kind", "-" for none */
    size_t nenclosures;
};

struct result {
    int rc;
    struct fk_error err;
    struct fk_feed_info info;
    int feed_calls;
    int items_before_feed; /* items delivered before on_feed ran */
    int nitems;            /* items delivered */
    int stop_after;        /* on_item returns 1 after this many; 0 = never */
    struct got_item items[MAX_ITEMS];
};

static int on_feed(const struct fk_feed_info *feed, void *ctx)
{
    struct result *r = ctx;
    (void)feed;
    if (r->feed_calls++ == 0)
        r->items_before_feed = r->nitems;
    return 0;
}

static int on_item(const struct fk_item *item, void *ctx)
{
    struct result *r = ctx;
    if (r->nitems < MAX_ITEMS) {
        struct got_item *g = &r->items[r->nitems];
        g->guid = fk_xstrdup(item->guid);
        g->url = fk_xstrdup(item->url);
        g->title = fk_xstrdup(item->title);
        g->title_html = fk_xstrdup(item->title_html);
        g->author = fk_xstrdup(item->author);
        g->published_raw = fk_xstrdup(item->published_raw);
        g->updated_raw = fk_xstrdup(item->updated_raw);
        g->summary = fk_xstrdup(item->summary_html);
        g->content = fk_xstrdup(item->content_html);
        g->base = fk_xstrdup(item->base_url);
        g->warning = fk_xstrdup(item->warning);
        g->published = item->published;
        g->updated = item->updated;
        for (size_t i = 0; i < item->ntags && i < MAX_TAGS; i++)
            g->tags[g->ntags++] = fk_xstrdup(item->tags[i]);
        for (size_t i = 0; i < item->nenclosures && i < MAX_ENCLOSURES; i++) {
            const struct fk_enclosure *e = &item->enclosures[i];
            struct fk_buf b = FK_BUF_INIT;
            fk_buf_printf(&b, "%s %s ", e->url, e->type ? e->type : "-");
            if (e->length >= 0)
                fk_buf_printf(&b, "%lld", (long long)e->length);
            else
                fk_buf_adds(&b, "-");
            fk_buf_printf(&b, " %s", e->kind);
            g->enclosures[g->nenclosures++] = fk_buf_detach(&b);
        }
    }
    r->nitems++;
    return r->stop_after && r->nitems >= r->stop_after;
}

static void result_release(struct result *r)
{
    for (int i = 0; i < r->nitems && i < MAX_ITEMS; i++) {
        struct got_item *g = &r->items[i];
        free(g->guid);
        free(g->url);
        free(g->title);
        free(g->title_html);
        free(g->author);
        free(g->published_raw);
        free(g->updated_raw);
        free(g->summary);
        free(g->content);
        free(g->base);
        free(g->warning);
        for (size_t t = 0; t < g->ntags; t++)
            free(g->tags[t]);
        for (size_t e = 0; e < g->nenclosures; e++)
            free(g->enclosures[e]);
    }
    fk_feed_info_release(&r->info);
    memset(r, 0, sizeof *r);
}

static void parse_len(struct result *r, const char *xml, size_t len, const char *base_url,
                      const char *charset)
{
    struct fk_parse_options opts = {.base_url = base_url, .charset = charset};
    struct fk_feed_handler handler = {on_feed, on_item, r};
    r->rc = fk_feed_parse_memory(xml, len, &opts, &handler, &r->info, &r->err);
}

static void parse(struct result *r, const char *xml, const char *base_url)
{
    parse_len(r, xml, strlen(xml), base_url, NULL);
}

static const char *time_str(int64_t t, char *buf)
{
    return t == FK_TIME_NONE ? "none" : fk_date_format(t, buf);
}

/* ---- formats ------------------------------------------------------------ */

static void test_rss2(void)
{
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"\n"
        "     xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
        "     xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n"
        "<channel>\n"
        "  <title>Example &amp; Co</title>\n"
        "  <link>https://example.com/</link>\n"
        "  <description>All the news</description>\n"
        "  <language>en-gb</language>\n"
        "  <lastBuildDate>Sun, 07 Jun 2026 10:00:00 GMT</lastBuildDate>\n"
        "  <atom:link rel=\"self\" href=\"https://example.com/feed.xml\"/>\n"
        "  <image><url>https://example.com/logo.png</url><title>Logo</title>\n"
        "    <link>https://example.com/image-link</link></image>\n"
        "  <item>\n"
        "    <title>First post</title>\n"
        "    <link>https://example.com/1</link>\n"
        "    <guid isPermaLink=\"false\">post-1</guid>\n"
        "    <author>jane@example.com (Jane Doe)</author>\n"
        "    <pubDate>Sun, 07 Jun 2026 09:18:27 +0000</pubDate>\n"
        "    <category>C</category><category>Databases</category>\n"
        "    <description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>\n"
        "    <content:encoded><![CDATA[<p>The <em>whole</em> text</p>]]></content:encoded>\n"
        "  </item>\n"
        "  <item>\n"
        "    <title>Second</title>\n"
        "    <guid>https://example.com/2</guid>\n"
        "    <dc:creator>Max</dc:creator>\n"
        "  </item>\n"
        "</channel>\n"
        "</rss>\n";
    struct result r = {0};
    char buf[FK_DATE_BUFSIZE];
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_STR(r.info.error, NULL);
    CHECK_STR(r.info.format, "rss");
    CHECK_STR(r.info.title, "Example & Co");
    CHECK_STR(r.info.title_html, NULL);
    CHECK_STR(r.info.site_url, "https://example.com/");
    CHECK_STR(r.info.self_url, "https://example.com/feed.xml");
    CHECK_STR(r.info.description, "All the news");
    CHECK_STR(r.info.language, "en-gb");
    CHECK_STR(r.info.image_url, "https://example.com/logo.png");
    CHECK_STR(r.info.updated_raw, "Sun, 07 Jun 2026 10:00:00 GMT");
    CHECK_STR(time_str(r.info.updated, buf), "2026-06-07T10:00:00Z");
    CHECK_INT(r.feed_calls, 1);
    CHECK_INT(r.items_before_feed, 0);
    CHECK_INT(r.nitems, 2);

    struct got_item *a = &r.items[0];
    CHECK_STR(a->title, "First post");
    CHECK_STR(a->title_html, NULL);
    CHECK_STR(a->url, "https://example.com/1");
    CHECK_STR(a->guid, "post-1");
    CHECK_STR(a->author, "jane@example.com (Jane Doe)");
    CHECK_STR(a->published_raw, "Sun, 07 Jun 2026 09:18:27 +0000");
    CHECK_STR(time_str(a->published, buf), "2026-06-07T09:18:27Z");
    CHECK_STR(time_str(a->updated, buf), "none");
    CHECK_INT(a->ntags, 2);
    CHECK_STR(a->tags[0], "C");
    CHECK_STR(a->tags[1], "Databases");
    CHECK_STR(a->summary, "<p>Short <b>summary</b></p>");
    CHECK_STR(a->content, "<p>The <em>whole</em> text</p>");
    CHECK_STR(a->base, NULL);

    /* a permalink guid stands in for the missing link */
    struct got_item *b = &r.items[1];
    CHECK_STR(b->guid, "https://example.com/2");
    CHECK_STR(b->url, "https://example.com/2");
    CHECK_STR(b->author, "Max");
    CHECK_STR(b->summary, NULL);
    result_release(&r);
}

static void test_rss1_rdf(void)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
        "         xmlns=\"http://purl.org/rss/1.0/\"\n"
        "         xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
        "  <channel rdf:about=\"http://example.org/\">\n"
        "    <title>RDF site</title>\n"
        "    <link>http://example.org/</link>\n"
        "    <items><rdf:Seq><rdf:li rdf:resource=\"http://example.org/1\"/></rdf:Seq></items>\n"
        "  </channel>\n"
        "  <image rdf:about=\"http://example.org/i.png\"><url>http://example.org/i.png</url>"
        "</image>\n"
        "  <item rdf:about=\"http://example.org/1\">\n"
        "    <title>One</title>\n"
        "    <link>http://example.org/1.html</link>\n"
        "    <description>First item</description>\n"
        "    <dc:date>2003-12-31T10:14:55Z</dc:date>\n"
        "    <dc:subject>rdf</dc:subject>\n"
        "    <dc:creator>Tim</dc:creator>\n"
        "  </item>\n"
        "</rdf:RDF>\n";
    struct result r = {0};
    char buf[FK_DATE_BUFSIZE];
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_STR(r.info.format, "rdf");
    CHECK_STR(r.info.title, "RDF site");
    CHECK_STR(r.info.site_url, "http://example.org/");
    CHECK_STR(r.info.image_url, "http://example.org/i.png");
    CHECK_INT(r.nitems, 1);
    struct got_item *a = &r.items[0];
    CHECK_STR(a->guid, "http://example.org/1");
    CHECK_STR(a->url, "http://example.org/1.html");
    CHECK_STR(a->title, "One");
    CHECK_STR(a->summary, "First item");
    CHECK_STR(a->author, "Tim");
    /* dc:date is the only date RSS 1.0 has: it is both */
    CHECK_STR(time_str(a->published, buf), "2003-12-31T10:14:55Z");
    CHECK_STR(time_str(a->updated, buf), "2003-12-31T10:14:55Z");
    CHECK_INT(a->ntags, 1);
    CHECK_STR(a->tags[0], "rdf");
    result_release(&r);
}

static void test_rss091(void)
{
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n"
        "  \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
        "<rss version=\"0.91\"><channel>\n"
        "<title>Old \xe9t\xe9</title><link>http://example.net/</link>\n"
        "<item><title>Item</title><link>http://example.net/a</link>"
        "<description>Plain</description></item>\n"
        "</channel></rss>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed); /* the external DTD is neither fetched nor needed */
    CHECK_STR(r.info.title, "Old \xc3\xa9t\xc3\xa9");
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].url, "http://example.net/a");
    CHECK_STR(r.items[0].summary, "Plain");
    result_release(&r);

    /* items straight under <rss>, no channel: some 0.9x feeds do that */
    parse(&r, "<rss><item><title>x</title><description>d</description></item></rss>", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].title, "x");
    result_release(&r);
}

static void test_atom10(void)
{
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n"
        "  <title type=\"text\">Atom &lt;feed&gt;</title>\n"
        "  <subtitle>Sub</subtitle>\n"
        "  <link rel=\"self\" href=\"http://example.org/feed.atom\"/>\n"
        "  <link href=\"http://example.org/\"/>\n"
        "  <updated>2003-12-13T18:30:02Z</updated>\n"
        "  <logo>http://example.org/logo.png</logo>\n"
        "  <author><name>Feed Author</name></author>\n"
        "  <entry>\n"
        "    <title type=\"html\">Ben &amp;amp; &lt;b&gt;Jerry&lt;/b&gt;</title>\n"
        "    <link rel=\"enclosure\" href=\"http://example.org/a.mp3\"/>\n"
        "    <link rel=\"alternate\" type=\"text/html\" href=\"http://example.org/2003/12/13\"/>\n"
        "    <link rel=\"alternate\" href=\"http://example.org/second-alternate\"/>\n"
        "    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>\n"
        "    <published>2003-12-13T08:29:29-04:00</published>\n"
        "    <updated>2003-12-13T18:30:02Z</updated>\n"
        "    <author><name>John</name><email>john@example.org</email></author>\n"
        "    <category term=\"atom\" label=\"Atom\"/>\n"
        "    <category label=\"Only a label\"/>\n"
        "    <summary>1 &lt; 2</summary>\n"
        "    <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p>Hello <b>world</b> &amp; &lt;tags&gt;<br/></p></div></content>\n"
        "    <image><title>not the title</title><id>not the id</id></image>\n"
        "  </entry>\n"
        "</feed>\n";
    struct result r = {0};
    char buf[FK_DATE_BUFSIZE];
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_STR(r.info.format, "atom");
    CHECK_STR(r.info.title, "Atom <feed>");
    CHECK_STR(r.info.title_html, NULL);
    CHECK_STR(r.info.site_url, "http://example.org/");
    CHECK_STR(r.info.self_url, "http://example.org/feed.atom");
    CHECK_STR(r.info.description, "Sub");
    CHECK_STR(r.info.language, "fr");
    CHECK_STR(r.info.image_url, "http://example.org/logo.png");
    CHECK_STR(time_str(r.info.updated, buf), "2003-12-13T18:30:02Z");
    CHECK_INT(r.nitems, 1);
    struct got_item *a = &r.items[0];
    CHECK_STR(a->title_html, "Ben &amp; <b>Jerry</b>");
    CHECK(a->title && strstr(a->title, "Jerry") != NULL); /* plain text, from content.c */
    CHECK_STR(a->url, "http://example.org/2003/12/13");
    CHECK_STR(a->guid, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
    CHECK_STR(time_str(a->published, buf), "2003-12-13T12:29:29Z");
    CHECK_STR(time_str(a->updated, buf), "2003-12-13T18:30:02Z");
    CHECK_STR(a->author, "John");
    CHECK_INT(a->ntags, 2);
    CHECK_STR(a->tags[0], "atom");
    CHECK_STR(a->tags[1], "Only a label");
    CHECK_STR(a->summary, "1 &lt; 2"); /* type text becomes HTML */
    CHECK_STR(a->content, "<p>Hello <b>world</b> &amp; &lt;tags&gt;<br /></p>");
    result_release(&r);
}

static void test_atom03(void)
{
    static const char xml[] =
        "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">\n"
        "  <title>Old Atom</title>\n"
        "  <tagline>The tagline</tagline>\n"
        "  <link rel=\"alternate\" type=\"text/html\" href=\"http://example.com/\"/>\n"
        "  <modified>2004-01-01T19:48:21Z</modified>\n"
        "  <entry>\n"
        "    <title mode=\"base64\" type=\"text/html\">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title>\n"
        "    <link rel=\"alternate\" type=\"text/html\" href=\"http://example.com/e\"/>\n"
        "    <id>tag:example.com,2004:1</id>\n"
        "    <issued>2003-12-31T10:14:55Z</issued>\n"
        "    <modified>2004-01-01T19:48:21Z</modified>\n"
        "    <summary type=\"text/html\" mode=\"escaped\">&lt;i&gt;sum&lt;/i&gt;</summary>\n"
        "    <content type=\"application/xhtml+xml\" mode=\"xml\">"
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>kept div</p></div></content>\n"
        "  </entry>\n"
        "</feed>\n";
    struct result r = {0};
    char buf[FK_DATE_BUFSIZE];
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_STR(r.info.format, "atom");
    CHECK_STR(r.info.title, "Old Atom");
    CHECK_STR(r.info.description, "The tagline");
    CHECK_STR(r.info.site_url, "http://example.com/");
    CHECK_STR(time_str(r.info.updated, buf), "2004-01-01T19:48:21Z");
    CHECK_INT(r.nitems, 1);
    struct got_item *a = &r.items[0];
    CHECK_STR(a->title_html, "Example <b>Atom</b>");
    CHECK_STR(a->url, "http://example.com/e");
    CHECK_STR(a->guid, "tag:example.com,2004:1");
    CHECK_STR(time_str(a->published, buf), "2003-12-31T10:14:55Z");
    CHECK_STR(time_str(a->updated, buf), "2004-01-01T19:48:21Z");
    CHECK_STR(a->summary, "<i>sum</i>");
    /* only Atom 1.0 wraps XHTML in a div that is not content */
    CHECK_STR(a->content, "<div><p>kept div</p></div>");
    result_release(&r);
}

/* One dev.to revision declared a meaningless default namespace. */
static void test_bogus_namespace(void)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<rss version=\"2.0\" xmlns=\"default\" xmlns:x=\"http://example.com/ext\">\n"
        "<channel><title>DEV</title><link>https://dev.to</link>\n"
        "<item><title>Post</title><link>https://dev.to/a/post</link>\n"
        "<guid>https://dev.to/a/post</guid><category>go</category>\n"
        "<x:description>an extension's element of the same local name</x:description>\n"
        "<description>the real one</description>\n"
        "<x:title>not the title</x:title>\n"
        "</item></channel></rss>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed); /* libxml2 only warns about "default" */
    CHECK_STR(r.info.title, "DEV");
    CHECK_STR(r.info.site_url, "https://dev.to");
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].title, "Post");
    CHECK_STR(r.items[0].url, "https://dev.to/a/post");
    CHECK_STR(r.items[0].summary, "the real one");
    CHECK_INT(r.items[0].ntags, 1);
    result_release(&r);
}

static void test_xml_base(void)
{
    static const char xml[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"http://example.org/blog/\">\n"
        "  <link href=\"./\"/>\n"
        "  <entry xml:base=\"2024/\">\n"
        "    <link href=\"post.html\"/>\n"
        "    <id>/ids/1</id>\n"
        "    <content type=\"html\" xml:base=\"/other/\">"
        "&lt;a href=\"x.html\"&gt;x&lt;/a&gt; &lt;img src='i.png'&gt; "
        "&lt;a href=\"#top\"&gt;top&lt;/a&gt; &lt;a href=\"mailto:a@b.c\"&gt;m&lt;/a&gt; "
        "&lt;a href=\"https://abs.example/\"&gt;abs&lt;/a&gt; &lt;a href=y.html&gt;y&lt;/a&gt;"
        "</content>\n"
        "    <summary type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<a href=\"s.html\">s</a></div></summary>\n"
        "  </entry>\n"
        "  <entry><link href=\"/root\"/></entry>\n"
        "</feed>\n";
    struct result r = {0};
    parse(&r, xml, "http://ignored.example/feed");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.site_url, "http://example.org/blog/");
    CHECK_INT(r.nitems, 2);
    struct got_item *a = &r.items[0];
    CHECK_STR(a->url, "http://example.org/blog/2024/post.html");
    CHECK_STR(a->guid, "http://example.org/ids/1");
    CHECK_STR(a->base, "http://example.org/blog/2024/");
    /* links in HTML resolved against the base at their element; fragments,
     * other schemes and absolute URLs untouched; everything else verbatim */
    CHECK_STR(a->content, "<a href=\"http://example.org/other/x.html\">x</a> "
                          "<img src='http://example.org/other/i.png'> "
                          "<a href=\"#top\">top</a> <a href=\"mailto:a@b.c\">m</a> "
                          "<a href=\"https://abs.example/\">abs</a> "
                          "<a href=\"http://example.org/other/y.html\">y</a>");
    CHECK_STR(a->summary, "<a href=\"http://example.org/blog/2024/s.html\">s</a>");
    CHECK_STR(r.items[1].url, "http://example.org/root");
    result_release(&r);

    /* without xml:base, the document URL is the base */
    parse(&r,
          "<rss><channel><link>/</link><item><link>../p/1</link>"
          "<description>&lt;a href=\"/q\"&gt;q&lt;/a&gt;</description></item></channel></rss>",
          "https://dev.to/feed/user");
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.site_url, "https://dev.to/");
    CHECK_STR(r.items[0].url, "https://dev.to/p/1");
    CHECK_STR(r.items[0].summary, "<a href=\"https://dev.to/q\">q</a>");
    CHECK_STR(r.items[0].base, "https://dev.to/feed/user");
    result_release(&r);
}

/* xml:base on elements inside inline XHTML, nested to any depth, and bases
 * that are not web addresses. */
static void test_xml_base_nested(void)
{
    static const char xml[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"http://example.org/blog/\">\n"
        "<entry xml:base=\"2024/\"><id>x</id>\n"
        "<content type=\"xhtml\" xml:base=\"posts/\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p xml:base=\"sub/\"><a href=\"d.html\">d</a> <img src=\"/i.png\" alt=\"i\"/>"
        "<span xml:base=\"http://other.example/\"><a href=\"o\">o</a></span></p>"
        "<a href=\"e.html\">e</a> <a href=\"#frag\">f</a></div></content>\n"
        "</entry></feed>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].content,
              "<p><a href=\"http://example.org/blog/2024/posts/sub/d.html\">d</a> "
              "<img alt=\"i\" src=\"http://example.org/i.png\" />"
              "<span><a href=\"http://other.example/o\">o</a></span></p>"
              "<a href=\"http://example.org/blog/2024/posts/e.html\">e</a> "
              "<a href=\"#frag\">f</a>");
    CHECK_STR(r.items[0].base, "http://example.org/blog/2024/");
    result_release(&r);

    /* RSS: xml:base on the channel and the item, and escaped HTML in CDATA */
    parse(&r,
          "<rss xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
          "<channel xml:base=\"https://site.example/a/\"><item xml:base=\"b/\">"
          "<link>c</link><content:encoded><![CDATA[<p><a href=\"d\">d</a>"
          "<img src=\"../e.png\"></p>]]></content:encoded></item></channel></rss>",
          "https://feeds.example/feed.xml");
    CHECK_STR(r.items[0].url, "https://site.example/a/b/c");
    CHECK_STR(r.items[0].content, "<p><a href=\"https://site.example/a/b/d\">d</a>"
                                  "<img src=\"https://site.example/a/e.png\"></p>");
    result_release(&r);

    /* a base that would turn relative links into scripts is ignored */
    parse(&r,
          "<rss><channel><link>/home</link><item xml:base=\"javascript:alert(1)//\">"
          "<link>p</link><description>&lt;a href=\"q\"&gt;q&lt;/a&gt;</description></item>"
          "</channel></rss>",
          "https://ok.example/feed");
    CHECK_STR(r.info.site_url, "https://ok.example/home");
    CHECK_STR(r.items[0].url, "https://ok.example/p");
    CHECK_STR(r.items[0].summary, "<a href=\"https://ok.example/q\">q</a>");
    result_release(&r);
    parse(&r, "<rss><channel><link>/home</link></channel></rss>", "javascript:alert(1)");
    CHECK_STR(r.info.site_url, "/home");
    result_release(&r);
    parse(&r, "<rss><channel><link>/home</link></channel></rss>", "data:text/html,x");
    CHECK_STR(r.info.site_url, "/home");
    result_release(&r);
}

static void test_content_types(void)
{
    static const char xml[] =
        "<rss version=\"2.0\"><channel>\n"
        "<item><title>Plain &amp;amp; escaped &lt;b&gt;bold&lt;/b&gt;</title>"
        "<description><p>naked <b>markup</b></p></description></item>\n"
        "<item><title>1 &lt; 2 and &lt;div&gt; considered harmful</title></item>\n"
        "</channel></rss>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 2);
    /* an RSS title with markup keeps its HTML beside the plain text */
    CHECK_STR(r.items[0].title_html, "Plain &amp; escaped <b>bold</b>");
    CHECK(r.items[0].title && !strchr(r.items[0].title, '<'));
    CHECK_STR(r.items[0].summary, "<p>naked <b>markup</b></p>");
    /* text that merely contains '<' is text */
    CHECK_STR(r.items[1].title, "1 < 2 and <div> considered harmful");
    CHECK_STR(r.items[1].title_html, NULL);
    result_release(&r);

    static const char atom[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>\n"
        "<title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">x &lt; <i>y</i></div>"
        "</title>\n"
        "<summary type=\"html\"><![CDATA[<p>cdata html</p>]]></summary>\n"
        "<content type=\"text\">a &lt;b&gt; c &amp; d</content>\n"
        "</entry><entry>\n"
        "<content type=\"application/octet-stream\">PGI+YmFzZTY0PC9iPg==</content>\n"
        "<summary type=\"html\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "typepad &lt;b&gt;style&lt;/b&gt;</div></summary>\n"
        "</entry></feed>\n";
    parse(&r, atom, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 2);
    CHECK_STR(r.items[0].title_html, "x &lt; <i>y</i>");
    CHECK_STR(r.items[0].summary, "<p>cdata html</p>");
    CHECK_STR(r.items[0].content, "a &lt;b&gt; c &amp; d");
    CHECK_STR(r.items[1].content, "<b>base64</b>");
    CHECK_STR(r.items[1].summary, "typepad <b>style</b>");
    result_release(&r);

    /* inline SVG keeps its namespace; xhtml:body is content */
    parse(&r,
          "<rss xmlns:x=\"http://www.w3.org/1999/xhtml\"><channel><item>"
          "<x:body><x:p>body <x:svg xmlns:s=\"http://www.w3.org/2000/svg\"/>"
          "<s:svg xmlns:s=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"2\">"
          "<s:circle r=\"1\"/></s:svg></x:p></x:body>"
          "</item></channel></rss>",
          NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.items[0].content,
              "<p>body <svg></svg><svg height=\"2\" width=\"1\" "
              "xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"></circle></svg></p>");
    result_release(&r);
}

static void test_categories(void)
{
    static const char xml[] =
        "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
        "     xmlns:media=\"http://search.yahoo.com/mrss/\"\n"
        "     xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>\n"
        "<item>\n"
        "  <category domain=\"x\"> spaced </category><category>spaced</category>\n"
        "  <category></category>\n"
        "  <dc:subject>Subject</dc:subject>\n"
        "  <media:category>media</media:category>\n"
        "  <itunes:category text=\"Technology\">"
        "<itunes:category text=\"Gadgets\"/></itunes:category>\n"
        "  <tags>one, two ,,three</tags>\n"
        "</item></channel></rss>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    static const char *const want[] = {"spaced",  "Subject", "media", "Technology",
                                       "Gadgets", "one",     "two",   "three"};
    CHECK_INT(r.items[0].ntags, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < r.items[0].ntags && i < sizeof want / sizeof want[0]; i++)
        CHECK_STR(r.items[0].tags[i], want[i]);
    result_release(&r);
}

static void test_authors_and_priorities(void)
{
    static const char xml[] =
        "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
        "     xmlns:media=\"http://search.yahoo.com/mrss/\"\n"
        "     xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>\n"
        "<item><media:title>fallback</media:title><title>real</title>"
        "<itunes:author>pod</itunes:author><dc:creator>creator</dc:creator></item>\n"
        "<item><title>real</title><media:title>fallback</media:title>"
        "<itunes:author>pod only</itunes:author></item>\n"
        "<item><description>first</description><summary>second</summary></item>\n"
        "</channel></rss>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.nitems, 3);
    CHECK_STR(r.items[0].title, "real");
    CHECK_STR(r.items[0].author, "creator");
    CHECK_STR(r.items[1].title, "real");
    CHECK_STR(r.items[1].author, "pod only");
    /* feedparser: a second summary-like element becomes the content */
    CHECK_STR(r.items[2].summary, "first");
    CHECK_STR(r.items[2].content, "second");
    result_release(&r);
}

static void test_enclosures(void)
{
    static const char rss[] =
        "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"\n"
        "     xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\n"
        "<channel xml:base=\"http://example.com/pod/\"><title>Pod</title>\n"
        "<item><title>Episode 1</title>\n"
        "  <enclosure url=\"audio/ep1.mp3\" type=\"audio/mpeg\" length=\"12345678\"/>\n"
        /* the same file again, as media:content: one enclosure, first one's values */
        "  <media:content url=\"audio/ep1.mp3\" type=\"audio/x-mp3\" fileSize=\"1\"/>\n"
        "  <media:group xml:base=\"video/\">\n"
        "    <media:content url=\"ep1.mp4\" type=\"video/mp4\" fileSize=\" 55 \">"
        "<media:thumbnail url=\"t1.jpg\"/><media:title>not a title</media:title>"
        "</media:content>\n"
        "    <media:content url=\"ep1.webm\"/>\n"
        "    <media:thumbnail url=\"https://cdn.example/t.jpg\" width=\"120\"/>\n"
        "  </media:group>\n"
        "  <itunes:image href=\"ep1.jpg\"/>\n"
        "  <enclosure url=\" \" type=\"audio/mpeg\"/>\n"
        "  <enclosure type=\"audio/mpeg\"/>\n"
        "  <enclosure url=\"x.ogg\" type=\"\" length=\"1e6\"/>\n"
        "  <enclosure url=\"y.ogg\" length=\"99999999999999999999\"/>\n"
        "  <enclosure url=\"z.ogg\" length=\"0\"/>\n"
        "</item>\n"
        "<item><title>no enclosures</title><media:thumbnail/></item>\n"
        "</channel></rss>\n";
    struct result r = {0};
    parse(&r, rss, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_INT(r.nitems, 2);
    CHECK_STR(r.items[0].title, "Episode 1");
    static const char *const want[] = {
        "http://example.com/pod/audio/ep1.mp3 audio/mpeg 12345678 file",
        "http://example.com/pod/video/ep1.mp4 video/mp4 55 file",
        "http://example.com/pod/video/t1.jpg - - thumbnail",
        "http://example.com/pod/video/ep1.webm - - file",
        "https://cdn.example/t.jpg - - thumbnail",
        "http://example.com/pod/ep1.jpg - - thumbnail",
        "http://example.com/pod/x.ogg - - file",
        "http://example.com/pod/y.ogg - - file",
        "http://example.com/pod/z.ogg - 0 file",
    };
    CHECK_INT(r.items[0].nenclosures, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < r.items[0].nenclosures && i < sizeof want / sizeof want[0]; i++)
        CHECK_STR(r.items[0].enclosures[i], want[i]);
    CHECK_INT(r.items[1].nenclosures, 0);
    result_release(&r);

    /* Atom: links with rel="enclosure", resolved against xml:base; a
     * thumbnail of the same URL as a later file becomes that file */
    static const char atom[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:media=\"http://search.yahoo.com/mrss/\"\n"
        "      xml:base=\"https://example.org/\">\n"
        "<entry><id>e1</id>\n"
        "  <link rel=\"alternate\" href=\"/posts/1\"/>\n"
        "  <media:thumbnail url=\"/media/a.png\"/>\n"
        "  <link rel=\"enclosure\" href=\"/media/a.png\" type=\"image/png\" length=\"2048\"/>\n"
        "  <link rel=\"enclosure\" xml:base=\"https://cdn.example.org/x/\" href=\"b.mp3\""
        " type=\"audio/mpeg\"/>\n"
        "  <link rel=\"related\" href=\"/not-an-enclosure\"/>\n"
        "</entry></feed>\n";
    parse(&r, atom, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].url, "https://example.org/posts/1");
    CHECK_INT(r.items[0].nenclosures, 2);
    CHECK_STR(r.items[0].enclosures[0], "https://example.org/media/a.png image/png 2048 file");
    CHECK_STR(r.items[0].enclosures[1], "https://cdn.example.org/x/b.mp3 audio/mpeg - file");
    result_release(&r);

    /* the document URL is the base when there is no xml:base */
    parse(&r, "<rss><channel><item><enclosure url=\"../a.mp3\"/></item></channel></rss>",
          "https://example.net/feeds/main.xml");
    CHECK_INT(r.items[0].nenclosures, 1);
    CHECK_STR(r.items[0].enclosures[0], "https://example.net/a.mp3 - - file");
    result_release(&r);

    /* at most FK_FEED_ENCLOSURES_MAX per item */
    struct fk_buf doc = FK_BUF_INIT;
    fk_buf_adds(&doc, "<rss><channel><item>");
    for (int i = 0; i < FK_FEED_ENCLOSURES_MAX + 10; i++)
        fk_buf_printf(&doc, "<enclosure url=\"http://e.example/%d\"/>", i);
    fk_buf_adds(&doc, "<title>after</title></item></channel></rss>");
    parse(&r, doc.data, NULL);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].title, "after");
    CHECK_INT(r.items[0].nenclosures, FK_FEED_ENCLOSURES_MAX);
    CHECK_STR(r.items[0].enclosures[FK_FEED_ENCLOSURES_MAX - 1], "http://e.example/63 - - file");
    result_release(&r);
    fk_buf_release(&doc);
}

/* The feed's image: RSS image/url, Atom logo else icon, itunes:image. */
static void test_feed_image(void)
{
    static const struct {
        const char *xml, *base, *image;
    } cases[] = {
        {"<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>"
         "<itunes:image href=\"art.jpg\"/><image><url>logo.png</url></image></channel></rss>",
         "http://p.example/feed", "http://p.example/logo.png"},
        {"<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>"
         "<itunes:image href=\" art.jpg \"/></channel></rss>",
         "http://p.example/feed", "http://p.example/art.jpg"},
        {"<feed xmlns=\"http://www.w3.org/2005/Atom\"><icon>/i.ico</icon></feed>",
         "http://a.example/x/", "http://a.example/i.ico"},
        {"<feed xmlns=\"http://www.w3.org/2005/Atom\"><logo>l.png</logo><icon>/i.ico</icon>"
         "</feed>",
         "http://a.example/x/", "http://a.example/x/l.png"},
        {"<rss><channel><item><image><url>not the feed's</url></image></item></channel></rss>",
         NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = {0};
        parse(&r, cases[i].xml, cases[i].base);
        CHECK_INT(r.rc, 0);
        CHECK_STR(r.info.image_url, cases[i].image);
        result_release(&r);
    }
}

/* ---- broken and hostile input -------------------------------------------------- */

static void test_recovery(void)
{
    /* a bare '&' in the middle item: libxml2 recovers, we put the text back */
    static const char amp[] =
        "<rss><channel><title>t</title>\n"
        "<item><title>one</title></item>\n"
        "<item><title>Q & A</title><link>http://x.example/?a=1&b=2&amp;c=3</link>"
        "<description>&lt;p&gt;still &lt;b&gt;html&lt;/b&gt; &amp;amp;&lt;/p&gt;</description>"
        "</item>\n"
        "<item><title>three &nbsp;&eacute;</title></item>\n"
        "</channel></rss>\n";
    struct result r = {0};
    parse(&r, amp, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK(r.info.error && strncmp(r.info.error, "line 3: ", 8) == 0);
    CHECK_INT(r.nitems, 3);
    CHECK_STR(r.items[1].title, "Q & A");
    CHECK_STR(r.items[1].url, "http://x.example/?a=1&b=2&c=3");
    CHECK_STR(r.items[1].summary, "<p>still <b>html</b> &amp;</p>");
    CHECK_STR(r.items[2].title, "three \xc2\xa0\xc3\xa9");
    result_release(&r);

    /* truncated: complete items are delivered, the cut one is not */
    static const char cut[] = "<rss><channel><title>t</title>"
                              "<item><title>a</title><link>http://a/</link></item>"
                              "<item><title>b</title><description>half of it";
    parse(&r, cut, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK(r.info.error != NULL);
    CHECK_STR(r.info.title, "t");
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].title, "a");
    CHECK_INT(r.feed_calls, 1);
    result_release(&r);

    /* mismatched tags inside an item */
    parse(&r,
          "<rss><channel><item><title>x</title><description><p>unclosed</description>"
          "</item><item><title>y</title></item></channel></rss>",
          NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK_INT(r.nitems, 2);
    CHECK_STR(r.items[0].title, "x");
    CHECK_STR(r.items[0].summary, "<p>unclosed</p>");
    CHECK_STR(r.items[1].title, "y");
    result_release(&r);
}

/* Naked HTML in RSS descriptions often leaves tags open (<br>, <p>, <img>)
 * or closes tags it never opened. libxml2 closes one element per end tag,
 * which would leave every later item inside the first; the parser closes
 * what the document means instead. */
static void test_unclosed_tags(void)
{
    struct fk_buf doc = FK_BUF_INIT;
    fk_buf_adds(&doc, "<rss><channel><title>t</title>");
    for (int i = 0; i < 300; i++)
        fk_buf_printf(&doc,
                      "<item><guid>g%d</guid><description>a<br>b<img src=\"/i.png\">"
                      "<p>c</description><title>t%d</title></item>\n",
                      i, i);
    fk_buf_adds(&doc, "</channel></rss>");
    struct result r = {0};
    parse(&r, doc.data, "http://h.example/");
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK(r.info.error && strstr(r.info.error, "mismatch"));
    CHECK_INT(r.nitems, 300);
    CHECK_STR(r.items[0].summary, "a<br />b<img src=\"http://h.example/i.png\" /><p>c</p>");
    CHECK_STR(r.items[0].title, "t0");
    CHECK_STR(r.items[MAX_ITEMS - 1].guid, "g31");
    CHECK_STR(r.items[MAX_ITEMS - 1].title, "t31");
    result_release(&r);
    fk_buf_release(&doc);

    static const struct {
        const char *name, *xml;
        int items;
        const char *summary, *title, *second;
    } cases[] = {
        /* an end tag that closes nothing open is ignored inside HTML */
        {"stray end tag",
         "<rss><channel><item><guid>a</guid><description>x</b>y</description><title>T</title>"
         "</item><item><guid>b</guid><title>U</title></item></channel></rss>",
         2, "xy", "T", "U"},
        /* end tags match without regard to case, as in HTML */
        {"case",
         "<rss><channel><item><guid>a</guid><description><P>x</p></description>"
         "<title>T</title></item><item><guid>b</guid><title>U</title></item></channel></rss>",
         2, "<P>x</P>", "T", "U"},
        /* in a plain field a misspelt end tag closes it, as libxml2 does */
        {"misspelt end tag",
         "<rss><channel><item><guid>a</guid><title>T</titel><link>http://l.example/</link>"
         "</item><item><guid>b</guid><title>U</title></item></channel></rss>",
         2, NULL, "T", "U"},
        {"atom xhtml",
         "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>a</id><title>T</title>"
         "<summary type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">x<br>y</div>"
         "</summary></entry><entry><id>b</id><title>U</title></entry></feed>",
         2, "x<br />y", "T", "U"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parse(&r, cases[i].xml, NULL);
        CHECK_INT(r.rc, 0);
        CHECK(!r.info.well_formed);
        harness_check_int(__FILE__, __LINE__, cases[i].name, r.nitems, cases[i].items);
        if (r.nitems == cases[i].items) {
            harness_check_str(__FILE__, __LINE__, cases[i].name, r.items[0].summary,
                              cases[i].summary);
            harness_check_str(__FILE__, __LINE__, cases[i].name, r.items[0].title, cases[i].title);
            harness_check_str(__FILE__, __LINE__, cases[i].name, r.items[1].title, cases[i].second);
        }
        result_release(&r);
    }
}

static void test_not_a_feed(void)
{
    struct result r = {0};
    parse(&r, "<!DOCTYPE html>\n<html><head><title>Hi</title></head><body><p>x</p></body></html>",
          NULL);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.err.kind, FK_ERROR_INPUT);
    CHECK_STR(r.err.message, "not an RSS or Atom feed (root element <html>)");
    CHECK_INT(r.nitems, 0);
    CHECK_INT(r.feed_calls, 0);
    CHECK_STR(r.info.title, NULL); /* final zeroed */
    result_release(&r);

    parse(&r, "", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err.message, "empty document");
    result_release(&r);

    parse(&r, " \n\t ", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err.message, "empty document");
    result_release(&r);

    /* JSON is read as a JSON Feed (test_jsonfeed.c), and refused as one */
    parse(&r, "{\"not\": \"xml\"}", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.err.kind, FK_ERROR_INPUT);
    CHECK_STR(r.err.message, "not a JSON Feed (no \"items\" array)");
    result_release(&r);

    parse(&r, "<?xml version=\"1.0\"?><opml version=\"2.0\"><body/></opml>", NULL);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err.message, "not an RSS or Atom feed (root element <opml>)");
    result_release(&r);

    parse_len(&r, "<rss/>", 6, NULL, "no-such-charset");
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err.message, "unknown character set 'no-such-charset'");
    result_release(&r);

    /* a feed with no items still announces itself */
    parse(&r, "<rss><channel><title>empty</title></channel></rss>", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.feed_calls, 1);
    CHECK_INT(r.nitems, 0);
    result_release(&r);
}

static double seconds_since(clock_t start)
{
    return (double)(clock() - start) / CLOCKS_PER_SEC;
}

static void test_billion_laughs(void)
{
    struct fk_buf doc = FK_BUF_INIT;
    fk_buf_adds(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
        fk_buf_printf(&doc, "<!ENTITY lol%d \"", i);
        for (int j = 0; j < 10; j++)
            fk_buf_printf(&doc, i == 1 ? "&lol;" : "&lol%d;", i - 1);
        fk_buf_adds(&doc, "\">\n");
    }
    fk_buf_adds(&doc, "]>\n<rss><channel><title>t</title><item><title>&lol9;</title>"
                      "<description>&lol9;</description></item></channel></rss>\n");
    struct result r = {0};
    clock_t start = clock();
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK(seconds_since(start) < 2.0);
    CHECK(!r.info.well_formed || r.rc < 0);
    for (int i = 0; i < r.nitems && i < MAX_ITEMS; i++)
        CHECK(!r.items[i].summary || strlen(r.items[i].summary) <= FK_FEED_FIELD_MAX);
    result_release(&r);
    fk_buf_release(&doc);

    /* quadratic blowup: one 50 kB entity referenced 50 000 times, no nesting
     * for libxml2 to catch; we stop at our own limit */
    fk_buf_adds(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"");
    for (int i = 0; i < 50000; i++)
        fk_buf_addc(&doc, 'A');
    fk_buf_adds(&doc, "\">]>\n<rss><channel><item><title>");
    for (int i = 0; i < 50000; i++)
        fk_buf_adds(&doc, "&a;");
    fk_buf_adds(&doc, "</title></item></channel></rss>\n");
    start = clock();
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK(seconds_since(start) < 2.0);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK(r.info.error && strstr(r.info.error, "entity expansion") != NULL);
    result_release(&r);
    fk_buf_release(&doc);
}

static void test_external_entity(void)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE rss [\n"
        "  <!ENTITY e SYSTEM \"file:///etc/passwd\">\n"
        "  <!ENTITY id \"tag:example.com,\">\n"
        "  <!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;\n"
        "]>\n"
        "<rss><channel><title>x&e;y</title>"
        "<item><guid isPermaLink=\"false\">&id;2006:1</guid><description>[&e;]</description>"
        "</item></channel></rss>\n";
    struct result r = {0};
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.title, "xy");
    CHECK_INT(r.nitems, 1);
    /* internal entities are substituted, external ones never read */
    CHECK_STR(r.items[0].guid, "tag:example.com,2006:1");
    CHECK(!r.items[0].summary || !strstr(r.items[0].summary, "root:"));
    CHECK(!r.info.title || !strstr(r.info.title, "root:"));
    result_release(&r);
}

static void test_field_limit(void)
{
    size_t big = FK_FEED_FIELD_MAX + 4096;
    struct fk_buf doc = FK_BUF_INIT;
    fk_buf_init(&doc, big + 4096);
    fk_buf_adds(&doc, "<rss><channel><item><title>t</title><description><![CDATA[");
    /* multi-byte characters, so the cut must respect UTF-8 */
    for (size_t n = 0; n + 3 <= big; n += 3)
        fk_buf_adds(&doc, "\xe2\x82\xac");
    fk_buf_adds(&doc, "]]></description></item><item><title>next</title></item>"
                      "</channel></rss>");
    struct result r = {0};
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 2);
    size_t len = r.items[0].summary ? strlen(r.items[0].summary) : 0;
    CHECK(len <= FK_FEED_FIELD_MAX && len > FK_FEED_FIELD_MAX - 3);
    CHECK(len % 3 == 0);
    CHECK_STR(r.items[0].warning, "summary longer than 8 MiB: truncated");
    CHECK_STR(r.items[1].title, "next");
    CHECK_STR(r.items[1].warning, NULL);
    result_release(&r);
    fk_buf_release(&doc);
}

/* libxml2 keeps all text up to the next '<' in memory, and refuses a CDATA
 * section over 10 MB: a longer run is cut before libxml2 (FK_TEXT_RUN_MAX),
 * the item delivered truncated with a warning, and the items after it
 * read. Only a run with nowhere to cut it still ends the document. */
static void test_text_without_markup(void)
{
    struct fk_buf doc = FK_BUF_INIT;
    fk_buf_init(&doc, 12 << 20);
    static const char *const shapes[][2] = {
        {"", "&lt;p&gt;no markup here, only escaped text&lt;/p&gt;\n"},
        {"<![CDATA[", "<p>html in a CDATA section, with ]] and ]> in it</p>\n"},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        fk_buf_reset(&doc);
        fk_buf_adds(&doc, "<rss><channel><item><title>before</title></item>"
                          "<item><title>huge</title><description>");
        fk_buf_adds(&doc, shapes[k][0]);
        while (doc.len < (11 << 20))
            fk_buf_adds(&doc, shapes[k][1]);
        fk_buf_adds(&doc, k ? "]]>" : "");
        fk_buf_adds(&doc, "</description><link>http://example.com/huge</link></item>"
                          "<item><title>after</title></item></channel></rss>");
        struct result r = {0};
        parse_len(&r, doc.data, doc.len, NULL, NULL);
        CHECK_INT(r.rc, 0);
        CHECK(r.info.well_formed);
        CHECK_STR(r.info.error, NULL);
        CHECK_INT(r.nitems, 3);
        CHECK_STR(r.items[0].title, "before");
        CHECK_STR(r.items[0].warning, NULL);
        CHECK_STR(r.items[1].title, "huge");
        CHECK_STR(r.items[1].url, "http://example.com/huge"); /* read after the cut */
        CHECK_STR(r.items[1].warning, "summary longer than 8 MiB: truncated");
        size_t len = r.items[1].summary ? strlen(r.items[1].summary) : 0;
        CHECK(len > (6 << 20) && len <= FK_FEED_FIELD_MAX);
        CHECK_STR(r.items[2].title, "after");
        CHECK_STR(r.items[2].warning, NULL);
        result_release(&r);
    }

    /* a big field with markup in it is read, and cut at FK_FEED_FIELD_MAX */
    fk_buf_reset(&doc);
    fk_buf_adds(&doc, "<rss><channel><item><description>");
    while (doc.len < (11 << 20))
        fk_buf_adds(&doc, "<p>naked markup, which libxml2 reads as it comes</p>\n");
    fk_buf_adds(&doc, "</description></item><item><title>after</title></item></channel></rss>");
    struct result r = {0};
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 2);
    CHECK(r.items[0].summary && strlen(r.items[0].summary) == FK_FEED_FIELD_MAX);
    CHECK_STR(r.items[0].warning, "summary longer than 8 MiB: truncated");
    CHECK_STR(r.items[1].title, "after");
    result_release(&r);

    /* a run with no blank, '&' or multi-byte character is cut all the
     * same, a few bytes past the limit: the item is kept truncated, and
     * the items after it are read */
    fk_buf_reset(&doc);
    fk_buf_adds(&doc, "<rss><channel><item><title>before</title></item>"
                      "<item><title>huge</title><description>");
    while (doc.len < (11 << 20))
        fk_buf_adds(&doc, "0123456789abcdefghijklmnopqrstuvwxyz");
    fk_buf_adds(&doc, "</description></item><item><title>after</title></item></channel></rss>");
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_INT(r.nitems, 3);
    if (r.nitems == 3) {
        CHECK_STR(r.items[0].title, "before");
        CHECK(r.items[1].summary && strlen(r.items[1].summary) == FK_FEED_FIELD_MAX);
        CHECK_STR(r.items[1].warning, "summary longer than 8 MiB: truncated");
        CHECK_STR(r.items[2].title, "after");
    }
    result_release(&r);

    /* Refused before any element (found by fuzzing): no feed was seen, so
     * the document is not one, rather than a feed without a format. */
    fk_buf_reset(&doc);
    fk_buf_adds(&doc, "<?xml version=\"1.0\"?>\n<rss");
    for (int i = 0; i <= 256; i++)
        fk_buf_printf(&doc, " a%d=\"\"", i);
    fk_buf_adds(&doc, "><channel><item><title>late</title></item></channel></rss>");
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err.message, "not an RSS or Atom feed (a tag with more than 256 attributes: "
                             "document refused past this point)");
    CHECK_INT(r.feed_calls, 0);
    CHECK_INT(r.nitems, 0);
    result_release(&r);

    /* blanks before the root are cut like any run, and the feed read */
    fk_buf_reset(&doc);
    fk_buf_adds(&doc, "<?xml version=\"1.0\"?>\n");
    while (doc.len < (11 << 20))
        fk_buf_adds(&doc, "                                                               \n");
    fk_buf_adds(&doc, "<rss><channel><item><title>late</title></item></channel></rss>");
    parse_len(&r, doc.data, doc.len, NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].title, "late");
    result_release(&r);
    fk_buf_release(&doc);
}

static void test_encodings(void)
{
    /* the declaration says UTF-8; the HTTP charset (opts) knows better */
    static const char latin1[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                                 "<rss><channel><title>caf\xe9</title></channel></rss>";
    struct result r = {0};
    parse_len(&r, latin1, sizeof latin1 - 1, NULL, "iso-8859-1");
    CHECK_INT(r.rc, 0);
    CHECK(r.info.well_formed);
    CHECK_STR(r.info.title, "caf\xc3\xa9");
    result_release(&r);

    /* UTF-16 with a byte order mark */
    static const char ascii[] = "<rss><channel><title>sixteen</title></channel></rss>";
    char utf16[2 + 2 * sizeof ascii];
    utf16[0] = (char)0xFF;
    utf16[1] = (char)0xFE;
    for (size_t i = 0; i < sizeof ascii - 1; i++) {
        utf16[2 + 2 * i] = ascii[i];
        utf16[3 + 2 * i] = 0;
    }
    parse_len(&r, utf16, 2 + 2 * (sizeof ascii - 1), NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.title, "sixteen");
    result_release(&r);

    /* &#146; means a Windows-1252 right quote, not a C1 control */
    parse(&r, "<rss><channel><item><title>don&#146;t</title></item></channel></rss>", NULL);
    CHECK_STR(r.items[0].title, "don\xe2\x80\x99t");
    result_release(&r);

    /* the same inside HTML, where the reference reaches the HTML parser */
    parse(&r,
          "<rss><channel><item><description>don&amp;#146;t &amp;#x80; &amp;#X9c; &amp;#129; "
          "&amp;#8217; &amp;#146 &amp;#99999999999999999999;</description></item></channel></rss>",
          NULL);
    CHECK_STR(r.items[0].summary,
              "don&#x2019;t &#x20ac; &#x153; &#129; &#8217; &#146 &#99999999999999999999;");
    result_release(&r);
}

/* Byte order marks, declarations and the caller's charset, all the way
 * through the parser: the title of a one-item feed in each. */
static void test_encodings_declared(void)
{
#define DOC(decl, title) decl "<rss><channel><item><title>" title "</title></item></channel></rss>"
    static const struct {
        const char *name, *xml;
        size_t len;
        const char *charset, *title;
    } cases[] = {
        {"utf-8 bom", BYTES("\xef\xbb\xbf" DOC("<?xml version=\"1.0\"?>", "caf\xc3\xa9")), NULL,
         "caf\xc3\xa9"},
        {"utf-16be bom",
         BYTES("\xfe\xff\0<\0r\0s\0s\0>\0<\0i\0t\0e\0m\0>\0<\0t\0i\0t\0l\0e\0>\x20\xac"
               "\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0i\0t\0e\0m\0>\0<\0/\0r\0s\0s\0>"),
         NULL, "\xe2\x82\xac"},
        {"utf-16le bom",
         BYTES("\xff\xfe<\0r\0s\0s\0>\0<\0i\0t\0e\0m\0>\0<\0t\0i\0t\0l\0e\0>\0\xe9\0"
               "<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0i\0t\0e\0m\0>\0<\0/\0r\0s\0s\0>\0"),
         NULL, "\xc3\xa9"},
        {"iso-8859-1", BYTES(DOC("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", "caf\xe9")),
         NULL, "caf\xc3\xa9"},
        {"windows-1252",
         BYTES(DOC("<?xml version=\"1.0\" encoding=\"windows-1252\"?>", "\x93quoted\x94 \x80")),
         NULL, "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac"},
        {"koi8-r", BYTES(DOC("<?xml version=\"1.0\" encoding=\"KOI8-R\"?>", "\xf0\xd2\xc9")), NULL,
         "\xd0\x9f\xd1\x80\xd0\xb8"},
        {"shift_jis",
         BYTES(DOC("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>", "\x93\xfa\x96\x7b")), NULL,
         "\xe6\x97\xa5\xe6\x9c\xac"},
        {"euc-jp", BYTES(DOC("<?xml version='1.0' encoding='EUC-JP'?>", "\xc6\xfc\xcb\xdc")), NULL,
         "\xe6\x97\xa5\xe6\x9c\xac"},
        {"charset beats the declaration",
         BYTES(DOC("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "caf\xe9")), "windows-1252",
         "caf\xc3\xa9"},
        {"utf-8 charset beats a latin-1 declaration",
         BYTES(DOC("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>", "caf\xc3\xa9")), "UTF-8",
         "caf\xc3\xa9"},
        {"a byte order mark beats the charset", BYTES("\xef\xbb\xbf" DOC("", "caf\xc3\xa9")),
         "iso-8859-1", "caf\xc3\xa9"},
    };
#undef DOC
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = {0};
        parse_len(&r, cases[i].xml, cases[i].len, NULL, cases[i].charset);
        CHECK_INT(r.rc, 0);
        if (!r.info.well_formed)
            fprintf(stderr, "%s: %s\n", cases[i].name, r.info.error);
        CHECK(r.info.well_formed);
        CHECK_INT(r.nitems, 1);
        harness_check_str(__FILE__, __LINE__, cases[i].name, r.nitems ? r.items[0].title : NULL,
                          cases[i].title);
        result_release(&r);
    }
}

/* Bytes that are not text in the document's encoding, and NUL bytes, cost
 * a character each, never the rest of the feed (libxml2 alone stops at
 * the first one inside CDATA). */
static void test_invalid_bytes(void)
{
    static const char utf8[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss><channel><title>t</title>\n"
        "<item><title>one</title></item>\n"
        "<item><title>caf\xe9</title><description><![CDATA[<p>\x93q\x94 \xff</p>]]></description>"
        "</item>\n"
        "<item><title>three</title></item>\n"
        "</channel></rss>\n";
    struct result r = {0};
    parse(&r, utf8, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK_STR(r.info.error, "line 4: invalid UTF-8 (byte 0xE9): read as Windows-1252");
    CHECK_INT(r.nitems, 3);
    CHECK_STR(r.items[1].title, "caf\xc3\xa9");
    CHECK_STR(r.items[1].summary, "<p>\xe2\x80\x9cq\xe2\x80\x9d \xc3\xbf</p>");
    CHECK_STR(r.items[2].title, "three");
    result_release(&r);

    /* NUL bytes: in text, in CDATA, and as padding after the end */
    static const char nul[] = "<rss><channel><item><title>a\0b</title>"
                              "<description><![CDATA[c\0d]]></description></item>"
                              "<item><title>next</title></item></channel></rss>\0\0\0\0";
    parse_len(&r, nul, sizeof nul - 1, NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK_STR(r.info.error, "line 1: control character U+0000 is not allowed in XML: dropped");
    CHECK_INT(r.nitems, 2);
    CHECK_STR(r.items[0].title, "ab");
    CHECK_STR(r.items[0].summary, "cd");
    CHECK_STR(r.items[1].title, "next");
    result_release(&r);

    /* a declared encoding with bytes it does not define */
    static const char cp1252[] =
        "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel>"
        "<item><title>x\x81y</title></item><item><title>z</title></item></channel></rss>";
    parse(&r, cp1252, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK_INT(r.nitems, 2);
    CHECK_STR(r.items[0].title, "x\xef\xbf\xbdy");
    CHECK_STR(r.items[1].title, "z");
    result_release(&r);

    static const char sjis[] = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss><channel>"
                               "<item><title>\x93\xfa\x81\xff\x96\x7b</title></item>"
                               "<item><title>z</title></item></channel></rss>";
    parse(&r, sjis, NULL);
    CHECK_INT(r.nitems, 2);
    CHECK(r.nitems == 2 && r.items[0].title && strstr(r.items[0].title, "\xe6\x9c\xac"));
    CHECK_STR(r.items[1].title, "z");
    result_release(&r);

    /* a lone UTF-16 surrogate keeps the rest of the document aligned */
    static const char utf16[] =
        "\xff\xfe<\0r\0s\0s\0>\0<\0i\0t\0e\0m\0>\0<\0t\0i\0t\0l\0e\0>\0"
        "\x00\xd8x\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0i\0t\0e\0m\0>\0<\0/\0r\0s\0s\0>\0";
    parse_len(&r, utf16, sizeof utf16 - 1, NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK(!r.info.well_formed);
    CHECK_INT(r.nitems, 1);
    CHECK_STR(r.items[0].title, "\xef\xbf\xbdx");
    result_release(&r);

    /* an encoding no one knows: read as UTF-8, and said */
    parse(&r,
          "<?xml version=\"1.0\" encoding=\"x-unknown\"?><rss><channel><title>ok</title>"
          "</channel></rss>",
          NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(r.info.title, "ok");
    CHECK_STR(r.info.error, "line 1: unsupported encoding 'x-unknown': read as UTF-8");
    result_release(&r);

    /* libxml2's own two-line messages arrive as one line */
    parse(&r, "<rss><channel><title>a</title><x></channel></rss>", NULL);
    CHECK(!r.info.well_formed);
    CHECK(r.info.error && !strchr(r.info.error, '\n'));
    result_release(&r);
}

static void test_stop_and_fd(void)
{
    static const char xml[] = "<rss><channel><item><title>1</title></item>"
                              "<item><title>2</title></item><item><title>3</title></item>"
                              "</channel></rss>";
    struct result r = {0};
    r.stop_after = 2;
    parse(&r, xml, NULL);
    CHECK_INT(r.rc, -1);
    CHECK_INT(r.err.kind, FK_ERROR_NONE); /* err untouched */
    CHECK_INT(r.nitems, 2);
    result_release(&r);

    /* many items through a pipe, read in chunks */
    int fds[2];
    CHECK(pipe(fds) == 0);
    FILE *w = fdopen(fds[1], "w");
    CHECK(w != NULL);
    if (!w)
        return;
    /* the writer must not block on a full pipe: write from a child */
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        fputs("<rss><channel>", w);
        for (int i = 0; i < 20000; i++)
            fprintf(w, "<item><guid>g%d</guid><title>t</title></item>\n", i);
        fputs("</channel></rss>", w);
        fclose(w);
        _exit(0);
    }
    fclose(w);
    struct fk_feed_handler handler = {NULL, on_item, &r};
    r.rc = fk_feed_parse_fd(fds[0], NULL, &handler, NULL, &r.err);
    close(fds[0]);
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.nitems, 20000);
    CHECK_STR(r.items[MAX_ITEMS - 1].guid, "g31");
    result_release(&r);
}

/* ---- the dev.to sample -------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct fk_buf b = FK_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fk_buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return fk_buf_detach(&b);
}

struct devto {
    int items, complete;
    char *tags[128];
    int ntags;
};

static int devto_item(const struct fk_item *item, void *ctx)
{
    struct devto *d = ctx;
    d->items++;
    if (item->guid && item->url && item->title && item->author && item->published != FK_TIME_NONE)
        d->complete++;
    for (size_t i = 0; i < item->ntags; i++) {
        char *tag = fk_xstrdup(item->tags[i]);
        for (char *c = tag; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        int seen = 0;
        for (int t = 0; t < d->ntags; t++)
            seen |= strcmp(d->tags[t], tag) == 0;
        if (!seen && d->ntags < 128)
            d->tags[d->ntags++] = tag;
        else
            free(tag);
    }
    return 0;
}

static void test_devto(void)
{
    size_t len = 0;
    char *xml = read_file(FK_TEST_DATA "/devto-fuadhusnan.xml", &len);
    CHECK(xml != NULL);
    if (!xml)
        return;
    struct devto d = {0};
    struct fk_feed_handler handler = {NULL, devto_item, &d};
    struct fk_feed_info info;
    struct fk_error err = {0};
    struct fk_parse_options opts = {.base_url = "https://dev.to/feed/fuadhusnan_f44f3e13"};
    CHECK_INT(fk_feed_parse_memory(xml, len, &opts, &handler, &info, &err), 0);
    CHECK(info.well_formed);
    CHECK_STR(info.title, "DEV Community: Fu'ad Husnan");
    CHECK_STR(info.site_url, "https://dev.to/fuadhusnan_f44f3e13");
    CHECK_STR(info.self_url, "https://dev.to/feed/fuadhusnan_f44f3e13");
    CHECK_INT(d.items, 12);
    CHECK_INT(d.complete, 12);
    CHECK_INT(d.ntags, 24);
    for (int t = 0; t < d.ntags; t++)
        free(d.tags[t]);
    fk_feed_info_release(&info);
    free(xml);
}

int main(void)
{
    RUN(test_rss2);
    RUN(test_rss1_rdf);
    RUN(test_rss091);
    RUN(test_atom10);
    RUN(test_atom03);
    RUN(test_bogus_namespace);
    RUN(test_xml_base);
    RUN(test_xml_base_nested);
    RUN(test_content_types);
    RUN(test_categories);
    RUN(test_authors_and_priorities);
    RUN(test_enclosures);
    RUN(test_feed_image);
    RUN(test_recovery);
    RUN(test_unclosed_tags);
    RUN(test_not_a_feed);
    RUN(test_billion_laughs);
    RUN(test_external_entity);
    RUN(test_field_limit);
    RUN(test_text_without_markup);
    RUN(test_encodings);
    RUN(test_encodings_declared);
    RUN(test_invalid_bytes);
    RUN(test_stop_and_fd);
    RUN(test_devto);
    return DONE();
}
