/*
 * bench_core: what the mapping core costs, beside what it replaces.
 *
 * The editor's claims (DESIGN.md sections 2 and 4) are that a file maps in
 * the same time and memory whatever its size, and that whole-file residency
 * comes from one cachestat instead of a mincore pass per page. This program
 * measures both on real files and prints them next to their baselines:
 *
 *  1. Open-and-map. map_open + map_read of the last byte, then map_close,
 *     200 cycles (CLOCK_MONOTONIC, median) for a 1 KiB file and a 16 TiB
 *     sparse file side by side, in read-only, copy and shared modes. Beside
 *     each figure: the bare syscalls with the same flags (open, fstat, mmap,
 *     touch, munmap, close). Each case runs in a fresh process (this binary,
 *     re-executed with --open) that reports its own VmHWM before the first
 *     open and after the last, so cases do not contaminate each other. The
 *     file is evicted (fadvise DONTNEED) before each case, so "first" is a
 *     first open with a cold page cache.
 *
 *  2. Whole-file residency on a 1 TiB sparse file (a few scattered pages
 *     read, so the counts are not trivially 0) and a page-cache-warm 4 GiB
 *     file: the core's resid_count(r, 0, 0) (one cachestat), the core's
 *     mincore fallback (a full ResidScan loop), the mmhex program itself,
 *     `vmtouch FILE`, `vmtouch -v FILE` and `fincore FILE`. Every one is
 *     timed the same way, as a whole process: clock_gettime around
 *     posix_spawn .. wait4, so fork+exec and the dynamic loader are in every
 *     figure (the core runs as `bench_core --resid FILE` / `--scan FILE`,
 *     and also reports the in-process time of the count itself). Each row
 *     shows the cached page count the tool saw, so the reader can check that
 *     they agree, and the child's ru_maxrss from wait4 (which, for a
 *     posix_spawn'd child, includes this small parent's own peak).
 *     mincore-based tools take ~10 s on 1 TiB (paging-facts.md section 1),
 *     so they run once there; everything else runs several times.
 *
 *  3. Residency map on the same two files, still pinned: what the editor's
 *     map view costs from a standing start. `bench_core --rmap ROWS COLS
 *     FILE` does doc_open (read-only), rmap_sample of
 *     rmap_capacity(ROWS, COLS) buckets and rmap_render into a ROWS x COLS
 *     Grid, then writes the grid's text to stdout (as vmtouch -v prints its
 *     map), for an 80x24 and a 240x70 terminal; timed as a whole process the
 *     same way, with its in-process open, sample and render times. Beside
 *     it `vmtouch -v FILE` (the closest peer: a map too) and fincore:
 *     section 2's runs printed again where it took them, else run here
 *     (vmtouch -v on 1 TiB, once: a ~10-20 s mincore pass). Targets: at
 *     least 100x faster than vmtouch -v on 1 TiB, no slower than fincore on
 *     4 GiB; the ratios are printed against them.
 *
 * Usage: bench_core [--mmhex PATH] [--cycles N] DIR
 * creates its files in DIR (which must be on the disk under test: ~4 GiB of
 * real data) and removes them before exiting. tests/bench/run.sh makes DIR
 * and removes it on any exit. The sub-modes --open, --resid, --scan, --rmap
 * and --noop are the child processes; they are not meant to be run by hand.
 *
 * This is not a test: it prints figures and fails only when it cannot
 * measure. vmtouch and fincore are optional ("not installed").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"
#include "doc.h"
#include "guard.h"
#include "map.h"
#include "resid.h"
#include "rmap.h"
#include "view.h"

#define KIB ((uint64_t)1 << 10)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

#define SMALL_SIZE KIB           /* the 1 KiB file */
#define HUGE_SIZE (16 * TIB)     /* the 16 TiB sparse file (ext4: minus 4 KiB) */
#define TERA_SIZE TIB            /* the 1 TiB sparse file */
#define WARM_SIZE (4 * GIB)      /* the page-cache-warm file of real data */
#define TERA_TOUCHED 64          /* pages read from the 1 TiB file */
#define DEFAULT_CYCLES 200       /* open/close cycles per case */
#define WARMUP_CYCLES 3          /* untimed cycles on another file first */
#define REPS_CHEAP 7             /* whole-process runs of a cheap tool */
#define REPS_FLOOR 21            /* runs of the --noop process floor */
#define SCAN_STEP 65536          /* ResidScan pages per step (64 KiB vector) */
#define OUT_MAX 8192             /* child output kept for parsing */
#define IO_BUF ((size_t)1 << 20) /* write/read chunk (in forked helpers only) */

/* ---- sub-mode --open: one open-and-map case ------------------------------ */

typedef enum BMode { BM_RO, BM_COPY, BM_SHARED } BMode;

static BMode parse_bmode(const char *s)
{
    if (strcmp(s, "ro") == 0)
        return BM_RO;
    if (strcmp(s, "copy") == 0)
        return BM_COPY;
    if (strcmp(s, "shared") == 0)
        return BM_SHARED;
    bu_die("unknown mode '%s' (ro, copy, shared)", s);
}

static volatile uint8_t sink; /* keeps the raw touch from being optimized out */

/* One cycle through the core. */
static int core_cycle(BMode bm, const char *path, uint64_t *t_open, uint64_t *t_close)
{
    static const MmhMode mm[] = {MMH_MODE_READONLY, MMH_MODE_COPY, MMH_MODE_SHARED};
    MapOpts o = {.mode = mm[bm], .sys = NULL};
    Map *m;
    uint8_t b;
    uint64_t t0 = bu_now_ns();
    int rc = map_open(&m, path, &o);
    if (rc < 0)
        return rc;
    if (map_size(m) == 0) {
        map_close(m);
        return -ENODATA;
    }
    rc = map_read(m, map_size(m) - 1, &b, 1);
    uint64_t t1 = bu_now_ns();
    map_close(m);
    uint64_t t2 = bu_now_ns();
    if (rc < 0)
        return rc;
    sink ^= b;
    *t_open = t1 - t0;
    *t_close = t2 - t1;
    return 0;
}

/* One cycle of bare syscalls with the flags DESIGN.md gives each mode. */
static int raw_cycle(BMode bm, const char *path, uint64_t *t_open, uint64_t *t_close)
{
    int oflags = (bm == BM_SHARED ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    int prot = bm == BM_RO ? PROT_READ : PROT_READ | PROT_WRITE;
    int mflags = bm == BM_COPY ? MAP_PRIVATE | MAP_NORESERVE : MAP_SHARED;
    struct stat st;
    uint64_t t0 = bu_now_ns();
    int fd = open(path, oflags);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || st.st_size <= 0) {
        int e = st.st_size <= 0 ? ENODATA : errno;
        close(fd);
        return -e;
    }
    size_t len = (size_t)st.st_size;
    void *p = mmap(NULL, len, prot, mflags, fd, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        close(fd);
        return -e;
    }
    const volatile uint8_t *bytes = p;
    uint8_t b = bytes[len - 1];
    uint64_t t1 = bu_now_ns();
    int rc = munmap(p, len) < 0 ? -errno : 0;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    uint64_t t2 = bu_now_ns();
    sink ^= b;
    *t_open = t1 - t0;
    *t_close = t2 - t1;
    return rc;
}

