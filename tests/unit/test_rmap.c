/*
 * test_rmap: the residency map, sampled from real files and rendered into
 * grids read back as text and classes.
 *
 * Page-cache state is set up right before it is asserted: this VM's DAMON
 * reclaim may evict idle, unmapped page cache within about a minute, so
 * "cached" fixtures are populated through the map (MADV_POPULATE_READ),
 * which keeps them mapped, just before the sample. Fixtures are written and
 * fsync'd, so their pages are clean unless a test dirties them.
 *
 * Syscall failures (the permission trap, a kernel without cachestat, a
 * cachestat that fails part-way, no PAGEMAP_SCAN) are made with a SysOps
 * table that wraps sys_default, passed through MapOpts.sys.
 *
 * cmocka installs its own SIGBUS handler around every test; map_open
 * (through guard_init) puts the guard's back whenever it is not in force,
 * so the documents each test opens are guarded without help.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <unistd.h>

#include "doc.h"
#include "guard.h"
#include "map.h"
#include "rmap.h"
#include "testutil.h"
#include "view.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define TIB (1ull << 40)

/* ---- a syscall table with failures on demand ------------------------------ */

static int cs_errno;       /* cachestat fails with this when non-zero */
static long cs_fail_after; /* or succeeds this many more times, then EIO (-1: never) */
static bool no_scan;       /* the PAGEMAP_SCAN ioctl is missing (ENOTTY) */
static SysOps wrap_ops;    /* sys_default with the two below */

static int wrap_cachestat(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags)
{
    if (cs_errno) {
        errno = cs_errno;
        return -1;
    }
    if (cs_fail_after == 0) {
        errno = EIO;
        return -1;
    }
    if (cs_fail_after > 0)
        cs_fail_after--;
    return sys_default.cachestat(fd, r, cs, flags);
}

static int wrap_ioctl(int fd, unsigned long req, void *arg)
{
    if (no_scan && req == (unsigned long)SYS_PAGEMAP_SCAN) {
        errno = ENOTTY;
        return -1;
    }
    return sys_default.ioctl(fd, req, arg);
}

/* ---- fixture ------------------------------------------------------------- */

typedef struct Fx {
    char *dir;   /* the test's temporary directory */
    char *path;  /* the file mapped */
    Doc *d;      /* the document, or NULL */
    Rmap r;      /* the map under test */
    Grid g;      /* the frame */
    RmapInfo in; /* render inputs */
    char line[4096];
} Fx;

static Fx *fx_new(void)
{
    Fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->dir = tu_mkdtemp();
    x->path = tu_path(x->dir, "f.bin");
    x->in.name = "f.bin";
    x->g.cur_row = x->g.cur_col = -1;
    cs_errno = 0;
    cs_fail_after = -1;
    no_scan = false;
    return x;
}

/* Write len bytes of the test pattern (sparse: just the size) and fsync,
 * so the pages are clean. */
