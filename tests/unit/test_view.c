/*
 * test_view: layout, scrolling, hit-testing and whole frames rendered from
 * real files, read back as text (grid_row_text) and classes.
 *
 * Fixtures are written and fsync'd first, so their pages are clean and in
 * the page cache: the glyph of a freshly written page is then R, not D.
 * Assertions about residency that the kernel may refuse to reproduce
 * (eviction of a page cache page) check with an independent mincore first
 * and skip that part when the kernel kept the page.
 *
 * cmocka installs its own SIGBUS handler around every test; map_open
 * (through guard_init) puts the guard's back whenever it is not in force,
 * so the documents each test opens are guarded without help.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "guard.h"
#include "map.h"
#include "testutil.h"
#include "prompt.h"
#include "view.h"

#define TIB16 (1ull << 44)

typedef struct Fx {
    char *dir;   /* the test's temporary directory */
    char *path;  /* the file shown */
    Doc *d;      /* the document, or NULL */
    View v;      /* the viewport */
    Grid g;      /* the frame */
    ViewInfo in; /* status inputs */
    ViewFrame f; /* the last frame's measurements */
    char line[4096];
} Fx;

/* Write len bytes, byte i = i mod 256 (or sparse), and make them clean. */
static void make_seq(const char *path, uint64_t len, int sparse)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    uint8_t buf[4096];

    assert_true(fd >= 0);
    if (sparse) {
        assert_int_equal(ftruncate(fd, (off_t)len), 0);
    } else {
        for (uint64_t off = 0; off < len;) {
            size_t n = len - off < sizeof buf ? (size_t)(len - off) : sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)(off + i);
            assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
            off += n;
        }
    }
    assert_int_equal(fsync(fd), 0);
    close(fd);
}

static Fx *fx_new(void)
{
    Fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->dir = tu_mkdtemp();
    x->in.name = "f.bin";
    x->in.mode = "COPY";
    x->in.advice = "normal";
    x->in.lock_limit = 8u << 20;
    x->g.cur_row = x->g.cur_col = -1;
    return x;
}

static void fx_open(Fx *x, const char *name, MmhMode mode)
{
    MapOpts o = {mode, NULL};

    free(x->path);
    if (x->d)
        doc_close(x->d);
    x->path = tu_path(x->dir, name);
    assert_int_equal(doc_open(&x->d, x->path, &o), 0);
}

static void fx_free(Fx *x)
{
    if (x->d)
        doc_close(x->d);
    grid_free(&x->g);
    free(x->path);
    tu_rmdir(x->dir);
    free(x);
}

/* Lay out for rows x cols and render. */
static void fx_render(Fx *x, int rows, int cols)
{
    view_layout(&x->v, rows, cols, doc_size(x->d));
    assert_int_equal(grid_resize(&x->g, rows, cols), 0);
    memset(&x->f, 0xa5, sizeof x->f);
    view_render(&x->v, x->d, &x->in, &x->g, &x->f);
}

static const char *fx_row(Fx *x, int row)
{
    return grid_row_text(&x->g, row, x->line, sizeof x->line);
}

static int cls_at(const Fx *x, int row, int col)
{
    return x->g.cells[(size_t)row * (size_t)x->g.cols + (size_t)col].cls;
}

static uint32_t ch_at(const Fx *x, int row, int col)
{
    return x->g.cells[(size_t)row * (size_t)x->g.cols + (size_t)col].ch;
}

/* The data row an independent formatter expects: offset, glyph, hex with a
 * gap every 8 bytes, text; bytes past size left out. */
static void expect_row(char *out, int offw, uint64_t row, char glyph, int bpr, uint64_t size,
                       uint8_t (*byte)(uint64_t))
{
    char *p = out + sprintf(out, "%0*" PRIx64 " %c ", offw, row, glyph);
    for (int j = 0; j < bpr; j++) {
        if (row + (uint64_t)j < size)
            p += sprintf(p, "%02x ", byte(row + (uint64_t)j));
        else
            p += sprintf(p, "   ");
        if (j % 8 == 7 && j != bpr - 1)
            *p++ = ' ';
    }
    *p++ = ' ';
    for (int j = 0; j < bpr && row + (uint64_t)j < size; j++) {
        uint8_t b = byte(row + (uint64_t)j);
        *p++ = b >= 0x20 && b < 0x7f ? (char)b : '.';
    }
    *p = '\0';
    while (p > out && p[-1] == ' ') /* as grid_row_text trims */
        *--p = '\0';
}

static uint8_t seq_byte(uint64_t i)
{
    return (uint8_t)i;
}

/* Column of byte j's first hex digit and of its text cell. */
static int hexc(int offw, int j)
{
    return offw + 3 + 3 * j + j / 8;
}

static int textc(int offw, int bpr, int j)
{
    return offw + 3 + 3 * bpr + (bpr + 7) / 8 - 1 + 1 + j;
}

static void assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void assert_contains(const char *s, const char *part)
{
    if (!strstr(s, part))
        fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* ---- grid ----------------------------------------------------------------- */

static void test_grid(void **state)
{
    Grid g = {0, 0, NULL, -1, -1};
    char buf[64];

    (void)state;
    assert_int_equal(grid_resize(&g, 2, 5), 0);
    assert_int_equal(g.rows, 2);
    assert_int_equal(g.cols, 5);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(g.cells[i].ch, ' ');
        assert_int_equal(g.cells[i].cls, MMH_CC_NORMAL);
    }
    assert_string_equal(grid_row_text(&g, 0, buf, sizeof buf), "");
    g.cells[0].ch = 'a';
    g.cells[1].ch = 0xe9;   /* e acute: 2 bytes */
    g.cells[2].ch = 0x2026; /* ellipsis: 3 bytes */
    g.cells[5].ch = 'z';
    assert_string_equal(grid_row_text(&g, 0, buf, sizeof buf), "a\xc3\xa9\xe2\x80\xa6");
    assert_string_equal(grid_row_text(&g, 1, buf, sizeof buf), "z");
    /* A short buffer never splits a character. */
    assert_string_equal(grid_row_text(&g, 0, buf, 4), "a\xc3\xa9");
    assert_string_equal(grid_row_text(&g, 0, buf, 3), "a");
    assert_string_equal(grid_row_text(&g, 7, buf, sizeof buf), "");
    assert_string_equal(grid_row_text(&g, -1, buf, sizeof buf), "");
    /* Resizing blanks every cell. */
    assert_int_equal(grid_resize(&g, 3, 4), 0);
    assert_string_equal(grid_row_text(&g, 0, buf, sizeof buf), "");
    assert_int_equal(grid_resize(&g, 0, 0), 0);
    assert_string_equal(grid_row_text(&g, 0, buf, sizeof buf), "");
    assert_int_equal(grid_resize(&g, -3, 7), 0);
    assert_int_equal(g.rows, 0);
    grid_free(&g);
    grid_free(&g);
}

