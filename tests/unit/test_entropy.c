/*
 * test_entropy: the entropy map's core (entropy.h) on files made by real
 * tools (dd, truncate, seq, head of /dev/urandom) with known content: the
 * arithmetic on hand-made histograms; a mixed file whose per-bucket entropy
 * is compared with what python3 computes from the same bytes; zeros, text,
 * random and a repeated four-byte pattern each in its class; a sparse file
 * whose holes are never read (the progress counters: data bytes read ==
 * the data the file system holds); a 1 TiB sparse file with a few MiB of
 * data; the sampling pass giving the whole picture before any bucket is
 * exact; a stop half-way (cancellation) and resuming; a truncation by a
 * child process mid-walk (an error, not SIGBUS); staleness after an edit;
 * and the batch command's lines; the map screen (Tab, the cache, Enter,
 * an edit); the command cancelled by Esc.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "entropy.h"
#include "grid.h"
#include "keymap.h"
#include "rmap.h"
#include "session.h"
#include "testutil.h"

#include <cmocka.h>

/* Run a shell command (the real tools); aborts the test when it fails. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("'%s' failed: %d", cmd, rc);
}

static bool have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Run the map to its end; the step count. */
static int run_all(Entropy *e)
{
    int rc, steps = 0;
    while ((rc = entropy_step(e, 50000000ull)) == 0)
        steps++;
    assert_int_equal(rc, 1);
    return steps;
}

static Entropy *map_of(Doc *d, size_t n)
{
    Entropy *e;
    assert_int_equal(entropy_new(&e, d, n), 0);
    return e;
}

/* ---- arithmetic ---------------------------------------------------------------- */

static void test_arithmetic(void **state)
{
    (void)state;
    uint64_t h[256] = {0};
    assert_true(entropy_bits(h) == 0);
    assert_int_equal(entropy_classify(h), ENT_ZEROS);
    h[0] = 1000;
    assert_true(entropy_bits(h) == 0);
    assert_int_equal(entropy_classify(h), ENT_ZEROS);
    h['a'] = 1000; /* two equal symbols: one bit */
    assert_true(entropy_bits(h) > 0.9999 && entropy_bits(h) < 1.0001);
    for (int i = 0; i < 256; i++)
        h[i] = 7;
    assert_true(entropy_bits(h) > 7.9999 && entropy_bits(h) < 8.0001);
    assert_int_equal(entropy_classify(h), ENT_HIGH);
    memset(h, 0, sizeof h);
    h['e'] = 50, h['t'] = 30, h[' '] = 15, h['\n'] = 5;
    assert_int_equal(entropy_text_permille(h), 1000);
    assert_int_equal(entropy_classify(h), ENT_TEXT);
    h[0x90] = 100; /* half UTF-8 continuation bytes: still text-ish, but not ASCII enough */
    assert_int_equal(entropy_text_permille(h), 1000);
    assert_int_equal(entropy_classify(h), ENT_TEXT);
    h[0x90] = 101;
    assert_int_equal(entropy_classify(h), ENT_BINARY);
    assert_string_equal(entropy_class_name(ENT_HIGH), "high-entropy");
    assert_string_equal(entropy_class_name(ENT_NONE), "-");
}

/* ---- classes, against python3's entropy of the same bytes ------------------------- */

/* python3's Shannon entropy of [lo, hi) of path, bits per byte. */
static double py_bits(const char *path, uint64_t lo, uint64_t hi)
{
    char cmd[1024], out[64] = "";
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys,math,collections\n"
             "f=open(sys.argv[1],\"rb\");f.seek(%" PRIu64 ");b=f.read(%" PRIu64 ")\n"
             "c=collections.Counter(b);n=len(b)\n"
             "print(\"%%.6f\"%%(-sum(v/n*math.log2(v/n) for v in c.values())+0.0))' '%s'",
             lo, hi - lo, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, sizeof out, p));
    assert_int_equal(pclose(p), 0);
    return strtod(out, NULL);
}

/* Four 1 MiB parts made by the real tools: zeros (dd), text (seq), random
 * (/dev/urandom) and a four-byte pattern (printf, repeated by yes), four
 * buckets of the map; each bucket's class, and its bits against python3. */
