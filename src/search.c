/*
 * search: patterns searched for in a document as a job of bounded steps
 * (see search.h).
 *
 * The patterns and the matcher are in search-pattern.c.
 *
 * The job works in start offsets: a match at s covers [s, s+len), so the
 * starts to try in [lo, hi) are [lo, hi-len+1). They form two legs: forward,
 * [from, end) and then, wrapping, [lo, from); backward, [lo, from] downwards
 * and then [from+1, end) downwards. A leg is consumed from one side only
 * (forward: its lo rises; backward: its hi falls), so each start is tried at
 * most once and a list-all loop never passes its beginning. Each round of
 * up to threads x chunk starts is split into parts, one per thread (part 0
 * on the caller's thread, the rest on the workers of workpool.h); a part
 * reads contiguous windows of its starts plus the matcher's overlap
 * (workpool_read into the thread's buffer, copy-mode edits laid over, or
 * the mapping lent whole by map_visit_span) and hands them to
 * search_window (the protocol is in search_private.h). After the join, the
 * first part in scan order with a match or an error decides, so the answer
 * is one thread's; a part gives up once an earlier one has found its
 * match. A SIGBUS or a short
 * read changes nothing while threads read: the caller refreshes the map
 * after the join. Workers only read the Search and write their own Part.
 *
 * Holes (when the pattern cannot match zeros): a start is worth trying only
 * if its bytes touch file data (SEEK_DATA/SEEK_HOLE) or an unwritten edit
 * (journal_runs, which copy mode keeps in private pages the file knows
 * nothing of). Forward, the next such run of starts is found exactly, with
 * the extent cached. Backward, where lseek has no reverse, the last data
 * below a point comes from the cached extent, or a walk over at most
 * SEARCH_WALK extents from the bottom of the leg (a sparse file has few),
 * or, in a crowded file, probes of doubling width down from the point and
 * then halving of the band that saw data down to SEARCH_PROBE bytes (which
 * may then be scanned though partly hole). Either way each window stops at
 * the bottom of what is known to be worth scanning, and the next window
 * asks again. Starts skipped count as scanned, never as bytes_read. If
 * lseek contradicts itself (a file changing under the scan), a window still
 * moves on by at least one start, so a step always ends.
 *
 * Progress counts start offsets: scanned rises to total, which only falls
 * (when the file shrinks under the range). The clock is read after each
 * window; one window is always scanned, so every step makes progress.
 */
#include "config.h"

#include "search.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extent.h"
#include "map_private.h"
#include "search-regex.h"
#include "search_private.h"
#include "sys.h"
#include "workpool.h"

/* Compile-time knobs. SearchOpts.chunk overrides the first at run time. */
#ifndef SEARCH_CHUNK
#define SEARCH_CHUNK (4u << 20) /* start offsets per thread per round */
#endif
#define SEARCH_BUF (256u << 10)               /* pread: start offsets per buffer (fits in L2) */
#define SEARCH_THREADS_MAX 64                 /* threads a search uses at most */
#define SEARCH_PROBE (UINT64_C(1) << 20)      /* backward hole probes: first width, finest band */
#define SEARCH_WALK 8                         /* extents walked before probing instead */
#define SEARCH_AHEAD 4                        /* readahead windows prefetched ahead of the scan */
#define SEARCH_AHEAD_MAX (UINT64_C(64) << 20) /* at most this far ahead */

/* ---- the job -------------------------------------------------------------- */

typedef struct Leg {
    uint64_t lo, hi; /* start offsets still to try */
} Leg;

/* One thread's share of a round: the starts [lo, hi), and what it found. */
typedef struct Part {
    struct Search *s; /* the search */
    uint64_t lo, hi;  /* starts to scan */
    uint8_t *buf;     /* pread: this thread's buffer (chunk + overlap bytes) */
    int rc;           /* 1 found, 0 none, -errno */
    uint64_t at, len; /* the match (forward: first; backward: last) */
    uint64_t bytes;   /* bytes read (pread) or lent (mapping) */
} Part;

