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
    "(the first column), print that block's code exactly as archived (for a\n"
    "file or a pipe; on a terminal, control characters are left out), or its\n"
    "record with --format or --fields.\n"
    "\n"
    "Options:\n"
    "  --raw             with ID: the code only (the default)\n"
    "  --lang LANG       only blocks in this language (as the article names\n"
    "                    it: python, shell, sql, ...; any case; common short\n"
    "                    names too: py, js, ts, sh, yml, c++, ...)\n" CLI_FILTER_HELP
    "                    (--limit and --offset count blocks)\n" CLI_OUTPUT_HELP
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: id, article_id, position, language, lines, title (of the\n"
    "article), code (the exact text of the block). TSV and CSV columns by\n"
    "default: id, article_id, position, language, lines, title. JSON: every\n"
    "field.\n";

OUT_GETTER(id, struct fk_code_row, OUT_V_INT, v->number = row->id)
OUT_GETTER(article_id, struct fk_code_row, OUT_V_INT, v->number = row->article_id)
OUT_GETTER(position, struct fk_code_row, OUT_V_INT, v->number = row->position)
OUT_GETTER(language, struct fk_code_row, OUT_V_TEXT, v->text = row->language)
OUT_GETTER(lines, struct fk_code_row, OUT_V_INT, v->number = (int64_t)row->lines)
OUT_GETTER(title, struct fk_code_row, OUT_V_TEXT, v->text = row->article_title)
OUT_GETTER(code, struct fk_code_row, OUT_V_TEXT, v->text = row->code)

static const struct out_field fields[] = {
    {"id", 5, true, get_id, NULL},
    {"article_id", 5, true, get_article_id, "ART"},
    {"position", 3, true, get_position, "POS"},
    {"language", 10, false, get_language, "LANG"},
    {"lines", 5, true, get_lines, NULL},
    {"title", 0, false, get_title, "ARTICLE"},
    {"code", 0, false, get_code, NULL},
};

static int print_block(const struct fk_code_row *row, void *ctx)
{
    out_record_row(ctx, row);
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

enum { OPT_RAW = 0x200 };

struct code_options {
    struct cli_filter *filter;
    bool raw_given;
};

/* --lang (a filter of blocks only) and --raw. */
static int code_option(int opt, const char *arg, void *ctx)
{
    struct code_options *o = ctx;
    if (opt == 'L') {
        o->filter->filter.language = arg;
        o->filter->given = true;
    } else if (opt == OPT_RAW) {
        o->raw_given = true;
    } else {
        return CLI_NOT_COMMON;
    }
    return CLI_CONTINUE;
}

int cmd_code(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"lang", required_argument, NULL, 'L'},
        {"raw", no_argument, NULL, OPT_RAW},
        CLI_OUTPUT_OPTIONS,
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    struct out_record out;
    struct fk_buf raw_buf = FK_BUF_INIT;
    struct fk_store *store = NULL;
    struct code_options own = {&filter, false};
    const struct cli_listing listing = {"code", help, &out, &filter, code_option, &own};
    bool raw = false;
    long id = 0;
    int code;

    out_record_init(&out, fields, sizeof fields / sizeof fields[0],
                    "id,article_id,position,language,lines,title", NULL);
    cli_filter_init(&filter, argc, argv);
    if ((code = cli_listing_options(argc, argv, options, cli, &listing)) != CLI_CONTINUE)
        goto out;
    if (argc - optind > 1) {
        code = msg_usage("code", "unexpected argument '%s'", argv[optind + 1]);
        goto out;
    }
    if (optind < argc && (id = cli_parse_count(argv[optind])) <= 0) {
        code = msg_usage("code", "'%s' is not a code block ID", argv[optind]);
        goto out;
    }
    if (own.raw_given && !id) {
        code = msg_usage("code", "--raw needs a code block ID");
        goto out;
    }
    bool record_asked = out.format_given || out.field_list || out.header;
    if (id && (filter.given || (own.raw_given && record_asked))) {
        code = msg_usage("code", own.raw_given ? "--raw takes a block ID and no filters or format"
                                               : "give a block ID or filters, not both");
        goto out;
    }
    /* A block named by its ID is its code, as 'show ID' is the article. */
    raw = id && !record_asked;

    code = cli_filter_open(&filter, cli, "code", &store);
    if (code != EXIT_OK)
        goto out;
    if (!raw && (code = out_record_start(&out, "code")) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    int rc = id ? fk_store_get_code(store, id, raw ? print_raw : print_block,
                                    raw ? (void *)&raw_buf : (void *)&out, &err)
                : fk_store_list_code(store, &filter.filter, print_block, &out, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
    } else if (rc > 0) {
        msg_error("no code block with ID %ld", id);
        code = EXIT_FAILED;
    }
out:
    fk_store_close(store);
    out_record_end(&out);
    fk_buf_release(&raw_buf);
    cli_filter_release(&filter);
    return code;
}
