/* decode.c - a feed's bytes to clean UTF-8 for the XML parser; see decode.h.
 *
 * Three ways through, chosen once from the first bytes of the document:
 * UTF-8 is checked in place and copied only where a repair is needed (the
 * common case costs one pass that skips ASCII eight bytes at a time); any
 * other encoding goes through libxml2's converter, and its output through
 * the same check; EBCDIC is left to libxml2 untouched.
 */
#include "feedkeep/decode.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/utf8.h"
#include "feedkeep/xml.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* Bytes looked at for the XML declaration: it comes first in the document
 * and is short. */
#define HEAD_MAX 1024
/* Bytes handed to the converter per call. On an invalid sequence libxml2
 * moves the rest of its input buffer down, so a small slice keeps a
 * document full of them linear. */
#define CONVERT_SLICE 512
/* Bytes the converter may leave unconverted waiting for the rest of a
 * character; more means it is stuck on an invalid sequence. */
#define STUCK_MAX 8

enum mode { M_SNIFF, M_UTF8, M_CONVERT, M_PASS };

/* Byte order marks: the encoding they announce and how long a code unit
 * is (an invalid unit is skipped whole). UTF-32LE's mark starts like
 * UTF-16LE's, so it comes first. */
static const struct {
    const char *bytes;
    size_t len;
    const char *encoding;
    int unit;
} boms[] = {
    {"\xEF\xBB\xBF", 3, "UTF-8", 1},        {"\x00\x00\xFE\xFF", 4, "UTF-32BE", 4},
    {"\xFF\xFE\x00\x00", 4, "UTF-32LE", 4}, {"\xFE\xFF", 2, "UTF-16BE", 2},
    {"\xFF\xFE", 2, "UTF-16LE", 2},
};

/* Without a mark, a document in UTF-16 or UTF-32 still starts with an ASCII
 * character ("<", or space): which of the first four bytes are zero tells
 * the encoding (XML 1.0, appendix F). Bit 3 is the first byte. */
static const struct {
    unsigned zeros;
    const char *encoding;
    int unit;
} zero_patterns[] = {
    {0xE, "UTF-32BE", 4}, /* 00 00 00 3C */
    {0x7, "UTF-32LE", 4}, /* 3C 00 00 00 */
    {0xA, "UTF-16BE", 2}, /* 00 3C 00 3F */
    {0x5, "UTF-16LE", 2}, /* 3C 00 3F 00 */
};

/* The families of encodings the first bytes of a document tell apart, by
 * how "<?" is written in them. A charset from outside the document (an HTTP
 * charset, --charset) only chooses within the family of the document's
 * first bytes: a UTF-8 document served as "utf-16" starts with "<?xml" in
 * single bytes, which no UTF-16 reads as "<". */
enum family { FAM_UNKNOWN, FAM_ASCII, FAM_EBCDIC, FAM_UTF16, FAM_UTF32 };

static const char *const family_names[] = {
    [FAM_UNKNOWN] = "unknown", [FAM_ASCII] = "ASCII-compatible", [FAM_EBCDIC] = "EBCDIC",
    [FAM_UTF16] = "UTF-16",    [FAM_UTF32] = "UTF-32",
};

static const struct {
    const char *bytes;
    size_t len;
    enum family family;
} signatures[] = {
    {"\x3C\x3F", 2, FAM_ASCII},
    {"\x4C\x6F", 2, FAM_EBCDIC},
    {"\x00\x3C\x00\x3F", 4, FAM_UTF16},
    {"\x3C\x00\x3F\x00", 4, FAM_UTF16},
    {"\x00\x00\x00\x3C\x00\x00\x00\x3F", 8, FAM_UTF32},
    {"\x3C\x00\x00\x00\x3F\x00\x00\x00", 8, FAM_UTF32},
};

/* Names of ASCII, which is read as UTF-8 so that a stray byte is repaired
 * rather than fatal (libxml2's xmlParseCharEncoding knows only "ASCII"). */
static const char *const ascii_names[] = {"ascii", "us-ascii", "ansi_x3.4-1968", "iso646-us"};

