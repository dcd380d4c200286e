/* cmd_import.c - feedkeep import FILE|-: archive a feed document. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "assetrun.h"
#include "cli.h"
#include "feedkeep/archive.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep import [options] FILE|-\n"
    "\n"
    "Archive the RSS, Atom or JSON Feed document in FILE (or on stdin for -):\n"
    "each item is converted to text, Markdown and code blocks and stored with\n"
    "its tags. Items already archived are recognised; importing a document\n"
    "twice adds nothing. Items under new guids that match archived articles\n"
    "of the feed are filed as those articles, and one line on stderr says so\n"
    "(see 'feedkeep dedup --help').\n"
    "\n"
    "Options:\n"
    "  --base-url URL  the document's own URL: resolves relative links and\n"
    "                  names the feed the items are filed under\n"
    "  --charset NAME  read the document in this encoding, whatever it declares\n"
    "  --db PATH       the archive\n"
    "  --no-keep-raw   do not keep the document's own bytes this time\n"
    "  --assets        also fetch the assets of the feed's articles (import\n"
    "                  stays offline without it), with the caps and switches\n"
    "                  of 'feedkeep fetch': --asset-max-size SIZE,\n"
    "                  --article-assets N, --article-asset-bytes SIZE,\n"
    "                  --run-asset-bytes SIZE, --asset-budget SIZE, --media,\n"
    "                  --allow-private-assets (see 'feedkeep fetch --help')\n"
    "  -q, --quiet     print nothing unless something failed\n"
    "  -v, --verbose   warn about recovered XML or JSON errors; a line per asset\n"
    "  -h, --help      show this help\n"
    "\n"
    "The feed is named by --base-url, else the document's self link, else its\n"
    "site link, else the file's absolute path as a file:// URL.\n"
    "\n"
    "A document that files a new or changed article is kept as it came,\n"
    "compressed, unless the feed's keep-raw setting is off (see 'feedkeep\n"
    "feeds set'); documents over 32 MiB are not kept.\n";

/* The largest document kept as it came: the fetch body limit. */
#define IMPORT_RAW_MAX ((size_t)32 * 1024 * 1024)

/* The most times a document is filed when the server rolls it back as
 * busy (a deadlock), as fetch files a response body. */
#define IMPORT_TRIES 3

/* What names the feed the items are filed under; see the help text. */
struct feed_name {
    const char *path;
    const char *base_url;
    int fd;
    int64_t size;     /* of a regular file, else 0 */
    int64_t shown_ms; /* when progress was last shown (0: not yet) */
    bool progress;    /* not --quiet */
    /* Keeping the document as it came (keep_document): */
    int copy;     /* the file to read it back from, or -1: not kept */
    int stream;   /* a stream's pipe from tee_stream, or -1 */
    pid_t child;  /* the process of tee_stream, or -1 */
    bool torn;    /* it ended before copying the whole stream */
    int64_t time; /* when it was read */
    /* Filing it again after a rollback (parse_again): */
    int replay;                      /* the file to parse again (fd or the copy), or -1 */
    off_t start;                     /* where the document begins in it */
    long resumed;                    /* items read by the tries before: progress shows more */
    struct fk_archive_warned warned; /* by the tries so far */
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
    /* A document filed again shows no item twice. */
    if (!name->progress || result->items <= name->resumed)
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

/* A warning about an item (once, whatever the tries: options.warned). */
static void on_warning(const struct fk_item *item, const char *message, void *ctx)
{
    const struct feed_name *name = ctx;
    cli_warn_item(name->path, item, message);
}

/* Take --no-keep-raw (import's own option) out of argv before the options
 * import shares with parse are read. Returns whether it was there. */
static bool take_no_keep_raw(int *argc, char **argv)
{
    bool found = false;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--no-keep-raw") == 0)
            found = true;
        else
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return found;
}

/* A child process that copies fd to a pipe, and its first cap + 1 bytes
 * (or more) to the file copy: the document is parsed from the pipe as
 * streamed, and kept (or parsed again) from the copy, without holding it
 * in memory. Returns the pipe's reading end, or -1. */
static int tee_stream(int fd, FILE *copy, size_t cap, pid_t *child)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    *child = fork();
    if (*child < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (*child > 0) {
        close(p[1]);
        return p[0];
    }
    close(p[0]);
    FILE *out = fdopen(p[1], "w");
    char chunk[65536];
    size_t copied = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || !out)
            _exit(n < 0 || !out);
        /* The copy first: what the parser has read, the copy has. */
        if (copied <= cap && (fwrite(chunk, 1, (size_t)n, copy) != (size_t)n || fflush(copy) != 0))
            _exit(1);
        copied += (size_t)n;
        if (fwrite(chunk, 1, (size_t)n, out) != (size_t)n || fflush(out) != 0)
            _exit(1);
    }
}

/* Read the rest of a stream, so that its copy is whole, and end its
 * copier. Returns 0 when the copier copied the stream to its end. */
