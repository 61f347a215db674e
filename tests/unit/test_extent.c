/*
 * test_extent: the one SEEK_DATA/SEEK_HOLE policy (extent.h), on a real
 * sparse file and under lseek faults.
 *
 * The sparse fixture is data [0, 1 MiB), a hole [1, 3 MiB), data [3, 4 MiB)
 * and a hole [4, 6 MiB) to the end. Every file system that reports holes
 * does so at this granularity; one that does not (it says all data) makes
 * the sparse checks skip, and says so. Faults come from a SysOps table
 * whose lseek fails with a chosen errno, and counts the calls.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "extent.h"
#include "map.h"
#include "sys.h"
#include "testutil.h"

#define MIB (UINT64_C(1) << 20)
#define SIZE (6 * MIB)

static int seeks;     /* SEEK_DATA and SEEK_HOLE calls */
static int fail_data; /* fail SEEK_DATA with this errno, when not 0 */
static int fail_hole; /* fail SEEK_HOLE with this errno, when not 0 */
static SysOps ops;    /* sys_default with t_lseek */

static off_t t_lseek(int fd, off_t off, int whence)
{
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
        seeks++;
        int e = whence == SEEK_DATA ? fail_data : fail_hole;
        if (e) {
            errno = e;
            return -1;
        }
    }
    return sys_default.lseek(fd, off, whence);
}

typedef struct Fix {
    char *dir;   /* the temporary directory */
    char *path;  /* the sparse file in it */
    int fd;      /* open on it */
    bool sparse; /* the file system reports its holes */
} Fix;

static int setup(void **state)
{
    Fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = tu_mkdtemp();
    f->path = tu_path(f->dir, "sparse");
    f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(f->fd >= 0);
    uint8_t *buf = malloc(MIB);
    assert_non_null(buf);
    memset(buf, 0xa5, MIB);
    assert_int_equal(pwrite(f->fd, buf, MIB, 0), (ssize_t)MIB);
    assert_int_equal(pwrite(f->fd, buf, MIB, 3 * MIB), (ssize_t)MIB);
    free(buf);
    assert_int_equal(ftruncate(f->fd, SIZE), 0);
    assert_int_equal(fsync(f->fd), 0);
    f->sparse = lseek(f->fd, 0, SEEK_HOLE) == (off_t)MIB;
    seeks = fail_data = fail_hole = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fix *f = *state;
    close(f->fd);
    free(f->path);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

static void is(const Extent *e, uint64_t lo, uint64_t hi, bool data)
{
    assert_int_equal(e->lo, lo);
    assert_int_equal(e->hi, hi);
    assert_int_equal(e->data, data);
}

#define NEED_SPARSE(f)                                                                             \
    do {                                                                                           \
        if (!(f)->sparse)                                                                          \
            skip(); /* this file system does not report holes */                                   \
    } while (0)

/* The region holding a position, one question at a time. */
static void test_at_sparse(void **state)
{
    Fix *f = *state;
    Extent e;
    NEED_SPARSE(f);
    assert_int_equal(extent_at(&ops, f->fd, 0, SIZE, false, &e), 0);
    is(&e, 0, MIB, true);
    assert_int_equal(extent_at(&ops, f->fd, MIB / 2, SIZE, false, &e), 0);
    is(&e, MIB / 2, MIB, true);
    /* A hole costs one SEEK_DATA: its end is where data starts. */
    seeks = 0;
    assert_int_equal(extent_at(&ops, f->fd, 2 * MIB, SIZE, false, &e), 0);
    is(&e, 2 * MIB, 3 * MIB, false);
    assert_int_equal(seeks, 1);
    assert_int_equal(extent_at(&ops, f->fd, 3 * MIB, SIZE, false, &e), 0);
    is(&e, 3 * MIB, 4 * MIB, true);
    /* ENXIO from SEEK_DATA: a hole to the end. */
    assert_int_equal(extent_at(&ops, f->fd, 5 * MIB, SIZE, false, &e), 0);
    is(&e, 5 * MIB, SIZE, false);
    /* Clipped to the size given, and nothing at or past it. */
    assert_int_equal(extent_at(&ops, f->fd, 3 * MIB, 3 * MIB + 10, false, &e), 0);
    is(&e, 3 * MIB, 3 * MIB + 10, true);
    assert_int_equal(extent_at(&ops, f->fd, 2 * MIB, 2 * MIB + 10, false, &e), 0);
    is(&e, 2 * MIB, 2 * MIB + 10, false);
    assert_int_equal(extent_at(&ops, f->fd, SIZE, SIZE, false, &e), -ENXIO);
    /* whole: all data, nothing asked. */
    seeks = 0;
    assert_int_equal(extent_at(&ops, f->fd, 2 * MIB, SIZE, true, &e), 0);
    is(&e, 2 * MIB, SIZE, true);
    assert_int_equal(seeks, 0);
}

/* A forward walk: two lseeks per data extent, none for questions the cache
 * answers, and "no more data" at the end. */
static void test_iter_walk(void **state)
{
    Fix *f = *state;
    ExtentIter it;
    Extent e;
    NEED_SPARSE(f);
    extent_iter_init(&it, &ops, f->fd, SIZE, false);
    seeks = 0;
    assert_int_equal(extent_next_data(&it, 0, &e), 0);
    is(&e, 0, MIB, true);
    assert_int_equal(extent_next_data(&it, 4096, &e), 0);
    is(&e, 4096, MIB, true);
    assert_int_equal(seeks, 2);
    assert_int_equal(extent_next_data(&it, MIB, &e), 0);
    is(&e, 3 * MIB, 4 * MIB, true);
    assert_int_equal(extent_next_data(&it, 2 * MIB, &e), 0); /* in the cached hole */
    is(&e, 3 * MIB, 4 * MIB, true);
    assert_int_equal(seeks, 4);
    /* Past the last extent: ENXIO, one lseek, then cached. */
    assert_int_equal(extent_next_data(&it, 4 * MIB, &e), 0);
    is(&e, SIZE, SIZE, true);
    assert_int_equal(extent_next_data(&it, 5 * MIB, &e), 0);
    is(&e, SIZE, SIZE, true);
    assert_int_equal(seeks, 5);
    assert_int_equal(extent_next_data(&it, SIZE, &e), 0);
    is(&e, SIZE, SIZE, true);
    assert_int_equal(seeks, 5);

    /* Regions, data and hole alike, through the same cache. */
    extent_iter_init(&it, &ops, f->fd, SIZE, false);
    uint64_t want[][3] = {
        {0, MIB, 1}, {MIB, 3 * MIB, 0}, {3 * MIB, 4 * MIB, 1}, {4 * MIB, SIZE, 0}};
    uint64_t pos = 0;
    seeks = 0;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(extent_iter_at(&it, pos, &e), 0);
        is(&e, want[i][0], want[i][1], want[i][2] != 0);
        pos = e.hi;
    }
    assert_int_equal(pos, SIZE);
    assert_int_equal(seeks, 5);
    assert_int_equal(extent_iter_at(&it, SIZE, &e), -ENXIO);
}

