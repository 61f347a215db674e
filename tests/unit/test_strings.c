/*
 * test_strings: the printable-run scanner (strings.h) against a brute-force
 * oracle over random buffers, every chunk size, every start offset, both
 * directions and all kinds; across holes and copy-mode edits in a sparse
 * file; and against binutils' strings itself (ASCII and -e l) on a real
 * binary.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "grid.h"
#include "strscan.h"
#include "testutil.h"

#define MAXRUNS 4096

static bool pr(uint8_t b)
{
    return (b >= 0x20 && b <= 0x7e) || b == '\t';
}

/* ---- the oracle --------------------------------------------------------- */

/* Every run in buf's [lo, hi), in offset order (ASCII first at a tie). */
static size_t oracle(const uint8_t *buf, uint64_t lo, uint64_t hi, unsigned min, unsigned kinds,
                     StrRun *out)
{
    size_t n = 0;
    for (uint64_t x = lo; x < hi; x++) {
        if ((kinds & STR_ASCII) && pr(buf[x]) && (x == lo || !pr(buf[x - 1]))) {
            uint64_t e = x;
            while (e < hi && pr(buf[e]))
                e++;
            if (e - x >= min)
                out[n++] = (StrRun){x, e - x, e - x, STR_ASCII};
        }
#define CU(y) ((y) + 1 < hi && pr(buf[y]) && buf[(y) + 1] == 0)
        if ((kinds & STR_UTF16LE) && CU(x) && !(x >= lo + 2 && CU(x - 2))) {
            uint64_t e = x;
            while (CU(e))
                e += 2;
            if ((e - x) / 2 >= min)
                out[n++] = (StrRun){x, e - x, (e - x) / 2, STR_UTF16LE};
        }
    }
    return n;
}

/* GNU strings -e l's own walk (binutils strings.c: print_strings with
 * unget_part_char): a try at p reads 16-bit characters until one is not
 * graphic at q, and the next try starts at q+1. Checks the oracle's
 * definition of a UTF-16LE run. */
static size_t gnu_utf16(const uint8_t *buf, uint64_t len, unsigned min, StrRun *out)
{
    size_t n = 0;
    uint64_t p = 0;
    while (p + 1 < len) {
        uint64_t q = p;
        while (q + 1 < len && pr(buf[q]) && buf[q + 1] == 0)
            q += 2;
        if ((q - p) / 2 >= min)
            out[n++] = (StrRun){p, q - p, (q - p) / 2, STR_UTF16LE};
        if (q + 1 >= len)
            break;
        p = q + 1;
    }
    return n;
}

/* ---- running the scanner ---------------------------------------------------- */

static size_t scan(Doc *d, const StringsOpts *o, StrRun *out, size_t cap)
{
    Strings *s;
    int rc = strings_start(&s, d, o);
    assert_int_equal(rc, 0);
    size_t n = 0;
    for (;;) {
        rc = strings_step(s, 1000000000);
        assert_true(rc >= 0);
        if (rc == STRINGS_DONE)
            break;
        if (rc == STRINGS_FOUND) {
            assert_true(n < cap);
            out[n++] = *strings_run(s);
        }
    }
    assert_int_equal(strings_step(s, 1000), STRINGS_DONE);
    strings_free(s);
    return n;
}

static void same_runs(const StrRun *got, size_t ng, const StrRun *want, size_t nw, const char *what)
{
    size_t i = 0;
    for (; i < ng && i < nw; i++)
        if (got[i].off != want[i].off || got[i].len != want[i].len ||
            got[i].chars != want[i].chars || got[i].kind != want[i].kind)
            break;
    if (i < ng || i < nw) {
        fail_msg("%s: run %zu of %zu (want %zu): got %" PRIu64 "+%" PRIu64 " kind %u, want %" PRIu64
                 "+%" PRIu64 " kind %u",
                 what, i, ng, nw, i < ng ? got[i].off : 0, i < ng ? got[i].len : 0,
                 i < ng ? got[i].kind : 0, i < nw ? want[i].off : 0, i < nw ? want[i].len : 0,
                 i < nw ? want[i].kind : 0);
    }
}

