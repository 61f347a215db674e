/*
 * fmtmangle: the malformed corpus for the disk-image decoders' tests: a
 * real image truncated at cut points and with random bytes of its headers
 * replaced (a fixed seed, so a failure repeats), each variant decoded and
 * walked, bounded, to show a decoder comes back from anything.
 */
#ifndef MMH_FMTMANGLE_H
#define MMH_FMTMANGLE_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

/* Counts of what fm_mangle saw. */
typedef struct FmStats {
    uint64_t variants; /* images tried */
    uint64_t decoded;  /* of them, with a root */
    uint64_t bad;      /* malformed nodes met in all walks */
    uint64_t nodes;    /* nodes made in all walks */
} FmStats;

/* Decode copies of img (made in dir) as dec (NULL: fmt_detect) at offset
 * 0: truncated at each of cuts[0..ncut), then nmut times with 1 to 4 bytes
 * of [from, from + len) set to random values from seed (each mutation on a
 * fresh copy of those bytes). Every variant is walked with
 * fu_walk(depth 8, 300 kids, 20000 nodes); the test fails if a walk is not
 * bounded. Returns the counts. */
FmStats fm_mangle(const char *dir, const char *img, const FmtDecoder *dec, const uint64_t *cuts,
                  size_t ncut, uint64_t from, uint64_t len, unsigned nmut, uint32_t seed);

/* Write len bytes of buf at off in path (aborts when it cannot). */
void fm_poke(const char *path, uint64_t off, const void *buf, size_t len);

/* The root of path's contents (dec NULL: detected) walked as fm_mangle
 * walks: how many malformed nodes; -1 when no root is found. */
int64_t fm_walk_file(const char *path, const FmtDecoder *dec);

#endif
