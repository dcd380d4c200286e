/* content.c - the content stage: article HTML to one cmark tree, and from
 * that tree the plain text, the Markdown and the code blocks.
 *
 * libxml2's HTML parser gives a DOM that is walked once to build a cmark
 * document. The walk keeps a little state (the open paragraph, the inline
 * elements around the text, a pending space or line break) so that whatever
 * the HTML looks like, the cmark tree is valid: inline content always sits in
 * a paragraph or heading, lists hold only items, and inline elements are only
 * created once content reaches them, so empty ones never exist.
 *
 * This is the only file that includes cmark.h.
 */
#include "feedkeep/content.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include "feedkeep/buf.h"
#include "feedkeep/decode.h"
#include "feedkeep/xml.h"
#include "feedkeep/url.h"

/* How deep the DOM walk recurses. Below this, elements still give their
 * text, paragraph breaks and code blocks, walked without recursion, so
 * hostile nesting cannot exhaust the stack. Real articles nest under 20. */
#define MAX_DEPTH 100

/* Ordered list numbers CommonMark accepts (at most nine digits). */
#define MAX_LIST_START 999999999L

/* libxml2 parses; recovering keeps broken HTML usable; errors and warnings
 * are not reported anywhere, so nothing reaches stderr; no network. */
#define HTML_OPTIONS                                                                               \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT)

/* --- the element table --------------------------------------------------- */

enum kind {
    K_INLINE, /* transparent: its content flows on (span, sub, unknown tags) */
    K_BLOCK,  /* a paragraph boundary around its content (p, div, section) */
    K_HEADING,
    K_LIST,
    K_ITEM,
    K_QUOTE,
    K_PRE,
    K_HR,
    K_BR,
    K_EMPH,
    K_STRONG,
    K_CODE,
    K_LINK,
    K_IMAGE,
    K_TAGGED, /* inline with no CommonMark form (strikethrough, sub, sup):
               * its content between inline HTML tags in the Markdown */
    K_EMBED,  /* no CommonMark form: kept as an HTML block */
    K_DROP,   /* never shown: scripts, styles, form controls */
};

struct element {
    const char *name;
    enum kind kind;
    int level;         /* K_HEADING: 1-6; K_LIST: a cmark_list_type */
    const char *label; /* K_EMBED: the word of the text placeholder, NULL for tables;
                        * K_TAGGED: the tag written in the Markdown */
    bool wrap;         /* K_EMBED: CommonMark starts an HTML block only at known
                        * block tags (spec 4.6, condition 6), so wrap in a div */
};

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

/* Elements removed from the HTML kept as an HTML block: they run code or
 * hide content, and the archive must not carry them. */
static const char *const unsafe_elements[] = {"script",   "style",  "noscript",
                                              "template", "object", "embed"};

/* Attributes holding a URL, resolved in HTML blocks so they work outside
 * the feed. */
static const char *const url_attributes[] = {"href", "src", "poster", "cite"};

/* Schemes whose URLs run code or carry data instead of pointing somewhere:
 * links and images using them are reduced to their text. */
static const char *const unsafe_schemes[] = {"javascript:", "vbscript:", "data:"};

