/* store_pg_feeds.c - the PostgreSQL store: subscriptions, fetch log and fetch runs.
 *
 * The counterpart of the subscription functions of store_feeds.c (and of
 * fk_store_set_feed_option, fk_store_set_full_text), with the same results.
 * Names and tags compare ignoring ASCII case only, as SQLite's NOCASE does:
 * lower() of a value in the "C" collation folds A-Z and nothing else.
 */
#include "store_int.h"
#include "store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"

/* The columns read_feed reads, feeds being f: those of FEED_COLUMNS
 * (store_int.h), in the order of enum feed_column. */
#define PG_FEED_COLUMNS                                                                            \
    "f.id, f.url, f.name, f.title, f.site_url, f.etag, f.last_modified, f.final_url,"              \
    " f.moved_to, f.last_error, fk_epoch(f.last_fetch), f.last_status, f.failures,"                \
    " fk_epoch(f.next_fetch), f.subscribed,"                                                       \
    " (SELECT count(*) FROM article_feeds af WHERE af.feed_id = f.id),"                            \
    " (SELECT fk_epoch(l.time) FROM fetches l WHERE l.feed_id = f.id AND l.error IS NULL"          \
    " AND l.status <> 304 ORDER BY l.time DESC LIMIT 1),"                                          \
    " (SELECT string_agg(t.name, E'\\n' ORDER BY lower(t.name COLLATE \"C\"))"                     \
    " FROM feed_tags t WHERE t.feed_id = f.id),"                                                   \
    " f.assets, f.keep_raw, f.private_origin, f.full_text"

/* Fill sub from row of a result of PG_FEED_COLUMNS. With copies
 * (FEED_STRINGS + 1 slots) the strings are copied there; without, they
 * point into r. */
static void read_feed(const struct pg_result *r, int row, struct fk_subscription *sub,
                      char **copies)
{
    const char **strings[FEED_STRINGS + 1] = {
        &sub->url,           &sub->name,      &sub->title,    &sub->site_url,   &sub->etag,
        &sub->last_modified, &sub->final_url, &sub->moved_to, &sub->last_error, &sub->tags_text,
    };
    int columns[FEED_STRINGS + 1];
    memset(sub, 0, sizeof *sub);
    for (int i = 0; i < FEED_STRINGS; i++)
        columns[i] = FEED_COL_URL + i;
    columns[FEED_STRINGS] = FEED_COL_TAGS;
    sub->id = pg_number(r, row, FEED_COL_ID);
    for (int i = 0; i < FEED_STRINGS + 1; i++) {
        const char *s = pg_text_or_null(r, row, columns[i]);
        if (copies)
            *strings[i] = copies[i] = s ? fk_xstrdup(s) : NULL;
        else
            *strings[i] = s;
    }
    sub->last_fetch = pg_time(r, row, FEED_COL_LAST_FETCH);
    sub->last_status = (int)pg_number(r, row, FEED_COL_LAST_STATUS);
    sub->failures = (int)pg_number(r, row, FEED_COL_FAILURES);
    sub->next_fetch = pg_time(r, row, FEED_COL_NEXT_FETCH);
    sub->subscribed = pg_number(r, row, FEED_COL_SUBSCRIBED) != 0;
    sub->articles = pg_number(r, row, FEED_COL_ARTICLES);
    sub->last_body_fetch = pg_time(r, row, FEED_COL_LAST_BODY_FETCH);
    sub->assets = pg_number(r, row, FEED_COL_ASSETS) != 0;
    sub->keep_raw = pg_number(r, row, FEED_COL_KEEP_RAW) != 0;
    sub->private_origin = pg_number(r, row, FEED_COL_PRIVATE_ORIGIN) != 0;
    sub->full_text = (enum fk_full_text)pg_number(r, row, FEED_COL_FULL_TEXT);
}

/* The subscription functions other than log_fetch write outside the filing
 * of a feed only. */
static int not_in_feed(const struct pg_store *ps, struct fk_error *err)
{
    if (store_pg_current_feed(ps))
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    return 0;
}

/* Roll back the transaction the function began, if it is still open; err
 * already says why. */
static void roll_back(struct pg_store *ps)
{
    if (pg_in_transaction(ps->conn))
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL);
}

