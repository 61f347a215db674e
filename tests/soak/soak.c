/*
 * soak: a model-based random tester for "nothing lost, ever" (issue 8).
 *
 * Each session opens a small file (0 to a few pages) in one mode (read-only,
 * copy, shared), in batch mode (SessionOpts.batch, what `mmhex -e` does) or
 * as the UI does (cmd_key for edit-mode typing, cmd_tick and cmd_frame
 * between keys), and runs random commands: goto, put, puttext, edit-mode
 * typing in both panes (at and past the last byte too), undo, redo, write,
 * quit. Between commands a forked child plays another process: it writes
 * bytes in place, truncates shorter, grows, appends, rewrites the file at
 * the same size (open O_TRUNC then write, `cat other > f`), truncates to 0
 * and back, renames a new file over the path, or deletes it. The editor
 * gets one cmd_tick after each event (sometimes after two), as the UI
 * ticks several times a second.
 *
 * A shadow model predicts everything the contract fixes: the bytes on disk
 * (other processes' writes included), the edit journal (undo groups, the
 * undo pointer), which bytes are net changes (touched since the last write
 * and different from their value then), what a copy-mode write sends and
 * what it says, the frozen private copy a copy-mode page shows while it
 * holds unwritten edits, the messages for truncation, lost bytes,
 * re-applied edits and a replaced or deleted file. Where the contract
 * leaves a choice to the implementation the model keeps every allowed
 * answer (a byte's view unknown, a set of possible "values at the last
 * write") and checks only what is certain. After every step: the result
 * code and message, the editor's view of every certain byte (via `dump` in
 * batch sessions, doc_read otherwise), and the file on disk read with
 * pread from a fresh descriptor.
 *
 * Each session runs in a forked child, so a crash (or a sanitizer report)
 * is counted and the parent still prints the session's history. A
 * divergence prints the seed, the step, the history as a script that
 * --replay runs again, and what was expected against what happened.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "doc.h"
#include "journal.h"
#include "keymap.h"
#include "map.h"
#include "view.h"

#define PS 4096u                /* page size the model assumes */
#define MAXF (5u * PS)          /* largest file a session makes */
#define NPAGES (MAXF / PS + 1)  /* pages the model tracks */
#define MAXSTEPS 4096           /* history kept per session */
#define TICK_BUDGET 20000000ull /* ns per cmd_tick, as the UI gives */
#define FULL_REPORTS 8          /* divergences reported with their history */
#define EXIT_DIVERGED 3         /* a session child's exit code on divergence */
#define DETACHED_STEPS 8        /* steps a session goes on after its file is replaced */

/* ---- random numbers (splitmix64) ---------------------------------------- */

static uint64_t rng_state;

static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
    return n ? (uint32_t)(mix(&rng_state) % n) : 0;
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

/* n bytes from seed, independent of the session's stream. */
static void gen_bytes(uint64_t seed, uint8_t *p, size_t n)
{
    uint64_t s = seed * 0x2545f4914f6cdd1dull + 1;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)mix(&s);
}

/* ---- steps: what a session does, as a replayable script line ------------ */

typedef enum StepKind { S_CMD, S_KEY, S_TICK, S_EXT } StepKind;

typedef enum ExtKind {
    EX_POKE,    /* write bytes in place: a OFF, b LEN */
    EX_SHRINK,  /* truncate to a (shorter) */
    EX_GROW,    /* truncate to a (longer) */
    EX_APPEND,  /* append a bytes */
    EX_REWRITE, /* open O_TRUNC, write the same size: a 0 same bytes, 1 a few changed, 2 new */
    EX_TRUNC0,  /* truncate to 0, then back to the size */
    EX_RENAME,  /* a new file of a bytes renamed over the path */
    EX_DELETE,  /* unlink the path */
    EX_COUNT
} ExtKind;

static const char *const ext_names[EX_COUNT] = {
    "poke", "shrink", "grow", "append", "rewrite", "trunc0", "rename", "delete",
};

typedef struct Step {
    StepKind kind;
    char line[256]; /* S_CMD: the command line */
    int key;        /* S_KEY: an MMH_KEY_* code or a character */
    ExtKind ext;    /* S_EXT */
    uint32_t a, b;  /* S_EXT parameters */
    uint64_t seed;  /* S_EXT: seed of the bytes written */
} Step;

static void step_text(const Step *st, char *buf, size_t n)
{
    char name[32];
    switch (st->kind) {
    case S_CMD: snprintf(buf, n, "cmd %s", st->line); break;
    case S_KEY:
        snprintf(buf, n, "key %d %s", st->key, keymap_name(st->key, name, sizeof name));
        break;
    case S_TICK: snprintf(buf, n, "tick"); break;
    case S_EXT:
        snprintf(buf, n, "ext %s %" PRIu32 " %" PRIu32 " %" PRIu64, ext_names[st->ext], st->a,
                 st->b, st->seed);
        break;
    }
}

static int step_parse(const char *line, Step *st)
{
    memset(st, 0, sizeof *st);
    if (!strncmp(line, "cmd ", 4)) {
        st->kind = S_CMD;
        snprintf(st->line, sizeof st->line, "%s", line + 4);
        st->line[strcspn(st->line, "\n")] = 0;
        return 0;
    }
    if (!strncmp(line, "key ", 4)) {
        st->kind = S_KEY;
        st->key = (int)strtol(line + 4, NULL, 10);
        return 0;
    }
    if (!strncmp(line, "tick", 4)) {
        st->kind = S_TICK;
        return 0;
    }
    if (!strncmp(line, "ext ", 4)) {
        char w[32];
        st->kind = S_EXT;
        if (sscanf(line + 4, "%31s %" SCNu32 " %" SCNu32 " %" SCNu64, w, &st->a, &st->b,
                   &st->seed) != 4)
            return -1;
        for (int k = 0; k < EX_COUNT; k++)
            if (!strcmp(w, ext_names[k])) {
                st->ext = (ExtKind)k;
                return 0;
            }
    }
    return -1;
}

/* ---- the model ---------------------------------------------------------- */

typedef struct Rec {
    uint32_t off, len;
    uint8_t *old, *nw; /* bytes before and after */
} Rec;

typedef struct Group {
    Rec *r;
    size_t n, cap;
} Group;

enum { PG_UNFROZEN, PG_FROZEN, PG_UNKNOWN };
enum { NET_NO, NET_YES, NET_MAYBE };

typedef struct Model {
    MmhMode mode;
    bool batch;
    /* the file at the path */
    uint8_t disk[MAXF]; /* bytes; 0 past dsize */
    uint32_t dsize;
    bool exists;
    /* the editor */
    uint32_t esize; /* the size the editor knows */
    bool detached;  /* its file was replaced or deleted */
    int detached_steps;
    uint64_t cursor;
    int nibble;
    bool edit;           /* in edit mode */
    int pane;            /* MMH_PANE_HEX or MMH_PANE_TEXT */
    bool at_end_done;    /* edit mode typed the whole last byte */
    bool journal_unsure; /* shared mode after a rewrite: the journal may be gone */
    Group *g;
    size_t ng, gcap, applied;
    bool open; /* the newest applied group takes the next typed byte */
    /* copy mode, per byte */
    uint8_t touched[MAXF]; /* touched (edit, undo, redo) since the last write */
    uint8_t cur[MAXF];     /* the journal's value of a touched byte */
    uint8_t vknown[MAXF];  /* the mapping is known to hold cur */
    uint8_t nbase[MAXF];   /* possible values "at the last write" */
    uint8_t base[MAXF][4];
    uint8_t soft[MAXF];  /* a "nothing to write" since: the base may move */
    uint8_t wrote[MAXF]; /* written by the last write, as wval */
    uint8_t wval[MAXF];
    uint8_t jval[MAXF]; /* the journal's belief of a byte it touched */
    uint8_t jknown[MAXF];
    uint8_t pstate[NPAGES];
    uint8_t snap[MAXF], snapk[MAXF]; /* a frozen page's private copy */
    /* events since the last tick */
    bool any_trunc;
    uint32_t min_size;
    bool replaced, deleted;
    bool pending;      /* events the editor has not ticked over yet */
    uint8_t pre[MAXF]; /* the editor's view before the step */
} Model;

