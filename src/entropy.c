/*
 * entropy: the entropy map's core (see entropy.h).
 *
 * Invariants:
 * - Bucket i covers the pages [start(i), start(i+1)), start(i) =
 *   floor(i * P / n) for P pages: rmap.c's cut, so both maps agree.
 * - The sampling pass runs first, bucket by bucket (e->next_sample); then
 *   the exact pass (e->cur, e->pos inside bucket cur, e->hist its counts so
 *   far). Buckets made exact by sampling (wholly holes) are skipped.
 * - Bytes are counted into four sub-histograms of 32-bit counters (a chunk
 *   is at most ENT_CHUNK bytes, so they cannot overflow) and folded into
 *   the 64-bit e->hist after each chunk: four tables let consecutive equal
 *   bytes hit different counters, about twice as fast as one.
 * - The exact pass counts a data extent of two chunks or more in rounds on
 *   the workpool (workpool.h): each thread preads a chunk into its own
 *   buffer (edits laid over) and counts it into its own Counts, folded by
 *   the caller after the round; on two cores this about halves the time.
 *   The pool is made at the first round and ended when the map is done.
 *   A round that fails restarts its bucket (its counts are partial).
 * - Holes are never read: doc_extent says where they are, and their bytes
 *   go to hist[0] by arithmetic. One fstat per hole piece (map_stamp) sees
 *   a truncation there, where no fault would.
 */
#include "config.h"

#include "entropy.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edits.h"
#include "sys.h"
#include "workpool.h"

#define ENT_THREADS_MAX 8 /* threads of the exact pass, at most */

/* Four sub-histograms of a chunk (see above). */
typedef struct Counts {
    uint32_t sub[4][256];
} Counts;

/* One thread's share of a parallel round: a chunk read into its buffer. */
typedef struct Part {
    uint64_t off;  /* the chunk */
    size_t n;      /* its length (<= ENT_CHUNK) */
    uint8_t *buf;  /* ENT_CHUNK bytes, owned */
    Counts c;      /* its counts */
    uint64_t read; /* bytes read (workpool_read's count) */
    int rc;        /* 0 or -errno */
} Part;

struct Entropy {
    Doc *d;             /* not owned */
    EntBucket *b;       /* the buckets */
    size_t n;           /* how many */
    uint64_t size;      /* the size they were cut for */
    uint64_t changes;   /* doc_changes then */
    uint64_t ps;        /* the page size they were cut in */
    size_t next_sample; /* sampling pass: the next bucket */
    size_t cur;         /* exact pass: the bucket being counted */
    uint64_t pos;       /* its next byte (0 with started false) */
    bool started;       /* pos and hist belong to bucket cur */
    uint64_t hist[256]; /* its counts so far */
    Counts c;           /* a chunk's counts */
    uint8_t *buf;       /* ENT_CHUNK bytes: a window holding edits */
    uint64_t read, read_exact, zeros, ns;
    WorkPool *pool; /* the exact pass's threads (NULL: none, or not yet) */
    bool no_pool;   /* it could not start: one thread */
    Part part[ENT_THREADS_MAX];
};

/* ---- the arithmetic ---------------------------------------------------------- */

/* Bytes that may be text: tab, LF, VT, FF, CR, printable ASCII, and the
 * bytes of UTF-8 sequences (0x80-0xbf continuation, 0xc2-0xf4 leads). */
static bool texty(unsigned c)
{
    return (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d) || (c >= 0x80 && c <= 0xbf) ||
           (c >= 0xc2 && c <= 0xf4);
}

static uint64_t hist_total(const uint64_t hist[256])
{
    uint64_t t = 0;
    for (int i = 0; i < 256; i++)
        t += hist[i];
    return t;
}

double entropy_bits(const uint64_t hist[256])
{
    uint64_t total = hist_total(hist);
    double h = 0;
    if (!total)
        return 0;
    for (int i = 0; i < 256; i++)
        if (hist[i]) {
            double p = (double)hist[i] / (double)total;
            h -= p * log2(p);
        }
    return h < 0 ? 0 : h; /* -0.0 for one symbol */
}

