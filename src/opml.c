/* opml.c - OPML subscription lists: a small SAX2 reader and a writer.
 *
 * The reader uses libxml2's push parser like the feed parser does, with the
 * same safety: no XML_PARSE_NOENT, no DTD loading, no network, no entity
 * loader. It goes one step further: a document that declares an entity is
 * refused outright. An OPML file never needs one, so this costs nothing and
 * no expansion limits have to be trusted. Recovery mode is off: a list that
 * is not well-formed is refused rather than half imported.
 *
 * The guards of xml.h apply too: a start tag with more than
 * FK_TAG_ATTRS_MAX attributes, or more than FK_XML_MARKUP_GAP_MAX bytes of
 * text without markup, ends the list there. The outlines before it are
 * kept and the reason is returned as a warning (the parse returns 1).
 */
#include "feedkeep/opml.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/ascii.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/utf8.h"
#include "feedkeep/xml.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* ---- reading ---------------------------------------------------------------- */

/* Folders nested deeper than this are read as the deepest. */
#define MAX_FOLDERS 16

struct reader {
    xmlParserCtxtPtr ctxt;
    fk_opml_fn fn;
    void *ctx;
    int depth;
    /* The outlines without xmlUrl around the current one (folders): their
     * names (NULL: unnamed) and depths. */
    char *folders[MAX_FOLDERS];
    int folder_depths[MAX_FOLDERS];
    int nfolders;
    bool saw_root;
    bool not_opml;
    bool declares_entity;
    bool cancelled;
    char root_name[64];
    char error[256]; /* the first XML error, "line N: message" */
};

static struct reader *reader_of(void *ctx)
{
    xmlParserCtxtPtr ctxt = ctx;
    return ctxt ? ctxt->_private : NULL;
}

static void stop(struct reader *r)
{
    xmlStopParser(r->ctxt);
}

/* Attribute values reach SAX2 with '&' written as "&#38;" when entities are
 * not substituted (see feed.c); the value trimmed and decoded back, or NULL
 * when empty. */
static char *attribute_value(const xmlChar *value, const xmlChar *end)
{
    const char *s = (const char *)value;
    size_t len = (size_t)(end - value);
    while (len && fk_is_xml_space(*s)) {
        s++;
        len--;
    }
    while (len && fk_is_xml_space(s[len - 1]))
        len--;
    if (!len)
        return NULL;
    char *out = fk_xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == '&' && len - i >= 5 && memcmp(s + i, "&#38;", 5) == 0) {
            out[o++] = '&';
            i += 5;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return out;
}

/* The attributes of an outline we read, by name (compared without case:
 * lists in the wild write xmlurl and XMLURL too). */
enum outline_attribute { A_XML_URL, A_TEXT, A_TITLE, A_HTML_URL, A_COUNT };

static const char *const outline_attributes[A_COUNT] = {
    [A_XML_URL] = "xmlUrl",
    [A_TEXT] = "text",
    [A_TITLE] = "title",
    [A_HTML_URL] = "htmlUrl",
};

static void outline(struct reader *r, int nattrs, const xmlChar **attrs)
{
    char *values[A_COUNT] = {NULL};
    for (int i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (a[2]) /* attributes in a namespace are someone else's */
            continue;
        for (int k = 0; k < A_COUNT; k++) {
            if (!values[k] && strcasecmp((const char *)a[0], outline_attributes[k]) == 0)
                values[k] = attribute_value(a[3], a[4]);
        }
    }
    if (!values[A_XML_URL]) {
        /* A folder: its name goes to the feeds inside it. */
        if (r->nfolders < MAX_FOLDERS) {
            char **name = &values[values[A_TEXT] ? A_TEXT : A_TITLE];
            r->folders[r->nfolders] = *name;
            *name = NULL;
            r->folder_depths[r->nfolders++] = r->depth;
        }
    } else {
        const char *folders[MAX_FOLDERS];
        size_t nfolders = 0;
        for (int i = 0; i < r->nfolders; i++) {
            if (r->folders[i])
                folders[nfolders++] = r->folders[i];
        }
        struct fk_opml_outline o = {
            .url = values[A_XML_URL],
            .name = values[A_TEXT] ? values[A_TEXT] : values[A_TITLE],
            .site_url = values[A_HTML_URL],
            .folders = folders,
            .nfolders = nfolders,
        };
        if (r->fn(&o, r->ctx) != 0) {
            r->cancelled = true;
            stop(r);
        }
    }
    for (int k = 0; k < A_COUNT; k++)
        free(values[k]);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    (void)prefix;
    (void)uri;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_defaulted;
    struct reader *r = reader_of(ctx);
    if (!r || r->cancelled || r->not_opml)
        return;
    if (r->depth++ == 0) {
        r->saw_root = true;
        if (strcmp((const char *)localname, "opml") != 0) {
            snprintf(r->root_name, sizeof r->root_name, "%s", (const char *)localname);
            r->not_opml = true;
            stop(r);
            return;
        }
    }
    if (strcasecmp((const char *)localname, "outline") == 0)
        outline(r, nb_attributes, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)localname;
    (void)prefix;
    (void)uri;
    struct reader *r = reader_of(ctx);
    if (!r)
        return;
    if (r->nfolders && r->folder_depths[r->nfolders - 1] == r->depth)
        free(r->folders[--r->nfolders]);
    r->depth--;
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    struct reader *r = reader_of(ctx);
    if (!r)
        return;
    r->declares_entity = true;
    stop(r);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
    struct reader *r = reader_of(ctx);
    if (!r || !e || r->error[0])
        return;
    const char *message = e->message ? e->message : "XML error";
    int len = (int)strcspn(message, "\n");
    snprintf(r->error, sizeof r->error, "line %d: %.*s", e->line, len, message);
}

