/*
 * test_cmd: the session and its command language, driven without a
 * terminal. Each scenario opens a temporary file, starts a session (batch
 * for command lines; interactive where keys, prompts and confirmations are
 * the point), runs commands and keys, and checks the result code, the
 * message, the cursor, the output buffer and, with a separate pread, the
 * bytes on disk. Every editing scenario runs in both writable modes: copy
 * (the file changes only on write) and shared (it changes at once).
 *
 * cmocka installs its own SIGBUS handler around every test; map_open
 * (through guard_init) puts the guard's back whenever it is not in force,
 * so the documents each test opens are guarded without help.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "guard.h"
#include "keymap.h"
#include "testutil.h"

#define SMALL 65536u /* the usual test file: 64 KiB of the tu_pattern bytes */

static const MmhMode WMODES[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
#define N_WMODES (sizeof WMODES / sizeof WMODES[0])

static const char *mname(MmhMode m)
{
    return m == MMH_MODE_COPY ? "copy" : m == MMH_MODE_SHARED ? "shared" : "read-only";
}

/* ---- fixtures -------------------------------------------------------------- */

typedef struct Fix {
    char *dir;  /* temporary directory */
    char *path; /* dir/data */
    Session *s; /* session on path */
} Fix;

static Session *open_session(const char *path, MmhMode mode, bool batch)
{
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = mode, .sys = NULL};
    SessionOpts so = {.bpr_fixed = 0, .batch = batch};
    assert_int_equal(doc_open(&d, path, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    assert_non_null(s);
    cmd_resize(s, 24, 80);
    return s;
}

/* A fresh SIZE-byte pattern file and a session on it. */
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

/* Run a line; its result code. */
static int run(Session *s, const char *line)
{
    cmd_run(s, line);
    return cmd_result(s);
}

static uint64_t cursor(Session *s)
{
    return cmd_view(s)->cursor;
}

static void keys(Session *s, const char *text)
{
    for (; *text; text++)
        cmd_key(s, (unsigned char)*text);
}

/* The message holds sub (printing it when not, so a failure says why). */
static bool msg_has(Session *s, const char *sub)
{
    const char *m = cmd_message(s, NULL);
    if (m && strstr(m, sub))
        return true;
    print_message("message \"%s\" lacks \"%s\"\n", m ? m : "(none)", sub);
    return false;
}

/* The output so far holds sub; the output is consumed. */
static bool out_has(Session *s, const char *sub)
{
    char *o = cmd_output_take(s);
    bool ok = o && strstr(o, sub);
    if (!ok)
        print_message("output \"%s\" lacks \"%s\"\n", o ? o : "(none)", sub);
    free(o);
    return ok;
}

static uint8_t disk(const Fix *f, uint64_t off)
{
    return (uint8_t)tu_pread_byte(f->path, off);
}

static uint8_t mem(Session *s, uint64_t off)
{
    uint8_t b = 0;
    assert_int_equal(doc_read(cmd_doc(s), off, &b, 1), 0);
    return b;
}

/* ---- goto ------------------------------------------------------------------ */

static void test_goto_forms(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        print_message("mode %s\n", mname(WMODES[m]));
        fix_open(&f, 4096, WMODES[m], true);
        Session *s = f.s;
        assert_int_equal(cursor(s), 0);
        assert_int_equal(run(s, "goto 0x10"), 0);
        assert_int_equal(cursor(s), 0x10);
        assert_int_equal(run(s, "goto +4"), 0);
        assert_int_equal(cursor(s), 0x14);
        assert_int_equal(run(s, "goto -2"), 0);
        assert_int_equal(cursor(s), 0x12);
        assert_int_equal(run(s, "goto 50%"), 0);
        assert_int_equal(cursor(s), 2048);
        assert_int_equal(run(s, "goto end-1"), 0);
        assert_int_equal(cursor(s), 4095);
        assert_int_equal(run(s, "g 0"), 0); /* the short name */
        assert_int_equal(cursor(s), 0);
        assert_int_equal(run(s, "  goto   0x20   "), 0); /* blanks around */
        assert_int_equal(cursor(s), 0x20);

        /* `goto end` alone is the last byte; past the end: an error, the
         * cursor stays. */
        assert_int_equal(run(s, "goto end"), 0);
        assert_int_equal(cursor(s), 4095);
        assert_int_equal(run(s, "goto 0x20"), 0);
        assert_true(run(s, "goto end+0") < 0);
        assert_int_equal(cursor(s), 0x20);
        assert_true(msg_has(s, "past the end"));
        assert_true(run(s, "goto 0x1000") < 0);
        assert_int_equal(cursor(s), 0x20);
        assert_true(run(s, "goto +0x2000") < 0);
        assert_int_equal(cursor(s), 0x20);
        assert_true(run(s, "goto -0x21") < 0); /* before the start */
        assert_int_equal(cursor(s), 0x20);

        /* Malformed. */
        assert_int_equal(run(s, "goto zz"), -EINVAL);
        assert_int_equal(cursor(s), 0x20);
        bool err = false;
        assert_non_null(cmd_message(s, &err));
        assert_true(err);
        assert_int_equal(run(s, "goto"), -EINVAL);
        assert_int_equal(run(s, "goto 0x"), -EINVAL);
        assert_int_equal(run(s, "goto 12 13"), -EINVAL);
        assert_int_equal(cursor(s), 0x20);

        /* A good command clears the error. */
        assert_int_equal(run(s, "goto 1"), 0);
        assert_null(cmd_message(s, NULL));
        fix_close(&f);
    }
}

/* ---- put, puttext ---------------------------------------------------------- */

static void test_put(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        print_message("mode %s\n", mname(WMODES[m]));
        fix_open(&f, 4096, WMODES[m], true);
        Session *s = f.s;
        assert_int_equal(run(s, "goto 0x100"), 0);
        assert_int_equal(run(s, "put de ad be ef"), 0);
        assert_int_equal(cursor(s), 0x104);
        assert_int_equal(mem(s, 0x100), 0xde);
        assert_int_equal(mem(s, 0x103), 0xef);
        assert_int_equal(mem(s, 0x104), tu_pattern(0x104));
        assert_int_equal(run(s, "put 0x0102"), 0); /* 0x prefix, no blanks */
        assert_int_equal(cursor(s), 0x106);
        assert_int_equal(mem(s, 0x104), 0x01);
        assert_int_equal(mem(s, 0x105), 0x02);

        assert_int_equal(run(s, "puttext Hi there"), 0);
        assert_int_equal(cursor(s), 0x106 + 8);
        uint8_t buf[8];
        assert_int_equal(doc_read(cmd_doc(s), 0x106, buf, 8), 0);
        assert_memory_equal(buf, "Hi there", 8);

        /* Clamped at the last byte. */
        assert_int_equal(run(s, "goto end-2"), 0);
        assert_int_equal(run(s, "put 11 22"), 0);
        assert_int_equal(cursor(s), 4095);
        assert_int_equal(mem(s, 4094), 0x11);
        assert_int_equal(mem(s, 4095), 0x22);
        assert_int_equal(run(s, "put 33"), 0);
        assert_int_equal(cursor(s), 4095);
        assert_int_equal(mem(s, 4095), 0x33);

        /* Past the end: refused, nothing written. */
        assert_int_equal(run(s, "goto end-1"), 0);
        assert_int_equal(run(s, "put 44 55"), -ERANGE);
        assert_true(msg_has(s, "end of the file"));
        assert_int_equal(mem(s, 4095), 0x33);
        assert_int_equal(cursor(s), 4095);
        assert_int_equal(run(s, "puttext xyz"), -ERANGE);
        assert_int_equal(mem(s, 4095), 0x33);

        /* Malformed or empty. */
        assert_int_equal(run(s, "goto 0"), 0);
        assert_int_equal(run(s, "put"), -EINVAL);
        assert_int_equal(run(s, "put abc"), -EINVAL); /* odd digit count */
        assert_int_equal(run(s, "put zz"), -EINVAL);
        assert_int_equal(run(s, "puttext"), -EINVAL);
        assert_int_equal(cursor(s), 0);
        assert_int_equal(mem(s, 0), tu_pattern(0));

        /* Long lines are taken whole: 1000 bytes as "xx " (3000 characters),
         * 2000 characters of text. */
        {
            char line[4 + 3 * 1000 + 1];
            memcpy(line, "put ", 4);
            for (int i = 0; i < 1000; i++)
                snprintf(line + 4 + 3 * i, 4, "%02x ", (unsigned)(i & 0xff) ^ 0x5a);
            assert_int_equal(run(s, "goto 0x200"), 0);
            assert_int_equal(run(s, line), 0);
            assert_int_equal(cursor(s), 0x200 + 1000);
            for (uint64_t i = 0; i < 1000; i++)
                assert_int_equal(mem(s, 0x200 + i), (i & 0xff) ^ 0x5a);
            char text[8 + 2000 + 1];
            memcpy(text, "puttext ", 8);
            for (int i = 0; i < 2000; i++)
                text[8 + i] = (char)('a' + i % 26);
            text[sizeof text - 1] = 0;
            assert_int_equal(run(s, "goto 0x800"), 0);
            assert_int_equal(run(s, text), 0);
            assert_int_equal(cursor(s), 0x800 + 2000);
            assert_int_equal(mem(s, 0x800 + 1999), 'a' + 1999 % 26);
            assert_int_equal(mem(s, 0x800 + 2000), tu_pattern(0x800 + 2000));
            assert_int_equal(run(s, "goto 0"), 0);
        }

        /* Too many bytes for one put. */
        char big[4 + 2 * 5000 + 1];
        memcpy(big, "put ", 4);
        memset(big + 4, 'a', 2 * 5000);
        big[sizeof big - 1] = 0;
        assert_true(run(s, big) < 0);
        assert_int_equal(mem(s, 0), tu_pattern(0));
        fix_close(&f);
    }
}

/* ---- undo, redo ------------------------------------------------------------ */

