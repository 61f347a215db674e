/*
 * test_select: the selection commands through the public cmd.h API: copy
 * and paste, fill, each transform, the job of a large change (chunk
 * boundaries, Esc cancelling it whole, the question before a very large
 * one), copy-as (batch output, a file, the terminal clipboard's base64),
 * import, and patches (export, apply, refusals). Every change is checked
 * in copy and shared mode, in memory, as one undo step, and on disk after
 * write with a separate read.
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

#include <cmocka.h>

#include "cmd.h"
#include "keymap.h"
#include "testutil.h"

#define SMALL 65536u

static const MmhMode WMODES[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
#define N_WMODES 2

typedef struct Fix {
    char *dir, *path;
    Session *s;
} Fix;

static Session *open_session(const char *path, MmhMode mode, bool batch)
{
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = mode, .sys = NULL};
    SessionOpts so = {.batch = batch};
    assert_int_equal(doc_open(&d, path, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 80);
    return s;
}

static void fix_open(Fix *f, uint64_t size, MmhMode mode, bool batch)
{
    f->dir = tu_mkdtemp();
    f->path = tu_path(f->dir, "data");
    tu_make_file(f->path, size, 0);
    f->s = open_session(f->path, mode, batch);
}

static void fix_close(Fix *f)
{
    cmd_session_free(f->s);
    free(f->path);
    tu_rmdir(f->dir);
    memset(f, 0, sizeof *f);
}

static int run(Session *s, const char *line)
{
    cmd_run(s, line);
    return cmd_result(s);
}

static bool msg_has(Session *s, const char *sub)
{
    const char *m = cmd_message(s, NULL);
    if (m && strstr(m, sub))
        return true;
    print_message("message \"%s\" lacks \"%s\"\n", m ? m : "(none)", sub);
    return false;
}

static bool out_is(Session *s, const char *want)
{
    char *o = cmd_output_take(s);
    bool ok = o && !strcmp(o, want);
    if (!ok)
        print_message("output \"%s\" is not \"%s\"\n", o ? o : "(none)", want);
    free(o);
    return ok;
}

static void mem(Session *s, uint64_t off, uint8_t *b, size_t n)
{
    assert_int_equal(doc_read(cmd_doc(s), off, b, n), 0);
}

/* Select [lo, hi] (inclusive). */
static void sel(Session *s, uint64_t lo, uint64_t hi)
{
    char line[64];
    snprintf(line, sizeof line, "goto %" PRIu64, lo);
    assert_int_equal(run(s, line), 0);
    if (cmd_view(s)->sel_on)
        assert_int_equal(run(s, "select"), 0);
    assert_int_equal(run(s, "select"), 0);
    snprintf(line, sizeof line, "goto %" PRIu64, hi);
    assert_int_equal(run(s, line), 0);
}

/* The file's bytes [lo, lo+n) hold want, in memory and, after write, on
 * disk; then undo gives the pattern back (on disk too in shared mode). */
static void check_change(Fix *f, MmhMode m, uint64_t lo, const uint8_t *want, size_t n)
{
    uint8_t *got = malloc(n), *orig = tu_pattern_buf(lo + n);
    mem(f->s, lo, got, n);
    assert_memory_equal(got, want, n);
    /* Nothing else changed. */
    uint8_t b;
    if (lo) {
        mem(f->s, lo - 1, &b, 1);
        assert_int_equal(b, tu_pattern(lo - 1));
    }
    mem(f->s, lo + n, &b, 1);
    assert_int_equal(b, tu_pattern(lo + n));
    assert_int_equal(run(f->s, "write"), 0);
    tu_pread(f->path, lo, got, n);
    assert_memory_equal(got, want, n);
    assert_int_equal(run(f->s, "undo"), 0);
    mem(f->s, lo, got, n);
    assert_memory_equal(got, orig + lo, n);
    if (m == MMH_MODE_SHARED) {
        tu_pread(f->path, lo, got, n);
        assert_memory_equal(got, orig + lo, n);
    }
    run(f->s, "undo"); /* one step, and it is gone */
    assert_true(msg_has(f->s, "nothing to undo"));
    free(got);
    free(orig);
}

