/*
 * edits: net bytes since the last write (see edits.h).
 *
 * Invariants: extents are sorted by lo, each non-empty, and a gap separates
 * neighbours (an insert that touches or overlaps neighbours merges them), so
 * a byte is held by at most one extent and a run of net bytes never spans
 * two extents.
 */
#include "config.h"

#include "edits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void edits_clear(Edits *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].base);
        free(e->v[i].cur);
    }
    e->n = 0;
}

void edits_free(Edits *e)
{
    edits_clear(e);
    free(e->v);
    e->v = NULL;
    e->cap = 0;
}

/* Index of the first extent with hi >= x (n when none): the one holding x
 * or ending right at it, else the first one after it. */
static size_t find(const Edits *e, uint64_t x)
{
    size_t a = 0, b = e->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (e->v[m].hi < x)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

/* Grow extent x to end at hi, its new bytes uninitialised. */
static int extend(EditExtent *x, uint64_t hi)
{
    size_t n = (size_t)(hi - x->lo);
    uint8_t *b = realloc(x->base, n);
    if (!b)
        return -ENOMEM;
    x->base = b;
    uint8_t *c = realloc(x->cur, n);
    if (!c)
        return -ENOMEM; /* base is merely larger than it need be */
    x->cur = c;
    x->hi = hi;
    return 0;
}

int edits_touch(Edits *e, uint64_t off, const uint8_t *before, const uint8_t *after, size_t len)
{
    if (len == 0)
        return 0;
    if (len > UINT64_MAX - off)
        return -EINVAL;
    uint64_t end = off + len;
    size_t i = find(e, off);
    size_t j = i; /* extents [i, j) touch or overlap [off, end] */
    while (j < e->n && e->v[j].lo <= end)
        j++;

    /* Inside one extent: only the values now change. */
    if (j == i + 1 && e->v[i].lo <= off && end <= e->v[i].hi) {
        memcpy(e->v[i].cur + (off - e->v[i].lo), after, len);
        return 0;
    }
    /* Right after one extent, touching nothing else: append (typing). */
    if (j == i + 1 && e->v[i].hi == off) {
        EditExtent *x = &e->v[i];
        if (extend(x, end) < 0)
            return -ENOMEM;
        memcpy(x->base + (off - x->lo), before, len);
        memcpy(x->cur + (off - x->lo), after, len);
        return 0;
    }

    /* The general case: one new extent replaces [i, j). */
    uint64_t lo = off, hi = end;
    if (j > i && e->v[i].lo < lo)
        lo = e->v[i].lo;
    if (j > i && e->v[j - 1].hi > hi)
        hi = e->v[j - 1].hi;
    if (hi - lo > SIZE_MAX)
        return -ENOMEM;
    if (j == i && e->n == e->cap) { /* a new extent needs a slot */
        size_t cap = e->cap ? e->cap * 2 : 16;
        EditExtent *v = cap > SIZE_MAX / sizeof *v ? NULL : realloc(e->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        e->v = v;
        e->cap = cap;
    }
    size_t n = (size_t)(hi - lo);
    EditExtent x = {lo, hi, malloc(n), malloc(n)};
    if (!x.base || !x.cur) {
        free(x.base);
        free(x.cur);
        return -ENOMEM;
    }
    /* Bases: the old extents' where they had one, before elsewhere. */
    memcpy(x.base + (off - lo), before, len);
    for (size_t k = i; k < j; k++) {
        memcpy(x.base + (e->v[k].lo - lo), e->v[k].base, (size_t)(e->v[k].hi - e->v[k].lo));
        memcpy(x.cur + (e->v[k].lo - lo), e->v[k].cur, (size_t)(e->v[k].hi - e->v[k].lo));
        free(e->v[k].base);
        free(e->v[k].cur);
    }
    memcpy(x.cur + (off - lo), after, len);
    if (j == i) { /* a new extent: make its slot */
        memmove(&e->v[i + 1], &e->v[i], (e->n - i) * sizeof *e->v);
        e->n++;
    } else if (j > i + 1) { /* several became one */
        memmove(&e->v[i + 1], &e->v[j], (e->n - j) * sizeof *e->v);
        e->n -= j - i - 1;
    }
    e->v[i] = x;
    return 0;
}

/* Net bytes among n values. */
static uint64_t count_net(const uint8_t *base, const uint8_t *cur, size_t n)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += base[i] != cur[i];
    return k;
}

uint64_t edits_truncate(Edits *e, uint64_t size)
{
    uint64_t lost = 0;
    size_t i = e->n;
    while (i > 0 && e->v[i - 1].hi > size) {
        EditExtent *x = &e->v[i - 1];
        if (x->lo >= size) {
            lost += count_net(x->base, x->cur, (size_t)(x->hi - x->lo));
            free(x->base);
            free(x->cur);
            i--;
            continue;
        }
        size_t keep = (size_t)(size - x->lo);
        lost += count_net(x->base + keep, x->cur + keep, (size_t)(x->hi - size));
        x->hi = size; /* the buffers keep their room: harmless */
        break;
    }
    e->n = i;
    return lost;
}

/* Call fn for each run of net bytes in extent x, from byte index a on. */
static int each_run(const EditExtent *x, size_t a, EditsRunFn fn, void *ctx)
{
    size_t n = (size_t)(x->hi - x->lo);
    while (a < n) {
        if (x->base[a] == x->cur[a]) {
            a++;
            continue;
        }
        size_t b = a + 1;
        while (b < n && x->base[b] != x->cur[b])
            b++;
        int rc = fn(x->lo + a, x->cur + a, b - a, ctx);
        if (rc)
            return rc;
        a = b;
    }
    return 0;
}

int edits_each_net(const Edits *e, EditsRunFn fn, void *ctx)
{
    return edits_each_net_from(e, 0, fn, ctx);
}

int edits_each_net_from(const Edits *e, uint64_t from, EditsRunFn fn, void *ctx)
{
    for (size_t i = find(e, from); i < e->n; i++) {
        const EditExtent *x = &e->v[i];
        int rc = each_run(x, from > x->lo ? (size_t)(from - x->lo) : 0, fn, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

static int tally(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    (void)off, (void)cur;
    uint64_t *t = ctx;
    t[0] += len;
    t[1]++;
    return 0;
}

uint64_t edits_net_bytes(const Edits *e, uint64_t *runs)
{
    uint64_t t[2] = {0, 0};
    edits_each_net(e, tally, t);
    if (runs)
        *runs = t[1];
    return t[0];
}

int edits_read(const Edits *e, uint64_t off, uint8_t *buf, size_t len)
{
    size_t i = find(e, off);
    if (i < e->n && e->v[i].hi == off && len) /* ends right at off */
        i++;
    if (i >= e->n || e->v[i].lo > off || len > e->v[i].hi - off)
        return -ERANGE;
    memcpy(buf, e->v[i].cur + (off - e->v[i].lo), len);
    return 0;
}

bool edits_net_in(const Edits *e, uint64_t lo, uint64_t hi)
{
    for (size_t i = find(e, lo); i < e->n && e->v[i].lo < hi; i++) {
        const EditExtent *x = &e->v[i];
        uint64_t a = lo > x->lo ? lo : x->lo, b = hi < x->hi ? hi : x->hi;
        for (uint64_t k = a; k < b; k++)
            if (x->base[k - x->lo] != x->cur[k - x->lo])
                return true;
    }
    return false;
}
