/*
 * test_fmt_fat: the FAT decoder (fmt-fat.c) against FAT12, FAT16 and FAT32
 * file systems mkfs.fat makes and what `fsck.fat -v -n` and `file -s`
 * print of them (the geometry, the type, the root directory's place, the
 * volume id and label); the probe's strictness (a DOS MBR whose boot code
 * starts EB 63 90 is not FAT); and a malformed corpus.
 */
#include "config.h"

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
#include "fmtmangle.h"
#include "fmtutil.h"
#include "testutil.h"

#include <cmocka.h>

static bool have_tools(void)
{
    if (fu_have("mkfs.fat") && fu_have("fsck.fat"))
        return true;
    print_message("skipped: mkfs.fat or fsck.fat (package dosfstools) is not installed\n");
    return false;
}

/* The first number on the line of out holding key (after skip chars of
 * the line's text when the key's line starts with other numbers). */
static uint64_t line_num(const char *out, const char *key)
{
    const char *s = strstr(out, key);
    if (!s)
        fail_msg("no \"%s\" in the output", key);
    while (s > out && s[-1] != '\n')
        s--;
    while (*s && (*s < '0' || *s > '9'))
        s++;
    return strtoull(s, NULL, 0);
}

static void check_fat(const char *img, unsigned bits, const char *label, uint32_t id)
{
    char *v = fu_out("fsck.fat -v -n '%s'", img);
    assert_non_null(v);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "fat");
#define BS(f) fu_num(&src, &root, "boot sector/" f)
    char want[128];
    const char *s = strstr(v, "System ID \"");
    assert_non_null(s);
    snprintf(want, sizeof want, "\"%.*s\"", (int)strcspn(s + 11, "\""), s + 11);
    assert_true(fu_find(&src, &root, "boot sector/OEM name", &n));
    assert_string_equal(n.text, want);
    s = strstr(v, "Media byte ");
    assert_non_null(s);
    assert_int_equal(BS("media"), strtoull(s + 11, NULL, 0));
    uint64_t bps = BS("bytes per sector");
    assert_int_equal(bps, line_num(v, "bytes per logical sector"));
    assert_int_equal(bps * BS("sectors per cluster"), line_num(v, "bytes per cluster"));
    assert_int_equal(BS("reserved sectors"), line_num(v, "reserved sector"));
    assert_int_equal(BS("number of FATs"), line_num(v, " FATs, "));
    s = strstr(v, " FATs, ");
    assert_int_equal(strtoull(s + 7, NULL, 10), bits);
    snprintf(want, sizeof want, "FAT%u", bits);
    assert_true(fu_find(&src, &root, "boot sector", &n));
    assert_string_equal(n.text, want);
    uint64_t fatsz = bits == 32 ? BS("sectors per FAT 32") : BS("sectors per FAT 16");
    assert_int_equal(fatsz * bps, line_num(v, "bytes per FAT"));
    uint64_t total = BS("total sectors 16") ? BS("total sectors 16") : BS("total sectors 32");
    assert_int_equal(total, line_num(v, "sectors total"));
    assert_int_equal(BS("hidden sectors"), line_num(v, "hidden sectors"));
    assert_int_equal(BS("sectors per track"), line_num(v, "sectors/track"));
    s = strstr(v, "sectors/track, ");
    assert_int_equal(BS("heads"), strtoull(s + 15, NULL, 10));
    uint64_t clusters = line_num(v, "data clusters");
    snprintf(want, sizeof want, "FAT%u file system, %" PRIu64 " data clusters of %" PRIu64 " bytes",
             bits, clusters, bps * BS("sectors per cluster"));
    assert_string_equal(root.text, want);
    FmtNode rd;
    assert_true(fu_find(&src, &root, "root directory", &rd));
    if (bits == 32) {
        assert_int_equal(BS("root cluster"), line_num(v, "Root directory start at cluster"));
        uint64_t data = line_num(v, "Data area starts at byte");
        assert_int_equal(rd.off, data + (BS("root cluster") - 2) * bps * BS("sectors per cluster"));
    } else {
        assert_int_equal(rd.off, line_num(v, "Root directory starts at byte"));
        assert_int_equal(BS("root entries"), line_num(v, "root directory entries"));
        assert_int_equal(rd.nkids, BS("root entries"));
    }
    assert_int_equal(BS("volume id"), id);
    assert_int_equal(BS("signature"), 0xaa55);
#undef BS
    free(v);
    /* file -s: the serial and the label. */
    char *f = fu_out("file -s '%s'", img);
    if (f) {
        s = strstr(f, "serial number ");
        assert_non_null(s);
        assert_int_equal(strtoull(s + 14, NULL, 0), id);
        s = strstr(f, "label: \"");
        if (label) {
            assert_non_null(s);
            snprintf(want, sizeof want, "\"%.*s\"", (int)strcspn(s + 8, "\""), s + 8);
            assert_true(fu_find(&src, &root, "boot sector/volume label", &n));
            assert_string_equal(n.text, want);
        }
        free(f);
    }
    if (label) {
        /* mkfs.fat also writes the label as the root's first entry. */
        assert_true(fu_find(&src, &root, "root directory/entry 0", &n));
        snprintf(want, sizeof want, "volume label %s, cluster 0, 0 bytes", label);
        assert_string_equal(n.text, want);
        assert_int_equal(fu_num(&src, &root, "root directory/entry 0/attributes"), 0x08);
    }
    fu_close(&src);
}

