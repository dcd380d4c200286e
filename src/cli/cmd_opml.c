/* cmd_opml.c - feedkeep opml import FILE|- and opml export: subscriptions
 * in OPML, the format feed readers exchange them in. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/opml.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep opml import [options] FILE|-\n"
    "       feedkeep opml export [options]\n"
    "\n"
    "import subscribes to every feed of the OPML list in FILE (or on stdin for\n"
    "-): each outline with an xmlUrl, however deeply nested in categories,\n"
    "named by its text (else title) attribute; the outlines it is nested in\n"
    "(folders) become the feed's tags ('feeds --tag', 'list --feed-tag').\n"
    "Feeds already subscribed are\n"
    "left as they are, so importing a list twice adds nothing. A list that is\n"
    "not well-formed XML is refused whole.\n"
    "\n"
    "export writes the subscriptions as an OPML 2.0 document on stdout, each\n"
    "feed with a tag in a folder named by its first tag.\n"
    "\n"
    "Options:\n"
    "  --db PATH     the archive\n"
    "  -q, --quiet   print nothing unless something failed\n"
    "  -h, --help    show this help\n";

/* The outlines of a list, kept until the whole list has been read. */
struct outlines {
    char **urls;
    char **names;
    char **folders; /* the folder names of each, joined by newlines */
    size_t count;
    size_t cap;
    const char *source;
};

static int collect(const struct fk_opml_outline *o, void *ctx)
{
    struct outlines *list = ctx;
    if (!cli_is_feed_url(o->url)) {
        /* Not ours to fetch (or unsafe to print as it is). */
        msg_warn("'%s': skipped '%s': not an http, https or file URL", list->source,
                 o->url ? o->url : "");
        return 0;
    }
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->urls = fk_xrealloc(list->urls, list->cap * sizeof *list->urls);
        list->names = fk_xrealloc(list->names, list->cap * sizeof *list->names);
        list->folders = fk_xrealloc(list->folders, list->cap * sizeof *list->folders);
    }
    list->urls[list->count] = fk_xstrdup(o->url);
    list->names[list->count] = fk_xstrdup(o->name);
    struct fk_buf folders = FK_BUF_INIT;
    for (size_t i = 0; i < o->nfolders; i++)
        fk_buf_printf(&folders, "%s%s", i ? "\n" : "", o->folders[i]);
    list->folders[list->count] = fk_buf_detach(&folders);
    list->count++;
    return 0;
}

static int opml_import(const char *path, struct cli *cli)
{
    struct outlines list = {.source = path};
    struct fk_store *store = NULL;
    struct fk_error err = {0};
    long added = 0, known = 0;
    int code = EXIT_OK;

    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        msg_error("cannot open '%s': %s", path, strerror(errno));
        return EXIT_FAILED;
    }
    int parsed = fk_opml_parse_fd(fd, collect, &list, &err);
    if (parsed < 0) {
        msg_error("'%s': %s", path, err.message);
        code = EXIT_FAILED;
        goto out;
    }
    if (parsed > 0) /* read up to a guard: the outlines before it count */
        msg_warn("'%s': %s", path, err.message);
    if (!(store = cli_create_store(cli))) {
        code = EXIT_IO;
        goto out;
    }
    for (size_t i = 0; i < list.count; i++) {
        int64_t id = 0;
        int rc = fk_store_subscribe(store, list.urls[i], list.names[i], false, &id, &err);
        if (rc < 0) {
            code = msg_fk_error(&err);
            goto out;
        }
        /* The folders the feed is in become its tags. */
        for (char *folder = list.folders[i]; folder && *folder;) {
            size_t len = strcspn(folder, "\n");
            char *tag = fk_xstrndup(folder, len);
            int tagged = fk_store_tag_feed(store, id, tag, &err);
            free(tag);
            if (tagged < 0) {
                code = msg_fk_error(&err);
                goto out;
            }
            folder += len + (folder[len] == '\n');
        }
        if (rc)
            added++;
        else
            known++;
    }
    if (!cli->quiet)
        printf("%s: %ld subscribed, %ld already subscribed\n", path, added, known);
out:
    fk_store_close(store);
    for (size_t i = 0; i < list.count; i++) {
        free(list.urls[i]);
        free(list.names[i]);
        free(list.folders[i]);
    }
    free(list.urls);
    free(list.names);
    free(list.folders);
    if (fd != STDIN_FILENO)
        close(fd);
    return code;
}

