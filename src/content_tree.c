/* content_tree.c - article HTML to a cmark tree.
 *
 * libxml2's HTML parser gives a DOM that is walked once to build a cmark
 * document. The walk keeps a little state (the open paragraph, the inline
 * elements around the text, a pending space or line break) so that whatever
 * the HTML looks like, the cmark tree is valid: inline content always sits in
 * a paragraph or heading, lists hold only items, and inline elements are only
 * created once content reaches them, so empty ones never exist. Once the
 * tree is complete, what cmark's Markdown would get wrong is fixed and
 * tables that can be are made pipe tables.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "content_int.h"
#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/url.h"
#include "feedkeep/utf8.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* Ordered list numbers CommonMark accepts (at most nine digits). */
#define MAX_LIST_START 999999999L

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

bool content_unsafe_url(const char *url)
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
char *content_link_destination(const char *base_url, const char *ref)
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
    const char *value = content_attr(node, name);
    if (!value)
        return -1;
    while (fk_is_html_space((unsigned char)*value))
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

void content_push_pointer(void ***array, size_t *count, size_t *cap, void *pointer)
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
        content_push_pointer(&b->tildes, &b->ntildes, &b->tildes_cap, node);
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
        content_push_pointer(&b->containers, &b->ncontainers, &b->containers_cap, node);
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
            content_push_pointer(&b->delimited, &b->ndelimited, &b->delimited_cap, node);
        f->node = top = node;
        b->nmade++;
    }
    return top;
}

static void add_text(struct builder *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        size_t n = content_space_at(p);
        if (n && b->para)
            b->pending_space = true;
        if (!n && content_class_at(p) != B_CONTROL)
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
    content_append_collapsed(&b->text, 0, (const char *)p, &b->pending_space);
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
    content_push_pointer(&b->notes, &b->nnotes, &b->notes_cap, note);
    cmark_node_set_user_data(node, note);
}

