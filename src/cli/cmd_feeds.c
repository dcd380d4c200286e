/* cmd_feeds.c - feedkeep feeds: subscriptions and their health. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep feeds [options]\n"
    "\n"
    "List the subscribed feeds and their health: articles archived, the last\n"
    "fetch and its HTTP status, failed fetches in a row, and the time before\n"
    "which 'feedkeep fetch' leaves the feed alone (backoff).\n"
    "\n"
    "Options:\n"
    "  --all             also list feeds that were imported or removed\n"
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "TSV and CSV columns: id, url, name, articles, last_fetch, last_status,\n"
    "failures, next_fetch, last_error (times in ISO 8601 UTC; empty when\n"
    "never, or for next_fetch when the feed is due whenever). JSON fields: id,\n"
    "url, name, title, site_url, subscribed, articles, last_fetch,\n"
    "last_status, last_error, failures, next_fetch, final_url, moved_to, etag,\n"
    "last_modified.\n";

/* The table: compact enough for 80 columns, so one flexible column shows
 * the feed by its name, else its URL (TSV, CSV and JSON have both), and
 * times are relative to now. */
enum { COL_ID, COL_FEED, COL_ARTICLES, COL_LAST, COL_STATUS, COL_FAILS, COL_NEXT, NCOLS };

static const struct out_column columns[NCOLS] = {
    [COL_ID] = {"ID", 4},
    [COL_FEED] = {"FEED", 0},
    [COL_ARTICLES] = {"ARTICLES", 8},
    [COL_LAST] = {"LAST FETCH", 10},
    [COL_STATUS] = {"STATUS", 6},
    [COL_FAILS] = {"FAILS", 5},
    [COL_NEXT] = {"NEXT FETCH", 10},
};

/* Numbers are right-aligned. */
static const bool right_aligned[NCOLS] = {
    [COL_ID] = true,
    [COL_ARTICLES] = true,
    [COL_FAILS] = true,
};

struct feeds_out {
    enum out_format format;
    struct fk_buf buf;
    int widths[NCOLS];
    int64_t now;
};

static void add_json(struct fk_buf *buf, const struct fk_subscription *s)
{
    fk_buf_printf(buf, "{\"id\":%lld,\"url\":", (long long)s->id);
    fk_json_string(buf, s->url);
    fk_buf_adds(buf, ",\"name\":");
    fk_json_string(buf, s->name);
    fk_buf_adds(buf, ",\"title\":");
    fk_json_string(buf, s->title);
    fk_buf_adds(buf, ",\"site_url\":");
    fk_json_string(buf, s->site_url);
    fk_buf_printf(buf, ",\"subscribed\":%s,\"articles\":%lld,\"last_fetch\":",
                  s->subscribed ? "true" : "false", (long long)s->articles);
    fk_json_time(buf, s->last_fetch);
    fk_buf_adds(buf, ",\"last_status\":");
    if (s->last_status)
        fk_buf_printf(buf, "%d", s->last_status);
    else
        fk_buf_adds(buf, "null");
    fk_buf_adds(buf, ",\"last_error\":");
    fk_json_string(buf, s->last_error);
    fk_buf_printf(buf, ",\"failures\":%d,\"next_fetch\":", s->failures);
    fk_json_time(buf, s->next_fetch);
    fk_buf_adds(buf, ",\"final_url\":");
    fk_json_string(buf, s->final_url);
    fk_buf_adds(buf, ",\"moved_to\":");
    fk_json_string(buf, s->moved_to);
    fk_buf_adds(buf, ",\"etag\":");
    fk_json_string(buf, s->etag);
    fk_buf_adds(buf, ",\"last_modified\":");
    fk_json_string(buf, s->last_modified);
    fk_buf_adds(buf, "}\n");
}

static void add_fields(struct fk_buf *buf, const struct fk_subscription *s, enum out_format format)
{
    void (*field)(struct fk_buf *, const char *) = format == OUT_TSV ? out_add_tsv : out_add_csv;
    char sep = format == OUT_TSV ? '\t' : ',';
    char last[FK_DATE_BUFSIZE], next[FK_DATE_BUFSIZE], status[16] = "";
    fk_date_format(s->last_fetch, last);
    fk_date_format(s->next_fetch, next);
    if (s->last_status)
        snprintf(status, sizeof status, "%d", s->last_status);
    fk_buf_printf(buf, "%lld%c", (long long)s->id, sep);
    field(buf, s->url);
    fk_buf_addc(buf, sep);
    field(buf, s->name);
    fk_buf_printf(buf, "%c%lld%c", sep, (long long)s->articles, sep);
    field(buf, last);
    fk_buf_addc(buf, sep);
    field(buf, status);
    fk_buf_printf(buf, "%c%d%c", sep, s->failures, sep);
    field(buf, next);
    fk_buf_addc(buf, sep);
    field(buf, s->last_error);
    fk_buf_addc(buf, '\n');
}

