/*
 * test_fmt_zip: the ZIP decoder (fmt-zip.c) against archives Info-ZIP's
 * zip makes in the test and what `zipinfo -v` and `unzip -Z1` say of them:
 * every entry's fields, its local header and data, the end record; a zip
 * of 2000 files reached through runs of 256 entries; and a malformed
 * corpus (cuts, huge counts, offsets past the end, a local header offset
 * pointing back into the central directory, random flips) that must give
 * malformed nodes, never a hang or a read past the end.
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

#include <cmocka.h>

static bool have_zip(void)
{
    if (fu_have("zip") && fu_have("zipinfo") && fu_have("unzip"))
        return true;
    print_message("skipped: zip or unzip (packages zip, unzip) is not installed\n");
    return false;
}

/* Entry idx (0-based) of the archive, through the runs of the central
 * directory: false when it is not there. */
static bool zip_entry(const FmtSrc *src, const FmtNode *root, uint64_t idx, FmtNode *out)
{
    FmtNode run;
    if (!fu_find(src, root, "central directory", &run))
        return false;
    while (idx >= 256) {
        FmtNode next;
        if (fmt_child(src, &run, 256, &next) < 0)
            return false;
        run = next;
        idx -= 256;
    }
    return fmt_child(src, &run, idx, out) == 0 && !out->bad;
}

/* The number after label in text (from label's end), or aborts. */
static uint64_t num_after(const char *text, const char *label, int base)
{
    const char *p = strstr(text, label);
    assert_non_null(p);
    return strtoull(p + strlen(label), NULL, base);
}

