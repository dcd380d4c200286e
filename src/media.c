/* media.c - media types sniffed from bytes, and the SVG safety check (see
 * media.h). */
#include "feedkeep/media.h"

#include <stdint.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/xml.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* How far into the bytes XML's prolog (comments, a DOCTYPE) is followed to
 * find the root element, and how far a Matroska header is searched. */
#define PROLOG_MAX   ((size_t)64 << 10)
#define MATROSKA_MAX ((size_t)4 << 10)

static bool has_prefix(const unsigned char *p, size_t len, const char *prefix, size_t n)
{
    return len >= n && memcmp(p, prefix, n) == 0;
}

static bool equal_ignoring_case(const char *a, size_t alen, const char *b)
{
    return alen == strlen(b) && fk_ascii_equal_n(a, b, alen);
}

/* declared (a Content-Type) names an audio type. */
static bool declared_audio(const char *declared)
{
    return declared && fk_ascii_equal_n(declared, "audio/", 6) && strlen(declared) >= 6;
}

/* ---- fixed signatures ------------------------------------------------------ */

struct signature {
    const char *bytes; /* the first len bytes of the kind */
    size_t len;
    const char *mask; /* NULL: every byte must match; else where mask has
                         'x' the byte must, where it has '.' any byte will */
    const char *type;
};

#define SIG(bytes, mask, type)                                                                     \
    {                                                                                              \
        bytes, sizeof(bytes) - 1, mask, type                                                       \
    }

static const struct signature signatures[] = {
    SIG("\x89PNG\r\n\x1a\n", NULL, "image/png"),
    SIG("\xff\xd8\xff", NULL, "image/jpeg"),
    SIG("GIF87a", NULL, "image/gif"),
    SIG("GIF89a", NULL, "image/gif"),
    SIG("RIFF....WEBPVP", "xxxx....xxxxxx", "image/webp"),
    SIG("RIFF....WAVE", "xxxx....xxxx", "audio/wav"),
    SIG("RIFF....AVI ", "xxxx....xxxx", "video/x-msvideo"),
    SIG("\0\0\1\0", NULL, "image/x-icon"),
    SIG("\0\0\2\0", NULL, "image/x-icon"),
    SIG("II*\0", NULL, "image/tiff"),
    SIG("MM\0*", NULL, "image/tiff"),
    SIG("fLaC", NULL, "audio/flac"),
    SIG("ID3", NULL, "audio/mpeg"),
    SIG("%PDF-", NULL, "application/pdf"),
};

static const char *match_signature(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < COUNT(signatures); i++) {
        const struct signature *s = &signatures[i];
        if (len < s->len)
            continue;
        size_t j = 0;
        while (j < s->len && ((s->mask && s->mask[j] == '.') || p[j] == (unsigned char)s->bytes[j]))
            j++;
        if (j == s->len)
            return s->type;
    }
    return NULL;
}

/* ---- containers ------------------------------------------------------------ */

/* ISO base media brands, in order of precedence: a file naming several
 * (an AVIF is also "mif1", an MP4 "isom") is the first of the table it
 * names. */
static const struct {
    char brand[5];
    const char *type;
} brands[] = {
    {"avif", "image/avif"}, {"avis", "image/avif"}, {"heic", "image/heic"},
    {"heix", "image/heic"}, {"heim", "image/heic"}, {"heis", "image/heic"},
    {"hevc", "image/heic"}, {"hevx", "image/heic"}, {"mif1", "image/heif"},
    {"msf1", "image/heif"}, {"M4A ", "audio/mp4"},  {"M4B ", "audio/mp4"},
    {"M4P ", "audio/mp4"},  {"F4A ", "audio/mp4"},  {"qt  ", "video/quicktime"},
    {"M4V ", "video/mp4"},  {"isom", "video/mp4"},  {"iso2", "video/mp4"},
    {"iso4", "video/mp4"},  {"iso5", "video/mp4"},  {"iso6", "video/mp4"},
    {"mp41", "video/mp4"},  {"mp42", "video/mp4"},  {"avc1", "video/mp4"},
    {"dash", "video/mp4"},  {"3gp4", "video/mp4"},  {"3gp5", "video/mp4"},
    {"F4V ", "video/mp4"},
};

static size_t brand_rank(const unsigned char *brand)
{
    for (size_t i = 0; i < COUNT(brands); i++)
        if (memcmp(brand, brands[i].brand, 4) == 0)
            return i;
    return COUNT(brands);
}

/* An "ftyp" box first: its major brand at 8, compatible brands from 16 to
 * the end of the box. */
