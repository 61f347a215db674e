/*
 * test_fmt_gzip: the gzip decoder (fmt-gzip.c) against files gzip makes in
 * the test and what `gzip -lv` / `gzip -lvN` say of them (CRC, sizes, the
 * stored name), the original file's size, mtime and zlib crc32; a member
 * with every optional part (FEXTRA, FNAME, FCOMMENT, FHCRC) built here with
 * zlib and accepted by `gzip -t`; and a malformed corpus (cuts, names
 * without their NUL, random flips) that must give malformed nodes, never a
 * hang or a read past the end.
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
#include <zlib.h>

#include "fmt.h"
#include "fmtmangle.h"
#include "fmtutil.h"
#include "testutil.h"

#include <cmocka.h>

static bool have_gzip(void)
{
    if (fu_have("gzip"))
        return true;
    print_message("skipped: gzip (package gzip) is not installed\n");
    return false;
}

/* gzip -lv's line for path: crc, compressed, uncompressed, name. */
static void gzip_list(const char *path, bool stored_name, uint32_t *crc, uint64_t *csize,
                      uint64_t *usize, char *name, size_t n)
{
    char *out = fu_out("gzip -lv%s '%s' 2>/dev/null", stored_name ? "N" : "", path);
    assert_non_null(out);
    char *l = strchr(out, '\n');
    assert_non_null(l);
    char method[16], mon[8], hm[8], ratio[16], nm[512];
    unsigned day;
    assert_int_equal(sscanf(l + 1, "%15s %x %7s %u %7s %" SCNu64 " %" SCNu64 " %15s %511s", method,
                            crc, mon, &day, hm, csize, usize, ratio, nm),
                     9);
    const char *base = strrchr(nm, '/') ? strrchr(nm, '/') + 1 : nm;
    assert_true(strlen(base) < n);
    memcpy(name, base, strlen(base) + 1);
    free(out);
}

static void test_gzip_vs_gzip_l(void **state)
{
    (void)state;
    if (!have_gzip())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(
        fu_sh("cd '%s' && seq 1 5000 >hello.txt && touch -d @1700000000 hello.txt && "
              "gzip -9 -k hello.txt && mv hello.txt.gz renamed.gz && gzip -n -c hello.txt >n.gz",
              dir),
        0);
    char *orig = tu_path(dir, "hello.txt"), *gz = tu_path(dir, "renamed.gz");
    size_t olen;
    uint8_t *ob = fu_slurp(orig, &olen);
    uint32_t ocrc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), ob, (uInt)olen);

    FmtSrc src;
    fu_open(gz, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "gzip");
    uint32_t crc;
    uint64_t csize, usize;
    char name[256];
    gzip_list(gz, true, &crc, &csize, &usize, name, sizeof name);
    assert_string_equal(name, "hello.txt"); /* gzip -N: the stored name */
    assert_int_equal(fu_num(&src, &root, "CRC32"), crc);
    assert_int_equal(fu_num(&src, &root, "CRC32"), ocrc);
    assert_int_equal(fu_num(&src, &root, "ISIZE"), usize);
    assert_int_equal(fu_num(&src, &root, "ISIZE"), olen);
    assert_int_equal(src.size, csize);
    assert_true(fu_find(&src, &root, "FNAME", &n));
    assert_string_equal(n.text, "\"hello.txt\"");
    assert_int_equal(n.len, 10);
    assert_int_equal(fu_num(&src, &root, "MTIME"), 1700000000);
    assert_true(fu_find(&src, &root, "MTIME", &n));
    assert_string_equal(n.note, "2023-11-14 22:13:20 UTC");
    assert_int_equal(fu_num(&src, &root, "ID1"), 0x1f);
    assert_int_equal(fu_num(&src, &root, "ID2"), 0x8b);
    assert_int_equal(fu_num(&src, &root, "CM"), 8);
    assert_int_equal(fu_num(&src, &root, "XFL"), 2);
    assert_true(fu_find(&src, &root, "XFL", &n));
    assert_string_equal(n.note, "maximum compression");
    assert_true(fu_find(&src, &root, "FLG", &n));
    assert_string_equal(n.note, "FNAME");
    assert_true(fu_find(&src, &root, "OS", &n));
    assert_string_equal(n.note, "Unix");
    /* The compressed data: from after the name to the trailer; zlib
     * inflates it (raw deflate) back to the original. */
    FmtNode d;
    assert_true(fu_find(&src, &root, "compressed data", &d));
    assert_int_equal(d.off, 10 + 10);
    assert_int_equal(d.off + d.len, src.size - 8);
    uint8_t *cb = malloc(d.len), *ub = malloc(olen + 16);
    tu_pread(gz, d.off, cb, d.len);
    z_stream zs = {0};
    assert_int_equal(inflateInit2(&zs, -15), Z_OK);
    zs.next_in = cb;
    zs.avail_in = (uInt)d.len;
    zs.next_out = ub;
    zs.avail_out = (uInt)olen + 16;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, olen);
    assert_int_equal(zs.avail_in, 0);
    assert_memory_equal(ub, ob, olen);
    inflateEnd(&zs);
    free(cb);
    free(ub);
    /* The status line in the trailer. */
    FmtNode path[FMT_DEPTH];
    assert_int_equal(fmt_path(&src, &root, src.size - 2, path, FMT_DEPTH), 2);
    assert_string_equal(path[1].name, "ISIZE");
    assert_int_equal(fmt_insp(&path[1]), 5 /* INSP_U32 */);
    fu_close(&src);

    /* gzip -n: no name, no time. */
    char *ngz = tu_path(dir, "n.gz");
    fu_open(ngz, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_false(fu_find(&src, &root, "FNAME", &n));
    assert_int_equal(fu_num(&src, &root, "MTIME"), 0);
    gzip_list(ngz, false, &crc, &csize, &usize, name, sizeof name);
    assert_int_equal(fu_num(&src, &root, "CRC32"), crc);
    assert_int_equal(fu_num(&src, &root, "ISIZE"), usize);
    assert_true(fu_find(&src, &root, "compressed data", &d));
    assert_int_equal(d.off, 10);
    fu_close(&src);
    free(ngz);
    free(ob);
    free(orig);
    free(gz);
    tu_rmdir(dir);
}

