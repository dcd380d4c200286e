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
 *
 * Once a feed's run ended, the articles of the feed that want their page
 * (full_text on, or auto and a teaser; never fetched for the item's
 * current source, or in a backoff that is over) are queued in the same
 * batch, so the per-host limit holds for feeds and pages together, up to
 * the run's cap. A page is fetched public-only unless its feed is on a
 * private address itself; its article is extracted, converted and filed
 * in a transaction of its own.
 */
#include "feedkeep/update.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/archive.h"
#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/decode.h"
#include "feedkeep/netaddr.h"
#include "feedkeep/teaser.h"

enum job_state { JOB_QUEUED, JOB_ARCHIVED, JOB_NOT_MODIFIED, JOB_FAILED };

/* What a request of the batch is for: its user pointer points to one of
 * these, first in struct job and struct page_job. */
enum request_kind { REQUEST_FEED, REQUEST_ARTICLE_PAGE, REQUEST_API };

struct job;

/* An article a list gave that the archive does not have as it is. */
struct api_want {
    int64_t id;     /* at the API */
    int64_t edited; /* as listed */
    char *url;
};

/* A source waiting for the article of another's call (its want[want]). */
struct api_waiter {
    struct api_job *api;
    size_t want;
};

/* A dev.to API subscription's walk: its list pages, then one article call
 * for each article that is new or edited since it was filed. One request
 * of it is in flight at a time. */
struct api_job {
    enum request_kind kind; /* REQUEST_API: the user pointer of its requests */
    struct job *job;
    struct fk_devto_source source;
    int per_page, max_pages;
    int64_t article; /* the article call in flight; 0: a list page */
    char *url;       /* of the request in flight */
    int tries;       /* 429s in a row for it */
    int64_t first;   /* the first article of the last list page */
    /* Other sources of the run whose walk lists the article in flight:
     * they record it as theirs once it is filed, instead of asking for it
     * again at the same time. */
    struct api_waiter *waiters;
    size_t nwaiters;
    int waits;             /* articles of others' calls this walk waits for */
    bool walk_done;        /* every call of its own is over */
    struct api_want *want; /* the articles to fetch, in list order */
    size_t nwant, cap, next;
    bool incomplete; /* something failed: the list's validators are not
                        kept, so the next run asks again */
    /* the first list page's fetch, logged when the walk ends */
    struct fk_fetch_attempt attempt;
    char *etag, *last_modified, *final_url;
};

/* One feed of the run, from its request to its last event. */
struct job {
    enum request_kind kind;
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
    bool private_origin; /* the feed's setting as the run found it, or as
                            its response's address made it: its assets and
                            article pages may be on private addresses */
    enum fk_full_text full_text;
    struct api_job *api; /* a dev.to API subscription, else NULL */
};

/* One article page of the run. */
struct page_job {
    enum request_kind kind;
    size_t job;         /* the feed's, in fk_update.jobs */
    int64_t article_id; /* the article */
    char *url;          /* the item's link */
    struct page_job *next;
};

struct fk_update {
    struct fk_store *store;
    struct fk_update_options opts;
    int64_t now;
    struct job *jobs;
    size_t cap;
    struct fk_update_totals totals;
    bool ran;
    struct page_job *page_jobs; /* article pages queued, newest first */
    /* During fk_update_run: */
    struct fk_fetch *fetch;
    fk_update_event_fn on_event;
    void *ctx;
    bool stopped; /* the archive failed, as err says */
    struct fk_error err;
    int64_t api_next; /* the API's next request starts no sooner
                         (monotonic ms) */
    int64_t renewed;  /* when the run's claims were last renewed */
};

/* The run's lease on the feeds it claimed (fk_store_claim_feeds). */
static long lease_of(const struct fk_update *u)
{
    return u->opts.lease > 0 ? u->opts.lease : FK_UPDATE_DEFAULT_LEASE;
}

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

static void queue_article_pages(struct fk_update *u, struct job *job);
static void api_start(struct fk_update *u, struct job *job);
static int api_done(struct fk_update *u, struct api_job *api, const struct fk_fetch_result *r);

/* The feed's run ended (its last event, unless it FAILED, is sent here),
 * and the pages of its articles that are wanted are queued. */
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
    queue_article_pages(u, job);
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

/* Times a document is filed when the server rolls it back as busy. */
#define FILE_TRIES 3

/* File a response body under the job's feed. Returns 0 when filed, 1 when
 * the body was refused (*why says why, to free), -1 on a database error. */
static int file_body(struct fk_update *u, struct job *job, const struct fk_fetch_result *r,
                     struct fk_fetch_attempt *attempt, long *items, char **why)
{
    struct filing f = {u, job, attempt};
    struct fk_archive_warned warned = {0};
    struct fk_archive_options options = {
        .feed_url = job->feed_url,
        .base_url = r->final_url ? r->final_url : r->url,
        .charset = r->charset,
        .charset_from_transport = true,
        .on_warning = on_warning,
        .before_commit = attempt ? log_with_articles : NULL,
        .warned = &warned,
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