/* bench_core --open core|raw ro|copy|shared FILE CYCLES WARMUP: a few
 * cycles on the small WARMUP file first fault in the code paths (libc and
 * core text, fault-around), so VmHWM growth is what FILE itself adds. */
static int child_open(const char *impl, const char *mode, const char *path, const char *ncycles,
                      const char *warmup)
{
    bool raw = strcmp(impl, "raw") == 0;
    if (!raw && strcmp(impl, "core") != 0)
        bu_die("unknown implementation '%s' (core, raw)", impl);
    BMode bm = parse_bmode(mode);
    char *end;
    unsigned long cycles = strtoul(ncycles, &end, 10);
    if (*end || cycles == 0 || cycles > 1000000)
        bu_die("bad cycle count '%s'", ncycles);
    if (!raw) {
        int rc = guard_init();
        if (rc < 0)
            bu_die("guard_init: %s", strerror(-rc));
    }
    uint64_t *t_open = bu_xmalloc(cycles * sizeof *t_open);
    uint64_t *t_close = bu_xmalloc(cycles * sizeof *t_close);
    memset(t_open, 0, cycles * sizeof *t_open);
    memset(t_close, 0, cycles * sizeof *t_close);
    for (int i = 0; i < WARMUP_CYCLES; i++) {
        int rc = raw ? raw_cycle(bm, warmup, &t_open[0], &t_close[0])
                     : core_cycle(bm, warmup, &t_open[0], &t_close[0]);
        if (rc < 0)
            bu_die("warm-up on %s: %s", warmup, raw ? strerror(-rc) : map_strerror(rc));
    }
    long hwm0 = bu_status_kib("VmHWM");

    for (unsigned long i = 0; i < cycles; i++) {
        int rc = raw ? raw_cycle(bm, path, &t_open[i], &t_close[i])
                     : core_cycle(bm, path, &t_open[i], &t_close[i]);
        if (rc < 0)
            bu_die("cycle %lu: %s", i, raw ? strerror(-rc) : map_strerror(rc));
    }
    long hwm1 = bu_status_kib("VmHWM");
    uint64_t first = t_open[0];
    uint64_t omin = bu_minimum(t_open, cycles);
    uint64_t omed = bu_median(t_open, cycles);
    uint64_t cmed = bu_median(t_close, cycles);
    printf("ok first_ns=%" PRIu64 " open_ns=%" PRIu64 " min_ns=%" PRIu64 " close_ns=%" PRIu64
           " hwm0=%ld hwm1=%ld\n",
           first, omed, omin, cmed, hwm0, hwm1);
    free(t_open);
    free(t_close);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- sub-modes --resid and --scan: one whole-file count ----------------- */

static const char *src_name(ResidSource s)
{
    switch (s) {
    case RESID_SRC_CACHESTAT: return "cachestat";
    case RESID_SRC_MINCORE: return "mincore";
    case RESID_SRC_NONE: break;
    }
    return "none";
}

/* bench_core --resid FILE (resid_count) or --scan FILE (ResidScan loop):
 * open read-only, count, print, exit, as vmtouch and fincore do. */
static int child_resid(const char *path, bool scan)
{
    uint64_t t0 = bu_now_ns();
    MapOpts o = {.mode = MMH_MODE_READONLY, .sys = NULL};
    Map *m;
    int rc = map_open(&m, path, &o);
    if (rc < 0)
        bu_die("%s: %s", path, map_strerror(rc));
    Resid *r;
    rc = resid_open(&r, m);
    if (rc < 0)
        bu_die("resid_open: %s", map_strerror(rc));
    if (!resid_known(r))
        bu_die("residency unknown: %s", resid_why_unknown(r));

    ResidCount c;
    memset(&c, 0, sizeof c);
    uint64_t t1 = bu_now_ns();
    if (!scan) {
        rc = resid_count(r, 0, 0, &c);
    } else {
        ResidScan s;
        resid_scan_start(&s, 0, map_size(m));
        while ((rc = resid_scan_step(r, &s, SCAN_STEP)) == 0)
            ;
        if (rc == 1) {
            rc = 0;
            c = s.acc;
        }
    }
    uint64_t t2 = bu_now_ns();
    if (rc < 0)
        bu_die("%s: %s", scan ? "resid_scan_step" : "resid_count", map_strerror(rc));
    printf("ok cached=%" PRIu64 " pages=%" PRIu64 " dirty=%" PRId64 " src=%s count_ns=%" PRIu64
           " total_ns=%" PRIu64 "\n",
           c.cached, c.pages, c.dirty, src_name(c.src), t2 - t1, bu_now_ns() - t0);
    resid_close(r);
    map_close(m);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- sub-mode --rmap: one residency map, sampled and drawn --------------- */

#define RMAP_DIM_MAX 1000 /* rows or columns a --rmap child accepts */

static int parse_dim(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || end == s || v == 0 || v > RMAP_DIM_MAX)
        bu_die("bad terminal dimension '%s'", s);
    return (int)v;
}

/* bench_core --rmap ROWS COLS FILE: what the editor's map view does for a
 * ROWS x COLS terminal, from a standing start: doc_open (read-only),
 * rmap_sample of rmap_capacity(ROWS, COLS) buckets, rmap_render into a new
 * ROWS x COLS Grid. Prints the figures on the first line, then the grid's
 * text (the map itself, as vmtouch -v prints its own). */
static int child_rmap(const char *srows, const char *scols, const char *path)
{
    int rows = parse_dim(srows), cols = parse_dim(scols);
    uint64_t t0 = bu_now_ns();
    MapOpts o = {.mode = MMH_MODE_READONLY, .sys = NULL};
    Doc *d;
    int rc = doc_open(&d, path, &o);
    if (rc < 0)
        bu_die("%s: %s", path, map_strerror(rc));
    uint64_t t1 = bu_now_ns();
    Rmap r;
    memset(&r, 0, sizeof r);
    size_t want = rmap_capacity(rows, cols);
    rc = rmap_sample(&r, d, want);
    if (rc < 0)
        bu_die("rmap_sample: %s", map_strerror(rc));
    uint64_t t2 = bu_now_ns();
    Grid g;
    memset(&g, 0, sizeof g);
    if (grid_resize(&g, rows, cols) < 0)
        bu_die("out of memory (grid)");
    RmapInfo in = {.name = path, .cursor = 0, .selected = 0};
    rmap_render(&r, &in, &g);
    uint64_t t3 = bu_now_ns();

    uint64_t cached = 0, pages = 0, holes = 0;
    for (size_t i = 0; i < r.n; i++) {
        cached += r.b[i].cached;
        pages += r.b[i].pages;
        holes += r.b[i].hole;
    }
    printf("ok cached=%" PRIu64 " pages=%" PRIu64 " buckets=%zu asked=%zu holes=%" PRIu64
           " open_ns=%" PRIu64 " sample_ns=%" PRIu64 " render_ns=%" PRIu64 " count_ns=%" PRIu64
           " total_ns=%" PRIu64 "\n",
           cached, pages, r.n, want, holes, t1 - t0, t2 - t1, t3 - t2, t3 - t0, bu_now_ns() - t0);
    char *line = bu_xmalloc((size_t)cols * 4 + 1);
    for (int row = 0; row < g.rows; row++)
        puts(grid_row_text(&g, row, line, (size_t)cols * 4 + 1));
    free(line);
    grid_free(&g);
    rmap_free(&r);
    doc_close(d);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- the files ---------------------------------------------------------- */

typedef struct Files {
    char *small, *huge, *tera, *warm;
    char *warmup; /* a 4 KiB file for the open cases' warm-up cycles */
    uint64_t huge_size;
} Files;

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(1 + i % 251); /* never 0, period prime to the page size */
}

static void write_all(int fd, const uint8_t *buf, size_t n, const char *path)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            bu_die("write %s: %s", path, strerror(errno));
        buf += w;
        n -= (size_t)w;
    }
}

