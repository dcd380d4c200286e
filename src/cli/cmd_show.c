/* cmd_show.c - feedkeep show ID|URL: one article as text, Markdown, HTML or
 * JSON, or as a page to read offline; one of its versions; or the
 * difference between two versions. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/diff.h"
#include "feedkeep/export.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep show [options] ID|URL\n"
    "\n"
    "Print the archived article ID (as listed by 'feedkeep list'), or the one\n"
    "whose link or guid is URL. On a terminal it goes through $PAGER (by\n"
    "default 'less -R', with LESS=FRX unless LESS is set).\n"
    "\n"
    "Options:\n"
    "  --text            a header (title; author, date and tags; link), a\n"
    "                    blank line, then the plain text (the default)\n"
    "  --markdown        the article's Markdown (CommonMark) only\n"
    "  --html            one self-contained HTML page of the article to read\n"
    "                    offline: title, author, date, feed and source link,\n"
    "                    the content (from its Markdown: no scripts, no event\n"
    "                    handlers, a policy that lets nothing run), every\n"
    "                    image the archive stores inlined as a data: URI\n"
    "                    (32 MiB of them at most; the others stay links)\n"
    "  -o, --output FILE with --html, write the page to FILE, not standard\n"
    "                    output\n"
    "  --feed-html       the article's HTML as the feed sent it (its content,\n"
    "                    else its summary) only\n"
    "  --json            everything archived about it, as one JSON object\n"
    "  --source feed|page|author  the text or Markdown of what the feed sent,\n"
    "                    of the article extracted from the item's page (see\n"
    "                    'feedkeep feeds set ID full-text'), or the Markdown\n"
    "                    its author wrote (articles read through dev.to's API,\n"
    "                    as the API gave it: front matter and Liquid tags\n"
    "                    kept), instead of the article's text, which is the\n"
    "                    page's when it was longer; with --text and --markdown\n"
    "  --no-pager        straight to the terminal, not through $PAGER\n"
    "  --width N         wrap the text at N columns (0: do not wrap); the\n"
    "                    default is the terminal's width on a terminal, else 0\n"
    "  --version N       version N of the article instead (see 'feedkeep\n"
    "                    history'), in the form asked for\n"
    "  --diff [N[..M]]   a unified diff of the title, tags and text (of the\n"
    "                    Markdown or HTML with --markdown or --feed-html) from\n"
    "                    version N to version\n"
    "                    M; M defaults to the current version, N to the one\n"
    "                    before it (the last replaced one). N..M is the next\n"
    "                    argument when it looks like one\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Markdown, HTML and code go out as archived, except to a terminal, which\n"
    "never gets control characters or escape sequences from a feed. JSON\n"
    "fields: id, guid, url, title, author, author_email, date (published, else\n"
    "updated), published, updated, first_seen, last_seen, tags, feed,\n"
    "published_raw, updated_raw, feeds, versions, summary_html,\n"
    "content_html, text, markdown, source (\"page\" when the text is the\n"
    "page's, else \"feed\"), page (the page's url, status, fetched, error,\n"
    "title and byline; null when none was fetched), api (what dev.to's API\n"
    "told: id, url, canonical_url, series, organization, edited,\n"
    "reading_minutes, reactions, comments, has_markdown; null for others);\n"
    "of a version: id, version, kind,\n"
    "first_seen, replaced_at, title, tags, text_length, text, markdown,\n"
    "html.\n";

/* SHOW_HTML is the feed's HTML (--feed-html), SHOW_PAGE the page
 * (--html). */
enum show_mode { SHOW_TEXT, SHOW_MARKDOWN, SHOW_HTML, SHOW_JSON, SHOW_PAGE };

static const struct cli_name modes[] = {
    {"text", SHOW_TEXT}, {"markdown", SHOW_MARKDOWN}, {"feed-html", SHOW_HTML},
    {"json", SHOW_JSON}, {"html", SHOW_PAGE},
};

static const char *const kind_names[] = {
    [FK_VERSION_REPLACED] = "replaced",
    [FK_VERSION_REJECTED] = "rejected",
    [FK_VERSION_CURRENT] = "current",
};

/* --diff N..M: 0 for a number not given. */
struct diff_spec {
    bool given;
    int from, to;
};

