/* fetch.h - fetching many feeds at once over HTTP(S), and file:// URLs.
 *
 * A batch (struct fk_fetch) holds a queue of requests and runs them with a
 * bounded number in flight overall and per host, calling a completion
 * callback once per request. It sends the validators it is given
 * (If-None-Match, If-Modified-Since), follows redirects, lets the transport
 * decompress the body, caps the decompressed size, applies timeouts and
 * reports every failure as a category and a message worded for a user.
 *
 * The batch runs in the calling thread: fk_fetch_run returns when every
 * request has completed. Nothing here prints, exits or keeps state between
 * batches, and no transport type shows in this header.
 *
 * Thread safety: one batch must be used by one thread at a time. Separate
 * batches in separate threads are safe when the transport library is built
 * thread-safe, which Debian's libcurl (7.84 and later) is.
 */
#ifndef FEEDKEEP_FETCH_H
#define FEEDKEEP_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/error.h"

/* Defaults applied by fk_fetch_options_init. */
#define FK_FETCH_DEFAULT_JOBS               8
#define FK_FETCH_DEFAULT_PER_HOST           2
#define FK_FETCH_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define FK_FETCH_DEFAULT_TIMEOUT_MS         60000L
#define FK_FETCH_DEFAULT_LOW_SPEED_LIMIT    1024L
#define FK_FETCH_DEFAULT_LOW_SPEED_TIME     20L
#define FK_FETCH_DEFAULT_MAX_BODY           ((size_t)32 << 20)
#define FK_FETCH_DEFAULT_MAX_REDIRECTS      5

/* Response header values longer than this are not recorded: an ETag or a
 * Last-Modified is stored and sent back, so it has to stay small. */
#define FK_FETCH_HEADER_MAX 1024

struct fk_fetch_options {
    int jobs;                /* transfers in flight at most; at least 1 */
    int per_host;            /* transfers in flight per host name at most;
                                0 means no limit beyond jobs */
    long connect_timeout_ms; /* name lookup, TCP and TLS handshake; 0: none */
    long timeout_ms;         /* the whole transfer, redirects included; 0: none */
    long low_speed_limit;    /* abort a transfer slower than this many bytes
                                per second ... */
    long low_speed_time;     /* ... for this many seconds; 0 disables it */
    size_t max_body;         /* the most body bytes kept, after decompression;
                                at least 1 */
    int max_redirects;       /* redirects followed at most; 0 follows none */
    const char *user_agent;  /* NULL: "feedkeep/VERSION (+URL)"; copied */
};

/* One URL to fetch. The strings are copied by fk_fetch_add. A validator
 * holding a control character (CR, LF, NUL...) is not sent: it could not
 * have come from a response header and would break the request.
 *
 * public_only is for URLs a feed hands us (its images): the request then
 * fetches only http and https (a file URL given is refused; a redirect to one
 * fails with FK_FETCH_REDIRECT, as for every request) and connects only to
 * public addresses. Every address is checked as the connection is opened,
 * whatever name led to it (the URL's host, a redirect's, a name that resolves
 * differently the second time), and again before a request goes out on a
 * connection kept from an earlier transfer; no byte is sent to an address
 * that is loopback, private, link-local, shared, multicast, broadcast,
 * unspecified, documentation or reserved (netaddr.h; IPv4 inside IPv6 judged
 * by the IPv4 address). The request then fails with FK_FETCH_REFUSED. Through
 * a proxy (the http_proxy, https_proxy or all_proxy environment variables),
 * the address checked is the proxy's, since that is where we connect: a proxy
 * on a private or loopback address refuses every public_only request, and a
 * public proxy is trusted with where it goes. */