/* A member with FEXTRA, FNAME, FCOMMENT and FHCRC around data, built with
 * zlib: its length. */
static size_t build_full(uint8_t *b, size_t cap, uint8_t *data, size_t dlen)
{
    size_t k = 0;
    const uint8_t head[10] = {0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0x00, 0xf1, 0x53, 0x65, 0, 3};
    memcpy(b, head, 10);
    k = 10;
    b[k++] = 8, b[k++] = 0; /* XLEN 8: one subfield "Ab" of 4 bytes */
    memcpy(b + k, "Ab\4\0wxyz", 8);
    k += 8;
    memcpy(b + k, "full.bin", 9);
    k += 9;
    memcpy(b + k, "a comment", 10);
    k += 10;
    uint32_t hc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)k);
    b[k++] = (uint8_t)hc, b[k++] = (uint8_t)(hc >> 8);
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = data;
    zs.avail_in = (uInt)dlen;
    zs.next_out = b + k;
    zs.avail_out = (uInt)(cap - k - 8);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    k += zs.total_out;
    deflateEnd(&zs);
    uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)dlen);
    for (int i = 0; i < 4; i++)
        b[k++] = (uint8_t)(c >> (8 * i));
    for (int i = 0; i < 4; i++)
        b[k++] = (uint8_t)(dlen >> (8 * i));
    return k;
}