static Model M;
static bool verbose; /* --verbose: print each step and the message */

/* ---- session context, counters, reporting -------------------------------- */

typedef struct Counters {
    uint64_t sessions, commands, events, divergences, crashes, passed, failed;
    uint64_t next;    /* the worker's next session number */
    uint64_t current; /* the seed of the session it is running */
    bool busy;        /* it is inside that session */
} Counters;

static Counters *C; /* shared with the session children */

static struct {
    uint64_t seed;
    int step;
    char *hist[MAXSTEPS + 8];
    int nhist;
    int hist_fd; /* the history as it is made, for the parent after a crash */
    bool failed;
    bool dump_now; /* check the view with a dump after this step */
    int steps;     /* steps a session makes (for the replay line) */
    char dir[512], path[600];
    Session *s;
    Grid grid;
} X;

static const char *mode_word(MmhMode m)
{
    return m == MMH_MODE_COPY ? "copy" : m == MMH_MODE_SHARED ? "shared" : "readonly";
}

static void hist_add(const char *line)
{
    if (X.nhist < MAXSTEPS + 8)
        X.hist[X.nhist++] = strdup(line);
    if (X.hist_fd >= 0) {
        (void)!write(X.hist_fd, line, strlen(line));
        (void)!write(X.hist_fd, "\n", 1);
    }
}

static void diverge(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diverge(const char *fmt, ...)
{
    if (X.failed)
        return;
    X.failed = true;
    uint64_t n = __atomic_add_fetch(&C->divergences, 1, __ATOMIC_SEQ_CST);
    char why[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    printf("DIVERGENCE seed %" PRIu64 " step %d (%s, %s): %s\n", X.seed, X.step, mode_word(M.mode),
           M.batch ? "batch" : "ui", why);
    if (n <= FULL_REPORTS) {
        printf("  replay: soak --seed %" PRIu64 " --sessions 1 --mode %s --steps %d (or save "
               "the script below and run soak --replay FILE)\n",
               X.seed, mode_word(M.mode), X.steps);
        printf("  --- script ---\n");
        for (int i = 0; i < X.nhist; i++)
            printf("  %s\n", X.hist[i]);
        printf("  --- end (the last line is the step that diverged) ---\n");
    }
    fflush(stdout);
}

/* ---- bytes of the file and of the editor ---------------------------------- */

/* The file at the path, read with pread from a fresh descriptor. -1 if
 * there is none. */
static long read_disk(uint8_t *buf)
{
    int fd = open(X.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size > (off_t)MAXF) {
        close(fd);
        return -2;
    }
    size_t got = 0, n = (size_t)st.st_size;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return (long)got;
}

static uint8_t disk_now[MAXF];

/* The file on disk equals the model (ambiguous bytes were settled before). */
static void check_disk(const char *when)
{
    long n = read_disk(disk_now);
    if (!M.exists) {
        if (n >= 0)
            diverge("%s: the path exists again (%ld bytes); it was deleted and nothing may "
                    "recreate it",
                    when, n);
        return;
    }
    if (n < 0) {
        diverge("%s: cannot read the file back (%ld)", when, n);
        return;
    }
    if ((uint32_t)n != M.dsize) {
        diverge("%s: the file on disk has %ld bytes, the model %" PRIu32, when, n, M.dsize);
        return;
    }
    for (uint32_t i = 0; i < M.dsize; i++)
        if (disk_now[i] != M.disk[i]) {
            diverge("%s: byte 0x%" PRIx32 " on disk is %02x, expected %02x (%s)", when, i,
                    disk_now[i], M.disk[i],
                    M.mode == MMH_MODE_COPY && M.touched[i] ? "touched by the editor"
                                                            : "not net-changed by the editor");
            return;
        }
}

/* The editor's view of [0, esize) into buf: `dump` in batch sessions (what
 * mmhex -e prints), doc_read otherwise (what a frame shows). */
static int read_view(uint8_t *buf, bool via_dump)
{
    uint32_t n = M.esize;
    if (n == 0)
        return 0;
    if (!via_dump)
        return doc_read(cmd_doc(X.s), 0, buf, n);
    char line[64];
    snprintf(line, sizeof line, "dump 0 %" PRIu32, n);
    cmd_run(X.s, line);
    char *out = cmd_output_take(X.s);
    if (cmd_result(X.s) < 0 || !out) {
        free(out);
        return -EIO;
    }
    uint32_t seen = 0;
    for (char *p = out; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        char *colon = strstr(p, ": ");
        if (colon) {
            uint64_t off = strtoull(p, NULL, 16);
            size_t w = (size_t)(colon - p);
            for (uint32_t i = 0; i < 16 && off + i < n; i++) {
                size_t col = w + 2 + 3 * i + (i >= 8);
                if (col + 2 > strlen(p))
                    break;
                char hx[3] = {p[col], p[col + 1], 0};
                buf[off + i] = (uint8_t)strtoul(hx, NULL, 16);
                seen++;
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    free(out);
    return seen == n ? 0 : -EIO;
}

/* The model's view of byte i: 0 and *v, or -1 when not certain. */
static int model_view(uint32_t i, uint8_t *v)
{
    if (M.mode != MMH_MODE_COPY) {
        *v = M.disk[i];
        return 0;
    }
    if (M.touched[i]) {
        if (!M.vknown[i])
            return -1;
        *v = M.cur[i];
        return 0;
    }
    switch (M.pstate[i / PS]) {
    case PG_UNFROZEN: *v = M.disk[i]; return 0;
    case PG_FROZEN:
        if (!M.snapk[i])
            return -1;
        *v = M.snap[i];
        return 0;
    default: return -1;
    }
}

static uint8_t view_now[MAXF];

static void check_view(void)
{
    if (M.detached || X.failed)
        return;
    uint64_t sz = doc_size(cmd_doc(X.s));
    if (sz != M.esize) {
        diverge("the editor's size is %" PRIu64 ", expected %" PRIu32 " (on disk %" PRIu32 ")", sz,
                M.esize, M.dsize);
        return;
    }
    /* A dump of the whole file costs milliseconds under the sanitizers:
     * batch sessions use it after the steps that matter and every fourth
     * step, doc_read (the same bytes a frame shows) otherwise. */
    int rc = read_view(view_now, M.batch && (X.dump_now || X.step % 4 == 0));
    X.dump_now = false;
    if (rc < 0) {
        diverge("cannot read the editor's view of [0, %" PRIu32 "): %d", M.esize, rc);
        return;
    }
    for (uint32_t i = 0; i < M.esize; i++) {
        uint8_t v;
        if (model_view(i, &v) == 0 && view_now[i] != v) {
            const char *why = "an unedited byte";
            if (M.mode == MMH_MODE_COPY && M.touched[i])
                why = "a byte with an unwritten edit";
            else if (M.mode == MMH_MODE_COPY && M.pstate[i / PS] == PG_FROZEN)
                why = "an unedited byte on a page holding unwritten edits (frozen copy)";
            diverge("the editor shows %02x at 0x%" PRIx32 ", expected %02x (%s; on disk %02x)",
                    view_now[i], i, v, why, M.disk[i]);
            return;
        }
    }
}

/* ---- message checks -------------------------------------------------------- */

static const char *message(bool *err)
{
    bool e = false;
    const char *m = cmd_message(X.s, &e);
    if (err)
        *err = e;
    return m ? m : "";
}

static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++)
        if (!strncasecmp(p, word, n))
            return true;
    return false;
}

/* Some number in text lies in [lo, hi]. */
static bool has_number(const char *text, uint64_t lo, uint64_t hi)
{
    for (const char *p = text; *p; p++) {
        if (isdigit((unsigned char)*p) && (p == text || !isalnum((unsigned char)p[-1]))) {
            char *end;
            uint64_t v = strtoull(p, &end, 10);
            if (v >= lo && v <= hi && !isalnum((unsigned char)*end))
                return true;
            p = end - 1;
        }
    }
    return false;
}

static bool says_replaced(const char *msg)
{
    return has_word(msg, "replac") || has_word(msg, "delet") || has_word(msg, "renam") ||
           has_word(msg, "remov");
}

/* ---- the model's journal ---------------------------------------------------- */

static void group_free(Group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->r[i].old);
        free(g->r[i].nw);
    }
    free(g->r);
    memset(g, 0, sizeof *g);
}

static void journal_drop_redo(void)
{
    while (M.ng > M.applied)
        group_free(&M.g[--M.ng]);
}

static Group *open_group(void)
{
    if (M.open && M.applied == M.ng && M.ng)
        return &M.g[M.ng - 1];
    journal_drop_redo();
    if (M.ng == M.gcap) {
        M.gcap = M.gcap ? 2 * M.gcap : 16;
        M.g = realloc(M.g, M.gcap * sizeof *M.g);
        if (!M.g)
            abort();
    }
    memset(&M.g[M.ng], 0, sizeof M.g[M.ng]);
    M.ng++;
    M.applied = M.ng;
    M.open = true;
    return &M.g[M.ng - 1];
}

static void add_base(uint32_t i, uint8_t v)
{
    for (int k = 0; k < M.nbase[i]; k++)
        if (M.base[i][k] == v)
            return;
    if (M.nbase[i] < 4)
        M.base[i][M.nbase[i]++] = v;
}

static void freeze_page(uint32_t p)
{
    if (M.pstate[p] != PG_UNFROZEN)
        return;
    M.pstate[p] = PG_FROZEN;
    for (uint32_t i = p * PS; i < (p + 1) * PS && i < MAXF; i++) {
        M.snap[i] = M.disk[i];
        M.snapk[i] = i < M.dsize; /* past the end: whatever the kernel left */
    }
}

/* The editor puts v at byte i (an edit, an undo or a redo). */
static void touch(uint32_t i, uint8_t v, bool by_history)
{
    if (M.mode == MMH_MODE_SHARED) {
        if (i < M.esize) /* past the end: the journal's alone */
            M.disk[i] = v;
        return;
    }
    bool inside = i < M.esize;
    uint8_t before = inside ? M.pre[i] : M.jval[i];
    if (!M.touched[i]) {
        M.touched[i] = 1;
        M.nbase[i] = 0;
        add_base(i, before);
        if (M.wrote[i])
            add_base(i, M.wval[i]);
        if (by_history && M.jknown[i])
            add_base(i, M.jval[i]);
    } else if (M.soft[i]) {
        add_base(i, before);
    }
    M.soft[i] = 0;
    if (inside)
        freeze_page(i / PS);
    M.cur[i] = v;
    M.vknown[i] = inside;
    M.jval[i] = v;
    M.jknown[i] = 1;
}

static int net_of(uint32_t i)
{
    bool any_eq = false, all_eq = true;
    for (int k = 0; k < M.nbase[i]; k++) {
        if (M.base[i][k] == M.cur[i])
            any_eq = true;
        else
            all_eq = false;
    }
    return !any_eq ? NET_YES : all_eq ? NET_NO : NET_MAYBE;
}

/* Record an edit of len bytes at off (the new bytes nw) in the open group. */
static void model_edit(uint32_t off, const uint8_t *nw, uint32_t len)
{
    Group *g = open_group();
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 8;
        g->r = realloc(g->r, g->cap * sizeof *g->r);
        if (!g->r)
            abort();
    }
    Rec *r = &g->r[g->n++];
    r->off = off;
    r->len = len;
    r->old = malloc(len);
    r->nw = malloc(len);
    if (!r->old || !r->nw)
        abort();
    memcpy(r->old, M.pre + off, len);
    memcpy(r->nw, nw, len);
    for (uint32_t k = 0; k < len; k++) {
        touch(off + k, nw[k], false);
        M.pre[off + k] = nw[k]; /* a second nibble sees the first */
    }
}

