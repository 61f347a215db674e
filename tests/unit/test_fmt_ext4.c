/*
 * test_fmt_ext4: the ext2/3/4 decoder (fmt-ext4.c) against file systems
 * mkfs.ext4 makes (the default 64bit layout with 64-byte descriptors, and
 * a 4 KiB-block one without 64bit, 32-byte descriptors) and what dumpe2fs
 * prints of them: the superblock's fields, the features by name, every
 * group's bitmaps, inode table and free counts; then a malformed corpus.
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
    if (fu_have("mkfs.ext4") && fu_have("dumpe2fs"))
        return true;
    print_message("skipped: mkfs.ext4 or dumpe2fs (package e2fsprogs) is not installed\n");
    return false;
}

/* The value after "key:" in dumpe2fs's output, as a number. */
static uint64_t dnum(const char *out, const char *key)
{
    char k[80];
    snprintf(k, sizeof k, "\n%s:", key);
    const char *s = strstr(out, k);
    if (!s) {
        fail_msg("dumpe2fs printed no %s", key);
        return 0;
    }
    s += strlen(k);
    return strtoull(s, NULL, 0);
}

/* The text after "key:" (trimmed) into buf. */
static void dtext(const char *out, const char *key, char *buf, size_t n)
{
    char k[80];
    snprintf(k, sizeof k, "\n%s:", key);
    const char *s = strstr(out, k);
    assert_non_null(s);
    s += strlen(k);
    s += strspn(s, " \t");
    size_t len = strcspn(s, "\n");
    while (len && s[len - 1] == ' ')
        len--;
    snprintf(buf, n, "%.*s", (int)len, s);
}

static void check_fs(const char *img)
{
    char *h = fu_out("dumpe2fs -h '%s' 2>/dev/null", img);
    assert_non_null(h);
    char *hd = NULL;
    assert_true(asprintf(&hd, "\n%s", h) > 0); /* every key after a newline */
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "ext4");
#define SB(f) fu_num(&src, &root, "superblock/" f)
    bool is64 = SB("s_feature_incompat") & 0x80;
    assert_int_equal(SB("s_inodes_count"), dnum(hd, "Inode count"));
    uint64_t blocks = SB("s_blocks_count_lo") | (is64 ? SB("s_blocks_count_hi") << 32 : 0);
    assert_int_equal(blocks, dnum(hd, "Block count"));
    assert_int_equal(SB("s_r_blocks_count_lo"), dnum(hd, "Reserved block count"));
    assert_int_equal(SB("s_free_blocks_count_lo"), dnum(hd, "Free blocks"));
    assert_int_equal(SB("s_free_inodes_count"), dnum(hd, "Free inodes"));
    assert_int_equal(SB("s_first_data_block"), dnum(hd, "First block"));
    assert_int_equal(1024u << SB("s_log_block_size"), dnum(hd, "Block size"));
    assert_int_equal(SB("s_blocks_per_group"), dnum(hd, "Blocks per group"));
    assert_int_equal(SB("s_inodes_per_group"), dnum(hd, "Inodes per group"));
    assert_int_equal(SB("s_magic"), dnum(hd, "Filesystem magic number"));
    assert_int_equal(SB("s_rev_level"), dnum(hd, "Filesystem revision #"));
    assert_int_equal(SB("s_inode_size"), dnum(hd, "Inode size"));
    assert_int_equal(SB("s_first_ino"), dnum(hd, "First inode"));
    assert_int_equal(SB("s_reserved_gdt_blocks"), dnum(hd, "Reserved GDT blocks"));
    assert_int_equal(SB("s_journal_inum"), dnum(hd, "Journal inode"));
    if (is64)
        assert_int_equal(SB("s_desc_size"), dnum(hd, "Group descriptor size"));
    if (strstr(hd, "\nChecksum:")) {
        assert_int_equal(SB("s_checksum"), dnum(hd, "Checksum"));
        assert_true(fu_find(&src, &root, "superblock/s_checksum", &n));
        assert_string_equal(n.note, "CRC ok");
    }