static void test_classes(void **state)
{
    (void)state;
    if (!have("python3")) {
        print_message("skipped: python3 not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "mixed");
    sh("cd '%s' && dd if=/dev/zero of=z bs=1M count=1 status=none"
       " && seq 1 1000000 | head -c 1048576 > t"
       " && head -c 1048576 /dev/urandom > r"
       " && yes \"$(printf '\\001\\002\\377\\200\\001\\002\\377')\" | head -c 1048576 > b"
       " && cat z t r b > mixed",
       dir);
    Doc *d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    Entropy *e = map_of(d, 4);
    assert_int_equal(entropy_n(e), 4);
    run_all(e);
    static const EntClass want[4] = {ENT_ZEROS, ENT_TEXT, ENT_HIGH, ENT_BINARY};
    for (size_t i = 0; i < 4; i++) {
        const EntBucket *b = entropy_bucket(e, i);
        double py = py_bits(p, b->lo, b->hi);
        print_message("# bucket %zu: %.4f bits (python3 %.4f) %s\n", i, (double)b->bits, py,
                      entropy_class_name((EntClass)b->cls));
        assert_true(b->exact);
        assert_int_equal(b->lo, i << 20);
        assert_int_equal(b->hi, (i + 1) << 20);
        assert_int_equal(b->cls, want[i]);
        assert_true((double)b->bits > py - 0.0005 && (double)b->bits < py + 0.0005);
    }
    assert_true(entropy_bucket(e, 2)->bits > 7.99);
    uint64_t t[ENT_NCLASS];
    entropy_totals(e, t);
    assert_int_equal(t[ENT_ZEROS], 1u << 20);
    assert_int_equal(t[ENT_TEXT], 1u << 20);
    assert_int_equal(t[ENT_HIGH], 1u << 20);
    assert_int_equal(t[ENT_BINARY], 1u << 20);
    assert_int_equal(entropy_bucket_of(e, (2u << 20) + 5), 2);
    assert_int_equal(entropy_bucket_of(e, UINT64_MAX), 3);
    entropy_free(e);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* ---- holes ------------------------------------------------------------------------ */

/* A 64 MiB sparse file (truncate) with two 1 MiB data pieces (dd): holes
 * are never read. The exact pass reads exactly the data the file system
 * holds (du says how much), the rest is counted as zeros; the buckets
 * wholly in holes are exact straight after sampling. */
static void test_holes_not_read(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "sparse");
    sh("cd '%s' && truncate -s 64M sparse"
       " && head -c 1048576 /dev/urandom | dd of=sparse bs=1M seek=8 conv=notrunc status=none"
       " && head -c 1048576 /dev/urandom | dd of=sparse bs=1M seek=40 conv=notrunc status=none",
       dir);
    if (tu_blocks(p) * 512 > (8u << 20)) {
        print_message("skipped: the file system here keeps no holes\n");
        tu_rmdir(dir);
        free(p);
        skip();
    }
    Doc *d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    Entropy *e = map_of(d, 64); /* 1 MiB buckets */
    EntProgress pr;
    /* The sampling pass alone: every bucket classed, the holes exact. */
    while (entropy_progress(e, &pr), pr.sampled < pr.n)
        assert_true(entropy_step(e, 0) >= 0);
    assert_int_equal(pr.n, 64);
    assert_int_equal(pr.exact, 62);
    assert_true(pr.read <= 2 * ENT_PROBES * ENT_PROBE_BYTES);
    assert_int_equal(entropy_bucket(e, 8)->cls, ENT_HIGH);
    assert_false(entropy_bucket(e, 8)->exact);
    assert_int_equal(entropy_bucket(e, 9)->cls, ENT_ZEROS);
    run_all(e);
    entropy_progress(e, &pr);
    assert_true(pr.finished);
    assert_int_equal(pr.read_exact, 2u << 20);
    assert_int_equal(pr.read_exact + pr.zeros, 64u << 20);
    assert_int_equal(entropy_bucket(e, 40)->cls, ENT_HIGH);
    assert_true(entropy_bucket(e, 40)->exact);
    entropy_free(e);

    /* Buckets of 8 MiB: bucket 1 holds 1 MiB random in 7 MiB of hole. */
    e = map_of(d, 8);
    run_all(e);
    const EntBucket *b = entropy_bucket(e, 1);
    double py = py_bits(p, b->lo, b->hi);
    assert_true((double)b->bits > py - 0.0005 && (double)b->bits < py + 0.0005);
    assert_int_equal(b->cls, ENT_BINARY); /* 1/8 random: about 1.5 bits */
    entropy_progress(e, &pr);
    assert_int_equal(pr.read_exact, 2u << 20);
    entropy_free(e);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* 1 TiB made by truncate with 4 MiB of random data in two places (dd): the
 * map finishes reading only that data. */
static void test_terabyte(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "huge");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "truncate -s 1T '%s' 2>/dev/null", p);
    if (system(cmd) != 0) {
        print_message("skipped: this file system cannot hold a 1 TiB sparse file\n");
        free(p);
        tu_rmdir(dir);
        skip();
    }
    sh("head -c 2097152 /dev/urandom | dd of='%s' bs=1M seek=1000 conv=notrunc status=none"
       " && head -c 2097152 /dev/urandom | dd of='%s' bs=1M seek=700000 conv=notrunc status=none",
       p, p);
    Doc *d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    Entropy *e = map_of(d, 1000);
    uint64_t t0 = (uint64_t)time(NULL);
    run_all(e);
    EntProgress pr;
    entropy_progress(e, &pr);
    print_message("# 1 TiB: %" PRIu64 " data bytes read, %.1f ms in steps\n", pr.read_exact,
                  (double)pr.ns / 1e6);
    assert_true(pr.finished);
    assert_int_equal(pr.read_exact, 4u << 20);
    assert_int_equal(pr.read_exact + pr.zeros, 1ull << 40);
    assert_true((uint64_t)time(NULL) - t0 < 20);
    uint64_t t[ENT_NCLASS];
    entropy_totals(e, t);
    assert_int_equal(t[ENT_ZEROS] + t[ENT_BINARY] + t[ENT_HIGH], 1ull << 40);
    assert_true(t[ENT_BINARY] + t[ENT_HIGH] > 0);
    entropy_free(e);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* ---- stopping, truncation, staleness -------------------------------------------- */

/* A job stopped half-way keeps what is exact and resumes from there. */
static void test_stop_and_resume(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "r");
    sh("head -c 16777216 /dev/urandom > '%s'", p);
    Doc *d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    Entropy *e = map_of(d, 16);
    EntProgress pr;
    do
        assert_int_equal(entropy_step(e, 0), 0);
    while (entropy_progress(e, &pr), pr.exact < 3);
    assert_false(pr.finished);
    assert_true(pr.read_exact < (8u << 20));
    uint64_t before = pr.read_exact;
    run_all(e);
    entropy_progress(e, &pr);
    assert_true(pr.finished);
    assert_int_equal(pr.read_exact, 16u << 20); /* nothing read twice */
    assert_true(before > 0);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(entropy_bucket(e, i)->cls, ENT_HIGH);
    /* A stop at any point frees cleanly (the sanitizer checks leaks). */
    entropy_free(e);
    e = map_of(d, 16);
    assert_int_equal(entropy_step(e, 0), 0);
    entropy_free(e);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* Another process truncates the file mid-walk: an error, never SIGBUS. */
static void test_truncated(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "data");
    sh("head -c 33554432 /dev/urandom > '%s'", p);
    Doc *d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    Entropy *e = map_of(d, 32);
    EntProgress pr;
    do
        assert_int_equal(entropy_step(e, 0), 0);
    while (entropy_progress(e, &pr), pr.exact < 2);
    tu_truncate_by_child(p, 1u << 20);
    int rc;
    while ((rc = entropy_step(e, 0)) == 0)
        ;
    assert_int_equal(rc, -MMH_ETRUNC);
    assert_true(entropy_stale(e, d, 32) || doc_size(d) == (32u << 20));
    entropy_free(e);
    doc_close(d);

    /* Large buckets: the exact pass reads in parallel rounds (pread), which
     * see the truncation as a short read. */
    sh("head -c 33554432 /dev/urandom > '%s'", p);
    d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    e = map_of(d, 2);
    do
        assert_int_equal(entropy_step(e, 0), 0);
    while (entropy_progress(e, &pr), pr.read_exact < (4u << 20));
    tu_truncate_by_child(p, 1u << 20);
    while ((rc = entropy_step(e, 0)) == 0)
        ;
    assert_int_equal(rc, -MMH_ETRUNC);
    entropy_free(e);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* An edit makes the map stale; so does another bucket count. */
static void test_stale(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "z");
    sh("dd if=/dev/zero of='%s' bs=1M count=2 status=none", p);
    Doc *d = tu_open_doc(p, MMH_MODE_COPY, NULL);
    Entropy *e = map_of(d, 2);
    run_all(e);
    assert_false(entropy_stale(e, d, 2));
    assert_true(entropy_stale(e, d, 3));
    assert_true(entropy_stale(NULL, d, 2));
    uint8_t x[4096];
    memset(x, 'x', sizeof x);
    assert_int_equal(doc_put(d, 4096, x, sizeof x), 0);
    assert_true(entropy_stale(e, d, 2));
    entropy_free(e);
    /* A new map sees the unwritten edit: 4 KiB of 'x' in 1 MiB of zeros. */
    e = map_of(d, 2);
    run_all(e);
    assert_int_equal(entropy_bucket(e, 0)->cls, ENT_BINARY);
    assert_true(entropy_bucket(e, 0)->bits > 0.03 && entropy_bucket(e, 0)->bits < 0.05);
    assert_int_equal(entropy_bucket(e, 1)->cls, ENT_ZEROS);
    entropy_free(e);
    /* One 2 MiB bucket, read in a parallel round (pread, edits laid over):
     * p = 4 KiB / 2 MiB of 'x', the rest zeros. */
    e = map_of(d, 1);
    run_all(e);
    double q = 1.0 / 512, want = -(q * log2(q) + (1 - q) * log2(1 - q));
    assert_true((double)entropy_bucket(e, 0)->bits > want - 0.0001 &&
                (double)entropy_bucket(e, 0)->bits < want + 0.0001);
    entropy_free(e);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* ---- the command ------------------------------------------------------------------ */

static void test_command(void **state)
{
    (void)state;
    if (!have("python3")) {
        print_message("skipped: python3 not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "c");
    sh("cd '%s' && truncate -s 2M c && seq 1 400000 | head -c 1048576 |"
       " dd of=c conv=notrunc status=none",
       dir);
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_READONLY, .sys = NULL};
    SessionOpts so = {.bpr_fixed = 0, .batch = true};
    assert_int_equal(doc_open(&d, p, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 80);
    cmd_run(s, "entropy 2");
    assert_int_equal(cmd_result(s), 0);
    char *out = cmd_output_take(s);
    assert_non_null(out);
    print_message("# %s", out);
    char want[256];
    snprintf(want, sizeof want, "0x00000000-0x000fffff  %.2f  text\n", py_bits(p, 0, 1u << 20));
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "0x00100000-0x001fffff  0.00  zeros\n"));
    assert_non_null(strstr(out, "zeros 1048576  text 1048576  binary 0  high-entropy 0"));
    free(out);
    cmd_run(s, "entropy 0");
    assert_int_equal(cmd_result(s), -EINVAL);
    cmd_run(s, "entropy lots");
    assert_int_equal(cmd_result(s), -EINVAL);
    cmd_session_free(s);
    free(p);
    tu_rmdir(dir);
}

/* ---- the map screen: Tab, the cache ------------------------------------------------ */

/* Draw the screen; true when row 0 holds want. */
static bool title_has(Session *s, Grid *g, const char *want)
{
    char row[512];
    cmd_frame(s, g);
    grid_row_text(g, 0, row, sizeof row);
    return strstr(row, want) != NULL;
}

static void drain(Session *s)
{
    for (int i = 0; i < 10000 && cmd_busy(s); i++)
        cmd_tick(s, 20000000ull);
    assert_false(cmd_busy(s));
}

/* Tab shows the entropy map, computed by a job into the session's cache;
 * leaving and coming back uses the cache (no job); an edit throws it away
 * and the next showing computes it afresh. */
static void test_screen_cache(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "s");
    sh("cd '%s' && seq 1 300000 | head -c 1048576 > s && head -c 1048576 /dev/urandom >> s", dir);
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_COPY, .sys = NULL};
    SessionOpts so = {.bpr_fixed = 0, .batch = false};
    assert_int_equal(doc_open(&d, p, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 80);
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 80), 0);
    size_t n = rmap_capacity(24, 80);

    cmd_key(s, 'm');
    assert_true(title_has(s, &g, "mmhex residency map"));
    cmd_key(s, MMH_KEY_TAB);
    assert_true(title_has(s, &g, "mmhex entropy map"));
    drain(s);
    assert_true(title_has(s, &g, "100.0% exact"));
    const struct Entropy *first = s->ent;
    assert_non_null(first);
    assert_false(entropy_stale(s->ent, s->doc, n));
    assert_int_equal(entropy_bucket(s->ent, 0)->cls, ENT_TEXT);
    assert_int_equal(entropy_bucket(s->ent, entropy_n(s->ent) - 1)->cls, ENT_HIGH);

    /* Leave and come back: the same map, finished, no job started. */
    cmd_key(s, MMH_KEY_ESC);
    assert_true(title_has(s, &g, "mmhex  s"));
    cmd_key(s, 'm');
    cmd_key(s, MMH_KEY_TAB);
    assert_false(cmd_busy(s));
    assert_true(title_has(s, &g, "100.0% exact"));
    assert_ptr_equal(s->ent, first);

    /* Enter jumps to the selected bucket (End: the last). */
    cmd_key(s, MMH_KEY_END);
    uint64_t last = entropy_bucket(s->ent, entropy_n(s->ent) - 1)->lo;
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cmd_view(s)->cursor, last);

    /* An edit makes the cache stale; showing the map computes it again. */
    cmd_run(s, "goto 0");
    cmd_run(s, "put 00 00 00 00");
    assert_int_equal(cmd_result(s), 0);
    assert_true(entropy_stale(s->ent, s->doc, n));
    cmd_key(s, 'm');
    cmd_key(s, MMH_KEY_TAB);
    cmd_frame(s, &g);
    drain(s);
    assert_true(title_has(s, &g, "100.0% exact"));
    assert_false(entropy_stale(s->ent, s->doc, n));
    cmd_key(s, MMH_KEY_ESC);
    grid_free(&g);
    cmd_session_free(s);
    free(p);
    tu_rmdir(dir);
}

