/* harness.h - a very small unit-test harness.
 *
 * A test file defines test functions and a main that calls RUN(fn) for each,
 * then returns DONE(). CHECK(cond) records one check; CHECK_STR compares two
 * strings (NULL allowed) and CHECK_INT two integers, printing both on failure.
 */
#ifndef FEEDKEEP_TEST_HARNESS_H
#define FEEDKEEP_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_checks, harness_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        harness_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            harness_failures++;                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, expected) harness_check_str(__FILE__, __LINE__, #got, (got), (expected))
#define CHECK_INT(got, expected)                                                                   \
    harness_check_int(__FILE__, __LINE__, #got, (int64_t)(got), (int64_t)(expected))

static inline void harness_check_str(const char *file, int line, const char *what, const char *got,
                                     const char *expected)
{
    harness_checks++;
    if (got == expected || (got && expected && strcmp(got, expected) == 0))
        return;
    harness_failures++;
    fprintf(stderr, "%s:%d: %s\n  expected: %s%s%s\n  got:      %s%s%s\n", file, line, what,
            expected ? "\"" : "", expected ? expected : "NULL", expected ? "\"" : "",
            got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
}

static inline void harness_check_int(const char *file, int line, const char *what, int64_t got,
                                     int64_t expected)
{
    harness_checks++;
    if (got == expected)
        return;
    harness_failures++;
    fprintf(stderr, "%s:%d: %s\n  expected: %" PRId64 "\n  got:      %" PRId64 "\n", file, line,
            what, expected, got);
}

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int before_ = harness_failures;                                                            \
        fn();                                                                                      \
        if (harness_failures != before_)                                                           \
            fprintf(stderr, "FAIL %s\n", #fn);                                                     \
    } while (0)

#define DONE()                                                                                     \
    (printf("%d checks, %d failed\n", harness_checks, harness_failures), harness_failures != 0)

#endif
