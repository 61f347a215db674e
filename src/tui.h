/*
 * tui: the terminal, through ncursesw. The only module that includes curses.
 *
 * It starts and ends curses (restoring the terminal on every exit path),
 * turns curses keys and mouse events into MMH_KEY_* codes and MMH_MOUSE_*
 * events, and copies a Grid to the screen with one refresh. Colours are used
 * where the terminal has them and NO_COLOR is unset; every class also has a
 * monochrome rendering (reverse, bold, underline).
 */
#ifndef MMH_TUI_H
#define MMH_TUI_H

#include <stdbool.h>

#include "grid.h"

/* Start curses. 0, or -1 when stdin/stdout is not a terminal curses can use
 * (nothing is left changed). */
int tui_start(void);
void tui_end(void);

void tui_size(int *rows, int *cols);

typedef struct TuiEvent {
    int key;      /* an MMH_KEY_* code or a character; MMH_KEY_NONE on timeout */
    bool mouse;   /* a mouse event: see what/row/col */
    int what;     /* an MmhMouse */
    int row, col; /* where */
} TuiEvent;

/* Wait up to timeout_ms (0: poll, -1: forever) for one event. */
void tui_read(TuiEvent *ev, int timeout_ms);

/* Paint the grid and place the cursor; one refresh. */
void tui_paint(const Grid *g);

/* Hand base64 text to the terminal's clipboard (OSC 52: works over ssh;
 * tmux needs `set -g set-clipboard on`). Call after tui_paint. */
void tui_osc52(const char *b64);

#endif