struct Search {
    Doc *d;                        /* the document searched */
    Map *m;                        /* its map */
    Matcher mt;                    /* the prepared pattern */
    bool backward;                 /* towards lower offsets */
    bool holes;                    /* the pattern needs a non-zero byte: holes may be skipped */
    SearchRead read;               /* how bytes are read (never AUTO) */
    uint64_t lo, hi;               /* the range; hi falls with the file's size */
    Leg leg[2];                    /* before the wrap, and after it */
    int cur;                       /* the leg scanned now; 2 when both are done */
    uint64_t chunk;                /* starts per thread per round */
    size_t bufstarts;              /* pread: starts per buffer */
    int threads;                   /* threads per round (1: the caller alone) */
    int state;                     /* what the last step returned, if a SearchState */
    uint64_t match;                /* the last match found */
    uint64_t match_len;            /* and its length */
    bool wrapped;                  /* the scan went on into the second leg */
    ExtentIter ext;                /* data extents, with the one seen last cached */
    uint64_t back_lo;              /* backward: data in [back_lo, back_hi), the extent */
    uint64_t back_hi;              /* a walk ended in (both UINT64_MAX: none) */
    uint64_t ahead;                /* prefetched up to (forward) or down to (backward) */
    uint64_t ahead_len;            /* bytes to keep prefetched ahead of the scan */
    SearchProgress prog;           /* as search_progress reports it */
    atomic_int first;              /* a round: the lowest part index that found a match */
    Part part[SEARCH_THREADS_MAX]; /* this round's parts, in scan order */
    WorkPool *pool;                /* runs the parts of a round */
};

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* One past the last start whose match fits below hi (lo if none fits). */
static uint64_t starts_end(const Search *s, uint64_t hi)
{
    uint64_t min = s->mt.rx ? 1 : s->mt.len; /* the shortest match */
    return hi > s->lo && hi - s->lo >= min ? hi - min + 1 : s->lo;
}

static uint64_t leg_size(const Leg *l)
{
    return l->hi - l->lo;
}

/* ---- one thread's scan ----------------------------------------------------- */

/* A later part need not finish once an earlier one (in scan order) found
 * its match: the earliest wins. */
static bool overtaken(const Part *pt)
{
    Search *s = pt->s;
    return atomic_load_explicit(&s->first, memory_order_relaxed) < (int)(pt - s->part);
}

static void found(Part *pt, uint64_t at, uint64_t len)
{
    Search *s = pt->s;
    int k = (int)(pt - s->part), cur = atomic_load(&s->first);
    while (k < cur && !atomic_compare_exchange_weak(&s->first, &cur, k))
        ;
    pt->rc = 1;
    pt->at = at;
    pt->len = len;
}

/* Where the bytes of a part come from: a buffer filled per window (base
 * NULL) or the mapping lent whole (base holds byte base_off). */
typedef struct Src {
    const uint8_t *base; /* the mapping's bytes, or NULL: pread */
    uint64_t base_off;   /* the offset of base[0] */
} Src;

/* buf for the window of bytes [w, w + n), or NULL with *rc. */
static const uint8_t *window(Part *pt, const Src *src, uint64_t w, size_t n, int *rc)
{
    if (src->base)
        return src->base + (w - src->base_off);
    *rc = workpool_read(pt->s->d, pt->buf, w, n, &pt->bytes);
    return *rc < 0 ? NULL : pt->buf;
}

/* Scan the part's starts in windows of up to per starts (plus the
 * overlap), forward from lo or backward from hi, as the protocol of
 * search_private.h says. Sets pt->rc. */
static void scan_part(Part *pt, const Src *src, size_t per)
{
    Search *s = pt->s;
    const Matcher *mt = &s->mt;
    uint64_t end = s->hi; /* no byte at or past it is read */
    size_t at = 0, len = 0;
    int rc = 0;
    pt->rc = 0;
    if (!s->backward) {
        for (uint64_t w = pt->lo; w < pt->hi && !overtaken(pt);) {
            size_t ns = (size_t)min64(per, pt->hi - w);
            size_t na = (size_t)min64(ns + mt->overlap, end - w);
            const uint8_t *buf = window(pt, src, w, na, &rc);
            if (!buf) {
                pt->rc = rc;
                return;
            }
            int r = search_window(mt, buf, ns, na, w + na >= end, false, &at, &len);
            if (r == 1) {
                found(pt, w + at, len);
                return;
            }
            if (r == 2 && at > 0) { /* the next window starts there, full */
                w += at;
                continue;
            }
            w += r == 2 ? 1 : ns; /* 2 at 0 breaks the protocol: go on */
        }
        return;
    }
    for (uint64_t top = pt->hi; top > pt->lo && !overtaken(pt);) {
        uint64_t w = top - pt->lo > per ? top - per : pt->lo;
        size_t ns = (size_t)(top - w);
        size_t na = (size_t)min64(ns + mt->overlap, end - w);
        const uint8_t *buf = window(pt, src, w, na, &rc);
        if (!buf) {
            pt->rc = rc;
            return;
        }
        int r = search_window(mt, buf, ns, na, w + na >= end, true, &at, &len);
        if (r == 1) {
            found(pt, w + at, len);
            return;
        }
        if (r == 2) { /* that one start again, with a full window after it */
            uint64_t x = w + at;
            na = (size_t)min64(per + mt->overlap, end - x);
            if (!(buf = window(pt, src, x, na, &rc))) {
                pt->rc = rc;
                return;
            }
            if (search_window(mt, buf, 1, na, x + na >= end, true, &at, &len) == 1) {
                found(pt, x, len);
                return;
            }
            top = x;
            continue;
        }
        top = w;
    }
}

