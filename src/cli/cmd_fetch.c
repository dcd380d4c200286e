/* cmd_fetch.c - feedkeep fetch [URL|ID...]: fetch the due feeds and archive
 * what is new.
 *
 * The run holds the archive's fetch lock, picks the feeds, and hands them
 * to one fetch batch. Each response is dealt with in the batch's
 * completion callback as soon as it arrives: the body is parsed and filed
 * in one transaction that also logs the fetch and stores the validators,
 * so a run killed at any moment leaves every feed either fully filed with
 * its new validators or untouched. Failures are logged (and backed off) in
 * a transaction of their own.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/archive.h"
#include "feedkeep/date.h"
#include "feedkeep/fetch.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep fetch [options] [URL|ID...]\n"
    "\n"
    "Fetch the subscribed feeds that are due (all of them, or the ones named\n"
    "by URL, dev.to shorthand or id) and archive their new and changed\n"
    "articles, one transaction per feed. The validators of the last fetch\n"
    "are sent, so an unchanged feed costs a 304 and no parsing; once its\n"
    "body is a day old, a feed is fetched without them. A 304 to a request\n"
    "without validators is a failure. A feed that fails is not fetched\n"
    "again for 30 minutes, twice as long after each further failure in a\n"
    "row up to 24 hours, or until the server's Retry-After when that is\n"
    "later; a success resets this.\n"
    "\n"
    "Options:\n"
    "  --jobs N                 feeds fetched at once (default 8; at most 2\n"
    "                           per host)\n"
    "  --force                  fetch feeds in backoff too, without validators\n"
    "  --follow-moves           when a feed moved permanently (301, 308),\n"
    "                           change its subscription to the new URL\n"
    "  --pages N                also fetch pages 2 to N of each feed\n"
    "                           (URL?page=2...) until one is empty or missing,\n"
    "                           to archive more of a dev.to feed than its\n"
    "                           latest articles\n"
    "  --wait SECONDS           wait up to SECONDS for another fetch of the\n"
    "                           archive to end (default 0: exit 4 at once)\n"
    "  --connect-timeout SECONDS  to connect, TLS included (default 10)\n"
    "  --timeout SECONDS        for the whole transfer of a feed (default 60)\n"
    "  --stall-time SECONDS     abort a transfer slower than --stall-speed for\n"
    "                           this long (default 20; 0: never)\n"
    "  --stall-speed BYTES      bytes a second (default 1024)\n"
    "  --max-size SIZE          largest body kept, after decompression\n"
    "                           (default 32M; suffixes K, M, G)\n"
    "  --db PATH                the archive\n"
    "  -q, --quiet              print nothing unless a feed failed\n"
    "  -v, --verbose            warn about recovered XML errors\n"
    "  -h, --help               show this help\n"
    "\n"
    "Prints a line per feed ('URL: 3 new, 0 updated, 9 unchanged' or\n"
    "'URL: not modified') and a total on stdout, and a line per failed feed\n"
    "on stderr:  feedkeep: 'URL': HTTP 503 (3rd failure, next try in 2h)\n"
    "Items that came under new guids for archived articles of their feed\n"
    "are filed as those articles, with one line on stderr for the feed (see\n"
    "'feedkeep dedup --help').\n"
    "Exit status: 0 every feed was fetched or was not due, 1 a feed failed,\n"
    "2 usage error, 3 database or I/O error, 4 the archive is busy (another\n"
    "fetch holds the lock).\n";

/* What the options set. */
struct settings {
    struct fk_fetch_options fetch;
    bool force;
    bool follow_moves;
    long pages;
    long wait_ms;
};

enum job_state { JOB_QUEUED, JOB_ARCHIVED, JOB_NOT_MODIFIED, JOB_FAILED };

