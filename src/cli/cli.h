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
/* A line that goes on with the message before it: indented, without
 * the "feedkeep: " prefix. */
void msg_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
/* An fk_progress_fn for the store: the progress line
 * "COMMAND: STAGE[: N rows]", ctx the command's name. */
void msg_stage(const char *stage, int64_t done, void *ctx);
/* Remove the progress line, if one is shown (before writing to stdout). */
void msg_progress_clear(void);

/* main.c: open the archive named by --db, $FEEDKEEP_DB or the XDG default.
 * cli_open_store never creates anything: a missing archive is an error
 * ("no archive at PATH"), and one that cannot be written (a read-only
 * directory) is opened read-only. cli_create_store, for the commands that
 * fill an archive (import, add, fetch, opml import), creates it and its
 * directory. Both print the error and return NULL on failure; the command
 * then returns EXIT_IO, which main turns into EXIT_LOCKED when the archive
 * was busy. */
struct fk_store *cli_open_store(const struct cli *cli);
struct fk_store *cli_create_store(const struct cli *cli);
/* cli_open_store printing nothing on failure (for completion). */
struct fk_store *cli_open_store_silently(const struct cli *cli);
/* cli_open_store into *store: EXIT_OK, or EXIT_IO after printing why
 * (*store is then NULL). */
int cli_open_archive(const struct cli *cli, struct fk_store **store);
/* EXIT_OK when getopt left no argument after the options, else
 * EXIT_USAGE after printing "unexpected argument". */
int cli_no_arguments(const char *command, int argc, char **argv);
/* A command with no options of its own and no arguments that works on the
 * archive (check, vacuum): cli_common_options_only, cli_no_arguments,
 * cli_open_archive, then run on the open archive, which is closed after
 * it. Returns what run returns, or the exit code of what stopped before. */
int cli_archive_command(int argc, char **argv, struct cli *cli, const char *command,
                        const char *help,
                        int (*run)(struct fk_store *store, const struct cli *cli));

/* output.c: formats of the listing commands. */
enum out_format { OUT_TABLE, OUT_TSV, OUT_CSV, OUT_JSON };
/* Parse a --format value; returns -1 when unknown. */
int out_format_parse(const char *name, enum out_format *out);
/* A --format option's value into *format: CLI_CONTINUE, or EXIT_USAGE
 * after printing why (an unknown format). */
int out_format_option(const char *command, const char *arg, enum out_format *format);
/* The default: table on a terminal, TSV otherwise. */
enum out_format out_format_default(void);
/* Whether stdout is a terminal (or a pager started by out_start_pager). */
bool out_is_terminal(void);
/* On a terminal, send standard output through $PAGER (default "less -R";
 * "" or "cat": none), with LESS=FRX unless LESS is set. Returns whether a
 * pager was started. out_end_pager (main calls it) waits for it. */
bool out_start_pager(void);
void out_end_pager(void);
/* Width of the terminal: $COLUMNS when set, else the terminal's on
 * stdout, else 80. */
int out_terminal_width(void);
/* Display columns s takes on a terminal (as out_add_cell measures). */
int out_display_width(const char *s);

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
 * guid, url, title, author, author_email, date, published, updated, first_seen,
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

/* ---- records of named fields (output.c) ----
 *
 * A listing command describes its rows as a table of named fields; the
 * same names are the JSON members, the CSV header and the --fields values,
 * so a record reads the same in every format. */

/* A field's value in one row. */
enum out_kind {
    OUT_V_NULL,
    OUT_V_TEXT, /* text (NULL: null in JSON, empty in TSV and CSV) */
    OUT_V_INT,  /* number */
    OUT_V_TIME, /* number: a UTC time, FK_TIME_NONE for none */
    OUT_V_REAL, /* real */
    OUT_V_LIST, /* list, count: strings (tags) */
    OUT_V_BOOL, /* number: 0 or 1 (true, false) */
};
struct out_value {
    enum out_kind kind;
    const char *text;
    int64_t number;
    double real;
    const char *const *list;
    size_t count;
};

struct out_field {
    const char *name; /* lower case: JSON member, CSV header, --fields */
    int width;        /* of its table column; 0: shares what is left */
    bool numeric;     /* right-aligned in a table */
    void (*get)(const void *row, struct out_value *value);
    const char *heading; /* in a table; NULL: the name in capitals */
};

