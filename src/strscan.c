/*
 * strscan: printable runs of a document as a job of bounded steps (see
 * strscan.h; not strings.h, which would hide the C library's <strings.h>).
 *
 * The engine is a Lane: one kind (ASCII or UTF-16LE), fed bytes forward
 * from a position, a small state machine that carries a run in progress
 * across map_visit pieces, chunks and holes, so a run crossing any of
 * them is found once. ASCII keeps one run start; UTF-16LE keeps one per
 * parity, and at byte i judges the code unit at i-1 (its low byte and
 * byte i), so it carries the previous byte. A Lane reports only runs
 * starting in [floor, ceil): fed from a little before floor (two bytes:
 * enough to know whether a run at floor began earlier), it is exact there.
 * It stops when a run is reported (a step resumes after that byte), at the
 * end of the range (flushing what is in progress), or once past ceil with
 * no reportable run in progress.
 *
 * Holes: a Lane visits only data extents and unwritten edits (next_region,
 * as search.c does). Holes read as zeros, which end every run: jumping
 * over one feeds its first three zero bytes (enough to close any run of
 * either kind) and moves on with the state idle.
 *
 * A Side yields one kind's runs in order. Forward it is one Lane from
 * `from` to hi. Backward it scans blocks below a top: the top drops to the
 * last data or edit below it (probes of doubling width, then halving, with
 * the extent iterator; lseek has no reverse), a Lane over the block
 * [top - B, top) collects the runs starting there (B is small enough that
 * at most STRINGS_BLOCK_RUNS fit) and they are handed out last first. With
 * both kinds a Strings holds two Sides and merges them by offset: each
 * kind is read once, twice over the bytes in all.
 */
#include "config.h"

#include "strscan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extent.h"
#include "sys.h"

#ifndef STRINGS_CHUNK
#define STRINGS_CHUNK (1u << 20) /* bytes per map_visit call */
#endif
#define STRINGS_TEXT_PIECE 4096 /* bytes read at a time for text */

#define NONE UINT64_MAX

