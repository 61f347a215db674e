/*
 * bench_editor: what the editor costs per frame, per write, in memory and
 * per key, beside a baseline measured in the same run.
 *
 * The editor's claims (docs/design.md: the mapping, residency, the UI loop)
 * are that drawing a screen costs the same whatever the file's size, that a
 * copy-mode write costs what the edits cost and not what the file costs,
 * that paging through a huge file keeps the editor's own memory flat, and
 * that a burst of keys is drawn once. This program measures each on real
 * files:
 *
 *  1. Render cost of one full frame (cmd_frame into a Grid, through the core as
 *     src/main.c drives it: doc_open, cmd_session_new, cmd_resize) for a
 *     1 KiB file and a 16 TiB - 4 KiB sparse file, at 80x24 and 240x70, side
 *     by side with their ratio. Instructions come from valgrind's callgrind
 *     (--toggle-collect=cmd_frame, so only the frame counts), as the
 *     difference between a 101-frame and a 1-frame run divided by 100 (the
 *     first frame, with its lazy symbol binding, is reported apart; the
 *     child is this binary re-executed with --frames N FILE ROWS COLS).
 *     valgrind cannot map more than 64 GiB on amd64, so a 32 GiB sparse file
 *     stands in for the huge one in the instruction counts. Wall time: the
 *     mean and median over 10,000 frames, split over 10 processes run in
 *     turn with the other cases' (the machine is shared and noisy).
 *
 *  2. Write cost in copy mode: 10, 1,000 and 100,000 single-byte edits
 *     scattered evenly over a 4 GiB file (one per ~4 GiB/N stretch, so each
 *     is its own page and its own run), then doc_write (map_commit: pwrite
 *     of each edited run, fsync). Two files: a sparse one (ftruncate; every
 *     edit allocates a block) and one of real data. Each case runs in a
 *     fresh process (--edits N FILE). Baseline: writing the same 4 GiB
 *     sequentially (1 MiB pwrites, then fsync) in this run, which is what an
 *     editor that saves the whole file pays.
 *
 *  3. Memory while paging: 10,000 screens of the 16 TiB sparse file at 80x24
 *     (cmd_key PgDn and cmd_frame per screen), 10,000 screens a jump of
 *     "goto +1G" apart with advice random, and 250 such jumps with the
 *     default advice (each far fault in a hole reads around the readahead
 *     window, 8 MiB on this VM's disk, so 10,000 would push ~78 GiB through
 *     the page cache), each in a process of its own (--page N FILE ROWS COLS
 *     pgdn|jump normal|random). RssAnon, RssFile, VmPTE and VmHWM from
 *     /proc/self/status after the first frame and after the last, and the
 *     file's pages in the page cache. Mapped file pages count in RSS but
 *     belong to the page cache (RssFile); the editor's own memory is RssAnon,
 *     which must stay under 8 MiB.
 *
 *  4. Key-to-screen latency: the real src/mmhex in a private tmux server
 *     (its own socket in DIR) at 80x24 on a 64 MiB file of real data; 200
 *     PgDn keys go in one send-keys, then the pane is captured in a tight
 *     loop until it shows the offset the 200th page must show; likewise a
 *     single PgDn (the second of two: tweak's first only moves its cursor
 *     down the screen). tmux is driven in control mode (tmux -C) through a
 *     pipe, so a poll is one round trip, not a process. Baselines: tweak and
 *     hexedit, the same way (each shows the offset in its status line), when
 *     installed.
 *
 * A --frames child run with MMH_BENCH_PANEL=1 in its environment shows the
 * data inspector's side panel ("inspector on"), so its per-frame cost can be
 * read beside the plain frame's; MMH_BENCH_MOVE=1 moves the cursor a byte
 * before each frame (outside cmd_frame, so outside the count), so every
 * frame decodes new bytes.
 *
 * Usage: bench_editor [--mmhex PATH] [--only LIST] DIR
 * LIST is a comma-separated subset of render,write,memory,latency. Files are
 * created in DIR (about 4 GiB of real data at a time) and removed before
 * exiting; the tmux server is killed. tests/bench/run.sh makes DIR and also
 * removes it and kills the server on any exit.
 *
 * This is not a test: it prints figures and fails only when it cannot
 * measure. valgrind, tmux, tweak and hexedit are optional ("not installed").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"
#include "cmd.h"
#include "doc.h"
#include "keymap.h"
#include "view.h"

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)

#define SMALL_SIZE KIB                      /* the 1 KiB file */
#define HUGE_SIZE (16 * TIB)                /* the 16 TiB sparse file (ext4: minus 4 KiB) */
#define CG_SIZE (32 * GIB)                  /* the largest file valgrind maps (its limit: 64 GiB) */
#define WRITE_SIZE (4 * GIB)                /* the files of the write cases */
#define LAT_SIZE (64 * MIB)                 /* the latency file, real data */
#define SPARSE_MAX_EDITS 1000               /* edits tried on the sparse 4 GiB file */
#define FRAMES_WALL 10000                   /* frames timed for the wall-clock figure */
#define FRAMES_CG 100                       /* extra frames of the second callgrind run */
#define WALL_RUNS 10                        /* processes the wall-clock frames are split over */
#define SCREENS 10000                       /* screens paged through for the memory figure */
#define JUMP_NORMAL_SCREENS 250             /* far jumps with the default advice (read-around) */
#define ANON_LIMIT_KIB 8192                 /* RssAnon must stay under this */
#define LAT_KEYS 200                        /* PgDn keys in one send-keys */
#define LAT_RUNS 5                          /* runs per editor and key count */
#define LAT_TIMEOUT_NS (10 * 1000000000ull) /* give up waiting for a screen */
#define LAT_SETTLE_NS (150 * 1000000ull)    /* after the first screen shows */
#define LAT_ROWS 24
#define LAT_COLS 80
#define OUT_MAX 16384            /* child output kept for parsing */
#define IO_BUF ((size_t)1 << 20) /* write chunk */
#define PATTERN_PERIOD 251       /* data pattern: 1 + i % 251 */

extern char **environ;

/* ---- cleanup: the private tmux server ------------------------------------- */

static char *tmux_exe, *tmux_sock; /* the private tmux server, if started */
static bool tmux_started;
static pid_t tmux_client = -1; /* our control-mode client (a child) */
static pid_t tmux_server = -1; /* the server, as it reported its pid */
static int tmux_ctl = -1;      /* the client's stdin, our end */
static char *tmux_pidfile;     /* "SERVER CLIENT" pids, for run.sh's trap */

/* Wait up to ns for pid to be gone: our child reaped, or (another's) no
 * longer there. */
static bool gone_within(pid_t pid, uint64_t ns, bool child)
{
    uint64_t end = bu_now_ns() + ns;
    for (;;) {
        if (child) {
            pid_t w = waitpid(pid, NULL, WNOHANG);
            if (w == pid || (w < 0 && errno != EINTR))
                return true;
        } else if (kill(pid, 0) < 0 && errno == ESRCH) {
            return true;
        }
        if (bu_now_ns() >= end)
            return false;
        bu_sleep_ns(10 * 1000000ull);
    }
}

/* TERM, then KILL, a process we started (child: ours to reap). */
static void stop_pid(pid_t pid, bool child)
{
    if (pid <= 0 || gone_within(pid, 200 * 1000000ull, child))
        return;
    kill(pid, SIGTERM);
    if (!gone_within(pid, 1000 * 1000000ull, child)) {
        kill(pid, SIGKILL);
        gone_within(pid, 1000 * 1000000ull, child);
    }
}

/* End the private tmux server: close the control client's input (it
 * detaches), `tmux kill-server` (bounded), then the client and the server
 * by pid if either is still there. Safe to call twice. */
static void kill_tmux_server(void)
{
    if (!tmux_started || !bu_is_cleanup_owner())
        return;
    tmux_started = false;
    if (tmux_ctl >= 0) {
        close(tmux_ctl);
        tmux_ctl = -1;
    }
    if (tmux_client > 0 && gone_within(tmux_client, 1000 * 1000000ull, true))
        tmux_client = -1;
    pid_t pid = fork();
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, STDIN_FILENO);
            dup2(nul, STDOUT_FILENO);
            dup2(nul, STDERR_FILENO);
        }
        execl(tmux_exe, tmux_exe, "-S", tmux_sock, "kill-server", (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        stop_pid(pid, true);
    stop_pid(tmux_client, true);
    stop_pid(tmux_server, false);
    tmux_client = tmux_server = -1;
    if (tmux_pidfile)
        unlink(tmux_pidfile);
}

/* ---- measuring ------------------------------------------------------------ */

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

/* ---- child processes ------------------------------------------------------ */

/* A Debian package's version, or NULL. */
static char *pkg_version(const char *pkg)
{
    char *dq = bu_find_in_path("dpkg-query");
    if (!dq)
        return NULL;
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, dq);
    bu_cmd_add(&c, "-W");
    bu_cmd_add(&c, "-f=${Version}");
    bu_cmd_add(&c, pkg);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    free(dq);
    char *v = bu_exited(r, 0) && r->len ? strndup(r->out, strcspn(r->out, "\n")) : NULL;
    free(r);
    return v;
}

