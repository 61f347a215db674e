/*
 * screen-hex: the hex editor screen, at the bottom of the screen stack:
 * the frame (view.c draws it from a pane and the session's status), normal
 * mode (every key runs a named command of keymap.h, so a key and its
 * command can never disagree), edit mode (keys overwrite bytes), the mouse,
 * and the live watch that lights up bytes other processes change.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "screen-struct.h"
#include "screen.h"
#include "sys.h"

#define WATCH_MAX 65536              /* visible bytes the live watch compares at most */
#define WATCH_TICKS 15               /* ticks a changed byte stays lit (about 3 s) */
#define STATUS_HOLD_NS 2000000000ull /* a frame that faulted stays on the status row */

/* ---- edit mode --------------------------------------------------------------- */

static int hexval(int k)
{
    if (k >= '0' && k <= '9')
        return k - '0';
    if (k >= 'a' && k <= 'f')
        return k - 'a' + 10;
    if (k >= 'A' && k <= 'F')
        return k - 'A' + 10;
    return -1;
}

static unsigned edit_key(Session *s, Pane *p, int key)
{
    View *v = &p->view;
    uint64_t size = doc_size(p->doc), c = v->cursor;
    switch (key) {
    case MMH_KEY_ESC:
        doc_snapshot(p->doc);
        p->editing = false;
        v->nibble = 0;
        s->msg[0] = 0;
        return MMH_R_REDRAW;
    case MMH_KEY_TAB: session_switch_pane(s); return MMH_R_REDRAW;
    case MMH_KEY_LEFT:
    case MMH_KEY_BACKSPACE:
        if (v->nibble)
            v->nibble = 0;
        else
            session_move_by(s, -1);
        return MMH_R_REDRAW;
    case MMH_KEY_RIGHT: session_move_by(s, 1); return MMH_R_REDRAW;
    case MMH_KEY_UP: session_move_up(s); return MMH_R_REDRAW;
    case MMH_KEY_DOWN: session_move_down(s); return MMH_R_REDRAW;
    case MMH_KEY_PGDN: session_page(s, 1); return MMH_R_REDRAW;
    case MMH_KEY_PGUP: session_page(s, -1); return MMH_R_REDRAW;
    case MMH_KEY_HOME: session_move_rowstart(s); return MMH_R_REDRAW;
    case MMH_KEY_END: session_move_rowend(s); return MMH_R_REDRAW;
    default: break;
    }
    if (!size)
        return MMH_R_NONE;
    if (p->at_end && c + 1 >= size) {
        /* Overwrite mode never changes the size: the last byte was typed,
         * and typing on would overwrite it again and again. */
        fail(s, -ERANGE, "end of the file: typing stops at the last byte (Esc leaves)");
        return MMH_R_REDRAW;
    }
    uint8_t b;
    if (v->pane == MMH_PANE_HEX) {
        int x = hexval(key);
        if (x < 0) {
            fail(s, -EINVAL, "hex pane: type hex digits 0-9 a-f (Tab: text pane, Esc: leave)");
            return MMH_R_REDRAW;
        }
        int rc = doc_read(p->doc, c, &b, 1);
        if (rc < 0) {
            core_error(s, rc, "edit");
            return MMH_R_REDRAW;
        }
        b = v->nibble ? (uint8_t)((b & 0xf0) | x) : (uint8_t)((b & 0x0f) | (x << 4));
    } else {
        if (key < 32 || key > 126) {
            fail(s, -EINVAL, "text pane: type printable characters (Tab: hex pane, Esc: leave)");
            return MMH_R_REDRAW;
        }
        b = (uint8_t)key;
    }
    int rc = doc_put(p->doc, c, &b, 1);
    if (rc < 0) {
        core_error(s, rc, "edit");
        return MMH_R_REDRAW;
    }
    note(s, "-- EDIT --");
    if (v->pane == MMH_PANE_HEX && v->nibble == 0) {
        v->nibble = 1;
    } else {
        v->nibble = 0;
        if (c + 1 < size)
            v->cursor = c + 1; /* typing continues the same undo group */
        else
            p->at_end = true;
    }
    view_follow(v, size);
    return MMH_R_REDRAW;
}

/* ---- normal mode ------------------------------------------------------------- */