unsigned entropy_text_permille(const uint64_t hist[256])
{
    uint64_t total = hist_total(hist), t = 0;
    if (!total)
        return 0;
    for (unsigned i = 0; i < 256; i++)
        if (texty(i))
            t += hist[i];
    return (unsigned)((double)t * 1000.0 / (double)total);
}

EntClass entropy_classify(const uint64_t hist[256])
{
    uint64_t total = hist_total(hist), ascii = 0;
    if (hist[0] == total)
        return ENT_ZEROS;
    for (unsigned i = 0; i < 0x80; i++)
        if (texty(i))
            ascii += hist[i];
    if (entropy_text_permille(hist) >= ENT_TEXT_PERMILLE && ascii * 2 >= total)
        return ENT_TEXT;
    if (entropy_bits(hist) >= ENT_HIGH_BITS)
        return ENT_HIGH;
    return ENT_BINARY;
}

const char *entropy_class_name(EntClass c)
{
    switch (c) {
    case ENT_ZEROS: return "zeros";
    case ENT_TEXT: return "text";
    case ENT_BINARY: return "binary";
    case ENT_HIGH: return "high-entropy";
    default: return "-";
    }
}

/* ---- geometry (rmap.c's) ----------------------------------------------------- */

static uint64_t bucket_start(uint64_t i, uint64_t n, uint64_t pages)
{
    uint64_t q = pages / n, rem = pages % n;
    return i * q + i * rem / n;
}

static size_t fit_n(size_t n, uint64_t size, uint64_t ps)
{
    uint64_t pages = (size + ps - 1) / ps, least;
    if (n > ENT_MAX_BUCKETS)
        n = ENT_MAX_BUCKETS;
    if (n > pages)
        n = (size_t)pages;
    least = pages / UINT32_MAX + (pages % UINT32_MAX != 0);
    if (n < least)
        n = (size_t)least;
    return n;
}

size_t entropy_fit(const Doc *d, size_t n)
{
    return fit_n(n, doc_size(d), map_pagesize(doc_map(d)));
}

int entropy_new(Entropy **out, Doc *d, size_t n)
{
    *out = NULL;
    if (n == 0)
        return -EINVAL;
    Entropy *e = calloc(1, sizeof *e);
    if (!e)
        return -ENOMEM;
    e->d = d;
    e->size = doc_size(d);
    e->changes = doc_changes(d);
    e->ps = map_pagesize(doc_map(d));
    e->n = fit_n(n, e->size, e->ps);
    if (e->n && !(e->b = calloc(e->n, sizeof *e->b))) {
        free(e);
        return -ENOMEM;
    }
    uint64_t pages = (e->size + e->ps - 1) / e->ps;
    for (size_t i = 0; i < e->n; i++) {
        e->b[i].lo = bucket_start(i, e->n, pages) * e->ps;
        e->b[i].hi = i + 1 == e->n ? e->size : bucket_start(i + 1, e->n, pages) * e->ps;
    }
    *out = e;
    return 0;
}

void entropy_free(Entropy *e)
{
    if (!e)
        return;
    workpool_free(e->pool);
    for (int k = 0; k < ENT_THREADS_MAX; k++)
        free(e->part[k].buf);
    free(e->b);
    free(e->buf);
    free(e);
}

bool entropy_stale(const Entropy *e, const Doc *d, size_t n)
{
    return !e || e->d != d || e->changes != doc_changes(d) || e->size != doc_size(d) ||
           e->n != entropy_fit(d, n);
}

size_t entropy_n(const Entropy *e)
{
    return e ? e->n : 0;
}

const EntBucket *entropy_bucket(const Entropy *e, size_t i)
{
    return e && i < e->n ? &e->b[i] : NULL;
}

