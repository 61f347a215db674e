/*
 * test_marks: bookmarks, the jump list and prompt history (marks.c), then
 * the commands built on them (cmd-mark.c, cmd-layout.c, session_jump)
 * through the public cmd.h API. Every test points XDG_STATE_HOME into its
 * own temporary directory, so nothing is written to the user's state.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "marks.h"
#include "testutil.h"

/* ---- the core ---------------------------------------------------------------- */

static void test_names_and_set(void **state)
{
    (void)state;
    Marks m = {0};
    assert_true(marks_name_ok("a"));
    assert_true(marks_name_ok("hdr.crc"));
    assert_false(marks_name_ok(""));
    assert_false(marks_name_ok("two words"));
    assert_false(marks_name_ok("0123456789012345678901234567890123"));
    assert_int_equal(marks_set(&m, "bad name", 1, NULL), -EINVAL);
    assert_int_equal(marks_set(&m, "a", 0x10, "first"), 0);
    assert_int_equal(marks_set(&m, "b", 0x20, NULL), 0);
    assert_int_equal(marks_set(&m, "a", 0x30, "moved\nline"), 0); /* moves, keeps one line */
    assert_int_equal(m.n, 2);
    assert_int_equal(marks_get(&m, "a")->off, 0x30);
    assert_string_equal(marks_get(&m, "a")->note, "moved line");
    assert_null(marks_get(&m, "c"));
    assert_int_equal(marks_del(&m, "a"), 0);
    assert_int_equal(marks_del(&m, "a"), -ENOENT);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.v[0].name, "b");
    for (int i = 1; i < MARKS_MAX; i++) {
        char n[16];
        snprintf(n, sizeof n, "m%d", i);
        assert_int_equal(marks_set(&m, n, (uint64_t)i, NULL), 0);
    }
    assert_int_equal(marks_set(&m, "onemore", 1, NULL), -ENOSPC);
    marks_free(&m);
}

static void test_dir(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    setenv("XDG_STATE_HOME", "/x/state", 1);
    assert_int_equal(marks_dir(buf, sizeof buf), 0);
    assert_string_equal(buf, "/x/state/mmhex");
    setenv("XDG_STATE_HOME", "relative", 1); /* invalid by the spec: ignored */
    setenv("HOME", "/home/u", 1);
    assert_int_equal(marks_dir(buf, sizeof buf), 0);
    assert_string_equal(buf, "/home/u/.local/state/mmhex");
    unsetenv("XDG_STATE_HOME");
    unsetenv("HOME");
    assert_int_equal(marks_dir(buf, sizeof buf), -ENOENT);
}

static void test_round_trip(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "data"), *sdir = tu_path(dir, "st/a/b");
    char file[PATH_MAX];
    MarkId id;
    Marks m = {0}, back = {0};
    tu_make_file(path, 4096, 0);
    assert_int_equal(marks_identify(path, &id), 0);
    assert_int_equal(marks_file(sdir, &id, file, sizeof file), 0);
    assert_int_equal(marks_load(&back, file, &id), 0); /* none yet: no marks */
    assert_int_equal(back.n, 0);
    assert_int_equal(marks_set(&m, "a", 0, NULL), 0);
    assert_int_equal(marks_set(&m, "hdr", 0xfff, "the header's checksum"), 0);
    assert_int_equal(marks_save(&m, file, &id), 0); /* makes st/a/b */
    assert_int_equal(marks_load(&back, file, &id), 0);
    assert_int_equal(back.n, 2);
    assert_string_equal(back.v[0].name, "a");
    assert_int_equal(back.v[0].off, 0);
    assert_string_equal(back.v[0].note, "");
    assert_string_equal(back.v[1].name, "hdr");
    assert_int_equal(back.v[1].off, 0xfff);
    assert_string_equal(back.v[1].note, "the header's checksum");
    /* No temporary file is left beside it. */
    int tmps = 0;
    assert_int_equal(tu_count_entries(sdir, &tmps), 1);
    /* Saving again replaces the file whole. */
    assert_int_equal(marks_del(&m, "a"), 0);
    assert_int_equal(marks_save(&m, file, &id), 0);
    assert_int_equal(marks_load(&back, file, &id), 0);
    assert_int_equal(back.n, 1);
    assert_int_equal(tu_count_entries(sdir, &tmps), 1);
    marks_free(&m);
    marks_free(&back);
    free(sdir);
    free(path);
    tu_rmdir(dir);
}

