/*
 * test_diff: the comparison engine against a brute-force oracle written
 * here.
 *
 * Random pairs of files (random sizes, B a shifted copy of A with random
 * runs and single bytes changed, both over a four-byte alphabet so equal
 * bytes are everywhere; holes made by sparse writes, some at the same
 * places in both), random copy-mode edits laid over, random shifts, 1 to 4
 * threads, windows from 1 byte up, per-thread range arrays of 1 to 3
 * ranges so rounds are cut short, and a budget of 1 ns so every round is a
 * step. The oracle reads both files with pread, lays the same edits over
 * and lists the maximal differing runs: ALL mode must give exactly those,
 * in order, and a summary that agrees; FIRST mode, forward and backward
 * from random offsets, the run the oracle finds there.
 *
 * Shared extents come from a fake FIEMAP in the SysOps table (and a fake
 * cachestat saying the pages are clean, or dirty); a real FICLONE is tried
 * where the file system has it (ext4 has not: skipped, said). A 1 TiB
 * sparse pair is compared reading only its islands; a child process
 * truncates a file under the scan.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diff.h"
#include "doc.h"
#include "map_private.h"
#include "testutil.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)
#define FOREVER UINT64_MAX

/* ---- helpers ------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL; /* xorshift64*, fixed seed: failures repeat */

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static const uint8_t alphabet[4] = {0x00, 0x01, 'a', 0xff};

/* A list of ranges, grown as needed (the tests' own memory). */
typedef struct List {
    DiffRange *v;
    size_t n, cap;
} List;

static void list_add(List *l, uint64_t off, uint64_t len)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n++] = (DiffRange){off, len};
}

static int collect(const DiffRange *r, void *ctx)
{
    List *l = ctx;
    if (l->n > 0)
        assert_true(l->v[l->n - 1].off + l->v[l->n - 1].len < r->off); /* ordered, apart */
    list_add(l, r->off, r->len);
    return 0;
}

/* Does position x differ: A's byte x against B's byte x + shift, or only
 * one side has it (the tail). */
static bool differs(const uint8_t *a, uint64_t na, const uint8_t *b, uint64_t nb, int64_t shift,
                    uint64_t x)
{
    int64_t y = (int64_t)x + shift;
    bool ha = x < na, hb = y >= 0 && (uint64_t)y < nb;
    if (ha && hb)
        return a[x] != b[y];
    return true;
}

/* The oracle: the maximal differing runs over the span. */
static void oracle(const uint8_t *a, uint64_t na, const uint8_t *b, uint64_t nb, int64_t shift,
                   List *out)
{
    uint64_t lo, ph, hi;
    diff_span(na, nb, shift, &lo, &ph, &hi);
    out->n = 0;
    for (uint64_t x = lo; x < hi;) {
        if (!differs(a, na, b, nb, shift, x)) {
            x++;
            continue;
        }
        uint64_t s = x;
        while (x < hi && differs(a, na, b, nb, shift, x))
            x++;
        list_add(out, s, x - s);
    }
}

/* The whole file at path (the oracle's pread). */
static uint8_t *slurp(const char *path, uint64_t *len)
{
    *len = tu_size(path);
    uint8_t *buf = malloc(*len + 1);
    assert_non_null(buf);
    if (*len)
        tu_pread(path, 0, buf, (size_t)*len);
    return buf;
}

/* Write buf[0, len) to path, leaving the holes (ranges of zeros, 4 KiB
 * aligned ones real holes) unwritten. */
static void write_sparse(const char *path, const uint8_t *buf, uint64_t len, const List *holes)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)len), 0);
    uint64_t x = 0;
    for (size_t i = 0; i <= holes->n; i++) {
        uint64_t e = i < holes->n ? holes->v[i].off : len;
        if (e > x)
            assert_int_equal(pwrite(fd, buf + x, e - x, (off_t)x), (ssize_t)(e - x));
        if (i < holes->n)
            x = holes->v[i].off + holes->v[i].len;
    }
    close(fd);
}

/* Sorted, disjoint hole ranges over [0, len), some shared with the other
 * file (same A positions: for B moved by shift). */
static void make_holes(List *h, uint64_t len)
{
    h->n = 0;
    uint64_t x = 0;
    while (len > 0 && x < len) {
        x += below(len / 3 + 1);
        bool aligned = below(3) != 0;
        if (aligned)
            x = (x + 4095) & ~UINT64_C(4095);
        uint64_t n = aligned ? 4096 * (1 + below(4)) : 1 + below(3000);
        if (x >= len)
            break;
        if (x + n > len)
            n = len - x;
        list_add(h, x, n);
        x += n + 1;
    }
}

