/*
 * bench_struct: how soon mmhex shows a file's structure (fmt.h: decoders
 * that read only what is shown), beside the tools a user would run
 * instead, measured in the same run.
 *
 * The claim: the structure of a 1 TiB disk image or a 2 GiB database is on
 * screen as fast as that of a small file, because only the rows shown are
 * decoded; the tools that print everything pay for the whole table.
 *
 *  1. Disk. A 1 TiB sparse image: a GPT (sgdisk) with a 1 GiB ext4
 *     partition (mkfs.ext4 -E offset) and a second one to the end.
 *     `sfdisk --dump` beside `mmhex -r -e 'struct --depth 4 --kids 16'`
 *     (the GPT, its entries, the ext4 superblock's fields), medians of
 *     RUNS; then, in tmux, the time from starting the editor to its first
 *     frame, and from the key s to the structure screen.
 *  2. SQLite. A 2 GiB database (sqlite3: 2.2 million rows of 900-byte
 *     blobs in 4 KiB pages). `sqlite3_analyzer` (it reads every page; run
 *     once, with a time limit) and `sqlite3 'PRAGMA page_count'` beside
 *     mmhex's batch struct and the screen as above; also the screen at page
 *     400,000 (the cells of the page under the cursor).
 *  3. ELF. The largest shared library in /usr/lib (libLLVM where clang is
 *     installed): `readelf -a` beside mmhex's batch struct and the screen.
 *
 * Usage: bench_struct --mmhex PATH [--runs N] [--timeout S] [--part disk|sqlite] DIR
 * (the ELF part runs with either). It makes its files in DIR (about 2 GiB
 * of real data) and removes them. Not a test: it prints figures and fails
 * only when it cannot measure.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"

#define OUT_MAX (1u << 20)
#define DEFAULT_RUNS 5
#define DEFAULT_TIMEOUT 120
#define TIB ((uint64_t)1 << 40)
#define SQLITE_ROWS 2200000 /* rows of 900-byte blobs: about 2 GiB */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_struct --mmhex PATH [--runs N] [--timeout S] [--part disk|sqlite] "
               "DIR\n"
               "  Times mmhex's structure (batch and on screen) beside sfdisk --dump,\n"
               "  sqlite3_analyzer and readelf -a on a 1 TiB GPT+ext4 image, a 2 GiB\n"
               "  SQLite database and the largest shared library, made or found in DIR.\n");
}

