/*
 * screen-list: a bounded list of ranges over the hex screen, generic over
 * its source (see screen-list.h).
 *
 * The screen's state (ListScreen) is shared with the job that steps its
 * RList: the job runs only while a scan runs (the count, a refill), so an
 * idle list costs nothing, and a key that asks for a refill starts it
 * again. Popping the screen (which frees its state without a session)
 * leaves a running job to free it at its next step: `closed` says the
 * screen is gone, `job` that the job still holds the state.
 *
 * The cursor is the RList's (a window index); the screen keeps only the
 * row it is drawn on, so an item keeps its row while items arrive above it
 * (a backward refill) and the page moves only when the cursor leaves it.
 */
#include "config.h"

#include "screen-list.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "screen.h"

#define LIST_WHEEL 3        /* items a wheel notch scrolls */
#define LIST_BEFORE 4       /* bytes shown before an item */
#define LIST_PREVIEW_MAX 32 /* bytes shown at most */

typedef struct ListScreen {
    const ListType *t; /* what it lists */
    void *ctx;         /* its state (owned) */
    RList *rl;         /* the window and the count */
    int row;           /* the cursor's row among the item rows */
    int page;          /* item rows at the last frame */
    uint64_t msg_seq;  /* the message row's sequence when the list opened */
    bool job;          /* the job that steps rl runs */
    bool closed;       /* the screen is gone: the job frees the state */
} ListScreen;

static void destroy(ListScreen *ls)
{
    rlist_free(ls->rl);
    if (ls->t->free)
        ls->t->free(ls->ctx);
    else
        free(ls->ctx);
    free(ls);
}

/* ---- the job that steps the list ---------------------------------------------- */

static int list_job_step(Session *s, void *st, uint64_t budget_ns)
{
    (void)s;
    ListScreen *ls = st;
    if (ls->closed)
        return 1;
    rlist_step(ls->rl, budget_ns);
    return rlist_busy(ls->rl) ? 0 : 1;
}

static void list_job_progress(Session *s, void *st)
{
    (void)s, (void)st; /* the title row says it */
}

static void list_job_end(ListScreen *ls)
{
    ls->job = false;
    if (ls->closed)
        destroy(ls);
}

static int list_job_finish(Session *s, void *st, int rc)
{
    (void)s, (void)rc;
    list_job_end(st);
    return 0;
}

static void list_job_cancel(Session *s, void *st)
{
    (void)s;
    list_job_end(st);
}

static const JobType list_job = {
    .name = "list",
    .first_slice = true,
    .step = list_job_step,
    .progress = list_job_progress,
    .finish = list_job_finish,
    .cancel = list_job_cancel,
};

/* Step the list in the background while a scan runs. */
static void kick(Session *s, ListScreen *ls)
{
    if (ls->job || !rlist_busy(ls->rl))
        return;
    ls->job = true;
    job_start(s, &list_job, ls, "a list");
}

/* ---- keys ------------------------------------------------------------------------ */

static void list_free(void *st)
{
    ListScreen *ls = st;
    ls->closed = true;
    if (!ls->job)
        destroy(ls);
}

/* Leave: say how the count stood if it was still running. */
static unsigned leave(Session *s, ListScreen *ls)
{
    if (rlist_count_state(ls->rl) == RL_COUNTING) {
        RlProgress p;
        rlist_count_progress(ls->rl, &p);
        say(s, false, "%s: stopped at 0x%" PRIx64 " after %" PRIu64 " %s", ls->t->name, p.at,
            rlist_count(ls->rl), rlist_count(ls->rl) == 1 ? ls->t->noun : ls->t->nouns);
    }
    screen_pop(s); /* ls is gone, or left to the job */
    return MMH_R_REDRAW;
}