static int part_visit(const uint8_t *p, size_t n, uint64_t off, void *ctx)
{
    (void)n;
    Part *pt = ctx;
    Src src = {p, off};
    scan_part(pt, &src, pt->s->chunk);
    return 0;
}

/* Run a part (a WorkFn): through the mapping lent whole (map_visit_span),
 * or through this thread's buffer. */
static void run_part(void *ctx, int part)
{
    Search *s = ctx;
    Part *pt = &s->part[part];
    pt->bytes = 0;
    if (s->read == SEARCH_READ_MAP) {
        uint64_t end = min64(pt->hi + s->mt.overlap, s->hi);
        pt->rc = 0;
        int rc = map_visit_span(s->m, pt->lo, (size_t)(end - pt->lo), part_visit, pt);
        if (rc < 0)
            pt->rc = rc;
        pt->bytes = end - pt->lo;
        return;
    }
    Src src = {NULL, 0};
    scan_part(pt, &src, s->bufstarts);
}

/* Run parts [0, n) at once, part 0 on this thread; back when all are done. */
static void run_round(Search *s, int n)
{
    atomic_store(&s->first, SEARCH_THREADS_MAX);
    workpool_run(s->pool, n);
}

/* Bytes of [lo, hi) in the page cache (one cachestat): 0 with *out, or
 * -errno (-ENOSYS before Linux 6.5, -EPERM under the permission trap:
 * then it is unknown). */
static int cached_range(const Search *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const SysOps *ops = map_sys(s->m);
    SysCacheRange r = {lo, hi - lo};
    SysCacheStat cs;
    memset(&cs, 0, sizeof cs);
    if (ops->cachestat(map_fd(s->m), &r, &cs, 0) < 0)
        return -errno;
    *out = cs.nr_cache * (uint64_t)map_pagesize(s->m);
    return 0;
}

/* Is most of the round [a, b) (starts, plus the overlap) out of the page
 * cache? Then one thread reads it all, in order: threads reading
 * different parts of one descriptor share its readahead state and break
 * each other's streams (a cold 1 GiB behind the common 128 KiB readahead
 * window: 2 threads 1.66x `cat`, 1 thread 1.00x; docs/design.md), and the
 * disk, not the matcher, sets the pace. pread only; one cachestat per
 * round; no answer (ENOSYS, EPERM): not cold. */
static bool cold(const Search *s, uint64_t a, uint64_t b)
{
    uint64_t hi = min64(b + s->mt.overlap, s->hi), n = 0;
    if (s->read != SEARCH_READ_PREAD || !s->prog.cache_known || cached_range(s, a, hi, &n) < 0)
        return false;
    return n < (hi - a) / 2;
}

/* Scan the starts [a, b) split between the threads: 1 with s->match (the
 * first match, backward the last, whichever thread saw it), 0 none, or
 * -errno (the first part in scan order that failed before any match).
 * *read gets the bytes read. */