int store_pg_subscribe(struct pg_store *ps, const char *url, const char *name, bool rename,
                       int64_t *id, struct fk_error *err)
{
    struct pg_result *r = NULL;
    struct pg_params p;
    bool found = false, inserted = false, was_subscribed = false;
    int64_t feed_id = 0;
    int ret = -1;

    if (not_in_feed(ps, err) < 0)
        return -1;
    if (!url || !*url)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed URL");
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        goto out;
    /* A feed another process adds meanwhile is found the second time. */
    for (int attempt = 0; !inserted && !found; attempt++) {
        if (attempt == 2) {
            fk_error_set(err, FK_ERROR_DB, "'%s': the feed '%s' changed while it was being added",
                         pg_shown(ps->conn), url);
            goto out;
        }
        p = (struct pg_params)PG_PARAMS_INIT;
        pg_add_text(&p, url);
        if (!(r = pg_query(ps->conn, "SELECT id, subscribed FROM feeds WHERE url = $1 FOR UPDATE",
                           &p, err)))
            goto out;
        found = pg_rows(r) > 0;
        was_subscribed = found && pg_number(r, 0, 1) != 0;
        feed_id = found ? pg_number(r, 0, 0) : 0;
        pg_result_free(r);
        r = NULL;
        if (found)
            break;
        pg_add_text(&p, name);
        pg_add_time(&p, (int64_t)time(NULL));
        if (!(r = pg_query(ps->conn,
                           "INSERT INTO feeds(url, name, subscribed, created)"
                           " VALUES ($1, $2, true, to_timestamp($3))"
                           " ON CONFLICT (url) DO NOTHING RETURNING id",
                           &p, err)))
            goto out;
        inserted = pg_rows(r) > 0;
        feed_id = inserted ? pg_number(r, 0, 0) : 0;
        pg_result_free(r);
        r = NULL;
    }
    if (found) {
        /* $3: the new name replaces one the feed has. */
        p = (struct pg_params)PG_PARAMS_INIT;
        pg_add_int64(&p, feed_id);
        pg_add_text(&p, name);
        pg_add_bool(&p, rename);
        if (pg_exec(ps->conn,
                    "UPDATE feeds SET subscribed = true, name = CASE"
                    " WHEN $2::text IS NOT NULL AND ($3 OR name IS NULL) THEN $2 ELSE name END"
                    " WHERE id = $1",
                    &p, err) < 0)
            goto out;
    }
    if (pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        goto out;
    if (id)
        *id = feed_id;
    ret = was_subscribed ? 0 : 1;
out:
    pg_result_free(r);
    if (ret < 0)
        roll_back(ps);
    return ret;
}

int store_pg_unsubscribe(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    if (not_in_feed(ps, err) < 0)
        return -1;
    pg_add_int64(&p, id);
    long changed = pg_exec(ps->conn,
                           "UPDATE feeds SET subscribed = false, etag = NULL, last_modified = NULL,"
                           " failures = 0, next_fetch = NULL WHERE id = $1 AND subscribed",
                           &p, err);
    if (changed < 0)
        return -1;
    return changed ? 0 : 1;
}

/* The end of a lookup of one feed, whose result is r (NULL: it failed):
 * out gets a copy of its first row. Frees r. Returns 0, 1 when there is no
 * such feed, -1. */
static int copy_found_feed(struct pg_result *r, struct fk_subscription *out)
{
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) > 0) {
        char **copies = fk_xcalloc(FEED_STRINGS + 1, sizeof *copies);
        read_feed(r, 0, out, copies);
        out->priv = copies;
        ret = 0;
    }
    pg_result_free(r);
    return ret;
}

int store_pg_find_feed(struct pg_store *ps, const char *url, int64_t id,
                       struct fk_subscription *out, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    struct pg_result *r;
    memset(out, 0, sizeof *out);
    if (url) {
        pg_add_text(&p, url);
        r = pg_query(ps->conn, "SELECT " PG_FEED_COLUMNS " FROM feeds f WHERE f.url = $1", &p, err);
    } else {
        pg_add_int64(&p, id);
        r = pg_query(ps->conn, "SELECT " PG_FEED_COLUMNS " FROM feeds f WHERE f.id = $1", &p, err);
    }
    return copy_found_feed(r, out);
}

int store_pg_find_feed_named(struct pg_store *ps, const char *name, struct fk_subscription *out,
                             struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    memset(out, 0, sizeof *out);
    pg_add_text(&p, name);
    /* A name given by the user first, then the feed's own title; then the
     * subscribed one, then the oldest. */
    return copy_found_feed(
        pg_query(ps->conn,
                 "SELECT " PG_FEED_COLUMNS " FROM feeds f"
                 " WHERE lower(f.name COLLATE \"C\") = lower($1::text COLLATE \"C\")"
                 " OR lower(f.title COLLATE \"C\") = lower($1::text COLLATE \"C\")"
                 " ORDER BY coalesce(lower(f.name COLLATE \"C\") = lower($1::text COLLATE \"C\"),"
                 " false) DESC, f.subscribed DESC, f.id LIMIT 1",
                 &p, err),
        out);
}

