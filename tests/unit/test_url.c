/* test_url.c - fk_url_resolve and fk_url_is_absolute. */
#include "feedkeep/url.h"

#include <stdlib.h>

#include "harness.h"

struct resolve_case {
    const char *base;
    const char *ref;
    const char *expected;
};

#define RFC_BASE "http://a/b/c/d;p?q"

/* RFC 3986 section 5.4.1, every example. */
static const struct resolve_case normal_cases[] = {
    {RFC_BASE, "g:h", "g:h"},
    {RFC_BASE, "g", "http://a/b/c/g"},
    {RFC_BASE, "./g", "http://a/b/c/g"},
    {RFC_BASE, "g/", "http://a/b/c/g/"},
    {RFC_BASE, "/g", "http://a/g"},
    {RFC_BASE, "//g", "http://g"},
    {RFC_BASE, "?y", "http://a/b/c/d;p?y"},
    {RFC_BASE, "g?y", "http://a/b/c/g?y"},
    {RFC_BASE, "#s", "http://a/b/c/d;p?q#s"},
    {RFC_BASE, "g#s", "http://a/b/c/g#s"},
    {RFC_BASE, "g?y#s", "http://a/b/c/g?y#s"},
    {RFC_BASE, ";x", "http://a/b/c/;x"},
    {RFC_BASE, "g;x", "http://a/b/c/g;x"},
    {RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y#s"},
    {RFC_BASE, "", "http://a/b/c/d;p?q"},
    {RFC_BASE, ".", "http://a/b/c/"},
    {RFC_BASE, "./", "http://a/b/c/"},
    {RFC_BASE, "..", "http://a/b/"},
    {RFC_BASE, "../", "http://a/b/"},
    {RFC_BASE, "../g", "http://a/b/g"},
    {RFC_BASE, "../..", "http://a/"},
    {RFC_BASE, "../../", "http://a/"},
    {RFC_BASE, "../../g", "http://a/g"},
};

/* RFC 3986 section 5.4.2, every example; "http:g" with the strict parser. */
static const struct resolve_case abnormal_cases[] = {
    {RFC_BASE, "../../../g", "http://a/g"},
    {RFC_BASE, "../../../../g", "http://a/g"},
    {RFC_BASE, "/./g", "http://a/g"},
    {RFC_BASE, "/../g", "http://a/g"},
    {RFC_BASE, "g.", "http://a/b/c/g."},
    {RFC_BASE, ".g", "http://a/b/c/.g"},
    {RFC_BASE, "g..", "http://a/b/c/g.."},
    {RFC_BASE, "..g", "http://a/b/c/..g"},
    {RFC_BASE, "./../g", "http://a/b/g"},
    {RFC_BASE, "./g/.", "http://a/b/c/g/"},
    {RFC_BASE, "g/./h", "http://a/b/c/g/h"},
    {RFC_BASE, "g/../h", "http://a/b/c/h"},
    {RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {RFC_BASE, "g;x=1/../y", "http://a/b/c/y"},
    {RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x"},
    {RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x"},
    {RFC_BASE, "g#s/./x", "http://a/b/c/g#s/./x"},
    {RFC_BASE, "g#s/../x", "http://a/b/c/g#s/../x"},
    {RFC_BASE, "http:g", "http:g"},
};

static const struct resolve_case edge_cases[] = {
    /* No usable base: the reference as it is, trimmed */
    {NULL, "/a/b", "/a/b"},
    {NULL, " g ", "g"},
    {"", "g", "g"},
    {"/feed/", "g", "g"},
    {"feed.xml", "../g", "../g"},
    {"//a/b", "g", "g"},
    {"1http://a/", "g", "g"},
    {NULL, "", ""},
    {"", "", ""},
    /* Absolute references are kept as they are */
    {RFC_BASE, "https://dev.to/a/../b", "https://dev.to/a/../b"},
    {RFC_BASE, "mailto:someone@example.com", "mailto:someone@example.com"},
    {RFC_BASE, "urn:isbn:0451450523", "urn:isbn:0451450523"},
    {RFC_BASE, "tag:dev.to,2026:post/1", "tag:dev.to,2026:post/1"},
    {RFC_BASE, "file:///etc/hosts", "file:///etc/hosts"},
    {RFC_BASE, "HTTP://A/b", "HTTP://A/b"},
    {RFC_BASE, "a+b-c.d:x", "a+b-c.d:x"},
    /* Not schemes: the colon is in a relative path */
    {RFC_BASE, "1a:b", "http://a/b/c/1a:b"},
    {RFC_BASE, "./g:h", "http://a/b/c/g:h"},
    {RFC_BASE, "a_b:c", "http://a/b/c/a_b:c"},
    {RFC_BASE, ":g", "http://a/b/c/:g"},
    {RFC_BASE, "/a:b", "http://a/a:b"},
    {RFC_BASE, "?a:b", "http://a/b/c/d;p?a:b"},
    /* Whitespace around the reference (feeds indent their links) */
    {RFC_BASE, "  g  ", "http://a/b/c/g"},
    {RFC_BASE, "\n\t../g\r\n", "http://a/b/g"},
    {RFC_BASE, " \t ", "http://a/b/c/d;p?q"},
    {RFC_BASE, " https://x/ ", "https://x/"},
    {" " RFC_BASE " ", "g", "http://a/b/c/g"},
    /* The base's fragment never carries over */
    {"http://a/b/c#frag", "", "http://a/b/c"},
    {"http://a/b/c#frag", "d", "http://a/b/d"},
    {"http://a/b/c?q#frag", "#new", "http://a/b/c?q#new"},
    {"http://a/b/c?q#frag", "?", "http://a/b/c?"},
    {"http://a/b/c?q#frag", "#", "http://a/b/c?q#"},
    /* Base with an authority and an empty path (5.2.3) */
    {"http://a", "g", "http://a/g"},
    {"http://a", "../g", "http://a/g"},
    {"http://a?q", "", "http://a?q"},
    {"http://a", "?y", "http://a?y"},
    {"http://a#f", "#s", "http://a#s"},
    /* Network-path references */
    {"https://dev.to/feed", "//cdn.example.com/x.png", "https://cdn.example.com/x.png"},
    {"https://dev.to/feed", "//cdn.example.com", "https://cdn.example.com"},
    {"https://dev.to/feed", "//h/a/./b/../c?q#f", "https://h/a/c?q#f"},
    {"https://dev.to/feed", "//", "https://"},
    /* Bases of other shapes */
    {"file:///home/u/feeds/a.xml", "img/b.png", "file:///home/u/feeds/img/b.png"},
    {"file:///home/u/feeds/a.xml", "/etc/x", "file:///etc/x"},
    {"file:///a.xml", "../../../b", "file:///b"},
    {"urn:example:a", "b", "urn:b"},
    {"mailto:a@b", "#f", "mailto:a@b#f"},
    {"http://a/b/c/d;p?q", "g?y?z#s#t", "http://a/b/c/g?y?z#s#t"},
    /* 5.2.2 removes dot segments from the merged path, base part included */
    {"http://a/b/../c/", "d", "http://a/c/d"},
    {"http://a/b/../c/", "./d", "http://a/c/d"},
    {"http://a/b/../c/", "", "http://a/b/../c/"},
    {"http://user:pw@a:8080/b/c", "../d", "http://user:pw@a:8080/d"},
    {"http://[::1]:80/a/b", "c", "http://[::1]:80/a/c"},
    {"https://dev.to/feed/tag/c", "/fuadhusnan/post-1", "https://dev.to/fuadhusnan/post-1"},
    /* Dot segments at the edges */
    {"http://a/b/c/", "..", "http://a/b/"},
    {"http://a/", "..", "http://a/"},
    {"http://a/b", "./", "http://a/"},
    {"http://a/b", "/.", "http://a/"},
    {"http://a/b", "/..", "http://a/"},
    {"http://a/b", "/./.././../.", "http://a/"},
    {"http://a/b/c", "g/..", "http://a/b/"},
    {"http://a/b/c", "...", "http://a/b/..."},
    {"http://a/b/c", "g//../h", "http://a/b/g/h"},
    {"http://a/b/c", "%2e%2e/g", "http://a/b/%2e%2e/g"},
};

static void check_resolve(const struct resolve_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *got = fk_url_resolve(cases[i].base, cases[i].ref);
        char what[512];
        snprintf(what, sizeof what, "resolve(\"%s\", \"%s\")",
                 cases[i].base ? cases[i].base : "NULL", cases[i].ref);
        harness_check_str(__FILE__, __LINE__, what, got, cases[i].expected);
        free(got);
    }
}

static void test_rfc_normal(void)
{
    check_resolve(normal_cases, sizeof normal_cases / sizeof normal_cases[0]);
}

static void test_rfc_abnormal(void)
{
    check_resolve(abnormal_cases, sizeof abnormal_cases / sizeof abnormal_cases[0]);
}

static void test_edges(void)
{
    check_resolve(edge_cases, sizeof edge_cases / sizeof edge_cases[0]);
}

static void test_null_ref(void)
{
    CHECK(fk_url_resolve(RFC_BASE, NULL) == NULL);
    CHECK(fk_url_resolve(NULL, NULL) == NULL);
}

static void test_is_absolute(void)
{
    static const struct {
        const char *s;
        bool expected;
    } cases[] = {
        {"http://a/b", true},
        {"https://dev.to/feed", true},
        {"urn:isbn:0451450523", true},
        {"tag:dev.to,2026:post/1", true},
        {"mailto:a@b", true},
        {"file:///etc/hosts", true},
        {"g:h", true},
        {"a+b-c.d:x", true},
        {"HTTP://A", true},
        {"http:", false},
        {"http", false},
        {"", false},
        {NULL, false},
        {":x", false},
        {"1http://a", false},
        {"+a:b", false},
        {"a_b:c", false},
        {"a b:c", false},
        {"//a/b", false},
        {"/a:b", false},
        {"./a:b", false},
        {"?a:b", false},
        {"#a:b", false},
        {" http://a", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        harness_check_int(__FILE__, __LINE__, cases[i].s ? cases[i].s : "NULL",
                          fk_url_is_absolute(cases[i].s), cases[i].expected);
    }
}

/* Every prefix of every reference and base, in buffers of their exact size,
 * so that a sanitizer build catches a read past the end; and long runs of
 * dot segments and slashes. */
static void test_hostile(void)
{
    const struct resolve_case *tables[] = {normal_cases, abnormal_cases, edge_cases};
    const size_t counts[] = {sizeof normal_cases / sizeof normal_cases[0],
                             sizeof abnormal_cases / sizeof abnormal_cases[0],
                             sizeof edge_cases / sizeof edge_cases[0]};
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < counts[k]; i++) {
            const char *base = tables[k][i].base ? tables[k][i].base : RFC_BASE;
            const char *ref = tables[k][i].ref;
            for (size_t n = 0; n <= strlen(ref); n++) {
                char *r = malloc(n + 1);
                memcpy(r, ref, n);
                r[n] = '\0';
                free(fk_url_resolve(RFC_BASE, r));
                fk_url_is_absolute(r);
                free(r);
            }
            for (size_t n = 0; n <= strlen(base); n++) {
                char *b = malloc(n + 1);
                memcpy(b, base, n);
                b[n] = '\0';
                free(fk_url_resolve(b, ref));
                free(fk_url_resolve(b, "../../x/./y/.."));
                free(b);
            }
        }
    }

    size_t len = 100000;
    char *dots = malloc(len + 1);
    for (size_t i = 0; i < len; i += 3)
        memcpy(dots + i, i + 3 <= len ? "../" : "..", i + 3 <= len ? 3 : len - i);
    dots[len] = '\0';
    char *got = fk_url_resolve(RFC_BASE, dots);
    CHECK_STR(got, "http://a/");
    free(got);
    memset(dots, '/', len);
    got = fk_url_resolve(RFC_BASE, dots);
    CHECK(got && strlen(got) == strlen("http:") + len);
    free(got);
    got = fk_url_resolve(dots, "g");
    CHECK(got && strcmp(got, "g") == 0);
    free(got);
    free(dots);
}

int main(void)
{
    RUN(test_rfc_normal);
    RUN(test_rfc_abnormal);
    RUN(test_edges);
    RUN(test_null_ref);
    RUN(test_is_absolute);
    RUN(test_hostile);
    return DONE();
}
