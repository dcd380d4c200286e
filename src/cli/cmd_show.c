/* cmd_show.c - feedkeep show ID: one article as text or Markdown. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep show [options] ID\n"
    "\n"
    "Print the archived article ID (as listed by 'feedkeep list'): a header\n"
    "with its title, author, date, tags and link, then its text.\n"
    "\n"
    "Options:\n"
    "  --markdown   print the article's Markdown instead, without the header\n"
    "  --db PATH    the archive\n"
    "  -h, --help   show this help\n";

static void add_header(struct fk_buf *buf, const struct fk_article *a)
{
    char date[FK_DATE_BUFSIZE];
    out_add_safe(buf, a->title ? a->title : "(untitled)", false);
    fk_buf_addc(buf, '\n');
    const char *parts[2] = {
        a->author, a->published != FK_TIME_NONE ? fk_date_format(a->published, date) : NULL};
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

int cmd_show(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"markdown", no_argument, NULL, 'm'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    bool markdown = false;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        if (opt == 'm') {
            markdown = true;
        } else {
            int rc = cli_common_option(opt, optarg, cli, "show", help);
            if (rc != CLI_CONTINUE)
                return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
        }
    }
    if (optind + 1 != argc)
        return msg_usage("show",
                         optind == argc ? "show needs an article ID" : "show takes one article ID");
    long id = cli_parse_count(argv[optind]);
    if (id < 0)
        return msg_usage("show", "'%s' is not an article ID", argv[optind]);

    struct fk_store *store = cli_open_store(cli);
    if (!store)
        return EXIT_IO;
    struct fk_article article;
    struct fk_error err = {0};
    int code = EXIT_OK;
    int rc = fk_store_get_article(store, id, &article, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
    } else if (rc > 0) {
        msg_error("no article with ID %ld", id);
        code = EXIT_FAILED;
    } else {
        struct fk_buf buf = FK_BUF_INIT;
        if (markdown) {
            /* Markdown is text to save or pipe on, but a terminal still gets
             * it without control sequences. */
            if (out_is_terminal())
                out_add_safe(&buf, article.markdown, true);
            else
                fk_buf_adds(&buf, article.markdown ? article.markdown : "");
        } else {
            add_header(&buf, &article);
            out_add_safe(&buf, article.text, true);
            if (buf.len && buf.data[buf.len - 1] != '\n')
                fk_buf_addc(&buf, '\n');
        }
        out_flush(&buf);
        fk_buf_release(&buf);
        fk_article_release(&article);
    }
    fk_store_close(store);
    return code;
}
