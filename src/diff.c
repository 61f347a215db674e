/*
 * diff: two documents compared as a job of bounded steps (see diff.h).
 *
 * The span is cut into items, in order: HOLES (a hole on both sides, no
 * edit), SHARED (the same physical extent, or the same file), CMP (bytes to
 * read and compare, at most a window long, each side flagged when it is a
 * hole there, so it is zero-filled instead of read) and TAIL (past the
 * paired part: one difference, nothing read). An item never crosses an
 * extent boundary of either side, an edited run's boundary or a FIEMAP
 * extent's end, so one flag per side holds for the whole item.
 *
 * A round is up to threads x part_bytes of CMP items (and the skip items
 * between them), split into contiguous parts, one per thread (part 0 on
 * the caller's thread, the rest on the workers of workpool.h, as in
 * search.c). A part compares its windows and keeps the ranges it finds,
 * merged where they touch, in a bounded array:
 *   ALL          every range; when the array is full the part stops at the
 *                start of the range it cannot keep (its cut), and the round
 *                ends there: later parts' work is dropped and redone. The
 *                next rounds are sized by the density seen (adapt), so
 *                dense differences waste little; part_bytes starts at, and
 *                grows back to, DIFF_PART_WINDOWS windows;
 *   FIRST        forward: the first range; the part stops once an equal
 *                byte follows it (cut just past that byte);
 *   backward     the first and the last range only (no cut).
 * After the join the caller walks the items in order, counting skipped
 * positions and feeding each part's ranges to a sink that merges ranges
 * touching across parts and windows, so the ranges handed on equal a
 * single thread's. A range is handed on once an equal byte (or the end)
 * follows it.
 *
 * Backward (FIRST), bands of at most a round are taken downwards from from:
 * a band is found by probing, with SEEK_DATA on both sides, whether [y - w,
 * y) holds data on either side (doubling w while it does not, then halving
 * the band that does), so a sparse file is crossed in O(log size) lseeks;
 * each band is then cut into items forward as above, and the last range in
 * it, merged with a range carried from the band above, is the answer once
 * an equal byte lies below it.
 */
#include "config.h"

#include "diff.h"

#include <errno.h>
#include <linux/fiemap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extent.h"
#include "map_private.h"
#include "sys.h"
#include "workpool.h"

#define DIFF_WINDOW (256u << 10) /* bytes per read per thread (two buffers: fits in L2) */
#define DIFF_PART_WINDOWS 16     /* windows per part per round, at most */
#define DIFF_PART_MIN 64         /* bytes per part per round, at least */
#define DIFF_RANGES 16384        /* ranges a part holds per round */
#define DIFF_THREADS_MAX 64      /* threads at most */
#define DIFF_ITEMS_SKIP 256      /* skip items a round holds besides its windows */
#define DIFF_FIEMAP_EXTENTS 64   /* extents asked per FIEMAP call */
#define DIFF_BLOCK 4096          /* memcmp block before narrowing */
#define DIFF_NONE UINT64_MAX     /* no cut */

enum { ITEM_HOLES, ITEM_SHARED, ITEM_CMP, ITEM_TAIL };

typedef struct Item {
    uint64_t lo, hi; /* positions (A's offsets) */
    int kind;        /* ITEM_* */
    bool zero_a;     /* CMP: A is a hole here: zeros, not read */
    bool zero_b;     /* and B */
    int part;        /* CMP: the part that compares it */
} Item;

/* FIEMAP's answers for one side, cached: extents [lo, hi) with their
 * physical starts, known for [from, upto). */
typedef struct FmCache {
    uint64_t from, upto; /* the span the cache answers for */
    size_t n;            /* extents held */
    struct {
        uint64_t lo, hi, phys; /* logical range, physical start */
        bool shared;           /* FIEMAP_EXTENT_SHARED and a usable address */
    } e[DIFF_FIEMAP_EXTENTS];
} FmCache;

typedef struct Side {
    Doc *d;            /* the document */
    Map *m;            /* its map */
    const SysOps *ops; /* its syscall table */
    int fd;            /* its descriptor */
    uint64_t size;     /* as the last step saw it */
    bool overlay;      /* copy mode: lay the journal's edits over what is read */
    ExtentIter ext;    /* data and holes */
    FmCache fm;        /* FIEMAP */
} Side;

typedef struct Part {
    struct Diff *df;  /* the comparison */
    int i0, i1;       /* its CMP items: items[i0, i1) (skip items among them) */
    uint8_t *ba, *bb; /* buffers for A's and B's bytes */
    DiffRange *r;     /* ranges found, in order, merged where they touch */
    size_t n;         /* how many */
    uint64_t cut;     /* stopped here (DIFF_NONE: did all its items) */
    uint64_t bytes;   /* bytes read */
    int rc;           /* 0 or -errno */
} Part;