static int scan_window(Search *s, uint64_t a, uint64_t b, uint64_t *read)
{
    uint64_t total = b - a;
    /* A part per chunk of starts, at most one per thread. */
    uint64_t want = (total + s->chunk - 1) / s->chunk;
    int n = want < (uint64_t)s->threads ? (int)want : s->threads;
    if (n > 1 && cold(s, a, b))
        n = 1;
    for (int k = 0; k < n; k++) {
        /* Forward, part 0 is the lowest; backward, the highest. */
        uint64_t x = a + total * (uint64_t)k / (uint64_t)n;
        uint64_t y = a + total * (uint64_t)(k + 1) / (uint64_t)n;
        Part *pt = &s->part[k];
        if (s->backward) {
            pt->lo = b - (y - a);
            pt->hi = b - (x - a);
        } else {
            pt->lo = x;
            pt->hi = y;
        }
        pt->rc = 0;
    }
    run_round(s, n);
    *read = 0;
    for (int k = 0; k < n; k++) {
        const Part *pt = &s->part[k];
        *read += pt->bytes;
        if (pt->rc < 0) {
            if (pt->rc == -MMH_ETRUNC)
                map_refresh(s->m, NULL); /* no thread reads the map now */
            return pt->rc;
        }
        if (pt->rc == 1) {
            s->match = pt->at;
            s->match_len = pt->len;
            return 1;
        }
    }
    return 0;
}

/* The data extent holding off or next after it: [*a, *b), both UINT64_MAX
 * when only holes follow. Cached by the iterator: a forward scan asks about
 * the same extent once per window. */
static int extent_after(Search *s, uint64_t off, uint64_t *a, uint64_t *b)
{
    Extent e;
    int rc = extent_next_data(&s->ext, off, &e);
    if (rc < 0)
        return rc;
    *a = e.lo < s->ext.size ? e.lo : UINT64_MAX;
    *b = e.lo < s->ext.size ? e.hi : UINT64_MAX;
    return 0;
}

/* The first data byte at or after off: 0 with *at (UINT64_MAX: none). */
static int data_at(Search *s, uint64_t off, uint64_t *at)
{
    uint64_t b;
    return extent_after(s, off, at, &b);
}

/* Starts from pos on whose bytes [s, s+len) may hold something other than
 * holes: a data extent or an unwritten edit, each widened by len-1 to the
 * left. 0 with the first such run [*a, *e), 1 when none. */
static int next_region(Search *s, uint64_t pos, uint64_t *a, uint64_t *e)
{
    uint64_t w = s->mt.overlap, da = UINT64_MAX, db = UINT64_MAX;
    int rc = extent_after(s, pos, &da, &db);
    if (rc < 0)
        return rc;
    uint64_t ra = UINT64_MAX, rb = UINT64_MAX;
    const RangeSet *runs = journal_runs(doc_journal(s->d));
    size_t i = rangeset_find(runs, pos);
    if (i < runs->n) {
        ra = runs->v[i].lo;
        rb = runs->v[i].hi;
    }
    if (da != UINT64_MAX)
        da = max64(pos, da > w ? da - w : 0);
    if (ra != UINT64_MAX)
        ra = max64(pos, ra > w ? ra - w : 0);
    if (da == UINT64_MAX && ra == UINT64_MAX)
        return 1;
    /* The earlier of the two, joined with the other if they touch. */
    if (ra < da) {
        *a = ra;
        *e = rb;
        if (da <= rb)
            *e = max64(rb, db);
    } else {
        *a = da;
        *e = db;
        if (ra <= db)
            *e = max64(db, rb);
    }
    return 0;
}

/* Walk the extents from lo (a data byte) towards y, at most SEARCH_WALK of
 * them, for the last data byte below y: 0 with [*first, *d] (the last
 * extent's start and that byte; the extent is cached), 1 when more extents
 * remain (*lo moved on), or -errno. */
static int walk_extents(Search *s, uint64_t *lo, uint64_t y, uint64_t *first, uint64_t *d)
{
    for (int k = 0; k < SEARCH_WALK; k++) {
        uint64_t a, h, next = UINT64_MAX;
        int rc = extent_after(s, *lo, &a, &h);
        if (rc < 0)
            return rc;
        if (h >= y) {
            *first = *lo;
            *d = y - 1;
            return 0;
        }
        rc = data_at(s, h, &next);
        if (rc < 0)
            return rc;
        if (next < y) {
            *lo = next;
            continue;
        }
        *first = *lo;
        *d = h - 1;
        /* The iterator has moved on to the extent at next: keep this one
         * for the next window down. */
        s->back_lo = *lo;
        s->back_hi = h;
        return 0;
    }
    return 1;
}

