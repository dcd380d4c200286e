/* cli.h - what the subcommands of the feedkeep executable share. */
#ifndef FEEDKEEP_CLI_H
#define FEEDKEEP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/buf.h"
#include "feedkeep/error.h"
#include "feedkeep/store.h"

struct fk_store;

/* Exit codes, documented in feedkeep(1). */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1, /* some feed could not be read */
    EXIT_USAGE = 2,
    EXIT_IO = 3,     /* database or I/O error */
    EXIT_LOCKED = 4, /* the archive is busy: another fetch holds its lock,
                        or another process kept it locked too long */
};

/* Options given before the subcommand, which every subcommand sees. */
struct cli {
    const char *db_path; /* --db, or NULL for the default location */
    bool quiet;
    bool verbose;
};

/* msg.c: the one place that prints diagnostics, as "feedkeep: ..." lines. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Something the user should know that is no failure ("feedkeep: ..."). */
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Say that items of feed (a path or URL, printable) were filed as articles
 * they matched under new guids (fk_archive_result.matched), unless quiet. */
void msg_guid_changes(const char *feed, long matched, int64_t first_id, bool quiet);
/* Print a usage error and a hint to run --help; returns EXIT_USAGE. */
int msg_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print err's message; returns the exit code for its kind. A database
 * error after a write went past the file size limit says so. */
int msg_fk_error(const struct fk_error *err);
/* Record that a write went past the file size limit (ulimit -f): called by
 * the SIGXFSZ handler, so async-signal-safe. */
void msg_file_size_exceeded(void);
/* A progress line on stderr, rewritten in place, only when stderr is a
 * terminal; every other message clears it first. */
void msg_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Remove the progress line, if one is shown (before writing to stdout). */
void msg_progress_clear(void);

/* main.c: open the archive named by --db, $FEEDKEEP_DB or the XDG default,
 * creating its directory. Prints the error and returns NULL on failure;
 * the command then returns EXIT_IO, which main turns into EXIT_LOCKED when
 * the archive was busy. */
struct fk_store *cli_open_store(const struct cli *cli);

/* output.c: formats of the listing commands. */
enum out_format { OUT_TABLE, OUT_TSV, OUT_CSV, OUT_JSON };
/* Parse a --format value; returns -1 when unknown. */
int out_format_parse(const char *name, enum out_format *out);
/* The default: table on a terminal, TSV otherwise. */
enum out_format out_format_default(void);
bool out_is_terminal(void);
/* Width of the terminal on stdout, or 80. */
int out_terminal_width(void);

/* Append s to out without control characters or escape sequences (tabs and
 * newlines are kept when keep_newlines). Invalid UTF-8 becomes U+FFFD. */
void out_add_safe(struct fk_buf *out, const char *s, bool keep_newlines);
/* A copy of s (NULL gives "") on one line, without control characters or
 * escape sequences, for text from a feed quoted in a diagnostic. The caller
 * frees it. */
char *out_safe_dup(const char *s);
/* Append a TSV field: tab, newline, CR and backslash escaped as \t \n \r \\. */
void out_add_tsv(struct fk_buf *out, const char *s);
/* Append a CSV field (RFC 4180 quoting when needed; newlines become spaces so
 * one record is one line). */
void out_add_csv(struct fk_buf *out, const char *s);
/* Append s cut to at most width display columns, with an ellipsis when cut,
 * padded with spaces to width when pad. */
void out_add_cell(struct fk_buf *out, const char *s, int width, bool pad);
/* Write buf to stdout and empty it. */
void out_flush(struct fk_buf *buf);
/* A delay as people say it, into out: "45s", "30m", "2h", "1h30m", "7d",
 * "2d3h" (minutes rounded; negative is "0s"). */
void out_delay(int64_t seconds, char *out, size_t size);

/* Styles of text on a terminal. */
enum out_style {
    OUT_STYLE_RESET, /* back to plain text */
    OUT_STYLE_MATCH, /* a matched word in a search snippet */
    OUT_STYLE_ADDED, /* diff lines */
    OUT_STYLE_REMOVED,
    OUT_STYLE_HUNK,
    OUT_STYLE_BOLD,
};
/* Whether stdout gets colour: it is a terminal, and NO_COLOR is unset or
 * empty (https://no-color.org). */
bool out_use_color(void);
/* Append the escape sequence of style when out_use_color(), else nothing. */
void out_add_style(struct fk_buf *out, enum out_style style);

/* The marks around matched words in search snippets as the store is asked
 * to write them: control characters, which text shown to a user never
 * holds (out_add_safe removes them), so they cannot be mistaken. */