/* The subscriptions, copied, for writing them folder by folder. */
struct exported {
    char *url, *name, *site_url;
    char *folder; /* the first of its tags, or NULL */
};

struct export_list {
    struct exported *feeds;
    size_t count;
};

static int collect_feed(const struct fk_subscription *s, void *ctx)
{
    struct export_list *list = ctx;
    list->feeds = fk_xrealloc(list->feeds, (list->count + 1) * sizeof *list->feeds);
    struct exported *e = &list->feeds[list->count++];
    const char *name = s->name ? s->name : s->title;
    e->url = fk_xstrdup(s->url);
    e->name = name ? fk_xstrdup(name) : NULL;
    e->site_url = s->site_url ? fk_xstrdup(s->site_url) : NULL;
    e->folder = s->tags_text ? fk_xstrndup(s->tags_text, strcspn(s->tags_text, "\n")) : NULL;
    return 0;
}

static int by_folder(const void *a, const void *b)
{
    const struct exported *x = a, *y = b;
    if (!x->folder || !y->folder)
        return (x->folder != NULL) - (y->folder != NULL);
    return strcmp(x->folder, y->folder);
}

/* The feeds without a tag first, then one folder per first tag. */
static void write_feeds(struct fk_buf *buf, struct export_list *list)
{
    /* A stable order within a folder: the walk's (by id). */
    for (size_t i = 1; i < list->count; i++) {
        struct exported e = list->feeds[i];
        size_t j = i;
        for (; j > 0 && by_folder(&list->feeds[j - 1], &e) > 0; j--)
            list->feeds[j] = list->feeds[j - 1];
        list->feeds[j] = e;
    }
    const char *open = NULL;
    for (size_t i = 0; i < list->count; i++) {
        const struct exported *e = &list->feeds[i];
        if (open && (!e->folder || strcmp(open, e->folder) != 0)) {
            fk_opml_end_folder(buf);
            open = NULL;
        }
        if (e->folder && !open) {
            fk_opml_begin_folder(buf, e->folder);
            open = e->folder;
        }
        struct fk_opml_outline o = {e->url, e->name, e->site_url, NULL, 0};
        fk_opml_add(buf, &o);
        out_flush(buf);
    }
    if (open)
        fk_opml_end_folder(buf);
}

static int opml_export(struct cli *cli)
{
    struct fk_buf buf = FK_BUF_INIT;
    struct fk_error err = {0};
    struct export_list list = {NULL, 0};
    int code = EXIT_OK;

    struct fk_store *store = cli_open_store(cli);
    if (!store)
        return EXIT_IO;
    if (fk_store_list_feeds(store, FK_FEEDS_SUBSCRIBED, 0, collect_feed, &list, &err) < 0) {
        code = msg_fk_error(&err);
    } else {
        fk_opml_begin(&buf, "feedkeep subscriptions", (int64_t)time(NULL));
        write_feeds(&buf, &list);
        fk_opml_end(&buf);
        out_flush(&buf);
    }
    for (size_t i = 0; i < list.count; i++) {
        free(list.feeds[i].url);
        free(list.feeds[i].name);
        free(list.feeds[i].site_url);
        free(list.feeds[i].folder);
    }
    free(list.feeds);
    fk_buf_release(&buf);
    fk_store_close(store);
    return code;
}

int cmd_opml(int argc, char **argv, struct cli *cli)
{
    int code = cli_common_options_only(argc, argv, cli, "opml", help);
    if (code != CLI_CONTINUE)
        return code;
    const char *action = optind < argc ? argv[optind] : NULL;
    int rest = argc - optind - 1;
    if (action && strcmp(action, "import") == 0) {
        if (rest != 1)
            return msg_usage("opml", "opml import takes one FILE (or - for stdin)");
        return opml_import(argv[optind + 1], cli);
    }
    if (action && strcmp(action, "export") == 0) {
        if (rest != 0)
            return msg_usage("opml", "unexpected argument '%s'", argv[optind + 1]);
        return opml_export(cli);
    }
    if (action)
        return msg_usage("opml", "unknown opml action '%s' (import or export)", action);
    return msg_usage("opml", "opml needs an action: import or export");
}
