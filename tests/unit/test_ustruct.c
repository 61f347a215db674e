/*
 * test_ustruct: the user structure language (ustruct.c): every kind of
 * syntax error gives its exact "name:LINE:COL: what"; a definition decodes
 * a file the test writes byte by byte (values, nested structures, arrays
 * sized by fields, @ placement, both byte orders, texts, runs of
 * variable-size elements); docs/examples/bmp.hexs decodes a BMP written by
 * python3, compared with what file(1) says of it; and hostile data (huge
 * counts, offsets past the end, self-placement loops, division by zero,
 * truncations and random byte flips) gives malformed nodes within a bounded
 * walk.
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

#include "fmt.h"
#include "fmtutil.h"
#include "testutil.h"
#include "ustruct.h"

#include <cmocka.h>

/* ---- an in-memory source ---- */

typedef struct Mem {
    const uint8_t *b;
    size_t n;
} Mem;

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    const Mem *m = ctx;
    if (off > m->n || len > m->n - off)
        return -ERANGE;
    memcpy(buf, m->b + off, len);
    return 0;
}

static FmtSrc mem_src(Mem *m, const uint8_t *b, size_t n)
{
    m->b = b;
    m->n = n;
    return (FmtSrc){mem_read, m, n};
}

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static UsDefs *parse_ok(const char *text)
{
    UsDefs *d = NULL;
    char err[256];
    int rc = ustruct_parse("t.hexs", text, &d, err, sizeof err);
    if (rc != 0)
        print_message("unexpected parse error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(d);
    return d;
}

/* ---- parse errors ---- */

typedef struct ErrCase {
    const char *text, *want;
} ErrCase;

static const ErrCase err_cases[] = {
    {"struct a { u32 x }", "t.hexs:1:18: expected ';' after field 'x' before '}'"},
    {"struct a {\n  u33 x;\n}", "t.hexs:2:3: unknown type 'u33'"},
    {"struct a {\n  u8 d[n];\n}", "t.hexs:2:8: unknown field 'n'"},
    {"struct a {\n  u8 d[n + 1];\n  u8 n;\n}", "t.hexs:2:8: field 'n' used before it is defined"},
    {"struct a { u8 x; }\nstruct a { u8 y; }", "t.hexs:2:8: duplicate structure 'a'"},
    {"struct a {\n  u8 x;\n  u16 x;\n}", "t.hexs:3:7: duplicate field 'x'"},
    {"struct a {\n  char m[2] = \"BM;\n}", "t.hexs:2:15: unterminated string"},
    {"struct a { u8 x; }\n  /* never\nclosed", "t.hexs:2:3: unterminated comment"},
    {"struct a { u8 x; u8 "
     "abcdefghijabcdefghijabcdefghijabcdefghijX; }",
     "t.hexs:1:21: name too long (at most 40 characters)"},
    {"struct a {\n  u8 x;\n", "t.hexs:1:10: structure 'a' is not closed with '}'"},
    {"struct node {\n  u32 next;\n  node n;\n}",
     "t.hexs:3:3: 'node' contains itself (place it with @)"},
    {"struct a { u8 d[4 / (2 - 2)]; }", "t.hexs:1:17: division by zero"},
    {"struct a { u8 d[99999999999999999999]; }", "t.hexs:1:17: number too large"},
    {"struct a { u8 x; } $", "t.hexs:1:20: unexpected character '$'"},
    {"struct a { u8be x; }", "t.hexs:1:12: unknown type 'u8be'"},
    {"struct a { u8 s[2]; u8 d[s]; }", "t.hexs:1:26: 's' is not an integer field"},
    {"# nothing\n", "t.hexs:2:1: no structure defined"},
    {"root struct a { u8 x; }\nroot struct b { u8 y; }",
     "t.hexs:2:13: a second root structure ('a' is root)"},
    {"struct a { u32 x = \"ab\"; }", "t.hexs:1:20: 'x' cannot hold text"},
    {"struct a { u8 x; }\nendian middle;",
     "t.hexs:2:8: expected 'little' or 'big' before 'middle'"},
    {"struct u32 { u8 x; }", "t.hexs:1:8: 'u32' is a built-in type"},
    {"struct a { char m[2] = \"\\q\"; }", "t.hexs:1:25: unknown escape \\q"},
    {"struct a { u8 d[(1 + ]; }", "t.hexs:1:22: expected a number, a field or '(' before ']'"},
    {"union a { u8 x; }", "t.hexs:1:1: expected 'struct', 'root' or 'endian' before 'union'"},
    {"struct a { u8 x[3 }", "t.hexs:1:19: expected ']' before '}'"},
    {"struct a { u8 x; } struct b { a y z; }",
     "t.hexs:1:35: expected ';' after field 'y' before 'z'"},
    {"struct a { u8 x = 0x; }", "t.hexs:1:19: bad number"},
};

static void test_parse_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof err_cases / sizeof *err_cases; i++) {
        UsDefs *d = (UsDefs *)1;
        char err[256] = "";
        int rc = ustruct_parse("t.hexs", err_cases[i].text, &d, err, sizeof err);
        if (rc != -EINVAL || strcmp(err, err_cases[i].want) != 0)
            print_message("case %zu: got %d \"%s\", want \"%s\"\n", i, rc, err, err_cases[i].want);
        assert_int_equal(rc, -EINVAL);
        assert_null(d);
        assert_string_equal(err, err_cases[i].want);
    }
}