static void test_gzip_all_parts(void **state)
{
    (void)state;
    if (!have_gzip())
        skip();
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "full.gz");
    uint8_t data[3000], b[8192];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * i % 251);
    size_t len = build_full(b, sizeof b, data, sizeof data);
    fu_spit(path, b, len);
    /* gzip itself accepts it, header CRC included, and names it. */
    assert_int_equal(fu_sh("gzip -t '%s' 2>/dev/null", path), 0);
    uint32_t crc;
    uint64_t csize, usize;
    char name[256];
    gzip_list(path, true, &crc, &csize, &usize, name, sizeof name);
    assert_string_equal(name, "full.bin");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "FLG", &n));
    assert_string_equal(n.note, "FHCRC FEXTRA FNAME FCOMMENT");
    assert_int_equal(fu_num(&src, &root, "XLEN"), 8);
    assert_true(fu_find(&src, &root, "extra field", &n));
    assert_string_equal(n.text, "41 62 04 00 77 78 79 7a");
    assert_true(fu_find(&src, &root, "FNAME", &n));
    assert_string_equal(n.text, "\"full.bin\"");
    assert_true(fu_find(&src, &root, "FCOMMENT", &n));
    assert_string_equal(n.text, "\"a comment\"");
    assert_true(fu_find(&src, &root, "CRC16", &n));
    assert_string_equal(n.note, "CRC ok");
    assert_true(fu_find(&src, &root, "OS", &n));
    assert_string_equal(n.note, "Unix");
    assert_int_equal(fu_num(&src, &root, "CRC32"), crc);
    assert_int_equal(fu_num(&src, &root, "ISIZE"), usize);
    assert_int_equal(fu_num(&src, &root, "ISIZE"), sizeof data);
    assert_true(fu_find(&src, &root, "compressed data", &n));
    assert_int_equal(n.off, 10 + 10 + 9 + 10 + 2);
    fu_close(&src);
    /* A flipped header byte: the CRC16 says so, and so does gzip. */
    b[25] ^= 0x20;
    fu_spit(path, b, len);
    assert_true(fu_sh("gzip -t '%s' 2>/dev/null", path) != 0);
    fu_open(path, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "CRC16", &n));
    assert_non_null(strstr(n.note, "mismatch"));
    fu_close(&src);
    free(path);
    tu_rmdir(dir);
}

/* Walk b as gzip and as whatever is detected: malformed nodes seen, or -1
 * when no gzip root could be made. */
static int64_t walk_bytes(const char *path, const uint8_t *b, size_t len)
{
    fu_spit(path, b, len);
    fm_walk_file(path, NULL); /* and as whatever is detected */
    return fm_walk_file(path, &fmt_gzip);
}

static void test_gzip_malformed(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "bad.gz");
    uint8_t data[3000], orig[8192], b[8192];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 % 13);
    size_t len = build_full(orig, sizeof orig, data, sizeof data);
    /* Cuts: too short for a root, or parts missing. */
    for (size_t cut = 0; cut < len; cut += 5)
        walk_bytes(path, orig, cut);
    /* Cut in the comment: FCOMMENT has no NUL, malformed. */
    assert_true(walk_bytes(path, orig, 35) >= 1);
    {
        FmtSrc src;
        fu_open(path, &src);
        FmtNode root, n;
        assert_int_equal(fmt_root(&src, &fmt_gzip, 0, &root), 0);
        assert_true(fu_find(&src, &root, "FCOMMENT", &n));
        assert_true(n.bad);
        assert_true(fu_find(&src, &root, "compressed data", &n));
        assert_true(n.bad);
        fu_close(&src);
    }
    /* XLEN 0xffff: past the end. */
    memcpy(b, orig, len);
    b[10] = b[11] = 0xff;
    assert_true(walk_bytes(path, b, len) >= 1);
    /* A name 70000 bytes long with no NUL: bounded search, malformed. */
    {
        size_t big = 80000;
        uint8_t *h = calloc(1, big);
        memcpy(h, "\x1f\x8b\x08\x08\0\0\0\0\0\3", 10);
        memset(h + 10, 'n', big - 10);
        assert_true(walk_bytes(path, h, big) >= 1);
        free(h);
    }
    /* 200 random flips in the header and trailer (fixed seed). */
    srand(20261206);
    for (int m = 0; m < 200; m++) {
        memcpy(b, orig, len);
        for (int f = 0; f < 3; f++) {
            size_t at = m % 2 ? (size_t)rand() % 45 : len - 1 - (size_t)rand() % 8;
            b[at] = (uint8_t)rand();
        }
        walk_bytes(path, b, len);
    }
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip_vs_gzip_l),
        cmocka_unit_test(test_gzip_all_parts),
        cmocka_unit_test(test_gzip_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
