/* test_markdown.c - feedkeep's CommonMark writer, content_markdown, against
 * cmark's own (cmark_render_commonmark with CMARK_OPT_DEFAULT, width 0):
 * for every tree the two must write the same bytes.
 *
 * Each tree is built twice the same way, one for each writer: a writer may
 * consolidate the text nodes of a link it checks for an autolink.
 *
 *   hand-built trees   every node type and the cases around each
 *   text contents      every ASCII byte, line starts, UTF-8 valid and not,
 *                      in each place a string can go (text, code, URL...)
 *   random trees       a seeded generator: the same trees on every run
 *   real HTML          tests/data/html, tests/data/extract and the articles
 *                      of the feeds of tests/data, through content_tree_build
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content_int.h"
#include "feedkeep/feed.h"

#include "harness.h"

/* --- the comparison ------------------------------------------------------------ */

static size_t comparisons, mismatches, tree_errors;

/* How many mismatches are shown in full; the rest are only counted. */
#define SHOWN_MAX 25
/* Bytes of context shown either side of the first difference. */
#define CONTEXT 48

static void put_escaped(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n", stderr);
        else if (c == '\t')
            fputs("\\t", stderr);
        else if (c == '"' || c == '\\')
            fprintf(stderr, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
}

static void show_around(const char *label, const char *s, size_t at)
{
    size_t len = strlen(s);
    size_t from = at > CONTEXT ? at - CONTEXT : 0;
    size_t to = at + CONTEXT < len ? at + CONTEXT : len;
    fprintf(stderr, "  %-8s (%zu bytes) \"", label, len);
    put_escaped(s, from, at);
    fputs("\" | \"", stderr);
    put_escaped(s, at, to);
    fputs("\"\n", stderr);
}

/* Write mine with content_markdown and ref with cmark, compare the bytes.
 * Frees both trees. */
static void compare(const char *name, cmark_node *mine_doc, cmark_node *ref_doc)
{
    comparisons++;
    char *mine = content_markdown(mine_doc);
    char *ref = cmark_render_commonmark(ref_doc, CMARK_OPT_DEFAULT, 0);
    CHECK(mine != NULL && ref != NULL);
    if (mine && ref) {
        size_t at = 0;
        while (mine[at] && mine[at] == ref[at])
            at++;
        /* counted as the harness's CHECK does, without its line per failure */
        harness_checks++;
        if (mine[at] != ref[at])
            harness_failures++;
        if (mine[at] != ref[at] && ++mismatches <= SHOWN_MAX) {
            fprintf(stderr, "  %s: the writers differ at byte %zu (before | after):\n", name, at);
            show_around("cmark", ref, at);
            show_around("feedkeep", mine, at);
        }
    }
    free(mine);
    free(ref);
    cmark_node_free(mine_doc);
    cmark_node_free(ref_doc);
}

/* The same expression twice: two trees built the same way. */
#define SAME(name, tree) compare((name), (tree), (tree))

/* --- building trees ----------------------------------------------------------- */

#define END ((cmark_node *)NULL)

static cmark_node *new_node(cmark_node_type type)
{
    cmark_node *node = cmark_node_new(type);
    if (!node)
        abort();
    return node;
}

static void tree_error(const char *what, cmark_node *node)
{
    fprintf(stderr, "  a test tree is not valid: %s (%s)\n", what,
            cmark_node_get_type_string(node));
    tree_errors++;
}

/* A node of type with the children given, up to END. */
static cmark_node *nd(cmark_node_type type, ...)
{
    cmark_node *node = new_node(type);
    va_list ap;
    va_start(ap, type);
    cmark_node *child;
    while ((child = va_arg(ap, cmark_node *)) != NULL) {
        if (!cmark_node_append_child(node, child)) {
            tree_error("a child it cannot hold", child);
            cmark_node_free(child);
        }
    }
    va_end(ap);
    return node;
}

static cmark_node *leaf(cmark_node_type type, const char *literal)
{
    cmark_node *node = new_node(type);
    if (!cmark_node_set_literal(node, literal))
        tree_error("a literal refused", node);
    return node;
}

static cmark_node *list(cmark_node *node, cmark_list_type type, cmark_delim_type delim, int start,
                        int tight)
{
    if (!cmark_node_set_list_type(node, type) ||
        (delim != CMARK_NO_DELIM && !cmark_node_set_list_delim(node, delim)) ||
        !cmark_node_set_list_start(node, start) || !cmark_node_set_list_tight(node, tight))
        tree_error("list attributes refused", node);
    return node;
}

static cmark_node *heading(cmark_node *node, int level)
{
    if (!cmark_node_set_heading_level(node, level))
        tree_error("a heading level refused", node);
    return node;
}

static cmark_node *link(cmark_node *node, const char *url, const char *title)
{
    if (!cmark_node_set_url(node, url) || !cmark_node_set_title(node, title))
        tree_error("a URL or title refused", node);
    return node;
}

static cmark_node *code_block(const char *info, const char *literal)
{
    cmark_node *node = leaf(CMARK_NODE_CODE_BLOCK, literal);
    if (!cmark_node_set_fence_info(node, info))
        tree_error("an info string refused", node);
    return node;
}

/* The tree with its adjacent text nodes joined, as a writer's autolink
 * check or an earlier rendering leaves it: two empty texts join into an
 * empty literal that cmark holds as a string, not as none. */
static cmark_node *consolidated(cmark_node *doc)
{
    cmark_consolidate_text_nodes(doc);
    return doc;
}

static cmark_node *custom(cmark_node *node, const char *on_enter, const char *on_exit)
{
    if (!cmark_node_set_on_enter(node, on_enter) || !cmark_node_set_on_exit(node, on_exit))
        tree_error("a custom node's text refused", node);
    return node;
}

#define DOC(...)    nd(CMARK_NODE_DOCUMENT, __VA_ARGS__, END)
#define QUOTE(...)  nd(CMARK_NODE_BLOCK_QUOTE, __VA_ARGS__, END)
#define ITEM(...)   nd(CMARK_NODE_ITEM, __VA_ARGS__, END)
#define PARA(...)   nd(CMARK_NODE_PARAGRAPH, __VA_ARGS__, END)
#define EMPH(...)   nd(CMARK_NODE_EMPH, __VA_ARGS__, END)
#define STRONG(...) nd(CMARK_NODE_STRONG, __VA_ARGS__, END)
#define BULLET(tight, ...)                                                                         \
    list(nd(CMARK_NODE_LIST, __VA_ARGS__, END), CMARK_BULLET_LIST, CMARK_NO_DELIM, 0, (tight))
#define ORDERED(start, delim, tight, ...)                                                          \
    list(nd(CMARK_NODE_LIST, __VA_ARGS__, END), CMARK_ORDERED_LIST, (delim), (start), (tight))
#define HEADING(level, ...)    heading(nd(CMARK_NODE_HEADING, __VA_ARGS__, END), (level))
#define LINK(url, title, ...)  link(nd(CMARK_NODE_LINK, __VA_ARGS__, END), (url), (title))
#define IMAGE(url, title, ...) link(nd(CMARK_NODE_IMAGE, __VA_ARGS__, END), (url), (title))
#define CUSTOM_BLOCK(enter, exit, ...)                                                             \
    custom(nd(CMARK_NODE_CUSTOM_BLOCK, __VA_ARGS__, END), (enter), (exit))
#define CUSTOM_INLINE(enter, exit, ...)                                                            \
    custom(nd(CMARK_NODE_CUSTOM_INLINE, __VA_ARGS__, END), (enter), (exit))
#define T(s)                leaf(CMARK_NODE_TEXT, (s))
#define CODE(s)             leaf(CMARK_NODE_CODE, (s))
#define HTML(s)             leaf(CMARK_NODE_HTML_INLINE, (s))
#define HTML_BLOCK(s)       leaf(CMARK_NODE_HTML_BLOCK, (s))
#define CODE_BLOCK(info, s) code_block((info), (s))
#define HR                  new_node(CMARK_NODE_THEMATIC_BREAK)
#define SOFT                new_node(CMARK_NODE_SOFTBREAK)
#define HARD                new_node(CMARK_NODE_LINEBREAK)
#define T_UNSET             new_node(CMARK_NODE_TEXT) /* its literal never set */
#define P(s)                PARA(T(s))

/* --- hand-built trees ----------------------------------------------------------- */

static void test_node_types(void)
{
    SAME("empty document", DOC(END));
    SAME("paragraph", DOC(P("one")));
    SAME("two paragraphs", DOC(P("one"), P("two")));
    SAME("empty paragraph", DOC(PARA(END)));
    SAME("empty paragraph between", DOC(P("a"), PARA(END), P("b")));
    SAME("block quote", DOC(QUOTE(P("quoted"))));
    SAME("block quote of two", DOC(QUOTE(P("a"), P("b"))));
    SAME("empty block quote", DOC(QUOTE(END)));
    SAME("nested quotes", DOC(QUOTE(QUOTE(P("deep")), P("up"))));
    SAME("thematic break", DOC(P("a"), HR, P("b")));
    SAME("thematic break alone", DOC(HR));
    SAME("html block", DOC(HTML_BLOCK("<div>\n<b>x</b>\n</div>")));
    SAME("html block with newline", DOC(HTML_BLOCK("<table></table>\n"), P("after")));
    SAME("empty html block", DOC(HTML_BLOCK("")));
    SAME("text", DOC(P("plain text")));
    SAME("softbreak", DOC(PARA(T("a"), SOFT, T("b"))));
    SAME("linebreak", DOC(PARA(T("a"), HARD, T("b"))));
    SAME("linebreak at the end", DOC(PARA(T("a"), HARD)));
    SAME("softbreak first", DOC(PARA(SOFT, T("b"))));
    SAME("html inline", DOC(PARA(T("a "), HTML("<sup>"), T("2"), HTML("</sup>"))));
    SAME("emph", DOC(PARA(EMPH(T("x")))));
    SAME("strong", DOC(PARA(STRONG(T("x")))));
    SAME("emph in emph, only child", DOC(PARA(EMPH(EMPH(T("x"))))));
    SAME("emph in emph, not only child", DOC(PARA(EMPH(T("a"), EMPH(T("x")), T("b")))));
    SAME("emph in emph, first child", DOC(PARA(EMPH(EMPH(T("x")), T("b")))));
    SAME("emph in emph, last child", DOC(PARA(EMPH(T("a"), EMPH(T("x"))))));
    SAME("strong in strong", DOC(PARA(STRONG(STRONG(T("x"))))));
    SAME("strong in emph", DOC(PARA(EMPH(STRONG(T("x"))))));
    SAME("emph in strong", DOC(PARA(STRONG(EMPH(T("x"))))));
    SAME("emph in emph in emph", DOC(PARA(EMPH(EMPH(EMPH(T("x")))))));
    SAME("empty emph", DOC(PARA(T("a"), EMPH(END), T("b"))));
    SAME("empty strong", DOC(PARA(STRONG(END))));
    SAME("emph next to text", DOC(PARA(T("a"), EMPH(T("b")), T("c"))));
    SAME("emph with spaces", DOC(PARA(T("a "), EMPH(T(" b ")), T(" c"))));
    SAME("emph of star", DOC(PARA(EMPH(T("*")))));
    SAME("emph of underscore", DOC(PARA(EMPH(T("_")), T("x"))));
    SAME("emph, strong, emph", DOC(PARA(EMPH(T("a")), STRONG(T("b")), EMPH(T("c")))));
    SAME("text node, empty literal", DOC(PARA(T(""))));
    SAME("text node, NULL literal", DOC(PARA(T(NULL))));
    SAME("text node, literal never set", DOC(PARA(T_UNSET)));
    SAME("empty text nodes around", DOC(PARA(T(""), T("a"), T(NULL), T_UNSET, T(""))));
    SAME("empty text in emph", DOC(PARA(EMPH(T("")))));
    SAME("empty text in link", DOC(PARA(LINK("http://a.example/", "", T("")))));
    SAME("NULL text in link", DOC(PARA(LINK("http://a.example/", "", T(NULL)))));
    SAME("NULL text in autolink", DOC(PARA(LINK("http://a", "", T(NULL), T("http://a")))));
    SAME("adjacent text nodes", DOC(PARA(T("a"), T("*"), T("b"))));
    SAME("star split over text nodes", DOC(PARA(T("*"), T("a"), T("*"))));
    SAME("heading in a quote", DOC(QUOTE(HEADING(2, T("h")))));
    SAME("empty heading", DOC(HEADING(1, END)));
    SAME("empty item", DOC(BULLET(1, ITEM(END))));
    SAME("empty list", DOC(BULLET(1, END)));
    SAME("empty ordered list", DOC(ORDERED(3, CMARK_PERIOD_DELIM, 0, END)));
    SAME("custom block", DOC(P("a"), CUSTOM_BLOCK("<x>", "</x>", P("in")), P("b")));
    SAME("custom block, empty texts", DOC(CUSTOM_BLOCK("", "", END)));
    SAME("custom block, NULL texts", DOC(CUSTOM_BLOCK(NULL, NULL, P("*"))));
    SAME("custom block, lines", DOC(QUOTE(CUSTOM_BLOCK("a\nb", "c\n", P("x")))));
    SAME("custom block in a tight item",
         DOC(BULLET(1, ITEM(CUSTOM_BLOCK("{", "}", P("x"))), ITEM(P("y")))));
    SAME("custom inline", DOC(PARA(T("a"), CUSTOM_INLINE("<y>", "</y>", T("*")), T("b"))));
    SAME("custom inline, NULL texts", DOC(PARA(CUSTOM_INLINE(NULL, NULL, T("1.")))));
    SAME("custom inline, newline", DOC(QUOTE(PARA(CUSTOM_INLINE("\n", "\n-", T("x"))))));
    SAME("custom inline first in a line", DOC(PARA(CUSTOM_INLINE("1", "", T(". x")))));
}

static void test_headings(void)
{
    char name[64];
    for (int level = 1; level <= 6; level++) {
        snprintf(name, sizeof name, "heading %d", level);
        SAME(name, DOC(HEADING(level, T("Title"))));
        snprintf(name, sizeof name, "heading %d, softbreak", level);
        SAME(name, DOC(HEADING(level, T("a"), SOFT, T("b"))));
        snprintf(name, sizeof name, "heading %d, linebreak", level);
        SAME(name, DOC(HEADING(level, T("a"), HARD, T("b"))));
        snprintf(name, sizeof name, "heading %d, inlines", level);
        SAME(name, DOC(HEADING(level, EMPH(T("a")), T(" # "), CODE("c"), T(" #"))));
        snprintf(name, sizeof name, "heading %d between paragraphs", level);
        SAME(name, DOC(P("x"), HEADING(level, T("t")), P("y")));
    }
    SAME("heading ending in #", DOC(HEADING(2, T("C#"))));
    SAME("heading of #", DOC(HEADING(2, T("#"))));
    SAME("heading of spaces", DOC(HEADING(3, T("  "))));
    SAME("heading with a newline in text", DOC(HEADING(1, T("a\nb"))));
}

static void test_lists(void)
{
    static const int starts[] = {0, 1, 2, 9, 10, 99, 100, 999, 12345};
    static const cmark_delim_type delims[] = {CMARK_PERIOD_DELIM, CMARK_PAREN_DELIM,
                                              CMARK_NO_DELIM};
    char name[96];
    for (int tight = 0; tight <= 1; tight++) {
        snprintf(name, sizeof name, "bullet list, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("a")), ITEM(P("b")))));
        snprintf(name, sizeof name, "bullet list of one, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("a")))));
        for (size_t s = 0; s < COUNT(starts); s++) {
            for (size_t d = 0; d < COUNT(delims); d++) {
                snprintf(name, sizeof name, "ordered list from %d, delim %d, tight %d", starts[s],
                         (int)delims[d], tight);
                SAME(name, DOC(ORDERED(starts[s], delims[d], tight, ITEM(P("a")), ITEM(P("b")),
                                       ITEM(P("c")))));
            }
        }
        snprintf(name, sizeof name, "ordered list across 9 to 10, tight %d", tight);
        SAME(name, DOC(ORDERED(8, CMARK_PERIOD_DELIM, tight, ITEM(P("a")), ITEM(P("b")),
                               ITEM(P("c")), ITEM(P("d")))));
        snprintf(name, sizeof name, "ordered list across 99 to 100, tight %d", tight);
        SAME(name,
             DOC(ORDERED(98, CMARK_PAREN_DELIM, tight, ITEM(P("a")), ITEM(P("b")), ITEM(P("c")))));
        snprintf(name, sizeof name, "item of two paragraphs, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("a"), P("b")), ITEM(P("c")))));
        snprintf(name, sizeof name, "quote in an item, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(QUOTE(P("q")), P("after")))));
        snprintf(name, sizeof name, "nested quotes in an item, tight %d", tight);
        SAME(name, DOC(ORDERED(1, CMARK_PERIOD_DELIM, tight, ITEM(QUOTE(QUOTE(P("q")))))));
        snprintf(name, sizeof name, "code in an item, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("see"), CODE_BLOCK("", "x = 1\ny = 2\n")))));
        snprintf(name, sizeof name, "fenced code in an item, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("see"), CODE_BLOCK("c", "x\n")))));
        snprintf(name, sizeof name, "code first in an item, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(CODE_BLOCK("", "first code\n"), P("then")))));
        snprintf(name, sizeof name, "code first in an ordered item, tight %d", tight);
        SAME(name, DOC(ORDERED(10, CMARK_PERIOD_DELIM, tight, ITEM(CODE_BLOCK("", "indented?\n")),
                               ITEM(CODE_BLOCK("py", "x\n")))));
        snprintf(name, sizeof name, "nested list, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("a"), BULLET(tight, ITEM(P("b")), ITEM(P("c")))),
                              ITEM(P("d")))));
        snprintf(name, sizeof name, "ordered in bullet, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(P("a"), ORDERED(100, CMARK_PAREN_DELIM, !tight,
                                                          ITEM(P("b")), ITEM(P("c")))))));
        snprintf(name, sizeof name, "list in a quote, tight %d", tight);
        SAME(name, DOC(QUOTE(BULLET(tight, ITEM(P("a")), ITEM(P("b"))))));
        snprintf(name, sizeof name, "list in a quote in a list, tight %d", tight);
        SAME(name, DOC(ORDERED(9, CMARK_PERIOD_DELIM, tight,
                               ITEM(QUOTE(BULLET(tight, ITEM(P("a")), ITEM(HR)))))));
        snprintf(name, sizeof name, "heading, rule and html in items, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(HEADING(2, T("h"))), ITEM(HR),
                              ITEM(HTML_BLOCK("<div>x</div>")))));
        snprintf(name, sizeof name, "item of a softbreak, tight %d", tight);
        SAME(name, DOC(BULLET(tight, ITEM(PARA(T("a"), SOFT, T("b"))))));
        snprintf(name, sizeof name, "empty items, tight %d", tight);
        SAME(name, DOC(ORDERED(1, CMARK_PERIOD_DELIM, tight, ITEM(END), ITEM(P("x")), ITEM(END))));
    }
    SAME("two bullet lists in a row", DOC(BULLET(1, ITEM(P("a"))), BULLET(1, ITEM(P("b")))));
    SAME("two ordered lists in a row", DOC(ORDERED(1, CMARK_PERIOD_DELIM, 1, ITEM(P("a"))),
                                           ORDERED(1, CMARK_PERIOD_DELIM, 1, ITEM(P("b")))));
    SAME("bullet then ordered",
         DOC(BULLET(0, ITEM(P("a"))), ORDERED(2, CMARK_PAREN_DELIM, 0, ITEM(P("b")))));
    SAME("list then indented code", DOC(BULLET(1, ITEM(P("a"))), CODE_BLOCK("", "code\nmore\n")));
    SAME("list then fenced code", DOC(BULLET(1, ITEM(P("a"))), CODE_BLOCK("sh", "ls\n")));
    SAME("list then paragraph", DOC(BULLET(1, ITEM(P("a"))), P("b")));
    SAME("three lists in a row",
         DOC(BULLET(1, ITEM(P("a"))), BULLET(0, ITEM(P("b"))), BULLET(1, ITEM(P("c")))));
    SAME("two lists in a row in an item",
         DOC(BULLET(1, ITEM(BULLET(1, ITEM(P("a"))), BULLET(1, ITEM(P("b")))))));
    SAME("two lists in a row in a quote",
         DOC(QUOTE(ORDERED(1, CMARK_PERIOD_DELIM, 1, ITEM(P("a"))), BULLET(1, ITEM(P("b"))))));
}

