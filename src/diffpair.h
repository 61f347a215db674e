/*
 * diffpair: two files side by side (mmhex A B), shared by the diff screen
 * (screen-diff.c: layout, both frames, the differing bytes lit) and the
 * diff commands (cmd-diff.c: next/previous difference, the shift, copying
 * across, the comparison of the whole files as a background job).
 *
 * Positions are A's offsets, as in diff.h: B's byte for A's byte x is
 * x + shift. The session's first pane is A, Session.pane2 is B; the
 * focused one (Session.cur) takes the keys, and the other follows it.
 */
#ifndef MMH_DIFFPAIR_H
#define MMH_DIFFPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "diff.h"
#include "session.h"

typedef struct DiffPair {
    int64_t shift; /* B's offset = A's offset + shift */

    /* The comparison of the whole files (a background job, cmd-diff.c). */
    bool running;            /* it runs */
    bool done;               /* it ended: sum is the whole answer */
    bool stopped;            /* the user stopped it (Esc) */
    int err;                 /* it failed with this (-errno), else 0 */
    DiffSummary sum;         /* as of its last step */
    uint64_t seen_a, seen_b; /* doc_changes of A and B when it started */
    int64_t seen_shift;      /* the shift then */

    /* The frame's layout, for the mouse (screen-diff.c). */
    int reg[2][4]; /* A's and B's regions: row, col, rows, cols */
} DiffPair;

/* The pane that does not have the keys. */
Pane *diffpair_other(Session *s);
/* A focused-side offset as A's position, and back (sizes clamp). */
int64_t diffpair_to_pos(const Session *s, const Pane *p, uint64_t off);
/* The files (doc_changes) or the shift changed since the comparison of
 * the whole files began: a running one begins again at its next step. */
bool diffpair_stale(const Session *s);
/* Start the comparison of the whole files again (or for the first time). */
void diffpair_restart(Session *s);
/* The summary line: how the comparison stands. */
void diffpair_line(const Session *s, char *buf, size_t n);

/* Does A's position pos differ from its twin in B (diff.h's rules: a
 * position before either file's start is not compared; one with a byte in
 * one file only differs)? An unreadable byte counts as equal. */
bool diffpair_differs(Doc *a, Doc *b, int64_t shift, int64_t pos);
/* The list of every difference (list-diff.c), over the list screen. */
int diff_list_open(Session *s);

/* The screen (screen-diff.c): put it at the bottom of the stack. */
int diff_screen_install(Session *s);

#endif
