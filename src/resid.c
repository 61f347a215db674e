/*
 * resid: what the kernel holds of a mapped file (see resid.h).
 *
 * The job is to ask the kernel about residency without disturbing it and
 * without repeating its lies. Nothing here touches mapped bytes: addresses
 * come from map_addr() as integers and go only to address-taking syscalls
 * (mincore, the pagemap file), so sampling never faults a page in.
 *
 * Invariants:
 * - Every syscall goes through the Map's SysOps table, so a test can fail
 *   any one of them; every fallible call returns 0 (or a count) or -errno,
 *   never prints, never exits, and leaves the Resid as it was.
 * - After resid_open the Resid is read-only: the probe results and one
 *   descriptor. Scratch space (the 64 KiB mincore vector, the 32 KiB pagemap
 *   buffer, the PAGEMAP_SCAN region array) lives on the stack of the call
 *   that needs it, so memory is fixed and calls share nothing mutable.
 * - Under the permission trap no answer says "resident": mincore would
 *   report every page resident and cachestat fails with EPERM, so residency
 *   is MMH_PG_UNKNOWN and counts are -EPERM.
 * - Addresses are never cached: map_refresh may move the mapping, so each
 *   call asks map_addr afresh, and ranges are clamped to map_size() so no
 *   syscall is pointed past the mapping.
 */
#include "config.h"

#include "resid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h> /* _IOWR, for SYS_PAGEMAP_SCAN */
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extent.h"
#include "map_private.h"

/* /proc/self/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT (1ull << 63) /* page present in RAM */
#define PM_SWAP (1ull << 62)    /* page swapped out */
#define PM_FILE (1ull << 61)    /* file page or shared anon; clear for a COW copy */

#define PAGEMAP_CHUNK 4096     /* pagemap entries per read: a 32 KiB buffer */
#define SCAN_REGIONS 64        /* PAGEMAP_SCAN regions per ioctl */
#define MINCORE_CHUNK 65536    /* pages per mincore call in a scan: a 64 KiB vector */
#define PER_PAGE_CACHESTAT 256 /* up to this many pages, one cachestat each */

/* Categories of an edited page of a private file mapping: a COW copy is
 * anonymous (not FILE) and either in RAM (PRESENT) or swapped out. */
#define EDIT_INVERTED SYS_PAGE_IS_FILE
#define EDIT_MASK SYS_PAGE_IS_FILE
#define EDIT_ANYOF (SYS_PAGE_IS_PRESENT | SYS_PAGE_IS_SWAPPED)
#define EDIT_RETURN (SYS_PAGE_IS_PRESENT | SYS_PAGE_IS_FILE | SYS_PAGE_IS_SWAPPED)

static const char why_trap[] = "no write permission: the kernel hides residency from non-owners";
static const char why_assumed[] = "no write permission: the kernel hides residency from non-owners "
                                  "(assumed: this kernel has no cachestat to ask)";

struct Resid {
    Map *m;             /* the mapping observed; outlives the Resid */
    const SysOps *sys;  /* map_sys(m), cached: it never changes for a Map */
    uint64_t ps;        /* page size */
    bool trapped;       /* the permission trap: residency cannot be known */
    const char *why;    /* words for the trap, NULL when known */
    bool has_cachestat; /* cachestat(2) answered the probe */
    bool has_scan;      /* the PAGEMAP_SCAN ioctl works on pagemap_fd */
    int pagemap_fd;     /* /proc/self/pagemap, -1 if it could not be opened */
    int pagemap_err;    /* -errno of that open when pagemap_fd is -1 */
};

/* Called for each run [lo, hi) of edited pages, in file offsets. */
typedef void (*RunFn)(void *ctx, uint64_t lo, uint64_t hi);

static uint64_t align_down(const Resid *r, uint64_t x)
{
    return x & ~(r->ps - 1);
}

static uint64_t align_up(const Resid *r, uint64_t x)
{
    return (x + r->ps - 1) & ~(r->ps - 1);
}

