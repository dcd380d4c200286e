/* content_markdown.c - the article tree written as CommonMark.
 *
 * The Markdown an archive keeps is what cmark's CommonMark writer makes of
 * the tree (cmark_render_commonmark with the default options and no
 * wrapping), byte for byte, so that an archive holds the same Markdown
 * whichever of the two wrote it. cmark's writer handles one character at a
 * time: it decodes it, asks whether it needs escaping and appends it, about
 * two hundred instructions a character, a fifth of an import. This one
 * copies in one step the runs of characters that need nothing done, and
 * does character by character only what those rules look at: the start of
 * a line, the start of a block's content, a character CommonMark would
 * read as markup, and bytes of UTF-8.
 *
 * The rules, as cmark 0.30 applies them:
 *   - Blocks end with a line break or a blank line that is only written
 *     when something follows (need_cr), and lines inside block quotes and
 *     list items start with their prefix ("> ", the item's indentation).
 *   - In text, ASCII control characters become numeric references and
 *     * _ [ ] # < > \ ` ! become backslash escapes, as do & before a
 *     letter, and - + = or a digit's . ) where a line's content begins;
 *     URLs escape ` < > \ ( ) and write spaces as %XX, titles escape
 *     ` < > " \.
 *   - A string stops at its first invalid UTF-8 sequence; U+FFFE and
 *     U+FFFF are written as the single bytes FE and FF.
 * unit.markdown compares the two writers on trees of every kind and the
 * fuzzer fuzz_markdown on arbitrary HTML.
 */
#include <stdio.h>
#include <string.h>

#include "content_int.h"

struct out {
    char *data;
    size_t len, cap;
};

static void out_add(struct out *o, const void *data, size_t len)
{
    if (o->cap - o->len <= len) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap - o->len <= len)
            cap *= 2;
        o->data = fk_xrealloc(o->data, cap);
        o->cap = cap;
    }
    memcpy(o->data + o->len, data, len);
    o->len += len;
}

static void out_addc(struct out *o, char c)
{
    out_add(o, &c, 1);
}

enum escape { LITERAL, NORMAL, URL, TITLE };

struct writer {
    struct out buf;
    struct out prefix;  /* what each line inside the current blocks starts with */
    int need_cr;        /* 1: a line break before what comes next, 2: a blank line */
    bool begin_line;    /* nothing written on this line yet, not even its prefix */
    bool begin_content; /* at the start of a block's content, past digits only */
    bool no_linebreaks; /* inside a heading: soft breaks are spaces */
    bool in_tight_item; /* blank lines between blocks become line breaks */
};

static bool is_space(unsigned c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_punct(unsigned c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

/* The bytes a run copied in one step stops at, for each escape: the ones
 * the rules look at, and every byte of multibyte UTF-8 (checked). */
static bool stops[4][256];

static void init_stops(void)
{
    static bool done;
    if (done)
        return;
    for (unsigned c = 0x80; c < 256; c++)
        for (int e = LITERAL; e <= TITLE; e++)
            stops[e][c] = true;
    stops[LITERAL]['\n'] = true;
    for (unsigned c = 0; c < 0x20; c++)
        stops[NORMAL][c] = true;
    for (const char *p = "*_[]#<>\\`!&"; *p; p++)
        stops[NORMAL][(unsigned char)*p] = true;
    for (const char *p = "`<>\\)( \t\n\v\f\r"; *p; p++)
        stops[URL][(unsigned char)*p] = true;
    for (const char *p = "`<>\"\\"; *p; p++)
        stops[TITLE][(unsigned char)*p] = true;
    done = true;
}

/* The code point at s (n bytes left): its length, or -1 when it is not
 * valid UTF-8 (RFC 3629). */
static int decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    int len = c < 0x80 ? 1 : c < 0xC0 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 0;
    if (!len || (size_t)len > n)
        return -1;
    if (len == 1) {
        *cp = c;
        return 1;
    }
    unsigned v = c & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && v < 0x80) || (len == 3 && (v < 0x800 || (v >= 0xD800 && v < 0xE000))) ||
        (len == 4 && (v < 0x10000 || v >= 0x110000)))
        return -1;
    *cp = v;
    return len;
}

/* A valid code point as cmark writes it: its own bytes, but U+FFFE and
 * U+FFFF as one byte each. */
static void put_code_point(struct writer *w, const char *s, int len, unsigned cp)
{
    if (cp == 0xFFFE || cp == 0xFFFF)
        out_addc(&w->buf, (char)(cp & 0xFF));
    else
        out_add(&w->buf, s, (size_t)len);
}

