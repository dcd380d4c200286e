/* extract.c - the main content of a web page, as a reader view finds it.
 *
 * Each attempt parses the page, removes what is never article (scripts,
 * styles, hidden elements, forms' controls; then, in the first attempt,
 * blocks whose class or id says boilerplate: comments, sidebars, footers,
 * menus), scores the paragraphs' ancestors by the paragraphs' text (length
 * and commas; the parent gets the whole score, the grandparent half, further
 * ancestors less), lowers each score by the share of its text in links,
 * takes the best, adds the siblings that look like part of it, and cleans
 * the result (blocks that are mostly links, images or form, and empty
 * ones). When that leaves too little text the page is tried again with
 * fewer removals, and the attempt with the most text is kept.
 *
 * No walk recurses: the tree is walked in document order with ex_next, and
 * elements nested past FK_EXTRACT_DEPTH_MAX are first flattened to text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"
#include "feedkeep/ascii.h"
#include "feedkeep/date.h"
#include "feedkeep/url.h"
#include "feedkeep/utf8.h"
#include "feedkeep/xml.h"

/* libxml2 recovers broken HTML, reports nothing and never uses the
 * network; XML_PARSE_HUGE lifts its limit on nesting (which would drop the
 * rest of a page nested deeper than 256), as no walk here recurses. */
#define HTML_OPTIONS                                                                               \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT | XML_PARSE_HUGE)

/* An article with less text than this (in characters) makes the extractor
 * try again with fewer removals. */
#define ENOUGH_TEXT 500

/* What an attempt does; each retry drops the first flag still set. */
enum {
    STRIP_UNLIKELY = 1,     /* remove blocks whose class or id says boilerplate */
    WEIGHT_CLASSES = 2,     /* class and id hints count in scores */
    CLEAN_CONDITIONALLY = 4 /* remove blocks that look like boilerplate */
};

/* --- text measures ---------------------------------------------------------- */

/* The length of n's text in characters, white space collapsed; and how
 * much of it is in links (links to "#..." count 0.3) and how many commas
 * it has. */
struct measure {
    double length, link_length;
    size_t commas;
};

static void measure(const xmlNode *top, struct measure *m)
{
    memset(m, 0, sizeof *m);
    bool space = true;
    const xmlNode *n = top;
    while (n) {
        bool descend = true;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            double weight = 0;
            for (const xmlNode *a = n->parent; a && a != top->parent; a = a->parent)
                if (ex_is(a, "a")) {
                    const char *href = ex_attr(a, "href");
                    weight = href && href[0] == '#' && href[1] ? 0.3 : 1;
                    break;
                }
            for (const unsigned char *s = (const unsigned char *)n->content; s && *s; s++) {
                if (fk_is_html_space(*s)) {
                    space = true;
                    continue;
                }
                if ((*s & 0xC0) == 0x80)
                    continue;
                double add = space && m->length > 0 ? 2 : 1;
                m->length += add;
                m->link_length += add * weight;
                space = false;
                if (*s == ',' || (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8C))
                    m->commas++;
            }
        } else if (n != top && ex_skipped(n)) {
            descend = false;
        }
        n = ex_next(n, top, descend);
    }
}

static double text_length(const xmlNode *n)
{
    struct measure m;
    measure(n, &m);
    return m.length;
}

static double link_density(const xmlNode *n)
{
    struct measure m;
    measure(n, &m);
    return m.length > 0 ? m.link_length / m.length : 0;
}

/* --- class and id hints ------------------------------------------------- */

static const char *const positive_hints[] = {"article", "body", "content", "entry",      "hentry",
                                             "h-entry", "main", "page",    "pagination", "post",
                                             "text",    "blog", "story",   NULL};
static const char *const negative_hints[] = {
    "-ad-",     "hidden", "banner",   "combx",    "comment", "com-",       "contact",
    "footer",   "gdpr",   "masthead", "media",    "meta",    "outbrain",   "promo",
    "related",  "scroll", "share",    "shoutbox", "sidebar", "skyscraper", "sponsor",
    "shopping", "tags",   "widget",   "nav",      "menu",    NULL};
/* Blocks removed in the first attempt when their class or id has one of
 * these and none of maybe_hints. */
static const char *const unlikely_hints[] = {
    "-ad-",         "ai2html",    "banner",  "breadcrumbs", "combx",  "comment",
    "community",    "cover-wrap", "disqus",  "extra",       "footer", "gdpr",
    "header",       "legends",    "menu",    "related",     "remark", "replies",
    "rss",          "shoutbox",   "sidebar", "skyscraper",  "social", "sponsor",
    "supplemental", "ad-break",   "agegate", "pagination",  "pager",  "popup",
    "yom-remote",   NULL};
static const char *const maybe_hints[] = {"and",  "article", "body",   "column", "content",
                                          "main", "mathjax", "shadow", NULL};
/* ARIA roles of boilerplate. */
static const char *const unlikely_roles[] = {"menu",  "menubar",     "complementary", "navigation",
                                             "alert", "alertdialog", "dialog",        NULL};

/* n's attribute name in lower case into buf (size bytes), "" when none. */
static const char *lower_attr(const xmlNode *n, const char *name, char *buf, size_t size)
{
    const char *v = ex_attr(n, name);
    size_t i = 0;
    for (; v && v[i] && i + 1 < size; i++)
        buf[i] = fk_ascii_lower(v[i]);
    buf[i] = '\0';
    return buf;
}