/* ---- layout --------------------------------------------------------------- */

static long width(int offw, int bpr)
{
    return offw + 1 + 1 + 1 + 3L * bpr + ((bpr + 7) / 8 - 1) + 1 + bpr;
}

static void test_layout_bpr(void **state)
{
    View v;

    (void)state;
    assert_int_equal(view_offset_width(0), 8);
    assert_int_equal(view_offset_width(256), 8);
    assert_int_equal(view_offset_width(1ull << 32), 8);
    assert_int_equal(view_offset_width((1ull << 32) + 1), 9);
    assert_int_equal(view_offset_width(TIB16), 11);
    assert_int_equal(view_offset_width(TIB16 + 1), 12);
    assert_int_equal(view_offset_width(UINT64_MAX), 16);
    assert_int_equal(width(8, 16), 77);
    assert_int_equal(width(11, 16), 80);

    int r, c;
    view_min_size(256, &r, &c);
    assert_int_equal(r, 5);
    assert_int_equal(c, 16);
    view_min_size(TIB16, &r, &c);
    assert_int_equal(c, 19);

    struct {
        int cols;
        uint64_t size;
        int bpr;
    } cases[] = {
        {80, 256, 16},  {79, 256, 16},  {76, 256, 8}, {40, 256, 4}, {120, 256, 24},
        {143, 256, 32}, {142, 256, 24}, {16, 256, 1}, {20, 256, 2}, {80, TIB16, 16},
        {79, TIB16, 8}, {200, 256, 40}, {15, 256, 1}, {0, 256, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&v, 0, sizeof v);
        view_layout(&v, 24, cases[i].cols, cases[i].size);
        if (v.bpr != cases[i].bpr)
            fail_msg("cols %d size %" PRIu64 ": bpr %d, want %d", cases[i].cols, cases[i].size,
                     v.bpr, cases[i].bpr);
    }
    /* Exhaustively: the chosen bpr fits, the next candidate does not. */
    for (int cols = 16; cols < 400; cols++) {
        memset(&v, 0, sizeof v);
        view_layout(&v, 24, cols, 1000);
        int next = v.bpr < 8 ? v.bpr * 2 : v.bpr + 8;
        assert_true(width(8, v.bpr) <= cols);
        assert_true(width(8, next) > cols);
        assert_true(v.bpr <= 8 ? (v.bpr & (v.bpr - 1)) == 0 : v.bpr % 8 == 0);
        assert_int_equal(view_data_rows(&v), 20);
    }
    /* -w overrides the fit when its row fits; a wider one is refused (the
     * fit is shown and bpr_refused says what was asked), never a cursor
     * past the right edge. */
    memset(&v, 0, sizeof v);
    v.bpr_fixed = 5;
    view_layout(&v, 24, 80, 256);
    assert_int_equal(v.bpr, 5);
    assert_int_equal(v.bpr_refused, 0);
    v.bpr_fixed = 64;
    view_layout(&v, 24, 80, 256);
    assert_int_equal(v.bpr, 16);
    assert_int_equal(v.bpr_refused, 64);
    view_layout(&v, 24, 300, 256);
    assert_int_equal(v.bpr, 64);
    assert_int_equal(v.bpr_refused, 0);
    assert_int_equal(v.top % 64, 0);
    v.bpr_fixed = 0;
    view_layout(&v, 24, 80, 256);
    assert_int_equal(v.bpr, 16);
}

/* ---- frames of a 256-byte file ------------------------------------------- */

static void test_render_80(void **state)
{
    Fx *x = fx_new();
    char want[512];
    char *p = tu_path(x->dir, "f.bin");

    (void)state;
    make_seq(p, 256, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);
    fx_render(x, 24, 80);
    assert_int_equal(x->v.bpr, 16);
    assert_int_equal(view_data_rows(&x->v), 20);

    snprintf(want, sizeof want, "%-75s[hex]", " mmhex  f.bin  COPY  256 B");
    assert_string_equal(fx_row(x, 0), want);
    assert_string_equal(fx_row(x, 1),
                        "00000000 R 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  "
                        "................");
    assert_string_equal(fx_row(x, 3),
                        "00000020 R 20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  "
                        " !\"#$%&'()*+,-./");
    assert_string_equal(fx_row(x, 5),
                        "00000040 R 40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  "
                        "@ABCDEFGHIJKLMNO");
    assert_string_equal(fx_row(x, 8),
                        "00000070 R 70 71 72 73 74 75 76 77  78 79 7a 7b 7c 7d 7e 7f  "
                        "pqrstuvwxyz{|}~.");
    for (int r = 1; r <= 16; r++) {
        expect_row(want, 8, (uint64_t)(r - 1) * 16, 'R', 16, 256, seq_byte);
        assert_string_equal(fx_row(x, r), want);
    }
    for (int r = 17; r <= 20; r++)
        assert_string_equal(fx_row(x, r), ""); /* past EOF: blank */
    assert_prefix(fx_row(x, 21), "0x00000000/0x100 0.0%  res 1/1");
    assert_int_equal(x->f.pages, 1);
    assert_int_equal(x->f.resident, 1);
    assert_int_equal(x->f.read_rc, 0);
    assert_true(strlen(fx_row(x, 21)) <= 80);

    /* The cursor's offset and share of the file. */
    x->v.cursor = 128;
    fx_render(x, 24, 80);
    assert_prefix(fx_row(x, 21), "0x00000080/0x100 50.1%");
    x->v.cursor = 254;
    fx_render(x, 24, 80);
    assert_prefix(fx_row(x, 21), "0x000000fe/0x100 99.6%");
    x->v.cursor = 255;
    fx_render(x, 24, 80);
    assert_prefix(fx_row(x, 21), "0x000000ff/0x100 100.0%");
    assert_int_equal(x->v.top, 0);

    /* The title: modified mark, state, pane tag. */
    x->in.modified = true;
    x->in.state = "EDIT";
    x->v.pane = MMH_PANE_TEXT;
    fx_render(x, 24, 80);
    snprintf(want, sizeof want, "%-74s[text]", " mmhex  f.bin  COPY  256 B *  EDIT");
    assert_string_equal(fx_row(x, 0), want);
    for (int c = 0; c < 80; c++)
        assert_int_equal(cls_at(x, 0, c), MMH_CC_TITLE);
    fx_free(x);
}

