/*
 * test_fmt: the structure tree's core (fmt.c, fmt-print.c) and the DOS
 * partition table decoder (fmt-mbr.c), against images sfdisk makes and
 * what `sfdisk --dump` says of them; hostile tables (counts and offsets
 * past the end, looping EBR chains) give malformed nodes, not hangs.
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

#include <cmocka.h>

#include "fmt.h"
#include "fmtutil.h"
#include "testutil.h"

/* An image of size MiB partitioned by sfdisk from script (a dos label). */
static char *dos_image(const char *dir, unsigned mib, const char *script)
{
    char *img = tu_path(dir, "disk.img");
    assert_int_equal(fu_sh("truncate -s %uM '%s' && printf '%s' | sfdisk -q '%s' >/dev/null", mib,
                           img, script, img),
                     0);
    return img;
}

static void test_mbr_vs_sfdisk(void **state)
{
    (void)state;
    if (!fu_have("sfdisk")) {
        print_message("skipped: sfdisk (package fdisk) is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = dos_image(dir, 64,
                          "label: dos\\n"
                          "start=2048, size=20480, type=83\\n"
                          "start=22528, size=10240, type=82, bootable\\n"
                          "start=32768, type=5\\n"
                          "start=34816, size=4096, type=83\\n"
                          "start=40960, size=4096, type=7\\n");
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "mbr");
    char *dump = fu_out("sfdisk --dump '%s'", img);
    assert_non_null(dump);
    /* Every line "img1 : start=  2048, size= 20480, type=83" of the dump
     * against the tree's values. */
    unsigned seen = 0;
    for (char *line = strtok(dump, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned part;
        uint64_t start, size;
        unsigned type;
        char *p = strstr(line, "disk.img");
        if (!p || sscanf(p, "disk.img%u : start= %" SCNu64 ", size= %" SCNu64 ", type=%x", &part,
                         &start, &size, &type) != 4)
            continue;
        char path[80];
        if (part <= 4) {
            snprintf(path, sizeof path, "partition %u/first LBA", part);
            assert_int_equal(fu_num(&src, &root, path), start);
            snprintf(path, sizeof path, "partition %u/sectors", part);
            assert_int_equal(fu_num(&src, &root, path), size);
            snprintf(path, sizeof path, "partition %u/type", part);
            assert_int_equal(fu_num(&src, &root, path), type);
        } else {
            /* Logical: LBAs relative to their EBR; the EBR chain is under
             * the extended partition's contents. */
            snprintf(path, sizeof path, "partition 3/logical partitions/partition %u", part);
            FmtNode e;
            assert_true(fu_find(&src, &root, path, &e));
            uint64_t rel = fu_num(&src, &e, "first LBA");
            assert_int_equal(e.a[1] / 512 + rel, start);
            assert_int_equal(fu_num(&src, &e, "sectors"), size);
            assert_int_equal(fu_num(&src, &e, "type"), type);
        }
        seen++;
    }
    assert_int_equal(seen, 5);
    assert_int_equal(fu_num(&src, &root, "partition 2/status"), 0x80);
    assert_int_equal(fu_num(&src, &root, "signature"), 0x55aa);
    /* The cursor in partition 1's sector count: the path names it. */
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, 446 + 12 + 1, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "partition 1");
    assert_string_equal(path[2].name, "sectors");
    assert_int_equal(fmt_insp(&path[2]), 5 /* INSP_U32 */);
    free(dump);
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

static int put_buf(const char *s, size_t n, void *ctx)
{
    FILE *f = ctx;
    return fwrite(s, 1, n, f) == n ? 0 : -EIO;
}

static void test_print_text_and_json(void **state)
{
    (void)state;
    if (!fu_have("sfdisk")) {
        print_message("skipped: sfdisk (package fdisk) is not installed\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *img = dos_image(dir, 8, "label: dos\\nstart=2048, type=83\\n");
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(fmt_print(&src, &root, 3, 100, 1000, false, put_buf, f), 0);
    fclose(f);
    assert_non_null(strstr(buf, "MBR @0x0 +8388608: DOS partition table\n"));
    assert_non_null(strstr(buf, "  partition 1 @0x1be +16: type 0x83 Linux\n"));
    assert_non_null(strstr(buf, "    first LBA @0x1c6 +4: 2048\n"));
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(fmt_print(&src, &root, 2, 2, 1000, true, put_buf, f), 0);
    fclose(f);
    assert_non_null(strstr(buf, "{\"name\":\"MBR\",\"offset\":0,\"size\":8388608"));
    assert_non_null(strstr(buf, "\"more\":5}"));
    if (fu_have("python3")) {
        char *js = tu_path(dir, "t.json");
        FILE *o = fopen(js, "w");
        fputs(buf, o);
        fclose(o);
        assert_int_equal(fu_sh("python3 -m json.tool '%s' >/dev/null", js), 0);
        free(js);
    }
    free(buf);
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

/* Hostile tables: LBAs past the end, an EBR that points at itself. */
static void test_mbr_hostile(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "bad.img");
    uint8_t b[4096] = {0};
    b[510] = 0x55, b[511] = 0xaa;
    uint8_t *e = b + 446;
    e[4] = 0x83;
    memcpy(e + 8, "\xff\xff\xff\xff", 4); /* LBA far past the end */
    memcpy(e + 12, "\xff\xff\xff\xff", 4);
    e += 16;
    e[4] = 0x05; /* extended at LBA 2, whose EBR links to itself */
    e[8] = 2;
    e[12] = 4;
    uint8_t *ebr = b + 1024;
    ebr[510] = 0x55, ebr[511] = 0xaa;
    ebr[446 + 4] = 0x83;
    ebr[446 + 8] = 1;
    ebr[446 + 16 + 4] = 0x05;
    ebr[446 + 16 + 8] = 0; /* lba 0: ends, but the next test makes it loop */
    FILE *f = fopen(img, "wb");
    fwrite(b, 1, sizeof b, f);
    fclose(f);
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "partition 1/contents", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x"));
    uint64_t bad = 0;
    assert_true(fu_walk(&src, &root, 8, 1000, 100000, &bad) < 100000);
    assert_true(bad >= 1);
    /* The EBR's link pointing back at itself: the chain stops at its cap. */
    f = fopen(img, "r+b");
    fseek(f, 1024 + 446 + 16 + 4, SEEK_SET);
    fputc(0x05, f);
    fseek(f, 1024 + 446 + 16 + 8, SEEK_SET);
    fputc(0, f);
    fclose(f);
    fu_close(&src);
    fu_open(img, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_walk(&src, &root, 6, 1000, 100000, NULL) < 100000);
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbr_vs_sfdisk),
        cmocka_unit_test(test_print_text_and_json),
        cmocka_unit_test(test_mbr_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