/* One character that is not copied in a run; nextc is the byte after it. */
static void put_char(struct writer *w, const char *s, int len, unsigned cp, unsigned char nextc,
                     enum escape esc)
{
    if (esc == LITERAL || cp >= 0x80) {
        put_code_point(w, s, len, cp);
        return;
    }
    bool follows_digit = w->buf.len > 0 && is_digit((unsigned char)w->buf.data[w->buf.len - 1]);
    bool escape;
    if (esc == NORMAL)
        escape = cp < 0x20 || strchr("*_[]#<>\\`!", (int)cp) || (cp == '&' && is_alpha(nextc)) ||
                 (w->begin_content && (cp == '-' || cp == '+' || cp == '=') && !follows_digit) ||
                 (w->begin_content && (cp == '.' || cp == ')') && follows_digit &&
                  (nextc == 0 || is_space(nextc)));
    else if (esc == URL)
        escape = strchr("`<>\\)(", (int)cp) || is_space(cp);
    else
        escape = strchr("`<>\"\\", (int)cp) != NULL;
    /* strchr finds the terminating NUL too, but cp is never 0 here */
    if (!escape) {
        out_addc(&w->buf, (char)cp);
        return;
    }
    char enc[16];
    if (esc == URL && is_space(cp))
        snprintf(enc, sizeof enc, "%%%2X", cp); /* cmark's: a space-padded width */
    else if (is_punct(cp))
        snprintf(enc, sizeof enc, "\\%c", (char)cp);
    else
        snprintf(enc, sizeof enc, "&#%u;", cp);
    out_add(&w->buf, enc, strlen(enc));
}

/* Write the line breaks owed: one for each level of need_cr, less those
 * the output already ends with; the prefix goes on a blank line. */
static void flush_cr(struct writer *w)
{
    if (w->in_tight_item && w->need_cr > 1)
        w->need_cr = 1;
    size_t k = w->buf.len;
    while (w->need_cr) {
        if (k == 0 || w->buf.data[k - 1] == '\n') {
            if (k)
                k--;
        } else {
            out_addc(&w->buf, '\n');
            if (w->need_cr > 1)
                out_add(&w->buf, w->prefix.data, w->prefix.len);
        }
        w->begin_line = true;
        w->begin_content = true;
        w->need_cr--;
    }
}

/* Write s with the escape esc. */
static void put(struct writer *w, const char *s, enum escape esc)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    flush_cr(w);
    size_t i = 0;
    while (i < n) {
        if (!w->begin_line && !w->begin_content) {
            size_t j = i;
            while (j < n && !stops[esc][u[j]])
                j++;
            out_add(&w->buf, s + i, j - i);
            i = j;
            if (i == n)
                break;
        }
        if (w->begin_line)
            out_add(&w->buf, w->prefix.data, w->prefix.len);
        unsigned cp;
        int len = decode(u + i, n - i, &cp);
        if (len < 0)
            return; /* as cmark does: the rest of the string is not written */
        if (esc == LITERAL && cp == '\n') {
            out_addc(&w->buf, '\n');
            w->begin_line = true;
            w->begin_content = true;
        } else {
            put_char(w, s + i, len, cp, u[i + (size_t)len], esc);
            w->begin_line = false;
            /* cmark tests the code point's low byte */
            w->begin_content = w->begin_content && is_digit(cp & 0xFF);
        }
        i += (size_t)len;
    }
}

static void lit(struct writer *w, const char *s)
{
    put(w, s, LITERAL);
}

static void cr(struct writer *w)
{
    if (w->need_cr < 1)
        w->need_cr = 1;
}

static void blank_line(struct writer *w)
{
    if (w->need_cr < 2)
        w->need_cr = 2;
}

static bool is_block(cmark_node *node)
{
    cmark_node_type type = cmark_node_get_type(node);
    return type >= CMARK_NODE_FIRST_BLOCK && type <= CMARK_NODE_LAST_BLOCK;
}

/* Whether node is in a tight list item: its block (or the block's parent)
 * is an item of a tight list. */
static bool in_tight_item(cmark_node *node)
{
    while (node && !is_block(node))
        node = cmark_node_parent(node);
    if (!node)
        return false;
    if (cmark_node_get_type(node) == CMARK_NODE_ITEM &&
        cmark_node_get_list_tight(cmark_node_parent(node)))
        return true;
    cmark_node *parent = cmark_node_parent(node);
    return parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
           cmark_node_get_list_tight(cmark_node_parent(parent));
}

/* A URL scheme and its colon at the start of url: a letter, then 1 to 31
 * letters, digits, '.', '+' or '-'. */