static void test_render_40_120(void **state)
{
    Fx *x = fx_new();
    char want[512];
    char *p = tu_path(x->dir, "f.bin");

    (void)state;
    make_seq(p, 256, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);

    fx_render(x, 24, 40); /* 8 bytes would need 44 columns */
    assert_int_equal(x->v.bpr, 4);
    assert_string_equal(fx_row(x, 1), "00000000 R 00 01 02 03  ....");
    assert_string_equal(fx_row(x, 9), "00000020 R 20 21 22 23   !\"#");
    assert_string_equal(fx_row(x, 20), "0000004c R 4c 4d 4e 4f  LMNO");
    snprintf(want, sizeof want, "%-35s[hex]", " mmhex  f.bin  COPY  256 B");
    assert_string_equal(fx_row(x, 0), want);
    assert_prefix(fx_row(x, 21), "0x00000000/0x100 0.0%");
    assert_true(strlen(fx_row(x, 21)) <= 40);
    assert_true(strlen(fx_row(x, 22)) <= 40);

    fx_render(x, 30, 120); /* 24 bytes: 110 columns; 32 would need 143 */
    assert_int_equal(x->v.bpr, 24);
    assert_int_equal(view_data_rows(&x->v), 26);
    assert_string_equal(fx_row(x, 1),
                        "00000000 R 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  "
                        "10 11 12 13 14 15 16 17  ........................");
    for (int r = 1; r <= 11; r++) {
        expect_row(want, 8, (uint64_t)(r - 1) * 24, 'R', 24, 256, seq_byte);
        assert_string_equal(fx_row(x, r), want);
    }
    /* The last row is partial (256 = 10 * 24 + 16): the text stays in its column. */
    assert_int_equal(ch_at(x, 11, textc(8, 24, 0)), '.');
    assert_int_equal(ch_at(x, 11, textc(8, 24, 0) - 1), ' ');
    assert_string_equal(fx_row(x, 12), "");
    fx_free(x);
}

/* ---- offsets of large files ----------------------------------------------- */

static void test_offset_width_huge(void **state)
{
    Fx *x = fx_new();
    char want[512];
    char *p = tu_path(x->dir, "huge.bin");
    uint64_t size = tu_make_huge(p), last_row;
    int bottom;

    (void)state;
    free(p);
    if (size == 0) {
        fx_free(x);
        skip();
    }
    fx_open(x, "huge.bin", MMH_MODE_COPY);
    assert_int_equal(doc_size(x->d), size);
    x->v.cursor = size - 1;
    fx_render(x, 24, 80);
    assert_int_equal(x->v.bpr, 16); /* offw 11: exactly 80 columns */
    last_row = (size - 1) & ~15ull;
    assert_int_equal(x->v.top, last_row - 19 * 16);
    bottom = 20;
    /* A page in a hole: glyph H, its bytes shown as "--" (nothing on disk;
     * they read as zero), the text pane blank. */
    snprintf(want, sizeof want, "%011" PRIx64 " H -- -- -- -- -- -- -- --  -- -- -- -- -- -- -- --",
             last_row);
    assert_string_equal(fx_row(x, bottom), want);
    if (size == TIB16)
        assert_prefix(fx_row(x, bottom), "ffffffffff0 ");
    else
        assert_prefix(fx_row(x, bottom), "fffffffeff0 ");
    assert_int_equal(cls_at(x, bottom, hexc(11, 0)), MMH_CC_HOLE);
    assert_int_equal(cls_at(x, bottom, hexc(11, 15)), MMH_CC_CURSOR);
    assert_int_equal(cls_at(x, bottom, textc(11, 16, 15)), MMH_CC_CURSOR2);
    snprintf(want, sizeof want, "0x%011" PRIx64 "/0x%" PRIx64 " 100.0%%", size - 1, size);
    assert_prefix(fx_row(x, 21), want);
    assert_contains(fx_row(x, 0), size == TIB16 ? "  16.0 TiB" : " TiB");
    /* O(screen): one screenful sampled and read, not the file. */
    assert_true(x->f.pages <= 20 * 16 / 4096 + 2);
    assert_int_equal(x->f.read_rc, 0);

    /* The top of the same file. */
    x->v.cursor = 0;
    fx_render(x, 24, 80);
    assert_int_equal(x->v.top, 0);
    assert_prefix(fx_row(x, 1), "00000000000 ");
    assert_true(x->f.pages <= 2);
    fx_free(x);

    /* 2^32 + 1 bytes: the last byte alone on a row with a 9-digit offset. */
    x = fx_new();
    p = tu_path(x->dir, "4g.bin");
    make_seq(p, (1ull << 32) + 1, 1);
    free(p);
    fx_open(x, "4g.bin", MMH_MODE_READONLY);
    x->v.cursor = 1ull << 32;
    fx_render(x, 24, 80);
    assert_int_equal(x->v.bpr, 16);
    assert_string_equal(fx_row(x, 20), "100000000 H --");
    assert_string_equal(fx_row(x, 19),
                        "0fffffff0 H -- -- -- -- -- -- -- --  -- -- -- -- -- -- -- --");
    assert_prefix(fx_row(x, 21), "0x100000000/0x100000001 100.0%");
    assert_int_equal(x->g.cur_row, 20);
    assert_int_equal(x->g.cur_col, hexc(9, 0));
    fx_free(x);
}

/* ---- classes -------------------------------------------------------------- */

