/* content_text.c - the plain text of a cmark tree: the text of an article
 * as converted, and of Markdown read back from the archive, wrapped for a
 * terminal when asked.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "content_int.h"
#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "feedkeep/utf8.h"

/* --- the plain-text renderer ------------------------------------------------ */

enum separator { SEP_NONE, SEP_LINE, SEP_BLANK };

struct text_frame {
    size_t prefix_len; /* the prefix before this container */
    int number;        /* lists: the next item number */
};

struct marker {
    size_t pos; /* in the prefix */
    char text[16];
    size_t len;
};

struct text_renderer {
    struct fk_buf out;
    struct fk_buf prefix; /* starts every line: "> " for quotes, spaces for items */
    struct text_frame *frames;
    size_t nframes, frames_cap;
    /* Item markers ("- ", "2. ") waiting for their first line; several
     * when an item starts with a list. */
    struct marker *markers;
    size_t nmarkers, markers_cap;
    size_t line_start;
    size_t block_start; /* where the current block's output began */
    bool at_line_start;
    enum separator separator; /* what the next block needs before it */
    size_t separator_prefix;  /* the prefix a blank line takes */
    struct fk_code_block *code_blocks;
    size_t ncode_blocks, code_blocks_cap;
    int width; /* wrap paragraphs and headings at this many columns; 0: never */
    bool wrap; /* in a paragraph or heading: lines may be wrapped */
};

/* Start a line if none is started: the blank line the previous block asked
 * for (only now, so blocks that write nothing leave no gap), then the
 * prefix with any item markers over it. */
static void begin_line(struct text_renderer *r)
{
    if (!r->at_line_start)
        return;
    if (r->separator == SEP_BLANK && r->out.len) {
        (void)fk_buf_add(&r->out, r->prefix.data ? r->prefix.data : "", r->separator_prefix);
        fk_buf_rtrim(&r->out, " \t");
        (void)fk_buf_addc(&r->out, '\n');
    }
    r->separator = SEP_NONE;
    r->line_start = r->out.len;
    (void)fk_buf_add(&r->out, r->prefix.data ? r->prefix.data : "", r->prefix.len);
    if (r->out.len == r->line_start + r->prefix.len) {
        for (size_t i = 0; i < r->nmarkers; i++)
            memcpy(r->out.data + r->line_start + r->markers[i].pos, r->markers[i].text,
                   r->markers[i].len);
    }
    r->nmarkers = 0;
    r->at_line_start = false;
}

/* Break the line being ended at spaces so that its parts fit r->width
 * columns where the words allow; the parts after the first start with the
 * prefix, so list items keep their hanging indent and quotes their "> ". A
 * word wider than the width (a long URL) stays whole on a line of its own.
 * Only spaces break: text has no tabs or other white space. Columns are
 * counted as code points (a wide character counts one, a combining mark
 * one too: near enough for wrapping). */
static void wrap_line(struct text_renderer *r)
{
    size_t width = (size_t)r->width, lead = r->prefix.len;
    size_t start = r->line_start + lead;
    if (r->out.len <= r->line_start + width ||
        lead + fk_utf8_count(r->out.data + start, r->out.len - start) <= width)
        return;
    char *words = fk_xstrndup(r->out.data + start, r->out.len - start);
    r->out.len = start;
    size_t column = lead;
    bool first = true;
    for (const char *word = words;;) {
        while (*word == ' ')
            word++;
        if (!*word)
            break;
        size_t len = strcspn(word, " "), word_columns = fk_utf8_count(word, len);
        if (!first && column + 1 + word_columns > width) {
            (void)fk_buf_addc(&r->out, '\n');
            (void)fk_buf_add(&r->out, r->prefix.data, lead);
            column = lead;
        } else if (!first) {
            (void)fk_buf_addc(&r->out, ' ');
            column++;
        }
        (void)fk_buf_add(&r->out, word, len);
        column += word_columns;
        first = false;
        word += len;
    }
    free(words);
}