static bool has_hint(const char *s, const char *const *hints)
{
    if (!*s)
        return false;
    for (; *hints; hints++)
        if (strstr(s, *hints))
            return true;
    return false;
}

static int class_weight(const xmlNode *n)
{
    char buf[256];
    int weight = 0;
    static const char *const attrs[] = {"class", "id"};
    for (size_t i = 0; i < COUNT(attrs); i++) {
        const char *v = lower_attr(n, attrs[i], buf, sizeof buf);
        if (has_hint(v, negative_hints))
            weight -= 25;
        if (has_hint(v, positive_hints))
            weight += 25;
    }
    return weight;
}

static bool unlikely(const xmlNode *n)
{
    char class_id[512], id[256];
    lower_attr(n, "class", class_id, 256);
    size_t len = strlen(class_id);
    class_id[len] = ' ';
    strcpy(class_id + len + 1, lower_attr(n, "id", id, sizeof id));
    if (has_hint(class_id, unlikely_hints) && !has_hint(class_id, maybe_hints))
        return true;
    char role[64];
    return ex_name_in(lower_attr(n, "role", role, sizeof role), unlikely_roles) && role[0];
}

static bool has_ancestor(const xmlNode *n, const char *name, int levels)
{
    for (n = n->parent; n && levels-- != 0; n = n->parent)
        if (ex_is(n, name))
            return true;
    return false;
}

/* --- the tree's preparation -------------------------------------------- */

/* Elements that are never article. */
static const char *const never_article[] = {
    "script", "style",    "noscript", "template",   "link",           "meta",   "object", "embed",
    "applet", "button",   "input",    "select",     "textarea",       "dialog", "canvas", "svg",
    "frame",  "frameset", "head",     "annotation", "annotation-xml", NULL};
/* Elements that are text-level: runs of them (and text) directly in a
 * <div> with blocks are wrapped in a paragraph. */
static const char *const phrasing[] = {"abbr", "b",    "bdi",  "bdo",   "br",   "cite",   "code",
                                       "data", "dfn",  "em",   "i",     "kbd",  "label",  "mark",
                                       "q",    "s",    "samp", "small", "span", "strong", "sub",
                                       "sup",  "time", "u",    "var",   "wbr",  "a",      "del",
                                       "ins",  "font", "img",  "tt",    "big",  "strike", NULL};

static bool hidden(const xmlNode *n)
{
    if (ex_attr(n, "hidden"))
        return true;
    const char *aria = ex_attr(n, "aria-hidden");
    const char *class = ex_attr(n, "class");
    if (aria && strcmp(aria, "true") == 0 && !(class && strstr(class, "fallback-image")))
        return true;
    const char *style = ex_attr(n, "style");
    if (!style)
        return false;
    char compact[256];
    size_t len = 0;
    for (; *style && len + 1 < sizeof compact; style++)
        if (!fk_is_space((unsigned char)*style))
            compact[len++] = fk_ascii_lower(*style);
    compact[len] = '\0';
    return strstr(compact, "display:none") || strstr(compact, "visibility:hidden");
}

/* Replace n by a text node of its text (for elements nested too deep). */
static void flatten(xmlNode *n)
{
    char *text = ex_text_dup(n);
    xmlNode *t = xmlNewDocText(n->doc, (const xmlChar *)text);
    free(text);
    xmlReplaceNode(n, t);
    xmlFreeNode(n);
}

/* How deep n is, counted up to FK_EXTRACT_DEPTH_MAX + 1. */
static int depth_of(const xmlNode *n)
{
    int depth = 0;
    for (; n->parent && depth <= FK_EXTRACT_DEPTH_MAX; n = n->parent)
        depth++;
    return depth;
}

/* Remove from the tree what is never article, and flatten elements nested
 * deeper than FK_EXTRACT_DEPTH_MAX to their text. Ancestors come first in
 * document order, so no element deeper than that is ever climbed from. */
static void strip_page(xmlNode *root)
{
    xmlNode *n = root;
    while (n) {
        bool remove =
            n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE || n->type == XML_DTD_NODE;
        bool element = n->type == XML_ELEMENT_NODE && n != root;
        if (element)
            remove = ex_name_in((const char *)n->name, never_article) || hidden(n);
        if (remove || (element && depth_of(n) > FK_EXTRACT_DEPTH_MAX)) {
            xmlNode *next = ex_next(n, root, false);
            if (remove) {
                xmlUnlinkNode(n);
                xmlFreeNode(n);
            } else {
                flatten(n);
            }
            n = next;
            continue;
        }
        n = ex_next(n, root, true);
    }
}

/* --- one attempt ------------------------------------------------------- */

struct candidate {
    xmlNode *node;
    double score;
};

struct attempt {
    int flags;
    const char *title; /* the article's title, to drop a heading that repeats it */
    bool title_dropped;
    xmlNode *body;
    struct candidate *candidates;
    size_t ncandidates, candidates_size;
    xmlNode **to_score; /* elements whose text scores their ancestors */
    size_t nto_score, to_score_size;
    char *byline; /* the text of an element that says who wrote it */
};