static void test_identity(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "data"), *other = tu_path(dir, "other");
    char *keep = tu_path(dir, "keep"), *sdir = tu_path(dir, "st");
    char f1[PATH_MAX], f2[PATH_MAX];
    MarkId a, b;
    Marks m = {0}, back = {0};
    tu_make_file(path, 4096, 0);
    assert_int_equal(marks_identify(path, &a), 0);
    assert_int_equal(marks_file(sdir, &a, f1, sizeof f1), 0);
    assert_int_equal(marks_set(&m, "a", 5, NULL), 0);
    assert_int_equal(marks_save(&m, f1, &a), 0);

    /* Another file renamed over the path (the old one kept alive by a
     * link, so its inode cannot be reused): a new identity, a new file. */
    assert_int_equal(link(path, keep), 0);
    tu_make_file(other, 4096, 0);
    assert_int_equal(rename(other, path), 0);
    assert_int_equal(marks_identify(path, &b), 0);
    assert_string_equal(a.real, b.real);
    assert_true(a.ino != b.ino);
    assert_int_equal(marks_file(sdir, &b, f2, sizeof f2), 0);
    assert_string_not_equal(f1, f2);
    assert_int_equal(marks_load(&back, f2, &b), 0);
    assert_int_equal(back.n, 0);
    /* The old file's marks read for the new identity (a collision): none. */
    assert_int_equal(marks_load(&back, f1, &b), 0);
    assert_int_equal(back.n, 0);
    /* A symlink to the file is the same identity. */
    char *ln = tu_path(dir, "ln");
    assert_int_equal(symlink(path, ln), 0);
    MarkId c;
    assert_int_equal(marks_identify(ln, &c), 0);
    assert_string_equal(c.real, b.real);
    assert_int_equal(c.ino, b.ino);
    assert_int_equal(marks_identify("/no/such/file", &c), -ENOENT);
    marks_free(&m);
    marks_free(&back);
    free(ln);
    free(keep);
    free(other);
    free(sdir);
    free(path);
    tu_rmdir(dir);
}

static void test_unwritable(void **state)
{
    (void)state;
    /* A state directory under a regular file cannot be made, even by root. */
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "data"), *sdir = tu_path(dir, "data/st");
    char file[PATH_MAX];
    MarkId id;
    Marks m = {0};
    tu_make_file(path, 16, 0);
    assert_int_equal(marks_identify(path, &id), 0);
    assert_int_equal(marks_file(sdir, &id, file, sizeof file), 0);
    assert_int_equal(marks_set(&m, "a", 1, NULL), 0);
    assert_int_equal(marks_save(&m, file, &id), -ENOTDIR);
    assert_int_equal(marks_load(&m, file, &id), -ENOTDIR); /* an error, not a crash */
    assert_int_equal(m.n, 0);
    int tmps = 0;
    assert_int_equal(tu_count_entries(dir, &tmps), 1); /* nothing left behind */
    free(sdir);
    free(path);
    tu_rmdir(dir);
}

