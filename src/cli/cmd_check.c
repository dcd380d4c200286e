/* cmd_check.c - feedkeep check: is the archive sound? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/sha256.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep check [options]\n"
    "\n"
    "Check the archive: SQLite's integrity check of the file, its foreign\n"
    "keys, that the full-text index agrees with the articles, that the\n"
    "counts it keeps (per tag, author, code language and feed, and its\n"
    "articles and versions) agree with a recount, that every compressed\n"
    "HTML and Markdown unpacks (and every compression dictionary is the one\n"
    "kept), that every code block kept as its place in\n"
    "the text lies within it, that every article's link key is that of\n"
    "its URL, and the assets' structure (no URL stored\n"
    "without its asset, no asset that no URL resolves to, no reference to a\n"
    "URL the archive lost). Prints 'ARCHIVE: ok', or one line per problem\n"
    "found on standard output and exits with status 3; on a terminal, a\n"
    "progress line on stderr says which check runs meanwhile. Without\n"
    "--repair it only reads the archive, so it\n"
    "runs beside a fetch; exits with status 4 when another process keeps\n"
    "the archive locked (busy, not damaged). On a PostgreSQL archive it\n"
    "checks what the server does not: foreign keys, the search column,\n"
    "articles in no feed, invalid indexes and the assets.\n"
    "\n"
    "Options:\n"
    "  --deep            also read every asset's bytes again and check them\n"
    "                    against their SHA-256 and size (a progress line on\n"
    "                    a terminal)\n"
    "  --repair          then repair the assets: URLs stored without their\n"
    "                    asset become pending (fetched again), assets no URL\n"
    "                    resolves to are deleted, references to lost URLs\n"
    "                    dropped; with --deep, damaged assets are deleted and\n"
    "                    their URLs become pending; counts found off are\n"
    "                    recounted, link keys found off written again\n"
    "                    from their URLs. Says what it repaired, checks again,\n"
    "                    and exits with status 3 only when\n"
    "                    problems remain ('feedkeep vacuum' rebuilds a\n"
    "                    full-text index found wrong)\n"
    "  --db PATH         the archive\n"
    "  -q, --quiet       print nothing when all is well\n"
    "  -h, --help        show this help\n";

/* What the check found: problems, and whether the kept counts are off. */
struct found {
    int problems;
    bool counts;
    bool link_keys;
};

static void print_problem(const char *check, const char *problem, void *ctx)
{
    struct found *found = ctx;
    struct fk_buf line = FK_BUF_INIT;
    fk_buf_printf(&line, "%s: ", check);
    out_add_safe(&line, problem, false);
    fk_buf_addc(&line, '\n');
    msg_progress_clear();
    out_flush(&line);
    fk_buf_release(&line);
    if (found) {
        found->problems++;
        found->counts = found->counts || strcmp(check, "counts") == 0;
        found->link_keys = found->link_keys || strcmp(check, "link keys") == 0;
    }
}

/* The deep pass reports the bytes only: fk_store_check said the rest. */
static void print_bytes_problem(const char *check, const char *problem, void *ctx)
{
    if (strcmp(check, "assets") != 0)
        print_problem(check, problem, ctx);
}

static void count_problem(const char *check, const char *problem, void *ctx)
{
    (void)check;
    (void)problem;
    (*(int *)ctx)++;
}

/* The hashing of the assets' bytes, with its progress line. */
static int64_t hashed, hash_total;

static int hash_bytes(const void *data, size_t len, unsigned char out[32])
{
    fk_sha256(data, len, out);
    hashed++;
    /* A thousand updates at most, however many assets. */
    int64_t step = hash_total > 1000 ? hash_total / 1000 : 1;
    if (hashed % step == 0 || hashed == hash_total)
        msg_progress("checking the bytes of the assets: %lld of %lld", (long long)hashed,
                     (long long)hash_total);
    return 0;
}

static int hash_start(struct fk_store *store, struct fk_error *err)
{
    struct fk_store_stats stats = {0};
    if (fk_store_stats(store, &stats, err) < 0)
        return -1;
    hashed = 0;
    hash_total = stats.assets.assets;
    fk_store_stats_release(&stats);
    return 0;
}

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

/* Repair what the check found in the assets, and recount the kept counts
 * and write the link keys again when they were off; say what was done. */
