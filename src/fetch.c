/* fetch.c - many transfers at once through libcurl's multi interface.
 *
 * This and libcurl.c, which loads libcurl when the first batch is made, are
 * the only files in feedkeep that include curl.
 *
 * Scheduling. Requests wait in a FIFO queue in this module and are handed to
 * curl only when a slot is free: fewer than jobs transfers in flight and
 * fewer than per_host for the request's host name. Curl could queue
 * transfers itself (CURLMOPT_MAX_HOST_CONNECTIONS), but a transfer it holds
 * back still occupies one of our jobs slots, so eight feeds from one host
 * would block feeds from every other host, and its timeout clock would run
 * while it waits. Our own accounting keeps the slots busy and starts the
 * clocks when the transfer really starts. The host is the one in the
 * requested URL; a redirect to another host is still counted against the
 * first, so CURLMOPT_MAX_HOST_CONNECTIONS is set to per_host as well, as a
 * backstop that holds for the hosts redirects lead to (many feeds
 * redirecting to one feed service stay polite).
 *
 * Redirects are followed by curl. The header callback sees the status line
 * of every response in the chain; when a response follows a 3xx, curl has
 * followed it and the effective URL is the redirect target, which is how
 * permanent moves and loops are detected without following by hand.
 */
#include "feedkeep/fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/netaddr.h"
#include "feedkeep/version.h"
#include "libcurl.h"

/* libcurl's functions, set by the first fk_fetch_new(); nothing here runs
 * before that. */
static const struct fk_libcurl *curl;

#define DEFAULT_USER_AGENT "feedkeep/" FEEDKEEP_VERSION " (+" FEEDKEEP_URL ")"

/* file:// is allowed for the URL given, never as a redirect target: a
 * server must not be able to make us read local files. A public_only
 * request allows only REDIR_PROTOCOLS. */
#define PROTOCOLS       "http,https,file"
#define REDIR_PROTOCOLS "http,https"

static const char *const allowed_schemes[] = {"http", "https", "file"};

/* The response headers we record, by index into transfer.values. */
enum response_header {
    HEADER_ETAG,
    HEADER_LAST_MODIFIED,
    HEADER_CONTENT_TYPE,
    HEADER_RETRY_AFTER,
    HEADER_DATE,
    HEADER_COUNT
};

static const char *const header_names[HEADER_COUNT] = {
    [HEADER_ETAG] = "etag",
    [HEADER_LAST_MODIFIED] = "last-modified",
    [HEADER_CONTENT_TYPE] = "content-type",
    [HEADER_RETRY_AFTER] = "retry-after",
    [HEADER_DATE] = "date",
};

static const char *const error_names[] = {
    [FK_FETCH_OK] = "ok",
    [FK_FETCH_BAD_URL] = "bad-url",
    [FK_FETCH_DNS] = "dns",
    [FK_FETCH_CONNECT] = "connect",
    [FK_FETCH_TLS] = "tls",
    [FK_FETCH_TIMEOUT] = "timeout",
    [FK_FETCH_TOO_LARGE] = "too-large",
    [FK_FETCH_HTTP] = "http",
    [FK_FETCH_REDIRECT] = "redirect",
    [FK_FETCH_PROTOCOL] = "protocol",
    [FK_FETCH_FILE] = "file",
    [FK_FETCH_OTHER] = "other",
    [FK_FETCH_REFUSED] = "refused",
};

/* How curl's failures read to a user. Codes that need more context
 * (timeouts, write errors, redirects) are worded in describe_failure. */
static const struct curl_failure {
    CURLcode code;
    enum fk_fetch_error error;
    const char *message;
} curl_failures[] = {
    {CURLE_UNSUPPORTED_PROTOCOL, FK_FETCH_REDIRECT, "redirect to a protocol not followed"},
    {CURLE_URL_MALFORMAT, FK_FETCH_BAD_URL, "invalid URL"},
    {CURLE_COULDNT_RESOLVE_PROXY, FK_FETCH_DNS, "cannot resolve proxy name"},
    {CURLE_COULDNT_RESOLVE_HOST, FK_FETCH_DNS, "cannot resolve host name"},
    {CURLE_COULDNT_CONNECT, FK_FETCH_CONNECT, "cannot connect"},
    {CURLE_SEND_ERROR, FK_FETCH_CONNECT, "connection lost while sending"},
    {CURLE_RECV_ERROR, FK_FETCH_CONNECT, "connection lost while receiving"},
    {CURLE_WEIRD_SERVER_REPLY, FK_FETCH_PROTOCOL, "malformed response"},
    {CURLE_HTTP2, FK_FETCH_PROTOCOL, "HTTP/2 error"},
    {CURLE_HTTP2_STREAM, FK_FETCH_PROTOCOL, "HTTP/2 stream error"},
    {CURLE_PARTIAL_FILE, FK_FETCH_PROTOCOL, "response truncated"},
    {CURLE_GOT_NOTHING, FK_FETCH_PROTOCOL, "empty reply from server"},
    {CURLE_BAD_CONTENT_ENCODING, FK_FETCH_PROTOCOL, "cannot decompress the body"},
    {CURLE_FILE_COULDNT_READ_FILE, FK_FETCH_FILE, "cannot read file"},
    {CURLE_READ_ERROR, FK_FETCH_FILE, "cannot read file"},
    {CURLE_SSL_CONNECT_ERROR, FK_FETCH_TLS, "TLS handshake failed"},
    {CURLE_PEER_FAILED_VERIFICATION, FK_FETCH_TLS, "TLS certificate not trusted"},
    {CURLE_SSL_CERTPROBLEM, FK_FETCH_TLS, "TLS client certificate problem"},
    {CURLE_SSL_CIPHER, FK_FETCH_TLS, "no common TLS cipher"},
    {CURLE_SSL_CACERT_BADFILE, FK_FETCH_TLS, "cannot read the CA certificates"},
    {CURLE_SSL_CRL_BADFILE, FK_FETCH_TLS, "cannot read the certificate revocation list"},
    {CURLE_SSL_ISSUER_ERROR, FK_FETCH_TLS, "TLS certificate issuer check failed"},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, FK_FETCH_TLS, "TLS public key does not match the pin"},
    {CURLE_SSL_INVALIDCERTSTATUS, FK_FETCH_TLS, "TLS certificate status invalid"},
    {CURLE_SSL_SHUTDOWN_FAILED, FK_FETCH_TLS, "TLS shutdown failed"},
    {CURLE_OUT_OF_MEMORY, FK_FETCH_OTHER, "out of memory"},
};

