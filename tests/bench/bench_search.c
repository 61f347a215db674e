/*
 * bench_search: how fast mmhex finds bytes, beside ripgrep, grep, ugrep, a
 * bare memmem and cat, all measured in the same run.
 *
 * The targets (issue 11): on every warm row at or below ripgrep's time
 * (mmhex/rg <= 1.0x) and at most half of grep -F's (mmhex/grep <= 0.5x);
 * a cold file searched within 1.1x of `cat FILE > /dev/null`. This program
 * measures, on files it writes:
 *
 *  1. Warm. Three 1 GiB files, written and fsynced once, then kept in the
 *     page cache by a helper process that holds them mapped and populated
 *     (DAMON reclaim takes only unmapped idle page cache; before each run
 *     the file's cached pages are counted with cachestat and any that
 *     memory pressure took anyway are faulted back):
 *       (1) random: splitmix64 output;
 *       (2) text: a generated syslog-style log (sshd, CRON, systemd, nginx,
 *           kernel and postgres lines with varied hosts, pids, users,
 *           addresses and timestamps);
 *       (3) low-entropy binary: 4 KiB records of real data, each a small
 *           header (magic, sequence number, timestamp, counters, flags), a
 *           short payload and zeros written out to the end of the record
 *           (no holes).
 *     Per file, four rows: the needle near the end (once, at about 16 MiB
 *     before the end: an 8-byte printable pattern in the binary files, the
 *     word "oom-killer" of a planted kernel line in the log), a needle
 *     absent from the file, the needle as hex with one byte in the middle
 *     as ?? (a wildcard), and the needle in the other case searched case-
 *     insensitively. Per row the tools (columns), each a whole process
 *     timed as clock_gettime around posix_spawn .. wait4, taken in turn,
 *     the order rotated every round, RUNS rounds (median shown, and the
 *     child's CPU time, user + sys, from wait4):
 *       mmhex    mmhex -r -e 'find -x HEX' FILE (wildcard: the same with
 *                ??; case-insensitive: find -t -i TEXT). The real binary
 *                (--mmhex PATH), batch mode.
 *       rg       rg -a -c -F NEEDLE FILE (wildcard: rg -a -c with the
 *                regex (?s-u)\xNN..\xNN.\xNN.. ; case-insensitive: -i -F).
 *                ripgrep maps a single file it is given (mmap) by default.
 *       rg -nm   the same with --no-mmap (read into its buffer).
 *       grep     LC_ALL=C grep -c -F NEEDLE FILE (wildcard: grep -c -E
 *                with `.` for the open byte; case-insensitive: -i -F).
 *       ugrep    ugrep -a -c -F NEEDLE FILE (wildcard: ugrep -a -c -U with
 *                `.`; case-insensitive: -i -F).
 *       memmem   a bare memmem over a plain mmap of the file (this binary,
 *                --memmem: no guard, no chunks, one thread); literal rows
 *                only ("n/a" for the wildcard and case-insensitive rows).
 *     Every run is checked: the counting tools must print 1 for a needle
 *     present (exit 0) and 0 or nothing for one absent (exit 1); mmhex must
 *     exit 0 when it finds the needle and 1 ("not found") when it does not,
 *     and where its cursor lands is checked once per row with -e dump in an
 *     untimed warm-up run; memmem must report the offset, or none. A cell
 *     with a wrong result is marked "!" and the reason printed under its
 *     table. Each row has three lines: the median wall time, the median CPU
 *     time and the fastest run, with the ratios mmhex/rg and mmhex/grep of
 *     each (the goals judged on the median wall time). Under each table:
 *     rg --no-mmap against rg, mmhex against rg --no-mmap, each tool's CPU
 *     time split into user and sys on the absent row (sys: copying from or
 *     mapping the page cache; user: matching), and memmem's in-process
 *     scan time (the rest of its wall time is mapping and
 *     faulting); after the three, how many rows met each goal and the
 *     worst ratio (also against rg --no-mmap and ugrep, without a goal).
 *
 *  2. Cold. The helper gone, the random file evicted (fsync, fadvise
 *     DONTNEED, checked with cachestat) before each run: mmhex's find of
 *     the absent needle, `cat FILE` into /dev/null (the disk's sequential
 *     read speed, the baseline) and rg -a -c -F of the same needle, in
 *     turn, rotated, RUNS rounds; the ratios mmhex/cat (the goal) and
 *     rg/cat, of the medians and of the fastest runs.
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
 * A tool that is not installed (or no --mmhex) leaves its column "-". The
 * machine may be shared: medians, the rotation and the CPU times are there
 * for that, and the load average is printed before and after each table.
 *
 * Usage: bench_search [--mmhex PATH] [--runs N] DIR
 * creates its files in DIR (on the disk under test: 3 GiB of real data)
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

#define FILE_SIZE GIB                     /* each warm file */
#define NEAR_END (16 * MIB)               /* the needle lies about this far before the end */
#define RECORD 4096                       /* the low-entropy file's record size */
#define BIN_NEEDLE "mMhXqZjK"             /* the binary files' needle: 8 printable bytes */
#define BIN_ICASE "MmHxQzJk"              /* the same, case flipped */
#define BIN_ABSENT "nOt-HeRe"             /* in neither binary file */
#define TEXT_NEEDLE "oom-killer"          /* once in the log, in a planted kernel line */
#define TEXT_ICASE "OOM-KILLER"           /* the same, case flipped */
#define TEXT_ABSENT "segfault"            /* nowhere in the log */
#define WILD_AT 3                         /* the byte of the needle the wildcard leaves open */
#define ABSENT "nOt-HeRe"                 /* the sparse file's absent pattern */
#define ABSENT_LEN 8                      /* strlen(ABSENT) */
#define HUGE_SIZE (16 * TIB)              /* the sparse file (ext4: minus 4 KiB) */
#define EXTENTS 4                         /* data extents in it */
#define EXTENT_SIZE (16 * MIB)            /* each */
#define HOLE_LO (3 * TIB)                 /* the hole-scan range: all hole */
#define HOLE_LEN GIB                      /* its length */
#define DEFAULT_RUNS 5                    /* rounds per row */
#define MAX_RUNS 16                       /* --runs at most */
#define HOLE_RUNS 3                       /* runs of the 1 GiB hole scan */
#define STEP_NS (100 * 1000000ull)        /* search_step budget (batch mode's) */
#define OUT_MAX 8192                      /* child output kept for parsing */
#define IO_BUF ((size_t)1 << 20)          /* write/read chunk */
#define SEED UINT64_C(0x6d6d6865782d6273) /* the data: splitmix64 from here */
#define GOAL_RG 1.0                       /* mmhex/rg at most */
#define GOAL_GREP 0.5                     /* mmhex/grep at most */
#define GOAL_CAT 1.1                      /* cold: mmhex/cat at most */

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

