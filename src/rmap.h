/*
 * rmap: the residency map, a whole-file picture of what the kernel holds.
 *
 * The file is cut into N buckets (one per screen cell); each bucket gets
 * the share of its pages in the page cache, and marks for dirty, under
 * writeback, locked by this map, holding copy-mode edits, and wholly a
 * hole. One cachestat per bucket (1000 buckets: 0.3-7 ms even for 1 TiB),
 * one PAGEMAP_SCAN for the whole map (edited pages), the map's lock set,
 * and SEEK_DATA/SEEK_HOLE for holes: the cost grows with the number of
 * buckets and the file's extents, never with its size. Under the
 * permission trap nothing is sampled (rmap_sample returns -EPERM) and the
 * map says so instead of drawing a lie.
 *
 * rmap_render draws the map into a Grid: a title row, the buckets row by
 * row, shaded by cached share (' ' none, '.' '-' '+' '*' then '#' all,
 * chosen so a monochrome terminal still reads), marks taking the place of
 * the shade (D dirty, W writeback, L locked, C edited, and holes shown as
 * '_' when nothing of them is cached), the cursor's bucket and the
 * selected bucket highlighted, and a legend with the totals.
 */
#ifndef MMH_RMAP_H
#define MMH_RMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "view.h"

#define RMAP_CACHED_SHADES 6

typedef struct RmapBucket {
    uint64_t lo, hi;    /* the bytes it covers */
    uint32_t pages;     /* pages in it */
    uint32_t cached;    /* of those, in the page cache */
    uint32_t dirty;     /* dirty */
    uint32_t writeback; /* under writeback */
    bool locked;        /* any page locked by this map */
    bool edited;        /* any page holding copy-mode edits */
    bool hole;          /* no data on disk anywhere in it */
} RmapBucket;

typedef struct Rmap {
    RmapBucket *b;     /* the buckets */
    size_t n;          /* how many */
    uint64_t size;     /* the file size they were cut for */
    uint64_t ns;       /* time the last sample took */
    int rc;            /* the last sample's result: 0, -EPERM (trap), ... */
    uint64_t pagesize; /* the map's page size, for byte totals */
    uint64_t locked;   /* bytes locked by this map when sampled */
} Rmap;

#define RMAP_MAX_BUCKETS (1u << 20) /* n is capped here */

/* Cut the file into n buckets and sample them. n is lowered so each bucket
 * holds at least a page, capped at RMAP_MAX_BUCKETS, and raised only where a
 * bucket would pass UINT32_MAX pages (16 TiB of 4 KiB pages: a file of over
 * 16 TiB times n).
 * An empty file gives 0 buckets. Zero-initialise r before the first call.
 * 0 or -errno (-EPERM under the permission trap, -ENOSYS without cachestat,
 * -EINVAL for n 0, -ENOMEM, a failed cachestat or lseek). r->rc always gets
 * the result; on failure the buckets, n, size and ns stay as they were.
 * Edited marks are false where they cannot be known (no pagemap). */
int rmap_sample(Rmap *r, Doc *d, size_t n);
void rmap_free(Rmap *r);

/* The bucket holding offset off (n - 1 for off past the end; 0 when there
 * are no buckets). O(log n). */
size_t rmap_bucket_of(const Rmap *r, uint64_t off);

/* Geometry: how many buckets fit a rows x cols screen (the title, the
 * legend and the status rows taken off). */
size_t rmap_capacity(int rows, int cols);

typedef struct RmapInfo {
    const char *name;        /* file name for the title */
    uint64_t cursor;         /* the editor's cursor (its bucket is marked) */
    size_t selected;         /* the bucket the arrows have selected */
    const char *message;     /* message row, or NULL */
    bool message_error;      /* it is an error */
    const char *unknown_why; /* residency cannot be known: why (else NULL) */
} RmapInfo;

/* Draw the map (g sized to the terminal). Cells use MMH_CC_* classes; the
 * cursor's bucket is MMH_CC_CURSOR2, the selected one MMH_CC_CURSOR (and the
 * terminal cursor). With no message the message row describes the selected
 * bucket. in may be NULL. Never fails; any grid size is safe. */
void rmap_render(const Rmap *r, const RmapInfo *in, Grid *g);

#endif