static void test_code(void)
{
    SAME("code block, no info", DOC(CODE_BLOCK("", "int x;\nint y;\n")));
    SAME("code block, NULL info", DOC(CODE_BLOCK(NULL, "int x;\nint y;\n")));
    SAME("code block with info", DOC(CODE_BLOCK("c", "int x;\n")));
    SAME("code block, info with a space", DOC(CODE_BLOCK("c startline=3", "x\n")));
    SAME("code block, info with a backtick", DOC(CODE_BLOCK("a`b", "x\n")));
    SAME("code block, info of a backtick", DOC(CODE_BLOCK("`", "x\n")));
    SAME("code block, info with a tilde", DOC(CODE_BLOCK("~~~", "x\n")));
    SAME("code block, info with a newline", DOC(CODE_BLOCK("a\nb", "x\n")));
    SAME("code block without a trailing newline", DOC(CODE_BLOCK("", "no newline")));
    SAME("fenced code block without a trailing newline", DOC(CODE_BLOCK("js", "no newline")));
    SAME("empty code block", DOC(CODE_BLOCK("", "")));
    SAME("empty code block with info", DOC(CODE_BLOCK("py", "")));
    SAME("code block of a newline", DOC(CODE_BLOCK("", "\n")));
    SAME("code block of two bytes", DOC(CODE_BLOCK("", "ab")));
    SAME("code block of three bytes", DOC(CODE_BLOCK("", "abc")));
    SAME("code block, leading space", DOC(CODE_BLOCK("", " indented\n")));
    SAME("code block, trailing blank", DOC(CODE_BLOCK("", "code\n\n")));
    SAME("code block, trailing spaces", DOC(CODE_BLOCK("", "code  ")));
    SAME("code block, blank lines inside", DOC(CODE_BLOCK("", "a\n\n\nb\n")));
    SAME("code block, tab first", DOC(CODE_BLOCK("", "\tx\n")));
    SAME("code block first in the document after a list",
         DOC(BULLET(1, ITEM(P("a"))), CODE_BLOCK("", "    deep\n")));
    SAME("code block in a quote", DOC(QUOTE(CODE_BLOCK("", "quoted code\n"))));
    SAME("fenced code block in a quote", DOC(QUOTE(CODE_BLOCK("x", "quoted code\n"))));
    static const char *const ticks[] = {"`", "``", "```", "````", "`````"};
    char name[96], code[64];
    for (size_t i = 0; i < COUNT(ticks); i++) {
        snprintf(code, sizeof code, "a %s b\n", ticks[i]);
        snprintf(name, sizeof name, "code block with a run of %zu backticks", i + 1);
        SAME(name, DOC(CODE_BLOCK("", code)));
        snprintf(name, sizeof name, "fenced code block with a run of %zu backticks", i + 1);
        SAME(name, DOC(CODE_BLOCK("md", code)));
        snprintf(code, sizeof code, "%s\nx\n", ticks[i]);
        snprintf(name, sizeof name, "code block, a line of %zu backticks", i + 1);
        SAME(name, DOC(CODE_BLOCK("", code)));
        SAME(name, DOC(CODE_BLOCK("md", code)));
        snprintf(code, sizeof code, "%s", ticks[i]);
        snprintf(name, sizeof name, "code block of %zu backticks alone", i + 1);
        SAME(name, DOC(CODE_BLOCK("", code)));
        SAME(name, DOC(CODE_BLOCK("md", code)));

        snprintf(code, sizeof code, "a%sb", ticks[i]);
        snprintf(name, sizeof name, "inline code with %zu backticks", i + 1);
        SAME(name, DOC(PARA(CODE(code))));
        snprintf(code, sizeof code, "%s", ticks[i]);
        snprintf(name, sizeof name, "inline code of %zu backticks", i + 1);
        SAME(name, DOC(PARA(CODE(code))));
        snprintf(code, sizeof code, "%sx", ticks[i]);
        snprintf(name, sizeof name, "inline code starting with %zu backticks", i + 1);
        SAME(name, DOC(PARA(CODE(code))));
        snprintf(code, sizeof code, "x%s", ticks[i]);
        snprintf(name, sizeof name, "inline code ending with %zu backticks", i + 1);
        SAME(name, DOC(PARA(CODE(code))));
    }
    SAME("code block, backtick runs 1 to 5", DOC(CODE_BLOCK("", "` `` ``` ```` `````\n")));
    SAME("code block, backtick runs 5 to 1", DOC(CODE_BLOCK("x", "`````\n````\n```\n``\n`\n")));
    SAME("code block, tilde fence inside", DOC(CODE_BLOCK("x", "~~~\n")));

    SAME("inline code", DOC(PARA(T("call "), CODE("f(x)"), T(" now"))));
    SAME("inline code, empty", DOC(PARA(CODE(""))));
    SAME("inline code, NULL", DOC(PARA(CODE(NULL))));
    SAME("inline code, one space", DOC(PARA(CODE(" "))));
    SAME("inline code, all spaces", DOC(PARA(CODE("   "))));
    SAME("inline code, leading space", DOC(PARA(CODE(" x"))));
    SAME("inline code, trailing space", DOC(PARA(CODE("x "))));
    SAME("inline code, spaces both sides", DOC(PARA(CODE(" x "))));
    SAME("inline code, leading backtick", DOC(PARA(CODE("`x"))));
    SAME("inline code, trailing backtick", DOC(PARA(CODE("x`"))));
    SAME("inline code, backticks both sides", DOC(PARA(CODE("`x`"))));
    SAME("inline code, backtick and space", DOC(PARA(CODE(" `"))));
    SAME("inline code, space and backtick", DOC(PARA(CODE("` "))));
    SAME("inline code, newline", DOC(PARA(CODE("a\nb"))));
    SAME("inline code, newline first", DOC(PARA(CODE("\na"))));
    SAME("inline code, tab", DOC(PARA(CODE("\ta\t"))));
    SAME("inline code, mixed runs", DOC(PARA(CODE("a ` b `` c ``` d"))));
    SAME("inline code, backslash", DOC(PARA(CODE("a\\"))));
    SAME("inline code in a link", DOC(PARA(LINK("/u", "", CODE("x")))));
    SAME("inline code in a heading", DOC(HEADING(3, CODE("`"))));
}