static void push_node(xmlNode ***list, size_t *count, size_t *size, xmlNode *n)
{
    if (*count == *size) {
        *size = *size ? *size * 2 : 64;
        *list = fk_xrealloc(*list, *size * sizeof **list);
    }
    (*list)[(*count)++] = n;
}

static struct candidate *candidate_of(const struct attempt *at, const xmlNode *n)
{
    uintptr_t i = (uintptr_t)n->_private;
    return i && i <= at->ncandidates && at->candidates[i - 1].node == n ? &at->candidates[i - 1]
                                                                        : NULL;
}

/* Make n a candidate with its score from its name and class. */
static struct candidate *add_candidate(struct attempt *at, xmlNode *n)
{
    struct candidate *c = candidate_of(at, n);
    if (c)
        return c;
    static const struct {
        const char *name;
        int score;
    } base[] = {
        {"div", 5}, {"pre", 3},   {"td", 3},  {"blockquote", 3}, {"address", -3},
        {"ol", -3}, {"ul", -3},   {"dl", -3}, {"dd", -3},        {"dt", -3},
        {"li", -3}, {"form", -3}, {"h1", -5}, {"h2", -5},        {"h3", -5},
        {"h4", -5}, {"h5", -5},   {"h6", -5}, {"th", -5},
    };
    if (at->ncandidates == at->candidates_size) {
        at->candidates_size = at->candidates_size ? at->candidates_size * 2 : 64;
        at->candidates = fk_xrealloc(at->candidates, at->candidates_size * sizeof *at->candidates);
    }
    c = &at->candidates[at->ncandidates++];
    c->node = n;
    c->score = 0;
    for (size_t i = 0; i < COUNT(base); i++)
        if (strcmp((const char *)n->name, base[i].name) == 0)
            c->score = base[i].score;
    if (at->flags & WEIGHT_CLASSES)
        c->score += class_weight(n);
    n->_private = (void *)(uintptr_t)at->ncandidates;
    return c;
}

static size_t element_children(const xmlNode *n, xmlNode **only)
{
    size_t count = 0;
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            count++;
            *only = c;
        } else if (c->type == XML_TEXT_NODE && c->content) {
            for (const char *s = (const char *)c->content; *s; s++)
                if (!fk_is_html_space((unsigned char)*s))
                    return 2; /* text of its own: not a mere wrapper */
        }
    return count;
}

/* Whether n has a descendant that is a block (so it is no paragraph). */
static bool has_block_descendant(const xmlNode *n)
{
    static const char *const blocks[] = {
        "blockquote", "dl",     "div", "img", "ol", "p",  "pre", "table", "ul", "section",
        "article",    "figure", "h1",  "h2",  "h3", "h4", "h5",  "h6",    NULL};
    for (const xmlNode *d = ex_next(n, n, true); d; d = ex_next(d, n, true))
        if (d->type == XML_ELEMENT_NODE && ex_name_in((const char *)d->name, blocks))
            return true;
    return false;
}

static bool is_phrasing(const xmlNode *n)
{
    if (n->type == XML_TEXT_NODE)
        return true;
    if (n->type != XML_ELEMENT_NODE || !ex_name_in((const char *)n->name, phrasing))
        return false;
    for (const xmlNode *d = ex_next(n, n, true); d; d = ex_next(d, n, true))
        if (d->type == XML_ELEMENT_NODE && !ex_name_in((const char *)d->name, phrasing))
            return false;
    return true;
}

static bool blank(const xmlNode *n)
{
    if (n->type != XML_TEXT_NODE)
        return false;
    for (const char *s = (const char *)n->content; s && *s; s++)
        if (!fk_is_html_space((unsigned char)*s))
            return false;
    return true;
}

/* Wrap each run of text and text-level elements directly in div into a
 * <p>, so that text beside blocks is scored as paragraphs. */
static void wrap_phrasing(xmlNode *div)
{
    xmlNode *p = NULL;
    for (xmlNode *c = div->children; c;) {
        xmlNode *next = c->next;
        if (is_phrasing(c)) {
            if (!p && blank(c)) {
                c = next;
                continue;
            }
            if (!p) {
                p = xmlNewDocNode(div->doc, NULL, (const xmlChar *)"p", NULL);
                xmlAddPrevSibling(c, p);
            }
            xmlUnlinkNode(c);
            xmlAddChild(p, c);
        } else {
            p = NULL;
        }
        c = next;
    }
}

/* Whether n has no text and nothing but line breaks and rules inside. */
static bool without_content(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !ex_is(c, "br") && !ex_is(c, "hr"))
            return false;
    return text_length(n) == 0;
}

static bool looks_like_byline(const xmlNode *n)
{
    static const char *const hints[] = {"byline",    "author",   "dateline",
                                        "writtenby", "p-author", NULL};
    char class[256], id[256], rel[64], itemprop[64];
    lower_attr(n, "class", class, sizeof class);
    lower_attr(n, "id", id, sizeof id);
    lower_attr(n, "rel", rel, sizeof rel);
    lower_attr(n, "itemprop", itemprop, sizeof itemprop);
    if (strcmp(rel, "author") != 0 && !strstr(itemprop, "author") && !has_hint(class, hints) &&
        !has_hint(id, hints))
        return false;
    double len = text_length(n);
    return len > 0 && len < 100;
}

/* Remove what is unlikely to be article (in the first attempt), the
 * byline and the heading that repeats the title; make <div>s of text
 * paragraphs; list the elements to score. Returns the next node to visit
 * after n. */
