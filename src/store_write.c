/* store_write.c - filing items: identity, articles under changed guids,
 * and a feed's transaction (begin, find, put, end); reparse, which writes
 * an article's derived forms again with the same versions and index.
 *
 * The store_*.c files are the only ones that include sqlite3.h (through
 * store_int.h); every other module sees the archive through
 * include/feedkeep/store.h and its plain structs.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "feedkeep/url.h"

/* ---- identity --------------------------------------------------------------- */

char *fk_store_identity(const char *feed_url, const struct fk_item *item)
{
    struct fk_buf key;
    size_t feed_len, guid_len, url_len, title_len, date_len;
    const char *feed = store_trim(feed_url, &feed_len);
    const char *guid = store_trim(item->guid, &guid_len);
    const char *url = store_trim(item->url, &url_len);
    /* Trimmed copies, for fk_url_is_absolute. */
    char *guid_copy = fk_xstrndup(guid, guid_len);
    char *url_copy = fk_xstrndup(url, url_len);

    /* Keys are built from feed data of any length: no limit but memory. */
    fk_buf_init(&key, SIZE_MAX);
    if (guid_len && fk_url_is_absolute(guid_copy)) {
        fk_buf_adds(&key, "guid:");
        fk_buf_add(&key, guid, guid_len);
    } else if (guid_len) {
        fk_buf_adds(&key, "feed:");
        fk_buf_add(&key, feed, feed_len);
        fk_buf_adds(&key, " guid:");
        fk_buf_add(&key, guid, guid_len);
    } else if (url_len && fk_url_is_absolute(url_copy)) {
        fk_buf_adds(&key, "url:");
        fk_buf_add(&key, url, url_len);
    } else {
        const char *title = store_trim(item->title, &title_len);
        const char *date = store_trim(item->published_raw, &date_len);
        uint64_t hash = FK_FNV1A64_BASIS;
        hash = fk_fnv1a64_add(fk_fnv1a64_add(hash, title, title_len), "", 1);
        hash = fk_fnv1a64_add(fk_fnv1a64_add(hash, date, date_len), "", 1);
        fk_buf_adds(&key, "hash:");
        fk_buf_add(&key, feed, feed_len);
        fk_buf_printf(&key, " %016llx", (unsigned long long)hash);
    }
    free(guid_copy);
    free(url_copy);
    return fk_buf_detach(&key);
}

/* ---- articles under changed guids ------------------------------------------- */

char *fk_store_link_key(const char *url)
{
    size_t len;
    const char *s = store_trim(url, &len);
    size_t scheme_len;
    if (len > 7 && fk_ascii_equal_n(s, "http://", 7))
        scheme_len = 4;
    else if (len > 8 && fk_ascii_equal_n(s, "https://", 8))
        scheme_len = 5;
    else
        return NULL;
    const char *host = s + scheme_len + 3;
    const char *end = s + len;
    const char *fragment = memchr(host, '#', (size_t)(end - host));
    if (fragment)
        end = fragment;
    const char *path = host;
    while (path < end && *path != '/' && *path != '?')
        path++;
    size_t host_len = (size_t)(path - host);
    /* The scheme's own port says nothing. */
    const char *port = scheme_len == 4 ? ":80" : ":443";
    size_t port_len = strlen(port);
    if (host_len > port_len && memcmp(path - port_len, port, port_len) == 0)
        host_len -= port_len;
    if (host_len == 0)
        return NULL;
    const char *query = memchr(path, '?', (size_t)(end - path));
    const char *path_end = query ? query : end;
    while (path_end > path && path_end[-1] == '/')
        path_end--;

    struct fk_buf key;
    fk_buf_init(&key, SIZE_MAX);
    /* Without the scheme: a site that moves to https moves its links (and
     * its guids, when they are the links) without changing its articles. */
    fk_buf_adds(&key, "//");
    for (size_t i = 0; i < host_len; i++)
        fk_buf_addc(&key, fk_ascii_lower(host[i]));
    fk_buf_add(&key, path, (size_t)(path_end - path));
    if (query)
        fk_buf_add(&key, query, (size_t)(end - query));
    return fk_buf_detach(&key);
}

/* Whether link key names the front page of a site: no path, no query. */
bool store_link_is_root(const char *key)
{
    return strncmp(key, "//", 2) != 0 || !strpbrk(key + 2, "/?");
}

/* feedkeep_link_key(url): fk_store_link_key in SQL, for the migration
 * that fills articles.link_key. */
void store_sql_link_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    char *key = fk_store_link_key((const char *)sqlite3_value_text(argv[0]));
    if (key)
        sqlite3_result_text(ctx, key, -1, free);
    else
        sqlite3_result_null(ctx);
}

struct filed_slot *store_filed_find(const struct filed_set *set, int64_t id)
{
    if (!set->size)
        return NULL;
    size_t i = (size_t)((uint64_t)id * FK_FNV1A64_PRIME) & (set->size - 1);
    while (set->slots[i].id) {
        if (set->slots[i].id == id)
            return &set->slots[i];
        i = (i + 1) & (set->size - 1);
    }
    return NULL;
}

/* Record that the item with key hash key_hash filed article id; the first
 * key to file an article is the one kept. */
void store_filed_add(struct filed_set *set, int64_t id, uint64_t key_hash)
{
    if (store_filed_find(set, id))
        return;
    if (2 * (set->count + 1) > set->size) {
        struct filed_set bigger = {0};
        bigger.size = set->size ? 2 * set->size : 1024;
        bigger.slots = fk_xcalloc(bigger.size, sizeof *bigger.slots);
        for (size_t i = 0; i < set->size; i++) {
            if (set->slots[i].id)
                store_filed_add(&bigger, set->slots[i].id, set->slots[i].key_hash);
        }
        free(set->slots);
        *set = bigger;
    }
    size_t i = (size_t)((uint64_t)id * FK_FNV1A64_PRIME) & (set->size - 1);
    while (set->slots[i].id)
        i = (i + 1) & (set->size - 1);
    set->slots[i].id = id;
    set->slots[i].key_hash = key_hash;
    set->count++;
}

