/* cmd_import.c - feedkeep import FILE|-: archive a feed document. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/content.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep import [options] FILE|-\n"
    "\n"
    "Archive the RSS or Atom document in FILE (or on stdin for -): each item\n"
    "is converted to text, Markdown and code blocks and stored with its tags.\n"
    "Items already archived are recognised; importing a document twice adds\n"
    "nothing.\n"
    "\n"
    "Options:\n"
    "  --base-url URL  the document's own URL: resolves relative links and\n"
    "                  names the feed the items are filed under\n"
    "  --charset NAME  read the document in this encoding, whatever it declares\n"
    "  --db PATH       the archive\n"
    "  -q, --quiet     print nothing unless something failed\n"
    "  -v, --verbose   warn about recovered XML errors\n"
    "  -h, --help      show this help\n"
    "\n"
    "The feed is named by --base-url, else the document's self link, else its\n"
    "site link, else the file's absolute path as a file:// URL.\n";

struct import {
    struct fk_store *store;
    const char *source;   /* the file name, for messages */
    const char *feed_url; /* chosen before the first item */
    char *feed_url_owned;
    bool started;
    bool failed;
    long counts[3]; /* by enum fk_put_result */
    struct fk_error err;
};

/* The URL the items are filed under; see the help text. */
static char *choose_feed_url(const struct fk_feed_info *info, const char *path,
                             const char *base_url)
{
    if (base_url && *base_url)
        return fk_xstrdup(base_url);
    if (info->self_url && *info->self_url)
        return fk_xstrdup(info->self_url);
    if (info->site_url && *info->site_url)
        return fk_xstrdup(info->site_url);
    if (strcmp(path, "-") == 0)
        return fk_xstrdup("stdin:");
    char resolved[PATH_MAX];
    struct fk_buf url = FK_BUF_INIT;
    fk_buf_printf(&url, "file://%s", realpath(path, resolved) ? resolved : path);
    return fk_buf_detach(&url);
}

struct import_start {
    struct import *import;
    const char *path;
    const char *base_url;
};

static int on_feed(const struct fk_feed_info *info, void *ctx)
{
    struct import_start *start = ctx;
    struct import *im = start->import;
    im->feed_url_owned = choose_feed_url(info, start->path, start->base_url);
    im->feed_url = im->feed_url_owned;
    if (fk_store_begin_feed(im->store, im->feed_url, info, &im->err) < 0) {
        im->failed = true;
        return 1;
    }
    im->started = true;
    return 0;
}

static int on_item(const struct fk_item *item, void *ctx)
{
    struct import_start *start = ctx;
    struct import *im = start->import;
    /* An item seen before with the same source needs no conversion. */
    int seen = fk_store_put_unchanged(im->store, item, &im->err);
    if (seen < 0) {
        im->failed = true;
        return 1;
    }
    if (seen > 0) {
        im->counts[FK_PUT_UNCHANGED]++;
        return 0;
    }
    const char *html = item->content_html ? item->content_html : item->summary_html;
    struct fk_content content = {0};
    struct fk_error err = {0};
    if (fk_content_from_html(html, html ? strlen(html) : 0, item->base_url, &content, &err) < 0) {
        /* Keep the item (its HTML is stored as it came) even when it cannot
         * be converted. */
        msg_warn("'%s': item '%s': %s", im->source, item->guid ? item->guid : "(no id)",
                 err.message);
        fk_content_release(&content);
        memset(&content, 0, sizeof content);
    }
    enum fk_put_result result;
    int rc = fk_store_put_item(im->store, item, &content, &result, &im->err);
    fk_content_release(&content);
    if (rc < 0) {
        im->failed = true;
        return 1;
    }
    im->counts[result]++;
    return 0;
}

static int open_input(const char *path)
{
    if (strcmp(path, "-") == 0)
        return STDIN_FILENO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        msg_error("cannot open '%s': %s", path, strerror(errno));
    return fd;
}

int cmd_import(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"base-url", required_argument, NULL, 'b'},
        {"charset", required_argument, NULL, 'c'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct fk_parse_options parse_options = {0};
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        if (opt == 'b') {
            parse_options.base_url = optarg;
        } else if (opt == 'c') {
            parse_options.charset = optarg;
        } else {
            int rc = cli_common_option(opt, optarg, cli, "import", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    if (optind + 1 != argc)
        return msg_usage("import", optind == argc ? "import needs a FILE (or - for stdin)"
                                                  : "import takes one FILE");
    const char *path = argv[optind];

    int fd = open_input(path);
    if (fd < 0)
        return EXIT_FAILED;
    struct fk_store *store = cli_open_store(cli);
    if (!store) {
        if (fd != STDIN_FILENO)
            close(fd);
        return EXIT_IO;
    }

    struct import im = {.store = store, .source = path};
    struct import_start start = {&im, path, parse_options.base_url};
    struct fk_feed_handler handler = {on_feed, on_item, &start};
    struct fk_feed_info final = {0};
    struct fk_error err = {0};
    int code = EXIT_OK;
    int rc = fk_feed_parse_fd(fd, &parse_options, &handler, &final, &err);
    if (im.failed) {
        /* The store refused: nothing of this document is kept. */
        code = msg_fk_error(&im.err);
    } else if (rc < 0) {
        msg_error("'%s': %s", path, err.message);
        code = err.kind == FK_ERROR_DB ? EXIT_IO : EXIT_FAILED;
    }
    if (im.started) {
        bool ok = code == EXIT_OK;
        struct fk_error end_err = {0};
        if (fk_store_end_feed(store, ok, ok ? &final : NULL, &end_err) < 0 && ok)
            code = msg_fk_error(&end_err);
    }
    if (code == EXIT_OK && !final.well_formed && cli->verbose)
        msg_warn("'%s': not well-formed XML (%s); kept what could be read", path,
                 final.error ? final.error : "unknown error");
    if (code == EXIT_OK && !cli->quiet)
        printf("%s: %ld new, %ld updated, %ld unchanged\n", path, im.counts[FK_PUT_NEW],
               im.counts[FK_PUT_UPDATED], im.counts[FK_PUT_UNCHANGED]);

    fk_feed_info_release(&final);
    free(im.feed_url_owned);
    fk_store_close(store);
    if (fd != STDIN_FILENO)
        close(fd);
    return code;
}
