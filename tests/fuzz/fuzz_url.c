/* fuzz_url.c - libFuzzer harness: RFC 3986 reference resolution.
 *
 * Input: BASE "\n" REF; without a newline, REF alone with no base. Both
 * are C strings (an embedded NUL ends them).
 *
 * Checked (url.h and RFC 3986 section 5.2.2):
 *   - the result is never NULL;
 *   - an absolute reference comes back as it is, trimmed;
 *   - against an absolute base, the result has the base's scheme, and the
 *     base's authority too unless the reference brings its own;
 *   - resolving the result again against the same base gives it back
 *     (trimmed: a base whose path ends in white space gives a result that
 *     ends in it).
 */
#include <stdbool.h>
#include <string.h>

#include "feedkeep/url.h"
#include "fuzz.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A copy of s without the white space at either end. */
static char *trimmed(const char *s)
{
    size_t n = strlen(s);
    while (n && is_space(*s))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    char *copy = malloc(n + 1);
    if (!copy)
        abort();
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* Length of "scheme:" at the start of s (RFC 3986 3.1), or 0. */
static size_t scheme_prefix(const char *s)
{
    if (!is_alpha(s[0]))
        return 0;
    for (size_t i = 1; s[i]; i++) {
        if (s[i] == ':')
            return i + 1;
        if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && !strchr("+-.", s[i]))
            return 0;
    }
    return 0;
}

/* Length of "scheme:" or "scheme://authority" at the start of s, which has
 * a scheme. */
static size_t origin_prefix(const char *s)
{
    size_t n = scheme_prefix(s);
    if (s[n] == '/' && s[n + 1] == '/')
        n += 2 + strcspn(s + n + 2, "/?#");
    return n;
}

static void check(const char *base, const char *ref)
{
    char *result = fk_url_resolve(base, ref);
    FUZZ_CHECK(result != NULL);
    char *ref_trimmed = trimmed(ref);
    char *base_trimmed = base ? trimmed(base) : NULL;

    if (scheme_prefix(ref_trimmed)) {
        FUZZ_CHECK(strcmp(result, ref_trimmed) == 0);
    } else if (base_trimmed && scheme_prefix(base_trimmed)) {
        size_t n = scheme_prefix(base_trimmed);
        FUZZ_CHECK(strncmp(result, base_trimmed, n) == 0);
        if (strncmp(ref_trimmed, "//", 2) != 0) {
            n = origin_prefix(base_trimmed);
            FUZZ_CHECK(strncmp(result, base_trimmed, n) == 0);
        }
        char *again = fk_url_resolve(base, result);
        char *result_trimmed = trimmed(result);
        FUZZ_CHECK(again && strcmp(again, result_trimmed) == 0);
        free(result_trimmed);
        free(again);
    } else {
        FUZZ_CHECK(strcmp(result, ref_trimmed) == 0); /* no usable base */
    }
    fk_url_is_absolute(result);
    fk_url_is_absolute(ref);
    free(base_trimmed);
    free(ref_trimmed);
    free(result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *newline = memchr(data, '\n', size);
    if (!newline) {
        char *ref = fuzz_strndup(data, size);
        check(NULL, ref);
        free(ref);
        return 0;
    }
    size_t base_len = (size_t)(newline - data);
    char *base = fuzz_strndup(data, base_len);
    char *ref = fuzz_strndup(newline + 1, size - base_len - 1);
    check(base, ref);
    free(base);
    free(ref);
    return 0;
}