void store_filed_release(struct filed_set *set)
{
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* s trimmed, ASCII letters lower-cased and runs of white space made one
 * space: titles compared this way are "the same". */
static char *fold_title(const char *s)
{
    size_t len;
    s = store_trim(s, &len);
    char *folded = fk_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (!fk_is_space(s[i]))
            folded[n++] = fk_ascii_lower(s[i]);
        else if (!fk_is_space(s[i - 1])) /* i > 0: s is trimmed */
            folded[n++] = ' ';
    }
    folded[n] = '\0';
    return folded;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The word 3-shingles of text (every run of three consecutive words, words
 * being runs of non-white-space with ASCII letters lower-cased) as sorted,
 * distinct 64-bit hashes in *out (to free). A text of one or two words is
 * one shingle. Returns the count. */
static size_t text_shingles(const char *text, uint64_t **out)
{
    size_t count = 0, cap = 0, words = 0;
    uint64_t window[3] = {0, 0, 0};
    uint64_t *shingles = NULL;
    const char *p = text ? text : "";

    for (;;) {
        while (fk_is_space(*p))
            p++;
        if (!*p)
            break;
        uint64_t word = FK_FNV1A64_BASIS;
        for (; *p && !fk_is_space(*p); p++)
            word = (word ^ (unsigned char)fk_ascii_lower(*p)) * FK_FNV1A64_PRIME;
        window[0] = window[1];
        window[1] = window[2];
        window[2] = word;
        if (++words < 3)
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 256;
            shingles = fk_xrealloc(shingles, cap * sizeof *shingles);
        }
        uint64_t hash = FK_FNV1A64_BASIS;
        for (int i = 0; i < 3; i++)
            hash = (hash ^ window[i]) * FK_FNV1A64_PRIME;
        shingles[count++] = hash;
    }
    if (words && words < 3) {
        shingles = fk_xmalloc(sizeof *shingles);
        shingles[0] = (FK_FNV1A64_BASIS ^ window[1]) * FK_FNV1A64_PRIME ^ window[2];
        count = 1;
    }
    if (count > 1)
        qsort(shingles, count, sizeof *shingles, compare_u64);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (!kept || shingles[kept - 1] != shingles[i])
            shingles[kept++] = shingles[i];
    }
    *out = shingles;
    return kept;
}

/* Jaccard similarity of the shingle sets of two texts: shared shingles
 * over all shingles, 0 when either has none. */
static double text_similarity(const char *a, const char *b)
{
    uint64_t *sa, *sb;
    size_t na = text_shingles(a, &sa), nb = text_shingles(b, &sb);
    size_t i = 0, j = 0, shared = 0;
    while (i < na && j < nb) {
        if (sa[i] == sb[j]) {
            shared++;
            i++;
            j++;
        } else if (sa[i] < sb[j]) {
            i++;
        } else {
            j++;
        }
    }
    free(sa);
    free(sb);
    return na && nb ? (double)shared / (double)(na + nb - shared) : 0.0;
}

/* Fill in what the rule says of a and b from their titles, dates and texts,
 * m's same_feed, same_link and link_identifies being set. The text's
 * similarity is worked out only when it can decide, unless all_figures
 * (for explaining). */
void store_match_compare(const struct match_side *a, const struct match_side *b, bool all_figures,
                         struct fk_match *m)
{
    char *ta = fold_title(a->title), *tb = fold_title(b->title);
    m->same_title = *ta && strcmp(ta, tb) == 0;
    free(ta);
    free(tb);
    /* In unsigned arithmetic: a hostile date must not overflow. */
    uint64_t apart = a->published > b->published ? (uint64_t)a->published - (uint64_t)b->published
                                                 : (uint64_t)b->published - (uint64_t)a->published;
    m->dates_agree = a->published == FK_TIME_NONE || b->published == FK_TIME_NONE ||
                     apart < FK_MATCH_MAX_DATE_APART;
    size_t la = a->text ? strlen(a->text) : 0, lb = b->text ? strlen(b->text) : 0;
    m->length_ratio = la && lb ? (double)(la < lb ? la : lb) / (double)(la < lb ? lb : la) : 0.0;
    m->similarity = 0.0;
    bool by_title = m->same_title && m->dates_agree;
    if (all_figures || (!by_title && m->length_ratio >= FK_MATCH_MIN_LENGTH_RATIO))
        m->similarity = la && lb ? text_similarity(a->text, b->text) : 0.0;
    m->similar_text =
        m->length_ratio >= FK_MATCH_MIN_LENGTH_RATIO && m->similarity >= FK_MATCH_MIN_SIMILARITY;
    m->match = m->same_feed && m->same_link && m->link_identifies && (by_title || m->similar_text);
}

/* Load the link keys of the current feed's URL and site link. */
static int load_feed_links(struct fk_store *store, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_FEED_LINKS);
    if (store->feed_links_loaded)
        return 0;
    if (bind_int64(st, 1, store->feed_id))
        return store_bind_failed(store, ST_FEED_LINKS, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store->feed_url_key = fk_store_link_key(column_str(st, 0));
        store->site_url_key = fk_store_link_key(column_str(st, 1));
    } else if (rc != SQLITE_DONE) {
        store_db_error(store, err);
        stmt_reset(st);
        return -1;
    }
    stmt_reset(st);
    store->feed_links_loaded = true;
    return 0;
}

/* Whether link key names no one article of the current feed: a site's
 * front page, the feed itself or the feed's site link. */
static bool link_is_shared(const struct fk_store *store, const char *key)
{
    return store_link_is_root(key) ||
           (store->feed_url_key && strcmp(key, store->feed_url_key) == 0) ||
           (store->site_url_key && strcmp(key, store->site_url_key) == 0);
}

/* ---- writing ---------------------------------------------------------------- */

int fk_store_begin_feed(struct fk_store *store, const char *feed_url,
                        const struct fk_feed_info *info, struct fk_error *err)
{
    if (store->pg)
        return store_pg_begin_feed(store->pg, feed_url, info, err);
    sqlite3_stmt *st = stmt_of(store, ST_FEED_UPSERT);
    int ret = -1;

    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is already being filed");
    /* Filing into a large archive touches pages all over its indexes: a
     * page cache of 16 MiB rather than SQLite's 2 filed 10,000 items into a
     * million articles with about half the read calls and less CPU (32 MiB
     * read few fewer, and took a 300 MB stream over 64 MiB of memory).
     * Queries read few pages, and keep the default.
     *
     * Inside the feed's transaction, a statement that can fail half-way (a
     * trigger, a constraint, the full-text index's insert) first copies
     * each page it is about to change, so that it alone can be undone.
     * SQLite keeps that statement journal in memory up to 64 KiB and in a
     * temporary file past that, until the transaction ends: 8 or 9 such
     * statements an article, 2.26 GB written in 1.1 million calls for
     * 10,000 items into a million articles. Each statement's journal is
     * small (the largest of those 85,590 was 250 KB) and is dropped when
     * the statement ends, so memory holds it: 10% less CPU filing the
     * 1,200-item corpus (bench/README.md), the same peak RSS. */
    if (!store->filing_tuned) {
        static const char filing[] = "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;";
        if (store_exec_sql(store, filing, err) < 0)
            return -1;
        store->filing_tuned = true;
    }
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    if (bind_text(st, 1, feed_url) || bind_text(st, 2, info ? info->title : NULL) ||
        bind_text(st, 3, info ? info->site_url : NULL) || bind_int64(st, 4, time(NULL))) {
        store_bind_failed(store, ST_FEED_UPSERT, err);
        goto out;
    }
    int found = store_run_int64(store, ST_FEED_UPSERT, &store->feed_id, err);
    if (found < 0)
        goto out;
    if (found == 0) {
        fk_error_set(err, FK_ERROR_DB, "database error: no feed row for '%s'", feed_url);
        goto out;
    }
    if (store_run_int64(store, ST_NEXT_ID, &store->first_new_id, err) != 1)
        goto out;
    store->feed_failed = false;
    store->feed_url = fk_xstrdup(feed_url);
    store->matched = 0;
    store->first_matched_id = 0;
    store->in_feed = true;
    ret = 0;
out:
    if (ret < 0 && !sqlite3_get_autocommit(store->db))
        (void)store_run(store, ST_ROLLBACK, NULL); /* err already says why */
    return ret;
}