/* Printable for strings: 0x20..0x7e and tab. */
static bool printable(uint8_t b)
{
    return (b >= 0x20 && b <= 0x7e) || b == '\t';
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

typedef struct Lane {
    unsigned kind;        /* STR_ASCII or STR_UTF16LE */
    uint64_t hi;          /* bytes are fed up to here (the range's end) */
    uint64_t floor, ceil; /* runs reported start in [floor, ceil) */
    uint64_t pos;         /* the next byte to feed */
    int prev;             /* UTF-16LE: the byte at pos-1, or -1 when not fed */
    uint64_t start[2];    /* run in progress (ASCII: [0]; UTF-16LE: per parity), or NONE */
    StrRun out[2];        /* runs reported and not yet taken */
    int nout;             /* how many */
    bool done;            /* nothing more to feed */
} Lane;

typedef struct Side {
    unsigned kind; /* STR_ASCII or STR_UTF16LE */
    Lane lane;     /* the lane scanning (backward: the current block) */
    bool busy;     /* backward: a block is being scanned */
    uint64_t top;  /* backward: runs below it are still to come */
    StrRun *block; /* backward: the runs of the block scanned last */
    size_t nblock; /* how many it holds */
    size_t taken;  /* of those, handed out (from the end) */
    bool have;     /* next holds the side's next run */
    StrRun next;   /* that run */
    bool done;     /* no more runs */
} Side;

struct Strings {
    Doc *d;               /* the document */
    Map *m;               /* its map */
    uint64_t lo, hi;      /* the range; hi falls with the file's size */
    uint64_t from;        /* where the scan began */
    bool backward;        /* towards lower offsets */
    uint64_t min;         /* characters a run needs */
    uint64_t chunk;       /* bytes per map_visit call */
    uint64_t block;       /* backward: bytes per block */
    size_t block_runs;    /* backward: runs a block holds at most */
    Side side[2];         /* one per kind asked for */
    int nside;            /* how many */
    StrRun run;           /* the run found last */
    int state;            /* STRINGS_DONE once done */
    ExtentIter ext;       /* data extents, the one seen last cached */
    StringsProgress prog; /* as strings_progress reports it */
    Lane *feeding;        /* visit callback: the lane fed */
};

/* ---- the lane: a state machine fed bytes ------------------------------------ */

static void lane_init(Lane *l, unsigned kind, uint64_t lo, uint64_t hi, uint64_t floor,
                      uint64_t ceil)
{
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->hi = hi;
    l->floor = floor;
    l->ceil = ceil;
    /* Two bytes before floor tell whether a run there began earlier. */
    l->pos = floor - lo > 2 ? floor - 2 : lo;
    l->prev = -1;
    l->start[0] = l->start[1] = NONE;
}

/* A run ended: report it if it is long enough and starts in [floor, ceil).
 * true when reported (the feeding stops there). */
static bool finish(const Strings *s, Lane *l, uint64_t start, uint64_t len)
{
    uint64_t chars = l->kind == STR_ASCII ? len : len / 2;
    if (chars < s->min || start < l->floor || start >= l->ceil)
        return false;
    l->out[l->nout++] = (StrRun){start, len, chars, l->kind};
    return true;
}

/* Feed p[0, n), the bytes at off (== l->pos); stops after a byte that
 * ended a reported run. Moves l->pos past what was taken. */
static void feed(const Strings *s, Lane *l, const uint8_t *p, size_t n, uint64_t off)
{
    size_t i = 0;
    if (l->kind == STR_ASCII) {
        uint64_t st = l->start[0];
        while (i < n) {
            if (st == NONE) {
                while (i < n && !printable(p[i]))
                    i++;
                if (i == n)
                    break;
                st = off + i++;
            }
            while (i < n && printable(p[i]))
                i++;
            if (i == n)
                break;
            uint64_t end = off + i++;
            bool rep = finish(s, l, st, end - st);
            st = NONE;
            if (rep)
                break;
        }
        l->start[0] = st;
    } else {
        int prev = l->prev;
        while (i < n) {
            uint8_t b = p[i++];
            if (prev >= 0) {
                uint64_t x = off + i - 2; /* the code unit judged: (prev, b) */
                int k = (int)(x & 1);
                if (printable((uint8_t)prev) && b == 0) {
                    if (l->start[k] == NONE)
                        l->start[k] = x;
                } else if (l->start[k] != NONE) {
                    bool rep = finish(s, l, l->start[k], x - l->start[k]);
                    l->start[k] = NONE;
                    if (rep) {
                        prev = b;
                        break;
                    }
                }
            }
            prev = b;
        }
        l->prev = prev;
    }
    l->pos = off + i;
}

/* At the end of the range: close what is in progress (in start order). */
static void flush(const Strings *s, Lane *l)
{
    uint64_t hi = l->hi;
    if (l->kind == STR_ASCII) {
        if (l->start[0] != NONE)
            finish(s, l, l->start[0], hi - l->start[0]);
    } else {
        int first = l->start[1] < l->start[0];
        for (int j = 0; j < 2; j++) {
            int k = j == 0 ? first : !first;
            uint64_t st = l->start[k];
            if (st == NONE)
                continue;
            /* The run's next code unit would start at hi-1 or hi. */
            finish(s, l, st, hi - ((hi - st) & 1) - st);
        }
    }
    l->start[0] = l->start[1] = NONE;
    l->done = true;
}

/* Past ceil with nothing reportable in progress: the lane can stop. */
static bool lane_idle_past(const Lane *l)
{
    if (l->pos < l->ceil + 1)
        return false;
    for (int k = 0; k < 2; k++)
        if (l->start[k] != NONE && l->start[k] >= l->floor && l->start[k] < l->ceil)
            return false;
    return true;
}

static int visit(const uint8_t *p, size_t n, uint64_t off, void *ctx)
{
    Strings *s = ctx;
    Lane *l = s->feeding;
    feed(s, l, p, n, off);
    return l->nout ? 1 : 0;
}

/* The first run of bytes at or after pos that may hold something other
 * than zeros: a data extent or an unwritten edit. 0 with [*a, *e), 1 when
 * none. */
static int next_region(Strings *s, uint64_t pos, uint64_t *a, uint64_t *e)
{
    Extent x;
    int rc = extent_next_data(&s->ext, pos, &x);
    if (rc < 0)
        return rc;
    uint64_t da = x.lo < s->ext.size ? max64(pos, x.lo) : NONE, db = x.hi;
    uint64_t ra = NONE, rb = NONE;
    const RangeSet *runs = journal_runs(doc_journal(s->d));
    size_t i = rangeset_find(runs, pos);
    if (i < runs->n) {
        ra = max64(pos, runs->v[i].lo);
        rb = runs->v[i].hi;
    }
    if (da == NONE && ra == NONE)
        return 1;
    if (ra < da) {
        *a = ra;
        *e = da <= rb ? max64(rb, db) : rb;
    } else {
        *a = da;
        *e = ra <= db ? max64(db, rb) : db;
    }
    return 0;
}

/* Feed one window: 1 a run is in l->out, 0 more to do, 2 the lane is done,
 * or -errno. */
static int lane_step(Strings *s, Lane *l)
{
    static const uint8_t zeros[3];
    if (l->nout)
        return 1;
    if (l->done)
        return 2;
    if (l->hi > s->hi) /* the file shrank */
        l->hi = s->hi;
    if (l->pos >= l->hi) {
        flush(s, l);
        return l->nout ? 1 : 2;
    }
    if (lane_idle_past(l)) {
        l->done = true;
        return 2;
    }
    uint64_t a = l->pos, e = l->hi;
    if (!s->ext.whole || journal_runs(doc_journal(s->d))->n) {
        int rc = next_region(s, l->pos, &a, &e);
        if (rc < 0)
            return rc;
        if (rc == 1)
            a = e = l->hi;
        a = min64(a, l->hi);
        if (a > l->pos) { /* a hole: its first zeros end every run */
            uint64_t z = min64(a - l->pos, sizeof zeros);
            feed(s, l, zeros, (size_t)z, l->pos);
            if (l->nout)
                return 1;
            if (l->pos < a) {
                l->pos = a;
                l->prev = 0;
            }
            return 0;
        }
        e = min64(max64(e, a + 1), l->hi);
    }
    uint64_t b = min64(e, a + s->chunk);
    if (l->ceil < l->hi && b > l->ceil + 1 && a <= l->ceil)
        b = l->ceil + 1; /* look past ceil only for a run in progress */
    s->feeding = l;
    s->prog.at = a;
    int rc = map_visit(s->m, a, (size_t)(b - a), visit, s);
    s->prog.scanned += l->pos - a;
    if (rc < 0)
        return rc;
    return l->nout ? 1 : 0;
}

static StrRun lane_take(Lane *l)
{
    StrRun r = l->out[0];
    l->out[0] = l->out[1];
    l->nout--;
    return r;
}

/* ---- backward: blocks below a top ------------------------------------------ */

/* The first data byte at or after pos, or NONE. */
static int data_at(Strings *s, uint64_t pos, uint64_t *at)
{
    Extent x;
    int rc = extent_next_data(&s->ext, pos, &x);
    if (rc < 0)
        return rc;
    *at = x.lo < s->ext.size ? x.lo : NONE;
    return 0;
}

/* A top at or below t under which lies the last byte below t that may not
 * be zero (data or an edit), within a block of it: 0 with *out, 1 when all
 * of [lo, t) is hole. */
static int top_below(Strings *s, uint64_t t, uint64_t *out)
{
    uint64_t best = NONE; /* one past the last such byte known */
    const RangeSet *runs = journal_runs(doc_journal(s->d));
    size_t i = rangeset_find(runs, t - 1);
    if (!(i < runs->n && runs->v[i].lo < t))
        i = i > 0 ? i - 1 : runs->n; /* none holds t-1: the one below */
    if (i < runs->n && runs->v[i].hi > s->lo)
        best = min64(runs->v[i].hi, t);
    if (s->ext.whole) {
        *out = t;
        return 0;
    }
    /* Doubling probes down from t for data, then halving the band. */
    uint64_t step = s->block, hi = t, at = 0, lo = s->lo;
    bool found = false;
    for (;;) {
        if (best != NONE && best >= hi)
            break; /* the edit is higher than any data below hi */
        uint64_t x = hi - lo > step ? hi - step : lo;
        bool last = best != NONE && x < best;
        if (last)
            x = best; /* data below the edit does not matter */
        int rc = data_at(s, x, &at);
        if (rc < 0)
            return rc;
        if (at < hi) {
            lo = at;
            found = true;
            break;
        }
        if (last || x == lo)
            break;
        hi = x;
        if (step < UINT64_C(1) << 62)
            step *= 2;
    }
    if (found) { /* data at lo < hi, none in [hi, t) */
        while (hi - lo > s->block) {
            uint64_t mid = lo + (hi - lo) / 2;
            int rc = data_at(s, mid, &at);
            if (rc < 0)
                return rc;
            if (at < hi)
                lo = at;
            else
                hi = mid;
        }
        if (best == NONE || hi > best)
            best = hi;
    }
    if (best == NONE)
        return 1;
    *out = best;
    return 0;
}

/* Backward: the side's next run (decreasing offsets). 1 found (in
 * side->next), 0 more to do, 2 done, or -errno. */
static int side_back(Strings *s, Side *d)
{
    if (!d->busy && d->taken < d->nblock) { /* a block scanned whole */
        d->next = d->block[d->nblock - ++d->taken];
        d->have = true;
        return 1;
    }
    if (!d->busy) {
        if (d->top <= s->lo)
            return 2;
        uint64_t t = min64(d->top, s->hi);
        if (t <= s->lo)
            return 2;
        int rc = top_below(s, t, &t);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            d->top = s->lo;
            return 2;
        }
        uint64_t b = t - s->lo > s->block ? t - s->block : s->lo;
        lane_init(&d->lane, d->kind, s->lo, s->hi, b, t);
        d->busy = true;
        d->nblock = d->taken = 0;
    }
    int rc = lane_step(s, &d->lane);
    if (rc < 0)
        return rc;
    while (rc == 1) {
        StrRun r = lane_take(&d->lane);
        if (d->nblock < s->block_runs) /* always: the block is sized for it */
            d->block[d->nblock++] = r;
        rc = d->lane.nout ? 1 : 0;
    }
    if (d->lane.done && !d->lane.nout) {
        d->busy = false;
        d->top = d->lane.floor;
    }
    return 0;
}

