/* cmd_vacuum.c - feedkeep vacuum: compact the archive. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep vacuum [options]\n"
    "\n"
    "Compact the archive: train its compression dictionary if none paid yet\n"
    "(from 1,000 articles), compress the HTML and Markdown an older feedkeep\n"
    "stored uncompressed and the HTML compressed before the dictionary with\n"
    "it, keep the code blocks an older feedkeep stored whole as their place\n"
    "in the text, rebuild the full-text index from the articles\n"
    "(which also repairs one 'feedkeep check' found wrong), rebuild the file\n"
    "without its free pages, and empty its write-ahead log. It needs free\n"
    "disk space for up to twice the archive (a copy, which goes back through\n"
    "the log), and waits for a running fetch to finish writing. Prints the\n"
    "size after and before; on a terminal, a progress line on stderr says\n"
    "what it is doing meanwhile. On a PostgreSQL archive it indexes stale\n"
    "articles again, writes again the search vectors an older feedkeep\n"
    "stored compressed, and runs VACUUM (ANALYZE) on its tables.\n"
    "\n"
    "Options:\n"
    "  --db PATH         the archive\n"
    "  -q, --quiet       print nothing unless something failed\n"
    "  -h, --help        show this help\n";

/* The archive's size: the file and its log. */
static int archive_size(struct fk_store *store, int64_t *size)
{
    struct fk_store_stats stats;
    struct fk_error err = {0};
    if (fk_store_stats(store, &stats, &err) < 0)
        return msg_fk_error(&err);
    *size = stats.size_bytes + stats.wal_bytes;
    fk_store_stats_release(&stats);
    return EXIT_OK;
}

static int vacuum_archive(struct fk_store *store, const struct cli *cli)
{
    struct fk_error err = {0};
    int64_t before = 0, after = 0;
    int code = archive_size(store, &before);
    if (!cli->quiet)
        fk_store_set_progress(store, msg_stage, "vacuum");
    if (code == EXIT_OK && fk_store_vacuum(store, &err) < 0)
        code = msg_fk_error(&err);
    msg_progress_clear();
    if (code == EXIT_OK)
        code = archive_size(store, &after);
    if (code == EXIT_OK && !cli->quiet)
        printf("%s: %lld bytes, %lld before\n", fk_store_path(store), (long long)after,
               (long long)before);
    return code;
}

int cmd_vacuum(int argc, char **argv, struct cli *cli)
{
    return cli_archive_command(argc, argv, cli, "vacuum", help, vacuum_archive);
}