/* Look p->key up with statement id (by key or by alias): 1 with p's
 * stored fields set, 0 when it is not there, -1 with err filled. */
static int find_key(struct fk_store *store, enum stmt_id id, struct fk_store_pending *p,
                    struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, id);
    int ret = -1;
    if (bind_text(st, 1, p->key))
        return store_bind_failed(store, id, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->id = sqlite3_column_int64(st, 0);
        p->stored_content_hash = sqlite3_column_int64(st, 1);
        p->stored_source_hash = sqlite3_column_int64(st, 2);
        ret = 1;
    } else if (rc == SQLITE_DONE) {
        p->id = 0;
        ret = 0;
    } else {
        store_db_error(store, err);
    }
    stmt_reset(st);
    return ret;
}

void store_pending_release(struct fk_store_pending *p)
{
    free(p->key);
    free(p->link_key);
    memset(p, 0, sizeof *p);
}

/* Whether filing can go on in the current feed. */
int store_check_feed(struct fk_store *store, struct fk_error *err)
{
    if (!store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    /* Some errors (disk full, I/O) make SQLite roll the whole transaction
     * back: filing more items would then commit each one on its own. */
    if (store->feed_failed || sqlite3_get_autocommit(store->db))
        return fk_error_set(err, FK_ERROR_DB,
                            "database error: the feed is rolled back after an earlier error");
    return 0;
}

/* The source hash of item, whose tags are normalised in store->tags. */
static int64_t source_hash(const struct fk_store *store, const struct fk_item *item)
{
    return store_source_hash(item, &store->tags);
}

/* The source hash of item with its tags normalised in tags. */
int64_t store_source_hash(const struct fk_item *item, const struct tag_list *tags)
{
    uint64_t hash = FK_FNV1A64_BASIS;
    hash = fnv_field(hash, item->title);
    hash = fnv_field(hash, item->summary_html);
    hash = fnv_field(hash, item->content_html);
    for (size_t i = 0; i < tags->count; i++)
        hash = fnv_field(hash, tags->names[i]);
    /* An article without enclosures hashes as before schema 4, so that
     * upgrading converts again only the articles that have some. */
    for (size_t i = 0; i < item->nenclosures; i++) {
        hash = fnv_field(hash, item->enclosures[i].url);
        hash = fnv_field(hash, item->enclosures[i].type);
    }
    return hash_to_int64(hash);
}

/* The guid-change rule, for an item whose key the archive does not have:
 * the one article of the current feed with the same link key (p->link_key),
 * not carried by this document already, whose title is the same (and
 * published less than a day apart) or whose text is nearly the same (see
 * store.h). Sets p->id, its stored fields and p->rule when it matches. */
static int find_match(struct fk_store *store, const struct fk_item *item,
                      const struct fk_content *content, struct fk_store_pending *p,
                      struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_LINK_CANDIDATES);
    struct match_side stored = {0};
    char *title = NULL, *text = NULL;
    int64_t id = 0, content_hash = 0, source_hash = 0;
    int ret = -1;

    if (!p->link_key)
        return 0;
    if (load_feed_links(store, err) < 0)
        return -1;
    if (link_is_shared(store, p->link_key))
        return 0;
    if (bind_text(st, 1, p->link_key) || bind_int64(st, 2, store->feed_id))
        return store_bind_failed(store, ST_LINK_CANDIDATES, err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        content_hash = sqlite3_column_int64(st, 1);
        source_hash = sqlite3_column_int64(st, 2);
        title = column_dup(st, 3);
        stored.published = column_time(st, 4);
        text = column_dup(st, 5);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            id = 0; /* the link is shared: it names no one article */
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_db_error(store, err);
        goto out;
    }
    ret = 0;
    if (!id || store_filed_find(&store->filed, id))
        goto out;
    stored.title = title;
    stored.text = text;
    struct match_side offered = {item->title, content ? content->text : NULL, item->published};
    struct fk_match m = {.same_feed = true, .same_link = true, .link_identifies = true};
    store_match_compare(&stored, &offered, false, &m);
    if (m.match) {
        p->id = id;
        p->stored_content_hash = content_hash;
        p->stored_source_hash = source_hash;
        p->rule = m.same_title && m.dates_agree ? "title" : "text";
    }
out:
    stmt_reset(st);
    free(title);
    free(text);
    return ret;
}

/* The one article a statement of ST_CANONICAL_* finds for key, into p
 * with rule "canonical". */
static int canonical_lookup(struct fk_store *store, enum stmt_id id, const char *key,
                            struct fk_store_pending *p, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, id);
    if (bind_text(st, 1, key))
        return store_bind_failed(store, id, err);
    int64_t found = 0, content_hash = 0, source_hash = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        found = sqlite3_column_int64(st, 0);
        content_hash = sqlite3_column_int64(st, 1);
        source_hash = sqlite3_column_int64(st, 2);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            found = 0; /* two articles: the link names no one article */
    }
    stmt_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(store, err);
    if (found && !store_filed_find(&store->filed, found)) {
        p->id = found;
        p->stored_content_hash = content_hash;
        p->stored_source_hash = source_hash;
        p->rule = "canonical";
    }
    return 0;
}

/* A cross-post, for an item whose key the archive does not have: an
 * article read through an API whose canonical URL is the link of an
 * archived article (the post on the author's blog) is that article; and
 * an item whose link is the canonical URL of an article read through an
 * API is that article. Any feed's: the author says they are one. */
static int find_canonical(struct fk_store *store, const struct fk_item *item,
                          struct fk_store_pending *p, struct fk_error *err)
{
    if (item->api.id) {
        if (!item->api.canonical_url)
            return 0;
        char *key = fk_store_link_key(item->api.canonical_url);
        int rc = key ? canonical_lookup(store, ST_CANONICAL_ARTICLE, key, p, err) : 0;
        free(key);
        return rc;
    }
    return p->link_key ? canonical_lookup(store, ST_CANONICAL_OF, p->link_key, p, err) : 0;
}

/* Keep p->key as an alias of the article p matched. */
static int add_alias(struct fk_store *store, const struct fk_item *item,
                     const struct fk_store_pending *p, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_ALIAS_INSERT);
    if (bind_text(st, 1, p->key) || bind_int64(st, 2, p->id) || bind_int64(st, 3, store->feed_id) ||
        bind_text(st, 4, item->guid) || bind_text(st, 5, p->rule) || bind_int64(st, 6, time(NULL)))
        return store_bind_failed(store, ST_ALIAS_INSERT, err);
    if (store_run(store, ST_ALIAS_INSERT, err) < 0)
        return -1;
    if (!store->matched++)
        store->first_matched_id = p->id;
    return 0;
}