/* The page-aligned span [*lo, *hi) of the pages covering [off, off+len)
 * within the file; len 0 is "to the end" when zero_is_all, else empty. Sizes
 * fit off_t, so aligning up the clamped end cannot overflow. false when
 * nothing of the file is covered. */
static bool page_span(const Resid *r, uint64_t off, uint64_t len, bool zero_is_all, uint64_t *lo,
                      uint64_t *hi)
{
    uint64_t size = map_size(r->m);
    uint64_t end;

    if (len == 0 && zero_is_all)
        end = size;
    else
        end = len > UINT64_MAX - off ? UINT64_MAX : off + len;
    if (end > size)
        end = size;
    if (off >= end)
        return false;
    *lo = align_down(r, off);
    *hi = align_up(r, end);
    return true;
}

/* ---- opening: the probes ------------------------------------------------ */

/* cachestat(fd, 0, 1): 0 means it is there and we may use it; EPERM is the
 * permission trap (the kernel applies the same rule to mincore); ENOSYS (no
 * syscall), EINVAL and EOPNOTSUPP (a file system it does not serve) mean no
 * cachestat. Anything else is a real failure: we cannot tell the trap. */
static int probe_cachestat(Resid *r)
{
    SysCacheRange cr = {0, 1};
    SysCacheStat cs;

    if (r->sys->cachestat(map_fd(r->m), &cr, &cs, 0) == 0) {
        r->has_cachestat = true;
        return 0;
    }
    switch (errno) {
    case EPERM:
        r->trapped = true;
        r->why = why_trap;
        return 0;
    case ENOSYS:
    case EINVAL:
    case EOPNOTSUPP: return 0;
    default: return -errno;
    }
}

/* Without cachestat, nothing asks the kernel's question for us, so ask
 * can_do_mincore()'s: the owner, a privileged process or one that could
 * open the file for writing sees the truth; anyone else is lied to (since
 * Linux 5.0). Whether the file could be opened O_RDWR is the Map's fact. */
static int guess_trap(Resid *r)
{
    struct stat st;
    uid_t me = geteuid();

    if (r->sys->fstat(map_fd(r->m), &st) < 0)
        return -errno;
    if (st.st_uid != me && me != 0 && !map_file_writable(r->m)) {
        r->trapped = true;
        r->why = why_assumed;
    }
    return 0;
}

/* A one-page PAGEMAP_SCAN: any count back means the ioctl exists. ENOTTY
 * (before 6.7) and EINVAL (an ABI it does not take) mean 8-byte reads. */
static int probe_scan(Resid *r)
{
    SysPageRegion vec[1];
    uintptr_t a = map_addr(r->m, 0);
    SysPmScanArg arg = {
        .size = sizeof arg,
        .start = a,
        .end = a ? a + r->ps : a, /* an empty range still checks the ABI */
        .vec = (uintptr_t)vec,
        .vec_len = 1,
        .category_inverted = EDIT_INVERTED,
        .category_mask = EDIT_MASK,
        .category_anyof_mask = EDIT_ANYOF,
        .return_mask = EDIT_RETURN,
    };

    if (r->sys->ioctl(r->pagemap_fd, SYS_PAGEMAP_SCAN, &arg) >= 0) {
        r->has_scan = true;
        return 0;
    }
    if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
        return 0;
    return -errno;
}

int resid_open(Resid **out, Map *m)
{
    Resid *r;
    int rc;

    *out = NULL;
    r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->m = m;
    r->sys = map_sys(m);
    r->ps = map_pagesize(m);
    r->pagemap_fd = -1;

    rc = probe_cachestat(r);
    if (rc == 0 && !r->has_cachestat && !r->trapped)
        rc = guess_trap(r);
    if (rc < 0) {
        free(r);
        return rc;
    }

    /* pagemap is only for copy-mode edits: without it they are unknown, the
     * rest still works, so its failure is remembered, not returned. */
    r->pagemap_fd = r->sys->open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
    if (r->pagemap_fd < 0) {
        r->pagemap_err = -errno;
    } else {
        rc = probe_scan(r);
        if (rc < 0) {
            r->sys->close(r->pagemap_fd);
            free(r);
            return rc;
        }
    }
    *out = r;
    return 0;
}

