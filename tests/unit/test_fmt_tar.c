/*
 * test_fmt_tar: the tar decoder (fmt-tar.c) against archives GNU tar makes
 * in the test and what `tar -tvf` (and --numeric-owner) says of them: each
 * member's type and permissions, owner, group, ids, size, time, name (a
 * GNU long name read from its 'L' member), link target; the checksum
 * checked; a POSIX ustar archive's prefix; pax records (path, mtime); a
 * tar of 1000 files reached through runs of 256 members; and a malformed
 * corpus (cuts, sizes past the end, bad checksums, random flips) that must
 * give malformed nodes, never a hang or a read past the end.
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
#include "fmtmangle.h"
#include "fmtutil.h"
#include "testutil.h"

#include <cmocka.h>

static bool have_tar(void)
{
    if (fu_have("tar") && fu_sh("tar --version | grep -q 'GNU tar'") == 0)
        return true;
    print_message("skipped: GNU tar (package tar) is not installed\n");
    return false;
}

/* Member idx (0-based) of the archive, through the runs. */
static bool tar_member(const FmtSrc *src, const FmtNode *root, uint64_t idx, FmtNode *out)
{
    FmtNode run = *root;
    while (idx >= 256) {
        FmtNode next;
        if (run.nkids != 257 || fmt_child(src, &run, 256, &next) < 0 || next.bad)
            return false;
        run = next;
        idx -= 256;
    }
    return idx + 1 < run.nkids && fmt_child(src, &run, idx, out) == 0 && !out->bad;
}

static char *text_of(const FmtSrc *src, const FmtNode *n, const char *path)
{
    FmtNode k;
    assert_true(fu_find(src, n, path, &k));
    return strdup(k.text);
}

static char *note_of(const FmtSrc *src, const FmtNode *n, const char *path)
{
    FmtNode k;
    assert_true(fu_find(src, n, path, &k));
    return strdup(k.note);
}

/* One line of tar -tvf: "-rw-r--r-- root/root 3 2026-12-06 02:37 a.txt". */
typedef struct Line {
    char perm[16], owner[64], date[16], time[8], name[512];
    uint64_t size;
} Line;

static bool parse_line(const char *l, Line *out)
{
    int used = 0;
    if (sscanf(l, "%15s %63s %" SCNu64 " %15s %7s %n", out->perm, out->owner, &out->size, out->date,
               out->time, &used) != 5)
        return false;
    snprintf(out->name, sizeof out->name, "%s", l + used);
    return true;
}

