/*
 * test_diffpair: two files side by side (mmhex A B), driven without a
 * terminal: the summary and the walk through the differences (diffnext,
 * diffprev) against a byte-by-byte oracle over random files, shifts and
 * sizes; copying across (diffget, diffput) checked on disk in copy and
 * shared mode, undone, refused on a read-only side; another process
 * rewriting or truncating a file between steps (the comparison starts
 * again on its own); the frame: both panes, the marked rows and bytes,
 * stacked when narrow; two sparse 1 TiB files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Before cmocka.h, whose fail() macro would rewrite session.h's fail. */
#include "cmd.h"
#include "diffpair.h"
#include "grid.h"
#include "testutil.h"

#include <cmocka.h>

static const MmhMode WMODES[] = {MMH_MODE_COPY, MMH_MODE_SHARED};

/* ---- fixtures ------------------------------------------------------------------ */

typedef struct Pair {
    char *dir, *pa, *pb; /* the directory, A's and B's paths */
    Session *s;
} Pair;

static void write_file(const char *path, const uint8_t *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
}

static void pair_open(Pair *p, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                      MmhMode mode, bool batch)
{
    p->dir = tu_mkdtemp();
    p->pa = tu_path(p->dir, "a");
    p->pb = tu_path(p->dir, "b");
    write_file(p->pa, a, na);
    write_file(p->pb, b, nb);
    SessionOpts so = {.batch = batch};
    assert_int_equal(cmd_session_new(&p->s, tu_open_doc(p->pa, mode, NULL), &so), 0);
    assert_int_equal(cmd_diff_open(p->s, tu_open_doc(p->pb, mode, NULL)), 0);
    cmd_resize(p->s, 24, 160);
}

static void pair_close(Pair *p)
{
    cmd_session_free(p->s);
    tu_rmdir(p->dir);
    free(p->pa);
    free(p->pb);
}

/* A tick (the screen notices edits and starts the comparison again), then
 * ticks until no job runs. */
static void settle(Session *s)
{
    cmd_tick(s, 50000000u);
    for (int i = 0; i < 100000 && cmd_busy(s); i++)
        cmd_tick(s, 50000000u);
    assert_false(cmd_busy(s));
}

static int run(Session *s, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cmd_run(s, line);
    settle(s);
    return cmd_result(s);
}

/* ---- the oracle ------------------------------------------------------------------ */

typedef struct Range {
    int64_t off, len;
} Range;

/* The differing ranges of a and b with B's byte for A's x at x + shift
 * (diff.h): positions from max(0, -shift) to max(na, nb - shift). */
static size_t oracle(const uint8_t *a, int64_t na, const uint8_t *b, int64_t nb, int64_t shift,
                     Range *out, size_t cap, uint64_t *bytes)
{
    int64_t lo = shift < 0 ? -shift : 0, hi = na > nb - shift ? na : nb - shift;
    size_t n = 0;
    *bytes = 0;
    for (int64_t x = lo; x < hi; x++) {
        int64_t y = x + shift;
        bool ha = x < na, hb = y >= 0 && y < nb;
        bool d = ha != hb || (ha && hb && a[x] != b[y]);
        if (!d)
            continue;
        (*bytes)++;
        if (n && out[n - 1].off + out[n - 1].len == x)
            out[n - 1].len++;
        else if (n < cap)
            out[n++] = (Range){x, 1};
    }
    return n;
}

/* The focused side's cursor as A's position. */
static int64_t cursor_pos(Session *s)
{
    return diffpair_to_pos(s, s->cur, s->view->cursor);
}

static uint64_t rnd(void)
{
    return ((uint64_t)rand() << 31) ^ (uint64_t)rand();
}

/* Random files: B a copy of A with runs changed, sizes and a shift. */
static void make_pair(uint8_t **a, size_t *na, uint8_t **b, size_t *nb, int64_t *shift)
{
    *na = 1 + rnd() % 300000;
    *shift = (int64_t)(rnd() % 601) - 300;
    *nb = (size_t)((int64_t)*na + (int64_t)(rnd() % 2001) - 1000);
    if ((int64_t)*nb < 1)
        *nb = 1;
    *a = malloc(*na);
    *b = malloc(*nb);
    for (size_t i = 0; i < *na; i++)
        (*a)[i] = (uint8_t)(rnd() % 4 ? i * 7 : rnd()); /* some structure, some noise */
    for (size_t j = 0; j < *nb; j++) {                  /* B's byte j faces A's j - shift */
        int64_t x = (int64_t)j - *shift;
        (*b)[j] = x >= 0 && (size_t)x < *na ? (*a)[x] : (uint8_t)rnd();
    }
    int runs = (int)(rnd() % 40);
    for (int r = 0; r < runs; r++) {
        size_t at = rnd() % *nb, len = 1 + rnd() % (rnd() % 8 ? 4 : 5000);
        for (size_t k = at; k < at + len && k < *nb; k++)
            (*b)[k] ^= (uint8_t)(1 + rnd() % 255);
    }
}