/* One feed of the run, from its request to its summary line. */
struct job {
    int64_t id;
    char *url;      /* the subscription as the run found it (shown) */
    char *feed_url; /* the feed's URL now: url, or where it was moved */
    char *etag;     /* validators to send */
    char *last_modified;
    enum job_state state;
    int page;                  /* in flight: 1 for the feed, then backfill pages */
    char *page_url;            /* of the backfill page in flight */
    int pages;                 /* backfill pages archived */
    long counts[FK_PUT_COUNT]; /* by enum fk_put_result, backfill pages included */
    long matched;              /* items under new guids filed as archived articles */
    int64_t matched_id;        /* the first of those articles */
    char *moved_to;            /* the feed moved permanently there */
    bool followed;             /* ... and its subscription was changed */
    int64_t moved_onto;        /* ... onto this other feed of the archive
                                  (then it cannot be followed), else 0 */
    char *known_move;          /* where the last fetch found it moved */
};

struct run {
    const struct cli *cli;
    const struct settings *set;
    struct fk_store *store;
    struct fk_fetch *fetch;
    struct job *jobs;
    size_t njobs;
    size_t finished;
    long counts[FK_PUT_COUNT];
    long not_modified;
    long failed;
    long not_due;
    int code;
    bool stopped; /* by a database error */
};

/* ---- option values ------------------------------------------------------------ */

/* Seconds as written on the command line ("10", "0.5") in milliseconds;
 * -1 when it is not a number of seconds up to a year. */
static long parse_seconds(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || v > 366.0 * 86400)
        return -1;
    return (long)(v * 1000 + 0.5);
}

/* Size suffixes, compared without case. */
static const struct {
    const char *suffix;
    unsigned shift;
} size_suffixes[] = {
    {"", 0},    {"b", 0},    {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20},
    {"mb", 20}, {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30},
};

/* "32M", "512k", "1048576": bytes, at least 1; 0 when it is not a size. */
static size_t parse_size(const char *s)
{
    char *end;
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || n == 0)
        return 0;
    for (size_t i = 0; i < sizeof size_suffixes / sizeof size_suffixes[0]; i++) {
        if (strcasecmp(end, size_suffixes[i].suffix) != 0)
            continue;
        unsigned shift = size_suffixes[i].shift;
        if (n > (SIZE_MAX >> shift))
            return 0;
        return (size_t)n << shift;
    }
    return 0;
}

/* Parse the options into set. Returns CLI_CONTINUE to go on, or an exit
 * code (after --help, or a usage error). */