/* Socket errors behind CURLE_COULDNT_CONNECT and friends, which curl
 * reports with one code. */
static const struct {
    int errnum;
    const char *message;
} socket_errors[] = {
    {ECONNREFUSED, "connection refused"},     {ECONNRESET, "connection reset"},
    {ENETUNREACH, "network unreachable"},     {EHOSTUNREACH, "host unreachable"},
    {ETIMEDOUT, "connection timed out"},      {ECONNABORTED, "connection aborted"},
    {EADDRNOTAVAIL, "address not available"},
};

/* One request, from fk_fetch_add until its callback has returned. */
struct transfer {
    struct transfer *next; /* in the queue, or in the active list */
    char *url;
    char *etag;
    char *last_modified;
    void *user;
    char *host;       /* lower-case host name ("" for file://): the per-host key */
    bool public_only; /* as requested */
    size_t max_body;  /* the request's, else the batch's */
    char **extra;     /* the request's own header lines */
    size_t nextra;
    int64_t start_at; /* not started before this (monotonic ms) */
    int slot;         /* the gate's slot held while in flight, or < 0 */

    /* A request that fails before reaching curl (bad URL, setup failure)
     * carries its error from here to its callback. */
    enum fk_fetch_error error;
    char message[256];

    CURL *easy; /* NULL while queued */
    struct curl_slist *headers;
    bool conditional; /* the request carries If-None-Match or If-Modified-Since */
    struct fk_buf body;
    bool too_large;    /* the write callback refused a chunk */
    bool connected;    /* a connection was set up (curl's prereq callback) */
    char refused[128]; /* why a public_only transfer refused an address */
    char *values[HEADER_COUNT];
    int last_status;     /* status of the latest non-1xx response */
    bool permanent_only; /* every redirect so far was 301 or 308 */
    char *moved_to;
    bool loop;      /* a redirect led to a URL seen before */
    char **visited; /* redirect targets so far */
    size_t nvisited;
    char errbuf[CURL_ERROR_SIZE];
};

struct fk_fetch {
    struct fk_fetch_options opts; /* opts.user_agent points to user_agent */
    char *user_agent;
    CURLM *multi;
    struct transfer *queue;
    struct transfer **queue_tail;
    struct transfer *active;
    int nactive;
    struct fk_fetch_gate gate; /* enter NULL: none */
};

/* ---- small helpers ------------------------------------------------------ */

/* Now on a clock that only goes forward, in milliseconds. */
static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when the len bytes at s equal the lower-case name, ignoring case. */
static bool name_is(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && fk_ascii_equal_n(s, name, len);
}

/* True when s[0..len) holds a control character other than tab: such a
 * value cannot be sent back in a header. */
static bool has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return true;
    }
    return false;
}

/* "60 s", "1.5 s": timeouts as the user configured them. */
static void format_seconds(long ms, char *out, size_t size)
{
    if (ms % 1000 == 0)
        snprintf(out, size, "%ld s", ms / 1000);
    else
        snprintf(out, size, "%.1f s", (double)ms / 1000.0);
}

