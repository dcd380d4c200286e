/* cmd_feeds.c - feedkeep feeds: subscriptions and their health. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep feeds [options]\n"
    "       feedkeep feeds set ID keep-raw on|off\n"
    "       feedkeep feeds set ID assets on|off\n"
    "       feedkeep feeds set ID full-text on|off|auto\n"
    "\n"
    "List the subscribed feeds and their health: articles archived, the last\n"
    "fetch and its HTTP status, failed fetches in a row, and the time before\n"
    "which 'feedkeep fetch' leaves the feed alone (backoff).\n"
    "\n"
    "Options:\n"
    "  --all             also list feeds that were imported or removed\n"
    "  --tag TAG         only feeds with this tag (an OPML folder)\n" CLI_OUTPUT_HELP
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: id, url, name, title, site_url, subscribed, articles,\n"
    "last_fetch, last_status, last_error, failures, next_fetch, final_url,\n"
    "moved_to, etag, last_modified, tags, keep_raw, assets, full_text. TSV and\n"
    "CSV columns by default: id, url, name, articles, last_fetch, last_status,\n"
    "failures, next_fetch,\n"
    "last_error (times in ISO 8601 UTC; empty when never, or for next_fetch\n"
    "when the feed is due whenever). JSON: every field. The table (without\n"
    "--fields) shows the feed by its name, else its URL, times relative to\n"
    "now, and the last error in short.\n"
    "\n"
    "'feeds set ID keep-raw off' stops keeping the documents of feed ID as\n"
    "they came (on for a new feed); the field keep_raw shows the setting.\n"
    "'feeds set ID assets off' stops fetching the images of its articles\n"
    "(those stored stay; on for a new feed, off for the feeds of an archive\n"
    "made before feedkeep kept images, so that an upgrade never starts\n"
    "downloading); 'fetch --assets' and '--no-assets' override it for one\n"
    "run. The field assets shows the setting.\n"
    "\n"
    "'feeds set ID full-text on|off|auto' says when 'feedkeep fetch' fetches\n"
    "the pages of feed ID's items (each once, and again when the feed changes\n"
    "the item; at most 50 a run, newest first) and archives the article it\n"
    "finds there, as their text when it is longer than the feed's: on for\n"
    "every item, auto for teasers (under 150 words, ending in an ellipsis, or\n"
    "with a \"read more\" link to the item's page; never for dev.to), off\n"
    "never. A new feed gets auto; the feeds of an archive made before feedkeep\n"
    "archived pages get off. The field full_text shows the setting.\n";

OUT_GETTER(id, struct fk_subscription, OUT_V_INT, v->number = row->id)
OUT_GETTER(url, struct fk_subscription, OUT_V_TEXT, v->text = row->url)
OUT_GETTER(name, struct fk_subscription, OUT_V_TEXT, v->text = row->name)
OUT_GETTER(title, struct fk_subscription, OUT_V_TEXT, v->text = row->title)
OUT_GETTER(site_url, struct fk_subscription, OUT_V_TEXT, v->text = row->site_url)
OUT_GETTER(subscribed, struct fk_subscription, OUT_V_BOOL, v->number = row->subscribed)
OUT_GETTER(articles, struct fk_subscription, OUT_V_INT, v->number = row->articles)
OUT_GETTER(last_fetch, struct fk_subscription, OUT_V_TIME, v->number = row->last_fetch)
OUT_GETTER(last_status, struct fk_subscription, row->last_status ? OUT_V_INT : OUT_V_NULL,
           v->number = row->last_status)
OUT_GETTER(last_error, struct fk_subscription, OUT_V_TEXT, v->text = row->last_error)
OUT_GETTER(failures, struct fk_subscription, OUT_V_INT, v->number = row->failures)
OUT_GETTER(next_fetch, struct fk_subscription, OUT_V_TIME, v->number = row->next_fetch)
OUT_GETTER(final_url, struct fk_subscription, OUT_V_TEXT, v->text = row->final_url)
OUT_GETTER(moved_to, struct fk_subscription, OUT_V_TEXT, v->text = row->moved_to)
OUT_GETTER(etag, struct fk_subscription, OUT_V_TEXT, v->text = row->etag)
OUT_GETTER(last_modified, struct fk_subscription, OUT_V_TEXT, v->text = row->last_modified)

/* The feed's tags, one a line in tags_text, as a list. */
OUT_GETTER(keep_raw, struct fk_subscription, OUT_V_BOOL, v->number = row->keep_raw)
OUT_GETTER(assets, struct fk_subscription, OUT_V_BOOL, v->number = row->assets)

