/*
 * cmd: the session, its input modes and the command language (see cmd.h).
 *
 * Invariants: the cursor is always inside the file (0 for an empty file);
 * view.top keeps the cursor on screen after every entry point; every key in
 * normal mode becomes a command line run by cmd_run, so a key and its
 * command can never disagree. Undo groups are closed (doc_snapshot) whenever
 * the cursor moves other than by typing, when edit mode is left and before
 * every command, so one typing run is one undo step.
 *
 * Nothing here blocks for long: a save to a new file is a job advanced by
 * cmd_tick in slices of a time budget, and whole-file counts are sampled at
 * most four times a second.
 */
#include "config.h"

#include "cmd.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keymap.h"
#include "map.h"
#include "parse.h"
#include "rmap.h"
#include "save.h"
#include "search.h"
#include "utf8.h"

#define FILE_SAMPLE_NS 250000000ull /* whole-file counts: at most 4 Hz */
#define PUT_MAX 4096                /* bytes one put command may write */
#define DUMP_MAX (16u << 20)        /* bytes one dump command may print */
#define OUT_STREAM (64u << 10)      /* batch output gathered before it streams */
#define LIST_MAX 10000              /* matches find -a lists on screen */

typedef int (*OutFn)(const char *text, size_t len, void *ctx);

typedef enum State {
    ST_NORMAL,  /* keys run commands */
    ST_EDIT,    /* keys overwrite bytes */
    ST_PROMPT,  /* keys edit a command line */
    ST_CONFIRM, /* y runs the pending command, anything else cancels */
    ST_HELP,    /* the help screen */
    ST_MAP,     /* the residency map */
} State;

struct Session {
    Doc *doc;                      /* the document (owned) */
    View view;                     /* viewport and cursor */
    State state;                   /* input mode */
    bool batch;                    /* no terminal: prompts and confirmations fail */
    char label[32];                /* prompt label, "goto: " */
    char verb[16];                 /* command the prompt's text is given to */
    char input[1024];              /* prompt text */
    size_t input_len;              /* its length */
    size_t input_cur;              /* cursor within it (a byte index, on a UTF-8 boundary) */
    bool input_dropped;            /* a typed character could not be taken */
    char pending[1100];            /* command that a 'y' confirms */
    char msg[600];                 /* message row */
    bool msg_err;                  /* it is an error */
    bool growing;                  /* it only says the file grew (any other wins) */
    bool at_end;                   /* edit mode: the last byte was typed; typing stops */
    int result;                    /* last command's code */
    char *out;                     /* output of reporting commands */
    size_t out_len, out_cap;       /* its length and room */
    OutFn out_fn;                  /* batch: streams it (SessionOpts.out) */
    void *out_ctx;                 /* out_fn's argument */
    ResidCount file;               /* whole-file counts */
    bool file_known;               /* file holds a sample */
    uint64_t file_at;              /* when it was sampled (monotonic ns) */
    uint64_t file_cost;            /* how long that took */
    MapLockLimit lim;              /* the lock limit, sampled with file */
    uint64_t edited_pages;         /* copy mode: private pages */
    ViewFrame last;                /* the measurements shown on the status row */
    uint64_t last_at;              /* when they were taken */
    volatile sig_atomic_t *stop;   /* set when the program is to stop (or NULL) */
    DocSave *save;                 /* a save to a new file in progress */
    char save_path[1024];          /* its destination */
    uint64_t save_t0;              /* when it started */
    int help_top;                  /* first help line shown */
    Search *search;                /* a search in progress */
    Pattern pat;                   /* the last pattern searched for */
    bool have_pat;                 /* pat holds one */
    bool pat_back;                 /* it was searched backward */
    char pat_text[128];            /* as typed, for messages */
    bool search_all;               /* list every match (find -a) */
    bool search_sel;               /* the search is limited to the selection */
    uint64_t keys_ignored;         /* keys dropped while the running job runs */
    bool search_wrapped0;          /* the search began by wrapping (cursor at the end) */
    uint64_t search_count;         /* matches listed so far */
    uint64_t search_lo, search_hi; /* the range searched */
    bool pf_on;                    /* a whole-file prefetch is running */
    uint64_t pf_pos;               /* next byte it prefetches */
    uint64_t pf_done;              /* data bytes prefetched so far */
    uint64_t pf_t0;                /* when it started */
    uint8_t *snap;                 /* live watch: the visible bytes at the last tick */
    uint8_t *hot;                  /* per visible byte: ticks left to highlight it */
    uint64_t snap_lo;              /* offset of snap[0] */
    size_t snap_len;               /* bytes in snap and hot */
    Rmap rmap;                     /* the residency map, when shown */
    size_t rmap_sel;               /* its selected bucket */
    size_t rmap_cap;               /* buckets asked for (the map may use fewer) */
    uint64_t rmap_at;              /* when it was sampled */
    bool match_on;                 /* a match is highlighted */
    uint64_t match_off, match_len; /* its bytes */
    char *report;                  /* UI: a reporting command's output, shown on
                                      the help page until a key (NULL: help) */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *mode_name(MmhMode m)
{
    switch (m) {
    case MMH_MODE_READONLY: return "READ-ONLY";
    case MMH_MODE_SHARED: return "SHARED";
    default: return "COPY";
    }
}

/* ---- messages and output ------------------------------------------------ */

static void say(Session *s, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(Session *s, bool err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->msg_err = err;
    s->growing = false;
}

/* Record a failed command: its code and one sentence. Returns rc. */
static int fail(Session *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(Session *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->msg_err = true;
    s->growing = false;
    return rc;
}

static void emit(Session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(Session *s, const char *fmt, ...)
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

char *cmd_output_take(Session *s)
{
    char *p = s->out;
    if (!p || !s->out_len)
        return NULL;
    s->out = NULL;
    s->out_len = s->out_cap = 0;
    return p;
}

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
    return &s->view;
}

Doc *cmd_doc(const Session *s)
{
    return s->doc;
}

bool cmd_busy(const Session *s)
{
    return s->save != NULL || s->search != NULL || s->pf_on;
}

/* ---- the document changing under us -------------------------------------- */

static uint64_t size_of(const Session *s)
{
    return doc_size(s->doc);
}

static void clamp_cursor(Session *s)
{
    uint64_t size = size_of(s);
    if (size == 0)
        s->view.cursor = 0;
    else if (s->view.cursor >= size)
        s->view.cursor = size - 1;
    if (s->view.sel_on && s->view.sel_anchor >= size)
        s->view.sel_anchor = size ? size - 1 : 0;
    view_follow(&s->view, size);
}

/* The path's state in words, for messages. */
static const char *path_words(int path_rc)
{
    return path_rc == -ENOENT ? "the file was deleted by another process"
                              : "the file was replaced by another process (renamed over)";
}

/* Take changes made by another process (size, a rewrite, a replaced path)
 * and say so. Messages that matter more than growth are never hidden by a
 * "file grew" message: growth is said only over growth or nothing. */
static unsigned size_change(Session *s, const DocChange *c);

static unsigned take_refresh(Session *s, DocChange *out)
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
        if (ch.path_rc < 0 && !doc_editable(s->doc))
            fail(s, ch.path_rc, "%s: this is the old file", path_words(ch.path_rc));
        else if (ch.path_rc < 0)
            fail(s, ch.path_rc, "%s: w cannot reach it; W saves to a path", path_words(ch.path_rc));
        else
            say(s, false, "the path names the open file again");
        r = MMH_R_REDRAW;
    }
    return r;
}

/* The size-and-content part of take_refresh. */
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
    } else if (ch.old_size && s->view.cursor == ch.old_size - 1 && s->state != ST_EDIT) {
        /* At the end: follow the tail, like tail -f. */
        s->view.cursor = ch.new_size - 1;
        say(s, false, "file grew to %" PRIu64 " bytes (%s); following the tail", ch.new_size, a);
        s->growing = true;
    } else {
        say(s, false, "file grew to %" PRIu64 " bytes (%s)", ch.new_size, a);
        s->growing = true;
    }
    s->file_at = 0;
    s->rmap_at = 0;
    view_layout(&s->view, s->view.rows, s->view.cols, ch.new_size);
    clamp_cursor(s);
    return MMH_R_REDRAW;
}

/* Word an error from the core; a truncation also takes the new size. */
static int core_error(Session *s, int rc, const char *what)
{
    if (rc == -MMH_ETRUNC) {
        take_refresh(s, NULL);
        if (!s->msg_err)
            fail(s, rc, "%s: the file was truncated by another process", what);
        return rc;
    }
    return fail(s, rc, "%s: %s", what, map_strerror(rc));
}

static void sample_file(Session *s, bool force)
{
    /* The whole-file cachestat grows with the file's cached pages (9 ms for
     * 4 GiB); past a few hundred ms it would eat every frame, so the gap
     * grows with the cost: at most a tenth of the time goes to sampling. */
    uint64_t t = now_ns(), gap = s->file_cost * 10;
    if (gap < FILE_SAMPLE_NS)
        gap = FILE_SAMPLE_NS;
    if (!force && s->file_at && t - s->file_at < gap)
        return;
    Resid *r = doc_resid(s->doc);
    s->file_known = resid_count(r, 0, 0, &s->file) == 0;
    uint64_t pages = 0;
    if (map_mode(doc_map(s->doc)) == MMH_MODE_COPY && resid_edited(r, 0, 0, &pages) == 0)
        s->edited_pages = pages;
    /* map_lock_limit reads /proc/self/status: here, not per frame. */
    map_lock_limit(doc_map(s->doc), &s->lim);
    s->file_at = now_ns();
    s->file_cost = s->file_at - t;
}

/* The UI shows what reporting commands printed (stat, dump, find -a) on
 * the help page, whole, once the command or its job has ended. */
static void show_output(Session *s)
{
    if (s->batch || !s->out_len)
        return;
    free(s->report);
    s->report = cmd_output_take(s);
    s->state = ST_HELP;
    s->help_top = 0;
}

/* Batch: a signal asked the program to stop (SessionOpts.stop). */
static bool stopping(const Session *s)
{
    return s->stop && *s->stop;
}

/* ---- movement -------------------------------------------------------------- */

static void move_to(Session *s, uint64_t off)
{
    doc_snapshot(s->doc);
    s->at_end = false;
    s->match_on = false;
    s->view.cursor = off;
    s->view.nibble = 0;
    clamp_cursor(s);
}

