/*
 * editor: the session's entry points (cmd.h) for the UI and the tests:
 * keys, mouse events, resizes, ticks and frames, dispatched to the running
 * job (job.h) and the screens (screen.h). Each returns reaction flags
 * (htop's pattern) and ends by putting a new message in the history.
 */
#include "config.h"

#include "cmd.h"

#include "job.h"
#include "screen.h"

static unsigned done(Session *s, unsigned r)
{
    session_log(s);
    return r;
}

unsigned cmd_key(Session *s, int key)
{
    unsigned r;
    if (key == MMH_KEY_RESIZE || key == MMH_KEY_NONE)
        return MMH_R_REDRAW;
    if (job_key(s, key, &r))
        return done(s, r);
    const Screen *top = &s->screens[s->nscreens - 1];
    return done(s, top->type->key(s, top->st, key));
}

unsigned cmd_mouse(Session *s, MmhMouse what, int row, int col)
{
    return done(s, layout_mouse(s, what, row, col));
}

unsigned cmd_resize(Session *s, int rows, int cols)
{
    int pr, pc;
    s->rows = rows;
    s->cols = cols;
    layout_pane_size(s, rows, cols, &pr, &pc);
    view_layout(s->view, pr, pc, session_size(s));
    if (s->view->bpr_refused) /* -w too wide: a message, never a hidden cursor */
        say(s, false, "width %d does not fit %d columns: showing %d", s->view->bpr_refused,
            s->view->cols, s->view->bpr);
    return MMH_R_REDRAW;
}

unsigned cmd_tick(Session *s, uint64_t budget_ns)
{
    unsigned r = job_tick(s, budget_ns);
    r |= session_refresh(s, NULL);
    if (session_sample(s, false))
        r |= MMH_R_REDRAW;
    for (int i = 0; i < s->nscreens; i++)
        if (s->screens[i].type->tick)
            s->screens[i].type->tick(s, s->screens[i].st);
    return done(s, r);
}

void cmd_frame(Session *s, Grid *g)
{
    layout_frame(s, g);
    session_log(s); /* a frame may say something (a truncation it ran into) */
}
