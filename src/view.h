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
 *   rows-3     status 1: cursor/size (percent), view residency, dirty and
 *              writeback of the view, whole-file cached size and share
 *   rows-2     status 2: locked/limit, advice, last frame's faults and time
 *   rows-1     message, or the prompt being typed
 * A data row: the offset (hex, as many digits as the file's last offset
 * needs, at least 8), a space, the page-state glyph of the row's first byte,
 * a space, "xx " per byte with one more space after every 8 bytes, one
 * space, then one text character per byte (printable ASCII, '.' otherwise).
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
#include "resid.h"

typedef enum MmhClass {
    MMH_CC_NORMAL,    /* plain text */
    MMH_CC_TITLE,     /* the title row */
    MMH_CC_OFFSET,    /* the offset column */
    MMH_CC_GLYPH,     /* page-state glyph: resident or unremarkable */
    MMH_CC_GLYPH_OUT, /* glyph: not resident or hole */
    MMH_CC_GLYPH_HOT, /* glyph: dirty, writeback, locked, edited */
    MMH_CC_HEX,       /* a byte in the hex pane */
    MMH_CC_ZERO,      /* a zero byte (dimmed where colours allow) */
    MMH_CC_TEXT,      /* a byte in the text pane */
    MMH_CC_MODIFIED,  /* a byte edited and not yet written */
    MMH_CC_SELECTED,  /* a byte in the selection */
    MMH_CC_CURSOR,    /* the cursor in the active pane */
    MMH_CC_CURSOR2,   /* the cursor's twin in the other pane */
    MMH_CC_STATUS,    /* the status rows */
    MMH_CC_MESSAGE,   /* an informative message */
    MMH_CC_ERROR,     /* an error message */
    MMH_CC_PROMPT,    /* the prompt being typed */
    MMH_CC_MATCH,     /* the search match */
    MMH_CC_HOLE,      /* a byte in a hole of a sparse file ("--") */
    MMH_CC_CHANGED,   /* a byte changed by someone else in the last seconds */
    MMH_CC_COUNT
} MmhClass;

typedef struct Cell {
    uint32_t ch; /* a Unicode code point (ASCII in practice) */
    uint8_t cls; /* an MmhClass */
} Cell;

typedef struct Grid {
    int rows, cols;       /* size */
    Cell *cells;          /* rows * cols, row-major */
    int cur_row, cur_col; /* where the terminal cursor goes, -1 hidden */
} Grid;

/* (Re)size a grid; cells become blanks. 0 or -ENOMEM (grid unchanged). */
int grid_resize(Grid *g, int rows, int cols);
void grid_free(Grid *g);
/* Set one cell (ignored outside the grid); blank a row in a class. */
void grid_put(Grid *g, int row, int col, uint32_t ch, int cls);
void grid_fill_row(Grid *g, int row, int cls);
/* The text of one row, trailing blanks removed, into buf (UTF-8). */
char *grid_row_text(const Grid *g, int row, char *buf, size_t n);

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
} View;

/* Lay the view out for a rows x cols terminal and a file of size bytes:
 * bytes per row (the largest of 1, 2, 4, 8, 16, 24, 32, ... that fits, or
 * bpr_fixed), then keep the cursor visible. */
void view_layout(View *v, int rows, int cols, uint64_t size);

/* Data rows that fit (0 when the terminal is too small). */
int view_data_rows(const View *v);
/* Digits of the offset column for a file of size bytes (at least 8). */
int view_offset_width(uint64_t size);
/* The smallest terminal that can show one data row. */
void view_min_size(uint64_t size, int *rows, int *cols);

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
    const char *message;                        /* the message row, or NULL */
    bool message_error;                         /* it is an error */
    const char *prompt;                         /* prompt label ("goto: "), or NULL */
    const char *input;                          /* the prompt's text so far */
    size_t input_cursor;                        /* cursor position within input */
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

#endif