/* Record that the current feed carried article id. */
static int link_feed(struct fk_store *store, int64_t id, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_FEED_LINK);
    if (bind_int64(st, 1, id) || bind_int64(st, 2, store->feed_id))
        return store_bind_failed(store, ST_FEED_LINK, err);
    return store_run(store, ST_FEED_LINK, err);
}

/* Record that the stored article p->id was seen again in the current feed:
 * last_seen, feed membership and the source hash (so that the next import
 * can skip it early), nothing else. */
static int touch_article(struct fk_store *store, const struct fk_store_pending *p,
                         struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_ARTICLE_TOUCH);
    if (bind_int64(st, 1, p->id) || bind_int64(st, 2, time(NULL)) ||
        bind_int64(st, 3, p->source_hash))
        return store_bind_failed(store, ST_ARTICLE_TOUCH, err);
    if (store_run(store, ST_ARTICLE_TOUCH, err) < 0)
        return -1;
    return link_feed(store, p->id, err);
}

/* Bind ?2 to ?19 of ST_ARTICLE_INSERT or ST_ARTICLE_UPDATE. */
/* A copy of s[0..len) without white space around it; NULL when empty. */
static char *trimmed_dup(const char *s, size_t len)
{
    while (len && fk_is_space(*s)) {
        s++;
        len--;
    }
    while (len && fk_is_space(s[len - 1]))
        len--;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    return len ? fk_xstrndup(s, len) : NULL;
}

/* The display name and the address of an author as feeds write it, into
 * store->author_name and store->author_email: "jane@example.com (Jane
 * Doe)" (RSS 2.0's form), "Jane Doe <jane@example.com>", a bare address
 * (its own name then), or a name alone. */
static void split_author(struct fk_store *store, const char *author)
{
    store_split_author(author, &store->author_name, &store->author_email);
}

/* split_author into *name and *email (freed first). */
void store_split_author(const char *author, char **name, char **email)
{
    free(*name);
    free(*email);
    *name = *email = NULL;
    size_t len = author ? strlen(author) : 0;
    const char *s = author ? store_trim(author, &len) : NULL;
    if (!len)
        return;
    const char *open = NULL;
    if (s[len - 1] == ')' && (open = strstr(s, " ("))) {
        size_t address = (size_t)(open - s);
        if (memchr(s, '@', address) && !memchr(s, ' ', address)) {
            *email = fk_xstrndup(s, address);
            *name = trimmed_dup(open + 2, len - address - 3);
        }
    } else if (s[len - 1] == '>' && (open = memchr(s, '<', len)) && memchr(open, '@', len - 1)) {
        size_t before = (size_t)(open - s);
        *email = trimmed_dup(open + 1, len - before - 2);
        *name = trimmed_dup(s, before);
    } else if (memchr(s, '@', len) && !memchr(s, ' ', len)) {
        *email = fk_xstrndup(s, len);
    }
    if (!*email)
        *name = fk_xstrndup(s, len);
    else if (!*name)
        *name = fk_xstrdup(*email);
}

/* Make the current author name known to the authors table and its word
 * index. */
static int file_author(struct fk_store *store, struct fk_error *err)
{
    if (!store->author_name)
        return 0;
    if (bind_text(stmt_of(store, ST_AUTHOR_INSERT), 1, store->author_name))
        return store_bind_failed(store, ST_AUTHOR_INSERT, err);
    if (store_run(store, ST_AUTHOR_INSERT, err) < 0)
        return -1;
    if (sqlite3_changes(store->db) == 0)
        return 0;
    sqlite3_stmt *st = stmt_of(store, ST_AUTHOR_INDEX);
    if (bind_int64(st, 1, sqlite3_last_insert_rowid(store->db)) ||
        bind_text(st, 2, store->author_name))
        return store_bind_failed(store, ST_AUTHOR_INDEX, err);
    return store_run(store, ST_AUTHOR_INDEX, err);
}

static int bind_article(struct fk_store *store, sqlite3_stmt *st, const struct fk_item *item,
                        const struct fk_content *content, int64_t content_hash, int64_t source_hash,
                        const char *link_key)
{
    const char *text = content && content->text ? content->text : "";
    const char *markdown = content && content->markdown ? content->markdown : "";
    const char *html = item->content_html ? item->content_html : item->summary_html;
    return bind_text(st, 2, item->guid) || bind_text(st, 3, item->url) ||
           bind_text(st, 4, item->title) || bind_text(st, 5, store->author_name) ||
           bind_time(st, 6, item->published) || bind_text(st, 7, item->published_raw) ||
           bind_time(st, 8, item->updated) || bind_text(st, 9, item->updated_raw) ||
           bind_int64(st, 10, time(NULL)) || store_bind_html(store, st, 11, item->summary_html) ||
           store_bind_html(store, st, 12, item->content_html) || bind_text(st, 13, text) ||
           store_bind_packed(store, st, 14, markdown, html) ||
           bind_text(st, 15, store->tags_text.data) || bind_int64(st, 16, content_hash) ||
           bind_int64(st, 17, source_hash) || bind_text(st, 18, link_key) ||
           bind_text(st, 19, store->author_email) || bind_text(st, 20, item->base_url);
}

/* Link article id, of the given date, to the tags in store->tags, creating
 * missing tags. */
static int insert_tags(struct fk_store *store, int64_t article_id, int64_t date,
                       struct fk_error *err)
{
    for (size_t i = 0; i < store->tags.count; i++) {
        int64_t tag_id = 0;
        const char *name = store->tags.names[i];
        if (bind_text(stmt_of(store, ST_TAG_FIND), 1, name))
            return store_bind_failed(store, ST_TAG_FIND, err);
        int found = store_run_int64(store, ST_TAG_FIND, &tag_id, err);
        if (found < 0)
            return -1;
        if (!found) {
            if (bind_text(stmt_of(store, ST_TAG_INSERT), 1, name))
                return store_bind_failed(store, ST_TAG_INSERT, err);
            if (store_run(store, ST_TAG_INSERT, err) < 0)
                return -1;
            tag_id = sqlite3_last_insert_rowid(store->db);
        }
        sqlite3_stmt *st = stmt_of(store, ST_ARTICLE_TAG_INSERT);
        if (bind_int64(st, 1, article_id) || bind_int64(st, 2, tag_id) || bind_time(st, 3, date))
            return store_bind_failed(store, ST_ARTICLE_TAG_INSERT, err);
        if (store_run(store, ST_ARTICLE_TAG_INSERT, err) < 0)
            return -1;
    }
    return 0;
}

/* The shortest code worth keeping as its place in the text. */
#define CODE_IN_TEXT_MIN 8