static void test_undo_redo(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        MmhMode mode = WMODES[m];
        print_message("mode %s\n", mname(mode));
        fix_open(&f, SMALL, mode, true);
        Session *s = f.s;
        assert_int_equal(run(s, "undo"), 0); /* nothing to undo: not an error */
        assert_true(msg_has(s, "nothing to undo"));

        assert_int_equal(run(s, "goto 0x2000"), 0);
        assert_int_equal(run(s, "put 01 02 03"), 0);
        assert_int_equal(run(s, "goto 0x3000"), 0);
        assert_int_equal(run(s, "puttext AB"), 0);
        assert_int_equal(mem(s, 0x3000), 'A');
        if (mode == MMH_MODE_SHARED) {
            assert_int_equal(disk(&f, 0x2000), 0x01);
            assert_int_equal(disk(&f, 0x3001), 'B');
        } else {
            assert_int_equal(disk(&f, 0x2000), tu_pattern(0x2000));
            assert_int_equal(disk(&f, 0x3001), tu_pattern(0x3001));
        }

        assert_int_equal(run(s, "goto 0"), 0);
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(cursor(s), 0x3000); /* shows where the undo happened */
        assert_int_equal(mem(s, 0x3000), tu_pattern(0x3000));
        assert_int_equal(mem(s, 0x3001), tu_pattern(0x3001));
        assert_int_equal(mem(s, 0x2000), 0x01);
        assert_int_equal(disk(&f, 0x3000), tu_pattern(0x3000));
        if (mode == MMH_MODE_SHARED)
            assert_int_equal(disk(&f, 0x2000), 0x01);

        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(cursor(s), 0x2000);
        for (uint64_t o = 0x2000; o < 0x2003; o++) {
            assert_int_equal(mem(s, o), tu_pattern(o));
            assert_int_equal(disk(&f, o), tu_pattern(o));
        }
        assert_int_equal(run(s, "undo"), 0);
        assert_true(msg_has(s, "nothing to undo"));

        assert_int_equal(run(s, "redo"), 0);
        assert_int_equal(cursor(s), 0x2000);
        assert_int_equal(mem(s, 0x2002), 0x03);
        if (mode == MMH_MODE_SHARED)
            assert_int_equal(disk(&f, 0x2002), 0x03);
        else
            assert_int_equal(disk(&f, 0x2002), tu_pattern(0x2002));
        assert_int_equal(run(s, "redo"), 0);
        assert_int_equal(mem(s, 0x3001), 'B');
        if (mode == MMH_MODE_SHARED)
            assert_int_equal(disk(&f, 0x3001), 'B');
        assert_int_equal(run(s, "redo"), 0);
        assert_true(msg_has(s, "nothing to redo"));

        /* A new edit after an undo drops the redo branch. */
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(run(s, "goto 0x10"), 0);
        assert_int_equal(run(s, "put ff"), 0);
        assert_int_equal(run(s, "redo"), 0);
        assert_true(msg_has(s, "nothing to redo"));
        assert_int_equal(mem(s, 0x3000), tu_pattern(0x3000));

        /* Undo everything, then write: the file holds the original bytes. */
        for (int i = 0; i < 100; i++) {
            assert_int_equal(run(s, "undo"), 0);
            const char *msg = cmd_message(s, NULL);
            if (msg && strstr(msg, "nothing to undo"))
                break;
        }
        assert_int_equal(run(s, "write"), 0);
        uint8_t buf[16];
        tu_pread(f.path, 0x2000, buf, 3);
        for (int i = 0; i < 3; i++)
            assert_int_equal(buf[i], tu_pattern(0x2000 + (uint64_t)i));
        assert_int_equal(disk(&f, 0x10), tu_pattern(0x10));
        assert_int_equal(disk(&f, 0x3000), tu_pattern(0x3000));
        fix_close(&f);
    }
}

/* ---- write ----------------------------------------------------------------- */

static void test_write(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        MmhMode mode = WMODES[m];
        print_message("mode %s\n", mname(mode));
        fix_open(&f, SMALL, mode, true);
        Session *s = f.s;
        assert_int_equal(run(s, "goto 0x1ffe"), 0); /* across a page boundary */
        assert_int_equal(run(s, "put a1 a2 a3 a4"), 0);
        assert_int_equal(run(s, "goto end-1"), 0);
        assert_int_equal(run(s, "put b1"), 0);
        if (mode == MMH_MODE_COPY) {
            assert_true(doc_unwritten(cmd_doc(s)));
            assert_int_equal(disk(&f, 0x1ffe), tu_pattern(0x1ffe));
            assert_int_equal(disk(&f, 0x2001), tu_pattern(0x2001));
            assert_int_equal(disk(&f, SMALL - 1), tu_pattern(SMALL - 1));
        } else {
            assert_false(doc_unwritten(cmd_doc(s)));
            assert_int_equal(disk(&f, 0x1ffe), 0xa1);
            assert_int_equal(disk(&f, 0x2001), 0xa4);
            assert_int_equal(disk(&f, SMALL - 1), 0xb1);
        }
        assert_int_equal(run(s, "write"), 0);
        bool err = true;
        assert_non_null(cmd_message(s, &err));
        assert_false(err);
        if (mode == MMH_MODE_COPY)
            assert_true(msg_has(s, "wrote"));
        else
            assert_true(msg_has(s, "flushed"));
        assert_false(doc_unwritten(cmd_doc(s)));
        assert_int_equal(disk(&f, 0x1ffd), tu_pattern(0x1ffd));
        assert_int_equal(disk(&f, 0x1ffe), 0xa1);
        assert_int_equal(disk(&f, 0x1fff), 0xa2);
        assert_int_equal(disk(&f, 0x2000), 0xa3);
        assert_int_equal(disk(&f, 0x2001), 0xa4);
        assert_int_equal(disk(&f, 0x2002), tu_pattern(0x2002));
        assert_int_equal(disk(&f, SMALL - 1), 0xb1);

        /* Writing again with nothing new is fine; "w" is the short name. */
        assert_int_equal(run(s, "w"), 0);
        if (mode == MMH_MODE_COPY)
            assert_true(msg_has(s, "nothing to write"));

        /* The map still shows the edits after write. */
        assert_int_equal(mem(s, 0x2000), 0xa3);
        assert_int_equal(run(s, "flush"), 0);
        assert_int_equal(run(s, "flush async"), 0);
        assert_int_equal(run(s, "flush sideways"), -EINVAL);
        fix_close(&f);

        /* The edits survive a new session. */
        fix_open(&f, 4096, mode, true);
        assert_int_equal(run(f.s, "puttext persist"), 0);
        assert_int_equal(run(f.s, "write"), 0);
        cmd_session_free(f.s);
        f.s = open_session(f.path, MMH_MODE_READONLY, true);
        assert_int_equal(mem(f.s, 0), 'p');
        assert_int_equal(mem(f.s, 6), 't');
        fix_close(&f);
    }
}

/* ---- read-only ------------------------------------------------------------- */

static void test_readonly(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, MMH_MODE_READONLY, true);
    Session *s = f.s;
    assert_int_equal(run(s, "goto 0x10"), 0);
    assert_int_equal(run(s, "put 41"), -EROFS);
    assert_true(msg_has(s, "read-only"));
    assert_int_equal(run(s, "puttext hello"), -EROFS);
    assert_true(msg_has(s, "read-only"));
    assert_int_equal(run(s, "edit"), -EROFS);
    assert_true(msg_has(s, "read-only"));
    assert_int_equal(run(s, "write"), -EROFS);
    assert_true(msg_has(s, "read-only"));
    assert_int_equal(cursor(s), 0x10);
    assert_int_equal(mem(s, 0x10), tu_pattern(0x10));
    assert_int_equal(disk(&f, 0x10), tu_pattern(0x10));
    fix_close(&f);

    /* Through keys: 'i' refuses, and digits then do not edit. */
    fix_open(&f, 4096, MMH_MODE_READONLY, false);
    s = f.s;
    cmd_key(s, 'i');
    assert_int_equal(cmd_result(s), -EROFS);
    assert_true(msg_has(s, "read-only"));
    keys(s, "41");
    assert_int_equal(mem(s, 0), tu_pattern(0));
    assert_int_equal(disk(&f, 0), tu_pattern(0));
    fix_close(&f);
}

/* ---- edit mode through keys ------------------------------------------------ */

static void test_edit_keys(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        MmhMode mode = WMODES[m];
        print_message("mode %s\n", mname(mode));
        fix_open(&f, 4096, mode, false);
        Session *s = f.s;
        assert_int_equal(run(s, "goto 0x40"), 0);
        cmd_key(s, 'i');
        assert_int_equal(cmd_result(s), 0);
        assert_true(msg_has(s, "EDIT"));
        cmd_key(s, '4');
        assert_int_equal(cursor(s), 0x40); /* the high nibble: same byte */
        assert_int_equal(cmd_view(s)->nibble, 1);
        assert_int_equal(mem(s, 0x40), 0x40 | (tu_pattern(0x40) & 0x0f));
        cmd_key(s, '1');
        assert_int_equal(mem(s, 0x40), 0x41);
        assert_int_equal(cursor(s), 0x41);
        assert_int_equal(cmd_view(s)->nibble, 0);
        keys(s, "4F2a"); /* upper and lower case digits */
        assert_int_equal(mem(s, 0x41), 0x4f);
        assert_int_equal(mem(s, 0x42), 0x2a);
        assert_int_equal(cursor(s), 0x43);
        cmd_key(s, 'x'); /* not a hex digit: refused, nothing written */
        bool err = false;
        assert_non_null(cmd_message(s, &err));
        assert_true(err);
        assert_int_equal(mem(s, 0x43), tu_pattern(0x43));
        assert_int_equal(cursor(s), 0x43);
        if (mode == MMH_MODE_SHARED)
            assert_int_equal(disk(&f, 0x40), 0x41);
        else
            assert_int_equal(disk(&f, 0x40), tu_pattern(0x40));

        /* Esc leaves: keys are commands again ('l' moves right). */
        cmd_key(s, MMH_KEY_ESC);
        cmd_key(s, 'l');
        assert_int_equal(cursor(s), 0x44);
        assert_int_equal(mem(s, 0x43), tu_pattern(0x43));

        /* One undo reverts the whole typing run. */
        cmd_key(s, 'u');
        assert_int_equal(cmd_result(s), 0);
        for (uint64_t o = 0x40; o < 0x43; o++) {
            assert_int_equal(mem(s, o), tu_pattern(o));
            assert_int_equal(disk(&f, o), tu_pattern(o));
        }
        assert_int_equal(cursor(s), 0x40);
        cmd_key(s, MMH_KEY_CTRL('r'));
        assert_int_equal(mem(s, 0x40), 0x41);
        assert_int_equal(mem(s, 0x42), 0x2a);
        cmd_key(s, 'u');
        assert_int_equal(mem(s, 0x40), tu_pattern(0x40));

        /* The text pane via Tab: characters as they are. */
        assert_int_equal(run(s, "goto 0x80"), 0);
        cmd_key(s, 'i');
        cmd_key(s, MMH_KEY_TAB);
        assert_int_equal(cmd_view(s)->pane, MMH_PANE_TEXT);
        keys(s, "Hi!");
        assert_int_equal(mem(s, 0x80), 'H');
        assert_int_equal(mem(s, 0x81), 'i');
        assert_int_equal(mem(s, 0x82), '!');
        assert_int_equal(cursor(s), 0x83);
        cmd_key(s, 0x01); /* a control character: refused */
        assert_int_equal(mem(s, 0x83), tu_pattern(0x83));
        cmd_key(s, MMH_KEY_TAB);
        assert_int_equal(cmd_view(s)->pane, MMH_PANE_HEX);
        cmd_key(s, MMH_KEY_ESC);
        cmd_key(s, 'u');
        assert_int_equal(mem(s, 0x80), tu_pattern(0x80));
        assert_int_equal(mem(s, 0x82), tu_pattern(0x82));

        /* Enter also starts edit mode; typing stops at the last byte: it
         * is written once, never overwritten again by what follows. */
        assert_int_equal(run(s, "goto end-1"), 0);
        cmd_key(s, MMH_KEY_ENTER);
        keys(s, "5a6b");
        assert_int_equal(cursor(s), 4095);
        assert_int_equal(mem(s, 4095), 0x5a);
        assert_true(msg_has(s, "end of the file"));
        cmd_key(s, MMH_KEY_ESC);
        /* Backspace in edit mode moves left without writing. */
        cmd_key(s, 'i');
        cmd_key(s, MMH_KEY_BACKSPACE);
        assert_int_equal(cursor(s), 4094);
        assert_int_equal(mem(s, 4094), tu_pattern(4094));
        cmd_key(s, MMH_KEY_ESC);

        /* Written through the key. */
        cmd_key(s, 'w');
        assert_int_equal(cmd_result(s), 0);
        assert_int_equal(disk(&f, 4095), 0x5a);
        fix_close(&f);
    }
}

