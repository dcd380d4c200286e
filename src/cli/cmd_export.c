/* cmd_export.c - feedkeep export: articles as Markdown files with YAML
 * front matter, or as JSON Lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/export.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep export [options] [ID|URL...]\n"
    "\n"
    "Write archived articles as Markdown files with YAML front matter (title,\n"
    "author, date, updated, url, guid, feed, tags), one file per article\n"
    "named YYYY-MM-DD-SLUG.md. A file that already holds what would be\n"
    "written is left alone, so running export again rewrites only the\n"
    "articles that changed. Articles are named by ID or URL (link or guid);\n"
    "without any, every article the filters match.\n"
    "\n"
    "Options:\n"
    "  --dir DIR         write into DIR (default: ./feedkeep-export; created\n"
    "                    when missing)\n" CLI_FILTER_HELP
    "  --format FORMAT   md: the files (default); jsonl: the same records as\n"
    "                    JSON Lines on standard output, and no files\n"
    "  --stdout          print the article's file on standard output instead\n"
    "                    (one article)\n"
    "  --db PATH         the archive\n"
    "  -q, --quiet       no summary line\n"
    "  -h, --help        show this help\n"
    "\n"
    "JSON fields: id, file, title, author, date, updated, url, guid, feed,\n"
    "tags, markdown.\n";

#define DEFAULT_DIR "feedkeep-export"

enum export_format { FORMAT_FILES, FORMAT_JSONL };

/* The articles to export, in the order listed, with their file names. */
struct export_list {
    struct fk_export_name *names;
    size_t count, cap;
};

static void add_name(struct export_list *list, const struct fk_article *a)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->names = fk_xrealloc(list->names, list->cap * sizeof *list->names);
    }
    struct fk_export_name *n = &list->names[list->count++];
    n->id = a->id;
    fk_export_base_name(a->date, a->updated, a->title, a->guid ? a->guid : a->url, n->name);
}

static int collect(const struct fk_article *a, void *ctx)
{
    add_name(ctx, a);
    return 0;
}

static void add_json(struct fk_buf *buf, const struct fk_article *a, const char *file)
{
    fk_buf_printf(buf, "{\"id\":%lld,\"file\":", (long long)a->id);
    fk_json_string(buf, file);
    static const char *const keys[] = {"title", "author"};
    const char *values[] = {a->title, a->author};
    for (size_t i = 0; i < 2; i++) {
        fk_buf_printf(buf, ",\"%s\":", keys[i]);
        fk_json_string(buf, values[i]);
    }
    fk_buf_adds(buf, ",\"date\":");
    fk_json_time(buf, a->date);
    fk_buf_adds(buf, ",\"updated\":");
    fk_json_time(buf, a->updated);
    fk_buf_adds(buf, ",\"url\":");
    fk_json_string(buf, a->url);
    fk_buf_adds(buf, ",\"guid\":");
    fk_json_string(buf, a->guid);
    fk_buf_adds(buf, ",\"feed\":");
    fk_json_string(buf, a->feed_url);
    fk_buf_adds(buf, ",\"tags\":[");
    for (size_t i = 0; i < a->ntags; i++) {
        if (i)
            fk_buf_addc(buf, ',');
        fk_json_string(buf, a->tags[i]);
    }
    fk_buf_adds(buf, "],\"markdown\":");
    fk_json_string(buf, a->markdown);
    fk_buf_adds(buf, "}\n");
}

/* Print one article's file on stdout: to a terminal without control
 * sequences, as everything from feeds. */
static void print_document(const struct fk_article *a)
{
    struct fk_buf doc = FK_BUF_INIT, buf = FK_BUF_INIT;
    fk_export_document(&doc, a);
    if (out_is_terminal())
        out_add_safe(&buf, doc.data ? doc.data : "", true);
    else
        fk_buf_add(&buf, doc.data ? doc.data : "", doc.len);
    out_flush(&buf);
    fk_buf_release(&buf);
    fk_buf_release(&doc);
}

/* Look up the articles named on the command line (IDs or URLs). */
static int collect_ids(struct fk_store *store, char **ids, int nids, struct export_list *list)
{
    for (int i = 0; i < nids; i++) {
        struct fk_article a;
        struct fk_error err = {0};
        int64_t id;
        int code = cli_find_article(store, "export", ids[i], &id);
        if (code != EXIT_OK)
            return code;
        int rc = fk_store_get_article(store, id, &a, &err);
        if (rc < 0)
            return msg_fk_error(&err);
        if (rc > 0) {
            msg_error("no article with ID %lld", (long long)id);
            return EXIT_FAILED;
        }
        add_name(list, &a);
        fk_article_release(&a);
    }
    return EXIT_OK;
}

