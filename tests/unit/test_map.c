/*
 * test_map: the mapping module against real files, checked against the
 * bytes on disk as a separate reader sees them.
 *
 * cmocka installs its own SIGBUS handler around every test; map_open
 * (through guard_init) puts the guard's back whenever it is not in force,
 * so the documents each test opens are guarded without help.
 *
 * Run as root, the lock-limit test re-runs this binary as nobody (see
 * lock_limit_child), since root ignores RLIMIT_MEMLOCK.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "map.h"
#include "map_private.h"
#include "testutil.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1U
#endif

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)

static char self[4096]; /* this program's path, to re-run it */
static size_t PS;       /* page size */

/* ---- fixture -------------------------------------------------------------- */

typedef struct Fx {
    char *dir;        /* this test's temporary directory */
    char *path;       /* dir/file.bin */
    Map *m;           /* closed by teardown if still open */
    char loopdev[64]; /* attached loop device to detach, or "" */
    char *mnt;        /* tmpfs mounted here, to unmount, or NULL */
    char *scratch;    /* a test's own allocation, freed by teardown */
    void *fence;      /* a test's reserved address range, unmapped by teardown */
    size_t fence_len; /* its length */
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->dir = tu_mkdtemp();
    f->path = tu_path(f->dir, "file.bin");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    map_close(f->m);
    if (f->loopdev[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "PATH=$PATH:/sbin:/usr/sbin losetup -d %s", f->loopdev);
        if (system(cmd) != 0)
            fprintf(stderr, "test_map: could not detach %s\n", f->loopdev);
    }
    tu_unmount_all(NULL);
    free(f->mnt);
    if (f->fence)
        munmap(f->fence, f->fence_len);
    free(f->scratch);
    free(f->path);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

/* The fixture. */
static Fx *fx(void **state)
{
    return *state;
}

/* ---- helpers -------------------------------------------------------------- */

static Map *open_mode(Fx *f, const char *path, MmhMode mode, const SysOps *sys)
{
    MapOpts o = {.mode = mode, .sys = sys};
    Map *m = NULL;
    int rc = map_open(&m, path, &o);
    if (rc < 0)
        fail_msg("map_open(%s): %s", path, map_strerror(rc));
    assert_non_null(m);
    if (f)
        f->m = m;
    return m;
}

static void close_map(Fx *f)
{
    map_close(f->m);
    f->m = NULL;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static uint8_t byte_at(Map *m, uint64_t off)
{
    uint8_t b = 0;
    int rc = map_read(m, off, &b, 1);
    if (rc < 0)
        fail_msg("map_read(%" PRIu64 "): %s", off, map_strerror(rc));
    return b;
}

static void put_byte(Map *m, uint64_t off, uint8_t b)
{
    int rc = map_write(m, off, &b, 1);
    if (rc < 0)
        fail_msg("map_write(%" PRIu64 "): %s", off, map_strerror(rc));
}

static void pwrite_file(const char *path, uint64_t off, const void *buf, size_t n)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
    close(fd);
}

/* Extend path from its current size to len with the test pattern. */
static void grow_file(const char *path, uint64_t len)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    uint8_t buf[4096];
    for (uint64_t off = (uint64_t)st.st_size; off < len;) {
        size_t n = len - off < sizeof buf ? (size_t)(len - off) : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = tu_pattern(off + i);
        pwrite_file(path, off, buf, n);
        off += n;
    }
}

static uint64_t elapsed_ns(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
           (uint64_t)t0->tv_nsec;
}

/* cachestat of [off, off+len) on fd; skips the test if the kernel lacks it. */
static SysCacheStat cstat(int fd, uint64_t off, uint64_t len)
{
    SysCacheRange r = {off, len};
    SysCacheStat cs;
    if (sys_default.cachestat(fd, &r, &cs, 0) < 0) {
        if (errno == ENOSYS) {
            print_message("# cachestat(2) unavailable (kernel < 6.5): skipped\n");
            skip();
        }
        fail_msg("cachestat: %s", strerror(errno));
    }
    return cs;
}

static bool have_cachestat(void)
{
    SysCacheRange r = {0, 0};
    SysCacheStat cs;
    return sys_default.cachestat(0, &r, &cs, 0) == 0 || errno != ENOSYS;
}

/* An eviction emptied the range, or said it could not count (-1). */
static void assert_evicted(const MapEvictResult *er)
{
    if (have_cachestat()) {
        assert_true(er->before > 0);
        assert_int_equal(er->after, 0);
    } else {
        assert_int_equal(er->before, -1);
        assert_int_equal(er->after, -1);
    }
}

/* Pages of [lo, hi) that mincore reports resident. */
static size_t resident(Map *m, uint64_t lo, uint64_t hi)
{
    size_t n = (size_t)((hi - lo + PS - 1) / PS);
    unsigned char *v = malloc(n);
    assert_non_null(v);
    assert_int_equal(mincore((void *)map_addr(m, lo), hi - lo, v), 0);
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += v[i] & 1;
    free(v);
    return r;
}

/* The /proc/self/pagemap entry of the page holding addr. */
static uint64_t pagemap_entry(uintptr_t addr)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t e = 0;
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &e, sizeof e, (off_t)(addr / PS * sizeof e)), (ssize_t)sizeof e);
    close(fd);
    return e;
}

/* A private (copy-on-write) page: present and not file-backed. */
static bool is_private(Map *m, uint64_t off)
{
    uint64_t e = pagemap_entry(map_addr(m, off));
    return (e >> 63 & 1) && !(e >> 61 & 1);
}

/* The VmFlags of the VMA holding addr, from /proc/self/smaps. */
static bool vma_has_flag(uintptr_t addr, const char *flag)
{
    FILE *s = fopen("/proc/self/smaps", "r");
    char line[512];
    bool in = false, found = false;
    assert_non_null(s);
    while (fgets(line, sizeof line, s)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = addr >= lo && addr < hi;
            continue;
        }
        if (in && !strncmp(line, "VmFlags:", 8)) {
            char *tok = strtok(line + 8, " \n");
            for (; tok; tok = strtok(NULL, " \n"))
                if (!strcmp(tok, flag))
                    found = true;
            break;
        }
    }
    fclose(s);
    return found;
}