struct Diff {
    Side a, b;                   /* the two sides */
    DiffOpts o;                  /* as given, defaults filled */
    bool fiemap;                 /* ask FIEMAP (same file system, table has it) */
    bool same;                   /* the same file and no shift: all shared */
    uint64_t lo, pair_hi, hi;    /* the span (see diff_span), clipped to [o.lo, o.hi) */
    uint64_t pos;                /* forward: next position; backward: positions below */
    bool done;                   /* DONE returned */
    bool pend;                   /* a range is pending (not yet closed) */
    DiffRange pending;           /* forward: it; backward: the range carried down */
    bool found;                  /* FIRST: the answer is in found_r */
    DiffRange found_r;           /* the answer */
    DiffSummary sum;             /* as diff_summary reports it */
    int threads;                 /* parts per round at most */
    uint64_t part_bytes;         /* bytes to compare per part per round: halved
                                    after a cut round, doubled after a whole one */
    uint64_t part_max;           /* its ceiling: DIFF_PART_WINDOWS windows */
    Item *items;                 /* this round's items */
    int nitems, items_cap;       /* how many, room */
    Part part[DIFF_THREADS_MAX]; /* this round's parts */
    WorkPool *pool;              /* runs the parts of a round */
};

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* ---- word compares -------------------------------------------------------- */

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The index of the lowest-addressed nonzero byte of a nonzero word. */
static unsigned low_byte(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (unsigned)__builtin_clzll(x) / 8;
#else
    return (unsigned)__builtin_ctzll(x) / 8;
#endif
}

size_t diff_first_diff(const uint8_t *a, const uint8_t *b, size_t i, size_t n)
{
    while (i < n) {
        size_t k = n - i < DIFF_BLOCK ? n - i : DIFF_BLOCK;
        if (memcmp(a + i, b + i, k) == 0) {
            i += k;
            continue;
        }
        size_t end = i + k;
        for (; i + 8 <= end; i += 8) {
            uint64_t x = load64(a + i) ^ load64(b + i);
            if (x)
                return i + low_byte(x);
        }
        for (; i < end; i++)
            if (a[i] != b[i])
                return i;
    }
    return n;
}

size_t diff_first_same(const uint8_t *a, const uint8_t *b, size_t i, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    for (; i + 8 <= n; i += 8) {
        uint64_t x = load64(a + i) ^ load64(b + i);
        /* A zero byte of x is an equal byte. The lowest flagged byte is
         * exact (only bytes above a real zero can be flagged falsely). */
        uint64_t z = (x - ones) & ~x & highs;
        if (z)
            return i + low_byte(z);
    }
    for (; i < n; i++)
        if (a[i] == b[i])
            return i;
    return n;
}

/* ---- the span --------------------------------------------------------------- */

void diff_span(uint64_t size_a, uint64_t size_b, int64_t shift, uint64_t *lo, uint64_t *pair_hi,
               uint64_t *hi)
{
    uint64_t plo = shift < 0 ? (uint64_t)0 - (uint64_t)shift : 0;
    /* B's end in A's offsets: size_b - shift, at least plo. */
    int64_t bend_s = (int64_t)size_b - shift;
    uint64_t bend = bend_s < 0 || (uint64_t)bend_s < plo ? plo : (uint64_t)bend_s;
    *lo = plo;
    *pair_hi = max64(plo, min64(size_a, bend));
    *hi = max64(plo, max64(size_a, bend));
}

/* The span for the sizes the maps have now, clipped to the options. */
static void span(Diff *df)
{
    uint64_t lo, ph, hi;
    df->a.size = map_size(df->a.m);
    df->b.size = map_size(df->b.m);
    diff_span(df->a.size, df->b.size, df->o.shift, &lo, &ph, &hi);
    if (df->o.hi && df->o.hi < hi)
        hi = df->o.hi;
    lo = max64(lo, df->o.lo);
    if (lo > hi)
        lo = hi;
    df->lo = lo;
    df->hi = hi;
    df->pair_hi = min64(max64(ph, lo), hi);
    map_extent_iter(df->a.m, &df->a.ext);
    map_extent_iter(df->b.m, &df->b.ext);
    df->a.fm.upto = df->b.fm.upto = 0; /* the cache may be stale */
    df->a.fm.from = df->b.fm.from = 0;
}

static uint64_t b_off(const Diff *df, uint64_t x)
{
    return x + (uint64_t)df->o.shift;
}

/* ---- FIEMAP ----------------------------------------------------------------- */

