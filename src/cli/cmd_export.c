/* cmd_export.c - feedkeep export: articles as Markdown files with YAML
 * front matter, or as JSON Lines.
 *
 * The archive records, per export directory, the name each article was
 * first exported under and the file written for it: names stay when
 * titles change, --prune removes only files feedkeep wrote, and --changed
 * exports only what was filed or changed since the last export there. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/devto.h"
#include "feedkeep/export.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep export [options] [ID|URL...]\n"
    "\n"
    "Write archived articles as Markdown files with YAML front matter, one\n"
    "file per article named YYYY-MM-DD-SLUG.md. An article keeps the name it\n"
    "was first exported under in a directory, even when its title changes. A\n"
    "file that already holds what would be written is left alone, so running\n"
    "export again rewrites only the articles that changed. Articles are named\n"
    "by ID or URL (link or guid); without any, every article the filters\n"
    "match.\n"
    "\n"
    "Options:\n"
    "  --dir DIR         write into DIR (default: ./feedkeep-export; created\n"
    "                    when missing)\n"
    "  --for TOOL        plain (the default): title, author, date, updated,\n"
    "                    url, guid, feed, tags; hugo: lastmod and source_url\n"
    "                    for updated and url, tags Hugo can link, a page\n"
    "                    bundle NAME/index.md; jekyll: last_modified_at and\n"
    "                    source_url; obsidian: tags made Obsidian tags (the\n"
    "                    feed's in feed_tags when they differ)\n"
    "  --changed         only articles filed or changed since the last export\n"
    "                    to DIR, and those never exported there\n"
    "  --prune           remove the files feedkeep wrote in DIR for articles\n"
    "                    the filters no longer select (never another file)\n"
    "  --ascii-names     file names of ASCII letters and digits only (other\n"
    "                    letters are kept by default)\n"
    "  --title-heading   start the body with '# TITLE'\n"
    "  --assets MODE     remote (the default): keep the URLs; copy: write the\n"
    "                    stored assets beside the articles (hugo: in the page\n"
    "                    bundle; obsidian: attachments/; else assets/), named\n"
    "                    by SHA-256, and link them; the rest stay remote\n"
    "  --assets-dir D    with copy: shared files go to D, not DIR/assets\n"
    "  --assets-url URL  with --assets-dir: links start with URL\n" CLI_FILTER_HELP
    "  --format FORMAT   md: the files (default); jsonl: the same records as\n"
    "                    JSON Lines on standard output, and no files\n"
    "  --stdout          print the article's file on standard output instead\n"
    "                    (one article)\n"
    "  --db PATH         the archive\n"
    "  -q, --quiet       no summary line\n"
    "  -h, --help        show this help\n"
    "\n"
    "JSON fields: those of 'feedkeep list' (id, guid, url, title, author,\n"
    "date, published, updated, first_seen, last_seen, tags, feed), then file\n"
    "and markdown.\n";

#define DEFAULT_DIR "feedkeep-export"

enum export_format { FORMAT_FILES, FORMAT_JSONL };

enum {
    OPT_FOR = 0x200,
    OPT_CHANGED,
    OPT_PRUNE,
    OPT_ASCII_NAMES,
    OPT_TITLE_HEADING,
    OPT_ASSETS,
    OPT_ASSETS_DIR,
    OPT_ASSETS_URL,
};

/* The articles to export: added to the store's export tables
 * (fk_store_export_add) in the order listed, with the names they want. */
struct export_list {
    struct fk_store *store;
    size_t count;
    bool ascii;
    struct fk_error *err; /* where collect and keep say what failed */
};

static int add_name(struct export_list *list, const struct fk_article *a, struct fk_error *err)
{
    char name[FK_EXPORT_NAME_SIZE];
    fk_export_base_name(a->date, a->updated, a->title, a->guid ? a->guid : a->url, list->ascii,
                        name);
    if (fk_store_export_add(list->store, a->id, name, err) < 0)
        return -1;
    list->count++;
    return 0;
}

static int collect(const struct fk_article *a, void *ctx)
{
    struct export_list *list = ctx;
    return add_name(list, a, list->err);
}

/* An article --prune keeps. */
static int keep(const struct fk_article *a, void *ctx)
{
    struct export_list *list = ctx;
    return fk_store_export_keep(list->store, a->id, list->err);
}

