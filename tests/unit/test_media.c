/* test_media.c - media types from bytes, and the SVG safety check with
 * one document per attack. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "feedkeep/media.h"
#include "harness.h"

#define BYTES(s) s, sizeof(s) - 1

static const char *sniff(const char *bytes, size_t len, const char *declared)
{
    return fk_media_sniff(bytes, len, declared);
}

static void test_sniff_images(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *type;
    } cases[] = {
        {BYTES("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png"},
        {BYTES("\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg"},
        {BYTES("GIF87a\1\0\1\0"), "image/gif"},
        {BYTES("GIF89a\1\0\1\0"), "image/gif"},
        {BYTES("RIFF\x24\0\0\0WEBPVP8 "), "image/webp"},
        {BYTES("RIFF\x24\0\0\0WEBPVP8X"), "image/webp"},
        {BYTES("\0\0\0\x1c"
               "ftypavif\0\0\0\0avifmif1miaf"),
         "image/avif"},
        {BYTES("\0\0\0\x18"
               "ftypmif1\0\0\0\0mif1avif"),
         "image/avif"},
        {BYTES("\0\0\0\x18"
               "ftypheic\0\0\0\0mif1heic"),
         "image/heic"},
        {BYTES("\0\0\0\x14"
               "ftypmif1\0\0\0\0mif1"),
         "image/heif"},
        {BYTES("BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0"), "image/bmp"},
        {BYTES("\0\0\1\0\1\0\x10\x10"), "image/x-icon"},
        {BYTES("II*\0\x08\0\0\0"), "image/tiff"},
        {BYTES("MM\0*\0\0\0\x08"), "image/tiff"},
        {BYTES("<svg xmlns='http://www.w3.org/2000/svg'/>"), "image/svg+xml"},
        {BYTES("\xef\xbb\xbf<?xml version='1.0'?>\n<!-- by hand -->\n"
               "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
               "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg>"),
         "image/svg+xml"},
        {BYTES("<?xml version='1.0'?><!DOCTYPE svg [ <!ENTITY a 'b'> ]><svg:svg "
               "xmlns:svg='http://www.w3.org/2000/svg'>"),
         "image/svg+xml"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_STR(sniff(cases[i].bytes, cases[i].len, NULL), cases[i].type);
        /* the declared type never overrides an image's bytes */
        CHECK_STR(sniff(cases[i].bytes, cases[i].len, "text/html"), cases[i].type);
        CHECK_INT(fk_media_class_of(cases[i].type), FK_MEDIA_IMAGE);
    }
}

