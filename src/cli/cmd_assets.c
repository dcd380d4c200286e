/* cmd_assets.c - feedkeep assets: the images (and video and audio) the
 * archived articles reference, kept in the archive by SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/ascii.h"
#include "feedkeep/media.h"
#include "feedkeep/sha256.h"
#include "feedkeep/store.h"

static const char help[] = "usage: feedkeep assets put URL FILE\n"
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
                           "before), the media type and the size in bytes, separated by tabs.\n"
                           "\n"
                           "Options:\n"
                           "  --db PATH         the archive\n"
                           "  -h, --help        show this help\n";

/* The most bytes 'assets put' stores: SQLite holds a blob of up to a
 * billion bytes, and one asset so large is a mistake more often than not. */
#define PUT_MAX ((size_t)512 << 20)

/* Read all of fd into out, at most limit bytes. Returns 0, 1 when there
 * is more than limit, or -1 with errno set. */
static int read_all(int fd, size_t limit, struct fk_buf *out)
{
    char chunk[65536];
    fk_buf_init(out, limit);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        if (fk_buf_add(out, chunk, (size_t)n) < 0)
            return 1;
    }
}

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
        return msg_usage("assets", "'%s' is not an http or https URL", url);

    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        msg_error("cannot open '%s': %s", path, strerror(errno));
        return EXIT_FAILED;
    }
    const char *name = is_stdin ? "standard input" : path;
    struct fk_buf bytes;
    int rc = read_all(fd, PUT_MAX, &bytes);
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

int cmd_assets(int argc, char **argv, struct cli *cli)
{
    int code = cli_common_options_only(argc, argv, cli, "assets", help);
    if (code != CLI_CONTINUE)
        return code;
    if (optind < argc && strcmp(argv[optind], "put") == 0)
        return assets_put(argc - optind - 1, argv + optind + 1, cli);
    if (optind < argc)
        return msg_usage("assets", "unknown action '%s' (put)", argv[optind]);
    return msg_usage("assets", "usage: feedkeep assets put URL FILE");
}
