/* cmd_add.c - feedkeep add URL...: subscribe to feeds, each checked once
 * first: a web page is looked into for the feeds it links to. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "feedkeep/devto.h"
#include "feedkeep/discover.h"
#include "feedkeep/feed.h"
#include "feedkeep/fetch.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep add [options] URL...\n"
    "\n"
    "Subscribe to feeds, which 'feedkeep fetch' then archives. URL is an\n"
    "http, https or file URL, or a dev.to shorthand: devto:USER stands for\n"
    "https://dev.to/feed/USER and devto:tag/TAG for https://dev.to/feed/tag/TAG.\n"
    "devto-api:USER, devto-api:tag/TAG and devto-api:org/ORG are read through\n"
    "dev.to's API instead: every article of the user or organisation (a tag's\n"
    "newest), with the Markdown its author wrote, cover image, series and\n"
    "edit time ($FEEDKEEP_DEVTO_API: another Forem site's API URL;\n"
    "$FEEDKEEP_DEVTO_API_KEY: an API key, never stored).\n"
    "Adding a feed that is subscribed already changes nothing but its name.\n"
    "\n"
    "Each URL is fetched once first. A feed is subscribed to. A web page is\n"
    "looked into for the feeds it links to (<link rel=\"alternate\">): one is\n"
    "subscribed to in its place; several are listed to choose from, and\n"
    "none is an error. A URL that cannot be fetched, or is neither, is an\n"
    "error (exit status 1) and is not subscribed to.\n"
    "\n"
    "Options:\n"
    "  --name NAME   a name for the feed (with one URL only)\n"
    "  --api         read dev.to feeds (devto:USER, devto:tag/TAG, their URLs)\n"
    "                through the API: a subscription to the feed is switched\n"
    "                to devto-api:USER, keeping its articles and history\n"
    "  --no-check    subscribe to the URLs as they are, without fetching\n"
    "                them (offline)\n"
    "  --no-keep-raw do not keep the feeds' documents as they came (see\n"
    "                'feedkeep feeds set')\n"
    "  --assets      keep the images of the feeds' articles (the default for a\n"
    "                new feed; for a feed subscribed already: from now on)\n"
    "  --no-assets   do not fetch them (see 'feedkeep feeds set')\n"
    "  --full-text[=on|off|auto]\n"
    "                when 'feedkeep fetch' fetches the pages of the feeds'\n"
    "                items to archive whole articles: on (alone: --full-text)\n"
    "                for every item, auto (a new feed's default) for teasers,\n"
    "                off never; also for a feed subscribed already (see\n"
    "                'feedkeep feeds set')\n"
    "  --db PATH     the archive\n"
    "  -q, --quiet   print nothing unless something failed\n"
    "  -h, --help    show this help\n"
    "\n"
    "Prints 'URL: subscribed' or 'URL: already subscribed' for each feed\n"
    "('URL: feed FEED: subscribed' for a page's feed, 'FEED: switched to\n"
    "devto-api:USER' with --api).\n";

/* What checking one URL found. */
enum verdict { CHECK_FAILED, CHECK_FEED, CHECK_PAGE };

struct check {
    const char *url;
    char *fetched; /* what is fetched to check it, when not url (an API's) */
    enum verdict verdict;
    char *why;    /* CHECK_FAILED: what went wrong */
    char **feeds; /* CHECK_PAGE: the feeds it links to, with their titles */
    char **titles;
    size_t nfeeds;
};

static int add_found(const struct fk_discovered *feed, void *ctx)
{
    struct check *c = ctx;
    c->feeds = fk_xrealloc(c->feeds, (c->nfeeds + 1) * sizeof *c->feeds);
    c->titles = fk_xrealloc(c->titles, (c->nfeeds + 1) * sizeof *c->titles);
    c->feeds[c->nfeeds] = fk_xstrdup(feed->url);
    c->titles[c->nfeeds] = feed->title ? fk_xstrdup(feed->title) : NULL;
    c->nfeeds++;
    return c->nfeeds >= 50; /* enough to choose from */
}

