/*
 * screen-diff: two files side by side (stacked when the terminal is too
 * narrow for two rows of 8 bytes), at the bottom of the screen stack in
 * place of the hex screen. Each side is a hex frame of its own (screen-hex
 * draws it: title, rows, status rows), both with the same bytes per row;
 * the side without the keys follows the other (its cursor and top at the
 * same position, B's offsets being A's plus the shift); the bytes that
 * differ from the other side's are lit and their rows marked '*'; the
 * bottom row says how the comparison of the whole files stands, or the
 * message. Keys go to the focused side's hex screen; a click focuses the
 * side clicked. O(screen) per frame: the visible bytes of each side and
 * their twins are read once more to mark them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diffpair.h"
#include "screen.h"

#define SIDE_MIN_BPR 8 /* side by side when both halves show this many bytes a row */

/* Lay the two regions out in a rows x cols grid. */
static void regions(Session *s, DiffPair *p, int rows, int cols)
{
    int half = (cols - 1) / 2;
    bool side =
        view_fit_bpr(&s->pane.view, half, doc_size(s->pane.doc)) >= SIDE_MIN_BPR &&
        view_fit_bpr(&s->pane2->view, cols - half - 1, doc_size(s->pane2->doc)) >= SIDE_MIN_BPR;
    if (side) {
        int a[4] = {0, 0, rows, half}, b[4] = {0, half + 1, rows, cols - half - 1};
        memcpy(p->reg[0], a, sizeof a);
        memcpy(p->reg[1], b, sizeof b);
    } else {
        int top = rows / 2;
        int a[4] = {0, 0, top, cols}, b[4] = {top, 0, rows - top, cols};
        memcpy(p->reg[0], a, sizeof a);
        memcpy(p->reg[1], b, sizeof b);
    }
}

/* Both views laid out with one width of row (the focused side's wish, if
 * both can show it), then the other side put where the focused one is. */
static void layout_both(Session *s, DiffPair *p)
{
    Pane *cur = s->cur, *o = diffpair_other(s), *pn[2] = {&s->pane, s->pane2};
    int want = cur->view.bpr_fixed;
    o->view.group = cur->view.group;
    o->view.dec_offsets = cur->view.dec_offsets;
    o->view.pane = cur->view.pane;
    for (int i = 0; i < 2; i++) {
        pn[i]->view.bpr_fixed = want;
        view_layout(&pn[i]->view, p->reg[i][2], p->reg[i][3], doc_size(pn[i]->doc));
    }
    if (s->pane.view.bpr != s->pane2->view.bpr) {
        int m = s->pane.view.bpr < s->pane2->view.bpr ? s->pane.view.bpr : s->pane2->view.bpr;
        for (int i = 0; i < 2; i++) {
            pn[i]->view.bpr_fixed = m;
            view_layout(&pn[i]->view, p->reg[i][2], p->reg[i][3], doc_size(pn[i]->doc));
            pn[i]->view.bpr_fixed = want;
        }
    }
    /* The other side follows: the same position under the cursor and at
     * the top (at its own row boundary when the shift is not a multiple of
     * the row). */
    uint64_t so = doc_size(o->doc), bpr = (uint64_t)(o->view.bpr < 1 ? 1 : o->view.bpr);
    int64_t d = cur == &s->pane ? p->shift : -p->shift;
    int64_t c = (int64_t)cur->view.cursor + d, t = (int64_t)cur->view.top + d;
    if (c < 0)
        c = 0;
    if (so && (uint64_t)c >= so)
        c = (int64_t)so - 1;
    if (t < 0)
        t = 0;
    o->view.cursor = so ? (uint64_t)c : 0;
    o->view.top = (uint64_t)t - (uint64_t)t % bpr;
    o->view.sel_on = false;
    view_follow(&o->view, so);
}

/* Mark the visible bytes of pane x (index i: 0 A, 1 B) that differ from
 * their twins, over the frame drawn into w. */
