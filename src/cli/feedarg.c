/* feedarg.c - feeds named on the command line: URLs, dev.to shorthands and
 * feed ids, shared by add, remove and fetch; and feed documents, shared by
 * import and parse. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/devto.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"

/* Shorthands, longest prefix first: the first that matches wins. The rest
 * of the argument is a dev.to user name or tag, which are ASCII letters,
 * digits, '_' and '-' only, so it needs no escaping in the URL. */
static const struct shorthand {
    const char *prefix;
    const char *url;  /* the prefix is replaced by this */
    const char *what; /* what the rest is, for messages */
} shorthands[] = {
    {"devto:tag/", "https://dev.to/feed/tag/", "a tag"},
    {"devto:", "https://dev.to/feed/", "a user name"},
};

/* The URL schemes feedkeep fetches, with the "//" they take. */
static const char *const schemes[] = {"http://", "https://", "file://"};

bool cli_is_feed_url(const char *url)
{
    struct fk_devto_source api;
    if (fk_devto_parse(url, &api))
        return true;
    size_t scheme_len = 0;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
            scheme_len = strlen(schemes[i]);
    }
    if (!scheme_len || !url[scheme_len])
        return false;
    for (const char *p = url; *p; p++) {
        if (*p <= ' ' || *p > '~')
            return false;
    }
    return true;
}

static bool is_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

char *cli_feed_url(const char *command, const char *arg)
{
    struct fk_devto_source api;
    if (strncasecmp(arg, FK_DEVTO_SCHEME, strlen(FK_DEVTO_SCHEME)) == 0) {
        if (!fk_devto_parse(arg, &api)) {
            msg_usage(command,
                      "'%s': '" FK_DEVTO_SCHEME "' must be followed by a user name, tag/TAG or "
                      "org/ORG (letters, digits, '_', '-')",
                      arg);
            return NULL;
        }
        return fk_devto_subscription(&api);
    }
    for (size_t i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++) {
        const struct shorthand *sh = &shorthands[i];
        size_t len = strlen(sh->prefix);
        if (strncmp(arg, sh->prefix, len) != 0)
            continue;
        if (!is_name(arg + len)) {
            msg_usage(command, "'%s': '%s' must be followed by %s (letters, digits, '_', '-')", arg,
                      sh->prefix, sh->what);
            return NULL;
        }
        struct fk_buf url = FK_BUF_INIT;
        fk_buf_printf(&url, "%s%s", sh->url, arg + len);
        return fk_buf_detach(&url);
    }
    if (!cli_is_feed_url(arg)) {
        msg_usage(command,
                  "'%s' is not a feed URL (http://, https:// or file://, no spaces), "
                  "a shorthand (devto:USER, devto:tag/TAG) or a dev.to API source "
                  "(devto-api:USER, devto-api:tag/TAG, devto-api:org/ORG)",
                  arg);
        return NULL;
    }
    return fk_xstrdup(arg);
}

/* Whether arg starts with a scheme feedkeep fetches or a shorthand. */
static bool looks_like_url(const char *arg)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        if (strncasecmp(arg, schemes[i], strlen(schemes[i])) == 0)
            return true;
    }
    for (size_t i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++) {
        if (strncmp(arg, shorthands[i].prefix, strlen(shorthands[i].prefix)) == 0)
            return true;
    }
    return strncasecmp(arg, FK_DEVTO_SCHEME, strlen(FK_DEVTO_SCHEME)) == 0;
}

char *cli_devto_api_of(const char *url)
{
    static const char *const feeds[] = {"https://dev.to/feed/", "http://dev.to/feed/"};
    struct fk_devto_source api;
    if (fk_devto_parse(url, &api))
        return fk_devto_subscription(&api);
    for (size_t i = 0; i < sizeof feeds / sizeof feeds[0]; i++) {
        size_t len = strlen(feeds[i]);
        if (strncasecmp(url, feeds[i], len) != 0)
            continue;
        struct fk_buf name = FK_BUF_INIT;
        fk_buf_printf(&name, "%s%s", FK_DEVTO_SCHEME, url + len);
        bool ok = fk_devto_parse(name.data, &api);
        fk_buf_release(&name);
        return ok ? fk_devto_subscription(&api) : NULL;
    }
    return NULL;
}

/* The schemes the feeds table leaves out, in the order tried. */
static const char *const shown_schemes[] = {"https://", "http://"};

