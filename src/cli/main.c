/* main.c - global options, the archive location, and dispatch to the
 * subcommands (one file each, cmd_<name>.c). */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "feedkeep/ascii.h"
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
    {"extract", cmd_extract, "print the article of a web page (text, Markdown, HTML, JSON)"},
    {"list", cmd_list, "list archived articles, newest first"},
    {"search", cmd_search, "full-text search, best matches first, with snippets"},
    {"show", cmd_show, "print one article, one of its versions or a diff"},
    {"open", cmd_open, "open an article's page, its images inlined, in the browser"},
    {"history", cmd_history, "list the versions of an article"},
    {"dedup", cmd_dedup, "explain why articles are or are not one (changed guids)"},
    {"code", cmd_code, "list the code blocks of archived articles"},
    {"assets", cmd_assets, "store the images of articles (assets put)"},
    {"tags", cmd_tags, "list the tags with their article counts"},
    {"authors", cmd_authors, "list the authors with their article counts"},
    {"stats", cmd_stats, "show the archive's size, counts and last fetch"},
    {"check", cmd_check, "check the archive and its full-text index"},
    {"vacuum", cmd_vacuum, "compact the archive"},
    {"copy", cmd_copy, "copy the archive into another, SQLite or PostgreSQL"},
    {"reparse", cmd_reparse, "convert archived articles again from their stored HTML"},
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
    "Archive RSS, Atom and JSON feeds in one SQLite file and query them.\n"
    "\n"
    "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Global options:\n"
    "  --db PATH      the archive (default: $FEEDKEEP_DB, else\n"
    "                 $XDG_DATA_HOME/feedkeep/feedkeep.db): a SQLite file, or\n"
    "                 a PostgreSQL database (postgresql://..., service=NAME);\n"
    "                 only import, add, fetch and opml import create it; a URL\n"
    "                 of another scheme is refused\n"
    "  -q, --quiet    print nothing unless something failed\n"
    "  -v, --verbose  print warnings about recovered input\n"
    "  --utc          times in tables in UTC (default: local time; TSV, CSV\n"
    "                 and JSON are always UTC)\n"
    "  -h, --help     show this help; 'feedkeep help COMMAND' (or 'feedkeep\n"
    "                 COMMAND --help') for a command\n"
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

/* The short options of a command: the common ones, and -o FILE for the
 * commands with an option --output (whose value is 'o'). */
static const char *short_options(const struct option *options)
{
    for (const struct option *o = options; o->name; o++) {
        if (o->val == 'o' && o->has_arg == required_argument && strcmp(o->name, "output") == 0)
            return CLI_COMMON_SHORT "o:";
    }
    return CLI_COMMON_SHORT;
}

/* Report the bad option getopt_long returned '?' for, as glibc's getopt
 * words it: the element at argv[optind - 1] for a long option, optopt for
 * a short one. */
static void report_bad_option(char **argv, const struct option *options)
{
    const char *element = optind > 0 ? argv[optind - 1] : "";
    if (strncmp(element, "--", 2) == 0) {
        const char *name = element + 2;
        size_t len = strcspn(name, "=");
        bool value = name[len] == '=';
        const struct option *found = NULL;
        size_t nfound = 0;
        for (const struct option *o = options; o->name; o++) {
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
                found = o;
                nfound = 1;
                break;
            }
        }
        for (const struct option *o = options; !found && o->name; o++) {
            if (strncmp(o->name, name, len) == 0)
                nfound++;
        }
        if (!found && nfound) {
            /* Abbreviations: ambiguous when they differ from the first. */
            const struct option *first = NULL;
            struct fk_buf names = FK_BUF_INIT;
            bool ambiguous = false;
            for (const struct option *o = options; o->name; o++) {
                if (strncmp(o->name, name, len) != 0)
                    continue;
                if (!first) {
                    first = o;
                    fk_buf_printf(&names, " '--%s'", o->name);
                } else if (o->has_arg != first->has_arg || o->flag != first->flag ||
                           o->val != first->val) {
                    ambiguous = true;
                    fk_buf_printf(&names, " '--%s'", o->name);
                }
            }
            if (ambiguous)
                msg_error("option '%s' is ambiguous; possibilities:%s", element, names.data);
            fk_buf_release(&names);
            if (ambiguous)
                return;
            found = first;
        }
        if (found && value && found->has_arg == no_argument && optopt == found->val) {
            msg_error("option '--%s' doesn't allow an argument", found->name);
            return;
        }
        if (found && !value && found->has_arg == required_argument && optopt == found->val) {
            msg_error("option '--%s' requires an argument", found->name);
            return;
        }
        if (!found) {
            msg_error("unrecognized option '%s'", element);
            return;
        }
    }
    /* Of the short options, only -o takes an argument. */
    if (optopt == 'o' && strchr(short_options(options), 'o'))
        msg_error("option requires an argument -- 'o'");
    else
        msg_error("invalid option -- '%c'", optopt);
}

