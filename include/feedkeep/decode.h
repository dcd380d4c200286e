/* decode.h - a feed's bytes, in whatever encoding, to clean UTF-8.
 *
 * The XML parser only ever sees what comes out of here: UTF-8 without
 * invalid sequences and without the characters XML forbids (NUL and the
 * other C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF).
 * libxml2 2.9 stops the whole document at such a byte inside CDATA, or at a
 * conversion error, so one stray Latin-1 byte in the third item would lose
 * every item after it. Here the byte is repaired instead and the first
 * repair is reported, so the parser can mark the feed not well-formed.
 *
 * Repairs: an invalid UTF-8 byte is read as Windows-1252 (what such bytes
 * nearly always are); a sequence invalid in another encoding becomes U+FFFD;
 * forbidden characters are dropped, as libxml2 drops them outside CDATA.
 *
 * The encoding is chosen as XML says: a byte order mark, else the zero bytes
 * of UTF-16 or UTF-32 around "<", else the XML declaration, else UTF-8. A
 * charset given by the caller (an HTTP charset, --charset) beats all of them
 * but a byte order mark, within the family of encodings the first bytes are
 * in: single bytes that read "<" in ASCII, EBCDIC's "<?xm", UTF-16 or UTF-32
 * (the zero bytes). A charset of another family cannot be the document's
 * (a UTF-8 feed served as "utf-16"), and is ignored, as fk_decode_charset_note
 * then says. The conversion is libxml2's (iconv behind it).
 */
#ifndef FEEDKEEP_DECODE_H
#define FEEDKEEP_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "feedkeep/error.h"

struct fk_decoder;

/* A decoder for one document. charset may be NULL (read the document's own
 * declaration). Returns NULL with err filled when charset names no encoding
 * libxml2 knows, unless hint (the name came from the transport, an HTTP
 * Content-Type): then it is ignored. Free with fk_decode_free. */
struct fk_decoder *fk_decode_new(const char *charset, bool hint, struct fk_error *err);
void fk_decode_free(struct fk_decoder *decoder);

/* Decode the next len bytes of the document (final: they are its last;
 * len may be 0). Sets *out to the UTF-8 text that is ready and returns its
 * length, which may be 0 while the decoder still looks for the encoding or
 * holds back a character cut by the chunk's end. *out points into data or
 * into the decoder and stays valid until the next call. Chunks are meant
 * to be what one read() returns: output is at most a few times their size. */
size_t fk_decode_push(struct fk_decoder *decoder, const char *data, size_t len, bool final,
                      const char **out);

/* The encoding being read ("UTF-8", "UTF-16LE", the declared name...), or
 * NULL while it is not known yet and when the XML parser is left to read the
 * bytes as they are (EBCDIC, which only libxml2 itself can sniff). When not
 * NULL, the text from fk_decode_push is UTF-8 whatever the XML declaration
 * says, so the parser must ignore the declared encoding. */
const char *fk_decode_encoding(const struct fk_decoder *decoder);

/* When the caller's charset was ignored because the document's first bytes
 * are of another family of encodings: a message for the user naming the
 * charset and the encoding read instead ("charset 'utf-16' ignored: the
 * document's first bytes are ASCII-compatible; read as UTF-8"); else NULL.
 * Known once fk_decode_push has returned text (or been called with final). */
const char *fk_decode_charset_note(const struct fk_decoder *decoder);

/* The first repair made, as a message for the user ("invalid UTF-8 (byte
 * 0xE9): read as Windows-1252"), and the line of the output it is on (from
 * 1); NULL when the document needed none. */
const char *fk_decode_problem(const struct fk_decoder *decoder, long *line);

/* The Unicode character a Windows-1252 byte stands for (0x80..0xFF), or 0
 * for the five bytes it leaves undefined and for ASCII. */
unsigned fk_decode_cp1252(unsigned char byte);

/* The longest run of text (between two '<') or CDATA section given to the
 * XML parser, in bytes. libxml2 holds a whole run in memory before it
 * reports it, and refuses a CDATA section over 10,000,000 bytes, which
 * ends the document. Past this much, the rest of the run is dropped up to
 * its end, so that the document goes on; this is the longest field a feed
 * item keeps anyway (FK_FEED_FIELD_MAX). */
#define FK_TEXT_RUN_MAX ((size_t)8 << 20)

struct fk_buf;

struct fk_run_scan {
    int state;          /* in text, after '<', in a tag, a CDATA section or a comment */
    char quote;         /* in a tag: of the attribute value being read, or 0 */
    size_t run;         /* bytes of the run being read */
    size_t matched;     /* after '<': bytes of "![CDATA[" or "!--" matched */
    bool in_cdata_open; /* what was matched is the start of "![CDATA[" */
    int brackets;       /* ']' (or '-' in a comment) just read, up to 2 */
    bool dropping;      /* a run was cut: its bytes are dropped to its end */
};

#define FK_RUN_SCAN_INIT                                                                           \
    {                                                                                              \
        0, 0, 0, 0, false, 0, false                                                                \
    }

/* Pass the next len bytes of XML through, less what lies past
 * FK_TEXT_RUN_MAX in a run of text or a CDATA section: such a run is cut
 * before a character (and outside an entity reference) and the rest of it
 * is dropped; a cut CDATA section keeps its "]]>". Sets *result to the
 * bytes to give the parser (text itself when nothing was dropped, else out,
 * which is reset first) and returns their length; *cut is the offset in
 * *result where a run was cut, or SIZE_MAX. A run of text without a
 * blank, '&' or multi-byte character after the limit is cut a few bytes
 * further on, before an ASCII byte. */
size_t fk_run_scan(struct fk_run_scan *scan, const char *text, size_t len, struct fk_buf *out,
                   const char **result, size_t *cut);

#endif