int cli_find_feed(struct fk_store *store, const char *command, const char *arg,
                  struct fk_subscription *out)
{
    struct fk_error err = {0};
    int found = 1;
    bool digits = *arg && strspn(arg, "0123456789") == strlen(arg);

    if (digits) {
        long id = cli_parse_count(arg);
        if (id > 0)
            found = fk_store_find_feed(store, NULL, id, out, &err);
    } else if (looks_like_url(arg)) {
        char *url = cli_feed_url(command, arg);
        if (!url)
            return EXIT_USAGE;
        found = fk_store_find_feed(store, url, 0, out, &err);
        free(url);
    } else {
        /* The URL as the feeds table shows it, without its scheme; else
         * the feed's name or title. */
        for (size_t i = 0; found == 1 && i < sizeof shown_schemes / sizeof shown_schemes[0]; i++) {
            struct fk_buf url = FK_BUF_INIT;
            fk_buf_printf(&url, "%s%s", shown_schemes[i], arg);
            if (cli_is_feed_url(url.data))
                found = fk_store_find_feed(store, url.data, 0, out, &err);
            fk_buf_release(&url);
        }
        if (found == 1)
            found = fk_store_find_feed_named(store, arg, out, &err);
    }
    if (found < 0) {
        msg_fk_error(&err);
        return EXIT_IO;
    }
    return found;
}

/* ---- feed documents named on the command line ---- */

/* Handle --base-url or --charset into options: CLI_CONTINUE,
 * or CLI_NOT_COMMON when opt is none of them. */
static int feed_file_option(int opt, const char *arg, struct fk_parse_options *options)
{
    if (opt == 'b')
        options->base_url = arg;
    else if (opt == 'c')
        options->charset = arg;
    else
        return CLI_NOT_COMMON;
    return CLI_CONTINUE;
}

/* Open the one FILE (or - for stdin) left on the command line after the
 * options: CLI_CONTINUE with *path and *fd set, or EXIT_USAGE or
 * EXIT_FAILED after printing why. */
static int open_feed_file(const char *command, int argc, char **argv, const char **path, int *fd)
{
    if (optind + 1 != argc)
        return msg_usage(command,
                         optind == argc ? "%s needs a FILE (or - for stdin)" : "%s takes one FILE",
                         command);
    *path = argv[optind];
    *fd = strcmp(*path, "-") == 0 ? STDIN_FILENO : open(*path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        msg_error("cannot open '%s': %s", *path, strerror(errno));
        return EXIT_FAILED;
    }
    return CLI_CONTINUE;
}

/* The options of import and parse; import's start at the second entry:
 * only parse has --format. */
static const struct option feed_file_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"base-url", required_argument, NULL, 'b'},
    {"charset", required_argument, NULL, 'c'},
    CLI_COMMON_OPTIONS,
    {NULL, 0, NULL, 0},
};

int cli_feed_file_args(int argc, char **argv, bool json_format, struct cli *cli,
                       const char *command, const char *help,
                       struct fk_parse_options *parse_options, const char **path, int *fd)
{
    int opt;
    while ((opt = cli_getopt(argc, argv, json_format ? feed_file_options : feed_file_options + 1,
                             NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == 'f') {
            if (strcmp(optarg, "json") != 0)
                return msg_usage(command, "%s prints json only, not '%s'", command, optarg);
        } else if ((rc = feed_file_option(opt, optarg, parse_options)) == CLI_NOT_COMMON) {
            rc = cli_common_option(opt, optarg, cli, command, help);
        }
        if (rc != CLI_CONTINUE)
            return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
    }
    return open_feed_file(command, argc, argv, path, fd);
}

void cli_warn_item(const char *path, const struct fk_item *item, const char *message)
{
    msg_warn("'%s': item '%s': %s", path, item->guid ? item->guid : "(no id)", message);
}

void cli_warn_recovered(const char *path, const struct fk_feed_info *info)
{
    if (info->charset_note)
        msg_warn("'%s': %s", path, info->charset_note);
    if (!info->well_formed)
        msg_warn("'%s': not well-formed %s (%s); kept what could be read", path,
                 info->format && strcmp(info->format, "json") == 0 ? "JSON" : "XML",
                 info->error ? info->error : "unknown error");
}

/* An environment variable set to something, else NULL. */
static const char *env_value(const char *name)
{
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

const char *cli_devto_api(void)
{
    return env_value("FEEDKEEP_DEVTO_API");
}

const char *cli_devto_api_key(void)
{
    return env_value("FEEDKEEP_DEVTO_API_KEY");
}