#define OUT_MARK_OPEN  "\x02"
#define OUT_MARK_CLOSE "\x03"
/* Append a marked snippet (OUT_MARK_*) sanitised as out_add_safe does, the
 * marked parts in OUT_STYLE_MATCH when styled, else in [brackets], runs of
 * white space as one space; cut to width display columns with an ellipsis
 * (width <= 0: no limit). */
void out_add_marked(struct fk_buf *out, const char *s, bool styled, int width);
/* Append a marked snippet with the marks made brackets and runs of white
 * space one space, nothing else changed (for formats that escape text
 * themselves). */
void out_unmark(struct fk_buf *out, const char *s);

/* Append the JSON members every article record has, without braces: id,
 * guid, url, title, author, date, published, updated, first_seen,
 * last_seen, tags, feed. */
void out_article_json(struct fk_buf *out, const struct fk_article *a);
/* Append a TSV field, or a CSV one when format is OUT_CSV. */
void out_add_field(struct fk_buf *out, enum out_format format, const char *s);

/* One table column: a heading and a width (0 = takes the rest). */
struct out_column {
    const char *heading;
    int width;
};
/* Start a table: fit the flexible column to the terminal and print the
 * headings. widths receives the final widths. */
void out_table_start(struct fk_buf *out, const struct out_column *cols, size_t ncols, int *widths);

/* Options every subcommand accepts besides its own: --db, --quiet,
 * --verbose and --help, for getopt_long tables. */
#define CLI_COMMON_OPTIONS                                                                         \
    {"db", required_argument, NULL, 'D'}, {"quiet", no_argument, NULL, 'q'},                       \
        {"verbose", no_argument, NULL, 'v'},                                                       \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
#define CLI_COMMON_SHORT "qvh"

/* Handle an option of CLI_COMMON_OPTIONS or getopt's '?' (a bad option,
 * already reported by getopt). Returns CLI_CONTINUE when the option was
 * handled and parsing goes on, CLI_NOT_COMMON when opt is none of them, or
 * an exit code the command returns at once (after --help: EXIT_OK). */
#define CLI_CONTINUE   (-1)
#define CLI_NOT_COMMON (-2)
int cli_common_option(int opt, const char *arg, struct cli *cli, const char *command,
                      const char *help);

/* Parse the value of a --since (end false) or --until (end true) option
 * into *out. Returns 0, or EXIT_USAGE after printing why. */
int cli_parse_filter_date(const char *command, const char *option, const char *value, bool end,
                          int64_t *out);

/* Parse a non-negative integer option value; -1 when it is not one. */
long cli_parse_count(const char *s);

/* filter.c: the article filter options the query commands share (list,
 * search, code, export), so that they mean the same everywhere. */
struct cli_filter {
    struct fk_filter filter; /* what the options ask for */
    const char **tags;       /* memory of filter.tags and filter.any_tags */
    const char **any_tags;
    const char *feed; /* --feed as given, until cli_filter_resolve */
    bool given;       /* some filter option was given */
    int argc;         /* the command line, for --has-code LANG */
    char **argv;
};

/* Option values of the filter options above 0xFF, so that they never
 * clash with a command's own short options. */
enum {
    CLI_OPT_ANY_TAG = 0x100,
    CLI_OPT_FEED,
    CLI_OPT_AUTHOR,
    CLI_OPT_HAS_CODE,
    CLI_OPT_OFFSET,
    CLI_OPT_SORT,
    CLI_OPT_REVERSE,
};

/* The filter options, for getopt_long tables (before CLI_COMMON_OPTIONS),
 * and their lines for --help texts. */
#define CLI_FILTER_OPTIONS                                                                         \
    {"tag", required_argument, NULL, 't'}, {"any-tag", required_argument, NULL, CLI_OPT_ANY_TAG},  \
        {"since", required_argument, NULL, 's'}, {"until", required_argument, NULL, 'u'},          \
        {"feed", required_argument, NULL, CLI_OPT_FEED},                                           \
        {"author", required_argument, NULL, CLI_OPT_AUTHOR},                                       \
        {"has-code", optional_argument, NULL, CLI_OPT_HAS_CODE},                                   \
        {"limit", required_argument, NULL, 'l'},                                                   \
        {"offset", required_argument, NULL, CLI_OPT_OFFSET},                                       \
        {"sort", required_argument, NULL, CLI_OPT_SORT},                                           \
    {                                                                                              \
        "reverse", no_argument, NULL, CLI_OPT_REVERSE                                              \
    }
