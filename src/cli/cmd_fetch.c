/* cmd_fetch.c - feedkeep fetch [URL|ID...]: fetch the due feeds and archive
 * what is new.
 *
 * The run holds the archive's fetch lock, picks the feeds and hands them to
 * one fetch run (update.c), which files and logs each response as it
 * arrives. This file turns the run's events into the lines the user sees,
 * the progress display, the total and the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "assetrun.h"
#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/store.h"
#include "feedkeep/update.h"

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
    "  --full-text-pages N      fetch at most N article pages in the run\n"
    "                           (default 50; 0: none); the others wait for\n"
    "                           the next run (see 'feedkeep feeds --help',\n"
    "                           full-text)\n"
    "  --wait SECONDS           wait up to SECONDS for another fetch of the\n"
    "                           archive to end (default 0: exit 4 at once);\n"
    "                           on PostgreSQL fetches run side by side\n"
    "  --lease SECONDS          on PostgreSQL, how long the feeds this fetch\n"
    "                           claims stay its own unless renewed (300)\n"
    "  --connect-timeout SECONDS  to connect, TLS included (default 10)\n"
    "  --timeout SECONDS        for the whole transfer of a feed (default 60)\n"
    "  --stall-time SECONDS     abort a transfer slower than --stall-speed for\n"
    "                           this long (default 20; 0: never)\n"
    "  --stall-speed BYTES      bytes a second (default 1024)\n"
    "  --max-size SIZE          largest body kept, after decompression\n"
    "                           (default 32M; suffixes K, M, G)\n"
    "  --api-interval SECONDS   least time between two requests to dev.to's\n"
    "                           API (default 1)\n"
    "  --assets                 fetch the assets of every feed of the run,\n"
    "                           whatever its assets setting\n"
    "  --no-assets              fetch no assets\n"
    "  --asset-max-size SIZE    largest asset kept (default 10M)\n"
    "  --article-assets N       assets kept per article (default 100)\n"
    "  --article-asset-bytes SIZE  bytes of assets kept per article (default 50M)\n"
    "  --run-asset-bytes SIZE   bytes of assets one run downloads (default 500M)\n"
    "  --asset-budget SIZE      bytes of all the archive's assets (default 10G)\n"
    "  --media                  keep video and audio too (default: images only)\n"
    "  --allow-private-assets   fetch assets on loopback, link-local and private\n"
    "                           addresses (otherwise only for a feed that came\n"
    "                           from such an address)\n"
    "  --db PATH                the archive\n"
    "  -q, --quiet              print nothing unless a feed failed\n"
    "  -v, --verbose            warn about recovered XML errors; a line per asset\n"
    "  -h, --help               show this help\n";

/* The rest of the help, printed after help: one literal would be longer
 * than C compilers must take. */
static const char help_rest[] =
    "\n"
    "Prints a line per feed ('URL: 3 new, 0 updated, 9 unchanged' or\n"
    "'URL: not modified') and a total on stdout, and a line per failed feed\n"
    "on stderr:  feedkeep: 'URL': HTTP 503 (3rd failure, next try in 2h)\n"
    "Items that came under new guids for archived articles of their feed\n"
    "are filed as those articles, with one line on stderr for the feed (see\n"
    "'feedkeep dedup --help').\n"
    "\n"
    "After the feeds, the assets of their articles are fetched (images, and\n"
    "video and audio with --media): those of feeds whose assets setting is on\n"
    "(see 'feedkeep feeds set'), over http and https only, each kept once by\n"
    "the SHA-256 of its bytes, its type sniffed from the bytes (an SVG only\n"
    "without script or outside references). What a cap or the policy keeps\n"
    "out is recorded with the reason and tried again only when that cap\n"
    "changes; a failed download is tried again at a later run, backing off as\n"
    "feeds do. One line sums them up when there were any ('assets: 12 stored\n"
    "(3 already archived), 1.2 MiB added; 0 skipped; 1 failed'); -v prints a\n"
    "line per asset, and its failures on stderr. A failed asset does not\n"
    "change the exit status.\n"
    "\n"
    "A dev.to API source (devto-api:USER, tag/TAG, org/ORG; see 'feedkeep add\n"
    "--help') is read through list calls, a thousand articles each (a user's\n"
    "or organisation's whole history; a tag's 100 most popular, --pages N for\n"
    "more), then one article call for each article that is new or edited\n"
    "since it was archived; the counts of the others (reactions, comments)\n"
    "are updated without a version. Requests to the API are paced\n"
    "(--api-interval), and a 429 or 503 whose Retry-After is at most two\n"
    "minutes away is waited for, twice at most. A failed article call is\n"
    "one line on stderr and asked again at the next run; it does not change\n"
    "the exit status.\n"
    "\n"
    "For feeds whose full-text setting wants them (see 'feedkeep feeds\n"
    "--help'), the pages of new and changed items are fetched after their\n"
    "feed (at most 2 at once per host, feeds included; conditional GET; a page\n"
    "that fails backs off like a feed, for 5 tries), their article extracted,\n"
    "and used as the article's text when it is longer than the feed's. Pages\n"
    "on loopback, link-local or private addresses are fetched only for feeds\n"
    "that came from such addresses. A line per page that became its article's\n"
    "text:\n"
    "  URL: whole article (article 12)\n"
    "and a line per page that failed on stderr, which does not change the\n"
    "exit status:\n"
    "  feedkeep: 'URL': HTTP 503 (article 12's page, 1st failure, next try in 30m)\n"
    "\n"
    "Exit status: 0 every feed was fetched or was not due, 1 a feed failed,\n"
    "2 usage error, 3 database or I/O error, 4 the archive is busy (another\n"
    "fetch holds the lock).\n";

