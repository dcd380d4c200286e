/* store_pg_int.h - the PostgreSQL store, shared by its files (store_pg*.c).
 *
 * A struct fk_store opened on a PostgreSQL location holds a struct pg_store
 * and every public fk_store_* function that reads or writes the archive
 * hands over to its store_pg_* counterpart here, with the same contract
 * (store.h). The schema mirrors the SQLite one (store_pg.c has it): times
 * are timestamptz, bound as seconds since 1970 (to_timestamp($n)) and read
 * back as seconds (fk_epoch(column)); the HTML, Markdown and versions are
 * plain text, which PostgreSQL compresses itself; the full-text index is a
 * weighted tsvector column of articles (title A, tags B, text C) kept by a
 * trigger, with a GIN index. The counts of tags, authors, languages and
 * the totals are kept (schema 2) by triggers that append changes, folded
 * in after each commit, so that writers share no counter row.
 */
#ifndef FEEDKEEP_STORE_PG_INT_H
#define FEEDKEEP_STORE_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "feedkeep/store.h"
#include "pg.h"

/* The state of filing one feed document (store_pg_write.c). */
struct pg_filing;
/* Export's bookkeeping between export_begin and the end (store_pg_export.c). */
struct pg_export;

struct pg_store {
    struct pg_conn *conn;
    bool read_only;
    /* The text search configuration of the archive ("simple" unless the
     * archive was made with another): to_tsvector and to_tsquery take it. */
    char *search_config;
    struct pg_filing *filing;
    struct pg_export *export;
    /* The progress function of check and vacuum (fk_store_set_progress);
     * NULL: none. */
    fk_progress_fn progress;
    void *progress_ctx;
    /* The host slots this connection holds (store_pg_host_enter): a
     * session takes an advisory lock it holds again, so it must not ask
     * for those. */
    struct pg_slot {
        int32_t key;
        int slot;
    } * slots;
    size_t nslots;
    /* Writes committed since the kept counts were last folded
     * (store_pg_fold_counts). */
    bool counts_changed;
};

/* Open the archive at location (pg_is_location), creating its schema when
 * the database has none and mode is FK_OPEN_CREATE. Refuses a database
 * holding another application's tables, and a schema from a newer
 * feedkeep. Returns the store, or NULL with err filled. */
struct pg_store *store_pg_open(const char *location, enum fk_open_mode mode, struct fk_error *err);
void store_pg_close(struct pg_store *ps);
/* Fold the count changes that committed writes left (fk_counts_fold of
 * schema 2) into the kept counts; unless wait, not when another process
 * is folding. The listings are right either way, only slower with many
 * changes waiting, so a failure here is not the write's: it is ignored. */
void store_pg_fold_counts(struct pg_store *ps, bool wait);
/* The location as messages show it, without a password. */
const char *store_pg_location(const struct pg_store *ps);

/* Free the filing state (store_pg_write.c) and the export's
 * (store_pg_export.c); NULL is allowed. */
void store_pg_filing_free(struct pg_filing *filing);
void store_pg_export_free(struct pg_export *export);

/* Fill err for an operation the PostgreSQL store does not have; returns -1. */
int store_pg_unsupported(struct pg_store *ps, const char *what, struct fk_error *err);

/* store_pg_write.c: filing feed documents, raw documents, reparse */
int store_pg_begin_feed(struct pg_store *ps, const char *feed_url, const struct fk_feed_info *info,
                        struct fk_error *err);
int store_pg_find_item(struct pg_store *ps, const struct fk_item *item,
                       struct fk_store_pending **pending, struct fk_error *err);
int store_pg_put_item(struct pg_store *ps, struct fk_store_pending *pending,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err);
int store_pg_end_feed(struct pg_store *ps, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err);
int store_pg_dedup_explain(struct pg_store *ps, int64_t id, int64_t other,
                           struct fk_dedup_explanation *out, struct fk_error *err);
int store_pg_put_raw(struct pg_store *ps, const struct fk_raw_document *doc, struct fk_error *err);
int store_pg_list_raw(struct pg_store *ps, int64_t feed_id, fk_raw_fn fn, void *ctx,
                      struct fk_error *err);
int store_pg_list_sources(struct pg_store *ps, const struct fk_filter *f, fk_source_fn fn,
                          void *ctx, struct fk_error *err);
int store_pg_feed_source(struct pg_store *ps, int64_t id, fk_source_fn fn, void *ctx,
                         struct fk_error *err);
int store_pg_reparse_article(struct pg_store *ps, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err);
int64_t store_pg_current_feed(const struct pg_store *ps);
long store_pg_feed_matches(const struct pg_store *ps, int64_t *first_id);
int store_pg_set_article_assets(struct pg_store *ps, int64_t id, const struct fk_asset_ref *refs,
                                size_t nrefs, struct fk_error *err);
int store_pg_sync_article_assets(struct pg_store *ps, int64_t id, const struct fk_content *content,
                                 struct fk_error *err);

/* store_pg_query.c: listing, reading and searching articles */
int store_pg_list(struct pg_store *ps, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err);
int store_pg_get_article(struct pg_store *ps, int64_t id, struct fk_article *out,
                         struct fk_error *err);