static unsigned month_of(const char *m)
{
    static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (unsigned i = 0; i < 12; i++)
        if (strncmp(m, names[i], 3) == 0)
            return i + 1;
    return 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *p = tu_path(dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static void test_zip_vs_zipinfo(void **state)
{
    (void)state;
    if (!have_zip())
        skip();
    char *dir = tu_mkdtemp();
    write_file(dir, "a.txt", "hello\n");
    assert_int_equal(fu_sh("cd '%s' && mkdir d && seq 1 1000 >d/b.txt && seq 5 900 >s.txt && "
                           "zip -q -r t.zip a.txt d && zip -q -0 t.zip s.txt",
                           dir),
                     0);
    char *zip = tu_path(dir, "t.zip");
    FmtSrc src;
    fu_open(zip, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "zip");
    assert_int_equal(root.len, src.size);
    char *info = fu_out("zipinfo -v '%s'", zip);
    assert_non_null(info);

    /* The end record. */
    uint64_t total = num_after(info, "central directory contains ", 10);
    assert_int_equal(total, 4);
    assert_int_equal(fu_num(&src, &root, "end of central directory/total entries"), total);
    assert_int_equal(fu_num(&src, &root, "end of central directory/central directory size"),
                     num_after(info, "The central directory is ", 10));
    assert_int_equal(fu_num(&src, &root, "end of central directory/central directory offset"),
                     num_after(info, "from the beginning of the zipfile\n  is ", 10));
    assert_int_equal(fu_num(&src, &root, "end of central directory/signature"), 0x06054b50);
    assert_int_equal(num_after(info, "Actual end-cent-dir record offset:", 10),
                     (fu_find(&src, &root, "end of central directory", &n), n.off));

    /* Each entry against its block of zipinfo -v. */
    unsigned seen = 0;
    for (uint64_t i = 0; i < total; i++) {
        char head[64];
        snprintf(head, sizeof head, "Central directory entry #%" PRIu64 ":", i + 1);
        char *at = strstr(info, head);
        assert_non_null(at);
        const char *next = strstr(at + 1, "Central directory entry #");
        char *blk = next ? strndup(at, (size_t)(next - at)) : strdup(at);
        char name[256];
        assert_int_equal(sscanf(strstr(blk, "---\n") + 4, " %255s", name), 1);
        FmtNode e;
        assert_true(zip_entry(&src, &root, i, &e));
        char want[300];
        snprintf(want, sizeof want, "entry %" PRIu64 " %s", i + 1, name);
        assert_string_equal(e.name, want);
        snprintf(want, sizeof want, "\"%s\"", name);
        assert_true(fu_find(&src, &e, "file name", &n));
        assert_string_equal(n.text, want);
        uint64_t lho = num_after(blk, "offset of local header from start of archive:", 10);
        assert_int_equal(fu_num(&src, &e, "local header offset"), lho);
        assert_int_equal(fu_num(&src, &e, "crc32"), num_after(blk, "32-bit CRC value (hex):", 16));
        uint64_t csize = num_after(blk, "compressed size:", 10);
        assert_int_equal(fu_num(&src, &e, "compressed size"), csize);
        assert_int_equal(fu_num(&src, &e, "uncompressed size"),
                         num_after(blk, "uncompressed size:", 10));
        assert_int_equal(fu_num(&src, &e, "name length"),
                         num_after(blk, "length of filename:", 10));
        assert_int_equal(fu_num(&src, &e, "extra length"),
                         num_after(blk, "length of extra field:", 10));
        assert_int_equal(fu_num(&src, &e, "comment length"),
                         num_after(blk, "length of file comment:", 10));
        /* Method: zipinfo's words against the number and its note. */
        bool stored = strstr(blk, "compression method:                             none (stored)");
        bool deflated = strstr(blk, "compression method:                             deflated");
        assert_true(stored || deflated);
        assert_int_equal(fu_num(&src, &e, "method"), stored ? 0 : 8);
        assert_true(fu_find(&src, &e, "method", &n));
        assert_string_equal(n.note, stored ? "stored" : "deflated");
        /* DOS date and time: "2026 Dec 6 02:33:08". */
        unsigned y, d, hh, mm, ss;
        char mon[8];
        const char *dt = strstr(blk, "(DOS date/time):");
        assert_non_null(dt);
        assert_int_equal(sscanf(dt + 16, " %u %7s %u %u:%u:%u", &y, mon, &d, &hh, &mm, &ss), 6);
        assert_true(fu_find(&src, &e, "mod date", &n));
        snprintf(want, sizeof want, "%04u-%02u-%02u", y, month_of(mon), d);
        assert_string_equal(n.note, want);
        assert_true(fu_find(&src, &e, "mod time", &n));
        snprintf(want, sizeof want, "%02u:%02u:%02u", hh, mm, ss);
        assert_string_equal(n.note, want);
        /* Unix mode: "Unix file attributes (100644 octal): -rw-r--r--". */
        const char *ua = strstr(blk, "Unix file attributes (");
        assert_non_null(ua);
        char mode[16], perm[16];
        assert_int_equal(sscanf(ua, "Unix file attributes (%15s octal): %15s", mode, perm), 2);
        assert_true(fu_find(&src, &e, "external attrs", &n));
        snprintf(want, sizeof want, "%s %s", mode, perm);
        assert_string_equal(n.note, want);
        assert_true(fu_find(&src, &e, "version made by", &n));
        assert_non_null(strstr(n.note, "Unix"));
        /* The local header and its data. */
        FmtNode l, data;
        assert_true(fu_find(&src, &e, "local header", &l));
        assert_false(l.bad);
        assert_int_equal(l.off, lho);
        assert_int_equal(fu_num(&src, &l, "signature"), 0x04034b50);
        assert_int_equal(fu_num(&src, &l, "crc32"), fu_num(&src, &e, "crc32"));
        assert_true(fu_find(&src, &l, "file name", &n));
        snprintf(want, sizeof want, "\"%s\"", name);
        assert_string_equal(n.text, want);
        assert_true(fu_find(&src, &l, "data", &data));
        assert_int_equal(data.len, csize);
        assert_int_equal(data.off + data.len, l.off + l.len);
        if (strcmp(name, "s.txt") == 0) {
            /* Stored: the data are the file's bytes. */
            char *orig = fu_out("cat '%s/s.txt'", dir);
            assert_non_null(orig);
            assert_int_equal(strlen(orig), csize);
            char *got = malloc(csize);
            tu_pread(zip, data.off, got, csize);
            assert_memory_equal(got, orig, csize);
            /* The cursor in its data: the status line names the file. */
            FmtNode path[FMT_DEPTH];
            assert_int_equal(fmt_path(&src, &root, data.off + 3, path, FMT_DEPTH), 4);
            assert_string_equal(path[1].name, "local files");
            assert_string_equal(path[2].name, "file 4 s.txt");
            assert_string_equal(path[3].name, "data");
            free(got);
            free(orig);
        }
        /* The extra fields zipinfo lists. */
        FmtNode x;
        assert_true(fu_find(&src, &e, "extra fields", &x));
        if (strstr(blk, "ID 0x5455")) {
            assert_true(fu_find(&src, &x, "extra 0x5455", &n));
            assert_string_equal(n.text, "extended timestamp");
        }
        if (strstr(blk, "ID 0x7875"))
            assert_true(fu_find(&src, &x, "extra 0x7875", &n));
        free(blk);
        seen++;
    }
    assert_int_equal(seen, 4);

    /* The status line: the cursor in entry 2's crc32. */
    FmtNode e2, path[FMT_DEPTH];
    assert_true(zip_entry(&src, &root, 1, &e2));
    int k = fmt_path(&src, &root, e2.off + 17, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[1].name, "central directory");
    assert_string_equal(path[2].name, "entry 2 d/");
    assert_string_equal(path[3].name, "crc32");
    assert_int_equal(fmt_insp(&path[3]), 5 /* INSP_U32 */);
    /* And in the end record's entry count. */
    assert_true(fu_find(&src, &root, "end of central directory", &n));
    k = fmt_path(&src, &root, n.off + 10, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[2].name, "total entries");

    free(info);
    fu_close(&src);
    free(zip);
    tu_rmdir(dir);
}

/* zip -fz: ZIP64 end record and locator, sizes in ZIP64 extra fields. */
static void test_zip64(void **state)
{
    (void)state;
    if (!have_zip())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(fu_sh("cd '%s' && echo hello >a.txt && seq 1 2000 >b.txt && "
                           "zip -q -fz z.zip a.txt b.txt",
                           dir),
                     0);
    char *zip = tu_path(dir, "z.zip");
    char *info = fu_out("zipinfo -v '%s'", zip);
    assert_non_null(info);
    FmtSrc src;
    fu_open(zip, &src);
    FmtNode root, rec, loc;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_int_equal(root.nkids, 5);
    assert_true(fu_find(&src, &root, "ZIP64 end of central directory", &rec));
    assert_true(fu_find(&src, &root, "ZIP64 end of central directory locator", &loc));
    assert_int_equal(fu_num(&src, &rec, "signature"), 0x06064b50);
    assert_int_equal(fu_num(&src, &loc, "ZIP64 end record offset"), rec.off);
    assert_int_equal(fu_num(&src, &rec, "total entries"),
                     num_after(info, "central directory contains ", 10));
    assert_int_equal(fu_num(&src, &rec, "central directory offset"),
                     num_after(info, "from the beginning of the zipfile\n  is ", 10));
    assert_int_equal(fu_num(&src, &rec, "central directory size"),
                     num_after(info, "The central directory is ", 10));
    /* The 32-bit offset in the end record says "see ZIP64". */
    assert_int_equal(fu_num(&src, &root, "end of central directory/central directory offset"),
                     0xffffffff);
    for (uint64_t i = 0; i < 2; i++) {
        char head[64];
        snprintf(head, sizeof head, "Central directory entry #%" PRIu64 ":", i + 1);
        char *at = strstr(info, head);
        assert_non_null(at);
        FmtNode e, l, d;
        assert_true(zip_entry(&src, &root, i, &e));
        uint64_t usize = num_after(at, "uncompressed size:", 10);
        uint64_t csize = num_after(at, "compressed size:", 10);
        /* zip -fz puts the uncompressed size in the ZIP64 extra. */
        assert_int_equal(fu_num(&src, &e, "uncompressed size"), 0xffffffff);
        assert_int_equal(fu_num(&src, &e, "extra fields/extra 0x0001/uncompressed size"), usize);
        char want[64];
        snprintf(want, sizeof want, "%s, %" PRIu64 " bytes", i ? "deflated" : "stored", usize);
        assert_string_equal(e.text, want);
        assert_true(fu_find(&src, &e, "local header", &l));
        assert_false(l.bad);
        assert_int_equal(l.off, num_after(at, "offset of local header from start of archive:", 10));
        assert_true(fu_find(&src, &l, "data", &d));
        assert_int_equal(d.len, csize);
        /* The local ZIP64 extra holds both sizes. */
        assert_int_equal(fu_num(&src, &l, "extra fields/extra 0x0001/uncompressed size"), usize);
        assert_int_equal(fu_num(&src, &l, "extra fields/extra 0x0001/compressed size"), csize);
    }
    free(info);
    fu_close(&src);
    free(zip);
    tu_rmdir(dir);
}

/* zip writing to a pipe: data descriptors after the data (flag bit 3). */
static void test_zip_stream_descriptor(void **state)
{
    (void)state;
    if (!have_zip())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(fu_sh("cd '%s' && seq 1 3000 | zip -q - - | cat >s.zip", dir), 0);
    char *zip = tu_path(dir, "s.zip");
    char *info = fu_out("zipinfo -v '%s'", zip);
    assert_non_null(info);
    assert_non_null(strstr(info, "extended local header:                          yes"));
    FmtSrc src;
    fu_open(zip, &src);
    FmtNode root, e, l, d, n, cd;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(zip_entry(&src, &root, 0, &e));
    assert_true(fu_find(&src, &e, "local header", &l));
    assert_true(fu_find(&src, &l, "data descriptor", &d));
    assert_int_equal(fu_num(&src, &d, "signature"), 0x08074b50);
    assert_int_equal(fu_num(&src, &d, "crc32"), num_after(info, "32-bit CRC value (hex):", 16));
    assert_int_equal(fu_num(&src, &d, "compressed size"), num_after(info, "compressed size:", 10));
    assert_int_equal(fu_num(&src, &d, "uncompressed size"),
                     num_after(info, "uncompressed size:", 10));
    assert_true(fu_find(&src, &l, "data", &n));
    assert_int_equal(n.off + n.len, d.off);
    /* The descriptor ends where the central directory starts. */
    assert_true(fu_find(&src, &root, "central directory", &cd));
    assert_int_equal(d.off + d.len, cd.off);
    assert_int_equal(l.off + l.len, cd.off);
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, d.off + d.len - 1, path, FMT_DEPTH);
    assert_int_equal(k, 5);
    assert_string_equal(path[3].name, "data descriptor");
    assert_string_equal(path[4].name, "uncompressed size");
    free(info);
    fu_close(&src);
    free(zip);
    tu_rmdir(dir);
}

static void test_zip_2000_runs(void **state)
{
    (void)state;
    if (!have_zip())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(fu_sh("cd '%s' && mkdir f && for i in $(seq 1 2000); do echo $i >f/n$i; done "
                           "&& zip -q -r big.zip f",
                           dir),
                     0);
    char *zip = tu_path(dir, "big.zip");
    char *list = fu_out("unzip -Z1 '%s'", zip);
    assert_non_null(list);
    char **names = calloc(2100, sizeof *names);
    unsigned nn = 0;
    for (char *l = strtok(list, "\n"); l && nn < 2100; l = strtok(NULL, "\n"))
        names[nn++] = l;
    assert_int_equal(nn, 2001); /* the directory and its files */
    FmtSrc src;
    fu_open(zip, &src);
    FmtNode root, cd, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "central directory", &cd));
    assert_int_equal(cd.nkids, 257);
    assert_string_equal(cd.text, "2001 entries");
    assert_true(fu_find(&src, &cd, "entries 257-512", &n));
    assert_true(fu_find(&src, &cd, "entries 257-512/entries 513-768", &n));
    static const unsigned picks[] = {0, 255, 256, 511, 1499, 1500, 2000};
    for (size_t i = 0; i < sizeof picks / sizeof *picks; i++) {
        FmtNode e, fn;
        assert_true(zip_entry(&src, &root, picks[i], &e));
        assert_true(fu_find(&src, &e, "file name", &fn));
        char want[64];
        snprintf(want, sizeof want, "\"%s\"", names[picks[i]]);
        assert_string_equal(fn.text, want);
        /* The cursor on that entry's name: found through the runs. */
        FmtNode path[FMT_DEPTH];
        int k = fmt_path(&src, &root, fn.off, path, FMT_DEPTH);
        assert_true(k >= 3);
        assert_string_equal(path[k - 1].name, "file name");
        assert_string_equal(path[k - 2].name, e.name);
        /* And on its local header's name, through the local files' runs. */
        FmtNode l;
        assert_true(fu_find(&src, &e, "local header", &l));
        k = fmt_path(&src, &root, l.off + 31, path, FMT_DEPTH);
        assert_true(k >= 3);
        /* The run holding it stands in for "local files" (fmt_path
         * follows the runs without taking levels). */
        assert_true(!strcmp(path[1].name, "local files") || !strncmp(path[1].name, "files ", 6));
        assert_string_equal(path[k - 1].name, "file name");
        snprintf(want, sizeof want, "file %u %s", picks[i] + 1, names[picks[i]]);
        assert_string_equal(path[k - 2].name, want);
    }
    /* Entry 1501 (index 1500) is in the sixth run. */
    FmtNode e;
    assert_true(zip_entry(&src, &root, 1500, &e));
    char want[64];
    snprintf(want, sizeof want, "entry 1501 %s", names[1500]);
    assert_string_equal(e.name, want);
    /* Past the last entry there is none. */
    assert_false(zip_entry(&src, &root, 2001, &e));
    free(names);
    free(list);
    fu_close(&src);
    free(zip);
    tu_rmdir(dir);
}