static void test_cursor_classes(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "f.bin");

    (void)state;
    make_seq(p, 256, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);
    x->v.cursor = 0x13;
    fx_render(x, 24, 80);
    /* row 2 (0x10), byte 3 */
    assert_int_equal(cls_at(x, 2, hexc(8, 3)), MMH_CC_CURSOR);
    assert_int_equal(cls_at(x, 2, hexc(8, 3) + 1), MMH_CC_CURSOR);
    assert_int_equal(cls_at(x, 2, hexc(8, 3) + 2), MMH_CC_NORMAL);
    assert_int_equal(cls_at(x, 2, textc(8, 16, 3)), MMH_CC_CURSOR2);
    assert_int_equal(x->g.cur_row, 2);
    assert_int_equal(x->g.cur_col, hexc(8, 3));
    /* Neighbours keep their own classes. */
    assert_int_equal(cls_at(x, 2, hexc(8, 2)), MMH_CC_HEX);
    assert_int_equal(cls_at(x, 2, textc(8, 16, 2)), MMH_CC_TEXT);
    assert_int_equal(cls_at(x, 1, hexc(8, 0)), MMH_CC_ZERO); /* byte 00 */
    assert_int_equal(cls_at(x, 1, hexc(8, 1)), MMH_CC_HEX);
    assert_int_equal(cls_at(x, 1, 0), MMH_CC_OFFSET);
    assert_int_equal(cls_at(x, 1, 7), MMH_CC_OFFSET);
    assert_int_equal(cls_at(x, 1, 9), MMH_CC_GLYPH);
    assert_int_equal(cls_at(x, 21, 0), MMH_CC_STATUS);
    assert_int_equal(cls_at(x, 21, 79), MMH_CC_STATUS);
    assert_int_equal(cls_at(x, 22, 79), MMH_CC_STATUS);

    /* Hex edit: the terminal cursor sits on the nibble being typed. */
    x->v.nibble = 1;
    fx_render(x, 24, 80);
    assert_int_equal(x->g.cur_col, hexc(8, 3) + 1);
    x->v.nibble = 0;

    /* The text pane: the roles swap. */
    x->v.pane = MMH_PANE_TEXT;
    fx_render(x, 24, 80);
    assert_int_equal(cls_at(x, 2, hexc(8, 3)), MMH_CC_CURSOR2);
    assert_int_equal(cls_at(x, 2, hexc(8, 3) + 1), MMH_CC_CURSOR2);
    assert_int_equal(cls_at(x, 2, textc(8, 16, 3)), MMH_CC_CURSOR);
    assert_int_equal(x->g.cur_row, 2);
    assert_int_equal(x->g.cur_col, textc(8, 16, 3));
    fx_free(x);
}

static void test_modified_selection(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "f.bin");
    const uint8_t ab[] = {0xaa, 0xbb};

    (void)state;
    make_seq(p, 8192, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);
    assert_int_equal(doc_put(x->d, 0x21, ab, 2), 0);
    x->v.cursor = 0x100;
    fx_render(x, 24, 80);
    assert_string_equal(fx_row(x, 3),
                        "00000020 C 20 aa bb 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  "
                        " ..#$%&'()*+,-./");
    for (int j = 1; j <= 2; j++) {
        assert_int_equal(cls_at(x, 3, hexc(8, j)), MMH_CC_MODIFIED);
        assert_int_equal(cls_at(x, 3, hexc(8, j) + 1), MMH_CC_MODIFIED);
        assert_int_equal(cls_at(x, 3, textc(8, 16, j)), MMH_CC_MODIFIED);
    }
    assert_int_equal(cls_at(x, 3, hexc(8, 0)), MMH_CC_HEX);
    assert_int_equal(cls_at(x, 3, hexc(8, 3)), MMH_CC_HEX);
    assert_int_equal(cls_at(x, 3, 9), MMH_CC_GLYPH_HOT);
    /* Glyph C is per page: every row of page 0 carries it. */
    assert_int_equal(ch_at(x, 1, 9), 'C');
    assert_int_equal(ch_at(x, 20, 9), 'C');

    /* The selection, anchor to cursor inclusive; the cursor wins. */
    x->v.sel_on = true;
    x->v.sel_anchor = 0x40;
    x->v.cursor = 0x45;
    fx_render(x, 24, 80);
    for (int j = 0; j < 16; j++) {
        int want = j < 5 ? MMH_CC_SELECTED : j == 5 ? MMH_CC_CURSOR : MMH_CC_HEX;
        assert_int_equal(cls_at(x, 5, hexc(8, j)), want);
        want = j < 5 ? MMH_CC_SELECTED : j == 5 ? MMH_CC_CURSOR2 : MMH_CC_TEXT;
        assert_int_equal(cls_at(x, 5, textc(8, 16, j)), want);
    }
    /* Backwards selections too, and a selection over edits. */
    x->v.sel_anchor = 0x23;
    x->v.cursor = 0x1f;
    fx_render(x, 24, 80);
    assert_int_equal(cls_at(x, 2, hexc(8, 15)), MMH_CC_CURSOR);
    for (int j = 0; j <= 3; j++)
        assert_int_equal(cls_at(x, 3, hexc(8, j)), MMH_CC_SELECTED);
    assert_int_equal(cls_at(x, 3, hexc(8, 4)), MMH_CC_HEX);
    x->v.sel_on = false;
    fx_render(x, 24, 80);
    assert_int_equal(cls_at(x, 3, hexc(8, 1)), MMH_CC_MODIFIED);
    assert_int_equal(cls_at(x, 3, hexc(8, 0)), MMH_CC_HEX);
    /* Undone, the bytes are no change any more: not marked modified (a
     * write would not send them either). */
    doc_snapshot(x->d);
    assert_int_equal(doc_undo(x->d, NULL), 0);
    fx_render(x, 24, 80);
    assert_int_equal(cls_at(x, 3, hexc(8, 1)), MMH_CC_HEX);
    assert_int_equal(cls_at(x, 3, textc(8, 16, 2)), MMH_CC_TEXT);
    fx_free(x);
}

/* ---- glyphs --------------------------------------------------------------- */

/* Is the first page of path in the page cache, asked through a mapping of
 * our own? -1 when it cannot be told. */
static int cached_first_page(const char *path)
{
    int fd = open(path, O_RDONLY), r = -1;
    unsigned char vec[1];
    void *a;

    if (fd < 0)
        return -1;
    a = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    if (a != MAP_FAILED) {
        if (mincore(a, 4096, vec) == 0)
            r = vec[0] & 1;
        munmap(a, 4096);
    }
    close(fd);
    return r;
}

