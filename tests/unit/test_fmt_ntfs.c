/*
 * test_fmt_ntfs: the NTFS decoder (fmt-ntfs.c) against volumes mkntfs
 * makes (4 KiB clusters with 1 KiB records: a negative record size byte;
 * 1 KiB clusters: a positive one) and what `ntfsinfo -m`, `ntfsinfo -i N`
 * and `blkid -p` print of them: the geometry, the MFT's place, the serial,
 * the volume name, and the system files' MFT records with their attribute
 * lists and file names; then a malformed corpus.
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
    if (fu_have("mkntfs") && fu_have("ntfsinfo"))
        return true;
    print_message("skipped: mkntfs or ntfsinfo (package ntfs-3g) is not installed\n");
    return false;
}

/* The number after "key:" in out (decimal, or 0x hex). */
static uint64_t knum(const char *out, const char *key)
{
    char k[96];
    snprintf(k, sizeof k, "%s:", key);
    const char *s = strstr(out, k);
    if (!s)
        fail_msg("no \"%s\" in the output", key);
    return strtoull(s + strlen(k), NULL, 0);
}

static void mkntfs(const char *img, const char *opts)
{
    assert_int_equal(fu_sh("rm -f '%s' && truncate -s 16M '%s' && mkntfs -F -Q -q %s '%s' "
                           ">/dev/null 2>&1",
                           img, img, opts, img),
                     0);
}

/* Record n's header and attribute names against ntfsinfo -i n. */
static void check_record(const FmtSrc *src, const FmtNode *mft, const char *img, unsigned n)
{
    char *o = fu_out("ntfsinfo -i %u '%s' 2>/dev/null", n, img);
    assert_non_null(o);
    FmtNode r;
    assert_int_equal(fmt_child(src, mft, n, &r), 0);
    assert_non_null(strstr(r.name, "MFT record "));
#define RF(f) fu_num(src, &r, f)
    assert_string_equal(r.text, strstr(o, "DIRECTORY") ? "in use, directory" : "in use");
    assert_int_equal(RF("update sequence offset"), knum(o, "Upd. Seq. Array Off."));
    assert_int_equal(RF("update sequence count"), knum(o, "Upd. Seq. Array Count"));
    assert_int_equal(RF("sequence number"), knum(o, "MFT Record Seq. Numb."));
    assert_int_equal(RF("hard link count"), knum(o, "Number of Hard Links"));
    assert_int_equal(RF("attributes offset"), knum(o, "Attribute Offset"));
    assert_int_equal(RF("bytes in use"), knum(o, "Bytes Used"));
    assert_int_equal(RF("bytes allocated"), knum(o, "Bytes Allocated"));
    assert_int_equal(RF("next attribute id"), knum(o, "Next Attribute Instance"));
    assert_int_equal(RF("record number"), n);
#undef RF
    /* The attributes, in order, as ntfsinfo dumps them. */
    FmtNode attrs;
    assert_true(fu_find(src, &r, "attributes", &attrs));
    uint64_t k = 0;
    for (const char *s = strstr(o, "Dumping attribute "); s;
         s = strstr(s + 1, "Dumping attribute ")) {
        char want[64];
        assert_int_equal(sscanf(s, "Dumping attribute %63s", want), 1);
        FmtNode a;
        assert_true(k < attrs.nkids);
        assert_int_equal(fmt_child(src, &attrs, k++, &a), 0);
        assert_string_equal(a.text, want);
    }
    assert_true(k >= 2);
    /* The $FILE_NAME: parent, sizes, times, name as ntfsinfo prints them. */
    const char *fnb = strstr(o, "Dumping attribute $FILE_NAME");
    assert_non_null(fnb);
    const char *fne = strstr(fnb + 1, "Dumping attribute ");
    char blk[4096];
    snprintf(blk, sizeof blk, "%.*s", (int)(fne ? fne - fnb : (long)strlen(fnb)), fnb);
    FmtNode fa, v, f;
    bool found = false;
    for (uint64_t j = 0; j < k && !found; j++) {
        assert_int_equal(fmt_child(src, &attrs, j, &fa), 0);
        found = strcmp(fa.text, "$FILE_NAME") == 0;
    }
    assert_true(found);
    assert_true(fu_find(src, &fa, "value", &v));
    assert_int_equal(fu_num(src, &v, "parent directory") & 0xffffffffffffu,
                     knum(blk, "Parent directory"));
    assert_int_equal(fu_num(src, &v, "allocated size"), knum(blk, "Allocated Size"));
    assert_int_equal(fu_num(src, &v, "data size"), knum(blk, "Data Size"));
    assert_int_equal(fu_num(src, &v, "name length"), knum(blk, "Filename Length"));
    const char *q = strstr(blk, "Filename:");
    assert_non_null(q);
    q = strchr(q, '\'');
    char want[128], line[160];
    snprintf(want, sizeof want, "\"%.*s\"", (int)strcspn(q + 1, "'"), q + 1);
    assert_true(fu_find(src, &v, "name", &f));
    assert_string_equal(f.text, want);
    snprintf(line, sizeof line, "file name %s", want);
    assert_string_equal(v.text, line);
    static const char *const times[][2] = {{"creation time", "File Creation Time:"},
                                           {"altered time", "File Altered Time:"},
                                           {"MFT changed time", "MFT Changed Time:"},
                                           {"accessed time", "Last Accessed Time:"}};
    for (int t = 0; t < 4; t++) {
        q = strstr(blk, times[t][1]);
        assert_non_null(q);
        q += strlen(times[t][1]);
        q += strspn(q, " \t");
        snprintf(want, sizeof want, "%.*s", (int)strcspn(q, "\n"), q);
        assert_true(fu_find(src, &v, times[t][0], &f));
        assert_string_equal(f.note, want);
    }
    q = strstr(blk, "Namespace:");
    assert_non_null(q);
    q += 10 + strspn(q + 10, " \t");
    snprintf(want, sizeof want, "%.*s", (int)strcspn(q, "\n"), q);
    assert_true(fu_find(src, &v, "namespace", &f));
    assert_string_equal(f.note, want);
    FmtNode end;
    assert_int_equal(fmt_child(src, &attrs, k, &end), 0);
    assert_string_equal(end.text, "end marker");
    free(o);
}

