/* libcurl.h - the libcurl functions fetch.c calls, loaded when first needed.
 *
 * Linking libcurl would load it, and the thirty-odd libraries it depends on
 * (TLS, LDAP, Kerberos, SSH...), into every feedkeep process, and their
 * constructors alone take several milliseconds: more than a `list` or a
 * `search` on a large archive needs for its own work. Only `fetch` talks to
 * the network, so libcurl is opened with dlopen() by the first fetch batch
 * instead. The prototypes still come from <curl/curl.h>, so a call through
 * this table is type-checked as a direct call would be.
 */
#ifndef FEEDKEEP_LIBCURL_H
#define FEEDKEEP_LIBCURL_H

#include <curl/curl.h>

#include "feedkeep/error.h"

/* X(return type, name without the curl_ prefix, parameters) */
#define FK_LIBCURL_FUNCTIONS(X)                                                                    \
    X(CURLcode, global_init, (long flags))                                                         \
    X(void, global_cleanup, (void))                                                                \
    X(CURL *, easy_init, (void))                                                                   \
    X(void, easy_cleanup, (CURL * easy))                                                           \
    X(CURLcode, easy_setopt, (CURL * easy, CURLoption option, ...))                                \
    X(CURLcode, easy_getinfo, (CURL * easy, CURLINFO info, ...))                                   \
    X(const char *, easy_strerror, (CURLcode code))                                                \
    X(const struct curl_easyoption *, easy_option_by_id, (CURLoption id))                          \
    X(CURLM *, multi_init, (void))                                                                 \
    X(CURLMcode, multi_cleanup, (CURLM * multi))                                                   \
    X(CURLMcode, multi_setopt, (CURLM * multi, CURLMoption option, ...))                           \
    X(CURLMcode, multi_add_handle, (CURLM * multi, CURL * easy))                                   \
    X(CURLMcode, multi_remove_handle, (CURLM * multi, CURL * easy))                                \
    X(CURLMcode, multi_perform, (CURLM * multi, int *running))                                     \
    X(CURLMcode, multi_poll,                                                                       \
      (CURLM * multi, struct curl_waitfd * fds, unsigned nfds, int timeout_ms, int *numfds))       \
    X(CURLMsg *, multi_info_read, (CURLM * multi, int *left))                                      \
    X(const char *, multi_strerror, (CURLMcode code))                                              \
    X(struct curl_slist *, slist_append, (struct curl_slist * list, const char *string))           \
    X(void, slist_free_all, (struct curl_slist * list))                                            \
    X(CURLU *, url, (void))                                                                        \
    X(void, url_cleanup, (CURLU * url))                                                            \
    X(CURLUcode, url_set, (CURLU * url, CURLUPart part, const char *content, unsigned flags))      \
    X(CURLUcode, url_get, (CURLU * url, CURLUPart part, char **content, unsigned flags))           \
    X(void, free, (void *p))

#define FK_LIBCURL_MEMBER(type, name, params) type(*name) params;
struct fk_libcurl {
    FK_LIBCURL_FUNCTIONS(FK_LIBCURL_MEMBER)
};
#undef FK_LIBCURL_MEMBER

/* The loaded library, or NULL with err set (FK_ERROR_NETWORK) when it
 * cannot be opened or lacks a function. Loaded once and kept for the life of
 * the process; safe to call again, not from two threads at once. */
const struct fk_libcurl *fk_libcurl_load(struct fk_error *err);

#endif
