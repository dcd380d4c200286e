/* archive.c - one feed document through the pipeline: parser, content,
 * store, in one transaction.
 *
 * The parser calls back once with the document's metadata (that is when
 * the feed's transaction opens, as the feed's URL may depend on it) and
 * once per item. Errors are carried out of the callbacks in struct filing
 * and the parser is stopped at the first one.
 */
#include "feedkeep/archive.h"

#include <stdlib.h>
#include <string.h>

#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"

struct filing {
    struct fk_store *store;
    const struct fk_archive_options *opts;
    struct fk_archive_result *result;
    bool begun;          /* the feed's transaction is open */
    bool failed;         /* a callback failed: err says why */
    struct fk_error err; /* the callbacks' error */
    long warn_item;      /* the item of the last warning, and its place */
    int warn_count;
};

/* Pass a warning about item to on_warning, unless an earlier try of the
 * document did (opts->warned). */
static void warn(struct filing *f, const struct fk_item *item, const char *message)
{
    const struct fk_archive_options *opts = f->opts;
    if (!opts->on_warning)
        return;
    if (f->warn_item != f->result->items) {
        f->warn_item = f->result->items;
        f->warn_count = 0;
    }
    f->warn_count++;
    struct fk_archive_warned *w = opts->warned;
    if (w) {
        if (f->warn_item < w->item || (f->warn_item == w->item && f->warn_count <= w->count))
            return;
        *w = (struct fk_archive_warned){f->warn_item, f->warn_count};
    }
    opts->on_warning(item, message, opts->ctx);
}

static int on_feed(const struct fk_feed_info *info, void *ctx)
{
    struct filing *f = ctx;
    const struct fk_archive_options *opts = f->opts;
    f->result->feed_url =
        opts->feed_url ? fk_xstrdup(opts->feed_url) : opts->choose_url(info, opts->ctx);
    if (fk_store_begin_feed(f->store, f->result->feed_url, info, &f->err) < 0) {
        f->failed = true;
        return 1;
    }
    f->begun = true;
    f->result->feed_id = fk_store_current_feed(f->store);
    return 0;
}

static int on_item(const struct fk_item *item, void *ctx)
{
    struct filing *f = ctx;
    const struct fk_archive_options *opts = f->opts;
    f->result->items++;
    if (opts->on_progress)
        opts->on_progress(f->result, opts->ctx);
    /* An item filed before from the same source, or carried twice by the
     * document, needs no conversion. */
    struct fk_store_pending *pending = NULL;
    int seen = fk_store_find_item(f->store, item, &pending, &f->err);
    if (seen < 0) {
        f->failed = true;
        return 1;
    }
    if (seen > 0) {
        f->result->counts[FK_PUT_UNCHANGED]++;
        return 0;
    }
    /* Warned of when filed, as the conversion warnings: not again at each
     * fetch that finds the item unchanged. */
    if (item->warning)
        warn(f, item, item->warning);
    const char *html = item->content_html ? item->content_html : item->summary_html;
    struct fk_content content = {0};
    struct fk_error err = {0};
    if (fk_content_from_html(html, html ? strlen(html) : 0, item->base_url, &content, &err) < 0) {
        /* The item is kept with its HTML as it came, without text. */
        warn(f, item, err.message);
        fk_content_release(&content);
    } else if (content.warning) {
        warn(f, item, content.warning);
    }
    enum fk_put_result put;
    int rc = fk_store_put_item(f->store, pending, &content, &put, &f->err);
    int64_t article_id = fk_store_pending_article(pending);
    if (rc == 0 && put != FK_PUT_KEPT_SHORTER)
        rc = fk_store_sync_article_assets(f->store, article_id, &content, &f->err);
    if (rc == 0 && opts->on_filed)
        rc = opts->on_filed(f->store, item, article_id, put, &content, opts->ctx, &f->err);
    fk_content_release(&content);
    if (rc < 0) {
        f->failed = true;
        return 1;
    }
    f->result->counts[put]++;
    if (put == FK_PUT_KEPT_SHORTER)
        warn(f, item, "new body is shorter than half the archived one; kept the archived text");
    return 0;
}

