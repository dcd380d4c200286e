/* cmd_stats.c - feedkeep stats: what the archive holds, its size and how
 * its feeds fare. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep stats [options]\n"
    "\n"
    "Show an overview of the archive: articles, feeds (subscribed, and of\n"
    "those the ones whose last fetch failed), tags, code blocks (and per\n"
    "language), kept versions, the size of the database file and of its\n"
    "write-ahead log, the oldest and newest article dates (published, else\n"
    "updated), the last fetch; the assets (stored, their bytes, the URLs by\n"
    "state, and what storing each once saved), the feeds' documents kept\n"
    "as they came (their bytes as stored, compressed, and before), and the\n"
    "dictionary the articles' HTML is compressed with (its size, and how\n"
    "much smaller it made the HTML it was tried on).\n"
    "\n"
    "Options:\n"
    "  --format FORMAT   table, tsv, csv or json; default: table on a\n"
    "                    terminal, tsv otherwise\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "The table gives sizes in KiB, MiB and GiB. TSV and CSV: one NAME, VALUE\n"
    "line per figure (sizes in bytes), the languages as\n"
    "code_blocks.LANG (code_blocks.none: no language named); times in ISO\n"
    "8601, empty when unknown. JSON: one object with articles, feeds,\n"
    "subscribed_feeds, failing_feeds, tags, code_blocks, versions, size_bytes,\n"
    "wal_bytes, oldest, newest, last_fetch, assets, asset_bytes, asset_urls,\n"
    "asset_urls_stored, asset_urls_pending, asset_urls_failed,\n"
    "asset_urls_skipped, asset_linked_bytes (what the stored URLs would take\n"
    "stored apart), asset_dedup_saved_bytes (that less asset_bytes),\n"
    "asset_dedup_ratio (asset_linked_bytes / asset_bytes; null without\n"
    "assets), raw_documents, raw_bytes (compressed), raw_original_bytes,\n"
    "raw_compression_ratio (raw_original_bytes / raw_bytes; null without\n"
    "documents), html_dictionary_bytes (the dictionary the HTML is compressed\n"
    "with; 0: none), html_dictionary_ratio (the HTML it was tried on,\n"
    "compressed alone / compressed with it; null without one), and languages\n"
    "(an array of {\"language\", \"blocks\"}). The\n"
    "ratios have two decimals (the table: 2.50x; TSV and CSV: empty where\n"
    "JSON has null).\n";

/* The figures, in the order printed: a name and where its value is. */
enum value_kind {
    VALUE_COUNT,
    VALUE_TIME,
    VALUE_BYTES,
    VALUE_SAVED, /* bytes: member less other */
    VALUE_RATIO, /* member / other; none when other is 0 */
};

struct figure {
    const char *name;  /* TSV, CSV and JSON */
    const char *label; /* the table */
    enum value_kind kind;
    size_t offset; /* of the int64_t in struct fk_store_stats */
    size_t other;  /* VALUE_SAVED and VALUE_RATIO: the second one */
};

#define FIGURE(name, label, kind, member)                                                          \
    {                                                                                              \
        name, label, kind, offsetof(struct fk_store_stats, member), 0                              \
    }
#define FIGURE2(name, label, kind, member, other)                                                  \
    {                                                                                              \
        name, label, kind, offsetof(struct fk_store_stats, member),                                \
            offsetof(struct fk_store_stats, other)                                                 \
    }