struct fk_fetch_request {
    const char *url;            /* absolute http, https or file URL */
    const char *etag;           /* sent as If-None-Match, or NULL */
    const char *last_modified;  /* sent as If-Modified-Since, or NULL */
    void *user;                 /* handed back in the result, never touched */
    bool public_only;           /* see above; false: any address, and file */
    size_t max_body;            /* the most body bytes kept for this request,
                                   after decompression; 0: the batch's */
    const char *const *headers; /* more request headers ("Name: value"),
                                   NULL-terminated, or NULL; a line without
                                   a name or with a control character is
                                   not sent */
    long delay_ms;              /* not started before this many ms after
                                   fk_fetch_add (pacing requests to one
                                   server); 0: as soon as a slot is free */
};

/* Why a request failed. Callers branch on this (backoff, messages); the
 * exact wording is in fk_fetch_result.message. */
enum fk_fetch_error {
    FK_FETCH_OK = 0,
    FK_FETCH_BAD_URL,   /* not an absolute URL, or a protocol we do not fetch */
    FK_FETCH_DNS,       /* the host name could not be resolved */
    FK_FETCH_CONNECT,   /* refused, unreachable, or the connection lost */
    FK_FETCH_TLS,       /* handshake or certificate failure */
    FK_FETCH_TIMEOUT,   /* connect or total timeout, or a stalled transfer */
    FK_FETCH_TOO_LARGE, /* the body passed max_body (after decompression) */
    FK_FETCH_HTTP,      /* the server answered with a status of 300 or more
                           that was not followed; a 304 only when the
                           request sent no validators (a 304 to a
                           conditional request is FK_FETCH_OK) */
    FK_FETCH_REDIRECT,  /* too many redirects, a loop, or a redirect to a
                           protocol we do not follow */
    FK_FETCH_PROTOCOL,  /* malformed, empty or truncated response */
    FK_FETCH_FILE,      /* a file:// URL that cannot be read */
    FK_FETCH_OTHER,
    FK_FETCH_REFUSED, /* a public_only request to a protocol other than
                         http and https, or to an address that is not
                         public: "refused: 127.0.0.1 is a loopback
                         address" */
};

/* What became of one request. Every pointer belongs to the batch and is
 * valid only during the callback: copy what you keep. Strings are NULL when
 * absent. */
struct fk_fetch_result {
    const char *url; /* as requested */
    void *user;      /* as requested */
    int http_status; /* status of the last response received, 0 when none
                        was; a file:// URL read whole reports 200 */
    enum fk_fetch_error error;
    const char *message; /* NULL when error is FK_FETCH_OK, else a
                            lower-case phrase: "HTTP 503", "connection
                            refused", "timed out after 60 s" */
    const char *body;    /* the decompressed body, NUL-terminated (it
                            may contain NULs itself; use body_len); NULL
                            for a 304 and for a failure other than
                            FK_FETCH_HTTP, whose error page it holds */
    size_t body_len;
    const char *etag; /* response validators, as sent (quotes and
                         W/ kept), ready to go in the next request;
                         last_modified is NULL also when it is dated
                         after the response's Date (or, without one,
                         after our clock and a minute): sent back, it
                         would get 304s until that date */
    const char *last_modified;
    const char *content_type; /* media type in lower case, no parameters */
    const char *charset;      /* Content-Type charset parameter, unquoted */
    int64_t retry_after;      /* Retry-After as a UTC time (seconds or HTTP
                                 date), FK_TIME_NONE when absent or invalid */
    const char *final_url;    /* the URL after redirects */
    const char *primary_ip;   /* the address the last response came from
                                 ("127.0.0.1", "2001:db8::1"), NULL when
                                 none (a file:// URL, no connection) */
    const char *moved_to;     /* non-NULL when the request was redirected
                                 permanently (301, 308): the target of the
                                 last permanent redirect reached through
                                 permanent redirects only, i.e. the URL the
                                 subscription should now use */
    int redirects;            /* redirects followed */
    uint64_t bytes_received;  /* body bytes of the final response as they
                                 came over the wire (before decompression) */
    int64_t duration_ms;      /* from start of the transfer (not of the wait
                                 in the queue) to its end, redirects included */
};

