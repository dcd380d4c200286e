/* test_search.c - search queries parsed, and written as FTS5 expressions.
 *
 * The translation is data in, data out: one table of queries and the
 * expressions they must become, one of queries that must be refused with
 * the reason; and the tree of one query. Whether FTS5 accepts every expression the first table
 * yields is checked in test_store (search) and by the CLI tests. Then the
 * snippets made from a hit's text (fk_search_snippet): the window, the
 * words marked, the ellipses.
 */
#include "feedkeep/search.h"

#include "feedkeep/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_translate(void)
{
    static const struct {
        const char *query;
        const char *expected;
    } cases[] = {
        /* words: quoted, joined by AND */
        {"planner", "\"planner\""},
        {"query planner", "\"query\" AND \"planner\""},
        {"  query \t planner\n", "\"query\" AND \"planner\""},
        {"query AND planner", "\"query\" AND \"planner\""},
        /* phrases and prefixes */
        {"\"query planner\"", "\"query planner\""},
        {"plan*", "\"plan\"*"},
        {"plan**", "\"plan\"*"},
        {"\"query plan\"*", "\"query plan\"*"},
        {"\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\""},
        /* OR, NOT and exclusion */
        {"sqlite OR postgres", "\"sqlite\" OR \"postgres\""},
        {"sqlite NOT mysql", "\"sqlite\" NOT \"mysql\""},
        {"sqlite AND NOT mysql", "\"sqlite\" NOT \"mysql\""},
        {"sqlite -mysql", "\"sqlite\" NOT \"mysql\""},
        {"-mysql sqlite", "\"sqlite\" NOT \"mysql\""},
        {"a -b c -\"d e\"", "\"a\" AND \"c\" NOT \"b\" NOT \"d e\""},
        {"a NOT b NOT c", "\"a\" NOT \"b\" NOT \"c\""},
        {"a b OR c", "(\"a\" AND \"b\") OR \"c\""},
        {"a OR b c", "\"a\" OR (\"b\" AND \"c\")"},
        {"a OR b NOT c", "\"a\" OR (\"b\" NOT \"c\")"},
        /* lower-case operators are words */
        {"this or that", "\"this\" AND \"or\" AND \"that\""},
        {"not", "\"not\""},
        /* grouping */
        {"(a OR b) c", "(\"a\" OR \"b\") AND \"c\""},
        {"a (b OR c) -(d OR e)", "\"a\" AND (\"b\" OR \"c\") NOT (\"d\" OR \"e\")"},
        {"((a))", "\"a\""},
        {"b (-a)", "\"b\" NOT \"a\""},
        {"malloc()", "\"malloc\""},
        /* columns */
        {"title:planner", "title : \"planner\""},
        {"TITLE:plan*", "title : \"plan\"*"},
        {"tags:\"machine learning\"", "tags : \"machine learning\""},
        {"tags:(go OR rust) text:x", "tags : (\"go\" OR \"rust\") AND text : \"x\""},
        {"a -title:b", "\"a\" NOT title : \"b\""},
        {"std::vector", "\"std::vector\""},
        {"author:ada", "\"author:ada\""},
        /* punctuation is searched as written; FTS5 splits it */
        {"c++", "\"c++\""},
        {"node.js", "\"node.js\""},
        {"don\"t", "\"don\"\"t\""},
        {"a\"b\"c", "\"a\"\"b\"\"c\""},
        {"e-mail --verbose", "\"e-mail\" AND \"--verbose\""},
        {"'; DROP TABLE articles; --", "\"DROP\" AND \"TABLE\" AND \"articles;\""},
        {"café", "\"café\""},
        /* words without letters or digits are left out */
        {"a + b", "\"a\" AND \"b\""},
        {"a OR +", "\"a\""},
        {"a - b", "\"a\" AND \"b\""},
        {"*", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fk_error err = {0};
        char *got = fk_search_translate(cases[i].query, &err);
        if (cases[i].expected && !got)
            fprintf(stderr, "query '%s': %s\n", cases[i].query, err.message);
        CHECK_STR(got, cases[i].expected);
        free(got);
    }
}

static void test_refused(void)
{
    static const struct {
        const char *query;
        const char *message;
    } cases[] = {
        {"", "the query is empty"},
        {"   ", "the query is empty"},
        {"\"unterminated", "the quote at column 1 is never closed"},
        {"a \"b c", "the quote at column 3 is never closed"},
        {"AND", "'AND' at column 1 needs something to search for on both sides"},
        {"a AND", "'AND' at column 3 needs something to search for on both sides"},
        {"OR b", "'OR' at column 1 needs something to search for on both sides"},
        {"a OR", "'OR' at column 3 needs something to search for on both sides"},
        {"a OR OR b", "'OR' at column 3 needs something to search for on both sides"},
        {"NOT a", "'NOT' at column 1 needs something to search for on both sides"},
        {"a NOT", "'NOT' at column 3 needs something to search for on both sides"},
        {"a AND OR b", "'AND' at column 3 needs something to search for on both sides"},
        {"(a OR b", "the '(' at column 1 is never closed"},
        {"a OR b)", "the ')' at column 7 has no matching '('"},
        {"(a))", "the ')' at column 4 has no matching '('"},
        {"x'); DROP TABLE t", "the ')' at column 3 has no matching '('"},
        {"-mysql", "the query only excludes words (with NOT or -): add something to search for"},
        {"a OR -b", "the query only excludes words (with NOT or -): add something to search for"},
        {"title:", "'title:' at column 1 must be followed by a word, a phrase or a group"},
        {"title: OR", "'title:' at column 1 must be followed by a word, a phrase or a group"},
        {"+ -- *", "nothing to search for: the query has no letters or digits"},
        {"((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
         "parentheses are nested too deeply at column 33"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fk_error err = {0};
        char *got = fk_search_translate(cases[i].query, &err);
        if (got)
            fprintf(stderr, "query '%s' gave %s\n", cases[i].query, got);
        CHECK(got == NULL);
        CHECK_INT(err.kind, FK_ERROR_USAGE);
        CHECK_STR(err.message, cases[i].message);
        free(got);
    }
    /* "a OR b (...)" nests an AND in an OR at each group: 8 groups are
     * 16 levels of lists, the most allowed; 9 are refused before the
     * index's parser could overflow */
    for (int groups = 8; groups <= 9; groups++) {
        char query[512] = "x";
        for (int i = 0; i < groups; i++) {
            char inner[sizeof query];
            memcpy(inner, query, sizeof query);
            int n = snprintf(query, sizeof query, "a%d OR b%d (", i, i);
            size_t len = strlen(inner);
            CHECK(n >= 0 && (size_t)n + len + 2 <= sizeof query);
            if (n < 0 || (size_t)n + len + 2 > sizeof query)
                break;
            memcpy(query + n, inner, len);
            memcpy(query + n + len, ")", 2);
        }
        struct fk_error err = {0};
        char *got = fk_search_translate(query, &err);
        if (groups == 8) {
            CHECK(got != NULL);
        } else {
            CHECK(got == NULL);
            CHECK_STR(err.message,
                      "the query is nested too deeply: at most 16 levels of groups and operators");
        }
        free(got);
    }
    /* NULL reads as empty; err may be NULL. */
    CHECK(fk_search_translate(NULL, NULL) == NULL);
    CHECK(fk_search_translate("AND", NULL) == NULL);
}

/* The tree the store writes from: terms as typed (a phrase's "" one
 * quote), columns, exclusions and prefixes. */
static void test_parse(void)
{
    struct fk_search_query q;
    struct fk_error err = {0};
    CHECK_INT(fk_search_parse("go -\"say \"\"hi\"\"\" title:rust* OR c", &q, &err), 0);
    const struct fk_search_node *root = &q.nodes[q.root];
    CHECK_INT(root->kind, FK_SEARCH_OR);
    CHECK_INT(root->column, FK_SEARCH_ANY);
    const struct fk_search_node *and = &q.nodes[root->first];
    CHECK_INT(and->kind, FK_SEARCH_AND);
    const struct fk_search_node *go = &q.nodes[ and->first];
    CHECK_INT(go->kind, FK_SEARCH_TERM);
    CHECK_STR(go->text, "go");
    CHECK(!go->excluded && !go->prefix);
    const struct fk_search_node *say = &q.nodes[go->next];
    CHECK_STR(say->text, "say \"hi\"");
    CHECK(say->excluded);
    const struct fk_search_node *rust = &q.nodes[say->next];
    CHECK_STR(rust->text, "rust");
    CHECK_INT(rust->column, FK_SEARCH_TITLE);
    CHECK(rust->prefix && !rust->excluded);
    CHECK_INT(rust->next, -1);
    CHECK_STR(q.nodes[ and->next].text, "c");
    CHECK_INT(q.nodes[ and->next].next, -1);
    fk_search_query_release(&q);
    CHECK(q.nodes == NULL && q.count == 0);
    fk_search_query_release(&q);

    CHECK_INT(fk_search_parse("\"", &q, &err), -1);
    CHECK_STR(err.message, "the quote at column 1 is never closed");
    CHECK(q.nodes == NULL);
}

/* Whatever the bytes, the result is NULL or quotes are balanced: every
 * term starts and ends with a quote and inner quotes are doubled. */
static void test_balanced(void)
{
    static const char alphabet[] = "ab \"()*-:ORNT\\";
    unsigned seed = 12345;
    char query[24];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t want = (seed >> 16) % (sizeof query - 1);
        while (len < want) {
            seed = seed * 1103515245u + 12345u;
            query[len++] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        query[len] = '\0';
        char *got = fk_search_translate(query, NULL);
        if (!got)
            continue;
        size_t quotes = 0;
        int depth = 0;
        bool ok = true;
        for (const char *p = got; *p; p++) {
            if (*p == '"')
                quotes++;
            else if (quotes % 2 == 0 && *p == '(')
                depth++;
            else if (quotes % 2 == 0 && *p == ')' && --depth < 0)
                ok = false;
        }
        if (quotes % 2 || depth || !ok)
            fprintf(stderr, "unbalanced: %s -> %s\n", query, got);
        CHECK(quotes % 2 == 0 && depth == 0 && ok);
        free(got);
    }
}

/* The snippet of text for query, size words, marked with [ and ]. */
static char *snippet(const char *query, const char *text, int size)
{
    struct fk_search_query q;
    struct fk_buf out = FK_BUF_INIT;
    if (fk_search_parse(query, &q, NULL) < 0)
        return fk_xstrdup("(refused)");
    fk_search_snippet(&q, text, strlen(text), size, "[", "]", &out);
    fk_search_query_release(&q);
    return fk_buf_detach(&out);
}

/* U+2026, where a snippet cuts the text. */
#define E "\xE2\x80\xA6"

static void test_snippet(void)
{
    static const char long_text[] =
        "One two three four five six seven eight nine ten. Eleven twelve thirteen "
        "fourteen fifteen. Sixteen seventeen docker eighteen nineteen twenty "
        "twenty-one twenty-two twenty-three twenty-four twenty-five.";
    static const struct {
        const char *query;
        const char *text;
        int size;
        const char *expected;
    } cases[] = {
        /* no match: the first words; the whole text when it is short,
         * as it is written */
        {"absent", "alpha beta gamma delta", 2, "alpha beta" E},
        {"absent", " alpha, beta! ", 4, " alpha, beta! "},
        {"absent", "", 4, ""},
        {"absent", "...", 4, "..."},
        /* the window begins the match's sentence when it reaches the
         * match, else it is centred on it */
        {"docker", long_text, 6, E "Sixteen seventeen [docker] eighteen nineteen twenty" E},
        {"docker", long_text, 2, E "[docker] eighteen" E},
        {"eighteen", long_text, 3, E "docker [eighteen] nineteen" E},
        {"one", long_text, 3, "[One] two three" E},
        {"five", long_text, 100, NULL},
        /* more different terms win over more matches of one */
        {"alpha beta", "alpha alpha alpha x x x x x x x x x x x x x alpha beta", 3,
         E "x [alpha] [beta]"},
        /* a phrase is marked as one, and so are matches that overlap */
        {"\"query planner\"", "the query planner runs", 10, "the [query planner] runs"},
        {"\"query planner\" \"planner runs\"", "the query planner runs", 10,
         "the [query planner runs]"},
        {"\"query planner\"", "query, planner; query then planner", 10,
         "[query, planner]; query then planner"},
        {"node.js", "I like Node.js a lot", 10, "I like [Node.js] a lot"},
        {"go rust", "go rust", 10, "[go] [rust]"},
        /* a prefix; case, also outside ASCII */
        {"plan*", "Planner and planning, not a plan-B: explanation", 10,
         "[Planner] and [planning], not a [plan]-B: explanation"},
        {"\"query plan\"*", "a query planner, a plan query", 10, "a [query planner], a plan query"},
        {"\xC3\xA9"
         "cole",
         "\xC3\x89"
         "COLE \xC3\xA9"
         "cole ecole",
         10,
         "[\xC3\x89"
         "COLE] [\xC3\xA9"
         "cole] ecole"},
        {"\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
         "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 \xD0\xBC\xD0\xB8\xD1\x80", 10,
         "[\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2] \xD0\xBC\xD0\xB8\xD1\x80"},
        /* terms of the title or the tags, and excluded ones, are not the
         * text's */
        {"title:docker go -rust", "docker go rust", 10, "docker [go] rust"},
        {"tags:(docker OR go) text:rust", "docker go rust", 10, "docker go [rust]"},
        {"go -(rust OR docker)", "docker go rust", 10, "docker [go] rust"},
        /* punctuation and broken bytes are not words */
        {"b", "a \xFF b \xE2\x80\x94 c", 10, "a \xFF [b] \xE2\x80\x94 c"},
        {"caf\xC3\xA9",
         "\xE2\x80\x9C"
         "caf\xC3\xA9\xE2\x80\x9D",
         10, "\xE2\x80\x9C[caf\xC3\xA9]\xE2\x80\x9D"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = snippet(cases[i].query, cases[i].text, cases[i].size);
        CHECK_STR(got, cases[i].expected ? cases[i].expected
                                         : "One two three four [five] six seven eight nine ten. "
                                           "Eleven twelve thirteen fourteen fifteen. Sixteen "
                                           "seventeen docker eighteen nineteen twenty twenty-one "
                                           "twenty-two twenty-three twenty-four twenty-[five].");
        free(got);
    }

    /* No marks given: none written; no query: the first words. */
    struct fk_search_query q;
    struct fk_buf out = FK_BUF_INIT;
    CHECK(fk_search_parse("two", &q, NULL) == 0);
    fk_search_snippet(&q, "one two three", 13, 2, NULL, NULL, &out);
    CHECK_STR(out.data, "one two" E);
    fk_search_snippet(NULL, "one two three", 13, 1, "[", "]", &out);
    CHECK_STR(out.data, "one" E);
    fk_search_query_release(&q);
    fk_buf_release(&out);
}

int main(void)
{
    RUN(test_translate);
    RUN(test_refused);
    RUN(test_parse);
    RUN(test_balanced);
    RUN(test_snippet);
    return DONE();
}
