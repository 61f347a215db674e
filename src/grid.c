/*
 * grid: cells, windows onto them, and the few drawing steps every screen
 * uses (see grid.h). No curses: tui.c copies a grid to the terminal.
 */
#include "config.h"

#include "grid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static int stride_of(const Grid *g)
{
    return g->stride > 0 ? g->stride : g->cols;
}

void grid_clear(Grid *g, int cls)
{
    g->cur_row = g->cur_col = -1;
    if (!g->cells || g->rows <= 0 || g->cols <= 0)
        return;
    /* One row by hand, the others copied from it: a frame clears every
     * cell, and memcpy is several times cheaper per cell than a loop. */
    Cell *first = g->cells;
    for (int i = 0; i < g->cols; i++) {
        first[i].ch = ' ';
        first[i].cls = (uint8_t)cls;
    }
    size_t st = (size_t)stride_of(g);
    for (int r = 1; r < g->rows; r++)
        memcpy(&g->cells[(size_t)r * st], first, (size_t)g->cols * sizeof *first);
}

int grid_resize(Grid *g, int rows, int cols)
{
    if (rows < 0)
        rows = 0;
    if (cols < 0)
        cols = 0;
    size_t n = (size_t)rows * (size_t)cols;
    if (cols && n / (size_t)cols != (size_t)rows)
        return -ENOMEM;
    if (n == 0) {
        free(g->cells);
        g->cells = NULL;
    } else {
        Cell *c = realloc(g->cells, n * sizeof *c);
        if (!c)
            return -ENOMEM;
        g->cells = c;
    }
    g->rows = rows;
    g->cols = cols;
    g->stride = cols;
    g->window = false;
    grid_clear(g, 0);
    return 0;
}

void grid_free(Grid *g)
{
    if (!g->window)
        free(g->cells);
    g->cells = NULL;
    g->rows = g->cols = g->stride = 0;
    g->cur_row = g->cur_col = -1;
}

Grid grid_window(const Grid *g, int row, int col, int rows, int cols)
{
    Grid w = {.cur_row = -1, .cur_col = -1, .window = true};
    if (row < 0)
        row = 0;
    if (col < 0)
        col = 0;
    if (rows > g->rows - row)
        rows = g->rows - row;
    if (cols > g->cols - col)
        cols = g->cols - col;
    if (rows <= 0 || cols <= 0 || !g->cells)
        return w;
    w.rows = rows;
    w.cols = cols;
    w.stride = stride_of(g);
    w.cells = &g->cells[(size_t)row * (size_t)w.stride + (size_t)col];
    return w;
}

void grid_window_done(Grid *g, const Grid *w, int row, int col)
{
    if (w->cur_row >= 0 && w->cur_col >= 0) {
        g->cur_row = row + w->cur_row;
        g->cur_col = col + w->cur_col;
    }
}

char *grid_row_text(const Grid *g, int row, char *buf, size_t n)
{
    size_t len = 0, keep = 0;

    if (n == 0)
        return buf;
    const Cell *c = grid_cell(g, row, 0);
    for (int i = 0; c && i < g->cols; i++) {
        char u[4];
        size_t k = utf8_put(c[i].ch, u);
        if (k == 0) /* no scalar value */
            u[0] = '?', k = 1;
        if (len + k >= n) /* never split a character */
            break;
        memcpy(buf + len, u, k);
        len += k;
        if (c[i].ch != ' ')
            keep = len;
    }
    buf[keep] = '\0';
    return buf;
}

void grid_fill_row(Grid *g, int row, int cls)
{
    Cell *c = grid_cell(g, row, 0);
    for (int i = 0; c && i < g->cols; i++) {
        c[i].ch = ' ';
        c[i].cls = (uint8_t)cls;
    }
}

int grid_put_str(Grid *g, int row, int col, int limit, const char *s, int cls, bool mark)
{
    uint32_t cp;
    Cell *r = grid_cell(g, row, 0); /* the row, once: this runs for every label */

    if (!s)
        return col;
    if (limit > g->cols)
        limit = g->cols;
    while (*s && col < limit) {
        s += utf8_get(s, &cp);
        if (mark && *s && col == limit - 1)
            cp = '>';
        if (r && col >= 0) {
            r[col].ch = cp;
            r[col].cls = (uint8_t)cls;
        }
        col++;
    }
    return col;
}
