/*
 * map: the file mapped whole, and every syscall made on it (see map.h).
 *
 * This module owns the only raw pointer to the mapped bytes. Everything else
 * reaches them through map_read/map_write/map_visit, which arm a SIGBUS guard
 * around each access, so a file truncated under us costs an error code and a
 * remap, never the process.
 *
 * Invariants:
 * - `size` is the file's size as of the last refresh or caught fault; every
 *   byte access is checked against it before touching memory.
 * - `maplen` is what is really mapped at `base` (a whole number of pages,
 *   0 exactly when `base` is NULL) and is never less than `size` rounded up
 *   to a page. It may be more: an unmap that fails while shrinking leaves a
 *   longer mapping behind, which is harmless because `size` bounds accesses.
 * - `locked` holds the page-aligned file offsets this map has mlocked, never
 *   past the end of the file (truncation takes the pages away).
 * - Every syscall goes through `sys`, so a test can fail any one of them. A
 *   failing call returns -errno with the facts the Map reports unchanged;
 *   the few calls whose failure costs nothing but accuracy (readahead
 *   probing, cachestat counts, re-applying advice) are best effort.
 *
 * The paging actions (flush, lock, advice, evict, prefetch, readahead) are
 * in map-paging.c; struct Map and the helpers both files use, in
 * map_private.h. The invariants above hold in both.
 */
#include "config.h"

#include "map.h"
#include "map_private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extent.h"
#include "guard.h"
#include "sys.h"

/* Debian 12's headers know it, older ones may not; the value is ABI. */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define VISIT_CHUNK (1u << 20)   /* bytes lent to a visit callback at once */
#define COMMIT_CHUNK (64u << 10) /* bounce buffer for map_commit */

/* ---- small helpers -------------------------------------------------------- */

/* Errors from the write-access probe or open(O_RDWR) that mean "you may not
 * write this file" rather than "something went wrong". EBUSY: a mounted
 * block device on kernels built without BLK_DEV_WRITE_MOUNTED. */
static bool is_denied(int e)
{
    return e == EACCES || e == EPERM || e == EROFS || e == ETXTBSY || e == EBUSY;
}

/* ---- size and mapping ----------------------------------------------------- */

