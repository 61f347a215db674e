/*
 * cmd-diff: the commands of a diff (mmhex A B): the comparison of the whole
 * files as a background job (a summary that restarts after an edit or a new
 * shift), the next and previous difference (a job from the cursor, so a
 * difference a TiB away is found at the speed of the data between), which
 * side has the keys, B's shift, and copying a difference or the selection
 * from one side to the other (an edit of the side it lands on: its mode,
 * one undo step, written with w).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "diffpair.h"
#include "job.h"
#include "parse.h"
#include "sys.h"

#define COPY_MAX (64u << 20) /* bytes one diffget/diffput copies at most */
#define COPY_BLOCK 65536     /* bytes read and put at a time */

static int no_pair(Session *s, const char *cmd)
{
    return fail(s, -EINVAL, "%s: one file is open (mmhex FILE1 FILE2 compares two)", cmd);
}

Pane *diffpair_other(Session *s)
{
    return s->cur == &s->pane ? s->pane2 : &s->pane;
}

/* The shift from pane p's offsets to A's positions. */
static int64_t to_pos_delta(const Session *s, const Pane *p)
{
    return p == &s->pane ? 0 : -s->diff->shift;
}

int64_t diffpair_to_pos(const Session *s, const Pane *p, uint64_t off)
{
    return (int64_t)off + to_pos_delta(s, p);
}

/* ---- the comparison of the whole files --------------------------------------- */

typedef struct WholeJob {
    Diff *d;
} WholeJob;

/* The files or the shift changed since the comparison started. */
static bool stale(const Session *s)
{
    const DiffPair *p = s->diff;
    return doc_changes(s->pane.doc) != p->seen_a || doc_changes(s->pane2->doc) != p->seen_b ||
           p->shift != p->seen_shift;
}

/* Take the documents as they are now: what was compared is forgotten. */
static int whole_begin(Session *s, WholeJob *j)
{
    DiffPair *p = s->diff;
    diff_free(j->d);
    j->d = NULL;
    memset(&p->sum, 0, sizeof p->sum);
    p->seen_a = doc_changes(s->pane.doc);
    p->seen_b = doc_changes(s->pane2->doc);
    p->seen_shift = p->shift;
    DiffOpts o = {.mode = DIFF_ALL, .shift = p->shift};
    int rc = diff_start(&j->d, s->pane.doc, s->pane2->doc, &o);
    if (rc == 0)
        diff_summary(j->d, &p->sum);
    return rc;
}

static int whole_step(Session *s, void *st, uint64_t budget_ns)
{
    WholeJob *j = st;
    /* Never a step over bytes edited since the start (diff.h): begin again. */
    if (stale(s)) {
        int rc = whole_begin(s, j);
        if (rc < 0)
            return rc;
    }
    int rc = diff_step(j->d, budget_ns);
    diff_summary(j->d, &s->diff->sum);
    return rc == DIFF_DONE ? 1 : rc;
}

static void whole_progress(Session *s, void *st)
{
    (void)s, (void)st; /* the summary line shows it */
}

static int whole_finish(Session *s, void *st, int rc)
{
    WholeJob *j = st;
    DiffPair *p = s->diff;
    diff_summary(j->d, &p->sum);
    diff_free(j->d);
    free(j);
    p->running = false;
    if (rc == -ECANCELED) /* restarted: no word */
        return 0;
    if (rc == -MMH_ETRUNC) { /* a file shrank: compare the new sizes */
        session_refresh(s, NULL);
        diffpair_restart(s);
        return 0;
    }
    if (rc < 0) {
        p->err = rc;
        return fail(s, rc, "diff: %s", map_strerror(rc));
    }
    p->done = true;
    return 0;
}

static void whole_cancel(Session *s, void *st)
{
    WholeJob *j = st;
    DiffPair *p = s->diff;
    diff_summary(j->d, &p->sum);
    diff_free(j->d);
    free(j);
    p->running = false;
    p->stopped = true;
    say(s, false, "diff: comparison stopped (:diff starts it again)");
}