static void test_jumps(void **state)
{
    (void)state;
    JumpList j = {0};
    uint64_t to = 0;
    assert_false(jump_back(&j, 0, &to));
    assert_false(jump_forward(&j, &to));
    jump_record(&j, 100); /* at 100, jumped to 200 */
    jump_record(&j, 200); /* at 200, jumped to 300 */
    assert_true(jump_back(&j, 300, &to));
    assert_int_equal(to, 200);
    assert_true(jump_back(&j, 200, &to));
    assert_int_equal(to, 100);
    assert_false(jump_back(&j, 100, &to));
    assert_true(jump_forward(&j, &to));
    assert_int_equal(to, 200);
    assert_true(jump_forward(&j, &to));
    assert_int_equal(to, 300);
    assert_false(jump_forward(&j, &to));
    /* A new jump from the middle forgets what lay forward. */
    assert_true(jump_back(&j, 300, &to));
    assert_true(jump_back(&j, 200, &to)); /* at 100 */
    jump_record(&j, 100);                 /* to 999 */
    assert_false(jump_forward(&j, &to));
    assert_true(jump_back(&j, 999, &to));
    assert_int_equal(to, 100);
    /* Bounded: the oldest go. */
    JumpList k = {0};
    for (uint64_t i = 0; i < 3 * JUMPS_MAX; i++)
        jump_record(&k, i);
    assert_int_equal(k.n, JUMPS_MAX);
    assert_int_equal(k.v[0], 2 * JUMPS_MAX);
    size_t n = 0;
    uint64_t cur = 1000000;
    while (jump_back(&k, cur, &to)) {
        cur = to;
        n++;
    }
    assert_int_equal(n, JUMPS_MAX - 1); /* the newest place took a slot */
    assert_int_equal(cur, 2 * JUMPS_MAX + 1);
}

static void test_history(void **state)
{
    (void)state;
    Places *p = calloc(1, sizeof *p);
    assert_non_null(p);
    History *g = history_of(p, "goto"), *f = history_of(p, "find");
    assert_non_null(g);
    assert_ptr_not_equal(g, f);
    assert_ptr_equal(history_of(p, "goto"), g);
    history_add(g, "0x10");
    history_add(g, "0x10"); /* a repeat is not kept */
    history_add(g, "");     /* nor an empty line */
    history_add(g, "end-1");
    assert_int_equal(g->n, 2);
    assert_string_equal(history_get(g, 1), "end-1");
    assert_string_equal(history_get(g, 2), "0x10");
    assert_null(history_get(g, 3));
    assert_null(history_get(g, 0));
    assert_null(history_get(f, 1));
    for (int i = 0; i < 2 * HISTORY_MAX; i++) {
        char l[16];
        snprintf(l, sizeof l, "%d", i);
        history_add(f, l);
    }
    assert_int_equal(f->n, HISTORY_MAX);
    assert_string_equal(history_get(f, 1), "99");
    assert_string_equal(history_get(f, HISTORY_MAX), "50");
    for (int i = 2; i < HISTORY_KINDS; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        assert_non_null(history_of(p, k));
    }
    assert_null(history_of(p, "onemore"));
    places_free(p);
}

/* ---- the commands -------------------------------------------------------------- */