static void test_glyphs(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "g.bin");
    int fd;

    (void)state;
    make_seq(p, 3 * 4096, 0);
    fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
    if (cached_first_page(p) == 0) {
        /* Not resident, and the render samples before it reads: '.'. */
        fx_open(x, "g.bin", MMH_MODE_COPY);
        fx_render(x, 24, 80);
        assert_int_equal(ch_at(x, 1, 9), '.');
        assert_int_equal(cls_at(x, 1, 9), MMH_CC_GLYPH_OUT);
        assert_int_equal(x->f.resident, 0);
        assert_contains(fx_row(x, 21), "res 0/1");
        /* The read brought it in. */
        fx_render(x, 24, 80);
        assert_int_equal(ch_at(x, 1, 9), 'R');
        assert_int_equal(x->f.resident, 1);
        assert_contains(fx_row(x, 21), "res 1/1");
    } else {
        print_message("# the kernel kept the page cached: '.' not checked\n");
        fx_open(x, "g.bin", MMH_MODE_COPY);
    }
    free(p);

    /* Locked: L until unlocked. */
    assert_int_equal(map_lock(doc_map(x->d), 0, 4096), 0);
    fx_render(x, 24, 80);
    assert_int_equal(ch_at(x, 1, 9), 'L');
    assert_int_equal(cls_at(x, 1, 9), MMH_CC_GLYPH_HOT);
    assert_int_equal(map_unlock(doc_map(x->d), 0, 4096), 0);
    fx_render(x, 24, 80);
    assert_int_equal(ch_at(x, 1, 9), 'R');
    assert_int_equal(cls_at(x, 1, 9), MMH_CC_GLYPH);

    /* A copy-mode edit on a page: C on its rows only. */
    x->v.cursor = 4096;
    view_follow(&x->v, doc_size(x->d));
    fx_render(x, 24, 80);
    assert_int_equal(x->v.top, 4096 - 19 * 16);
    fx_render(x, 24, 80); /* page 1 was read by the frame before */
    assert_int_equal(ch_at(x, 20, 9), 'R');
    const uint8_t b = 0x5a;
    assert_int_equal(doc_put(x->d, 4097, &b, 1), 0);
    fx_render(x, 24, 80);
    assert_int_equal(ch_at(x, 19, 9), 'R'); /* page 0 */
    assert_int_equal(ch_at(x, 20, 9), 'C'); /* page 1 */
    assert_int_equal(cls_at(x, 20, hexc(8, 1)), MMH_CC_MODIFIED);
    assert_int_equal(x->f.pages, 2);
    fx_free(x);
}

/* Shared mode: an edit dirties the page cache page (D) until flushed. */
static void test_glyph_dirty(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "s.bin");
    const uint8_t b = 0x77;

    (void)state;
    make_seq(p, 4096, 0);
    free(p);
    fx_open(x, "s.bin", MMH_MODE_SHARED);
    if (!resid_has_cachestat(doc_resid(x->d)) || !resid_known(doc_resid(x->d))) {
        fx_free(x);
        skip(); /* dirty state needs cachestat */
    }
    fx_render(x, 24, 80);
    assert_int_equal(ch_at(x, 1, 9), 'R');
    assert_contains(fx_row(x, 21), "dirty 0 wb 0");
    assert_int_equal(doc_put(x->d, 3, &b, 1), 0);
    fx_render(x, 24, 80);
    assert_int_equal(ch_at(x, 1, 9), 'D');
    assert_int_equal(x->f.dirty, 1);
    assert_contains(fx_row(x, 21), "dirty 1 wb 0");
    assert_int_equal(doc_write(x->d, NULL), 0);
    fx_render(x, 24, 80);
    assert_int_equal(ch_at(x, 1, 9), 'R');
    assert_int_equal(x->f.dirty, 0);
    fx_free(x);
}

/* ---- hit-testing ---------------------------------------------------------- */

static void check_hits(Fx *x, int rows, int cols, uint64_t size)
{
    int offw = view_offset_width(size), bpr, nrows, hits = 0, bytes;
    uint64_t off;
    MmhPane pane;

    fx_render(x, rows, cols);
    bpr = x->v.bpr;
    nrows = view_data_rows(&x->v);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols + 2; c++) {
            int want = -1;
            uint64_t woff = 0;
            MmhPane wpane = MMH_PANE_HEX;
            if (r >= 1 && r <= nrows) {
                uint64_t row = x->v.top + (uint64_t)(r - 1) * (uint64_t)bpr;
                for (int j = 0; j < bpr; j++) {
                    int h = hexc(offw, j);
                    if (c >= h && c <= h + 2)
                        want = 0, woff = row + (uint64_t)j, wpane = MMH_PANE_HEX;
                    if (c == textc(offw, bpr, j))
                        want = 0, woff = row + (uint64_t)j, wpane = MMH_PANE_TEXT;
                }
                if (c >= cols || (want == 0 && woff >= size))
                    want = -1;
            }
            off = UINT64_MAX;
            int rc = view_hit(&x->v, size, r, c, &off, &pane);
            if (rc != want)
                fail_msg("%dx%d cell %d,%d: %d, want %d", cols, rows, r, c, rc, want);
            if (rc == 0) {
                assert_int_equal(off, woff);
                assert_int_equal(pane, wpane);
                hits++;
            }
        }
    }
    bytes = 0;
    for (int r = 0; r < nrows; r++)
        for (int j = 0; j < bpr; j++)
            if (x->v.top + (uint64_t)r * (uint64_t)bpr + (uint64_t)j < size &&
                textc(offw, bpr, j) < cols)
                bytes++;
    assert_true(hits >= bytes); /* every byte at least once (text), 4 cells when all fit */
}

static void test_hit(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "f.bin");
    uint64_t off;
    MmhPane pane;

    (void)state;
    make_seq(p, 1000, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);
    check_hits(x, 24, 80, 1000);
    check_hits(x, 24, 40, 1000);
    check_hits(x, 30, 120, 1000);
    x->v.cursor = 999; /* a partial last row */
    check_hits(x, 24, 80, 1000);
    x->v.bpr_fixed = 20; /* groups of 8 and a tail of 4 */
    check_hits(x, 24, 120, 1000);
    x->v.bpr_fixed = 0;
    check_hits(x, 3, 10, 1000); /* too small: nothing hits */

    /* Round trip through the renderer: the terminal cursor of each byte
     * hits that byte, in either pane. */
    for (int pn = 0; pn < 2; pn++) {
        x->v.pane = pn ? MMH_PANE_TEXT : MMH_PANE_HEX;
        x->v.cursor = 0;
        x->v.top = 0;
        for (uint64_t o = 0; o < 320; o++) {
            x->v.cursor = o;
            fx_render(x, 24, 80);
            assert_int_equal(x->v.top, 0);
            assert_int_equal(view_hit(&x->v, 1000, x->g.cur_row, x->g.cur_col, &off, &pane), 0);
            assert_int_equal(off, o);
            assert_int_equal(pane, x->v.pane);
            assert_int_equal(cls_at(x, x->g.cur_row, x->g.cur_col), MMH_CC_CURSOR);
        }
    }
    fx_free(x);
}

