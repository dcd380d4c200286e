/* test_opml.c - reading and writing OPML subscription lists. */
#include "feedkeep/opml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/xml.h"
#include "harness.h"

/* The outlines read, one "url|name|site" line each ("-" for NULL). */
struct seen {
    struct fk_buf lines;
    int stop_after; /* stop the parse after this many; 0: never */
    int count;
};

static int collect(const struct fk_opml_outline *o, void *ctx)
{
    struct seen *s = ctx;
    fk_buf_printf(&s->lines, "%s|%s|%s\n", o->url, o->name ? o->name : "-",
                  o->site_url ? o->site_url : "-");
    s->count++;
    return s->stop_after && s->count >= s->stop_after;
}

/* Parse doc; returns the lines, or "error: MESSAGE". The result is valid
 * until the next call. */
static const char *parse(const char *doc)
{
    static struct fk_buf out;
    struct seen s = {FK_BUF_INIT, 0, 0};
    struct fk_error err = {0};
    fk_buf_release(&out);
    fk_buf_init(&out, 0);
    if (fk_opml_parse_memory(doc, strlen(doc), collect, &s, &err) < 0)
        fk_buf_printf(&out, "error: %s", err.message);
    else
        fk_buf_adds(&out, s.lines.data ? s.lines.data : "");
    fk_buf_release(&s.lines);
    return out.data;
}

static void test_read(void)
{
    const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<opml version=\"2.0\"><head><title>mine</title></head><body>\n"
                      "  <outline text=\"Tech\">\n"
                      "    <outline text=\"Rust\" title=\"ignored\" type=\"rss\"\n"
                      "             xmlUrl=\" https://dev.to/feed/tag/rust \" "
                      "htmlUrl=\"https://dev.to/t/rust\"/>\n"
                      "    <outline text=\"Deeper\"><outline title=\"Only title\" "
                      "xmlurl=\"http://a/?x=1&amp;y=2\"/>"
                      "</outline>\n"
                      "  </outline>\n"
                      "  <outline text=\"no feed here\" htmlUrl=\"http://site/\"/>\n"
                      "  <outline XMLURL=\"http://b/feed\"/>\n"
                      "  <outline text=\"caf&#xE9; &lt;&amp;&gt;\" xmlUrl=\"http://c/\"/>\n"
                      "  <outline text=\"   \" xmlUrl=\"   \"/>\n"
                      "</body></opml>\n";
    CHECK_STR(parse(doc), "https://dev.to/feed/tag/rust|Rust|https://dev.to/t/rust\n"
                          "http://a/?x=1&y=2|Only title|-\n"
                          "http://b/feed|-|-\n"
                          "http://c/|caf\xC3\xA9 <&>|-\n");
    /* OPML 1.0 and no outlines at all are fine. */
    CHECK_STR(parse("<opml version=\"1.0\"><body/></opml>"), "");
}

static void test_refused(void)
{
    static const struct {
        const char *doc;
        const char *error;
    } cases[] = {
        {"<rss version=\"2.0\"><channel/></rss>",
         "error: not an OPML document (root element <rss>)"},
        {"", "error: empty document"},
        {" \n ", "error: empty document"},
        {"<opml><body><outline xmlUrl=\"http://a/\"></body></opml>",
         "error: not well-formed XML (line 1: Opening and ending tag mismatch: outline line 1 and "
         "body)"},
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY a \"aaaaaaaaaa\">"
         "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
         "<opml><body><outline text=\"&b;\" xmlUrl=\"http://a/\"/></body></opml>",
         "error: entity declarations are not accepted in OPML"},
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
         "<opml><body><outline text=\"&x;\" xmlUrl=\"http://a/\"/></body></opml>",
         "error: entity declarations are not accepted in OPML"},
        {"<opml><body><outline text=\"&nbsp;\" xmlUrl=\"http://a/\"/></body></opml>",
         "error: not well-formed XML (line 1: Entity 'nbsp' not defined)"},
        {"just text", "error: not an OPML document (not XML: line 1: Document is empty)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(parse(cases[i].doc), cases[i].error);
}

static void test_stop(void)
{
    const char *doc = "<opml><body><outline xmlUrl=\"http://a/\"/><outline xmlUrl=\"http://b/\"/>"
                      "<outline xmlUrl=\"http://c/\"/></body></opml>";
    struct seen s = {FK_BUF_INIT, 2, 0};
    struct fk_error err = {0};
    CHECK_INT(fk_opml_parse_memory(doc, strlen(doc), collect, &s, &err), -1);
    CHECK_INT(s.count, 2);
    CHECK_STR(err.message, "");
    fk_buf_release(&s.lines);
    CHECK_INT(fk_opml_parse_fd(-1, collect, &s, &err), -1);
}