/* url without "http://" or "https://": the part that tells feeds apart
 * gets more of the column. */
static const char *without_scheme(const char *url)
{
    static const char *const schemes[] = {"https://", "http://"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t len = strlen(schemes[i]);
        if (strncmp(url, schemes[i], len) == 0)
            return url + len;
    }
    return url;
}

static void add_row(struct feeds_out *out, const struct fk_subscription *s)
{
    struct fk_buf *buf = &out->buf;
    char id[32], articles[32], last[48], status[16], fails[16], next[48], delay[32];
    const char *cells[NCOLS];

    snprintf(id, sizeof id, "%lld", (long long)s->id);
    snprintf(articles, sizeof articles, "%lld", (long long)s->articles);
    snprintf(fails, sizeof fails, "%d", s->failures);
    if (s->last_fetch == FK_TIME_NONE) {
        snprintf(last, sizeof last, "never");
    } else {
        out_delay(out->now - s->last_fetch, delay, sizeof delay);
        snprintf(last, sizeof last, "%s ago", delay);
    }
    if (s->next_fetch == FK_TIME_NONE || s->next_fetch <= out->now) {
        snprintf(next, sizeof next, "now");
    } else {
        out_delay(s->next_fetch - out->now, delay, sizeof delay);
        snprintf(next, sizeof next, "in %s", delay);
    }
    if (s->last_status)
        snprintf(status, sizeof status, "%d", s->last_status);
    else
        snprintf(status, sizeof status, "%s", s->last_error ? "error" : "-");
    cells[COL_ID] = id;
    cells[COL_FEED] = s->name ? s->name : without_scheme(s->url);
    cells[COL_ARTICLES] = articles;
    cells[COL_LAST] = last;
    cells[COL_STATUS] = status;
    cells[COL_FAILS] = fails;
    cells[COL_NEXT] = next;
    for (int c = 0; c < NCOLS; c++) {
        if (right_aligned[c])
            fk_buf_printf(buf, "%*s", out->widths[c], cells[c]);
        else
            out_add_cell(buf, cells[c], out->widths[c], c + 1 < NCOLS);
        fk_buf_adds(buf, c + 1 < NCOLS ? "  " : "\n");
    }
}

static int print_feed(const struct fk_subscription *s, void *ctx)
{
    struct feeds_out *out = ctx;
    switch (out->format) {
    case OUT_JSON:
        add_json(&out->buf, s);
        break;
    case OUT_TSV:
    case OUT_CSV:
        add_fields(&out->buf, s, out->format);
        break;
    case OUT_TABLE:
        add_row(out, s);
        break;
    }
    out_flush(&out->buf);
    return 0;
}

int cmd_feeds(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"all", no_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct feeds_out out = {out_format_default(), FK_BUF_INIT, {0}, (int64_t)time(NULL)};
    enum fk_feed_set set = FK_FEEDS_SUBSCRIBED;
    int code = EXIT_OK;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        if (opt == 'a') {
            set = FK_FEEDS_ALL;
        } else if (opt == 'f') {
            if (out_format_parse(optarg, &out.format) < 0)
                return msg_usage("feeds", "unknown format '%s'", optarg);
        } else {
            int rc = cli_common_option(opt, optarg, cli, "feeds", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    if (optind != argc)
        return msg_usage("feeds", "unexpected argument '%s'", argv[optind]);

    struct fk_store *store = cli_open_store(cli);
    if (!store)
        return EXIT_IO;
    if (out.format == OUT_TABLE)
        out_table_start(&out.buf, columns, NCOLS, out.widths);
    struct fk_error err = {0};
    if (fk_store_list_feeds(store, set, out.now, print_feed, &out, &err) < 0)
        code = msg_fk_error(&err);
    out_flush(&out.buf);
    fk_store_close(store);
    fk_buf_release(&out.buf);
    return code;
}
