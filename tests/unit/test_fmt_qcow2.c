/*
 * test_fmt_qcow2: the qcow2 decoder (fmt-qcow2.c) against images
 * qemu-img makes (v3 with a backing file and data written by qemu-io, v2
 * with 4 KiB clusters) and what `qemu-img info --output=json` and
 * `qemu-img map --output=json` print of them: the header's numbers, the
 * backing file's name, for every guest cluster holding data the host
 * offset the L1 and L2 entries give, and the snapshots `qemu-img snapshot`
 * makes (the table's runs of 256 reached too). Then a malformed corpus.
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
    if (fu_have("qemu-img"))
        return true;
    print_message("skipped: qemu-img (package qemu-utils) is not installed\n");
    return false;
}

/* The number after "key": in a JSON text. */
static uint64_t jnum(const char *js, const char *key)
{
    char k[80];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *s = strstr(js, k);
    if (!s)
        fail_msg("no %s in %s", key, js);
    return strtoull(s + strlen(k), NULL, 10);
}

/* The string after "key": (quoted, as the tree shows ASCII) into buf;
 * false when absent. */
static bool jstr(const char *js, const char *key, char *buf, size_t n)
{
    char k[80];
    snprintf(k, sizeof k, "\"%s\": \"", key);
    const char *s = strstr(js, k);
    if (!s)
        return false;
    s += strlen(k);
    snprintf(buf, n, "\"%.*s\"", (int)strcspn(s, "\""), s);
    return true;
}

static bool jtrue(const char *js, const char *key)
{
    char k[80];
    snprintf(k, sizeof k, "\"%s\": true", key);
    return strstr(js, k) != NULL;
}

/* Compare the header with qemu-img info, every data cluster with
 * qemu-img map: how many clusters were compared. */
static unsigned check_image(const char *img)
{
    char *info = fu_out("qemu-img info --output=json '%s'", img);
    assert_non_null(info);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "qcow2");
    assert_int_equal(fu_num(&src, &root, "header/magic"), 0x514649fb);
    assert_int_equal(fu_num(&src, &root, "header/size"), jnum(info, "virtual-size"));
    uint64_t cbits = fu_num(&src, &root, "header/cluster bits");
    assert_int_equal((uint64_t)1 << cbits, jnum(info, "cluster-size"));
    char want[256];
    assert_true(jstr(info, "compat", want, sizeof want));
    uint64_t version = fu_num(&src, &root, "header/version");
    assert_int_equal(version, strcmp(want, "\"1.1\"") == 0 ? 3 : 2);
    uint64_t rbits = version >= 3 ? 1u << fu_num(&src, &root, "header/refcount order") : 16;
    assert_int_equal(rbits, jnum(info, "refcount-bits"));
    if (version >= 3) {
        uint64_t inc = fu_num(&src, &root, "header/incompatible features");
        assert_int_equal(inc & 1, jtrue(info, "dirty-flag"));
        assert_int_equal(inc >> 1 & 1, jtrue(info, "corrupt"));
        assert_int_equal(inc >> 4 & 1, jtrue(info, "extended-l2"));
        assert_int_equal(fu_num(&src, &root, "header/compatible features") & 1,
                         jtrue(info, "lazy-refcounts"));
    }
    assert_true(fu_find(&src, &root, "backing file name", &n));
    if (jstr(info, "backing-filename", want, sizeof want))
        assert_string_equal(n.text, want);
    else
        assert_string_equal(n.text, "none");
    if (jstr(info, "backing-filename-format", want, sizeof want)) {
        assert_true(fu_find(&src, &root, "header extensions/extension 1/data", &n));
        assert_string_equal(n.text, want);
    }
    free(info);
    /* Every cluster qemu-img map says holds data, through L1 and L2. */
    char *map = fu_out("qemu-img map --output=json '%s'", img);
    assert_non_null(map);
    FmtNode l1;
    assert_true(fu_find(&src, &root, "L1 table", &l1));
    uint64_t cl = (uint64_t)1 << cbits, per_l2 = cl / 8;
    unsigned seen = 0;
    for (char *line = strtok(map, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strstr(line, "\"data\": true") || !strstr(line, "\"depth\": 0"))
            continue;
        uint64_t start = jnum(line, "start"), len = jnum(line, "length"),
                 off = jnum(line, "offset");
        for (uint64_t g = start; g < start + len; g += cl, off += cl) {
            uint64_t c = g >> cbits;
            FmtNode e1, e2;
            assert_int_equal(fmt_child(&src, &l1, c / per_l2, &e1), 0);
            assert_true(e1.nkids == per_l2);
            assert_int_equal(fmt_child(&src, &e1, c % per_l2, &e2), 0);
            uint64_t v = strtoull(e2.text, NULL, 16);
            assert_int_equal(v & 0x00fffffffffffe00ull, off);
            char note[64];
            snprintf(note, sizeof note, "guest 0x%" PRIx64 " at 0x%" PRIx64, g, off);
            assert_string_equal(e2.note, note);
            seen++;
        }
    }
    free(map);
    fu_close(&src);
    return seen;
}

