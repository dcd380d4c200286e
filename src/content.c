/* content.c - the content stage: article HTML to one cmark tree, and from
 * that tree the plain text, the Markdown and the code blocks.
 *
 * libxml2's HTML parser gives a DOM that content_tree.c walks once to build
 * a cmark document; content_text.c renders its plain text and cmark its
 * Markdown. This file holds the element table and the text helpers they
 * share, the reading of articles too big for a tree, and the public
 * functions.
 *
 * The content files are the only ones that include cmark.h.
 */
#include "feedkeep/content.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "content_int.h"
#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/decode.h"
#include "feedkeep/utf8.h"
#include "feedkeep/xml.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* --- the element table --------------------------------------------------- */

/* Sorted by name for bsearch. Unknown elements are K_INLINE. */
static const struct element elements[] = {
    {"a", K_LINK, 0, NULL, false},
    {"address", K_BLOCK, 0, NULL, false},
    {"article", K_BLOCK, 0, NULL, false},
    {"aside", K_BLOCK, 0, NULL, false},
    {"audio", K_EMBED, 0, "audio", true},
    {"b", K_STRONG, 0, NULL, false},
    {"blockquote", K_QUOTE, 0, NULL, false},
    {"body", K_BLOCK, 0, NULL, false},
    {"br", K_BR, 0, NULL, false},
    {"button", K_DROP, 0, NULL, false},
    {"canvas", K_DROP, 0, NULL, false},
    {"caption", K_BLOCK, 0, NULL, false},
    {"center", K_BLOCK, 0, NULL, false},
    {"cite", K_EMPH, 0, NULL, false},
    {"code", K_CODE, 0, NULL, false},
    {"dd", K_BLOCK, 0, NULL, false},
    {"del", K_TAGGED, 0, "del", false},
    {"details", K_BLOCK, 0, NULL, false},
    {"dialog", K_DROP, 0, NULL, false},
    {"dir", K_LIST, CMARK_BULLET_LIST, NULL, false},
    {"div", K_BLOCK, 0, NULL, false},
    {"dl", K_BLOCK, 0, NULL, false},
    {"dt", K_BLOCK, 0, NULL, false},
    {"em", K_EMPH, 0, NULL, false},
    {"embed", K_DROP, 0, NULL, false},
    {"fieldset", K_BLOCK, 0, NULL, false},
    {"figcaption", K_BLOCK, 0, NULL, false},
    {"figure", K_BLOCK, 0, NULL, false},
    {"footer", K_BLOCK, 0, NULL, false},
    {"form", K_BLOCK, 0, NULL, false},
    {"h1", K_HEADING, 1, NULL, false},
    {"h2", K_HEADING, 2, NULL, false},
    {"h3", K_HEADING, 3, NULL, false},
    {"h4", K_HEADING, 4, NULL, false},
    {"h5", K_HEADING, 5, NULL, false},
    {"h6", K_HEADING, 6, NULL, false},
    {"head", K_DROP, 0, NULL, false},
    {"header", K_BLOCK, 0, NULL, false},
    {"hgroup", K_BLOCK, 0, NULL, false},
    {"hr", K_HR, 0, NULL, false},
    {"html", K_BLOCK, 0, NULL, false},
    {"i", K_EMPH, 0, NULL, false},
    {"iframe", K_EMBED, 0, "embed", false},
    {"img", K_IMAGE, 0, NULL, false},
    {"input", K_DROP, 0, NULL, false},
    {"kbd", K_CODE, 0, NULL, false},
    {"li", K_ITEM, 0, NULL, false},
    {"link", K_DROP, 0, NULL, false},
    {"listing", K_PRE, 0, NULL, false},
    {"main", K_BLOCK, 0, NULL, false},
    {"menu", K_LIST, CMARK_BULLET_LIST, NULL, false},
    {"meta", K_DROP, 0, NULL, false},
    {"nav", K_BLOCK, 0, NULL, false},
    {"noscript", K_DROP, 0, NULL, false},
    {"object", K_DROP, 0, NULL, false},
    {"ol", K_LIST, CMARK_ORDERED_LIST, NULL, false},
    {"p", K_BLOCK, 0, NULL, false},
    {"plaintext", K_PRE, 0, NULL, false},
    {"pre", K_PRE, 0, NULL, false},
    {"s", K_TAGGED, 0, "s", false},
    {"samp", K_CODE, 0, NULL, false},
    {"script", K_DROP, 0, NULL, false},
    {"section", K_BLOCK, 0, NULL, false},
    {"select", K_DROP, 0, NULL, false},
    /* Void in HTML5, but libxml2 2.9 nests what follows a <source> inside
     * it (the <img> of a <picture>): transparent, or the image is lost. */
    {"source", K_INLINE, 0, NULL, false},
    {"span", K_INLINE, 0, NULL, false},
    {"strike", K_TAGGED, 0, "del", false},
    {"strong", K_STRONG, 0, NULL, false},
    {"style", K_DROP, 0, NULL, false},
    {"sub", K_TAGGED, 0, "sub", false},
    {"summary", K_BLOCK, 0, NULL, false},
    {"sup", K_TAGGED, 0, "sup", false},
    {"svg", K_DROP, 0, NULL, false},
    {"table", K_EMBED, 0, NULL, false},
    {"td", K_BLOCK, 0, NULL, false},
    {"template", K_DROP, 0, NULL, false},
    {"textarea", K_DROP, 0, NULL, false},
    {"th", K_BLOCK, 0, NULL, false},
    {"title", K_DROP, 0, NULL, false},
    {"tr", K_BLOCK, 0, NULL, false},
    {"tt", K_CODE, 0, NULL, false},
    {"ul", K_LIST, CMARK_BULLET_LIST, NULL, false},
    {"video", K_EMBED, 0, "video", true},
    {"xmp", K_PRE, 0, NULL, false},
};

