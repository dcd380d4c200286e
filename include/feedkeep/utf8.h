/* utf8.h - reading and writing UTF-8, strictly (RFC 3629).
 *
 * Valid UTF-8 here has no overlong forms, no surrogates (U+D800..U+DFFF)
 * and nothing past U+10FFFF; NUL is a valid one-byte character. These
 * functions never replace or skip anything themselves: a bad byte is
 * reported (0 from fk_utf8_decode, the end of fk_utf8_valid_prefix) and
 * the caller decides, as browsers do, to write U+FFFD for it and go on one
 * byte further.
 *
 * A sequence is read byte by byte and reading stops at the first byte that
 * does not continue it, so a NUL-terminated string may be given a len of 4
 * (FK_UTF8_MAX) wherever it ends.
 */
#ifndef FEEDKEEP_UTF8_H
#define FEEDKEEP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes in the longest sequence. */
#define FK_UTF8_MAX 4

/* The length (1-4) of the valid sequence s[0..len) starts with, its code
 * point in *cp; 0 when s does not start with one (len 0, a byte that does
 * not start a sequence, a sequence cut short or invalid), *cp then left
 * as it was. */
size_t fk_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Write the UTF-8 of cp (a Unicode scalar value: at most U+10FFFF, not a
 * surrogate) into out, which has room for FK_UTF8_MAX bytes; not
 * NUL-terminated. Returns the length written, 1-4. */
size_t fk_utf8_encode(uint32_t cp, char *out);

/* Length of the longest prefix of s (len bytes) that is valid UTF-8 up to
 * the first invalid sequence. Used by every writer that must not emit broken
 * UTF-8. */
size_t fk_utf8_valid_prefix(const char *s, size_t len);

/* True for a byte that continues a sequence (10xxxxxx): text is never cut
 * just before one. */
static inline bool fk_utf8_is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Where to cut s at or before at so that no character is split: at moved
 * back over continuation bytes (s[at] must be readable; 0 at worst). */
static inline size_t fk_utf8_boundary(const char *s, size_t at)
{
    while (at > 0 && fk_utf8_is_continuation((unsigned char)s[at]))
        at--;
    return at;
}

/* The characters in s[0..len): its bytes that do not continue a sequence
 * (code points, when s is valid). */
size_t fk_utf8_count(const char *s, size_t len);

#endif