/* What the options set. */
struct settings {
    struct fk_update_options update;
    long wait_ms;
    struct asset_settings assets;
};

/* What the run printed and counted so far. */
struct run {
    const struct cli *cli;
    struct fk_store *store;
    struct fk_update *update;
    size_t finished; /* feeds whose run ended */
    size_t earlier;  /* feeds of the earlier rounds (PostgreSQL) */
    int code;
    int64_t *feed_ids; /* of the feeds whose run ended, for their assets */
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

/* The options whose value is a number of seconds or a count, each a long
 * in struct settings: how to read the value, what it must be, where it
 * goes. */
static const struct {
    int opt;
    const char *name;
    long (*parse)(const char *s);
    const char *what;
    size_t offset;
} number_options[] = {
    {'W', "wait", parse_seconds, "a number of seconds", offsetof(struct settings, wait_ms)},
    {'C', "connect-timeout", parse_seconds, "a number of seconds",
     offsetof(struct settings, update.fetch.connect_timeout_ms)},
    {'T', "timeout", parse_seconds, "a number of seconds",
     offsetof(struct settings, update.fetch.timeout_ms)},
    {'S', "stall-time", cli_parse_count, "whole seconds",
     offsetof(struct settings, update.fetch.low_speed_time)},
    {'B', "stall-speed", cli_parse_count, "a count of bytes",
     offsetof(struct settings, update.fetch.low_speed_limit)},
    {'I', "api-interval", parse_seconds, "a number of seconds",
     offsetof(struct settings, update.api_interval_ms)},
    {'L', "lease", cli_parse_count, "whole seconds", offsetof(struct settings, update.lease)},
};

/* Handle an option of number_options into set: CLI_CONTINUE, EXIT_USAGE
 * after printing why, or CLI_NOT_COMMON when opt is none of them. */
static int number_option(int opt, const char *arg, struct settings *set)
{
    for (size_t i = 0; i < sizeof number_options / sizeof number_options[0]; i++) {
        if (number_options[i].opt != opt)
            continue;
        long value = number_options[i].parse(arg);
        if (value < 0)
            return msg_usage("fetch", "option '--%s': '%s' is not %s", number_options[i].name, arg,
                             number_options[i].what);
        *(long *)((char *)set + number_options[i].offset) = value;
        return CLI_CONTINUE;
    }
    return CLI_NOT_COMMON;
}

/* Options without a short letter. */
enum { OPT_FULL_TEXT_PAGES = 0x1700 };

/* Parse the options into set. Returns CLI_CONTINUE to go on, or an exit
 * code (after --help, or a usage error). */
static int parse_options(int argc, char **argv, struct cli *cli, struct settings *set)
{
    static const struct option options[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"force", no_argument, NULL, 'F'},
        {"follow-moves", no_argument, NULL, 'M'},
        {"pages", required_argument, NULL, 'P'},
        {"full-text-pages", required_argument, NULL, OPT_FULL_TEXT_PAGES},
        {"wait", required_argument, NULL, 'W'},
        {"connect-timeout", required_argument, NULL, 'C'},
        {"timeout", required_argument, NULL, 'T'},
        {"stall-time", required_argument, NULL, 'S'},
        {"stall-speed", required_argument, NULL, 'B'},
        {"max-size", required_argument, NULL, 'Z'},
        {"api-interval", required_argument, NULL, 'I'},
        {"lease", required_argument, NULL, 'L'},
        ASSET_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    long n;
    int opt;

    fk_update_options_init(&set->update);
    asset_settings_init(&set->assets);
    set->update.clean_message = out_safe_dup;
    set->update.devto_api = cli_devto_api();
    set->update.devto_api_key = cli_devto_api_key();
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        switch (opt) {
        case 'j':
            if ((n = cli_parse_count(optarg)) < 1 || n > 1000)
                return msg_usage("fetch", "option '--jobs': '%s' is not a count of 1 to 1000",
                                 optarg);
            set->update.fetch.jobs = (int)n;
            break;
        case 'F':
            set->update.force = true;
            break;
        case 'M':
            set->update.follow_moves = true;
            break;
        case 'P':
            if ((n = cli_parse_count(optarg)) < 1 || n > 10000)
                return msg_usage("fetch", "option '--pages': '%s' is not a count of 1 to 10000",
                                 optarg);
            set->update.pages = (int)n;
            break;
        case OPT_FULL_TEXT_PAGES:
            if ((n = cli_parse_count(optarg)) < 0 || n > 100000)
                return msg_usage("fetch",
                                 "option '--full-text-pages': '%s' is not a count of 0 to 100000",
                                 optarg);
            set->update.article_pages = (int)n;
            break;
        case 'Z':
            if ((set->update.fetch.max_body = cli_parse_size(optarg)) == 0)
                return msg_usage("fetch", "option '--max-size': '%s' is not a size (32M, 512K)",
                                 optarg);
            break;
        default: {
            int rc = number_option(opt, optarg, set);
            if (rc == CLI_NOT_COMMON)
                rc = asset_option(opt, optarg, "fetch", &set->assets);
            if (rc == CLI_NOT_COMMON)
                rc = cli_common_option(opt, optarg, cli, "fetch", help);
            if (opt == 'h' && rc == EXIT_OK)
                fputs(help_rest, stdout);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
        }
    }
    return CLI_CONTINUE;
}

/* ---- messages ------------------------------------------------------------------- */

static void progress(const struct run *run)
{
    if (!run->cli->quiet)
        msg_progress("fetched %zu of %zu feeds", run->finished,
                     run->earlier + fk_update_totals(run->update)->feeds);
}

/* The feed's line on stdout. */
static void print_summary(const struct fk_update_event *ev)
{
    const struct fk_update_feed *feed = ev->feed;
    struct fk_buf line = FK_BUF_INIT;
    const char *notes[4];
    size_t nnotes = 0;
    char pages[32], shorter[64];
    struct fk_buf moved = FK_BUF_INIT;

    fk_buf_printf(&line, "%s: ", feed->url);
    if (ev->kind == FK_UPDATE_NOT_MODIFIED && feed->pages == 0) {
        fk_buf_adds(&line, "not modified");
    } else {
        fk_buf_printf(&line, "%ld new, %ld updated, %ld unchanged", feed->counts[FK_PUT_NEW],
                      feed->counts[FK_PUT_UPDATED], feed->counts[FK_PUT_UNCHANGED]);
        if (ev->kind == FK_UPDATE_NOT_MODIFIED)
            notes[nnotes++] = "first page not modified";
    }
    if (feed->counts[FK_PUT_KEPT_SHORTER]) {
        snprintf(shorter, sizeof shorter, "%ld kept their longer archived text",
                 feed->counts[FK_PUT_KEPT_SHORTER]);
        notes[nnotes++] = shorter;
    }
    if (feed->pages) {
        snprintf(pages, sizeof pages, "%d pages", feed->pages + 1);
        notes[nnotes++] = pages;
    }
    if (feed->moved_to && feed->moved_onto) {
        fk_buf_printf(&moved,
                      "moved permanently to %s, which is feed %lld of the archive; "
                      "'feedkeep remove %lld' ends this subscription",
                      feed->moved_to, (long long)feed->moved_onto, (long long)feed->id);
        notes[nnotes++] = moved.data;
    } else if (feed->moved_to) {
        fk_buf_printf(&moved, "moved permanently to %s; %s", feed->moved_to,
                      feed->followed ? "subscription updated"
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

/* The feed's run ended. */
static void finish(struct run *run, const struct fk_update_event *ev)
{
    run->feed_ids = fk_xrealloc(run->feed_ids, (run->finished + 1) * sizeof *run->feed_ids);
    run->feed_ids[run->finished++] = ev->feed->id;
    /* Once for the feed, its backfill pages included. */
    msg_guid_changes(ev->feed->url, ev->feed->matched, ev->feed->matched_id, run->cli->quiet);
    if (ev->kind != FK_UPDATE_FAILED && !run->cli->quiet)
        print_summary(ev);
    progress(run);
}

static void failed(struct run *run)
{
    if (run->code == EXIT_OK)
        run->code = EXIT_FAILED;
}

/* --quiet prints no summary lines: a move is worth one warning, the first
 * time it is seen. */
static void warn_moved(const struct fk_update_feed *feed)
{
    if (feed->moved_onto)
        msg_warn("'%s': moved permanently to '%s', which is feed %lld of the archive; "
                 "'feedkeep remove %lld' ends this subscription",
                 feed->url, feed->moved_to, (long long)feed->moved_onto, (long long)feed->id);
    else if (feed->followed)
        msg_warn("'%s': moved permanently to '%s'; subscription updated", feed->url,
                 feed->moved_to);
    else
        msg_warn("'%s': moved permanently to '%s'; 'feedkeep fetch --follow-moves' updates "
                 "the subscription",
                 feed->url, feed->moved_to);
}

/* An article page: a line when it became the article's text, a warning
 * when it had no article in it, an error when it failed (the run's exit
 * status stays: the feed was fetched). */
static void article_page(const struct run *run, const struct fk_update_event *ev)
{
    char delay[32];
    long long id = (long long)ev->article_id;
    msg_progress_clear();
    if (ev->kind == FK_UPDATE_ARTICLE_PAGE_FAILED && ev->next_fetch == FK_TIME_NONE) {
        msg_error("'%s': %s (article %lld's page; not fetched again until the feed changes "
                  "the item)",
                  ev->url, ev->message, id);
    } else if (ev->kind == FK_UPDATE_ARTICLE_PAGE_FAILED) {
        out_delay(ev->next_fetch - ev->time, delay, sizeof delay);
        msg_error("'%s': %s (article %lld's page, %d%s failure, next try in %s)", ev->url,
                  ev->message, id, ev->failures, cli_ordinal_suffix(ev->failures), delay);
    } else if (ev->page_result == FK_PAGE_USED && !run->cli->quiet) {
        printf("%s: whole article (article %lld)\n", ev->url, id);
    } else if (ev->page_result == FK_PAGE_EMPTY) {
        msg_warn("'%s': no article text in the page; the feed's text stays (article %lld)", ev->url,
                 id);
    } else if (ev->page_result == FK_PAGE_KEPT) {
        msg_warn("'%s': the page has under half the text of the page kept, which stays "
                 "(article %lld)",
                 ev->url, id);
    }
    progress(run);
}

static void on_event(const struct fk_update_event *ev, void *ctx)
{
    struct run *run = ctx;
    char delay[32];

    switch (ev->kind) {
    case FK_UPDATE_STARTED:
        if (!run->cli->quiet)
            msg_progress("fetching %zu feeds", run->earlier + fk_update_totals(run->update)->feeds);
        break;
    case FK_UPDATE_ITEM_WARNING:
        cli_warn_item(ev->feed->url, ev->item, ev->message);
        break;
    case FK_UPDATE_RECOVERED:
        if (run->cli->verbose)
            cli_warn_recovered(ev->url, ev->info);
        break;
    case FK_UPDATE_MOVED:
        if (run->cli->quiet && !ev->feed->known_move)
            warn_moved(ev->feed);
        break;
    case FK_UPDATE_PAGE_FAILED:
        msg_error("'%s': %s (backfill stopped at page %d)", ev->url, ev->message, ev->page);
        failed(run);
        break;
    case FK_UPDATE_FAILED:
        out_delay(ev->next_fetch - ev->time, delay, sizeof delay);
        msg_error("'%s': %s (%d%s failure, next try in %s)", ev->feed->url, ev->message,
                  ev->failures, cli_ordinal_suffix(ev->failures), delay);
        failed(run);
        finish(run, ev);
        break;
    case FK_UPDATE_FILED:
    case FK_UPDATE_NOT_MODIFIED:
        finish(run, ev);
        break;
    case FK_UPDATE_ARTICLE_PAGE:
    case FK_UPDATE_ARTICLE_PAGE_FAILED:
        article_page(run, ev);
        break;
    case FK_UPDATE_API_PROGRESS:
        if (!run->cli->quiet)
            msg_progress("fetched %zu of %zu feeds; %s: article %ld of %ld", run->finished,
                         run->earlier + fk_update_totals(run->update)->feeds, ev->feed->url,
                         ev->done + 1, ev->total);
        break;
    case FK_UPDATE_API_ARTICLE_FAILED:
        if (ev->gone)
            msg_warn("'%s': %s (an article %s listed, gone since)", ev->url, ev->message,
                     ev->feed->url);
        else
            msg_error("'%s': %s (an article of %s; asked again at the next run)", ev->url,
                      ev->message, ev->feed->url);
        break;
    }
}

/* Add the totals of a round to sum. The feeds held by other fetchers are
 * the last round's: those it found held, not yet fetched. */
static void add_totals(struct fk_update_totals *sum, const struct fk_update_totals *round)
{
    sum->feeds += round->feeds;
    for (int i = 0; i < FK_PUT_COUNT; i++)
        sum->counts[i] += round->counts[i];
    sum->not_modified += round->not_modified;
    sum->failed += round->failed;
    sum->not_due += round->not_due;
    sum->held = round->held;
    sum->article_pages += round->article_pages;
    sum->article_pages_used += round->article_pages_used;
    sum->article_pages_failed += round->article_pages_failed;
    sum->article_pages_capped = sum->article_pages_capped || round->article_pages_capped;
}

/* ", N held by other fetchers" for the total line, or "" when none. */
static const char *held_note(long held, char *buf, size_t size)
{
    if (held <= 0)
        return "";
    snprintf(buf, size, ", %ld held by other fetchers", held);
    return buf;
}

/* ---- choosing the feeds ---------------------------------------------------------- */

/* The feeds named on the command line, in order, once each. */
static int pick_named(struct run *run, int argc, char **argv, int64_t now)
{
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
        if (fk_update_add(run->update, &s) == 2 && !run->cli->quiet) {
            char delay[32];
            out_delay(s.next_fetch - now, delay, sizeof delay);
            printf("%s: not due, next try in %s (--force fetches it now)\n", s.url, delay);
        }
        fk_subscription_release(&s);
    }
    return EXIT_OK;
}

int cmd_fetch(int argc, char **argv, struct cli *cli)
{
    struct settings set = {0};
    struct run run = {.cli = cli};
    struct fk_error err = {0};
    bool stopped = false;
    int lock_fd = -1;
    int code = parse_options(argc, argv, cli, &set);
    if (code != CLI_CONTINUE)
        return code;

    struct fk_store *store = run.store = cli_create_store(cli);
    if (!store)
        return EXIT_IO;
    /* Fetches of a PostgreSQL archive claim their feeds instead. */
    code = EXIT_OK;
    if (!fk_store_is_postgresql(store)) {
        code = cli_lock_archive(fk_store_path(store), set.wait_ms, &lock_fd);
        if (code != EXIT_OK)
            goto out;
    }
    int64_t now = (int64_t)time(NULL);
    /* On PostgreSQL the due feeds are fetched in rounds: each claims a few
     * times as many feeds as the run has transfers, fetches them and gives
     * them back, until none is left, so that fetchers running at once
     * share the work. */
    bool rounds = fk_store_is_postgresql(store) && optind == argc;
    if (rounds)
        set.update.claim_limit = 4L * set.update.fetch.jobs;
    run.update = fk_update_new(store, &set.update, now);
    if (optind < argc)
        code = pick_named(&run, argc - optind, argv + optind, now);
    else if (fk_update_add_due(run.update, &err) < 0)
        code = msg_fk_error(&err);
    if (code != EXIT_OK)
        goto out;
    struct fk_update_totals totals = {0};
    for (;;) {
        enum fk_update_end end = fk_update_run(run.update, on_event, &run, &err);
        if (end == FK_UPDATE_NOT_STARTED) {
            code = msg_fk_error(&err);
            goto out; /* nothing was fetched; the error said why */
        }
        if (end == FK_UPDATE_CUT) {
            /* The transport failed. */
            int cut = msg_fk_error(&err);
            if (run.code == EXIT_OK)
                run.code = cut;
        } else if (end == FK_UPDATE_STOPPED) {
            /* A busy archive is not a damaged one: it has its own exit status. */
            msg_fk_error(&err);
            run.code = err.kind == FK_ERROR_BUSY ? EXIT_LOCKED : EXIT_IO;
            stopped = true;
        }
        const struct fk_update_totals *round = fk_update_totals(run.update);
        add_totals(&totals, round);
        if (!rounds || stopped || end == FK_UPDATE_CUT)
            break;
        /* Nothing claimed: done, unless feeds wait for room at a host that
         * other fetchers are busy with. */
        if (round->feeds == 0 && round->waiting == 0)
            break;
        if (round->feeds == 0)
            nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
        /* The next round: this one's hosts are free again for any fetcher. */
        run.earlier += round->feeds;
        set.update.article_pages -= (int)round->article_pages;
        if (set.update.article_pages < 0)
            set.update.article_pages = 0;
        fk_update_free(run.update);
        run.update = fk_update_new(store, &set.update, (int64_t)time(NULL));
        if (fk_store_release_claims(store, false, &err) < 0 ||
            fk_update_add_more(run.update, &err) < 0) {
            msg_fk_error(&err);
            run.code = EXIT_IO;
            stopped = true;
            break;
        }
    }
    code = run.code;
    msg_progress_clear();
    char held[64];
    if (code != EXIT_IO && !stopped && !cli->quiet)
        printf("total: %zu feed%s, %ld new, %ld updated, %ld unchanged, %ld not modified, "
               "%ld failed, %ld not due%s\n",
               totals.feeds, totals.feeds == 1 ? "" : "s", totals.counts[FK_PUT_NEW],
               totals.counts[FK_PUT_UPDATED], totals.counts[FK_PUT_UNCHANGED], totals.not_modified,
               totals.failed, totals.not_due, held_note(totals.held, held, sizeof held));
    if (code != EXIT_IO && !stopped && !cli->quiet && totals.article_pages)
        printf("article pages: %ld fetched, %ld whole articles, %ld failed or without text%s\n",
               totals.article_pages, totals.article_pages_used, totals.article_pages_failed,
               totals.article_pages_capped ? "; more wait for the next run" : "");
    /* A run that went to the end is logged for --since-fetch, failed feeds
     * or not; one a database error stopped is not. */
    if (code != EXIT_IO && code != EXIT_LOCKED && !stopped) {
        struct fk_fetch_run log = {
            .started = now,
            .finished = (int64_t)time(NULL),
            .feeds = (int64_t)totals.feeds,
            .failed = totals.failed,
            .new_count = totals.counts[FK_PUT_NEW],
            .updated_count = totals.counts[FK_PUT_UPDATED],
        };
        if (fk_store_log_run(store, &log, &err) < 0)
            code = msg_fk_error(&err);
    }
    /* After the feeds, the assets of their articles. A download that
     * failed is retried later and fails nothing; the archive failing does. */
    if (code != EXIT_IO && code != EXIT_LOCKED && !stopped) {
        int assets =
            asset_run(store, cli, &set.assets, &set.update.fetch, run.feed_ids, run.finished);
        if (assets != EXIT_OK)
            code = assets;
    }
out:
    /* The feeds claimed are given back, whatever happened; a failure to
     * leaves them to their lease. */
    if (run.update && fk_store_release_claims(store, true, &err) < 0) {
        int released = msg_fk_error(&err);
        if (code == EXIT_OK)
            code = released;
    }
    free(run.feed_ids);
    msg_progress_clear();
    fk_update_free(run.update);
    fk_store_close(store);
    if (lock_fd >= 0)
        close(lock_fd);
    return code;
}
