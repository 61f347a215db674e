/*
 * session: messages, output, the cursor and changes made by others (see
 * session.h), and the session's life cycle and accessors (cmd.h).
 */
#include "config.h"

#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "entropy.h"
#include "job.h"
#include "marks.h"
#include "parse.h"
#include "screen-struct.h"
#include "screen.h"
#include "search-regex.h"
#include "sys.h"

#define OUT_STREAM (64u << 10) /* batch output gathered before it streams */

/* ---- messages ------------------------------------------------------------ */

static void set_msg(Session *s, bool err, bool transient, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void set_msg(Session *s, bool err, bool transient, const char *fmt, va_list ap)
{
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    s->msg_err = err;
    s->msg_transient = transient;
    s->growing = false;
    s->msg_seq++;
}

void say(Session *s, bool err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(s, err, false, fmt, ap);
    va_end(ap);
}

int fail(Session *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(s, true, false, fmt, ap);
    va_end(ap);
    return rc;
}

void note(Session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(s, false, true, fmt, ap);
    va_end(ap);
}

void say_ignored(Session *s)
{
    size_t n = strlen(s->msg);
    if (s->keys_ignored)
        snprintf(s->msg + n, sizeof s->msg - n, " (%" PRIu64 " key%s ignored)", s->keys_ignored,
                 s->keys_ignored == 1 ? "" : "s");
}

void session_log(Session *s)
{
    if (!s->msg[0] || s->msg_transient || s->msg_seq == s->logged_seq)
        return;
    s->logged_seq = s->msg_seq;
    if (s->log_len) {
        LogLine *last = &s->log[(s->log_head + s->log_len - 1) % SESSION_LOG_MAX];
        if (last->err == s->msg_err && !strcmp(last->text, s->msg)) {
            last->repeat++;
            last->at = (uint64_t)time(NULL);
            return;
        }
    }
    LogLine *l;
    if (s->log_len < SESSION_LOG_MAX) {
        l = &s->log[(s->log_head + s->log_len++) % SESSION_LOG_MAX];
    } else {
        l = &s->log[s->log_head];
        s->log_head = (s->log_head + 1) % SESSION_LOG_MAX;
    }
    memcpy(l->text, s->msg, sizeof l->text);
    l->err = s->msg_err;
    l->at = (uint64_t)time(NULL);
    l->repeat = 0;
}

int core_error(Session *s, int rc, const char *what)
{
    if (rc == -MMH_ETRUNC) {
        session_refresh(s, NULL);
        if (!s->msg_err)
            fail(s, rc, "%s: the file was truncated by another process", what);
        return rc;
    }
    return fail(s, rc, "%s: %s", what, map_strerror(rc));
}

/* ---- output -------------------------------------------------------------- */

void emit(Session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (s->out_len + (size_t)n + 1 > s->out_cap) {
        size_t cap = s->out_cap ? s->out_cap : 4096;
        while (cap < s->out_len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(s->out, cap);
        if (!p)
            return;
        s->out = p;
        s->out_cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(s->out + s->out_len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->out_len += (size_t)n;
    if (s->out_fn && s->out_len >= OUT_STREAM) {
        s->out_fn(s->out, s->out_len, s->out_ctx);
        s->out_len = 0;
    }
}

void emit_head(Session *s, const char *head)
{
    size_t hl = strlen(head);
    char *p = malloc(s->out_len + hl + 1);
    if (!p)
        return;
    memcpy(p, head, hl);
    memcpy(p + hl, s->out ? s->out : "", s->out_len);
    p[hl + s->out_len] = 0;
    free(s->out);
    s->out = p;
    s->out_len += hl;
    s->out_cap = s->out_len + 1;
}

/* The UI shows what reporting commands printed (stat, dump, find -a) on a
 * pager, whole, once the command or its job has ended. */
void session_show_output(Session *s)
{
    if (s->batch || !s->out_len)
        return;
    char *text = cmd_output_take(s);
    void *pg = screen_top_is(s, &screen_pager);
    if (pg) /* a page already up: this one replaces it */
        screen_pop(s);
    pager_open(s, " mmhex output: arrows/PgDn scroll, any other key returns", text);
}

char *cmd_output_take(Session *s)
{
    char *p = s->out;
    if (!p || !s->out_len)
        return NULL;
    s->out = NULL;
    s->out_len = s->out_cap = 0;
    return p;
}

/* ---- the cursor ---------------------------------------------------------- */

uint64_t session_size(const Session *s)
{
    return doc_size(s->doc);
}

void session_clamp(Session *s)
{
    uint64_t size = session_size(s);
    View *v = s->view;
    if (size == 0)
        v->cursor = 0;
    else if (v->cursor >= size)
        v->cursor = size - 1;
    if (v->sel_on && v->sel_anchor >= size)
        v->sel_anchor = size ? size - 1 : 0;
    view_follow(v, size);
}

void session_move_to(Session *s, uint64_t off)
{
    doc_snapshot(s->doc);
    s->cur->at_end = false;
    s->cur->match_on = false;
    s->view->cursor = off;
    s->view->nibble = 0;
    session_clamp(s);
}

struct Places *session_places(Session *s)
{
    if (!s->places)
        s->places = calloc(1, sizeof *s->places);
    return s->places;
}

void session_jump_place(Session *s, uint64_t off)
{
    View *v = s->view;
    uint64_t bpr = (uint64_t)(v->bpr < 1 ? 1 : v->bpr);
    int rows = view_data_rows(v);
    bool shown = rows > 0 && off >= v->top && (off - v->top) / bpr < (uint64_t)rows;
    session_move_to(s, off);
    if (shown || rows < 3)
        return;
    /* Where the eye finds it: a third of the way down, not the bottom row. */
    uint64_t crs = v->cursor - v->cursor % bpr, up = (uint64_t)(rows / 3) * bpr;
    v->top = crs > up ? crs - up : 0;
    view_follow(v, session_size(s));
}

void session_jump(Session *s, uint64_t off)
{
    struct Places *p = session_places(s);
    if (p)
        jump_record(&p->jumps, s->view->cursor);
    session_jump_place(s, off);
}

void session_move_by(Session *s, int64_t delta)
{
    uint64_t c = s->view->cursor, size = session_size(s);
    if (!size)
        return;
    if (delta < 0 && (uint64_t)-delta <= c)
        c -= (uint64_t)-delta;
    else if (delta > 0 && (uint64_t)delta <= size - 1 - c)
        c += (uint64_t)delta;
    else
        return; /* would leave the file: stay */
    session_move_to(s, c);
}

void session_page(Session *s, int dir)
{
    View *v = s->view;
    uint64_t size = session_size(s);
    int rows = view_data_rows(v);
    if (!size || rows < 1)
        return;
    uint64_t bpr = (uint64_t)v->bpr, step = (uint64_t)rows * bpr;
    uint64_t c = v->cursor, top = v->top;
    if (dir > 0) {
        uint64_t last_row = (size - 1) / bpr * bpr;
        c = c + step < size && c + step > c ? c + step : size - 1;
        top = top + step <= last_row ? top + step : last_row;
    } else {
        c = c >= step ? c - step : c % bpr;
        top = top >= step ? top - step : 0;
    }
    doc_snapshot(s->doc);
    s->cur->at_end = false;
    v->top = top;
    v->cursor = c;
    v->nibble = 0;
    session_clamp(s);
}

void session_move_up(Session *s)
{
    if (s->view->cursor >= (uint64_t)s->view->bpr)
        session_move_by(s, -(int64_t)s->view->bpr);
}

void session_move_down(Session *s)
{
    uint64_t size = session_size(s), bpr = (uint64_t)s->view->bpr;
    if (size && s->view->cursor + bpr < size)
        session_move_by(s, s->view->bpr);
    else if (size && s->view->cursor / bpr < (size - 1) / bpr)
        session_move_to(s, size - 1); /* the last row is short: land on the last byte */
}

void session_move_rowstart(Session *s)
{
    session_move_to(s, s->view->cursor - s->view->cursor % (uint64_t)s->view->bpr);
}

void session_move_rowend(Session *s)
{
    uint64_t start = s->view->cursor - s->view->cursor % (uint64_t)s->view->bpr;
    session_move_to(s, start + (uint64_t)s->view->bpr - 1);
}

void session_switch_pane(Session *s)
{
    s->view->pane = s->view->pane == MMH_PANE_HEX ? MMH_PANE_TEXT : MMH_PANE_HEX;
    s->view->nibble = 0;
    doc_snapshot(s->doc);
}

void session_target(Session *s, uint64_t *off, uint64_t *len)
{
    const View *v = s->view;
    uint64_t size = session_size(s);
    if (s->pick_on) {
        *off = s->pick_off;
        *len = s->pick_len;
        return;
    }
    if (v->sel_on) {
        uint64_t a = v->sel_anchor, b = v->cursor;
        *off = a < b ? a : b;
        *len = (a < b ? b : a) - *off + 1;
        return;
    }
    *off = v->top;
    uint64_t n = (uint64_t)view_data_rows(v) * (uint64_t)v->bpr;
    *len = n < size - *off ? n : size - *off;
}

/* ---- the document changing under us --------------------------------------- */

const char *session_path_words(int path_rc)
{
    return path_rc == -ENOENT ? "the file was deleted by another process"
                              : "the file was replaced by another process (renamed over)";
}

/* The size-and-content part of session_refresh. Messages that matter more
 * than growth are never hidden by a "file grew" message: growth is said
 * only over growth or nothing. */
static unsigned size_change(Session *s, const DocChange *c)
{
    DocChange ch = *c;
    if (ch.new_size == ch.old_size && !ch.reapplied)
        return MMH_R_NONE;
    char a[32];
    parse_fmt_size(ch.new_size, a, sizeof a);
    if (ch.new_size < ch.old_size) {
        /* Kept short: it must fit an 80-column row. */
        if (ch.lost_bytes)
            fail(s, -MMH_ETRUNC,
                 "file truncated to %" PRIu64 " byte%s by another process; %" PRIu64
                 " edited byte%s now past the end",
                 ch.new_size, ch.new_size == 1 ? "" : "s", ch.lost_bytes,
                 ch.lost_bytes == 1 ? "" : "s");
        else
            fail(s, -MMH_ETRUNC, "file truncated to %" PRIu64 " byte%s (%s) by another process",
                 ch.new_size, ch.new_size == 1 ? "" : "s", a);
    } else if (ch.reapplied && ch.new_size > ch.old_size) {
        /* Edits kept past an earlier end are inside the file again. */
        fail(s, 0, "file grew to %" PRIu64 " bytes (%s): %" PRIu64 " kept edited byte%s re-applied",
             ch.new_size, a, ch.reapplied, ch.reapplied == 1 ? "" : "s");
    } else if (ch.reapplied) {
        fail(s, 0,
             "file rewritten by another process: unwritten edits re-applied (%" PRIu64 " byte%s)",
             ch.reapplied, ch.reapplied == 1 ? "" : "s");
    } else if (s->msg[0] && !s->growing) {
        /* Something more important is on the message row: keep it. */
    } else if (ch.old_size && s->view->cursor == ch.old_size - 1 && !s->cur->editing) {
        /* At the end: follow the tail, like tail -f. */
        s->view->cursor = ch.new_size - 1;
        note(s, "file grew to %" PRIu64 " bytes (%s); following the tail", ch.new_size, a);
        s->growing = true;
    } else {
        note(s, "file grew to %" PRIu64 " bytes (%s)", ch.new_size, a);
        s->growing = true;
    }
    session_stale(s);
    view_layout(s->view, s->view->rows, s->view->cols, ch.new_size);
    session_clamp(s);
    return MMH_R_REDRAW;
}

static unsigned refresh_focused(Session *s, DocChange *out);

unsigned session_refresh(Session *s, DocChange *out)
{
    unsigned r = refresh_focused(s, out);
    if (s->pane2) { /* a diff: the other file too, focused for the while */
        Pane *keep = s->cur;
        session_focus(s, keep == &s->pane ? s->pane2 : &s->pane);
        r |= refresh_focused(s, NULL);
        session_focus(s, keep);
    }
    return r;
}

static unsigned refresh_focused(Session *s, DocChange *out)
{
    DocChange ch = {0};
    int rc = doc_refresh(s->doc, &ch);
    if (out)
        *out = ch;
    if (rc < 0) {
        if (rc == -MMH_ETRUNC) /* truncated again while we re-applied */
            return MMH_R_REDRAW;
        fail(s, rc, "cannot re-read the file: %s", map_strerror(rc));
        return MMH_R_REDRAW;
    }
    unsigned r = size_change(s, &ch);
    /* Said last: a replaced or deleted path matters more than what
     * happened to the old file's size. */
    if (ch.path_changed) {
        const char *w = session_path_words(ch.path_rc);
        if (ch.path_rc < 0 && !doc_editable(s->doc))
            fail(s, ch.path_rc, "%s: this is the old file", w);
        else if (ch.path_rc < 0)
            fail(s, ch.path_rc, "%s: w cannot reach it; W saves to a path", w);
        else
            say(s, false, "the path names the open file again");
        r = MMH_R_REDRAW;
    }
    return r;
}

static bool pane_sample(Pane *p, bool force)
{
    /* The whole-file cachestat grows with the file's cached pages (9 ms for
     * 4 GiB); past a few hundred ms it would eat every frame, so the gap
     * grows with the cost: at most a tenth of the time goes to sampling. */
    uint64_t t = sys_now_ns(), gap = p->file_cost * 10;
    if (gap < SESSION_SAMPLE_NS)
        gap = SESSION_SAMPLE_NS;
    if (!force && p->file_at && t - p->file_at < gap)
        return false;
    Resid *r = doc_resid(p->doc);
    p->file_known = resid_count(r, 0, 0, &p->file) == 0;
    uint64_t pages = 0;
    if (map_mode(doc_map(p->doc)) == MMH_MODE_COPY && resid_edited(r, 0, 0, &pages) == 0)
        p->edited_pages = pages;
    /* map_lock_limit reads /proc/self/status: here, not per frame. */
    map_lock_limit(doc_map(p->doc), &p->lim);
    p->file_at = sys_now_ns();
    p->file_cost = p->file_at - t;
    return true;
}

bool session_sample(Session *s, bool force)
{
    bool took = pane_sample(&s->pane, force);
    if (s->pane2)
        took |= pane_sample(s->pane2, force);
    return took;
}

void session_focus(Session *s, Pane *p)
{
    s->cur = p;
    s->doc = p->doc;
    s->view = &p->view;
}

bool session_unwritten(const Session *s)
{
    return doc_unwritten(s->pane.doc) || (s->pane2 && doc_unwritten(s->pane2->doc));
}

void session_stale(Session *s)
{
    s->pane.file_at = 0;
    if (s->pane2)
        s->pane2->file_at = 0;
    s->stale++;
}

/* ---- small things -------------------------------------------------------- */

bool session_stopping(const Session *s)
{
    return s->stop && *s->stop;
}

int refuse_readonly(Session *s)
{
    return fail(s, -EROFS, "read-only: edits are refused (open with -c or -s to edit)");
}

/* Edits wait while a save to a new file runs: what it copies must not
 * change under it, and keys typed meanwhile must not become edits. */
int refuse_while_busy(Session *s)
{
    const Job *j = job_freezing(s);
    if (!j)
        return 0;
    return fail(s, -EBUSY, "%s is running: edits wait until it ends (Esc cancels it)", j->what);
}

/* ---- accessors and life cycle (cmd.h) -------------------------------------- */

const char *cmd_message(const Session *s, bool *is_error)
{
    if (is_error)
        *is_error = s->msg_err;
    return s->msg[0] ? s->msg : NULL;
}

int cmd_result(const Session *s)
{
    return s->result;
}

const View *cmd_view(const Session *s)
{
    return s->view;
}

Doc *cmd_doc(const Session *s)
{
    return s->doc;
}

bool cmd_busy(const Session *s)
{
    return s->njobs > 0;
}

int cmd_session_new(Session **out, Doc *d, const SessionOpts *o)
{
    *out = NULL;
    Session *s = calloc(1, sizeof *s);
    if (!s) {
        doc_close(d);
        return -ENOMEM;
    }
    s->pane.doc = d;
    session_focus(s, &s->pane);
    s->batch = o && o->batch;
    s->stop = o ? o->stop : NULL;
    s->out_fn = o ? o->out : NULL;
    s->out_ctx = o ? o->out_ctx : NULL;
    s->view->bpr_fixed = o ? o->bpr_fixed : 0;
    s->screens[0] = (Screen){&screen_hex, &s->pane};
    s->nscreens = 1;
    s->rows = 24;
    s->cols = 80;
    view_layout(s->view, 24, 80, doc_size(d));
    const char *notice = map_notice(doc_map(d));
    if (notice)
        say(s, false, "%s", notice);
    session_log(s);
    *out = s;
    return 0;
}

void cmd_session_free(Session *s)
{
    if (!s)
        return;
    job_cancel_all(s);
    rx_free(s->rx); /* no search runs now */
    while (s->nscreens > 1)
        screen_pop(s);
    if (s->panel.type && s->panel.type->free)
        s->panel.type->free(s->panel.st);
    free(s->insp);
    struct_state_free(s->fmt);
    entropy_free(s->ent); /* its job ended with the others */
    if (s->pane2) {       /* a diff: the second file and how the two compare */
        free(s->pane2->watch.snap);
        free(s->pane2->watch.hot);
        doc_close(s->pane2->doc);
        free(s->pane2);
    }
    free(s->diff);
    free(s->pane.watch.snap);
    free(s->pane.watch.hot);
    if (s->pane.doc)
        doc_close(s->pane.doc);
    free(s->out);
    places_free(s->places);
    clip_free(s->clip);
    free(s);
}
