/* store_pg_maint.c - the PostgreSQL store: check, repair and vacuum. */
#include "store_pg_int.h"

int store_pg_check(struct pg_store *ps, fk_problem_fn fn, void *ctx, struct fk_error *err)
{
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "check", err);
}

int store_pg_check_assets(struct pg_store *ps, fk_sha256_fn sha256, fk_problem_fn fn, void *ctx,
                          struct fk_error *err)
{
    (void)sha256;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "check assets", err);
}

int store_pg_repair_assets(struct pg_store *ps, int64_t *repaired, struct fk_error *err)
{
    (void)repaired;
    return store_pg_unsupported(ps, "repair assets", err);
}

int store_pg_repair_counts(struct pg_store *ps, struct fk_error *err)
{
    return store_pg_unsupported(ps, "repair counts", err);
}

int store_pg_repair_asset_bytes(struct pg_store *ps, fk_sha256_fn sha256, int64_t *removed,
                                int64_t *urls, struct fk_error *err)
{
    (void)sha256;
    (void)removed;
    (void)urls;
    return store_pg_unsupported(ps, "repair asset bytes", err);
}

int store_pg_vacuum(struct pg_store *ps, struct fk_error *err)
{
    return store_pg_unsupported(ps, "vacuum", err);
}
