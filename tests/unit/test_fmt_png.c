/*
 * test_fmt_png: the PNG decoder (fmt-png.c) against images a small
 * encoder written in python3 (zlib + struct) makes in the test, with the
 * list of chunks it wrote (offset, length, type, CRC) and what `file` says
 * of the image: IHDR's fields, tEXt's keyword and text, gAMA, cHRM, sRGB,
 * pHYs and tIME, each chunk's CRC checked; an image of 700 chunks reached through runs of 256; and
 * a malformed corpus (cuts, lengths of 0xffffffff, bad CRCs, random flips) that must give malformed
 * nodes, never a hang or a read past the end.
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
#include <zlib.h>

#include "fmt.h"
#include "fmtmangle.h"
#include "fmtutil.h"
#include "testutil.h"

#include <cmocka.h>

/* The encoder: png.py OUT W H COLOUR NIDAT NTEXT EXTRAS writes an image of
 * W x H (8-bit, colour type COLOUR: 2 or 6), its IDAT split into NIDAT
 * chunks, NTEXT tEXt chunks "key<i>"/"value <i>", with EXTRAS 1 gAMA,
 * cHRM, sRGB, pHYs and tIME chunks of known values, and prints each chunk
 * as "offset length type crc". */
static const char encoder[] =
    "import sys, zlib, struct\n"
    "out, w, h, ct, nidat, ntext, extras = sys.argv[1], *map(int, sys.argv[2:8])\n"
    "chunks = []\n"
    "def chunk(t, d): chunks.append((t, d))\n"
    "chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, ct, 0, 0, 0))\n"
    "if extras:\n"
    "    chunk(b'gAMA', struct.pack('>I', 45455))\n"
    "    chunk(b'cHRM', struct.pack('>8I', 31270, 32900, 64000, 33000, 30000, 60000, 15000, "
    "6000))\n"
    "    chunk(b'sRGB', bytes([1]))\n"
    "    chunk(b'pHYs', struct.pack('>IIB', 2835, 3780, 1))\n"
    "    chunk(b'tIME', struct.pack('>HBBBBB', 2024, 2, 29, 13, 45, 7))\n"
    "for i in range(ntext):\n"
    "    chunk(b'tEXt', b'key%d\\0value %d' % (i, i))\n"
    "bpp = 3 if ct == 2 else 4\n"
    "raw = b''.join(b'\\0' + bytes((x * 7 + y * 3 + c) & 255 for x in range(w) for c in "
    "range(bpp)) for y in range(h))\n"
    "z = zlib.compress(raw, 9)\n"
    "step = max(1, -(-len(z) // nidat))\n"
    "for k in range(0, len(z), step):\n"
    "    chunk(b'IDAT', z[k:k + step])\n"
    "chunk(b'IEND', b'')\n"
    "data = bytearray(b'\\x89PNG\\r\\n\\x1a\\n')\n"
    "for t, d in chunks:\n"
    "    crc = zlib.crc32(t + d) & 0xffffffff\n"
    "    print(len(data), len(d), t.decode(), '%08x' % crc)\n"
    "    data += struct.pack('>I', len(d)) + t + d + struct.pack('>I', crc)\n"
    "open(out, 'wb').write(data)\n";

static bool have_python(void)
{
    if (fu_have("python3"))
        return true;
    print_message("skipped: python3 is not installed\n");
    return false;
}

/* Make dir/name with the encoder; its chunk list (malloc'd). */
static char *make_png(const char *dir, const char *name, unsigned w, unsigned h, unsigned ct,
                      unsigned nidat, unsigned ntext, unsigned extras)
{
    char *py = tu_path(dir, "png.py");
    FILE *f = fopen(py, "w");
    assert_non_null(f);
    fputs(encoder, f);
    fclose(f);
    char *list = fu_out("cd '%s' && python3 png.py '%s' %u %u %u %u %u %u", dir, name, w, h, ct,
                        nidat, ntext, extras);
    assert_non_null(list);
    free(py);
    return list;
}

/* Chunk idx (0-based) of the image, through the runs. */
static bool png_chunk(const FmtSrc *src, const FmtNode *root, uint64_t idx, FmtNode *out)
{
    FmtNode run = *root;
    uint64_t lead = 1;
    while (idx >= 256) {
        FmtNode next;
        if (fmt_child(src, &run, lead + 256, &next) < 0 || next.bad)
            return false;
        run = next;
        lead = 0;
        idx -= 256;
    }
    return fmt_child(src, &run, lead + idx, out) == 0 && !out->bad &&
           strncmp(out->name, "chunk ", 6) == 0;
}