static void mark(Session *s, DiffPair *p, int i, Grid *w)
{
    Pane *x = i ? s->pane2 : &s->pane, *y = i ? &s->pane : s->pane2;
    const View *v = &x->view;
    uint64_t sx = doc_size(x->doc), sy = doc_size(y->doc), lo = v->top;
    uint64_t n = (uint64_t)view_data_rows(v) * (uint64_t)(v->bpr < 1 ? 1 : v->bpr);
    bool passive = x != s->cur;
    if (lo >= sx || !n) {
        view_mark(v, sx, w, NULL, 0, 0, passive);
        return;
    }
    if (n > sx - lo)
        n = sx - lo;
    uint8_t *a = malloc(3 * (size_t)n), *b = a + n, *m = b + n;
    if (!a || doc_read(x->doc, lo, a, (size_t)n) < 0) {
        free(a);
        view_mark(v, sx, w, NULL, 0, 0, passive);
        return;
    }
    memset(m, 0, (size_t)n);
    int64_t d = i ? -p->shift : p->shift; /* x's offset + d = y's offset */
    /* y's bytes [ylo, yhi) face x's [lo + (ylo - lo - d), ...) */
    int64_t ylo = (int64_t)lo + d, yhi = ylo + (int64_t)n;
    int64_t pos_lo = i ? (int64_t)lo - p->shift : (int64_t)lo; /* A's position of x's lo */
    int64_t first = p->shift < 0 ? -p->shift : 0;              /* compared from here */
    int64_t clo = ylo < 0 ? 0 : ylo, chi = yhi > (int64_t)sy ? (int64_t)sy : yhi;
    bool got =
        chi <= clo || doc_read(y->doc, (uint64_t)clo, b + (clo - ylo), (size_t)(chi - clo)) == 0;
    for (uint64_t k = 0; k < n && got; k++) {
        int64_t yo = ylo + (int64_t)k;
        if (pos_lo + (int64_t)k < first || yo < 0)
            continue;                             /* before one side's start: not compared */
        m[k] = yo >= (int64_t)sy || a[k] != b[k]; /* the tail, or a different byte */
    }
    view_mark(v, sx, w, got ? m : NULL, lo, (size_t)n, passive);
    free(a);
}

static void diff_frame(Session *s, void *st, Grid *g)
{
    DiffPair *p = st;
    Pane *pn[2] = {&s->pane, s->pane2};
    regions(s, p, g->rows, g->cols);
    layout_both(s, p);
    g->cur_row = g->cur_col = -1;
    for (int i = 0; i < 2; i++) {
        const int *r = p->reg[i];
        Grid w = grid_window(g, r[0], r[1], r[2], r[3]);
        screen_hex.frame(s, pn[i], &w);
        mark(s, p, i, &w);
        grid_window_done(g, &w, r[0], r[1]);
    }
    char line[SESSION_MSG_MAX];
    diffpair_line(s, line, sizeof line);
    bool side = p->reg[1][1] > 0;
    if (side) { /* the separator, and one bottom row for both */
        for (int y = 0; y < g->rows - 1; y++)
            grid_put(g, y, p->reg[1][1] - 1, 0x2502, MMH_CC_STATUS);
        grid_fill_row(g, g->rows - 1, MMH_CC_NORMAL);
        if (s->msg[0])
            grid_put_str(g, g->rows - 1, 0, g->cols, s->msg,
                         s->msg_err ? MMH_CC_ERROR : MMH_CC_MESSAGE, false);
        else
            grid_put_str(g, g->rows - 1, 0, g->cols, line, MMH_CC_MESSAGE, false);
    } else if (p->reg[0][2] > 0 && !s->pane.view.too_small) { /* stacked: A's message row */
        int y = p->reg[0][2] - 1;
        grid_fill_row(g, y, MMH_CC_NORMAL);
        grid_put_str(g, y, 0, g->cols, line, MMH_CC_MESSAGE, false);
    }
}

static unsigned diff_key(Session *s, void *st, int key)
{
    (void)st;
    return screen_hex.key(s, s->cur, key);
}

static unsigned diff_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    DiffPair *p = st;
    for (int i = 0; i < 2; i++) {
        const int *r = p->reg[i];
        if (row < r[0] || row >= r[0] + r[2] || col < r[1] || col >= r[1] + r[3])
            continue;
        Pane *x = i ? s->pane2 : &s->pane;
        if (x != s->cur) {
            if (s->cur->editing)
                return MMH_R_NONE; /* edit mode keeps its side */
            doc_snapshot(s->doc);
            s->view->sel_on = false;
            session_focus(s, x);
        }
        screen_hex.mouse(s, x, what, row - r[0], col - r[1]);
        return MMH_R_REDRAW;
    }
    return MMH_R_NONE;
}

static void diff_tick(Session *s, void *st)
{
    DiffPair *p = st;
    screen_hex.tick(s, &s->pane);
    screen_hex.tick(s, s->pane2);
    /* Edits (ours or another process's) or a new shift after the
     * comparison ended: compare again, unless the user stopped it (a
     * running one begins again by itself). */
    if (!p->running && !p->stopped && diffpair_stale(s))
        diffpair_restart(s);
}

const ScreenType screen_diff = {
    .name = "diff", .key = diff_key, .mouse = diff_mouse, .frame = diff_frame, .tick = diff_tick,
    /* no free: the session owns the pair and the second pane */
};

int diff_screen_install(Session *s)
{
    s->screens[0] = (Screen){&screen_diff, s->diff};
    return 0;
}
