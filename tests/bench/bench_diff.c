/*
 * bench_diff: how fast `mmhex --cmp` (src/diff.c) compares two files,
 * beside cmp(1), measured in the same run.
 *
 * The claims: over holes nothing is read, so two sparse images compare in
 * the time it takes to read the data they hold; on data, every CPU reads
 * (pread) and compares at memory speed.
 *
 *  1. Sparse. Two 1 TiB sparse files holding the same 1 GiB of data in 64
 *     islands of 16 MiB (one every 16 GiB, the first 8 GiB in), but for
 *     1,000 single bytes of the second. `mmhex --cmp A B`, median of RUNS
 *     (the islands are cached by the first run); its output is checked (1,000
 *     ranges). cmp runs with a time limit (--timeout, default 10 s): its
 *     rate is its file position (or its first difference's offset, if it
 *     ends by itself) over its time, and its time for the whole 1 TiB is
 *     projected from that rate.
 *  2. Dense. Two 1 GiB files of non-repeating data, kept in the page cache
 *     by a helper that holds them mapped: the second differs in 1,000
 *     scattered bytes; a third differs from the first only in its last
 *     byte (cmp reads it all). `mmhex --cmp` against `cmp` (last byte),
 *     `mmhex --cmp -l` against `cmp -l` (1,000 bytes), medians of RUNS,
 *     taken in turn; outputs checked against each other.
 *
 * Every command writes to a file, never /dev/null: GNU cmp stops at the
 * first difference when its output is /dev/null.
 *
 * Usage: bench_diff --mmhex PATH [--runs N] [--timeout S] [--part sparse|dense] DIR
 * creates its files in DIR (~5 GiB of real data) and removes them; run.sh
 * (BENCH=diff) makes DIR and removes it on any exit. Not a test: it prints
 * figures and fails only when it cannot measure.
 *
 * run_timed and fd_pos are bench_hash.c's, copied (static there).
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"

#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

#define SPARSE_SIZE TIB                   /* each sparse file */
#define ISLANDS 64                        /* data islands in it */
#define ISLAND (16 * MIB)                 /* each */
#define DENSE_SIZE GIB                    /* each dense file */
#define NDIFF 1000                        /* single bytes changed */
#define DEFAULT_RUNS 5                    /* runs per command */
#define DEFAULT_TIMEOUT 10                /* seconds, cmp on the sparse pair */
#define OUT_MAX 8192                      /* child output kept by bu_run */
#define IO_BUF ((size_t)8 << 20)          /* write chunk */
#define SEED UINT64_C(0x6d6d6865782d6466) /* the data: splitmix64 from here */

extern char **environ;

/* The offset of difference k in a file of size bytes: one per size/NDIFF
 * slot, never adjacent, so each is its own range. */
static uint64_t diff_at(uint64_t k, uint64_t size, uint64_t *state)
{
    uint64_t slot = size / NDIFF;
    return k * slot + 1 + bu_splitmix64(state) % (slot - 2);
}

static void flip(int fd, uint64_t off, const char *path)
{
    uint8_t b;
    if (pread(fd, &b, 1, (off_t)off) != 1)
        bu_die("read %s: %s", path, strerror(errno));
    b ^= 0xff;
    bu_pwrite_all(fd, &b, 1, off, path);
}

static int create(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    return fd;
}

/* A command of up to five words (NULL ends it). */
static BuCmd cmd(const char *w0, const char *w1, const char *w2, const char *w3, const char *w4)
{
    BuCmd c;
    memset(&c, 0, sizeof c);
    const char *w[] = {w0, w1, w2, w3, w4};
    for (int i = 0; i < 5 && w[i]; i++)
        bu_cmd_add(&c, w[i]);
    return c;
}

static int exit_code(const BuTimed *t)
{
    return WIFEXITED(t->status) ? WEXITSTATUS(t->status) : -1;
}

static void fmt_s(char *buf, size_t n, uint64_t ns)
{
    if (ns < 10000000000ull)
        snprintf(buf, n, "%.3f", (double)ns / 1e9);
    else
        snprintf(buf, n, "%.0f", (double)ns / 1e9);
}

/* ---- 1. sparse ------------------------------------------------------------ */

static uint64_t island_at(int k)
{
    return (uint64_t)k * (SPARSE_SIZE / ISLANDS) + SPARSE_SIZE / ISLANDS / 2;
}

static void make_sparse(const char *a, const char *b)
{
    int fa = create(a), fb = create(b);
    if (ftruncate(fa, (off_t)SPARSE_SIZE) != 0 || ftruncate(fb, (off_t)SPARSE_SIZE) != 0)
        bu_die("a 1 TiB sparse file: %s", strerror(errno));
    uint8_t *buf = bu_xmalloc(IO_BUF);
    uint64_t st = SEED;
    for (int k = 0; k < ISLANDS; k++) {
        for (uint64_t x = 0; x < ISLAND; x += IO_BUF) {
            bu_fill_random(buf, IO_BUF, &st);
            bu_pwrite_all(fa, buf, IO_BUF, island_at(k) + x, a);
            bu_pwrite_all(fb, buf, IO_BUF, island_at(k) + x, b);
        }
    }
    uint64_t ds = SEED ^ 1, slot = ISLAND / 16; /* up to 16 per island, a slot each */
    for (uint64_t k = 0; k < NDIFF; k++)
        flip(fb,
             island_at((int)(k % ISLANDS)) + k / ISLANDS * slot + 1 +
                 bu_splitmix64(&ds) % (slot - 2),
             b);
    if (fsync(fa) != 0 || fsync(fb) != 0)
        bu_die("fsync: %s", strerror(errno));
    close(fa);
    close(fb);
    free(buf);
}