/* Every chunk of the list against the tree; how many. */
static unsigned check_chunks(const FmtSrc *src, const FmtNode *root, char *list)
{
    unsigned k = 0;
    for (char *l = strtok(list, "\n"); l; l = strtok(NULL, "\n"), k++) {
        uint64_t off, len;
        char type[8];
        unsigned crc;
        assert_int_equal(sscanf(l, "%" SCNu64 " %" SCNu64 " %7s %x", &off, &len, type, &crc), 4);
        FmtNode c, n;
        assert_true(png_chunk(src, root, k, &c));
        char want[64];
        snprintf(want, sizeof want, "chunk %u %s", k + 1, type);
        assert_string_equal(c.name, want);
        assert_int_equal(c.off, off);
        assert_int_equal(c.len, 12 + len);
        assert_int_equal(fu_num(src, &c, "length"), len);
        assert_int_equal(fu_num(src, &c, "CRC"), crc);
        assert_true(fu_find(src, &c, "CRC", &n));
        assert_string_equal(n.note, "CRC ok");
        snprintf(want, sizeof want, "\"%s\"", type);
        assert_true(fu_find(src, &c, "chunk type", &n));
        assert_string_equal(n.text, want);
    }
    return k;
}

static void test_png_vs_encoder(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    char *dir = tu_mkdtemp();
    char *list = make_png(dir, "a.png", 37, 21, 6, 3, 2, 0);
    char *path = tu_path(dir, "a.png");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "png");
    assert_int_equal(root.len, src.size);
    assert_true(fu_find(&src, &root, "signature", &n));
    assert_string_equal(n.text, "89 50 4e 47 0d 0a 1a 0a");
    unsigned nch = check_chunks(&src, &root, list);
    assert_true(nch >= 1 + 2 + 1 + 1);
    assert_int_equal(root.nkids, 1 + nch); /* the signature and the chunks to IEND */
    assert_int_equal(fu_num(&src, &root, "chunk 1 IHDR/width"), 37);
    assert_int_equal(fu_num(&src, &root, "chunk 1 IHDR/height"), 21);
    assert_int_equal(fu_num(&src, &root, "chunk 1 IHDR/bit depth"), 8);
    assert_int_equal(fu_num(&src, &root, "chunk 1 IHDR/colour type"), 6);
    assert_true(fu_find(&src, &root, "chunk 1 IHDR/colour type", &n));
    assert_string_equal(n.note, "truecolour with alpha (RGBA)");
    assert_int_equal(fu_num(&src, &root, "chunk 1 IHDR/interlace"), 0);
    assert_true(fu_find(&src, &root, "chunk 3 tEXt/keyword", &n));
    assert_string_equal(n.text, "\"key1\"");
    assert_true(fu_find(&src, &root, "chunk 3 tEXt/text", &n));
    assert_string_equal(n.text, "\"value 1\"");
    /* What file(1) says: "PNG image data, 37 x 21, 8-bit/color RGBA". */
    if (fu_have("file")) {
        char *out = fu_out("file -b '%s'", path);
        assert_non_null(out);
        unsigned w, h;
        const char *p = strstr(out, "PNG image data, ");
        assert_non_null(p);
        assert_int_equal(sscanf(p, "PNG image data, %u x %u", &w, &h), 2);
        assert_int_equal(w, fu_num(&src, &root, "chunk 1 IHDR/width"));
        assert_int_equal(h, fu_num(&src, &root, "chunk 1 IHDR/height"));
        assert_non_null(strstr(out, "RGBA"));
        free(out);
    } else {
        print_message("note: file is not installed, its check skipped\n");
    }
    /* The status line: the cursor in IHDR's height, then in IDAT data. */
    FmtNode p[FMT_DEPTH];
    int k = fmt_path(&src, &root, 8 + 8 + 4 + 2, p, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(p[1].name, "chunk 1 IHDR");
    assert_string_equal(p[2].name, "height");
    assert_int_equal(fmt_insp(&p[2]), 5 /* INSP_U32 */);
    FmtNode idat;
    assert_true(png_chunk(&src, &root, 3, &idat));
    k = fmt_path(&src, &root, idat.off + 9, p, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(p[1].name, "chunk 4 IDAT");
    assert_string_equal(p[2].name, "data");
    fu_close(&src);
    free(path);
    free(list);
    tu_rmdir(dir);
}

/* The ancillary chunks of fixed layout, against the values written. */
static void test_png_ancillary(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    char *dir = tu_mkdtemp();
    char *list = make_png(dir, "x.png", 3, 2, 2, 1, 0, 1);
    char *path = tu_path(dir, "x.png");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_int_equal(check_chunks(&src, &root, list), 8);
    assert_int_equal(fu_num(&src, &root, "chunk 2 gAMA/gamma"), 45455);
    assert_true(fu_find(&src, &root, "chunk 2 gAMA/gamma", &n));
    assert_string_equal(n.note, "0.45455");
    static const char *const chrm[] = {"white point x", "white point y", "red x",  "red y",
                                       "green x",       "green y",       "blue x", "blue y"};
    static const unsigned chrm_v[] = {31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000};
    for (int i = 0; i < 8; i++) {
        char p[64];
        snprintf(p, sizeof p, "chunk 3 cHRM/%s", chrm[i]);
        assert_int_equal(fu_num(&src, &root, p), chrm_v[i]);
    }
    assert_int_equal(fu_num(&src, &root, "chunk 4 sRGB/rendering intent"), 1);
    assert_true(fu_find(&src, &root, "chunk 4 sRGB/rendering intent", &n));
    assert_string_equal(n.note, "relative colorimetric");
    assert_int_equal(fu_num(&src, &root, "chunk 5 pHYs/pixels per unit, X axis"), 2835);
    assert_int_equal(fu_num(&src, &root, "chunk 5 pHYs/pixels per unit, Y axis"), 3780);
    assert_true(fu_find(&src, &root, "chunk 5 pHYs/unit specifier", &n));
    assert_string_equal(n.note, "metre");
    assert_int_equal(fu_num(&src, &root, "chunk 6 tIME/year"), 2024);
    assert_int_equal(fu_num(&src, &root, "chunk 6 tIME/month"), 2);
    assert_int_equal(fu_num(&src, &root, "chunk 6 tIME/day"), 29);
    assert_int_equal(fu_num(&src, &root, "chunk 6 tIME/hour"), 13);
    assert_int_equal(fu_num(&src, &root, "chunk 6 tIME/minute"), 45);
    assert_int_equal(fu_num(&src, &root, "chunk 6 tIME/second"), 7);
    fu_close(&src);
    free(path);
    free(list);
    tu_rmdir(dir);
}

static void test_png_700_chunks(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    char *dir = tu_mkdtemp();
    /* 600 tEXt and 98 IDAT chunks: runs of 256. */
    char *list = make_png(dir, "b.png", 64, 64, 2, 98, 600, 0);
    char *path = tu_path(dir, "b.png");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    unsigned total = 0;
    for (const char *l = list; (l = strchr(l, '\n')); l++)
        total++;
    assert_true(total > 700 - 98 && total <= 700);
    assert_int_equal(root.nkids, 1 + 256 + 1);
    assert_true(fu_find(&src, &root, "chunks 257-512", &n));
    char last[64];
    snprintf(last, sizeof last, "chunks 257-512/chunks 513-%u", total);
    assert_true(fu_find(&src, &root, last, &n));
    assert_int_equal(n.nkids, total - 512); /* to IEND: no tail */
    assert_int_equal(check_chunks(&src, &root, list), total);
    FmtNode c, p[FMT_DEPTH];
    assert_true(png_chunk(&src, &root, 599, &c));
    assert_string_equal(c.name, "chunk 600 tEXt");
    assert_true(fu_find(&src, &c, "text", &n));
    assert_string_equal(n.text, "\"value 598\"");
    int k = fmt_path(&src, &root, c.off + 9, p, FMT_DEPTH);
    assert_int_equal(k, 4); /* the runs followed without taking levels */
    assert_string_equal(p[2].name, "chunk 600 tEXt");
    assert_string_equal(p[3].name, "keyword");
    assert_false(png_chunk(&src, &root, total, &c));
    fu_close(&src);
    free(path);
    free(list);
    tu_rmdir(dir);
}

/* ---- the malformed corpus ---- */

static int64_t walk_bytes(const char *path, const uint8_t *b, size_t len)
{
    fu_spit(path, b, len);
    fm_walk_file(path, NULL); /* and as whatever is detected */
    return fm_walk_file(path, &fmt_png);
}

static void test_png_malformed(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    char *dir = tu_mkdtemp();
    char *list = make_png(dir, "a.png", 16, 8, 2, 2, 1, 1);
    char *path = tu_path(dir, "a.png"), *bad = tu_path(dir, "bad.png");
    size_t len;
    uint8_t *orig = fu_slurp(path, &len), *b = malloc(len);
    /* Cuts: the file ends before IEND, malformed. */
    for (size_t cut = 0; cut < len; cut += 9) {
        int64_t nb = walk_bytes(bad, orig, cut);
        if (cut >= 20)
            assert_true(nb >= 1);
    }
    /* IHDR's length 0xffffffff: the first chunk is malformed. */
    memcpy(b, orig, len);
    memset(b + 8, 0xff, 4);
    assert_true(walk_bytes(bad, b, len) >= 1);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, c;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_int_equal(root.nkids, 2);
        assert_int_equal(fmt_child(&src, &root, 1, &c), 0);
        assert_true(c.bad);
        assert_non_null(strstr(c.text, "passes the end"));
        fu_close(&src);
    }
    /* A flipped data byte in IHDR: its CRC says so. */
    memcpy(b, orig, len);
    b[8 + 8 + 3] ^= 1;
    walk_bytes(bad, b, len);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, n;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_true(fu_find(&src, &root, "chunk 1 IHDR/CRC", &n));
        assert_non_null(strstr(n.note, "CRC mismatch"));
        fu_close(&src);
    }
    /* A chunk type that is not letters. */
    memcpy(b, orig, len);
    b[8 + 25 + 4] = '1';
    assert_true(walk_bytes(bad, b, len) >= 1);
    /* 200 random flips (fixed seed) in the chunk headers' region. */
    srand(20261206);
    for (int m = 0; m < 200; m++) {
        memcpy(b, orig, len);
        for (int f = 0; f < 3; f++)
            b[8 + (size_t)rand() % (len - 8)] = (uint8_t)rand();
        walk_bytes(bad, b, len);
    }
    free(b);
    free(orig);
    free(bad);
    free(path);
    free(list);
    tu_rmdir(dir);
}

