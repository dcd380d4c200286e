/* cmd_assets.c - feedkeep assets: the images (and video and audio) the
 * archived articles reference, kept in the archive by SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/ascii.h"
#include "feedkeep/media.h"
#include "feedkeep/sha256.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep assets [options]\n"
    "       feedkeep assets get SHA256|URL [-o FILE]\n"
    "       feedkeep assets put URL FILE\n"
    "\n"
    "List the assets the archived articles reference (images, posters,\n"
    "thumbnails, and enclosures; video and audio are fetched only with\n"
    "'fetch --media'): one row per reference, by article and position in\n"
    "it, then the URLs no article references, with their state: pending\n"
    "(not fetched yet), stored, failed (the error; tried again after a\n"
    "backoff) or skipped (the cap or the policy that kept it out).\n"
    "\n"
    "Options:\n"
    "  --article ID|URL  only the references of this article\n"
    "  --feed FEED       only the references of articles a feed carried: its\n"
    "                    id, URL (with or without http:// or https://) or name\n"
    "  --type TYPE       only stored assets of this type: image, video or\n"
    "                    audio (what their bytes are; a URL not stored has no\n"
    "                    type)\n"
    "  --status STATUS   only URLs in this state: pending, stored, failed or\n"
    "                    skipped\n"
    "  --limit N         at most N rows\n" CLI_OUTPUT_HELP
    "  -o, --output FILE 'assets get': write the bytes to FILE (replaced\n"
    "                    whole, or left as it was when the get fails; -:\n"
    "                    standard output)\n"
    "  --db PATH         the archive\n"
    "  -h, --help        show this help\n"
    "\n"
    "Fields: article (its ID; empty for a URL no article references),\n"
    "position (in the article, from 0), kind (image, poster, video, audio or\n"
    "thumbnail: what the article does with it), linked (true when the\n"
    "article's Markdown shows it), url, status, reason (skipped: the cap or\n"
    "policy; failed: the error), mime, size (bytes), sha256 (in hex); mime,\n"
    "size and sha256 are empty unless stored. TSV and CSV columns by\n"
    "default: article, position, kind, url, status, reason, mime, size,\n"
    "sha256. JSON: every field. The table (without --fields) shows the\n"
    "status with its reason and the first 12 digits of the SHA-256.\n"
    "\n"
    "'assets get' writes the bytes of one stored asset, named by its SHA-256\n"
    "in hex or the first digits of it (as few as tell it apart), or by a URL\n"
    "that resolves to it, to standard output or FILE; never to a terminal.\n"
    "The bytes are checked against their SHA-256 first: an asset whose bytes\n"
    "were damaged is not written (exit status 3; see 'feedkeep check\n"
    "--deep'). Exit status 1 when the archive has no such asset, 2 when the\n"
    "digits are not hex or name more than one asset.\n"
    "\n"
    "'assets put' stores the bytes of FILE (- for standard input) as the\n"
    "asset of URL, an http or https URL: an image the server no longer\n"
    "serves, or an archive seeded ahead of a fetch. The bytes must be an\n"
    "image, a video or an audio file by their content, whatever the file's\n"
    "name (an SVG only when it holds no script and no reference to\n"
    "anything outside it), of at most 512 MiB. Bytes the archive holds\n"
    "already are not stored again: URL resolves to them. A URL no article\n"
    "references yet is kept for when one does, and is never fetched while\n"
    "it is stored. Creates the archive when there is none.\n"
    "Prints SHA256, 'new' or 'existing' (the archive held these bytes\n"
    "before), the media type and the size in bytes, separated by tabs.\n";

/* The most bytes 'assets put' stores: SQLite holds a blob of up to a
 * billion bytes, and one asset so large is a mistake more often than not. */
#define PUT_MAX ((size_t)512 << 20)

/* Whether url is one an asset may be stored under: http or https with a
 * host, printable ASCII (so that it is printed as it is). */
