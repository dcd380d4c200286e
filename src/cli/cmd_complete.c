/* cmd_complete.c - feedkeep complete WHAT [PREFIX]: names from the archive
 * for the shell completion scripts (tags, languages, authors, feeds, the
 * stored assets), one a line. Hidden from --help; quiet when there is
 * nothing to offer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/ascii.h"
#include "feedkeep/sha256.h"
#include "feedkeep/store.h"

/* Not a kind of fk_store_complete: what 'assets get' takes. */
enum { COMPLETE_ASSETS = 100 };

static int print_candidate(const char *candidate, void *ctx)
{
    struct fk_buf *buf = ctx;
    /* One a line, and nothing a terminal would act on. */
    out_add_safe(buf, candidate, false);
    fk_buf_addc(buf, '\n');
    out_flush(buf);
    return 0;
}

static const struct cli_name kinds[] = {
    {"tags", FK_COMPLETE_TAGS},       {"languages", FK_COMPLETE_LANGUAGES},
    {"authors", FK_COMPLETE_AUTHORS}, {"feeds", FK_COMPLETE_FEEDS},
    {"assets", COMPLETE_ASSETS},
};

/* The most candidates offered, as fk_store_complete. */
#define ASSETS_MAX 200

/* The SHA-256 digests and URLs of the stored assets that start with a
 * prefix (digests ignoring case), each once. */
struct asset_candidates {
    const char *prefix;
    char **names;
    size_t count;
};

static int add_asset(const struct fk_asset_row *row, void *ctx)
{
    struct asset_candidates *c = ctx;
    char hex[FK_SHA256_HEX];
    size_t len = strlen(c->prefix);
    const char *names[2] = {row->has_sha256 ? fk_sha256_hex(row->sha256, hex) : NULL, row->url};
    for (size_t i = 0; i < 2; i++) {
        if (!names[i] || (i == 0 ? !fk_ascii_equal_n(names[i], c->prefix, len)
                                 : strncmp(names[i], c->prefix, len) != 0))
            continue;
        c->names = fk_xrealloc(c->names, (c->count + 1) * sizeof *c->names);
        c->names[c->count++] = fk_xstrdup(names[i]);
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void complete_assets(struct fk_store *store, const char *prefix, struct fk_buf *buf)
{
    struct asset_candidates c = {prefix, NULL, 0};
    struct fk_asset_filter f;
    struct fk_error err = {0};
    fk_asset_filter_init(&f);
    f.status = FK_ASSET_STORED;
    if (fk_store_list_assets(store, &f, add_asset, &c, &err) == 0) {
        if (c.count)
            qsort(c.names, c.count, sizeof *c.names, compare_names);
        size_t offered = 0;
        for (size_t i = 0; i < c.count && offered < ASSETS_MAX; i++) {
            if (i && strcmp(c.names[i], c.names[i - 1]) == 0)
                continue;
            print_candidate(c.names[i], buf);
            offered++;
        }
    }
    for (size_t i = 0; i < c.count; i++)
        free(c.names[i]);
    free(c.names);
}

int cmd_complete(int argc, char **argv, struct cli *cli)
{
    const char *args[2] = {NULL, NULL};
    int nargs = 0;
    /* --db may come anywhere after the command name, as for every command. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            cli->db_path = argv[++i];
        else if (strncmp(argv[i], "--db=", 5) == 0)
            cli->db_path = argv[i] + 5;
        else if (nargs < 2)
            args[nargs++] = argv[i];
        else
            nargs = 3;
    }
    if (nargs < 1 || nargs > 2)
        return msg_usage(NULL,
                         "usage: feedkeep complete tags|languages|authors|feeds|assets [PREFIX]");
    int what = CLI_NAME_VALUE(kinds, args[0]);
    if (what < 0)
        return msg_usage(NULL, "nothing to complete as '%s'", args[0]);
    /* A completion never reports a missing or busy archive: it offers
     * nothing. */
    cli->quiet = true;
    struct fk_store *store = cli_open_store_silently(cli);
    if (!store)
        return EXIT_OK;
    struct fk_buf buf = FK_BUF_INIT;
    struct fk_error err = {0};
    if (what == COMPLETE_ASSETS)
        complete_assets(store, args[1] ? args[1] : "", &buf);
    else
        (void)fk_store_complete(store, (enum fk_complete)what, args[1] ? args[1] : "",
                                print_candidate, &buf, &err);
    fk_buf_release(&buf);
    fk_store_close(store);
    return EXIT_OK;
}
