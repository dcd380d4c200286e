/* store_pg_write.c - the PostgreSQL store: filing feed documents (one
 * transaction each), the articles' asset references, raw documents,
 * reparse and the explanation of the guid-change rule. The rules are
 * store_write.c's; the helpers that need no database (identity, tags,
 * hashes, the rule's comparison) are shared with it through store_int.h.
 *
 * Many fetchers may file at once, on many hosts. Two feeds carrying the
 * same new article, filed at the same moment, make one article: the
 * identity key is UNIQUE, an insert that meets a key filed meanwhile does
 * nothing (ON CONFLICT DO NOTHING waits for the other transaction), and
 * the item is then filed against that article as an update. Tags and
 * asset URLs are made the same way. A document's rows (tags, code blocks,
 * enclosures, asset references) are written a statement a table, from
 * arrays, to save round trips.
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The state of filing one feed document, between begin_feed and end_feed;
 * kept (empty) between feeds for its scratch space. */
/* The advisory lock feeds are filed under ("fkfl"): shared, or alone
 * after a deadlock (store_pg_begin_feed). */
#define FILING_LOCK "1718314604"

struct pg_filing {
    bool in_feed;
    bool failed; /* a statement failed: the transaction is aborted */
    /* The last feed was rolled back by the server (a deadlock): the next
     * is filed alone (FILING_LOCK). */
    bool alone;
    int64_t feed_id;
    char *feed_url;
    struct filed_set filed;
    struct fk_store_pending pending;
    /* the link keys of the feed's URL and site link (see link_is_shared) */
    bool feed_links_loaded;
    char *feed_url_key;
    char *site_url_key;
    long matched;
    int64_t first_matched_id;
    /* scratch space */
    struct tag_list tags;
    struct fk_buf tags_text;
    char *author_name;
    char *author_email;
    /* zstd's contexts for raw documents (store_pack.c keeps them in a
     * struct fk_store); made when first needed */
    struct fk_store *packer;
};

static struct pg_filing *filing_of(struct pg_store *ps)
{
    if (!ps->filing) {
        ps->filing = fk_xcalloc(1, sizeof *ps->filing);
        fk_buf_init(&ps->filing->tags_text, 0);
    }
    return ps->filing;
}

/* Forget the feed being filed (the transaction is over). */
static void filing_reset(struct pg_filing *f)
{
    f->in_feed = false;
    f->failed = false;
    f->feed_id = 0;
    free(f->feed_url);
    f->feed_url = NULL;
    store_pending_release(&f->pending);
    store_filed_release(&f->filed);
    f->feed_links_loaded = false;
    free(f->feed_url_key);
    free(f->site_url_key);
    f->feed_url_key = f->site_url_key = NULL;
    f->matched = 0;
    f->first_matched_id = 0;
}

void store_pg_filing_free(struct pg_filing *filing)
{
    if (!filing)
        return;
    filing_reset(filing);
    store_tag_list_release(&filing->tags);
    fk_buf_release(&filing->tags_text);
    free(filing->author_name);
    free(filing->author_email);
    if (filing->packer) {
        store_pack_release(filing->packer);
        free(filing->packer);
    }
    free(filing);
}

static bool in_feed(const struct pg_store *ps)
{
    return ps->filing && ps->filing->in_feed;
}

/* Whether filing can go on in the current feed. */
static int check_feed(struct pg_store *ps, struct fk_error *err)
{
    if (!in_feed(ps))
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    if (ps->filing->failed || !pg_in_transaction(ps->conn))
        return fk_error_set(err, FK_ERROR_DB,
                            "database error: the feed is rolled back after an earlier error");
    return 0;
}

/* After a failed statement of filing: a deadlock with another process
 * filing the same articles in another order (or a lock given up) leaves
 * nothing wrong with the archive; the document can be filed again. */
static void transient(struct pg_store *ps, struct fk_error *err)
{
    const char *state = pg_last_state(ps->conn);
    if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0)
        filing_of(ps)->alone = true;
    if (!err ||
        (strcmp(state, "40P01") != 0 && strcmp(state, "40001") != 0 && strcmp(state, "55P03") != 0))
        return;
    err->kind = FK_ERROR_BUSY;
    size_t len = strlen(err->message);
    snprintf(err->message + len, sizeof err->message - len,
             " (another process was filing the same articles: try again)");
}

/* Begin a write: in the feed's transaction when a feed is being filed,
 * else in one of its own (*own set). */
static int write_begin(struct pg_store *ps, bool *own, struct fk_error *err)
{
    *own = !in_feed(ps);
    if (*own)
        return pg_exec(ps->conn, "BEGIN", NULL, err) < 0 ? -1 : 0;
    return check_feed(ps, err);
}

/* End a write begun by write_begin, ret saying how it went: commit or roll
 * back a transaction of its own; a failure in the feed's means the feed
 * cannot be committed. Returns ret, or -1 when the commit failed. */
static int write_end(struct pg_store *ps, bool own, int ret, struct fk_error *err)
{
    if (ret >= 0 && own) {
        if (pg_exec(ps->conn, "COMMIT", NULL, err) < 0)
            ret = -1;
        else
            ps->counts_changed = true;
    }
    if (ret < 0) {
        transient(ps, err);
        if (!own)
            ps->filing->failed = true;
        else if (pg_in_transaction(ps->conn))
            (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL); /* err says why */
    }
    return ret;
}

/* ---- array parameters ------------------------------------------------------ */

/* A PostgreSQL array literal being built in a buffer of no limit but
 * memory: "{"a","b\"c",NULL,3}". */
static void array_begin(struct fk_buf *b)
{
    fk_buf_init(b, SIZE_MAX);
    fk_buf_addc(b, '{');
}

static void array_comma(struct fk_buf *b)
{
    if (b->len > 1)
        fk_buf_addc(b, ',');
}

static void array_text(struct fk_buf *b, const char *s)
{
    array_comma(b);
    if (!s) {
        fk_buf_adds(b, "NULL");
        return;
    }
    fk_buf_addc(b, '"');
    for (const char *run = s;; s++) {
        if (*s == '"' || *s == '\\' || !*s) {
            fk_buf_add(b, run, (size_t)(s - run));
            if (!*s)
                break;
            fk_buf_addc(b, '\\');
            run = s;
        }
    }
    fk_buf_addc(b, '"');
}

static void array_int(struct fk_buf *b, int64_t n)
{
    array_comma(b);
    fk_buf_printf(b, "%lld", (long long)n);
}

static const char *array_end(struct fk_buf *b)
{
    fk_buf_addc(b, '}');
    return b->data;
}

/* ---- statements -------------------------------------------------------------- */

/* The feed's row, made when missing. The update comes first: an insert
 * that meets the row would take a number of the sequence all the same. */
static const char sql_feed_upsert[] =
    "WITH u AS (UPDATE feeds SET title = coalesce(nullif($2, ''), title),"
    " site_url = coalesce(nullif($3, ''), site_url) WHERE url = $1 RETURNING id),"
    " i AS (INSERT INTO feeds(url, title, site_url, created)"
    " SELECT $1, nullif($2, ''), nullif($3, ''), to_timestamp($4) WHERE NOT EXISTS (SELECT 1 FROM "
    "u)"
    " ON CONFLICT (url) DO UPDATE SET title = coalesce(excluded.title, feeds.title),"
    " site_url = coalesce(excluded.site_url, feeds.site_url) RETURNING id)"
    " SELECT id FROM u UNION ALL SELECT id FROM i";
static const char sql_feed_update[] = "UPDATE feeds SET title = coalesce(nullif($2, ''), title),"
                                      " site_url = coalesce(nullif($3, ''), site_url)"
                                      " WHERE id = $1";
/* By key, else by alias (asked in the same round trip); with whether its
 * API row holds the author's Markdown. */
static const char sql_find_key[] =
    "SELECT 0, a.id, a.content_hash, a.source_hash,"
    " (SELECT x.markdown IS NOT NULL FROM article_api x WHERE x.article_id = a.id)"
    " FROM articles a WHERE a.key = $1"
    " UNION ALL SELECT 1, a.id, a.content_hash, a.source_hash,"
    " (SELECT x.markdown IS NOT NULL FROM article_api x WHERE x.article_id = a.id)"
    " FROM article_aliases al JOIN articles a ON a.id = al.article_id WHERE al.key = $1"
    " ORDER BY 1 LIMIT 1";
static const char sql_api_has[] =
    "SELECT markdown IS NOT NULL FROM article_api WHERE article_id = $1";