static int parse_options(int argc, char **argv, struct cli *cli, struct settings *set)
{
    static const struct option options[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"force", no_argument, NULL, 'F'},
        {"follow-moves", no_argument, NULL, 'M'},
        {"pages", required_argument, NULL, 'P'},
        {"wait", required_argument, NULL, 'W'},
        {"connect-timeout", required_argument, NULL, 'C'},
        {"timeout", required_argument, NULL, 'T'},
        {"stall-time", required_argument, NULL, 'S'},
        {"stall-speed", required_argument, NULL, 'B'},
        {"max-size", required_argument, NULL, 'Z'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    long n;
    int opt;

    fk_fetch_options_init(&set->fetch);
    set->pages = 1;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'j':
            if ((n = cli_parse_count(optarg)) < 1 || n > 1000)
                return msg_usage("fetch", "option '--jobs': '%s' is not a count of 1 to 1000",
                                 optarg);
            set->fetch.jobs = (int)n;
            break;
        case 'F':
            set->force = true;
            break;
        case 'M':
            set->follow_moves = true;
            break;
        case 'P':
            if ((set->pages = cli_parse_count(optarg)) < 1 || set->pages > 10000)
                return msg_usage("fetch", "option '--pages': '%s' is not a count of 1 to 10000",
                                 optarg);
            break;
        case 'W':
            if ((set->wait_ms = parse_seconds(optarg)) < 0)
                return msg_usage("fetch", "option '--wait': '%s' is not a number of seconds",
                                 optarg);
            break;
        case 'C':
            if ((set->fetch.connect_timeout_ms = parse_seconds(optarg)) < 0)
                return msg_usage(
                    "fetch", "option '--connect-timeout': '%s' is not a number of seconds", optarg);
            break;
        case 'T':
            if ((set->fetch.timeout_ms = parse_seconds(optarg)) < 0)
                return msg_usage("fetch", "option '--timeout': '%s' is not a number of seconds",
                                 optarg);
            break;
        case 'S':
            if ((set->fetch.low_speed_time = cli_parse_count(optarg)) < 0)
                return msg_usage("fetch", "option '--stall-time': '%s' is not whole seconds",
                                 optarg);
            break;
        case 'B':
            if ((set->fetch.low_speed_limit = cli_parse_count(optarg)) < 0)
                return msg_usage("fetch", "option '--stall-speed': '%s' is not a count of bytes",
                                 optarg);
            break;
        case 'Z':
            if ((set->fetch.max_body = parse_size(optarg)) == 0)
                return msg_usage("fetch", "option '--max-size': '%s' is not a size (32M, 512K)",
                                 optarg);
            break;
        default: {
            int rc = cli_common_option(opt, optarg, cli, "fetch", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
        }
    }
    return CLI_CONTINUE;
}

/* ---- messages ------------------------------------------------------------------- */

static const char *ordinal_suffix(int n)
{
    static const char *const suffixes[] = {"th", "st", "nd", "rd"};
    int last = n % 10;
    if ((n % 100 >= 11 && n % 100 <= 13) || last > 3)
        return "th";
    return suffixes[last];
}

static void progress(const struct run *run)
{
    if (!run->cli->quiet)
        msg_progress("fetched %zu of %zu feeds", run->finished, run->njobs);
}

/* The job's line on stdout. */
static void print_summary(const struct job *job)
{
    struct fk_buf line = FK_BUF_INIT;
    const char *notes[4];
    size_t nnotes = 0;
    char pages[32], shorter[64];
    struct fk_buf moved = FK_BUF_INIT;

    fk_buf_printf(&line, "%s: ", job->url);
    if (job->state == JOB_NOT_MODIFIED && job->pages == 0) {
        fk_buf_adds(&line, "not modified");
    } else {
        fk_buf_printf(&line, "%ld new, %ld updated, %ld unchanged", job->counts[FK_PUT_NEW],
                      job->counts[FK_PUT_UPDATED], job->counts[FK_PUT_UNCHANGED]);
        if (job->state == JOB_NOT_MODIFIED)
            notes[nnotes++] = "first page not modified";
    }
    if (job->counts[FK_PUT_KEPT_SHORTER]) {
        snprintf(shorter, sizeof shorter, "%ld kept their longer archived text",
                 job->counts[FK_PUT_KEPT_SHORTER]);
        notes[nnotes++] = shorter;
    }
    if (job->pages) {
        snprintf(pages, sizeof pages, "%d pages", job->pages + 1);
        notes[nnotes++] = pages;
    }
    if (job->moved_to && job->moved_onto) {
        fk_buf_printf(&moved,
                      "moved permanently to %s, which is feed %lld of the archive; "
                      "'feedkeep remove %lld' ends this subscription",
                      job->moved_to, (long long)job->moved_onto, (long long)job->id);
        notes[nnotes++] = moved.data;
    } else if (job->moved_to) {
        fk_buf_printf(&moved, "moved permanently to %s; %s", job->moved_to,
                      job->followed ? "subscription updated"
                                    : "--follow-moves updates the subscription");
        notes[nnotes++] = moved.data;
    }
    for (size_t i = 0; i < nnotes; i++)
        fk_buf_printf(&line, "%s%s", i ? "; " : " (", notes[i]);
    fk_buf_adds(&line, nnotes ? ")\n" : "\n");
    msg_progress_clear();
    fputs(line.data, stdout);
    fk_buf_release(&moved);
    fk_buf_release(&line);
}

/* ---- the run ----------------------------------------------------------------------- */

static void finish(struct run *run, struct job *job)
{
    run->finished++;
    for (int i = 0; i < FK_PUT_COUNT; i++)
        run->counts[i] += job->counts[i];
    if (job->state == JOB_NOT_MODIFIED)
        run->not_modified++;
    /* Once for the feed, its backfill pages included. */
    msg_guid_changes(job->url, job->matched, job->matched_id, run->cli->quiet);
    if (job->state != JOB_FAILED && !run->cli->quiet)
        print_summary(job);
    progress(run);
}

/* A database error: the run stops (the callback returns non-zero). A busy
 * archive is not a damaged one: it has its own exit status. */
static int db_failed(struct run *run, const struct fk_error *err)
{
    msg_fk_error(err);
    run->code = err->kind == FK_ERROR_BUSY ? EXIT_LOCKED : EXIT_IO;
    run->stopped = true;
    return -1;
}

/* A failure that is not the feed's own (a backfill page): reported, and
 * the run's exit status is 1, but the feed's schedule is left alone. */
static void page_failed(struct run *run, struct job *job, const char *why)
{
    msg_error("'%s': %s (backfill stopped at page %d)", job->page_url, why, job->page);
    run->failed++;
    if (run->code == EXIT_OK)
        run->code = EXIT_FAILED;
}

static int feed_failed(struct run *run, struct job *job, const struct fk_fetch_attempt *a)
{
    struct fk_fetch_schedule schedule;
    struct fk_error err = {0};
    char delay[32];

    if (fk_store_log_fetch(run->store, job->id, a, &schedule, &err) < 0)
        return db_failed(run, &err);
    out_delay(schedule.next_fetch - a->time, delay, sizeof delay);
    msg_error("'%s': %s (%d%s failure, next try in %s)", job->url, a->error, schedule.failures,
              ordinal_suffix(schedule.failures), delay);
    job->state = JOB_FAILED;
    run->failed++;
    if (run->code == EXIT_OK)
        run->code = EXIT_FAILED;
    finish(run, job);
    return 0;
}

/* Context of the archive callbacks. */
struct filing {
    struct run *run;
    struct job *job;
    struct fk_fetch_attempt *attempt; /* NULL for backfill pages */
};

static void on_warning(const struct fk_item *item, const char *message, void *ctx)
{
    const struct filing *f = ctx;
    char *guid = out_safe_dup(item->guid ? item->guid : "(no id)");
    msg_warn("'%s': item '%s': %s", f->job->url, guid, message);
    free(guid);
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
static int file_body(struct run *run, struct job *job, const struct fk_fetch_result *r,
                     struct fk_fetch_attempt *attempt, long *items, char **why)
{
    struct filing f = {run, job, attempt};
    struct fk_archive_options options = {
        .feed_url = job->feed_url,
        .base_url = r->final_url ? r->final_url : r->url,
        .charset = r->charset,
        .charset_from_transport = true,
        .on_warning = on_warning,
        .before_commit = attempt ? log_with_articles : NULL,
        .ctx = &f,
    };
    struct fk_archive_result result;
    struct fk_error err = {0};
    int ret = 0;

    if (fk_archive_memory(run->store, r->body, r->body_len, &options, &result, &err) < 0) {
        if (err.kind == FK_ERROR_DB || err.kind == FK_ERROR_BUSY) {
            ret = db_failed(run, &err);
        } else {
            *why = out_safe_dup(err.message);
            ret = 1;
        }
        goto out;
    }
    for (int i = 0; i < FK_PUT_COUNT; i++)
        job->counts[i] += result.counts[i];
    *items = result.items;
    if (!job->matched)
        job->matched_id = result.matched_id;
    job->matched += result.matched;
    if (result.info.charset_note && run->cli->verbose) {
        char *note = out_safe_dup(result.info.charset_note);
        msg_warn("'%s': %s", attempt ? job->url : job->page_url, note);
        free(note);
    }
    if (!result.info.well_formed && run->cli->verbose) {
        char *error = out_safe_dup(result.info.error ? result.info.error : "unknown error");
        msg_warn("'%s': not well-formed XML (%s); kept what could be read",
                 attempt ? job->url : job->page_url, error);
        free(error);
    }
out:
    fk_archive_result_release(&result);
    return ret;
}

/* Queue the next backfill page, or finish the job. */
static void next_page(struct run *run, struct job *job)
{
    if (job->page >= run->set->pages) {
        finish(run, job);
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
    if (fk_fetch_add(run->fetch, &req, &err) < 0) {
        page_failed(run, job, err.message);
        finish(run, job);
    }
}

/* A permanent redirect of a feed that was fetched: report it, and with
 * --follow-moves change the subscription. */
static int moved(struct run *run, struct job *job, const char *target)
{
    struct fk_error err = {0};
    if (!cli_is_feed_url(target))
        return 0;
    /* The move was seen before when the feed's last fetch recorded the
     * same target: reported once, not at every run. */
    bool known = job->known_move && strcmp(job->known_move, target) == 0;
    free(job->moved_to);
    job->moved_to = fk_xstrdup(target);
    /* Moved onto a feed the archive has: following would make two
     * subscriptions one, so it is for the user to end this one. */
    struct fk_subscription other;
    int found = fk_store_find_feed(run->store, target, 0, &other, &err);
    if (found < 0)
        return db_failed(run, &err);
    if (found == 0) {
        if (other.id != job->id)
            job->moved_onto = other.id;
        fk_subscription_release(&other);
    }
    if (run->set->follow_moves && !job->moved_onto) {
        int rc = fk_store_move_feed(run->store, job->id, target, &err);
        if (rc < 0)
            return db_failed(run, &err);
        if (rc == 0) {
            job->followed = true;
            free(job->feed_url);
            job->feed_url = fk_xstrdup(target);
        }
    }
    /* --quiet prints no summary lines: a move is worth one warning, the
     * first time it is seen. */
    if (run->cli->quiet && !known) {
        if (job->moved_onto)
            msg_warn("'%s': moved permanently to '%s', which is feed %lld of the archive; "
                     "'feedkeep remove %lld' ends this subscription",
                     job->url, target, (long long)job->moved_onto, (long long)job->id);
        else if (job->followed)
            msg_warn("'%s': moved permanently to '%s'; subscription updated", job->url, target);
        else
            msg_warn("'%s': moved permanently to '%s'; 'feedkeep fetch --follow-moves' updates "
                     "the subscription",
                     job->url, target);
    }
    return 0;
}

static int feed_done(struct run *run, struct job *job, const struct fk_fetch_result *r)
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
        return feed_failed(run, job, &a);
    }
    a.etag = r->etag;
    a.last_modified = r->last_modified;
    a.final_url = r->final_url;
    a.moved_to = r->moved_to;
    if (r->http_status == 304) {
        if (fk_store_log_fetch(run->store, job->id, &a, NULL, &err) < 0)
            return db_failed(run, &err);
        job->state = JOB_NOT_MODIFIED;
    } else {
        char *why = NULL;
        long items = 0;
        int rc = file_body(run, job, r, &a, &items, &why);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            /* Refused bodies are logged as failures, outside the feed's
             * transaction, which was rolled back. */
            a.error = why;
            rc = feed_failed(run, job, &a);
            free(why);
            return rc;
        }
        job->state = JOB_ARCHIVED;
    }
    if (r->moved_to && moved(run, job, r->moved_to) < 0)
        return -1;
    next_page(run, job);
    return 0;
}

