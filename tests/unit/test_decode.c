/* test_decode.c - fk_decode_*: choosing the encoding, converting it, and
 * repairing what libxml2 would stop at; every case also fed a few bytes at
 * a time, so that characters and declarations cut by a chunk's end are
 * covered. */
#include "feedkeep/decode.h"

#include <stdlib.h>
#include <string.h>

#include "feedkeep/buf.h"
#include "harness.h"

/* A byte string with its length: the inputs hold NUL bytes. */
#define BYTES(s) s, sizeof(s) - 1

struct decode_case {
    const char *name;
    const char *input;
    size_t len;
    const char *charset;  /* the caller's, or NULL */
    const char *expected; /* the UTF-8 out */
    const char *encoding; /* fk_decode_encoding at the end */
    const char *problem;  /* the start of the first problem, or NULL */
    long line;            /* its line */
};

static const struct decode_case cases[] = {
    /* UTF-8, as declared, undeclared, or marked */
    {"ascii", BYTES("<rss/>"), NULL, "<rss/>", "UTF-8", NULL, 0},
    {"utf-8 declared", BYTES("<?xml version='1.0' encoding='utf-8'?><a>\xc3\xa9</a>"), NULL,
     "<?xml version='1.0' encoding='utf-8'?><a>\xc3\xa9</a>", "UTF-8", NULL, 0},
    {"utf-8 bom", BYTES("\xef\xbb\xbf<a>\xe2\x82\xac</a>"), NULL, "<a>\xe2\x82\xac</a>", "UTF-8",
     NULL, 0},
    {"four-byte character", BYTES("<a>\xf0\x9f\x98\x80</a>"), NULL, "<a>\xf0\x9f\x98\x80</a>",
     "UTF-8", NULL, 0},
    {"us-ascii is read as utf-8",
     BYTES("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a>\xc3\xa9</a>"), NULL,
     "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a>\xc3\xa9</a>", "UTF-8", NULL, 0},
    /* UTF-16 and UTF-32, with and without a byte order mark */
    {"utf-16le bom", BYTES("\xff\xfe<\0a\0>\0\xe9\0<\0/\0a\0>\0"), NULL, "<a>\xc3\xa9</a>",
     "UTF-16LE", NULL, 0},
    {"utf-16be bom", BYTES("\xfe\xff\0<\0a\0>\x20\xac\0<\0/\0a\0>"), NULL, "<a>\xe2\x82\xac</a>",
     "UTF-16BE", NULL, 0},
    {"utf-16le no bom", BYTES("<\0?\0x\0m\0l\0?\0>\0<\0a\0/\0>\0"), NULL, "<?xml?><a/>", "UTF-16LE",
     NULL, 0},
    {"utf-16be no bom", BYTES("\0<\0a\0/\0>"), NULL, "<a/>", "UTF-16BE", NULL, 0},
    {"utf-16 surrogate pair", BYTES("\xff\xfe<\0a\0>\0\x3d\xd8\x00\xde<\0/\0a\0>\0"), NULL,
     "<a>\xf0\x9f\x98\x80</a>", "UTF-16LE", NULL, 0},
    {"utf-32le bom", BYTES("\xff\xfe\0\0<\0\0\0a\0\0\0/\0\0\0>\0\0\0"), NULL, "<a/>", "UTF-32LE",
     NULL, 0},
    {"utf-32be no bom", BYTES("\0\0\0<\0\0\0a\0\0\0/\0\0\0>"), NULL, "<a/>", "UTF-32BE", NULL, 0},
    /* a UTF-16 declaration readable as ASCII is wrong: the bytes win */
    {"utf-16 declared in ascii", BYTES("<?xml version='1.0' encoding='UTF-16'?><a>\xc3\xa9</a>"),
     NULL, "<?xml version='1.0' encoding='UTF-16'?><a>\xc3\xa9</a>", "UTF-8", NULL, 0},
    /* single- and multi-byte encodings, converted by libxml2 */
    {"iso-8859-1", BYTES("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>"), NULL,
     "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xc3\xa9</a>", "ISO-8859-1", NULL, 0},
    {"windows-1252", BYTES("<?xml version='1.0' encoding='windows-1252'?><a>\x93q\x94 \x80</a>"),
     NULL,
     "<?xml version='1.0' encoding='windows-1252'?><a>\xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac</a>",
     "windows-1252", NULL, 0},
    {"koi8-r", BYTES("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a>\xf0\xd2\xc9\xd7\xc5\xd4</a>"),
     NULL,
     "<?xml version=\"1.0\" "
     "encoding=\"KOI8-R\"?><a>\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"
     "</a>",
     "KOI8-R", NULL, 0},
    {"invalid ascii", BYTES("<?xml version='1.0' encoding='ascii'?><a>\xe9</a>"), NULL,
     "<?xml version='1.0' encoding='ascii'?><a>\xc3\xa9</a>", "UTF-8", "invalid UTF-8", 1},
    {"invalid iso-8859-6", BYTES("<?xml version='1.0' encoding='iso-8859-6'?><a>\xa1x\xff</a>"),
     NULL, "<?xml version='1.0' encoding='iso-8859-6'?><a>\xef\xbf\xbdx\xef\xbf\xbd</a>",
     "iso-8859-6", "invalid iso-8859-6 (byte 0xA1)", 1},
    {"shift_jis", BYTES("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x93\xfa\x96\x7b</a>"),
     NULL, "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\xe6\x97\xa5\xe6\x9c\xac</a>",
     "Shift_JIS", NULL, 0},
    {"declaration after blank lines",
     BYTES("\n\n<?xml version='1.0' encoding='iso-8859-1'?><a>\xe9</a>"), NULL,
     "\n\n<?xml version='1.0' encoding='iso-8859-1'?><a>\xc3\xa9</a>", "iso-8859-1", NULL, 0},
    /* the caller's charset beats the declaration, a byte order mark beats both */
    {"charset beats declaration", BYTES("<?xml version='1.0' encoding='utf-8'?><a>caf\xe9</a>"),
     "iso-8859-1", "<?xml version='1.0' encoding='utf-8'?><a>caf\xc3\xa9</a>", "iso-8859-1", NULL,
     0},
    {"utf-8 charset", BYTES("<?xml version='1.0' encoding='iso-8859-1'?><a>\xc3\xa9</a>"), "utf-8",
     "<?xml version='1.0' encoding='iso-8859-1'?><a>\xc3\xa9</a>", "UTF-8", NULL, 0},
    {"bom beats charset", BYTES("\xef\xbb\xbf<a>\xc3\xa9</a>"), "iso-8859-1", "<a>\xc3\xa9</a>",
     "UTF-8", NULL, 0},
    {"utf-16 charset takes the byte order from the zeros", BYTES("\0<\0a\0/\0>"), "UTF-16", "<a/>",
     "UTF-16BE", NULL, 0},
    /* invalid UTF-8 bytes are read as Windows-1252 */
    {"latin-1 byte in utf-8", BYTES("<a>\n\ncaf\xe9 \x93q\x94</a>"), NULL,
     "<a>\n\ncaf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d</a>", "UTF-8",
     "invalid UTF-8 (byte 0xE9): read as Windows-1252", 3},
    {"undefined windows-1252 byte", BYTES("<a>\x81</a>"), NULL, "<a>\xef\xbf\xbd</a>", "UTF-8",
     "invalid UTF-8 (byte 0x81)", 1},
    {"invalid byte in cdata", BYTES("<a><![CDATA[x\xa9y]]></a>"), NULL,
     "<a><![CDATA[x\xc2\xa9y]]></a>", "UTF-8", "invalid UTF-8 (byte 0xA9)", 1},
    {"overlong", BYTES("<a>\xc0\xaf</a>"), NULL, "<a>\xc3\x80\xc2\xaf</a>", "UTF-8",
     "invalid UTF-8 (byte 0xC0)", 1},
    {"utf-8 surrogate", BYTES("<a>\xed\xa0\x80</a>"), NULL, "<a>\xc3\xad\xc2\xa0\xe2\x82\xac</a>",
     "UTF-8", "invalid UTF-8 (byte 0xED)", 1},
    {"past u+10ffff", BYTES("<a>\xf4\x90\x80\x80</a>"), NULL,
     "<a>\xc3\xb4\xef\xbf\xbd\xe2\x82\xac\xe2\x82\xac</a>", "UTF-8", "invalid UTF-8 (byte 0xF4)",
     1},
    {"truncated at the end", BYTES("<a/>\xe2\x82"), NULL, "<a/>\xc3\xa2\xe2\x80\x9a", "UTF-8",
     "invalid UTF-8 (byte 0xE2)", 1},
    {"lead byte then ascii", BYTES("<a>\xe2x</a>"), NULL, "<a>\xc3\xa2x</a>", "UTF-8",
     "invalid UTF-8 (byte 0xE2)", 1},
    /* characters XML forbids are dropped */
    {"nul bytes", BYTES("<a>x\0y</a>\0\0\0"), NULL, "<a>xy</a>", "UTF-8",
     "control character U+0000 is not allowed in XML: dropped", 1},
    {"controls", BYTES("<a>\tx\x0cy\x1b\r\n</a>"), NULL, "<a>\txy\r\n</a>", "UTF-8",
     "control character U+000C", 1},
    {"u+fffe and u+ffff", BYTES("<a>\xef\xbf\xbex\xef\xbf\xbf</a>"), NULL, "<a>x</a>", "UTF-8",
     "character U+FFFE is not allowed in XML: dropped", 1},
    {"nul in utf-16", BYTES("\xff\xfe<\0a\0>\0\0\0<\0/\0a\0>\0"), NULL, "<a></a>", "UTF-16LE",
     "control character U+0000", 1},
    /* sequences invalid in other encodings become U+FFFD, and reading goes on */
    {"undefined windows-1252 byte declared",
     BYTES("<?xml version='1.0' encoding='windows-1252'?>\n<a>\x81\x8dok\x80</a>"), NULL,
     "<?xml version='1.0' encoding='windows-1252'?>\n<a>\xef\xbf\xbd\xef\xbf\xbdok\xe2\x82\xac</a>",
     "windows-1252", "invalid windows-1252 (byte 0x81): replaced by U+FFFD", 2},
    {"invalid shift_jis",
     BYTES("<?xml version='1.0' encoding='Shift_JIS'?><a>\x93\xfa\xff\x96\x7b</a>"), NULL,
     "<?xml version='1.0' encoding='Shift_JIS'?><a>\xe6\x97\xa5\xef\xbf\xbd\xe6\x9c\xac</a>",
     "Shift_JIS", "invalid Shift_JIS (byte 0xFF)", 1},
    {"lone surrogate in utf-16", BYTES("\xff\xfe<\0a\0>\0\x00\xd8x\0<\0/\0a\0>\0"), NULL,
     "<a>\xef\xbf\xbdx</a>", "UTF-16LE", "invalid UTF-16LE (bytes 0x00 0xD8)", 1},
    {"odd byte at the end of utf-16", BYTES("\xff\xfe<\0a\0/\0>\0x"), NULL, "<a/>\xef\xbf\xbd",
     "UTF-16LE", "invalid UTF-16LE (byte 0x78): replaced by U+FFFD", 1},
    /* an encoding nobody knows: UTF-8 with repairs */
    {"unknown declared encoding", BYTES("<?xml version='1.0' encoding='x-martian'?><a>\xe9</a>"),
     NULL, "<?xml version='1.0' encoding='x-martian'?><a>\xc3\xa9</a>", "UTF-8",
     "unsupported encoding 'x-martian': read as UTF-8", 1},
    /* EBCDIC is left to libxml2 */
    {"ebcdic", BYTES("\x4c\x6f\xa7\x94\x93"), NULL, "\x4c\x6f\xa7\x94\x93", NULL, NULL, 0},
    /* short documents */
    {"empty", BYTES(""), NULL, "", "UTF-8", NULL, 0},
    {"one byte", BYTES("<"), NULL, "<", "UTF-8", NULL, 0},
    {"bom only", BYTES("\xfe\xff"), NULL, "", "UTF-16BE", NULL, 0},
};