static void test_copy_paste(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        fix_open(&f, SMALL, WMODES[i], true);
        assert_int_not_equal(run(f.s, "copy"), 0);
        assert_true(msg_has(f.s, "no selection"));
        assert_int_not_equal(run(f.s, "paste"), 0);
        assert_true(msg_has(f.s, "clipboard is empty"));
        sel(f.s, 0x10, 0x13);
        assert_int_equal(run(f.s, "copy"), 0);
        assert_true(msg_has(f.s, "copied 4 B from 0x10"));
        assert_false(cmd_view(f.s)->sel_on);
        assert_int_equal(run(f.s, "goto 0x200"), 0);
        assert_int_equal(run(f.s, "paste"), 0);
        uint8_t want[4] = {tu_pattern(0x10), tu_pattern(0x11), tu_pattern(0x12), tu_pattern(0x13)};
        check_change(&f, WMODES[i], 0x200, want, 4);
        /* Never past the end. */
        assert_int_equal(run(f.s, "goto end-2"), 0);
        assert_int_equal(run(f.s, "paste"), -ERANGE);
        assert_true(msg_has(f.s, "would pass the end"));
        assert_int_equal(tu_size(f.path), SMALL);
        fix_close(&f);
    }
}

static void test_fill(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        fix_open(&f, SMALL, WMODES[i], true);
        sel(f.s, 0x21, 0x27);
        assert_int_equal(run(f.s, "fill de ad be"), 0);
        assert_true(msg_has(f.s, "fill de ad be: 0x21-0x27"));
        check_change(&f, WMODES[i], 0x21, (const uint8_t *)"\xde\xad\xbe\xde\xad\xbe\xde", 7);
        sel(f.s, 0x21, 0x27);
        assert_int_equal(run(f.s, "fill 00"), 0);
        check_change(&f, WMODES[i], 0x21, (const uint8_t *)"\0\0\0\0\0\0\0", 7);
        assert_int_not_equal(run(f.s, "fill"), 0);
        assert_int_not_equal(run(f.s, "fill xyz"), 0);
        fix_close(&f);
    }
}

static void test_transforms(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        fix_open(&f, SMALL, WMODES[i], true);
        uint64_t lo = 0x40;
        uint8_t p[8], w[8];
        for (int k = 0; k < 8; k++)
            p[k] = tu_pattern(lo + (uint64_t)k);
        sel(f.s, lo, lo + 7);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform xor ff 00"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = (uint8_t)(k % 2 ? p[k] : p[k] ^ 0xff);
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform and 0f"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = p[k] & 0x0f;
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform or 80"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = p[k] | 0x80;
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform add f0"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = (uint8_t)(p[k] + 0xf0);
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform not"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = (uint8_t)~p[k];
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform reverse"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = p[7 - k];
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform swap2"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = p[k ^ 1];
        check_change(&f, WMODES[i], lo, w, 8);
        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform swap4"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = p[k ^ 3];
        check_change(&f, WMODES[i], lo, w, 8);
        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform swap8"), 0);
        for (int k = 0; k < 8; k++)
            w[k] = p[k ^ 7];
        check_change(&f, WMODES[i], lo, w, 8);

        sel(f.s, lo, lo + 7);
        assert_int_equal(run(f.s, "transform random"), 0);
        assert_int_equal(run(f.s, "undo"), 0);
        mem(f.s, lo, w, 8);
        assert_memory_equal(w, p, 8);

        /* Refusals, with nothing changed. */
        sel(f.s, lo, lo + 6);
        assert_int_equal(run(f.s, "transform swap4"), -EINVAL);
        assert_true(msg_has(f.s, "not a multiple of 4"));
        assert_int_equal(run(f.s, "transform xor"), -EINVAL);
        assert_int_equal(run(f.s, "transform not 00"), -EINVAL);
        assert_int_equal(run(f.s, "transform rot13"), -EINVAL);
        run(f.s, "undo");
        assert_true(msg_has(f.s, "nothing to undo"));
        fix_close(&f);
    }
}