/* A tag with more attributes than FK_TAG_ATTRS_MAX ends the list there:
 * the outlines before it are read, and the parse says why with 1. */
static void test_attribute_guard(void)
{
    struct fk_buf doc = FK_BUF_INIT;
    fk_buf_adds(&doc,
                "<opml><body>\n<outline xmlUrl=\"http://a/\"/>\n<outline xmlUrl=\"http://b/\"");
    for (int i = 0; i <= FK_TAG_ATTRS_MAX; i++)
        fk_buf_printf(&doc, " a%d=\"\"", i);
    fk_buf_adds(&doc, "/><outline xmlUrl=\"http://c/\"/></body></opml>");
    struct seen s = {FK_BUF_INIT, 0, 0};
    struct fk_error err = {0};
    CHECK_INT(fk_opml_parse_memory(doc.data, doc.len, collect, &s, &err), 1);
    CHECK_STR(s.lines.data, "http://a/|-|-\n");
    CHECK_STR(err.message, "a tag with more than 256 attributes: list refused past this point");
    fk_buf_release(&s.lines);
    fk_buf_release(&doc);

    /* a list broken before the tag is still refused whole */
    fk_buf_adds(&doc, "<opml><body><outline xmlUrl=\"http://a/\"></body><outline");
    for (int i = 0; i <= FK_TAG_ATTRS_MAX; i++)
        fk_buf_printf(&doc, " a%d=\"\"", i);
    fk_buf_adds(&doc, "/></body></opml>");
    CHECK_STR(parse(doc.data), "error: not well-formed XML (line 1: Opening and ending tag "
                               "mismatch: outline line 1 and body)");
    fk_buf_release(&doc);

    /* 256 are fine */
    fk_buf_adds(&doc, "<opml><body><outline xmlUrl=\"http://b/\"");
    for (int i = 0; i < FK_TAG_ATTRS_MAX - 1; i++)
        fk_buf_printf(&doc, " a%d=\"\"", i);
    fk_buf_adds(&doc, "/></body></opml>");
    CHECK_STR(parse(doc.data), "http://b/|-|-\n");
    fk_buf_release(&doc);
}

static void test_write(void)
{
    struct fk_buf out = FK_BUF_INIT;
    /* 2026-11-24T10:05:09Z */
    int64_t t = fk_date_parse_iso("2026-11-24T10:05:09Z");
    CHECK_INT(fk_opml_begin(&out, "feeds & <things>", t), 0);
    struct fk_opml_outline a = {"http://a/?x=1&y=\"2\"", "Tab\there\nnew<line>", "http://a/", NULL,
                                0};
    struct fk_opml_outline b = {"http://b/", NULL, NULL, NULL, 0};
    struct fk_opml_outline c = {"http://c/", "bell\a esc\033 bad\xff end\xEF\xBF\xBF.", NULL, NULL,
                                0};
    CHECK_INT(fk_opml_add(&out, &a), 0);
    CHECK_INT(fk_opml_add(&out, &b), 0);
    CHECK_INT(fk_opml_add(&out, &c), 0);
    CHECK_INT(fk_opml_end(&out), 0);
    CHECK_STR(out.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<opml version=\"2.0\">\n"
                        "  <head>\n"
                        "    <title>feeds &amp; &lt;things&gt;</title>\n"
                        "    <dateCreated>Tue, 24 Nov 2026 10:05:09 GMT</dateCreated>\n"
                        "  </head>\n"
                        "  <body>\n"
                        "    <outline type=\"rss\" text=\"Tab&#9;here&#10;new&lt;line&gt;\" "
                        "title=\"Tab&#9;here&#10;new&lt;line&gt;\" "
                        "xmlUrl=\"http://a/?x=1&amp;y=&quot;2&quot;\" htmlUrl=\"http://a/\"/>\n"
                        "    <outline type=\"rss\" text=\"http://b/\" title=\"http://b/\" "
                        "xmlUrl=\"http://b/\"/>\n"
                        "    <outline type=\"rss\" text=\"bell esc bad\xEF\xBF\xBD end.\" "
                        "title=\"bell esc bad\xEF\xBF\xBD end.\" xmlUrl=\"http://c/\"/>\n"
                        "  </body>\n"
                        "</opml>\n");
    /* What is written reads back the same. */
    CHECK_STR(parse(out.data), "http://a/?x=1&y=\"2\"|Tab\there\nnew<line>|http://a/\n"
                               "http://b/|http://b/|-\n"
                               "http://c/|bell esc bad\xEF\xBF\xBD end.|-\n");
    fk_buf_release(&out);
}

int main(void)
{
    RUN(test_read);
    RUN(test_refused);
    RUN(test_stop);
    RUN(test_attribute_guard);
    RUN(test_write);
    return DONE();
}
