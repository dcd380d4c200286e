/* cmd_list.c - feedkeep list: archived articles, filtered and sorted. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep list [options]\n"
    "\n"
    "List archived articles, newest first. An article's date is its published\n"
    "date, else its updated one.\n"
    "\n"
    "Options:\n" CLI_FILTER_HELP CLI_OUTPUT_HELP "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: id, guid, url, title, author, author_email, date, published,\n"
    "updated, first_seen, last_seen, tags, feed. TSV and CSV columns by\n"
    "default: id, date, author, tags, title, url (CSV with a header line);\n"
    "tags joined by '|' (a '|' or '\\' in a tag escaped by '\\'); times in\n"
    "ISO 8601, UTC.\n"
    "JSON: every field. The table: id, the date the list is sorted by, title\n"
    "and tags; its dates are local unless --utc.\n";

/* The table's columns, by the date the list is sorted by. */
static const char *const table_defaults[] = {
    [FK_SORT_PUBLISHED] = "id,date,title,tags",
    [FK_SORT_UPDATED] = "id,updated,title,tags",
    [FK_SORT_FIRST_SEEN] = "id,first_seen,title,tags",
};

static int print_article(const struct fk_article *a, void *ctx)
{
    out_record_row(ctx, a);
    return 0;
}

int cmd_list(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        CLI_OUTPUT_OPTIONS,
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    struct out_record out;
    struct fk_store *store = NULL;
    const struct cli_listing listing = {"list", help, &out, &filter, NULL, NULL};
    int code;

    out_record_init(&out, out_article_fields, out_article_nfields, OUT_ARTICLE_DEFAULTS, NULL);
    cli_filter_init(&filter, argc, argv);
    if ((code = cli_listing_options(argc, argv, options, cli, &listing)) != CLI_CONTINUE)
        goto out;
    if ((code = cli_no_arguments("list", argc, argv)) != EXIT_OK)
        goto out;
    if ((unsigned)filter.filter.sort < sizeof table_defaults / sizeof table_defaults[0])
        out.table_defaults = table_defaults[filter.filter.sort];

    code = cli_filter_open(&filter, cli, "list", &store);
    if (code != EXIT_OK)
        goto out;
    code = out_record_start(&out, "list");
    if (code != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    if (fk_store_list(store, &filter.filter, print_article, &out, &err) < 0)
        code = msg_fk_error(&err);
out:
    fk_store_close(store);
    out_record_end(&out);
    cli_filter_release(&filter);
    return code;
}
