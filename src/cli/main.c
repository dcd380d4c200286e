/* main.c - global options, the archive location, and dispatch to the
 * subcommands (one file each, cmd_<name>.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/store.h"
#include "feedkeep/version.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct cli *cli);
    const char *summary;
};

static const struct command commands[] = {
    {"import", cmd_import, "archive a feed document from a file or stdin"},
    {"parse", cmd_parse, "print a parsed feed as JSON without storing it"},
    {"list", cmd_list, "list archived articles, newest first"},
    {"search", cmd_search, "full-text search, best matches first, with snippets"},
    {"show", cmd_show, "print one article, one of its versions or a diff"},
    {"history", cmd_history, "list the versions of an article"},
    {"dedup", cmd_dedup, "explain why articles are or are not one (changed guids)"},
    {"code", cmd_code, "list the code blocks of archived articles"},
    {"tags", cmd_tags, "list the tags with their article counts"},
    {"stats", cmd_stats, "show the archive's size, counts and last fetch"},
    {"check", cmd_check, "check the archive and its full-text index"},
    {"vacuum", cmd_vacuum, "compact the archive"},
    {"export", cmd_export, "write articles as Markdown files with YAML front matter"},
    {"add", cmd_add, "subscribe to feeds (URLs, devto:USER, devto:tag/TAG)"},
    {"remove", cmd_remove, "end subscriptions; their articles stay"},
    {"feeds", cmd_feeds, "list the subscriptions and their health"},
    {"fetch", cmd_fetch, "fetch the due feeds and archive what is new"},
    {"opml", cmd_opml, "import or export the subscriptions as OPML"},
};

static const char usage_text[] =
    "usage: feedkeep [--db PATH] [--quiet] [--verbose] COMMAND [ARGS]\n"
    "\n"
    "Archive RSS and Atom feeds in one SQLite file and query them.\n"
    "\n"
    "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Global options:\n"
    "  --db PATH      the archive (default: $FEEDKEEP_DB, else\n"
    "                 $XDG_DATA_HOME/feedkeep/feedkeep.db)\n"
    "  -q, --quiet    print nothing unless something failed\n"
    "  -v, --verbose  print warnings about recovered input\n"
    "  -h, --help     show this help; 'feedkeep COMMAND --help' for a command\n"
    "  --version      show the version\n"
    "\n"
    "Exit status: 0 success, 1 a feed could not be read, 2 usage error,\n"
    "3 database or I/O error, 4 the archive is busy (another fetch holds its\n"
    "lock, or another process keeps it locked).\n"
    "See feedkeep(1).\n";

static void usage(FILE *to)
{
    fputs(usage_text, to);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs(usage_tail, to);
}

long cli_parse_count(const char *s)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 0)
        return -1;
    return n;
}

int cli_common_option(int opt, const char *arg, struct cli *cli, const char *command,
                      const char *help)
{
    switch (opt) {
    case 'D':
        cli->db_path = arg;
        return CLI_CONTINUE;
    case 'q':
        cli->quiet = true;
        return CLI_CONTINUE;
    case 'v':
        cli->verbose = true;
        return CLI_CONTINUE;
    case 'h':
        fputs(help, stdout);
        return EXIT_OK;
    case '?':
        fprintf(stderr, "Try 'feedkeep %s --help' for more information.\n", command);
        return EXIT_USAGE;
    default:
        return CLI_NOT_COMMON;
    }
}

/* Units of a time ago ("7d"), in seconds. */
static const struct {
    char unit;
    int64_t seconds;
} time_units[] = {
    {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400},
};

/* A time ago, "N" and a unit from time_units, as a time before now; or
 * FK_TIME_NONE when value is not one. */
static int64_t parse_time_ago(const char *value)
{
    size_t digits = strspn(value, "0123456789");
    if (digits == 0 || digits > 9 || strlen(value) != digits + 1)
        return FK_TIME_NONE;
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++) {
        if (value[digits] == time_units[i].unit)
            return (int64_t)time(NULL) - strtoll(value, NULL, 10) * time_units[i].seconds;
    }
    return FK_TIME_NONE;
}

/* Parse --since/--until: an ISO 8601 date or time, or a time ago. A date
 * alone given to --until means the end of that day, so "--until
 * 2026-06-30" includes June 30. */