/* Undo (dir -1) or redo (+1) one group: 0, or 1 when there is none. The
 * lowest offset touched goes to *where. */
static int model_history(int dir, uint64_t *where)
{
    M.open = false;
    if (dir < 0 ? M.applied == 0 : M.applied == M.ng)
        return 1;
    Group *g = &M.g[dir < 0 ? M.applied - 1 : M.applied];
    uint64_t lo = UINT64_MAX;
    for (size_t k = 0; k < g->n; k++) {
        Rec *r = &g->r[dir < 0 ? g->n - 1 - k : k];
        for (uint32_t j = 0; j < r->len; j++)
            touch(r->off + j, dir < 0 ? r->old[j] : r->nw[j], true);
        if (r->off < lo)
            lo = r->off;
    }
    M.applied = dir < 0 ? M.applied - 1 : M.applied + 1;
    *where = lo;
    return 0;
}

/* The editor learnt the file is now size bytes long (shorter): the journal
 * drops what lies past it. */
static void model_clip(uint32_t size)
{
    size_t w = 0, below = 0;
    for (size_t gi = 0; gi < M.ng; gi++) {
        Group *g = &M.g[gi];
        size_t rw = 0;
        for (size_t k = 0; k < g->n; k++) {
            Rec r = g->r[k];
            if (r.off >= size) {
                free(r.old);
                free(r.nw);
                continue;
            }
            if (size - r.off < r.len)
                r.len = size - r.off;
            g->r[rw++] = r;
        }
        g->n = rw;
        if (rw == 0) {
            if (gi < M.applied)
                below++;
            if (M.open && gi + 1 == M.applied)
                M.open = false;
            group_free(g);
            continue;
        }
        M.g[w++] = *g;
    }
    M.ng = w;
    M.applied -= below;
    for (uint32_t i = size; i < MAXF; i++) {
        M.touched[i] = M.vknown[i] = M.soft[i] = M.wrote[i] = M.jknown[i] = 0;
        M.nbase[i] = 0;
    }
}

/* ---- external events (a forked child is the other process) ------------------ */

static uint8_t ext_buf[MAXF];

/* The other process: a vfork'd child that makes raw system calls only (no
 * sanitizer interceptors, no libc state), so an event costs a few
 * microseconds rather than the fork of a sanitized process. */
