/* store_pg_export.c - the PostgreSQL store: export bookkeeping. */
#include "store_pg_int.h"

void store_pg_export_free(struct pg_export *export)
{
    (void)export;
}

int store_pg_find_export_dir(struct pg_store *ps, const char *path, int64_t *dir_id,
                             struct fk_store_mark *mark, struct fk_error *err)
{
    (void)path;
    (void)dir_id;
    (void)mark;
    return store_pg_unsupported(ps, "find export dir", err);
}

int store_pg_export_begin(struct pg_store *ps, int64_t dir_id, struct fk_error *err)
{
    (void)dir_id;
    return store_pg_unsupported(ps, "export begin", err);
}

int store_pg_export_add(struct pg_store *ps, int64_t id, const char *name, struct fk_error *err)
{
    (void)id;
    (void)name;
    return store_pg_unsupported(ps, "export add", err);
}

int store_pg_export_claim(struct pg_store *ps, size_t max, int64_t *clashes, struct fk_error *err)
{
    (void)max;
    (void)clashes;
    return store_pg_unsupported(ps, "export claim", err);
}

int store_pg_export_each_clash(struct pg_store *ps, fk_export_clash_fn fn, void *ctx,
                               struct fk_error *err)
{
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "export each clash", err);
}

int store_pg_export_try_name(struct pg_store *ps, int64_t number, const char *name, bool *given,
                             struct fk_error *err)
{
    (void)number;
    (void)name;
    (void)given;
    return store_pg_unsupported(ps, "export try name", err);
}

int store_pg_export_get(struct pg_store *ps, int64_t number, struct fk_export_entry *out,
                        struct fk_error *err)
{
    (void)number;
    (void)out;
    return store_pg_unsupported(ps, "export get", err);
}

int store_pg_export_keep(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    (void)id;
    return store_pg_unsupported(ps, "export keep", err);
}

int store_pg_export_each_unkept(struct pg_store *ps, fk_export_file_fn fn, void *ctx,
                                struct fk_error *err)
{
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "export each unkept", err);
}

int store_pg_export_forget(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    (void)id;
    return store_pg_unsupported(ps, "export forget", err);
}

int store_pg_export_wrote(struct pg_store *ps, const struct fk_export_file *file,
                          struct fk_error *err)
{
    (void)file;
    return store_pg_unsupported(ps, "export wrote", err);
}

int store_pg_record_export(struct pg_store *ps, const char *path, int64_t started,
                           const struct fk_store_mark *mark, struct fk_error *err)
{
    (void)path;
    (void)started;
    (void)mark;
    return store_pg_unsupported(ps, "record export", err);
}
