/* diff.c - unified diffs of two texts, line by line.
 *
 * The edit script comes from Myers' O(ND) algorithm in its linear-space
 * form ("An O(ND) Difference Algorithm and Its Variations", 1986): find the
 * middle snake of an optimal path by searching from both corners at once,
 * split the problem there, recurse. Lines are compared by a hash first, so
 * the inner loops rarely touch the text. The hunks are then cut from the
 * script the way diff -u cuts them.
 */
#include "feedkeep/diff.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feedkeep/hash.h"

/* A middle snake search gives up after this many rounds and takes the
 * furthest point reached (see middle_snake): beyond it, texts are so large
 * and so different that a shortest diff is not worth quadratic time. Texts
 * with fewer than twice this many differing lines always get a shortest
 * diff. */
#define SNAKE_ROUNDS_MAX 4096

struct line {
    const char *start;
    size_t len;   /* without the newline */
    bool newline; /* ended by '\n' (false only for a last line) */
    uint64_t hash;
};

struct lines {
    struct line *v;
    int count;
};

/* The comparison state: both texts, the two diagonal vectors of the
 * search, and the result as one flag per line. */
struct diff {
    struct lines a, b;
    int *forward;   /* furthest x reached on diagonal k, at forward[k] */
    int *backward;  /* smallest x reached on diagonal k from the end */
    bool *deleted;  /* per line of a */
    bool *inserted; /* per line of b */
};

/* Split text into lines. A text ending in a newline has no empty last
 * line; "" has no lines. */
static void split_lines(const char *text, struct lines *out)
{
    size_t len = text ? strlen(text) : 0;
    size_t count = 0, cap = 0;
    struct line *v = NULL;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            v = fk_xrealloc(v, cap * sizeof *v);
        }
        v[count].start = text + i;
        v[count].len = end - i;
        v[count].newline = nl != NULL;
        v[count].hash = fk_fnv1a64(text + i, end - i); /* compares lines cheaply */
        count++;
        i = nl ? end + 1 : len;
    }
    out->v = v;
    /* A line is at least one byte, and fk_buf holds at most SIZE_MAX:
     * the count fits an int for any text below 2 GiB. */
    out->count = count > INT_MAX ? INT_MAX : (int)count;
}

static bool same_line(const struct diff *d, int x, int y)
{
    const struct line *p = &d->a.v[x], *q = &d->b.v[y];
    return p->hash == q->hash && p->len == q->len && p->newline == q->newline &&
           memcmp(p->start, q->start, p->len) == 0;
}

/* Find a point (*xmid, *ymid) that splits the comparison of a[alo, ahi)
 * with b[blo, bhi) into two smaller ones: where the forward search from
 * (alo, blo) and the backward search from (ahi, bhi) meet on an optimal
 * path. Diagonals are k = x - y. Both ranges are non-empty and differ in
 * their first and last lines. Returns false when the search gave up
 * without a usable point. */
