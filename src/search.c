/* search.c - a user's search query into a tree.
 *
 * The query is read into a small tree (terms, AND lists with excluded
 * members, OR lists) by a recursive-descent parser. "a -b" and "a NOT b"
 * both become an AND list from which b is excluded. The store writes the
 * tree in its index's own syntax (fk_store_fts_match).
 */
#include "feedkeep/search.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/store.h"

/* The columns of the full-text index a query may name ("title:word"). */
static const char *const columns[] = {"title", "text", "tags"};
#define NO_COLUMN (-1)

/* Upper-case words that are operators, and what they are. */
enum token_kind {
    TOK_END,
    TOK_WORD,   /* a bare word */
    TOK_PHRASE, /* "a quoted phrase" */
    TOK_OPEN,   /* ( */
    TOK_CLOSE,  /* ) */
    TOK_AND,
    TOK_OR,
    TOK_NOT,
    TOK_MINUS,  /* - right before a word, phrase or group */
    TOK_COLUMN, /* title: and the like */
};

static const struct {
    const char *word;
    enum token_kind kind;
} operators[] = {
    {"AND", TOK_AND},
    {"OR", TOK_OR},
    {"NOT", TOK_NOT},
};

struct token {
    enum token_kind kind;
    const char *start; /* in the query */
    size_t len;        /* TOK_WORD: without the trailing '*'s;
                          TOK_PHRASE: between the quotes */
    bool prefix;       /* ended by '*' */
    int column;        /* TOK_COLUMN: index in columns[] */
    size_t offset;     /* where it starts, for messages */
};

/* The tree. Nodes live in one array and point to each other by index:
 * children of a list are chained through next. */
enum node_kind { NODE_TERM, NODE_AND, NODE_OR };

struct node {
    enum node_kind kind;
    bool excluded; /* member of an AND list that must not match */
    int column;    /* NO_COLUMN or an index in columns[] */
    /* NODE_TERM */
    const char *text; /* in the query */
    size_t len;
    bool phrase; /* text is a phrase's inside: its quotes are doubled already */
    bool prefix;
    /* lists */
    int first; /* first child, -1 when none */
    int last;
    int next; /* next sibling, -1 at the end */
};

struct parser {
    const char *query;
    size_t pos;
    struct token tok; /* the current token */
    int depth;        /* open parentheses */
    struct node *nodes;
    size_t count, cap;
    struct fk_error *err;
    bool failed;
};

/* Characters the full-text index keeps as parts of words (FTS5's
 * unicode61 tokenizer: letters and digits, and every non-ASCII character
 * here, since most of them are letters). */
static bool is_token_char(char c)
{
    return fk_is_alnum(c) || (unsigned char)c >= 0x80;
}

static bool ends_word(char c)
{
    return c == '\0' || fk_is_space(c) || c == '(' || c == ')';
}

/* Record the first error (kind FK_ERROR_USAGE); returns -1. Columns in
 * messages count from 1. */
static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
    if (!p->failed && p->err) {
        va_list ap;
        va_start(ap, fmt);
        p->err->kind = FK_ERROR_USAGE;
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
    }
    p->failed = true;
    return -1;
}

/* The column named at s ("title:"), or NO_COLUMN. */
static int column_prefix(const char *s, size_t *len)
{
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        size_t n = strlen(columns[i]);
        bool same = true;
        for (size_t j = 0; j < n && same; j++) {
            char c = s[j];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            same = c == columns[i][j];
        }
        if (same && s[n] == ':') {
            *len = n + 1;
            return (int)i;
        }
    }
    return NO_COLUMN;
}