/* Forward from `from` and backward from it, against the oracle. */
static void check_all(Doc *d, const uint8_t *buf, uint64_t lo, uint64_t hi, unsigned min,
                      unsigned kinds, size_t chunk, unsigned block, uint64_t from)
{
    static StrRun want[MAXRUNS], got[MAXRUNS], part[MAXRUNS];
    size_t nw = oracle(buf, lo, hi, min, kinds, want);
    char what[160];
    /* forward: runs at or after from */
    size_t np = 0;
    for (size_t i = 0; i < nw; i++)
        if (want[i].off >= from)
            part[np++] = want[i];
    StringsOpts o = {.lo = lo,
                     .hi = hi,
                     .from = from,
                     .min = min,
                     .kinds = kinds,
                     .chunk = chunk,
                     .block = block};
    size_t ng = scan(d, &o, got, MAXRUNS);
    snprintf(what, sizeof what,
             "fwd lo %" PRIu64 " hi %" PRIu64 " from %" PRIu64 " min %u kinds %u chunk %zu", lo, hi,
             from, min, kinds, chunk);
    same_runs(got, ng, part, np, what);
    /* backward: runs before from, last first (UTF-16LE first at a tie) */
    np = 0;
    for (size_t i = nw; i-- > 0;)
        if (want[i].off < from)
            part[np++] = want[i];
    for (size_t i = 0; i + 1 < np; i++) /* a tie: UTF-16LE (ASCII came first) before ASCII */
        if (part[i].off == part[i + 1].off && part[i].kind == STR_ASCII) {
            StrRun t = part[i];
            part[i] = part[i + 1];
            part[i + 1] = t;
        }
    o.backward = true;
    ng = scan(d, &o, got, MAXRUNS);
    what[0] = 'b', what[1] = 'w', what[2] = 'd';
    same_runs(got, ng, part, np, what);
}

/* Bytes likely to form runs of both kinds, and to break them. */
static void fill_random(uint8_t *buf, size_t len, unsigned seed)
{
    srand(seed);
    size_t i = 0;
    while (i < len) {
        int what = rand() % 6;
        size_t k = 1 + (size_t)(rand() % 9);
        for (size_t j = 0; j < k && i < len; j++) {
            switch (what) {
            case 0: buf[i++] = (uint8_t)(0x20 + rand() % 95); break;
            case 1: buf[i++] = (uint8_t)(rand() % 2 ? '\t' : 'a' + rand() % 26); break;
            case 2:
                buf[i++] = (uint8_t)('A' + rand() % 26);
                if (i < len)
                    buf[i++] = 0;
                break;
            case 3: buf[i++] = 0; break;
            default: buf[i++] = (uint8_t)rand(); break;
            }
        }
    }
}

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_oracle_is_gnu(void **state)
{
    (void)state;
    static uint8_t buf[4000];
    static StrRun a[MAXRUNS], b[MAXRUNS];
    for (unsigned seed = 1; seed <= 50; seed++) {
        fill_random(buf, sizeof buf, seed);
        for (unsigned min = 1; min <= 5; min++) {
            size_t na = oracle(buf, 0, sizeof buf, min, STR_UTF16LE, a);
            size_t nb = gnu_utf16(buf, sizeof buf, min, b);
            same_runs(a, na, b, nb, "oracle vs GNU's walk");
        }
    }
}

/* Every chunk size, several starting points, all kinds and a few minimum
 * lengths, over random buffers; ranges that cut runs too. */
static void test_random(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "r");
    static uint8_t buf[320];
    for (unsigned seed = 1; seed <= 6; seed++) {
        fill_random(buf, sizeof buf, seed);
        write_file(path, buf, sizeof buf);
        Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
        for (unsigned kinds = 1; kinds <= 3; kinds++)
            for (unsigned min = 1; min <= 4; min += (min == 1 ? 1 : 2)) {
                for (size_t chunk = 1; chunk <= sizeof buf; chunk += chunk < 24 ? 1 : 37)
                    check_all(d, buf, 0, sizeof buf, min, kinds, chunk, 2, 0);
                for (uint64_t from = 0; from <= sizeof buf; from += 1 + seed % 3)
                    check_all(d, buf, 0, sizeof buf, min, kinds, 7, 3, from);
                check_all(d, buf, 0, sizeof buf, min, kinds, 0, 0, sizeof buf);
                for (int k = 0; k < 20; k++) {
                    uint64_t lo = (uint64_t)rand() % sizeof buf;
                    uint64_t hi = lo + 1 + (uint64_t)rand() % (sizeof buf - lo);
                    uint64_t from = lo + (uint64_t)rand() % (hi - lo + 1);
                    check_all(d, buf, lo, hi, min, kinds, 1 + (size_t)(rand() % 40),
                              1 + (unsigned)(rand() % 5), from);
                }
            }
        doc_close(d);
    }
    free(path);
    tu_rmdir(dir);
}