static void move_by(Session *s, int64_t delta)
{
    uint64_t c = s->view.cursor, size = size_of(s);
    if (!size)
        return;
    if (delta < 0 && (uint64_t)-delta <= c)
        c -= (uint64_t)-delta;
    else if (delta > 0 && (uint64_t)delta <= size - 1 - c)
        c += (uint64_t)delta;
    else
        return; /* would leave the file: stay */
    move_to(s, c);
}

static void page(Session *s, int dir)
{
    uint64_t size = size_of(s);
    int rows = view_data_rows(&s->view);
    if (!size || rows < 1)
        return;
    uint64_t step = (uint64_t)rows * (uint64_t)s->view.bpr;
    uint64_t c = s->view.cursor, top = s->view.top;
    if (dir > 0) {
        uint64_t last_row = (size - 1) / (uint64_t)s->view.bpr * (uint64_t)s->view.bpr;
        c = c + step < size && c + step > c ? c + step : size - 1;
        top = top + step <= last_row ? top + step : last_row;
    } else {
        c = c >= step ? c - step : c % (uint64_t)s->view.bpr;
        top = top >= step ? top - step : 0;
    }
    doc_snapshot(s->doc);
    s->at_end = false;
    s->view.top = top;
    s->view.cursor = c;
    s->view.nibble = 0;
    clamp_cursor(s);
}

/* ---- commands -------------------------------------------------------------- */

typedef struct Cmd {
    const char *name;
    int (*run)(Session *s, const char *arg, unsigned *react);
} Cmd;

static int c_left(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    move_by(s, -1);
    return 0;
}

static int c_right(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    move_by(s, 1);
    return 0;
}

static int c_up(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (s->view.cursor >= (uint64_t)s->view.bpr)
        move_by(s, -(int64_t)s->view.bpr);
    return 0;
}

static int c_down(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    uint64_t size = size_of(s);
    if (size && s->view.cursor + (uint64_t)s->view.bpr < size)
        move_by(s, s->view.bpr);
    else if (size && s->view.cursor / (uint64_t)s->view.bpr < (size - 1) / (uint64_t)s->view.bpr)
        move_to(s, size - 1); /* the last row is short: land on the last byte */
    return 0;
}

static int c_pagedown(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    page(s, 1);
    return 0;
}

static int c_pageup(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    page(s, -1);
    return 0;
}

static int c_rowstart(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    move_to(s, s->view.cursor - s->view.cursor % (uint64_t)s->view.bpr);
    return 0;
}

static int c_rowend(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    uint64_t start = s->view.cursor - s->view.cursor % (uint64_t)s->view.bpr;
    move_to(s, start + (uint64_t)s->view.bpr - 1);
    return 0;
}

static int c_top(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    move_to(s, 0);
    return 0;
}

static int c_bottom(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    move_to(s, size_of(s) ? size_of(s) - 1 : 0);
    return 0;
}

static int c_goto(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off, size = size_of(s);
    const char *err = NULL;
    if (!*arg)
        return fail(s, -EINVAL, "goto: give an offset (0x1f00, 4096, +4k, -16, 50%%, end-0x10)");
    int rc = parse_offset(arg, s->view.cursor, size, &off, &err);
    if (rc < 0)
        return fail(s, rc, "goto %s: %s", arg, err ? err : "bad offset");
    if (size == 0)
        return fail(s, -ERANGE, "goto: the file is empty");
    if (off >= size)
        return fail(s, -ERANGE,
                    "goto: 0x%" PRIx64 " is past the end (the last byte is 0x%" PRIx64 ")", off,
                    size - 1);
    move_to(s, off);
    return 0;
}

static int refuse_readonly(Session *s)
{
    return fail(s, -EROFS, "read-only: edits are refused (open with -c or -s to edit)");
}

/* Edits wait while a save to a new file runs: what it copies must not
 * change under it, and keys typed meanwhile must not become edits. */
static int refuse_while_saving(Session *s)
{
    return fail(s, -EBUSY, "a save to %s is running: edits wait until it ends (Esc cancels it)",
                s->save_path);
}

static int put_bytes(Session *s, const uint8_t *b, size_t n)
{
    uint64_t size = size_of(s), c = s->view.cursor;
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (s->save)
        return refuse_while_saving(s);
    if (n == 0)
        return 0;
    if (size == 0 || n > size - c)
        return fail(s, -ERANGE, "put: %zu byte%s at 0x%" PRIx64 " would pass the end of the file",
                    n, n == 1 ? "" : "s", c);
    int rc = doc_put(s->doc, c, b, n);
    if (rc < 0)
        return core_error(s, rc, "put");
    s->view.cursor = c + n < size ? c + n : size - 1;
    clamp_cursor(s);
    return 0;
}

static int c_put(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint8_t buf[PUT_MAX];
    size_t n;
    const char *err = NULL;
    int rc = parse_hex(arg, buf, sizeof buf, &n, &err);
    if (rc < 0)
        return fail(s, rc, "put: %s", err ? err : "bad hex bytes");
    if (n == 0)
        return fail(s, -EINVAL, "put: give hex bytes, e.g. put de ad be ef");
    rc = put_bytes(s, buf, n);
    doc_snapshot(s->doc);
    return rc;
}

static int c_puttext(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    size_t n = strlen(arg);
    if (n == 0)
        return fail(s, -EINVAL, "puttext: give the text to write");
    if (n > PUT_MAX)
        return fail(s, -ERANGE, "puttext: at most %d bytes at a time", PUT_MAX);
    int rc = put_bytes(s, (const uint8_t *)arg, n);
    doc_snapshot(s->doc);
    return rc;
}

static void fmt_ns(uint64_t ns, char *buf, size_t n)
{
    if (ns < 1000000)
        snprintf(buf, n, "%" PRIu64 " us", ns / 1000);
    else if (ns < 10000000000ull)
        snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.1f s", (double)ns / 1e9);
}

static int c_write(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    DocWriteResult w;
    char t[32];
    doc_snapshot(s->doc);
    if (!doc_editable(s->doc))
        return fail(s, -EROFS, "read-only: nothing to write");
    /* See what others did first, and never write on a stale picture. */
    DocChange ch;
    take_refresh(s, &ch);
    if (ch.path_rc < 0)
        return fail(s, ch.path_rc, "%s: nothing written; W saves to a path",
                    path_words(ch.path_rc));
    if (map_mode(doc_map(s->doc)) == MMH_MODE_COPY && !doc_unwritten(s->doc)) {
        /* Undone back to what the file holds: there is nothing to send. */
        say(s, false, "nothing to write");
        return 0;
    }
    int rc = doc_write(s->doc, &w);
    if (rc < 0) {
        if (rc == -MMH_ETRUNC)
            return core_error(s, rc, "write");
        if (rc == -MMH_EREPLACED || rc == -ENOENT)
            return fail(s, rc, "%s: nothing written; W saves to a path", path_words(rc));
        return fail(s, rc, "write failed: %s; the edits are kept in memory", map_strerror(rc));
    }
    fmt_ns(w.ns, t, sizeof t);
    s->file_at = 0;
    char after[128] = "";
    if (w.dropped)
        snprintf(after, sizeof after, "; %" PRIu64 " edited byte%s past the end dropped", w.dropped,
                 w.dropped == 1 ? "" : "s");
    else if (ch.reapplied)
        snprintf(after, sizeof after, " (edits re-applied after a rewrite by another process)");
    if (map_mode(doc_map(s->doc)) == MMH_MODE_SHARED) {
        if (w.pages >= 0)
            say(s, false, "flushed %" PRId64 " dirty page%s to disk (msync) in %s", w.pages,
                w.pages == 1 ? "" : "s", t);
        else
            say(s, false, "flushed to disk (msync) in %s", t);
    } else if (w.runs == 0) {
        say(s, false, "nothing to write%s", after);
    } else {
        say(s, false, "wrote %" PRIu64 " byte%s in %" PRIu64 " run%s and fsync'd in %s%s", w.bytes,
            w.bytes == 1 ? "" : "s", w.runs, w.runs == 1 ? "" : "s", t, after);
    }
    return 0;
}

/* Batch: run the save to its end, unless the program is to stop (a signal
 * arrived), then cancel it, so its copy is removed. */
static int run_save_to_end(Session *s)
{
    for (;;) {
        if (stopping(s)) {
            doc_saveas_cancel(s->save);
            s->save = NULL;
            return -EINTR;
        }
        int rc = doc_saveas_step(s->save, 100000000ull);
        if (rc != 0) {
            s->save = NULL;
            return rc < 0 ? rc : 0;
        }
    }
}

/* A failed save-as: one sentence naming the path. */
static int save_failed(Session *s, int rc, const char *path)
{
    const char *why = doc_saveas_strerror(rc);
    if (rc == -EINTR)
        return fail(s, rc, "saveas %s: stopped by a signal; nothing was written there", path);
    if (!strncmp(why, "is ", 3)) /* "is a directory" */
        return fail(s, rc, "saveas: %s %s", path, why);
    return fail(s, rc, "saveas %s: %s", path, why);
}

static int start_save(Session *s, const char *path, bool force)
{
    if (!*path)
        return fail(s, -EINVAL, "saveas: give a path");
    if (strlen(path) >= sizeof s->save_path) /* pending and save_path hold it whole */
        return fail(s, -ENAMETOOLONG, "saveas: the path is too long");
    if (s->save) /* one job at a time: a second would orphan the first */
        return fail(s, -EBUSY, "saveas: a save to %s is in progress (Esc cancels it)",
                    s->save_path);
    DocSave *job;
    int rc = doc_saveas_start(s->doc, path, force, &job);
    if (rc == -EEXIST && !force) {
        /* Say what would be replaced. readlink follows nothing: a link
         * named here is replaced itself, its target left alone. */
        char to[256];
        ssize_t n = readlink(path, to, sizeof to - 1);
        if (n >= 0) {
            if (n == (ssize_t)sizeof to - 1)
                memcpy(to + n - 3, "...", 3);
            to[n] = 0;
        }
        if (s->batch && n >= 0)
            return fail(s, -EEXIST,
                        "saveas: %s is a symbolic link (to %s); use saveas! to replace the "
                        "link itself",
                        path, to);
        if (s->batch)
            return fail(s, -EEXIST, "saveas: %s exists (use saveas! to replace it)", path);
        snprintf(s->pending, sizeof s->pending, "saveas! %s", path);
        s->state = ST_CONFIRM;
        if (n >= 0)
            say(s, false,
                "%s is a symbolic link (to %s): replace the link itself with the file? (y/n)", path,
                to);
        else
            say(s, false, "%s exists: replace it? (y/n)", path);
        return 0;
    }
    if (rc < 0)
        return save_failed(s, rc, path);
    s->save = job;
    snprintf(s->save_path, sizeof s->save_path, "%s", path);
    s->save_t0 = now_ns();
    if (s->batch) {
        rc = run_save_to_end(s);
        if (rc < 0)
            return save_failed(s, rc, path);
        say(s, false, "saved to %s", path);
        return 0;
    }
    say(s, false, "saving to %s ... (Esc cancels)", path);
    return 0;
}

