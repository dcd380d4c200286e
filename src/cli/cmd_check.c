/* cmd_check.c - feedkeep check: is the archive sound? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "feedkeep/store.h"

static const char help[] = "usage: feedkeep check [options]\n"
                           "\n"
                           "Check the archive: SQLite's integrity check of the file, its foreign\n"
                           "keys, and that the full-text index agrees with the articles. Prints\n"
                           "'ARCHIVE: ok', or one line per problem found on standard output and\n"
                           "exits with status 3. Only reads the archive, so it runs beside a\n"
                           "fetch; exits with status 4 when another process keeps the archive\n"
                           "locked (busy, not damaged).\n"
                           "\n"
                           "Options:\n"
                           "  --db PATH         the archive\n"
                           "  -q, --quiet       print nothing when all is well\n"
                           "  -h, --help        show this help\n";

static void print_problem(const char *check, const char *problem, void *ctx)
{
    (void)ctx;
    struct fk_buf line = FK_BUF_INIT;
    fk_buf_printf(&line, "%s: ", check);
    out_add_safe(&line, problem, false);
    fk_buf_addc(&line, '\n');
    out_flush(&line);
    fk_buf_release(&line);
}

static int check_archive(struct fk_store *store, const struct cli *cli)
{
    struct fk_error err = {0};
    int code = EXIT_OK;
    int problems = fk_store_check(store, print_problem, NULL, &err);
    if (problems < 0) {
        code = msg_fk_error(&err);
    } else if (problems > 0) {
        msg_error("'%s': %d problem%s found", fk_store_path(store), problems,
                  problems == 1 ? "" : "s");
        code = EXIT_IO;
    } else if (!cli->quiet) {
        printf("%s: ok\n", fk_store_path(store));
    }
    return code;
}

int cmd_check(int argc, char **argv, struct cli *cli)
{
    return cli_archive_command(argc, argv, cli, "check", help, check_archive);
}