/* path with len bytes of pattern, fsynced. Returns the write and fsync times. */
static void make_data_file(const char *path, uint64_t len, uint64_t *write_ns, uint64_t *sync_ns)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    size_t bl = len < IO_BUF ? (size_t)len : IO_BUF;
    uint8_t *buf = bu_xmalloc(bl);
    uint64_t t0 = bu_now_ns();
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < bl ? (size_t)(len - off) : bl;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(off + i);
        write_all(fd, buf, n, path);
        off += n;
    }
    uint64_t t1 = bu_now_ns();
    if (fsync(fd) < 0)
        bu_die("fsync %s: %s", path, strerror(errno));
    uint64_t t2 = bu_now_ns();
    if (close(fd) < 0)
        bu_die("close %s: %s", path, strerror(errno));
    free(buf);
    if (write_ns)
        *write_ns = t1 - t0;
    if (sync_ns)
        *sync_ns = t2 - t1;
}

/* Read the whole file once (warming the page cache); returns the time. */
static uint64_t read_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    uint8_t *buf = bu_xmalloc(IO_BUF);
    uint64_t t0 = bu_now_ns();
    for (;;) {
        ssize_t n = read(fd, buf, IO_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            bu_die("read %s: %s", path, strerror(errno));
        if (n == 0)
            break;
    }
    uint64_t t = bu_now_ns() - t0;
    free(buf);
    close(fd);
    return t;
}

/* Read one byte of each of n pages spread over the file, one page at a
 * time (POSIX_FADV_RANDOM: no readahead), so a few holes become cached
 * zero pages. */
static void touch_scattered(const char *path, uint64_t size, unsigned n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    int e = posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
    if (e != 0)
        bu_die("posix_fadvise %s: %s", path, strerror(e));
    uint64_t step = size / n;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b;
        if (pread(fd, &b, 1, (off_t)(i * step + step / 2)) < 0)
            bu_die("pread %s: %s", path, strerror(errno));
    }
    close(fd);
}

/* Drop path's clean pages from the page cache. */
static void evict_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (e != 0)
        bu_die("posix_fadvise %s: %s", path, strerror(e));
    close(fd);
}

/* ---- helper processes ---------------------------------------------------
 *
 * A posix_spawn'd child's ru_maxrss includes the spawning process's own peak
 * RSS (exec folds the old mm's high-water mark into it), so this parent
 * stays small: anything that needs memory runs in a forked helper.
 */

/* Write the data files and read the big one back once (warming the page
 * cache), in a forked child; it prints the setup line. */
static void setup_data(const Files *f)
{
    pid_t pid = bu_fork();
    if (pid == 0) {
        uint64_t wr_ns, sync_ns;
        make_data_file(f->small, SMALL_SIZE, NULL, NULL);
        make_data_file(f->warmup, 4 * KIB, NULL, NULL);
        make_data_file(f->warm, WARM_SIZE, &wr_ns, &sync_ns);
        uint64_t rd_ns = read_file(f->warm);
        bu_progress_done();
        printf("  setup    4 GiB written in %.1f s, fsync %.1f s, read back (warm) in %.2f s\n",
               (double)wr_ns / 1e9, (double)sync_ns / 1e9, (double)rd_ns / 1e9);
        fflush(stdout);
        _exit(ferror(stdout) ? 1 : 0);
    }
    bu_wait_child(pid, "creating the files");
}

/* The pinner (bu_pin_start) keeps the residency files mapped and
 * populated (the 4 GiB file whole, the 64 read pages of the 1 TiB file)
 * until the parent stops it. Idle-page reclaim that takes only unmapped
 * page cache (DAMON pageout schemes, see bu_damon_reclaims) then cannot
 * change the counts mid-measurement. It costs the measured tools nothing:
 * each one's mincore walks its own page tables. */
static void pin_touch(const char *path, uint64_t size, bool whole)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bu_die("mmap %s: %s", path, strerror(errno));
    const volatile uint8_t *b = p;
    if (whole) {
        bu_populate(p, size);
    } else {
        if (madvise(p, (size_t)size, MADV_RANDOM) < 0) /* no read-around of holes */
            bu_die("madvise %s: %s", path, strerror(errno));
        uint64_t step = size / TERA_TOUCHED;
        for (unsigned i = 0; i < TERA_TOUCHED; i++)
            sink ^= b[i * step + step / 2];
    }
    close(fd); /* the mapping stays */
}

/* The pinner's work (it dies if it cannot map them). */
static bool pin_files(void *ctx)
{
    const Files *f = ctx;
    pin_touch(f->warm, WARM_SIZE, true);
    pin_touch(f->tera, TERA_SIZE, false);
    return true;
}

/* ---- report: the machine ------------------------------------------------ */

/* The line of `exe flag` holding marker, up to any " - " (vmtouch has no
 * version flag: its usage text names it). */
static char *tool_version(const char *exe, const char *flag, const char *marker)
{
    char *v = bu_tool_line(exe, flag, marker);
    char *dash = v ? strstr(v, " - ") : NULL;
    if (dash)
        *dash = '\0';
    return v;
}

