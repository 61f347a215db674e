/*
 * bench_hash: how fast `hash` (src/hash.c) sums a file, beside sha256sum,
 * b2sum, md5sum, sha1sum, sha512sum and rhash (CRC-32, CRC-32C, SHA3-256),
 * measured in the same run.
 *
 * The claims: on data, mmhex runs at the libraries' speed (zlib, ISA-L,
 * OpenSSL) reading the page cache through the mapping, no copies; over
 * holes the checksums cost O(log n) (zlib's combine, the CRC-32C shift), so
 * a 1 TiB sparse file's CRC takes milliseconds, and the digests hash zeros
 * from memory with no I/O.
 *
 *  1. Warm. A 4 GiB file of non-repeating data (splitmix64), fsynced and
 *     kept in the page cache by a helper process that holds it mapped. For
 *     each algorithm, `mmhex -r -e 'hash ALGO' FILE` and the tool that
 *     computes the same value, whole processes timed from posix_spawn to
 *     wait4, taken in turn, median of RUNS; CPU time (user + sys) beside the
 *     wall time, since the machine may be shared. Every run's value is
 *     checked against the tool's.
 *
 *  2. Holes. A 1 TiB sparse file holding 4 x 1 MiB of data. Every command
 *     runs with a time limit (--timeout, default 30 s). A tool stopped at
 *     the limit is read for how far it got (its file position in
 *     /proc/PID/fdinfo) and its time for the whole file projected from that.
 *     mmhex's checksums run to the end; its digests hash zeros at the
 *     library's speed, which the limit cuts too, so their rate is measured
 *     over a 4 GiB range of the file (`hash ALGO 0 4g`) and the whole
 *     file's time projected from it.
 *
 * Usage: bench_hash --mmhex PATH [--runs N] [--timeout S] [--part warm|holes] DIR
 * creates its files in DIR (~4 GiB of real data) and removes them; run.sh
 * (BENCH=hash) makes DIR and removes it on any exit. rhash is optional:
 * its rows say "not installed" without it (run.sh installs it as root).
 * This is not a test: it prints figures and fails only when it cannot
 * measure; a value that differs from the tool's is reported in its row.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"

#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

#define WARM_SIZE (4 * GIB)               /* the file of real data */
#define SPARSE_SIZE TIB                   /* the sparse file */
#define EXTENTS 4                         /* data extents in it */
#define EXTENT_SIZE MIB                   /* each */
#define RANGE (4 * GIB)                   /* mmhex's digests over holes: measured on this */
#define DEFAULT_RUNS 3                    /* warm runs per command */
#define DEFAULT_TIMEOUT 30                /* seconds, sparse runs */
#define OUT_MAX 8192                      /* child output kept */
#define SEED UINT64_C(0x6d6d6865782d6862) /* the data: splitmix64 from here */

static const uint64_t extent_off[EXTENTS] = {0, 300 * GIB + 5 * MIB, 700 * GIB + 77 * MIB,
                                             SPARSE_SIZE - EXTENT_SIZE};

extern char **environ;

/* An algorithm: mmhex's name and the tool computing the same value. */
typedef struct Algo {
    const char *name; /* mmhex's */
    const char *tool; /* program, NULL: none */
    const char *arg;  /* its option (rhash's --printf), or NULL */
    bool checksum;    /* O(log n) over holes */
    char *exe;        /* the tool's path, or NULL: not installed */
} Algo;

static Algo algos[] = {
    {"crc32", "rhash", "--printf=%{crc32}\\n", true, NULL},
    {"crc32c", "rhash", "--printf=%{crc32c}\\n", true, NULL},
    {"adler32", NULL, NULL, true, NULL},
    {"md5", "md5sum", NULL, false, NULL},
    {"sha1", "sha1sum", NULL, false, NULL},
    {"sha256", "sha256sum", NULL, false, NULL},
    {"sha512", "sha512sum", NULL, false, NULL},
    {"sha3-256", "rhash", "--printf=%{sha3-256}\\n", false, NULL},
    {"blake2b", "b2sum", NULL, false, NULL},
};
#define NALGO (sizeof algos / sizeof algos[0])

/* ---- the files ----------------------------------------------------------- */