static void end_line(struct text_renderer *r)
{
    begin_line(r);
    fk_buf_rtrim(&r->out, " \t");
    if (r->wrap && r->width > 0)
        wrap_line(r);
    (void)fk_buf_addc(&r->out, '\n');
    r->at_line_start = true;
}

static void write_lines(struct text_renderer *r, const char *s)
{
    while (*s) {
        const char *end = strchr(s, '\n');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        begin_line(r);
        (void)fk_buf_add(&r->out, s, len);
        end_line(r);
        s += len + (end ? 1 : 0);
    }
}

/* Inline text. An image without alt text leaves the spaces around it side
 * by side, or one at the start of a line: the text shows one or none. */
static void write_inline(struct text_renderer *r, const char *s)
{
    begin_line(r);
    size_t content_start = r->line_start + r->prefix.len;
    if (*s == ' ' && (r->out.len <= content_start || r->out.data[r->out.len - 1] == ' '))
        s++;
    (void)fk_buf_adds(&r->out, s);
}

/* Code keeps its blank lines in the text, but not before its first line,
 * where they would only widen the gap above it. */
static const char *skip_blank_lines(const char *code)
{
    const char *line = code;
    for (const char *p = code; *p == ' ' || *p == '\t' || *p == '\n'; p++)
        if (*p == '\n')
            line = p + 1;
    return line;
}

static void start_block(struct text_renderer *r)
{
    if (!r->at_line_start)
        end_line(r);
    r->block_start = r->out.len;
}

/* A block that wrote nothing (a paragraph of an image without alt text)
 * leaves the separator asked for before it. */
static void end_block(struct text_renderer *r, enum separator separator)
{
    if (!r->at_line_start)
        end_line(r);
    if (r->out.len > r->block_start) {
        r->separator = separator;
        r->separator_prefix = r->prefix.len;
    }
}

static bool in_tight_item(cmark_node *node)
{
    cmark_node *parent = cmark_node_parent(node);
    return parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
           cmark_node_get_list_tight(cmark_node_parent(parent));
}

static void push_frame(struct text_renderer *r, int number)
{
    if (r->nframes == r->frames_cap) {
        r->frames_cap = r->frames_cap ? r->frames_cap * 2 : 16;
        r->frames = fk_xrealloc(r->frames, r->frames_cap * sizeof *r->frames);
    }
    r->frames[r->nframes].prefix_len = r->prefix.len;
    r->frames[r->nframes].number = number;
    r->nframes++;
}

static void pop_frame(struct text_renderer *r)
{
    r->nframes--;
    r->prefix.len = r->frames[r->nframes].prefix_len;
    if (r->prefix.data)
        r->prefix.data[r->prefix.len] = '\0';
    if (r->separator_prefix > r->prefix.len)
        r->separator_prefix = r->prefix.len;
}

static void enter_item(struct text_renderer *r, cmark_node *node)
{
    if (r->nmarkers == r->markers_cap) {
        r->markers_cap = r->markers_cap ? r->markers_cap * 2 : 8;
        r->markers = fk_xrealloc(r->markers, r->markers_cap * sizeof *r->markers);
    }
    struct marker *m = &r->markers[r->nmarkers++];
    cmark_node *list_node = cmark_node_parent(node);
    if (cmark_node_get_list_type(list_node) == CMARK_ORDERED_LIST && r->nframes)
        snprintf(m->text, sizeof m->text, "%d. ", r->frames[r->nframes - 1].number++);
    else
        snprintf(m->text, sizeof m->text, "- ");
    m->len = strlen(m->text);
    m->pos = r->prefix.len;
    push_frame(r, 0);
    for (size_t i = 0; i < m->len; i++)
        (void)fk_buf_addc(&r->prefix, ' ');
}

static void add_code_block(struct text_renderer *r, cmark_node *node)
{
    if (r->ncode_blocks == r->code_blocks_cap) {
        r->code_blocks_cap = r->code_blocks_cap ? r->code_blocks_cap * 2 : 8;
        r->code_blocks = fk_xrealloc(r->code_blocks, r->code_blocks_cap * sizeof *r->code_blocks);
    }
    struct fk_code_block *block = &r->code_blocks[r->ncode_blocks++];
    const char *info = cmark_node_get_fence_info(node);
    block->language = info && *info ? fk_xstrdup(info) : NULL;
    block->code = fk_xstrdup(cmark_node_get_literal(node));
    block->lines = 0;
    for (const char *p = block->code; *p; p++)
        block->lines += *p == '\n';
}