size_t entropy_bucket_of(const Entropy *e, uint64_t off)
{
    size_t lo = 0, hi;
    if (!e || e->n == 0)
        return 0;
    if (off >= e->b[e->n - 1].lo)
        return e->n - 1;
    hi = e->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->b[mid].lo <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void entropy_totals(const Entropy *e, uint64_t bytes[ENT_NCLASS])
{
    memset(bytes, 0, ENT_NCLASS * sizeof bytes[0]);
    for (size_t i = 0; e && i < e->n; i++)
        bytes[e->b[i].cls < ENT_NCLASS ? e->b[i].cls : ENT_NONE] += e->b[i].hi - e->b[i].lo;
}

void entropy_progress(const Entropy *e, EntProgress *p)
{
    memset(p, 0, sizeof *p);
    if (!e)
        return;
    p->n = e->n;
    p->size = e->size;
    for (size_t i = 0; i < e->n; i++) {
        p->sampled += e->b[i].cls != ENT_NONE;
        if (e->b[i].exact) {
            p->exact++;
            p->done += e->b[i].hi - e->b[i].lo;
        }
    }
    p->read = e->read;
    p->read_exact = e->read_exact;
    p->zeros = e->zeros;
    p->ns = e->ns;
    p->finished = p->exact == e->n;
}

/* ---- counting ------------------------------------------------------------------ */

/* Count len bytes into the Counts ctx (a MapVisitFn). */
static int count(const uint8_t *p, size_t len, uint64_t off, void *ctx)
{
    (void)off;
    Counts *c = ctx;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        c->sub[0][p[i]]++;
        c->sub[1][p[i + 1]]++;
        c->sub[2][p[i + 2]]++;
        c->sub[3][p[i + 3]]++;
    }
    for (; i < len; i++)
        c->sub[0][p[i]]++;
    return 0;
}

/* Add the sub-histograms to h and clear them. */
static void fold(Counts *c, uint64_t h[256])
{
    for (int i = 0; i < 256; i++) {
        h[i] += (uint64_t)c->sub[0][i] + c->sub[1][i] + c->sub[2][i] + c->sub[3][i];
        c->sub[0][i] = c->sub[1][i] = c->sub[2][i] = c->sub[3][i] = 0;
    }
}

/* A part of a parallel round (WorkFn): read its chunk (pread, edits laid
 * over) and count it. Touches only its own Part. */
static void run_part(void *ctx, int k)
{
    Entropy *e = ctx;
    Part *pt = &e->part[k];
    pt->rc = workpool_read(e->d, pt->buf, pt->off, pt->n, &pt->read);
    if (pt->rc == 0)
        count(pt->buf, pt->n, pt->off, &pt->c);
}

/* The pool, made at the first parallel round: false when there is only
 * one thread to use (the caller counts alone). */
static bool pool_ready(Entropy *e)
{
    if (e->pool)
        return true;
    if (e->no_pool)
        return false;
    int t = workpool_size(0, ENT_THREADS_MAX);
    if (t < 2 || workpool_start(&e->pool, t, run_part, e) < 0 || workpool_threads(e->pool) < 2) {
        workpool_free(e->pool);
        e->pool = NULL;
        e->no_pool = true;
        return false;
    }
    for (int k = 0; k < workpool_threads(e->pool); k++)
        if (!e->part[k].buf && !(e->part[k].buf = malloc(ENT_CHUNK))) {
            e->no_pool = true;
            return false;
        }
    return true;
}

/* Count [pos, hi), data, in one round of ENT_CHUNK a thread, into h. The
 * bytes done (> 0), 0 when no round is worth it (under two chunks, or one
 * thread: the caller counts), or -errno. */
static int64_t count_round(Entropy *e, uint64_t pos, uint64_t hi, uint64_t h[256])
{
    if (hi - pos < 2 * (uint64_t)ENT_CHUNK || !pool_ready(e))
        return 0;
    int n = 0, max = workpool_threads(e->pool);
    for (uint64_t off = pos; off < hi && n < max; off += ENT_CHUNK, n++) {
        e->part[n].off = off;
        e->part[n].n = hi - off < ENT_CHUNK ? (size_t)(hi - off) : ENT_CHUNK;
        e->part[n].rc = 0;
        e->part[n].read = 0;
    }
    workpool_run(e->pool, n);
    int rc = 0;
    uint64_t done = 0;
    for (int k = 0; k < n; k++) {
        if (e->part[k].rc < 0 && rc == 0)
            rc = e->part[k].rc;
        fold(&e->part[k].c, h); /* clears it, also on failure */
        done += e->part[k].n;
    }
    if (rc < 0)
        return rc; /* h is the caller's to throw away: the bucket starts again */
    e->read += done;
    return (int64_t)done;
}

