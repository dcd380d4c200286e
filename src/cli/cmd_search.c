/* cmd_search.c - feedkeep search QUERY: full-text search, ranked, with a
 * snippet per hit. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/search.h"
#include "feedkeep/store.h"

/* Ranking all matches takes time in proportion to their number; by
 * default the best are picked from this many most recently archived. */
#define RANK_WINDOW 500

static const char help[] =
    "usage: feedkeep search [options] QUERY...\n"
    "\n"
    "Search the titles, texts and tags of the archived articles; the best\n"
    "matches first (bm25, the title weighted above the tags and the tags\n"
    "above the text), each with a snippet of its text around the matches.\n"
    "The words of QUERY are joined by spaces:\n"
    "\n"
    "  query planner        both words, anywhere, in any order\n"
    "  \"query planner\"      the phrase\n"
    "  plan*                words starting with plan\n"
    "  sqlite OR postgres   either; AND, OR, NOT are operators in capitals\n"
    "  sqlite NOT mysql     the first without the second (also: -mysql)\n"
    "  (a OR b) c           grouping\n"
    "  title:planner        in one column: title, text or tags\n"
    "\n"
    "Words are matched whole, ignoring case and accents; other characters\n"
    "separate words (c++ finds c, node.js the phrase node js). A QUERY that\n"
    "starts with - goes after --.\n"
    "\n"
    "Options:\n" CLI_FILTER_HELP
    "                    (--sort and --reverse do not apply: hits are ranked)\n"
    "  --rank-all        rank every match; by default the best are picked\n"
    "                    among the 500 most recently archived matches, which\n"
    "                    keeps search fast on large archives\n" CLI_OUTPUT_HELP
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Matched words are in bold colour on a terminal (unless NO_COLOR is\n"
    "set), else in [brackets]. Fields: those of 'feedkeep list', then rank\n"
    "(bm25: lower is better) and snippet. TSV and CSV columns by default:\n"
    "those of 'feedkeep list' (id, date, author, tags, title, url), then\n"
    "rank and snippet. JSON: every field.\n";

enum { COL_ID, COL_DATE, COL_TITLE, NCOLS };

static const struct out_column columns[NCOLS] = {
    [COL_ID] = {"ID", 5},
    [COL_DATE] = {"DATE", 10},
    [COL_TITLE] = {"TITLE", 0},
};

struct search_out {
    struct out_record record; /* the formats but the two-line table */
    bool two_lines;
    struct fk_buf buf;
    int widths[NCOLS];
    bool styled; /* matches in colour */
    int snippet_width;
};

static int print_hit(const struct fk_search_hit *hit, void *ctx)
{
    struct search_out *out = ctx;
    struct fk_buf *buf = &out->buf;
    const struct fk_article *a = &hit->article;

    if (!out->two_lines) {
        out_record_row(&out->record, hit);
        return 0;
    }
    /* Two lines a hit: the article, then its snippet under the title. */
    fk_buf_printf(buf, "%*lld  ", out->widths[COL_ID], (long long)a->id);
    out_add_table_day(buf, a->date, out->widths[COL_DATE]);
    fk_buf_adds(buf, "  ");
    out_add_style(buf, OUT_STYLE_BOLD);
    out_add_cell(buf, a->title, out->widths[COL_TITLE], false);
    out_add_style(buf, OUT_STYLE_RESET);
    fk_buf_printf(buf, "\n%*s", out->widths[COL_ID] + out->widths[COL_DATE] + 4, "");
    out_add_marked(buf, hit->snippet, out->styled, out->snippet_width);
    fk_buf_addc(buf, '\n');
    out_flush(buf);
    return 0;
}

/* The query: the arguments joined by spaces. */
static char *join_args(int argc, char **argv)
{
    struct fk_buf query = FK_BUF_INIT;
    for (int i = 0; i < argc; i++) {
        if (i)
            fk_buf_addc(&query, ' ');
        fk_buf_adds(&query, argv[i]);
    }
    return fk_buf_detach(&query);
}

/* "feedkeep: cannot parse query 'Q': why". */
static int bad_query(const char *query, const char *why)
{
    msg_error("cannot parse query '%s': %s", query, why);
    return EXIT_USAGE;
}

int cmd_search(int argc, char **argv, struct cli *cli)
{
    enum { OPT_RANK_ALL = 0x200 };
    static const struct option options[] = {
        CLI_OUTPUT_OPTIONS, {"rank-all", no_argument, NULL, OPT_RANK_ALL},
        CLI_FILTER_OPTIONS, CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    struct search_out out = {.buf = FK_BUF_INIT};
    struct fk_search_options search = {OUT_MARK_OPEN, OUT_MARK_CLOSE, 16, RANK_WINDOW};
    struct fk_store *store = NULL;
    char *query = NULL;
    struct fk_search_query parsed = {.root = -1};
    int code = EXIT_OK;
    int opt;

    out_record_init(&out.record, out_hit_fields, out_hit_nfields,
                    OUT_ARTICLE_DEFAULTS ",rank,snippet", NULL);
    cli_filter_init(&filter, argc, argv);
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = cli_filter_option(opt, optarg, &filter, "search");
        if (rc == CLI_CONTINUE && (opt == CLI_OPT_SORT || opt == CLI_OPT_REVERSE)) {
            rc = msg_usage("search", "search results are ranked: '--%s' does not apply",
                           opt == CLI_OPT_SORT ? "sort" : "reverse");
        } else if (rc == CLI_NOT_COMMON && opt == OPT_RANK_ALL) {
            rc = CLI_CONTINUE;
            search.rank_window = 0;
        } else if (rc == CLI_NOT_COMMON) {
            rc = out_listing_option(opt, optarg, &out.record, cli, "search", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc;
            goto out;
        }
    }
    if (optind == argc) {
        code = msg_usage("search", "search needs a QUERY");
        goto out;
    }
    query = join_args(argc - optind, argv + optind);
    struct fk_error err = {0};
    if (fk_search_parse(query, &parsed, &err) < 0) {
        code = bad_query(query, err.message);
        goto out;
    }

    code = cli_filter_open(&filter, cli, "search", &store);
    if (code != EXIT_OK)
        goto out;
    out.two_lines = out.record.format == OUT_TABLE && !out.record.field_list;
    if (!out.two_lines) {
        code = out_record_start(&out.record, "search");
        if (code != EXIT_OK)
            goto out;
    } else {
        out_table_start(&out.buf, columns, NCOLS, out.widths);
        out.styled = out_use_color();
        out.snippet_width = out_terminal_width() - out.widths[COL_ID] - out.widths[COL_DATE] - 4;
        if (out.snippet_width < 20)
            out.snippet_width = 20;
    }
    if (fk_store_search(store, &parsed, &filter.filter, &search, print_hit, &out, &err) < 0)
        code = err.kind == FK_ERROR_USAGE ? bad_query(query, err.message) : msg_fk_error(&err);
    out_flush(&out.buf);
out:
    fk_store_close(store);
    fk_buf_release(&out.buf);
    out_record_end(&out.record);
    cli_filter_release(&filter);
    free(query);
    fk_search_query_release(&parsed);
    return code;
}