static unsigned enter(Session *s, ListScreen *ls)
{
    const RlItem *p = rlist_item(ls->rl, rlist_sel(ls->rl));
    if (!p)
        return MMH_R_NONE;
    RlItem it = *p;
    if (ls->t->enter)
        return ls->t->enter(s, ls->ctx, &it);
    uint64_t idx, count = rlist_count(ls->rl);
    bool known = rlist_index(ls->rl, rlist_sel(ls->rl), &idx);
    bool counted = rlist_count_state(ls->rl) == RL_COUNTED;
    char where[96] = "";
    if (known)
        snprintf(where, sizeof where, " %" PRIu64 " of %" PRIu64 "%s", idx + 1, count,
                 counted ? "" : "+");
    const char *noun = ls->t->noun;
    screen_pop(s); /* ls may be gone */
    session_jump(s, it.off);
    s->cur->match_on = true;
    s->cur->match_off = it.off;
    s->cur->match_len = it.len ? it.len : 1;
    say(s, false, "%s%s at 0x%" PRIx64, noun, where, it.off);
    return MMH_R_REDRAW;
}

static unsigned list_key(Session *s, void *st, int key)
{
    ListScreen *ls = st;
    RList *rl = ls->rl;
    int page = ls->page > 0 ? ls->page : 1;
    switch (key) {
    case MMH_KEY_DOWN:
    case 'j': rlist_move(rl, 1), ls->row++; break;
    case MMH_KEY_UP:
    case 'k': rlist_move(rl, -1), ls->row--; break;
    case MMH_KEY_PGDN:
    case ' ':
    case MMH_KEY_CTRL('f'): rlist_move(rl, page); break;
    case MMH_KEY_PGUP:
    case 'b':
    case MMH_KEY_CTRL('b'): rlist_move(rl, -page); break;
    case MMH_KEY_HOME:
    case 'g': rlist_first(rl), ls->row = 0; break;
    case MMH_KEY_END:
    case 'G': rlist_last(rl), ls->row = page - 1; break;
    case MMH_KEY_ENTER:
    case '\n':
    case '\r': return enter(s, ls);
    case 'c':
        if (rlist_count_state(rl) != RL_COUNTING)
            return MMH_R_NONE;
        rlist_cancel(rl);
        break;
    case MMH_KEY_ESC:
    case 'q': return leave(s, ls);
    default:
        if (ls->t->key) {
            bool taken = false;
            unsigned r = ls->t->key(s, ls->ctx, key, &taken);
            if (taken)
                return r;
        }
        return MMH_R_NONE; /* dropped: nothing typed here edits the file */
    }
    if (ls->row < 0)
        ls->row = 0;
    kick(s, ls);
    return MMH_R_REDRAW;
}

static unsigned list_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    ListScreen *ls = st;
    (void)col;
    if (what == MMH_MOUSE_WHEEL_UP || what == MMH_MOUSE_WHEEL_DOWN) {
        int d = what == MMH_MOUSE_WHEEL_UP ? -LIST_WHEEL : LIST_WHEEL;
        size_t before = rlist_sel(ls->rl);
        rlist_move(ls->rl, d);
        ls->row += (int)((int64_t)rlist_sel(ls->rl) - (int64_t)before);
        kick(s, ls);
        return MMH_R_REDRAW;
    }
    if (row < 1 || row > ls->page)
        return MMH_R_NONE;
    int r = row - 1;
    if (r == ls->row)
        return enter(s, ls);
    size_t before = rlist_sel(ls->rl);
    rlist_move(ls->rl, r - ls->row);
    ls->row += (int)((int64_t)rlist_sel(ls->rl) - (int64_t)before);
    kick(s, ls);
    return MMH_R_REDRAW;
}

/* ---- drawing ------------------------------------------------------------------------ */

int list_draw_index(Session *s, Grid *g, int row, int col, uint64_t idx, uint64_t off, bool sel)
{
    char buf[64];
    int digits = 8;
    for (uint64_t size = session_size(s); digits < 16 && size >> (4 * digits); digits++)
        ;
    if (idx == UINT64_MAX)
        snprintf(buf, sizeof buf, "#?");
    else
        snprintf(buf, sizeof buf, "#%" PRIu64, idx + 1);
    grid_put_str(g, row, col, g->cols, buf, sel ? MMH_CC_SELECTED : MMH_CC_NORMAL, false);
    snprintf(buf, sizeof buf, "0x%0*" PRIx64, digits, off);
    return grid_put_str(g, row, col + 10, g->cols, buf, sel ? MMH_CC_SELECTED : MMH_CC_OFFSET,
                        false);
}