static void test_fat_vs_fsck(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "fat.img");
    assert_int_equal(
        fu_sh("truncate -s 2M '%s' && mkfs.fat -F 12 -n MYLABEL -i 1234abcd '%s' >/dev/null", img,
              img),
        0);
    check_fat(img, 12, "MYLABEL", 0x1234abcd);
    /* The status line: sectors per cluster, then the label's attributes. */
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, path[FMT_DEPTH];
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    int k = fmt_path(&src, &root, 13, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "boot sector");
    assert_string_equal(path[2].name, "sectors per cluster");
    FmtNode rd;
    assert_true(fu_find(&src, &root, "root directory", &rd));
    k = fmt_path(&src, &root, rd.off + 28, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[2].name, "entry 0");
    assert_string_equal(path[3].name, "file size");
    fu_close(&src);
    assert_int_equal(
        fu_sh("rm -f '%s' && truncate -s 20M '%s' && mkfs.fat -F 16 -i 0bad1dea '%s' >/dev/null",
              img, img, img),
        0);
    check_fat(img, 16, NULL, 0x0bad1dea);
    assert_int_equal(fu_sh("rm -f '%s' && truncate -s 40M '%s' && mkfs.fat -F 32 -n BIG -i "
                           "cafef00d '%s' >/dev/null",
                           img, img, img),
                     0);
    check_fat(img, 32, "BIG", 0xcafef00d);
    free(img);
    tu_rmdir(dir);
}

/* An MBR whose boot code starts EB 63 90 (as GRUB's does) is an MBR. */
static void test_fat_probe_strict(void **state)
{
    (void)state;
    if (!fu_have("sfdisk")) {
        print_message("skipped: sfdisk (package fdisk) is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "mbr.img");
    assert_int_equal(fu_sh("truncate -s 8M '%s' && printf 'label: dos\\nstart=2048, type=83\\n' | "
                           "sfdisk -q '%s' >/dev/null",
                           img, img),
                     0);
    fm_poke(img, 0, "\xeb\x63\x90GRUB boot", 12);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root;
    assert_false(fmt_fat.probe(&src, 0));
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "mbr");
    fu_close(&src);
    /* Its partition made FAT by mkfs.fat --offset: the MBR's entry holds
     * it, the disk stays an MBR. */
    if (fu_have("mkfs.fat")) {
        assert_int_equal(fu_sh("mkfs.fat --offset 2048 -i 2468ace0 '%s' 7168 >/dev/null 2>&1", img),
                         0);
        fu_open(img, &src);
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_string_equal(root.dec->name, "mbr");
        FmtNode c;
        assert_true(fu_find(&src, &root, "partition 1/contents", &c));
        assert_string_equal(c.dec->name, "fat");
        assert_int_equal(c.off, 2048 * 512);
        assert_int_equal(fu_num(&src, &c, "boot sector/volume id"), 0x2468ace0);
        fu_close(&src);
    }
    free(img);
    tu_rmdir(dir);
}

static void put16(const char *img, uint64_t off, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    fm_poke(img, off, b, 2);
}

static void test_fat_malformed(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "fat.img");
    char *bad = tu_path(dir, "bad.img");
    assert_int_equal(fu_sh("truncate -s 20M '%s' && mkfs.fat -F 16 -n X '%s' >/dev/null && cp "
                           "'%s' '%s'",
                           img, img, img, bad),
                     0);
    FmtSrc src;
    FmtNode root, n;
    /* Bytes per sector 513: not FAT. */
    put16(bad, 11, 513);
    fu_open(bad, &src);
    assert_false(fmt_fat.probe(&src, 0));
    assert_int_equal(fmt_root(&src, &fmt_fat, 0, &root), -22);
    fu_close(&src);
    /* Root entries 0xffff with the FATs so big the root lies at the end:
     * clamped to the file. */
    put16(bad, 11, 512);
    put16(bad, 17, 0xfff0);
    put16(bad, 22, 20000);
    put16(bad, 19, 0);
    fm_poke(bad, 32, "\x80\x96\x98\x00", 4); /* 10000000 sectors */
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "root directory", &n));
    assert_true(n.nkids < 0xfff0);
    assert_int_equal(n.off + n.len, src.size);
    fu_close(&src);
    assert_true(fm_walk_file(bad, NULL) >= 0);
    /* FAT32 with its root cluster far past the end. */
    assert_int_equal(fu_sh("rm -f '%s' && truncate -s 40M '%s' && mkfs.fat -F 32 '%s' >/dev/null",
                           img, img, img),
                     0);
    assert_int_equal(fu_sh("cp '%s' '%s'", img, bad), 0);
    fm_poke(bad, 44, "\xff\xff\xff\x0f", 4);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "root directory", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x2c: the root directory lies past the end"));
    fu_close(&src);
    const uint64_t cuts[] = {0, 11, 100, 511, 512, 16384, 661504, 661504 + 100};
    FmStats st = fm_mangle(dir, img, NULL, cuts, sizeof cuts / sizeof *cuts, 0, 512, 200, 0xfa7);
    assert_int_equal(st.variants, 208);
    assert_true(st.decoded > 30);
    free(bad);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fat_vs_fsck),
        cmocka_unit_test(test_fat_probe_strict),
        cmocka_unit_test(test_fat_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