static int c_saveas(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return start_save(s, arg, false);
}

static int c_saveas_force(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return start_save(s, arg, true);
}

static int c_flush(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    bool async = !strcmp(arg, "async");
    if (*arg && !async)
        return fail(s, -EINVAL, "flush: say 'flush' or 'flush async'");
    MapFlushResult f;
    char t[32];
    int rc = map_flush(doc_map(s->doc), 0, 0, !async, &f);
    if (rc < 0)
        return fail(s, rc, "flush failed: %s", map_strerror(rc));
    fmt_ns(f.ns, t, sizeof t);
    s->file_at = 0;
    if (async)
        say(s, false, "writeback started (%s); watch wb drain", t);
    else if (f.pages >= 0)
        say(s, false, "flushed %" PRId64 " dirty pages in %s", f.pages, t);
    else
        say(s, false, "flushed in %s", t);
    return 0;
}

/* The range a lock or unlock acts on: the selection, else the view. */
static void target_range(Session *s, uint64_t *off, uint64_t *len)
{
    uint64_t size = size_of(s);
    if (s->state == ST_MAP && s->rmap.n) { /* the selected bucket */
        const RmapBucket *b = &s->rmap.b[s->rmap_sel < s->rmap.n ? s->rmap_sel : 0];
        *off = b->lo;
        *len = b->hi - b->lo;
        return;
    }
    if (s->view.sel_on) {
        uint64_t a = s->view.sel_anchor, b = s->view.cursor;
        *off = a < b ? a : b;
        *len = (a < b ? b : a) - *off + 1;
        return;
    }
    *off = s->view.top;
    uint64_t n = (uint64_t)view_data_rows(&s->view) * (uint64_t)s->view.bpr;
    *len = n < size - *off ? n : size - *off;
}

static int do_lock(Session *s, bool lock, uint64_t off, uint64_t len)
{
    Map *m = doc_map(s->doc);
    char msg[256], a[32];
    int rc = lock ? map_lock(m, off, len) : map_unlock(m, off, len);
    s->file_at = 0;
    if (rc < 0)
        return fail(s, rc, "%s", map_lock_message(m, rc, msg, sizeof msg));
    parse_fmt_size(rangeset_total(map_locked(m)), a, sizeof a);
    say(s, false, "%s; %s locked in all", lock ? "locked" : "unlocked", a);
    return 0;
}

static int c_lock(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t size = size_of(s), off, len;
    if (!size)
        return fail(s, -EINVAL, "lock: the file is empty");
    if (!strcmp(arg, "all"))
        return do_lock(s, true, 0, size);
    if (!strcmp(arg, "all!")) /* confirmed */
        return do_lock(s, true, 0, size);
    if (*arg && strcmp(arg, "view"))
        return fail(s, -EINVAL, "lock: say 'lock', 'lock view' or 'lock all'");
    target_range(s, &off, &len);
    /* The key toggles: a range already locked whole is unlocked. */
    const RangeSet *l = map_locked(doc_map(s->doc));
    size_t ps = map_pagesize(doc_map(s->doc));
    uint64_t lo = off / ps * ps, hi = (off + len + ps - 1) / ps * ps;
    if (!*arg && rangeset_covered(l, lo, hi) == hi - lo)
        return do_lock(s, false, off, len);
    return do_lock(s, true, off, len);
}

static int c_lock_ask(Session *s, const char *arg, unsigned *r)
{
    /* `lock all` from a key or the prompt asks first: on a hole, locking
     * allocates zero pages, and as root there is no limit. */
    if (!strcmp(arg, "all") && !s->batch) {
        char a[32];
        parse_fmt_size(size_of(s), a, sizeof a);
        snprintf(s->pending, sizeof s->pending, "lock all!");
        s->state = ST_CONFIRM;
        say(s, false, "lock the whole file (%s) into memory? (y/n)", a);
        return 0;
    }
    return c_lock(s, arg, r);
}

static int c_unlock(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off, len;
    if (!size_of(s))
        return fail(s, -EINVAL, "unlock: the file is empty");
    if (!strcmp(arg, "all"))
        return do_lock(s, false, 0, size_of(s));
    if (*arg)
        return fail(s, -EINVAL, "unlock: say 'unlock' or 'unlock all'");
    target_range(s, &off, &len);
    return do_lock(s, false, off, len);
}

static int c_advise(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    Map *m = doc_map(s->doc);
    MmhAdvice a;
    if (!*arg)
        a = (MmhAdvice)((map_advice(m) + 1) % 3);
    else if (!strcmp(arg, "normal"))
        a = MMH_ADV_NORMAL;
    else if (!strcmp(arg, "sequential"))
        a = MMH_ADV_SEQUENTIAL;
    else if (!strcmp(arg, "random"))
        a = MMH_ADV_RANDOM;
    else
        return fail(s, -EINVAL, "advise: say normal, sequential or random");
    int rc = map_advise(m, a);
    if (rc < 0)
        return fail(s, rc, "advise: %s", map_strerror(rc));
    say(s, false, "advice: %s", map_advice_name(a));
    return 0;
}

static int c_undo(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    uint64_t where;
    doc_snapshot(s->doc);
    if (s->save)
        return refuse_while_saving(s);
    int rc = doc_undo(s->doc, &where);
    if (rc == 1)
        return fail(s, 0, "nothing to undo");
    if (rc < 0)
        return core_error(s, rc, "undo");
    s->view.cursor = where;
    clamp_cursor(s);
    say(s, false, "undone (%zu more)", journal_groups(doc_journal(s->doc)));
    return 0;
}

static int c_redo(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    uint64_t where;
    doc_snapshot(s->doc);
    if (s->save)
        return refuse_while_saving(s);
    int rc = doc_redo(s->doc, &where);
    if (rc == 1)
        return fail(s, 0, "nothing to redo");
    if (rc < 0)
        return core_error(s, rc, "redo");
    s->view.cursor = where;
    clamp_cursor(s);
    say(s, false, "redone");
    return 0;
}

static int c_stat(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    Map *m = doc_map(s->doc);
    Resid *res = doc_resid(s->doc);
    uint64_t size = size_of(s);
    char a[32], b[32];
    ResidCount c;
    parse_fmt_size(size, a, sizeof a);
    emit(s, "file       %s\n", map_path(m));
    emit(s, "size       %" PRIu64 " (%s)\n", size, a);
    emit(s, "mode       %s\n", mode_name(map_mode(m)));
    int rc = resid_count(res, 0, 0, &c);
    if (rc == -ENOSYS) { /* no cachestat: count by mincore */
        ResidScan sc;
        resid_scan_start(&sc, 0, 0);
        while ((rc = resid_scan_step(res, &sc, 1u << 20)) == 0)
            ;
        c = sc.acc;
        rc = rc < 0 ? rc : 0;
    }
    if (!resid_known(res) || rc == -EPERM) {
        emit(s, "cached     unknown (%s)\n", resid_why_unknown(res));
    } else if (rc < 0) {
        emit(s, "cached     unknown (%s)\n", map_strerror(rc));
    } else {
        parse_fmt_size(c.cached * map_pagesize(m), b, sizeof b);
        emit(s, "cached     %" PRIu64 " of %" PRIu64 " pages, %s (%.1f%%)\n", c.cached, c.pages, b,
             c.pages ? 100.0 * (double)c.cached / (double)c.pages : 0.0);
        if (c.dirty >= 0)
            emit(s, "dirty      %" PRId64 " pages\nwriteback  %" PRId64 " pages\n", c.dirty,
                 c.writeback);
        if (c.evicted >= 0)
            emit(s, "evicted    %" PRId64 " pages (%" PRId64 " recently)\n", c.evicted,
                 c.recently_evicted);
        emit(s, "source     %s\n", c.src == RESID_SRC_CACHESTAT ? "cachestat" : "mincore");
    }
    if (map_mode(m) == MMH_MODE_COPY) {
        uint64_t pages = 0;
        if (resid_edited(res, 0, 0, &pages) == 0)
            emit(s, "edited     %" PRIu64 " page%s (private copies)\n", pages,
                 pages == 1 ? "" : "s");
    }
    parse_fmt_size(rangeset_total(map_locked(m)), a, sizeof a);
    emit(s, "locked     %s\n", a);
    emit(s, "advice     %s\n", map_advice_name(map_advice(m)));
    say(s, false, "%s", "stat: see the output");
    return 0;
}

static int c_dump(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off = s->view.cursor, len = 256, size = size_of(s);
    char a[256] = "", b[256] = "";
    const char *err = NULL;
    if (sscanf(arg, "%255s %255s", a, b) < 0)
        a[0] = 0;
    if (a[0] && parse_offset(a, s->view.cursor, size, &off, &err) < 0)
        return fail(s, -EINVAL, "dump %s: %s", a, err ? err : "bad offset");
    if (b[0] && parse_count(b, &len, &err) < 0)
        return fail(s, -EINVAL, "dump: length %s: %s", b, err ? err : "bad length");
    if (off > size)
        return fail(s, -ERANGE, "dump: 0x%" PRIx64 " is past the end", off);
    if (len > size - off)
        len = size - off;
    if (len > DUMP_MAX)
        return fail(s, -ERANGE, "dump: at most 16 MiB at a time");
    int w = view_offset_width(size);
    uint8_t row[16];
    for (uint64_t p = off; p < off + len; p += 16) {
        size_t n = off + len - p < 16 ? (size_t)(off + len - p) : 16;
        int rc = doc_read(s->doc, p, row, n);
        if (rc < 0)
            return core_error(s, rc, "dump");
        char line[128];
        int k = snprintf(line, sizeof line, "%0*" PRIx64 ": ", w, p);
        for (size_t i = 0; i < 16; i++) {
            if (i < n)
                k += snprintf(line + k, sizeof line - (size_t)k, "%02x ", row[i]);
            else
                k += snprintf(line + k, sizeof line - (size_t)k, "   ");
            if (i == 7)
                line[k++] = ' ';
        }
        line[k++] = ' ';
        for (size_t i = 0; i < n; i++)
            line[k++] = row[i] >= 32 && row[i] < 127 ? (char)row[i] : '.';
        line[k] = 0;
        emit(s, "%s\n", line);
    }
    say(s, false, "dump: see the output");
    return 0;
}