/* Where highlighters name a code block's language, most specific first. */
enum lang_where { ON_CODE, ON_PRE, ON_WRAPPER };
enum lang_how {
    BY_PREFIX,   /* a class token starting with text: "language-python" */
    AFTER_TOKEN, /* the class token after the token text: "highlight python" */
    WHOLE,       /* the whole attribute value */
};
static const struct lang_source {
    enum lang_where where;
    const char *attribute;
    enum lang_how how;
    const char *text;
} lang_sources[] = {
    {ON_CODE, "class", BY_PREFIX, "language-"}, /* Prism, highlight.js, CommonMark */
    {ON_CODE, "class", BY_PREFIX, "lang-"},
    {ON_CODE, "data-lang", WHOLE, NULL}, /* Hugo */
    {ON_PRE, "class", BY_PREFIX, "language-"},
    {ON_PRE, "class", BY_PREFIX, "lang-"},
    {ON_PRE, "data-lang", WHOLE, NULL},
    {ON_PRE, "class", AFTER_TOKEN, "highlight"},   /* dev.to: "highlight python" */
    {ON_WRAPPER, "class", BY_PREFIX, "language-"}, /* Jekyll */
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static int compare_element(const void *key, const void *member)
{
    return strcmp(key, ((const struct element *)member)->name);
}

static const char *node_name(const xmlNode *node)
{
    return (const char *)node->name;
}

/* The value of an attribute, pointing into the tree, or NULL when absent.
 * A boolean attribute (<video controls>) gives "". */
static const char *attr(const xmlNode *node, const char *name)
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

static bool is_html_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Find a token in a space-separated list (a class attribute). Returns a
 * pointer to it, or NULL. With prefix, tokens need only start with token. */
static const char *find_token(const char *list, const char *token, bool prefix, size_t *len)
{
    size_t token_len = strlen(token);
    const char *p = list;
    while (*p) {
        while (is_html_space((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && !is_html_space((unsigned char)*p))
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

/* The last element name looked up. libxml2 keeps names in a dictionary, so
 * the thousands of <span>s of highlighted code share one pointer and skip
 * the search. Valid for one document. */
struct lookup {
    const xmlChar *name;
    const struct element *element;
};

static const struct element *element_of(const xmlNode *node, struct lookup *cache)
{
    if (cache->name && node->name == cache->name)
        return cache->element;
    cache->name = node->name;
    cache->element =
        bsearch(node_name(node), elements, COUNT(elements), sizeof elements[0], compare_element);
    return cache->element;
}

/* What an element does, from the table and, for a block, its class. */
static enum kind kind_of(const xmlNode *node, struct lookup *cache, const struct element **out)
{
    const struct element *el = element_of(node, cache);
    enum kind kind = el ? el->kind : K_INLINE;
    if (out)
        *out = el;
    if (kind == K_BLOCK) {
        const char *classes = attr(node, "class");
        for (size_t i = 0; classes && i < COUNT(dropped_classes); i++)
            if (find_token(classes, dropped_classes[i], false, NULL))
                return K_DROP;
    }
    return kind;
}

static bool is_block_kind(enum kind kind)
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

static bool is_block_element(const xmlNode *node, struct lookup *cache)
{
    return node->type == XML_ELEMENT_NODE && is_block_kind(kind_of(node, cache, NULL));
}

/* --- text helpers ----------------------------------------------------------- */

/* How text scanning treats each byte. Control characters mean nothing on a
 * page and are dropped; 0xC2 may start a no-break space (C2 A0), which the
 * text treats as an ordinary space. */
enum byte_class { B_TEXT, B_END, B_SPACE, B_CR, B_CONTROL, B_C2 };

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

static enum byte_class class_at(const unsigned char *p)
{
    enum byte_class c = byte_classes[*p];
    return c == B_C2 ? (p[1] == 0xA0 ? B_SPACE : B_TEXT) : c;
}

/* Length of the white space at p, 0 if none. */
static size_t space_at(const unsigned char *p)
{
    switch (class_at(p)) {
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
static void append_collapsed(struct fk_buf *out, size_t start, const char *s, bool *space)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        /* Single spaces between words are copied with them: fewer calls. */
        const unsigned char *run = p;
        if (class_at(p) == B_TEXT) {
            p++;
            while (class_at(p) == B_TEXT || (*p == ' ' && class_at(p + 1) == B_TEXT))
                p++;
        }
        if (p > run) {
            if (*space) {
                (void)fk_buf_addc(out, ' ');
                *space = false;
            }
            (void)fk_buf_add(out, run, (size_t)(p - run));
        }
        size_t n = space_at(p);
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
        while (class_at(p) == B_TEXT || (*p != 0xC2 && class_at(p) == B_SPACE))
            p++;
        (void)fk_buf_add(out, run, (size_t)(p - run));
        switch (class_at(p)) {
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

enum text_mode { TEXT_RAW, TEXT_COLLAPSED };

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

/* Append the text of a subtree as a page shows it. Line breaks and block
 * elements separate; dropped elements give nothing. Iterative, so the depth
 * of the tree does not matter. */
static void collect_text(const xmlNode *top, struct fk_buf *out, enum text_mode mode)
{
    struct lookup cache = {NULL, NULL};
    bool space = false;
    size_t start = out->len;
    const xmlNode *node = top;
    for (;;) {
        bool descend = false;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content && mode == TEXT_RAW)
                append_raw(out, (const char *)node->content);
            else if (node->content)
                append_collapsed(out, start, (const char *)node->content, &space);
        } else if (node->type == XML_ELEMENT_NODE) {
            enum kind kind = kind_of(node, &cache, NULL);
            if (kind == K_BR && mode == TEXT_RAW)
                (void)fk_buf_addc(out, '\n');
            else if (kind == K_BR)
                text_break(out, start, mode, &space);
            else if (kind != K_DROP)
                descend = true;
            if (descend && is_block_kind(kind))
                text_break(out, start, mode, &space);
        }
        if (descend && node->children) {
            node = node->children;
            continue;
        }
        for (;;) {
            if (node != top && is_block_element(node, &cache))
                text_break(out, start, mode, &space);
            if (node == top)
                return;
            if (node->next) {
                node = node->next;
                break;
            }
            node = node->parent;
        }
    }
}

/* A collapsed copy of s (an attribute value), trimmed. */
static char *collapse(const char *s)
{
    struct fk_buf out = FK_BUF_INIT;
    bool space = false;
    if (s)
        append_collapsed(&out, 0, s, &space);
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
        size_t n = 0;
        unsigned char c = *p;
        size_t left = (size_t)(end - p);
        if (c >= 0xC2 && c <= 0xDF)
            n = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 4;
        bool ok = n && n <= left;
        for (size_t i = 1; ok && i < n; i++)
            ok = (p[i] & 0xC0) == 0x80;
        /* Overlong forms, surrogates and code points past U+10FFFF. */
        if (ok && n == 3)
            ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0);
        if (ok && n == 4)
            ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
        if (ok) {
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

static bool unsafe_url(const char *url)
{
    /* Browsers ignore leading blanks and tabs or line ends inside the
     * scheme, so "java\tscript:" is javascript: too. */
    char scheme[16];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)url; *p && n < sizeof scheme - 1; p++) {
        if (*p <= ' ' && (n == 0 || *p == '\t' || *p == '\n' || *p == '\r'))
            continue;
        scheme[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
        if (*p == ':')
            break;
    }
    scheme[n] = '\0';
    for (size_t i = 0; i < COUNT(unsafe_schemes); i++)
        if (strcmp(scheme, unsafe_schemes[i]) == 0)
            return true;
    return false;
}

/* The destination of a link or image: ref resolved against the base, as
 * a browser reads it. Browsers drop tabs and line ends inside a URL and
 * percent-encode spaces and other control characters; a CommonMark
 * destination may hold none of them (cmark would write "\n" as "% A"), so
 * they are dropped or encoded here. Returns a new string. */
static char *link_destination(const char *base_url, const char *ref)
{
    char *url = fk_url_resolve(base_url, ref);
    size_t extra = 0;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        extra += *p <= ' ' || *p == 0x7F;
    if (!extra)
        return url;
    static const char hex[] = "0123456789ABCDEF";
    char *out = fk_xmalloc(strlen(url) + 2 * extra + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p == '\t' || *p == '\n' || *p == '\r') {
            continue;
        } else if (*p <= ' ' || *p == 0x7F) {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    free(url);
    return out;
}

/* A non-negative integer attribute ("1", "1px"), or -1. */
static long attr_number(const xmlNode *node, const char *name)
{
    const char *value = attr(node, name);
    if (!value)
        return -1;
    while (is_html_space((unsigned char)*value))
        value++;
    if (*value < '0' || *value > '9')
        return -1;
    long n = 0;
    for (; *value >= '0' && *value <= '9' && n < 1000000; value++)
        n = n * 10 + (*value - '0');
    return n;
}

/* --- building the cmark tree ------------------------------------------------ */

/* An inline element (emphasis, strong, link) enclosing the walk. Its cmark
 * node is made when content first reaches it in the current paragraph, and
 * made again in the next paragraph when a block interrupts it. */
struct frame {
    enum kind kind;
    const char *tag; /* K_TAGGED: the HTML tag around the content */
    char *url;       /* K_LINK: resolved href */
    char *title;
    cmark_node *node;
};

struct builder {
    const char *base_url;
    cmark_node *doc;
    cmark_node *block; /* where blocks go: the document, a quote, an item or a list */
    cmark_node *para;  /* the open paragraph or heading, NULL between blocks */
    int heading_level; /* 0: the next paragraph is a paragraph; 1-6: a heading */
    int flatten;       /* inside a heading: blocks are only spaces */
    struct lookup lookup;
    struct frame frames[MAX_DEPTH];
    size_t nframes;
    size_t nmade;       /* frames[0..nmade) have nodes in the open paragraph */
    struct fk_buf text; /* text not yet in the tree, for text_parent */
    cmark_node *text_parent;
    bool pending_space;
    int pending_breaks;
    /* Lists, items and quotes (cmark_node *), in the order made, to tidy at
     * the end. */
    void **containers;
    size_t ncontainers, containers_cap;
    /* Text forms of the HTML blocks (char *, their user data), freed at the
     * end. */
    void **notes;
    size_t nnotes, notes_cap;
    /* Emphasis and strong nodes (cmark_node *), whose delimiters are
     * checked once the tree is complete (fix_delimiters). */
    void **delimited;
    size_t ndelimited, delimited_cap;
    /* Text nodes starting with "~~~" (cmark_node *), see escape_fences. */
    void **tildes;
    size_t ntildes, tildes_cap;
};

static void push_pointer(void ***array, size_t *count, size_t *cap, void *pointer)
{
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *array = fk_xrealloc(*array, *cap * sizeof **array);
    }
    (*array)[(*count)++] = pointer;
}

/* Make a custom inline node write its content between <tag> and </tag>,
 * in the Markdown as inline HTML. */
static void set_tags(cmark_node *node, const char *tag)
{
    char html[32];
    snprintf(html, sizeof html, "<%s>", tag);
    cmark_node_set_on_enter(node, html);
    snprintf(html, sizeof html, "</%s>", tag);
    cmark_node_set_on_exit(node, html);
}

/* Append child to parent; cmark refuses children the node type cannot hold
 * (returns 0), and then the child is freed and NULL returned. */
static cmark_node *append(cmark_node *parent, cmark_node *child)
{
    if (parent && cmark_node_append_child(parent, child))
        return child;
    cmark_node_free(child);
    return NULL;
}

static void flush_text(struct builder *b)
{
    if (!b->text.len)
        return;
    cmark_node *node = cmark_node_new(CMARK_NODE_TEXT);
    cmark_node_set_literal(node, b->text.data);
    if (append(b->text_parent, node) && strncmp(b->text.data, "~~~", 3) == 0)
        push_pointer(&b->tildes, &b->ntildes, &b->tildes_cap, node);
    fk_buf_reset(&b->text);
}

/* Structural appends flush the text first, so the tree keeps the order of
 * the page. */
static cmark_node *append_node(struct builder *b, cmark_node *parent, cmark_node *child)
{
    flush_text(b);
    return append(parent, child);
}

static void add_text_to(struct builder *b, cmark_node *parent, const char *s, size_t len)
{
    if (b->text_parent != parent) {
        flush_text(b);
        b->text_parent = parent;
    }
    (void)fk_buf_add(&b->text, s, len);
}

static cmark_node *add_container(struct builder *b, cmark_node *parent, cmark_node *node)
{
    node = append_node(b, parent, node);
    if (node)
        push_pointer(&b->containers, &b->ncontainers, &b->containers_cap, node);
    return node;
}

/* Where the next block goes: content found directly in a list joins its
 * last item (or a new one), as lists hold only items. */
static cmark_node *block_parent(struct builder *b)
{
    if (cmark_node_get_type(b->block) != CMARK_NODE_LIST)
        return b->block;
    cmark_node *item = cmark_node_last_child(b->block);
    if (item)
        return item;
    item = add_container(b, b->block, cmark_node_new(CMARK_NODE_ITEM));
    return item ? item : b->doc;
}

static void close_para(struct builder *b)
{
    flush_text(b);
    b->para = NULL;
    b->nmade = 0;
    b->pending_space = false;
    b->pending_breaks = 0;
}

/* Between blocks the paragraph ends; inside a heading, which must stay one
 * line, a block only separates words. */
static void block_boundary(struct builder *b)
{
    if (b->flatten) {
        if (b->para)
            b->pending_space = true;
    } else {
        close_para(b);
    }
}

static cmark_node *open_para(struct builder *b)
{
    cmark_node *node;
    if (b->heading_level) {
        node = cmark_node_new(CMARK_NODE_HEADING);
        cmark_node_set_heading_level(node, b->heading_level);
    } else {
        node = cmark_node_new(CMARK_NODE_PARAGRAPH);
    }
    b->para = append_node(b, block_parent(b), node);
    b->nmade = 0;
    b->pending_space = false;
    b->pending_breaks = 0;
    return b->para;
}

/* Make the tree ready for inline content and return the node it goes into:
 * open a paragraph if none is open, put down the line break or space left
 * pending, and create the inline elements that enclose the content. The
 * space goes before those elements, so "a <em>b</em>" is "a *b*". */
static cmark_node *ensure_inline(struct builder *b)
{
    if (b->para && b->pending_breaks > 1)
        close_para(b); /* <br><br> is how many pages split paragraphs */
    if (!b->para && !open_para(b))
        return NULL;
    cmark_node *top = b->nmade ? b->frames[b->nmade - 1].node : b->para;
    if (b->pending_breaks) {
        append_node(b, top, cmark_node_new(CMARK_NODE_LINEBREAK));
        b->pending_breaks = 0;
        b->pending_space = false;
    }
    if (b->pending_space) {
        add_text_to(b, top, " ", 1);
        b->pending_space = false;
    }
    while (b->nmade < b->nframes) {
        struct frame *f = &b->frames[b->nmade];
        cmark_node *node = cmark_node_new(f->kind == K_LINK     ? CMARK_NODE_LINK
                                          : f->kind == K_STRONG ? CMARK_NODE_STRONG
                                          : f->kind == K_TAGGED ? CMARK_NODE_CUSTOM_INLINE
                                                                : CMARK_NODE_EMPH);
        if (f->url)
            cmark_node_set_url(node, f->url);
        if (f->title)
            cmark_node_set_title(node, f->title);
        if (f->tag)
            set_tags(node, f->tag);
        if (!(node = append_node(b, top, node)))
            return NULL;
        if (f->kind == K_EMPH || f->kind == K_STRONG)
            push_pointer(&b->delimited, &b->ndelimited, &b->delimited_cap, node);
        f->node = top = node;
        b->nmade++;
    }
    return top;
}

static void add_text(struct builder *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        size_t n = space_at(p);
        if (n && b->para)
            b->pending_space = true;
        if (!n && class_at(p) != B_CONTROL)
            break;
        p += n ? n : 1;
    }
    if (!*p)
        return;
    cmark_node *target = ensure_inline(b);
    if (!target)
        return;
    if (b->text_parent != target) {
        flush_text(b);
        b->text_parent = target;
    }
    append_collapsed(&b->text, 0, (const char *)p, &b->pending_space);
}

static void line_break(struct builder *b)
{
    if (!b->para)
        return; /* a break before any text shows nothing worth keeping */
    if (b->flatten) {
        b->pending_space = true;
    } else {
        b->pending_breaks++;
        b->pending_space = false;
    }
}

static void add_note(struct builder *b, cmark_node *node, char *note)
{
    push_pointer(&b->notes, &b->nnotes, &b->notes_cap, note);
    cmark_node_set_user_data(node, note);
}

/* The code element a <pre> wraps, if any. */
static const xmlNode *code_child(const xmlNode *pre)
{
    for (const xmlNode *child = pre->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE)
            return strcmp(node_name(child), "code") == 0 ? child : NULL;
        if (child->type == XML_TEXT_NODE && child->content) {
            for (const xmlChar *p = child->content; *p; p++)
                if (!is_html_space(*p))
                    return NULL;
        }
    }
    return NULL;
}

/* Write a language name into out (lower case; letters, digits and + # . _ -,
 * the characters real names use). False when it does not look like one. */
static bool clean_language(const char *name, size_t len, char *out, size_t size)
{
    if (len == 0 || len >= size)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + ('a' - 'A'));
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("+#._-", c))) {
            out[0] = '\0';
            return false;
        }
        out[i] = c;
    }
    out[len] = '\0';
    return true;
}