/* Page furniture that publishers put next to the content: dev.to's panel
 * under each code block ("Enter fullscreen mode", "Exit fullscreen mode"). */
static const char *const dropped_classes[] = {
    "highlight__panel",
    "js-actions-panel",
};

static int compare_element(const void *key, const void *member)
{
    /* most steps of the search are decided by the first letter */
    const unsigned char *a = key;
    const unsigned char *b = (const unsigned char *)((const struct element *)member)->name;
    return *a != *b ? *a - *b : strcmp((const char *)a, (const char *)b);
}

const char *content_node_name(const xmlNode *node)
{
    return (const char *)node->name;
}

/* The value of an attribute, pointing into the tree, or NULL when absent.
 * A boolean attribute (<video controls>) gives "". */
const char *content_attr(const xmlNode *node, const char *name)
{
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (strcmp((const char *)a->name, name) != 0)
            continue;
        const xmlNode *value = a->children;
        if (value && value->type == XML_TEXT_NODE && !value->next && value->content)
            return (const char *)value->content;
        return "";
    }
    return NULL;
}

/* Find a token in a space-separated list (a class attribute). Returns a
 * pointer to it, or NULL. With prefix, tokens need only start with token. */
const char *content_find_token(const char *list, const char *token, bool prefix, size_t *len)
{
    size_t token_len = strlen(token);
    const char *p = list;
    while (*p) {
        while (fk_is_html_space((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && !fk_is_html_space((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - start);
        if (n && (prefix ? n > token_len : n == token_len) &&
            memcmp(start, token, token_len) == 0) {
            if (len)
                *len = n;
            return start;
        }
    }
    return NULL;
}

static const struct element *element_of(const xmlNode *node, struct lookup *cache)
{
    const char *name = content_node_name(node);
    if (cache->element && strcmp(name, cache->element->name) == 0)
        return cache->element;
    const struct element *el =
        bsearch(name, elements, COUNT(elements), sizeof elements[0], compare_element);
    if (el)
        cache->element = el;
    return el;
}

/* What an element does, from the table and, for a block, its class. */
enum kind content_kind_of(const xmlNode *node, struct lookup *cache, const struct element **out)
{
    const struct element *el = element_of(node, cache);
    enum kind kind = el ? el->kind : K_INLINE;
    if (out)
        *out = el;
    if (kind == K_BLOCK) {
        const char *classes = content_attr(node, "class");
        for (size_t i = 0; classes && i < COUNT(dropped_classes); i++)
            if (content_find_token(classes, dropped_classes[i], false, NULL))
                return K_DROP;
    }
    return kind;
}

bool content_is_block_kind(enum kind kind)
{
    switch (kind) {
    case K_BLOCK:
    case K_HEADING:
    case K_LIST:
    case K_ITEM:
    case K_QUOTE:
    case K_PRE:
    case K_HR:
    case K_EMBED:
        return true;
    default:
        return false;
    }
}

bool content_is_block_element(const xmlNode *node, struct lookup *cache)
{
    return node->type == XML_ELEMENT_NODE &&
           content_is_block_kind(content_kind_of(node, cache, NULL));
}

/* --- text helpers ----------------------------------------------------------- */

/* How text scanning treats each byte. Control characters mean nothing on a
 * page and are dropped; 0xC2 may start a no-break space (C2 A0), which the
 * text treats as an ordinary space. */

static const unsigned char byte_classes[256] = {
    [0x00] = B_END,     [0x01] = B_CONTROL, [0x02] = B_CONTROL, [0x03] = B_CONTROL,
    [0x04] = B_CONTROL, [0x05] = B_CONTROL, [0x06] = B_CONTROL, [0x07] = B_CONTROL,
    [0x08] = B_CONTROL, [0x09] = B_SPACE,   [0x0A] = B_SPACE,   [0x0B] = B_CONTROL,
    [0x0C] = B_SPACE,   [0x0D] = B_CR,      [0x0E] = B_CONTROL, [0x0F] = B_CONTROL,
    [0x10] = B_CONTROL, [0x11] = B_CONTROL, [0x12] = B_CONTROL, [0x13] = B_CONTROL,
    [0x14] = B_CONTROL, [0x15] = B_CONTROL, [0x16] = B_CONTROL, [0x17] = B_CONTROL,
    [0x18] = B_CONTROL, [0x19] = B_CONTROL, [0x1A] = B_CONTROL, [0x1B] = B_CONTROL,
    [0x1C] = B_CONTROL, [0x1D] = B_CONTROL, [0x1E] = B_CONTROL, [0x1F] = B_CONTROL,
    [0x20] = B_SPACE,   [0x7F] = B_CONTROL, [0xC2] = B_C2,
};

enum byte_class content_class_at(const unsigned char *p)
{
    enum byte_class c = byte_classes[*p];
    return c == B_C2 ? (p[1] == 0xA0 ? B_SPACE : B_TEXT) : c;
}

/* Length of the white space at p, 0 if none. */
size_t content_space_at(const unsigned char *p)
{
    switch (content_class_at(p)) {
    case B_SPACE:
        return *p == 0xC2 ? 2 : 1;
    case B_CR:
        return 1;
    default:
        return 0;
    }
}

/* Append s laid out as a browser does ordinary text: runs of white space
 * become one space, written only when more text follows (*space carries
 * the pending space between calls) and never before out->data[start]. */
void content_append_collapsed(struct fk_buf *out, size_t start, const char *s, bool *space)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        /* Single spaces between words are copied with them: fewer calls. */
        const unsigned char *run = p;
        if (content_class_at(p) == B_TEXT) {
            p++;
            while (content_class_at(p) == B_TEXT ||
                   (*p == ' ' && content_class_at(p + 1) == B_TEXT))
                p++;
        }
        if (p > run) {
            if (*space) {
                (void)fk_buf_addc(out, ' ');
                *space = false;
            }
            (void)fk_buf_add(out, run, (size_t)(p - run));
        }
        size_t n = content_space_at(p);
        if (n) {
            if (out->len > start)
                *space = true;
            p += n;
        } else if (*p) {
            p++; /* a control character */
        } else {
            return;
        }
    }
}

/* Append s keeping its white space, as in <pre>: line ends normalised to
 * "\n", no-break spaces made plain (code pasted from a page must run),
 * control characters other than tab dropped. */
static void append_raw(struct fk_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = p;
        while (content_class_at(p) == B_TEXT || (*p != 0xC2 && content_class_at(p) == B_SPACE))
            p++;
        (void)fk_buf_add(out, run, (size_t)(p - run));
        switch (content_class_at(p)) {
        case B_END:
            return;
        case B_CR:
            (void)fk_buf_addc(out, '\n');
            p += p[1] == '\n' ? 2 : 1;
            break;
        case B_SPACE: /* no-break */
            (void)fk_buf_addc(out, ' ');
            p += 2;
            break;
        default:
            p++;
            break;
        }
    }
}

/* Between blocks: a new line in raw text, a space in collapsed text. */
static void text_break(struct fk_buf *out, size_t start, enum text_mode mode, bool *space)
{
    if (mode == TEXT_COLLAPSED) {
        if (out->len > start)
            *space = true;
    } else if (out->len && out->data[out->len - 1] != '\n') {
        (void)fk_buf_addc(out, '\n');
    }
}

const xmlNode *content_next_node(const xmlNode *node, const xmlNode *top, struct lookup *cache,
                                 int *blocks_left)
{
    for (; node != top; node = node->parent) {
        *blocks_left += content_is_block_element(node, cache);
        if (node->next)
            return node->next;
    }
    return NULL;
}

/* Append the text of a subtree as a page shows it. Line breaks and block
 * elements separate; dropped elements give nothing. Iterative, so the depth
 * of the tree does not matter. */
void content_collect_text(const xmlNode *top, struct fk_buf *out, enum text_mode mode)
{
    struct lookup cache = {NULL};
    bool space = false;
    size_t start = out->len;
    const xmlNode *node = top;
    for (;;) {
        bool descend = false;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content && mode == TEXT_RAW)
                append_raw(out, (const char *)node->content);
            else if (node->content)
                content_append_collapsed(out, start, (const char *)node->content, &space);
        } else if (node->type == XML_ELEMENT_NODE) {
            enum kind kind = content_kind_of(node, &cache, NULL);
            if (kind == K_BR && mode == TEXT_RAW)
                (void)fk_buf_addc(out, '\n');
            else if (kind == K_BR)
                text_break(out, start, mode, &space);
            else if (kind != K_DROP)
                descend = true;
            if (descend && content_is_block_kind(kind))
                text_break(out, start, mode, &space);
        }
        if (descend && node->children) {
            node = node->children;
            continue;
        }
        int blocks = 0;
        node = content_next_node(node, top, &cache, &blocks);
        for (; blocks > 0; blocks--)
            text_break(out, start, mode, &space);
        if (!node)
            return;
    }
}