int store_pg_list_code(struct pg_store *ps, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err);
int store_pg_get_code(struct pg_store *ps, int64_t id, fk_code_fn fn, void *ctx,
                      struct fk_error *err);
int store_pg_counts(struct pg_store *ps, struct fk_store_counts *out, struct fk_error *err);
int store_pg_find_article(struct pg_store *ps, const char *url, int64_t *id, struct fk_error *err);
int store_pg_search(struct pg_store *ps, const struct fk_search_query *query,
                    const struct fk_filter *f, const struct fk_search_options *options,
                    fk_hit_fn fn, void *ctx, struct fk_error *err);
int store_pg_list_versions(struct pg_store *ps, int64_t id, fk_version_fn fn, void *ctx,
                           struct fk_error *err);
int store_pg_get_version(struct pg_store *ps, int64_t id, int number, struct fk_version *out,
                         struct fk_error *err);
int store_pg_list_tags(struct pg_store *ps, long limit, fk_name_count_fn fn, void *ctx,
                       struct fk_error *err);
int store_pg_list_authors(struct pg_store *ps, long limit, fk_name_count_fn fn, void *ctx,
                          struct fk_error *err);
int store_pg_language_blocks(struct pg_store *ps, const char *language, bool any, int64_t *blocks,
                             struct fk_error *err);
int store_pg_list_languages(struct pg_store *ps, fk_language_fn fn, void *ctx,
                            struct fk_error *err);
int store_pg_complete(struct pg_store *ps, enum fk_complete what, const char *prefix,
                      fk_complete_fn fn, void *ctx, struct fk_error *err);
int store_pg_stats(struct pg_store *ps, struct fk_store_stats *out, struct fk_error *err);
int store_pg_get_mark(struct pg_store *ps, struct fk_store_mark *mark, struct fk_error *err);

/* store_pg_feeds.c: subscriptions, fetch log and fetch runs */
int store_pg_subscribe(struct pg_store *ps, const char *url, const char *name, bool rename,
                       int64_t *id, struct fk_error *err);
int store_pg_unsubscribe(struct pg_store *ps, int64_t id, struct fk_error *err);
int store_pg_find_feed(struct pg_store *ps, const char *url, int64_t id,
                       struct fk_subscription *out, struct fk_error *err);
int store_pg_find_feed_named(struct pg_store *ps, const char *name, struct fk_subscription *out,
                             struct fk_error *err);
int store_pg_tag_feed(struct pg_store *ps, int64_t id, const char *tag, struct fk_error *err);
int store_pg_set_feed_option(struct pg_store *ps, int64_t id, enum fk_feed_option option, bool on,
                             struct fk_error *err);
int store_pg_set_full_text(struct pg_store *ps, int64_t id, enum fk_full_text mode,
                           struct fk_error *err);
int store_pg_list_feeds(struct pg_store *ps, enum fk_feed_set set, int64_t now,
                        fk_subscription_fn fn, void *ctx, struct fk_error *err);
int store_pg_log_fetch(struct pg_store *ps, int64_t id, const struct fk_fetch_attempt *attempt,
                       struct fk_fetch_schedule *schedule, struct fk_error *err);
int store_pg_move_feed(struct pg_store *ps, int64_t id, const char *new_url, struct fk_error *err);
int store_pg_log_run(struct pg_store *ps, const struct fk_fetch_run *run, struct fk_error *err);
int store_pg_last_run(struct pg_store *ps, int64_t *started, struct fk_error *err);

/* store_pg_export.c: export bookkeeping */
int store_pg_find_export_dir(struct pg_store *ps, const char *path, int64_t *dir_id,
                             struct fk_store_mark *mark, struct fk_error *err);
int store_pg_export_begin(struct pg_store *ps, int64_t dir_id, struct fk_error *err);
int store_pg_export_add(struct pg_store *ps, int64_t id, const char *name, struct fk_error *err);
int store_pg_export_claim(struct pg_store *ps, size_t max, int64_t *clashes, struct fk_error *err);
int store_pg_export_each_clash(struct pg_store *ps, fk_export_clash_fn fn, void *ctx,
                               struct fk_error *err);
int store_pg_export_try_name(struct pg_store *ps, int64_t number, const char *name, bool *given,
                             struct fk_error *err);
int store_pg_export_get(struct pg_store *ps, int64_t number, struct fk_export_entry *out,
                        struct fk_error *err);
int store_pg_export_keep(struct pg_store *ps, int64_t id, struct fk_error *err);
int store_pg_export_each_unkept(struct pg_store *ps, fk_export_file_fn fn, void *ctx,
                                struct fk_error *err);
int store_pg_export_forget(struct pg_store *ps, int64_t id, struct fk_error *err);
int store_pg_export_wrote(struct pg_store *ps, const struct fk_export_file *file,
                          struct fk_error *err);
int store_pg_record_export(struct pg_store *ps, const char *path, int64_t started,
                           const struct fk_store_mark *mark, struct fk_error *err);