/* libxml2's classes of encodings whose code unit is not one byte. */
static const struct {
    xmlCharEncoding encoding;
    int unit;
} wide_encodings[] = {
    {XML_CHAR_ENCODING_UTF16LE, 2},   {XML_CHAR_ENCODING_UTF16BE, 2},
    {XML_CHAR_ENCODING_UCS2, 2},      {XML_CHAR_ENCODING_UCS4LE, 4},
    {XML_CHAR_ENCODING_UCS4BE, 4},    {XML_CHAR_ENCODING_UCS4_2143, 4},
    {XML_CHAR_ENCODING_UCS4_3412, 4},
};

/* Windows-1252 meanings of 0x80..0x9F (0 = undefined); 0xA0..0xFF are
 * Latin-1's. */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

struct fk_decoder {
    enum mode mode;
    char *charset; /* the caller's, or NULL */
    char encoding[64];
    int unit;
    xmlCharEncodingHandlerPtr handler; /* M_CONVERT */
    xmlBufferPtr in, converted;        /* M_CONVERT: bytes not converted yet, and UTF-8 */
    struct fk_buf head;                /* bytes held while sniffing */
    struct fk_buf joined;              /* a held-back character and the next chunk */
    struct fk_buf out;                 /* text with repairs */
    unsigned char carry[4];            /* the start of a character cut by a chunk's end */
    size_t ncarry;
    long lines; /* newlines in the text handed out so far */
    long problem_line;
    char problem[160];
    bool charset_ruled_out; /* the caller's charset is not of the bytes' family */
    char charset_note[200]; /* what was read instead of it, for the user */
};

unsigned fk_decode_cp1252(unsigned char byte)
{
    if (byte >= 0xA0)
        return byte;
    return byte >= 0x80 ? cp1252_c1[byte - 0x80] : 0;
}

