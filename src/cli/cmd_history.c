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
    "Options:\n" CLI_OUTPUT_HELP "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "first_seen is when the version became the article's content (for a\n"
    "rejected one, when the feed offered it). Fields: version, kind,\n"
    "first_seen, replaced_at, text_length (bytes), title, tags. TSV and CSV\n"
    "columns by default: version, kind, first_seen, replaced_at, text_length,\n"
    "title. JSON: every field.\n";

static const char *const kind_names[] = {
    [FK_VERSION_REPLACED] = "replaced",
    [FK_VERSION_REJECTED] = "rejected",
    [FK_VERSION_CURRENT] = "current",
};

OUT_GETTER(version, struct fk_version, OUT_V_INT, v->number = row->number)
OUT_GETTER(kind, struct fk_version, OUT_V_TEXT, v->text = kind_names[row->kind])
OUT_GETTER(first_seen, struct fk_version, OUT_V_TIME, v->number = row->first_seen)
OUT_GETTER(replaced_at, struct fk_version, OUT_V_TIME, v->number = row->replaced_at)
OUT_GETTER(text_length, struct fk_version, OUT_V_INT, v->number = (int64_t)row->text_length)
OUT_GETTER(title, struct fk_version, OUT_V_TEXT, v->text = row->title)

/* tags_text is the sorted names joined by single spaces. */
OUT_GETTER(tags, struct fk_version, OUT_V_LIST, out_value_split(v, row->tags_text, ' ', SIZE_MAX))

static const struct out_field fields[] = {
    {"version", 7, true, get_version, NULL},
    {"kind", 8, false, get_kind, NULL},
    {"first_seen", 16, false, get_first_seen, NULL},
    {"replaced_at", 16, false, get_replaced_at, NULL},
    {"text_length", 7, true, get_text_length, "LENGTH"},
    {"title", 0, false, get_title, NULL},
    {"tags", 28, false, get_tags, NULL},
};

static int print_version(const struct fk_version *v, void *ctx)
{
    out_record_row(ctx, v);
    return 0;
}

int cmd_history(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        CLI_OUTPUT_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct out_record out;
    struct fk_store *store = NULL;
    const struct cli_listing listing = {"history", help, &out, NULL, NULL, NULL};
    int code;

    out_record_init(&out, fields, sizeof fields / sizeof fields[0],
                    "version,kind,first_seen,replaced_at,text_length,title",
                    "version,kind,first_seen,text_length,title");
    if ((code = cli_listing_options(argc, argv, options, cli, &listing)) != CLI_CONTINUE)
        goto out;
    if (optind + 1 != argc) {
        code = msg_usage("history", optind == argc ? "history needs an article ID or URL"
                                                   : "history takes one article ID or URL");
        goto out;
    }

    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        goto out;
    int64_t id;
    code = cli_find_article(store, "history", argv[optind], &id);
    if (code != EXIT_OK)
        goto out;
    if ((code = out_record_start(&out, "history")) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    int rc = fk_store_list_versions(store, id, print_version, &out, &err);
    code = cli_article_status(rc, &err, id);
out:
    fk_store_close(store);
    out_record_end(&out);
    return code;
}