/* ---- quit ------------------------------------------------------------------ */

static void test_quit(void **state)
{
    (void)state;
    Fix f;
    /* Copy mode, unwritten edits, interactive: quit asks. */
    fix_open(&f, 4096, MMH_MODE_COPY, false);
    Session *s = f.s;
    assert_int_equal(cmd_key(f.s, 'q') & MMH_R_QUIT, MMH_R_QUIT); /* no edits: at once */
    assert_int_equal(run(s, "put 41"), 0);
    assert_true(doc_unwritten(cmd_doc(s)));
    unsigned r = cmd_key(s, 'q');
    assert_int_equal(r & MMH_R_QUIT, 0);
    assert_true(msg_has(s, "unwritten"));
    r = cmd_key(s, 'n');
    assert_int_equal(r & MMH_R_QUIT, 0);
    assert_true(msg_has(s, "cancelled"));
    /* Cancelled: 'l' is a command again. */
    cmd_key(s, 'l');
    assert_int_equal(cursor(s), 2);
    r = cmd_key(s, 'q');
    assert_int_equal(r & MMH_R_QUIT, 0);
    r = cmd_key(s, 'y');
    assert_int_equal(r & MMH_R_QUIT, MMH_R_QUIT);
    assert_int_equal(disk(&f, 0), tu_pattern(0)); /* lost, as confirmed */
    /* 'w' at the question writes and quits. */
    r = cmd_key(s, 'q');
    assert_int_equal(r & MMH_R_QUIT, 0);
    r = cmd_key(s, 'w');
    assert_int_equal(r & MMH_R_QUIT, MMH_R_QUIT);
    assert_int_equal(disk(&f, 0), 0x41);
    /* Q never asks. */
    assert_int_equal(run(s, "put 42"), 0);
    assert_int_equal(cmd_key(s, 'Q') & MMH_R_QUIT, MMH_R_QUIT);
    fix_close(&f);

    /* Batch: quit does not ask. */
    fix_open(&f, 4096, MMH_MODE_COPY, true);
    assert_int_equal(run(f.s, "put 41"), 0);
    assert_int_equal(cmd_run(f.s, "quit") & MMH_R_QUIT, MMH_R_QUIT);
    fix_close(&f);

    /* Shared mode: the page cache holds the edits; quit at once. */
    fix_open(&f, 4096, MMH_MODE_SHARED, false);
    assert_int_equal(run(f.s, "put 41"), 0);
    assert_int_equal(cmd_key(f.s, 'q') & MMH_R_QUIT, MMH_R_QUIT);
    assert_int_equal(disk(&f, 0), 0x41);
    fix_close(&f);
}

/* ---- reporting commands ------------------------------------------------------ */

static void test_stat_dump(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        print_message("mode %s\n", mname(WMODES[m]));
        fix_open(&f, SMALL, WMODES[m], true);
        Session *s = f.s;
        assert_null(cmd_output_take(s));
        assert_int_equal(run(s, "stat"), 0);
        char *o = cmd_output_take(s);
        assert_non_null(o);
        assert_non_null(strstr(o, "cached"));
        assert_non_null(strstr(o, "size"));
        assert_non_null(strstr(o, "65536"));
        assert_non_null(strstr(o, WMODES[m] == MMH_MODE_COPY ? "COPY" : "SHARED"));
        free(o);
        assert_null(cmd_output_take(s)); /* taken */

        assert_int_equal(run(s, "dump 0 32"), 0);
        o = cmd_output_take(s);
        assert_non_null(o);
        assert_string_equal(o, "00000000: 03 0a 11 18 1f 26 2d 34  3b 42 49 50 57 5e 65 6c  "
                               ".....&-4;BIPW^el\n"
                               "00000010: 73 7a 81 88 8f 96 9d a4  ab b2 b9 c0 c7 ce d5 dc  "
                               "sz..............\n");
        free(o);

        /* A short last row is padded; edits show. */
        assert_int_equal(run(s, "goto 0x20"), 0);
        assert_int_equal(run(s, "puttext AB"), 0);
        assert_int_equal(run(s, "dump 0x20 3"), 0);
        o = cmd_output_take(s);
        assert_non_null(o);
        assert_string_equal(o, "00000020: 41 42 f1                                          AB.\n");
        free(o);

        /* Default: the cursor; the length is clipped at the end. */
        assert_int_equal(run(s, "goto end-4"), 0);
        assert_int_equal(run(s, "dump"), 0);
        o = cmd_output_take(s);
        assert_non_null(o);
        assert_string_equal(o,
                            "0000fffc: e7 ee f5 fc                                       ....\n");
        free(o);
        assert_int_equal(run(s, "dump end 16"), 0); /* nothing at the end */
        assert_null(cmd_output_take(s));
        assert_true(run(s, "dump end+1") < 0);
        assert_true(run(s, "dump zz") < 0);
        assert_true(run(s, "dump 0 zz") < 0);
        assert_true(run(s, "dump 0 1T") == 0); /* clipped to the file */
        o = cmd_output_take(s);
        assert_non_null(o);
        assert_int_equal(strlen(o), (SMALL / 16) * strlen("00000000: 03 0a 11 18 1f 26 2d 34  "
                                                          "3b 42 49 50 57 5e 65 6c  "
                                                          ".....&-4;BIPW^el\n"));
        free(o);
        fix_close(&f);
    }
}

static void test_lock_advise(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        print_message("mode %s\n", mname(WMODES[m]));
        fix_open(&f, SMALL, WMODES[m], true);
        Session *s = f.s;
        Map *map = doc_map(cmd_doc(s));
        int rc = run(s, "lock");
        if (rc == 0) {
            assert_true(msg_has(s, "locked"));
            assert_true(rangeset_total(map_locked(map)) > 0);
            assert_int_equal(run(s, "unlock"), 0);
            assert_true(msg_has(s, "unlocked"));
            assert_int_equal(rangeset_total(map_locked(map)), 0);
            /* The bare key toggles: lock, then lock again unlocks. */
            assert_int_equal(run(s, "lock"), 0);
            assert_int_equal(run(s, "lock"), 0);
            assert_true(msg_has(s, "unlocked"));
            assert_int_equal(run(s, "lock all"), 0);
            assert_int_equal(rangeset_total(map_locked(map)), SMALL);
            assert_int_equal(run(s, "unlock all"), 0);
            assert_int_equal(rangeset_total(map_locked(map)), 0);
        } else {
            /* A limit or a missing permission: said, not crashed. */
            print_message("lock: %d, %s\n", rc, cmd_message(s, NULL));
            assert_non_null(cmd_message(s, NULL));
        }
        assert_int_equal(run(s, "lock sideways"), -EINVAL);
        assert_int_equal(run(s, "unlock sideways"), -EINVAL);

        assert_int_equal(run(s, "advise random"), 0);
        assert_int_equal(map_advice(map), MMH_ADV_RANDOM);
        assert_true(msg_has(s, "random"));
        assert_int_equal(run(s, "advise sequential"), 0);
        assert_int_equal(map_advice(map), MMH_ADV_SEQUENTIAL);
        assert_int_equal(run(s, "advise"), 0); /* cycles */
        assert_int_equal(map_advice(map), MMH_ADV_RANDOM);
        assert_int_equal(run(s, "advise"), 0);
        assert_int_equal(map_advice(map), MMH_ADV_NORMAL);
        assert_int_equal(run(s, "advise bogus"), -EINVAL);
        assert_int_equal(map_advice(map), MMH_ADV_NORMAL);
        bool err = false;
        assert_non_null(cmd_message(s, &err));
        assert_true(err);
        fix_close(&f);
    }

    /* Interactive: `lock all` asks first. */
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, false);
    Map *map = doc_map(cmd_doc(f.s));
    assert_int_equal(run(f.s, "lock all"), 0);
    assert_true(msg_has(f.s, "?"));
    assert_int_equal(rangeset_total(map_locked(map)), 0);
    cmd_key(f.s, 'n');
    assert_int_equal(rangeset_total(map_locked(map)), 0);
    assert_int_equal(run(f.s, "lock all"), 0);
    cmd_key(f.s, 'y');
    if (cmd_result(f.s) == 0)
        assert_int_equal(rangeset_total(map_locked(map)), SMALL);
    fix_close(&f);
}

