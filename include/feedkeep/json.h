/* json.h - writing JSON text into a buffer.
 *
 * Strings from feeds may hold anything: invalid UTF-8 becomes U+FFFD and
 * control characters are escaped, so the output is always valid JSON.
 */
#ifndef FEEDKEEP_JSON_H
#define FEEDKEEP_JSON_H

#include <stdbool.h>
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

/* Append strings[0..count) as a JSON array of string literals. */
int fk_json_strings(struct fk_buf *out, const char *const *strings, size_t count);

/* Members of an object, so that no caller writes keys, colons and commas
 * by hand. fk_json_key appends "key": after a comma, unless out is empty
 * or ends with the object's '{': so the first member follows the '{' in
 * the same buffer (or an emptied one), and a buffer is not flushed
 * between two members. The others append the key and a value: _str as
 * fk_json_string (NULL: null), _int a number, _time as fk_json_time,
 * _bool true or false, _count a count or null, _strings as fk_json_strings. All return 0, or -1
 * when out reached its limit. */
int fk_json_key(struct fk_buf *out, const char *key);
int fk_json_member_str(struct fk_buf *out, const char *key, const char *value);
int fk_json_member_int(struct fk_buf *out, const char *key, int64_t value);
int fk_json_member_time(struct fk_buf *out, const char *key, int64_t t);
int fk_json_member_bool(struct fk_buf *out, const char *key, bool value);
/* A count: the number, or null when it is negative (unknown). */
int fk_json_member_count(struct fk_buf *out, const char *key, long n);
int fk_json_member_strings(struct fk_buf *out, const char *key, const char *const *strings,
                           size_t count);

#endif
