/* filter.c - the article filter options that the query commands share
 * (--tag, --any-tag, --since, --until, --feed, --author, --has-code,
 * --limit, --offset, --sort, --reverse), parsed in one place so that they
 * mean the same everywhere; and articles named on the command line. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/store.h"

/* The values of --sort. */
static const struct cli_name sort_names[] = {
    {"published", FK_SORT_PUBLISHED},
    {"updated", FK_SORT_UPDATED},
    {"first_seen", FK_SORT_FIRST_SEEN},
};

void cli_filter_init(struct cli_filter *f, int argc, char **argv)
{
    memset(f, 0, sizeof *f);
    fk_filter_init(&f->filter);
    /* Each argument is at most one tag. */
    size_t slots = argc > 0 ? (size_t)argc : 1;
    f->tags = fk_xcalloc(slots, sizeof *f->tags);
    f->any_tags = fk_xcalloc(slots, sizeof *f->any_tags);
    f->filter.tags = f->tags;
    f->filter.any_tags = f->any_tags;
    f->argc = argc;
    f->argv = argv;
}

/* A count option's value into *out. */
static int parse_count(const char *command, const char *option, const char *arg, long *out)
{
    *out = cli_parse_count(arg);
    if (*out < 0)
        return msg_usage(command, "option '--%s': '%s' is not a count", option, arg);
    return EXIT_OK;
}

int cli_filter_option(int opt, const char *arg, struct cli_filter *f, const char *command)
{
    struct fk_filter *filter = &f->filter;
    int code = EXIT_OK;
    switch (opt) {
    case 't':
        f->tags[filter->ntags++] = arg;
        break;
    case CLI_OPT_ANY_TAG:
        f->any_tags[filter->nany_tags++] = arg;
        break;
    case 's':
        code = cli_parse_filter_date(command, "since", arg, false, &filter->since);
        break;
    case 'u':
        code = cli_parse_filter_date(command, "until", arg, true, &filter->until);
        break;
    case CLI_OPT_ARCHIVED_SINCE:
        code =
            cli_parse_filter_date(command, "archived-since", arg, false, &filter->archived_since);
        break;
    case CLI_OPT_CHANGED_SINCE:
        code = cli_parse_filter_date(command, "changed-since", arg, false, &filter->changed_since);
        break;
    case CLI_OPT_SINCE_FETCH:
        f->since_fetch = true;
        break;
    case CLI_OPT_FEED:
        f->feed = arg;
        break;
    case CLI_OPT_FEED_TAG:
        filter->feed_tag = arg;
        break;
    case CLI_OPT_AUTHOR:
        filter->author = arg;
        break;
    case CLI_OPT_HAS_CODE:
        filter->has_code = true;
        /* "--has-code python": getopt leaves an optional value alone
         * unless it is attached with '='. */
        if (!arg && f->argv && optind < f->argc && f->argv[optind][0] != '-')
            arg = f->argv[optind++];
        filter->has_code_language = arg;
        break;
    case 'l':
        code = parse_count(command, "limit", arg, &filter->limit);
        break;
    case CLI_OPT_OFFSET:
        code = parse_count(command, "offset", arg, &filter->offset);
        break;
    case CLI_OPT_SORT: {
        int sort = CLI_NAME_VALUE(sort_names, arg);
        if (sort < 0)
            code = msg_usage(command,
                             "option '--sort': '%s' is not published, updated or first_seen", arg);
        else
            filter->sort = (enum fk_sort)sort;
        break;
    }
    case CLI_OPT_REVERSE:
        filter->reverse = true;
        break;
    default:
        return CLI_NOT_COMMON;
    }
    f->given = true;
    return code == EXIT_OK ? CLI_CONTINUE : code;
}

int cli_listing_options(int argc, char **argv, const struct option *options, struct cli *cli,
                        const struct cli_listing *l)
{
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = l->filter ? cli_filter_option(opt, optarg, l->filter, l->command) : CLI_NOT_COMMON;
        if (rc == CLI_NOT_COMMON && l->own)
            rc = l->own(opt, optarg, l->ctx);
        if (rc == CLI_NOT_COMMON)
            rc = out_listing_option(opt, optarg, l->out, cli, l->command, l->help);
        if (rc != CLI_CONTINUE)
            return rc;
    }
    return CLI_CONTINUE;
}

/* --since-fetch: the start of the last logged fetch run, the later of it
 * and --archived-since when both are given. */
static int resolve_since_fetch(struct cli_filter *f, struct fk_store *store)
{
    struct fk_error err = {0};
    int64_t started = 0;
    int found = fk_store_last_run(store, &started, &err);
    if (found < 0)
        return msg_fk_error(&err);
    if (found > 0) {
        msg_error("option '--since-fetch': no completed fetch is logged in the archive");
        return EXIT_FAILED;
    }
    if (f->filter.archived_since == FK_TIME_NONE || f->filter.archived_since < started)
        f->filter.archived_since = started;
    return EXIT_OK;
}

/* Names of one language as articles write them, the usual one first. A
 * --lang or --has-code value the archive does not have is looked up here,
 * and the most used of its group's names the archive has is taken. */