/* Parse "N" or "N..M" (positive numbers); false when s is neither. */
static bool parse_spec(const char *s, struct diff_spec *spec)
{
    const char *dots = strstr(s, "..");
    char *end;
    long from = strtol(s, &end, 10);
    if (end == s || from < 1 || from > 1000000 || (dots ? end != dots : *end != '\0'))
        return false;
    spec->from = (int)from;
    spec->to = 0;
    if (dots) {
        long to = strtol(dots + 2, &end, 10);
        if (end == dots + 2 || *end || to < 1 || to > 1000000)
            return false;
        spec->to = (int)to;
    }
    return true;
}

/* Text from a feed: as it is for a file or pipe, without control
 * characters for a terminal. */
static void add_text(struct fk_buf *buf, const char *s)
{
    if (out_is_terminal())
        out_add_safe(buf, s, true);
    else
        fk_buf_adds(buf, s ? s : "");
    if (buf->len && buf->data[buf->len - 1] != '\n')
        fk_buf_addc(buf, '\n');
}

static void add_header(struct fk_buf *buf, const struct fk_article *a)
{
    char date[FK_DATE_BUFSIZE];
    out_add_safe(buf, a->title ? a->title : "(untitled)", false);
    fk_buf_addc(buf, '\n');
    const char *parts[2] = {a->author,
                            a->date != FK_TIME_NONE ? fk_date_format(a->date, date) : NULL};
    bool any = false;
    for (size_t i = 0; i < 2; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        fk_buf_adds(buf, any ? " | " : "");
        out_add_safe(buf, parts[i], false);
        any = true;
    }
    if (a->ntags) {
        fk_buf_adds(buf, any ? " | " : "");
        for (size_t i = 0; i < a->ntags; i++) {
            fk_buf_adds(buf, i ? " #" : "#");
            out_add_safe(buf, a->tags[i], false);
        }
        any = true;
    }
    if (any)
        fk_buf_addc(buf, '\n');
    if (a->url) {
        out_add_safe(buf, a->url, false);
        fk_buf_addc(buf, '\n');
    }
    fk_buf_addc(buf, '\n');
}

/* The text to show: as archived, or laid out again from the Markdown and
 * wrapped at width columns. */
static void add_body(struct fk_buf *buf, const char *text, const char *markdown, int width)
{
    char *wrapped = width > 0 ? fk_content_markdown_to_text(markdown, width) : NULL;
    out_add_safe(buf, wrapped ? wrapped : text, true);
    if (buf->len && buf->data[buf->len - 1] != '\n')
        fk_buf_addc(buf, '\n');
    free(wrapped);
}

static void add_article_json(struct fk_buf *buf, const struct fk_article *a)
{
    fk_buf_addc(buf, '{');
    out_article_json(buf, a);
    fk_json_member_str(buf, "published_raw", a->published_raw);
    fk_json_member_str(buf, "updated_raw", a->updated_raw);
    fk_json_member_strings(buf, "feeds", a->feeds, a->nfeeds);
    fk_json_member_int(buf, "versions", a->versions);
    fk_json_member_str(buf, "summary_html", a->summary_html);
    fk_json_member_str(buf, "content_html", a->content_html);
    fk_json_member_str(buf, "text", a->text);
    fk_json_member_str(buf, "markdown", a->markdown);
    fk_buf_adds(buf, "}\n");
}

/* ---- --source: the feed's text or the page's ------------------------------------ */

enum show_source { SOURCE_ARTICLE, SOURCE_FEED, SOURCE_PAGE, SOURCE_AUTHOR };

static const struct cli_name sources[] = {
    {"feed", SOURCE_FEED},
    {"page", SOURCE_PAGE},
    {"author", SOURCE_AUTHOR},
};

/* The HTML a source is converted from, and its base, copied. */
struct source_html {
    char *html;
    char *base_url;
};

static int copy_source(const struct fk_article_source *source, void *ctx)
{
    struct source_html *copy = ctx;
    copy->html = fk_xstrdup(source->html);
    copy->base_url = fk_xstrdup(source->base_url);
    return 0;
}

/* The article's page as stored; 1 when it has none, after an error. */
static int read_page(struct fk_store *store, int64_t id, struct fk_page_row *page)
{
    struct fk_error err = {0};
    int rc = fk_store_get_page(store, id, page, &err);
    if (rc < 0)
        return msg_fk_error(&err);
    return rc;
}