/* Whether any mapping of path is left in /proc/self/maps. */
static bool still_mapped(const char *path)
{
    FILE *s = fopen("/proc/self/maps", "r");
    char line[1024];
    bool found = false;
    size_t n = strlen(path);
    assert_non_null(s);
    while (fgets(line, sizeof line, s)) {
        char *p = strstr(line, path);
        if (p && (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
            found = true;
    }
    fclose(s);
    return found;
}

/* How many VMAs map path. */
static int count_vmas(const char *path)
{
    FILE *s = fopen("/proc/self/maps", "r");
    char line[1024];
    int n = 0;
    size_t len = strlen(path);
    assert_non_null(s);
    while (fgets(line, sizeof line, s)) {
        char *p = strstr(line, path);
        if (p && p[len] == '\n')
            n++;
    }
    fclose(s);
    return n;
}

/* Skip a test that needs mlock2(2), for copy-mode locks (valgrind 3.19
 * does not know it). */
static void need_mlock2(void)
{
    void *p = mmap(NULL, PS, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    int rc = sys_default.mlock2(p, PS, MLOCK_ONFAULT);
    int e = errno;
    munmap(p, PS);
    if (rc < 0 && e == ENOSYS) {
        print_message("# mlock2(2) unavailable here (valgrind?): skipped\n");
        skip();
    }
}

static bool under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "vgpreload");
}

static int sum_fn(const uint8_t *p, size_t len, uint64_t off, void *ctx)
{
    (void)off;
    uint64_t *sum = ctx;
    for (size_t i = 0; i < len; i++)
        *sum += p[i];
    return 0;
}

/* ---- the spy: a SysOps table that counts, records and fails calls -------- */

static struct {
    long calls;            /* calls through the table */
    long fail_at;          /* fail the call with this number (1-based); 0 never */
    long failed;           /* failures injected */
    const char *what;      /* the entry that was failed */
    int rdwr_errno;        /* nonzero: every open(O_RDWR) fails with it */
    int populate_errno;    /* nonzero: MADV_POPULATE_READ fails with it */
    int scan_errno;        /* nonzero: the PAGEMAP_SCAN ioctl fails with it */
    long mlock, mlock2;    /* calls of each */
    unsigned mlock2_flags; /* flags of the last mlock2 */
    long willneed;         /* MADV_WILLNEED calls */
    size_t willneed_max;   /* their longest range */
    int pagemap_fd;        /* the last /proc/self/pagemap descriptor opened */
    long pagemap_preads;   /* preads on it */
    uintptr_t place_at;    /* nonzero: mmap(NULL, ...) maps here instead */
    long extended;         /* MAP_FIXED_NOREPLACE mappings that took */
    long mremap;           /* mremap calls */
    bool roomy;            /* fstatvfs reports plenty of free space */
} spy;

static void spy_reset(void)
{
    memset(&spy, 0, sizeof spy);
    spy.pagemap_fd = -1;
}

static bool inject(const char *what)
{
    spy.calls++;
    if (spy.fail_at && spy.calls == spy.fail_at) {
        spy.failed++;
        spy.what = what;
        return true;
    }
    return false;
}

#define FAIL(what, e)                                                                              \
    do {                                                                                           \
        if (inject(what)) {                                                                        \
            errno = (e);                                                                           \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

static int t_open(const char *path, int flags, int mode)
{
    FAIL("open", EIO);
    if ((flags & O_ACCMODE) == O_RDWR && spy.rdwr_errno) {
        errno = spy.rdwr_errno;
        return -1;
    }
    int fd = sys_default.open(path, flags, mode);
    if (fd >= 0 && !strcmp(path, "/proc/self/pagemap"))
        spy.pagemap_fd = fd;
    return fd;
}

/* The writability probe: staged denials apply to it as to open(O_RDWR). */
static int t_faccessat(int dirfd, const char *path, int mode, int flags)
{
    FAIL("faccessat", EIO);
    if ((mode & W_OK) && spy.rdwr_errno) {
        errno = spy.rdwr_errno;
        return -1;
    }
    return sys_default.faccessat(dirfd, path, mode, flags);
}

static int t_close(int fd)
{
    /* Linux frees the descriptor even when close reports an error. */
    if (inject("close")) {
        sys_default.close(fd);
        errno = EIO;
        return -1;
    }
    return sys_default.close(fd);
}

static int t_fstat(int fd, struct stat *st)
{
    FAIL("fstat", EIO);
    return sys_default.fstat(fd, st);
}

static int t_ioctl(int fd, unsigned long req, void *arg)
{
    FAIL("ioctl", EIO);
    if (req == SYS_PAGEMAP_SCAN && spy.scan_errno) {
        errno = spy.scan_errno;
        return -1;
    }
    return sys_default.ioctl(fd, req, arg);
}

static off_t t_lseek(int fd, off_t off, int whence)
{
    FAIL("lseek", EIO);
    return sys_default.lseek(fd, off, whence);
}

static ssize_t t_pread(int fd, void *buf, size_t n, off_t off)
{
    FAIL("pread", EIO);
    if (fd == spy.pagemap_fd)
        spy.pagemap_preads++;
    return sys_default.pread(fd, buf, n, off);
}

static ssize_t t_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    FAIL("pwrite", EIO);
    return sys_default.pwrite(fd, buf, n, off);
}

static int t_fsync(int fd)
{
    FAIL("fsync", EIO);
    return sys_default.fsync(fd);
}

static int t_sync_file_range(int fd, off_t off, off_t n, unsigned flags)
{
    FAIL("sync_file_range", EIO);
    return sys_default.sync_file_range(fd, off, n, flags);
}

static int t_fadvise(int fd, off_t off, off_t n, int advice)
{
    if (inject("fadvise"))
        return EIO;
    return sys_default.fadvise(fd, off, n, advice);
}

static void *t_mmap(void *addr, size_t n, int prot, int flags, int fd, off_t off)
{
    if (inject("mmap")) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    if (!addr && spy.place_at) {
        addr = (void *)spy.place_at;
        flags |= MAP_FIXED_NOREPLACE;
    }
    void *p = sys_default.mmap(addr, n, prot, flags, fd, off);
    if ((flags & MAP_FIXED_NOREPLACE) && p == addr)
        spy.extended++;
    return p;
}

static int t_munmap(void *addr, size_t n)
{
    FAIL("munmap", EINVAL);
    return sys_default.munmap(addr, n);
}

static void *t_mremap(void *old, size_t old_n, size_t new_n, int flags)
{
    if (inject("mremap")) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    spy.mremap++;
    return sys_default.mremap(old, old_n, new_n, flags);
}

static int t_msync(void *addr, size_t n, int flags)
{
    FAIL("msync", EIO);
    return sys_default.msync(addr, n, flags);
}

static int t_mlock(const void *addr, size_t n)
{
    FAIL("mlock", ENOMEM);
    spy.mlock++;
    return sys_default.mlock(addr, n);
}

static int t_mlock2(const void *addr, size_t n, unsigned flags)
{
    FAIL("mlock2", ENOMEM);
    spy.mlock2++;
    spy.mlock2_flags = flags;
    return sys_default.mlock2(addr, n, flags);
}

static int t_munlock(const void *addr, size_t n)
{
    FAIL("munlock", ENOMEM);
    return sys_default.munlock(addr, n);
}

static int t_madvise(void *addr, size_t n, int advice)
{
    FAIL("madvise", EIO);
    if (advice == MADV_POPULATE_READ && spy.populate_errno) {
        errno = spy.populate_errno;
        return -1;
    }
    if (advice == MADV_WILLNEED) {
        spy.willneed++;
        if (n > spy.willneed_max)
            spy.willneed_max = n;
    }
    return sys_default.madvise(addr, n, advice);
}

static int t_mincore(void *addr, size_t n, unsigned char *vec)
{
    FAIL("mincore", ENOMEM);
    return sys_default.mincore(addr, n, vec);
}

static int t_cachestat(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags)
{
    FAIL("cachestat", EIO);
    return sys_default.cachestat(fd, r, cs, flags);
}

static int t_getrlimit(int res, struct rlimit *rl)
{
    FAIL("getrlimit", EIO);
    return sys_default.getrlimit(res, rl);
}

static int t_getrusage(int who, struct rusage *ru)
{
    FAIL("getrusage", EIO);
    return sys_default.getrusage(who, ru);
}

static int t_fstatvfs(int fd, struct statvfs *st)
{
    FAIL("fstatvfs", EIO);
    int rc = sys_default.fstatvfs(fd, st);
    if (rc == 0 && spy.roomy)
        st->f_bavail = st->f_bfree = 1u << 20;
    return rc;
}

static const SysOps spy_sys = {
    .open = t_open,
    .faccessat = t_faccessat,
    .close = t_close,
    .fstat = t_fstat,
    .ioctl = t_ioctl,
    .lseek = t_lseek,
    .pread = t_pread,
    .pwrite = t_pwrite,
    .fsync = t_fsync,
    .sync_file_range = t_sync_file_range,
    .fadvise = t_fadvise,
    .mmap = t_mmap,
    .munmap = t_munmap,
    .mremap = t_mremap,
    .msync = t_msync,
    .mlock = t_mlock,
    .mlock2 = t_mlock2,
    .munlock = t_munlock,
    .madvise = t_madvise,
    .mincore = t_mincore,
    .cachestat = t_cachestat,
    .getrlimit = t_getrlimit,
    .getrusage = t_getrusage,
    .fstatvfs = t_fstatvfs,
};

/* ---- modes ---------------------------------------------------------------- */

static void test_copy_mode_is_private(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 64 * KIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    assert_int_equal(map_mode(m), MMH_MODE_COPY);
    assert_int_equal(map_kind(m), MMH_KIND_FILE);
    assert_true(map_file_writable(m));
    assert_null(map_notice(m));
    assert_int_equal(map_size(m), 64 * KIB);
    assert_string_equal(map_path(m), f->path);
    assert_ptr_equal(map_sys(m), &sys_default);
    assert_int_equal(map_pagesize(m), PS);
    assert_int_equal(fcntl(map_fd(m), F_GETFL) & O_ACCMODE, O_RDONLY);

    uint8_t buf[64 * KIB];
    assert_int_equal(map_read(m, 0, buf, sizeof buf), 0);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], tu_pattern(i));

    const uint8_t edit[] = {0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(map_write(m, 4094, edit, sizeof edit), 0); /* across a page */
    uint8_t back[4];
    assert_int_equal(map_read(m, 4094, back, 4), 0);
    assert_memory_equal(back, edit, 4);
    for (uint64_t i = 4094; i < 4098; i++)
        assert_int_equal(tu_pread_byte(f->path, i), tu_pattern(i)); /* file untouched */
    assert_true(is_private(m, 4094));
    assert_true(is_private(m, 4096));
    assert_false(is_private(m, 8192));
}

static void test_shared_mode_is_live(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 64 * KIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_SHARED, NULL);
    assert_int_equal(map_mode(m), MMH_MODE_SHARED);
    assert_null(map_notice(m));
    assert_int_equal(fcntl(map_fd(m), F_GETFL) & O_ACCMODE, O_RDWR);
    put_byte(m, 1000, 0x42);
    assert_int_equal(tu_pread_byte(f->path, 1000), 0x42); /* at once, no flush */
    assert_int_equal(byte_at(m, 1000), 0x42);
    /* And the other way: another writer's bytes show in the map. */
    uint8_t x = 0x17;
    pwrite_file(f->path, 2000, &x, 1);
    assert_int_equal(byte_at(m, 2000), 0x17);
}

static void test_readonly_mode_refuses_edits(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 8 * KIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_READONLY, NULL);
    assert_int_equal(map_mode(m), MMH_MODE_READONLY);
    assert_true(map_file_writable(m));
    assert_null(map_notice(m));
    assert_int_equal(fcntl(map_fd(m), F_GETFL) & O_ACCMODE, O_RDONLY);
    uint8_t b = 1;
    assert_int_equal(map_write(m, 0, &b, 1), -EROFS);
    assert_int_equal(map_write(m, 0, &b, 0), -EROFS);
    assert_int_equal(byte_at(m, 0), tu_pattern(0));
    MmhSpan run = {0, 1};
    assert_int_equal(map_commit(m, &run, 1), -EROFS);
    MapFlushResult fr;
    assert_int_equal(map_flush(m, 0, 0, true, &fr), 0);
}

static void test_auto_mode(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4 * KIB, 0);
    Map *m = NULL;
    assert_int_equal(map_open(&m, f->path, NULL), 0); /* NULL opts: auto, real syscalls */
    f->m = m;
    assert_int_equal(map_mode(m), MMH_MODE_COPY);
    assert_null(map_notice(m));
    assert_ptr_equal(map_sys(m), &sys_default);
    close_map(f);
    m = open_mode(f, f->path, MMH_MODE_AUTO, NULL);
    assert_int_equal(map_mode(m), MMH_MODE_COPY);
}

/* Root can write a 0444 file, so "not writable" is staged: the write-access
 * probe and open(O_RDWR) fail with EACCES through the table. */
static void test_not_writable(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4 * KIB, 0);
    spy_reset();
    spy.rdwr_errno = EACCES;

    Map *m = open_mode(f, f->path, MMH_MODE_AUTO, &spy_sys);
    assert_int_equal(map_mode(m), MMH_MODE_READONLY);
    assert_false(map_file_writable(m));
    assert_non_null(map_notice(m));
    assert_string_equal(map_notice(m), "read-only: no write permission");
    close_map(f);

    int fds = count_fds();
    Map *s = (Map *)&s;
    MapOpts o = {.mode = MMH_MODE_SHARED, .sys = &spy_sys};
    assert_int_equal(map_open(&s, f->path, &o), -EROFS);
    assert_null(s);
    assert_int_equal(count_fds(), fds);
    assert_non_null(strstr(map_strerror(-EROFS), "read-only"));

    m = open_mode(f, f->path, MMH_MODE_COPY, &spy_sys);
    assert_int_equal(map_mode(m), MMH_MODE_COPY);
    assert_false(map_file_writable(m));
    assert_string_equal(map_notice(m), "file not writable: edits can only be saved to a new file");
    put_byte(m, 10, 0x99);
    assert_int_equal(byte_at(m, 10), 0x99);
    MmhSpan run = {10, 11};
    assert_int_equal(map_commit(m, &run, 1), -EROFS);
    assert_int_equal(tu_pread_byte(f->path, 10), tu_pattern(10));
    close_map(f);

    /* Other reasons to refuse writing count the same; real errors do not. */
    spy.rdwr_errno = EROFS;
    m = open_mode(f, f->path, MMH_MODE_AUTO, &spy_sys);
    assert_int_equal(map_mode(m), MMH_MODE_READONLY);
    close_map(f);
    spy.rdwr_errno = EMFILE;
    s = NULL;
    o.mode = MMH_MODE_AUTO;
    assert_int_equal(map_open(&s, f->path, &o), -EMFILE);
    assert_null(s);
    assert_int_equal(count_fds(), fds);
}