/* ---- saveas ---------------------------------------------------------------- */

static void test_saveas(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        MmhMode mode = WMODES[m];
        print_message("mode %s\n", mname(mode));
        fix_open(&f, SMALL, mode, true);
        Session *s = f.s;
        char *dst = tu_path(f.dir, "copy");
        char line[1200];
        assert_int_equal(run(s, "goto 0x1234"), 0);
        assert_int_equal(run(s, "put 5a a5"), 0);
        snprintf(line, sizeof line, "saveas %s", dst);
        assert_int_equal(run(s, line), 0);
        assert_false(cmd_busy(s)); /* batch: finished before returning */
        assert_true(msg_has(s, "saved"));
        struct stat st;
        assert_int_equal(stat(dst, &st), 0);
        assert_int_equal(st.st_size, SMALL);
        assert_int_equal(tu_pread_byte(dst, 0x1233), tu_pattern(0x1233));
        assert_int_equal(tu_pread_byte(dst, 0x1234), 0x5a);
        assert_int_equal(tu_pread_byte(dst, 0x1235), 0xa5);
        assert_int_equal(tu_pread_byte(dst, SMALL - 1), tu_pattern(SMALL - 1));
        if (mode == MMH_MODE_COPY)
            assert_int_equal(disk(&f, 0x1234), tu_pattern(0x1234)); /* source untouched */

        /* Existing: refused in batch mode, the file unchanged. */
        assert_int_equal(run(s, "put 77"), 0);
        assert_int_equal(run(s, line), -EEXIST);
        assert_true(msg_has(s, "exists"));
        assert_int_equal(tu_pread_byte(dst, 0x1236), tu_pattern(0x1236));
        /* saveas! replaces it. */
        snprintf(line, sizeof line, "saveas! %s", dst);
        assert_int_equal(run(s, line), 0);
        assert_int_equal(tu_pread_byte(dst, 0x1234), 0x5a);
        assert_int_equal(tu_pread_byte(dst, 0x1236), 0x77);

        assert_int_equal(run(s, "saveas"), -EINVAL);
        /* A path too long to keep whole is refused, never cut (a valid
         * one: "./" repeated). */
        char longp[1200];
        int k = snprintf(longp, sizeof longp, "saveas %s/", f.dir);
        while ((size_t)k < sizeof longp - 8)
            k += snprintf(longp + k, sizeof longp - (size_t)k, "./");
        snprintf(longp + k, sizeof longp - (size_t)k, "long");
        assert_int_equal(run(s, longp), -ENAMETOOLONG);
        char *lp = tu_path(f.dir, "long");
        struct stat lst;
        assert_int_equal(stat(lp, &lst), -1);
        free(lp);
        assert_false(cmd_busy(s));
        snprintf(line, sizeof line, "saveas %s/no/such/dir/x", f.dir);
        assert_true(run(s, line) < 0);
        assert_false(cmd_busy(s));
        free(dst);
        fix_close(&f);
    }

    /* Interactive: a job advanced by ticks; an existing file is asked about. */
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, false);
    char *dst = tu_path(f.dir, "copy");
    char line[1200];
    assert_int_equal(run(f.s, "puttext Q"), 0);
    snprintf(line, sizeof line, "saveas %s", dst);
    assert_int_equal(run(f.s, line), 0);
    for (int i = 0; i < 10000 && cmd_busy(f.s); i++)
        cmd_tick(f.s, 10000000);
    assert_false(cmd_busy(f.s));
    assert_true(msg_has(f.s, "saved"));
    assert_int_equal(tu_pread_byte(dst, 0), 'Q');
    assert_int_equal(run(f.s, "puttext R"), 0);
    assert_int_equal(run(f.s, line), 0);
    assert_true(msg_has(f.s, "replace"));
    cmd_key(f.s, 'n');
    assert_false(cmd_busy(f.s));
    assert_int_equal(tu_pread_byte(dst, 1), tu_pattern(1));
    assert_int_equal(run(f.s, line), 0);
    cmd_key(f.s, 'y');
    for (int i = 0; i < 10000 && cmd_busy(f.s); i++)
        cmd_tick(f.s, 10000000);
    assert_int_equal(tu_pread_byte(dst, 1), 'R');

    /* One save at a time: a second while the first runs is refused, and
     * the first goes on to completion. */
    char *dst2 = tu_path(f.dir, "copy2");
    assert_int_equal(run(f.s, "puttext S"), 0);
    snprintf(line, sizeof line, "saveas! %s", dst);
    assert_int_equal(run(f.s, line), 0);
    assert_true(cmd_busy(f.s));
    snprintf(line, sizeof line, "saveas %s", dst2);
    assert_int_equal(run(f.s, line), -EBUSY);
    assert_true(msg_has(f.s, "in progress"));
    assert_true(cmd_busy(f.s));
    for (int i = 0; i < 10000 && cmd_busy(f.s); i++)
        cmd_tick(f.s, 10000000);
    assert_int_equal(tu_pread_byte(dst, 2), 'S');
    struct stat st;
    assert_int_equal(stat(dst2, &st), -1);
    /* Esc cancels a running save: the destination stays as it was. */
    assert_int_equal(run(f.s, "puttext T"), 0);
    snprintf(line, sizeof line, "saveas! %s", dst);
    assert_int_equal(run(f.s, line), 0);
    assert_true(cmd_busy(f.s));
    /* Edits wait while it runs; Esc that leaves a prompt does only that. */
    cmd_key(f.s, 'i');
    assert_true(msg_has(f.s, "edits wait"));
    assert_true(cmd_busy(f.s));
    cmd_key(f.s, 'g');
    cmd_key(f.s, MMH_KEY_ESC);
    assert_true(cmd_busy(f.s));
    uint64_t at = cursor(f.s);
    cmd_key(f.s, 'l'); /* normal mode again */
    assert_int_equal(cursor(f.s), at + 1);
    /* In normal mode it cancels the save. */
    cmd_key(f.s, MMH_KEY_ESC);
    assert_false(cmd_busy(f.s));
    assert_true(msg_has(f.s, "cancelled"));
    assert_int_equal(tu_pread_byte(dst, 3), tu_pattern(3));
    free(dst2);
    free(dst);
    fix_close(&f);
}

/* ---- saveas: what it says and what it leaves -------------------------------- */

static volatile sig_atomic_t save_stop; /* the stop flag a signal handler would set */
static int stop_after;                  /* pwrites until it is set (0: never) */

static ssize_t stopping_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (stop_after > 0 && --stop_after == 0) {
        save_stop = SIGTERM;
        usleep(200000); /* a slow device: the step's budget runs out */
    }
    return sys_default.pwrite(fd, buf, n, off);
}

/* openat without O_TMPFILE, as on a file system that lacks it: the copy is
 * then a named file, which must not be left behind. */
static int no_tmpfile_openat(int dirfd, const char *path, int flags, int mode)
{
    if ((flags & O_TMPFILE) == O_TMPFILE) {
        errno = EOPNOTSUPP;
        return -1;
    }
    return openat(dirfd, path, flags, mode);
}

static SysOps save_ops; /* sys_default with the two above */

static Session *open_save_session(const char *path, bool batch)
{
    save_ops = sys_default;
    save_ops.pwrite = stopping_pwrite;
    save_ops.openat = no_tmpfile_openat;
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_COPY, .sys = &save_ops};
    SessionOpts so = {.bpr_fixed = 0, .batch = batch, .stop = &save_stop};
    assert_int_equal(doc_open(&d, path, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 80);
    return s;
}

/* Entries of dir other than "data", "." and "..". */
static int strangers(const char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "data")) {
            print_message("entry %s\n", e->d_name);
            n++;
        }
    }
    closedir(dp);
    return n;
}

static void test_saveas_messages(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, true);
    Session *s = f.s;
    char line[1200];
    char *hard = tu_path(f.dir, "hard"), *fifo = tu_path(f.dir, "fifo");

    /* The open file, a hard link to it, a FIFO: each its own sentence. */
    snprintf(line, sizeof line, "saveas! %s", f.path);
    assert_true(run(s, line) < 0);
    assert_true(msg_has(s, "that is the file being edited: use w to write it"));
    snprintf(line, sizeof line, "saveas %s", f.path);
    assert_true(run(s, line) < 0);
    assert_true(msg_has(s, "that is the file being edited"));
    assert_int_equal(link(f.path, hard), 0);
    snprintf(line, sizeof line, "saveas! %s", hard);
    assert_true(run(s, line) < 0);
    assert_true(msg_has(s, "that is a hard link to the file being edited: use w"));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(line, sizeof line, "saveas! %s", fifo);
    assert_true(run(s, line) < 0);
    assert_true(msg_has(s, "is a device, FIFO or socket: save-as writes regular files only"));
    snprintf(line, sizeof line, "saveas %s", fifo);
    assert_true(run(s, line) < 0);
    assert_true(msg_has(s, "regular files only"));
    assert_false(cmd_busy(s));

    /* A symbolic link: batch saveas refuses, naming it; saveas! replaces
     * the link, never its target. */
    char *lnk = tu_path(f.dir, "link"), *victim = tu_path(f.dir, "victim");
    tu_make_file(victim, 10, 0);
    assert_int_equal(chmod(victim, 0600), 0);
    assert_int_equal(symlink("victim", lnk), 0);
    snprintf(line, sizeof line, "saveas %s", lnk);
    assert_int_equal(run(s, line), -EEXIST);
    assert_true(msg_has(s, "is a symbolic link (to victim)"));
    assert_true(msg_has(s, "saveas!"));
    snprintf(line, sizeof line, "saveas! %s", lnk);
    assert_int_equal(run(s, line), 0);
    struct stat st;
    assert_int_equal(lstat(lnk, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, SMALL);
    assert_int_equal(lstat(victim, &st), 0);
    assert_int_equal(st.st_size, 10);
    assert_int_equal(st.st_mode & 0777, 0600);
    fix_close(&f);

    /* Interactive: the question says it is a link and what replacing does. */
    fix_open(&f, SMALL, MMH_MODE_COPY, false);
    free(lnk);
    free(victim);
    lnk = tu_path(f.dir, "link");
    victim = tu_path(f.dir, "victim");
    tu_make_file(victim, 10, 0);
    assert_int_equal(symlink("victim", lnk), 0);
    snprintf(line, sizeof line, "saveas %s", lnk);
    assert_int_equal(run(f.s, line), 0);
    assert_true(msg_has(f.s, "link is a symbolic link (to victim): replace the link itself "
                             "with the file? (y/n)"));
    cmd_key(f.s, 'y');
    for (int i = 0; i < 10000 && cmd_busy(f.s); i++)
        cmd_tick(f.s, 10000000);
    assert_true(msg_has(f.s, "saved"));
    assert_int_equal(lstat(lnk, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 10);
    fix_close(&f);
    free(lnk);
    free(victim);
    free(hard);
    free(fifo);
}

/* Batch: a signal (the stop flag) cancels a running save, which fails with
 * a clear message and leaves neither the destination nor a temporary file;
 * a session freed with a save running leaves nothing either. */
static void test_saveas_stopped(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "data"), *dst = tu_path(dir, "copy");
    tu_make_file(path, 8u << 20, 0);
    char line[1200];
    snprintf(line, sizeof line, "saveas %s", dst);

    Session *s = open_save_session(path, true);
    save_stop = 0;
    stop_after = 3; /* a few chunks into the copy */
    assert_int_equal(run(s, line), -EINTR);
    assert_true(msg_has(s, "stopped by a signal"));
    assert_false(cmd_busy(s));
    assert_int_equal(strangers(dir), 0);
    cmd_session_free(s);
    stop_after = 0;
    save_stop = 0;

    /* The TUI's way out: the session is freed with the job running. */
    s = open_save_session(path, false);
    assert_int_equal(run(s, line), 0);
    assert_true(cmd_busy(s));
    cmd_tick(s, 1);
    assert_true(cmd_busy(s));
    assert_int_equal(strangers(dir), 1); /* the named temporary file */
    cmd_session_free(s);
    assert_int_equal(strangers(dir), 0);
    free(path);
    free(dst);
    tu_rmdir(dir);
}