static void check_volume(const char *img, const char *label)
{
    char *m = fu_out("ntfsinfo -m '%s' 2>/dev/null", img);
    assert_non_null(m);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "ntfs");
#define BS(f) fu_num(&src, &root, "boot sector/" f)
    uint64_t bps = BS("bytes per sector"), spc = BS("sectors per cluster");
    assert_int_equal(bps, knum(m, "Sector Size"));
    assert_int_equal(bps * spc, knum(m, "Cluster Size"));
    assert_int_equal(BS("total sectors") / spc, knum(m, "Volume Size in Clusters"));
    assert_int_equal(BS("MFT LCN"), knum(m, "LCN of Data Attribute for FILE_MFT"));
    assert_int_equal(BS("MFT mirror LCN"), knum(m, "LCN of Data Attribute for File_MFTMirr"));
#undef BS
    char want[64];
    snprintf(want, sizeof want, "%" PRIu64 " bytes", knum(m, "MFT Record Size"));
    assert_true(fu_find(&src, &root, "boot sector/clusters per MFT record", &n));
    assert_string_equal(n.note, want);
    snprintf(want, sizeof want, "%" PRIu64 " bytes", knum(m, "Index Block Size"));
    assert_true(fu_find(&src, &root, "boot sector/clusters per index record", &n));
    assert_string_equal(n.note, want);
    FmtNode mft;
    assert_true(fu_find(&src, &root, "MFT", &mft));
    assert_int_equal(mft.off,
                     knum(m, "LCN of Data Attribute for FILE_MFT") * knum(m, "Cluster Size"));
    assert_true(mft.nkids >= 16);
    free(m);
    if (fu_have("blkid")) {
        char *b = fu_out("blkid -p -o export '%s'", img);
        assert_non_null(b);
        const char *u = strstr(b, "\nUUID=");
        assert_non_null(u);
        assert_int_equal(fu_num(&src, &root, "boot sector/volume serial"),
                         strtoull(u + 6, NULL, 16));
        free(b);
    }
    /* The volume's name: record 3's $VOLUME_NAME. */
    FmtNode attrs;
    assert_true(fu_find(&src, &mft, "MFT record 3 $Volume/attributes", &attrs));
    bool found = false;
    for (uint64_t i = 0; i < attrs.nkids && !found; i++) {
        FmtNode a, v;
        assert_int_equal(fmt_child(&src, &attrs, i, &a), 0);
        if (strcmp(a.text, "$VOLUME_NAME") != 0)
            continue;
        assert_true(fu_find(&src, &a, "value", &v));
        snprintf(want, sizeof want, "\"%s\"", label);
        assert_string_equal(v.text, want);
        found = true;
    }
    assert_true(found);
    for (unsigned r = 0; r < 12; r++)
        check_record(&src, &mft, img, r);
    fu_close(&src);
}

