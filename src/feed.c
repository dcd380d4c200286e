/* placeholder, being written */
#include "feedkeep/feed.h"
int fk_feed_parse_fd(int fd, const struct fk_parse_options *opts, const struct fk_feed_handler *handler, struct fk_feed_info *final, struct fk_error *err)
{ (void)fd; (void)opts; (void)handler; (void)final; return fk_error_set(err, FK_ERROR_INPUT, "not written yet"); }
int fk_feed_parse_memory(const char *data, size_t len, const struct fk_parse_options *opts, const struct fk_feed_handler *handler, struct fk_feed_info *final, struct fk_error *err)
{ (void)data; (void)len; (void)opts; (void)handler; (void)final; return fk_error_set(err, FK_ERROR_INPUT, "not written yet"); }
void fk_feed_info_release(struct fk_feed_info *feed) { (void)feed; }