int store_pg_tag_feed(struct pg_store *ps, int64_t id, const char *tag, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    size_t len = 0;
    store_trim(tag, &len);
    if (!len)
        return 0;
    if (not_in_feed(ps, err) < 0)
        return -1;
    pg_add_int64(&p, id);
    pg_add_text(&p, tag);
    /* A tag the feed has in another case is one of its unique indexes. */
    return pg_exec(ps->conn,
                   "INSERT INTO feed_tags(feed_id, name) VALUES ($1, trim($2::text))"
                   " ON CONFLICT DO NOTHING",
                   &p, err) < 0
               ? -1
               : 0;
}

int store_pg_set_feed_option(struct pg_store *ps, int64_t id, enum fk_feed_option option, bool on,
                             struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    if (not_in_feed(ps, err) < 0)
        return -1;
    pg_add_int64(&p, id);
    pg_add_int64(&p, (int64_t)option);
    pg_add_bool(&p, on);
    /* $2 says which (enum fk_feed_option), $3 its value. */
    long changed =
        pg_exec(ps->conn,
                "UPDATE feeds SET assets = CASE WHEN $2::integer = 0 THEN $3 ELSE assets END,"
                " keep_raw = CASE WHEN $2 = 1 THEN $3 ELSE keep_raw END,"
                " private_origin = CASE WHEN $2 = 2 THEN $3 ELSE private_origin END"
                " WHERE id = $1",
                &p, err);
    if (changed < 0)
        return -1;
    return changed ? 0 : 1;
}

int store_pg_set_full_text(struct pg_store *ps, int64_t id, enum fk_full_text mode,
                           struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    if (!fk_full_text_name(mode))
        return fk_error_set(err, FK_ERROR_USAGE, "no full-text mode %d", (int)mode);
    if (not_in_feed(ps, err) < 0)
        return -1;
    pg_add_int64(&p, id);
    pg_add_int64(&p, (int64_t)mode);
    long changed = pg_exec(ps->conn, "UPDATE feeds SET full_text = $2 WHERE id = $1", &p, err);
    if (changed < 0)
        return -1;
    return changed ? 0 : 1;
}

int store_pg_list_feeds(struct pg_store *ps, enum fk_feed_set set, int64_t now,
                        fk_subscription_fn fn, void *ctx, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_bool(&p, set == FK_FEEDS_ALL);
    pg_add_bool(&p, set == FK_FEEDS_DUE);
    pg_add_int64(&p, now);
    /* $1: unsubscribed feeds too; $2: due ones only, at time $3. */
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT " PG_FEED_COLUMNS " FROM feeds f WHERE ($1 OR f.subscribed)"
                 " AND (NOT $2 OR f.next_fetch IS NULL OR f.next_fetch <= to_timestamp($3))"
                 " ORDER BY f.id",
                 &p, err);
    if (!r)
        return -1;
    int ret = 0;
    for (int row = 0; row < pg_rows(r) && ret == 0; row++) {
        struct fk_subscription sub;
        read_feed(r, row, &sub, NULL);
        ret = fn(&sub, ctx);
    }
    pg_result_free(r);
    return ret;
}

/* The feed's row after an attempt, into *schedule. */
static int update_feed_state(struct pg_store *ps, int64_t id, const struct fk_fetch_attempt *a,
                             struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    long changed;

    schedule->failures = 0;
    schedule->next_fetch = FK_TIME_NONE;
    pg_add_int64(&p, id);
    pg_add_time(&p, a->time);
    pg_add_int64(&p, a->status);
    if (!a->error) {
        pg_add_text(&p, a->etag);
        pg_add_text(&p, a->last_modified);
        pg_add_text(&p, a->final_url);
        pg_add_text(&p, a->moved_to);
        /* A 304 may leave out a validator that did not change. */
        changed = pg_exec(ps->conn,
                          "UPDATE feeds SET last_fetch = to_timestamp($2),"
                          " last_status = nullif($3::integer, 0), failures = 0,"
                          " next_fetch = NULL, last_error = NULL,"
                          " etag = CASE WHEN $3 = 304 THEN coalesce($4, etag) ELSE $4 END,"
                          " last_modified = CASE WHEN $3 = 304"
                          " THEN coalesce($5, last_modified) ELSE $5 END,"
                          " final_url = $6, moved_to = $7 WHERE id = $1",
                          &p, err);
    } else {
        struct pg_params q = PG_PARAMS_INIT;
        pg_add_int64(&q, id);
        /* Locked: two fetchers of the feed count their failures in turn. */
        struct pg_result *r =
            pg_query(ps->conn, "SELECT failures FROM feeds WHERE id = $1 FOR UPDATE", &q, err);
        if (!r)
            return -1;
        bool found = pg_rows(r) > 0;
        int64_t failures = found ? pg_number(r, 0, 0) : 0;
        pg_result_free(r);
        if (!found)
            return fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
        /* The count only grows by one a fetch; the bound keeps a hand-edited
         * value from overflowing. */
        schedule->failures = failures < 0 ? 1 : failures >= 1000000 ? 1000000 : (int)failures + 1;
        schedule->next_fetch = store_next_try(a->time, a->retry_after, schedule->failures);
        pg_add_int64(&p, schedule->failures);
        pg_add_time(&p, schedule->next_fetch);
        pg_add_text(&p, a->error);
        changed = pg_exec(ps->conn,
                          "UPDATE feeds SET last_fetch = to_timestamp($2),"
                          " last_status = nullif($3::integer, 0), failures = $4,"
                          " next_fetch = to_timestamp($5), last_error = $6 WHERE id = $1",
                          &p, err);
    }
    if (changed < 0)
        return -1;
    if (changed != 1)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
    return 0;
}