/* ---- files ---------------------------------------------------------------- */

static uint8_t pattern_buf[IO_BUF + PATTERN_PERIOD];

static void init_pattern(void)
{
    for (size_t i = 0; i < sizeof pattern_buf; i++)
        pattern_buf[i] = (uint8_t)(1 + i % PATTERN_PERIOD); /* never 0 */
}

/* The pattern's bytes for [off, off+n), n <= IO_BUF. */
static const uint8_t *pattern_at(uint64_t off)
{
    return pattern_buf + off % PATTERN_PERIOD;
}

/* path with len bytes of the pattern, written sequentially in 1 MiB pwrites
 * and fsynced. Returns the write and fsync times. */
static void make_data_file(const char *path, uint64_t len, uint64_t *write_ns, uint64_t *sync_ns)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    init_pattern();
    uint64_t t0 = bu_now_ns();
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < IO_BUF ? (size_t)(len - off) : IO_BUF;
        bu_pwrite_all(fd, pattern_at(off), n, off, path);
        off += n;
    }
    uint64_t t1 = bu_now_ns();
    if (fsync(fd) < 0)
        bu_die("fsync %s: %s", path, strerror(errno));
    uint64_t t2 = bu_now_ns();
    if (close(fd) < 0)
        bu_die("close %s: %s", path, strerror(errno));
    if (write_ns)
        *write_ns = t1 - t0;
    if (sync_ns)
        *sync_ns = t2 - t1;
}

static void remove_file(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        bu_die("remove %s: %s", path, strerror(errno));
    bu_forget_file(path);
}

/* ---- the core, as src/main.c drives it ------------------------------------ */

typedef struct Editor {
    Session *s;
    Grid g;
} Editor;

static void editor_open(Editor *e, const char *path, MmhMode mode, int rows, int cols)
{
    MapOpts mo = {.mode = mode, .sys = NULL};
    Doc *d;
    int rc = doc_open(&d, path, &mo);
    if (rc < 0)
        bu_die("%s: %s", path, map_strerror(rc));
    SessionOpts so = {.bpr_fixed = 0, .batch = false};
    if (cmd_session_new(&e->s, d, &so) < 0)
        bu_die("out of memory");
    memset(&e->g, 0, sizeof e->g);
    if (grid_resize(&e->g, rows, cols) < 0)
        bu_die("out of memory");
    cmd_resize(e->s, rows, cols);
}

static void editor_close(Editor *e)
{
    cmd_session_free(e->s);
    grid_free(&e->g);
}

static const char *mode_word(const Editor *e)
{
    switch (map_mode(doc_map(cmd_doc(e->s)))) {
    case MMH_MODE_READONLY: return "read-only";
    case MMH_MODE_SHARED: return "shared";
    default: return "copy";
    }
}

/* Data rows that show something (the 1 KiB file fills only some). */
static int rows_filled(const Editor *e)
{
    char buf[1024];
    int n = 0;
    for (int r = 1; r < e->g.rows - 3; r++)
        n += grid_row_text(&e->g, r, buf, sizeof buf)[0] != '\0';
    return n;
}

/* ---- sub-mode --frames: render cost --------------------------------------- */

/* bench_editor --frames N FILE ROWS COLS: open, size, draw N frames (each
 * timed), print the times. Run plain for wall time and under callgrind
 * (--toggle-collect=cmd_frame) for instructions. */
static int child_frames(const char *ns, const char *path, const char *rs, const char *cs)
{
    unsigned long n = strtoul(ns, NULL, 10);
    int rows = atoi(rs), cols = atoi(cs);
    if (n == 0 || n > 10000000 || rows < 1 || cols < 1)
        bu_die("--frames N FILE ROWS COLS");
    Editor e;
    editor_open(&e, path, MMH_MODE_AUTO, rows, cols);
    const char *panel = getenv("MMH_BENCH_PANEL"); /* 1: the inspector panel is shown */
    if (panel && !strcmp(panel, "1") && (cmd_run(e.s, "inspector on"), cmd_result(e.s) < 0))
        bu_die("inspector on: %s", cmd_message(e.s, NULL));
    const char *move = getenv("MMH_BENCH_MOVE"); /* 1: the cursor moves a byte before each frame */
    bool moving = move && !strcmp(move, "1");
    uint64_t *t = bu_xmalloc(n * sizeof *t);
    uint64_t total0 = bu_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        if (moving)
            cmd_key(e.s, MMH_KEY_RIGHT);
        uint64_t t0 = bu_now_ns();
        cmd_frame(e.s, &e.g);
        t[i] = bu_now_ns() - t0;
    }
    uint64_t total = bu_now_ns() - total0;
    uint64_t first = t[0];
    uint64_t med = bu_median(t, n);
    /* What map_lock_limit's read of /proc/self/status costs here, with this
     * process's mappings (the read is done on every frame). */
    unsigned reads = n < 1000 ? (unsigned)n : 1000;
    uint64_t s0 = bu_now_ns();
    for (unsigned i = 0; i < reads; i++) {
        char buf[8192];
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof buf) < 0)
            bu_die("/proc/self/status: %s", strerror(errno));
        close(fd);
    }
    uint64_t status_ns = (bu_now_ns() - s0) / reads;
    const View *v = cmd_view(e.s);
    printf("ok frames=%lu total_ns=%" PRIu64 " median_ns=%" PRIu64 " first_ns=%" PRIu64
           " status_ns=%" PRIu64 " mode=%s bpr=%d rows_filled=%d data_rows=%d\n",
           n, total, med, first, status_ns, mode_word(&e), v->bpr, rows_filled(&e),
           view_data_rows(v));
    free(t);
    editor_close(&e);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- sub-mode --page: memory while paging --------------------------------- */

typedef struct Mem {
    long anon, file, shmem, pte, hwm;
} Mem;

static void mem_now(Mem *m)
{
    m->anon = bu_status_kib("RssAnon");
    m->file = bu_status_kib("RssFile");
    m->shmem = bu_status_kib("RssShmem");
    m->pte = bu_status_kib("VmPTE");
    m->hwm = bu_status_kib("VmHWM");
}

/* bench_editor --page N FILE ROWS COLS pgdn|jump normal|random */
static int child_page(const char *ns, const char *path, const char *rs, const char *cs,
                      const char *how, const char *advice)
{
    unsigned long n = strtoul(ns, NULL, 10);
    int rows = atoi(rs), cols = atoi(cs);
    bool jump = strcmp(how, "jump") == 0;
    if (n == 0 || rows < 1 || cols < 1 || (!jump && strcmp(how, "pgdn") != 0))
        bu_die("--page N FILE ROWS COLS pgdn|jump normal|random");
    Editor e;
    editor_open(&e, path, MMH_MODE_AUTO, rows, cols);
    char line[64];
    snprintf(line, sizeof line, "advise %s", advice);
    cmd_run(e.s, line);
    if (cmd_result(e.s) < 0)
        bu_die("%s: %s", line, cmd_message(e.s, NULL));
    cmd_frame(e.s, &e.g);
    Mem m0, m1;
    mem_now(&m0);
    uint64_t t0 = bu_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        if (jump)
            cmd_run(e.s, "goto +1G");
        else
            cmd_key(e.s, MMH_KEY_PGDN);
        if (cmd_result(e.s) < 0)
            bu_die("screen %lu: %s", i, cmd_message(e.s, NULL));
        cmd_frame(e.s, &e.g);
    }
    uint64_t t = bu_now_ns() - t0;
    mem_now(&m1);
    const View *v = cmd_view(e.s);
    Doc *d = cmd_doc(e.s);
    ResidCount rc;
    if (resid_count(doc_resid(d), 0, 0, &rc) < 0)
        rc.cached = UINT64_MAX;
    printf("ok screens=%lu ns=%" PRIu64 " cursor=%" PRIu64 " mode=%s"
           " anon0=%ld file0=%ld shmem0=%ld pte0=%ld hwm0=%ld"
           " anon1=%ld file1=%ld shmem1=%ld pte1=%ld hwm1=%ld cached=%" PRIu64 " readahead=%" PRIu64
           "\n",
           n, t, v->cursor, mode_word(&e), m0.anon, m0.file, m0.shmem, m0.pte, m0.hwm, m1.anon,
           m1.file, m1.shmem, m1.pte, m1.hwm, rc.cached, map_readahead(doc_map(d)));
    editor_close(&e);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- sub-mode --edits: write cost ----------------------------------------- */

#define REFRESH_RUNS 201 /* doc_refresh calls timed per case */