/* Strings longer than any buffer's first size, and backtick runs up to
 * the longest a code span's fence can count. */
static void test_long(void)
{
    static const char pattern[] = "ab*c_ [x](y) 1. \xc3\xa9 `` & \n- ";
    size_t n = 300000;
    char *text = malloc(n + 1);
    if (!text)
        abort();
    for (size_t i = 0; i < n; i++)
        text[i] = pattern[i % (sizeof pattern - 1)];
    text[n] = '\0';
    SAME("long text", DOC(P(text)));
    SAME("long code block", DOC(CODE_BLOCK("c", text)));
    SAME("long url", DOC(PARA(LINK(text, text, T("x")))));
    SAME("long text in nested quotes and items",
         DOC(QUOTE(BULLET(1, ITEM(QUOTE(ORDERED(99, CMARK_PAREN_DELIM, 0, ITEM(P(text)))))))));

    /* runs of 1 to 40 backticks, each once */
    size_t len = 0;
    for (size_t run = 1; run <= 40; run++) {
        for (size_t i = 0; i < run; i++)
            text[len++] = '`';
        text[len++] = 'x';
    }
    text[len] = '\0';
    SAME("inline code with runs of 1 to 40 backticks", DOC(PARA(CODE(text))));
    SAME("code block with runs of 1 to 40 backticks", DOC(CODE_BLOCK("", text)));
    text[0] = 'x'; /* the run of 1 gone */
    SAME("inline code with runs of 2 to 40 backticks", DOC(PARA(CODE(text))));
    memset(text, '`', 31);
    text[31] = '\0';
    SAME("inline code of 31 backticks", DOC(PARA(CODE(text))));
    free(text);

    char deep[64];
    cmark_node *mine = DOC(P("top")), *ref = DOC(P("top"));
    cmark_node *mine_at = mine, *ref_at = ref;
    for (int level = 0; level < 30; level++) {
        snprintf(deep, sizeof deep, "level %d\n1. x", level);
        cmark_node *a =
            level % 2 ? QUOTE(P(deep))
                      : ORDERED(level * 10, CMARK_PERIOD_DELIM, level % 3 == 0, ITEM(P(deep)));
        cmark_node *b =
            level % 2 ? QUOTE(P(deep))
                      : ORDERED(level * 10, CMARK_PERIOD_DELIM, level % 3 == 0, ITEM(P(deep)));
        if (!cmark_node_append_child(mine_at, a) || !cmark_node_append_child(ref_at, b))
            tree_error("a deep block refused", a);
        mine_at = level % 2 ? a : cmark_node_first_child(a);
        ref_at = level % 2 ? b : cmark_node_first_child(b);
    }
    compare("30 levels of quotes and items", mine, ref);
}

