/*
 * bench_entropy: how fast `entropy` (src/entropy.c) maps a file, beside the
 * tools that read the same bytes, measured in the same run.
 *
 * The claims: the map reads every data byte once and never a hole, so a
 * 1 TiB sparse file costs what its data costs; and counting bytes into a
 * histogram is no slower than reading them.
 *
 *  1. Sparse. A 1 TiB sparse file holding 1 GiB of data (16 extents of
 *     64 MiB spread over it) and a 1 GiB dense file of the same bytes, both
 *     warm (the page cache; a helper keeps them mapped).
 *     `mmhex -r -e 'entropy 64' SPARSE` beside `cat DENSE >/dev/null`:
 *     the price of reading that data.
 *  2. Dense. `mmhex -r -e 'entropy 64' DENSE` beside `sha256sum DENSE`.
 * Whole processes, posix_spawn to wait4, taken in turn, median of RUNS,
 * CPU time beside wall time since the machine may be shared; mmhex's
 * summary line is checked (the data bytes it read must be 1 GiB).
 *
 * Usage: bench_entropy --mmhex PATH [--runs N] [--part sparse|dense] DIR
 * makes its files in DIR (2 GiB of real data) and removes them; run.sh
 * (BENCH=entropy) makes DIR and removes it on any exit. Not a test: it
 * prints figures and fails only when it cannot measure.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "benchutil.h"

#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

#define SPARSE_SIZE TIB
#define DATA GIB                          /* data in each file */
#define EXTENTS 16                        /* of the sparse file */
#define EXTENT_SIZE (DATA / EXTENTS)      /* 64 MiB */
#define DEFAULT_RUNS 3                    /* runs per command */
#define OUT_MAX 16384                     /* child output kept */
#define SEED UINT64_C(0x656e74726f707921) /* the data: splitmix64 from here */

/* ---- the files ----------------------------------------------------------- */

/* Half random, half text-like, so the map has more than one class: the
 * first half of every 8 MiB is random, the second printable letters. */
static void fill(uint8_t *buf, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = bu_splitmix64(state);
        if (i >= n / 2)
            for (int k = 0; k < 8; k++)
                ((uint8_t *)&v)[k] = (uint8_t)('a' + ((v >> (k * 5)) & 15));
        memcpy(buf + i, &v, 8);
    }
}

typedef struct Pin {
    const char *sparse, *dense;
    const uint64_t *offs;
} Pin;