static void print_header(const char *dir, const char *vmtouch, const char *fincore,
                         const char *mmhex)
{
    bu_print_machine("mmhex bench_core: the mapping core beside bare syscalls, vmtouch and fincore",
                     dir, NULL);
    char *vv = vmtouch ? tool_version(vmtouch, NULL, "vmtouch v") : NULL;
    char *fv = fincore ? tool_version(fincore, "-V", "util-linux") : NULL;
    printf("  tools    ");
    bu_print_tool("vmtouch", vmtouch, vv, false);
    bu_print_tool("fincore", fincore, fv, true);
    printf("  mmhex    %s\n", mmhex ? mmhex : "not given (--mmhex PATH): its row is skipped");
    if (bu_damon_reclaims())
        printf("  NOTE     DAMON proactive reclaim is on (a 'pageout' scheme): idle unmapped\n"
               "           page cache is evicted within about a minute. A helper process keeps\n"
               "           the residency files mapped while they are measured, so counts hold.\n");
    free(vv);
    free(fv);
}

/* ---- report 1: open-and-map ---------------------------------------------- */

typedef struct OpenRes {
    bool ok;
    uint64_t first, open, close; /* ns */
    long hwm0, hwm1;             /* KiB */
    char err[160];
} OpenRes;

static void run_open_case(const char *self, const char *impl, const char *mode, const char *path,
                          const char *warmup, unsigned cycles, OpenRes *o)
{
    BuCmd c = {.argc = 0};
    char num[32];
    snprintf(num, sizeof num, "%u", cycles);
    bu_cmd_add(&c, self);
    bu_cmd_add(&c, "--open");
    bu_cmd_add(&c, impl);
    bu_cmd_add(&c, mode);
    bu_cmd_add(&c, path);
    bu_cmd_add(&c, num);
    bu_cmd_add(&c, warmup);
    evict_file(path);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    uint64_t h0 = 0, h1 = 0;
    memset(o, 0, sizeof *o);
    o->ok = bu_exited(r, 0) && bu_kv_u64(r->out, "first_ns", &o->first) &&
            bu_kv_u64(r->out, "open_ns", &o->open) && bu_kv_u64(r->out, "close_ns", &o->close) &&
            bu_kv_u64(r->out, "hwm0", &h0) && bu_kv_u64(r->out, "hwm1", &h1);
    o->hwm0 = (long)h0;
    o->hwm1 = (long)h1;
    if (!o->ok)
        bu_first_line(r, NULL, o->err, sizeof o->err);
    free(r);
}

static void print_open_cells(const OpenRes *o)
{
    if (!o->ok) {
        printf("  %-40s", "FAILED (see below)");
        return;
    }
    char hwm[32];
    snprintf(hwm, sizeof hwm, "%ld (+%ld)", o->hwm1, o->hwm1 - o->hwm0);
    printf("  %9.1f %8.1f %7.1f %13s", (double)o->open / 1e3, (double)o->first / 1e3,
           (double)o->close / 1e3, hwm);
}

/* A group header: name centred in dashes over the 40 columns of its cells. */
static void print_group(const char *name)
{
    size_t w = strlen(name), pad = w < 40 ? (40 - w) / 2 : 0;
    fputs("  ", stdout);
    for (size_t i = 0; i < pad; i++)
        putchar('-');
    fputs(name, stdout);
    for (size_t i = pad + w; i < 40; i++)
        putchar('-');
}

static void report_open(const char *self, const Files *f, unsigned cycles)
{
    static const struct {
        const char *arg, *name;
    } modes[] = {{"ro", "read-only"}, {"copy", "copy"}, {"shared", "shared"}};
    static const struct {
        const char *arg, *name;
    } impls[] = {{"core", "mmhex core"}, {"raw", "raw syscalls"}};
    char *hname = bu_huge_name(HUGE_SIZE, f->huge_size);
    char *hcol = bu_xasprintf(" %s sparse file ", hname);
    char errs[12][256];
    size_t nerr = 0;

    printf(
        "\n1. Open-and-map: open + read the last byte (core: map_open + map_read), then close\n");
    printf("   %u cycles per case, each case in a fresh process; times in us (CLOCK_MONOTONIC).\n",
           cycles);
    printf("   open+read, close: medians; first: the first cycle, page cache evicted before it;\n");
    printf("   VmHWM KiB: the case process's peak RSS after its cycles (+ growth over its own\n");
    printf("   peak before them, taken after %d warm-up cycles on a 4 KiB file that fault in\n",
           WARMUP_CYCLES);
    printf("   the code). Baseline: the raw syscalls row under each mode\n");
    printf("   (open, fstat, mmap, touch, munmap, close with the same flags), and the\n");
    printf("   1 KiB file beside the huge one.\n\n");
    printf("%-10s %-13s", "", "");
    print_group(" 1 KiB file ");
    print_group(hcol);
    putchar('\n');
    printf("%-10s %-13s", "mode", "");
    for (int g = 0; g < 2; g++)
        printf("  %9s %8s %7s %13s", "open+read", "first", "close", "VmHWM KiB");
    putchar('\n');

    for (size_t mi = 0; mi < sizeof modes / sizeof modes[0]; mi++) {
        for (size_t ii = 0; ii < sizeof impls / sizeof impls[0]; ii++) {
            OpenRes small, huge;
            bu_progress("open-and-map: %s, %s ...", modes[mi].name, impls[ii].name);
            run_open_case(self, impls[ii].arg, modes[mi].arg, f->small, f->warmup, cycles, &small);
            run_open_case(self, impls[ii].arg, modes[mi].arg, f->huge, f->warmup, cycles, &huge);
            bu_progress_done();
            printf("%-10s %-13s", ii == 0 ? modes[mi].name : "", impls[ii].name);
            print_open_cells(&small);
            print_open_cells(&huge);
            putchar('\n');
            if (!small.ok && nerr < 12)
                snprintf(errs[nerr++], sizeof errs[0], "%s, %s, 1 KiB: %s", modes[mi].name,
                         impls[ii].name, small.err);
            if (!huge.ok && nerr < 12)
                snprintf(errs[nerr++], sizeof errs[0], "%s, %s, %s: %s", modes[mi].name,
                         impls[ii].name, hname, huge.err);
        }
    }
    if (f->huge_size != HUGE_SIZE)
        printf("   (the file system refused 16 TiB (EFBIG): ext4's limit is 16 TiB - 4 KiB,\n"
               "    so the huge file is %" PRIu64 " bytes)\n",
               f->huge_size);
    for (size_t i = 0; i < nerr; i++)
        printf("   FAILED %s\n", errs[i]);
    free(hcol);
    free(hname);
}

/* ---- report 2: whole-file residency -------------------------------------- */

typedef enum Parser { P_CORE, P_RMAP, P_MMHEX, P_VMTOUCH, P_FINCORE } Parser;

typedef struct Tool {
    const char *label;    /* row name */
    const char *exe;      /* absolute path; NULL: not installed */
    const char *flags[6]; /* arguments before FILE */
    Parser parser;
    bool mincore;    /* a full mincore pass: once only on the 1 TiB file */
    bool cheap_only; /* skipped where a run is a full 1 TiB pass */
} Tool;