/* ---- kinds ---------------------------------------------------------------- */

static void test_huge_sparse_file(void **state)
{
    Fx *f = fx(state);
    if (under_valgrind()) {
        print_message("# valgrind cannot map 16 TiB: skipped\n");
        skip();
    }
    /* 16 TiB; ext4 with 4 KiB blocks stops one block short of it. */
    uint64_t size = 16 * TIB;
    int fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    if (ftruncate(fd, (off_t)size) < 0) {
        assert_int_equal(errno, EFBIG);
        size -= 4096;
        assert_int_equal(ftruncate(fd, (off_t)size), 0);
    }
    close(fd);

    long rss0 = tu_status_kib("VmRSS"), anon0 = tu_status_kib("RssAnon");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    uint64_t ns = elapsed_ns(&t0);
    assert_true(ns < 500000000u); /* instant, not a scan */
    assert_int_equal(map_size(m), size);
    assert_int_equal(byte_at(m, size - 1), 0);
    assert_int_equal(byte_at(m, size / 2), 0);
    put_byte(m, size - 1, 0xa5);
    assert_int_equal(byte_at(m, size - 1), 0xa5);
    assert_int_equal(tu_pread_byte(f->path, size - 1), 0);
    uint64_t old = 1;
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, size);
    assert_int_equal(map_size(m), size);
    /* Whole-file actions must not walk 4 G pages of nothing. */
    MapEvictResult er;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(map_evict(m, 0, 0, &er), 0);
    assert_true(elapsed_ns(&t0) < 5000000000u);
    assert_int_equal(er.kept_edited, 1);
    assert_int_equal(byte_at(m, size - 1), 0xa5);
    long rss1 = tu_status_kib("VmRSS"), anon1 = tu_status_kib("RssAnon");
    print_message("# %" PRIu64 " byte file: open %.3f ms, RSS +%ld KiB, anon +%ld KiB\n", size,
                  (double)ns / 1e6, rss1 - rss0, anon1 - anon0);
    assert_true(rss1 - rss0 < 64 * 1024);
    assert_true(anon1 - anon0 < 64 * 1024);
}

static void test_refused_kinds(void **state)
{
    Fx *f = fx(state);
    int fds = count_fds();
    struct {
        const char *path;
        int rc;
    } cases[5];
    char *fifo = tu_path(f->dir, "fifo"), *sock = tu_path(f->dir, "sock");
    char *none = tu_path(f->dir, "does-not-exist");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sfd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(sock) < sizeof sa.sun_path);
    strcpy(sa.sun_path, sock);
    assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
    fds = count_fds();

    cases[0].path = f->dir, cases[0].rc = -EISDIR;
    cases[1].path = fifo, cases[1].rc = -ESPIPE;
    cases[2].path = sock, cases[2].rc = -EPROTOTYPE;
    cases[3].path = "/dev/null", cases[3].rc = -ENODEV;
    cases[4].path = "/proc/self/maps", cases[4].rc = -ENODATA;
    alarm(10); /* a FIFO that blocks the open would hang here: die instead */
    for (size_t i = 0; i < 5; i++) {
        for (MmhMode mode = MMH_MODE_AUTO; mode <= MMH_MODE_SHARED; mode++) {
            MapOpts o = {.mode = mode};
            Map *m = (Map *)&o;
            int rc = map_open(&m, cases[i].path, &o);
            if (rc != cases[i].rc)
                fail_msg("%s mode %d: %d (%s), expected %d", cases[i].path, mode, rc,
                         map_strerror(rc), cases[i].rc);
            assert_null(m);
            assert_int_equal(count_fds(), fds);
            /* A sentence of its own, not strerror's. */
            assert_string_not_equal(map_strerror(rc), strerror(-rc));
        }
    }
    alarm(0);
    Map *m = (Map *)&fds;
    assert_int_equal(map_open(&m, none, NULL), -ENOENT);
    assert_null(m);
    assert_string_equal(map_strerror(-ENOENT), strerror(ENOENT));
    assert_non_null(strstr(map_strerror(-ESPIPE), "FIFO"));
    assert_non_null(strstr(map_strerror(-EPROTOTYPE), "socket"));
    assert_non_null(strstr(map_strerror(-ENODEV), "character device"));
    assert_non_null(strstr(map_strerror(-EISDIR), "directory"));
    assert_non_null(strstr(map_strerror(-ENODATA), "size 0"));
    assert_non_null(strstr(map_strerror(-MMH_ETRUNC), "truncated"));
    /* A real ENXIO (open of /dev/tty without a terminal, a socket) is not
     * the internal truncation code and is never worded as one. */
    assert_null(strstr(map_strerror(-ENXIO), "truncated"));
    assert_string_equal(map_strerror(-ENXIO), strerror(ENXIO));
    close(sfd);
    free(fifo);
    free(sock);
    free(none);
}

static void test_empty_file(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 0, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    assert_int_equal(map_size(m), 0);
    assert_int_equal(map_addr(m, 0), 0);
    uint8_t b[16];
    assert_int_equal(map_read(m, 0, b, 0), 0);
    assert_int_equal(map_read(m, 0, b, 1), -MMH_ETRUNC);
    assert_int_equal(map_write(m, 0, b, 1), -MMH_ETRUNC);
    MapFlushResult fr = {7, 7};
    assert_int_equal(map_flush(m, 0, 0, true, &fr), 0);
    assert_int_equal(fr.pages, 0);
    assert_int_equal(map_lock(m, 0, 0), 0);
    assert_int_equal(map_locked(m)->n, 0);
    assert_int_equal(map_unlock(m, 0, 0), 0);
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    assert_int_equal(map_prefetch(m, 0, 0, true), 0);
    assert_int_equal(map_advise(m, MMH_ADV_RANDOM), 0);

    /* Another process appends: refresh maps it, with the advice. */
    grow_file(f->path, 10000);
    uint64_t old = 99;
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, 0);
    assert_int_equal(map_size(m), 10000);
    assert_true(map_addr(m, 0) != 0);
    assert_true(vma_has_flag(map_addr(m, 0), "rr"));
    uint8_t buf[10000];
    assert_int_equal(map_read(m, 0, buf, sizeof buf), 0);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], tu_pattern(i));
    put_byte(m, 9999, 1);

    /* Back to nothing, and up again. */
    assert_int_equal(truncate(f->path, 0), 0);
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, 10000);
    assert_int_equal(map_size(m), 0);
    assert_int_equal(map_addr(m, 0), 0);
    assert_int_equal(map_read(m, 0, buf, 1), -MMH_ETRUNC);
    grow_file(f->path, 5000);
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(map_size(m), 5000);
    assert_int_equal(byte_at(m, 4999), tu_pattern(4999));
}

static void test_bounds(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 3 * PS + 10, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    uint8_t b[8];
    uint64_t end = map_size(m);
    assert_int_equal(map_read(m, end - 1, b, 1), 0);
    assert_int_equal(map_read(m, end - 1, b, 2), -MMH_ETRUNC);
    assert_int_equal(map_read(m, end, b, 1), -MMH_ETRUNC);
    assert_int_equal(map_read(m, end + 100, b, 0), 0);
    assert_int_equal(map_read(m, UINT64_MAX, b, 2), -MMH_ETRUNC); /* off + len wraps */
    assert_int_equal(map_read(m, 1, b, SIZE_MAX), -MMH_ETRUNC);
    assert_int_equal(map_write(m, UINT64_MAX - 1, b, 8), -MMH_ETRUNC);
    assert_int_equal(map_write(m, end - 8, b, 8), 0);
    assert_int_equal(map_addr(m, 5) - map_addr(m, 0), 5);
    assert_int_equal(map_addr(m, UINT64_MAX), 0);
}

static void test_readahead(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4096, 0);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    uint64_t want = 2 * MIB;
    const char *up[] = {"", "../"};
    for (int i = 0; i < 2; i++) {
        char p[128];
        snprintf(p, sizeof p, "/sys/dev/block/%u:%u/%squeue/read_ahead_kb", major(st.st_dev),
                 minor(st.st_dev), up[i]);
        FILE *s = fopen(p, "r");
        unsigned long long kb;
        if (s && fscanf(s, "%llu", &kb) == 1 && kb * 1024 >= PS) {
            want = kb * 1024;
            fclose(s);
            break;
        }
        if (s)
            fclose(s);
    }
    Map *m = open_mode(f, f->path, MMH_MODE_READONLY, NULL);
    assert_int_equal(map_readahead(m), want);
}

/* ---- truncation and growth ------------------------------------------------ */

static void truncation(void **state, MmhMode mode)
{
    Fx *f = fx(state);
    uint64_t pages = 256, cut = 16 * PS + 100;
    tu_make_file(f->path, pages * PS, 0);
    Map *m = open_mode(f, f->path, mode, NULL);
    put_byte(m, 10 * PS, 'X');
    put_byte(m, 200 * PS, 'Y');
    uint64_t sum = 0;
    assert_int_equal(map_visit(m, 0, map_size(m), sum_fn, &sum), 0); /* every page mapped */

    tu_truncate_by_child(f->path, cut);
    assert_int_equal(map_size(m), pages * PS); /* not noticed yet */
    uint8_t b;
    assert_int_equal(map_read(m, 200 * PS, &b, 1), -MMH_ETRUNC); /* SIGBUS, caught */
    assert_int_equal(map_size(m), cut);
    assert_int_equal(byte_at(m, 10 * PS), 'X');
    assert_int_equal(byte_at(m, 16 * PS + 50), tu_pattern(16 * PS + 50));
    assert_int_equal(map_read(m, cut, &b, 1), -MMH_ETRUNC);
    assert_int_equal(map_write(m, cut - 1, "Z", 1), 0);
    assert_int_equal(byte_at(m, cut - 1), 'Z');

    /* Grown back (a hole now): refresh sees it; the edit past the cut is gone. */
    assert_int_equal(truncate(f->path, (off_t)(pages * PS)), 0);
    uint64_t old = 0;
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, cut);
    assert_int_equal(map_size(m), pages * PS);
    assert_int_equal(byte_at(m, 200 * PS), 0);
    assert_int_equal(byte_at(m, 10 * PS), 'X');
    put_byte(m, 100 * PS, 'W');
    assert_int_equal(byte_at(m, 100 * PS), 'W');
    assert_int_equal(tu_pread_byte(f->path, 100 * PS), mode == MMH_MODE_SHARED ? 'W' : 0);

    /* A write past a fresh cut is caught the same way. */
    tu_truncate_by_child(f->path, 50 * PS);
    assert_int_equal(map_write(m, 100 * PS, "V", 1), -MMH_ETRUNC);
    assert_int_equal(map_size(m), 50 * PS);
}

