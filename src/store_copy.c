/* store_copy.c - a whole archive copied into another: fk_store_copy.
 *
 * Either store may be a SQLite file or a PostgreSQL database, so this
 * file knows both engines: it reads SQLite through store_int.h (packed
 * columns unpacked by store_pack.c) and PostgreSQL through pg.h.
 *
 * The copy goes table by table in the order of the foreign keys, each
 * table in the order of its key, and every row keeps its id, so that the
 * copy compares with its source row for row. A row is inserted unless the
 * destination has it ("do nothing" on a conflict), a few thousand rows a
 * transaction: a copy that was interrupted (even by kill -9) keeps what it
 * committed and goes on from there when run again, and a copy run again
 * after it finished changes nothing. Rows are read one at a time (SQLite)
 * or a batch at a time through a cursor (PostgreSQL): memory does not grow
 * with the archive.
 *
 * What each engine derives from the rows is made as they are written:
 * into SQLite, the HTML and Markdown packed as filing packs them, code
 * blocks kept as their place in the text where they stand in it, the
 * full-text index and the author names of new articles, and the kept
 * counts (by the schema's triggers, then recounted); into PostgreSQL, the
 * search column (by its trigger) and the identity sequences, set past the
 * highest id at the end.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "pg.h"
#include "store_int.h"

/* A transaction of the destination holds at most this many rows, or about
 * this many bytes of them. */
#define BATCH_ROWS  2000
#define BATCH_BYTES ((size_t)32 << 20)

/* The most columns a table has. */
#define MAX_COLUMNS 24

/* What a column holds, as a letter of a table's kinds: how each engine
 * reads and writes it. */
enum kind {
    K_INT = 'i',      /* an integer */
    K_TEXT = 's',     /* text */
    K_TIME = 't',     /* seconds in SQLite, timestamptz in PostgreSQL */
    K_BOOL = 'b',     /* 0/1 in SQLite, boolean in PostgreSQL */
    K_BYTES = 'x',    /* a BLOB, a bytea */
    K_HTML = 'h',     /* text, packed alone in SQLite (store_pack.c) */
    K_MARKDOWN = 'm', /* text, packed in SQLite against the table's HTML (the Markdown,
                         a version's text) */
    K_PAGE = 'p',     /* text SQLite may hold packed, written plain */
    K_CODE = 'c',     /* a code block's code, which SQLite may keep as its
                         place in the article's text (CODE_TEXT) */
};

/* One table: its columns as both schemas name them, the order it is read
 * in, and how PostgreSQL writes a row of it (a literal: prepared once). */
struct copy_table {
    const char *name;
    const char *stage; /* for the progress function */
    const char *columns;
    const char *kinds; /* an enum kind a column */
    const char *sqlite_order, *pg_order;
    const char *pg_insert;
    /* A table whose rows have a name besides their id (a feed its URL):
     * a destination whose row of the same id has another name holds
     * another archive. what names a row in messages; key is the column
     * (key_col its index), pg_key reads it by id. */
    const char *what;
    const char *key;
    int key_col;
    const char *pg_key;
    /* The Markdown column is packed against the first of these HTML
     * columns that is not NULL (-1: none). */
    int md_prefix[2];
    /* PostgreSQL's identity sequence set past the highest id. */
    const char *pg_sequence;
    /* Rows of many megabytes each (assets, feed documents) are read from
     * PostgreSQL one by one, by id, with this statement: a batch of a
     * cursor would hold hundreds of them. */
    const char *pg_row;
    /* The column naming the article, for messages. */
    int article_col;
};