static int on_checked(const struct fk_fetch_result *r, void *ctx)
{
    (void)ctx;
    struct check *c = r->user;
    struct fk_error err = {0};
    if (r->error != FK_FETCH_OK || !r->body) {
        c->verdict = CHECK_FAILED;
        c->why = fk_xstrdup(r->message ? r->message : "no body");
        return 0;
    }
    struct fk_parse_options opts = {0};
    opts.base_url = r->final_url ? r->final_url : r->url;
    opts.charset = r->charset;
    opts.charset_is_hint = true;
    struct fk_feed_handler handler = {NULL, NULL, NULL};
    struct fk_feed_info info;
    if (fk_feed_parse_memory(r->body, r->body_len, &opts, &handler, &info, &err) == 0) {
        bool api_list = strcmp(info.format, "forem") == 0;
        fk_feed_info_release(&info);
        if (!c->fetched || api_list) {
            c->verdict = CHECK_FEED;
            return 0;
        }
        fk_error_set(&err, FK_ERROR_INPUT, "not an article list of the API");
    }
    if (c->fetched) {
        c->verdict = CHECK_FAILED;
        c->why = fk_xstrdup(err.message);
        return 0;
    }
    char *not_feed = fk_xstrdup(err.message);
    if (fk_discover_feeds(r->body, r->body_len, opts.base_url, add_found, c, &err) < 0 ||
        (!c->nfeeds && !(r->content_type && strstr(r->content_type, "html")) &&
         !strstr(not_feed, "<html>"))) {
        c->verdict = CHECK_FAILED;
        c->why = not_feed;
        return 0;
    }
    free(not_feed);
    c->verdict = CHECK_PAGE;
    return 0;
}

/* Fetch every URL once, at once, and judge what came. Returns EXIT_OK or
 * the exit status of a failure to fetch at all (printed). */
static int check_all(struct check *checks, int n)
{
    struct fk_fetch_options opts;
    struct fk_error err = {0};
    fk_fetch_options_init(&opts);
    opts.timeout_ms = 30000;
    struct fk_fetch *fetch = fk_fetch_new(&opts, &err);
    if (!fetch) {
        msg_error("cannot check the URLs: %s (--no-check subscribes without checking)",
                  err.message);
        return EXIT_FAILED;
    }
    int code = EXIT_OK;
    struct fk_buf key = FK_BUF_INIT;
    const char *headers[3] = {"Accept: " FK_DEVTO_ACCEPT, NULL, NULL};
    if (cli_devto_api_key()) {
        fk_buf_printf(&key, "api-key: %s", cli_devto_api_key());
        headers[1] = key.data;
    }
    for (int i = 0; i < n && code == EXIT_OK; i++) {
        struct fk_devto_source api;
        struct fk_fetch_request req = {.url = checks[i].url, .user = &checks[i]};
        if (fk_devto_parse(checks[i].url, &api)) {
            /* one article of the list says the API knows the source */
            req.url = checks[i].fetched = fk_devto_list_url(cli_devto_api(), &api, 1, 1);
            req.headers = headers;
        }
        checks[i].verdict = CHECK_FAILED;
        if (fk_fetch_add(fetch, &req, &err) < 0)
            code = msg_fk_error(&err);
    }
    if (code == EXIT_OK && fk_fetch_run(fetch, on_checked, NULL, &err) < 0)
        code = msg_fk_error(&err);
    fk_fetch_free(fetch);
    fk_buf_release(&key);
    return code;
}

/* For a dev.to page without feed links: the shorthand of its feed. */
static void suggest_devto(const char *url, struct fk_buf *hint)
{
    static const char *const hosts[] = {"https://dev.to/", "http://dev.to/"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t len = strlen(hosts[i]);
        if (strncasecmp(url, hosts[i], len) != 0)
            continue;
        const char *path = url + len;
        size_t name = strcspn(path, "/?#");
        if (strncmp(path, "t/", 2) == 0 && path[2])
            fk_buf_printf(hint, "; try devto:tag/%.*s", (int)strcspn(path + 2, "/?#"), path + 2);
        else if (name && (!path[name] || path[name] == '/'))
            fk_buf_printf(hint, "; try devto:%.*s", (int)name, path);
    }
}