static void check_archive(const char *dir, const char *tarball, unsigned want_lines)
{
    char *verbose = fu_out("cd '%s' && TZ=UTC tar -tvf '%s'", dir, tarball);
    char *numeric = fu_out("cd '%s' && TZ=UTC tar --numeric-owner -tvf '%s'", dir, tarball);
    assert_non_null(verbose);
    assert_non_null(numeric);
    char *path = tu_path(dir, tarball);
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "tar");
    char *sv = NULL, *sn = NULL;
    char *lv = strtok_r(verbose, "\n", &sv), *ln = strtok_r(numeric, "\n", &sn);
    uint64_t idx = 0;
    unsigned lines = 0;
    for (; lv && ln; lv = strtok_r(NULL, "\n", &sv), ln = strtok_r(NULL, "\n", &sn)) {
        Line v, n;
        assert_true(parse_line(lv, &v));
        assert_true(parse_line(ln, &n));
        FmtNode m;
        assert_true(tar_member(&src, &root, idx++, &m));
        char longname[1024] = "";
        if (strstr(m.text, "GNU long name")) {
            /* The name is the data of this 'L' member, for the next. */
            FmtNode d;
            assert_true(fu_find(&src, &m, "data", &d));
            assert_true(d.len < sizeof longname);
            tu_pread(path, d.off, longname, d.len);
            longname[d.len] = 0;
            assert_true(tar_member(&src, &root, idx++, &m));
        }
        /* Type and permissions: "-rw-r--r--" against typeflag and mode. */
        char *mode = note_of(&src, &m, "mode"), *type = note_of(&src, &m, "typeflag");
        assert_string_equal(mode, v.perm + 1);
        char t = v.perm[0];
        assert_string_equal(type, t == 'd'   ? "directory"
                                  : t == 'l' ? "symbolic link"
                                             : "regular file");
        free(mode);
        free(type);
        /* Owner and ids. */
        char *un = text_of(&src, &m, "uname"), *gn = text_of(&src, &m, "gname");
        char owner[200];
        snprintf(owner, sizeof owner, "%.*s/%.*s", (int)strlen(un) - 2, un + 1, (int)strlen(gn) - 2,
                 gn + 1);
        /* A user or group without a name: tar prints its number. */
        if (strcmp(un, "\"\"") != 0 && strcmp(gn, "\"\"") != 0)
            assert_string_equal(owner, v.owner);
        free(un);
        free(gn);
        snprintf(owner, sizeof owner, "%" PRIu64 "/%" PRIu64, fu_num(&src, &m, "uid"),
                 fu_num(&src, &m, "gid"));
        assert_string_equal(owner, n.owner);
        assert_int_equal(fu_num(&src, &m, "size"), v.size);
        /* Time, in UTC as tar printed it. */
        char *mt = note_of(&src, &m, "mtime");
        char when[40];
        snprintf(when, sizeof when, "%s %s", v.date, v.time);
        assert_memory_equal(mt, when, strlen(when));
        free(mt);
        /* The checksum holds. */
        char *sum = note_of(&src, &m, "checksum");
        assert_string_equal(sum, "checksum ok");
        free(sum);
        /* Name (and link target). */
        char *arrow = strstr(v.name, " -> ");
        if (arrow) {
            *arrow = 0;
            char *lk = text_of(&src, &m, "linkname");
            char want[600];
            snprintf(want, sizeof want, "\"%s\"", arrow + 4);
            assert_string_equal(lk, want);
            free(lk);
        }
        if (longname[0]) {
            assert_string_equal(longname, v.name);
        } else {
            /* ustar: prefix "/" name; GNU: the name alone. The fields'
             * bytes, as the node's text shows only their start. */
            FmtNode nm, pre;
            char name[101] = "", prefix[156] = "", full[300];
            assert_true(fu_find(&src, &m, "name", &nm));
            assert_int_equal(nm.len, 100);
            tu_pread(path, nm.off, name, 100);
            if (fu_find(&src, &m, "prefix", &pre)) {
                assert_int_equal(pre.len, 155);
                tu_pread(path, pre.off, prefix, 155);
            }
            snprintf(full, sizeof full, "%s%s%s", prefix, prefix[0] ? "/" : "", name);
            assert_string_equal(full, v.name);
            assert_memory_equal(nm.text + 1, name, strlen(nm.text) - 2);
        }
        lines++;
    }
    assert_int_equal(lines, want_lines);
    /* After the last member: the two zero blocks. */
    FmtNode run = root, end;
    while (run.nkids == 257 && fmt_child(&src, &run, 256, &end) == 0 && !end.bad &&
           strncmp(end.name, "members", 7) == 0)
        run = end;
    assert_int_equal(fmt_child(&src, &run, run.nkids - 1, &end), 0);
    assert_string_equal(end.name, "end of archive");
    assert_false(end.bad);
    assert_int_equal(end.len, 1024);
    fu_close(&src);
    free(path);
    free(verbose);
    free(numeric);
}