static xmlNode *prepare_node(struct attempt *at, xmlNode *n)
{
    static const char *const scored[] = {"section", "h2", "h3", "h4",  "h5",
                                         "h6",      "p",  "td", "pre", NULL};
    static const char *const emptiable[] = {"div", "section", "header", "h1", "h2",
                                            "h3",  "h4",      "h5",     "h6", NULL};
    const char *name = (const char *)n->name;
    xmlNode *next = ex_next(n, at->body, false);
    if (!at->byline && looks_like_byline(n)) {
        at->byline = ex_text_dup(n);
        goto remove;
    }
    if (!at->title_dropped && at->title && (ex_is(n, "h1") || ex_is(n, "h2"))) {
        char *text = ex_text_dup(n);
        bool same = ex_similarity(at->title, text) > 0.75 && ex_similarity(text, at->title) > 0.75;
        free(text);
        if (same) {
            at->title_dropped = true;
            goto remove;
        }
    }
    if ((at->flags & STRIP_UNLIKELY) && !ex_is(n, "a") && !ex_is(n, "body") && unlikely(n) &&
        !has_ancestor(n, "table", -1) && !has_ancestor(n, "code", -1))
        goto remove;
    if (ex_name_in(name, emptiable) && without_content(n))
        goto remove;
    if (ex_name_in(name, scored))
        push_node(&at->to_score, &at->nto_score, &at->to_score_size, n);
    if (ex_is(n, "div")) {
        wrap_phrasing(n);
        xmlNode *only = NULL;
        if (element_children(n, &only) == 1 && ex_is(only, "p") && link_density(n) < 0.25) {
            xmlUnlinkNode(only);
            xmlReplaceNode(n, only);
            xmlFreeNode(n);
            push_node(&at->to_score, &at->nto_score, &at->to_score_size, only);
            return ex_next(only, at->body, true);
        }
        if (!has_block_descendant(n)) {
            xmlNodeSetName(n, (const xmlChar *)"p");
            push_node(&at->to_score, &at->nto_score, &at->to_score_size, n);
        }
    }
    return ex_next(n, at->body, true);
remove:
    xmlUnlinkNode(n);
    xmlFreeNode(n);
    return next;
}

static void prepare(struct attempt *at)
{
    xmlNode *n = at->body->children;
    while (n && n != at->body) {
        if (n->type == XML_ELEMENT_NODE)
            n = prepare_node(at, n);
        else
            n = ex_next(n, at->body, true);
    }
}

/* Give each scored element's ancestors their share of its score. */
static void score(struct attempt *at)
{
    for (size_t i = 0; i < at->nto_score; i++) {
        xmlNode *n = at->to_score[i];
        struct measure m;
        measure(n, &m);
        if (m.length < 25 || !n->parent || n->parent->type != XML_ELEMENT_NODE)
            continue;
        double points = 1 + (double)m.commas + (m.length / 100 < 3 ? (int)(m.length / 100) : 3);
        int level = 0;
        for (xmlNode *a = n->parent; a && level < 5; a = a->parent, level++) {
            if (a->type != XML_ELEMENT_NODE || !a->parent || a->parent->type != XML_ELEMENT_NODE)
                break;
            double divider = level == 0 ? 1 : level == 1 ? 2 : level * 3;
            add_candidate(at, a)->score += points / divider;
        }
    }
    for (size_t i = 0; i < at->ncandidates; i++)
        at->candidates[i].score *= 1 - link_density(at->candidates[i].node);
}

/* The best candidate, moved up to an ancestor when that holds several of
 * the best or scores better. NULL when no candidate has a score. */
static xmlNode *top_candidate(struct attempt *at)
{
    enum { TOP = 5 };
    struct candidate *best[TOP] = {NULL};
    for (size_t i = 0; i < at->ncandidates; i++) {
        struct candidate *c = &at->candidates[i];
        for (size_t k = 0; k < TOP; k++)
            if (!best[k] || c->score > best[k]->score) {
                memmove(best + k + 1, best + k, (TOP - k - 1) * sizeof *best);
                best[k] = c;
                break;
            }
    }
    if (!best[0] || ex_is(best[0]->node, "body"))
        return NULL;
    xmlNode *top = best[0]->node;

    /* several of the best under one ancestor: that ancestor */
    for (xmlNode *a = top->parent; a && a != at->body; a = a->parent) {
        int holding = 0;
        for (size_t k = 1; k < TOP && best[k]; k++)
            if (best[k]->score / best[0]->score >= 0.75) {
                for (xmlNode *p = best[k]->node->parent; p; p = p->parent)
                    if (p == a) {
                        holding++;
                        break;
                    }
            }
        if (holding >= 3) {
            top = a;
            add_candidate(at, top);
            break;
        }
    }

    /* a parent scoring better than the last step up takes over */
    double last = candidate_of(at, top)->score, threshold = last / 3;
    for (xmlNode *p = top->parent; p && p != at->body && p->type == XML_ELEMENT_NODE;
         p = p->parent) {
        struct candidate *c = candidate_of(at, p);
        if (!c)
            continue;
        if (c->score < threshold)
            break;
        if (c->score > last) {
            top = p;
            break;
        }
        last = c->score;
    }
    /* an only child stands for its parent */
    while (top->parent && top->parent != at->body && top->parent->type == XML_ELEMENT_NODE) {
        xmlNode *only = NULL;
        if (element_children(top->parent, &only) != 1)
            break;
        top = top->parent;
    }
    add_candidate(at, top);
    return top;
}