static void report_sparse(const char *mmhex, const char *a, const char *b, const char *dir,
                          unsigned runs, uint64_t limit_ns)
{
    printf("\n1. Sparse: two 1 TiB files, %d islands of 16 MiB (1 GiB) the same but for %d "
           "bytes\n",
           ISLANDS, NDIFF);
    BuCmd mm = cmd(mmhex, "--cmp", a, b, NULL);
    uint64_t w[16];
    BuTimed t;
    for (unsigned k = 0; k < runs; k++) {
        bu_progress("sparse: mmhex --cmp, run %u of %u ...", k + 1, runs);
        bu_run_timed(&mm, 600 * 1000000000ull, a, dir, &t);
        if (exit_code(&t) != 1 || t.lines != NDIFF)
            bu_die("mmhex --cmp on the sparse pair: exit %d, %" PRIu64 " lines: %.80s",
                   exit_code(&t), t.lines, t.out);
        w[k] = t.wall_ns;
    }
    bu_cmd_free(&mm);
    uint64_t mw = bu_median(w, runs);
    bu_progress("sparse: cmp (up to %" PRIu64 " s) ...", (uint64_t)(limit_ns / 1000000000ull));
    char *exe = bu_find_in_path("cmp");
    if (!exe) {
        bu_progress_done();
        printf("  cmp not installed\n");
        return;
    }
    BuCmd cm = cmd(exe, a, b, NULL, NULL);
    free(exe);
    bu_run_timed(&cm, limit_ns, a, dir, &t);
    bu_cmd_free(&cm);
    bu_progress_done();
    uint64_t reached = t.pos;
    const char *how = "its file position at the limit";
    if (!t.stopped) {
        const char *p = strstr(t.out, "byte ");
        reached = p ? strtoull(p + 5, NULL, 10) : 0;
        how = "its first difference";
    }
    char s1[24], s2[24], s3[24];
    fmt_s(s1, sizeof s1, mw);
    fmt_s(s2, sizeof s2, t.wall_ns);
    printf("  mmhex --cmp          %8s s  (median of %u; %d ranges found)\n", s1, runs, NDIFF);
    if (!reached) {
        printf("  cmp                  no rate (%.80s)\n", t.out);
        return;
    }
    double rate = (double)reached / ((double)t.wall_ns / 1e9);
    uint64_t whole = (uint64_t)((double)SPARSE_SIZE / rate * 1e9);
    fmt_s(s3, sizeof s3, whole);
    printf("  cmp                  %8s s  to read %.2f GiB (%s): %.0f MiB/s\n", s2,
           (double)reached / (double)GIB, how, rate / (double)MIB);
    printf("  cmp, whole 1 TiB     %8s s  (projected from that rate)\n", s3);
    printf("  cmp / mmhex          %8.0fx\n", (double)whole / (double)mw);
}

/* ---- 2. dense ------------------------------------------------------------- */

static void make_dense(const char *a, const char *b, const char *c)
{
    int fa = create(a), fb = create(b), fc = create(c);
    uint8_t *buf = bu_xmalloc(IO_BUF);
    uint64_t st = SEED ^ 2;
    for (uint64_t x = 0; x < DENSE_SIZE; x += IO_BUF) {
        bu_fill_random(buf, IO_BUF, &st);
        bu_pwrite_all(fa, buf, IO_BUF, x, a);
        bu_pwrite_all(fb, buf, IO_BUF, x, b);
        bu_pwrite_all(fc, buf, IO_BUF, x, c);
    }
    uint64_t ds = SEED ^ 3;
    for (uint64_t k = 0; k < NDIFF; k++)
        flip(fb, diff_at(k, DENSE_SIZE, &ds), b);
    flip(fc, DENSE_SIZE - 1, c);
    if (fsync(fa) != 0 || fsync(fb) != 0 || fsync(fc) != 0)
        bu_die("fsync: %s", strerror(errno));
    close(fa);
    close(fb);
    close(fc);
    free(buf);
}