static void zero_holes(uint8_t *buf, const List *h)
{
    for (size_t i = 0; i < h->n; i++)
        memset(buf + h->v[i].off, 0, h->v[i].len);
}

/* Run a diff to its end with a budget of budget_ns per step. */
static int run(Diff *d, uint64_t budget_ns, int *steps)
{
    int rc, n = 0;
    while ((rc = diff_step(d, budget_ns)) == DIFF_RUNNING)
        n++;
    if (steps)
        *steps = n + 1;
    return rc;
}

static void expect_lists(const List *got, const List *want)
{
    if (got->n != want->n) {
        print_message("# got %zu ranges, want %zu\n", got->n, want->n);
        for (size_t i = 0; i < want->n && i < 8; i++)
            print_message("#  want %llu+%llu\n", (unsigned long long)want->v[i].off,
                          (unsigned long long)want->v[i].len);
        for (size_t i = 0; i < got->n && i < 8; i++)
            print_message("#  got %llu+%llu\n", (unsigned long long)got->v[i].off,
                          (unsigned long long)got->v[i].len);
    }
    assert_int_equal(got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        assert_int_equal(got->v[i].off, want->v[i].off);
        assert_int_equal(got->v[i].len, want->v[i].len);
    }
}

/* FIRST forward from f: the oracle's run holding the first differing
 * position >= f, from there on; backward, the run holding the last one
 * below f, up to f. */
static bool oracle_first(const List *all, uint64_t f, bool back, DiffRange *r)
{
    if (!back) {
        for (size_t i = 0; i < all->n; i++) {
            uint64_t e = all->v[i].off + all->v[i].len;
            if (e > f) {
                uint64_t s = all->v[i].off > f ? all->v[i].off : f;
                *r = (DiffRange){s, e - s};
                return true;
            }
        }
        return false;
    }
    for (size_t i = all->n; i-- > 0;) {
        if (all->v[i].off < f) {
            uint64_t e = all->v[i].off + all->v[i].len;
            if (e > f)
                e = f;
            *r = (DiffRange){all->v[i].off, e - all->v[i].off};
            return true;
        }
    }
    return false;
}

/* ---- the word compares ------------------------------------------------------ */

static void test_word_compares(void **state)
{
    (void)state;
    uint8_t a[200], b[200];
    for (int round = 0; round < 3000; round++) {
        size_t n = below(sizeof a + 1);
        for (size_t i = 0; i < n; i++) {
            a[i] = alphabet[below(2)];
            b[i] = below(4) ? a[i] : alphabet[below(4)];
        }
        size_t from = below(n + 1);
        size_t want = from;
        while (want < n && a[want] == b[want])
            want++;
        assert_int_equal(diff_first_diff(a, b, from, n), want);
        want = from;
        while (want < n && a[want] != b[want])
            want++;
        assert_int_equal(diff_first_same(a, b, from, n), want);
    }
}

/* ---- the oracle on random files ---------------------------------------------- */

typedef struct Case {
    uint64_t na, nb; /* sizes */
    int64_t shift;
} Case;