/* A long run (many chunks, many blocks) found once, whole. */
static void test_long_run(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "l");
    size_t len = 3u << 20;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    memset(buf, 'A', len);
    buf[10] = 0;
    buf[len - 5] = 0x01;
    write_file(path, buf, len);
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    StrRun got[8];
    StringsOpts o = {.min = 4};
    size_t n = scan(d, &o, got, 8);
    assert_int_equal(n, 3);
    assert_int_equal(got[2].off, len - 4);
    assert_int_equal(got[0].off, 0);
    assert_int_equal(got[0].len, 10);
    assert_int_equal(got[1].off, 11);
    assert_int_equal(got[1].len, len - 5 - 11);
    /* Backward from the middle of the long run: the run holding it started
     * before, so it is listed; then the short one. */
    o.backward = true;
    o.from = len / 2;
    n = scan(d, &o, got, 8);
    assert_int_equal(n, 2);
    assert_int_equal(got[0].off, 11);
    assert_int_equal(got[0].len, len - 5 - 11);
    assert_int_equal(got[1].off, 0);
    /* Forward from the middle: only the last bytes' run ("AAAA" after 0x01). */
    o.backward = false;
    n = scan(d, &o, got, 8);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].off, len - 4);
    /* Its text, read in pieces, and a filter over a run longer than a piece. */
    char text[16];
    size_t t;
    assert_int_equal(strings_text(d, &got[0], 0, text, sizeof text, &t), 0);
    assert_int_equal(t, 4);
    assert_string_equal(text, "AAAA");
    StrRun big = {11, len - 16, len - 16, STR_ASCII};
    assert_int_equal(strings_contains(d, &big, "AAAAA", 5, false), 1);
    assert_int_equal(strings_contains(d, &big, "aaaaa", 5, true), 1);
    assert_int_equal(strings_contains(d, &big, "aaaaa", 5, false), 0);
    assert_int_equal(strings_contains(d, &big, "AB", 2, false), 0);
    doc_close(d);
    free(buf);
    free(path);
    tu_rmdir(dir);
}

/* strings_contains finds a needle across its reading pieces. */
static void test_contains(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "c");
    size_t len = 20000;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)('a' + i % 7);
    write_file(path, buf, len);
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    StrRun r = {0, len, len, STR_ASCII};
    for (size_t at = 4090; at < 4105; at++) { /* around the piece boundary */
        char needle[9];
        memcpy(needle, buf + at, 8);
        needle[8] = 0;
        assert_int_equal(strings_contains(d, &r, needle, 8, false), 1);
    }
    assert_int_equal(strings_contains(d, &r, "aa", 2, false), 0);
    doc_close(d);
    free(buf);
    free(path);
    tu_rmdir(dir);
}

/* A sparse file: runs at the edges of data extents (a UTF-16LE run whose
 * last zero byte lies in the hole), a run crossing from data into a
 * copy-mode edit written in a hole, and a huge hole skipped. */
static void test_holes(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "s");
    uint64_t size = UINT64_C(64) << 20;
    tu_make_file(path, size, 1);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    static const char a[] = "hello world";
    static const uint8_t u[] = {'W', 0, 'i', 0, 'd', 0, 'e', 0, 'r'}; /* last 0 in the hole */
    uint64_t blk = 1u << 20;
    assert_int_equal(fseeko(f, 0, SEEK_SET), 0);
    fwrite(a, 1, sizeof a - 1, f);
    assert_int_equal(fseeko(f, (off_t)(2 * blk - sizeof u), SEEK_SET), 0); /* ends a block */
    fwrite(u, 1, sizeof u, f);
    assert_int_equal(fseeko(f, (off_t)(40 * blk - 3), SEEK_SET), 0);
    fwrite("xyz", 1, 3, f); /* ends at a block edge: the run goes on into the edit */
    assert_int_equal(fclose(f), 0);

    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    assert_int_equal(doc_put(d, 40 * blk, (const uint8_t *)"ABC", 3), 0);
    assert_int_equal(doc_put(d, 50 * blk + 1, (const uint8_t *)"Q\0R\0S\0T", 7), 0);
    StrRun want[] = {
        {0, 11, 11, STR_ASCII},
        {2 * blk - 9, 10, 5, STR_UTF16LE}, /* "Wider": the last zero is the hole's */
        {40 * blk - 3, 6, 6, STR_ASCII},   /* "xyzABC" */
        {50 * blk + 1, 8, 4, STR_UTF16LE},
    };
    StrRun got[16];
    StringsOpts o = {.min = 4, .kinds = STR_ASCII | STR_UTF16LE, .chunk = 4096, .block = 2};
    size_t n = scan(d, &o, got, 16);
    same_runs(got, n, want, 4, "sparse forward");
    o.backward = true;
    o.from = size;
    n = scan(d, &o, got, 16);
    StrRun rev[] = {want[3], want[2], want[1], want[0]};
    same_runs(got, n, rev, 4, "sparse backward");
    o.from = 40 * blk; /* inside "xyzABC": it starts before */
    n = scan(d, &o, got, 16);
    same_runs(got, n, rev + 1, 3, "sparse backward from inside");
    o.backward = false;
    o.from = 40 * blk - 2;
    n = scan(d, &o, got, 16);
    same_runs(got, n, want + 3, 1, "sparse forward from inside");
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* ---- against binutils' strings ------------------------------------------------ */