void resid_close(Resid *r)
{
    if (!r)
        return;
    if (r->pagemap_fd >= 0)
        r->sys->close(r->pagemap_fd);
    free(r);
}

bool resid_known(const Resid *r)
{
    return !r->trapped;
}

const char *resid_why_unknown(const Resid *r)
{
    return r->why;
}

bool resid_has_cachestat(const Resid *r)
{
    return r->has_cachestat;
}

bool resid_has_pagemap_scan(const Resid *r)
{
    return r->has_scan;
}

/* ---- edited pages ------------------------------------------------------- */

/* PAGEMAP_SCAN over the pages [lo, hi) mapped at base: the kernel walks only
 * populated page tables, so an untouched map costs nothing whatever its
 * size. The region array may fill; walk_end says where to go on. */
static int edited_scan(const Resid *r, uint64_t lo, uint64_t hi, uintptr_t base, RunFn fn,
                       void *ctx)
{
    SysPageRegion vec[SCAN_REGIONS];
    uint64_t cur = base, end = base + (hi - lo);

    while (cur < end) {
        SysPmScanArg arg = {
            .size = sizeof arg,
            .start = cur,
            .end = end,
            .vec = (uintptr_t)vec,
            .vec_len = SCAN_REGIONS,
            .category_inverted = EDIT_INVERTED,
            .category_mask = EDIT_MASK,
            .category_anyof_mask = EDIT_ANYOF,
            .return_mask = EDIT_RETURN,
        };
        int got = r->sys->ioctl(r->pagemap_fd, SYS_PAGEMAP_SCAN, &arg);

        if (got < 0)
            return -errno;
        for (int i = 0; i < got && i < SCAN_REGIONS; i++) {
            uint64_t a = vec[i].start < cur ? cur : vec[i].start;
            uint64_t b = vec[i].end > end ? end : vec[i].end;
            if (a < b)
                fn(ctx, lo + (a - base), lo + (b - base));
        }
        /* A walk that did not move would loop for ever: stop instead. */
        if (arg.walk_end <= cur || arg.walk_end >= end)
            break;
        cur = arg.walk_end;
    }
    return 0;
}

/* The same from 8-byte pagemap entries, PAGEMAP_CHUNK at a time: edited is
 * (present or swapped) and not file-backed. O(pages) in the range. */
static int edited_read(const Resid *r, uint64_t lo, uint64_t hi, uintptr_t base, RunFn fn,
                       void *ctx)
{
    uint64_t buf[PAGEMAP_CHUNK];
    uint64_t pages = (hi - lo) / r->ps, first = base / r->ps;
    uint64_t run_lo = 0;
    bool in_run = false;

    for (uint64_t i = 0; i < pages;) {
        uint64_t want = pages - i < PAGEMAP_CHUNK ? pages - i : PAGEMAP_CHUNK;
        ssize_t got = r->sys->pread(r->pagemap_fd, buf, (size_t)want * sizeof buf[0],
                                    (off_t)((first + i) * sizeof buf[0]));
        size_t n;

        if (got < 0)
            return -errno;
        n = (size_t)got / sizeof buf[0];
        if (n == 0)
            return -EIO; /* the range is ours to read: a short read is a fault */
        for (size_t j = 0; j < n; j++, i++) {
            uint64_t e = buf[j];
            bool edited = (e & (PM_PRESENT | PM_SWAP)) && !(e & PM_FILE);
            uint64_t at = lo + i * r->ps;
            if (edited && !in_run) {
                run_lo = at;
                in_run = true;
            } else if (!edited && in_run) {
                fn(ctx, run_lo, at);
                in_run = false;
            }
        }
    }
    if (in_run)
        fn(ctx, run_lo, hi);
    return 0;
}