#define CLI_FILTER_HELP                                                                            \
    "  --tag TAG         only articles with this tag (repeat: all of them)\n"                      \
    "  --any-tag TAG     only articles with at least one of these tags\n"                          \
    "                    (repeatable)\n"                                                           \
    "  --since WHEN      only articles dated at or after WHEN (an article's\n"                     \
    "                    date: published, else updated)\n"                                         \
    "  --until WHEN      only articles dated before WHEN (a date alone\n"                          \
    "                    includes that whole day); WHEN is an ISO 8601 date\n"                     \
    "                    (2026-06-01) or time (2026-06-01T12:00:00Z), or a\n"                      \
    "                    time ago: 30m, 12h, 7d, 2w\n"                                             \
    "  --feed FEED       only articles a feed carried (its URL or id)\n"                           \
    "  --author NAME     only articles by NAME (whole name, any case)\n"                           \
    "  --has-code [LANG] only articles with a code block (in LANG); LANG is\n"                     \
    "                    the next argument unless that starts with '-'\n"                          \
    "  --limit N         at most N results\n"                                                      \
    "  --offset N        skip the first N results\n"                                               \
    "  --sort KEY        published (the article's date; the default),\n"                           \
    "                    updated or first_seen\n"                                                  \
    "  --reverse         oldest first\n"

/* Set f up for the command line getopt_long parses. */
void cli_filter_init(struct cli_filter *f, int argc, char **argv);
/* Handle a filter option. --has-code without "=LANG" takes the next
 * argument as LANG when it does not start with '-' (advancing optind).
 * Returns CLI_CONTINUE when opt was one, CLI_NOT_COMMON when it is not a
 * filter option, or EXIT_USAGE after printing why. */
int cli_filter_option(int opt, const char *arg, struct cli_filter *f, const char *command);
/* Turn --feed into a feed id with the archive open. Returns EXIT_OK, or
 * EXIT_FAILED (no such feed), EXIT_USAGE or EXIT_IO after printing why. */
int cli_filter_resolve(struct cli_filter *f, struct fk_store *store, const char *command);
void cli_filter_release(struct cli_filter *f);

/* The article arg names: an ID (digits; not looked up, the caller reports
 * an ID the archive does not have), else the URL of its link or guid
 * (fk_store_find_article). Returns EXIT_OK with *id set, or EXIT_USAGE,
 * EXIT_FAILED (no such URL) or EXIT_IO after printing why. */
int cli_find_article(struct fk_store *store, const char *command, const char *arg, int64_t *id);

/* feedarg.c: feeds named on the command line. */
struct fk_subscription;
/* The feed URL arg stands for: a dev.to shorthand (devto:USER,
 * devto:tag/TAG) expanded, or an http, https or file URL as given. Returns
 * a new string, or NULL after printing a usage error for command. */
char *cli_feed_url(const char *command, const char *arg);
/* True when url is one feedkeep subscribes to: http, https or file, and
 * printable ASCII only (so it is safe to print as it is). */
bool cli_is_feed_url(const char *url);
/* Find the feed arg names: a URL or shorthand, else a feed id. Returns 0
 * with *out filled (release it with fk_subscription_release), 1 when the
 * archive has no such feed (nothing printed), or EXIT_USAGE or EXIT_IO after
 * printing why. */
int cli_find_feed(struct fk_store *store, const char *command, const char *arg,
                  struct fk_subscription *out);

/* lock.c: take the lock that lets one fetch at a time write the archive
 * (a file next to it, ARCHIVE.lock, ARCHIVE being its resolved path, so
 * that every path to one archive takes the same lock), waiting up to
 * wait_ms. Returns EXIT_OK with *fd set (the lock is held until fd is
 * closed or the process ends), or EXIT_LOCKED or EXIT_IO after printing
 * why. */
int cli_lock_archive(const char *archive, long wait_ms, int *fd);

/* The subcommands. argv[0] is the subcommand name. */
int cmd_import(int argc, char **argv, struct cli *cli);
int cmd_parse(int argc, char **argv, struct cli *cli);
int cmd_list(int argc, char **argv, struct cli *cli);
int cmd_show(int argc, char **argv, struct cli *cli);
int cmd_code(int argc, char **argv, struct cli *cli);
int cmd_search(int argc, char **argv, struct cli *cli);
int cmd_tags(int argc, char **argv, struct cli *cli);
int cmd_stats(int argc, char **argv, struct cli *cli);
int cmd_history(int argc, char **argv, struct cli *cli);
int cmd_dedup(int argc, char **argv, struct cli *cli);
int cmd_check(int argc, char **argv, struct cli *cli);
int cmd_vacuum(int argc, char **argv, struct cli *cli);
int cmd_export(int argc, char **argv, struct cli *cli);
int cmd_add(int argc, char **argv, struct cli *cli);
int cmd_remove(int argc, char **argv, struct cli *cli);
int cmd_feeds(int argc, char **argv, struct cli *cli);
int cmd_opml(int argc, char **argv, struct cli *cli);
int cmd_fetch(int argc, char **argv, struct cli *cli);

#endif