#undef SB
    char want[256], got[300];
    dtext(hd, "Filesystem UUID", want, sizeof want);
    assert_true(fu_find(&src, &root, "superblock/s_uuid", &n));
    assert_string_equal(n.note, want);
    dtext(hd, "Filesystem volume name", want, sizeof want);
    assert_true(fu_find(&src, &root, "superblock/s_volume_name", &n));
    snprintf(got, sizeof got, "\"%s\"", strcmp(want, "<none>") == 0 ? "" : want);
    assert_string_equal(n.text, got);
    dtext(hd, "Filesystem state", want, sizeof want);
    assert_true(fu_find(&src, &root, "superblock/s_state", &n));
    assert_string_equal(n.note, want);
    dtext(hd, "Filesystem OS type", want, sizeof want);
    assert_true(fu_find(&src, &root, "superblock/s_creator_os", &n));
    assert_string_equal(n.note, want);
    /* Every feature dumpe2fs names is named in one of the three notes. */
    dtext(hd, "Filesystem features", want, sizeof want);
    char notes[3 * FMT_TEXT + 4];
    FmtNode c, i, r;
    assert_true(fu_find(&src, &root, "superblock/s_feature_compat", &c));
    assert_true(fu_find(&src, &root, "superblock/s_feature_incompat", &i));
    assert_true(fu_find(&src, &root, "superblock/s_feature_ro_compat", &r));
    snprintf(notes, sizeof notes, " %s %s %s ", c.note, i.note, r.note);
    unsigned nfeat = 0;
    for (char *w = strtok(want, " "); w; w = strtok(NULL, " ")) {
        char word[80];
        snprintf(word, sizeof word, " %s ", w);
        if (!strstr(notes, word))
            fail_msg("feature %s not in \"%s\"", w, notes);
        nfeat++;
    }
    assert_true(nfeat >= 5);
    free(h);
    free(hd);
    /* Every group of the full dump. */
    char *full = fu_out("dumpe2fs '%s' 2>/dev/null", img);
    assert_non_null(full);
    FmtNode gdt;
    assert_true(fu_find(&src, &root, "group descriptors", &gdt));
    unsigned groups = 0;
    for (char *g = strstr(full, "\nGroup "); g; g = strstr(g + 1, "\nGroup ")) {
        unsigned gi;
        uint64_t bb, ib, it, fb, fi;
        const char *s;
        if (g[7] < '0' || g[7] > '9')
            continue; /* "Group descriptor size" */
        assert_int_equal(sscanf(g, "\nGroup %u:", &gi), 1);
        assert_non_null(s = strstr(g, "Block bitmap at "));
        assert_int_equal(sscanf(s, "Block bitmap at %" SCNu64, &bb), 1);
        assert_non_null(s = strstr(g, "Inode bitmap at "));
        assert_int_equal(sscanf(s, "Inode bitmap at %" SCNu64, &ib), 1);
        assert_non_null(s = strstr(g, "Inode table at "));
        assert_int_equal(sscanf(s, "Inode table at %" SCNu64, &it), 1);
        /* "free clusters" with bigalloc: the descriptor counts clusters */
        s = strstr(g, " free blocks, ");
        if (!s)
            s = strstr(g, " free clusters, ");
        assert_non_null(s);
        while (s > g && s[-1] >= '0' && s[-1] <= '9')
            s--;
        assert_int_equal(sscanf(s, "%" SCNu64 " free %*s %" SCNu64 " free inodes", &fb, &fi), 2);
        char p[64];
        snprintf(p, sizeof p, "group %u", gi);
        FmtNode gn;
        assert_true(fu_find(&src, &gdt, p, &gn));
#define GD(f) fu_num(&src, &gn, f)
        uint64_t xbb = GD("bg_block_bitmap_lo"), xib = GD("bg_inode_bitmap_lo"),
                 xit = GD("bg_inode_table_lo"), xfb = GD("bg_free_blocks_count_lo"),
                 xfi = GD("bg_free_inodes_count_lo");
        if (is64) {
            xbb |= GD("bg_block_bitmap_hi") << 32;
            xib |= GD("bg_inode_bitmap_hi") << 32;
            xit |= GD("bg_inode_table_hi") << 32;
            xfb |= GD("bg_free_blocks_count_hi") << 16;
            xfi |= GD("bg_free_inodes_count_hi") << 16;
        }
#undef GD
        assert_int_equal(xbb, bb);
        assert_int_equal(xib, ib);
        assert_int_equal(xit, it);
        assert_int_equal(xfb, fb);
        assert_int_equal(xfi, fi);
        groups++;
    }
    assert_int_equal(gdt.nkids, groups);
    assert_true(groups >= 2);
    free(full);
    fu_close(&src);
}