typedef struct ToolRes {
    const char *skip; /* why it did not run, or NULL */
    unsigned runs;
    uint64_t med, min; /* wall ns */
    long maxrss;       /* KiB, the largest over the runs */
    bool counts;
    uint64_t cached, pages;
    bool inproc;
    uint64_t inproc_med; /* core: ns of the count itself */
    uint64_t buckets;    /* residency map: buckets sampled */
    uint64_t part[3];    /* residency map: open, sample, render ns (medians) */
    char src[16];
    char err[200];
} ToolRes;

static bool parse_counts(Parser p, const char *out, uint64_t pagesz, ToolRes *t)
{
    const char *s;
    unsigned long long a, b;
    switch (p) {
    case P_CORE:
    case P_RMAP: return bu_kv_u64(out, "cached", &t->cached) && bu_kv_u64(out, "pages", &t->pages);
    case P_MMHEX:
        /* `-e stat`: "cached     C of P pages, ..." (src/cmd.c) */
        if ((s = strstr(out, "cached ")) && (sscanf(s, "cached %llu of %llu", &a, &b) == 2 ||
                                             sscanf(s, "cached %llu/%llu", &a, &b) == 2)) {
            t->cached = a;
            t->pages = b;
            return true;
        }
        return false;
    case P_VMTOUCH:
        /* "Resident Pages: 1048576/1048576  4G/4G  100%" */
        if ((s = strstr(out, "Resident Pages:")) &&
            sscanf(s, "Resident Pages: %llu/%llu", &a, &b) == 2) {
            t->cached = a;
            t->pages = b;
            return true;
        }
        return false;
    case P_FINCORE:
        /* -n -r -b -o PAGES,SIZE: "PAGES SIZE" */
        if (sscanf(out, "%llu %llu", &a, &b) == 2) {
            t->cached = a;
            t->pages = (b + pagesz - 1) / pagesz;
            return true;
        }
        return false;
    }
    return false;
}

static void run_tool(const Tool *tl, const char *path, bool huge_pass, uint64_t pagesz, ToolRes *t)
{
    memset(t, 0, sizeof *t);
    if (!tl->exe) {
        t->skip = tl->parser == P_MMHEX ? "not run (no --mmhex)" : "not installed";
        return;
    }
    if (huge_pass && tl->cheap_only) {
        t->skip = "skipped here: a second full mincore pass (~10 s); run once in 3.";
        return;
    }
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, tl->exe);
    for (size_t i = 0; tl->flags[i]; i++)
        bu_cmd_add(&c, tl->flags[i]);
    bu_cmd_add(&c, path);
    unsigned reps = huge_pass && tl->mincore ? 1 : REPS_CHEAP;
    uint64_t wall[REPS_CHEAP], inproc[REPS_CHEAP], part[3][REPS_CHEAP];
    static const char *const part_key[3] = {"open_ns", "sample_ns", "render_ns"};
    BuRun *r = bu_run_new();
    for (unsigned i = 0; i < reps; i++) {
        bu_run(&c, r);
        if (!bu_exited(r, 0)) {
            bu_first_line(r, NULL, t->err, sizeof t->err);
            break;
        }
        wall[t->runs] = r->wall_ns;
        t->maxrss = r->maxrss_kib > t->maxrss ? r->maxrss_kib : t->maxrss;
        ToolRes now;
        memset(&now, 0, sizeof now);
        if (!parse_counts(tl->parser, r->out, pagesz, &now)) {
            snprintf(t->err, sizeof t->err, "could not read its output: %.120s", r->out);
            break;
        }
        /* Counts should not move between runs; keep the last, flag a change. */
        if (t->counts && (now.cached != t->cached || now.pages != t->pages))
            snprintf(t->err, sizeof t->err, "counts changed between runs");
        t->counts = true;
        t->cached = now.cached;
        t->pages = now.pages;
        if (tl->parser == P_CORE) {
            t->inproc = bu_kv_u64(r->out, "count_ns", &inproc[t->runs]);
            bu_kv_word(r->out, "src", t->src, sizeof t->src);
        } else if (tl->parser == P_RMAP) {
            t->inproc = bu_kv_u64(r->out, "count_ns", &inproc[t->runs]);
            for (int k = 0; k < 3; k++)
                if (!bu_kv_u64(r->out, part_key[k], &part[k][t->runs]))
                    part[k][t->runs] = 0;
            if (!bu_kv_u64(r->out, "buckets", &t->buckets))
                t->buckets = 0;
        } else if (tl->parser == P_MMHEX) {
            const char *src = strstr(r->out, "\nsource ");
            if (!src || sscanf(src, " source %15s", t->src) != 1)
                t->src[0] = '\0';
        }
        t->runs++;
    }
    free(r);
    bu_cmd_free(&c);
    if (t->runs) {
        t->min = bu_minimum(wall, t->runs);
        t->med = bu_median(wall, t->runs);
        if (t->inproc)
            t->inproc_med = bu_median(inproc, t->runs);
        if (tl->parser == P_RMAP)
            for (int k = 0; k < 3; k++)
                t->part[k] = bu_median(part[k], t->runs);
    }
}

static void print_tool_table(const char *title, const Tool *tools, size_t nt, ToolRes *res,
                             int baseline)
{
    printf("\n%s\n", title);
    printf("  %-36s %4s %10s %10s %10s %10s %-21s %8s  %s\n", "tool", "runs", "wall ms", "min ms",
           "in-proc ms", "source", "cached/pages", "RSS KiB", "speed");
    for (size_t i = 0; i < nt; i++) {
        const ToolRes *t = &res[i];
        const char *name = tools[i].label;
        if (t->skip || (!t->runs && !t->err[0])) {
            printf("  %-36s %s\n", name, t->skip ? t->skip : "did not run");
            continue;
        }
        if (!t->runs) {
            printf("  %-36s FAILED: %s\n", name, t->err);
            continue;
        }
        char med[24], min[24], inproc[24], counts[40], vs[32];
        bu_fmt_ms(med, sizeof med, t->med);
        bu_fmt_ms(min, sizeof min, t->min);
        if (t->inproc)
            bu_fmt_ms(inproc, sizeof inproc, t->inproc_med);
        else
            snprintf(inproc, sizeof inproc, "-");
        if (t->counts)
            snprintf(counts, sizeof counts, "%" PRIu64 "/%" PRIu64, t->cached, t->pages);
        else
            snprintf(counts, sizeof counts, "?");
        if (baseline < 0 || !res[baseline].runs)
            snprintf(vs, sizeof vs, "-");
        else if ((int)i == baseline)
            snprintf(vs, sizeof vs, "baseline");
        else if (t->med > res[baseline].med)
            snprintf(vs, sizeof vs, "%.2fx slower", (double)t->med / (double)res[baseline].med);
        else
            snprintf(vs, sizeof vs, "%.*fx faster",
                     (double)res[baseline].med / (double)t->med < 100 ? 2 : 0,
                     (double)res[baseline].med / (double)t->med);
        printf("  %-36s %4u %10s %10s %10s %10s %-21s %8ld  %s\n", name, t->runs, med, min, inproc,
               t->src[0] ? t->src : "-", counts, t->maxrss, vs);
        if (t->err[0])
            printf("  %-36s   note: %s\n", "", t->err);
    }
}