/* Define get_NAME, the getter of a field of rows of type TYPE: the row is
 * `row` (const TYPE *), the value `v`; assign fills it, as in
 * OUT_GETTER(id, struct fk_article, OUT_V_INT, v->number = row->id). */
#define OUT_GETTER(name, type, value_kind, assign)                                                 \
    static void get_##name(const void *row_, struct out_value *v)                                  \
    {                                                                                              \
        const type *row = row_;                                                                    \
        v->kind = value_kind;                                                                      \
        assign;                                                                                    \
    }

/* Make text a list value in v: its items separated by sep, at most max
 * of them. The items live until the next call. */
void out_value_split(struct out_value *v, const char *text, char sep, size_t max);

#define OUT_MAX_FIELDS 32
/* A table is sized by its first rows, this many at most. */
#define OUT_TABLE_MEASURED 500

/* Times in a table: local time, unless --utc (main.c sets this). */
extern bool out_utc;
/* Append the day of t (local unless out_utc; "-" for FK_TIME_NONE) as a
 * table cell of width columns. */
void out_add_table_day(struct fk_buf *out, int64_t t, int width);

/* The output of a listing command: the format, the fields chosen, the
 * table's column widths. */
struct out_record {
    enum out_format format;
    bool format_given;
    bool header;            /* --header: TSV gets a header line (CSV always has one) */
    const char *field_list; /* --fields as given */
    const struct out_field *fields;
    size_t nfields;
    const char *defaults;                 /* TSV and CSV columns without --fields */
    const char *table_defaults;           /* the table's */
    const struct out_field *table_fields; /* see out_record_table_fields */
    size_t ntable_fields;
    const struct out_field *chosen[OUT_MAX_FIELDS];
    size_t nchosen;
    int widths[OUT_MAX_FIELDS];
    struct fk_buf buf;
    /* A table's first rows, held until they have sized its columns. */
    int content[OUT_MAX_FIELDS]; /* widest cell of each column so far */
    struct out_table_row {
        char *cells[OUT_MAX_FIELDS];
    } * table_rows;
    size_t ntable_rows;
    bool table_started;
};

/* Set r up for rows described by fields; defaults and table_defaults
 * (NULL: defaults) are comma-separated field names. Without --fields, JSON
 * has every field in the order of fields. */
void out_record_init(struct out_record *r, const struct out_field *fields, size_t nfields,
                     const char *defaults, const char *table_defaults);
/* Fields only the default table shows (its table_defaults may name
 * them): what is for people, not for scripts (times relative to now). */
void out_record_table_fields(struct out_record *r, const struct out_field *fields, size_t n);
/* Handle --format, --fields or --header (CLI_OUTPUT_OPTIONS). Returns
 * CLI_CONTINUE, CLI_NOT_COMMON, or EXIT_USAGE after printing why. */
int out_record_option(int opt, const char *arg, struct out_record *r, const char *command);
/* out_record_option, then cli_common_option: the options of every
 * listing command. Returns CLI_CONTINUE, or the exit code the command
 * returns at once (EXIT_USAGE for an option of neither). */
int out_listing_option(int opt, const char *arg, struct out_record *r, struct cli *cli,
                       const char *command, const char *help);
/* Choose the fields and print the header (a table's headings, CSV's header
 * line, TSV's with --header). Returns EXIT_OK, or EXIT_USAGE after printing
 * why (an unknown field). */
int out_record_start(struct out_record *r, const char *command);
/* Print one row (a table's first rows wait for out_record_end or
 * enough rows to size its columns). */
void out_record_row(struct out_record *r, const void *row);
/* Print what a table still holds, and free r: call after the last row,
 * and on every path after out_record_init. */
void out_record_end(struct out_record *r);

/* The article fields of list (and of search, with rank and snippet after
 * them): the rows are struct fk_article (search: struct fk_search_hit). */
extern const struct out_field out_article_fields[];
extern const size_t out_article_nfields;
extern const struct out_field out_hit_fields[];
extern const size_t out_hit_nfields;
/* The TSV and CSV columns list and search start with. */
#define OUT_ARTICLE_DEFAULTS "id,date,author,tags,title,url"

