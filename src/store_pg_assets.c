/* store_pg_assets.c - the PostgreSQL store: assets, article pages and API rows. */
#include "store_pg_int.h"

int store_pg_api_state(struct pg_store *ps, const char *feed_url, const struct fk_item *item,
                       struct fk_api_state *out, struct fk_error *err)
{
    (void)feed_url;
    (void)item;
    (void)out;
    return store_pg_unsupported(ps, "api state", err);
}

int store_pg_api_seen(struct pg_store *ps, int64_t id, const struct fk_item *item, int64_t now,
                      struct fk_error *err)
{
    (void)id;
    (void)item;
    (void)now;
    return store_pg_unsupported(ps, "api seen", err);
}

int store_pg_get_api(struct pg_store *ps, int64_t id, struct fk_api_row *row, struct fk_error *err)
{
    (void)id;
    (void)row;
    return store_pg_unsupported(ps, "get api", err);
}

int store_pg_list_due_assets(struct pg_store *ps, int64_t now, const struct fk_asset_caps *caps,
                             bool enabled_only, long limit, fk_asset_due_fn fn, void *ctx,
                             struct fk_error *err)
{
    (void)now;
    (void)caps;
    (void)enabled_only;
    (void)limit;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list due assets", err);
}

int store_pg_put_asset(struct pg_store *ps, const struct fk_asset_fetched *asset, bool *is_new,
                       struct fk_error *err)
{
    (void)asset;
    (void)is_new;
    return store_pg_unsupported(ps, "put asset", err);
}

int store_pg_asset_not_modified(struct pg_store *ps, const char *url, int64_t time,
                                struct fk_error *err)
{
    (void)url;
    (void)time;
    return store_pg_unsupported(ps, "asset not modified", err);
}

int store_pg_asset_failed(struct pg_store *ps, const char *url, const char *error, int64_t time,
                          int64_t retry_after, int64_t *next_try, struct fk_error *err)
{
    (void)url;
    (void)error;
    (void)time;
    (void)retry_after;
    (void)next_try;
    return store_pg_unsupported(ps, "asset failed", err);
}

int store_pg_asset_skipped(struct pg_store *ps, const char *url, enum fk_asset_skip reason,
                           int64_t cap, int64_t time, struct fk_error *err)
{
    (void)url;
    (void)reason;
    (void)cap;
    (void)time;
    return store_pg_unsupported(ps, "asset skipped", err);
}

int store_pg_asset_usage(struct pg_store *ps, int64_t article_id, struct fk_asset_usage *usage,
                         struct fk_error *err)
{
    (void)article_id;
    (void)usage;
    return store_pg_unsupported(ps, "asset usage", err);
}

int store_pg_asset_article_usage(struct pg_store *ps, int64_t article_id,
                                 struct fk_asset_usage *usage, struct fk_error *err)
{
    (void)article_id;
    (void)usage;
    return store_pg_unsupported(ps, "asset article usage", err);
}

int store_pg_list_assets(struct pg_store *ps, const struct fk_asset_filter *f, fk_asset_row_fn fn,
                         void *ctx, struct fk_error *err)
{
    (void)f;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list assets", err);
}

int store_pg_article_assets(struct pg_store *ps, int64_t id, fk_asset_row_fn fn, void *ctx,
                            struct fk_error *err)
{
    (void)id;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "article assets", err);
}

int store_pg_get_asset(struct pg_store *ps, const char *sha_hex, const char *url, fk_asset_fn fn,
                       void *ctx, struct fk_error *err)
{
    (void)sha_hex;
    (void)url;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "get asset", err);
}

int store_pg_list_due_pages(struct pg_store *ps, int64_t feed_id, enum fk_full_text mode,
                            int64_t now, fk_page_due_fn fn, void *ctx, struct fk_error *err)
{
    (void)feed_id;
    (void)mode;
    (void)now;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list due pages", err);
}

int store_pg_pages_skipped(struct pg_store *ps, const int64_t *ids, const char *const *urls,
                           size_t count, struct fk_error *err)
{
    (void)ids;
    (void)urls;
    (void)count;
    return store_pg_unsupported(ps, "pages skipped", err);
}

int store_pg_page_failed(struct pg_store *ps, int64_t id, const char *url, const char *error,
                         int http_status, int64_t time, int64_t retry_after, bool final,
                         struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    (void)id;
    (void)url;
    (void)error;
    (void)http_status;
    (void)time;
    (void)retry_after;
    (void) final;
    (void)schedule;
    return store_pg_unsupported(ps, "page failed", err);
}

int store_pg_put_page(struct pg_store *ps, const struct fk_page *page,
                      const struct fk_content *content, enum fk_page_result *result,
                      struct fk_error *err)
{
    (void)page;
    (void)content;
    (void)result;
    return store_pg_unsupported(ps, "put page", err);
}

int store_pg_get_page(struct pg_store *ps, int64_t id, struct fk_page_row *out,
                      struct fk_error *err)
{
    (void)id;
    (void)out;
    return store_pg_unsupported(ps, "get page", err);
}