static void test_ext4_vs_dumpe2fs(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "a.ext4");
    /* The default (64bit, 1 KiB blocks at this size). */
    assert_int_equal(
        fu_sh("truncate -s 32M '%s' && mkfs.ext4 -F -q -L myvol -O 64bit '%s'", img, img), 0);
    check_fs(img);
    /* 4 KiB blocks, 32-byte descriptors, no label. */
    assert_int_equal(fu_sh("rm -f '%s' && truncate -s 600M '%s' && "
                           "mkfs.ext4 -F -q -b 4096 -O ^64bit,^metadata_csum '%s'",
                           img, img, img),
                     0);
    check_fs(img);
    /* bigalloc: 16 KiB clusters of 4 KiB blocks. */
    char *big = tu_path(dir, "big.ext4");
    assert_int_equal(fu_sh("truncate -s 1G '%s' && mkfs.ext4 -F -q -b 4096 -O bigalloc -C 16384 "
                           "'%s' 2>/dev/null",
                           big, big),
                     0);
    check_fs(big);
    free(big);
    /* The status line on the magic, and in group 3's inode table field. */
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, path[FMT_DEPTH];
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    int k = fmt_path(&src, &root, 1024 + 56, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "superblock");
    assert_string_equal(path[2].name, "s_magic");
    k = fmt_path(&src, &root, 4096 + 3 * 32 + 9, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[1].name, "group descriptors");
    assert_string_equal(path[2].name, "group 3");
    assert_string_equal(path[3].name, "bg_inode_table_lo");
    assert_int_equal(fmt_insp(&path[3]), 5 /* INSP_U32 */);
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

static void put32(const char *img, uint64_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fm_poke(img, off, b, 4);
}

static void test_ext4_malformed(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "a.ext4");
    char *bad = tu_path(dir, "bad.ext4");
    assert_int_equal(fu_sh("truncate -s 32M '%s' && mkfs.ext4 -F -q -O 64bit '%s'", img, img), 0);
    assert_int_equal(fu_sh("cp --sparse=always '%s' '%s'", img, bad), 0);
    FmtSrc src;
    FmtNode root, n;
    /* One block per group and 2^64-ish blocks: the table is clamped. */
    put32(bad, 1024 + 32, 1);
    put32(bad, 1024 + 4, 0xffffffff);
    put32(bad, 1024 + 336, 0xffffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "group descriptors", &n));
    assert_int_equal(n.nkids, ((32u << 20) - 2048) / 64);
    assert_non_null(strstr(n.text, "fit in the file"));
    assert_true(fu_find(&src, &root, "superblock/s_checksum", &n));
    assert_non_null(strstr(n.note, "CRC mismatch"));
    assert_true(fm_walk_file(bad, NULL) >= 0);
    fu_close(&src);
    /* A descriptor size of 3: malformed. */
    put32(bad, 1024 + 254, 3);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "group descriptors", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x4fe: descriptor size 3"));
    fu_close(&src);
    /* The first data block far past the end. */
    put32(bad, 1024 + 254, 64);
    put32(bad, 1024 + 20, 0xfffffff0);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "group descriptors", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "leaves no room"));
    fu_close(&src);
    /* A block size of 2^40: not ext4 at all. */
    put32(bad, 1024 + 24, 30);
    fu_open(bad, &src);
    assert_int_equal(fmt_root(&src, &fmt_ext4, 0, &root), -22);
    fu_close(&src);
    const uint64_t cuts[] = {0, 1024, 1080, 1100, 2047, 2048, 2049, 2048 + 64 * 3 + 5};
    FmStats st =
        fm_mangle(dir, img, NULL, cuts, sizeof cuts / sizeof *cuts, 1024, 1024 + 256, 200, 0xe4);
    assert_int_equal(st.variants, 208);
    assert_true(st.decoded > 100);
    free(bad);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ext4_vs_dumpe2fs),
        cmocka_unit_test(test_ext4_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