/* ---- the summary and the walk --------------------------------------------------------- */

static void test_walk_oracle(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 12; round++) {
        uint8_t *a, *b;
        size_t na, nb;
        int64_t shift;
        make_pair(&a, &na, &b, &nb, &shift);
        Range *want = calloc(100000, sizeof *want);
        uint64_t bytes;
        size_t n = oracle(a, (int64_t)na, b, (int64_t)nb, shift, want, 100000, &bytes);
        Pair p;
        pair_open(&p, a, na, b, nb, MMH_MODE_READONLY, round % 2 == 0);
        Session *s = p.s;
        if (shift) {
            assert_int_equal(run(s, "diffshift %" PRId64, shift), 0);
        }
        settle(s);
        /* The summary equals the oracle. */
        assert_true(s->diff->done);
        assert_int_equal(s->diff->sum.ranges, n);
        assert_int_equal(s->diff->sum.bytes, bytes);
        if (n) {
            assert_int_equal(s->diff->sum.first, (uint64_t)want[0].off);
            assert_int_equal(s->diff->sum.last, (uint64_t)(want[n - 1].off + want[n - 1].len));
        }
        /* Forward from A's first byte: every range after the one the cursor
         * is in, in order, then "no difference after here". */
        assert_int_equal(run(s, "goto 0"), 0);
        int64_t at = cursor_pos(s);
        size_t i = 0;
        while (i < n && want[i].off <= at)
            i++;
        for (; i < n; i++) {
            assert_int_equal(run(s, "diffnext"), 0);
            assert_int_equal(cursor_pos(s), want[i].off);
        }
        assert_int_equal(run(s, "diffnext"), -ENOENT);
        /* Backward from where the walk ended: every range before, each at
         * its start. */
        at = cursor_pos(s);
        i = n;
        while (i > 0 && want[i - 1].off >= at)
            i--;
        while (i > 0) {
            i--;
            assert_int_equal(run(s, "diffprev"), 0);
            assert_int_equal(cursor_pos(s), want[i].off);
        }
        assert_int_equal(run(s, "diffprev"), -ENOENT);
        pair_close(&p);
        free(a);
        free(b);
        free(want);
    }
}

/* ---- copying across ------------------------------------------------------------------- */

static void test_copy_on_disk(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof WMODES / sizeof WMODES[0]; m++) {
        MmhMode mode = WMODES[m];
        size_t n = 65536;
        uint8_t *a = tu_pattern_buf(n), *b = tu_pattern_buf(n), *want = malloc(n);
        memcpy(b + 1000, "XYZ", 3);
        memcpy(b + 40000, "Q", 1);
        Pair p;
        pair_open(&p, a, n, b, n, mode, false);
        Session *s = p.s;
        settle(s);
        assert_int_equal(s->diff->sum.ranges, 2);

        /* diffget at the first difference: A takes B's three bytes. */
        assert_int_equal(run(s, "diffnext"), 0);
        assert_int_equal(s->view->cursor, 1000);
        assert_int_equal(run(s, "diffget"), 0);
        uint8_t got[3];
        assert_int_equal(doc_read(s->pane.doc, 1000, got, 3), 0);
        assert_memory_equal(got, "XYZ", 3);
        settle(s); /* the comparison started again after the edit */
        assert_int_equal(s->diff->sum.ranges, 1);
        /* The file: untouched in copy mode until w, at once in shared. */
        memcpy(want, a, n);
        if (mode == MMH_MODE_SHARED)
            memcpy(want + 1000, "XYZ", 3);
        assert_int_equal(tu_disk_differs(p.pa, want, n), -1);
        /* One undo step takes the whole copy back. */
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(doc_read(s->pane.doc, 1000, got, 3), 0);
        assert_memory_equal(got, a + 1000, 3);
        settle(s);
        assert_int_equal(s->diff->sum.ranges, 2);
        assert_int_equal(run(s, "redo"), 0);
        assert_int_equal(run(s, "write"), 0);
        memcpy(want, a, n);
        memcpy(want + 1000, "XYZ", 3);
        assert_int_equal(tu_disk_differs(p.pa, want, n), -1);
        assert_int_equal(tu_disk_differs(p.pb, b, n), -1); /* B untouched */

        /* diffput of a selection from A to B, written from B's side. */
        assert_int_equal(run(s, "goto 39998"), 0);
        assert_int_equal(run(s, "select"), 0);
        assert_int_equal(run(s, "goto 40001"), 0);
        assert_int_equal(run(s, "diffput"), 0);
        assert_int_equal(run(s, "diffside"), 0);
        assert_ptr_equal(s->cur, s->pane2);
        assert_int_equal(run(s, "write"), 0);
        memcpy(want, b, n);
        memcpy(want + 39998, a + 39998, 4);
        assert_int_equal(tu_disk_differs(p.pb, want, n), -1);
        settle(s);
        assert_true(s->diff->done);
        assert_int_equal(s->diff->sum.ranges, 0);     /* identical now */
        assert_int_equal(run(s, "diffget"), -ENOENT); /* nothing differs here */
        pair_close(&p);
        free(a);
        free(b);
        free(want);
    }
}

