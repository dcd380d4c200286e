/* store_pg_claim.c - the PostgreSQL store: many fetchers on one archive.
 *
 * A fetcher claims the due subscriptions it will fetch by writing its name
 * (host:pid:start) and the end of its lease on their rows, all in one short
 * transaction under an advisory lock, so that two fetchers claiming at
 * once see each other's claims. A row held under a live lease by another
 * fetcher is skipped, and no host name gets more live claims, all fetchers
 * together, than the per-host limit: as a claim is held until its feed's
 * attempt is logged, no more transfers than that run to one host at once.
 * Rows another transaction has locked are skipped too (FOR UPDATE SKIP
 * LOCKED) rather than waited for. The lease is renewed while the fetcher
 * works; a fetcher that dies leaves its claims to expire, and the next
 * fetcher after that takes its feeds over.
 *
 * A feed fetched with success stays due (feeds.next_fetch is NULL), so what
 * keeps fetchers from fetching it again and again is the table fetchers:
 * each fetcher is a row there while it works, and stays there when it ends
 * while others still work (ended), so that the rows are the fetchers of
 * one wave; the last to end clears them. A feed given back
 * (feeds.fetched_at, the server's clock) since the first of the wave
 * started is not due for any of them. Fetchers started together (by cron
 * on several hosts) fetch each feed once; the next fetch after they have
 * all ended fetches it again. A fetcher that died is not of the wave any
 * more once its lease has ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/buf.h"
#include "feedkeep/date.h"
#include "feedkeep/hash.h"
#include "store_pg_int.h"

/* The advisory lock the claims are made under ("fkcl"). */
#define CLAIM_LOCK "1718313836"

const char *store_pg_fetcher(void)
{
    static char name[300];
    if (!name[0]) {
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) < 0 || !host[0])
            strcpy(host, "localhost");
        snprintf(name, sizeof name, "%s:%ld:%lld", host, (long)getpid(), (long long)time(NULL));
    }
    return name;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

struct claimed {
    int64_t *ids; /* sorted */
    size_t count;
    int64_t now;
    bool force;
    fk_subscription_fn fn;
    void *ctx;
};

/* Pass on what is ours, and what is not due (the caller counts it). */
static int pass_claimed(const struct fk_subscription *sub, void *ctx)
{
    struct claimed *c = ctx;
    bool due = c->force || sub->next_fetch == FK_TIME_NONE || sub->next_fetch <= c->now;
    if (due && !bsearch(&sub->id, c->ids, c->count, sizeof *c->ids, compare_ids))
        return 0; /* held by another fetcher, or fetched already by one of them */
    return c->fn(sub, c->ctx);
}