static bool language_from(const xmlNode *node, const struct lang_source *source, char *out,
                          size_t size)
{
    const char *value = node ? attr(node, source->attribute) : NULL;
    if (!value)
        return false;
    size_t len = 0;
    const char *start = NULL;
    if (source->how == WHOLE) {
        while (is_html_space((unsigned char)*value))
            value++;
        start = value;
        len = strlen(value);
        while (len && is_html_space((unsigned char)start[len - 1]))
            len--;
    } else if (source->how == BY_PREFIX) {
        start = find_token(value, source->text, true, &len);
        if (start) {
            start += strlen(source->text);
            len -= strlen(source->text);
        }
    } else {
        const char *token = find_token(value, source->text, false, &len);
        if (token) {
            const char *p = token + len;
            while (is_html_space((unsigned char)*p))
                p++;
            start = p;
            while (*p && !is_html_space((unsigned char)*p))
                p++;
            len = (size_t)(p - start);
        }
    }
    return start && clean_language(start, len, out, size);
}

static void language_of(const xmlNode *pre, char *out, size_t size)
{
    const xmlNode *code = code_child(pre);
    const xmlNode *parent = pre->parent;
    const xmlNode *wrapper = parent && parent->type == XML_ELEMENT_NODE ? parent : NULL;
    out[0] = '\0';
    for (size_t i = 0; i < COUNT(lang_sources); i++) {
        const struct lang_source *source = &lang_sources[i];
        const xmlNode *node = source->where == ON_CODE  ? code
                              : source->where == ON_PRE ? pre
                                                        : wrapper;
        if (language_from(node, source, out, size))
            return;
        /* Jekyll puts the class two levels up: div.language-x > div.highlight > pre. */
        if (source->where == ON_WRAPPER && wrapper && wrapper->parent &&
            wrapper->parent->type == XML_ELEMENT_NODE &&
            language_from(wrapper->parent, source, out, size))
            return;
    }
}

static void code_block(struct builder *b, const xmlNode *pre)
{
    struct fk_buf code = FK_BUF_INIT;
    collect_text(pre, &code, TEXT_RAW);
    size_t start = 0;
    /* HTML drops a line end right after <pre>; libxml2 keeps it. */
    const xmlNode *first = pre->children;
    if (code.len && code.data[0] == '\n' && first && first->type == XML_TEXT_NODE &&
        first->content && (first->content[0] == '\n' || first->content[0] == '\r'))
        start = 1;
    fk_buf_rtrim(&code, " \t\n");
    if (code.len > start) {
        (void)fk_buf_addc(&code, '\n'); /* cmark literals end with a line end */
        char language[33];
        language_of(pre, language, sizeof language);
        cmark_node *node = cmark_node_new(CMARK_NODE_CODE_BLOCK);
        cmark_node_set_literal(node, code.data + start);
        cmark_node_set_fence_info(node, language);
        append_node(b, block_parent(b), node);
    }
    fk_buf_release(&code);
}

static void inline_code(struct builder *b, const xmlNode *node)
{
    struct fk_buf code = FK_BUF_INIT;
    collect_text(node, &code, TEXT_COLLAPSED);
    cmark_node *parent = code.len ? ensure_inline(b) : NULL;
    if (parent) {
        cmark_node *literal = cmark_node_new(CMARK_NODE_CODE);
        cmark_node_set_literal(literal, code.data);
        append_node(b, parent, literal);
    }
    fk_buf_release(&code);
}

static void image(struct builder *b, const xmlNode *node)
{
    const char *src = attr(node, "src");
    if (!src || !*src)
        src = attr(node, "data-src"); /* lazy loading */
    long width = attr_number(node, "width"), height = attr_number(node, "height");
    /* Tracking pixels: 1x1 or with no area. */
    if (width == 0 || height == 0 || (width >= 0 && width <= 1 && height >= 0 && height <= 1))
        return;
    char *alt = collapse(attr(node, "alt"));
    if (!src || !*src || unsafe_url(src)) {
        if (*alt)
            add_text(b, alt);
        free(alt);
        return;
    }
    cmark_node *parent = ensure_inline(b);
    if (parent) {
        char *url = link_destination(b->base_url, src);
        cmark_node *img = cmark_node_new(CMARK_NODE_IMAGE);
        cmark_node_set_url(img, url);
        const char *title = attr(node, "title");
        if (title && *title) {
            char *clean = collapse(title);
            cmark_node_set_title(img, clean);
            free(clean);
        }
        if (*alt) {
            cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
            cmark_node_set_literal(text, alt);
            append(img, text);
        }
        append_node(b, parent, img);
        free(url);
    }
    free(alt);
}

/* Make an HTML subtree safe to keep: no scripts or comments, no event
 * handlers or srcdoc, no javascript: URLs, and other URLs absolute. */
static void sanitize(struct builder *b, xmlNode *top)
{
    xmlNode *node = top;
    for (;;) {
        bool remove = node->type == XML_COMMENT_NODE || node->type == XML_PI_NODE;
        if (node->type == XML_ELEMENT_NODE) {
            for (size_t i = 0; i < COUNT(unsafe_elements); i++)
                remove = remove || strcmp(node_name(node), unsafe_elements[i]) == 0;
        }
        if (remove && node != top) {
            xmlNode *next = node->next, *parent = node->parent;
            xmlUnlinkNode(node);
            xmlFreeNode(node);
            if (next) {
                node = next;
                continue;
            }
            node = parent;
        } else {
            if (node->type == XML_ELEMENT_NODE) {
                xmlAttr *a = node->properties;
                while (a) {
                    xmlAttr *next = a->next;
                    const char *name = (const char *)a->name;
                    const char *value = attr(node, name);
                    bool is_url = false;
                    for (size_t i = 0; i < COUNT(url_attributes); i++)
                        is_url = is_url || strcmp(name, url_attributes[i]) == 0;
                    if (strncmp(name, "on", 2) == 0 || strcmp(name, "srcdoc") == 0 ||
                        (is_url && unsafe_url(value))) {
                        xmlRemoveProp(a);
                    } else if (is_url && *value) {
                        char *url = fk_url_resolve(b->base_url, value);
                        xmlSetProp(node, a->name, (const xmlChar *)url);
                        free(url);
                    }
                    a = next;
                }
                if (node->children) {
                    node = node->children;
                    continue;
                }
            }
        }
        while (node != top && !node->next)
            node = node->parent;
        if (node == top)
            return;
        node = node->next;
    }
}

/* The text form of a table: a line per row, cells split by " | ". Rows of
 * tables nested in cells are not visited (the cell text has them). */