/* The article seen again, and carried by feed $2. */
static const char sql_touch[] =
    "WITH t AS (UPDATE articles SET last_seen = to_timestamp($3), source_hash = $4"
    " WHERE id = $1 RETURNING id)"
    " INSERT INTO article_feeds(article_id, feed_id) SELECT t.id, $2::bigint FROM t"
    " WHERE NOT EXISTS (SELECT 1 FROM article_feeds x WHERE x.article_id = $1"
    " AND x.feed_id = $2) ON CONFLICT DO NOTHING";
static const char sql_feed_link[] =
    "INSERT INTO article_feeds(article_id, feed_id) SELECT $1::bigint, $2::bigint"
    " WHERE NOT EXISTS (SELECT 1 FROM article_feeds x WHERE x.article_id = $1"
    " AND x.feed_id = $2) ON CONFLICT DO NOTHING";
/* sql_article_insert and sql_article_update share $2 to $20
 * (add_article_params); $1 is the key for one and the id for the other. */
static const char sql_article_insert[] =
    "INSERT INTO articles(key, guid, url, title, author, published, published_raw, updated,"
    " updated_raw, first_seen, last_seen, summary_html, content_html, text, markdown,"
    " tags_text, content_hash, source_hash, link_key, author_email, base_url)"
    " VALUES ($1, $2, $3, $4, $5, to_timestamp($6), $7, to_timestamp($8), $9,"
    " to_timestamp($10), to_timestamp($10), $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    " ON CONFLICT (key) DO NOTHING RETURNING id";
static const char sql_article_update[] =
    "UPDATE articles SET guid = $2, url = $3, title = $4, author = $5,"
    " published = to_timestamp($6), published_raw = $7, updated = to_timestamp($8),"
    " updated_raw = $9, last_seen = to_timestamp($10), summary_html = $11,"
    " content_html = $12, text = $13, markdown = $14, tags_text = $15, content_hash = $16,"
    " source_hash = $17, link_key = $18, author_email = $19, base_url = $20 WHERE id = $1";
/* Before a change: the old content kept as a version, the rows written
 * again deleted, and the page's text no longer the article's (the feed's
 * content replaces it: the page is fetched again for the item's new
 * source). */
static const char sql_before_change[] =
    "WITH v AS (INSERT INTO article_versions(article_id, replaced_at, title, text, markdown,"
    " content_html, tags_text, content_hash) SELECT id, to_timestamp($2), title, text,"
    " markdown, coalesce(content_html, summary_html), tags_text, content_hash FROM articles"
    " WHERE id = $1),"
    " t AS (DELETE FROM article_tags WHERE article_id = $1),"
    " c AS (DELETE FROM code_blocks WHERE article_id = $1),"
    " e AS (DELETE FROM enclosures WHERE article_id = $1)"
    " UPDATE article_pages SET used = false WHERE article_id = $1";
static const char sql_version_save[] =
    "INSERT INTO article_versions(article_id, replaced_at, title, text, markdown, content_html,"
    " tags_text, content_hash) SELECT id, to_timestamp($2), title, text, markdown,"
    " coalesce(content_html, summary_html), tags_text, content_hash FROM articles"
    " WHERE id = $1";
/* Tags new to the archive, in the article's order (sorted), so that two
 * transactions adding the same tags take their locks in the same order. */
static const char sql_tags_add[] =
    "INSERT INTO tags(name) SELECT t.name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, o)"
    " WHERE NOT EXISTS (SELECT 1 FROM tags x WHERE x.name = t.name) ORDER BY t.o"
    " ON CONFLICT (name) DO NOTHING";
static const char sql_article_tags_add[] =
    "INSERT INTO article_tags(article_id, tag_id, date)"
    " SELECT $1::bigint, x.id, to_timestamp($3) FROM tags x WHERE x.name = ANY($2::text[])";
static const char sql_code_insert[] =
    "INSERT INTO code_blocks(article_id, position, language, code, lines)"
    " SELECT $1::bigint, t.o - 1, t.language, t.code, t.lines"
    " FROM unnest($2::text[], $3::text[], $4::integer[]) WITH ORDINALITY"
    " AS t(language, code, lines, o) ORDER BY t.o";
static const char sql_code_delete[] = "DELETE FROM code_blocks WHERE article_id = $1";
static const char sql_enclosure_insert[] =
    "INSERT INTO enclosures(article_id, position, url, type, length, kind)"
    " SELECT $1::bigint, t.o - 1, t.url, t.type, t.length, t.kind"
    " FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY"
    " AS t(url, type, length, kind, o)";
static const char sql_enclosure_delete[] = "DELETE FROM enclosures WHERE article_id = $1";
static const char sql_text_length[] = "SELECT octet_length(text) FROM articles WHERE id = $1";
/* The new content kept as a rejected version, unless the same was. */
static const char sql_reject[] =
    "INSERT INTO article_versions(article_id, replaced_at, title, text, markdown, content_html,"
    " tags_text, content_hash, kind) SELECT $1::bigint, to_timestamp($2), $3, $4, $5, $6, $7,"
    " $8::bigint, 'rejected' WHERE NOT EXISTS (SELECT 1 FROM article_versions"
    " WHERE article_id = $1 AND kind = 'rejected' AND content_hash = $8)";
static const char sql_page_in_use[] = "SELECT used FROM article_pages WHERE article_id = $1";
static const char sql_alias_insert[] =
    "INSERT INTO article_aliases(key, article_id, feed_id, guid, rule, created)"
    " VALUES ($1, $2, $3, $4, $5, to_timestamp($6)) ON CONFLICT (key) DO NOTHING";
/* The articles of feed $2 with link key $1; two are enough to know that
 * the link does not name one article. */
static const char sql_link_candidates[] =
    "SELECT a.id, a.content_hash, a.source_hash, a.title, fk_epoch(a.published), a.text"
    " FROM articles a JOIN article_feeds af ON af.article_id = a.id AND af.feed_id = $2"
    " WHERE a.link_key = $1 LIMIT 2";
static const char sql_feed_links[] = "SELECT url, site_url FROM feeds WHERE id = $1";
static const char sql_canonical_article[] =
    "SELECT id, content_hash, source_hash FROM articles WHERE link_key = $1 LIMIT 2";
static const char sql_canonical_of[] =
    "SELECT a.id, a.content_hash, a.source_hash FROM article_api x"
    " JOIN articles a ON a.id = x.article_id WHERE x.canonical_key = $1 LIMIT 2";
static const char sql_api_put[] =
    "INSERT INTO article_api(article_id, api_id, url, canonical_url, canonical_key, markdown,"
    " series, organization, edited, reading_minutes, reactions, comments, counted)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9), $10, $11, $12,"
    " to_timestamp($13))"
    " ON CONFLICT (article_id) DO UPDATE SET api_id = excluded.api_id, url = excluded.url,"
    " canonical_url = excluded.canonical_url, canonical_key = excluded.canonical_key,"
    " markdown = coalesce(excluded.markdown, article_api.markdown),"
    " series = excluded.series, organization = excluded.organization,"
    " edited = excluded.edited,"
    " reading_minutes = coalesce(excluded.reading_minutes, article_api.reading_minutes),"
    " reactions = coalesce(excluded.reactions, article_api.reactions),"
    " comments = coalesce(excluded.comments, article_api.comments),"
    " counted = excluded.counted";

/* ---- filing ------------------------------------------------------------------ */

int store_pg_begin_feed(struct pg_store *ps, const char *feed_url, const struct fk_feed_info *info,
                        struct fk_error *err)
{
    struct pg_filing *f = filing_of(ps);
    struct pg_result *r = NULL;
    int ret = -1;

    if (f->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is already being filed");
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        goto out;
    /* Feeds are filed under a lock they share. Two filing the same
     * articles in opposite orders may deadlock, and the server rolls one
     * back; that one, filed again, takes the lock alone: it waits for the
     * filings under way and runs by itself, so it cannot meet them again. */
    if (pg_exec(ps->conn,
                f->alone ? "SELECT pg_advisory_xact_lock(" FILING_LOCK ")"
                         : "SELECT pg_advisory_xact_lock_shared(" FILING_LOCK ")",
                NULL, err) < 0)
        goto out;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_text(&p, feed_url);
    pg_add_text(&p, info ? info->title : NULL);
    pg_add_text(&p, info ? info->site_url : NULL);
    pg_add_int64(&p, time(NULL));
    /* The feed's row stays locked until the end: a second process filing
     * the same feed waits, then finds its items filed. */
    if (!(r = pg_query(ps->conn, sql_feed_upsert, &p, err)))
        goto out;
    if (pg_rows(r) != 1) {
        fk_error_set(err, FK_ERROR_DB, "database error: no feed row for '%s'", feed_url);
        goto out;
    }
    filing_reset(f);
    f->feed_id = pg_number(r, 0, 0);
    f->feed_url = fk_xstrdup(feed_url);
    f->in_feed = true;
    ret = 0;
out:
    pg_result_free(r);
    if (ret < 0)
        transient(ps, err);
    if (ret < 0 && pg_in_transaction(ps->conn))
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL); /* err already says why */
    return ret;
}