/* Convert the feed's HTML of article id, or its page's, into content.
 * page is the article's page (status NULL-html when none). */
static int source_content(struct fk_store *store, int64_t id, enum show_source source,
                          const struct fk_page_row *page, struct fk_content *content)
{
    struct source_html from = {0};
    struct fk_error err = {0};
    int code = EXIT_OK;
    if (source == SOURCE_PAGE && !page->html) {
        if (page->error)
            msg_error("article %lld has no page kept: %s", (long long)id, page->error);
        else
            msg_error("article %lld has no page kept (see 'feedkeep feeds set ID full-text')",
                      (long long)id);
        return EXIT_FAILED;
    }
    if (source == SOURCE_PAGE) {
        from.html = fk_xstrdup(page->html);
        from.base_url = fk_xstrdup(page->base_url);
    } else if (fk_store_feed_source(store, id, copy_source, &from, &err) < 0) {
        code = msg_fk_error(&err);
    }
    if (code == EXIT_OK && fk_content_from_html(from.html, from.html ? strlen(from.html) : 0,
                                                from.base_url, content, &err) < 0) {
        msg_error("article %lld: %s", (long long)id, err.message);
        code = EXIT_FAILED;
    }
    free(from.html);
    free(from.base_url);
    return code;
}

/* The line of the header that says where the text came from. */
static void add_source_note(struct fk_buf *buf, enum show_source source,
                            const struct fk_page_row *page)
{
    char date[FK_DATE_BUFSIZE];
    bool from_page = source == SOURCE_PAGE || (source == SOURCE_ARTICLE && page->used);
    if (!from_page && source != SOURCE_FEED && source != SOURCE_AUTHOR)
        return;
    /* Before the header's blank line. */
    if (buf->len && buf->data[buf->len - 1] == '\n')
        buf->len--;
    if (from_page) {
        fk_buf_adds(buf, "Whole article from its page");
        if (page->stored != FK_TIME_NONE)
            fk_buf_printf(buf, ", fetched %s", fk_date_format(page->stored, date));
        fk_buf_adds(buf, "\n\n");
    } else if (source == SOURCE_AUTHOR) {
        fk_buf_adds(buf, "As its author wrote it\n\n");
    } else {
        fk_buf_adds(buf, "As the feed sent it\n\n");
    }
    buf->data[buf->len] = '\0';
}

static void add_page_json(struct fk_buf *buf, const struct fk_page_row *page, bool fetched)
{
    fk_json_member_str(buf, "source", page->used ? "page" : "feed");
    if (!fetched) {
        fk_buf_adds(buf, ",\"page\":null");
        return;
    }
    fk_buf_adds(buf, ",\"page\":{");
    fk_json_member_str(buf, "url", page->url);
    fk_json_member_str(buf, "status", fk_page_status_name(page->status));
    fk_json_member_time(buf, "fetched", page->fetched);
    fk_json_member_time(buf, "stored", page->stored);
    fk_json_member_str(buf, "error", page->error);
    fk_json_member_str(buf, "title", page->title);
    fk_json_member_str(buf, "byline", page->byline);
    fk_buf_addc(buf, '}');
}

static void add_api_json(struct fk_buf *buf, const struct fk_api_row *api)
{
    fk_json_key(buf, "api");
    if (!api) {
        fk_buf_adds(buf, "null");
        return;
    }
    fk_buf_addc(buf, '{');
    fk_json_member_int(buf, "id", api->api_id);
    fk_json_member_str(buf, "url", api->url);
    fk_json_member_str(buf, "canonical_url", api->canonical_url);
    fk_json_member_str(buf, "series", api->series);
    fk_json_member_str(buf, "organization", api->organization);
    fk_json_member_time(buf, "edited", api->edited);
    fk_json_member_count(buf, "reading_minutes", api->reading_minutes);
    fk_json_member_count(buf, "reactions", api->reactions);
    fk_json_member_count(buf, "comments", api->comments);
    fk_json_member_bool(buf, "has_markdown", api->markdown != NULL);
    fk_buf_addc(buf, '}');
}