static const JobType whole_job = {
    .name = "diff",
    .first_slice = true,
    .step = whole_step,
    .progress = whole_progress,
    .finish = whole_finish,
    .cancel = whole_cancel,
};

bool diffpair_stale(const Session *s)
{
    return stale(s);
}

void diffpair_restart(Session *s)
{
    DiffPair *p = s->diff;
    job_stop(s, &whole_job);
    p->done = p->stopped = false;
    p->err = 0;
    WholeJob *j = calloc(1, sizeof *j);
    int rc = j ? whole_begin(s, j) : -ENOMEM;
    if (rc < 0) {
        if (j)
            diff_free(j->d);
        free(j);
        p->err = rc;
        fail(s, rc, "diff: %s", map_strerror(rc));
        return;
    }
    p->running = true;
    job_start(s, &whole_job, j, "the comparison");
}

void diffpair_line(const Session *s, char *buf, size_t n)
{
    const DiffPair *p = s->diff;
    const DiffSummary *m = &p->sum;
    char b[32], r[32], t[32], sh[48] = "";
    parse_fmt_size(m->bytes, b, sizeof b);
    parse_fmt_size(m->bytes_read, r, sizeof r);
    parse_fmt_ns(m->ns, t, sizeof t);
    if (p->shift)
        snprintf(sh, sizeof sh, "B shifted %s0x%" PRIx64 " · ", p->shift < 0 ? "-" : "+",
                 p->shift < 0 ? -(uint64_t)p->shift : (uint64_t)p->shift);
    if (p->err) {
        snprintf(buf, n, "%sdiff failed: %s (:diff tries again)", sh, map_strerror(p->err));
        return;
    }
    if (p->done && m->ranges == 0) {
        snprintf(buf, n, "%sidentical (read %s, %s)", sh, r, t);
        return;
    }
    size_t k = (size_t)snprintf(buf, n, "%s%" PRIu64 " difference%s, %s", sh, m->ranges,
                                m->ranges == 1 ? "" : "s", b);
    if (k < n && m->ranges)
        k += (size_t)snprintf(buf + k, n - k, ", first 0x%" PRIx64 " last 0x%" PRIx64, m->first,
                              m->last - 1);
    if (k >= n)
        return;
    if (p->done)
        snprintf(buf + k, n - k, " · read %s, %s (. , next/prev)", r, t);
    else
        snprintf(buf + k, n - k, " so far · %.0f%% %s (%s)",
                 m->total ? 100.0 * (double)m->done / (double)m->total : 100.0,
                 p->stopped ? "stopped, :diff starts it again" : "comparing, Esc stops", r);
}

/* ---- next and previous difference ----------------------------------------------- */

typedef struct NavJob {
    Diff *d;
    bool back;
    int64_t from; /* A's position the search started from */
    bool again;   /* the first answer was the difference under the cursor */
    DiffOpts o;   /* for the second search */
    uint64_t t0;  /* when it started */
} NavJob;

bool diffpair_differs(Doc *a, Doc *b, int64_t shift, int64_t pos)
{
    int64_t bp = pos + shift;
    uint8_t x, y;
    if (pos < 0 || bp < 0) /* before one file's start: not compared (diff.h) */
        return false;
    bool ha = (uint64_t)pos < doc_size(a), hb = (uint64_t)bp < doc_size(b);
    if (!ha || !hb)
        return ha != hb;
    if (doc_read(a, (uint64_t)pos, &x, 1) < 0 || doc_read(b, (uint64_t)bp, &y, 1) < 0)
        return false;
    return x != y;
}

static bool differs_at(Session *s, int64_t pos)
{
    return diffpair_differs(s->pane.doc, s->pane2->doc, s->diff->shift, pos);
}