/* The JSON of an article as everywhere (out_article_json), with the file
 * name and the Markdown. */
static void add_json(struct fk_buf *buf, const struct fk_article *a, const char *file)
{
    fk_buf_addc(buf, '{');
    out_article_json(buf, a);
    fk_json_member_str(buf, "file", file);
    fk_json_member_str(buf, "markdown", a->markdown);
    fk_buf_adds(buf, "}\n");
}

/* Print one article's file on stdout: to a terminal without control
 * sequences, as everything from feeds. */
static void print_document(const struct fk_article *a, const struct fk_export_options *options)
{
    struct fk_buf doc = FK_BUF_INIT, buf = FK_BUF_INIT;
    fk_export_document(&doc, a, options);
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
        if ((code = cli_article_status(rc, &err, id)) != EXIT_OK)
            return code;
        rc = add_name(list, &a, &err);
        fk_article_release(&a);
        if (rc < 0)
            return msg_fk_error(&err);
    }
    return EXIT_OK;
}

struct counts {
    size_t written, kept, skipped, removed;
    size_t assets_written, assets_failed; /* asset files, --assets copy */
};

/* What one export run is: options and where the files go. */
struct run {
    struct fk_export_options options;
    enum export_format format;
    bool to_stdout;
    bool copy_assets;
    const struct fk_export_asset_folder *folder; /* --assets-dir, or NULL */
    struct fk_store *store;
    int dir_fd;
    struct counts counts;
};

/* Write the file of article a, entry of the export, as path; when its
 * record names another file (it was exported for another tool before),
 * remove that one. */
static int write_article(struct run *run, const struct fk_article *a,
                         const struct fk_export_entry *entry, const char *path, struct fk_buf *buf)
{
    struct fk_error err = {0};
    enum fk_export_write_result result;
    struct fk_export_assets assets = {0};
    struct fk_export_options options = run->options;
    if (run->copy_assets) {
        int rc = fk_export_copy_assets(run->store, run->dir_fd, options.profile, run->folder, a->id,
                                       entry->name, &assets, &err);
        if (rc < 0) {
            fk_export_assets_release(&assets);
            return msg_fk_error(&err);
        }
        if (assets.failed)
            msg_warn("article %lld: %zu asset file%s not written, %s stay%s remote: %s",
                     (long long)a->id, assets.failed, assets.failed == 1 ? "" : "s",
                     assets.failed == 1 ? "its link" : "their links", assets.failed == 1 ? "s" : "",
                     assets.failure.message);
        run->counts.assets_written += assets.written;
        run->counts.assets_failed += assets.failed;
        options.links = assets.links;
        options.nlinks = assets.nlinks;
    }
    fk_buf_reset(buf);
    fk_export_document(buf, a, &options);
    fk_export_assets_release(&assets);
    if (fk_export_write(run->dir_fd, path, buf->data, buf->len, &result, &err) < 0) {
        msg_warn("article %lld not exported: %s", (long long)a->id, err.message);
        run->counts.skipped++;
        return EXIT_OK;
    }
    if (result == FK_EXPORT_WRITTEN)
        run->counts.written++;
    else
        run->counts.kept++;
    const char *recorded = entry->recorded_path;
    if (recorded && strcmp(recorded, path) != 0) {
        enum fk_export_remove_result removed;
        if (fk_export_remove(run->dir_fd, recorded, entry->recorded_hash, &removed, &err) < 0)
            msg_warn("'%s' not removed: %s", recorded, err.message);
        else if (removed == FK_EXPORT_MODIFIED)
            msg_warn("'%s' not removed: changed since export wrote it", recorded);
    }
    struct fk_export_file file = {a->id, entry->name, path, fk_export_hash(buf->data, buf->len)};
    if (fk_store_export_wrote(run->store, &file, &err) < 0)
        return msg_fk_error(&err);
    return EXIT_OK;
}

/* An article read through dev.to's API is exported as its author wrote it:
 * its Markdown, without the author's front matter (the export writes its
 * own) and with Liquid embeds made links, replaces the one converted from
 * its HTML: *markdown is set to it (to free; NULL for other articles),
 * and *canonical to the URL its author calls canonical, if any (to free).
 * Returns 0, or -1 with err filled. */