static void fx_make(Fx *x, uint64_t len, int sparse)
{
    int fd;

    if (x->d) /* the file is about to be replaced under it */
        doc_close(x->d);
    x->d = NULL;
    tu_make_file(x->path, len, sparse);
    fd = open(x->path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(fsync(fd), 0);
    close(fd);
}

static void fx_open(Fx *x, MmhMode mode, const SysOps *sys)
{
    MapOpts o = {mode, sys};

    if (x->d)
        doc_close(x->d);
    x->d = NULL;
    assert_int_equal(doc_open(&x->d, x->path, &o), 0);
}

static void fx_free(Fx *x)
{
    rmap_free(&x->r);
    if (x->d)
        doc_close(x->d);
    grid_free(&x->g);
    free(x->path);
    tu_rmdir(x->dir);
    free(x);
}

static void fx_render(Fx *x, int rows, int cols)
{
    assert_int_equal(grid_resize(&x->g, rows, cols), 0);
    rmap_render(&x->r, &x->in, &x->g);
}

static const char *fx_row(Fx *x, int row)
{
    return grid_row_text(&x->g, row, x->line, sizeof x->line);
}

static const Cell *cell(const Fx *x, int row, int col)
{
    return &x->g.cells[(size_t)row * (size_t)x->g.cols + (size_t)col];
}

/* The cell of bucket i. */
static const Cell *bcell(const Fx *x, size_t i)
{
    return cell(x, 1 + (int)(i / (size_t)x->g.cols), (int)(i % (size_t)x->g.cols));
}

/* Cells of the map area (rows 1 .. rows-4) that draw a bucket. */
static size_t bucket_cells(const Fx *x)
{
    size_t k = 0;

    for (int row = 1; row < x->g.rows - 3; row++)
        for (int col = 0; col < x->g.cols; col++)
            switch (cell(x, row, col)->cls) {
            case MMH_CC_GLYPH:
            case MMH_CC_GLYPH_OUT:
            case MMH_CC_GLYPH_HOT:
            case MMH_CC_HOLE:
            case MMH_CC_CURSOR:
            case MMH_CC_CURSOR2: k++; break;
            default: break;
            }
    return k;
}

/* Whether any row of the frame contains part. */
static bool frame_has(Fx *x, const char *part)
{
    for (int row = 0; row < x->g.rows; row++)
        if (strstr(fx_row(x, row), part))
            return true;
    return false;
}

static void assert_contains(const char *s, const char *part)
{
    if (!strstr(s, part))
        fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static void assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

/* The buckets cover [0, size) exactly, in page-aligned pieces of at least a
 * page that differ by at most a page, and rmap_bucket_of inverts them. */
static void check_geometry(const Rmap *r, uint64_t size, uint64_t ps)
{
    uint32_t lo_pages = UINT32_MAX, hi_pages = 0;

    assert_true(r->n > 0);
    assert_int_equal(r->size, size);
    assert_int_equal(r->b[0].lo, 0);
    assert_int_equal(r->b[r->n - 1].hi, size);
    for (size_t i = 0; i < r->n; i++) {
        const RmapBucket *b = &r->b[i];
        assert_int_equal(b->lo % ps, 0);
        assert_true(b->hi > b->lo);
        if (i + 1 < r->n) {
            assert_int_equal(b->hi, r->b[i + 1].lo);
            assert_int_equal(b->hi % ps, 0);
        }
        assert_int_equal(b->pages, (b->hi - b->lo + ps - 1) / ps);
        assert_true(b->pages >= 1);
        lo_pages = b->pages < lo_pages ? b->pages : lo_pages;
        hi_pages = b->pages > hi_pages ? b->pages : hi_pages;
        assert_int_equal(rmap_bucket_of(r, b->lo), i);
        assert_int_equal(rmap_bucket_of(r, b->hi - 1), i);
        assert_int_equal(rmap_bucket_of(r, b->lo + (b->hi - b->lo) / 2), i);
    }
    assert_true(hi_pages - lo_pages <= 1);
    assert_int_equal(rmap_bucket_of(r, size), r->n - 1);
    assert_int_equal(rmap_bucket_of(r, UINT64_MAX), r->n - 1);
}

/* ---- geometry --------------------------------------------------------------- */

static void test_capacity(void **state)
{
    (void)state;
    assert_int_equal(rmap_capacity(24, 80), 80 * 20);
    assert_int_equal(rmap_capacity(10, 40), 40 * 6);
    assert_int_equal(rmap_capacity(5, 1), 1);
    assert_int_equal(rmap_capacity(5, 80), 80);
    assert_int_equal(rmap_capacity(4, 80), 0);
    assert_int_equal(rmap_capacity(24, 0), 0);
    assert_int_equal(rmap_capacity(0, 0), 0);
    assert_int_equal(rmap_capacity(-3, 80), 0);
    assert_int_equal(rmap_capacity(24, -1), 0);
}

static void test_bucket_math(void **state)
{
    const uint64_t sizes[] = {1, 4095, 4096, 4097, 10 * 4096 + 1, MIB + 123, 64 * MIB - 1, TIB};
    const size_t ns[] = {1, 2, 3, 7, 10, 11, 1000, 1600};
    Fx *x = fx_new();

    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        fx_make(x, sizes[s], 1);
        fx_open(x, MMH_MODE_SHARED, NULL);
        uint64_t ps = map_pagesize(doc_map(x->d)), pages = (sizes[s] + ps - 1) / ps;
        for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
            assert_int_equal(rmap_sample(&x->r, x->d, ns[k]), 0);
            assert_int_equal(x->r.rc, 0);
            /* n is lowered for tiny files so each bucket holds a page. */
            assert_int_equal(x->r.n, ns[k] < pages ? ns[k] : pages);
            assert_int_equal(x->r.pagesize, ps);
            check_geometry(&x->r, sizes[s], ps);
        }
    }

    /* The array is reallocated only when n changes. */
    assert_int_equal(rmap_sample(&x->r, x->d, 500), 0);
    RmapBucket *b = x->r.b;
    assert_int_equal(rmap_sample(&x->r, x->d, 500), 0);
    assert_ptr_equal(x->r.b, b);

    /* n 0 asks for nothing: -EINVAL, the map as it was. */
    assert_int_equal(rmap_sample(&x->r, x->d, 0), -EINVAL);
    assert_int_equal(x->r.rc, -EINVAL);
    assert_int_equal(x->r.n, 500);

    /* Past the cap. */
    assert_int_equal(rmap_sample(&x->r, x->d, (size_t)RMAP_MAX_BUCKETS * 4), 0);
    assert_int_equal(x->r.n, RMAP_MAX_BUCKETS);
    check_geometry(&x->r, TIB, map_pagesize(doc_map(x->d)));
    fx_free(x);
}