/* Run a shell command line (setting up the files); dies when it fails. */
static void sh(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sh(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = bu_xvasprintf(fmt, ap);
    va_end(ap);
    char *full = bu_xasprintf("PATH=\"$PATH:/sbin:/usr/sbin\"; %s", line);
    int st = system(full);
    if (st != 0)
        bu_die("%s failed (%s)", what, line);
    free(line);
    free(full);
}

/* Median wall time of runs of c; the last run's output kept in r. */
static uint64_t median_run(const BuCmd *c, unsigned runs, BuRun *r, bool *ok)
{
    uint64_t t[16];
    *ok = true;
    for (unsigned i = 0; i < runs && i < 16; i++) {
        bu_run(c, r);
        t[i] = r->wall_ns;
        *ok &= bu_exited(r, 0);
    }
    return bu_median(t, runs < 16 ? runs : 16);
}

static void line(const char *name, uint64_t ns, const char *extra)
{
    char ms[32];
    bu_fmt_ms(ms, sizeof ms, ns);
    printf("  %-30s %10s ms  %s\n", name, ms, extra ? extra : "");
}

/* ---- the screen, in tmux ---- */

typedef struct Tmux {
    char *exe; /* tmux */
    char *sock;
} Tmux;

static void tmux_cmd(const Tmux *t, BuCmd *c)
{
    memset(c, 0, sizeof *c);
    bu_cmd_add(c, t->exe);
    bu_cmd_add(c, "-S");
    bu_cmd_add(c, t->sock);
}

static bool screen_has(const Tmux *t, BuRun *r, const char *text)
{
    BuCmd c;
    tmux_cmd(t, &c);
    bu_cmd_add(&c, "capture-pane");
    bu_cmd_add(&c, "-p");
    bu_cmd_add(&c, "-t");
    bu_cmd_add(&c, "b");
    bu_run(&c, r);
    bu_cmd_free(&c);
    return strstr(r->out, text) != NULL;
}

/* Poll until text shows (5 s at most): the ns it took from t0, or 0. */
static uint64_t wait_screen(const Tmux *t, BuRun *r, const char *text, uint64_t t0)
{
    while (bu_now_ns() - t0 < 5000000000ull) {
        if (screen_has(t, r, text))
            return bu_now_ns() - t0;
        bu_sleep_ns(1000000);
    }
    return 0;
}

/* Start the editor on path (with a command first, if goto_cmd), wait for
 * its frame, press s, wait for the structure screen: the medians of both
 * waits. */
static void screen_times(const char *exe, const char *path, const char *goto_expr, unsigned runs,
                         const char *dir, uint64_t *open_ns, uint64_t *s_ns)
{
    char *tm = bu_find_in_path("tmux");
    *open_ns = *s_ns = 0;
    if (!tm)
        return;
    Tmux t = {tm, bu_xasprintf("%s/tmux-bench", dir)};
    BuRun *r = bu_run_new();
    uint64_t a[16], b[16], fl_ns[16];
    unsigned n = 0;
    for (unsigned i = 0; i < runs && i < 16; i++) {
        BuCmd c;
        tmux_cmd(&t, &c);
        bu_cmd_add(&c, "-f");
        bu_cmd_add(&c, "/dev/null");
        bu_cmd_add(&c, "new-session");
        bu_cmd_add(&c, "-d");
        bu_cmd_add(&c, "-s");
        bu_cmd_add(&c, "b");
        bu_cmd_add(&c, "-x");
        bu_cmd_add(&c, "120");
        bu_cmd_add(&c, "-y");
        bu_cmd_add(&c, "40");
        if (goto_expr)
            bu_cmd_addf(&c, "env LC_ALL=C.UTF-8 %s -r -g '%s' '%s'", exe, goto_expr, path);
        else
            bu_cmd_addf(&c, "env LC_ALL=C.UTF-8 %s -r '%s'", exe, path);
        uint64_t t0 = bu_now_ns();
        bu_run(&c, r);
        bu_cmd_free(&c);
        uint64_t o = wait_screen(&t, r, "[hex]", t0);
        tmux_cmd(&t, &c);
        bu_cmd_add(&c, "send-keys");
        bu_cmd_add(&c, "-t");
        bu_cmd_add(&c, "b");
        bu_cmd_add(&c, "s");
        uint64_t t1 = bu_now_ns();
        bu_run(&c, r);
        bu_cmd_free(&c);
        uint64_t k = wait_screen(&t, r, " structure ", t1);
        /* The floor: a key the editor redraws for (Ctrl-L) and a text
         * already on screen: tmux's send-keys and capture-pane alone. */
        tmux_cmd(&t, &c);
        bu_cmd_add(&c, "send-keys");
        bu_cmd_add(&c, "-t");
        bu_cmd_add(&c, "b");
        bu_cmd_add(&c, "C-l");
        uint64_t t2 = bu_now_ns();
        bu_run(&c, r);
        bu_cmd_free(&c);
        uint64_t fl = wait_screen(&t, r, " structure ", t2);
        tmux_cmd(&t, &c);
        bu_cmd_add(&c, "kill-server");
        bu_run(&c, r);
        bu_cmd_free(&c);
        if (o && k) {
            a[n] = o;
            fl_ns[n] = fl;
            b[n++] = k;
        }
    }
    if (n) {
        *open_ns = bu_median(a, n);
        *s_ns = bu_median(b, n);
        char ms[32];
        bu_fmt_ms(ms, sizeof ms, bu_median(fl_ns, n));
        printf("  (the tmux round trip, send-keys to capture-pane, is %s ms of those)\n", ms);
    }
    unlink(t.sock);
    free(t.sock);
    free(tm);
    free(r);
}

static void report_mmhex(const char *exe, const char *path, const char *goto_expr, unsigned runs,
                         const char *dir, const char *what)
{
    BuRun *r = bu_run_new();
    BuCmd c = {0};
    bool ok;
    bu_cmd_add(&c, exe);
    bu_cmd_add(&c, "-r");
    bu_cmd_add(&c, "-e");
    bu_cmd_add(&c, "struct --depth 4 --kids 16");
    bu_cmd_add(&c, path);
    uint64_t ns = median_run(&c, runs, r, &ok);
    char first[160], extra[200];
    bu_first_line(r, NULL, first, sizeof first);
    snprintf(extra, sizeof extra, "%s; RSS %ld KiB; %s", ok ? "ok" : "FAILED", r->maxrss_kib,
             first);
    line("mmhex -e struct (batch)", ns, extra);
    bu_cmd_free(&c);
    uint64_t o, k;
    screen_times(exe, path, goto_expr, runs, dir, &o, &k);
    if (o && k) {
        line("mmhex: start to first frame", o, NULL);
        snprintf(extra, sizeof extra, "(%s)", what);
        line("mmhex: key s to structure", k, extra);
    } else {
        printf("  mmhex on screen: not measured (no tmux, or the screen did not come)\n");
    }
    free(r);
}

static void report_tool(const char *name, const char *argv0, const char *a1, const char *a2,
                        const char *path, unsigned runs)
{
    char *exe = bu_find_in_path(argv0);
    if (!exe) {
        printf("  %-30s not installed\n", name);
        return;
    }
    BuRun *r = bu_run_new();
    BuCmd c = {0};
    bool ok;
    bu_cmd_add(&c, exe);
    if (a1)
        bu_cmd_add(&c, a1);
    if (a2)
        bu_cmd_add(&c, a2);
    bu_cmd_add(&c, path);
    c.devnull = true;
    uint64_t ns = median_run(&c, runs, r, &ok);
    char extra[200];
    snprintf(extra, sizeof extra, "%s; RSS %ld KiB; median of %u", ok ? "ok" : "FAILED",
             r->maxrss_kib, runs);
    line(name, ns, extra);
    bu_cmd_free(&c);
    free(r);
    free(exe);
}

static void part_disk(const char *exe, const char *dir, unsigned runs)
{
    char *img = bu_xasprintf("%s/struct-1t.img", dir);
    bu_progress("making a 1 TiB GPT image with ext4 ...");
    uint64_t size = bu_make_sparse_file(img, TIB);
    sh("sgdisk", "sgdisk -n 1:2048:+1G -t 1:8300 -n 2:0:0 -t 2:8300 '%s' >/dev/null", img);
    sh("mkfs.ext4", "mkfs.ext4 -F -q -E offset=1048576 '%s' 1G >/dev/null 2>&1", img);
    bu_progress_done();
    char *name = bu_huge_name(TIB, size);
    printf("\n1. Disk: a %s sparse image, GPT, a 1 GiB ext4 partition\n", name);
    free(name);
    report_tool("sfdisk --dump", "sfdisk", "--dump", NULL, img, runs);
    report_mmhex(exe, img, NULL, runs, dir, "the GPT at the cursor");
    bu_remove_files();
    free(img);
}

static void part_sqlite(const char *exe, const char *dir, unsigned runs, unsigned long timeout)
{
    char *db = bu_xasprintf("%s/struct.db", dir);
    bu_remember_file(db);
    if (!bu_find_in_path("sqlite3")) {
        printf("\n2. SQLite: not measured (sqlite3 is not installed)\n");
        return;
    }
    bu_progress("making a 2 GiB SQLite database ...");
    uint64_t t0 = bu_now_ns();
    sh("sqlite3",
       "sqlite3 '%s' 'PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
       "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB, s TEXT); WITH RECURSIVE c(x) AS (SELECT 1 "
       "UNION ALL SELECT x+1 FROM c WHERE x < %d) INSERT INTO t SELECT x, randomblob(900), "
       "printf(\"row %%d\", x) FROM c;' >/dev/null",
       db, SQLITE_ROWS);
    bu_progress_done();
    struct stat st;
    stat(db, &st);
    printf("\n2. SQLite: a %.2f GiB database (%d rows, 4 KiB pages), made in %.0f s\n",
           (double)st.st_size / (1 << 30), SQLITE_ROWS, (double)(bu_now_ns() - t0) / 1e9);
    {
        BuRun *r = bu_run_new();
        BuCmd c = {0};
        bool ok;
        bu_cmd_add(&c, bu_find_in_path("sqlite3"));
        bu_cmd_add(&c, db);
        bu_cmd_add(&c, "PRAGMA page_count");
        c.devnull = true;
        uint64_t ns = median_run(&c, runs, r, &ok);
        line("sqlite3 'PRAGMA page_count'", ns, ok ? "ok" : "FAILED");
        bu_cmd_free(&c);
        free(r);
    }
    char *an = bu_find_in_path("sqlite3_analyzer");
    if (an) {
        BuCmd c = {0};
        BuTimed t;
        bu_cmd_add(&c, an);
        bu_cmd_add(&c, db);
        bu_run_timed(&c, (uint64_t)timeout * 1000000000ull, db, dir, &t);
        char extra[160];
        snprintf(extra, sizeof extra, "%s (one run)",
                 t.done      ? "ok"
                 : t.stopped ? "stopped at the time limit"
                             : "FAILED");
        line("sqlite3_analyzer", t.wall_ns, extra);
        bu_cmd_free(&c);
        free(an);
    } else {
        printf("  %-30s not installed (apt-get install sqlite3-tools)\n", "sqlite3_analyzer");
    }
    report_mmhex(exe, db, NULL, runs, dir, "the header at the cursor");
    uint64_t o, k;
    char at[32];
    snprintf(at, sizeof at, "%u", 400000u * 4096u);
    screen_times(exe, db, at, runs, dir, &o, &k);
    if (k)
        line("mmhex: s at byte 400000*4096", k, "(page 400,001: its b-tree page and cells)");
    bu_remove_files();
    free(db);
}

static void part_elf(const char *exe, unsigned runs, const char *dir)
{
    char *lib = NULL;
    FILE *f = popen("ls -S /usr/lib/x86_64-linux-gnu/*.so* /usr/lib/llvm-*/lib/*.so* 2>/dev/null "
                    "| head -1",
                    "r");
    char buf[512];
    if (f && fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = 0;
        lib = bu_xstrdup(buf);
    }
    if (f)
        pclose(f);
    if (!lib) {
        printf("\n3. ELF: no shared library found\n");
        return;
    }
    struct stat st;
    stat(lib, &st);
    printf("\n3. ELF: %s (%.0f MiB)\n", lib, (double)st.st_size / (1 << 20));
    report_tool("readelf -a", "readelf", "-a", "-W", lib, runs);
    report_mmhex(exe, lib, NULL, runs, dir, "the ELF header at the cursor");
    free(lib);
}

int main(int argc, char **argv)
{
    bu_init("bench_struct", OUT_MAX);
    if (argc >= 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    static const char *const parts[2] = {"disk", "sqlite"};
    BuArgs args = {.runs = DEFAULT_RUNS, .timeout = DEFAULT_TIMEOUT};
    int status;
    if (!bu_args(argc, argv, parts, usage, &args, &status))
        return status;
    char *exe = bu_exe_path(args.mmhex, "nothing to measure");
    if (!exe)
        bu_die("--mmhex PATH is needed: the program is what is measured");
    bu_print_machine("mmhex bench_struct: the structure screen beside sfdisk, sqlite3_analyzer, "
                     "readelf",
                     args.dir, NULL);
    printf("  mmhex    %s\n", exe);
    bu_set_cleanup_owner();
    bu_catch_signals();
    if (strcmp(args.part, "sqlite"))
        part_disk(exe, args.dir, args.runs);
    if (strcmp(args.part, "disk"))
        part_sqlite(exe, args.dir, args.runs, args.timeout);
    part_elf(exe, args.runs, args.dir);
    bu_remove_files();
    free(exe);
    return 0;
}