static void test_truncation_copy(void **state)
{
    truncation(state, MMH_MODE_COPY);
}

static void test_truncation_shared(void **state)
{
    truncation(state, MMH_MODE_SHARED);
}

static void test_truncation_readonly(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 64 * PS, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_READONLY, NULL);
    uint64_t sum = 0;
    assert_int_equal(map_visit(m, 0, map_size(m), sum_fn, &sum), 0);
    tu_truncate_by_child(f->path, 3 * PS);
    uint8_t b;
    assert_int_equal(map_read(m, 63 * PS, &b, 1), -MMH_ETRUNC);
    assert_int_equal(map_size(m), 3 * PS);
    assert_int_equal(byte_at(m, 3 * PS - 1), tu_pattern(3 * PS - 1));

    /* Populating pages that are gone fails the same way, without a signal. */
    grow_file(f->path, 64 * PS);
    assert_int_equal(map_refresh(m, NULL), 0);
    tu_truncate_by_child(f->path, 2 * PS);
    assert_int_equal(map_prefetch(m, 0, 0, true), -MMH_ETRUNC);
    assert_int_equal(map_size(m), 2 * PS);
    assert_int_equal(map_prefetch(m, 0, 0, true), 0);
}

typedef struct VisitLog {
    size_t calls;   /* callback calls */
    uint64_t next;  /* offset expected next */
    uint64_t bytes; /* bytes seen */
    size_t stop_at; /* return 7 on this call (1-based), 0 never */
    bool bad;       /* a byte was not the pattern */
} VisitLog;

static int log_fn(const uint8_t *p, size_t len, uint64_t off, void *ctx)
{
    VisitLog *v = ctx;
    v->calls++;
    if (off != v->next)
        v->bad = true;
    for (size_t i = 0; i < len; i++)
        if (p[i] != tu_pattern(off + i))
            v->bad = true;
    v->next = off + len;
    v->bytes += len;
    return v->calls == v->stop_at ? 7 : 0;
}

static void test_visit(void **state)
{
    Fx *f = fx(state);
    uint64_t size = 3 * MIB + 123;
    tu_make_file(f->path, size, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_READONLY, NULL);

    VisitLog v = {.next = 5};
    assert_int_equal(map_visit(m, 5, size - 5, log_fn, &v), 0);
    assert_false(v.bad);
    assert_int_equal(v.bytes, size - 5);
    assert_int_equal(v.next, size);
    assert_true(v.calls >= 1);

    VisitLog s = {.stop_at = 2};
    assert_int_equal(map_visit(m, 0, size, log_fn, &s), v.calls > 1 ? 7 : 0);
    assert_int_equal(s.calls, v.calls > 1 ? 2 : 1);

    VisitLog n = {0};
    assert_int_equal(map_visit(m, size - 1, 2, log_fn, &n), -MMH_ETRUNC);
    assert_int_equal(map_visit(m, size, 0, log_fn, &n), 0);
    assert_int_equal(n.calls, 0);

    /* A callback reading past a truncation point is abandoned with -MMH_ETRUNC. */
    tu_truncate_by_child(f->path, MIB);
    uint64_t sum = 0;
    assert_int_equal(map_visit(m, 0, size, sum_fn, &sum), -MMH_ETRUNC);
    assert_int_equal(map_size(m), MIB);
    sum = 0;
    assert_int_equal(map_visit(m, 0, MIB, sum_fn, &sum), 0);
}

static void test_refresh_grow_shrink(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 5 * PS, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    put_byte(m, PS + 1, 0xee);
    uint64_t old = 0;
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, 5 * PS);
    assert_int_equal(map_refresh(m, NULL), 0);

    /* Growth inside the last page, then by many pages. */
    grow_file(f->path, 5 * PS + 100);
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, 5 * PS);
    assert_int_equal(map_size(m), 5 * PS + 100);
    assert_int_equal(byte_at(m, 5 * PS + 99), tu_pattern(5 * PS + 99));
    grow_file(f->path, 3 * MIB);
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, 5 * PS + 100);
    assert_int_equal(map_size(m), 3 * MIB);
    assert_int_equal(byte_at(m, 3 * MIB - 1), tu_pattern(3 * MIB - 1));
    assert_int_equal(byte_at(m, PS + 1), 0xee); /* the private page moved along */
    assert_true(is_private(m, PS));

    /* Shrink, noticed without any fault. */
    assert_int_equal(truncate(f->path, (off_t)(2 * PS)), 0);
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(old, 3 * MIB);
    assert_int_equal(map_size(m), 2 * PS);
    assert_int_equal(byte_at(m, PS + 1), 0xee);
    uint8_t b;
    assert_int_equal(map_read(m, 2 * PS, &b, 1), -MMH_ETRUNC);
}

/* Locks split the mapping into several VMAs, which mremap refuses to move
 * in one piece; growth must still work and keep the locks. */
static void test_refresh_with_locks(void **state)
{
    Fx *f = fx(state);
    need_mlock2();
    for (MmhMode mode = MMH_MODE_READONLY; mode <= MMH_MODE_SHARED; mode++) {
        tu_make_file(f->path, 64 * PS, 0);
        Map *m = open_mode(f, f->path, mode, NULL);
        assert_int_equal(map_advise(m, MMH_ADV_RANDOM), 0);
        assert_int_equal(map_lock(m, 4 * PS, 4 * PS), 0);
        assert_int_equal(map_lock(m, 63 * PS, PS), 0); /* the tail page too */
        /* Something mapped right after the map forces the mremap path. */
        void *block = mmap((void *)(map_addr(m, 0) + 64 * PS), PS, PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        bool blocked = block == (void *)(map_addr(m, 0) + 64 * PS);
        grow_file(f->path, 4 * MIB);
        uint64_t old;
        assert_int_equal(map_refresh(m, &old), 0);
        assert_int_equal(map_size(m), 4 * MIB);
        assert_int_equal(byte_at(m, 4 * MIB - 1), tu_pattern(4 * MIB - 1));
        assert_int_equal(byte_at(m, 5 * PS), tu_pattern(5 * PS));
        assert_int_equal(map_locked(m)->n, 2);
        assert_int_equal(rangeset_total(map_locked(m)), 5 * PS);
        assert_int_equal(resident(m, 4 * PS, 8 * PS), 4);
        assert_true(vma_has_flag(map_addr(m, 4 * PS), "lo"));
        assert_false(vma_has_flag(map_addr(m, 64 * PS), "lo"));    /* growth is not locked */
        assert_true(vma_has_flag(map_addr(m, 4 * MIB - 1), "rr")); /* advice re-applied */
        /* Shrink drops the locks past the end. */
        assert_int_equal(truncate(f->path, (off_t)(6 * PS)), 0);
        assert_int_equal(map_refresh(m, &old), 0);
        assert_int_equal(rangeset_total(map_locked(m)), 2 * PS);
        if (blocked)
            munmap(block, PS);

        /* Locked whole, the map is one VMA and mremap grows it, lock and
         * all: the new pages must not stay locked. */
        assert_int_equal(map_lock(m, 0, 0), 0);
        assert_int_equal(count_vmas(f->path), 1);
        block = mmap((void *)(map_addr(m, 0) + 6 * PS), PS, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        blocked = block == (void *)(map_addr(m, 0) + 6 * PS);
        grow_file(f->path, MIB);
        assert_int_equal(map_refresh(m, &old), 0);
        assert_int_equal(map_size(m), MIB);
        assert_true(vma_has_flag(map_addr(m, 0), "lo"));
        assert_false(vma_has_flag(map_addr(m, 6 * PS), "lo"));
        assert_false(vma_has_flag(map_addr(m, MIB - 1), "lo"));
        assert_int_equal(rangeset_total(map_locked(m)), 6 * PS);
        assert_int_equal(byte_at(m, MIB - 1), tu_pattern(MIB - 1));
        if (blocked)
            munmap(block, PS);
        close_map(f);
    }
}

/* Room after the map: growth extends it where it is, even split by locks. */
static void test_grow_in_place(void **state)
{
    Fx *f = fx(state);
    need_mlock2();
    tu_make_file(f->path, 64 * PS, 0);
    /* Reserve 64 MiB, free the lower half and have the map placed there. */
    uint8_t *r =
        mmap(NULL, 64 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(r != MAP_FAILED);
    f->fence = r + 32 * MIB;
    f->fence_len = 32 * MIB;
    assert_int_equal(munmap(r, 32 * MIB), 0);
    spy_reset();
    spy.place_at = (uintptr_t)r;
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, &spy_sys);
    spy.place_at = 0;
    assert_int_equal(map_addr(m, 0), (uintptr_t)r);
    put_byte(m, PS + 1, 0xee);
    assert_int_equal(map_advise(m, MMH_ADV_RANDOM), 0);
    assert_int_equal(map_lock(m, 0, PS), 0);
    assert_int_equal(count_vmas(f->path), 2);

    grow_file(f->path, 2 * MIB);
    spy.extended = 0;
    assert_int_equal(map_refresh(m, NULL), 0);
    assert_int_equal(spy.extended, 1);
    assert_int_equal(spy.mremap, 0);
    assert_int_equal(map_addr(m, 0), (uintptr_t)r); /* not moved */
    assert_int_equal(map_size(m), 2 * MIB);
    assert_int_equal(byte_at(m, PS + 1), 0xee);
    assert_true(is_private(m, PS));
    assert_int_equal(byte_at(m, 2 * MIB - 1), tu_pattern(2 * MIB - 1));
    assert_true(vma_has_flag(map_addr(m, 2 * MIB - 1), "rr"));
    assert_true(vma_has_flag(map_addr(m, 0), "lo"));
    assert_int_equal(rangeset_total(map_locked(m)), PS);
    /* The extension merged with the map: unlocked, it is one piece again,
     * so a later mremap can move it whole. */
    assert_int_equal(map_unlock(m, 0, 0), 0);
    assert_int_equal(count_vmas(f->path), 1);
}

/* ---- flush ---------------------------------------------------------------- */

static void dirty_pages(Map *m, uint64_t lo, uint64_t hi, uint8_t v)
{
    for (uint64_t off = lo; off < hi; off += PS)
        put_byte(m, off, v);
}

static void test_flush_sync(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4 * MIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_SHARED, NULL);
    int fd = map_fd(m);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0); /* tu_make_file's own */
    assert_int_equal(cstat(fd, 0, 0).nr_dirty, 0);

    dirty_pages(m, MIB, 2 * MIB, 0x5a);
    SysCacheStat cs = cstat(fd, 0, 0);
    assert_true(cs.nr_dirty > 0);
    MapFlushResult fr = {0, 0};
    assert_int_equal(map_flush(m, MIB, MIB, true, &fr), 0);
    assert_true(fr.pages > 0);
    assert_true(fr.ns > 0);
    assert_int_equal(cstat(fd, 0, 0).nr_dirty, 0);
    print_message("# flushed %" PRId64 " pages in %.3f ms\n", fr.pages, (double)fr.ns / 1e6);

    /* A range: only its pages. Dirty two separate megabytes, flush one. */
    put_byte(m, 10, 1);
    put_byte(m, 3 * MIB + 10, 1);
    assert_int_equal(map_flush(m, 3 * MIB, 4096, true, &fr), 0);
    assert_int_equal(cstat(fd, 3 * MIB, PS).nr_dirty, 0);
    assert_true(cstat(fd, 0, PS).nr_dirty > 0);
    assert_int_equal(map_flush(m, 0, 0, true, &fr), 0);
    assert_int_equal(cstat(fd, 0, 0).nr_dirty, 0);
    assert_int_equal(map_flush(m, 5 * MIB, 0, true, &fr), 0); /* past the end: nothing */
}