static void random_pair(const char *pa, const char *pb, Case *c)
{
    uint64_t na = below(4) == 0 ? below(64) : below(200 * KIB);
    uint64_t nb = below(3) == 0 ? na : below(4) == 0 ? below(64) : below(200 * KIB);
    int64_t shift = 0;
    switch (below(4)) {
    case 0: shift = (int64_t)below(9) - 4; break;
    case 1: shift = ((int64_t)below(5) - 2) * 4096; break;
    case 2: shift = (int64_t)below(na / 4 + 1) - (int64_t)below(nb / 4 + 1); break;
    }
    uint8_t *a = malloc(na + 1), *b = malloc(nb + 1);
    assert_non_null(a);
    assert_non_null(b);
    for (uint64_t i = 0; i < na; i++)
        a[i] = alphabet[below(4)];
    for (uint64_t y = 0; y < nb; y++) {
        int64_t x = (int64_t)y - shift;
        b[y] = x >= 0 && (uint64_t)x < na ? a[x] : alphabet[below(4)];
    }
    for (int k = (int)below(20); k-- > 0 && nb;) { /* changed runs and bytes */
        uint64_t at = below(nb), len = below(3) ? 1 : 1 + below(5000);
        for (uint64_t y = at; y < nb && y < at + len; y++)
            b[y] = alphabet[below(4)];
    }
    List ha = {0}, hb = {0};
    make_holes(&ha, na);
    make_holes(&hb, nb);
    if (below(2)) { /* some of A's holes in B too, where they fit */
        for (size_t i = 0; i < ha.n; i++) {
            int64_t y = (int64_t)ha.v[i].off + shift;
            if (y < 0 || (uint64_t)y + ha.v[i].len > nb)
                continue;
            bool clash = false;
            for (size_t j = 0; j < hb.n && !clash; j++)
                clash = hb.v[j].off < (uint64_t)y + ha.v[i].len + 1 &&
                        (uint64_t)y < hb.v[j].off + hb.v[j].len + 1;
            if (!clash) {
                size_t j = 0;
                while (j < hb.n && hb.v[j].off < (uint64_t)y)
                    j++;
                list_add(&hb, 0, 0);
                memmove(&hb.v[j + 1], &hb.v[j], (hb.n - 1 - j) * sizeof *hb.v);
                hb.v[j] = (DiffRange){(uint64_t)y, ha.v[i].len};
            }
        }
    }
    zero_holes(a, &ha);
    zero_holes(b, &hb);
    write_sparse(pa, a, na, &ha);
    write_sparse(pb, b, nb, &hb);
    free(ha.v);
    free(hb.v);
    free(a);
    free(b);
    *c = (Case){na, nb, shift};
}

/* Random edits to d (copy mode), the same in buf. */
static void random_edits(Doc *d, uint8_t *buf, uint64_t n)
{
    for (int k = (int)below(6); k-- > 0 && n;) {
        uint64_t at = below(n);
        uint8_t bytes[64];
        size_t len = 1 + below(sizeof bytes);
        if (at + len > n)
            len = (size_t)(n - at);
        for (size_t i = 0; i < len; i++)
            bytes[i] = alphabet[below(4)];
        assert_int_equal(doc_put(d, at, bytes, len), 0);
        memcpy(buf + at, bytes, len);
    }
}