static void test_links(void)
{
    SAME("link", DOC(PARA(LINK("https://example.com/", "", T("site")))));
    SAME("link, NULL title", DOC(PARA(LINK("https://example.com/", NULL, T("site")))));
    SAME("link with title", DOC(PARA(LINK("https://example.com/", "The title", T("site")))));
    SAME("link, title with quote", DOC(PARA(LINK("/a", "say \"hi\"", T("x")))));
    SAME("link, title with backslash", DOC(PARA(LINK("/a", "a\\b\\", T("x")))));
    SAME("link, title with <", DOC(PARA(LINK("/a", "<b>", T("x")))));
    SAME("link, title with backtick", DOC(PARA(LINK("/a", "`x`", T("x")))));
    SAME("link, title with all", DOC(PARA(LINK("/a", "\"\\<`>'()", T("x")))));
    SAME("link, title with newline", DOC(PARA(LINK("/a", "a\nb", T("x")))));
    SAME("link, empty url", DOC(PARA(LINK("", "", T("x")))));
    SAME("link, NULL url", DOC(PARA(LINK(NULL, NULL, T("x")))));
    SAME("link, no text", DOC(PARA(LINK("/a", "", END))));
    SAME("link, url with space", DOC(PARA(LINK("/a b", "", T("x")))));
    SAME("link, url with tab", DOC(PARA(LINK("/a\tb", "", T("x")))));
    SAME("link, url with newline", DOC(PARA(LINK("/a\nb", "", T("x")))));
    SAME("link, url with parentheses", DOC(PARA(LINK("/a(b)c", "", T("x")))));
    SAME("link, url with (", DOC(PARA(LINK("/a(b", "", T("x")))));
    SAME("link, url with )", DOC(PARA(LINK("/a)b", "", T("x")))));
    SAME("link, url with <>", DOC(PARA(LINK("/a<b>", "", T("x")))));
    SAME("link, url with backslash", DOC(PARA(LINK("/a\\b", "", T("x")))));
    SAME("link, url with all", DOC(PARA(LINK("/ (a)<b>\\\t\n", "t", T("x")))));
    SAME("link, url with non-ASCII",
         DOC(PARA(LINK("https://example.com/caf\xc3\xa9", "", T("x")))));
    SAME("link, url with control", DOC(PARA(LINK("/a\x01\x1f\x7f", "", T("x")))));
    SAME("link, url with quote", DOC(PARA(LINK("/a\"b'", "", T("x")))));
    SAME("link, url with space and title", DOC(PARA(LINK("/a b", "t", T("x")))));
    SAME("link, text with brackets", DOC(PARA(LINK("/a", "", T("[x]")))));
    SAME("link, text with emph", DOC(PARA(LINK("/a", "", T("a "), EMPH(T("b"))))));
    SAME("link in link", DOC(PARA(LINK("/a", "", T("a "), LINK("/b", "", T("b"))))));
    SAME("link in emph", DOC(PARA(EMPH(LINK("/a", "", T("x"))))));
    SAME("link then (", DOC(PARA(LINK("/a", "", T("x")), T("(y)"))));
    SAME("link then [", DOC(PARA(LINK("/a", "", T("x")), T("[y]"))));
    SAME("bracketed text then (", DOC(PARA(T("[x]"), T("(y)"))));
    SAME("link in a heading", DOC(HEADING(2, LINK("/a", "t", T("h")))));

    SAME("autolink", DOC(PARA(LINK("https://example.com/", "", T("https://example.com/")))));
    SAME("autolink, NULL title", DOC(PARA(LINK("http://a.b", NULL, T("http://a.b")))));
    SAME("autolink with title", DOC(PARA(LINK("http://a.b", "t", T("http://a.b")))));
    SAME("mailto autolink", DOC(PARA(LINK("mailto:me@example.com", "", T("me@example.com")))));
    SAME("mailto with mailto text",
         DOC(PARA(LINK("mailto:me@example.com", "", T("mailto:me@example.com")))));
    SAME("mailto, other text", DOC(PARA(LINK("mailto:me@example.com", "", T("me")))));
    SAME("autolink, text split in two",
         DOC(PARA(LINK("https://example.com/", "", T("https://"), T("example.com/")))));
    SAME("autolink, text split in three",
         DOC(PARA(LINK("http://a.b/c", "", T("http"), T("://a.b"), T("/c")))));
    SAME("autolink, split with an empty node",
         DOC(PARA(LINK("http://a.b/c", "", T("http://a"), T(""), T(".b/c")))));
    SAME("mailto autolink, text split",
         DOC(PARA(LINK("mailto:me@example.com", "", T("me@"), T("example.com")))));
    SAME("autolink text then emph",
         DOC(PARA(LINK("http://a.b", "", T("http://a.b"), EMPH(T("x"))))));
    SAME("autolink text in emph", DOC(PARA(LINK("http://a.b", "", EMPH(T("http://a.b"))))));
    SAME("autolink, code text", DOC(PARA(LINK("http://a.b", "", CODE("http://a.b")))));
    SAME("url without scheme as text", DOC(PARA(LINK("www.a.b", "", T("www.a.b")))));
    SAME("scheme of 1 letter", DOC(PARA(LINK("a:b", "", T("a:b")))));
    SAME("scheme of 2 letters", DOC(PARA(LINK("ab:c", "", T("ab:c")))));
    SAME("scheme of 32 letters", DOC(PARA(LINK("abcdefghijklmnopqrstuvwxyzabcdef:x", "",
                                               T("abcdefghijklmnopqrstuvwxyzabcdef:x")))));
    SAME("scheme of 33 letters", DOC(PARA(LINK("abcdefghijklmnopqrstuvwxyzabcdefg:x", "",
                                               T("abcdefghijklmnopqrstuvwxyzabcdefg:x")))));
    SAME("scheme with digits and +.-", DOC(PARA(LINK("a1+.-:x", "", T("a1+.-:x")))));
    SAME("scheme starting with a digit", DOC(PARA(LINK("1a:x", "", T("1a:x")))));
    SAME("autolink with space", DOC(PARA(LINK("http://a b", "", T("http://a b")))));
    SAME("autolink with <", DOC(PARA(LINK("http://a<b", "", T("http://a<b")))));
    SAME("autolink with >", DOC(PARA(LINK("http://a>b", "", T("http://a>b")))));
    SAME("autolink with backslash", DOC(PARA(LINK("http://a\\b", "", T("http://a\\b")))));
    SAME("autolink with newline", DOC(PARA(LINK("http://a\nb", "", T("http://a\nb")))));
    SAME("autolink, text differs in case", DOC(PARA(LINK("http://A.b", "", T("http://a.b")))));
    SAME("autolink, text longer", DOC(PARA(LINK("http://a.b", "", T("http://a.bc")))));
    SAME("autolink, text shorter", DOC(PARA(LINK("http://a.bc", "", T("http://a.b")))));
    SAME("empty autolink", DOC(PARA(LINK("", "", T("")))));
    SAME("colon only", DOC(PARA(LINK(":", "", T(":")))));
    SAME("autolink with non-ASCII", DOC(PARA(LINK("http://\xc3\xa9", "", T("http://\xc3\xa9")))));

    /* "mailto:" alone leaves an empty address to compare with the text */
    SAME("mailto: alone, empty text", DOC(PARA(LINK("mailto:", "", T("")))));
    SAME("mailto: alone, NULL text", DOC(PARA(LINK("mailto:", "", T(NULL)))));
    SAME("mailto: alone, text never set", DOC(PARA(LINK("mailto:", "", T_UNSET))));
    SAME("mailto: alone, two empty texts", DOC(PARA(LINK("mailto:", "", T(""), T("")))));
    SAME("mailto: alone, three empty texts", DOC(PARA(LINK("mailto:", "", T(""), T(NULL), T("")))));
    SAME("mailto: alone, empty texts then x", DOC(PARA(LINK("mailto:", "", T(""), T("x")))));
    SAME("mailto: alone, emph", DOC(PARA(LINK("mailto:", "", EMPH(T("x"))))));
    SAME("mailto: alone, empty emph", DOC(PARA(LINK("mailto:", "", EMPH(END)))));
    SAME("mailto: alone, emph of empty texts", DOC(PARA(LINK("mailto:", "", EMPH(T(""), T(""))))));
    SAME("mailto: alone, strong", DOC(PARA(LINK("mailto:", "", STRONG(T("x"))))));
    SAME("mailto: alone, empty code", DOC(PARA(LINK("mailto:", "", CODE("")))));
    SAME("mailto: alone, code", DOC(PARA(LINK("mailto:", "", CODE("x")))));
    SAME("mailto: alone, empty html", DOC(PARA(LINK("mailto:", "", HTML("")))));
    SAME("mailto: alone, softbreak", DOC(PARA(LINK("mailto:", "", SOFT))));
    SAME("mailto: alone, linebreak", DOC(PARA(LINK("mailto:", "", HARD))));
    SAME("mailto: alone, image", DOC(PARA(LINK("mailto:", "", IMAGE("/i", "", T("a"))))));
    SAME("mailto: alone, link", DOC(PARA(LINK("mailto:", "", LINK("/u", "", T("a"))))));
    SAME("mailto: alone in mailto: alone",
         DOC(PARA(LINK("mailto:", "", LINK("mailto:", "", T(""), T("")), T("")))));
    SAME("mailto: alone, empty texts joined before",
         consolidated(DOC(PARA(LINK("mailto:", "", T(""), T(""))))));
    SAME("mailto: alone, one empty text, joined before",
         consolidated(DOC(PARA(LINK("mailto:", "", T(""))))));
    SAME("mailto: alone in mailto: alone, empty texts",
         DOC(PARA(LINK("mailto:", "", LINK("mailto:", "", T(""), T(""))))));
    SAME("autolink, texts joined before",
         consolidated(DOC(PARA(LINK("http://a", "", T("http://"), T("a"))))));
    SAME("autolink in a link, texts split",
         DOC(PARA(LINK("http://a", "", LINK("http://a", "", T("http://"), T("a"))))));
    SAME("autolink, emph text", DOC(PARA(LINK("http://a", "", EMPH(T("http://a"))))));
    SAME("autolink, html text", DOC(PARA(LINK("http://a", "", HTML("http://a")))));
    SAME("autolink, code text then text",
         DOC(PARA(LINK("http://a", "", CODE("http://a"), T("x")))));
    SAME("autolink, text then code", DOC(PARA(LINK("http://a", "", T("http://a"), CODE("x")))));
    SAME("image", DOC(PARA(IMAGE("/i.png", "", T("alt")))));
    SAME("image, NULL title", DOC(PARA(IMAGE("/i.png", NULL, T("alt")))));
    SAME("image with title", DOC(PARA(IMAGE("/i.png", "A \"title\"", T("alt")))));
    SAME("image, no alt", DOC(PARA(IMAGE("/i.png", "", END))));
    SAME("image, url with space", DOC(PARA(IMAGE("/i j.png", "", T("alt")))));
    SAME("image, url as text", DOC(PARA(IMAGE("http://a.b", "", T("http://a.b")))));
    SAME("image in a link", DOC(PARA(LINK("/a", "", IMAGE("/i.png", "", T("alt"))))));
    SAME("image, alt with emph", DOC(PARA(IMAGE("/i.png", "", EMPH(T("a")), T("]")))));
    SAME("! before a link", DOC(PARA(T("!"), LINK("/a", "", T("x")))));
    SAME("! before an image", DOC(PARA(T("!"), IMAGE("/a", "", T("x")))));
}