/* Backward: the last data byte in [floor, y), with the start of the band
 * of possible data holding it: 0 with [*first, *d], 1 when [floor, y) is
 * all hole, or -errno. lseek has no reverse, so: the extent cached last;
 * else a walk over the extents from floor (a sparse file has few); else,
 * with many extents, probes of doubling width down from y until one sees
 * data, then halving the band that holds it to SEARCH_PROBE bytes and
 * walking that. If even that band is crowded, *d is its top (up to
 * SEARCH_PROBE bytes of holes get scanned, which is harmless). */
static int last_data_below(Search *s, uint64_t floor, uint64_t y, uint64_t *first, uint64_t *d)
{
    if (!s->ext.whole && s->ext.lo < y && y <= s->ext.hi) { /* inside the extent seen last */
        *first = s->ext.lo;
        *d = y - 1;
        return 0;
    }
    if (s->back_lo < y && y <= s->back_hi) { /* or the one a walk ended in */
        *first = s->back_lo;
        *d = y - 1;
        return 0;
    }
    uint64_t lo = 0, at = 0;
    int rc = data_at(s, floor, &lo);
    if (rc < 0)
        return rc;
    if (s->ext.whole) {
        *first = floor;
        *d = y - 1;
        return 0;
    }
    if (lo >= y)
        return 1;
    rc = walk_extents(s, &lo, y, first, d);
    if (rc <= 0)
        return rc;
    uint64_t w = SEARCH_PROBE;
    for (;;) { /* invariant: data at lo < y, none in [y, the y we were given) */
        uint64_t q = y - lo > w ? y - w : lo;
        rc = data_at(s, q, &at);
        if (rc < 0)
            return rc;
        if (at < y) {
            lo = at;
            break;
        }
        if (q == lo) /* the file changed under us: stay conservative */
            break;
        y = q;
        if (w < UINT64_C(1) << 62)
            w *= 2;
    }
    while (y - lo > SEARCH_PROBE) {
        uint64_t mid = lo + (y - lo) / 2;
        rc = data_at(s, mid, &at);
        if (rc < 0)
            return rc;
        if (at < y)
            lo = at;
        else
            y = mid;
    }
    rc = walk_extents(s, &lo, y, first, d);
    if (rc <= 0)
        return rc;
    *first = lo;
    *d = y - 1;
    return 0;
}

/* Backward: the starts below top (and at or above floor) worth scanning
 * next, those whose bytes may touch data or an unwritten edit: 0 with
 * [*bottom, *out), where *out is one past the highest such start and
 * below *bottom nothing is known yet; 1 when none. */
static int prev_region(Search *s, uint64_t floor, uint64_t top, uint64_t *bottom, uint64_t *out)
{
    uint64_t w = s->mt.overlap;
    uint64_t y = top + w; /* bytes below y may matter */
    uint64_t first = 0, best = 0, d, f;
    bool any = false;
    int rc = last_data_below(s, floor, y, &f, &d);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        first = f;
        best = d;
        any = true;
    }
    const RangeSet *runs = journal_runs(doc_journal(s->d));
    size_t i = rangeset_find(runs, y - 1); /* the first run with hi >= y */
    if (!(i < runs->n && runs->v[i].lo < y))
        i = i > 0 ? i - 1 : runs->n; /* none holds y-1: the one below */
    if (i < runs->n && runs->v[i].hi > floor) {
        uint64_t r = min64(runs->v[i].hi, y) - 1;
        if (!any || r > best || (r == best && runs->v[i].lo < first)) {
            first = runs->v[i].lo;
            best = r;
        }
        any = true;
    }
    if (!any)
        return 1;
    *out = min64(top, best + 1);
    *bottom = max64(floor, first > w ? first - w : 0);
    return 0;
}

/* Keep the kernel reading ahead of the window [a, b) the scan is about to
 * read, towards floor (backward) or ceil (forward): MADV_WILLNEED, hints
 * only, so errors are ignored. Re-armed when half the distance is used up,
 * so the cost is one call per ahead_len/2 bytes whatever the window size. */