static void print_load(const char *when)
{
    char load[64] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(load, sizeof load, f))
            snprintf(load, sizeof load, "?");
        load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("   load %s: %s\n", when, load);
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

/* rg's regex for the wildcard: "(?s-u)\x6d\x4d\x68.\x71..." (bytes, `.`
 * any byte, the newline too). */
static char *rg_regex_of(const char *bytes, size_t len, size_t wild)
{
    char *s = bu_xmalloc(6 + 4 * len + 1), *p = s;
    p += sprintf(p, "(?s-u)");
    for (size_t i = 0; i < len; i++)
        p += i == wild ? sprintf(p, ".") : sprintf(p, "\\x%02x", (unsigned char)bytes[i]);
    return s;
}

/* grep -E's and ugrep's: the needle with `.` for byte `wild`. The needles
 * are letters, digits and '-', so nothing needs quoting. */
static char *dot_regex_of(const char *bytes, size_t len, size_t wild)
{
    char *s = bu_xmalloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)bytes[i];
        if (!(b >= '0' && b <= '9') && !(b >= 'a' && b <= 'z') && !(b >= 'A' && b <= 'Z') &&
            b != '-')
            bu_die("needle byte 0x%02x would need quoting in a regex", b);
        s[i] = i == wild ? '.' : (char)b;
    }
    s[len] = '\0';
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

/* A file written front to back through a buffer, cut at FILE_SIZE. */
typedef struct Writer {
    const char *path;
    int fd;
    uint8_t *buf;
    size_t fill;  /* bytes in buf */
    uint64_t pos; /* file offset of buf[fill] */
} Writer;

static void writer_open(Writer *w, const char *path)
{
    w->path = path;
    w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (w->fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    w->buf = bu_xmalloc(IO_BUF);
    w->fill = 0;
    w->pos = 0;
}

static void writer_flush(Writer *w)
{
    bu_pwrite_all(w->fd, w->buf, w->fill, w->pos - w->fill, w->path);
    w->fill = 0;
}

/* Append up to n bytes (fewer at FILE_SIZE); false once the file is full. */
static bool writer_put(Writer *w, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n && w->pos < FILE_SIZE) {
        size_t k = IO_BUF - w->fill;
        k = k < n ? k : n;
        k = (uint64_t)k < FILE_SIZE - w->pos ? k : (size_t)(FILE_SIZE - w->pos);
        memcpy(w->buf + w->fill, b, k);
        w->fill += k;
        w->pos += k;
        b += k;
        n -= k;
        if (w->fill == IO_BUF)
            writer_flush(w);
    }
    return w->pos < FILE_SIZE;
}

/* Flush, fsync, close; the time the fsync took is added to *sync_ns. */
static void writer_close(Writer *w, uint64_t *sync_ns)
{
    writer_flush(w);
    uint64_t t0 = bu_now_ns();
    if (fsync(w->fd) < 0)
        bu_die("fsync %s: %s", w->path, strerror(errno));
    *sync_ns += bu_now_ns() - t0;
    if (close(w->fd) < 0)
        bu_die("close %s: %s", w->path, strerror(errno));
    free(w->buf);
}

/* (1) random: splitmix64 output, BIN_NEEDLE at at. */
static void make_random_file(const char *path, uint64_t at, uint64_t *sync_ns)
{
    Writer w;
    writer_open(&w, path);
    uint8_t *chunk = bu_xmalloc(IO_BUF);
    uint64_t state = SEED;
    for (uint64_t off = 0; off < FILE_SIZE; off += IO_BUF) {
        fill_random(chunk, IO_BUF, &state);
        if (at >= off && at - off + strlen(BIN_NEEDLE) <= IO_BUF)
            memcpy(chunk + (at - off), BIN_NEEDLE, strlen(BIN_NEEDLE));
        writer_put(&w, chunk, IO_BUF);
    }
    free(chunk);
    writer_close(&w, sync_ns);
}

/* (2) text: log lines, varied; at the first line start past
 * FILE_SIZE - NEAR_END, one kernel line holding TEXT_NEEDLE. Nothing else
 * holds "oom", "killer" or TEXT_ABSENT in any case. Returns the needle's
 * offset. */
static uint64_t make_text_file(const char *path, uint64_t *sync_ns)
{
    static const char *const users[] = {"root",   "alice", "bob",    "deploy",   "git",
                                        "backup", "carol", "ubuntu", "postgres", "admin"};
    static const char *const paths[] = {"items", "orders", "users", "health", "metrics"};
    Writer w;
    writer_open(&w, path);
    uint64_t state = SEED ^ UINT64_C(0x7465787474657874), ms = 0, at = 0;
    char line[512], ts[40];
    bool planted = false;
    for (;;) {
        uint64_t r = splitmix64(&state), r2 = splitmix64(&state);
        ms += r % 53;
        uint64_t s = ms / 1000;
        snprintf(ts, sizeof ts, "2026-12-%02uT%02u:%02u:%02u.%03uZ", (unsigned)(5 + s / 86400),
                 (unsigned)(s / 3600 % 24), (unsigned)(s / 60 % 60), (unsigned)(s % 60),
                 (unsigned)(ms % 1000));
        unsigned host = (unsigned)(r >> 8) % 64, pid = 1000 + (unsigned)(r >> 16) % 60000;
        unsigned a = (unsigned)(r2 & 0xff), b = (unsigned)(r2 >> 8 & 0xff);
        unsigned c = (unsigned)(r2 >> 16 & 0xff), port = 1024 + (unsigned)(r2 >> 24) % 64000;
        const char *u = users[(r2 >> 40) % 10];
        unsigned n = (unsigned)(r2 >> 44) % 100000;
        int len;
        if (!planted && w.pos >= FILE_SIZE - NEAR_END) {
            len = snprintf(line, sizeof line,
                           "%s host-%02u kernel: [%u.%06u] java invoked " TEXT_NEEDLE
                           ": gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, "
                           "oom_score_adj=0\n",
                           ts, host, (unsigned)s, n);
            at = w.pos + (uint64_t)(strstr(line, TEXT_NEEDLE) - line);
            planted = true;
        } else {
            switch (r % 8) {
            case 0:
                len = snprintf(line, sizeof line,
                               "%s host-%02u sshd[%u]: Accepted publickey for %s%u from "
                               "10.%u.%u.%u port %u ssh2\n",
                               ts, host, pid, u, n % 100, a, b, c, port);
                break;
            case 1:
                len = snprintf(line, sizeof line,
                               "%s host-%02u sshd[%u]: Failed password for invalid user %s from "
                               "10.%u.%u.%u port %u ssh2\n",
                               ts, host, pid, u, a, b, c, port);
                break;
            case 2:
                len = snprintf(line, sizeof line,
                               "%s host-%02u sshd[%u]: Disconnected from authenticating user %s "
                               "10.%u.%u.%u port %u [preauth]\n",
                               ts, host, pid, u, a, b, c, port);
                break;
            case 3:
                len = snprintf(line, sizeof line,
                               "%s host-%02u CRON[%u]: pam_unix(cron:session): session opened "
                               "for user %s(uid=%u) by (uid=0)\n",
                               ts, host, pid, u, n % 2000);
                break;
            case 4:
                len = snprintf(line, sizeof line,
                               "%s host-%02u systemd[1]: Started session-%u.scope - Session %u "
                               "of User %s.\n",
                               ts, host, n, n, u);
                break;
            case 5:
                len = snprintf(line, sizeof line,
                               "%s host-%02u nginx[%u]: 10.%u.%u.%u - - \"GET /api/v1/%s/%u "
                               "HTTP/1.1\" %u %u \"-\" \"curl/8.5.0\"\n",
                               ts, host, pid, a, b, c, paths[n % 5], n, c % 7 ? 200 : 404, port);
                break;
            case 6:
                len = snprintf(line, sizeof line,
                               "%s host-%02u kernel: [%u.%06u] eth%u: Link is Up - 10Gbps/Full "
                               "- flow control rx/tx\n",
                               ts, host, (unsigned)s, n, a % 4);
                break;
            default:
                len = snprintf(line, sizeof line,
                               "%s host-%02u postgres[%u]: LOG:  checkpoint complete: wrote %u "
                               "buffers (%u.%u%%); 0 WAL file(s) added, %u removed\n",
                               ts, host, pid, n % 5000, a % 100, b % 10, c % 3);
                break;
            }
        }
        if (len < 0 || (size_t)len >= sizeof line)
            bu_die("a log line did not fit");
        if (!writer_put(&w, line, (size_t)len))
            break;
    }
    writer_close(&w, sync_ns);
    return at;
}

