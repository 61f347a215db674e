/*
 * test_workpool: the pool search and diff share, and a part's read.
 *
 * The pool: rounds of every size from 1 part to all, many times over, each
 * part run exactly once per round, part 0 on the caller's thread and the
 * others each on its own worker, the same worker round after round (made
 * once, at start); parts past the round's size not run; the parts' writes
 * seen by the caller after the join. The read: the bytes of the file, with
 * copy-mode edits laid over (and only in copy mode); pread's EINTR and
 * short reads retried; an error passed on; a file shrunk by another
 * process is -MMH_ETRUNC, with nothing counted as read.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc.h"
#include "map_private.h"
#include "testutil.h"
#include "workpool.h"

#define KIB (UINT64_C(1) << 10)
#define MAXP 8 /* parts the tests ask for at most */

/* ---- the pool --------------------------------------------------------------- */

typedef struct Rec {
    int ran[MAXP];       /* times part k ran this round */
    pthread_t tid[MAXP]; /* the thread that ran it */
    uint64_t sum[MAXP];  /* work done by part k, read after the join */
} Rec;

static void record(void *ctx, int k)
{
    Rec *r = ctx;
    r->ran[k]++;
    r->tid[k] = pthread_self();
    uint64_t x = 0;
    for (int i = 0; i < 1000 * (k + 1); i++) /* uneven parts: some finish last */
        x += (uint64_t)i * (uint64_t)(k + 1);
    r->sum[k] = x;
}

static uint64_t expected_sum(int k)
{
    uint64_t x = 0;
    for (int i = 0; i < 1000 * (k + 1); i++)
        x += (uint64_t)i * (uint64_t)(k + 1);
    return x;
}

static void test_rounds(void **state)
{
    (void)state;
    const int threads = 4;
    Rec r;
    memset(&r, 0, sizeof r);
    WorkPool *p = NULL;
    assert_int_equal(workpool_start(&p, threads, record, &r), 0);
    assert_non_null(p);
    assert_int_equal(workpool_threads(p), threads);
    pthread_t worker[MAXP]; /* part k's thread, from the first full round */
    memset(worker, 0, sizeof worker);
    bool known = false;
    pthread_t me = pthread_self();
    for (int round = 0; round < 2000; round++) {
        int n = 1 + round % threads;
        memset(&r, 0, sizeof r);
        workpool_run(p, n);
        for (int k = 0; k < MAXP; k++) {
            if (k >= n) {
                assert_int_equal(r.ran[k], 0);
                continue;
            }
            assert_int_equal(r.ran[k], 1);
            assert_int_equal(r.sum[k], expected_sum(k)); /* the join orders the writes */
            if (k == 0)
                assert_true(pthread_equal(r.tid[0], me));
            else
                assert_false(pthread_equal(r.tid[k], me));
            for (int j = 1; j < k; j++)
                assert_false(pthread_equal(r.tid[j], r.tid[k]));
            if (known && k > 0)
                assert_true(pthread_equal(r.tid[k], worker[k]));
        }
        if (n == threads && !known) {
            memcpy(worker, r.tid, sizeof worker);
            known = true;
        }
    }
    assert_true(known);
    workpool_free(p);
    workpool_free(NULL);
}

static void test_one_thread(void **state)
{
    (void)state;
    Rec r;
    memset(&r, 0, sizeof r);
    WorkPool *p = NULL;
    assert_int_equal(workpool_start(&p, 1, record, &r), 0);
    assert_int_equal(workpool_threads(p), 1);
    for (int round = 0; round < 3; round++)
        workpool_run(p, 1);
    assert_int_equal(r.ran[0], 3);
    assert_int_equal(r.ran[1], 0);
    assert_true(pthread_equal(r.tid[0], pthread_self()));
    workpool_free(p);
}

