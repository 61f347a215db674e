/*
 * screen: what takes the keys and draws the frame (ncdu's one file per
 * screen, htop's panels composed into a layout).
 *
 * The session holds a stack of screens. The hex screen (screen-hex.c) is
 * always at the bottom; the residency map, the pager (help, reports,
 * messages) and the prompt and its questions (prompt.c) are pushed over it
 * and popped when done. Keys go to the top screen; a mouse event goes to
 * the top screen that takes the mouse. The layout (layout.c) gives the top
 * screen the grid, or a region of it when a side panel is shown beside it
 * (Session.panel); a screen draws into the Grid it is given (a window, see
 * grid.h) at (0, 0) and never learns where it lies. A screen that draws
 * over another (the prompt's line over the hex screen) draws the one under
 * it first with screen_draw_under.
 *
 * Adding a screen: a new file defining a ScreenType and a way to open it
 * (usually a command in a cmd-*.c family's table).
 */
#ifndef MMH_SCREEN_H
#define MMH_SCREEN_H

#include "grid.h"
#include "keymap.h"
#include "prompt.h"
#include "session.h"

struct ScreenType {
    const char *name; /* "hex", "map", "pager", "prompt", ... */
    /* A key: returns reaction flags (cmd.h). */
    unsigned (*key)(Session *s, void *st, int key);
    /* A mouse event at (row, col) of the screen's region; NULL: the screen
     * under it takes it. */
    unsigned (*mouse)(Session *s, void *st, MmhMouse what, int row, int col);
    /* Draw into g (the screen's region). */
    void (*frame)(Session *s, void *st, Grid *g);
    /* Periodic work (sampling); NULL: none. */
    void (*tick)(Session *s, void *st);
    /* Free the state; NULL: nothing to free. */
    void (*free)(void *st);
};

/* Push a screen with its state (owned from now on, also on failure).
 * 0 or -ENOSPC (the stack is full). */
int screen_push(Session *s, const ScreenType *t, void *st);
/* Pop the top screen (never the hex screen) and free its state. */
void screen_pop(Session *s);
/* The top screen's state if it is of type t, else NULL. */
void *screen_top_is(const Session *s, const ScreenType *t);
/* Draw the screen under the one whose state is st into g. */
void screen_draw_under(Session *s, const void *st, Grid *g);

/* The layout: the top screen (and the side panel, if any) into g. */
void layout_frame(Session *s, Grid *g);
/* A mouse event in terminal coordinates to the screen that takes it. */
unsigned layout_mouse(Session *s, MmhMouse what, int row, int col);
/* The size of the region the hex pane gets in a rows x cols terminal. */
void layout_pane_size(const Session *s, int rows, int cols, int *prow, int *pcol);
/* The side panel now in s->panel fits beside the hex screen: 0, or
 * -ERANGE with a message "WHO: the terminal is too narrow (C columns; it
 * needs N)". */
int layout_panel_fits(Session *s, const char *who);

/* The screens. */
extern const ScreenType screen_hex;
extern const ScreenType screen_map;
extern const ScreenType screen_pager;
extern const ScreenType screen_prompt;
extern const ScreenType screen_confirm;
extern const ScreenType screen_marks;
extern const ScreenType screen_list; /* screen-list.h */
extern const ScreenType screen_diff; /* two files side by side (diffpair.h) */

/* Open them. */
int map_screen_open(Session *s);
/* The bookmarks list (screen-marks.c). */
int marks_screen_open(Session *s);
struct StringsOpts; /* strscan.h */
/* The strings list (list-strings.c): the runs o asks for, holding filter
 * (NULL or "": all); replaces a list on top (a new filter). */
int strings_list_open(Session *s, const struct StringsOpts *o, const char *filter);
/* A pager over text (owned from now on). title: its first row. */
int pager_open(Session *s, const char *title, char *text);

#endif