/* One pass over the tree gives the text and collects the code blocks. */
static void render_text(cmark_node *doc, struct text_renderer *r)
{
    cmark_iter *iter = cmark_iter_new(doc);
    cmark_event_type event;
    r->at_line_start = true;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        bool entering = event == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_BLOCK_QUOTE:
            if (entering) {
                push_frame(r, 0);
                (void)fk_buf_adds(&r->prefix, "> ");
            } else {
                pop_frame(r);
                r->separator = SEP_BLANK;
            }
            break;
        case CMARK_NODE_LIST:
            if (entering) {
                push_frame(r, cmark_node_get_list_start(node));
            } else {
                pop_frame(r);
                if (!in_tight_item(node))
                    r->separator = SEP_BLANK;
            }
            break;
        case CMARK_NODE_ITEM:
            if (entering) {
                enter_item(r, node);
            } else {
                if (r->nmarkers &&
                    r->markers[r->nmarkers - 1].pos == r->frames[r->nframes - 1].prefix_len) {
                    start_block(r); /* an item with nothing to show: its marker */
                    end_line(r);
                    end_block(r, SEP_LINE);
                }
                pop_frame(r);
            }
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (entering) {
                start_block(r);
                r->wrap = true;
            } else {
                end_block(r,
                          cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH && in_tight_item(node)
                              ? SEP_LINE
                              : SEP_BLANK);
                r->wrap = false;
            }
            break;
        case CMARK_NODE_CODE_BLOCK:
            start_block(r);
            write_lines(r, skip_blank_lines(cmark_node_get_literal(node)));
            end_block(r, SEP_BLANK);
            add_code_block(r, node);
            break;
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_CUSTOM_BLOCK: { /* a leaf, and a table with no children left */
            const char *note = cmark_node_get_user_data(node);
            if (note && *note && entering) {
                start_block(r);
                write_lines(r, note);
                end_block(r, SEP_BLANK);
            }
            break;
        }
        case CMARK_NODE_THEMATIC_BREAK:
            start_block(r);
            write_lines(r, "---");
            end_block(r, SEP_BLANK);
            break;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            write_inline(r, cmark_node_get_literal(node));
            break;
        case CMARK_NODE_SOFTBREAK:
            write_inline(r, " ");
            break;
        case CMARK_NODE_LINEBREAK:
            end_line(r);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(iter);
    fk_buf_rtrim(&r->out, " \t\n");
    if (r->out.len)
        (void)fk_buf_addc(&r->out, '\n');
}

void content_free_code_blocks(struct fk_code_block *blocks, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(blocks[i].language);
        free(blocks[i].code);
    }
    free(blocks);
}

/* The text of a document, wrapped at width (0: not wrapped); the code
 * blocks go to *blocks and *nblocks when blocks is not NULL. */
char *content_render_document(cmark_node *doc, int width, struct fk_code_block **blocks,
                              size_t *nblocks)
{
    struct text_renderer r;
    memset(&r, 0, sizeof r);
    fk_buf_init(&r.out, 0);
    fk_buf_init(&r.prefix, 0);
    r.width = width;
    render_text(doc, &r);
    if (blocks) {
        *blocks = r.code_blocks;
        *nblocks = r.ncode_blocks;
        r.code_blocks = NULL;
        r.ncode_blocks = 0;
    }
    fk_buf_release(&r.prefix);
    free(r.frames);
    free(r.markers);
    content_free_code_blocks(r.code_blocks, r.ncode_blocks);
    return fk_buf_detach(&r.out);
}
/* The plain text of a paragraph's inline content, a line per source line
 * (images give nothing, as in the text of their HTML), read as a pipe
 * table's cells. */