static int nav_step(Session *s, void *st, uint64_t budget_ns)
{
    NavJob *j = st;
    int rc = diff_step(j->d, budget_ns);
    if (rc != DIFF_DONE)
        return rc;
    DiffRange r;
    if (j->again || !diff_found(j->d, &r))
        return 1;
    /* Forward: an answer at the cursor is the difference the cursor is in;
     * backward: one reaching the cursor whose byte differs too. Look past
     * it, once. */
    bool inside = session_size(s) > 0 && /* an empty file's cursor is on no byte */
                  (j->back ? r.off + r.len == (uint64_t)j->from && differs_at(s, j->from)
                           : r.off == (uint64_t)j->from);
    if (!inside)
        return 1;
    diff_free(j->d);
    j->d = NULL;
    j->again = true;
    j->o.from = j->back ? r.off : r.off + r.len;
    rc = diff_start(&j->d, s->pane.doc, s->pane2->doc, &j->o);
    return rc < 0 ? rc : 0;
}

static void nav_progress(Session *s, void *st)
{
    NavJob *j = st;
    DiffSummary m;
    char r[32];
    if (!j->d)
        return;
    diff_summary(j->d, &m);
    parse_fmt_size(m.bytes_read, r, sizeof r);
    note(s, "looking for a difference: %.0f%% (%s read), Esc cancels",
         m.total ? 100.0 * (double)m.done / (double)m.total : 100.0, r);
    say_ignored(s);
}

static int nav_finish(Session *s, void *st, int rc)
{
    NavJob *j = st;
    DiffRange r;
    bool found = rc == 1 && j->d && diff_found(j->d, &r);
    bool back = j->back;
    uint64_t ns = sys_now_ns() - j->t0;
    diff_free(j->d);
    free(j);
    if (rc == -MMH_ETRUNC)
        return core_error(s, rc, "diff");
    if (rc < 0)
        return fail(s, rc, "diff: %s", map_strerror(rc));
    if (!found)
        return fail(s, -ENOENT, "no difference %s here", back ? "before" : "after");
    /* The focused side shows it when it has the byte; else the other. */
    int64_t off = (int64_t)r.off + (s->cur == &s->pane ? 0 : s->diff->shift);
    if (off < 0 || (uint64_t)off >= session_size(s)) {
        session_focus(s, diffpair_other(s));
        off = (int64_t)r.off + (s->cur == &s->pane ? 0 : s->diff->shift);
    }
    char t[32];
    parse_fmt_ns(ns, t, sizeof t);
    session_jump(s, (uint64_t)off);
    say(s, false, "difference at 0x%" PRIx64 ": %" PRIu64 " byte%s (%s)", (uint64_t)off, r.len,
        r.len == 1 ? "" : "s", t);
    return 0;
}

static void nav_cancel(Session *s, void *st)
{
    NavJob *j = st;
    diff_free(j->d);
    free(j);
    say(s, false, "looking for a difference: cancelled; the cursor stays");
}

static const JobType nav_job = {
    .name = "diffnext",
    .holds_keys = true,
    .first_slice = true,
    .step = nav_step,
    .progress = nav_progress,
    .finish = nav_finish,
    .cancel = nav_cancel,
};

static int c_nav(Session *s, int back)
{
    const char *cmd = back ? "diffprev" : "diffnext";
    if (!s->diff)
        return no_pair(s, cmd);
    if (job_find(s, &nav_job))
        return fail(s, -EBUSY, "%s: already looking (Esc cancels)", cmd);
    NavJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "%s: out of memory", cmd);
    int64_t pos = diffpair_to_pos(s, s->cur, s->view->cursor);
    uint64_t lo, pair_hi, hi;
    diff_span(doc_size(s->pane.doc), doc_size(s->pane2->doc), s->diff->shift, &lo, &pair_hi, &hi);
    if (pos < (int64_t)lo)
        pos = (int64_t)lo;
    j->back = back;
    j->from = pos;
    j->t0 = sys_now_ns();
    j->o = (DiffOpts){
        .mode = DIFF_FIRST, .shift = s->diff->shift, .from = (uint64_t)pos, .backward = back};
    int rc = diff_start(&j->d, s->pane.doc, s->pane2->doc, &j->o);
    if (rc < 0) {
        free(j);
        return fail(s, rc, "%s: %s", cmd, map_strerror(rc));
    }
    return job_start(s, &nav_job, j, "the look for a difference");
}

