/*
 * bench_search: how fast the search core finds bytes, beside grep, a bare
 * memmem and cat, measured in the same run.
 *
 * The claim (src/search.h) is that a search runs at memory speed: memmem
 * on the mapped pages, no copies, holes skipped. The targets are "faster
 * than grep -F, within 1.25x of a bare memmem over an mmap of the file".
 * This program measures, on files it writes:
 *
 *  1. Warm. A 4 GiB file of non-repeating data (splitmix64 output, written
 *     and fsynced once) holding a unique 8-byte printable pattern 16 MiB
 *     before its end, the whole file kept in the page cache by a helper
 *     process that holds it mapped and populated (DAMON reclaim takes only
 *     unmapped idle page cache). Each run is a whole process, timed as
 *     clock_gettime around posix_spawn .. wait4, the tools taken in turn,
 *     the order rotated every round, median of RUNS:
 *       (a) mmhex -r -e 'find -x PATTERN' FILE (the program, batch mode);
 *       (b) LC_ALL=C grep -c -F PATTERN FILE (reads the whole file);
 *       (c) a bare memmem over a plain mmap of the file (this binary,
 *           --memmem: the practical limit; no guard, no chunks);
 *       (d) the core's search_start + search_step loop (this binary,
 *           --core, as batch mode drives it: 100 ms steps).
 *     (c) and (d) also report their in-process time (the scan alone).
 *     Every row shows the child's CPU time (user + sys) and page faults
 *     from wait4 too: on a shared machine CPU time is the steadier figure,
 *     and the faults tell how the page cache holds the file (a PMD-mapped
 *     2 MiB folio is one fault, 4 KiB folios one per fault-around). Before
 *     each run, pages that memory pressure took anyway are faulted back. A
 *     wildcard pattern (one byte of the same pattern as ??) and a
 *     case-insensitive text pattern (its letters in the other case) run
 *     through (d) too: the memchr-anchor paths. Every run must find the
 *     pattern at its offset (grep: count 1); mmhex's offset is checked once
 *     with -e dump in an untimed warm-up run.
 *
 *  2. Cold. The helper gone, the file evicted (fsync, fadvise DONTNEED,
 *     checked with cachestat) before each run: mmhex's find, the bare
 *     memmem (what the kernel's own mmap readahead gives a scan) and
 *     `cat FILE` into /dev/null (the disk's sequential read speed, the
 *     baseline), in turn.
 *
 *  3. Holes. A 16 TiB sparse file (ext4: 16 TiB - 4 KiB) holding 4 x
 *     16 MiB of data at scattered offsets (read in before each run): mmhex's
 *     batch find of an absent pattern (it skips the holes), and the core's
 *     in-process time and bytes read (SearchProgress.bytes_read) for the
 *     same search. For contrast, what scanning holes costs: the same absent
 *     pattern over 1 GiB of holes with SEEK_DATA/SEEK_HOLE answering EINVAL
 *     (a SysOps table, as on a file system that cannot tell holes, so the
 *     core reads every zero page; evicted before each run). A pattern that
 *     can match zeros is not skipped over holes either, but it matches at
 *     the first run of zeros, so it cannot time a hole scan: its row shows
 *     where it stops and what it read.
 *
 * Usage: bench_search [--mmhex PATH] [--runs N] DIR
 * creates its files in DIR (on the disk under test: ~4 GiB of real data)
 * and removes them before exiting; tests/bench/run.sh makes DIR and removes
 * it on any exit. The sub-modes --memmem, --core and --noop are the child
 * processes; they are not meant to be run by hand.
 *
 * This is not a test: it prints figures and fails only when it cannot
 * measure (a tool finding nothing, or the wrong offset, is reported in its
 * row).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#include <inttypes.h>
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
#include "map.h"
#include "resid.h"
#include "search.h"
#include "sys.h"

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

#define WARM_SIZE (4 * GIB)               /* the file of real data */
#define NEEDLE "mMhXqZjK"                 /* 8 printable bytes, letters only */
#define NEEDLE_LEN 8                      /* strlen(NEEDLE) */
#define NEEDLE_OFF (WARM_SIZE - 16 * MIB) /* where it is, the only place */
#define WILD_AT 3                         /* the byte the wildcard pattern leaves open */
#define ICASE_TEXT "\\cMmHxQzJk"          /* NEEDLE, case flipped, case-insensitive */
#define ABSENT "nOt-HeRe"                 /* the sparse file's absent pattern */
#define HUGE_SIZE (16 * TIB)              /* the sparse file (ext4: minus 4 KiB) */
#define EXTENTS 4                         /* data extents in it */
#define EXTENT_SIZE (16 * MIB)            /* each */
#define HOLE_LO (3 * TIB)                 /* the hole-scan range: all hole */
#define HOLE_LEN GIB                      /* its length */
#define DEFAULT_RUNS 5                    /* whole-process runs per warm case */
#define OTHER_RUNS 3                      /* runs of the wildcard and icase cases */
#define HOLE_RUNS 3                       /* runs of the 1 GiB hole scan */
#define COLD_RUNS 2                       /* rounds of cold mmhex, cold cat */
#define REPS_FLOOR 21                     /* runs of the --noop process floor */
#define STEP_NS (100 * 1000000ull)        /* search_step budget (batch mode's) */
#define OUT_MAX 8192                      /* child output kept for parsing */
#define IO_BUF ((size_t)1 << 20)          /* write/read chunk */
#define SEED UINT64_C(0x6d6d6865782d6273) /* the data: splitmix64 from here */
#define TARGET_MEMMEM 1.25                /* "within 1.25x of the bare memmem" */

/* Where the sparse file's data lies: scattered, page-aligned, none of it in
 * [HOLE_LO, HOLE_LO + HOLE_LEN). */
static const uint64_t extent_off[EXTENTS] = {
    TIB + 3 * MIB,
    5 * TIB + 517 * MIB,
    9 * TIB + 4099 * MIB,
    15 * TIB + 300 * GIB + 7 * MIB,
};

extern char **environ;

/* ---- failure ------------------------------------------------------------ */

/* Remove one file now (and forget it). */
static void remove_file(const char *path)
{
    bu_forget_file(path);
    if (unlink(path) < 0 && errno != ENOENT)
        fprintf(stderr, "bench_search: cannot remove %s: %s\n", path, strerror(errno));
}

/* ---- measuring ---------------------------------------------------------- */

static double gbps(uint64_t bytes, uint64_t ns)
{
    return ns ? (double)bytes / (double)ns : 0.0; /* bytes per ns = GB/s */
}