static bool asset_url(const char *url)
{
    size_t scheme = fk_ascii_equal_n(url, "http://", 7)    ? 7
                    : fk_ascii_equal_n(url, "https://", 8) ? 8
                                                           : 0;
    if (!scheme || !url[scheme] || url[scheme] == '/')
        return false;
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
            return false;
    }
    return true;
}

/* Whether data (len bytes) may be stored as an asset: media by its
 * content, an SVG only when safe. Sets *mime; says why not. */
static bool storable(const char *path, const void *data, size_t len, const char **mime)
{
    *mime = fk_media_sniff(data, len, NULL);
    if (fk_media_class_of(*mime) == FK_MEDIA_OTHER) {
        if (strcmp(*mime, FK_MEDIA_UNKNOWN) == 0)
            msg_error("'%s' is not an image, a video or an audio file (its bytes are of no type "
                      "known)",
                      path);
        else
            msg_error("'%s' is not an image, a video or an audio file (its bytes are %s)", path,
                      *mime);
        return false;
    }
    const char *why = NULL;
    if (strcmp(*mime, "image/svg+xml") == 0 && !fk_media_svg_safe(data, len, &why)) {
        msg_error("'%s' is an SVG not safe to keep: %s", path, why);
        return false;
    }
    return true;
}

/* assets put URL FILE */
static int assets_put(int argc, char **argv, const struct cli *cli)
{
    if (argc != 2)
        return msg_usage("assets", "usage: feedkeep assets put URL FILE");
    const char *url = argv[0], *path = argv[1];
    if (!asset_url(url))
        return msg_usage("assets",
                         "'%s' is not an http or https URL (with a host, in printable ASCII)", url);

    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        msg_error("cannot open '%s': %s", path, strerror(errno));
        return EXIT_FAILED;
    }
    const char *name = is_stdin ? "standard input" : path;
    struct fk_buf bytes;
    struct stat st;
    fk_buf_init(&bytes, PUT_MAX);
    /* A file too large says so before it is read. */
    bool cut = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > PUT_MAX;
    int rc = cut ? 1 : fk_buf_read_fd(&bytes, fd, &cut);
    if (rc == 0 && cut)
        rc = 1;
    int saved = errno;
    if (!is_stdin)
        close(fd);
    struct fk_store *store = NULL;
    int code = EXIT_FAILED;
    const char *mime;
    if (rc < 0) {
        msg_error("cannot read '%s': %s", name, strerror(saved));
        goto out;
    }
    if (rc > 0) {
        msg_error("'%s' is larger than %zu MiB, the most one asset may be", name, PUT_MAX >> 20);
        goto out;
    }
    if (!storable(name, bytes.data, bytes.len, &mime))
        goto out;

    unsigned char digest[FK_SHA256_SIZE];
    char hex[FK_SHA256_HEX];
    fk_sha256(bytes.data, bytes.len, digest);
    fk_sha256_hex(digest, hex);
    if (!(store = cli_create_store(cli))) {
        code = EXIT_IO;
        goto out;
    }
    const struct fk_asset_fetched asset = {
        .url = url,
        .sha256 = digest,
        .mime = mime,
        .data = bytes.data,
        .size = bytes.len,
        .time = (int64_t)time(NULL),
    };
    bool is_new = false;
    struct fk_error err = {0};
    if (fk_store_put_asset(store, &asset, &is_new, &err) < 0) {
        code = msg_fk_error(&err);
        goto out;
    }
    printf("%s\t%s\t%s\t%zu\n", hex, is_new ? "new" : "existing", mime, bytes.len);
    code = EXIT_OK;
out:
    fk_store_close(store);
    fk_buf_release(&bytes);
    return code;
}

/* ---- assets get ---------------------------------------------------------- */

struct get_target {
    const char *arg;  /* as given */
    const char *path; /* -o FILE, or NULL: standard output */
    int code;
};

/* Write data to fd whole. Returns 0, or -1 with errno set. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write data to path through a new file beside it, renamed over path once
 * complete: path is replaced whole or not at all. Returns 0, or -1 after
 * printing why. */