/* Feed the case step bytes at a time (0: all at once) and collect the
 * output. */
static void run_case(const struct decode_case *c, size_t step)
{
    struct fk_error err = {0};
    struct fk_decoder *d = fk_decode_new(c->charset, false, &err);
    CHECK(d != NULL);
    if (!d)
        return;
    struct fk_buf got = FK_BUF_INIT;
    size_t off = 0;
    do {
        size_t n = step && c->len - off > step ? step : c->len - off;
        const char *out;
        size_t len = fk_decode_push(d, c->input + off, n, false, &out);
        fk_buf_add(&got, out, len);
        off += n;
    } while (off < c->len);
    const char *out;
    size_t len = fk_decode_push(d, "", 0, true, &out);
    fk_buf_add(&got, out, len);
    char what[128];
    snprintf(what, sizeof what, "%s (step %zu)", c->name, step);
    harness_check_str(__FILE__, __LINE__, what, got.data ? got.data : "", c->expected);
    CHECK_INT(got.len, strlen(c->expected)); /* no NUL byte let through */
    harness_check_str(__FILE__, __LINE__, what, fk_decode_encoding(d), c->encoding);
    long line = 0;
    const char *problem = fk_decode_problem(d, &line);
    if (c->problem) {
        CHECK(problem && strncmp(problem, c->problem, strlen(c->problem)) == 0);
        if (!problem || strncmp(problem, c->problem, strlen(c->problem)) != 0)
            harness_check_str(__FILE__, __LINE__, what, problem, c->problem);
        CHECK_INT(line, c->line);
    } else {
        harness_check_str(__FILE__, __LINE__, what, problem, NULL);
    }
    fk_buf_release(&got);
    fk_decode_free(d);
}