static void note(struct fk_decoder *d, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Remember the first repair. */
static void note(struct fk_decoder *d, long line, const char *fmt, ...)
{
    if (d->problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->problem, sizeof d->problem, fmt, ap);
    va_end(ap);
    d->problem_line = line;
}

static long count_newlines(const char *s, size_t len)
{
    long n = 0;
    for (const char *end = s + len; (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++)
        n++;
    return n;
}

/* ---- UTF-8 ------------------------------------------------------------------- */

#define INCOMPLETE SIZE_MAX

/* Length of the UTF-8 sequence at s (avail bytes there), 0 when it is
 * invalid, INCOMPLETE when avail ends inside a sequence that is valid so
 * far. Overlong forms, surrogates and code points past U+10FFFF are
 * invalid (RFC 3629). */
static size_t sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (size_t k = 1; k < n; k++) {
        if (k >= avail)
            return INCOMPLETE;
        if (s[k] < lo || s[k] > hi)
            return 0;
        lo = 0x80, hi = 0xBF;
    }
    return n;
}

/* True when the 32 bytes at s are all printable ASCII, tab, newline or
 * carriage return: text that needs no look. Counts its newlines into
 * *lines. Written so that the compiler makes vector code of it: this is
 * the loop every byte of every feed goes through. */
static bool plain32(const unsigned char *s, long *lines)
{
    unsigned char bad = 0, newlines = 0;
    for (int k = 0; k < 32; k++) {
        unsigned char shifted = (unsigned char)(s[k] - 0x20); /* controls wrap past 0x7F */
        bad |= (unsigned char)((shifted > 0x5F) & (s[k] != '\n') & (s[k] != '\r') & (s[k] != '\t'));
        newlines += s[k] == '\n';
    }
    if (bad)
        return false;
    *lines += newlines;
    return true;
}

/* The same for 8 bytes, without tab, newline and carriage return. */
static bool plain8(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
    return ((w | ((w - ones * 0x20) & ~w)) & high) == 0;
}

struct cleaning {
    const unsigned char *s;
    size_t done;  /* s[0..done) is in d->out or was dropped */
    bool copying; /* a repair was made: the text is d->out */
};

/* Replace s[i..i+skip) with rep (rep_len bytes, maybe none). */
static void repair(struct fk_decoder *d, struct cleaning *c, size_t i, size_t skip, const char *rep,
                   size_t rep_len)
{
    if (!c->copying) {
        fk_buf_reset(&d->out);
        c->copying = true;
    }
    fk_buf_add(&d->out, c->s + c->done, i - c->done);
    fk_buf_add(&d->out, rep, rep_len);
    c->done = i + skip;
}

/* Check len bytes of UTF-8 and repair them; unless final, a character cut
 * by the end is held back in d->carry. Returns the length of the clean
 * text, which *out points to. */
static size_t clean(struct fk_decoder *d, const unsigned char *s, size_t len, bool final,
                    const char **out)
{
    struct cleaning c = {s, 0, false};
    size_t i = 0;
    while (i < len) {
        if (len - i >= 32 && plain32(s + i, &d->lines)) {
            i += 32;
            continue;
        }
        if (len - i >= 8 && plain8(s + i)) {
            i += 8;
            continue;
        }
        unsigned char b = s[i];
        if (b >= 0x20 && b < 0x80) {
            i++;
            continue;
        }
        if (b < 0x20) {
            if (b == '\n')
                d->lines++;
            else if (b != '\t' && b != '\r') {
                note(d, d->lines + 1, "control character U+%04X is not allowed in XML: dropped", b);
                repair(d, &c, i, 1, NULL, 0);
            }
            i++;
            continue;
        }
        size_t n = sequence_length(s + i, len - i);
        if (n == INCOMPLETE && !final)
            break;
        if (n == 0 || n == INCOMPLETE) {
            unsigned cp = fk_decode_cp1252(b);
            char rep[FK_UTF8_MAX];
            note(d, d->lines + 1, "invalid UTF-8 (byte 0x%02X): read as Windows-1252", b);
            repair(d, &c, i, 1, rep, fk_utf8_encode(cp ? cp : 0xFFFD, rep));
            i++;
            continue;
        }
        if (n == 3 && b == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE) {
            note(d, d->lines + 1, "character U+%04X is not allowed in XML: dropped",
                 0xFFC0u | (s[i + 2] & 0x3F));
            repair(d, &c, i, 3, NULL, 0);
        }
        i += n;
    }
    d->ncarry = len - i;
    memcpy(d->carry, s + i, d->ncarry);
    if (!c.copying) {
        *out = (const char *)s;
        return i;
    }
    fk_buf_add(&d->out, s + c.done, i - c.done);
    *out = d->out.data ? d->out.data : "";
    return d->out.len;
}

static size_t push_utf8(struct fk_decoder *d, const char *data, size_t len, bool final,
                        const char **out)
{
    if (d->ncarry) {
        /* finish the held-back character: the chunk is copied once */
        fk_buf_reset(&d->joined);
        fk_buf_add(&d->joined, d->carry, d->ncarry);
        fk_buf_add(&d->joined, data, len);
        d->ncarry = 0;
        data = d->joined.data;
        len = d->joined.len;
    }
    return clean(d, (const unsigned char *)data, len, final, out);
}

/* ---- other encodings --------------------------------------------------------- */

/* Convert what the input buffer holds; unless final, a character cut by
 * the end stays there for the next call. */
static void drain(struct fk_decoder *d, bool final)
{
    while (xmlBufferLength(d->in) > 0) {
        int before = xmlBufferLength(d->in);
        /* room for the longest output, so that libxml2 never has to guess */
        xmlBufferGrow(d->converted, (unsigned)(6 * before + 64));
        int rc = xmlCharEncInFunc(d->handler, d->converted, d->in);
        int after = xmlBufferLength(d->in);
        if (rc >= 0 && after < before)
            continue;
        /* Stuck: the start of a character cut by the chunk's end, or an
         * invalid sequence (libxml2's own converters report that as 0, like
         * the former; no character is STUCK_MAX bytes long). */
        if (rc >= 0 && !final && after < STUCK_MAX)
            break;
        int skip = d->unit < after ? d->unit : after;
        if (!d->problem[0]) {
            const unsigned char *bad = xmlBufferContent(d->in);
            char bytes[32] = "";
            for (int i = 0, o = 0; i < skip; i++)
                o +=
                    snprintf(bytes + o, sizeof bytes - (size_t)o, "%s0x%02X", i ? " " : "", bad[i]);
            long line = d->lines + 1 +
                        count_newlines((const char *)xmlBufferContent(d->converted),
                                       (size_t)xmlBufferLength(d->converted));
            note(d, line, "invalid %s (%s %s): replaced by U+FFFD", d->encoding,
                 skip > 1 ? "bytes" : "byte", bytes);
        }
        xmlBufferAdd(d->converted, (const xmlChar *)"\xEF\xBF\xBD", 3);
        xmlBufferShrink(d->in, (unsigned)skip);
    }
}

static size_t push_convert(struct fk_decoder *d, const char *data, size_t len, bool final,
                           const char **out)
{
    /* libxml2 reports conversion errors as it finds them; ours say more */
    struct fk_xml_quiet quiet;
    fk_xml_quiet_begin(&quiet);
    xmlBufferEmpty(d->converted);
    size_t off = 0;
    do {
        size_t n = len - off < CONVERT_SLICE ? len - off : CONVERT_SLICE;
        if (n)
            xmlBufferAdd(d->in, (const xmlChar *)data + off, (int)n);
        off += n;
        drain(d, final && off == len);
    } while (off < len);
    fk_xml_quiet_end(&quiet);
    /* the converter's UTF-8 is valid; what XML forbids may still be in it */
    return clean(d, xmlBufferContent(d->converted), (size_t)xmlBufferLength(d->converted), true,
                 out);
}

/* ---- choosing the encoding ---------------------------------------------------- */

static int unit_of(const char *name)
{
    xmlCharEncoding e = xmlParseCharEncoding(name);
    for (size_t i = 0; i < sizeof wide_encodings / sizeof wide_encodings[0]; i++)
        if (wide_encodings[i].encoding == e)
            return wide_encodings[i].unit;
    return 1;
}

/* The family a charset name belongs to: how its converter reads the
 * signatures above. FAM_UNKNOWN when no converter reads "<?" from any. */
static enum family label_family(const char *name)
{
    switch (xmlParseCharEncoding(name)) {
    case XML_CHAR_ENCODING_UTF8:
    case XML_CHAR_ENCODING_ASCII:
        return FAM_ASCII;
    case XML_CHAR_ENCODING_UTF16LE:
    case XML_CHAR_ENCODING_UTF16BE:
    case XML_CHAR_ENCODING_UCS2:
        return FAM_UTF16;
    case XML_CHAR_ENCODING_UCS4LE:
    case XML_CHAR_ENCODING_UCS4BE:
        return FAM_UTF32;
    default:
        break;
    }
    enum family family = FAM_UNKNOWN;
    struct fk_xml_quiet quiet;
    fk_xml_quiet_begin(&quiet);
    xmlBufferPtr in = xmlBufferCreate(), out = xmlBufferCreate();
    for (size_t i = 0; in && out && i < sizeof signatures / sizeof signatures[0]; i++) {
        /* a fresh converter each time: a stateful one (UTF-16 with its
         * byte order) must not carry one probe into the next */
        xmlCharEncodingHandlerPtr handler = xmlFindCharEncodingHandler(name);
        if (!handler)
            break;
        xmlBufferEmpty(in);
        xmlBufferEmpty(out);
        xmlBufferAdd(in, (const xmlChar *)signatures[i].bytes, (int)signatures[i].len);
        int rc = xmlCharEncInFunc(handler, out, in);
        xmlCharEncCloseFunc(handler);
        if (rc >= 0 && xmlBufferLength(out) == 2 && memcmp(xmlBufferContent(out), "<?", 2) == 0) {
            family = signatures[i].family;
            break;
        }
    }
    if (in)
        xmlBufferFree(in);
    if (out)
        xmlBufferFree(out);
    fk_xml_quiet_end(&quiet);
    return family;
}

/* The family the first bytes of a document are in: the zero bytes of
 * UTF-16 and UTF-32 (pattern_unit 2 or 4), "<?xm" in EBCDIC, or a "<"
 * in single bytes after blanks; FAM_UNKNOWN when they show none of these
 * (not XML, or too short to tell). */
static enum family bytes_family(const unsigned char *h, size_t len, int pattern_unit)
{
    if (pattern_unit == 2)
        return FAM_UTF16;
    if (pattern_unit == 4)
        return FAM_UTF32;
    if (len >= 4 && memcmp(h, "\x4C\x6F\xA7\x94", 4) == 0)
        return FAM_EBCDIC;
    size_t i = 0;
    while (i < len && fk_is_xml_space((char)h[i]))
        i++;
    return i + 1 < len && h[i] == '<' && h[i + 1] != 0 ? FAM_ASCII : FAM_UNKNOWN;
}

static void use_utf8(struct fk_decoder *d)
{
    d->mode = M_UTF8;
    d->unit = 1;
    snprintf(d->encoding, sizeof d->encoding, "UTF-8");
}

/* Read the document in the encoding called name. declared: the name comes
 * from an XML declaration that was readable as ASCII, so the document is
 * in an ASCII-compatible encoding whatever the name says. */
static void use_named(struct fk_decoder *d, const char *name, int unit, bool declared)
{
    xmlCharEncoding e = xmlParseCharEncoding(name);
    bool ascii = e == XML_CHAR_ENCODING_ASCII;
    for (size_t i = 0; i < sizeof ascii_names / sizeof ascii_names[0]; i++)
        ascii = ascii || strcasecmp(name, ascii_names[i]) == 0;
    enum family family = declared ? label_family(name) : FAM_UNKNOWN;
    if (e == XML_CHAR_ENCODING_UTF8 || ascii ||
        (declared && family != FAM_ASCII && family != FAM_UNKNOWN)) {
        /* a "UTF-16" (or EBCDIC) declaration in single bytes is wrong, as
         * libxml2 knows */
        use_utf8(d);
        return;
    }
    struct fk_xml_quiet quiet;
    fk_xml_quiet_begin(&quiet);
    d->handler = xmlFindCharEncodingHandler(name);
    fk_xml_quiet_end(&quiet);
    if (!d->handler) {
        use_utf8(d);
        note(d, 1, "unsupported encoding '%.40s': read as UTF-8", name);
        return;
    }
    d->mode = M_CONVERT;
    d->unit = unit;
    snprintf(d->encoding, sizeof d->encoding, "%s", name);
    d->in = xmlBufferCreate();
    d->converted = xmlBufferCreate();
    if (!d->in || !d->converted) {
        fputs("feedkeep: out of memory\n", stderr);
        abort();
    }
}

/* The encoding named by the XML declaration at the start of s, copied to
 * name; false when there is none. *complete is false when s ends before
 * the declaration does. */
static bool declared_encoding(const char *s, size_t len, char *name, size_t size, bool *complete)
{
    *complete = true;
    size_t i = 0;
    while (i < len && fk_is_xml_space(s[i]))
        i++;
    if (len - i < 5 || memcmp(s + i, "<?xml", 5) != 0) {
        *complete = len - i >= 5 || memcmp(s + i, "<?xml", len - i) != 0;
        return false;
    }
    const char *decl = s + i, *end = NULL;
    for (const char *q = decl; q + 1 < s + len; q++) {
        if (q[0] == '?' && q[1] == '>') {
            end = q;
            break;
        }
    }
    if (!end) {
        *complete = false;
        return false;
    }
    for (const char *q = decl; q + 8 <= end; q++) {
        if (memcmp(q, "encoding", 8) != 0)
            continue;
        q += 8;
        while (q < end && fk_is_xml_space(*q))
            q++;
        if (q >= end || *q++ != '=')
            return false;
        while (q < end && fk_is_xml_space(*q))
            q++;
        if (q >= end || (*q != '"' && *q != '\''))
            return false;
        char quote = *q++;
        const char *v = q;
        while (q < end && *q != quote)
            q++;
        size_t n = (size_t)(q - v);
        if (q >= end || n == 0 || n >= size)
            return false;
        memcpy(name, v, n);
        name[n] = '\0';
        return true;
    }
    return false;
}

/* Choose the encoding from the head of the document. Returns the number of
 * bytes to drop (a byte order mark), or -1 when more bytes are needed. */
static long decide(struct fk_decoder *d, bool final)
{
    const unsigned char *h = (const unsigned char *)d->head.data;
    size_t len = d->head.len;
    if (len < 4 && !final)
        return -1;
    for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++) {
        if (len >= boms[i].len && memcmp(h, boms[i].bytes, boms[i].len) == 0) {
            use_named(d, boms[i].encoding, boms[i].unit, false);
            return (long)boms[i].len;
        }
    }
    const char *pattern = NULL;
    int pattern_unit = 1;
    if (len >= 4) {
        unsigned zeros = (h[0] == 0) << 3 | (h[1] == 0) << 2 | (h[2] == 0) << 1 | (h[3] == 0);
        for (size_t i = 0; i < sizeof zero_patterns / sizeof zero_patterns[0]; i++) {
            if (zeros == zero_patterns[i].zeros) {
                pattern = zero_patterns[i].encoding;
                pattern_unit = zero_patterns[i].unit;
            }
        }
    }
    enum family bytes = bytes_family(h, len, pattern_unit);
    if (d->charset && !d->charset_ruled_out) {
        enum family label = label_family(d->charset);
        if (bytes == FAM_UNKNOWN || label == FAM_UNKNOWN || bytes == label) {
            /* "UTF-16" says nothing of the byte order: the zeros do */
            if (pattern && bytes == label)
                use_named(d, pattern, pattern_unit, false);
            else
                use_named(d, d->charset,
                          label == FAM_UTF16   ? 2
                          : label == FAM_UTF32 ? 4
                                               : unit_of(d->charset),
                          false);
            return 0;
        }
        /* the bytes rule the label out: read the document as if it had
         * come without one */
        d->charset_ruled_out = true;
    }
    if (pattern) {
        use_named(d, pattern, pattern_unit, false);
    } else if (bytes == FAM_EBCDIC) { /* "<?xm" in EBCDIC */
        d->mode = M_PASS;
    } else {
        char name[64];
        bool complete;
        bool found = declared_encoding(d->head.data, len, name, sizeof name, &complete);
        if (!complete && !final && len < HEAD_MAX)
            return -1;
        if (found)
            use_named(d, name, 1, true);
        else
            use_utf8(d);
    }
    if (d->charset_ruled_out)
        snprintf(d->charset_note, sizeof d->charset_note,
                 "charset '%.40s' ignored: the document's first bytes are %s; read as %s",
                 d->charset, family_names[bytes],
                 d->mode == M_PASS ? "the EBCDIC its XML declaration names" : d->encoding);
    return 0;
}