/* The counts of every tool that gave some, compared. */
static void print_agreement(const ToolRes *res, size_t nt)
{
    const ToolRes *ref = NULL;
    bool agree = true;
    for (size_t i = 0; i < nt; i++) {
        if (!res[i].runs || !res[i].counts)
            continue;
        if (!ref)
            ref = &res[i];
        else if (res[i].cached != ref->cached || res[i].pages != ref->pages)
            agree = false;
    }
    if (!ref)
        printf("  counts: none to compare\n");
    else if (agree)
        printf("  counts agree: every tool saw %" PRIu64 " of %" PRIu64 " pages cached\n",
               ref->cached, ref->pages);
    else
        printf("  counts DISAGREE (see the cached/pages column)\n");
}

/* Run and print one file's group; keep (nt entries, may be NULL) gets the
 * results for section 3. */
static void run_group(const char *title, const char *what, const Tool *tools, size_t nt,
                      const char *path, bool huge_pass, int baseline, ToolRes *keep)
{
    ToolRes *res = bu_xmalloc(nt * sizeof *res);
    for (size_t i = 0; i < nt; i++) {
        bool slow = huge_pass && tools[i].mincore && tools[i].exe && !tools[i].cheap_only;
        bu_progress("residency, %s: %s%s ...", what, tools[i].label, slow ? " (~10 s)" : "");
        run_tool(&tools[i], path, huge_pass, (uint64_t)sysconf(_SC_PAGESIZE), &res[i]);
    }
    bu_progress_done();
    print_tool_table(title, tools, nt, res, baseline);
    print_agreement(res, nt);
    if (keep)
        memcpy(keep, res, nt * sizeof *res);
    free(res);
}

/* Section 2's rows, by index into its tool list. */
enum { T_CORE, T_SCAN, T_MMHEX, T_VMTOUCH, T_VMTOUCH_V, T_FINCORE, T_COUNT };

/* What section 2 measured, for section 3 to print again. */
typedef struct ResidKept {
    uint64_t floor_ns; /* the --noop process floor, median */
    ToolRes warm[T_COUNT], tera[T_COUNT];
} ResidKept;

static void report_resid(const char *self, const Files *f, const char *vmtouch, const char *fincore,
                         const char *mmhex, ResidKept *kept)
{
    const Tool tools[] = {
        {"core resid_count (1 cachestat)", self, {"--resid", NULL}, P_CORE, false, false},
        {"core ResidScan (mincore, 64 KiB)", self, {"--scan", NULL}, P_CORE, true, false},
        {"mmhex -r -e stat FILE (the program)",
         mmhex,
         {"-r", "-e", "stat", NULL},
         P_MMHEX,
         false,
         false},
        {"vmtouch FILE", vmtouch, {NULL}, P_VMTOUCH, true, false},
        {"vmtouch -v FILE", vmtouch, {"-v", NULL}, P_VMTOUCH, true, true},
        {"fincore FILE",
         fincore,
         {"-n", "-r", "-b", "-o", "PAGES,SIZE", NULL},
         P_FINCORE,
         true,
         false},
    };
    enum { NT = sizeof tools / sizeof tools[0] };
    _Static_assert(sizeof tools / sizeof tools[0] == T_COUNT,
                   "section 2's tool list and its indices");
    int baseline = vmtouch ? T_VMTOUCH : fincore ? T_FINCORE : -1;

    /* The price of being a process at all. */
    char fl[24];
    kept->floor_ns = bu_process_floor(self, REPS_FLOOR);
    bu_fmt_ms(fl, sizeof fl, kept->floor_ns);

    printf("\n2. Whole-file residency, each run timed as a whole process: clock_gettime around\n");
    printf("   posix_spawn .. wait4 (fork+exec, loader and output included). Process floor\n");
    printf("   (bench_core --noop): %s ms, median of %d. mincore-based tools run once on\n", fl,
           REPS_FLOOR);
    printf("   the 1 TiB file, everything else %d times. in-proc: the core's own time for the\n",
           REPS_CHEAP);
    printf("   count itself. max RSS: ru_maxrss from wait4 (includes this parent's small peak,\n");
    printf("   %ld KiB). Speed: against %s's median wall time. fincore runs as\n",
           bu_status_kib("VmHWM"),
           baseline == T_VMTOUCH   ? "vmtouch"
           : baseline == T_FINCORE ? "fincore"
                                   : "(no baseline tool)");
    printf("   `fincore -n -r -b -o PAGES,SIZE FILE` (the same work, parseable output).\n");

    /* 4 GiB of real data, all of it in the page cache; measured first,
     * while it is freshly read. */
    char *wname = bu_size_name(WARM_SIZE);
    char *title = bu_xasprintf("%s file of real data, page-cache warm", wname);
    run_group(title, wname, tools, NT, f->warm, false, baseline, kept->warm);
    free(title);
    free(wname);

    /* 1 TiB sparse: cachestat costs nothing, mincore ~35 ns per page. */
    char *tname = bu_size_name(TERA_SIZE);
    title = bu_xasprintf("%s sparse file, %d scattered pages read (holes cached as zero pages)",
                         tname, TERA_TOUCHED);
    run_group(title, tname, tools, NT, f->tera, true, baseline, kept->tera);
    free(title);
    free(tname);
}

/* ---- report 3: the residency map ----------------------------------------- */

static const int rmap_geom[][2] = {{24, 80}, {70, 240}}; /* rows, cols */
#define RMAP_GEOMS (sizeof rmap_geom / sizeof rmap_geom[0])
#define MIN_SPEEDUP_VMTOUCH 100.0 /* the map against vmtouch -v on 1 TiB */
#define MIN_SPEEDUP_FINCORE 1.0   /* against fincore on 4 GiB: no slower */

enum { R_MAP0, R_VMTOUCH_V = R_MAP0 + RMAP_GEOMS, R_FINCORE, R_NOW, R_COUNT };

typedef struct MapRow {
    char label[64];
    const char *origin; /* "2." reused from section 2, "3." run here */
    ToolRes res;
} MapRow;

/* "123x faster", "1.23x faster", "1.23x slower" of t against base; "-"
 * when either did not run. */
static void fmt_vs(char *buf, size_t n, const ToolRes *t, const ToolRes *base)
{
    if (!t->runs || !base->runs || !t->med || !base->med) {
        snprintf(buf, n, "-");
        return;
    }
    double x = (double)base->med / (double)t->med;
    if (x >= 1.0)
        snprintf(buf, n, "%.*fx faster", x < 100 ? 2 : 0, x);
    else
        snprintf(buf, n, "%.2fx slower", 1.0 / x);
}

/* A peer's row: section 2's result when it took one on this file (ran or
 * failed), else run here. */