/* Refill sd's cache from pos. 0, or -errno (the caller stops asking). */
static int fm_fill(Side *sd, uint64_t pos)
{
    struct {
        struct fiemap fm;
        struct fiemap_extent e[DIFF_FIEMAP_EXTENTS];
    } q;
    memset(&q, 0, sizeof q);
    q.fm.fm_start = pos;
    q.fm.fm_length = sd->size - pos;
    q.fm.fm_extent_count = DIFF_FIEMAP_EXTENTS;
    if (sd->ops->fiemap(sd->fd, &q.fm) < 0)
        return -errno;
    FmCache *c = &sd->fm;
    const uint32_t unusable = FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC |
                              FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_ENCRYPTED |
                              FIEMAP_EXTENT_NOT_ALIGNED | FIEMAP_EXTENT_DATA_INLINE |
                              FIEMAP_EXTENT_DATA_TAIL;
    uint32_t n = q.fm.fm_mapped_extents;
    if (n > DIFF_FIEMAP_EXTENTS)
        n = DIFF_FIEMAP_EXTENTS;
    c->n = 0;
    c->from = pos;
    c->upto = sd->size;
    for (uint32_t i = 0; i < n; i++) {
        const struct fiemap_extent *e = &q.e[i];
        c->e[c->n].lo = e->fe_logical;
        c->e[c->n].hi = e->fe_logical + e->fe_length;
        c->e[c->n].phys = e->fe_physical;
        c->e[c->n].shared = (e->fe_flags & FIEMAP_EXTENT_SHARED) && !(e->fe_flags & unusable);
        c->n++;
    }
    /* A full answer may have more after it: the cache answers up to its
     * last extent's end. */
    if (n == DIFF_FIEMAP_EXTENTS && !(q.e[n - 1].fe_flags & FIEMAP_EXTENT_LAST))
        c->upto = max64(pos + 1, c->e[n - 1].hi);
    return 0;
}

/* The extent of sd holding pos: 1 with its logical [*lo, *hi), physical
 * start and shared flag; 0 with *hi the next extent's start (none holds
 * pos); -errno. */
static int fm_at(Side *sd, uint64_t pos, uint64_t *lo, uint64_t *hi, uint64_t *phys, bool *shared)
{
    FmCache *c = &sd->fm;
    if (!(pos >= c->from && pos < c->upto)) {
        int rc = fm_fill(sd, pos);
        if (rc < 0)
            return rc;
    }
    uint64_t next = c->upto;
    for (size_t i = 0; i < c->n; i++) {
        if (pos >= c->e[i].lo && pos < c->e[i].hi) {
            *lo = c->e[i].lo;
            *hi = c->e[i].hi;
            *phys = c->e[i].phys;
            *shared = c->e[i].shared;
            return 1;
        }
        if (c->e[i].lo > pos && c->e[i].lo < next)
            next = c->e[i].lo;
    }
    *hi = next;
    return 0;
}

/* No dirty or writeback page in sd's [off, off+len): a FIEMAP answer there
 * tells what is read. false when it cannot be told (no cachestat). */
static bool clean(Side *sd, uint64_t off, uint64_t len)
{
    SysCacheRange r = {off, len};
    SysCacheStat cs;
    if (sd->ops->cachestat(sd->fd, &r, &cs, 0) < 0)
        return false;
    return cs.nr_dirty == 0 && cs.nr_writeback == 0;
}

/* Positions from x (both sides data there) on the same physical extent:
 * 1 with *e the end of that run (at most *e as given), 0 when x is not
 * shared (then *e is lowered to where that may change). */
static int shared_at(Diff *df, uint64_t x, uint64_t *e)
{
    uint64_t la = 0, ha = 0, pa = 0, lb = 0, hb = 0, pb = 0, xb = b_off(df, x);
    bool sa = false, sb = false;
    int ra = fm_at(&df->a, x, &la, &ha, &pa, &sa);
    int rb = ra < 0 ? ra : fm_at(&df->b, xb, &lb, &hb, &pb, &sb);
    if (ra < 0 || rb < 0) {
        df->fiemap = false; /* the file system will not say: read */
        return 0;
    }
    /* Where either answer may change, in A's offsets. */
    uint64_t end = min64(ha, hb - (uint64_t)df->o.shift);
    if (end > x)
        *e = min64(*e, end);
    if (ra == 0 || rb == 0 || !sa || !sb || pa + (x - la) != pb + (xb - lb))
        return 0;
    uint64_t len = *e - x;
    return clean(&df->a, x, len) && clean(&df->b, xb, len);
}

/* ---- items ------------------------------------------------------------------ */

