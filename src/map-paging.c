/*
 * map-paging: what the map asks of the page cache and of its own page tables
 * (see map.h): flush, lock and unlock, advice, evict, prefetch, and the
 * device's readahead window. struct Map and the helpers shared with map.c are
 * in map_private.h; map.c states the invariants, which hold here too.
 *
 * - flush: sync_file_range on the descriptor, msync only for a waited flush
 *   of a shared map. Copy and read-only maps hold no dirty pages of their
 *   own; their fd can still write back what others dirtied.
 * - lock: copy mode locks with mlock2(MLOCK_ONFAULT), because plain mlock on
 *   a private writable mapping copies every page. mlock marks the range
 *   locked before populating it, so a failure while populating leaves pages
 *   locked that nobody asked for: those are unlocked again.
 * - evict rounds out to 2 MiB (EVICT_ALIGN): ext4 caches in folios this
 *   large. Dirty pages cannot be dropped, so a shared map writes them first.
 *   Locked pages resist eviction (and MADV_DONTNEED fails on them), so they
 *   are unlocked. Our page-table entries pin the pages and fadvise skips
 *   mapped pages, so MADV_DONTNEED goes first; in copy mode it spares the
 *   pages holding edits, which it would throw away.
 * - prefetch: MADV_WILLNEED asked in readahead windows (one call reads no
 *   more than the window), or MADV_POPULATE_READ, which falls back to that
 *   before 5.14.
 * - readahead: the window is asked for lazily: a sysfs read costs more than
 *   the rest of map_open.
 */
#include "config.h"

#include "map.h"
#include "map_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sys.h"

/* Debian 12's headers know these, older ones may not; the values are ABI. */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1U
#endif
#ifndef SYNC_FILE_RANGE_WAIT_BEFORE
#define SYNC_FILE_RANGE_WAIT_BEFORE 1U
#define SYNC_FILE_RANGE_WRITE 2U
#define SYNC_FILE_RANGE_WAIT_AFTER 4U
#endif

#define MIB (UINT64_C(1) << 20)
#define DEFAULT_READAHEAD (2 * MIB) /* when the device does not say */
#define EVICT_ALIGN (2 * MIB)       /* ext4 caches in folios this large */
#define PAGEMAP_BATCH 1024          /* pagemap entries read per pread */
#define SCAN_REGIONS 64             /* PAGEMAP_SCAN regions per ioctl */
#define CAP_IPC_LOCK_BIT 14         /* <linux/capability.h> CAP_IPC_LOCK */

/* /proc/self/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_SWAPPED (UINT64_C(1) << 62)
#define PM_FILE (UINT64_C(1) << 61)

/* ---- small helpers -------------------------------------------------------- */

/* [off, off+len) as a range of offsets rounded out to `align` and clamped
 * to the file's pages; len 0 means to the end. false when that is empty. */
static bool span(const Map *m, uint64_t off, uint64_t len, uint64_t align, uint64_t *lo,
                 uint64_t *hi)
{
    if (!m->base || off >= m->size)
        return false;
    uint64_t end = (len == 0 || len > m->size - off) ? m->size : off + len;
    uint64_t limit = round_up(m->size, m->pagesize);
    *lo = round_down(off, align);
    *hi = round_up(end, align);
    if (*hi > limit || *hi < end) /* < end: rounding wrapped */
        *hi = limit;
    return *lo < *hi;
}

/* A copy of src in dst, so a change can be prepared before the syscall it
 * describes and thrown away if that fails. */
static int set_copy(RangeSet *dst, const RangeSet *src)
{
    *dst = (RangeSet)RANGESET_INIT;
    if (src->n == 0)
        return 0;
    dst->v = malloc(src->n * sizeof *src->v);
    if (!dst->v)
        return -ENOMEM;
    memcpy(dst->v, src->v, src->n * sizeof *src->v);
    dst->n = dst->cap = src->n;
    return 0;
}

static void set_replace(RangeSet *dst, RangeSet *src)
{
    rangeset_free(dst);
    *dst = *src;
}

/* Read a small text file (sysfs, procfs) through the table; NUL-terminated.
 * Returns the length or -errno. */