/* A backfill page: filed like the feed, but not logged; a missing or
 * empty page is the end of the walk. */
static int page_done(struct run *run, struct job *job, const struct fk_fetch_result *r)
{
    if (r->error != FK_FETCH_OK || r->http_status == 304) {
        if (r->error != FK_FETCH_OK && !(r->error == FK_FETCH_HTTP && r->http_status == 404))
            page_failed(run, job, r->message);
        finish(run, job);
        return 0;
    }
    char *why = NULL;
    long items = 0;
    int rc = file_body(run, job, r, NULL, &items, &why);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        page_failed(run, job, why);
        free(why);
        finish(run, job);
        return 0;
    }
    if (items == 0) {
        finish(run, job);
        return 0;
    }
    job->pages++;
    next_page(run, job);
    return 0;
}

static int on_done(const struct fk_fetch_result *r, void *ctx)
{
    struct run *run = ctx;
    struct job *job = r->user;
    int rc = job->page == 1 ? feed_done(run, job, r) : page_done(run, job, r);
    return rc < 0 ? 1 : 0; /* a database error stops the run */
}

/* ---- choosing the feeds ---------------------------------------------------------- */

static bool is_due(const struct run *run, const struct fk_subscription *s, int64_t now)
{
    return run->set->force || s->next_fetch == FK_TIME_NONE || s->next_fetch <= now;
}