/* Two decimals, none past 1000 (the rates of skipping holes). */
static void fmt_gbps(char *buf, size_t n, double v)
{
    snprintf(buf, n, v < 1000 ? "%.2f" : "%.0f", v);
}

/* "1.52x faster" or "1.10x slower": t against base (times). */
static void fmt_vs(char *buf, size_t n, uint64_t t, uint64_t base)
{
    if (!t || !base)
        snprintf(buf, n, "-");
    else if (t <= base)
        snprintf(buf, n, "%.2fx faster", (double)base / (double)t);
    else
        snprintf(buf, n, "%.2fx slower", (double)t / (double)base);
}

/* ---- child processes ---------------------------------------------------- */

/* environ with LC_ALL=C (grep's byte-wise matching). */
static char **c_locale_env(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = bu_xmalloc((n + 2) * sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LC_ALL=", 7) != 0)
            env[k++] = environ[i];
    static char lc_all[] = "LC_ALL=C";
    env[k++] = lc_all;
    env[k] = NULL;
    return env;
}

/* ---- the patterns ------------------------------------------------------- */

/* "6d 4d 68 ...", with byte `wild` (if < len) as ??. */
static char *hex_of(const char *bytes, size_t len, size_t wild)
{
    char *s = bu_xmalloc(3 * len + 1), *p = s;
    for (size_t i = 0; i < len; i++)
        p += i == wild ? sprintf(p, "%s??", i ? " " : "")
                       : sprintf(p, "%s%02x", i ? " " : "", (unsigned char)bytes[i]);
    return s;
}

/* The bytes of a hex string with blanks ("6d 4d"); -1 on a bad one. */
static long unhex(const char *s, uint8_t *out, size_t room)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned v;
        if (n == room || sscanf(s, "%2x", &v) != 1 || !s[1])
            return -1;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return (long)n;
}

/* ---- sub-mode --memmem: the bare scan ----------------------------------- */

/* bench_search --memmem FILE HEX: mmap the whole file, one memmem over it
 * (what a scan costs with nothing around it), print where it matched. */
static int child_memmem(const char *path, const char *hex)
{
    uint8_t needle[MMH_PATTERN_MAX];
    long nl = unhex(hex, needle, sizeof needle);
    if (nl <= 0)
        bu_die("bad hex pattern '%s'", hex);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0)
        bu_die("fstat %s: %s", path, st.st_size <= 0 ? "empty" : strerror(errno));
    size_t len = (size_t)st.st_size;
    uint8_t *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bu_die("mmap %s: %s", path, strerror(errno));
    uint64_t t0 = bu_now_ns();
    const uint8_t *q = memmem(p, len, needle, (size_t)nl);
    uint64_t t1 = bu_now_ns();
    if (q)
        printf("ok off=%zu scan_ns=%" PRIu64 "\n", (size_t)(q - p), t1 - t0);
    else
        printf("ok off=none scan_ns=%" PRIu64 "\n", t1 - t0);
    munmap(p, len);
    close(fd);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- sub-mode --core: the core's search --------------------------------- */

/* As a file system that cannot tell holes: SEEK_DATA and SEEK_HOLE fail
 * with EINVAL, so the core takes the whole file as data. */
static SysOps noholes_ops;

static off_t noholes_lseek(int fd, off_t off, int whence)
{
#if HAVE_DECL_SEEK_DATA && HAVE_DECL_SEEK_HOLE
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
        errno = EINVAL;
        return -1;
    }
#endif
    return sys_default.lseek(fd, off, whence);
}

/* bench_search --core FILE hex|text PATTERN LO HI holes|noholes: search
 * [LO, HI) (HI 0: to the end) forward from LO, no wrap, in 100 ms steps as
 * batch mode does; print the result, the time in the loop and the
 * progress counters. */
static int child_core(const char *path, const char *syntax, const char *pat, const char *los,
                      const char *his, const char *holes)
{
    Pattern p;
    const char *err = NULL;
    int rc = strcmp(syntax, "hex") == 0 ? search_parse_hex(pat, &p, &err)
                                        : search_parse_text(pat, &p, &err);
    if (rc < 0)
        bu_die("pattern '%s': %s", pat, err ? err : "bad");
    noholes_ops = sys_default;
    noholes_ops.lseek = noholes_lseek;
    MapOpts mo = {.mode = MMH_MODE_READONLY,
                  .sys = strcmp(holes, "noholes") == 0 ? &noholes_ops : NULL};
    Doc *d;
    rc = doc_open(&d, path, &mo);
    if (rc < 0)
        bu_die("%s: %s", path, map_strerror(rc));
    SearchOpts o = {.from = strtoull(los, NULL, 10),
                    .lo = strtoull(los, NULL, 10),
                    .hi = strtoull(his, NULL, 10),
                    .backward = false,
                    .wrap = false,
                    .chunk = 0};
    uint64_t t0 = bu_now_ns();
    Search *s;
    rc = search_start(&s, d, &p, &o);
    if (rc < 0)
        bu_die("search_start: %s", map_strerror(rc));
    while ((rc = search_step(s, STEP_NS)) == SEARCH_RUNNING)
        ;
    uint64_t t1 = bu_now_ns();
    if (rc < 0)
        bu_die("search_step: %s", map_strerror(rc));
    SearchProgress pr;
    search_progress(s, &pr);
    if (rc == SEARCH_FOUND)
        printf("ok off=%" PRIu64, search_match(s));
    else
        printf("ok off=none");
    printf(" scan_ns=%" PRIu64 " bytes_read=%" PRIu64 " scanned=%" PRIu64 " total=%" PRIu64 "\n",
           t1 - t0, pr.bytes_read, pr.scanned, pr.total);
    search_free(s);
    doc_close(d);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- the files ---------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* n bytes of the stream (n a multiple of 8). */
static void fill_random(uint8_t *buf, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = splitmix64(state);
        memcpy(buf + i, &v, 8);
    }
}

/* The warm file: WARM_SIZE random bytes, NEEDLE at NEEDLE_OFF, fsynced. */
static void make_warm_file(const char *path, uint64_t *write_ns, uint64_t *sync_ns)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    uint8_t *buf = bu_xmalloc(IO_BUF);
    uint64_t state = SEED, t0 = bu_now_ns();
    for (uint64_t off = 0; off < WARM_SIZE; off += IO_BUF) {
        fill_random(buf, IO_BUF, &state);
        if (NEEDLE_OFF >= off && NEEDLE_OFF - off < IO_BUF) /* IO_BUF-aligned: fits */
            memcpy(buf + (NEEDLE_OFF - off), NEEDLE, NEEDLE_LEN);
        bu_pwrite_all(fd, buf, IO_BUF, off, path);
    }
    uint64_t t1 = bu_now_ns();
    if (fsync(fd) < 0)
        bu_die("fsync %s: %s", path, strerror(errno));
    *sync_ns = bu_now_ns() - t1;
    *write_ns = t1 - t0;
    if (close(fd) < 0)
        bu_die("close %s: %s", path, strerror(errno));
    free(buf);
}