    /* On PostgreSQL two fetchers filing documents that carry the same
     * articles in opposite orders can deadlock: the server rolls one back
     * (busy), which is filed again, whole, a moment later. */
    int rc;
    for (int tries = 1;; tries++) {
        rc = fk_archive_memory(u->store, r->body, r->body_len, &options, &result, &err);
        if (rc == 0 || err.kind != FK_ERROR_BUSY || !fk_store_is_postgresql(u->store) ||
            tries == FILE_TRIES)
            break;
        fk_archive_result_release(&result);
        nanosleep(&(struct timespec){.tv_nsec = (20 + (long)getpid() % 80) * 1000L * 1000}, NULL);
        err = (struct fk_error){0};
    }
    if (rc < 0) {
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

/* ---- article pages -------------------------------------------------------------- */

/* An article whose page is wanted, copied from the walk. */
struct wanted_page {
    int64_t article_id;
    char *url;
    char *etag; /* of the page stored, for a conditional GET */
    char *last_modified;
    bool wanted; /* false: no teaser (auto), recorded as skipped */
};

struct page_walk {
    const struct job *job;
    long room; /* pages the run may still fetch */
    struct wanted_page *pages;
    size_t count, cap;
    long wanted;
    bool capped;
};

static int collect_page(const struct fk_page_due *due, void *ctx)
{
    struct page_walk *walk = ctx;
    /* A page stored before was wanted then: the item changed, and a
     * conditional GET tells whether the page did. */
    bool wanted = !fk_teaser_whole_site(due->url) && !fk_teaser_reserved_host(due->url) &&
                  (walk->job->full_text == FK_FULL_TEXT_ON || due->stored ||
                   fk_teaser_is(due->html, due->text, due->url));
    if (wanted && walk->wanted == walk->room) {
        walk->capped = true;
        return 1;
    }
    if (walk->count == walk->cap) {
        walk->cap = walk->cap ? walk->cap * 2 : 16;
        walk->pages = fk_xrealloc(walk->pages, walk->cap * sizeof *walk->pages);
    }
    struct wanted_page *page = &walk->pages[walk->count++];
    page->article_id = due->article_id;
    page->url = fk_xstrdup(due->url);
    page->etag = due->stored ? fk_xstrdup(due->etag) : NULL;
    page->last_modified = due->stored ? fk_xstrdup(due->last_modified) : NULL;
    page->wanted = wanted;
    walk->wanted += wanted;
    return 0;
}

/* Whether the run has the page of article id already (from another feed
 * that carries the article). */
static bool page_queued(const struct fk_update *u, int64_t id)
{
    for (const struct page_job *pj = u->page_jobs; pj; pj = pj->next) {
        if (pj->article_id == id)
            return true;
    }
    return false;
}

/* Queue the wanted pages of the articles of job's feed, as many as the run
 * has room for, and record the others as not wanted. Called when the
 * feed's run ended; a database error stops the run. */
static void queue_article_pages(struct fk_update *u, struct job *job)
{
    struct fk_error err = {0};
    if (job->full_text == FK_FULL_TEXT_OFF || !u->fetch || job->api)
        return; /* an API's articles are whole */
    /* The whole feed is on a site that carries whole articles. */
    if (fk_teaser_whole_site(job->feed_url) || fk_teaser_whole_site(job->url))
        return;
    struct page_walk walk = {.job = job, .room = u->opts.article_pages - u->totals.article_pages};
    if (walk.room <= 0) {
        u->totals.article_pages_capped = u->opts.article_pages > 0;
        return;
    }
    int rc = fk_store_list_due_pages(u->store, job->feed.id, job->full_text, u->now, collect_page,
                                     &walk, &err);
    if (rc < 0)
        db_failed(u, &err);
    if (walk.capped)
        u->totals.article_pages_capped = true;
    /* The articles that want no page, recorded as such at once. */
    int64_t *skipped = fk_xcalloc(walk.count + 1, sizeof *skipped);
    const char **skipped_urls = fk_xcalloc(walk.count + 1, sizeof *skipped_urls);
    size_t nskipped = 0;
    for (size_t i = 0; i < walk.count; i++) {
        if (!walk.pages[i].wanted) {
            skipped[nskipped] = walk.pages[i].article_id;
            skipped_urls[nskipped++] = walk.pages[i].url;
        }
    }
    if (!u->stopped && nskipped &&
        fk_store_pages_skipped(u->store, skipped, skipped_urls, nskipped, &err) < 0)
        db_failed(u, &err);
    free(skipped);
    free(skipped_urls);
    for (size_t i = 0; i < walk.count; i++) {
        struct wanted_page *page = &walk.pages[i];
        if (!u->stopped && page->wanted && !page_queued(u, page->article_id)) {
            struct page_job *pj = fk_xcalloc(1, sizeof *pj);
            pj->kind = REQUEST_ARTICLE_PAGE;
            pj->job = (size_t)(job - u->jobs);
            pj->article_id = page->article_id;
            pj->url = fk_xstrdup(page->url);
            pj->next = u->page_jobs;
            u->page_jobs = pj;
            struct fk_fetch_request req = {
                .url = pj->url,
                .etag = page->etag,
                .last_modified = page->last_modified,
                .user = pj,
                .public_only = !job->private_origin,
                .max_body = FK_UPDATE_ARTICLE_PAGE_MAX,
            };
            if (fk_fetch_add(u->fetch, &req, &err) < 0)
                db_failed(u, &err);
            else
                u->totals.article_pages++;
        }
        free(page->url);
        free(page->etag);
        free(page->last_modified);
    }
    free(walk.pages);
}

/* The page failed (message); final: it cannot be used until the item
 * changes. */
static int article_page_failed(struct fk_update *u, struct page_job *pj,
                               const struct fk_fetch_result *r, const char *message, bool final)
{
    struct fk_fetch_schedule schedule;
    struct fk_error err = {0};
    int64_t now = (int64_t)time(NULL);
    int64_t retry_after = r ? r->retry_after : FK_TIME_NONE;
    if (fk_store_page_failed(u->store, pj->article_id, pj->url, message, r ? r->http_status : 0,
                             now, retry_after, final, &schedule, &err) < 0)
        return db_failed(u, &err);
    u->totals.article_pages_failed++;
    struct fk_update_event ev = {
        .kind = FK_UPDATE_ARTICLE_PAGE_FAILED,
        .url = pj->url,
        .message = message,
        .time = now,
        .failures = schedule.failures,
        .next_fetch = schedule.next_fetch,
        .article_id = pj->article_id,
    };
    emit(u, &u->jobs[pj->job], &ev);
    return 0;
}

/* Whether a failed fetch of a page is for good: a page too large, refused,
 * at a URL that cannot be fetched, or a client error other than those
 * that say "later" (408 timeout, 425 too early, 429 too many requests). */
static bool failed_for_good(const struct fk_fetch_result *r)
{
    switch (r->error) {
    case FK_FETCH_TOO_LARGE:
    case FK_FETCH_REFUSED:
    case FK_FETCH_BAD_URL:
    case FK_FETCH_REDIRECT:
        return true;
    case FK_FETCH_HTTP:
        return r->http_status >= 400 && r->http_status < 500 && r->http_status != 408 &&
               r->http_status != 425 && r->http_status != 429;
    default:
        return false;
    }
}

/* Media types a page's article can be read from; a page without one is
 * told by its bytes (fk_extract_page refuses a PDF, an image...). */
static const char *const page_types[] = {"text/html", "application/xhtml+xml"};

static bool is_page_type(const char *type)
{
    if (!type)
        return true;
    for (size_t i = 0; i < sizeof page_types / sizeof page_types[0]; i++) {
        if (strcmp(type, page_types[i]) == 0)
            return true;
    }
    return false;
}

/* File the article extracted from html (a body, or the page stored
 * before when the server answered 304). Returns 0, or -1 after a
 * database error. */
static int file_article_page(struct fk_update *u, struct page_job *pj, const struct fk_page *page,
                             const struct fk_content *content, bool report)
{
    struct fk_error err = {0};
    enum fk_page_result result;
    int rc = fk_store_put_page(u->store, page, content, &result, &err);
    if (rc < 0)
        return db_failed(u, &err);
    if (rc == 1)
        return 0; /* the article is gone */
    if (result == FK_PAGE_USED && report)
        u->totals.article_pages_used++;
    if (result == FK_PAGE_USED || result == FK_PAGE_SAME) {
        /* The page's images are the article's (again: the feed's item,
         * filed since, may have set its own). */
        if (fk_store_sync_article_assets(u->store, pj->article_id, content, &err) < 0)
            return db_failed(u, &err);
    }
    if (!report)
        return 0;
    if (result == FK_PAGE_EMPTY || result == FK_PAGE_KEPT)
        u->totals.article_pages_failed++;
    struct fk_update_event ev = {
        .kind = FK_UPDATE_ARTICLE_PAGE,
        .url = pj->url,
        .article_id = pj->article_id,
        .page_result = result,
    };
    emit(u, &u->jobs[pj->job], &ev);
    return 0;
}

/* The article of a page: extracted from a body, or the one stored before
 * when the server answered 304 to its validators (it is filed again, for
 * the item's new source: the feed may have replaced the article's text). */
struct page_source {
    struct fk_extract extract; /* of a body */
    struct fk_page_row row;    /* after a 304 */
    const char *html;          /* either's */
    const char *base_url;
    const char *title;
    const char *byline;
};

/* The page's body in UTF-8 after a byte order mark, into out, when the
 * response's Content-Type names its charset: that beats the page's own
 * <meta charset> (as in a browser), and the extractor reads a byte order
 * mark before anything else. False when there is nothing to do (no
 * charset, a byte order mark already, a charset no one knows). */
static bool page_in_utf8(const struct fk_fetch_result *r, struct fk_buf *out)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (!r->charset || !r->body ||
        (r->body_len >= 2 && ((unsigned char)r->body[0] >= 0xFE || memcmp(r->body, bom, 3) == 0)))
        return false;
    struct fk_decoder *decoder = fk_decode_new(r->charset, true, NULL);
    if (!decoder)
        return false;
    fk_buf_init(out, FK_UPDATE_ARTICLE_PAGE_MAX * 4 + 3);
    bool ok = fk_buf_add(out, bom, 3) == 0;
    /* In chunks such as a read gives, as the decoder expects. */
    for (size_t at = 0; ok && at < r->body_len;) {
        size_t chunk = r->body_len - at < 65536 ? r->body_len - at : 65536;
        const char *utf8 = NULL;
        size_t len = fk_decode_push(decoder, r->body + at, chunk, at + chunk == r->body_len, &utf8);
        ok = fk_buf_add(out, utf8, len) == 0;
        at += chunk;
    }
    fk_decode_free(decoder);
    return ok;
}

/* Fill source from r. Returns 0, 1 when the page cannot be used (*why
 * says why, to free; final: until the item changes), -1 after a database
 * error. */
static int read_page_source(struct fk_update *u, struct page_job *pj,
                            const struct fk_fetch_result *r, struct page_source *source, char **why,
                            bool *final)
{
    struct fk_error err = {0};
    *final = true;
    if (r->http_status == 304) {
        int found = fk_store_get_page(u->store, pj->article_id, &source->row, &err);
        if (found < 0)
            return db_failed(u, &err);
        if (found > 0 || !source->row.html) {
            *why = fk_xstrdup("not modified, but no page is kept");
            *final = false;
            return 1;
        }
        source->html = source->row.html;
        source->base_url = source->row.base_url;
        source->title = source->row.title;
        source->byline = source->row.byline;
        return 0;
    }
    if (!is_page_type(r->content_type)) {
        struct fk_buf message = FK_BUF_INIT;
        fk_buf_printf(&message, "not an HTML page (%s)", r->content_type);
        *why = fk_buf_detach(&message);
        return 1;
    }
    const char *url = r->final_url ? r->final_url : r->url;
    struct fk_buf utf8 = FK_BUF_INIT;
    bool decoded = page_in_utf8(r, &utf8);
    int rc = fk_extract_page(decoded ? utf8.data : r->body, decoded ? utf8.len : r->body_len, url,
                             &source->extract, &err);
    fk_buf_release(&utf8);
    if (rc < 0) {
        *why = fk_xstrdup(err.message);
        return 1;
    }
    source->html = source->extract.html;
    source->base_url = source->extract.base_url ? source->extract.base_url : url;
    source->title = source->extract.title;
    source->byline = source->extract.byline;
    return 0;
}

/* After a fetch of the page that gave nothing: the page the archive kept
 * is the article's text again when it is longer than the feed's (the feed
 * replaced the item's text since), as a 304 would have made it, and its
 * images are the article's again (filing the item's new source set the
 * feed's). Returns 0, or -1 after a database error. */
static int restore_kept_page(struct fk_update *u, struct page_job *pj)
{
    struct fk_page_row row;
    struct fk_content content = {0};
    struct fk_error err = {0};
    int found = fk_store_get_page(u->store, pj->article_id, &row, &err);
    if (found < 0)
        return db_failed(u, &err);
    int ret = 0;
    if (found == 0 && row.html &&
        fk_content_from_html(row.html, strlen(row.html), row.base_url, &content, &err) == 0) {
        struct fk_page page = {
            .article_id = pj->article_id,
            .url = row.url,
            .time = row.stored,
            .http_status = row.http_status,
            .etag = row.etag,
            .last_modified = row.last_modified,
            .base_url = row.base_url,
            .html = row.html,
            .title = row.title,
            .byline = row.byline,
        };
        ret = file_article_page(u, pj, &page, &content, false);
    }
    fk_content_release(&content);
    fk_page_row_release(&row);
    return ret;
}

static int article_page_done(struct fk_update *u, struct page_job *pj,
                             const struct fk_fetch_result *r)
{
    if (r->error != FK_FETCH_OK)
        return restore_kept_page(u, pj) < 0
                   ? -1
                   : article_page_failed(u, pj, r, r->message ? r->message : "failed",
                                         failed_for_good(r));
    struct page_source source = {0};
    struct fk_content content = {0};
    struct fk_error err = {0};
    char *why = NULL;
    bool final = true;
    int ret = read_page_source(u, pj, r, &source, &why, &final);
    if (ret == 0 && fk_content_from_html(source.html, strlen(source.html), source.base_url,
                                         &content, &err) < 0) {
        why = fk_xstrdup(err.message);
        ret = 1;
    }
    if (ret == 0) {
        struct fk_page page = {
            .article_id = pj->article_id,
            .url = pj->url,
            .time = (int64_t)time(NULL),
            .http_status = r->http_status,
            .etag = r->etag ? r->etag : source.row.etag,
            .last_modified = r->last_modified ? r->last_modified : source.row.last_modified,
            .base_url = source.base_url,
            .html = source.html,
            .title = source.title,
            .byline = source.byline,
        };
        ret = file_article_page(u, pj, &page, &content, true);
    } else if (ret > 0) {
        ret = restore_kept_page(u, pj) < 0 ? -1 : article_page_failed(u, pj, r, why, final);
    }
    free(why);
    fk_content_release(&content);
    fk_extract_release(&source.extract);
    fk_page_row_release(&source.row);
    return ret;
}

static int on_done(const struct fk_fetch_result *r, void *ctx)
{
    struct fk_update *u = ctx;
    int rc;
    enum request_kind kind = *(const enum request_kind *)r->user;
    if (kind == REQUEST_ARTICLE_PAGE) {
        rc = article_page_done(u, r->user, r);
    } else if (kind == REQUEST_API) {
        rc = api_done(u, r->user, r);
    } else {
        struct job *job = r->user;
        rc = job->page == 1 ? feed_done(u, job, r) : page_done(u, job, r);
    }
    /* Claims are renewed at a quarter of their lease: a run that outlives
     * its lease keeps its feeds. */
    int64_t t = (int64_t)time(NULL);
    if (rc >= 0 && !u->stopped && t - u->renewed >= lease_of(u) / 4) {
        u->renewed = t;
        if (fk_store_renew_claims(u->store, lease_of(u), &u->err) < 0) {
            u->stopped = true;
            rc = -1;
        }
    }
    return rc < 0 || u->stopped ? 1 : 0; /* a database error stops the run */
}

/* ---- dev.to's API ------------------------------------------------------------------------ */

/* A 429 or 503 is waited for within the run when the server asks for no
 * more than this (seconds); a request is made API_TRIES times at most. */
#define API_RETRY_WAIT_MAX 120
#define API_TRIES          3

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queue the API request for url (api->url, api->article say what it is),
 * paced: no sooner than the run's interval after the API's last one, nor
 * than wait_ms from now. */
static void api_request(struct fk_update *u, struct api_job *api, const char *etag,
                        const char *last_modified, int64_t wait_ms)
{
    int64_t now = monotonic_ms();
    int64_t at = now + wait_ms > u->api_next ? now + wait_ms : u->api_next;
    u->api_next = at + u->opts.api_interval_ms;
    struct fk_buf key = FK_BUF_INIT;
    const char *headers[3] = {"Accept: " FK_DEVTO_ACCEPT, NULL, NULL};
    if (u->opts.devto_api_key && *u->opts.devto_api_key) {
        fk_buf_printf(&key, "api-key: %s", u->opts.devto_api_key);
        headers[1] = key.data;
    }
    struct fk_fetch_request req = {
        .url = api->url,
        .etag = etag,
        .last_modified = last_modified,
        .user = api,
        .headers = headers,
        .delay_ms = (long)(at - now),
    };
    struct fk_error err = {0};
    /* fails only without a URL, which every API request has */
    (void)fk_fetch_add(u->fetch, &req, &err);
    fk_buf_release(&key);
}

static void api_list_page(struct fk_update *u, struct api_job *api, int page)
{
    struct job *job = api->job;
    job->page = page;
    api->article = 0;
    api->tries = 0;
    free(api->url);
    api->url = fk_devto_list_url(u->opts.devto_api, &api->source, api->per_page, page);
    free(job->page_url);
    job->page_url = fk_xstrdup(api->url);
    api_request(u, api, page == 1 ? job->etag : NULL, page == 1 ? job->last_modified : NULL, 0);
}

static void api_start(struct fk_update *u, struct job *job)
{
    free(job->feed_url);
    job->feed_url = fk_xstrdup(job->url);
    api_list_page(u, job->api, 1);
}

/* The walk ended: the first list page's fetch is logged, with its
 * validators only when nothing failed, and the feed's run ends. */
static int api_finish(struct fk_update *u, struct api_job *api)
{
    struct job *job = api->job;
    struct fk_fetch_attempt a = api->attempt;
    struct fk_error err = {0};
    a.new_count = job->feed.counts[FK_PUT_NEW];
    a.updated_count = job->feed.counts[FK_PUT_UPDATED];
    a.etag = api->incomplete ? NULL : api->etag;
    a.last_modified = api->incomplete ? NULL : api->last_modified;
    a.final_url = api->final_url;
    if (fk_store_log_fetch(u->store, job->feed.id, &a, NULL, &err) < 0)
        return db_failed(u, &err);
    if (job->state == JOB_QUEUED)
        job->state = JOB_ARCHIVED;
    finish(u, job);
    return 0;
}

/* Whether the article want, listed by api's feed, was filed as it is
 * since it was listed (by another feed of the run that lists it too): the
 * feed is then recorded as carrying it, and no call is made. Returns 1
 * when it was, 0 when not, -1 after a database error. */
static int api_filed_since(struct fk_update *u, struct api_job *api, const struct api_want *want)
{
    struct fk_item item = {.guid = want->url, .url = want->url};
    item.api.id = want->id;
    item.api.reading_minutes = item.api.reactions = item.api.comments = -1;
    struct fk_api_state state;
    struct fk_error err = {0};
    int rc = fk_store_api_state(u->store, api->job->feed_url, &item, &state, &err);
    if (rc < 0)
        return db_failed(u, &err);
    if (rc > 0 || !state.has_markdown || state.edited != want->edited)
        return 0;
    if (fk_store_begin_feed(u->store, api->job->feed_url, NULL, &err) < 0)
        return db_failed(u, &err);
    rc = fk_store_api_seen(u->store, state.article_id, &item, (int64_t)time(NULL), &err);
    struct fk_error end = {0};
    if (fk_store_end_feed(u->store, rc == 0, NULL, &end) < 0 && rc == 0) {
        err = end;
        rc = -1;
    }
    if (rc < 0)
        return db_failed(u, &err);
    api->job->feed.counts[FK_PUT_UNCHANGED]++;
    return 1;
}

/* The other source of the run whose article call in flight is id, if any. */
static struct api_job *api_in_flight(struct fk_update *u, const struct api_job *api, int64_t id)
{
    for (size_t i = 0; i < u->totals.feeds; i++) {
        struct api_job *other = u->jobs[i].api;
        if (other && other != api && other->article == id)
            return other;
    }
    return NULL;
}

/* The next article call, or the end of the walk. */
static int api_next_article(struct fk_update *u, struct api_job *api)
{
    int filed = 1;
    api->article = 0; /* the call before has ended */
    while (api->next < api->nwant) {
        struct api_job *owner = api_in_flight(u, api, api->want[api->next].id);
        if (owner) {
            owner->waiters =
                fk_xrealloc(owner->waiters, (owner->nwaiters + 1) * sizeof *owner->waiters);
            owner->waiters[owner->nwaiters++] = (struct api_waiter){api, api->next++};
            api->waits++;
            continue;
        }
        if ((filed = api_filed_since(u, api, &api->want[api->next])) != 1)
            break;
        api->next++;
    }
    if (filed < 0)
        return -1;
    if (api->next == api->nwant) {
        /* the feed's run ends when the calls it waits for have too */
        api->walk_done = true;
        return api->waits ? 0 : api_finish(u, api);
    }
    struct fk_update_event ev = {
        .kind = FK_UPDATE_API_PROGRESS,
        .done = (long)api->next,
        .total = (long)api->nwant,
    };
    emit(u, api->job, &ev);
    api->article = api->want[api->next++].id;
    api->tries = 0;
    free(api->url);
    api->url = fk_devto_article_url(u->opts.devto_api, api->article);
    free(api->job->page_url);
    api->job->page_url = fk_xstrdup(api->url);
    api_request(u, api, NULL, NULL, 0);
    return 0;
}

/* A 429 (or 503) with a Retry-After the run can wait for: the request is
 * queued again, and every request to the API waits as long. True when it
 * was. */
static bool api_retry(struct fk_update *u, struct api_job *api, const struct fk_fetch_result *r)
{
    if (r->error != FK_FETCH_HTTP || (r->http_status != 429 && r->http_status != 503) ||
        ++api->tries >= API_TRIES)
        return false;
    int64_t now = (int64_t)time(NULL);
    int64_t wait =
        r->retry_after != FK_TIME_NONE ? r->retry_after - now : (int64_t)api->tries * api->tries;
    if (r->http_status == 503 && r->retry_after == FK_TIME_NONE)
        return false; /* down, without a word of when: the feed's backoff */
    if (wait > API_RETRY_WAIT_MAX)
        return false;
    if (wait < 1)
        wait = 1;
    int64_t until = monotonic_ms() + wait * 1000;
    if (until > u->api_next)
        u->api_next = until;
    api_request(u, api, api->job->page == 1 && !api->article ? api->job->etag : NULL,
                api->job->page == 1 && !api->article ? api->job->last_modified : NULL, wait * 1000);
    return true;
}

/* What a list page's items tell: the articles to ask for. */
struct api_listing {
    struct fk_update *update;
    struct api_job *api;
    long listed;
    int64_t first; /* the page's first article */
    int64_t now;
    bool failed; /* the archive failed (update's err) */
};

static int on_listed(const struct fk_item *item, void *ctx)
{
    struct api_listing *l = ctx;
    struct api_job *api = l->api;
    struct fk_api_state state;
    struct fk_error err = {0};
    if (!item->api.id)
        return 0;
    if (!l->listed++)
        l->first = item->api.id;
    int rc = fk_store_api_state(l->update->store, api->job->feed_url, item, &state, &err);
    if (rc == 0 && state.has_markdown && state.edited == item->api.edited) {
        /* known as it is: only its counts are news */
        rc = fk_store_api_seen(l->update->store, state.article_id, item, l->now, &err);
        if (rc == 0) {
            api->job->feed.counts[FK_PUT_UNCHANGED]++;
            return 0;
        }
    }
    if (rc < 0) {
        db_failed(l->update, &err);
        l->failed = true;
        return 1;
    }
    for (size_t i = 0; i < api->nwant; i++)
        if (api->want[i].id == item->api.id)
            return 0; /* listed twice: pages moved as articles came */
    if (api->nwant == api->cap) {
        api->cap = api->cap ? api->cap * 2 : 64;
        api->want = fk_xrealloc(api->want, api->cap * sizeof *api->want);
    }
    api->want[api->nwant++] = (struct api_want){item->api.id, item->api.edited,
                                                fk_xstrdup(item->url ? item->url : item->guid)};
    return 0;
}

/* A list page came: the articles it lists that are new or edited are
 * queued, the counts of the others recorded in one transaction. Returns
 * 0, 1 when the page could not be read (*why, to free), -1 after a
 * database error. */
static int api_read_list(struct fk_update *u, struct api_job *api, const struct fk_fetch_result *r,
                         long *listed, int64_t *first, char **why)
{
    struct fk_error err = {0};
    struct api_listing l = {.update = u, .api = api, .now = (int64_t)time(NULL)};
    struct fk_feed_handler handler = {.on_item = on_listed, .ctx = &l};
    struct fk_parse_options opts = {.base_url = r->final_url ? r->final_url : r->url};
    struct fk_feed_info info;
    if (fk_store_begin_feed(u->store, api->job->feed_url, NULL, &err) < 0)
        return db_failed(u, &err);
    int rc = fk_feed_parse_memory(r->body, r->body_len, &opts, &handler, &info, &err);
    if (l.failed) {
        (void)fk_store_end_feed(u->store, false, NULL, &err);
        return -1;
    }
    if (rc == 0 && strcmp(info.format, "forem") != 0) {
        rc = -1;
        fk_error_set(&err, FK_ERROR_INPUT, "a feed of format %s", info.format);
    }
    if (rc < 0) {
        struct fk_error end = {0};
        if (fk_store_end_feed(u->store, false, NULL, &end) < 0)
            return db_failed(u, &end);
        struct fk_buf message = FK_BUF_INIT;
        fk_buf_printf(&message, "not an article list of the API: %s", err.message);
        *why =
            u->opts.clean_message ? u->opts.clean_message(message.data) : fk_xstrdup(message.data);
        fk_buf_release(&message);
        fk_feed_info_release(&info);
        return 1;
    }
    if (!info.well_formed)
        api->incomplete = true; /* a list cut short may hide an article */
    fk_feed_info_release(&info);
    if (fk_store_end_feed(u->store, true, NULL, &err) < 0)
        return db_failed(u, &err);
    *listed = l.listed;
    *first = l.first;
    return 0;
}

static int api_list_done(struct fk_update *u, struct api_job *api, const struct fk_fetch_result *r)
{
    struct job *job = api->job;
    int page = job->page;
    if (page == 1) {
        api->attempt = (struct fk_fetch_attempt){
            .time = (int64_t)time(NULL),
            .status = r->http_status,
            .bytes = (int64_t)r->bytes_received,
            .duration_ms = r->duration_ms,
            .retry_after = FK_TIME_NONE,
        };
    }
    if (r->error != FK_FETCH_OK) {
        if (api_retry(u, api, r))
            return 0;
        if (page == 1) {
            api->attempt.error = r->message;
            api->attempt.retry_after = r->retry_after;
            return feed_failed(u, job, &api->attempt);
        }
        api->incomplete = true;
        page_failed(u, job, r->message);
        return api_next_article(u, api);
    }
    if (r->http_status == 304) {
        /* the list is as it was, and so is every article of it */
        job->state = JOB_NOT_MODIFIED;
        api->etag = fk_xstrdup(r->etag);
        api->last_modified = fk_xstrdup(r->last_modified);
        return api_finish(u, api);
    }
    long listed = 0;
    int64_t first = 0;
    char *why = NULL;
    int rc = api_read_list(u, api, r, &listed, &first, &why);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        if (page == 1) {
            api->attempt.error = why;
            rc = feed_failed(u, job, &api->attempt);
            free(why);
            return rc;
        }
        api->incomplete = true;
        page_failed(u, job, why);
        free(why);
        return api_next_article(u, api);
    }
    if (page == 1) {
        api->etag = fk_xstrdup(r->etag);
        api->last_modified = fk_xstrdup(r->last_modified);
        api->final_url = fk_xstrdup(r->final_url);
        if (note_origin(u, job, r->primary_ip) < 0)
            return -1;
    } else {
        job->feed.pages++;
    }
    /* A full page asks for the next, unless it is the page before
     * again (a server that does not page would be walked to the cap). */
    bool again = page > 1 && first == api->first;
    api->first = first;
    if (listed >= api->per_page && page < api->max_pages && !again) {
        api_list_page(u, api, page + 1);
        return 0;
    }
    return api_next_article(u, api);
}

/* An article call failed (message): reported, and asked again at the
 * next run unless the article is gone. */
static void api_article_failed(struct fk_update *u, struct api_job *api, const char *message,
                               bool gone)
{
    struct fk_update_event ev = {
        .kind = FK_UPDATE_API_ARTICLE_FAILED,
        .url = api->url,
        .message = message,
        .gone = gone,
    };
    emit(u, api->job, &ev);
}

/* The article call of api ended: the sources waiting for it record the
 * article as theirs when it was filed, and ask again at their next run
 * when it was not. Returns 0, or -1 after a database error. */
static int api_release_waiters(struct fk_update *u, struct api_job *api, bool filed)
{
    int rc = 0;
    for (size_t i = 0; i < api->nwaiters && rc >= 0; i++) {
        struct api_job *waiter = api->waiters[i].api;
        if (!filed || (rc = api_filed_since(u, waiter, &waiter->want[api->waiters[i].want])) == 0)
            waiter->incomplete = true;
        if (rc >= 0 && --waiter->waits == 0 && waiter->walk_done)
            rc = api_finish(u, waiter);
    }
    api->nwaiters = 0;
    return rc < 0 ? -1 : 0;
}

static int api_article_done(struct fk_update *u, struct api_job *api,
                            const struct fk_fetch_result *r)
{
    struct job *job = api->job;
    if (r->error != FK_FETCH_OK) {
        if (api_retry(u, api, r))
            return 0;
        /* An article listed and gone since (404) is no failure of ours. */
        bool gone = r->error == FK_FETCH_HTTP && r->http_status == 404;
        api->incomplete = api->incomplete || !gone;
        api_article_failed(u, api, r->message, gone);
        if (api_release_waiters(u, api, false) < 0)
            return -1;
        return api_next_article(u, api);
    }
    char *why = NULL;
    long items = 0;
    int rc = file_body(u, job, r, NULL, &items, &why);
    if (rc < 0)
        return -1;
    bool filed = rc == 0 && items > 0;
    if (!filed) {
        api->incomplete = true;
        api_article_failed(u, api, why ? why : "no article in the response", false);
        free(why);
    }
    if (api_release_waiters(u, api, filed) < 0)
        return -1;
    return api_next_article(u, api);
}

static int api_done(struct fk_update *u, struct api_job *api, const struct fk_fetch_result *r)
{
    return api->article ? api_article_done(u, api, r) : api_list_done(u, api, r);
}

/* ---- the run --------------------------------------------------------------------------- */

void fk_update_options_init(struct fk_update_options *opts)
{
    memset(opts, 0, sizeof *opts);
    fk_fetch_options_init(&opts->fetch);
    opts->pages = 1;
    opts->article_pages = FK_UPDATE_DEFAULT_ARTICLE_PAGES;
    opts->api_interval_ms = FK_DEVTO_DEFAULT_INTERVAL_MS;
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
    job->kind = REQUEST_FEED;
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
    job->full_text = sub->full_text;
    job->private_origin = sub->private_origin;
    struct fk_devto_source source;
    if (fk_devto_parse(sub->url, &source)) {
        job->api = fk_xcalloc(1, sizeof *job->api);
        job->api->kind = REQUEST_API;
        job->api->source = source;
        bool tag = source.kind == FK_DEVTO_TAG;
        job->api->per_page = tag ? FK_DEVTO_TAG_PER_PAGE : FK_DEVTO_PER_PAGE;
        job->api->max_pages = tag ? (u->opts.pages > 0 ? u->opts.pages : 1) : FK_DEVTO_MAX_PAGES;
    }
    return 0;
}

static int add_if_due(const struct fk_subscription *sub, void *ctx)
{
    (void)fk_update_add(ctx, sub);
    return 0;
}

/* What the run claims (fk_store_claim_feeds). */
static struct fk_claim claim_of(const struct fk_update *u)
{
    return (struct fk_claim){
        .now = u->now,
        .force = u->opts.force,
        .lease = lease_of(u),
        .limit = u->opts.claim_limit,
        .per_host = u->opts.fetch.per_host,
    };
}

static int claim(struct fk_update *u, fk_subscription_fn fn, struct fk_error *err)
{
    struct fk_claim what = claim_of(u);
    struct fk_claim_result left;
    u->renewed = (int64_t)time(NULL);
    int rc = fk_store_claim_feeds(u->store, &what, fn, u, &left, err);
    u->totals.held = left.held;
    u->totals.waiting = left.waiting;
    return rc;
}

int fk_update_add_due(struct fk_update *u, struct fk_error *err)
{
    return claim(u, add_if_due, err);
}

/* add_if_due for a later run: what is not due was counted by the first. */
static int add_if_claimed(const struct fk_subscription *sub, void *ctx)
{
    struct fk_update *u = ctx;
    if (u->opts.force || sub->next_fetch == FK_TIME_NONE || sub->next_fetch <= u->now)
        (void)fk_update_add(u, sub);
    return 0;
}

int fk_update_add_more(struct fk_update *u, struct fk_error *err)
{
    return claim(u, add_if_claimed, err);
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
    struct fk_fetch_gate gate;
    fk_store_fetch_gate(u->store, &gate);
    fk_fetch_set_gate(u->fetch, &gate);
    for (size_t i = 0; i < u->totals.feeds; i++) {
        struct job *job = &u->jobs[i];
        if (job->api) {
            job->api->job = job; /* the jobs do not move any more */
            api_start(u, job);
            continue;
        }
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
        if (job->api) {
            free(job->api->url);
            for (size_t k = 0; k < job->api->nwant; k++)
                free(job->api->want[k].url);
            free(job->api->waiters);
            free(job->api->want);
            free(job->api->etag);
            free(job->api->last_modified);
            free(job->api->final_url);
            free(job->api);
        }
    }
    while (u->page_jobs) {
        struct page_job *next = u->page_jobs->next;
        free(u->page_jobs->url);
        free(u->page_jobs);
        u->page_jobs = next;
    }
    free(u->jobs);
    free(u);
}
