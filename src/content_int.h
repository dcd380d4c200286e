/* content_int.h - what the files of the content stage share, private to
 * them: the element table, the text helpers (content.c), the tree built
 * from the HTML (content_tree.c), the assets an article uses
 * (content_assets.c) and the plain-text renderer (content_text.c). Not part of the library's
 * interface. */
#ifndef FEEDKEEP_CONTENT_INT_H
#define FEEDKEEP_CONTENT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark.h>

#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* How deep the DOM walk recurses. Below this, elements still give their
 * text, paragraph breaks and code blocks, walked without recursion, so
 * hostile nesting cannot exhaust the stack. Real articles nest under 20. */
#define MAX_DEPTH 100

/* libxml2 parses; recovering keeps broken HTML usable; errors and warnings
 * are not reported anywhere, so nothing reaches stderr; no network. */
#define HTML_OPTIONS                                                                               \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT)

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* --- the element table (content.c) ----------------------------------------- */

enum kind {
    K_INLINE, /* transparent: its content flows on (span, sub, unknown tags) */
    K_BLOCK,  /* a paragraph boundary around its content (p, div, section) */
    K_HEADING,
    K_LIST,
    K_ITEM,
    K_QUOTE,
    K_PRE,
    K_HR,
    K_BR,
    K_EMPH,
    K_STRONG,
    K_CODE,
    K_LINK,
    K_IMAGE,
    K_TAGGED, /* inline with no CommonMark form (strikethrough, sub, sup):
               * its content between inline HTML tags in the Markdown */
    K_EMBED,  /* no CommonMark form: kept as an HTML block */
    K_DROP,   /* never shown: scripts, styles, form controls */
};

struct element {
    const char *name;
    enum kind kind;
    int level;         /* K_HEADING: 1-6; K_LIST: a cmark_list_type */
    const char *label; /* K_EMBED: the word of the text placeholder, NULL for tables;
                        * K_TAGGED: the tag written in the Markdown */
    bool wrap;         /* K_EMBED: CommonMark starts an HTML block only at known
                        * block tags (spec 4.6, condition 6), so wrap in a div */
};

/* The table entry found last. libxml2's HTML parser gives each node a copy
 * of its name, so names are compared: the thousands of <span>s of
 * highlighted code then cost one comparison each, not a search. */
struct lookup {
    const struct element *element;
};

const char *content_node_name(const xmlNode *node);

/* The value of an attribute, pointing into the tree, or NULL when absent.
 * A boolean attribute (<video controls>) gives "". */
const char *content_attr(const xmlNode *node, const char *name);

/* Find a token in a space-separated list (a class attribute). Returns a
 * pointer to it, or NULL. With prefix, tokens need only start with token. */
const char *content_find_token(const char *list, const char *token, bool prefix, size_t *len);

/* What an element does, from the table and, for a block, its class; the
 * table's entry in *out when out is not NULL (NULL for unknown elements). */
enum kind content_kind_of(const xmlNode *node, struct lookup *cache, const struct element **out);
bool content_is_block_kind(enum kind kind);
bool content_is_block_element(const xmlNode *node, struct lookup *cache);

/* The next node of an iterative walk through the subtree of top in
 * document order, once node's children are done or skipped; NULL when
 * the walk is back at top. *blocks_left grows by the block elements below
 * top that were left on the way, whose ends the caller marks. */
const xmlNode *content_next_node(const xmlNode *node, const xmlNode *top, struct lookup *cache,
                                 int *blocks_left);

/* --- text helpers (content.c) ---------------------------------------------- */

/* How text scanning treats each byte. Control characters mean nothing on a
 * page and are dropped; 0xC2 may start a no-break space (C2 A0), which the
 * text treats as an ordinary space. */
enum byte_class { B_TEXT, B_END, B_SPACE, B_CR, B_CONTROL, B_C2 };
enum text_mode { TEXT_RAW, TEXT_COLLAPSED };

enum byte_class content_class_at(const unsigned char *p);

/* Length of the white space at p, 0 if none. */
size_t content_space_at(const unsigned char *p);

/* Append s laid out as a browser does ordinary text: runs of white space
 * become one space, written only when more text follows (*space carries
 * the pending space between calls) and never before out->data[start]. */
void content_append_collapsed(struct fk_buf *out, size_t start, const char *s, bool *space);

/* Append the text of a subtree as a page shows it. Line breaks and block
 * elements separate; dropped elements give nothing. Iterative, so the depth
 * of the tree does not matter. */
void content_collect_text(const xmlNode *top, struct fk_buf *out, enum text_mode mode);

/* A collapsed copy of s (an attribute value), trimmed. Free with free. */
char *content_collapse(const char *s);

/* The text form of a table: a line per row, cells split by " | ". Free
 * with free. */
char *content_table_note(const xmlNode *table);

/* "[video: URL]": where an embed points, from its src or its first
 * <source>. Free with free. */
char *content_media_note(const xmlNode *node, const char *label);

/* The text form of an HTML block read back from our Markdown: the note of
 * its first table or embed, as when it was made; NULL for anything else.
 * Free with free. */
char *content_html_block_note(const char *html);

/* Append pointer to a growing array of *count pointers. */
void content_push_pointer(void ***array, size_t *count, size_t *cap, void *pointer);

/* --- the tree (content_tree.c) ---------------------------------------------- */

/* The cmark document of the nodes of dom (NULL: an empty document), links
 * and images resolved against base_url. The text forms of its HTML blocks
 * are their nodes' user data, owned by the caller through *notes (*nnotes
 * strings): free each and the array with free, then the document with
 * cmark_node_free. */
cmark_node *content_tree_build(xmlDoc *dom, const char *base_url, void ***notes, size_t *nnotes);

/* Whether a URL runs code or carries data (javascript:, vbscript:, data:,
 * read as a browser reads a scheme): such links and images are reduced to
 * their text. */
bool content_unsafe_url(const char *url);

/* The destination of a link or image as the Markdown writes it: ref
 * resolved against base_url, tabs and line ends dropped, spaces and other
 * control characters percent-encoded. Free with free. */
char *content_link_destination(const char *base_url, const char *ref);

/* An <img> 1x1 or with no area (width or height 0): a tracking pixel,
 * neither shown nor kept. */
bool content_is_tracking_pixel(const xmlNode *img);

/* --- the assets (content_assets.c) ------------------------------------------ */

/* The assets the nodes of dom use, into out->assets (see content.h);
 * in_markdown is left false. NULL dom lists none. */
void content_collect_assets(const xmlDoc *dom, const char *base_url, struct fk_content *out);

/* Mark the assets of out whose URL is the destination of an image of doc. */
void content_mark_linked_assets(cmark_node *doc, struct fk_content *out);

/* --- the plain-text renderer (content_text.c) ------------------------------- */

/* The text of a document, wrapped at width (0: not wrapped); the code
 * blocks go to *blocks and *nblocks when blocks is not NULL (free with
 * content_free_code_blocks). Free the text with free. */
char *content_render_document(cmark_node *doc, int width, struct fk_code_block **blocks,
                              size_t *nblocks);
void content_free_code_blocks(struct fk_code_block *blocks, size_t count);

/* The tree doc written as CommonMark: byte for byte what
 * cmark_render_commonmark(doc, CMARK_OPT_DEFAULT, 0) of cmark 0.30 writes
 * (width 0: no wrapping), in a fraction of its time. Like cmark, it joins
 * the text nodes of a link it checks for an autolink. Free with free. */
char *content_markdown(cmark_node *doc);
/* The longest run of backticks in s. */
size_t content_longest_backticks(const char *s);

#endif