/* The sparse file: ftruncate to HUGE_SIZE (ext4: one page less, on
 * EFBIG), EXTENTS of random data, fsynced. Returns its size. */
static uint64_t make_sparse_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    uint64_t size = HUGE_SIZE;
    if (ftruncate(fd, (off_t)size) < 0) {
        if (errno != EFBIG)
            bu_die("ftruncate %s: %s", path, strerror(errno));
        size -= (uint64_t)sysconf(_SC_PAGESIZE);
        if (ftruncate(fd, (off_t)size) < 0)
            bu_die("ftruncate %s to %" PRIu64 ": %s", path, size, strerror(errno));
    }
    uint8_t *buf = bu_xmalloc(IO_BUF);
    uint64_t state = SEED ^ UINT64_C(0x5555555555555555);
    for (int e = 0; e < EXTENTS; e++) {
        if (extent_off[e] + EXTENT_SIZE > size)
            bu_die("extent %d lies past the end of %s", e, path);
        for (uint64_t k = 0; k < EXTENT_SIZE; k += IO_BUF) {
            fill_random(buf, IO_BUF, &state);
            bu_pwrite_all(fd, buf, IO_BUF, extent_off[e] + k, path);
        }
    }
    if (fsync(fd) < 0)
        bu_die("fsync %s: %s", path, strerror(errno));
    if (close(fd) < 0)
        bu_die("close %s: %s", path, strerror(errno));
    free(buf);
    return size;
}

/* Read [off, off+len) with pread (into the page cache). */
static void read_range(const char *path, uint64_t off, uint64_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    uint8_t *buf = bu_xmalloc(IO_BUF);
    for (uint64_t done = 0; done < len;) {
        size_t want = len - done < IO_BUF ? (size_t)(len - done) : IO_BUF;
        ssize_t n = pread(fd, buf, want, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            bu_die("read %s: %s", path, strerror(errno));
        if (n == 0)
            break;
        done += (uint64_t)n;
    }
    free(buf);
    close(fd);
}

/* Drop [off, off+len) (len 0: all) of path from the page cache; dirty
 * pages are written first, since DONTNEED skips them. */
static void evict_range(const char *path, uint64_t off, uint64_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    if (fsync(fd) < 0)
        bu_die("fsync %s: %s", path, strerror(errno));
    int e = posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
    if (e != 0)
        bu_die("posix_fadvise %s: %s", path, strerror(e));
    close(fd);
}

/* Pages of path in the page cache (cachestat, else mincore, through the
 * core's residency module); *pages gets the file's page count. */
static uint64_t cached_pages(const char *path, uint64_t *pages)
{
    MapOpts mo = {.mode = MMH_MODE_READONLY, .sys = NULL};
    Map *m;
    int rc = map_open(&m, path, &mo);
    if (rc < 0)
        bu_die("%s: %s", path, map_strerror(rc));
    Resid *r;
    rc = resid_open(&r, m);
    if (rc < 0)
        bu_die("resid_open: %s", map_strerror(rc));
    ResidCount c;
    memset(&c, 0, sizeof c);
    rc = resid_known(r) ? resid_count(r, 0, 0, &c) : -EPERM;
    resid_close(r);
    map_close(m);
    if (rc < 0)
        bu_die("counting the cached pages of %s: %s", path, map_strerror(rc));
    *pages = c.pages;
    return c.cached;
}

/* ---- the pinner --------------------------------------------------------
 *
 * A forked child (bu_pin_start) that holds the warm file mapped and
 * populated until the parent stops it, so idle-page reclaim that takes only
 * unmapped page cache (DAMON pageout schemes) leaves it cached. The
 * measured processes map the same page-cache pages through their own page
 * tables; the pinner costs them nothing.
 */

/* The pinner's work: map the warm file (ctx, its path) and fault it in. */
static bool pin_warm(void *ctx)
{
    const char *path = ctx;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    void *p = mmap(NULL, (size_t)WARM_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return false;
    bu_populate(p, WARM_SIZE);
    close(fd); /* the mapping stays */
    return true;
}

/* ---- the machine -------------------------------------------------------- */

static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "?");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *v = strchr(line, ':');
            if (v) {
                v += strspn(v + 1, " \t") + 1;
                snprintf(buf, n, "%.*s", (int)strcspn(v, "\n"), v);
            }
            break;
        }
    }
    fclose(f);
}

typedef struct Tools {
    char *mmhex, *grep, *cat;
} Tools;

static void print_header(const char *dir, const Tools *t, unsigned runs)
{
    char cpu[128];
    cpu_model(cpu, sizeof cpu);
    bu_print_machine("mmhex bench_search: the search core beside grep -F, a bare memmem and cat",
                     dir, cpu);
    char *gv = t->grep ? bu_tool_line(t->grep, "--version", "grep") : NULL;
    char *cv = t->cat ? bu_tool_line(t->cat, "--version", "cat") : NULL;
#ifdef __GLIBC__
    char *libc = bu_xasprintf("glibc %s", gnu_get_libc_version());
#else
    char *libc = bu_xstrdup("the C library's");
#endif
    printf("  tools    ");
    bu_print_tool("grep", t->grep, gv, false);
    printf("memmem: %s\n", libc);
    printf("           ");
    bu_print_tool("cat", t->cat, cv, true);
    printf("  mmhex    %s\n",
           t->mmhex ? t->mmhex : "not given (--mmhex PATH): its rows are skipped");
    printf("  runs     %u whole-process runs per warm case (median shown), tools taken in turn\n",
           runs);
    if (bu_damon_reclaims())
        printf("  NOTE     DAMON proactive reclaim is on (a 'pageout' scheme): idle unmapped\n"
               "           page cache is evicted within about a minute. A helper process keeps\n"
               "           the 4 GiB file mapped while it is measured warm; the sparse file's\n"
               "           data is read in before each run.\n");
    free(gv);
    free(cv);
    free(libc);
}

/* ---- one case, many runs ------------------------------------------------ */

