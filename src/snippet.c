/* snippet.c - the snippet of a search hit, made from its text.
 *
 * The text is read much as the full-text indexes read it: words are runs
 * of letters and digits, compared without case. The terms of the query
 * that can match in the text (not those limited to the title or the tags,
 * not those excluded) are found among its words, a phrase as its words
 * one after the other, a prefix as the start of a word. Of the windows of
 * the wanted number of words, the one shown holds the most different
 * terms, then the most matches. A window that starts a sentence (or the
 * text) gets a bonus worth less than a term, so it wins over one that
 * holds as many terms but cuts into a sentence; any other is moved so
 * that the matches it holds sit in its middle. "…" stands where the text
 * goes on before or after it.
 */
#include "feedkeep/search.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/utf8.h"

/* What a window's matches are worth: each different term, each further
 * match, and beginning a sentence (more for the text's first). */
#define SCORE_TERM     1000
#define SCORE_REPEAT   1
#define SCORE_SENTENCE 100
#define SCORE_START    120

/* The ellipsis, U+2026. */
#define ELLIPSIS "\xE2\x80\xA6"

/* A word of the text: its bytes [start, end). */
struct word {
    size_t start;
    size_t end;
};

/* A term of the query: its words (folded) words[first .. first + count). */
struct term {
    size_t first;
    size_t count;
    bool prefix; /* the last word starts a word of the text */
};

/* A match of a term: the text's words [first, last]. */
struct match {
    size_t term;
    size_t first;
    size_t last;
};

struct snippet {
    struct fk_buf folded; /* the terms' words, each NUL-terminated */
    size_t *word_at;      /* where each word starts in folded */
    size_t words;
    size_t words_cap;
    struct term *terms;
    size_t nterms;
    size_t terms_cap;
};

/* Whether c is part of a word. Outside ASCII: everything but the
 * punctuation, symbols and spaces of the blocks that hold them. */
static bool is_word_char(uint32_t c)
{
    if (c < 0x80)
        return fk_is_alnum((char)c);
    if (c < 0xC0)
        return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA ||
               (c >= 0xBC && c <= 0xBE);
    if (c == 0xD7 || c == 0xF7)
        return false;
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) ||
        (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE1F) ||
        (c >= 0xFE30 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF0F) ||
        (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
        (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x1F000 && c <= 0x1FAFF))
        return (c >= 0x2070 && c <= 0x209F) || (c >= 0x2150 && c <= 0x218F) ||
               (c >= 0x2460 && c <= 0x24FF); /* super- and subscripts, number forms */
    return true;
}

/* c in lower case, for the scripts whose case the index folds most often:
 * Latin, Greek, Cyrillic. */
static uint32_t fold(uint32_t c)
{
    if (c < 0x80)
        return (uint32_t)fk_ascii_lower((char)c);
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if ((c >= 0x100 && c <= 0x137 && c % 2 == 0) || (c >= 0x14A && c <= 0x177 && c % 2 == 0) ||
        (c >= 0x460 && c <= 0x480 && c % 2 == 0) || (c >= 0x48A && c <= 0x4BE && c % 2 == 0))
        return c + 1;
    if ((c >= 0x139 && c <= 0x148 && c % 2 == 1) || (c >= 0x179 && c <= 0x17E && c % 2 == 1))
        return c + 1;
    if (c == 0x178)
        return 0xFF;
    return c;
}

/* The character at s[*at] (folded), *at moved past it; a byte that starts
 * no valid sequence reads as U+FFFD. */
static uint32_t next_char(const char *s, size_t len, size_t *at)
{
    uint32_t c = 0xFFFD;
    size_t n = fk_utf8_decode(s + *at, len - *at, &c);
    *at += n ? n : 1;
    return n ? c : 0xFFFD;
}

/* The next word of s[*at, len) into w, *at past it; false at the end. */
static bool next_word(const char *s, size_t len, size_t *at, struct word *w)
{
    while (*at < len) {
        size_t start = *at;
        if (is_word_char(next_char(s, len, at))) {
            w->start = start;
            for (;;) {
                size_t end = *at;
                if (end >= len || !is_word_char(next_char(s, len, at))) {
                    *at = w->end = end;
                    return true;
                }
            }
        }
    }
    return false;
}

/* Append the words of a term's text (folded) to sn, as the text's words
 * are split. */
