/*
 * test_fmt_xfs: the XFS decoder (fmt-xfs.c) against file systems mkfs.xfs
 * makes (v5 with CRCs, and a 1 KiB-block one with 4 KiB sectors) and what
 * `xfs_db -r -c sb -c print` (and `agf N`, `agi N`) print of them: every
 * numeric field xfs_db prints is compared by name, uuids and labels too,
 * and the CRCs xfs_db calls correct are correct here; then a malformed
 * corpus.
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
    if (fu_have("mkfs.xfs") && fu_have("xfs_db"))
        return true;
    print_message("skipped: mkfs.xfs or xfs_db (package xfsprogs) is not installed\n");
    return false;
}

/* Every "name = value" line of xfs_db's print against the child of hdr
 * named name: how many were compared. */
static unsigned compare_print(const FmtSrc *src, const FmtNode *hdr, const char *out)
{
    char *copy = strdup(out);
    unsigned seen = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char name[64], val[128];
        if (sscanf(line, "%63s = %127[^\n]", name, val) != 2)
            continue;
        FmtNode n;
        if (!fu_find(src, hdr, name, &n))
            continue; /* a field not decoded (the unlinked buckets' names) */
        if (strcmp(name, "uuid") == 0 || strcmp(name, "meta_uuid") == 0) {
            assert_string_equal(n.note, val);
        } else if (strcmp(name, "fname") == 0) {
            /* "xvol\000\000..." as the tree's "xvol" */
            char want[64];
            snprintf(want, sizeof want, "%.*s\"", (int)strcspn(val + 1, "\\\"") + 1, val);
            assert_string_equal(n.text, want);
        } else if (strcmp(name, "crc") == 0) {
            assert_int_equal(strtoull(n.text, NULL, 16), strtoull(val, NULL, 16));
            if (strstr(val, "(correct)"))
                assert_string_equal(n.note, "correct");
        } else if ((val[0] >= '0' && val[0] <= '9')) {
            assert_int_equal(strtoull(n.text, NULL, 0), strtoull(val, NULL, 0));
        } else if (strcmp(val, "null") == 0) {
            /* all ones, in the field's width */
            uint64_t ones = n.len >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * n.len)) - 1;
            assert_int_equal(strtoull(n.text, NULL, 0), ones);
        } else {
            continue;
        }
        seen++;
    }
    free(copy);
    return seen;
}

static void check_xfs(const char *img)
{
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, n, ags;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "xfs");
    char *sb = fu_out("xfs_db -r -c sb -c print '%s' 2>/dev/null", img);
    assert_non_null(sb);
    assert_true(fu_find(&src, &root, "superblock", &n));
    assert_true(compare_print(&src, &n, sb) >= 50);
    free(sb);
    assert_true(fu_find(&src, &root, "allocation groups", &ags));
    uint64_t agcount = fu_num(&src, &root, "superblock/agcount");
    assert_int_equal(ags.nkids, agcount);
    for (uint64_t i = 0; i < agcount; i++) {
        FmtNode ag, h;
        assert_int_equal(fmt_child(&src, &ags, i, &ag), 0);
        char *o = fu_out("xfs_db -r -c 'sb %" PRIu64 "' -c print '%s' 2>/dev/null", i, img);
        assert_non_null(o);
        assert_true(fu_find(&src, &ag, "superblock", &h));
        assert_true(compare_print(&src, &h, o) >= 50);
        free(o);
        o = fu_out("xfs_db -r -c 'agf %" PRIu64 "' -c print '%s' 2>/dev/null", i, img);
        assert_non_null(o);
        assert_true(fu_find(&src, &ag, "AGF", &h));
        assert_true(compare_print(&src, &h, o) >= 18);
        free(o);
        o = fu_out("xfs_db -r -c 'agi %" PRIu64 "' -c print '%s' 2>/dev/null", i, img);
        assert_non_null(o);
        assert_true(fu_find(&src, &ag, "AGI", &h));
        assert_true(compare_print(&src, &h, o) >= 12);
        free(o);
    }
    fu_close(&src);
}

