/* update.h - one fetch run of an archive's subscriptions: what is fetched,
 * how each response is filed or logged, and what the run reports.
 *
 * The policy of `feedkeep fetch`, kept out of the front end so that any
 * front end runs the same: which feeds are due and which validators are
 * sent, a body filed in the feed's transaction with its fetch log and
 * validators (a run killed at any moment leaves each feed fully filed or
 * untouched), failures logged outside the rolled-back transaction and
 * backed off, backfill pages walked until one is empty or missing,
 * permanent moves reported or followed, dev.to API subscriptions walked
 * through their list calls and the article calls of what is new or edited
 * since (paced, and waiting on 429 Too Many Requests as the server asks),
 * and the pages of a feed's teasers
 * (its full_text setting) fetched in the same batch once the feed's run
 * ended, their articles extracted and filed as the articles' second source
 * (fk_store_put_page), failures backed off per page.
 *
 * The run tells the front end what happens through events, in the order it
 * happens; it never prints. Everything runs in the calling thread.
 */
#ifndef FEEDKEEP_UPDATE_H
#define FEEDKEEP_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/devto.h"
#include "feedkeep/error.h"
#include "feedkeep/extract.h"
#include "feedkeep/feed.h"
#include "feedkeep/fetch.h"
#include "feedkeep/store.h"

/* Validators are sent only while the feed's body was received within this
 * many seconds: a validator can be wrong (a cache or server that answers
 * 304 to it whatever the feed holds, a date it should not have given), and
 * nothing but a fetch without one can tell. Once a day bounds how long
 * such a validator can hide new articles, at the cost of one full fetch a
 * day of a feed that does not change. */
#define FK_UPDATE_VALIDATORS_TRUSTED_FOR (24 * 60 * 60)

/* Article pages (full_text): the most fetched in one run by default (the
 * others wait for the next run), and the most bytes of one page kept (a
 * larger page is refused: it is no article). */
#define FK_UPDATE_DEFAULT_ARTICLE_PAGES 50
#define FK_UPDATE_ARTICLE_PAGE_MAX      FK_EXTRACT_PAGE_MAX

struct fk_update_options {
    struct fk_fetch_options fetch; /* the transfers */
    bool force;                    /* feeds in backoff are due too, and no
                                      validators are sent */
    bool follow_moves;             /* a feed moved permanently gets the new
                                      URL as its subscription */
    int pages;                     /* 1: the feed only; N: also its pages 2
                                      to N (URL?page=K) until one is empty
                                      or missing */
    int article_pages;             /* article pages fetched at most in
                                      the run (full_text); 0: none */
    /* dev.to's API (subscriptions devto-api:...): its base URL (NULL:
     * FK_DEVTO_API_DEFAULT), a key sent in the api-key header (NULL: none;
     * never stored, logged or reported), and the least time between the
     * starts of two of its requests (0: no pacing). A user's or an
     * organisation's list is walked to its end, a tag's for `pages`
     * pages. */
    const char *devto_api;
    const char *devto_api_key;
    long api_interval_ms;
    /* The form of a refused document's message that is logged as the
     * feed's failure and reported (it comes from the document: the front
     * end may make it safe to show). Returns a new string, freed by the
     * run. NULL: the message as it is. */
    char *(*clean_message)(const char *message);
    /* On a PostgreSQL archive, how long (seconds) the feeds this run
     * claims stay its own without being renewed (fk_store_claim_feeds);
     * the run renews them as it goes and gives them back at its end. 0:
     * FK_UPDATE_DEFAULT_LEASE. */
    long lease;
    /* On a PostgreSQL archive, the feeds fk_update_add_due and
     * fk_update_add_more claim at most (0: every due feed). */
    long claim_limit;
};

#define FK_UPDATE_DEFAULT_LEASE 300

/* One feed of the run, as it stands when an event is reported. Strings
 * belong to the run and are valid during the callback only. */