/* The edited run holding pos in d's journal: true with its end; else false
 * with *next the next run's start (or UINT64_MAX). */
static bool in_run(const Side *sd, uint64_t pos, uint64_t *end, uint64_t *next)
{
    const RangeSet *runs = journal_runs(doc_journal(sd->d));
    size_t i = rangeset_find(runs, pos);
    *next = UINT64_MAX;
    if (i >= runs->n)
        return false;
    if (runs->v[i].lo <= pos) {
        *end = runs->v[i].hi;
        return true;
    }
    *next = runs->v[i].lo;
    return false;
}

/* The item starting at x (lo <= x < pair_hi), ending at most at limit. */
static int next_item(Diff *df, uint64_t x, uint64_t limit, Item *it)
{
    uint64_t s = (uint64_t)df->o.shift, xb = b_off(df, x);
    Extent ea, eb;
    int rc = extent_iter_at(&df->a.ext, x, &ea);
    if (rc == 0)
        rc = extent_iter_at(&df->b.ext, xb, &eb);
    if (rc < 0)
        return rc;
    uint64_t e = min64(limit, min64(ea.hi, eb.hi - s));
    uint64_t rend, rnext;
    bool edited = false;
    if (in_run(&df->a, x, &rend, &rnext)) {
        edited = true;
        e = min64(e, rend);
    } else {
        e = min64(e, rnext);
    }
    if (in_run(&df->b, xb, &rend, &rnext)) {
        edited = true;
        e = min64(e, rend - s);
    } else if (rnext != UINT64_MAX) {
        e = min64(e, rnext - s);
    }
    *it = (Item){x, max64(e, x + 1), ITEM_CMP, !ea.data, !eb.data, 0};
    if (edited)
        return 0;
    if (!ea.data && !eb.data) {
        it->kind = ITEM_HOLES;
    } else if (ea.data && eb.data && df->same) {
        it->kind = ITEM_SHARED;
    } else if (ea.data && eb.data && df->fiemap) {
        uint64_t e2 = it->hi;
        if (shared_at(df, x, &e2) > 0)
            it->kind = ITEM_SHARED;
        it->hi = max64(e2, x + 1);
    }
    return 0;
}

/* Cut [x, end) into this round's items, forward: CMP items a window long at
 * most, until the round's windows or items are used up. The next position
 * after the last item. */
static int build(Diff *df, uint64_t x, uint64_t end, uint64_t *next)
{
    uint64_t cmp = 0, max_cmp = (uint64_t)df->threads * df->part_bytes;
    uint64_t win = min64(df->o.window, df->part_bytes);
    df->nitems = 0;
    while (x < end && cmp < max_cmp && df->nitems < df->items_cap) {
        Item it;
        if (x >= df->pair_hi) {
            it = (Item){x, end, ITEM_TAIL, false, false, 0};
        } else {
            int rc = next_item(df, x, min64(end, df->pair_hi), &it);
            if (rc < 0)
                return rc;
            if (it.kind == ITEM_CMP) {
                it.hi = min64(it.hi, x + win);
                cmp += it.hi - it.lo;
            }
        }
        /* Merge with the item before when it is of the same kind. */
        Item *prev = df->nitems ? &df->items[df->nitems - 1] : NULL;
        if (prev && it.kind != ITEM_CMP && prev->kind == it.kind && prev->hi == it.lo)
            prev->hi = it.hi;
        else
            df->items[df->nitems++] = it;
        x = it.hi;
    }
    *next = x;
    return 0;
}

/* ---- one thread's part -------------------------------------------------------- */

/* sd's bytes [off, off+n) into buf: zeros for a hole, else read
 * (workpool_read); either way with the journal's unwritten edits laid over
 * (copy mode). A short read: the file shrank, -MMH_ETRUNC. */
static int fill(Side *sd, uint8_t *buf, uint64_t off, size_t n, bool zero, uint64_t *bytes)
{
    if (!zero)
        return workpool_read(sd->d, buf, off, n, bytes);
    memset(buf, 0, n);
    return sd->overlay ? doc_overlay(sd->d, off, buf, n) : 0;
}

/* Keep [off, off+len): false when the part must stop (pt->cut set). */
static bool keep(Part *pt, uint64_t off, uint64_t len)
{
    Diff *df = pt->df;
    if (pt->n > 0 && pt->r[pt->n - 1].off + pt->r[pt->n - 1].len == off) {
        pt->r[pt->n - 1].len += len;
        return true;
    }
    if (df->o.mode == DIFF_FIRST && df->o.backward) {
        /* The first and the last only. */
        pt->r[pt->n < 2 ? pt->n++ : 1] = (DiffRange){off, len};
        return true;
    }
    size_t cap = df->o.mode == DIFF_FIRST ? 1 : df->o.max_ranges;
    if (pt->n == cap) {
        pt->cut = off;
        return false;
    }
    pt->r[pt->n++] = (DiffRange){off, len};
    return true;
}