/* --- text contents -------------------------------------------------------------- */

/* Where one string s can go: the builders put it in each place. */
enum place {
    IN_TEXT,
    IN_TEXT_AFTER_SOFTBREAK,
    IN_TEXT_AFTER_LINEBREAK,
    IN_TEXT_AFTER_DIGIT,
    IN_TEXT_AFTER_TEXT,
    IN_TEXT_BEFORE_TEXT,
    IN_EMPH,
    IN_STRONG,
    IN_HEADING,
    IN_QUOTE,
    IN_ITEM,
    IN_ORDERED_ITEM,
    IN_LINK_TEXT,
    IN_IMAGE_ALT,
    IN_URL,
    IN_AUTOLINK,
    IN_TITLE,
    IN_IMAGE_URL,
    IN_CODE,
    IN_CODE_BLOCK,
    IN_FENCED_CODE_BLOCK,
    IN_INFO,
    IN_HTML,
    IN_HTML_BLOCK,
    PLACES
};

static const char *const place_names[PLACES] = {"text",
                                                "text after a softbreak",
                                                "text after a linebreak",
                                                "text after a digit",
                                                "text after text",
                                                "text before text",
                                                "emph",
                                                "strong",
                                                "heading",
                                                "quote",
                                                "bullet item",
                                                "ordered item",
                                                "link text",
                                                "image alt",
                                                "URL",
                                                "autolink",
                                                "title",
                                                "image URL",
                                                "inline code",
                                                "code block",
                                                "fenced code block",
                                                "info string",
                                                "html inline",
                                                "html block"};