typedef struct Fix {
    char *dir, *path, *state;
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

static void fix_open(Fix *f, uint64_t size, bool batch)
{
    f->dir = tu_mkdtemp();
    f->path = tu_path(f->dir, "data");
    f->state = tu_path(f->dir, "state");
    setenv("XDG_STATE_HOME", f->state, 1);
    tu_make_file(f->path, size, 0);
    f->s = open_session(f->path, MMH_MODE_COPY, batch);
}

static void fix_close(Fix *f)
{
    cmd_session_free(f->s);
    free(f->path);
    free(f->state);
    tu_rmdir(f->dir);
}

static int run(Session *s, const char *line)
{
    cmd_run(s, line);
    return cmd_result(s);
}

static uint64_t cursor(Session *s)
{
    return cmd_view(s)->cursor;
}

static bool msg_has(Session *s, const char *sub)
{
    const char *m = cmd_message(s, NULL);
    if (m && strstr(m, sub))
        return true;
    print_message("message \"%s\" lacks \"%s\"\n", m ? m : "(none)", sub);
    return false;
}

static void test_cmd_marks(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 1 << 20, true);
    Session *s = f.s;
    assert_int_equal(run(s, "mark"), -EINVAL);
    assert_int_equal(run(s, "mark two words"), -EINVAL); /* "words" is no offset */
    assert_int_equal(run(s, "goto 0x1234"), 0);
    assert_int_equal(run(s, "mark a"), 0);
    assert_true(msg_has(s, "mark a at 0x1234"));
    assert_int_equal(run(s, "mark hdr 0x40 the header"), 0);
    assert_int_equal(run(s, "mark far end"), -ERANGE);
    assert_int_equal(run(s, "goto 0"), 0);
    assert_int_equal(run(s, "jump a"), 0);
    assert_int_equal(cursor(s), 0x1234);
    assert_int_equal(run(s, "jump nosuch"), -ENOENT);
    assert_int_equal(cursor(s), 0x1234);
    assert_int_equal(run(s, "marks"), 0);
    char *o = cmd_output_take(s);
    assert_non_null(o);
    assert_non_null(strstr(o, "a 0x1234\n"));
    assert_non_null(strstr(o, "hdr 0x40 the header\n"));
    free(o);
    cmd_session_free(s);

    /* A new session on the same file finds them; another file does not. */
    s = f.s = open_session(f.path, MMH_MODE_SHARED, true);
    assert_int_equal(run(s, "jump hdr"), 0);
    assert_int_equal(cursor(s), 0x40);
    assert_true(msg_has(s, "the header"));
    assert_int_equal(run(s, "unmark a"), 0);
    assert_int_equal(run(s, "unmark a"), -ENOENT);
    cmd_session_free(s);
    s = f.s = open_session(f.path, MMH_MODE_READONLY, true); /* read-only marks too */
    assert_int_equal(run(s, "jump a"), -ENOENT);
    assert_int_equal(run(s, "jump hdr"), 0);
    /* Two editors on one file see each other's marks. */
    Session *s3 = open_session(f.path, MMH_MODE_COPY, true);
    assert_int_equal(run(s3, "jump hdr"), 0); /* s3 has read them */
    assert_int_equal(run(s, "mark late 0x99"), 0);
    assert_int_equal(run(s3, "jump late"), 0);
    assert_int_equal(cursor(s3), 0x99);
    assert_int_equal(run(s3, "unmark late"), 0);
    assert_int_equal(run(s, "jump late"), -ENOENT);
    cmd_session_free(s3);
    char *other = tu_path(f.dir, "other");
    tu_make_file(other, 4096, 0);
    Session *s2 = open_session(other, MMH_MODE_COPY, true);
    assert_int_equal(run(s2, "jump hdr"), -ENOENT);
    cmd_session_free(s2);
    free(other);

    /* A file shrunk under a mark: refused, not a move past the end. */
    cmd_session_free(s);
    s = f.s = open_session(f.path, MMH_MODE_COPY, true);
    assert_int_equal(run(s, "mark last end-1"), 0);
    cmd_session_free(s);
    assert_int_equal(truncate(f.path, 4096), 0);
    s = f.s = open_session(f.path, MMH_MODE_COPY, true);
    assert_int_equal(run(s, "jump last"), -ERANGE);
    assert_true(msg_has(s, "past the end"));
    assert_int_equal(cursor(s), 0);
    fix_close(&f);
}

static void test_cmd_marks_unwritable(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, true);
    /* The state home is a regular file: marks work, but only in memory. */
    tu_make_file(f.state, 1, 0);
    Session *s = f.s;
    assert_int_equal(run(s, "mark a 0x10"), 0);
    assert_true(msg_has(s, "not kept"));
    assert_int_equal(run(s, "mark b 0x20"), 0); /* said once */
    assert_null(strstr(cmd_message(s, NULL), "not kept"));
    assert_int_equal(run(s, "jump a"), 0);
    assert_int_equal(cursor(s), 0x10);
    fix_close(&f);
}