/* Write the page of article a to path (a new file, or one replaced). */
static int write_page(const char *path, const struct fk_buf *page)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        msg_error("cannot create '%s': %s", path, strerror(errno));
        return EXIT_IO;
    }
    size_t written = page->len ? fwrite(page->data, 1, page->len, f) : 0;
    int saved = errno;
    if (fclose(f) != 0 && written == page->len)
        saved = errno, written = 0;
    if (written != page->len) {
        msg_error("cannot write '%s': %s", path, strerror(saved));
        return EXIT_IO;
    }
    return EXIT_OK;
}

/* The page of article (show --html), to output (NULL: standard output). */
static int show_page(struct fk_store *store, const struct fk_article *article, const char *output)
{
    struct fk_buf page, buf = FK_BUF_INIT;
    struct fk_error err = {0};
    size_t inlined = 0, remote = 0;
    /* Room for the inlined images in base64 and the article itself. */
    fk_buf_init(&page, (size_t)128 << 20);
    int code = EXIT_OK;
    if (fk_export_html_page(&page, store, article, &inlined, &remote, &err) < 0) {
        code = msg_fk_error(&err);
    } else {
        if (remote)
            msg_warn("article %lld: %zu stored images not inlined (over %zu MiB); they stay links",
                     (long long)article->id, remote, FK_EXPORT_PAGE_INLINE_MAX >> 20);
        if (output) {
            code = write_page(output, &page);
        } else if (out_is_terminal()) {
            add_text(&buf, page.data);
            out_flush(&buf);
        } else {
            out_flush(&page); /* as it is, however large */
        }
    }
    fk_buf_release(&buf);
    fk_buf_release(&page);
    return code;
}

static int show_article(struct fk_store *store, int64_t id, enum show_mode mode, int width,
                        const char *output, enum show_source source)
{
    struct fk_article article;
    struct fk_error err = {0};
    int rc = fk_store_get_article(store, id, &article, &err);
    int code = cli_article_status(rc, &err, id);
    if (code != EXIT_OK)
        return code;
    if (mode == SHOW_PAGE) {
        code = show_page(store, &article, output);
        fk_article_release(&article);
        return code;
    }
    struct fk_page_row page;
    struct fk_content content = {0};
    int has_page = read_page(store, id, &page);
    if (has_page < 0 || has_page > 1 ||
        ((source == SOURCE_FEED || source == SOURCE_PAGE) &&
         (code = source_content(store, id, source, &page, &content)) != EXIT_OK)) {
        fk_article_release(&article);
        fk_page_row_release(&page);
        return code != EXIT_OK ? code : has_page;
    }
    struct fk_api_row api;
    int has_api = fk_store_get_api(store, id, &api, &err);
    if (has_api < 0 || (source == SOURCE_AUTHOR && (has_api > 0 || !api.markdown))) {
        if (has_api < 0)
            code = msg_fk_error(&err);
        else
            msg_error("article %lld has no Markdown of its author (only articles read through "
                      "dev.to's API have it)",
                      (long long)id),
                code = EXIT_FAILED;
        fk_article_release(&article);
        fk_page_row_release(&page);
        fk_api_row_release(&api);
        return code;
    }
    const char *text = source == SOURCE_ARTICLE  ? article.text
                       : source == SOURCE_AUTHOR ? api.markdown
                                                 : content.text;
    const char *markdown = source == SOURCE_ARTICLE  ? article.markdown
                           : source == SOURCE_AUTHOR ? api.markdown
                                                     : content.markdown;
    struct fk_buf buf = FK_BUF_INIT;
    switch (mode) {
    case SHOW_PAGE:
        break;
    case SHOW_TEXT:
        add_header(&buf, &article);
        add_source_note(&buf, source, &page);
        add_body(&buf, text, markdown, width);
        break;
    case SHOW_MARKDOWN:
        add_text(&buf, markdown);
        break;
    case SHOW_HTML:
        add_text(&buf, article.content_html ? article.content_html : article.summary_html);
        break;
    case SHOW_JSON:
        add_article_json(&buf, &article);
        /* The page's members before the closing brace. */
        buf.len -= 2;
        add_page_json(&buf, &page, has_page == 0);
        add_api_json(&buf, has_api == 0 ? &api : NULL);
        fk_buf_adds(&buf, "}\n");
        break;
    }
    out_flush(&buf);
    fk_buf_release(&buf);
    fk_api_row_release(&api);
    fk_article_release(&article);
    fk_page_row_release(&page);
    fk_content_release(&content);
    return EXIT_OK;
}

