/* content_html.c - the archive's Markdown back to HTML, for pages made
 * from an article (show --html). */
#include <stdlib.h>
#include <string.h>

#include "content_int.h"

char *fk_content_markdown_to_html(const char *markdown)
{
    if (!markdown)
        return fk_xstrdup("");
    /* CMARK_OPT_UNSAFE keeps the HTML blocks: they are the content
     * stage's own, sanitised when the article was converted. */
    char *html = cmark_markdown_to_html(markdown, strlen(markdown), CMARK_OPT_UNSAFE);
    /* cmark's allocator aborts when memory runs out. */
    return html ? html : fk_xstrdup("");
}