static void test_cases(void)
{
    static const size_t steps[] = {0, 1, 2, 3, 7};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
            run_case(&cases[i], steps[s]);
}

static void test_unknown_charset(void)
{
    struct fk_error err = {0};
    CHECK(fk_decode_new("no-such-charset", false, &err) == NULL);
    CHECK_INT(err.kind, FK_ERROR_INPUT);
    CHECK_STR(err.message, "unknown character set 'no-such-charset'");

    /* from the transport, an unknown name is ignored: the document decides */
    struct fk_error untouched = {0};
    struct fk_decoder *d = fk_decode_new("no-such-charset", true, &untouched);
    CHECK(d != NULL);
    CHECK_INT(untouched.kind, FK_ERROR_NONE);
    if (!d)
        return;
    static const char doc[] = "<?xml version='1.0' encoding='iso-8859-1'?><a>\xe9</a>";
    const char *out;
    size_t len = fk_decode_push(d, doc, sizeof doc - 1, true, &out);
    static const char want[] = "<?xml version='1.0' encoding='iso-8859-1'?><a>\xc3\xa9</a>";
    CHECK(len == sizeof want - 1 && memcmp(out, want, len) == 0);
    CHECK_STR(fk_decode_encoding(d), "iso-8859-1");
    fk_decode_free(d);
}