int cli_getopt(int argc, char **argv, const struct option *options, int *index)
{
    opterr = 0;
    int opt = getopt_long(argc, argv, short_options(options), options, index);
    if (opt == '?')
        report_bad_option(argv, options);
    return opt;
}

int cli_common_options_only(int argc, char **argv, struct cli *cli, const char *command,
                            const char *help)
{
    static const struct option options[] = {
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = cli_common_option(opt, optarg, cli, command, help);
        if (rc != CLI_CONTINUE)
            return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
    }
    return CLI_CONTINUE;
}

int cli_name_value(const struct cli_name *table, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(table[i].name, name) == 0)
            return table[i].value;
    }
    return -1;
}

int cli_common_option(int opt, const char *arg, struct cli *cli, const char *command,
                      const char *help)
{
    switch (opt) {
    case 'D':
        if (!*arg)
            return msg_usage(command, "option '--db' needs a path, not an empty string");
        cli->db_path = arg;
        return CLI_CONTINUE;
    case 'q':
        cli->quiet = true;
        return CLI_CONTINUE;
    case 'v':
        cli->verbose = true;
        return CLI_CONTINUE;
    case 'U':
        out_utc = true;
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

/* Units of a time ago ("7d"), in seconds; months and years (0 here) are
 * calendar ones. Longest unit names first. */
static const struct {
    const char *unit;
    int64_t seconds;
    int months;
} time_units[] = {
    {"mo", 0, 1},    {"s", 1, 0},         {"m", 60, 0}, {"h", 3600, 0},
    {"d", 86400, 0}, {"w", 7 * 86400, 0}, {"y", 0, 12},
};

/* t moved back by months calendar months (UTC), the day of the month
 * kept where the month has it, else its last day. */
static int64_t months_before(int64_t t, int64_t months)
{
    time_t when = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&when, &tm))
        return FK_TIME_NONE;
    int64_t month = (int64_t)tm.tm_year * 12 + tm.tm_mon - months;
    int64_t year = month / 12 + 1900;
    int mon = (int)(month % 12) + 1;
    static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last =
        days_in[mon - 1] + (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
    int day = tm.tm_mday < last ? tm.tm_mday : last;
    return fk_date_days_from_civil(year, mon, day) * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 +
           tm.tm_sec;
}

/* A time ago, "N" and a unit from time_units, as a time before now; or
 * FK_TIME_NONE when value is not one. */
static int64_t parse_time_ago(const char *value)
{
    size_t digits = strspn(value, "0123456789");
    if (digits == 0 || digits > 6)
        return FK_TIME_NONE;
    int64_t n = strtoll(value, NULL, 10);
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++) {
        if (strcmp(value + digits, time_units[i].unit) != 0)
            continue;
        int64_t now = (int64_t)time(NULL);
        if (time_units[i].months)
            return months_before(now, n * time_units[i].months);
        return now - n * time_units[i].seconds;
    }
    return FK_TIME_NONE;
}

/* "today" and "yesterday": the start of that day in local time;
 * FK_TIME_NONE for other words. */
static int64_t parse_day_word(const char *value)
{
    static const struct {
        const char *word;
        int days_ago;
    } words[] = {{"today", 0}, {"yesterday", 1}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(value, words[i].word) != 0)
            continue;
        time_t now = time(NULL);
        struct tm tm;
        if (!localtime_r(&now, &tm))
            return FK_TIME_NONE;
        tm.tm_mday -= words[i].days_ago;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t start = mktime(&tm);
        return start == (time_t)-1 ? FK_TIME_NONE : (int64_t)start;
    }
    return FK_TIME_NONE;
}

/* "2026-06" (a month) or "2026" (a year), UTC: its start, and in *end the
 * start of the next one. FK_TIME_NONE when value is neither. */