static bool has_scheme(const char *url)
{
    if (!is_alpha((unsigned char)url[0]))
        return false;
    size_t n = 1;
    while (n <= 32 && (is_alpha((unsigned char)url[n]) || is_digit((unsigned char)url[n]) ||
                       url[n] == '.' || url[n] == '+' || url[n] == '-'))
        n++;
    return n >= 2 && n <= 32 && url[n] == ':';
}

/* What cmark gives for a literal it holds as none (its empty literals):
 * told apart from the empty string its joining of empty text nodes leaves,
 * a string of its own, which is not none. */
static const char *no_literal(void)
{
    static const char *none;
    static bool known;
    if (!known) {
        cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
        none = cmark_node_get_literal(text);
        cmark_node_free(text);
        known = true;
    }
    return none;
}

/* A link written <url>: an absolute URL, no title, and its text the URL
 * (for mailto:, the address). Its text nodes are joined first, as cmark
 * joins them. */
static bool is_autolink(cmark_node *node)
{
    if (cmark_node_get_type(node) != CMARK_NODE_LINK)
        return false;
    const char *url = cmark_node_get_url(node);
    const char *title = cmark_node_get_title(node);
    cmark_node *text = cmark_node_first_child(node);
    if (!has_scheme(url) || title[0] || !text)
        return false;
    cmark_consolidate_text_nodes(text);
    if (strncmp(url, "mailto:", 7) == 0)
        url += 7;
    /* a literal held as none matches no URL, not even an empty one */
    const char *literal = cmark_node_get_literal(text);
    return literal && literal != no_literal() && strcmp(url, literal) == 0;
}