static void test_copy_refused(void **state)
{
    (void)state;
    size_t n = 4096;
    uint8_t *a = tu_pattern_buf(n), *b = tu_pattern_buf(n);
    b[100] ^= 1;
    Pair p;
    pair_open(&p, a, n, b, n, MMH_MODE_READONLY, true);
    assert_int_equal(run(p.s, "goto 100"), 0);
    assert_int_equal(run(p.s, "diffget"), -EROFS);
    assert_int_equal(run(p.s, "diffput"), -EROFS);
    assert_int_equal(tu_disk_differs(p.pa, a, n), -1);
    pair_close(&p);
    /* Sizes never change: the tail of the longer file has no place. */
    uint8_t *c = tu_pattern_buf(n + 10);
    c[5] ^= 1;
    pair_open(&p, a, n, c, n + 10, MMH_MODE_COPY, false);
    settle(p.s);
    assert_int_equal(p.s->diff->sum.ranges, 2);
    assert_int_equal(run(p.s, "goto 5"), 0);
    assert_int_equal(run(p.s, "diffget"), 0);
    assert_int_equal(run(p.s, "diffnext"), 0); /* the tail: the keys go to B */
    assert_ptr_equal(p.s->cur, p.s->pane2);
    assert_int_equal(p.s->view->cursor, n);
    assert_int_equal(run(p.s, "diffput"), -ERANGE); /* A has no place for any of it */
    assert_non_null(strstr(cmd_message(p.s, NULL), "nothing copied"));
    /* A selection across A's end: the part both have is copied. */
    assert_int_equal(run(p.s, "goto %zu", n - 6), 0);
    assert_int_equal(run(p.s, "select"), 0);
    assert_int_equal(run(p.s, "goto %zu", n + 3), 0);
    assert_int_equal(run(p.s, "diffput"), 0);
    assert_non_null(strstr(cmd_message(p.s, NULL), "6 bytes copied to A; 4 past an end"));
    assert_int_equal(tu_size(p.pa), n);
    pair_close(&p);
    /* An empty A: its cursor is on no byte, so the next difference is
     * B's first, and the keys go to B. */
    pair_open(&p, a, 0, a, 100, MMH_MODE_COPY, true);
    assert_int_equal(run(p.s, "diffnext"), 0);
    assert_ptr_equal(p.s->cur, p.s->pane2);
    assert_int_equal(p.s->view->cursor, 0);
    pair_close(&p);
    /* One file open: the commands say how to open two. */
    char *dir = tu_mkdtemp(), *one = tu_path(dir, "one");
    tu_make_file(one, 100, 0);
    Session *s;
    SessionOpts so = {.batch = true};
    assert_int_equal(cmd_session_new(&s, tu_open_doc(one, MMH_MODE_COPY, NULL), &so), 0);
    cmd_run(s, "diffnext");
    assert_int_equal(cmd_result(s), -EINVAL);
    assert_non_null(strstr(cmd_message(s, NULL), "FILE1 FILE2"));
    cmd_session_free(s);
    tu_rmdir(dir);
    free(one);
    free(a);
    free(b);
    free(c);
}