/* Bind ?index to ?index + 2 of st to a code block's code, text_offset and
 * text_length: code that stands in text is kept as where it stands
 * (schema 15), any place the same bytes are being as good; a short one
 * costs less than its place. */
static int bind_code(sqlite3_stmt *st, int index, const char *text, const char *code)
{
    size_t len = strlen(code);
    const char *at = len >= CODE_IN_TEXT_MIN ? strstr(text, code) : NULL;
    if (!at)
        return bind_text(st, index, code) || sqlite3_bind_null(st, index + 1) ||
               sqlite3_bind_null(st, index + 2);
    return bind_text(st, index, "") || bind_int64(st, index + 1, at - text) ||
           bind_int64(st, index + 2, (int64_t)len);
}

static int insert_code_blocks(struct fk_store *store, int64_t article_id,
                              const struct fk_content *content, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_CODE_INSERT);
    const char *text = content && content->text ? content->text : "";
    for (size_t i = 0; content && i < content->ncode_blocks; i++) {
        const struct fk_code_block *block = &content->code_blocks[i];
        char *language = store_lower_dup(block->language);
        int rc = bind_int64(st, 1, article_id) || bind_int64(st, 2, (int64_t)i) ||
                 bind_text(st, 3, language) || bind_int64(st, 4, (int64_t)block->lines) ||
                 bind_code(st, 5, text, block->code ? block->code : "");
        rc = rc ? store_bind_failed(store, ST_CODE_INSERT, err)
                : store_run(store, ST_CODE_INSERT, err);
        free(language);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Name again where the code blocks of article id, the same as content's,
 * stand in content's text, a new one: the blocks keep their ids. */
static int place_code_blocks(struct fk_store *store, int64_t article_id,
                             const struct fk_content *content, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_CODE_PLACE);
    const char *text = content && content->text ? content->text : "";
    for (size_t i = 0; content && i < content->ncode_blocks; i++) {
        const struct fk_code_block *block = &content->code_blocks[i];
        if (bind_int64(st, 1, article_id) || bind_int64(st, 2, (int64_t)i) ||
            bind_code(st, 3, text, block->code ? block->code : ""))
            return store_bind_failed(store, ST_CODE_PLACE, err);
        if (store_run(store, ST_CODE_PLACE, err) < 0)
            return -1;
    }
    return 0;
}

static int insert_enclosures(struct fk_store *store, int64_t article_id, const struct fk_item *item,
                             struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_ENCLOSURE_INSERT);
    for (size_t i = 0; i < item->nenclosures; i++) {
        const struct fk_enclosure *e = &item->enclosures[i];
        if (bind_int64(st, 1, article_id) || bind_int64(st, 2, (int64_t)i) ||
            bind_text(st, 3, e->url) || bind_text(st, 4, e->type) ||
            (e->length < 0 ? sqlite3_bind_null(st, 5) : bind_int64(st, 5, e->length)) ||
            bind_text(st, 6, e->kind))
            return store_bind_failed(store, ST_ENCLOSURE_INSERT, err);
        if (store_run(store, ST_ENCLOSURE_INSERT, err) < 0)
            return -1;
    }
    return 0;
}

/* Write the enclosures of article id again: they changed while its text
 * did not, or it was archived before they were kept. */
static int replace_enclosures(struct fk_store *store, int64_t id, const struct fk_item *item,
                              struct fk_error *err)
{
    if (store_run_with_id(store, ST_ENCLOSURE_DELETE, id, err) < 0)
        return -1;
    return insert_enclosures(store, id, item, err);
}

/* Delete what belongs to article id and is about to be written again. */
static int delete_children(struct fk_store *store, int64_t id, struct fk_error *err)
{
    if (bind_int64(stmt_of(store, ST_ARTICLE_TAGS_DELETE), 1, id))
        return store_bind_failed(store, ST_ARTICLE_TAGS_DELETE, err);
    if (store_run(store, ST_ARTICLE_TAGS_DELETE, err) < 0)
        return -1;
    if (bind_int64(stmt_of(store, ST_CODE_DELETE), 1, id))
        return store_bind_failed(store, ST_CODE_DELETE, err);
    if (store_run(store, ST_CODE_DELETE, err) < 0)
        return -1;
    return store_run_with_id(store, ST_ENCLOSURE_DELETE, id, err);
}

/* Write a new article, or the new content of a changed one (p->id != 0),
 * with its tags, code blocks and feed membership. */
static int write_article(struct fk_store *store, const struct fk_item *item,
                         const struct fk_content *content, struct fk_store_pending *p,
                         int64_t content_hash, struct fk_error *err)
{
    enum stmt_id id = p->id ? ST_ARTICLE_UPDATE : ST_ARTICLE_INSERT;
    sqlite3_stmt *st = stmt_of(store, id);

    /* An article new in this feed is indexed when the feed is committed;
     * an older one is indexed already and is reindexed here. */
    bool reindex = p->id && p->id < store->first_new_id;
    if (p->id) {
        sqlite3_stmt *save = stmt_of(store, ST_VERSION_SAVE);
        if (bind_int64(save, 1, p->id) || bind_int64(save, 2, time(NULL)))
            return store_bind_failed(store, ST_VERSION_SAVE, err);
        if (store_run(store, ST_VERSION_SAVE, err) < 0 || delete_children(store, p->id, err) < 0)
            return -1;
        /* The feed's content replaces the page's, if that was the
         * article's: the page is fetched again for the item's new source. */
        sqlite3_stmt *unuse = store_bound(store, ST_PAGE_UNUSE, NULL, p->id, err);
        if (!unuse || store_step_done(store, unuse, err) < 0)
            return -1;
        if (reindex && store_run_with_id(store, ST_FTS_UNINDEX_ONE, p->id, err) < 0)
            return -1;
    }
    split_author(store, item->author);
    if (file_author(store, err) < 0)
        return -1;
    if ((p->id ? bind_int64(st, 1, p->id) : bind_text(st, 1, p->key)) ||
        bind_article(store, st, item, content, content_hash, p->source_hash, p->link_key))
        return store_bind_failed(store, id, err);
    if (store_run(store, id, err) < 0)
        return -1;
    if (reindex && store_run_with_id(store, ST_FTS_INDEX_ONE, p->id, err) < 0)
        return -1;
    if (!p->id)
        p->id = sqlite3_last_insert_rowid(store->db);
    /* articles.date, as schema 5 defines it */
    int64_t date = item->published != FK_TIME_NONE ? item->published : item->updated;
    if (insert_tags(store, p->id, date, err) < 0 ||
        insert_code_blocks(store, p->id, content, err) < 0 ||
        insert_enclosures(store, p->id, item, err) < 0)
        return -1;
    return link_feed(store, p->id, err);
}

/* The short-body guard: whether text, replacing the stored text of article
 * id, would be empty or under half as long (a feed that lost its full
 * text), while the stored text is not empty. */