static const char *sniff_ftyp(const unsigned char *p, size_t len, const char *declared)
{
    if (len < 12 || memcmp(p + 4, "ftyp", 4) != 0)
        return NULL;
    size_t box = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (box < 12)
        return NULL;
    if (box > len)
        box = len;
    size_t best = brand_rank(p + 8);
    for (size_t off = 16; off + 4 <= box; off += 4) {
        size_t rank = brand_rank(p + off);
        if (rank < best)
            best = rank;
    }
    if (best == COUNT(brands))
        return NULL;
    const char *type = brands[best].type;
    if (strcmp(type, "video/mp4") == 0 && declared_audio(declared))
        return "audio/mp4";
    return type;
}

static const char *sniff_matroska(const unsigned char *p, size_t len, const char *declared)
{
    if (!has_prefix(p, len, "\x1a\x45\xdf\xa3", 4))
        return NULL;
    bool audio = declared_audio(declared);
    size_t end = len < MATROSKA_MAX ? len : MATROSKA_MAX;
    /* the DocType element (ID 42 82), one byte of size, then its value */
    for (size_t i = 4; i + 7 <= end; i++)
        if (p[i] == 0x42 && p[i + 1] == 0x82 && memcmp(p + i + 3, "webm", 4) == 0)
            return audio ? "audio/webm" : "video/webm";
    return audio ? "audio/x-matroska" : "video/x-matroska";
}

static const char *sniff_ogg(const unsigned char *p, size_t len, const char *declared)
{
    if (!has_prefix(p, len, "OggS", 4))
        return NULL;
    /* the first page's first packet: Theora's header names it video */
    if (len >= 35 && memcmp(p + 28, "\x80theora", 7) == 0 && !declared_audio(declared))
        return "video/ogg";
    if (declared && fk_ascii_equal_n(declared, "video/", 6) && strlen(declared) >= 6)
        return "video/ogg";
    return "audio/ogg";
}

/* An MPEG audio frame header (11 sync bits, a version, a layer, a bit rate
 * and a sampling rate that are not reserved), or an AAC ADTS header. */
static const char *sniff_mpeg_audio(const unsigned char *p, size_t len)
{
    if (len < 4 || p[0] != 0xff || (p[1] & 0xe0) != 0xe0)
        return NULL;
    unsigned version = (p[1] >> 3) & 3, layer = (p[1] >> 1) & 3;
    if (layer == 0)
        return (p[1] & 0xf6) == 0xf0 && ((p[2] >> 2) & 15) < 13 ? "audio/aac" : NULL;
    unsigned bitrate = p[2] >> 4, rate = (p[2] >> 2) & 3;
    if (version == 1 || bitrate == 0 || bitrate == 15 || rate == 3)
        return NULL;
    return "audio/mpeg";
}

/* "BM", then a DIB header of one of the sizes Windows and OS/2 write. */
static const char *sniff_bmp(const unsigned char *p, size_t len)
{
    if (len < 18 || p[0] != 'B' || p[1] != 'M')
        return NULL;
    uint32_t dib =
        (uint32_t)p[14] | (uint32_t)p[15] << 8 | (uint32_t)p[16] << 16 | (uint32_t)p[17] << 24;
    static const uint32_t sizes[] = {12, 16, 40, 52, 56, 64, 108, 124};
    for (size_t i = 0; i < COUNT(sizes); i++)
        if (dib == sizes[i])
            return "image/bmp";
    return NULL;
}

/* ---- markup ---------------------------------------------------------------- */

/* The elements whose opening tag makes a browser read bytes as HTML
 * (WHATWG MIME Sniffing, "identifying a resource with an unknown MIME
 * type"). */
static const char *const html_tags[] = {
    "html", "head",  "script", "iframe", "h1",   "div", "font", "table",
    "a",    "style", "title",  "b",      "body", "br",  "p",
};