static int edited_walk(const Resid *r, uint64_t lo, uint64_t hi, uintptr_t base, RunFn fn,
                       void *ctx)
{
    if (r->pagemap_fd < 0)
        return r->pagemap_err;
    if (r->has_scan)
        return edited_scan(r, lo, hi, base, fn, ctx);
    return edited_read(r, lo, hi, base, fn, ctx);
}

typedef struct MarkCtx {
    uint64_t lo;    /* file offset of flags[0] */
    uint64_t ps;    /* page size */
    uint8_t *flags; /* one per page */
} MarkCtx;

static void mark_run(void *ctx, uint64_t lo, uint64_t hi)
{
    MarkCtx *c = ctx;
    for (uint64_t p = lo; p < hi; p += c->ps)
        c->flags[(p - c->lo) / c->ps] |= MMH_PG_EDITED;
}

static void count_run(void *ctx, uint64_t lo, uint64_t hi)
{
    uint64_t *c = ctx;
    *c += hi - lo;
}

int resid_edited(Resid *r, uint64_t off, uint64_t len, uint64_t *pages)
{
    uint64_t lo, hi, bytes = 0;
    uintptr_t base;
    int rc;

    *pages = 0;
    if (map_mode(r->m) != MMH_MODE_COPY || !page_span(r, off, len, true, &lo, &hi))
        return 0;
    base = map_addr(r->m, lo);
    if (!base)
        return 0;
    rc = edited_walk(r, lo, hi, base, count_run, &bytes);
    if (rc < 0)
        return rc;
    *pages = bytes / r->ps;
    return 0;
}

/* ---- per-page flags ----------------------------------------------------- */

/* DIRTY and WRITEBACK: one cachestat over the range first, since a clean
 * screen (the common case) then needs no more; otherwise one per page, for
 * a screenful at most. Without cachestat they stay unset (unknown). */
static int mark_dirty(const Resid *r, uint64_t lo, uint64_t count, uint8_t *flags)
{
    int fd = map_fd(r->m);
    SysCacheRange cr = {lo, count * r->ps};
    SysCacheStat cs;

    if (!r->has_cachestat || r->trapped)
        return 0;
    if (r->sys->cachestat(fd, &cr, &cs, 0) < 0)
        return -errno;
    if ((cs.nr_dirty == 0 && cs.nr_writeback == 0) || count > PER_PAGE_CACHESTAT)
        return 0;
    for (uint64_t i = 0; i < count; i++) {
        cr.off = lo + i * r->ps;
        cr.len = r->ps;
        if (r->sys->cachestat(fd, &cr, &cs, 0) < 0)
            return -errno;
        if (cs.nr_dirty)
            flags[i] |= MMH_PG_DIRTY;
        if (cs.nr_writeback)
            flags[i] |= MMH_PG_WRITEBACK;
    }
    return 0;
}

/* LOCKED from the Map's own bookkeeping, walking the sorted ranges alongside
 * the pages: O(pages + ranges). */
static void mark_locked(const Resid *r, uint64_t lo, uint64_t count, uint8_t *flags)
{
    const RangeSet *ls = map_locked(r->m);
    size_t k;

    if (!ls || ls->n == 0)
        return;
    k = rangeset_find(ls, lo);
    for (uint64_t i = 0; i < count && k < ls->n; i++) {
        uint64_t p = lo + i * r->ps;
        while (k < ls->n && ls->v[k].hi <= p)
            k++;
        if (k < ls->n && ls->v[k].lo <= p)
            flags[i] |= MMH_PG_LOCKED;
    }
}

/* HOLE: a page lying wholly inside a hole by SEEK_DATA/SEEK_HOLE. No data
 * to the end of the file is a hole to the end (the tail page past EOF
 * counts as hole). File systems and devices that cannot say report all data
 * (extent.h), so no flag. */