static char *table_note(const xmlNode *table)
{
    struct fk_buf out = FK_BUF_INIT;
    const xmlNode *node = table->children;
    while (node) {
        bool descend = node->type == XML_ELEMENT_NODE && strcmp(node_name(node), "table") != 0;
        if (descend && strcmp(node_name(node), "tr") == 0) {
            descend = false;
            size_t row_start = out.len;
            bool first = true;
            for (const xmlNode *cell = node->children; cell; cell = cell->next) {
                if (cell->type != XML_ELEMENT_NODE ||
                    (strcmp(node_name(cell), "td") != 0 && strcmp(node_name(cell), "th") != 0))
                    continue;
                if (!first)
                    (void)fk_buf_adds(&out, " | ");
                first = false;
                collect_text(cell, &out, TEXT_COLLAPSED);
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
static char *media_note(const xmlNode *node, const char *label)
{
    const char *src = attr(node, "src");
    for (const xmlNode *child = node->children; (!src || !*src) && child; child = child->next)
        if (child->type == XML_ELEMENT_NODE && strcmp(node_name(child), "source") == 0)
            src = attr(child, "src");
    struct fk_buf out = FK_BUF_INIT;
    if (src && *src)
        (void)fk_buf_printf(&out, "[%s: %s]", label, src);
    else
        (void)fk_buf_printf(&out, "[%s]", label);
    return fk_buf_detach(&out);
}

/* Serialise the element as HTML for an HTML block. A blank line would end
 * the block early, so blank lines go; line ends become "\n" (libxml2 keeps
 * the page's CRs). */
static char *serialize(xmlNode *node, bool wrap)
{
    xmlBuffer *buffer = xmlBufferCreate();
    xmlOutputBuffer *output = buffer ? xmlOutputBufferCreateBuffer(buffer, NULL) : NULL;
    struct fk_buf out = FK_BUF_INIT;
    if (!output)
        goto out;
    htmlNodeDumpFormatOutput(output, node->doc, node, NULL, 0);
    xmlOutputBufferFlush(output);
    const char *html = (const char *)xmlBufferContent(buffer);
    size_t len = (size_t)xmlBufferLength(buffer);
    bool first = true;
    if (wrap)
        (void)fk_buf_adds(&out, "<div>");
    for (size_t i = 0; i < len;) {
        size_t line_len = strcspn(html + i, "\r\n");
        bool blank = true;
        for (size_t j = 0; j < line_len && blank; j++)
            blank = is_html_space((unsigned char)html[i + j]);
        if (!blank) {
            if (!first)
                (void)fk_buf_addc(&out, '\n');
            (void)fk_buf_add(&out, html + i, line_len);
            first = false;
        }
        i += line_len;
        i += html[i] == '\r' && html[i + 1] == '\n' ? 2 : 1;
    }
    if (wrap)
        (void)fk_buf_adds(&out, "</div>");
out:
    if (output)
        xmlOutputBufferClose(output);
    if (buffer)
        xmlBufferFree(buffer);
    return fk_buf_detach(&out);
}

/* --- pipe tables --------------------------------------------------------------- */

/* A table whose cells hold only inline content becomes a pipe table, which
 * GitHub, Hugo, Jekyll (kramdown) and Obsidian render; any other (merged
 * cells, blocks or line breaks in a cell, a caption, a nested table) stays
 * an HTML block. cmark has no table node, so while the tree is built a
 * table is a custom block holding a custom block per row holding one per
 * cell, whose content the walk builds like any other (so escaping, links
 * and emphasis are cmark's). Once the tree is complete, write_tables
 * renders each cell with cmark and replaces the table with a leaf block
 * whose literal is the pipe table: cmark writes a leaf's literal as it is,
 * once, with the prefixes of the quotes and list items around it, where a
 * custom block's text would be written between blank lines on entry and
 * on exit, leaving empty quoted lines around a table in a quote. The leaf
 * is an HTML block node, the only leaf cmark writes verbatim; CommonMark
 * readers see a paragraph, GFM readers a table. */

static void walk_children(struct builder *b, xmlNode *parent, int depth);

/* The rows of a table element: its tr children and those of its thead,
 * tbody and tfoot. Returns the number found (at most max), or -1 when the
 * table holds anything else but white space, col and colgroup. */
static int table_rows(const xmlNode *table, const xmlNode **rows, int max)
{
    int count = 0;
    for (const xmlNode *child = table->children; child; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_COMMENT_NODE)
            continue;
        if (child->type != XML_ELEMENT_NODE)
            return -1;
        const char *name = node_name(child);
        if (strcmp(name, "col") == 0 || strcmp(name, "colgroup") == 0)
            continue;
        bool group =
            strcmp(name, "thead") == 0 || strcmp(name, "tbody") == 0 || strcmp(name, "tfoot") == 0;
        if (!group && strcmp(name, "tr") != 0)
            return -1;
        for (const xmlNode *row = group ? child->children : child; row;
             row = group ? row->next : NULL) {
            if (row->type != XML_ELEMENT_NODE)
                continue;
            if (strcmp(node_name(row), "tr") != 0 || count == max)
                return -1;
            rows[count++] = row;
        }
    }
    return count;
}

static bool is_cell(const xmlNode *node)
{
    return node->type == XML_ELEMENT_NODE &&
           (strcmp(node_name(node), "td") == 0 || strcmp(node_name(node), "th") == 0);
}

/* Whether a cell holds only inline content (and no line break, which a
 * pipe table row cannot), and spans one row and one column. */
static bool inline_cell(const xmlNode *cell, struct lookup *cache)
{
    if (attr_number(cell, "colspan") > 1 || attr_number(cell, "rowspan") > 1)
        return false;
    const xmlNode *node = cell->children;
    while (node) {
        if (node->type == XML_ELEMENT_NODE) {
            enum kind kind = kind_of(node, cache, NULL);
            if (is_block_kind(kind) || kind == K_BR)
                return false;
            if (kind != K_DROP && node->children) {
                node = node->children;
                continue;
            }
        }
        while (node != cell && !node->next)
            node = node->parent;
        node = node == cell ? NULL : node->next;
    }
    return true;
}

/* The most rows and columns a pipe table gets; a larger table stays HTML. */
#define PIPE_TABLE_ROWS    1000
#define PIPE_TABLE_COLUMNS 64

/* Build the custom block of a pipe table for table, or return false when
 * it is not one. */
static bool pipe_table(struct builder *b, xmlNode *table, int depth, char *note)
{
    const xmlNode **rows = fk_xcalloc(PIPE_TABLE_ROWS, sizeof *rows);
    int nrows = table_rows(table, rows, PIPE_TABLE_ROWS);
    bool ok = nrows > 0;
    for (int r = 0; r < nrows && ok; r++) {
        int cells = 0;
        for (const xmlNode *cell = rows[r]->children; cell && ok; cell = cell->next) {
            if (cell->type == XML_ELEMENT_NODE && !is_cell(cell))
                ok = false;
            else if (is_cell(cell))
                ok = ++cells <= PIPE_TABLE_COLUMNS && inline_cell(cell, &b->lookup);
        }
        ok = ok && cells > 0;
    }
    if (!ok) {
        free(rows);
        return false;
    }
    cmark_node *block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    add_note(b, block, note);
    block = append_node(b, block_parent(b), block);
    /* Inline elements around the table do not reach into its cells. The
     * cells' own open elements take the same slots: the outer ones are
     * kept aside and put back after. */
    cmark_node *saved_block = b->block;
    size_t saved_frames = b->nframes;
    struct frame *outer = NULL;
    if (saved_frames) {
        outer = fk_xmalloc(saved_frames * sizeof *outer);
        memcpy(outer, b->frames, saved_frames * sizeof *outer);
    }
    b->nframes = 0;
    for (int r = 0; r < nrows && block; r++) {
        cmark_node *row = append_node(b, block, cmark_node_new(CMARK_NODE_CUSTOM_BLOCK));
        for (xmlNode *cell = rows[r]->children; row && cell; cell = cell->next) {
            if (!is_cell(cell))
                continue;
            b->block = append_node(b, row, cmark_node_new(CMARK_NODE_CUSTOM_BLOCK));
            if (b->block)
                walk_children(b, cell, depth);
            close_para(b);
        }
    }
    b->block = saved_block;
    if (saved_frames)
        memcpy(b->frames, outer, saved_frames * sizeof *outer);
    b->nframes = saved_frames;
    b->nmade = 0;
    free(outer);
    free(rows);
    return true;
}

/* Append a cell's Markdown to out: its paragraph as cmark writes it, on
 * one line, with "|" escaped as pipe tables want (inside code spans too). */
static void add_cell(struct fk_buf *out, cmark_node *cell)
{
    size_t start = out->len;
    for (cmark_node *para = cmark_node_first_child(cell); para; para = cmark_node_next(para)) {
        char *md = cmark_render_commonmark(para, CMARK_OPT_DEFAULT, 0);
        if (out->len > start)
            (void)fk_buf_addc(out, ' ');
        for (const char *p = md; *p; p++) {
            if (*p == '|')
                (void)fk_buf_adds(out, "\\|");
            else if (*p == '\n')
                (void)fk_buf_addc(out, ' ');
            else
                (void)fk_buf_addc(out, *p);
        }
        free(md);
        fk_buf_rtrim(out, " ");
    }
}

/* Write each pipe table's rows as its literal Markdown, the first row as
 * the header, short rows filled with empty cells; the row and cell blocks
 * go. */
static void write_tables(struct builder *b)
{
    void **tables = NULL;
    size_t ntables = 0, cap = 0;
    cmark_iter *iter = cmark_iter_new(b->doc);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (event == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_CUSTOM_BLOCK &&
            cmark_node_get_user_data(node))
            push_pointer(&tables, &ntables, &cap, node);
    }
    cmark_iter_free(iter);
    for (size_t t = 0; t < ntables; t++) {
        cmark_node *table = tables[t];
        int columns = 0;
        for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
            int n = 0;
            for (cmark_node *cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell))
                n++;
            columns = n > columns ? n : columns;
        }
        struct fk_buf md = FK_BUF_INIT;
        bool header = true;
        for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
            int n = 0;
            (void)fk_buf_adds(&md, "|");
            for (cmark_node *cell = cmark_node_first_child(row); cell;
                 cell = cmark_node_next(cell), n++) {
                (void)fk_buf_addc(&md, ' ');
                add_cell(&md, cell);
                (void)fk_buf_adds(&md, " |");
            }
            for (; n < columns; n++)
                (void)fk_buf_adds(&md, "  |");
            (void)fk_buf_addc(&md, '\n');
            if (header) {
                (void)fk_buf_adds(&md, "|");
                for (int i = 0; i < columns; i++)
                    (void)fk_buf_adds(&md, " --- |");
                (void)fk_buf_addc(&md, '\n');
                header = false;
            }
        }
        fk_buf_rtrim(&md, "\n");
        cmark_node *literal = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        cmark_node_set_literal(literal, md.data ? md.data : "");
        cmark_node_set_user_data(literal, cmark_node_get_user_data(table));
        if (cmark_node_replace(table, literal))
            cmark_node_free(table);
        else
            cmark_node_free(literal);
        fk_buf_release(&md);
    }
    free(tables);
}