/* ---- search ------------------------------------------------------------------ */

static void say_ignored(Session *s);

static void fmt_rate(uint64_t bytes, uint64_t ns, char *buf, size_t n)
{
    char a[40];
    uint64_t per_s = ns ? (uint64_t)((long double)bytes * 1e9L / (long double)ns) : 0;
    parse_fmt_size(per_s, a, sizeof a);
    snprintf(buf, n, "%s/s", a);
}

static void list_head(Session *s, const char *how);

/* The search has ended with rc (a SearchState or -errno): say how. */
static int finish_search(Session *s, int rc)
{
    Search *job = s->search;
    uint64_t at = search_match(job);
    bool wrapped = s->search_wrapped0 || search_wrapped(job);
    SearchProgress pr;
    char t[32], rate[48];
    search_progress(job, &pr);
    fmt_ns(pr.ns, t, sizeof t);
    fmt_rate(pr.bytes_read, pr.ns, rate, sizeof rate);
    search_free(job);
    s->search = NULL;
    const char *in_sel = s->search_sel ? " in the selection" : "";
    if (rc == -MMH_ETRUNC)
        return core_error(s, rc, "find");
    if (rc < 0)
        return fail(s, rc, "find: %s", map_strerror(rc));
    if (s->search_all) {
        if (s->search_count == 0)
            return fail(s, -ENOENT, "not found%s: %s", in_sel, s->pat_text);
        list_head(s, "");
        say(s, false, "%" PRIu64 " match%s for %s%s (%s, %s)", s->search_count,
            s->search_count == 1 ? "" : "es", s->pat_text, in_sel, t, rate);
        return 0;
    }
    if (rc == SEARCH_NOT_FOUND)
        return fail(s, -ENOENT, "not found%s: %s (%s, %s)", in_sel, s->pat_text, t, rate);
    move_to(s, at);
    s->match_on = true;
    s->match_off = at;
    s->match_len = s->pat.len;
    if (wrapped)
        say(s, false, "found %s at 0x%" PRIx64 " (search wrapped past the %s)", s->pat_text, at,
            s->pat_back ? "start" : "end");
    else
        say(s, false, "found %s at 0x%" PRIx64 " (%s)", s->pat_text, at, t);
    return 0;
}

/* Advance the search by about budget_ns; listing matches (find -a) goes on
 * past each one. Returns a SearchState, or -errno; ends the search unless
 * it is still running. */
static int step_search(Session *s, uint64_t budget_ns)
{
    uint64_t t0 = now_ns();
    for (;;) {
        int rc = search_step(s->search, budget_ns);
        if (rc == SEARCH_FOUND && s->search_all) {
            /* Batch streams every match; the screen keeps a bounded list
             * and counts the rest, so memory stays flat either way. */
            if (s->batch || s->search_count < LIST_MAX)
                emit(s, "%" PRIu64 "\n", search_match(s->search));
            s->search_count++;
            if (now_ns() - t0 < budget_ns)
                continue;
            return SEARCH_RUNNING;
        }
        if (rc != SEARCH_RUNNING) {
            int r = finish_search(s, rc);
            return r < 0 ? r : rc;
        }
        return rc;
    }
}

static void say_progress(Session *s)
{
    SearchProgress pr;
    char rate[48];
    search_progress(s->search, &pr);
    fmt_rate(pr.bytes_read, pr.ns, rate, sizeof rate);
    /* Short enough for 80 columns: the pattern was on the prompt. */
    say(s, false, "searching 0x%" PRIx64 " %.0f%% %s, Esc cancels", pr.at,
        pr.total ? 100.0 * (double)pr.scanned / (double)pr.total : 100.0, rate);
    say_ignored(s);
}

/* While a job runs: say that keys typed meanwhile were dropped. */
static void say_ignored(Session *s)
{
    size_t n = strlen(s->msg);
    if (s->keys_ignored)
        snprintf(s->msg + n, sizeof s->msg - n, " (%" PRIu64 " key%s ignored)", s->keys_ignored,
                 s->keys_ignored == 1 ? "" : "s");
}

/* find -a on screen: a first line that says what the list holds. */
static void list_head(Session *s, const char *how)
{
    if (s->batch)
        return;
    char head[256];
    int n = snprintf(head, sizeof head, "%" PRIu64 " match%s for %s%s%s", s->search_count,
                     s->search_count == 1 ? "" : "es", s->pat_text,
                     s->search_sel ? " in the selection" : "", how);
    if (s->search_count > LIST_MAX)
        n += snprintf(head + n, sizeof head - (size_t)n, "; the first %d listed", LIST_MAX);
    snprintf(head + n, sizeof head - (size_t)n, "\n");
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

/* Search for s->pat from the cursor (or list every match). */
static int run_search(Session *s, bool back, bool all)
{
    uint64_t size = size_of(s), c = s->view.cursor;
    if (!size)
        return fail(s, -ENOENT, "find: the file is empty");
    if (s->search)
        return fail(s, -EBUSY, "find: a search is running (Esc cancels it)");
    SearchOpts o = {.backward = back, .wrap = !all, .lo = 0, .hi = size};
    s->search_sel = s->view.sel_on;
    s->keys_ignored = 0;
    if (s->view.sel_on) { /* limited to the selection */
        o.lo = s->view.sel_anchor < c ? s->view.sel_anchor : c;
        o.hi = (s->view.sel_anchor < c ? c : s->view.sel_anchor) + 1;
    }
    s->search_wrapped0 = false;
    if (all)
        o.from = back ? o.hi - 1 : o.lo;
    else if (!back)
        o.from = c + 1 >= o.lo && c + 1 < o.hi ? c + 1 : (s->search_wrapped0 = c + 1 >= o.hi, o.lo);
    else
        o.from = c > o.lo && c - 1 < o.hi ? c - 1 : (s->search_wrapped0 = c <= o.lo, o.hi - 1);
    int rc = search_start(&s->search, s->doc, &s->pat, &o);
    if (rc < 0)
        return fail(s, rc, "find: %s", map_strerror(rc));
    s->pat_back = back;
    s->search_all = all;
    s->search_count = 0;
    s->search_lo = o.lo;
    s->search_hi = o.hi;
    s->match_on = false;
    if (s->batch) {
        while ((rc = step_search(s, 100000000ull)) == SEARCH_RUNNING)
            if (stopping(s)) {
                search_free(s->search);
                s->search = NULL;
                return fail(s, -EINTR, "find: stopped by a signal");
            }
        return rc < 0 ? rc : 0;
    }
    rc = step_search(s, 20000000ull); /* small files finish at once */
    if (rc == SEARCH_RUNNING)
        say_progress(s);
    return rc < 0 ? rc : 0;
}

static int c_find(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    bool hex = s->view.pane == MMH_PANE_HEX, icase = false, back = false, all = false;
    const char *p = arg;
    while (*p == '-') {
        size_t n = strcspn(p, " \t");
        if (n == 2 && p[1] == '-') { /* "--": the pattern follows one blank */
            p += 2;
            if (*p == ' ' || *p == '\t')
                p++;
            break;
        }
        if (n != 2)
            return fail(s, -EINVAL, "find: unknown option %.*s (-x -t -i -b -a)", (int)n, p);
        switch (p[1]) {
        case 'x': hex = true; break;
        case 't': hex = false; break;
        case 'i': icase = true; break;
        case 'b': back = true; break;
        case 'a': all = true; break;
        default: return fail(s, -EINVAL, "find: unknown option %.2s (-x -t -i -b -a)", p);
        }
        p += n;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (!*p && s->have_pat) /* an empty pattern repeats the last search */
        return run_search(s, back, all);
    Pattern pat;
    const char *err = NULL;
    int rc = hex ? search_parse_hex(p, &pat, &err) : search_parse_text(p, &pat, &err);
    if (rc < 0)
        return fail(s, rc, "find %s: %s", hex ? "(hex)" : "(text)", err ? err : "bad pattern");
    if (icase && hex)
        return fail(s, -EINVAL, "find: -i is for text patterns (-t)");
    if (icase && !pat.icase) {
        for (size_t i = 0; i < pat.len; i++)
            pat.bytes[i] = (uint8_t)tolower(pat.bytes[i]);
        pat.icase = true;
    }
    s->pat = pat;
    s->have_pat = true;
    snprintf(s->pat_text, sizeof s->pat_text, "%s%.100s%s", hex ? "" : "'", p, hex ? "" : "'");
    return run_search(s, back, all);
}

static int c_next(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!s->have_pat)
        return fail(s, -EINVAL, "no previous search (/ or ? first)");
    return run_search(s, s->pat_back, false);
}

static int c_prev(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!s->have_pat)
        return fail(s, -EINVAL, "no previous search (/ or ? first)");
    bool back = s->pat_back;
    int rc = run_search(s, !back, false);
    s->pat_back = back; /* N does not change the direction n goes */
    return rc;
}

static int seek_region(Session *s, bool data, bool back)
{
    uint64_t at;
    int rc = map_seek_region(doc_map(s->doc), s->view.cursor, data, back, &at);
    const char *what = data ? "data" : "hole";
    if (rc == -ENXIO)
        return fail(s, -ENOENT, "no %s %s %s the cursor", back ? "earlier" : "later", what,
                    back ? "before" : "after");
    if (rc < 0)
        return fail(s, rc, "seek %s: %s", what, map_strerror(rc));
    move_to(s, at);
    say(s, false, "%s starts at 0x%" PRIx64, data ? "data" : "a hole", at);
    return 0;
}

static int c_nextdata(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, true, false);
}

static int c_prevdata(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, true, true);
}

static int c_nexthole(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, false, false);
}

static int c_prevhole(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, false, true);
}

/* ---- paging actions ---------------------------------------------------------- */