/* Look p->key up by key, then by alias: 1 with p's stored fields and
 * *api_kept set, 0 when it is not there, -1 with err filled. */
static int find_key(struct pg_store *ps, struct fk_store_pending *p, bool *api_kept,
                    struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, p->key);
    struct pg_result *r = pg_query(ps->conn, sql_find_key, &params, err);
    if (!r)
        return -1;
    int found = pg_rows(r) > 0;
    p->id = found ? pg_number(r, 0, 1) : 0;
    if (found) {
        p->stored_content_hash = pg_number(r, 0, 2);
        p->stored_source_hash = pg_number(r, 0, 3);
        *api_kept = pg_number(r, 0, 4) != 0;
    }
    pg_result_free(r);
    return found;
}

/* Whether article id holds the author's Markdown from an API. */
static int api_kept(struct pg_store *ps, int64_t id, bool *kept, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn, sql_api_has, &p, err);
    if (!r)
        return -1;
    *kept = pg_rows(r) > 0 && pg_number(r, 0, 0) != 0;
    pg_result_free(r);
    return 0;
}

/* Record that the current feed carried article id. */
static int link_feed(struct pg_store *ps, int64_t id, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_int64(&p, ps->filing->feed_id);
    return pg_exec(ps->conn, sql_feed_link, &p, err) < 0 ? -1 : 0;
}

/* Record that the stored article p->id was seen again in the current feed:
 * last_seen, feed membership and the source hash, nothing else. */
static int touch_article(struct pg_store *ps, const struct fk_store_pending *p,
                         struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_int64(&params, p->id);
    pg_add_int64(&params, ps->filing->feed_id);
    pg_add_int64(&params, time(NULL));
    pg_add_int64(&params, p->source_hash);
    return pg_exec(ps->conn, sql_touch, &params, err) < 0 ? -1 : 0;
}

int store_pg_find_item(struct pg_store *ps, const struct fk_item *item,
                       struct fk_store_pending **pending, struct fk_error *err)
{
    if (check_feed(ps, err) < 0)
        return -1;
    struct pg_filing *f = ps->filing;
    struct fk_store_pending *p = &f->pending;
    bool kept = false;

    store_pending_release(p);
    p->item = item;
    p->key = fk_store_identity(f->feed_url, item);
    store_normalize_tags(&f->tags, (const char *const *)item->tags, item->ntags);
    p->source_hash = store_source_hash(item, &f->tags);
    int found = find_key(ps, p, &kept, err);
    if (found < 0)
        goto fail;
    /* The document carried this article already (see store_write.c). */
    if (p->id && store_filed_find(&f->filed, p->id))
        return 1;
    /* An article whose author's Markdown came through an API is not
     * replaced by an item without it. */
    bool api = p->id && p->stored_source_hash != p->source_hash && !item->api.markdown && kept;
    if (p->id && (p->stored_source_hash == p->source_hash || api)) {
        if (touch_article(ps, p, err) < 0)
            goto fail;
        store_filed_add(&f->filed, p->id, fk_fnv1a64(p->key, strlen(p->key)));
        return 1;
    }
    *pending = p;
    return 0;
fail:
    f->failed = true;
    transient(ps, err);
    return -1;
}

/* Load the link keys of the current feed's URL and site link. */
static int load_feed_links(struct pg_store *ps, struct fk_error *err)
{
    struct pg_filing *f = ps->filing;
    if (f->feed_links_loaded)
        return 0;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, f->feed_id);
    struct pg_result *r = pg_query(ps->conn, sql_feed_links, &p, err);
    if (!r)
        return -1;
    if (pg_rows(r) > 0) {
        f->feed_url_key = fk_store_link_key(pg_text_or_null(r, 0, 0));
        f->site_url_key = fk_store_link_key(pg_text_or_null(r, 0, 1));
    }
    pg_result_free(r);
    f->feed_links_loaded = true;
    return 0;
}

/* Whether link key names no one article of the current feed: a site's
 * front page, the feed itself or the feed's site link. */
static bool link_is_shared(const struct pg_filing *f, const char *key)
{
    return store_link_is_root(key) || (f->feed_url_key && strcmp(key, f->feed_url_key) == 0) ||
           (f->site_url_key && strcmp(key, f->site_url_key) == 0);
}

/* The guid-change rule (see store_write.c's find_match). */
static int find_match(struct pg_store *ps, const struct fk_item *item,
                      const struct fk_content *content, struct fk_store_pending *p,
                      struct fk_error *err)
{
    struct pg_filing *f = ps->filing;
    if (!p->link_key)
        return 0;
    if (load_feed_links(ps, err) < 0)
        return -1;
    if (link_is_shared(f, p->link_key))
        return 0;
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, p->link_key);
    pg_add_int64(&params, f->feed_id);
    struct pg_result *r = pg_query(ps->conn, sql_link_candidates, &params, err);
    if (!r)
        return -1;
    /* two rows: the link is shared, it names no one article */
    int64_t id = pg_rows(r) == 1 ? pg_number(r, 0, 0) : 0;
    if (id && !store_filed_find(&f->filed, id)) {
        struct match_side stored = {pg_text_or_null(r, 0, 3), pg_text_or_null(r, 0, 5),
                                    pg_time(r, 0, 4)};
        struct match_side offered = {item->title, content ? content->text : NULL, item->published};
        struct fk_match m = {.same_feed = true, .same_link = true, .link_identifies = true};
        store_match_compare(&stored, &offered, false, &m);
        if (m.match) {
            p->id = id;
            p->stored_content_hash = pg_number(r, 0, 1);
            p->stored_source_hash = pg_number(r, 0, 2);
            p->rule = m.same_title && m.dates_agree ? "title" : "text";
        }
    }
    pg_result_free(r);
    return 0;
}

/* The one article sql finds for key, into p with rule "canonical". */
static int canonical_lookup(struct pg_store *ps, const char *sql, const char *key,
                            struct fk_store_pending *p, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, key);
    struct pg_result *r = pg_query(ps->conn, sql, &params, err);
    if (!r)
        return -1;
    /* two articles: the link names no one article */
    int64_t found = pg_rows(r) == 1 ? pg_number(r, 0, 0) : 0;
    if (found && !store_filed_find(&ps->filing->filed, found)) {
        p->id = found;
        p->stored_content_hash = pg_number(r, 0, 1);
        p->stored_source_hash = pg_number(r, 0, 2);
        p->rule = "canonical";
    }
    pg_result_free(r);
    return 0;
}

/* A cross-post (see store_write.c's find_canonical). */
static int find_canonical(struct pg_store *ps, const struct fk_item *item,
                          struct fk_store_pending *p, struct fk_error *err)
{
    if (item->api.id) {
        if (!item->api.canonical_url)
            return 0;
        char *key = fk_store_link_key(item->api.canonical_url);
        int rc = key ? canonical_lookup(ps, sql_canonical_article, key, p, err) : 0;
        free(key);
        return rc;
    }
    return p->link_key ? canonical_lookup(ps, sql_canonical_of, p->link_key, p, err) : 0;
}

/* Keep p->key as an alias of the article p matched. */
static int add_alias(struct pg_store *ps, const struct fk_item *item,
                     const struct fk_store_pending *p, struct fk_error *err)
{
    struct pg_filing *f = ps->filing;
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_text(&params, p->key);
    pg_add_int64(&params, p->id);
    pg_add_int64(&params, f->feed_id);
    pg_add_text(&params, item->guid);
    pg_add_text(&params, p->rule);
    pg_add_int64(&params, time(NULL));
    if (pg_exec(ps->conn, sql_alias_insert, &params, err) < 0)
        return -1;
    if (!f->matched++)
        f->first_matched_id = p->id;
    return 0;
}

/* Record what item, an API's article filed as article id, adds. */
static int api_put(struct pg_store *ps, int64_t id, const struct fk_item *item,
                   struct fk_error *err)
{
    const struct fk_item_api *api = &item->api;
    char *canonical_key = fk_store_link_key(api->canonical_url);
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_int64(&p, api->id);
    pg_add_text(&p, item->url);
    pg_add_text(&p, api->canonical_url);
    pg_add_text(&p, canonical_key);
    pg_add_text(&p, api->markdown);
    pg_add_text(&p, api->series);
    pg_add_text(&p, api->organization);
    pg_add_time(&p, api->edited);
    pg_add_count(&p, api->reading_minutes);
    pg_add_count(&p, api->reactions);
    pg_add_count(&p, api->comments);
    pg_add_int64(&p, time(NULL));
    int rc = pg_exec(ps->conn, sql_api_put, &p, err) < 0 ? -1 : 0;
    free(canonical_key);
    return rc;
}