/* Count [pos, pos+n) (n <= ENT_CHUNK) as data into h: lent by the mapping,
 * or copied with the net edits over it when it holds any. */
static int count_data(Entropy *e, uint64_t pos, size_t n, uint64_t h[256])
{
    const Edits *ed = journal_edits(doc_journal(e->d));
    int rc;
    if (!edits_net_in(ed, pos, pos + n)) {
        rc = map_visit(doc_map(e->d), pos, n, count, &e->c);
    } else {
        if (!e->buf && !(e->buf = malloc(ENT_CHUNK)))
            return -ENOMEM;
        rc = doc_read(e->d, pos, e->buf, n);
        if (rc == 0)
            rc = doc_overlay(e->d, pos, e->buf, n);
        if (rc == 0)
            count(e->buf, n, pos, &e->c);
    }
    if (rc < 0) {
        memset(&e->c, 0, sizeof e->c);
        return rc;
    }
    fold(&e->c, h);
    e->read += n;
    return 0;
}

/* The first net edit at or after from. */
static int first_run(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    (void)cur, (void)len;
    *(uint64_t *)ctx = off;
    return 1;
}

/* One piece of a hole [pos, hi): zeros up to the next net edit (no I/O), or
 * a window of data holding one. The bytes done, or -errno. */
static int64_t count_hole(Entropy *e, uint64_t pos, uint64_t hi, uint64_t h[256])
{
    uint64_t next = UINT64_MAX;
    edits_each_net_from(journal_edits(doc_journal(e->d)), pos, first_run, &next);
    if (next <= pos) {
        size_t n = hi - pos < ENT_CHUNK ? (size_t)(hi - pos) : ENT_CHUNK;
        int rc = count_data(e, pos, n, h);
        return rc < 0 ? rc : (int64_t)n;
    }
    uint64_t n = (next < hi ? next : hi) - pos;
    /* A file cut short reads as a hole to its old end: ask its size. */
    MapStamp st;
    int rc = map_stamp(doc_map(e->d), &st);
    if (rc < 0)
        return rc;
    if (st.size < pos + n)
        return -MMH_ETRUNC;
    h[0] += n;
    e->zeros += n;
    return (int64_t)n;
}

/* The extent holding pos, clipped to hi. */
static int extent_in(Entropy *e, uint64_t pos, uint64_t hi, Extent *x)
{
    int rc = doc_extent(e->d, pos, x);
    if (rc == -ENXIO) /* the file shrank under the map */
        return -MMH_ETRUNC;
    if (rc < 0)
        return rc;
    if (x->hi > hi)
        x->hi = hi;
    return 0;
}

static void settle(EntBucket *b, const uint64_t h[256], bool exact)
{
    b->bits = (float)entropy_bits(h);
    b->text = (uint16_t)entropy_text_permille(h);
    b->cls = (uint8_t)entropy_classify(h);
    b->exact = exact;
}

/* Count [*pos, hi) into h, extent by extent, data ENT_CHUNK at a time,
 * holes without reading: 1 when *pos reached hi, 0 when the budget since t0
 * ran out first, or -errno. */