/* The i-th of n edit offsets over size bytes: one in each size/n stretch,
 * at a pseudo-random place in it, so edits are scattered and (for stretches
 * of a page or more) each on a page of its own. */
static uint64_t edit_offset(uint64_t i, uint64_t n, uint64_t size)
{
    uint64_t stretch = size / n;
    uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return i * stretch + h % stretch;
}

/* bench_editor --edits N FILE: N scattered single-byte doc_puts in copy
 * mode, then doc_write; checks the bytes reached the file. */
static int child_edits(const char *ns, const char *path)
{
    unsigned long n = strtoul(ns, NULL, 10);
    if (n == 0)
        bu_die("--edits N FILE");
    MapOpts mo = {.mode = MMH_MODE_COPY, .sys = NULL};
    Doc *d;
    int rc = doc_open(&d, path, &mo);
    if (rc < 0)
        bu_die("%s: %s", path, map_strerror(rc));
    uint64_t size = doc_size(d);
    struct stat st0, st1;
    if (stat(path, &st0) < 0)
        bu_die("stat %s: %s", path, strerror(errno));
    long anon0 = bu_status_kib("RssAnon");
    uint64_t t0 = bu_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(0xA5 ^ i);
        rc = doc_put(d, edit_offset(i, n, size), &b, 1);
        if (rc < 0)
            bu_die("doc_put %lu: %s", i, map_strerror(rc));
    }
    uint64_t t1 = bu_now_ns();
    long anon1 = bu_status_kib("RssAnon");
    /* What every UI tick pays for noticing others' changes with these
     * edits unwritten: fstat, stat of the path, a slice of the net bytes
     * checked against the map. */
    uint64_t rf[REFRESH_RUNS];
    for (int i = 0; i < REFRESH_RUNS; i++) {
        uint64_t a = bu_now_ns();
        if (doc_refresh(d, NULL) < 0)
            bu_die("doc_refresh failed");
        rf[i] = bu_now_ns() - a;
    }
    uint64_t refresh_ns = bu_median(rf, REFRESH_RUNS);
    uint64_t put_ns = t1 - t0;
    t1 = bu_now_ns();
    DocWriteResult w;
    rc = doc_write(d, &w);
    uint64_t t2 = bu_now_ns();
    if (rc < 0)
        bu_die("doc_write: %s", map_strerror(rc));
    long anon2 = bu_status_kib("RssAnon");
    if (stat(path, &st1) < 0)
        bu_die("stat %s: %s", path, strerror(errno));
    doc_close(d);
    /* The edits must be in the file now: check a few through the fd. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", path, strerror(errno));
    unsigned long bad = 0;
    for (unsigned long i = 0; i<n; i += n> 97 ? n / 97 : 1) {
        uint8_t b;
        if (pread(fd, &b, 1, (off_t)edit_offset(i, n, size)) != 1 || b != (uint8_t)(0xA5 ^ i))
            bad++;
    }
    close(fd);
    if (bad)
        bu_die("%lu checked edits are not in the file after doc_write", bad);
    printf("ok edits=%lu put_ns=%" PRIu64 " write_ns=%" PRIu64 " doc_ns=%" PRIu64 " bytes=%" PRIu64
           " runs=%" PRIu64 " anon0=%ld anon1=%ld anon2=%ld"
           " blocks0=%lld blocks1=%lld refresh_ns=%" PRIu64 "\n",
           n, put_ns, t2 - t1, w.ns, w.bytes, w.runs, anon0, anon1, anon2, (long long)st0.st_blocks,
           (long long)st1.st_blocks, refresh_ns);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- report: the machine -------------------------------------------------- */

typedef struct Tools {
    char *valgrind, *tmux, *tweak, *hexedit, *mmhex;
} Tools;

static void print_header(const char *dir, const Tools *t)
{
    bu_print_machine(
        "mmhex bench_editor: frames, writes, memory and key latency, each beside a baseline", dir,
        NULL);
    char *vv = t->valgrind ? bu_tool_line(t->valgrind, "--version", "valgrind") : NULL;
    char *tv = t->tmux ? bu_tool_line(t->tmux, "-V", "tmux") : NULL;
    char *kv = t->tweak ? pkg_version("tweak") : NULL;
    char *hv = t->hexedit ? pkg_version("hexedit") : NULL;
    printf("  tools    ");
    bu_print_tool("valgrind", t->valgrind, vv, false);
    bu_print_tool("tmux", t->tmux, tv, true);
    printf("           ");
    bu_print_tool("tweak", t->tweak, kv, false);
    bu_print_tool("hexedit", t->hexedit, hv, true);
    printf("  mmhex    %s\n", t->mmhex ? t->mmhex : "not given (--mmhex PATH): latency skipped");
    if (bu_damon_reclaims())
        printf("  NOTE     DAMON proactive reclaim is on (a 'pageout' scheme): idle unmapped\n"
               "           page cache is evicted within about a minute; every file here is\n"
               "           used within seconds of being written.\n");
    free(vv);
    free(tv);
    free(kv);
    free(hv);
}

/* ---- report 1: render cost ------------------------------------------------ */

typedef struct FrameRes {
    bool ok;
    unsigned runs;               /* wall-clock processes run */
    uint64_t run_med[WALL_RUNS]; /* each one's median frame */
    uint64_t total_ns;           /* all their frames */
    uint64_t median_ns;          /* median of run_med */
    uint64_t mean_ns;            /* total_ns per frame */
    uint64_t ir1, ir101;         /* callgrind, 1 and 1+FRAMES_CG frames */
    bool cg;                     /* the callgrind figures are there */
    uint64_t status_ns;          /* one read of /proc/self/status */
    int bpr, filled, data_rows;
    char mode[16];
    char err[200];
} FrameRes;

/* The "totals:" (or "summary:") of a callgrind output file. */
static bool callgrind_total(const char *file, uint64_t *out)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return false;
    char line[512];
    bool got = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (sscanf(line, "totals: %llu", &v) == 1 || sscanf(line, "summary: %llu", &v) == 1) {
            *out = v;
            got = true;
        }
    }
    fclose(f);
    return got;
}

static bool run_callgrind(const char *self, const char *valgrind, const char *dir, const char *path,
                          unsigned frames, int rows, int cols, uint64_t *ir, char *err, size_t errn)
{
    char *out = bu_xasprintf("%s/callgrind.out", dir);
    bu_remember_file(out);
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, valgrind);
    bu_cmd_add(&c, "--tool=callgrind");
    bu_cmd_addf(&c, "--callgrind-out-file=%s", out);
    bu_cmd_add(&c, "--collect-atstart=no");
    bu_cmd_add(&c, "--toggle-collect=cmd_frame");
    bu_cmd_add(&c, self);
    bu_cmd_add(&c, "--frames");
    bu_cmd_addf(&c, "%u", frames);
    bu_cmd_add(&c, path);
    bu_cmd_addf(&c, "%d", rows);
    bu_cmd_addf(&c, "%d", cols);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    bool ok = bu_exited(r, 0) && callgrind_total(out, ir);
    if (!ok)
        bu_first_line(r, "==", err, errn);
    free(r);
    remove_file(out);
    free(out);
    return ok;
}

/* One wall-clock run of FRAMES_WALL / WALL_RUNS frames in a fresh process;
 * adds to fr (the first run also fills the layout facts). */
static void run_frames_wall(const char *self, const char *path, int rows, int cols, FrameRes *fr)
{
    if (!fr->ok && fr->runs)
        return; /* an earlier run failed */
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, self);
    bu_cmd_add(&c, "--frames");
    bu_cmd_addf(&c, "%d", FRAMES_WALL / WALL_RUNS);
    bu_cmd_add(&c, path);
    bu_cmd_addf(&c, "%d", rows);
    bu_cmd_addf(&c, "%d", cols);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    uint64_t total = 0, med = 0, status = 0, bpr = 0, filled = 0, drows = 0;
    fr->ok = bu_exited(r, 0) && bu_kv_u64(r->out, "total_ns", &total) &&
             bu_kv_u64(r->out, "median_ns", &med) && bu_kv_u64(r->out, "bpr", &bpr) &&
             bu_kv_u64(r->out, "rows_filled", &filled) && bu_kv_u64(r->out, "data_rows", &drows) &&
             bu_kv_u64(r->out, "status_ns", &status) &&
             bu_kv_word(r->out, "mode", fr->mode, sizeof fr->mode);
    if (!fr->ok) {
        bu_first_line(r, "==", fr->err, sizeof fr->err);
        fr->runs = 1;
        free(r);
        return;
    }
    free(r);
    fr->run_med[fr->runs++] = med;
    fr->total_ns += total;
    fr->status_ns = status;
    fr->bpr = (int)bpr;
    fr->filled = (int)filled;
    fr->data_rows = (int)drows;
}