static void test_sniff_media(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *declared;
        const char *type;
    } cases[] = {
        {BYTES("\0\0\0\x20"
               "ftypisom\0\0\2\0isomiso2avc1mp41"),
         NULL, "video/mp4"},
        {BYTES("\0\0\0\x20"
               "ftypisom\0\0\2\0isomiso2avc1mp41"),
         "audio/mp4", "audio/mp4"},
        {BYTES("\0\0\0\x18"
               "ftypM4A \0\0\0\0M4A mp42"),
         NULL, "audio/mp4"},
        {BYTES("\0\0\0\x14"
               "ftypqt  \0\0\0\0qt  "),
         NULL, "video/quicktime"},
        {BYTES("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), NULL, "video/webm"},
        {BYTES("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), "audio/webm; codecs=opus",
         "audio/webm"},
        {BYTES("\x1a\x45\xdf\xa3\xa3\x42\x82\x88matroska"), NULL, "video/x-matroska"},
        {BYTES("OggS\0\2\0\0\0\0\0\0\0\0"), NULL, "audio/ogg"},
        {BYTES("OggS\0\2\0\0\0\0\0\0\0\0"), "video/ogg", "video/ogg"},
        {BYTES("ID3\4\0\0\0\0\0\0"), NULL, "audio/mpeg"},
        {BYTES("\xff\xfb\x90\x64\0\0"), NULL, "audio/mpeg"},
        {BYTES("\xff\xf1\x50\x80\0\0"), NULL, "audio/aac"},
        {BYTES("RIFF\x24\0\0\0WAVEfmt "), NULL, "audio/wav"},
        {BYTES("fLaC\0\0\0\x22"), NULL, "audio/flac"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(sniff(cases[i].bytes, cases[i].len, cases[i].declared), cases[i].type);
    CHECK_INT(fk_media_class_of("video/webm"), FK_MEDIA_VIDEO);
    CHECK_INT(fk_media_class_of("Audio/MPEG; x=y"), FK_MEDIA_AUDIO);
}

/* What is no image must not pass for one, whatever the server says. */
static void test_sniff_not_images(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *type;
    } cases[] = {
        {BYTES("<!DOCTYPE html><html><body>Not found</body></html>"), "text/html"},
        {BYTES("\n  <HTML lang=en>"), "text/html"},
        {BYTES("<!-- error page --><p>gone"), "text/html"},
        {BYTES("<head><title>x"), "text/html"},
        {BYTES("<?xml version='1.0'?><rss version='2.0'>"), "application/xml"},
        {BYTES("%PDF-1.7\n"), "application/pdf"},
        {BYTES("just some text"), FK_MEDIA_UNKNOWN},
        {BYTES(""), FK_MEDIA_UNKNOWN},
        {BYTES("\x89PNG"), FK_MEDIA_UNKNOWN},              /* truncated signature */
        {BYTES("GIF88a"), FK_MEDIA_UNKNOWN},               /* no such version */
        {BYTES("BMxxxxxxxxxxxxxxxxxx"), FK_MEDIA_UNKNOWN}, /* no DIB header */
        {BYTES("\xff\xff\xff\xff"), FK_MEDIA_UNKNOWN},     /* reserved frame fields */
        {BYTES("\0\0\0\x14"
               "ftypxxxx\0\0\0\0yyyy"),
         FK_MEDIA_UNKNOWN},
        {BYTES("<svgfoo>"), FK_MEDIA_UNKNOWN},
        {BYTES("<!-- unterminated"), "text/html"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *type = sniff(cases[i].bytes, cases[i].len, "image/png");
        CHECK_STR(type, cases[i].type);
        CHECK_INT(fk_media_class_of(type), FK_MEDIA_OTHER);
    }
    CHECK_STR(fk_media_sniff(NULL, 0, NULL), FK_MEDIA_UNKNOWN);
    CHECK_INT(fk_media_class_of(NULL), FK_MEDIA_OTHER);
    CHECK_INT(fk_media_class_of("image/"), FK_MEDIA_OTHER);
}

#define SVG_OPEN                                                                                   \
    "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"

static const char *svg_why(const char *svg)
{
    const char *why = "unset";
    bool safe = fk_media_svg_safe(svg, strlen(svg), &why);
    CHECK(safe == (why == NULL));
    return why;
}

static void test_svg_safe(void)
{
    static const char *const safe[] = {
        SVG_OPEN "<rect width='10' height='10' fill='red'/></svg>",
        "<?xml version='1.0' encoding='UTF-8'?>\n<!-- Generator: hand -->\n"
        "<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' "
        "'http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd'>\n" SVG_OPEN
        "<defs><linearGradient id='g'/></defs><rect fill='url(#g)' style='fill: url( \"#g\" )'/>"
        "<use xlink:href='#g'/><use href=' #g'/></svg>",
        SVG_OPEN "<style>rect { fill: url(#g); stroke: blue }</style>"
                 "<image href='data:image/png;base64,iVBORw0KGgo='/>"
                 "<image xlink:href='data:image/webp,xyz'/></svg>",
        SVG_OPEN "<style><![CDATA[ .a { fill: #fff } ]]></style><a href='#top'><text>hi</text>"
                 "</a><animate attributeName='opacity' to='0'/></svg>",
    };
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        CHECK_STR(svg_why(safe[i]), NULL);
}

static void test_svg_attacks(void)
{
    static const struct {
        const char *svg;
        const char *why;
    } cases[] = {
        {SVG_OPEN "<script>alert(1)</script></svg>", "a script element"},
        {SVG_OPEN "<g><SCRIPT xlink:href='#x'/></g></svg>", "a script element"},
        {SVG_OPEN "<h:script xmlns:h='http://www.w3.org/1999/xhtml'>x</h:script></svg>",
         "a script element"},
        {SVG_OPEN "<rect onload='alert(1)'/></svg>", "an event handler attribute"},
        {SVG_OPEN "<rect OnClick='alert(1)'/></svg>", "an event handler attribute"},
        {"<svg onload='alert(1)'/>", "an event handler attribute"},
        {SVG_OPEN "<foreignObject><div/></foreignObject></svg>",
         "an element that embeds other content"},
        {SVG_OPEN "<iframe src='#x'/></svg>", "an element that embeds other content"},
        {SVG_OPEN "<embed src='#x'/></svg>", "an element that embeds other content"},
        {SVG_OPEN "<object data='x'/></svg>", "an element that embeds other content"},
        {SVG_OPEN "<image href='https://tracker.example/p.gif'/></svg>",
         "a reference to another document"},
        {SVG_OPEN "<image xlink:href='//tracker.example/p.gif'/></svg>",
         "a reference to another document"},
        {SVG_OPEN "<use href='other.svg#a'/></svg>", "a reference to another document"},
        {SVG_OPEN "<a href='javascript:alert(1)'><text>x</text></a></svg>",
         "a reference to another document"},
        {SVG_OPEN "<image href='data:image/svg+xml;base64,PHN2Zz4='/></svg>",
         "a reference to another document"},
        {SVG_OPEN "<image href='file:///etc/passwd'/></svg>", "a reference to another document"},
        {SVG_OPEN "<style>@import 'https://x.example/a.css';</style></svg>", "a CSS @import"},
        {SVG_OPEN "<style>rect { fill: url(https://x.example/a.svg#g) }</style></svg>",
         "a CSS url() to another document"},
        {SVG_OPEN "<style><![CDATA[ rect { background: URL( 'http://x/' ) } ]]></style></svg>",
         "a CSS url() to another document"},
        {SVG_OPEN "<rect style='fill:url(http://x.example/)'/></svg>",
         "a CSS url() to another document"},
        {SVG_OPEN "<rect fill='url(http://x.example/#g)'/></svg>",
         "a CSS url() to another document"},
        {SVG_OPEN "<rect style='fill:u\\72l(http://x.example/)'/></svg>", "a CSS escape"},
        {SVG_OPEN "<style>a { background: image-set('x.png' 1x) }</style></svg>",
         "a CSS reference to another document"},
        {SVG_OPEN "<a><set attributeName='href' to='javascript:alert(1)'/></a></svg>",
         "an animation of a link or handler"},
        {SVG_OPEN "<a><animate attributeName='xlink:href' values='https://x/'/></a></svg>",
         "an animation of a link or handler"},
        {"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'aaaa'>]><svg>&a;</svg>", "an entity"},
        {"<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg>&x;</svg>", "an entity"},
        {"<?xml-stylesheet href='https://x.example/a.css'?>" SVG_OPEN "</svg>",
         "an xml-stylesheet instruction"},
        {"<svg><rect></svg>", "not well-formed XML"},
        {"<html><svg/></html>", "not an SVG document"},
        {"", "not well-formed XML"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(svg_why(cases[i].svg), cases[i].why);
}

static void test_svg_bounds(void)
{
    /* too many elements */
    size_t n = FK_MEDIA_SVG_ELEMENTS_MAX + 1;
    char *svg = malloc(5 + 4 * n + 7);
    char *p = svg;
    memcpy(p, "<svg>", 5), p += 5;
    for (size_t i = 0; i < n; i++)
        memcpy(p, "<g/>", 4), p += 4;
    memcpy(p, "</svg>", 7);
    CHECK_STR(svg_why(svg), "an SVG with too many elements");
    free(svg);

    /* too large */
    size_t len = FK_MEDIA_SVG_MAX + 1;
    char *big = malloc(len);
    memset(big, ' ', len);
    memcpy(big, "<svg>", 5);
    const char *why = NULL;
    CHECK(!fk_media_svg_safe(big, len, &why));
    CHECK_STR(why, "an SVG larger than the limit");
    free(big);

    /* a tag with a thousand attributes */
    char *wide = malloc(16 + 1000 * 12);
    p = wide;
    memcpy(p, "<svg", 4), p += 4;
    for (int i = 0; i < 1000; i++)
        p += sprintf(p, " a%d='1'", i);
    strcpy(p, "/>");
    CHECK_STR(svg_why(wide), "a tag with too many attributes");
    free(wide);

    CHECK(!fk_media_svg_safe(NULL, 0, NULL));
}

/* Nothing reaches stderr, even for bytes libxml2 cannot decode (it
 * reports failed encoding conversions outside XML_PARSE_NOERROR). */
static void test_svg_silent(void)
{
    static const struct {
        const char *bytes;
        size_t len;
    } inputs[] = {
        {BYTES("<\0\0\0\0)\0")},
        {BYTES("\xff\xfe<\0s\0v\0g\0")},
        {BYTES("<?xml version='1.0' encoding='EBCDIC-US'?><svg/>")},
        {BYTES("<svg><g></svg>")},
    };
    fflush(stderr);
    FILE *capture = tmpfile();
    int saved = dup(STDERR_FILENO);
    CHECK(capture != NULL && saved >= 0);
    if (!capture || saved < 0)
        return;
    dup2(fileno(capture), STDERR_FILENO);
    int safe = 0;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        safe += fk_media_svg_safe(inputs[i].bytes, inputs[i].len, NULL);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    CHECK_INT(safe, 0);
    CHECK_INT(ftell(capture), 0);
    fclose(capture);
}

int main(void)
{
    RUN(test_sniff_images);
    RUN(test_sniff_media);
    RUN(test_sniff_not_images);
    RUN(test_svg_safe);
    RUN(test_svg_attacks);
    RUN(test_svg_bounds);
    RUN(test_svg_silent);
    return DONE();
}
