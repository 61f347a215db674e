/*
 * rangeset: a sorted set of disjoint half-open [lo, hi) ranges of offsets.
 *
 * Used for locked pages, edited runs and selections. Adjacent and overlapping
 * ranges are merged on insert, so the set is always canonical: sorted by lo,
 * with a gap between neighbours. Lookups are O(log n); inserts and removals
 * O(n) in the number of ranges (which grows with user actions, never with
 * the file size).
 */
#ifndef MMH_RANGESET_H
#define MMH_RANGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct MmhSpan {
    uint64_t lo; /* first offset */
    uint64_t hi; /* one past the last offset */
} MmhSpan;

typedef struct RangeSet {
    MmhSpan *v; /* the ranges, sorted, disjoint, non-adjacent */
    size_t n;   /* how many */
    size_t cap; /* allocated slots */
} RangeSet;

#define RANGESET_INIT                                                                              \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void rangeset_free(RangeSet *s);
void rangeset_clear(RangeSet *s);

/* Add [lo, hi) (empty ranges are ignored). 0 or -ENOMEM (set unchanged). */
int rangeset_add(RangeSet *s, uint64_t lo, uint64_t hi);

/* Remove [lo, hi); may split a range. 0 or -ENOMEM (set unchanged). */
int rangeset_remove(RangeSet *s, uint64_t lo, uint64_t hi);

bool rangeset_contains(const RangeSet *s, uint64_t x);
bool rangeset_overlaps(const RangeSet *s, uint64_t lo, uint64_t hi);

/* Bytes covered in all, and bytes covered within [lo, hi). */
uint64_t rangeset_total(const RangeSet *s);
uint64_t rangeset_covered(const RangeSet *s, uint64_t lo, uint64_t hi);

/* Index of the first range with hi > x (n when none). */
size_t rangeset_find(const RangeSet *s, uint64_t x);

#endif