typedef enum Check {
    CK_FOUND_AT, /* a bench_search child: off=want */
    CK_NONE,     /* a bench_search child: off=none */
    CK_EXIT0,    /* exit 0 (mmhex found it) */
    CK_EXIT1,    /* exit 1 (mmhex found nothing) */
    CK_GREP1,    /* exit 0 and the count 1 */
    CK_ANY0,     /* exit 0, output not looked at (cat) */
} Check;

typedef struct Case {
    const char *label; /* row name */
    BuCmd cmd;
    Check check;
    uint64_t want;    /* CK_FOUND_AT: the offset */
    uint64_t bytes;   /* bytes it must go through, for GB/s */
    bool inproc;      /* the child reports scan_ns */
    const char *skip; /* why it does not run, or NULL */
    /* results */
    unsigned runs;
    uint64_t wall[16], scan[16], cpu[16], faults[16];
    uint64_t bytes_read; /* core children: of the last run */
    uint64_t off;        /* bench_search children: the last offset (UINT64_MAX: none) */
    char err[200];
} Case;

static void case_child(Case *c, const char *self, const char *sub)
{
    memset(&c->cmd, 0, sizeof c->cmd);
    bu_cmd_add(&c->cmd, self);
    bu_cmd_add(&c->cmd, sub);
}

/* Run c once and record it; false (with c->err) if it failed its check. */
static bool case_run(Case *c)
{
    if (c->skip || c->err[0])
        return false;
    BuRun *r = bu_run_new();
    bu_run(&c->cmd, r);
    bool ok = false;
    uint64_t scan = 0;
    char line[160];
    switch (c->check) {
    case CK_FOUND_AT:
    case CK_NONE:
        if (!bu_exited(r, 0) || strncmp(r->out, "ok ", 3) != 0) {
            snprintf(c->err, sizeof c->err, "%s", bu_first_line(r, NULL, line, sizeof line));
            break;
        }
        c->off = UINT64_MAX;
        bu_kv_u64(r->out, "off", &c->off);
        bu_kv_u64(r->out, "bytes_read", &c->bytes_read);
        ok = bu_kv_u64(r->out, "scan_ns", &scan);
        if (c->check == CK_FOUND_AT && c->off != c->want) {
            if (c->off == UINT64_MAX)
                snprintf(c->err, sizeof c->err, "found nothing (wanted %" PRIu64 ")", c->want);
            else
                snprintf(c->err, sizeof c->err, "found at %" PRIu64 ", wanted %" PRIu64, c->off,
                         c->want);
            ok = false;
        } else if (c->check == CK_NONE && c->off != UINT64_MAX) {
            snprintf(c->err, sizeof c->err, "found at %" PRIu64 ", wanted nothing", c->off);
            ok = false;
        }
        break;
    case CK_EXIT0:
    case CK_EXIT1:
    case CK_ANY0:
        ok = bu_exited(r, c->check == CK_EXIT1 ? 1 : 0);
        if (ok && c->check == CK_EXIT1 && !strstr(r->out, "not found"))
            ok = false;
        if (!ok)
            snprintf(c->err, sizeof c->err, "%s", bu_first_line(r, NULL, line, sizeof line));
        break;
    case CK_GREP1:
        ok = bu_exited(r, 0) && strtoul(r->out, NULL, 10) == 1;
        if (!ok)
            snprintf(c->err, sizeof c->err, "count %s (wanted 1)",
                     bu_first_line(r, NULL, line, sizeof line));
        break;
    }
    if (ok && c->runs < sizeof c->wall / sizeof c->wall[0]) {
        c->wall[c->runs] = r->wall_ns;
        c->cpu[c->runs] = r->cpu_ns;
        c->faults[c->runs] = r->faults;
        c->scan[c->runs] = scan;
        c->runs++;
    }
    free(r);
    return ok;
}

/* The cases in turn, rounds times, starting one later each round, each run
 * preceded by before(ctx) if given. */
static void run_rounds(Case *cs, size_t n, unsigned rounds, const char *what,
                       void (*before)(void *), void *ctx)
{
    for (unsigned k = 0; k < rounds; k++) {
        for (size_t j = 0; j < n; j++) {
            Case *c = &cs[(j + k) % n];
            if (c->skip || c->err[0])
                continue;
            bu_progress("%s: round %u of %u, %s ...", what, k + 1, rounds, c->label);
            if (before)
                before(ctx);
            case_run(c);
        }
    }
    bu_progress_done();
}

static uint64_t wall_med(const Case *c)
{
    return bu_median_of(c->wall, c->runs);
}

static uint64_t cpu_med(const Case *c)
{
    return bu_median_of(c->cpu, c->runs);
}

static uint64_t scan_med(const Case *c)
{
    return c->inproc ? bu_median_of(c->scan, c->runs) : 0;
}

static void print_case_head(void)
{
    printf("  %-38s %4s %8s %8s %8s %10s %9s %7s %7s\n", "", "runs", "wall ms", "min ms", "CPU ms",
           "in-proc ms", "GB/s wall", "in-proc", "faults");
}

static void print_case(const Case *c)
{
    if (c->skip) {
        printf("  %-38s %s\n", c->label, c->skip);
        return;
    }
    if (!c->runs) {
        printf("  %-38s FAILED: %s\n", c->label, c->err[0] ? c->err : "did not run");
        return;
    }
    char wm[24], mn[24], cp[24], ip[24], wg[24], ig[24];
    bu_fmt_ms(wm, sizeof wm, wall_med(c));
    bu_fmt_ms(cp, sizeof cp, bu_median_of(c->cpu, c->runs));
    bu_fmt_ms(mn, sizeof mn, bu_minimum(c->wall, c->runs));
    snprintf(ip, sizeof ip, "-");
    snprintf(wg, sizeof wg, "-");
    snprintf(ig, sizeof ig, "-");
    if (c->inproc)
        bu_fmt_ms(ip, sizeof ip, scan_med(c));
    if (c->bytes)
        fmt_gbps(wg, sizeof wg, gbps(c->bytes, wall_med(c)));
    if (c->bytes && c->inproc)
        fmt_gbps(ig, sizeof ig, gbps(c->bytes, scan_med(c)));
    printf("  %-38s %4u %8s %8s %8s %10s %9s %7s %7" PRIu64 "\n", c->label, c->runs, wm, mn, cp, ip,
           wg, ig, bu_median_of(c->faults, c->runs));
    if (c->err[0])
        printf("  %-38s   note: a later run failed: %s\n", "", c->err);
}

/* A ratio line with its target: t against base (times), met when t is
 * below base * limit (limit 0: no target). */
