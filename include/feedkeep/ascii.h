/* ascii.h - bytes read as ASCII, the same in every locale.
 *
 * <ctype.h> follows the locale and is undefined for negative char values;
 * these never look at the locale, and any byte or char may be passed: a
 * byte of 0x80 or more (or a negative char) is never a space, a letter or a
 * digit.
 *
 * Three sets of white space are in use, each where its format defines it:
 *   fk_is_space       C's isspace in the "C" locale: space, \t, \n, \v, \f, \r
 *   fk_is_html_space  HTML's ASCII white space: space, \t, \n, \f, \r (no \v)
 *   fk_is_xml_space   XML's S and HTTP's white space: space, \t, \r, \n
 */
#ifndef FEEDKEEP_ASCII_H
#define FEEDKEEP_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool fk_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool fk_is_html_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline bool fk_is_xml_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool fk_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool fk_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool fk_is_alnum(int c)
{
    return fk_is_alpha(c) || fk_is_digit(c);
}

static inline bool fk_is_xdigit(int c)
{
    return fk_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* c with A-Z made a-z; every other value as it is. */
static inline char fk_ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when the n bytes at a and b are equal, A-Z and a-z matching. */
static inline bool fk_ascii_equal_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fk_ascii_lower(a[i]) != fk_ascii_lower(b[i]))
            return false;
    return true;
}

#endif
