/* assets.c - one run of asset fetching (assets.h): the due URLs through one
 * fetch batch, each body sniffed, hashed and stored, every cap and policy
 * applied before the download where it can be and after it where only the
 * bytes tell.
 */
#include "feedkeep/assets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/media.h"

/* Requests queued in the batch at once, per job: enough to keep every job
 * busy while some hosts wait on their per-host limit, few enough that the
 * caps are checked against an archive that is nearly up to date. */
#define QUEUED_PER_JOB 4

/* A URL due, copied out of the listing (which must not be written to). */
struct due_url {
    char *url;
    char *etag;
    char *last_modified;
    int failures;
    int64_t article_id;
    enum fk_asset_kind kind;
    bool private_origin;
};

/* Downloads under way for one article, counted against its cap. */
struct article_flight {
    int64_t article_id;
    int64_t count;
};

struct run {
    struct fk_store *store;
    const struct fk_assets_options *opts;
    fk_assets_event_fn on_event;
    void *ctx;
    struct fk_assets_totals totals;
    struct due_url *due;
    size_t ndue, cap;
    size_t next;      /* the first due URL not admitted yet */
    size_t in_flight; /* requests queued or under way */
    struct article_flight *flights;
    size_t nflights, flights_cap;
    struct fk_fetch *fetch;
    struct fk_error *err;
    int64_t archive_bytes; /* of all assets: when the run began, and what
                              it added since */
};

void fk_assets_options_init(struct fk_assets_options *opts)
{
    memset(opts, 0, sizeof *opts);
    fk_fetch_options_init(&opts->fetch);
    opts->caps.max_bytes = FK_ASSETS_DEFAULT_MAX_BYTES;
    opts->caps.article_count = FK_ASSETS_DEFAULT_ARTICLE_COUNT;
    opts->caps.article_bytes = FK_ASSETS_DEFAULT_ARTICLE_BYTES;
    opts->caps.archive_bytes = FK_ASSETS_DEFAULT_BUDGET;
    opts->run_bytes = FK_ASSETS_DEFAULT_RUN_BYTES;
}

/* ---- the due URLs ------------------------------------------------------------------ */

static bool feed_wanted(const struct fk_assets_options *opts, int64_t feed_id)
{
    if (!opts->feeds)
        return true;
    for (size_t i = 0; i < opts->nfeeds; i++) {
        if (opts->feeds[i] == feed_id)
            return true;
    }
    return false;
}

static int collect_due(const struct fk_asset_due *due, void *ctx)
{
    struct run *run = ctx;
    if (!feed_wanted(run->opts, due->feed_id))
        return 0;
    if (run->ndue == run->cap) {
        run->cap = run->cap ? run->cap * 2 : 64;
        run->due = fk_xrealloc(run->due, run->cap * sizeof *run->due);
    }
    run->due[run->ndue++] = (struct due_url){
        .url = fk_xstrdup(due->url),
        .etag = due->etag ? fk_xstrdup(due->etag) : NULL,
        .last_modified = due->last_modified ? fk_xstrdup(due->last_modified) : NULL,
        .failures = due->failures,
        .article_id = due->article_id,
        .kind = due->kind,
        .private_origin = due->private_origin,
    };
    return 0;
}

/* ---- the order of the downloads ------------------------------------------------------ */

/* A due URL's place in the run: the host it is on, and how many URLs of
 * that host come before it. */
struct place {
    size_t index;     /* in run->due */
    const char *host; /* its authority, up to host_len bytes */
    size_t host_len;
    size_t rank;  /* URLs of the same host before it */
    size_t first; /* the index of its host's first URL */
};

/* Host names in an order of their own (ignoring case). */
static int compare_hosts(const struct place *x, const struct place *y)
{
    size_t n = x->host_len < y->host_len ? x->host_len : y->host_len;
    int c = strncasecmp(x->host, y->host, n);
    if (c == 0 && x->host_len != y->host_len)
        c = x->host_len < y->host_len ? -1 : 1;
    return c;
}

