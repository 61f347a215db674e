/*
 * extent: where a file holds data and where it has holes, from
 * SEEK_DATA/SEEK_HOLE, under one policy for every walker (the residency
 * flags, the residency map, search, save-as and the map's region seeks).
 *
 * The policy, the same everywhere:
 *   - SEEK_DATA fails with ENXIO: no data from pos on, a hole to the end.
 *   - SEEK_DATA or SEEK_HOLE fails with EINVAL, EOPNOTSUPP or ESPIPE: the
 *     file system, device or pipe cannot tell holes, so the file is all
 *     data. An iterator remembers that (whole) and asks no more.
 *   - SEEK_HOLE fails with ENXIO after SEEK_DATA found data: the file shrank
 *     between the two calls; the data runs to the end. Conservative: a
 *     walker then reads bytes (and learns of the truncation from the map),
 *     never skips them.
 *   - Any other error is returned as -errno, and the cache is left as it was.
 *   - Block devices are all data without asking (callers pass whole).
 * Every extent is clipped to the size the walker was given: the kernel may
 * see a file grown since, which the walker does not know about yet.
 *
 * Only the file descriptor is used, never the mapping: no call here faults.
 */
#ifndef MMH_EXTENT_H
#define MMH_EXTENT_H

#include <stdbool.h>
#include <stdint.h>

#include "sys.h"

typedef struct Extent {
    uint64_t lo; /* first byte (the asked-for position: lseek cannot see back) */
    uint64_t hi; /* one past the last byte, at most the size */
    bool data;   /* data (true) or a hole (false) */
} Extent;

/* A forward walker's view of one file, with a one-extent cache, so walkers
 * that ask about nearby positions over and over (a bucket or window at a
 * time) make one SEEK_DATA and one SEEK_HOLE per data extent, not per
 * question. Fill it with extent_iter_init (or map_extent_iter); the fields
 * are for reading. */
typedef struct ExtentIter {
    const SysOps *sys; /* the table the lseeks go through (fault injection) */
    int fd;            /* the file, not owned */
    uint64_t size;     /* extents end here */
    bool whole;        /* all data: asks nothing (a block device, or the file
                          system said it cannot tell holes) */
    uint64_t from;     /* cache: no data in [from, lo), and */
    uint64_t lo, hi;   /* data in [lo, hi); lo == hi == size: none after from;
                          from == UINT64_MAX: nothing cached */
} ExtentIter;

void extent_iter_init(ExtentIter *it, const SysOps *sys, int fd, uint64_t size, bool whole);

/* The data extent holding pos, or the first one after it: 0 with *out
 * (data true, out->lo >= pos); when only holes lie in [pos, size), out->lo ==
 * out->hi == size. Answered from the cache while pos lies in it; else one
 * SEEK_DATA and, on data, one SEEK_HOLE. -errno on failure. */
int extent_next_data(ExtentIter *it, uint64_t pos, Extent *out);

/* The region holding pos (< size), data or hole: [pos, end). Through the
 * cache, as extent_next_data. -ENXIO when pos >= size. */
int extent_iter_at(ExtentIter *it, uint64_t pos, Extent *out);

/* The same without an iterator, for a single question: one SEEK_DATA, and a
 * SEEK_HOLE only when pos is data. whole: all data, ask nothing. */
int extent_at(const SysOps *sys, int fd, uint64_t pos, uint64_t size, bool whole, Extent *out);

#endif
