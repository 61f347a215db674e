/*
 * view: the viewport and the frame, drawn into a plain grid of cells.
 *
 * The view knows where the cursor and the top row are, how many bytes a row
 * holds, and how to lay a frame out; it never calls curses. view_render
 * fills a Grid (a character and a class per cell) that the UI copies to the
 * terminal in one refresh, and that tests read as text.
 *
 * Frame layout (rows top to bottom):
 *   0          title: " mmhex  NAME  MODE  SIZE ... [hex|text]"
 *   1..R       data rows: OFFSET G  HEX...  TEXT
 *   rows-3     status 1: cursor/size (percent), or while a selection exists
 *              its first and last offsets and length; view residency, dirty and
 *              writeback of the view, whole-file cached size and share
 *   rows-2     status 2: locked/limit, advice, last frame's faults and time
 *   rows-1     message (the prompt screen draws its line over it)
 * A data row: the offset (hex, as many digits as the file's last offset
 * needs, at least 8; or decimal), a space, the page-state glyph of the row's
 * first byte, a space, the hex pane ("xx " per byte with one more space
 * after every 8 bytes; grouped by 2, 4 or 8: the group's digits together,
 * a space after each group, as xxd -g), one space, then one text character
 * per byte (printable ASCII, '.' otherwise).
 * Glyphs: R resident, . not resident, D dirty, W under writeback, L locked,
 * C holds copy-mode edits, ? unknown (permission trap), H hole (no data on
 * disk), ! unreadable. Bytes of a hole page show as "--" (they read as zero)
 * unless the page is dirty or holds edits; bytes edited and not yet written
 * always show their value. Bytes that could not be read (an I/O error, a
 * hole on a full tmpfs, a page gone by truncation) show as "??" and '?',
 * never as data or blanks.
 *
 * Cost: O(screen). The only file access is one doc_read of the visible
 * bytes, after the residency sample (touching faults pages in, so sampling
 * comes first), timed, with the fault counters read around it.
 */
#ifndef MMH_VIEW_H
#define MMH_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "grid.h"
#include "resid.h"

typedef enum MmhPane { MMH_PANE_HEX, MMH_PANE_TEXT } MmhPane;

typedef struct View {
    uint64_t top;        /* offset of the first byte shown (a multiple of bpr) */
    uint64_t cursor;     /* offset of the cursor byte */
    MmhPane pane;        /* which pane has the cursor */
    int nibble;          /* 0: high nibble next, 1: low (hex edit mode) */
    int bpr_fixed;       /* bytes per row asked with -w, 0 to fit the width */
    int bpr;             /* bytes per row now */
    int rows, cols;      /* the terminal */
    bool sel_on;         /* a selection is being made or exists */
    uint64_t sel_anchor; /* the selection runs from here to the cursor */
    bool too_small;      /* set by view_layout: not even a 1-byte row fits */
    int group;           /* hex bytes printed together: 1 (0), 2, 4 or 8 */
    bool dec_offsets;    /* the offset column in decimal */
    int bpr_refused;     /* set by view_layout: bpr_fixed did not fit (0: it did) */
} View;

/* Lay the view out for a rows x cols terminal and a file of size bytes:
 * bytes per row (the largest of 1, 2, 4, 8, 16, 24, 32, ... that fits, or
 * bpr_fixed when its row fits; when it does not, the fit is used and
 * bpr_refused says what was asked, so the cursor is never off the right
 * edge), then keep the cursor visible. */
void view_layout(View *v, int rows, int cols, uint64_t size);

/* Data rows that fit (0 when the terminal is too small). */
int view_data_rows(const View *v);
/* Digits of the offset column for a file of size bytes (at least 8). */
int view_offset_width(uint64_t size);
/* The widest row (bytes per row) that fits cols with v's grouping and
 * offsets, and the next or previous step (1 2 4 8 16 24 32 ...) from bpr. */
int view_fit_bpr(const View *v, int cols, uint64_t size);
int view_bpr_step(int bpr, int dir);
/* The smallest terminal that can show one data row. */
void view_min_size(uint64_t size, int *rows, int *cols);

/* The mode as the title row names it: "COPY", "SHARED", "READ-ONLY". */
const char *view_mode_name(MmhMode m);

/* Scroll so the cursor is visible (minimal movement). */
void view_follow(View *v, uint64_t size);

/* Which byte and pane a screen cell shows: 0, or -1 when none. */
int view_hit(const View *v, uint64_t size, int row, int col, uint64_t *off, MmhPane *pane);

/* Everything on the status rows that the view does not measure itself. */
typedef struct ViewInfo {
    const char *name;                           /* file name for the title */
    const char *mode;                           /* "COPY", "SHARED", "READ-ONLY" */
    const char *state;                          /* "EDIT", "SELECT", ... or NULL */
    bool modified;                              /* unwritten edits: a '*' in the title */
    bool file_known;                            /* whole-file counts below are valid */
    ResidCount file;                            /* whole-file page-cache counts */
    const char *unknown_why;                    /* residency cannot be known: why (else NULL) */
    uint64_t locked;                            /* bytes locked by this map */
    uint64_t lock_limit;                        /* RLIMIT_MEMLOCK bytes */
    bool lock_unlimited;                        /* no lock limit applies */
    const char *advice;                         /* "normal", "sequential", "random" */
    uint64_t edited_pages;                      /* copy mode: pages holding private copies */
    uint64_t last_minflt, last_majflt, last_ns; /* the previous frame */
    const uint8_t *hot;                         /* per byte from hot_lo: nonzero = changed lately */
    uint64_t hot_lo, hot_len;                   /* the bytes hot covers */
    bool match_on;                              /* a search match is highlighted */
    uint64_t match_off, match_len;              /* its bytes */
    const char *field;   /* the structure's field under the cursor, or NULL */
    const char *message; /* the message row, or NULL */
    bool message_error;  /* it is an error */
} ViewInfo;

/* What this frame measured. */
typedef struct ViewFrame {
    uint64_t minflt, majflt;  /* faults while reading the visible bytes */
    uint64_t ns;              /* time to sample and render */
    unsigned pages, resident; /* pages visible and of those resident */
    int64_t dirty, writeback; /* dirty and writeback pages visible, -1 unknown */
    int read_rc;              /* doc_read's result: -MMH_ETRUNC if truncated,
                                 -ENOSPC, -EIO: the first unreadable page's */
    uint64_t read_off;        /* the first byte that could not be read */
} ViewFrame;

/* Draw the frame into g (which must be v->rows x v->cols). Never fails: the
 * pages that cannot be read show as "??" and the error comes back in
 * out->read_rc and out->read_off, so the caller can say so (or, for a
 * truncation, refresh the document and draw again). */
void view_render(const View *v, Doc *d, const ViewInfo *info, Grid *g, ViewFrame *out);

/* Over a frame view_render drew into g: give the bytes [lo, lo + n) for
 * which marks[i] is nonzero the class MMH_CC_DIFF (the cursor and the
 * selection keep theirs) and put a '*' between the offset and the glyph
 * of their rows; passive: the pane does not have the keys (its cursor is
 * drawn as the twin, the terminal cursor is not its). O(screen). */
void view_mark(const View *v, uint64_t size, Grid *g, const uint8_t *marks, uint64_t lo, size_t n,
               bool passive);

#endif