static int is_shorter(struct fk_store *store, int64_t id, const char *text, bool *shorter,
                      struct fk_error *err)
{
    int64_t stored = 0;
    if (bind_int64(stmt_of(store, ST_ARTICLE_TEXT_LENGTH), 1, id))
        return store_bind_failed(store, ST_ARTICLE_TEXT_LENGTH, err);
    if (store_run_int64(store, ST_ARTICLE_TEXT_LENGTH, &stored, err) < 0)
        return -1;
    uint64_t len = text ? strlen(text) : 0;
    *shorter = stored > 0 && (len == 0 || len * 2 < (uint64_t)stored);
    return 0;
}

/* The guard kept the archived content of p->id: keep the new content as a
 * rejected version, unless the same content was rejected before (*again),
 * and record that the article was seen. */
static int keep_rejected(struct fk_store *store, const struct fk_item *item,
                         const struct fk_content *content, const struct fk_store_pending *p,
                         int64_t content_hash, bool *again, struct fk_error *err)
{
    sqlite3_stmt *st = stmt_of(store, ST_VERSION_REJECTED_FIND);
    int64_t found = 0;
    if (bind_int64(st, 1, p->id) || bind_int64(st, 2, content_hash))
        return store_bind_failed(store, ST_VERSION_REJECTED_FIND, err);
    if (store_run_int64(store, ST_VERSION_REJECTED_FIND, &found, err) < 0)
        return -1;
    *again = found > 0;
    if (!*again) {
        const char *html = item->content_html ? item->content_html : item->summary_html;
        st = stmt_of(store, ST_VERSION_REJECT);
        if (bind_int64(st, 1, p->id) || bind_int64(st, 2, time(NULL)) ||
            bind_text(st, 3, item->title) ||
            store_bind_packed(store, st, 4, content && content->text ? content->text : "", html) ||
            store_bind_packed(store, st, 5, content && content->markdown ? content->markdown : "",
                              html) ||
            store_bind_html(store, st, 6, html) || bind_text(st, 7, store->tags_text.data) ||
            bind_int64(st, 8, content_hash))
            return store_bind_failed(store, ST_VERSION_REJECT, err);
        if (store_run(store, ST_VERSION_REJECT, err) < 0)
            return -1;
    }
    return touch_article(store, p, err);
}

/* Whether the text of article id is its page's (store_pages.c). */
static int page_in_use(struct fk_store *store, int64_t id, bool *used, struct fk_error *err)
{
    return store_id_flag(store, ST_PAGE_IN_USE, id, used, err);
}

/* Identity, normalised tags (into store->tags) and the source hash of item,
 * and the stored article with the same identity (its key, else one of its
 * aliases), if any, into store->pending. */
int fk_store_find_item(struct fk_store *store, const struct fk_item *item,
                       struct fk_store_pending **pending, struct fk_error *err)
{
    if (store->pg)
        return store_pg_find_item(store->pg, item, pending, err);
    struct fk_store_pending *p = &store->pending;

    store_pending_release(p);
    if (store_check_feed(store, err) < 0)
        return -1;
    p->item = item;
    p->key = fk_store_identity(store->feed_url, item);
    store_normalize_tags(&store->tags, (const char *const *)item->tags, item->ntags);
    p->source_hash = source_hash(store, item);
    int found = find_key(store, ST_ARTICLE_FIND, p, err);
    if (found == 0)
        found = find_key(store, ST_ALIAS_FIND, p, err);
    if (found < 0)
        return -1;
    /* The document carried this article already: under the same key (an
     * item carried twice: the first copy, the newest in feed order, is
     * filed) or under another of its keys (a feed that carries a post under
     * its old and its new guid). */
    if (p->id && store_filed_find(&store->filed, p->id))
        return 1;
    /* An article whose author's Markdown came through an API is not
     * replaced by an item without it (the site's RSS feed, the blog it was
     * cross-posted from, an API list without bodies): the API's edited
     * time tells when it changed, and the two sources would replace each
     * other at every fetch. */
    bool api_kept = false;
    if (p->id && p->stored_source_hash != p->source_hash && !item->api.markdown &&
        store_api_kept(store, p->id, &api_kept, err) < 0) {
        store->feed_failed = true;
        return -1;
    }
    if (p->id && (p->stored_source_hash == p->source_hash || api_kept)) {
        if (touch_article(store, p, err) < 0) {
            store->feed_failed = true;
            return -1;
        }
        store_filed_add(&store->filed, p->id, fk_fnv1a64(p->key, strlen(p->key)));
        return 1;
    }
    *pending = p;
    return 0;
}

/* What counts as a change of an article: its title, text and tags (as
 * normalised, sorted). */
int64_t store_content_hash(const char *title, const char *text, const struct tag_list *tags)
{
    uint64_t hash = FK_FNV1A64_BASIS;
    hash = fnv_field(hash, title);
    hash = fnv_field(hash, text);
    for (size_t i = 0; i < tags->count; i++)
        hash = fnv_field(hash, tags->names[i]);
    return hash_to_int64(hash);
}

/* The content hash of item and the tags' text (into store->tags_text). */
static int content_hash(struct fk_store *store, const struct fk_store_pending *p,
                        const struct fk_content *content, int64_t *hash_out, struct fk_error *err)
{
    fk_buf_reset(&store->tags_text);
    for (size_t i = 0; i < store->tags.count; i++) {
        if ((i && fk_buf_addc(&store->tags_text, ' ') < 0) ||
            fk_buf_adds(&store->tags_text, store->tags.names[i]) < 0)
            return fk_error_set(err, FK_ERROR_INPUT, "the tags of '%s' are too long", p->key);
    }
    if (!store->tags_text.data)
        fk_buf_adds(&store->tags_text, "");
    *hash_out = store_content_hash(p->item->title, content ? content->text : NULL, &store->tags);
    return 0;
}

/* What filing p with content of the given content hash does: a new
 * article; the stored one unchanged (the same title, text and tags); the
 * stored one kept, the new content being under the short-body guard; or
 * the stored one replaced. */
static int decide(struct fk_store *store, const struct fk_store_pending *p,
                  const struct fk_content *content, int64_t hash, enum fk_put_result *what,
                  struct fk_error *err)
{
    bool shorter = false;
    if (!p->id)
        *what = FK_PUT_NEW;
    else if (p->stored_content_hash == hash)
        *what = FK_PUT_UNCHANGED;
    else if (is_shorter(store, p->id, content ? content->text : NULL, &shorter, err) < 0)
        return -1;
    else
        *what = shorter ? FK_PUT_KEPT_SHORTER : FK_PUT_UPDATED;
    return 0;
}

