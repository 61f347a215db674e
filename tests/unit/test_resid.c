/*
 * test_resid: the residency module against the real kernel.
 *
 * Each test works in its own temporary directory and asserts only what the
 * kernel guarantees: pages just read are resident, pages dropped with
 * MADV_DONTNEED + POSIX_FADV_DONTNEED after fsync are not, MS_SYNC leaves
 * nothing dirty, a COW page is present and anonymous. Readahead and large
 * folios make neighbouring pages resident or dirty too, so nothing here says
 * "exactly these and no others" where the kernel may do more.
 *
 * The permission trap is exercised for real when run as root: the program
 * re-executes a copy of itself as nobody (--trap-child, handled in main()
 * before cmocka) and checks that a root-owned, evicted file is reported as
 * unknown, never resident. SysOps wrappers fake the trap, a kernel without
 * cachestat or PAGEMAP_SCAN, and fail the n-th syscall.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "resid.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KiB (1024ull)
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define TiB (1024ull * GiB)

static uint64_t ps;

/* cmocka 1.1.5 prints a skipped test as "not ok N # SKIP" in TAP, which
 * automake's TAP driver counts as a failure. So a test that cannot run here
 * says why in a TAP comment and passes under TAP; elsewhere it skips. */
static bool tap_output(void)
{
    const char *o = getenv("CMOCKA_MESSAGE_OUTPUT");
    return o && strcasecmp(o, "tap") == 0;
}

#define skip_because(why)                                                                          \
    do {                                                                                           \
        print_message("# SKIP: %s\n", why);                                                        \
        if (!tap_output())                                                                         \
            skip();                                                                                \
        return;                                                                                    \
    } while (0)

/* ---- fixtures ----------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fsync and drop path from the page cache: with no mapping and nothing
 * dirty, POSIX_FADV_DONTNEED removes every page. */
static void drop_file(const char *path)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
}

/* A written (not sparse) file of len bytes, on disk and out of the cache. */
static void make_cold(const char *path, uint64_t len)
{
    tu_make_file(path, len, 0);
    drop_file(path);
}

/* A sparse file as large as the file system allows up to want bytes (ext4
 * stops one block short of 16 TiB). Returns the size made. */
static uint64_t make_sparse(const char *path, uint64_t want)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    uint64_t len = want;
    assert_true(fd >= 0);
    while (ftruncate(fd, (off_t)len) < 0) {
        assert_int_equal(errno, EFBIG);
        assert_true(len > want - 64 * KiB);
        len -= ps;
    }
    close(fd);
    return len;
}

/* Read [off, off+len) through pread on a descriptor told POSIX_FADV_RANDOM,
 * so exactly those pages (no readahead) enter the cache. */
static void cache_exactly(const char *path, uint64_t off, uint64_t len)
{
    static uint8_t buf[256 * KiB];
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
    for (uint64_t o = off; o < off + len; o += sizeof buf) {
        size_t n = off + len - o < sizeof buf ? (size_t)(off + len - o) : sizeof buf;
        assert_int_equal(pread(fd, buf, n, (off_t)o), (ssize_t)n);
    }
    close(fd);
}

static Map *open_map(const char *path, MmhMode mode, const SysOps *sys)
{
    MapOpts o = {mode, sys};
    Map *m = NULL;
    int rc = map_open(&m, path, &o);
    if (rc != 0)
        fail_msg("map_open %s: %s", path, map_strerror(rc));
    return m;
}

static Resid *open_resid(Map *m)
{
    Resid *r = NULL;
    assert_int_equal(resid_open(&r, m), 0);
    assert_non_null(r);
    return r;
}

/* Read the whole map through map_read, so every page is faulted in. */
static void read_all(Map *m)
{
    static uint8_t buf[1 * MiB];
    uint64_t size = map_size(m);
    for (uint64_t o = 0; o < size; o += sizeof buf) {
        size_t n = size - o < sizeof buf ? (size_t)(size - o) : sizeof buf;
        assert_int_equal(map_read(m, o, buf, n), 0);
    }
}

static size_t count_flag(const uint8_t *f, size_t n, uint8_t bit)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (f[i] & bit) != 0;
    return c;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static ResidCount count_of(Resid *r, uint64_t off, uint64_t len)
{
    ResidCount c;
    memset(&c, 0xa5, sizeof c);
    assert_int_equal(resid_count(r, off, len, &c), 0);
    assert_int_equal(c.src, RESID_SRC_CACHESTAT);
    return c;
}

/* ---- SysOps wrappers ------------------------------------------------------ */

static int cachestat_errno; /* what the faking cachestat fails with */

static int cachestat_fails(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags)
{
    (void)fd, (void)r, (void)cs, (void)flags;
    errno = cachestat_errno;
    return -1;
}

static int ioctl_noscan(int fd, unsigned long req, void *arg)
{
    if (req == SYS_PAGEMAP_SCAN) {
        errno = ENOTTY;
        return -1;
    }
    return sys_default.ioctl(fd, req, arg);
}

static SysOps ops_with_cachestat_errno(int e)
{
    SysOps o = sys_default;
    cachestat_errno = e;
    o.cachestat = cachestat_fails;
    return o;
}

