/* cmd_history.c - feedkeep history ID|URL: the versions of an article. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep history [options] ID|URL\n"
    "\n"
    "List the versions of an article, oldest first: each content it had\n"
    "until a change replaced it ('replaced'), content a feed offered that\n"
    "was kept out because its text was empty or under half the archived\n"
    "one ('rejected'), and the content it has now ('current', last). Show\n"
    "one with 'feedkeep show ID --version N', compare two with\n"
    "'feedkeep show ID --diff N..M'.\n"
    "\n"
    "Options:\n"
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "FIRST SEEN is when the version became the article's content (for a\n"
    "rejected one, when the feed offered it). TSV and CSV columns: version,\n"
    "kind, first_seen, replaced_at, text_length (bytes), title. JSON fields:\n"
    "version, kind, first_seen, replaced_at, text_length, title, tags.\n";

static const char *const kind_names[] = {
    [FK_VERSION_REPLACED] = "replaced",
    [FK_VERSION_REJECTED] = "rejected",
    [FK_VERSION_CURRENT] = "current",
};

enum { COL_VERSION, COL_KIND, COL_SEEN, COL_LENGTH, COL_TITLE, NCOLS };

static const struct out_column columns[NCOLS] = {
    [COL_VERSION] = {"VERSION", 7}, [COL_KIND] = {"KIND", 8},   [COL_SEEN] = {"FIRST SEEN", 16},
    [COL_LENGTH] = {"LENGTH", 7},   [COL_TITLE] = {"TITLE", 0},
};

struct history_out {
    enum out_format format;
    struct fk_buf buf;
    int widths[NCOLS];
};

static int print_version(const struct fk_version *v, void *ctx)
{
    struct history_out *out = ctx;
    struct fk_buf *buf = &out->buf;
    char seen[FK_DATE_BUFSIZE], replaced[FK_DATE_BUFSIZE];
    fk_date_format(v->first_seen, seen);
    fk_date_format(v->replaced_at, replaced);

    switch (out->format) {
    case OUT_JSON:
        fk_buf_printf(buf, "{\"version\":%d,\"kind\":\"%s\",\"first_seen\":", v->number,
                      kind_names[v->kind]);
        fk_json_time(buf, v->first_seen);
        fk_buf_adds(buf, ",\"replaced_at\":");
        fk_json_time(buf, v->replaced_at);
        fk_buf_printf(buf, ",\"text_length\":%zu,\"title\":", v->text_length);
        fk_json_string(buf, v->title);
        fk_buf_adds(buf, ",\"tags\":[");
        /* tags_text is the sorted names joined by single spaces. */
        const char *t = v->tags_text ? v->tags_text : "";
        for (bool first = true; *t; first = false) {
            size_t n = strcspn(t, " ");
            if (!first)
                fk_buf_addc(buf, ',');
            fk_json_string_len(buf, t, n);
            t += n;
            t += *t == ' ';
        }
        fk_buf_adds(buf, "]}\n");
        break;
    case OUT_TSV:
    case OUT_CSV: {
        char sep = out->format == OUT_TSV ? '\t' : ',';
        fk_buf_printf(buf, "%d%c%s%c", v->number, sep, kind_names[v->kind], sep);
        out_add_field(buf, out->format, seen);
        fk_buf_addc(buf, sep);
        out_add_field(buf, out->format, replaced);
        fk_buf_printf(buf, "%c%zu%c", sep, v->text_length, sep);
        out_add_field(buf, out->format, v->title);
        fk_buf_addc(buf, '\n');
        break;
    }
    case OUT_TABLE:
        fk_buf_printf(buf, "%*d  ", out->widths[COL_VERSION], v->number);
        out_add_cell(buf, kind_names[v->kind], out->widths[COL_KIND], true);
        fk_buf_adds(buf, "  ");
        /* "2026-06-01T12:00" */
        seen[16] = '\0';
        out_add_cell(buf, seen[0] ? seen : "-", out->widths[COL_SEEN], true);
        fk_buf_printf(buf, "  %*zu  ", out->widths[COL_LENGTH], v->text_length);
        out_add_cell(buf, v->title, out->widths[COL_TITLE], false);
        fk_buf_addc(buf, '\n');
        break;
    }
    out_flush(buf);
    return 0;
}

int cmd_history(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct history_out out = {out_format_default(), FK_BUF_INIT, {0}};
    struct fk_store *store = NULL;
    int code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == 'f') {
            if (out_format_parse(optarg, &out.format) < 0)
                rc = msg_usage("history", "unknown format '%s'", optarg);
        } else {
            rc = cli_common_option(opt, optarg, cli, "history", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (optind + 1 != argc) {
        code = msg_usage("history", optind == argc ? "history needs an article ID or URL"
                                                   : "history takes one article ID or URL");
        goto out;
    }

    store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    int64_t id;
    code = cli_find_article(store, "history", argv[optind], &id);
    if (code != EXIT_OK)
        goto out;
    if (out.format == OUT_TABLE)
        out_table_start(&out.buf, columns, NCOLS, out.widths);
    struct fk_error err = {0};
    int rc = fk_store_list_versions(store, id, print_version, &out, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
    } else if (rc > 0) {
        msg_error("no article with ID %lld", (long long)id);
        code = EXIT_FAILED;
    }
    out_flush(&out.buf);
out:
    fk_store_close(store);
    fk_buf_release(&out.buf);
    return code;
}