/* Validators are sent only while the feed's body was received within this
 * long: a validator can be wrong (a cache or server that answers 304 to it
 * whatever the feed holds, a date it should not have given), and nothing
 * but a fetch without one can tell. Once a day bounds how long such a
 * validator can hide new articles, at the cost of one full fetch a day of
 * a feed that does not change. */
#define VALIDATORS_TRUSTED_FOR (24 * 60 * 60)

static void add_job(struct run *run, const struct fk_subscription *s, int64_t now)
{
    struct job *job = &run->jobs[run->njobs++];
    memset(job, 0, sizeof *job);
    job->id = s->id;
    job->url = fk_xstrdup(s->url);
    job->feed_url = fk_xstrdup(s->url);
    if (s->moved_to)
        job->known_move = fk_xstrdup(s->moved_to);
    /* --force: as if the archive had never fetched the feed. */
    if (!run->set->force && s->last_body_fetch != FK_TIME_NONE &&
        now - s->last_body_fetch < VALIDATORS_TRUSTED_FOR) {
        job->etag = fk_xstrdup(s->etag);
        job->last_modified = fk_xstrdup(s->last_modified);
    }
    job->page = 1;
}

struct due_walk {
    struct run *run;
    int64_t now;
    size_t cap;
};

static int add_if_due(const struct fk_subscription *s, void *ctx)
{
    struct due_walk *walk = ctx;
    struct run *run = walk->run;
    if (!is_due(run, s, walk->now)) {
        run->not_due++;
        return 0;
    }
    if (run->njobs == walk->cap) {
        walk->cap = walk->cap ? walk->cap * 2 : 64;
        run->jobs = fk_xrealloc(run->jobs, walk->cap * sizeof *run->jobs);
    }
    add_job(run, s, walk->now);
    return 0;
}