/* The content hash of the item pending and its tags' text (into
 * f->tags_text). */
static int content_hash(struct pg_filing *f, const struct fk_store_pending *p,
                        const struct fk_content *content, int64_t *hash, struct fk_error *err)
{
    fk_buf_reset(&f->tags_text);
    for (size_t i = 0; i < f->tags.count; i++) {
        if ((i && fk_buf_addc(&f->tags_text, ' ') < 0) ||
            fk_buf_adds(&f->tags_text, f->tags.names[i]) < 0)
            return fk_error_set(err, FK_ERROR_INPUT, "the tags of '%s' are too long", p->key);
    }
    if (!f->tags_text.data)
        fk_buf_adds(&f->tags_text, "");
    *hash = store_content_hash(p->item->title, content ? content->text : NULL, &f->tags);
    return 0;
}

/* Link article id, of the given date, to the tags in f->tags, making
 * the missing tags. */
static int insert_tags(struct pg_store *ps, int64_t id, int64_t date, struct fk_error *err)
{
    struct pg_filing *f = ps->filing;
    if (!f->tags.count)
        return 0;
    struct fk_buf names;
    array_begin(&names);
    for (size_t i = 0; i < f->tags.count; i++)
        array_text(&names, f->tags.names[i]);
    struct pg_params add = PG_PARAMS_INIT;
    pg_add_text(&add, array_end(&names));
    struct pg_params link = PG_PARAMS_INIT;
    pg_add_int64(&link, id);
    pg_add_text(&link, names.data);
    pg_add_time(&link, date);
    /* Two statements: the second sees a tag that a concurrent transaction
     * made (and the first waited for). */
    int rc = pg_exec(ps->conn, sql_tags_add, &add, err) < 0 ||
                     pg_exec(ps->conn, sql_article_tags_add, &link, err) < 0
                 ? -1
                 : 0;
    fk_buf_release(&names);
    return rc;
}

static int insert_code_blocks(struct pg_store *ps, int64_t id, const struct fk_content *content,
                              struct fk_error *err)
{
    if (!content || !content->ncode_blocks)
        return 0;
    struct fk_buf languages, codes, lines;
    array_begin(&languages);
    array_begin(&codes);
    array_begin(&lines);
    for (size_t i = 0; i < content->ncode_blocks; i++) {
        const struct fk_code_block *block = &content->code_blocks[i];
        char *language = store_lower_dup(block->language);
        array_text(&languages, language);
        free(language);
        array_text(&codes, block->code ? block->code : "");
        array_int(&lines, (int64_t)block->lines);
    }
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_text(&p, array_end(&languages));
    pg_add_text(&p, array_end(&codes));
    pg_add_text(&p, array_end(&lines));
    int rc = pg_exec(ps->conn, sql_code_insert, &p, err) < 0 ? -1 : 0;
    fk_buf_release(&languages);
    fk_buf_release(&codes);
    fk_buf_release(&lines);
    return rc;
}

static int insert_enclosures(struct pg_store *ps, int64_t id, const struct fk_item *item,
                             struct fk_error *err)
{
    if (!item->nenclosures)
        return 0;
    struct fk_buf urls, types, lengths, kinds;
    array_begin(&urls);
    array_begin(&types);
    array_begin(&lengths);
    array_begin(&kinds);
    for (size_t i = 0; i < item->nenclosures; i++) {
        const struct fk_enclosure *e = &item->enclosures[i];
        array_text(&urls, e->url);
        array_text(&types, e->type);
        if (e->length < 0)
            array_text(&lengths, NULL);
        else
            array_int(&lengths, e->length);
        array_text(&kinds, e->kind);
    }
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    pg_add_text(&p, array_end(&urls));
    pg_add_text(&p, array_end(&types));
    pg_add_text(&p, array_end(&lengths));
    pg_add_text(&p, array_end(&kinds));
    int rc = pg_exec(ps->conn, sql_enclosure_insert, &p, err) < 0 ? -1 : 0;
    fk_buf_release(&urls);
    fk_buf_release(&types);
    fk_buf_release(&lengths);
    fk_buf_release(&kinds);
    return rc;
}

/* Run sql, whose only parameter is id. */
static int exec_with_id(struct pg_store *ps, const char *sql, int64_t id, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    return pg_exec(ps->conn, sql, &p, err) < 0 ? -1 : 0;
}

/* Write the enclosures of article id again. */
static int replace_enclosures(struct pg_store *ps, int64_t id, const struct fk_item *item,
                              struct fk_error *err)
{
    if (exec_with_id(ps, sql_enclosure_delete, id, err) < 0)
        return -1;
    return insert_enclosures(ps, id, item, err);
}

/* Write a new article, or the new content of a changed one (p->id != 0),
 * with its tags, code blocks, enclosures and feed membership. Returns 0,
 * 1 when a new article's key was filed by another transaction meanwhile
 * (p is then that article, to file against again), -1 with err filled. */
static int write_article(struct pg_store *ps, const struct fk_item *item,
                         const struct fk_content *content, struct fk_store_pending *p,
                         int64_t content_hash, bool *api, struct fk_error *err)
{
    struct pg_filing *f = ps->filing;
    int64_t now = time(NULL);
    if (p->id) {
        struct pg_params before = PG_PARAMS_INIT;
        pg_add_int64(&before, p->id);
        pg_add_int64(&before, now);
        if (pg_exec(ps->conn, sql_before_change, &before, err) < 0)
            return -1;
    }
    const char *text = content && content->text ? content->text : "";
    const char *markdown = content && content->markdown ? content->markdown : "";
    store_split_author(item->author, &f->author_name, &f->author_email);
    struct pg_params params = PG_PARAMS_INIT;
    if (p->id)
        pg_add_int64(&params, p->id);
    else
        pg_add_text(&params, p->key);
    pg_add_text(&params, item->guid);
    pg_add_text(&params, item->url);
    pg_add_text(&params, item->title);
    pg_add_text(&params, f->author_name);
    pg_add_time(&params, item->published);
    pg_add_text(&params, item->published_raw);
    pg_add_time(&params, item->updated);
    pg_add_text(&params, item->updated_raw);
    pg_add_int64(&params, now);
    pg_add_text(&params, item->summary_html);
    pg_add_text(&params, item->content_html);
    pg_add_text(&params, text);
    pg_add_text(&params, markdown);
    pg_add_text(&params, f->tags_text.data);
    pg_add_int64(&params, content_hash);
    pg_add_int64(&params, p->source_hash);
    pg_add_text(&params, p->link_key);
    pg_add_text(&params, f->author_email);
    pg_add_text(&params, item->base_url);
    if (p->id) {
        if (pg_exec(ps->conn, sql_article_update, &params, err) < 0)
            return -1;
    } else {
        struct pg_result *r = pg_query(ps->conn, sql_article_insert, &params, err);
        if (!r)
            return -1;
        p->id = pg_rows(r) ? pg_number(r, 0, 0) : 0;
        pg_result_free(r);
        if (!p->id) {
            /* Another process filed the key first (and committed: the
             * insert waited for it). */
            int found = find_key(ps, p, api, err);
            if (found == 0)
                fk_error_set(err, FK_ERROR_DB,
                             "database error: '%s' was filed by another process and is gone",
                             p->key);
            return found > 0 ? 1 : -1;
        }
    }
    /* articles.date, as the schema defines it */
    int64_t date = item->published != FK_TIME_NONE ? item->published : item->updated;
    if (insert_tags(ps, p->id, date, err) < 0 || insert_code_blocks(ps, p->id, content, err) < 0 ||
        insert_enclosures(ps, p->id, item, err) < 0)
        return -1;
    return link_feed(ps, p->id, err);
}

/* The short-body guard: whether text, replacing the stored text of article
 * id, would be empty or under half as long, the stored text not empty. */
static int is_shorter(struct pg_store *ps, int64_t id, const char *text, bool *shorter,
                      struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn, sql_text_length, &p, err);
    if (!r)
        return -1;
    int64_t stored = pg_rows(r) ? pg_number(r, 0, 0) : 0;
    pg_result_free(r);
    uint64_t len = text ? strlen(text) : 0;
    *shorter = stored > 0 && (len == 0 || len * 2 < (uint64_t)stored);
    return 0;
}

/* The guard kept the archived content of p->id: keep the new content as a
 * rejected version, unless the same content was rejected before (*again),
 * and record that the article was seen. */
