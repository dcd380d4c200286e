/* devto.h - dev.to's API (Forem API v1) as a source of articles.
 *
 * A subscription "devto-api:USER", "devto-api:tag/TAG" or
 * "devto-api:org/ORG" is fetched through the API instead of an RSS feed:
 * list calls give every article's metadata (its id and edited time among
 * them), and an article call gives one article's body, as HTML and as the
 * Markdown its author wrote. The API's base URL is dev.to's unless another
 * Forem site's is given. The author's Markdown is exported with its own
 * front matter dropped and its Liquid tags ({% embed URL %}) made links.
 */
#ifndef FEEDKEEP_DEVTO_H
#define FEEDKEEP_DEVTO_H

#include <stdbool.h>
#include <stdint.h>

#define FK_DEVTO_SCHEME      "devto-api:"
#define FK_DEVTO_API_DEFAULT "https://dev.to/api"
/* The media type that asks for version 1 of the API. */
#define FK_DEVTO_ACCEPT "application/vnd.forem.api-v1+json"
/* Articles per list call: a user's or an organisation's whole history in
 * as few calls as the API allows (its maximum), a tag's newest pages. */
#define FK_DEVTO_PER_PAGE     1000
#define FK_DEVTO_TAG_PER_PAGE 100
/* The most list pages of a user or organisation walked in one run. */
#define FK_DEVTO_MAX_PAGES 1000
/* The least time between two requests to the API by default. */
#define FK_DEVTO_DEFAULT_INTERVAL_MS 1000
/* The longest name of a user, tag or organisation. */
#define FK_DEVTO_NAME_MAX 100

enum fk_devto_kind { FK_DEVTO_USER, FK_DEVTO_TAG, FK_DEVTO_ORG };

struct fk_devto_source {
    enum fk_devto_kind kind;
    char name[FK_DEVTO_NAME_MAX + 1]; /* lower case */
};

/* Whether s is a dev.to API subscription ("devto-api:" then NAME, tag/NAME
 * or org/NAME, NAME of letters, digits, '_' and '-', any case), into *out
 * when it is. */
bool fk_devto_parse(const char *s, struct fk_devto_source *out);

/* The subscription's URL as stored: "devto-api:name", "devto-api:tag/name",
 * "devto-api:org/name". Returns a new string. */
char *fk_devto_subscription(const struct fk_devto_source *src);

/* The list call of page (from 1) under base (NULL: the default), and the
 * article call of the article id. New strings. */
char *fk_devto_list_url(const char *base, const struct fk_devto_source *src, int per_page,
                        int page);
char *fk_devto_article_url(const char *base, int64_t id);

/* The author's Markdown as an export writes it: the front matter the
 * author wrote (between "---" lines at the start) dropped, and each Liquid
 * tag outside code ({% embed URL %}, {% youtube ID %}, {% github
 * user/repo %}, {% twitter ID %}...) made a link to what it embeds, or
 * dropped when it names nothing ({% raw %}). Returns a new string. */
char *fk_devto_markdown_export(const char *markdown);

#endif