static bool ends_sentence(const char *text)
{
    const char *dot = strstr(text, ". ");
    size_t len = strlen(text);
    return dot || (len && text[len - 1] == '.');
}

/* The article: top and the siblings that belong with it, moved into a new
 * <div> (which is returned, unlinked). */
static xmlNode *gather(struct attempt *at, xmlNode *top)
{
    xmlNode *article = xmlNewDocNode(at->body->doc, NULL, (const xmlChar *)"div", NULL);
    if (!top) {
        /* no candidate: the whole body */
        while (at->body->children) {
            xmlNode *c = at->body->children;
            xmlUnlinkNode(c);
            xmlAddChild(article, c);
        }
        return article;
    }
    double top_score = candidate_of(at, top)->score;
    double threshold = top_score * 0.2 > 10 ? top_score * 0.2 : 10;
    const char *top_class = ex_attr(top, "class");
    xmlNode *parent = top->parent;
    xmlNode **keep = NULL;
    size_t nkeep = 0, keep_size = 0;
    for (xmlNode *s = parent ? parent->children : top; s; s = s->next) {
        bool append = s == top;
        if (!append && s->type == XML_ELEMENT_NODE) {
            struct candidate *c = candidate_of(at, s);
            const char *class = ex_attr(s, "class");
            double bonus = top_class && class && top_class[0] && strcmp(class, top_class) == 0
                               ? top_score * 0.2
                               : 0;
            if (c && c->score + bonus >= threshold) {
                append = true;
            } else if (ex_is(s, "p")) {
                struct measure m;
                measure(s, &m);
                double density = m.length > 0 ? m.link_length / m.length : 0;
                if (m.length > 80 && density < 0.25) {
                    append = true;
                } else if (m.length > 0 && m.length <= 80 && density == 0) {
                    char *text = ex_text_dup(s);
                    append = ends_sentence(text);
                    free(text);
                }
            }
        }
        if (append)
            push_node(&keep, &nkeep, &keep_size, s);
        if (!parent)
            break;
    }
    for (size_t i = 0; i < nkeep; i++) {
        xmlUnlinkNode(keep[i]);
        xmlAddChild(article, keep[i]);
    }
    free(keep);
    return article;
}

/* --- the article's cleaning ------------------------------------------- */

static bool inside(const xmlNode *n, const xmlNode *article)
{
    for (; n; n = n->parent)
        if (n == article)
            return true;
    return false;
}

static bool video_embed(const xmlNode *n)
{
    static const char *const hosts[] = {"youtube.com", "youtube-nocookie.com", "youtu.be",
                                        "vimeo.com",   "dailymotion.com",      "player.",
                                        "twitch.tv",   "archive.org",          NULL};
    const char *src = ex_attr(n, "src");
    if (!src)
        return false;
    for (const char *const *h = hosts; *h; h++)
        if (strstr(src, *h))
            return true;
    return false;
}

/* Counts of what a block holds, for the boilerplate rules. */
struct census {
    size_t p, img, li, input, embeds;
    double heading_length, list_length;
};

static void take_census(const xmlNode *block, struct census *c)
{
    memset(c, 0, sizeof *c);
    for (xmlNode *d = ex_next(block, block, true); d;) {
        bool descend = true;
        if (d->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)d->name;
            if (strcmp(name, "p") == 0)
                c->p++;
            else if (strcmp(name, "img") == 0)
                c->img++;
            else if (strcmp(name, "li") == 0)
                c->li++;
            else if (strcmp(name, "input") == 0)
                c->input++;
            else if ((strcmp(name, "iframe") == 0 || strcmp(name, "video") == 0) && !video_embed(d))
                c->embeds++;
            if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
                c->heading_length += text_length(d);
                descend = false;
            } else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
                c->list_length += text_length(d);
                descend = false;
            }
        }
        d = ex_next(d, block, descend);
    }
}

/* Whether a table holds data (rather than laying out the page). */
static bool data_table(const xmlNode *table)
{
    const char *role = ex_attr(table, "role");
    if (role && strcmp(role, "presentation") == 0)
        return false;
    const char *datatable = ex_attr(table, "datatable");
    if (datatable && strcmp(datatable, "0") == 0)
        return false;
    if (ex_attr(table, "summary"))
        return true;
    size_t rows = 0, columns = 0, cells = 0;
    for (xmlNode *d = ex_next(table, table, true); d; d = ex_next(d, table, true)) {
        if (d->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)d->name;
        if (ex_name_in(name, (const char *const[]){"caption", "col", "colgroup", "tfoot", "thead",
                                                   "th", NULL}))
            return true;
        if (strcmp(name, "table") == 0)
            return false;
        if (strcmp(name, "tr") == 0) {
            rows++;
            cells = 0;
        } else if (strcmp(name, "td") == 0 && ++cells > columns) {
            columns = cells;
        }
    }
    return rows >= 10 || columns > 4 || rows * columns > 10;
}

static bool in_data_table(const xmlNode *n)
{
    for (n = n->parent; n; n = n->parent)
        if (ex_is(n, "table") && data_table(n))
            return true;
    return false;
}