/* Keep the document's bytes when it changed something: a fetch or an
 * import that found every item unchanged keeps nothing. */
static int keep_raw(struct fk_store *store, const struct fk_archive_options *opts,
                    struct fk_archive_result *result, struct fk_error *err)
{
    if (!opts->raw || !fk_archive_changed(result))
        return 0;
    struct fk_raw_document doc = *opts->raw;
    doc.feed_id = result->feed_id;
    if (!doc.url)
        doc.url = result->feed_url;
    int rc = fk_store_put_raw(store, &doc, err);
    if (rc == 0)
        result->raw_kept = true;
    return rc < 0 ? -1 : 0;
}

/* Parse from fd (when >= 0) or from memory, then commit or roll back. */
static int archive(struct fk_store *store, int fd, const char *data, size_t len,
                   const struct fk_archive_options *opts, struct fk_archive_result *result,
                   struct fk_error *err)
{
    struct filing f = {.store = store, .opts = opts, .result = result};
    struct fk_parse_options parse_options = {
        .base_url = opts->base_url,
        .charset = opts->charset,
        .charset_is_hint = opts->charset_from_transport,
    };
    struct fk_feed_handler handler = {on_feed, on_item, &f};
    struct fk_error parse_err = {0};
    int ret = -1;

    memset(result, 0, sizeof *result);
    result->info.updated = FK_TIME_NONE;
    int rc = fd >= 0 ? fk_feed_parse_fd(fd, &parse_options, &handler, &result->info, &parse_err)
                     : fk_feed_parse_memory(data, len, &parse_options, &handler, &result->info,
                                            &parse_err);
    if (f.failed) {
        *err = f.err;
        goto out;
    }
    if (rc < 0) {
        *err = parse_err;
        goto out;
    }
    /* A parse that succeeds has called on_feed (at the end for a document
     * without items); this only guards the promise. */
    if (!f.begun) {
        fk_error_set(err, FK_ERROR_INPUT, "no feed in the document");
        goto out;
    }
    result->matched = fk_store_feed_matches(store, &result->matched_id);
    if (keep_raw(store, opts, result, err) < 0)
        goto out;
    if (opts->before_commit &&
        opts->before_commit(store, result->feed_id, result, opts->ctx, err) < 0)
        goto out;
    if (fk_store_end_feed(store, true, &result->info, err) < 0) {
        f.begun = false; /* end_feed rolled it back */
        goto out;
    }
    f.begun = false;
    ret = 0;
out:
    if (f.begun) {
        struct fk_error ignored = {0}; /* err already says why */
        (void)fk_store_end_feed(store, false, NULL, &ignored);
    }
    return ret;
}

int fk_archive_fd(struct fk_store *store, int fd, const struct fk_archive_options *opts,
                  struct fk_archive_result *result, struct fk_error *err)
{
    if (fd < 0) {
        memset(result, 0, sizeof *result);
        return fk_error_set(err, FK_ERROR_USAGE, "invalid file descriptor");
    }
    return archive(store, fd, NULL, 0, opts, result, err);
}

int fk_archive_memory(struct fk_store *store, const char *data, size_t len,
                      const struct fk_archive_options *opts, struct fk_archive_result *result,
                      struct fk_error *err)
{
    return archive(store, -1, data ? data : "", data ? len : 0, opts, result, err);
}

bool fk_archive_changed(const struct fk_archive_result *result)
{
    return result->counts[FK_PUT_NEW] + result->counts[FK_PUT_UPDATED] > 0;
}

void fk_archive_result_release(struct fk_archive_result *result)
{
    free(result->feed_url);
    fk_feed_info_release(&result->info);
    memset(result, 0, sizeof *result);
}