/* "32 MiB", "512 KiB", "1000 bytes". */
static void format_size(size_t bytes, char *out, size_t size)
{
    static const struct {
        size_t unit;
        const char *name;
    } units[] = {{(size_t)1 << 30, "GiB"}, {(size_t)1 << 20, "MiB"}, {(size_t)1 << 10, "KiB"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (bytes >= units[i].unit && bytes % units[i].unit == 0) {
            snprintf(out, size, "%zu %s", bytes / units[i].unit, units[i].name);
            return;
        }
    }
    snprintf(out, size, "%zu bytes", bytes);
}

static void transfer_fail(struct transfer *t, enum fk_fetch_error error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void transfer_fail(struct transfer *t, enum fk_fetch_error error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t->error = error;
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
}

/* curl_easy_getinfo with a default for the (unexpected) failure. */
static long info_long(CURL *easy, CURLINFO info)
{
    long value = 0;
    if (curl->easy_getinfo(easy, info, &value) != CURLE_OK)
        return 0;
    return value;
}

static curl_off_t info_off(CURL *easy, CURLINFO info)
{
    curl_off_t value = 0;
    if (curl->easy_getinfo(easy, info, &value) != CURLE_OK)
        return 0;
    return value;
}

static const char *info_string(CURL *easy, CURLINFO info)
{
    char *value = NULL;
    if (curl->easy_getinfo(easy, info, &value) != CURLE_OK)
        return NULL;
    return value;
}

/* ---- transfers ---------------------------------------------------------- */

static void transfer_free(struct transfer *t)
{
    if (!t)
        return;
    free(t->url);
    free(t->etag);
    free(t->last_modified);
    free(t->host);
    for (size_t i = 0; i < t->nextra; i++)
        free(t->extra[i]);
    free(t->extra);
    if (t->easy)
        curl->easy_cleanup(t->easy);
    curl->slist_free_all(t->headers);
    fk_buf_release(&t->body);
    for (int i = 0; i < HEADER_COUNT; i++)
        free(t->values[i]);
    free(t->moved_to);
    for (size_t i = 0; i < t->nvisited; i++)
        free(t->visited[i]);
    free(t->visited);
    free(t);
}

/* Check the URL once, when it is queued: the scheme must be one we fetch,
 * and the host is the per-host key. */
static void parse_target(struct transfer *t)
{
    char *scheme = NULL;
    char *host = NULL;
    CURLU *u = curl->url();
    if (!u) {
        transfer_fail(t, FK_FETCH_OTHER, "out of memory");
        goto out;
    }
    if (curl->url_set(u, CURLUPART_URL, t->url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        transfer_fail(t, FK_FETCH_BAD_URL, "invalid URL");
        goto out;
    }
    bool allowed = false;
    for (size_t i = 0; i < sizeof allowed_schemes / sizeof allowed_schemes[0]; i++)
        if (name_is(scheme, strlen(scheme), allowed_schemes[i]))
            allowed = true;
    if (!allowed) {
        transfer_fail(t, FK_FETCH_BAD_URL, "unsupported protocol '%s'", scheme);
        goto out;
    }
    if (t->public_only && !name_is(scheme, strlen(scheme), "http") &&
        !name_is(scheme, strlen(scheme), "https")) {
        transfer_fail(t, FK_FETCH_REFUSED, "refused: protocol '%s' is not http or https", scheme);
        goto out;
    }
    /* file:// URLs have no host (CURLUE_NO_HOST): they share the key "". */
    if (curl->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        t->host = fk_xstrdup(host);
        for (char *p = t->host; *p; p++)
            *p = fk_ascii_lower(*p);
    }
out:
    if (!t->host)
        t->host = fk_xstrdup("");
    curl->free(scheme);
    curl->free(host);
    curl->url_cleanup(u);
}

/* A redirect was followed: curl's effective URL is now its target. */
static void record_redirect(struct transfer *t, int status)
{
    const char *target = info_string(t->easy, CURLINFO_EFFECTIVE_URL);
    if (!target) {
        t->permanent_only = false;
        return;
    }
    if (strcmp(target, t->url) == 0)
        t->loop = true;
    for (size_t i = 0; i < t->nvisited; i++)
        if (strcmp(target, t->visited[i]) == 0)
            t->loop = true;
    /* curl stops after max_redirects hops, but a bound here does not depend
     * on it. */
    if (t->nvisited < 64) {
        t->visited = fk_xrealloc(t->visited, (t->nvisited + 1) * sizeof *t->visited);
        t->visited[t->nvisited++] = fk_xstrdup(target);
    }
    if (t->permanent_only && (status == 301 || status == 308)) {
        free(t->moved_to);
        t->moved_to = fk_xstrdup(target);
    } else {
        t->permanent_only = false;
    }
}

/* "HTTP/1.1 301 Moved Permanently", "HTTP/2 200": a new response begins. */
static void on_status_line(struct transfer *t, const char *line, size_t len)
{
    const char *space = memchr(line, ' ', len);
    if (!space)
        return;
    size_t rest = len - (size_t)(space + 1 - line);
    const char *digits = space + 1;
    if (rest < 3)
        return;
    int status = 0;
    for (int i = 0; i < 3; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return;
        status = status * 10 + (digits[i] - '0');
    }
    /* Headers and body belong to the last response only. */
    for (int i = 0; i < HEADER_COUNT; i++) {
        free(t->values[i]);
        t->values[i] = NULL;
    }
    fk_buf_reset(&t->body);
    if (status < 200)
        return;
    if (t->last_status >= 300 && t->last_status < 400)
        record_redirect(t, t->last_status);
    t->last_status = status;
}

static size_t on_header(char *data, size_t size, size_t count, void *userp)
{
    struct transfer *t = userp;
    size_t total = size * count;
    size_t len = total;
    while (len && fk_is_xml_space(data[len - 1]))
        len--;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        on_status_line(t, data, len);
        return total;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return total;
    size_t name_len = (size_t)(colon - data);
    const char *value = colon + 1;
    size_t value_len = len - name_len - 1;
    while (value_len && fk_is_xml_space(*value)) {
        value++;
        value_len--;
    }
    for (int i = 0; i < HEADER_COUNT; i++) {
        if (!name_is(data, name_len, header_names[i]))
            continue;
        if (value_len == 0 || value_len > FK_FETCH_HEADER_MAX || has_control(value, value_len))
            break;
        free(t->values[i]);
        t->values[i] = fk_xstrndup(value, value_len);
        break;
    }
    return total;
}

/* The cap is enforced here, on decompressed bytes: returning less than was
 * given makes curl stop with CURLE_WRITE_ERROR, which also stops a
 * decompression bomb after at most max_body bytes of output. */
static size_t on_body(char *data, size_t size, size_t count, void *userp)
{
    struct transfer *t = userp;
    size_t len = size * count;
    if (fk_buf_add(&t->body, data, len) < 0) {
        t->too_large = true;
        return 0;
    }
    return len;
}

/* A public_only transfer may use address (text, as curl or inet_ntop
 * writes it) when it is public; otherwise the reason goes in t->refused. */
static bool address_allowed(struct transfer *t, const char *address)
{
    enum fk_netaddr_class class;
    if (!fk_netaddr_class_of_text(address, &class)) {
        snprintf(t->refused, sizeof t->refused, "refused: '%s' is not an internet address",
                 address);
        return false;
    }
    if (class == FK_NETADDR_PUBLIC)
        return true;
    snprintf(t->refused, sizeof t->refused, "refused: %s is %s", address,
             fk_netaddr_class_phrase(class));
    return false;
}

/* Curl opens every socket of a public_only transfer here, with the address
 * it is about to connect to: one that is not public gets no socket, so not
 * even a connection attempt reaches it. Curl then tries its other
 * addresses, if any. */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
                                    struct curl_sockaddr *address)
{
    struct transfer *t = clientp;
    char text[INET6_ADDRSTRLEN] = "";
    struct sockaddr_storage peer;
    (void)purpose;
    memset(&peer, 0, sizeof peer);
    memcpy(&peer, &address->addr, address->addrlen < sizeof peer ? address->addrlen : sizeof peer);
    if (address->family == AF_INET && address->addrlen >= sizeof(struct sockaddr_in))
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&peer)->sin_addr, text, sizeof text);
    else if (address->family == AF_INET6 && address->addrlen >= sizeof(struct sockaddr_in6))
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&peer)->sin6_addr, text, sizeof text);
    if (!address_allowed(t, text[0] ? text : "?"))
        return CURL_SOCKET_BAD;
    int type = address->socktype;
