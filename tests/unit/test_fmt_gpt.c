/*
 * test_fmt_gpt: the GUID partition table decoder (fmt-gpt.c) against
 * images sgdisk and sfdisk make and what `sfdisk --dump` and `sgdisk -p`
 * print of them (512- and, on a 4096-byte loop device, 4096-byte
 * sectors), a GPT holding an ext4 partition that the tree reaches, and a
 * malformed corpus (huge counts, offsets past the end, truncations, random
 * header bytes) that gives malformed nodes, not hangs.
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

/* A 64 MiB image with three partitions made by sgdisk. */
static char *sg_image(const char *dir)
{
    char *img = tu_path(dir, "disk.img");
    assert_int_equal(fu_sh("truncate -s 64M '%s' && sgdisk -n1:2048:+20M -t1:8300 -c1:root "
                           "-n2:0:+8M -t2:ef00 -c2:'EFI sys' -n3:0:+4M -t3:8200 '%s' >/dev/null",
                           img, img),
                     0);
    return img;
}

static void assert_text(const FmtSrc *src, const FmtNode *root, const char *path, const char *want)
{
    FmtNode n;
    assert_true(fu_find(src, root, path, &n));
    assert_string_equal(n.text, want);
}

static void assert_note(const FmtSrc *src, const FmtNode *root, const char *path, const char *want)
{
    FmtNode n;
    assert_true(fu_find(src, root, path, &n));
    assert_string_equal(n.note, want);
}

/* Compare every partition line of `sfdisk --dump` (of dev) with the tree
 * of src: how many were compared. */
static unsigned check_dump(const FmtSrc *src, const FmtNode *root, const char *dump)
{
    char *copy = strdup(dump);
    unsigned seen = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char path[128], want[128];
        uint64_t v;
        if (sscanf(line, "label-id: %127s", want) == 1) {
            assert_text(src, root, "GPT header/disk GUID", want);
            continue;
        }
        if (sscanf(line, "first-lba: %" SCNu64, &v) == 1) {
            assert_int_equal(fu_num(src, root, "GPT header/first usable LBA"), v);
            continue;
        }
        if (sscanf(line, "last-lba: %" SCNu64, &v) == 1) {
            assert_int_equal(fu_num(src, root, "GPT header/last usable LBA"), v);
            continue;
        }
        unsigned part;
        uint64_t start, size;
        char type[40], uuid[40];
        char *p = strstr(line, " : start=");
        if (!p)
            continue;
        char *q = p;
        while (q > line && q[-1] >= '0' && q[-1] <= '9')
            q--;
        if (sscanf(q,
                   "%u : start= %" SCNu64 ", size= %" SCNu64
                   ", type=%36[0-9A-F-], uuid=%36[0-9A-F-]",
                   &part, &start, &size, type, uuid) != 5)
            continue;
        snprintf(path, sizeof path, "partition entries/GPT entry %u/first LBA", part);
        assert_int_equal(fu_num(src, root, path), start);
        snprintf(path, sizeof path, "partition entries/GPT entry %u/last LBA", part);
        assert_int_equal(fu_num(src, root, path), start + size - 1);
        snprintf(path, sizeof path, "partition entries/GPT entry %u/type GUID", part);
        assert_text(src, root, path, type);
        snprintf(path, sizeof path, "partition entries/GPT entry %u/unique GUID", part);
        assert_text(src, root, path, uuid);
        char *nm = strstr(line, "name=\"");
        snprintf(path, sizeof path, "partition entries/GPT entry %u/name", part);
        if (nm) {
            snprintf(want, sizeof want, "\"%s", nm + 6); /* the quotes as the tree shows them */
            assert_text(src, root, path, want);
        } else {
            assert_text(src, root, path, "\"\"");
        }
        seen++;
    }
    free(copy);
    return seen;
}