/* ---- another process between steps --------------------------------------------------------- */

static void rewrite_b(const char *path, uint64_t arg)
{
    /* Same size, the bytes at arg and arg + 1000 changed. */
    int fd = open(path, O_WRONLY);
    if (fd < 0 || pwrite(fd, "\xee", 1, (off_t)arg) != 1 ||
        pwrite(fd, "\xee", 1, (off_t)arg + 1000) != 1)
        _exit(1);
    close(fd);
    _exit(0);
}

static void test_others_change_files(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof WMODES / sizeof WMODES[0]; m++) {
        size_t n = 200000;
        uint8_t *a = tu_pattern_buf(n);
        Pair p;
        pair_open(&p, a, n, a, n, WMODES[m], false);
        Session *s = p.s;
        settle(s);
        assert_true(s->diff->done);
        assert_int_equal(s->diff->sum.ranges, 0);
        /* An edit of ours in A, then another process rewrites B's bytes. */
        assert_int_equal(run(s, "goto 10"), 0);
        assert_int_equal(run(s, "put 00"), 0);
        tu_by_child(rewrite_b, p.pb, 5000);
        usleep(20000); /* a coarse clock: let the times move */
        cmd_tick(s, 50000000u);
        settle(s);
        assert_true(s->diff->done);
        assert_int_equal(s->diff->sum.ranges, 3);
        /* B truncated by another process: no crash, the tail counted. */
        tu_truncate_by_child(p.pb, 150000);
        cmd_tick(s, 50000000u);
        settle(s);
        assert_true(s->diff->done);
        assert_int_equal(s->diff->sum.ranges, 4); /* 10, 5000, 6000, the tail */
        assert_int_equal(s->diff->sum.last, n);
        assert_int_equal(run(s, "goto 149000"), 0);
        assert_int_equal(run(s, "diffnext"), 0);
        assert_int_equal(cursor_pos(s), 150000);
        pair_close(&p);
        free(a);
    }
}

/* ---- the frame ------------------------------------------------------------------------------ */

static void test_frame(void **state)
{
    (void)state;
    size_t n = 4096;
    uint8_t *a = tu_pattern_buf(n), *b = tu_pattern_buf(n);
    b[0x25] ^= 0xff; /* row 0x20, byte 5 */
    Pair p;
    pair_open(&p, a, n, b, n, MMH_MODE_COPY, false);
    Session *s = p.s;
    settle(s);
    Grid g = {0};
    char buf[512];
    /* Wide: side by side, the same rows in both halves. */
    cmd_resize(s, 24, 160);
    assert_int_equal(grid_resize(&g, 24, 160), 0);
    cmd_frame(s, &g);
    const int *ra = s->diff->reg[0], *rb = s->diff->reg[1];
    assert_int_equal(ra[0], 0);
    assert_int_equal(rb[0], 0);
    assert_true(rb[1] > 0);
    grid_row_text(&g, 0, buf, sizeof buf);
    assert_non_null(strstr(buf, ">A: a"));
    assert_non_null(strstr(buf, "B: b"));
    int bpr = s->pane.view.bpr;
    assert_int_equal(bpr, s->pane2->view.bpr);
    int row = 1 + 0x25 / bpr;
    for (int r = 1; r < 10; r++) { /* '*' after the offset on that row only, both sides */
        bool want = r == row;
        int ow = view_offset_width(n);
        assert_int_equal(grid_cell(&g, r, ow)->ch == '*', want);
        assert_int_equal(grid_cell(&g, r, rb[1] + ow)->ch == '*', want);
    }
    int lit = 0, lit_b = 0;
    for (int c = 0; c < ra[3]; c++)
        lit += grid_cell(&g, row, c)->cls == MMH_CC_DIFF;
    for (int c = rb[1]; c < g.cols; c++)
        lit_b += grid_cell(&g, row, c)->cls == MMH_CC_DIFF;
    assert_int_equal(lit, 4); /* the row marker, two hex digits, the text character */
    assert_int_equal(lit_b, 4);
    /* The bottom row: the summary. */
    grid_row_text(&g, 23, buf, sizeof buf);
    assert_non_null(strstr(buf, "1 difference, 1 B"));
    /* The other side's cursor is the twin, and it follows. */
    assert_int_equal(run(s, "goto 0x100"), 0);
    cmd_frame(s, &g);
    assert_int_equal(s->pane2->view.cursor, 0x100);
    assert_int_equal(run(s, "diffshift 0x10"), 0);
    cmd_frame(s, &g);
    assert_int_equal(s->pane2->view.cursor, 0x110);
    grid_row_text(&g, 23, buf, sizeof buf);
    assert_non_null(strstr(buf, "B shifted by +0x10")); /* the message, then the summary */
    cmd_run(s, "refresh");
    cmd_frame(s, &g);
    grid_row_text(&g, 23, buf, sizeof buf);
    assert_non_null(strstr(buf, "B shifted +0x10 · 1 difference"));
    /* Narrow: stacked, B's title half way down. */
    cmd_resize(s, 30, 70);
    assert_int_equal(grid_resize(&g, 30, 70), 0);
    cmd_frame(s, &g);
    assert_int_equal(s->diff->reg[1][1], 0);
    assert_int_equal(s->diff->reg[1][0], 15);
    grid_row_text(&g, 15, buf, sizeof buf);
    assert_non_null(strstr(buf, "B: b"));
    grid_free(&g);
    pair_close(&p);
    free(a);
    free(b);
}