static int c_evict(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off = 0, len = 0, size = size_of(s);
    char t[32], a[32];
    if (!size)
        return fail(s, -EINVAL, "evict: the file is empty");
    if (!strcmp(arg, "all"))
        len = size;
    else if (*arg)
        return fail(s, -EINVAL, "evict: say 'evict' or 'evict all'");
    else
        target_range(s, &off, &len);
    MapEvictResult e;
    uint64_t t0 = now_ns();
    int rc = map_evict(doc_map(s->doc), off, len, &e);
    s->file_at = s->rmap_at = 0;
    if (rc < 0)
        return core_error(s, rc, "evict");
    fmt_ns(now_ns() - t0, t, sizeof t);
    /* Say what went: map_evict rounds out to 2 MiB (large folios). */
    uint64_t lo = off & ~((2ull << 20) - 1),
             hi = (off + len + (2ull << 20) - 1) & ~((2ull << 20) - 1);
    parse_fmt_size((hi < size ? hi : size) - lo, a, sizeof a);
    char kept[96] = "";
    if (e.kept_edited) /* kept on purpose: MADV_DONTNEED would discard them */
        snprintf(kept, sizeof kept, "; %" PRIu64 " edited page%s kept", e.kept_edited,
                 e.kept_edited == 1 ? "" : "s");
    if (e.before >= 0)
        say(s, false, "evicted %s%s: cached pages %" PRId64 " -> %" PRId64 " in %s%s",
            *arg ? "the file, " : "", a, e.before, e.after, t, kept);
    else
        say(s, false, "evicted %s in %s%s", a, t, kept);
    return 0;
}

static void say_prefetch(Session *s)
{
    char a[32];
    uint64_t size = size_of(s);
    parse_fmt_size(s->pf_done, a, sizeof a);
    say(s, false, "prefetching 0x%" PRIx64 " %.0f%% (%s of data read), Esc cancels", s->pf_pos,
        size ? 100.0 * (double)s->pf_pos / (double)size : 100.0, a);
    say_ignored(s);
}

/* Prefetch the whole file for about budget_ns: MADV_POPULATE_READ over the
 * data regions in slices, skipping holes (populating a hole would allocate
 * pages of zeros). 1 when done, 0 when more remains, or -errno. */
static int step_prefetch(Session *s, uint64_t budget_ns)
{
    Map *m = doc_map(s->doc);
    uint64_t t0 = now_ns(), size = size_of(s);
    while (s->pf_pos < size) {
        bool data;
        uint64_t end;
        int rc = map_region(m, s->pf_pos, &data, &end);
        if (rc < 0)
            return rc;
        if (data) {
            uint64_t n = end - s->pf_pos < (8u << 20) ? end - s->pf_pos : (8u << 20);
            rc = map_prefetch(m, s->pf_pos, n, true);
            if (rc < 0)
                return rc;
            s->pf_done += n;
            end = s->pf_pos + n;
        }
        s->pf_pos = end;
        if (now_ns() - t0 >= budget_ns)
            return s->pf_pos >= size;
    }
    return 1;
}

static int end_prefetch(Session *s, int rc)
{
    char a[32], t[32];
    s->pf_on = false;
    s->file_at = s->rmap_at = 0;
    if (rc < 0)
        return core_error(s, rc, "prefetch");
    parse_fmt_size(s->pf_done, a, sizeof a);
    fmt_ns(now_ns() - s->pf_t0, t, sizeof t);
    say(s, false, "prefetched the file: %s of data read in %s (holes skipped)", a, t);
    return 0;
}

static int c_prefetch(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off, len, size = size_of(s);
    char a[32], t[32];
    if (!size)
        return fail(s, -EINVAL, "prefetch: the file is empty");
    if (!strcmp(arg, "all")) {
        if (s->pf_on)
            return fail(s, -EBUSY, "prefetch: already running (Esc cancels it)");
        s->pf_on = true;
        s->keys_ignored = 0;
        s->pf_pos = s->pf_done = 0;
        s->pf_t0 = now_ns();
        int rc;
        if (s->batch) {
            while ((rc = step_prefetch(s, 100000000ull)) == 0)
                if (stopping(s)) {
                    s->pf_on = false;
                    return fail(s, -EINTR, "prefetch: stopped by a signal");
                }
            return end_prefetch(s, rc < 0 ? rc : 0);
        }
        rc = step_prefetch(s, 20000000ull);
        if (rc != 0)
            return end_prefetch(s, rc < 0 ? rc : 0);
        say_prefetch(s);
        return 0;
    }
    if (*arg)
        return fail(s, -EINVAL, "prefetch: say 'prefetch' or 'prefetch all'");
    target_range(s, &off, &len);
    uint64_t t0 = now_ns();
    int rc = map_prefetch(doc_map(s->doc), off, len, false);
    s->file_at = s->rmap_at = 0;
    if (rc < 0)
        return core_error(s, rc, "prefetch");
    fmt_ns(now_ns() - t0, t, sizeof t);
    parse_fmt_size(len, a, sizeof a);
    say(s, false, "prefetch of %s asked for (MADV_WILLNEED) in %s; the kernel reads it ahead", a,
        t);
    return 0;
}

static int c_details(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    Map *m = doc_map(s->doc);
    Resid *res = doc_resid(s->doc);
    char a[32], b[32];
    ResidSmaps sm;
    int rc = resid_smaps(res, &sm);
    emit(s, "mapping of %s (%s)\n", map_path(m), mode_name(map_mode(m)));
    if (rc == 0) {
#define SZ(x) parse_fmt_size((x), a, sizeof a)
        emit(s, "  smaps Size           %s\n", SZ(sm.size));
        emit(s, "  Rss                  %s\n", SZ(sm.rss));
        emit(s, "  Shared_Clean         %s\n", SZ(sm.shared_clean));
        emit(s, "  Shared_Dirty         %s\n", SZ(sm.shared_dirty));
        emit(s, "  Private_Clean        %s\n", SZ(sm.private_clean));
        emit(s, "  Private_Dirty        %s\n", SZ(sm.private_dirty));
        emit(s, "  Anonymous            %s\n", SZ(sm.anonymous));
        emit(s, "  Locked               %s\n", SZ(sm.locked));
#undef SZ
    } else {
        emit(s, "  smaps                n/a (%s)\n", map_strerror(rc));
    }
    ResidFaults f;
    if (resid_faults(res, &f) == 0)
        emit(s, "process faults         %" PRIu64 " minor, %" PRIu64 " major\n", f.minor, f.major);
    MapLockLimit ll;
    if (map_lock_limit(m, &ll) == 0) {
        parse_fmt_size(ll.map_locked, a, sizeof a);
        parse_fmt_size(ll.process_locked, b, sizeof b);
        emit(s, "locked                 %s by this map, %s by the process\n", a, b);
        if (ll.unlimited)
            emit(s, "lock limit             none (CAP_IPC_LOCK or unlimited)\n");
        else
            emit(s, "lock limit             %s (RLIMIT_MEMLOCK)\n",
                 parse_fmt_size(ll.limit, a, sizeof a));
    }
    emit(s, "readahead window       %s\n", parse_fmt_size(map_readahead(m), a, sizeof a));
    emit(s, "advice                 %s\n", map_advice_name(map_advice(m)));
    if (map_mode(m) == MMH_MODE_COPY) {
        uint64_t pages = 0;
        if (resid_edited(res, 0, 0, &pages) == 0)
            emit(s, "edited (private) pages %" PRIu64 " = %s of anonymous memory\n", pages,
                 parse_fmt_size(pages * map_pagesize(m), a, sizeof a));
    }
    say(s, false, "details: see the output");
    return 0;
}

static size_t map_cols(const Session *s)
{
    return s->view.cols > 0 ? (size_t)s->view.cols : 1;
}

static void sample_map(Session *s, bool force)
{
    uint64_t t = now_ns();
    if (!force && s->rmap_at && t - s->rmap_at < FILE_SAMPLE_NS)
        return;
    s->rmap_at = t;
    s->rmap_cap = rmap_capacity(s->view.rows, s->view.cols);
    rmap_sample(&s->rmap, s->doc, s->rmap_cap); /* sets s->rmap.rc */
    if (s->rmap.n && s->rmap_sel >= s->rmap.n)
        s->rmap_sel = s->rmap.n - 1;
}

static int c_map(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (s->batch)
        return fail(s, -EINVAL, "map: the residency map needs a terminal (use stat)");
    if (!size_of(s))
        return fail(s, -EINVAL, "map: the file is empty");
    if (s->state == ST_MAP) {
        s->state = ST_NORMAL;
        return 0;
    }
    s->state = ST_MAP;
    sample_map(s, true);
    s->rmap_sel = s->rmap.n ? rmap_bucket_of(&s->rmap, s->view.cursor) : 0;
    s->msg[0] = 0;
    return 0;
}

/* Keys in the residency map: arrows move the selected bucket, Enter goes
 * there, Esc/m/q leave; the paging keys act on the selected bucket. */
static unsigned map_key(Session *s, int key)
{
    size_t n = s->rmap.n, cols = map_cols(s), sel = s->rmap_sel;
    switch (key) {
    case MMH_KEY_LEFT:
    case 'h': sel = sel ? sel - 1 : 0; break;
    case MMH_KEY_RIGHT:
    case 'l': sel = sel + 1 < n ? sel + 1 : sel; break;
    case MMH_KEY_UP:
    case 'k': sel = sel >= cols ? sel - cols : sel; break;
    case MMH_KEY_DOWN:
    case 'j': sel = sel + cols < n ? sel + cols : sel; break;
    case MMH_KEY_HOME: sel = 0; break;
    case MMH_KEY_END: sel = n ? n - 1 : 0; break;
    case MMH_KEY_ENTER:
        s->state = ST_NORMAL;
        if (n)
            move_to(s, s->rmap.b[sel].lo);
        return MMH_R_REDRAW;
    case MMH_KEY_ESC:
    case 'm':
    case 'q': s->state = ST_NORMAL; return MMH_R_REDRAW;
    case 'e':
    case 'E':
    case 'p':
    case 'P':
    case 'a':
    case 'f':
    case 'F':
    case 'L': {
        unsigned r = cmd_run(s, keymap_lookup(key));
        sample_map(s, true);
        return r | MMH_R_REDRAW;
    }
    default:
        fail(s, 0, "map: arrows select, Enter goes there, e p E P a f L act, Esc leaves");
        break;
    }
    s->rmap_sel = sel;
    return MMH_R_REDRAW;
}

/* One tick less of highlight for every byte lit up. */
static void cool_down(Session *s)
{
    for (size_t i = 0; i < s->snap_len; i++)
        if (s->hot[i])
            s->hot[i]--;
}