static void print_target(const char *what, uint64_t t, uint64_t base, double limit,
                         const char *target)
{
    char vs[32];
    fmt_vs(vs, sizeof vs, t, base);
    const char *verdict = !t || !base                         ? "not measured"
                          : limit <= 0                        ? ""
                          : (double)t <= (double)base * limit ? "met"
                                                              : "MISSED";
    printf("    %-44s %-13s %-17s %s\n", what, vs, target, verdict);
}

/* ---- report 1: warm ----------------------------------------------------- */

/* Before each warm run: the pinner keeps DAMON off the file, but memory
 * pressure from other work can still reclaim some of it; fault back what
 * is missing (MADV_POPULATE_READ on a mapping of our own) so every run
 * starts with the whole file cached. */
typedef struct WarmCtx {
    const char *path;
    uint64_t pages;
    uint64_t least;    /* the fewest pages found cached before a run */
    unsigned topups;   /* runs that had to fault pages back first */
    uint64_t shortest; /* the fewest cached after a top-up (should be pages) */
} WarmCtx;

static void warm_topup(void *ctx)
{
    WarmCtx *w = ctx;
    uint64_t pages, n = cached_pages(w->path, &pages);
    w->least = n < w->least ? n : w->least;
    if (n < pages) {
        w->topups++;
        int fd = open(w->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            bu_die("open %s: %s", w->path, strerror(errno));
        void *p = mmap(NULL, (size_t)WARM_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            bu_die("mmap %s: %s", w->path, strerror(errno));
        bu_populate(p, WARM_SIZE);
        munmap(p, (size_t)WARM_SIZE);
        close(fd);
        n = cached_pages(w->path, &pages);
    }
    w->shortest = n < w->shortest ? n : w->shortest;
    w->pages = pages;
}

/* mmhex's cursor after `find`, from an untimed `-e 'find ..' -e dump` run
 * ("%08x: ..." at the cursor): true with *off. */
static bool mmhex_found_at(const char *mmhex, const char *find, const char *path, uint64_t *off)
{
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, mmhex);
    bu_cmd_add(&c, "-r");
    bu_cmd_add(&c, "-e");
    bu_cmd_add(&c, find);
    bu_cmd_add(&c, "-e");
    bu_cmd_add(&c, "dump");
    bu_cmd_add(&c, path);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    char *end;
    unsigned long long v = strtoull(r->out, &end, 16);
    bool ok = bu_exited(r, 0) && end != r->out && *end == ':';
    if (ok)
        *off = v;
    free(r);
    return ok;
}

static void report_warm(const char *self, const Tools *t, const char *path, unsigned runs)
{
    char *hex = hex_of(NEEDLE, NEEDLE_LEN, SIZE_MAX);
    char *wild = hex_of(NEEDLE, NEEDLE_LEN, WILD_AT);
    char *find = bu_xasprintf("find -x %s", hex);
    char **cenv = c_locale_env();
    char num[32];
    uint64_t first = NEEDLE_OFF + NEEDLE_LEN; /* what find-first tools go through */

    enum { C_MMHEX, C_GREP, C_MEMMEM, C_CORE, C_WILD, C_ICASE, NC };
    Case cs[NC];
    memset(cs, 0, sizeof cs);

    cs[C_MMHEX].label = "(a) mmhex -r -e 'find -x PATTERN' FILE";
    if (t->mmhex) {
        bu_cmd_add(&cs[C_MMHEX].cmd, t->mmhex);
        bu_cmd_add(&cs[C_MMHEX].cmd, "-r");
        bu_cmd_add(&cs[C_MMHEX].cmd, "-e");
        bu_cmd_add(&cs[C_MMHEX].cmd, find);
        bu_cmd_add(&cs[C_MMHEX].cmd, path);
    } else {
        cs[C_MMHEX].skip = "not run (no --mmhex)";
    }
    cs[C_MMHEX].check = CK_EXIT0;
    cs[C_MMHEX].bytes = first;

    cs[C_GREP].label = "(b) LC_ALL=C grep -c -F PATTERN FILE";
    if (t->grep) {
        bu_cmd_add(&cs[C_GREP].cmd, t->grep);
        bu_cmd_add(&cs[C_GREP].cmd, "-c");
        bu_cmd_add(&cs[C_GREP].cmd, "-F");
        bu_cmd_add(&cs[C_GREP].cmd, NEEDLE);
        bu_cmd_add(&cs[C_GREP].cmd, path);
        cs[C_GREP].cmd.envp = cenv;
    } else {
        cs[C_GREP].skip = "not installed";
    }
    cs[C_GREP].check = CK_GREP1;
    cs[C_GREP].bytes = WARM_SIZE;

    cs[C_MEMMEM].label = "(c) bare memmem over mmap (--memmem)";
    case_child(&cs[C_MEMMEM], self, "--memmem");
    bu_cmd_add(&cs[C_MEMMEM].cmd, path);
    bu_cmd_add(&cs[C_MEMMEM].cmd, hex);

    const struct {
        int i;
        const char *label, *syntax, *pat;
    } core[] = {
        {C_CORE, "(d) core search_step loop (--core)", "hex", hex},
        {C_WILD, "    wildcard, one byte ?? (--core)", "hex", wild},
        {C_ICASE, "    text, case-insensitive (--core)", "text", ICASE_TEXT},
    };
    for (size_t k = 0; k < sizeof core / sizeof core[0]; k++) {
        Case *c = &cs[core[k].i];
        c->label = core[k].label;
        case_child(c, self, "--core");
        bu_cmd_add(&c->cmd, path);
        bu_cmd_add(&c->cmd, core[k].syntax);
        bu_cmd_add(&c->cmd, core[k].pat);
        bu_cmd_add(&c->cmd, "0");
        bu_cmd_add(&c->cmd, "0");
        bu_cmd_add(&c->cmd, "holes");
    }
    for (int i = C_MEMMEM; i < NC; i++) {
        cs[i].check = CK_FOUND_AT;
        cs[i].want = NEEDLE_OFF;
        cs[i].bytes = first;
        cs[i].inproc = true;
    }

    /* The price of being a process at all. */
    char fl[24];
    bu_fmt_ms(fl, sizeof fl, bu_process_floor(self, REPS_FLOOR));

    /* Untimed warm-up, and the check of where mmhex's cursor lands. */
    uint64_t at = 0;
    bool at_ok = false;
    if (t->mmhex) {
        bu_progress("warm: checking where mmhex's find lands ...");
        at_ok = mmhex_found_at(t->mmhex, find, path, &at);
        bu_progress_done();
    }

    WarmCtx wc = {path, 0, UINT64_MAX, 0, UINT64_MAX};
    run_rounds(cs, C_WILD, runs, "warm", warm_topup, &wc);
    run_rounds(cs + C_WILD, NC - C_WILD, OTHER_RUNS < runs ? OTHER_RUNS : runs,
               "warm, other patterns", warm_topup, &wc);

    printf("\n1. Warm: a 4 GiB file of non-repeating data (splitmix64), all of it in the page\n");
    printf("   cache, %d-byte pattern \"%s\" (hex %s) once, at %" PRIu64 "\n", NEEDLE_LEN, NEEDLE,
           hex, (uint64_t)NEEDLE_OFF);
    printf("   (16 MiB before the end). Whole-process wall time: clock_gettime around\n");
    printf("   posix_spawn .. wait4 (process floor, bench_search --noop: %s ms, median of %d).\n",
           fl, REPS_FLOOR);
    printf("   CPU: the child's user + sys time (wait4), steadier than wall on a busy machine.\n");
    printf("   in-proc: the child's own time for the scan (mmap/doc_open before it, unmap\n");
    printf("   after it not counted). GB/s = bytes gone through / time (10^9 B/s): up to the\n");
    printf("   match for (a), (c), (d) (%" PRIu64 " B), the whole file for grep (%" PRIu64 " B).\n",
           first, (uint64_t)WARM_SIZE);
    printf("   Page cache (cachestat) before each run: at least %" PRIu64 " of %" PRIu64
           " pages cached;\n",
           wc.shortest, wc.pages);
    if (wc.topups)
        printf("   %u runs found pages reclaimed (down to %" PRIu64
               ") and faulted them back first.\n",
               wc.topups, wc.least);
    if (t->mmhex) {
        if (at_ok && at == NEEDLE_OFF)
            printf("   mmhex's find put the cursor at %" PRIu64 " (checked with -e dump, "
                   "untimed).\n\n",
                   at);
        else if (at_ok)
            printf("   WRONG: mmhex's find put the cursor at %" PRIu64 ", not %" PRIu64 ".\n\n", at,
                   (uint64_t)NEEDLE_OFF);
        else
            printf("   mmhex's find could not be checked (-e dump gave no offset).\n\n");
    } else {
        putchar('\n');
    }
    print_case_head();
    for (int i = 0; i < NC; i++) {
        if (i == C_WILD)
            printf("  other patterns, in the core (non-memmem paths: memchr on the rarest "
                   "fixed byte):\n");
        print_case(&cs[i]);
    }
    printf("    (wildcard: %s; case-insensitive: %s; both match at the same offset)\n", wild,
           ICASE_TEXT);

    /* The figures the targets are about. */
    uint64_t a = cs[C_MMHEX].runs ? wall_med(&cs[C_MMHEX]) : 0;
    uint64_t g = cs[C_GREP].runs ? wall_med(&cs[C_GREP]) : 0;
    uint64_t mw = cs[C_MEMMEM].runs ? wall_med(&cs[C_MEMMEM]) : 0;
    uint64_t ms = cs[C_MEMMEM].runs ? scan_med(&cs[C_MEMMEM]) : 0;
    uint64_t dw = cs[C_CORE].runs ? wall_med(&cs[C_CORE]) : 0;
    uint64_t ds = cs[C_CORE].runs ? scan_med(&cs[C_CORE]) : 0;
    snprintf(num, sizeof num, "within %.2fx", TARGET_MEMMEM);
    printf("\n  Targets (medians):\n");
    print_target("(a) mmhex find vs (b) grep -F, wall", a, g, 1.0, "faster than grep");
    print_target("(a) mmhex find vs (c) memmem, wall", a, mw, TARGET_MEMMEM, num);
    print_target("(d) core vs (c) memmem, in-process", ds, ms, TARGET_MEMMEM, num);
    print_target("(d) core vs (c) memmem, wall", dw, mw, TARGET_MEMMEM, num);
    print_target("(a) mmhex find vs (c) memmem, CPU time",
                 cs[C_MMHEX].runs ? cpu_med(&cs[C_MMHEX]) : 0,
                 cs[C_MEMMEM].runs ? cpu_med(&cs[C_MEMMEM]) : 0, TARGET_MEMMEM, num);
    print_target("(d) core vs (c) memmem, CPU time", cs[C_CORE].runs ? cpu_med(&cs[C_CORE]) : 0,
                 cs[C_MEMMEM].runs ? cpu_med(&cs[C_MEMMEM]) : 0, TARGET_MEMMEM, num);
    print_target("(d) core, in-process vs (b) grep -F, wall", ds, g, 1.0, "faster than grep");
    printf("  Other patterns against (c) memmem, in-process (no target):\n");
    print_target("wildcard vs memmem", cs[C_WILD].runs ? scan_med(&cs[C_WILD]) : 0, ms, 0, "-");
    print_target("case-insensitive vs memmem", cs[C_ICASE].runs ? scan_med(&cs[C_ICASE]) : 0, ms, 0,
                 "-");

    for (int i = 0; i < NC; i++)
        bu_cmd_free(&cs[i].cmd);
    free(cenv);
    free(find);
    free(wild);
    free(hex);
}

/* ---- report 2: cold ----------------------------------------------------- */

typedef struct ColdCtx {
    const char *path;
    uint64_t worst; /* the most pages found cached after an eviction */
} ColdCtx;

static void cold_evict(void *ctx)
{
    ColdCtx *cc = ctx;
    evict_range(cc->path, 0, 0);
    uint64_t pages, n = cached_pages(cc->path, &pages);
    cc->worst = n > cc->worst ? n : cc->worst;
}

static void report_cold(const char *self, const Tools *t, const char *path)
{
    char *hex = hex_of(NEEDLE, NEEDLE_LEN, SIZE_MAX);
    char *find = bu_xasprintf("find -x %s", hex);
    enum { K_MMHEX, K_MEMMEM, K_CAT, NK };
    Case cs[NK];
    memset(cs, 0, sizeof cs);
    cs[K_MMHEX].label = "mmhex -r -e 'find -x PATTERN' FILE";
    if (t->mmhex) {
        bu_cmd_add(&cs[K_MMHEX].cmd, t->mmhex);
        bu_cmd_add(&cs[K_MMHEX].cmd, "-r");
        bu_cmd_add(&cs[K_MMHEX].cmd, "-e");
        bu_cmd_add(&cs[K_MMHEX].cmd, find);
        bu_cmd_add(&cs[K_MMHEX].cmd, path);
    } else {
        cs[K_MMHEX].skip = "not run (no --mmhex)";
    }
    cs[K_MMHEX].check = CK_EXIT0;
    cs[K_MMHEX].bytes = NEEDLE_OFF + NEEDLE_LEN;
    cs[K_MEMMEM].label = "bare memmem over mmap (--memmem)";
    case_child(&cs[K_MEMMEM], self, "--memmem");
    bu_cmd_add(&cs[K_MEMMEM].cmd, path);
    bu_cmd_add(&cs[K_MEMMEM].cmd, hex);
    cs[K_MEMMEM].check = CK_FOUND_AT;
    cs[K_MEMMEM].want = NEEDLE_OFF;
    cs[K_MEMMEM].bytes = NEEDLE_OFF + NEEDLE_LEN;
    cs[K_MEMMEM].inproc = true;
    cs[K_CAT].label = "cat FILE > /dev/null";
    if (t->cat) {
        bu_cmd_add(&cs[K_CAT].cmd, t->cat);
        bu_cmd_add(&cs[K_CAT].cmd, path);
        cs[K_CAT].cmd.devnull = true;
    } else {
        cs[K_CAT].skip = "not installed";
    }
    cs[K_CAT].check = CK_ANY0;
    cs[K_CAT].bytes = WARM_SIZE;

    ColdCtx cc = {path, 0};
    run_rounds(cs, NK, COLD_RUNS, "cold", cold_evict, &cc);

    printf("\n2. Cold: the same file evicted before each run (fsync, posix_fadvise DONTNEED;\n");
    printf("   at most %" PRIu64 " pages were still cached when a run began, by cachestat),\n",
           cc.worst);
    printf("   %d rounds of the three in turn. Baseline: cat, the disk's sequential read;\n",
           COLD_RUNS);
    printf("   the bare memmem shows what the kernel's own mmap readahead gives a scan.\n");
    printf("   CPU: the child's user + sys time; faults: its minor + major page faults\n");
    printf("   (both from wait4, medians).\n\n");
    print_case_head();
    for (int i = 0; i < NK; i++)
        print_case(&cs[i]);
    uint64_t m = cs[K_MMHEX].runs ? wall_med(&cs[K_MMHEX]) : 0;
    uint64_t b = cs[K_MEMMEM].runs ? wall_med(&cs[K_MEMMEM]) : 0;
    uint64_t c = cs[K_CAT].runs ? wall_med(&cs[K_CAT]) : 0;
    printf("\n  Against the baselines (medians, wall; no target):\n");
    print_target("mmhex find, cold vs cat, cold", m, c, 0, "-");
    print_target("mmhex find, cold vs memmem, cold", m, b, 0, "-");
    print_target("memmem, cold vs cat, cold", b, c, 0, "-");
    print_target("mmhex find, cold vs memmem, cold, CPU time",
                 cs[K_MMHEX].runs ? cpu_med(&cs[K_MMHEX]) : 0,
                 cs[K_MEMMEM].runs ? cpu_med(&cs[K_MEMMEM]) : 0, 0, "-");
    for (int i = 0; i < NK; i++)
        bu_cmd_free(&cs[i].cmd);
    free(find);
    free(hex);
}

/* ---- report 3: holes ---------------------------------------------------- */

typedef struct HoleCtx {
    const char *path;
} HoleCtx;

static void read_extents(void *ctx)
{
    const HoleCtx *h = ctx;
    for (int e = 0; e < EXTENTS; e++)
        read_range(h->path, extent_off[e], EXTENT_SIZE);
}

static void evict_holes(void *ctx)
{
    const HoleCtx *h = ctx;
    evict_range(h->path, HOLE_LO, HOLE_LEN);
}

static void report_holes(const char *self, const Tools *t, const char *path, unsigned runs)
{
    bu_progress("holes: creating the sparse file ...");
    uint64_t size = make_sparse_file(path);
    bu_progress_done();
    char *absent = hex_of(ABSENT, NEEDLE_LEN, SIZE_MAX);
    char *find = bu_xasprintf("find -x %s", absent);
    char *lo = bu_xasprintf("%" PRIu64, (uint64_t)HOLE_LO);
    char *hi = bu_xasprintf("%" PRIu64, (uint64_t)(HOLE_LO + HOLE_LEN));
    const char *zeros = "00 00 00 00 00 00 00 00";

    enum { H_MMHEX, H_CORE, H_SCAN, H_ZERO, NH };
    Case cs[NH];
    memset(cs, 0, sizeof cs);
    cs[H_MMHEX].label = "mmhex -r -e 'find -x ABSENT' FILE";
    if (t->mmhex) {
        bu_cmd_add(&cs[H_MMHEX].cmd, t->mmhex);
        bu_cmd_add(&cs[H_MMHEX].cmd, "-r");
        bu_cmd_add(&cs[H_MMHEX].cmd, "-e");
        bu_cmd_add(&cs[H_MMHEX].cmd, find);
        bu_cmd_add(&cs[H_MMHEX].cmd, path);
    } else {
        cs[H_MMHEX].skip = "not run (no --mmhex)";
    }
    cs[H_MMHEX].check = CK_EXIT1;
    cs[H_MMHEX].bytes = size;

    cs[H_CORE].label = "core, whole file, holes skipped";
    case_child(&cs[H_CORE], self, "--core");
    bu_cmd_add(&cs[H_CORE].cmd, path);
    bu_cmd_add(&cs[H_CORE].cmd, "hex");
    bu_cmd_add(&cs[H_CORE].cmd, absent);
    bu_cmd_add(&cs[H_CORE].cmd, "0");
    bu_cmd_add(&cs[H_CORE].cmd, "0");
    bu_cmd_add(&cs[H_CORE].cmd, "holes");
    cs[H_CORE].check = CK_NONE;
    cs[H_CORE].bytes = size;
    cs[H_CORE].inproc = true;

    cs[H_SCAN].label = "core, 1 GiB of holes, no SEEK_DATA";
    case_child(&cs[H_SCAN], self, "--core");
    bu_cmd_add(&cs[H_SCAN].cmd, path);
    bu_cmd_add(&cs[H_SCAN].cmd, "hex");
    bu_cmd_add(&cs[H_SCAN].cmd, absent);
    bu_cmd_add(&cs[H_SCAN].cmd, lo);
    bu_cmd_add(&cs[H_SCAN].cmd, hi);
    bu_cmd_add(&cs[H_SCAN].cmd, "noholes");
    cs[H_SCAN].check = CK_NONE;
    cs[H_SCAN].bytes = HOLE_LEN;
    cs[H_SCAN].inproc = true;

    cs[H_ZERO].label = "core, 1 GiB range, zeros pattern";
    case_child(&cs[H_ZERO], self, "--core");
    bu_cmd_add(&cs[H_ZERO].cmd, path);
    bu_cmd_add(&cs[H_ZERO].cmd, "hex");
    bu_cmd_add(&cs[H_ZERO].cmd, zeros);
    bu_cmd_add(&cs[H_ZERO].cmd, lo);
    bu_cmd_add(&cs[H_ZERO].cmd, hi);
    bu_cmd_add(&cs[H_ZERO].cmd, "holes");
    cs[H_ZERO].check = CK_FOUND_AT;
    cs[H_ZERO].want = HOLE_LO;
    cs[H_ZERO].bytes = 0; /* no rate: it stops at once */
    cs[H_ZERO].inproc = true;

    HoleCtx hc = {path};
    run_rounds(cs, H_SCAN, runs, "holes", read_extents, &hc);
    run_rounds(cs + H_SCAN, 1, HOLE_RUNS, "holes, 1 GiB scan", evict_holes, &hc);
    run_rounds(cs + H_ZERO, 1, HOLE_RUNS, "holes, zeros", evict_holes, &hc);
    evict_holes(&hc); /* the zero pages the scans left */

    char *sname = size == HUGE_SIZE ? bu_xstrdup("16 TiB") : bu_xstrdup("16 TiB - 4 KiB");
    printf("\n3. Holes: a %s sparse file (%" PRIu64 " bytes) with %d x 16 MiB of\n", sname, size,
           EXTENTS);
    printf("   data at offsets");
    for (int e = 0; e < EXTENTS; e++)
        printf("%s %" PRIu64, e ? "," : "", extent_off[e]);
    printf("\n   (read in before each run), searched for the absent \"%s\"\n", ABSENT);
    printf("   (hex %s). GB/s: the file's size over the time in the first\n", absent);
    printf("   two rows (a rate of skipping), 1 GiB over it in the third.\n");
    printf("   1 GiB of holes: [%" PRIu64 ", %" PRIu64 "), evicted before each run,\n",
           (uint64_t)HOLE_LO, (uint64_t)(HOLE_LO + HOLE_LEN));
    printf("   searched as on a file system without SEEK_DATA/SEEK_HOLE (a SysOps lseek\n");
    printf("   answering EINVAL), so every zero page is faulted in and scanned. A pattern\n");
    printf("   that can match zeros (%s) is not skipped over holes either,\n", zeros);
    printf("   but it matches at the first one, so it cannot time a hole scan: the last\n");
    printf("   row shows where it stopped and what it read.\n\n");
    print_case_head();
    for (int i = 0; i < NH; i++)
        print_case(&cs[i]);
    printf("\n  Bytes read by the core (SearchProgress.bytes_read, the last run):\n");
    if (cs[H_CORE].runs)
        printf("    whole file, holes skipped:   %12" PRIu64 " (%d x (%" PRIu64
               " + %d): each extent and %d bytes before it)\n",
               cs[H_CORE].bytes_read, EXTENTS, (uint64_t)EXTENT_SIZE, NEEDLE_LEN - 1,
               NEEDLE_LEN - 1);
    if (cs[H_SCAN].runs) {
        uint64_t s = scan_med(&cs[H_SCAN]);
        double hours = s ? (double)size / gbps(HOLE_LEN, s) / 1e9 / 3600.0 : 0.0;
        printf("    1 GiB of holes, read:        %12" PRIu64
               " (at that rate, %s of holes: %.1f hours)\n",
               cs[H_SCAN].bytes_read, sname, hours);
    }
    if (cs[H_ZERO].runs)
        printf("    1 GiB range, zeros pattern:  %12" PRIu64 " (found at %" PRIu64 ")\n",
               cs[H_ZERO].bytes_read, cs[H_ZERO].off);
    for (int i = 0; i < NH; i++)
        bu_cmd_free(&cs[i].cmd);
    free(sname);
    free(lo);
    free(hi);
    free(find);
    free(absent);
    remove_file(path);
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_search [--mmhex PATH] [--runs N] DIR\n"
               "  Benchmarks the search core beside grep -F, memmem and cat on files it\n"
               "  creates in DIR (4 GiB of real data; DIR should be on the disk under test)\n"
               "  and removes. tests/bench/run.sh runs it for `make bench`.\n");
}