static int keep_rejected(struct pg_store *ps, const struct fk_item *item,
                         const struct fk_content *content, const struct fk_store_pending *p,
                         int64_t content_hash, bool *again, struct fk_error *err)
{
    const char *html = item->content_html ? item->content_html : item->summary_html;
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_int64(&params, p->id);
    pg_add_int64(&params, time(NULL));
    pg_add_text(&params, item->title);
    pg_add_text(&params, content && content->text ? content->text : "");
    pg_add_text(&params, content && content->markdown ? content->markdown : "");
    pg_add_text(&params, html);
    pg_add_text(&params, ps->filing->tags_text.data);
    pg_add_int64(&params, content_hash);
    long added = pg_exec(ps->conn, sql_reject, &params, err);
    if (added < 0)
        return -1;
    *again = added == 0;
    return touch_article(ps, p, err);
}

/* Whether the text of article id is its page's. */
static int page_in_use(struct pg_store *ps, int64_t id, bool *used, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn, sql_page_in_use, &p, err);
    if (!r)
        return -1;
    *used = pg_rows(r) > 0 && pg_number(r, 0, 0) != 0;
    pg_result_free(r);
    return 0;
}

/* The stored hashes of article p->id read again under its row lock. A
 * fetcher filing the same change from another feed holds the lock until it
 * commits: this one waits, then sees the change, and does not make it (and
 * its version) a second time. */
static int lock_article(struct pg_store *ps, struct fk_store_pending *p, struct fk_error *err)
{
    struct pg_params params = PG_PARAMS_INIT;
    pg_add_int64(&params, p->id);
    struct pg_result *r = pg_query(
        ps->conn, "SELECT content_hash, source_hash FROM articles WHERE id = $1 FOR UPDATE",
        &params, err);
    if (!r)
        return -1;
    if (pg_rows(r) > 0) {
        p->stored_content_hash = pg_number(r, 0, 0);
        p->stored_source_hash = pg_number(r, 0, 1);
    }
    pg_result_free(r);
    return 0;
}

/* File the item pending as decided from p's stored fields: *what. Returns
 * write_article's values. */
static int file_item(struct pg_store *ps, struct fk_store_pending *p,
                     const struct fk_content *content, int64_t hash, bool *api,
                     enum fk_put_result *what, struct fk_error *err)
{
    const struct fk_item *item = p->item;
    const char *text = content ? content->text : NULL;
    bool shorter = false;
    int rc;

    /* a change is decided on the row as it is under its lock */
    if (p->id && !*api && p->stored_content_hash != hash && lock_article(ps, p, err) < 0)
        return -1;

    if (*api) {
        /* the blog post of an article read through an API: one article */
        *what = FK_PUT_UNCHANGED;
        return touch_article(ps, p, err);
    }
    if (!p->id)
        *what = FK_PUT_NEW;
    else if (p->stored_content_hash == hash)
        *what = FK_PUT_UNCHANGED;
    else if (is_shorter(ps, p->id, text, &shorter, err) < 0)
        return -1;
    else
        *what = shorter ? FK_PUT_KEPT_SHORTER : FK_PUT_UPDATED;

    if (*what == FK_PUT_UNCHANGED) {
        rc = touch_article(ps, p, err);
        if (rc == 0 && p->stored_source_hash != p->source_hash)
            rc = replace_enclosures(ps, p->id, item, err);
    } else if (*what == FK_PUT_KEPT_SHORTER) {
        bool again = false;
        rc = keep_rejected(ps, item, content, p, hash, &again, err);
        /* A teaser shorter than the article its page gave is what the
         * feed always sends: no news. */
        if (again || (rc == 0 && (rc = page_in_use(ps, p->id, &again, err)) == 0 && again))
            *what = FK_PUT_UNCHANGED;
    } else {
        bool found_api = false;
        rc = write_article(ps, item, content, p, hash, &found_api, err);
        /* filed meanwhile under its key: as store_pg_find_item would have
         * found it */
        if (rc == 1)
            *api = p->stored_source_hash != p->source_hash && !item->api.markdown && found_api;
    }
    return rc;
}

int store_pg_put_item(struct pg_store *ps, struct fk_store_pending *p,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err)
{
    if (check_feed(ps, err) < 0)
        return -1;
    struct pg_filing *f = ps->filing;
    const struct fk_item *item = p->item;
    int64_t hash = 0;
    enum fk_put_result what = FK_PUT_NEW;
    bool api = false;
    int rc = -1;

    free(p->link_key);
    p->link_key = fk_store_link_key(item->url);
    if (!p->id && find_canonical(ps, item, p, err) < 0)
        goto out;
    if (!p->id && find_match(ps, item, content, p, err) < 0)
        goto out;
    if (content_hash(f, p, content, &hash, err) < 0)
        return -1; /* nothing written */
    if (p->rule && strcmp(p->rule, "canonical") == 0 && !item->api.markdown &&
        api_kept(ps, p->id, &api, err) < 0)
        goto out;
    /* Once more at most: an article filed meanwhile under the key is
     * found by it, and is not inserted again. */
    rc = file_item(ps, p, content, hash, &api, &what, err);
    if (rc == 1)
        rc = file_item(ps, p, content, hash, &api, &what, err);
    if (rc == 0 && p->rule)
        rc = add_alias(ps, item, p, err);
    if (rc == 0 && item->api.id && what != FK_PUT_KEPT_SHORTER)
        rc = api_put(ps, p->id, item, err);
out:
    if (rc != 0) {
        /* PostgreSQL aborted the transaction at the failed statement: the
         * feed cannot be committed. */
        f->failed = true;
        transient(ps, err);
        return -1;
    }
    store_filed_add(&f->filed, p->id, fk_fnv1a64(p->key, strlen(p->key)));
    *result = what;
    return 0;
}

int store_pg_end_feed(struct pg_store *ps, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err)
{
    struct pg_filing *f = ps->filing;
    int ret = -1;

    if (!in_feed(ps))
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    if (!ok) {
        ret = pg_exec(ps->conn, "ROLLBACK", NULL, err) < 0 ? -1 : 0;
        goto out;
    }
    if (check_feed(ps, err) < 0)
        goto out;
    /* Run without final too: a transaction that another function aborted
     * fails here, where COMMIT would roll it back without an error. */
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, f->feed_id);
    pg_add_text(&p, final ? final->title : NULL);
    pg_add_text(&p, final ? final->site_url : NULL);
    if (pg_exec(ps->conn, sql_feed_update, &p, err) < 0)
        goto out;
    ret = pg_exec(ps->conn, "COMMIT", NULL, err) < 0 ? -1 : 0;
    if (ret < 0)
        transient(ps, err);
    else
        f->alone = false;
out:
    /* Whatever happened, the connection must be ready for the next feed. */
    if (pg_in_transaction(ps->conn))
        (void)pg_exec(ps->conn, "ROLLBACK", NULL, NULL); /* err already says why */
    filing_reset(f);
    /* Not waiting: a fetcher does not queue behind another's fold; what
     * it leaves, its next fold or the one at its close takes. */
    if (ret == 0 && ok) {
        store_pg_fold_counts(ps, false);
        ps->counts_changed = true;
    }
    return ret;
}

int64_t store_pg_current_feed(const struct pg_store *ps)
{
    return in_feed(ps) ? ps->filing->feed_id : 0;
}

long store_pg_feed_matches(const struct pg_store *ps, int64_t *first_id)
{
    if (first_id)
        *first_id = in_feed(ps) ? ps->filing->first_matched_id : 0;
    return in_feed(ps) ? ps->filing->matched : 0;
}

/* ---- asset references ------------------------------------------------------- */

static const char sql_refs_delete[] = "DELETE FROM article_assets WHERE article_id = $1";
/* URLs new to the archive, in the references' order, each once. */
static const char sql_asset_urls_add[] =
    "INSERT INTO asset_urls(url, created) SELECT t.url, to_timestamp($2)"
    " FROM unnest($1::text[]) WITH ORDINALITY AS t(url, o)"
    " WHERE NOT EXISTS (SELECT 1 FROM asset_urls x WHERE x.url = t.url)"
    " GROUP BY t.url ORDER BY min(t.o) ON CONFLICT (url) DO NOTHING";
static const char sql_refs_insert[] =
    "INSERT INTO article_assets(article_id, position, url_id, kind, linked)"
    " SELECT $1::bigint, t.o - 1, x.id, t.kind, t.linked"
    " FROM unnest($2::text[], $3::text[], $4::boolean[]) WITH ORDINALITY"
    " AS t(url, kind, linked, o) JOIN asset_urls x ON x.url = t.url";
/* The article's enclosures (0), then its recorded references (1). */
static const char sql_refs_state[] =
    "SELECT 0, position, url, type, kind, false FROM enclosures WHERE article_id = $1"
    " UNION ALL SELECT 1, aa.position, u.url, NULL, aa.kind, aa.linked FROM article_assets aa"
    " JOIN asset_urls u ON u.id = aa.url_id WHERE aa.article_id = $1 ORDER BY 1, 2";

