/*
 * rlist: a bounded window onto a long list, and its count (see rlist.h).
 *
 * The window is a ring of cap items, contiguous in the list: items
 * [first, first + n) when their indices are known. Invariants, between
 * calls: sel < n (0 when n is 0); at_start means the window's first item is
 * the list's first (or the list is empty), at_end the same for the last;
 * attached means the counter's last item is the window's last, so the
 * counter's next item is the window's next (the window then grows from the
 * counter, or slides when the cursor is near its end, and detaches when it
 * is full and the cursor far from its end). A refill never drops items
 * within margin of the cursor; a refill is asked for only within margin of
 * an end, and cap >= 4 margin, so a refill always has room to add at least
 * 2 margin items, and one that stopped for lack of room leaves the cursor
 * farther than margin from that end (no refill loop).
 */
#include "config.h"

#include "rlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

typedef struct Scan {
    void *scan;    /* the source's scan, NULL: none */
    bool backward; /* its direction */
    size_t added;  /* items a refill has put in the window */
} Scan;

struct RList {
    const RlSource *src; /* where the items come from */
    void *ctx;           /* its state */
    RlItem *ring;        /* the window: cap items, n of them from head */
    size_t cap, head, n; /* ring size, first item's slot, items held */
    size_t margin;       /* items kept around the cursor */
    size_t sel;          /* the cursor, a window index */
    bool at_start;       /* ring[head] is the list's first item */
    bool at_end;         /* the last item held is the list's last */
    bool attached;       /* the counter feeds the window's end */
    bool idx_known;      /* first_idx holds the first item's index */
    uint64_t first_idx;  /* its index in the list */
    Scan counter;        /* the counter, while it runs */
    uint64_t count;      /* items it has seen */
    RlCountState cstate; /* how the count stands */
    RlProgress cprog;    /* its progress when it stopped */
    Scan refill;         /* the refill, while it runs */
    int err;             /* the last error of a scan */
};

static const RlItem *at(const RList *l, size_t i)
{
    return &l->ring[(l->head + i) % l->cap];
}

/* ---- the window ------------------------------------------------------------ */

static void drop_front(RList *l)
{
    l->head = (l->head + 1) % l->cap;
    l->n--;
    l->sel--;
    l->at_start = false;
    if (l->idx_known)
        l->first_idx++;
}

static void drop_back(RList *l)
{
    l->n--;
    l->at_end = false;
    l->attached = false;
}

/* Room for one more item at the back (front: false), dropping one from the
 * other end if the window is full and the cursor is far enough from it. */
static bool room(RList *l, bool back)
{
    if (l->n < l->cap)
        return true;
    if (back && l->sel > l->margin) {
        drop_front(l);
        return true;
    }
    if (!back && l->n - 1 - l->sel > l->margin) {
        drop_back(l);
        return true;
    }
    return false;
}

static void append(RList *l, const RlItem *it)
{
    l->ring[(l->head + l->n) % l->cap] = *it;
    l->n++;
}

static void prepend(RList *l, const RlItem *it)
{
    l->head = (l->head + l->cap - 1) % l->cap;
    l->ring[l->head] = *it;
    if (l->n++ > 0)
        l->sel++; /* the cursor stays on its item */
    if (l->idx_known && l->first_idx > 0)
        l->first_idx--;
    else
        l->idx_known = false;
}

/* Learn the indices from what the window knows. */
static void sync_index(RList *l)
{
    if (l->idx_known)
        return;
    if (l->at_start) {
        l->first_idx = 0;
        l->idx_known = true;
    } else if (l->at_end && l->cstate == RL_COUNTED && l->count >= l->n) {
        l->first_idx = l->count - l->n;
        l->idx_known = true;
    }
}

/* ---- scans ------------------------------------------------------------------ */

static void close_scan(RList *l, Scan *sc)
{
    if (sc->scan)
        l->src->close(l->ctx, sc->scan);
    sc->scan = NULL;
}

static void start_refill(RList *l, bool backward, uint64_t from)
{
    close_scan(l, &l->refill);
    void *scan = NULL;
    int rc = l->src->open(l->ctx, backward, from, &scan);
    if (rc < 0) {
        l->err = rc;
        return;
    }
    l->refill = (Scan){.scan = scan, .backward = backward};
}

/* Ask for a refill where the cursor is near an end that is not the list's. */
static void want(RList *l)
{
    if (l->refill.scan || l->err) /* an error waits for the next move */
        return;
    if (!l->at_end && l->sel + l->margin >= l->n && !(l->attached && l->cstate == RL_COUNTING)) {
        start_refill(l, false, l->n ? at(l, l->n - 1)->off + 1 : 0);
        return;
    }
    if (!l->at_start && l->sel < l->margin)
        start_refill(l, true, l->n ? at(l, 0)->off : UINT64_MAX);
}

/* A refill's item: false when it is done (enough items, or no room). */
static bool refill_item(RList *l, const RlItem *it)
{
    Scan *sc = &l->refill;
    if (!room(l, !sc->backward))
        return false;
    if (sc->backward)
        prepend(l, it);
    else
        append(l, it);
    return ++sc->added < l->cap / 2;
}

static void refill_end(RList *l)
{
    if (l->refill.backward)
        l->at_start = true;
    else
        l->at_end = true;
}

/* The counter's item: counted, and into the window while attached. */
static void counter_item(RList *l, const RlItem *it)
{
    l->count++;
    if (!l->attached)
        return;
    if (l->n == l->cap && l->sel + l->margin < l->n) {
        l->attached = false; /* the cursor is far from the end: stop following */
        return;
    }
    if (room(l, true))
        append(l, it);
    else
        l->attached = false;
}