OUT_GETTER(full_text, struct fk_subscription, OUT_V_TEXT,
           v->text = fk_full_text_name(row->full_text))

OUT_GETTER(tags, struct fk_subscription, OUT_V_LIST, out_value_split(v, row->tags_text, '\n', 64))

static const struct out_field fields[] = {
    {"id", 4, true, get_id, NULL},
    {"url", 0, false, get_url, NULL},
    {"name", 20, false, get_name, NULL},
    {"title", 0, false, get_title, NULL},
    {"site_url", 0, false, get_site_url, NULL},
    {"subscribed", 10, false, get_subscribed, NULL},
    {"articles", 8, true, get_articles, NULL},
    {"last_fetch", 16, false, get_last_fetch, NULL},
    {"last_status", 6, true, get_last_status, "STATUS"},
    {"last_error", 0, false, get_last_error, NULL},
    {"failures", 5, true, get_failures, "FAILS"},
    {"next_fetch", 16, false, get_next_fetch, NULL},
    {"final_url", 0, false, get_final_url, NULL},
    {"moved_to", 0, false, get_moved_to, NULL},
    {"etag", 0, false, get_etag, NULL},
    {"last_modified", 0, false, get_last_modified, NULL},
    {"tags", 20, false, get_tags, NULL},
    {"keep_raw", 8, false, get_keep_raw, NULL},
    {"assets", 6, false, get_assets, NULL},
    {"full_text", 9, false, get_full_text, NULL},
};

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

/* "12m ago", "in 1h59m", "now": times in the table relative to now. */
static int64_t table_now;

static void get_feed(const void *row, struct out_value *v)
{
    const struct fk_subscription *s = row;
    v->kind = OUT_V_TEXT;
    v->text = s->name ? s->name : without_scheme(s->url);
}

static void get_last(const void *row, struct out_value *v)
{
    static char text[48];
    const struct fk_subscription *s = row;
    char delay[32];
    if (s->last_fetch == FK_TIME_NONE) {
        snprintf(text, sizeof text, "never");
    } else {
        out_delay(table_now - s->last_fetch, delay, sizeof delay);
        snprintf(text, sizeof text, "%s ago", delay);
    }
    v->kind = OUT_V_TEXT;
    v->text = text;
}

static void get_next(const void *row, struct out_value *v)
{
    static char text[48];
    const struct fk_subscription *s = row;
    char delay[32];
    if (s->next_fetch == FK_TIME_NONE || s->next_fetch <= table_now) {
        snprintf(text, sizeof text, "now");
    } else {
        out_delay(s->next_fetch - table_now, delay, sizeof delay);
        snprintf(text, sizeof text, "in %s", delay);
    }
    v->kind = OUT_V_TEXT;
    v->text = text;
}

static void get_status(const void *row, struct out_value *v)
{
    const struct fk_subscription *s = row;
    v->kind = s->last_status ? OUT_V_INT : OUT_V_TEXT;
    v->number = s->last_status;
    v->text = s->last_error ? "error" : "-";
}

/* The last error as the table shows it: its first part, up to the first
 * " (" or ";" (what went wrong, without the details), the cell cutting the
 * rest. */
static void get_error(const void *row, struct out_value *v)
{
    static char text[128];
    const struct fk_subscription *s = row;
    v->kind = OUT_V_TEXT;
    v->text = NULL;
    if (!s->last_error)
        return;
    size_t len = strcspn(s->last_error, ";(");
    while (len && s->last_error[len - 1] == ' ')
        len--;
    if (!len)
        len = strlen(s->last_error);
    snprintf(text, sizeof text, "%.*s", (int)len, s->last_error);
    v->text = text;
}

static const struct out_field table_fields[] = {
    {"feed", 0, false, get_feed, NULL},
    {"last", 10, false, get_last, "LAST FETCH"},
    {"status", 6, true, get_status, NULL},
    {"next", 10, false, get_next, "NEXT FETCH"},
    {"error", 24, false, get_error, "LAST ERROR"},
};

struct feeds_walk {
    struct out_record *out;
    enum fk_feed_set set; /* --all: FK_FEEDS_ALL */
    const char *tag;      /* --tag: only feeds with it (any case) */
};