static void test_parse_limits(void **state)
{
    (void)state;
    /* 257 fields in one structure: the 257th is refused where it is. */
    size_t cap = 300 * 16;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t k = (size_t)snprintf(text, cap, "struct a {\n");
    for (int i = 0; i < 257; i++)
        k += (size_t)snprintf(text + k, cap - k, "u8 f%d;\n", i);
    snprintf(text + k, cap - k, "}\n");
    UsDefs *d;
    char err[256];
    assert_int_equal(ustruct_parse("t.hexs", text, &d, err, sizeof err), -EINVAL);
    assert_string_equal(err, "t.hexs:258:1: too many fields (at most 256)");
    free(text);
    /* A file over 1 MiB. */
    text = malloc(US_FILE + 2);
    assert_non_null(text);
    memset(text, ' ', US_FILE + 1);
    text[US_FILE + 1] = 0;
    assert_int_equal(ustruct_parse("big.hexs", text, &d, err, sizeof err), -EINVAL);
    assert_string_equal(err, "big.hexs:1:1: file too large (at most 1048576 bytes)");
    free(text);
    /* A tiny error buffer is still terminated. */
    char tiny[8];
    assert_int_equal(ustruct_parse("t.hexs", "struct", &d, tiny, sizeof tiny), -EINVAL);
    assert_int_equal(strlen(tiny), 7);
}

/* ---- decoding a file the test writes ---- */

static const char *const myfm = "# a made-up format\n"
                                "endian little;\n"
                                "struct entry {\n"
                                "    u32 offset;\n"
                                "    u16be kind;\n"
                                "    char tag[4];\n"
                                "    cstring label;\n"
                                "}\n"
                                "struct point { i16 x; i16be y; }\n"
                                "root struct file {\n"
                                "    char magic[4] = \"MYFM\";\n"
                                "    u32 count;\n"
                                "    u32 table_off;\n"
                                "    point pts[count];\n"
                                "    u16 flags[count * 2 + 1];\n"
                                "    entry entries[count];\n"
                                "    entry at_table @ table_off;\n"
                                "    u8 trailer[4] @ 0x200;\n"
                                "    guid id @ 0x100;\n"
                                "    utf16 name[4] @ 0x120;\n"
                                "    f32 ratio @ 0x130;\n"
                                "    f64 dbl @ 0x134;\n"
                                "    u64be be64 @ 0x140;\n"
                                "    i8 neg @ 0x148;\n"
                                "    u16 version @ 0x14a = 0x0203;\n"
                                "}\n"
                                "struct other { u8 x; }\n";

#define MYFM_SIZE 0x204