/* ---- realigning after an insertion -------------------------------------------------------- */

static void test_align(void **state)
{
    (void)state;
    size_t n = 100000, k = 7;
    uint8_t *a = malloc(n), *b = malloc(n + k);
    srand(4242);
    for (size_t i = 0; i < n; i++)
        a[i] = (uint8_t)rand();
    /* B: 7 bytes inserted at 5000. */
    memcpy(b, a, 5000);
    for (size_t i = 0; i < k; i++)
        b[5000 + i] = (uint8_t)(a[5000] + 1 + i);
    memcpy(b + 5000 + k, a + 5000, n - 5000);
    Pair p;
    pair_open(&p, a, n, b, n + k, MMH_MODE_READONLY, true);
    Session *s = p.s;
    assert_int_equal(run(s, "diffnext"), 0);
    assert_int_equal(cursor_pos(s), 5000);
    assert_int_equal(run(s, "diffalign"), 0);
    assert_int_equal(s->diff->shift, (int64_t)k);
    assert_non_null(strstr(cmd_message(s, NULL), "7 bytes inserted in B"));
    /* From here on the files face each other: the next difference is
     * none (B's tail is A's tail, shifted). */
    assert_int_equal(run(s, "diffnext"), -ENOENT);
    assert_int_equal(run(s, "diffalign"), -EALREADY);
    pair_close(&p);
    /* B: 7 bytes missing at 5000 (A is B with them inserted). */
    pair_open(&p, b, n + k, a, n, MMH_MODE_READONLY, true);
    s = p.s;
    assert_int_equal(run(s, "diffnext"), 0);
    assert_int_equal(cursor_pos(s), 5000);
    assert_int_equal(run(s, "diffalign"), 0);
    assert_int_equal(s->diff->shift, -(int64_t)k);
    assert_non_null(strstr(cmd_message(s, NULL), "7 bytes missing from B"));
    assert_int_equal(run(s, "goto 5007"), 0);
    assert_int_equal(run(s, "diffnext"), -ENOENT);
    pair_close(&p);
    /* Bytes of one value everywhere: refused, the shift unchanged. */
    uint8_t *z = calloc(1, 4096), *z2 = calloc(1, 4096);
    z2[100] = 1;
    pair_open(&p, z, 4096, z2, 4096, MMH_MODE_READONLY, true);
    assert_int_equal(run(p.s, "goto 0x200"), 0);
    assert_int_equal(run(p.s, "diffalign"), -EINVAL);
    assert_int_equal(p.s->diff->shift, 0);
    pair_close(&p);
    free(a);
    free(b);
    free(z);
    free(z2);
}

/* ---- the list of every difference ------------------------------------------------------------ */

static void keys(Session *s, int key, int times)
{
    for (int i = 0; i < times; i++) {
        cmd_key(s, key);
        for (int k = 0; k < 100000 && cmd_busy(s); k++) /* a refill */
            cmd_tick(s, 50000000u);
    }
}