/* A caller's charset only chooses within the family of encodings the
 * first bytes are in; one of another family is ignored, and said so. */
static void test_charset_families(void)
{
    static const struct {
        const char *input;
        size_t len;
        const char *charset;
        const char *encoding; /* fk_decode_encoding, NULL for EBCDIC */
        const char *note;     /* fk_decode_charset_note */
    } families[] = {
        {BYTES("<?xml version='1.0'?><a>\xc3\xa9</a>"), "utf-16", "UTF-8",
         "charset 'utf-16' ignored: the document's first bytes are ASCII-compatible; read as "
         "UTF-8"},
        {BYTES("\n<a>\xc3\xa9</a>"), "UTF-32", "UTF-8",
         "charset 'UTF-32' ignored: the document's first bytes are ASCII-compatible; read as "
         "UTF-8"},
        {BYTES("<?xml version='1.0' encoding='iso-8859-1'?><a>\xe9</a>"), "ebcdic-cp-us",
         "iso-8859-1",
         "charset 'ebcdic-cp-us' ignored: the document's first bytes are ASCII-compatible; read "
         "as iso-8859-1"},
        {BYTES("<\0a\0/\0>\0"), "iso-8859-1", "UTF-16LE",
         "charset 'iso-8859-1' ignored: the document's first bytes are UTF-16; read as UTF-16LE"},
        {BYTES("\0\0\0<\0\0\0a\0\0\0/\0\0\0>"), "utf-16", "UTF-32BE",
         "charset 'utf-16' ignored: the document's first bytes are UTF-32; read as UTF-32BE"},
        {BYTES("\x4C\x6F\xA7\x94\x93"), "utf-8", NULL,
         "charset 'utf-8' ignored: the document's first bytes are EBCDIC; read as the EBCDIC its "
         "XML declaration names"},
        /* the same family: the charset is used (the byte order from the
         * zeros), and a document that shows no family takes it as it is */
        {BYTES("<a>\xe9</a>"), "windows-1252", "windows-1252", NULL},
        {BYTES("<\0a\0/\0>\0"), "utf-16be", "UTF-16LE", NULL},
        {BYTES("\x4C\x6F\xA7\x94\x93"), "cp037", "cp037", NULL},
        {BYTES("caf\xe9"), "utf-16", "utf-16", NULL},
    };
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        struct fk_decoder *d = fk_decode_new(families[i].charset, false, NULL);
        CHECK(d != NULL);
        if (!d)
            continue;
        const char *out;
        (void)fk_decode_push(d, families[i].input, families[i].len, true, &out);
        CHECK_STR(fk_decode_encoding(d), families[i].encoding);
        CHECK_STR(fk_decode_charset_note(d), families[i].note);
        fk_decode_free(d);
    }
}