/* A collapsed copy of s (an attribute value), trimmed. */
char *content_collapse(const char *s)
{
    struct fk_buf out = FK_BUF_INIT;
    bool space = false;
    if (s)
        content_append_collapsed(&out, 0, s, &space);
    return fk_buf_detach(&out);
}

/* libxml2 copies bytes that are not UTF-8 into the tree as they are. Return
 * NULL when s is valid UTF-8 without NUL bytes, else a copy (length in
 * *clean_len) with each bad byte replaced by U+FFFD, as browsers do. */
static char *clean_utf8(const char *s, size_t len, size_t *clean_len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    struct fk_buf out = FK_BUF_INIT;
    const unsigned char *copied = p;
    bool dirty = false;
    while (p < end) {
        /* Eight ASCII bytes at a time: no high bit, no zero byte. */
        if (end - p >= 8) {
            uint64_t word;
            memcpy(&word, p, 8);
            if (!(word & 0x8080808080808080u) &&
                !((word - 0x0101010101010101u) & ~word & 0x8080808080808080u)) {
                p += 8;
                continue;
            }
        }
        if (*p >= 0x01 && *p < 0x80) {
            p++;
            continue;
        }
        uint32_t cp;
        size_t n = *p ? fk_utf8_decode((const char *)p, (size_t)(end - p), &cp) : 0;
        if (n) {
            p += n;
            continue;
        }
        dirty = true;
        (void)fk_buf_add(&out, copied, (size_t)(p - copied));
        (void)fk_buf_adds(&out, "\xEF\xBF\xBD");
        p++;
        copied = p;
    }
    if (!dirty)
        return NULL;
    (void)fk_buf_add(&out, copied, (size_t)(end - copied));
    *clean_len = out.len;
    return fk_buf_detach(&out);
}