/* The side's next run: 1 found, 0 more to do, 2 done, -errno. */
static int side_advance(Strings *s, Side *d)
{
    if (d->have)
        return 1;
    if (d->done)
        return 2;
    int rc;
    if (s->backward) {
        rc = side_back(s, d);
    } else {
        rc = lane_step(s, &d->lane);
        if (rc == 1) {
            d->next = lane_take(&d->lane);
            d->have = true;
        }
    }
    if (rc == 2)
        d->done = true;
    return rc;
}

/* ---- the public calls ---------------------------------------------------------- */

int strings_start(Strings **out, Doc *d, const StringsOpts *o)
{
    *out = NULL;
    if (!d || !o)
        return -EINVAL;
    unsigned min = o->min ? o->min : STRINGS_MIN_DEFAULT;
    unsigned kinds = o->kinds ? o->kinds : STR_ASCII;
    if (min > STRINGS_MIN_MAX || (kinds & ~(STR_ASCII | STR_UTF16LE)))
        return -EINVAL;
    uint64_t size = doc_size(d);
    uint64_t hi = o->hi == 0 || o->hi > size ? size : o->hi;
    if (o->lo >= hi)
        return -EINVAL;
    Strings *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->d = d;
    s->m = doc_map(d);
    s->lo = o->lo;
    s->hi = hi;
    s->backward = o->backward;
    s->min = min;
    s->chunk = o->chunk ? o->chunk : STRINGS_CHUNK;
    /* A run and the byte after it take at least min+1 bytes: a block of
     * this many starts holds at most block_runs runs. */
    s->block_runs = o->block ? o->block : STRINGS_BLOCK_RUNS;
    s->block = (uint64_t)s->block_runs * (min + 1);
    map_extent_iter(s->m, &s->ext);
    uint64_t from = min64(max64(o->from, s->lo), hi);
    s->from = from;
    static const unsigned order[2] = {STR_ASCII, STR_UTF16LE};
    for (int k = 0; k < 2; k++) {
        if (!(kinds & order[k]))
            continue;
        Side *sd = &s->side[s->nside++];
        sd->kind = order[k];
        if (s->backward) {
            sd->top = from;
            sd->block = malloc(s->block_runs * sizeof *sd->block);
            if (!sd->block) {
                strings_free(s);
                return -ENOMEM;
            }
        } else {
            lane_init(&sd->lane, sd->kind, s->lo, hi, from, hi);
        }
    }
    s->prog.at = from;
    *out = s;
    return 0;
}

