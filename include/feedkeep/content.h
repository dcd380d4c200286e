/* content.h - the content stage: article HTML to text, Markdown and code.
 *
 * The HTML is parsed into one document tree (a CommonMark node tree); the
 * plain text, the Markdown and the code blocks are all derived from that one
 * tree, so they always agree.
 */
#ifndef FEEDKEEP_CONTENT_H
#define FEEDKEEP_CONTENT_H

#include <stddef.h>

#include "feedkeep/error.h"

struct fk_code_block {
    char *language;          /* lower case, or NULL when the HTML names none */
    char *code;              /* exact text, ends with "\n" unless empty */
    size_t lines;
};

/* The result of converting one article. All strings are owned by the struct
 * and freed by fk_content_release. */
struct fk_content {
    char *text;              /* plain text, paragraphs split by one blank line */
    char *markdown;          /* CommonMark */
    struct fk_code_block *code_blocks;
    size_t ncode_blocks;
};

/* Convert html (len bytes, UTF-8, need not be NUL-terminated) into out.
 * base_url (may be NULL) resolves relative links and images. NULL or empty
 * html gives empty text and Markdown. Returns 0, or -1 with err filled when
 * the HTML is beyond the size limit. */
int fk_content_from_html(const char *html, size_t len, const char *base_url,
                         struct fk_content *out, struct fk_error *err);

/* Free everything in content and zero it. */
void fk_content_release(struct fk_content *content);

/* Reduce an HTML fragment (a title) to one line of plain text: tags removed,
 * entities decoded, whitespace collapsed. Returns a new string. */
char *fk_content_html_to_line(const char *html);

#endif