/* The feeds named on the command line, in order, once each. */
static int pick_named(struct run *run, int argc, char **argv, int64_t now)
{
    run->jobs = fk_xcalloc((size_t)argc, sizeof *run->jobs);
    for (int i = 0; i < argc; i++) {
        struct fk_subscription s;
        int found = cli_find_feed(run->store, "fetch", argv[i], &s);
        if (found > 1)
            return found;
        if (found == 1 || !s.subscribed) {
            msg_usage("fetch", "'%s' is not subscribed (add it with 'feedkeep add')",
                      found == 0 ? s.url : argv[i]);
            fk_subscription_release(&s);
            return EXIT_USAGE;
        }
        bool named_before = false;
        for (size_t j = 0; j < run->njobs; j++)
            named_before = named_before || run->jobs[j].id == s.id;
        if (named_before) {
            fk_subscription_release(&s);
            continue;
        }
        if (is_due(run, &s, now)) {
            add_job(run, &s, now);
        } else {
            char delay[32];
            run->not_due++;
            out_delay(s.next_fetch - now, delay, sizeof delay);
            if (!run->cli->quiet)
                printf("%s: not due, next try in %s (--force fetches it now)\n", s.url, delay);
        }
        fk_subscription_release(&s);
    }
    return EXIT_OK;
}

