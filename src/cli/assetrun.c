/* assetrun.c - the asset options of fetch and import and their asset run,
 * as the user sees it: quiet when all is well (a cron job gets mail only
 * when something needs a person), a line per asset with -v. */
#include "assetrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "feedkeep/store.h"

void asset_settings_init(struct asset_settings *set)
{
    memset(set, 0, sizeof *set);
    fk_assets_options_init(&set->opts);
    set->mode = ASSETS_DEFAULT;
}

/* ---- option values ------------------------------------------------------------------- */

/* Size suffixes, compared without case. */
static const struct {
    const char *suffix;
    unsigned shift;
} size_suffixes[] = {
    {"", 0},    {"b", 0},    {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20},
    {"mb", 20}, {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30},
};

size_t cli_parse_size(const char *s)
{
    char *end;
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || n == 0)
        return 0;
    for (size_t i = 0; i < sizeof size_suffixes / sizeof size_suffixes[0]; i++) {
        if (strcasecmp(end, size_suffixes[i].suffix) != 0)
            continue;
        unsigned shift = size_suffixes[i].shift;
        if (n > ((SIZE_MAX >> 1) >> shift))
            return 0;
        return (size_t)n << shift;
    }
    return 0;
}

const char *cli_ordinal_suffix(int n)
{
    static const char *const suffixes[] = {"th", "st", "nd", "rd"};
    int last = n % 10;
    if ((n % 100 >= 11 && n % 100 <= 13) || last > 3)
        return "th";
    return suffixes[last];
}

/* The options whose value is a size, each an int64_t of struct
 * asset_settings. */
static const struct {
    int opt;
    const char *name;
    size_t offset;
} size_options[] = {
    {ASSET_OPT_MAX_SIZE, "asset-max-size", offsetof(struct asset_settings, opts.caps.max_bytes)},
    {ASSET_OPT_ARTICLE_BYTES, "article-asset-bytes",
     offsetof(struct asset_settings, opts.caps.article_bytes)},
    {ASSET_OPT_RUN_BYTES, "run-asset-bytes", offsetof(struct asset_settings, opts.run_bytes)},
    {ASSET_OPT_BUDGET, "asset-budget", offsetof(struct asset_settings, opts.caps.archive_bytes)},
};

int asset_option(int opt, const char *arg, const char *command, struct asset_settings *set)
{
    for (size_t i = 0; i < sizeof size_options / sizeof size_options[0]; i++) {
        if (size_options[i].opt != opt)
            continue;
        size_t size = cli_parse_size(arg);
        if (size == 0)
            return msg_usage(command, "option '--%s': '%s' is not a size (10M, 512K)",
                             size_options[i].name, arg);
        *(int64_t *)((char *)set + size_options[i].offset) = (int64_t)size;
        return CLI_CONTINUE;
    }
    long n;
    switch (opt) {
    case ASSET_OPT_ASSETS:
        set->mode = ASSETS_ALL;
        return CLI_CONTINUE;
    case ASSET_OPT_NO_ASSETS:
        set->mode = ASSETS_NONE;
        return CLI_CONTINUE;
    case ASSET_OPT_ARTICLE_COUNT:
        if ((n = cli_parse_count(arg)) < 1 || n > 1000000)
            return msg_usage(command,
                             "option '--article-assets': '%s' is not a count of 1 to 1000000", arg);
        set->opts.caps.article_count = n;
        return CLI_CONTINUE;
    case ASSET_OPT_MEDIA:
        set->opts.caps.media = true;
        return CLI_CONTINUE;
    case ASSET_OPT_ALLOW_PRIVATE:
        set->opts.caps.allow_private = true;
        return CLI_CONTINUE;
    default:
        return CLI_NOT_COMMON;
    }
}

