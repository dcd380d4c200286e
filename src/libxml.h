/* libxml.h - libxml2, opened on first use rather than linked.
 *
 * libxml2 brings ICU and the C++ runtime with it, and loading and
 * relocating them costs every feedkeep process about a millisecond: as
 * much as a whole query takes on a small archive, and a twentieth of one
 * on a million articles. Only the commands that parse XML or HTML need it,
 * so the first call opens it (as libcurl.h does for libcurl).
 *
 * Include this header instead of libxml2's, after every other: it includes
 * the libxml2 headers feedkeep uses, then turns each function feedkeep
 * calls into a call through the loaded table (xmlFreeDoc(doc) becomes
 * fk_libxml()->xmlFreeDoc(doc)), so the code reads, and is type-checked,
 * as direct calls. The per-thread error handlers (xmlGenericError...) are
 * libxml2 functions behind its own macros, and follow; xmlFree and
 * xmlParserMaxDepth are variables, read through their addresses. A libxml2
 * header included after this one would declare the functions again
 * through the macros: there is none.
 */
#ifndef FEEDKEEP_LIBXML_H
#define FEEDKEEP_LIBXML_H

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>

/* The error handlers are per thread (functions returning their address),
 * the allocator's free is one variable: as Debian builds libxml2. */
#if !defined(LIBXML_THREAD_ENABLED) || defined(LIBXML_THREAD_ALLOC_ENABLED)
#error "libxml.h expects libxml2 with threads and one allocator for all of them"
#endif

/* The functions feedkeep calls, each a member of the table by its name. */
#define FK_LIBXML_FUNCTIONS(X)                                                                     \
    X(htmlCtxtReadMemory)                                                                          \
    X(htmlEntityLookup)                                                                            \
    X(htmlFreeParserCtxt)                                                                          \
    X(htmlNewParserCtxt)                                                                           \
    X(htmlNodeDumpFormatOutput)                                                                    \
    X(htmlReadMemory)                                                                              \
    X(xmlAddChild)                                                                                 \
    X(xmlAddPrevSibling)                                                                           \
    X(xmlBufferAdd)                                                                                \
    X(xmlBufferContent)                                                                            \
    X(xmlBufferCreate)                                                                             \
    X(xmlBufferEmpty)                                                                              \
    X(xmlBufferFree)                                                                               \
    X(xmlBufferGrow)                                                                               \
    X(xmlBufferLength)                                                                             \
    X(xmlBufferShrink)                                                                             \
    X(xmlCharEncCloseFunc)                                                                         \
    X(xmlCharEncInFunc)                                                                            \
    X(xmlCopyCharMultiByte)                                                                        \
    X(xmlCreatePushParserCtxt)                                                                     \
    X(xmlCtxtReadMemory)                                                                           \
    X(xmlCtxtUseOptions)                                                                           \
    X(xmlDocGetRootElement)                                                                        \
    X(xmlFindCharEncodingHandler)                                                                  \
    X(xmlFreeDoc)                                                                                  \
    X(xmlFreeNode)                                                                                 \
    X(xmlFreeParserCtxt)                                                                           \
    X(xmlGetProp)                                                                                  \
    X(xmlInitParser)                                                                               \
    X(xmlNewDocComment)                                                                            \
    X(xmlNewDocNode)                                                                               \
    X(xmlNewDocText)                                                                               \
    X(xmlNewParserCtxt)                                                                            \
    X(xmlNodeGetContent)                                                                           \
    X(xmlNodeSetName)                                                                              \
    X(xmlOutputBufferClose)                                                                        \
    X(xmlOutputBufferCreateBuffer)                                                                 \
    X(xmlOutputBufferFlush)                                                                        \
    X(xmlParseCharEncoding)                                                                        \
    X(xmlParseChunk)                                                                               \
    X(xmlRemoveProp)                                                                               \
    X(xmlReplaceNode)                                                                              \
    X(xmlSAX2Characters)                                                                           \
    X(xmlSAX2EndElement)                                                                           \
    X(xmlSAX2StartElement)                                                                         \
    X(xmlSAXVersion)                                                                               \
    X(xmlSetGenericErrorFunc)                                                                      \
    X(xmlSetProp)                                                                                  \
    X(xmlSetStructuredErrorFunc)                                                                   \
    X(xmlStopParser)                                                                               \
    X(xmlUnlinkNode)                                                                               \
    X(__xmlGenericError)                                                                           \
    X(__xmlGenericErrorContext)                                                                    \
    X(__xmlStructuredError)                                                                        \
    X(__xmlStructuredErrorContext)

#define FK_LIBXML_MEMBER(name) __typeof__(name) *name;
struct fk_libxml {
    FK_LIBXML_FUNCTIONS(FK_LIBXML_MEMBER)
    /* variables of the library */
    xmlFreeFunc *xmlFree;
    unsigned int *xmlParserMaxDepth;
};
#undef FK_LIBXML_MEMBER

/* The loaded library, opened by the first call. A libxml2 that cannot be
 * opened is an installation broken under feedkeep's feet: the process
 * says so and exits (status 3, as an I/O error). Not for two threads at
 * once. */