static void test_oracle(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    static const size_t windows[] = {1, 3, 8, 64, 4096, 0};
    List want = {0}, got = {0};
    for (int round = 0; round < 150; round++) {
        Case c;
        random_pair(pa, pb, &c);
        bool edit = below(2);
        Doc *da = tu_open_doc(pa, edit ? MMH_MODE_COPY : MMH_MODE_READONLY, NULL);
        Doc *db = tu_open_doc(pb, edit ? MMH_MODE_COPY : MMH_MODE_READONLY, NULL);
        uint64_t na, nb;
        uint8_t *a = slurp(pa, &na), *b = slurp(pb, &nb);
        if (edit) {
            random_edits(da, a, na);
            random_edits(db, b, nb);
        }
        oracle(a, na, b, nb, c.shift, &want);
        DiffOpts o = {.mode = DIFF_ALL, .shift = c.shift, .on_range = collect, .ctx = &got};
        if (below(3) == 0) { /* a part of the span only: the ranges clipped to it */
            uint64_t lo, ph, hi;
            diff_span(na, nb, c.shift, &lo, &ph, &hi);
            o.lo = lo + below(hi - lo + 1);
            o.hi = o.lo + below(hi - o.lo + 1);
            if (o.hi == 0)
                o.lo = 0; /* hi 0 means the end: keep the whole span */
            size_t k = 0;
            for (size_t i = 0; i < want.n; i++) {
                uint64_t s0 = want.v[i].off, e0 = s0 + want.v[i].len;
                uint64_t cl = o.hi ? o.hi : UINT64_MAX;
                s0 = s0 > o.lo ? s0 : o.lo;
                e0 = e0 < cl ? e0 : cl;
                if (s0 < e0)
                    want.v[k++] = (DiffRange){s0, e0 - s0};
            }
            want.n = k;
        }
        o.window = windows[below(6)];
        if (o.window == 1 && (na > 20 * KIB || nb > 20 * KIB))
            o.window = 7; /* a byte per window is slow past a few KiB */
        o.threads = 1 + (int)below(4);
        o.max_ranges = below(2) ? 1 + below(3) : 0;
        got.n = 0;
        Diff *d;
        assert_int_equal(diff_start(&d, da, db, &o), 0);
        assert_int_equal(run(d, below(2) ? 1 : FOREVER, NULL), DIFF_DONE);
        expect_lists(&got, &want);
        DiffSummary s;
        diff_summary(d, &s);
        uint64_t bytes = 0;
        for (size_t i = 0; i < want.n; i++)
            bytes += want.v[i].len;
        assert_int_equal(s.ranges, want.n);
        assert_int_equal(s.bytes, bytes);
        if (want.n) {
            assert_int_equal(s.first, want.v[0].off);
            assert_int_equal(s.last, want.v[want.n - 1].off + want.v[want.n - 1].len);
        }
        assert_int_equal(s.done, s.hi - s.lo);
        assert_int_equal(s.total, s.hi - s.lo);
        if (o.hi)
            assert_true(s.lo >= o.lo && s.hi <= o.hi);
        assert_true(s.holes + s.shared <= s.hi - s.lo);
        /* Never more read than both sides hold over the paired part
         * (unless a cut round is read again). */
        if (o.max_ranges == 0)
            assert_true(s.bytes_read <= 2 * (s.pair_hi - s.lo));
        diff_free(d);

        /* FIRST, forward and backward, from a few places. */
        for (int k = 0; k < 4; k++) {
            bool back = below(2);
            uint64_t f = s.lo + below(s.hi - s.lo + 2);
            DiffOpts fo = {.mode = DIFF_FIRST,
                           .shift = c.shift,
                           .from = f,
                           .backward = back,
                           .lo = o.lo,
                           .hi = o.hi};
            fo.window = o.window;
            fo.threads = o.threads;
            DiffRange r, w;
            assert_int_equal(diff_start(&d, da, db, &fo), 0);
            assert_int_equal(run(d, below(2) ? 1 : FOREVER, NULL), DIFF_DONE);
            bool wfound = oracle_first(&want, f, back, &w);
            assert_int_equal(diff_found(d, &r), wfound);
            if (wfound) {
                assert_int_equal(r.off, w.off);
                assert_int_equal(r.len, w.len);
            }
            diff_free(d);
        }
        free(a);
        free(b);
        doc_close(da);
        doc_close(db);
    }
    free(want.v);
    free(got.v);
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

/* Results are the same whatever the threads, windows and cuts. */
static void test_dense_many(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    /* Every other byte differs in the first MiB: half a million ranges,
     * streamed: the engine holds a bounded number per round. */
    const uint64_t n = 3 * MIB;
    uint8_t *a = malloc(n), *b = malloc(n);
    for (uint64_t i = 0; i < n; i++)
        a[i] = b[i] = (uint8_t)rnd();
    for (uint64_t i = 0; i < MIB; i += 2)
        b[i] ^= 0x5a;
    b[n - 1] ^= 1;
    List none = {0};
    write_sparse(pa, a, n, &none);
    write_sparse(pb, b, n, &none);
    Doc *da = tu_open_doc(pa, MMH_MODE_READONLY, NULL);
    Doc *db = tu_open_doc(pb, MMH_MODE_READONLY, NULL);
    List want = {0}, got = {0};
    oracle(a, n, b, n, 0, &want);
    assert_int_equal(want.n, MIB / 2 + 1);
    for (int threads = 1; threads <= 4; threads++) {
        DiffOpts o = {.mode = DIFF_ALL, .on_range = collect, .ctx = &got, .threads = threads};
        got.n = 0;
        Diff *d;
        assert_int_equal(diff_start(&d, da, db, &o), 0);
        assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
        expect_lists(&got, &want);
        DiffSummary s;
        diff_summary(d, &s);
        /* Rounds cut short are read again, but they shrink: little is. */
        print_message("# %d threads: %llu bytes read for %llu\n", threads,
                      (unsigned long long)s.bytes_read, (unsigned long long)(2 * n));
        assert_true(s.bytes_read >= 2 * n && s.bytes_read <= 4 * n);
        diff_free(d);
    }
    free(want.v);
    free(got.v);
    free(a);
    free(b);
    doc_close(da);
    doc_close(db);
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

/* ---- holes and huge sparse files -------------------------------------------- */

static void test_huge_sparse(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    const uint64_t size = TIB;
    int fa = open(pa, O_RDWR | O_CREAT | O_TRUNC, 0644),
        fb = open(pb, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fa >= 0 && fb >= 0);
    if (ftruncate(fa, (off_t)size) != 0 || ftruncate(fb, (off_t)size) != 0) {
        close(fa);
        close(fb);
        print_message("# no 1 TiB sparse file here (%s): skipped\n", strerror(errno));
        tu_rmdir(dir);
        free(pa);
        free(pb);
        skip();
    }
    /* Eight islands of 64 KiB, the same in both but for one byte in
     * islands 3 and 6; B has an extra island where A has a hole. */
    static uint8_t island[64 * 1024];
    for (size_t i = 0; i < sizeof island; i++)
        island[i] = (uint8_t)rnd();
    for (int k = 0; k < 8; k++) {
        uint64_t at = (uint64_t)k * (size / 8) + 12345 * 4096;
        assert_int_equal(pwrite(fa, island, sizeof island, (off_t)at), (ssize_t)sizeof island);
        island[100] ^= (uint8_t)(k == 3 || k == 6);
        assert_int_equal(pwrite(fb, island, sizeof island, (off_t)at), (ssize_t)sizeof island);
        island[100] ^= (uint8_t)(k == 3 || k == 6);
    }
    uint8_t one = 7;
    assert_int_equal(pwrite(fb, &one, 1, (off_t)(size / 2 + 5 * GIB)), 1);
    close(fa);
    close(fb);
    Doc *da = tu_open_doc(pa, MMH_MODE_READONLY, NULL);
    Doc *db = tu_open_doc(pb, MMH_MODE_READONLY, NULL);
    List got = {0};
    DiffOpts o = {.mode = DIFF_ALL, .on_range = collect, .ctx = &got};
    Diff *d;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    int steps;
    assert_int_equal(run(d, FOREVER, &steps), DIFF_DONE);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.v[0].off, 3 * (size / 8) + 12345 * 4096 + 100);
    assert_int_equal(got.v[1].off, size / 2 + 5 * GIB);
    assert_int_equal(got.v[2].off, 6 * (size / 8) + 12345 * 4096 + 100);
    DiffSummary s;
    diff_summary(d, &s);
    assert_true(s.bytes_read <= 2 * (9 * sizeof island + 4096 * 2)); /* the islands only */
    assert_true(s.holes >= size - 10 * MIB);
    assert_true(s.ns < 5000000000ull);
    diff_free(d);

    /* FIRST backward from the end finds the last island's byte without
     * reading the holes; forward from 0 the first. */
    DiffOpts fo = {.mode = DIFF_FIRST, .from = size, .backward = true};
    DiffRange r;
    assert_int_equal(diff_start(&d, da, db, &fo), 0);
    assert_int_equal(run(d, FOREVER, &steps), DIFF_DONE);
    assert_true(diff_found(d, &r));
    assert_int_equal(r.off, 6 * (size / 8) + 12345 * 4096 + 100);
    assert_int_equal(r.len, 1);
    diff_summary(d, &s);
    assert_true(s.bytes_read <= 4 * MIB);
    diff_free(d);
    fo.backward = false;
    fo.from = 0;
    assert_int_equal(diff_start(&d, da, db, &fo), 0);
    assert_int_equal(run(d, FOREVER, &steps), DIFF_DONE);
    assert_true(diff_found(d, &r));
    assert_int_equal(r.off, 3 * (size / 8) + 12345 * 4096 + 100);
    diff_free(d);

    /* The same file on both sides: all shared, nothing read. */
    assert_int_equal(diff_start(&d, da, da, &o), 0);
    got.n = 0;
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 0);
    diff_summary(d, &s);
    assert_int_equal(s.bytes_read, 0);
    assert_true(s.shared >= 8 * sizeof island);
    diff_free(d);
    free(got.v);
    doc_close(da);
    doc_close(db);
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

/* ---- shared extents: a fake FIEMAP ------------------------------------------ */

/* The fake says: every extent of file "a" and "b" lies at physical address
 * PHYS + its offset in a (B: + its offset - fake_shift), flagged shared, over
 * [fake_lo, fake_hi) of A; elsewhere one unshared extent. */
static uint64_t fake_lo, fake_hi;
static int64_t fake_shift;
static int fake_fd_a = -1;
static bool fake_dirty;
static int fake_calls;

static int fake_fiemap(int fd, struct fiemap *fm)
{
    fake_calls++;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    bool is_a = fd == fake_fd_a;
    uint64_t lo = is_a ? fake_lo : fake_lo + (uint64_t)fake_shift;
    uint64_t hi = is_a ? fake_hi : fake_hi + (uint64_t)fake_shift;
    uint64_t size = (uint64_t)st.st_size, pos = fm->fm_start;
    struct fiemap_extent *e = fm->fm_extents;
    uint32_t n = 0;
    struct {
        uint64_t lo, hi;
        bool shared;
    } parts[3] = {{0, lo, false}, {lo, hi, true}, {hi, size, false}};
    for (int k = 0; k < 3 && n < fm->fm_extent_count; k++) {
        if (parts[k].hi <= parts[k].lo || parts[k].hi <= pos)
            continue;
        memset(&e[n], 0, sizeof e[n]);
        e[n].fe_logical = parts[k].lo;
        e[n].fe_length = parts[k].hi - parts[k].lo;
        e[n].fe_physical = (1ull << 40) + parts[k].lo - (is_a ? 0 : (uint64_t)fake_shift) +
                           (parts[k].shared ? 0 : (is_a ? 0 : 1ull << 39));
        e[n].fe_flags = parts[k].shared ? FIEMAP_EXTENT_SHARED : 0;
        n++;
    }
    if (n)
        e[n - 1].fe_flags |= FIEMAP_EXTENT_LAST;
    fm->fm_mapped_extents = n;
    return 0;
}

static int fake_cachestat(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags)
{
    int rc = sys_default.cachestat(fd, r, cs, flags);
    if (rc == 0) { /* the files were just written: say clean unless asked */
        cs->nr_dirty = fake_dirty;
        cs->nr_writeback = 0;
    }
    return rc;
}

static void test_fake_shared(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    const uint64_t n = 1 * MIB;
    uint8_t *a = malloc(n), *b = malloc(n);
    for (uint64_t i = 0; i < n; i++)
        a[i] = b[i] = (uint8_t)rnd();
    b[10] ^= 1;     /* before the shared part */
    b[n / 2] ^= 1;  /* inside it: FIEMAP is trusted, never read */
    b[n - 10] ^= 1; /* after */
    List none = {0};
    write_sparse(pa, a, n, &none);
    write_sparse(pb, b, n, &none);
    SysOps ops = sys_default;
    ops.fiemap = fake_fiemap;
    ops.cachestat = fake_cachestat;
    Doc *da = tu_open_doc(pa, MMH_MODE_COPY, &ops);
    Doc *db = tu_open_doc(pb, MMH_MODE_READONLY, &ops);
    fake_fd_a = map_fd(doc_map(da));
    fake_lo = 64 * KIB;
    fake_hi = n - 64 * KIB;
    fake_shift = 0;
    List got = {0};
    DiffOpts o = {.mode = DIFF_ALL, .on_range = collect, .ctx = &got, .window = 4096};
    for (int threads = 1; threads <= 3; threads++) {
        fake_dirty = false;
        o.threads = threads;
        got.n = 0;
        Diff *d;
        assert_int_equal(diff_start(&d, da, db, &o), 0);
        assert_int_equal(run(d, 1, NULL), DIFF_DONE);
        assert_int_equal(got.n, 2);
        assert_int_equal(got.v[0].off, 10);
        assert_int_equal(got.v[1].off, n - 10);
        DiffSummary s;
        diff_summary(d, &s);
        assert_int_equal(s.shared, fake_hi - fake_lo);
        assert_int_equal(s.bytes_read, 2 * (n - (fake_hi - fake_lo)));
        diff_free(d);
    }
    /* Dirty pages: the extent map is not the truth yet; everything read. */
    fake_dirty = true;
    got.n = 0;
    Diff *d;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 3);
    DiffSummary s;
    diff_summary(d, &s);
    assert_int_equal(s.shared, 0);
    assert_int_equal(s.bytes_read, 2 * n);
    diff_free(d);
    /* An unwritten edit inside the shared part is compared. */
    fake_dirty = false;
    uint8_t x = (uint8_t)(a[n / 4] ^ 0xff);
    assert_int_equal(doc_put(da, n / 4, &x, 1), 0);
    got.n = 0;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.v[1].off, n / 4);
    diff_summary(d, &s);
    assert_int_equal(s.shared, fake_hi - fake_lo - 1);
    diff_free(d);
    /* No FIEMAP in the table: nothing is taken as shared. */
    doc_close(da);
    doc_close(db);
    ops.fiemap = NULL;
    da = tu_open_doc(pa, MMH_MODE_READONLY, &ops);
    db = tu_open_doc(pb, MMH_MODE_READONLY, &ops);
    got.n = 0;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 3);
    diff_summary(d, &s);
    assert_int_equal(s.shared, 0);
    diff_free(d);
    doc_close(da);
    doc_close(db);
    free(got.v);
    free(a);
    free(b);
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