/* Over more than one chunk (1 MiB), odd lengths, both ends of the file. */
static void test_chunks(void **state)
{
    (void)state;
    uint64_t size = (3u << 20) + 5;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        fix_open(&f, size, WMODES[i], true);
        uint8_t *want = tu_pattern_buf(size), *got = malloc(size);
        sel(f.s, 0, size - 1);
        assert_int_equal(run(f.s, "transform reverse"), 0);
        for (uint64_t k = 0; k < size; k++)
            want[k] = tu_pattern(size - 1 - k);
        mem(f.s, 0, got, size);
        assert_memory_equal(got, want, size);
        assert_int_equal(run(f.s, "undo"), 0);
        sel(f.s, 1, size - 2);
        assert_int_equal(run(f.s, "fill 01 02 03"), 0);
        assert_int_equal(run(f.s, "write"), 0);
        tu_pread(f.path, 0, got, size);
        assert_int_equal(got[0], tu_pattern(0));
        assert_int_equal(got[size - 1], tu_pattern(size - 1));
        for (uint64_t k = 1; k < size - 1; k++)
            if (got[k] != (uint8_t)((k - 1) % 3 + 1))
                fail_msg("byte 0x%" PRIx64 " is %02x", k, got[k]);
        free(want);
        free(got);
        fix_close(&f);
    }
}

/* A large change is a job: Esc cancels it whole. A very large one asks. */
static void test_job_cancel(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        uint64_t size = 48u << 20;
        fix_open(&f, size, WMODES[i], false);
        cmd_run(f.s, "goto 0");
        cmd_key(f.s, 'v');
        cmd_run(f.s, "goto end-1");
        cmd_run(f.s, "fill 5a");
        if (!cmd_busy(f.s)) {
            print_message("# the fill ended in its first slice: no cancel to test\n");
        } else {
            assert_true(msg_has(f.s, "Esc cancels"));
            cmd_tick(f.s, 1000000);
            cmd_key(f.s, MMH_KEY_ESC);
            assert_false(cmd_busy(f.s));
            assert_true(msg_has(f.s, "cancelled; nothing was changed"));
            uint8_t *got = malloc(size), *want = tu_pattern_buf(size);
            mem(f.s, 0, got, size);
            assert_memory_equal(got, want, size);
            tu_pread(f.path, 0, got, size);
            assert_memory_equal(got, want, size);
            free(got);
            free(want);
        }
        /* Run to the end by ticks: one undo step. */
        cmd_run(f.s, "fill 5a");
        while (cmd_busy(f.s))
            cmd_tick(f.s, 50000000);
        assert_true(msg_has(f.s, "u undoes"));
        uint8_t b[2];
        mem(f.s, size - 2, b, 2);
        assert_memory_equal(b, "\x5a\x5a", 2);
        cmd_key(f.s, 'u');
        mem(f.s, size - 2, b, 2);
        assert_int_equal(b[1], tu_pattern(size - 1));
        fix_close(&f);
    }
    /* Above 64 MiB interactively: a question naming the memory. */
    Fix f;
    f.dir = tu_mkdtemp();
    f.path = tu_path(f.dir, "data");
    tu_make_file(f.path, 65u << 20, 1);
    f.s = open_session(f.path, MMH_MODE_COPY, false);
    cmd_run(f.s, "select");
    cmd_run(f.s, "goto end-1");
    cmd_run(f.s, "fill 00");
    assert_true(msg_has(
        f.s, "fill 65.0 MiB -> about 65.0 MiB of private memory until written; continue? (y/n)"));
    cmd_key(f.s, 'n');
    assert_false(cmd_busy(f.s));
    run(f.s, "undo");
    assert_true(msg_has(f.s, "nothing to undo"));
    fix_close(&f);
}

/* Another process truncates the file under a running fill: the fill fails,
 * says so, and what it had done is undone, in memory and on disk. */