/* After the wall runs: the summary figures. */
static void finish_frames(FrameRes *fr)
{
    if (!fr->ok)
        return;
    uint64_t v[WALL_RUNS];
    memcpy(v, fr->run_med, sizeof v);
    fr->median_ns = bu_median(v, fr->runs);
    fr->mean_ns = fr->total_ns / ((uint64_t)fr->runs * (FRAMES_WALL / WALL_RUNS));
}

static void run_frames_cg(const char *self, const char *valgrind, const char *dir, const char *path,
                          int rows, int cols, FrameRes *fr)
{
    if (!valgrind || !fr->ok)
        return;
    fr->cg = run_callgrind(self, valgrind, dir, path, 1, rows, cols, &fr->ir1, fr->err,
                           sizeof fr->err) &&
             run_callgrind(self, valgrind, dir, path, 1 + FRAMES_CG, rows, cols, &fr->ir101,
                           fr->err, sizeof fr->err) &&
             fr->ir101 > fr->ir1;
}

static void fmt_ratio(char *buf, size_t n, double a, double b)
{
    if (a > 0 && b > 0)
        snprintf(buf, n, "%.2fx", b / a);
    else
        snprintf(buf, n, "-");
}

static void print_frame_row(const char *scr, const char *name, const FrameRes *r, bool cg_tried)
{
    if (!r->ok) {
        printf("  %-8s %-24s FAILED: %s\n", scr, name, r->err);
        return;
    }
    char irf[32], ir1[32], rws[16], mb[24];
    if (r->cg) {
        snprintf(irf, sizeof irf, "%" PRIu64, (r->ir101 - r->ir1) / FRAMES_CG);
        snprintf(ir1, sizeof ir1, "%" PRIu64, r->ir1);
    } else {
        snprintf(irf, sizeof irf, cg_tried ? "n/a" : "-");
        snprintf(ir1, sizeof ir1, cg_tried ? "n/a" : "-");
    }
    snprintf(rws, sizeof rws, "%d/%d", r->filled, r->data_rows);
    snprintf(mb, sizeof mb, "%s/%d", r->mode, r->bpr);
    printf("  %-8s %-24s %6s %9s %9s %8.1f %8.1f %9s\n", scr, name, rws, irf, ir1,
           (double)r->mean_ns / 1e3, (double)r->median_ns / 1e3, mb);
}

/* "ratio" row: b's figures over a's. */
static void print_frame_ratio(const char *name, const FrameRes *a, const FrameRes *b)
{
    char ir[16] = "-", ir1[16] = "-", mean[16], med[16];
    if (!a->ok || !b->ok)
        return;
    if (a->cg && b->cg) {
        fmt_ratio(ir, sizeof ir, (double)(a->ir101 - a->ir1), (double)(b->ir101 - b->ir1));
        fmt_ratio(ir1, sizeof ir1, (double)a->ir1, (double)b->ir1);
    }
    fmt_ratio(mean, sizeof mean, (double)a->mean_ns, (double)b->mean_ns);
    fmt_ratio(med, sizeof med, (double)a->median_ns, (double)b->median_ns);
    printf("  %-8s %-24s %6s %9s %9s %8s %8s\n", "", name, "", ir, ir1, mean, med);
}

static void report_render(const char *self, const Tools *t, const char *dir, const char *small,
                          const char *mid, const char *huge, uint64_t huge_size)
{
    static const int sizes[][2] = {{24, 80}, {70, 240}};
    char *hname = bu_huge_name(HUGE_SIZE, huge_size);
    char *mname = bu_size_name(CG_SIZE);
    const char *paths[3] = {small, mid, huge};
    char *names[3] = {bu_size_name(SMALL_SIZE), bu_xasprintf("%s sparse", mname),
                      bu_xasprintf("%s sparse", hname)};
    char *rnames[2] = {bu_xasprintf("ratio %s/1 KiB", mname), bu_xasprintf("ratio 16 TiB/1 KiB")};
    FrameRes res[2][3];
    uint64_t status_ns = 0;
    memset(res, 0, sizeof res);
    /* Wall-clock runs interleaved over the cases, so a burst of other work
     * on the machine hits them alike; then the (deterministic) counts. */
    for (int k = 0; k < WALL_RUNS; k++) {
        for (size_t i = 0; i < 2; i++) {
            for (int f = 0; f < 3; f++) {
                bu_progress("render: wall clock, round %d of %d ...", k + 1, WALL_RUNS);
                run_frames_wall(self, paths[f], sizes[i][0], sizes[i][1], &res[i][f]);
            }
        }
    }
    for (size_t i = 0; i < 2; i++) {
        for (int f = 0; f < 3; f++) {
            finish_frames(&res[i][f]);
            bu_progress("render: callgrind, %dx%d, %s ...", sizes[i][1], sizes[i][0], names[f]);
            run_frames_cg(self, t->valgrind, dir, paths[f], sizes[i][0], sizes[i][1], &res[i][f]);
        }
    }
    bu_progress_done();
    if (res[0][2].ok)
        status_ns = res[0][2].status_ns;

    printf("\n1. Render cost of one full frame: cmd_frame into a Grid, through the core as\n");
    printf("   src/main.c drives it (doc_open in the default mode, cmd_session_new,\n");
    printf("   cmd_resize); each case in a process of its own. Ir: instructions from\n");
    printf("   callgrind with --toggle-collect=cmd_frame, (run of %d frames - run of 1) / %d,\n",
           1 + FRAMES_CG, FRAMES_CG);
    printf("   so the first frame's one-off costs (lazy binding) drop out; 'Ir first' is the\n");
    printf("   1-frame run. User-space instructions only: the syscalls' kernel work\n");
    printf("   (mincore, cachestat, PAGEMAP_SCAN, lseek, getrusage, /proc reads) shows in\n");
    printf("   the wall time alone. valgrind cannot map the 16 TiB file (its address space\n");
    printf("   ends at 64 GiB on amd64: mmap fails with EINVAL, so Ir is n/a there), hence\n");
    printf("   the %s sparse file, the largest it maps comfortably, for the instruction\n", mname);
    printf("   counts. Wall: %d frames per case, CLOCK_MONOTONIC around each, in %d\n", FRAMES_WALL,
           WALL_RUNS);
    printf("   processes of %d frames run in turn with the other cases'; 'mean' is over all\n",
           FRAMES_WALL / WALL_RUNS);
    printf("   %d, 'med' the median of the processes' medians. This shared 2-CPU VM is\n",
           FRAMES_WALL);
    printf("   noisy (whole runs shift by 30%% or more); Ir is the exact figure. Ratios:\n");
    printf("   the bigger file's figure over the 1 KiB file's (1.00x: no growth).\n\n");
    printf("  %-8s %-24s %6s %9s %9s %8s %8s %9s\n", "screen", "file", "rows", "Ir/frame",
           "Ir first", "mean us", "med us", "mode/bpr");
    for (size_t i = 0; i < 2; i++) {
        char scr[16];
        snprintf(scr, sizeof scr, "%dx%d", sizes[i][1], sizes[i][0]);
        for (int f = 0; f < 3; f++)
            print_frame_row(f ? "" : scr, names[f], &res[i][f], t->valgrind != NULL);
        print_frame_ratio(rnames[0], &res[i][0], &res[i][1]);
        print_frame_ratio(rnames[1], &res[i][0], &res[i][2]);
        for (int f = 0; f < 3; f++)
            if (res[i][f].ok && !res[i][f].cg && res[i][f].err[0] && f != 2)
                printf("  %-8s %-22s callgrind: %s\n", "", names[f], res[i][f].err);
    }
    printf("   rows: data rows that show bytes / data rows on the screen. The 1 KiB file\n");
    printf("   fills only 22 of 66 rows at 240x70, so compare the two sparse files there.\n");
    if (status_ns)
        printf("   Of each frame, map_lock_limit (called by cmd_frame for the status row)\n"
               "   reads /proc/self/status: %.1f us a read in the 16 TiB case's process.\n",
               (double)status_ns / 1e3);
    if (!t->valgrind)
        printf("   valgrind not installed: no instruction counts.\n");
    if (huge_size != HUGE_SIZE)
        printf("   (the file system refused 16 TiB (EFBIG): ext4's limit is 16 TiB - 4 KiB,\n"
               "    so the huge file is %" PRIu64 " bytes)\n",
               huge_size);
    for (int f = 0; f < 3; f++)
        free(names[f]);
    free(rnames[0]);
    free(rnames[1]);
    free(mname);
    free(hname);
}

/* ---- report 2: write cost ------------------------------------------------- */

typedef struct EditRes {
    bool ok;
    uint64_t put_ns, write_ns, doc_ns, bytes, runs, refresh_ns;
    uint64_t anon0, anon1, anon2, blocks0, blocks1;
    char err[200];
} EditRes;

