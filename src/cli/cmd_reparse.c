/* cmd_reparse.c - feedkeep reparse: the derived forms of archived
 * articles again from their stored HTML, or the articles again from the
 * stored raw documents (--raw). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/archive.h"
#include "feedkeep/content.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep reparse [options] [ID...]\n"
    "\n"
    "Convert the stored HTML of all archived articles (or those the filters\n"
    "or IDs select) again with this version of feedkeep (the feed's HTML, or\n"
    "the article extracted from the item's page when that is the article's\n"
    "text; see 'feedkeep feeds set ID full-text'): their text,\n"
    "Markdown, code blocks and full-text index are rewritten where they\n"
    "differ, and so are the images and media they use (see 'feedkeep\n"
    "assets': an archive made before they were kept gets them this way).\n"
    "Identity, dates, title, tags and feeds stay; a version is\n"
    "recorded only for an article whose text changed. Each article is\n"
    "rewritten in a transaction of its own: an interrupted reparse loses\n"
    "nothing and can be run again. Prints 'reparse: N articles, M rewritten,\n"
    "K with a new version'.\n"
    "\n"
    "With --raw, file the raw documents the archive kept (see 'feedkeep\n"
    "import --help') again, in the order they were kept, each as its feed,\n"
    "as an import would: an unchanged document changes nothing. Prints\n"
    "'reparse: N documents, M new, K updated'.\n"
    "\n"
    "Options:\n"
    "  --raw             re-file from the stored raw documents (no filters)\n"
    "  --dry-run         only count what would be rewritten (text or\n"
    "                    Markdown differs); write nothing\n" CLI_FILTER_HELP
    "  --db PATH         the archive\n"
    "  -q, --quiet       print nothing unless something failed\n"
    "  -h, --help        show this help\n";

struct reparse {
    struct fk_store *store;
    const struct cli *cli;
    const int64_t *ids; /* only these (nids > 0) */
    size_t nids;
    bool dry_run;
    long articles, rewritten, changed;
    struct fk_error err;
};

static bool selected(const struct reparse *r, int64_t id)
{
    if (!r->nids)
        return true;
    for (size_t i = 0; i < r->nids; i++) {
        if (r->ids[i] == id)
            return true;
    }
    return false;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* --dry-run: whether content differs from what the archive has. */
static int differs(struct reparse *r, int64_t id, const struct fk_content *content, bool *text)
{
    struct fk_article a;
    int rc = fk_store_get_article(r->store, id, &a, &r->err);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    *text = !same(a.text, content->text);
    rc = *text || !same(a.markdown, content->markdown);
    fk_article_release(&a);
    return rc;
}

static int reparse_one(const struct fk_article_source *source, void *ctx)
{
    struct reparse *r = ctx;
    if (!selected(r, source->id))
        return 0;
    r->articles++;
    if (r->articles % 100 == 0)
        msg_progress("reparse: %ld articles, %ld rewritten", r->articles, r->rewritten);
    struct fk_content content = {0};
    struct fk_error err = {0};
    const char *html = source->html;
    if (fk_content_from_html(html, html ? strlen(html) : 0, source->base_url, &content, &err) < 0) {
        /* Kept as it is, as when it was filed without text. */
        msg_warn("article %lld: %s", (long long)source->id, err.message);
        fk_content_release(&content);
        return 0;
    }
    int rc = 0;
    if (r->dry_run) {
        bool text = false;
        rc = differs(r, source->id, &content, &text);
        if (rc > 0) {
            r->rewritten++;
            r->changed += text;
        }
    } else {
        enum fk_reparse_result result;
        rc = fk_store_reparse_article(r->store, source->id, &content, &result, &r->err);
        if (rc == 0 && (result == FK_REPARSE_REWRITTEN || result == FK_REPARSE_CHANGED))
            r->rewritten++;
        if (rc == 0 && result == FK_REPARSE_CHANGED)
            r->changed++;
    }
    fk_content_release(&content);
    return rc < 0 ? -1 : 0;
}

/* --raw: the documents, copied out of the walk (which must not write). */
struct raw_copy {
    int64_t feed_id;
    char *url;
    char *content_type;
    char *data;
    size_t size;
};

struct raw_list {
    struct raw_copy *docs;
    size_t n, cap;
};

static int copy_raw(const struct fk_raw_document *doc, void *ctx)
{
    struct raw_list *list = ctx;
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->docs = fk_xrealloc(list->docs, list->cap * sizeof *list->docs);
    }
    struct raw_copy *c = &list->docs[list->n++];
    c->feed_id = doc->feed_id;
    c->url = fk_xstrdup(doc->url ? doc->url : "");
    c->content_type = doc->content_type ? fk_xstrdup(doc->content_type) : NULL;
    c->data = fk_xmalloc(doc->size ? doc->size : 1);
    memcpy(c->data, doc->data, doc->size);
    c->size = doc->size;
    return 0;
}