static unsigned hex_key(Session *s, void *st, int key)
{
    Pane *p = st;
    if (p->editing)
        return edit_key(s, p, key);
    /* Esc cancels a running save only from normal mode: elsewhere it leaves
     * edit mode, a prompt or a question, and must do only that. */
    if (key == MMH_KEY_ESC && job_cancel_background(s))
        return MMH_R_REDRAW;
    if (key == MMH_KEY_ESC) {
        p->view.sel_on = false;
        s->msg[0] = 0;
        return MMH_R_REDRAW;
    }
    const char *c = keymap_lookup(key);
    if (!c) {
        char name[32];
        fail(s, 0, "%s: no such key (F1 or H for help)", keymap_name(key, name, sizeof name));
        return MMH_R_REDRAW;
    }
    return cmd_run(s, c);
}

static unsigned hex_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    (void)s;
    Pane *p = st;
    View *v = &p->view;
    uint64_t off, size = doc_size(p->doc), bpr = (uint64_t)v->bpr;
    MmhPane pane;
    switch (what) {
    case MMH_MOUSE_WHEEL_UP:
    case MMH_MOUSE_WHEEL_DOWN: {
        uint64_t step = 3 * bpr;
        int rows = view_data_rows(v);
        if (!size || rows < 1)
            return MMH_R_NONE;
        uint64_t last_top = (size - 1) / bpr * bpr, t = v->top;
        if (what == MMH_MOUSE_WHEEL_UP)
            t = t >= step ? t - step : 0;
        else
            t = t + step <= last_top ? t + step : last_top;
        v->top = t;
        /* Keep the cursor on screen by moving it, not the view. */
        uint64_t span = (uint64_t)rows * bpr;
        if (v->cursor < t)
            v->cursor = t + v->cursor % bpr;
        else if (v->cursor >= t + span)
            v->cursor = t + span - bpr + v->cursor % bpr;
        if (v->cursor >= size)
            v->cursor = size - 1;
        doc_snapshot(p->doc);
        p->at_end = false;
        return MMH_R_REDRAW;
    }
    case MMH_MOUSE_CLICK:
        if (view_hit(v, size, row, col, &off, &pane) < 0)
            return MMH_R_NONE;
        doc_snapshot(p->doc);
        p->at_end = false;
        v->cursor = off;
        v->pane = pane;
        v->nibble = 0;
        view_follow(v, size);
        return MMH_R_REDRAW;
    }
    return MMH_R_NONE;
}

/* ---- the live watch ----------------------------------------------------------- */

/* One tick less of highlight for every byte lit up. */
static void hex_tick(Session *s, void *st)
{
    Watch *w = &((Pane *)st)->watch;
    if (s->batch)
        return;
    for (size_t i = 0; i < w->len; i++)
        if (w->hot[i])
            w->hot[i]--;
}

/* Compare the visible bytes with the last frame's and light up those
 * someone else changed (not our own unwritten edits). Called after the
 * frame has read them, so it never faults a page in before residency is
 * sampled. O(screen). */
static void watch(Pane *p)
{
    Watch *w = &p->watch;
    const View *v = &p->view;
    uint64_t size = doc_size(p->doc), lo = v->top;
    uint64_t n64 = (uint64_t)view_data_rows(v) * (uint64_t)v->bpr;
    if (lo >= size || !n64) {
        w->len = 0;
        return;
    }
    size_t n = (size_t)(n64 < size - lo ? n64 : size - lo);
    if (n > WATCH_MAX)
        n = WATCH_MAX;
    if (lo != w->lo || n != w->len) { /* the view moved: start over */
        uint8_t *a = realloc(w->snap, n), *b;
        if (!a)
            return;
        w->snap = a;
        b = realloc(w->hot, n);
        if (!b)
            return;
        w->hot = b;
        memset(w->hot, 0, n);
        w->lo = lo;
        w->len = doc_read(p->doc, lo, w->snap, n) == 0 ? n : 0;
        return;
    }
    uint8_t now[4096];
    const RangeSet *runs = journal_runs(doc_journal(p->doc));
    for (size_t i = 0; i < n; i += sizeof now) {
        size_t k = n - i < sizeof now ? n - i : sizeof now;
        if (doc_read(p->doc, lo + i, now, k) < 0) {
            w->len = 0;
            return;
        }
        for (size_t j = 0; j < k; j++) {
            uint8_t *h = &w->hot[i + j];
            if (now[j] != w->snap[i + j]) {
                if (!rangeset_contains(runs, lo + i + j))
                    *h = WATCH_TICKS;
                w->snap[i + j] = now[j];
            }
        }
    }
}