static void test_flush_async(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4 * MIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_SHARED, NULL);
    int fd = map_fd(m);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    dirty_pages(m, 0, 4 * MIB, 0xa5);
    assert_true(cstat(fd, 0, 0).nr_dirty > 0);
    MapFlushResult fr;
    assert_int_equal(map_flush(m, 0, 0, false, &fr), 0);
    assert_true(fr.pages > 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    SysCacheStat cs;
    do {
        cs = cstat(fd, 0, 0);
        if (cs.nr_dirty + cs.nr_writeback == 0)
            break;
        usleep(1000);
    } while (elapsed_ns(&t0) < 5000000000u);
    assert_int_equal(cs.nr_dirty + cs.nr_writeback, 0);
    assert_int_equal(tu_pread_byte(f->path, 4 * MIB - PS), 0xa5);

    /* The other modes flush with sync_file_range on their read-only fd. */
    close_map(f);
    m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    assert_int_equal(map_flush(m, 0, 0, true, &fr), 0);
    assert_int_equal(map_flush(m, 0, 0, false, &fr), 0);
}

/* ---- evict ---------------------------------------------------------------- */

static void test_evict_shared(void **state)
{
    Fx *f = fx(state);
    uint64_t size = 8 * MIB;
    tu_make_file(f->path, size, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_SHARED, NULL);
    int fd = map_fd(m);
    put_byte(m, 12345, 0x3c);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    uint64_t sum = 0;
    assert_int_equal(map_visit(m, 0, size, sum_fn, &sum), 0);
    assert_true(cstat(fd, 0, 0).nr_cache > 0);
    assert_int_equal(map_lock(m, MIB, MIB), 0); /* locked pages resist: evict unlocks */
    put_byte(m, 5 * MIB, 0x4d);                 /* and dirty ones are written first */

    MapEvictResult er = {0, 0, 99};
    assert_int_equal(map_evict(m, 0, 0, &er), 0);
    assert_true(er.before > 0);
    assert_int_equal(er.after, 0);
    assert_int_equal(er.kept_edited, 0);
    assert_int_equal(cstat(fd, 0, 0).nr_cache, 0);
    assert_int_equal(map_locked(m)->n, 0);
    assert_int_equal(resident(m, 0, size), 0);
    assert_int_equal(byte_at(m, 12345), 0x3c);
    assert_int_equal(byte_at(m, 5 * MIB), 0x4d);
    assert_int_equal(tu_pread_byte(f->path, 5 * MIB), 0x4d);

    /* A range is rounded out to 2 MiB: one byte evicts its whole block. */
    assert_int_equal(map_visit(m, 0, size, sum_fn, &sum), 0);
    assert_int_equal(map_evict(m, 3 * MIB, 1, &er), 0);
    assert_int_equal(cstat(fd, 2 * MIB, 2 * MIB).nr_cache, 0);
    assert_true(cstat(fd, 0, 2 * MIB).nr_cache > 0);
    assert_true(cstat(fd, 4 * MIB, 4 * MIB).nr_cache > 0);
}

static void evict_copy(void **state, int scan_errno)
{
    Fx *f = fx(state);
    uint64_t size = 8 * MIB;
    tu_make_file(f->path, size, 0);
    spy_reset();
    spy.scan_errno = scan_errno;
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, &spy_sys);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    uint64_t sum = 0;
    assert_int_equal(map_visit(m, 0, size, sum_fn, &sum), 0);
    put_byte(m, 3 * MIB + 5, 0xc3);
    put_byte(m, 7 * MIB + 1, 0xc4);
    put_byte(m, 7 * MIB + 2, 0xc5); /* same page */

    MapEvictResult er;
    assert_int_equal(map_evict(m, 0, 0, &er), 0);
    assert_int_equal(er.kept_edited, 2);
    assert_evicted(&er);
    assert_int_equal(byte_at(m, 3 * MIB + 5), 0xc3); /* edits survive */
    assert_int_equal(byte_at(m, 7 * MIB + 1), 0xc4);
    assert_int_equal(byte_at(m, 7 * MIB + 2), 0xc5);
    assert_int_equal(byte_at(m, 3 * MIB + 6), tu_pattern(3 * MIB + 6));
    assert_true(is_private(m, 3 * MIB));
    assert_false(is_private(m, 3 * MIB + PS));
    assert_int_equal(resident(m, 0, 2 * MIB), 0);
    if (scan_errno)
        assert_true(spy.pagemap_preads > 0); /* the fallback did the work */
}

static void test_evict_copy(void **state)
{
    evict_copy(state, 0);
}

static void test_evict_copy_pagemap_fallback(void **state)
{
    evict_copy(state, ENOTTY);
}

static void test_evict_readonly(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4 * MIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_READONLY, NULL);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    uint64_t sum = 0;
    assert_int_equal(map_visit(m, 0, 4 * MIB, sum_fn, &sum), 0);
    MapEvictResult er;
    assert_int_equal(map_evict(m, 0, 0, &er), 0);
    assert_evicted(&er);
    assert_int_equal(resident(m, 0, 4 * MIB), 0);
}

/* ---- lock ----------------------------------------------------------------- */

static void test_lock_shared(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 4 * MIB, 0);
    spy_reset();
    Map *m = open_mode(f, f->path, MMH_MODE_SHARED, &spy_sys);
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    long lck0 = tu_status_kib("VmLck");

    assert_int_equal(map_lock(m, 3 * PS, 10000), 0); /* pages 3..5 */
    assert_int_equal(spy.mlock, 1);
    assert_int_equal(spy.mlock2, 0);
    const RangeSet *ls = map_locked(m);
    assert_int_equal(ls->n, 1);
    assert_int_equal(ls->v[0].lo, 3 * PS);
    assert_int_equal(ls->v[0].hi, 6 * PS);
    assert_int_equal(resident(m, 3 * PS, 6 * PS), 3);
    assert_true(tu_status_kib("VmLck") - lck0 >= (long)(3 * PS / 1024));
    char msg[256];
    map_lock_message(m, 0, msg, sizeof msg);
    assert_non_null(strstr(msg, "12.0 KiB locked"));

    MapLockLimit ll;
    assert_int_equal(map_lock_limit(m, &ll), 0);
    assert_int_equal(ll.map_locked, 3 * PS);
    assert_true(ll.process_locked >= 3 * PS);
    if (getuid() == 0)
        assert_true(ll.unlimited); /* CAP_IPC_LOCK */

    /* Past the end is clamped; overlapping ranges merge. */
    assert_int_equal(map_lock(m, 4 * MIB - 1, 100), 0);
    assert_int_equal(map_lock(m, 4 * PS, 4 * PS), 0);
    assert_int_equal(ls->n, 2);
    assert_int_equal(rangeset_total(ls), 6 * PS);
    assert_int_equal(map_lock(m, 5 * MIB, 0), 0);

    assert_int_equal(map_unlock(m, 4 * PS, PS), 0); /* split */
    assert_int_equal(ls->n, 3);
    assert_int_equal(map_unlock(m, 0, 0), 0);
    assert_int_equal(ls->n, 0);
    assert_int_equal(tu_status_kib("VmLck"), lck0);
    map_lock_message(m, 0, msg, sizeof msg);
    assert_non_null(strstr(msg, "0 B locked"));

    /* The other codes have words of their own. */
    map_lock_message(m, -EPERM, msg, sizeof msg);
    assert_string_equal(msg, "locking not permitted (RLIMIT_MEMLOCK is 0)");
    map_lock_message(m, -EAGAIN, msg, sizeof msg);
    assert_string_equal(msg, "some pages could not be locked");
    map_lock_message(m, -ENOMEM, msg, sizeof msg);
    assert_true(strlen(msg) > 0);
    char tiny[8];
    assert_ptr_equal(map_lock_message(m, -ENOMEM, tiny, sizeof tiny), tiny);
    assert_true(strlen(tiny) < sizeof tiny);

    /* Closing unlocks. */
    assert_int_equal(map_lock(m, 0, MIB), 0);
    close_map(f);
    assert_int_equal(tu_status_kib("VmLck"), lck0);
}

static void test_lock_copy_onfault(void **state)
{
    Fx *f = fx(state);
    need_mlock2();
    tu_make_file(f->path, 8 * MIB, 0);
    spy_reset();
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, &spy_sys);
    long anon0 = tu_status_kib("RssAnon");
    assert_int_equal(map_lock(m, 0, 0), 0);
    assert_int_equal(spy.mlock2, 1);
    assert_int_equal(spy.mlock2_flags, MLOCK_ONFAULT);
    assert_int_equal(spy.mlock, 0);
    assert_int_equal(rangeset_total(map_locked(m)), 8 * MIB);
    /* Plain mlock would have copied all 8 MiB into anonymous memory. */
    assert_true(tu_status_kib("RssAnon") - anon0 < 2048);
    put_byte(m, MIB, 0x11);
    assert_int_equal(byte_at(m, MIB), 0x11);
    assert_int_equal(tu_pread_byte(f->path, MIB), tu_pattern(MIB));
    assert_int_equal(map_unlock(m, 0, 0), 0);
    assert_int_equal(map_locked(m)->n, 0);
}

