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
    "Options:\n" CLI_FILTER_HELP
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "The table's DATE is the date the list is sorted by. TSV and CSV columns:\n"
    "id, date, author, tags (comma-separated), title, url. JSON fields:\n"
    "id, guid, url, title, author, date, published, updated, first_seen,\n"
    "last_seen, tags, feed.\n";

enum { COL_ID, COL_DATE, COL_TITLE, COL_TAGS, NCOLS };

static const struct out_column columns[NCOLS] = {
    [COL_ID] = {"ID", 5},
    [COL_DATE] = {"DATE", 10},
    [COL_TITLE] = {"TITLE", 0},
    [COL_TAGS] = {"TAGS", 28},
};

struct list_out {
    enum out_format format;
    enum fk_sort sort;
    struct fk_buf buf;
    int widths[NCOLS];
};

static void add_tags(struct fk_buf *buf, const struct fk_article *a, const char *sep)
{
    fk_buf_adds(buf, "");
    for (size_t i = 0; i < a->ntags; i++) {
        if (i)
            fk_buf_adds(buf, sep);
        fk_buf_adds(buf, a->tags[i]);
    }
}

/* The date the list is sorted by, as the table shows it. */
static int64_t sort_date(const struct fk_article *a, enum fk_sort sort)
{
    switch (sort) {
    case FK_SORT_UPDATED:
        return a->updated != FK_TIME_NONE ? a->updated : a->published;
    case FK_SORT_FIRST_SEEN:
        return a->first_seen;
    case FK_SORT_PUBLISHED:
        break;
    }
    return a->date;
}

static int print_article(const struct fk_article *a, void *ctx)
{
    struct list_out *out = ctx;
    struct fk_buf *buf = &out->buf;
    struct fk_buf tags = FK_BUF_INIT;
    char date[FK_DATE_BUFSIZE];

    switch (out->format) {
    case OUT_JSON:
        fk_buf_addc(buf, '{');
        out_article_json(buf, a);
        fk_buf_adds(buf, "}\n");
        break;
    case OUT_TSV:
    case OUT_CSV: {
        char sep = out->format == OUT_TSV ? '\t' : ',';
        fk_buf_printf(buf, "%lld%c", (long long)a->id, sep);
        out_add_field(buf, out->format, fk_date_format(a->date, date));
        fk_buf_addc(buf, sep);
        out_add_field(buf, out->format, a->author);
        fk_buf_addc(buf, sep);
        add_tags(&tags, a, ",");
        out_add_field(buf, out->format, tags.data);
        fk_buf_addc(buf, sep);
        out_add_field(buf, out->format, a->title);
        fk_buf_addc(buf, sep);
        out_add_field(buf, out->format, a->url);
        fk_buf_addc(buf, '\n');
        break;
    }
    case OUT_TABLE:
        fk_buf_printf(buf, "%*lld  ", out->widths[COL_ID], (long long)a->id);
        fk_date_format(sort_date(a, out->sort), date);
        date[10] = '\0';
        out_add_cell(buf, date[0] ? date : "-", out->widths[COL_DATE], true);
        fk_buf_adds(buf, "  ");
        out_add_cell(buf, a->title, out->widths[COL_TITLE], true);
        fk_buf_adds(buf, "  ");
        add_tags(&tags, a, " ");
        out_add_cell(buf, tags.data, out->widths[COL_TAGS], false);
        fk_buf_addc(buf, '\n');
        break;
    }
    fk_buf_release(&tags);
    out_flush(buf);
    return 0;
}

int cmd_list(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    struct list_out out = {out_format_default(), FK_SORT_PUBLISHED, FK_BUF_INIT, {0}};
    struct fk_store *store = NULL;
    int code = EXIT_OK;
    int opt;

    cli_filter_init(&filter, argc, argv);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = cli_filter_option(opt, optarg, &filter, "list");
        if (rc == CLI_NOT_COMMON && opt == 'f') {
            rc = CLI_CONTINUE;
            if (out_format_parse(optarg, &out.format) < 0)
                rc = msg_usage("list", "unknown format '%s'", optarg);
        } else if (rc == CLI_NOT_COMMON) {
            rc = cli_common_option(opt, optarg, cli, "list", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (optind != argc) {
        code = msg_usage("list", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    out.sort = filter.filter.sort;

    store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    code = cli_filter_resolve(&filter, store, "list");
    if (code != EXIT_OK)
        goto out;
    if (out.format == OUT_TABLE)
        out_table_start(&out.buf, columns, NCOLS, out.widths);
    struct fk_error err = {0};
    if (fk_store_list(store, &filter.filter, print_article, &out, &err) < 0)
        code = msg_fk_error(&err);
    out_flush(&out.buf);
out:
    fk_store_close(store);
    fk_buf_release(&out.buf);
    cli_filter_release(&filter);
    return code;
}