/* Of the sides' next runs, the one to hand out: forward the lowest offset
 * (ASCII first at a tie), backward the highest (UTF-16LE first). */
static Side *pick(Strings *s)
{
    Side *best = NULL;
    for (int k = 0; k < s->nside; k++) {
        Side *d = &s->side[k];
        if (!d->have)
            continue;
        if (!best || (s->backward ? d->next.off >= best->next.off : d->next.off < best->next.off))
            best = d;
    }
    return best;
}

int strings_step(Strings *s, uint64_t budget_ns)
{
    if (s->state == STRINGS_DONE)
        return STRINGS_DONE;
    uint64_t t0 = sys_now_ns(), t;
    uint64_t size = map_size(s->m);
    if (size < s->hi)
        s->hi = size;
    int rc = STRINGS_RUNNING;
    for (;;) {
        bool waiting = false;
        for (int k = 0; k < s->nside; k++) {
            Side *d = &s->side[k];
            int r = side_advance(s, d);
            if (r < 0) {
                rc = r;
                goto out;
            }
            if (r == 0)
                waiting = true;
        }
        if (!waiting) {
            Side *d = pick(s);
            if (!d) {
                rc = s->state = STRINGS_DONE;
            } else {
                s->run = d->next;
                d->have = false;
                rc = STRINGS_FOUND;
            }
            break;
        }
        t = sys_now_ns();
        if (t - t0 >= budget_ns)
            break;
    }
out:
    s->prog.ns += sys_now_ns() - t0;
    return rc;
}