static int put_refs(struct pg_store *ps, int64_t id, const struct fk_asset_ref *refs, size_t nrefs,
                    struct fk_error *err)
{
    for (size_t i = 0; i < nrefs; i++) {
        if (!refs[i].url || !fk_asset_kind_name(refs[i].kind))
            return fk_error_set(err, FK_ERROR_USAGE, "an asset reference without URL or kind");
    }
    if (exec_with_id(ps, sql_refs_delete, id, err) < 0)
        return -1;
    if (!nrefs)
        return 0;
    struct fk_buf urls, kinds, linked;
    array_begin(&urls);
    array_begin(&kinds);
    array_begin(&linked);
    for (size_t i = 0; i < nrefs; i++) {
        array_text(&urls, refs[i].url);
        array_text(&kinds, fk_asset_kind_name(refs[i].kind));
        array_text(&linked, refs[i].linked ? "t" : "f");
    }
    struct pg_params add = PG_PARAMS_INIT;
    pg_add_text(&add, array_end(&urls));
    pg_add_int64(&add, time(NULL));
    struct pg_params insert = PG_PARAMS_INIT;
    pg_add_int64(&insert, id);
    pg_add_text(&insert, urls.data);
    pg_add_text(&insert, array_end(&kinds));
    pg_add_text(&insert, array_end(&linked));
    /* Two statements: the second sees a URL a concurrent transaction
     * added. */
    int rc = pg_exec(ps->conn, sql_asset_urls_add, &add, err) < 0 ||
                     pg_exec(ps->conn, sql_refs_insert, &insert, err) < 0
                 ? -1
                 : 0;
    fk_buf_release(&urls);
    fk_buf_release(&kinds);
    fk_buf_release(&linked);
    return rc;
}

int store_pg_set_article_assets(struct pg_store *ps, int64_t id, const struct fk_asset_ref *refs,
                                size_t nrefs, struct fk_error *err)
{
    bool own;
    if (write_begin(ps, &own, err) < 0)
        return -1;
    return write_end(ps, own, put_refs(ps, id, refs, nrefs, err), err);
}

/* References being gathered, each URL once; the strings are the caller's. */
struct ref_list {
    struct fk_asset_ref *refs;
    size_t n, cap;
};

static void ref_add(struct ref_list *l, const char *url, enum fk_asset_kind kind, bool linked)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->refs[i].url, url) == 0)
            return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->refs = fk_xrealloc(l->refs, l->cap * sizeof *l->refs);
    }
    l->refs[l->n++] = (struct fk_asset_ref){url, kind, linked};
}

/* fk_store_sync_article_assets in the transaction open. */
static int sync_refs(struct pg_store *ps, int64_t id, const struct fk_content *content,
                     struct fk_error *err)
{
    struct ref_list l = {0};
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn, sql_refs_state, &p, err);
    if (!r)
        return -1;
    for (size_t i = 0; content && i < content->nassets; i++) {
        const struct fk_content_asset *a = &content->assets[i];
        ref_add(&l, a->url, a->kind, a->in_markdown);
    }
    int rows = pg_rows(r), row = 0;
    for (; row < rows && pg_number(r, row, 0) == 0; row++) {
        enum fk_asset_kind kind;
        if (fk_enclosure_asset_kind(pg_text(r, row, 2), pg_text_or_null(r, row, 3),
                                    pg_text_or_null(r, row, 4), &kind))
            ref_add(&l, pg_text(r, row, 2), kind, false);
    }
    /* the recorded ones, from row on */
    bool same = rows - row == (int)l.n;
    for (size_t i = 0; same && i < l.n; i++, row++) {
        same = strcmp(pg_text(r, row, 2), l.refs[i].url) == 0 &&
               strcmp(pg_text(r, row, 4), fk_asset_kind_name(l.refs[i].kind)) == 0 &&
               (pg_number(r, row, 5) != 0) == l.refs[i].linked;
    }
    int ret = same ? 0 : put_refs(ps, id, l.refs, l.n, err);
    pg_result_free(r);
    free(l.refs);
    return ret;
}

int store_pg_sync_article_assets(struct pg_store *ps, int64_t id, const struct fk_content *content,
                                 struct fk_error *err)
{
    bool own;
    if (write_begin(ps, &own, err) < 0)
        return -1;
    return write_end(ps, own, sync_refs(ps, id, content, err), err);
}

/* ---- raw documents ------------------------------------------------------------ */

static struct fk_store *packer(struct pg_store *ps)
{
    struct pg_filing *f = filing_of(ps);
    if (!f->packer)
        f->packer = fk_xcalloc(1, sizeof *f->packer);
    return f->packer;
}

static int put_raw(struct pg_store *ps, const struct fk_raw_document *doc, int64_t feed_id,
                   struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, feed_id);
    struct pg_result *r = pg_query(ps->conn, "SELECT keep_raw FROM feeds WHERE id = $1", &p, err);
    if (!r)
        return -1;
    int found = pg_rows(r) > 0;
    bool keep = found && pg_number(r, 0, 0) != 0;
    pg_result_free(r);
    if (!found)
        return fk_error_set(err, FK_ERROR_USAGE, "the archive has no feed %lld",
                            (long long)feed_id);
    if (!keep)
        return 1;
    size_t packed_size = 0;
    unsigned char *packed = store_pack(packer(ps), doc->data, doc->size, NULL, 0, &packed_size);
    if (!packed)
        return fk_error_set(err, FK_ERROR_INPUT, "cannot compress the document of '%s'",
                            doc->url ? doc->url : "");
    struct pg_params insert = PG_PARAMS_INIT;
    pg_add_int64(&insert, feed_id);
    pg_add_text(&insert, doc->url ? doc->url : "");
    pg_add_int64(&insert, doc->time);
    pg_add_int64(&insert, doc->status);
    pg_add_text(&insert, doc->content_type);
    pg_add_text(&insert, doc->etag);
    pg_add_text(&insert, doc->last_modified);
    pg_add_text(&insert, doc->date);
    pg_add_int64(&insert, (int64_t)doc->size);
    pg_add_bytes(&insert, packed, packed_size);
    int ret = pg_exec(ps->conn,
                      "INSERT INTO raw_documents(feed_id, url, time, status, content_type, etag,"
                      " last_modified, date, size, compression, data)"
                      " VALUES ($1, $2, to_timestamp($3), nullif($4::integer, 0), $5, $6, $7,"
                      " $8, $9, 'zstd', $10)",
                      &insert, err) < 0
                  ? -1
                  : 0;
    free(packed);
    return ret;
}

int store_pg_put_raw(struct pg_store *ps, const struct fk_raw_document *doc, struct fk_error *err)
{
    int64_t feed_id = doc->feed_id;
    bool own;
    if (doc->size > FK_RAW_MAX)
        return fk_error_set(err, FK_ERROR_INPUT, "the document of '%s' is over %d MiB to keep",
                            doc->url ? doc->url : "", FK_RAW_MAX / (1024 * 1024));
    if (in_feed(ps)) {
        if (feed_id && feed_id != ps->filing->feed_id)
            return fk_error_set(err, FK_ERROR_USAGE, "another feed is being filed");
        feed_id = ps->filing->feed_id;
    }
    if (write_begin(ps, &own, err) < 0)
        return -1;
    return write_end(ps, own, put_raw(ps, doc, feed_id, err), err);
}

/* Call fn with raw document id (one row of r), decompressed. */
static int raw_call(struct pg_store *ps, const struct pg_result *r, fk_raw_fn fn, void *ctx,
                    struct fk_error *err)
{
    int64_t size = pg_number(r, 0, 9);
    size_t stored = 0;
    unsigned char *packed = pg_bytes(r, 0, 10, &stored);
    struct fk_raw_document doc = {
        .id = pg_number(r, 0, 0),
        .feed_id = pg_number(r, 0, 1),
        .url = pg_text_or_null(r, 0, 2),
        .time = pg_number(r, 0, 3),
        .status = (int)pg_number(r, 0, 4),
        .content_type = pg_text_or_null(r, 0, 5),
        .etag = pg_text_or_null(r, 0, 6),
        .last_modified = pg_text_or_null(r, 0, 7),
        .date = pg_text_or_null(r, 0, 8),
        .stored_bytes = (int64_t)stored,
    };
    char *data = NULL;
    int ret = -1;
    if (size < 0 || size > FK_RAW_MAX) {
        fk_error_set(err, FK_ERROR_DB, "raw document %lld has a bad size", (long long)doc.id);
        goto out;
    }
    if (strcmp(pg_text(r, 0, 11), "zstd") != 0) {
        /* only SQLite archives of schema 9 have zlib documents */
        fk_error_set(err, FK_ERROR_DB, "raw document %lld is compressed with %s, not zstd",
                     (long long)doc.id, pg_text(r, 0, 11));
        goto out;
    }
    size_t unpacked = 0;
    const char *why;
    data = store_unpack(packer(ps), packed ? packed : (const unsigned char *)"", stored, NULL, 0,
                        &unpacked, &why);
    if (!data || unpacked != (size_t)size) {
        fk_error_set(err, FK_ERROR_DB, "raw document %lld does not decompress to its size",
                     (long long)doc.id);
        goto out;
    }
    doc.data = data;
    doc.size = (size_t)size;
    ret = fn(&doc, ctx);
out:
    free(packed);
    free(data);
    return ret;
}

