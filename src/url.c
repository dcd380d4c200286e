/* url.c - resolving relative references, RFC 3986 section 5.2.
 *
 * A reference is split into its five components as slices of the caller's
 * string (section 3, with the strict scheme syntax of section 3.1), the
 * target is chosen component by component (5.2.2), and the result is
 * written once into a buffer sized from the inputs, which bounds every
 * write: a path only shrinks when its dot segments go (5.2.4).
 */
#include "feedkeep/url.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"

/* A component: defined or not, and possibly empty when defined ("http://a?"
 * has an empty query, which recomposition must keep). */
struct part {
    const char *s;
    size_t len;
    bool defined;
};

struct uri {
    struct part scheme, authority, path, query, fragment;
};

/* Feeds pad their links with the newlines and indentation of the XML
 * around them. */
static void trim(const char *s, const char **start, size_t *len)
{
    size_t n = strlen(s);
    while (n > 0 && fk_is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && fk_is_space(s[n - 1]))
        n--;
    *start = s;
    *len = n;
}

/* Length of the scheme at the start of s, "ALPHA *( ALPHA / DIGIT / "+" /
 * "-" / "." )" followed by ':', or 0 when s does not start with one. A
 * relative path whose first segment has a colon but no valid scheme before
 * it ("1a:b", "/a:b") is a path, not a URI with an odd scheme. */