/* ---- the interface ------------------------------------------------------------- */

struct fk_decoder *fk_decode_new(const char *charset, bool hint, struct fk_error *err)
{
    xmlCharEncodingHandlerPtr handler = NULL;
    if (charset && *charset) {
        /* check the name now, so that a bad --charset is an error at once */
        struct fk_xml_quiet quiet;
        fk_xml_quiet_begin(&quiet);
        handler = xmlFindCharEncodingHandler(charset);
        fk_xml_quiet_end(&quiet);
        if (!handler && !hint) {
            fk_error_set(err, FK_ERROR_INPUT, "unknown character set '%.64s'", charset);
            return NULL;
        }
        if (handler)
            xmlCharEncCloseFunc(handler);
        else
            charset = NULL;
    }
    struct fk_decoder *d = fk_xcalloc(1, sizeof *d);
    d->mode = M_SNIFF;
    d->charset = charset && *charset ? fk_xstrdup(charset) : NULL;
    fk_buf_init(&d->head, 0);
    fk_buf_init(&d->joined, 0);
    fk_buf_init(&d->out, 0);
    return d;
}

void fk_decode_free(struct fk_decoder *d)
{
    if (!d)
        return;
    if (d->handler)
        xmlCharEncCloseFunc(d->handler);
    if (d->in)
        xmlBufferFree(d->in);
    if (d->converted)
        xmlBufferFree(d->converted);
    fk_buf_release(&d->head);
    fk_buf_release(&d->joined);
    fk_buf_release(&d->out);
    free(d->charset);
    free(d);
}