/* FIRST forward: the part's range is followed by an equal byte below x:
 * nothing more is needed from this part. */
static bool closed_below(Part *pt, uint64_t x)
{
    const Diff *df = pt->df;
    if (df->o.mode != DIFF_FIRST || df->o.backward || pt->n == 0)
        return false;
    uint64_t end = pt->r[0].off + pt->r[0].len;
    if (end >= x)
        return false;
    pt->cut = end + 1;
    return true;
}

/* Compare a part's items (a WorkFn). */
static void run_part(void *ctx, int part)
{
    Diff *df = ctx;
    Part *pt = &df->part[part];
    pt->n = 0;
    pt->cut = DIFF_NONE;
    pt->bytes = 0;
    pt->rc = 0;
    for (int i = pt->i0; i < pt->i1; i++) {
        const Item *it = &df->items[i];
        if (it->kind != ITEM_CMP)
            continue;
        if (closed_below(pt, it->lo))
            return;
        size_t n = (size_t)(it->hi - it->lo);
        int rc = fill(&df->a, pt->ba, it->lo, n, it->zero_a, &pt->bytes);
        if (rc == 0)
            rc = fill(&df->b, pt->bb, b_off(df, it->lo), n, it->zero_b, &pt->bytes);
        if (rc < 0) {
            pt->rc = rc;
            return;
        }
        for (size_t k = 0; k < n;) {
            size_t j = diff_first_diff(pt->ba, pt->bb, k, n);
            if (j == n)
                break;
            if (closed_below(pt, it->lo + j))
                return;
            k = diff_first_same(pt->ba, pt->bb, j + 1, n);
            if (!keep(pt, it->lo + j, k - j))
                return;
        }
        if (closed_below(pt, it->hi))
            return;
    }
}

/* Split the CMP items between parts by bytes and run them: the number of
 * parts, or -errno (the first part's error; -MMH_ETRUNC after refreshing the
 * maps). */
static int compare_items(Diff *df)
{
    uint64_t total = 0;
    for (int i = 0; i < df->nitems; i++)
        if (df->items[i].kind == ITEM_CMP)
            total += df->items[i].hi - df->items[i].lo;
    if (total == 0)
        return 0;
    int nparts = df->threads;
    uint64_t per = (total + (uint64_t)nparts - 1) / (uint64_t)nparts, acc = 0;
    int k = 0;
    df->part[0].i0 = 0;
    for (int i = 0; i < df->nitems; i++) {
        Item *it = &df->items[i];
        if (it->kind != ITEM_CMP)
            continue;
        if (acc >= per * (uint64_t)(k + 1) && k + 1 < nparts) {
            df->part[k].i1 = i;
            df->part[++k].i0 = i;
        }
        it->part = k;
        acc += it->hi - it->lo;
    }
    df->part[k].i1 = df->nitems;
    nparts = k + 1;
    workpool_run(df->pool, nparts);
    for (k = 0; k < nparts; k++) {
        df->sum.bytes_read += df->part[k].bytes;
        if (df->part[k].rc < 0) {
            int rc = df->part[k].rc;
            if (rc == -MMH_ETRUNC) { /* no thread reads the maps now */
                map_refresh(df->a.m, NULL);
                if (df->b.m != df->a.m)
                    map_refresh(df->b.m, NULL);
            }
            return rc;
        }
    }
    return nparts;
}

/* ---- forward ---------------------------------------------------------------- */

/* Hand a closed range on. */
static int emit(Diff *df, const DiffRange *r)
{
    if (df->o.mode == DIFF_FIRST && df->found)
        return 0;
    if (df->o.mode == DIFF_FIRST) {
        df->found = true;
        df->found_r = *r;
        df->done = true;
    }
    if (df->sum.ranges == 0)
        df->sum.first = r->off;
    df->sum.ranges++;
    df->sum.bytes += r->len;
    df->sum.last = r->off + r->len;
    if (df->o.mode == DIFF_ALL && df->o.on_range)
        return df->o.on_range(r, df->o.ctx);
    return 0;
}

/* A range in order: merged with the pending one if they touch, else the
 * pending one is closed. */
static int sink(Diff *df, uint64_t off, uint64_t len)
{
    if (df->pend && df->pending.off + df->pending.len == off) {
        df->pending.len += len;
        return 0;
    }
    int rc = 0;
    if (df->pend)
        rc = emit(df, &df->pending);
    df->pend = true;
    df->pending = (DiffRange){off, len};
    return rc;
}