static int parse(struct fk_xml_input *in, fk_opml_fn fn, void *ctx, struct fk_error *err)
{
    struct reader r = {.fn = fn, .ctx = ctx};
    struct fk_xml_guard guard = FK_XML_GUARD_INIT;
    enum fk_xml_refusal refused = FK_XML_OK;
    bool well_formed = true; /* up to a refusal */
    bool saw_data = false;   /* anything but white space */
    int ret = -1;

    xmlInitParser();
    xmlSAXHandler sax;
    /* Ours: elements, errors, and the refusal of entities. Removed by
     * fk_xml_sax_init: everything that could load something or that we
     * ignore. */
    fk_xml_sax_init(&sax);
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.entityDecl = on_entity_decl;
    sax.serror = on_error;

    if (!(r.ctxt = fk_xml_push_new(&sax, &r, err)))
        goto out;
    xmlCtxtUseOptions(r.ctxt, FK_XML_OPTIONS);

    for (;;) {
        const char *chunk;
        ssize_t n = fk_xml_next_chunk(in, &chunk);
        if (n < 0) {
            fk_error_set(err, FK_ERROR_INPUT, "cannot read the list: %s", strerror(errno));
            goto out;
        }
        for (ssize_t i = 0; i < n && !saw_data; i++)
            saw_data = !fk_is_xml_space(chunk[i]);
        refused = fk_xml_give(&guard, r.ctxt, chunk, (size_t)n, n == 0);
        if (refused != FK_XML_OK) {
            well_formed = r.ctxt->wellFormed;
            stop(&r);
            break;
        }
        if (n == 0 || r.ctxt->disableSAX || r.ctxt->instate == XML_PARSER_EOF)
            break;
    }

    if (r.cancelled)
        goto out; /* without touching err, as promised */
    if (r.declares_entity) {
        fk_error_set(err, FK_ERROR_INPUT, "entity declarations are not accepted in OPML");
        goto out;
    }
    if (r.not_opml) {
        fk_error_set(err, FK_ERROR_INPUT, "not an OPML document (root element <%s>)", r.root_name);
        goto out;
    }
    if (!r.saw_root) {
        char message[128];
        if (!saw_data)
            fk_error_set(err, FK_ERROR_INPUT, "empty document");
        else if (refused != FK_XML_OK)
            fk_error_set(err, FK_ERROR_INPUT, "not an OPML document (%s)",
                         fk_xml_refusal_message(refused, "list", message, sizeof message));
        else
            fk_error_set(err, FK_ERROR_INPUT, "not an OPML document (not XML: %s)",
                         r.error[0] ? r.error : "unknown error");
        goto out;
    }
    if (refused != FK_XML_OK && well_formed) {
        /* read up to the guard: the outlines before it count */
        char message[128];
        fk_error_set(err, FK_ERROR_INPUT, "%s",
                     fk_xml_refusal_message(refused, "list", message, sizeof message));
        ret = 1;
        goto out;
    }
    if (!r.ctxt->wellFormed || !well_formed) {
        fk_error_set(err, FK_ERROR_INPUT, "not well-formed XML (%s)",
                     r.error[0] ? r.error : "unknown error");
        goto out;
    }
    ret = 0;
out:
    while (r.nfolders) /* a document that ended inside folders */
        free(r.folders[--r.nfolders]);
    if (r.ctxt) {
        if (r.ctxt->myDoc)
            xmlFreeDoc(r.ctxt->myDoc); /* only a DTD: we build no tree */
        xmlFreeParserCtxt(r.ctxt);
    }
    fk_xml_input_release(in);
    return ret;
}