static int use_author_markdown(struct fk_store *store, struct fk_article *a, char **markdown,
                               char **canonical, struct fk_error *err)
{
    struct fk_api_row api;
    *markdown = *canonical = NULL;
    int rc = fk_store_get_api(store, a->id, &api, err);
    if (rc < 0)
        return -1;
    if (rc == 0 && api.markdown)
        a->markdown = *markdown = fk_devto_markdown_export(api.markdown);
    if (rc == 0) {
        *canonical = api.canonical_url;
        api.canonical_url = NULL;
    }
    fk_api_row_release(&api);
    return 0;
}

/* Write or print each article of the list, by its number; a progress
 * line on a terminal, when progress and files are written. */
static int export_all(struct fk_store *store, const struct export_list *list, struct run *run,
                      bool progress)
{
    struct fk_buf buf = FK_BUF_INIT;
    int code = EXIT_OK;
    progress = progress && !run->to_stdout && run->format != FORMAT_JSONL;
    for (size_t i = 0; i < list->count && code == EXIT_OK; i++) {
        if (progress && i % 256 == 0)
            msg_progress("export: %zu of %zu articles", i, list->count);
        struct fk_article a;
        struct fk_error err = {0};
        struct fk_export_entry entry;
        char path[FK_EXPORT_PATH_SIZE];
        int rc = fk_store_export_get(store, (int64_t)i + 1, &entry, &err);
        if (rc != 0) {
            if (rc < 0)
                code = msg_fk_error(&err);
            break;
        }
        rc = fk_store_get_article(store, entry.id, &a, &err);
        if (rc != 0) {
            /* Gone since it was listed: nothing to export. */
            fk_export_entry_release(&entry);
            if (rc < 0)
                code = msg_fk_error(&err);
            continue;
        }
        char *author = NULL, *canonical = NULL;
        if (use_author_markdown(store, &a, &author, &canonical, &err) < 0) {
            fk_article_release(&a);
            fk_export_entry_release(&entry);
            code = msg_fk_error(&err);
            break;
        }
        run->options.canonical_url = canonical;
        fk_export_path(run->options.profile, entry.name, path);
        if (run->to_stdout) {
            print_document(&a, &run->options);
        } else if (run->format == FORMAT_JSONL) {
            add_json(&buf, &a, path);
            out_flush(&buf);
        } else {
            code = write_article(run, &a, &entry, path, &buf);
        }
        fk_article_release(&a);
        fk_export_entry_release(&entry);
        free(author);
        free(canonical);
        run->options.canonical_url = NULL;
    }
    msg_progress_clear();
    fk_buf_release(&buf);
    return code;
}

/* Pruning: the run, and where a failure to note a record is told. */
struct pruning {
    struct run *run;
    struct fk_error *err;
};

/* Remove the file of a recorded article the filters no longer select,
 * and note that its record goes. A file changed since export wrote it
 * stays, and so does its record. */
static int prune_file(const struct fk_export_file *file, void *ctx)
{
    struct pruning *pruning = ctx;
    struct run *run = pruning->run;
    struct fk_error err = {0};
    enum fk_export_remove_result result;
    if (fk_export_remove(run->dir_fd, file->path, file->hash, &result, &err) < 0) {
        msg_warn("'%s' not removed: %s", file->path, err.message);
        run->counts.skipped++;
    } else if (result == FK_EXPORT_MODIFIED) {
        msg_warn("'%s' not removed: changed since export wrote it", file->path);
    } else {
        run->counts.removed += result == FK_EXPORT_REMOVED;
        return fk_store_export_forget(run->store, file->article_id, pruning->err);
    }
    return 0;
}