/* The text form of a table: a line per row, cells split by " | ". Rows of
 * tables nested in cells are not visited (the cell text has them). */
char *content_table_note(const xmlNode *table)
{
    struct fk_buf out = FK_BUF_INIT;
    const xmlNode *node = table->children;
    while (node) {
        bool descend =
            node->type == XML_ELEMENT_NODE && strcmp(content_node_name(node), "table") != 0;
        if (descend && strcmp(content_node_name(node), "tr") == 0) {
            descend = false;
            size_t row_start = out.len;
            bool first = true;
            for (const xmlNode *cell = node->children; cell; cell = cell->next) {
                if (cell->type != XML_ELEMENT_NODE || (strcmp(content_node_name(cell), "td") != 0 &&
                                                       strcmp(content_node_name(cell), "th") != 0))
                    continue;
                if (!first)
                    (void)fk_buf_adds(&out, " | ");
                first = false;
                content_collect_text(cell, &out, TEXT_COLLAPSED);
            }
            fk_buf_rtrim(&out, " |");
            if (out.len > row_start)
                (void)fk_buf_addc(&out, '\n');
        }
        if (descend && node->children) {
            node = node->children;
            continue;
        }
        while (node != table && !node->next)
            node = node->parent;
        node = node == table ? NULL : node->next;
    }
    fk_buf_rtrim(&out, "\n");
    if (!out.len)
        (void)fk_buf_adds(&out, "[table]");
    return fk_buf_detach(&out);
}

/* "[video: URL]": where an embed points, from its src or its first <source>. */
char *content_media_note(const xmlNode *node, const char *label)
{
    const char *src = content_attr(node, "src");
    for (const xmlNode *child = node->children; (!src || !*src) && child; child = child->next)
        if (child->type == XML_ELEMENT_NODE && strcmp(content_node_name(child), "source") == 0)
            src = content_attr(child, "src");
    struct fk_buf out = FK_BUF_INIT;
    if (src && *src)
        (void)fk_buf_printf(&out, "[%s: %s]", label, src);
    else
        (void)fk_buf_printf(&out, "[%s]", label);
    return fk_buf_detach(&out);
}

/* The text form of an HTML block read back from our Markdown: the note of
 * its first table or embed ("[video: URL]"), as when it was made; NULL for
 * anything else (cmark's "<!-- end list -->"). */