/* The charset parameter of a kept Content-Type, or NULL. */
static const char *charset_of(const char *content_type)
{
    const char *p = content_type ? strstr(content_type, "charset=") : NULL;
    return p && p[8] ? p + 8 : NULL;
}

static int reparse_raw(struct reparse *r, long counts[FK_PUT_COUNT])
{
    struct raw_list list = {NULL, 0, 0};
    int code = EXIT_OK;
    if (fk_store_list_raw(r->store, 0, copy_raw, &list, &r->err) < 0)
        code = msg_fk_error(&r->err);
    for (size_t i = 0; code == EXIT_OK && i < list.n; i++) {
        const struct raw_copy *doc = &list.docs[i];
        struct fk_subscription feed;
        int found = fk_store_find_feed(r->store, NULL, doc->feed_id, &feed, &r->err);
        if (found < 0) {
            code = msg_fk_error(&r->err);
            break;
        }
        if (found > 0)
            continue;
        const char *charset = charset_of(doc->content_type);
        struct fk_archive_options options = {
            .feed_url = feed.url,
            .base_url = doc->url,
            .charset = charset,
            .charset_from_transport = charset != NULL,
        };
        struct fk_archive_result result;
        struct fk_error err = {0};
        r->articles++;
        if (fk_archive_memory(r->store, doc->data, doc->size, &options, &result, &err) < 0) {
            if (err.kind == FK_ERROR_DB || err.kind == FK_ERROR_BUSY) {
                code = msg_fk_error(&err);
            } else {
                msg_error("'%s': %s", doc->url, err.message);
                code = EXIT_FAILED;
            }
        }
        for (int k = 0; k < FK_PUT_COUNT; k++)
            counts[k] += result.counts[k];
        fk_archive_result_release(&result);
        fk_subscription_release(&feed);
    }
    for (size_t i = 0; i < list.n; i++) {
        free(list.docs[i].url);
        free(list.docs[i].content_type);
        free(list.docs[i].data);
    }
    free(list.docs);
    return code;
}

int cmd_reparse(int argc, char **argv, struct cli *cli)
{
    enum { OPT_RAW = 0x200, OPT_DRY_RUN };
    static const struct option options[] = {
        {"raw", no_argument, NULL, OPT_RAW},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        CLI_FILTER_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_filter filter;
    cli_filter_init(&filter, argc, argv);
    struct reparse r = {.cli = cli};
    struct fk_store *store = NULL;
    int64_t *ids = NULL;
    bool raw = false;
    int code = EXIT_OK;
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = cli_filter_option(opt, optarg, &filter, "reparse");
        if (rc == CLI_NOT_COMMON) {
            if (opt == OPT_RAW)
                raw = true;
            else if (opt == OPT_DRY_RUN)
                r.dry_run = true;
            else
                rc = cli_common_option(opt, optarg, cli, "reparse", help);
            if (opt == OPT_RAW || opt == OPT_DRY_RUN)
                rc = CLI_CONTINUE;
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (raw && (filter.given || optind < argc || r.dry_run)) {
        code = msg_usage("reparse", "--raw takes no filters, IDs or --dry-run");
        goto out;
    }
    if ((code = cli_filter_open(&filter, cli, "reparse", &store)) != EXIT_OK)
        goto out;
    r.store = store;
    if (raw) {
        long counts[FK_PUT_COUNT] = {0};
        code = reparse_raw(&r, counts);
        if (code == EXIT_OK && !cli->quiet)
            printf("reparse: %ld documents, %ld new, %ld updated\n", r.articles, counts[FK_PUT_NEW],
                   counts[FK_PUT_UPDATED]);
        goto out;
    }
    ids = fk_xcalloc((size_t)(argc - optind) + 1, sizeof *ids);
    for (int i = optind; i < argc; i++) {
        if ((code = cli_find_article(store, "reparse", argv[i], &ids[r.nids])) != EXIT_OK)
            goto out;
        r.nids++;
    }
    r.ids = ids;
    int rc =
        fk_store_list_sources(store, filter.given ? &filter.filter : NULL, reparse_one, &r, &r.err);
    msg_progress_clear();
    if (rc < 0) {
        code = msg_fk_error(&r.err);
        goto out;
    }
    if (!cli->quiet)
        printf("reparse: %ld articles, %ld %s, %ld with a new version\n", r.articles, r.rewritten,
               r.dry_run ? "would be rewritten" : "rewritten", r.changed);
out:
    free(ids);
    fk_store_close(store);
    cli_filter_release(&filter);
    return code;
}