/* Fault injection: once armed, the n-th call through the table fails. */
static struct {
    int armed;    /* count calls only between map_open and map_close */
    long calls;   /* calls counted so far */
    long fail_at; /* the call that fails */
    int hit;      /* it was reached */
    int noscan;   /* also behave as a kernel without PAGEMAP_SCAN */
} fi;

static int fi_fail(void)
{
    if (!fi.armed || ++fi.calls != fi.fail_at)
        return 0;
    fi.hit = 1;
    errno = EIO;
    return 1;
}

static int fi_open(const char *p, int f, int mode)
{
    return fi_fail() ? -1 : sys_default.open(p, f, mode);
}
static int fi_close(int fd)
{
    /* close always releases the descriptor, even when it reports EIO. */
    int rc = sys_default.close(fd);
    return fi_fail() ? -1 : rc;
}
static int fi_fstat(int fd, struct stat *st)
{
    return fi_fail() ? -1 : sys_default.fstat(fd, st);
}
static int fi_ioctl(int fd, unsigned long req, void *arg)
{
    if (fi_fail())
        return -1;
    return fi.noscan ? ioctl_noscan(fd, req, arg) : sys_default.ioctl(fd, req, arg);
}
static off_t fi_lseek(int fd, off_t off, int wh)
{
    return fi_fail() ? -1 : sys_default.lseek(fd, off, wh);
}
static ssize_t fi_pread(int fd, void *b, size_t n, off_t off)
{
    return fi_fail() ? -1 : sys_default.pread(fd, b, n, off);
}
static ssize_t fi_pwrite(int fd, const void *b, size_t n, off_t off)
{
    return fi_fail() ? -1 : sys_default.pwrite(fd, b, n, off);
}
static int fi_fsync(int fd)
{
    return fi_fail() ? -1 : sys_default.fsync(fd);
}
static int fi_sfr(int fd, off_t off, off_t n, unsigned fl)
{
    return fi_fail() ? -1 : sys_default.sync_file_range(fd, off, n, fl);
}
static int fi_fadvise(int fd, off_t off, off_t n, int adv)
{
    return fi_fail() ? EIO : sys_default.fadvise(fd, off, n, adv);
}
static void *fi_mmap(void *a, size_t n, int prot, int fl, int fd, off_t off)
{
    return fi_fail() ? MAP_FAILED : sys_default.mmap(a, n, prot, fl, fd, off);
}
static int fi_munmap(void *a, size_t n)
{
    return fi_fail() ? -1 : sys_default.munmap(a, n);
}
static void *fi_mremap(void *a, size_t on, size_t nn, int fl)
{
    return fi_fail() ? MAP_FAILED : sys_default.mremap(a, on, nn, fl);
}
static int fi_msync(void *a, size_t n, int fl)
{
    return fi_fail() ? -1 : sys_default.msync(a, n, fl);
}
static int fi_mlock(const void *a, size_t n)
{
    return fi_fail() ? -1 : sys_default.mlock(a, n);
}
static int fi_mlock2(const void *a, size_t n, unsigned fl)
{
    return fi_fail() ? -1 : sys_default.mlock2(a, n, fl);
}
static int fi_munlock(const void *a, size_t n)
{
    return fi_fail() ? -1 : sys_default.munlock(a, n);
}
static int fi_madvise(void *a, size_t n, int adv)
{
    return fi_fail() ? -1 : sys_default.madvise(a, n, adv);
}
static int fi_mincore(void *a, size_t n, unsigned char *v)
{
    return fi_fail() ? -1 : sys_default.mincore(a, n, v);
}
static int fi_cachestat(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned fl)
{
    return fi_fail() ? -1 : sys_default.cachestat(fd, r, cs, fl);
}
static int fi_getrlimit(int res, struct rlimit *rl)
{
    return fi_fail() ? -1 : sys_default.getrlimit(res, rl);
}
static int fi_getrusage(int who, struct rusage *ru)
{
    return fi_fail() ? -1 : sys_default.getrusage(who, ru);
}

static int fi_faccessat(int dirfd, const char *path, int mode, int flags)
{
    return fi_fail() ? -1 : sys_default.faccessat(dirfd, path, mode, flags);
}

static const SysOps ops_fi = {
    .faccessat = fi_faccessat,
    .open = fi_open,
    .close = fi_close,
    .fstat = fi_fstat,
    .ioctl = fi_ioctl,
    .lseek = fi_lseek,
    .pread = fi_pread,
    .pwrite = fi_pwrite,
    .fsync = fi_fsync,
    .sync_file_range = fi_sfr,
    .fadvise = fi_fadvise,
    .mmap = fi_mmap,
    .munmap = fi_munmap,
    .mremap = fi_mremap,
    .msync = fi_msync,
    .mlock = fi_mlock,
    .mlock2 = fi_mlock2,
    .munlock = fi_munlock,
    .madvise = fi_madvise,
    .mincore = fi_mincore,
    .cachestat = fi_cachestat,
    .getrlimit = fi_getrlimit,
    .getrusage = fi_getrusage,
};