/* Appends a chunk of type t and len zero bytes (its CRC by zlib) to f. */
static void put_chunk(FILE *f, const char *t, uint32_t len)
{
    uint8_t h[8] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    memcpy(h + 4, t, 4);
    fwrite(h, 1, 8, f);
    uint8_t *z = calloc(1, len ? len : 1);
    fwrite(z, 1, len, f);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)t, 4);
    crc = crc32(crc, z, len);
    uint8_t c[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
    fwrite(c, 1, 4, f);
    free(z);
}

/* CRCs are checked up to 1 MiB of data, and not beyond (bounded work). */
static void test_png_big_chunks(void **state)
{
    (void)state;
    if (!have_python())
        skip();
    char *dir = tu_mkdtemp();
    char *list = make_png(dir, "a.png", 4, 4, 2, 1, 0, 0);
    char *path = tu_path(dir, "a.png"), *big = tu_path(dir, "big.png");
    size_t len;
    uint8_t *orig = fu_slurp(path, &len);
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    fwrite(orig, 1, 8 + 25, f); /* signature and IHDR */
    put_chunk(f, "prIv", 1u << 20);
    put_chunk(f, "prIw", (1u << 20) + 1);
    put_chunk(f, "IEND", 0);
    fclose(f);
    FmtSrc src;
    fu_open(big, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "chunk 2 prIv/CRC", &n));
    assert_string_equal(n.note, "CRC ok");
    assert_true(fu_find(&src, &root, "chunk 3 prIw/CRC", &n));
    assert_string_equal(n.note, "not checked (over 1 MiB)");
    assert_true(fu_find(&src, &root, "chunk 3 prIw", &n));
    assert_string_equal(n.text, "1048577 bytes, ancillary, private");
    assert_true(fu_find(&src, &root, "chunk 4 IEND", &n));
    assert_int_equal(n.off + n.len, src.size);
    fu_close(&src);
    free(orig);
    free(big);
    free(path);
    free(list);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_vs_encoder), cmocka_unit_test(test_png_ancillary),
        cmocka_unit_test(test_png_700_chunks), cmocka_unit_test(test_png_big_chunks),
        cmocka_unit_test(test_png_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
