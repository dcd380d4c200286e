/* update.c - one fetch run: the due feeds handed to one fetch batch, and
 * each response dealt with in the batch's completion callback as soon as
 * it arrives.
 *
 * A body is parsed and filed in one transaction that also logs the fetch
 * and stores the validators, so a run killed at any moment leaves every
 * feed either fully filed with its new validators or untouched. Failures
 * (a refused body included, whose transaction was rolled back) are logged,
 * and backed off, in a transaction of their own. Backfill pages are
 * fetched one after the other, each once the page before it was filed.
 */
#include "feedkeep/update.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "feedkeep/archive.h"
#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/netaddr.h"

enum job_state { JOB_QUEUED, JOB_ARCHIVED, JOB_NOT_MODIFIED, JOB_FAILED };

/* One feed of the run, from its request to its last event. */
struct job {
    struct fk_update_feed feed; /* the strings are the ones below */
    char *url;
    char *feed_url;
    char *moved_to;
    char *known_move; /* where the last fetch found it moved */
    char *etag;       /* validators to send */
    char *last_modified;
    enum job_state state;
    int page;            /* in flight: 1 for the feed, then backfill pages */
    char *page_url;      /* of the backfill page in flight */
    bool private_origin; /* the feed's setting as the run found it */
};

struct fk_update {
    struct fk_store *store;
    struct fk_update_options opts;
    int64_t now;
    struct job *jobs;
    size_t cap;
    struct fk_update_totals totals;
    bool ran;
    /* During fk_update_run: */
    struct fk_fetch *fetch;
    fk_update_event_fn on_event;
    void *ctx;
    bool stopped; /* the archive failed, as err says */
    struct fk_error err;
};

/* ---- events ------------------------------------------------------------------- */

static void emit(struct fk_update *u, struct job *job, struct fk_update_event *ev)
{
    if (job) {
        job->feed.url = job->url;
        job->feed.feed_url = job->feed_url;
        job->feed.moved_to = job->moved_to;
        ev->feed = &job->feed;
        if (!ev->url)
            ev->url = job->url;
        if (!ev->page)
            ev->page = job->page;
    }
    if (u->on_event)
        u->on_event(ev, u->ctx);
}

/* The feed's run ended (its last event, unless it FAILED, is sent here). */
static void finish(struct fk_update *u, struct job *job)
{
    for (int i = 0; i < FK_PUT_COUNT; i++)
        u->totals.counts[i] += job->feed.counts[i];
    if (job->state == JOB_NOT_MODIFIED)
        u->totals.not_modified++;
    if (job->state == JOB_FAILED)
        return;
    struct fk_update_event ev = {
        .kind = job->state == JOB_NOT_MODIFIED ? FK_UPDATE_NOT_MODIFIED : FK_UPDATE_FILED,
        .url = job->url,
        .page = 1,
    };
    emit(u, job, &ev);
}

/* The archive failed: the run stops (the batch's callback returns
 * non-zero) and fk_update_run reports err. */
static int db_failed(struct fk_update *u, const struct fk_error *err)
{
    u->err = *err;
    u->stopped = true;
    return -1;
}

/* A failure that is not the feed's own (a backfill page): the feed's
 * schedule is left alone. */
static void page_failed(struct fk_update *u, struct job *job, const char *why)
{
    struct fk_update_event ev = {
        .kind = FK_UPDATE_PAGE_FAILED, .url = job->page_url, .message = why};
    u->totals.failed++;
    emit(u, job, &ev);
}

static int feed_failed(struct fk_update *u, struct job *job, const struct fk_fetch_attempt *a)
{
    struct fk_fetch_schedule schedule;
    struct fk_error err = {0};

    if (fk_store_log_fetch(u->store, job->feed.id, a, &schedule, &err) < 0)
        return db_failed(u, &err);
    job->state = JOB_FAILED;
    u->totals.failed++;
    struct fk_update_event ev = {
        .kind = FK_UPDATE_FAILED,
        .message = a->error,
        .time = a->time,
        .failures = schedule.failures,
        .next_fetch = schedule.next_fetch,
    };
    emit(u, job, &ev);
    finish(u, job);
    return 0;
}

/* ---- filing a body ---------------------------------------------------------------- */

/* Context of the archive callbacks. */
struct filing {
    struct fk_update *update;
    struct job *job;
    struct fk_fetch_attempt *attempt; /* NULL for backfill pages */
};

static void on_warning(const struct fk_item *item, const char *message, void *ctx)
{
    const struct filing *f = ctx;
    struct fk_update_event ev = {
        .kind = FK_UPDATE_ITEM_WARNING,
        .url = f->attempt ? f->job->url : f->job->page_url,
        .message = message,
        .item = item,
    };
    emit(f->update, f->job, &ev);
}