static int finish_stream(struct feed_name *name)
{
    if (name->child <= 0)
        return name->torn ? -1 : 0;
    char chunk[65536];
    ssize_t n;
    while ((n = read(name->stream, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        ;
    int status = 0;
    pid_t waited;
    while ((waited = waitpid(name->child, &status, 0)) < 0 && errno == EINTR)
        ;
    name->child = -1;
    name->torn = n < 0 || waited < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return name->torn ? -1 : 0;
}

/* Make the document ready to be parsed again from its start after a try
 * the server rolled back: the file, else the copy of the stream once the
 * rest of the stream was read into it. Returns the descriptor to parse,
 * or -1 when it cannot be parsed again. */
static int parse_again(struct feed_name *name)
{
    if (name->replay < 0)
        return -1;
    if (name->stream >= 0) {
        if (finish_stream(name) < 0)
            return -1;
        close(name->stream);
        name->stream = -1;
    }
    if (lseek(name->replay, name->start, SEEK_SET) < 0)
        return -1;
    return name->replay;
}

/* Keep the document as it came when it changed something, in the feed's
 * transaction (before_commit): read back from the file, or from the copy
 * of a stream once the rest of the stream was read. */
static int keep_document(struct fk_store *store, int64_t feed_id,
                         const struct fk_archive_result *result, void *ctx, struct fk_error *err)
{
    struct feed_name *name = ctx;
    if (name->copy < 0 || !fk_archive_changed(result))
        return 0;
    (void)finish_stream(name);
    struct stat st;
    if (fstat(name->copy, &st) < 0 || (uint64_t)st.st_size > IMPORT_RAW_MAX)
        return 0;
    size_t size = (size_t)st.st_size;
    char *data = fk_xmalloc(size ? size : 1);
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(name->copy, data + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    int rc = 0;
    if (got == size) {
        struct fk_raw_document doc = {
            .feed_id = feed_id,
            .url = result->feed_url,
            .time = name->time,
            .data = data,
            .size = size,
        };
        rc = fk_store_put_raw(store, &doc, err) < 0 ? -1 : 0;
    }
    free(data);
    return rc;
}

int cmd_import(int argc, char **argv, struct cli *cli)
{
    struct fk_parse_options parse_options = {0};
    const char *path;
    int fd;
    bool no_keep_raw = take_no_keep_raw(&argc, argv);
    struct asset_settings assets;
    asset_settings_init(&assets);
    int code = asset_take_options(&argc, argv, "import", &assets);
    if (code != CLI_CONTINUE)
        return code;
    code = cli_feed_file_args(argc, argv, false, cli, "import", help, &parse_options, &path, &fd);
    if (code != CLI_CONTINUE)
        return code;
    code = EXIT_OK;
    struct fk_store *store = cli_create_store(cli);
    if (!store) {
        if (fd != STDIN_FILENO)
            close(fd);
        return EXIT_IO;
    }

    struct feed_name name = {
        .path = path,
        .base_url = parse_options.base_url,
        .fd = fd,
        .progress = !cli->quiet,
        .copy = -1,
        .stream = -1,
        .child = -1,
        .time = (int64_t)time(NULL),
        .replay = -1,
    };
    /* Only PostgreSQL rolls a document back for a deadlock (see the loop
     * below): there, a stream is copied whole, to be parsed again. */
    bool again = fk_store_is_postgresql(store);
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    bool keep = !no_keep_raw && stat_ok;
    if (stat_ok && S_ISREG(st.st_mode))
        name.size = (int64_t)st.st_size;
    struct fk_archive_options archive_options = {
        .choose_url = choose_feed_url,
        .base_url = parse_options.base_url,
        .charset = parse_options.charset,
        .on_warning = on_warning,
        .before_commit = keep_document,
        .on_progress = on_progress,
        .warned = &name.warned,
        .ctx = &name,
    };
    FILE *copy = NULL;
    int parse_fd = fd;
    if (stat_ok && S_ISREG(st.st_mode)) {
        if (keep && (uint64_t)st.st_size <= IMPORT_RAW_MAX)
            name.copy = fd;
        if (again && (name.start = lseek(fd, 0, SEEK_CUR)) >= 0)
            name.replay = fd;
    } else if ((keep || again) && (copy = tmpfile()) != NULL) {
        name.stream = tee_stream(fd, copy, again ? SIZE_MAX : IMPORT_RAW_MAX, &name.child);
        if (name.stream >= 0) {
            if (keep)
                name.copy = fileno(copy);
            if (again)
                name.replay = fileno(copy);
            parse_fd = name.stream;
        }
    }
    struct fk_archive_result result;
    struct fk_error err = {0};
    /* On PostgreSQL two imports (or an import and a fetch) filing
     * documents that carry the same articles in opposite orders can
     * deadlock: the server rolls one back (busy), which is filed again,
     * whole, a moment later. Only that try's result counts. */
    int rc;
    for (int tries = 1;; tries++) {
        rc = fk_archive_fd(store, parse_fd, &archive_options, &result, &err);
        if (rc == 0 || err.kind != FK_ERROR_BUSY || !fk_store_is_postgresql(store) ||
            tries == IMPORT_TRIES)
            break;
        int replay_fd = parse_again(&name);
        if (replay_fd < 0)
            break;
        parse_fd = replay_fd;
        if (result.items > name.resumed)
            name.resumed = result.items;
        fk_archive_result_release(&result);
        nanosleep(&(struct timespec){.tv_nsec = (20 + (long)getpid() % 80) * 1000L * 1000}, NULL);
        err = (struct fk_error){0};
    }
    if (rc < 0) {
        if (err.kind == FK_ERROR_DB || err.kind == FK_ERROR_BUSY) {
            code = msg_fk_error(&err);
        } else {
            msg_error("'%s': %s", path, err.message);
            code = EXIT_FAILED;
        }
    }
    if (name.stream >= 0)
        close(name.stream);
    if (name.child > 0) {
        /* Done with the stream before its end: its copier is not needed. */
        (void)kill(name.child, SIGTERM);
        (void)waitpid(name.child, NULL, 0);
    }
    if (copy)
        fclose(copy);
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
    /* Offline unless asked: --assets fetches those of the feed's articles. */
    if (code == EXIT_OK && assets.mode == ASSETS_ALL && result.feed_id) {
        fflush(stdout);
        code = asset_run(store, cli, &assets, NULL, &result.feed_id, 1);
    }

    fk_archive_result_release(&result);
    fk_store_close(store);
    if (fd != STDIN_FILENO)
        close(fd);
    return code;
}
