/* assetrun.h - the asset options of fetch and import, and the asset run
 * they end with (assets.h), as the user sees it. */
#ifndef FEEDKEEP_CLI_ASSETRUN_H
#define FEEDKEEP_CLI_ASSETRUN_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "feedkeep/assets.h"

/* Option codes, above those of cli.h. */
enum {
    ASSET_OPT_ASSETS = 0x200,
    ASSET_OPT_NO_ASSETS,
    ASSET_OPT_MAX_SIZE,
    ASSET_OPT_ARTICLE_COUNT,
    ASSET_OPT_ARTICLE_BYTES,
    ASSET_OPT_RUN_BYTES,
    ASSET_OPT_BUDGET,
    ASSET_OPT_MEDIA,
    ASSET_OPT_ALLOW_PRIVATE,
};

/* For getopt_long tables. */
#define ASSET_OPTIONS                                                                              \
    {"assets", no_argument, NULL, ASSET_OPT_ASSETS},                                               \
        {"no-assets", no_argument, NULL, ASSET_OPT_NO_ASSETS},                                     \
        {"asset-max-size", required_argument, NULL, ASSET_OPT_MAX_SIZE},                           \
        {"article-assets", required_argument, NULL, ASSET_OPT_ARTICLE_COUNT},                      \
        {"article-asset-bytes", required_argument, NULL, ASSET_OPT_ARTICLE_BYTES},                 \
        {"run-asset-bytes", required_argument, NULL, ASSET_OPT_RUN_BYTES},                         \
        {"asset-budget", required_argument, NULL, ASSET_OPT_BUDGET},                               \
        {"media", no_argument, NULL, ASSET_OPT_MEDIA},                                             \
    {                                                                                              \
        "allow-private-assets", no_argument, NULL, ASSET_OPT_ALLOW_PRIVATE                         \
    }

/* Which assets a command fetches. */
enum asset_mode {
    ASSETS_DEFAULT, /* fetch: of the feeds whose setting is on; import: none */
    ASSETS_ALL,     /* --assets: of every feed of the run */
    ASSETS_NONE,    /* --no-assets */
};

struct asset_settings {
    struct fk_assets_options opts;
    enum asset_mode mode;
};

/* Defaults: fk_assets_options_init, ASSETS_DEFAULT. */
void asset_settings_init(struct asset_settings *set);

/* "32M", "512k", "1048576": bytes, at least 1; 0 when it is not a size. */
size_t cli_parse_size(const char *s);

/* "st", "nd", "rd" or "th", after n. */
const char *cli_ordinal_suffix(int n);

/* Handle option opt (one of ASSET_OPTIONS) of command with value arg:
 * CLI_CONTINUE, EXIT_USAGE after printing why, or CLI_NOT_COMMON when opt
 * is none of them. */
int asset_option(int opt, const char *arg, const char *command, struct asset_settings *set);

/* Take the ASSET_OPTIONS ("--name VALUE" or "--name=VALUE") out of argv
 * (argc updated), for a command whose other options are read by a shared
 * parser. Stops at "--". Returns CLI_CONTINUE or EXIT_USAGE. */
int asset_take_options(int *argc, char **argv, const char *command, struct asset_settings *set);

/* Run the assets of the articles of feeds (nfeeds of them) as set says,
 * with the transfers' settings of fetch (NULL: the defaults): with -v a
 * line per asset (failures on stderr), then a summary line on stdout when
 * there was anything to do, nothing with -q. A download that fails does
 * not fail the command (it is tried again later, backing off). Returns
 * EXIT_OK, or the exit code of a database or transport error (printed). */
int asset_run(struct fk_store *store, const struct cli *cli, const struct asset_settings *set,
              const struct fk_fetch_options *fetch, const int64_t *feeds, size_t nfeeds);

#endif