static int ext_child(const Step *st, const uint8_t *data, uint32_t len, const char *tmp)
{
    long fd;
    switch (st->ext) {
    case EX_POKE:
        fd = syscall(SYS_openat, AT_FDCWD, X.path, O_WRONLY);
        return fd < 0 || syscall(SYS_pwrite64, fd, data, len, (off_t)st->a) != (long)len;
    case EX_SHRINK:
    case EX_GROW: return syscall(SYS_truncate, X.path, (off_t)st->a) < 0;
    case EX_APPEND:
        fd = syscall(SYS_openat, AT_FDCWD, X.path, O_WRONLY | O_APPEND);
        return fd < 0 || syscall(SYS_write, fd, data, len) != (long)len;
    case EX_REWRITE:
        fd = syscall(SYS_openat, AT_FDCWD, X.path, O_WRONLY | O_TRUNC);
        return fd < 0 || (len && syscall(SYS_write, fd, data, len) != (long)len);
    case EX_TRUNC0:
        return syscall(SYS_truncate, X.path, (off_t)0) < 0 ||
               syscall(SYS_truncate, X.path, (off_t)len) < 0;
    case EX_RENAME:
        fd = syscall(SYS_openat, AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        return fd < 0 || (len && syscall(SYS_write, fd, data, len) != (long)len) ||
               syscall(SYS_renameat, AT_FDCWD, tmp, AT_FDCWD, X.path) < 0;
    case EX_DELETE: return syscall(SYS_unlinkat, AT_FDCWD, X.path, 0) < 0;
    default: return 1;
    }
}

static void ext_run(const Step *st, const uint8_t *data, uint32_t len)
{
    static char tmp[700];
    snprintf(tmp, sizeof tmp, "%s/new.tmp", X.dir);
    pid_t pid = vfork();
    if (pid < 0) {
        perror("soak: vfork");
        exit(99);
    }
    if (pid == 0)
        syscall(SYS_exit_group, ext_child(st, data, len, tmp));
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        diverge("the external event '%s' itself failed (a soak bug?)", ext_names[st->ext]);
}

/* Apply an event to the file and to the model's disk. */
static void do_ext(const Step *st)
{
    uint32_t len = 0;
    uint64_t s = st->seed;
    switch (st->ext) {
    case EX_POKE:
        len = st->b;
        if (st->a > M.dsize || len > M.dsize - st->a)
            len = st->a < M.dsize ? M.dsize - st->a : 0;
        gen_bytes(s, ext_buf, len);
        memcpy(M.disk + st->a, ext_buf, len);
        break;
    case EX_SHRINK:
    case EX_GROW:
        if (st->a < M.dsize) {
            memset(M.disk + st->a, 0, M.dsize - st->a);
            M.any_trunc = true;
            if (st->a < M.min_size)
                M.min_size = st->a;
        }
        M.dsize = st->a;
        break;
    case EX_APPEND:
        len = st->a;
        gen_bytes(s, ext_buf, len);
        memcpy(M.disk + M.dsize, ext_buf, len);
        M.dsize += len;
        break;
    case EX_REWRITE:
        len = M.dsize;
        memcpy(ext_buf, M.disk, len);
        if (st->a == 1) {
            uint64_t t = s;
            for (int k = 0; k < 8 && len; k++)
                ext_buf[mix(&t) % len] = (uint8_t)mix(&t);
        } else if (st->a == 2) {
            gen_bytes(s, ext_buf, len);
        }
        memcpy(M.disk, ext_buf, len);
        M.any_trunc = true;
        M.min_size = 0;
        break;
    case EX_TRUNC0:
        len = M.dsize;
        memset(M.disk, 0, len);
        M.any_trunc = true;
        M.min_size = 0;
        break;
    case EX_RENAME: {
        len = st->a;
        memcpy(ext_buf, M.disk, MAXF);
        uint64_t t = s;
        for (int k = 0; k < 8 && len; k++)
            ext_buf[mix(&t) % len] = (uint8_t)mix(&t);
        memset(ext_buf + len, 0, MAXF - len);
        memcpy(M.disk, ext_buf, MAXF);
        M.dsize = len;
        M.replaced = true;
        break;
    }
    case EX_DELETE:
        memset(M.disk, 0, MAXF);
        M.dsize = 0;
        M.exists = false;
        M.deleted = true;
        break;
    default: break;
    }
    ext_run(st, ext_buf, len);
    M.pending = true;
    __atomic_add_fetch(&C->events, 1, __ATOMIC_SEQ_CST);
}

/* ---- what the editor must do at a tick --------------------------------------- */

static void frame(void)
{
    if (!M.batch)
        cmd_frame(X.s, &X.grid);
}

static void do_tick(void)
{
    cmd_tick(X.s, TICK_BUDGET);
    frame();
    bool was_pending = M.pending;
    M.pending = false;
    X.dump_now = was_pending;
    const char *msg = message(NULL);
    if (M.detached) {
        M.any_trunc = false;
        M.replaced = M.deleted = false;
        return;
    }
    if (M.replaced || M.deleted) {
        /* Read-only mode may stay quiet: nothing can be lost there. */
        if (M.mode != MMH_MODE_READONLY && !says_replaced(msg))
            diverge("the file was %s by another process; the next tick must say so "
                    "(\"replaced\"/\"deleted\"), the message is \"%s\"",
                    M.deleted ? "deleted" : "renamed over", msg);
        M.detached = true;
        M.replaced = M.deleted = false;
        M.any_trunc = false;
        return;
    }
    if (!was_pending)
        return;
    uint32_t old = M.esize, nsz = M.dsize;
    if (nsz < old) {
        if (!has_word(msg, "truncat"))
            diverge("the file shrank from %" PRIu32 " to %" PRIu32
                    " bytes; the tick must say \"truncated\", the message is \"%s\"",
                    old, nsz, msg);
        if (M.mode == MMH_MODE_COPY) {
            /* The edited bytes the cut takes (at least those between the
             * new and the old end; at most every touched byte past the new
             * end, undone ones and those cut off before included). */
            uint64_t lo = 0, hi = 0;
            for (uint32_t i = nsz; i < MAXF; i++)
                if (M.touched[i]) {
                    hi++;
                    lo += i < old && net_of(i) == NET_YES;
                }
            if (lo && !((has_word(msg, "lost") || has_word(msg, "past the end")) &&
                        has_number(msg, lo, hi)))
                diverge("truncation to %" PRIu32 " bytes lost %" PRIu64
                        " edited byte(s) (up to %" PRIu64 " counting undone ones); the message "
                        "must say so (\"lost\" or \"past the end\", and the count), it is "
                        "\"%s\"",
                        nsz, lo, hi, msg);
        }
        /* The journal keeps the edits past the end until the next write
         * (they come back if the file grows back first). */
    }
    if (M.mode == MMH_MODE_COPY && (M.any_trunc || nsz > old)) {
        /* The kernel dropped the private pages from the truncation point on
         * (all of them for a rewrite); pages past the old end are new. The
         * net edits on them must be re-applied from the journal. */
        uint32_t first_dropped = M.any_trunc ? (M.min_size + PS - 1) / PS : NPAGES;
        uint32_t first_new = (old + PS - 1) / PS;
        bool reapplied = false;
        for (uint32_t p = 0; p < NPAGES && p * PS < nsz; p++) {
            bool dropped = p >= first_dropped, fresh = p >= first_new;
            bool has_diff = false, has_touched = false;
            for (uint32_t i = p * PS; i < (p + 1) * PS && i < nsz; i++) {
                if (!M.touched[i])
                    continue;
                has_touched = true;
                if (net_of(i) != NET_YES)
                    M.vknown[i] = 0; /* re-applied or not: the contract does not say */
                else if ((dropped || fresh) && M.cur[i] != M.disk[i])
                    has_diff = true;
            }
            if (has_diff && dropped && !fresh)
                reapplied = true;
            if (has_diff && getenv("SOAK_DEBUG_BYTES"))
                for (uint32_t i = p * PS; i < (p + 1) * PS && i < nsz; i++)
                    if (M.touched[i] && net_of(i) == NET_YES)
                        printf("    re-apply 0x%x: cur %02x disk %02x base %02x (%d bases)\n",
                               (unsigned)i, M.cur[i], M.disk[i], M.base[i][0], M.nbase[i]);
            if (dropped || fresh) {
                M.pstate[p] = PG_UNFROZEN;
                if (has_diff)
                    freeze_page(p); /* a new private copy of what the file holds now */
                else if (has_touched)
                    M.pstate[p] = PG_UNKNOWN;
            } else if (M.any_trunc && (M.pstate[p] != PG_UNFROZEN || has_touched)) {
                M.pstate[p] = PG_UNKNOWN; /* kept, or dropped and re-applied */
            } else if (!M.any_trunc && p + 1 == first_new && M.pstate[p] != PG_UNFROZEN) {
                M.pstate[p] = PG_UNKNOWN; /* the old last page: its tail is new */
            }
            for (uint32_t i = p * PS; i < (p + 1) * PS && i < nsz; i++)
                if (M.touched[i] && net_of(i) == NET_YES)
                    M.vknown[i] = 1;
        }
        if (reapplied && nsz >= old && !has_word(msg, "appl") && !has_word(msg, "restor"))
            diverge("the file was truncated or rewritten under unwritten edits; the tick must "
                    "re-apply them and say so (\"re-applied\"), the message is \"%s\"",
                    msg);
    }
    if (M.mode == MMH_MODE_SHARED && M.any_trunc && M.ng)
        M.journal_unsure = true;
    M.esize = nsz;
    M.any_trunc = false;
    M.min_size = M.dsize;
}

/* ---- commands ------------------------------------------------------------- */

static void expect_fail(const char *what)
{
    if (cmd_result(X.s) >= 0)
        diverge("%s must fail; it succeeded with \"%s\"", what, message(NULL));
}

static void expect_ok(const char *what)
{
    if (cmd_result(X.s) < 0)
        diverge("%s must succeed; it failed with %d \"%s\"", what, cmd_result(X.s), message(NULL));
}

static void model_write(void)
{
    const char *msg = message(NULL);
    if (M.detached) {
        if (cmd_result(X.s) >= 0)
            diverge("write after the file was replaced/deleted must fail; it said \"%s\"", msg);
        else if (M.mode != MMH_MODE_READONLY && !says_replaced(msg))
            diverge("write after the file was replaced/deleted failed, but the message must say "
                    "why (replaced/deleted): \"%s\"",
                    msg);
        return;
    }
    if (M.mode == MMH_MODE_READONLY) {
        expect_fail("write in read-only mode");
        return;
    }
    if (M.mode == MMH_MODE_SHARED) {
        expect_ok("write (msync) in shared mode");
        if (cmd_result(X.s) >= 0)
            model_clip(M.esize); /* edits past the end go with a write */
        return;
    }
    uint64_t yes = 0, maybe = 0, runs = 0;
    bool in_run = false;
    for (uint32_t i = 0; i < M.esize; i++) {
        int n = M.touched[i] ? net_of(i) : NET_NO;
        yes += n == NET_YES;
        maybe += n == NET_MAYBE;
        if (n == NET_YES && !in_run)
            runs++;
        in_run = n == NET_YES;
    }
    if (verbose) {
        printf("  (model: %" PRIu64 " net bytes, %" PRIu64 " undecided, %" PRIu64 " runs)\n", yes,
               maybe, runs);
        for (uint32_t i = 0; i < MAXF; i++)
            if (M.touched[i] && getenv("SOAK_DEBUG_BYTES"))
                printf("    0x%x cur %02x bases %d: %02x %02x %02x %02x soft %d\n", (unsigned)i,
                       M.cur[i], M.nbase[i], M.base[i][0], M.base[i][1], M.base[i][2], M.base[i][3],
                       M.soft[i]);
    }
    expect_ok("write in copy mode");
    if (X.failed)
        return;
    bool nothing = has_word(msg, "nothing to write");
    if (nothing && yes)
        diverge("write: %" PRIu64 " net byte(s) changed in %" PRIu64 " run(s) must be written; "
                "it said \"%s\"",
                yes, runs, msg);
    if (yes == 0 && (maybe == 0 || nothing)) {
        /* Nothing net (or the undecided bytes were taken as not net). */
        if (!nothing)
            diverge("write: no byte differs from its value at the last write, so it must say "
                    "\"nothing to write\"; it said \"%s\"",
                    msg);
        /* Net bytes past the end (cut off by a truncation) make it a write
         * that sends nothing and drops them; otherwise the editor may keep
         * its history as it is. */
        uint64_t yes_past = 0, maybe_past = 0;
        for (uint32_t i = M.esize; i < MAXF; i++)
            if (M.touched[i]) {
                yes_past += net_of(i) == NET_YES;
                maybe_past += net_of(i) == NET_MAYBE;
            }
        bool saved = yes_past || (maybe_past && has_word(msg, "dropped"));
        for (uint32_t i = 0; i < M.esize; i++)
            if (M.touched[i]) {
                M.soft[i] = 1;
                M.vknown[i] = 0;
                M.pstate[i / PS] = PG_UNKNOWN;
            }
        if (saved) {
            memset(M.wrote, 0, sizeof M.wrote);
            memset(M.touched, 0, sizeof M.touched);
            memset(M.soft, 0, sizeof M.soft);
            model_clip(M.esize);
        }
        return;
    }
    if (!(nothing && yes == 0)) {
        unsigned long long nb = 0, nr = 0;
        const char *w = strstr(msg, "wrote ");
        const char *in = w ? strstr(w, " in ") : NULL;
        if (!w || sscanf(w, "wrote %llu byte", &nb) != 1 || nb < yes || nb > yes + maybe)
            diverge("write: %" PRIu64 " net byte(s) changed (%" PRIu64
                    " more undecided) in %" PRIu64 " run(s); the message must say \"wrote %" PRIu64
                    " byte%s in %" PRIu64 " run%s\", it said \"%s\"",
                    yes, maybe, runs, yes, yes == 1 ? "" : "s", runs, runs == 1 ? "" : "s", msg);
        else if (maybe == 0 && (!in || sscanf(in, " in %llu run", &nr) != 1 || nr != runs))
            diverge("write: the net bytes form %" PRIu64 " run(s); the message said \"%s\"", runs,
                    msg);
    }
    /* Settle the undecided bytes by what reached the disk, then expect the
     * rest exactly. */
    long n = read_disk(disk_now);
    memset(M.wrote, 0, sizeof M.wrote);
    for (uint32_t i = 0; i < M.esize; i++) {
        if (!M.touched[i])
            continue;
        int v = net_of(i);
        bool written = v == NET_YES;
        if (v == NET_MAYBE && n > (long)i && disk_now[i] == M.cur[i])
            written = true;
        if (written) {
            M.disk[i] = M.cur[i];
            M.wrote[i] = 1;
            M.wval[i] = M.cur[i];
        }
    }
    check_disk("after write");
    /* Pages written are dropped (they show the file again); a page with
     * only unchanged touched bytes may or may not be. */
    for (uint32_t p = 0; p < NPAGES; p++) {
        bool any_w = false, any_t = false;
        for (uint32_t i = p * PS; i < (p + 1) * PS && i < MAXF; i++) {
            any_w |= M.wrote[i];
            any_t |= M.touched[i];
        }
        if (any_w)
            M.pstate[p] = PG_UNFROZEN;
        else if (any_t)
            M.pstate[p] = PG_UNKNOWN;
    }
    memset(M.touched, 0, sizeof M.touched);
    memset(M.soft, 0, sizeof M.soft);
    model_clip(M.esize); /* edits past the end go with a write */
}

static int hexval(int k)
{
    if (k >= '0' && k <= '9')
        return k - '0';
    if (k >= 'a' && k <= 'f')
        return k - 'a' + 10;
    if (k >= 'A' && k <= 'F') /* the editor takes both cases */
        return k - 'A' + 10;
    return -1;
}

/* Run a command line (directly, or reached by a key) and check it. */
static unsigned run_line(const char *line, int key)
{
    char verb[32] = "";
    sscanf(line, "%31s", verb);
    const char *arg = line + strlen(verb);
    while (*arg == ' ')
        arg++;
    unsigned r = key ? cmd_key(X.s, key) : cmd_run(X.s, line);
    frame();
    __atomic_add_fetch(&C->commands, 1, __ATOMIC_SEQ_CST);
    const char *msg = message(NULL);
    X.dump_now = !strcmp(verb, "write") || !strcmp(verb, "undo") || !strcmp(verb, "redo");
    if (!strcmp(verb, "write")) {
        model_write();
    } else if (!strcmp(verb, "goto")) {
        uint64_t off = strtoull(arg, NULL, 0);
        M.open = false;
        if (M.detached)
            return r;
        if (off < M.esize) {
            expect_ok(line);
            M.cursor = off;
        } else {
            expect_fail(line);
        }
    } else if (!strcmp(verb, "put") || !strcmp(verb, "puttext")) {
        uint8_t b[PS];
        uint32_t n = 0;
        if (verb[3] == 0) {
            for (const char *p = arg; p[0] && p[1] && n < sizeof b; p += 2) {
                while (*p == ' ')
                    p++;
                if (!p[0] || !p[1])
                    break;
                b[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
            }
        } else {
            n = (uint32_t)strlen(arg);
            memcpy(b, arg, n);
        }
        M.open = false;
        if (M.detached)
            return r;
        uint64_t c = M.cursor;
        if (M.mode == MMH_MODE_READONLY) {
            expect_fail("put in read-only mode");
        } else if (M.esize == 0 || n > M.esize - c) {
            expect_fail("put past the end of the file");
        } else {
            expect_ok(line);
            model_edit((uint32_t)c, b, n);
            M.open = false;
        }
    } else if (!strcmp(verb, "undo") || !strcmp(verb, "redo")) {
        if (M.detached)
            return r;
        if (M.journal_unsure) {
            /* Shared mode after a rewrite: whatever the history did went to
             * the file; take the file as it is. */
            long n = read_disk(disk_now);
            if (n == (long)M.dsize)
                memcpy(M.disk, disk_now, M.dsize);
            M.open = false;
            return r;
        }
        uint64_t where;
        int rc = model_history(!strcmp(verb, "undo") ? -1 : 1, &where);
        expect_ok(line);
        if (rc == 1 && !has_word(msg, "nothing to"))
            diverge("%s: there is nothing to %s, the message must say so: \"%s\"", verb, verb, msg);
    } else if (!strcmp(verb, "edit")) {
        /* Edit mode is tracked even detached (the old file's size is not
         * modelled then: take the editor's word). */
        if (M.detached) {
            M.edit = cmd_result(X.s) >= 0;
            M.open = false;
            M.at_end_done = false;
        } else if (M.mode == MMH_MODE_READONLY || M.esize == 0) {
            expect_fail("edit mode on a read-only or empty file");
            bool err;
            message(&err);
            if (key && !err)
                diverge("edit mode refused: the message must be an error");
        } else {
            M.edit = true;
            M.open = false;
            M.at_end_done = false;
        }
    } else if (!strcmp(verb, "pane")) {
        M.pane = M.pane == MMH_PANE_HEX ? MMH_PANE_TEXT : MMH_PANE_HEX;
        M.open = false;
    } else if (!strcmp(verb, "quit") || !strcmp(verb, "quit!")) {
        if (!(r & MMH_R_QUIT) && (M.batch || !strcmp(verb, "quit!")))
            diverge("%s must quit", line);
    }
    return r;
}

static const char *key_line(int key)
{
    if (key == 'u')
        return "undo";
    if (key == MMH_KEY_CTRL('r'))
        return "redo";
    if (key == 'w')
        return "write";
    if (key == 'i')
        return "edit";
    if (key == MMH_KEY_TAB)
        return "pane";
    if (key == 'Q')
        return "quit!";
    return "";
}

/* A key in edit mode. */
static void edit_key(int key)
{
    __atomic_add_fetch(&C->commands, 1, __ATOMIC_SEQ_CST);
    if (key == MMH_KEY_ESC || key == MMH_KEY_LEFT || key == MMH_KEY_RIGHT || key == MMH_KEY_TAB) {
        uint64_t was = cmd_view(X.s)->cursor;
        cmd_key(X.s, key);
        frame();
        /* An arrow that does not move (a nibble back, the edge of the file)
         * keeps the typing run, and the end-of-file state, as they were. */
        bool moved = cmd_view(X.s)->cursor != was;
        if (moved || key == MMH_KEY_ESC || key == MMH_KEY_TAB) {
            M.open = false;
            M.at_end_done = false;
        }
        if (key == MMH_KEY_ESC)
            M.edit = false;
        if (key == MMH_KEY_TAB)
            M.pane = M.pane == MMH_PANE_HEX ? MMH_PANE_TEXT : MMH_PANE_HEX;
        return;
    }
    uint64_t c = M.cursor;
    bool bad_key = M.pane == MMH_PANE_HEX ? hexval(key) < 0 : key < 32 || key > 126;
    bool refuse = bad_key || M.at_end_done || c >= M.esize || M.detached;
    uint8_t nb = 0;
    bool completes = true;
    if (!refuse) {
        if (M.pane == MMH_PANE_HEX) {
            int v = hexval(key);
            nb =
                M.nibble ? (uint8_t)((M.pre[c] & 0xf0) | v) : (uint8_t)((M.pre[c] & 0x0f) | v << 4);
            completes = M.nibble != 0;
        } else {
            nb = (uint8_t)key;
        }
    }
    cmd_key(X.s, key);
    frame();
    if (M.detached)
        return;
    bool err;
    const char *msg = message(&err);
    if (refuse) {
        if (!err)
            diverge("typing '%c' %s must be refused with an error message; the message is "
                    "\"%s\"",
                    key, bad_key ? "(not a digit of the pane)" : "past the last byte", msg);
        return;
    }
    model_edit((uint32_t)c, &nb, 1);
    if (completes && c + 1 == M.esize)
        M.at_end_done = true;
}

static void do_key(int key)
{
    if (M.edit) {
        edit_key(key);
        return;
    }
    run_line(key_line(key), key);
}

/* ---- one step --------------------------------------------------------------- */

static void adopt_cursor(void)
{
    if (M.detached)
        return;
    const View *v = cmd_view(X.s);
    M.cursor = v->cursor;
    if (!M.at_end_done)
        M.nibble = v->nibble;
}

static void exec_step(const Step *st)
{
    char text[400];
    step_text(st, text, sizeof text);
    hist_add(text);
    if (st->kind != S_EXT && st->kind != S_TICK && !M.detached && M.esize) {
        /* The view before the step: the old bytes of an edit. */
        if (doc_read(cmd_doc(X.s), 0, M.pre, M.esize) < 0)
            diverge("cannot read the editor's view before the step");
    }
    switch (st->kind) {
    case S_EXT: do_ext(st); break;
    case S_TICK: do_tick(); break;
    case S_CMD: run_line(st->line, 0); break;
    case S_KEY: do_key(st->key); break;
    }
    if (verbose && st->kind != S_EXT && st->kind == S_CMD && !strncmp(st->line, "put", 3))
        printf("  (cursor was 0x%" PRIx64 ", size %" PRIu32 ")\n", M.cursor, M.esize);
    if (verbose && st->kind != S_EXT)
        printf("  %-40s -> %d \"%s\"\n", text, cmd_result(X.s), message(NULL));
    if (M.detached && st->kind != S_EXT)
        M.detached_steps++;
    if (st->kind != S_EXT) {
        adopt_cursor();
        check_view();
    }
    check_disk(st->kind == S_EXT ? "after an external event" : "after the step");
}

/* ---- random steps -------------------------------------------------------------- */

static uint32_t pick_offset(uint32_t size)
{
    if (size == 0)
        return 0;
    switch (below(8)) {
    case 0: return 0;
    case 1: return size - 1;
    case 2: return size >= 2 ? size - 2 : 0;
    case 3: { /* around a page boundary */
        uint32_t p = below(size / PS + 1) * PS;
        uint32_t o = p + below(5) - 2;
        return o < size ? o : size - 1;
    }
    case 4: { /* on a touched byte */
        for (int k = 0; k < 20; k++) {
            uint32_t i = below(size);
            if (M.touched[i])
                return i;
        }
        return below(size);
    }
    default: return below(size);
    }
}

static void gen_ext(Step *st)
{
    st->kind = S_EXT;
    st->seed = mix(&rng_state) >> 16;
    if (M.deleted || !M.exists || (M.detached && chance(70))) {
        /* Only in-place writes once the file is gone or replaced. */
        st->ext = EX_POKE;
        if (!M.exists || M.dsize == 0) {
            st->kind = S_TICK;
            return;
        }
    } else {
        static const int weights[EX_COUNT] = {22, 16, 10, 8, 20, 10, 3, 2};
        int total = 0, k = 0;
        for (int i = 0; i < EX_COUNT; i++)
            total += weights[i];
        int r = (int)below((uint32_t)total);
        while (r >= weights[k])
            r -= weights[k++];
        st->ext = (ExtKind)k;
    }
    uint32_t sz = M.dsize;
    switch (st->ext) {
    case EX_POKE:
        if (sz == 0) {
            st->ext = EX_GROW;
            st->a = 1 + below(6000);
            break;
        }
        st->a = pick_offset(sz);
        st->b = 1 + below(16);
        if (st->b > sz - st->a)
            st->b = sz - st->a;
        break;
    case EX_SHRINK:
        if (sz == 0) {
            st->ext = EX_GROW;
            st->a = 1 + below(6000);
            break;
        }
        st->a = chance(15) ? 0 : pick_offset(sz) + (chance(50) ? 1 : 0);
        if (st->a >= sz)
            st->a = sz - 1;
        break;
    case EX_GROW: st->a = sz + 1 + (chance(50) ? below(64) : below(6000)); break;
    case EX_APPEND: st->a = 1 + below(chance(50) ? 16 : 3000); break;
    case EX_REWRITE: st->a = below(3); break;
    case EX_TRUNC0: break;
    case EX_RENAME: st->a = chance(70) ? sz : below(3 * PS); break;
    case EX_DELETE: break;
    default: break;
    }
    if (st->ext == EX_GROW && st->a > MAXF)
        st->a = MAXF;
    if (st->ext == EX_APPEND && sz + st->a > MAXF)
        st->a = MAXF - sz;
    if ((st->ext == EX_GROW && st->a <= sz) || (st->ext == EX_APPEND && st->a == 0))
        st->kind = S_TICK;
}

static void gen_put(Step *st, bool text)
{
    uint32_t n = 1 + below(chance(70) ? 4 : 40);
    st->kind = S_CMD;
    if (text) {
        int k = snprintf(st->line, sizeof st->line, "puttext ");
        for (uint32_t i = 0; i < n; i++)
            st->line[k++] = (char)('A' + below(26));
        st->line[k] = 0;
        return;
    }
    int k = snprintf(st->line, sizeof st->line, "put");
    bool same = chance(15); /* put back what is there: touched, not changed */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t c = M.cursor + i;
        uint8_t v = same && c < M.esize ? M.pre[c] : (uint8_t)below(256);
        if (same && c < M.esize && !M.detached)
            doc_read(cmd_doc(X.s), c, &v, 1);
        k += snprintf(st->line + k, sizeof st->line - (size_t)k, " %02x", v);
    }
}

static void gen_step(Step *st, bool last)
{
    memset(st, 0, sizeof *st);
    if (M.pending) {
        if (chance(20) && !M.detached && !M.deleted)
            gen_ext(st);
        else
            st->kind = S_TICK;
        return;
    }
    if (last) {
        if (M.edit) {
            st->kind = S_KEY;
            st->key = MMH_KEY_ESC;
            return;
        }
        if (M.batch) {
            st->kind = S_CMD;
            snprintf(st->line, sizeof st->line, "quit");
        } else {
            st->kind = S_KEY;
            st->key = 'Q';
        }
        return;
    }
    if (M.edit) {
        uint32_t r = below(100);
        st->kind = S_KEY;
        if (r < 62) {
            static const char hex[] = "0123456789abcdef";
            st->key = M.pane == MMH_PANE_HEX ? hex[below(16)] : 'A' + (int)below(26);
        } else if (r < 72) {
            st->key = chance(50) ? MMH_KEY_LEFT : MMH_KEY_RIGHT;
        } else if (r < 77 && !M.at_end_done) {
            st->key = MMH_KEY_TAB;
        } else if (r < 80) {
            st->kind = S_TICK; /* the UI ticks in edit mode too */
        } else {
            st->key = MMH_KEY_ESC;
        }
        return;
    }
    uint32_t r = below(100);
    if (r < 22) {
        gen_ext(st);
    } else if (r < 40) {
        st->kind = S_CMD;
        uint32_t o = pick_offset(M.esize);
        if (chance(5))
            o = M.esize + below(3); /* past the end: refused */
        snprintf(st->line, sizeof st->line, chance(50) ? "goto %" PRIu32 : "goto 0x%" PRIx32, o);
    } else if (r < 58) {
        if (M.batch || chance(30))
            gen_put(st, chance(35));
        else {
            st->kind = S_KEY;
            st->key = 'i';
        }
    } else if (r < 70) {
        if (M.batch) {
            st->kind = S_CMD;
            snprintf(st->line, sizeof st->line, "undo");
        } else {
            st->kind = S_KEY;
            st->key = 'u';
        }
    } else if (r < 76) {
        if (M.batch) {
            st->kind = S_CMD;
            snprintf(st->line, sizeof st->line, "redo");
        } else {
            st->kind = S_KEY;
            st->key = MMH_KEY_CTRL('r');
        }
    } else if (r < 86) {
        if (M.batch) {
            st->kind = S_CMD;
            snprintf(st->line, sizeof st->line, "write");
        } else {
            st->kind = S_KEY;
            st->key = 'w';
        }
    } else if (r < 90 && !M.batch) {
        st->kind = S_KEY;
        st->key = MMH_KEY_TAB;
    } else {
        st->kind = S_TICK;
    }
    /* Shared mode after a rewrite: the history may be gone, do not use it. */
    if (M.journal_unsure &&
        ((st->kind == S_CMD && (!strcmp(st->line, "undo") || !strcmp(st->line, "redo"))) ||
         (st->kind == S_KEY && (st->key == 'u' || st->key == MMH_KEY_CTRL('r')))))
        st->kind = S_TICK;
}

/* ---- a session ------------------------------------------------------------------ */

typedef struct SessionSpec {
    uint64_t seed;
    MmhMode mode;
    bool batch;
    uint32_t size;
} SessionSpec;

static const uint32_t sizes[] = {1,    2,    3,    100,  1000, 4095,  4096,  4097,
                                 6000, 8191, 8192, 8193, 9000, 12288, 12300, 0};

static SessionSpec spec_for(uint64_t seed, const char *mode)
{
    SessionSpec sp = {.seed = seed};
    uint64_t s = seed;
    uint64_t a = mix(&s), b = mix(&s), c = mix(&s);
    static const MmhMode modes[] = {MMH_MODE_COPY, MMH_MODE_COPY, MMH_MODE_SHARED, MMH_MODE_SHARED,
                                    MMH_MODE_READONLY};
    sp.mode = modes[a % 5];
    if (!strcmp(mode, "copy"))
        sp.mode = MMH_MODE_COPY;
    else if (!strcmp(mode, "shared"))
        sp.mode = MMH_MODE_SHARED;
    else if (!strcmp(mode, "readonly"))
        sp.mode = MMH_MODE_READONLY;
    sp.batch = b % 2;
    sp.size = sizes[c % (sizeof sizes / sizeof sizes[0])];
    if (sp.size == 0 && c % 3)
        sp.size = 1 + (uint32_t)(c % (3 * PS));
    return sp;
}

static int session_start(const SessionSpec *sp)
{
    memset(&M, 0, sizeof M);
    M.mode = sp->mode;
    M.batch = sp->batch;
    M.dsize = M.esize = M.min_size = sp->size;
    M.exists = true;
    M.pane = MMH_PANE_HEX;
    gen_bytes(sp->seed ^ 0x5eed, M.disk, sp->size);
    const char *tmp = getenv("TMPDIR");
    snprintf(X.dir, sizeof X.dir, "%s/mmhex-soak.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(X.dir)) {
        perror("soak: mkdtemp");
        return -1;
    }
    snprintf(X.path, sizeof X.path, "%s/f", X.dir);
    int fd = open(X.path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, M.disk, sp->size) != (ssize_t)sp->size || close(fd) < 0) {
        perror("soak: making the file");
        return -1;
    }
    char head[128];
    snprintf(head, sizeof head, "session %" PRIu64 " %s %s %" PRIu32, sp->seed, mode_word(sp->mode),
             sp->batch ? "batch" : "ui", sp->size);
    hist_add(head);
    MapOpts mo = {.mode = sp->mode};
    Doc *d;
    int rc = doc_open(&d, X.path, &mo);
    if (rc < 0) {
        diverge("doc_open: %s", map_strerror(rc));
        return -1;
    }
    SessionOpts so = {.batch = sp->batch};
    if (cmd_session_new(&X.s, d, &so) < 0) {
        diverge("cmd_session_new failed");
        return -1;
    }
    if (!sp->batch) {
        cmd_resize(X.s, 24, 80);
        grid_resize(&X.grid, 24, 80);
        frame();
    }
    return 0;
}