int map_query_size(const Map *m, uint64_t *size)
{
    if (m->kind == MMH_KIND_BLOCKDEV) {
        uint64_t n = 0;
        if (m->sys->ioctl(m->fd, BLKGETSIZE64, &n) < 0)
            return -errno;
        *size = n;
        return 0;
    }
    struct stat st;
    if (m->sys->fstat(m->fd, &st) < 0)
        return -errno;
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

static int map_prot(const Map *m)
{
    return m->mode == MMH_MODE_READONLY ? PROT_READ : PROT_READ | PROT_WRITE;
}

static int map_flags(const Map *m)
{
    return m->mode == MMH_MODE_COPY ? MAP_PRIVATE | MAP_NORESERVE : MAP_SHARED;
}

/* Grow the mapping to want bytes (want > maplen). An extension mapped right
 * after the map first: it moves nothing and does not care how mlock split
 * the map into VMAs (the kernel merges it with the last one). Usually the
 * next addresses are taken, so then mremap, which may move the map and
 * keeps copy-mode private pages. */
static int grow(Map *m, size_t want)
{
    const SysOps *sys = m->sys;
    if (!m->base) {
        void *p = sys->mmap(NULL, want, map_prot(m), map_flags(m), m->fd, 0);
        if (p == MAP_FAILED)
            return -errno;
        m->base = p;
        m->maplen = want;
        return 0;
    }
    uint8_t *end = m->base + m->maplen;
    size_t extra = want - m->maplen;
    void *p = sys->mmap(end, extra, map_prot(m), map_flags(m) | MAP_FIXED_NOREPLACE, m->fd,
                        (off_t)m->maplen);
    if (p == end) {
        m->maplen = want;
        return 0;
    }
    if (p != MAP_FAILED) /* a kernel before 4.17 took the address as a hint */
        sys->munmap(p, extra);

    bool tail_locked = rangeset_contains(&m->locked, m->maplen - m->pagesize);
    p = sys->mremap(m->base, m->maplen, want, MREMAP_MAYMOVE);
    if (p != MAP_FAILED) {
        /* The tail VMA's VM_LOCKED spreads to the new pages: not asked for. */
        if (tail_locked)
            sys->munlock((uint8_t *)p + m->maplen, extra);
        m->base = p;
        m->maplen = want;
        return 0;
    }
    /* mremap moves a single VMA. Locks split the mapping, and so does
     * advice that only took on part of it: undo both, try again, redo. */
    int rc = -errno;
    if (m->locked.n == 0 && m->advice == MMH_ADV_NORMAL)
        return rc;
    if (m->locked.n && sys->munlock(m->base, m->maplen) < 0)
        return rc;
    if (m->advice != MMH_ADV_NORMAL)
        sys->madvise(m->base, m->maplen, advice_value(m->advice));
    p = sys->mremap(m->base, m->maplen, want, MREMAP_MAYMOVE);
    if (p != MAP_FAILED) {
        m->base = p;
        m->maplen = want;
        rc = 0;
    } else {
        rc = -errno;
    }
    /* Lock again what was locked; a range that will not lock any more is no
     * longer reported as locked. */
    for (size_t i = 0; i < m->locked.n;) {
        MmhSpan s = m->locked.v[i];
        if (map_lock_pages(m, s.lo, s.hi) == 0) {
            i++;
            continue;
        }
        sys->munlock(m->base + s.lo, s.hi - s.lo); /* a partial lock is undone */
        memmove(&m->locked.v[i], &m->locked.v[i + 1], (m->locked.n - i - 1) * sizeof s);
        m->locked.n--;
    }
    return rc;
}

/* Make the map cover a file of `size` bytes. Shrinking cannot fail: if the
 * tail will not unmap it stays mapped but out of bounds. */
int map_resize(Map *m, uint64_t size)
{
    uint64_t want64 = round_up(size, m->pagesize);
    if (want64 > SIZE_MAX || want64 < size)
        return -EFBIG;
    size_t want = (size_t)want64;
    if (want > m->maplen) {
        int rc = grow(m, want);
        if (rc < 0)
            return rc;
        if (m->advice != MMH_ADV_NORMAL) /* the new pages lack it; only speed is lost */
            m->sys->madvise(m->base, m->maplen, advice_value(m->advice));
    } else if (want < m->maplen) {
        if (want == 0) {
            if (m->sys->munmap(m->base, m->maplen) == 0) {
                m->base = NULL;
                m->maplen = 0;
            }
        } else if (m->sys->munmap(m->base + want, m->maplen - want) == 0) {
            m->maplen = want;
        }
        /* Truncation took those pages, locked or not. Removing a tail never
         * splits a range, so it cannot fail. */
        (void)rangeset_remove(&m->locked, want, UINT64_MAX);
    }
    m->size = size;
    return 0;
}

/* Has the file system holding the file less room than one page? 1 yes,
 * 0 no, -1 when it cannot be asked. f_bavail is what an unprivileged writer
 * may still take; on tmpfs it equals f_bfree (no reserve). A block device's
 * descriptor would report the file system of /dev: its faults are never
 * about space. */
static int fs_full(const Map *m)
{
    struct statvfs st;
    if (m->kind == MMH_KIND_BLOCKDEV)
        return 0;
    if (!m->sys->fstatvfs || m->sys->fstatvfs(m->fd, &st) < 0)
        return -1;
    uint64_t unit = st.f_frsize ? st.f_frsize : st.f_bsize;
    return st.f_bavail == 0 || st.f_bfree == 0 || (uint64_t)st.f_bavail * unit < m->pagesize;
}

/* After a caught SIGBUS at addr: learn the size. A fault past the new end
 * was a truncation (remap, -MMH_ETRUNC). Inside it, the kernel could not
 * give us the page: -ENOSPC when the file system is full, so the page was a
 * hole it could not fill (a write; on tmpfs even a read, which allocates a
 * page for the hole), else -EIO. The file system is asked, not the kind of
 * access, so a read and a write of the same hole name the same cause. */
static int fault_result(Map *m, uintptr_t addr, bool writing)
{
    uint64_t at = (uint64_t)(addr - (uintptr_t)m->base);
    uint64_t size;
    int rc = map_query_size(m, &size);
    if (rc < 0)
        return rc;
    if (at >= size && size < m->size) {
        map_resize(m, size); /* shrinking: cannot fail */
        return -MMH_ETRUNC;
    }
    int full = fs_full(m);
    if (full < 0) /* cannot tell: a write fault is most likely a hole */
        return writing ? -ENOSPC : -EIO;
    return full ? -ENOSPC : -EIO;
}

/* ---- open and close ------------------------------------------------------- */

/* What the open path is; 0 for something we map, else map_open's code. */
static int classify(Map *m, const struct stat *st)
{
    if (S_ISREG(st->st_mode)) {
        m->kind = MMH_KIND_FILE;
        return 0;
    }
    if (S_ISBLK(st->st_mode)) {
        m->kind = MMH_KIND_BLOCKDEV;
        return 0;
    }
    if (S_ISDIR(st->st_mode))
        return -EISDIR;
    if (S_ISFIFO(st->st_mode))
        return -ESPIPE;
    if (S_ISSOCK(st->st_mode))
        return -EPROTOTYPE;
    return -ENODEV;
}

/* The size of the thing open on m->fd. A regular file claiming 0 bytes is
 * asked for one: /proc and /sys files report 0 and then produce text. */
static int initial_size(Map *m, const struct stat *st, uint64_t *size)
{
    if (m->kind == MMH_KIND_BLOCKDEV)
        return map_query_size(m, size);
    *size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
    if (*size > 0)
        return 0;
    char c;
    ssize_t r = m->sys->pread(m->fd, &c, 1, 0);
    if (r < 0)
        return -errno;
    return r > 0 ? -ENODATA : 0;
}

/* Is the file a running program? The kernel refuses to open one for
 * writing (ETXTBSY), and faccessat does not say so. Only files with an
 * execute bit are asked, by an open(O_RDWR) that then fails: one that
 * succeeds is closed at once, which sends inotify watchers IN_CLOSE_WRITE,
 * so a plain data file never pays for the question. Best effort. */
static void probe_busy(Map *m, const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || !(st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
        return;
    int fd = m->sys->open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
    if (fd >= 0)
        m->sys->close(fd);
    else if (errno == ETXTBSY)
        m->busy = true;
}

/* Could this process write the file open on m->fd? Asked with
 * faccessat(AT_EACCESS) on /proc/self/fd/N (the very inode, no path race),
 * not by opening it O_RDWR: closing a descriptor opened for writing sends
 * inotify watchers IN_CLOSE_WRITE, and a viewer must not look like a writer.
 * A running program is the exception (probe_busy). */
static int can_write(Map *m, const char *path, const struct stat *st, bool *yes)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", m->fd);
    int rc = m->sys->faccessat(AT_FDCWD, self, W_OK, AT_EACCESS);
    if (rc < 0 && errno == ENOENT) /* no /proc: the path will do */
        rc = m->sys->faccessat(AT_FDCWD, path, W_OK, AT_EACCESS);
    if (rc < 0 && errno == ETXTBSY) { /* permitted, but a running program */
        m->busy = true;
        rc = 0;
    }
    *yes = rc == 0;
    if (rc < 0 && !is_denied(errno))
        return -errno;
    if (*yes && !m->busy)
        probe_busy(m, path, st);
    return 0;
}

/* Shared mode maps an O_RDWR descriptor: open it, and check the second open
 * found the same file. *wfd gets it, or -1 when writing is denied. */
static int open_writable(Map *m, const char *path, const struct stat *st, int *wfd)
{
    const SysOps *sys = m->sys;
    *wfd = sys->open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
    if (*wfd < 0) {
        int e = errno;
        m->busy = e == ETXTBSY;
        return is_denied(e) ? 0 : -e;
    }
    struct stat wst;
    int rc = 0;
    if (sys->fstat(*wfd, &wst) < 0)
        rc = -errno;
    else if (wst.st_dev != st->st_dev || wst.st_ino != st->st_ino)
        rc = -ESTALE; /* replaced between the two opens */
    if (rc < 0) {
        sys->close(*wfd);
        *wfd = -1;
    }
    return rc;
}

static int choose_mode(Map *m, MmhMode asked)
{
    switch (asked) {
    case MMH_MODE_AUTO:
        if (m->kind == MMH_KIND_BLOCKDEV) {
            m->mode = MMH_MODE_READONLY;
            m->notice = "block device: opened read-only; use -c or -s to edit";
        } else if (!m->writable) {
            m->mode = MMH_MODE_READONLY;
            m->notice = "read-only: no write permission";
        } else if (m->busy) {
            m->mode = MMH_MODE_READONLY;
            m->notice = "read-only: the file is a running program (text file busy); use -c to "
                        "edit and save to a new file";
        } else {
            m->mode = MMH_MODE_COPY;
        }
        return 0;
    case MMH_MODE_COPY:
        m->mode = MMH_MODE_COPY;
        if (!m->writable)
            m->notice = "file not writable: edits can only be saved to a new file";
        else if (m->busy)
            m->notice = "the file is a running program: edits can only be saved to a new file (W)";
        return 0;
    case MMH_MODE_SHARED:
        if (m->busy)
            return -ETXTBSY;
        if (!m->writable)
            return -EROFS;
        m->mode = MMH_MODE_SHARED;
        return 0;
    case MMH_MODE_READONLY: m->mode = MMH_MODE_READONLY; return 0;
    }
    return -EINVAL;
}

static int open_file(Map *m, const char *path, MmhMode asked)
{
    const SysOps *sys = m->sys;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    m->fd = sys->open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
    if (m->fd < 0) {
        int e = errno;
        struct stat st;
        /* open() of a socket fails with ENXIO; say what it is instead. */
        if (e == ENXIO && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            return -EPROTOTYPE;
        return -e;
    }
    struct stat st;
    if (sys->fstat(m->fd, &st) < 0)
        return -errno;
    int rc = classify(m, &st);
    uint64_t size = 0;
    if (rc == 0)
        rc = initial_size(m, &st, &size);
    if (rc < 0)
        return rc;
    m->dev = st.st_dev;
    m->ino = st.st_ino;

    int wfd = -1;
    if (asked == MMH_MODE_SHARED) {
        rc = open_writable(m, path, &st, &wfd);
        if (rc < 0)
            return rc;
        m->writable = wfd >= 0;
    } else {
        rc = can_write(m, path, &st, &m->writable);
        if (rc < 0)
            return rc;
    }
    rc = choose_mode(m, asked);
    if (rc < 0) {
        if (wfd >= 0)
            sys->close(wfd);
        return rc;
    }
    if (m->mode == MMH_MODE_SHARED) { /* the map is made from the O_RDWR fd */
        sys->close(m->fd);
        m->fd = wfd;
    } else if (wfd >= 0) {
        sys->close(wfd);
    }

    rc = map_resize(m, size);
    /* mmap's ENODEV: this file system does not map files (sysfs). It is a
     * regular file, so "a character device" would name the wrong cause. */
    return rc == -ENODEV ? -MMH_ENOMMAP : rc;
}

int map_open(Map **out, const char *path, const MapOpts *opts)
{
    *out = NULL;
    int rc = guard_init();
    if (rc < 0)
        return rc;
    Map *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->sys = opts && opts->sys ? opts->sys : &sys_default;
    m->fd = -1;
    m->pagesize = (size_t)sysconf(_SC_PAGESIZE);
    m->locked = (RangeSet)RANGESET_INIT;
    m->path = strdup(path);
    rc = m->path ? open_file(m, path, opts ? opts->mode : MMH_MODE_AUTO) : -ENOMEM;
    if (rc < 0) {
        if (m->fd >= 0)
            m->sys->close(m->fd);
        free(m->path);
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void map_close(Map *m)
{
    if (!m)
        return;
    if (m->base) {
        if (m->locked.n)
            m->sys->munlock(m->base, m->maplen);
        m->sys->munmap(m->base, m->maplen);
    }
    if (m->fd >= 0)
        m->sys->close(m->fd);
    rangeset_free(&m->locked);
    free(m->path);
    free(m);
}

const char *map_notice(const Map *m)
{
    return m->notice;
}

const char *map_strerror(int rc)
{
    switch (rc) {
    case -EISDIR: return "is a directory";
    case -ESPIPE: return "is a FIFO (pipe); mmhex maps files and block devices";
    case -EPROTOTYPE: return "is a socket; mmhex maps files and block devices";
    case -ENODEV: return "is a character device; mmhex maps files and block devices";
    case -ENODATA:
        return "reports size 0 but is not empty (a /proc or /sys file?); it cannot be mapped";
    case -MMH_ETRUNC: return "file truncated by another process";
    case -MMH_EREPLACED: return "the file was replaced by another process (renamed over)";
    case -MMH_ENOMMAP:
        return "its file system cannot map files (a /sys file?); mmhex maps files and block "
               "devices";
    case -EROFS: return "read-only: the file cannot be written in this mode";
    case -ESTALE: return "the file was replaced by another process";
    case -ENOSPC: return "no space left on the file system to fill a hole";
    case -ETXTBSY:
        return "the file is a running program: the kernel refuses to write it (text file busy)";
    }
    return strerror(rc < 0 ? -rc : rc);
}

/* ---- facts ---------------------------------------------------------------- */

const char *map_path(const Map *m)
{
    return m->path;
}

uint64_t map_size(const Map *m)
{
    return m->size;
}

MmhMode map_mode(const Map *m)
{
    return m->mode;
}

MmhKind map_kind(const Map *m)
{
    return m->kind;
}

bool map_file_writable(const Map *m)
{
    return m->writable;
}

size_t map_pagesize(const Map *m)
{
    return m->pagesize;
}

int map_fd(const Map *m)
{
    return m->fd;
}

const SysOps *map_sys(const Map *m)
{
    return m->sys;
}

uintptr_t map_addr(const Map *m, uint64_t off)
{
    if (!m->base || m->size == 0 || off > m->maplen)
        return 0;
    return (uintptr_t)(m->base + off);
}

/* ---- bytes ---------------------------------------------------------------- */

static bool in_file(const Map *m, uint64_t off, size_t len)
{
    return off <= m->size && len <= m->size - off;
}

int map_read(Map *m, uint64_t off, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (!in_file(m, off, len))
        return -MMH_ETRUNC;
    GuardFrame g;
    guard_push(&g, (uintptr_t)m->base, (uintptr_t)m->base + m->maplen);
    if (sigsetjmp(g.env, 0)) {
        guard_pop(&g);
        return fault_result(m, g.fault, false);
    }
    memcpy(buf, m->base + off, len);
    guard_pop(&g);
    return 0;
}

int map_write(Map *m, uint64_t off, const void *buf, size_t len)
{
    if (m->mode == MMH_MODE_READONLY)
        return -EROFS;
    if (len == 0)
        return 0;
    if (!in_file(m, off, len))
        return -MMH_ETRUNC;
    GuardFrame g;
    guard_push(&g, (uintptr_t)m->base, (uintptr_t)m->base + m->maplen);
    if (sigsetjmp(g.env, 0)) {
        guard_pop(&g);
        return fault_result(m, g.fault, true);
    }
    memcpy(m->base + off, buf, len);
    guard_pop(&g);
    return 0;
}

/* The loop lives apart from map_visit so that nothing it changes is read
 * after a longjmp back into map_visit. */
static int visit_chunks(Map *m, uint64_t off, size_t len, MapVisitFn fn, void *ctx)
{
    int rc = 0;
    for (size_t done = 0; done < len && rc == 0;) {
        size_t n = len - done < VISIT_CHUNK ? len - done : VISIT_CHUNK;
        rc = fn(m->base + off + done, n, off + done, ctx);
        done += n;
    }
    return rc;
}

int map_visit(Map *m, uint64_t off, size_t len, MapVisitFn fn, void *ctx)
{
    if (len == 0)
        return 0;
    if (!in_file(m, off, len))
        return -MMH_ETRUNC;
    GuardFrame g;
    guard_push(&g, (uintptr_t)m->base, (uintptr_t)m->base + m->maplen);
    if (sigsetjmp(g.env, 0)) {
        guard_pop(&g);
        return fault_result(m, g.fault, false);
    }
    int rc = visit_chunks(m, off, len, fn, ctx);
    guard_pop(&g);
    return rc;
}

/* A fault in map_visit_span: what it means, the map left as it is (other
 * threads may be reading it). */
static int fault_peek(Map *m, uintptr_t addr)
{
    uint64_t at = (uint64_t)(addr - (uintptr_t)m->base), size;
    int rc = map_query_size(m, &size);
    if (rc < 0)
        return rc;
    if (at >= size)
        return -MMH_ETRUNC;
    return fs_full(m) > 0 ? -ENOSPC : -EIO;
}

int map_visit_span(Map *m, uint64_t off, size_t len, MapVisitFn fn, void *ctx)
{
    if (len == 0)
        return 0;
    if (!in_file(m, off, len))
        return -MMH_ETRUNC;
    GuardFrame g;
    guard_push(&g, (uintptr_t)m->base, (uintptr_t)m->base + m->maplen);
    if (sigsetjmp(g.env, 0)) {
        guard_pop(&g);
        return fault_peek(m, g.fault);
    }
    int rc = fn(m->base + off, len, off, ctx);
    guard_pop(&g);
    return rc;
}

/* ---- size changes --------------------------------------------------------- */

int map_refresh(Map *m, uint64_t *old_size)
{
    uint64_t size;
    int rc = map_query_size(m, &size);
    if (rc < 0)
        return rc;
    if (old_size)
        *old_size = m->size;
    return size == m->size ? 0 : map_resize(m, size);
}

/* ---- copy-mode write-back ------------------------------------------------- */

static int write_runs(Map *m, int fd, const MmhSpan *runs, size_t n, MapSourceFn src, void *ctx,
                      uint8_t *buf)
{
    for (size_t i = 0; i < n; i++) {
        for (uint64_t at = runs[i].lo; at < runs[i].hi;) {
            size_t k = runs[i].hi - at < COMMIT_CHUNK ? (size_t)(runs[i].hi - at) : COMMIT_CHUNK;
            int rc = src ? src(at, buf, k, ctx) : map_read(m, at, buf, k);
            if (rc == 0)
                rc = sys_pwrite_all(m->sys, fd, buf, k, at);
            if (rc < 0)
                return rc;
            at += k;
        }
    }
    return m->sys->fsync(fd) < 0 ? -errno : 0;
}

/* MADV_DONTNEED on [lo, hi) except locked pages (it fails on those). */
static void dontneed_unlocked(Map *m, uint64_t lo, uint64_t hi)
{
    uint64_t at = lo;
    for (size_t i = rangeset_find(&m->locked, lo); at < hi; i++) {
        uint64_t next = i < m->locked.n && m->locked.v[i].lo < hi ? m->locked.v[i].lo : hi;
        if (next > at)
            map_dontneed(m, at, next);
        if (i >= m->locked.n || m->locked.v[i].hi >= hi)
            break;
        at = m->locked.v[i].hi;
    }
}

int map_commit(Map *m, const MmhSpan *runs, size_t n)
{
    int rc = map_commit_from(m, runs, n, NULL, NULL);
    if (rc == 0)
        map_discard(m, runs, n);
    return rc;
}

int map_commit_from(Map *m, const MmhSpan *runs, size_t n, MapSourceFn src, void *ctx)
{
    if (m->mode != MMH_MODE_COPY || !m->writable)
        return -EROFS;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].lo >= runs[i].hi || (i > 0 && runs[i].lo < runs[i - 1].hi))
            return -EINVAL;
        if (runs[i].hi > m->size)
            return -MMH_ETRUNC;
    }
    if (n == 0)
        return 0;
    const SysOps *sys = m->sys;
    uint8_t *buf = malloc(COMMIT_CHUNK);
    if (!buf)
        return -ENOMEM;
    int fd = sys->open(m->path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        free(buf);
        if (e == ETXTBSY) /* a running program: say so, not "read-only" */
            return -ETXTBSY;
        return is_denied(e) ? -EROFS : -e;
    }
    struct stat st;
    int rc = 0;
    if (sys->fstat(fd, &st) < 0)
        rc = -errno;
    else if (st.st_dev != m->dev || st.st_ino != m->ino)
        rc = -ESTALE; /* writing the runs into another file would be wrong */
    else if (m->kind == MMH_KIND_FILE && runs[n - 1].hi > (uint64_t)st.st_size)
        rc = -MMH_ETRUNC; /* truncated since the last refresh: pwrite would extend it */
    if (rc == 0)
        rc = write_runs(m, fd, runs, n, src, ctx, buf);
    /* After a good fsync the bytes are on disk whatever close says. */
    sys->close(fd);
    free(buf);
    return rc;
}

void map_discard(Map *m, const MmhSpan *runs, size_t n)
{
    if (m->mode != MMH_MODE_COPY || n == 0)
        return;
    /* Failing to drop a page costs memory, not data: best effort. */
    uint64_t lo = round_down(runs[0].lo, m->pagesize);
    uint64_t hi = round_up(runs[0].hi, m->pagesize);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && round_down(runs[i].lo, m->pagesize) <= hi) {
            hi = round_up(runs[i].hi, m->pagesize);
            continue;
        }
        if (hi > m->maplen)
            hi = m->maplen;
        if (lo < hi)
            dontneed_unlocked(m, lo, hi);
        if (i < n) {
            lo = round_down(runs[i].lo, m->pagesize);
            hi = round_up(runs[i].hi, m->pagesize);
        }
    }
}

int map_stamp(Map *m, MapStamp *out)
{
    struct stat st;
    if (m->sys->fstat(m->fd, &st) < 0)
        return -errno;
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    out->size = m->kind == MMH_KIND_FILE && st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

int map_path_check(const Map *m)
{
    struct stat st;
    if (stat(m->path, &st) < 0)
        return errno == ENOENT || errno == ENOTDIR ? -ENOENT : 0; /* else: cannot tell */
    return st.st_dev == m->dev && st.st_ino == m->ino ? 0 : -MMH_EREPLACED;
}
