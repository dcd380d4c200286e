/* cmd_copy.c - feedkeep copy --to LOCATION: the whole archive copied into
 * another, SQLite or PostgreSQL either way (fk_store_copy). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/ascii.h"
#include "feedkeep/store.h"

static const char help[] = "usage: feedkeep copy --to LOCATION [options]\n"
                           "\n"
                           "Copy the whole archive (--db) into the archive at LOCATION: a\n"
                           "PostgreSQL database (postgresql://...) or a SQLite file, either way.\n"
                           "A missing file or an empty database becomes a new archive. Every row\n"
                           "is copied with its id: feeds and their subscriptions, articles and\n"
                           "their versions, tags, code blocks, the fetch log, export records,\n"
                           "assets, raw documents, article pages. Rows the destination has\n"
                           "already are left as they are, so a copy that was interrupted goes on\n"
                           "where it stopped when run again, and one run again after it finished\n"
                           "changes nothing. A destination that holds another archive is refused.\n"
                           "Prints the destination when done; on a terminal, a progress line on\n"
                           "stderr says what it is doing meanwhile.\n"
                           "\n"
                           "Options:\n"
                           "  --to LOCATION     the archive to copy into (required)\n"
                           "  --db PATH         the archive to copy\n"
                           "  -q, --quiet       print nothing unless something failed\n"
                           "  -h, --help        show this help\n";

/* The length of the scheme of location when it is written as a URL of a
 * scheme that names no archive ("ftp://..."), else 0: main.c refuses
 * those too, but names --db as where they came from. */
static size_t unknown_scheme(const char *location)
{
    size_t n = 0;
    if (fk_store_is_postgresql_location(location) || !fk_is_alpha((unsigned char)location[0]))
        return 0;
    while (fk_is_alnum((unsigned char)location[n]) || location[n] == '+' || location[n] == '-' ||
           location[n] == '.')
        n++;
    return strncmp(location + n, "://", 3) == 0 ? n : 0;
}

static int copy_archive(struct fk_store *from, struct fk_store *to, const struct cli *cli)
{
    struct fk_error err = {0};
    int code = EXIT_OK;
    if (fk_store_copy(from, to, cli->quiet ? NULL : msg_stage, "copy", &err) < 0)
        code = msg_fk_error(&err);
    msg_progress_clear();
    if (code == EXIT_OK && !cli->quiet)
        printf("%s: copied from %s\n", fk_store_path(to), fk_store_path(from));
    return code;
}

int cmd_copy(int argc, char **argv, struct cli *cli)
{
    enum { OPT_TO = 0x200 };
    static const struct option options[] = {
        {"to", required_argument, NULL, OPT_TO},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *to_location = NULL;
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        if (opt == OPT_TO) {
            to_location = optarg;
        } else {
            int rc = cli_common_option(opt, optarg, cli, "copy", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    int code = cli_no_arguments("copy", argc, argv);
    if (code != EXIT_OK)
        return code;
    if (!to_location || !*to_location)
        return msg_usage("copy", "copy needs --to LOCATION, the archive to copy into");
    size_t scheme = unknown_scheme(to_location);
    if (scheme) {
        msg_error("archive location '%.*s://...' (--to) is a URL of a scheme feedkeep does not "
                  "know: an archive is a SQLite file or a postgresql:// URL",
                  (int)scheme, to_location);
        return EXIT_USAGE;
    }
    struct fk_store *from, *to;
    if ((code = cli_open_archive(cli, &from)) != EXIT_OK)
        return code;
    /* The destination is opened as the commands that fill an archive open
     * theirs: made when missing. */
    struct cli dest = *cli;
    dest.db_path = to_location;
    if (!(to = cli_create_store(&dest))) {
        fk_store_close(from);
        return EXIT_IO;
    }
    code = copy_archive(from, to, cli);
    fk_store_close(to);
    fk_store_close(from);
    return code;
}
