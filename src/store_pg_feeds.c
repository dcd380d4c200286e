/* store_pg_feeds.c - the PostgreSQL store: subscriptions, fetch log and fetch runs. */
#include "store_pg_int.h"

int store_pg_subscribe(struct pg_store *ps, const char *url, const char *name, bool rename,
                       int64_t *id, struct fk_error *err)
{
    (void)url;
    (void)name;
    (void)rename;
    (void)id;
    return store_pg_unsupported(ps, "subscribe", err);
}

int store_pg_unsubscribe(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    (void)id;
    return store_pg_unsupported(ps, "unsubscribe", err);
}

int store_pg_find_feed(struct pg_store *ps, const char *url, int64_t id,
                       struct fk_subscription *out, struct fk_error *err)
{
    (void)url;
    (void)id;
    (void)out;
    return store_pg_unsupported(ps, "find feed", err);
}

int store_pg_find_feed_named(struct pg_store *ps, const char *name, struct fk_subscription *out,
                             struct fk_error *err)
{
    (void)name;
    (void)out;
    return store_pg_unsupported(ps, "find feed named", err);
}

int store_pg_tag_feed(struct pg_store *ps, int64_t id, const char *tag, struct fk_error *err)
{
    (void)id;
    (void)tag;
    return store_pg_unsupported(ps, "tag feed", err);
}

int store_pg_set_feed_option(struct pg_store *ps, int64_t id, enum fk_feed_option option, bool on,
                             struct fk_error *err)
{
    (void)id;
    (void)option;
    (void)on;
    return store_pg_unsupported(ps, "set feed option", err);
}

int store_pg_set_full_text(struct pg_store *ps, int64_t id, enum fk_full_text mode,
                           struct fk_error *err)
{
    (void)id;
    (void)mode;
    return store_pg_unsupported(ps, "set full text", err);
}

int store_pg_list_feeds(struct pg_store *ps, enum fk_feed_set set, int64_t now,
                        fk_subscription_fn fn, void *ctx, struct fk_error *err)
{
    (void)set;
    (void)now;
    (void)fn;
    (void)ctx;
    return store_pg_unsupported(ps, "list feeds", err);
}

int store_pg_log_fetch(struct pg_store *ps, int64_t id, const struct fk_fetch_attempt *attempt,
                       struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    (void)id;
    (void)attempt;
    (void)schedule;
    return store_pg_unsupported(ps, "log fetch", err);
}

int store_pg_move_feed(struct pg_store *ps, int64_t id, const char *new_url, struct fk_error *err)
{
    (void)id;
    (void)new_url;
    return store_pg_unsupported(ps, "move feed", err);
}

int store_pg_log_run(struct pg_store *ps, const struct fk_fetch_run *run, struct fk_error *err)
{
    (void)run;
    return store_pg_unsupported(ps, "log run", err);
}

int store_pg_last_run(struct pg_store *ps, int64_t *started, struct fk_error *err)
{
    (void)started;
    return store_pg_unsupported(ps, "last run", err);
}