/* What the versions of an article are: how many, and the last one a
 * change replaced (0: none). */
struct version_summary {
    int count;
    int last_replaced;
};

static int summarise(const struct fk_version *v, void *ctx)
{
    struct version_summary *s = ctx;
    s->count = v->number;
    if (v->kind == FK_VERSION_REPLACED)
        s->last_replaced = v->number;
    return 0;
}

/* Version number of article id into *v, or an exit code after saying why
 * there is none. */
static int load_version(struct fk_store *store, int64_t id, int number,
                        const struct version_summary *summary, struct fk_version *v)
{
    struct fk_error err = {0};
    if (number < 1 || number > summary->count) {
        msg_error("article %lld has versions 1 to %d, not %d", (long long)id, summary->count,
                  number);
        return EXIT_FAILED;
    }
    int rc = fk_store_get_version(store, id, number, v, &err);
    if (rc < 0)
        return msg_fk_error(&err);
    if (rc > 0) { /* changed since it was counted */
        msg_error("article %lld has no version %d", (long long)id, number);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}

static int summarise_versions(struct fk_store *store, int64_t id, struct version_summary *summary)
{
    struct fk_error err = {0};
    int rc = fk_store_list_versions(store, id, summarise, summary, &err);
    return cli_article_status(rc, &err, id);
}

static const char *version_part(const struct fk_version *v, enum show_mode mode)
{
    return mode == SHOW_MARKDOWN ? v->markdown : mode == SHOW_HTML ? v->html : v->text;
}

static int show_version(struct fk_store *store, int64_t id, int number, enum show_mode mode,
                        int width)
{
    struct version_summary summary = {0, 0};
    struct fk_version v = {0};
    int code = summarise_versions(store, id, &summary);
    if (code == EXIT_OK)
        code = load_version(store, id, number, &summary, &v);
    if (code != EXIT_OK)
        return code;
    struct fk_buf buf = FK_BUF_INIT;
    char seen[FK_DATE_BUFSIZE], replaced[FK_DATE_BUFSIZE];
    fk_date_format(v.first_seen, seen);
    fk_date_format(v.replaced_at, replaced);
    switch (mode) {
    case SHOW_TEXT:
        out_add_safe(&buf, v.title ? v.title : "(untitled)", false);
        fk_buf_printf(&buf, "\nversion %d of %d (%s), first seen %s", v.number, summary.count,
                      kind_names[v.kind], seen[0] ? seen : "-");
        if (replaced[0])
            fk_buf_printf(&buf, ", replaced %s", replaced);
        fk_buf_adds(&buf, "\n\n");
        add_body(&buf, v.text, v.markdown, width);
        break;
    case SHOW_MARKDOWN:
    case SHOW_HTML:
    case SHOW_PAGE:
        add_text(&buf, version_part(&v, mode));
        break;
    case SHOW_JSON:
        fk_buf_addc(&buf, '{');
        fk_json_member_int(&buf, "id", id);
        fk_json_member_int(&buf, "version", v.number);
        fk_json_member_str(&buf, "kind", kind_names[v.kind]);
        fk_json_member_time(&buf, "first_seen", v.first_seen);
        fk_json_member_time(&buf, "replaced_at", v.replaced_at);
        fk_json_member_str(&buf, "title", v.title);
        fk_json_member_str(&buf, "tags", v.tags_text);
        fk_json_member_int(&buf, "text_length", (int64_t)v.text_length);
        fk_json_member_str(&buf, "text", v.text);
        fk_json_member_str(&buf, "markdown", v.markdown);
        fk_json_member_str(&buf, "html", v.html);
        fk_buf_adds(&buf, "}\n");
        break;
    }
    out_flush(&buf);
    fk_buf_release(&buf);
    fk_version_release(&v);
    return EXIT_OK;
}

/* Print a diff: as it is for a file or pipe; for a terminal each line
 * without control characters, in colour unless NO_COLOR is set. */
static void print_diff(const struct fk_buf *diff)
{
    struct fk_buf buf = FK_BUF_INIT, line = FK_BUF_INIT;
    if (!diff->len)
        return;
    if (!out_is_terminal()) {
        fwrite(diff->data, 1, diff->len, stdout);
        return;
    }
    const char *p = diff->data;
    const char *end = diff->data + diff->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        enum out_style style = OUT_STYLE_RESET;
        if (len >= 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "+++", 3) == 0))
            style = OUT_STYLE_BOLD;
        else if (len >= 2 && memcmp(p, "@@", 2) == 0)
            style = OUT_STYLE_HUNK;
        else if (len && *p == '-')
            style = OUT_STYLE_REMOVED;
        else if (len && *p == '+')
            style = OUT_STYLE_ADDED;
        fk_buf_reset(&line);
        fk_buf_add(&line, p, len);
        out_add_style(&buf, style);
        out_add_safe(&buf, line.data ? line.data : "", false);
        if (style != OUT_STYLE_RESET)
            out_add_style(&buf, OUT_STYLE_RESET);
        fk_buf_addc(&buf, '\n');
        out_flush(&buf);
        p += len + 1;
    }
    fk_buf_release(&buf);
    fk_buf_release(&line);
}