/* Live watch: compare the visible bytes with the last frame's and light up
 * those someone else changed (not our own unwritten edits). Called after
 * the frame has read them, so it never faults a page in before residency
 * is sampled. O(screen). */
static void watch(Session *s)
{
    uint64_t size = size_of(s), lo = s->view.top;
    uint64_t n64 = (uint64_t)view_data_rows(&s->view) * (uint64_t)s->view.bpr;
    if (lo >= size || !n64) {
        s->snap_len = 0;
        return;
    }
    size_t n = (size_t)(n64 < size - lo ? n64 : size - lo);
    if (n > 65536)
        n = 65536;
    if (lo != s->snap_lo || n != s->snap_len) { /* the view moved: start over */
        uint8_t *a = realloc(s->snap, n), *b;
        if (!a)
            return;
        s->snap = a;
        b = realloc(s->hot, n);
        if (!b)
            return;
        s->hot = b;
        memset(s->hot, 0, n);
        s->snap_lo = lo;
        s->snap_len = doc_read(s->doc, lo, s->snap, n) == 0 ? n : 0;
        return;
    }
    uint8_t now[4096];
    const RangeSet *runs = journal_runs(doc_journal(s->doc));
    for (size_t i = 0; i < n; i += sizeof now) {
        size_t k = n - i < sizeof now ? n - i : sizeof now;
        if (doc_read(s->doc, lo + i, now, k) < 0) {
            s->snap_len = 0;
            return;
        }
        for (size_t j = 0; j < k; j++) {
            uint8_t *h = &s->hot[i + j];
            if (now[j] != s->snap[i + j]) {
                if (!rangeset_contains(runs, lo + i + j))
                    *h = 15; /* about three seconds of ticks (cool_down) */
                s->snap[i + j] = now[j];
            }
        }
    }
}

static int c_quit(Session *s, const char *arg, unsigned *r)
{
    (void)arg;
    if (s->save && !s->batch) {
        snprintf(s->pending, sizeof s->pending, "quit!");
        s->state = ST_CONFIRM;
        say(s, false, "a save to %s is running: quit and cancel it? (y/n)", s->save_path);
        return 0;
    }
    if (doc_unwritten(s->doc) && !s->batch) {
        snprintf(s->pending, sizeof s->pending, "quit!");
        s->state = ST_CONFIRM;
        say(s, false, "unwritten edits: quit and lose them? (y/n; w writes them first)");
        return 0;
    }
    *r |= MMH_R_QUIT;
    return 0;
}

static int c_quit_force(Session *s, const char *arg, unsigned *r)
{
    (void)s, (void)arg;
    *r |= MMH_R_QUIT;
    return 0;
}

static int c_pane(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    s->view.pane = s->view.pane == MMH_PANE_HEX ? MMH_PANE_TEXT : MMH_PANE_HEX;
    s->view.nibble = 0;
    doc_snapshot(s->doc);
    return 0;
}

static int c_edit(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (s->save)
        return refuse_while_saving(s);
    if (!size_of(s))
        return fail(s, -EINVAL, "the file is empty: nothing to overwrite");
    doc_snapshot(s->doc);
    s->state = ST_EDIT;
    s->at_end = false;
    s->view.nibble = 0;
    say(s, false, "-- EDIT -- (%s pane; Esc leaves)",
        s->view.pane == MMH_PANE_HEX ? "hex" : "text");
    return 0;
}

static int c_select(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!size_of(s))
        return 0;
    if (s->view.sel_on) {
        s->view.sel_on = false;
        say(s, false, "selection cleared");
    } else {
        s->view.sel_on = true;
        s->view.sel_anchor = s->view.cursor;
        say(s, false, "selecting: move to extend; L locks it; v clears");
    }
    return 0;
}

static int c_help(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (s->batch) {
        size_t n;
        const KeyBinding *t = keymap_table(&n);
        for (size_t i = 0; i < n; i++)
            if (t[i].keys)
                emit(s, "%-22s %s\n", t[i].keys, t[i].help);
        return 0;
    }
    s->state = ST_HELP;
    s->help_top = 0;
    return 0;
}

static int c_refresh(Session *s, const char *arg, unsigned *r)
{
    (void)arg;
    *r |= take_refresh(s, NULL);
    sample_file(s, true);
    return 0;
}

static int open_prompt(Session *s, const char *label, const char *verb)
{
    if (s->batch)
        return fail(s, -EINVAL, "no prompts in batch mode");
    snprintf(s->label, sizeof s->label, "%s", label);
    snprintf(s->verb, sizeof s->verb, "%s", verb);
    s->input_len = s->input_cur = 0;
    s->input[0] = 0;
    s->input_dropped = false;
    s->state = ST_PROMPT;
    return 0;
}

static int c_prompt(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    if (!strcmp(arg, "goto"))
        return open_prompt(s, "goto: ", "goto");
    if (!strcmp(arg, "saveas"))
        return open_prompt(s, "save as: ", "saveas");
    if (!strcmp(arg, "command"))
        return open_prompt(s, ":", "");
    /* "--" ends find's options: the typed pattern may begin with '-'. */
    if (!strcmp(arg, "find"))
        return open_prompt(s, s->view.pane == MMH_PANE_HEX ? "/ hex: " : "/ text: ", "find --");
    if (!strcmp(arg, "rfind"))
        return open_prompt(s, s->view.pane == MMH_PANE_HEX ? "? hex: " : "? text: ", "find -b --");
    return fail(s, -EINVAL, "prompt: unknown prompt '%s'", arg);
}

static const Cmd commands[] = {
    {"left", c_left},
    {"right", c_right},
    {"up", c_up},
    {"down", c_down},
    {"pagedown", c_pagedown},
    {"pageup", c_pageup},
    {"rowstart", c_rowstart},
    {"rowend", c_rowend},
    {"top", c_top},
    {"bottom", c_bottom},
    {"goto", c_goto},
    {"g", c_goto},
    {"put", c_put},
    {"puttext", c_puttext},
    {"write", c_write},
    {"w", c_write},
    {"saveas", c_saveas},
    {"saveas!", c_saveas_force},
    {"flush", c_flush},
    {"lock", c_lock_ask},
    {"unlock", c_unlock},
    {"advise", c_advise},
    {"undo", c_undo},
    {"redo", c_redo},
    {"stat", c_stat},
    {"dump", c_dump},
    {"quit", c_quit},
    {"q", c_quit},
    {"quit!", c_quit_force},
    {"q!", c_quit_force},
    {"find", c_find},
    {"next", c_next},
    {"prev", c_prev},
    {"nextdata", c_nextdata},
    {"prevdata", c_prevdata},
    {"nexthole", c_nexthole},
    {"prevhole", c_prevhole},
    {"evict", c_evict},
    {"prefetch", c_prefetch},
    {"details", c_details},
    {"map", c_map},
    {"pane", c_pane},
    {"edit", c_edit},
    {"select", c_select},
    {"help", c_help},
    {"refresh", c_refresh},
    {"prompt", c_prompt},
};

unsigned cmd_run(Session *s, const char *line)
{
    char word[32];
    unsigned react = MMH_R_REDRAW;
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strcspn(line, " \t");
    if (n == 0) {
        s->result = 0;
        return react;
    }
    if (n >= sizeof word) {
        s->result = fail(s, -EINVAL, "unknown command: %.*s", 40, line);
        return react;
    }
    memcpy(word, line, n);
    word[n] = 0;
    const char *arg = line + n;
    while (isspace((unsigned char)*arg))
        arg++;
    /* Trailing blanks are not part of the argument. The argument is copied
     * whole: a cut one would put fewer bytes than asked, or odd hex. */
    size_t alen = strlen(arg);
    while (alen && isspace((unsigned char)arg[alen - 1]))
        alen--;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(commands[i].name, word)) {
            s->msg[0] = 0;
            s->msg_err = false;
            char *argbuf = strndup(arg, alen);
            if (!argbuf) {
                s->result = fail(s, -ENOMEM, "%s: out of memory", word);
                return react;
            }
            doc_snapshot(s->doc); /* a command never joins a typing run's undo step */
            s->result = commands[i].run(s, argbuf, &react);
            free(argbuf);
            if (!s->search) /* a running search shows its list when it ends */
                show_output(s);
            return react;
        }
    }
    s->result =
        fail(s, -EINVAL, "unknown command: %s (H lists the keys, man mmhex the commands)", word);
    return react;
}

/* ---- keys -------------------------------------------------------------------- */

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

static unsigned edit_key(Session *s, int key)
{
    uint64_t size = size_of(s), c = s->view.cursor;
    switch (key) {
    case MMH_KEY_ESC:
        doc_snapshot(s->doc);
        s->state = ST_NORMAL;
        s->view.nibble = 0;
        s->msg[0] = 0;
        return MMH_R_REDRAW;
    case MMH_KEY_TAB: c_pane(s, "", NULL); return MMH_R_REDRAW;
    case MMH_KEY_LEFT:
    case MMH_KEY_BACKSPACE:
        if (s->view.nibble)
            s->view.nibble = 0;
        else
            move_by(s, -1);
        return MMH_R_REDRAW;
    case MMH_KEY_RIGHT: move_by(s, 1); return MMH_R_REDRAW;
    case MMH_KEY_UP: c_up(s, "", NULL); return MMH_R_REDRAW;
    case MMH_KEY_DOWN: c_down(s, "", NULL); return MMH_R_REDRAW;
    case MMH_KEY_PGDN: page(s, 1); return MMH_R_REDRAW;
    case MMH_KEY_PGUP: page(s, -1); return MMH_R_REDRAW;
    case MMH_KEY_HOME: c_rowstart(s, "", NULL); return MMH_R_REDRAW;
    case MMH_KEY_END: c_rowend(s, "", NULL); return MMH_R_REDRAW;
    default: break;
    }
    if (!size)
        return MMH_R_NONE;
    if (s->at_end && c + 1 >= size) {
        /* Overwrite mode never changes the size: the last byte was typed,
         * and typing on would overwrite it again and again. */
        fail(s, -ERANGE, "end of the file: typing stops at the last byte (Esc leaves)");
        return MMH_R_REDRAW;
    }
    uint8_t b;
    if (s->view.pane == MMH_PANE_HEX) {
        int v = hexval(key);
        if (v < 0) {
            fail(s, -EINVAL, "hex pane: type hex digits 0-9 a-f (Tab: text pane, Esc: leave)");
            return MMH_R_REDRAW;
        }
        int rc = doc_read(s->doc, c, &b, 1);
        if (rc < 0) {
            core_error(s, rc, "edit");
            return MMH_R_REDRAW;
        }
        b = s->view.nibble ? (uint8_t)((b & 0xf0) | v) : (uint8_t)((b & 0x0f) | (v << 4));
    } else {
        if (key < 32 || key > 126) {
            fail(s, -EINVAL, "text pane: type printable characters (Tab: hex pane, Esc: leave)");
            return MMH_R_REDRAW;
        }
        b = (uint8_t)key;
    }
    int rc = doc_put(s->doc, c, &b, 1);
    if (rc < 0) {
        core_error(s, rc, "edit");
        return MMH_R_REDRAW;
    }
    s->msg_err = false;
    snprintf(s->msg, sizeof s->msg, "-- EDIT --");
    if (s->view.pane == MMH_PANE_HEX && s->view.nibble == 0) {
        s->view.nibble = 1;
    } else {
        s->view.nibble = 0;
        if (c + 1 < size)
            s->view.cursor = c + 1; /* typing continues the same undo group */
        else
            s->at_end = true;
    }
    view_follow(&s->view, size);
    return MMH_R_REDRAW;
}

