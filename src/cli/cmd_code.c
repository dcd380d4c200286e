/* cmd_code.c - feedkeep code: the code blocks of archived articles. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep code [options]\n"
    "\n"
    "List the code blocks of archived articles, newest article first, in\n"
    "the order they appear in the article.\n"
    "\n"
    "Options:\n"
    "  --lang LANG       only blocks in this language (as the article names\n"
    "                    it: python, shell, sql, ...)\n"
    "  --tag TAG         only blocks of articles with this tag (repeatable)\n"
    "  --since DATE      only blocks of articles published on or after DATE\n"
    "  --until DATE      only blocks of articles published before DATE\n"
    "  --limit N         at most N articles\n"
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "TSV and CSV columns: id, article_id, position, language, lines, and the\n"
    "article title. JSON fields: id, article_id, position, language, lines,\n"
    "code (the exact text of the block).\n";

struct code_out {
    enum out_format format;
    struct fk_buf buf;
    int widths[6];
};

static int print_block(const struct fk_code_row *row, void *ctx)
{
    struct code_out *out = ctx;
    struct fk_buf *buf = &out->buf;
    switch (out->format) {
    case OUT_JSON:
        fk_buf_printf(buf, "{\"id\":%lld,\"article_id\":%lld,\"position\":%d,\"language\":",
                      (long long)row->id, (long long)row->article_id, row->position);
        fk_json_string(buf, row->language);
        fk_buf_printf(buf, ",\"lines\":%zu,\"code\":", row->lines);
        fk_json_string(buf, row->code);
        fk_buf_adds(buf, "}\n");
        break;
    case OUT_TSV:
    case OUT_CSV: {
        void (*field)(struct fk_buf *, const char *) =
            out->format == OUT_TSV ? out_add_tsv : out_add_csv;
        char sep = out->format == OUT_TSV ? '\t' : ',';
        fk_buf_printf(buf, "%lld%c%lld%c%d%c", (long long)row->id, sep, (long long)row->article_id,
                      sep, row->position, sep);
        field(buf, row->language);
        fk_buf_printf(buf, "%c%zu%c", sep, row->lines, sep);
        field(buf, row->article_title);
        fk_buf_addc(buf, '\n');
        break;
    }
    case OUT_TABLE: {
        fk_buf_printf(buf, "%*lld  %*lld  %*d  ", out->widths[0], (long long)row->id,
                      out->widths[1], (long long)row->article_id, out->widths[2], row->position);
        out_add_cell(buf, row->language ? row->language : "-", out->widths[3], true);
        fk_buf_printf(buf, "  %*zu  ", out->widths[4], row->lines);
        out_add_cell(buf, row->article_title, out->widths[5], false);
        fk_buf_addc(buf, '\n');
        break;
    }
    }
    out_flush(buf);
    return 0;
}

int cmd_code(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"lang", required_argument, NULL, 'L'},
        {"tag", required_argument, NULL, 't'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {"limit", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct fk_filter filter;
    fk_filter_init(&filter);
    const char **tags = fk_xcalloc((size_t)argc, sizeof *tags);
    struct code_out out = {out_format_default(), FK_BUF_INIT, {0}};
    int code = EXIT_OK;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'L':
            filter.language = optarg;
            break;
        case 't':
            tags[filter.ntags++] = optarg;
            break;
        case 's':
            code = cli_parse_filter_date("code", "since", optarg, false, &filter.since);
            break;
        case 'u':
            code = cli_parse_filter_date("code", "until", optarg, true, &filter.until);
            break;
        case 'l':
            filter.limit = cli_parse_count(optarg);
            if (filter.limit < 0)
                code = msg_usage("code", "option '--limit': '%s' is not a count", optarg);
            break;
        case 'f':
            if (out_format_parse(optarg, &out.format) < 0)
                code = msg_usage("code", "unknown format '%s'", optarg);
            break;
        default: {
            int rc = cli_common_option(opt, optarg, cli, "code", help);
            if (rc != CLI_CONTINUE)
                code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
        }
        if (code != EXIT_OK)
            goto out;
    }
    if (optind != argc) {
        code = msg_usage("code", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    filter.tags = tags;

    struct fk_store *store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    if (out.format == OUT_TABLE) {
        static const struct out_column columns[] = {{"ID", 5},    {"ART", 5},   {"POS", 3},
                                                    {"LANG", 10}, {"LINES", 5}, {"ARTICLE", 0}};
        out_table_start(&out.buf, columns, 6, out.widths);
    }
    struct fk_error err = {0};
    if (fk_store_list_code(store, &filter, print_block, &out, &err) < 0)
        code = msg_fk_error(&err);
    out_flush(&out.buf);
    fk_store_close(store);
out:
    fk_buf_release(&out.buf);
    free(tags);
    return code;
}