static void test_empty_file(void **state)
{
    Fx *x = fx_new();

    (void)state;
    fx_make(x, 0, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    assert_int_equal(rmap_sample(&x->r, x->d, 100), 0);
    assert_int_equal(x->r.n, 0);
    assert_int_equal(x->r.size, 0);
    assert_int_equal(rmap_bucket_of(&x->r, 0), 0);
    fx_render(x, 24, 80);
    assert_prefix(fx_row(x, 0), " mmhex residency map  f.bin");
    assert_true(frame_has(x, "(empty file)"));
    assert_int_equal(bucket_cells(x), 0);
    fx_free(x);
}

/* ---- page-cache state ------------------------------------------------------ */

/* Buckets [i, j) each have at least num/den of their pages cached. */
static bool cached_share(const Rmap *r, size_t i, size_t j, uint64_t num, uint64_t den)
{
    for (; i < j; i++)
        if ((uint64_t)r->b[i].cached * den < (uint64_t)r->b[i].pages * num)
            return false;
    return true;
}

/* Read [lo, lo+len) through the map (MADV_POPULATE_READ: the pages stay
 * mapped) and sample n buckets, until buckets [i, j) hold num/den of their
 * pages. Reclaim under memory pressure (other jobs share this machine) may
 * take pages between the read and the sample, so try a few times; false
 * when the kernel would not keep them. */
static bool read_and_sample(Fx *x, size_t n, uint64_t lo, uint64_t len, size_t i, size_t j,
                            uint64_t num, uint64_t den)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        assert_int_equal(map_prefetch(doc_map(x->d), lo, len, true), 0);
        assert_int_equal(rmap_sample(&x->r, x->d, n), 0);
        if (cached_share(&x->r, i, j, num, den))
            return true;
    }
    print_message("# the kernel would not keep the pages cached (memory pressure?)\n");
    return false;
}