#ifdef SOCK_CLOEXEC
    type |= SOCK_CLOEXEC;
#endif
    return socket(address->family, type, address->protocol);
}

/* Called once a connection is ready (TCP and TLS done, or reused): from then
 * on a timeout is a slow server, not an unreachable one. A public_only
 * transfer checks the address again here, before its request is sent: a
 * connection kept from an earlier transfer of the batch was not opened
 * through on_open_socket for it. */
static int on_connected(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                        int local_port)
{
    struct transfer *t = clientp;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    t->connected = true;
    if (t->public_only && !address_allowed(t, primary_ip ? primary_ip : "?"))
        return CURL_PREREQFUNC_ABORT;
    return CURL_PREREQFUNC_OK;
}

/* Add "Name: value" to the request headers; values that could break the
 * header (control characters) are not sent. Returns 1 when the header was
 * added, 0 when it was not, -1 when out of memory. */
static int add_header(struct transfer *t, const char *name, const char *value)
{
    if (!value || !*value || has_control(value, strlen(value)))
        return 0;
    struct fk_buf line = FK_BUF_INIT;
    int rc = -1;
    if (fk_buf_printf(&line, "%s: %s", name, value) < 0)
        goto out;
    struct curl_slist *list = curl->slist_append(t->headers, line.data);
    if (!list)
        goto out;
    t->headers = list;
    rc = 1;
out:
    fk_buf_release(&line);
    return rc;
}

enum option_type {
    OPTION_LONG,
    OPTION_OFF,
    OPTION_STRING,
    OPTION_POINTER,
    OPTION_LIST,
    OPTION_WRITE_FN,
    OPTION_PREREQ_FN,
    OPTION_OPENSOCKET_FN
};

struct easy_option {
    CURLoption id;
    enum option_type type;
    union {
        long number;
        curl_off_t offset;
        char *string;
        void *pointer;
        struct curl_slist *list;
        curl_write_callback write_fn;
        curl_prereq_callback prereq_fn;
        curl_opensocket_callback opensocket_fn;
    } value;
};

static CURLcode set_option(CURL *easy, const struct easy_option *o)
{
    switch (o->type) {
    case OPTION_LONG:
        return curl->easy_setopt(easy, o->id, o->value.number);
    case OPTION_OFF:
        return curl->easy_setopt(easy, o->id, o->value.offset);
    case OPTION_STRING:
        return curl->easy_setopt(easy, o->id, o->value.string);
    case OPTION_POINTER:
        return curl->easy_setopt(easy, o->id, o->value.pointer);
    case OPTION_LIST:
        return curl->easy_setopt(easy, o->id, o->value.list);
    case OPTION_WRITE_FN:
        return curl->easy_setopt(easy, o->id, o->value.write_fn);
    case OPTION_PREREQ_FN:
        return curl->easy_setopt(easy, o->id, o->value.prereq_fn);
    case OPTION_OPENSOCKET_FN:
        return curl->easy_setopt(easy, o->id, o->value.opensocket_fn);
    }
    return CURLE_BAD_FUNCTION_ARGUMENT;
}

/* Create the easy handle and hand it to the multi handle. Returns 0, or -1
 * with t->error set (the request then completes at once). */
static int transfer_start(struct fk_fetch *fetch, struct transfer *t)
{
    const struct fk_fetch_options *o = &fetch->opts;
    t->permanent_only = true;
    int etag_sent = add_header(t, "If-None-Match", t->etag);
    int date_sent = add_header(t, "If-Modified-Since", t->last_modified);
    if (etag_sent < 0 || date_sent < 0) {
        transfer_fail(t, FK_FETCH_OTHER, "out of memory");
        return -1;
    }
    t->conditional = etag_sent > 0 || date_sent > 0;
    for (size_t i = 0; i < t->nextra; i++) {
        const char *colon = strchr(t->extra[i], ':');
        struct curl_slist *list = NULL;
        if (!colon || colon == t->extra[i] || has_control(t->extra[i], strlen(t->extra[i])))
            continue; /* not a header line: not sent */
        if (!(list = curl->slist_append(t->headers, t->extra[i]))) {
            transfer_fail(t, FK_FETCH_OTHER, "out of memory");
            return -1;
        }
        t->headers = list;
    }
    t->easy = curl->easy_init();
    if (!t->easy) {
        transfer_fail(t, FK_FETCH_OTHER, "cannot start a transfer");
        return -1;
    }
    curl_off_t max_file = t->max_body > (size_t)INT64_MAX ? INT64_MAX : (curl_off_t)t->max_body;
    const struct easy_option options[] = {
        {CURLOPT_URL, OPTION_STRING, {.string = t->url}},
        {CURLOPT_PROTOCOLS_STR,
         OPTION_STRING,
         {.string = t->public_only ? REDIR_PROTOCOLS : PROTOCOLS}},
        {CURLOPT_REDIR_PROTOCOLS_STR, OPTION_STRING, {.string = REDIR_PROTOCOLS}},
        {CURLOPT_FOLLOWLOCATION, OPTION_LONG, {.number = 1}},
        {CURLOPT_MAXREDIRS, OPTION_LONG, {.number = o->max_redirects}},
        /* "": every encoding this libcurl can decode (gzip, deflate, br,
         * zstd on Debian). */
        {CURLOPT_ACCEPT_ENCODING, OPTION_STRING, {.string = ""}},
        {CURLOPT_USERAGENT, OPTION_STRING, {.string = fetch->user_agent}},
        {CURLOPT_HTTPHEADER, OPTION_LIST, {.list = t->headers}},
        {CURLOPT_CONNECTTIMEOUT_MS, OPTION_LONG, {.number = o->connect_timeout_ms}},
        {CURLOPT_TIMEOUT_MS, OPTION_LONG, {.number = o->timeout_ms}},
        {CURLOPT_LOW_SPEED_LIMIT, OPTION_LONG, {.number = o->low_speed_limit}},
        {CURLOPT_LOW_SPEED_TIME, OPTION_LONG, {.number = o->low_speed_time}},
        /* Refuses a Content-Length over the cap before the body comes.
         * With a compressed body this is the compressed size, which is no
         * bigger than the decompressed one but for a few bytes of framing. */
        {CURLOPT_MAXFILESIZE_LARGE, OPTION_OFF, {.offset = max_file}},
        {CURLOPT_WRITEFUNCTION, OPTION_WRITE_FN, {.write_fn = on_body}},
        {CURLOPT_WRITEDATA, OPTION_POINTER, {.pointer = t}},
        {CURLOPT_HEADERFUNCTION, OPTION_WRITE_FN, {.write_fn = on_header}},
        {CURLOPT_HEADERDATA, OPTION_POINTER, {.pointer = t}},
        {CURLOPT_PREREQFUNCTION, OPTION_PREREQ_FN, {.prereq_fn = on_connected}},
        {CURLOPT_PREREQDATA, OPTION_POINTER, {.pointer = t}},
        /* NULL: curl's own, for the requests that may go anywhere */
        {CURLOPT_OPENSOCKETFUNCTION,
         OPTION_OPENSOCKET_FN,
         {.opensocket_fn = t->public_only ? on_open_socket : NULL}},
        {CURLOPT_OPENSOCKETDATA, OPTION_POINTER, {.pointer = t}},
        {CURLOPT_ERRORBUFFER, OPTION_POINTER, {.pointer = t->errbuf}},
        /* CURLOPT_NOSIGNAL stays off: this libcurl resolves names in a
         * thread, so it raises no SIGALRM, and with it off curl ignores
         * SIGPIPE around its own socket writes, which a caller that does
         * not ignore SIGPIPE needs. */
    };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        CURLcode rc = set_option(t->easy, &options[i]);
        if (rc != CURLE_OK) {
            const struct curl_easyoption *info = curl->easy_option_by_id(options[i].id);
            transfer_fail(t, FK_FETCH_OTHER, "cannot set up the transfer (%s: %s)",
                          info && info->name ? info->name : "option", curl->easy_strerror(rc));
            return -1;
        }
    }
    CURLMcode mc = curl->multi_add_handle(fetch->multi, t->easy);
    if (mc != CURLM_OK) {
        transfer_fail(t, FK_FETCH_OTHER, "cannot start a transfer (%s)", curl->multi_strerror(mc));
        return -1;
    }
    return 0;
}

