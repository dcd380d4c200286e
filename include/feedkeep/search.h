/* search.h - the query language of `feedkeep search`, parsed into a tree.
 *
 * Users type queries as they would into a search box; FTS5 has a syntax of
 * its own in which most punctuation is an error ("c++", "node.js",
 * "std::vector", a lone quote). Nothing a user types reaches FTS5 as it is:
 * the query is parsed here into a tree, and the store writes the tree out
 * again in its index's syntax with every word quoted, so the result is
 * always an expression the index accepts, or the user gets an error that
 * says what is wrong with the query.
 */
#ifndef FEEDKEEP_SEARCH_H
#define FEEDKEEP_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "feedkeep/error.h"

/* Nesting of parentheses allowed in a query. */
#define FK_SEARCH_MAX_DEPTH 32
/* Nesting of lists (AND, OR) allowed in a parsed query: a group inside an
 * OR inside a group takes two. The index's own parser holds about 20
 * levels of its expressions; past this a query is refused here, with a
 * message, rather than by the index. */
#define FK_SEARCH_MAX_NESTING 16

/* What a node of a parsed query is. */
enum fk_search_kind {
    FK_SEARCH_TERM, /* a word or a phrase */
    FK_SEARCH_AND,  /* all the members not excluded, none of the excluded */
    FK_SEARCH_OR,   /* any member */
};

/* The columns a node may be limited to. */
enum fk_search_column {
    FK_SEARCH_ANY = -1,
    FK_SEARCH_TITLE,
    FK_SEARCH_TEXT,
    FK_SEARCH_TAGS,
};

/* A node of a parsed query. Nodes point to each other by index in the
 * query's array of nodes. */
struct fk_search_node {
    enum fk_search_kind kind;
    enum fk_search_column column; /* where it must match, or FK_SEARCH_ANY */
    bool excluded;                /* a member of an AND list that must not
                                     match */
    char *text;                   /* FK_SEARCH_TERM: the word, or the words
                                     of a phrase (its "" made one quote) */
    bool prefix;                  /* FK_SEARCH_TERM: words starting with
                                     text ("plan*") */
    int first;                    /* lists: the first member */
    int next;                     /* the next member of the list this node
                                     is in; -1 at the end */
};

/* A parsed query: nodes[root] is the whole query. */
struct fk_search_query {
    struct fk_search_node *nodes;
    size_t count;
    int root;
};

/* Parse a user's query into out (release it with
 * fk_search_query_release). The query language:
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
 * Returns 0, or -1 with err filled (kind FK_ERROR_USAGE) when the query
 * cannot be read: the message says why, for instance "the quote at column
 * 1 is never closed" or "'AND' needs something to search for on both
 * sides". Every AND list has a member that is not excluded; every term has
 * letters or digits. */
int fk_search_parse(const char *query, struct fk_search_query *out, struct fk_error *err);
/* Free what query holds; it is left empty. */
void fk_search_query_release(struct fk_search_query *query);

/* The FTS5 MATCH expression over the columns title, text and tags that the
 * store runs for query (parsed with fk_search_parse; see
 * fk_store_fts_match). Returns a new string (free it with free()), or NULL
 * with err filled as fk_search_parse. */
char *fk_search_translate(const char *query, struct fk_error *err);

struct fk_buf;

/* The snippet of a hit of query in its text (len bytes, UTF-8), into out
 * (reset first): the window of size words (the whole text when it has no
 * more) that holds the most different terms that can match in the text
 * (not limited to the title or the tags, not excluded), then the most
 * matches, centred on them, or from the start of their sentence; each
 * match between open and close (NULL: ""), a phrase's words and matches
 * that overlap marked as one; "…" (U+2026) where the text goes on before
 * or after the window. Words are the text's runs of letters and digits,
 * compared without case (Latin, Greek and Cyrillic letters), as the
 * index's "simple" configuration and FTS5's tokenizer split and fold
 * them. With no match: the first size words. */
void fk_search_snippet(const struct fk_search_query *query, const char *text, size_t len, int size,
                       const char *open, const char *close, struct fk_buf *out);

#endif