static void test_list(void **state)
{
    (void)state;
    /* 12,000 runs of 1 to 3 bytes: three windows of the list (LIST_CAP). */
    size_t n = 1u << 20, nr = 12000;
    uint8_t *a = tu_pattern_buf(n), *b = tu_pattern_buf(n);
    srand(777);
    for (size_t i = 0; i < nr; i++) {
        size_t at = i * (n / nr) + 7, len = 1 + (size_t)rand() % 3;
        for (size_t k = 0; k < len; k++)
            b[at + k] ^= 0x5a;
    }
    Range *want = calloc(nr, sizeof *want);
    uint64_t bytes;
    assert_int_equal(oracle(a, (int64_t)n, b, (int64_t)n, 0, want, nr, &bytes), nr);
    Pair p;
    pair_open(&p, a, n, b, n, MMH_MODE_COPY, false);
    Session *s = p.s;
    settle(s);
    Grid g = {0};
    char buf[512];
    assert_int_equal(grid_resize(&g, 24, 160), 0);
    /* Down 5,000 rows (refills forward), Enter: the cursor is at the 5,001st. */
    assert_int_equal(run(s, "difflist"), 0);
    cmd_frame(s, &g);
    grid_row_text(&g, 0, buf, sizeof buf);
    assert_non_null(strstr(buf, "12000 differences (done)"));
    keys(s, 'j', 5000);
    keys(s, MMH_KEY_ENTER, 1);
    assert_int_equal(cursor_pos(s), want[5000].off);
    /* From the end up 5,000 rows (refills backward). */
    assert_int_equal(run(s, "difflist"), 0);
    keys(s, 'G', 1);
    keys(s, 'k', 5000);
    keys(s, MMH_KEY_ENTER, 1);
    assert_int_equal(cursor_pos(s), want[nr - 1 - 5000].off);
    /* Every row's length is its range's: row by row from the head. */
    assert_int_equal(run(s, "difflist"), 0);
    for (size_t i = 0; i < 30; i++) {
        cmd_frame(s, &g);
        grid_row_text(&g, 1 + (int)i, buf, sizeof buf);
        char lenb[32];
        snprintf(lenb, sizeof lenb, "0x%08" PRIx64 "  %" PRId64 " B", (uint64_t)want[i].off,
                 want[i].len);
        if (i < 20) /* the rows on screen */
            assert_non_null(strstr(buf, lenb));
    }
    keys(s, 'q', 1);
    grid_free(&g);
    pair_close(&p);
    /* Identical files: no list, a message. */
    pair_open(&p, a, n, a, n, MMH_MODE_COPY, false);
    settle(p.s);
    assert_int_equal(run(p.s, "difflist"), -ENOENT);
    pair_close(&p);
    free(a);
    free(b);
    free(want);
}

/* ---- two sparse 1 TiB files ------------------------------------------------------------------ */

static void test_sparse_tib(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *pa = tu_path(dir, "a"), *pb = tu_path(dir, "b");
    uint64_t tib = 1ull << 40;
    tu_make_file(pa, tib, 1);
    tu_make_file(pb, tib, 1);
    int fa = open(pa, O_WRONLY), fb = open(pb, O_WRONLY);
    assert_true(fa >= 0 && fb >= 0);
    assert_int_equal(pwrite(fa, "same", 4, 1ull << 39), 4);
    assert_int_equal(pwrite(fb, "same", 4, 1ull << 39), 4);
    assert_int_equal(pwrite(fb, "!", 1, tib - 100), 1);
    close(fa);
    close(fb);
    Session *s;
    SessionOpts so = {.batch = false};
    assert_int_equal(cmd_session_new(&s, tu_open_doc(pa, MMH_MODE_COPY, NULL), &so), 0);
    assert_int_equal(cmd_diff_open(s, tu_open_doc(pb, MMH_MODE_COPY, NULL)), 0);
    settle(s);
    assert_true(s->diff->done);
    assert_int_equal(s->diff->sum.ranges, 1);
    assert_int_equal(s->diff->sum.first, tib - 100);
    assert_true(s->diff->sum.bytes_read < (64u << 20)); /* the holes were not read */
    assert_int_equal(run(s, "diffnext"), 0);
    assert_int_equal(s->view->cursor, tib - 100);
    cmd_session_free(s);
    tu_rmdir(dir);
    free(pa);
    free(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_oracle),  cmocka_unit_test(test_copy_on_disk),
        cmocka_unit_test(test_copy_refused), cmocka_unit_test(test_others_change_files),
        cmocka_unit_test(test_frame),        cmocka_unit_test(test_list),
        cmocka_unit_test(test_align),        cmocka_unit_test(test_sparse_tib),
    };
    return cmocka_run_group_tests_name("diffpair", tests, NULL, tu_unmount_all);
}
