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
    "  --limit N         at most N tags\n"
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "TSV and CSV columns: tag, articles, newest (ISO 8601; empty when no\n"
    "article has a date). JSON fields: tag, articles, newest.\n";

enum { COL_TAG, COL_ARTICLES, COL_NEWEST, NCOLS };

static const struct out_column columns[NCOLS] = {
    [COL_TAG] = {"TAG", 28},
    [COL_ARTICLES] = {"ARTICLES", 8},
    [COL_NEWEST] = {"NEWEST", 0},
};

struct tags_out {
    enum out_format format;
    struct fk_buf buf;
    int widths[NCOLS];
};

static int print_tag(const struct fk_tag_count *tag, void *ctx)
{
    struct tags_out *out = ctx;
    struct fk_buf *buf = &out->buf;
    char date[FK_DATE_BUFSIZE];

    fk_date_format(tag->newest, date);
    switch (out->format) {
    case OUT_JSON:
        fk_buf_adds(buf, "{\"tag\":");
        fk_json_string(buf, tag->name);
        fk_buf_printf(buf, ",\"articles\":%lld,\"newest\":", (long long)tag->articles);
        fk_json_time(buf, tag->newest);
        fk_buf_adds(buf, "}\n");
        break;
    case OUT_TSV:
    case OUT_CSV: {
        char sep = out->format == OUT_TSV ? '\t' : ',';
        out_add_field(buf, out->format, tag->name);
        fk_buf_printf(buf, "%c%lld%c", sep, (long long)tag->articles, sep);
        out_add_field(buf, out->format, date);
        fk_buf_addc(buf, '\n');
        break;
    }
    case OUT_TABLE:
        out_add_cell(buf, tag->name, out->widths[COL_TAG], true);
        fk_buf_printf(buf, "  %*lld  ", out->widths[COL_ARTICLES], (long long)tag->articles);
        date[10] = '\0';
        out_add_cell(buf, date[0] ? date : "-", out->widths[COL_NEWEST], false);
        fk_buf_addc(buf, '\n');
        break;
    }
    out_flush(buf);
    return 0;
}

int cmd_tags(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"limit", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct tags_out out = {out_format_default(), FK_BUF_INIT, {0}};
    struct fk_store *store = NULL;
    long limit = 0;
    int code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == 'l') {
            limit = cli_parse_count(optarg);
            if (limit < 0)
                rc = msg_usage("tags", "option '--limit': '%s' is not a count", optarg);
        } else if (opt == 'f') {
            if (out_format_parse(optarg, &out.format) < 0)
                rc = msg_usage("tags", "unknown format '%s'", optarg);
        } else {
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
    if (out.format == OUT_TABLE)
        out_table_start(&out.buf, columns, NCOLS, out.widths);
    struct fk_error err = {0};
    if (fk_store_list_tags(store, limit, print_tag, &out, &err) < 0)
        code = msg_fk_error(&err);
    out_flush(&out.buf);
out:
    fk_store_close(store);
    fk_buf_release(&out.buf);
    return code;
}