static void test_xfs_vs_xfs_db(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "xfs.img");
    assert_int_equal(fu_sh("truncate -s 300M '%s' && mkfs.xfs -q -f -L xvol '%s'", img, img), 0);
    check_xfs(img);
    /* The status line: AG 2's AGF free blocks. */
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, path[FMT_DEPTH], agf;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "allocation groups/AG 2/AGF", &agf));
    int k = fmt_path(&src, &root, agf.off + 53, path, FMT_DEPTH);
    assert_int_equal(k, 5);
    assert_string_equal(path[2].name, "AG 2");
    assert_string_equal(path[3].name, "AGF");
    assert_string_equal(path[4].name, "freeblks");
    assert_int_equal(fmt_insp(&path[4]), 5 /* INSP_U32 */);
    assert_true(path[4].big);
    fu_close(&src);
    /* 4 KiB sectors (the AG headers a sector apart), then a v4 one with
     * 1 KiB blocks and no CRCs. */
    assert_int_equal(fu_sh("rm -f '%s' && truncate -s 600M '%s' && mkfs.xfs -q -f -s size=4096 "
                           "-d agcount=5 '%s'",
                           img, img, img),
                     0);
    check_xfs(img);
    if (fu_sh("rm -f '%s' && truncate -s 600M '%s' && mkfs.xfs -q -f -m crc=0 -b size=1024 '%s' "
              "2>/dev/null",
              img, img, img) == 0)
        check_xfs(img);
    else
        print_message("note: this mkfs.xfs makes no v4 file systems any more\n");
    free(img);
    tu_rmdir(dir);
}

static void put_be32(const char *img, uint64_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    fm_poke(img, off, b, 4);
}

static void test_xfs_malformed(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "xfs.img");
    char *bad = tu_path(dir, "bad.img");
    assert_int_equal(fu_sh("truncate -s 300M '%s' && mkfs.xfs -q -f '%s' && cp --sparse=always "
                           "'%s' '%s'",
                           img, img, img, bad),
                     0);
    FmtSrc src;
    FmtNode root, n;
    /* agcount 0xffffffff and agblocks 1: clamped to the AGs in the file. */
    put_be32(bad, 88, 0xffffffff);
    put_be32(bad, 84, 1);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "allocation groups", &n));
    assert_int_equal(n.nkids, (300u << 20) / 4096);
    assert_non_null(strstr(n.text, "not all in the file"));
    assert_true(fu_find(&src, &root, "superblock/crc", &n));
    assert_string_equal(n.note, "bad");
    fu_close(&src);
    assert_true(fm_walk_file(bad, NULL) >= 0);
    /* Truncated inside AG 1's headers: its AGI lies past the end. */
    assert_int_equal(fu_sh("cp --sparse=always '%s' '%s' && truncate -s %u '%s'", img, bad,
                           19200 * 4096 + 1100, bad),
                     0);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "allocation groups/AG 1/AGI", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "header past the end"));
    fu_close(&src);
    /* A block size of 3: not XFS. */
    assert_int_equal(fu_sh("cp --sparse=always '%s' '%s'", img, bad), 0);
    put_be32(bad, 4, 3);
    fu_open(bad, &src);
    assert_int_equal(fmt_root(&src, &fmt_xfs, 0, &root), -22);
    fu_close(&src);
    const uint64_t cuts[] = {0, 4, 511, 512, 1024, 1500, 78643200 + 10, 78643200 + 600};
    FmStats st = fm_mangle(dir, img, NULL, cuts, sizeof cuts / sizeof *cuts, 0, 1536, 200, 0x5f5);
    assert_int_equal(st.variants, 208);
    assert_true(st.decoded > 50);
    free(bad);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xfs_vs_xfs_db),
        cmocka_unit_test(test_xfs_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
