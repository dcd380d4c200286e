/* content.h - the content stage: article HTML to text, Markdown and code.
 *
 * The HTML is parsed into one document tree (a CommonMark node tree); the
 * plain text, the Markdown and the code blocks are all derived from that one
 * tree, so they always agree.
 */
#ifndef FEEDKEEP_CONTENT_H
#define FEEDKEEP_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "feedkeep/error.h"

/* The most HTML one article may have; more is refused as hostile input. */
#define FK_CONTENT_HTML_LIMIT ((size_t)16 << 20)

/* The most elements, attributes and comments (counted in the HTML) one
 * article may have to be converted as a document tree. Each costs some
 * hundreds of bytes in libxml2's tree and the cmark tree: without a bound,
 * 8 MB of <p>x took 1.2 GB. Real articles stay far below (a long post
 * with highlighted code has a few thousand); past it the article is
 * converted as plain text, in memory that follows its text. */
#define FK_CONTENT_NODES_MAX 100000

/* A <pre> of the article, in document order: its text as a browser shows it
 * (markup stripped, entities decoded, white space and blank lines kept, the
 * line end right after <pre> dropped, no-break spaces made plain, trailing
 * white space cut to one "\n"). A <pre> of only white space is no block. */
struct fk_code_block {
    char *language; /* lower case, or NULL when the HTML names none */
    char *code;     /* exact text, ends with "\n" unless empty */
    size_t lines;   /* number of lines (of "\n") in code */
};

/* The most assets one article lists; past this many distinct URLs the
 * rest are left out (a thousand <img> in one article is hostile input). */
#define FK_CONTENT_ASSETS_MAX 1000

/* What an asset is to the article. Callers keep video and audio only when
 * asked to. */
enum fk_asset_kind {
    FK_ASSET_IMAGE = 0, /* <img>, <picture><source> */
    FK_ASSET_POSTER,    /* the still image of a <video poster> */
    FK_ASSET_VIDEO,     /* <video src>, <video><source src> */
    FK_ASSET_AUDIO,     /* <audio src>, <audio><source src> */
    FK_ASSET_THUMBNAIL, /* the feed's media:thumbnail or image (never from
                           the content stage: the store records it) */
    FK_ASSET_KIND_COUNT
};

/* A file the article uses: an image or media to archive with it. */
struct fk_content_asset {
    char *url; /* absolute http or https URL, written as in the Markdown
                  (tabs and line ends dropped, spaces percent-encoded) */
    enum fk_asset_kind kind;
    bool in_markdown; /* the Markdown has an image ![...](url) of it: the
                         link to rewrite when the asset is stored. Media,
                         posters and what tables hold are written in the
                         Markdown's HTML blocks, and srcset candidates
                         other than the src are not written at all: false */
};

/* The result of converting one article. All strings are owned by the struct
 * and freed by fk_content_release; all are valid UTF-8 (bytes of the HTML
 * that are not become U+FFFD).
 *
 * text is for reading in a terminal and for the full-text index: blocks
 * (paragraphs, headings, code blocks, list items of loose lists) split by
 * exactly one blank line; headings as one line of their text; list items
 * marked "- " or "1. ", their continuation lines and nested lists indented by
 * the marker's width; quotes prefixed "> "; code blocks verbatim (the only
 * place with blank lines in a row); links and images as their text (alt
 * text); line breaks as line ends; a thematic break as "---"; tables as one
 * line per row with cells split by " | "; iframes, video and audio as
 * "[embed: URL]", "[video: URL]", "[audio: URL]". White space is collapsed as
 * a browser does (no-break spaces count as spaces), no line has trailing
 * blanks, and the text ends with one "\n" unless empty.
 *
 * markdown is CommonMark written from the same tree, byte for byte what
 * cmark's own writer makes of it (no wrapping): links and images absolute,
 * code blocks fenced with their language (a fence without one is a bare
 * "```"), tables and embeds as HTML blocks
 * without scripts or event handlers. What CommonMark has no syntax for is
 * inline HTML around the text: strikethrough (<del>, <s>), subscript and
 * superscript (<sub>, <sup>), and emphasis whose "*" would not be read as
 * emphasis next to the characters around it (<em>, <strong>, as in
 * a<strong>"q"</strong>b). Read back by a CommonMark parser it gives the
 * same text and code blocks (a test checks this). Empty when the article
 * has no content. */