static void embed(struct builder *b, xmlNode *node, const struct element *el, int depth)
{
    sanitize(b, node);
    b->lookup.name = NULL; /* nodes were freed */
    char *note = el->label ? media_note(node, el->label) : table_note(node);
    if (!el->label && pipe_table(b, node, depth, note))
        return;
    char *html = serialize(node, el->wrap);
    cmark_node *block = cmark_node_new(CMARK_NODE_HTML_BLOCK);
    cmark_node_set_literal(block, html);
    add_note(b, block, note);
    append_node(b, block_parent(b), block);
    free(html);
}

static int list_start(const xmlNode *node)
{
    const char *value = attr(node, "start");
    if (!value)
        return 1;
    char *end;
    long start = strtol(value, &end, 10);
    if (end == value || start < 0 || start > MAX_LIST_START)
        return 1;
    return (int)start;
}

static void walk(struct builder *b, xmlNode *node, int depth);

static void walk_children(struct builder *b, xmlNode *parent, int depth)
{
    for (xmlNode *child = parent->children; child; child = child->next)
        walk(b, child, depth + 1);
}

/* Walk a subtree as the children of a new block container (quote, list or
 * item), then return to the enclosing one. */
static void walk_inside(struct builder *b, xmlNode *node, int depth, cmark_node *container)
{
    cmark_node *saved = b->block;
    b->block = container;
    walk_children(b, node, depth);
    close_para(b);
    b->block = saved;
}

static void list(struct builder *b, xmlNode *node, int depth, const struct element *el)
{
    close_para(b);
    cmark_node *list_node = cmark_node_new(CMARK_NODE_LIST);
    cmark_node_set_list_type(list_node, (cmark_list_type)el->level);
    if (el->level == CMARK_ORDERED_LIST) {
        cmark_node_set_list_delim(list_node, CMARK_PERIOD_DELIM);
        cmark_node_set_list_start(list_node, list_start(node));
    }
    list_node = add_container(b, block_parent(b), list_node);
    if (list_node)
        walk_inside(b, node, depth, list_node);
}

static void item(struct builder *b, xmlNode *node, int depth)
{
    close_para(b);
    cmark_node *list_node = b->block;
    if (cmark_node_get_type(list_node) != CMARK_NODE_LIST) {
        /* An item outside a list continues the list just before it, or
         * starts one. */
        list_node = cmark_node_last_child(b->block);
        if (!list_node || cmark_node_get_type(list_node) != CMARK_NODE_LIST) {
            list_node = cmark_node_new(CMARK_NODE_LIST);
            cmark_node_set_list_type(list_node, CMARK_BULLET_LIST);
            list_node = add_container(b, b->block, list_node);
        }
    }
    cmark_node *item_node =
        list_node ? add_container(b, list_node, cmark_node_new(CMARK_NODE_ITEM)) : NULL;
    if (item_node)
        walk_inside(b, node, depth, item_node);
}

static void inline_frame(struct builder *b, xmlNode *node, int depth, enum kind kind,
                         const char *tag)
{
    char *url = NULL, *title = NULL;
    /* Links cannot nest in CommonMark, and emphasis inside emphasis says
     * nothing more, so an element already open is transparent. */
    bool open = false;
    for (size_t i = 0; i < b->nframes && !open; i++)
        open = b->frames[i].kind == kind && b->frames[i].tag == tag;
    if (kind == K_LINK && !open) {
        const char *href = attr(node, "href");
        if (href && *href && !unsafe_url(href)) {
            url = link_destination(b->base_url, href);
            const char *value = attr(node, "title");
            title = value && *value ? collapse(value) : NULL;
        } else {
            open = true; /* no destination: only text */
        }
    }
    if (open || b->nframes == MAX_DEPTH) {
        walk_children(b, node, depth);
        return;
    }
    struct frame *f = &b->frames[b->nframes++];
    f->kind = kind;
    f->tag = tag;
    f->url = url;
    f->title = title;
    f->node = NULL;
    walk_children(b, node, depth);
    b->nframes--;
    if (b->nmade > b->nframes)
        b->nmade = b->nframes;
    free(url);
    free(title);
}

/* Beyond MAX_DEPTH: no recursion and no new structure, but paragraphs, line
 * breaks, images and code blocks still come out in order. */
static void walk_flat(struct builder *b, xmlNode *top)
{
    xmlNode *node = top;
    for (;;) {
        bool descend = false;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content)
                add_text(b, (const char *)node->content);
        } else if (node->type == XML_ELEMENT_NODE) {
            switch (kind_of(node, &b->lookup, NULL)) {
            case K_DROP:
            case K_EMBED:
                break;
            case K_BR:
                line_break(b);
                break;
            case K_IMAGE:
                image(b, node);
                break;
            case K_PRE:
                block_boundary(b);
                if (!b->flatten)
                    code_block(b, node);
                else
                    descend = true;
                break;
            case K_CODE:
                inline_code(b, node);
                break;
            default:
                if (is_block_element(node, &b->lookup))
                    block_boundary(b);
                descend = true;
                break;
            }
        }
        if (descend && node->children) {
            node = node->children;
            continue;
        }
        for (;;) {
            if (is_block_element(node, &b->lookup))
                block_boundary(b);
            if (node == top)
                return;
            if (node->next) {
                node = node->next;
                break;
            }
            node = node->parent;
        }
    }
}

static void walk(struct builder *b, xmlNode *node, int depth)
{
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        if (node->content)
            add_text(b, (const char *)node->content);
        return;
    }
    if (node->type != XML_ELEMENT_NODE)
        return;
    if (depth >= MAX_DEPTH) {
        walk_flat(b, node);
        return;
    }
    const struct element *el;
    enum kind kind = kind_of(node, &b->lookup, &el);
    if (b->flatten && kind == K_EMBED)
        return;
    if (b->flatten && is_block_kind(kind))
        kind = K_BLOCK;
    switch (kind) {
    case K_INLINE:
        walk_children(b, node, depth);
        break;
    case K_BLOCK:
        block_boundary(b);
        walk_children(b, node, depth);
        block_boundary(b);
        break;
    case K_HEADING:
        close_para(b);
        b->heading_level = el->level;
        b->flatten++;
        walk_children(b, node, depth);
        b->flatten--;
        b->heading_level = 0;
        close_para(b);
        break;
    case K_LIST:
        list(b, node, depth, el);
        break;
    case K_ITEM:
        item(b, node, depth);
        break;
    case K_QUOTE: {
        close_para(b);
        cmark_node *quote =
            add_container(b, block_parent(b), cmark_node_new(CMARK_NODE_BLOCK_QUOTE));
        if (quote)
            walk_inside(b, node, depth, quote);
        break;
    }
    case K_PRE:
        close_para(b);
        code_block(b, node);
        break;
    case K_HR:
        close_para(b);
        append_node(b, block_parent(b), cmark_node_new(CMARK_NODE_THEMATIC_BREAK));
        break;
    case K_BR:
        line_break(b);
        break;
    case K_EMPH:
    case K_STRONG:
    case K_LINK:
        inline_frame(b, node, depth, kind, NULL);
        break;
    case K_TAGGED:
        inline_frame(b, node, depth, kind, el->label);
        break;
    case K_CODE:
        inline_code(b, node);
        break;
    case K_IMAGE:
        image(b, node);
        break;
    case K_EMBED:
        close_para(b);
        embed(b, node, el, depth);
        break;
    case K_DROP:
        break;
    }
}