/* Read the next token into p->tok. */
static void next_token(struct parser *p)
{
    const char *q = p->query;
    struct token *t = &p->tok;

    while (fk_is_space(q[p->pos]))
        p->pos++;
    memset(t, 0, sizeof *t);
    t->start = q + p->pos;
    t->offset = p->pos;
    t->column = NO_COLUMN;
    char c = q[p->pos];
    if (c == '\0') {
        t->kind = TOK_END;
        return;
    }
    if (c == '(' || c == ')') {
        t->kind = c == '(' ? TOK_OPEN : TOK_CLOSE;
        p->pos++;
        return;
    }
    if (c == '"') {
        /* A phrase runs to the next quote that is not doubled. */
        size_t i = p->pos + 1;
        for (;;) {
            if (q[i] == '\0') {
                fail(p, "the quote at column %zu is never closed", p->pos + 1);
                t->kind = TOK_END;
                return;
            }
            if (q[i] == '"') {
                if (q[i + 1] != '"')
                    break;
                i++;
            }
            i++;
        }
        t->kind = TOK_PHRASE;
        t->start = q + p->pos + 1;
        t->len = i - p->pos - 1;
        p->pos = i + 1;
        while (q[p->pos] == '*') {
            t->prefix = true;
            p->pos++;
        }
        return;
    }
    /* "-" excludes what follows it directly; "-" alone or "--x" is a word. */
    char after = q[p->pos + 1];
    if (c == '-' && (is_token_char(after) || after == '"' || after == '(')) {
        t->kind = TOK_MINUS;
        p->pos++;
        return;
    }
    size_t column_len;
    int column = column_prefix(q + p->pos, &column_len);
    if (column != NO_COLUMN) {
        t->kind = TOK_COLUMN;
        t->column = column;
        p->pos += column_len;
        return;
    }
    size_t end = p->pos;
    while (!ends_word(q[end]))
        end++;
    t->kind = TOK_WORD;
    t->len = end - p->pos;
    while (t->len && t->start[t->len - 1] == '*') {
        t->prefix = true;
        t->len--;
    }
    p->pos = end;
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        if (!t->prefix && t->len == strlen(operators[i].word) &&
            memcmp(t->start, operators[i].word, t->len) == 0)
            t->kind = operators[i].kind;
    }
}

static int new_node(struct parser *p, enum node_kind kind)
{
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->nodes = fk_xrealloc(p->nodes, p->cap * sizeof *p->nodes);
    }
    struct node *n = &p->nodes[p->count];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->column = NO_COLUMN;
    n->first = n->last = n->next = -1;
    return (int)p->count++;
}

static void append_child(struct parser *p, int list, int child)
{
    struct node *l = &p->nodes[list];
    if (l->last < 0)
        l->first = child;
    else
        p->nodes[l->last].next = child;
    l->last = child;
    p->nodes[child].next = -1;
}

/* Whether a term has anything the index would find. */
static bool has_token_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (is_token_char(s[i]))
            return true;
    }
    return false;
}

static const char *token_name(const struct token *t)
{
    switch (t->kind) {
    case TOK_AND:
        return "AND";
    case TOK_OR:
        return "OR";
    case TOK_NOT:
        return "NOT";
    default:
        return "?";
    }
}

static bool starts_operand(enum token_kind kind)
{
    return kind == TOK_WORD || kind == TOK_PHRASE || kind == TOK_OPEN || kind == TOK_MINUS ||
           kind == TOK_COLUMN;
}

/* An operator at t must have something to search for on both sides. */
static int missing_operand(struct parser *p, const struct token *t)
{
    return fail(p, "'%s' at column %zu needs something to search for on both sides", token_name(t),
                t->offset + 1);
}

static int parse_or(struct parser *p);

/* A word, a phrase or a group, with its column and exclusion marks.
 * Returns a node, -2 for a word the index would not find (left out), or
 * -1 on error. */
static int parse_unary(struct parser *p)
{
    bool excluded = false;
    int column = NO_COLUMN;
    if (p->tok.kind == TOK_MINUS) {
        excluded = true;
        next_token(p);
    }
    if (p->tok.kind == TOK_COLUMN) {
        column = p->tok.column;
        struct token col = p->tok;
        next_token(p);
        if (p->tok.kind != TOK_WORD && p->tok.kind != TOK_PHRASE && p->tok.kind != TOK_OPEN)
            return fail(p, "'%s:' at column %zu must be followed by a word, a phrase or a group",
                        columns[col.column], col.offset + 1);
    }
    int node;
    struct token t = p->tok;
    switch (t.kind) {
    case TOK_WORD:
    case TOK_PHRASE:
        next_token(p);
        if (!has_token_chars(t.start, t.len))
            return -2;
        node = new_node(p, NODE_TERM);
        p->nodes[node].text = t.start;
        p->nodes[node].len = t.len;
        p->nodes[node].phrase = t.kind == TOK_PHRASE;
        p->nodes[node].prefix = t.prefix;
        break;
    case TOK_OPEN:
        if (++p->depth > FK_SEARCH_MAX_DEPTH)
            return fail(p, "parentheses are nested too deeply at column %zu", t.offset + 1);
        next_token(p);
        if (p->tok.kind == TOK_CLOSE) {
            /* "()": nothing, as in "malloc()". */
            node = -2;
        } else {
            node = parse_or(p);
            if (node == -1)
                return -1;
            if (p->tok.kind != TOK_CLOSE)
                return fail(p, "the '(' at column %zu is never closed", t.offset + 1);
        }
        p->depth--;
        next_token(p);
        if (node == -2)
            return -2;
        break;
    default:
        /* The callers only come here at the start of an operand. */
        return fail(p, "unexpected text at column %zu", t.offset + 1);
    }
    if (column != NO_COLUMN && p->nodes[node].column != NO_COLUMN) {
        /* "text:(title:x)": keep both restrictions, one inside the other. */
        int outer = new_node(p, NODE_AND);
        append_child(p, outer, node);
        node = outer;
    }
    p->nodes[node].excluded = excluded;
    if (column != NO_COLUMN)
        p->nodes[node].column = column;
    return node;
}