int store_pg_claim_feeds(struct pg_store *ps, const struct fk_claim *claim, fk_subscription_fn fn,
                         void *ctx, struct fk_claim_result *result, struct fk_error *err)
{
    struct claimed c = {.now = claim->now, .force = claim->force, .fn = fn, .ctx = ctx};
    struct pg_result *r = NULL, *left = NULL;
    int ret = -1;
    if (result)
        memset(result, 0, sizeof *result);
    if (ps->read_only)
        return fk_error_set(err, FK_ERROR_DB, "'%s': opened read-only: cannot claim feeds",
                            store_pg_location(ps));
    long lease = claim->lease > 0 ? claim->lease : 1;
    struct pg_params f = PG_PARAMS_INIT;
    pg_add_text(&f, store_pg_fetcher());
    pg_add_int64(&f, lease);
    struct pg_params f1 = PG_PARAMS_INIT;
    pg_add_text(&f1, store_pg_fetcher());
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, store_pg_fetcher());
    pg_add_time(&p, claim->now);
    pg_add_bool(&p, claim->force);
    pg_add_int64(&p, lease);
    pg_add_count(&p, claim->limit > 0 ? claim->limit : -1);
    pg_add_count(&p, claim->per_host > 0 ? claim->per_host : -1);
    struct pg_params o = PG_PARAMS_INIT;
    pg_add_text(&o, store_pg_fetcher());
    pg_add_time(&o, claim->now);
    pg_add_bool(&o, claim->force);
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        goto out;
    /* A fetcher new to the table that finds no other at work begins a new
     * wave (one of the wave stays in it when the others have ended). */
    if (pg_exec(ps->conn, "SELECT pg_advisory_xact_lock(" CLAIM_LOCK ")", NULL, err) < 0 ||
        pg_exec(ps->conn,
                "DELETE FROM fetchers WHERE owner <> $1 AND NOT EXISTS (SELECT 1 FROM fetchers"
                " WHERE owner <> $1 AND ended IS NULL AND until >= now())"
                " AND NOT EXISTS (SELECT 1 FROM fetchers WHERE owner = $1)",
                &f1, err) < 0 ||
        pg_exec(ps->conn,
                "INSERT INTO fetchers(owner, started, until) VALUES ($1, now(),"
                " now() + make_interval(secs => $2::bigint))"
                " ON CONFLICT (owner) DO UPDATE SET until = excluded.until",
                &f, err) < 0)
        goto rollback;
    /* Due, not fetched by the fetchers at work, held by nobody: as many of
     * each host as its cap leaves room for beside the live claims. */
    r = pg_query(ps->conn,
                 "WITH free AS (SELECT f.id, f.next_fetch, coalesce(fk_url_host(f.url), '') AS host"
                 "  FROM feeds f WHERE f.subscribed"
                 "  AND ($3::boolean OR f.next_fetch IS NULL OR f.next_fetch <= to_timestamp($2))"
                 "  AND (f.fetched_at IS NULL OR f.fetched_at < (SELECT min(started) FROM fetchers"
                 "   WHERE ended IS NOT NULL OR until >= now()))"
                 "  AND (f.claimed_until IS NULL OR f.claimed_until < now() OR f.claimed_by = $1)"
                 "  FOR UPDATE SKIP LOCKED),"
                 " busy AS (SELECT coalesce(fk_url_host(url), '') AS host, count(*) AS n FROM feeds"
                 "  WHERE claimed_until >= now() GROUP BY 1),"
                 " ranked AS (SELECT free.id, free.next_fetch, row_number() OVER (PARTITION BY"
                 "  free.host ORDER BY free.next_fetch NULLS FIRST, free.id) + coalesce(busy.n, 0)"
                 "  AS place FROM free LEFT JOIN busy ON busy.host = free.host)"
                 " UPDATE feeds SET claimed_by = $1,"
                 " claimed_until = now() + make_interval(secs => $4::bigint)"
                 " WHERE id IN (SELECT id FROM ranked WHERE $6::bigint IS NULL OR place <= $6"
                 "  ORDER BY next_fetch NULLS FIRST, id LIMIT $5::bigint)"
                 " RETURNING id",
                 &p, err);
    if (!r)
        goto rollback;
    /* What is left: held by others, or waiting for room at its host. */
    left =
        pg_query(ps->conn,
                 "SELECT count(*) FILTER (WHERE claimed_until >= now() AND claimed_by <> $1),"
                 " count(*) FILTER (WHERE claimed_until IS NULL OR claimed_until < now())"
                 " FROM feeds f WHERE f.subscribed"
                 " AND ($3::boolean OR f.next_fetch IS NULL OR f.next_fetch <= to_timestamp($2))"
                 " AND (f.fetched_at IS NULL OR f.fetched_at < (SELECT min(started) FROM fetchers"
                 "  WHERE until >= now()))",
                 &o, err);
    if (!left)
        goto rollback;
    if (result) {
        result->held = (long)pg_number(left, 0, 0);
        result->waiting = (long)pg_number(left, 0, 1);
    }
    if (pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
        goto out;
    c.count = (size_t)pg_rows(r);
    c.ids = fk_xmalloc((c.count ? c.count : 1) * sizeof *c.ids);
    for (size_t i = 0; i < c.count; i++)
        c.ids[i] = pg_number(r, (int)i, 0);
    qsort(c.ids, c.count, sizeof *c.ids, compare_ids);
    ret = store_pg_list_feeds(ps, FK_FEEDS_SUBSCRIBED, claim->now, pass_claimed, &c, err);
    goto out;
rollback:
    (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL);
out:
    pg_result_free(r);
    pg_result_free(left);
    free(c.ids);
    return ret;
}

int store_pg_feed_fetched(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_text(&p, store_pg_fetcher());
    return pg_exec(ps->conn,
                   "UPDATE feeds SET fetched_at = now(),"
                   " claimed_until = CASE WHEN claimed_by = $2 THEN NULL ELSE claimed_until END,"
                   " claimed_by = CASE WHEN claimed_by = $2 THEN NULL ELSE claimed_by END"
                   " WHERE id = $1::bigint",
                   &p, err) < 0
               ? -1
               : 0;
}

