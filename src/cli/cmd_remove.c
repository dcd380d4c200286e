/* cmd_remove.c - feedkeep remove URL|ID...: end subscriptions. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep remove [options] URL|ID...\n"
    "\n"
    "End the subscription to feeds, named by URL, dev.to shorthand or the id\n"
    "'feedkeep feeds' shows. They are no longer fetched; their articles and\n"
    "fetch history stay in the archive.\n"
    "\n"
    "Options:\n"
    "  --db PATH     the archive\n"
    "  -q, --quiet   print nothing unless something failed\n"
    "  -h, --help    show this help\n"
    "\n"
    "Prints 'URL: removed' for each feed. A feed that is not subscribed is an\n"
    "error (exit status 1); the others are removed all the same.\n";

int cmd_remove(int argc, char **argv, struct cli *cli)
{
    int code = cli_common_options_only(argc, argv, cli, "remove", help);
    if (code != CLI_CONTINUE)
        return code;
    code = EXIT_OK;
    if (optind == argc)
        return msg_usage("remove", "remove needs a feed URL or id");

    struct fk_store *store = cli_open_store(cli);
    if (!store)
        return EXIT_IO;
    for (int i = optind; i < argc && code != EXIT_IO && code != EXIT_USAGE; i++) {
        struct fk_subscription sub;
        struct fk_error err = {0};
        int found = cli_find_feed(store, "remove", argv[i], &sub);
        if (found > 1) {
            code = found;
            continue;
        }
        int rc = found == 0 ? fk_store_unsubscribe(store, sub.id, &err) : 1;
        if (rc < 0) {
            code = msg_fk_error(&err);
        } else if (rc > 0) {
            msg_error("'%s': not subscribed", found == 0 ? sub.url : argv[i]);
            code = EXIT_FAILED;
        } else if (!cli->quiet) {
            printf("%s: removed\n", sub.url);
        }
        fk_subscription_release(&sub);
    }
    fk_store_close(store);
    return code;
}