struct counts {
    size_t written, kept, skipped;
};

/* Write or print each article of the list. */
static int export_all(struct fk_store *store, const struct export_list *list,
                      enum export_format format, bool to_stdout, int dir_fd, struct counts *counts)
{
    struct fk_buf buf = FK_BUF_INIT;
    int code = EXIT_OK;
    for (size_t i = 0; i < list->count && code == EXIT_OK; i++) {
        const struct fk_export_name *n = &list->names[i];
        struct fk_article a;
        struct fk_error err = {0};
        int rc = fk_store_get_article(store, n->id, &a, &err);
        if (rc != 0) {
            /* Gone since it was listed: nothing to export. */
            if (rc < 0)
                code = msg_fk_error(&err);
            continue;
        }
        if (to_stdout) {
            print_document(&a);
        } else if (format == FORMAT_JSONL) {
            add_json(&buf, &a, n->name);
            out_flush(&buf);
        } else {
            enum fk_export_write_result result;
            fk_buf_reset(&buf);
            fk_export_document(&buf, &a);
            if (fk_export_write(dir_fd, n->name, buf.data, buf.len, &result, &err) < 0) {
                msg_warn("article %lld not exported: %s", (long long)n->id, err.message);
                counts->skipped++;
            } else if (result == FK_EXPORT_WRITTEN) {
                counts->written++;
            } else {
                counts->kept++;
            }
        }
        fk_article_release(&a);
    }
    fk_buf_release(&buf);
    return code;
}

int cmd_export(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"dir", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"stdout", no_argument, NULL, 'S'},
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    cli_filter_init(&filter, argc, argv);
    struct export_list list = {NULL, 0, 0};
    struct fk_store *store = NULL;
    const char *dir = DEFAULT_DIR;
    enum export_format format = FORMAT_FILES;
    bool to_stdout = false;
    int dir_fd = -1;
    int code = EXIT_OK;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int rc = cli_filter_option(opt, optarg, &filter, "export");
        if (rc == CLI_NOT_COMMON) {
            switch (opt) {
            case 'd':
                dir = optarg;
                rc = CLI_CONTINUE;
                break;
            case 'f':
                rc = CLI_CONTINUE;
                if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
                    format = FORMAT_JSONL;
                else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
                    format = FORMAT_FILES;
                else
                    rc = msg_usage("export", "unknown format '%s' (md or jsonl)", optarg);
                break;
            case 'S':
                to_stdout = true;
                rc = CLI_CONTINUE;
                break;
            default:
                rc = cli_common_option(opt, optarg, cli, "export", help);
                break;
            }
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    int nids = argc - optind;
    if (to_stdout && nids != 1) {
        code = msg_usage("export", "--stdout takes one article");
        goto out;
    }
    if (to_stdout && format == FORMAT_JSONL) {
        code = msg_usage("export", "--stdout and --format jsonl do not go together");
        goto out;
    }
    if (nids && filter.given) {
        code = msg_usage("export", "give article IDs or filters, not both");
        goto out;
    }

    store = cli_open_store(cli);
    if (!store) {
        code = EXIT_IO;
        goto out;
    }
    struct fk_error err = {0};
    if (nids) {
        code = collect_ids(store, argv + optind, nids, &list);
    } else if ((code = cli_filter_resolve(&filter, store, "export")) == EXIT_OK &&
               fk_store_list(store, &filter.filter, collect, &list, &err) < 0) {
        code = msg_fk_error(&err);
    }
    if (code != EXIT_OK)
        goto out;
    fk_export_unique_names(list.names, list.count);

    if (format == FORMAT_FILES && !to_stdout) {
        dir_fd = fk_export_open_dir(dir, &err);
        if (dir_fd < 0) {
            code = msg_fk_error(&err);
            goto out;
        }
    }
    struct counts counts = {0, 0, 0};
    code = export_all(store, &list, format, to_stdout, dir_fd, &counts);
    if (format == FORMAT_FILES && !to_stdout) {
        if (code == EXIT_OK && counts.skipped)
            code = EXIT_IO;
        if (!cli->quiet)
            printf("%s: %zu written, %zu kept, %zu skipped\n", dir, counts.written, counts.kept,
                   counts.skipped);
    }
out:
    if (dir_fd >= 0)
        close(dir_fd);
    fk_store_close(store);
    free(list.names);
    cli_filter_release(&filter);
    return code;
}