/* A list of ids, read before a walk that calls back. */
struct id_list {
    int64_t *ids;
    size_t count, cap;
};

static void id_list_push(struct id_list *list, int64_t id)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 256;
        list->ids = fk_xrealloc(list->ids, list->cap * sizeof *list->ids);
    }
    list->ids[list->count++] = id;
}

/* The ids of the first column of sql's rows, with params, into list. */
static int read_ids(struct pg_store *ps, const char *sql, const struct pg_params *params,
                    struct id_list *list, struct fk_error *err)
{
    struct pg_result *r = pg_query(ps->conn, sql, params, err);
    if (!r)
        return -1;
    for (int i = 0; i < pg_rows(r); i++)
        id_list_push(list, pg_number(r, i, 0));
    pg_result_free(r);
    return 0;
}

int store_pg_list_raw(struct pg_store *ps, int64_t feed_id, fk_raw_fn fn, void *ctx,
                      struct fk_error *err)
{
    /* Document by document: one in memory at a time. */
    struct id_list ids = {0};
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, feed_id);
    int ret = read_ids(ps,
                       "SELECT id FROM raw_documents WHERE $1::bigint = 0 OR feed_id = $1"
                       " ORDER BY id",
                       &p, &ids, err);
    for (size_t i = 0; ret == 0 && i < ids.count; i++) {
        struct pg_params one = PG_PARAMS_INIT;
        pg_add_int64(&one, ids.ids[i]);
        struct pg_result *r =
            pg_query(ps->conn,
                     "SELECT id, feed_id, url, fk_epoch(time), status, content_type, etag,"
                     " last_modified, date, size, data, compression FROM raw_documents"
                     " WHERE id = $1",
                     &one, err);
        if (!r) {
            ret = -1;
            break;
        }
        if (pg_rows(r) > 0)
            ret = raw_call(ps, r, fn, ctx, err);
        pg_result_free(r);
    }
    free(ids.ids);
    return ret;
}

/* ---- reparse -------------------------------------------------------------------- */

/* The first feed that carried an article, a being the article. */
#define FIRST_FEED_URL                                                                             \
    "(SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id"                        \
    " WHERE af.article_id = a.id ORDER BY af.seq LIMIT 1)"

static const char sql_source_get[] =
    "SELECT a.id, a.title, CASE WHEN p.used THEN p.html"
    " ELSE coalesce(a.content_html, a.summary_html) END,"
    " CASE WHEN p.used THEN p.base_url ELSE coalesce(a.base_url, " FIRST_FEED_URL ") END"
    " FROM articles a LEFT JOIN article_pages p ON p.article_id = a.id WHERE a.id = $1";
static const char sql_feed_source_get[] =
    "SELECT a.id, a.title, coalesce(a.content_html, a.summary_html),"
    " coalesce(a.base_url, " FIRST_FEED_URL ") FROM articles a WHERE a.id = $1";

/* Call fn with the source of article id that sql reads; fn may write (the
 * result is the client's). Returns fn's value, 0 when the article is gone
 * (*found, when not NULL, says which), -1 with err filled. */
static int call_with_source(struct pg_store *ps, const char *sql, int64_t id, fk_source_fn fn,
                            void *ctx, bool *found, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn, sql, &p, err);
    if (!r)
        return -1;
    int ret = 0;
    if (found)
        *found = pg_rows(r) > 0;
    if (pg_rows(r) > 0) {
        struct fk_article_source source = {id, pg_text_or_null(r, 0, 1), pg_text_or_null(r, 0, 2),
                                           pg_text_or_null(r, 0, 3)};
        ret = fn(&source, ctx);
    }
    pg_result_free(r);
    return ret;
}

static int listed_article(const struct fk_article *article, void *ctx)
{
    id_list_push(ctx, article->id);
    return 0;
}

int store_pg_list_sources(struct pg_store *ps, const struct fk_filter *f, fk_source_fn fn,
                          void *ctx, struct fk_error *err)
{
    struct id_list ids = {0};
    int ret = f ? store_pg_list(ps, f, listed_article, &ids, err)
                : read_ids(ps, "SELECT id FROM articles ORDER BY id", NULL, &ids, err);
    for (size_t i = 0; ret == 0 && i < ids.count; i++)
        ret = call_with_source(ps, sql_source_get, ids.ids[i], fn, ctx, NULL, err);
    free(ids.ids);
    return ret;
}

int store_pg_feed_source(struct pg_store *ps, int64_t id, fk_source_fn fn, void *ctx,
                         struct fk_error *err)
{
    bool found = false;
    int ret = call_with_source(ps, sql_feed_source_get, id, fn, ctx, &found, err);
    return ret ? -1 : found ? 0 : 1;
}

static bool same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether the code blocks of article id are those of content, in order. */
static int same_code(struct pg_store *ps, int64_t id, const struct fk_content *content, bool *same,
                     struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(
        ps->conn,
        "SELECT language, code, lines FROM code_blocks WHERE article_id = $1 ORDER BY position", &p,
        err);
    if (!r)
        return -1;
    size_t count = content ? content->ncode_blocks : 0;
    *same = (size_t)pg_rows(r) == count;
    for (size_t i = 0; *same && i < count; i++) {
        const struct fk_code_block *block = &content->code_blocks[i];
        char *language = store_lower_dup(block->language);
        const char *stored = pg_text_or_null(r, (int)i, 0);
        *same = ((!language && !stored) || (language && stored && strcmp(language, stored) == 0)) &&
                same_text(pg_text(r, (int)i, 1), block->code) &&
                pg_number(r, (int)i, 2) == (int64_t)block->lines;
        free(language);
    }
    pg_result_free(r);
    return 0;
}

/* The content hash of article id with title and text, over its tags as
 * filed (sorted by name as store_normalize_tags sorts them). */
static int filed_content_hash(struct pg_store *ps, int64_t id, const char *title, const char *text,
                              int64_t *hash, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn,
                                   "SELECT t.name FROM article_tags at JOIN tags t"
                                   " ON t.id = at.tag_id WHERE at.article_id = $1"
                                   " ORDER BY t.name COLLATE \"C\"",
                                   &p, err);
    if (!r)
        return -1;
    struct tag_list tags = {0};
    for (int i = 0; i < pg_rows(r); i++)
        store_tag_list_push(&tags, fk_xstrdup(pg_text(r, i, 0)));
    pg_result_free(r);
    *hash = store_content_hash(title, text, &tags);
    store_tag_list_release(&tags);
    return 0;
}

int store_pg_replace_content(struct pg_store *ps, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err)
{
    const char *text = content && content->text ? content->text : "";
    const char *markdown = content && content->markdown ? content->markdown : "";
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r =
        pg_query(ps->conn, "SELECT text, markdown, title FROM articles WHERE id = $1", &p, err);
    if (!r)
        return -1;
    int ret = -1;
    if (pg_rows(r) == 0) {
        *result = FK_REPARSE_MISSING;
        ret = 0;
        goto out;
    }
    bool text_same = same_text(pg_text(r, 0, 0), text);
    bool markdown_same = same_text(pg_text(r, 0, 1), markdown);
    bool code_same;
    if (same_code(ps, id, content, &code_same, err) < 0)
        goto out;
    *result = FK_REPARSE_UNCHANGED;
    if (text_same && markdown_same && code_same) {
        ret = 0;
        goto out;
    }
    int64_t hash;
    if (filed_content_hash(ps, id, pg_text_or_null(r, 0, 2), text, &hash, err) < 0)
        goto out;
    struct pg_params save = PG_PARAMS_INIT;
    pg_add_int64(&save, id);
    pg_add_int64(&save, time(NULL));
    if (!text_same && pg_exec(ps->conn, sql_version_save, &save, err) < 0)
        goto out;
    struct pg_params update = PG_PARAMS_INIT;
    pg_add_int64(&update, id);
    pg_add_text(&update, text);
    pg_add_text(&update, markdown);
    pg_add_int64(&update, hash);
    if (pg_exec(ps->conn,
                "UPDATE articles SET text = $2, markdown = $3, content_hash = $4 WHERE id = $1",
                &update, err) < 0)
        goto out;
    if (!code_same && (exec_with_id(ps, sql_code_delete, id, err) < 0 ||
                       insert_code_blocks(ps, id, content, err) < 0))
        goto out;
    *result = text_same ? FK_REPARSE_REWRITTEN : FK_REPARSE_CHANGED;
    ret = 0;
out:
    pg_result_free(r);
    return ret;
}