/* The pending range is closed when an equal byte below pos follows it (or
 * the span ends at pos). */
static int settle(Diff *df)
{
    if (df->pend && (df->pending.off + df->pending.len < df->pos || df->pos >= df->hi)) {
        df->pend = false;
        return emit(df, &df->pending);
    }
    return 0;
}

/* Size the next round by the density of differences seen: a cut round
 * (dense differences) makes parts as long as half what the cut part got
 * through, so the next one is seldom cut; a round whose parts held less
 * than a quarter of their ranges doubles them. */
static void adapt(Diff *df, int nparts, uint64_t cut)
{
    size_t most = 0;
    for (int k = 0; k < nparts; k++) {
        const Part *pt = &df->part[k];
        most = pt->n > most ? pt->n : most;
        if (cut != DIFF_NONE && pt->cut == cut) {
            uint64_t got = cut - df->items[pt->i0].lo;
            df->part_bytes = max64(DIFF_PART_MIN, got / 2);
            return;
        }
    }
    if (nparts > 0 && most < df->o.max_ranges / 4)
        df->part_bytes = min64(df->part_max, df->part_bytes * 2);
}

/* One forward round: DIFF_RUNNING, DIFF_DONE or -errno. */
static int forward(Diff *df)
{
    if (df->done || df->pos >= df->hi) {
        int rc = settle(df);
        df->done = true;
        return rc < 0 ? rc : DIFF_DONE;
    }
    uint64_t next;
    int rc = build(df, df->pos, df->hi, &next);
    if (rc < 0)
        return rc;
    int nparts = compare_items(df);
    if (nparts < 0)
        return nparts;
    uint64_t cut = DIFF_NONE;
    int fed = -1; /* the last part whose ranges went to the sink */
    for (int i = 0; i < df->nitems; i++) {
        const Item *it = &df->items[i];
        if (it->lo >= cut)
            break;
        uint64_t hi = min64(it->hi, cut); /* a cut may fall inside a skip item */
        switch (it->kind) {
        case ITEM_HOLES: df->sum.holes += hi - it->lo; break;
        case ITEM_SHARED: df->sum.shared += hi - it->lo; break;
        case ITEM_TAIL: rc = sink(df, it->lo, hi - it->lo); break;
        case ITEM_CMP:
            if (it->part != fed) {
                const Part *pt = &df->part[it->part];
                fed = it->part;
                for (size_t k = 0; k < pt->n && rc == 0; k++)
                    rc = sink(df, pt->r[k].off, pt->r[k].len);
                cut = pt->cut;
            }
            break;
        }
        if (rc < 0)
            return rc;
    }
    uint64_t pos = cut != DIFF_NONE ? cut : next;
    adapt(df, nparts, cut);
    df->sum.done += pos - df->pos;
    df->pos = pos;
    rc = settle(df);
    if (rc < 0)
        return rc;
    if (df->pos >= df->hi)
        df->done = true;
    return df->done ? DIFF_DONE : DIFF_RUNNING;
}

/* ---- backward --------------------------------------------------------------- */

/* Data (or an edited run) on either side somewhere in positions [lo, hi)
 * of the paired part? */
static int any_data(Diff *df, uint64_t lo, uint64_t hi, bool *yes)
{
    uint64_t s = (uint64_t)df->o.shift, end, next;
    Extent e;
    *yes = true;
    int rc = extent_next_data(&df->a.ext, lo, &e);
    if (rc < 0)
        return rc;
    if (e.lo < hi && e.lo < df->a.size)
        return 0;
    rc = extent_next_data(&df->b.ext, lo + s, &e);
    if (rc < 0)
        return rc;
    if (e.lo < hi + s && e.lo < df->b.size)
        return 0;
    if (in_run(&df->a, lo, &end, &next) || next < hi)
        return 0;
    if (in_run(&df->b, lo + s, &end, &next) || (next != UINT64_MAX && next - s < hi))
        return 0;
    *yes = false;
    return 0;
}

/* Below y (in the paired part, above df->lo): a band [*b, *t) of at most
 * one round's bytes to compare, with [*t, y) a hole on both sides. 1 when
 * [lo, y) is all hole. */