/* The child half of test_lock_limit: runs as an unprivileged user, so
 * RLIMIT_MEMLOCK applies. 0 passed, 1 failed, 77 no limit to test. */
static int lock_limit_child(const char *dir)
{
    guard_init();
    char *path = tu_path(dir, "locked.bin");
    tu_make_file(path, 16 * MIB, 0);
    MapOpts o = {.mode = MMH_MODE_SHARED};
    Map *m;
    int rc = map_open(&m, path, &o);
    if (rc < 0) {
        fprintf(stderr, "child: map_open: %s\n", map_strerror(rc));
        return 1;
    }
    MapLockLimit ll;
    if (map_lock_limit(m, &ll) < 0) {
        fprintf(stderr, "child: map_lock_limit failed\n");
        return 1;
    }
    if (ll.unlimited || ll.limit >= 16 * MIB) {
        map_close(m);
        return 77;
    }
    int status = 0;
    char msg[256], want[64];
    if (ll.limit % MIB == 0)
        snprintf(want, sizeof want, "lock limit %" PRIu64 ".0 MiB", ll.limit / MIB);
    else
        snprintf(want, sizeof want, "lock limit ");

    rc = map_lock(m, 0, 0);
    map_lock_message(m, rc, msg, sizeof msg);
    fprintf(stderr, "child: lock 16 MiB: %s\n", msg);
    if (rc != -ENOMEM || !strstr(msg, want) || !strstr(msg, "RLIMIT_MEMLOCK") ||
        map_locked(m)->n != 0) {
        fprintf(stderr, "child: expected -ENOMEM and \"%s\", got %d\n", want, rc);
        status = 1;
    }
    /* Locks add up: 1 MiB fits, then the whole file does not, and says so. */
    if (ll.limit >= 2 * MIB) {
        rc = map_lock(m, 0, MIB);
        map_lock_message(m, rc, msg, sizeof msg);
        fprintf(stderr, "child: lock 1 MiB: %s\n", msg);
        if (rc != 0 || !strstr(msg, "1.0 MiB locked"))
            status = 1;
        rc = map_lock(m, MIB, ll.limit);
        map_lock_message(m, rc, msg, sizeof msg);
        fprintf(stderr, "child: lock the limit more: %s\n", msg);
        if (rc != -ENOMEM || !strstr(msg, "1.0 MiB already locked") ||
            rangeset_total(map_locked(m)) != MIB)
            status = 1;
    }
    map_close(m);
    free(path);
    return status;
}

static void test_lock_limit(void **state)
{
    Fx *f = fx(state);
    if (getuid() != 0) {
        int rc = lock_limit_child(f->dir);
        if (rc == 77) {
            print_message("# RLIMIT_MEMLOCK is unlimited here: nothing to test\n");
            skip();
        }
        assert_int_equal(rc, 0);
        return;
    }
    /* Root ignores the limit: run this binary again as nobody. */
    char *bin = tu_path(f->dir, "test_map");
    char *data = tu_path(f->dir, "data");
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(mkdir(data, 0777), 0);
    assert_int_equal(chmod(data, 0777), 0);
    char *cmd;
    assert_true(asprintf(&cmd, "cp '%s' '%s' && chmod 0755 '%s'", self, bin, bin) > 0);
    int copied = system(cmd);
    free(cmd);
    if (copied != 0) {
        print_message("# could not copy the test binary: skipped\n");
        free(bin);
        free(data);
        skip();
    }
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin,
               "--lock-limit-child", data, (char *)NULL);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    free(bin);
    free(data);
    assert_true(WIFEXITED(st));
    int code = WEXITSTATUS(st);
    if (code == 127 || code == 126) {
        print_message("# setpriv missing or the copy cannot run as nobody (%d): skipped\n", code);
        skip();
    }
    if (code == 77) {
        print_message("# RLIMIT_MEMLOCK is unlimited for nobody: skipped\n");
        skip();
    }
    assert_int_equal(code, 0);
}

/* ---- advice and prefetch -------------------------------------------------- */

static void test_advise(void **state)
{
    Fx *f = fx(state);
    tu_make_file(f->path, 64 * KIB, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    uintptr_t a = map_addr(m, 0);
    assert_int_equal(map_advice(m), MMH_ADV_NORMAL);
    assert_int_equal(map_advise(m, MMH_ADV_RANDOM), 0);
    assert_int_equal(map_advice(m), MMH_ADV_RANDOM);
    assert_true(vma_has_flag(a, "rr"));
    assert_int_equal(map_advise(m, MMH_ADV_SEQUENTIAL), 0);
    assert_int_equal(map_advice(m), MMH_ADV_SEQUENTIAL);
    assert_true(vma_has_flag(a, "sr"));
    assert_false(vma_has_flag(a, "rr"));
    assert_int_equal(map_advise(m, MMH_ADV_NORMAL), 0);
    assert_false(vma_has_flag(a, "sr"));
    assert_int_equal(map_advise(m, (MmhAdvice)42), -EINVAL);
    assert_int_equal(map_advice(m), MMH_ADV_NORMAL);
    assert_string_equal(map_advice_name(MMH_ADV_NORMAL), "normal");
    assert_string_equal(map_advice_name(MMH_ADV_SEQUENTIAL), "sequential");
    assert_string_equal(map_advice_name(MMH_ADV_RANDOM), "random");
}

static void test_prefetch(void **state)
{
    Fx *f = fx(state);
    uint64_t size = 16 * MIB;
    tu_make_file(f->path, size, 0);
    spy_reset();
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, &spy_sys);
    int fd = map_fd(m);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    assert_int_equal(cstat(fd, 0, 0).nr_cache, 0);

    /* populate: synchronous, and the pages are ours (mapped) on return. */
    assert_int_equal(map_prefetch(m, 0, 2 * MIB, true), 0);
    assert_int_equal(resident(m, 0, 2 * MIB), 2 * MIB / PS);
    assert_false(is_private(m, 0)); /* reading never copies */
    assert_true(pagemap_entry(map_addr(m, MIB)) >> 63 & 1);

    /* willneed: in readahead-sized calls, done in the background. */
    spy.willneed = 0;
    spy.willneed_max = 0;
    assert_int_equal(map_prefetch(m, 4 * MIB, 0, false), 0);
    uint64_t ra = map_readahead(m);
    assert_true(spy.willneed_max <= ra);
    assert_int_equal(spy.willneed, (long)((12 * MIB + ra - 1) / ra));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t cached;
    do {
        cached = cstat(fd, 4 * MIB, 12 * MIB).nr_cache;
        if (cached == 12 * MIB / PS)
            break;
        usleep(1000);
    } while (elapsed_ns(&t0) < 5000000000u);
    assert_int_equal(cached, 12 * MIB / PS);

    /* A kernel without MADV_POPULATE_READ: fall back to willneed. */
    assert_int_equal(map_evict(m, 0, 0, NULL), 0);
    spy.populate_errno = EINVAL;
    spy.willneed = 0;
    assert_int_equal(map_prefetch(m, 0, MIB, true), 0);
    assert_int_equal(spy.willneed, 1);
    /* Any other failure is reported. */
    spy.populate_errno = ENOMEM;
    assert_int_equal(map_prefetch(m, 0, MIB, true), -ENOMEM);
    assert_int_equal(map_prefetch(m, 20 * MIB, 0, true), 0); /* past the end: nothing */
}

/* ---- commit --------------------------------------------------------------- */

static void test_commit(void **state)
{
    Fx *f = fx(state);
    uint64_t size = MIB;
    tu_make_file(f->path, size, 0);
    Map *m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
    static uint8_t big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(map_write(m, 100, "abc", 3), 0);
    assert_int_equal(map_write(m, 4095, "xyz", 3), 0);
    assert_int_equal(map_write(m, 500000, "q", 1), 0);
    assert_int_equal(map_write(m, 600000, big, sizeof big), 0);
    assert_int_equal(map_write(m, size - 1, "e", 1), 0);
    const MmhSpan runs[] = {
        {100, 103}, {4095, 4098}, {500000, 500001}, {600000, 600000 + sizeof big}, {size - 1, size},
    };
    size_t n = sizeof runs / sizeof *runs;
    assert_true(is_private(m, 100));
    assert_true(is_private(m, 600000 + sizeof big - 1));
    assert_int_equal(tu_pread_byte(f->path, 100), tu_pattern(100));

    assert_int_equal(map_commit(m, runs, n), 0);
    uint8_t disk[70000];
    tu_pread(f->path, 100, disk, 3);
    assert_memory_equal(disk, "abc", 3);
    tu_pread(f->path, 4095, disk, 3);
    assert_memory_equal(disk, "xyz", 3);
    assert_int_equal(tu_pread_byte(f->path, 500000), 'q');
    tu_pread(f->path, 600000, disk, sizeof big);
    assert_memory_equal(disk, big, sizeof big);
    assert_int_equal(tu_pread_byte(f->path, size - 1), 'e');
    assert_int_equal(tu_pread_byte(f->path, 103), tu_pattern(103)); /* nothing more */

    /* The private copies are gone; the map shows the same bytes from the cache. */
    for (size_t i = 0; i < n; i++) {
        assert_false(is_private(m, runs[i].lo));
        assert_false(is_private(m, runs[i].hi - 1));
    }
    uint8_t back[70000];
    assert_int_equal(map_read(m, 600000, back, sizeof back), 0);
    assert_memory_equal(back, big, sizeof big);
    assert_int_equal(byte_at(m, 4097), 'z');
    assert_int_equal(byte_at(m, 99), tu_pattern(99));

    /* Bad runs are refused before anything is written. */
    const MmhSpan unsorted[] = {{10, 20}, {5, 8}};
    assert_int_equal(map_commit(m, unsorted, 2), -EINVAL);
    const MmhSpan empty[] = {{10, 10}};
    assert_int_equal(map_commit(m, empty, 1), -EINVAL);
    const MmhSpan past[] = {{size - 1, size + 1}};
    assert_int_equal(map_commit(m, past, 1), -MMH_ETRUNC);
    assert_int_equal(map_commit(m, NULL, 0), 0);

    /* Locked pages keep their copies (MADV_DONTNEED refuses them) but commit. */
    int lrc = map_lock(m, 0, PS);
    if (lrc == -ENOSYS) {
        print_message("# mlock2(2) unavailable: committing locked pages not tested\n");
    } else {
        assert_int_equal(lrc, 0);
        assert_int_equal(map_write(m, 200, "L", 1), 0);
        const MmhSpan lr[] = {{200, 201}};
        assert_int_equal(map_commit(m, lr, 1), 0);
        assert_int_equal(tu_pread_byte(f->path, 200), 'L');
        assert_int_equal(byte_at(m, 200), 'L');
    }

    /* The path now names another file: writing there would be wrong. */
    assert_int_equal(map_write(m, 300, "R", 1), 0);
    char *other = tu_path(f->dir, "other.bin");
    tu_make_file(other, size, 0);
    assert_int_equal(rename(other, f->path), 0);
    const MmhSpan rr[] = {{300, 301}};
    assert_int_equal(map_commit(m, rr, 1), -ESTALE);
    assert_int_equal(byte_at(m, 300), 'R');
    assert_int_equal(tu_pread_byte(f->path, 300), tu_pattern(300));
    free(other);

    close_map(f);
    m = open_mode(f, f->path, MMH_MODE_SHARED, NULL);
    assert_int_equal(map_commit(m, rr, 1), -EROFS);
}