static void add_term(struct snippet *sn, const struct fk_search_node *n)
{
    const char *s = n->text;
    size_t len = strlen(s);
    size_t at = 0;
    struct word w;
    struct term t = {sn->words, 0, n->prefix};
    while (next_word(s, len, &at, &w)) {
        if (sn->words == sn->words_cap) {
            sn->words_cap = sn->words_cap ? 2 * sn->words_cap : 8;
            sn->word_at = fk_xrealloc(sn->word_at, sn->words_cap * sizeof *sn->word_at);
        }
        sn->word_at[sn->words++] = sn->folded.len;
        for (size_t i = w.start; i < w.end;) {
            char utf8[FK_UTF8_MAX];
            fk_buf_add(&sn->folded, utf8, fk_utf8_encode(fold(next_char(s, w.end, &i)), utf8));
        }
        fk_buf_addc(&sn->folded, '\0');
        t.count++;
    }
    if (!t.count)
        return;
    if (sn->nterms == sn->terms_cap) {
        sn->terms_cap = sn->terms_cap ? 2 * sn->terms_cap : 4;
        sn->terms = fk_xrealloc(sn->terms, sn->terms_cap * sizeof *sn->terms);
    }
    sn->terms[sn->nterms++] = t;
}

/* The terms under node that can match in the text. */
static void add_terms(struct snippet *sn, const struct fk_search_query *query, int node, int column)
{
    const struct fk_search_node *n = &query->nodes[node];
    if (n->excluded)
        return;
    if (n->column != FK_SEARCH_ANY)
        column = n->column;
    if (n->kind == FK_SEARCH_TERM) {
        if (column == FK_SEARCH_ANY || column == FK_SEARCH_TEXT)
            add_term(sn, n);
        return;
    }
    for (int i = n->first; i >= 0; i = query->nodes[i].next)
        add_terms(sn, query, i, column);
}

/* Whether the text's word w, folded, is the folded word (or starts with
 * it, for a prefix). */
static bool word_is(const char *text, const struct word *w, const char *word, bool prefix)
{
    size_t at = w->start;
    while (at < w->end) {
        char utf8[FK_UTF8_MAX];
        size_t n = fk_utf8_encode(fold(next_char(text, w->end, &at)), utf8);
        if (strncmp(word, utf8, n) != 0)
            return !*word && prefix;
        word += n;
    }
    return !*word;
}

/* Whether a sentence begins with the text's word i: the text's first,
 * or one after white space that follows ".", ":", "!" or "?". */
static bool begins_sentence(const char *text, const struct word *words, size_t i)
{
    if (i == 0)
        return true;
    size_t at = words[i].start;
    while (at > words[i - 1].end && fk_is_space(text[at - 1]))
        at--;
    if (at == words[i].start || at == words[i - 1].end)
        return false;
    char c = text[at - 1];
    return c == '.' || c == ':' || c == '!' || c == '?';
}

/* The score of the window of words [start, end): matches holds the
 * matches in order of their first word. Its first and last words matched
 * into *first and *last (start and end - 1 when none is). seen: a mark
 * per term, stamp not yet used in it. */
static long window_score(const struct match *matches, size_t count, size_t start, size_t end,
                         size_t *seen, size_t stamp, size_t *first, size_t *last)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (matches[mid].first < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    long score = 0;
    *first = end;
    *last = start;
    for (size_t i = lo; i < count && matches[i].first < end; i++) {
        const struct match *m = &matches[i];
        if (m->last >= end)
            continue;
        score += seen[m->term] == stamp ? SCORE_REPEAT : SCORE_TERM;
        seen[m->term] = stamp;
        if (m->first < *first)
            *first = m->first;
        if (m->last > *last)
            *last = m->last;
    }
    if (*first == end) {
        *first = start;
        *last = end - 1;
    }
    return score;
}

