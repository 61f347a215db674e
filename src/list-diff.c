/*
 * list-diff: every difference of two files as a list (`difflist`, key A,
 * in a diff): an RlSource over the comparison (diff.h), and the rows.
 *
 * Positions are A's (B's byte is at position + shift). A forward scan is
 * one comparison of the span from an offset on (DIFF_ALL with lo = from),
 * its ranges queued as the steps find them (a round's worth at most, so
 * memory stays bounded); a range that began before `from` (the byte
 * before it differs too) is not an item of this scan and is dropped. A
 * backward scan is a DIFF_FIRST backward comparison per item, from the
 * last item's start: whole ranges, since the byte before an item's start
 * is equal. A file that shrinks under a scan is not an error: it goes on
 * within the new sizes.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffpair.h"
#include "screen-list.h"
#include "screen.h"
#include "sys.h"

#define QUEUE_MAX 65536     /* ranges a forward scan holds at most */
#define ROW_BYTES 8         /* bytes of each side a row shows */
#define RANGES_PER_PART 256 /* a round's ranges per thread: the queue holds 256 threads' */
#define BACK_WINDOW 65536   /* a backward item's reads: new buffers each time, so small */

typedef struct DiffList {
    Doc *a, *b;    /* the two documents */
    int64_t shift; /* B's offset = A's + shift, as when the list opened */
} DiffList;

typedef struct DiffScan {
    DiffList *l;
    Diff *d;       /* the comparison; NULL: ended */
    bool backward; /* which way */
    uint64_t from; /* forward: drop a range at from that began before it;
                      backward: the next comparison looks below it */
    bool first;    /* forward: no range taken yet */
    DiffRange *q;  /* forward: ranges found, not yet handed out */
    size_t qh, qn; /* the queue's head and length */
    bool full;     /* the queue filled: the comparison waits */
} DiffScan;

static int take(const DiffRange *r, void *ctx)
{
    DiffScan *sc = ctx;
    if (sc->first) {
        sc->first = false;
        if (r->off == sc->from && sc->from > 0 &&
            diffpair_differs(sc->l->a, sc->l->b, sc->l->shift, (int64_t)sc->from - 1))
            return 0; /* the tail of a range that began before the scan */
    }
    if (sc->qn == QUEUE_MAX)
        return -ENOBUFS; /* never: a round hands out far fewer (diff.h) */
    sc->q[(sc->qh + sc->qn++) % QUEUE_MAX] = *r;
    return 0;
}

static int start(DiffScan *sc)
{
    DiffOpts o = {.shift = sc->l->shift, .max_ranges = RANGES_PER_PART};
    if (sc->backward) {
        /* A comparison per item: one thread, since starting a pool of
         * them for each of a refill's thousands of items costs more than
         * the short distance between two differences. */
        o.mode = DIFF_FIRST;
        o.backward = true;
        o.from = sc->from;
        o.threads = 1;
        o.window = BACK_WINDOW;
    } else {
        o.mode = DIFF_ALL;
        o.lo = sc->from;
        o.on_range = take;
        o.ctx = sc;
    }
    int rc = diff_start(&sc->d, sc->l->a, sc->l->b, &o);
    if (rc == -EINVAL) { /* nothing left to compare (the span ends before from) */
        sc->d = NULL;
        return 0;
    }
    return rc;
}

static int dl_open(void *ctx, bool backward, uint64_t from, void **scan)
{
    DiffList *l = ctx;
    DiffScan *sc = calloc(1, sizeof *sc);
    if (!sc)
        return -ENOMEM;
    sc->l = l;
    sc->backward = backward;
    sc->first = true;
    uint64_t lo, pair_hi, hi;
    diff_span(doc_size(l->a), doc_size(l->b), l->shift, &lo, &pair_hi, &hi);
    if (backward) {
        sc->from = from > hi ? hi : from;
        if (sc->from <= lo) {
            *scan = sc; /* empty */
            return 0;
        }
    } else {
        sc->from = from < lo ? lo : from;
        sc->q = malloc(QUEUE_MAX * sizeof *sc->q);
        if (!sc->q) {
            free(sc);
            return -ENOMEM;
        }
        if (sc->from >= hi) {
            *scan = sc;
            return 0;
        }
    }
    int rc = start(sc);
    if (rc < 0) {
        free(sc->q);
        free(sc);
        return rc;
    }
    *scan = sc;
    return 0;
}

/* Hand out the queue's head. */
static int pop(DiffScan *sc, RlItem *it)
{
    DiffRange r = sc->q[sc->qh];
    sc->qh = (sc->qh + 1) % QUEUE_MAX;
    sc->qn--;
    *it = (RlItem){r.off, r.len};
    return RL_ITEM;
}