static const char *find_bytes(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; (size_t)(end - p) >= n; p++)
        if (memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

static bool name_char(char c)
{
    return fk_is_alnum((unsigned char)c) || c == ':' || c == '_' || c == '-' || c == '.';
}

/* Markup: past a byte order mark, white space, the XML declaration,
 * processing instructions, comments and a DOCTYPE, what the first element
 * or the DOCTYPE says. NULL when the bytes are no markup. */
static const char *sniff_markup(const unsigned char *bytes, size_t len)
{
    const char *p = (const char *)bytes;
    const char *end = p + (len < PROLOG_MAX ? len : PROLOG_MAX);
    if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    bool xml = false, comment = false;
    for (;;) {
        while (p < end && fk_is_xml_space((unsigned char)*p))
            p++;
        if (end - p < 2 || *p != '<')
            break;
        if (p[1] == '?') {
            xml = xml || (end - p >= 5 && memcmp(p, "<?xml", 5) == 0);
            const char *close = find_bytes(p, end, "?>");
            if (!close)
                break;
            p = close + 2;
        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            comment = true;
            const char *close = find_bytes(p + 4, end, "-->");
            if (!close)
                break;
            p = close + 3;
        } else if (end - p >= 9 && fk_ascii_equal_n(p, "<!doctype", 9)) {
            const char *q = p + 9;
            while (q < end && fk_is_xml_space((unsigned char)*q))
                q++;
            if (end - q >= 4 && fk_ascii_equal_n(q, "html", 4) &&
                (end - q == 4 || !name_char(q[4])))
                return "text/html";
            /* to the '>' that ends it, past an internal subset in [...] */
            while (q < end && *q != '>' && *q != '[')
                q++;
            if (q < end && *q == '[') {
                q = find_bytes(q, end, "]");
                if (!q)
                    break;
                while (q < end && *q != '>')
                    q++;
            }
            if (q >= end)
                break;
            p = q + 1;
        } else {
            const char *name = p + 1, *q = name;
            while (q < end && name_char(*q))
                q++;
            if (q == name || q >= end)
                break;
            bool ends = fk_is_xml_space((unsigned char)*q) || *q == '>' || *q == '/';
            const char *local = name;
            for (const char *c = name; c < q; c++)
                if (*c == ':')
                    local = c + 1;
            if (ends && equal_ignoring_case(local, (size_t)(q - local), "svg"))
                return "image/svg+xml";
            for (size_t i = 0; ends && i < COUNT(html_tags); i++)
                if (equal_ignoring_case(name, (size_t)(q - name), html_tags[i]))
                    return "text/html";
            return xml ? "application/xml" : NULL;
        }
    }
    if (comment && !xml)
        return "text/html";
    return xml ? "application/xml" : NULL;
}

const char *fk_media_sniff(const void *data, size_t len, const char *declared)
{
    const unsigned char *p = data;
    if (!p)
        return FK_MEDIA_UNKNOWN;
    const char *type = match_signature(p, len);
    if (!type)
        type = sniff_ftyp(p, len, declared);
    if (!type)
        type = sniff_matroska(p, len, declared);
    if (!type)
        type = sniff_ogg(p, len, declared);
    if (!type)
        type = sniff_bmp(p, len);
    if (!type)
        type = sniff_mpeg_audio(p, len);
    if (!type)
        type = sniff_markup(p, len);
    return type ? type : FK_MEDIA_UNKNOWN;
}

enum fk_media_class fk_media_class_of(const char *type)
{
    static const struct {
        const char *prefix;
        enum fk_media_class class;
    } classes[] = {
        {"image/", FK_MEDIA_IMAGE},
        {"video/", FK_MEDIA_VIDEO},
        {"audio/", FK_MEDIA_AUDIO},
    };
    if (!type)
        return FK_MEDIA_OTHER;
    size_t len = strlen(type);
    for (size_t i = 0; i < COUNT(classes); i++)
        if (len > 6 && fk_ascii_equal_n(type, classes[i].prefix, 6))
            return classes[i].class;
    return FK_MEDIA_OTHER;
}

/* ---- the SVG check --------------------------------------------------------- */

/* Elements that run code or embed other documents. */
static const char *const refused_elements[] = {
    "script", "foreignObject", "iframe", "embed", "object", "handler",
};

/* The data: URIs an image may hold: bitmaps, never another SVG. */
static const char *const data_images[] = {
    "data:image/png",
    "data:image/jpeg",
    "data:image/gif",
    "data:image/webp",
};

static bool same_name(const xmlChar *name, const char *expected)
{
    return equal_ignoring_case((const char *)name, strlen((const char *)name), expected);
}

/* A link that stays in the document: "#fragment", empty (the document
 * itself), or a data: URI of a bitmap. */
static bool link_is_local(const char *value)
{
    while (fk_is_xml_space((unsigned char)*value))
        value++;
    if (*value == '\0' || *value == '#')
        return true;
    for (size_t i = 0; i < COUNT(data_images); i++) {
        size_t n = strlen(data_images[i]);
        if (fk_ascii_equal_n(value, data_images[i], n) && (value[n] == ';' || value[n] == ','))
            return true;
    }
    return false;
}

static const char *find_ignoring_case(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (fk_ascii_equal_n(s, needle, n))
            return s;
    return NULL;
}

/* What CSS (a style element or attribute, or a presentation attribute)
 * may not hold, or NULL. */
static const char *css_refusal(const char *css)
{
    if (strchr(css, '\\'))
        return "a CSS escape";
    if (find_ignoring_case(css, "@import"))
        return "a CSS @import";
    if (find_ignoring_case(css, "image-set(") || find_ignoring_case(css, "src("))
        return "a CSS reference to another document";
    for (const char *u = css; (u = find_ignoring_case(u, "url(")) != NULL; u += 4) {
        const char *v = u + 4;
        while (fk_is_space((unsigned char)*v))
            v++;
        if (*v == '"' || *v == '\'')
            v++;
        if (*v != '#')
            return "a CSS url() to another document";
    }
    return NULL;
}

static const char *attribute_refusal(const xmlAttr *attr)
{
    const xmlChar *name = attr->name;
    if (fk_ascii_equal_n((const char *)name, "on", 2))
        return "an event handler attribute";
    xmlChar *value = xmlNodeGetContent((const xmlNode *)attr);
    const char *v = value ? (const char *)value : "";
    const char *why = NULL;
    if (same_name(name, "href") || same_name(name, "src")) {
        if (!link_is_local(v))
            why = "a reference to another document";
    } else if (same_name(name, "attributeName")) {
        const char *local = strrchr(v, ':') ? strrchr(v, ':') + 1 : v;
        if (same_name((const xmlChar *)local, "href") || same_name((const xmlChar *)local, "src") ||
            same_name((const xmlChar *)local, "style") || fk_ascii_equal_n(local, "on", 2))
            why = "an animation of a link or handler";
    } else {
        why = css_refusal(v);
    }
    xmlFree(value);
    return why;
}

static const char *element_refusal(const xmlNode *node)
{
    for (size_t i = 0; i < COUNT(refused_elements); i++)
        if (same_name(node->name, refused_elements[i]))
            return i == 0 ? "a script element" : "an element that embeds other content";
    for (const xmlAttr *attr = node->properties; attr; attr = attr->next) {
        const char *why = attribute_refusal(attr);
        if (why)
            return why;
    }
    if (same_name(node->name, "style")) {
        xmlChar *css = xmlNodeGetContent(node);
        const char *why = css_refusal(css ? (const char *)css : "");
        xmlFree(css);
        return why;
    }
    return NULL;
}

/* Every node of the document in order, without recursion. */
static const char *tree_refusal(const xmlDoc *doc)
{
    const xmlNode *node = doc->children;
    while (node) {
        const char *why = NULL;
        if (node->type == XML_ELEMENT_NODE)
            why = element_refusal(node);
        else if (node->type == XML_ENTITY_REF_NODE || node->type == XML_ENTITY_DECL)
            why = "an entity";
        else if (node->type == XML_PI_NODE && same_name(node->name, "xml-stylesheet"))
            why = "an xml-stylesheet instruction";
        if (why)
            return why;
        if (node->type == XML_ELEMENT_NODE && node->children) {
            node = node->children;
            continue;
        }
        while (node && !node->next && node->parent && node->parent->type != XML_DOCUMENT_NODE)
            node = node->parent;
        node = node ? node->next : NULL;
    }
    return NULL;
}

static const char *svg_refusal(const char *bytes, size_t len)
{
    if (len > FK_MEDIA_SVG_MAX)
        return "an SVG larger than the limit";
    if (find_bytes(bytes, bytes + len, "<!ENTITY"))
        return "an entity";
    struct fk_tag_scan tags = FK_TAG_SCAN_INIT;
    bool over = false;
    fk_tag_scan(&tags, bytes, len, &over);
    if (over)
        return "a tag with too many attributes";
    if (tags.tags > FK_MEDIA_SVG_ELEMENTS_MAX)
        return "an SVG with too many elements";

    const char *why = NULL;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return "not well-formed XML";
    /* XML_PARSE_NOERROR does not cover every report (a failed encoding
     * conversion goes to the generic handler): while parsing, libxml2's
     * per-thread handlers are silent ones, then the caller's again. */
    struct fk_xml_quiet quiet;
    fk_xml_quiet_begin(&quiet);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes, (int)len, NULL, NULL, FK_XML_OPTIONS);
    const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!doc || !ctxt->wellFormed)
        why = "not well-formed XML";
    else if (doc->intSubset && doc->intSubset->entities)
        why = "an entity";
    else if (!root || !same_name(root->name, "svg"))
        why = "not an SVG document";
    else
        why = tree_refusal(doc);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    fk_xml_quiet_end(&quiet);
    return why;
}

bool fk_media_svg_safe(const void *bytes, size_t len, const char **why)
{
    const char *reason = bytes ? svg_refusal(bytes, len) : "not well-formed XML";
    if (why)
        *why = reason;
    return reason == NULL;
}
