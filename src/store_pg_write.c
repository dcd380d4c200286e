/* store_pg_write.c - the PostgreSQL store: filing feed documents, raw documents, reparse. */
#include "store_pg_int.h"

void store_pg_filing_free(struct pg_filing *filing)
{
    (void)filing;
}

int store_pg_begin_feed(struct pg_store *ps, const char *feed_url, const struct fk_feed_info *info,
                        struct fk_error *err)
{
    (void)feed_url;
    (void)info;
    return store_pg_unsupported(ps, "begin feed", err);
}

int store_pg_find_item(struct pg_store *ps, const struct fk_item *item,
                       struct fk_store_pending **pending, struct fk_error *err)
{
    (void)item;
    (void)pending;
    return store_pg_unsupported(ps, "find item", err);
}

int store_pg_put_item(struct pg_store *ps, struct fk_store_pending *pending,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err)
{
    (void)pending;
    (void)content;
    (void)result;
    return store_pg_unsupported(ps, "put item", err);
}

int store_pg_end_feed(struct pg_store *ps, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err)
{
    (void)ok;
    (void) final;
    return store_pg_unsupported(ps, "end feed", err);
}

int store_pg_dedup_explain(struct pg_store *ps, int64_t id, int64_t other,
                           struct fk_dedup_explanation *out, struct fk_error *err)
{
    (void)id;
    (void)other;
    (void)out;
    return store_pg_unsupported(ps, "dedup explain", err);
}

int store_pg_put_raw(struct pg_store *ps, const struct fk_raw_document *doc, struct fk_error *err)
{
    (void)doc;
    return store_pg_unsupported(ps, "put raw", err);
}

int store_pg_list_raw(struct pg_store *ps, int64_t feed_id, fk_raw_fn fn, void *ctx,
                      struct fk_error *err)
{
    (void)feed_id;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list raw", err);
}

int store_pg_list_sources(struct pg_store *ps, const struct fk_filter *f, fk_source_fn fn,
                          void *ctx, struct fk_error *err)
{
    (void)f;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list sources", err);
}

int store_pg_feed_source(struct pg_store *ps, int64_t id, fk_source_fn fn, void *ctx,
                         struct fk_error *err)
{
    (void)id;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "feed source", err);
}

int store_pg_reparse_article(struct pg_store *ps, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err)
{
    (void)id;
    (void)content;
    (void)result;
    return store_pg_unsupported(ps, "reparse article", err);
}

int64_t store_pg_current_feed(const struct pg_store *ps)
{
    (void)ps;
    return 0;
}

long store_pg_feed_matches(const struct pg_store *ps, int64_t *first_id)
{
    (void)ps;
    if (first_id)
        *first_id = 0;
    return 0;
}

int store_pg_sync_article_assets(struct pg_store *ps, int64_t id, const struct fk_content *content,
                                 struct fk_error *err)
{
    (void)id;
    (void)content;
    return store_pg_unsupported(ps, "sync article assets", err);
}

int store_pg_set_article_assets(struct pg_store *ps, int64_t id, const struct fk_asset_ref *refs,
                                size_t nrefs, struct fk_error *err)
{
    (void)id;
    (void)refs;
    (void)nrefs;
    return store_pg_unsupported(ps, "set article assets", err);
}
