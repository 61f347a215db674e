/*
 * test_struct: the structure commands and screen (cmd-struct.c,
 * screen-struct.c) through the public cmd.h API, on a DOS partition table
 * written by the test: batch printing (text, JSON), struct as, struct set
 * (one undo step, refusals), the screen (opens at the cursor's field,
 * Enter opens and jumps, e edits), the status row naming the field, and
 * another process rewriting or truncating the file between steps.
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
#include <unistd.h>

#include "cmd.h"
#include "grid.h"
#include "keymap.h"
#include "testutil.h"

#include <cmocka.h>

/* A 1 MiB file holding an MBR: partition 1 type 0x83 at LBA 2048 for 100
 * sectors, partition 2 type 0x07 at LBA 4 for 8 sectors. */
static void write_mbr(const char *path, uint8_t type1)
{
    uint8_t b[512] = {0};
    b[510] = 0x55, b[511] = 0xaa;
    uint8_t *e = b + 446;
    e[0] = 0x80, e[4] = type1, e[9] = 0x08, e[12] = 100; /* LBA 0x800 */
    e += 16;
    e[4] = 0x07, e[8] = 4, e[12] = 8;
    FILE *f = fopen(path, "r+b");
    if (!f)
        f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, sizeof b, f), sizeof b);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(truncate(path, 1 << 20), 0);
}

typedef struct Fix {
    char *dir, *path;
    Session *s;
} Fix;

static void fix_open(Fix *f, MmhMode mode, bool batch)
{
    f->dir = tu_mkdtemp();
    f->path = tu_path(f->dir, "disk.img");
    write_mbr(f->path, 0x83);
    Doc *d = NULL;
    MapOpts mo = {.mode = mode};
    SessionOpts so = {.batch = batch};
    assert_int_equal(doc_open(&d, f->path, &mo), 0);
    assert_int_equal(cmd_session_new(&f->s, d, &so), 0);
    cmd_resize(f->s, 24, 100);
}

static void fix_close(Fix *f)
{
    cmd_session_free(f->s);
    free(f->path);
    tu_rmdir(f->dir);
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

static char *out(Session *s)
{
    char *o = cmd_output_take(s);
    return o ? o : strdup("");
}

/* The frame's rows as text, joined by newlines (malloc'd). */
static char *screen(Session *s)
{
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 100), 0);
    cmd_frame(s, &g);
    char *all = calloc(24, 404), row[404];
    for (int r = 0; r < 24; r++) {
        strcat(all, grid_row_text(&g, r, row, sizeof row));
        strcat(all, "\n");
    }
    grid_free(&g);
    return all;
}

static bool screen_has(Session *s, const char *sub)
{
    char *t = screen(s);
    bool ok = strstr(t, sub) != NULL;
    if (!ok)
        print_message("screen lacks \"%s\":\n%s\n", sub, t);
    free(t);
    return ok;
}

static bool screen_lacks(Session *s, const char *sub)
{
    char *t = screen(s);
    bool ok = strstr(t, sub) == NULL;
    free(t);
    return ok;
}

static void test_print(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_READONLY, true);
    assert_int_equal(run(f.s, "struct"), 0);
    char *o = out(f.s);
    assert_non_null(strstr(o, "MBR @0x0 +1048576: DOS partition table\n"));
    assert_non_null(strstr(o, "  partition 1 @0x1be +16: type 0x83 Linux\n"));
    assert_non_null(strstr(o, "    first LBA @0x1c6 +4: 2048\n"));
    assert_non_null(strstr(o, "    status @0x1be +1: 0x80\n"));
    free(o);
    assert_int_equal(run(f.s, "struct print --json --depth 2 --kids 1"), 0);
    o = out(f.s);
    assert_non_null(strstr(o, "{\"name\":\"MBR\",\"offset\":0,\"size\":1048576,\"value\":\"DOS "
                              "partition table\",\"children\":[{\"name\":\"boot code\""));
    assert_non_null(strstr(o, "\"more\":6}"));
    free(o);
    assert_int_equal(run(f.s, "struct print --depth 0"), -EINVAL);
    assert_int_equal(run(f.s, "struct print --bogus"), -EINVAL);
    /* Forced at an offset where it is not: refused, the old one kept. */
    assert_int_equal(run(f.s, "struct as mbr at 0x1000"), -EINVAL);
    assert_true(msg_has(f.s, "not that format there"));
    assert_int_equal(run(f.s, "struct as nosuch"), -ENOENT);
    assert_int_equal(run(f.s, "struct as"), 0);
    o = out(f.s);
    assert_non_null(strstr(o, "  mbr      DOS partition table\n"));
    free(o);
    fix_close(&f);
}