/* ---- resid_pages ---------------------------------------------------------- */

static void test_pages_structure(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 64 * ps;
    uint8_t f[128];
    Map *m;
    Resid *r;

    make_cold(path, size);
    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    assert_true(resid_known(r));
    assert_null(resid_why_unknown(r));

    /* Page counts: the pages covering the range, clamped to EOF and n. */
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), 64);
    assert_int_equal(resid_pages(r, 100, ps, f, sizeof f), 2);
    assert_int_equal(resid_pages(r, ps, 1, f, sizeof f), 1);
    assert_int_equal(resid_pages(r, 0, size, f, 3), 3);
    assert_int_equal(resid_pages(r, size - 10, 100, f, sizeof f), 1);
    assert_int_equal(resid_pages(r, size - 1, UINT64_MAX, f, sizeof f), 1);
    assert_int_equal(resid_pages(r, size, ps, f, sizeof f), 0);
    assert_int_equal(resid_pages(r, 2 * size, ps, f, sizeof f), 0);
    assert_int_equal(resid_pages(r, 0, 0, f, sizeof f), 0);
    assert_int_equal(resid_pages(r, 0, size, f, 0), 0);

    /* Cold: nothing resident (a written file has no holes either). */
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), 64);
    assert_int_equal(count_flag(f, 64, MMH_PG_RESIDENT), 0);
    assert_int_equal(count_flag(f, 64, MMH_PG_UNKNOWN | MMH_PG_LOCKED | MMH_PG_EDITED), 0);
    assert_int_equal(count_flag(f, 64, MMH_PG_HOLE), 0);

    /* Read through the map: all resident, none dirty. */
    read_all(m);
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), 64);
    assert_int_equal(count_flag(f, 64, MMH_PG_RESIDENT), 64);
    assert_int_equal(count_flag(f, 64, MMH_PG_DIRTY | MMH_PG_WRITEBACK), 0);

    /* Evicted: none. */
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), 64);
    assert_int_equal(count_flag(f, 64, MMH_PG_RESIDENT), 0);

    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* Pages cached by another reader (not mapped by us) are resident too, and
 * fadvise on an unmapped range drops them. */
static void test_pages_other_reader(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 64 * ps;
    uint8_t f[64];
    Map *m;
    Resid *r;

    make_cold(path, size);
    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    cache_exactly(path, 8 * ps, 4 * ps);
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), 64);
    for (int i = 8; i < 12; i++)
        assert_true(f[i] & MMH_PG_RESIDENT);
    drop_file(path);
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), 64);
    assert_int_equal(count_flag(f, 64, MMH_PG_RESIDENT), 0);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

static void test_empty_file(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "empty");
    uint8_t f[4];
    uint64_t edited = 99;
    ResidCount c;
    ResidScan s;
    Map *m;
    Resid *r;

    tu_make_file(path, 0, 0);
    m = open_map(path, MMH_MODE_COPY, NULL);
    r = open_resid(m);
    assert_int_equal(resid_pages(r, 0, 4096, f, sizeof f), 0);
    c = count_of(r, 0, 0);
    assert_int_equal(c.pages, 0);
    assert_int_equal(c.cached, 0);
    assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
    assert_int_equal(edited, 0);
    resid_scan_start(&s, 0, 0);
    assert_int_equal(resid_scan_step(r, &s, 16), 1);
    assert_int_equal(s.acc.pages, 0);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- cachestat counts ------------------------------------------------------ */