/* Report a check that leaves nothing to subscribe to. */
static void report(const struct check *c)
{
    const char *url = c->url;
    if (c->verdict == CHECK_FAILED) {
        msg_error("cannot add '%s': %s (--no-check subscribes to it as it is)", url,
                  c->why ? c->why : "");
    } else if (c->nfeeds == 0) {
        struct fk_buf hint = FK_BUF_INIT;
        suggest_devto(c->url, &hint);
        msg_error("cannot add '%s': an HTML page that links to no feed%s", url,
                  hint.data ? hint.data : "");
        fk_buf_release(&hint);
    } else {
        msg_error("cannot add '%s': an HTML page that links to %zu feeds; add one of them:", url,
                  c->nfeeds);
        for (size_t i = 0; i < c->nfeeds; i++) {
            const char *title = c->titles[i] ? c->titles[i] : "";
            msg_detail("%s%s%s%s", c->feeds[i] ? c->feeds[i] : "", *title ? " (" : "", title,
                       *title ? ")" : "");
        }
    }
}

/* --api: the subscription to the dev.to feed that api (devto-api:...)
 * reads is switched to it, keeping its articles, settings and history.
 * Returns 0 when it was (*id the feed, *from its URL until now, to free),
 * 1 when there is none to switch (or the API's is subscribed already), -1
 * with err filled. */
static int switch_to_api(struct fk_store *store, const char *api, int64_t *id, char **from,
                         struct fk_error *err)
{
    struct fk_devto_source source;
    if (!fk_devto_parse(api, &source) || source.kind == FK_DEVTO_ORG)
        return 1;
    struct fk_buf rss = FK_BUF_INIT;
    fk_buf_printf(&rss, "https://dev.to/feed/%s%s", source.kind == FK_DEVTO_TAG ? "tag/" : "",
                  source.name);
    struct fk_subscription sub;
    int rc = fk_store_find_feed(store, rss.data, 0, &sub, err);
    if (rc == 0) {
        *id = sub.id;
        rc = sub.subscribed ? fk_store_move_feed(store, sub.id, api, err) : 1;
        fk_subscription_release(&sub);
    }
    if (rc == 0)
        *from = fk_buf_detach(&rss);
    fk_buf_release(&rss);
    return rc;
}