static void test_unknown_and_empty(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *p = tu_path(dir, "plain");
    tu_make_file(p, 4096, 0);
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_READONLY};
    SessionOpts so = {.batch = true};
    assert_int_equal(doc_open(&d, p, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    assert_int_equal(run(s, "struct"), -ENOENT);
    assert_true(msg_has(s, "no format known at 0x0"));
    cmd_session_free(s);
    free(p);
    tu_rmdir(dir);
}

static void test_set_undo_readonly(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_COPY, true);
    assert_int_equal(run(f.s, "struct set 0x1c6 4096"), 0);
    assert_true(msg_has(f.s, "first LBA at 0x1c6 set to 4096"));
    assert_int_equal(run(f.s, "struct print --depth 3"), 0);
    char *o = out(f.s);
    assert_non_null(strstr(o, "    first LBA @0x1c6 +4: 4096\n"));
    free(o);
    /* Copy mode: the file is untouched until a write. */
    assert_int_equal(tu_pread_byte(f.path, 0x1c7), 0x08);
    assert_int_equal(run(f.s, "undo"), 0);
    assert_int_equal(run(f.s, "struct print --depth 3"), 0);
    o = out(f.s);
    assert_non_null(strstr(o, "    first LBA @0x1c6 +4: 2048\n"));
    free(o);
    /* Too big for the field; not a field's start; not a number field. */
    assert_int_equal(run(f.s, "struct set 0x1c6 0x1ffffffff"), -ERANGE);
    assert_int_equal(run(f.s, "struct set 0x1c7 1"), -ENOENT);
    assert_int_equal(run(f.s, "struct set 0x1bf 01"), -ERANGE); /* CHS: 3 bytes, all said */
    assert_true(msg_has(f.s, "1 bytes for a field of 3"));
    assert_int_equal(run(f.s, "struct set 0x1bf 01 02 03"), 0);
    assert_true(msg_has(f.s, "first CHS at 0x1bf set to 01 02 03"));
    assert_int_equal(run(f.s, "struct set 0x1c2 0x0c"), 0); /* type, hex */
    assert_int_equal(run(f.s, "write"), 0);
    assert_int_equal(tu_pread_byte(f.path, 0x1c2), 0x0c);
    fix_close(&f);
    fix_open(&f, MMH_MODE_READONLY, true);
    assert_int_equal(run(f.s, "struct set 0x1c6 1"), -EROFS);
    fix_close(&f);
}

static void test_screen_jump_edit(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_COPY, false);
    assert_int_equal(run(f.s, "goto 0x1c7"), 0);
    cmd_key(f.s, 's');
    /* Opens at the field under the cursor: partition 1's fields, first
     * LBA picked. */
    assert_true(screen_has(f.s, "structure MBR > partition 1  (5 of 7)"));
    assert_true(screen_has(f.s, ">000001c6      4   first LBA"));
    assert_true(screen_has(f.s, "(5 of 7)"));
    cmd_key(f.s, 'e');
    for (const char *p = "512"; *p; p++)
        cmd_key(f.s, (unsigned char)*p);
    cmd_key(f.s, MMH_KEY_ENTER);
    assert_true(msg_has(f.s, "first LBA at 0x1c6 set to 512"));
    assert_true(screen_has(f.s, "first LBA                      512"));
    /* Up a level, down to partition 2, open it, jump to its sectors. */
    cmd_key(f.s, 'h');
    assert_true(screen_has(f.s, "structure MBR  (2 of 7)"));
    cmd_key(f.s, 'j');
    cmd_key(f.s, MMH_KEY_ENTER);
    assert_true(screen_has(f.s, "structure MBR > partition 2"));
    for (int i = 0; i < 5; i++)
        cmd_key(f.s, 'j');
    cmd_key(f.s, MMH_KEY_ENTER); /* sectors: a leaf */
    assert_int_equal(cmd_view(f.s)->cursor, 0x1da);
    assert_true(msg_has(f.s, "sectors at 0x1da (4 bytes)"));
    /* The status row names it. */
    assert_true(screen_has(f.s, "partition 2 \xc2\xb7 sectors = 8  |"));
    /* One undo step for the edit. */
    assert_int_equal(run(f.s, "undo"), 0);
    assert_int_equal(run(f.s, "goto 0x1c6"), 0);
    assert_true(screen_has(f.s, "partition 1 \xc2\xb7 first LBA = 2048  |"));
    assert_int_equal(run(f.s, "struct off"), 0);
    assert_true(screen_lacks(f.s, "first LBA = 2048"));
    fix_close(&f);
}