void list_draw_bytes(Session *s, Grid *g, int row, int col, int limit, uint64_t off, uint64_t len,
                     bool sel)
{
    uint8_t buf[LIST_PREVIEW_MAX];
    uint64_t size = session_size(s);
    int room = (limit - col - 1) / 4; /* "hh " and a text cell each, a blank between */
    if (room < 1 || off >= size)
        return;
    if (room > LIST_PREVIEW_MAX)
        room = LIST_PREVIEW_MAX;
    uint64_t before = off < LIST_BEFORE ? off : LIST_BEFORE;
    if (before > (uint64_t)room / 4) /* the item's start stays in sight */
        before = (uint64_t)room / 4;
    uint64_t a = off - before, b = a + (uint64_t)room > size ? size : a + (uint64_t)room;
    size_t n = (size_t)(b - a);
    if (doc_read(s->doc, a, buf, n) < 0) {
        grid_put_str(g, row, col, limit, "(unreadable)", MMH_CC_ERROR, false);
        return;
    }
    int base = sel ? MMH_CC_SELECTED : MMH_CC_NORMAL;
    int tcol = col + room * 3 + 1;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        uint64_t o = a + i;
        int cls = o >= off && o - off < len ? MMH_CC_MATCH : base;
        grid_put(g, row, col + (int)i * 3, (uint32_t)hex[buf[i] >> 4], cls);
        grid_put(g, row, col + (int)i * 3 + 1, (uint32_t)hex[buf[i] & 15], cls);
        uint8_t c = buf[i];
        grid_put(g, row, tcol + (int)i, c >= 0x20 && c < 0x7f ? c : '.', cls);
    }
}

/* The title: what is listed, the count and how it stands. */
static void title(Session *s, ListScreen *ls, char *buf, size_t n)
{
    char what[160] = "";
    if (ls->t->title)
        ls->t->title(s, ls->ctx, what, sizeof what);
    uint64_t c = rlist_count(ls->rl);
    const char *noun = c == 1 ? ls->t->noun : ls->t->nouns;
    int k =
        snprintf(buf, n, " %s%s%s: %" PRIu64 " %s", ls->t->name, what[0] ? " " : "", what, c, noun);
    if (k < 0 || (size_t)k >= n)
        return;
    RlProgress p;
    rlist_count_progress(ls->rl, &p);
    switch (rlist_count_state(ls->rl)) {
    case RL_COUNTING:
        snprintf(buf + k, n - (size_t)k, " so far (searching %.0f%%)",
                 p.total ? 100.0 * (double)p.done / (double)p.total : 0.0);
        break;
    case RL_COUNTED: snprintf(buf + k, n - (size_t)k, " (done)"); break;
    case RL_CANCELLED:
        snprintf(buf + k, n - (size_t)k, " before 0x%" PRIx64 " (cancelled)", p.at);
        break;
    case RL_FAILED:
        snprintf(buf + k, n - (size_t)k, " (failed: %s)", map_strerror(rlist_error(ls->rl)));
        break;
    }
}