/* Log the fetch in the feed's transaction: the validators are committed
 * with the articles or not at all. */
static int log_with_articles(struct fk_store *store, int64_t feed_id,
                             const struct fk_archive_result *result, void *ctx,
                             struct fk_error *err)
{
    struct filing *f = ctx;
    f->attempt->new_count = result->counts[FK_PUT_NEW];
    f->attempt->updated_count = result->counts[FK_PUT_UPDATED];
    return fk_store_log_fetch(store, feed_id, f->attempt, NULL, err);
}

/* File a response body under the job's feed. Returns 0 when filed, 1 when
 * the body was refused (*why says why, to free), -1 on a database error. */
static int file_body(struct fk_update *u, struct job *job, const struct fk_fetch_result *r,
                     struct fk_fetch_attempt *attempt, long *items, char **why)
{
    struct filing f = {u, job, attempt};
    struct fk_archive_options options = {
        .feed_url = job->feed_url,
        .base_url = r->final_url ? r->final_url : r->url,
        .charset = r->charset,
        .charset_from_transport = true,
        .on_warning = on_warning,
        .before_commit = attempt ? log_with_articles : NULL,
        .ctx = &f,
    };
    /* The body as received (before decoding), with its headers: the media
     * type with the charset it was declared in. */
    struct fk_buf type = FK_BUF_INIT;
    if (r->content_type)
        fk_buf_printf(&type, "%s%s%s", r->content_type, r->charset ? "; charset=" : "",
                      r->charset ? r->charset : "");
    struct fk_raw_document raw = {
        .url = r->final_url ? r->final_url : r->url,
        .time = (int64_t)time(NULL),
        .status = r->http_status,
        .content_type = r->content_type ? type.data : NULL,
        .etag = r->etag,
        .last_modified = r->last_modified,
        .data = r->body,
        .size = r->body_len,
    };
    options.raw = &raw;
    struct fk_archive_result result;
    struct fk_error err = {0};
    int ret = 0;

    if (fk_archive_memory(u->store, r->body, r->body_len, &options, &result, &err) < 0) {
        if (err.kind == FK_ERROR_DB || err.kind == FK_ERROR_BUSY) {
            ret = db_failed(u, &err);
        } else {
            *why = u->opts.clean_message ? u->opts.clean_message(err.message)
                                         : fk_xstrdup(err.message);
            ret = 1;
        }
        goto out;
    }
    for (int i = 0; i < FK_PUT_COUNT; i++)
        job->feed.counts[i] += result.counts[i];
    *items = result.items;
    if (!job->feed.matched)
        job->feed.matched_id = result.matched_id;
    job->feed.matched += result.matched;
    if (result.info.charset_note || !result.info.well_formed) {
        struct fk_update_event ev = {
            .kind = FK_UPDATE_RECOVERED,
            .url = attempt ? job->url : job->page_url,
            .info = &result.info,
        };
        emit(u, job, &ev);
    }
out:
    fk_buf_release(&type);
    fk_archive_result_release(&result);
    return ret;
}

/* ---- the transfers ------------------------------------------------------------------ */

/* Queue the next backfill page, or finish the job. */
static void next_page(struct fk_update *u, struct job *job)
{
    if (job->page >= u->opts.pages) {
        finish(u, job);
        return;
    }
    job->page++;
    free(job->page_url);
    struct fk_buf url = FK_BUF_INIT;
    fk_buf_printf(&url, "%s%cpage=%d", job->feed_url, strchr(job->feed_url, '?') ? '&' : '?',
                  job->page);
    job->page_url = fk_buf_detach(&url);
    struct fk_fetch_request req = {.url = job->page_url, .user = job};
    struct fk_error err = {0};
    if (fk_fetch_add(u->fetch, &req, &err) < 0) {
        page_failed(u, job, err.message);
        finish(u, job);
    }
}

/* The schemes a subscription may have, with the "//" they take. */
static const char *const fetched_schemes[] = {"http://", "https://", "file://"};

/* Whether a redirect's target can be a subscription: a URL of a scheme
 * that is fetched, printable ASCII without spaces (it is shown and
 * stored as it is). */
static bool can_subscribe(const char *url)
{
    size_t rest = 0;
    for (size_t i = 0; i < sizeof fetched_schemes / sizeof fetched_schemes[0]; i++) {
        size_t len = strlen(fetched_schemes[i]);
        if (strncasecmp(url, fetched_schemes[i], len) == 0)
            rest = len;
    }
    if (!rest || !url[rest])
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= ' ' || *p > '~')
            return false;
    }
    return true;
}