static int show_diff(struct fk_store *store, int64_t id, struct diff_spec spec, enum show_mode mode)
{
    struct version_summary summary = {0, 0};
    struct fk_version from = {0}, to = {0};
    struct fk_buf diff = FK_BUF_INIT, from_label = FK_BUF_INIT, to_label = FK_BUF_INIT;
    int code = summarise_versions(store, id, &summary);
    if (code != EXIT_OK)
        goto out;
    if (!spec.from && !summary.last_replaced) {
        msg_error("article %lld has no earlier version to compare with", (long long)id);
        code = EXIT_FAILED;
        goto out;
    }
    int from_number = spec.from ? spec.from : summary.last_replaced;
    int to_number = spec.to ? spec.to : summary.count;
    code = load_version(store, id, from_number, &summary, &from);
    if (code == EXIT_OK)
        code = load_version(store, id, to_number, &summary, &to);
    if (code != EXIT_OK)
        goto out;
    const struct fk_version *v[2] = {&from, &to};
    struct fk_buf *labels[2] = {&from_label, &to_label};
    for (int i = 0; i < 2; i++) {
        char seen[FK_DATE_BUFSIZE];
        fk_date_format(v[i]->first_seen, seen);
        fk_buf_printf(labels[i], "article %lld version %d (%s, %s)", (long long)id, v[i]->number,
                      kind_names[v[i]->kind], seen[0] ? seen : "-");
    }
    /* The text of a version starts with its title and tags, so that a
     * change of either shows as the text's does. */
    struct fk_buf texts[2] = {FK_BUF_INIT, FK_BUF_INIT};
    for (int i = 0; i < 2; i++) {
        if (mode == SHOW_TEXT)
            fk_buf_printf(&texts[i], "title: %s\ntags: %s\n\n", v[i]->title ? v[i]->title : "",
                          v[i]->tags_text ? v[i]->tags_text : "");
        const char *part = version_part(v[i], mode);
        fk_buf_adds(&texts[i], part ? part : "");
    }
    int rc = fk_diff_unified(texts[0].data ? texts[0].data : "", texts[1].data ? texts[1].data : "",
                             from_label.data, to_label.data, FK_DIFF_CONTEXT, &diff);
    fk_buf_release(&texts[0]);
    fk_buf_release(&texts[1]);
    if (rc < 0) {
        msg_error("the diff of article %lld is too large to show", (long long)id);
        code = EXIT_FAILED;
        goto out;
    }
    print_diff(&diff);
out:
    fk_version_release(&from);
    fk_version_release(&to);
    fk_buf_release(&diff);
    fk_buf_release(&from_label);
    fk_buf_release(&to_label);
    return code;
}