/* The file myfm describes: 3 points, 7 flags, 3 entries, a table. */
static void make_myfm(uint8_t *b)
{
    memset(b, 0, MYFM_SIZE);
    memcpy(b, "MYFM", 4);
    put32(b + 4, 3);
    put32(b + 8, 0x180);
    for (int i = 0; i < 3; i++) { /* points at 12: x LE, y BE */
        int16_t x = (int16_t)(-100 * (i + 1)), y = (int16_t)(1000 + i);
        b[12 + 4 * i] = (uint8_t)((uint16_t)x & 0xff);
        b[13 + 4 * i] = (uint8_t)((uint16_t)x >> 8);
        b[14 + 4 * i] = (uint8_t)((uint16_t)y >> 8);
        b[15 + 4 * i] = (uint8_t)((uint16_t)y & 0xff);
    }
    for (int i = 0; i < 7; i++) { /* flags at 24 */
        b[24 + 2 * i] = (uint8_t)(0x10 + i);
        b[25 + 2 * i] = 0x01;
    }
    const char *labels[3] = {"a", "bb", "ccc"};
    size_t at = 38;
    for (int i = 0; i < 3; i++) { /* entries at 38: 12, 13, 14 bytes */
        put32(b + at, 0x1000u * (unsigned)(i + 1));
        b[at + 4] = 0;
        b[at + 5] = (uint8_t)(i + 1);
        memcpy(b + at + 6, "TAG", 3);
        b[at + 9] = (uint8_t)('0' + i);
        memcpy(b + at + 10, labels[i], strlen(labels[i]) + 1);
        at += 10 + strlen(labels[i]) + 1;
    }
    put32(b + 0x180, 0xdeadbeef); /* at_table */
    b[0x184] = 0x12;
    b[0x185] = 0x34;
    memcpy(b + 0x186, "TAGX", 4);
    memcpy(b + 0x18a, "hello", 6);
    static const uint8_t guid[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                     0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
    memcpy(b + 0x100, guid, 16);
    memcpy(b + 0x120, "H\0i\0!\0\0\0", 8);
    float r = 1.5f;
    memcpy(b + 0x130, &r, 4);
    double dv = -2.25;
    memcpy(b + 0x134, &dv, 8);
    for (int i = 0; i < 8; i++)
        b[0x140 + i] = (uint8_t)(i + 1);
    b[0x148] = (uint8_t)-5;
    b[0x14a] = 0x03;
    b[0x14b] = 0x02;
    memcpy(b + 0x200, "\x01\x02\x03\x04", 4);
}

static void expect_text(const FmtSrc *src, const FmtNode *root, const char *path, const char *want)
{
    FmtNode n;
    if (!fu_find(src, root, path, &n))
        fail_msg("no node %s", path);
    assert_string_equal(n.text, want);
}

static void test_decode(void **state)
{
    (void)state;
    UsDefs *d = parse_ok(myfm);
    assert_string_equal(ustruct_name(d, 0), "entry");
    assert_string_equal(ustruct_name(d, 2), "file");
    assert_string_equal(ustruct_name(d, 3), "other");
    assert_null(ustruct_name(d, 4));
    uint8_t *b = malloc(MYFM_SIZE);
    assert_non_null(b);
    make_myfm(b);
    Mem m;
    FmtSrc src = mem_src(&m, b, MYFM_SIZE);
    FmtNode root;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0); /* the root one */
    assert_string_equal(root.name, "file");
    assert_int_equal(root.off, 0);
    assert_int_equal(root.len, 38 + 12 + 13 + 14); /* to the last sequential field */
    assert_int_equal(root.nkids, 15);
    expect_text(&src, &root, "magic", "\"MYFM\"");
    FmtNode n;
    assert_true(fu_find(&src, &root, "magic", &n));
    assert_string_equal(n.note, "");
    assert_int_equal(fu_num(&src, &root, "count"), 3);
    assert_int_equal(fu_num(&src, &root, "table_off"), 0x180);
    /* Arrays of fixed-size structures and scalars, sized by count. */
    assert_true(fu_find(&src, &root, "pts", &n));
    assert_int_equal(n.nkids, 3);
    assert_int_equal(n.off, 12);
    assert_int_equal(n.len, 12);
    assert_string_equal(n.text, "point[3]");
    expect_text(&src, &root, "pts/pts[0]/x", "-100");
    expect_text(&src, &root, "pts/pts[2]/x", "-300");
    assert_int_equal(fu_num(&src, &root, "pts/pts[2]/y"), 1002);
    assert_true(fu_find(&src, &root, "flags", &n));
    assert_int_equal(n.nkids, 7);
    assert_int_equal(fu_num(&src, &root, "flags/flags[6]"), 0x0116);
    assert_true(fu_find(&src, &root, "flags/flags[6]", &n));
    assert_int_equal(n.off, 24 + 12);
    /* Variable-size elements (a cstring each). */
    assert_true(fu_find(&src, &root, "entries", &n));
    assert_int_equal(n.nkids, 3);
    assert_int_equal(n.off, 38);
    assert_int_equal(n.len, 39);
    expect_text(&src, &root, "entries/entries[2]/label", "\"ccc\"");
    assert_true(fu_find(&src, &root, "entries/entries[2]/label", &n));
    assert_int_equal(n.off, 38 + 12 + 13 + 10);
    assert_int_equal(n.len, 4);
    assert_int_equal(fu_num(&src, &root, "entries/entries[1]/offset"), 0x2000);
    assert_int_equal(fu_num(&src, &root, "entries/entries[1]/kind"), 2);
    expect_text(&src, &root, "entries/entries[1]/tag", "\"TAG1\"");
    /* Placed fields. */
    assert_int_equal(fu_num(&src, &root, "at_table/offset"), 0xdeadbeef);
    assert_int_equal(fu_num(&src, &root, "at_table/kind"), 0x1234);
    expect_text(&src, &root, "at_table/label", "\"hello\"");
    assert_true(fu_find(&src, &root, "at_table", &n));
    assert_int_equal(n.off, 0x180);
    assert_int_equal(n.len, 16);
    expect_text(&src, &root, "trailer", "01 02 03 04");
    expect_text(&src, &root, "id", "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
    expect_text(&src, &root, "name", "\"Hi!\"");
    expect_text(&src, &root, "ratio", "1.5");
    expect_text(&src, &root, "dbl", "-2.25");
    assert_int_equal(fu_num(&src, &root, "be64"), 0x0102030405060708ull);
    expect_text(&src, &root, "neg", "-5");
    assert_true(fu_find(&src, &root, "version", &n));
    assert_string_equal(n.text, "0x0203");
    assert_string_equal(n.note, "");
    assert_true(fu_find(&src, &root, "be64", &n));
    assert_true(n.big);
    assert_int_equal(fmt_insp(&n), 7 /* INSP_U64 */);

    /* The status line: the cursor in entry 1's label, in a flag, in the
     * placed table. */
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, 38 + 12 + 11, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[1].name, "entries");
    assert_string_equal(path[2].name, "entries[1]");
    assert_string_equal(path[3].name, "label");
    k = fmt_path(&src, &root, 24 + 5, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[2].name, "flags[2]");
    /* Outside the root's range, the path is empty. */
    assert_int_equal(fmt_path(&src, &root, 0x184, path, FMT_DEPTH), 0);

    /* Another structure, placed anywhere; errors. */
    assert_int_equal(ustruct_root(d, "entry", &src, 0x180, &root), 0);
    assert_int_equal(root.len, 16);
    assert_int_equal(fu_num(&src, &root, "offset"), 0xdeadbeef);
    k = fmt_path(&src, &root, 0x185, path, FMT_DEPTH);
    assert_int_equal(k, 2);
    assert_string_equal(path[1].name, "kind");
    assert_int_equal(ustruct_root(d, "nope", &src, 0, &root), -ENOENT);
    assert_int_equal(ustruct_root(d, "entry", &src, MYFM_SIZE, &root), -EINVAL);

    /* A wrong magic and version: notes, not errors. */
    b[0] = 'X';
    b[0x14a] = 0x04;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "magic", &n));
    assert_string_equal(n.note, "expected \"MYFM\"");
    assert_false(n.bad);
    assert_true(fu_find(&src, &root, "version", &n));
    assert_string_equal(n.note, "expected 0x203");
    free(b);
    ustruct_free(d);
}