/* A permanent redirect of a feed that was fetched: reported, and with
 * follow_moves the subscription is changed. */
static int moved(struct fk_update *u, struct job *job, const char *target)
{
    struct fk_error err = {0};
    if (!can_subscribe(target))
        return 0;
    /* The move was seen before when the feed's last fetch recorded the
     * same target: the front end may report it once, not at every run. */
    job->feed.known_move = job->known_move && strcmp(job->known_move, target) == 0;
    free(job->moved_to);
    job->moved_to = fk_xstrdup(target);
    /* Moved onto a feed the archive has: following would make two
     * subscriptions one, so it is for the user to end this one. */
    struct fk_subscription other;
    int found = fk_store_find_feed(u->store, target, 0, &other, &err);
    if (found < 0)
        return db_failed(u, &err);
    if (found == 0) {
        if (other.id != job->feed.id)
            job->feed.moved_onto = other.id;
        fk_subscription_release(&other);
    }
    if (u->opts.follow_moves && !job->feed.moved_onto) {
        int rc = fk_store_move_feed(u->store, job->feed.id, target, &err);
        if (rc < 0)
            return db_failed(u, &err);
        if (rc == 0) {
            job->feed.followed = true;
            free(job->feed_url);
            job->feed_url = fk_xstrdup(target);
        }
    }
    struct fk_update_event ev = {.kind = FK_UPDATE_MOVED};
    emit(u, job, &ev);
    return 0;
}

/* The feed's assets may come from a loopback, link-local or private
 * address only when the feed itself did (FK_FEED_PRIVATE_ORIGIN), so a feed
 * from the Internet cannot make a run probe the local network. A feed read
 * without a connection (file://) keeps its setting. Outside the feed's
 * transaction. */
static int note_origin(struct fk_update *u, struct job *job, const char *address)
{
    enum fk_netaddr_class class;
    struct fk_error err = {0};
    if (!address || !fk_netaddr_class_of_text(address, &class))
        return 0;
    bool private_origin = class == FK_NETADDR_LOOPBACK || class == FK_NETADDR_PRIVATE ||
                          class == FK_NETADDR_LINK_LOCAL;
    if (private_origin == job->private_origin)
        return 0;
    if (fk_store_set_feed_option(u->store, job->feed.id, FK_FEED_PRIVATE_ORIGIN, private_origin,
                                 &err) < 0)
        return db_failed(u, &err);
    job->private_origin = private_origin;
    return 0;
}

static int feed_done(struct fk_update *u, struct job *job, const struct fk_fetch_result *r)
{
    struct fk_fetch_attempt a = {
        .time = (int64_t)time(NULL),
        .status = r->http_status,
        .bytes = (int64_t)r->bytes_received,
        .duration_ms = r->duration_ms,
        .retry_after = FK_TIME_NONE,
    };
    struct fk_error err = {0};

    if (r->error != FK_FETCH_OK) {
        a.error = r->message;
        a.retry_after = r->retry_after;
        return feed_failed(u, job, &a);
    }
    a.etag = r->etag;
    a.last_modified = r->last_modified;
    a.final_url = r->final_url;
    a.moved_to = r->moved_to;
    if (r->http_status == 304) {
        if (fk_store_log_fetch(u->store, job->feed.id, &a, NULL, &err) < 0)
            return db_failed(u, &err);
        job->state = JOB_NOT_MODIFIED;
    } else {
        char *why = NULL;
        long items = 0;
        int rc = file_body(u, job, r, &a, &items, &why);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            /* Refused bodies are logged as failures, outside the feed's
             * transaction, which was rolled back. */
            a.error = why;
            rc = feed_failed(u, job, &a);
            free(why);
            return rc;
        }
        job->state = JOB_ARCHIVED;
    }
    if (r->moved_to && moved(u, job, r->moved_to) < 0)
        return -1;
    if (note_origin(u, job, r->primary_ip) < 0)
        return -1;
    next_page(u, job);
    return 0;
}

/* A backfill page: filed like the feed, but not logged; a missing or
 * empty page is the end of the walk. */
static int page_done(struct fk_update *u, struct job *job, const struct fk_fetch_result *r)
{
    if (r->error != FK_FETCH_OK || r->http_status == 304) {
        if (r->error != FK_FETCH_OK && !(r->error == FK_FETCH_HTTP && r->http_status == 404))
            page_failed(u, job, r->message);
        finish(u, job);
        return 0;
    }
    char *why = NULL;
    long items = 0;
    int rc = file_body(u, job, r, NULL, &items, &why);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        page_failed(u, job, why);
        free(why);
        finish(u, job);
        return 0;
    }
    if (items == 0) {
        finish(u, job);
        return 0;
    }
    job->feed.pages++;
    next_page(u, job);
    return 0;
}