/* ---- scrolling ------------------------------------------------------------ */

static void test_follow(void **state)
{
    View v;

    (void)state;
    memset(&v, 0, sizeof v);
    view_layout(&v, 24, 80, 4096); /* 20 rows of 16 */
    assert_int_equal(v.top, 0);
    v.cursor = 319; /* the last byte on screen */
    view_follow(&v, 4096);
    assert_int_equal(v.top, 0);
    v.cursor += 16; /* one row below: scroll by one row */
    view_follow(&v, 4096);
    assert_int_equal(v.top, 16);
    v.cursor = 3000; /* a far jump lands on the bottom row (minimal, no centring) */
    view_follow(&v, 4096);
    assert_int_equal(v.top, 2992 - 19 * 16);
    v.cursor = 100; /* far up: on the top row */
    view_follow(&v, 4096);
    assert_int_equal(v.top, 96);
    v.cursor = 4095;
    view_follow(&v, 4096);
    assert_int_equal(v.top, 4080 - 19 * 16);
    /* Never past EOF, and never with the cursor off screen. */
    v.top = 8000;
    view_follow(&v, 4096);
    assert_true(v.top <= 4080);
    assert_true(v.cursor >= v.top && v.cursor < v.top + 20 * 16);
    v.top = 4080;    /* blank rows below the end while rows above are hidden: */
    v.cursor = 4090; /* the view is pulled up to a full last screen */
    view_follow(&v, 4096);
    assert_int_equal(v.top, 4080 - 19 * 16);
    v.top = 17; /* a misaligned top is re-aligned */
    v.cursor = 20;
    view_follow(&v, 4096);
    assert_int_equal(v.top, 16);
    /* A cursor past the end comes back to the last byte. */
    v.cursor = 5000;
    view_follow(&v, 4096);
    assert_int_equal(v.cursor, 4095);
    /* The file shrank: top and cursor follow it. */
    v.top = 4000;
    v.cursor = 4000;
    view_follow(&v, 100);
    assert_int_equal(v.cursor, 99);
    assert_int_equal(v.top, 0); /* all 7 rows fit: no blank screen */
    /* Empty. */
    v.top = 48;
    v.cursor = 5;
    view_follow(&v, 0);
    assert_int_equal(v.top, 0);
    assert_int_equal(v.cursor, 0);

    /* A layout change keeps the cursor on the same screen row. */
    memset(&v, 0, sizeof v);
    view_layout(&v, 24, 80, 4096);
    v.cursor = 1000;
    view_follow(&v, 4096);
    v.top = 992 - 5 * 16; /* the cursor on screen row 5 */
    assert_int_equal((v.cursor - v.top) / 16, 5);
    view_layout(&v, 24, 40, 4096);
    assert_int_equal(v.bpr, 4);
    assert_int_equal(v.top % 4, 0);
    assert_int_equal((v.cursor - v.top) / 4, 5);
    view_layout(&v, 30, 120, 4096);
    assert_int_equal(v.bpr, 24);
    assert_int_equal(v.top % 24, 0);
    assert_int_equal((v.cursor - v.top) / 24, 5);
    view_layout(&v, 8, 80, 4096); /* 4 rows: the cursor's row 5 becomes the last */
    assert_int_equal(v.top % 16, 0);
    assert_int_equal((v.cursor - v.top) / 16, 3);
    /* Near the start the screen row cannot be kept: top stays at 0. */
    v.cursor = 20;
    v.top = 0;
    view_layout(&v, 24, 80, 4096);
    assert_int_equal(v.top, 0);
}

/* ---- small terminals ------------------------------------------------------ */

static void test_tiny(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "f.bin");
    char want[128];
    static const int sizes[][2] = {{0, 0},  {1, 1},  {3, 2},   {3, 10}, {1, 80}, {24, 1},
                                   {4, 80}, {5, 15}, {2, 200}, {6, 16}, {5, 20}};

    (void)state;
    make_seq(p, 256, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);
    x->v.cursor = 200;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        fx_render(x, sizes[i][0], sizes[i][1]);
        for (int r = 0; r < sizes[i][0]; r++)
            assert_true(strlen(fx_row(x, r)) <= (size_t)sizes[i][1]);
        assert_true(x->v.top <= 255);
    }
    /* 1x1: what fits of the message. */
    fx_render(x, 1, 1);
    assert_int_equal(view_data_rows(&x->v), 0);
    assert_string_equal(fx_row(x, 0), "t");
    assert_int_equal(x->g.cur_row, -1);
    /* 10x3: the message wraps over the rows it has. */
    fx_render(x, 3, 10);
    assert_int_equal(view_data_rows(&x->v), 0);
    assert_string_equal(fx_row(x, 0), "terminal");
    assert_string_equal(fx_row(x, 1), "too small:");
    assert_string_equal(fx_row(x, 2), "need at");
    /* 80x4: one row short; the message fits whole. */
    fx_render(x, 4, 80);
    assert_int_equal(view_data_rows(&x->v), 0);
    assert_string_equal(fx_row(x, 0), "terminal too small: need at least 16x5");
    for (int r = 1; r < 4; r++)
        assert_string_equal(fx_row(x, r), "");
    /* 15x24: one column short. */
    fx_render(x, 24, 15);
    assert_int_equal(view_data_rows(&x->v), 0);
    assert_string_equal(fx_row(x, 0), "terminal too");
    /* 16x5 and 20x5: the smallest frames that work, one data row. */
    fx_render(x, 5, 16);
    assert_int_equal(view_data_rows(&x->v), 1);
    assert_int_equal(x->v.bpr, 1);
    assert_string_equal(fx_row(x, 1), "000000c8 R c8  .");
    fx_render(x, 5, 20);
    assert_int_equal(view_data_rows(&x->v), 1);
    assert_int_equal(x->v.bpr, 2);
    assert_string_equal(fx_row(x, 1), "000000c8 R c8 c9  ..");
    assert_int_equal(x->g.cur_row, 1);
    /* Growing back renders normally: the whole 256-byte file fits again, so
     * the view starts at 0 and the cursor's row (192) is the 13th. */
    fx_render(x, 24, 80);
    assert_int_equal(x->v.bpr, 16);
    assert_int_equal(x->v.top, 0);
    expect_row(want, 8, 192, 'R', 16, 256, seq_byte);
    assert_string_equal(fx_row(x, 13), want);
    assert_int_equal(x->g.cur_row, 13);
    assert_string_equal(fx_row(x, 17), "");
    fx_free(x);

    /* A 16 TiB file needs 19 columns. */
    x = fx_new();
    p = tu_path(x->dir, "huge.bin");
    uint64_t size = tu_make_huge(p);
    free(p);
    if (size) {
        fx_open(x, "huge.bin", MMH_MODE_READONLY);
        fx_render(x, 24, 18);
        assert_int_equal(view_data_rows(&x->v), 0);
        fx_render(x, 4, 80);
        assert_string_equal(fx_row(x, 0), "terminal too small: need at least 19x5");
        fx_render(x, 24, 19);
        assert_int_equal(view_data_rows(&x->v), 20);
        assert_int_equal(x->v.bpr, 1);
    }
    fx_free(x);
}

