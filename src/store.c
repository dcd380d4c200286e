/* placeholder, being written */
#include "feedkeep/store.h"
#include <stddef.h>
struct fk_store *fk_store_open(const char *path, struct fk_error *err) { (void)path; fk_error_set(err, FK_ERROR_DB, "not written yet"); return NULL; }
void fk_store_close(struct fk_store *s) { (void)s; }
int fk_store_begin_feed(struct fk_store *s, const char *u, const struct fk_feed_info *i, struct fk_error *err) { (void)s; (void)u; (void)i; return fk_error_set(err, FK_ERROR_DB, "x"); }
int fk_store_put_item(struct fk_store *s, const struct fk_item *i, const struct fk_content *c, enum fk_put_result *r, struct fk_error *err) { (void)s; (void)i; (void)c; (void)r; return fk_error_set(err, FK_ERROR_DB, "x"); }
int fk_store_end_feed(struct fk_store *s, bool ok, const struct fk_feed_info *f, struct fk_error *err) { (void)s; (void)ok; (void)f; return fk_error_set(err, FK_ERROR_DB, "x"); }
void fk_filter_init(struct fk_filter *f) { (void)f; }
int fk_store_list(struct fk_store *s, const struct fk_filter *f, fk_article_fn fn, void *ctx, struct fk_error *err) { (void)s; (void)f; (void)fn; (void)ctx; return fk_error_set(err, FK_ERROR_DB, "x"); }
int fk_store_get_article(struct fk_store *s, int64_t id, struct fk_article *o, struct fk_error *err) { (void)s; (void)id; (void)o; return fk_error_set(err, FK_ERROR_DB, "x"); }
void fk_article_release(struct fk_article *a) { (void)a; }
int fk_store_list_code(struct fk_store *s, const struct fk_filter *f, fk_code_fn fn, void *ctx, struct fk_error *err) { (void)s; (void)f; (void)fn; (void)ctx; return fk_error_set(err, FK_ERROR_DB, "x"); }
int fk_store_counts(struct fk_store *s, struct fk_store_counts *o, struct fk_error *err) { (void)s; (void)o; return fk_error_set(err, FK_ERROR_DB, "x"); }
char *fk_store_identity(const char *u, const struct fk_item *i) { (void)u; (void)i; return NULL; }