static void test_qcow2_vs_qemu_img(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *base = tu_path(dir, "base.qcow2");
    char *img = tu_path(dir, "top.qcow2");
    char *raw = tu_path(dir, "data.raw");
    assert_int_equal(fu_sh("qemu-img create -q -f qcow2 '%s' 64M && "
                           "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 '%s' 128M",
                           base, img),
                     0);
    if (fu_have("qemu-io")) {
        assert_int_equal(fu_sh("qemu-io -c 'write -P 0xab 0 64k' -c 'write -P 0xcd 100M 192k' "
                               "'%s' >/dev/null",
                               img),
                         0);
        assert_int_equal(check_image(img), 4);
    } else {
        print_message("note: qemu-io is not installed; data written by qemu-img convert\n");
        assert_int_equal(check_image(img), 0);
    }
    /* v2, 4 KiB clusters, data from a raw file by qemu-img convert. */
    assert_int_equal(fu_sh("truncate -s 8M '%s' && printf 'hello' | dd of='%s' bs=1 seek=12345 "
                           "conv=notrunc status=none && printf 'world' | dd of='%s' bs=1 "
                           "seek=5000000 conv=notrunc status=none && qemu-img convert -O qcow2 "
                           "-o compat=0.10,cluster_size=4096 '%s' '%s'",
                           raw, raw, raw, raw, img),
                     0);
    assert_int_equal(check_image(img), 2);
    /* The status line: the cursor on the L1 table offset's low byte. */
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, path[FMT_DEPTH];
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    int k = fmt_path(&src, &root, 47, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "header");
    assert_string_equal(path[2].name, "L1 table offset");
    assert_int_equal(fmt_insp(&path[2]), 7 /* INSP_U64 */);
    FmtNode l1;
    assert_true(fu_find(&src, &root, "L1 table", &l1));
    k = fmt_path(&src, &root, l1.off + 8 + 2, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[2].name, "L1 entry 1");
    fu_close(&src);
    free(raw);
    free(img);
    free(base);
    tu_rmdir(dir);
}

/* Every snapshot qemu-img info lists against the snapshot table: how
 * many were compared. */
static unsigned check_snapshots(const FmtSrc *src, const FmtNode *root, const char *info)
{
    FmtNode t;
    assert_true(fu_find(src, root, "snapshots", &t));
    const char *s = strstr(info, "\"snapshots\": [");
    if (!s)
        return 0;
    const char *stop = strchr(s, ']'); /* the snapshots' objects hold no arrays */
    assert_non_null(stop);
    unsigned k = 0;
    while ((s = strchr(s, '{')) != NULL && s < stop) {
        const char *end = strchr(s, '}');
        assert_non_null(end);
        char obj[1024], path[64], want[128];
        snprintf(obj, sizeof obj, "%.*s", (int)(end - s), s);
        snprintf(path, sizeof path, "snapshot %u", k + 1);
        FmtNode e, n;
        assert_true(fu_find(src, &t, path, &e));
        assert_true(jstr(obj, "name", want, sizeof want));
        assert_true(fu_find(src, &e, "name", &n));
        assert_string_equal(n.text, want);
        assert_true(jstr(obj, "id", want, sizeof want));
        assert_true(fu_find(src, &e, "id", &n));
        assert_string_equal(n.text, want);
        assert_int_equal(fu_num(src, &e, "date sec"), jnum(obj, "date-sec"));
        assert_int_equal(fu_num(src, &e, "date nsec"), jnum(obj, "date-nsec"));
        assert_int_equal(fu_num(src, &e, "vm clock nsec"),
                         jnum(obj, "vm-clock-sec") * 1000000000u + jnum(obj, "vm-clock-nsec"));
        assert_int_equal(fu_num(src, &e, "vm state size"), jnum(obj, "vm-state-size"));
        s = end;
        k++;
    }
    return k;
}