/* Delete input bytes [a, b). */
static void input_cut(Session *s, size_t a, size_t b)
{
    memmove(s->input + a, s->input + b, s->input_len - b + 1);
    s->input_len -= b - a;
}

static unsigned prompt_key(Session *s, int key)
{
    switch (key) {
    case MMH_KEY_ESC:
        s->state = ST_NORMAL;
        s->msg[0] = 0;
        return MMH_R_REDRAW;
    case MMH_KEY_ENTER:
    case '\n':
    case '\r': {
        char line[1100];
        s->state = ST_NORMAL;
        if (s->input_len == 0 && s->input_dropped) {
            /* Never a silent "repeat the last search" for text that was
             * typed but could not be taken. */
            s->result = fail(s, -EINVAL, "nothing was taken from what you typed: not run");
            return MMH_R_REDRAW;
        }
        if (s->verb[0])
            snprintf(line, sizeof line, "%s %s", s->verb, s->input);
        else
            snprintf(line, sizeof line, "%s", s->input);
        return cmd_run(s, line);
    }
    case MMH_KEY_BACKSPACE:
    case 127:
    case MMH_KEY_CTRL('h'):
        if (s->input_cur > 0) {
            size_t a = utf8_prev(s->input, s->input_cur);
            input_cut(s, a, s->input_cur);
            s->input_cur = a;
        } else if (s->input_len == 0) {
            s->state = ST_NORMAL; /* backspace on an empty prompt leaves it */
        }
        return MMH_R_REDRAW;
    case MMH_KEY_DELETE:
        if (s->input_cur < s->input_len)
            input_cut(s, s->input_cur, utf8_next(s->input, s->input_len, s->input_cur));
        return MMH_R_REDRAW;
    case MMH_KEY_LEFT: s->input_cur = utf8_prev(s->input, s->input_cur); return MMH_R_REDRAW;
    case MMH_KEY_RIGHT:
        s->input_cur = utf8_next(s->input, s->input_len, s->input_cur);
        return MMH_R_REDRAW;
    case MMH_KEY_HOME:
    case MMH_KEY_CTRL('a'): s->input_cur = 0; return MMH_R_REDRAW;
    case MMH_KEY_END:
    case MMH_KEY_CTRL('e'): s->input_cur = s->input_len; return MMH_R_REDRAW;
    case MMH_KEY_CTRL('u'):
        s->input_len = s->input_cur = 0;
        s->input[0] = 0;
        return MMH_R_REDRAW;
    default: break;
    }
    /* Text is UTF-8: a pattern typed as text is searched as its UTF-8
     * bytes. Control characters and special keys are not text. */
    char u[4];
    size_t n =
        key >= 32 && key != 127 && !(key >= 0x80 && key < 0xa0) ? utf8_put((uint32_t)key, u) : 0;
    if (key >= MMH_KEY_UP) /* a special key without a meaning here */
        return MMH_R_NONE;
    if (n == 0 || s->input_len + n >= sizeof s->input) {
        s->input_dropped = true;
        char name[32];
        fail(s, -EINVAL, "%s", n ? "the prompt is full" : keymap_name(key, name, sizeof name));
        return MMH_R_REDRAW;
    }
    memmove(s->input + s->input_cur + n, s->input + s->input_cur, s->input_len - s->input_cur + 1);
    memcpy(s->input + s->input_cur, u, n);
    s->input_cur += n;
    s->input_len += n;
    return MMH_R_REDRAW;
}

static unsigned confirm_key(Session *s, int key)
{
    s->state = ST_NORMAL;
    if (key == 'y' || key == 'Y') {
        char line[sizeof s->pending];
        memcpy(line, s->pending, sizeof line);
        return cmd_run(s, line);
    }
    if (key == 'w' && !strcmp(s->pending, "quit!")) {
        unsigned r = cmd_run(s, "write");
        if (s->result == 0)
            r |= MMH_R_QUIT;
        return r;
    }
    say(s, false, "cancelled");
    return MMH_R_REDRAW;
}

static size_t help_lines(const Session *s);

static void close_help(Session *s)
{
    s->state = ST_NORMAL;
    free(s->report);
    s->report = NULL;
}

static unsigned help_key(Session *s, int key)
{
    int rows = s->view.rows - 2;
    int max = (int)help_lines(s) - rows;
    switch (key) {
    case MMH_KEY_DOWN:
    case 'j': s->help_top++; break;
    case MMH_KEY_UP:
    case 'k': s->help_top--; break;
    case MMH_KEY_PGDN:
    case ' ': s->help_top += rows > 1 ? rows : 1; break;
    case MMH_KEY_PGUP:
    case 'b': s->help_top -= rows > 1 ? rows : 1; break;
    default: close_help(s); return MMH_R_REDRAW;
    }
    if (s->help_top > max)
        s->help_top = max;
    if (s->help_top < 0)
        s->help_top = 0;
    return MMH_R_REDRAW;
}

/* Keys while a search or a prefetch runs, in one place: Esc cancels it,
 * every other key is dropped with a message. A key must never act on a
 * screen the job is about to replace (its result opens a page when it
 * ends), and type-ahead must never become an edit. */
static unsigned job_key(Session *s, int key)
{
    if (key != MMH_KEY_ESC) {
        s->keys_ignored++;
        if (s->pf_on)
            say_prefetch(s);
        else
            say_progress(s);
        return MMH_R_REDRAW;
    }
    if (s->pf_on) {
        s->pf_on = false;
        s->file_at = s->rmap_at = 0;
        say(s, false, "prefetch cancelled at 0x%" PRIx64, s->pf_pos);
        return MMH_R_REDRAW;
    }
    SearchProgress pr;
    search_progress(s->search, &pr);
    search_free(s->search);
    s->search = NULL;
    if (s->search_all && s->search_count) {
        char head[64];
        snprintf(head, sizeof head, " before 0x%" PRIx64 " (cancelled)", pr.at);
        list_head(s, head);
        say(s, false, "search cancelled at 0x%" PRIx64 " after %" PRIu64 " match%s", pr.at,
            s->search_count, s->search_count == 1 ? "" : "es");
        show_output(s);
    } else {
        free(cmd_output_take(s));
        say(s, false, "search cancelled at 0x%" PRIx64 "; the cursor stays", pr.at);
    }
    return MMH_R_REDRAW;
}

