/*
 * screen: the stack of screens and the layout that places them (see
 * screen.h).
 *
 * The layout today: the top screen gets the whole grid; a side panel
 * (Session.panel, for the data inspector or a list later) takes
 * LAYOUT_PANEL_COLS columns on the right when the terminal is wide enough
 * to leave the screen LAYOUT_MAIN_MIN columns, and is hidden otherwise.
 * A screen is only ever given a window of the grid, so splitting the grid
 * further (two hex panes for a diff) changes this file only.
 */
#include "config.h"

#include "screen.h"

#include <errno.h>
#include <stdlib.h>

#define LAYOUT_PANEL_COLS 34 /* columns a side panel takes */
#define LAYOUT_MAIN_MIN 60   /* columns the main screen keeps at least */

int screen_push(Session *s, const ScreenType *t, void *st)
{
    if (s->nscreens == SESSION_SCREENS) {
        if (t->free)
            t->free(st);
        return fail(s, -ENOSPC, "too many screens open (Esc closes one)");
    }
    s->screens[s->nscreens++] = (Screen){t, st};
    return 0;
}

void screen_pop(Session *s)
{
    if (s->nscreens <= 1)
        return;
    Screen *top = &s->screens[--s->nscreens];
    if (top->type->free)
        top->type->free(top->st);
    *top = (Screen){0};
}

void *screen_top_is(const Session *s, const ScreenType *t)
{
    const Screen *top = &s->screens[s->nscreens - 1];
    return top->type == t ? top->st : NULL;
}

void screen_draw_under(Session *s, const void *st, Grid *g)
{
    for (int i = s->nscreens - 1; i > 0; i--) {
        if (s->screens[i].st == st) {
            const Screen *u = &s->screens[i - 1];
            u->type->frame(s, u->st, g);
            return;
        }
    }
}

/* Columns the panel takes in a terminal cols wide (0: not shown). */
static int panel_cols(const Session *s, int cols)
{
    if (!s->panel.type || cols - LAYOUT_PANEL_COLS < LAYOUT_MAIN_MIN)
        return 0;
    return LAYOUT_PANEL_COLS;
}

void layout_pane_size(const Session *s, int rows, int cols, int *prow, int *pcol)
{
    *prow = rows;
    *pcol = cols - panel_cols(s, cols);
}

int layout_panel_fits(Session *s, const char *who)
{
    int pr, pc, need = s->cols + 1;
    layout_pane_size(s, s->rows, s->cols, &pr, &pc);
    if (pc < s->cols)
        return 0;
    for (; need < 10000; need++) {
        layout_pane_size(s, s->rows, need, &pr, &pc);
        if (pc < need)
            break;
    }
    return fail(s, -ERANGE, "%s: the terminal is too narrow (%d columns; it needs %d)", who,
                s->cols, need);
}

void layout_frame(Session *s, Grid *g)
{
    const Screen *top = &s->screens[s->nscreens - 1];
    int pc = panel_cols(s, g->cols), mc = g->cols - pc;
    g->cur_row = g->cur_col = -1;
    if (pc == 0) {
        top->type->frame(s, top->st, g);
        return;
    }
    Grid main = grid_window(g, 0, 0, g->rows, mc);
    top->type->frame(s, top->st, &main);
    grid_window_done(g, &main, 0, 0);
    Grid side = grid_window(g, 0, mc, g->rows, pc);
    s->panel.type->frame(s, s->panel.st, &side);
    side.cur_row = -1; /* the terminal cursor stays with the screen that takes keys */
    grid_window_done(g, &side, 0, mc);
}

unsigned layout_mouse(Session *s, MmhMouse what, int row, int col)
{
    int pc = panel_cols(s, s->cols);
    if (pc && col >= s->cols - pc) {
        if (s->panel.type->mouse)
            return s->panel.type->mouse(s, s->panel.st, what, row, col - (s->cols - pc));
        return MMH_R_NONE;
    }
    for (int i = s->nscreens - 1; i >= 0; i--) {
        const Screen *sc = &s->screens[i];
        if (sc->type->mouse)
            return sc->type->mouse(s, sc->st, what, row, col);
    }
    return MMH_R_NONE;
}
