/*
 * emap: the entropy map drawn (entropy.h's buckets), the residency map's
 * twin on the same screen (screen-map.c switches between them).
 *
 * Layout as rmap_render's: a title row (name, size, buckets, how much is
 * exact and whether it is still being computed), the buckets row by row,
 * two legend rows, the message row. A bucket is a letter for its class:
 * Z zeros, T text, B low-entropy binary, H high-entropy; upper case once
 * exact, lower case while only sampled, '?' before it is sampled, so a
 * monochrome terminal shows both the class and how sure it is.
 */
#ifndef MMH_EMAP_H
#define MMH_EMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entropy.h"
#include "grid.h"

typedef struct EmapInfo {
    const char *name;    /* file name for the title */
    uint64_t cursor;     /* the editor's cursor (its bucket is marked) */
    size_t selected;     /* the bucket the arrows have selected */
    const char *message; /* message row, or NULL */
    bool message_error;  /* it is an error */
    bool running;        /* the job computing it runs */
} EmapInfo;

/* The glyph of a bucket: 'Z' 'T' 'B' 'H' exact, lower case sampled, '?'
 * not yet sampled. */
char emap_glyph(const EntBucket *b);

/* Draw the map (g sized to the terminal; e may be NULL: nothing computed
 * yet). The selected bucket is MMH_CC_CURSOR (and the terminal cursor), the
 * cursor's MMH_CC_CURSOR2. With no message the message row describes the
 * selected bucket. Never fails; any grid size is safe. */
void emap_render(const Entropy *e, const EmapInfo *in, Grid *g);

#endif
