/* cmd_list.c - feedkeep list: archived articles, newest first. */
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
    "List archived articles, newest first.\n"
    "\n"
    "Options:\n"
    "  --tag TAG         only articles with this tag (repeat: all must match)\n"
    "  --since DATE      only articles published on or after DATE\n"
    "  --until DATE      only articles published before DATE (a date alone\n"
    "                    includes that whole day)\n"
    "                    DATE is ISO 8601: 2026-06-01 or 2026-06-01T12:00:00Z\n"
    "  --limit N         at most N articles\n"
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"
    "                    on a terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "TSV and CSV columns: id, published, author, tags (comma-separated),\n"
    "title, url. JSON fields: id, guid, url, title, author, published,\n"
    "updated, tags, feed.\n";

struct list_out {
    enum out_format format;
    struct fk_buf buf;
    int widths[4];
};

static void add_tags(struct fk_buf *buf, const struct fk_article *a, const char *sep)
{
    for (size_t i = 0; i < a->ntags; i++) {
        if (i)
            fk_buf_adds(buf, sep);
        fk_buf_adds(buf, a->tags[i]);
    }
}

static int print_article(const struct fk_article *a, void *ctx)
{
    struct list_out *out = ctx;
    struct fk_buf *buf = &out->buf;
    char date[FK_DATE_BUFSIZE];
    fk_date_format(a->published, date);
    struct fk_buf tags = FK_BUF_INIT;

    switch (out->format) {
    case OUT_JSON:
        fk_buf_printf(buf, "{\"id\":%lld,\"guid\":", (long long)a->id);
        fk_json_string(buf, a->guid);
        fk_buf_adds(buf, ",\"url\":");
        fk_json_string(buf, a->url);
        fk_buf_adds(buf, ",\"title\":");
        fk_json_string(buf, a->title);
        fk_buf_adds(buf, ",\"author\":");
        fk_json_string(buf, a->author);
        fk_buf_adds(buf, ",\"published\":");
        fk_json_time(buf, a->published);
        fk_buf_adds(buf, ",\"updated\":");
        fk_json_time(buf, a->updated);
        fk_buf_adds(buf, ",\"tags\":[");
        for (size_t i = 0; i < a->ntags; i++) {
            if (i)
                fk_buf_addc(buf, ',');
            fk_json_string(buf, a->tags[i]);
        }
        fk_buf_adds(buf, "],\"feed\":");
        fk_json_string(buf, a->feed_url);
        fk_buf_adds(buf, "}\n");
        break;
    case OUT_TSV:
    case OUT_CSV: {
        void (*field)(struct fk_buf *, const char *) =
            out->format == OUT_TSV ? out_add_tsv : out_add_csv;
        char sep = out->format == OUT_TSV ? '\t' : ',';
        fk_buf_printf(buf, "%lld%c", (long long)a->id, sep);
        field(buf, date);
        fk_buf_addc(buf, sep);
        field(buf, a->author);
        fk_buf_addc(buf, sep);
        add_tags(&tags, a, ",");
        field(buf, tags.data);
        fk_buf_addc(buf, sep);
        field(buf, a->title);
        fk_buf_addc(buf, sep);
        field(buf, a->url);
        fk_buf_addc(buf, '\n');
        break;
    }
    case OUT_TABLE:
        fk_buf_printf(buf, "%*lld  ", out->widths[0], (long long)a->id);
        out_add_cell(buf, date[0] ? (date[10] = '\0', date) : "-", out->widths[1], true);
        fk_buf_adds(buf, "  ");
        out_add_cell(buf, a->title, out->widths[2], true);
        fk_buf_adds(buf, "  ");
        add_tags(&tags, a, " ");
        out_add_cell(buf, tags.data, out->widths[3], false);
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
    struct list_out out = {out_format_default(), FK_BUF_INIT, {0}};
    int code = EXIT_OK;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 't':
            tags[filter.ntags++] = optarg;
            break;
        case 's':
            code = cli_parse_filter_date("list", "since", optarg, false, &filter.since);
            break;
        case 'u':
            code = cli_parse_filter_date("list", "until", optarg, true, &filter.until);
            break;
        case 'l':
            filter.limit = cli_parse_count(optarg);
            if (filter.limit < 0)
                code = msg_usage("list", "option '--limit': '%s' is not a count", optarg);
            break;
        case 'f':
            if (out_format_parse(optarg, &out.format) < 0)
                code = msg_usage("list", "unknown format '%s'", optarg);
            break;
        default: {
            int rc = cli_common_option(opt, optarg, cli, "list", help);
            if (rc != CLI_CONTINUE)
                code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
        }
        if (code != EXIT_OK)
            goto out;
    }
    if (optind != argc) {
        code = msg_usage("list", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    filter.tags = tags;

    struct fk_store *store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    if (out.format == OUT_TABLE) {
        static const struct out_column columns[] = {
            {"ID", 5}, {"DATE", 10}, {"TITLE", 0}, {"TAGS", 28}};
        out_table_start(&out.buf, columns, 4, out.widths);
    }
    struct fk_error err = {0};
    if (fk_store_list(store, &filter, print_article, &out, &err) < 0)
        code = msg_fk_error(&err);
    out_flush(&out.buf);
    fk_store_close(store);
out:
    fk_buf_release(&out.buf);
    free(tags);
    return code;
}
