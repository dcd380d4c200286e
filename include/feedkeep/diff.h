/* diff.h - line-based differences between two texts, as unified diffs.
 *
 * Used to show how an archived article changed between two versions. The
 * output has the form of `diff -u`, so it reads like any patch and tools
 * that colour or apply patches take it as it is.
 */
#ifndef FEEDKEEP_DIFF_H
#define FEEDKEEP_DIFF_H

#include <stddef.h>

#include "feedkeep/buf.h"

/* Lines of unchanged text shown around each change by default, as diff -u. */
#define FK_DIFF_CONTEXT 3

/* Append to out a unified diff that turns old_text into new_text (either
 * may be NULL, read as ""), line by line: a "--- old_label" and a
 * "+++ new_label" line, then hunks with context lines of unchanged text
 * around each change (negative is read as 0). A last line without a
 * newline is marked "\ No newline at end of file", as diff does. The edit
 * is a shortest one (Myers' algorithm) unless the texts are very large and
 * very different, when a longer but still correct one may be chosen to
 * bound the time. Returns the number of hunks (0 when the texts are equal:
 * nothing is appended), or -1 when out's size limit was reached (out then
 * holds part of the diff). */
int fk_diff_unified(const char *old_text, const char *new_text, const char *old_label,
                    const char *new_label, int context, struct fk_buf *out);

#endif