static void peer_row(MapRow *row, const char *label, const Tool *tl, const ToolRes *sec2,
                     const char *path, bool huge_pass, const char *what)
{
    snprintf(row->label, sizeof row->label, "%s", label);
    if (!sec2->skip || !tl->exe) {
        row->res = *sec2;
        row->origin = "2.";
        return;
    }
    bool slow = huge_pass && tl->mincore;
    bu_progress("residency map, %s: %s%s ...", what, label, slow ? " (~10-20 s)" : "");
    run_tool(tl, path, huge_pass, (uint64_t)sysconf(_SC_PAGESIZE), &row->res);
    row->origin = "3.";
}

static void print_map_table(const char *title, const MapRow *rows)
{
    printf("\n%s\n", title);
    printf("  %-34s %4s %4s %9s %9s %10s %-21s %8s  %-15s %s\n", "tool", "from", "runs", "wall ms",
           "min ms", "in-proc ms", "cached/pages", "RSS KiB", "vs vmtouch -v", "vs fincore");
    for (size_t i = 0; i < R_COUNT; i++) {
        const MapRow *row = &rows[i];
        const ToolRes *t = &row->res;
        if (t->skip || (!t->runs && !t->err[0])) {
            printf("  %-34s %4s %s\n", row->label, row->origin, t->skip ? t->skip : "did not run");
            continue;
        }
        if (!t->runs) {
            printf("  %-34s %4s FAILED: %s\n", row->label, row->origin, t->err);
            continue;
        }
        char med[24], min[24], inproc[24], counts[48], vv[32], vf[32];
        bu_fmt_ms(med, sizeof med, t->med);
        bu_fmt_ms(min, sizeof min, t->min);
        if (t->inproc)
            bu_fmt_ms(inproc, sizeof inproc, t->inproc_med);
        else
            snprintf(inproc, sizeof inproc, "-");
        if (t->counts)
            snprintf(counts, sizeof counts, "%" PRIu64 "/%" PRIu64, t->cached, t->pages);
        else
            snprintf(counts, sizeof counts, "?");
        if (i == R_VMTOUCH_V)
            snprintf(vv, sizeof vv, "baseline");
        else
            fmt_vs(vv, sizeof vv, t, &rows[R_VMTOUCH_V].res);
        if (i == R_FINCORE)
            snprintf(vf, sizeof vf, "baseline");
        else
            fmt_vs(vf, sizeof vf, t, &rows[R_FINCORE].res);
        printf("  %-34s %4s %4u %9s %9s %10s %-21s %8ld  %-15s %s\n", row->label, row->origin,
               t->runs, med, min, inproc, counts, t->maxrss, vv, vf);
        if (i < R_VMTOUCH_V) {
            char a[24], b[24], c[24];
            bu_fmt_ms(a, sizeof a, t->part[0]);
            bu_fmt_ms(b, sizeof b, t->part[1]);
            bu_fmt_ms(c, sizeof c, t->part[2]);
            printf("  %-34s      in-proc: doc_open %s + rmap_sample %s (%" PRIu64
                   " buckets) + rmap_render %s ms\n",
                   "", a, b, t->buckets, c);
        }
        if (t->err[0])
            printf("  %-34s      note: %s\n", "", t->err);
    }
    ToolRes res[R_COUNT];
    for (size_t i = 0; i < R_COUNT; i++)
        res[i] = rows[i].res;
    print_agreement(res, R_COUNT);
    const ToolRes *now = &rows[R_NOW].res;
    for (size_t i = R_MAP0; i < R_VMTOUCH_V && now->runs && now->counts; i++) {
        const ToolRes *t = &rows[i].res;
        if (t->runs && t->counts && (t->cached != now->cached || t->pages != now->pages))
            printf("  %s: %" PRIu64 "/%" PRIu64 " pages against the whole-file count's %" PRIu64
                   "/%" PRIu64 " (%s)\n",
                   rows[i].label, t->cached, t->pages, now->cached, now->pages,
                   t->err[0] ? "the cache changed between its runs" : "taken in other runs");
    }
}

/* The rows of one file: the map at each geometry, then the peers. */
static void run_map_group(const char *self, const char *path, const char *what, bool huge_pass,
                          const Tool *vmtouch_v, const Tool *fincore, const ToolRes *sec2,
                          MapRow *rows)
{
    for (size_t gi = 0; gi < RMAP_GEOMS; gi++) {
        char r[16], c[16];
        snprintf(r, sizeof r, "%d", rmap_geom[gi][0]);
        snprintf(c, sizeof c, "%d", rmap_geom[gi][1]);
        Tool tl = {NULL, self, {"--rmap", r, c, NULL}, P_RMAP, false, false};
        MapRow *row = &rows[R_MAP0 + gi];
        snprintf(row->label, sizeof row->label, "core map %dx%d (%zu buckets)", rmap_geom[gi][1],
                 rmap_geom[gi][0], rmap_capacity(rmap_geom[gi][0], rmap_geom[gi][1]));
        row->origin = "3.";
        tl.label = row->label;
        bu_progress("residency map, %s: %s ...", what, row->label);
        run_tool(&tl, path, huge_pass, (uint64_t)sysconf(_SC_PAGESIZE), &row->res);
    }
    peer_row(&rows[R_VMTOUCH_V], "vmtouch -v FILE", vmtouch_v, &sec2[T_VMTOUCH_V], path, huge_pass,
             what);
    peer_row(&rows[R_FINCORE], "fincore FILE", fincore, &sec2[T_FINCORE], path, huge_pass, what);
    /* The core's one-cachestat count again, now: the reference the map's
     * counts are checked against (section 2's were taken minutes ago). */
    Tool now = {"core resid_count (1 cachestat)", self, {"--resid", NULL}, P_CORE, false, false};
    snprintf(rows[R_NOW].label, sizeof rows[R_NOW].label, "%s", now.label);
    rows[R_NOW].origin = "3.";
    bu_progress("residency map, %s: %s ...", what, now.label);
    run_tool(&now, path, huge_pass, (uint64_t)sysconf(_SC_PAGESIZE), &rows[R_NOW].res);
    bu_progress_done();
}

/* One target line: map against peer, met when peer/map >= need. */
static void print_target(const char *file, const MapRow *map, const MapRow *peer, double need,
                         const char *goal)
{
    char vs[32], target[48];
    const char *verdict;
    fmt_vs(vs, sizeof vs, &map->res, &peer->res);
    if (!map->res.runs || !peer->res.runs)
        verdict = "not measured";
    else if ((double)peer->res.med / (double)map->res.med >= need)
        verdict = "met";
    else
        verdict = "MISSED";
    snprintf(target, sizeof target, "(target: %s)", goal);
    printf("    %-6s %-32s vs %-16s %-15s %-25s %s\n", file, map->label, peer->label, vs, target,
           verdict);
}