static const char *const language_groups[][6] = {
    {"python", "py", "python3", "py3"},
    {"javascript", "js", "jsx", "node", "nodejs", "mjs"},
    {"typescript", "ts", "tsx"},
    {"shell", "sh", "bash", "zsh", "console", "shell-session"},
    {"yaml", "yml"},
    {"cpp", "c++", "cxx", "cc", "hpp"},
    {"csharp", "cs", "c#"},
    {"ruby", "rb"},
    {"rust", "rs"},
    {"go", "golang"},
    {"kotlin", "kt", "kts"},
    {"markdown", "md"},
    {"powershell", "ps1", "pwsh", "ps"},
    {"dockerfile", "docker"},
    {"html", "htm", "xhtml"},
    {"objectivec", "objc", "objective-c"},
    {"plaintext", "text", "txt", "plain"},
    {"terraform", "tf", "hcl"},
    {"perl", "pl"},
    {"haskell", "hs"},
    {"elixir", "ex", "exs"},
    {"erlang", "erl"},
    {"fsharp", "fs", "f#"},
    {"json", "jsonc", "json5"},
    {"sql", "postgresql", "postgres", "mysql", "sqlite", "psql"},
};

struct language_names {
    struct fk_buf names;
    int count;
};

static int add_language_name(const struct fk_language_count *language, void *ctx)
{
    struct language_names *list = ctx;
    if (list->count++ == 30) {
        fk_buf_adds(&list->names, ", ...");
        return 1;
    }
    fk_buf_printf(&list->names, "%s%s", list->count > 1 ? ", " : "", language->language);
    return 0;
}

/* Resolve one language option value (*language) in place. */
static int resolve_language(struct fk_store *store, const char *option, const char **language)
{
    struct fk_error err = {0};
    int64_t blocks = 0;
    if (!*language || !**language)
        return EXIT_OK;
    if (fk_store_language_blocks(store, *language, true, &blocks, &err) < 0)
        return msg_fk_error(&err);
    if (blocks > 0)
        return EXIT_OK;
    const char *best = NULL;
    int64_t best_blocks = 0;
    for (size_t g = 0; g < sizeof language_groups / sizeof language_groups[0]; g++) {
        const char *const *group = language_groups[g];
        bool member = false;
        for (size_t i = 0; i < 6 && group[i]; i++)
            member = member || strcasecmp(group[i], *language) == 0;
        for (size_t i = 0; member && i < 6 && group[i]; i++) {
            if (fk_store_language_blocks(store, group[i], false, &blocks, &err) < 0)
                return msg_fk_error(&err);
            if (blocks > best_blocks) {
                best = group[i];
                best_blocks = blocks;
            }
        }
    }
    if (best) {
        *language = best;
        return EXIT_OK;
    }
    struct language_names list = {FK_BUF_INIT, 0};
    if (fk_store_list_languages(store, add_language_name, &list, &err) < 0) {
        fk_buf_release(&list.names);
        return msg_fk_error(&err);
    }
    if (list.count)
        msg_error("option '--%s': no code block in '%s'; the archive's languages are %s", option,
                  *language, list.names.data);
    else
        msg_error("option '--%s': no code block in '%s'; the archive has no code block with a "
                  "language",
                  option, *language);
    fk_buf_release(&list.names);
    return EXIT_FAILED;
}

int cli_filter_resolve(struct cli_filter *f, struct fk_store *store, const char *command)
{
    int code = resolve_language(store, "lang", &f->filter.language);
    if (code == EXIT_OK)
        code = resolve_language(store, "has-code", &f->filter.has_code_language);
    if (code != EXIT_OK)
        return code;
    if (f->since_fetch && (code = resolve_since_fetch(f, store)) != EXIT_OK)
        return code;
    if (!f->feed)
        return EXIT_OK;
    struct fk_subscription feed;
    int found = cli_find_feed(store, command, f->feed, &feed);
    if (found == 1) {
        msg_error("no feed '%s' in the archive", f->feed);
        return EXIT_FAILED;
    }
    if (found != 0)
        return found;
    f->filter.feed_id = feed.id;
    fk_subscription_release(&feed);
    return EXIT_OK;
}

int cli_filter_open(struct cli_filter *f, const struct cli *cli, const char *command,
                    struct fk_store **store)
{
    int code = cli_open_archive(cli, store);
    return code != EXIT_OK ? code : cli_filter_resolve(f, *store, command);
}

void cli_filter_release(struct cli_filter *f)
{
    free(f->tags);
    free(f->any_tags);
    f->tags = NULL;
    f->any_tags = NULL;
}

/* ---- articles named on the command line ---- */

int cli_article_status(int rc, const struct fk_error *err, int64_t id)
{
    if (rc < 0)
        return msg_fk_error(err);
    if (rc > 0) {
        msg_error("no article with ID %lld", (long long)id);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}

int cli_find_article(struct fk_store *store, const char *command, const char *arg, int64_t *id)
{
    if (*arg && strspn(arg, "0123456789") == strlen(arg)) {
        long n = cli_parse_count(arg);
        if (n <= 0)
            return msg_usage(command, "'%s' is not an article ID", arg);
        *id = n;
        return EXIT_OK;
    }
    /* URLs and the guids that are not (tag:, urn:) all have a colon. */
    if (!strchr(arg, ':')) {
        return msg_usage(command, "'%s' is not an article ID or URL", arg);
    }
    struct fk_error err = {0};
    int found = fk_store_find_article(store, arg, id, &err);
    if (found < 0)
        return msg_fk_error(&err);
    if (found > 0) {
        msg_error("no article with ID or URL '%s'", arg);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}