/* A save onto a full device says so (not map_strerror's words about a
 * hole), in batch and interactively. Needs root for a 1 MiB tmpfs. */
static void test_saveas_enospc(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4u << 20, MMH_MODE_COPY, true);
    char *mnt = tu_mount_tmpfs(f.dir, "1m");
    if (!mnt) {
        print_message("# cannot mount a 1 MiB tmpfs (%s): skipped\n", strerror(errno));
        fix_close(&f);
        skip();
    }
    char line[1200];
    snprintf(line, sizeof line, "saveas %s/copy", mnt);
    assert_int_equal(run(f.s, line), -ENOSPC);
    assert_true(msg_has(f.s, "no space left on the device"));
    assert_null(strstr(cmd_message(f.s, NULL), "hole"));
    cmd_session_free(f.s);
    f.s = open_session(f.path, MMH_MODE_COPY, false);
    assert_int_equal(run(f.s, line), 0);
    for (int i = 0; i < 10000 && cmd_busy(f.s); i++)
        cmd_tick(f.s, 10000000);
    assert_true(msg_has(f.s, "no space left on the device"));
    assert_null(strstr(cmd_message(f.s, NULL), "hole"));
    tu_unmount_all(NULL);
    free(mnt);
    fix_close(&f);
}

/* ---- errors, help ------------------------------------------------------------ */

static void test_unknown_and_help(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, MMH_MODE_COPY, true);
    Session *s = f.s;
    assert_int_equal(run(s, "frobnicate 12"), -EINVAL);
    assert_true(msg_has(s, "frobnicate"));
    assert_true(msg_has(s, "unknown"));
    assert_int_equal(run(s, "averyveryverylongcommandnamethatgoesonandon"), -EINVAL);
    assert_int_equal(run(s, ""), 0); /* an empty line does nothing */
    assert_int_equal(run(s, "   \t "), 0);
    assert_int_equal(run(s, "prompt goto"), -EINVAL); /* no prompts in batch */
    assert_int_equal(run(s, "prompt nonsense"), -EINVAL);

    assert_int_equal(run(s, "help"), 0);
    char *o = cmd_output_take(s);
    assert_non_null(o);
    size_t n;
    const KeyBinding *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        if (t[i].keys)
            assert_non_null(strstr(o, t[i].help));
    assert_non_null(strstr(o, "move the cursor"));
    assert_non_null(strstr(o, "quit"));
    free(o);
    fix_close(&f);

    /* Interactive help is a screen; any other key leaves it. */
    fix_open(&f, 4096, MMH_MODE_COPY, false);
    s = f.s;
    cmd_key(s, 'H');
    assert_null(cmd_output_take(s));
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 80), 0);
    cmd_frame(s, &g);
    char row[256];
    assert_non_null(strstr(grid_row_text(&g, 0, row, sizeof row), "help"));
    cmd_key(s, MMH_KEY_DOWN);
    cmd_key(s, MMH_KEY_PGDN);
    cmd_key(s, MMH_KEY_PGDN);
    cmd_key(s, MMH_KEY_PGDN);
    cmd_frame(s, &g);
    cmd_key(s, 'x');
    cmd_key(s, 'l'); /* normal mode again */
    assert_int_equal(cursor(s), 1);
    cmd_key(s, 0x7f); /* no binding: a message, no crash */
    assert_non_null(cmd_message(s, NULL));
    grid_free(&g);
    fix_close(&f);
}

/* ---- prompts through keys ---------------------------------------------------- */

static void test_goto_prompt(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, false);
    Session *s = f.s;
    cmd_key(s, 'g');
    assert_int_equal(cmd_result(s), 0);
    keys(s, "0x20");
    assert_int_equal(cursor(s), 0); /* not yet */
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cmd_result(s), 0);
    assert_int_equal(cursor(s), 0x20);

    /* Editing the line: backspace, cursor keys, delete. */
    cmd_key(s, 'g');
    keys(s, "0x1z");
    cmd_key(s, MMH_KEY_BACKSPACE);
    keys(s, "00");
    cmd_key(s, MMH_KEY_HOME);
    cmd_key(s, MMH_KEY_DELETE); /* "x100" */
    cmd_key(s, MMH_KEY_DELETE); /* "100" */
    cmd_key(s, MMH_KEY_END);
    keys(s, "0"); /* "1000" */
    cmd_key(s, MMH_KEY_LEFT);
    cmd_key(s, MMH_KEY_LEFT);
    keys(s, "+"); /* "10+00" */
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cmd_result(s), 0);
    assert_int_equal(cursor(s), 10);

    /* Esc abandons the prompt. */
    cmd_key(s, 'g');
    keys(s, "500");
    cmd_key(s, MMH_KEY_ESC);
    assert_int_equal(cursor(s), 10);
    cmd_key(s, 'l');
    assert_int_equal(cursor(s), 11);

    /* A bad offset through the prompt: an error, the cursor stays. */
    cmd_key(s, 'g');
    keys(s, "end+5");
    cmd_key(s, MMH_KEY_ENTER);
    assert_true(cmd_result(s) < 0);
    assert_int_equal(cursor(s), 11);

    /* Ctrl-U clears; backspace on an empty prompt leaves it. */
    cmd_key(s, 'g');
    keys(s, "123");
    cmd_key(s, MMH_KEY_CTRL('u'));
    cmd_key(s, MMH_KEY_BACKSPACE);
    cmd_key(s, 'l');
    assert_int_equal(cursor(s), 12);

    /* The ':' prompt runs any command. */
    cmd_key(s, ':');
    keys(s, "puttext hey");
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cmd_result(s), 0);
    assert_int_equal(mem(s, 12), 'h');
    assert_int_equal(cursor(s), 15);
    /* 'G' is the last byte. */
    cmd_key(s, 'G');
    assert_int_equal(cursor(s), SMALL - 1);
    fix_close(&f);
}

/* ---- movement and selection --------------------------------------------------- */