static int walk(Entropy *e, uint64_t hi, uint64_t *pos, uint64_t h[256], uint64_t t0,
                uint64_t budget_ns)
{
    while (*pos < hi) {
        Extent x;
        int64_t n;
        uint64_t before = e->read;
        int rc = extent_in(e, *pos, hi, &x);
        if (rc < 0)
            return rc;
        if (x.data) {
            n = count_round(e, *pos, x.hi, h); /* several chunks at once */
            if (n < 0)
                return (int)n;
            if (n == 0) { /* one chunk, here */
                n = x.hi - *pos < ENT_CHUNK ? (int64_t)(x.hi - *pos) : ENT_CHUNK;
                if ((rc = count_data(e, *pos, (size_t)n, h)) < 0)
                    return rc;
            }
        } else if ((n = count_hole(e, *pos, x.hi, h)) < 0) {
            return (int)n;
        }
        e->read_exact += e->read - before;
        *pos += (uint64_t)n;
        if (*pos < hi && sys_now_ns() - t0 >= budget_ns)
            return 0;
    }
    return 1;
}

/* Sample bucket b: a bucket wholly in a hole, or no larger than the probes,
 * is made exact; else ENT_PROBES probes, the first at the bucket's first
 * data byte. */
static int sample(Entropy *e, EntBucket *b)
{
    uint64_t h[256] = {0};
    Extent x;
    int rc;
    if (b->hi - b->lo <= (uint64_t)ENT_PROBES * ENT_PROBE_BYTES) { /* probes would read it all */
        uint64_t pos = b->lo;
        if ((rc = walk(e, b->hi, &pos, h, 0, UINT64_MAX)) < 0)
            return rc;
        settle(b, h, true);
        return 0;
    }
    if ((rc = extent_in(e, b->lo, b->hi, &x)) < 0)
        return rc;
    if (!x.data && x.hi >= b->hi) {
        uint64_t n = b->hi - b->lo;
        int64_t k = count_hole(e, b->lo, b->hi, h);
        if (k < 0)
            return (int)k;
        if ((uint64_t)k == n) { /* no edit in it: all zeros, exact */
            settle(b, h, true);
            return 0;
        }
        memset(h, 0, sizeof h);
        e->zeros -= (uint64_t)k;
    }
    uint64_t first = x.data ? b->lo : x.hi, span = b->hi - first;
    for (int j = 0; j < ENT_PROBES && first < b->hi; j++) {
        uint64_t p = first + span / ENT_PROBES * (uint64_t)j;
        uint64_t n = b->hi - p < ENT_PROBE_BYTES ? b->hi - p : ENT_PROBE_BYTES;
        if ((rc = extent_in(e, p, b->hi, &x)) < 0)
            return rc;
        if (x.data) {
            if (x.hi - p < n)
                n = x.hi - p;
            if ((rc = count_data(e, p, (size_t)n, h)) < 0)
                return rc;
        } else {
            h[0] += n; /* a probe in a hole: as many zeros */
        }
    }
    settle(b, h, false);
    return 0;
}

int entropy_step(Entropy *e, uint64_t budget_ns)
{
    uint64_t t0 = sys_now_ns();
    int rc = 0;
    while (e->next_sample < e->n) {
        EntBucket *b = &e->b[e->next_sample];
        if (b->cls == ENT_NONE && (rc = sample(e, b)) < 0)
            goto out;
        e->next_sample++;
        if (sys_now_ns() - t0 >= budget_ns)
            goto out;
    }
    while (e->cur < e->n) {
        EntBucket *b = &e->b[e->cur];
        if (b->exact) {
            e->cur++;
            e->started = false;
            continue;
        }
        if (!e->started) {
            memset(e->hist, 0, sizeof e->hist);
            e->pos = b->lo;
            e->started = true;
        }
        if ((rc = walk(e, b->hi, &e->pos, e->hist, t0, budget_ns)) <= 0) {
            if (rc < 0)
                e->started = false; /* hist may hold part of a failed round */
            goto out;
        }
        settle(b, e->hist, true);
        e->cur++;
        e->started = false;
        if (sys_now_ns() - t0 >= budget_ns)
            break;
    }
    rc = e->cur >= e->n && e->next_sample >= e->n;
    if (rc == 1) { /* the threads are not needed any more */
        workpool_free(e->pool);
        e->pool = NULL;
    }
out:
    e->ns += sys_now_ns() - t0;
    return rc;
}