char *content_html_block_note(const char *html)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    xmlDoc *dom = ctxt ? htmlCtxtReadMemory(ctxt, html, (int)strnlen(html, FK_CONTENT_HTML_LIMIT),
                                            NULL, "UTF-8", HTML_OPTIONS)
                       : NULL;
    char *note = NULL;
    struct lookup cache = {NULL};
    xmlNode *node = dom ? xmlDocGetRootElement(dom) : NULL;
    while (node && !note) {
        const struct element *el = NULL;
        if (node->type == XML_ELEMENT_NODE && content_kind_of(node, &cache, &el) == K_EMBED) {
            note = el->label ? content_media_note(node, el->label) : content_table_note(node);
            break;
        }
        if (node->type == XML_ELEMENT_NODE && node->children) {
            node = node->children;
            continue;
        }
        while (node && !node->next)
            node = node->parent;
        node = node ? node->next : NULL;
    }
    if (dom)
        xmlFreeDoc(dom);
    if (ctxt)
        htmlFreeParserCtxt(ctxt);
    return note;
}

/* --- articles too big for a tree ------------------------------------------------ */

/* The plain text of an article read as a stream of parser events, without
 * a document tree: memory follows the text, not the markup. Laid out as
 * the text of a converted article is: blocks split by one blank line,
 * <br> a line end, white space collapsed but in <pre>, dropped elements
 * (scripts, styles) left out. */
struct plain {
    struct fk_buf text;
    struct fk_buf chars; /* the event's characters, NUL-terminated */
    size_t line;         /* where the line being written starts */
    bool space;          /* a space pending before more text */
    int breaks;          /* pending: 1 a line end, 2 a block boundary */
    int drop;            /* depth inside a dropped element */
    int pre;             /* depth inside <pre> (and <listing>, <xmp>) */
    bool one_line;       /* a title: blocks and line ends are spaces */
};

static enum kind kind_of_name(const xmlChar *name, const xmlChar **attrs)
{
    const struct element *el =
        bsearch((const char *)name, elements, COUNT(elements), sizeof elements[0], compare_element);
    enum kind kind = el ? el->kind : K_INLINE;
    if (kind != K_BLOCK)
        return kind;
    for (size_t a = 0; attrs && attrs[a]; a += 2)
        if (strcmp((const char *)attrs[a], "class") == 0 && attrs[a + 1])
            for (size_t i = 0; i < COUNT(dropped_classes); i++)
                if (content_find_token((const char *)attrs[a + 1], dropped_classes[i], false, NULL))
                    return K_DROP;
    return kind;
}

static void plain_break(struct plain *pl, int kind)
{
    if (pl->one_line) {
        pl->space = pl->space || pl->text.len;
        return;
    }
    if (pl->text.len && kind > pl->breaks)
        pl->breaks = kind;
    pl->space = false;
}

static void plain_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
    struct plain *pl = ((htmlParserCtxtPtr)ctx)->_private;
    if (pl->drop) {
        pl->drop++;
        return;
    }
    enum kind kind = kind_of_name(name, attrs);
    if (kind == K_DROP)
        pl->drop = 1;
    else if (kind == K_BR)
        plain_break(pl, 1);
    else if (content_is_block_kind(kind))
        plain_break(pl, 2);
    pl->pre += kind == K_PRE && !pl->one_line;
}

static void plain_end(void *ctx, const xmlChar *name)
{
    struct plain *pl = ((htmlParserCtxtPtr)ctx)->_private;
    if (pl->drop) {
        pl->drop--;
        return;
    }
    enum kind kind = kind_of_name(name, NULL);
    if (content_is_block_kind(kind))
        plain_break(pl, 2);
    if (kind == K_PRE && pl->pre)
        pl->pre--;
}

static void plain_characters(void *ctx, const xmlChar *ch, int len)
{
    struct plain *pl = ((htmlParserCtxtPtr)ctx)->_private;
    if (pl->drop || len <= 0)
        return;
    fk_buf_reset(&pl->chars);
    (void)fk_buf_add(&pl->chars, ch, (size_t)len);
    const unsigned char *p = (const unsigned char *)pl->chars.data;
    if (!pl->pre) {
        while (content_space_at(p) || content_class_at(p) == B_CONTROL)
            p += content_space_at(p) ? content_space_at(p) : 1;
        if (!*p) {
            if (pl->text.len > pl->line)
                pl->space = true;
            return;
        }
    }
    if (pl->breaks) {
        (void)fk_buf_adds(&pl->text, pl->breaks == 2 ? "\n\n" : "\n");
        pl->line = pl->text.len;
        pl->breaks = 0;
        pl->space = false;
    }
    if (pl->pre)
        append_raw(&pl->text, pl->chars.data);
    else
        content_append_collapsed(&pl->text, pl->line, pl->chars.data, &pl->space);
}