int cmd_show(int argc, char **argv, struct cli *cli)
{
    enum { OPT_VERSION = 0x200, OPT_DIFF, OPT_MODE, OPT_WIDTH, OPT_NO_PAGER, OPT_SOURCE = 0x1700 };
    static const struct option options[] = {
        {"text", no_argument, NULL, OPT_MODE},
        {"markdown", no_argument, NULL, OPT_MODE},
        {"html", no_argument, NULL, OPT_MODE},
        {"feed-html", no_argument, NULL, OPT_MODE},
        {"json", no_argument, NULL, OPT_MODE},
        {"output", required_argument, NULL, 'o'},
        {"version", required_argument, NULL, OPT_VERSION},
        {"diff", optional_argument, NULL, OPT_DIFF},
        {"width", required_argument, NULL, OPT_WIDTH},
        {"no-pager", no_argument, NULL, OPT_NO_PAGER},
        {"source", required_argument, NULL, OPT_SOURCE},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    enum show_mode mode = SHOW_TEXT;
    const char *mode_option = NULL;
    struct diff_spec diff = {false, 0, 0};
    bool diff_greedy = false; /* the spec was taken from the next argument */
    long version = 0;
    long width = -1; /* -1: the default */
    bool pager = true;
    enum show_source source = SOURCE_ARTICLE;
    const char *output = NULL;
    int opt, index = 0;
    while ((opt = cli_getopt(argc, argv, options, &index)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == OPT_MODE) {
            if (mode_option && strcmp(mode_option, options[index].name) != 0)
                return msg_usage("show", "--%s and --%s do not go together", mode_option,
                                 options[index].name);
            mode_option = options[index].name;
            int named = CLI_NAME_VALUE(modes, mode_option);
            if (named >= 0)
                mode = (enum show_mode)named;
        } else if (opt == OPT_VERSION) {
            version = cli_parse_count(optarg);
            if (version < 1 || version > 1000000)
                return msg_usage("show", "option '--version': '%s' is not a version number",
                                 optarg);
        } else if (opt == OPT_WIDTH) {
            width = cli_parse_count(optarg);
            if (width < 0 || width > 100000)
                return msg_usage("show", "option '--width': '%s' is not a number of columns",
                                 optarg);
        } else if (opt == OPT_NO_PAGER) {
            pager = false;
        } else if (opt == OPT_SOURCE) {
            int named = CLI_NAME_VALUE(sources, optarg);
            if (named < 0)
                return msg_usage("show", "option '--source': '%s' is not feed, page or author",
                                 optarg);
            source = (enum show_source)named;
        } else if (opt == 'o') {
            output = optarg;
        } else if (opt == OPT_DIFF) {
            diff.given = true;
            if (!optarg && optind < argc && parse_spec(argv[optind], &diff)) {
                optind++;
                diff_greedy = true;
            } else if (optarg && !parse_spec(optarg, &diff)) {
                return msg_usage("show", "option '--diff': '%s' is not N or N..M", optarg);
            }
        } else {
            rc = cli_common_option(opt, optarg, cli, "show", help);
        }
        if (rc != CLI_CONTINUE)
            return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
    }
    const char *target = optind < argc ? argv[optind] : NULL;
    /* "show --diff 5": the 5 was the article, not a version. */
    if (!target && diff_greedy && !diff.to) {
        static char number[16];
        snprintf(number, sizeof number, "%d", diff.from);
        target = number;
        diff.from = 0;
    }
    if (!target)
        return msg_usage("show", "show needs an article ID or URL");
    if (argc - optind > 1)
        return msg_usage("show", "show takes one article ID or URL");
    if (diff.given && version)
        return msg_usage("show", "--diff and --version do not go together");
    if (diff.given && mode == SHOW_JSON)
        return msg_usage("show", "--diff and --json do not go together");
    if (source != SOURCE_ARTICLE &&
        (diff.given || version || mode == SHOW_HTML || mode == SHOW_JSON || mode == SHOW_PAGE))
        return msg_usage("show", "--source goes with --text and --markdown only");
    if (mode == SHOW_PAGE && (diff.given || version))
        return msg_usage("show",
                         "--html makes a page of the article as archived: not with "
                         "--%s (--feed-html gives a version's HTML)",
                         diff.given ? "diff" : "version");
    if (output && mode != SHOW_PAGE)
        return msg_usage("show", "-o/--output writes the page of --html: give --html");
    if (output && !*output)
        return msg_usage("show", "option '--output': no file name given");

    if (width < 0)
        width = out_is_terminal() ? out_terminal_width() : 0;

    struct fk_store *store = cli_open_store(cli);
    if (!store)
        return EXIT_IO;
    int64_t id;
    int code = cli_find_article(store, "show", target, &id);
    if (code == EXIT_OK && pager && !output)
        out_start_pager();
    if (code == EXIT_OK) {
        if (diff.given)
            code = show_diff(store, id, diff, mode);
        else if (version)
            code = show_version(store, id, (int)version, mode, (int)width);
        else
            code = show_article(store, id, mode, (int)width, output, source);
    }
    fk_store_close(store);
    return code;
}
