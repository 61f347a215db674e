/*
 * resid: what the kernel holds of a mapped file, without lying.
 *
 * Per-page state of a small range (the screen) from mincore, cachestat,
 * pagemap and the map's own lock bookkeeping; page-cache counts for a range
 * or the whole file from cachestat; copy-mode edited (copy-on-write) pages
 * from the PAGEMAP_SCAN ioctl or 8-byte pagemap reads; fault counters.
 *
 * Sampling must happen *before* the bytes are touched for rendering, since
 * touching faults pages in.
 *
 * The permission trap (DESIGN.md section 4): if this process neither owns
 * nor can write the file, the kernel makes mincore report every page
 * resident and cachestat fail with EPERM. resid_open probes for it
 * (cachestat(fd, 0, 1)); when trapped, residency is "unknown"
 * (MMH_PG_UNKNOWN, -EPERM from resid_count) and never "resident".
 *
 * Kernels before 6.5 lack cachestat (ENOSYS): counts then come from a
 * chunked, budgeted mincore scan (ResidScan) and dirty/writeback are unknown.
 * Kernels before 6.7 lack PAGEMAP_SCAN: edited pages come from pagemap reads.
 * Every number says where it came from.
 */
#ifndef MMH_RESID_H
#define MMH_RESID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map.h"

typedef struct Resid Resid;

/* Per-page flags from resid_pages. */
#define MMH_PG_RESIDENT 0x01u  /* in the page cache (or our private copy) */
#define MMH_PG_UNKNOWN 0x02u   /* residency cannot be known (permission trap) */
#define MMH_PG_DIRTY 0x04u     /* dirty in the page cache */
#define MMH_PG_WRITEBACK 0x08u /* under writeback */
#define MMH_PG_LOCKED 0x10u    /* locked by this map */
#define MMH_PG_EDITED 0x20u    /* copy mode: a private copy holds edits */
#define MMH_PG_HOLE 0x40u      /* no data on disk (SEEK_DATA/SEEK_HOLE) */

typedef enum ResidSource {
    RESID_SRC_NONE,      /* nothing could be learned */
    RESID_SRC_CACHESTAT, /* cachestat(2) */
    RESID_SRC_MINCORE,   /* mincore(2) scan: no dirty/writeback */
} ResidSource;

typedef struct ResidCount {
    uint64_t pages;           /* pages in the range */
    uint64_t cached;          /* of those, in the page cache */
    int64_t dirty;            /* dirty, -1 if unknown */
    int64_t writeback;        /* under writeback, -1 if unknown */
    int64_t evicted;          /* reclaim shadow entries, -1 if unknown */
    int64_t recently_evicted; /* of those, recent, -1 if unknown */
    ResidSource src;          /* where the numbers came from */
} ResidCount;

/* Probe the kernel's interfaces for m (cachestat, the permission trap,
 * PAGEMAP_SCAN, /proc/self/pagemap). m must outlive the Resid. */
int resid_open(Resid **out, Map *m);
void resid_close(Resid *r);

/* false under the permission trap: then why says so in words. */
bool resid_known(const Resid *r);
const char *resid_why_unknown(const Resid *r);
bool resid_has_cachestat(const Resid *r);
bool resid_has_pagemap_scan(const Resid *r);

/* Flags of each page covering [off, off+len): flags[i] is for the page
 * holding off rounded down plus i pages; n is the room in flags. Cost:
 * one mincore, one PAGEMAP_SCAN, one lseek pair and (for up to 256 pages)
 * one cachestat per page; meant for the screen, O(pages). Returns the number
 * of pages filled, or -errno. */
long resid_pages(Resid *r, uint64_t off, uint64_t len, uint8_t *flags, size_t n);

/* Page-cache counts for [off, off+len) (len 0: the whole file) from one
 * cachestat. -EPERM under the permission trap; -ENOSYS without cachestat
 * (use a ResidScan). */
int resid_count(Resid *r, uint64_t off, uint64_t len, ResidCount *out);

/* Copy mode: pages in [off, off+len) (len 0: all) holding private copies. */
int resid_edited(Resid *r, uint64_t off, uint64_t len, uint64_t *pages);

/* A whole-range count by mincore, a bounded slice at a time, for kernels
 * without cachestat (and for the benchmark). Memory is a fixed 64 KiB. */
typedef struct ResidScan {
    uint64_t off, end; /* the range being scanned */
    uint64_t pos;      /* next byte to scan */
    ResidCount acc;    /* counts so far (src RESID_SRC_MINCORE) */
} ResidScan;

void resid_scan_start(ResidScan *s, uint64_t off, uint64_t len);
/* Scan up to max_pages more. 1 when the scan is complete, 0 when more
 * remains, -EPERM under the permission trap, other -errno. */
int resid_scan_step(Resid *r, ResidScan *s, uint64_t max_pages);

typedef struct ResidFaults {
    uint64_t minor; /* ru_minflt of this process */
    uint64_t major; /* ru_majflt */
} ResidFaults;

int resid_faults(Resid *r, ResidFaults *out);

/* What /proc/self/smaps says of the mapping, in bytes. It walks every
 * page-table entry of the mapping (20-70 ms for a populated 4 GiB map), so
 * read it on demand only, never per frame. */
typedef struct ResidSmaps {
    uint64_t size;                         /* Size: the mapping's length */
    uint64_t rss;                          /* Rss: mapped and resident */
    uint64_t shared_clean, shared_dirty;   /* Shared_Clean, Shared_Dirty */
    uint64_t private_clean, private_dirty; /* Private_Clean, Private_Dirty */
    uint64_t anonymous;                    /* Anonymous: copy-mode private copies */
    uint64_t locked;                       /* Locked */
} ResidSmaps;

/* -ENOENT when nothing is mapped (an empty file) or the entry is missing. */
int resid_smaps(Resid *r, ResidSmaps *out);

#endif