static int64_t parse_month_or_year(const char *value, int64_t *end)
{
    size_t len = strlen(value);
    if (strspn(value, "0123456789") != 4 || (len != 4 && len != 7))
        return FK_TIME_NONE;
    int64_t year = strtoll(value, NULL, 10);
    if (len == 4) {
        *end = fk_date_days_from_civil(year + 1, 1, 1) * 86400;
        return fk_date_days_from_civil(year, 1, 1) * 86400;
    }
    if (value[4] != '-' || strspn(value + 5, "0123456789") != 2)
        return FK_TIME_NONE;
    int month = atoi(value + 5);
    if (month < 1 || month > 12)
        return FK_TIME_NONE;
    *end = month == 12 ? fk_date_days_from_civil(year + 1, 1, 1) * 86400
                       : fk_date_days_from_civil(year, month + 1, 1) * 86400;
    return fk_date_days_from_civil(year, month, 1) * 86400;
}

/* Parse --since/--until and the other WHEN options: an ISO 8601 date or
 * time, a month (2026-06) or year, today or yesterday, or a time ago. A
 * span given to --until (a date alone, a month, a year, a day word) means
 * its end, so "--until 2026-06-30" includes June 30. */
int cli_parse_filter_date(const char *command, const char *option, const char *value, bool end,
                          int64_t *out)
{
    int64_t span_end = FK_TIME_NONE;
    int64_t t = parse_time_ago(value);
    if (t == FK_TIME_NONE && (t = parse_day_word(value)) != FK_TIME_NONE) {
        time_t start = (time_t)t;
        struct tm tm;
        if (localtime_r(&start, &tm)) {
            tm.tm_mday++;
            tm.tm_isdst = -1;
            span_end = (int64_t)mktime(&tm);
        }
    }
    if (t == FK_TIME_NONE)
        t = parse_month_or_year(value, &span_end);
    if (t == FK_TIME_NONE) {
        t = fk_date_parse_iso(value);
        if (t != FK_TIME_NONE && strlen(value) == 10)
            span_end = t + 86400;
    }
    if (t == FK_TIME_NONE) {
        return msg_usage(command,
                         "option '--%s': '%s' is not a date (2026-06-01, 2026-06, 2026, today, "
                         "yesterday, an ISO 8601 time) or a time ago (30m, 12h, 7d, 2w, 3mo, 1y)",
                         option, value);
    }
    *out = end && span_end != FK_TIME_NONE ? span_end : t;
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

/* The length of the scheme of location when it is written as a URL
 * ("postgresql://..."), else 0. */
static size_t url_scheme(const char *location)
{
    size_t n = 0;
    if (!fk_is_alpha((unsigned char)location[0]))
        return 0;
    while (fk_is_alnum((unsigned char)location[n]) || location[n] == '+' || location[n] == '-' ||
           location[n] == '.')
        n++;
    return strncmp(location + n, "://", 3) == 0 ? n : 0;
}

static struct fk_store *open_store(const struct cli *cli, enum fk_open_mode mode, bool silent)
{
    struct fk_buf path = FK_BUF_INIT;
    const char *env;
    if (cli->db_path) {
        fk_buf_adds(&path, cli->db_path);
    } else if ((env = getenv("FEEDKEEP_DB")) && *env) {
        fk_buf_adds(&path, env);
    } else if ((env = getenv("XDG_DATA_HOME")) && *env == '/') {
        fk_buf_printf(&path, "%s/feedkeep/feedkeep.db", env);
    } else if ((env = getenv("HOME")) && *env) {
        fk_buf_printf(&path, "%s/.local/share/feedkeep/feedkeep.db", env);
    } else {
        if (!silent)
            msg_error("no archive location: use --db PATH or set FEEDKEEP_DB");
        return NULL;
    }
    struct fk_store *store = NULL;
    /* A URL is not a file name: taken as one it would make a directory
     * "postgresql:" here. Only the scheme is shown (the rest may hold a
     * password). */
    size_t scheme = fk_store_is_postgresql_location(path.data) ? 0 : url_scheme(path.data);
    if (scheme) {
        if (!silent) {
            msg_error("archive location '%.*s://...' (%s) is a URL of a scheme feedkeep does "
                      "not know: an archive is a SQLite file or a postgresql:// URL",
                      (int)scheme, path.data, cli->db_path ? "--db" : "FEEDKEEP_DB");
            open_failure = EXIT_USAGE;
        }
        fk_buf_release(&path);
        return NULL;
    }
    if (mode != FK_OPEN_CREATE || fk_store_is_postgresql_location(path.data) ||
        make_parent_dirs(path.data) == 0) {
        struct fk_error err = {0};
        store = fk_store_open_mode(path.data, mode, &err);
        if (!store && !silent) {
            int code = msg_fk_error(&err);
            if (code != EXIT_IO)
                open_failure = code;
        }
    }
    fk_buf_release(&path);
    return store;
}

struct fk_store *cli_open_store(const struct cli *cli)
{
    return open_store(cli, FK_OPEN_EXISTING, false);
}

struct fk_store *cli_open_store_silently(const struct cli *cli)
{
    return open_store(cli, FK_OPEN_EXISTING, true);
}

struct fk_store *cli_create_store(const struct cli *cli)
{
    return open_store(cli, FK_OPEN_CREATE, false);
}

int cli_open_archive(const struct cli *cli, struct fk_store **store)
{
    *store = cli_open_store(cli);
    return *store ? EXIT_OK : EXIT_IO;
}

int cli_no_arguments(const char *command, int argc, char **argv)
{
    if (optind != argc)
        return msg_usage(command, "unexpected argument '%s'", argv[optind]);
    return EXIT_OK;
}

int cli_archive_command(int argc, char **argv, struct cli *cli, const char *command,
                        const char *help, int (*run)(struct fk_store *store, const struct cli *cli))
{
    int code = cli_common_options_only(argc, argv, cli, command, help);
    if (code != CLI_CONTINUE)
        return code;
    if ((code = cli_no_arguments(command, argc, argv)) != EXIT_OK)
        return code;
    struct fk_store *store;
    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        return code;
    code = run(store, cli);
    fk_store_close(store);
    return code;
}

/* Edit distance of a and b (insertions, deletions, substitutions, and
 * swaps of two neighbours), or more than limit. Command names are short. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return limit + 1;
    size_t d[33][33];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* "'lst' is not a feedkeep command", with the nearest commands (at most
 * two edits away, one for a name of four letters or less, or those it
 * starts) as a suggestion. */
static int unknown_command(const char *name)
{
    struct fk_buf near = FK_BUF_INIT;
    /* Short names are near too much: one edit for them. */
    size_t limit = strlen(name) <= 4 ? 1 : 2, best = limit + 1;
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        size_t d = edit_distance(name, commands[c].name, limit);
        if (*name && strncmp(commands[c].name, name, strlen(name)) == 0)
            d = 1;
        if (d < best) {
            best = d;
            fk_buf_reset(&near);
        }
        if (d == best && d <= limit)
            fk_buf_printf(&near, "%s%s", near.len ? " or " : "", commands[c].name);
    }
    int code;
    if (near.len)
        code = msg_usage(NULL, "'%s' is not a feedkeep command; did you mean %s?", name, near.data);
    else
        code = msg_usage(NULL, "'%s' is not a feedkeep command", name);
    fk_buf_release(&near);
    return code;
}

