/* json.c - JSON string and time literals that are always valid. */
#include "feedkeep/json.h"

#include <inttypes.h>
#include <string.h>

#include "feedkeep/date.h"
#include "feedkeep/utf8.h"

/* The characters JSON escapes with a backslash and one letter; the other
 * control characters become \u00XX. */
static const struct {
    unsigned char c;
    const char *escape;
} short_escapes[] = {
    {'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\t', "\\t"}, {'\r', "\\r"},
};

int fk_json_string_len(struct fk_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    int rc = fk_buf_addc(out, '"');
    size_t i = 0;
    while (i < len && rc == 0) {
        /* Copy the longest run that needs no escaping in one call. */
        size_t start = i;
        while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
            i++;
        if (i > start)
            rc |= fk_buf_add(out, s + start, i - start);
        if (i >= len)
            break;
        unsigned char c = p[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = fk_utf8_decode(s + i, len - i, &cp);
            if (n) {
                rc |= fk_buf_add(out, s + i, n);
                i += n;
            } else {
                rc |= fk_buf_adds(out, "\xEF\xBF\xBD"); /* U+FFFD */
                i++;
            }
            continue;
        }
        i++;
        const char *escape = NULL;
        for (size_t k = 0; k < sizeof short_escapes / sizeof short_escapes[0]; k++)
            if (short_escapes[k].c == c)
                escape = short_escapes[k].escape;
        if (escape) {
            rc |= fk_buf_adds(out, escape);
        } else {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0'};
            rc |= fk_buf_adds(out, esc);
        }
    }
    rc |= fk_buf_addc(out, '"');
    return rc ? -1 : 0;
}

int fk_json_string(struct fk_buf *out, const char *s)
{
    if (!s)
        return fk_buf_adds(out, "null");
    return fk_json_string_len(out, s, strlen(s));
}

int fk_json_time(struct fk_buf *out, int64_t t)
{
    if (t == FK_TIME_NONE)
        return fk_buf_adds(out, "null");
    char date[FK_DATE_BUFSIZE];
    return fk_buf_printf(out, "\"%s\"", fk_date_format(t, date));
}

int fk_json_strings(struct fk_buf *out, const char *const *strings, size_t count)
{
    int rc = fk_buf_addc(out, '[');
    for (size_t i = 0; i < count; i++) {
        if (i)
            rc |= fk_buf_addc(out, ',');
        rc |= fk_json_string(out, strings[i]);
    }
    rc |= fk_buf_addc(out, ']');
    return rc ? -1 : 0;
}

int fk_json_key(struct fk_buf *out, const char *key)
{
    int rc = 0;
    if (out->len && out->data[out->len - 1] != '{')
        rc |= fk_buf_addc(out, ',');
    rc |= fk_json_string(out, key);
    rc |= fk_buf_addc(out, ':');
    return rc ? -1 : 0;
}

int fk_json_member_str(struct fk_buf *out, const char *key, const char *value)
{
    return fk_json_key(out, key) | fk_json_string(out, value);
}

int fk_json_member_int(struct fk_buf *out, const char *key, int64_t value)
{
    return fk_json_key(out, key) | fk_buf_printf(out, "%" PRId64, value);
}

int fk_json_member_time(struct fk_buf *out, const char *key, int64_t t)
{
    return fk_json_key(out, key) | fk_json_time(out, t);
}

int fk_json_member_bool(struct fk_buf *out, const char *key, bool value)
{
    return fk_json_key(out, key) | fk_buf_adds(out, value ? "true" : "false");
}

int fk_json_member_strings(struct fk_buf *out, const char *key, const char *const *strings,
                           size_t count)
{
    return fk_json_key(out, key) | fk_json_strings(out, strings, count);
}

int fk_json_member_count(struct fk_buf *out, const char *key, long n)
{
    if (fk_json_key(out, key) < 0)
        return -1;
    return n < 0 ? fk_buf_adds(out, "null") : fk_buf_printf(out, "%ld", n);
}