static void test_cached_then_evicted(void **state)
{
    Fx *x = fx_new();
    Map *m;

    (void)state;
    fx_make(x, 64 * MIB, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    m = doc_map(x->d);

    /* Read it all, then sample: every page of every bucket cached. */
    if (!read_and_sample(x, 64, 0, 0, 0, 64, 1, 1)) {
        fx_free(x);
        skip();
    }
    assert_int_equal(x->r.n, 64);
    for (size_t i = 0; i < x->r.n; i++) {
        assert_int_equal(x->r.b[i].pages, MIB / map_pagesize(m));
        assert_int_equal(x->r.b[i].cached, x->r.b[i].pages);
        assert_int_equal(x->r.b[i].dirty, 0);
        assert_false(x->r.b[i].hole);
        assert_false(x->r.b[i].locked);
        assert_false(x->r.b[i].edited);
    }
    print_message("# 64 MiB cached, 64 buckets: sampled in %" PRIu64 " us\n", x->r.ns / 1000);
    if (!read_and_sample(x, 1000, 0, 0, 0, 1000, 1, 1)) {
        fx_free(x);
        skip();
    }
    print_message("# 64 MiB cached, 1000 buckets: sampled in %" PRIu64 " us\n", x->r.ns / 1000);
    assert_int_equal(x->r.n, 1000);

    x->in.selected = SIZE_MAX;
    x->in.cursor = 0;
    fx_render(x, 24, 80);
    for (size_t i = 0; i < x->r.n; i++)
        assert_int_equal(bcell(x, i)->ch, '#');
    assert_contains(fx_row(x, 22), "cached 64.0M/64.0M (100.0%)");

    /* Evicted: nothing cached anywhere. */
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 1000), 0);
    for (size_t i = 0; i < x->r.n; i++)
        assert_int_equal(x->r.b[i].cached, 0);
    fx_render(x, 24, 80);
    for (size_t i = 0; i < x->r.n; i++)
        assert_int_equal(bcell(x, i)->ch, ' ');
    assert_contains(fx_row(x, 22), "cached 0B/64.0M (0.0%)");

    /* Half of one bucket read back: a shade between none and all. */
    if (!read_and_sample(x, 64, 10 * MIB, MIB / 2, 10, 11, 1, 2)) {
        fx_free(x);
        skip();
    }
    fx_render(x, 24, 80);
    assert_true(strchr(".-+*#", (int)bcell(x, 10)->ch) != NULL);
    assert_int_equal(bcell(x, 30)->ch, ' ');
    fx_free(x);
}

