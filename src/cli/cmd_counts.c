/* cmd_counts.c - feedkeep tags and feedkeep authors: the names the
 * archive's articles carry, each with its number of articles and newest
 * date. One command in two tables. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/store.h"

static const char tags_help[] =
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

static const char authors_help[] =
    "usage: feedkeep authors [options]\n"
    "\n"
    "List the authors of the archived articles, the most prolific first: each\n"
    "with the number of articles by that name (any case, shown as its first\n"
    "spelling in byte order: 'Ann' before 'ann') and the newest date among\n"
    "them (an article's date: published, else updated). A name is the one\n"
    "the feed gave, without the address ('jane@example.com (Jane Doe)' is\n"
    "Jane Doe). 'feedkeep list --author WORD...' lists an author's articles.\n"
    "\n"
    "Options:\n"
    "  --limit N         at most N authors\n" CLI_OUTPUT_HELP "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: author, articles, newest (ISO 8601; empty when no article has a\n"
    "date). TSV and CSV columns by default: author, articles, newest. JSON:\n"
    "every field.\n";

/* A row of either listing is the store's struct fk_name_count. */
static void get_name(const void *row, struct out_value *v)
{
    v->kind = OUT_V_TEXT;
    v->text = ((const struct fk_name_count *)row)->name;
}

static void get_articles(const void *row, struct out_value *v)
{
    v->kind = OUT_V_INT;
    v->number = ((const struct fk_name_count *)row)->articles;
}

static void get_newest(const void *row, struct out_value *v)
{
    v->kind = OUT_V_TIME;
    v->number = ((const struct fk_name_count *)row)->newest;
}

#define COUNT_FIELDS(name, width)                                                                  \
    {name, width, false, get_name, NULL}, {"articles", 8, true, get_articles, NULL},               \
    {                                                                                              \
        "newest", 0, false, get_newest, NULL                                                       \
    }

static const struct out_field tag_fields[] = {COUNT_FIELDS("tag", 28)};
static const struct out_field author_fields[] = {COUNT_FIELDS("author", 32)};

static int print_count(const struct fk_name_count *count, void *ctx)
{
    out_record_row(ctx, count);
    return 0;
}

/* What tells the two commands apart. */
struct counts {
    const char *command;
    const char *help;
    const struct out_field *fields;
    size_t nfields;
    const char *defaults;
};

static const struct counts tags = {"tags", tags_help, tag_fields,
                                   sizeof tag_fields / sizeof tag_fields[0], "tag,articles,newest"};
static const struct counts authors = {"authors", authors_help, author_fields,
                                      sizeof author_fields / sizeof author_fields[0],
                                      "author,articles,newest"};

struct counts_options {
    const struct counts *c;
    long limit; /* --limit; 0: every row */
};

/* --limit. */
static int counts_option(int opt, const char *arg, void *ctx)
{
    struct counts_options *o = ctx;
    if (opt != 'l')
        return CLI_NOT_COMMON;
    o->limit = cli_parse_count(arg);
    return o->limit < 0 ? msg_usage(o->c->command, "option '--limit': '%s' is not a count", arg)
                        : CLI_CONTINUE;
}

static int run(const struct counts *c, int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"limit", required_argument, NULL, 'l'},
        CLI_OUTPUT_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct out_record out;
    struct fk_store *store = NULL;
    struct counts_options own = {c, 0};
    const struct cli_listing listing = {c->command, c->help, &out, NULL, counts_option, &own};
    int code;

    out_record_init(&out, c->fields, c->nfields, c->defaults, NULL);
    if ((code = cli_listing_options(argc, argv, options, cli, &listing)) != CLI_CONTINUE)
        goto out;
    if ((code = cli_no_arguments(c->command, argc, argv)) != EXIT_OK)
        goto out;

    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        goto out;
    if ((code = out_record_start(&out, c->command)) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    int rc = c == &tags ? fk_store_list_tags(store, own.limit, print_count, &out, &err)
                        : fk_store_list_authors(store, own.limit, print_count, &out, &err);
    if (rc < 0)
        code = msg_fk_error(&err);
out:
    fk_store_close(store);
    out_record_end(&out);
    return code;
}

int cmd_tags(int argc, char **argv, struct cli *cli)
{
    return run(&tags, argc, argv, cli);
}

int cmd_authors(int argc, char **argv, struct cli *cli)
{
    return run(&authors, argc, argv, cli);
}