/* Word a timeout by what was going on when it struck. */
static void describe_timeout(const struct fk_fetch_options *o, struct transfer *t,
                             int64_t elapsed_ms)
{
    char when[32];
    if (!t->connected) {
        long limit = o->connect_timeout_ms;
        if (limit <= 0 || (o->timeout_ms > 0 && o->timeout_ms < limit))
            limit = o->timeout_ms;
        format_seconds(limit, when, sizeof when);
        transfer_fail(t, FK_FETCH_TIMEOUT, "connect timed out after %s", when);
        return;
    }
    /* Curl reports the low-speed abort with the same code as the total
     * timeout: a stop well before the total timeout was the stall. */
    if (o->low_speed_limit > 0 && o->low_speed_time > 0 &&
        (o->timeout_ms <= 0 || elapsed_ms + 500 < o->timeout_ms)) {
        transfer_fail(t, FK_FETCH_TIMEOUT, "stalled below %ld B/s for %ld s", o->low_speed_limit,
                      o->low_speed_time);
        return;
    }
    format_seconds(o->timeout_ms, when, sizeof when);
    transfer_fail(t, FK_FETCH_TIMEOUT, "timed out after %s", when);
}

/* Set t->error and t->message from curl's result and the final status. */
static void describe_outcome(const struct fk_fetch_options *o, struct transfer *t, CURLcode code,
                             int status, int64_t elapsed_ms)
{
    char size[32];
    if (code != CURLE_OK && t->refused[0]) {
        transfer_fail(t, FK_FETCH_REFUSED, "%s", t->refused);
        return;
    }
    if (code == CURLE_OK) {
        /* A 304 says "what you have is still good": to a request that
         * named nothing it had, it can only come from a broken cache (or
         * server), and taking it for success would archive nothing, run
         * after run, without a word. */
        if (status == 304 && !t->conditional)
            transfer_fail(t, FK_FETCH_HTTP,
                          "304 Not Modified to a request without validators (a broken cache?)");
        else if (status >= 300 && status != 304)
            transfer_fail(t, FK_FETCH_HTTP, "HTTP %d", status);
        return;
    }
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        describe_timeout(o, t, elapsed_ms);
        return;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (code == CURLE_FILESIZE_EXCEEDED || t->too_large) {
            format_size(t->max_body, size, sizeof size);
            transfer_fail(t, FK_FETCH_TOO_LARGE, "body larger than %s", size);
            return;
        }
        break;
    case CURLE_TOO_MANY_REDIRECTS:
        if (t->loop)
            transfer_fail(t, FK_FETCH_REDIRECT, "redirect loop");
        else
            transfer_fail(t, FK_FETCH_REDIRECT, "more than %d redirects", o->max_redirects);
        return;
    case CURLE_UNSUPPORTED_PROTOCOL:
        /* Also curl's code for an answer that is not HTTP at all, which it
         * takes for HTTP/0.9: a redirect has a 3xx status. */
        if (status < 300 || status > 399) {
            transfer_fail(t, FK_FETCH_PROTOCOL, "malformed response (not HTTP)");
            return;
        }
        break;
    default:
        break;
    }
    for (size_t i = 0; i < sizeof curl_failures / sizeof curl_failures[0]; i++) {
        const struct curl_failure *f = &curl_failures[i];
        if (f->code != code)
            continue;
        const char *message = f->message;
        if (f->error == FK_FETCH_CONNECT) {
            long errnum = info_long(t->easy, CURLINFO_OS_ERRNO);
            for (size_t j = 0; j < sizeof socket_errors / sizeof socket_errors[0]; j++)
                if (socket_errors[j].errnum == errnum)
                    message = socket_errors[j].message;
        }
        /* For TLS, curl's own text names the cause (expired, self-signed,
         * wrong host); it comes from curl and OpenSSL, not the server. */
        if (f->error == FK_FETCH_TLS && t->errbuf[0])
            transfer_fail(t, f->error, "%s: %s", message, t->errbuf);
        else
            transfer_fail(t, f->error, "%s", message);
        return;
    }
    transfer_fail(t, FK_FETCH_OTHER, "%s", t->errbuf[0] ? t->errbuf : curl->easy_strerror(code));
}