static int mark_holes(const Resid *r, uint64_t lo, uint64_t count, uint8_t *flags)
{
    uint64_t hi = lo + count * r->ps, pos = lo;
    ExtentIter it;

    map_extent_iter(r->m, &it);
    while (pos < hi) {
        Extent e;
        int rc = extent_next_data(&it, pos, &e);
        uint64_t hole_end, first, last;

        if (rc < 0)
            return rc;
        hole_end = e.lo >= it.size ? UINT64_MAX : e.lo;
        first = (align_up(r, pos) - lo) / r->ps;
        last = ((hole_end < hi ? hole_end : hi) - lo) / r->ps; /* pages wholly below */
        for (uint64_t i = first; i < last; i++)
            flags[i] |= MMH_PG_HOLE;
        if (hole_end >= hi || e.hi >= it.size)
            break;
        pos = e.hi;
    }
    return 0;
}

long resid_pages(Resid *r, uint64_t off, uint64_t len, uint8_t *flags, size_t n)
{
    uint64_t lo, hi, count;
    uintptr_t base;
    int rc;

    if (n == 0 || !page_span(r, off, len, false, &lo, &hi))
        return 0;
    base = map_addr(r->m, lo);
    if (!base)
        return 0;
    count = (hi - lo) / r->ps;
    if (count > n)
        count = n;
    if (count > LONG_MAX)
        count = LONG_MAX;

    if (r->trapped) {
        /* mincore would say "resident" for every page: say nothing. */
        memset(flags, MMH_PG_UNKNOWN, (size_t)count);
    } else {
        /* The caller's array doubles as the mincore vector. */
        if (r->sys->mincore((void *)base, (size_t)(count * r->ps), flags) < 0)
            return -errno;
        for (uint64_t i = 0; i < count; i++)
            flags[i] = (flags[i] & 1) ? MMH_PG_RESIDENT : 0;
    }
    rc = mark_dirty(r, lo, count, flags);
    if (rc < 0)
        return rc;
    mark_locked(r, lo, count, flags);
    /* Without pagemap, edits are unknown: EDITED stays unset here and
     * resid_edited says why. */
    if (map_mode(r->m) == MMH_MODE_COPY && r->pagemap_fd >= 0) {
        MarkCtx c = {lo, r->ps, flags};
        rc = edited_walk(r, lo, lo + count * r->ps, base, mark_run, &c);
        if (rc < 0)
            return rc;
    }
    rc = mark_holes(r, lo, count, flags);
    if (rc < 0)
        return rc;
    return (long)count;
}

/* ---- counts ------------------------------------------------------------- */

int resid_count(Resid *r, uint64_t off, uint64_t len, ResidCount *out)
{
    uint64_t lo, hi;
    SysCacheRange cr;
    SysCacheStat cs = {0, 0, 0, 0, 0};

    if (r->trapped)
        return -EPERM;
    if (!r->has_cachestat)
        return -ENOSYS;
    /* An explicit range even for "the whole file": cachestat's len 0 would
     * count pages of a file grown since the last refresh, beyond pages. */
    if (page_span(r, off, len, true, &lo, &hi)) {
        cr.off = lo;
        cr.len = hi - lo;
        if (r->sys->cachestat(map_fd(r->m), &cr, &cs, 0) < 0)
            return -errno;
    } else {
        lo = hi = 0;
    }
    out->pages = (hi - lo) / r->ps;
    out->cached = cs.nr_cache;
    out->dirty = (int64_t)cs.nr_dirty;
    out->writeback = (int64_t)cs.nr_writeback;
    out->evicted = (int64_t)cs.nr_evicted;
    out->recently_evicted = (int64_t)cs.nr_recently_evicted;
    out->src = RESID_SRC_CACHESTAT;
    return 0;
}

/* ---- the mincore scan --------------------------------------------------- */

