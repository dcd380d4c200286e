/* teaser.h - whether a feed item carries only the start of its article.
 *
 * Many feeds send a teaser ("...Read more") instead of the article: the
 * fetch run then fetches the item's page and extracts the article from it
 * (`full-text auto`). An item is a teaser when its text is short, ends in
 * an ellipsis, or its HTML links to the item's own page with words such as
 * "read more" or "continue reading". Some sites are known to carry whole
 * articles in their feeds whatever their length: their items are never
 * teasers. Nothing here prints or allocates beyond the call.
 */
#ifndef FEEDKEEP_TEASER_H
#define FEEDKEEP_TEASER_H

#include <stdbool.h>
#include <stddef.h>

/* Under this many words the text of an item is a teaser. Excerpts are
 * shorter: WordPress cuts at 55 words, Blogger, Ghost and Medium summaries
 * at a paragraph or two, and the description a CMS writes for a page rarely
 * passes 100 words; the articles people subscribe to for their text are
 * longer (a short note fetched anyway is only a page that gives no longer
 * text, which is not used). Words are runs of letters or digits; each CJK
 * character counts as one. */
#define FK_TEASER_WORDS 150

/* The words of text (UTF-8; NULL counts 0), as FK_TEASER_WORDS counts
 * them. */
size_t fk_teaser_words(const char *text);

/* Whether the item is a teaser: text (its plain text) has fewer than
 * FK_TEASER_WORDS words, or ends in an ellipsis ("...", "…", "[…]",
 * "[...]", also followed by a closing bracket) or holds the WordPress
 * excerpt mark "[…]", or html (the item's HTML) has a link to item_url
 * (its own page; scheme, "www.", a fragment and a trailing slash aside,
 * relative links by their path) whose text is a "read more" phrase ("read
 * more", "continue reading", "keep reading", "read the rest", "full
 * article", "weiterlesen", "lire la suite", "leer más"...). Any argument
 * may be NULL. */
bool fk_teaser_is(const char *html, const char *text, const char *item_url);

/* Whether url is on a site whose feeds carry whole articles (dev.to and
 * its subdomains): its items are never teasers and their pages are never
 * fetched. */
bool fk_teaser_whole_site(const char *url);

/* Whether url's host is a name reserved for examples and tests
 * (example.com, .net and .org, .example, .test, .invalid, and their
 * subdomains): no article is there, and its page is never fetched. */
bool fk_teaser_reserved_host(const char *url);

/* The host of url ("https://User@Example.COM.:8080/x" gives
 * "example.com"; an IPv6 address without its brackets and zone), lower
 * case (ASCII), into host (size bytes). Returns false, host undefined,
 * when url has none or it does not fit. */
bool fk_teaser_url_host(const char *url, char *host, size_t size);

#endif