static void test_dirty_shared(void **state)
{
    const uint8_t bytes[4] = {1, 2, 3, 4};
    Fx *x = fx_new();

    (void)state;
    fx_make(x, 8 * MIB, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    assert_int_equal(doc_put(x->d, 5 * MIB + 100, bytes, sizeof bytes), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    for (size_t i = 0; i < x->r.n; i++) {
        if (i == 5)
            assert_true(x->r.b[i].dirty > 0);
        else
            assert_int_equal(x->r.b[i].dirty, 0);
        assert_false(x->r.b[i].edited);
    }
    x->in.selected = 0;
    fx_render(x, 24, 80);
    assert_int_equal(bcell(x, 5)->ch, 'D');
    assert_int_equal(bcell(x, 5)->cls, MMH_CC_GLYPH_HOT);
    assert_true(bcell(x, 4)->ch != 'D');

    /* Written: clean again. */
    assert_int_equal(doc_write(x->d, NULL), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    assert_int_equal(x->r.b[5].dirty, 0);
    fx_render(x, 24, 80);
    assert_true(bcell(x, 5)->ch != 'D');
    fx_free(x);
}

static void test_locked(void **state)
{
    Fx *x = fx_new();
    Map *m;
    int rc;

    (void)state;
    fx_make(x, 8 * MIB, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    m = doc_map(x->d);
    rc = map_lock(m, 3 * MIB + 8192, 4096);
    if (rc == -EPERM || rc == -ENOMEM || rc == -EAGAIN) {
        fx_free(x);
        skip(); /* no lock allowance at all here */
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    for (size_t i = 0; i < x->r.n; i++)
        assert_int_equal(x->r.b[i].locked, i == 3);
    assert_int_equal(x->r.locked, 4096);
    fx_render(x, 24, 80);
    assert_int_equal(bcell(x, 3)->ch, 'L');
    assert_contains(fx_row(x, 22), "locked 4.0K");

    assert_int_equal(map_unlock(m, 0, 0), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    assert_false(x->r.b[3].locked);
    fx_free(x);
}

/* A copy-mode edit marks its bucket 'C', with PAGEMAP_SCAN and without. */
static void check_edited(bool scan)
{
    const uint8_t bytes[2] = {0xde, 0xad};
    Fx *x = fx_new();

    no_scan = !scan;
    fx_make(x, 8 * MIB, 0);
    fx_open(x, MMH_MODE_COPY, scan ? NULL : &wrap_ops);
    if (!scan)
        assert_false(resid_has_pagemap_scan(doc_resid(x->d)));
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    for (size_t i = 0; i < x->r.n; i++)
        assert_false(x->r.b[i].edited);

    assert_int_equal(doc_put(x->d, 6 * MIB + 4095, bytes, sizeof bytes), 0); /* two pages */
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    for (size_t i = 0; i < x->r.n; i++) {
        assert_int_equal(x->r.b[i].edited, i == 6);
        assert_int_equal(x->r.b[i].dirty, 0); /* the page cache is untouched */
    }
    fx_render(x, 24, 80);
    assert_int_equal(bcell(x, 6)->ch, 'C');
    assert_int_equal(bcell(x, 6)->cls, MMH_CC_GLYPH_HOT);

    /* The first and the last byte too: the ends of the halving. */
    assert_int_equal(doc_put(x->d, 0, bytes, 1), 0);
    assert_int_equal(doc_put(x->d, 8 * MIB - 1, bytes, 1), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    for (size_t i = 0; i < x->r.n; i++)
        assert_int_equal(x->r.b[i].edited, i == 0 || i == 6 || i == 7);

    /* Written: the private copies are dropped. */
    assert_int_equal(doc_write(x->d, NULL), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 8), 0);
    assert_false(x->r.b[6].edited);
    fx_free(x);
}

static void test_edited_copy(void **state)
{
    (void)state;
    check_edited(true);
}

static void test_edited_copy_no_scan(void **state)
{
    (void)state;
    check_edited(false);
}

/* ---- a 1 TiB sparse file --------------------------------------------------- */

static void test_sparse_tib(void **state)
{
    const uint64_t island = 700 * GIB + 12345, ilen = MIB;
    uint8_t *buf = malloc(ilen);
    Fx *x = fx_new();
    size_t holes = 0;
    int fd;

    (void)state;
    assert_non_null(buf);
    memset(buf, 0x5a, ilen);
    fd = open(x->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    if (ftruncate(fd, (off_t)TIB) < 0) {
        close(fd);
        free(buf);
        fx_free(x);
        skip(); /* the file system cannot hold it */
    }
    assert_int_equal(pwrite(fd, buf, ilen, (off_t)island), (ssize_t)ilen);
    assert_int_equal(fsync(fd), 0);
    close(fd);
    free(buf);

    fx_open(x, MMH_MODE_COPY, NULL);
    assert_int_equal(rmap_sample(&x->r, x->d, 1000), 0);
    print_message("# 1 TiB sparse, 1000 buckets: sampled in %" PRIu64 " us\n", x->r.ns / 1000);
    assert_int_equal(x->r.n, 1000);
    check_geometry(&x->r, TIB, map_pagesize(doc_map(x->d)));
    for (size_t i = 0; i < x->r.n; i++) {
        const RmapBucket *b = &x->r.b[i];
        bool data = b->lo < island + ilen && island < b->hi;
        assert_int_equal(b->hole, !data);
        holes += b->hole;
    }
    assert_true(holes >= x->r.n - 2);
    assert_false(x->r.b[rmap_bucket_of(&x->r, island)].hole);

    x->in.selected = SIZE_MAX;
    x->in.cursor = 0;
    fx_render(x, 24, 80);
    for (size_t i = 0; i < x->r.n; i++) {
        if (!x->r.b[i].hole) {
            assert_true(bcell(x, i)->ch != '_');
            continue;
        }
        assert_int_equal(bcell(x, i)->ch, '_');
        if (i != 0) /* bucket 0 has the cursor's class */
            assert_int_equal(bcell(x, i)->cls, MMH_CC_HOLE);
    }
    assert_contains(fx_row(x, 0), "1.0 TiB  1000 x 1.0 GiB  ");
    fx_render(x, 24, 200);
    assert_contains(fx_row(x, 0), "f.bin  1.0 TiB  1000 buckets of 1.0 GiB each  sampled in ");

    /* Again, warm. */
    assert_int_equal(rmap_sample(&x->r, x->d, 1000), 0);
    print_message("# 1 TiB sparse, 1000 buckets, again: %" PRIu64 " us\n", x->r.ns / 1000);
    assert_int_equal(rmap_sample(&x->r, x->d, 10000), 0);
    print_message("# 1 TiB sparse, 10000 buckets: %" PRIu64 " us\n", x->r.ns / 1000);

    /* An edit far from the island: one bucket 'C', and every bucket is then
     * asked (PAGEMAP_SCAN walks only populated page tables). */
    const uint8_t one = 0x77;
    assert_int_equal(doc_put(x->d, 100 * GIB, &one, 1), 0);
    assert_int_equal(rmap_sample(&x->r, x->d, 1000), 0);
    print_message("# 1 TiB sparse, 1000 buckets, one edit: %" PRIu64 " us\n", x->r.ns / 1000);
    for (size_t i = 0; i < x->r.n; i++)
        assert_int_equal(x->r.b[i].edited, i == rmap_bucket_of(&x->r, 100 * GIB));
    fx_free(x);
}

/* ---- failures ---------------------------------------------------------------- */

static void test_permission_trap(void **state)
{
    Fx *x = fx_new();

    (void)state;
    fx_make(x, 4 * MIB, 0);
    cs_errno = EPERM;
    fx_open(x, MMH_MODE_SHARED, &wrap_ops);
    assert_false(resid_known(doc_resid(x->d)));
    assert_int_equal(rmap_sample(&x->r, x->d, 100), -EPERM);
    assert_int_equal(x->r.rc, -EPERM);
    assert_int_equal(x->r.n, 0);

    x->in.unknown_why = resid_why_unknown(doc_resid(x->d));
    fx_render(x, 24, 80);
    assert_prefix(fx_row(x, 0), " mmhex residency map  f.bin");
    assert_int_equal(cell(x, 0, 0)->cls, MMH_CC_TITLE);
    assert_true(frame_has(x, "residency: n/a (no write permission"));
    assert_int_equal(bucket_cells(x), 0);
    assert_false(frame_has(x, "D dirty"));
    /* Without words from the caller, still n/a. */
    x->in.unknown_why = NULL;
    fx_render(x, 10, 40);
    assert_true(frame_has(x, "residency: n/a"));
    fx_free(x);
}

static void test_no_cachestat(void **state)
{
    Fx *x = fx_new();

    (void)state;
    fx_make(x, 4 * MIB, 0);
    cs_errno = ENOSYS;
    fx_open(x, MMH_MODE_SHARED, &wrap_ops);
    assert_true(resid_known(doc_resid(x->d)));
    assert_false(resid_has_cachestat(doc_resid(x->d)));
    assert_int_equal(rmap_sample(&x->r, x->d, 100), -ENOSYS);
    assert_int_equal(x->r.rc, -ENOSYS);
    fx_render(x, 24, 80);
    assert_true(frame_has(x, "n/a (this kernel has no cachestat"));
    assert_int_equal(bucket_cells(x), 0);
    fx_free(x);
}

/* A cachestat failing part-way leaves the previous map, whatever n. */
static void test_failure_keeps_map(void **state)
{
    Fx *x = fx_new();
    RmapBucket before[16], *b;
    uint64_t ns;

    (void)state;
    fx_make(x, 4 * MIB, 0);
    fx_open(x, MMH_MODE_SHARED, &wrap_ops);
    assert_int_equal(rmap_sample(&x->r, x->d, 16), 0);
    memcpy(before, x->r.b, sizeof before);
    b = x->r.b;
    ns = x->r.ns;

    for (size_t k = 0; k < 2; k++) { /* the same n, then another */
        size_t n = k == 0 ? 16 : 4;
        cs_fail_after = 2;
        assert_int_equal(rmap_sample(&x->r, x->d, n), -EIO);
        assert_int_equal(x->r.rc, -EIO);
        assert_int_equal(x->r.n, 16);
        assert_ptr_equal(x->r.b, b);
        assert_int_equal(x->r.ns, ns);
        assert_memory_equal(x->r.b, before, sizeof before);
    }
    /* The stale map still draws; the caller words the error. */
    fx_render(x, 24, 80);
    assert_int_equal(bucket_cells(x), 16);
    cs_fail_after = -1;
    assert_int_equal(rmap_sample(&x->r, x->d, 4), 0);
    assert_int_equal(x->r.n, 4);
    fx_free(x);
}

/* ---- rendering --------------------------------------------------------------- */

static void test_render_sizes(void **state)
{
    const int sizes[][2] = {{24, 80}, {10, 40}, {5, 1}, {5, 7}, {50, 200}};
    Fx *x = fx_new();
    char want[128];

    (void)state;
    fx_make(x, 64 * MIB, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int rows = sizes[k][0], cols = sizes[k][1];
        size_t cap = rmap_capacity(rows, cols);

        assert_int_equal(rmap_sample(&x->r, x->d, cap), 0);
        assert_int_equal(x->r.n, cap);
        x->in.cursor = 0;
        x->in.selected = 0;
        fx_render(x, rows, cols);
        assert_int_equal(bucket_cells(x), cap);
        if (cols >= 27)
            assert_prefix(fx_row(x, 0), " mmhex residency map  f.bin");
        for (int c = 0; c < cols; c++)
            assert_int_equal(cell(x, 0, c)->cls, MMH_CC_TITLE);
        assert_int_equal(cell(x, rows - 3, 0)->cls, MMH_CC_STATUS);
        assert_int_equal(cell(x, rows - 2, 0)->cls, MMH_CC_STATUS);
        if (cols >= 200) {
            snprintf(want, sizeof want,
                     " mmhex residency map  f.bin  64.0 MiB  %zu buckets of 7.1 KiB each  "
                     "sampled in ",
                     cap);
            assert_prefix(fx_row(x, 0), want);
        } else if (cols >= 80) {
            snprintf(want, sizeof want, "64.0 MiB  %zu x 40.9 KiB  ", cap);
            assert_contains(fx_row(x, 0), want);
        }
        if (cols >= 80) {
            assert_contains(fx_row(x, 0), " ms");
            assert_string_equal(fx_row(x, rows - 3), "' '.-+*# none..all cached  D dirty "
                                                     "W writeback L locked C edited _ hole");
            assert_prefix(fx_row(x, rows - 2), "cached ");
            assert_contains(fx_row(x, rows - 2), "Enter: go  Esc/m: back");
        } else if (cols >= 40) {
            assert_prefix(fx_row(x, rows - 3), "' '.-+*# cached D W L C _");
            assert_prefix(fx_row(x, rows - 2), "cached ");
        }
        /* The selected bucket (bucket 0, also the cursor's) holds the cursor. */
        assert_int_equal(bcell(x, 0)->cls, MMH_CC_CURSOR);
        assert_int_equal(x->g.cur_row, 1);
        assert_int_equal(x->g.cur_col, 0);
        if (cols >= 40)
            assert_prefix(fx_row(x, rows - 1), "bucket 1/");
    }

    /* A tiny file: fewer buckets than cells, one cell each. */
    fx_make(x, 10 * 4096, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    assert_int_equal(rmap_sample(&x->r, x->d, rmap_capacity(24, 80)), 0);
    assert_int_equal(x->r.n, 10);
    fx_render(x, 24, 80);
    assert_int_equal(bucket_cells(x), 10);
    assert_contains(fx_row(x, 0), "40.0 KiB  10 x 4.0 KiB  ");
    fx_free(x);
}

static void test_cursor_message(void **state)
{
    Fx *x = fx_new();

    (void)state;
    fx_make(x, 8 * MIB, 1);
    fx_open(x, MMH_MODE_SHARED, NULL);
    assert_int_equal(rmap_sample(&x->r, x->d, 100), 0);
    /* Wrapping: bucket 45 of a 40-column map sits on row 2, column 5. */
    x->in.cursor = x->r.b[45].lo + 17;
    x->in.selected = 60;
    fx_render(x, 10, 40);
    assert_int_equal(cell(x, 2, 5)->cls, MMH_CC_CURSOR2);
    assert_int_equal(cell(x, 2, 20)->cls, MMH_CC_CURSOR);
    assert_int_equal(x->g.cur_row, 2);
    assert_int_equal(x->g.cur_col, 20);
    assert_int_equal(cell(x, 2, 6)->cls, MMH_CC_HOLE);
    assert_int_equal(cell(x, 2, 6)->ch, '_');
    assert_prefix(fx_row(x, 9), "bucket 61/100  0x");
    fx_render(x, 10, 200);
    assert_contains(fx_row(x, 9), "  hole");
    fx_render(x, 10, 40);

    /* A message takes the row; an error has its class. */
    x->in.message = "jumped";
    fx_render(x, 10, 40);
    assert_string_equal(fx_row(x, 9), "jumped");
    assert_int_equal(cell(x, 9, 0)->cls, MMH_CC_MESSAGE);
    x->in.message_error = true;
    fx_render(x, 10, 40);
    assert_int_equal(cell(x, 9, 0)->cls, MMH_CC_ERROR);

    /* No info at all is fine. */
    rmap_render(&x->r, NULL, &x->g);
    assert_int_equal(bucket_cells(x), 100);
    fx_free(x);
}

static void test_tiny_terminals(void **state)
{
    Fx *x = fx_new();
    Rmap trap = {0};

    (void)state;
    trap.rc = -EPERM;
    fx_make(x, 4 * MIB, 0);
    fx_open(x, MMH_MODE_SHARED, NULL);
    assert_int_equal(rmap_sample(&x->r, x->d, 1000), 0);
    x->in.message = "a long message that will not fit in a tiny terminal at all";
    for (int rows = 0; rows <= 7; rows++) {
        for (int cols = 0; cols <= 20; cols++) {
            x->in.selected = (size_t)(rows * cols); /* sometimes past the end */
            fx_render(x, rows, cols);
            if (rows >= 1 && rows < 5 && cols >= 18)
                assert_true(frame_has(x, "terminal too small"));
            if (rows >= 5 && cols >= 1)
                assert_int_equal(bucket_cells(x), rmap_capacity(rows, cols));
            rmap_render(&trap, &x->in, &x->g);
        }
    }
    /* Too few rows, however wide. */
    fx_render(x, 3, 300);
    assert_true(frame_has(x, "terminal too small"));
    fx_free(x);
}

int main(void)
{
    wrap_ops = sys_default;
    wrap_ops.cachestat = wrap_cachestat;
    wrap_ops.ioctl = wrap_ioctl;

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity),       cmocka_unit_test(test_bucket_math),
        cmocka_unit_test(test_empty_file),     cmocka_unit_test(test_cached_then_evicted),
        cmocka_unit_test(test_dirty_shared),   cmocka_unit_test(test_locked),
        cmocka_unit_test(test_edited_copy),    cmocka_unit_test(test_edited_copy_no_scan),
        cmocka_unit_test(test_sparse_tib),     cmocka_unit_test(test_permission_trap),
        cmocka_unit_test(test_no_cachestat),   cmocka_unit_test(test_failure_keeps_map),
        cmocka_unit_test(test_render_sizes),   cmocka_unit_test(test_cursor_message),
        cmocka_unit_test(test_tiny_terminals),
    };
    return cmocka_run_group_tests_name("rmap", tests, NULL, NULL);
}