static int repair(struct fk_store *store, bool deep, const struct found *found,
                  const struct cli *cli, struct fk_error *err)
{
    int64_t removed = 0, urls = 0, rows = 0, keys = 0;
    bool counts = found->counts;
    if (counts && fk_store_repair_counts(store, err) < 0)
        return -1;
    if (found->link_keys && fk_store_repair_link_keys(store, &keys, err) < 0)
        return -1;
    if (deep && (hash_start(store, err) < 0 ||
                 fk_store_repair_asset_bytes(store, hash_bytes, &removed, &urls, err) < 0))
        return -1;
    msg_progress_clear();
    if (fk_store_repair_assets(store, &rows, err) < 0)
        return -1;
    if (cli->quiet)
        return 0;
    const char *path = fk_store_path(store);
    /* PostgreSQL counts the articles of each feed as it lists them. */
    if (counts)
        printf("%s: repaired: the counts of tags, authors, code languages, %sarticles and "
               "versions recounted\n",
               path, fk_store_is_postgresql(store) ? "" : "feeds, ");
    if (keys)
        printf("%s: repaired: %lld link key%s written again from %s URL%s\n", path, (long long)keys,
               plural(keys), keys == 1 ? "its" : "their", plural(keys));
    if (removed)
        printf("%s: repaired: %lld damaged asset%s deleted, %lld URL%s to fetch again\n", path,
               (long long)removed, plural(removed), (long long)urls, plural(urls));
    if (rows)
        printf("%s: repaired: %lld row%s of the assets' structure (URLs stored without their "
               "asset made pending, assets no URL resolves to deleted, references to lost URLs "
               "dropped)\n",
               path, (long long)rows, plural(rows));
    if (!removed && !rows)
        printf("%s: nothing in the assets to repair\n", path);
    return 0;
}

struct check_options {
    bool deep;
    bool repair;
};

static int check_archive(struct fk_store *store, const struct check_options *o,
                         const struct cli *cli)
{
    struct fk_error err = {0};
    struct found found = {0, false, false}, bytes = {0, false, false};
    if (!cli->quiet)
        fk_store_set_progress(store, msg_stage, "check");
    int problems = fk_store_check(store, print_problem, &found, &err);
    msg_progress_clear();
    if (problems < 0)
        return msg_fk_error(&err);
    if (o->deep) {
        if (hash_start(store, &err) < 0 ||
            fk_store_check_assets(store, hash_bytes, print_bytes_problem, &bytes, &err) < 0) {
            msg_progress_clear();
            return msg_fk_error(&err);
        }
        msg_progress_clear();
        problems += bytes.problems;
    }
    const char *path = fk_store_path(store);
    if (problems > 0 && o->repair) {
        if (repair(store, o->deep, &found, cli, &err) < 0)
            return msg_fk_error(&err);
        int remaining = 0;
        if (fk_store_check(store, count_problem, &remaining, &err) < 0)
            return msg_fk_error(&err);
        if (remaining > 0) {
            msg_error("'%s': %d problem%s found, %d after the repair", path, problems,
                      plural(problems), remaining);
            return EXIT_IO;
        }
        if (!cli->quiet)
            printf("%s: ok after the repair\n", path);
        return EXIT_OK;
    }
    if (problems > 0) {
        msg_error("'%s': %d problem%s found", path, problems, plural(problems));
        return EXIT_IO;
    }
    if (!cli->quiet)
        printf("%s: ok\n", path);
    return EXIT_OK;
}

int cmd_check(int argc, char **argv, struct cli *cli)
{
    enum { OPT_DEEP = 0x200, OPT_REPAIR };
    static const struct option options[] = {
        {"deep", no_argument, NULL, OPT_DEEP},
        {"repair", no_argument, NULL, OPT_REPAIR},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct check_options o = {false, false};
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        if (opt == OPT_DEEP) {
            o.deep = true;
        } else if (opt == OPT_REPAIR) {
            o.repair = true;
        } else {
            int rc = cli_common_option(opt, optarg, cli, "check", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    int code = cli_no_arguments("check", argc, argv);
    if (code != EXIT_OK)
        return code;
    struct fk_store *store;
    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        return code;
    code = check_archive(store, &o, cli);
    fk_store_close(store);
    return code;
}