static void test_job_truncated(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        uint64_t size = 48u << 20, cut = 1u << 20;
        fix_open(&f, size, WMODES[i], false);
        cmd_run(f.s, "select");
        cmd_run(f.s, "goto end-1");
        cmd_run(f.s, "fill 5a");
        if (!cmd_busy(f.s)) {
            print_message("# the fill ended in its first slice: nothing to truncate under\n");
            fix_close(&f);
            continue;
        }
        tu_truncate_by_child(f.path, cut);
        for (int k = 0; k < 1000 && cmd_busy(f.s); k++)
            cmd_tick(f.s, 50000000);
        assert_false(cmd_busy(f.s));
        /* The job failed (the message row then says the truncation). */
        assert_true(cmd_result(f.s) < 0);
        assert_int_equal(tu_size(f.path), cut);
        uint8_t *got = malloc(cut), *want = tu_pattern_buf(cut);
        mem(f.s, 0, got, cut);
        assert_memory_equal(got, want, cut);
        cmd_run(f.s, "write");
        tu_pread(f.path, 0, got, cut);
        assert_memory_equal(got, want, cut);
        assert_int_equal(tu_size(f.path), cut);
        free(got);
        free(want);
        fix_close(&f);
    }
}

static void test_copyas(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, true);
    assert_int_equal(run(f.s, "put 66 6f 6f 62 61 72"), 0);
    sel(f.s, 0, 5);
    assert_int_equal(run(f.s, "copyas hex"), 0);
    assert_true(out_is(f.s, "666f6f626172\n"));
    assert_int_equal(run(f.s, "copyas base64"), 0);
    assert_true(out_is(f.s, "Zm9vYmFy\n"));
    assert_int_equal(run(f.s, "copyas python"), 0);
    assert_true(out_is(f.s, "b'\\x66\\x6f\\x6f\\x62\\x61\\x72'\n"));
    assert_int_equal(run(f.s, "copyas c"), 0);
    assert_true(
        out_is(f.s, "unsigned char data[6] = {\n    0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72\n};\n"));
    assert_int_equal(run(f.s, "copyas rust"), -EINVAL);
    char *p = tu_path(f.dir, "out.txt");
    char line[256], buf[64] = {0};
    snprintf(line, sizeof line, "copyas base64 %s", p);
    assert_int_equal(run(f.s, line), 0);
    tu_pread(p, 0, buf, 8);
    assert_string_equal(buf, "Zm9vYmFy");
    assert_int_equal(run(f.s, line), -EEXIST); /* never replaces a file */
    assert_null(cmd_osc52_take(f.s));
    free(p);
    fix_close(&f);

    /* Interactive: base64 of the text for the terminal (OSC 52). */
    fix_open(&f, SMALL, MMH_MODE_COPY, false);
    cmd_key(f.s, 'Y'); /* no selection: said before any prompt opens */
    assert_true(msg_has(f.s, "copyas: no selection"));
    cmd_key(f.s, 't');
    assert_true(msg_has(f.s, "transform: no selection"));
    cmd_key(f.s, 'j'); /* a key for the hex screen, not a prompt */
    assert_int_equal(cmd_view(f.s)->cursor, 16);
    cmd_run(f.s, "goto 0");
    cmd_run(f.s, "put 66 6f 6f 62 61 72");
    cmd_run(f.s, "goto 0");
    cmd_key(f.s, 'v');
    cmd_run(f.s, "goto 2");
    cmd_run(f.s, "copyas hex"); /* "666f6f" */
    assert_true(msg_has(f.s, "terminal clipboard (OSC 52)"));
    char *b = cmd_osc52_take(f.s);
    assert_non_null(b);
    assert_string_equal(b, "NjY2ZjZm");
    free(b);
    assert_null(cmd_osc52_take(f.s));
    fix_close(&f);
}

static void test_import(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix f;
        fix_open(&f, SMALL, WMODES[i], true);
        char *p = tu_path(f.dir, "in.bin"), line[256];
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_int_equal(write(fd, "\x01\x02\x03", 3), 3);
        close(fd);
        snprintf(line, sizeof line, "import %s", p);
        assert_int_equal(run(f.s, "goto 0x300"), 0);
        assert_int_equal(run(f.s, line), 0);
        check_change(&f, WMODES[i], 0x300, (const uint8_t *)"\x01\x02\x03", 3);
        assert_int_equal(run(f.s, "goto end-1"), 0);
        assert_int_equal(run(f.s, line), -ERANGE);
        assert_int_equal(run(f.s, "import /nonexistent/x"), -ENOENT);
        assert_int_equal(tu_size(f.path), SMALL);
        free(p);
        fix_close(&f);
    }
}