static void session_end(void)
{
    if (!X.failed)
        check_disk("at the end of the session");
    cmd_session_free(X.s);
    X.s = NULL;
    grid_free(&X.grid);
    for (size_t i = 0; i < M.ng; i++)
        group_free(&M.g[i]);
    free(M.g);
    M.g = NULL;
    unlink(X.path);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s/new.tmp", X.dir);
    unlink(tmp);
    rmdir(X.dir);
    for (int i = 0; i < X.nhist; i++)
        free(X.hist[i]);
    X.nhist = 0;
}

/* Run one session (in the child). Returns the exit code. */
static int run_session(const SessionSpec *sp, int steps, FILE *script)
{
    X.seed = sp->seed;
    X.failed = false;
    X.dump_now = false;
    X.steps = steps;
    rng_state = sp->seed * 0x9e3779b97f4a7c15ull + 7;
    if (session_start(sp) < 0) {
        session_end();
        return EXIT_DIVERGED;
    }
    char line[512];
    for (X.step = 1; !X.failed; X.step++) {
        Step st;
        if (script) {
            if (!fgets(line, sizeof line, script))
                break;
            if (line[0] == '#' || line[0] == '\n')
                continue;
            char *p = line;
            while (*p == ' ')
                p++;
            if (!strncmp(p, "---", 3))
                break;
            if (step_parse(p, &st) < 0) {
                fprintf(stderr, "soak: bad script line: %s", p);
                return 2;
            }
        } else {
            if (X.step > steps + 4 || M.detached_steps > DETACHED_STEPS)
                break;
            gen_step(&st, X.step >= steps);
        }
        exec_step(&st);
        if (st.kind != S_EXT && st.kind != S_TICK && !strncmp(st.line, "quit", 4))
            break;
        if (st.kind == S_KEY && st.key == 'Q' && !M.edit)
            break;
    }
    session_end();
    return X.failed ? EXIT_DIVERGED : 0;
}