int fk_store_put_item(struct fk_store *store, struct fk_store_pending *p,
                      const struct fk_content *content, enum fk_put_result *result,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_put_item(store->pg, p, content, result, err);
    const struct fk_item *item = p->item;
    int64_t hash = 0;
    enum fk_put_result what;
    int rc;

    if (store_check_feed(store, err) < 0)
        return -1;
    p->link_key = fk_store_link_key(item->url);
    if (!p->id && find_canonical(store, item, p, err) < 0)
        return -1;
    if (!p->id && find_match(store, item, content, p, err) < 0)
        return -1;
    if (content_hash(store, p, content, &hash, err) < 0)
        return -1;

    bool api_kept = false;
    if (p->rule && strcmp(p->rule, "canonical") == 0 && !item->api.markdown &&
        store_api_kept(store, p->id, &api_kept, err) < 0)
        return -1;
    if (api_kept) {
        /* the blog post of an article read through an API: one article */
        what = FK_PUT_UNCHANGED;
        rc = touch_article(store, p, err);
    } else if (decide(store, p, content, hash, &what, err) < 0) {
        rc = -1;
    } else if (what == FK_PUT_UNCHANGED) {
        rc = touch_article(store, p, err);
        if (rc == 0 && p->stored_source_hash != p->source_hash)
            rc = replace_enclosures(store, p->id, item, err);
    } else if (what == FK_PUT_KEPT_SHORTER) {
        bool again = false;
        rc = keep_rejected(store, item, content, p, hash, &again, err);
        /* A teaser shorter than the article its page gave is what the
         * feed always sends: no news (the page is fetched again for the
         * item's new source). */
        if (again || (rc == 0 && (rc = page_in_use(store, p->id, &again, err)) == 0 && again))
            what = FK_PUT_UNCHANGED;
    } else {
        rc = write_article(store, item, content, p, hash, err);
    }
    if (rc == 0 && p->rule)
        rc = add_alias(store, item, p, err);
    if (rc == 0 && item->api.id && what != FK_PUT_KEPT_SHORTER)
        rc = store_api_put(store, p->id, item, err);
    if (rc < 0) {
        /* Part of the item may be written. A savepoint per item could undo
         * just that part, but FTS5 writes out its pending index at every
         * savepoint, which made imports half again as slow; errors here are
         * the database's (disk full, I/O), so the feed goes instead. */
        store->feed_failed = true;
        return -1;
    }
    store_filed_add(&store->filed, p->id, fk_fnv1a64(p->key, strlen(p->key)));
    *result = what;
    return 0;
}

/* Index the feed's new articles, last of all its writes: FTS5 collects
 * them in memory and writes large segments. Each is its own one-row
 * INSERT ... VALUES, which opens no statement savepoint: one statement
 * for them all (INSERT ... SELECT) did, and SQLite then kept a copy of
 * every page of the archive the index's merges changed, in a temporary
 * file, until the statement ended (27 MB for 3,000 articles into a
 * 20,000-article archive); no statement with a savepoint may come
 * between them, or FTS5 writes out what it holds at each. Returns 0, or
 * -1 with err filled. */
static int index_new(struct fk_store *store, struct fk_error *err)
{
    sqlite3_stmt *rows = store_bound(store, ST_FTS_NEW_ROWS, NULL, store->first_new_id, err);
    sqlite3_stmt *insert = rows ? store_stmt(store, ST_FTS_INDEX_ROW, err) : NULL;
    int ret = -1;
    int rc;
    if (!insert)
        goto out;
    while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++) {
            if (sqlite3_bind_value(insert, i + 1, sqlite3_column_value(rows, i)) != SQLITE_OK) {
                store_bind_failed(store, ST_FTS_INDEX_ROW, err);
                goto out;
            }
        }
        if (store_step_done(store, insert, err) < 0)
            goto out;
    }
    if (rc != SQLITE_DONE) {
        store_db_error(store, err);
        goto out;
    }
    ret = 0;
out:
    stmt_reset(rows);
    return ret;
}

int fk_store_end_feed(struct fk_store *store, bool ok, const struct fk_feed_info *final,
                      struct fk_error *err)
{
    if (store->pg)
        return store_pg_end_feed(store->pg, ok, final, err);
    sqlite3_stmt *st = stmt_of(store, ST_FEED_UPDATE);
    int ret = -1;

    if (!store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "no feed is being filed");
    if (!ok) {
        ret = store_run(store, ST_ROLLBACK, err);
        goto out;
    }
    if (store_check_feed(store, err) < 0)
        goto out;
    if (final) {
        if (bind_int64(st, 1, store->feed_id) || bind_text(st, 2, final->title) ||
            bind_text(st, 3, final->site_url)) {
            store_bind_failed(store, ST_FEED_UPDATE, err);
            goto out;
        }
        if (store_run(store, ST_FEED_UPDATE, err) < 0)
            goto out;
    }
    if (index_new(store, err) < 0)
        goto out;
    ret = store_run(store, ST_COMMIT, err);
out:
    store_pack_uncommitted(store, ok && ret == 0);
    /* Whatever happened, the handle must be ready for the next feed: a
     * failed COMMIT leaves the transaction open. */
    if (!sqlite3_get_autocommit(store->db))
        (void)store_run(store, ST_ROLLBACK, NULL); /* err already says why */
    store->in_feed = false;
    store->feed_failed = false;
    store->feed_id = 0;
    store->first_new_id = 0;
    free(store->feed_url);
    store->feed_url = NULL;
    store_pending_release(&store->pending);
    store_filed_release(&store->filed);
    store->feed_links_loaded = false;
    free(store->feed_url_key);
    free(store->site_url_key);
    store->feed_url_key = store->site_url_key = NULL;
    return ret;
}

/* ---- reparse -------------------------------------------------------------- */

struct id_list {
    int64_t *ids;
    size_t count;
    size_t cap;
};

static void id_list_push(struct id_list *list, int64_t id)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 256;
        list->ids = fk_xrealloc(list->ids, list->cap * sizeof *list->ids);
    }
    list->ids[list->count++] = id;
}

static int id_row(sqlite3_stmt *st, void *ctx)
{
    id_list_push(ctx, sqlite3_column_int64(st, 0));
    return 0;
}

static int listed_article(const struct fk_article *article, void *ctx)
{
    id_list_push(ctx, article->id);
    return 0;
}

/* Call fn with the source of article id that statement which reads, read
 * and copied first, so that fn may write. Returns fn's value, 0 when the
 * article is gone (*found_out, when not NULL, says which), -1 with err
 * filled. */
static int call_with_source(struct fk_store *store, enum stmt_id which, int64_t id, fk_source_fn fn,
                            void *ctx, bool *found_out, struct fk_error *err)
{
    sqlite3_stmt *st = store_bound(store, which, NULL, id, err);
    if (!st)
        return -1;
    int found = store_step_row(store, st, err);
    if (found_out)
        *found_out = found > 0;
    if (found <= 0)
        return found;
    char *title = column_dup(st, 1), *html = NULL, *base_url = column_dup(st, 3);
    int ret = store_column_unpacked(store, st, 2, NULL, id, &html, err);
    stmt_reset(st);
    if (ret < 0) {
        free(title);
        free(base_url);
        return -1;
    }
    struct fk_article_source source = {id, title, html, base_url};
    ret = fn(&source, ctx);
    free(title);
    free(html);
    free(base_url);
    return ret;
}