static int write_file(const char *path, const void *data, size_t len)
{
    struct fk_buf tmp = FK_BUF_INIT;
    fk_buf_printf(&tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        msg_error("cannot write '%s': %s", path, strerror(errno));
        fk_buf_release(&tmp);
        return -1;
    }
    /* The mode a new file gets (mkstemp's is 0600). */
    mode_t mask = umask(0);
    umask(mask);
    int ret = 0;
    if (fchmod(fd, 0666 & ~mask) < 0 || write_all(fd, data, len) < 0) {
        msg_error("cannot write '%s': %s", path, strerror(errno));
        ret = -1;
    }
    if (close(fd) < 0 && ret == 0) {
        msg_error("cannot write '%s': %s", path, strerror(errno));
        ret = -1;
    }
    if (ret == 0 && rename(tmp.data, path) < 0) {
        msg_error("cannot write '%s': %s", path, strerror(errno));
        ret = -1;
    }
    if (ret < 0)
        unlink(tmp.data);
    fk_buf_release(&tmp);
    return ret;
}

static int write_asset(const struct fk_asset *asset, void *ctx)
{
    struct get_target *t = ctx;
    unsigned char digest[FK_SHA256_SIZE];
    char hex[FK_SHA256_HEX];
    fk_sha256(asset->data, asset->size, digest);
    if (memcmp(digest, asset->sha256, sizeof digest) != 0) {
        msg_error("asset %s: its stored bytes do not hash to its SHA-256 (damaged): not written; "
                  "'feedkeep check --deep --repair' has it fetched again",
                  fk_sha256_hex(asset->sha256, hex));
        t->code = EXIT_IO;
    } else if (t->path) {
        t->code = write_file(t->path, asset->data, asset->size) < 0 ? EXIT_IO : EXIT_OK;
    } else {
        fwrite(asset->data, 1, asset->size, stdout);
        t->code = EXIT_OK;
    }
    return 0;
}

/* Whether arg names an asset by a URL rather than by SHA-256 digits. */
static bool names_url(const char *arg)
{
    return strchr(arg, ':') != NULL;
}

/* assets get SHA256|URL [-o FILE] (argv after "get") */
static int assets_get(int argc, char **argv, const char *output, const struct cli *cli)
{
    if (argc != 1)
        return msg_usage("assets", "usage: feedkeep assets get SHA256|URL [-o FILE]");
    struct get_target target = {argv[0], output, EXIT_OK};
    if (!output && out_is_terminal())
        return msg_usage("assets", "not writing the bytes of an asset to a terminal: use "
                                   "'-o FILE' or a redirection");
    struct fk_store *store = NULL;
    int code = cli_open_archive(cli, &store);
    if (code != EXIT_OK)
        return code;
    struct fk_error err = {0};
    bool url = names_url(target.arg);
    int rc = fk_store_get_asset(store, url ? NULL : target.arg, url ? target.arg : NULL,
                                write_asset, &target, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
    } else if (rc > 0) {
        if (url)
            msg_error("no asset stored for URL '%s'", target.arg);
        else
            msg_error("no asset whose SHA-256 starts with '%s'", target.arg);
        code = EXIT_FAILED;
    } else {
        code = target.code;
    }
    fk_store_close(store);
    return code;
}

/* ---- the listing ----------------------------------------------------------- */

OUT_GETTER(article, struct fk_asset_row, row->article_id ? OUT_V_INT : OUT_V_NULL,
           v->number = row->article_id)
OUT_GETTER(position, struct fk_asset_row, row->article_id ? OUT_V_INT : OUT_V_NULL,
           v->number = row->position)
OUT_GETTER(kind, struct fk_asset_row, OUT_V_TEXT,
           v->text = row->article_id ? fk_asset_kind_name(row->kind) : NULL)