/* store_pg_assets.c: assets, article pages and API rows */
int store_pg_api_state(struct pg_store *ps, const char *feed_url, const struct fk_item *item,
                       struct fk_api_state *out, struct fk_error *err);
int store_pg_api_seen(struct pg_store *ps, int64_t id, const struct fk_item *item, int64_t now,
                      struct fk_error *err);
int store_pg_get_api(struct pg_store *ps, int64_t id, struct fk_api_row *row, struct fk_error *err);
int store_pg_list_due_assets(struct pg_store *ps, int64_t now, const struct fk_asset_caps *caps,
                             bool enabled_only, long limit, fk_asset_due_fn fn, void *ctx,
                             struct fk_error *err);
int store_pg_put_asset(struct pg_store *ps, const struct fk_asset_fetched *asset, bool *is_new,
                       struct fk_error *err);
int store_pg_asset_not_modified(struct pg_store *ps, const char *url, int64_t time,
                                struct fk_error *err);
int store_pg_asset_failed(struct pg_store *ps, const char *url, const char *error, int64_t time,
                          int64_t retry_after, int64_t *next_try, struct fk_error *err);
int store_pg_asset_skipped(struct pg_store *ps, const char *url, enum fk_asset_skip reason,
                           int64_t cap, int64_t time, struct fk_error *err);
int store_pg_asset_usage(struct pg_store *ps, int64_t article_id, struct fk_asset_usage *usage,
                         struct fk_error *err);
int store_pg_asset_article_usage(struct pg_store *ps, int64_t article_id,
                                 struct fk_asset_usage *usage, struct fk_error *err);
int store_pg_list_assets(struct pg_store *ps, const struct fk_asset_filter *f, fk_asset_row_fn fn,
                         void *ctx, struct fk_error *err);
int store_pg_article_assets(struct pg_store *ps, int64_t id, fk_asset_row_fn fn, void *ctx,
                            struct fk_error *err);
int store_pg_get_asset(struct pg_store *ps, const char *sha_hex, const char *url, fk_asset_fn fn,
                       void *ctx, struct fk_error *err);
int store_pg_list_due_pages(struct pg_store *ps, int64_t feed_id, enum fk_full_text mode,
                            int64_t now, fk_page_due_fn fn, void *ctx, struct fk_error *err);
int store_pg_pages_skipped(struct pg_store *ps, const int64_t *ids, const char *const *urls,
                           size_t count, struct fk_error *err);
int store_pg_page_failed(struct pg_store *ps, int64_t id, const char *url, const char *error,
                         int http_status, int64_t time, int64_t retry_after, bool final,
                         struct fk_fetch_schedule *schedule, struct fk_error *err);
int store_pg_put_page(struct pg_store *ps, const struct fk_page *page,
                      const struct fk_content *content, enum fk_page_result *result,
                      struct fk_error *err);
int store_pg_get_page(struct pg_store *ps, int64_t id, struct fk_page_row *out,
                      struct fk_error *err);

/* store_pg_maint.c: check, repair and vacuum */
int store_pg_check(struct pg_store *ps, fk_problem_fn fn, void *ctx, struct fk_error *err);
int store_pg_check_assets(struct pg_store *ps, fk_sha256_fn sha256, fk_problem_fn fn, void *ctx,
                          struct fk_error *err);
int store_pg_repair_assets(struct pg_store *ps, int64_t *repaired, struct fk_error *err);
int store_pg_repair_counts(struct pg_store *ps, struct fk_error *err);
int store_pg_repair_asset_bytes(struct pg_store *ps, fk_sha256_fn sha256, int64_t *removed,
                                int64_t *urls, struct fk_error *err);
int store_pg_vacuum(struct pg_store *ps, struct fk_error *err);
/* Replace the derived forms of article id (text, Markdown, code blocks)
 * by content, in the transaction open, keeping the text replaced as a
 * version: store_replace_content of the SQLite store. *result says what
 * changed (FK_REPARSE_MISSING: no such article). (store_pg_write.c; the
 * reparse and an article's page use it.) */
int store_pg_replace_content(struct pg_store *ps, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err);

/* store_pg_claim.c: many fetchers, claims and leases. store_pg_fetcher is
 * this process's name among them, "host:pid:start" (claims, fetch log). */
const char *store_pg_fetcher(void);
/* The feed id was fetched (its attempt logged): it is given back if this
 * process held it, and is not due again for the fetchers at work. */
int store_pg_feed_fetched(struct pg_store *ps, int64_t id, struct fk_error *err);
int store_pg_claim_feeds(struct pg_store *ps, const struct fk_claim *claim, fk_subscription_fn fn,
                         void *ctx, struct fk_claim_result *result, struct fk_error *err);
int store_pg_renew_claims(struct pg_store *ps, long lease, struct fk_error *err);
int store_pg_release_claims(struct pg_store *ps, bool last, struct fk_error *err);
/* A slot of host's per_host, as struct fk_fetch_gate's enter and leave. */
int store_pg_host_enter(struct pg_store *ps, const char *host, int per_host);
void store_pg_host_leave(struct pg_store *ps, const char *host, int slot);

#endif
