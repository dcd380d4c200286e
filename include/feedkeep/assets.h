/* assets.h - one run of asset fetching: the images (and, when enabled, the
 * video and audio) that archived articles reference, downloaded and kept
 * in the archive.
 *
 * The policy of `feedkeep fetch` and `import --assets`, kept out of the
 * front end: which URLs are due (fk_store_list_due_assets), the caps (per
 * asset, per article in count and bytes, per run, the archive's budget),
 * which places may be asked (http and https only; loopback, private and
 * link-local addresses only for a feed that came from one, or when
 * allowed), and what the bytes are (sniffed, whatever the server says: an
 * HTML page served as image/png is no image; an SVG only when it holds no
 * script and no reference outside itself).
 *
 * Every URL due goes through one fetch batch (fetch.h), with its per-host
 * limit, timeouts and redirects. Each outcome is recorded at once in a
 * transaction of its own: stored (the bytes by their SHA-256, once),
 * unchanged (304), skipped with its reason and the cap in force (due again
 * when that cap changes), or failed with the backoff of feeds. A run killed
 * at any moment leaves every URL either stored with its bytes or as it was.
 *
 * The run tells the front end what happens through events; it never prints.
 * Everything runs in the calling thread.
 */
#ifndef FEEDKEEP_ASSETS_H
#define FEEDKEEP_ASSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedkeep/error.h"
#include "feedkeep/fetch.h"
#include "feedkeep/sha256.h"
#include "feedkeep/store.h"

/* Defaults applied by fk_assets_options_init. */
#define FK_ASSETS_DEFAULT_MAX_BYTES     ((int64_t)10 << 20)
#define FK_ASSETS_DEFAULT_ARTICLE_COUNT 100
#define FK_ASSETS_DEFAULT_ARTICLE_BYTES ((int64_t)50 << 20)
#define FK_ASSETS_DEFAULT_RUN_BYTES     ((int64_t)500 << 20)
#define FK_ASSETS_DEFAULT_BUDGET        ((int64_t)10 << 30)

struct fk_assets_options {
    /* The transfers: jobs, per-host limit, timeouts, redirects, user agent.
     * Its max_body is not used: each request may bring caps.max_bytes. */
    struct fk_fetch_options fetch;
    /* The caps and switches: max_bytes (one asset), article_count and
     * article_bytes (the stored assets an article references),
     * archive_bytes (all assets of the archive), allow_private (any
     * address, not only public ones), media (video and audio too). */
    struct fk_asset_caps caps;
    int64_t run_bytes; /* bytes of assets the run downloads: once spent,
                          no download starts (those under way finish) */
    bool enabled_only; /* only URLs referenced by an article of a feed
                          whose assets setting is on */
    /* Only URLs whose first referencing article came from one of these
     * feeds (nfeeds of them); NULL: from any feed. */
    const int64_t *feeds;
    size_t nfeeds;
};

enum fk_assets_event_kind {
    /* The downloads begin (url is NULL; due says how many URLs are due). */
    FK_ASSETS_STARTED,
    /* The bytes of url were new to the archive and are stored. */
    FK_ASSETS_STORED,
    /* The bytes of url were stored already (under another URL): the URL now
     * resolves to them, nothing more is stored. */
    FK_ASSETS_DEDUPLICATED,
    /* The server answered 304 to the validators of url's stored asset. */
    FK_ASSETS_NOT_MODIFIED,
    /* url was left out for reason (under the cap value cap, for reasons that
     * have one); message says why in words. */
    FK_ASSETS_SKIPPED,
    /* The download of url failed (message): its failures-th failure in a
     * row; not tried again before next_try. */
    FK_ASSETS_FAILED,
};

struct fk_assets_event {
    enum fk_assets_event_kind kind;
    const char *url;
    int64_t article_id; /* the first article referencing it */
    size_t due;         /* STARTED: the URLs due */
    /* STORED, DEDUPLICATED: */
    const char *mime; /* sniffed from the bytes */
    size_t size;
    char sha256[FK_SHA256_HEX];
    /* SKIPPED: */
    enum fk_asset_skip reason;
    int64_t cap;
    /* SKIPPED, FAILED: */
    const char *message;
    /* FAILED: */
    int failures;
    int64_t time;
    int64_t next_try;
};

/* Called for each event, from inside fk_assets_run; everything it is
 * given is valid during the call only. It must not use the store. */
typedef void (*fk_assets_event_fn)(const struct fk_assets_event *event, void *ctx);

/* What a run did. */
struct fk_assets_totals {
    size_t due;           /* URLs due when the run began */
    long fetched;         /* downloads that brought a body */
    long stored;          /* URLs resolved to bytes new to the archive */
    long deduplicated;    /* URLs resolved to bytes it had already */
    long not_modified;    /* 304s */
    long skipped;         /* URLs left out (caps, policy, not media) */
    long failed;          /* downloads that failed */
    int64_t bytes;        /* body bytes downloaded (after decompression) */
    int64_t stored_bytes; /* bytes added to the archive */
};

/* Fill opts with the defaults above, fk_fetch_options_init, no private
 * addresses, images only, every feed. */
void fk_assets_options_init(struct fk_assets_options *opts);

/* Run the assets due at now in store (which must not be filing a feed),
 * reporting each outcome to on_event (may be NULL) with ctx, and the
 * totals in *totals (when not NULL; filled also on failure). Returns 0 when
 * every due URL was handled, whatever became of it (a failed download is
 * recorded and retried later), or -1 with err filled: a database error
 * (the URL being recorded stays as it was, to be tried again), or the
 * transport could not start or failed (FK_ERROR_NETWORK). */
int fk_assets_run(struct fk_store *store, const struct fk_assets_options *opts, int64_t now,
                  fk_assets_event_fn on_event, void *ctx, struct fk_assets_totals *totals,
                  struct fk_error *err);

#endif
