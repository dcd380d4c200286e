/* archive.h - filing one feed document: parse, convert, store.
 *
 * The pipeline of one document, shared by `import` (a file) and `fetch` (a
 * response body): the streaming parser hands over items one by one, each
 * item's HTML becomes text, Markdown and code blocks, and the store files it
 * in the feed's transaction. Either the whole document is filed or nothing
 * of it is. Nothing here prints.
 */
#ifndef FEEDKEEP_ARCHIVE_H
#define FEEDKEEP_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/error.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"

struct fk_archive_result;

struct fk_archive_options {
    /* The feed the items are filed under. When NULL, choose_url is asked
     * with the document's metadata before the first item, and returns a
     * new string (freed by the archive) that must not be NULL. */
    const char *feed_url;
    char *(*choose_url)(const struct fk_feed_info *info, void *ctx);
    /* Parser options: the document's own URL and the character set the
     * transport declared (see fk_parse_options). */
    const char *base_url;
    const char *charset;
    bool charset_from_transport;
    /* Called when an item's HTML cannot be converted (the item is filed
     * anyway, with its HTML and without text), when the parser truncated
     * a field of it (fk_item.warning), and when the short-body guard kept
     * the archived text (FK_PUT_KEPT_SHORTER); not for items found
     * unchanged. May be NULL. */
    void (*on_warning)(const struct fk_item *item, const char *message, void *ctx);
    /* Called after the last item, inside the feed's transaction, before it
     * is committed: what it writes (the fetch log) is committed with the
     * items or not at all. Return 0, or -1 with err filled to roll the
     * document back. May be NULL. */
    int (*before_commit)(struct fk_store *store, int64_t feed_id,
                         const struct fk_archive_result *result, void *ctx, struct fk_error *err);
    /* Called after each item that was converted and filed (not for items
     * fk_store_find_item found unchanged), inside the feed's transaction,
     * with the article it was filed as, what filing did and its converted
     * content (empty when the HTML could not be converted). It may read
     * the store, and write in the feed's transaction; return 0, or -1
     * with err filled to roll the document back. May be NULL. */
    int (*on_filed)(struct fk_store *store, const struct fk_item *item, int64_t article_id,
                    enum fk_put_result put, const struct fk_content *content, void *ctx,
                    struct fk_error *err);
    /* Called as each item is read (result->items counts it), for a
     * progress display; it must not use the store. May be NULL. */
    void (*on_progress)(const struct fk_archive_result *result, void *ctx);
    /* The document's own bytes and headers, kept (fk_store_put_raw) in
     * the feed's transaction before before_commit when the document filed
     * a new or replaced article; feed_id and a NULL url are filled in.
     * NULL: nothing kept. */
    const struct fk_raw_document *raw;
    /* A document filed again after a rollback: the last warning an earlier
     * try passed to on_warning, which this try updates. Conversion is
     * deterministic, and a try finds no more items new than the try
     * before it (what another process filed meanwhile is found unchanged,
     * and not warned of), so a warning at or before that one, by item and
     * by its place among the item's warnings, was passed already and is
     * not passed again. Zeroed before the first try; NULL: every warning
     * is passed. */
    struct fk_archive_warned *warned;
    void *ctx; /* for the callbacks */
};

struct fk_archive_warned {
    long item; /* counted from 1 in the document; 0: none yet */
    int count; /* its place among the item's warnings, from 1 */
};

/* What filing a document did. Release with fk_archive_result_release. */
struct fk_archive_result {
    long counts[FK_PUT_COUNT]; /* items by enum fk_put_result */
    long items;                /* items read from the document */
    long matched;              /* items under a new guid filed as the article
                                  they match (fk_store_feed_matches) */
    int64_t matched_id;        /* the first such article */
    int64_t feed_id;           /* the feed filed under; 0 when none was begun */
    char *feed_url;            /* its URL (owned), or NULL */
    bool raw_kept;             /* opts->raw was kept */
    struct fk_feed_info info;  /* the document's metadata (well_formed, the
                                  first recovered XML error); zeroed when
                                  the document was not a feed */
};

/* Every filed item's asset references are recorded with it
 * (fk_store_set_article_assets), unless the short-body guard kept the
 * archived content: the images, posters, video and audio its content uses
 * (struct fk_content.assets), then its enclosures that are pictures
 * (media:thumbnail, itunes:image: FK_ASSET_THUMBNAIL; an enclosure of an
 * image type: FK_ASSET_IMAGE) and its video and audio enclosures, each URL
 * once. Whether they are fetched is the asset run's business (assets.h).
 *
 * File the document read from fd (not closed), or held in memory, into
 * store. Returns 0 when it was committed, -1 when nothing of it was kept:
 * err then says why, with kind FK_ERROR_INPUT when the document is not a
 * feed (or an item could not be filed for its own sake) and FK_ERROR_DB when
 * the archive failed. *result is filled either way (counts of a rolled back
 * document count what was attempted). */
int fk_archive_fd(struct fk_store *store, int fd, const struct fk_archive_options *opts,
                  struct fk_archive_result *result, struct fk_error *err);
int fk_archive_memory(struct fk_store *store, const char *data, size_t len,
                      const struct fk_archive_options *opts, struct fk_archive_result *result,
                      struct fk_error *err);

/* Whether the document changed something: a new or replaced article.
 * Only such a document is kept as it came (opts->raw). */
bool fk_archive_changed(const struct fk_archive_result *result);

/* Free what a result holds and zero it. */
void fk_archive_result_release(struct fk_archive_result *result);

#endif