/* Retry-After: delay-seconds or an HTTP date. */
static int64_t parse_retry_after(const char *value, int64_t now)
{
    if (!value)
        return FK_TIME_NONE;
    if (*value >= '0' && *value <= '9') {
        int64_t seconds = 0;
        const char *p = value;
        for (; *p >= '0' && *p <= '9'; p++)
            if (seconds < INT32_MAX)
                seconds = seconds * 10 + (*p - '0');
        if (*p != '\0')
            return FK_TIME_NONE;
        return now + (seconds < INT32_MAX ? seconds : INT32_MAX);
    }
    return fk_date_parse(value);
}

/* How far a response without a Date may date its Last-Modified after our
 * clock: clocks of servers and clients drift apart by a little. */
#define CLOCK_SKEW 60

/* The response's Last-Modified if it can be sent back as If-Modified-Since,
 * else NULL. A server must not date a Last-Modified after the response's
 * own Date (RFC 9110, 8.8.2.1); one that does would, sent back, make a
 * server that compares dates answer 304 until that date comes, however
 * often the feed changes meanwhile. Without a Date our clock stands in,
 * with some slack. A value that is not a date is kept: a server ignores an
 * If-Modified-Since it cannot read. */
static const char *usable_last_modified(const struct transfer *t, int64_t now)
{
    const char *value = t->values[HEADER_LAST_MODIFIED];
    int64_t modified = fk_date_parse(value);
    if (modified == FK_TIME_NONE)
        return value;
    int64_t sent = fk_date_parse(t->values[HEADER_DATE]);
    int64_t latest = sent != FK_TIME_NONE ? sent : now + CLOCK_SKEW;
    return modified > latest ? NULL : value;
}

/* Split "Text/XML; charset=\"utf-8\"" into "text/xml" and "utf-8". Both
 * are new strings the caller frees (NULL when absent). */
static void parse_content_type(const char *value, char **media_type, char **charset)
{
    *media_type = NULL;
    *charset = NULL;
    if (!value)
        return;
    size_t len = strcspn(value, ";");
    while (len && fk_is_xml_space(value[len - 1]))
        len--;
    if (len) {
        *media_type = fk_xstrndup(value, len);
        for (char *p = *media_type; *p; p++)
            *p = fk_ascii_lower(*p);
    }
    for (const char *p = strchr(value, ';'); p; p = strchr(p + 1, ';')) {
        const char *name = p + 1;
        while (fk_is_xml_space(*name))
            name++;
        size_t name_len = strcspn(name, "=;");
        if (name[name_len] != '=' || !name_is(name, name_len, "charset"))
            continue;
        const char *v = name + name_len + 1;
        size_t v_len;
        if (*v == '"') {
            v++;
            v_len = strcspn(v, "\"");
        } else {
            v_len = strcspn(v, "; \t");
        }
        if (v_len) {
            free(*charset);
            *charset = fk_xstrndup(v, v_len);
        }
    }
}

/* Deliver one finished request. code is curl's result, or -1 for a request
 * that never reached curl (t->error is set). Returns the callback's value. */
static int deliver(struct fk_fetch *fetch, struct transfer *t, int code, fk_fetch_done_fn on_done,
                   void *ctx)
{
    struct fk_fetch_result r = {.url = t->url, .user = t->user, .retry_after = FK_TIME_NONE};
    char *media_type = NULL;
    char *charset = NULL;
    if (t->easy && code >= 0) {
        int status = (int)info_long(t->easy, CURLINFO_RESPONSE_CODE);
        int64_t elapsed_ms = (int64_t)(info_off(t->easy, CURLINFO_TOTAL_TIME_T) / 1000);
        /* Only HTTP has a status; a file read whole is reported as served. */
        if (status == 0 && code == CURLE_OK)
            status = 200;
        describe_outcome(&fetch->opts, t, (CURLcode)code, status, elapsed_ms);
        r.http_status = status;
        r.final_url = info_string(t->easy, CURLINFO_EFFECTIVE_URL);
        r.primary_ip = info_string(t->easy, CURLINFO_PRIMARY_IP);
        if (r.primary_ip && !*r.primary_ip)
            r.primary_ip = NULL;
        r.redirects = (int)info_long(t->easy, CURLINFO_REDIRECT_COUNT);
        curl_off_t received = info_off(t->easy, CURLINFO_SIZE_DOWNLOAD_T);
        r.bytes_received = received > 0 ? (uint64_t)received : 0;
        r.duration_ms = elapsed_ms;
        r.etag = t->values[HEADER_ETAG];
        int64_t now = (int64_t)time(NULL);
        r.last_modified = usable_last_modified(t, now);
        parse_content_type(t->values[HEADER_CONTENT_TYPE], &media_type, &charset);
        r.content_type = media_type;
        r.charset = charset;
        r.retry_after = parse_retry_after(t->values[HEADER_RETRY_AFTER], now);
        r.moved_to = t->moved_to;
        if ((t->error == FK_FETCH_OK && status != 304) || t->error == FK_FETCH_HTTP) {
            r.body = t->body.data ? t->body.data : "";
            r.body_len = t->body.len;
        }
    }
    r.error = t->error;
    r.message = t->error == FK_FETCH_OK ? NULL : t->message;
    int rc = on_done(&r, ctx);
    free(media_type);
    free(charset);
    return rc;
}

void fk_fetch_set_gate(struct fk_fetch *fetch, const struct fk_fetch_gate *gate)
{
    fetch->gate = *gate;
}