static bool pin_dense(void *ctx)
{
    char **paths = ctx;
    for (int i = 0; i < 3; i++) {
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        void *p = mmap(NULL, (size_t)DENSE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            return false;
        bu_populate(p, DENSE_SIZE);
        close(fd);
    }
    return true;
}

/* One row: mine and theirs in turn, runs times each, medians. */
static void row(const char *what, const BuCmd *mine, const BuCmd *theirs, int want_exit,
                uint64_t want_lines, const char *path, const char *dir, unsigned runs)
{
    uint64_t mw[16], tw[16];
    BuTimed t;
    for (unsigned k = 0; k < runs; k++) {
        for (int j = 0; j < 2; j++) {
            bool tool = (j + (int)k) % 2 == 1; /* alternate who goes first */
            bu_progress("dense %s: run %u of %u, %s ...", what, k + 1, runs,
                        tool ? "cmp" : "mmhex");
            bu_run_timed(tool ? theirs : mine, 600 * 1000000000ull, path, dir, &t);
            if (exit_code(&t) != want_exit || t.lines != want_lines)
                bu_die("%s (%s): exit %d, %" PRIu64 " lines, want %d and %" PRIu64 ": %.80s", what,
                       tool ? "cmp" : "mmhex", exit_code(&t), t.lines, want_exit, want_lines,
                       t.out);
            (tool ? tw : mw)[k] = t.wall_ns;
        }
    }
    bu_progress_done();
    uint64_t m = bu_median(mw, runs), c = bu_median(tw, runs);
    char s1[24], s2[24];
    fmt_s(s1, sizeof s1, m);
    fmt_s(s2, sizeof s2, c);
    printf("  %-34s %9s %9s %9.2f %9.1f\n", what, s1, s2, (double)m / (double)c,
           2.0 * (double)DENSE_SIZE / (double)m);
}

static void report_dense(const char *mmhex, const char *a, const char *b, const char *c,
                         const char *dir, unsigned runs)
{
    printf("\n2. Dense: two warm 1 GiB files; median of %u runs each, taken in turn\n", runs);
    printf("  %-34s %9s %9s %9s %9s\n", "case", "mmhex s", "cmp s", "mmhex/cmp", "GB/s read");
    char *cmp = bu_find_in_path("cmp");
    if (!cmp) {
        printf("  cmp not installed\n");
        return;
    }
    BuCmd m1 = cmd(mmhex, "--cmp", a, c, NULL), c1 = cmd(cmp, a, c, NULL, NULL);
    row("the last byte differs: --cmp, cmp", &m1, &c1, 1, 1, a, dir, runs);
    BuCmd m2 = cmd(mmhex, "--cmp", "-l", a, b), c2 = cmd(cmp, "-l", a, b, NULL);
    row("1,000 bytes: --cmp -l, cmp -l", &m2, &c2, 1, NDIFF, a, dir, runs);
    bu_cmd_free(&m1);
    bu_cmd_free(&c1);
    bu_cmd_free(&m2);
    bu_cmd_free(&c2);
    free(cmp);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_diff --mmhex PATH [--runs N] [--timeout S] [--part sparse|dense] "
               "DIR\n"
               "  Times mmhex --cmp beside cmp on two 1 TiB sparse files and on warm 1 GiB\n"
               "  files it makes in DIR.\n");
}

int main(int argc, char **argv)
{
    bu_init("bench_diff", OUT_MAX);
    if (argc >= 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    static const char *const parts[2] = {"sparse", "dense"};
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
    bu_print_machine("mmhex bench_diff: mmhex --cmp beside cmp", dir, NULL);
    char *cmp = bu_find_in_path("cmp");
    if (cmp) {
        char *v = bu_tool_line(cmp, "--version", NULL);
        printf("  tools    ");
        bu_print_tool("cmp", cmp, v, true);
        free(v);
        free(cmp);
    }
    printf("  mmhex    %s\n", exe);

    bu_set_cleanup_owner();
    bu_catch_signals();
    char *sa = bu_xasprintf("%s/diff-1t-a.bin", dir), *sb = bu_xasprintf("%s/diff-1t-b.bin", dir);
    char *da = bu_xasprintf("%s/diff-1g-a.bin", dir), *db = bu_xasprintf("%s/diff-1g-b.bin", dir);
    char *dc = bu_xasprintf("%s/diff-1g-c.bin", dir);
    if (strcmp(part, "dense")) {
        bu_progress("creating the sparse pair ...");
        uint64_t t0 = bu_now_ns();
        make_sparse(sa, sb);
        bu_progress_done();
        printf("  setup    the sparse pair written and fsynced in %.1f s\n",
               (double)(bu_now_ns() - t0) / 1e9);
        report_sparse(exe, sa, sb, dir, runs, (uint64_t)timeout * 1000000000ull);
        bu_remove_files();
    }
    if (strcmp(part, "sparse")) {
        bu_progress("creating the dense files ...");
        uint64_t t0 = bu_now_ns();
        make_dense(da, db, dc);
        uint64_t t1 = bu_now_ns();
        BuPinner pin;
        char *paths[3] = {da, db, dc};
        bu_pin_start(&pin, pin_dense, paths, "the dense files");
        bu_progress_done();
        printf("  setup    3 x 1 GiB written and fsynced in %.1f s, cached by a helper in %.1f "
               "s\n",
               (double)(t1 - t0) / 1e9, (double)(bu_now_ns() - t1) / 1e9);
        report_dense(exe, da, db, dc, dir, runs);
        bu_pin_stop(&pin);
    }
    bu_remove_files();
    free(sa);
    free(sb);
    free(da);
    free(db);
    free(dc);
    free(exe);
    return 0;
}