static int by_host(const void *a, const void *b)
{
    const struct place *x = a, *y = b;
    int c = compare_hosts(x, y);
    return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

static int by_rank(const void *a, const void *b)
{
    const struct place *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Take the hosts in turn: the due URLs come by article, and an article's
 * images are mostly on one host, where only per_host of them download at
 * once; taken in that order, the run's window would hold one host's URLs
 * and wait on its limit while the other hosts stay idle. Each host's URLs
 * keep their order. */
static void interleave_hosts(struct run *run)
{
    if (run->ndue < 2)
        return;
    struct place *places = fk_xcalloc(run->ndue, sizeof *places);
    for (size_t i = 0; i < run->ndue; i++) {
        const char *url = run->due[i].url;
        const char *start = strstr(url, "://");
        start = start ? start + 3 : url;
        places[i] = (struct place){i, start, strcspn(start, "/?#"), 0, 0};
    }
    qsort(places, run->ndue, sizeof *places, by_host);
    for (size_t i = 0; i < run->ndue; i++) {
        bool same = i > 0 && compare_hosts(&places[i], &places[i - 1]) == 0;
        places[i].rank = same ? places[i - 1].rank + 1 : 0;
        places[i].first = same ? places[i - 1].first : places[i].index;
    }
    qsort(places, run->ndue, sizeof *places, by_rank);
    struct due_url *ordered = fk_xcalloc(run->ndue, sizeof *ordered);
    for (size_t i = 0; i < run->ndue; i++)
        ordered[i] = run->due[places[i].index];
    free(run->due);
    run->due = ordered;
    run->cap = run->ndue;
    free(places);
}

/* ---- articles' downloads under way --------------------------------------------------- */

/* Downloads under way for article_id. */
static int64_t under_way(const struct run *run, int64_t article_id)
{
    for (size_t i = 0; i < run->nflights; i++) {
        if (run->flights[i].article_id == article_id)
            return run->flights[i].count;
    }
    return 0;
}

/* One more (delta 1) or one less (-1) download under way for article_id;
 * the list holds only articles with some, so it stays as short as the
 * batch. */
static void count_flight(struct run *run, int64_t article_id, int delta)
{
    size_t i = 0;
    while (i < run->nflights && run->flights[i].article_id != article_id)
        i++;
    if (i == run->nflights) {
        if (run->nflights == run->flights_cap) {
            run->flights_cap = run->flights_cap ? run->flights_cap * 2 : 16;
            run->flights = fk_xrealloc(run->flights, run->flights_cap * sizeof *run->flights);
        }
        run->flights[run->nflights++] = (struct article_flight){article_id, 0};
    }
    run->flights[i].count += delta;
    if (run->flights[i].count <= 0)
        run->flights[i] = run->flights[--run->nflights];
}

/* What the article's stored assets take (the archive's total is counted
 * once a run, and kept up to date by the run). Returns 0, or -1 with
 * run->err filled. */
static int article_usage(struct run *run, int64_t article_id, int64_t *count, int64_t *bytes)
{
    struct fk_asset_usage usage;
    if (fk_store_asset_article_usage(run->store, article_id, &usage, run->err) < 0)
        return -1;
    *count = usage.article_count;
    *bytes = usage.article_bytes;
    return 0;
}

/* ---- recording outcomes -------------------------------------------------------------- */

/* "10 MiB", "512 KiB", "900 bytes": a cap or a size in words. */
static void size_words(int64_t bytes, char *out, size_t size)
{
    if (bytes >= ((int64_t)1 << 20) && bytes % ((int64_t)1 << 20) == 0)
        snprintf(out, size, "%" PRId64 " MiB", bytes >> 20);
    else if (bytes >= ((int64_t)1 << 20))
        snprintf(out, size, "%.1f MiB", (double)bytes / (1 << 20));
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(out, size, "%" PRId64 " KiB", bytes >> 10);
    else
        snprintf(out, size, "%" PRId64 " bytes", bytes);
}

static void emit(struct run *run, struct fk_assets_event *ev)
{
    if (run->on_event)
        run->on_event(ev, run->ctx);
}

/* Record d skipped for reason under cap, and report it with message.
 * Returns 0, or -1 with run->err filled. */
static int skip(struct run *run, const struct due_url *d, enum fk_asset_skip reason, int64_t cap,
                const char *message)
{
    if (fk_store_asset_skipped(run->store, d->url, reason, cap, (int64_t)time(NULL), run->err) < 0)
        return -1;
    run->totals.skipped++;
    struct fk_assets_event ev = {
        .kind = FK_ASSETS_SKIPPED,
        .url = d->url,
        .article_id = d->article_id,
        .reason = reason,
        .cap = cap,
        .message = message,
    };
    emit(run, &ev);
    return 0;
}

/* A skip under a size cap, the cap in words between before and after:
 * "larger than 10 MiB" and the like. */
static int skip_size(struct run *run, const struct due_url *d, enum fk_asset_skip reason,
                     int64_t cap, const char *before, const char *after)
{
    char words[32], message[160];
    size_words(cap, words, sizeof words);
    snprintf(message, sizeof message, "%s%s%s", before, words, after);
    return skip(run, d, reason, cap, message);
}

static int failed(struct run *run, const struct due_url *d, const char *message,
                  int64_t retry_after)
{
    int64_t now = (int64_t)time(NULL), next_try = FK_TIME_NONE;
    if (fk_store_asset_failed(run->store, d->url, message, now, retry_after, &next_try, run->err) <
        0)
        return -1;
    run->totals.failed++;
    struct fk_assets_event ev = {
        .kind = FK_ASSETS_FAILED,
        .url = d->url,
        .article_id = d->article_id,
        .message = message,
        .failures = d->failures + 1,
        .time = now,
        .next_try = next_try,
    };
    emit(run, &ev);
    return 0;
}

/* ---- before the download ------------------------------------------------------------- */

static bool is_http(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/* What the caps of d's article allow before its download: 0 to go ahead,
 * 1 when d was skipped, -1 on a database error. */
static int article_caps_allow(struct run *run, const struct due_url *d)
{
    const struct fk_asset_caps *caps = &run->opts->caps;
    int64_t count, bytes;
    char message[160];
    if (article_usage(run, d->article_id, &count, &bytes) < 0)
        return -1;
    if (count + under_way(run, d->article_id) >= caps->article_count) {
        snprintf(message, sizeof message, "its article has %" PRId64 " assets, the most kept",
                 caps->article_count);
        return skip(run, d, FK_ASSET_SKIP_ARTICLE_COUNT, caps->article_count, message) < 0 ? -1 : 1;
    }
    if (bytes >= caps->article_bytes)
        return skip_size(run, d, FK_ASSET_SKIP_ARTICLE_BYTES, caps->article_bytes,
                         "its article's assets take ", ", the most kept") < 0
                   ? -1
                   : 1;
    if (run->archive_bytes >= caps->archive_bytes)
        return skip_size(run, d, FK_ASSET_SKIP_ARCHIVE_BUDGET, caps->archive_bytes,
                         "the archive's assets take ", ", its budget") < 0
                   ? -1
                   : 1;
    return 0;
}

/* Decide on due URL number index: queue its request, or record why not.
 * Returns 0, or -1 with run->err filled. */
static int admit(struct run *run, size_t index)
{
    const struct fk_assets_options *opts = run->opts;
    const struct due_url *d = &run->due[index];
    if (!is_http(d->url))
        return skip(run, d, FK_ASSET_SKIP_SCHEME, 0, "not an http or https URL");
    if ((d->kind == FK_ASSET_VIDEO || d->kind == FK_ASSET_AUDIO) && !opts->caps.media)
        return skip(run, d, FK_ASSET_SKIP_MEDIA, 0, "video and audio are not kept");
    if (run->totals.bytes >= opts->run_bytes)
        return skip_size(run, d, FK_ASSET_SKIP_RUN_BYTES, opts->run_bytes, "the run downloaded ",
                         ", its most");
    int rc = article_caps_allow(run, d);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    struct fk_fetch_request req = {
        .url = d->url,
        .etag = d->etag,
        .last_modified = d->last_modified,
        .user = (void *)(uintptr_t)index,
        .public_only = !(opts->caps.allow_private || d->private_origin),
        /* One byte over the cap tells "too large" from "exactly the cap". */
        .max_body = (uint64_t)opts->caps.max_bytes < (uint64_t)(SIZE_MAX >> 1)
                        ? (size_t)opts->caps.max_bytes + 1
                        : SIZE_MAX >> 1,
    };
    if (fk_fetch_add(run->fetch, &req, run->err) < 0)
        return -1;
    run->in_flight++;
    count_flight(run, d->article_id, 1);
    return 0;
}

/* Admit due URLs until the batch holds enough or none is left. */
static int refill(struct run *run)
{
    size_t window =
        (size_t)(run->opts->fetch.jobs > 0 ? run->opts->fetch.jobs : 1) * QUEUED_PER_JOB;
    while (run->next < run->ndue && run->in_flight < window) {
        /* Downloads under way may each bring up to the cap of one asset:
         * wait for them before the run's bytes could be overspent. */
        if (run->in_flight > 0 &&
            run->totals.bytes + (int64_t)run->in_flight * run->opts->caps.max_bytes >=
                run->opts->run_bytes)
            break;
        if (admit(run, run->next++) < 0)
            return -1;
    }
    return 0;
}

/* ---- after the download -------------------------------------------------------------- */

static int exists_fn(const struct fk_asset *asset, void *ctx)
{
    (void)asset;
    (void)ctx;
    return 0;
}

/* Whether the archive has the bytes of digest already: 1 yes, 0 no, -1 on
 * a database error. */
static int stored_already(struct run *run, const char *hex)
{
    int rc = fk_store_get_asset(run->store, hex, NULL, exists_fn, NULL, run->err);
    return rc < 0 ? -1 : rc == 0;
}

/* What the bytes are, and whether the options keep them: 0 to keep them,
 * 1 when d was skipped, -1 on a database error. */
static int judge_bytes(struct run *run, const struct due_url *d, const struct fk_fetch_result *r,
                       const char **mime)
{
    char message[160];
    *mime = fk_media_sniff(r->body, r->body_len, r->content_type);
    switch (fk_media_class_of(*mime)) {
    case FK_MEDIA_IMAGE:
        break;
    case FK_MEDIA_VIDEO:
    case FK_MEDIA_AUDIO:
        if (!run->opts->caps.media)
            return skip(run, d, FK_ASSET_SKIP_MEDIA, 0, "video and audio are not kept") < 0 ? -1
                                                                                            : 1;
        break;
    case FK_MEDIA_OTHER:
    default:
        snprintf(message, sizeof message, "the bytes are %s%s%s", *mime,
                 r->content_type ? ", served as " : "", r->content_type ? r->content_type : "");
        return skip(run, d, FK_ASSET_SKIP_NOT_IMAGE, 0, message) < 0 ? -1 : 1;
    }
    const char *why = NULL;
    if (strcmp(*mime, "image/svg+xml") == 0 && !fk_media_svg_safe(r->body, r->body_len, &why)) {
        snprintf(message, sizeof message, "an SVG with %s", why ? why : "unsafe content");
        return skip(run, d, FK_ASSET_SKIP_SVG_UNSAFE, 0, message) < 0 ? -1 : 1;
    }
    return 0;
}

/* The caps that only the size tells: 0 to store, 1 when d was skipped, -1
 * on a database error. Bytes the archive has already cost nothing. */
static int size_caps_allow(struct run *run, const struct due_url *d, size_t size, const char *hex)
{
    const struct fk_asset_caps *caps = &run->opts->caps;
    int64_t count, bytes;
    if ((int64_t)size > caps->max_bytes)
        return skip_size(run, d, FK_ASSET_SKIP_TOO_LARGE, caps->max_bytes, "larger than ", "") < 0
                   ? -1
                   : 1;
    if (article_usage(run, d->article_id, &count, &bytes) < 0)
        return -1;
    bool over_article = bytes + (int64_t)size > caps->article_bytes;
    bool over_budget = run->archive_bytes + (int64_t)size > caps->archive_bytes;
    if (!over_article && !over_budget)
        return 0;
    int have = stored_already(run, hex);
    if (have != 0)
        return have;
    if (over_article)
        return skip_size(run, d, FK_ASSET_SKIP_ARTICLE_BYTES, caps->article_bytes,
                         "its article's assets would take more than ", "") < 0
                   ? -1
                   : 1;
    return skip_size(run, d, FK_ASSET_SKIP_ARCHIVE_BUDGET, caps->archive_bytes,
                     "the archive's assets would take more than ", ", its budget") < 0
               ? -1
               : 1;
}

static int got_body(struct run *run, const struct due_url *d, const struct fk_fetch_result *r)
{
    const char *mime;
    unsigned char digest[FK_SHA256_SIZE];
    struct fk_assets_event ev = {.url = d->url, .article_id = d->article_id};

    run->totals.fetched++;
    run->totals.bytes += (int64_t)r->body_len;
    int rc = judge_bytes(run, d, r, &mime);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    fk_sha256(r->body, r->body_len, digest);
    fk_sha256_hex(digest, ev.sha256);
    rc = size_caps_allow(run, d, r->body_len, ev.sha256);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    struct fk_asset_fetched asset = {
        .url = d->url,
        .sha256 = digest,
        .mime = mime,
        .data = r->body,
        .size = r->body_len,
        .etag = r->etag,
        .last_modified = r->last_modified,
        .time = (int64_t)time(NULL),
    };
    bool is_new = false;
    if (fk_store_put_asset(run->store, &asset, &is_new, run->err) < 0)
        return -1;
    if (is_new) {
        run->totals.stored++;
        run->totals.stored_bytes += (int64_t)r->body_len;
        run->archive_bytes += (int64_t)r->body_len;
    } else {
        run->totals.deduplicated++;
    }
    ev.kind = is_new ? FK_ASSETS_STORED : FK_ASSETS_DEDUPLICATED;
    ev.mime = mime;
    ev.size = r->body_len;
    emit(run, &ev);
    return 0;
}

static int handle(struct run *run, const struct due_url *d, const struct fk_fetch_result *r)
{
    switch (r->error) {
    case FK_FETCH_OK:
        break;
    case FK_FETCH_REFUSED:
        /* Recorded under the switch that would have allowed it. */
        return skip(run, d, FK_ASSET_SKIP_PRIVATE, run->opts->caps.allow_private, r->message);
    case FK_FETCH_TOO_LARGE:
        run->totals.fetched++;
        run->totals.bytes += (int64_t)r->bytes_received;
        return skip_size(run, d, FK_ASSET_SKIP_TOO_LARGE, run->opts->caps.max_bytes, "larger than ",
                         "");
    default:
        return failed(run, d, r->message ? r->message : fk_fetch_error_name(r->error),
                      r->retry_after);
    }
    if (r->http_status == 304) {
        int rc = fk_store_asset_not_modified(run->store, d->url, (int64_t)time(NULL), run->err);
        if (rc < 0)
            return -1;
        run->totals.not_modified++;
        struct fk_assets_event ev = {
            .kind = FK_ASSETS_NOT_MODIFIED, .url = d->url, .article_id = d->article_id};
        emit(run, &ev);
        return 0;
    }
    return got_body(run, d, r);
}

static int on_done(const struct fk_fetch_result *r, void *ctx)
{
    struct run *run = ctx;
    const struct due_url *d = &run->due[(uintptr_t)r->user];
    run->in_flight--;
    count_flight(run, d->article_id, -1);
    if (handle(run, d, r) < 0 || refill(run) < 0)
        return 1; /* a database error stops the run */
    return 0;
}

/* ---- the run ----------------------------------------------------------------------- */

int fk_assets_run(struct fk_store *store, const struct fk_assets_options *opts, int64_t now,
                  fk_assets_event_fn on_event, void *ctx, struct fk_assets_totals *totals,
                  struct fk_error *err)
{
    struct run run = {.store = store, .opts = opts, .on_event = on_event, .ctx = ctx, .err = err};
    int ret = -1;

    if (fk_store_list_due_assets(store, now, &opts->caps, opts->enabled_only, 0, collect_due, &run,
                                 err) < 0)
        goto out;
    run.totals.due = run.ndue;
    interleave_hosts(&run);
    if (run.ndue == 0) {
        ret = 0;
        goto out;
    }
    struct fk_asset_usage usage;
    if (fk_store_asset_usage(store, 0, &usage, err) < 0)
        goto out;
    run.archive_bytes = usage.archive_bytes;
    struct fk_fetch_options fetch_opts = opts->fetch;
    /* Each request has its own limit; this one is never reached. */
    fetch_opts.max_body = FK_FETCH_DEFAULT_MAX_BODY;
    run.fetch = fk_fetch_new(&fetch_opts, err);
    if (!run.fetch)
        goto out;
    struct fk_fetch_gate gate;
    fk_store_fetch_gate(store, &gate);
    fk_fetch_set_gate(run.fetch, &gate);
    struct fk_assets_event started = {.kind = FK_ASSETS_STARTED, .due = run.ndue};
    emit(&run, &started);
    struct fk_error fetch_err = {0};
    bool db_error = false;
    if (refill(&run) < 0)
        db_error = true;
    else if (fk_fetch_run(run.fetch, on_done, &run, &fetch_err) < 0)
        db_error = fetch_err.kind == FK_ERROR_NONE; /* the callback stopped it */
    else {
        ret = 0;
        goto out;
    }
    if (!db_error && err)
        *err = fetch_err;
out:
    if (totals)
        *totals = run.totals;
    fk_fetch_free(run.fetch);
    for (size_t i = 0; i < run.ndue; i++) {
        free(run.due[i].url);
        free(run.due[i].etag);
        free(run.due[i].last_modified);
    }
    free(run.due);
    free(run.flights);
    return ret;
}