OUT_GETTER(linked, struct fk_asset_row, OUT_V_BOOL, v->number = row->linked)
OUT_GETTER(url, struct fk_asset_row, OUT_V_TEXT, v->text = row->url)
OUT_GETTER(status, struct fk_asset_row, OUT_V_TEXT, v->text = fk_asset_status_name(row->status))
OUT_GETTER(reason, struct fk_asset_row, OUT_V_TEXT, v->text = row->reason)
OUT_GETTER(mime, struct fk_asset_row, OUT_V_TEXT, v->text = row->mime)
OUT_GETTER(size, struct fk_asset_row, row->has_sha256 ? OUT_V_INT : OUT_V_NULL,
           v->number = row->size)

static void get_sha256(const void *row_, struct out_value *v)
{
    static char hex[FK_SHA256_HEX];
    const struct fk_asset_row *row = row_;
    v->kind = OUT_V_TEXT;
    v->text = row->has_sha256 ? fk_sha256_hex(row->sha256, hex) : NULL;
}

static const struct out_field fields[] = {
    {"article", 5, true, get_article, "ART"}, {"position", 3, true, get_position, "POS"},
    {"kind", 9, false, get_kind, NULL},       {"linked", 6, false, get_linked, NULL},
    {"url", 0, false, get_url, NULL},         {"status", 7, false, get_status, NULL},
    {"reason", 24, false, get_reason, NULL},  {"mime", 13, false, get_mime, NULL},
    {"size", 9, true, get_size, NULL},        {"sha256", 64, false, get_sha256, NULL},
};

/* The table's: the status with its reason, the SHA-256 in short (as many
 * digits as 'assets get' mostly needs). */
static void get_state(const void *row_, struct out_value *v)
{
    static char text[160];
    const struct fk_asset_row *row = row_;
    const char *status = fk_asset_status_name(row->status);
    v->kind = OUT_V_TEXT;
    if (row->reason && *row->reason)
        snprintf(text, sizeof text, "%s: %s", status, row->reason);
    else
        snprintf(text, sizeof text, "%s", status);
    v->text = text;
}

static void get_sha(const void *row_, struct out_value *v)
{
    static char hex[FK_SHA256_HEX];
    const struct fk_asset_row *row = row_;
    v->kind = OUT_V_TEXT;
    v->text = NULL;
    if (row->has_sha256) {
        fk_sha256_hex(row->sha256, hex);
        hex[12] = '\0';
        v->text = hex;
    }
}

static const struct out_field table_fields[] = {
    {"state", 24, false, get_state, "STATUS"},
    {"sha", 12, false, get_sha, "SHA256"},
};

static int print_row(const struct fk_asset_row *row, void *ctx)
{
    out_record_row(ctx, row);
    return 0;
}

enum { OPT_ARTICLE = 0x200, OPT_TYPE, OPT_STATUS };

struct assets_options {
    struct fk_asset_filter filter;
    const char *article; /* --article as given */
    const char *output;  /* -o FILE; NULL for standard output */
    bool output_given;   /* -o, FILE or - */
    const char *listing; /* a listing option given, for errors */
};

static const struct cli_name types[] = {{"image", 0}, {"video", 1}, {"audio", 2}};

static int assets_option(int opt, const char *arg, void *ctx)
{
    struct assets_options *o = ctx;
    switch (opt) {
    case OPT_ARTICLE:
        o->article = arg;
        o->listing = "--article";
        break;
    case OPT_TYPE:
        if (CLI_NAME_VALUE(types, arg) < 0)
            return msg_usage("assets", "option '--type': '%s' is not image, video or audio", arg);
        o->filter.mime_class = arg;
        o->listing = "--type";
        break;
    case OPT_STATUS:
        o->filter.status = -1;
        for (int i = 0; i < FK_ASSET_STATUS_COUNT; i++) {
            if (strcmp(arg, fk_asset_status_name((enum fk_asset_status)i)) == 0)
                o->filter.status = i;
        }
        if (o->filter.status < 0)
            return msg_usage(
                "assets", "option '--status': '%s' is not pending, stored, failed or skipped", arg);
        o->listing = "--status";
        break;
    case 'o':
        if (!*arg)
            return msg_usage("assets", "option '--output' needs a path, not an empty string");
        o->output = strcmp(arg, "-") == 0 ? NULL : arg; /* -: standard output */
        o->output_given = true;
        break;
    default:
        return CLI_NOT_COMMON;
    }
    return CLI_CONTINUE;
}