static void run_edits(const char *self, const char *path, unsigned long n, EditRes *e)
{
    memset(e, 0, sizeof *e);
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, self);
    bu_cmd_add(&c, "--edits");
    bu_cmd_addf(&c, "%lu", n);
    bu_cmd_add(&c, path);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    e->ok = bu_exited(r, 0) && bu_kv_u64(r->out, "put_ns", &e->put_ns) &&
            bu_kv_u64(r->out, "write_ns", &e->write_ns) &&
            bu_kv_u64(r->out, "doc_ns", &e->doc_ns) && bu_kv_u64(r->out, "bytes", &e->bytes) &&
            bu_kv_u64(r->out, "runs", &e->runs) && bu_kv_u64(r->out, "anon0", &e->anon0) &&
            bu_kv_u64(r->out, "anon1", &e->anon1) && bu_kv_u64(r->out, "anon2", &e->anon2) &&
            bu_kv_u64(r->out, "blocks0", &e->blocks0) &&
            bu_kv_u64(r->out, "blocks1", &e->blocks1) &&
            bu_kv_u64(r->out, "refresh_ns", &e->refresh_ns);
    if (!e->ok)
        bu_first_line(r, "==", e->err, sizeof e->err);
    free(r);
}

static void report_write(const char *self, const char *dir)
{
    static const unsigned long counts[] = {10, 1000, 100000};
    enum { NC = sizeof counts / sizeof counts[0] };
    char *data = bu_xasprintf("%s/write-data-4g.bin", dir);
    uint64_t wr_ns, sync_ns;
    bu_progress("write: the baseline, 4 GiB written sequentially ...");
    make_data_file(data, WRITE_SIZE, &wr_ns, &sync_ns);
    uint64_t base_ns = wr_ns + sync_ns;
    EditRes sparse[NC], real[NC];
    for (size_t i = 0; i < NC; i++) {
        bu_progress("write: %lu edits, file of real data ...", counts[i]);
        run_edits(self, data, counts[i], &real[i]);
        if (counts[i] > SPARSE_MAX_EDITS) {
            memset(&sparse[i], 0, sizeof sparse[i]);
            continue;
        }
        /* A fresh sparse file per case: earlier edits would have filled
         * blocks the next case finds allocated. */
        char *sp = bu_xasprintf("%s/write-sparse-4g.bin", dir);
        bu_make_sparse_file(sp, WRITE_SIZE);
        bu_progress("write: %lu edits, sparse file ...", counts[i]);
        run_edits(self, sp, counts[i], &sparse[i]);
        remove_file(sp);
        free(sp);
    }
    bu_progress_done();
    remove_file(data);
    free(data);

    printf("\n2. Write cost in copy mode: N single-byte edits (doc_put) scattered evenly over a\n");
    printf("   4 GiB file, then doc_write, which pwrite()s each edited run and fsyncs (the\n");
    printf("   bytes are read back through the fd afterwards). Each case in a process of its\n");
    printf("   own. 'sparse' is a 4 GiB ftruncate'd file (every edit allocates a block);\n");
    printf("   'data' is 4 GiB of real data (edits rewrite allocated blocks). write ms:\n");
    printf("   wall time around doc_write (its own DocWriteResult.ns beside it). RssAnon:\n");
    printf("   the case process's private memory before the edits / after them / after\n");
    printf("   the write (copy mode holds one private page per edited page until written).\n");
    printf("   Baseline: the same 4 GiB written sequentially in this run (1 MiB pwrites:\n");
    printf("   %.2f s, fsync: %.2f s; %.2f s in all, %.0f MiB/s), what saving the whole file\n",
           (double)wr_ns / 1e9, (double)sync_ns / 1e9, (double)base_ns / 1e9,
           (double)WRITE_SIZE / (double)MIB / ((double)base_ns / 1e9));
    printf("   costs; 'vs 4 GiB' is the baseline's time over the write's.\n\n");
    printf("  %7s %-6s %9s %10s %10s %9s %8s %9s %10s %22s\n", "edits", "file", "puts ms",
           "write ms", "(doc ns)", "bytes", "runs", "us/edit", "vs 4 GiB", "RssAnon KiB");
    for (size_t i = 0; i < NC; i++) {
        for (int k = 0; k < 2; k++) {
            const EditRes *e = k ? &sparse[i] : &real[i];
            char nb[16];
            snprintf(nb, sizeof nb, "%lu", counts[i]);
            if (k && counts[i] > SPARSE_MAX_EDITS) {
                printf("  %7s %-6s skipped (see below)\n", "", "sparse");
                continue;
            }
            if (!e->ok) {
                printf("  %7s %-6s FAILED: %s\n", k ? "" : nb, k ? "sparse" : "data", e->err);
                continue;
            }
            char rss[48], dn[24];
            snprintf(rss, sizeof rss, "%" PRIu64 " / %" PRIu64 " / %" PRIu64, e->anon0, e->anon1,
                     e->anon2);
            snprintf(dn, sizeof dn, "%.2f", ms(e->doc_ns));
            printf("  %7s %-6s %9.2f %10.2f %10s %9" PRIu64 " %8" PRIu64 " %9.2f %9.0fx %22s\n",
                   k ? "" : nb, k ? "sparse" : "data", ms(e->put_ns), ms(e->write_ns), dn, e->bytes,
                   e->runs, (double)e->write_ns / 1e3 / (double)counts[i],
                   (double)base_ns / (double)(e->write_ns ? e->write_ns : 1), rss);
        }
    }
    printf("   (doc ns) is DocWriteResult.ns in ms; us/edit is the write's time per edit.\n");
    printf("   A UI tick's doc_refresh with the edits unwritten (fstat, a stat of the path,\n");
    printf("   at most 64 KiB of net bytes checked against the map), median of %d:\n",
           REFRESH_RUNS);
    for (size_t i = 0; i < NC; i++)
        if (real[i].ok)
            printf("     %7lu edits: %.1f us\n", counts[i], (double)real[i].refresh_ns / 1e3);
    printf("   puts ms on the sparse file is mostly the kernel reading around each first\n");
    printf("   touch of a hole (doc_put reads the old byte through the map: 8 MiB of zeros\n");
    printf("   per fault with this disk's readahead). Blocks the edits allocated in the\n");
    printf("   sparse file: ");
    for (size_t i = 0; i < NC; i++)
        if (sparse[i].ok)
            printf("%s%lu edits %" PRIu64 " KiB", i ? ", " : "", counts[i],
                   (sparse[i].blocks1 - sparse[i].blocks0) / 2);
    printf(". Over %d edits the sparse\n", SPARSE_MAX_EDITS);
    printf("   file is skipped: it would be left with one extent per edit, and unlinking\n");
    printf("   that on a file system mounted with 'discard' (as here) issues a discard per\n");
    printf("   extent: from seconds to minutes for 100,000, which is not the editor's cost.\n");
}

/* ---- report 3: memory while paging ---------------------------------------- */

typedef struct PageRes {
    bool ok;
    uint64_t ns, cursor, cached, readahead;
    uint64_t anon0, file0, pte0, hwm0, anon1, file1, pte1, hwm1;
    char mode[16];
    char err[200];
} PageRes;

static void run_page(const char *self, const char *path, unsigned screens, const char *how,
                     const char *advice, PageRes *p)
{
    memset(p, 0, sizeof *p);
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, self);
    bu_cmd_add(&c, "--page");
    bu_cmd_addf(&c, "%u", screens);
    bu_cmd_add(&c, path);
    bu_cmd_add(&c, "24");
    bu_cmd_add(&c, "80");
    bu_cmd_add(&c, how);
    bu_cmd_add(&c, advice);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    p->ok = bu_exited(r, 0) && bu_kv_u64(r->out, "ns", &p->ns) &&
            bu_kv_u64(r->out, "cursor", &p->cursor) && bu_kv_u64(r->out, "anon0", &p->anon0) &&
            bu_kv_u64(r->out, "file0", &p->file0) && bu_kv_u64(r->out, "pte0", &p->pte0) &&
            bu_kv_u64(r->out, "hwm0", &p->hwm0) && bu_kv_u64(r->out, "anon1", &p->anon1) &&
            bu_kv_u64(r->out, "file1", &p->file1) && bu_kv_u64(r->out, "pte1", &p->pte1) &&
            bu_kv_u64(r->out, "hwm1", &p->hwm1) && bu_kv_u64(r->out, "cached", &p->cached) &&
            bu_kv_u64(r->out, "readahead", &p->readahead) &&
            bu_kv_word(r->out, "mode", p->mode, sizeof p->mode);
    if (!p->ok)
        bu_first_line(r, "==", p->err, sizeof p->err);
    free(r);
}