/* Runs of text and CDATA sections past FK_TEXT_RUN_MAX are cut before a
 * character, outside entity references, and dropped to their end; what
 * follows is passed on, whatever the chunks. */
static void test_run_scan(void)
{
    struct fk_buf doc = FK_BUF_INIT, got = FK_BUF_INIT, out = FK_BUF_INIT;
    fk_buf_init(&doc, 0);
    fk_buf_adds(&doc, "<a><!-- <![CDATA[ is no section here --><b>");
    size_t text_start = doc.len;
    while (doc.len - text_start < FK_TEXT_RUN_MAX + 1000)
        fk_buf_adds(&doc, "caf\xc3\xa9 &amp;&#233; ");
    fk_buf_adds(&doc, "</b><c><![CDATA[");
    size_t cdata_start = doc.len;
    while (doc.len - cdata_start < FK_TEXT_RUN_MAX + 1000)
        fk_buf_adds(&doc, "<p>\xe2\x82\xac]]]</p>");
    fk_buf_adds(&doc, "]]></c><d>short</d></a>");
    static const size_t steps[] = {65536, 4099, 7};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        struct fk_run_scan scan = FK_RUN_SCAN_INIT;
        fk_buf_reset(&got);
        size_t cuts[2], ncuts = 0;
        for (size_t off = 0; off < doc.len; off += steps[k]) {
            size_t n = doc.len - off < steps[k] ? doc.len - off : steps[k];
            const char *result;
            size_t cut;
            size_t len = fk_run_scan(&scan, doc.data + off, n, &out, &result, &cut);
            if (cut != SIZE_MAX && ncuts < 2)
                cuts[ncuts++] = got.len + cut;
            fk_buf_add(&got, result, len);
        }
        CHECK_INT(ncuts, 2);
        if (ncuts != 2)
            continue;
        /* the text: cut at the limit, before a blank, '&' or character */
        CHECK(memcmp(got.data, doc.data, text_start) == 0);
        size_t text_len = cuts[0] - text_start;
        CHECK(text_len >= FK_TEXT_RUN_MAX && text_len < FK_TEXT_RUN_MAX + 16);
        char next = doc.data[cuts[0]];
        CHECK(next == ' ' || next == '&' || (unsigned char)next == 0xC3);
        CHECK(memcmp(got.data + text_start, doc.data + text_start, text_len) == 0);
        CHECK(strncmp(got.data + cuts[0], "</b><c><![CDATA[", 16) == 0);
        /* the section: cut before a character, its end kept */
        size_t cdata_len = cuts[1] - (cuts[0] + 16);
        CHECK(cdata_len >= FK_TEXT_RUN_MAX && cdata_len < FK_TEXT_RUN_MAX + 4);
        CHECK(((unsigned char)got.data[cuts[1]] & 0xC0) != 0x80);
        CHECK_STR(got.data + cuts[1], "]]></c><d>short</d></a>");
    }

    /* one endless word, with no blank, '&' or multi-byte character: cut
     * all the same, a little past the limit, before an ASCII byte */
    fk_buf_reset(&doc);
    fk_buf_adds(&doc, "<a>");
    while (doc.len < FK_TEXT_RUN_MAX + 1000)
        fk_buf_adds(&doc, "abcdefghij");
    fk_buf_adds(&doc, "</a><b>after</b>");
    {
        struct fk_run_scan scan = FK_RUN_SCAN_INIT;
        const char *result;
        size_t cut;
        size_t len = fk_run_scan(&scan, doc.data, doc.len, &out, &result, &cut);
        CHECK(cut != SIZE_MAX);
        if (cut != SIZE_MAX) {
            CHECK(cut - 3 >= FK_TEXT_RUN_MAX && cut - 3 <= FK_TEXT_RUN_MAX + 64);
            CHECK(len == cut + 16 && memcmp(result + cut, "</a><b>after</b>", 16) == 0);
        }
    }

    /* an attribute value is markup, not a run: never cut */
    fk_buf_reset(&doc);
    fk_buf_adds(&doc, "<a title='x > y");
    while (doc.len < FK_TEXT_RUN_MAX + 1000)
        fk_buf_adds(&doc, " word");
    fk_buf_adds(&doc, "'>text</a>");
    struct fk_run_scan scan = FK_RUN_SCAN_INIT;
    const char *result;
    size_t cut;
    size_t len = fk_run_scan(&scan, doc.data, doc.len, &out, &result, &cut);
    CHECK(cut == SIZE_MAX && result == doc.data && len == doc.len);
    fk_buf_release(&doc);
    fk_buf_release(&got);
    fk_buf_release(&out);
}

