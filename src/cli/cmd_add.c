/* cmd_add.c - feedkeep add URL...: subscribe to feeds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep add [options] URL...\n"
    "\n"
    "Subscribe to feeds, which 'feedkeep fetch' then archives. URL is an\n"
    "http, https or file URL, or a dev.to shorthand: devto:USER stands for\n"
    "https://dev.to/feed/USER and devto:tag/TAG for https://dev.to/feed/tag/TAG.\n"
    "Adding a feed that is subscribed already changes nothing but its name.\n"
    "\n"
    "Options:\n"
    "  --name NAME   a name for the feed (with one URL only)\n"
    "  --db PATH     the archive\n"
    "  -q, --quiet   print nothing unless something failed\n"
    "  -h, --help    show this help\n"
    "\n"
    "Prints 'URL: subscribed' or 'URL: already subscribed' for each feed.\n";

int cmd_add(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"name", required_argument, NULL, 'n'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *name = NULL;
    char **urls = NULL;
    int nurls = 0;
    struct fk_store *store = NULL;
    int code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        if (opt == 'n') {
            name = optarg;
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
    for (int i = optind; i < argc; i++) {
        if (!(urls[nurls++] = cli_feed_url("add", argv[i]))) {
            code = EXIT_USAGE;
            goto out;
        }
    }
    if (!(store = cli_open_store(cli))) {
        code = EXIT_IO;
        goto out;
    }
    for (int i = 0; i < nurls; i++) {
        struct fk_error err = {0};
        int added =
            fk_store_subscribe(store, urls[i], name && *name ? name : NULL, true, NULL, &err);
        if (added < 0) {
            code = msg_fk_error(&err);
            goto out;
        }
        if (!cli->quiet)
            printf("%s: %s\n", urls[i], added ? "subscribed" : "already subscribed");
    }
out:
    fk_store_close(store);
    for (int i = 0; i < nurls; i++)
        free(urls[i]);
    free(urls);
    return code;
}