int cmd_export(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"dir", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"stdout", no_argument, NULL, 'S'},
        {"for", required_argument, NULL, OPT_FOR},
        {"changed", no_argument, NULL, OPT_CHANGED},
        {"prune", no_argument, NULL, OPT_PRUNE},
        {"ascii-names", no_argument, NULL, OPT_ASCII_NAMES},
        {"title-heading", no_argument, NULL, OPT_TITLE_HEADING},
        {"assets", required_argument, NULL, OPT_ASSETS},
        {"assets-dir", required_argument, NULL, OPT_ASSETS_DIR},
        {"assets-url", required_argument, NULL, OPT_ASSETS_URL},
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    cli_filter_init(&filter, argc, argv);
    struct fk_error err = {0};
    struct export_list list = {NULL, 0, false, &err};
    struct run run = {{FK_EXPORT_PLAIN, false, NULL, 0, NULL},
                      FORMAT_FILES,
                      false,
                      false,
                      NULL,
                      NULL,
                      -1,
                      {0, 0, 0, 0, 0, 0}};
    struct fk_store *store = NULL;
    const char *dir = DEFAULT_DIR, *assets_dir = NULL, *assets_url = NULL;
    char *dir_path = NULL, *assets_path = NULL;
    struct fk_export_asset_folder folder = {-1, NULL};
    struct fk_buf folder_link = FK_BUF_INIT;
    bool changed = false, do_prune = false;
    int code = EXIT_OK;
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = cli_filter_option(opt, optarg, &filter, "export");
        if (rc == CLI_NOT_COMMON) {
            rc = CLI_CONTINUE;
            switch (opt) {
            case 'd':
                dir = optarg;
                break;
            case 'f':
                if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
                    run.format = FORMAT_JSONL;
                else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
                    run.format = FORMAT_FILES;
                else
                    rc = msg_usage("export", "unknown format '%s' (md or jsonl)", optarg);
                break;
            case 'S':
                run.to_stdout = true;
                break;
            case OPT_FOR:
                if (fk_export_profile_from_name(optarg, &run.options.profile) < 0)
                    rc = msg_usage("export",
                                   "unknown tool '%s' for --for (plain, hugo, jekyll or obsidian)",
                                   optarg);
                break;
            case OPT_CHANGED:
                changed = true;
                break;
            case OPT_PRUNE:
                do_prune = true;
                break;
            case OPT_ASCII_NAMES:
                list.ascii = true;
                break;
            case OPT_TITLE_HEADING:
                run.options.title_heading = true;
                break;
            case OPT_ASSETS:
                if (strcmp(optarg, "copy") == 0 || strcmp(optarg, "remote") == 0)
                    run.copy_assets = strcmp(optarg, "copy") == 0;
                else
                    rc = msg_usage("export", "unknown mode '%s' for --assets (copy or remote)",
                                   optarg);
                break;
            case OPT_ASSETS_DIR:
                assets_dir = optarg;
                break;
            case OPT_ASSETS_URL:
                assets_url = optarg;
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
    bool files = run.format == FORMAT_FILES && !run.to_stdout;
    if (run.to_stdout && nids != 1) {
        code = msg_usage("export", "--stdout takes one article");
        goto out;
    }
    if (run.to_stdout && run.format == FORMAT_JSONL) {
        code = msg_usage("export", "--stdout and --format jsonl do not go together");
        goto out;
    }
    if (nids && filter.given) {
        code = msg_usage("export", "give article IDs or filters, not both");
        goto out;
    }
    if ((changed || do_prune) && !files) {
        code = msg_usage("export", "--%s writes files: not with --stdout or --format jsonl",
                         changed ? "changed" : "prune");
        goto out;
    }
    if (run.copy_assets && !files) {
        code =
            msg_usage("export", "--assets copy writes files: not with --stdout or --format jsonl");
        goto out;
    }
    if ((assets_dir || assets_url) && !run.copy_assets) {
        code =
            msg_usage("export", "--assets-%s goes with --assets copy", assets_dir ? "dir" : "url");
        goto out;
    }
    if (assets_url && !assets_dir) {
        code = msg_usage("export", "--assets-url says where --assets-dir is published: give both");
        goto out;
    }
    if (assets_dir && run.options.profile == FK_EXPORT_HUGO) {
        code = msg_usage("export", "--for hugo keeps a page's images in its bundle: no "
                                   "--assets-dir");
        goto out;
    }
    if ((assets_dir && !*assets_dir) || (assets_url && !*assets_url)) {
        code = msg_usage("export", "option '--assets-%s': empty", assets_url ? "url" : "dir");
        goto out;
    }
    if ((changed || do_prune) && nids) {
        code = msg_usage("export", "--%s takes filters, not article IDs",
                         changed ? "changed" : "prune");
        goto out;
    }

    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        goto out;
    run.store = list.store = store;
    /* Taken before anything is listed: what is filed while export runs
     * is after the mark, so the next --changed export gets it. */
    int64_t started = time(NULL);
    struct fk_store_mark mark_now, mark_dir = {0, 0};
    if (fk_store_get_mark(store, &mark_now, &err) < 0) {
        code = msg_fk_error(&err);
        goto out;
    }
    if (files) {
        run.dir_fd = fk_export_open_dir(dir, &err);
        if (run.dir_fd < 0) {
            code = msg_fk_error(&err);
            goto out;
        }
    }
    /* The directory's records, when it exists (jsonl names files as they
     * would be, without making the directory). */
    dir_path = run.to_stdout ? NULL : realpath(dir, NULL);
    if (files && !dir_path) {
        msg_error("cannot resolve directory '%s': %s", dir, strerror(errno));
        code = EXIT_IO;
        goto out;
    }
    if (assets_dir) {
        folder.dir_fd = fk_export_open_dir(assets_dir, &err);
        assets_path = folder.dir_fd >= 0 ? realpath(assets_dir, NULL) : NULL;
        if (folder.dir_fd < 0) {
            code = msg_fk_error(&err);
            goto out;
        }
        if (!assets_path) {
            msg_error("cannot resolve directory '%s': %s", assets_dir, strerror(errno));
            code = EXIT_IO;
            goto out;
        }
        if (assets_url) {
            fk_buf_adds(&folder_link, assets_url);
            if (assets_url[strlen(assets_url) - 1] != '/')
                fk_buf_addc(&folder_link, '/');
        } else {
            fk_export_relative_dir(&folder_link, dir_path, assets_path);
        }
        folder.link = folder_link.data ? folder_link.data : "";
        run.folder = &folder;
    }
    /* The names are worked out in the store's temporary tables, with the
     * directory's records. */
    int64_t dir_id = 0;
    int known = dir_path ? fk_store_find_export_dir(store, dir_path, &dir_id, &mark_dir, &err) : 1;
    if (known < 0 || fk_store_export_begin(store, known == 0 ? dir_id : 0, &err) < 0) {
        code = msg_fk_error(&err);
        goto out;
    }

    if (nids) {
        code = collect_ids(store, argv + optind, nids, &list);
    } else if ((code = cli_filter_resolve(&filter, store, "export")) == EXIT_OK) {
        if (do_prune && fk_store_list(store, &filter.filter, keep, &list, &err) < 0)
            code = msg_fk_error(&err);
        if (changed && known == 0) {
            filter.filter.changed_after = &mark_dir;
            filter.filter.export_dir = dir_id;
        }
        if (code == EXIT_OK && fk_store_list(store, &filter.filter, collect, &list, &err) < 0)
            code = msg_fk_error(&err);
    }
    if (code != EXIT_OK)
        goto out;
    if (fk_export_name_articles(store, &err) < 0) {
        code = msg_fk_error(&err);
        goto out;
    }

    code = export_all(store, &list, &run, !cli->quiet);
    if (code != EXIT_OK || !files)
        goto out;
    struct pruning pruning = {&run, &err};
    if (do_prune && fk_store_export_each_unkept(store, prune_file, &pruning, &err) < 0) {
        code = msg_fk_error(&err);
        goto out;
    }
    /* A file that could not be written is tried again by the next
     * --changed export: the mark moves only when all went well. */
    bool failed = run.counts.skipped || run.counts.assets_failed;
    if (fk_store_record_export(store, dir_path, started, failed ? &mark_dir : &mark_now, &err) <
        0) {
        code = msg_fk_error(&err);
        goto out;
    }
    if (failed)
        code = EXIT_IO;
    if (!cli->quiet) {
        printf("%s: %zu written, %zu kept, %zu skipped", dir, run.counts.written, run.counts.kept,
               run.counts.skipped);
        if (do_prune)
            printf(", %zu removed", run.counts.removed);
        if (run.copy_assets) {
            printf("; %zu asset file%s written", run.counts.assets_written,
                   run.counts.assets_written == 1 ? "" : "s");
            if (run.counts.assets_failed)
                printf(", %zu not written", run.counts.assets_failed);
        }
        printf("\n");
    }
out:
    if (run.dir_fd >= 0)
        close(run.dir_fd);
    if (folder.dir_fd >= 0)
        close(folder.dir_fd);
    free(assets_path);
    fk_buf_release(&folder_link);
    free(dir_path);
    fk_store_close(store);
    cli_filter_release(&filter);
    return code;
}
