/* archive.c - one feed document through the pipeline: parser, content,
 * store, in one transaction.
 *
 * The parser calls back once with the document's metadata (that is when
 * the feed's transaction opens, as the feed's URL may depend on it) and
 * once per item. Errors are carried out of the callbacks in struct filing
 * and the parser is stopped at the first one.
 */
#include "feedkeep/archive.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"

/* The identities of the items filed from a document, as 64-bit hashes of
 * their keys in an open-addressed set (0 is an empty slot): a document that
 * carries an item twice files the first copy (the newest, in feed order) and
 * skips the others, rather than making each copy a version of the other at
 * every fetch. 8 to 16 bytes an item. */
struct seen {
    uint64_t *slots;
    size_t size; /* a power of two, or 0 */
    size_t count;
};

/* Add hash; false when it was there already. */
static bool seen_add(struct seen *seen, uint64_t hash)
{
    hash = hash ? hash : 1;
    if (2 * (seen->count + 1) > seen->size) {
        struct seen bigger = {fk_xcalloc(seen->size ? 2 * seen->size : 1024, sizeof(uint64_t)),
                              seen->size ? 2 * seen->size : 1024, 0};
        for (size_t i = 0; i < seen->size; i++)
            if (seen->slots[i])
                seen_add(&bigger, seen->slots[i]);
        free(seen->slots);
        *seen = bigger;
    }
    size_t i = (size_t)hash & (seen->size - 1);
    while (seen->slots[i]) {
        if (seen->slots[i] == hash)
            return false;
        i = (i + 1) & (seen->size - 1);
    }
    seen->slots[i] = hash;
    seen->count++;
    return true;
}

struct filing {
    struct fk_store *store;
    const struct fk_archive_options *opts;
    struct fk_archive_result *result;
    bool begun;          /* the feed's transaction is open */
    bool failed;         /* a callback failed: err says why */
    struct fk_error err; /* the callbacks' error */
    struct seen seen;    /* identities filed so far */
};

/* FNV-1a of an identity key. */
static uint64_t key_hash(const char *key)
{
    uint64_t hash = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        hash = (hash ^ *p) * 0x100000001b3u;
    return hash;
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
    char *key = fk_store_identity(f->result->feed_url, item);
    bool first = seen_add(&f->seen, key_hash(key));
    free(key);
    if (!first) {
        f->result->counts[FK_PUT_UNCHANGED]++;
        return 0;
    }
    /* An item filed before from the same source needs no conversion. */
    int seen = fk_store_put_unchanged(f->store, item, &f->err);
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
    if (item->warning && opts->on_warning)
        opts->on_warning(item, item->warning, opts->ctx);
    const char *html = item->content_html ? item->content_html : item->summary_html;
    struct fk_content content = {0};
    struct fk_error err = {0};
    if (fk_content_from_html(html, html ? strlen(html) : 0, item->base_url, &content, &err) < 0) {
        /* The item is kept with its HTML as it came, without text. */
        if (opts->on_warning)
            opts->on_warning(item, err.message, opts->ctx);
        fk_content_release(&content);
    } else if (content.warning && opts->on_warning) {
        opts->on_warning(item, content.warning, opts->ctx);
    }
    enum fk_put_result put;
    int rc = fk_store_put_item(f->store, item, &content, &put, &f->err);
    fk_content_release(&content);
    if (rc < 0) {
        f->failed = true;
        return 1;
    }
    f->result->counts[put]++;
    if (put == FK_PUT_KEPT_SHORTER && opts->on_warning)
        opts->on_warning(item,
                         "new body is shorter than half the archived one; kept the archived text",
                         opts->ctx);
    return 0;
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
    free(f.seen.slots);
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

void fk_archive_result_release(struct fk_archive_result *result)
{
    free(result->feed_url);
    fk_feed_info_release(&result->info);
    memset(result, 0, sizeof *result);
}