/* ---- the message row ------------------------------------------------------ */

static void test_message_prompt(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "f.bin");
    char longmsg[201], longin[101];

    (void)state;
    make_seq(p, 256, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);

    x->in.message = "wrote 2 bytes";
    fx_render(x, 24, 80);
    assert_string_equal(fx_row(x, 23), "wrote 2 bytes");
    assert_int_equal(cls_at(x, 23, 0), MMH_CC_MESSAGE);
    assert_int_equal(x->g.cur_row, 1); /* the terminal cursor stays on the data */

    x->in.message = "file truncated to 0 bytes by another process";
    x->in.message_error = true;
    fx_render(x, 24, 80);
    assert_string_equal(fx_row(x, 23), "file truncated to 0 bytes by another process");
    assert_int_equal(cls_at(x, 23, 0), MMH_CC_ERROR);
    assert_int_equal(cls_at(x, 23, 43), MMH_CC_ERROR);

    memset(longmsg, 'm', 200);
    longmsg[200] = '\0';
    x->in.message = longmsg;
    fx_render(x, 24, 80);
    assert_int_equal(strlen(fx_row(x, 23)), 80);
    assert_int_equal(ch_at(x, 23, 78), 'm');
    assert_int_equal(ch_at(x, 23, 79), '>');
    x->in.message = "a\tb\nc";
    fx_render(x, 24, 80);
    assert_string_equal(fx_row(x, 23), "a?b?c"); /* no control characters reach the terminal */

    /* A prompt (prompt.c, drawn over the message row) takes the terminal
     * cursor. */
    const char *input = "0x1f00";
    size_t cur = 6;
#define PROMPT_RENDER()                                                                            \
    do {                                                                                           \
        fx_render(x, 24, 80);                                                                      \
        grid_fill_row(&x->g, 23, MMH_CC_NORMAL);                                                   \
        prompt_draw(&x->g, 23, "goto: ", input ? input : "", cur);                                 \
    } while (0)
    PROMPT_RENDER();
    assert_string_equal(fx_row(x, 23), "goto: 0x1f00");
    assert_int_equal(cls_at(x, 23, 0), MMH_CC_PROMPT);
    assert_int_equal(cls_at(x, 23, 11), MMH_CC_PROMPT);
    assert_int_equal(x->g.cur_row, 23);
    assert_int_equal(x->g.cur_col, 12);
    cur = 2;
    PROMPT_RENDER();
    assert_int_equal(x->g.cur_col, 8);

    /* Input longer than the row scrolls so the cursor stays visible. */
    for (int i = 0; i < 100; i++)
        longin[i] = (char)('a' + i % 26);
    longin[100] = '\0';
    input = longin;
    cur = 100;
    PROMPT_RENDER();
    assert_int_equal(x->g.cur_row, 23);
    assert_int_equal(x->g.cur_col, 79);
    assert_int_equal(ch_at(x, 23, 6), '<');
    assert_int_equal(ch_at(x, 23, 78), 'v'); /* longin[99] */
    cur = 0;
    PROMPT_RENDER();
    assert_int_equal(x->g.cur_col, 6);
    assert_int_equal(ch_at(x, 23, 6), 'a');
    assert_int_equal(ch_at(x, 23, 79), '>');
    input = NULL;
    PROMPT_RENDER();
    assert_string_equal(fx_row(x, 23), "goto:");
    assert_int_equal(x->g.cur_col, 6);
#undef PROMPT_RENDER
    fx_free(x);
}

/* ---- the status rows ------------------------------------------------------ */

static void test_status(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "f.bin");
    const char *s;

    (void)state;
    make_seq(p, 256, 0);
    free(p);
    fx_open(x, "f.bin", MMH_MODE_COPY);
    x->in.file_known = true;
    x->in.file.pages = 4096;
    x->in.file.cached = 2048;
    x->in.last_majflt = 3;
    x->in.last_minflt = 41;
    x->in.last_ns = 41000;
    x->in.edited_pages = 2;
    fx_render(x, 30, 120);
    s = fx_row(x, 27);
    assert_prefix(s, "0x00000000/0x100 0.0%  res 1/1");
    if (resid_has_cachestat(doc_resid(x->d)))
        assert_contains(s, "dirty 0 wb 0");
    assert_contains(s, "  cached 8.0M 50.0%");
    assert_string_equal(fx_row(x, 28),
                        "lock 0 B/8.0 MiB  adv normal  edited 2 pg  frame maj 3 min 41 41us");

    x->in.file_known = false;
    x->in.unknown_why = "no write permission";
    x->in.locked = 4096;
    x->in.lock_unlimited = true;
    x->in.last_ns = 12345678;
    x->in.advice = "random";
    fx_render(x, 30, 120);
    assert_contains(fx_row(x, 27), "  residency n/a: no write permission");
    assert_string_equal(
        fx_row(x, 28),
        "lock 4.0 KiB/unlimited  adv random  edited 2 pg  frame maj 3 min 41 12.3ms");
    x->in.last_ns = 1500000000;
    fx_render(x, 30, 120);
    assert_contains(fx_row(x, 28), "frame maj 3 min 41 1500ms");

    /* A narrow terminal: both rows trimmed to the width. */
    fx_render(x, 24, 40);
    assert_true(strlen(fx_row(x, 21)) <= 40);
    assert_int_equal(ch_at(x, 21, 39), '>');
    assert_true(strlen(fx_row(x, 22)) <= 40);

    /* The frame reports what it measured. */
    fx_render(x, 24, 80);
    assert_int_equal(x->f.pages, 1);
    assert_int_equal(x->f.resident, 1);
    assert_int_equal(x->f.read_rc, 0);
    assert_true(x->f.ns > 0);
    if (resid_has_cachestat(doc_resid(x->d))) {
        assert_int_equal(x->f.dirty, 0);
        assert_int_equal(x->f.writeback, 0);
    } else {
        assert_int_equal(x->f.dirty, -1);
    }
    /* A shared mapping has no copy-mode count. */
    fx_open(x, "f.bin", MMH_MODE_SHARED);
    fx_render(x, 30, 120);
    assert_false(strstr(fx_row(x, 28), "edited"));
    fx_free(x);
}

