/*
 * screen-marks: the list of bookmarks (the `marks` command, key B).
 * Arrows (j, k) or a click pick a row, Enter (or a click on the picked
 * row) jumps to it and leaves, d deletes it, Esc (or q, B) leaves. It reads the session's Places
 * each frame, so a mark made or deleted through a command shows at once; it runs `jump` and
 * `unmark` through cmd_run, the same code as the commands.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marks.h"
#include "screen.h"

typedef struct MarkList {
    size_t sel; /* the picked row */
    size_t top; /* the first row shown */
} MarkList;

static const Marks *list_of(Session *s)
{
    static const Marks none;
    return s->places ? &s->places->marks : &none;
}

static unsigned marks_key(Session *s, void *st, int key)
{
    MarkList *l = st;
    const Marks *m = list_of(s);
    char line[64 + MARK_NAME_MAX];
    switch (key) {
    case MMH_KEY_DOWN:
    case 'j':
        if (l->sel + 1 < m->n)
            l->sel++;
        return MMH_R_REDRAW;
    case MMH_KEY_UP:
    case 'k':
        if (l->sel > 0)
            l->sel--;
        return MMH_R_REDRAW;
    case MMH_KEY_ENTER:
    case '\n':
    case '\r':
        if (!m->n)
            return MMH_R_NONE;
        snprintf(line, sizeof line, "jump %s", m->v[l->sel].name);
        screen_pop(s); /* l is gone */
        return cmd_run(s, line);
    case 'd':
    case MMH_KEY_DELETE:
        if (!m->n)
            return MMH_R_NONE;
        snprintf(line, sizeof line, "unmark %s", m->v[l->sel].name);
        unsigned r = cmd_run(s, line);
        m = list_of(s);
        if (l->sel >= m->n && l->sel > 0)
            l->sel--;
        return r;
    case MMH_KEY_ESC:
    case 'q':
    case 'B': screen_pop(s); return MMH_R_REDRAW;
    default: return MMH_R_NONE;
    }
}

/* A click picks a row; a click on the picked row jumps there. */
static unsigned marks_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    MarkList *l = st;
    const Marks *m = list_of(s);
    (void)col;
    if (what != MMH_MOUSE_CLICK || row < 1 || l->top + (size_t)(row - 1) >= m->n)
        return MMH_R_NONE;
    size_t i = l->top + (size_t)(row - 1);
    if (i == l->sel)
        return marks_key(s, st, MMH_KEY_ENTER);
    l->sel = i;
    return MMH_R_REDRAW;
}

static void marks_frame(Session *s, void *st, Grid *g)
{
    MarkList *l = st;
    const Marks *m = list_of(s);
    char buf[256];
    grid_clear(g, MMH_CC_NORMAL);
    if (g->rows < 1)
        return;
    grid_fill_row(g, 0, MMH_CC_TITLE);
    snprintf(buf, sizeof buf, " bookmarks (%zu)  Enter jumps  d deletes  Esc leaves", m->n);
    grid_put_str(g, 0, 0, g->cols, buf, MMH_CC_TITLE, false);
    int rows = g->rows - 2; /* the title and the message row */
    if (rows < 1)
        return;
    if (l->sel < l->top)
        l->top = l->sel;
    if (l->sel >= l->top + (size_t)rows)
        l->top = l->sel - (size_t)rows + 1;
    if (!m->n)
        grid_put_str(g, 1, 0, g->cols, "  no bookmarks: M names one at the cursor", MMH_CC_NORMAL,
                     false);
    for (int r = 0; r < rows && l->top + (size_t)r < m->n; r++) {
        size_t i = l->top + (size_t)r;
        const Mark *k = &m->v[i];
        int cls = i == l->sel ? MMH_CC_SELECTED : MMH_CC_NORMAL;
        snprintf(buf, sizeof buf, "%s %-12s 0x%012" PRIx64 "  %s", i == l->sel ? ">" : " ", k->name,
                 k->off, k->note);
        if (i == l->sel)
            grid_fill_row(g, 1 + r, cls);
        grid_put_str(g, 1 + r, 0, g->cols, buf, cls, true);
    }
    if (s->msg[0])
        grid_put_str(g, g->rows - 1, 0, g->cols, s->msg, s->msg_err ? MMH_CC_ERROR : MMH_CC_MESSAGE,
                     true);
}

const ScreenType screen_marks = {
    .name = "marks",
    .key = marks_key,
    .mouse = marks_mouse,
    .frame = marks_frame,
    .free = free,
};

int marks_screen_open(Session *s)
{
    MarkList *l = calloc(1, sizeof *l);
    if (!l)
        return fail(s, -ENOMEM, "out of memory");
    return screen_push(s, &screen_marks, l);
}
