/* placeholder, being written */
#include "feedkeep/content.h"
#include "feedkeep/buf.h"
#include <string.h>
int fk_content_from_html(const char *html, size_t len, const char *base_url, struct fk_content *out, struct fk_error *err)
{ (void)html; (void)len; (void)base_url; (void)err; memset(out, 0, sizeof *out); out->text = fk_xstrdup(""); out->markdown = fk_xstrdup(""); return 0; }
void fk_content_release(struct fk_content *c) { (void)c; }
char *fk_content_html_to_line(const char *html) { return fk_xstrdup(html ? html : ""); }
