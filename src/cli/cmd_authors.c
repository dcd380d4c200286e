/* cmd_authors.c - feedkeep authors: the authors of the archive with their
 * counts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep authors [options]\n"
    "\n"
    "List the authors of the archived articles, the most prolific first: each\n"
    "with the number of articles by that name (any case) and the newest date\n"
    "among them (an article's date: published, else updated). A name is the\n"
    "one the feed gave, without the address ('jane@example.com (Jane Doe)'\n"
    "is Jane Doe). 'feedkeep list --author WORD...' lists an author's\n"
    "articles.\n"
    "\n"
    "Options:\n"
    "  --limit N         at most N authors\n" CLI_OUTPUT_HELP "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: author, articles, newest (ISO 8601; empty when no article has a\n"
    "date). TSV and CSV columns by default: author, articles, newest. JSON:\n"
    "every field.\n";

static void get_author(const void *row, struct out_value *v)
{
    v->kind = OUT_V_TEXT;
    v->text = ((const struct fk_author_count *)row)->name;
}

static void get_articles(const void *row, struct out_value *v)
{
    v->kind = OUT_V_INT;
    v->number = ((const struct fk_author_count *)row)->articles;
}

static void get_newest(const void *row, struct out_value *v)
{
    v->kind = OUT_V_TIME;
    v->number = ((const struct fk_author_count *)row)->newest;
}

static const struct out_field fields[] = {
    {"author", 32, false, get_author, NULL},
    {"articles", 8, true, get_articles, NULL},
    {"newest", 0, false, get_newest, NULL},
};

static int print_author(const struct fk_author_count *author, void *ctx)
{
    out_record_row(ctx, author);
    return 0;
}

int cmd_authors(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"limit", required_argument, NULL, 'l'},
        CLI_OUTPUT_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct out_record out;
    struct fk_store *store = NULL;
    long limit = 0;
    int code = EXIT_OK;
    int opt;

    out_record_init(&out, fields, sizeof fields / sizeof fields[0], "author,articles,newest", NULL);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == 'l') {
            limit = cli_parse_count(optarg);
            if (limit < 0)
                rc = msg_usage("authors", "option '--limit': '%s' is not a count", optarg);
        } else if ((rc = out_record_option(opt, optarg, &out, "authors")) == CLI_NOT_COMMON) {
            rc = cli_common_option(opt, optarg, cli, "authors", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (optind != argc) {
        code = msg_usage("authors", "unexpected argument '%s'", argv[optind]);
        goto out;
    }

    store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    if ((code = out_record_start(&out, "authors")) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    if (fk_store_list_authors(store, limit, print_author, &out, &err) < 0)
        code = msg_fk_error(&err);
out:
    fk_store_close(store);
    out_record_finish(&out);
    out_record_release(&out);
    return code;
}