/* Our lines for path as strings -a -t d -n min (-e l) prints them. */
static char *our_lines(const char *path, unsigned min, unsigned kind, size_t *len)
{
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Strings *s;
    StringsOpts o = {.min = min, .kinds = kind};
    assert_int_equal(strings_start(&s, d, &o), 0);
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    int rc;
    while ((rc = strings_step(s, 1000000000)) != STRINGS_DONE) {
        assert_true(rc >= 0);
        if (rc != STRINGS_FOUND)
            continue;
        const StrRun *r = strings_run(s);
        while (n + r->chars + 32 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        n += (size_t)snprintf(out + n, cap - n, "%7" PRIu64 " ", r->off);
        size_t got;
        assert_int_equal(strings_text(d, r, 0, out + n, cap - n, &got), 0);
        n += got;
        out[n++] = '\n';
    }
    strings_free(s);
    doc_close(d);
    *len = n;
    return out;
}

static char *their_lines(const char *path, unsigned min, const char *enc, size_t *len)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "strings -a -t d -n %u -e %s '%s'", min, enc, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, n = 0, k;
    char *out = malloc(cap);
    assert_non_null(out);
    while ((k = fread(out + n, 1, cap - n, p)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    assert_int_equal(pclose(p), 0);
    *len = n;
    return out;
}

static void compare_gnu(const char *path, unsigned min, unsigned kind)
{
    size_t a, b;
    char *ours = our_lines(path, min, kind, &a);
    char *theirs = their_lines(path, min, kind == STR_ASCII ? "s" : "l", &b);
    size_t i = 0;
    while (i < a && i < b && ours[i] == theirs[i])
        i++;
    if (i < a || i < b) {
        size_t l = i;
        while (l > 0 && ours[l - 1] != '\n')
            l--;
        fail_msg("%s -n %u kind %u: differs at byte %zu:\nours:   %.80s\ntheirs: %.80s", path, min,
                 kind, i, ours + l, theirs + l);
    }
    assert_true(a > 0);
    free(ours);
    free(theirs);
}

static void test_gnu_strings(void **state)
{
    (void)state;
    if (system("strings --version >/dev/null 2>&1") != 0)
        skip(); /* binutils' strings is not installed: nothing to compare with */
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(k > 0);
    exe[k] = '\0';
    /* A real binary (this test program), ASCII at several minimum lengths. */
    compare_gnu(exe, 4, STR_ASCII);
    compare_gnu(exe, 1, STR_ASCII);
    compare_gnu(exe, 8, STR_ASCII);
    compare_gnu(exe, 4, STR_UTF16LE);
    /* Random bytes rich in both kinds. */
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "g");
    static uint8_t buf[100000];
    fill_random(buf, sizeof buf, 7);
    write_file(path, buf, sizeof buf);
    for (unsigned min = 1; min <= 6; min++) {
        compare_gnu(path, min, STR_ASCII);
        compare_gnu(path, min, STR_UTF16LE);
    }
    free(path);
    tu_rmdir(dir);
}

static void test_errors(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "e");
    write_file(path, (const uint8_t *)"abcdef", 6);
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Strings *s;
    StringsOpts o = {.lo = 6};
    assert_int_equal(strings_start(&s, d, &o), -EINVAL);
    assert_null(s);
    o = (StringsOpts){.min = STRINGS_MIN_MAX + 1};
    assert_int_equal(strings_start(&s, d, &o), -EINVAL);
    o = (StringsOpts){.kinds = 4};
    assert_int_equal(strings_start(&s, d, &o), -EINVAL);
    o = (StringsOpts){.min = 7}; /* longer than the file: nothing */
    StrRun got[2];
    assert_int_equal(scan(d, &o, got, 2), 0);
    o = (StringsOpts){.min = 6};
    assert_int_equal(scan(d, &o, got, 2), 1);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* The strings command: batch lines as strings -t d prints them, -f, a
 * range, errors; on screen the list, where a one-letter ASCII run at the
 * start of a UTF-16LE run (-n 1 -e b) is listed once, as UTF-16LE. */
static char *batch(const char *path, const char *line, int *rc)
{
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Session *s;
    SessionOpts so = {.batch = true};
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_run(s, line);
    *rc = cmd_result(s);
    char *out = cmd_output_take(s);
    cmd_session_free(s);
    return out;
}

static void test_command(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "c");
    static const uint8_t data[] = "\x01hello world\x00\x02"
                                  "A\x00"
                                  "B\x00"
                                  "C\x00"
                                  "D\x00\x03"
                                  "zz\x00tail";
    write_file(path, data, sizeof data - 1);
    static const struct {
        const char *line;
        int rc;
        const char *out;
    } cases[] = {
        {"strings", 0, "      1 hello world\n     26 tail\n"},
        {"strings -e l", 0, "     14 ABCD\n"},
        {"strings -e b", 0, "      1 hello world\n     14 ABCD\n     26 tail\n"},
        {"strings -n 2 -f l", 0, "      1 hello world\n     26 tail\n"},
        {"strings -f o w", 0, "      1 hello world\n"},
        {"strings 3 5", 0, "      3 llo w\n"},
        {"strings -n 0", -EINVAL, ""},
        {"strings -e z", -EINVAL, ""},
        {"strings 3", -EINVAL, ""},
        {"strings 30 100", -ERANGE, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc;
        char *out = batch(path, cases[i].line, &rc);
        if (rc != cases[i].rc || strcmp(out ? out : "", cases[i].out) != 0)
            fail_msg("%s: rc %d (want %d), out '%s' (want '%s')", cases[i].line, rc, cases[i].rc,
                     out ? out : "", cases[i].out);
        free(out);
    }

    /* On screen: the list, once per offset. */
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Session *s;
    SessionOpts so = {0};
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 100);
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 100), 0);
    cmd_run(s, "strings -n 1 -e b");
    for (int k = 0; k < 100 && cmd_busy(s); k++)
        cmd_tick(s, 10000000);
    cmd_frame(s, &g);
    char row[1024];
    grid_row_text(&g, 0, row, sizeof row);
    if (!strstr(row, ": 9 strings (done)")) /* hello world, d (u), ABCD, B, C, D, zz, z (u), tail */
        fail_msg("title: %s", row);
    grid_row_text(&g, 2, row, sizeof row);
    assert_non_null(strstr(row, "0x0000000b  u  d"));
    grid_row_text(&g, 3, row, sizeof row);
    assert_non_null(strstr(row, "0x0000000e  u  ABCD")); /* not the ASCII "A" too */
    grid_row_text(&g, 4, row, sizeof row);
    assert_non_null(strstr(row, "0x00000010  a  B")); /* B, C, D: inside ABCD, not at its start */
    /* / and a filter; Enter jumps. */
    cmd_key(s, '/');
    cmd_key(s, 't');
    cmd_key(s, 'a');
    cmd_key(s, MMH_KEY_ENTER);
    for (int k = 0; k < 100 && cmd_busy(s); k++)
        cmd_tick(s, 10000000);
    cmd_frame(s, &g);
    grid_row_text(&g, 0, row, sizeof row);
    if (!strstr(row, "holding 'ta': 1 string (done)"))
        fail_msg("title: %s", row);
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cmd_view(s)->cursor, 26);
    grid_free(&g);
    cmd_session_free(s);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_is_gnu), cmocka_unit_test(test_random),
        cmocka_unit_test(test_long_run),      cmocka_unit_test(test_contains),
        cmocka_unit_test(test_holes),         cmocka_unit_test(test_gnu_strings),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