struct fk_content {
    char *text;     /* plain text, paragraphs split by one blank line */
    char *markdown; /* CommonMark */
    struct fk_code_block *code_blocks;
    size_t ncode_blocks;
    /* NULL, or why the article was converted as plain text (a static
     * string): its HTML has more than FK_CONTENT_NODES_MAX elements,
     * attributes and comments. Then text is laid out as above from the
     * text alone (blocks, line breaks, <pre> kept; no lists, quotes or
     * links), markdown is that text in one fenced code block, and there
     * are no code blocks (and no assets). */
    const char *warning;
    /* The assets the article uses, in document order, each URL once (the
     * first kind found for it wins), at most FK_CONTENT_ASSETS_MAX:
     *   - <img>: its src, then the largest candidate of its srcset when
     *     that is another URL (the src is what the Markdown shows, the
     *     largest the best copy to keep). The largest is the one with the
     *     greatest width descriptor ("800w"); without widths the greatest
     *     density ("2x", a candidate without one being "1x"); without
     *     either, the last. Tracking pixels (1x1, or width or height 0)
     *     are left out, as the Markdown leaves them out.
     *   - lazy loading: a src that is missing, empty or a data: URI is a
     *     placeholder, and data-src stands in for it; data-srcset stands
     *     in for a missing or empty srcset. (The Markdown shows data-src
     *     only when src is missing or empty.)
     *   - <picture><source srcset>: the largest candidate of each source.
     *   - <video poster> (FK_ASSET_POSTER), <video src> and its <source
     *     src> (FK_ASSET_VIDEO), <audio src> and its <source src>
     *     (FK_ASSET_AUDIO).
     * What the Markdown leaves out is left out here too: the content of
     * script, noscript, template, svg, object and the other dropped
     * elements. URLs that do not resolve to http or https (data:,
     * javascript:, relative ones without a base URL) are not listed. */
    struct fk_content_asset *assets;
    size_t nassets;
};

/* Convert html (len bytes, UTF-8, need not be NUL-terminated) into out.
 * base_url (may be NULL) resolves relative links and images. NULL or empty
 * html gives empty text and Markdown. Returns 0, or -1 with err filled (kind
 * FK_ERROR_INPUT) when the HTML is over FK_CONTENT_HTML_LIMIT; out is then
 * empty (all NULL), and fk_content_release on it is harmless. Broken HTML is
 * not an error: it is recovered as a browser would. Nothing is printed. */
int fk_content_from_html(const char *html, size_t len, const char *base_url, struct fk_content *out,
                         struct fk_error *err);

/* Free everything in content and zero it. NULL is ignored. */
void fk_content_release(struct fk_content *content);

/* The plain text of markdown, the Markdown of a struct fk_content (as the
 * archive keeps it), wrapped at width columns when width > 0. The text is
 * laid out as fk_content_from_html lays it out, and is the same text when
 * width is 0: the Markdown is read back with cmark and rendered by the same
 * renderer (a test checks this on every golden case and the sample feed).
 * Wrapping breaks paragraph and heading lines at spaces so that no line is
 * wider than width code points unless one word is; continuation lines keep
 * the line's indent (list items) and quote prefix ("> "). Code blocks, table
 * rows and embed notes are never wrapped. NULL markdown gives "". Returns a
 * new string the caller frees, never NULL. */
char *fk_content_markdown_to_text(const char *markdown, int width);

/* The HTML of markdown, the Markdown of a struct fk_content (as the
 * archive keeps it), rendered by cmark with its HTML blocks (the tables
 * and embeds the content stage wrote, without scripts or event handlers)
 * kept as they are. Only for such Markdown: raw HTML in it is not
 * checked. NULL markdown gives "". Returns a new string the caller frees,
 * never NULL. */
char *fk_content_markdown_to_html(const char *markdown);

/* Reduce an HTML fragment (a title) to one line of plain text: tags removed
 * (script and style with their content), entities decoded, white space and
 * no-break spaces collapsed to single spaces, trimmed. Only the first
 * FK_CONTENT_HTML_LIMIT bytes are read. Returns a new string the caller
 * frees, never NULL (NULL html gives ""). */
char *fk_content_html_to_line(const char *html);

#endif
