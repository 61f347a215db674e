/*
 * rlist: a bounded window onto a list too long to hold (every match of a
 * search, every string of a file), and the count of the whole list.
 *
 * The items come from a source (RlSource): a steppable producer that can
 * list its items forward from an offset or backward from one, in budgeted
 * steps. An RList runs two of its scans at most: the counter, forward over
 * the whole source once, which counts the items (and fills the window while
 * it shows the head of the list), and a refill, which brings a few thousand
 * items into the window when the cursor comes near one of its ends:
 * forward from the last item's offset + 1, backward from the first item's
 * offset. The window holds at most cap items (a ring); room is made by
 * dropping items from the far end, never within margin items of the cursor.
 * So memory is cap items whatever the list's length, and work per key is
 * O(1): a key only moves the cursor and may ask for a refill, which the
 * next steps do.
 *
 * Positions: the window knows each item's index in the whole list when it
 * can (it began at the list's head, or it ends at the list's tail and the
 * count is final); a jump to the tail before the count is known (rlist_last)
 * lists backward from the end and learns the indices when the count ends.
 *
 * Terminal-free (the core): a screen (screen-list.h) draws the window and
 * sends the keys; a job steps it.
 */
#ifndef MMH_RLIST_H
#define MMH_RLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One item of the list: a range of the document. */
typedef struct RlItem {
    uint64_t off; /* where it starts; offsets are distinct and ordered */
    uint64_t len; /* its length in bytes */
} RlItem;

/* What RlSource.next returns (or -errno). */
enum {
    RL_MORE = 0, /* the budget is spent, no item yet: call again */
    RL_ITEM = 1, /* *it holds the next item */
    RL_END = 2,  /* no more items in this direction */
};

/* How far a scan is. */
typedef struct RlProgress {
    uint64_t at;    /* the offset being looked at */
    uint64_t done;  /* work done, in the source's units (bytes) */
    uint64_t total; /* work in all, in the same units */
} RlProgress;

/* A source of items, in offset order. ctx is the source's own state
 * (given to rlist_new); a scan is one pass over it, and several may be
 * open at once (the counter and a refill). */
typedef struct RlSource {
    /* Open a scan: forward over the items with off >= from, in rising
     * order; backward over those with off < from, in falling order
     * (UINT64_MAX: from the end). 0 with *scan, or -errno. */
    int (*open)(void *ctx, bool backward, uint64_t from, void **scan);
    /* Work for about budget_ns, stopping at the next item: RL_MORE,
     * RL_ITEM (with *it), RL_END, or -errno (the scan is then given up). */
    int (*next)(void *ctx, void *scan, uint64_t budget_ns, RlItem *it);
    /* How far it is (NULL: not said). */
    void (*progress)(void *ctx, void *scan, RlProgress *out);
    /* Close it. */
    void (*close)(void *ctx, void *scan);
} RlSource;

/* How the count stands. */
typedef enum RlCountState {
    RL_COUNTING,  /* the counter runs */
    RL_COUNTED,   /* it reached the end: the count is the list's length */
    RL_CANCELLED, /* stopped by rlist_cancel: the count is a lower bound */
    RL_FAILED,    /* stopped by an error (rlist_error) */
} RlCountState;

typedef struct RList RList;

/* A list over src (ctx: its state, not owned) whose window holds at most
 * cap items (at least 4) and keeps margin items (1 .. cap/4) around the
 * cursor; opens the counter. 0, -EINVAL, -ENOMEM, or what src->open said. */
int rlist_new(RList **out, const RlSource *src, void *ctx, size_t cap, size_t margin);
/* Close its scans and free it (NULL is fine). */
void rlist_free(RList *l);

/* Advance the refill (first) and the counter by about budget_ns in all;
 * one call of each source scan at least. true when the window, the count
 * or the state changed (redraw). */
bool rlist_step(RList *l, uint64_t budget_ns);
/* Some scan runs (a job should keep stepping). */
bool rlist_busy(const RList *l);
/* Stop the counter (RL_CANCELLED); refills go on working on demand. */
void rlist_cancel(RList *l);

/* The count: items the counter has seen, and how it stands. */
uint64_t rlist_count(const RList *l);
RlCountState rlist_count_state(const RList *l);
/* The counter's progress (zeros when the source does not say). */
void rlist_count_progress(const RList *l, RlProgress *out);
/* The last error of a scan (0: none); a failed refill is retried on the
 * next move. */
int rlist_error(const RList *l);

/* The window: n items, i in [0, n), in offset order. */
size_t rlist_len(const RList *l);
const RlItem *rlist_item(const RList *l, size_t i);
/* The index of window item i in the whole list, if known. */
bool rlist_index(const RList *l, size_t i, uint64_t *idx);
/* The window holds the list's first (last) item. */
bool rlist_at_start(const RList *l);
bool rlist_at_end(const RList *l);
/* A refill runs (the window is about to grow at one end). */
bool rlist_loading(const RList *l);

/* The cursor: a window index (0 when the window is empty). Moves are
 * clamped to the window; coming within margin of an end that is not the
 * list's asks for a refill there. */
size_t rlist_sel(const RList *l);
void rlist_move(RList *l, int64_t delta);
/* To the list's first item (the window starts again from the head if it
 * does not hold it). */
void rlist_first(RList *l);
/* To the list's last item (the window lists backward from the end if it
 * does not hold it). */
void rlist_last(RList *l);

#endif