/* Whether a block of the article looks like boilerplate: a negative class,
 * or few commas and too many links, images, list items, inputs or embeds
 * for its text. */
static bool boilerplate(const struct attempt *at, const xmlNode *n)
{
    if (ex_is(n, "table") && data_table(n))
        return false;
    if (has_ancestor(n, "code", -1) || has_ancestor(n, "pre", -1) || in_data_table(n))
        return false;
    int weight = (at->flags & WEIGHT_CLASSES) ? class_weight(n) : 0;
    if (weight < 0)
        return true;
    struct measure m;
    measure(n, &m);
    if (m.commas >= 10)
        return false;
    struct census c;
    take_census(n, &c);
    bool list =
        ex_is(n, "ul") || ex_is(n, "ol") || (m.length > 0 && c.list_length / m.length > 0.9);
    double density = m.length > 0 ? m.link_length / m.length : 0;
    bool figure = has_ancestor(n, "figure", -1);
    double heading_density = m.length > 0 ? c.heading_length / m.length : 0;
    if (c.img > 1 && (double)c.p / (double)c.img < 0.5 && !figure)
        return true;
    if (!list && c.li > c.p + 100)
        return true;
    if (c.input > c.p / 3)
        return true;
    if (!list && heading_density < 0.9 && m.length < 25 && (c.img == 0 || c.img > 2) && !figure)
        return true;
    if (!list && weight < 25 && density > 0.2)
        return true;
    if (weight >= 25 && density > 0.5)
        return true;
    if ((c.embeds == 1 && m.length < 75) || c.embeds > 1)
        return true;
    return false;
}

static bool share_widget(const xmlNode *n)
{
    char class[256], id[256];
    lower_attr(n, "class", class, sizeof class);
    lower_attr(n, "id", id, sizeof id);
    return (strstr(class, "share") || strstr(id, "share")) && text_length(n) < 500;
}

/* Whether an element without text still shows something. */
static bool shows_something(const xmlNode *n)
{
    static const char *const media[] = {"img",    "iframe", "video", "audio", "picture",
                                        "object", "embed",  "hr",    "br",    NULL};
    if (ex_name_in((const char *)n->name, media))
        return true;
    for (const xmlNode *d = ex_next(n, n, true); d; d = ex_next(d, n, true))
        if (d->type == XML_ELEMENT_NODE && ex_name_in((const char *)d->name, media) &&
            !ex_is(d, "br"))
            return true;
    return text_length(n) > 0;
}

static void drop(xmlNode *n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/* Clean the article: forms' and pages' furniture, share widgets, headings
 * with negative hints, boilerplate blocks (innermost first) and empty
 * paragraphs. */
static void clean(struct attempt *at, xmlNode *article)
{
    static const char *const furniture[] = {"footer", "aside", "nav", NULL};
    static const char *const conditional[] = {"form", "fieldset", "table",   "ul",
                                              "ol",   "div",      "section", NULL};
    xmlNode **blocks = NULL;
    size_t nblocks = 0, size = 0;
    for (xmlNode *n = article->children; n;) {
        xmlNode *next = ex_next(n, article, false);
        if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            bool remove = ex_name_in(name, furniture) ||
                          (strcmp(name, "iframe") == 0 && !video_embed(n)) ||
                          ((strcmp(name, "h1") == 0 || strcmp(name, "h2") == 0) &&
                           (at->flags & WEIGHT_CLASSES) && class_weight(n) < 0) ||
                          (n->parent != article && share_widget(n));
            if (remove) {
                drop(n);
                n = next;
                continue;
            }
            if (ex_name_in(name, conditional))
                push_node(&blocks, &nblocks, &size, n);
        }
        n = ex_next(n, article, true);
    }
    if (at->flags & CLEAN_CONDITIONALLY)
        for (size_t i = nblocks; i-- > 0;)
            if (inside(blocks[i], article) && boilerplate(at, blocks[i]))
                drop(blocks[i]);
    /* empty paragraphs and blocks, innermost first */
    nblocks = 0;
    for (xmlNode *n = article->children; n; n = ex_next(n, article, true))
        if (ex_is(n, "p") || ex_is(n, "div") || ex_is(n, "section") || ex_is(n, "span"))
            push_node(&blocks, &nblocks, &size, n);
    for (size_t i = nblocks; i-- > 0;)
        if (!shows_something(blocks[i]))
            drop(blocks[i]);
    free(blocks);
}

/* --- the article's HTML ------------------------------------------------- */

static void add_escaped(struct fk_buf *out, const char *s, bool attribute)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fk_buf_adds(out, "&amp;");
            break;
        case '<':
            fk_buf_adds(out, "&lt;");
            break;
        case '>':
            fk_buf_adds(out, "&gt;");
            break;
        case '"':
            if (attribute) {
                fk_buf_adds(out, "&quot;");
                break;
            }
            /* fall through */
        default:
            fk_buf_addc(out, *s);
        }
    }
}

static void add_attribute(struct fk_buf *out, const char *name, const char *value)
{
    fk_buf_printf(out, " %s=\"", name);
    add_escaped(out, value, true);
    fk_buf_addc(out, '"');
}