static bool middle_snake(struct diff *d, int alo, int ahi, int blo, int bhi, int *xmid, int *ymid)
{
    int *fd = d->forward, *bd = d->backward;
    const int dmin = alo - bhi, dmax = ahi - blo;
    const int fmid = alo - blo, bmid = ahi - bhi;
    const bool odd = (fmid - bmid) & 1;
    int fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;

    fd[fmid] = alo;
    bd[bmid] = ahi;
    for (int round = 1;; round++) {
        /* One more edit forward: widen the diagonals by one each side
         * (or narrow to keep their parity at the edge of the box). */
        if (fmin > dmin)
            fd[--fmin - 1] = -1;
        else
            ++fmin;
        if (fmax < dmax)
            fd[++fmax + 1] = -1;
        else
            --fmax;
        for (int k = fmax; k >= fmin; k -= 2) {
            int from_below = fd[k - 1], from_above = fd[k + 1];
            int x = from_below >= from_above ? from_below + 1 : from_above;
            int y = x - k;
            while (x < ahi && y < bhi && same_line(d, x, y)) {
                x++;
                y++;
            }
            fd[k] = x;
            if (odd && bmin <= k && k <= bmax && bd[k] <= x) {
                *xmid = x;
                *ymid = y;
                return true;
            }
        }
        /* One more edit backward. */
        if (bmin > dmin)
            bd[--bmin - 1] = INT_MAX;
        else
            ++bmin;
        if (bmax < dmax)
            bd[++bmax + 1] = INT_MAX;
        else
            --bmax;
        for (int k = bmax; k >= bmin; k -= 2) {
            int from_below = bd[k - 1], from_above = bd[k + 1];
            int x = from_below < from_above ? from_below : from_above - 1;
            int y = x - k;
            while (x > alo && y > blo && same_line(d, x - 1, y - 1)) {
                x--;
                y--;
            }
            bd[k] = x;
            if (!odd && fmin <= k && k <= fmax && x <= fd[k]) {
                *xmid = x;
                *ymid = y;
                return true;
            }
        }
        if (round < SNAKE_ROUNDS_MAX)
            continue;
        /* Too expensive: split at the forward point that got furthest
         * from the start. Every forward diagonal has made progress, so the
         * point is past (alo, blo); it can only be (ahi, bhi) if the
         * searches met, which they did not. */
        int best = -1;
        for (int k = fmax; k >= fmin; k -= 2) {
            int x = fd[k] < ahi ? fd[k] : ahi;
            int y = x - k;
            if (y > bhi) {
                y = bhi;
                x = y + k;
            }
            if (x + y > best) {
                best = x + y;
                *xmid = x;
                *ymid = y;
            }
        }
        return best > alo + blo && best < ahi + bhi;
    }
}

/* Mark the lines of a[alo, ahi) deleted and b[blo, bhi) inserted on a
 * shortest edit (Myers' divide and conquer). */
static void compare(struct diff *d, int alo, int ahi, int blo, int bhi)
{
    for (;;) {
        while (alo < ahi && blo < bhi && same_line(d, alo, blo)) {
            alo++;
            blo++;
        }
        while (alo < ahi && blo < bhi && same_line(d, ahi - 1, bhi - 1)) {
            ahi--;
            bhi--;
        }
        int x = alo, y = blo;
        if (alo == ahi || blo == bhi || !middle_snake(d, alo, ahi, blo, bhi, &x, &y)) {
            for (int i = alo; i < ahi; i++)
                d->deleted[i] = true;
            for (int j = blo; j < bhi; j++)
                d->inserted[j] = true;
            return;
        }
        /* Recurse into the first part and loop on the second, so the
         * depth grows with the logarithm of the edit, not its length. */
        compare(d, alo, x, blo, y);
        alo = x;
        blo = y;
    }
}

/* One step of the edit script: a line kept, deleted from a or inserted
 * from b, with the positions in both texts when it happens. */
enum op_kind { OP_KEEP, OP_DELETE, OP_INSERT };

struct op {
    enum op_kind kind;
    int a; /* index in a of this line (OP_KEEP, OP_DELETE) or of the next */
    int b;
};

/* "@@ -l,s +l,s @@" as diff writes it: ",1" left out, and a range of no
 * lines named by the line before it. */
static int add_range(struct fk_buf *out, char sign, int start, int count)
{
    if (count == 1)
        return fk_buf_printf(out, "%c%d", sign, start + 1);
    return fk_buf_printf(out, "%c%d,%d", sign, count ? start + 1 : start, count);
}

static int add_line(struct fk_buf *out, char sign, const struct line *line)
{
    if (fk_buf_addc(out, sign) < 0 || fk_buf_add(out, line->start, line->len) < 0 ||
        fk_buf_addc(out, '\n') < 0)
        return -1;
    if (!line->newline && fk_buf_adds(out, "\\ No newline at end of file\n") < 0)
        return -1;
    return 0;
}