static void test_empty_file(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "e.bin");

    (void)state;
    make_seq(p, 0, 0);
    free(p);
    fx_open(x, "e.bin", MMH_MODE_COPY);
    x->v.cursor = 7;
    fx_render(x, 24, 80);
    assert_int_equal(x->v.top, 0);
    assert_int_equal(x->v.cursor, 0);
    assert_string_equal(fx_row(x, 1), "(empty file)");
    for (int r = 2; r <= 20; r++)
        assert_string_equal(fx_row(x, r), "");
    assert_prefix(fx_row(x, 21), "0x00000000/0x0 0.0%");
    assert_contains(fx_row(x, 0), "  0 B");
    assert_int_equal(x->f.pages, 0);
    assert_int_equal(x->f.read_rc, 0);
    assert_int_equal(view_hit(&x->v, 0, 1, 11, NULL, NULL), -1);
    fx_free(x);
}

/* A file truncated under the view: the vanished bytes show as "??" (never
 * as data) and -MMH_ETRUNC comes back, no crash. */
static void test_truncated(void **state)
{
    Fx *x = fx_new();
    char *p = tu_path(x->dir, "t.bin");

    (void)state;
    make_seq(p, 3 * 4096, 0);
    fx_open(x, "t.bin", MMH_MODE_SHARED);
    x->v.cursor = 2 * 4096 + 10;
    fx_render(x, 24, 80);
    assert_int_equal(x->f.read_rc, 0);
    assert_true(truncate(p, 4096) == 0);
    fx_render(x, 24, 80);
    assert_int_equal(x->f.read_rc, -MMH_ETRUNC);
    assert_int_equal(x->f.read_off, x->v.top);
    for (int r = 1; r <= 20; r++) {
        char want[128];
        snprintf(want, sizeof want,
                 "%08" PRIx64
                 " ! ?? ?? ?? ?? ?? ?? ?? ??  ?? ?? ?? ?? ?? ?? ?? ??  ????????????????",
                 x->v.top + (uint64_t)(r - 1) * 16);
        assert_string_equal(fx_row(x, r), want);
    }
    /* The caller refreshes and draws again. */
    assert_int_equal(doc_refresh(x->d, NULL), 0);
    fx_render(x, 24, 80);
    assert_int_equal(x->f.read_rc, 0);
    assert_int_equal(x->v.cursor, 4095);
    assert_prefix(fx_row(x, 20), "00000ff0 ");
    free(p);
    fx_free(x);
}

/* On a full tmpfs a hole cannot even be read (the kernel would allocate a
 * page for it). The bytes that can be read still show; the hole's pages
 * show "??" with the '!' glyph, never blanks or zeros, and the first
 * unreadable byte and the cause come back for the message row. */
static void test_unreadable(void **state)
{
    Fx *x = fx_new();
    char *mnt = tu_mount_tmpfs(x->dir, "1m");

    (void)state;
    if (!mnt) {
        print_message("# cannot mount a small tmpfs (%s): skipped\n", strerror(errno));
        fx_free(x);
        skip();
    }
    /* 4 KiB of data, then a hole to 64 KiB; then fill the file system. */
    char *p = tu_path(mnt, "h.bin");
    make_seq(p, 4096, 0);
    assert_int_equal(truncate(p, 65536), 0);
    tu_fill_fs(mnt);

    const MmhMode modes[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
    for (size_t i = 0; i < 2; i++) {
        MapOpts o = {modes[i], NULL};
        if (x->d)
            doc_close(x->d);
        assert_int_equal(doc_open(&x->d, p, &o), 0);
        x->v = (View){.cursor = 4096 + 100};
        fx_render(x, 24, 80); /* the cursor on the last row: top 0xf30 */
        assert_int_equal(x->v.top, 0xf30);
        assert_int_equal(x->f.read_rc, -ENOSPC);
        assert_int_equal(x->f.read_off, 0x1000);
        assert_prefix(fx_row(x, 13), "00000ff0 ");
        assert_contains(fx_row(x, 13), " f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff ");
        for (int r = 14; r <= 20; r++) {
            char want[128];
            snprintf(want, sizeof want,
                     "%08x ! ?? ?? ?? ?? ?? ?? ?? ??  ?? ?? ?? ?? ?? ?? ?? ??  ????????????????",
                     0x1000 + (r - 14) * 16);
            assert_string_equal(fx_row(x, r), want);
        }
        assert_int_equal(cls_at(x, 14, hexc(8, 0)), MMH_CC_ERROR);
        assert_int_equal(cls_at(x, 14, textc(8, 16, 0)), MMH_CC_ERROR);
        assert_int_equal(ch_at(x, 14, 9), '!');
    }
    doc_close(x->d);
    x->d = NULL;
    tu_unmount_all(NULL);
    free(p);
    free(mnt);
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_layout_bpr),
        cmocka_unit_test(test_render_80),
        cmocka_unit_test(test_render_40_120),
        cmocka_unit_test(test_offset_width_huge),
        cmocka_unit_test(test_cursor_classes),
        cmocka_unit_test(test_modified_selection),
        cmocka_unit_test(test_glyphs),
        cmocka_unit_test(test_glyph_dirty),
        cmocka_unit_test(test_hit),
        cmocka_unit_test(test_follow),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_message_prompt),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test_teardown(test_unreadable, tu_unmount_all),
    };
    return cmocka_run_group_tests_name("view", tests, NULL, NULL);
}
