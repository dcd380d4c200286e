/* placeholder, being written */
#include "feedkeep/date.h"
#include <stdio.h>
int64_t fk_date_parse(const char *s) { (void)s; return FK_TIME_NONE; }
int64_t fk_date_parse_iso(const char *s) { (void)s; return FK_TIME_NONE; }
int64_t fk_date_days_from_civil(int64_t y, int m, int d) { (void)y; (void)m; (void)d; return 0; }
char *fk_date_format(int64_t t, char *out) { (void)t; out[0] = 0; return out; }