void resid_scan_start(ResidScan *s, uint64_t off, uint64_t len)
{
    /* len 0 is "to the end", as everywhere here; the first step clamps end
     * to the file, since only it knows the Map. */
    s->off = off;
    s->end = len == 0 || len > UINT64_MAX - off ? UINT64_MAX : off + len;
    s->pos = off;
    s->acc.pages = 0;
    s->acc.cached = 0;
    s->acc.dirty = -1;
    s->acc.writeback = -1;
    s->acc.evicted = -1;
    s->acc.recently_evicted = -1;
    s->acc.src = RESID_SRC_MINCORE;
}

int resid_scan_step(Resid *r, ResidScan *s, uint64_t max_pages)
{
    unsigned char vec[MINCORE_CHUNK];
    uint64_t size = map_size(r->m), pos, stop;

    if (r->trapped)
        return -EPERM;
    if (s->end > size)
        s->end = size;
    if (s->pos >= s->end) {
        s->pos = s->end > s->pos ? s->end : s->pos;
        return 1;
    }
    /* 0 pages would never finish: take it as one vector's worth. */
    if (max_pages == 0)
        max_pages = MINCORE_CHUNK;
    pos = align_down(r, s->pos);
    stop = align_up(r, s->end);
    while (max_pages > 0 && pos < stop) {
        uint64_t npg = (stop - pos) / r->ps;
        uintptr_t a = map_addr(r->m, pos);
        uint64_t cached = 0;

        if (npg > max_pages)
            npg = max_pages;
        if (npg > MINCORE_CHUNK)
            npg = MINCORE_CHUNK;
        if (!a) { /* nothing mapped (an empty file not yet refreshed) */
            s->pos = s->end;
            return 1;
        }
        if (r->sys->mincore((void *)a, (size_t)(npg * r->ps), vec) < 0)
            return -errno; /* s holds the progress so far: a retry resumes */
        for (uint64_t i = 0; i < npg; i++)
            cached += vec[i] & 1;
        s->acc.pages += npg;
        s->acc.cached += cached;
        pos += npg * r->ps;
        s->pos = pos < s->end ? pos : s->end;
        max_pages -= npg;
    }
    return s->pos >= s->end ? 1 : 0;
}

/* ---- faults ------------------------------------------------------------- */

int resid_faults(Resid *r, ResidFaults *out)
{
    struct rusage ru;

    if (r->sys->getrusage(RUSAGE_SELF, &ru) < 0)
        return -errno;
    out->minor = (uint64_t)ru.ru_minflt;
    out->major = (uint64_t)ru.ru_majflt;
    return 0;
}

/* Add a "Field:   123 kB" value, in bytes. */
static void smaps_field(const char *line, const char *name, uint64_t *out)
{
    size_t n = strlen(name);
    if (strncmp(line, name, n) == 0 && line[n] == ':')
        *out += strtoull(line + n + 1, NULL, 10) * 1024;
}

int resid_smaps(Resid *r, ResidSmaps *out)
{
    /* Locks and advice split the mapping into several entries: sum them. */
    uintptr_t base = map_addr(r->m, 0);
    uintptr_t end = base + (uintptr_t)((map_size(r->m) + r->ps - 1) / r->ps * r->ps);
    memset(out, 0, sizeof *out);
    if (!base)
        return -ENOENT;
    FILE *f = fopen("/proc/self/smaps", "re");
    if (!f)
        return -errno;
    char line[512];
    bool in = false, found = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        /* A mapping's header: "lo-hi perms offset dev inode path" (no
         * field line starts with hex digits followed by '-'). */
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            in = lo < end && hi > base;
            found = found || in;
            continue;
        }
        if (!in)
            continue;
        smaps_field(line, "Size", &out->size);
        smaps_field(line, "Rss", &out->rss);
        smaps_field(line, "Shared_Clean", &out->shared_clean);
        smaps_field(line, "Shared_Dirty", &out->shared_dirty);
        smaps_field(line, "Private_Clean", &out->private_clean);
        smaps_field(line, "Private_Dirty", &out->private_dirty);
        smaps_field(line, "Anonymous", &out->anonymous);
        smaps_field(line, "Locked", &out->locked);
    }
    fclose(f);
    return found ? 0 : -ENOENT;
}