/* A loop-mounted XFS image at mnt (root, mkfs.xfs and a loop device
 * needed; XFS makes reflinks by default). 320 MiB, the smallest mkfs.xfs
 * takes; sparse, so it costs what is written. */
static bool mount_xfs(const char *dir, const char *mnt)
{
    char *img = tu_path(dir, "xfs.img"), *cmd;
    tu_make_file(img, 320 * MIB, 1);
    bool ok = asprintf(&cmd,
                       "PATH=$PATH:/sbin:/usr/sbin; mkfs.xfs -q -f -m reflink=1 '%s' >/dev/null "
                       "2>&1 && mount -o loop '%s' '%s' >/dev/null 2>&1",
                       img, img, mnt) >= 0;
    ok = ok && system(cmd) == 0;
    if (ok)
        tu_remember_mount(mnt);
    free(cmd);
    free(img);
    return ok;
}

/* b := a reflinked (FICLONE): 0, or the errno. */
static int clone_file(const char *pa, const char *pb)
{
    int fa = open(pa, O_RDONLY), fb = open(pb, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fa >= 0 && fb >= 0);
    int rc = ioctl(fb, FICLONE, fa) == 0 ? 0 : errno;
    close(fa);
    close(fb);
    return rc;
}

/* A real reflink: where the temporary directory's file system has no
 * FICLONE (ext4), on a loop-mounted XFS image; skipped, with the reason,
 * where neither can be had. A few blocks of the copy changed: those are
 * read, the rest is shared and skipped (counted), and the differences are
 * exactly the changed bytes. */