static void test_movement(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 1000, MMH_MODE_COPY, false);
    Session *s = f.s;
    const View *v = cmd_view(s);
    uint64_t bpr = (uint64_t)v->bpr, rows = (uint64_t)view_data_rows(v);
    assert_int_equal(bpr, 16); /* 80 columns, 8 offset digits */
    assert_int_equal(rows, 20);

    assert_int_equal(run(s, "left"), 0); /* at the start: stays */
    assert_int_equal(cursor(s), 0);
    assert_int_equal(run(s, "up"), 0);
    assert_int_equal(cursor(s), 0);
    keys(s, "lll");
    assert_int_equal(cursor(s), 3);
    cmd_key(s, MMH_KEY_LEFT);
    assert_int_equal(cursor(s), 2);
    cmd_key(s, 'j');
    assert_int_equal(cursor(s), 2 + bpr);
    cmd_key(s, MMH_KEY_UP);
    assert_int_equal(cursor(s), 2);
    cmd_key(s, '$');
    assert_int_equal(cursor(s), bpr - 1);
    cmd_key(s, '0');
    assert_int_equal(cursor(s), 0);

    /* Paging moves cursor and view by a screen. */
    cmd_key(s, ' ');
    assert_int_equal(cursor(s), rows * bpr);
    assert_int_equal(v->top, rows * bpr);
    cmd_key(s, MMH_KEY_PGDN);
    assert_int_equal(cursor(s), 2 * rows * bpr);
    cmd_key(s, MMH_KEY_PGDN);
    cmd_key(s, MMH_KEY_PGDN); /* past the end: the last byte */
    assert_int_equal(cursor(s), 999);
    assert_true(v->top <= 999 && 999 - v->top < rows * bpr);
    cmd_key(s, 'b');
    assert_int_equal(cursor(s), 999 - rows * bpr);
    for (int i = 0; i < 10; i++)
        cmd_key(s, MMH_KEY_PGUP);
    assert_int_equal(cursor(s), (999 - rows * bpr) % bpr);
    assert_int_equal(v->top, 0);

    /* The short last row. */
    assert_int_equal(run(s, "bottom"), 0);
    assert_int_equal(cursor(s), 999);
    assert_int_equal(run(s, "right"), 0);
    assert_int_equal(cursor(s), 999);
    assert_int_equal(run(s, "down"), 0);
    assert_int_equal(cursor(s), 999);
    assert_int_equal(run(s, "rowstart"), 0);
    assert_int_equal(cursor(s), 992);
    assert_int_equal(run(s, "rowend"), 0);
    assert_int_equal(cursor(s), 999); /* clamped */
    assert_int_equal(run(s, "goto 985"), 0);
    assert_int_equal(run(s, "down"), 0); /* nothing below: the last byte */
    assert_int_equal(cursor(s), 999);
    assert_int_equal(run(s, "top"), 0);
    assert_int_equal(cursor(s), 0);
    assert_int_equal(v->top, 0);

    /* A far jump keeps the cursor on screen. */
    assert_int_equal(run(s, "goto 500"), 0);
    assert_true(v->top <= 500 && 500 - v->top < rows * bpr);
    assert_int_equal(v->top % bpr, 0);

    /* A resize keeps the cursor visible; a narrow screen has fewer bytes
     * per row. */
    cmd_resize(s, 10, 40);
    assert_true(v->bpr < 16);
    assert_true(v->top <= 500 && (500 - v->top) / (uint64_t)v->bpr < (uint64_t)view_data_rows(v));
    cmd_resize(s, 24, 80);

    /* A selection: lock takes it, not the view. */
    assert_int_equal(run(s, "goto 16"), 0);
    cmd_key(s, 'v');
    assert_true(v->sel_on);
    assert_int_equal(v->sel_anchor, 16);
    cmd_key(s, 'j');
    cmd_key(s, 'j');
    assert_int_equal(cursor(s), 48);
    assert_true(v->sel_on);
    Map *map = doc_map(cmd_doc(s));
    cmd_key(s, 'L');
    if (cmd_result(s) == 0) {
        assert_true(msg_has(s, "locked"));
        assert_int_equal(rangeset_total(map_locked(map)), map_pagesize(map));
        cmd_key(s, 'L'); /* locked whole: the key unlocks */
        assert_true(msg_has(s, "unlocked"));
        assert_int_equal(rangeset_total(map_locked(map)), 0);
    }
    cmd_key(s, 'v');
    assert_false(v->sel_on);
    cmd_key(s, 'v');
    cmd_key(s, MMH_KEY_ESC); /* Esc drops it too */
    assert_false(v->sel_on);
    fix_close(&f);

    /* An empty file: every command is safe and the cursor stays 0. */
    fix_open(&f, 0, MMH_MODE_COPY, true);
    s = f.s;
    static const char *const lines[] = {
        "left",   "right",  "up",     "down",   "pagedown",  "pageup", "rowstart", "rowend",
        "top",    "bottom", "goto 0", "put 00", "puttext x", "edit",   "select",   "lock",
        "unlock", "dump",   "stat",   "undo",   "redo",      "write",  "refresh",  "pane",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        cmd_run(s, lines[i]);
        assert_int_equal(cursor(s), 0);
    }
    free(cmd_output_take(s));
    assert_true(run(s, "put 00") < 0);
    assert_true(run(s, "goto 0") < 0);
    fix_close(&f);
}

/* ---- frame and mouse --------------------------------------------------------- */

static bool row_has(const Grid *g, int row, const char *sub)
{
    char buf[1024];
    grid_row_text(g, row, buf, sizeof buf);
    if (strstr(buf, sub))
        return true;
    print_message("row %d \"%s\" lacks \"%s\"\n", row, buf, sub);
    return false;
}

static void test_frame(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        print_message("mode %s\n", mname(WMODES[m]));
        fix_open(&f, SMALL, WMODES[m], false);
        Session *s = f.s;
        Grid g = {0};
        assert_int_equal(grid_resize(&g, 24, 80), 0);
        cmd_frame(s, &g);
        assert_true(row_has(&g, 21, "0x00000000/"));
        assert_true(row_has(&g, 0, WMODES[m] == MMH_MODE_COPY ? "COPY" : "SHARED"));
        assert_int_equal(run(s, "goto 0x1234"), 0);
        assert_int_equal(run(s, "put 41 42"), 0);
        cmd_key(s, MMH_KEY_PGDN);
        cmd_key(s, 'j');
        cmd_key(s, 'i');
        keys(s, "ff");
        cmd_frame(s, &g);
        char want[32];
        snprintf(want, sizeof want, "0x%08" PRIx64 "/", cursor(s));
        assert_true(row_has(&g, 21, want));
        assert_true(row_has(&g, 23, "EDIT"));
        cmd_key(s, MMH_KEY_ESC);
        /* A prompt shows on the last row. */
        cmd_key(s, 'g');
        keys(s, "0x99");
        cmd_frame(s, &g);
        assert_true(row_has(&g, 23, "0x99"));
        cmd_key(s, MMH_KEY_ENTER);
        cmd_frame(s, &g);
        assert_true(row_has(&g, 21, "0x00000099/"));
        /* The cursor's row is on screen, with its offset. */
        const View *v = cmd_view(s);
        int row = 1 + (int)((v->cursor - v->top) / (uint64_t)v->bpr);
        snprintf(want, sizeof want, "%08" PRIx64, v->cursor - v->cursor % (uint64_t)v->bpr);
        assert_true(row_has(&g, row, want));

        /* Other sizes, including tiny ones, never crash. */
        static const int sizes[][2] = {{1, 1}, {3, 10}, {5, 20}, {0, 0}, {60, 200}, {24, 80}};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            cmd_resize(s, sizes[i][0], sizes[i][1]);
            assert_int_equal(grid_resize(&g, sizes[i][0], sizes[i][1]), 0);
            cmd_frame(s, &g);
            cmd_key(s, MMH_KEY_PGDN);
            cmd_key(s, MMH_KEY_DOWN);
            cmd_frame(s, &g);
        }
        assert_true(cursor(s) < SMALL);
        grid_free(&g);
        fix_close(&f);
    }
}

static void test_mouse(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, SMALL, MMH_MODE_COPY, false);
    Session *s = f.s;
    assert_int_equal(run(s, "goto 0x1000"), 0);
    const View *v = cmd_view(s);
    int bpr = v->bpr;
    assert_true(bpr >= 8);
    int hex0 = view_offset_width(SMALL) + 3;
    int text0 = hex0 + 3 * bpr + (bpr + 7) / 8;

    /* Row 3, byte 10 in the hex pane (second group, past the gap). */
    uint64_t want = v->top + 2 * (uint64_t)bpr + 10;
    int col = hex0 + 3 * 10 + 10 / 8;
    unsigned r = cmd_mouse(s, MMH_MOUSE_CLICK, 3, col);
    assert_true(r & MMH_R_REDRAW);
    assert_int_equal(cursor(s), want);
    assert_int_equal(cmd_view(s)->pane, MMH_PANE_HEX);
    /* Its second digit hits the same byte. */
    assert_int_equal(run(s, "goto 0x1000"), 0);
    cmd_mouse(s, MMH_MOUSE_CLICK, 3, col + 1);
    assert_int_equal(cursor(s), want);

    /* The text pane: row 5, byte 3. */
    want = v->top + 4 * (uint64_t)bpr + 3;
    cmd_mouse(s, MMH_MOUSE_CLICK, 5, text0 + 3);
    assert_int_equal(cursor(s), want);
    assert_int_equal(cmd_view(s)->pane, MMH_PANE_TEXT);

    /* Nothing there: the offset column, the title, the status rows. */
    cmd_mouse(s, MMH_MOUSE_CLICK, 3, 0);
    assert_int_equal(cursor(s), want);
    cmd_mouse(s, MMH_MOUSE_CLICK, 0, col);
    assert_int_equal(cursor(s), want);
    cmd_mouse(s, MMH_MOUSE_CLICK, 22, col);
    assert_int_equal(cursor(s), want);
    cmd_mouse(s, MMH_MOUSE_CLICK, -5, -5);
    assert_int_equal(cursor(s), want);

    /* The wheel scrolls and keeps the cursor on screen. */
    uint64_t top = v->top;
    cmd_mouse(s, MMH_MOUSE_WHEEL_DOWN, 5, 5);
    assert_int_equal(v->top, top + 3 * (uint64_t)bpr);
    assert_true(v->cursor >= v->top);
    cmd_mouse(s, MMH_MOUSE_WHEEL_UP, 5, 5);
    assert_int_equal(v->top, top);
    for (int i = 0; i < 2000; i++)
        cmd_mouse(s, MMH_MOUSE_WHEEL_DOWN, 5, 5);
    assert_true(v->cursor < SMALL);
    assert_true(v->cursor >= v->top);
    for (int i = 0; i < 2000; i++)
        cmd_mouse(s, MMH_MOUSE_WHEEL_UP, 5, 5);
    assert_int_equal(v->top, 0);

    /* A click past the last byte of a short last row hits nothing. */
    assert_int_equal(run(s, "goto end-1"), 0);
    fix_close(&f);

    fix_open(&f, 20, MMH_MODE_COPY, false); /* one full row of 16+, a short one */
    s = f.s;
    v = cmd_view(s);
    bpr = v->bpr;
    hex0 = view_offset_width(20) + 3;
    if (bpr < 20) {
        int j = 20 % bpr; /* the first byte past the end on the last row */
        cmd_mouse(s, MMH_MOUSE_CLICK, 1 + 20 / bpr, hex0 + 3 * j + j / 8);
        assert_int_equal(cursor(s), 0);
    }
    cmd_mouse(s, MMH_MOUSE_CLICK, 1, hex0 + 3);
    assert_int_equal(cursor(s), 1);
    fix_close(&f);
}

/* ---- truncation by another process -------------------------------------------- */