/* ---- side, shift, summary ---------------------------------------------------------- */

static int c_side(Session *s, int opt)
{
    (void)opt;
    if (!s->diff)
        return no_pair(s, "diffside");
    if (s->cur->editing)
        return fail(s, -EBUSY, "diffside: leave edit mode first (Esc)");
    doc_snapshot(s->doc);
    s->view->sel_on = false;
    session_focus(s, diffpair_other(s));
    note(s, "the keys go to %s (%s)", s->cur->label, map_path(doc_map(s->doc)));
    return 0;
}

static int c_shift(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    if (!s->diff)
        return no_pair(s, "diffshift");
    int64_t v;
    const char *err = "give a byte count";
    if (!*arg || parse_signed(arg, &v, &err) < 0)
        return fail(s, -EINVAL, "diffshift %s: %s (B's byte for A's x is x + N; 0 aligns)", arg,
                    err);
    s->diff->shift = v;
    diffpair_restart(s);
    if (v)
        say(s, false, "B shifted by %s0x%" PRIx64 ": A's byte x faces B's byte x%s0x%" PRIx64,
            v < 0 ? "-" : "+", v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0 ? "-" : "+",
            v < 0 ? -(uint64_t)v : (uint64_t)v);
    else
        say(s, false, "B aligned with A again");
    return 0;
}

static int c_list(Session *s, int opt)
{
    (void)opt;
    if (!s->diff)
        return no_pair(s, "difflist");
    if (s->batch)
        return fail(s, -EINVAL,
                    "difflist: the list needs a terminal (mmhex --cmp A B prints them)");
    int rc = diff_list_open(s);
    if (rc == 1)
        return fail(s, -ENOENT, "difflist: the files are the same");
    return rc;
}

static int c_diff(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!s->diff)
        return no_pair(s, "diff");
    if (!s->diff->running)
        diffpair_restart(s);
    char line[300];
    diffpair_line(s, line, sizeof line);
    say(s, false, "%s", line);
    return 0;
}

/* ---- realigning after an insertion -------------------------------------------------------- */

#define ALIGN_NEEDLE 32         /* bytes looked for on the other side */
#define ALIGN_WINDOW (1u << 20) /* how far either way they are looked for */

/* Where needle (n bytes) occurs in d nearest to want, within ALIGN_WINDOW
 * either way: 0 with *at, -ENOENT, or -errno. */
static int nearest(Doc *d, const uint8_t *needle, size_t n, int64_t want, int64_t *at)
{
    int64_t size = (int64_t)doc_size(d), lo = want - (int64_t)ALIGN_WINDOW;
    int64_t hi = want + (int64_t)ALIGN_WINDOW + (int64_t)n;
    if (lo < 0)
        lo = 0;
    if (hi > size)
        hi = size;
    if (hi - lo < (int64_t)n)
        return -ENOENT;
    uint8_t *buf = malloc((size_t)(hi - lo));
    if (!buf)
        return -ENOMEM;
    int rc = doc_read(d, (uint64_t)lo, buf, (size_t)(hi - lo));
    int64_t best = -1;
    for (const uint8_t *p = buf; rc == 0;) {
        size_t left = (size_t)(buf + (hi - lo) - p);
        const uint8_t *q = memmem(p, left, needle, n);
        if (!q)
            break;
        int64_t y = lo + (q - buf);
        if (best < 0 || llabs(y - want) < llabs(best - want))
            best = y;
        if (y > want)
            break; /* later ones are farther */
        p = q + 1;
    }
    free(buf);
    if (rc < 0)
        return rc;
    if (best < 0)
        return -ENOENT;
    *at = best;
    return 0;
}

/* The bytes of d at off as a needle: n bytes (fewer at the end), 0 when
 * they are all one value (they would match anywhere). */