/* Offsets at and around 2^31 and 2^32, where 32-bit arithmetic breaks. */
static void test_large_offsets(void **state)
{
    Fx *f = fx(state);
    const uint64_t sizes[] = {(UINT64_C(1) << 31) - 1, UINT64_C(1) << 31,
                              (UINT64_C(1) << 31) + 4096, (UINT64_C(1) << 32) + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        uint64_t size = sizes[i];
        tu_make_file(f->path, size, 1);
        Map *m = open_mode(f, f->path, MMH_MODE_SHARED, NULL);
        assert_int_equal(map_size(m), size);
        put_byte(m, size - 1, 0x77);
        assert_int_equal(tu_pread_byte(f->path, size - 1), 0x77);
        uint64_t mid = (UINT64_C(1) << 31) - 8192; /* inside all of them, not the last */
        put_byte(m, mid, 0x66);
        assert_int_equal(tu_pread_byte(f->path, mid), 0x66);
        close_map(f);

        m = open_mode(f, f->path, MMH_MODE_COPY, NULL);
        put_byte(m, size - 1, 0x99);
        assert_int_equal(tu_pread_byte(f->path, size - 1), 0x77);
        MmhSpan run = {size - 1, size};
        assert_int_equal(map_commit(m, &run, 1), 0);
        assert_int_equal(tu_pread_byte(f->path, size - 1), 0x99);
        assert_int_equal(byte_at(m, size - 1), 0x99);
        assert_int_equal(byte_at(m, mid), 0x66);
        MapEvictResult er;
        assert_int_equal(map_evict(m, size - 1, 1, &er), 0);
        close_map(f);
    }
}

/* ---- devices and full file systems ---------------------------------------- */