static const struct copy_table tables[] = {
    {
        .name = "feeds",
        .stage = "copying the feeds",
        .columns =
            "id, url, title, site_url, etag, last_modified, last_fetch, last_status, failures, "
            "next_fetch, created, name, subscribed, final_url, moved_to, last_error, assets, "
            "keep_raw, private_origin, full_text",
        .kinds = "issssstiittsbsssbbbi",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO feeds(id, url, title, site_url, etag, last_modified, last_fetch, "
            "last_status, failures, next_fetch, created, name, subscribed, final_url, moved_to, "
            "last_error, assets, keep_raw, private_origin, full_text) VALUES ($1, $2, $3, $4, $5,"
            " $6, to_timestamp($7), $8, $9, to_timestamp($10), to_timestamp($11), $12, $13, $14, "
            "$15, $16, $17, $18, $19, $20) ON CONFLICT DO NOTHING",
        .what = "feed",
        .key = "url",
        .key_col = 1,
        .pg_key = "SELECT url FROM feeds WHERE id = $1",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('feeds', 'id'), max(id)) FROM feeds HAVING "
            "max(id) IS NOT NULL",
    },
    {
        .name = "articles",
        .stage = "copying the articles",
        .columns =
            "id, key, content_hash, source_hash, first_seen, last_seen, published, updated, guid,"
            " url, title, author, author_email, published_raw, updated_raw, tags_text, text, "
            "summary_html, content_html, markdown, link_key, base_url",
        .kinds = "isiittttssssssssshhmss",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO articles(id, key, content_hash, source_hash, first_seen, last_seen, "
            "published, updated, guid, url, title, author, author_email, published_raw, "
            "updated_raw, tags_text, text, summary_html, content_html, markdown, link_key, "
            "base_url) VALUES ($1, $2, $3, $4, to_timestamp($5), to_timestamp($6), "
            "to_timestamp($7), to_timestamp($8), $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
            " $19, $20, $21, $22) ON CONFLICT DO NOTHING",
        .what = "article",
        .key = "key",
        .key_col = 1,
        .pg_key = "SELECT key FROM articles WHERE id = $1",
        .md_prefix = {18, 17},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('articles', 'id'), max(id)) FROM articles "
            "HAVING max(id) IS NOT NULL",
    },
    {
        .name = "article_feeds",
        .stage = "copying the feed memberships",
        .columns = "article_id, feed_id",
        .kinds = "ii",
        .sqlite_order = "rowid",
        .pg_order = "seq",
        .pg_insert =
            "INSERT INTO article_feeds(article_id, feed_id) VALUES ($1, $2) ON CONFLICT DO "
            "NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "article_versions",
        .stage = "copying the versions",
        .columns = "id, article_id, replaced_at, title, text, content_html, markdown, tags_text, "
                   "content_hash, kind",
        .kinds = "iitsmhmsis", /* the text packed against the HTML, as the Markdown */
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO article_versions(id, article_id, replaced_at, title, text, content_html,"
            " markdown, tags_text, content_hash, kind) VALUES ($1, $2, to_timestamp($3), $4, $5, "
            "$6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        .md_prefix = {5, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('article_versions', 'id'), max(id)) FROM "
            "article_versions HAVING max(id) IS NOT NULL",
        .article_col = 1,
    },
    {
        .name = "tags",
        .stage = "copying the tags",
        .columns = "id, name",
        .kinds = "is",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert = "INSERT INTO tags(id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        .what = "tag",
        .key = "name",
        .key_col = 1,
        .pg_key = "SELECT name FROM tags WHERE id = $1",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('tags', 'id'), max(id)) FROM tags HAVING "
            "max(id) IS NOT NULL",
    },
    {
        .name = "article_tags",
        .stage = "copying the article tags",
        .columns = "article_id, tag_id, date",
        .kinds = "iit",
        .sqlite_order = "article_id, tag_id",
        .pg_order = "article_id, tag_id",
        .pg_insert =
            "INSERT INTO article_tags(article_id, tag_id, date) VALUES ($1, $2, to_timestamp($3))"
            " ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "code_blocks",
        .stage = "copying the code blocks",
        .columns = "id, article_id, position, language, code, lines",
        .kinds = "iiisci",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO code_blocks(id, article_id, position, language, code, lines) VALUES ($1,"
            " $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('code_blocks', 'id'), max(id)) FROM code_blocks"
            " HAVING max(id) IS NOT NULL",
    },
    {
        .name = "enclosures",
        .stage = "copying the enclosures",
        .columns = "article_id, position, url, type, length, kind",
        .kinds = "iissis",
        .sqlite_order = "article_id, position",
        .pg_order = "article_id, position",
        .pg_insert =
            "INSERT INTO enclosures(article_id, position, url, type, length, kind) VALUES ($1, "
            "$2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "article_aliases",
        .stage = "copying the aliases",
        .columns = "key, article_id, feed_id, guid, rule, created",
        .kinds = "siisst",
        .sqlite_order = "key",
        .pg_order = "key",
        .pg_insert =
            "INSERT INTO article_aliases(key, article_id, feed_id, guid, rule, created) VALUES "
            "($1, $2, $3, $4, $5, to_timestamp($6)) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "fetches",
        .stage = "copying the fetch log",
        .columns = "id, feed_id, time, status, bytes, duration_ms, new_count, updated_count, error",
        .kinds = "iitiiiiis",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO fetches(id, feed_id, time, status, bytes, duration_ms, new_count, "
            "updated_count, error) VALUES ($1, $2, to_timestamp($3), $4, $5, $6, $7, $8, $9) ON "
            "CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('fetches', 'id'), max(id)) FROM fetches HAVING "
            "max(id) IS NOT NULL",
    },
    {
        .name = "fetch_runs",
        .stage = "copying the fetch runs",
        .columns = "id, started, finished, feeds, failed, new_count, updated_count",
        .kinds = "ittiiii",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO fetch_runs(id, started, finished, feeds, failed, new_count, "
            "updated_count) VALUES ($1, to_timestamp($2), to_timestamp($3), $4, $5, $6, $7) ON "
            "CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('fetch_runs', 'id'), max(id)) FROM fetch_runs "
            "HAVING max(id) IS NOT NULL",
    },
    {
        .name = "feed_tags",
        .stage = "copying the feed tags",
        .columns = "feed_id, name",
        .kinds = "is",
        .sqlite_order = "feed_id, name",
        .pg_order = "feed_id, name",
        .pg_insert = "INSERT INTO feed_tags(feed_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "export_dirs",
        .stage = "copying the export directories",
        .columns = "id, path, last_export, last_article, last_version",
        .kinds = "istii",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO export_dirs(id, path, last_export, last_article, last_version) VALUES "
            "($1, $2, to_timestamp($3), $4, $5) ON CONFLICT DO NOTHING",
        .what = "export directory",
        .key = "path",
        .key_col = 1,
        .pg_key = "SELECT path FROM export_dirs WHERE id = $1",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('export_dirs', 'id'), max(id)) FROM export_dirs"
            " HAVING max(id) IS NOT NULL",
    },
    {
        .name = "export_files",
        .stage = "copying the export files",
        .columns = "dir_id, article_id, name, path, hash, written",
        .kinds = "iissit",
        .sqlite_order = "dir_id, article_id",
        .pg_order = "dir_id, article_id",
        .pg_insert =
            "INSERT INTO export_files(dir_id, article_id, name, path, hash, written) VALUES ($1, "
            "$2, $3, $4, $5, to_timestamp($6)) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "assets",
        .stage = "copying the assets",
        .columns = "id, sha256, mime, size, created, data",
        .kinds = "ixsitx",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO assets(id, sha256, mime, size, created, data) VALUES ($1, $2, $3, $4, "
            "to_timestamp($5), $6) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('assets', 'id'), max(id)) FROM assets HAVING "
            "max(id) IS NOT NULL",
        .pg_row =
            "SELECT id, sha256, mime, size, fk_epoch(created), data FROM assets WHERE id = $1",
    },
    {
        .name = "asset_urls",
        .stage = "copying the asset URLs",
        .columns =
            "id, url, asset_id, status, reason, cap, etag, last_modified, failures, next_try, "
            "last_try, created",
        .kinds = "isississittt",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO asset_urls(id, url, asset_id, status, reason, cap, etag, last_modified, "
            "failures, next_try, last_try, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
            "to_timestamp($10), to_timestamp($11), to_timestamp($12)) ON CONFLICT DO NOTHING",
        .what = "asset URL",
        .key = "url",
        .key_col = 1,
        .pg_key = "SELECT url FROM asset_urls WHERE id = $1",
        .md_prefix = {-1, -1},
        .pg_sequence =
            "SELECT setval(pg_get_serial_sequence('asset_urls', 'id'), max(id)) FROM asset_urls "
            "HAVING max(id) IS NOT NULL",
    },
    {
        .name = "article_assets",
        .stage = "copying the article assets",
        .columns = "article_id, position, url_id, kind, linked",
        .kinds = "iiisb",
        .sqlite_order = "article_id, position",
        .pg_order = "article_id, position",
        .pg_insert =
            "INSERT INTO article_assets(article_id, position, url_id, kind, linked) VALUES ($1, "
            "$2, $3, $4, $5) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "raw_documents",
        .stage = "copying the raw documents",
        .columns = "id, feed_id, url, time, status, content_type, etag, last_modified, date, size, "
                   "compression, data",
        .kinds = "iistissssisx",
        .sqlite_order = "id",
        .pg_order = "id",
        .pg_insert =
            "INSERT INTO raw_documents(id, feed_id, url, time, status, content_type, etag, "
            "last_modified, date, size, compression, data) VALUES ($1, $2, $3, to_timestamp($4), "
            "$5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
        .pg_sequence = "SELECT setval(pg_get_serial_sequence('raw_documents', 'id'), max(id)) FROM "
                       "raw_documents HAVING max(id) IS NOT NULL",
        .pg_row = "SELECT id, feed_id, url, fk_epoch(time), status, content_type, etag,"
                  " last_modified, date, size, compression, data FROM raw_documents WHERE id = $1",
    },
    {
        .name = "article_pages",
        .stage = "copying the article pages",
        .columns =
            "article_id, url, status, source_hash, fetched, http_status, etag, last_modified, "
            "failures, next_try, error, stored, base_url, html, title, byline, text_length, "
            "feed_length, used",
        .kinds = "issitissitstspssiib",
        .sqlite_order = "article_id",
        .pg_order = "article_id",
        .pg_insert =
            "INSERT INTO article_pages(article_id, url, status, source_hash, fetched, "
            "http_status, etag, last_modified, failures, next_try, error, stored, base_url, html,"
            " title, byline, text_length, feed_length, used) VALUES ($1, $2, $3, $4, "
            "to_timestamp($5), $6, $7, $8, $9, to_timestamp($10), $11, to_timestamp($12), $13, "
            "$14, $15, $16, $17, $18, $19) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
    {
        .name = "article_api",
        .stage = "copying the API rows",
        .columns = "article_id, api_id, url, canonical_url, canonical_key, markdown, series, "
                   "organization, edited, reading_minutes, reactions, comments, counted",
        .kinds = "iissshsstiiit",
        .sqlite_order = "article_id",
        .pg_order = "article_id",
        .pg_insert =
            "INSERT INTO article_api(article_id, api_id, url, canonical_url, canonical_key, "
            "markdown, series, organization, edited, reading_minutes, reactions, comments, "
            "counted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9), $10, $11, $12, "
            "to_timestamp($13)) ON CONFLICT DO NOTHING",
        .md_prefix = {-1, -1},
    },
};

enum { TABLE_ARTICLES = 1, TABLE_CODE_BLOCKS = 6 };

/* SQLite's code blocks, read with their code wherever it is kept. */
static const char sqlite_code_read[] =
    "SELECT c.id, c.article_id, c.position, c.language, " CODE_TEXT ", c.lines"
    " FROM code_blocks c JOIN articles a ON a.id = c.article_id ORDER BY c.id";

/* A code block written into SQLite is kept as its place in its article's
 * text (copied before it) where it stands there, as filing keeps it
 * (bind_code in store_write.c): 8 bytes or more, at its first place. */
static const char sqlite_code_insert[] =
    "INSERT INTO code_blocks(id, article_id, position, language, code, lines, text_offset,"
    " text_length) SELECT ?1, ?2, ?3, ?4, CASE WHEN p > 0 THEN '' ELSE ?5 END, ?6,"
    " CASE WHEN p > 0 THEN p - 1 END, CASE WHEN p > 0 THEN length(CAST(?5 AS BLOB)) END"
    " FROM (SELECT CASE WHEN length(CAST(?5 AS BLOB)) >= 8 THEN coalesce((SELECT"
    " instr(CAST(text AS BLOB), CAST(?5 AS BLOB)) FROM articles WHERE id = ?2), 0)"
    " ELSE 0 END AS p) WHERE true ON CONFLICT DO NOTHING";

/* The articles a SQLite destination took in the current transaction, to
 * be added to its full-text index before the commit (all at once: FTS5
 * writes its pending index at every statement with a trigger, and the
 * articles' inserts have one). */
static const char sqlite_new_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS feedkeep_copy_new(id INTEGER PRIMARY KEY)";
static const char sqlite_new_insert[] = "INSERT INTO temp.feedkeep_copy_new(id) VALUES (?1)";
static const char sqlite_new_index[] =
    "INSERT INTO articles_fts(rowid, title, text, tags) SELECT a.id, a.title, a.text,"
    " a.tags_text FROM temp.feedkeep_copy_new n JOIN articles a ON a.id = n.id;"
    "DELETE FROM temp.feedkeep_copy_new;";

/* A value of a row. */
struct cell {
    bool null;
    int64_t n;  /* K_INT, K_TIME, K_BOOL */
    char *data; /* the others: malloc'd text (NUL-terminated) or bytes */
    size_t size;
};

struct row {
    struct cell cells[MAX_COLUMNS];
    size_t bytes; /* of its values, roughly */
};

static void row_clear(struct row *row)
{
    for (int i = 0; i < MAX_COLUMNS; i++)
        free(row->cells[i].data);
    memset(row, 0, sizeof *row);
}

/* The copy under way. */
struct copy {
    struct fk_store *from, *to;
    fk_progress_fn progress;
    void *ctx;
    struct fk_error *err;
    const struct copy_table *t; /* the table being copied */
    int ncolumns;
    /* the source's rows */
    sqlite3_stmt *read;
    struct pg_walk *walk;
    struct pg_result *batch;
    int at;
    /* the destination's statements (SQLite) */
    sqlite3_stmt *insert, *new_insert;
    /* a table's key by id, in the source [0] and the destination [1]
     * (SQLite) */
    sqlite3_stmt *key_read[2];
};

/* ---- reading ---------------------------------------------------------------- */

/* The row of st (SQLite) into row. */
static int sqlite_read_row(struct copy *c, sqlite3_stmt *st, struct row *row)
{
    const struct copy_table *t = c->t;
    int64_t id = sqlite3_column_int64(st, t->article_col);
    /* The Markdown after the HTML it is packed against. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < c->ncolumns; i++) {
            struct cell *cell = &row->cells[i];
            enum kind kind = (enum kind)t->kinds[i];
            if ((kind == K_MARKDOWN) != (pass == 1))
                continue;
            cell->null = sqlite3_column_type(st, i) == SQLITE_NULL;
            if (cell->null)
                continue;
            const char *prefix = NULL;
            switch (kind) {
            case K_INT:
            case K_TIME:
            case K_BOOL:
                cell->n = sqlite3_column_int64(st, i);
                break;
            case K_BYTES:
                cell->size = (size_t)sqlite3_column_bytes(st, i);
                cell->data = fk_xmalloc(cell->size ? cell->size : 1);
                if (cell->size)
                    memcpy(cell->data, sqlite3_column_blob(st, i), cell->size);
                break;
            case K_MARKDOWN:
                for (int k = 0; k < 2 && !prefix; k++)
                    if (t->md_prefix[k] >= 0)
                        prefix = row->cells[t->md_prefix[k]].data;
                /* fall through */
            case K_HTML:
            case K_PAGE:
                if (store_column_unpacked(c->from, st, i, prefix, id, &cell->data, c->err) < 0)
                    return -1;
                cell->size = strlen(cell->data);
                break;
            case K_TEXT:
            case K_CODE:
                cell->data = column_dup(st, i);
                cell->size = strlen(cell->data);
                break;
            }
            row->bytes += cell->size + 8;
        }
    }
    return 0;
}

/* Row at of r (PostgreSQL) into row. */
static void pg_read_row(struct copy *c, const struct pg_result *r, int at, struct row *row)
{
    for (int i = 0; i < c->ncolumns; i++) {
        struct cell *cell = &row->cells[i];
        cell->null = pg_is_null(r, at, i);
        if (cell->null)
            continue;
        switch ((enum kind)c->t->kinds[i]) {
        case K_INT:
        case K_TIME:
            cell->n = pg_number(r, at, i);
            break;
        case K_BOOL:
            cell->n = pg_text(r, at, i)[0] == 't';
            break;
        case K_BYTES:
            cell->data = (char *)pg_bytes(r, at, i, &cell->size);
            break;
        default:
            cell->data = fk_xstrdup(pg_text(r, at, i));
            cell->size = strlen(cell->data);
            break;
        }
        row->bytes += cell->size + 8;
    }
}

/* Start reading table t of the source. */
static int reader_open(struct copy *c)
{
    const struct copy_table *t = c->t;
    struct fk_buf sql = FK_BUF_INIT;
    int ret = 0;
    if (!c->from->pg) {
        if (t == &tables[TABLE_CODE_BLOCKS])
            fk_buf_adds(&sql, sqlite_code_read);
        else
            fk_buf_printf(&sql, "SELECT %s FROM %s ORDER BY %s", t->columns, t->name,
                          t->sqlite_order);
        if (sqlite3_prepare_v2(c->from->db, sql.data, -1, &c->read, NULL) != SQLITE_OK)
            ret = store_db_error(c->from, c->err);
        goto out;
    }
    if (t->pg_row) {
        fk_buf_printf(&sql, "SELECT id FROM %s ORDER BY id", t->name);
    } else {
        /* The columns, times as seconds. */
        fk_buf_adds(&sql, "SELECT ");
        const char *name = t->columns;
        for (int i = 0; i < c->ncolumns; i++) {
            size_t len = strcspn(name, ",");
            fk_buf_printf(&sql, t->kinds[i] == K_TIME ? "%sfk_epoch(%.*s)" : "%s%.*s",
                          i ? ", " : "", (int)len, name);
            name += len;
            name += strspn(name, ", ");
        }
        fk_buf_printf(&sql, " FROM %s ORDER BY %s", t->name, t->pg_order);
    }
    if (!(c->walk = pg_walk_begin(c->from->pg->conn, sql.data, NULL, c->err)))
        ret = -1;
out:
    fk_buf_release(&sql);
    return ret;
}

/* The next row of the source into row: 1, 0 at the end, -1 with err
 * filled. */
static int reader_next(struct copy *c, struct row *row)
{
    if (!c->from->pg) {
        int rc = sqlite3_step(c->read);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_ROW)
            return store_db_error(c->from, c->err);
        return sqlite_read_row(c, c->read, row) < 0 ? -1 : 1;
    }
    while (!c->batch || c->at >= pg_rows(c->batch)) {
        pg_result_free(c->batch);
        c->at = 0;
        if (!(c->batch = pg_walk_next(c->walk, c->err)))
            return -1;
        if (pg_rows(c->batch) == 0)
            return 0;
    }
    int at = c->at++;
    if (!c->t->pg_row) {
        pg_read_row(c, c->batch, at, row);
        return 1;
    }
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, pg_number(c->batch, at, 0));
    struct pg_result *r = pg_query(c->from->pg->conn, c->t->pg_row, &p, c->err);
    if (!r)
        return -1;
    /* The walk's snapshot is the statement's (see source_snapshot): the
     * row is there. */
    int found = pg_rows(r) > 0;
    if (found)
        pg_read_row(c, r, 0, row);
    pg_result_free(r);
    return found ? 1 : reader_next(c, row);
}

