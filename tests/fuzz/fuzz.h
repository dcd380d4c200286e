/* fuzz.h - what the libFuzzer harnesses share.
 *
 * Each harness defines LLVMFuzzerTestOneInput. Built with FEEDKEEP_FUZZ it
 * is linked with libFuzzer's main; in a normal build with driver.c, which
 * runs it once on each file named on the command line (the regression
 * inputs in tests/data/fuzz-regressions/), so the normal suite replays every
 * finding through the same code.
 *
 * FUZZ_CHECK stops the process on a broken invariant, so that libFuzzer
 * reports it as a crash and keeps the input.
 */
#ifndef FEEDKEEP_FUZZ_H
#define FEEDKEEP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of size bytes of data (embedded NULs end the
 * string early, as they would for any C caller). Free with free(). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif
