/* xml.c - the safe setup of libxml2's SAX2 push parser, the chunked
 * input and the guards on what it is given (see xml.h). */
#include "feedkeep/xml.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

void fk_xml_sax_init(xmlSAXHandler *sax)
{
    memset(sax, 0, sizeof *sax);
    xmlSAXVersion(sax, 2);
    sax->startElementNs = NULL;
    sax->endElementNs = NULL;
    sax->characters = NULL;
    sax->cdataBlock = NULL;
    sax->ignorableWhitespace = NULL;
    sax->reference = NULL;
    sax->comment = NULL;
    sax->processingInstruction = NULL;
    sax->externalSubset = NULL;
    sax->resolveEntity = NULL;
    sax->serror = NULL;
    sax->warning = NULL;
    sax->error = NULL;
    sax->fatalError = NULL;
}

xmlParserCtxtPtr fk_xml_push_new(xmlSAXHandler *sax, void *owner, struct fk_error *err)
{
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(sax, NULL, NULL, 0, NULL);
    if (!ctxt) {
        fk_error_set(err, FK_ERROR_INPUT, "cannot create the XML parser");
        return NULL;
    }
    ctxt->_private = owner;
    return ctxt;
}

static void quiet_structured(void *ctx, xmlErrorPtr error)
{
    (void)ctx;
    (void)error;
}

static void quiet_generic(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
}

void fk_xml_quiet_begin(struct fk_xml_quiet *q)
{
    q->structured = xmlStructuredError;
    q->structured_ctx = xmlStructuredErrorContext;
    q->generic = xmlGenericError;
    q->generic_ctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(NULL, quiet_structured);
    xmlSetGenericErrorFunc(NULL, quiet_generic);
}

void fk_xml_quiet_end(const struct fk_xml_quiet *q)
{
    xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
    xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
}

void fk_xml_input_fd(struct fk_xml_input *in, int fd)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
    in->buf = fk_xmalloc(FK_XML_CHUNK_SIZE);
}

void fk_xml_input_memory(struct fk_xml_input *in, const char *data, size_t len)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    in->data = data ? data : "";
    in->len = data ? len : 0;
}

void fk_xml_input_release(struct fk_xml_input *in)
{
    free(in->buf);
    in->buf = NULL;
}

ssize_t fk_xml_next_chunk(struct fk_xml_input *in, const char **chunk)
{
    if (in->fd < 0) {
        size_t n = in->len - in->off;
        if (n > FK_XML_CHUNK_SIZE)
            n = FK_XML_CHUNK_SIZE;
        *chunk = in->data + in->off;
        in->off += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do {
        n = read(in->fd, in->buf, FK_XML_CHUNK_SIZE);
    } while (n < 0 && errno == EINTR);
    *chunk = in->buf;
    return n;
}

enum fk_xml_refusal fk_xml_give(struct fk_xml_guard *g, xmlParserCtxtPtr ctxt, const char *text,
                                size_t len, bool final)
{
    size_t lt = len;
    while (lt > 0 && text[lt - 1] != '<')
        lt--;
    g->markup_gap = lt ? len - lt : g->markup_gap + len;
    if (g->markup_gap > FK_XML_MARKUP_GAP_MAX)
        return FK_XML_MARKUP_GAP;
    bool over = false;
    size_t fed = fk_tag_scan(&g->tags, text, len, &over);
    if (over) {
        /* what came before the tag still counts */
        if (fed > 0)
            xmlParseChunk(ctxt, text, (int)fed, 0);
        return FK_XML_TOO_MANY_ATTRIBUTES;
    }
    if (len > 0 || final)
        xmlParseChunk(ctxt, text, (int)len, final);
    return FK_XML_OK;
}

const char *fk_xml_refusal_message(enum fk_xml_refusal why, const char *what, char *buf,
                                   size_t size)
{
    switch (why) {
    case FK_XML_TOO_MANY_ATTRIBUTES:
        snprintf(buf, size, "a tag with more than %d attributes: %s refused past this point",
                 FK_TAG_ATTRS_MAX, what);
        break;
    case FK_XML_MARKUP_GAP:
        snprintf(buf, size, "more than 10 MB of text without markup: %s refused past this point",
                 what);
        break;
    default:
        snprintf(buf, size, "%s read", what);
        break;
    }
    return buf;
}

/* ---- counting attributes -------------------------------------------------- */

/* T_LT: a '<' ended the last chunk. T_VALUE: after '=', T_ATTR: in a name. */
enum tag_state { T_OUT, T_LT, T_NAME, T_BETWEEN, T_ATTR, T_VALUE, T_UNQUOTED, T_QUOTED, T_OVER };

static bool tag_name_start(char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == ':';
}

static bool tag_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

size_t fk_tag_scan(struct fk_tag_scan *s, const char *text, size_t len, bool *over)
{
    /* Where the tag being read opened in this chunk (0: before it). */
    size_t open = 0;
    *over = s->state == T_OVER;
    if (*over)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        switch (s->state) {
        case T_LT:
            s->state = T_OUT;
            if (tag_name_start(c)) {
                s->state = T_NAME;
                s->attrs = 0;
                s->tags++;
            } else {
                s->comments += c == '!';
                i--; /* c may be another '<' */
            }
            break;
        case T_OUT: {
            const char *lt = memchr(text + i, '<', len - i);
            if (!lt)
                return len;
            i = (size_t)(lt - text);
            /* a start tag: '<' and a name; not </, <!, <? or a lone '<' */
            if (i + 1 == len) {
                s->state = T_LT;
            } else if (tag_name_start(text[i + 1])) {
                s->state = T_NAME;
                s->attrs = 0;
                s->tags++;
                open = i;
            } else {
                s->comments += text[i + 1] == '!';
            }
            break;
        }
        case T_QUOTED: {
            const char *end = memchr(text + i, s->quote, len - i);
            if (!end)
                return len;
            i = (size_t)(end - text);
            s->state = T_BETWEEN;
            break;
        }
        default:
            /* A '<' inside a tag does not end it: libxml2's HTML parser
             * skips it and goes on reading attributes. */
            if (c == '>') {
                s->state = T_OUT;
            } else if (tag_space(c)) {
                if (s->state != T_VALUE)
                    s->state = T_BETWEEN;
            } else if (c == '=' && (s->state == T_ATTR || s->state == T_BETWEEN)) {
                s->state = T_VALUE;
            } else if (s->state == T_VALUE) {
                s->quote = c;
                s->state = c == '"' || c == '\'' ? T_QUOTED : T_UNQUOTED;
            } else if (s->state == T_BETWEEN && c != '/') {
                s->state = T_ATTR;
                s->all_attrs++;
                if (++s->attrs > FK_TAG_ATTRS_MAX) {
                    s->state = T_OVER;
                    *over = true;
                    return open;
                }
            }
            break;
        }
    }
    return len;
}