/* ---- the driver ------------------------------------------------------------------ */

static uint64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

typedef struct Plan {
    uint64_t seed, sessions, seconds, t0;
    int steps;
    const char *mode;
    FILE *script;          /* --replay: the one session's steps */
    const SessionSpec *sp; /* --replay: its spec */
    const char *histpath;
} Plan;

/* The worker (a child): runs sessions from C->next on until the plan is
 * done. Many sessions per process, because a sanitized process's exit
 * (the leak check) costs more than a session. */
static int worker(const Plan *pl)
{
    for (;;) {
        uint64_t k = C->next;
        if (pl->script ? k >= 1
                       : (pl->sessions && k >= pl->sessions) ||
                             (pl->seconds && now_s() - pl->t0 >= pl->seconds))
            break;
        SessionSpec sp = pl->script ? *pl->sp : spec_for(pl->seed + k, pl->mode);
        X.hist_fd = open(pl->histpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        C->current = sp.seed;
        C->busy = true;
        int rc = run_session(&sp, pl->steps, pl->script);
        C->busy = false;
        if (X.hist_fd >= 0)
            close(X.hist_fd);
        X.hist_fd = -1;
        if (rc == 2)
            return 2;
        C->sessions++;
        if (rc == 0)
            C->passed++;
        else
            C->failed++;
        C->next = k + 1;
        fflush(stdout);
    }
    return 0;
}

/* Run workers until the plan is done; a worker that dies is a crash of the
 * session it was in, reported with that session's history. */
static int run_plan(const Plan *pl)
{
    for (;;) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("soak: fork");
            return 99;
        }
        if (pid == 0)
            exit(worker(pl));
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
            return 2;
        C->crashes++;
        if (WIFSIGNALED(status))
            printf("CRASH seed %" PRIu64 ": killed by signal %d\n", C->current, WTERMSIG(status));
        else
            printf("CRASH seed %" PRIu64 ": exit status %d (a sanitizer report is above)\n",
                   C->current, WEXITSTATUS(status));
        if (!C->busy) {
            /* Between sessions: at exit, a leak report covers them all. */
            printf("  (after the session ended: a leak in any session of this worker)\n");
            C->failed++;
            return 0;
        }
        printf("  replay: soak --seed %" PRIu64
               " --sessions 1 --mode %s --steps %d\n  --- script ---\n",
               C->current, pl->mode ? pl->mode : "all", pl->steps);
        FILE *h = fopen(pl->histpath, "r");
        char line[512];
        while (h && fgets(line, sizeof line, h))
            printf("  %s", line);
        if (h)
            fclose(h);
        printf("  --- end (the last line is the step that crashed) ---\n");
        C->sessions++;
        C->failed++;
        C->next++;
        C->busy = false;
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: soak [--seed N] [--sessions N] [--seconds N] [--steps N]\n"
               "            [--mode copy|shared|readonly|all] [--replay FILE] [--verbose]\n");
}