int cmd_add(int argc, char **argv, struct cli *cli)
{
    enum {
        OPT_NO_CHECK = 0x200,
        OPT_NO_KEEP_RAW,
        OPT_ASSETS,
        OPT_NO_ASSETS,
        OPT_API,
        OPT_FULL_TEXT = 0x1700
    };
    static const struct option options[] = {
        {"name", required_argument, NULL, 'n'},
        {"no-check", no_argument, NULL, OPT_NO_CHECK},
        {"api", no_argument, NULL, OPT_API},
        {"no-keep-raw", no_argument, NULL, OPT_NO_KEEP_RAW},
        {"assets", no_argument, NULL, OPT_ASSETS},
        {"no-assets", no_argument, NULL, OPT_NO_ASSETS},
        {"full-text", optional_argument, NULL, OPT_FULL_TEXT},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *name = NULL;
    bool check = true;
    bool api = false;
    bool keep_raw = true;
    int assets = -1; /* --assets 1, --no-assets 0, else as the feed has it */
    bool set_full_text = false;
    enum fk_full_text full_text = FK_FULL_TEXT_AUTO;
    char **urls = NULL;
    struct check *checks = NULL;
    int nurls = 0;
    struct fk_store *store = NULL;
    int code = EXIT_OK;
    int opt;

    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        if (opt == 'n') {
            name = optarg;
        } else if (opt == OPT_NO_CHECK) {
            check = false;
        } else if (opt == OPT_API) {
            api = true;
        } else if (opt == OPT_NO_KEEP_RAW) {
            keep_raw = false;
        } else if (opt == OPT_ASSETS || opt == OPT_NO_ASSETS) {
            assets = opt == OPT_ASSETS;
        } else if (opt == OPT_FULL_TEXT) {
            set_full_text = true;
            full_text = FK_FULL_TEXT_ON;
            if (optarg && !fk_full_text_parse(optarg, &full_text))
                return msg_usage("add", "option '--full-text': '%s' is not on, off or auto",
                                 optarg);
        } else {
            int rc = cli_common_option(opt, optarg, cli, "add", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    if (optind == argc)
        return msg_usage("add", "add needs a feed URL");
    if (name && argc - optind > 1)
        return msg_usage("add", "--name goes with one URL only");
    /* Check every argument before adding any. */
    urls = fk_xcalloc((size_t)(argc - optind), sizeof *urls);
    checks = fk_xcalloc((size_t)(argc - optind), sizeof *checks);
    for (int i = optind; i < argc; i++) {
        if (!(urls[nurls] = cli_feed_url("add", argv[i]))) {
            code = EXIT_USAGE;
            goto out;
        }
        if (api) {
            char *source = cli_devto_api_of(urls[nurls]);
            if (!source) {
                code = msg_usage("add", "--api: '%s' is not a dev.to feed", argv[i]);
                free(urls[nurls]);
                goto out;
            }
            free(urls[nurls]);
            urls[nurls] = source;
        }
        checks[nurls].url = urls[nurls];
        checks[nurls].verdict = CHECK_FEED;
        nurls++;
    }
    if (check && (code = check_all(checks, nurls)) != EXIT_OK)
        goto out;
    if (!(store = cli_create_store(cli))) {
        code = EXIT_IO;
        goto out;
    }
    for (int i = 0; i < nurls; i++) {
        const struct check *c = &checks[i];
        if (c->verdict == CHECK_FAILED || (c->verdict == CHECK_PAGE && c->nfeeds != 1)) {
            report(c);
            code = EXIT_FAILED;
            continue;
        }
        const char *feed = c->verdict == CHECK_PAGE ? c->feeds[0] : c->url;
        if (!cli_is_feed_url(feed)) {
            msg_error("cannot add '%s': its feed '%s' is not an http, https or file URL", c->url,
                      feed);
            code = EXIT_FAILED;
            continue;
        }
        struct fk_error err = {0};
        int64_t id = 0;
        char *from = NULL;
        int switched = api ? switch_to_api(store, feed, &id, &from, &err) : 1;
        if (switched < 0) {
            code = msg_fk_error(&err);
            goto out;
        }
        int added = switched == 0 ? 0
                                  : fk_store_subscribe(store, feed, name && *name ? name : NULL,
                                                       true, &id, &err);
        if (added >= 0 && !keep_raw &&
            fk_store_set_feed_option(store, id, FK_FEED_KEEP_RAW, false, &err) < 0)
            added = -1;
        if (added >= 0 && assets >= 0 &&
            fk_store_set_feed_option(store, id, FK_FEED_ASSETS, assets, &err) < 0)
            added = -1;
        if (added >= 0 && set_full_text && fk_store_set_full_text(store, id, full_text, &err) < 0)
            added = -1;
        if (added < 0) {
            free(from);
            code = msg_fk_error(&err);
            goto out;
        }
        if (!cli->quiet && switched == 0)
            printf("%s: switched to %s\n", from, feed);
        else if (!cli->quiet && c->verdict == CHECK_PAGE)
            printf("%s: feed %s: %s\n", c->url, feed, added ? "subscribed" : "already subscribed");
        else if (!cli->quiet)
            printf("%s: %s\n", c->url, added ? "subscribed" : "already subscribed");
        free(from);
    }
out:
    fk_store_close(store);
    for (int i = 0; i < nurls; i++) {
        free(urls[i]);
        free(checks[i].why);
        free(checks[i].fetched);
        for (size_t k = 0; k < checks[i].nfeeds; k++) {
            free(checks[i].feeds[k]);
            free(checks[i].titles[k]);
        }
        free(checks[i].feeds);
        free(checks[i].titles);
    }
    free(urls);
    free(checks);
    return code;
}