static cmark_node *placed(enum place place, const char *s)
{
    char url[256];
    switch (place) {
    case IN_TEXT:
        return DOC(P(s));
    case IN_TEXT_AFTER_SOFTBREAK:
        return DOC(PARA(T("a"), SOFT, T(s)));
    case IN_TEXT_AFTER_LINEBREAK:
        return DOC(PARA(T("a"), HARD, T(s)));
    case IN_TEXT_AFTER_DIGIT:
        return DOC(PARA(T("a"), SOFT, T("1"), T(s)));
    case IN_TEXT_AFTER_TEXT:
        return DOC(PARA(T("a"), T(s)));
    case IN_TEXT_BEFORE_TEXT:
        return DOC(PARA(T(s), T("a")));
    case IN_EMPH:
        return DOC(PARA(EMPH(T(s))));
    case IN_STRONG:
        return DOC(PARA(T("x"), STRONG(T(s)), T("y")));
    case IN_HEADING:
        return DOC(HEADING(2, T(s)));
    case IN_QUOTE:
        return DOC(QUOTE(P(s)));
    case IN_ITEM:
        return DOC(BULLET(1, ITEM(P(s)), ITEM(P(s))));
    case IN_ORDERED_ITEM:
        return DOC(ORDERED(9, CMARK_PAREN_DELIM, 0, ITEM(P(s)), ITEM(P(s))));
    case IN_LINK_TEXT:
        return DOC(PARA(LINK("/u", "", T(s))));
    case IN_IMAGE_ALT:
        return DOC(PARA(IMAGE("/i", "", T(s))));
    case IN_URL:
        return DOC(PARA(LINK(s, "", T("x"))));
    case IN_AUTOLINK:
        snprintf(url, sizeof url, "http://a/%s", s);
        return DOC(PARA(LINK(url, "", T(url))));
    case IN_TITLE:
        return DOC(PARA(LINK("/u", s, T("x"))));
    case IN_IMAGE_URL:
        return DOC(PARA(IMAGE(s, s, T("x"))));
    case IN_CODE:
        return DOC(PARA(T("a "), CODE(s), T(" b")));
    case IN_CODE_BLOCK:
        return DOC(CODE_BLOCK("", s));
    case IN_FENCED_CODE_BLOCK:
        return DOC(CODE_BLOCK("x", s));
    case IN_INFO:
        return DOC(CODE_BLOCK(s, "code\n"));
    case IN_HTML:
        return DOC(PARA(HTML(s)));
    case IN_HTML_BLOCK:
        return DOC(HTML_BLOCK(s), P("after"));
    case PLACES:
        break;
    }
    abort();
}

static void everywhere(const char *what, const char *s)
{
    char name[160];
    for (int place = 0; place < PLACES; place++) {
        snprintf(name, sizeof name, "%s in %s", what, place_names[place]);
        SAME(name, placed((enum place)place, s));
    }
}