int cli_parse_filter_date(const char *command, const char *option, const char *value, bool end,
                          int64_t *out)
{
    int64_t t = parse_time_ago(value);
    if (t == FK_TIME_NONE) {
        t = fk_date_parse_iso(value);
        if (t == FK_TIME_NONE) {
            struct fk_buf safe = FK_BUF_INIT;
            out_add_safe(&safe, value, false);
            msg_usage(command,
                      "option '--%s': '%s' is not an ISO 8601 date or a time ago "
                      "(30m, 12h, 7d, 2w)",
                      option, safe.data ? safe.data : "");
            fk_buf_release(&safe);
            return EXIT_USAGE;
        }
        if (end && strlen(value) == 10)
            t += 86400;
    }
    *out = t;
    return 0;
}

/* mkdir -p for the directory part of path. */
static int make_parent_dirs(const char *path)
{
    char *dir = fk_xstrdup(path);
    int rc = 0;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
            msg_error("cannot create directory '%s': %s", dir, strerror(errno));
            rc = -1;
            break;
        }
        *p = '/';
    }
    free(dir);
    return rc;
}

/* The exit status of a failed cli_open_store when it is not EXIT_IO, which
 * is what the commands return after it: a busy archive (EXIT_LOCKED).
 * main makes it the command's exit status. */
static int open_failure;

struct fk_store *cli_open_store(const struct cli *cli)
{
    struct fk_buf path = FK_BUF_INIT;
    const char *env;
    if (cli->db_path && *cli->db_path) {
        fk_buf_adds(&path, cli->db_path);
    } else if ((env = getenv("FEEDKEEP_DB")) && *env) {
        fk_buf_adds(&path, env);
    } else if ((env = getenv("XDG_DATA_HOME")) && *env == '/') {
        fk_buf_printf(&path, "%s/feedkeep/feedkeep.db", env);
    } else if ((env = getenv("HOME")) && *env) {
        fk_buf_printf(&path, "%s/.local/share/feedkeep/feedkeep.db", env);
    } else {
        msg_error("no archive location: use --db PATH or set FEEDKEEP_DB");
        return NULL;
    }
    struct fk_store *store = NULL;
    if (make_parent_dirs(path.data) == 0) {
        struct fk_error err = {0};
        store = fk_store_open(path.data, &err);
        if (!store) {
            int code = msg_fk_error(&err);
            if (code != EXIT_IO)
                open_failure = code;
        }
    }
    fk_buf_release(&path);
    return store;
}

/* Data goes to stdout; a full disk or closed pipe must not pass for success. */
static int finish_output(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg_error("cannot write to standard output: %s", strerror(errno));
        return code == EXIT_OK ? EXIT_IO : code;
    }
    return code;
}

static void on_file_size_exceeded(int sig)
{
    (void)sig;
    msg_file_size_exceeded();
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    int i = 1;
    /* Past a file size limit (ulimit -f) a write fails with EFBIG, which
     * SQLite reports and the archive survives; the default action of
     * SIGXFSZ would kill the process instead, without a word. */
    struct sigaction on_xfsz = {.sa_handler = on_file_size_exceeded};
    sigemptyset(&on_xfsz.sa_mask);
    sigaction(SIGXFSZ, &on_xfsz, NULL);
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--db") == 0) {
            if (++i == argc)
                return msg_usage(NULL, "option '--db' needs a path");
            cli.db_path = argv[i];
        } else if (strncmp(arg, "--db=", 5) == 0) {
            cli.db_path = arg + 5;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            cli.quiet = true;
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            cli.verbose = true;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return finish_output(EXIT_OK);
        } else if (strcmp(arg, "--version") == 0) {
            printf("feedkeep %s\n", FEEDKEEP_VERSION);
            return finish_output(EXIT_OK);
        } else {
            return msg_usage(NULL, "unknown option '%s'", arg);
        }
    }
    if (i == argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(argv[i], commands[c].name) == 0) {
            /* getopt names argv[0] in its messages: make them read
             * "feedkeep: unrecognized option ...", like all others. */
            static char program[] = "feedkeep";
            argv[i] = program;
            int code = commands[c].run(argc - i, argv + i, &cli);
            if (code == EXIT_IO && open_failure)
                code = open_failure;
            return finish_output(code);
        }
    }
    return msg_usage(NULL, "'%s' is not a feedkeep command", argv[i]);
}
