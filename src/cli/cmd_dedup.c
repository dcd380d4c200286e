/* cmd_dedup.c - feedkeep dedup --explain ID|URL [ID|URL]: why articles are
 * or are not one article under the guid-change rule (see store.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/store.h"

static const char help[] =
    "usage: feedkeep dedup --explain ID|URL [ID|URL]\n"
    "\n"
    "A feed that changes the guids of its items (tag: URIs, then permalinks)\n"
    "would have its whole history archived twice. When an item's guid is new\n"
    "to the archive, it is filed as an article the same feed carried before\n"
    "when their links are the same (compared without the scheme, http and\n"
    "https being one, the fragment, trailing slashes, the default port and\n"
    "the case of the host), the link names that article only (not a site's\n"
    "front page, the feed or its site link, and no other article of the feed\n"
    "has it), the document did not carry that article already, and the\n"
    "titles are the same (ignoring case and white space) with publication\n"
    "dates less than a day apart, or the texts are nearly the same (the\n"
    "shorter at least 90% of the longer, and at least 80% of their\n"
    "three-word sequences shared). The item is then an update of the\n"
    "article, and its guid an alias that later fetches find.\n"
    "\n"
    "With one article, show its key, its aliases and why each other article\n"
    "of its feeds with the same link is or is not the same article. With\n"
    "two, show why those two are or are not one.\n"
    "\n"
    "Options:\n"
    "  --explain       explain the rule for the articles given (required)\n"
    "  --format FORMAT text (the default) or json (one object)\n"
    "  --db PATH       the archive\n"
    "  -h, --help      show this help\n"
    "\n"
    "JSON fields: article (id, key, guid, url, link_key, title, published,\n"
    "text_length), aliases (key, guid, feed, rule, created), candidates\n"
    "(article, feed, shared_link, others, same_feed, same_link,\n"
    "link_identifies, same_title, dates_agree, length_ratio, similarity,\n"
    "similar_text, match), more.\n";

/* Append feed text made safe for a terminal ("-" for none). */
static void add_safe(struct fk_buf *out, const char *s)
{
    out_add_safe(out, s && *s ? s : "-", false);
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void text_article(struct fk_buf *out, const char *heading, const struct fk_dedup_article *a)
{
    fk_buf_printf(out, "%s %lld: ", heading, (long long)a->id);
    add_safe(out, a->title);
    fk_buf_adds(out, "\n  key:      ");
    add_safe(out, a->key);
    fk_buf_adds(out, "\n  link:     ");
    add_safe(out, a->url);
    fk_buf_adds(out, "\n  link key: ");
    add_safe(out, a->link_key ? a->link_key : "(none: not an http or https link)");
    fk_buf_addc(out, '\n');
}

static void text_candidate(struct fk_buf *out, const struct fk_dedup_article *article,
                           const struct fk_dedup_candidate *c)
{
    const struct fk_match *m = &c->match;
    char apart[32];

    fk_buf_addc(out, '\n');
    text_article(out, "compared with article", &c->article);
    fk_buf_printf(out, "  same feed:    %s", yes_no(m->same_feed));
    if (m->same_feed) {
        fk_buf_adds(out, " (");
        add_safe(out, c->feed_url);
        fk_buf_addc(out, ')');
    } else {
        fk_buf_adds(out, " (no feed carried both)");
    }
    fk_buf_printf(out, "\n  same link:    %s\n  link alone:   %s", yes_no(m->same_link),
                  yes_no(m->link_identifies));
    if (!m->same_link)
        fk_buf_adds(out, " (the links differ)");
    else if (c->shared_link)
        fk_buf_adds(out, " (a site's front page, the feed or its site link)");
    else if (!m->same_feed)
        fk_buf_adds(out, " (no feed carried both)");
    else if (c->others)
        fk_buf_printf(out, " (%lld more article%s of the feed %s it)", (long long)c->others,
                      c->others == 1 ? "" : "s", c->others == 1 ? "has" : "have");
    fk_buf_printf(out, "\n  same title:   %s\n  dates agree:  %s", yes_no(m->same_title),
                  yes_no(m->dates_agree));
    int64_t a = article->published, b = c->article.published;
    if (a == FK_TIME_NONE || b == FK_TIME_NONE) {
        fk_buf_adds(out, " (a date is unknown)");
    } else {
        uint64_t seconds = a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
        out_delay(seconds > INT64_MAX ? INT64_MAX : (int64_t)seconds, apart, sizeof apart);
        fk_buf_printf(out, " (published %s apart)", apart);
    }
    fk_buf_addc(out, '\n');
    fk_buf_printf(out,
                  "  similar text: %s (length ratio %.2f, needs %.2f; similarity %.2f, "
                  "needs %.2f)\n",
                  yes_no(m->similar_text), m->length_ratio, FK_MATCH_MIN_LENGTH_RATIO,
                  m->similarity, FK_MATCH_MIN_SIMILARITY);
    fk_buf_adds(out, m->match ? "  verdict:      one article: an item of either would be filed as "
                                "the other\n"
                              : "  verdict:      two articles\n");
}

static void print_text(struct fk_buf *out, const struct fk_dedup_explanation *x, bool pair)
{
    char created[FK_DATE_BUFSIZE];

    text_article(out, "article", &x->article);
    if (!x->naliases)
        fk_buf_adds(out, "  aliases:  none\n");
    for (size_t i = 0; i < x->naliases; i++) {
        const struct fk_dedup_alias *alias = &x->aliases[i];
        fk_date_format(alias->created, created);
        fk_buf_adds(out, "  alias:    ");
        add_safe(out, alias->key);
        fk_buf_printf(out, " (filed %s from ", created);
        add_safe(out, alias->feed_url);
        fk_buf_printf(out, ", matched by link and %s)\n", alias->rule ? alias->rule : "-");
    }
    if (!pair && !x->ncandidates)
        fk_buf_adds(out, x->article.link_key ? "no other article of its feeds has this link key\n"
                                             : "no link key: the rule cannot match this article\n");
    for (size_t i = 0; i < x->ncandidates; i++)
        text_candidate(out, &x->article, &x->candidates[i]);
    if (x->more)
        fk_buf_printf(out, "\n(only the first %d articles with this link key are compared)\n",
                      FK_DEDUP_MAX_CANDIDATES);
}

static void json_article(struct fk_buf *out, const struct fk_dedup_article *a)
{
    fk_buf_addc(out, '{');
    fk_json_member_int(out, "id", a->id);
    fk_json_member_str(out, "key", a->key);
    fk_json_member_str(out, "guid", a->guid);
    fk_json_member_str(out, "url", a->url);
    fk_json_member_str(out, "link_key", a->link_key);
    fk_json_member_str(out, "title", a->title);
    fk_json_member_time(out, "published", a->published);
    fk_json_member_int(out, "text_length", (int64_t)a->text_length);
    fk_buf_addc(out, '}');
}

static void print_json(struct fk_buf *out, const struct fk_dedup_explanation *x)
{
    fk_buf_addc(out, '{');
    fk_json_key(out, "article");
    json_article(out, &x->article);
    fk_json_key(out, "aliases");
    fk_buf_addc(out, '[');
    for (size_t i = 0; i < x->naliases; i++) {
        const struct fk_dedup_alias *alias = &x->aliases[i];
        fk_buf_adds(out, i ? ",{" : "{");
        fk_json_member_str(out, "key", alias->key);
        fk_json_member_str(out, "guid", alias->guid);
        fk_json_member_str(out, "feed", alias->feed_url);
        fk_json_member_str(out, "rule", alias->rule);
        fk_json_member_time(out, "created", alias->created);
        fk_buf_addc(out, '}');
    }
    fk_buf_addc(out, ']');
    fk_json_key(out, "candidates");
    fk_buf_addc(out, '[');
    for (size_t i = 0; i < x->ncandidates; i++) {
        const struct fk_dedup_candidate *c = &x->candidates[i];
        const struct fk_match *m = &c->match;
        fk_buf_adds(out, i ? ",{" : "{");
        fk_json_key(out, "article");
        json_article(out, &c->article);
        fk_json_member_str(out, "feed", c->feed_url);
        fk_json_member_bool(out, "shared_link", c->shared_link);
        fk_json_member_int(out, "others", c->others);
        fk_json_member_bool(out, "same_feed", m->same_feed);
        fk_json_member_bool(out, "same_link", m->same_link);
        fk_json_member_bool(out, "link_identifies", m->link_identifies);
        fk_json_member_bool(out, "same_title", m->same_title);
        fk_json_member_bool(out, "dates_agree", m->dates_agree);
        fk_json_key(out, "length_ratio");
        fk_buf_printf(out, "%.4f", m->length_ratio);
        fk_json_key(out, "similarity");
        fk_buf_printf(out, "%.4f", m->similarity);
        fk_json_member_bool(out, "similar_text", m->similar_text);
        fk_json_member_bool(out, "match", m->match);
        fk_buf_addc(out, '}');
    }
    fk_buf_addc(out, ']');
    fk_json_member_bool(out, "more", x->more);
    fk_buf_adds(out, "}\n");
}

int cmd_dedup(int argc, char **argv, struct cli *cli)
{
    static const struct option options[] = {
        {"explain", no_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    static const struct cli_name formats[] = {{"text", false}, {"json", true}};
    struct fk_store *store = NULL;
    struct fk_buf out = FK_BUF_INIT;
    struct fk_dedup_explanation x = {0};
    bool explain = false, json = false;
    int64_t ids[2] = {0, 0};
    int code = EXIT_OK;
    int opt;

    while ((opt = cli_getopt(argc, argv, options, NULL)) != -1) {
        int rc = CLI_CONTINUE;
        if (opt == 'e') {
            explain = true;
        } else if (opt == 'f') {
            int named = CLI_NAME_VALUE(formats, optarg);
            if (named < 0)
                rc = msg_usage("dedup", "unknown format '%s' (text or json)", optarg);
            else
                json = named;
        } else {
            rc = cli_common_option(opt, optarg, cli, "dedup", help);
        }
        if (rc != CLI_CONTINUE) {
            code = rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
            goto out;
        }
    }
    if (!explain) {
        code = msg_usage("dedup", "dedup needs --explain");
        goto out;
    }
    if (optind == argc || argc - optind > 2) {
        code = msg_usage("dedup", optind == argc ? "dedup --explain needs an article ID or URL"
                                                 : "dedup --explain takes one or two articles");
        goto out;
    }

    if ((code = cli_open_archive(cli, &store)) != EXIT_OK)
        goto out;
    for (int i = 0; optind + i < argc; i++) {
        code = cli_find_article(store, "dedup", argv[optind + i], &ids[i]);
        if (code != EXIT_OK)
            goto out;
    }
    if (ids[0] == ids[1]) {
        code = msg_usage("dedup", "dedup --explain needs two different articles");
        goto out;
    }
    struct fk_error err = {0};
    int rc = fk_store_dedup_explain(store, ids[0], ids[1], &x, &err);
    if (rc < 0) {
        code = msg_fk_error(&err);
        goto out;
    }
    if (rc > 0) {
        if (ids[1])
            msg_error("no article with ID %lld or no article with ID %lld", (long long)ids[0],
                      (long long)ids[1]);
        else
            msg_error("no article with ID %lld", (long long)ids[0]);
        code = EXIT_FAILED;
        goto out;
    }
    if (json)
        print_json(&out, &x);
    else
        print_text(&out, &x, ids[1] != 0);
    out_flush(&out);
out:
    fk_dedup_explain_release(&x);
    fk_store_close(store);
    fk_buf_release(&out);
    return code;
}