/* The first word of the window of size words holding the best matches. */
static size_t best_window(const char *text, const struct word *words, size_t nwords,
                          const struct match *matches, size_t count, size_t nterms, size_t size)
{
    if (!count || nwords <= size)
        return 0;
    size_t *seen = fk_xcalloc(nterms, sizeof *seen);
    size_t stamp = 0, best = 0, first, last;
    long best_score = -1;
    for (size_t i = 0; i < count; i++) {
        const struct match *m = &matches[i];
        /* The window from this match, moved to put its matches in the
         * middle (it keeps them all, and may gain some). */
        size_t start = m->first;
        window_score(matches, count, start, start + size, seen, ++stamp, &first, &last);
        size_t margin = (size - (last + 1 - first)) / 2;
        start = first > margin ? first - margin : 0;
        if (start > nwords - size)
            start = nwords - size;
        long score =
            window_score(matches, count, start, start + size, seen, ++stamp, &first, &last);
        if (score > best_score) {
            best_score = score;
            best = start;
        }
        /* The window from the sentence the match is in, if it reaches
         * the match's end. */
        size_t s = m->first;
        while (s > 0 && m->last - s + 1 < size && !begins_sentence(text, words, s))
            s--;
        if (m->last - s + 1 <= size && begins_sentence(text, words, s)) {
            size_t end = s + size < nwords ? s + size : nwords;
            score = window_score(matches, count, s, end, seen, ++stamp, &first, &last) +
                    (s == 0 ? SCORE_START : SCORE_SENTENCE);
            if (score > best_score) {
                best_score = score;
                best = s;
            }
        }
    }
    free(seen);
    return best;
}

void fk_search_snippet(const struct fk_search_query *query, const char *text, size_t len, int size,
                       const char *open, const char *close, struct fk_buf *out)
{
    struct snippet sn = {FK_BUF_INIT, NULL, 0, 0, NULL, 0, 0};
    struct word *words = NULL;
    struct match *matches = NULL;
    size_t nwords = 0, words_cap = 0, count = 0, matches_cap = 0;
    struct word w;
    size_t at = 0;

    fk_buf_reset(out);
    if (!open)
        open = "";
    if (!close)
        close = "";
    if (size < 1)
        size = 1;
    if (query && query->root >= 0)
        add_terms(&sn, query, query->root, FK_SEARCH_ANY);
    while (next_word(text, len, &at, &w)) {
        if (nwords == words_cap) {
            words_cap = words_cap ? 2 * words_cap : 256;
            words = fk_xrealloc(words, words_cap * sizeof *words);
        }
        words[nwords++] = w;
    }
    /* The matches, in order of their first word. */
    for (size_t i = 0; i < nwords && sn.nterms; i++) {
        for (size_t t = 0; t < sn.nterms; t++) {
            const struct term *term = &sn.terms[t];
            size_t k = 0;
            while (k < term->count && i + k < nwords &&
                   word_is(text, &words[i + k], sn.folded.data + sn.word_at[term->first + k],
                           term->prefix && k + 1 == term->count))
                k++;
            if (k < term->count)
                continue;
            if (count == matches_cap) {
                matches_cap = matches_cap ? 2 * matches_cap : 16;
                matches = fk_xrealloc(matches, matches_cap * sizeof *matches);
            }
            matches[count++] = (struct match){t, i, i + term->count - 1};
        }
    }

    size_t first = best_window(text, words, nwords, matches, count, sn.nterms, (size_t)size);
    size_t end = first + (size_t)size < nwords ? first + (size_t)size : nwords;
    size_t from = first > 0 ? words[first].start : 0;
    size_t to = end < nwords ? words[end - 1].end : len;
    if (first > 0)
        fk_buf_adds(out, ELLIPSIS);
    /* The matches in the window, those that overlap marked as one. */
    size_t pos = from;
    for (size_t i = 0; i < count;) {
        if (matches[i].first < first || matches[i].last >= end) {
            i++;
            continue;
        }
        size_t span = matches[i].first, last = matches[i].last;
        for (i++; i < count && matches[i].first <= last; i++)
            if (matches[i].last < end && matches[i].last > last)
                last = matches[i].last;
        fk_buf_add(out, text + pos, words[span].start - pos);
        fk_buf_adds(out, open);
        fk_buf_add(out, text + words[span].start, words[last].end - words[span].start);
        fk_buf_adds(out, close);
        pos = words[last].end;
    }
    fk_buf_add(out, text + pos, to - pos);
    if (end < nwords)
        fk_buf_adds(out, ELLIPSIS);
    if (!out->data)
        fk_buf_adds(out, "");
    free(words);
    free(matches);
    free(sn.word_at);
    free(sn.terms);
    fk_buf_release(&sn.folded);
}