struct fk_update_feed {
    int64_t id;
    const char *url;           /* the subscription as the run found it */
    const char *feed_url;      /* what is fetched now: url, or where the feed
                                  was moved to when the move was followed */
    long counts[FK_PUT_COUNT]; /* items by enum fk_put_result, backfill
                                  pages included */
    int pages;                 /* backfill pages filed (not counting the
                                  feed's own page) */
    long matched;              /* items under a new guid filed as the
                                  archived article they match ... */
    int64_t matched_id;        /* ... the first of those articles */
    const char *moved_to;      /* the feed moved permanently there, or NULL */
    int64_t moved_onto;        /* ... onto this other feed of the archive (the
                                  move cannot be followed then), else 0 */
    bool followed;             /* ... and its subscription was changed */
    bool known_move;           /* ... and its last fetch found the same move */
};

enum fk_update_event_kind {
    /* The transfers begin (feed is NULL): every feed of the run gets
     * exactly one of FILED, NOT_MODIFIED or FAILED after this, unless the
     * run ends early (see fk_update_run). */
    FK_UPDATE_STARTED,
    /* An item of the document at url was filed with a warning (message):
     * a field the parser cut, HTML that could not be converted (the item
     * is kept without text), or the short-body guard kept the archived
     * text. item is the item. Not repeated for items found unchanged. */
    FK_UPDATE_ITEM_WARNING,
    /* The document at url was filed but was not read cleanly: info has a
     * charset_note, or well_formed is false (info->error says why) and what
     * could be read was kept. */
    FK_UPDATE_RECOVERED,
    /* The feed's fetch was redirected permanently to a fetchable URL
     * (feed->moved_to): reported at each fetch that finds it; the feed
     * still ends with FILED or NOT_MODIFIED. */
    FK_UPDATE_MOVED,
    /* Backfill page number page (url) failed (message); the walk stops
     * there and the feed's schedule is left alone. A missing page (404)
     * is the end of the walk, not a failure. For a dev.to API
     * subscription: a list page after the first failed; the run goes on
     * with the articles listed before it, and the next run asks again. */
    FK_UPDATE_PAGE_FAILED,
    /* The feed's run ended: its body was filed (and its backfill pages). */
    FK_UPDATE_FILED,
    /* The feed's run ended: the server answered 304 to its validators
     * (backfill pages may have been filed after that). */
    FK_UPDATE_NOT_MODIFIED,
    /* The feed's run ended: the fetch failed or the body was refused
     * (message), and it was logged in the archive: this is the failures-th
     * failure in a row, and the feed is not due before next_fetch. */
    FK_UPDATE_FAILED,
    /* The page (url) of article article_id, an item of feed, was fetched
     * (or confirmed by a 304) and filed as page_result says. Article pages
     * are fetched after their feed's run ended: for a feed whose full_text
     * is on, or auto and the item a teaser, when the item is new or its
     * source changed, or the page's backoff is over. */
    FK_UPDATE_ARTICLE_PAGE,
    /* The page (url) of article article_id could not be fetched or used
     * (message): this is the failures-th failure in a row, and it is not
     * fetched before next_fetch, or, when next_fetch is FK_TIME_NONE,
     * before the item changes (a page that is no HTML page, too large,
     * refused, or failed FK_PAGE_TRIES times). The feed's text stays. */
    FK_UPDATE_ARTICLE_PAGE_FAILED,
    /* An article call (url) of a dev.to API subscription failed (message),
     * or the article is gone (gone: listed, then 404). The run goes on
     * with the next article; the feed's run is not failed, and the next
     * run asks again for what is missing. */
    FK_UPDATE_API_ARTICLE_FAILED,
    /* A dev.to API subscription's walk goes on: done of total article
     * calls are over (sent before each call, for a progress display). */
    FK_UPDATE_API_PROGRESS,
};

struct fk_update_event {
    enum fk_update_event_kind kind;
    const struct fk_update_feed *feed; /* NULL for FK_UPDATE_STARTED */
    const char *url;                   /* the document concerned: feed->url, or a
                                          backfill page's URL */
    int page;                          /* 1 for the feed's own fetch, K for page K */
    const char *message;               /* why: ITEM_WARNING, PAGE_FAILED, FAILED */
    const struct fk_item *item;        /* ITEM_WARNING */
    const struct fk_feed_info *info;   /* RECOVERED */
    int64_t time;                      /* FAILED: when the attempt ended */
    int failures;                      /* FAILED: failed fetches in a row */
    int64_t next_fetch;                /* FAILED: not due before this */
    int64_t article_id;                /* ARTICLE_PAGE, ARTICLE_PAGE_FAILED */
    enum fk_page_result page_result;   /* ARTICLE_PAGE */
    bool gone;                         /* API_ARTICLE_FAILED */
    long done, total;                  /* API_PROGRESS */
};