/* Whether t passes the gate now (holding its slot), else when to ask again. */
static bool gate_enter(struct fk_fetch *fetch, struct transfer *t, int64_t now)
{
    if (!fetch->gate.enter || fetch->opts.per_host == 0 || !*t->host)
        return true;
    int slot = fetch->gate.enter(fetch->gate.ctx, t->host, fetch->opts.per_host);
    if (slot == FK_FETCH_GATE_WAIT) {
        t->start_at = now + FK_FETCH_GATE_RETRY_MS;
        return false;
    }
    t->slot = slot;
    return true;
}

static void gate_leave(struct fk_fetch *fetch, struct transfer *t)
{
    if (t->slot >= 0)
        fetch->gate.leave(fetch->gate.ctx, t->host, t->slot);
    t->slot = -1;
}

static int host_in_flight(const struct fk_fetch *fetch, const char *host)
{
    int n = 0;
    for (const struct transfer *t = fetch->active; t; t = t->next)
        if (strcmp(t->host, host) == 0)
            n++;
    return n;
}

/* The link to the first queued request that may start now, or NULL. A
 * request that already failed needs no slot. */
static struct transfer **next_startable(struct fk_fetch *fetch)
{
    int64_t now = -1;
    for (struct transfer **link = &fetch->queue; *link; link = &(*link)->next) {
        struct transfer *t = *link;
        if (t->error != FK_FETCH_OK)
            return link;
        if (fetch->nactive >= fetch->opts.jobs)
            continue;
        if (t->start_at && t->start_at > (now < 0 ? (now = monotonic_ms()) : now))
            continue;
        if (fetch->opts.per_host != 0 && host_in_flight(fetch, t->host) >= fetch->opts.per_host)
            continue;
        if (gate_enter(fetch, t, now < 0 ? (now = monotonic_ms()) : now))
            return link;
    }
    return NULL;
}

/* Start what the limits allow. Returns 0, or the callback's non-zero
 * value when a request that failed at once was delivered and it said
 * stop. */
static int start_queued(struct fk_fetch *fetch, fk_fetch_done_fn on_done, void *ctx)
{
    struct transfer **link;
    while ((link = next_startable(fetch))) {
        struct transfer *t = *link;
        *link = t->next;
        if (fetch->queue_tail == &t->next)
            fetch->queue_tail = link;
        t->next = NULL;
        if (t->error == FK_FETCH_OK && transfer_start(fetch, t) == 0) {
            t->next = fetch->active;
            fetch->active = t;
            fetch->nactive++;
            continue;
        }
        gate_leave(fetch, t);
        int rc = deliver(fetch, t, -1, on_done, ctx);
        transfer_free(t);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Take t out of curl and out of the active list. */
static CURLMcode detach_active(struct fk_fetch *fetch, struct transfer *t)
{
    for (struct transfer **link = &fetch->active; *link; link = &(*link)->next) {
        if (*link == t) {
            *link = t->next;
            fetch->nactive--;
            break;
        }
    }
    t->next = NULL;
    gate_leave(fetch, t);
    return curl->multi_remove_handle(fetch->multi, t->easy);
}

/* Drop every request, in flight or queued, without callbacks. */
static void drop_all(struct fk_fetch *fetch)
{
    while (fetch->active) {
        struct transfer *t = fetch->active;
        /* Nothing to do on failure: the handle is freed either way. */
        (void)detach_active(fetch, t);
        transfer_free(t);
    }
    while (fetch->queue) {
        struct transfer *t = fetch->queue;
        fetch->queue = t->next;
        transfer_free(t);
    }
    fetch->queue_tail = &fetch->queue;
}

/* Deliver the transfers curl has finished. Returns 0, 1 when the callback
 * said stop, -1 (err filled) when curl failed. */
static int reap_finished(struct fk_fetch *fetch, fk_fetch_done_fn on_done, void *ctx, int *finished,
                         struct fk_error *err)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl->multi_info_read(fetch->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        /* msg does not survive curl_multi_remove_handle. */
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        struct transfer *t = fetch->active;
        while (t && t->easy != easy)
            t = t->next;
        if (!t)
            continue;
        CURLMcode mc = detach_active(fetch, t);
        if (mc != CURLM_OK) {
            transfer_free(t);
            return fk_error_set(err, FK_ERROR_NETWORK, "cannot finish a transfer: %s",
                                curl->multi_strerror(mc));
        }
        (*finished)++;
        int rc = deliver(fetch, t, (int)code, on_done, ctx);
        transfer_free(t);
        if (rc != 0)
            return 1;
    }
    return 0;
}

/* ---- public API ----------------------------------------------------------- */

void fk_fetch_options_init(struct fk_fetch_options *opts)
{
    opts->jobs = FK_FETCH_DEFAULT_JOBS;
    opts->per_host = FK_FETCH_DEFAULT_PER_HOST;
    opts->connect_timeout_ms = FK_FETCH_DEFAULT_CONNECT_TIMEOUT_MS;
    opts->timeout_ms = FK_FETCH_DEFAULT_TIMEOUT_MS;
    opts->low_speed_limit = FK_FETCH_DEFAULT_LOW_SPEED_LIMIT;
    opts->low_speed_time = FK_FETCH_DEFAULT_LOW_SPEED_TIME;
    opts->max_body = FK_FETCH_DEFAULT_MAX_BODY;
    opts->max_redirects = FK_FETCH_DEFAULT_MAX_REDIRECTS;
    opts->user_agent = NULL;
}

/* curl_global_init and curl_global_cleanup are called once per batch: curl
 * counts the calls and does the work on the first and the last, so batches
 * may come and go and nothing stays allocated after the last one. That
 * counting is thread-safe in libcurl built "threadsafe" (7.84 and later,
 * Debian's); with an older libcurl, batches must not be created or freed
 * concurrently. */
struct fk_fetch *fk_fetch_new(const struct fk_fetch_options *opts, struct fk_error *err)
{
    struct fk_fetch_options defaults;
    if (!opts) {
        fk_fetch_options_init(&defaults);
        opts = &defaults;
    }
    const struct {
        const char *name;
        long long value;
        long long min;
    } limits[] = {
        {"jobs", opts->jobs, 1},
        {"per-host limit", opts->per_host, 0},
        {"connect timeout", opts->connect_timeout_ms, 0},
        {"timeout", opts->timeout_ms, 0},
        {"low-speed limit", opts->low_speed_limit, 0},
        {"low-speed time", opts->low_speed_time, 0},
        {"body size limit", opts->max_body > 0 ? 1 : 0, 1},
        {"redirect limit", opts->max_redirects, 0},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if (limits[i].value < limits[i].min) {
            fk_error_set(err, FK_ERROR_USAGE, "fetch %s must be at least %lld", limits[i].name,
                         limits[i].min);
            return NULL;
        }
    }

    if (!curl && !(curl = fk_libcurl_load(err)))
        return NULL;
    CURLcode rc = curl->global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        fk_error_set(err, FK_ERROR_NETWORK, "cannot initialise libcurl: %s",
                     curl->easy_strerror(rc));
        return NULL;
    }
    struct fk_fetch *fetch = fk_xcalloc(1, sizeof *fetch);
    fetch->opts = *opts;
    fetch->user_agent = fk_xstrdup(opts->user_agent ? opts->user_agent : DEFAULT_USER_AGENT);
    fetch->opts.user_agent = fetch->user_agent;
    fetch->queue_tail = &fetch->queue;
    fetch->multi = curl->multi_init();
    if (!fetch->multi) {
        fk_error_set(err, FK_ERROR_NETWORK, "cannot initialise libcurl's multi interface");
        goto fail;
    }
    if (opts->per_host > 0) {
        CURLMcode mc =
            curl->multi_setopt(fetch->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)opts->per_host);
        if (mc != CURLM_OK) {
            fk_error_set(err, FK_ERROR_NETWORK, "cannot limit connections per host: %s",
                         curl->multi_strerror(mc));
            goto fail;
        }
    }
    return fetch;