/* Keep both files' data in the page cache (mapped by the pinner). */
static bool pin_files(void *ctx)
{
    const Pin *p = ctx;
    int fd = open(p->dense, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    void *m = mmap(NULL, (size_t)DATA, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return false;
    bu_populate(m, DATA);
    fd = open(p->sparse, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    for (int e = 0; e < EXTENTS; e++) {
        m = mmap(NULL, (size_t)EXTENT_SIZE, PROT_READ, MAP_SHARED, fd, (off_t)p->offs[e]);
        if (m == MAP_FAILED)
            return false;
        bu_populate(m, EXTENT_SIZE);
    }
    close(fd);
    return true;
}

/* ---- runs ------------------------------------------------------------------ */

typedef struct Times {
    uint64_t wall[16], cpu[16];
    unsigned n;
    bool ok;
    char first[200]; /* a failed run's first line, or mmhex's summary */
} Times;

static void run_one(BuCmd *c, BuRun *r, Times *t, bool is_mmhex)
{
    bu_run(c, r);
    if (!bu_exited(r, 0)) {
        t->ok = false;
        bu_first_line(r, NULL, t->first, sizeof t->first);
        return;
    }
    if (is_mmhex) {
        const char *s = strstr(r->out, "zeros ");
        snprintf(t->first, sizeof t->first, "%.*s", s ? (int)strcspn(s, "\n") : 0, s ? s : "");
    }
    t->wall[t->n] = r->wall_ns;
    t->cpu[t->n++] = r->cpu_ns;
}

static void mmhex_cmd(BuCmd *c, const char *mmhex, const char *path)
{
    memset(c, 0, sizeof *c);
    bu_cmd_add(c, mmhex);
    bu_cmd_add(c, "-r");
    bu_cmd_add(c, "-e");
    bu_cmd_add(c, "entropy 64");
    bu_cmd_add(c, path);
}

static void tool_cmd(BuCmd *c, const char *exe, const char *path)
{
    memset(c, 0, sizeof *c);
    bu_cmd_add(c, exe);
    bu_cmd_add(c, path);
    c->devnull = true; /* cat's 1 GiB: the price of reading it, not of a pipe */
}

static void fmt_s(char *buf, size_t n, uint64_t ns)
{
    snprintf(buf, n, "%.3f", (double)ns / 1e9);
}

/* One comparison: mmhex on mpath beside tool on tpath, RUNS each in turn. */
static void compare(const char *what, const char *mmhex, const char *mpath, const char *tool,
                    const char *texe, const char *tpath, unsigned runs)
{
    Times m = {.ok = true}, t = {.ok = true};
    BuRun *r = bu_run_new();
    for (unsigned k = 0; k < runs && m.ok && t.ok; k++)
        for (int j = 0; j < 2; j++) {
            bool tl = (j + (int)k) % 2 == 1; /* alternate who goes first */
            BuCmd c;
            if (tl)
                tool_cmd(&c, texe, tpath);
            else
                mmhex_cmd(&c, mmhex, mpath);
            bu_progress("%s: run %u of %u, %s ...", what, k + 1, runs, tl ? tool : "mmhex");
            run_one(&c, r, tl ? &t : &m, !tl);
            bu_cmd_free(&c);
        }
    bu_progress_done();
    free(r);
    if (!m.ok || !t.ok) {
        printf("  %-7s FAILED: %s\n", what, !m.ok ? m.first : t.first);
        return;
    }
    uint64_t mw = bu_median(m.wall, m.n), mc = bu_median(m.cpu, m.n);
    uint64_t tw = bu_median(t.wall, t.n), tc = bu_median(t.cpu, t.n);
    char a[24], b[24], c2[24], d[24];
    fmt_s(a, sizeof a, mw);
    fmt_s(b, sizeof b, mc);
    fmt_s(c2, sizeof c2, tw);
    fmt_s(d, sizeof d, tc);
    uint64_t got = 0;
    const char *rd = strstr(m.first, "(bytes; ");
    if (rd)
        got = strtoull(rd + 8, NULL, 10);
    printf("  %-7s %9s %9s %8.2f   %-9s %9s %9s %8.2f   %7.2fx %7.2fx  %s\n", what, a, b,
           (double)DATA / GIB / ((double)mw / 1e9), tool, c2, d,
           (double)DATA / GIB / ((double)tw / 1e9), (double)mw / (double)tw,
           (double)mc / (double)tc, got == DATA ? "read 1 GiB: yes" : "READ DIFFERS");
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_entropy --mmhex PATH [--runs N] [--part sparse|dense] DIR\n"
               "  Times mmhex's entropy map of a 1 TiB sparse file holding 1 GiB of data\n"
               "  beside cat of that data, and of a 1 GiB file beside sha256sum.\n");
}

int main(int argc, char **argv)
{
    bu_init("bench_entropy", OUT_MAX);
    if (argc >= 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    static const char *const parts[2] = {"sparse", "dense"};
    BuArgs args = {.runs = DEFAULT_RUNS, .timeout = 30};
    int status;
    if (!bu_args(argc, argv, parts, usage, &args, &status))
        return status;
    char *exe = bu_exe_path(args.mmhex, "nothing to measure");
    if (!exe)
        bu_die("--mmhex PATH is needed: the program is what is measured");
    char *cat = bu_find_in_path("cat"), *sha = bu_find_in_path("sha256sum");
    if (!cat || !sha)
        bu_die("cat and sha256sum are needed");

    bu_print_machine("mmhex bench_entropy: the entropy map beside cat and sha256sum", args.dir,
                     NULL);
    printf("  tools    ");
    char *v = bu_tool_line(cat, "--version", NULL);
    bu_print_tool("cat", cat, v, false);
    free(v);
    v = bu_tool_line(sha, "--version", NULL);
    bu_print_tool("sha256sum", sha, v, true);
    free(v);
    printf("  mmhex    %s\n", exe);

    bu_set_cleanup_owner();
    bu_catch_signals();
    char *sparse = bu_xasprintf("%s/sparse.bin", args.dir);
    char *dense = bu_xasprintf("%s/dense.bin", args.dir);
    uint64_t offs[EXTENTS], zero = 0;
    for (int e = 0; e < EXTENTS; e++) /* spread over the TiB, 1 MiB aligned */
        offs[e] = (uint64_t)e * (SPARSE_SIZE / EXTENTS) + (uint64_t)e * 3 * MIB;
    bu_progress("making the files (2 GiB of data) ...");
    bu_make_data_file(sparse, SPARSE_SIZE, offs, EXTENTS, EXTENT_SIZE, fill, SEED);
    bu_make_data_file(dense, DATA, &zero, 1, DATA, fill, SEED);
    bu_progress_done();
    Pin pin = {sparse, dense, offs};
    BuPinner pn;
    bu_pin_start(&pn, pin_files, &pin, "the pinner");

    printf("\n  warm page cache; median of %u runs; ratio = mmhex / tool (below 1: mmhex "
           "faster)\n",
           args.runs);
    printf("  %-7s %9s %9s %8s   %-9s %9s %9s %8s   %8s %8s  %s\n", "file", "mmhex s", "CPU s",
           "GiB/s", "tool", "tool s", "CPU s", "GiB/s", "wall", "CPU", "check");
    if (!strcmp(args.part, "all") || !strcmp(args.part, "sparse"))
        compare("sparse", exe, sparse, "cat", cat, dense, args.runs);
    if (!strcmp(args.part, "all") || !strcmp(args.part, "dense"))
        compare("dense", exe, dense, "sha256sum", sha, dense, args.runs);
    printf("  sparse: mmhex maps the 1 TiB file (1 GiB data, %d extents); cat reads the 1 GiB "
           "dense copy into /dev/null\n",
           EXTENTS);

    bu_pin_stop(&pn);
    bu_remove_files();
    free(sparse);
    free(dense);
    free(cat);
    free(sha);
    free(exe);
    return 0;
}
