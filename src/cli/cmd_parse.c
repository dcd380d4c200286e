/* cmd_parse.c - feedkeep parse FILE|-: the parsed feed as JSON, not stored.
 *
 * The document is printed as it is parsed: items first, then the feed
 * metadata (complete only at the end of the document), so memory stays flat
 * whatever the number of items. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/feed.h"
#include "feedkeep/json.h"

static const char help[] =
    "usage: feedkeep parse [options] FILE|-\n"
    "\n"
    "Parse the RSS, Atom or JSON Feed document, or the response of dev.to's\n"
    "API (an article list or one article), in FILE (or on stdin for -) and\n"
    "print it as one JSON object, without storing anything:\n"
    "  {\"items\": [...], \"feed\": {...}, \"well_formed\": true|false}\n"
    "Each item carries guid, url, title (as the feed gave it: HTML when it\n"
    "was markup), title_text (plain text, as archived), author, date (the\n"
    "article's date: published, else updated), published, updated (UTC,\n"
    "YYYY-MM-DDTHH:MM:SSZ or null), published_raw, updated_raw,\n"
    "tags, enclosures ({url, type, length, kind}: kind is file or thumbnail),\n"
    "summary_html, content_html, and the converted text and code_blocks; an\n"
    "API article also api: {id, canonical_url, series, organization, edited,\n"
    "reading_minutes, reactions, comments, markdown}.\n"
    "\n"
    "Options:\n"
    "  --format json   the output format (json is the only one)\n"
    "  --base-url URL  the document's own URL, for relative links\n"
    "  --charset NAME  read the document in this encoding (a byte order mark\n"
    "                  still wins)\n"
    "  -v, --verbose   warn about recovered XML or JSON errors\n"
    "  -h, --help      show this help\n";

struct parse_out {
    struct fk_buf json;
    size_t nitems;
    const char *path;
};

/* An item warning, as import prints it. */
static void warn_item(const struct parse_out *out, const struct fk_item *item, const char *message)
{
    cli_warn_item(out->path, item, message);
}

static int on_feed(const struct fk_feed_info *info, void *ctx)
{
    (void)info;
    struct parse_out *out = ctx;
    fk_buf_addc(&out->json, '{');
    fk_json_key(&out->json, "items");
    fk_buf_addc(&out->json, '[');
    out_flush(&out->json);
    return 0;
}

static void add_content(struct parse_out *out, const struct fk_item *item)
{
    struct fk_buf *json = &out->json;
    const char *html = item->content_html ? item->content_html : item->summary_html;
    struct fk_content content = {0};
    struct fk_error err = {0};
    if (fk_content_from_html(html, html ? strlen(html) : 0, item->base_url, &content, &err) < 0) {
        warn_item(out, item, err.message);
        fk_json_member_str(json, "text", NULL);
        fk_json_key(json, "code_blocks");
        fk_buf_adds(json, "[]");
        fk_content_release(&content);
        return;
    }
    if (content.warning)
        warn_item(out, item, content.warning);
    fk_json_member_str(json, "text", content.text);
    fk_json_key(json, "code_blocks");
    fk_buf_addc(json, '[');
    for (size_t i = 0; i < content.ncode_blocks; i++) {
        const struct fk_code_block *block = &content.code_blocks[i];
        fk_buf_adds(json, i ? ",{" : "{");
        fk_json_member_str(json, "language", block->language);
        fk_json_member_int(json, "lines", (int64_t)block->lines);
        fk_json_member_str(json, "code", block->code);
        fk_buf_addc(json, '}');
    }
    fk_buf_addc(json, ']');
    fk_content_release(&content);
}

/* What a Forem API article adds (its items only). */
static void add_api(struct fk_buf *json, const struct fk_item_api *api)
{
    fk_json_key(json, "api");
    fk_buf_addc(json, '{');
    fk_json_member_int(json, "id", api->id);
    fk_json_member_str(json, "canonical_url", api->canonical_url);
    fk_json_member_str(json, "series", api->series);
    fk_json_member_str(json, "organization", api->organization);
    fk_json_member_time(json, "edited", api->edited);
    fk_json_member_count(json, "reading_minutes", api->reading_minutes);
    fk_json_member_count(json, "reactions", api->reactions);
    fk_json_member_count(json, "comments", api->comments);
    fk_json_member_str(json, "markdown", api->markdown);
    fk_buf_addc(json, '}');
}