size_t fk_decode_push(struct fk_decoder *d, const char *data, size_t len, bool final,
                      const char **out)
{
    *out = "";
    if (d->mode == M_SNIFF) {
        fk_buf_reset(&d->joined);
        fk_buf_add(&d->head, data, len);
        long skip = decide(d, final);
        if (skip < 0)
            return 0;
        /* the held bytes are the first chunk; joined owns them from here */
        struct fk_buf t = d->joined;
        d->joined = d->head;
        d->head = t;
        data = d->joined.data ? d->joined.data + skip : "";
        len = d->joined.len - (size_t)skip;
    }
    switch (d->mode) {
    case M_UTF8:
        return push_utf8(d, data, len, final, out);
    case M_CONVERT:
        return push_convert(d, data, len, final, out);
    default:
        *out = data;
        return len;
    }
}

const char *fk_decode_encoding(const struct fk_decoder *d)
{
    return d->mode == M_UTF8 || d->mode == M_CONVERT ? d->encoding : NULL;
}

const char *fk_decode_charset_note(const struct fk_decoder *d)
{
    return d->charset_note[0] ? d->charset_note : NULL;
}

const char *fk_decode_problem(const struct fk_decoder *d, long *line)
{
    if (line)
        *line = d->problem_line;
    return d->problem[0] ? d->problem : NULL;
}

