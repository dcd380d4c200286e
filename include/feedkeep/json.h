/* json.h - writing JSON text into a buffer.
 *
 * Strings from feeds may hold anything: invalid UTF-8 becomes U+FFFD and
 * control characters are escaped, so the output is always valid JSON.
 */
#ifndef FEEDKEEP_JSON_H
#define FEEDKEEP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "feedkeep/buf.h"
#include "feedkeep/utf8.h" /* fk_utf8_valid_prefix, once declared here */

/* Append s as a JSON string literal (with quotes), or null when s is NULL. */
int fk_json_string(struct fk_buf *out, const char *s);
/* The same for len bytes that need not be NUL-terminated. */
int fk_json_string_len(struct fk_buf *out, const char *s, size_t len);
/* Append t as "YYYY-MM-DDTHH:MM:SSZ", or null for FK_TIME_NONE. */
int fk_json_time(struct fk_buf *out, int64_t t);

#endif