static void test_tar_vs_tar_tvf(void **state)
{
    (void)state;
    if (!have_tar())
        skip();
    char *dir = tu_mkdtemp();
    char longname[200];
    memset(longname, 'x', 120);
    memcpy(longname, "long-", 5);
    longname[120] = 0;
    assert_int_equal(fu_sh("cd '%s' && echo hi >a.txt && mkdir d && seq 1 3000 >d/b.txt && "
                           "ln -s a.txt lnk && echo long >%s && "
                           "tar --format=gnu -cf t.tar a.txt d lnk %s",
                           dir, longname, longname),
                     0);
    check_archive(dir, "t.tar", 5);

    /* The status line: the cursor in member 3's size (d/b.txt). */
    char *path = tu_path(dir, "t.tar");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, m, p[FMT_DEPTH];
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_non_null(strstr(root.text, "GNU tar archive"));
    assert_true(tar_member(&src, &root, 2, &m));
    assert_string_equal(m.name, "member 3 d/b.txt");
    int k = fmt_path(&src, &root, m.off + 124 + 5, p, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(p[1].name, "member 3 d/b.txt");
    assert_string_equal(p[2].name, "size");
    /* In its data. */
    k = fmt_path(&src, &root, m.off + 512 + 100, p, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(p[2].name, "data");
    assert_int_equal(p[2].len, fu_num(&src, &m, "size"));
    /* In the zeros after it, up to the block's end. */
    k = fmt_path(&src, &root, m.off + m.len - 1, p, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(p[2].name, "padding");
    assert_int_equal(p[2].off, m.off + 512 + fu_num(&src, &m, "size"));
    fu_close(&src);
    free(path);
    tu_rmdir(dir);
}

static void test_tar_ustar_prefix(void **state)
{
    (void)state;
    if (!have_tar())
        skip();
    char *dir = tu_mkdtemp();
    /* A path of 150 bytes: ustar splits it into prefix and name. */
    assert_int_equal(fu_sh("cd '%s' && d=$(printf 'p%%.0s' $(seq 1 70))/$(printf 'q%%.0s' "
                           "$(seq 1 40)) && mkdir -p $d && echo x >$d/file-of-some-length.txt && "
                           "tar --format=ustar -cf u.tar $d/file-of-some-length.txt",
                           dir),
                     0);
    check_archive(dir, "u.tar", 1);
    char *path = tu_path(dir, "u.tar");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, m;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_non_null(strstr(root.text, "POSIX ustar"));
    assert_true(tar_member(&src, &root, 0, &m));
    char *magic = text_of(&src, &m, "magic");
    assert_string_equal(magic, "\"ustar\"");
    free(magic);
    fu_close(&src);
    free(path);
    tu_rmdir(dir);
}

/* POSIX pax: the extended header's records (path for a long name, mtime)
 * against tar -tvf and the member's own header. */
static void test_tar_pax(void **state)
{
    (void)state;
    if (!have_tar())
        skip();
    char *dir = tu_mkdtemp();
    char longname[200];
    memset(longname, 'y', 130);
    memcpy(longname, "pax-", 4);
    longname[130] = 0;
    assert_int_equal(fu_sh("cd '%s' && echo hi >a.txt && echo long >%s && "
                           "tar --format=posix -cf p.tar a.txt %s",
                           dir, longname, longname),
                     0);
    char *list = fu_out("cd '%s' && tar -tf p.tar", dir);
    assert_non_null(list);
    char *path = tu_path(dir, "p.tar");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, x, m, rec, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    /* The long name's pax header: the last before the last member (tar
     * may write one for a.txt too, for its times). */
    uint64_t nm = root.nkids - 1, xi = 0;
    for (uint64_t i = 0; i + 1 < nm; i++)
        if (tar_member(&src, &root, i, &x) && strstr(x.text, "pax extended header"))
            xi = i;
    assert_int_equal(xi, nm - 2);
    assert_true(tar_member(&src, &root, xi, &x));
    assert_true(fu_find(&src, &x, "pax records", &n));
    assert_false(n.bad);
    assert_true(fu_find(&src, &n, "path", &rec));
    char got[300] = "";
    assert_true(rec.len < sizeof got);
    tu_pread(path, rec.off, got, rec.len);
    char want[300];
    snprintf(want, sizeof want, "a.txt\n%s\n", got);
    assert_string_equal(list, want);
    /* The record's mtime is the member's, with its fraction. */
    assert_true(tar_member(&src, &root, xi + 1, &m));
    if (fu_find(&src, &n, "mtime", &rec)) {
        memset(got, 0, sizeof got);
        tu_pread(path, rec.off, got, rec.len < 40 ? rec.len : 40);
        assert_int_equal(strtoull(got, NULL, 10), fu_num(&src, &m, "mtime"));
    }
    /* The cursor in the path record's value. */
    assert_true(fu_find(&src, &n, "path", &rec));
    FmtNode p[FMT_DEPTH];
    int k = fmt_path(&src, &root, rec.off + 50, p, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(p[2].name, "pax records");
    assert_string_equal(p[3].name, "path");
    fu_close(&src);
    free(path);
    free(list);
    tu_rmdir(dir);
}

static void test_tar_1000_runs(void **state)
{
    (void)state;
    if (!have_tar())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(fu_sh("cd '%s' && mkdir f && for i in $(seq 1 1000); do echo $i >f/n$i; done "
                           "&& tar -cf big.tar f/n*",
                           dir),
                     0);
    char *list = fu_out("cd '%s' && tar -tf big.tar", dir);
    assert_non_null(list);
    char *names[1001];
    unsigned nn = 0;
    for (char *l = strtok(list, "\n"); l && nn < 1001; l = strtok(NULL, "\n"))
        names[nn++] = l;
    assert_int_equal(nn, 1000);
    char *path = tu_path(dir, "big.tar");
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_int_equal(root.nkids, 257);
    assert_true(fu_find(&src, &root, "members 257-512/members 513-768/members 769-1000", &n));
    assert_int_equal(n.nkids, 233); /* 232 members and the end */
    static const unsigned picks[] = {0, 255, 256, 799, 999};
    for (size_t i = 0; i < sizeof picks / sizeof *picks; i++) {
        FmtNode m;
        assert_true(tar_member(&src, &root, picks[i], &m));
        char want[80];
        snprintf(want, sizeof want, "member %u %s", picks[i] + 1, names[picks[i]]);
        assert_string_equal(m.name, want);
        /* The cursor in its uid: reached through the runs. */
        FmtNode p[FMT_DEPTH];
        int k = fmt_path(&src, &root, m.off + 110, p, FMT_DEPTH);
        assert_true(k >= 3);
        assert_string_equal(p[k - 2].name, want);
        assert_string_equal(p[k - 1].name, "uid");
    }
    assert_false(tar_member(&src, &root, 1000, &n));
    fu_close(&src);
    free(path);
    free(list);
    tu_rmdir(dir);
}

/* ---- the malformed corpus ---- */

/* Walk b as tar (when the root can be made) and as whatever is detected:
 * the malformed nodes seen, or -1 when no root could be made. */
static int64_t walk_bytes(const char *path, const uint8_t *b, size_t len)
{
    fu_spit(path, b, len);
    fm_walk_file(path, NULL); /* and as whatever is detected */
    return fm_walk_file(path, &fmt_tar);
}

/* Rewrite the checksum of the header at h after a planted change. */
static void fix_sum(uint8_t *h)
{
    unsigned s = 0;
    for (int i = 0; i < 512; i++)
        s += i >= 148 && i < 156 ? ' ' : h[i];
    snprintf((char *)h + 148, 8, "%06o", s);
}

static void test_tar_malformed(void **state)
{
    (void)state;
    if (!have_tar())
        skip();
    char *dir = tu_mkdtemp();
    assert_int_equal(fu_sh("cd '%s' && seq 1 300 >a && seq 1 50 >b && mkdir c && ln -s a l && "
                           "tar -cf t.tar a b c l",
                           dir),
                     0);
    char *tarball = tu_path(dir, "t.tar"), *bad = tu_path(dir, "bad.tar");
    size_t len;
    uint8_t *orig = fu_slurp(tarball, &len);
    uint8_t *b = malloc(len);

    /* Truncations, inside headers and inside data. */
    for (size_t cut = 100; cut < len; cut += 333)
        walk_bytes(bad, orig, cut);
    /* Cut right after member 1's data: the end is missing. */
    assert_true(walk_bytes(bad, orig, 512 + 1536) >= 1);

    /* A size far past the end (checksum fixed so it is believed). */
    memcpy(b, orig, len);
    snprintf((char *)b + 124, 12, "%011o", 07777777777u);
    fix_sum(b);
    assert_true(walk_bytes(bad, b, len) >= 1);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, m, d;
        assert_int_equal(fmt_root(&src, &fmt_tar, 0, &root), 0);
        assert_int_equal(fmt_child(&src, &root, 0, &m), 0);
        assert_true(fu_find(&src, &m, "data", &d));
        assert_true(d.bad);
        assert_non_null(strstr(d.text, "pass the end"));
        fu_close(&src);
    }

    /* GNU base-256 size (0x80 then big-endian). */
    memcpy(b, orig, len);
    memset(b + 124, 0, 12);
    b[124] = 0x80;
    b[135] = 0x10; /* 16 bytes: still within member 1's first data block */
    fix_sum(b);
    {
        walk_bytes(bad, b, len);
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, m, s;
        assert_int_equal(fmt_root(&src, &fmt_tar, 0, &root), 0);
        assert_int_equal(fmt_child(&src, &root, 0, &m), 0);
        assert_true(fu_find(&src, &m, "size", &s));
        assert_string_equal(s.text, "16");
        assert_string_equal(s.note, "base-256");
        fu_close(&src);
    }

    /* Member 2's checksum wrong: the run ends there, malformed. */
    memcpy(b, orig, len);
    size_t m2 = 512 + 1536; /* seq 1 300 is 1092 bytes: 3 blocks */
    assert_int_equal(memcmp(b + m2, "b\0", 2), 0);
    b[m2 + 150] ^= 1;
    assert_true(walk_bytes(bad, b, len) >= 1);
    {
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, e;
        assert_int_equal(fmt_root(&src, &fmt_tar, 0, &root), 0);
        assert_int_equal(root.nkids, 2);
        assert_int_equal(fmt_child(&src, &root, 1, &e), 0);
        assert_true(e.bad);
        assert_non_null(strstr(e.text, "malformed at 0x800"));
        fu_close(&src);
    }

    /* A non-octal mode: that field is malformed. */
    memcpy(b, orig, len);
    memcpy(b + 100, "09x", 3);
    fix_sum(b);
    {
        walk_bytes(bad, b, len);
        FmtSrc src;
        fu_open(bad, &src);
        FmtNode root, n;
        assert_int_equal(fmt_root(&src, &fmt_tar, 0, &root), 0);
        assert_true(fu_find(&src, &root, "member 1 a/mode", &n));
        assert_true(n.bad);
        fu_close(&src);
    }

    /* 200 random flips in the headers (fixed seed), checksums fixed in
     * half of them so the flips are believed. */
    srand(20261206);
    size_t heads[] = {0, m2, m2 + 1024, m2 + 1536};
    for (int m = 0; m < 200; m++) {
        memcpy(b, orig, len);
        size_t h = heads[rand() % 4];
        if (h + 512 > len)
            continue;
        for (int f = 0; f < 3; f++)
            b[h + (size_t)rand() % 512] = (uint8_t)rand();
        if (m % 2)
            fix_sum(b + h);
        walk_bytes(bad, b, len);
    }
    free(b);
    free(orig);
    free(bad);
    free(tarball);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_vs_tar_tvf), cmocka_unit_test(test_tar_ustar_prefix),
        cmocka_unit_test(test_tar_pax),        cmocka_unit_test(test_tar_1000_runs),
        cmocka_unit_test(test_tar_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
