/* store_pg_query.c - the PostgreSQL store: listing, reading and searching articles. */
#include "store_pg_int.h"

int store_pg_list(struct pg_store *ps, const struct fk_filter *f, fk_article_fn fn, void *ctx,
                  struct fk_error *err)
{
    (void)f;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list", err);
}

int store_pg_get_article(struct pg_store *ps, int64_t id, struct fk_article *out,
                         struct fk_error *err)
{
    (void)id;
    (void)out;
    return store_pg_unsupported(ps, "get article", err);
}

int store_pg_list_code(struct pg_store *ps, const struct fk_filter *f, fk_code_fn fn, void *ctx,
                       struct fk_error *err)
{
    (void)f;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list code", err);
}

int store_pg_get_code(struct pg_store *ps, int64_t id, fk_code_fn fn, void *ctx,
                      struct fk_error *err)
{
    (void)id;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "get code", err);
}

int store_pg_counts(struct pg_store *ps, struct fk_store_counts *out, struct fk_error *err)
{
    (void)out;
    return store_pg_unsupported(ps, "counts", err);
}

int store_pg_find_article(struct pg_store *ps, const char *url, int64_t *id, struct fk_error *err)
{
    (void)url;
    (void)id;
    return store_pg_unsupported(ps, "find article", err);
}

int store_pg_search(struct pg_store *ps, const struct fk_search_query *query,
                    const struct fk_filter *f, const struct fk_search_options *options,
                    fk_hit_fn fn, void *ctx, struct fk_error *err)
{
    (void)query;
    (void)f;
    (void)options;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "search", err);
}

int store_pg_list_versions(struct pg_store *ps, int64_t id, fk_version_fn fn, void *ctx,
                           struct fk_error *err)
{
    (void)id;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list versions", err);
}

int store_pg_get_version(struct pg_store *ps, int64_t id, int number, struct fk_version *out,
                         struct fk_error *err)
{
    (void)id;
    (void)number;
    (void)out;
    return store_pg_unsupported(ps, "get version", err);
}

int store_pg_list_tags(struct pg_store *ps, long limit, fk_name_count_fn fn, void *ctx,
                       struct fk_error *err)
{
    (void)limit;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list tags", err);
}

int store_pg_list_authors(struct pg_store *ps, long limit, fk_name_count_fn fn, void *ctx,
                          struct fk_error *err)
{
    (void)limit;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list authors", err);
}

int store_pg_language_blocks(struct pg_store *ps, const char *language, bool any, int64_t *blocks,
                             struct fk_error *err)
{
    (void)language;
    (void)any;
    (void)blocks;
    return store_pg_unsupported(ps, "language blocks", err);
}

int store_pg_list_languages(struct pg_store *ps, fk_language_fn fn, void *ctx, struct fk_error *err)
{
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list languages", err);
}

int store_pg_complete(struct pg_store *ps, enum fk_complete what, const char *prefix,
                      fk_complete_fn fn, void *ctx, struct fk_error *err)
{
    (void)what;
    (void)prefix;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "complete", err);
}

int store_pg_stats(struct pg_store *ps, struct fk_store_stats *out, struct fk_error *err)
{
    (void)out;
    return store_pg_unsupported(ps, "stats", err);
}

int store_pg_get_mark(struct pg_store *ps, struct fk_store_mark *mark, struct fk_error *err)
{
    (void)mark;
    return store_pg_unsupported(ps, "get mark", err);
}