int asset_take_options(int *argc, char **argv, const char *command, struct asset_settings *set)
{
    static const struct option options[] = {ASSET_OPTIONS};
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *arg = argv[i];
        const struct option *found = NULL;
        const char *value = NULL;
        if (strcmp(arg, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        for (size_t k = 0; arg[0] == '-' && arg[1] == '-' && k < sizeof options / sizeof options[0];
             k++) {
            size_t len = strlen(options[k].name);
            if (strncmp(arg + 2, options[k].name, len) != 0)
                continue;
            if (arg[2 + len] == '\0' || (arg[2 + len] == '=' && options[k].has_arg)) {
                found = &options[k];
                value = arg[2 + len] == '=' ? arg + 3 + len : NULL;
                break;
            }
        }
        if (!found) {
            argv[out++] = argv[i];
            continue;
        }
        if (found->has_arg && !value) {
            if (i + 1 >= *argc)
                return msg_usage(command, "option '--%s' requires an argument", found->name);
            value = argv[++i];
        }
        int rc = asset_option(found->val, value, command, set);
        if (rc != CLI_CONTINUE)
            return rc;
    }
    argv[out] = NULL;
    *argc = out;
    return CLI_CONTINUE;
}

/* ---- the run ----------------------------------------------------------------------- */

/* "1.2 MiB", "340 KiB", "12 bytes". */
static void size_text(int64_t bytes, char *out, size_t size)
{
    if (bytes >= (int64_t)1 << 20)
        snprintf(out, size, "%.1f MiB", (double)bytes / (1 << 20));
    else if (bytes >= 1024)
        snprintf(out, size, "%.0f KiB", (double)bytes / 1024);
    else
        snprintf(out, size, "%lld bytes", (long long)bytes);
}

static void on_event(const struct fk_assets_event *ev, void *ctx)
{
    const struct cli *cli = ctx;
    char size[32], delay[32];
    if (!cli->verbose || ev->kind == FK_ASSETS_STARTED)
        return;
    char *url = out_safe_dup(ev->url);
    char *message = ev->message ? out_safe_dup(ev->message) : NULL;
    msg_progress_clear();
    switch (ev->kind) {
    case FK_ASSETS_STORED:
    case FK_ASSETS_DEDUPLICATED:
        size_text((int64_t)ev->size, size, sizeof size);
        printf("asset %s: %s (%s, %s, %.12s)\n", url,
               ev->kind == FK_ASSETS_STORED ? "stored" : "already archived", ev->mime, size,
               ev->sha256);
        break;
    case FK_ASSETS_NOT_MODIFIED:
        printf("asset %s: not modified\n", url);
        break;
    case FK_ASSETS_SKIPPED:
        printf("asset %s: skipped, %s (%s)\n", url, fk_asset_skip_name(ev->reason), message);
        break;
    case FK_ASSETS_FAILED:
        out_delay(ev->next_try - ev->time, delay, sizeof delay);
        fflush(stdout);
        msg_error("asset '%s': %s (%d%s failure, next try in %s)", url, message, ev->failures,
                  cli_ordinal_suffix(ev->failures), delay);
        break;
    case FK_ASSETS_STARTED:
        break;
    }
    free(message);
    free(url);
}

/* assets: 12 stored (3 already archived), 1.2 MiB added; 2 skipped; 1 failed */
static void print_totals(const struct fk_assets_totals *t)
{
    char size[32];
    size_text(t->stored_bytes, size, sizeof size);
    printf("assets: %ld stored", t->stored + t->deduplicated);
    if (t->deduplicated)
        printf(" (%ld already archived)", t->deduplicated);
    printf(", %s added", size);
    if (t->not_modified)
        printf("; %ld not modified", t->not_modified);
    printf("; %ld skipped; %ld failed\n", t->skipped, t->failed);
}

int asset_run(struct fk_store *store, const struct cli *cli, const struct asset_settings *set,
              const struct fk_fetch_options *fetch, const int64_t *feeds, size_t nfeeds)
{
    struct fk_assets_options opts = set->opts;
    struct fk_assets_totals totals;
    struct fk_error err = {0};
    if (set->mode == ASSETS_NONE || nfeeds == 0)
        return EXIT_OK;
    if (fetch)
        opts.fetch = *fetch;
    opts.enabled_only = set->mode == ASSETS_DEFAULT;
    opts.feeds = feeds;
    opts.nfeeds = nfeeds;
    struct cli shown = *cli; /* what on_event prints */
    if (!cli->quiet)
        msg_progress("fetching assets");
    int rc = fk_assets_run(store, &opts, (int64_t)time(NULL), on_event, &shown, &totals, &err);
    msg_progress_clear();
    if (totals.due > 0 && !cli->quiet)
        print_totals(&totals);
    return rc < 0 ? msg_fk_error(&err) : EXIT_OK;
}