static void test_cmd_jumps(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 1 << 20, true);
    Session *s = f.s;
    const View *v = cmd_view(s);
    assert_int_equal(run(s, "back"), -ENOENT);
    assert_int_equal(run(s, "goto 0x8000"), 0);
    /* Off screen: the target's row a third of the way down. */
    int rows = 24 - 4;
    assert_int_equal((v->cursor - v->top) / (uint64_t)v->bpr, (uint64_t)(rows / 3));
    run(s, "right"); /* plain moves are not jumps */
    run(s, "right");
    assert_int_equal(run(s, "goto 0x10000"), 0);
    assert_int_equal(run(s, "mark m 0x20000"), 0);
    assert_int_equal(run(s, "jump m"), 0);
    assert_int_equal(run(s, "find -x -- de ad be ef"), -ENOENT); /* not found: no jump */
    assert_int_equal(run(s, "back"), 0);
    assert_int_equal(cursor(s), 0x10000);
    assert_int_equal(run(s, "back"), 0);
    assert_int_equal(cursor(s), 0x8002);
    assert_int_equal(run(s, "back"), 0);
    assert_int_equal(cursor(s), 0);
    assert_int_equal(run(s, "back"), -ENOENT);
    assert_int_equal(run(s, "forward"), 0);
    assert_int_equal(cursor(s), 0x8002);
    assert_int_equal(run(s, "forward"), 0);
    assert_int_equal(run(s, "forward"), 0);
    assert_int_equal(cursor(s), 0x20000);
    assert_int_equal(run(s, "forward"), -ENOENT);
    /* A jump to a byte already on screen does not scroll. */
    uint64_t top = v->top;
    assert_int_equal(run(s, "goto +0x20"), 0);
    assert_int_equal(v->top, top);
    /* goto end: the last byte, and the view is full to the bottom row. */
    assert_int_equal(run(s, "goto end"), 0);
    assert_int_equal(cursor(s), (1 << 20) - 1);
    assert_int_equal((v->cursor - v->top) / (uint64_t)v->bpr, (uint64_t)(rows - 1));
    /* Searches and the data/hole seeks are jumps too. */
    assert_int_equal(run(s, "goto 0"), 0);
    char pat[64];
    snprintf(pat, sizeof pat, "find -x -- %02x %02x %02x", tu_pattern(0x9001), tu_pattern(0x9002),
             tu_pattern(0x9003));
    assert_int_equal(run(s, pat), 0);
    assert_true(cursor(s) > 0);
    assert_int_equal(run(s, "back"), 0);
    assert_int_equal(cursor(s), 0);
    fix_close(&f);
}