/* Whether a nested list, written right under a paragraph line, starts a
 * list rather than continuing the paragraph: only an ordered list starting
 * at 1 may, and only when its first item starts with text (cmark puts any
 * other block on the line after a bare marker, and an empty item cannot
 * interrupt a paragraph). */
static bool interrupts_paragraph(cmark_node *list_node)
{
    cmark_node *first = cmark_node_first_child(cmark_node_first_child(list_node));
    return (cmark_node_get_list_type(list_node) != CMARK_ORDERED_LIST ||
            cmark_node_get_list_start(list_node) == 1) &&
           first && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH;
}

/* A tight list renders without blank lines between its items, which is only
 * safe when nothing follows an item's first block but nested lists that
 * interrupt a paragraph: "- a\n  b" would make one paragraph of two. */
static bool list_is_tight(cmark_node *list_node)
{
    for (cmark_node *it = cmark_node_first_child(list_node); it; it = cmark_node_next(it)) {
        cmark_node *child = cmark_node_first_child(it);
        for (child = child ? cmark_node_next(child) : NULL; child; child = cmark_node_next(child))
            if (cmark_node_get_type(child) != CMARK_NODE_LIST || !interrupts_paragraph(child))
                return false;
    }
    return true;
}

/* Drop containers left empty (a list of whitespace, an item of a tracking
 * pixel) and decide which lists are tight. Inner containers were made after
 * outer ones, so going backwards empties inner ones first. */
static void tidy_containers(struct builder *b)
{
    for (size_t i = b->ncontainers; i-- > 0;) {
        cmark_node *node = b->containers[i];
        if (!cmark_node_first_child(node)) {
            cmark_node_free(node); /* unlinks it too */
        } else if (cmark_node_get_type(node) == CMARK_NODE_LIST) {
            cmark_node_set_list_tight(node, list_is_tight(node));
        }
    }
}

/* --- what cmark's Markdown would get wrong ------------------------------------ */

/* cmark writes emphasis as "*" and "**" whatever surrounds it, but a
 * CommonMark reader only takes a delimiter run for emphasis when it is
 * left-flanking (to open) or right-flanking (to close), which depends on the
 * characters on either side (spec 6.2): "a**"q"**b" is not emphasis but
 * text with asterisks. So each emphasis is checked against its neighbours
 * and written as HTML (<em>, <strong>) where the delimiters would not
 * work. A character is white space, punctuation, other, or unsure: cmark
 * knows all of Unicode's punctuation and spaces, this file only a few
 * ranges of letters, and unsure counts as unsafe. */
enum flank { F_SPACE, F_PUNCT, F_OTHER, F_UNSURE };

/* Letters, marks and symbols without punctuation or spaces among them. */
static const struct {
    uint32_t first, last;
} letter_ranges[] = {
    {0x00C0, 0x036F},   /* Latin-1 letters, Latin Extended, IPA, combining marks */
    {0x0370, 0x037D},   /* Greek (U+037E is a question mark) */
    {0x037F, 0x0386},   /* (U+0387 is a middle dot) */
    {0x0388, 0x052F},   /* Greek, Cyrillic */
    {0x3041, 0x3096},   /* Hiragana */
    {0x30A1, 0x30FA},   /* Katakana */
    {0x3400, 0x4DBF},   /* CJK */
    {0x4E00, 0x9FFF},   /* CJK */
    {0xAC00, 0xD7A3},   /* Hangul */
    {0x1F300, 0x1FAFF}, /* emoji */
};

static enum flank flank_of_code_point(uint32_t c)
{
    if (c < 0x80) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
            return F_SPACE;
        if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return F_OTHER;
        return c > ' ' && c < 0x7F ? F_PUNCT : F_UNSURE;
    }
    for (size_t i = 0; i < COUNT(letter_ranges); i++)
        if (c >= letter_ranges[i].first && c <= letter_ranges[i].last)
            return F_OTHER;
    return F_UNSURE;
}