int fk_store_list_sources(struct fk_store *store, const struct fk_filter *f, fk_source_fn fn,
                          void *ctx, struct fk_error *err)
{
    if (store->pg)
        return store_pg_list_sources(store->pg, f, fn, ctx, err);
    struct id_list ids = {0};
    sqlite3_stmt *st;
    int ret;
    if (f)
        ret = fk_store_list(store, f, listed_article, &ids, err);
    else if ((st = store_stmt(store, ST_ARTICLE_IDS, err)))
        ret = store_each_row(store, st, id_row, &ids, err);
    else
        ret = -1;
    for (size_t i = 0; ret == 0 && i < ids.count; i++)
        ret = call_with_source(store, ST_SOURCE_GET, ids.ids[i], fn, ctx, NULL, err);
    free(ids.ids);
    return ret;
}

int fk_store_feed_source(struct fk_store *store, int64_t id, fk_source_fn fn, void *ctx,
                         struct fk_error *err)
{
    if (store->pg)
        return store_pg_feed_source(store->pg, id, fn, ctx, err);
    bool found = false;
    int ret = call_with_source(store, ST_FEED_SOURCE_GET, id, fn, ctx, &found, err);
    return ret ? -1 : found ? 0 : 1;
}

static bool same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether the code blocks of article id are those of content, in order. */
static int same_code(struct fk_store *store, int64_t id, const struct fk_content *content,
                     bool *same, struct fk_error *err)
{
    sqlite3_stmt *st = store_bound(store, ST_REPARSE_CODE, NULL, id, err);
    if (!st)
        return -1;
    size_t n = 0, count = content ? content->ncode_blocks : 0;
    int rc = SQLITE_DONE;
    *same = true;
    while (*same && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == count) {
            *same = false;
            break;
        }
        const struct fk_code_block *block = &content->code_blocks[n++];
        char *language = store_lower_dup(block->language);
        const char *stored = column_str(st, 0);
        *same = ((!language && !stored) || (language && stored && strcmp(language, stored) == 0)) &&
                same_text(column_str(st, 1), block->code) &&
                sqlite3_column_int64(st, 2) == (int64_t)block->lines;
        free(language);
    }
    int ret = *same && rc != SQLITE_DONE ? store_db_error(store, err) : 0;
    stmt_reset(st);
    if (ret == 0 && *same && n != count)
        *same = false;
    return ret;
}

/* Replace the derived forms of article id by content (see
 * fk_store_reparse_article), in the transaction open: what reparse and an
 * article's page (store_pages.c) write. */
int store_replace_content(struct fk_store *store, int64_t id, const struct fk_content *content,
                          enum fk_reparse_result *result, struct fk_error *err)
{
    const char *text = content && content->text ? content->text : "";
    const char *markdown = content && content->markdown ? content->markdown : "";
    sqlite3_stmt *st = store_bound(store, ST_REPARSE_READ, NULL, id, err);
    if (!st)
        return -1;
    int found = store_step_row(store, st, err);
    if (found <= 0) {
        if (found == 0)
            *result = FK_REPARSE_MISSING;
        return found;
    }
    bool text_same = same_text(column_str(st, 0), text);
    char *title = column_dup(st, 2), *html = NULL, *stored_markdown = NULL;
    int ret = -1;
    if (store_column_unpacked(store, st, 3, NULL, id, &html, err) < 0) {
        stmt_reset(st);
        goto out;
    }
    /* Markdown that does not unpack (its HTML changed by hand) is derived
     * content like any other: it is written again. */
    struct fk_error ignored = {0};
    bool markdown_same =
        store_column_unpacked(store, st, 1, html, id, &stored_markdown, &ignored) == 0 &&
        same_text(stored_markdown, markdown);
    stmt_reset(st);
    bool code_same;
    if (same_code(store, id, content, &code_same, err) < 0)
        goto out;
    *result = FK_REPARSE_UNCHANGED;
    if (text_same && markdown_same && code_same) {
        ret = 0;
        goto out;
    }
    /* The content hash over the tags as filed (sorted by name, as
     * store_normalize_tags sorts them). */
    struct tag_list tags = {0};
    if (!(st = store_bound(store, ST_ARTICLE_TAGS_LIST, NULL, id, err)))
        goto out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        store_tag_list_push(&tags, column_dup(st, 0));
    stmt_reset(st);
    int64_t hash = store_content_hash(title, text, &tags);
    store_tag_list_release(&tags);
    if (rc != SQLITE_DONE) {
        store_db_error(store, err);
        goto out;
    }
    if (!text_same) {
        sqlite3_stmt *save = stmt_of(store, ST_VERSION_SAVE);
        if (bind_int64(save, 1, id) || bind_int64(save, 2, time(NULL))) {
            store_bind_failed(store, ST_VERSION_SAVE, err);
            goto out;
        }
        if (store_run(store, ST_VERSION_SAVE, err) < 0 ||
            store_run_with_id(store, ST_FTS_UNINDEX_ONE, id, err) < 0)
            goto out;
    }
    if (!(st = store_stmt(store, ST_REPARSE_UPDATE, err)))
        goto out;
    if (bind_int64(st, 1, id) || bind_text(st, 2, text) ||
        store_bind_packed(store, st, 3, markdown, html) || bind_int64(st, 4, hash)) {
        store_bind_failed(store, ST_REPARSE_UPDATE, err);
        goto out;
    }
    if (store_step_done(store, st, err) < 0)
        goto out;
    if (!text_same && store_run_with_id(store, ST_FTS_INDEX_ONE, id, err) < 0)
        goto out;
    if (!code_same && (store_run_with_id(store, ST_CODE_DELETE, id, err) < 0 ||
                       insert_code_blocks(store, id, content, err) < 0))
        goto out;
    /* Code blocks name places in the text: a new text, new places. */
    if (code_same && !text_same && place_code_blocks(store, id, content, err) < 0)
        goto out;
    *result = text_same ? FK_REPARSE_REWRITTEN : FK_REPARSE_CHANGED;
    ret = 0;
out:
    free(title);
    free(html);
    free(stored_markdown);
    return ret;
}

int fk_store_reparse_article(struct fk_store *store, int64_t id, const struct fk_content *content,
                             enum fk_reparse_result *result, struct fk_error *err)
{
    if (store->pg)
        return store_pg_reparse_article(store->pg, id, content, result, err);
    if (store->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (store_run(store, ST_BEGIN, err) < 0)
        return -1;
    int rc = store_replace_content(store, id, content, result, err);
    /* The references are derived from the HTML too: an archive made
     * before they were recorded gets them here. */
    if (rc == 0 && *result != FK_REPARSE_MISSING)
        rc = store_sync_refs(store, id, content, err);
    return store_write_end(store, true, rc, err);
}