static void test_cmd_layout(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, false);
    Session *s = f.s;
    const View *v = cmd_view(s);
    assert_int_equal(v->bpr, 16);
    assert_int_equal(run(s, "width 8"), 0);
    assert_int_equal(v->bpr, 8);
    assert_int_equal(run(s, "width more"), 0);
    assert_int_equal(v->bpr, 16);
    assert_int_equal(run(s, "width more"), -ERANGE); /* 24 does not fit 80 columns */
    assert_true(msg_has(s, "does not fit 80 columns: showing 16"));
    assert_int_equal(v->bpr, 16);
    assert_int_equal(run(s, "width less"), 0);
    assert_int_equal(run(s, "width less"), 0);
    assert_int_equal(v->bpr, 4);
    /* Too wide: refused with a message, the widest that fits shown. */
    assert_int_equal(run(s, "width 64"), 0);
    assert_true(msg_has(s, "width 64 does not fit 80 columns: showing 16"));
    assert_int_equal(v->bpr, 16);
    cmd_resize(s, 24, 300); /* wide enough now */
    assert_int_equal(v->bpr, 64);
    cmd_resize(s, 24, 80);
    assert_true(msg_has(s, "width 64 does not fit"));
    assert_int_equal(run(s, "width auto"), 0);
    assert_int_equal(run(s, "width 0"), -EINVAL);
    assert_int_equal(run(s, "width x"), -EINVAL);

    /* Grouping: the row's text and a click on a grouped byte. */
    Grid g = {0};
    char row[256];
    assert_int_equal(grid_resize(&g, 24, 80), 0);
    assert_int_equal(run(s, "group 4"), 0);
    assert_int_equal(v->group, 4);
    cmd_frame(s, &g);
    grid_row_text(&g, 1, row, sizeof row);
    char want[64];
    snprintf(want, sizeof want, "%02x%02x%02x%02x %02x", tu_pattern(0), tu_pattern(1),
             tu_pattern(2), tu_pattern(3), tu_pattern(4));
    assert_non_null(strstr(row, want));
    /* offset 8 + 3, then byte j at 11 + 2j + j/4 + j/8: byte 5 at col 23. */
    cmd_mouse(s, MMH_MOUSE_CLICK, 1, 23);
    assert_int_equal(cursor(s), 5);
    cmd_mouse(s, MMH_MOUSE_CLICK, 1, 19); /* the space after a group: its last byte */
    assert_int_equal(cursor(s), 3);
    cmd_mouse(s, MMH_MOUSE_CLICK, 1, 29); /* the gap between runs of 8: nothing */
    assert_int_equal(cursor(s), 3);
    cmd_mouse(s, MMH_MOUSE_CLICK, 2, 12);
    assert_int_equal(cursor(s), 16);
    assert_int_equal(run(s, "group"), 0); /* cycles on: 8, then 1 */
    assert_int_equal(v->group, 8);
    assert_int_equal(run(s, "group"), 0);
    assert_int_equal(v->group, 1);
    assert_int_equal(run(s, "group 3"), -EINVAL);
    for (int gr = 1; gr <= 8; gr *= 2) { /* every byte's cell hits that byte */
        char a[16];
        snprintf(a, sizeof a, "group %d", gr);
        assert_int_equal(run(s, a), 0);
        unsigned hit = 0;
        for (int col = 0; col < 80; col++) {
            assert_int_equal(run(s, "goto 0"), 0);
            cmd_mouse(s, MMH_MOUSE_CLICK, 3, col);
            uint64_t c = cursor(s);
            if (c >= 32 && c < 48 && cmd_view(s)->pane == MMH_PANE_HEX) {
                cmd_frame(s, &g); /* the cursor is drawn where the click was */
                assert_int_equal(g.cur_row, 3);
                assert_true(col >= g.cur_col && col <= g.cur_col + 2);
                hit |= 1u << (c - 32);
            }
        }
        assert_int_equal(hit, 0xffff); /* every byte can be clicked */
    }

    /* Decimal offsets. */
    assert_int_equal(run(s, "goto 0"), 0);
    assert_int_equal(run(s, "offsets dec"), 0);
    cmd_frame(s, &g);
    assert_non_null(strstr(grid_row_text(&g, 2, row, sizeof row), "00000016"));
    assert_int_equal(run(s, "offsets"), 0);
    cmd_frame(s, &g);
    assert_non_null(strstr(grid_row_text(&g, 2, row, sizeof row), "00000010"));
    assert_int_equal(run(s, "offsets oct"), -EINVAL);
    grid_free(&g);
    fix_close(&f);

    /* Decimal offsets can be wider than hex ones: a terminal that fits a
     * row with hex offsets but not with decimal ones is too small then,
     * never a row cut at the edge. 10^10 bytes: 9 hex digits, 10 decimal. */
    fix_open(&f, 0, false);
    assert_int_equal(truncate(f.path, 10000000000LL), 0);
    cmd_session_free(f.s);
    s = f.s = open_session(f.path, MMH_MODE_READONLY, false);
    v = cmd_view(s);
    cmd_resize(s, 24, 17);
    assert_false(v->too_small);
    assert_int_equal(v->bpr, 1);
    assert_int_equal(run(s, "offsets dec"), 0);
    assert_true(v->too_small);
    cmd_resize(s, 24, 18);
    assert_false(v->too_small);
    fix_close(&f);
}

static void type(Session *s, const char *text)
{
    for (; *text; text++)
        cmd_key(s, (unsigned char)*text);
}

/* The prompt row's text (the last row of a 24x80 frame). */
static const char *prompt_row(Session *s, Grid *g, int back)
{
    static char row[256];
    cmd_frame(s, g);
    return grid_row_text(g, 23 - back, row, sizeof row);
}