static void test_ascii(void)
{
    char name[64], s[16];
    for (int c = 1; c < 128; c++) {
        snprintf(name, sizeof name, "byte 0x%02x alone", c);
        snprintf(s, sizeof s, "%c", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x first", c);
        snprintf(s, sizeof s, "%c x", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x doubled", c);
        snprintf(s, sizeof s, "%c%cy", c, c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x between", c);
        snprintf(s, sizeof s, "a%cb", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x last", c);
        snprintf(s, sizeof s, "a %c", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x after a digit", c);
        snprintf(s, sizeof s, "1%c x", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x after 1.", c);
        snprintf(s, sizeof s, "1.%cx", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x after 1)", c);
        snprintf(s, sizeof s, "1)%c", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x after a number", c);
        snprintf(s, sizeof s, "123456789%c", c);
        everywhere(name, s);
        snprintf(name, sizeof name, "byte 0x%02x after a line end", c);
        snprintf(s, sizeof s, "a\n%c b", c);
        everywhere(name, s);
    }
}

static void test_line_starts(void)
{
    static const char *const strings[] = {"1.",
                                          "1)",
                                          "1. x",
                                          "1) x",
                                          "12.x",
                                          "12. x",
                                          "123456789. x",
                                          "1234567890. x",
                                          "0.",
                                          "-",
                                          "- x",
                                          "+",
                                          "+ x",
                                          "*",
                                          "* x",
                                          "=",
                                          "==",
                                          "= x",
                                          "-- x",
                                          "---",
                                          "***",
                                          "___",
                                          "* * *",
                                          "#",
                                          "# x",
                                          "#x",
                                          "######",
                                          "####### x",
                                          "#\tx",
                                          ">",
                                          "> x",
                                          ">>",
                                          "~~~",
                                          "```",
                                          "``` x",
                                          "    four spaces",
                                          "\tx",
                                          "<div>",
                                          "<!-- x -->",
                                          "<a href=x>",
                                          "<x",
                                          "</x>",
                                          "<?x?>",
                                          "<!X>",
                                          "<![CDATA[x]]>",
                                          "<http://x>",
                                          "<a@b.c>",
                                          "[x]: /u",
                                          "[x]",
                                          "[x](y)",
                                          "![x](y)",
                                          "![",
                                          "!x",
                                          "! [",
                                          "x!",
                                          "!",
                                          "&amp;",
                                          "&x",
                                          "&",
                                          "& x",
                                          "&#35;",
                                          "&#x23;",
                                          "&;",
                                          "a&b",
                                          "&&",
                                          "a\\",
                                          "\\",
                                          "\\\\",
                                          "\\*",
                                          "_a_",
                                          "*a*",
                                          "__a__",
                                          "**a**",
                                          "a_b_c",
                                          "a*b*c",
                                          "snake_case_name",
                                          "2*3*4",
                                          "x*",
                                          "*x",
                                          " *",
                                          "* ",
                                          "_",
                                          "__init__",
                                          "`",
                                          "``",
                                          "a`b",
                                          "|a|b|",
                                          "~",
                                          "~~x~~",
                                          "a  ",
                                          "  a",
                                          "a \n b",
                                          "a\n\nb",
                                          "a\r\nb",
                                          "a\rb",
                                          "\n",
                                          "\n\n",
                                          " ",
                                          "  ",
                                          "\t",
                                          "\t\t",
                                          "a\tb",
                                          "x\x01y",
                                          "\x7f",
                                          "\x1b[31m",
                                          "\x0c",
                                          "\x0b",
                                          "1.\n2.",
                                          "-\n-",
                                          "a\n-",
                                          "a\n=",
                                          "a\n---",
                                          "a\n===",
                                          "a\n#",
                                          "a\n1. b",
                                          "a\n1) b",
                                          "a\n+ b",
                                          "a\n> b",
                                          "a\n    b",
                                          "a\n\tb",
                                          "}",
                                          "{",
                                          "{x}",
                                          "http://x.y",
                                          "www.x.y",
                                          "a@b.c",
                                          "mailto:a@b.c"};
    char name[64];
    for (size_t i = 0; i < COUNT(strings); i++) {
        snprintf(name, sizeof name, "line start %zu", i);
        everywhere(name, strings[i]);
    }
}

static void test_utf8(void)
{
    static const struct {
        const char *name;
        const char *bytes;
    } chars[] = {
        {"U+00E9", "\xc3\xa9"},
        {"U+00A0", "\xc2\xa0"},
        {"U+0130, its low byte a digit", "\xc4\xb0"},
        {"U+2039, its low byte a digit", "\xe2\x80\xb9"},
        {"U+0085", "\xc2\x85"},
        {"U+20AC", "\xe2\x82\xac"},
        {"U+2028", "\xe2\x80\xa8"},
        {"U+3000", "\xe3\x80\x80"},
        {"U+FEFF", "\xef\xbb\xbf"},
        {"U+FFFD", "\xef\xbf\xbd"},
        {"U+FFFE", "\xef\xbf\xbe"},
        {"U+FFFF", "\xef\xbf\xbf"},
        {"U+1F600", "\xf0\x9f\x98\x80"},
        {"U+10FFFF", "\xf4\x8f\xbf\xbf"},
        {"a lone continuation byte", "\x80"},
        {"two continuation bytes", "\x80\xbf"},
        {"a truncated 2-byte sequence", "\xc3"},
        {"a truncated 3-byte sequence", "\xe2\x82"},
        {"a truncated 4-byte sequence", "\xf0\x9f\x98"},
        {"an overlong /", "\xc0\xaf"},
        {"an overlong NUL", "\xc0\x80"},
        {"an overlong 3-byte", "\xe0\x80\xaf"},
        {"an overlong 4-byte", "\xf0\x80\x80\xaf"},
        {"a surrogate", "\xed\xa0\x80"},
        {"a low surrogate", "\xed\xbf\xbf"},
        {"above U+10FFFF", "\xf4\x90\x80\x80"},
        {"a 5-byte form", "\xf8\x88\x80\x80\x80"},
        {"byte 0xFE", "\xfe"},
        {"byte 0xFF", "\xff"},
        {"a lead byte then ASCII", "\xe2x"},
        {"a lead byte then a star", "\xc3*"},
    };
    char name[128], s[64];
    for (size_t i = 0; i < COUNT(chars); i++) {
        snprintf(name, sizeof name, "%s alone", chars[i].name);
        everywhere(name, chars[i].bytes);
        snprintf(name, sizeof name, "%s first", chars[i].name);
        snprintf(s, sizeof s, "%sa*b", chars[i].bytes);
        everywhere(name, s);
        snprintf(name, sizeof name, "%s in the middle", chars[i].name);
        snprintf(s, sizeof s, "a_%s_b", chars[i].bytes);
        everywhere(name, s);
        snprintf(name, sizeof name, "%s last", chars[i].name);
        snprintf(s, sizeof s, "a [b]%s", chars[i].bytes);
        everywhere(name, s);
        snprintf(name, sizeof name, "%s around a star", chars[i].name);
        snprintf(s, sizeof s, "%s*%s", chars[i].bytes, chars[i].bytes);
        everywhere(name, s);
    }
}

/* --- random trees ----------------------------------------------------------------- */

/* splitmix64: the same trees from the same seed, on any machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static unsigned below(uint64_t *state, unsigned n)
{
    return (unsigned)(next_random(state) % n);
}

/* The pieces random strings are made of: what matters to the writer. */
static const char *const pieces[] = {
    /* markup, digits and blanks */
    "*",
    "_",
    "[",
    "]",
    "#",
    "<",
    ">",
    "`",
    "``",
    "```",
    "!",
    "&",
    "-",
    "+",
    "=",
    ".",
    ")",
    "(",
    "0",
    "1",
    "9",
    "12",
    " ",
    "  ",
    "\n",
    "\t",
    "\"",
    "'",
    "\\",
    "~",
    "|",
    ":",
    ";",
    "a",
    "b",
    "x",
    "word",
    "http://",
    "mailto:",
    "a@b.c",
    "amp;",
    "#35;",
    "\xc3\xa9",
    "\xe2\x82\xac",
    "\xf0\x9f\x98\x80",
    "\xc4\xb0",
    "\xef\xbf\xbe",
    "\xef\xbf\xbf",
    "\xc2\xa0",
    "\x80",
    "\xc3",
    "\xe2\x82",
    "\xff",
    "\xc0\xaf",
    "\xed\xa0\x80",
    "\xf4\x90\x80\x80",
    "\r",
    "\x01",
    "\x7f",
    "{",
    "}",
    "/",
    "?",
    "%",
    "www.",
    ".com",
    "<!--",
    "-->",
    "1.",
    "1)",
    "- ",
    "> ",
    "    "};

/* A random string, or NULL now and then: free with free. */
static char *random_string(uint64_t *state, unsigned max_pieces, bool maybe_null)
{
    if (maybe_null && below(state, 40) == 0)
        return NULL;
    unsigned n = below(state, max_pieces + 1);
    char *s = malloc(n * 8 + 1);
    if (!s)
        abort();
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        const char *piece = pieces[below(state, COUNT(pieces))];
        size_t piece_len = strlen(piece);
        memcpy(s + len, piece, piece_len);
        len += piece_len;
    }
    s[len] = '\0';
    return s;
}

struct generator {
    uint64_t state;
    unsigned nodes; /* made so far; the tree stops growing at a limit */
};

#define RANDOM_NODES_MAX 60

static cmark_node *random_inline(struct generator *g, unsigned depth);

static void add_children(struct generator *g, cmark_node *parent, unsigned max,
                         cmark_node *(*make)(struct generator *, unsigned), unsigned depth)
{
    unsigned n = below(&g->state, max + 1);
    for (unsigned i = 0; i < n && g->nodes < RANDOM_NODES_MAX; i++) {
        cmark_node *child = make(g, depth + 1);
        if (!cmark_node_append_child(parent, child)) {
            tree_error("a random child refused", child);
            cmark_node_free(child);
        }
    }
}

static cmark_node *literal_node(struct generator *g, cmark_node_type type, unsigned max_pieces)
{
    cmark_node *node = new_node(type);
    char *s = random_string(&g->state, max_pieces, true);
    if (below(&g->state, 50) != 0 && !cmark_node_set_literal(node, s))
        tree_error("a random literal refused", node);
    free(s);
    return node;
}

/* A link or image: its URL sometimes the text of its only child, or that
 * text split over several text nodes, as autolinks are found. */
static cmark_node *random_link(struct generator *g, cmark_node_type type, unsigned depth)
{
    cmark_node *node = new_node(type);
    char *url = random_string(&g->state, 6, true);
    char *title = random_string(&g->state, 4, true);
    unsigned shape = below(&g->state, 6);
    if (shape <= 1 && url) {
        static const char *const schemes[] = {
            "http://", "https://", "mailto:", "a:", "ab:", "abcdefghijklmnopqrstuvwxyzabcdefg:"};
        const char *scheme = schemes[below(&g->state, COUNT(schemes))];
        size_t len = strlen(scheme) + strlen(url) + 1;
        char *full = malloc(len);
        if (!full)
            abort();
        snprintf(full, len, "%s%s", scheme, url);
        free(url);
        url = full;
        const char *text = url;
        if (strncmp(url, "mailto:", 7) == 0 && below(&g->state, 2))
            text = url + 7;
        /* the text in 1 to 3 nodes */
        size_t text_len = strlen(text), cut1 = 0, cut2 = 0;
        if (shape == 1 && text_len) {
            cut1 = below(&g->state, (unsigned)text_len + 1);
            cut2 = cut1 + below(&g->state, (unsigned)(text_len - cut1) + 1);
        }
        size_t cuts[4] = {0, cut1, cut2, text_len};
        for (int i = 0; i < 3; i++) {
            if (i > 0 && cuts[i] == cuts[i + 1] && below(&g->state, 2))
                continue;
            char *part = malloc(cuts[i + 1] - cuts[i] + 1);
            if (!part)
                abort();
            memcpy(part, text + cuts[i], cuts[i + 1] - cuts[i]);
            part[cuts[i + 1] - cuts[i]] = '\0';
            cmark_node *child = new_node(CMARK_NODE_TEXT);
            if (!cmark_node_set_literal(child, part) || !cmark_node_append_child(node, child)) {
                tree_error("an autolink's text refused", child);
                cmark_node_free(child);
            }
            free(part);
            g->nodes++;
        }
        if (below(&g->state, 4) == 0)
            add_children(g, node, 1, random_inline, depth);
    } else {
        add_children(g, node, 3, random_inline, depth);
    }
    if (!cmark_node_set_url(node, url) || !cmark_node_set_title(node, title))
        tree_error("a random URL or title refused", node);
    free(url);
    free(title);
    return node;
}

/* A custom node: random text on entering and leaving. */
static cmark_node *random_custom(struct generator *g, cmark_node_type type,
                                 cmark_node *(*make)(struct generator *, unsigned), unsigned depth)
{
    cmark_node *node = new_node(type);
    char *on_enter = random_string(&g->state, 3, true);
    char *on_exit = random_string(&g->state, 3, true);
    if (!cmark_node_set_on_enter(node, on_enter) || !cmark_node_set_on_exit(node, on_exit))
        tree_error("a random custom node's text refused", node);
    free(on_enter);
    free(on_exit);
    add_children(g, node, 2, make, depth);
    return node;
}

static cmark_node *random_inline(struct generator *g, unsigned depth)
{
    g->nodes++;
    unsigned pick = depth > 5 ? below(&g->state, 6) : below(&g->state, 13);
    switch (pick) {
    case 0:
    case 1:
    case 2:
        return literal_node(g, CMARK_NODE_TEXT, 8);
    case 3:
        return new_node(CMARK_NODE_SOFTBREAK);
    case 4:
        return literal_node(g, CMARK_NODE_CODE, 5);
    case 5:
        return below(&g->state, 2) ? new_node(CMARK_NODE_LINEBREAK)
                                   : literal_node(g, CMARK_NODE_HTML_INLINE, 3);
    case 6:
    case 7: {
        cmark_node *node = new_node(CMARK_NODE_EMPH);
        add_children(g, node, 3, random_inline, depth);
        return node;
    }
    case 8:
    case 9: {
        cmark_node *node = new_node(CMARK_NODE_STRONG);
        add_children(g, node, 3, random_inline, depth);
        return node;
    }
    case 10:
        return random_link(g, CMARK_NODE_LINK, depth);
    case 11:
        return random_link(g, CMARK_NODE_IMAGE, depth);
    default:
        return random_custom(g, CMARK_NODE_CUSTOM_INLINE, random_inline, depth);
    }
}

static cmark_node *random_block(struct generator *g, unsigned depth);

static cmark_node *random_item(struct generator *g, unsigned depth)
{
    g->nodes++;
    cmark_node *item = new_node(CMARK_NODE_ITEM);
    add_children(g, item, 3, random_block, depth);
    return item;
}

static cmark_node *random_block(struct generator *g, unsigned depth)
{
    g->nodes++;
    unsigned pick = depth > 4 ? below(&g->state, 5) : below(&g->state, 10);
    cmark_node *node;
    switch (pick) {
    case 0:
    case 1:
        node = new_node(CMARK_NODE_PARAGRAPH);
        add_children(g, node, 5, random_inline, depth);
        return node;
    case 2: {
        node = literal_node(g, CMARK_NODE_CODE_BLOCK, 8);
        char *info = below(&g->state, 2) ? random_string(&g->state, 3, true) : NULL;
        if (!cmark_node_set_fence_info(node, info))
            tree_error("a random info string refused", node);
        free(info);
        return node;
    }
    case 3:
        node = new_node(CMARK_NODE_HEADING);
        if (!cmark_node_set_heading_level(node, 1 + (int)below(&g->state, 6)))
            tree_error("a random heading level refused", node);
        add_children(g, node, 3, random_inline, depth);
        return node;
    case 4:
        return below(&g->state, 2) ? new_node(CMARK_NODE_THEMATIC_BREAK)
                                   : literal_node(g, CMARK_NODE_HTML_BLOCK, 4);
    case 5:
        return random_custom(g, CMARK_NODE_CUSTOM_BLOCK, random_block, depth);
    case 6:
    case 7:
        node = new_node(CMARK_NODE_BLOCK_QUOTE);
        add_children(g, node, 3, random_block, depth);
        return node;
    default: {
        static const int starts[] = {0, 1, 2, 9, 10, 99, 100, 123456};
        static const cmark_delim_type delims[] = {CMARK_NO_DELIM, CMARK_PERIOD_DELIM,
                                                  CMARK_PAREN_DELIM};
        /* CMARK_NO_DELIM is a new list's own: cmark refuses to set it */
        cmark_delim_type delim = delims[below(&g->state, COUNT(delims))];
        node = new_node(CMARK_NODE_LIST);
        if (!cmark_node_set_list_type(node, below(&g->state, 2) ? CMARK_BULLET_LIST
                                                                : CMARK_ORDERED_LIST) ||
            (delim != CMARK_NO_DELIM && !cmark_node_set_list_delim(node, delim)) ||
            !cmark_node_set_list_start(node, starts[below(&g->state, COUNT(starts))]) ||
            !cmark_node_set_list_tight(node, (int)below(&g->state, 2)))
            tree_error("random list attributes refused", node);
        add_children(g, node, 3, random_item, depth);
        return node;
    }
    }
}

static cmark_node *random_document(uint64_t seed)
{
    struct generator g = {seed, 0};
    cmark_node *doc = new_node(CMARK_NODE_DOCUMENT);
    while (g.nodes < RANDOM_NODES_MAX && below(&g.state, 6) != 0) {
        cmark_node *block = random_block(&g, 0);
        if (!cmark_node_append_child(doc, block)) {
            tree_error("a random block refused", block);
            cmark_node_free(block);
        }
    }
    /* one tree in four already has its text nodes joined */
    if (seed % 4 == 0)
        cmark_consolidate_text_nodes(doc);
    return doc;
}

#define RANDOM_TREES 20000

static void test_random_trees(void)
{
    char name[64];
    for (uint64_t seed = 1; seed <= RANDOM_TREES; seed++) {
        snprintf(name, sizeof name, "random tree of seed %" PRIu64, seed);
        compare(name, random_document(seed), random_document(seed));
    }
}

/* --- real HTML -------------------------------------------------------------------- */

#define BASE_URL "https://example.com/base/"

static size_t html_documents;

/* The tree of html as the content stage builds it (see fk_content_from_html):
 * parsed by libxml2 and walked by content_tree_build. */
static cmark_node *tree_of(const char *html, size_t len)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt)
        abort();
    xmlDoc *dom =
        len ? htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8", HTML_OPTIONS) : NULL;
    void **notes = NULL;
    size_t nnotes = 0;
    cmark_node *doc = content_tree_build(dom, BASE_URL, &notes, &nnotes);
    for (size_t i = 0; i < nnotes; i++)
        free(notes[i]);
    free(notes);
    if (dom)
        xmlFreeDoc(dom);
    htmlFreeParserCtxt(ctxt);
    return doc;
}

static void compare_html(const char *name, const char *html)
{
    if (!html)
        return;
    size_t len = strlen(html);
    html_documents++;
    compare(name, tree_of(html, len), tree_of(html, len));
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0, got;
    char *data = malloc(cap);
    while (data && (got = fread(data + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            cap *= 2;
            char *grown = realloc(data, cap);
            if (!grown)
                free(data);
            data = grown;
        }
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!data || failed) {
        free(data);
        return NULL;
    }
    data[len] = '\0';
    return data;
}

/* Call fn on each file of dir whose name ends with suffix; how many. */
static size_t each_file(const char *dir, const char *suffix, void (*fn)(const char *path))
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) {
        fprintf(stderr, "  cannot open '%s'\n", dir);
        return 0;
    }
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        size_t len = strlen(entry->d_name), suffix_len = strlen(suffix);
        if (len <= suffix_len || strcmp(entry->d_name + len - suffix_len, suffix) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        fn(path);
        count++;
    }
    closedir(d);
    return count;
}

static void compare_html_file(const char *path)
{
    char *html = read_file(path);
    CHECK(html != NULL);
    if (!html)
        fprintf(stderr, "  cannot read '%s'\n", path);
    compare_html(path, html);
    free(html);
}

static int compare_item(const struct fk_item *item, void *ctx)
{
    const char *path = ctx;
    char name[4200];
    snprintf(name, sizeof name, "%s: summary of '%s'", path, item->guid ? item->guid : "?");
    compare_html(name, item->summary_html);
    snprintf(name, sizeof name, "%s: content of '%s'", path, item->guid ? item->guid : "?");
    compare_html(name, item->content_html);
    return 0;
}

static void compare_feed_file(const char *path)
{
    char *feed = read_file(path);
    CHECK(feed != NULL);
    if (!feed) {
        fprintf(stderr, "  cannot read '%s'\n", path);
        return;
    }
    char feed_path[4096];
    snprintf(feed_path, sizeof feed_path, "%s", path);
    struct fk_feed_handler handler = {NULL, compare_item, feed_path};
    struct fk_feed_info info;
    struct fk_error err = {0};
    /* a feed that is not one (the broken samples) has no articles */
    if (fk_feed_parse_memory(feed, strlen(feed), NULL, &handler, &info, &err) == 0)
        fk_feed_info_release(&info);
    free(feed);
}

static void test_real_html(void)
{
    size_t pages = each_file(FK_TEST_DATA "/html", ".html", compare_html_file);
    CHECK(pages > 30);
    pages += each_file(FK_TEST_DATA "/extract", ".html", compare_html_file);
    size_t before = html_documents;
    size_t feeds = each_file(FK_TEST_DATA "/feeds", ".xml", compare_feed_file);
    feeds += each_file(FK_TEST_DATA "/feeds", ".jsonfeed", compare_feed_file);
    compare_feed_file(FK_TEST_DATA "/devto-fuadhusnan.xml");
    CHECK(html_documents - before > 40);
    printf("real HTML: %zu pages, %zu articles of %zu feeds\n", pages, html_documents - before,
           feeds + 1);
}

int main(void)
{
    size_t before = comparisons;
    RUN(test_node_types);
    RUN(test_headings);
    RUN(test_lists);
    RUN(test_code);
    RUN(test_links);
    RUN(test_long);
    size_t hand_built = comparisons - before;
    before = comparisons;
    RUN(test_ascii);
    RUN(test_line_starts);
    RUN(test_utf8);
    size_t contents = comparisons - before;
    before = comparisons;
    RUN(test_random_trees);
    size_t random = comparisons - before;
    before = comparisons;
    RUN(test_real_html);
    size_t real = comparisons - before;

    printf("%zu comparisons: %zu hand-built trees, %zu text contents, %zu random trees, %zu "
           "real HTML; %zu differ\n",
           comparisons, hand_built, contents, random, real, mismatches);
    /* a comparison that compares nothing proves nothing */
    CHECK(hand_built > 300 && contents > 10000 && random == RANDOM_TREES && real > 80);
    CHECK_INT(tree_errors, 0);
    return DONE();
}