static void rewrite_type(const char *path, uint64_t type)
{
    FILE *f = fopen(path, "r+b");
    if (!f || fseek(f, 0x1c2, SEEK_SET) != 0 || fputc((int)type, f) == EOF || fclose(f) != 0)
        _exit(1);
    _exit(0);
}

/* Another process rewrites the table, then truncates the file, between
 * our steps: what is shown follows the file; nothing crashes. */
static void test_other_process(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_SHARED, true);
    assert_int_equal(run(f.s, "struct print --depth 2"), 0);
    char *o = out(f.s);
    assert_non_null(strstr(o, "partition 1 @0x1be +16: type 0x83 Linux"));
    free(o);
    tu_by_child(rewrite_type, f.path, 0x8e);
    assert_int_equal(run(f.s, "struct print --depth 2"), 0);
    o = out(f.s);
    assert_non_null(strstr(o, "partition 1 @0x1be +16: type 0x8e Linux LVM"));
    free(o);
    tu_truncate_by_child(f.path, 300); /* the table is cut off */
    cmd_run(f.s, "refresh");
    int rc = run(f.s, "struct print --depth 3");
    assert_true(rc == 0 || rc == -EINVAL || rc == -ENOENT);
    free(cmd_output_take(f.s));
    tu_truncate_by_child(f.path, 0);
    cmd_run(f.s, "refresh");
    assert_true(run(f.s, "struct print") < 0);
    fix_close(&f);
}

/* Text and bytes typed anew: NUL-padded text, UTF-16LE, hex bytes of the
 * field's exact length; too long refused, nothing written. */
static void test_set_text(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_COPY, true);
    char *defs = tu_path(f.dir, "h.hexs");
    FILE *o = fopen(defs, "w");
    fputs("root struct h {\n  char name[8];\n  utf16 wname[4];\n  u8 raw[4];\n}\n", o);
    fclose(o);
    char line[300];
    snprintf(line, sizeof line, "struct load %s", defs);
    assert_int_equal(run(f.s, line), 0);
    assert_int_equal(run(f.s, "struct set 0 \"ab\""), 0);
    assert_int_equal(run(f.s, "struct set 8 h\xc3\xa9"), 0);
    assert_int_equal(run(f.s, "struct set 16 de ad be ef"), 0);
    assert_int_equal(run(f.s, "write"), 0);
    uint8_t want[20] = {'a',  'b', 0, 0, 0, 0, 0,    0,    'h',  0,
                        0xe9, 0,   0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
    for (int i = 0; i < 20; i++)
        assert_int_equal(tu_pread_byte(f.path, (uint64_t)i), want[i]);
    assert_int_equal(run(f.s, "struct set 0 toolongname"), -ERANGE);
    assert_true(msg_has(f.s, "11 bytes for a field of 8"));
    assert_int_equal(run(f.s, "struct set 8 abcde"), -ERANGE);
    assert_int_equal(run(f.s, "struct set 16 de ad"), -ERANGE);
    assert_int_equal(run(f.s, "struct set 16 zz"), -EINVAL);
    assert_int_equal(run(f.s, "undo"), 0); /* the last good set, one step */
    assert_int_equal(run(f.s, "write"), 0);
    assert_int_equal(tu_pread_byte(f.path, 16), 0); /* the MBR file: zeros there */
    assert_int_equal(tu_pread_byte(f.path, 0), 'a');
    free(defs);
    fix_close(&f);
}

/* The side panel: the path to the cursor's field and the fields around
 * it, following the cursor; refused when too narrow, and in batch. */
