/* test_utf8.c - the UTF-8 decoder and encoder: every code point round
 * trips, and every kind of bad byte is reported, never read past. */
#include <stdint.h>
#include <string.h>

#include "feedkeep/utf8.h"
#include "harness.h"

static const struct {
    const char *bytes;
    size_t len;
    size_t expected_len; /* 0: not a valid start */
    uint32_t expected_cp;
} decode_cases[] = {
    {"a", 1, 1, 'a'},
    {"", 1, 1, 0}, /* NUL is a character */
    {"", 0, 0, 0}, /* nothing to read */
    {"\x7F", 1, 1, 0x7F},
    {"\xC2\x80", 2, 2, 0x80},
    {"\xC3\xA9", 2, 2, 0xE9},
    {"\xDF\xBF", 2, 2, 0x7FF},
    {"\xE0\xA0\x80", 3, 3, 0x800},
    {"\xE2\x80\x94", 3, 3, 0x2014},
    {"\xED\x9F\xBF", 3, 3, 0xD7FF},
    {"\xEE\x80\x80", 3, 3, 0xE000},
    {"\xEF\xBF\xBF", 3, 3, 0xFFFF},
    {"\xF0\x90\x80\x80", 4, 4, 0x10000},
    {"\xF0\x9F\x98\x80", 4, 4, 0x1F600},
    {"\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF},
    {"\xC3\xA9z", 3, 2, 0xE9}, /* only the first character */
    /* bytes that start nothing */
    {"\x80", 1, 0, 0},
    {"\xBF", 1, 0, 0},
    {"\xFE", 1, 0, 0},
    {"\xFF", 1, 0, 0},
    {"\xF5\x80\x80\x80", 4, 0, 0},
    /* overlong forms */
    {"\xC0\x80", 2, 0, 0},
    {"\xC1\xBF", 2, 0, 0},
    {"\xE0\x9F\xBF", 3, 0, 0},
    {"\xF0\x8F\xBF\xBF", 4, 0, 0},
    /* surrogates, and past U+10FFFF */
    {"\xED\xA0\x80", 3, 0, 0},
    {"\xED\xBF\xBF", 3, 0, 0},
    {"\xF4\x90\x80\x80", 4, 0, 0},
    /* cut short, by len or by a byte that does not continue */
    {"\xC3\xA9", 1, 0, 0},
    {"\xE2\x80\x94", 2, 0, 0},
    {"\xF0\x9F\x98\x80", 3, 0, 0},
    {"\xE2\x80", 4, 0, 0}, /* stops at the NUL after it */
    {"\xE2z\x94", 3, 0, 0},
};

static void test_decode(void)
{
    for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
        uint32_t cp = 0xDEAD;
        size_t n = fk_utf8_decode(decode_cases[i].bytes, decode_cases[i].len, &cp);
        CHECK_INT(n, decode_cases[i].expected_len);
        CHECK_INT(cp, n ? decode_cases[i].expected_cp : 0xDEAD); /* untouched when bad */
    }
}

static void test_round_trip(void)
{
    int failures = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char out[FK_UTF8_MAX + 1];
        size_t n = fk_utf8_encode(cp, out);
        size_t expected = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t back = 0;
        failures += n != expected || fk_utf8_decode(out, n, &back) != n || back != cp ||
                    fk_utf8_valid_prefix(out, n) != n;
    }
    CHECK_INT(failures, 0);
}

static void test_valid_prefix(void)
{
    CHECK_INT(fk_utf8_valid_prefix("", 0), 0);
    CHECK_INT(fk_utf8_valid_prefix("caf\xC3\xA9", 5), 5);
    CHECK_INT(fk_utf8_valid_prefix("caf\xC3\xA9", 4), 3);
    CHECK_INT(fk_utf8_valid_prefix("ab\xFF"
                                   "cd",
                                   5),
              2);
    CHECK_INT(fk_utf8_valid_prefix("a\0b", 3), 3);
}

static void test_count_and_boundary(void)
{
    const char *s = "a\xC3\xA9\xE2\x80\x94\xF0\x9F\x98\x80z"; /* a é — 😀 z */
    CHECK_INT(fk_utf8_count(s, strlen(s)), 5);
    CHECK_INT(fk_utf8_count("", 0), 0);
    CHECK_INT(fk_utf8_count("\x80\x80", 2), 0); /* continuation bytes alone */
    CHECK_INT(fk_utf8_boundary(s, 0), 0);
    CHECK_INT(fk_utf8_boundary(s, 1), 1);
    CHECK_INT(fk_utf8_boundary(s, 2), 1);
    CHECK_INT(fk_utf8_boundary(s, 3), 3);
    CHECK_INT(fk_utf8_boundary(s, 5), 3);
    CHECK_INT(fk_utf8_boundary(s, 9), 6);
    CHECK_INT(fk_utf8_boundary(s, 10), 10);
    CHECK_INT(fk_utf8_boundary("\x80\x80", 1), 0);
}

int main(void)
{
    RUN(test_decode);
    RUN(test_round_trip);
    RUN(test_valid_prefix);
    RUN(test_count_and_boundary);
    return DONE();
}