/* The command interactively: a job; Esc in the editor cancels it. */
static void test_command_cancel(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "big");
    sh("head -c 134217728 /dev/urandom > '%s'", p);
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_READONLY, .sys = NULL};
    SessionOpts so = {.bpr_fixed = 0, .batch = false};
    assert_int_equal(doc_open(&d, p, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 80);
    cmd_run(s, "entropy 4");
    assert_int_equal(cmd_result(s), 0);
    assert_true(cmd_busy(s)); /* 128 MiB: more than the first slice */
    cmd_tick(s, 1000000ull);
    cmd_key(s, MMH_KEY_ESC);
    assert_false(cmd_busy(s));
    assert_non_null(strstr(cmd_message(s, NULL), "entropy cancelled"));
    char *out = cmd_output_take(s);
    assert_true(!out || !strstr(out, "high-entropy")); /* nothing printed */
    free(out);
    cmd_session_free(s);
    free(p);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),      cmocka_unit_test(test_classes),
        cmocka_unit_test(test_holes_not_read),  cmocka_unit_test(test_terabyte),
        cmocka_unit_test(test_stop_and_resume), cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_stale),           cmocka_unit_test(test_command),
        cmocka_unit_test(test_screen_cache),    cmocka_unit_test(test_command_cancel),
    };
    return cmocka_run_group_tests_name("entropy", tests, NULL, NULL);
}