/* No root: the last structure; big-endian by default; runs of 256. */
static void test_runs_and_endian(void **state)
{
    (void)state;
    UsDefs *d = parse_ok("endian big;\n"
                         "struct rec { u8 n; u8 data[n]; }\n"
                         "struct list { u16 count; rec recs[count]; u32le tail; u16 after; }\n");
    /* 600 records of n = i % 5 (sizes 1..5 bytes). */
    size_t cap = 2 + 600 * 5 + 6;
    uint8_t *b = calloc(1, cap);
    assert_non_null(b);
    b[0] = 600 >> 8;
    b[1] = 600 & 0xff;
    size_t at = 2;
    uint64_t rec_off[600];
    for (int i = 0; i < 600; i++) {
        rec_off[i] = at;
        b[at++] = (uint8_t)(i % 5);
        for (int j = 0; j < i % 5; j++)
            b[at++] = (uint8_t)i;
    }
    put32(b + at, 0x11223344);
    b[at + 4] = 0xab;
    b[at + 5] = 0xcd;
    size_t size = at + 6;
    Mem m;
    FmtSrc src = mem_src(&m, b, size);
    FmtNode root, n;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
    assert_string_equal(root.name, "list");
    assert_int_equal(root.len, size);
    assert_int_equal(fu_num(&src, &root, "count"), 600);
    assert_int_equal(fu_num(&src, &root, "tail"), 0x11223344);
    assert_int_equal(fu_num(&src, &root, "after"), 0xabcd);
    assert_true(fu_find(&src, &root, "recs", &n));
    assert_int_equal(n.nkids, 257); /* 256 records and the rest */
    assert_int_equal(n.len, at - 2);
    assert_true(fu_find(&src, &root, "recs/recs[255]", &n));
    assert_int_equal(n.off, rec_off[255]);
    assert_true(fu_find(&src, &root, "recs/recs[256-599]", &n));
    assert_int_equal(n.off, rec_off[256]);
    assert_int_equal(n.nkids, 257);
    assert_true(fu_find(&src, &root, "recs/recs[256-599]/recs[512-599]/recs[599]", &n));
    assert_int_equal(n.off, rec_off[599]);
    assert_int_equal(fu_num(&src, &n, "n"), 4);
    assert_true(fu_find(&src, &n, "data", &n));
    assert_string_equal(n.text, "57 57 57 57");
    /* The cursor in record 303's data. */
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, rec_off[303] + 2, path, FMT_DEPTH);
    assert_int_equal(k, 4); /* the run holding it stands in for recs */
    assert_string_equal(path[1].name, "recs[256-599]");
    assert_string_equal(path[2].name, "recs[303]");
    assert_string_equal(path[3].name, "data");
    free(b);
    ustruct_free(d);
}