static void test_gpt_vs_sfdisk(void **state)
{
    (void)state;
    if (!fu_have("sgdisk") || !fu_have("sfdisk")) {
        print_message(
            "skipped: sgdisk (package gdisk) or sfdisk (package fdisk) is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = sg_image(dir);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "gpt");
    assert_int_equal(root.len, 64u << 20);
    char *dump = fu_out("sfdisk --dump '%s'", img);
    assert_non_null(dump);
    assert_int_equal(check_dump(&src, &root, dump), 3);
    free(dump);
    /* sgdisk -p: the table's size and place. */
    char *p = fu_out("sgdisk -p '%s'", img);
    assert_non_null(p);
    unsigned n = 0, lba = 0;
    char *s = strstr(p, "holds up to ");
    assert_non_null(s);
    assert_int_equal(sscanf(s, "holds up to %u entries", &n), 1);
    assert_int_equal(fu_num(&src, &root, "GPT header/number of entries"), n);
    s = strstr(p, "begins at sector ");
    assert_non_null(s);
    assert_int_equal(sscanf(s, "begins at sector %u", &lba), 1);
    assert_int_equal(fu_num(&src, &root, "GPT header/partition entries LBA"), lba);
    free(p);
    /* The rest: what the spec fixes, checked sums, names of types. */
    assert_text(&src, &root, "GPT header/signature", "\"EFI PART\"");
    assert_int_equal(fu_num(&src, &root, "GPT header/revision"), 0x10000);
    assert_int_equal(fu_num(&src, &root, "GPT header/my LBA"), 1);
    assert_int_equal(fu_num(&src, &root, "GPT header/alternate LBA"), (64u << 11) - 1);
    assert_int_equal(fu_num(&src, &root, "backup GPT header/my LBA"), (64u << 11) - 1);
    assert_note(&src, &root, "GPT header/header CRC32", "CRC ok");
    assert_note(&src, &root, "GPT header/entries CRC32", "CRC ok");
    assert_note(&src, &root, "backup GPT header/header CRC32", "CRC ok");
    assert_text(&src, &root, "GPT header", "CRC ok");
    assert_note(&src, &root, "partition entries/GPT entry 1/type GUID", "Linux filesystem");
    assert_note(&src, &root, "partition entries/GPT entry 2/type GUID", "EFI System");
    assert_note(&src, &root, "partition entries/GPT entry 3/type GUID", "Linux swap");
    assert_text(&src, &root, "partition entries/GPT entry 4", "unused");
    FmtNode t;
    assert_true(fu_find(&src, &root, "partition entries", &t));
    assert_int_equal(t.nkids, n);
    assert_true(fu_find(&src, &root, "protective MBR/partition 1/type", &t));
    assert_string_equal(t.text, "0xee");
    /* The status line: the cursor on entry 2's first LBA. */
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, 1024 + 128 + 32 + 3, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[1].name, "partition entries");
    assert_string_equal(path[2].name, "GPT entry 2");
    assert_string_equal(path[3].name, "first LBA");
    assert_int_equal(fmt_insp(&path[3]), 7 /* INSP_U64 */);
    /* Entry 100 is found directly, by offset. */
    k = fmt_path(&src, &root, 1024 + 99 * 128 + 5, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[2].name, "GPT entry 100");
    /* Damage the header: the CRC no longer matches. */
    fu_close(&src);
    fm_poke(img, 512 + 40, "\x01", 1);
    fu_open(img, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_text(&src, &root, "GPT header", "CRC mismatch");
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

/* A 4096-byte-sector disk: sfdisk on a loop device (needs root). */
static void test_gpt_4k_sectors(void **state)
{
    (void)state;
    if (!fu_have("sfdisk") || !fu_have("losetup")) {
        print_message("skipped: sfdisk or losetup is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "disk4k.img");
    assert_int_equal(fu_sh("truncate -s 16M '%s'", img), 0);
    char *dev = fu_out("losetup -b 4096 -f --show '%s' 2>/dev/null", img);
    if (!dev) {
        print_message("skipped: no loop device with 4096-byte sectors (not root?)\n");
        tu_rmdir(dir);
        free(img);
        skip();
    }
    dev[strcspn(dev, "\n")] = 0;
    int rc = fu_sh("printf 'label: gpt\\nstart=256, size=1024, type=L, name=data\\n"
                   "start=1280, size=512, type=S\\n' | sfdisk -q '%s' >/dev/null 2>&1",
                   dev);
    char *dump = fu_out("sfdisk --dump '%s'", dev);
    fu_sh("losetup -d '%s'", dev);
    free(dev);
    assert_int_equal(rc, 0);
    assert_non_null(dump);
    assert_non_null(strstr(dump, "sector-size: 4096"));
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "gpt");
    assert_int_equal(check_dump(&src, &root, dump), 2);
    FmtNode h;
    assert_true(fu_find(&src, &root, "GPT header", &h));
    assert_int_equal(h.off, 4096);
    assert_note(&src, &root, "GPT header/entries CRC32", "CRC ok");
    assert_note(&src, &root, "partition entries/GPT entry 2/type GUID", "Linux swap");
    free(dump);
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

/* A GPT whose first partition holds ext4 and second FAT: the tree goes on
 * into them. */
static void test_gpt_nests_ext4(void **state)
{
    (void)state;
    if (!fu_have("sgdisk") || !fu_have("mkfs.ext4") || !fu_have("dumpe2fs")) {
        print_message("skipped: sgdisk or e2fsprogs (mkfs.ext4, dumpe2fs) is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = sg_image(dir);
    char *fs = tu_path(dir, "part.ext4");
    assert_int_equal(fu_sh("truncate -s 20M '%s' && mkfs.ext4 -F -q -L inner '%s' && "
                           "dd if='%s' of='%s' bs=512 seek=2048 conv=notrunc,sparse status=none",
                           fs, fs, fs, img),
                     0);
    char *d = fu_out("dumpe2fs -h '%s' 2>/dev/null", fs);
    assert_non_null(d);
    uint64_t blocks = 0, inodes = 0;
    char *s = strstr(d, "Block count:");
    assert_non_null(s);
    assert_int_equal(sscanf(s, "Block count: %" SCNu64, &blocks), 1);
    s = strstr(d, "Inode count:");
    assert_non_null(s);
    assert_int_equal(sscanf(s, "Inode count: %" SCNu64, &inodes), 1);
    free(d);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, c, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "partition entries/GPT entry 1/contents", &c));
    assert_string_equal(c.dec->name, "ext4");
    assert_int_equal(c.off, 2048 * 512);
    assert_int_equal(
        fu_num(&src, &root, "partition entries/GPT entry 1/contents/superblock/s_magic"), 0xef53);
    assert_int_equal(
        fu_num(&src, &root, "partition entries/GPT entry 1/contents/superblock/s_blocks_count_lo"),
        blocks);
    assert_int_equal(
        fu_num(&src, &root, "partition entries/GPT entry 1/contents/superblock/s_inodes_count"),
        inodes);
    assert_text(&src, &root, "partition entries/GPT entry 1/contents/superblock/s_volume_name",
                "\"inner\"");
    /* Partition 3 holds nothing known. */
    assert_true(fu_find(&src, &root, "partition entries/GPT entry 3/contents", &c));
    assert_false(c.bad);
    assert_non_null(strstr(c.text, "no format known"));
    fu_close(&src);
    /* A FAT file system made in partition 2 by mkfs.fat --offset. */
    if (fu_have("mkfs.fat")) {
        assert_int_equal(fu_sh("mkfs.fat --offset 43008 -n ESP -i 12345678 '%s' 8192 "
                               ">/dev/null 2>&1",
                               img),
                         0);
        fu_open(img, &src);
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_true(fu_find(&src, &root, "partition entries/GPT entry 2/contents", &c));
        assert_string_equal(c.dec->name, "fat");
        assert_int_equal(c.off, 43008 * 512);
        assert_int_equal(fu_num(&src, &c, "boot sector/volume id"), 0x12345678);
        assert_int_equal(fu_num(&src, &c, "boot sector/total sectors 16"), 16384);
        assert_true(fu_find(&src, &c, "boot sector/volume label", &n));
        assert_string_equal(n.text, "\"ESP        \"");
        /* The ext4 in partition 1 is still there. */
        assert_int_equal(
            fu_num(&src, &root, "partition entries/GPT entry 1/contents/superblock/s_magic"),
            0xef53);
        fu_close(&src);
    } else {
        print_message("note: mkfs.fat (dosfstools) is not installed: no FAT partition\n");
    }
    free(fs);
    free(img);
    tu_rmdir(dir);
}

static void put32(char *img, uint64_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fm_poke(img, off, b, 4);
}

/* Hostile headers and entries, truncations, random header bytes. */
static void test_gpt_malformed(void **state)
{
    (void)state;
    if (!fu_have("sgdisk")) {
        print_message("skipped: sgdisk (package gdisk) is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = sg_image(dir);
    char *bad = tu_path(dir, "bad.img");
    FmtSrc src;
    FmtNode root, n;
    /* Entry count 0xffffffff: the table is clamped to the file. */
    assert_int_equal(fu_sh("cp --sparse=always '%s' '%s'", img, bad), 0);
    put32(bad, 512 + 80, 0xffffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "partition entries", &n));
    assert_int_equal(n.nkids, ((64u << 20) - 1024) / 128);
    assert_non_null(strstr(n.text, "fit in the file"));
    assert_true(fu_find(&src, &root, "GPT header/entries CRC32", &n));
    assert_string_equal(n.note, "not checked");
    fu_close(&src);
    assert_true(fm_walk_file(bad, NULL) >= 0);
    /* Entry size 0, then entries LBA far past the end. */
    put32(bad, 512 + 80, 128);
    put32(bad, 512 + 84, 0);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "partition entries", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x254: entry size 0"));
    fu_close(&src);
    put32(bad, 512 + 84, 128);
    put32(bad, 512 + 72, 0xfffffff0);
    put32(bad, 512 + 76, 0xffffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "partition entries", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "lies past the end"));
    assert_true(fu_find(&src, &root, "backup GPT header", &n));
    assert_false(n.bad);
    fu_close(&src);
    /* Back to the real table; entry 1 starts past the end, entry 2 ends
     * before it starts, the alternate LBA is past the end. */
    put32(bad, 512 + 72, 2);
    put32(bad, 512 + 76, 0);
    put32(bad, 1024 + 32, 0xfffffff0);
    put32(bad, 1024 + 128 + 40, 5);
    put32(bad, 512 + 32, 0x7fffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "partition entries/GPT entry 1/contents", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "first LBA 4294967280 lies past the end"));
    assert_true(fu_find(&src, &root, "partition entries/GPT entry 2/contents", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "before first LBA"));
    assert_true(fu_find(&src, &root, "backup GPT header", &n));
    assert_true(n.bad);
    uint64_t nbad = 0;
    assert_true(fu_walk(&src, &root, 8, 300, 20000, &nbad) < 20000);
    assert_true(nbad >= 3);
    fu_close(&src);
    /* Header size huge: no CRC can be computed, still a tree. */
    put32(bad, 512 + 12, 0xffffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_text(&src, &root, "GPT header", "header size out of range");
    fu_close(&src);
    /* Truncations and 200 random header/entry mutations. */
    const uint64_t cuts[] = {0, 1, 511, 512, 600, 1023, 1024, 1100, 17407, 17408, 2048 * 512 + 10};
    FmStats st =
        fm_mangle(dir, img, NULL, cuts, sizeof cuts / sizeof *cuts, 0, 1024 + 4 * 128, 200, 0x5eed);
    assert_int_equal(st.variants, 211);
    assert_true(st.decoded > 100);
    assert_true(st.bad > 0);
    st = fm_mangle(dir, img, &fmt_gpt, cuts, 0, 512, 92, 200, 42);
    assert_true(st.decoded > 100);
    free(bad);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpt_vs_sfdisk),
        cmocka_unit_test(test_gpt_4k_sectors),
        cmocka_unit_test(test_gpt_nests_ext4),
        cmocka_unit_test(test_gpt_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