/* Write the hunk of ops[first, last). */
static int add_hunk(const struct diff *d, const struct op *ops, size_t first, size_t last,
                    struct fk_buf *out)
{
    int old_count = 0, new_count = 0;
    for (size_t i = first; i < last; i++) {
        old_count += ops[i].kind != OP_INSERT;
        new_count += ops[i].kind != OP_DELETE;
    }
    if (fk_buf_adds(out, "@@ ") < 0 || add_range(out, '-', ops[first].a, old_count) < 0 ||
        fk_buf_addc(out, ' ') < 0 || add_range(out, '+', ops[first].b, new_count) < 0 ||
        fk_buf_adds(out, " @@\n") < 0)
        return -1;
    for (size_t i = first; i < last; i++) {
        const struct op *op = &ops[i];
        int rc = op->kind == OP_KEEP     ? add_line(out, ' ', &d->a.v[op->a])
                 : op->kind == OP_DELETE ? add_line(out, '-', &d->a.v[op->a])
                                         : add_line(out, '+', &d->b.v[op->b]);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int fk_diff_unified(const char *old_text, const char *new_text, const char *old_label,
                    const char *new_label, int context, struct fk_buf *out)
{
    struct diff d = {0};
    struct op *ops = NULL;
    int hunks = 0;

    if (context < 0)
        context = 0;
    split_lines(old_text, &d.a);
    split_lines(new_text, &d.b);
    int n = d.a.count, m = d.b.count;
    d.deleted = fk_xcalloc((size_t)n + 1, sizeof *d.deleted);
    d.inserted = fk_xcalloc((size_t)m + 1, sizeof *d.inserted);
    /* Diagonals run from -m to n, with one more each side for the
     * sentinels the search writes. */
    size_t diagonals = (size_t)n + (size_t)m + 3;
    int *forward = fk_xmalloc(diagonals * sizeof *forward);
    int *backward = fk_xmalloc(diagonals * sizeof *backward);
    d.forward = forward + m + 1;
    d.backward = backward + m + 1;
    compare(&d, 0, n, 0, m);

    /* The script: deletions before insertions within a change, as diff
     * shows them. */
    ops = fk_xmalloc(((size_t)n + (size_t)m + 1) * sizeof *ops);
    size_t nops = 0;
    for (int i = 0, j = 0; i < n || j < m;) {
        enum op_kind kind = i < n && d.deleted[i]    ? OP_DELETE
                            : j < m && d.inserted[j] ? OP_INSERT
                                                     : OP_KEEP;
        ops[nops++] = (struct op){kind, i, j};
        i += kind != OP_INSERT;
        j += kind != OP_DELETE;
    }

    /* Hunks: each change with context lines around it, changes closer
     * than twice the context joined into one hunk. */
    size_t i = 0;
    while (i < nops) {
        while (i < nops && ops[i].kind == OP_KEEP)
            i++;
        if (i == nops)
            break;
        size_t first = i > (size_t)context ? i - (size_t)context : 0;
        size_t last_change = i;
        for (size_t k = i + 1; k < nops; k++) {
            if (ops[k].kind == OP_KEEP)
                continue;
            if (k - last_change - 1 > 2 * (size_t)context)
                break;
            last_change = k;
        }
        size_t last = last_change + 1 + (size_t)context;
        if (last > nops)
            last = nops;
        if (hunks == 0 && fk_buf_printf(out, "--- %s\n+++ %s\n", old_label ? old_label : "a",
                                        new_label ? new_label : "b") < 0) {
            hunks = -1;
            goto out;
        }
        if (add_hunk(&d, ops, first, last, out) < 0) {
            hunks = -1;
            goto out;
        }
        hunks++;
        i = last_change + 1;
    }
out:
    free(ops);
    free(forward);
    free(backward);
    free(d.deleted);
    free(d.inserted);
    free(d.a.v);
    free(d.b.v);
    return hunks;
}