/* An image's address: src, or where lazy loading keeps it. */
static const char *image_source(const xmlNode *img)
{
    static const char *const lazy[] = {"data-src", "data-original", "data-lazy-src", "data-url",
                                       NULL};
    const char *src = ex_attr(img, "src");
    if (src && src[0] && strncmp(src, "data:", 5) != 0)
        return src;
    for (const char *const *l = lazy; *l; l++)
        if (ex_attr(img, *l) && ex_attr(img, *l)[0])
            return ex_attr(img, *l);
    return src;
}

/* Whether an image's alt text says nothing to a reader: the image is
 * hidden from assistive technology (aria-hidden, role=presentation; then
 * the alt text is markup for another renderer, as TeX beside a formula),
 * or the alt text is a file name. */
static bool idle_alt(const xmlNode *img)
{
    static const char *const extensions[] = {".jpg",  ".jpeg", ".png", ".gif",
                                             ".webp", ".svg",  NULL};
    const char *aria = ex_attr(img, "aria-hidden");
    const char *role = ex_attr(img, "role");
    if ((aria && strcmp(aria, "true") == 0) || (role && strcmp(role, "presentation") == 0))
        return true;
    const char *alt = ex_attr(img, "alt");
    size_t len = alt ? strlen(alt) : 0;
    for (const char *const *e = extensions; *e; e++) {
        size_t n = strlen(*e);
        if (len > n && fk_ascii_equal_n(alt + len - n, *e, n) && !strchr(alt, ' '))
            return true;
    }
    return false;
}

static void open_tag(struct fk_buf *out, const xmlNode *n)
{
    static const char *const kept[] = {"href",    "alt",      "title", "lang", "colspan",
                                       "rowspan", "datetime", "start", "cite", NULL};
    fk_buf_printf(out, "<%s", (const char *)n->name);
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        const char *name = (const char *)a->name;
        const char *value = ex_attr(n, name);
        if (strcmp(name, "alt") == 0 && ex_is(n, "img") && idle_alt(n))
            continue;
        if (ex_name_in(name, kept) ||
            (strcmp(name, "class") == 0 && (ex_is(n, "pre") || ex_is(n, "code"))) ||
            (strcmp(name, "src") == 0 && !ex_is(n, "img")))
            add_attribute(out, name, value);
    }
    if (ex_is(n, "img") && image_source(n))
        add_attribute(out, "src", image_source(n));
    fk_buf_addc(out, '>');
}

/* The HTML of the article's content (without its own tag), written
 * without recursion. */
static void serialize(const xmlNode *article, struct fk_buf *out)
{
    static const char *const empty[] = {"br",  "img",  "hr",    "wbr", "source",
                                        "col", "area", "track", NULL};
    const xmlNode *n = article->children;
    while (n) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                add_escaped(out, (const char *)n->content, false);
        } else if (n->type == XML_ELEMENT_NODE) {
            open_tag(out, n);
            if (n->children && !ex_name_in((const char *)n->name, empty)) {
                n = n->children;
                continue;
            }
            if (!ex_name_in((const char *)n->name, empty))
                fk_buf_printf(out, "</%s>", (const char *)n->name);
        }
        /* next: a sibling, or close the parents being left */
        while (n && n != article && !n->next) {
            n = n->parent;
            if (n && n != article)
                fk_buf_printf(out, "</%s>", (const char *)n->name);
        }
        n = n && n != article ? n->next : NULL;
    }
}

/* --- the page ---------------------------------------------------------- */

/* What the first bytes of a page say it is when it is no HTML, or NULL. */
static const char *not_html(const unsigned char *b, size_t len)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } kinds[] = {
        {"%PDF-", 5, "a PDF document"},
        {"\x89PNG\r\n\x1a\n", 8, "a PNG image"},
        {"\xFF\xD8\xFF", 3, "a JPEG image"},
        {"GIF87a", 6, "a GIF image"},
        {"GIF89a", 6, "a GIF image"},
        {"BM", 2, NULL}, /* too short to tell alone */
        {"PK\x03\x04", 4, "a ZIP archive"},
        {"\x1F\x8B", 2, "gzip-compressed data"},
        {"\x00\x00\x01\x00", 4, "an icon"},
        {"OggS", 4, "an Ogg file"},
        {"ID3", 3, "an MP3 file"},
        {"\x7F"
         "ELF",
         4, "a program"},
    };
    for (size_t i = 0; i < COUNT(kinds); i++)
        if (kinds[i].what && len >= kinds[i].len && memcmp(b, kinds[i].magic, kinds[i].len) == 0)
            return kinds[i].what;
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "a WebP image";
    if (len >= 12 && memcmp(b + 4, "ftyp", 4) == 0)
        return "a video or image (ISO media)";
    return NULL;
}

/* Whether the page is UTF-8 with characters beyond ASCII: then it is read
 * as UTF-8 whatever it declares, as legacy text is almost never valid
 * UTF-8 by chance and pages saved again often keep a stale declaration.
 * A character cut at the end does not count against it. */
static bool plainly_utf8(const char *bytes, size_t len)
{
    size_t valid = fk_utf8_valid_prefix(bytes, len);
    if (valid + 4 < len)
        return false;
    for (size_t i = 0; i < valid; i++)
        if ((unsigned char)bytes[i] >= 0x80)
            return true;
    return false;
}

/* The page's tree, its charset from a byte order mark or <meta charset>
 * unless it is plainly UTF-8; libxml2's messages go nowhere. */