static int bench_main(int argc, char **argv)
{
    const char *mmhex = NULL, *dir = NULL;
    unsigned runs = DEFAULT_RUNS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mmhex") == 0 && i + 1 < argc) {
            mmhex = argv[++i];
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > 16)
                bu_die("bad --runs '%s' (1 to 16)", argv[i]);
            runs = (unsigned)v;
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
    Tools t = {NULL, NULL, NULL};
    t.mmhex = bu_exe_path(mmhex, "its rows are skipped");
    t.grep = bu_find_in_path("grep");
    t.cat = bu_find_in_path("cat");

    print_header(dir, &t, runs);

    bu_set_cleanup_owner();
    bu_catch_signals();
    char *warm = bu_xasprintf("%s/search-4g.bin", dir);
    char *huge = bu_xasprintf("%s/search-16t.bin", dir);

    long avail = bu_meminfo_kib("MemAvailable");
    if (avail >= 0 && (uint64_t)avail * KIB < WARM_SIZE + GIB)
        printf("  WARNING  MemAvailable is %ld KiB: the 4 GiB file may not stay cached\n", avail);

    bu_progress("creating the 4 GiB file ...");
    uint64_t wr_ns, sync_ns;
    make_warm_file(warm, &wr_ns, &sync_ns);
    BuPinner pin;
    uint64_t t0 = bu_now_ns();
    bu_pin_start(&pin, pin_warm, warm, warm);
    uint64_t pin_ns = bu_now_ns() - t0;
    bu_progress_done();
    printf("  setup    4 GiB written in %.1f s, fsync %.1f s; mapped and populated by the\n"
           "           helper in %.2f s\n",
           (double)wr_ns / 1e9, (double)sync_ns / 1e9, (double)pin_ns / 1e9);

    report_warm(self, &t, warm, runs);
    bu_pin_stop(&pin);
    report_cold(self, &t, warm);
    remove_file(warm);
    report_holes(self, &t, huge, runs);

    bu_remove_files();
    free(warm);
    free(huge);
    free(t.mmhex);
    free(t.grep);
    free(t.cat);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    bu_init("bench_search", OUT_MAX);
    if (argc >= 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    if (argc == 4 && strcmp(argv[1], "--memmem") == 0)
        return child_memmem(argv[2], argv[3]);
    if (argc == 8 && strcmp(argv[1], "--core") == 0)
        return child_core(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7]);
    return bench_main(argc, argv);
}
