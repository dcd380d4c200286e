/* cmd_tags.c - feedkeep tags: the tags of the archive with their counts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep tags [options]\n"
    "\n"
    "List the tags of the archived articles, the most used first: each with\n"
    "the number of articles carrying it and the newest date among them (an\n"
    "article's date: published, else updated).\n"
    "\n"
    "Options:\n"
    "  --limit N         at most N tags\n" CLI_OUTPUT_HELP "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: tag, articles, newest (ISO 8601; empty when no article has a\n"
    "date). TSV and CSV columns by default: tag, articles, newest. JSON:\n"
    "every field.\n";

static void get_tag(const void *row, struct out_value *v)
{
    v->kind = OUT_V_TEXT;
    v->text = ((const struct fk_tag_count *)row)->name;
}

static void get_articles(const void *row, struct out_value *v)
{
    v->kind = OUT_V_INT;
    v->number = ((const struct fk_tag_count *)row)->articles;
}

static void get_newest(const void *row, struct out_value *v)
{
    v->kind = OUT_V_TIME;
    v->number = ((const struct fk_tag_count *)row)->newest;
}

static const struct out_field fields[] = {
    {"tag", 28, false, get_tag, NULL},
    {"articles", 8, true, get_articles, NULL},
    {"newest", 0, false, get_newest, NULL},
};

static int print_tag(const struct fk_tag_count *tag, void *ctx)
{
    out_record_row(ctx, tag);
    return 0;
}

int cmd_tags(int argc, char **argv, struct cli *cli)
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

    out_record_init(&out, fields, sizeof fields / sizeof fields[0], "tag,articles,newest", NULL);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == 'l') {
            limit = cli_parse_count(optarg);
            if (limit < 0)
                rc = msg_usage("tags", "option '--limit': '%s' is not a count", optarg);
        } else if ((rc = out_record_option(opt, optarg, &out, "tags")) == CLI_NOT_COMMON) {
            rc = cli_common_option(opt, optarg, cli, "tags", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (optind != argc) {
        code = msg_usage("tags", "unexpected argument '%s'", argv[optind]);
        goto out;
    }

    store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    if ((code = out_record_start(&out, "tags")) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    if (fk_store_list_tags(store, limit, print_tag, &out, &err) < 0)
        code = msg_fk_error(&err);
out:
    fk_store_close(store);
    out_record_finish(&out);
    out_record_release(&out);
    return code;
}