static void report_memory(const char *self, const char *huge, uint64_t huge_size)
{
    static const struct {
        const char *how, *advice, *name;
        unsigned screens;
    } cases[] = {
        {"pgdn", "normal", "PgDn", SCREENS},
        {"jump", "random", "goto +1G", SCREENS},
        {"jump", "normal", "goto +1G", JUMP_NORMAL_SCREENS},
    };
    enum { NC = sizeof cases / sizeof cases[0] };
    PageRes res[NC];
    for (int i = 0; i < NC; i++) {
        bu_progress("memory: %u screens, %s, advice %s ...", cases[i].screens, cases[i].name,
                    cases[i].advice);
        /* A fresh file each time: the last case's page cache goes with it. */
        remove_file(huge);
        bu_make_sparse_file(huge, huge_size);
        run_page(self, huge, cases[i].screens, cases[i].how, cases[i].advice, &res[i]);
    }
    bu_progress_done();
    uint64_t ra = 0;
    for (int i = 0; i < NC; i++)
        ra = res[i].ok ? res[i].readahead : ra;
    char *hname = bu_huge_name(HUGE_SIZE, huge_size);
    printf("\n3. Memory while paging through the %s sparse file at 80x24, in-process\n", hname);
    printf("   (cmd_key PgDn, or cmd_run \"goto +1G\", then cmd_frame, per screen), each case\n");
    printf("   in a process of its own on a freshly made file, after `advise ADVICE`.\n");
    printf("   KiB from /proc/self/status after the first frame -> after the last. RssAnon\n");
    printf("   is the editor's own memory (limit %d KiB); RssFile is mapped page-cache pages\n",
           ANON_LIMIT_KIB);
    printf("   (holes read as zero pages), which count in RSS but belong to the kernel's\n");
    printf("   cache; VmPTE is page tables. 'cached': the file's pages in the page cache at\n");
    printf("   the end (resid_count, one cachestat), mapped or not.\n\n");
    printf("  %-9s %-6s %7s %14s %7s %-11s %-13s %-15s %-13s %9s %s\n", "stride", "advice",
           "screens", "final offset", "us/scr", "RssAnon", "RssFile", "VmPTE", "VmHWM", "cached",
           "RssAnon<8M");
    for (int i = 0; i < NC; i++) {
        const PageRes *p = &res[i];
        if (!p->ok) {
            printf("  %-9s %-6s FAILED: %s\n", cases[i].name, cases[i].advice, p->err);
            continue;
        }
        char a[32], f[32], t[32], h[32], off[24], cached[24];
        snprintf(a, sizeof a, "%" PRIu64 "->%" PRIu64, p->anon0, p->anon1);
        snprintf(f, sizeof f, "%" PRIu64 "->%" PRIu64, p->file0, p->file1);
        snprintf(t, sizeof t, "%" PRIu64 "->%" PRIu64, p->pte0, p->pte1);
        snprintf(h, sizeof h, "%" PRIu64 "->%" PRIu64, p->hwm0, p->hwm1);
        snprintf(off, sizeof off, "0x%" PRIx64, p->cursor);
        if (p->cached == UINT64_MAX)
            snprintf(cached, sizeof cached, "?");
        else
            snprintf(cached, sizeof cached, "%.1f MiB", (double)p->cached * 4096.0 / (double)MIB);
        bool pass = p->anon0 < ANON_LIMIT_KIB && p->anon1 < ANON_LIMIT_KIB;
        printf("  %-9s %-6s %7u %14s %7.1f %-11s %-13s %-15s %-13s %9s %s\n", cases[i].name,
               cases[i].advice, cases[i].screens, off, (double)p->ns / 1e3 / cases[i].screens, a, f,
               t, h, cached, pass ? "yes" : "NO");
    }
    printf("   mode: %s. us/scr: time per key or goto plus its frame.\n",
           res[0].ok ? res[0].mode : "?");
    printf("   Advice normal is mmhex's default: a fault in a hole reads around the\n");
    printf("   readahead window (%" PRIu64 " KiB here, read_ahead_kb of the disk), so every far\n",
           ra / KIB);
    printf("   jump puts that much of zeros into the page cache; %u jumps are done that\n",
           JUMP_NORMAL_SCREENS);
    printf("   way (%u would push ~%" PRIu64 " GiB through it), %u with advice random.\n", SCREENS,
           ra * SCREENS / GIB, SCREENS);
    free(hname);
}

/* ---- report 4: key-to-screen latency through tmux --------------------------- */

/* A tmux control-mode client (tmux -C) on a pipe: commands go in one line
 * each; each answer comes back between %begin and %end (or %error) lines;
 * lines outside those blocks are notifications and are skipped. */
typedef struct Tmux {
    pid_t pid;    /* the control client, our child */
    pid_t server; /* the server, as it reports itself */
    int to, from;
    char buf[1 << 16];
    size_t len;
} Tmux;