/* feedkeep help [COMMAND]: the help of the command, as COMMAND --help. */
static int run_help(int argc, char **argv, struct cli *cli)
{
    if (argc < 2) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc > 2)
        return msg_usage("help", "help takes one command name");
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(argv[1], commands[c].name) == 0) {
            static char program[] = "feedkeep", help_option[] = "--help";
            char *args[] = {program, help_option, NULL};
            optind = 0;
            return commands[c].run(2, args, cli);
        }
    }
    return unknown_command(argv[1]);
}

/* Data goes to stdout; a full disk or closed pipe must not pass for success. */
static int finish_output(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        out_end_pager();
        msg_error("cannot write to standard output: %s", strerror(errno));
        return code == EXIT_OK ? EXIT_IO : code;
    }
    out_end_pager();
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
    /* The character type only: wcwidth(3) then knows how wide characters
     * are on the user's terminal. Numbers and messages stay as in C. */
    setlocale(LC_CTYPE, "");
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
            if (!*cli.db_path)
                return msg_usage(NULL, "option '--db' needs a path, not an empty string");
        } else if (strncmp(arg, "--db=", 5) == 0) {
            cli.db_path = arg + 5;
            if (!*cli.db_path)
                return msg_usage(NULL, "option '--db' needs a path, not an empty string");
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            cli.quiet = true;
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            cli.verbose = true;
        } else if (strcmp(arg, "--utc") == 0) {
            out_utc = true;
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
    if (strcmp(argv[i], "help") == 0)
        return finish_output(run_help(argc - i, argv + i, &cli));
    /* For the completion scripts only, so not in the table. */
    if (strcmp(argv[i], "complete") == 0)
        return finish_output(cmd_complete(argc - i, argv + i, &cli));
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
    return unknown_command(argv[i]);
}