int store_pg_reparse_article(struct pg_store *ps, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err)
{
    if (in_feed(ps))
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (pg_exec(ps->conn, "BEGIN", NULL, err) < 0)
        return -1;
    int rc = store_pg_replace_content(ps, id, content, result, err);
    /* The references are derived from the HTML too: an archive made
     * before they were recorded gets them here. */
    if (rc == 0 && *result != FK_REPARSE_MISSING)
        rc = sync_refs(ps, id, content, err);
    return write_end(ps, true, rc, err);
}

/* ---- the guid-change rule, explained ------------------------------------------ */

static char *dup_or_null(const struct pg_result *r, int row, int column)
{
    const char *s = pg_text_or_null(r, row, column);
    return s ? fk_xstrdup(s) : NULL;
}

/* Read article id into a and its text into *text (to free). Returns 0, 1
 * when there is no such article, -1 with err filled. */
static int dedup_read_article(struct pg_store *ps, int64_t id, struct fk_dedup_article *a,
                              char **text, struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r = pg_query(ps->conn,
                                   "SELECT id, key, guid, url, link_key, title,"
                                   " fk_epoch(published), octet_length(text), text"
                                   " FROM articles WHERE id = $1",
                                   &p, err);
    if (!r)
        return -1;
    int ret = 1;
    if (pg_rows(r) > 0) {
        a->id = pg_number(r, 0, 0);
        a->key = dup_or_null(r, 0, 1);
        a->guid = dup_or_null(r, 0, 2);
        a->url = dup_or_null(r, 0, 3);
        a->link_key = dup_or_null(r, 0, 4);
        a->title = dup_or_null(r, 0, 5);
        a->published = pg_time(r, 0, 6);
        a->text_length = (size_t)pg_number(r, 0, 7);
        *text = dup_or_null(r, 0, 8);
        ret = 0;
    }
    pg_result_free(r);
    return ret;
}

/* What the rule says of article a (text atext) and candidate c (text
 * ctext), into c. */
static int dedup_compare(struct pg_store *ps, const struct fk_dedup_article *a, const char *atext,
                         struct fk_dedup_candidate *c, const char *ctext, struct fk_error *err)
{
    struct fk_match *m = &c->match;
    int64_t feed_id = 0;
    char *feed_key = NULL, *site_key = NULL;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, a->id);
    pg_add_int64(&p, c->article.id);
    struct pg_result *r = pg_query(ps->conn,
                                   "SELECT f.id, f.url, f.site_url FROM article_feeds fa"
                                   " JOIN article_feeds fb ON fb.feed_id = fa.feed_id"
                                   " JOIN feeds f ON f.id = fa.feed_id"
                                   " WHERE fa.article_id = $1 AND fb.article_id = $2"
                                   " ORDER BY f.id LIMIT 1",
                                   &p, err);
    if (!r)
        return -1;
    if (pg_rows(r) > 0) {
        feed_id = pg_number(r, 0, 0);
        c->feed_url = dup_or_null(r, 0, 1);
        feed_key = fk_store_link_key(pg_text_or_null(r, 0, 1));
        site_key = fk_store_link_key(pg_text_or_null(r, 0, 2));
    }
    pg_result_free(r);
    int ret = -1;
    m->same_feed = feed_id != 0;
    m->same_link =
        a->link_key && c->article.link_key && strcmp(a->link_key, c->article.link_key) == 0;
    if (m->same_link) {
        const char *key = a->link_key;
        c->shared_link = store_link_is_root(key) || (feed_key && strcmp(key, feed_key) == 0) ||
                         (site_key && strcmp(key, site_key) == 0);
    }
    if (m->same_feed && m->same_link) {
        struct pg_params others = PG_PARAMS_INIT;
        pg_add_int64(&others, feed_id);
        pg_add_text(&others, a->link_key);
        pg_add_int64(&others, a->id);
        pg_add_int64(&others, c->article.id);
        r = pg_query(ps->conn,
                     "SELECT count(*) FROM articles a JOIN article_feeds af"
                     " ON af.article_id = a.id AND af.feed_id = $1"
                     " WHERE a.link_key = $2 AND a.id NOT IN ($3, $4)",
                     &others, err);
        if (!r)
            goto out;
        c->others = pg_number(r, 0, 0);
        pg_result_free(r);
    }
    m->link_identifies = m->same_feed && m->same_link && !c->shared_link && c->others == 0;
    struct match_side sa = {a->title, atext, a->published};
    struct match_side sc = {c->article.title, ctext, c->article.published};
    store_match_compare(&sa, &sc, true, m);
    ret = 0;
out:
    free(feed_key);
    free(site_key);
    return ret;
}

/* The aliases of article id into out, oldest first. */
static int dedup_aliases(struct pg_store *ps, int64_t id, struct fk_dedup_explanation *out,
                         struct fk_error *err)
{
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, id);
    struct pg_result *r =
        pg_query(ps->conn,
                 "SELECT al.key, al.guid, f.url, al.rule, fk_epoch(al.created)"
                 " FROM article_aliases al LEFT JOIN feeds f ON f.id = al.feed_id"
                 " WHERE al.article_id = $1 ORDER BY al.created, al.key COLLATE \"C\"",
                 &p, err);
    if (!r)
        return -1;
    int rows = pg_rows(r);
    if (rows)
        out->aliases = fk_xcalloc((size_t)rows, sizeof *out->aliases);
    for (int i = 0; i < rows; i++) {
        struct fk_dedup_alias *alias = &out->aliases[out->naliases++];
        alias->key = dup_or_null(r, i, 0);
        alias->guid = dup_or_null(r, i, 1);
        alias->feed_url = dup_or_null(r, i, 2);
        alias->rule = dup_or_null(r, i, 3);
        alias->created = pg_time(r, i, 4);
    }
    pg_result_free(r);
    return 0;
}

int store_pg_dedup_explain(struct pg_store *ps, int64_t id, int64_t other,
                           struct fk_dedup_explanation *out, struct fk_error *err)
{
    char *text = NULL, *other_text = NULL;
    struct id_list ids = {0};
    int ret = -1, rc;

    memset(out, 0, sizeof *out);
    if ((rc = dedup_read_article(ps, id, &out->article, &text, err)) != 0) {
        ret = rc;
        goto out;
    }
    if (dedup_aliases(ps, id, out, err) < 0)
        goto out;
    if (other) {
        id_list_push(&ids, other);
    } else if (out->article.link_key) {
        /* one more than are shown, to know there are more */
        struct pg_params p = PG_PARAMS_INIT;
        pg_add_int64(&p, id);
        pg_add_text(&p, out->article.link_key);
        pg_add_int64(&p, FK_DEDUP_MAX_CANDIDATES + 1);
        if (read_ids(ps,
                     "SELECT b.id FROM articles b WHERE b.link_key = $2 AND b.id <> $1"
                     " AND EXISTS (SELECT 1 FROM article_feeds fa JOIN article_feeds fb"
                     " ON fb.feed_id = fa.feed_id WHERE fa.article_id = $1"
                     " AND fb.article_id = b.id) ORDER BY b.id LIMIT $3",
                     &p, &ids, err) < 0)
            goto out;
        if (ids.count > FK_DEDUP_MAX_CANDIDATES) {
            ids.count = FK_DEDUP_MAX_CANDIDATES;
            out->more = true;
        }
    }
    if (ids.count)
        out->candidates = fk_xcalloc(ids.count, sizeof *out->candidates);
    for (size_t i = 0; i < ids.count; i++) {
        struct fk_dedup_candidate *c = &out->candidates[out->ncandidates];
        rc = dedup_read_article(ps, ids.ids[i], &c->article, &other_text, err);
        if (rc != 0) {
            ret = rc;
            goto out;
        }
        out->ncandidates++;
        rc = dedup_compare(ps, &out->article, text, c, other_text, err);
        free(other_text);
        other_text = NULL;
        if (rc < 0)
            goto out;
    }
    ret = 0;
out:
    free(text);
    free(other_text);
    free(ids.ids);
    if (ret != 0)
        fk_dedup_explain_release(out);
    return ret;
}