int store_pg_renew_claims(struct pg_store *ps, long lease, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, store_pg_fetcher());
    pg_add_int64(&p, lease > 0 ? lease : 1);
    return pg_exec(ps->conn,
                   "UPDATE feeds SET claimed_until = now() + make_interval(secs => $2::bigint)"
                   " WHERE claimed_by = $1",
                   &p, err) < 0 ||
                   pg_exec(ps->conn,
                           "UPDATE fetchers SET until = now() + make_interval(secs => $2::bigint)"
                           " WHERE owner = $1",
                           &p, err) < 0
               ? -1
               : 0;
}

int store_pg_release_claims(struct pg_store *ps, bool last, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, store_pg_fetcher());
    if (pg_exec(ps->conn,
                "UPDATE feeds SET claimed_by = NULL, claimed_until = NULL, fetched_at = now()"
                " WHERE claimed_by = $1",
                &p, err) < 0)
        return -1;
    if (!last)
        return 0;
    /* The end of this fetcher: it stays of the wave while others work, and
     * the last of them clears the wave (with what died in it). */
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        return -1;
    if (pg_exec(ps->conn, "SELECT pg_advisory_xact_lock(" CLAIM_LOCK ")", NULL, err) < 0 ||
        pg_exec(ps->conn, "UPDATE fetchers SET ended = now() WHERE owner = $1", &p, err) < 0 ||
        pg_exec(ps->conn,
                "DELETE FROM fetchers WHERE NOT EXISTS (SELECT 1 FROM fetchers"
                " WHERE ended IS NULL AND until >= now())",
                NULL, err) < 0 ||
        pg_exec(ps->conn, "COMMIT", NULL, err) < 0) {
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL);
        return -1;
    }
    return 0;
}

/* A host's slots are the advisory locks (host key, 0..per_host-1), the key
 * 32 bits of the host name's hash: two hosts sharing one share a limit,
 * which errs on the polite side. */
static int32_t host_key(const char *host)
{
    return (int32_t)(uint32_t)fk_fnv1a64(host, strlen(host));
}

int store_pg_host_enter(struct pg_store *ps, const char *host, int per_host)
{
    int32_t key = host_key(host);
    struct fk_buf held = FK_BUF_INIT;
    fk_buf_adds(&held, "{");
    for (size_t i = 0; i < ps->nslots; i++)
        if (ps->slots[i].key == key)
            fk_buf_printf(&held, "%s%d", held.len > 1 ? "," : "", ps->slots[i].slot);
    fk_buf_adds(&held, "}");
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, key);
    pg_add_int64(&p, per_host);
    pg_add_text(&p, held.data);
    /* one slot at most: the limit takes the rows one at a time, and CASE
     * keeps the slots held here from being taken again */
    struct pg_result *r = pg_query(ps->conn,
                                   "SELECT s FROM generate_series(0, $2::integer - 1) s"
                                   " WHERE CASE WHEN s = ANY ($3::integer[]) THEN false"
                                   " ELSE pg_try_advisory_lock($1::integer, s) END LIMIT 1",
                                   &p, NULL);
    fk_buf_release(&held);
    if (!r)
        return FK_FETCH_GATE_OPEN;
    int slot = pg_rows(r) > 0 ? (int)pg_number(r, 0, 0) : FK_FETCH_GATE_WAIT;
    pg_result_free(r);
    if (slot >= 0) {
        ps->slots = fk_xrealloc(ps->slots, (ps->nslots + 1) * sizeof *ps->slots);
        ps->slots[ps->nslots++] = (struct pg_slot){key, slot};
    }
    return slot;
}

void store_pg_host_leave(struct pg_store *ps, const char *host, int slot)
{
    int32_t key = host_key(host);
    for (size_t i = 0; i < ps->nslots; i++) {
        if (ps->slots[i].key == key && ps->slots[i].slot == slot) {
            ps->slots[i] = ps->slots[--ps->nslots];
            break;
        }
    }
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, key);
    pg_add_int64(&p, slot);
    /* a slot that cannot be given back goes with the connection */
    (void)pg_exec(ps->conn, "SELECT pg_advisory_unlock($1::integer, $2::integer)", &p, NULL);
}