/* With the archive open: --article into an id the archive has, and the
 * feed and the limit of the shared filter options. */
static int resolve_filter(struct fk_store *store, struct assets_options *o,
                          const struct cli_filter *shared)
{
    int code;
    o->filter.feed_id = shared->filter.feed_id;
    o->filter.limit = shared->filter.limit;
    if (!o->article)
        return EXIT_OK;
    if ((code = cli_find_article(store, "assets", o->article, &o->filter.article_id)) != EXIT_OK)
        return code;
    struct fk_article article = {0};
    struct fk_error err = {0};
    int rc = fk_store_get_article(store, o->filter.article_id, &article, &err);
    fk_article_release(&article);
    return cli_article_status(rc, &err, o->filter.article_id);
}

int cmd_assets(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"article", required_argument, NULL, OPT_ARTICLE},
        {"feed", required_argument, NULL, CLI_OPT_FEED},
        {"type", required_argument, NULL, OPT_TYPE},
        {"status", required_argument, NULL, OPT_STATUS},
        {"limit", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},
        CLI_OUTPUT_OPTIONS,
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct out_record out;
    struct cli_filter shared; /* --feed and --limit */
    struct assets_options own = {0};
    const struct cli_listing listing = {"assets", help, &out, &shared, assets_option, &own};
    struct fk_store *store = NULL;
    int code;

    fk_asset_filter_init(&own.filter);
    cli_filter_init(&shared, argc, argv);
    out_record_init(&out, fields, sizeof fields / sizeof fields[0],
                    "article,position,kind,url,status,reason,mime,size,sha256",
                    "article,position,kind,state,size,sha,url");
    out_record_table_fields(&out, table_fields, sizeof table_fields / sizeof table_fields[0]);
    if ((code = cli_listing_options(argc, argv, options, cli, &listing)) != CLI_CONTINUE)
        goto out;
    const char *action = optind < argc ? argv[optind] : NULL;
    if (action && strcmp(action, "get") != 0 && strcmp(action, "put") != 0) {
        code = msg_usage("assets", "unknown action '%s' (get or put)", action);
        goto out;
    }
    const char *listing_option = own.listing        ? own.listing
                                 : shared.feed      ? "--feed"
                                 : shared.given     ? "--limit"
                                 : out.format_given ? "--format"
                                 : out.field_list   ? "--fields"
                                 : out.header       ? "--header"
                                                    : NULL;
    if (action && listing_option) {
        code = msg_usage("assets", "option '%s' is for the listing, not for 'assets %s'",
                         listing_option, action);
        goto out;
    }
    if (own.output_given && (!action || strcmp(action, "get") != 0)) {
        code = msg_usage("assets", "option '--output' is for 'assets get'");
        goto out;
    }
    if (action && strcmp(action, "put") == 0) {
        code = assets_put(argc - optind - 1, argv + optind + 1, cli);
        goto out;
    }
    if (action) {
        code = assets_get(argc - optind - 1, argv + optind + 1, own.output, cli);
        goto out;
    }

    if ((code = cli_filter_open(&shared, cli, "assets", &store)) != EXIT_OK)
        goto out;
    if ((code = resolve_filter(store, &own, &shared)) != EXIT_OK)
        goto out;
    if ((code = out_record_start(&out, "assets")) != EXIT_OK)
        goto out;
    struct fk_error err = {0};
    if (fk_store_list_assets(store, &own.filter, print_row, &out, &err) < 0)
        code = msg_fk_error(&err);
out:
    fk_store_close(store);
    out_record_end(&out);
    cli_filter_release(&shared);
    return code;
}