/* Append the attempt to the fetch log and drop the feed's oldest rows. */
static int append_log(struct pg_store *ps, int64_t id, const struct fk_fetch_attempt *a,
                      struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    char fetcher[300];
    snprintf(fetcher, sizeof fetcher, "%s", store_pg_fetcher());
    pg_add_int64(&p, id);
    pg_add_time(&p, a->time);
    pg_add_int64(&p, a->status);
    pg_add_int64(&p, a->bytes);
    pg_add_int64(&p, a->duration_ms);
    pg_add_int64(&p, a->new_count);
    pg_add_int64(&p, a->updated_count);
    pg_add_text(&p, a->error);
    pg_add_text(&p, fetcher);
    if (pg_exec(ps->conn,
                "INSERT INTO fetches(feed_id, time, status, bytes, duration_ms, new_count,"
                " updated_count, error, fetcher)"
                " VALUES ($1, to_timestamp($2), nullif($3::integer, 0), $4, $5, $6, $7, $8, $9)",
                &p, err) < 0)
        return -1;
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_int64(&p, FK_FETCH_LOG_KEEP - 1);
    /* $2 is the number kept minus one: the offset of the oldest kept. */
    return pg_exec(ps->conn,
                   "DELETE FROM fetches WHERE feed_id = $1 AND id < (SELECT id FROM fetches"
                   " WHERE feed_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
                   &p, err) < 0
               ? -1
               : 0;
}

int store_pg_log_fetch(struct pg_store *ps, int64_t id, const struct fk_fetch_attempt *attempt,
                       struct fk_fetch_schedule *schedule, struct fk_error *err)
{
    struct fk_fetch_schedule result;
    int64_t filing = store_pg_current_feed(ps);
    bool own_transaction = !filing;
    int ret = -1;

    if (own_transaction) {
        if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
            goto out;
    } else {
        /* In the feed's transaction: a failure here leaves the caller to end
         * the feed without committing it (a failed statement has aborted the
         * transaction already). */
        if (id != filing)
            return fk_error_set(err, FK_ERROR_USAGE, "another feed is being filed");
        if (!pg_in_transaction(ps->conn))
            return fk_error_set(err, FK_ERROR_DB,
                                "database error: the feed is rolled back after an earlier error");
    }
    if (update_feed_state(ps, id, attempt, &result, err) < 0 ||
        append_log(ps, id, attempt, err) < 0 || store_pg_feed_fetched(ps, id, err) < 0)
        goto out;
    if (own_transaction && pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        goto out;
    if (schedule)
        *schedule = result;
    ret = 0;
out:
    if (ret < 0 && own_transaction)
        roll_back(ps);
    return ret;
}

/* Carry the article keys (table articles) or alias keys (aliases true)
 * scoped by feed URL old_url over to new_url (see fk_store_identity):
 * "feed:URL guid:..." and "hash:URL ...". A key already taken keeps the
 * old one rather than failing the move. */
static int rekey(struct pg_store *ps, bool aliases, const char *old_url, const char *new_url,
                 struct fk_error *err)
{
    static const char *const prefixes[][2] = {{"feed:", " guid:"}, {"hash:", " "}};
    int ret = 0;

    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && ret == 0; i++) {
        struct fk_buf from, to;
        struct pg_params p = PG_PARAMS_INIT;
        fk_buf_init(&from, SIZE_MAX);
        fk_buf_init(&to, SIZE_MAX);
        fk_buf_printf(&from, "%s%s%s", prefixes[i][0], old_url, prefixes[i][1]);
        fk_buf_printf(&to, "%s%s%s", prefixes[i][0], new_url, prefixes[i][1]);
        pg_add_text(&p, from.data);
        pg_add_text(&p, to.data);
        /* The keys longer than $1 that start with it, byte for byte: what
         * SQLite's range of BINARY keys after $1 holds. */
        long changed =
            aliases
                ? pg_exec(ps->conn,
                          "UPDATE article_aliases a SET key = $2 || substr(a.key, length($1) + 1)"
                          " WHERE starts_with(a.key, $1) AND a.key <> $1 AND NOT EXISTS"
                          " (SELECT 1 FROM article_aliases b"
                          " WHERE b.key = $2 || substr(a.key, length($1) + 1))",
                          &p, err)
                : pg_exec(ps->conn,
                          "UPDATE articles a SET key = $2 || substr(a.key, length($1) + 1)"
                          " WHERE starts_with(a.key, $1) AND a.key <> $1 AND NOT EXISTS"
                          " (SELECT 1 FROM articles b"
                          " WHERE b.key = $2 || substr(a.key, length($1) + 1))",
                          &p, err);
        if (changed < 0)
            ret = -1;
        fk_buf_release(&from);
        fk_buf_release(&to);
    }
    return ret;
}