static void test_prompt(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, 4096, false);
    Session *s = f.s;
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 80), 0);

    /* History: per kind, Up and Down, what was typed comes back. */
    cmd_key(s, 'g');
    type(s, "0x10\r");
    cmd_key(s, 'g');
    type(s, "0x20\r");
    cmd_key(s, '/');
    type(s, "41\r"); /* another kind */
    assert_true(msg_has(s, "41"));
    cmd_key(s, 'g');
    type(s, "1");
    cmd_key(s, MMH_KEY_UP);
    assert_non_null(strstr(prompt_row(s, &g, 0), "goto: 0x20"));
    cmd_key(s, MMH_KEY_UP);
    assert_non_null(strstr(prompt_row(s, &g, 0), "goto: 0x10"));
    cmd_key(s, MMH_KEY_UP); /* the oldest: stays */
    assert_non_null(strstr(prompt_row(s, &g, 0), "goto: 0x10"));
    cmd_key(s, MMH_KEY_DOWN);
    cmd_key(s, MMH_KEY_DOWN);
    assert_non_null(strstr(prompt_row(s, &g, 0), "goto: 1"));
    cmd_key(s, MMH_KEY_UP);
    type(s, "\r");
    assert_int_equal(cursor(s), 0x20);

    /* The find prompt: Tab switches hex and text, and the verb with it. */
    cmd_key(s, '/');
    assert_non_null(strstr(prompt_row(s, &g, 0), "/ hex:"));
    cmd_key(s, MMH_KEY_TAB);
    assert_non_null(strstr(prompt_row(s, &g, 0), "/ text:"));
    type(s, "zz\r");
    assert_true(msg_has(s, "'zz'")); /* a text pattern: as hex, zz is no pattern */
    cmd_key(s, '?');
    cmd_key(s, MMH_KEY_TAB);
    assert_non_null(strstr(prompt_row(s, &g, 0), "? text:"));
    cmd_key(s, MMH_KEY_TAB);
    assert_non_null(strstr(prompt_row(s, &g, 0), "? hex:"));
    cmd_key(s, MMH_KEY_ESC);

    /* Tab at save-as: one match completes (a directory with its slash),
     * several complete their common part and are listed above. */
    char *sub = tu_path(f.dir, "subdir"), *a = tu_path(f.dir, "out-alpha");
    char *b = tu_path(f.dir, "out-beta"), line[512];
    assert_int_equal(mkdir(sub, 0700), 0);
    tu_make_file(a, 1, 0);
    tu_make_file(b, 1, 0);
    cmd_key(s, 'W');
    snprintf(line, sizeof line, "%s/su", f.dir);
    type(s, line);
    cmd_key(s, MMH_KEY_TAB);
    snprintf(line, sizeof line, "save as: %s/subdir/", f.dir);
    assert_non_null(strstr(prompt_row(s, &g, 0), line));
    cmd_key(s, MMH_KEY_CTRL('u'));
    snprintf(line, sizeof line, "%s/out-", f.dir);
    type(s, line);
    cmd_key(s, MMH_KEY_TAB);
    assert_non_null(strstr(prompt_row(s, &g, 1), "2: out-alpha out-beta"));
    type(s, "a");
    cmd_key(s, MMH_KEY_TAB);
    snprintf(line, sizeof line, "%s/out-alpha", f.dir);
    assert_non_null(strstr(prompt_row(s, &g, 0), line));
    assert_null(strstr(prompt_row(s, &g, 1), "out-beta")); /* the list is gone */
    cmd_key(s, MMH_KEY_CTRL('u'));
    type(s, "/no/such/dir/x");
    cmd_key(s, MMH_KEY_TAB);
    assert_non_null(strstr(prompt_row(s, &g, 1), "cannot list /no/such/dir/"));
    cmd_key(s, MMH_KEY_ESC);
    free(sub);
    free(a);
    free(b);
    grid_free(&g);
    fix_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_set),
        cmocka_unit_test(test_dir),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_unwritable),
        cmocka_unit_test(test_jumps),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_cmd_marks),
        cmocka_unit_test(test_cmd_marks_unwritable),
        cmocka_unit_test(test_cmd_jumps),
        cmocka_unit_test(test_cmd_layout),
        cmocka_unit_test(test_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