/* The plain text of html, as above (one_line: as a title). */
static char *plain_text(const char *html, size_t len, bool one_line)
{
    struct plain pl;
    memset(&pl, 0, sizeof pl);
    pl.one_line = one_line;
    fk_buf_init(&pl.text, 0);
    fk_buf_init(&pl.chars, 0);
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt) {
        xmlSAXHandler *sax = ctxt->sax;
        memset(sax, 0, sizeof *sax); /* no tree, no error reports */
        sax->startElement = plain_start;
        sax->endElement = plain_end;
        sax->characters = plain_characters;
        sax->ignorableWhitespace = plain_characters;
        sax->cdataBlock = plain_characters;
        ctxt->_private = &pl;
        xmlDoc *dom = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8", HTML_OPTIONS);
        if (dom)
            xmlFreeDoc(dom);
        htmlFreeParserCtxt(ctxt);
    }
    /* no line ends in blanks (<pre> lines may) */
    size_t kept = 0;
    for (size_t i = 0; i < pl.text.len; i++) {
        if (pl.text.data[i] == '\n')
            while (kept && (pl.text.data[kept - 1] == ' ' || pl.text.data[kept - 1] == '\t'))
                kept--;
        pl.text.data[kept++] = pl.text.data[i];
    }
    if (pl.text.data)
        pl.text.data[pl.text.len = kept] = '\0';
    fk_buf_rtrim(&pl.text, " \t\n");
    if (pl.text.len && !one_line)
        (void)fk_buf_addc(&pl.text, '\n');
    fk_buf_release(&pl.chars);
    return fk_buf_detach(&pl.text);
}

/* Convert an article as plain text: the text as above, and as Markdown
 * that text in one fenced block, which a CommonMark reader takes back as
 * the same text in one node, however many paragraphs it has. */
static void plain_article(const char *html, size_t len, struct fk_content *out)
{
    out->text = plain_text(html, len, false);
    struct fk_buf markdown = FK_BUF_INIT;
    if (*out->text) {
        size_t fence = content_longest_backticks(out->text) + 1;
        fence = fence < 3 ? 3 : fence;
        for (size_t i = 0; i < fence; i++)
            (void)fk_buf_addc(&markdown, '`');
        (void)fk_buf_addc(&markdown, '\n');
        (void)fk_buf_adds(&markdown, out->text);
        for (size_t i = 0; i < fence; i++)
            (void)fk_buf_addc(&markdown, '`');
        (void)fk_buf_addc(&markdown, '\n');
    }
    out->markdown = fk_buf_detach(&markdown);
}

/* Whether a tree of this HTML would cost too much (FK_CONTENT_NODES_MAX). */
static bool too_many_nodes(const struct fk_tag_scan *scan)
{
    return scan->tags + scan->all_attrs + scan->comments > FK_CONTENT_NODES_MAX;
}

/* --- tidying cmark's Markdown ---------------------------------------------------- */

/* The next run of backticks from p that is exactly n long (or at least n
 * when !exact), or NULL. */
static char *find_backtick_run(char *p, size_t n, bool exact)
{
    while ((p = strchr(p, '`'))) {
        size_t run = strspn(p, "`");
        if (exact ? run == n : run >= n)
            return p;
        p += run;
    }
    return NULL;
}

/* cmark 0.30 writes the fence of a code block without a language as "``` "
 * with a trailing space: valid, but editors flag it and diffs show it.
 * Drop that space. The blocks are found in document order: cmark makes a
 * fence longer than any run of backticks in its code, so the first run of
 * that length after an opening fence is its closing fence, and the next
 * opening fence is the first such run followed by its info string; text
 * outside code has its backticks escaped, and code spans are never
 * followed by a line end right after one space. */
static void tidy_fences(char *markdown, const struct fk_code_block *blocks, size_t count)
{
    /* Most articles name every language: nothing to do, and no scan. */
    while (count && blocks[count - 1].language)
        count--;
    char *p = markdown, *write = NULL;
    const char *read = markdown;
    for (size_t i = 0; i < count && p; i++) {
        size_t n = content_longest_backticks(blocks[i].code) + 1;
        const char *info = blocks[i].language ? blocks[i].language : "";
        size_t info_len = strlen(info);
        n = n < 3 ? 3 : n;
        while ((p = find_backtick_run(p, n, true)) &&
               !(p[n] == ' ' && strncmp(p + n + 1, info, info_len) == 0 &&
                 p[n + 1 + info_len] == '\n'))
            p += n;
        if (!p)
            break;
        if (!info_len) {
            /* Copy what came before the space over the gaps left so far. */
            size_t keep = (size_t)(p + n - read);
            if (write)
                memmove(write, read, keep);
            write = (write ? write : markdown) + keep;
            read = p + n + 1;
        }
        p = find_backtick_run(p + n + 1 + info_len, n, false);
        p = p ? p + strspn(p, "`") : NULL;
    }
    if (write)
        memmove(write, read, strlen(read) + 1);
}