/* (3) low-entropy binary: RECORD-byte records, each a 36-byte header
 * ("RCD1", sequence number, timestamp in ns, four counters, flags, payload
 * length), up to 63 bytes of payload, zeros, and a 32-bit sum of the
 * record's words at its end; BIN_NEEDLE at at (in a record's zeros). */
static void make_lowent_file(const char *path, uint64_t at, uint64_t *sync_ns)
{
    Writer w;
    writer_open(&w, path);
    uint8_t rec[RECORD];
    uint64_t state = SEED ^ UINT64_C(0x6c6f77656e74726f), ns = UINT64_C(1796428800000000000);
    for (uint32_t seq = 0;; seq++) {
        memset(rec, 0, sizeof rec);
        uint64_t r = splitmix64(&state);
        ns += 1000000 + r % 4096;
        uint32_t cnt[4] = {(uint32_t)(r >> 12) % 1000, seq % 7, (uint32_t)(r >> 22) % 65536, 1};
        uint16_t flags = (uint16_t)(r >> 38 & 0x0f), plen = (uint16_t)(r >> 42) % 64;
        memcpy(rec, "RCD1", 4);
        memcpy(rec + 4, &seq, 4);
        memcpy(rec + 8, &ns, 8);
        memcpy(rec + 16, cnt, 16);
        memcpy(rec + 32, &flags, 2);
        memcpy(rec + 34, &plen, 2);
        for (unsigned i = 0; i < plen; i += 8) {
            uint64_t v = splitmix64(&state);
            memcpy(rec + 36 + i, &v, plen - i < 8 ? plen - i : 8);
        }
        if (at >= w.pos && at - w.pos + strlen(BIN_NEEDLE) <= RECORD - 4)
            memcpy(rec + (at - w.pos), BIN_NEEDLE, strlen(BIN_NEEDLE));
        uint32_t sum = 0;
        for (size_t i = 0; i + 4 < RECORD; i += 4) {
            uint32_t v;
            memcpy(&v, rec + i, 4);
            sum += v;
        }
        memcpy(rec + RECORD - 4, &sum, 4);
        if (!writer_put(&w, rec, RECORD))
            break;
    }
    writer_close(&w, sync_ns);
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
 * A forked child (bu_pin_start) that holds the warm files mapped and
 * populated until the parent stops it, so idle-page reclaim that takes only
 * unmapped page cache (DAMON pageout schemes) leaves them cached. The
 * measured processes map or read the same page-cache pages; the pinner
 * costs them nothing.
 */

typedef struct PinSet {
    const char *path[3];
    int n;
} PinSet;

/* The pinner's work: map each warm file and fault it in. */
static bool pin_warm(void *ctx)
{
    const PinSet *ps = ctx;
    for (int i = 0; i < ps->n; i++) {
        int fd = open(ps->path[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        void *p = mmap(NULL, (size_t)FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            return false;
        bu_populate(p, FILE_SIZE);
        close(fd); /* the mapping stays */
    }
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
    char *mmhex, *rg, *grep, *ugrep, *cat;
} Tools;

static void print_header(const char *dir, const Tools *t, unsigned runs)
{
    char cpu[128];
    cpu_model(cpu, sizeof cpu);
    bu_print_machine(
        "mmhex bench_search: mmhex's find beside rg, grep, ugrep, a bare memmem and cat", dir, cpu);
    char *rv = t->rg ? bu_tool_line(t->rg, "--version", "ripgrep") : NULL;
    char *gv = t->grep ? bu_tool_line(t->grep, "--version", "grep") : NULL;
    char *uv = t->ugrep ? bu_tool_line(t->ugrep, "--version", "ugrep") : NULL;
    char *cv = t->cat ? bu_tool_line(t->cat, "--version", "cat") : NULL;
#ifdef __GLIBC__
    char *libc = bu_xasprintf("glibc %s", gnu_get_libc_version());
#else
    char *libc = bu_xstrdup("the C library's");
#endif
    printf("  tools    ");
    bu_print_tool("rg", t->rg, rv, true);
    printf("           ");
    bu_print_tool("grep", t->grep, gv, true);
    printf("           ");
    bu_print_tool("ugrep", t->ugrep, uv, true);
    printf("           ");
    bu_print_tool("cat", t->cat, cv, false);
    printf("memmem: %s\n", libc);
    printf("  mmhex    %s\n",
           t->mmhex ? t->mmhex : "not given (--mmhex PATH): its column is skipped");
    printf("  runs     %u rounds per row (medians shown), the tools taken in turn, the order\n"
           "           rotated each round\n",
           runs);
    if (bu_damon_reclaims())
        printf("  NOTE     DAMON proactive reclaim is on (a 'pageout' scheme): idle unmapped\n"
               "           page cache is evicted within about a minute. A helper process keeps\n"
               "           the warm files mapped while they are measured; the sparse file's\n"
               "           data is read in before each run.\n");
    printf("\n  Commands (NEEDLE, HEX, RX and FILE per table below; grep runs with LC_ALL=C):\n"
           "    mmhex    mmhex -r -e 'find -x HEX' FILE          (wildcard: HEX with ??;\n"
           "             case-insensitive: mmhex -r -e 'find -t -i NEEDLE' FILE)\n"
           "    rg       rg -a -c -F NEEDLE FILE                 (wildcard: rg -a -c RX FILE,\n"
           "             RX = (?s-u)\\xNN..\\xNN.\\xNN..; case-insensitive: rg -a -c -i -F)\n"
           "    rg -nm   rg --no-mmap -a -c ... (the same as rg, read() instead of mmap)\n"
           "    grep     grep -c -F NEEDLE FILE                  (wildcard: grep -c -E with `.`\n"
           "             for the open byte; case-insensitive: grep -c -i -F)\n"
           "    ugrep    ugrep -a -c -F NEEDLE FILE              (wildcard: ugrep -a -c -U with\n"
           "             `.`; case-insensitive: ugrep -a -c -i -F)\n"
           "    memmem   bench_search --memmem FILE HEX (mmap, one memmem; literal rows only)\n");
    free(rv);
    free(gv);
    free(uv);
    free(cv);
    free(libc);
}

/* ---- one case, many runs ------------------------------------------------ */

typedef enum Check {
    CK_FOUND_AT, /* a bench_search child: off=want */
    CK_NONE,     /* a bench_search child: off=none */
    CK_EXIT0,    /* exit 0 (mmhex found it) */
    CK_EXIT1,    /* exit 1 and "not found" (mmhex found nothing) */
    CK_COUNT,    /* a count of want (rg, grep, ugrep -c: exit 0 if want, else 1) */
    CK_ANY0,     /* exit 0, output not looked at (cat) */
} Check;

typedef struct Case {
    const char *label; /* row name */
    BuCmd cmd;
    Check check;
    uint64_t want;    /* CK_FOUND_AT: the offset; CK_COUNT: the count */
    uint64_t bytes;   /* bytes it must go through, for GB/s */
    bool inproc;      /* the child reports scan_ns */
    const char *skip; /* why it does not run, or NULL */
    char *owned;      /* an allocated label, freed with the case */
    /* results */
    unsigned runs;
    uint64_t wall[MAX_RUNS], scan[MAX_RUNS], cpu[MAX_RUNS], faults[MAX_RUNS];
    uint64_t user[MAX_RUNS], sys[MAX_RUNS]; /* cpu split */
    uint64_t bytes_read;                    /* core children: of the last run */
    uint64_t off;   /* bench_search children: the last offset (UINT64_MAX: none) */
    unsigned wrong; /* runs that failed their check */
    char err[200];  /* the first failure */
} Case;

static void case_child(Case *c, const char *self, const char *sub)
{
    memset(&c->cmd, 0, sizeof c->cmd);
    bu_cmd_add(&c->cmd, self);
    bu_cmd_add(&c->cmd, sub);
}

/* Check a finished run of c; false (with why) if it failed. */
static bool case_check(Case *c, const BuRun *r, uint64_t *scan, char *why, size_t n)
{
    char line[160];
    switch (c->check) {
    case CK_FOUND_AT:
    case CK_NONE:
        if (!bu_exited(r, 0) || strncmp(r->out, "ok ", 3) != 0) {
            snprintf(why, n, "%s", bu_first_line(r, NULL, line, sizeof line));
            return false;
        }
        c->off = UINT64_MAX;
        bu_kv_u64(r->out, "off", &c->off);
        bu_kv_u64(r->out, "bytes_read", &c->bytes_read);
        bu_kv_u64(r->out, "scan_ns", scan);
        if (c->check == CK_FOUND_AT && c->off != c->want) {
            if (c->off == UINT64_MAX)
                snprintf(why, n, "found nothing (wanted %" PRIu64 ")", c->want);
            else
                snprintf(why, n, "found at %" PRIu64 ", wanted %" PRIu64, c->off, c->want);
            return false;
        }
        if (c->check == CK_NONE && c->off != UINT64_MAX) {
            snprintf(why, n, "found at %" PRIu64 ", wanted nothing", c->off);
            return false;
        }
        return true;
    case CK_EXIT0:
    case CK_EXIT1:
    case CK_ANY0: {
        bool ok = bu_exited(r, c->check == CK_EXIT1 ? 1 : 0);
        if (ok && c->check == CK_EXIT1 && !strstr(r->out, "not found"))
            ok = false;
        if (!ok)
            snprintf(why, n, "%s%s",
                     c->check == CK_EXIT1 && bu_exited(r, 0) ? "found (exit 0), wanted not found; "
                     : c->check == CK_EXIT0 && bu_exited(r, 1) ? "not found (exit 1); "
                                                               : "",
                     bu_first_line(r, NULL, line, sizeof line));
        return ok;
    }
    case CK_COUNT: {
        /* rg prints nothing when it counts 0; grep and ugrep print 0. */
        char *end;
        unsigned long long v = strtoull(r->out, &end, 10);
        bool number = end != r->out && (*end == '\n' || *end == '\0');
        bool ok =
            bu_exited(r, c->want ? 0 : 1) && (number ? v == c->want : c->want == 0 && r->len == 0);
        if (!ok)
            snprintf(why, n, "count %s (wanted %" PRIu64 ")",
                     r->len ? bu_first_line(r, NULL, line, sizeof line) : "(none)", c->want);
        return ok;
    }
    }
    return false;
}

/* Run c once and record it (its time whatever the result: a wrong result
 * is counted and its first reason kept). */
static void case_run(Case *c)
{
    if (c->skip)
        return;
    BuRun *r = bu_run_new();
    bu_run(&c->cmd, r);
    uint64_t scan = 0;
    char why[200];
    if (!case_check(c, r, &scan, why, sizeof why)) {
        c->wrong++;
        if (!c->err[0])
            snprintf(c->err, sizeof c->err, "%s", why);
    }
    if (c->runs < MAX_RUNS) {
        c->wall[c->runs] = r->wall_ns;
        c->cpu[c->runs] = r->cpu_ns;
        c->user[c->runs] = r->user_ns;
        c->sys[c->runs] = r->sys_ns;
        c->faults[c->runs] = r->faults;
        c->scan[c->runs] = scan;
        c->runs++;
    }
    free(r);
}

/* The cases in turn, rounds times, starting one later each round, each run
 * preceded by before(ctx) if given. */
static void run_rounds(Case *cs, size_t n, unsigned rounds, const char *what,
                       void (*before)(void *), void *ctx)
{
    for (unsigned k = 0; k < rounds; k++) {
        for (size_t j = 0; j < n; j++) {
            Case *c = &cs[(j + k) % n];
            if (c->skip)
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
    return c->runs ? bu_median_of(c->wall, c->runs) : 0;
}

static uint64_t cpu_med(const Case *c)
{
    return c->runs ? bu_median_of(c->cpu, c->runs) : 0;
}

static uint64_t scan_med(const Case *c)
{
    return c->inproc && c->runs ? bu_median_of(c->scan, c->runs) : 0;
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
    bu_fmt_ms(cp, sizeof cp, cpu_med(c));
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
    if (c->wrong)
        printf("  %-38s   WRONG in %u of %u runs: %s\n", "", c->wrong, c->runs, c->err);
}

/* Before each run: the pinner keeps DAMON off the files, but memory
 * pressure from other work can still reclaim some of them; fault back what
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
        void *p = mmap(NULL, (size_t)FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            bu_die("mmap %s: %s", w->path, strerror(errno));
        bu_populate(p, FILE_SIZE);
        munmap(p, (size_t)FILE_SIZE);
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

/* ---- report 1: warm ----------------------------------------------------- */

enum { F_RANDOM, F_TEXT, F_LOWENT, NFILE };                       /* the warm files */
enum { R_NEAR, R_ABSENT, R_WILD, R_ICASE, NROW };                 /* the rows */
enum { T_MMHEX, T_RG, T_RGNM, T_GREP, T_UGREP, T_MEMMEM, NTOOL }; /* the columns */

static const char *const row_name[NROW] = {"near end", "absent", "wildcard", "icase"};
static const char *const tool_name[NTOOL] = {"mmhex", "rg", "rg -nm", "grep", "ugrep", "memmem"};

typedef struct WarmFile {
    const char *name; /* "random", ... */
    const char *what; /* what is in it */
    char *path;
    const char *needle, *icase, *absent;
    uint64_t at; /* the needle's offset, its only one */
    Case cs[NROW][NTOOL];
    char landed[NROW][160]; /* mmhex's cursor was wrong (-e dump): why */
    WarmCtx wc;
} WarmFile;

/* "t/base" as "0.85x"; "-" when either is missing. */
static void fmt_ratio(char *buf, size_t n, uint64_t t, uint64_t base)
{
    if (!t || !base)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2fx", (double)t / (double)base);
}

/* The ratio and whether it meets goal (t <= base * goal). */
static void fmt_goal(char *buf, size_t n, uint64_t t, uint64_t base, double goal)
{
    if (!t || !base)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2fx %s", (double)t / (double)base,
                 (double)t <= (double)base * goal ? "met" : "MISSED");
}

static bool case_bad(const WarmFile *f, int r, int t)
{
    return f->cs[r][t].wrong || (t == T_MMHEX && f->landed[r][0]);
}

/* Build the commands of every cell of f. */
static void warm_cases(WarmFile *f, const char *self, const Tools *t, char **cenv)
{
    size_t nl = strlen(f->needle);
    memset(f->cs, 0, sizeof f->cs);
    for (int r = 0; r < NROW; r++) {
        const char *lit = r == R_ABSENT ? f->absent : r == R_ICASE ? f->icase : f->needle;
        size_t ll = strlen(lit);
        char *hex = hex_of(lit, ll, r == R_WILD ? WILD_AT : SIZE_MAX);
        char *rx = rg_regex_of(f->needle, nl, WILD_AT);
        char *dot = dot_regex_of(f->needle, nl, WILD_AT);
        uint64_t count = r == R_ABSENT ? 0 : 1;
        for (int k = 0; k < NTOOL; k++) {
            Case *c = &f->cs[r][k];
            c->label = c->owned = bu_xasprintf("%s, %s, %s", f->name, row_name[r], tool_name[k]);
            c->check = CK_COUNT;
            c->want = count;
            c->bytes = FILE_SIZE;
        }
        Case *c = &f->cs[r][T_MMHEX];
        if (t->mmhex) {
            bu_cmd_add(&c->cmd, t->mmhex);
            bu_cmd_add(&c->cmd, "-r");
            bu_cmd_add(&c->cmd, "-e");
            if (r == R_ICASE)
                bu_cmd_addf(&c->cmd, "find -t -i %s", lit);
            else
                bu_cmd_addf(&c->cmd, "find -x %s", hex);
            bu_cmd_add(&c->cmd, f->path);
        } else {
            c->skip = "-";
        }
        c->check = r == R_ABSENT ? CK_EXIT1 : CK_EXIT0;
        c->bytes = r == R_ABSENT ? FILE_SIZE : f->at + nl;

        for (int k = T_RG; k <= T_RGNM; k++) {
            c = &f->cs[r][k];
            if (!t->rg) {
                c->skip = "-";
                continue;
            }
            bu_cmd_add(&c->cmd, t->rg);
            if (k == T_RGNM)
                bu_cmd_add(&c->cmd, "--no-mmap");
            bu_cmd_add(&c->cmd, "-a");
            bu_cmd_add(&c->cmd, "-c");
            if (r == R_ICASE)
                bu_cmd_add(&c->cmd, "-i");
            if (r != R_WILD)
                bu_cmd_add(&c->cmd, "-F");
            bu_cmd_add(&c->cmd, r == R_WILD ? rx : lit);
            bu_cmd_add(&c->cmd, f->path);
        }

        c = &f->cs[r][T_GREP];
        if (t->grep) {
            bu_cmd_add(&c->cmd, t->grep);
            bu_cmd_add(&c->cmd, "-c");
            if (r == R_ICASE)
                bu_cmd_add(&c->cmd, "-i");
            bu_cmd_add(&c->cmd, r == R_WILD ? "-E" : "-F");
            bu_cmd_add(&c->cmd, r == R_WILD ? dot : lit);
            bu_cmd_add(&c->cmd, f->path);
            c->cmd.envp = cenv;
        } else {
            c->skip = "-";
        }

        c = &f->cs[r][T_UGREP];
        if (t->ugrep) {
            bu_cmd_add(&c->cmd, t->ugrep);
            bu_cmd_add(&c->cmd, "-a");
            bu_cmd_add(&c->cmd, "-c");
            if (r == R_ICASE)
                bu_cmd_add(&c->cmd, "-i");
            bu_cmd_add(&c->cmd, r == R_WILD ? "-U" : "-F");
            bu_cmd_add(&c->cmd, r == R_WILD ? dot : lit);
            bu_cmd_add(&c->cmd, f->path);
        } else {
            c->skip = "-";
        }

        c = &f->cs[r][T_MEMMEM];
        if (r == R_NEAR || r == R_ABSENT) {
            case_child(c, self, "--memmem");
            bu_cmd_add(&c->cmd, f->path);
            bu_cmd_add(&c->cmd, hex);
            c->check = r == R_NEAR ? CK_FOUND_AT : CK_NONE;
            c->want = f->at;
            c->bytes = r == R_NEAR ? f->at + nl : FILE_SIZE;
            c->inproc = true;
        } else {
            c->skip = "n/a";
        }
        free(dot);
        free(rx);
        free(hex);
    }
}

/* Measure every row of f: the mmhex cursor checks, then the rounds. */
static void warm_measure(WarmFile *f, const Tools *t, unsigned runs)
{
    f->wc = (WarmCtx){f->path, 0, UINT64_MAX, 0, UINT64_MAX};
    for (int r = 0; r < NROW; r++) {
        f->landed[r][0] = '\0';
        const Case *m = &f->cs[r][T_MMHEX];
        if (t->mmhex && r != R_ABSENT) {
            bu_progress("warm, %s: checking where mmhex's find lands ...", f->name);
            warm_topup(&f->wc);
            uint64_t at = 0;
            if (!mmhex_found_at(t->mmhex, m->cmd.argv[3], f->path, &at))
                snprintf(f->landed[r], sizeof f->landed[r],
                         "-e dump after the find gave no offset");
            else if (at != f->at)
                snprintf(f->landed[r], sizeof f->landed[r],
                         "the cursor landed at %" PRIu64 ", not %" PRIu64 " (-e dump)", at, f->at);
        }
        char *what = bu_xasprintf("warm, %s, %s", f->name, row_name[r]);
        run_rounds(f->cs[r], NTOOL, runs, what, warm_topup, &f->wc);
        free(what);
    }
}

static uint64_t wall_min(const Case *c)
{
    return c->runs ? bu_minimum(c->wall, c->runs) : 0;
}

/* The table's three lines per row: the figure each gives a case. */
static uint64_t (*const line_of[3])(const Case *) = {wall_med, cpu_med, wall_min};
static const char *const line_name[3] = {"wall", "CPU", "min"};

static void print_cell(const WarmFile *f, int r, int k, int line)
{
    const Case *c = &f->cs[r][k];
    char ms[24], cell[32];
    if (c->skip) {
        snprintf(cell, sizeof cell, "%s", c->skip);
    } else if (!c->runs) {
        snprintf(cell, sizeof cell, "FAILED");
    } else {
        bu_fmt_ms(ms, sizeof ms, line_of[line](c));
        snprintf(cell, sizeof cell, "%s%s", ms, case_bad(f, r, k) ? "!" : "");
    }
    printf(" %8s", cell);
}

static void print_warm(const WarmFile *f, int num, unsigned runs, const char *load_before)
{
    size_t nl = strlen(f->needle);
    char *hex = hex_of(f->needle, nl, SIZE_MAX);
    char *wild = hex_of(f->needle, nl, WILD_AT);
    char *rx = rg_regex_of(f->needle, nl, WILD_AT);
    char *dot = dot_regex_of(f->needle, nl, WILD_AT);
    printf("\n1%c. Warm, %s: %s\n", 'a' + num, f->name, f->what);
    printf("   FILE %s (%" PRIu64 " bytes, all of it in the page cache)\n", f->path,
           (uint64_t)FILE_SIZE);
    printf("   near end: NEEDLE \"%s\" at %" PRIu64 " (%.1f MiB before the end, its only\n"
           "     place), HEX %s\n",
           f->needle, f->at, (double)(FILE_SIZE - f->at) / (double)MIB, hex);
    printf("   absent:   NEEDLE \"%s\" (nowhere in the file)\n", f->absent);
    printf("   wildcard: HEX %s, RX %s, grep/ugrep %s\n", wild, rx, dot);
    printf("   icase:    NEEDLE \"%s\" (mmhex: find -t -i; matches \"%s\")\n", f->icase, f->needle);
    printf("   Page cache before each run (cachestat): at least %" PRIu64 " of %" PRIu64
           " pages cached",
           f->wc.shortest, f->wc.pages);
    if (f->wc.topups)
        printf(";\n   %u runs found pages reclaimed (down to %" PRIu64 ") and faulted them back "
               "first",
               f->wc.topups, f->wc.least);
    printf(".\n   load before: %s\n", load_before);
    print_load("after ");
    printf("\n  ms, medians of %-2u", runs);
    for (int k = 0; k < NTOOL; k++)
        printf(" %8s", tool_name[k]);
    printf("  %-13s %s\n", "mmhex/rg", "mmhex/grep");
    for (int r = 0; r < NROW; r++) {
        for (int line = 0; line < 3; line++) {
            printf("  %-10s %-6s", line ? "" : row_name[r], line_name[line]);
            for (int k = 0; k < NTOOL; k++)
                print_cell(f, r, k, line);
            uint64_t (*fig)(const Case *) = line_of[line];
            const Case *m = &f->cs[r][T_MMHEX];
            uint64_t mv = m->skip ? 0 : fig(m);
            uint64_t rv = f->cs[r][T_RG].skip ? 0 : fig(&f->cs[r][T_RG]);
            uint64_t gv = f->cs[r][T_GREP].skip ? 0 : fig(&f->cs[r][T_GREP]);
            char a[32], b[32];
            if (line) {
                fmt_ratio(a, sizeof a, mv, rv);
                fmt_ratio(b, sizeof b, mv, gv);
            } else {
                fmt_goal(a, sizeof a, mv, rv, GOAL_RG);
                fmt_goal(b, sizeof b, mv, gv, GOAL_GREP);
            }
            printf("  %-13s %s\n", a, b);
        }
    }
    /* What went wrong, cell by cell. */
    for (int r = 0; r < NROW; r++) {
        for (int k = 0; k < NTOOL; k++) {
            const Case *c = &f->cs[r][k];
            if (c->wrong)
                printf("  ! %s, %s: WRONG in %u of %u runs: %s\n", tool_name[k], row_name[r],
                       c->wrong, c->runs, c->err);
            if (k == T_MMHEX && f->landed[r][0])
                printf("  ! mmhex, %s: %s\n", row_name[r], f->landed[r]);
        }
    }
    printf("  wall: the median of the whole-process times, the goals judged on it (mmhex/rg\n"
           "  <= %.1fx, mmhex/grep <= %.1fx); CPU: the median user + sys time (mmhex and rg may\n"
           "  use several threads); min: the fastest run (the least disturbed by other work)\n",
           GOAL_RG, GOAL_GREP);
    printf("  rg --no-mmap / rg (wall):");
    for (int r = 0; r < NROW; r++) {
        char a[32];
        fmt_ratio(a, sizeof a, f->cs[r][T_RGNM].skip ? 0 : wall_med(&f->cs[r][T_RGNM]),
                  f->cs[r][T_RG].skip ? 0 : wall_med(&f->cs[r][T_RG]));
        printf(" %s %s%s", row_name[r], a, r + 1 < NROW ? "," : "\n");
    }
    printf("  mmhex / rg --no-mmap (wall):");
    for (int r = 0; r < NROW; r++) {
        char a[32];
        fmt_ratio(a, sizeof a, f->cs[r][T_MMHEX].skip ? 0 : wall_med(&f->cs[r][T_MMHEX]),
                  f->cs[r][T_RGNM].skip ? 0 : wall_med(&f->cs[r][T_RGNM]));
        printf(" %s %s%s", row_name[r], a, r + 1 < NROW ? "," : "\n");
    }
    printf("  CPU split, absent row (medians, ms user + sys):");
    for (int k = 0; k < NTOOL; k++) {
        const Case *c = &f->cs[R_ABSENT][k];
        if (c->skip || !c->runs)
            continue;
        char u[24], y[24];
        bu_fmt_ms(u, sizeof u, bu_median_of(c->user, c->runs));
        bu_fmt_ms(y, sizeof y, bu_median_of(c->sys, c->runs));
        printf("%s %s %s + %s",
               k == T_MMHEX  ? "\n   "
               : k == T_GREP ? ",\n   "
                             : ",",
               tool_name[k], u, y);
    }
    printf("\n");
    printf("  memmem's in-process scan (its mmap before, exit after not counted):");
    for (int r = R_NEAR; r <= R_ABSENT; r++) {
        char a[24];
        bu_fmt_ms(a, sizeof a, scan_med(&f->cs[r][T_MEMMEM]));
        printf(" %s %s ms%s", row_name[r], a, r == R_NEAR ? "," : "\n");
    }
    free(dot);
    free(rx);
    free(wild);
    free(hex);
}

/* mmhex/tool (wall) over every warm row of the files: rows measured, rows
 * at or below goal, the worst ratio. */
static void ratio_over(const WarmFile *fs, int n, int tool, double goal, const char *what)
{
    unsigned rows = 0, met = 0;
    double worst = 0;
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < NROW; r++) {
            const Case *m = &fs[i].cs[r][T_MMHEX], *o = &fs[i].cs[r][tool];
            if (m->skip || !m->runs || o->skip || !o->runs)
                continue;
            double q = (double)wall_med(m) / (double)wall_med(o);
            rows++;
            met += q <= goal;
            worst = q > worst ? q : worst;
        }
    }
    printf("    mmhex/%-8s <= %.1fx on %2u of %2u rows (worst %.2fx)%s\n", tool_name[tool], goal,
           met, rows, worst, what);
}

/* The targets over every warm row. */
static void print_warm_summary(const WarmFile *fs, int n)
{
    unsigned wrong = 0;
    for (int i = 0; i < n; i++)
        for (int r = 0; r < NROW; r++)
            for (int k = 0; k < NTOOL; k++)
                wrong += case_bad(&fs[i], r, k);
    printf("\n  Warm, all files (wall medians):\n");
    ratio_over(fs, n, T_RG, GOAL_RG, " (the goal)");
    ratio_over(fs, n, T_GREP, GOAL_GREP, " (the goal)");
    ratio_over(fs, n, T_RGNM, GOAL_RG, " (no goal: rg without mmap)");
    ratio_over(fs, n, T_UGREP, GOAL_RG, " (no goal)");
    printf("    cells with a wrong result: %u\n", wrong);
}

static void free_warm(WarmFile *f)
{
    for (int r = 0; r < NROW; r++) {
        for (int k = 0; k < NTOOL; k++) {
            free(f->cs[r][k].owned);
            bu_cmd_free(&f->cs[r][k].cmd);
        }
    }
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

static void report_cold(const Tools *t, const WarmFile *f, unsigned runs)
{
    char *hex = hex_of(f->absent, strlen(f->absent), SIZE_MAX);
    enum { K_MMHEX, K_CAT, K_RG, NK };
    Case cs[NK];
    memset(cs, 0, sizeof cs);
    cs[K_MMHEX].label = "mmhex -r -e 'find -x ABSENT' FILE";
    if (t->mmhex) {
        bu_cmd_add(&cs[K_MMHEX].cmd, t->mmhex);
        bu_cmd_add(&cs[K_MMHEX].cmd, "-r");
        bu_cmd_add(&cs[K_MMHEX].cmd, "-e");
        bu_cmd_addf(&cs[K_MMHEX].cmd, "find -x %s", hex);
        bu_cmd_add(&cs[K_MMHEX].cmd, f->path);
    } else {
        cs[K_MMHEX].skip = "not run (no --mmhex)";
    }
    cs[K_MMHEX].check = CK_EXIT1;
    cs[K_MMHEX].bytes = FILE_SIZE;
    cs[K_CAT].label = "cat FILE > /dev/null";
    if (t->cat) {
        bu_cmd_add(&cs[K_CAT].cmd, t->cat);
        bu_cmd_add(&cs[K_CAT].cmd, f->path);
        cs[K_CAT].cmd.devnull = true;
    } else {
        cs[K_CAT].skip = "not installed";
    }
    cs[K_CAT].check = CK_ANY0;
    cs[K_CAT].bytes = FILE_SIZE;
    cs[K_RG].label = "rg -a -c -F ABSENT FILE";
    if (t->rg) {
        bu_cmd_add(&cs[K_RG].cmd, t->rg);
        bu_cmd_add(&cs[K_RG].cmd, "-a");
        bu_cmd_add(&cs[K_RG].cmd, "-c");
        bu_cmd_add(&cs[K_RG].cmd, "-F");
        bu_cmd_add(&cs[K_RG].cmd, f->absent);
        bu_cmd_add(&cs[K_RG].cmd, f->path);
    } else {
        cs[K_RG].skip = "not installed";
    }
    cs[K_RG].check = CK_COUNT;
    cs[K_RG].want = 0;
    cs[K_RG].bytes = FILE_SIZE;

    char load[64] = "?";
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (!fgets(load, sizeof load, lf))
            snprintf(load, sizeof load, "?");
        load[strcspn(load, "\n")] = '\0';
        fclose(lf);
    }
    ColdCtx cc = {f->path, 0};
    run_rounds(cs, NK, runs, "cold", cold_evict, &cc);

    printf("\n2. Cold: the %s file (%s) evicted before each run (fsync,\n", f->name, f->path);
    printf("   posix_fadvise DONTNEED; at most %" PRIu64 " pages were still cached when a run\n",
           cc.worst);
    printf("   began, by cachestat), searched for the absent \"%s\" (hex %s);\n", f->absent, hex);
    printf("   %u rounds of the three in turn, rotated. Baseline: cat, the disk's sequential\n",
           runs);
    printf("   read. CPU: the child's user + sys time; faults: its minor + major page faults\n");
    printf("   (both from wait4, medians).\n");
    printf("   load before: %s\n", load);
    print_load("after ");
    putchar('\n');
    print_case_head();
    for (int i = 0; i < NK; i++)
        print_case(&cs[i]);
    char a[32], b[32];
    uint64_t c = cs[K_CAT].skip ? 0 : wall_med(&cs[K_CAT]);
    fmt_goal(a, sizeof a, cs[K_MMHEX].skip ? 0 : wall_med(&cs[K_MMHEX]), c, GOAL_CAT);
    fmt_ratio(b, sizeof b, cs[K_RG].skip ? 0 : wall_med(&cs[K_RG]), c);
    printf("\n  mmhex/cat (wall): %s (goal <= %.1fx); rg/cat: %s\n", a, GOAL_CAT, b);
    uint64_t cm = cs[K_CAT].skip ? 0 : wall_min(&cs[K_CAT]);
    fmt_ratio(a, sizeof a, cs[K_MMHEX].skip ? 0 : wall_min(&cs[K_MMHEX]), cm);
    fmt_ratio(b, sizeof b, cs[K_RG].skip ? 0 : wall_min(&cs[K_RG]), cm);
    printf("  the fastest runs: mmhex/cat %s, rg/cat %s\n", a, b);
    for (int i = 0; i < NK; i++)
        bu_cmd_free(&cs[i].cmd);
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
    char *absent = hex_of(ABSENT, ABSENT_LEN, SIZE_MAX);
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
               cs[H_CORE].bytes_read, EXTENTS, (uint64_t)EXTENT_SIZE, ABSENT_LEN - 1,
               ABSENT_LEN - 1);
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
    fprintf(f,
            "usage: bench_search [--mmhex PATH] [--runs N] DIR\n"
            "  Benchmarks mmhex's find beside rg, grep, ugrep, memmem and cat on files it\n"
            "  creates in DIR (3 GiB of real data; DIR should be on the disk under test)\n"
            "  and removes. N rounds per row (default %d, at most %d). tests/bench/run.sh\n"
            "  runs it for `make bench`.\n",
            DEFAULT_RUNS, MAX_RUNS);
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
            if (*end || v == 0 || v > MAX_RUNS)
                bu_die("bad --runs '%s' (1 to %d)", argv[i], MAX_RUNS);
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
    Tools t = {NULL, NULL, NULL, NULL, NULL};
    t.mmhex = bu_exe_path(mmhex, "its column is skipped");
    t.rg = bu_find_in_path("rg");
    t.grep = bu_find_in_path("grep");
    t.ugrep = bu_find_in_path("ugrep");
    t.cat = bu_find_in_path("cat");

    print_header(dir, &t, runs);

    bu_set_cleanup_owner();
    bu_catch_signals();
    WarmFile fs[NFILE] = {
        {.name = "random",
         .what = "1 GiB of splitmix64 output",
         .needle = BIN_NEEDLE,
         .icase = BIN_ICASE,
         .absent = BIN_ABSENT},
        {.name = "text",
         .what = "a 1 GiB syslog-style log (sshd, CRON, systemd, nginx, kernel, postgres lines)",
         .needle = TEXT_NEEDLE,
         .icase = TEXT_ICASE,
         .absent = TEXT_ABSENT},
        {.name = "low-entropy",
         .what = "1 GiB of 4 KiB records (a 36-byte header, up to 63 bytes of payload,\n"
                 "   zeros written out, a 4-byte sum at the end)",
         .needle = BIN_NEEDLE,
         .icase = BIN_ICASE,
         .absent = BIN_ABSENT},
    };
    fs[F_RANDOM].path = bu_xasprintf("%s/search-random.bin", dir);
    fs[F_TEXT].path = bu_xasprintf("%s/search-text.log", dir);
    fs[F_LOWENT].path = bu_xasprintf("%s/search-lowent.bin", dir);
    char *huge = bu_xasprintf("%s/search-16t.bin", dir);

    long avail = bu_meminfo_kib("MemAvailable");
    if (avail >= 0 && (uint64_t)avail * KIB < NFILE * FILE_SIZE + GIB)
        printf("  WARNING  MemAvailable is %ld KiB: the three 1 GiB files may not stay cached\n",
               avail);

    bu_progress("creating the three 1 GiB files ...");
    uint64_t sync_ns = 0, t0 = bu_now_ns();
    fs[F_RANDOM].at = FILE_SIZE - NEAR_END;
    make_random_file(fs[F_RANDOM].path, fs[F_RANDOM].at, &sync_ns);
    fs[F_TEXT].at = make_text_file(fs[F_TEXT].path, &sync_ns);
    fs[F_LOWENT].at = FILE_SIZE - NEAR_END + 512; /* in a record's zeros */
    make_lowent_file(fs[F_LOWENT].path, fs[F_LOWENT].at, &sync_ns);
    uint64_t wr_ns = bu_now_ns() - t0 - sync_ns;
    PinSet ps = {{fs[F_RANDOM].path, fs[F_TEXT].path, fs[F_LOWENT].path}, NFILE};
    BuPinner pin;
    t0 = bu_now_ns();
    bu_pin_start(&pin, pin_warm, &ps, "the warm files");
    uint64_t pin_ns = bu_now_ns() - t0;
    bu_progress_done();
    printf("\n  setup    3 x 1 GiB generated and written in %.1f s, fsync %.1f s; mapped and\n"
           "           populated by the helper in %.2f s\n",
           (double)wr_ns / 1e9, (double)sync_ns / 1e9, (double)pin_ns / 1e9);

    char **cenv = c_locale_env();
    for (int i = 0; i < NFILE; i++) {
        char load[64] = "?";
        FILE *lf = fopen("/proc/loadavg", "r");
        if (lf) {
            if (!fgets(load, sizeof load, lf))
                snprintf(load, sizeof load, "?");
            load[strcspn(load, "\n")] = '\0';
            fclose(lf);
        }
        warm_cases(&fs[i], self, &t, cenv);
        warm_measure(&fs[i], &t, runs);
        print_warm(&fs[i], i, runs, load);
    }
    print_warm_summary(fs, NFILE);
    bu_pin_stop(&pin);
    remove_file(fs[F_TEXT].path);
    remove_file(fs[F_LOWENT].path);

    report_cold(&t, &fs[F_RANDOM], runs);
    remove_file(fs[F_RANDOM].path);
    report_holes(self, &t, huge, runs);

    bu_remove_files();
    for (int i = 0; i < NFILE; i++) {
        free_warm(&fs[i]);
        free(fs[i].path);
    }
    free(cenv);
    free(huge);
    free(t.mmhex);
    free(t.rg);
    free(t.grep);
    free(t.ugrep);
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