static void test_ntfs_vs_ntfsinfo(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "ntfs.img");
    mkntfs(img, "-L NTVOL");
    check_volume(img, "NTVOL");
    /* The status line: the MFT LCN; record 5's flags. */
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, path[FMT_DEPTH], mft;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    int k = fmt_path(&src, &root, 0x30, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[2].name, "MFT LCN");
    assert_true(fu_find(&src, &root, "MFT", &mft));
    k = fmt_path(&src, &root, mft.off + 5 * 1024 + 22, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[2].name, "MFT record 5 .");
    assert_string_equal(path[3].name, "flags");
    assert_string_equal(path[3].note, "in use, directory");
    /* Inside record 3's second attribute. */
    FmtNode a;
    assert_true(fu_find(&src, &mft, "MFT record 3 $Volume/attributes/attribute 1", &a));
    k = fmt_path(&src, &root, a.off + 4, path, FMT_DEPTH);
    assert_int_equal(k, 6);
    assert_string_equal(path[4].name, "attribute 1");
    assert_string_equal(path[5].name, "length");
    fu_close(&src);
    mkntfs(img, "-c 1024 -L small");
    check_volume(img, "small");
    free(img);
    tu_rmdir(dir);
}

static void test_ntfs_malformed(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "ntfs.img");
    char *bad = tu_path(dir, "bad.img");
    mkntfs(img, "");
    assert_int_equal(fu_sh("cp '%s' '%s'", img, bad), 0);
    FmtSrc src;
    FmtNode root, n;
    /* MFT LCN past the end. */
    fm_poke(bad, 48, "\x00\x00\x00\x00\x00\x01\x00\x00", 8);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "MFT", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x30: MFT LCN"));
    fu_close(&src);
    /* A record size byte of 0. */
    assert_int_equal(fu_sh("cp '%s' '%s'", img, bad), 0);
    fm_poke(bad, 64, "\x00", 1);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "MFT", &n));
    assert_true(n.bad);
    fu_close(&src);
    /* Record 3's attributes offset past the record; record 0's second
     * attribute of length 0. */
    assert_int_equal(fu_sh("cp '%s' '%s'", img, bad), 0);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    FmtNode mft;
    assert_true(fu_find(&src, &root, "MFT", &mft));
    uint64_t m = mft.off;
    fu_close(&src);
    fm_poke(bad, m + 3 * 1024 + 20, "\xff\xff", 2);
    uint64_t first = 0;
    {
        FmtSrc s2;
        fu_open(bad, &s2);
        fmt_uint(&s2, m + 20, 2, false, &first);
        uint64_t len = 0;
        fmt_uint(&s2, m + first + 4, 4, false, &len);
        fu_close(&s2);
        fm_poke(bad, m + first + len + 4, "\0\0\0\0", 4);
    }
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "MFT/MFT record 3 $Volume/attributes", &n));
    assert_true(n.bad);
    assert_true(fu_find(&src, &root, "MFT/MFT record 0 $MFT/attributes/attribute 1", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "length 0 does not fit"));
    uint64_t nbad = 0;
    assert_true(fu_walk(&src, &root, 8, 300, 20000, &nbad) <= 20000);
    assert_true(nbad >= 2);
    fu_close(&src);
    const uint64_t cuts[] = {0, 11, 511, 512, m, m + 100, m + 1024, m + 3 * 1024 + 300};
    FmStats st = fm_mangle(dir, img, NULL, cuts, sizeof cuts / sizeof *cuts, 0, 512, 200, 0x47f5);
    assert_int_equal(st.variants, 208);
    assert_true(st.decoded > 30);
    st = fm_mangle(dir, img, &fmt_ntfs, cuts, 0, m, 4 * 1024, 200, 0x3f7);
    assert_int_equal(st.decoded, 200);
    assert_true(st.bad > 0);
    free(bad);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntfs_vs_ntfsinfo),
        cmocka_unit_test(test_ntfs_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