/* Called for each event, from inside fk_update_run. Everything it is
 * given is valid during the call only. It must not use the store. */
typedef void (*fk_update_event_fn)(const struct fk_update_event *event, void *ctx);

/* What a run did, for its summary and the run log. */
struct fk_update_totals {
    size_t feeds;              /* feeds in the run */
    long counts[FK_PUT_COUNT]; /* items of all of them */
    long not_modified;         /* feeds that ended NOT_MODIFIED */
    long failed;               /* feeds that FAILED and backfill pages that
                                  failed */
    long not_due;              /* feeds left out: in backoff */
    long held;                 /* feeds left out: due, but claimed by
                                  another fetcher (PostgreSQL) */
    long waiting;              /* ... due, their host busy with other
                                  fetchers' transfers (PostgreSQL) */
    long article_pages;        /* article pages fetched (failed ones too) */
    long article_pages_used;   /* ... that became their article's content */
    long article_pages_failed; /* ... that failed or could not be used */
    bool article_pages_capped; /* pages were left for the next run by the
                                  options' article_pages */
};

/* A run. Opaque. */
struct fk_update;

/* Fill opts with the defaults: fk_fetch_options_init, pages 1, no force,
 * moves not followed, FK_UPDATE_DEFAULT_ARTICLE_PAGES article pages, dev.to's
 * API at its default URL without a key, FK_DEVTO_DEFAULT_INTERVAL_MS. */
void fk_update_options_init(struct fk_update_options *opts);

/* A run without feeds yet, on store (which must outlive it), with the
 * current time now (what is due, and which validators are trusted). opts
 * is copied. Free with fk_update_free. Never NULL. */
struct fk_update *fk_update_new(struct fk_store *store, const struct fk_update_options *opts,
                                int64_t now);

/* Add the subscription sub (copied) to the run. Returns 0 when it was
 * added, 1 when the run has it already (nothing is done), 2 when it is not
 * due (in backoff until sub->next_fetch, without force): it is left out
 * and counted in the totals' not_due. */
int fk_update_add(struct fk_update *update, const struct fk_subscription *sub);

/* Add every subscription of the archive that is due, counting the others.
 * On a PostgreSQL archive, the due ones this process claims (see
 * fk_store_claim_feeds; the others are counted in the totals' held).
 * Returns 0, or -1 with err filled (the archive failed). */
int fk_update_add_due(struct fk_update *update, struct fk_error *err);
/* For a run after a first one of the same fetch on a PostgreSQL archive:
 * add the feeds due now that this process claims (see
 * fk_store_claim_feeds), not counting those not due again. Returns 0, or
 * -1 with err filled. */
int fk_update_add_more(struct fk_update *update, struct fk_error *err);

/* How a run ended. */
enum fk_update_end {
    FK_UPDATE_COMPLETE = 0, /* every feed ended with its event */
    FK_UPDATE_NOT_STARTED,  /* the transfers could not start (err says why):
                               nothing was fetched and no event sent */
    FK_UPDATE_CUT,          /* the transport failed during the run (err,
                               FK_ERROR_NETWORK): the feeds that had not
                               ended got no event; what was filed stays */
    FK_UPDATE_STOPPED,      /* the archive failed (err): the run stopped at
                               once; the feed being handled got no event
                               and nothing of it was committed */
};

/* Fetch the feeds of the run (at most options.fetch.jobs at once) and file
 * what comes back, calling on_event (may be NULL) for what happens. A run
 * without feeds is COMPLETE at once. Runs once: a second call returns
 * FK_UPDATE_NOT_STARTED. */
enum fk_update_end fk_update_run(struct fk_update *update, fk_update_event_fn on_event, void *ctx,
                                 struct fk_error *err);

/* What the run did so far. Valid until fk_update_free. */
const struct fk_update_totals *fk_update_totals(const struct fk_update *update);

/* Free the run; NULL is allowed. The store is not closed. */
void fk_update_free(struct fk_update *update);

#endif