static int band(Diff *df, uint64_t y, uint64_t *b, uint64_t *t)
{
    uint64_t lo = df->lo, R = (uint64_t)df->threads * df->part_bytes;
    uint64_t q = y - lo > R ? y - R : lo, top = y, w = R;
    bool yes;
    int rc;
    for (;;) { /* [top, y) holds no data; is there any in [q, top)? */
        rc = any_data(df, q, top, &yes);
        if (rc < 0)
            return rc;
        if (yes)
            break;
        if (q == lo)
            return 1;
        top = q;
        w = w < (UINT64_C(1) << 62) ? w * 2 : w;
        q = top - lo > w ? top - w : lo;
    }
    while (top - q > R) { /* data in [q, top): narrow to a band of R */
        uint64_t mid = q + (top - q) / 2;
        rc = any_data(df, mid, top, &yes);
        if (rc < 0)
            return rc;
        if (yes)
            q = mid;
        else
            top = mid;
    }
    *t = top;
    *b = top - lo > R ? top - R : lo;
    return 0;
}

/* The carried range is the answer. */
static int carried(Diff *df)
{
    df->pend = false;
    df->done = true;
    int rc = emit(df, &df->pending);
    return rc < 0 ? rc : DIFF_DONE;
}

/* One backward band: DIFF_RUNNING, DIFF_DONE or -errno. */
static int backward(Diff *df)
{
    if (df->done)
        return DIFF_DONE;
    uint64_t y = df->pos;
    if (y <= df->lo) {
        df->done = true;
        return df->pend ? carried(df) : DIFF_DONE;
    }
    if (y > df->pair_hi) { /* the tail: one range */
        uint64_t t = max64(df->pair_hi, df->lo);
        df->sum.done += y - t;
        df->pos = t;
        df->pend = true;
        df->pending = (DiffRange){t, y - t};
        if (t > df->lo && t == df->pair_hi)
            return DIFF_RUNNING; /* it may run on below pair_hi */
        return carried(df);
    }
    uint64_t b, t;
    int rc = band(df, y, &b, &t);
    if (rc < 0)
        return rc;
    if (rc == 1) { /* only holes below */
        df->sum.holes += y - df->lo;
        df->sum.done += y - df->lo;
        df->pos = df->lo;
        df->done = true;
        return df->pend ? carried(df) : DIFF_DONE;
    }
    df->sum.holes += y - t;
    if (t < y && df->pend)
        return carried(df);
    uint64_t next;
    rc = build(df, b, t, &next);
    if (rc < 0)
        return rc;
    while (next < t) { /* the round filled up: a smaller band at the top */
        uint64_t len = (next - b) / 2;
        b = t - (len ? len : 1);
        rc = build(df, b, t, &next);
        if (rc < 0)
            return rc;
    }
    int nparts = compare_items(df);
    if (nparts < 0)
        return nparts;
    /* The last range in the band, merged across parts. */
    bool have = false;
    DiffRange last = {0, 0};
    int fed = -1;
    for (int i = 0; i < df->nitems; i++) {
        const Item *it = &df->items[i];
        if (it->kind == ITEM_HOLES)
            df->sum.holes += it->hi - it->lo;
        else if (it->kind == ITEM_SHARED)
            df->sum.shared += it->hi - it->lo;
        if (it->kind != ITEM_CMP || it->part == fed)
            continue;
        const Part *pt = &df->part[it->part];
        fed = it->part;
        for (size_t k = 0; k < pt->n; k++) {
            if (have && last.off + last.len == pt->r[k].off)
                last.len += pt->r[k].len;
            else
                last = pt->r[k];
            have = true;
        }
    }
    df->sum.done += y - b;
    df->pos = b;
    if (df->pend) {
        if (!have || last.off + last.len != df->pending.off)
            return carried(df);
        df->pending.len += df->pending.off - last.off;
        df->pending.off = last.off;
    } else if (have) {
        df->pend = true;
        df->pending = last;
    }
    if (df->pend && (df->pending.off > b || b <= df->lo))
        return carried(df);
    if (b <= df->lo) {
        df->done = true;
        return DIFF_DONE;
    }
    return DIFF_RUNNING;
}

/* ---- the job ------------------------------------------------------------------ */

static void side_init(Side *sd, Doc *d)
{
    sd->d = d;
    sd->m = doc_map(d);
    sd->ops = map_sys(sd->m);
    sd->fd = map_fd(sd->m);
    sd->overlay = map_mode(sd->m) == MMH_MODE_COPY;
}