/* --- the tree libxml2 builds -------------------------------------------------- */

/* Highlighted code is mostly <span>s: four in five elements of dev.to's
 * articles, and libxml2 spends most of an article's parse building and
 * freeing them. Inside a <pre>, below its own children, a <span> changes
 * nothing this stage makes: the code's text is its text nodes joined
 * (content_collect_text), the language is read from the <pre>, its child
 * <code> and their ancestors. So those spans are left out of the tree as
 * libxml2 builds it, their content going to their parent. Not in a
 * heading (whose walk enters the <pre>) nor in a table or embed (kept as
 * HTML). Two differences would show, and are kept from showing: libxml2
 * stops at a depth of its tree that counts the spans; and a text ending
 * in CR and the next starting with LF, once joined, make one line end
 * instead of two, so a comment, which the text ignores, keeps them
 * apart. */
#define FILTER_DEPTH   256
#define FILTER_SKIPPED 0x80

struct span_filter {
    int depth;
    int pre, heading, embed;           /* open elements of these kinds */
    bool joined;                       /* a span boundary skipped since the last text */
    unsigned char stack[FILTER_DEPTH]; /* kind of each open element, | FILTER_SKIPPED */
};

static enum kind kind_of_name(const xmlChar *name, const xmlChar **attrs);

static void filter_count(struct span_filter *f, enum kind kind, int step)
{
    f->pre += kind == K_PRE ? step : 0;
    f->heading += kind == K_HEADING ? step : 0;
    f->embed += kind == K_EMBED ? step : 0;
}

static void filter_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct span_filter *f = ctxt->_private;
    /* where libxml2 would have stopped, spans counted */
    bool too_deep = f->depth > (int)xmlParserMaxDepth && ctxt->nodeNr <= (int)xmlParserMaxDepth;
    bool span = strcmp((const char *)name, "span") == 0;
    enum kind kind = span ? K_INLINE : kind_of_name(name, attrs);
    bool skip = span && f->pre && !f->heading && !f->embed && f->depth > 0 &&
                f->depth < FILTER_DEPTH && (f->stack[f->depth - 1] & ~FILTER_SKIPPED) != K_PRE;
    if (f->depth < FILTER_DEPTH)
        f->stack[f->depth] = (unsigned char)(kind | (skip ? FILTER_SKIPPED : 0));
    f->depth++;
    filter_count(f, kind, 1);
    f->joined = skip;
    if (too_deep)
        xmlStopParser(ctxt);
    else if (!skip)
        xmlSAX2StartElement(ctx, name, attrs);
}

static void filter_end(void *ctx, const xmlChar *name)
{
    struct span_filter *f = ((htmlParserCtxtPtr)ctx)->_private;
    bool skip = false;
    enum kind kind;
    if (f->depth > 0)
        f->depth--;
    if (f->depth < FILTER_DEPTH) {
        skip = f->stack[f->depth] & FILTER_SKIPPED;
        kind = (enum kind)(f->stack[f->depth] & ~FILTER_SKIPPED);
    } else {
        kind = strcmp((const char *)name, "span") == 0 ? K_INLINE : kind_of_name(name, NULL);
    }
    filter_count(f, kind, -1);
    f->joined = skip;
    if (!skip)
        xmlSAX2EndElement(ctx, name);
}

static void filter_characters(void *ctx, const xmlChar *ch, int len)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct span_filter *f = ctxt->_private;
    xmlNode *last = ctxt->node ? ctxt->node->last : NULL;
    if (len <= 0) {
        xmlSAX2Characters(ctx, ch, len);
        return;
    }
    if (f->joined && ch[0] == '\n' && last && last->type == XML_TEXT_NODE && last->content &&
        *last->content && last->content[strlen((const char *)last->content) - 1] == '\r') {
        xmlNode *comment = xmlNewDocComment(ctxt->myDoc, (const xmlChar *)"");
        if (comment)
            xmlAddChild(ctxt->node, comment);
    }
    f->joined = false;
    xmlSAX2Characters(ctx, ch, len);
}

/* --- the public functions --------------------------------------------------- */