/* A character that can start a tag's name. */
static bool tag_name_start(char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == ':';
}

/* ---- long runs of text ------------------------------------------------------ */

enum run_state { R_TEXT, R_LT, R_TAG, R_CDATA, R_COMMENT };

static const char cdata_open[] = "![CDATA[";
static const char comment_open[] = "!--";

/* The output of one fk_run_scan call: text[from..) is being kept, unless
 * from is SIZE_MAX; once anything is dropped the kept bytes are copied. */
struct run_output {
    const char *text;
    struct fk_buf *out;
    size_t from;
    bool copying;
};

static void keep_until(struct run_output *o, size_t upto)
{
    if (o->from != SIZE_MAX && upto > o->from)
        fk_buf_add(o->out, o->text + o->from, upto - o->from);
    o->from = SIZE_MAX;
    o->copying = true;
}

/* The first of the bytes in set in s[0..len), or NULL. */
static const char *strpbrk_len(const char *s, size_t len, const char *set)
{
    for (size_t i = 0; i < len; i++)
        if (strchr(set, s[i]) && s[i])
            return s + i;
    return NULL;
}

/* Where text may be cut without leaving half a character or half an
 * entity reference behind: before a blank, a '&' or the first byte of a
 * multi-byte character. */
static bool text_cut_point(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '&' || c >= 0xC0;
}

