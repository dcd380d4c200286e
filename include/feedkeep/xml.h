/* xml.h - what every XML reader here shares: libxml2's SAX2 push parser set
 * up safely, the input read a chunk at a time, and the guards on what the
 * parser is given.
 *
 * Safety: no XML_PARSE_NOENT, no DTD loading, no network, no entity
 * resolver and no external subset. The guards stop a document before the
 * parts of it that cost libxml2 far more than their size: a start tag with
 * very many attributes (libxml2 compares each with all the earlier ones:
 * quadratic time) and endless text without markup (libxml2 holds it all in
 * memory before reporting it). The feed parser (feed.c) and the OPML
 * reader (opml.c) both read through here.
 */
#ifndef FEEDKEEP_XML_H
#define FEEDKEEP_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "feedkeep/error.h"

/* libxml2's, named here so that this header does not need its headers */
struct _xmlSAXHandler;
struct _xmlParserCtxt;
struct _xmlError;

/* Start tags counted by attribute, over text given a chunk at a time.
 * libxml2's XML and HTML parsers compare every attribute (and namespace
 * declaration) of a tag with all the earlier ones of that tag: a tag of
 * 100,000 attributes, a few hundred KB, takes seconds, and one of a million
 * takes hours. What reaches libxml2 is cut before a tag with more than
 * FK_TAG_ATTRS_MAX; no real feed or article comes near. */
#define FK_TAG_ATTRS_MAX 256

struct fk_tag_scan {
    int state;    /* outside a tag, or where in one (see decode.c) */
    char quote;   /* of the attribute value being read */
    size_t attrs; /* of the tag being read */
    /* Counted over all the text scanned: start tags, attributes, and
     * comments and declarations ("<!"): what an HTML parser makes nodes
     * of, so what a document tree of the text costs in memory. */
    size_t tags, all_attrs, comments;
};

#define FK_TAG_SCAN_INIT                                                                           \
    {                                                                                              \
        0, 0, 0, 0, 0, 0                                                                           \
    }

/* Scan the next len bytes of markup. Returns len when no tag in them passes
 * FK_TAG_ATTRS_MAX attributes; else the offset in text of the '<' that
 * opened the first tag that does (0 when it opened in an earlier chunk),
 * and sets *over. Once over, the scan stays so. */
size_t fk_tag_scan(struct fk_tag_scan *scan, const char *text, size_t len, bool *over);

/* Text without a '<' in it that a document may hold. libxml2's push
 * parser keeps all text up to the next '<' in memory before parsing it,
 * so a document of one endless text would take all memory; past this
 * much, it is refused (libxml2's own limit for a CDATA section, comment or
 * tag, XML_MAX_LOOKUP_LIMIT, is the same). */
#define FK_XML_MARKUP_GAP_MAX ((size_t)10000000)

/* Bytes handed to libxml2 per call: small enough that the parser's input
 * buffer stays small, large enough that the per-call cost does not show. */
#define FK_XML_CHUNK_SIZE ((size_t)64 << 10)

/* A handler with SAX2 and nothing that could load anything or that a
 * reader has to ask for: no external subset, no entity resolver, no
 * references, comments or processing instructions, no text, no
 * unstructured error callbacks. libxml2's DTD bookkeeping (internal
 * entities) is kept. The caller then sets its own callbacks. */
void fk_xml_sax_init(struct _xmlSAXHandler *sax);

/* A push parser calling sax's callbacks, with owner as its _private (what
 * the callbacks find through their context). Returns it, or NULL with err
 * filled (FK_ERROR_INPUT). Free with xmlFreeParserCtxt. */
struct _xmlParserCtxt *fk_xml_push_new(struct _xmlSAXHandler *sax, void *owner,
                                       struct fk_error *err);

/* libxml2's per-thread error handlers, saved while a section runs with
 * silent ones: some reports (a failed encoding conversion, a converter not
 * found) go to them whatever the parser's options say, and would reach
 * stderr. Sections do not nest. */
struct fk_xml_quiet {
    void (*structured)(void *ctx, struct _xmlError *error);
    void *structured_ctx;
    void (*generic)(void *ctx, const char *fmt, ...);
    void *generic_ctx;
};

/* Save the handlers into q and install silent ones ... */
void fk_xml_quiet_begin(struct fk_xml_quiet *q);
/* ... and put the saved ones back. */
void fk_xml_quiet_end(const struct fk_xml_quiet *q);

/* The options every reader uses, to pass with its own to
 * xmlCtxtUseOptions (libxml/parser.h names them). */
#define FK_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* A document read from a file descriptor or from memory. */
struct fk_xml_input {
    int fd;           /* -1 for memory */
    const char *data; /* memory input */
    size_t len, off;
    char *buf; /* for fd input, FK_XML_CHUNK_SIZE bytes */
};

/* Set up in for fd (fd >= 0) or for memory (data, len; NULL is empty).
 * Release with fk_xml_input_release. */
void fk_xml_input_fd(struct fk_xml_input *in, int fd);
void fk_xml_input_memory(struct fk_xml_input *in, const char *data, size_t len);
void fk_xml_input_release(struct fk_xml_input *in);

/* The next chunk of the document in *chunk: its length, 0 at the end, or
 * -1 with errno set when it cannot be read. *chunk stays valid until the
 * next call. */
ssize_t fk_xml_next_chunk(struct fk_xml_input *in, const char **chunk);

/* Why a document was refused past some point. */
enum fk_xml_refusal {
    FK_XML_OK,
    FK_XML_TOO_MANY_ATTRIBUTES, /* a start tag with more than FK_TAG_ATTRS_MAX */
    FK_XML_MARKUP_GAP,          /* more than FK_XML_MARKUP_GAP_MAX without '<' */
};

/* The guards over what one document gives libxml2. */
struct fk_xml_guard {
    struct fk_tag_scan tags;
    size_t markup_gap; /* bytes given to libxml2 since the last '<' */
};

#define FK_XML_GUARD_INIT                                                                          \
    {                                                                                              \
        FK_TAG_SCAN_INIT, 0                                                                        \
    }

/* Give ctxt the next len bytes of the document (final: the last), unless
 * they pass a guard: then what comes before the offending tag is given
 * and the reason returned; the caller should stop the parser, as nothing
 * more of the document may be given. */
enum fk_xml_refusal fk_xml_give(struct fk_xml_guard *guard, struct _xmlParserCtxt *ctxt,
                                const char *text, size_t len, bool final);

/* A message for a refusal, ending in what is left of the document
 * ("a tag with more than 256 attributes: document refused past this
 * point"); what names the document ("document", "list"). */
const char *fk_xml_refusal_message(enum fk_xml_refusal why, const char *what, char *buf,
                                   size_t size);

#endif