/* ---- a BMP, against file(1) ---- */

static void test_bmp_vs_file(void **state)
{
    (void)state;
    if (!fu_have("python3") || !fu_have("file")) {
        print_message("skipped: python3 or file is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *bmp = tu_path(dir, "t.bmp");
    /* A 7 x 5 picture of 8 bits a pixel, a palette of 6 colours. */
    assert_int_equal(
        fu_sh("python3 -c '\n"
              "import struct\n"
              "w, h, bpp = 7, 5, 8\n"
              "stride = (w * bpp + 31) // 32 * 4\n"
              "cols = [(0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 8, 7), (1, 2, 3)]\n"
              "pal = b\"\".join(bytes([b, g, r, 0]) for (r, g, b) in cols)\n"
              "pix = b\"\".join(bytes([(x + y) %% 6 for x in range(w)]) + bytes(stride - w)\n"
              "                for y in range(h))\n"
              "off = 14 + 40 + len(pal)\n"
              "info = struct.pack(\"<IiiHHIIiiII\", 40, w, h, 1, bpp, 0, len(pix), 3780, 2835,\n"
              "                   len(cols), 5)\n"
              "head = b\"BM\" + struct.pack(\"<IHHI\", off + len(pix), 0, 0, off)\n"
              "open(\"%s\", \"wb\").write(head + info + pal + pix)\n"
              "'",
              bmp),
        0);
    char *what = fu_out("file -b '%s'", bmp);
    assert_non_null(what);
    unsigned w, h, bpp, isize, rx, ry, ncol, cb, boff;
    const char *p = strstr(what, "format, ");
    assert_non_null(p);
    assert_int_equal(sscanf(p,
                            "format, %u x %u x %u, image size %u, resolution %u x %u px/m, %u "
                            "important colors, cbSize %u, bits offset %u",
                            &w, &h, &bpp, &isize, &rx, &ry, &ncol, &cb, &boff),
                     9);
    char *defs = NULL;
    FILE *f = fopen(MMH_TOP_SRCDIR "/docs/examples/bmp.hexs", "r");
    assert_non_null(f);
    size_t cap = 1 << 16, len = fread(defs = malloc(cap), 1, cap - 1, f);
    fclose(f);
    defs[len] = 0;
    UsDefs *d = parse_ok(defs);
    FmtSrc src;
    fu_open(bmp, &src);
    FmtNode root, n;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
    assert_string_equal(root.name, "bmp");
    assert_true(fu_find(&src, &root, "bfType", &n));
    assert_string_equal(n.text, "\"BM\"");
    assert_string_equal(n.note, "");
    assert_int_equal(fu_num(&src, &root, "info/biWidth"), w);
    assert_int_equal(fu_num(&src, &root, "info/biHeight"), h);
    assert_int_equal(fu_num(&src, &root, "info/biBitCount"), bpp);
    assert_int_equal(fu_num(&src, &root, "info/biSizeImage"), isize);
    assert_int_equal(fu_num(&src, &root, "info/biXPelsPerMeter"), rx);
    assert_int_equal(fu_num(&src, &root, "info/biYPelsPerMeter"), ry);
    assert_int_equal(fu_num(&src, &root, "info/biClrImportant"), ncol);
    assert_int_equal(fu_num(&src, &root, "bfSize"), cb);
    assert_int_equal(fu_num(&src, &root, "bfOffBits"), boff);
    assert_int_equal(fu_num(&src, &root, "info/biPlanes"), 1);
    /* The palette, placed after the info header, as python wrote it. */
    assert_true(fu_find(&src, &root, "info/palette", &n));
    assert_int_equal(n.nkids, 6);
    assert_int_equal(n.off, 54);
    assert_int_equal(fu_num(&src, &root, "info/palette/palette[1]/rgbRed"), 255);
    assert_int_equal(fu_num(&src, &root, "info/palette/palette[3]/rgbBlue"), 255);
    assert_int_equal(fu_num(&src, &root, "info/palette/palette[4]/rgbGreen"), 8);
    assert_true(fu_find(&src, &root, "pixels", &n));
    assert_int_equal(n.off, boff);
    assert_int_equal(n.len, cb - boff);
    assert_int_equal(root.len, 54); /* headers; palette and pixels placed */
    fu_close(&src);
    ustruct_free(d);
    free(defs);
    free(what);
    free(bmp);
    tu_rmdir(dir);
}

/* ---- hostile data ---- */

static void test_hostile(void **state)
{
    (void)state;
    UsDefs *d = parse_ok("struct pt { u16 x; u16 y; }\n"
                         "struct node { u32 next; u32 val; node nxt @ next; }\n"
                         "struct v { u8 n; u8 d[n]; }\n"
                         "root struct h {\n"
                         "    u32 n;\n"
                         "    u32 words[n];\n"
                         "    pt pts[n] @ 8;\n"
                         "    cstring strs[n] @ 20;\n"
                         "    v vs[n] @ 20;\n"
                         "    u32 far @ 0x100000;\n"
                         "    u32 at_end @ n;\n"
                         "    u8 ratio[100 / (n - n)] @ 4;\n"
                         "    node chain @ 16;\n"
                         "    u8 after;\n"
                         "}\n");
    uint8_t b[64];
    memset(b, 0xff, sizeof b); /* no NULs: strings run to the end */
    put32(b + 16, 0);          /* chain: node at 16 points at itself */
    Mem m;
    FmtSrc src = mem_src(&m, b, sizeof b);
    FmtNode root, n;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
    /* 0xffffffff words: clamped to the 15 that fit, a note saying so. */
    assert_true(fu_find(&src, &root, "words", &n));
    assert_int_equal(n.nkids, 15);
    assert_string_equal(n.note, "count 4294967295, 15 fit in the file");
    assert_false(n.bad);
    assert_true(fu_find(&src, &root, "pts", &n));
    assert_int_equal(n.nkids, 14);
    /* Variable-size elements: runs; past the end they are malformed. */
    assert_true(fu_find(&src, &root, "strs", &n));
    assert_int_equal(n.nkids, 257);
    FmtNode e;
    assert_int_equal(fmt_child(&src, &n, 0, &e), 0);
    assert_int_equal(e.len, 44); /* to the end, no NUL */
    assert_int_equal(fmt_child(&src, &n, 1, &e), 0);
    assert_true(e.bad);
    assert_int_equal(fmt_child(&src, &n, 256, &e), 0);
    assert_true(e.bad);
    assert_true(fu_find(&src, &root, "vs/vs[0]", &n));
    assert_int_equal(n.len, 44);
    /* A field past the end; the @ past the end; division by zero. */
    assert_true(fu_find(&src, &root, "far", &n));
    assert_true(n.bad);
    assert_true(fu_find(&src, &root, "at_end", &n));
    assert_true(n.bad);
    assert_true(fu_find(&src, &root, "ratio", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "division by zero"));
    /* After 16 GiB of words: past the end. */
    assert_true(fu_find(&src, &root, "after", &n));
    assert_true(n.bad);
    /* The self-placed chain: as deep as one asks, one level at a time. */
    assert_true(fu_find(&src, &root, "chain/nxt/nxt/nxt/nxt/nxt/val", &n));
    assert_int_equal(n.off, 20);
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, 21, path, FMT_DEPTH);
    assert_true(k >= 2 && k <= FMT_DEPTH);
    uint64_t bad = 0;
    uint64_t made = fu_walk(&src, &root, 8, 300, 20000, &bad);
    assert_true(made > 100 && made <= 20001);
    assert_true(bad > 0);
    ustruct_free(d);
}

/* Sizing a structure that needs more than the budget: a malformed node,
 * quickly. */
static void test_budget(void **state)
{
    (void)state;
    UsDefs *d = parse_ok("struct v { u8 n; u8 d[n]; }\n"
                         "struct r { u32 n; v items[n]; u8 after; }\n");
    size_t size = 1 << 20;
    uint8_t *b = calloc(1, size); /* a million one-byte items */
    assert_non_null(b);
    put32(b, 1000000);
    Mem m;
    FmtSrc src = mem_src(&m, b, size);
    FmtNode root, n;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
    assert_non_null(strstr(root.note, "size unknown: too much work"));
    assert_true(fu_find(&src, &root, "after", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "too much work"));
    /* The items are still there, 256 at a time. */
    assert_true(fu_find(&src, &root, "items/items[256-999999]/items[300]", &n));
    assert_int_equal(n.off, 4 + 300);
    uint64_t bad;
    assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
    free(b);
    ustruct_free(d);
}

/* Truncations and random byte flips of the MYFM file: every tree comes
 * back, bounded. */
static void test_mutations(void **state)
{
    (void)state;
    UsDefs *d = parse_ok(myfm);
    uint8_t *good = malloc(MYFM_SIZE), *b = malloc(MYFM_SIZE);
    assert_non_null(good);
    assert_non_null(b);
    make_myfm(good);
    static const size_t cuts[] = {1, 4, 9, 13, 30, 40, 60, 0x101, 0x185, 0x190, 0x202};
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
        Mem m;
        FmtSrc src = mem_src(&m, good, cuts[c]);
        FmtNode root;
        assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
        uint64_t bad = 0;
        assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
        if (cuts[c] < 0x200)
            assert_true(bad > 0); /* the trailer at least */
    }
    unsigned seed = 12345;
    for (int i = 0; i < 200; i++) {
        memcpy(b, good, MYFM_SIZE);
        for (int j = 0; j < 4; j++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % 80;
            if (j == 3)
                at = 4 + (seed >> 8) % 8; /* count or table_off */
            b[at] = (uint8_t)(seed >> 20);
        }
        Mem m;
        FmtSrc src = mem_src(&m, b, MYFM_SIZE);
        FmtNode root;
        assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
        uint64_t bad;
        assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
        FmtNode path[FMT_DEPTH];
        fmt_path(&src, &root, (seed >> 4) % MYFM_SIZE, path, FMT_DEPTH);
    }
    /* count = 0xffffffff and table_off past the end. */
    memcpy(b, good, MYFM_SIZE);
    put32(b + 4, 0xffffffff);
    put32(b + 8, 0x7fffffff);
    Mem m;
    FmtSrc src = mem_src(&m, b, MYFM_SIZE);
    FmtNode root, n;
    assert_int_equal(ustruct_root(d, NULL, &src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "at_table", &n));
    assert_true(n.bad);
    assert_true(fu_find(&src, &root, "pts", &n));
    assert_int_equal(n.nkids, (MYFM_SIZE - 12) / 4);
    uint64_t bad;
    assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
    assert_true(bad > 0);
    free(good);
    free(b);
    ustruct_free(d);
}

/* The fuzz seeds parse (they are meant as good starting points). */
static void test_fuzz_seeds(void **state)
{
    (void)state;
    char *list = fu_out("ls '%s'/tests/fuzz/corpus/fuzz_ustruct/*.txt", MMH_TOP_SRCDIR);
    assert_non_null(list);
    int seen = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        FILE *f = fopen(line, "r");
        assert_non_null(f);
        char text[8192];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = 0;
        UsDefs *d = parse_ok(text);
        ustruct_free(d);
        seen++;
    }
    assert_true(seen >= 5);
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_decode),       cmocka_unit_test(test_runs_and_endian),
        cmocka_unit_test(test_bmp_vs_file),  cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_budget),       cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_fuzz_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
