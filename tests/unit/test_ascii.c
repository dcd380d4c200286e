/* test_ascii.c - the byte classes of ascii.h are the C locale's, for every
 * byte and every char, and the 64-bit hash keeps its values. */
#include <ctype.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/hash.h"
#include "harness.h"

/* In the "C" locale (never changed here), <ctype.h> is the reference. */
static void test_classes(void)
{
    int failures = 0;
    for (int c = 0; c < 256; c++) {
        failures += fk_is_space(c) != (isspace(c) != 0);
        failures += fk_is_digit(c) != (isdigit(c) != 0);
        failures += fk_is_alpha(c) != (isalpha(c) != 0);
        failures += fk_is_alnum(c) != (isalnum(c) != 0);
        failures += fk_is_xdigit(c) != (isxdigit(c) != 0);
        failures += fk_ascii_lower((char)c) != (char)tolower(c);
        /* the two narrower white spaces */
        failures += fk_is_html_space(c) != (isspace(c) && c != '\v');
        failures += fk_is_xml_space(c) != (isspace(c) && c != '\v' && c != '\f');
    }
    CHECK_INT(failures, 0);
    /* a negative char is no letter, digit or space */
    for (int c = -128; c < 0; c++) {
        failures += fk_is_space(c) || fk_is_html_space(c) || fk_is_xml_space(c);
        failures += fk_is_alnum(c) || fk_is_xdigit(c);
        failures += fk_ascii_lower((char)c) != (char)c;
    }
    CHECK_INT(failures, 0);
}

static void test_equal_n(void)
{
    CHECK(fk_ascii_equal_n("Content-Type", "content-type", 12));
    CHECK(fk_ascii_equal_n("abc", "ABD", 2));
    CHECK(!fk_ascii_equal_n("abc", "ABD", 3));
    CHECK(fk_ascii_equal_n("x", "y", 0));
    CHECK(!fk_ascii_equal_n("\xC3\xA9", "\xC3\x89", 2)); /* ASCII only */
}

/* Published FNV-1a 64 values; the archive stores these hashes. */
static void test_fnv1a64(void)
{
    CHECK(fk_fnv1a64("", 0) == UINT64_C(0xcbf29ce484222325));
    CHECK(fk_fnv1a64("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    CHECK(fk_fnv1a64("foobar", 6) == UINT64_C(0x85944171f73967e8));
    uint64_t h = fk_fnv1a64_add(FK_FNV1A64_BASIS, "foo", 3);
    CHECK(fk_fnv1a64_add(h, "bar", 3) == fk_fnv1a64("foobar", 6));
}

int main(void)
{
    RUN(test_classes);
    RUN(test_equal_n);
    RUN(test_fnv1a64);
    return DONE();
}