size_t content_longest_backticks(const char *s)
{
    size_t longest = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

/* The fewest backticks that do not occur as a run in s (at most 32). */
static size_t unused_backticks(const char *s)
{
    unsigned long used = 1;
    size_t run = 0;
    for (;; s++) {
        if (*s == '`') {
            run++;
            continue;
        }
        if (run > 0 && run < 32)
            used |= 1UL << run;
        run = 0;
        if (!*s)
            break;
    }
    size_t n = 0;
    while (n < 32 && (used & 1)) {
        used >>= 1;
        n++;
    }
    return n;
}

static void repeat(struct writer *w, const char *s, size_t n)
{
    while (n--)
        lit(w, s);
}

static void item_marker(cmark_node *item, char *marker, size_t size)
{
    cmark_node *list = cmark_node_parent(item);
    if (cmark_node_get_list_type(list) == CMARK_BULLET_LIST) {
        snprintf(marker, size, "  - ");
        return;
    }
    int number = cmark_node_get_list_start(list);
    for (cmark_node *n = cmark_node_previous(item); n; n = cmark_node_previous(n))
        number++;
    snprintf(marker, size, "%d%s%s", number,
             cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ")" : ".",
             number < 10 ? "  " : " ");
}

static void code_block(struct writer *w, cmark_node *node)
{
    cmark_node *parent = cmark_node_parent(node);
    if (cmark_node_previous(node) || !parent || cmark_node_get_type(parent) != CMARK_NODE_ITEM)
        blank_line(w);
    const char *info = cmark_node_get_fence_info(node);
    const char *code = cmark_node_get_literal(node);
    const char *fence = strchr(info, '`') ? "~" : "`";
    size_t ticks = content_longest_backticks(code) + 1;
    if (ticks < 3)
        ticks = 3;
    repeat(w, fence, ticks);
    lit(w, " ");
    lit(w, info);
    cr(w);
    lit(w, code);
    cr(w);
    repeat(w, fence, ticks);
    blank_line(w);
}

static void inline_code(struct writer *w, cmark_node *node)
{
    const char *code = cmark_node_get_literal(node);
    size_t len = strlen(code);
    size_t ticks = unused_backticks(code);
    bool nonspace = code[strspn(code, " ")] != '\0';
    bool pad = len == 0 || code[0] == '`' || code[len - 1] == '`' ||
               (nonspace && code[0] == ' ' && code[len - 1] == ' ');
    repeat(w, "`", ticks);
    if (pad)
        lit(w, " ");
    lit(w, code);
    if (pad)
        lit(w, " ");
    repeat(w, "`", ticks);
}

/* The destination and title of a link or image, at its end. */
static void link_end(struct writer *w, cmark_node *node)
{
    lit(w, "](");
    put(w, cmark_node_get_url(node), URL);
    const char *title = cmark_node_get_title(node);
    if (title[0]) {
        lit(w, " \"");
        put(w, title, TITLE);
        lit(w, "\"");
    }
    lit(w, ")");
}

/* One event of the walk; false to skip the node's contents (an autolink). */
static bool write_node(struct writer *w, cmark_node *node, bool entering)
{
    cmark_node_type type = cmark_node_get_type(node);
    if (!(type == CMARK_NODE_ITEM && !cmark_node_previous(node) && entering))
        w->in_tight_item = in_tight_item(node);
    char marker[32];
    switch (type) {
    case CMARK_NODE_BLOCK_QUOTE:
        if (entering) {
            lit(w, "> ");
            w->begin_content = true;
            out_add(&w->prefix, "> ", 2);
        } else {
            w->prefix.len -= 2;
            blank_line(w);
        }
        break;
    case CMARK_NODE_LIST:
        if (!entering && cmark_node_next(node) &&
            cmark_node_get_type(cmark_node_next(node)) == CMARK_NODE_LIST) {
            cr(w);
            lit(w, "<!-- end list -->");
            blank_line(w);
        }
        break;
    case CMARK_NODE_ITEM:
        item_marker(node, marker, sizeof marker);
        if (entering) {
            lit(w, marker);
            w->begin_content = true;
            for (size_t i = strlen(marker); i; i--)
                out_addc(&w->prefix, ' ');
        } else {
            w->prefix.len -= strlen(marker);
            cr(w);
        }
        break;
    case CMARK_NODE_HEADING:
        if (entering) {
            repeat(w, "#", (size_t)cmark_node_get_heading_level(node));
            lit(w, " ");
            w->begin_content = true;
            w->no_linebreaks = true;
        } else {
            w->no_linebreaks = false;
            blank_line(w);
        }
        break;
    case CMARK_NODE_CODE_BLOCK:
        code_block(w, node);
        break;
    case CMARK_NODE_HTML_BLOCK:
        blank_line(w);
        lit(w, cmark_node_get_literal(node));
        blank_line(w);
        break;
    case CMARK_NODE_CUSTOM_BLOCK:
        blank_line(w);
        lit(w, entering ? cmark_node_get_on_enter(node) : cmark_node_get_on_exit(node));
        blank_line(w);
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        blank_line(w);
        lit(w, "-----");
        blank_line(w);
        break;
    case CMARK_NODE_PARAGRAPH:
        if (!entering)
            blank_line(w);
        break;
    case CMARK_NODE_TEXT:
        put(w, cmark_node_get_literal(node), NORMAL);
        break;
    case CMARK_NODE_LINEBREAK:
        lit(w, "  ");
        cr(w);
        break;
    case CMARK_NODE_SOFTBREAK:
        if (w->no_linebreaks)
            lit(w, " ");
        else
            cr(w);
        break;
    case CMARK_NODE_CODE:
        inline_code(w, node);
        break;
    case CMARK_NODE_HTML_INLINE:
        lit(w, cmark_node_get_literal(node));
        break;
    case CMARK_NODE_CUSTOM_INLINE:
        lit(w, entering ? cmark_node_get_on_enter(node) : cmark_node_get_on_exit(node));
        break;
    case CMARK_NODE_STRONG:
        lit(w, "**");
        break;
    case CMARK_NODE_EMPH: {
        /* *_x_*: **x** would be strong */
        cmark_node *parent = cmark_node_parent(node);
        bool inner = parent && cmark_node_get_type(parent) == CMARK_NODE_EMPH &&
                     !cmark_node_next(node) && !cmark_node_previous(node);
        lit(w, inner ? "_" : "*");
        break;
    }
    case CMARK_NODE_LINK:
        if (is_autolink(node)) {
            if (entering) {
                const char *url = cmark_node_get_url(node);
                lit(w, "<");
                lit(w, strncmp(url, "mailto:", 7) == 0 ? url + 7 : url);
                lit(w, ">");
                return false;
            }
        } else if (entering) {
            lit(w, "[");
        } else {
            link_end(w, node);
        }
        break;
    case CMARK_NODE_IMAGE:
        if (entering)
            lit(w, "![");
        else
            link_end(w, node);
        break;
    default:
        break;
    }
    return true;
}

char *content_markdown(cmark_node *doc)
{
    init_stops();
    struct writer w = {.begin_line = true, .begin_content = true};
    out_add(&w.prefix, "", 0);
    cmark_iter *iter = cmark_iter_new(doc);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (!write_node(&w, node, event == CMARK_EVENT_ENTER))
            cmark_iter_reset(iter, node, CMARK_EVENT_EXIT);
    }
    cmark_iter_free(iter);
    if (w.buf.len == 0 || w.buf.data[w.buf.len - 1] != '\n')
        out_addc(&w.buf, '\n');
    out_addc(&w.buf, '\0');
    free(w.prefix.data);
    return w.buf.data;
}