unsigned cmd_key(Session *s, int key)
{
    if (key == MMH_KEY_RESIZE || key == MMH_KEY_NONE)
        return MMH_R_REDRAW;
    if (s->search || s->pf_on)
        return job_key(s, key);
    switch (s->state) {
    case ST_EDIT: return edit_key(s, key);
    case ST_PROMPT: return prompt_key(s, key);
    case ST_CONFIRM: return confirm_key(s, key);
    case ST_HELP: return help_key(s, key);
    case ST_MAP: return map_key(s, key);
    case ST_NORMAL: break;
    }
    /* Esc cancels a running save only from normal mode: elsewhere it leaves
     * edit mode, a prompt or a question, and must do only that. */
    if (s->save && key == MMH_KEY_ESC) {
        doc_saveas_cancel(s->save);
        s->save = NULL;
        say(s, false, "save to %s cancelled; nothing was written there", s->save_path);
        return MMH_R_REDRAW;
    }
    if (key == MMH_KEY_ESC) {
        s->view.sel_on = false;
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

unsigned cmd_mouse(Session *s, MmhMouse what, int row, int col)
{
    uint64_t off;
    MmhPane pane;
    if (s->state == ST_HELP) {
        close_help(s);
        return MMH_R_REDRAW;
    }
    switch (what) {
    case MMH_MOUSE_WHEEL_UP:
    case MMH_MOUSE_WHEEL_DOWN: {
        uint64_t step = 3 * (uint64_t)s->view.bpr, size = size_of(s);
        int rows = view_data_rows(&s->view);
        if (!size || rows < 1)
            return MMH_R_NONE;
        uint64_t last_top = (size - 1) / (uint64_t)s->view.bpr * (uint64_t)s->view.bpr;
        uint64_t t = s->view.top;
        if (what == MMH_MOUSE_WHEEL_UP)
            t = t >= step ? t - step : 0;
        else
            t = t + step <= last_top ? t + step : last_top;
        s->view.top = t;
        /* Keep the cursor on screen by moving it, not the view. */
        uint64_t span = (uint64_t)rows * (uint64_t)s->view.bpr;
        if (s->view.cursor < t)
            s->view.cursor = t + s->view.cursor % (uint64_t)s->view.bpr;
        else if (s->view.cursor >= t + span)
            s->view.cursor =
                t + span - (uint64_t)s->view.bpr + s->view.cursor % (uint64_t)s->view.bpr;
        if (s->view.cursor >= size)
            s->view.cursor = size - 1;
        doc_snapshot(s->doc);
        s->at_end = false;
        return MMH_R_REDRAW;
    }
    case MMH_MOUSE_CLICK:
        if (view_hit(&s->view, size_of(s), row, col, &off, &pane) < 0)
            return MMH_R_NONE;
        doc_snapshot(s->doc);
        s->at_end = false;
        s->view.cursor = off;
        s->view.pane = pane;
        s->view.nibble = 0;
        view_follow(&s->view, size_of(s));
        return MMH_R_REDRAW;
    }
    return MMH_R_NONE;
}

unsigned cmd_resize(Session *s, int rows, int cols)
{
    view_layout(&s->view, rows, cols, size_of(s));
    return MMH_R_REDRAW;
}

unsigned cmd_tick(Session *s, uint64_t budget_ns)
{
    unsigned r = MMH_R_NONE;
    if (s->pf_on) {
        int rc = step_prefetch(s, budget_ns);
        if (rc == 0)
            say_prefetch(s);
        else
            s->result = end_prefetch(s, rc < 0 ? rc : 0);
        r |= MMH_R_REDRAW;
    }
    if (s->search) {
        int rc = step_search(s, budget_ns);
        if (rc == SEARCH_RUNNING) {
            say_progress(s);
        } else {
            s->result = rc < 0 ? rc : 0;
            show_output(s); /* find -a: the list, whole, now */
        }
        r |= MMH_R_REDRAW;
    }
    if (s->save) {
        int rc = doc_saveas_step(s->save, budget_ns);
        if (rc == 0) {
            uint64_t done, total;
            doc_saveas_progress(s->save, &done, &total);
            char a[32], b[32];
            parse_fmt_size(done, a, sizeof a);
            parse_fmt_size(total, b, sizeof b);
            say(s, false, "saving to %s: %.0f%% (%s of %s data), Esc cancels", s->save_path,
                total ? 100.0 * (double)done / (double)total : 100.0, a, b);
        } else {
            char t[32];
            s->save = NULL;
            fmt_ns(now_ns() - s->save_t0, t, sizeof t);
            if (rc < 0)
                fail(s, rc, "save to %s failed: %s; the edits are kept in memory", s->save_path,
                     doc_saveas_strerror(rc));
            else
                say(s, false, "saved to %s in %s (holes kept)", s->save_path, t);
        }
        r |= MMH_R_REDRAW;
    }
    r |= take_refresh(s, NULL);
    uint64_t before = s->file_at;
    sample_file(s, false);
    if (s->file_at != before)
        r |= MMH_R_REDRAW;
    if (!s->batch) {
        if (s->state == ST_MAP)
            sample_map(s, false);
        cool_down(s); /* watch() itself runs after each frame's read */
    }
    return r;
}

/* ---- drawing ----------------------------------------------------------------- */

static size_t help_lines(const Session *s)
{
    size_t n, k = 0;
    if (s->report) {
        for (const char *p = s->report; *p; p++)
            k += *p == '\n';
        return k;
    }
    const KeyBinding *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        k += t[i].keys != NULL;
    return k + 8;
}

static void put_text(Grid *g, int row, int col, const char *text, uint8_t cls)
{
    for (; *text && col < g->cols; text++, col++) {
        Cell *c = &g->cells[row * g->cols + col];
        c->ch = (unsigned char)*text;
        c->cls = cls;
    }
}

static void draw_help(Session *s, Grid *g)
{
    static const char *const extra[] = {
        "",
        "Edit mode: hex digits fill nibbles in the hex pane; the text pane takes",
        "printable characters. Esc back to normal mode. The mouse moves the cursor",
        "and the wheel scrolls. Commands (':'): goto put puttext find next prev",
        "write saveas flush lock unlock advise evict prefetch details map undo redo",
        "stat dump nextdata prevdata nexthole prevhole quit -- see man mmhex.",
        "",
        "Page glyphs: R resident  . not resident  D dirty  W writeback  L locked",
        "C copy-mode edits  ? unknown (no permission)  H hole (bytes shown as --)",
        "! unreadable (bytes shown as ??; the message row says why)",
        "Bytes changed by another process are highlighted for a few seconds.",
        "Edits typed while a search or prefetch runs are ignored (Esc cancels it).",
        "A file rewritten under copy mode gets your unwritten edits re-applied.",
    };
    size_t n;
    const KeyBinding *t = keymap_table(&n);
    for (int i = 0; i < g->rows * g->cols; i++)
        g->cells[i] = (Cell){' ', MMH_CC_NORMAL};
    g->cur_row = g->cur_col = -1;
    if (g->rows < 1)
        return;
    for (int c = 0; c < g->cols; c++)
        g->cells[c] = (Cell){' ', MMH_CC_TITLE};
    put_text(g, 0, 0,
             s->report ? " mmhex output: arrows/PgDn scroll, any other key returns"
                       : " mmhex help: arrows/PgDn scroll, any other key returns",
             MMH_CC_TITLE);
    int row = 1, line = 0;
    char buf[256];
    for (const char *p = s->report; p && *p; line++) {
        size_t len = strcspn(p, "\n");
        if (line >= s->help_top && row < g->rows) {
            snprintf(buf, sizeof buf, "%.*s", (int)(len < 255 ? len : 255), p);
            put_text(g, row++, 0, buf, MMH_CC_NORMAL);
        }
        p += len + (p[len] == '\n');
    }
    if (s->report)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].keys)
            continue;
        if (line++ < s->help_top)
            continue;
        if (row >= g->rows)
            return;
        snprintf(buf, sizeof buf, "  %-22s %s", t[i].keys, t[i].help);
        put_text(g, row++, 0, buf, MMH_CC_NORMAL);
    }
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        if (line++ < s->help_top)
            continue;
        if (row >= g->rows)
            return;
        snprintf(buf, sizeof buf, "  %s", extra[i]);
        put_text(g, row++, 0, buf, MMH_CC_NORMAL);
    }
}

void cmd_frame(Session *s, Grid *g)
{
    if (s->state == ST_HELP) {
        draw_help(s, g);
        return;
    }
    if (s->state == ST_MAP) {
        const char *nm = strrchr(map_path(doc_map(s->doc)), '/');
        Resid *rr = doc_resid(s->doc);
        RmapInfo ri = {
            .name = nm ? nm + 1 : map_path(doc_map(s->doc)),
            .cursor = s->view.cursor,
            .selected = s->rmap_sel,
            .message = s->msg[0] ? s->msg : NULL,
            .message_error = s->msg_err,
            .unknown_why = resid_known(rr) ? NULL : resid_why_unknown(rr),
        };
        if (s->rmap_cap != rmap_capacity(g->rows, g->cols))
            sample_map(s, true); /* resized */
        rmap_render(&s->rmap, &ri, g);
        return;
    }
    Map *m = doc_map(s->doc);
    Resid *r = doc_resid(s->doc);
    sample_file(s, false);
    const char *state = NULL;
    if (s->state == ST_EDIT)
        state = "EDIT";
    else if (s->view.sel_on)
        state = "SELECT";
    else if (s->save)
        state = "SAVING";
    const char *name = strrchr(map_path(m), '/');
    ViewInfo info = {
        .name = name ? name + 1 : map_path(m),
        .mode = mode_name(map_mode(m)),
        .state = state,
        .modified = doc_unwritten(s->doc),
        .file_known = s->file_known,
        .file = s->file,
        .unknown_why = resid_known(r) ? NULL : resid_why_unknown(r),
        .locked = rangeset_total(map_locked(m)),
        .lock_limit = s->lim.limit,
        .lock_unlimited = s->lim.unlimited,
        .advice = map_advice_name(map_advice(m)),
        .edited_pages = s->edited_pages,
        .last_minflt = s->last.minflt,
        .last_majflt = s->last.majflt,
        .last_ns = s->last.ns,
        .hot = s->snap_len ? s->hot : NULL,
        .hot_lo = s->snap_lo,
        .hot_len = s->snap_len,
        .match_on = s->match_on,
        .match_off = s->match_off,
        .match_len = s->match_len,
        .message = s->state == ST_PROMPT ? NULL : (s->msg[0] ? s->msg : NULL),
        .message_error = s->msg_err,
        .prompt = s->state == ST_PROMPT ? s->label : NULL,
        .input = s->input,
        .input_cursor = s->input_cur,
    };
    ViewFrame f;
    view_render(&s->view, s->doc, &info, g, &f);
    if (f.read_rc == -MMH_ETRUNC) {
        /* Truncated under us: take the new size and draw again. */
        take_refresh(s, NULL);
        info.message = s->msg;
        info.message_error = s->msg_err;
        view_render(&s->view, s->doc, &info, g, &f);
    }
    if (f.read_rc < 0 && f.read_rc != -MMH_ETRUNC) {
        /* The bytes that cannot be read show as "??": say why, and where.
         * Drawn again only when the message is new (another read faults). */
        char why[sizeof s->msg];
        snprintf(why, sizeof why, "cannot read 0x%" PRIx64 ": %s", f.read_off,
                 map_strerror(f.read_rc));
        if (!s->msg_err || strcmp(s->msg, why) != 0) {
            say(s, true, "%s", why);
            if (s->state != ST_PROMPT) {
                info.message = s->msg;
                info.message_error = true;
                view_render(&s->view, s->doc, &info, g, &f);
            }
        }
    } else if (f.read_rc == 0 && s->msg_err && !strncmp(s->msg, "cannot read 0x", 14)) {
        s->msg[0] = '\0'; /* readable again: the message would name a cause now gone */
    }
    /* A frame that faulted stays on the status row for a while: the next
     * idle refresh (200 ms later, faulting nothing) would hide it at once. */
    uint64_t t = now_ns();
    if (f.majflt || f.minflt || !s->last.majflt || t - s->last_at > 2000000000ull) {
        s->last = f;
        s->last_at = t;
    }
    watch(s); /* after the frame read the bytes: never fault them first */
}

/* ---- life cycle ---------------------------------------------------------- */

int cmd_session_new(Session **out, Doc *d, const SessionOpts *o)
{
    *out = NULL;
    Session *s = calloc(1, sizeof *s);
    if (!s) {
        doc_close(d);
        return -ENOMEM;
    }
    s->doc = d;
    s->batch = o && o->batch;
    s->stop = o ? o->stop : NULL;
    s->out_fn = o ? o->out : NULL;
    s->out_ctx = o ? o->out_ctx : NULL;
    s->view.bpr_fixed = o ? o->bpr_fixed : 0;
    view_layout(&s->view, 24, 80, doc_size(d));
    const char *notice = map_notice(doc_map(d));
    if (notice)
        say(s, false, "%s", notice);
    *out = s;
    return 0;
}

void cmd_session_free(Session *s)
{
    if (!s)
        return;
    if (s->save)
        doc_saveas_cancel(s->save);
    if (s->search)
        search_free(s->search);
    rmap_free(&s->rmap);
    free(s->snap);
    free(s->hot);
    if (s->doc)
        doc_close(s->doc);
    free(s->out);
    free(s->report);
    free(s);
}