/* Options every subcommand accepts besides its own: --db, --quiet,
 * --verbose, --utc and --help, for getopt_long tables. */
#define CLI_COMMON_OPTIONS                                                                         \
    {"db", required_argument, NULL, 'D'}, {"quiet", no_argument, NULL, 'q'},                       \
        {"verbose", no_argument, NULL, 'v'}, {"utc", no_argument, NULL, 'U'},                      \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
#define CLI_COMMON_SHORT "qvh"

/* getopt_long(argc, argv, CLI_COMMON_SHORT, options, index) (with -o FILE
 * too when options has {"output", required_argument, NULL, 'o'}), but a bad
 * option is reported through msg.c, as every diagnostic, in getopt's
 * words: getopt itself would print the argument as it is. Returns what
 * getopt_long returns ('?' after the report). */
struct option;
int cli_getopt(int argc, char **argv, const struct option *options, int *index);

/* Handle an option of CLI_COMMON_OPTIONS or getopt's '?' (a bad option,
 * already reported by cli_getopt or getopt). Returns CLI_CONTINUE when the option was
 * handled and parsing goes on, CLI_NOT_COMMON when opt is none of them, or
 * an exit code the command returns at once (after --help: EXIT_OK). */
#define CLI_CONTINUE   (-1)
#define CLI_NOT_COMMON (-2)
int cli_common_option(int opt, const char *arg, struct cli *cli, const char *command,
                      const char *help);
/* Parse the options of a command that has none of its own: getopt_long
 * over CLI_COMMON_OPTIONS, leaving optind at the first argument. Returns
 * CLI_CONTINUE, or the exit code the command returns at once. */
int cli_common_options_only(int argc, char **argv, struct cli *cli, const char *command,
                            const char *help);

/* Parse the value of a --since (end false) or --until (end true) option
 * into *out. Returns 0, or EXIT_USAGE after printing why. */
int cli_parse_filter_date(const char *command, const char *option, const char *value, bool end,
                          int64_t *out);

/* Parse a non-negative integer option value; -1 when it is not one. */
long cli_parse_count(const char *s);

/* A word and the enum constant it stands for: the tables of option
 * values (--format, --sort, show's modes, complete's kinds). */
struct cli_name {
    const char *name;
    int value;
};
/* The value name has in table (count entries), the names compared
 * exactly; -1 when it is none of them. */
int cli_name_value(const struct cli_name *table, size_t count, const char *name);
#define CLI_NAME_VALUE(table, name) cli_name_value(table, sizeof table / sizeof table[0], name)

/* filter.c: the article filter options the query commands share (list,
 * search, code, export), so that they mean the same everywhere. */
struct cli_filter {
    struct fk_filter filter; /* what the options ask for */
    const char **tags;       /* memory of filter.tags and filter.any_tags */
    const char **any_tags;
    const char *feed; /* --feed as given, until cli_filter_resolve */
    bool since_fetch; /* --since-fetch, until cli_filter_resolve */
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
    CLI_OPT_ARCHIVED_SINCE,
    CLI_OPT_CHANGED_SINCE,
    CLI_OPT_SINCE_FETCH,
    CLI_OPT_FIELDS,
    CLI_OPT_HEADER,
    CLI_OPT_FEED_TAG,
};

/* --format, --fields and --header of the listing commands, for getopt_long
 * tables, and their lines for --help texts. */
#define CLI_OUTPUT_OPTIONS                                                                         \
    {"format", required_argument, NULL, 'f'}, {"fields", required_argument, NULL, CLI_OPT_FIELDS}, \
    {                                                                                              \
        "header", no_argument, NULL, CLI_OPT_HEADER                                                \
    }
#define CLI_OUTPUT_HELP                                                                            \
    "  --format FORMAT   table, tsv, csv or json (JSON Lines); default: table\n"                   \
    "                    on a terminal, tsv otherwise\n"                                           \
    "  --fields A,B,...  these fields, in this order (JSON: these members)\n"                      \
    "  --header          a first line of field names in TSV too (CSV always\n"                     \
    "                    has one)\n"