/* Add child to the AND list: the members of an AND group without column
 * join the list itself, so "b (-a)" excludes a from b. */
static void add_to_and(struct parser *p, int list, int child, bool excluded)
{
    struct node *c = &p->nodes[child];
    if (c->kind == NODE_AND && c->column == NO_COLUMN && !c->excluded && !excluded) {
        for (int i = c->first; i >= 0;) {
            int next = p->nodes[i].next;
            append_child(p, list, i);
            i = next;
        }
        return;
    }
    if (excluded)
        c->excluded = !c->excluded;
    append_child(p, list, child);
}

/* Members of an AND list: unary (NOT unary)*, and [AND] between them.
 * Stops at OR, ")" and the end. Returns a NODE_AND, -2 when every member
 * was left out, -1 on error. */
static int parse_and(struct parser *p)
{
    int list = new_node(p, NODE_AND);
    bool want_operand = true; /* at the start, after AND or NOT */
    bool negate_next = false; /* after NOT */
    struct token op = {0};    /* the operator before the operand wanted */

    for (;;) {
        enum token_kind kind = p->tok.kind;
        if (kind == TOK_AND || kind == TOK_NOT) {
            /* "a AND NOT b" reads as "a NOT b"; any other operator where
             * an operand should be is an error. */
            if (want_operand && !(kind == TOK_NOT && op.kind == TOK_AND))
                return missing_operand(p, &p->tok);
            op = p->tok;
            want_operand = true;
            negate_next = kind == TOK_NOT;
            next_token(p);
            continue;
        }
        if (!starts_operand(kind)) {
            if (want_operand && op.kind != TOK_END)
                return missing_operand(p, &op);
            break;
        }
        int child = parse_unary(p);
        if (child == -1)
            return -1;
        if (child >= 0)
            add_to_and(p, list, child, negate_next);
        want_operand = false;
        negate_next = false;
        op.kind = TOK_END;
    }
    const struct node *l = &p->nodes[list];
    if (l->first < 0)
        return -2;
    /* A list of one member is that member. */
    if (l->first == l->last && !p->nodes[l->first].excluded)
        return l->first;
    return list;
}

/* and (OR and)*. Returns a node, -2 when everything was left out, -1 on
 * error. */
static int parse_or(struct parser *p)
{
    int list = new_node(p, NODE_OR);
    for (;;) {
        if (p->tok.kind == TOK_OR)
            return missing_operand(p, &p->tok);
        int child = parse_and(p);
        if (child == -1)
            return -1;
        if (child >= 0)
            append_child(p, list, child);
        if (p->tok.kind != TOK_OR)
            break;
        struct token op = p->tok;
        next_token(p);
        if (!starts_operand(p->tok.kind))
            return missing_operand(p, &op);
    }
    struct node *l = &p->nodes[list];
    if (l->first < 0)
        return -2;
    /* A list of one is that one. */
    return l->first == l->last ? l->first : list;
}

/* Every AND list must have a member that is not excluded: FTS5 can only
 * take away from what something else found. */