static void release_jobs(struct run *run)
{
    for (size_t i = 0; i < run->njobs; i++) {
        struct job *job = &run->jobs[i];
        free(job->url);
        free(job->feed_url);
        free(job->etag);
        free(job->last_modified);
        free(job->page_url);
        free(job->moved_to);
        free(job->known_move);
    }
    free(run->jobs);
}

static int fetch_all(struct run *run)
{
    struct fk_error err = {0};
    run->fetch = fk_fetch_new(&run->set->fetch, &err);
    if (!run->fetch)
        return msg_fk_error(&err);
    for (size_t i = 0; i < run->njobs; i++) {
        struct job *job = &run->jobs[i];
        struct fk_fetch_request req = {
            .url = job->url,
            .etag = job->etag,
            .last_modified = job->last_modified,
            .user = job,
        };
        if (fk_fetch_add(run->fetch, &req, &err) < 0)
            return msg_fk_error(&err);
    }
    if (!run->cli->quiet)
        msg_progress("fetching %zu feeds", run->njobs);
    if (fk_fetch_run(run->fetch, on_done, run, &err) < 0 && !run->stopped) {
        /* The transport failed (the callback stops the run only after a
         * database error, which it has reported). */
        int code = msg_fk_error(&err);
        if (run->code == EXIT_OK)
            run->code = code;
    }
    return run->code;
}

int cmd_fetch(int argc, char **argv, struct cli *cli)
{
    struct settings set = {0};
    struct run run = {.cli = cli, .set = &set};
    struct fk_error err = {0};
    int lock_fd = -1;
    int code = parse_options(argc, argv, cli, &set);
    if (code != CLI_CONTINUE)
        return code;

    run.store = cli_create_store(cli);
    if (!run.store)
        return EXIT_IO;
    code = cli_lock_archive(fk_store_path(run.store), set.wait_ms, &lock_fd);
    if (code != EXIT_OK)
        goto out;
    int64_t now = (int64_t)time(NULL);
    if (optind < argc) {
        code = pick_named(&run, argc - optind, argv + optind, now);
    } else {
        struct due_walk walk = {&run, now, 0};
        if (fk_store_list_feeds(run.store, FK_FEEDS_SUBSCRIBED, now, add_if_due, &walk, &err) < 0)
            code = msg_fk_error(&err);
    }
    if (code != EXIT_OK)
        goto out;
    if (run.njobs)
        code = fetch_all(&run);
    msg_progress_clear();
    if (run.njobs && !run.fetch)
        goto out; /* no transfer started; the error said why */
    if (code != EXIT_IO && !run.stopped && !cli->quiet)
        printf("total: %zu feed%s, %ld new, %ld updated, %ld unchanged, %ld not modified, "
               "%ld failed, %ld not due\n",
               run.njobs, run.njobs == 1 ? "" : "s", run.counts[FK_PUT_NEW],
               run.counts[FK_PUT_UPDATED], run.counts[FK_PUT_UNCHANGED], run.not_modified,
               run.failed, run.not_due);
    /* A run that went to the end is logged for --since-fetch, failed feeds
     * or not; one a database error stopped is not. */
    if (code != EXIT_IO && code != EXIT_LOCKED && !run.stopped) {
        struct fk_fetch_run log = {
            .started = now,
            .finished = (int64_t)time(NULL),
            .feeds = (int64_t)run.njobs,
            .failed = run.failed,
            .new_count = run.counts[FK_PUT_NEW],
            .updated_count = run.counts[FK_PUT_UPDATED],
        };
        if (fk_store_log_run(run.store, &log, &err) < 0)
            code = msg_fk_error(&err);
    }
out:
    msg_progress_clear();
    fk_fetch_free(run.fetch);
    release_jobs(&run);
    fk_store_close(run.store);
    if (lock_fd >= 0)
        close(lock_fd);
    return code;
}