static int on_done(const struct fk_fetch_result *r, void *ctx)
{
    struct fk_update *u = ctx;
    struct job *job = r->user;
    int rc = job->page == 1 ? feed_done(u, job, r) : page_done(u, job, r);
    return rc < 0 ? 1 : 0; /* a database error stops the run */
}

/* ---- the run --------------------------------------------------------------------------- */

void fk_update_options_init(struct fk_update_options *opts)
{
    memset(opts, 0, sizeof *opts);
    fk_fetch_options_init(&opts->fetch);
    opts->pages = 1;
}

struct fk_update *fk_update_new(struct fk_store *store, const struct fk_update_options *opts,
                                int64_t now)
{
    struct fk_update *u = fk_xcalloc(1, sizeof *u);
    u->store = store;
    u->opts = *opts;
    u->now = now;
    return u;
}

int fk_update_add(struct fk_update *u, const struct fk_subscription *sub)
{
    for (size_t i = 0; i < u->totals.feeds; i++) {
        if (u->jobs[i].feed.id == sub->id)
            return 1;
    }
    if (!u->opts.force && sub->next_fetch != FK_TIME_NONE && sub->next_fetch > u->now) {
        u->totals.not_due++;
        return 2;
    }
    if (u->totals.feeds == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 64;
        u->jobs = fk_xrealloc(u->jobs, u->cap * sizeof *u->jobs);
    }
    struct job *job = &u->jobs[u->totals.feeds++];
    memset(job, 0, sizeof *job);
    job->feed.id = sub->id;
    job->url = fk_xstrdup(sub->url);
    job->feed_url = fk_xstrdup(sub->url);
    if (sub->moved_to)
        job->known_move = fk_xstrdup(sub->moved_to);
    /* force: as if the archive had never fetched the feed. */
    if (!u->opts.force && sub->last_body_fetch != FK_TIME_NONE &&
        u->now - sub->last_body_fetch < FK_UPDATE_VALIDATORS_TRUSTED_FOR) {
        job->etag = fk_xstrdup(sub->etag);
        job->last_modified = fk_xstrdup(sub->last_modified);
    }
    job->page = 1;
    job->private_origin = sub->private_origin;
    return 0;
}

static int add_if_due(const struct fk_subscription *sub, void *ctx)
{
    (void)fk_update_add(ctx, sub);
    return 0;
}

int fk_update_add_due(struct fk_update *u, struct fk_error *err)
{
    return fk_store_list_feeds(u->store, FK_FEEDS_SUBSCRIBED, u->now, add_if_due, u, err);
}

enum fk_update_end fk_update_run(struct fk_update *u, fk_update_event_fn on_event, void *ctx,
                                 struct fk_error *err)
{
    if (u->ran) {
        fk_error_set(err, FK_ERROR_USAGE, "the fetch run has been run already");
        return FK_UPDATE_NOT_STARTED;
    }
    u->ran = true;
    if (!u->totals.feeds)
        return FK_UPDATE_COMPLETE;
    u->on_event = on_event;
    u->ctx = ctx;
    u->fetch = fk_fetch_new(&u->opts.fetch, err);
    if (!u->fetch)
        return FK_UPDATE_NOT_STARTED;
    for (size_t i = 0; i < u->totals.feeds; i++) {
        struct job *job = &u->jobs[i];
        struct fk_fetch_request req = {
            .url = job->url,
            .etag = job->etag,
            .last_modified = job->last_modified,
            .user = job,
        };
        if (fk_fetch_add(u->fetch, &req, err) < 0)
            return FK_UPDATE_NOT_STARTED;
    }
    struct fk_update_event ev = {.kind = FK_UPDATE_STARTED};
    emit(u, NULL, &ev);
    if (fk_fetch_run(u->fetch, on_done, u, err) < 0) {
        if (u->stopped) {
            if (err)
                *err = u->err;
            return FK_UPDATE_STOPPED;
        }
        /* The callback stops the batch only after a database error: this
         * is the transport's. */
        return FK_UPDATE_CUT;
    }
    return FK_UPDATE_COMPLETE;
}

const struct fk_update_totals *fk_update_totals(const struct fk_update *u)
{
    return &u->totals;
}

void fk_update_free(struct fk_update *u)
{
    if (!u)
        return;
    fk_fetch_free(u->fetch);
    for (size_t i = 0; i < u->totals.feeds; i++) {
        struct job *job = &u->jobs[i];
        free(job->url);
        free(job->feed_url);
        free(job->moved_to);
        free(job->known_move);
        free(job->etag);
        free(job->last_modified);
        free(job->page_url);
    }
    free(u->jobs);
    free(u);
}