static const struct figure figures[] = {
    FIGURE("articles", "articles", VALUE_COUNT, counts.articles),
    FIGURE("feeds", "feeds", VALUE_COUNT, counts.feeds),
    FIGURE("subscribed_feeds", "  subscribed", VALUE_COUNT, subscribed),
    FIGURE("failing_feeds", "  failing", VALUE_COUNT, failing),
    FIGURE("tags", "tags", VALUE_COUNT, counts.tags),
    FIGURE("code_blocks", "code blocks", VALUE_COUNT, counts.code_blocks),
    FIGURE("versions", "versions kept", VALUE_COUNT, counts.versions),
    FIGURE("size_bytes", "size", VALUE_BYTES, size_bytes),
    FIGURE("wal_bytes", "  write-ahead log", VALUE_BYTES, wal_bytes),
    FIGURE("oldest", "oldest article", VALUE_TIME, oldest),
    FIGURE("newest", "newest article", VALUE_TIME, newest),
    FIGURE("last_fetch", "last fetch", VALUE_TIME, last_fetch),
    FIGURE("assets", "assets stored", VALUE_COUNT, assets.assets),
    FIGURE("asset_bytes", "  size", VALUE_BYTES, assets.bytes),
    FIGURE("asset_urls", "  URLs", VALUE_COUNT, assets.urls),
    FIGURE("asset_urls_stored", "    stored", VALUE_COUNT, assets.urls_stored),
    FIGURE("asset_urls_pending", "    pending", VALUE_COUNT, assets.urls_pending),
    FIGURE("asset_urls_failed", "    failed", VALUE_COUNT, assets.urls_failed),
    FIGURE("asset_urls_skipped", "    skipped", VALUE_COUNT, assets.urls_skipped),
    FIGURE("asset_linked_bytes", "  size without dedup", VALUE_BYTES, assets.linked_bytes),
    FIGURE2("asset_dedup_saved_bytes", "  saved by dedup", VALUE_SAVED, assets.linked_bytes,
            assets.bytes),
    FIGURE2("asset_dedup_ratio", "  dedup ratio", VALUE_RATIO, assets.linked_bytes, assets.bytes),
    FIGURE("raw_documents", "documents kept", VALUE_COUNT, raw.documents),
    FIGURE("raw_bytes", "  size (compressed)", VALUE_BYTES, raw.bytes),
    FIGURE("raw_original_bytes", "  size as they came", VALUE_BYTES, raw.original_bytes),
    FIGURE2("raw_compression_ratio", "  compression ratio", VALUE_RATIO, raw.original_bytes,
            raw.bytes),
    FIGURE("html_dictionary_bytes", "HTML dictionary", VALUE_BYTES, pack.dictionary_bytes),
    FIGURE2("html_dictionary_ratio", "  compression ratio", VALUE_RATIO, pack.test_alone,
            pack.test_packed),
};

static int64_t member(const struct fk_store_stats *stats, size_t offset)
{
    int64_t value;
    memcpy(&value, (const char *)stats + offset, sizeof value);
    return value;
}

/* The value of f; for VALUE_RATIO the divisor, its dividend in *dividend. */
static int64_t figure_value(const struct fk_store_stats *stats, const struct figure *f,
                            int64_t *dividend)
{
    int64_t value = member(stats, f->offset);
    if (f->kind == VALUE_SAVED)
        return value - member(stats, f->other);
    if (f->kind == VALUE_RATIO) {
        *dividend = value;
        return member(stats, f->other);
    }
    return value;
}

/* A ratio with two decimals, "" when there is none (divisor 0). */
static const char *ratio_text(int64_t dividend, int64_t divisor, bool for_people, char *out)
{
    if (divisor <= 0)
        out[0] = '\0';
    else
        snprintf(out, FK_DATE_BUFSIZE, for_people ? "%.2fx" : "%.2f",
                 (double)dividend / (double)divisor);
    return out;
}

/* A size for people: "18.5 MiB", "512 bytes". */
static void human_size(int64_t bytes, char *out, size_t size)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(out, size, "%lld bytes", (long long)bytes);
        return;
    }
    double value = (double)bytes / 1024;
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < sizeof units / sizeof units[0]) {
        value /= 1024;
        unit++;
    }
    snprintf(out, size,
             value < 10    ? "%.2f %s"
             : value < 100 ? "%.1f %s"
                           : "%.0f %s",
             value, units[unit]);
}

/* The value of a figure as text (times in ISO 8601, "" when unknown);
 * for a table (for people) sizes in KiB, MiB, GiB. */
static const char *figure_text(int64_t value, enum value_kind kind, bool for_people, char *out)
{
    if (kind == VALUE_TIME)
        return fk_date_format(value, out);
    if ((kind == VALUE_BYTES || kind == VALUE_SAVED) && for_people) {
        human_size(value, out, FK_DATE_BUFSIZE);
        return out;
    }
    snprintf(out, FK_DATE_BUFSIZE, "%lld", (long long)value);
    return out;
}