static void test_panel(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_READONLY, false);
    cmd_resize(f.s, 24, 80);
    assert_int_equal(run(f.s, "struct panel"), -ERANGE);
    assert_true(msg_has(f.s, "too narrow (80 columns"));
    cmd_resize(f.s, 24, 140);
    assert_int_equal(run(f.s, "struct panel"), 0);
    assert_int_equal(run(f.s, "goto 0x1da"), 0);
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 140), 0);
    cmd_frame(f.s, &g);
    char all[24 * 600] = "", row[600];
    for (int r = 0; r < 24; r++) {
        strcat(all, grid_row_text(&g, r, row, sizeof row));
        strcat(all, "\n");
    }
    assert_non_null(strstr(all, " structure"));
    assert_non_null(strstr(all, "partition 2 type 0x07"));
    assert_non_null(strstr(all, "sectors 8"));
    assert_non_null(strstr(all, "first LBA 4"));
    assert_int_equal(run(f.s, "inspector"), -EBUSY);
    assert_int_equal(run(f.s, "struct off"), 0);
    cmd_frame(f.s, &g);
    assert_null(strstr(grid_row_text(&g, 0, row, sizeof row), " structure"));
    grid_free(&g);
    fix_close(&f);
}

/* struct set with another process at the file between the steps: in
 * shared mode its rewrite stays beside our field; after it truncates the
 * table away, the set is refused and nothing grows the file. */
static void test_set_other_process(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_SHARED, true);
    tu_by_child(rewrite_type, f.path, 0x8e); /* the same size, another byte */
    assert_int_equal(run(f.s, "struct set 0x1c6 4096"), 0);
    assert_int_equal(run(f.s, "flush"), 0);
    assert_int_equal(tu_pread_byte(f.path, 0x1c2), 0x8e); /* theirs */
    assert_int_equal(tu_pread_byte(f.path, 0x1c7), 0x10); /* ours: 4096 */
    tu_truncate_by_child(f.path, 0x100);
    cmd_run(f.s, "refresh");
    assert_true(run(f.s, "struct set 0x1c6 2048") < 0);
    assert_int_equal(tu_size(f.path), 0x100);
    fix_close(&f);
}

/* User structures: a mistake names its line and column and loads
 * nothing; a good file decodes, by default its root, and by name at an
 * offset. */
static void test_load(void **state)
{
    (void)state;
    Fix f;
    fix_open(&f, MMH_MODE_COPY, true);
    char *defs = tu_path(f.dir, "t.hexs");
    FILE *o = fopen(defs, "w");
    fputs("struct entry {\n  u8 status;\n  u8 chs[3];\n  u8 type;\n  u8 chs2[3];\n"
          "  u32 lba;\n  u32 sectors;\n}\n"
          "root struct boot {\n  u8 code[446];\n  entry part[4];\n  u16be sig = 0x55aa;\n}\n",
          o);
    fclose(o);
    char line[300];
    snprintf(line, sizeof line, "struct load %s", defs);
    assert_int_equal(run(f.s, line), 0);
    assert_true(msg_has(f.s, "2 structures"));
    assert_int_equal(run(f.s, "struct print --depth 4"), 0);
    char *t = out(f.s);
    assert_non_null(strstr(t, "boot @0x0 +512"));
    assert_non_null(strstr(t, "      lba @0x1c6 +4: 2048\n"));
    free(t);
    /* struct set works on a user structure's field, in its byte order. */
    assert_int_equal(run(f.s, "struct set 0x1fe 0x1234"), 0);
    assert_int_equal(run(f.s, "struct print --depth 2"), 0);
    t = out(f.s);
    assert_non_null(strstr(t, "sig @0x1fe +2: 0x1234"));
    free(t);
    assert_int_equal(run(f.s, "undo"), 0);
    assert_int_equal(run(f.s, "struct as entry at 0x1ce"), 0);
    assert_int_equal(run(f.s, "struct print"), 0);
    t = out(f.s);
    assert_non_null(strstr(t, "  type @0x1d2 +1: 7"));
    free(t);
    o = fopen(defs, "w");
    fputs("struct a {\n  u32 x;\n  u33 y;\n}\n", o);
    fclose(o);
    assert_int_equal(run(f.s, line), -EINVAL);
    assert_true(msg_has(f.s, "t.hexs:3:3: unknown type 'u33'"));
    /* The structures loaded before stay. */
    assert_int_equal(run(f.s, "struct as boot"), 0);
    assert_int_equal(run(f.s, "struct load /nonexistent/x.hexs"), -ENOENT);
    free(defs);
    fix_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_unknown_and_empty),
        cmocka_unit_test(test_set_undo_readonly),
        cmocka_unit_test(test_screen_jump_edit),
        cmocka_unit_test(test_other_process),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_panel),
        cmocka_unit_test(test_set_text),
        cmocka_unit_test(test_set_other_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