/* Clean UTF-8 is handed back in place, not copied. */
static void test_no_copy(void)
{
    struct fk_decoder *d = fk_decode_new(NULL, false, NULL);
    static const char doc[] = "<?xml version='1.0'?>\n<rss><channel><title>caf\xc3\xa9 "
                              "plain ascii text that is long enough</title></channel></rss>";
    const char *out;
    size_t len = fk_decode_push(d, doc, sizeof doc - 1, false, &out);
    CHECK_INT(len, sizeof doc - 1);
    len = fk_decode_push(d, doc, sizeof doc - 1, false, &out);
    CHECK(out == doc);
    CHECK_INT(len, sizeof doc - 1);
    /* a character cut by the end is held back, then completed */
    len = fk_decode_push(d, "ab\xe2\x82", 4, false, &out);
    CHECK_INT(len, 2);
    len = fk_decode_push(d, "\xac!", 2, true, &out);
    CHECK_INT(len, 4);
    CHECK(len == 4 && memcmp(out, "\xe2\x82\xac!", 4) == 0);
    fk_decode_free(d);
}

static void test_cp1252(void)
{
    CHECK_INT(fk_decode_cp1252(0x41), 0);
    CHECK_INT(fk_decode_cp1252(0x80), 0x20AC);
    CHECK_INT(fk_decode_cp1252(0x81), 0);
    CHECK_INT(fk_decode_cp1252(0x92), 0x2019);
    CHECK_INT(fk_decode_cp1252(0x9F), 0x0178);
    CHECK_INT(fk_decode_cp1252(0xA0), 0xA0);
    CHECK_INT(fk_decode_cp1252(0xFF), 0xFF);
}

int main(void)
{
    RUN(test_cases);
    RUN(test_unknown_charset);
    RUN(test_charset_families);
    RUN(test_run_scan);
    RUN(test_no_copy);
    RUN(test_cp1252);
    return DONE();
}