static ssize_t read_text(const SysOps *sys, const char *path, char *buf, size_t cap)
{
    int fd = sys->open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
    if (fd < 0)
        return -errno;
    size_t got = 0;
    while (got < cap - 1) {
        ssize_t r = sys->pread(fd, buf + got, cap - 1 - got, (off_t)got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            sys->close(fd);
            return -e;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    sys->close(fd); /* read-only: nothing to lose if close complains */
    return (ssize_t)got;
}

static int cachestat_range(const Map *m, uint64_t lo, uint64_t hi, SysCacheStat *cs)
{
    SysCacheRange r = {lo, hi - lo};
    return m->sys->cachestat(m->fd, &r, cs, 0) < 0 ? -errno : 0;
}

/* ---- locking helpers ------------------------------------------------------ */

int map_lock_pages(Map *m, uint64_t lo, uint64_t hi)
{
    /* Plain mlock on a private writable mapping copies every page. */
    int r = m->mode == MMH_MODE_COPY ? m->sys->mlock2(m->base + lo, hi - lo, MLOCK_ONFAULT)
                                     : m->sys->mlock(m->base + lo, hi - lo);
    return r < 0 ? -errno : 0;
}

/* munlock the parts of [lo, hi) outside keep: after a failed mlock some of
 * the range may be locked already, and only keep's ranges are ours. */
static void unlock_gaps(Map *m, const RangeSet *keep, uint64_t lo, uint64_t hi)
{
    uint64_t at = lo;
    for (size_t i = rangeset_find(keep, lo); at < hi; i++) {
        uint64_t next = i < keep->n && keep->v[i].lo < hi ? keep->v[i].lo : hi;
        if (next > at)
            m->sys->munlock(m->base + at, next - at);
        if (i >= keep->n || keep->v[i].hi >= hi)
            break;
        at = keep->v[i].hi;
    }
}

/* ---- readahead ------------------------------------------------------------ */

/* The device's readahead window: BLKRAGET for a block device, else sysfs
 * for the device holding the file (a partition keeps its queue one level
 * up). Best effort: the default serves when none is found. */
static uint64_t probe_readahead(const Map *m)
{
    if (m->kind == MMH_KIND_BLOCKDEV) {
        long sectors = 0;
        if (m->sys->ioctl(m->fd, BLKRAGET, &sectors) == 0 && sectors > 0)
            return (uint64_t)sectors * 512;
        return DEFAULT_READAHEAD;
    }
    static const char *const up[] = {"", "../"};
    for (size_t i = 0; i < sizeof up / sizeof *up; i++) {
        char path[96], text[32];
        snprintf(path, sizeof path, "/sys/dev/block/%u:%u/%squeue/read_ahead_kb", major(m->dev),
                 minor(m->dev), up[i]);
        if (read_text(m->sys, path, text, sizeof text) <= 0)
            continue;
        char *end;
        unsigned long long kb = strtoull(text, &end, 10);
        if (end != text && kb * 1024 >= m->pagesize)
            return kb * 1024;
    }
    return DEFAULT_READAHEAD;
}

uint64_t map_readahead(Map *m)
{
    /* Asked for lazily: a sysfs read costs more than the rest of map_open. */
    if (!m->readahead)
        m->readahead = probe_readahead(m);
    return m->readahead;
}

/* ---- flush ---------------------------------------------------------------- */

int map_flush(Map *m, uint64_t off, uint64_t len, bool wait, MapFlushResult *res)
{
    uint64_t t0 = sys_now_ns(), lo, hi;
    MapFlushResult r = {0, 0};
    if (span(m, off, len, m->pagesize, &lo, &hi)) {
        SysCacheStat before, after;
        bool known = cachestat_range(m, lo, hi, &before) == 0;
        /* Copy and read-only maps hold no dirty pages of their own; their
         * fd can still write back what others dirtied. */
        unsigned how = SYNC_FILE_RANGE_WRITE;
        if (wait)
            how |= SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER;
        int rc;
        if (wait && m->mode == MMH_MODE_SHARED)
            rc = m->sys->msync(m->base + lo, hi - lo, MS_SYNC);
        else
            rc = m->sys->sync_file_range(m->fd, (off_t)lo, (off_t)(hi - lo), how);
        if (rc < 0)
            return -errno;
        known = known && cachestat_range(m, lo, hi, &after) == 0;
        r.pages = known ? (int64_t)before.nr_dirty - (int64_t)after.nr_dirty : -1;
    }
    r.ns = sys_now_ns() - t0;
    if (res)
        *res = r;
    return 0;
}

/* ---- locking -------------------------------------------------------------- */

/* Lock or unlock the pages of [off, off+len), keeping the lock set true to
 * what the kernel holds: the set changes only when the call succeeds. */
static int relock(Map *m, uint64_t off, uint64_t len, bool lock)
{
    uint64_t lo, hi;
    if (!span(m, off, len, m->pagesize, &lo, &hi))
        return 0;
    RangeSet next;
    int rc = set_copy(&next, &m->locked);
    if (rc == 0)
        rc = lock ? rangeset_add(&next, lo, hi) : rangeset_remove(&next, lo, hi);
    if (rc == 0 && lock) {
        rc = map_lock_pages(m, lo, hi);
        /* mlock marks the range locked before populating it, so a failure
         * while populating leaves pages locked that nobody asked for. */
        if (rc < 0)
            unlock_gaps(m, &m->locked, lo, hi);
    } else if (rc == 0 && m->sys->munlock(m->base + lo, hi - lo) < 0) {
        rc = -errno;
    }
    if (rc < 0) {
        rangeset_free(&next);
        return rc;
    }
    set_replace(&m->locked, &next);
    return 0;
}

int map_lock(Map *m, uint64_t off, uint64_t len)
{
    return relock(m, off, len, true);
}

int map_unlock(Map *m, uint64_t off, uint64_t len)
{
    return relock(m, off, len, false);
}

const RangeSet *map_locked(const Map *m)
{
    return &m->locked;
}

/* The value of "Field:" in a /proc status text, parsed in base b. */
static bool status_field(const char *text, const char *field, int b, uint64_t *v)
{
    size_t n = strlen(field);
    for (const char *p = text; *p;) {
        if (!strncmp(p, field, n) && p[n] == ':') {
            char *end;
            unsigned long long x = strtoull(p + n + 1, &end, b);
            if (end == p + n + 1)
                return false;
            *v = x;
            return true;
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return false;
}

int map_lock_limit(const Map *m, MapLockLimit *out)
{
    struct rlimit rl;
    if (m->sys->getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
        return -errno;
    char text[8192];
    ssize_t r = read_text(m->sys, "/proc/self/status", text, sizeof text);
    if (r < 0)
        return (int)r;
    uint64_t kib = 0, caps = 0;
    status_field(text, "VmLck", 10, &kib);
    status_field(text, "CapEff", 16, &caps);
    out->unlimited = rl.rlim_cur == RLIM_INFINITY || (caps >> CAP_IPC_LOCK_BIT & 1);
    out->limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
    out->process_locked = kib * 1024;
    out->map_locked = rangeset_total(&m->locked);
    return 0;
}

/* "8.0 MiB", "512 B". */
static const char *human(char *buf, size_t n, uint64_t v)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (v < 1024) {
        snprintf(buf, n, "%" PRIu64 " B", v);
        return buf;
    }
    double d = (double)v;
    size_t u = 0;
    while (d >= 1024 && u + 1 < sizeof unit / sizeof *unit) {
        d /= 1024;
        u++;
    }
    snprintf(buf, n, "%.1f %s", d, unit[u]);
    return buf;
}

char *map_lock_message(const Map *m, int rc, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    MapLockLimit ll;
    bool have = map_lock_limit(m, &ll) == 0;
    char a[32], b[32], c[32];
    switch (rc) {
    case 0:
        if (have && !ll.unlimited)
            snprintf(buf, n, "%s locked (%s by this process, limit %s)",
                     human(a, sizeof a, rangeset_total(&m->locked)),
                     human(b, sizeof b, ll.process_locked), human(c, sizeof c, ll.limit));
        else
            snprintf(buf, n, "%s locked", human(a, sizeof a, rangeset_total(&m->locked)));
        break;
    case -ENOMEM:
        if (!have)
            snprintf(buf, n, "lock limit (RLIMIT_MEMLOCK) exceeded");
        else if (ll.unlimited)
            snprintf(buf, n, "not enough memory to lock: %s already locked",
                     human(a, sizeof a, ll.process_locked));
        else
            snprintf(buf, n, "lock limit %s (RLIMIT_MEMLOCK) exceeded: %s already locked",
                     human(a, sizeof a, ll.limit), human(b, sizeof b, ll.process_locked));
        break;
    case -EPERM: snprintf(buf, n, "locking not permitted (RLIMIT_MEMLOCK is 0)"); break;
    case -EAGAIN: snprintf(buf, n, "some pages could not be locked"); break;
    default: snprintf(buf, n, "lock failed: %s", map_strerror(rc)); break;
    }
    return buf;
}

/* ---- advice, eviction, prefetch ------------------------------------------ */

int map_advise(Map *m, MmhAdvice adv)
{
    if (adv != MMH_ADV_NORMAL && adv != MMH_ADV_SEQUENTIAL && adv != MMH_ADV_RANDOM)
        return -EINVAL;
    if (m->base && m->sys->madvise(m->base, m->maplen, advice_value(adv)) < 0)
        return -errno;
    m->advice = adv;
    return 0;
}

MmhAdvice map_advice(const Map *m)
{
    return m->advice;
}

const char *map_advice_name(MmhAdvice adv)
{
    switch (adv) {
    case MMH_ADV_NORMAL: return "normal";
    case MMH_ADV_SEQUENTIAL: return "sequential";
    case MMH_ADV_RANDOM: return "random";
    }
    return "?";
}

int map_dontneed(Map *m, uint64_t lo, uint64_t hi)
{
    if (lo >= hi)
        return 0;
    return m->sys->madvise(m->base + lo, hi - lo, MADV_DONTNEED) < 0 ? -errno : 0;
}

/* Edited-page runs in [lo, hi) from the PAGEMAP_SCAN ioctl (6.7+): present
 * or swapped, and neither file-backed nor the zero page. Drops everything
 * between them. -ENOTTY when the kernel lacks the ioctl. */
static int dontneed_scan(Map *m, int pfd, uint64_t lo, uint64_t hi, uint64_t *kept)
{
    uint64_t at = lo;
    while (at < hi) {
        SysPageRegion vec[SCAN_REGIONS];
        SysPmScanArg a;
        memset(vec, 0, sizeof vec); /* for valgrind, which cannot see this ioctl's writes */
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.start = (uintptr_t)(m->base + at);
        a.end = (uintptr_t)(m->base + hi);
        a.vec = (uintptr_t)vec;
        a.vec_len = SCAN_REGIONS;
        a.category_inverted = SYS_PAGE_IS_FILE | SYS_PAGE_IS_PFNZERO;
        a.category_mask = SYS_PAGE_IS_FILE | SYS_PAGE_IS_PFNZERO;
        a.category_anyof_mask = SYS_PAGE_IS_PRESENT | SYS_PAGE_IS_SWAPPED;
        a.return_mask = SYS_PAGE_IS_PRESENT | SYS_PAGE_IS_SWAPPED;
        int n = m->sys->ioctl(pfd, SYS_PAGEMAP_SCAN, &a);
        if (n < 0) {
            int e = errno;
            return e == EINVAL || e == ENOTTY || e == EOPNOTSUPP || e == ENOSYS ? -ENOTTY : -e;
        }
        for (int i = 0; i < n; i++) {
            uint64_t rlo = vec[i].start - (uintptr_t)m->base;
            uint64_t rhi = vec[i].end - (uintptr_t)m->base;
            int rc = map_dontneed(m, at, rlo);
            if (rc < 0)
                return rc;
            *kept += (rhi - rlo) / m->pagesize;
            at = rhi;
        }
        uint64_t walked = a.walk_end - (uintptr_t)m->base;
        if (walked > hi || a.walk_end < (uintptr_t)m->base)
            walked = hi;
        int rc = map_dontneed(m, at, walked);
        if (rc < 0)
            return rc;
        if (walked <= at && n == 0) /* no progress: let the pagemap reads decide */
            return -ENOTTY;
        at = walked > at ? walked : at;
    }
    return 0;
}

/* The same from 8-byte /proc/self/pagemap entries, for older kernels. */
static int dontneed_pagemap(Map *m, int pfd, uint64_t lo, uint64_t hi, uint64_t *kept)
{
    uint64_t entries[PAGEMAP_BATCH];
    uint64_t from = lo; /* start of the unedited run not yet dropped */
    for (uint64_t at = lo; at < hi;) {
        uint64_t pages = (hi - at) / m->pagesize;
        size_t k = pages < PAGEMAP_BATCH ? (size_t)pages : PAGEMAP_BATCH;
        off_t where = (off_t)((uintptr_t)(m->base + at) / m->pagesize * sizeof *entries);
        ssize_t r = m->sys->pread(pfd, entries, k * sizeof *entries, where);
        if (r < 0)
            return -errno;
        if ((size_t)r < k * sizeof *entries)
            return -EIO;
        for (size_t i = 0; i < k; i++, at += m->pagesize) {
            uint64_t e = entries[i];
            bool edited = ((e & PM_PRESENT) && !(e & PM_FILE)) || (e & PM_SWAPPED);
            if (!edited)
                continue;
            int rc = map_dontneed(m, from, at);
            if (rc < 0)
                return rc;
            from = at + m->pagesize;
            (*kept)++;
        }
    }
    return map_dontneed(m, from, hi);
}

/* MADV_DONTNEED on [lo, hi) except pages holding copy-mode edits, which it
 * would throw away. */
static int dontneed_unedited(Map *m, uint64_t lo, uint64_t hi, uint64_t *kept)
{
    int pfd = m->sys->open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
    if (pfd < 0)
        return -errno;
    uint64_t k = 0;
    int rc = dontneed_scan(m, pfd, lo, hi, &k);
    if (rc == -ENOTTY) {
        k = 0;
        rc = dontneed_pagemap(m, pfd, lo, hi, &k);
    }
    m->sys->close(pfd);
    *kept = k;
    return rc;
}

int map_evict(Map *m, uint64_t off, uint64_t len, MapEvictResult *res)
{
    MapEvictResult r = {0, 0, 0, 0, 0};
    uint64_t lo, hi;
    if (!span(m, off, len, EVICT_ALIGN, &lo, &hi)) {
        if (res)
            *res = r;
        return 0;
    }
    /* What the user is told went: hi stops at the last byte, not its page. */
    r.lo = lo;
    r.hi = hi < m->size ? hi : m->size;
    const SysOps *sys = m->sys;
    SysCacheStat cs;
    r.before = cachestat_range(m, lo, hi, &cs) == 0 ? (int64_t)cs.nr_cache : -1;

    /* Dirty pages cannot be dropped: write them first. */
    if (m->mode == MMH_MODE_SHARED && sys->msync(m->base + lo, hi - lo, MS_SYNC) < 0)
        return -errno;
    /* Locked pages resist eviction (and MADV_DONTNEED fails on them). */
    if (rangeset_overlaps(&m->locked, lo, hi)) {
        RangeSet next;
        int rc = set_copy(&next, &m->locked);
        if (rc == 0)
            rc = rangeset_remove(&next, lo, hi);
        if (rc == 0 && sys->munlock(m->base + lo, hi - lo) < 0)
            rc = -errno;
        if (rc < 0) {
            rangeset_free(&next);
            return rc;
        }
        set_replace(&m->locked, &next);
    }
    /* Our page-table entries pin the pages; fadvise skips mapped pages. */
    int rc = m->mode == MMH_MODE_COPY ? dontneed_unedited(m, lo, hi, &r.kept_edited)
                                      : map_dontneed(m, lo, hi);
    if (rc < 0)
        return rc;
    int e = sys->fadvise(m->fd, (off_t)lo, (off_t)(hi - lo), POSIX_FADV_DONTNEED);
    if (e != 0)
        return -e;
    r.after = cachestat_range(m, lo, hi, &cs) == 0 ? (int64_t)cs.nr_cache : -1;
    if (r.before < 0)
        r.after = -1;
    if (res)
        *res = r;
    return 0;
}

static int willneed(Map *m, uint64_t lo, uint64_t hi)
{
    /* One call reads no more than the readahead window, so ask in windows. */
    uint64_t chunk = round_up(map_readahead(m), m->pagesize);
    for (uint64_t at = lo; at < hi; at += chunk) {
        uint64_t n = hi - at < chunk ? hi - at : chunk;
        if (m->sys->madvise(m->base + at, n, MADV_WILLNEED) < 0)
            return -errno;
    }
    return 0;
}

int map_prefetch(Map *m, uint64_t off, uint64_t len, bool populate)
{
    uint64_t lo, hi;
    if (!span(m, off, len, m->pagesize, &lo, &hi))
        return 0;
    if (!populate)
        return willneed(m, lo, hi);
    if (m->sys->madvise(m->base + lo, hi - lo, MADV_POPULATE_READ) == 0)
        return 0;
    int e = errno;
    if (e == EINVAL) /* before 5.14 */
        return willneed(m, lo, hi);
    if (e == EFAULT) { /* a page could not be read: truncated, or an I/O error */
        uint64_t size;
        int rc = map_query_size(m, &size);
        if (rc < 0)
            return rc;
        if (size < m->size) {
            map_resize(m, size);
            return -MMH_ETRUNC;
        }
        return -EIO;
    }
    return -e;
}