static xmlDoc *parse(const char *bytes, size_t len)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt)
        return NULL;
    struct fk_xml_quiet quiet;
    fk_xml_quiet_begin(&quiet);
    const char *encoding = plainly_utf8(bytes, len) ? "UTF-8" : NULL;
    xmlDoc *doc = htmlCtxtReadMemory(ctxt, bytes, (int)len, NULL, encoding, HTML_OPTIONS);
    fk_xml_quiet_end(&quiet);
    htmlFreeParserCtxt(ctxt);
    return doc;
}

static xmlNode *find_element(xmlNode *root, const char *name)
{
    for (xmlNode *n = root; n; n = ex_next(n, root, true))
        if (ex_is(n, name))
            return n;
    return NULL;
}

/* One attempt on doc (which it frees): the article's HTML into html, and
 * the length of its text. */
struct found {
    char *byline;  /* the text of an element that says who wrote it */
    char *excerpt; /* the text of the article's first paragraph */
};

static double run_attempt(xmlDoc *doc, int flags, const char *title, struct fk_buf *html,
                          struct found *found)
{
    struct attempt at = {0};
    at.flags = flags;
    at.title = title;
    xmlNode *root = xmlDocGetRootElement(doc);
    double length = 0;
    if (root)
        strip_page(root);
    at.body = root ? find_element(root, "body") : NULL;
    if (at.body) {
        prepare(&at);
        score(&at);
        xmlNode *article = gather(&at, top_candidate(&at));
        clean(&at, article);
        length = text_length(article);
        for (xmlNode *n = article; n && !found->excerpt; n = ex_next(n, article, true))
            if (ex_is(n, "p")) {
                char *text = ex_text_dup(n);
                if (text[0])
                    found->excerpt = text;
                else
                    free(text);
            }
        serialize(article, html);
        xmlFreeNode(article);
    }
    found->byline = at.byline;
    free(at.candidates);
    free(at.to_score);
    xmlFreeDoc(doc);
    return length;
}

/* JSON-LD's articleBody as paragraphs, for pages where nothing else is
 * found. */
static void body_as_html(const char *body, struct fk_buf *html)
{
    const char *p = body;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *raw = fk_xstrndup(p, len);
        char *line = ex_clean_line(raw);
        if (line) {
            fk_buf_adds(html, "<p>");
            add_escaped(html, line, false);
            fk_buf_adds(html, "</p>");
        }
        free(line);
        free(raw);
        p += len + (end ? 1 : 0);
    }
}

static char *base_of(xmlDoc *doc, const char *url)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *base = root ? find_element(root, "base") : NULL;
    const char *href = base ? ex_attr(base, "href") : NULL;
    if (href && href[0]) {
        char *resolved = fk_url_resolve(url, href);
        if (resolved && fk_url_is_absolute(resolved))
            return resolved;
        free(resolved);
    }
    return url && url[0] ? fk_xstrdup(url) : NULL;
}

int fk_extract_page(const char *bytes, size_t len, const char *url, struct fk_extract *out,
                    struct fk_error *err)
{
    memset(out, 0, sizeof *out);
    out->published = FK_TIME_NONE;
    if (!bytes)
        len = 0;
    const char *what = len ? not_html((const unsigned char *)bytes, len) : NULL;
    if (what)
        return fk_error_set(err, FK_ERROR_INPUT, "not an HTML page but %s", what);
    if (len > FK_EXTRACT_PAGE_MAX)
        len = FK_EXTRACT_PAGE_MAX;

    struct fk_buf html = FK_BUF_INIT;
    fk_buf_adds(&html, "");
    xmlDoc *doc = len ? parse(bytes, len) : NULL;
    char *article_body = NULL;
    if (doc) {
        out->base_url = base_of(doc, url);
        ex_read_metadata(doc, out->base_url, out, &article_body);
    } else {
        out->base_url = url && url[0] ? fk_xstrdup(url) : NULL;
    }
    int flags = STRIP_UNLIKELY | WEIGHT_CLASSES | CLEAN_CONDITIONALLY;
    double best = -1;
    while (doc) {
        struct fk_buf attempt = FK_BUF_INIT;
        fk_buf_adds(&attempt, "");
        struct found found = {0};
        double length = run_attempt(doc, flags, out->title, &attempt, &found);
        doc = NULL;
        if (length > best) {
            best = length;
            fk_buf_release(&html);
            html = attempt;
            if (!out->byline && found.byline)
                out->byline = ex_clean_line(found.byline);
            if (!out->excerpt && found.excerpt)
                out->excerpt = fk_xstrdup(found.excerpt);
        } else {
            fk_buf_release(&attempt);
        }
        free(found.byline);
        free(found.excerpt);
        if (length >= ENOUGH_TEXT || !flags)
            break;
        flags &= flags - 1; /* drop the first flag still set */
        doc = parse(bytes, len);
    }
    if (best <= 0 && article_body)
        body_as_html(article_body, &html);
    free(article_body);
    out->html = fk_buf_detach(&html);
    return 0;
}

void fk_extract_release(struct fk_extract *out)
{
    if (!out)
        return;
    free(out->title);
    free(out->byline);
    free(out->site_name);
    free(out->language);
    free(out->lead_image);
    free(out->excerpt);
    free(out->base_url);
    free(out->html);
    memset(out, 0, sizeof *out);
    out->published = FK_TIME_NONE;
}