static void test_truncated(void **state)
{
    (void)state;
    for (size_t m = 0; m < N_WMODES; m++) {
        Fix f;
        MmhMode mode = WMODES[m];
        print_message("mode %s\n", mname(mode));
        fix_open(&f, SMALL, mode, false);
        Session *s = f.s;
        assert_int_equal(run(s, "goto 0x100"), 0);
        assert_int_equal(run(s, "put 11"), 0);
        assert_int_equal(run(s, "goto 0xf000"), 0);
        assert_int_equal(run(s, "put 22"), 0); /* past the new end: lost */
        tu_truncate_by_child(f.path, 8192);
        unsigned r = cmd_tick(s, 1000000);
        assert_true(r & MMH_R_REDRAW);
        assert_true(msg_has(s, "truncated"));
        assert_true(cursor(s) < 8192);
        assert_int_equal(doc_size(cmd_doc(s)), 8192);
        if (mode == MMH_MODE_COPY)
            assert_true(msg_has(s, "1 edited byte now past the end"));
        /* The session goes on: the frame draws, the edit before the end
         * holds, commands past the new end fail cleanly. */
        Grid g = {0};
        assert_int_equal(grid_resize(&g, 24, 80), 0);
        cmd_frame(s, &g);
        assert_true(row_has(&g, 21, "/0x2000"));
        assert_int_equal(mem(s, 0x100), 0x11);
        assert_true(run(s, "goto 0xf000") < 0);
        assert_int_equal(run(s, "goto end-1"), 0);
        assert_int_equal(run(s, "put 33"), 0);
        assert_int_equal(run(s, "write"), 0);
        assert_int_equal(disk(&f, 0x100), 0x11);
        assert_int_equal(disk(&f, 8191), 0x33);
        struct stat st;
        assert_int_equal(stat(f.path, &st), 0);
        assert_int_equal(st.st_size, 8192);

        /* Truncated again, then noticed by a command rather than a tick. */
        tu_truncate_by_child(f.path, 100);
        assert_true(run(s, "dump 0x1000 16") < 0);
        assert_true(msg_has(s, "truncated"));
        assert_true(cursor(s) < 100);
        assert_int_equal(doc_size(cmd_doc(s)), 100);
        assert_int_equal(run(s, "goto end-1"), 0);
        assert_int_equal(cursor(s), 99);

        /* And grown again. */
        tu_truncate_by_child(f.path, 4096);
        cmd_tick(s, 1000000);
        assert_true(msg_has(s, "grew"));
        assert_int_equal(run(s, "goto end-1"), 0);
        assert_int_equal(cursor(s), 4095);
        /* Down to nothing. */
        tu_truncate_by_child(f.path, 0);
        cmd_tick(s, 1000000);
        assert_int_equal(cursor(s), 0);
        assert_true(run(s, "goto 0") < 0);
        assert_true(run(s, "put 00") < 0);
        cmd_key(s, 'i');
        cmd_key(s, '4');
        cmd_key(s, MMH_KEY_ESC);
        cmd_key(s, MMH_KEY_PGDN);
        cmd_key(s, 'G');
        cmd_frame(s, &g);
        grid_free(&g);
        fix_close(&f);
    }
}

/* ---- large offsets ---------------------------------------------------------- */

static void test_large_files(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {
        (1ull << 31) - 1,
        1ull << 31,
        (1ull << 31) + 4096,
        (1ull << 32) + 1,
    };
    for (size_t m = 0; m < N_WMODES; m++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            uint64_t size = sizes[i];
            print_message("mode %s size %" PRIu64 "\n", mname(WMODES[m]), size);
            char *dir = tu_mkdtemp(), *path = tu_path(dir, "big");
            int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
            assert_true(fd >= 0);
            if (ftruncate(fd, (off_t)size) < 0) {
                /* The file system's size limit, not ours: skip, and say so. */
                print_message("skip: %s cannot hold %" PRIu64 " bytes: %s\n", dir, size,
                              strerror(errno));
                close(fd);
                free(path);
                tu_rmdir(dir);
                skip();
            }
            assert_int_equal(close(fd), 0);
            Session *s = open_session(path, WMODES[m], true);
            assert_int_equal(doc_size(cmd_doc(s)), size);
            assert_int_equal(run(s, "goto end-1"), 0);
            assert_int_equal(cursor(s), size - 1);
            assert_int_equal(run(s, "put 5a"), 0);
            assert_int_equal(cursor(s), size - 1);
            assert_int_equal(run(s, "write"), 0);
            assert_int_equal(tu_pread_byte(path, size - 1), 0x5a);
            assert_int_equal(tu_pread_byte(path, size - 2), 0);
            /* Offsets past 32 bits in goto, dump and the frame. */
            assert_int_equal(run(s, "goto 50%"), 0);
            assert_int_equal(cursor(s), size / 2);
            assert_int_equal(run(s, "dump end-1"), 0);
            assert_true(out_has(s, " 5a "));
            Grid g = {0};
            assert_int_equal(grid_resize(&g, 24, 80), 0);
            assert_int_equal(run(s, "goto end-1"), 0);
            cmd_frame(s, &g);
            char want[64];
            snprintf(want, sizeof want, "%" PRIx64 "/", size - 1);
            assert_true(row_has(&g, 21, want));
            grid_free(&g);
            cmd_session_free(s);
            assert_int_equal(unlink(path), 0);
            free(path);
            tu_rmdir(dir);
        }
    }
}

/* ---- jobs, type-ahead, long listings, the prompt ----------------------------- */

/* find -a on screen opens the results list at once and counts in the
 * background: keys typed on the list never edit, the count climbs while
 * the first matches show, and Esc leaves, saying where the count stopped. */
static void test_typeahead_during_search(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "sparse");
    tu_make_file(path, UINT64_C(4) << 30, 1); /* 4 GiB of holes: 00 matches everywhere */
    Session *s = open_session(path, MMH_MODE_SHARED, false);
    assert_int_equal(run(s, "find -a -x 00"), 0);
    assert_true(cmd_busy(s));
    Grid g = {0};
    char line[256];
    assert_int_equal(grid_resize(&g, 24, 80), 0);
    cmd_frame(s, &g);
    assert_true(row_has(&g, 0, "find -a 00: "));
    assert_true(row_has(&g, 0, "so far"));
    assert_true(row_has(&g, 1, "#1"));
    assert_true(row_has(&g, 1, "0x000000000"));
    assert_true(row_has(&g, 2, "#2"));
    const char *typed = "i0123456789w:xz";
    for (const char *k = typed; *k; k++)
        assert_int_equal(cmd_key(s, (unsigned char)*k) & MMH_R_QUIT, 0);
    assert_int_equal(tu_pread_byte(path, 0), 0); /* nothing edited */
    /* The count climbs, tick by tick. */
    unsigned long long c0 = 0, c1 = 0;
    assert_int_equal(sscanf(grid_row_text(&g, 0, line, sizeof line), " find -a 00: %llu", &c0), 1);
    for (int i = 0; i < 5; i++)
        cmd_tick(s, 20000000);
    cmd_frame(s, &g);
    assert_int_equal(sscanf(grid_row_text(&g, 0, line, sizeof line), " find -a 00: %llu", &c1), 1);
    assert_true(c1 > c0);
    assert_true(cmd_busy(s));
    cmd_key(s, MMH_KEY_ESC); /* leave: the count stops */
    assert_true(msg_has(s, "find -a: stopped at 0x"));
    cmd_tick(s, 20000000);
    assert_false(cmd_busy(s));
    cmd_frame(s, &g);
    assert_false(row_has(&g, 0, "find -a"));
    grid_free(&g);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_blocks, 0); /* still all holes */
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* Tick until no job runs (at most n ticks). */
static void settle_jobs(Session *s, int n)
{
    for (int i = 0; i < n && cmd_busy(s); i++)
        cmd_tick(s, 20000000);
}

/* find -a's list: the count ends "done", paging far past the window
 * (4096 matches) re-searches forward, G lists backward from the end, PgUp
 * far from there re-searches backward, and Enter jumps to the match under
 * the cursor and highlights it. Checked against the matches' arithmetic:
 * 00 over a file of zeros matches at every offset. */
static void test_find_all_list(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "zeros");
    tu_make_file(path, 1 << 18, 1); /* 256 KiB of zeros: 262144 matches */
    Session *s = open_session(path, MMH_MODE_READONLY, false);
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 80), 0);
    assert_int_equal(run(s, "find -a -x 00"), 0);
    settle_jobs(s, 10000);
    cmd_frame(s, &g);
    assert_true(row_has(&g, 0, "find -a 00: 262144 matches (done)"));
    for (int i = 0; i < 300; i++) { /* 300 pages of 22 rows */
        cmd_key(s, MMH_KEY_PGDN);
        settle_jobs(s, 100);
    }
    cmd_frame(s, &g);
    assert_true(row_has(&g, 1, "> #6601 "));
    assert_true(row_has(&g, 1, "0x000019c8"));
    assert_true(row_has(&g, 2, "#6602 "));
    cmd_key(s, 'G');
    settle_jobs(s, 100);
    cmd_frame(s, &g);
    assert_true(row_has(&g, 22, "> #262144 "));
    assert_true(row_has(&g, 22, "0x0003ffff"));
    assert_true(row_has(&g, 21, "#262143 "));
    for (int i = 0; i < 300; i++) {
        cmd_key(s, MMH_KEY_PGUP);
        settle_jobs(s, 100);
    }
    cmd_frame(s, &g);
    assert_true(row_has(&g, 22, "> #255544 ")); /* 262144 - 300 * 22 */
    assert_true(row_has(&g, 22, "0x0003e637"));
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cursor(s), 0x3e637);
    assert_true(msg_has(s, "match 255544 of 262144 at 0x3e637"));
    cmd_frame(s, &g);
    assert_false(row_has(&g, 0, "find -a"));
    assert_false(cmd_busy(s));
    /* A pattern found nowhere opens no list. */
    assert_int_equal(run(s, "find -a -x 01"), -ENOENT);
    assert_true(msg_has(s, "not found: 01"));
    grid_free(&g);
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

static int count_lines(const char *text, size_t len, void *ctx)
{
    size_t *lines = ctx;
    for (size_t i = 0; i < len; i++)
        *lines += text[i] == '\n';
    return 0;
}

/* Batch find -a streams its matches through SessionOpts.out: what is held
 * at any time stays under a buffer's worth, whatever the match count. */