static void print_json(struct fk_buf *buf, const struct fk_store_stats *stats)
{
    fk_buf_addc(buf, '{');
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        int64_t dividend = 0;
        int64_t value = figure_value(stats, &figures[i], &dividend);
        char text[FK_DATE_BUFSIZE];
        if (figures[i].kind == VALUE_TIME) {
            fk_json_member_time(buf, figures[i].name, value);
        } else if (figures[i].kind == VALUE_RATIO) {
            fk_json_key(buf, figures[i].name);
            fk_buf_adds(buf, value > 0 ? ratio_text(dividend, value, false, text) : "null");
        } else {
            fk_json_member_int(buf, figures[i].name, value);
        }
    }
    fk_json_key(buf, "languages");
    fk_buf_addc(buf, '[');
    for (size_t i = 0; i < stats->nlanguages; i++) {
        fk_buf_adds(buf, i ? ",{" : "{");
        fk_json_member_str(buf, "language", stats->languages[i].language);
        fk_json_member_int(buf, "blocks", stats->languages[i].blocks);
        fk_buf_addc(buf, '}');
    }
    fk_buf_adds(buf, "]}\n");
}

/* One line: NAME VALUE (TSV, CSV) or "label   value" (table). */
static void print_line(struct fk_buf *buf, enum out_format format, const char *name,
                       const char *label, const char *value)
{
    if (format == OUT_TABLE) {
        out_add_cell(buf, label, 24, true);
        fk_buf_adds(buf, "  ");
        out_add_safe(buf, value[0] ? value : "-", false);
    } else {
        out_add_field(buf, format, name);
        fk_buf_addc(buf, format == OUT_CSV ? ',' : '\t');
        out_add_field(buf, format, value);
    }
    fk_buf_addc(buf, '\n');
}

static void print_lines(struct fk_buf *buf, enum out_format format,
                        const struct fk_store_stats *stats)
{
    char text[FK_DATE_BUFSIZE];
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        const struct figure *f = &figures[i];
        int64_t dividend = 0;
        int64_t value = figure_value(stats, f, &dividend);
        bool for_people = format == OUT_TABLE;
        print_line(buf, format, f->name, f->label,
                   f->kind == VALUE_RATIO ? ratio_text(dividend, value, for_people, text)
                                          : figure_text(value, f->kind, for_people, text));
        if (strcmp(f->name, "code_blocks") != 0)
            continue;
        /* The languages right under the code blocks. */
        for (size_t j = 0; j < stats->nlanguages; j++) {
            const char *language = stats->languages[j].language;
            struct fk_buf name = FK_BUF_INIT, label = FK_BUF_INIT;
            fk_buf_printf(&name, "code_blocks.%s", language ? language : "none");
            fk_buf_printf(&label, "  %s", language ? language : "(none)");
            print_line(buf, format, name.data, label.data,
                       figure_text(stats->languages[j].blocks, VALUE_COUNT, false, text));
            fk_buf_release(&name);
            fk_buf_release(&label);
        }
    }
}

int cmd_stats(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    enum out_format format = out_format_default();
    struct fk_store *store = NULL;
    struct fk_store_stats stats = {0};
    struct fk_buf buf = FK_BUF_INIT;
    int code = EXIT_OK;
    int opt;

    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = opt == 'f' ? out_format_option("stats", optarg, &format)
                            : cli_common_option(opt, optarg, cli, "stats", help);
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if ((code = cli_no_arguments("stats", argc, argv)) != EXIT_OK)
        goto out;

    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    if (fk_store_stats(store, &stats, &err) < 0) {
        code = msg_fk_error(&err);
        goto out;
    }
    if (format == OUT_JSON)
        print_json(&buf, &stats);
    else
        print_lines(&buf, format, &stats);
    out_flush(&buf);
out:
    fk_store_stats_release(&stats);
    fk_store_close(store);
    fk_buf_release(&buf);
    return code;
}
