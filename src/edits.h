/*
 * edits: the unwritten edits as net bytes, the truth a write sends.
 *
 * For every byte touched since the last write (by an edit, an undo or a
 * redo), two values: `base`, the value it had when first touched after that
 * write (what the file held as far as the editor knew), and `cur`, its value
 * now. A byte is a net change when cur != base. Writing sends the net bytes
 * only: an edit that was undone is not net, so another process's write to
 * that byte survives the next write, and the counts a write reports are the
 * bytes that really changed.
 *
 * The journal keeps this set in step with its history (journal_edits); in
 * copy mode it is the truth about the user's edits, not the private pages of
 * the mapping, which the kernel drops when another process truncates the
 * file (even when it grows back to the same size): doc re-applies the net
 * bytes from here and writes them from here.
 *
 * Storage: a sorted array of disjoint, non-adjacent extents, each with its
 * own base and cur bytes, 2 bytes per touched byte. Touching the byte right
 * after an extent (typing) appends to it; other inserts are O(extents),
 * like rangeset. Memory grows with the bytes touched, never with the file.
 */
#ifndef MMH_EDITS_H
#define MMH_EDITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct EditExtent {
    uint64_t lo, hi; /* the bytes [lo, hi) */
    uint8_t *base;   /* hi - lo values when first touched */
    uint8_t *cur;    /* hi - lo values now */
} EditExtent;

typedef struct Edits {
    EditExtent *v; /* sorted by lo, disjoint, never adjacent */
    size_t n;      /* extents held */
    size_t cap;    /* slots allocated */
} Edits;

#define EDITS_INIT                                                                                 \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void edits_free(Edits *e);
/* Forget everything (after a write: nothing is unwritten any more). */
void edits_clear(Edits *e);

/* Bytes [off, off+len) change from before to after. Bytes not yet held
 * take before as their base; every byte takes after as its value now.
 * 0 or -ENOMEM (unchanged). */
int edits_touch(Edits *e, uint64_t off, const uint8_t *before, const uint8_t *after, size_t len);

/* Drop every byte at or past size; returns how many of them were net. */
uint64_t edits_truncate(Edits *e, uint64_t size);

/* Net bytes, and maximal runs of them, in all. */
uint64_t edits_net_bytes(const Edits *e, uint64_t *runs);

/* Call fn for each maximal run of net bytes, in order, with their values
 * now; stops at fn's first nonzero result and returns it (else 0). */
typedef int (*EditsRunFn)(uint64_t off, const uint8_t *cur, size_t len, void *ctx);
int edits_each_net(const Edits *e, EditsRunFn fn, void *ctx);
/* The same for the net bytes at or after from (a run may start before it:
 * it is passed from `from` on). O(log extents) to get there. */
int edits_each_net_from(const Edits *e, uint64_t from, EditsRunFn fn, void *ctx);

/* Copy the values now of [off, off+len) into buf, which must lie inside one
 * extent: 0, or -ERANGE when it does not. */
int edits_read(const Edits *e, uint64_t off, uint8_t *buf, size_t len);

/* A net byte lies in [lo, hi). */
bool edits_net_in(const Edits *e, uint64_t lo, uint64_t hi);

#endif
