/* url.h - resolving relative references (RFC 3986, section 5). */
#ifndef FEEDKEEP_URL_H
#define FEEDKEEP_URL_H

#include <stdbool.h>

/* Resolve ref against base. Returns a new string the caller frees: the
 * resolved URL; a copy of ref when ref is already absolute, when base is NULL
 * or empty, or when base is not absolute. Returns NULL only when ref is NULL.
 * Leading and trailing whitespace of ref is ignored. */
char *fk_url_resolve(const char *base, const char *ref);

/* True when s starts with a URI scheme ("http:", "urn:", "tag:") followed by
 * something. */
bool fk_url_is_absolute(const char *s);

#endif
