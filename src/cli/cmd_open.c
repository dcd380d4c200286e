/* cmd_open.c - feedkeep open ID|URL: the page of show --html in a browser.
 *
 * The page is written into the cache (it is made again from the archive
 * whenever it is opened), atomically and never through a link, and the
 * browser gets its path. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/export.h"
#include "feedkeep/store.h"

#ifdef __APPLE__
#define DEFAULT_BROWSER "open"
#else
#define DEFAULT_BROWSER "xdg-open"
#endif

static const char help[] =
    "usage: feedkeep open [options] ID|URL\n"
    "\n"
    "Write the page 'feedkeep show --html' makes of the article (its images\n"
    "inlined, nothing that runs) to $XDG_CACHE_HOME/feedkeep/pages/ID.html\n"
    "(else ~/.cache/feedkeep/pages/ID.html), print its path and open it with\n"
    "the browser: $BROWSER (its first entry when it lists several, split by\n"
    "':'), else xdg-open, or open on macOS.\n"
    "\n"
    "Options:\n"
    "  --no-browser      write the page and print its path only\n"
    "  --db PATH         the archive\n"
    "  -q, --quiet       do not print the path\n"
    "  -h, --help        show this help\n";

/* The folder of the pages into path, or false when there is no cache. */
static bool pages_dir(struct fk_buf *path)
{
    const char *env = getenv("XDG_CACHE_HOME");
    if (env && *env == '/')
        return fk_buf_printf(path, "%s/feedkeep/pages", env) == 0;
    env = getenv("HOME");
    if (env && *env)
        return fk_buf_printf(path, "%s/.cache/feedkeep/pages", env) == 0;
    return false;
}

/* Write the page of article id as ID.html in dir; its path into path. */
static int write_page(struct fk_store *store, int64_t id, const char *dir, struct fk_buf *path)
{
    struct fk_article article;
    struct fk_error err = {0};
    int code = cli_article_status(fk_store_get_article(store, id, &article, &err), &err, id);
    if (code != EXIT_OK)
        return code;
    struct fk_buf page;
    fk_buf_init(&page, (size_t)128 << 20);
    size_t remote = 0;
    char name[32];
    snprintf(name, sizeof name, "%lld.html", (long long)id);
    int dir_fd = -1;
    enum fk_export_write_result result;
    if (fk_export_html_page(&page, store, &article, NULL, &remote, &err) < 0 ||
        (dir_fd = fk_export_open_dir(dir, &err)) < 0 ||
        fk_export_write(dir_fd, name, page.data, page.len, &result, &err) < 0) {
        code = msg_fk_error(&err);
    } else {
        if (remote)
            msg_warn("article %lld: %zu stored images not inlined (over %zu MiB); they stay links",
                     (long long)id, remote, FK_EXPORT_PAGE_INLINE_MAX >> 20);
        fk_buf_printf(path, "%s/%s", dir, name);
    }
    if (dir_fd >= 0)
        close(dir_fd);
    fk_buf_release(&page);
    fk_article_release(&article);
    return code;
}

/* Run browser (a command line, as $BROWSER holds one) on path and wait
 * for it. */
static int run_browser(const char *browser, const char *path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        msg_error("cannot start '%s': %s", browser, strerror(errno));
        return EXIT_FAILED;
    }
    if (pid == 0) {
        /* The path is an argument of the shell, never part of the line. */
        size_t len = strlen(browser) + sizeof " \"$1\"";
        char *line = malloc(len);
        if (!line)
            _exit(127);
        snprintf(line, len, "%s \"$1\"", browser);
        execl("/bin/sh", "sh", "-c", line, "sh", path, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            msg_error("cannot wait for '%s': %s", browser, strerror(errno));
            return EXIT_FAILED;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        msg_error("'%s' failed (%s %d); the page is '%s'", browser,
                  WIFEXITED(status) ? "exit status" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), path);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}

int cmd_open(int argc, char **argv, struct cli *cli)
{
    enum { OPT_NO_BROWSER = 0x200 };
    static const struct option options[] = {
        {"no-browser", no_argument, NULL, OPT_NO_BROWSER},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    bool browse = true;
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == OPT_NO_BROWSER)
            browse = false;
        else
            rc = cli_common_option(opt, optarg, cli, "open", help);
        if (rc != CLI_CONTINUE)
            return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
    }
    if (optind >= argc)
        return msg_usage("open", "open needs an article ID or URL");
    if (argc - optind > 1)
        return msg_usage("open", "open takes one article ID or URL");

    struct fk_buf dir = FK_BUF_INIT, path = FK_BUF_INIT, browser = FK_BUF_INIT;
    struct fk_store *store = NULL;
    int64_t id;
    int code = EXIT_OK;
    if (!pages_dir(&dir)) {
        msg_error("no cache for the page: set XDG_CACHE_HOME or HOME");
        code = EXIT_IO;
        goto out;
    }
    const char *env = getenv("BROWSER");
    if (env)
        fk_buf_add(&browser, env, strcspn(env, ":"));
    if (!browser.len)
        fk_buf_adds(&browser, DEFAULT_BROWSER);
    if (!(store = cli_open_store(cli))) {
        code = EXIT_IO;
        goto out;
    }
    if ((code = cli_find_article(store, "open", argv[optind], &id)) != EXIT_OK ||
        (code = write_page(store, id, dir.data, &path)) != EXIT_OK)
        goto out;
    if (!cli->quiet)
        printf("%s\n", path.data);
    if (browse)
        code = run_browser(browser.data, path.data);
out:
    fk_store_close(store);
    fk_buf_release(&dir);
    fk_buf_release(&path);
    fk_buf_release(&browser);
    return code;
}