static void test_find_all_streams(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "sparse");
    tu_make_file(path, 1 << 20, 1); /* 1 MiB of zeros: 1,048,576 matches */
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_READONLY, .sys = NULL};
    size_t lines = 0;
    SessionOpts so = {.batch = true, .out = count_lines, .out_ctx = &lines};
    assert_int_equal(doc_open(&d, path, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    assert_int_equal(run(s, "find -a -x 00"), 0);
    char *rest = cmd_output_take(s);
    assert_non_null(rest);
    assert_true(strlen(rest) < 70000); /* only the last, unstreamed part */
    count_lines(rest, strlen(rest), &lines);
    assert_int_equal(lines, 1 << 20);
    free(rest);
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* The prompt takes UTF-8; a key it cannot take never turns an empty
 * prompt into "repeat the last search". */
static void test_prompt_utf8(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "text");
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("xxGr\xc3\xbcn and \xe6\x9d\xb1\xe4\xba\xac!", fp);
    fclose(fp);
    Session *s = open_session(path, MMH_MODE_READONLY, false);
    cmd_key(s, MMH_KEY_TAB); /* the text pane: / takes text */
    cmd_key(s, '/');
    cmd_key(s, 'G');
    cmd_key(s, 'r');
    cmd_key(s, 0xfc); /* ü */
    cmd_key(s, MMH_KEY_ENTER);
    assert_true(msg_has(s, "found 'Gr\xc3\xbc' at 0x2"));
    cmd_key(s, '/');
    cmd_key(s, 0x6771); /* 東 */
    cmd_key(s, 0x4eac); /* 京 */
    cmd_key(s, MMH_KEY_LEFT);
    cmd_key(s, MMH_KEY_BACKSPACE); /* deletes 東, the whole character */
    cmd_key(s, MMH_KEY_ENTER);
    assert_true(msg_has(s, "found '\xe4\xba\xac' at 0xf"));
    /* Only a key that was dropped, then Enter: not a repeated search. */
    assert_int_equal(run(s, "goto 0"), 0);
    cmd_key(s, '/');
    cmd_key(s, 0xdc00); /* a lone surrogate: not a character */
    cmd_key(s, MMH_KEY_ENTER);
    assert_true(cmd_result(s) < 0);
    assert_true(msg_has(s, "nothing was taken"));
    assert_int_equal(cursor(s), 0);
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* Edits wait while a save to a new file runs. */
static void test_no_edits_while_saving(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 8 << 20, MMH_MODE_COPY, false);
    char *dest = tu_path(f.dir, "copy");
    char line[4200];
    snprintf(line, sizeof line, "saveas %s", dest);
    assert_int_equal(run(f.s, "put 00"), 0);
    assert_int_equal(run(f.s, line), 0);
    if (cmd_busy(f.s)) { /* still saving: it may be quick on a fast disk */
        assert_int_equal(run(f.s, "put 11"), -EBUSY);
        assert_true(msg_has(f.s, "edits wait"));
        assert_int_equal(run(f.s, "undo"), -EBUSY);
        cmd_key(f.s, 'i');
        cmd_key(f.s, '7');
        assert_int_equal(mem(f.s, 1), tu_pattern(1));
    } else {
        print_message("the save ended at once: nothing to check while it runs\n");
    }
    while (cmd_busy(f.s))
        cmd_tick(f.s, 10000000);
    unlink(dest);
    free(dest);
    fix_close(&f);
}

/* Messages that must name the right thing: the selection a search was
 * limited to, one byte not "1 bytes", and the result of w not hidden by
 * news that a followed file grew. */
static void test_messages(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, MMH_MODE_COPY, false);
    Session *s = f.s;
    assert_int_equal(run(s, "goto 0x10"), 0);
    assert_int_equal(run(s, "select"), 0);
    assert_int_equal(run(s, "goto 0x20"), 0);
    assert_true(run(s, "find -x ff ff ff") < 0);
    assert_true(msg_has(s, "not found in the selection"));
    assert_int_equal(run(s, "select"), 0);
    assert_int_equal(run(s, "goto end-1"), 0);
    assert_true(run(s, "put 00 11") < 0);
    assert_true(msg_has(s, "put: 2 bytes at"));
    assert_int_equal(run(s, "goto end-1"), 0);
    assert_int_equal(run(s, "put 5a"), 0);
    assert_int_equal(run(s, "write"), 0);
    assert_true(msg_has(s, "wrote 1 byte in 1 run"));
    tu_truncate_by_child(f.path, 8192); /* grows: the tail is followed */
    cmd_tick(s, 1000000);
    assert_true(msg_has(s, "wrote 1 byte in 1 run")); /* not hidden */
    assert_int_equal(doc_size(cmd_doc(s)), 8192);
    run(s, "refresh"); /* a new command: now growth may speak */
    tu_truncate_by_child(f.path, 12288);
    cmd_tick(s, 1000000);
    assert_true(msg_has(s, "file grew to 12288 bytes"));
    fix_close(&f);
}

/* The words a COMMANDS entry's header line of the man page names: the
 * macro and quotes dropped, cut at the first '[' (what follows is
 * arguments), lower-case words only (EXPR, PATH are placeholders). */
static size_t header_words(const char *line, char words[][32], size_t max)
{
    char buf[512];
    size_t n = 0, k = 0;
    line += strcspn(line, " "); /* .B, .BI, .RB, .RI */
    for (; *line && *line != '[' && k + 1 < sizeof buf; line++) {
        if (*line == '"')
            continue;
        if (line[0] == '\\' && line[1] == 'f') { /* \fI \fR */
            line += 2;
            continue;
        }
        buf[k++] = *line;
    }
    buf[k] = 0;
    /* Names are separated by commas; after a name, words up to the next
     * comma are its subcommand ("struct as") or its arguments. */
    for (char *w = strtok(buf, ","); w && n < max; w = strtok(NULL, ",")) {
        w += strspn(w, " ");
        w[strcspn(w, " ")] = 0;
        bool ok = w[0] >= 'a' && w[0] <= 'z' && strlen(w) < 32;
        for (const char *c = w; ok && *c; c++)
            ok = (*c >= 'a' && *c <= 'z') || *c == '!';
        if (ok)
            snprintf(words[n++], 32, "%s", w);
    }
    return n;
}

/* The man page's COMMANDS section and the command table agree: every
 * command the table lists is documented, and every command the section
 * names exists. */
static void test_man_page_commands(void **state)
{
    (void)state;
    FILE *f = fopen(MMH_TOP_SRCDIR "/docs/mmhex.1", "r");
    assert_non_null(f);
    char line[512], named[128][32], bold[128][32];
    size_t nnamed = 0, nbold = 0;
    bool in = false, header = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, ".SH ", 4)) {
            in = !strcmp(line, ".SH COMMANDS");
            continue;
        }
        if (!in)
            continue;
        if (!strncmp(line, ".TP", 3)) {
            header = true;
            continue;
        }
        if (header) {
            nnamed += header_words(line, named + nnamed, 128 - nnamed);
            header = false;
        } else if (!strncmp(line, ".B ", 3) && nbold < 128 && strlen(line + 3) < 32) {
            memcpy(bold[nbold++], line + 3, strlen(line + 3) + 1);
        }
    }
    fclose(f);
    assert_true(nnamed > 20);
    CmdInfo c;
    size_t listed = 0;
    for (size_t i = 0; cmd_info(i, &c); i++) {
        if (c.alias || c.internal)
            continue;
        listed++;
        bool found = false;
        for (size_t j = 0; j < nnamed && !found; j++)
            found = !strcmp(named[j], c.name);
        for (size_t j = 0; j < nbold && !found; j++)
            found = !strcmp(bold[j], c.name);
        if (!found)
            fail_msg("command %s is missing from the man page's COMMANDS", c.name);
    }
    for (size_t j = 0; j < nnamed; j++) {
        bool found = false;
        for (size_t i = 0; cmd_info(i, &c) && !found; i++)
            found = !strcmp(named[j], c.name);
        if (!found)
            fail_msg("the man page names %s, which is no command", named[j]);
    }
    assert_true(listed > 30);
}

/* help lists the keys and every command with its usage; batch prints it. */
static void test_help_lists_commands(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, MMH_MODE_COPY, true);
    assert_int_equal(run(f.s, "help"), 0);
    char *out = cmd_output_take(f.s);
    assert_non_null(out);
    assert_non_null(strstr(out, "move the cursor"));        /* a key */
    assert_non_null(strstr(out, "goto EXPR, g"));           /* a command and its alias */
    assert_non_null(strstr(out, "dump [OFFSET [LENGTH]]")); /* a usage */
    assert_non_null(strstr(out, "the last 100 messages"));  /* messages */
    assert_null(strstr(out, "prompt goto"));                /* internal: not listed */
    free(out);
    fix_close(&f);
}

/* messages: the history of the message row, oldest first, each once with
 * a count when said again in a row; progress is not kept; 100 at most. */
static void test_message_history(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, MMH_MODE_COPY, true);
    Session *s = f.s;
    assert_true(run(s, "goto 0x99999") < 0);
    assert_int_equal(run(s, "put 41"), 0);
    assert_true(run(s, "frobnicate") < 0);
    assert_true(run(s, "frobnicate") < 0);
    assert_int_equal(run(s, "messages"), 0);
    char *out = cmd_output_take(s);
    assert_non_null(out);
    char *a = strstr(out, "error: goto: 0x99999 is past the end");
    char *b = strstr(out, "error: unknown command: frobnicate");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    assert_non_null(strstr(b, "(1 more time)"));
    free(out);
    for (int i = 0; i < 150; i++) {
        char line[64];
        snprintf(line, sizeof line, "goto %d", 5000 + i);
        assert_true(run(s, line) < 0);
    }
    assert_int_equal(run(s, "messages"), 0);
    out = cmd_output_take(s);
    assert_non_null(out);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 100);
    assert_null(strstr(out, "goto: 0x13b9 is past"));     /* 5049: the oldest went */
    assert_non_null(strstr(out, "goto: 0x13ba is past")); /* 5050 stays */
    assert_non_null(strstr(out, "goto: 0x141d is past")); /* 5149, the newest */
    free(out);
    fix_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goto_forms),
        cmocka_unit_test(test_put),
        cmocka_unit_test(test_undo_redo),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_edit_keys),
        cmocka_unit_test(test_quit),
        cmocka_unit_test(test_stat_dump),
        cmocka_unit_test(test_lock_advise),
        cmocka_unit_test(test_saveas),
        cmocka_unit_test(test_saveas_messages),
        cmocka_unit_test(test_saveas_stopped),
        cmocka_unit_test_teardown(test_saveas_enospc, tu_unmount_all),
        cmocka_unit_test(test_unknown_and_help),
        cmocka_unit_test(test_goto_prompt),
        cmocka_unit_test(test_movement),
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_mouse),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_large_files),
        cmocka_unit_test(test_typeahead_during_search),
        cmocka_unit_test(test_find_all_list),
        cmocka_unit_test(test_find_all_streams),
        cmocka_unit_test(test_prompt_utf8),
        cmocka_unit_test(test_no_edits_while_saving),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_man_page_commands),
        cmocka_unit_test(test_help_lists_commands),
        cmocka_unit_test(test_message_history),
    };
    return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
