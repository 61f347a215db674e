/*
 * grid: a plain rectangle of cells that screens draw into and the UI copies
 * to the terminal in one refresh (tests read it as text).
 *
 * A Grid either owns its cells (grid_resize) or is a window onto another
 * grid's cells (grid_window): a region a layout gives one screen, so a
 * screen draws at (0, 0) of its window and never learns where the window
 * lies. Rows of a window are `stride` cells apart in memory; for an owning
 * grid stride == cols. The cursor a screen asks for (cur_row, cur_col) is in
 * its window's coordinates; grid_window_done carries it to the parent.
 */
#ifndef MMH_GRID_H
#define MMH_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a cell shows, for colours and attributes (tui.c) and for tests. */
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
    MMH_CC_DIFF,      /* a byte that differs from the other file's (a diff) */
    MMH_CC_COUNT
} MmhClass;

typedef struct Cell {
    uint32_t ch; /* a Unicode code point (ASCII in practice) */
    uint8_t cls; /* an MmhClass */
} Cell;

typedef struct Grid {
    int rows, cols;       /* size */
    Cell *cells;          /* row-major, rows * stride (NULL when empty) */
    int cur_row, cur_col; /* where the terminal cursor goes, -1 hidden */
    int stride;           /* cells from one row to the next (0: cols) */
    bool window;          /* the cells belong to another grid */
} Grid;

/* (Re)size an owning grid; cells become blanks. 0 or -ENOMEM (unchanged). */
int grid_resize(Grid *g, int rows, int cols);
void grid_free(Grid *g);

/* A window onto rows [row, row + rows) and columns [col, col + cols) of g,
 * clipped to g. Its cursor starts hidden. */
Grid grid_window(const Grid *g, int row, int col, int rows, int cols);
/* Take w's cursor (if shown) into g, which w is a window of at (row, col). */
void grid_window_done(Grid *g, const Grid *w, int row, int col);

/* The cell at (row, col); NULL outside the grid. Inline, as grid_put:
 * a frame puts every cell of the screen, and a call per cell costs a
 * fifth of a frame's instructions. */
static inline Cell *grid_cell(const Grid *g, int row, int col)
{
    if (!g->cells || row < 0 || row >= g->rows || col < 0 || col >= g->cols)
        return NULL;
    return &g->cells[(size_t)row * (size_t)(g->stride > 0 ? g->stride : g->cols) + (size_t)col];
}
/* Every cell blank in class cls; the cursor hidden. */
void grid_clear(Grid *g, int cls);
/* Set one cell (ignored outside the grid); blank a row in a class. */
static inline void grid_put(Grid *g, int row, int col, uint32_t ch, int cls)
{
    Cell *c = grid_cell(g, row, col);
    if (c) {
        c->ch = ch;
        c->cls = (uint8_t)cls;
    }
}
void grid_fill_row(Grid *g, int row, int cls);
/* Put UTF-8 text s at (row, col), no further than column limit (exclusive,
 * clipped to the grid); control characters and malformed bytes show as '?'.
 * If s does not fit and mark is set, its last visible cell becomes '>'.
 * Returns the column after the last character put. s may be NULL. */
int grid_put_str(Grid *g, int row, int col, int limit, const char *s, int cls, bool mark);
/* The text of one row, trailing blanks removed, into buf (UTF-8). */
char *grid_row_text(const Grid *g, int row, char *buf, size_t n);

#endif
