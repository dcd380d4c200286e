/* cli.h - what the subcommands of the feedkeep executable share. */
#ifndef FEEDKEEP_CLI_H
#define FEEDKEEP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/buf.h"
#include "feedkeep/error.h"

struct fk_store;

/* Exit codes, documented in feedkeep(1). */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1, /* some feed could not be read */
    EXIT_USAGE = 2,
    EXIT_IO = 3, /* database or I/O error */
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
/* Print a usage error and a hint to run --help; returns EXIT_USAGE. */
int msg_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print err's message; returns the exit code for its kind. */
int msg_fk_error(const struct fk_error *err);

/* main.c: open the archive named by --db, $FEEDKEEP_DB or the XDG default,
 * creating its directory. Prints the error and returns NULL on failure. */
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

/* The subcommands. argv[0] is the subcommand name. */
int cmd_import(int argc, char **argv, struct cli *cli);
int cmd_parse(int argc, char **argv, struct cli *cli);
int cmd_list(int argc, char **argv, struct cli *cli);
int cmd_show(int argc, char **argv, struct cli *cli);
int cmd_code(int argc, char **argv, struct cli *cli);

#endif
