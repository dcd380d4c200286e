/* media.h - what the bytes of a downloaded asset are, and whether an SVG is
 * safe to keep.
 *
 * A server's Content-Type is a claim; the bytes are the fact. Images are
 * kept by what their first bytes say they are, so an HTML error page
 * served as image/png is seen as HTML and refused, and a PNG served as
 * text/plain is still a PNG. An SVG is an XML document that can carry
 * scripts and references to other servers: it is kept only once
 * fk_media_svg_safe has found neither.
 *
 * Nothing here allocates memory that outlives a call, prints, or touches
 * the network.
 */
#ifndef FEEDKEEP_MEDIA_H
#define FEEDKEEP_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

/* The type given to bytes that are none of the kinds known here. */
#define FK_MEDIA_UNKNOWN "application/octet-stream"

/* The most bytes of an SVG fk_media_svg_safe reads, and the most start
 * tags it accepts in one: an SVG icon or chart has some hundreds. */
#define FK_MEDIA_SVG_MAX          ((size_t)4 << 20)
#define FK_MEDIA_SVG_ELEMENTS_MAX 50000

/* What an asset is for. */
enum fk_media_class {
    FK_MEDIA_OTHER = 0, /* not media: HTML, PDF, unknown bytes */
    FK_MEDIA_IMAGE,
    FK_MEDIA_VIDEO,
    FK_MEDIA_AUDIO,
};

/* The media type of len bytes, from their content. Known, by signature:
 * image/png, image/jpeg, image/gif (87a and 89a), image/webp, image/avif,
 * image/heic and image/heif (ISO base media "ftyp" brands), image/bmp,
 * image/x-icon (icons and cursors), image/tiff, image/svg+xml (XML whose
 * root element is svg, after a byte order mark, white space, the XML
 * declaration, comments, processing instructions and a DOCTYPE);
 * video/mp4 and audio/mp4 (ftyp brands), video/quicktime, video/webm and
 * video/x-matroska, audio/ogg and video/ogg, audio/mpeg (an ID3 tag or an
 * MPEG audio frame header), audio/wav, audio/flac; and, so that they can be
 * refused, text/html (what browsers sniff as HTML: a DOCTYPE html or one of
 * their list of opening tags), application/xml (other XML) and
 * application/pdf. Anything else is FK_MEDIA_UNKNOWN.
 *
 * The bytes decide. declared (the Content-Type, parameters allowed; may be
 * NULL) only chooses between the audio and the video form of a container
 * that holds either (WebM, Matroska, Ogg, MP4): a declared "audio/..." makes
 * it the audio type. So a declared image/png with bytes that are no known
 * image gives a type whose class is not FK_MEDIA_IMAGE: "not an image".
 * Only the first few kilobytes are read (64 KiB for XML's prolog).
 * Returns a static string, never NULL. */
const char *fk_media_sniff(const void *bytes, size_t len, const char *declared);

/* The class of a media type ("image/png", parameters allowed, any case):
 * "image/...", "video/...", "audio/..."; anything else, NULL included, is
 * FK_MEDIA_OTHER. */
enum fk_media_class fk_media_class_of(const char *type);

/* Whether len bytes are an SVG document safe to keep and show: parsed by
 * libxml2 without network, DTD loading or entity substitution, and
 * refused for the first of: more than FK_MEDIA_SVG_MAX bytes or
 * FK_MEDIA_SVG_ELEMENTS_MAX start tags, a start tag of more than
 * FK_TAG_ATTRS_MAX attributes, an entity declaration or reference, XML that
 * is not well-formed, a root element that is not svg, a <script>,
 * <foreignObject>, <iframe>, <embed>, <object> or <handler> element, an
 * xml-stylesheet instruction, an event handler attribute (on...), an
 * animation of a link or handler (attributeName="href"), a link (href,
 * xlink:href, src in any namespace) that is neither a same-document
 * "#fragment" nor a data:image/png, jpeg, gif or webp URI, and in style
 * elements and any attribute value a url() to anything but "#fragment", an
 * @import, or a CSS escape (a backslash, which could spell either).
 * Element and attribute names are compared ignoring case and namespace.
 * Returns true, or false with *why (when why is not NULL) set to a static
 * lower-case phrase naming the first reason ("a script element"). */
bool fk_media_svg_safe(const void *bytes, size_t len, const char **why);

#endif