/* The code point at p (valid UTF-8: the tree only holds cleaned text). */
static uint32_t decode_at(const unsigned char *p)
{
    if (p[0] < 0x80)
        return p[0];
    if (p[0] < 0xE0)
        return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    if (p[0] < 0xF0)
        return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
           (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

/* The first (or last) character the Markdown of an inline node shows. All
 * markup starts and ends with punctuation (* ` [ ! < ), and so does text
 * that cmark escapes (a backslash, before ASCII punctuation only). */
static enum flank flank_of_node(cmark_node *node, bool last)
{
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_TEXT: {
        const char *s = cmark_node_get_literal(node);
        size_t len = s ? strlen(s) : 0;
        if (!len)
            return F_UNSURE;
        const unsigned char *p = (const unsigned char *)s + (last ? len - 1 : 0);
        while (last && p > (const unsigned char *)s && (*p & 0xC0) == 0x80)
            p--;
        return flank_of_code_point(decode_at(p));
    }
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_SOFTBREAK:
        return F_SPACE;
    default:
        return F_PUNCT;
    }
}

/* The character just outside node, before it (or after it when after). */
static enum flank flank_beside(cmark_node *node, bool after)
{
    cmark_node *sibling = after ? cmark_node_next(node) : cmark_node_previous(node);
    if (sibling)
        return flank_of_node(sibling, !after);
    cmark_node *parent = cmark_node_parent(node);
    cmark_node_type type = parent ? cmark_node_get_type(parent) : CMARK_NODE_NONE;
    /* A block's edges are line ends; an inline parent's are its markup. */
    return type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING ? F_SPACE : F_PUNCT;
}

static bool is_delimited(cmark_node *node)
{
    cmark_node_type type = node ? cmark_node_get_type(node) : CMARK_NODE_NONE;
    return type == CMARK_NODE_EMPH || type == CMARK_NODE_STRONG;
}

static bool delimiters_work(cmark_node *node)
{
    cmark_node *first = cmark_node_first_child(node), *last = cmark_node_last_child(node);
    if (!first || is_delimited(cmark_node_previous(node)))
        return false; /* "*a**b*": runs side by side merge into one */
    enum flank before = flank_beside(node, false), after = flank_beside(node, true);
    enum flank inner_first = flank_of_node(first, false), inner_last = flank_of_node(last, true);
    bool opens = inner_first == F_OTHER ||
                 (inner_first == F_PUNCT && (before == F_SPACE || before == F_PUNCT));
    bool closes =
        inner_last == F_OTHER || (inner_last == F_PUNCT && (after == F_SPACE || after == F_PUNCT));
    return opens && closes;
}

/* Write emphasis whose delimiters would not work as inline HTML. In
 * document order, so each node sees whether the one before kept its
 * delimiters. */
static void fix_delimiters(struct builder *b)
{
    for (size_t i = 0; i < b->ndelimited; i++) {
        cmark_node *node = b->delimited[i];
        if (delimiters_work(node))
            continue;
        cmark_node *html = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
        set_tags(html, cmark_node_get_type(node) == CMARK_NODE_STRONG ? "strong" : "em");
        cmark_node *child;
        while ((child = cmark_node_first_child(node)))
            cmark_node_append_child(html, child);
        cmark_node_insert_before(node, html);
        cmark_node_free(node);
    }
}

/* cmark escapes every character that could start a block at the start of a
 * line except "~": a paragraph, or a line after a hard break, starting with
 * "~~~" would be read back as a code fence. A custom node writing a
 * backslash in front of it escapes the first tilde; the text is unchanged. */
static void escape_fences(struct builder *b)
{
    for (size_t i = 0; i < b->ntildes; i++) {
        cmark_node *text = b->tildes[i];
        cmark_node *prev = cmark_node_previous(text), *parent = cmark_node_parent(text);
        bool line_start = prev ? cmark_node_get_type(prev) == CMARK_NODE_LINEBREAK
                               : parent && cmark_node_get_type(parent) == CMARK_NODE_PARAGRAPH;
        if (line_start) {
            cmark_node *escape = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
            cmark_node_set_on_enter(escape, "\\");
            cmark_node_insert_before(text, escape);
        }
    }
}

/* --- the plain-text renderer ------------------------------------------------ */

enum separator { SEP_NONE, SEP_LINE, SEP_BLANK };

struct text_frame {
    size_t prefix_len; /* the prefix before this container */
    int number;        /* lists: the next item number */
};

struct marker {
    size_t pos; /* in the prefix */
    char text[16];
    size_t len;
};

struct text_renderer {
    struct fk_buf out;
    struct fk_buf prefix; /* starts every line: "> " for quotes, spaces for items */
    struct text_frame *frames;
    size_t nframes, frames_cap;
    /* Item markers ("- ", "2. ") waiting for their first line; several
     * when an item starts with a list. */
    struct marker *markers;
    size_t nmarkers, markers_cap;
    size_t line_start;
    size_t block_start; /* where the current block's output began */
    bool at_line_start;
    enum separator separator; /* what the next block needs before it */
    size_t separator_prefix;  /* the prefix a blank line takes */
    struct fk_code_block *code_blocks;
    size_t ncode_blocks, code_blocks_cap;
    int width; /* wrap paragraphs and headings at this many columns; 0: never */
    bool wrap; /* in a paragraph or heading: lines may be wrapped */
};

/* Start a line if none is started: the blank line the previous block asked
 * for (only now, so blocks that write nothing leave no gap), then the
 * prefix with any item markers over it. */
static void begin_line(struct text_renderer *r)
{
    if (!r->at_line_start)
        return;
    if (r->separator == SEP_BLANK && r->out.len) {
        (void)fk_buf_add(&r->out, r->prefix.data ? r->prefix.data : "", r->separator_prefix);
        fk_buf_rtrim(&r->out, " \t");
        (void)fk_buf_addc(&r->out, '\n');
    }
    r->separator = SEP_NONE;
    r->line_start = r->out.len;
    (void)fk_buf_add(&r->out, r->prefix.data ? r->prefix.data : "", r->prefix.len);
    if (r->out.len == r->line_start + r->prefix.len) {
        for (size_t i = 0; i < r->nmarkers; i++)
            memcpy(r->out.data + r->line_start + r->markers[i].pos, r->markers[i].text,
                   r->markers[i].len);
    }
    r->nmarkers = 0;
    r->at_line_start = false;
}

/* Columns s takes in a terminal, counted as code points (a wide character
 * counts one, a combining mark one too: near enough for wrapping). */
static size_t columns(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Break the line being ended at spaces so that its parts fit r->width
 * columns where the words allow; the parts after the first start with the
 * prefix, so list items keep their hanging indent and quotes their "> ". A
 * word wider than the width (a long URL) stays whole on a line of its own.
 * Only spaces break: text has no tabs or other white space. */
static void wrap_line(struct text_renderer *r)
{
    size_t width = (size_t)r->width, lead = r->prefix.len;
    size_t start = r->line_start + lead;
    if (r->out.len <= r->line_start + width ||
        lead + columns(r->out.data + start, r->out.len - start) <= width)
        return;
    char *words = fk_xstrndup(r->out.data + start, r->out.len - start);
    r->out.len = start;
    size_t column = lead;
    bool first = true;
    for (const char *word = words;;) {
        while (*word == ' ')
            word++;
        if (!*word)
            break;
        size_t len = strcspn(word, " "), word_columns = columns(word, len);
        if (!first && column + 1 + word_columns > width) {
            (void)fk_buf_addc(&r->out, '\n');
            (void)fk_buf_add(&r->out, r->prefix.data, lead);
            column = lead;
        } else if (!first) {
            (void)fk_buf_addc(&r->out, ' ');
            column++;
        }
        (void)fk_buf_add(&r->out, word, len);
        column += word_columns;
        first = false;
        word += len;
    }
    free(words);
}

static void end_line(struct text_renderer *r)
{
    begin_line(r);
    fk_buf_rtrim(&r->out, " \t");
    if (r->wrap && r->width > 0)
        wrap_line(r);
    (void)fk_buf_addc(&r->out, '\n');
    r->at_line_start = true;
}

static void write_lines(struct text_renderer *r, const char *s)
{
    while (*s) {
        const char *end = strchr(s, '\n');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        begin_line(r);
        (void)fk_buf_add(&r->out, s, len);
        end_line(r);
        s += len + (end ? 1 : 0);
    }
}

/* Inline text. An image without alt text leaves the spaces around it side
 * by side, or one at the start of a line: the text shows one or none. */
static void write_inline(struct text_renderer *r, const char *s)
{
    begin_line(r);
    size_t content_start = r->line_start + r->prefix.len;
    if (*s == ' ' && (r->out.len <= content_start || r->out.data[r->out.len - 1] == ' '))
        s++;
    (void)fk_buf_adds(&r->out, s);
}

/* Code keeps its blank lines in the text, but not before its first line,
 * where they would only widen the gap above it. */
static const char *skip_blank_lines(const char *code)
{
    const char *line = code;
    for (const char *p = code; *p == ' ' || *p == '\t' || *p == '\n'; p++)
        if (*p == '\n')
            line = p + 1;
    return line;
}

static void start_block(struct text_renderer *r)
{
    if (!r->at_line_start)
        end_line(r);
    r->block_start = r->out.len;
}

/* A block that wrote nothing (a paragraph of an image without alt text)
 * leaves the separator asked for before it. */
static void end_block(struct text_renderer *r, enum separator separator)
{
    if (!r->at_line_start)
        end_line(r);
    if (r->out.len > r->block_start) {
        r->separator = separator;
        r->separator_prefix = r->prefix.len;
    }
}

static bool in_tight_item(cmark_node *node)
{
    cmark_node *parent = cmark_node_parent(node);
    return parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
           cmark_node_get_list_tight(cmark_node_parent(parent));
}

static void push_frame(struct text_renderer *r, int number)
{
    if (r->nframes == r->frames_cap) {
        r->frames_cap = r->frames_cap ? r->frames_cap * 2 : 16;
        r->frames = fk_xrealloc(r->frames, r->frames_cap * sizeof *r->frames);
    }
    r->frames[r->nframes].prefix_len = r->prefix.len;
    r->frames[r->nframes].number = number;
    r->nframes++;
}

static void pop_frame(struct text_renderer *r)
{
    r->nframes--;
    r->prefix.len = r->frames[r->nframes].prefix_len;
    if (r->prefix.data)
        r->prefix.data[r->prefix.len] = '\0';
    if (r->separator_prefix > r->prefix.len)
        r->separator_prefix = r->prefix.len;
}

static void enter_item(struct text_renderer *r, cmark_node *node)
{
    if (r->nmarkers == r->markers_cap) {
        r->markers_cap = r->markers_cap ? r->markers_cap * 2 : 8;
        r->markers = fk_xrealloc(r->markers, r->markers_cap * sizeof *r->markers);
    }
    struct marker *m = &r->markers[r->nmarkers++];
    cmark_node *list_node = cmark_node_parent(node);
    if (cmark_node_get_list_type(list_node) == CMARK_ORDERED_LIST && r->nframes)
        snprintf(m->text, sizeof m->text, "%d. ", r->frames[r->nframes - 1].number++);
    else
        snprintf(m->text, sizeof m->text, "- ");
    m->len = strlen(m->text);
    m->pos = r->prefix.len;
    push_frame(r, 0);
    for (size_t i = 0; i < m->len; i++)
        (void)fk_buf_addc(&r->prefix, ' ');
}

static void add_code_block(struct text_renderer *r, cmark_node *node)
{
    if (r->ncode_blocks == r->code_blocks_cap) {
        r->code_blocks_cap = r->code_blocks_cap ? r->code_blocks_cap * 2 : 8;
        r->code_blocks = fk_xrealloc(r->code_blocks, r->code_blocks_cap * sizeof *r->code_blocks);
    }
    struct fk_code_block *block = &r->code_blocks[r->ncode_blocks++];
    const char *info = cmark_node_get_fence_info(node);
    block->language = info && *info ? fk_xstrdup(info) : NULL;
    block->code = fk_xstrdup(cmark_node_get_literal(node));
    block->lines = 0;
    for (const char *p = block->code; *p; p++)
        block->lines += *p == '\n';
}

/* One pass over the tree gives the text and collects the code blocks. */
static void render_text(cmark_node *doc, struct text_renderer *r)
{
    cmark_iter *iter = cmark_iter_new(doc);
    cmark_event_type event;
    r->at_line_start = true;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        bool entering = event == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_BLOCK_QUOTE:
            if (entering) {
                push_frame(r, 0);
                (void)fk_buf_adds(&r->prefix, "> ");
            } else {
                pop_frame(r);
                r->separator = SEP_BLANK;
            }
            break;
        case CMARK_NODE_LIST:
            if (entering) {
                push_frame(r, cmark_node_get_list_start(node));
            } else {
                pop_frame(r);
                if (!in_tight_item(node))
                    r->separator = SEP_BLANK;
            }
            break;
        case CMARK_NODE_ITEM:
            if (entering) {
                enter_item(r, node);
            } else {
                if (r->nmarkers &&
                    r->markers[r->nmarkers - 1].pos == r->frames[r->nframes - 1].prefix_len) {
                    start_block(r); /* an item with nothing to show: its marker */
                    end_line(r);
                    end_block(r, SEP_LINE);
                }
                pop_frame(r);
            }
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (entering) {
                start_block(r);
                r->wrap = true;
            } else {
                end_block(r,
                          cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH && in_tight_item(node)
                              ? SEP_LINE
                              : SEP_BLANK);
                r->wrap = false;
            }
            break;
        case CMARK_NODE_CODE_BLOCK:
            start_block(r);
            write_lines(r, skip_blank_lines(cmark_node_get_literal(node)));
            end_block(r, SEP_BLANK);
            add_code_block(r, node);
            break;
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_CUSTOM_BLOCK: { /* a leaf, and a table with no children left */
            const char *note = cmark_node_get_user_data(node);
            if (note && *note && entering) {
                start_block(r);
                write_lines(r, note);
                end_block(r, SEP_BLANK);
            }
            break;
        }
        case CMARK_NODE_THEMATIC_BREAK:
            start_block(r);
            write_lines(r, "---");
            end_block(r, SEP_BLANK);
            break;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            write_inline(r, cmark_node_get_literal(node));
            break;
        case CMARK_NODE_SOFTBREAK:
            write_inline(r, " ");
            break;
        case CMARK_NODE_LINEBREAK:
            end_line(r);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(iter);
    fk_buf_rtrim(&r->out, " \t\n");
    if (r->out.len)
        (void)fk_buf_addc(&r->out, '\n');
}

static void free_code_blocks(struct fk_code_block *blocks, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(blocks[i].language);
        free(blocks[i].code);
    }
    free(blocks);
}

/* The text of a document, wrapped at width (0: not wrapped); the code
 * blocks go to *blocks and *nblocks when blocks is not NULL. */
static char *render_document(cmark_node *doc, int width, struct fk_code_block **blocks,
                             size_t *nblocks)
{
    struct text_renderer r;
    memset(&r, 0, sizeof r);
    fk_buf_init(&r.out, 0);
    fk_buf_init(&r.prefix, 0);
    r.width = width;
    render_text(doc, &r);
    if (blocks) {
        *blocks = r.code_blocks;
        *nblocks = r.ncode_blocks;
        r.code_blocks = NULL;
        r.ncode_blocks = 0;
    }
    fk_buf_release(&r.prefix);
    free(r.frames);
    free(r.markers);
    free_code_blocks(r.code_blocks, r.ncode_blocks);
    return fk_buf_detach(&r.out);
}

/* The text form of an HTML block read back from our Markdown: the note of
 * its first table or embed ("[video: URL]"), as when it was made; NULL for
 * anything else (cmark's "<!-- end list -->"). */
static char *html_block_note(const char *html)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    xmlDoc *dom = ctxt ? htmlCtxtReadMemory(ctxt, html, (int)strnlen(html, FK_CONTENT_HTML_LIMIT),
                                            NULL, "UTF-8", HTML_OPTIONS)
                       : NULL;
    char *note = NULL;
    struct lookup cache = {NULL, NULL};
    xmlNode *node = dom ? xmlDocGetRootElement(dom) : NULL;
    while (node && !note) {
        const struct element *el = NULL;
        if (node->type == XML_ELEMENT_NODE && kind_of(node, &cache, &el) == K_EMBED) {
            note = el->label ? media_note(node, el->label) : table_note(node);
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

static size_t longest_backtick_run(const char *s);

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
                if (find_token((const char *)attrs[a + 1], dropped_classes[i], false, NULL))
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
    else if (is_block_kind(kind))
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
    if (is_block_kind(kind))
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
        while (space_at(p) || class_at(p) == B_CONTROL)
            p += space_at(p) ? space_at(p) : 1;
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
        append_collapsed(&pl->text, pl->line, pl->chars.data, &pl->space);
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
        size_t fence = longest_backtick_run(out->text) + 1;
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

static size_t longest_backtick_run(const char *s)
{
    size_t longest = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

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
        size_t n = longest_backtick_run(blocks[i].code) + 1;
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
    struct builder b;
    memset(&b, 0, sizeof b);
    fk_buf_init(&b.text, 0);
    b.base_url = base_url;
    b.doc = b.block = cmark_node_new(CMARK_NODE_DOCUMENT);

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
        dom = htmlCtxtReadMemory(ctxt, clean ? clean : html, (int)(clean ? clean_len : len), NULL,
                                 "UTF-8", HTML_OPTIONS);
    }
    /* libxml2 gives no tree for empty or blank input: empty content. */
    for (xmlNode *node = dom ? dom->children : NULL; node; node = node->next)
        walk(&b, node, 0);
    close_para(&b);
    tidy_containers(&b);
    fix_delimiters(&b);
    escape_fences(&b);
    write_tables(&b);

    out->text = render_document(b.doc, 0, &out->code_blocks, &out->ncode_blocks);
    if (cmark_node_first_child(b.doc)) {
        out->markdown = cmark_render_commonmark(b.doc, CMARK_OPT_DEFAULT, 0);
        tidy_fences(out->markdown, out->code_blocks, out->ncode_blocks);
    } else {
        out->markdown = fk_xstrdup(""); /* cmark gives "\n" for an empty document */
    }
    rc = 0;
out:
    for (size_t i = 0; i < b.nnotes; i++)
        free(b.notes[i]);
    free(b.notes);
    free(b.containers);
    free(b.delimited);
    free(b.tildes);
    fk_buf_release(&b.text);
    cmark_node_free(b.doc);
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
    free_code_blocks(content->code_blocks, content->ncode_blocks);
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
        append_collapsed(&out, 0, copy ? copy : input, &space);
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
            collect_text(root, &out, TEXT_COLLAPSED);
    }
    if (dom)
        xmlFreeDoc(dom);
    if (ctxt)
        htmlFreeParserCtxt(ctxt);
    free(clean);
    return fk_buf_detach(&out);
}

/* The plain text of a paragraph's inline content, a line per source line
 * (images give nothing, as in the text of their HTML), read as a pipe
 * table's cells. */
static void paragraph_lines(cmark_node *para, struct fk_buf *out)
{
    cmark_iter *iter = cmark_iter_new(para);
    cmark_event_type event;
    int skip = 0;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        cmark_node_type type = cmark_node_get_type(node);
        if (type == CMARK_NODE_IMAGE)
            skip += event == CMARK_EVENT_ENTER ? 1 : -1;
        else if (skip)
            continue;
        else if (type == CMARK_NODE_TEXT)
            (void)fk_buf_adds(out, cmark_node_get_literal(node));
        else if (type == CMARK_NODE_CODE) {
            /* A pipe table's "\|" is a "|", in code spans too. */
            for (const char *p = cmark_node_get_literal(node); *p; p++)
                if (!(p[0] == '\\' && p[1] == '|'))
                    (void)fk_buf_addc(out, *p);
        } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
            (void)fk_buf_addc(out, '\n');
    }
    cmark_iter_free(iter);
}