int diff_start(Diff **out, Doc *a, Doc *b, const DiffOpts *o)
{
    *out = NULL;
    if (!a || !b || !o || o->shift == INT64_MIN || (o->hi && o->lo > o->hi))
        return -EINVAL;
    Diff *df = calloc(1, sizeof *df);
    if (!df)
        return -ENOMEM;
    df->o = *o;
    if (!df->o.window)
        df->o.window = DIFF_WINDOW;
    if (!df->o.max_ranges)
        df->o.max_ranges = DIFF_RANGES;
    side_init(&df->a, a);
    side_init(&df->b, b);
    df->threads = workpool_size(o->threads, DIFF_THREADS_MAX);

    struct stat sa, sb;
    bool stat_ok = df->a.ops->fstat(df->a.fd, &sa) == 0 && df->b.ops->fstat(df->b.fd, &sb) == 0;
    df->fiemap = stat_ok && sa.st_dev == sb.st_dev && df->a.ops->fiemap && df->b.ops->fiemap &&
                 map_kind(df->a.m) == MMH_KIND_FILE && map_kind(df->b.m) == MMH_KIND_FILE;
    df->same = stat_ok && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && o->shift == 0;

    df->part_max = (uint64_t)DIFF_PART_WINDOWS * df->o.window;
    df->part_bytes = df->part_max;
    df->items_cap = df->threads * DIFF_PART_WINDOWS + DIFF_ITEMS_SKIP;
    df->items = calloc((size_t)df->items_cap, sizeof *df->items);
    if (!df->items) {
        diff_free(df);
        return -ENOMEM;
    }
    size_t nr = o->mode == DIFF_ALL ? df->o.max_ranges : 2;
    for (int k = 0; k < DIFF_THREADS_MAX; k++)
        df->part[k].df = df;
    for (int k = 0; k < df->threads; k++) {
        Part *pt = &df->part[k];
        pt->ba = malloc(df->o.window);
        pt->bb = malloc(df->o.window);
        pt->r = malloc(nr * sizeof *pt->r);
        if (!pt->ba || !pt->bb || !pt->r) {
            diff_free(df);
            return -ENOMEM;
        }
    }
    if (workpool_start(&df->pool, df->threads, run_part, df) < 0) {
        diff_free(df);
        return -ENOMEM;
    }
    df->threads = workpool_threads(df->pool); /* fewer if some could not start */
    span(df);
    if (o->mode == DIFF_FIRST && o->backward)
        df->pos = min64(max64(o->from, df->lo), df->hi);
    else if (o->mode == DIFF_FIRST)
        df->pos = min64(max64(o->from, df->lo), df->hi);
    else
        df->pos = df->lo;
    df->sum.total = o->mode == DIFF_FIRST && o->backward ? df->pos - df->lo : df->hi - df->pos;
    *out = df;
    return 0;
}

/* The sizes now (an fstat each): a file that changed size is taken, and
 * one that shrank is said (-MMH_ETRUNC). */
static int resize(Diff *df)
{
    uint64_t old_a = df->a.size, old_b = df->b.size;
    int rc = map_refresh(df->a.m, NULL);
    if (rc == 0 && df->b.m != df->a.m)
        rc = map_refresh(df->b.m, NULL);
    if (rc < 0)
        return rc;
    if (map_size(df->a.m) == old_a && map_size(df->b.m) == old_b)
        return 0;
    uint64_t hi = df->hi;
    span(df);
    bool back = df->o.mode == DIFF_FIRST && df->o.backward;
    if (!back && df->hi < hi)
        df->sum.total -= min64(df->sum.total, hi - df->hi);
    if (!back && df->hi > hi)
        df->sum.total += df->hi - hi;
    df->pos = min64(max64(df->pos, df->lo), df->hi);
    return df->a.size < old_a || df->b.size < old_b ? -MMH_ETRUNC : 0;
}

int diff_step(Diff *df, uint64_t budget_ns)
{
    if (df->done)
        return DIFF_DONE;
    uint64_t t0 = sys_now_ns(), t;
    int rc = resize(df);
    if (rc < 0)
        return rc;
    do {
        rc = df->o.mode == DIFF_FIRST && df->o.backward ? backward(df) : forward(df);
        t = sys_now_ns();
    } while (rc == DIFF_RUNNING && t - t0 < budget_ns);
    df->sum.ns += t - t0;
    if (rc == -MMH_ETRUNC) /* the maps have the new sizes: take them */
        resize(df);
    return rc;
}

bool diff_found(const Diff *df, DiffRange *r)
{
    if (df->found && r)
        *r = df->found_r;
    return df->found;
}

void diff_summary(const Diff *df, DiffSummary *out)
{
    *out = df->sum;
    out->lo = df->lo;
    out->hi = df->hi;
    out->pair_hi = df->pair_hi;
}

void diff_free(Diff *df)
{
    if (!df)
        return;
    workpool_free(df->pool);
    for (int k = 0; k < DIFF_THREADS_MAX; k++) {
        free(df->part[k].ba);
        free(df->part[k].bb);
        free(df->part[k].r);
    }
    free(df->items);
    free(df);
}