/* In a CDATA section only characters matter: before any byte that does
 * not continue one. */
static bool cdata_cut_point(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

/* How far past FK_TEXT_RUN_MAX a run with no cut point (one endless word)
 * is cut anyway, before an ASCII byte. No entity reference can be open
 * there: its '&' would have been a cut point, or it began so far back
 * that its name is longer than any entity's. */
#define RUN_CUT_SLACK 64

/* Count n more bytes of the run at text[i..i+n) and cut it once it passes
 * FK_TEXT_RUN_MAX, at the first cut point (or RUN_CUT_SLACK bytes on,
 * before an ASCII byte); returns true when it was cut. */
static bool count_run(struct fk_run_scan *s, struct run_output *o, size_t i, size_t n,
                      bool (*cut_point)(unsigned char), size_t *cut)
{
    if (s->run + n <= FK_TEXT_RUN_MAX) {
        s->run += n;
        return false;
    }
    size_t at = i + (FK_TEXT_RUN_MAX > s->run ? FK_TEXT_RUN_MAX - s->run : 0);
    while (at < i + n) {
        unsigned char c = (unsigned char)o->text[at];
        if (cut_point(c) || (c < 0x80 && s->run + (at - i) >= FK_TEXT_RUN_MAX + RUN_CUT_SLACK))
            break;
        at++;
    }
    s->run += n;
    if (at == i + n)
        return false; /* no cut point yet: maybe in the next bytes */
    keep_until(o, at);
    *cut = o->out->len;
    s->dropping = true;
    return true;
}

size_t fk_run_scan(struct fk_run_scan *s, const char *text, size_t len, struct fk_buf *out,
                   const char **result, size_t *cut)
{
    struct run_output o = {text, out, s->dropping ? SIZE_MAX : 0, s->dropping};
    *cut = SIZE_MAX;
    fk_buf_reset(out);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        switch (s->state) {
        case R_TEXT: {
            const char *lt = memchr(text + i, '<', len - i);
            size_t end = lt ? (size_t)(lt - text) : len;
            if (!s->dropping)
                (void)count_run(s, &o, i, end - i, text_cut_point, cut);
            i = end;
            if (lt) {
                if (s->dropping) {
                    s->dropping = false;
                    o.from = i; /* the '<' is kept */
                }
                s->state = R_LT;
                s->matched = 0;
                s->run = 0;
                i++;
            }
            break;
        }
        case R_LT:
            /* after '<': a CDATA section, a comment, or markup */
            if (s->matched < sizeof cdata_open - 1 && c == (unsigned char)cdata_open[s->matched] &&
                (s->matched < 2 || s->in_cdata_open)) {
                s->in_cdata_open = s->matched == 1 ? true : s->in_cdata_open;
                if (++s->matched == sizeof cdata_open - 1) {
                    s->state = R_CDATA;
                    s->brackets = 0;
                }
                i++;
            } else if (s->matched < sizeof comment_open - 1 &&
                       c == (unsigned char)comment_open[s->matched] &&
                       (s->matched < 1 || !s->in_cdata_open)) {
                if (++s->matched == sizeof comment_open - 1) {
                    s->state = R_COMMENT;
                    s->brackets = 0;
                }
                i++;
            } else if (s->matched == 0 && (tag_name_start((char)c) || c == '/' || c == '?')) {
                /* a tag, read to its end: attribute values are not cut */
                s->state = R_TAG;
                s->quote = 0;
                i++;
            } else {
                s->state = R_TEXT; /* c is looked at again, as text */
            }
            if (s->state != R_LT)
                s->in_cdata_open = false;
            break;
        case R_TAG: {
            /* '>' ends it, unless in a quoted value */
            const char *stop = s->quote ? memchr(text + i, s->quote, len - i)
                                        : strpbrk_len(text + i, len - i, "\"'>");
            if (!stop) {
                i = len;
                break;
            }
            i = (size_t)(stop - text);
            if (s->quote)
                s->quote = 0;
            else if (text[i] == '>')
                s->state = R_TEXT;
            else
                s->quote = text[i];
            i++;
            break;
        }
        case R_CDATA:
            if (s->brackets == 0 && c != ']') {
                const char *bracket = memchr(text + i, ']', len - i);
                size_t end = bracket ? (size_t)(bracket - text) : len;
                if (!s->dropping)
                    (void)count_run(s, &o, i, end - i, cdata_cut_point, cut);
                i = end;
                break;
            }
            if (c == '>' && s->brackets >= 2) {
                if (s->dropping) {
                    /* the end of the section, whose "]]" may have been dropped */
                    fk_buf_add(out, "]]>", 3);
                    s->dropping = false;
                    o.from = i + 1;
                }
                s->state = R_TEXT;
                s->run = 0;
            } else if (c == ']') {
                s->brackets = s->brackets < 2 ? s->brackets + 1 : 2;
                if (!s->dropping)
                    (void)count_run(s, &o, i, 1, cdata_cut_point, cut);
            } else {
                s->brackets = 0;
                continue; /* content again */
            }
            i++;
            break;
        default: /* R_COMMENT: read to its end, never cut */
            if (c == '>' && s->brackets >= 2) {
                s->state = R_TEXT;
                s->run = 0;
            } else {
                s->brackets = c == '-' ? (s->brackets < 2 ? s->brackets + 1 : 2) : 0;
            }
            i++;
            break;
        }
    }
    if (!o.copying) {
        *result = text;
        return len;
    }
    keep_until(&o, len);
    *result = out->data ? out->data : "";
    return out->len;
}
