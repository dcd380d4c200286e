/* fuzz_markdown.c - libFuzzer harness: feedkeep's CommonMark writer
 * (content_markdown) against cmark's (cmark_render_commonmark with
 * CMARK_OPT_DEFAULT, width 0). Any difference in their bytes aborts.
 *
 * Input: one control byte, then the body.
 *
 *   byte 0: bit 7 clear: the body is article HTML, parsed by libxml2 and
 *           made a tree by content_tree_build as the content stage does;
 *           bits 0-2 pick the base URL links resolve against (or none).
 *           bit 7 set: the body is a program that builds a cmark tree
 *           directly (see build_tree), for the shapes and strings HTML
 *           cannot give.
 *
 * Each tree is built twice from the same input, one for each writer: a
 * writer may consolidate the text nodes of a link it checks for an
 * autolink, so the trees cannot be shared.
 */
#include <stdbool.h>
#include <string.h>

#include "content_int.h"
#include "fuzz.h"

static const char *const bases[8] = {
    NULL,
    "https://example.com/blog/2024/post.html",
    "https://example.com",
    "http://user@h:8080/a/b/?q#f",
    "file:///srv/feeds/a.xml",
    "mailto:someone@example.com",
    "relative/only",
    "",
};

static cmark_node *tree_of_html(const uint8_t *html, size_t len, const char *base_url)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    FUZZ_CHECK(ctxt != NULL);
    xmlDoc *dom =
        len ? htmlCtxtReadMemory(ctxt, (const char *)html, (int)len, NULL, "UTF-8", HTML_OPTIONS)
            : NULL;
    void **notes = NULL;
    size_t nnotes = 0;
    cmark_node *doc = content_tree_build(dom, base_url, &notes, &nnotes);
    for (size_t i = 0; i < nnotes; i++)
        free(notes[i]);
    free(notes);
    if (dom)
        xmlFreeDoc(dom);
    htmlFreeParserCtxt(ctxt);
    return doc;
}

/* --- trees from a program ---------------------------------------------------------- */

struct program {
    const uint8_t *data;
    size_t len, at;
};

static unsigned next_byte(struct program *p)
{
    return p->at < p->len ? p->data[p->at++] : 0;
}

/* A string of the program: a length byte (0-63), then that many bytes; a
 * NUL among them ends the string early, as for any C caller. Free with free. */
static char *next_string(struct program *p)
{
    size_t n = next_byte(p) & 63;
    if (n > p->len - p->at)
        n = p->len - p->at;
    char *s = fuzz_strndup(p->data + p->at, n);
    p->at += n;
    return s;
}

static void set_string(struct program *p, cmark_node *node,
                       int (*set)(cmark_node *node, const char *s))
{
    char *s = next_string(p);
    FUZZ_CHECK(set(node, s));
    free(s);
}

#define DEPTH_MAX 48

/* The tree a program builds. Each byte is an operation, some followed by
 * their operands: open a node of a type as the last child of the current
 * one (and, for a container, make it the current node), join the text
 * nodes below the current node, or close it. A node the current one
 * cannot hold is dropped. */