fail:
    fk_fetch_free(fetch);
    return NULL;
}

int fk_fetch_add(struct fk_fetch *fetch, const struct fk_fetch_request *req, struct fk_error *err)
{
    if (!req || !req->url)
        return fk_error_set(err, FK_ERROR_USAGE, "no URL to fetch");
    struct transfer *t = fk_xcalloc(1, sizeof *t);
    t->url = fk_xstrdup(req->url);
    t->etag = fk_xstrdup(req->etag);
    t->last_modified = fk_xstrdup(req->last_modified);
    t->user = req->user;
    t->public_only = req->public_only;
    t->max_body = req->max_body > 0 ? req->max_body : fetch->opts.max_body;
    for (const char *const *h = req->headers; h && *h; h++)
        t->nextra++;
    t->extra = t->nextra ? fk_xcalloc(t->nextra, sizeof *t->extra) : NULL;
    for (size_t i = 0; i < t->nextra; i++)
        t->extra[i] = fk_xstrdup(req->headers[i]);
    if (req->delay_ms > 0)
        t->start_at = monotonic_ms() + req->delay_ms;
    t->slot = -1;
    fk_buf_init(&t->body, t->max_body);
    parse_target(t);
    *fetch->queue_tail = t;
    fetch->queue_tail = &t->next;
    return 0;
}

/* How long the run may wait for the transfers before a delayed request
 * is due: at most a second, at least a millisecond. */
static long delayed_wait(const struct fk_fetch *fetch)
{
    long wait = 1000;
    int64_t now = monotonic_ms();
    for (const struct transfer *t = fetch->queue; t; t = t->next) {
        if (t->start_at && t->start_at - now < wait)
            wait = t->start_at - now < 1 ? 1 : (long)(t->start_at - now);
    }
    return wait;
}

int fk_fetch_run(struct fk_fetch *fetch, fk_fetch_done_fn on_done, void *ctx, struct fk_error *err)
{
    int rc = -1;
    CURLMcode mc0;
    for (;;) {
        if (start_queued(fetch, on_done, ctx) != 0)
            goto out;
        /* With nothing in flight every request can start but a delayed
         * one: wait for the first of those, or the batch is done. */
        long wait = delayed_wait(fetch);
        if (!fetch->active) {
            if (!fetch->queue)
                break;
            mc0 = curl->multi_poll(fetch->multi, NULL, 0, (int)wait, NULL);
            if (mc0 != CURLM_OK) {
                fk_error_set(err, FK_ERROR_NETWORK, "transfer failed: %s",
                             curl->multi_strerror(mc0));
                goto out;
            }
            continue;
        }
        int running = 0;
        CURLMcode mc = curl->multi_perform(fetch->multi, &running);
        if (mc != CURLM_OK) {
            fk_error_set(err, FK_ERROR_NETWORK, "transfer failed: %s", curl->multi_strerror(mc));
            goto out;
        }
        int finished = 0;
        int reaped = reap_finished(fetch, on_done, ctx, &finished, err);
        if (reaped != 0)
            goto out;
        /* Finished transfers free slots: start the next ones before
         * waiting. */
        if (finished > 0)
            continue;
        mc = curl->multi_poll(fetch->multi, NULL, 0, (int)wait, NULL);
        if (mc != CURLM_OK) {
            fk_error_set(err, FK_ERROR_NETWORK, "transfer failed: %s", curl->multi_strerror(mc));
            goto out;
        }
    }
    rc = 0;
out:
    if (rc != 0)
        drop_all(fetch);
    return rc;
}

void fk_fetch_free(struct fk_fetch *fetch)
{
    if (!fetch)
        return;
    drop_all(fetch);
    if (fetch->multi) {
        /* Nothing to report to, and the memory is released either way. */
        (void)curl->multi_cleanup(fetch->multi);
    }
    free(fetch->user_agent);
    free(fetch);
    curl->global_cleanup();
}

const char *fk_fetch_error_name(enum fk_fetch_error error)
{
    if ((size_t)error < sizeof error_names / sizeof error_names[0] && error_names[error])
        return error_names[error];
    return "unknown";
}
