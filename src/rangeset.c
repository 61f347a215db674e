/*
 * rangeset: sorted disjoint ranges; see rangeset.h for the invariants.
 */
#include "config.h"

#include "rangeset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rangeset_free(RangeSet *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

void rangeset_clear(RangeSet *s)
{
    s->n = 0;
}

size_t rangeset_find(const RangeSet *s, uint64_t x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].hi > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int reserve(RangeSet *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 8;
    while (cap < need)
        cap *= 2;
    MmhSpan *v = realloc(s->v, cap * sizeof *v);
    if (!v)
        return -ENOMEM;
    s->v = v;
    s->cap = cap;
    return 0;
}

int rangeset_add(RangeSet *s, uint64_t lo, uint64_t hi)
{
    if (lo >= hi)
        return 0;
    /* First range that touches or follows [lo, hi): hi >= lo. */
    size_t i = lo ? rangeset_find(s, lo - 1) : 0;
    size_t j = i;
    while (j < s->n && s->v[j].lo <= hi) {
        if (s->v[j].lo < lo)
            lo = s->v[j].lo;
        if (s->v[j].hi > hi)
            hi = s->v[j].hi;
        j++;
    }
    if (i == j) { /* nothing merged: insert */
        if (reserve(s, s->n + 1) < 0)
            return -ENOMEM;
        memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
        s->n++;
    } else { /* ranges i..j-1 collapse into slot i */
        memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof *s->v);
        s->n -= j - i - 1;
    }
    s->v[i].lo = lo;
    s->v[i].hi = hi;
    return 0;
}

int rangeset_remove(RangeSet *s, uint64_t lo, uint64_t hi)
{
    if (lo >= hi)
        return 0;
    size_t i = rangeset_find(s, lo);
    if (i == s->n || s->v[i].lo >= hi)
        return 0;
    if (s->v[i].lo < lo && s->v[i].hi > hi) { /* split one range in two */
        if (reserve(s, s->n + 1) < 0)
            return -ENOMEM;
        memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
        s->n++;
        s->v[i].hi = lo;
        s->v[i + 1].lo = hi;
        return 0;
    }
    if (s->v[i].lo < lo) { /* trim the tail of the first range */
        s->v[i].hi = lo;
        i++;
    }
    size_t j = i;
    while (j < s->n && s->v[j].hi <= hi)
        j++;
    if (j < s->n && s->v[j].lo < hi)
        s->v[j].lo = hi;
    memmove(&s->v[i], &s->v[j], (s->n - j) * sizeof *s->v);
    s->n -= j - i;
    return 0;
}

bool rangeset_contains(const RangeSet *s, uint64_t x)
{
    size_t i = rangeset_find(s, x);
    return i < s->n && s->v[i].lo <= x;
}

bool rangeset_overlaps(const RangeSet *s, uint64_t lo, uint64_t hi)
{
    size_t i = rangeset_find(s, lo);
    return lo < hi && i < s->n && s->v[i].lo < hi;
}

uint64_t rangeset_total(const RangeSet *s)
{
    uint64_t t = 0;
    for (size_t i = 0; i < s->n; i++)
        t += s->v[i].hi - s->v[i].lo;
    return t;
}

uint64_t rangeset_covered(const RangeSet *s, uint64_t lo, uint64_t hi)
{
    uint64_t t = 0;
    for (size_t i = rangeset_find(s, lo); i < s->n && s->v[i].lo < hi; i++) {
        uint64_t a = s->v[i].lo > lo ? s->v[i].lo : lo;
        uint64_t b = s->v[i].hi < hi ? s->v[i].hi : hi;
        t += b - a;
    }
    return t;
}