static void paragraph_lines(cmark_node *para, struct fk_buf *out)
{
    cmark_iter *iter = cmark_iter_new(para);
    cmark_event_type event;
    int skip = 0;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        cmark_node_type type = cmark_node_get_type(node);
        if (type == CMARK_NODE_IMAGE)
            skip += event == CMARK_EVENT_ENTER ? 1 : -1;
        else if (skip)
            continue;
        else if (type == CMARK_NODE_TEXT)
            (void)fk_buf_adds(out, cmark_node_get_literal(node));
        else if (type == CMARK_NODE_CODE) {
            /* A pipe table's "\|" is a "|", in code spans too. */
            for (const char *p = cmark_node_get_literal(node); *p; p++)
                if (!(p[0] == '\\' && p[1] == '|'))
                    (void)fk_buf_addc(out, *p);
        } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
            (void)fk_buf_addc(out, '\n');
    }
    cmark_iter_free(iter);
}

/* The note of a paragraph that is a pipe table as write_tables writes them
 * (CommonMark reads one as a paragraph): its rows without the delimiter
 * row, cells split by " | ", as table_note gives them; NULL when the
 * paragraph is not one. */
static char *pipe_table_note(cmark_node *para)
{
    struct fk_buf text = FK_BUF_INIT, note = FK_BUF_INIT;
    paragraph_lines(para, &text);
    const char *line = text.data ? text.data : "";
    bool table = line[0] == '|';
    for (int n = 0; table && *line; n++) {
        size_t len = strcspn(line, "\n");
        table = line[0] == '|';
        if (n == 1) {
            table = table && len == strspn(line, "|-: ") && memchr(line, '-', len);
        } else if (table) {
            size_t start = note.len;
            (void)fk_buf_add(&note, line + 1, len - 1);
            fk_buf_rtrim(&note, " |");
            size_t lead = strspn(note.data + start, " ");
            memmove(note.data + start, note.data + start + lead, note.len - start - lead);
            note.len -= lead;
            note.data[note.len] = '\0';
            (void)fk_buf_addc(&note, '\n');
        }
        table = table && (n > 0 || line[len] == '\n');
        line += len + (line[len] == '\n');
    }
    fk_buf_release(&text);
    if (!table) {
        fk_buf_release(&note);
        return NULL;
    }
    fk_buf_rtrim(&note, "\n");
    return fk_buf_detach(&note);
}

char *fk_content_markdown_to_text(const char *markdown, int width)
{
    const char *md = markdown ? markdown : "";
    cmark_node *doc = cmark_parse_document(md, strlen(md), CMARK_OPT_DEFAULT);
    void **notes = NULL, **paragraphs = NULL;
    size_t nnotes = 0, notes_cap = 0, nparagraphs = 0, paragraphs_cap = 0;
    cmark_iter *iter = cmark_iter_new(doc);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (event == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH)
            content_push_pointer(&paragraphs, &nparagraphs, &paragraphs_cap, node);
        if (cmark_node_get_type(node) != CMARK_NODE_HTML_BLOCK)
            continue;
        char *note = content_html_block_note(cmark_node_get_literal(node));
        if (note) {
            content_push_pointer(&notes, &nnotes, &notes_cap, note);
            cmark_node_set_user_data(node, note);
        }
    }
    cmark_iter_free(iter);
    /* Pipe tables become blocks showing their note, as when they were
     * made. */
    for (size_t i = 0; i < nparagraphs; i++) {
        char *note = pipe_table_note(paragraphs[i]);
        if (!note)
            continue;
        cmark_node *block = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        content_push_pointer(&notes, &nnotes, &notes_cap, note);
        cmark_node_set_user_data(block, note);
        if (cmark_node_replace(paragraphs[i], block))
            cmark_node_free(paragraphs[i]);
        else
            cmark_node_free(block);
    }
    free(paragraphs);
    char *text = content_render_document(doc, width < 0 ? 0 : width, NULL, NULL);
    for (size_t i = 0; i < nnotes; i++)
        free(notes[i]);
    free(notes);
    cmark_node_free(doc);
    return text;
}