/* The filter options, for getopt_long tables (before CLI_COMMON_OPTIONS),
 * and their lines for --help texts. */
#define CLI_FILTER_OPTIONS                                                                         \
    {"tag", required_argument, NULL, 't'}, {"any-tag", required_argument, NULL, CLI_OPT_ANY_TAG},  \
        {"since", required_argument, NULL, 's'}, {"until", required_argument, NULL, 'u'},          \
        {"archived-since", required_argument, NULL, CLI_OPT_ARCHIVED_SINCE},                       \
        {"changed-since", required_argument, NULL, CLI_OPT_CHANGED_SINCE},                         \
        {"since-fetch", no_argument, NULL, CLI_OPT_SINCE_FETCH},                                   \
        {"feed", required_argument, NULL, CLI_OPT_FEED},                                           \
        {"feed-tag", required_argument, NULL, CLI_OPT_FEED_TAG},                                   \
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
    "                    (2026-06-01) or time (2026-06-01T12:00:00Z), a month\n"                   \
    "                    (2026-06) or year, today, yesterday, or a time ago:\n"                    \
    "                    30m, 12h, 7d, 2w, 3mo, 1y\n"                                              \
    "  --archived-since WHEN  only articles the archive first saw at or\n"                         \
    "                    after WHEN (new to it, whatever their date)\n"                            \
    "  --changed-since WHEN  only articles new to the archive, or whose\n"                         \
    "                    title, text or tags changed, at or after WHEN\n"                          \
    "  --since-fetch     only articles new since the start of the last\n"                          \
    "                    completed 'feedkeep fetch'\n"                                             \
    "  --feed FEED       only articles a feed carried: its id, URL (with or\n"                     \
    "                    without http:// or https://) or name\n"                                   \
    "  --feed-tag TAG    only articles a feed with this tag carried (the\n"                        \
    "                    folders of an OPML list)\n"                                               \
    "  --author WORDS    only articles by an author whose name has these\n"                        \
    "                    words, any case, with or without accents\n"                               \
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
/* The option loop of a listing command (list, code, feeds, history, the
 * counts): each option goes to the filter's (when filter is not NULL),
 * then to own (when not NULL, with ctx: CLI_CONTINUE when opt was one of
 * the command's own, CLI_NOT_COMMON when not, or an exit code), then to
 * out_listing_option. Returns CLI_CONTINUE with optind at the first
 * argument, or the exit code the command returns at once. */
struct cli_listing {
    const char *command;
    const char *help;
    struct out_record *out;
    struct cli_filter *filter;
    int (*own)(int opt, const char *arg, void *ctx);
    void *ctx;
};
int cli_listing_options(int argc, char **argv, const struct option *options, struct cli *cli,
                        const struct cli_listing *l);
/* With the archive open: turn --feed into a feed id, --since-fetch into a
 * time, and --lang and --has-code LANG into a language the archive has
 * (the value itself, any case, or the most used of its common names: py,
 * js, ts, sh, yml, c++, ...). Returns EXIT_OK, or EXIT_FAILED (no such
 * feed, no fetch logged, no code in that language: the message lists the
 * archive's languages), EXIT_USAGE or EXIT_IO after printing why. */
int cli_filter_resolve(struct cli_filter *f, struct fk_store *store, const char *command);
/* cli_open_store, then cli_filter_resolve: EXIT_OK with *store set
 * (close it also when this fails), or the exit code after printing why. */
int cli_filter_open(struct cli_filter *f, const struct cli *cli, const char *command,
                    struct fk_store **store);
void cli_filter_release(struct cli_filter *f);

/* The article arg names: an ID (digits; not looked up, the caller reports
 * an ID the archive does not have), else the URL of its link or guid
 * (fk_store_find_article). Returns EXIT_OK with *id set, or EXIT_USAGE,
 * EXIT_FAILED (no such URL) or EXIT_IO after printing why. */
int cli_find_article(struct fk_store *store, const char *command, const char *arg, int64_t *id);
/* The exit code of a store call about article id that returned rc: for
 * rc < 0 err's (msg_fk_error), for rc > 0 EXIT_FAILED after saying the
 * archive has no such article, else EXIT_OK. */
int cli_article_status(int rc, const struct fk_error *err, int64_t id);