static void prefetch(Search *s, uint64_t a, uint64_t b, uint64_t floor, uint64_t ceil)
{
    uint64_t dist = s->ahead_len;
    /* Forward, the kernel's own mmap readahead does better than hints: it
     * caches in large folios mapped by huge pages (WILLNEED in pieces left
     * 4 KiB pages: 26x the faults and 15x the system time on a cold 2 GiB
     * scan, and slower warm scans afterwards). Only MADV_RANDOM, which
     * turns that readahead off, needs the hints. */
    if (!s->backward && map_advice(s->m) != MMH_ADV_RANDOM)
        return;
    if (!s->backward) {
        if (s->ahead >= b && s->ahead - b >= dist / 2)
            return;
        uint64_t from = max64(s->ahead, b), to = min64(b + dist, ceil);
        if (from < to)
            map_prefetch(s->m, from, to - from, false);
        s->ahead = max64(from, to);
    } else {
        if (s->ahead <= a && a - s->ahead >= dist / 2)
            return;
        uint64_t to = min64(s->ahead, a), from = a - floor > dist ? a - dist : floor;
        if (from < to)
            map_prefetch(s->m, from, to - from, false);
        s->ahead = min64(from, to);
    }
}

/* The same for the whole range [lo, hi). */
static int cached_bytes(const Search *s, uint64_t *out)
{
    return cached_range(s, s->lo, s->hi, out);
}

void search_cache_after(Search *s)
{
    uint64_t n = 0;
    if (s->prog.cache_known && cached_bytes(s, &n) == 0)
        s->prog.cached_after = n;
}

/* Clip the range to the file's size as the map knows it; starts lost come
 * off the total. */
static void clip(Search *s)
{
    uint64_t size = map_size(s->m);
    if (size >= s->hi)
        return;
    s->hi = size;
    uint64_t end = starts_end(s, size);
    for (int k = s->cur; k < 2; k++) {
        Leg *l = &s->leg[k];
        uint64_t before = leg_size(l);
        l->hi = min64(l->hi, end);
        l->lo = min64(l->lo, l->hi);
        s->prog.total -= before - leg_size(l);
    }
}

static void consumed(Search *s, uint64_t n, bool read)
{
    s->prog.scanned += n;
    if (read)
        s->prog.bytes_read += n;
}

/* One window, after skipping holes: a SearchState or -errno. */
static int advance(Search *s)
{
    while (s->cur < 2 && leg_size(&s->leg[s->cur]) == 0) {
        s->cur++;
        s->ahead = s->backward ? UINT64_MAX : 0;
        if (s->cur == 1 && leg_size(&s->leg[1]) > 0)
            s->wrapped = true;
    }
    if (s->cur == 2)
        return SEARCH_NOT_FOUND;
    Leg *l = &s->leg[s->cur];
    uint64_t w = s->mt.overlap;
    int rc;
    if (!s->backward) {
        uint64_t a = l->lo, e = l->hi;
        if (s->holes) {
            rc = next_region(s, l->lo, &a, &e);
            if (rc < 0)
                return rc;
            if (rc == 1 || a >= l->hi) { /* only holes left in the leg */
                consumed(s, leg_size(l), false);
                l->lo = l->hi;
                return SEARCH_RUNNING;
            }
            consumed(s, a - l->lo, false);
            l->lo = a;
        }
        /* Every window moves on, even if lseek contradicts itself. */
        e = max64(min64(e, l->hi), a + 1);
        uint64_t round = s->chunk * (uint64_t)s->threads;
        uint64_t b = e - a > round ? a + round : e;
        s->prog.at = a;
        prefetch(s, a, b + w, 0, min64(s->hi, e + w));
        uint64_t read = 0;
        rc = scan_window(s, a, b, &read);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            consumed(s, s->match + 1 - a, true);
            l->lo = s->match + 1;
            return SEARCH_FOUND;
        }
        consumed(s, b - a, true);
        l->lo = b;
        return SEARCH_RUNNING;
    }
    uint64_t top = l->hi, bottom = l->lo;
    if (s->holes) {
        rc = prev_region(s, l->lo, top, &bottom, &top);
        if (rc < 0)
            return rc;
        if (rc == 1 || top <= l->lo) {
            consumed(s, leg_size(l), false);
            l->hi = l->lo;
            return SEARCH_RUNNING;
        }
        consumed(s, l->hi - top, false);
        l->hi = top;
    }
    bottom = min64(bottom, top - 1); /* as forward: always move on */
    uint64_t round = s->chunk * (uint64_t)s->threads;
    uint64_t a = top - bottom > round ? top - round : bottom;
    s->prog.at = top - 1;
    prefetch(s, a, top + w, bottom, 0);
    uint64_t read = 0;
    rc = scan_window(s, a, top, &read);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        consumed(s, top - s->match, true);
        l->hi = s->match;
        return SEARCH_FOUND;
    }
    consumed(s, top - a, true);
    l->hi = a;
    return SEARCH_RUNNING;
}