int store_pg_move_feed(struct pg_store *ps, int64_t id, const char *new_url, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    struct pg_result *r = NULL;
    char *old_url = NULL;
    int ret = -1;

    if (not_in_feed(ps, err) < 0)
        return -1;
    if (!new_url || !*new_url)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed URL");
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        goto out;
    pg_add_text(&p, new_url);
    if (!(r = pg_query(ps->conn, "SELECT id FROM feeds WHERE url = $1", &p, err)))
        goto out;
    if (pg_rows(r) > 0) {
        ret = pg_number(r, 0, 0) == id ? 0 : 1;
        goto out;
    }
    pg_result_free(r);
    p = (struct pg_params)PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    if (!(r = pg_query(ps->conn, "SELECT url FROM feeds WHERE id = $1 FOR UPDATE", &p, err)))
        goto out;
    if (pg_rows(r) == 0) {
        fk_error_set(err, FK_ERROR_USAGE, "no feed with id %lld", (long long)id);
        goto out;
    }
    old_url = fk_xstrdup(pg_text(r, 0, 0));
    pg_add_text(&p, new_url);
    if (pg_exec(ps->conn, "UPDATE feeds SET url = $2, moved_to = NULL WHERE id = $1", &p, err) <
            0 ||
        rekey(ps, false, old_url, new_url, err) < 0 || rekey(ps, true, old_url, new_url, err) < 0 ||
        pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        goto out;
    ret = 0;
out:
    pg_result_free(r);
    /* Also ends the transaction of the "nothing to do" cases. */
    roll_back(ps);
    free(old_url);
    return ret;
}

int store_pg_log_run(struct pg_store *ps, const struct fk_fetch_run *run, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    struct pg_params keep = PG_PARAMS_INIT;
    int ret = -1;

    if (not_in_feed(ps, err) < 0)
        return -1;
    pg_add_time(&p, run->started);
    pg_add_time(&p, run->finished);
    pg_add_int64(&p, run->feeds);
    pg_add_int64(&p, run->failed);
    pg_add_int64(&p, run->new_count);
    pg_add_int64(&p, run->updated_count);
    pg_add_int64(&keep, FK_FETCH_LOG_KEEP - 1);
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0 ||
        pg_exec(ps->conn,
                "INSERT INTO fetch_runs(started, finished, feeds, failed, new_count,"
                " updated_count) VALUES (to_timestamp($1), to_timestamp($2), $3, $4, $5, $6)",
                &p, err) < 0 ||
        pg_exec(ps->conn,
                "DELETE FROM fetch_runs WHERE id < (SELECT id FROM fetch_runs"
                " ORDER BY id DESC LIMIT 1 OFFSET $1)",
                &keep, err) < 0 ||
        pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        goto out;
    ret = 0;
out:
    if (ret < 0)
        roll_back(ps);
    return ret;
}

int store_pg_last_run(struct pg_store *ps, int64_t *started, struct fk_error *err)
{
    struct pg_result *r = pg_query(
        ps->conn, "SELECT fk_epoch(started) FROM fetch_runs ORDER BY id DESC LIMIT 1", NULL, err);
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) > 0) {
        *started = pg_number(r, 0, 0);
        ret = 0;
    }
    pg_result_free(r);
    return ret;
}