static void test_qcow2_snapshots(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "snap.qcow2");
    assert_int_equal(fu_sh("qemu-img create -q -f qcow2 '%s' 16M && qemu-img snapshot -c first "
                           "'%s' && qemu-img snapshot -c 'before upgrade' '%s' && qemu-img "
                           "snapshot -c third '%s'",
                           img, img, img, img),
                     0);
    char *info = fu_out("qemu-img info --output=json '%s'", img);
    assert_non_null(info);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, t, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_int_equal(check_snapshots(&src, &root, info), 3);
    assert_true(fu_find(&src, &root, "snapshots", &t));
    assert_int_equal(t.nkids, 3);
    assert_true(fu_find(&src, &t, "snapshot 2", &n));
    assert_string_equal(n.text, "id 2 \"before upgrade\"");
    /* The status line inside snapshot 3's name. */
    FmtNode path[FMT_DEPTH], nm;
    assert_true(fu_find(&src, &t, "snapshot 3/name", &nm));
    int k = fmt_path(&src, &root, nm.off + 1, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[2].name, "snapshot 3");
    assert_string_equal(path[3].name, "name");
    uint64_t at = t.off;
    fu_close(&src);
    free(info);
    /* 600 entries claimed, 64 KiB of zeros after the 3 (empty entries of
     * 40 bytes): runs of 256, each reachable, every walk bounded. */
    assert_int_equal(fu_sh("truncate -s +64K '%s'", img), 0);
    fm_poke(img, 60, "\x00\x00\x02\x58", 4);
    fu_open(img, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "snapshots", &t));
    assert_int_equal(t.nkids, 257);
    assert_true(fu_find(&src, &t, "snapshot 2/name", &n));
    assert_string_equal(n.text, "\"before upgrade\"");
    FmtNode more, last;
    assert_true(fu_find(&src, &t, "snapshots 257-600", &more));
    assert_int_equal(more.nkids, 257);
    assert_true(fu_find(&src, &more, "snapshots 513-600", &last));
    assert_int_equal(last.nkids, 88);
    assert_true(fu_find(&src, &last, "snapshot 600", &n));
    assert_true(n.off > at);
    assert_true(fu_walk(&src, &root, 8, 300, 20000, NULL) <= 20001);
    /* The cursor in entry 300 is found through the runs. */
    assert_true(fu_find(&src, &more, "snapshot 300", &n));
    k = fmt_path(&src, &root, n.off + 2, path, FMT_DEPTH);
    assert_int_equal(k, 4); /* the run holding it stands in for the table */
    assert_string_equal(path[1].name, "snapshots 257-600");
    assert_string_equal(path[2].name, "snapshot 300");
    assert_string_equal(path[3].name, "L1 table offset");
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

static void put_be32(const char *img, uint64_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    fm_poke(img, off, b, 4);
}

static void test_qcow2_malformed(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "a.qcow2");
    char *bad = tu_path(dir, "bad.qcow2");
    assert_int_equal(fu_sh("qemu-img create -q -f qcow2 '%s' 1G", img), 0);
    if (fu_have("qemu-io"))
        assert_int_equal(fu_sh("qemu-io -c 'write 1M 64k' '%s' >/dev/null", img), 0);
    assert_int_equal(fu_sh("qemu-img rebase -u -b base.img -F raw '%s'", img), 0);
    assert_int_equal(fu_sh("cp '%s' '%s'", img, bad), 0);
    FmtSrc src;
    FmtNode root, n;
    /* L1 size 0xffffffff: clamped to the file. */
    put_be32(bad, 36, 0xffffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "L1 table", &n));
    assert_true(n.nkids < src.size / 8);
    assert_non_null(strstr(n.text, "fit in the file"));
    fu_close(&src);
    assert_true(fm_walk_file(bad, NULL) >= 0);
    /* The L1 table past the end; the backing name's size huge; cluster
     * bits 40. */
    put_be32(bad, 40, 0x7fffffff);
    put_be32(bad, 44, 0);
    put_be32(bad, 16, 0xffffffff);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "L1 table", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x28: offset 0x7fffffff00000000 lies past"));
    assert_true(fu_find(&src, &root, "backing file name", &n));
    assert_true(n.bad);
    fu_close(&src);
    put_be32(bad, 20, 40);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "L1 table", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "cluster bits 40"));
    assert_true(fu_find(&src, &root, "header/cluster bits", &n));
    assert_string_equal(n.note, "out of range (9..21)");
    fu_close(&src);
    /* A header extension whose length runs past the first cluster. */
    assert_int_equal(fu_sh("cp '%s' '%s'", img, bad), 0);
    put_be32(bad, 112 + 4, 0x7ffffff0);
    fu_open(bad, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "header extensions/extension 1", &n));
    assert_true(n.bad);
    fu_close(&src);
    const uint64_t cuts[] = {0, 4, 71, 72, 104, 200, 65536, 65537, 3 * 65536 + 4};
    FmStats st = fm_mangle(dir, img, NULL, cuts, sizeof cuts / sizeof *cuts, 0, 512, 200, 0xc0);
    assert_int_equal(st.variants, 209);
    assert_true(st.decoded > 50);
    free(bad);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qcow2_vs_qemu_img),
        cmocka_unit_test(test_qcow2_snapshots),
        cmocka_unit_test(test_qcow2_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
