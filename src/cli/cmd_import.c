/* cmd_import.c - feedkeep import FILE|-: archive a feed document. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/archive.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep import [options] FILE|-\n"
    "\n"
    "Archive the RSS or Atom document in FILE (or on stdin for -): each item\n"
    "is converted to text, Markdown and code blocks and stored with its tags.\n"
    "Items already archived are recognised; importing a document twice adds\n"
    "nothing. Items under new guids that match archived articles of the feed\n"
    "are filed as those articles, and one line on stderr says so (see\n"
    "'feedkeep dedup --help').\n"
    "\n"
    "Options:\n"
    "  --base-url URL  the document's own URL: resolves relative links and\n"
    "                  names the feed the items are filed under\n"
    "  --charset NAME  read the document in this encoding, whatever it declares\n"
    "  --db PATH       the archive\n"
    "  -q, --quiet     print nothing unless something failed\n"
    "  -v, --verbose   warn about recovered XML errors\n"
    "  -h, --help      show this help\n"
    "\n"
    "The feed is named by --base-url, else the document's self link, else its\n"
    "site link, else the file's absolute path as a file:// URL.\n";

/* What names the feed the items are filed under; see the help text. */
struct feed_name {
    const char *path;
    const char *base_url;
    int fd;
    int64_t size;     /* of a regular file, else 0 */
    int64_t shown_ms; /* when progress was last shown (0: not yet) */
    bool progress;    /* not --quiet */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A progress line for a long import (on a terminal only: msg_progress),
 * four times a second after the first second: bytes read of the file,
 * and items. */
static void on_progress(const struct fk_archive_result *result, void *ctx)
{
    struct feed_name *name = ctx;
    if (!name->progress)
        return;
    int64_t now = now_ms();
    if (!name->shown_ms) {
        name->shown_ms = now + 750; /* the first line a second in */
        return;
    }
    if (now - name->shown_ms < 250)
        return;
    name->shown_ms = now;
    off_t offset = name->size ? lseek(name->fd, 0, SEEK_CUR) : -1;
    if (offset >= 0)
        msg_progress("importing '%s': %.1f of %.1f MiB (%d%%), %ld items", name->path,
                     (double)offset / 1048576, (double)name->size / 1048576,
                     (int)(offset * 100 / name->size), result->items);
    else
        msg_progress("importing '%s': %ld items", name->path, result->items);
}

static char *choose_feed_url(const struct fk_feed_info *info, void *ctx)
{
    const struct feed_name *name = ctx;
    if (name->base_url && *name->base_url)
        return fk_xstrdup(name->base_url);
    if (info->self_url && *info->self_url)
        return fk_xstrdup(info->self_url);
    if (info->site_url && *info->site_url)
        return fk_xstrdup(info->site_url);
    if (strcmp(name->path, "-") == 0)
        return fk_xstrdup("stdin:");
    char resolved[PATH_MAX];
    struct fk_buf url = FK_BUF_INIT;
    fk_buf_printf(&url, "file://%s", realpath(name->path, resolved) ? resolved : name->path);
    return fk_buf_detach(&url);
}

static void on_warning(const struct fk_item *item, const char *message, void *ctx)
{
    const struct feed_name *name = ctx;
    cli_warn_item(name->path, item, message);
}

int cmd_import(int argc, char **argv, struct cli *cli)
{
    struct fk_parse_options parse_options = {0};
    const char *path;
    int fd;
    int code =
        cli_feed_file_args(argc, argv, false, cli, "import", help, &parse_options, &path, &fd);
    if (code != CLI_CONTINUE)
        return code;
    code = EXIT_OK;
    struct fk_store *store = cli_create_store(cli);
    if (!store) {
        if (fd != STDIN_FILENO)
            close(fd);
        return EXIT_IO;
    }

    struct feed_name name = {path, parse_options.base_url, fd, 0, 0, !cli->quiet};
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        name.size = (int64_t)st.st_size;
    struct fk_archive_options archive_options = {
        .choose_url = choose_feed_url,
        .base_url = parse_options.base_url,
        .charset = parse_options.charset,
        .on_warning = on_warning,
        .on_progress = on_progress,
        .ctx = &name,
    };
    struct fk_archive_result result;
    struct fk_error err = {0};
    if (fk_archive_fd(store, fd, &archive_options, &result, &err) < 0) {
        if (err.kind == FK_ERROR_DB || err.kind == FK_ERROR_BUSY) {
            code = msg_fk_error(&err);
        } else {
            msg_error("'%s': %s", path, err.message);
            code = EXIT_FAILED;
        }
    }
    msg_progress_clear();
    if (code == EXIT_OK && cli->verbose)
        cli_warn_recovered(path, &result.info);
    if (code == EXIT_OK)
        msg_guid_changes(path, result.matched, result.matched_id, cli->quiet);
    if (code == EXIT_OK && !cli->quiet)
        printf("%s: %ld new, %ld updated, %ld unchanged%s", path, result.counts[FK_PUT_NEW],
               result.counts[FK_PUT_UPDATED], result.counts[FK_PUT_UNCHANGED],
               result.counts[FK_PUT_KEPT_SHORTER] ? "" : "\n");
    /* Items whose shorter text the archive kept out (each was warned of). */
    if (code == EXIT_OK && !cli->quiet && result.counts[FK_PUT_KEPT_SHORTER])
        printf(" (%ld kept their longer archived text)\n", result.counts[FK_PUT_KEPT_SHORTER]);

    fk_archive_result_release(&result);
    fk_store_close(store);
    if (fd != STDIN_FILENO)
        close(fd);
    return code;
}
