/* cmd_extract.c - feedkeep extract FILE|-: the article of one web page.
 *
 * The page is read (at most FK_EXTRACT_PAGE_MAX bytes), its article found
 * by the extractor (extract.h) and converted by the content stage like the
 * HTML of a feed, then printed as text, Markdown, HTML or JSON. Nothing is
 * stored. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/content.h"
#include "feedkeep/extract.h"
#include "feedkeep/json.h"

static const char help[] =
    "usage: feedkeep extract [options] FILE|-\n"
    "\n"
    "Find the article in the HTML page in FILE (or on stdin for -): its main\n"
    "text without menus, sidebars, comments and other boilerplate, and its\n"
    "metadata. Nothing is stored. The article goes through the same\n"
    "conversion as the HTML of a feed.\n"
    "\n"
    "Options:\n"
    "  --url URL       the page's own address, for relative links (a <base\n"
    "                  href> in the page wins)\n"
    "  --format FMT    text (the default), markdown, html (the article's\n"
    "                  cleaned HTML) or json: title, byline, published,\n"
    "                  site_name, language, lead_image, excerpt, base_url,\n"
    "                  text, markdown and html\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 when an article was found, 1 when the page has no\n"
    "article text (the empty article is still printed), cannot be read or is\n"
    "no HTML page (a PDF, an image), 2 on usage errors.\n";

enum format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_HTML, FORMAT_JSON };

static void print_json(struct fk_buf *out, const struct fk_extract *page,
                       const struct fk_content *content)
{
    fk_buf_addc(out, '{');
    fk_json_member_str(out, "title", page->title);
    fk_json_member_str(out, "byline", page->byline);
    fk_json_member_time(out, "published", page->published);
    fk_json_member_str(out, "site_name", page->site_name);
    fk_json_member_str(out, "language", page->language);
    fk_json_member_str(out, "lead_image", page->lead_image);
    fk_json_member_str(out, "excerpt", page->excerpt);
    fk_json_member_str(out, "base_url", page->base_url);
    fk_json_member_str(out, "text", content->text);
    fk_json_member_str(out, "markdown", content->markdown);
    fk_json_member_str(out, "html", page->html);
    fk_buf_adds(out, "}\n");
}

int cmd_extract(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"url", required_argument, NULL, 'u'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    static const struct cli_name formats[] = {
        {"text", FORMAT_TEXT},
        {"markdown", FORMAT_MARKDOWN},
        {"html", FORMAT_HTML},
        {"json", FORMAT_JSON},
    };
    enum format format = FORMAT_TEXT;
    const char *url = NULL;
    int opt;
    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        if (opt == 'f') {
            int named = CLI_NAME_VALUE(formats, optarg);
            if (named < 0)
                return msg_usage("extract", "unknown format '%s' (text, markdown, html or json)",
                                 optarg);
            format = (enum format)named;
        } else if (opt == 'u') {
            url = optarg;
        } else {
            int rc = cli_common_option(opt, optarg, cli, "extract", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    if (optind + 1 != argc)
        return msg_usage("extract", optind == argc ? "extract needs a FILE (or - for stdin)"
                                                   : "extract takes one FILE");
    const char *path = argv[optind];
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        msg_error("cannot open '%s': %s", path, strerror(errno));
        return EXIT_FAILED;
    }
    struct fk_buf bytes;
    fk_buf_init(&bytes, FK_EXTRACT_PAGE_MAX);
    bool cut = false;
    int rc = fk_buf_read_fd(&bytes, fd, &cut);
    int saved = errno;
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc < 0) {
        msg_error("cannot read '%s': %s", path, strerror(saved));
        fk_buf_release(&bytes);
        return EXIT_FAILED;
    }
    if (cut)
        msg_warn("'%s': page longer than %zu MiB: only its first %zu MiB read", path,
                 FK_EXTRACT_PAGE_MAX >> 20, FK_EXTRACT_PAGE_MAX >> 20);

    struct fk_extract page = {0};
    struct fk_content content = {0};
    struct fk_error err = {0};
    struct fk_buf out = FK_BUF_INIT;
    int code = EXIT_OK;
    if (fk_extract_page(bytes.data, bytes.len, url, &page, &err) < 0 ||
        fk_content_from_html(page.html, strlen(page.html), page.base_url, &content, &err) < 0) {
        msg_error("'%s': %s", path, err.message);
        code = EXIT_FAILED;
        goto out;
    }
    if (content.warning)
        msg_warn("'%s': %s", path, content.warning);
    if (format == FORMAT_TEXT)
        fk_buf_adds(&out, content.text);
    else if (format == FORMAT_MARKDOWN)
        fk_buf_adds(&out, content.markdown);
    else if (format == FORMAT_HTML)
        fk_buf_printf(&out, "%s%s", page.html, page.html[0] ? "\n" : "");
    else
        print_json(&out, &page, &content);
    out_flush(&out);
    if (!content.text[0]) {
        msg_error("'%s': no article text found", path);
        code = EXIT_FAILED;
    }
out:
    fk_buf_release(&out);
    fk_content_release(&content);
    fk_extract_release(&page);
    fk_buf_release(&bytes);
    return code;
}