static size_t scheme_length(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || !fk_is_alpha(s[0]))
        return 0;
    for (i = 1; i < len; i++) {
        char c = s[i];
        if (c == ':')
            return i;
        if (!fk_is_alpha(c) && !fk_is_digit(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/* Length of the leading run of s not holding any of the bytes in stops. */
static size_t span_until(const char *s, size_t len, const char *stops)
{
    size_t i = 0;
    while (i < len && !strchr(stops, s[i]))
        i++;
    return i;
}

static void set_part(struct part *part, const char *s, size_t len)
{
    part->s = s;
    part->len = len;
    part->defined = true;
}

/* Split a reference into its components (RFC 3986 appendix B, with the
 * stricter scheme). */
static void split(const char *s, size_t len, struct uri *u)
{
    size_t n;

    memset(u, 0, sizeof *u);
    n = scheme_length(s, len);
    if (n > 0) {
        set_part(&u->scheme, s, n);
        s += n + 1;
        len -= n + 1;
    }
    if (len >= 2 && s[0] == '/' && s[1] == '/') {
        n = span_until(s + 2, len - 2, "/?#");
        set_part(&u->authority, s + 2, n);
        s += 2 + n;
        len -= 2 + n;
    }
    n = span_until(s, len, "?#");
    set_part(&u->path, s, n);
    s += n;
    len -= n;
    if (len > 0 && s[0] == '?') {
        n = span_until(s + 1, len - 1, "#");
        set_part(&u->query, s + 1, n);
        s += 1 + n;
        len -= 1 + n;
    }
    if (len > 0 && s[0] == '#')
        set_part(&u->fragment, s + 1, len - 1);
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static bool equals(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* Drop the last segment and its "/" from the output (rule C of 5.2.4). */
static void pop_segment(const char *out, size_t *out_len)
{
    while (*out_len > 0 && out[*out_len - 1] != '/')
        (*out_len)--;
    if (*out_len > 0)
        (*out_len)--;
}

/* RFC 3986 5.2.4, step by step with its rule letters. out must hold len
 * bytes: every step moves input to the output or drops it. Returns the
 * length written. */
static size_t remove_dot_segments(const char *in, size_t len, char *out)
{
    size_t out_len = 0;

    while (len > 0) {
        if (has_prefix(in, len, "../")) { /* A */
            in += 3;
            len -= 3;
        } else if (has_prefix(in, len, "./")) { /* A */
            in += 2;
            len -= 2;
        } else if (has_prefix(in, len, "/./")) { /* B */
            in += 2;
            len -= 2;
        } else if (equals(in, len, "/.")) { /* B: "/." becomes "/" */
            in = "/";
            len = 1;
        } else if (has_prefix(in, len, "/../")) { /* C */
            in += 3;
            len -= 3;
            pop_segment(out, &out_len);
        } else if (equals(in, len, "/..")) { /* C */
            in = "/";
            len = 1;
            pop_segment(out, &out_len);
        } else if (equals(in, len, ".") || equals(in, len, "..")) { /* D */
            len = 0;
        } else { /* E: move the first segment, with its leading "/" */
            size_t n = (in[0] == '/') ? 1 : 0;
            n += span_until(in + n, len - n, "/");
            memcpy(out + out_len, in, n);
            out_len += n;
            in += n;
            len -= n;
        }
    }
    return out_len;
}

/* A writer into a buffer whose size was computed beforehand. */
struct out {
    char *data;
    size_t len;
};

static void put(struct out *o, const char *s, size_t len)
{
    memcpy(o->data + o->len, s, len);
    o->len += len;
}

bool fk_url_is_absolute(const char *s)
{
    size_t n;
    if (!s)
        return false;
    n = scheme_length(s, strlen(s));
    return n > 0 && s[n + 1] != '\0';
}

char *fk_url_resolve(const char *base, const char *ref)
{
    const char *ref_s, *base_s;
    size_t ref_len, base_len, size;
    struct uri r, b, t;
    char *merged = NULL, *path = NULL, *result = NULL;
    struct out o;

    if (!ref)
        return NULL;
    trim(ref, &ref_s, &ref_len);
    split(ref_s, ref_len, &r);
    /* An absolute reference is taken as it is, dot segments and all: it is
     * the feed's own spelling of the link, and the contract in url.h. */
    if (r.scheme.defined || !base)
        return fk_xstrndup(ref_s, ref_len);
    trim(base, &base_s, &base_len);
    split(base_s, base_len, &b);
    if (!b.scheme.defined)
        return fk_xstrndup(ref_s, ref_len);

    /* Room for the merged path, and for it without dot segments. */
    size = b.path.len + r.path.len + 2;
    merged = fk_xmalloc(size);
    path = fk_xmalloc(size);

    /* 5.2.2; the branch for a reference with a scheme returned above. */
    memset(&t, 0, sizeof t);
    t.scheme = b.scheme;
    t.fragment = r.fragment;
    if (r.authority.defined) {
        t.authority = r.authority;
        set_part(&t.path, path, remove_dot_segments(r.path.s, r.path.len, path));
        t.query = r.query;
    } else {
        t.authority = b.authority;
        if (r.path.len == 0) {
            t.path = b.path;
            t.query = r.query.defined ? r.query : b.query;
        } else {
            size_t merged_len = 0;
            if (r.path.s[0] == '/') {
                memcpy(merged, r.path.s, r.path.len);
                merged_len = r.path.len;
            } else {
                /* 5.2.3: the base path up to its last "/", or "/" when
                 * the base has an authority and an empty path. */
                if (b.authority.defined && b.path.len == 0) {
                    merged[merged_len++] = '/';
                } else {
                    size_t keep = b.path.len;
                    while (keep > 0 && b.path.s[keep - 1] != '/')
                        keep--;
                    memcpy(merged, b.path.s, keep);
                    merged_len = keep;
                }
                memcpy(merged + merged_len, r.path.s, r.path.len);
                merged_len += r.path.len;
            }
            set_part(&t.path, path, remove_dot_segments(merged, merged_len, path));
            t.query = r.query;
        }
    }

    /* 5.3: recomposition */
    size = t.scheme.len + 1 + 2 + t.authority.len + t.path.len + 1 + t.query.len + 1 +
           t.fragment.len + 1;
    result = fk_xmalloc(size);
    o.data = result;
    o.len = 0;
    put(&o, t.scheme.s, t.scheme.len);
    put(&o, ":", 1);
    if (t.authority.defined) {
        put(&o, "//", 2);
        put(&o, t.authority.s, t.authority.len);
    }
    put(&o, t.path.s, t.path.len);
    if (t.query.defined) {
        put(&o, "?", 1);
        put(&o, t.query.s, t.query.len);
    }
    if (t.fragment.defined) {
        put(&o, "#", 1);
        put(&o, t.fragment.s, t.fragment.len);
    }
    o.data[o.len] = '\0';

    free(merged);
    free(path);
    return result;
}
