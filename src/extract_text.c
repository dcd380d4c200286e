/* extract_text.c - what the extractor reads trees and text with: the walk
 * in document order without recursion, attributes, an element's text as a
 * browser lays it out on one line, and how alike two titles are. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"
#include "feedkeep/ascii.h"

xmlNode *ex_next(const xmlNode *n, const xmlNode *top, bool descend)
{
    if (descend && n->children && n->type == XML_ELEMENT_NODE)
        return n->children;
    if (descend && n->children &&
        (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE))
        return n->children;
    while (n && n != top) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

bool ex_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

bool ex_name_in(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

const char *ex_attr(const xmlNode *n, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (strcmp((const char *)a->name, name) == 0)
            return a->children && a->children->content ? (const char *)a->children->content : "";
    return NULL;
}

bool ex_skipped(const xmlNode *n)
{
    static const char *const names[] = {"script", "style", "noscript", "template", NULL};
    return n->type == XML_ELEMENT_NODE && ex_name_in((const char *)n->name, names);
}

void ex_text(const xmlNode *top, struct fk_buf *out)
{
    bool space = true; /* at the start: leading space is dropped */
    size_t start = out->len;
    const xmlNode *n = top;
    while (n) {
        bool descend = true;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            for (const char *s = (const char *)n->content; s && *s; s++) {
                if (fk_is_html_space((unsigned char)*s)) {
                    space = true;
                    continue;
                }
                if (space && out->len > start)
                    fk_buf_addc(out, ' ');
                space = false;
                fk_buf_addc(out, *s);
            }
        } else if (n != top && ex_skipped(n)) {
            descend = false;
        } else if (ex_is(n, "br") || ex_is(n, "p") || ex_is(n, "div") || ex_is(n, "li")) {
            space = true;
        }
        n = ex_next(n, top, descend);
    }
    if (!out->data)
        fk_buf_adds(out, "");
}

char *ex_text_dup(const xmlNode *n)
{
    struct fk_buf b = FK_BUF_INIT;
    ex_text(n, &b);
    return fk_buf_detach(&b);
}

size_t ex_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        bool sp = fk_is_space((unsigned char)*s);
        n += !sp && !in;
        in = !sp;
    }
    return n;
}

char *ex_clean_line(const char *s)
{
    if (!s)
        return NULL;
    struct fk_buf b = FK_BUF_INIT;
    bool space = false;
    for (; *s; s++) {
        if (fk_is_space((unsigned char)*s)) {
            space = true;
            continue;
        }
        if (space && b.len)
            fk_buf_addc(&b, ' ');
        space = false;
        fk_buf_addc(&b, *s);
    }
    if (!b.len) {
        fk_buf_release(&b);
        return NULL;
    }
    return fk_buf_detach(&b);
}

/* The words of s, lower case (ASCII), split at anything but letters and
 * digits, into a buffer of NUL-separated words; returns their count. */
static size_t word_list(const char *s, struct fk_buf *out)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool word = fk_is_alnum(c) || c >= 0x80;
        if (word) {
            fk_buf_addc(out, fk_ascii_lower((char)c));
            n += !in;
        } else if (in) {
            fk_buf_addc(out, '\0');
        }
        in = word;
    }
    if (in)
        fk_buf_addc(out, '\0');
    return n;
}

static bool has_word(const struct fk_buf *words, const char *w)
{
    for (size_t i = 0; i < words->len; i += strlen(words->data + i) + 1)
        if (strcmp(words->data + i, w) == 0)
            return true;
    return false;
}

double ex_similarity(const char *a, const char *b)
{
    struct fk_buf wa = FK_BUF_INIT, wb = FK_BUF_INIT;
    word_list(a, &wa);
    size_t nb = word_list(b, &wb);
    double result = 0;
    if (nb && wa.len) {
        size_t total = 0, missing = 0;
        for (size_t i = 0; i < wb.len; i += strlen(wb.data + i) + 1) {
            size_t len = strlen(wb.data + i);
            total += len + 1;
            if (!has_word(&wa, wb.data + i))
                missing += len + 1;
        }
        result = 1 - (double)missing / (double)total;
    }
    fk_buf_release(&wa);
    fk_buf_release(&wb);
    return result;
}