static void counter_stop(RList *l, RlCountState st)
{
    if (l->counter.scan && l->src->progress)
        l->src->progress(l->ctx, l->counter.scan, &l->cprog);
    close_scan(l, &l->counter);
    if (st == RL_COUNTED && l->attached)
        l->at_end = true;
    if (st == RL_COUNTED && l->cprog.total)
        l->cprog.done = l->cprog.total;
    l->attached = false;
    l->cstate = st;
}

/* Run scan sc until deadline (once at least): true if anything changed. */
static bool run(RList *l, Scan *sc, uint64_t t0, uint64_t budget)
{
    bool changed = false;
    do {
        RlItem it;
        uint64_t spent = sys_now_ns() - t0;
        int rc = l->src->next(l->ctx, sc->scan, budget > spent ? budget - spent : 0, &it);
        if (rc == RL_MORE)
            continue;
        changed = true;
        if (sc == &l->counter) {
            if (rc == RL_ITEM) {
                counter_item(l, &it);
                continue;
            }
            if (rc < 0)
                l->err = rc;
            counter_stop(l, rc == RL_END ? RL_COUNTED : RL_FAILED);
            return true;
        }
        if (rc == RL_ITEM && refill_item(l, &it))
            continue;
        if (rc == RL_END)
            refill_end(l);
        if (rc < 0)
            l->err = rc;
        close_scan(l, sc);
        return true;
    } while (sys_now_ns() - t0 < budget);
    return changed;
}

/* ---- the API ------------------------------------------------------------------ */

int rlist_new(RList **out, const RlSource *src, void *ctx, size_t cap, size_t margin)
{
    *out = NULL;
    if (!src || !src->open || !src->next || !src->close || cap < 4)
        return -EINVAL;
    RList *l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    l->ring = calloc(cap, sizeof *l->ring);
    if (!l->ring) {
        free(l);
        return -ENOMEM;
    }
    l->src = src;
    l->ctx = ctx;
    l->cap = cap;
    l->margin = margin < 1 ? 1 : margin > cap / 4 ? cap / 4 : margin;
    l->at_start = l->attached = l->idx_known = true;
    int rc = src->open(ctx, false, 0, &l->counter.scan);
    if (rc < 0) {
        rlist_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

void rlist_free(RList *l)
{
    if (!l)
        return;
    close_scan(l, &l->refill);
    close_scan(l, &l->counter);
    free(l->ring);
    free(l);
}

bool rlist_step(RList *l, uint64_t budget_ns)
{
    uint64_t t0 = sys_now_ns();
    bool changed = false;
    want(l);
    if (l->refill.scan) /* the user waits for it: two thirds of the time */
        changed |= run(l, &l->refill, t0, l->counter.scan ? budget_ns / 3 * 2 : budget_ns);
    if (l->counter.scan)
        changed |= run(l, &l->counter, t0, budget_ns);
    sync_index(l);
    want(l);
    return changed;
}

bool rlist_busy(const RList *l)
{
    return l->counter.scan || l->refill.scan;
}

void rlist_cancel(RList *l)
{
    if (l->counter.scan)
        counter_stop(l, RL_CANCELLED);
    want(l);
}

uint64_t rlist_count(const RList *l)
{
    return l->count;
}

RlCountState rlist_count_state(const RList *l)
{
    return l->cstate;
}

void rlist_count_progress(const RList *l, RlProgress *out)
{
    *out = l->cprog;
    if (l->counter.scan && l->src->progress)
        l->src->progress(l->ctx, l->counter.scan, out);
}

int rlist_error(const RList *l)
{
    return l->err;
}

size_t rlist_len(const RList *l)
{
    return l->n;
}

const RlItem *rlist_item(const RList *l, size_t i)
{
    return i < l->n ? at(l, i) : NULL;
}

bool rlist_index(const RList *l, size_t i, uint64_t *idx)
{
    if (!l->idx_known || i >= l->n)
        return false;
    *idx = l->first_idx + i;
    return true;
}

bool rlist_at_start(const RList *l)
{
    return l->at_start;
}

bool rlist_at_end(const RList *l)
{
    return l->at_end;
}

bool rlist_loading(const RList *l)
{
    return l->refill.scan != NULL;
}

size_t rlist_sel(const RList *l)
{
    return l->sel;
}

void rlist_move(RList *l, int64_t delta)
{
    if (delta < 0)
        l->sel = (uint64_t)-delta > l->sel ? 0 : l->sel - (size_t)-delta;
    else if (l->n)
        l->sel = (uint64_t)delta >= l->n - l->sel ? l->n - 1 : l->sel + (size_t)delta;
    l->err = 0;
    want(l);
}

/* Empty the window for a fresh start at one end. */
static void reset(RList *l)
{
    close_scan(l, &l->refill);
    l->head = l->n = l->sel = 0;
    l->attached = false;
    l->err = 0;
}

void rlist_first(RList *l)
{
    if (l->at_start) {
        l->sel = 0;
        want(l);
        return;
    }
    reset(l);
    l->at_start = l->idx_known = true;
    l->at_end = false;
    l->first_idx = 0;
    start_refill(l, false, 0);
}

void rlist_last(RList *l)
{
    if (l->at_end) {
        l->sel = l->n ? l->n - 1 : 0;
        want(l);
        return;
    }
    reset(l);
    l->at_end = true;
    l->at_start = l->idx_known = false;
    sync_index(l);
    start_refill(l, true, UINT64_MAX);
}