static void report_rmap(const char *self, const Files *f, const char *vmtouch, const char *fincore,
                        const ResidKept *kept)
{
    const Tool vmtouch_v = {"vmtouch -v FILE", vmtouch, {"-v", NULL}, P_VMTOUCH, true, false};
    const Tool fincore_t = {"fincore FILE", fincore, {"-n", "-r", "-b", "-o", "PAGES,SIZE", NULL},
                            P_FINCORE,      true,    false};
    uint64_t t0 = bu_now_ns();
    char fl[24];
    bu_fmt_ms(fl, sizeof fl, kept->floor_ns);

    printf("\n3. Residency map: the editor's map view from a standing start, one process each\n");
    printf("   (bench_core --rmap ROWS COLS FILE): doc_open (read-only) + rmap_sample of\n");
    printf("   rmap_capacity(ROWS, COLS) buckets + rmap_render into a ROWS x COLS Grid, the\n");
    printf("   grid's text then written to stdout (as vmtouch -v prints its map). Timed as in\n");
    printf("   2 (process floor %s ms), %d runs each; in-proc: the child's own clock over\n", fl,
           REPS_CHEAP);
    printf("   open + sample + render. Beside it on the same files in the same run:\n");
    printf("   `vmtouch -v FILE` (a map too: the closest peer) and fincore. from: 2. = section\n");
    printf("   2's runs printed again, 3. = run here (vmtouch -v on 1 TiB: once, a full\n");
    printf("   mincore pass). The last row, the core's whole-file count run again here, is\n");
    printf("   the reference for the map's cached/pages sum. Both files are still pinned.\n");

    MapRow warm[R_COUNT], tera[R_COUNT];
    memset(warm, 0, sizeof warm);
    memset(tera, 0, sizeof tera);
    char *wname = bu_size_name(WARM_SIZE), *tname = bu_size_name(TERA_SIZE);
    char *title = bu_xasprintf("%s file of real data, page-cache warm", wname);
    run_map_group(self, f->warm, wname, false, &vmtouch_v, &fincore_t, kept->warm, warm);
    print_map_table(title, warm);
    free(title);
    title = bu_xasprintf("%s sparse file, %d scattered pages read", tname, TERA_TOUCHED);
    run_map_group(self, f->tera, tname, true, &vmtouch_v, &fincore_t, kept->tera, tera);
    print_map_table(title, tera);
    free(title);

    char goal_v[48], goal_f[48];
    snprintf(goal_v, sizeof goal_v, ">= %.0fx faster", MIN_SPEEDUP_VMTOUCH);
    snprintf(goal_f, sizeof goal_f, "no slower");
    printf("\n  targets, whole-process medians:\n");
    for (size_t gi = 0; gi < RMAP_GEOMS; gi++)
        print_target(tname, &tera[R_MAP0 + gi], &tera[R_VMTOUCH_V], MIN_SPEEDUP_VMTOUCH, goal_v);
    for (size_t gi = 0; gi < RMAP_GEOMS; gi++)
        print_target(wname, &warm[R_MAP0 + gi], &warm[R_FINCORE], MIN_SPEEDUP_FINCORE, goal_f);
    printf("  (section 3 took %.1f s)\n", (double)(bu_now_ns() - t0) / 1e9);
    free(wname);
    free(tname);
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_core [--mmhex PATH] [--cycles N] DIR\n"
               "  Benchmarks the mapping core on files it creates in DIR (about 4 GiB of\n"
               "  real data; DIR should be on the disk under test) and removes them.\n"
               "  tests/bench/run.sh runs it for `make bench`.\n");
}

static int bench_main(int argc, char **argv)
{
    const char *mmhex = NULL, *dir = NULL;
    unsigned cycles = DEFAULT_CYCLES;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mmhex") == 0 && i + 1 < argc) {
            mmhex = argv[++i];
        } else if (strcmp(argv[i], "--cycles") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > 100000)
                bu_die("bad --cycles '%s'", argv[i]);
            cycles = (unsigned)v;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!dir) {
        usage(stderr);
        return 2;
    }
    char self[4096];
    bu_self_exe(self, sizeof self);
    char *mmhex_abs = bu_exe_path(mmhex, "its row is skipped");
    char *vmtouch = bu_find_in_path("vmtouch");
    char *fincore = bu_find_in_path("fincore");

    print_header(dir, vmtouch, fincore, mmhex_abs);

    bu_set_cleanup_owner();
    Files f;
    f.small = bu_xasprintf("%s/small-1k.bin", dir);
    f.huge = bu_xasprintf("%s/sparse-16t.bin", dir);
    f.tera = bu_xasprintf("%s/sparse-1t.bin", dir);
    f.warm = bu_xasprintf("%s/warm-4g.bin", dir);
    f.warmup = bu_xasprintf("%s/warmup-4k.bin", dir);

    bu_remember_file(f.small);
    bu_remember_file(f.warmup);
    bu_remember_file(f.warm);

    bu_progress("creating the files (%s of real data) ...", "4 GiB");
    f.huge_size = bu_make_sparse_file(f.huge, HUGE_SIZE);
    uint64_t tera_size = bu_make_sparse_file(f.tera, TERA_SIZE);
    if (tera_size != TERA_SIZE)
        bu_die("%s: the file system cannot hold a 1 TiB sparse file", f.tera);
    touch_scattered(f.tera, TERA_SIZE, TERA_TOUCHED);
    setup_data(&f);
    BuPinner pin;
    bu_pin_start(&pin, pin_files, &f, "the files");
    long avail = bu_meminfo_kib("MemAvailable");
    if (avail >= 0 && (uint64_t)avail * KIB < WARM_SIZE + GIB)
        printf("  WARNING  MemAvailable is %ld KiB: the 4 GiB file may not stay cached\n", avail);

    report_open(self, &f, cycles);
    ResidKept *kept = bu_xmalloc(sizeof *kept);
    memset(kept, 0, sizeof *kept);
    report_resid(self, &f, vmtouch, fincore, mmhex_abs, kept);
    report_rmap(self, &f, vmtouch, fincore, kept);
    free(kept);
    bu_pin_stop(&pin);

    bu_remove_files();
    free(f.small);
    free(f.huge);
    free(f.tera);
    free(f.warm);
    free(f.warmup);
    free(vmtouch);
    free(fincore);
    free(mmhex_abs);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    bu_init("bench_core", OUT_MAX);
    if (argc >= 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    if (argc == 7 && strcmp(argv[1], "--open") == 0)
        return child_open(argv[2], argv[3], argv[4], argv[5], argv[6]);
    if (argc == 3 && strcmp(argv[1], "--resid") == 0)
        return child_resid(argv[2], false);
    if (argc == 3 && strcmp(argv[1], "--scan") == 0)
        return child_resid(argv[2], true);
    if (argc == 5 && strcmp(argv[1], "--rmap") == 0)
        return child_rmap(argv[2], argv[3], argv[4]);
    return bench_main(argc, argv);
}
