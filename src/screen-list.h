/*
 * screen-list: a screen over a long list of ranges of the document (the
 * matches of `find -a`, the strings of a file), generic over its source.
 *
 * The list is an RList (rlist.h): a bounded window of items plus the count
 * of them all, filled by budgeted scans of a source. The screen draws the
 * window (a title with the count and how it stands, one row per item drawn
 * by the list's type, a hint or message row), moves the cursor (j/k,
 * arrows, PgUp/PgDn, g/G, Home/End, the mouse wheel; a click picks a row),
 * and runs the scans as a job that lets keys through, so keys are answered
 * while the count climbs. Enter jumps the hex cursor to the item and
 * highlights it (or what the type's enter does), c stops the count, q and
 * Esc leave (stopping the count). Keys it does not take go to the type's
 * key handler (a filter prompt), then are dropped: nothing typed on a list
 * edits the file. Memory: the window (LIST_CAP items), whatever the count.
 */
#ifndef MMH_SCREEN_LIST_H
#define MMH_SCREEN_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "rlist.h"
#include "session.h"

#define LIST_CAP 4096   /* items the window holds */
#define LIST_MARGIN 512 /* items kept around the cursor (more than a page) */

/* What a list shows and how (one per kind of list). ctx is the list's own
 * state: the source's ctx too. */
typedef struct ListType {
    const char *name;    /* "find -a", "strings": the title's first word */
    const char *noun;    /* "match", "string": "match 3 of 10" */
    const char *nouns;   /* "matches", "strings" */
    const RlSource *src; /* where the items come from (ctx is its state) */
    /* What is listed, after the name: "00 in the selection". */
    void (*title)(Session *s, void *ctx, char *buf, size_t n);
    /* Draw item it into row `row` of g, from column col to the end; idx its
     * index in the list (UINT64_MAX: not known yet); sel: it has the
     * cursor (the row is already filled in MMH_CC_SELECTED). */
    void (*row)(Session *s, void *ctx, const RlItem *it, uint64_t idx, bool sel, Grid *g, int row,
                int col);
    /* Enter on it; NULL: the hex cursor jumps to it, it is highlighted, and
     * the list closes. Reaction flags. */
    unsigned (*enter)(Session *s, void *ctx, const RlItem *it);
    /* A key the list does not take; NULL: none. *taken false: dropped. */
    unsigned (*key)(Session *s, void *ctx, int key, bool *taken);
    /* Free ctx (NULL: free()). */
    void (*free)(void *ctx);
} ListType;

/* Open a list screen over ctx (owned from now on, also on failure) and
 * start counting; the first slice runs at once. 0 when it is open, 1 when
 * the list turned out empty in that slice (it is not opened: the caller
 * says so), -errno (a message said why). */
int list_open(Session *s, const ListType *t, void *ctx);
/* The top list's source changed (a new filter): count again and show the
 * list from its head. 0 or -errno; -ENOENT if the top screen is no list. */
int list_restart(Session *s);

/* For row drawers: "#12       0x00001234" (idx UINT64_MAX: "#?"), the
 * offset's digits as many as the document's size needs (at least 8), from
 * column col of g's row; returns the column after the offset. */
int list_draw_index(Session *s, Grid *g, int row, int col, uint64_t idx, uint64_t off, bool sel);

/* For row drawers: bytes around [off, off+len) as hex and then as text
 * from column col to limit of g's row, the item's bytes in MMH_CC_MATCH,
 * at most 4 bytes before it and as many after as fit. */
void list_draw_bytes(Session *s, Grid *g, int row, int col, int limit, uint64_t off, uint64_t len,
                     bool sel);

/* The list of matches of the session's pattern in [lo, hi) (find -a on
 * screen, list-find.c). in_sel: the range is the selection (for the
 * title). As list_open. */
int find_list_open(Session *s, uint64_t lo, uint64_t hi, bool in_sel);

#endif