/* The editor catches SIGBUS itself: AddressSanitizer must let it. */
static void sanitizer_env(char **argv)
{
#if defined(__SANITIZE_ADDRESS__)
    const char *o = getenv("ASAN_OPTIONS");
    if (!o || !strstr(o, "handle_sigbus=0")) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s%shandle_sigbus=0:allow_user_segv_handler=1", o ? o : "",
                 o && *o ? ":" : "");
        setenv("ASAN_OPTIONS", buf, 1);
        execv("/proc/self/exe", argv);
    }
#else
    (void)argv;
#endif
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, sessions = 0, seconds = 0;
    int steps = 60;
    const char *mode = "all", *replay = NULL;
    sanitizer_env(argv);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            verbose = true;
            continue;
        }
        if (!v) {
            usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--seed"))
            seed = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--sessions"))
            sessions = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--seconds"))
            seconds = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--steps"))
            steps = (int)strtol(v, NULL, 0);
        else if (!strcmp(a, "--mode"))
            mode = v;
        else if (!strcmp(a, "--replay"))
            replay = v;
        else {
            usage(stderr);
            return 2;
        }
    }
    if (strcmp(mode, "all") && strcmp(mode, "copy") && strcmp(mode, "shared") &&
        strcmp(mode, "readonly")) {
        usage(stderr);
        return 2;
    }
    if (steps < 1 || steps > MAXSTEPS)
        steps = 60;
    if (!sessions && !seconds)
        sessions = 100;
    C = mmap(NULL, sizeof *C, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (C == MAP_FAILED) {
        perror("soak: mmap");
        return 99;
    }
    memset(C, 0, sizeof *C);
    X.hist_fd = -1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *tmp = getenv("TMPDIR");
    char histpath[600];
    snprintf(histpath, sizeof histpath, "%s/mmhex-soak-hist.%d", tmp && *tmp ? tmp : "/tmp",
             (int)getpid());

    if (replay) {
        FILE *f = fopen(replay, "r");
        char line[512], m[32], b[32];
        SessionSpec sp = {0};
        unsigned long long sd;
        uint32_t sz;
        bool found = false;
        while (f && fgets(line, sizeof line, f)) {
            const char *p = line;
            while (*p == ' ')
                p++;
            if (sscanf(p, "session %llu %31s %31s %" SCNu32, &sd, m, b, &sz) == 4) {
                found = true;
                break;
            }
        }
        if (!found) {
            fprintf(stderr, "soak: %s: no 'session SEED MODE batch|ui SIZE' line\n", replay);
            return 2;
        }
        sp.seed = sd;
        sp.mode = !strcmp(m, "copy")     ? MMH_MODE_COPY
                  : !strcmp(m, "shared") ? MMH_MODE_SHARED
                                         : MMH_MODE_READONLY;
        sp.batch = !strcmp(b, "batch");
        sp.size = sz;
        Plan pl = {.steps = MAXSTEPS, .script = f, .sp = &sp, .histpath = histpath};
        int rc = run_plan(&pl);
        fclose(f);
        if (rc == 2)
            return 2;
    } else {
        Plan pl = {.seed = seed,
                   .sessions = sessions,
                   .seconds = seconds,
                   .t0 = now_s(),
                   .steps = steps,
                   .mode = mode,
                   .histpath = histpath};
        if (run_plan(&pl) == 2)
            return 2;
    }
    unlink(histpath);
    printf("soak: %" PRIu64 " sessions, %" PRIu64 " commands, %" PRIu64 " external events, %" PRIu64
           " divergences, %" PRIu64 " crashes\n",
           C->sessions, C->commands, C->events, C->divergences, C->crashes);
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", C->passed, C->failed);
    return C->failed ? 1 : 0;
}