static void test_block_device(void **state)
{
    Fx *f = fx(state);
    if (getuid() != 0) {
        print_message("# not root: no loop device to attach: skipped\n");
        skip();
    }
    uint64_t size = 64 * MIB;
    tu_make_file(f->path, size, 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "PATH=$PATH:/sbin:/usr/sbin losetup -f --show '%s' 2>&1", f->path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[256] = "";
    if (!fgets(out, sizeof out, p))
        out[0] = '\0';
    int st = pclose(p);
    out[strcspn(out, "\n")] = '\0';
    if (st != 0 || strncmp(out, "/dev/", 5) != 0 || strlen(out) >= sizeof f->loopdev) {
        print_message("# losetup could not attach a loop device (%s): skipped\n", out);
        skip();
    }
    strcpy(f->loopdev, out);

    Map *m = open_mode(f, f->loopdev, MMH_MODE_AUTO, NULL);
    assert_int_equal(map_kind(m), MMH_KIND_BLOCKDEV);
    assert_int_equal(map_mode(m), MMH_MODE_READONLY);
    assert_non_null(map_notice(m));
    assert_non_null(strstr(map_notice(m), "block device"));
    assert_int_equal(map_size(m), size);
    assert_int_equal(byte_at(m, size - 1), tu_pattern(size - 1));
    assert_int_equal(byte_at(m, 0), tu_pattern(0));
    long sectors = 0;
    if (ioctl(map_fd(m), BLKRAGET, &sectors) == 0 && sectors > 0)
        assert_int_equal(map_readahead(m), (uint64_t)sectors * 512);
    uint64_t old;
    assert_int_equal(map_refresh(m, &old), 0);
    assert_int_equal(map_size(m), size);
    uint8_t b;
    assert_int_equal(map_read(m, size, &b, 1), -MMH_ETRUNC);
    close_map(f);

    /* Asked for, shared mode edits the device. */
    m = open_mode(f, f->loopdev, MMH_MODE_SHARED, NULL);
    assert_int_equal(map_mode(m), MMH_MODE_SHARED);
    assert_null(map_notice(m));
    put_byte(m, 4096, 0xb1);
    assert_int_equal(map_flush(m, 0, 0, true, NULL), 0);
    assert_int_equal(tu_pread_byte(f->loopdev, 4096), 0xb1);
    close_map(f);
}

/* Writing into a hole on a full file system raises SIGBUS: -ENOSPC. */
static void test_enospc(void **state)
{
    Fx *f = fx(state);
    char *mnt = tu_mount_tmpfs(f->dir, "256k");
    if (!mnt) {
        print_message("# cannot mount a small tmpfs (%s): skipped\n", strerror(errno));
        skip();
    }
    f->mnt = mnt;
    char *path = f->scratch = tu_path(mnt, "holes.bin");
    tu_make_file(path, 4 * MIB, 1);
    Map *m = open_mode(f, path, MMH_MODE_SHARED, NULL);
    int rc = 0;
    uint64_t off;
    for (off = 0; off < 4 * MIB; off += PS) {
        uint8_t b = 0xf0;
        rc = map_write(m, off, &b, 1);
        if (rc < 0)
            break;
    }
    assert_int_equal(rc, -ENOSPC);
    assert_true(off > 0);
    assert_int_equal(map_size(m), 4 * MIB);
    assert_int_equal(byte_at(m, 0), 0xf0);
    assert_int_equal(byte_at(m, off - PS), 0xf0);
}

/* Mount a tmpfs of size bytes at dir/mnt with a sparse file of sparse
 * bytes in it (nothing allocated), then fill the rest with another file
 * until ENOSPC. The path of the sparse file, or NULL (skip) when no tmpfs
 * can be mounted. */
static char *full_tmpfs(Fx *f, const char *size, uint64_t sparse)
{
    char *mnt = tu_mount_tmpfs(f->dir, size);
    if (!mnt) {
        print_message("# cannot mount a small tmpfs (%s): skipped\n", strerror(errno));
        return NULL;
    }
    f->mnt = mnt;
    char *path = f->scratch = tu_path(mnt, "holes.bin");
    tu_make_file(path, sparse, 1);
    tu_fill_fs(mnt);
    return path;
}

/* On a full tmpfs even a read of a hole raises SIGBUS: the kernel allocates
 * a page for it, in a private mapping too. That is no space, not an I/O
 * error, for a read as for a write, in copy and shared mode alike; and the
 * cause is learned from the file system, not guessed from the access. */
static void test_enospc_read(void **state)
{
    Fx *f = fx(state);
    char *path = full_tmpfs(f, "1m", 64 * KIB);
    if (!path)
        skip();
    const MmhMode modes[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
    for (size_t i = 0; i < 2; i++) {
        Map *m = open_mode(f, path, modes[i], NULL);
        uint8_t buf[16], b = 0x5a;
        assert_int_equal(map_read(m, 4096, buf, sizeof buf), -ENOSPC);
        assert_int_equal(map_write(m, 8192, &b, 1), -ENOSPC);
        assert_int_equal(map_size(m), 64 * KIB); /* not taken for a truncation */
        close_map(f);
    }
    assert_string_equal(map_strerror(-ENOSPC), "no space left on the file system to fill a hole");

    /* The same fault with room to spare is not about space: an I/O error. */
    spy_reset();
    spy.roomy = true;
    Map *m = open_mode(f, path, MMH_MODE_COPY, &spy_sys);
    uint8_t b;
    assert_int_equal(map_read(m, 4096, &b, 1), -EIO);
    /* And if the file system cannot be asked, a write fault keeps its
     * likeliest cause (a hole) and a read its safest (I/O). */
    spy.roomy = false;
    spy.fail_at = spy.calls + 2; /* fstat, then fstatvfs */
    assert_int_equal(map_read(m, 4096, &b, 1), -EIO);
    assert_string_equal(spy.what, "fstatvfs");
    spy.fail_at = spy.calls + 2;
    assert_int_equal(map_write(m, 4096, &b, 1), -ENOSPC);
    assert_string_equal(spy.what, "fstatvfs");
    close_map(f);

    /* Room again: the hole reads as zeros. */
    char *fill = tu_path(f->mnt, "fill");
    assert_int_equal(unlink(fill), 0);
    free(fill);
    m = open_mode(f, path, MMH_MODE_COPY, NULL);
    assert_int_equal(byte_at(m, 4096), 0);
}

/* Copy a small program into dir and start it (sleep 30); *pid gets it. The
 * copy's path, or NULL (skip) when none can be run. Returns once the kernel
 * refuses to open the file for writing (the exec has happened). */
static char *start_program(const char *dir, pid_t *pid)
{
    char *prog = tu_path(dir, "prog");
    char *cmd;
    assert_true(asprintf(&cmd, "cp /bin/sleep '%s' && chmod 0755 '%s'", prog, prog) > 0);
    int copied = system(cmd);
    free(cmd);
    if (copied != 0) {
        print_message("# could not copy /bin/sleep: skipped\n");
        free(prog);
        return NULL;
    }
    fflush(NULL);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        execl(prog, "prog", "30", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) { /* 5 s at most */
        int fd = open(prog, O_RDWR);
        if (fd < 0 && errno == ETXTBSY)
            return prog;
        if (fd >= 0)
            close(fd);
        usleep(10000);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    print_message("# the program never ran (or this kernel lets it be written): skipped\n");
    free(prog);
    return NULL;
}

/* A running program cannot be opened for writing (ETXTBSY), though the
 * permission check says it may be written. Auto mode opens it read-only,
 * copy mode keeps its edits for W, shared mode and `w` say why they fail. */
static void test_running_program(void **state)
{
    Fx *f = fx(state);
    pid_t pid = -1;
    char *prog = f->scratch = start_program(f->dir, &pid);
    if (!prog)
        skip();

    Map *m = open_mode(f, prog, MMH_MODE_AUTO, NULL);
    int mode = map_mode(m);
    const char *notice = map_notice(m);
    bool writable = map_file_writable(m);
    close_map(f);

    Map *s = NULL;
    MapOpts o = {.mode = MMH_MODE_SHARED};
    int shared_rc = map_open(&s, prog, &o);
    map_close(s);

    m = open_mode(f, prog, MMH_MODE_COPY, NULL);
    int copy_mode = map_mode(m);
    const char *copy_notice = map_notice(m);
    uint8_t old = byte_at(m, 100);
    put_byte(m, 100, (uint8_t)~old);
    MmhSpan run = {100, 101};
    int commit_rc = map_commit(m, &run, 1);
    int on_disk = tu_pread_byte(prog, 100);

    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, NULL, 0), pid);

    assert_int_equal(mode, MMH_MODE_READONLY);
    assert_true(writable); /* permitted: only busy */
    assert_non_null(notice);
    assert_string_equal(notice, "read-only: the file is a running program (text file busy); use "
                                "-c to edit and save to a new file");
    assert_int_equal(shared_rc, -ETXTBSY);
    assert_string_equal(map_strerror(-ETXTBSY),
                        "the file is a running program: the kernel refuses to write it (text file "
                        "busy)");
    assert_int_equal(copy_mode, MMH_MODE_COPY);
    assert_non_null(copy_notice);
    assert_string_equal(copy_notice,
                        "the file is a running program: edits can only be saved to a new file (W)");
    assert_int_equal(commit_rc, -ETXTBSY);
    assert_int_equal(on_disk, old);
    assert_int_equal(byte_at(m, 100), (uint8_t)~old); /* the edit is kept */

    /* The program has ended: the same map now writes, and a new open is an
     * ordinary copy-mode open. */
    assert_int_equal(map_commit(m, &run, 1), 0);
    assert_int_equal(tu_pread_byte(prog, 100), (uint8_t)~old);
    close_map(f);
    m = open_mode(f, prog, MMH_MODE_AUTO, NULL);
    assert_int_equal(map_mode(m), MMH_MODE_COPY);
    assert_null(map_notice(m));
}

/* ---- fault injection ------------------------------------------------------ */

#define FI_SIZE (256 * KIB)
#define FI_GROWN (320 * KIB)

static uint8_t model[FI_GROWN]; /* what the map should show */

static void check_model(Map *m, uint64_t size)
{
    static uint8_t buf[FI_GROWN];
    assert_int_equal(map_size(m), size);
    assert_int_equal(map_read(m, 0, buf, size), 0);
    assert_memory_equal(buf, model, size);
}

/* A public call failed: only because of an injected failure, with a code. */
#define FI_STEP(expr)                                                                              \
    do {                                                                                           \
        long failed0_ = spy.failed;                                                                \
        int rc_ = (expr);                                                                          \
        if (rc_ < 0) {                                                                             \
            if (spy.failed != failed0_ + 1 || rc_ < -4095)                                         \
                fail_msg("%s: %d (%s) without an injected failure (call %ld)", #expr, rc_,         \
                         map_strerror(rc_), spy.fail_at);                                          \
            ok = false;                                                                            \
        } else {                                                                                   \
            ok = true;                                                                             \
        }                                                                                          \
    } while (0)

/* One scenario with the fail_at-th call failing. true if nothing failed. */
static bool fi_scenario(Fx *f, MmhMode mode, long fail_at)
{
    char name[64];
    snprintf(name, sizeof name, "fi-%d-%ld.bin", (int)mode, fail_at);
    free(f->scratch);
    char *path = f->scratch = tu_path(f->dir, name);
    tu_make_file(path, FI_SIZE, 0);
    for (uint64_t i = 0; i < FI_GROWN; i++)
        model[i] = tu_pattern(i);

    spy_reset();
    spy.fail_at = fail_at;
    int fds = count_fds();
    Map *m = (Map *)&fds;
    MapOpts o = {.mode = mode, .sys = &spy_sys};
    bool ok;
    FI_STEP(map_open(&m, path, &o));
    if (!ok) {
        assert_null(m);
        assert_int_equal(count_fds(), fds);
        assert_false(still_mapped(path));
        return false;
    }
    f->m = m;
    uint64_t size = FI_SIZE;
    check_model(m, size);

    /* Edits: no syscalls, but they must survive what follows. */
    const uint64_t at[] = {100, 5000, 70000, FI_SIZE - 1};
    for (size_t i = 0; i < 4; i++) {
        model[at[i]] = (uint8_t)(0xa0 + i);
        put_byte(m, at[i], model[at[i]]);
    }

    /* Held across growth, a lock splits the map: refresh must cope. */
    FI_STEP(map_lock(m, 8 * KIB, 8 * KIB));
    uint64_t locked = rangeset_total(map_locked(m));
    assert_int_equal(locked, ok ? 8 * KIB : 0);

    grow_file(path, FI_GROWN);
    if (mode == MMH_MODE_SHARED) /* the file is the map */
        for (size_t i = 0; i < 4; i++)
            pwrite_file(path, at[i], &model[at[i]], 1);
    FI_STEP(map_refresh(m, NULL));
    if (!ok) {
        check_model(m, size);
        FI_STEP(map_refresh(m, NULL)); /* one failure per run: this works */
        assert_true(ok);
    }
    size = FI_GROWN;
    check_model(m, size);
    /* Kept, or (a re-lock after a move failed) honestly no longer reported. */
    assert_true(rangeset_total(map_locked(m)) == locked || map_locked(m)->n == 0);

    MapFlushResult fr;
    FI_STEP(map_flush(m, 0, 0, true, &fr));
    check_model(m, size);
    FI_STEP(map_flush(m, 0, 0, false, &fr));
    check_model(m, size);

    locked = rangeset_total(map_locked(m));
    FI_STEP(map_lock(m, 0, 64 * KIB));
    assert_int_equal(rangeset_total(map_locked(m)), ok ? 64 * KIB : locked);
    check_model(m, size);
    locked = rangeset_total(map_locked(m));
    FI_STEP(map_evict(m, 0, 0, NULL));
    if (ok)
        assert_int_equal(map_locked(m)->n, 0);
    else
        assert_true(rangeset_total(map_locked(m)) == locked || map_locked(m)->n == 0);
    check_model(m, size);
    FI_STEP(map_lock(m, 8 * KIB, 8 * KIB));
    locked = rangeset_total(map_locked(m));
    FI_STEP(map_unlock(m, 0, 0));
    assert_int_equal(rangeset_total(map_locked(m)), ok ? 0 : locked);
    check_model(m, size);

    MapLockLimit ll;
    FI_STEP(map_lock_limit(m, &ll));
    char msg[128];
    map_lock_message(m, -ENOMEM, msg, sizeof msg);
    assert_true(strlen(msg) > 0);

    FI_STEP(map_advise(m, MMH_ADV_RANDOM));
    assert_int_equal(map_advice(m), ok ? MMH_ADV_RANDOM : MMH_ADV_NORMAL);
    FI_STEP(map_prefetch(m, 0, 0, false));
    FI_STEP(map_prefetch(m, 0, 0, true));
    check_model(m, size);

    if (mode == MMH_MODE_COPY) {
        MmhSpan runs[4];
        for (size_t i = 0; i < 4; i++)
            runs[i] = (MmhSpan){at[i], at[i] + 1};
        FI_STEP(map_commit(m, runs, 4));
        check_model(m, size);
        if (ok)
            for (size_t i = 0; i < 4; i++)
                assert_int_equal(tu_pread_byte(path, at[i]), model[at[i]]);
    }
    assert_int_equal(map_size(m), size);

    close_map(f); /* never fails, but its calls count too */
    assert_int_equal(count_fds(), fds);
    const char *what = spy.what;
    if ((!what || strcmp(what, "munmap") != 0) && still_mapped(path)) /* that one leaks */
        fail_msg("mapping left behind with call %ld (%s) failed", fail_at, what ? what : "-");
    return spy.failed == 0;
}

static void fault_injection(void **state, MmhMode mode)
{
    Fx *f = fx(state);
    if (mode == MMH_MODE_COPY)
        need_mlock2();
    long n;
    for (n = 1; n < 1000; n++)
        if (fi_scenario(f, mode, n))
            break;
    assert_true(n < 1000);
    print_message("# %s: failed each of %ld calls in turn\n",
                  mode == MMH_MODE_COPY ? "copy" : "shared", n - 1);
}

static void test_fault_injection_copy(void **state)
{
    fault_injection(state, MMH_MODE_COPY);
}

static void test_fault_injection_shared(void **state)
{
    fault_injection(state, MMH_MODE_SHARED);
}

/* ---- main ----------------------------------------------------------------- */

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
    PS = (size_t)sysconf(_SC_PAGESIZE);
    if (argc == 3 && !strcmp(argv[1], "--lock-limit-child"))
        return lock_limit_child(argv[2]);
    /* Not /proc/self/exe: under valgrind that is valgrind. */
    if (!strchr(argv[0], '/') || !realpath(argv[0], self))
        snprintf(self, sizeof self, "/proc/%d/exe", (int)getpid());
    const struct CMUnitTest tests[] = {
        T(test_copy_mode_is_private),
        T(test_shared_mode_is_live),
        T(test_readonly_mode_refuses_edits),
        T(test_auto_mode),
        T(test_not_writable),
        T(test_huge_sparse_file),
        T(test_refused_kinds),
        T(test_empty_file),
        T(test_bounds),
        T(test_readahead),
        T(test_truncation_copy),
        T(test_truncation_shared),
        T(test_truncation_readonly),
        T(test_visit),
        T(test_refresh_grow_shrink),
        T(test_refresh_with_locks),
        T(test_grow_in_place),
        T(test_flush_sync),
        T(test_flush_async),
        T(test_evict_shared),
        T(test_evict_copy),
        T(test_evict_copy_pagemap_fallback),
        T(test_evict_readonly),
        T(test_lock_shared),
        T(test_lock_copy_onfault),
        T(test_lock_limit),
        T(test_advise),
        T(test_prefetch),
        T(test_commit),
        T(test_large_offsets),
        T(test_block_device),
        T(test_enospc),
        T(test_enospc_read),
        T(test_running_program),
        T(test_fault_injection_copy),
        T(test_fault_injection_shared),
    };
    const char *filter = getenv("MMH_TEST_FILTER"); /* e.g. for a valgrind run */
    if (filter && *filter)
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