int search_start(Search **out, Doc *d, const Pattern *p, const SearchOpts *o)
{
    *out = NULL;
    if (!d || !p || !o || (!p->rx && (p->len == 0 || p->len > MMH_PATTERN_MAX)))
        return -EINVAL;
    uint64_t size = doc_size(d);
    uint64_t hi = o->hi == 0 || o->hi > size ? size : o->hi;
    if (o->lo >= hi)
        return -EINVAL;
    Search *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->d = d;
    s->m = doc_map(d);
    search_prepare(&s->mt, p);
    s->backward = o->backward;
    s->holes = p->rx ? !rx_matches_zeros(p->rx) : !search_matches_zeros(p);
    s->lo = o->lo;
    s->hi = hi;
    s->chunk = o->chunk ? o->chunk : SEARCH_CHUNK;
    s->bufstarts = (size_t)min64(s->chunk, SEARCH_BUF);
    s->read = o->read != SEARCH_READ_AUTO ? o->read : SEARCH_READ_DEFAULT;
    s->threads = workpool_size(o->threads, SEARCH_THREADS_MAX);
    for (int k = 0; k < SEARCH_THREADS_MAX; k++)
        s->part[k].s = s;
    if (s->read == SEARCH_READ_PREAD) {
        for (int k = 0; k < s->threads; k++) {
            s->part[k].buf = malloc(s->bufstarts + s->mt.overlap);
            if (!s->part[k].buf) {
                search_free(s);
                return -ENOMEM;
            }
        }
    }
    if (workpool_start(&s->pool, s->threads, run_part, s) < 0) {
        search_free(s);
        return -ENOMEM;
    }
    s->threads = workpool_threads(s->pool); /* fewer if some could not start */
    s->state = SEARCH_RUNNING;
    map_extent_iter(s->m, &s->ext); /* a block device is all data */
    s->back_lo = s->back_hi = UINT64_MAX;
    uint64_t ra = map_readahead(s->m) * SEARCH_AHEAD;
    s->ahead_len = min64(max64(ra, s->chunk), SEARCH_AHEAD_MAX);
    s->ahead = s->backward ? UINT64_MAX : 0;
    uint64_t cached = 0;
    if (cached_bytes(s, &cached) == 0) {
        s->prog.cache_known = true;
        s->prog.cached_before = s->prog.cached_after = cached;
    }

    uint64_t end = starts_end(s, hi);
    if (!s->backward) {
        uint64_t f = min64(max64(o->from, s->lo), end);
        s->leg[0] = (Leg){f, end};
        s->leg[1] = (Leg){s->lo, o->wrap ? f : s->lo};
    } else {
        uint64_t f = o->from >= end ? end : max64(o->from + 1, s->lo);
        s->leg[0] = (Leg){s->lo, f};
        s->leg[1] = (Leg){f, o->wrap ? end : f};
    }
    s->prog.total = leg_size(&s->leg[0]) + leg_size(&s->leg[1]);
    s->prog.at = s->backward ? (s->leg[0].hi > s->lo ? s->leg[0].hi - 1 : s->lo) : s->leg[0].lo;
    *out = s;
    return 0;
}

int search_step(Search *s, uint64_t budget_ns)
{
    if (s->state == SEARCH_NOT_FOUND)
        return SEARCH_NOT_FOUND;
    uint64_t t0 = sys_now_ns(), t;
    clip(s);
    int rc;
    do {
        rc = advance(s);
        t = sys_now_ns();
    } while (rc == SEARCH_RUNNING && t - t0 < budget_ns);
    if (rc != SEARCH_RUNNING) /* found, not found, failed: what the scan left cached */
        search_cache_after(s);
    s->prog.ns += sys_now_ns() - t0;
    s->state = rc >= 0 ? rc : SEARCH_RUNNING; /* an error may be retried */
    return rc;
}

uint64_t search_match(const Search *s)
{
    return s->match;
}

uint64_t search_match_len(const Search *s)
{
    return s->match_len;
}

bool search_wrapped(const Search *s)
{
    return s->wrapped;
}

void search_progress(const Search *s, SearchProgress *out)
{
    *out = s->prog;
}

void search_free(Search *s)
{
    if (!s)
        return;
    workpool_free(s->pool);
    for (int k = 0; k < SEARCH_THREADS_MAX; k++)
        free(s->part[k].buf);
    free(s);
}