/* Called once per request, in completion order, from inside fk_fetch_run.
 * It may call fk_fetch_add (to fetch the next page of a feed, say) but not
 * fk_fetch_run or fk_fetch_free. Other transfers do not progress while it
 * runs, so keep it short (parsing one feed is fine). Return 0 to go on,
 * non-zero to stop the batch: fk_fetch_run then returns -1 without touching
 * err. */
typedef int (*fk_fetch_done_fn)(const struct fk_fetch_result *result, void *ctx);

/* A batch of requests. Opaque. */
struct fk_fetch;

/* Fill opts with the defaults above. */
void fk_fetch_options_init(struct fk_fetch_options *opts);

/* Create an empty batch; opts NULL means the defaults. opts is copied (the
 * user_agent string too). Initialises the transport library on first use.
 * Returns the batch, to be freed with fk_fetch_free, or NULL and fills err
 * (FK_ERROR_USAGE for bad options, FK_ERROR_NETWORK when the transport
 * cannot start). */
struct fk_fetch *fk_fetch_new(const struct fk_fetch_options *opts, struct fk_error *err);

/* Queue a request; req and its strings are copied, req->user is kept as is.
 * A URL that cannot be fetched is not refused here: its callback reports
 * FK_FETCH_BAD_URL, so one bad subscription is handled like any failure.
 * Returns 0, or -1 and fills err (FK_ERROR_USAGE) when req->url is NULL. */
int fk_fetch_add(struct fk_fetch *fetch, const struct fk_fetch_request *req, struct fk_error *err);

/* Run the queued requests, calling on_done(result, ctx) for each, until the
 * queue is empty (requests added from the callback included). Requests start
 * in the order added, except that one whose host already has per_host
 * transfers in flight, or whose delay has not passed, waits while later
 * ones go ahead.
 * Returns 0 when every request completed (whatever its outcome), or -1: the
 * callback asked to stop (err untouched) or the transport failed
 * (FK_ERROR_NETWORK). After -1 the requests not completed yet are dropped
 * without a callback. The batch can be given more requests and run again. */
int fk_fetch_run(struct fk_fetch *fetch, fk_fetch_done_fn on_done, void *ctx, struct fk_error *err);

/* Free the batch and the requests still queued (without callbacks). NULL is
 * allowed. */
void fk_fetch_free(struct fk_fetch *fetch);

/* A per-host limit shared with other processes (the fetchers of one
 * PostgreSQL archive), passed besides the batch's own limits. enter is
 * asked, as a transfer to host is about to start, for one of the host's
 * per_host slots (per_host: the batch's limit, at least 1): it returns the
 * slot's number (>= 0), held until leave is told it when the transfer has
 * ended; FK_FETCH_GATE_WAIT when every slot is in use, and the request is
 * asked again FK_FETCH_GATE_RETRY_MS later while other requests go ahead;
 * or FK_FETCH_GATE_OPEN to start holding nothing. Requests for file URLs
 * do not pass the gate. */
#define FK_FETCH_GATE_WAIT     (-1)
#define FK_FETCH_GATE_OPEN     (-2)
#define FK_FETCH_GATE_RETRY_MS 200
struct fk_fetch_gate {
    int (*enter)(void *ctx, const char *host, int per_host);
    void (*leave)(void *ctx, const char *host, int slot);
    void *ctx;
};

/* Pass the batch's requests through gate (copied) from now on. Only a
 * batch with a per-host limit is gated. */
void fk_fetch_set_gate(struct fk_fetch *fetch, const struct fk_fetch_gate *gate);

/* A stable lower-case name for the error kind ("ok", "dns", "timeout",
 * "too-large", ...), for logs and the fetch table. Static; never NULL. */
const char *fk_fetch_error_name(enum fk_fetch_error error);

#endif