const struct fk_libxml *fk_libxml_load(void);
extern const struct fk_libxml *fk_libxml_loaded;
static inline const struct fk_libxml *fk_libxml(void)
{
    return fk_libxml_loaded ? fk_libxml_loaded : fk_libxml_load();
}

#ifndef FK_LIBXML_LOADER
#define htmlCtxtReadMemory          (fk_libxml()->htmlCtxtReadMemory)
#define htmlEntityLookup            (fk_libxml()->htmlEntityLookup)
#define htmlFreeParserCtxt          (fk_libxml()->htmlFreeParserCtxt)
#define htmlNewParserCtxt           (fk_libxml()->htmlNewParserCtxt)
#define htmlNodeDumpFormatOutput    (fk_libxml()->htmlNodeDumpFormatOutput)
#define htmlReadMemory              (fk_libxml()->htmlReadMemory)
#define xmlAddChild                 (fk_libxml()->xmlAddChild)
#define xmlAddPrevSibling           (fk_libxml()->xmlAddPrevSibling)
#define xmlBufferAdd                (fk_libxml()->xmlBufferAdd)
#define xmlBufferContent            (fk_libxml()->xmlBufferContent)
#define xmlBufferCreate             (fk_libxml()->xmlBufferCreate)
#define xmlBufferEmpty              (fk_libxml()->xmlBufferEmpty)
#define xmlBufferFree               (fk_libxml()->xmlBufferFree)
#define xmlBufferGrow               (fk_libxml()->xmlBufferGrow)
#define xmlBufferLength             (fk_libxml()->xmlBufferLength)
#define xmlBufferShrink             (fk_libxml()->xmlBufferShrink)
#define xmlCharEncCloseFunc         (fk_libxml()->xmlCharEncCloseFunc)
#define xmlCharEncInFunc            (fk_libxml()->xmlCharEncInFunc)
#define xmlCopyCharMultiByte        (fk_libxml()->xmlCopyCharMultiByte)
#define xmlCreatePushParserCtxt     (fk_libxml()->xmlCreatePushParserCtxt)
#define xmlCtxtReadMemory           (fk_libxml()->xmlCtxtReadMemory)
#define xmlCtxtUseOptions           (fk_libxml()->xmlCtxtUseOptions)
#define xmlDocGetRootElement        (fk_libxml()->xmlDocGetRootElement)
#define xmlFindCharEncodingHandler  (fk_libxml()->xmlFindCharEncodingHandler)
#define xmlFreeDoc                  (fk_libxml()->xmlFreeDoc)
#define xmlFreeNode                 (fk_libxml()->xmlFreeNode)
#define xmlFreeParserCtxt           (fk_libxml()->xmlFreeParserCtxt)
#define xmlGetProp                  (fk_libxml()->xmlGetProp)
#define xmlInitParser               (fk_libxml()->xmlInitParser)
#define xmlNewDocComment            (fk_libxml()->xmlNewDocComment)
#define xmlNewDocNode               (fk_libxml()->xmlNewDocNode)
#define xmlNewDocText               (fk_libxml()->xmlNewDocText)
#define xmlNewParserCtxt            (fk_libxml()->xmlNewParserCtxt)
#define xmlNodeGetContent           (fk_libxml()->xmlNodeGetContent)
#define xmlNodeSetName              (fk_libxml()->xmlNodeSetName)
#define xmlOutputBufferClose        (fk_libxml()->xmlOutputBufferClose)
#define xmlOutputBufferCreateBuffer (fk_libxml()->xmlOutputBufferCreateBuffer)
#define xmlOutputBufferFlush        (fk_libxml()->xmlOutputBufferFlush)
#define xmlParseCharEncoding        (fk_libxml()->xmlParseCharEncoding)
#define xmlParseChunk               (fk_libxml()->xmlParseChunk)
#define xmlRemoveProp               (fk_libxml()->xmlRemoveProp)
#define xmlReplaceNode              (fk_libxml()->xmlReplaceNode)
#define xmlSAX2Characters           (fk_libxml()->xmlSAX2Characters)
#define xmlSAX2EndElement           (fk_libxml()->xmlSAX2EndElement)
#define xmlSAX2StartElement         (fk_libxml()->xmlSAX2StartElement)
#define xmlSAXVersion               (fk_libxml()->xmlSAXVersion)
#define xmlSetGenericErrorFunc      (fk_libxml()->xmlSetGenericErrorFunc)
#define xmlSetProp                  (fk_libxml()->xmlSetProp)
#define xmlSetStructuredErrorFunc   (fk_libxml()->xmlSetStructuredErrorFunc)
#define xmlStopParser               (fk_libxml()->xmlStopParser)
#define xmlUnlinkNode               (fk_libxml()->xmlUnlinkNode)
#define __xmlGenericError           (fk_libxml()->__xmlGenericError)
#define __xmlGenericErrorContext    (fk_libxml()->__xmlGenericErrorContext)
#define __xmlStructuredError        (fk_libxml()->__xmlStructuredError)
#define __xmlStructuredErrorContext (fk_libxml()->__xmlStructuredErrorContext)
#define xmlFree                     (*fk_libxml()->xmlFree)
#define xmlParserMaxDepth           (*fk_libxml()->xmlParserMaxDepth)
#endif

#endif