static void list_frame(Session *s, void *st, Grid *g)
{
    ListScreen *ls = st;
    RList *rl = ls->rl;
    char buf[256];
    grid_clear(g, MMH_CC_NORMAL);
    if (g->rows < 1)
        return;
    grid_fill_row(g, 0, MMH_CC_TITLE);
    title(s, ls, buf, sizeof buf);
    grid_put_str(g, 0, 0, g->cols, buf, MMH_CC_TITLE, true);
    int page = g->rows - 2;
    if (page < 1)
        return;
    ls->page = page;
    size_t n = rlist_len(rl), sel = rlist_sel(rl);
    /* The cursor's row: on the page, no higher than items above it allow,
     * and at the list's end no lower than the page fills. */
    if (ls->row > page - 1)
        ls->row = page - 1;
    if (ls->row < 0)
        ls->row = 0;
    if ((size_t)ls->row > sel)
        ls->row = (int)sel;
    if (n && rlist_at_end(rl) && n - 1 - sel < (size_t)(page - 1 - ls->row)) {
        size_t want = (size_t)page - 1 - (n - 1 - sel);
        ls->row = (int)(want < sel ? want : sel);
    }
    size_t top = sel - (size_t)ls->row;
    for (int r = 0; r < page; r++) {
        size_t i = top + (size_t)r;
        const RlItem *it = rlist_item(rl, i);
        if (!it) {
            const char *what = NULL;
            if (i == n && !rlist_at_end(rl))
                what = rlist_busy(rl) ? "  ... searching" : "  ...";
            else if (n == 0 && r == 0)
                what = "  (none)";
            if (what)
                grid_put_str(g, 1 + r, 0, g->cols, what, MMH_CC_MESSAGE, false);
            break;
        }
        bool on = i == sel;
        if (on) {
            grid_fill_row(g, 1 + r, MMH_CC_SELECTED);
            grid_put(g, 1 + r, 0, '>', MMH_CC_SELECTED);
        }
        uint64_t idx;
        if (!rlist_index(rl, i, &idx))
            idx = UINT64_MAX;
        ls->t->row(s, ls->ctx, it, idx, on, g, 1 + r, 2);
    }
    if (top == 0 && !rlist_at_start(rl) && n > 0 && rlist_loading(rl))
        grid_put_str(g, 1, 2, g->cols, "... searching backward", MMH_CC_MESSAGE, false);
    const char *hint = " Enter jumps  j/k PgDn/PgUp g/G move  c stops the count  q leaves";
    bool msg = s->msg[0] && s->msg_seq != ls->msg_seq;
    grid_put_str(g, g->rows - 1, 0, g->cols, msg ? s->msg : hint,
                 msg ? (s->msg_err ? MMH_CC_ERROR : MMH_CC_MESSAGE) : MMH_CC_STATUS, true);
}

const ScreenType screen_list = {
    .name = "list",
    .key = list_key,
    .mouse = list_mouse,
    .frame = list_frame,
    .free = list_free,
};

/* ---- opening -------------------------------------------------------------------------- */

int list_open(Session *s, const ListType *t, void *ctx)
{
    ListScreen *ls = calloc(1, sizeof *ls);
    if (!ls) {
        if (t->free)
            t->free(ctx);
        else
            free(ctx);
        return fail(s, -ENOMEM, "%s: out of memory", t->name);
    }
    ls->t = t;
    ls->ctx = ctx;
    ls->msg_seq = s->msg_seq;
    int rc = rlist_new(&ls->rl, t->src, ctx, LIST_CAP, LIST_MARGIN);
    if (rc < 0) {
        destroy(ls);
        return fail(s, rc, "%s: %s", t->name, map_strerror(rc));
    }
    rc = screen_push(s, &screen_list, ls);
    if (rc < 0)
        return rc;
    kick(s, ls); /* the first slice runs now: a small file is done at once */
    if (!ls->job && rlist_count_state(ls->rl) == RL_COUNTED && rlist_count(ls->rl) == 0) {
        screen_pop(s);
        return 1;
    }
    return 0;
}

int list_restart(Session *s)
{
    ListScreen *ls = screen_top_is(s, &screen_list);
    if (!ls)
        return -ENOENT;
    RList *rl = NULL;
    int rc = rlist_new(&rl, ls->t->src, ls->ctx, LIST_CAP, LIST_MARGIN);
    if (rc < 0)
        return fail(s, rc, "%s: %s", ls->t->name, map_strerror(rc));
    rlist_free(ls->rl);
    ls->rl = rl;
    ls->row = 0;
    kick(s, ls);
    return 0;
}