/* File systems, devices and pipes that cannot tell holes: all data, and the
 * iterator asks no more. */
static void test_cannot_tell(void **state)
{
    Fix *f = *state;
    static const int errs[] = {EOPNOTSUPP, EINVAL, ESPIPE};
    for (size_t i = 0; i < sizeof errs / sizeof *errs; i++) {
        ExtentIter it;
        Extent e;
        fail_data = errs[i];
        assert_int_equal(extent_at(&ops, f->fd, 2 * MIB, SIZE, false, &e), 0);
        is(&e, 2 * MIB, SIZE, true);
        extent_iter_init(&it, &ops, f->fd, SIZE, false);
        seeks = 0;
        assert_int_equal(extent_next_data(&it, 2 * MIB, &e), 0);
        is(&e, 2 * MIB, SIZE, true);
        assert_true(it.whole);
        assert_int_equal(extent_iter_at(&it, 5 * MIB, &e), 0);
        is(&e, 5 * MIB, SIZE, true);
        assert_int_equal(seeks, 1);
        fail_data = 0;

        /* The same from SEEK_HOLE. */
        fail_hole = errs[i];
        assert_int_equal(extent_at(&ops, f->fd, 0, SIZE, false, &e), 0);
        is(&e, 0, SIZE, true);
        extent_iter_init(&it, &ops, f->fd, SIZE, false);
        assert_int_equal(extent_next_data(&it, 0, &e), 0);
        is(&e, 0, SIZE, true);
        assert_true(it.whole);
        fail_hole = 0;
    }
    /* A walker told so up front (a block device) never asks. */
    ExtentIter it;
    Extent e;
    extent_iter_init(&it, &ops, f->fd, SIZE, true);
    seeks = 0;
    assert_int_equal(extent_next_data(&it, MIB, &e), 0);
    is(&e, MIB, SIZE, true);
    assert_int_equal(seeks, 0);
}