static bool has_tag(const struct fk_subscription *s, const char *tag)
{
    size_t len = strlen(tag);
    for (const char *t = s->tags_text; t && *t;) {
        size_t n = strcspn(t, "\n");
        if (n == len && strncasecmp(t, tag, len) == 0)
            return true;
        t += n + (t[n] == '\n');
    }
    return false;
}

static int print_feed(const struct fk_subscription *s, void *ctx)
{
    struct feeds_walk *walk = ctx;
    if (!walk->tag || has_tag(s, walk->tag))
        out_record_row(walk->out, s);
    return 0;
}

/* --all and --tag. */
static int feeds_option(int opt, const char *arg, void *ctx)
{
    struct feeds_walk *walk = ctx;
    if (opt == 'a')
        walk->set = FK_FEEDS_ALL;
    else if (opt == 't')
        walk->tag = arg;
    else
        return CLI_NOT_COMMON;
    return CLI_CONTINUE;
}

/* The settings of feeds set that are on or off. */
static const struct cli_name settings[] = {
    {"keep-raw", FK_FEED_KEEP_RAW},
    {"assets", FK_FEED_ASSETS},
};

#define SET_USAGE                                                                                  \
    "usage: feedkeep feeds set ID keep-raw|assets on|off\n"                                        \
    "       feedkeep feeds set ID full-text on|off|auto"

/* feeds set ID SETTING VALUE (argv after "set"). */
static int feeds_set(int argc, char **argv, const struct cli *cli)
{
    if (argc != 3)
        return msg_usage("feeds", SET_USAGE);
    bool full_text = strcmp(argv[1], "full-text") == 0;
    int option = full_text ? 0 : CLI_NAME_VALUE(settings, argv[1]);
    enum fk_full_text mode = FK_FULL_TEXT_OFF;
    bool on = strcmp(argv[2], "on") == 0;
    if (full_text ? !fk_full_text_parse(argv[2], &mode)
                  : option < 0 || (!on && strcmp(argv[2], "off") != 0))
        return msg_usage("feeds", SET_USAGE);
    char *end;
    long long id = strtoll(argv[0], &end, 10);
    if (!*argv[0] || *end || id <= 0)
        return msg_usage("feeds", "'%s' is not a feed id", argv[0]);
    struct fk_store *store = NULL;
    int code = cli_open_archive(cli, &store);
    if (code != EXIT_OK)
        return code;
    struct fk_error err = {0};
    int rc = full_text ? fk_store_set_full_text(store, id, mode, &err)
                       : fk_store_set_feed_option(store, id, (enum fk_feed_option)option, on, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
    } else if (rc > 0) {
        msg_error("no feed %lld", id);
        code = EXIT_FAILED;
    }
    fk_store_close(store);
    return code;
}

int cmd_feeds(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"all", no_argument, NULL, 'a'},
        {"tag", required_argument, NULL, 't'},
        CLI_OUTPUT_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct out_record out;
    struct feeds_walk walk = {&out, FK_FEEDS_SUBSCRIBED, NULL};
    const struct cli_listing listing = {"feeds", help, &out, NULL, feeds_option, &walk};
    struct fk_store *store = NULL;
    int code;
    table_now = (int64_t)time(NULL);
    out_record_init(&out, fields, sizeof fields / sizeof fields[0],
                    "id,url,name,articles,last_fetch,last_status,failures,next_fetch,last_error",
                    "id,feed,articles,last,status,failures,next,error");
    out_record_table_fields(&out, table_fields, sizeof table_fields / sizeof table_fields[0]);
    if ((code = cli_listing_options(argc, argv, options, cli, &listing)) != CLI_CONTINUE)
        goto out;
    if (optind < argc && strcmp(argv[optind], "set") == 0) {
        code = feeds_set(argc - optind - 1, argv + optind + 1, cli);
        goto out;
    }
    if ((code = cli_no_arguments("feeds", argc, argv)) != EXIT_OK)
        goto out;

    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        goto out;
    if ((code = out_record_start(&out, "feeds")) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    if (fk_store_list_feeds(store, walk.set, table_now, print_feed, &walk, &err) < 0)
        code = msg_fk_error(&err);
out:
    fk_store_close(store);
    out_record_end(&out);
    return code;
}