const StrRun *strings_run(const Strings *s)
{
    return &s->run;
}

void strings_progress(const Strings *s, StringsProgress *out)
{
    *out = s->prog;
}

void strings_free(Strings *s)
{
    if (!s)
        return;
    for (int k = 0; k < 2; k++)
        free(s->side[k].block);
    free(s);
}

int strings_text(Doc *d, const StrRun *r, uint64_t skip, char *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (skip >= r->chars)
        return 0;
    uint64_t want = min64(r->chars - skip, cap - 1);
    unsigned w = r->kind == STR_ASCII ? 1 : 2;
    uint8_t piece[STRINGS_TEXT_PIECE];
    uint64_t done = 0;
    while (done < want) {
        uint64_t n = min64(want - done, sizeof piece / w);
        int rc = doc_read(d, r->off + (skip + done) * w, piece, (size_t)(n * w));
        if (rc < 0)
            return rc;
        for (uint64_t i = 0; i < n; i++)
            buf[done + i] = (char)piece[i * w];
        done += n;
    }
    buf[done] = '\0';
    *got = (size_t)done;
    return 0;
}

static uint8_t fold(uint8_t b)
{
    return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
}

static bool has(const char *t, size_t tn, const char *needle, size_t n, bool icase)
{
    if (!icase)
        return memmem(t, tn, needle, n) != NULL;
    for (size_t i = 0; i + n <= tn; i++) {
        size_t j = 0;
        while (j < n && fold((uint8_t)t[i + j]) == fold((uint8_t)needle[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

int strings_contains(Doc *d, const StrRun *r, const char *needle, size_t n, bool icase)
{
    if (n == 0)
        return 1;
    if (n > 256)
        return -EINVAL;
    /* Pieces overlapping by n-1 characters. */
    char buf[STRINGS_TEXT_PIECE + 1];
    uint64_t at = 0;
    for (;;) {
        size_t got;
        int rc = strings_text(d, r, at, buf, sizeof buf, &got);
        if (rc < 0)
            return rc;
        if (got < n)
            return 0;
        if (has(buf, got, needle, n, icase))
            return 1;
        if (at + got >= r->chars)
            return 0;
        at += got - (n - 1);
    }
}