static void test_ficlone(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *mnt = tu_path(dir, "mnt");
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    tu_make_file(pa, 4 * MIB, 0);
    int e = clone_file(pa, pb);
    if (e != 0) {
        assert_int_equal(mkdir(mnt, 0700), 0);
        bool xfs = geteuid() == 0 && mount_xfs(dir, mnt);
        if (!xfs) {
            print_message("# FICLONE not supported here (%s) and no XFS image could be "
                          "mounted (root, mkfs.xfs from xfsprogs, a loop device): real "
                          "reflinks untested (test_fake_shared covers the logic)\n",
                          strerror(e));
            free(mnt);
            free(pa);
            free(pb);
            tu_rmdir(dir);
            skip();
        }
        free(pa);
        free(pb);
        pa = tu_path(mnt, "a");
        pb = tu_path(mnt, "b");
        tu_make_file(pa, 4 * MIB, 0);
        e = clone_file(pa, pb);
        if (e != 0) {
            print_message("# FICLONE fails on the XFS image too (%s): skipped\n", strerror(e));
            tu_unmount_all(NULL);
            free(mnt);
            free(pa);
            free(pb);
            tu_rmdir(dir);
            skip();
        }
    }
    /* Three changed blocks: one byte, a run across a block boundary. */
    int fb = open(pb, O_RDWR);
    assert_true(fb >= 0);
    uint8_t x = (uint8_t)(tu_pattern(3 * MIB) ^ 0xff), chg[8];
    for (size_t i = 0; i < sizeof chg; i++)
        chg[i] = (uint8_t)(tu_pattern(MIB + 4092 + i) ^ 0x0f);
    assert_int_equal(pwrite(fb, &x, 1, 3 * (off_t)MIB), 1);
    assert_int_equal(pwrite(fb, chg, sizeof chg, (off_t)(MIB + 4092)), (ssize_t)sizeof chg);
    assert_int_equal(fsync(fb), 0); /* dirty pages would not be trusted */
    close(fb);
    Doc *da = tu_open_doc(pa, MMH_MODE_READONLY, NULL);
    Doc *db = tu_open_doc(pb, MMH_MODE_READONLY, NULL);
    List got = {0};
    DiffOpts o = {.mode = DIFF_ALL, .on_range = collect, .ctx = &got};
    Diff *d;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.v[0].off, MIB + 4092);
    assert_int_equal(got.v[0].len, sizeof chg);
    assert_int_equal(got.v[1].off, 3 * MIB);
    assert_int_equal(got.v[1].len, 1);
    DiffSummary s;
    diff_summary(d, &s);
    print_message("# FICLONE: %llu bytes shared and skipped, %llu read\n",
                  (unsigned long long)s.shared, (unsigned long long)s.bytes_read);
    assert_true(s.shared >= 4 * MIB - 3 * 4096); /* all but the three changed blocks */
    assert_true(s.bytes_read <= 2 * 3 * 4096);
    diff_free(d);
    doc_close(da);
    doc_close(db);
    free(got.v);
    tu_unmount_all(NULL);
    free(mnt);
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