/* The note of a paragraph that is a pipe table as write_tables writes them
 * (CommonMark reads one as a paragraph): its rows without the delimiter
 * row, cells split by " | ", as table_note gives them; NULL when the
 * paragraph is not one. */
static char *pipe_table_note(cmark_node *para)
{
    struct fk_buf text = FK_BUF_INIT, note = FK_BUF_INIT;
    paragraph_lines(para, &text);
    const char *line = text.data ? text.data : "";
    bool table = line[0] == '|';
    for (int n = 0; table && *line; n++) {
        size_t len = strcspn(line, "\n");
        table = line[0] == '|';
        if (n == 1) {
            table = table && len == strspn(line, "|-: ") && memchr(line, '-', len);
        } else if (table) {
            size_t start = note.len;
            (void)fk_buf_add(&note, line + 1, len - 1);
            fk_buf_rtrim(&note, " |");
            size_t lead = strspn(note.data + start, " ");
            memmove(note.data + start, note.data + start + lead, note.len - start - lead);
            note.len -= lead;
            note.data[note.len] = '\0';
            (void)fk_buf_addc(&note, '\n');
        }
        table = table && (n > 0 || line[len] == '\n');
        line += len + (line[len] == '\n');
    }
    fk_buf_release(&text);
    if (!table) {
        fk_buf_release(&note);
        return NULL;
    }
    fk_buf_rtrim(&note, "\n");
    return fk_buf_detach(&note);
}

char *fk_content_markdown_to_text(const char *markdown, int width)
{
    const char *md = markdown ? markdown : "";
    cmark_node *doc = cmark_parse_document(md, strlen(md), CMARK_OPT_DEFAULT);
    void **notes = NULL, **paragraphs = NULL;
    size_t nnotes = 0, notes_cap = 0, nparagraphs = 0, paragraphs_cap = 0;
    cmark_iter *iter = cmark_iter_new(doc);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (event == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH)
            push_pointer(&paragraphs, &nparagraphs, &paragraphs_cap, node);
        if (cmark_node_get_type(node) != CMARK_NODE_HTML_BLOCK)
            continue;
        char *note = html_block_note(cmark_node_get_literal(node));
        if (note) {
            push_pointer(&notes, &nnotes, &notes_cap, note);
            cmark_node_set_user_data(node, note);
        }
    }
    cmark_iter_free(iter);
    /* Pipe tables become blocks showing their note, as when they were
     * made. */
    for (size_t i = 0; i < nparagraphs; i++) {
        char *note = pipe_table_note(paragraphs[i]);
        if (!note)
            continue;
        cmark_node *block = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        push_pointer(&notes, &nnotes, &notes_cap, note);
        cmark_node_set_user_data(block, note);
        if (cmark_node_replace(paragraphs[i], block))
            cmark_node_free(paragraphs[i]);
        else
            cmark_node_free(block);
    }
    free(paragraphs);
    char *text = render_document(doc, width < 0 ? 0 : width, NULL, NULL);
    for (size_t i = 0; i < nnotes; i++)
        free(notes[i]);
    free(notes);
    cmark_node_free(doc);
    return text;
}