/* SEEK_HOLE's ENXIO after SEEK_DATA found data: the file shrank between the
 * calls, so the data is taken to run to the end (read, never skipped). */
static void test_shrank_between(void **state)
{
    Fix *f = *state;
    ExtentIter it;
    Extent e;
    NEED_SPARSE(f);
    fail_hole = ENXIO;
    assert_int_equal(extent_at(&ops, f->fd, 3 * MIB, SIZE, false, &e), 0);
    is(&e, 3 * MIB, SIZE, true);
    extent_iter_init(&it, &ops, f->fd, SIZE, false);
    assert_int_equal(extent_next_data(&it, MIB, &e), 0);
    is(&e, 3 * MIB, SIZE, true);
    assert_false(it.whole);
}

/* Any other error is the caller's, and the cache is left as it was. */
static void test_errors(void **state)
{
    Fix *f = *state;
    ExtentIter it;
    Extent e;
    fail_data = EIO;
    assert_int_equal(extent_at(&ops, f->fd, 0, SIZE, false, &e), -EIO);
    fail_data = 0;
    fail_hole = EIO;
    assert_int_equal(extent_at(&ops, f->fd, 0, SIZE, false, &e), -EIO);
    fail_hole = 0;

    /* A fresh iterator stays empty. */
    extent_iter_init(&it, &ops, f->fd, SIZE, false);
    ExtentIter before = it;
    fail_data = EIO;
    assert_int_equal(extent_next_data(&it, 0, &e), -EIO);
    assert_int_equal(extent_iter_at(&it, 0, &e), -EIO);
    fail_data = 0;
    assert_memory_equal(&before, &it, sizeof it);
    if (!f->sparse)
        return;
    /* One that holds [0, 1 MiB) keeps it through failures past it. */
    assert_int_equal(extent_next_data(&it, 0, &e), 0);
    before = it;
    fail_data = EIO;
    assert_int_equal(extent_next_data(&it, 5 * MIB, &e), -EIO);
    fail_data = 0;
    fail_hole = EBADF;
    assert_int_equal(extent_next_data(&it, 2 * MIB, &e), -EBADF);
    assert_memory_equal(&before, &it, sizeof it);
    /* A cached answer needs no lseek, so it cannot fail. */
    fail_data = EIO;
    assert_int_equal(extent_next_data(&it, 4096, &e), 0);
    is(&e, 4096, MIB, true);
    fail_data = fail_hole = 0;
}

/* The map hands out an iterator over its own file, up to its size. */
static void test_map_iter(void **state)
{
    Fix *f = *state;
    MapOpts o = {MMH_MODE_READONLY, &ops};
    Map *m;
    ExtentIter it;
    Extent e;
    bool data;
    uint64_t end;
    NEED_SPARSE(f);
    assert_int_equal(map_open(&m, f->path, &o), 0);
    map_extent_iter(m, &it);
    assert_int_equal(it.size, SIZE);
    assert_false(it.whole);
    assert_int_equal(extent_next_data(&it, MIB, &e), 0);
    is(&e, 3 * MIB, 4 * MIB, true);
    assert_int_equal(map_region(m, MIB, &data, &end), 0);
    assert_false(data);
    assert_int_equal(end, 3 * MIB);
    assert_int_equal(map_region(m, SIZE, &data, &end), -ENXIO);
    uint64_t at;
    assert_int_equal(map_seek_region(m, 0, true, false, &at), 0);
    assert_int_equal(at, 3 * MIB);
    assert_int_equal(map_seek_region(m, SIZE, false, true, &at), 0);
    assert_int_equal(at, 4 * MIB);
    assert_int_equal(map_seek_region(m, 4 * MIB, true, false, &at), -ENXIO);
    fail_data = EOPNOTSUPP; /* one data region: nothing to seek to */
    assert_int_equal(map_seek_region(m, 0, true, false, &at), -ENXIO);
    fail_data = EIO;
    assert_int_equal(map_region(m, MIB, &data, &end), -EIO);
    fail_data = 0;
    map_close(m);
}

int main(void)
{
    ops = sys_default;
    ops.lseek = t_lseek;
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_at_sparse),      T(test_iter_walk), T(test_cannot_tell),
        T(test_shrank_between), T(test_errors),    T(test_map_iter),
    };
    return cmocka_run_group_tests_name("extent", tests, NULL, NULL);
}
