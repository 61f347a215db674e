/*
 * diff: two documents compared byte by byte, as a job of bounded steps,
 * reading only what may differ.
 *
 * Positions are A's offsets; the byte of B compared with A's byte x is
 * B's byte x + shift (shift may be negative: "B starts 0x200 later" is a
 * shift of 0x200). The compared span runs from max(0, -shift) (the first
 * position both sides can have: bytes of one side before the other's start
 * are not compared) to max(size A, size B - shift). Where both sides have
 * bytes it is the paired part; past it, the tail of the longer side is one
 * difference (whatever its bytes). A difference range is a maximal run of
 * differing positions: ranges split only at equal bytes, never at windows,
 * threads or extents.
 *
 * What is read:
 *   - a hole in both sides: equal, nothing read (DiffSummary.holes);
 *   - a hole in one side: the other side's data against zeros (only that
 *     side is read);
 *   - the same physical extent in both (FIEMAP: FIEMAP_EXTENT_SHARED and
 *     the same physical byte for the two positions; reflinked copies), with
 *     no dirty or writeback pages in either range (cachestat: a write not yet
 *     on disk makes its extent a stale witness) and no unwritten edit:
 *     equal, nothing read (DiffSummary.shared). The same file on both sides
 *     with no shift is all shared;
 *   - elsewhere: pread of both into per-thread buffers, copy-mode edits laid
 *     over (doc_overlay), compared a block at a time (memcmp), narrowed by
 *     8-byte words. Rounds are split between a pool of threads (one per CPU)
 *     and the results taken in order, so they equal one thread's.
 * Unwritten edits (journal_runs) are always compared, even in holes.
 *
 * Memory is bounded whatever the number of differences: ranges are handed
 * to a callback in order as they are found, never kept; each thread holds at
 * most a fixed number of ranges per round (a round cut short there goes on
 * from the cut in the next round).
 *
 * A file that shrinks under the scan: a step returns -MMH_ETRUNC (the maps
 * have the new sizes, like search.h), and a further step goes on within
 * the new sizes.
 *
 * Threads: diff_step runs on the caller's thread and its pool; the callback
 * runs on the caller's thread. The documents must outlive the Diff and must
 * not be edited while it runs (the side-by-side screen freezes edits, or
 * restarts the diff after one).
 */
#ifndef MMH_DIFF_H
#define MMH_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

typedef struct Diff Diff;

typedef enum DiffMode {
    DIFF_ALL,   /* every difference in order, through DiffOpts.on_range, and a summary */
    DIFF_FIRST, /* the first difference at or after from (backward: the last below it) */
} DiffMode;

typedef struct DiffRange {
    uint64_t off; /* A's offset of its first byte (B's: off + shift) */
    uint64_t len; /* differing positions, >= 1 */
} DiffRange;

/* A range found (ALL mode), on the caller's thread, in order. Returns 0 to
 * go on, or a negative code that diff_step returns (an output error). */
typedef int (*DiffRangeFn)(const DiffRange *r, void *ctx);

typedef struct DiffOpts {
    DiffMode mode;
    int64_t shift;        /* B's offset = A's offset + shift */
    uint64_t lo, hi;      /* compare only positions in [lo, hi) of the span (hi 0: to its end) */
    uint64_t from;        /* FIRST: forward, the first position looked at; backward,
                             positions below it are looked at */
    bool backward;        /* FIRST: the last difference with a byte below from */
    DiffRangeFn on_range; /* ALL: each range (may be NULL: the summary only) */
    void *ctx;            /* for on_range */
    size_t window;        /* bytes per read per thread, 0: the default (256 KiB);
                             tests shrink it to hit every boundary */
    int threads;          /* threads at once, 0: one per online CPU */
    size_t max_ranges;    /* ranges a thread holds per round, 0: the default
                             (4096); tests shrink it to cut rounds short */
} DiffOpts;

/* Start a comparison of a and b (which may be the same document). 0,
 * -EINVAL, -ENOMEM. Nothing is read until diff_step. */
int diff_start(Diff **out, Doc *a, Doc *b, const DiffOpts *o);

#define DIFF_RUNNING 0 /* call diff_step again */
#define DIFF_DONE 1    /* the comparison is over (FIRST: diff_found says what) */

/* Compare for about budget_ns (at least one round). DIFF_RUNNING,
 * DIFF_DONE, or -errno (-MMH_ETRUNC: a file shrank, as above; an error may be
 * retried with another step), or the callback's code. After DONE every step
 * returns DONE. */
int diff_step(Diff *d, uint64_t budget_ns);

/* FIRST mode after DONE: true with *r when a difference was found. A
 * difference running across from is given from from on (forward) or up to
 * from (backward). */
bool diff_found(const Diff *d, DiffRange *r);

typedef struct DiffSummary {
    uint64_t ranges;     /* difference ranges reported so far */
    uint64_t bytes;      /* positions in them */
    uint64_t first;      /* the first one's offset (ranges > 0) */
    uint64_t last;       /* one past the last one's end (ranges > 0) */
    uint64_t bytes_read; /* bytes read from both files together */
    uint64_t holes;      /* positions skipped: a hole on both sides */
    uint64_t shared;     /* positions skipped: the same physical extent */
    uint64_t done;       /* positions looked at so far (skipped ones too) */
    uint64_t total;      /* positions to look at (falls if a file shrinks) */
    uint64_t ns;         /* time spent in steps */
    uint64_t lo, hi;     /* the span compared */
    uint64_t pair_hi;    /* where the paired part ends: [pair_hi, hi) is the tail */
} DiffSummary;

/* As of now: a running total while the comparison runs. */
void diff_summary(const Diff *d, DiffSummary *out);

/* Stop (at any point) and free. */
void diff_free(Diff *d);

/* The span for sizes and a shift: [*lo, *hi), the paired part ending at
 * *pair_hi (see above). For a screen laying the two sides out. */
void diff_span(uint64_t size_a, uint64_t size_b, int64_t shift, uint64_t *lo, uint64_t *pair_hi,
               uint64_t *hi);

/* The first differing byte of a[0, n) and b[0, n) at or after i (n if
 * none), and the first equal one; the word compares the engine uses. */
size_t diff_first_diff(const uint8_t *a, const uint8_t *b, size_t i, size_t n);
size_t diff_first_same(const uint8_t *a, const uint8_t *b, size_t i, size_t n);

#endif
