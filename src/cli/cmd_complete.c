/* cmd_complete.c - feedkeep complete WHAT [PREFIX]: names from the archive
 * for the shell completion scripts (tags, languages, authors, feeds), one a
 * line. Hidden from --help; quiet when there is nothing to offer. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/store.h"

static const struct cli_name kinds[] = {
    {"tags", FK_COMPLETE_TAGS},
    {"languages", FK_COMPLETE_LANGUAGES},
    {"authors", FK_COMPLETE_AUTHORS},
    {"feeds", FK_COMPLETE_FEEDS},
};

static int print_candidate(const char *candidate, void *ctx)
{
    struct fk_buf *buf = ctx;
    /* One a line, and nothing a terminal would act on. */
    out_add_safe(buf, candidate, false);
    fk_buf_addc(buf, '\n');
    out_flush(buf);
    return 0;
}

int cmd_complete(int argc, char **argv, struct cli *cli)
{
    const char *args[2] = {NULL, NULL};
    int nargs = 0;
    /* --db may come anywhere after the command name, as for every command. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            cli->db_path = argv[++i];
        else if (strncmp(argv[i], "--db=", 5) == 0)
            cli->db_path = argv[i] + 5;
        else if (nargs < 2)
            args[nargs++] = argv[i];
        else
            nargs = 3;
    }
    if (nargs < 1 || nargs > 2)
        return msg_usage(NULL, "usage: feedkeep complete tags|languages|authors|feeds [PREFIX]");
    int what = CLI_NAME_VALUE(kinds, args[0]);
    if (what < 0)
        return msg_usage(NULL, "nothing to complete as '%s'", args[0]);
    /* A completion never reports a missing or busy archive: it offers
     * nothing. */
    cli->quiet = true;
    struct fk_store *store = cli_open_store_silently(cli);
    if (!store)
        return EXIT_OK;
    struct fk_buf buf = FK_BUF_INIT;
    struct fk_error err = {0};
    (void)fk_store_complete(store, (enum fk_complete)what, args[1] ? args[1] : "", print_candidate,
                            &buf, &err);
    fk_buf_release(&buf);
    fk_store_close(store);
    return EXIT_OK;
}