/* ---- truncated under the scan ----------------------------------------------- */

static void test_truncated(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    const uint64_t size = 16 * MIB, small = 1 * MIB;
    for (int back = 0; back < 2; back++) {
        for (int which = 0; which < 2; which++) {
            tu_make_file(pa, size, 0);
            tu_make_file(pb, size, 0);
            Doc *da = tu_open_doc(pa, MMH_MODE_COPY, NULL);
            Doc *db = tu_open_doc(pb, MMH_MODE_READONLY, NULL);
            uint8_t x = 0x55;
            assert_int_equal(doc_put(da, back ? 10 : size - 10, &x, 1), 0);
            DiffOpts o = {.mode = back ? DIFF_FIRST : DIFF_ALL,
                          .backward = back,
                          .from = size,
                          .window = 64 * KIB,
                          .threads = 2};
            Diff *d;
            assert_int_equal(diff_start(&d, da, db, &o), 0);
            assert_int_equal(diff_step(d, 1), DIFF_RUNNING);
            tu_truncate_by_child(which ? pb : pa, small);
            int rc = diff_step(d, 1);
            if (rc != -MMH_ETRUNC && rc != DIFF_RUNNING)
                print_message("# rc %d\n", rc);
            assert_true(rc == -MMH_ETRUNC || rc == DIFF_RUNNING);
            int trunc = rc == -MMH_ETRUNC;
            while ((rc = diff_step(d, 1)) != DIFF_DONE) {
                assert_true(rc == DIFF_RUNNING || rc == -MMH_ETRUNC);
                trunc += rc == -MMH_ETRUNC;
            }
            assert_true(trunc >= 1);
            DiffSummary s;
            diff_summary(d, &s);
            assert_int_equal(s.hi, size); /* the longer side's end */
            assert_int_equal(s.pair_hi, small);
            diff_free(d);
            doc_close(da);
            doc_close(db);
        }
    }
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

static int refuse(const DiffRange *r, void *ctx)
{
    (void)r, (void)ctx;
    return -EPIPE;
}

/* ---- bad arguments, empty files, a shift past the end -------------------------- */

static void test_edges(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    tu_make_file(pa, 0, 0);
    tu_make_file(pb, 100, 0);
    Doc *da = tu_open_doc(pa, MMH_MODE_READONLY, NULL);
    Doc *db = tu_open_doc(pb, MMH_MODE_READONLY, NULL);
    Diff *d;
    DiffOpts o = {.mode = DIFF_ALL, .shift = INT64_MIN};
    assert_int_equal(diff_start(&d, da, db, &o), -EINVAL);
    assert_null(d);
    List got = {0};
    o = (DiffOpts){.mode = DIFF_ALL, .on_range = collect, .ctx = &got};
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 1); /* all of B is the tail */
    assert_int_equal(got.v[0].off, 0);
    assert_int_equal(got.v[0].len, 100);
    assert_int_equal(diff_step(d, 1), DIFF_DONE);
    diff_free(d);
    /* B shifted past its end: nothing paired, A's bytes (none) the tail. */
    o.shift = 1000;
    got.n = 0;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 0);
    diff_free(d);
    o.shift = -40; /* A's positions 40.. meet B's 0..: the tail is [40, 140) */
    got.n = 0;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), DIFF_DONE);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.v[0].off, 40);
    assert_int_equal(got.v[0].len, 100);
    diff_free(d);
    /* The callback's error stops the step. */
    o.shift = 0;
    o.on_range = refuse;
    assert_int_equal(diff_start(&d, da, db, &o), 0);
    assert_int_equal(run(d, FOREVER, NULL), -EPIPE);
    diff_free(d);
    doc_close(da);
    free(got.v);
    doc_close(db);
    free(pa);
    free(pb);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_word_compares),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_dense_many),
        cmocka_unit_test(test_huge_sparse),
        cmocka_unit_test(test_fake_shared),
        cmocka_unit_test_teardown(test_ficlone, tu_unmount_all),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