static size_t needle_at(Doc *d, int64_t off, uint8_t *buf)
{
    int64_t size = (int64_t)doc_size(d);
    if (off < 0 || off >= size)
        return 0;
    size_t n = size - off < ALIGN_NEEDLE ? (size_t)(size - off) : ALIGN_NEEDLE;
    if (n < 4 || doc_read(d, (uint64_t)off, buf, n) < 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (buf[i] != buf[0])
            return n;
    return 0;
}

/* diffalign: a new shift so that the bytes at the cursor face their twins
 * again after an insertion or a deletion: A's next bytes looked for in B
 * (bytes inserted in B), and B's in A (bytes deleted from B), each within
 * ALIGN_WINDOW of where they face now; the nearer wins. */
static int c_align(Session *s, int opt)
{
    (void)opt;
    if (!s->diff)
        return no_pair(s, "diffalign");
    int64_t pos = diffpair_to_pos(s, s->cur, s->view->cursor), sh = s->diff->shift;
    uint8_t na[ALIGN_NEEDLE], nb[ALIGN_NEEDLE];
    size_t ka = needle_at(s->pane.doc, pos, na), kb = needle_at(s->pane2->doc, pos + sh, nb);
    if (!ka && !kb)
        return fail(s, -EINVAL,
                    "diffalign: the bytes at the cursor repeat one value: move to "
                    "distinctive ones");
    int64_t ya = 0, yb = 0, best = 0;
    bool fa = ka && nearest(s->pane2->doc, na, ka, pos + sh, &ya) == 0;
    bool fb = kb && nearest(s->pane.doc, nb, kb, pos, &yb) == 0;
    if (!fa && !fb)
        return fail(s, -ENOENT,
                    "diffalign: the bytes at the cursor are in neither file within %u MiB of here",
                    ALIGN_WINDOW >> 20);
    /* A's bytes found at B's ya: shift ya - pos; B's found at A's yb: the
     * byte of B at pos + sh faces A's yb, so shift pos + sh - yb. */
    int64_t sa = ya - pos, sb = pos + sh - yb;
    if (fa && (!fb || llabs(sa - sh) <= llabs(sb - sh)))
        best = sa;
    else
        best = sb;
    if (best == sh)
        return fail(s, -EALREADY, "diffalign: the bytes here already face their twins");
    int64_t was = sh;
    s->diff->shift = best;
    diffpair_restart(s);
    int64_t d = best - was;
    say(s, false,
        "realigned: B shifted %s0x%" PRIx64 ": %" PRIu64 " byte%s %s B here (bytes before may "
        "no longer face theirs)",
        best < 0 ? "-" : "+", best < 0 ? -(uint64_t)best : (uint64_t)best,
        d < 0 ? -(uint64_t)d : (uint64_t)d, d == 1 || d == -1 ? "" : "s",
        d > 0 ? "inserted in" : "missing from");
    return 0;
}

/* ---- copying across ------------------------------------------------------------------ */

/* The run of differing positions around pos, within COPY_MAX each way:
 * [*lo, *hi). -ENOENT when pos does not differ, -EFBIG when the run goes
 * on past COPY_MAX. */
static int run_at(Session *s, int64_t pos, int64_t *lo, int64_t *hi)
{
    if (!differs_at(s, pos))
        return -ENOENT;
    int64_t a = pos, b = pos + 1;
    /* Byte by byte through doc_read would be slow for a long run: a block
     * at a time, compared with diff_first_diff/diff_first_same. */
    static const int64_t B = COPY_BLOCK;
    uint8_t *x = malloc(2 * (size_t)B), *y = x ? x + B : NULL;
    if (!x)
        return -ENOMEM;
    int rc = 0;
    {
        int64_t sa = (int64_t)doc_size(s->pane.doc), sb = (int64_t)doc_size(s->pane2->doc);
        int64_t end = sa < sb - s->diff->shift ? sa : sb - s->diff->shift;
        if (a > end) /* in the tail: it differs back to where both have bytes */
            a = end > pos - (int64_t)COPY_MAX ? end : pos - (int64_t)COPY_MAX;
    }
    while (b - pos < (int64_t)COPY_MAX) { /* forward */
        int64_t n = B;
        int64_t sa = (int64_t)doc_size(s->pane.doc), sb = (int64_t)doc_size(s->pane2->doc);
        int64_t sh = s->diff->shift;
        /* positions where both have bytes */
        int64_t end = sa < sb - sh ? sa : sb - sh;
        if (b >= end) { /* the tail: one side only, all of it differs */
            int64_t far = sa > sb - sh ? sa : sb - sh;
            b = far - pos > (int64_t)COPY_MAX ? pos + (int64_t)COPY_MAX : far;
            break;
        }
        if (n > end - b)
            n = end - b;
        if (doc_read(s->pane.doc, (uint64_t)b, x, (size_t)n) < 0 ||
            doc_read(s->pane2->doc, (uint64_t)(b + sh), y, (size_t)n) < 0) {
            rc = -EIO;
            break;
        }
        size_t k = diff_first_same(x, y, 0, (size_t)n);
        b += (int64_t)k;
        if (k < (size_t)n)
            break;
    }
    while (rc == 0 && pos - a < (int64_t)COPY_MAX) {           /* backward */
        int64_t sh = s->diff->shift, first = sh < 0 ? -sh : 0; /* both have bytes from here */
        if (a <= first)
            break;
        int64_t n = a - first < B ? a - first : B;
        if (doc_read(s->pane.doc, (uint64_t)(a - n), x, (size_t)n) < 0 ||
            doc_read(s->pane2->doc, (uint64_t)(a - n + sh), y, (size_t)n) < 0) {
            rc = -EIO;
            break;
        }
        int64_t i = n;
        while (i > 0 && x[i - 1] != y[i - 1])
            i--;
        a -= n - i;
        if (i > 0)
            break;
    }
    free(x);
    if (rc < 0)
        return rc;
    if (b - pos >= (int64_t)COPY_MAX || pos - a >= (int64_t)COPY_MAX)
        return -EFBIG;
    *lo = a;
    *hi = b;
    return 0;
}

/* Copy A's positions [lo, hi) from src to dst (panes), clipped to both
 * files; *copied, *left: bytes put, and bytes with no place (past an end). */
static int copy_span(Session *s, Pane *src, Pane *dst, int64_t lo, int64_t hi, uint64_t *copied,
                     uint64_t *left)
{
    int64_t ds = -to_pos_delta(s, src), dd = -to_pos_delta(s, dst);
    int64_t ss = (int64_t)doc_size(src->doc), sd = (int64_t)doc_size(dst->doc);
    int64_t a = lo, b = hi;
    if (a + ds < 0) /* a position before a file's start has no byte there */
        a = -ds;
    if (a + dd < 0)
        a = -dd;
    if (b + ds > ss)
        b = ss - ds;
    if (b + dd > sd)
        b = sd - dd;
    *copied = 0;
    *left = (uint64_t)(hi - lo) - (b > a ? (uint64_t)(b - a) : 0);
    if (b <= a)
        return 0;
    uint8_t *buf = malloc(COPY_BLOCK);
    if (!buf)
        return -ENOMEM;
    int rc = 0;
    doc_snapshot(dst->doc); /* the copy is one undo step of its own */
    for (int64_t at = a; at < b && rc == 0;) {
        size_t n = b - at < COPY_BLOCK ? (size_t)(b - at) : COPY_BLOCK;
        rc = doc_read(src->doc, (uint64_t)(at + ds), buf, n);
        if (rc == 0)
            rc = doc_put(dst->doc, (uint64_t)(at + dd), buf, n);
        if (rc == 0)
            *copied += n;
        at += (int64_t)n;
    }
    doc_snapshot(dst->doc);
    free(buf);
    return rc;
}

/* diffget (opt 0): the other side's bytes into the focused one; diffput
 * (opt 1): the focused side's into the other. */
static int c_copy(Session *s, int put)
{
    const char *cmd = put ? "diffput" : "diffget";
    if (!s->diff)
        return no_pair(s, cmd);
    int rc = refuse_while_busy(s);
    if (rc < 0)
        return rc;
    Pane *src = put ? s->cur : diffpair_other(s), *dst = put ? diffpair_other(s) : s->cur;
    if (!doc_editable(dst->doc))
        return fail(s, -EROFS, "%s: %s is read-only (open with -c or -s to edit)", cmd, dst->label);
    int64_t lo, hi;
    const View *v = s->view;
    if (v->sel_on) {
        uint64_t a = v->sel_anchor < v->cursor ? v->sel_anchor : v->cursor;
        uint64_t b = v->sel_anchor < v->cursor ? v->cursor : v->sel_anchor;
        lo = diffpair_to_pos(s, s->cur, a);
        hi = diffpair_to_pos(s, s->cur, b) + 1;
        if ((uint64_t)(hi - lo) > COPY_MAX)
            return fail(s, -EFBIG, "%s: the selection is larger than %u MiB", cmd, COPY_MAX >> 20);
    } else {
        rc = run_at(s, diffpair_to_pos(s, s->cur, v->cursor), &lo, &hi);
        if (rc == -ENOENT)
            return fail(s, rc, "%s: the bytes under the cursor are the same (select a range: v)",
                        cmd);
        if (rc == -EFBIG)
            return fail(s, rc, "%s: this difference runs past %u MiB: select the part to copy (v)",
                        cmd, COPY_MAX >> 20);
        if (rc < 0)
            return fail(s, rc, "%s: %s", cmd, map_strerror(rc));
    }
    uint64_t copied, left;
    rc = copy_span(s, src, dst, lo, hi, &copied, &left);
    if (rc < 0)
        return core_error(s, rc, cmd);
    if (copied == 0)
        return fail(s, -ERANGE, "%s: nothing copied: those bytes lie past the end of %s or %s", cmd,
                    src->label, dst->label);
    s->view->sel_on = false;
    char extra[96] = "";
    if (left)
        snprintf(extra, sizeof extra, "; %" PRIu64 " past an end not copied (sizes never change)",
                 left);
    if (put)
        say(s, false,
            "%s: %" PRIu64 " byte%s copied to %s%s (unwritten there: Ctrl-W, then w or u)", cmd,
            copied, copied == 1 ? "" : "s", dst->label, extra);
    else
        say(s, false, "%s: %" PRIu64 " byte%s copied from %s%s (u undoes, w writes)", cmd, copied,
            copied == 1 ? "" : "s", src->label, extra);
    return 0;
}

/* ---- opening a pair --------------------------------------------------------------------- */

int cmd_diff_open(Session *s, Doc *b)
{
    Pane *p = calloc(1, sizeof *p);
    DiffPair *dp = calloc(1, sizeof *dp);
    if (!p || !dp) {
        free(p);
        free(dp);
        doc_close(b);
        return -ENOMEM;
    }
    p->doc = b;
    p->view.bpr_fixed = s->pane.view.bpr_fixed;
    p->label = "B";
    s->pane.label = "A";
    s->pane2 = p;
    s->diff = dp;
    int rc = diff_screen_install(s);
    if (rc < 0)
        return rc;
    diffpair_restart(s);
    return 0;
}

static const CmdDef cmds[] = {
    {"diff", c_diff, .help = "the comparison's summary (starts it again when stopped)"},
    {"diffnext", .act = c_nav, .opt = 0, .help = "the next difference (of two files)"},
    {"diffprev", .act = c_nav, .opt = 1, .help = "the previous difference"},
    {"difflist", .act = c_list,
     .help = "every difference as a list (Enter jumps, c stops the count, q leaves)"},
    {"diffside", .act = c_side, .help = "the keys to the other file"},
    {"diffshift", c_shift, .usage = "diffshift N",
     .help = "B's byte for A's x is x + N (N may be negative; 0 aligns)"},
    {"diffalign", .act = c_align,
     .help = "realign after an insertion: a shift so the bytes at the cursor face their twins"},
    {"diffget", .act = c_copy, .opt = 0,
     .help = "copy the other file's bytes of this difference (or the selection) here"},
    {"diffput", .act = c_copy, .opt = 1,
     .help = "copy this file's bytes of this difference (or the selection) to the other"},
};

CMD_FAMILY(diff, cmds);