static int dl_next(void *ctx, void *scan, uint64_t budget_ns, RlItem *it)
{
    (void)ctx;
    DiffScan *sc = scan;
    if (!sc->backward) {
        /* One round a step (a budget of 1 ns), so the queue takes at most
         * a round's ranges, until one comes or the budget is spent. */
        uint64_t t0 = sys_now_ns();
        while (!sc->qn && sc->d) {
            int rc = diff_step(sc->d, 1);
            if (rc < 0 && rc != -MMH_ETRUNC) /* a shrunk file: go on within it */
                return rc;
            if (rc == DIFF_DONE) {
                diff_free(sc->d);
                sc->d = NULL;
            }
            if (sys_now_ns() - t0 >= budget_ns)
                break;
        }
        return sc->qn ? pop(sc, it) : sc->d ? RL_MORE : RL_END;
    }
    if (!sc->d)
        return RL_END;
    int rc = diff_step(sc->d, budget_ns);
    if (rc == -MMH_ETRUNC)
        return RL_MORE;
    if (rc < 0)
        return rc;
    if (rc != DIFF_DONE)
        return RL_MORE;
    DiffRange r;
    bool found = diff_found(sc->d, &r);
    diff_free(sc->d);
    sc->d = NULL;
    if (!found)
        return RL_END;
    *it = (RlItem){r.off, r.len};
    sc->from = r.off; /* the next one lies wholly below this one's start */
    if (r.off > 0) {
        rc = start(sc);
        if (rc < 0)
            return rc;
    }
    return RL_ITEM;
}

static void dl_progress(void *ctx, void *scan, RlProgress *out)
{
    (void)ctx;
    DiffScan *sc = scan;
    *out = (RlProgress){0};
    if (!sc->d)
        return;
    DiffSummary m;
    diff_summary(sc->d, &m);
    *out = (RlProgress){.at = m.lo + m.done, .done = m.done, .total = m.total};
}

static void dl_close(void *ctx, void *scan)
{
    (void)ctx;
    DiffScan *sc = scan;
    diff_free(sc->d);
    free(sc->q);
    free(sc);
}

static const RlSource diff_src = {dl_open, dl_next, dl_progress, dl_close};

static void dl_title(Session *s, void *ctx, char *buf, size_t n)
{
    (void)s;
    DiffList *l = ctx;
    if (l->shift)
        snprintf(buf, n, "of A and B (B shifted %s0x%" PRIx64 ")", l->shift < 0 ? "-" : "+",
                 l->shift < 0 ? -(uint64_t)l->shift : (uint64_t)l->shift);
    else
        snprintf(buf, n, "of A and B");
}

/* Up to ROW_BYTES of d at off as hex from column col: returns the next
 * column. Bytes past its end show as "  ". */
static int side_bytes(Doc *d, int64_t off, uint64_t len, int cls, Grid *g, int row, int col)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t size = doc_size(d);
    size_t n = len < ROW_BYTES ? (size_t)len : ROW_BYTES;
    uint8_t buf[ROW_BYTES];
    bool ok = off >= 0 && (uint64_t)off < size;
    size_t have = ok ? (size_t)(size - (uint64_t)off < n ? size - (uint64_t)off : n) : 0;
    if (have && doc_read(d, (uint64_t)off, buf, have) < 0)
        have = 0;
    for (size_t i = 0; i < n; i++, col += 3) {
        grid_put(g, row, col, i < have ? (uint32_t)hex[buf[i] >> 4] : '-', cls);
        grid_put(g, row, col + 1, i < have ? (uint32_t)hex[buf[i] & 15] : '-', cls);
    }
    return col;
}

/* "#12  0x00001234  3 B      A 58 59 5a  B 79 78 c9" */
static void dl_row(Session *s, void *ctx, const RlItem *it, uint64_t idx, bool sel, Grid *g,
                   int row, int col)
{
    DiffList *l = ctx;
    int base = sel ? MMH_CC_SELECTED : MMH_CC_NORMAL;
    col = list_draw_index(s, g, row, col, idx, it->off, sel);
    char len[40];
    snprintf(len, sizeof len, "%" PRIu64 " B", it->len);
    grid_put_str(g, row, col + 2, g->cols, len, base, false);
    col += 14;
    col = grid_put_str(g, row, col, g->cols, "A ", base, false);
    col = side_bytes(l->a, (int64_t)it->off, it->len, sel ? base : MMH_CC_DIFF, g, row, col);
    col = grid_put_str(g, row, col + 1, g->cols, "B ", base, false);
    side_bytes(l->b, (int64_t)it->off + l->shift, it->len, sel ? base : MMH_CC_DIFF, g, row, col);
}

/* Enter: the list closes and the cursor goes to the difference, on the
 * focused side if it has the byte, else on the other. */
static unsigned dl_enter(Session *s, void *ctx, const RlItem *it)
{
    (void)ctx;
    screen_pop(s);
    if (!s->diff)
        return MMH_R_REDRAW;
    int64_t off = (int64_t)it->off + (s->cur == &s->pane ? 0 : s->diff->shift);
    if (off < 0 || (uint64_t)off >= session_size(s)) {
        session_focus(s, diffpair_other(s));
        off = (int64_t)it->off + (s->cur == &s->pane ? 0 : s->diff->shift);
    }
    if (off >= 0 && (uint64_t)off < session_size(s))
        session_jump(s, (uint64_t)off);
    return MMH_R_REDRAW;
}

static const ListType diff_list = {
    .name = "differences",
    .noun = "difference",
    .nouns = "differences",
    .src = &diff_src,
    .title = dl_title,
    .row = dl_row,
    .enter = dl_enter,
};

int diff_list_open(Session *s)
{
    DiffList *l = calloc(1, sizeof *l);
    if (!l)
        return fail(s, -ENOMEM, "difflist: out of memory");
    l->a = s->pane.doc;
    l->b = s->pane2->doc;
    l->shift = s->diff->shift;
    return list_open(s, &diff_list, l);
}
