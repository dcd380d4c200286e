/* search.h - the query language of `feedkeep search`, translated into an
 * SQLite FTS5 expression.
 *
 * Users type queries as they would into a search box; FTS5 has a syntax of
 * its own in which most punctuation is an error ("c++", "node.js",
 * "std::vector", a lone quote). Nothing a user types reaches FTS5 as it is:
 * the query is parsed here and written out again with every word quoted, so
 * the result is always an expression FTS5 accepts, or the user gets an
 * error that says what is wrong with the query.
 */
#ifndef FEEDKEEP_SEARCH_H
#define FEEDKEEP_SEARCH_H

#include "feedkeep/error.h"

/* Nesting of parentheses allowed in a query. */
#define FK_SEARCH_MAX_DEPTH 32

/* Translate a user's query into an FTS5 MATCH expression over the columns
 * title, text and tags. The query language:
 *
 *   query planner        both words, anywhere, in any order (AND is implied)
 *   "query planner"      the phrase: the words next to each other, in order
 *   plan*                words starting with "plan" (also "query plan"*)
 *   sqlite OR postgres   either
 *   sqlite NOT mysql     the first without the second; -mysql says the same
 *   (a OR b) c           grouping
 *   title:planner        only in one column: title, text or tags (also
 *                        before a phrase or a group: tags:(go OR rust))
 *
 * AND, OR and NOT are operators only in upper case; NOT binds tighter than
 * AND, AND tighter than OR. Any other word is searched for as it is
 * written: the full-text index splits it into its letters-and-digits parts
 * ("node.js" is the phrase "node js", "c++" is "c"), and a word with no
 * letters or digits ("+", "--") is left out. Inside a phrase, "" stands for
 * one double quote.
 *
 * Returns a new string (free it with free()), or NULL with err filled (kind
 * FK_ERROR_USAGE) when the query cannot be read: the message says why, for
 * instance "the quote at column 1 is never closed" or "'AND' needs
 * something to search for on both sides". */
char *fk_search_translate(const char *query, struct fk_error *err);

#endif