/* feedarg.c: feeds named on the command line. */
struct fk_subscription;
/* The feed URL arg stands for: a dev.to shorthand (devto:USER,
 * devto:tag/TAG) expanded, a dev.to API source (devto-api:USER, tag/TAG,
 * org/ORG) in lower case, or an http, https or file URL as given. Returns
 * a new string, or NULL after printing a usage error for command. */
char *cli_feed_url(const char *command, const char *arg);
/* True when url is one feedkeep subscribes to: http, https or file, and
 * printable ASCII only (so it is safe to print as it is), or a dev.to API
 * source. */
bool cli_is_feed_url(const char *url);
/* The dev.to API source of a dev.to feed URL (https://dev.to/feed/USER,
 * .../feed/tag/TAG) or of an API source itself, as a new string; NULL for
 * any other URL. */
char *cli_devto_api_of(const char *url);
/* The dev.to API's base URL ($FEEDKEEP_DEVTO_API, else NULL for the
 * default) and key ($FEEDKEEP_DEVTO_API_KEY, else NULL). */
const char *cli_devto_api(void);
const char *cli_devto_api_key(void);
/* Find the feed arg names: a feed id, a URL or shorthand, the URL without
 * its scheme (as the feeds table shows it), or the feed's name or title
 * (ignoring ASCII case). Returns 0
 * with *out filled (release it with fk_subscription_release), 1 when the
 * archive has no such feed (nothing printed), or EXIT_USAGE or EXIT_IO after
 * printing why. */
int cli_find_feed(struct fk_store *store, const char *command, const char *arg,
                  struct fk_subscription *out);

/* feedarg.c: a feed document named on the command line (import, parse). */
struct fk_item;
struct fk_feed_info;
struct fk_parse_options;
/* Parse the options of import and parse (--base-url, --charset, the common
 * ones, and with json_format a --format that takes "json" alone) into
 * parse_options, and open the one FILE (or - for stdin) left after them.
 * Returns CLI_CONTINUE with *path and *fd set (close fd unless it is
 * STDIN_FILENO), or the exit code the command returns at once (after
 * --help: EXIT_OK; EXIT_USAGE or EXIT_FAILED after printing why). */
int cli_feed_file_args(int argc, char **argv, bool json_format, struct cli *cli,
                       const char *command, const char *help,
                       struct fk_parse_options *parse_options, const char **path, int *fd);
/* Warn that an item of the document at path was read with a problem. */
void cli_warn_item(const char *path, const struct fk_item *item, const char *message);
/* Warn of what the reader of the document at path recovered from (its
 * character set, XML that was not well-formed): for --verbose. */
void cli_warn_recovered(const char *path, const struct fk_feed_info *info);

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
int cmd_extract(int argc, char **argv, struct cli *cli);
int cmd_list(int argc, char **argv, struct cli *cli);
int cmd_show(int argc, char **argv, struct cli *cli);
int cmd_open(int argc, char **argv, struct cli *cli);
int cmd_code(int argc, char **argv, struct cli *cli);
int cmd_search(int argc, char **argv, struct cli *cli);
int cmd_tags(int argc, char **argv, struct cli *cli);
int cmd_authors(int argc, char **argv, struct cli *cli);
int cmd_complete(int argc, char **argv, struct cli *cli);
int cmd_stats(int argc, char **argv, struct cli *cli);
int cmd_history(int argc, char **argv, struct cli *cli);
int cmd_dedup(int argc, char **argv, struct cli *cli);
int cmd_check(int argc, char **argv, struct cli *cli);
int cmd_vacuum(int argc, char **argv, struct cli *cli);
int cmd_copy(int argc, char **argv, struct cli *cli);
int cmd_export(int argc, char **argv, struct cli *cli);
int cmd_add(int argc, char **argv, struct cli *cli);
int cmd_remove(int argc, char **argv, struct cli *cli);
int cmd_feeds(int argc, char **argv, struct cli *cli);
int cmd_opml(int argc, char **argv, struct cli *cli);
int cmd_fetch(int argc, char **argv, struct cli *cli);
int cmd_reparse(int argc, char **argv, struct cli *cli);
int cmd_assets(int argc, char **argv, struct cli *cli);

#endif