static bool pin_warm(void *ctx)
{
    int fd = open(ctx, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    void *p = mmap(NULL, (size_t)WARM_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return false;
    bu_populate(p, WARM_SIZE);
    close(fd);
    return true;
}

/* ---- commands -------------------------------------------------------------- */

static void mmhex_cmd(BuCmd *c, const char *mmhex, const char *algo, const char *range,
                      const char *path)
{
    memset(c, 0, sizeof *c);
    bu_cmd_add(c, mmhex);
    bu_cmd_add(c, "-r");
    bu_cmd_add(c, "-e");
    bu_cmd_addf(c, "hash %s%s%s", algo, range ? " " : "", range ? range : "");
    bu_cmd_add(c, path);
}

static void tool_cmd(BuCmd *c, const Algo *a, const char *path)
{
    memset(c, 0, sizeof *c);
    bu_cmd_add(c, a->exe);
    if (a->arg)
        bu_cmd_add(c, a->arg);
    bu_cmd_add(c, path);
}

/* The first word of out (the value), lower case. */
static void first_word(const char *out, char *buf, size_t n)
{
    size_t k = strcspn(out, " \t\n");
    if (k >= n)
        k = n - 1;
    for (size_t i = 0; i < k; i++)
        buf[i] = (char)(out[i] >= 'A' && out[i] <= 'F' ? out[i] - 'A' + 'a' : out[i]);
    buf[k] = 0;
}

/* ---- formatting ---------------------------------------------------------- */

static void fmt_s(char *buf, size_t n, uint64_t ns)
{
    if (ns < 10000000000ull)
        snprintf(buf, n, "%.3f", (double)ns / 1e9);
    else
        snprintf(buf, n, "%.1f", (double)ns / 1e9);
}

static void fmt_rate(char *buf, size_t n, uint64_t bytes, uint64_t ns)
{
    if (!ns)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f", (double)bytes / (double)ns * 1e9 / (double)GIB);
}

/* ---- 1. warm --------------------------------------------------------------- */

static void report_warm(const char *mmhex, const char *path, unsigned runs)
{
    printf("\n1. Warm: a 4 GiB file of real data in the page cache; median of %u runs\n", runs);
    printf("  %-9s %-10s %9s %9s %8s   %-10s %9s %9s %8s   %9s %9s  %s\n", "algorithm", "mmhex",
           "wall s", "CPU s", "GiB/s", "tool", "wall s", "CPU s", "GiB/s", "tool/mmhex", "(CPU)",
           "values");
    for (size_t i = 0; i < NALGO; i++) {
        Algo *a = &algos[i];
        uint64_t mw[16], mc[16], tw[16], tc[16];
        unsigned nm = 0, nt = 0;
        bool same = true;
        char mv[160] = "", tv[160] = "", line[200];
        BuRun *r = bu_run_new();
        for (unsigned k = 0; k < runs; k++) {
            for (int j = 0; j < 2; j++) {
                bool tool = (j + (int)k) % 2 == 1; /* alternate who goes first */
                if (tool && !a->exe)
                    continue;
                BuCmd c;
                if (tool)
                    tool_cmd(&c, a, path);
                else
                    mmhex_cmd(&c, mmhex, a->name, NULL, path);
                bu_progress("warm %s: run %u of %u, %s ...", a->name, k + 1, runs,
                            tool ? a->tool : "mmhex");
                bu_run(&c, r);
                bu_cmd_free(&c);
                if (!bu_exited(r, 0)) {
                    bu_progress_done();
                    printf("  %-9s FAILED: %s\n", a->name,
                           bu_first_line(r, NULL, line, sizeof line));
                    goto next;
                }
                if (tool) {
                    first_word(r->out, tv, sizeof tv);
                    tw[nt] = r->wall_ns, tc[nt++] = r->cpu_ns;
                } else {
                    first_word(r->out, mv, sizeof mv);
                    mw[nm] = r->wall_ns, mc[nm++] = r->cpu_ns;
                }
            }
            if (a->exe && strcmp(mv, tv))
                same = false;
        }
        bu_progress_done();
        {
            char a1[24], a2[24], a3[24], b1[24], b2[24], b3[24], v1[24] = "-", v2[24] = "-";
            uint64_t mwm = bu_median(mw, nm), mcm = bu_median(mc, nm);
            fmt_s(a1, sizeof a1, mwm);
            fmt_s(a2, sizeof a2, mcm);
            fmt_rate(a3, sizeof a3, WARM_SIZE, mwm);
            if (a->exe) {
                uint64_t twm = bu_median(tw, nt), tcm = bu_median(tc, nt);
                fmt_s(b1, sizeof b1, twm);
                fmt_s(b2, sizeof b2, tcm);
                fmt_rate(b3, sizeof b3, WARM_SIZE, twm);
                snprintf(v1, sizeof v1, "%.2fx", (double)twm / (double)mwm);
                snprintf(v2, sizeof v2, "%.2fx", (double)tcm / (double)mcm);
            } else {
                snprintf(b1, sizeof b1, "-");
                snprintf(b2, sizeof b2, "-");
                snprintf(b3, sizeof b3, "-");
            }
            printf("  %-9s %-10s %9s %9s %8s   %-10s %9s %9s %8s   %9s %9s  %s\n", a->name, "hash",
                   a1, a2, a3, a->exe ? a->tool : (a->tool ? "not installed" : "(no tool)"), b1, b2,
                   b3, v1, v2,
                   !a->exe ? "-"
                   : same  ? "same"
                           : "DIFFER");
        }
    next:
        free(r);
    }
}

/* ---- 2. holes -------------------------------------------------------------- */

static void report_sparse(const char *mmhex, const char *path, const char *dir, uint64_t limit_ns)
{
    char lim[24];
    fmt_s(lim, sizeof lim, limit_ns);
    printf("\n2. Holes: a 1 TiB sparse file with %d x 1 MiB of data; limit %s s a command\n",
           EXTENTS, lim);
    printf("     (a tool stopped at the limit: its rate from its file position, the whole file "
           "projected;\n"
           "      mmhex's digests: rate over a 4 GiB range of holes, the whole file "
           "projected)\n");
    printf("  %-9s %12s %9s %10s   %-10s %12s %9s %10s   %12s  %s\n", "algorithm", "mmhex s",
           "CPU s", "GiB/s", "tool", "tool s", "CPU s", "GiB/s", "tool/mmhex", "values");
    for (size_t i = 0; i < NALGO; i++) {
        Algo *a = &algos[i];
        BuCmd c;
        BuTimed m, t;
        char mv[160] = "", tv[160] = "", range[64] = "";
        uint64_t m_bytes = SPARSE_SIZE;
        if (!a->checksum) {
            snprintf(range, sizeof range, "0 %" PRIu64, (uint64_t)RANGE);
            m_bytes = RANGE;
        }
        bu_progress("holes %s: mmhex ...", a->name);
        mmhex_cmd(&c, mmhex, a->name, range[0] ? range : NULL, path);
        bu_run_timed(&c, limit_ns, path, dir, &m);
        bu_cmd_free(&c);
        first_word(m.out, mv, sizeof mv);
        memset(&t, 0, sizeof t);
        if (a->exe) {
            bu_progress("holes %s: %s (up to %s s) ...", a->name, a->tool, lim);
            tool_cmd(&c, a, path);
            bu_run_timed(&c, limit_ns, path, dir, &t);
            bu_cmd_free(&c);
            first_word(t.out, tv, sizeof tv);
        }
        bu_progress_done();
        char m1[32], m2[24], m3[24], t1[32] = "-", t2[24] = "-", t3[24] = "-", vs[32] = "-";
        const char *values = "-";
        if (!m.done) {
            printf("  %-9s mmhex FAILED%s: %.80s\n", a->name, m.stopped ? " (stopped)" : "", m.out);
            continue;
        }
        /* mmhex's time for the whole file: measured, or projected from the range. */
        uint64_t m_whole =
            a->checksum ? m.wall_ns
                        : (uint64_t)((double)m.wall_ns * (double)SPARSE_SIZE / (double)m_bytes);
        fmt_s(m1, sizeof m1, m_whole);
        if (!a->checksum)
            snprintf(m1 + strlen(m1), sizeof m1 - strlen(m1), "*");
        fmt_s(m2, sizeof m2, m.cpu_ns);
        fmt_rate(m3, sizeof m3, m_bytes, m.wall_ns);
        uint64_t t_whole = 0;
        if (a->exe && t.done) {
            t_whole = t.wall_ns;
            fmt_s(t1, sizeof t1, t.wall_ns);
            fmt_rate(t3, sizeof t3, SPARSE_SIZE, t.wall_ns);
            values = a->checksum ? (strcmp(mv, tv) ? "DIFFER" : "same") : "-";
        } else if (a->exe && t.stopped && t.pos) {
            t_whole = (uint64_t)((double)t.wall_ns * (double)SPARSE_SIZE / (double)t.pos);
            fmt_s(t1, sizeof t1, t_whole);
            snprintf(t1 + strlen(t1), sizeof t1 - strlen(t1), "*");
            fmt_rate(t3, sizeof t3, t.pos, t.wall_ns);
            values = "(stopped)";
        } else if (a->exe) {
            snprintf(t1, sizeof t1, "failed");
        }
        if (a->exe)
            fmt_s(t2, sizeof t2, t.cpu_ns);
        if (t_whole)
            snprintf(vs, sizeof vs, t_whole >= 100 * m_whole ? "%.0fx" : "%.2fx",
                     (double)t_whole / (double)m_whole);
        printf("  %-9s %12s %9s %10s   %-10s %12s %9s %10s   %12s  %s\n", a->name, m1, m2, m3,
               a->exe ? a->tool : (a->tool ? "not installed" : "(no tool)"), t1, t2, t3, vs,
               values);
    }
    printf("  * projected for the whole 1 TiB from the part measured\n");
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_hash --mmhex PATH [--runs N] [--timeout S] [--part warm|holes] DIR\n"
               "  Times mmhex's hash beside sha256sum, b2sum, md5sum, sha1sum, sha512sum and\n"
               "  rhash on a warm 4 GiB file and a 1 TiB sparse file it makes in DIR.\n");
}

int main(int argc, char **argv)
{
    bu_init("bench_hash", OUT_MAX);
    if (argc >= 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    static const char *const parts[2] = {"warm", "holes"};
    BuArgs args = {.runs = DEFAULT_RUNS, .timeout = DEFAULT_TIMEOUT};
    int status;
    if (!bu_args(argc, argv, parts, usage, &args, &status))
        return status;
    const char *mmhex = args.mmhex, *dir = args.dir, *part = args.part;
    unsigned runs = args.runs;
    unsigned long timeout = args.timeout;
    char *exe = bu_exe_path(mmhex, "nothing to measure");
    if (!exe)
        bu_die("--mmhex PATH is needed: the program is what is measured");

    bu_print_machine("mmhex bench_hash: hash beside sha256sum, b2sum, md5sum, sha1sum, "
                     "sha512sum, rhash",
                     dir, NULL);
    printf("  tools    ");
    for (size_t i = 0; i < NALGO; i++) {
        Algo *a = &algos[i];
        if (!a->tool)
            continue;
        a->exe = bu_find_in_path(a->tool);
        bool listed = false;
        for (size_t j = 0; j < i; j++)
            listed |= algos[j].tool && !strcmp(algos[j].tool, a->tool);
        if (listed)
            continue;
        if (!a->exe) {
            printf("%s: not installed; ", a->tool);
            continue;
        }
        char *v = bu_tool_line(a->exe, "--version", NULL);
        bu_print_tool(a->tool, a->exe, v, false);
        free(v);
    }
    printf("\n  mmhex    %s\n", exe);

    bu_set_cleanup_owner();
    bu_catch_signals();
    char *warm = bu_xasprintf("%s/hash-4g.bin", dir);
    char *sparse = bu_xasprintf("%s/hash-1t.bin", dir);

    bool warm_on = strcmp(part, "holes") != 0, holes_on = strcmp(part, "warm") != 0;
    if (warm_on) {
        bu_progress("creating the 4 GiB file ...");
        uint64_t t0 = bu_now_ns();
        const uint64_t zero = 0;
        bu_make_data_file(warm, WARM_SIZE, &zero, 1, WARM_SIZE, bu_fill_random, SEED);
        uint64_t t1 = bu_now_ns();
        BuPinner pin;
        bu_pin_start(&pin, pin_warm, warm, warm);
        bu_progress_done();
        printf("  setup    4 GiB written and fsynced in %.1f s, cached by a helper in %.1f s\n",
               (double)(t1 - t0) / 1e9, (double)(bu_now_ns() - t1) / 1e9);
        report_warm(exe, warm, runs);
        bu_pin_stop(&pin);
        bu_remove_files();
    }
    if (holes_on) {
        bu_make_data_file(sparse, SPARSE_SIZE, extent_off, EXTENTS, EXTENT_SIZE, bu_fill_random,
                          SEED);
        report_sparse(exe, sparse, dir, (uint64_t)timeout * 1000000000ull);
    }

    bu_remove_files();
    free(warm);
    free(sparse);
    free(exe);
    for (size_t i = 0; i < NALGO; i++)
        free(algos[i].exe);
    return fflush(stdout) == 0 ? 0 : 1;
}