static int check_excluded(struct parser *p, int node)
{
    struct node *n = &p->nodes[node];
    if (n->kind == NODE_TERM)
        return 0;
    bool included = false;
    for (int i = n->first; i >= 0; i = p->nodes[i].next) {
        if (!p->nodes[i].excluded)
            included = true;
        if (check_excluded(p, i) < 0)
            return -1;
    }
    if (n->kind == NODE_AND && !included) {
        if (!p->failed)
            fk_error_set(p->err, FK_ERROR_USAGE,
                         "the query only excludes words (with NOT or -): add something to "
                         "search for");
        p->failed = true;
        return -1;
    }
    return 0;
}

/* A term's text as the user meant it: a phrase's "" is one quote. */
static char *term_text(const struct node *n)
{
    char *text = fk_xstrndup(n->text, n->len);
    if (n->phrase) {
        char *to = text;
        for (const char *from = text; *from; from++) {
            *to++ = *from;
            if (from[0] == '"' && from[1] == '"')
                from++;
        }
        *to = '\0';
    }
    return text;
}

/* The parser's nodes into out. */
/* How deep lists are nested under node (0 for a term). The parser's own
 * depth bounds the recursion. */
static int nesting(const struct parser *p, int node)
{
    const struct node *n = &p->nodes[node];
    int most = 0;
    if (n->kind == NODE_TERM)
        return 0;
    for (int i = n->first; i >= 0; i = p->nodes[i].next) {
        int d = nesting(p, i);
        if (d > most)
            most = d;
    }
    return most + 1;
}

static void export_tree(const struct parser *p, int root, struct fk_search_query *out)
{
    out->nodes = fk_xcalloc(p->count, sizeof *out->nodes);
    out->count = p->count;
    out->root = root;
    for (size_t i = 0; i < p->count; i++) {
        const struct node *n = &p->nodes[i];
        struct fk_search_node *to = &out->nodes[i];
        to->kind = n->kind == NODE_TERM  ? FK_SEARCH_TERM
                   : n->kind == NODE_AND ? FK_SEARCH_AND
                                         : FK_SEARCH_OR;
        to->column = n->column == NO_COLUMN ? FK_SEARCH_ANY : (enum fk_search_column)n->column;
        to->excluded = n->excluded;
        to->text = n->kind == NODE_TERM ? term_text(n) : NULL;
        to->prefix = n->prefix;
        to->first = n->first;
        to->next = n->next;
    }
}

int fk_search_parse(const char *query, struct fk_search_query *out, struct fk_error *err)
{
    struct parser p = {.query = query ? query : "", .err = err};
    int ret = -1;

    memset(out, 0, sizeof *out);
    out->root = -1;
    next_token(&p);
    if (p.failed)
        goto out;
    if (p.tok.kind == TOK_END) {
        fk_error_set(err, FK_ERROR_USAGE, "the query is empty");
        goto out;
    }
    int root = parse_or(&p);
    if (root == -1 || p.failed)
        goto out;
    if (p.tok.kind == TOK_CLOSE) {
        fail(&p, "the ')' at column %zu has no matching '('", p.tok.offset + 1);
        goto out;
    }
    if (root == -2) {
        fk_error_set(err, FK_ERROR_USAGE,
                     "nothing to search for: the query has no letters or digits");
        goto out;
    }
    if (check_excluded(&p, root) < 0)
        goto out;
    if (nesting(&p, root) > FK_SEARCH_MAX_NESTING) {
        fk_error_set(err, FK_ERROR_USAGE,
                     "the query is nested too deeply: at most %d levels of groups and operators",
                     FK_SEARCH_MAX_NESTING);
        goto out;
    }
    /* A top-level NOT-only AND was caught above; the root itself may be
     * excluded ("-x" alone). */
    if (p.nodes[root].excluded) {
        fk_error_set(err, FK_ERROR_USAGE,
                     "the query only excludes words (with NOT or -): add something to search "
                     "for");
        goto out;
    }
    export_tree(&p, root, out);
    ret = 0;
out:
    free(p.nodes);
    return ret;
}

void fk_search_query_release(struct fk_search_query *query)
{
    for (size_t i = 0; i < query->count; i++)
        free(query->nodes[i].text);
    free(query->nodes);
    memset(query, 0, sizeof *query);
    query->root = -1;
}

char *fk_search_translate(const char *query, struct fk_error *err)
{
    struct fk_search_query parsed;
    if (fk_search_parse(query, &parsed, err) < 0)
        return NULL;
    char *match = fk_store_fts_match(&parsed);
    fk_search_query_release(&parsed);
    return match;
}