static void test_count_dirty_writeback(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 16 * MiB, pages = size / ps;
    static uint8_t buf[1 * MiB];
    uint8_t f[256];
    ResidCount c;
    Map *m;
    Resid *r;

    make_cold(path, size);
    m = open_map(path, MMH_MODE_SHARED, NULL);
    r = open_resid(m);
    assert_true(resid_has_cachestat(r));

    c = count_of(r, 0, 0);
    assert_int_equal(c.pages, pages);
    assert_int_equal(c.cached, 0);
    assert_int_equal(c.dirty, 0);

    read_all(m);
    c = count_of(r, 0, 0);
    assert_int_equal(c.pages, pages);
    assert_int_equal(c.cached, pages);
    assert_int_equal(c.dirty, 0);
    assert_int_equal(c.writeback, 0);
    assert_true(c.evicted >= 0 && c.recently_evicted >= 0);
    assert_true(c.recently_evicted <= c.evicted);

    /* Sub-ranges count the pages covering them. */
    c = count_of(r, 100, 10);
    assert_int_equal(c.pages, 1);
    assert_int_equal(c.cached, 1);
    c = count_of(r, ps - 1, 2);
    assert_int_equal(c.pages, 2);
    c = count_of(r, size - 1, 1000);
    assert_int_equal(c.pages, 1);
    c = count_of(r, size, 0);
    assert_int_equal(c.pages, 0);
    assert_int_equal(c.cached, 0);

    /* A 1 MiB shared write dirties at least its 256 pages (large folios
     * may dirty more), and each of them shows DIRTY. */
    memset(buf, 0x5a, sizeof buf);
    assert_int_equal(map_write(m, 0, buf, sizeof buf), 0);
    c = count_of(r, 0, 0);
    assert_true(c.dirty >= (int64_t)(1 * MiB / ps));
    assert_int_equal(resid_pages(r, 0, 1 * MiB, f, sizeof f), 1 * MiB / ps);
    assert_int_equal(count_flag(f, 1 * MiB / ps, MMH_PG_DIRTY), 1 * MiB / ps);
    assert_int_equal(count_flag(f, 1 * MiB / ps, MMH_PG_RESIDENT), 1 * MiB / ps);

    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    c = count_of(r, 0, 0);
    assert_int_equal(c.dirty, 0);
    assert_int_equal(c.writeback, 0);
    assert_int_equal(resid_pages(r, 0, 1 * MiB, f, sizeof f), 1 * MiB / ps);
    assert_int_equal(count_flag(f, 1 * MiB / ps, MMH_PG_DIRTY | MMH_PG_WRITEBACK), 0);

    /* Asynchronous flush: writeback starts and drains to 0. */
    memset(buf, 0xa5, sizeof buf);
    assert_int_equal(map_write(m, 4 * MiB, buf, sizeof buf), 0);
    assert_true(count_of(r, 0, 0).dirty >= (int64_t)(1 * MiB / ps));
    assert_int_equal(map_flush(m, 4 * MiB, 1 * MiB, false, NULL), 0);
    double t0 = now_s();
    do {
        c = count_of(r, 4 * MiB, 1 * MiB);
        if (c.writeback == 0 && c.dirty == 0)
            break;
        usleep(2000);
    } while (now_s() - t0 < 10);
    assert_int_equal(c.writeback, 0);
    assert_int_equal(c.dirty, 0);

    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

static void test_evict(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 8 * MiB;
    ResidCount c;
    Map *m;
    Resid *r;

    make_cold(path, size);
    m = open_map(path, MMH_MODE_SHARED, NULL);
    r = open_resid(m);
    read_all(m);
    assert_int_equal(count_of(r, 0, 0).cached, size / ps);
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    c = count_of(r, 0, 0);
    assert_int_equal(c.cached, 0);
    assert_int_equal(c.dirty, 0);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- locks ----------------------------------------------------------------- */

static void test_lock(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 4 * MiB, n = 1 * MiB / ps;
    uint8_t f[512];
    Map *m;
    Resid *r;
    int rc;

    make_cold(path, size);
    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    rc = map_lock(m, 1 * MiB, 1 * MiB);
    if (rc == -ENOMEM || rc == -EPERM) {
        resid_close(r);
        map_close(m);
        free(path);
        tu_rmdir(dir);
        skip_because("map_lock of 1 MiB refused here (RLIMIT_MEMLOCK)");
    }
    assert_int_equal(rc, 0);
    if (tu_status_kib("VmLck") < (long)(1 * MiB / KiB)) {
        /* AddressSanitizer turns mlock(2) into a no-op: the bookkeeping
         * holds, but the kernel populated nothing, so fault the pages in. */
        print_message("# mlock did not lock (sanitizer?): reading the range\n");
        static uint8_t buf[1 * MiB];
        assert_int_equal(map_read(m, 1 * MiB, buf, sizeof buf), 0);
    }
    assert_int_equal(resid_pages(r, 1 * MiB, 1 * MiB, f, sizeof f), n);
    assert_int_equal(count_flag(f, n, MMH_PG_LOCKED), n);
    assert_int_equal(count_flag(f, n, MMH_PG_RESIDENT), n);
    /* The pages around: one before and one after are not locked. */
    assert_int_equal(resid_pages(r, 1 * MiB - ps, 1 * MiB + 2 * ps, f, sizeof f), n + 2);
    assert_false(f[0] & MMH_PG_LOCKED);
    assert_true(f[1] & MMH_PG_LOCKED);
    assert_true(f[n] & MMH_PG_LOCKED);
    assert_false(f[n + 1] & MMH_PG_LOCKED);
    assert_int_equal(map_unlock(m, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(resid_pages(r, 1 * MiB, 1 * MiB, f, sizeof f), n);
    assert_int_equal(count_flag(f, n, MMH_PG_LOCKED), 0);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- copy mode: edited pages ---------------------------------------------- */

static void check_edited(const SysOps *sys, bool want_scan)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 2 * MiB, pages = size / ps, edited = 99;
    uint8_t f[512], b = 0xee;
    Map *m;
    Resid *r;

    make_cold(path, size);
    m = open_map(path, MMH_MODE_COPY, sys);
    r = open_resid(m);
    if (want_scan && !resid_has_pagemap_scan(r)) {
        resid_close(r);
        map_close(m);
        free(path);
        tu_rmdir(dir);
        skip_because("this kernel has no PAGEMAP_SCAN (before 6.7)");
    }
    assert_int_equal(resid_has_pagemap_scan(r), want_scan);

    /* Every page mapped from the file: present, file-backed, not edited. */
    read_all(m);
    assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
    assert_int_equal(edited, 0);

    assert_int_equal(map_write(m, 5 * ps + 17, &b, 1), 0);
    assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
    assert_int_equal(edited, 1);
    assert_int_equal(resid_edited(r, 5 * ps, 1, &edited), 0);
    assert_int_equal(edited, 1);
    assert_int_equal(resid_edited(r, 6 * ps, 0, &edited), 0);
    assert_int_equal(edited, 0);
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), pages);
    assert_int_equal(count_flag(f, pages, MMH_PG_EDITED), 1);
    assert_true(f[5] & MMH_PG_EDITED);
    assert_true(f[5] & MMH_PG_RESIDENT);
    /* The file's page cache is untouched by a private write. */
    assert_int_equal(count_of(r, 0, 0).dirty, 0);

    /* More runs than one PAGEMAP_SCAN vector holds (64): every other page
     * of 200, plus the one above. */
    for (uint64_t i = 0; i < 200; i++)
        assert_int_equal(map_write(m, (100 + 2 * i) * ps, &b, 1), 0);
    assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
    assert_int_equal(edited, 201);
    assert_int_equal(resid_pages(r, 0, size, f, sizeof f), pages);
    assert_int_equal(count_flag(f, pages, MMH_PG_EDITED), 201);
    assert_true(f[100] & MMH_PG_EDITED);
    assert_false(f[101] & MMH_PG_EDITED);
    assert_true(f[498] & MMH_PG_EDITED);
    assert_false(f[499] & MMH_PG_EDITED);
    assert_int_equal(count_of(r, 0, 0).dirty, 0);

    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

static void test_edited_pagemap_scan(void **state)
{
    (void)state;
    check_edited(NULL, true);
}

static void test_edited_pagemap_read(void **state)
{
    (void)state;
    SysOps o = sys_default;
    o.ioctl = ioctl_noscan;
    check_edited(&o, false);
}

/* Outside copy mode nothing is edited, whatever was written. */
static void test_edited_shared(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t edited = 99;
    uint8_t f[4], b = 1;
    Map *m;
    Resid *r;

    tu_make_file(path, 4 * ps, 0);
    m = open_map(path, MMH_MODE_SHARED, NULL);
    r = open_resid(m);
    assert_int_equal(map_write(m, 0, &b, 1), 0);
    assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
    assert_int_equal(edited, 0);
    assert_int_equal(resid_pages(r, 0, 4 * ps, f, sizeof f), 4);
    assert_int_equal(count_flag(f, 4, MMH_PG_EDITED), 0);
    assert_true(f[0] & MMH_PG_DIRTY);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- holes ----------------------------------------------------------------- */

static void test_holes(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "sparse");
    uint64_t size = 16 * MiB, pages = size / ps, d = 4 * MiB / ps;
    static uint8_t f[16 * MiB / 4096];
    uint8_t data[4096];
    Map *m;
    Resid *r;
    int fd;

    assert_true(ps <= sizeof data);
    tu_make_file(path, size, 1);
    fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    memset(data, 0x42, sizeof data);
    assert_int_equal(pwrite(fd, data, ps, (off_t)(4 * MiB)), (ssize_t)ps);
    assert_int_equal(fsync(fd), 0);
    close(fd);

    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    assert_true(pages <= sizeof f);
    assert_int_equal(resid_pages(r, 0, size, f, pages), pages);
    assert_false(f[d] & MMH_PG_HOLE);
    assert_true(f[0] & MMH_PG_HOLE);
    assert_true(f[d - 1] & MMH_PG_HOLE);
    assert_true(f[d + 1] & MMH_PG_HOLE);
    assert_true(f[pages - 1] & MMH_PG_HOLE);
    /* The file system may allocate around the block, never less. */
    assert_true(count_flag(f, pages, MMH_PG_HOLE) >= pages - 2 * MiB / ps);
    assert_true(count_flag(f, pages, MMH_PG_HOLE) <= pages - 1);

    /* A small window across the data page, and one wholly in the tail. */
    assert_int_equal(resid_pages(r, 4 * MiB - ps, 3 * ps, f, 3), 3);
    assert_false(f[1] & MMH_PG_HOLE);
    assert_int_equal(resid_pages(r, 12 * MiB + 5, 2 * ps, f, 3), 3);
    assert_int_equal(count_flag(f, 3, MMH_PG_HOLE), 3);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- a 16 TiB sparse file: costs that do not grow with the file ------------ */

static void test_huge_sparse(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "huge");
    uint64_t size = make_sparse(path, 16 * TiB), edited = 99;
    uint8_t f[4];
    ResidCount c;
    double t0;
    Map *m;
    Resid *r;

    m = open_map(path, MMH_MODE_COPY, NULL);
    r = open_resid(m);

    t0 = now_s();
    c = count_of(r, 0, 0);
    assert_true(now_s() - t0 < 1.0);
    assert_int_equal(c.pages, (size + ps - 1) / ps);
    assert_int_equal(c.cached, 0);

    if (resid_has_pagemap_scan(r)) {
        t0 = now_s();
        assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
        assert_true(now_s() - t0 < 1.0);
        assert_int_equal(edited, 0);
    }

    /* The last page: one page, a hole, not resident, not edited. */
    assert_int_equal(resid_pages(r, size - 1, 1, f, sizeof f), 1);
    assert_int_equal(f[0] & (MMH_PG_RESIDENT | MMH_PG_EDITED | MMH_PG_UNKNOWN), 0);
    assert_true(f[0] & MMH_PG_HOLE);
    assert_int_equal(resid_pages(r, size - 2 * ps, 10 * ps, f, sizeof f), 2);

    /* Edit the last page: it alone is edited, found without a long walk. */
    uint8_t b = 7;
    assert_int_equal(map_write(m, size - 1, &b, 1), 0);
    if (resid_has_pagemap_scan(r)) {
        t0 = now_s();
        assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
        assert_true(now_s() - t0 < 1.0);
        assert_int_equal(edited, 1);
    }
    assert_int_equal(resid_pages(r, size - 1, 1, f, sizeof f), 1);
    assert_true(f[0] & MMH_PG_EDITED);
    assert_true(f[0] & MMH_PG_RESIDENT);

    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- ResidScan ------------------------------------------------------------- */

static void test_scan_agrees(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint64_t size = 8 * MiB, pages = size / ps;
    ResidScan s;
    ResidCount c;
    Map *m;
    Resid *r;
    int rc, steps = 0;

    make_cold(path, size);
    cache_exactly(path, 0, size / 2);
    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);

    c = count_of(r, 0, 0);
    assert_true(c.cached >= pages / 2 && c.cached < pages);
    resid_scan_start(&s, 0, 0);
    assert_int_equal(s.pos, 0);
    assert_int_equal(s.acc.pages, 0);
    assert_int_equal(s.acc.src, RESID_SRC_MINCORE);
    assert_int_equal(s.acc.dirty, -1);
    assert_int_equal(s.acc.writeback, -1);
    assert_int_equal(s.acc.evicted, -1);
    while ((rc = resid_scan_step(r, &s, 100)) == 0)
        steps++;
    assert_int_equal(rc, 1);
    assert_int_equal(steps, (int)((pages + 99) / 100) - 1);
    assert_int_equal(s.acc.pages, c.pages);
    assert_int_equal(s.acc.cached, c.cached);
    assert_int_equal(s.pos, size);
    assert_int_equal(s.acc.dirty, -1);

    /* An unaligned sub-range counts the same pages as cachestat. */
    resid_scan_start(&s, size / 2 - 100, 2 * ps);
    assert_int_equal(resid_scan_step(r, &s, 1000), 1);
    c = count_of(r, size / 2 - 100, 2 * ps);
    assert_int_equal(s.acc.pages, c.pages);
    assert_int_equal(s.acc.pages, 3);
    assert_int_equal(s.acc.cached, c.cached);
    /* A finished scan stays finished. */
    assert_int_equal(resid_scan_step(r, &s, 1000), 1);
    assert_int_equal(s.acc.pages, 3);

    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

static void test_scan_bounded(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "big");
    uint64_t size = make_sparse(path, 64 * GiB), max = 262144, prev = 0;
    ResidScan s;
    Map *m;
    Resid *r;
    int rc, zeros = 0;

    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    resid_scan_start(&s, 0, size);
    while ((rc = resid_scan_step(r, &s, max)) == 0) {
        zeros++;
        assert_true(s.acc.pages - prev == max);
        assert_true(s.pos < s.end);
        prev = s.acc.pages;
    }
    assert_int_equal(rc, 1);
    assert_true(zeros > 0);
    assert_true(s.acc.pages - prev <= max);
    assert_int_equal(s.acc.pages, size / ps);
    assert_int_equal(s.acc.cached, 0);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- the permission trap --------------------------------------------------- */

/* What a trapped Resid must say, for the child and the faked trap alike.
 * Returns the number of failed checks. */
static int trap_checks(Map *m, Resid *r, const char *who)
{
    uint8_t f[64];
    ResidCount c;
    ResidScan s;
    int bad = 0;
    long n;

#define TRAP_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "# %s: failed: %s\n", who, #cond);                                     \
            bad++;                                                                                 \
        }                                                                                          \
    } while (0)
    TRAP_CHECK(!resid_known(r));
    TRAP_CHECK(resid_why_unknown(r) && strstr(resid_why_unknown(r), "no write permission"));
    TRAP_CHECK(resid_count(r, 0, 0, &c) == -EPERM);
    n = resid_pages(r, 0, map_size(m), f, sizeof f);
    TRAP_CHECK(n > 0);
    for (long i = 0; i < n; i++) {
        TRAP_CHECK(f[i] & MMH_PG_UNKNOWN);
        TRAP_CHECK(!(f[i] & MMH_PG_RESIDENT));
    }
    resid_scan_start(&s, 0, 0);
    TRAP_CHECK(resid_scan_step(r, &s, 64) == -EPERM);
#undef TRAP_CHECK
    return bad;
}

/* The child's exit status when nobody cannot reach the file (a temporary
 * directory under a private one): the test is skipped, not failed. */
#define TRAP_UNREACHABLE 77

/* The child: run as nobody on a root-owned 0644 file that is evicted. */
static int trap_child(const char *path)
{
    SysOps nocs;
    Map *m = NULL;
    Resid *r = NULL;
    MapOpts o = {MMH_MODE_AUTO, NULL};
    unsigned char v[64];
    int bad = 0, rc;

    ps = (uint64_t)sysconf(_SC_PAGESIZE);
    if (geteuid() == 0) {
        fprintf(stderr, "# trap child: still root\n");
        return 1;
    }
    rc = map_open(&m, path, &o);
    if (rc != 0) {
        fprintf(stderr, "# trap child: map_open: %s\n", map_strerror(rc));
        return rc == -EACCES || rc == -ENOENT ? TRAP_UNREACHABLE : 1;
    }
    /* For the record: what the kernel tells mincore's caller. */
    if (mincore((void *)map_addr(m, 0), 64 * ps, v) == 0) {
        int res = 0;
        for (int i = 0; i < 64; i++)
            res += v[i] & 1;
        fprintf(stderr, "# trap child: raw mincore says %d/64 resident\n", res);
    }
    rc = resid_open(&r, m);
    if (rc != 0) {
        fprintf(stderr, "# trap child: resid_open: %d\n", rc);
        map_close(m);
        return 1;
    }
    bad += trap_checks(m, r, "trap child (cachestat EPERM)");
    resid_close(r);
    map_close(m);

    /* Without cachestat to ask, the trap must be inferred from ownership. */
    nocs = ops_with_cachestat_errno(ENOSYS);
    o.sys = &nocs;
    if (map_open(&m, path, &o) != 0 || resid_open(&r, m) != 0) {
        fprintf(stderr, "# trap child: open without cachestat failed\n");
        return 1;
    }
    bad += trap_checks(m, r, "trap child (no cachestat)");
    resid_close(r);
    map_close(m);
    return bad ? 1 : 0;
}

static void test_trap_real(void **state)
{
    (void)state;
    char *dir, *path, *exe, *cmd = NULL;
    uint8_t f[64];
    ResidCount c;
    Map *m;
    Resid *r;
    pid_t pid;
    int st;

    if (geteuid() != 0)
        skip_because("not root: cannot run a child as nobody");
    if (access("/usr/bin/setpriv", X_OK) != 0 && access("/bin/setpriv", X_OK) != 0 &&
        system("command -v setpriv >/dev/null 2>&1") != 0)
        skip_because("setpriv (util-linux) is not installed");

    dir = tu_mkdtemp();
    path = tu_path(dir, "rootfile");
    exe = tu_path(dir, "test_resid_copy");
    assert_int_equal(chmod(dir, 0755), 0);
    make_cold(path, 64 * ps);
    assert_int_equal(chmod(path, 0644), 0);
    assert_true(asprintf(&cmd, "cp /proc/%d/exe '%s' && chmod 0755 '%s'", (int)getpid(), exe, exe) >
                0);
    assert_int_equal(system(cmd), 0);
    free(cmd);

    /* Root's own view: nothing of the file is resident. */
    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    assert_true(resid_known(r));
    c = count_of(r, 0, 0);
    assert_int_equal(c.cached, 0);
    assert_int_equal(resid_pages(r, 0, 64 * ps, f, sizeof f), 64);
    assert_int_equal(count_flag(f, 64, MMH_PG_RESIDENT | MMH_PG_UNKNOWN), 0);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", exe,
               "--trap-child", path, (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);

    /* The child's sampling must not have brought the file in. */
    c = count_of(r, 0, 0);
    assert_int_equal(c.cached, 0);
    resid_close(r);
    map_close(m);
    free(exe);
    free(path);
    tu_rmdir(dir);

    /* setpriv exits 127 (not found) or 126 (cannot execute) when it or the
     * copy cannot be run, e.g. from a noexec or private $TMPDIR. */
    if (WIFEXITED(st) && (WEXITSTATUS(st) == 127 || WEXITSTATUS(st) == 126))
        skip_because("setpriv could not run the copy of this program as nobody");
    if (WIFEXITED(st) && WEXITSTATUS(st) == TRAP_UNREACHABLE)
        skip_because("nobody cannot reach the file in $TMPDIR");
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_trap_fake(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    SysOps o = ops_with_cachestat_errno(EPERM);
    uint64_t edited = 99;
    uint8_t b = 1, f[16];
    Map *m;
    Resid *r;

    make_cold(path, 16 * ps);
    m = open_map(path, MMH_MODE_COPY, &o);
    r = open_resid(m);
    read_all(m); /* really resident now: the answer must still be "unknown" */
    assert_int_equal(trap_checks(m, r, "faked trap"), 0);
    assert_false(resid_has_cachestat(r));
    /* Our own mappings are still ours to see. */
    assert_int_equal(map_write(m, 3 * ps, &b, 1), 0);
    assert_int_equal(resid_edited(r, 0, 0, &edited), 0);
    assert_int_equal(edited, 1);
    assert_int_equal(resid_pages(r, 0, 16 * ps, f, sizeof f), 16);
    assert_true(f[3] & MMH_PG_EDITED);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- a kernel without cachestat ------------------------------------------ */

static void test_no_cachestat(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    SysOps o = ops_with_cachestat_errno(ENOSYS);
    uint64_t n = 16;
    uint8_t f[16], b = 9;
    ResidCount c;
    ResidScan s;
    Map *m;
    Resid *r;

    make_cold(path, n * ps);
    m = open_map(path, MMH_MODE_SHARED, &o);
    r = open_resid(m);
    assert_false(resid_has_cachestat(r));
    assert_true(resid_known(r)); /* we own the file */
    assert_int_equal(resid_count(r, 0, 0, &c), -ENOSYS);

    read_all(m);
    assert_int_equal(map_write(m, 0, &b, 1), 0);
    assert_int_equal(resid_pages(r, 0, n * ps, f, sizeof f), n);
    assert_int_equal(count_flag(f, n, MMH_PG_RESIDENT), n);
    assert_int_equal(count_flag(f, n, MMH_PG_DIRTY | MMH_PG_WRITEBACK | MMH_PG_UNKNOWN), 0);

    resid_scan_start(&s, 0, 0);
    assert_int_equal(resid_scan_step(r, &s, 0), 1);
    assert_int_equal(s.acc.pages, n);
    assert_int_equal(s.acc.cached, n);
    assert_int_equal(s.acc.src, RESID_SRC_MINCORE);

    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

/* ---- fault injection ------------------------------------------------------ */

static bool is_errno(long rc)
{
    return rc < 0 && rc >= -4095;
}

/* One pass of every call with the n-th syscall failing. true when the
 * failure was never reached (the scenario ran clean). */
static bool fi_scenario(const char *path, long n, bool noscan)
{
    Map *m = open_map(path, MMH_MODE_COPY, &ops_fi);
    Resid *r = NULL;
    uint8_t f[32], b = 3;
    uint64_t edited;
    ResidCount c;
    ResidFaults fl;
    ResidScan s;
    long rc;

    assert_int_equal(map_write(m, 2 * ps, &b, 1), 0);
    memset(&fi, 0, sizeof fi);
    fi.noscan = noscan;
    fi.fail_at = n;
    fi.armed = 1;

    rc = resid_open(&r, m);
    if (rc == 0) {
        assert_non_null(r);
        rc = resid_pages(r, 0, 32 * ps, f, sizeof f);
        assert_true(rc == 32 || is_errno(rc));
        if (rc == 32)
            assert_true(f[2] & MMH_PG_EDITED || fi.hit);
        rc = resid_count(r, 0, 0, &c);
        assert_true(rc == 0 || is_errno(rc));
        rc = resid_edited(r, 0, 0, &edited);
        assert_true(rc == 0 || is_errno(rc));
        if (rc == 0 && !fi.hit)
            assert_int_equal(edited, 1);
        resid_scan_start(&s, 0, 0);
        while ((rc = resid_scan_step(r, &s, 8)) == 0)
            ;
        assert_true(rc == 1 || is_errno(rc));
        rc = resid_faults(r, &fl);
        assert_true(rc == 0 || is_errno(rc));
        resid_close(r);
    } else {
        assert_true(is_errno(rc));
        assert_null(r);
    }
    fi.armed = 0;
    map_close(m);
    return !fi.hit;
}

static void fi_run(bool noscan)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    int fds;
    long n;

    tu_make_file(path, 32 * ps, 0);
    fds = count_fds();
    for (n = 1; n < 1000; n++)
        if (fi_scenario(path, n, noscan))
            break;
    assert_true(n > 5 && n < 1000);
    assert_int_equal(count_fds(), fds);
    free(path);
    tu_rmdir(dir);
}

static void test_fault_injection(void **state)
{
    (void)state;
    fi_run(false);
}

static void test_fault_injection_noscan(void **state)
{
    (void)state;
    fi_run(true);
}

/* ---- faults --------------------------------------------------------------- */

static void test_faults(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    ResidFaults a, b;
    Map *m;
    Resid *r;

    tu_make_file(path, 4 * MiB, 0);
    m = open_map(path, MMH_MODE_READONLY, NULL);
    r = open_resid(m);
    assert_int_equal(resid_faults(r, &a), 0);
    read_all(m); /* cached (just written) but never mapped: minor faults */
    assert_int_equal(resid_faults(r, &b), 0);
    assert_true(b.minor > a.minor);
    assert_true(b.major >= a.major);
    resid_close(r);
    map_close(m);
    free(path);
    tu_rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--trap-child") == 0)
        return trap_child(argv[2]);
    ps = (uint64_t)sysconf(_SC_PAGESIZE);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_structure),
        cmocka_unit_test(test_pages_other_reader),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_count_dirty_writeback),
        cmocka_unit_test(test_evict),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_edited_pagemap_scan),
        cmocka_unit_test(test_edited_pagemap_read),
        cmocka_unit_test(test_edited_shared),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_huge_sparse),
        cmocka_unit_test(test_scan_agrees),
        cmocka_unit_test(test_scan_bounded),
        cmocka_unit_test(test_trap_real),
        cmocka_unit_test(test_trap_fake),
        cmocka_unit_test(test_no_cachestat),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_fault_injection_noscan),
        cmocka_unit_test(test_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