static void test_size(void **state)
{
    (void)state;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int cpus = ncpu > 0 ? (int)ncpu : 1;
    assert_int_equal(workpool_size(3, 64), 3);
    assert_int_equal(workpool_size(100, 64), 64);
    assert_int_equal(workpool_size(0, 64), cpus < 64 ? cpus : 64);
    assert_int_equal(workpool_size(-1, 64), cpus < 64 ? cpus : 64);
    assert_int_equal(workpool_size(0, 1), 1);
}

/* ---- the read ------------------------------------------------------------- */

static int eintrs;     /* pread: fail this many calls with EINTR first */
static size_t most;    /* then return at most this many bytes (0: all) */
static int fail_errno; /* or fail every call with this (0: none) */
static int preads;     /* calls */

static ssize_t fake_pread(int fd, void *buf, size_t n, off_t off)
{
    preads++;
    if (fail_errno) {
        errno = fail_errno;
        return -1;
    }
    if (eintrs > 0) {
        eintrs--;
        errno = EINTR;
        return -1;
    }
    if (most && n > most)
        n = most;
    return sys_default.pread(fd, buf, n, off);
}

static void check_pattern(const uint8_t *buf, uint64_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buf[i] != tu_pattern(off + i))
            fail_msg("byte %zu of the window at %llu", i, (unsigned long long)off);
}

static void test_read(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 256 * KIB;
    const size_t n = 64 * KIB;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    SysOps ops = sys_default;
    ops.pread = fake_pread;
    const MmhMode modes[] = {MMH_MODE_READONLY, MMH_MODE_SHARED, MMH_MODE_COPY};
    for (size_t mi = 0; mi < sizeof modes / sizeof modes[0]; mi++) {
        tu_make_file(path, size, 0);
        Doc *d = tu_open_doc(path, modes[mi], &ops);
        uint64_t bytes = 5, off = 1000;

        /* Plain, then through EINTR and short reads. */
        eintrs = 0, most = 0, fail_errno = 0;
        assert_int_equal(workpool_read(d, buf, off, n, &bytes), 0);
        check_pattern(buf, off, n);
        assert_int_equal(bytes, 5 + n);
        eintrs = 2, most = 4000, preads = 0;
        memset(buf, 0, n);
        assert_int_equal(workpool_read(d, buf, off, n, &bytes), 0);
        check_pattern(buf, off, n);
        assert_int_equal(bytes, 5 + 2 * n);
        assert_int_equal(preads, 2 + (int)((n + 3999) / 4000));
        most = 0;

        /* An error is passed on, nothing counted. */
        fail_errno = EIO;
        assert_int_equal(workpool_read(d, buf, off, n, &bytes), -EIO);
        assert_int_equal(bytes, 5 + 2 * n);
        fail_errno = 0;

        /* An edit: laid over in copy mode (the file does not have it), in
         * the file already in shared mode. */
        if (modes[mi] != MMH_MODE_READONLY) {
            uint8_t x = (uint8_t)~tu_pattern(off + 7);
            assert_int_equal(doc_put(d, off + 7, &x, 1), 0);
            assert_int_equal(workpool_read(d, buf, off, n, &bytes), 0);
            assert_int_equal(buf[7], x);
            check_pattern(buf, off, 7);
            check_pattern(buf + 8, off + 8, n - 8);
            if (modes[mi] == MMH_MODE_COPY)
                assert_int_equal(tu_pread_byte(path, off + 7), tu_pattern(off + 7));
            else
                assert_int_equal(tu_pread_byte(path, off + 7), x);
        }

        /* Shrunk by another process: a window across the new end, or past
         * it, is -MMH_ETRUNC and not counted. */
        tu_truncate_by_child(path, 100 * KIB);
        uint64_t before = bytes;
        assert_int_equal(workpool_read(d, buf, 90 * KIB, n, &bytes), -MMH_ETRUNC);
        assert_int_equal(workpool_read(d, buf, 200 * KIB, n, &bytes), -MMH_ETRUNC);
        assert_int_equal(bytes, before);
        assert_int_equal(workpool_read(d, buf, 10 * KIB, n, &bytes), 0);
        assert_int_equal(bytes, before + n);
        doc_close(d);
    }
    free(buf);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_one_thread),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