/* ---- the malformed corpus ---- */

/* Detect and walk what b holds; the number of malformed nodes. */
static uint64_t walk_bytes(const char *path, const uint8_t *b, size_t len, bool must_detect)
{
    fu_spit(path, b, len);
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root;
    uint64_t bad = 0;
    int rc = fmt_root(&src, &fmt_zip, 0, &root);
    if (must_detect)
        assert_int_equal(rc, 0);
    if (rc == 0)
        assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
    FmtNode any;
    if (fmt_detect(&src, 0, &any) == 0)
        fu_walk(&src, &any, 8, 300, 20000, NULL);
    fu_close(&src);
    return bad;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

static void test_zip_malformed(void **state)
{
    (void)state;
    if (!have_zip())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(fu_sh("cd '%s' && seq 1 300 >a && seq 1 50 >b && mkdir c && "
                           "zip -q -r t.zip a b c",
                           dir),
                     0);
    char *zip = tu_path(dir, "t.zip"), *bad = tu_path(dir, "bad.zip");
    size_t len;
    uint8_t *orig = fu_slurp(zip, &len);
    uint8_t *b = malloc(len);
    size_t eocd = len - 22;
    assert_int_equal(orig[eocd], 'P');
    assert_int_equal(orig[eocd + 3], 6);
    uint32_t cdoff = orig[eocd + 16] | (uint32_t)orig[eocd + 17] << 8;

    /* Truncations: every cut point gives a tree that ends. */
    static const size_t cuts[] = {4, 10, 30, 100, 200, 400};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
        if (cuts[i] < len)
            walk_bytes(bad, orig, cuts[i], true);
    for (size_t cut = cdoff; cut < len; cut += 7)
        walk_bytes(bad, orig, cut, true);

    /* Entry count 0xffff: clamped to what fits, the excess entries bad. */
    memcpy(b, orig, len);
    b[eocd + 8] = b[eocd + 9] = b[eocd + 10] = b[eocd + 11] = 0xff;
    assert_true(walk_bytes(bad, b, len, true) >= 1);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, cd, e;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_true(fu_find(&src, &root, "central directory", &cd));
        assert_true(cd.nkids <= 257);
        assert_int_equal(fmt_child(&src, &cd, 3, &e), 0);
        assert_true(e.bad);
        assert_non_null(strstr(e.text, "malformed at 0x"));
        fu_close(&src);
    }

    /* Central directory offset past the end. */
    memcpy(b, orig, len);
    put32(b + eocd + 16, 0xfffffff0);
    put32(b + eocd + 12, 0x7fffffff);
    assert_true(walk_bytes(bad, b, len, true) >= 1);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, cd;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_true(fu_find(&src, &root, "central directory", &cd));
        assert_true(cd.bad);
        fu_close(&src);
    }

    /* Entry 1's local header offset pointing back at the central
     * directory itself; entry 2's name length running past the end. */
    memcpy(b, orig, len);
    put32(b + cdoff + 42, cdoff);
    assert_true(walk_bytes(bad, b, len, true) >= 1);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, e, l;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_true(zip_entry(&src, &root, 0, &e));
        assert_true(fu_find(&src, &e, "local header", &l));
        assert_true(l.bad);
        assert_non_null(strstr(l.text, "no local header signature"));
        fu_close(&src);
    }
    memcpy(b, orig, len);
    {
        /* Entry 1's name length: 0xffff. */
        b[cdoff + 28] = b[cdoff + 29] = 0xff;
        walk_bytes(bad, b, len, true);
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, cd, e;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_true(fu_find(&src, &root, "central directory", &cd));
        assert_int_equal(fmt_child(&src, &cd, 1, &e), 0);
        assert_true(e.bad);
        fu_close(&src);
    }

    /* No end record at all: the root says so in a malformed node. */
    memcpy(b, orig, len);
    b[eocd] = 'X';
    assert_true(walk_bytes(bad, b, len, true) >= 1);

    /* 200 random byte flips in the headers (fixed seed). */
    srand(20261206);
    for (int m = 0; m < 200; m++) {
        memcpy(b, orig, len);
        for (int f = 0; f < 4; f++) {
            size_t at = (size_t)rand() % (len - cdoff) + cdoff;
            if (f == 0 && m % 3 == 0)
                at = (size_t)rand() % 64; /* the first local header */
            b[at] = (uint8_t)rand();
        }
        walk_bytes(bad, b, len, false);
    }
    free(b);
    free(orig);
    free(bad);
    free(zip);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_vs_zipinfo),        cmocka_unit_test(test_zip64),
        cmocka_unit_test(test_zip_stream_descriptor), cmocka_unit_test(test_zip_2000_runs),
        cmocka_unit_test(test_zip_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