/* One line (without the newline) into line; false on timeout. */
static bool tm_line(Tmux *t, char *line, size_t n, uint64_t deadline)
{
    for (;;) {
        char *nl = memchr(t->buf, '\n', t->len);
        if (nl) {
            size_t w = (size_t)(nl - t->buf);
            size_t k = w < n - 1 ? w : n - 1;
            memcpy(line, t->buf, k);
            line[k] = '\0';
            memmove(t->buf, nl + 1, t->len - w - 1);
            t->len -= w + 1;
            return true;
        }
        if (t->len == sizeof t->buf) /* a line longer than the buffer: drop it */
            t->len = 0;
        uint64_t now = bu_now_ns();
        if (now >= deadline)
            return false;
        struct pollfd pfd = {t->from, POLLIN, 0};
        int rc = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            bu_die("poll: %s", strerror(errno));
        if (rc == 0)
            continue;
        ssize_t r = read(t->from, t->buf + t->len, sizeof t->buf - t->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            bu_die("read from tmux: %s", strerror(errno));
        if (r == 0)
            bu_die("tmux control client exited");
        t->len += (size_t)r;
    }
}

static void tm_send(Tmux *t, const char *cmd)
{
    size_t cl = strlen(cmd);
    char *msg = bu_xmalloc(cl + 2);
    memcpy(msg, cmd, cl);
    msg[cl] = '\n';
    for (size_t off = 0; off < cl + 1;) {
        ssize_t w = write(t->to, msg + off, cl + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            bu_die("write to tmux: %s", strerror(errno));
        off += (size_t)w;
    }
    free(msg);
}

/* Read the answer to the oldest command sent and not yet answered: its
 * output lines, joined by '\n', into out. Blocks whose %begin flags are not
 * 1 (the server's own, like the start-up command's) are skipped. true for
 * %end, false for %error (out then holds the message). */
static bool tm_answer(Tmux *t, const char *cmd, char *out, size_t n)
{
    uint64_t deadline = bu_now_ns() + LAT_TIMEOUT_NS;
    char line[4096], tag[64];
    for (;;) {
        for (;;) { /* skip notifications up to a block */
            if (!tm_line(t, line, sizeof line, deadline))
                bu_die("tmux did not answer '%.60s'", cmd);
            if (strncmp(line, "%begin ", 7) == 0)
                break;
        }
        size_t tl = strnlen(line + 7, sizeof tag - 1); /* "TIME NUMBER FLAGS" */
        memcpy(tag, line + 7, tl);
        tag[tl] = '\0';
        const char *flags = strrchr(tag, ' ');
        bool ours = flags && strcmp(flags, " 1") == 0;
        size_t used = 0;
        if (n)
            out[0] = '\0';
        for (;;) {
            if (!tm_line(t, line, sizeof line, deadline))
                bu_die("tmux did not finish answering '%.60s'", cmd);
            bool end = strncmp(line, "%end ", 5) == 0 && strcmp(line + 5, tag) == 0;
            bool error = strncmp(line, "%error ", 7) == 0 && strcmp(line + 7, tag) == 0;
            if (end || error) {
                if (ours)
                    return end;
                break; /* not an answer to us: wait for the next block */
            }
            int k = snprintf(out + used, n > used ? n - used : 0, "%s%s", used ? "\n" : "", line);
            if (k > 0 && used + (size_t)k < n)
                used += (size_t)k;
        }
    }
}

/* Run one command; see tm_answer. */
static bool tm_cmd(Tmux *t, const char *cmd, char *out, size_t n)
{
    tm_send(t, cmd);
    return tm_answer(t, cmd, out, n);
}

static void tm_cmdf(Tmux *t, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tm_cmdf(Tmux *t, char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = bu_xvasprintf(fmt, ap);
    va_end(ap);
    char small[512];
    if (!tm_cmd(t, cmd, out ? out : small, out ? n : sizeof small))
        bu_die("tmux: %s: %s", cmd, out ? out : small);
    free(cmd);
}

static void tm_start(Tmux *t, const char *exe, const char *sock)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
        bu_die("pipe2: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    bu_spawn_actions(&fa, in[0], out[1], -1);
    /* The control client's own session runs a sleeper; the editors get a
     * session of their own, so their output is not sent to us. */
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, exe);
    bu_cmd_add(&c, "-S");
    bu_cmd_add(&c, sock);
    bu_cmd_add(&c, "-f");
    bu_cmd_add(&c, "/dev/null");
    bu_cmd_add(&c, "-C");
    bu_cmd_add(&c, "new-session");
    bu_cmd_add(&c, "-s");
    bu_cmd_add(&c, "ctl");
    bu_cmd_add(&c, "sleep 86400");
    fflush(stdout);
    tmux_started = true;
    int e = posix_spawn(&t->pid, exe, &fa, NULL, c.argv, environ);
    if (e != 0)
        bu_die("posix_spawn %s: %s", exe, strerror(e));
    bu_cmd_free(&c);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    t->to = in[1];
    t->from = out[0];
    t->len = 0;
    t->server = 0;
    tmux_client = t->pid;
    tmux_ctl = t->to;
    /* Make sure the next answer is to our next command: one marker, read
     * until it comes back (the start-up command's block has flags 0 and is
     * skipped anyway). */
    const char *marker = "mmhex-bench-sync";
    char cmd[64], got[256];
    snprintf(cmd, sizeof cmd, "display-message -p %s", marker);
    tm_send(t, cmd);
    for (int i = 0; i < 4; i++) {
        tm_answer(t, cmd, got, sizeof got);
        if (strcmp(got, marker) == 0) {
            tm_cmd(t, "display-message -p '#{pid}'", got, sizeof got);
            t->server = (pid_t)atol(got);
            tmux_server = t->server > 0 ? t->server : -1;
            /* For run.sh's trap, should this process die without cleaning
             * up: the pids to end (both are tmux processes). */
            free(tmux_pidfile);
            tmux_pidfile = bu_xasprintf("%s.pids", sock);
            FILE *f = fopen(tmux_pidfile, "w");
            if (f) {
                fprintf(f, "%ld %ld\n", (long)tmux_server, (long)tmux_client);
                fclose(f);
            }
            return;
        }
    }
    bu_die("could not talk to tmux in control mode");
}

/* Close the control client's input (it detaches and exits), then end the
 * server (see kill_tmux_server). */
static void tm_stop(Tmux *t)
{
    kill_tmux_server(); /* closes t->to: it is tmux_ctl */
    close(t->from);
}

typedef struct Peer {
    const char *name;
    const char *exe;  /* absolute path, NULL when not installed */
    const char *args; /* options before FILE */
    char start[64];   /* text of the first screen */
    char want[3][64]; /* text after 1 key, 2 keys, LAT_KEYS keys */
} Peer;

typedef struct LatRes {
    unsigned runs;
    uint64_t med, min, max; /* ns */
    uint64_t polls;         /* capture-pane round trips in the last run */
    uint64_t poll_ns;       /* median round trip */
    char err[256];
} LatRes;

/* The line of screen holding needle (for error reports). */
static void line_with(const char *screen, const char *needle, char *buf, size_t n)
{
    const char *p = strstr(screen, needle);
    if (!p) {
        /* the last non-empty line: every editor here keeps a status there */
        const char *last = screen;
        for (const char *q = screen; *q; q++)
            if (*q == '\n' && q[1] && q[1] != '\n')
                last = q + 1;
        p = last;
    } else {
        while (p > screen && p[-1] != '\n')
            p--;
    }
    size_t w = strcspn(p, "\n");
    if (w >= n)
        w = n - 1;
    memcpy(buf, p, w);
    buf[w] = '\0';
}

/* Capture the pane until it shows want (true) or the deadline passes. */
static bool wait_screen(Tmux *t, const char *want, uint64_t deadline, char *screen, size_t n,
                        uint64_t *polls, uint64_t *rtt)
{
    uint64_t k = 0;
    uint64_t *rt = rtt ? bu_xmalloc(sizeof *rt * 65536) : NULL;
    bool found = false;
    for (;;) {
        uint64_t t0 = bu_now_ns();
        if (!tm_cmd(t, "capture-pane -p -t ed", screen, n))
            bu_die("tmux capture-pane: %s", screen);
        uint64_t t1 = bu_now_ns();
        if (rt && k < 65536)
            rt[k] = t1 - t0;
        k++;
        if (strstr(screen, want)) {
            found = true;
            break;
        }
        if (t1 >= deadline)
            break;
    }
    if (polls)
        *polls = k;
    if (rtt)
        *rtt = bu_median(rt, k < 65536 ? k : 65536);
    free(rt);
    return found;
}

static bool pane_dead(Tmux *t)
{
    char out[64];
    tm_cmdf(t, out, sizeof out, "display-message -p -t ed '#{pane_dead}'");
    return strcmp(out, "1") == 0;
}

/* LAT_RUNS runs of one editor at one key count, a fresh editor each. */
static void run_latency(Tmux *t, const Peer *p, const char *file, int which, LatRes *lr)
{
    unsigned keys = which ? LAT_KEYS : 1;
    uint64_t v[LAT_RUNS];
    size_t cap = 1 << 15;
    char *screen = bu_xmalloc(cap);
    memset(lr, 0, sizeof *lr);
    char *keycmd = bu_xmalloc(16 + 6 * (size_t)keys);
    size_t kl = (size_t)sprintf(keycmd, "send-keys -t ed");
    for (unsigned i = 0; i < keys; i++)
        kl += (size_t)sprintf(keycmd + kl, " NPage");
    for (unsigned run = 0; run < LAT_RUNS; run++) {
        tm_cmdf(t, NULL, 0, "respawn-pane -k -t ed \"exec '%s' %s '%s'\"", p->exe, p->args, file);
        uint64_t deadline = bu_now_ns() + LAT_TIMEOUT_NS;
        if (!wait_screen(t, p->start, deadline, screen, cap, NULL, NULL)) {
            char l[128];
            line_with(screen, p->start, l, sizeof l);
            snprintf(lr->err, sizeof lr->err, "never showed '%s' at start%s (last line: %s)",
                     p->start, pane_dead(t) ? "; it exited" : "", l);
            break;
        }
        bu_sleep_ns(LAT_SETTLE_NS); /* let start-up finish: only keys are timed */
        char out[256];
        if (!which) {
            /* The single key is the second PgDn: the first only moves
             * tweak's cursor down its screen, the second redraws in every
             * editor. The first goes untimed. */
            if (!tm_cmd(t, keycmd, out, sizeof out))
                bu_die("tmux send-keys: %s", out);
            if (!wait_screen(t, p->want[0], bu_now_ns() + LAT_TIMEOUT_NS, screen, cap, NULL,
                             NULL)) {
                char l[128];
                line_with(screen, p->want[0], l, sizeof l);
                snprintf(lr->err, sizeof lr->err, "never showed '%s' (last line: %s)", p->want[0],
                         l);
                break;
            }
            bu_sleep_ns(LAT_SETTLE_NS / 3);
        }
        const char *want = p->want[which ? 2 : 1];
        uint64_t t0 = bu_now_ns();
        if (!tm_cmd(t, keycmd, out, sizeof out))
            bu_die("tmux send-keys: %s", out);
        bool ok = wait_screen(t, want, t0 + LAT_TIMEOUT_NS, screen, cap, &lr->polls, &lr->poll_ns);
        uint64_t t1 = bu_now_ns();
        if (!ok) {
            char l[128];
            line_with(screen, want, l, sizeof l);
            snprintf(lr->err, sizeof lr->err, "never showed '%s' (last line: %s)", want, l);
            break;
        }
        v[lr->runs++] = t1 - t0;
    }
    if (lr->runs) {
        lr->min = lr->max = v[0];
        for (unsigned i = 0; i < lr->runs; i++) {
            lr->min = v[i] < lr->min ? v[i] : lr->min;
            lr->max = v[i] > lr->max ? v[i] : lr->max;
        }
        lr->med = bu_median(v, lr->runs);
    }
    free(keycmd);
    free(screen);
}

/* Where mmhex's cursor lands after `keys` PgDn at rows x cols, from the core
 * itself (so the expected screen follows any change to the paging rules). */
static uint64_t mmhex_after(const char *file, unsigned keys)
{
    Editor e;
    editor_open(&e, file, MMH_MODE_READONLY, LAT_ROWS, LAT_COLS);
    for (unsigned i = 0; i < keys; i++)
        cmd_key(e.s, MMH_KEY_PGDN);
    uint64_t c = cmd_view(e.s)->cursor;
    editor_close(&e);
    return c;
}

static void report_latency(const Tools *tl, const char *dir)
{
    printf("\n4. Key-to-screen latency: each editor at %dx%d in a private tmux server on a\n",
           LAT_COLS, LAT_ROWS);
    printf("   64 MiB file of real data (page-cache warm). One send-keys with %d PgDn keys\n",
           LAT_KEYS);
    printf("   (and one with a single PgDn, '1 (2nd)': the second of two, as tweak's first\n");
    printf("   PgDn only moves its cursor down the screen), timed from writing the command\n");
    printf("   to tmux until capture-pane first shows the offset the last page must show\n");
    printf("   (mmhex's from the core itself: 200 cmd_key PgDn at 80x24); the pane is\n");
    printf("   polled in a tight loop over tmux's control mode (one pipe round trip per\n");
    printf("   poll). %d runs each, a fresh editor per run, timed after its first screen\n",
           LAT_RUNS);
    printf("   has settled for %.0f ms. Baselines: tweak and hexedit, the same way.\n",
           ms(LAT_SETTLE_NS));
    if (!tl->tmux) {
        printf("   tmux not installed: skipped.\n");
        return;
    }
    if (!tl->mmhex)
        printf("   mmhex not given (--mmhex PATH): its rows are skipped.\n");

    char *file = bu_xasprintf("%s/latency-64m.bin", dir);
    make_data_file(file, LAT_SIZE, NULL, NULL);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bu_die("open %s: %s", file, strerror(errno));
    uint8_t *buf = bu_xmalloc(IO_BUF);
    while (read(fd, buf, IO_BUF) > 0) /* warm the page cache */
        ;
    free(buf);
    close(fd);

    /* What each editor shows, at 80x24 with 16 bytes a row:
     *  mmhex    status row "0x%08x/0x4000000": the cursor, which PgDn moves by
     *           the data rows (rows - 4); from the core itself;
     *  tweak    status row "posn=0x%X": PgDn moves rows - 3 rows;
     *  hexedit  status row "--0x%X/0x4000000--": PgDn moves rows - 1 rows. */
    Peer peers[3] = {
        {"mmhex", tl->mmhex, "", "", {"", "", ""}},
        {"tweak", tl->tweak, "", "posn=0x0 ", {"", "", ""}},
        {"hexedit", tl->hexedit, "", "--0x0/0x4000000--", {"", "", ""}},
    };
    int ow = view_offset_width(LAT_SIZE);
    snprintf(peers[0].start, sizeof peers[0].start, "0x%0*x/0x%" PRIx64, ow, 0, LAT_SIZE);
    static const unsigned wkeys[3] = {1, 2, LAT_KEYS};
    for (int w = 0; w < 3; w++) {
        uint64_t keys = wkeys[w];
        snprintf(peers[0].want[w], sizeof peers[0].want[w], "0x%0*" PRIx64 "/0x%" PRIx64, ow,
                 mmhex_after(file, (unsigned)keys), LAT_SIZE);
        snprintf(peers[1].want[w], sizeof peers[1].want[w], "posn=0x%" PRIX64 " ",
                 keys * (LAT_ROWS - 3) * 16);
        snprintf(peers[2].want[w], sizeof peers[2].want[w], "--0x%" PRIX64 "/0x%" PRIX64 "--",
                 keys * (LAT_ROWS - 1) * 16, LAT_SIZE);
    }

    tmux_sock = bu_xasprintf("%s/tmux.sock", dir);
    tmux_exe = bu_xstrdup(tl->tmux);
    Tmux *t = bu_xmalloc(sizeof *t);
    tm_start(t, tl->tmux, tmux_sock);
    tm_cmdf(t, NULL, 0, "set-option -g remain-on-exit on");
    tm_cmdf(t, NULL, 0, "new-session -d -s ed -x %d -y %d 'sleep 86400'", LAT_COLS, LAT_ROWS);

    LatRes res[3][2];
    for (int i = 0; i < 3; i++) {
        for (int w = 0; w < 2; w++) {
            memset(&res[i][w], 0, sizeof res[i][w]);
            if (!peers[i].exe)
                continue;
            bu_progress("latency: %s, %u key%s ...", peers[i].name, w ? LAT_KEYS : 1, w ? "s" : "");
            run_latency(t, &peers[i], file, w, &res[i][w]);
        }
    }
    bu_progress_done();
    tm_stop(t);
    free(t);
    remove_file(file);
    free(file);

    int base = res[1][1].runs ? 1 : res[2][1].runs ? 2 : -1;
    printf("\n  %-8s %7s %4s %9s %8s %8s %7s %8s  %-26s %s\n", "editor", "keys", "runs",
           "median ms", "min ms", "max ms", "polls", "poll us", "waited for", "speed");
    for (int i = 0; i < 3; i++) {
        for (int w = 1; w >= 0; w--) {
            const LatRes *r = &res[i][w];
            unsigned keys = w ? LAT_KEYS : 1;
            if (!peers[i].exe) {
                if (w)
                    printf("  %-8s %7s %s\n", peers[i].name, "",
                           i == 0 ? "not run (no --mmhex)" : "not installed");
                continue;
            }
            if (!r->runs) {
                printf("  %-8s %7u FAILED: %s\n", w ? peers[i].name : "", keys, r->err);
                continue;
            }
            char vs[32] = "-";
            if (base >= 0 && res[base][w].runs) {
                if (i == base)
                    snprintf(vs, sizeof vs, "baseline");
                else if (r->med > res[base][w].med)
                    snprintf(vs, sizeof vs, "%.2fx slower",
                             (double)r->med / (double)res[base][w].med);
                else
                    snprintf(vs, sizeof vs, "%.2fx faster",
                             (double)res[base][w].med / (double)r->med);
            }
            char kn[16];
            snprintf(kn, sizeof kn, w ? "%u" : "%u (2nd)", keys);
            printf("  %-8s %7s %4u %9.1f %8.1f %8.1f %7" PRIu64 " %8.0f  %-26s %s\n",
                   w ? peers[i].name : "", kn, r->runs, ms(r->med), ms(r->min), ms(r->max),
                   r->polls, (double)r->poll_ns / 1e3, peers[i].want[w ? 2 : 1], vs);
            if (r->err[0])
                printf("  %-8s %7s note: %s\n", "", "", r->err);
        }
    }
    printf("   polls and poll us: capture-pane round trips in the last run and their median\n");
    printf("   time (the resolution). Speed: against %s's median at the same key count.\n",
           base == 1   ? "tweak"
           : base == 2 ? "hexedit"
                       : "(no baseline editor)");
}

/* ---- main ----------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_editor [--mmhex PATH] [--only render,write,memory,latency] DIR\n"
               "  Benchmarks the editor on files it creates in DIR (up to about 4 GiB of\n"
               "  real data at a time; DIR should be on the disk under test) and removes\n"
               "  them. tests/bench/run.sh runs it for `make bench`.\n");
}

static bool wanted(const char *only, const char *part)
{
    if (!only)
        return true;
    size_t pl = strlen(part);
    for (const char *p = only; *p;) {
        size_t w = strcspn(p, ",");
        if (w == pl && strncmp(p, part, w) == 0)
            return true;
        p += w + (p[w] == ',');
    }
    return false;
}

static int bench_main(int argc, char **argv)
{
    const char *mmhex = NULL, *dir = NULL, *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mmhex") == 0 && i + 1 < argc) {
            mmhex = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
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
    t.mmhex = bu_exe_path(mmhex, "its rows are skipped");
    t.valgrind = bu_find_in_path("valgrind");
    t.tmux = bu_find_in_path("tmux");
    t.tweak = bu_find_in_path("tweak");
    t.hexedit = bu_find_in_path("hexedit");

    bu_set_cleanup_owner();
    bu_set_cleanup_hook(kill_tmux_server);
    bu_catch_signals();
    print_header(dir, &t);

    char *small = bu_xasprintf("%s/small-1k.bin", dir);
    char *mid = bu_xasprintf("%s/sparse-32g.bin", dir);
    char *huge = bu_xasprintf("%s/sparse-16t.bin", dir);
    uint64_t huge_size = 0;
    bool need_files = wanted(only, "render") || wanted(only, "memory");
    if (need_files) {
        make_data_file(small, SMALL_SIZE, NULL, NULL);
        huge_size = bu_make_sparse_file(huge, HUGE_SIZE);
    }
    if (wanted(only, "render")) {
        bu_make_sparse_file(mid, CG_SIZE);
        report_render(self, &t, dir, small, mid, huge, huge_size);
        remove_file(mid);
    }
    if (wanted(only, "write"))
        report_write(self, dir);
    if (wanted(only, "memory"))
        report_memory(self, huge, huge_size);
    if (need_files) {
        remove_file(small);
        remove_file(huge);
    }
    if (wanted(only, "latency"))
        report_latency(&t, dir);

    bu_remove_files();
    free(small);
    free(mid);
    free(huge);
    free(t.mmhex);
    free(t.valgrind);
    free(t.tmux);
    free(t.tweak);
    free(t.hexedit);
    free(tmux_exe);
    free(tmux_sock);
    free(tmux_pidfile);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    bu_init("bench_editor", OUT_MAX);
    if (argc == 6 && strcmp(argv[1], "--frames") == 0)
        return child_frames(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 8 && strcmp(argv[1], "--page") == 0)
        return child_page(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7]);
    if (argc == 4 && strcmp(argv[1], "--edits") == 0)
        return child_edits(argv[2], argv[3]);
    return bench_main(argc, argv);
}
