/* cmd_code.c - feedkeep code: the code blocks of archived articles, or one
 * block's code exactly. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep code [options] [ID]\n"
    "\n"
    "List the code blocks of archived articles, in the order of the articles\n"
    "(newest first) and within an article in its order; or, with a block ID\n"
    "(the first column), that block.\n"
    "\n"
    "Options:\n"
    "  --raw             print block ID's code exactly as archived, nothing\n"
    "                    else (for a file or a pipe; on a terminal, control\n"
    "                    characters are left out)\n"
    "  --lang LANG       only blocks in this language (as the article names\n"
    "                    it: python, shell, sql, ...; any case)\n" CLI_FILTER_HELP
    "                    (--limit and --offset count blocks)\n"
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "TSV and CSV columns: id, article_id, position, language, lines, and the\n"
    "article title. JSON fields: id, article_id, position, language, lines,\n"
    "title (of the article), code (the exact text of the block).\n";

enum { COL_ID, COL_ARTICLE, COL_POS, COL_LANG, COL_LINES, COL_TITLE, NCOLS };

static const struct out_column columns[NCOLS] = {
    [COL_ID] = {"ID", 5},      [COL_ARTICLE] = {"ART", 5}, [COL_POS] = {"POS", 3},
    [COL_LANG] = {"LANG", 10}, [COL_LINES] = {"LINES", 5}, [COL_TITLE] = {"ARTICLE", 0},
};

struct code_out {
    enum out_format format;
    struct fk_buf buf;
    int widths[NCOLS];
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
        fk_buf_printf(buf, ",\"lines\":%zu,\"title\":", row->lines);
        fk_json_string(buf, row->article_title);
        fk_buf_adds(buf, ",\"code\":");
        fk_json_string(buf, row->code);
        fk_buf_adds(buf, "}\n");
        break;
    case OUT_TSV:
    case OUT_CSV: {
        char sep = out->format == OUT_TSV ? '\t' : ',';
        fk_buf_printf(buf, "%lld%c%lld%c%d%c", (long long)row->id, sep, (long long)row->article_id,
                      sep, row->position, sep);
        out_add_field(buf, out->format, row->language);
        fk_buf_printf(buf, "%c%zu%c", sep, row->lines, sep);
        out_add_field(buf, out->format, row->article_title);
        fk_buf_addc(buf, '\n');
        break;
    }
    case OUT_TABLE:
        fk_buf_printf(buf, "%*lld  %*lld  %*d  ", out->widths[COL_ID], (long long)row->id,
                      out->widths[COL_ARTICLE], (long long)row->article_id, out->widths[COL_POS],
                      row->position);
        out_add_cell(buf, row->language ? row->language : "-", out->widths[COL_LANG], true);
        fk_buf_printf(buf, "  %*zu  ", out->widths[COL_LINES], row->lines);
        out_add_cell(buf, row->article_title, out->widths[COL_TITLE], false);
        fk_buf_addc(buf, '\n');
        break;
    }
    out_flush(buf);
    return 0;
}

/* The code alone, byte for byte: it is for saving or running. A terminal
 * still gets it without control characters. */
static int print_raw(const struct fk_code_row *row, void *ctx)
{
    struct fk_buf *buf = ctx;
    if (out_is_terminal()) {
        out_add_safe(buf, row->code, true);
        out_flush(buf);
    } else {
        fwrite(row->code, 1, strlen(row->code), stdout);
    }
    return 0;
}

int cmd_code(int argc, char **argv, struct cli *cli)
{
    enum { OPT_RAW = 0x200 };
    static const struct option options[] = {
        {"lang", required_argument, NULL, 'L'},
        {"raw", no_argument, NULL, OPT_RAW},
        {"format", required_argument, NULL, 'f'},
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    struct code_out out = {out_format_default(), FK_BUF_INIT, {0}};
    struct fk_store *store = NULL;
    bool raw = false, format_given = false;
    long id = 0;
    int code = EXIT_OK;
    int opt;

    cli_filter_init(&filter, argc, argv);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = cli_filter_option(opt, optarg, &filter, "code");
        if (rc == CLI_NOT_COMMON && opt == 'L') {
            rc = CLI_CONTINUE;
            filter.filter.language = optarg;
            filter.given = true;
        } else if (rc == CLI_NOT_COMMON && opt == OPT_RAW) {
            rc = CLI_CONTINUE;
            raw = true;
        } else if (rc == CLI_NOT_COMMON && opt == 'f') {
            rc = CLI_CONTINUE;
            format_given = true;
            if (out_format_parse(optarg, &out.format) < 0)
                rc = msg_usage("code", "unknown format '%s'", optarg);
        } else if (rc == CLI_NOT_COMMON) {
            rc = cli_common_option(opt, optarg, cli, "code", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (argc - optind > 1) {
        code = msg_usage("code", "unexpected argument '%s'", argv[optind + 1]);
        goto out;
    }
    if (optind < argc && (id = cli_parse_count(argv[optind])) <= 0) {
        code = msg_usage("code", "'%s' is not a code block ID", argv[optind]);
        goto out;
    }
    if (raw && !id) {
        code = msg_usage("code", "--raw needs a code block ID");
        goto out;
    }
    if (id && (filter.given || (raw && format_given))) {
        code = msg_usage("code", raw ? "--raw takes a block ID and no filters or format"
                                     : "give a block ID or filters, not both");
        goto out;
    }

    store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    code = cli_filter_resolve(&filter, store, "code");
    if (code != EXIT_OK)
        goto out;
    if (out.format == OUT_TABLE && !raw)
        out_table_start(&out.buf, columns, NCOLS, out.widths);
    struct fk_error err = {0};
    int rc = id ? fk_store_get_code(store, id, raw ? print_raw : print_block,
                                    raw ? (void *)&out.buf : (void *)&out, &err)
                : fk_store_list_code(store, &filter.filter, print_block, &out, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
    } else if (rc > 0) {
        msg_error("no code block with ID %ld", id);
        code = EXIT_FAILED;
    }
    out_flush(&out.buf);
out:
    fk_store_close(store);
    fk_buf_release(&out.buf);
    cli_filter_release(&filter);
    return code;
}