static int reader_close(struct copy *c)
{
    int ret = 0;
    sqlite3_finalize(c->read);
    c->read = NULL;
    pg_result_free(c->batch);
    c->batch = NULL;
    if (c->walk && pg_walk_end(c->walk, c->err) < 0)
        ret = -1;
    c->walk = NULL;
    return ret;
}

/* ---- identities ------------------------------------------------------------- */

/* The key of row id of table t in store (side 0 the source, 1 the
 * destination), a copy in *key: 1, 0 when there is no such row, -1 with
 * err filled. */
static int key_of(struct copy *c, const struct copy_table *t, int side, int64_t id, char **key)
{
    struct fk_store *store = side ? c->to : c->from;
    *key = NULL;
    if (store->pg) {
        struct pg_params p = PG_PARAMS_INIT;
        pg_add_int64(&p, id);
        struct pg_result *r = pg_query(store->pg->conn, t->pg_key, &p, c->err);
        if (!r)
            return -1;
        int found = pg_rows(r) > 0;
        if (found)
            *key = fk_xstrdup(pg_text(r, 0, 0));
        pg_result_free(r);
        return found;
    }
    sqlite3_stmt **st = &c->key_read[side];
    if (!*st) {
        struct fk_buf sql = FK_BUF_INIT;
        fk_buf_printf(&sql, "SELECT %s FROM %s WHERE id = ?1", t->key, t->name);
        int rc = sqlite3_prepare_v2(store->db, sql.data, -1, st, NULL);
        fk_buf_release(&sql);
        if (rc != SQLITE_OK)
            return store_db_error(store, c->err);
    }
    if (sqlite3_bind_int64(*st, 1, id) != SQLITE_OK)
        return store_db_error(store, c->err);
    int rc = sqlite3_step(*st);
    if (rc == SQLITE_ROW)
        *key = column_dup(*st, 0);
    stmt_reset(*st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(store, c->err);
    return rc == SQLITE_ROW;
}

/* The error of a destination that holds another archive: its row id of
 * table t is to_key where the source's is from_key, or (to_key NULL) it
 * has no row id but would not take the source's (it has a row of that
 * name under another id). */
static int another_archive(struct copy *c, const struct copy_table *t, int64_t id,
                           const char *from_key, const char *to_key)
{
    const char *to = fk_store_path(c->to), *from = fk_store_path(c->from);
    if (!to_key)
        return fk_error_set(c->err, FK_ERROR_USAGE,
                            "'%s' holds another archive than '%s': it has the %s '%.200s' "
                            "under another id than %lld; copy into a new archive",
                            to, from, t->what, from_key, (long long)id);
    return fk_error_set(c->err, FK_ERROR_USAGE,
                        "'%s' holds another archive than '%s': its %s %lld is '%.200s', not "
                        "'%.200s'; copy into a new archive",
                        to, from, t->what, (long long)id, to_key, from_key);
}

/* Refuse, before anything is written, a destination whose first or last
 * row of table t has another name than the source's row of its id. (A
 * row the source does not have is no sign: the source may have removed
 * it, or the destination gained it since an earlier copy.) */
static int probe(struct copy *c, const struct copy_table *t)
{
    struct fk_buf sql = FK_BUF_INIT;
    int64_t ids[2];
    int n = 0, ret = -1;
    fk_buf_printf(&sql,
                  "SELECT id FROM %s WHERE id IN ((SELECT min(id) FROM %s),"
                  " (SELECT max(id) FROM %s))",
                  t->name, t->name, t->name);
    if (c->to->pg) {
        struct pg_result *r = pg_query_text(c->to->pg->conn, sql.data, NULL, c->err);
        if (!r)
            goto out;
        for (n = 0; n < pg_rows(r) && n < 2; n++)
            ids[n] = pg_number(r, n, 0);
        pg_result_free(r);
    } else {
        sqlite3_stmt *st;
        int rc;
        if (sqlite3_prepare_v2(c->to->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
            store_db_error(c->to, c->err);
            goto out;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 2)
            ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            store_db_error(c->to, c->err);
            goto out;
        }
    }
    ret = 0;
    for (int i = 0; ret == 0 && i < n; i++) {
        char *from_key = NULL, *to_key = NULL;
        if (key_of(c, t, 1, ids[i], &to_key) < 0 || key_of(c, t, 0, ids[i], &from_key) < 0)
            ret = -1;
        else if (to_key && from_key && strcmp(from_key, to_key) != 0)
            ret = another_archive(c, t, ids[i], from_key, to_key);
        free(from_key);
        free(to_key);
    }
out:
    fk_buf_release(&sql);
    for (int side = 0; side < 2; side++) {
        sqlite3_finalize(c->key_read[side]);
        c->key_read[side] = NULL;
    }
    return ret;
}

/* ---- writing ---------------------------------------------------------------- */

static int dest_begin(struct copy *c)
{
    if (c->to->pg)
        return pg_exec(c->to->pg->conn, "BEGIN", NULL, c->err) < 0 ? -1 : 0;
    return store_run(c->to, ST_BEGIN, c->err);
}

/* End the destination's transaction: commit it when ret is 0, else roll
 * it back. Returns ret, or -1 when the commit failed. */
static int dest_end(struct copy *c, int ret)
{
    if (c->to->pg) {
        if (ret == 0)
            return pg_exec(c->to->pg->conn, "COMMIT", NULL, c->err) < 0 ? -1 : 0;
        (void)pg_exec(c->to->pg->conn, "ROLLBACK", NULL, NULL); /* err says why */
        return ret;
    }
    if (ret == 0 && c->t == &tables[TABLE_ARTICLES])
        ret = store_exec_sql(c->to, sqlite_new_index, c->err);
    return store_write_end(c->to, true, ret, c->err);
}

/* Prepare the destination's statements for table t (SQLite). */
static int dest_prepare(struct copy *c)
{
    const struct copy_table *t = c->t;
    if (c->to->pg)
        return 0;
    struct fk_buf sql = FK_BUF_INIT;
    if (t == &tables[TABLE_CODE_BLOCKS]) {
        fk_buf_adds(&sql, sqlite_code_insert);
    } else {
        fk_buf_printf(&sql, "INSERT INTO %s(%s) VALUES (", t->name, t->columns);
        for (int i = 0; i < c->ncolumns; i++)
            fk_buf_adds(&sql, i ? ", ?" : "?");
        fk_buf_adds(&sql, ") ON CONFLICT DO NOTHING");
    }
    int rc = sqlite3_prepare_v2(c->to->db, sql.data, -1, &c->insert, NULL);
    fk_buf_release(&sql);
    if (rc == SQLITE_OK && t == &tables[TABLE_ARTICLES] &&
        (rc = sqlite3_exec(c->to->db, sqlite_new_table, NULL, NULL, NULL)) == SQLITE_OK)
        rc = sqlite3_prepare_v2(c->to->db, sqlite_new_insert, -1, &c->new_insert, NULL);
    return rc == SQLITE_OK ? 0 : store_db_error(c->to, c->err);
}

static void dest_release(struct copy *c)
{
    sqlite3_finalize(c->insert);
    sqlite3_finalize(c->new_insert);
    c->insert = c->new_insert = NULL;
    for (int side = 0; side < 2; side++) {
        sqlite3_finalize(c->key_read[side]);
        c->key_read[side] = NULL;
    }
}

/* What SQLite derives from an article it took: its place in the
 * full-text index (at the commit: dest_end) and its author's name
 * (file_author in store_write.c). */
static int sqlite_article_added(struct copy *c, const struct row *row)
{
    struct fk_store *to = c->to;
    const char *author = row->cells[11].data;
    if (sqlite3_bind_int64(c->new_insert, 1, row->cells[0].n) != SQLITE_OK ||
        sqlite3_step(c->new_insert) != SQLITE_DONE) {
        stmt_reset(c->new_insert);
        return store_db_error(to, c->err);
    }
    stmt_reset(c->new_insert);
    if (!author)
        return 0;
    if (bind_text(stmt_of(to, ST_AUTHOR_INSERT), 1, author))
        return store_bind_failed(to, ST_AUTHOR_INSERT, c->err);
    if (store_run(to, ST_AUTHOR_INSERT, c->err) < 0)
        return -1;
    if (sqlite3_changes(to->db) == 0)
        return 0;
    sqlite3_stmt *st = stmt_of(to, ST_AUTHOR_INDEX);
    if (bind_int64(st, 1, sqlite3_last_insert_rowid(to->db)) || bind_text(st, 2, author))
        return store_bind_failed(to, ST_AUTHOR_INDEX, c->err);
    return store_run(to, ST_AUTHOR_INDEX, c->err);
}

/* Insert row into the destination (SQLite) unless it has it: 1 when
 * inserted, 0 when not, -1 with err filled. */
static int sqlite_insert(struct copy *c, const struct row *row)
{
    const struct copy_table *t = c->t;
    sqlite3_stmt *st = c->insert;
    const char *prefix = NULL;
    for (int k = 0; k < 2 && !prefix; k++)
        if (t->md_prefix[k] >= 0)
            prefix = row->cells[t->md_prefix[k]].data;
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < c->ncolumns; i++) {
        const struct cell *cell = &row->cells[i];
        enum kind kind = (enum kind)t->kinds[i];
        if (cell->null) {
            rc = sqlite3_bind_null(st, i + 1);
            continue;
        }
        switch (kind) {
        case K_INT:
        case K_TIME:
        case K_BOOL:
            rc = sqlite3_bind_int64(st, i + 1, cell->n);
            break;
        case K_BYTES:
            rc = sqlite3_bind_blob64(st, i + 1, cell->data, cell->size, SQLITE_STATIC);
            break;
        case K_HTML:
            rc = store_bind_html(c->to, st, i + 1, cell->data);
            break;
        case K_MARKDOWN:
            rc = store_bind_packed(c->to, st, i + 1, cell->data, prefix);
            break;
        case K_TEXT:
        case K_PAGE:
        case K_CODE:
            rc = sqlite3_bind_text64(st, i + 1, cell->data, cell->size, SQLITE_STATIC, SQLITE_UTF8);
            break;
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    stmt_reset(st);
    if (rc != SQLITE_DONE)
        return store_db_error(c->to, c->err);
    if (sqlite3_changes(c->to->db) == 0)
        return 0;
    if (t == &tables[TABLE_ARTICLES] && sqlite_article_added(c, row) < 0)
        return -1;
    return 1;
}

/* Insert row into the destination (PostgreSQL) unless it has it, as
 * sqlite_insert. */
static int pg_insert(struct copy *c, const struct row *row)
{
    struct pg_params p = PG_PARAMS_INIT;
    for (int i = 0; i < c->ncolumns; i++) {
        const struct cell *cell = &row->cells[i];
        switch ((enum kind)c->t->kinds[i]) {
        case K_INT:
            if (cell->null)
                pg_add_text(&p, NULL);
            else
                pg_add_int64(&p, cell->n);
            break;
        case K_TIME:
            pg_add_time(&p, cell->null ? FK_TIME_NONE : cell->n);
            break;
        case K_BOOL:
            if (cell->null)
                pg_add_text(&p, NULL);
            else
                pg_add_bool(&p, cell->n != 0);
            break;
        case K_BYTES:
            pg_add_bytes(&p, cell->null ? NULL : cell->data, cell->size);
            break;
        default:
            pg_add_text(&p, cell->null ? NULL : cell->data);
            break;
        }
    }
    long changed = pg_exec(c->to->pg->conn, c->t->pg_insert, &p, c->err);
    return changed < 0 ? -1 : changed > 0;
}

/* Copy row into the destination: 0, or -1 with err filled. A row the
 * destination has already is left as it is, but a row of another name
 * under its id is another archive's. */
static int write_row(struct copy *c, const struct row *row)
{
    const struct copy_table *t = c->t;
    int added = c->to->pg ? pg_insert(c, row) : sqlite_insert(c, row);
    if (added != 0 || !t->key)
        return added < 0 ? -1 : 0;
    char *key = NULL;
    int64_t id = row->cells[0].n;
    const char *want = row->cells[t->key_col].data;
    int ret = key_of(c, t, 1, id, &key);
    if (ret >= 0)
        ret = key && strcmp(key, want) == 0 ? 0 : another_archive(c, t, id, want, key);
    free(key);
    return ret;
}

/* ---- the copy --------------------------------------------------------------- */

static void progress(struct copy *c, int64_t done)
{
    if (c->progress)
        c->progress(c->t->stage, done, c->ctx);
}

static int copy_table(struct copy *c, const struct copy_table *t)
{
    struct row row;
    int64_t done = 0;
    int ret = -1, rc = 1;
    memset(&row, 0, sizeof row);
    c->t = t;
    c->ncolumns = (int)strlen(t->kinds);
    progress(c, 0);
    if (reader_open(c) < 0 || dest_prepare(c) < 0)
        goto out;
    while (rc > 0) {
        int rows = 0;
        size_t bytes = 0;
        if (dest_begin(c) < 0)
            goto out;
        ret = 0;
        while (ret == 0 && rows < BATCH_ROWS && bytes < BATCH_BYTES) {
            if ((rc = reader_next(c, &row)) <= 0) {
                ret = rc;
                break;
            }
            bytes += row.bytes;
            ret = write_row(c, &row);
            row_clear(&row);
            rows++;
        }
        if ((ret = dest_end(c, ret)) < 0)
            goto out;
        done += rows;
        progress(c, done);
    }
    ret = 0;
out:
    row_clear(&row);
    dest_release(c);
    if (reader_close(c) < 0)
        ret = -1;
    return ret;
}

/* Whether from and to are one archive, into *same. */
static int same_archive(struct copy *c, bool *same)
{
    *same = false;
    if (!c->from->pg != !c->to->pg)
        return 0;
    if (!c->from->pg) {
        struct stat a, b;
        const char *from = sqlite3_db_filename(c->from->db, "main");
        const char *to = sqlite3_db_filename(c->to->db, "main");
        *same = from && to && stat(from, &a) == 0 && stat(to, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino;
        return 0;
    }
    /* The source's server process, seen from the destination's database. */
    struct pg_result *r =
        pg_query(c->from->pg->conn, "SELECT pg_backend_pid(), current_database()", NULL, c->err);
    if (!r)
        return -1;
    struct pg_params p = PG_PARAMS_INIT;
    pg_add_int64(&p, pg_number(r, 0, 0));
    pg_add_text(&p, pg_text(r, 0, 1));
    struct pg_result *seen =
        pg_query(c->to->pg->conn,
                 "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND datname = $2"
                 " AND datname = current_database()",
                 &p, c->err);
    pg_result_free(r);
    if (!seen)
        return -1;
    *same = pg_number(seen, 0, 0) > 0;
    pg_result_free(seen);
    return 0;
}

/* Begin (begin) or end the source's read transaction: one snapshot of
 * every table, whatever writes to the source meanwhile. */
static int source_snapshot(struct copy *c, bool begin, int ret)
{
    if (c->from->pg) {
        if (begin)
            return pg_exec(c->from->pg->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                           NULL, c->err) < 0
                       ? -1
                       : 0;
        if (ret == 0)
            return pg_exec(c->from->pg->conn, "COMMIT", NULL, c->err) < 0 ? -1 : 0;
        (void)pg_exec(c->from->pg->conn, "ROLLBACK", NULL, NULL);
        return ret;
    }
    if (begin)
        return store_exec_sql(c->from, "BEGIN", c->err);
    if (!sqlite3_get_autocommit(c->from->db))
        (void)sqlite3_exec(c->from->db, "COMMIT", NULL, NULL, NULL); /* it only read */
    return ret;
}

/* What the destination derives from all its rows, once they are there. */
static int finish(struct copy *c)
{
    if (!c->to->pg) {
        if (c->progress)
            c->progress("recounting", 0, c->ctx);
        if (store_exec_sql(c->to, "DROP TABLE IF EXISTS temp.feedkeep_copy_new", c->err) < 0)
            return -1;
        return fk_store_repair_counts(c->to, c->err);
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (tables[i].pg_sequence &&
            pg_exec(c->to->pg->conn, tables[i].pg_sequence, NULL, c->err) < 0)
            return -1;
    /* the counts the rows' triggers left as changes */
    store_pg_fold_counts(c->to->pg, true);
    return 0;
}

int fk_store_copy(struct fk_store *from, struct fk_store *to, fk_progress_fn progress_fn, void *ctx,
                  struct fk_error *err)
{
    struct copy c = {.from = from, .to = to, .progress = progress_fn, .ctx = ctx, .err = err};
    bool same = false;
    int ret = -1;
    if (from->in_feed || to->in_feed)
        return fk_error_set(err, FK_ERROR_USAGE, "a feed is being filed");
    if (from != to && same_archive(&c, &same) < 0)
        return -1;
    if (from == to || same)
        return fk_error_set(err, FK_ERROR_USAGE,
                            "cannot copy '%s' onto itself: give a destination that is another "
                            "archive",
                            fk_store_path(from));
    if (fk_store_read_only(to))
        return fk_error_set(err, FK_ERROR_DB, "cannot copy into '%s': it is read-only",
                            fk_store_path(to));
    if (source_snapshot(&c, true, 0) < 0)
        return -1;
    ret = 0;
    for (size_t i = 0; ret == 0 && i < sizeof tables / sizeof tables[0]; i++)
        if (tables[i].key)
            ret = probe(&c, &tables[i]);
    for (size_t i = 0; ret == 0 && i < sizeof tables / sizeof tables[0]; i++)
        ret = copy_table(&c, &tables[i]);
    ret = source_snapshot(&c, false, ret);
    if (ret == 0)
        ret = finish(&c);
    return ret;
}