static cmark_node *build_tree(const uint8_t *data, size_t len)
{
    struct program p = {data, len, 0};
    cmark_node *stack[DEPTH_MAX];
    size_t depth = 0;
    cmark_node *doc = cmark_node_new(CMARK_NODE_DOCUMENT);
    FUZZ_CHECK(doc != NULL);
    stack[depth++] = doc;
    while (p.at < p.len) {
        unsigned op = next_byte(&p) % 20;
        cmark_node *node = NULL;
        bool container = false;
        switch (op) {
        case 0:
            node = cmark_node_new(CMARK_NODE_PARAGRAPH);
            container = true;
            break;
        case 1:
            node = cmark_node_new(CMARK_NODE_HEADING);
            FUZZ_CHECK(node && cmark_node_set_heading_level(node, 1 + (int)(next_byte(&p) % 6)));
            container = true;
            break;
        case 2:
            node = cmark_node_new(CMARK_NODE_BLOCK_QUOTE);
            container = true;
            break;
        case 3: {
            static const int starts[8] = {0, 1, 2, 9, 10, 99, 100, 123456789};
            unsigned form = next_byte(&p);
            node = cmark_node_new(CMARK_NODE_LIST);
            FUZZ_CHECK(node != NULL);
            FUZZ_CHECK(
                cmark_node_set_list_type(node, form & 1 ? CMARK_ORDERED_LIST : CMARK_BULLET_LIST));
            /* a new list's delimiter is CMARK_NO_DELIM, which cannot be set */
            if (form & 6)
                FUZZ_CHECK(cmark_node_set_list_delim(node, form & 2 ? CMARK_PERIOD_DELIM
                                                                    : CMARK_PAREN_DELIM));
            FUZZ_CHECK(cmark_node_set_list_tight(node, (form >> 3) & 1));
            FUZZ_CHECK(cmark_node_set_list_start(node, starts[(form >> 4) & 7]));
            container = true;
            break;
        }
        case 4:
            node = cmark_node_new(CMARK_NODE_ITEM);
            container = true;
            break;
        case 5:
            node = cmark_node_new(CMARK_NODE_CODE_BLOCK);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_fence_info);
            set_string(&p, node, cmark_node_set_literal);
            break;
        case 6:
            node = cmark_node_new(CMARK_NODE_HTML_BLOCK);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_literal);
            break;
        case 7:
            node = cmark_node_new(CMARK_NODE_THEMATIC_BREAK);
            break;
        case 8:
        case 9:
            node = cmark_node_new(CMARK_NODE_TEXT);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_literal);
            break;
        case 10:
            node = cmark_node_new(CMARK_NODE_SOFTBREAK);
            break;
        case 11:
            node = cmark_node_new(CMARK_NODE_LINEBREAK);
            break;
        case 12:
            node = cmark_node_new(CMARK_NODE_CODE);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_literal);
            break;
        case 13:
            node = cmark_node_new(CMARK_NODE_HTML_INLINE);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_literal);
            break;
        case 14:
            node = cmark_node_new(next_byte(&p) & 1 ? CMARK_NODE_STRONG : CMARK_NODE_EMPH);
            container = true;
            break;
        case 15:
        case 16:
            node = cmark_node_new(op == 15 ? CMARK_NODE_LINK : CMARK_NODE_IMAGE);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_url);
            set_string(&p, node, cmark_node_set_title);
            container = true;
            break;
        case 17:
            node = cmark_node_new(next_byte(&p) & 1 ? CMARK_NODE_CUSTOM_INLINE
                                                    : CMARK_NODE_CUSTOM_BLOCK);
            FUZZ_CHECK(node != NULL);
            set_string(&p, node, cmark_node_set_on_enter);
            set_string(&p, node, cmark_node_set_on_exit);
            container = true;
            break;
        case 18:
            /* join the adjacent text nodes below the current node, as an
             * earlier rendering may have */
            cmark_consolidate_text_nodes(stack[depth - 1]);
            continue;
        default:
            if (depth > 1)
                depth--;
            continue;
        }
        FUZZ_CHECK(node != NULL);
        if (!cmark_node_append_child(stack[depth - 1], node)) {
            cmark_node_free(node);
            continue;
        }
        if (container && depth < DEPTH_MAX)
            stack[depth++] = node;
    }
    return doc;
}

/* --- the comparison ------------------------------------------------------------------ */

static void show(const char *label, const char *s, size_t at)
{
    size_t len = strlen(s);
    size_t from = at > 60 ? at - 60 : 0;
    size_t to = at + 60 < len ? at + 60 : len;
    fprintf(stderr, "%-8s (%zu bytes): \"", label, len);
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == at)
            fputs("\" | \"", stderr);
        if (c == '\n')
            fputs("\\n", stderr);
        else if (c == '"' || c == '\\')
            fprintf(stderr, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputs(at >= to ? "\" | \"\"\n" : "\"\n", stderr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    cmark_node *mine_doc, *ref_doc;
    if (data[0] & 0x80) {
        mine_doc = build_tree(data + 1, size - 1);
        ref_doc = build_tree(data + 1, size - 1);
    } else {
        const char *base_url = bases[data[0] & 7];
        mine_doc = tree_of_html(data + 1, size - 1, base_url);
        ref_doc = tree_of_html(data + 1, size - 1, base_url);
    }
    FUZZ_CHECK(mine_doc != NULL && ref_doc != NULL);
    char *mine = content_markdown(mine_doc);
    char *ref = cmark_render_commonmark(ref_doc, CMARK_OPT_DEFAULT, 0);
    FUZZ_CHECK(mine != NULL && ref != NULL);
    size_t at = 0;
    while (mine[at] && mine[at] == ref[at])
        at++;
    if (mine[at] != ref[at]) {
        fprintf(stderr, "the writers differ at byte %zu (before | after):\n", at);
        show("cmark", ref, at);
        show("feedkeep", mine, at);
    }
    FUZZ_CHECK(mine[at] == ref[at]);
    free(mine);
    free(ref);
    cmark_node_free(mine_doc);
    cmark_node_free(ref_doc);
    return 0;
}