static int on_item(const struct fk_item *item, void *ctx)
{
    struct parse_out *out = ctx;
    struct fk_buf *json = &out->json;
    fk_buf_adds(json, out->nitems++ ? ",\n{" : "\n{");
    fk_json_member_str(json, "guid", item->guid);
    fk_json_member_str(json, "url", item->url);
    /* "title" is the title as the feed gave it (HTML when it was markup, as
     * feed libraries report it); "title_text" is the plain text archived. */
    fk_json_member_str(json, "title", item->title_html ? item->title_html : item->title);
    fk_json_member_str(json, "title_text", item->title);
    fk_json_member_str(json, "author", item->author);
    fk_json_member_time(json, "date",
                        item->published != FK_TIME_NONE ? item->published : item->updated);
    fk_json_member_time(json, "published", item->published);
    fk_json_member_time(json, "updated", item->updated);
    fk_json_member_str(json, "published_raw", item->published_raw);
    fk_json_member_str(json, "updated_raw", item->updated_raw);
    fk_json_member_strings(json, "tags", (const char *const *)item->tags, item->ntags);
    fk_json_key(json, "enclosures");
    fk_buf_addc(json, '[');
    for (size_t i = 0; i < item->nenclosures; i++) {
        const struct fk_enclosure *e = &item->enclosures[i];
        fk_buf_adds(json, i ? ",{" : "{");
        fk_json_member_str(json, "url", e->url);
        fk_json_member_str(json, "type", e->type);
        if (e->length >= 0)
            fk_json_member_int(json, "length", e->length);
        else
            fk_json_member_str(json, "length", NULL);
        fk_json_member_str(json, "kind", e->kind);
        fk_buf_addc(json, '}');
    }
    fk_buf_addc(json, ']');
    fk_json_member_str(json, "summary_html", item->summary_html);
    fk_json_member_str(json, "content_html", item->content_html);
    if (item->api.id)
        add_api(json, &item->api);
    if (item->warning)
        warn_item(out, item, item->warning);
    add_content(out, item);
    fk_buf_addc(json, '}');
    out_flush(json);
    return 0;
}

static void add_feed(struct fk_buf *json, const struct fk_feed_info *feed)
{
    fk_buf_adds(json, "\n]");
    fk_json_key(json, "feed");
    fk_buf_addc(json, '{');
    fk_json_member_str(json, "format", feed->format);
    fk_json_member_str(json, "title", feed->title_html ? feed->title_html : feed->title);
    fk_json_member_str(json, "title_text", feed->title);
    fk_json_member_str(json, "site_url", feed->site_url);
    fk_json_member_str(json, "self_url", feed->self_url);
    fk_json_member_str(json, "description", feed->description);
    fk_json_member_str(json, "language", feed->language);
    fk_json_member_str(json, "image_url", feed->image_url);
    fk_json_member_str(json, "updated_raw", feed->updated_raw);
    fk_json_member_time(json, "updated", feed->updated);
    fk_buf_addc(json, '}');
    fk_json_member_bool(json, "well_formed", feed->well_formed);
    fk_buf_adds(json, "}\n");
}

int cmd_parse(int argc, char **argv, struct cli *cli)
{
    struct fk_parse_options parse_options = {0};
    const char *path;
    int fd;
    int code = cli_feed_file_args(argc, argv, true, cli, "parse", help, &parse_options, &path, &fd);
    if (code != CLI_CONTINUE)
        return code;
    code = EXIT_OK;

    struct parse_out out = {FK_BUF_INIT, 0, path};
    struct fk_feed_handler handler = {on_feed, on_item, &out};
    struct fk_feed_info final = {0};
    struct fk_error err = {0};
    if (fk_feed_parse_fd(fd, &parse_options, &handler, &final, &err) < 0) {
        msg_error("'%s': %s", path, err.message);
        code = EXIT_FAILED;
    } else {
        add_feed(&out.json, &final);
        out_flush(&out.json);
        if (cli->verbose)
            cli_warn_recovered(path, &final);
    }
    fk_feed_info_release(&final);
    fk_buf_release(&out.json);
    if (fd != STDIN_FILENO)
        close(fd);
    return code;
}