/* The code element a <pre> wraps, if any. */
static const xmlNode *code_child(const xmlNode *pre)
{
    for (const xmlNode *child = pre->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE)
            return strcmp(content_node_name(child), "code") == 0 ? child : NULL;
        if (child->type == XML_TEXT_NODE && child->content) {
            for (const xmlChar *p = child->content; *p; p++)
                if (!fk_is_html_space(*p))
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
    const char *value = node ? content_attr(node, source->attribute) : NULL;
    if (!value)
        return false;
    size_t len = 0;
    const char *start = NULL;
    if (source->how == WHOLE) {
        while (fk_is_html_space((unsigned char)*value))
            value++;
        start = value;
        len = strlen(value);
        while (len && fk_is_html_space((unsigned char)start[len - 1]))
            len--;
    } else if (source->how == BY_PREFIX) {
        start = content_find_token(value, source->text, true, &len);
        if (start) {
            start += strlen(source->text);
            len -= strlen(source->text);
        }
    } else {
        const char *token = content_find_token(value, source->text, false, &len);
        if (token) {
            const char *p = token + len;
            while (fk_is_html_space((unsigned char)*p))
                p++;
            start = p;
            while (*p && !fk_is_html_space((unsigned char)*p))
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
    content_collect_text(pre, &code, TEXT_RAW);
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
    content_collect_text(node, &code, TEXT_COLLAPSED);
    cmark_node *parent = code.len ? ensure_inline(b) : NULL;
    if (parent) {
        cmark_node *literal = cmark_node_new(CMARK_NODE_CODE);
        cmark_node_set_literal(literal, code.data);
        append_node(b, parent, literal);
    }
    fk_buf_release(&code);
}

bool content_is_tracking_pixel(const xmlNode *img)
{
    long width = attr_number(img, "width"), height = attr_number(img, "height");
    return width == 0 || height == 0 || (width >= 0 && width <= 1 && height >= 0 && height <= 1);
}

static void image(struct builder *b, const xmlNode *node)
{
    const char *src = content_attr(node, "src");
    if (!src || !*src)
        src = content_attr(node, "data-src"); /* lazy loading */
    if (content_is_tracking_pixel(node))
        return;
    char *alt = content_collapse(content_attr(node, "alt"));
    if (!src || !*src || content_unsafe_url(src)) {
        if (*alt)
            add_text(b, alt);
        free(alt);
        return;
    }
    cmark_node *parent = ensure_inline(b);
    if (parent) {
        char *url = content_link_destination(b->base_url, src);
        cmark_node *img = cmark_node_new(CMARK_NODE_IMAGE);
        cmark_node_set_url(img, url);
        const char *title = content_attr(node, "title");
        if (title && *title) {
            char *clean = content_collapse(title);
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
                remove = remove || strcmp(content_node_name(node), unsafe_elements[i]) == 0;
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
                    const char *value = content_attr(node, name);
                    bool is_url = false;
                    for (size_t i = 0; i < COUNT(url_attributes); i++)
                        is_url = is_url || strcmp(name, url_attributes[i]) == 0;
                    if (strncmp(name, "on", 2) == 0 || strcmp(name, "srcdoc") == 0 ||
                        (is_url && content_unsafe_url(value))) {
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
            blank = fk_is_html_space((unsigned char)html[i + j]);
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
        const char *name = content_node_name(child);
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
            if (strcmp(content_node_name(row), "tr") != 0 || count == max)
                return -1;
            rows[count++] = row;
        }
    }
    return count;
}

static bool is_cell(const xmlNode *node)
{
    return node->type == XML_ELEMENT_NODE && (strcmp(content_node_name(node), "td") == 0 ||
                                              strcmp(content_node_name(node), "th") == 0);
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
            enum kind kind = content_kind_of(node, cache, NULL);
            if (content_is_block_kind(kind) || kind == K_BR)
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

/* Append a cell's Markdown to out: its paragraph as CommonMark, on one
 * line, with "|" escaped as pipe tables want (inside code spans too). */
static void add_cell(struct fk_buf *out, cmark_node *cell)
{
    size_t start = out->len;
    for (cmark_node *para = cmark_node_first_child(cell); para; para = cmark_node_next(para)) {
        char *md = content_markdown(para);
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
            content_push_pointer(&tables, &ntables, &cap, node);
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
    char *note = el->label ? content_media_note(node, el->label) : content_table_note(node);
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
    const char *value = content_attr(node, "start");
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
        const char *href = content_attr(node, "href");
        if (href && *href && !content_unsafe_url(href)) {
            url = content_link_destination(b->base_url, href);
            const char *value = content_attr(node, "title");
            title = value && *value ? content_collapse(value) : NULL;
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
    const xmlNode *node = top;
    for (;;) {
        bool descend = false;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content)
                add_text(b, (const char *)node->content);
        } else if (node->type == XML_ELEMENT_NODE) {
            switch (content_kind_of(node, &b->lookup, NULL)) {
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
                if (content_is_block_element(node, &b->lookup))
                    block_boundary(b);
                descend = true;
                break;
            }
        }
        if (descend && node->children) {
            node = node->children;
            continue;
        }
        int blocks = 0;
        node = content_next_node(node, top, &b->lookup, &blocks);
        for (; blocks > 0; blocks--)
            block_boundary(b);
        if (!node) {
            if (content_is_block_element(top, &b->lookup))
                block_boundary(b);
            return;
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
    enum kind kind = content_kind_of(node, &b->lookup, &el);
    if (b->flatten && kind == K_EMBED)
        return;
    if (b->flatten && content_is_block_kind(kind))
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

/* The code point at p (NUL-terminated). The tree only holds cleaned text,
 * valid UTF-8; were a bad byte there, U+FFFD would make it unsure. */
static uint32_t decode_at(const unsigned char *p)
{
    uint32_t c = 0xFFFD;
    (void)fk_utf8_decode((const char *)p, FK_UTF8_MAX, &c);
    return c;
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
        while (last && p > (const unsigned char *)s && fk_utf8_is_continuation(*p))
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

/* --- the tree ------------------------------------------------------------------- */

cmark_node *content_tree_build(xmlDoc *dom, const char *base_url, void ***notes, size_t *nnotes)
{
    struct builder b;
    memset(&b, 0, sizeof b);
    fk_buf_init(&b.text, 0);
    b.base_url = base_url;
    b.doc = b.block = cmark_node_new(CMARK_NODE_DOCUMENT);
    /* libxml2 gives no tree for empty or blank input: empty content. */
    for (xmlNode *node = dom ? dom->children : NULL; node; node = node->next)
        walk(&b, node, 0);
    close_para(&b);
    tidy_containers(&b);
    fix_delimiters(&b);
    escape_fences(&b);
    write_tables(&b);
    free(b.containers);
    free(b.delimited);
    free(b.tildes);
    fk_buf_release(&b.text);
    *notes = b.notes;
    *nnotes = b.nnotes;
    return b.doc;
}