/* ---- the frame ------------------------------------------------------------------ */

static void hex_frame(Session *s, void *st, Grid *g)
{
    Pane *p = st;
    Map *m = doc_map(p->doc);
    Resid *r = doc_resid(p->doc);
    if (p->view.rows != g->rows || p->view.cols != g->cols) /* a region of another size */
        view_layout(&p->view, g->rows, g->cols, doc_size(p->doc));
    session_sample(s, false);
    const char *state = NULL;
    if (p != s->cur)
        state = NULL; /* the other file of a diff: the keys are not its */
    else if (p->editing)
        state = "EDIT";
    else if (p->view.sel_on)
        state = "SELECT";
    else
        state = job_state(s);
    const char *name = strrchr(map_path(m), '/');
    char labelled[300];
    name = name ? name + 1 : map_path(m);
    if (p->label) { /* a diff: "A: name", the side with the keys marked */
        snprintf(labelled, sizeof labelled, "%s%s: %s", p == s->cur ? ">" : "", p->label, name);
        name = labelled;
    }
    ViewInfo info = {
        .name = name,
        .mode = view_mode_name(map_mode(m)),
        .state = state,
        .modified = doc_unwritten(p->doc),
        .file_known = p->file_known,
        .file = p->file,
        .unknown_why = resid_known(r) ? NULL : resid_why_unknown(r),
        .locked = rangeset_total(map_locked(m)),
        .lock_limit = p->lim.limit,
        .lock_unlimited = p->lim.unlimited,
        .advice = map_advice_name(map_advice(m)),
        .edited_pages = p->edited_pages,
        .last_minflt = p->last.minflt,
        .last_majflt = p->last.majflt,
        .last_ns = p->last.ns,
        .hot = p->watch.len ? p->watch.hot : NULL,
        .hot_lo = p->watch.lo,
        .hot_len = p->watch.len,
        .match_on = p->match_on,
        .match_off = p->match_off,
        .match_len = p->match_len,
        .field = p == s->cur ? struct_field(s) : NULL,
        .message = s->msg[0] ? s->msg : NULL,
        .message_error = s->msg_err,
    };
    ViewFrame f;
    view_render(&p->view, p->doc, &info, g, &f);
    if (f.read_rc == -MMH_ETRUNC) {
        /* Truncated under us: take the new size and draw again. */
        session_refresh(s, NULL);
        info.message = s->msg;
        info.message_error = s->msg_err;
        view_render(&p->view, p->doc, &info, g, &f);
    }
    if (f.read_rc < 0 && f.read_rc != -MMH_ETRUNC) {
        /* The bytes that cannot be read show as "??": say why, and where.
         * Drawn again only when the message is new (another read faults). */
        char why[sizeof s->msg];
        snprintf(why, sizeof why, "cannot read 0x%" PRIx64 ": %s", f.read_off,
                 map_strerror(f.read_rc));
        if (!s->msg_err || strcmp(s->msg, why) != 0) {
            say(s, true, "%s", why);
            info.message = s->msg;
            info.message_error = true;
            view_render(&p->view, p->doc, &info, g, &f);
        }
    } else if (f.read_rc == 0 && s->msg_err && !strncmp(s->msg, "cannot read 0x", 14)) {
        s->msg[0] = '\0'; /* readable again: the message would name a cause now gone */
    }
    /* A frame that faulted stays on the status row for a while: the next
     * idle refresh (200 ms later, faulting nothing) would hide it at once. */
    uint64_t t = sys_now_ns();
    if (f.majflt || f.minflt || !p->last.majflt || t - p->last_at > STATUS_HOLD_NS) {
        p->last = f;
        p->last_at = t;
    }
    watch(p); /* after the frame read the bytes: never fault them first */
    if (p == s->cur && struct_auto(s)) { /* a format at offset 0: name the field */
        info.field = struct_field(s);
        view_render(&p->view, p->doc, &info, g, &f);
    }
}

const ScreenType screen_hex = {
    .name = "hex",
    .key = hex_key,
    .mouse = hex_mouse,
    .frame = hex_frame,
    .tick = hex_tick,
};