int fk_content_from_html(const char *html, size_t len, const char *base_url, struct fk_content *out,
                         struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > FK_CONTENT_HTML_LIMIT)
        return fk_error_set(err, FK_ERROR_INPUT, "article HTML too large (%zu bytes, limit %zu)",
                            len, FK_CONTENT_HTML_LIMIT);

    int rc = -1;
    size_t clean_len = 0;
    char *clean = html && len ? clean_utf8(html, len, &clean_len) : NULL;
    htmlParserCtxtPtr ctxt = NULL;
    xmlDoc *dom = NULL;
    cmark_node *doc = NULL;
    void **notes = NULL;
    size_t nnotes = 0;
    struct span_filter filter;

    if (html && len) {
        struct fk_tag_scan scan = FK_TAG_SCAN_INIT;
        bool over = false;
        (void)fk_tag_scan(&scan, clean ? clean : html, clean ? clean_len : len, &over);
        if (over) {
            fk_error_set(err, FK_ERROR_INPUT, "article HTML has a tag with more than %d attributes",
                         FK_TAG_ATTRS_MAX);
            goto out;
        }
        if (too_many_nodes(&scan)) {
            plain_article(clean ? clean : html, clean ? clean_len : len, out);
            out->warning = "article HTML has more than 100,000 elements, attributes and "
                           "comments: converted as plain text";
            rc = 0;
            goto out;
        }
        ctxt = htmlNewParserCtxt();
        if (!ctxt) {
            fk_error_set(err, FK_ERROR_INPUT, "cannot parse article HTML: out of memory");
            goto out;
        }
        memset(&filter, 0, sizeof filter);
        ctxt->_private = &filter;
        ctxt->sax->startElement = filter_start;
        ctxt->sax->endElement = filter_end;
        ctxt->sax->characters = filter_characters;
        dom = htmlCtxtReadMemory(ctxt, clean ? clean : html, (int)(clean ? clean_len : len), NULL,
                                 "UTF-8", HTML_OPTIONS);
    }
    /* before the tree is built: building it sanitizes parts of the DOM */
    content_collect_assets(dom, base_url, out);
    doc = content_tree_build(dom, base_url, &notes, &nnotes);
    content_mark_linked_assets(doc, out);
    out->text = content_render_document(doc, 0, &out->code_blocks, &out->ncode_blocks);
    if (cmark_node_first_child(doc)) {
        out->markdown = content_markdown(doc);
        tidy_fences(out->markdown, out->code_blocks, out->ncode_blocks);
    } else {
        out->markdown = fk_xstrdup(""); /* cmark gives "\n" for an empty document */
    }
    rc = 0;
out:
    for (size_t i = 0; i < nnotes; i++)
        free(notes[i]);
    free(notes);
    if (doc)
        cmark_node_free(doc);
    if (dom)
        xmlFreeDoc(dom);
    if (ctxt)
        htmlFreeParserCtxt(ctxt);
    free(clean);
    return rc;
}

void fk_content_release(struct fk_content *content)
{
    if (!content)
        return;
    free(content->text);
    free(content->markdown);
    content_free_code_blocks(content->code_blocks, content->ncode_blocks);
    for (size_t i = 0; i < content->nassets; i++)
        free(content->assets[i].url);
    free(content->assets);
    memset(content, 0, sizeof *content);
}

char *fk_content_html_to_line(const char *html)
{
    if (!html)
        return fk_xstrdup("");
    size_t len = strnlen(html, FK_CONTENT_HTML_LIMIT);
    size_t clean_len = 0;
    char *clean = clean_utf8(html, len, &clean_len);
    const char *input = clean ? clean : html;
    size_t input_len = clean ? clean_len : len;
    struct fk_buf out = FK_BUF_INIT;
    htmlParserCtxtPtr ctxt = NULL;
    xmlDoc *dom = NULL;
    struct fk_tag_scan scan = FK_TAG_SCAN_INIT;
    bool over = false;
    /* the text before a tag with too many attributes (see decode.h) */
    input_len = fk_tag_scan(&scan, input, input_len, &over);

    if (!memchr(input, '<', input_len) && !memchr(input, '&', input_len)) {
        /* Most titles are plain text: no parser needed. */
        char *copy = input[input_len] ? fk_xstrndup(input, input_len) : NULL;
        bool space = false;
        content_append_collapsed(&out, 0, copy ? copy : input, &space);
        free(copy);
    } else if (too_many_nodes(&scan)) {
        /* a title built to cost memory as a tree: read as a stream */
        char *line = plain_text(input, input_len, true);
        (void)fk_buf_adds(&out, line);
        free(line);
    } else if ((ctxt = htmlNewParserCtxt())) {
        dom = htmlCtxtReadMemory(ctxt, input, (int)input_len, NULL, "UTF-8", HTML_OPTIONS);
        xmlNode *root = dom ? xmlDocGetRootElement(dom) : NULL;
        if (root)
            content_collect_text(root, &out, TEXT_COLLAPSED);
    }
    if (dom)
        xmlFreeDoc(dom);
    if (ctxt)
        htmlFreeParserCtxt(ctxt);
    free(clean);
    return fk_buf_detach(&out);
}