static void test_patch(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, true);
    assert_int_equal(run(f.s, "patch export"), -ENOENT);
    assert_int_equal(run(f.s, "goto 0x10"), 0);
    assert_int_equal(run(f.s, "put 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11"), 0);
    assert_int_equal(run(f.s, "goto 0x1000"), 0);
    assert_int_equal(run(f.s, "put ff"), 0);
    assert_int_equal(run(f.s, "patch export"), 0);
    assert_true(out_is(f.s, "00000010: 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f\n"
                            "00000020: 1011\n"
                            "00001000: ff\n"));
    char *p = tu_path(f.dir, "p.xxd"), line[256];
    snprintf(line, sizeof line, "patch export %s", p);
    assert_int_equal(run(f.s, line), 0);

    /* Apply it to a fresh copy, in both modes. */
    for (size_t i = 0; i < N_WMODES; i++) {
        Fix g;
        fix_open(&g, SMALL, WMODES[i], true);
        snprintf(line, sizeof line, "patch apply %s", p);
        assert_int_equal(run(g.s, line), 0);
        assert_true(msg_has(g.s, "19 B in 3 lines"));
        assert_int_equal(run(g.s, "write"), 0);
        assert_int_equal(tu_pread_byte(g.path, 0x21), 0x11);
        assert_int_equal(tu_pread_byte(g.path, 0x1000), 0xff);
        assert_int_equal(tu_pread_byte(g.path, 0x22), tu_pattern(0x22));
        assert_int_equal(run(g.s, "undo"), 0);
        uint8_t b;
        mem(g.s, 0x1000, &b, 1);
        assert_int_equal(b, tu_pattern(0x1000));
        fix_close(&g);
    }
    /* A bad line or one past the end: nothing applied. */
    Fix g;
    fix_open(&g, SMALL, MMH_MODE_COPY, true);
    char *q = tu_path(g.dir, "bad.xxd");
    FILE *fp = fopen(q, "w");
    fprintf(fp, "00000000: 4142\nnot a line\n");
    fclose(fp);
    snprintf(line, sizeof line, "patch apply %s", q);
    assert_int_equal(run(g.s, line), -EINVAL);
    assert_true(msg_has(g.s, "line 2"));
    fp = fopen(q, "w");
    fprintf(fp, "00000000: 4142\n0000ffff: 4142\n");
    fclose(fp);
    assert_int_equal(run(g.s, line), -ERANGE);
    assert_true(msg_has(g.s, "nothing applied"));
    uint8_t b;
    mem(g.s, 0, &b, 1);
    assert_int_equal(b, tu_pattern(0));
    run(g.s, "undo");
    assert_true(msg_has(g.s, "nothing to undo"));
    free(q);
    fix_close(&g);
    free(p);
    fix_close(&f);
}

static void test_readonly(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_READONLY, true);
    sel(f.s, 0, 3);
    assert_int_equal(run(f.s, "copy"), 0); /* reading is fine */
    assert_int_equal(run(f.s, "paste"), -EROFS);
    sel(f.s, 0, 3);
    assert_int_equal(run(f.s, "fill 00"), -EROFS);
    assert_int_equal(run(f.s, "transform not"), -EROFS);
    assert_int_equal(run(f.s, "copyas hex"), 0);
    free(cmd_output_take(f.s));
    fix_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_paste), cmocka_unit_test(test_fill),
        cmocka_unit_test(test_transforms), cmocka_unit_test(test_chunks),
        cmocka_unit_test(test_job_cancel), cmocka_unit_test(test_job_truncated),
        cmocka_unit_test(test_copyas),     cmocka_unit_test(test_import),
        cmocka_unit_test(test_patch),      cmocka_unit_test(test_readonly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