int fk_opml_parse_fd(int fd, fk_opml_fn fn, void *ctx, struct fk_error *err)
{
    struct fk_xml_input in;
    if (fd < 0)
        return fk_error_set(err, FK_ERROR_USAGE, "invalid file descriptor");
    fk_xml_input_fd(&in, fd);
    return parse(&in, fn, ctx, err);
}

int fk_opml_parse_memory(const char *data, size_t len, fk_opml_fn fn, void *ctx,
                         struct fk_error *err)
{
    struct fk_xml_input in;
    fk_xml_input_memory(&in, data, len);
    return parse(&in, fn, ctx, err);
}

/* ---- writing ---------------------------------------------------------------- */

/* DEL, the C1 controls (U+009B is CSI) and the bidi embeddings, overrides
 * and isolates: what a terminal would act on. */
static bool is_terminal_control(uint32_t cp)
{
    return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Append s as XML character data fit for an attribute value. */
static int add_escaped(struct fk_buf *out, const char *s)
{
    static const struct {
        char c;
        const char *escape;
    } escapes[] = {
        {'&', "&amp;"}, {'<', "&lt;"},   {'>', "&gt;"},   {'"', "&quot;"},
        {'\t', "&#9;"}, {'\n', "&#10;"}, {'\r', "&#13;"},
    };
    int rc = 0;
    size_t len = strlen(s);
    size_t i = 0;
    while (i < len && rc == 0) {
        unsigned char c = (unsigned char)s[i];
        const char *escape = NULL;
        for (size_t k = 0; k < sizeof escapes / sizeof escapes[0]; k++) {
            if (escapes[k].c == (char)c)
                escape = escapes[k].escape;
        }
        if (escape) {
            rc = fk_buf_adds(out, escape);
            i++;
        } else if (c < 0x20) {
            i++; /* XML 1.0 has no other control characters, even escaped */
        } else {
            uint32_t cp;
            size_t seq = fk_utf8_decode(s + i, len - i, &cp);
            if (!seq) {
                rc = fk_buf_adds(out, "\xEF\xBF\xBD"); /* U+FFFD */
                i++;
            } else if (cp == 0xFFFE || cp == 0xFFFF) {
                i += 3; /* not XML characters */
            } else if (is_terminal_control(cp)) {
                /* kept, but as a reference: the list may go to a terminal */
                rc = fk_buf_printf(out, "&#x%X;", (unsigned)cp);
                i += seq;
            } else {
                rc = fk_buf_add(out, s + i, seq);
                i += seq;
            }
        }
    }
    return rc;
}

static const char *const weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int fk_opml_begin(struct fk_buf *out, const char *title, int64_t created)
{
    int rc = fk_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<opml version=\"2.0\">\n"
                              "  <head>\n");
    if (title) {
        rc |= fk_buf_adds(out, "    <title>");
        rc |= add_escaped(out, title);
        rc |= fk_buf_adds(out, "</title>\n");
    }
    time_t t = (time_t)created;
    struct tm tm;
    if (created != FK_TIME_NONE && gmtime_r(&t, &tm))
        rc |= fk_buf_printf(out,
                            "    <dateCreated>%s, %02d %s %04d %02d:%02d:%02d GMT</dateCreated>\n",
                            weekdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
    rc |= fk_buf_adds(out, "  </head>\n"
                           "  <body>\n");
    return rc ? -1 : 0;
}

int fk_opml_add(struct fk_buf *out, const struct fk_opml_outline *outline)
{
    const char *url = outline->url ? outline->url : "";
    const char *name = outline->name && *outline->name ? outline->name : url;
    int rc = fk_buf_adds(out, "    <outline type=\"rss\" text=\"");
    rc |= add_escaped(out, name);
    rc |= fk_buf_adds(out, "\" title=\"");
    rc |= add_escaped(out, name);
    rc |= fk_buf_adds(out, "\" xmlUrl=\"");
    rc |= add_escaped(out, url);
    if (outline->site_url && *outline->site_url) {
        rc |= fk_buf_adds(out, "\" htmlUrl=\"");
        rc |= add_escaped(out, outline->site_url);
    }
    rc |= fk_buf_adds(out, "\"/>\n");
    return rc ? -1 : 0;
}

int fk_opml_begin_folder(struct fk_buf *out, const char *name)
{
    int rc = fk_buf_adds(out, "    <outline text=\"");
    rc |= add_escaped(out, name ? name : "");
    rc |= fk_buf_adds(out, "\">\n");
    return rc ? -1 : 0;
}

int fk_opml_end_folder(struct fk_buf *out)
{
    return fk_buf_adds(out, "    </outline>\n") ? -1 : 0;
}

int fk_opml_end(struct fk_buf *out)
{
    return fk_buf_adds(out, "  </body>\n"
                            "</opml>\n");
}
