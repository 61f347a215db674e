/*
 * test_search: the pattern parsers, the in-memory matcher and the search
 * job, each checked against a naive oracle written here.
 *
 * The matcher is compared with a byte-by-byte scan on thousands of random
 * buffers and patterns drawn from a small alphabet ({0, 1, 'a', 'A'}, with
 * wildcards and case folding), so matches, near misses and case pairs are
 * everywhere. The job is compared the same way on real documents: every
 * match of a "list all" loop, in order, with its wrapped flag, for chunk
 * sizes from 1 byte up (SearchOpts.chunk), so matches straddle window
 * boundaries constantly; on dense files and on sparse ones whose holes the
 * job skips, with unwritten copy-mode edits in the holes, in copy and
 * shared mode. Matches across map_visit's own 1 MiB pieces are placed by
 * hand. A 16 TiB sparse file shows holes are skipped (few bytes read, few
 * steps); a SysOps table counts and fails lseek and madvise; a child
 * process truncates the file between steps.
 *
 * cmocka installs its own SIGBUS handler around every test; map_open
 * (through guard_init) puts the guard's back whenever it is not in force,
 * so the documents each test opens are guarded without help.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc.h"
#include "guard.h"
#include "resid.h"
#include "search.h"
#include "search_private.h"
#include "sys.h"
#include "testutil.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)
#define FOREVER UINT64_MAX /* a step budget that never runs out */

/* ---- helpers ------------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dULL; /* xorshift64*, fixed seed: failures repeat */

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static const uint8_t alphabet[4] = {0x00, 0x01, 'a', 'A'};

static uint8_t fold(uint8_t b)
{
    return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
}

/* The oracle: does p match buf at i, byte by byte. */
static bool naive_at(const Pattern *p, const uint8_t *buf, size_t i)
{
    for (size_t t = 0; t < p->len; t++) {
        if (p->mask[t] == 0)
            continue;
        uint8_t b = p->icase ? fold(buf[i + t]) : buf[i + t];
        if (b != p->bytes[t])
            return false;
    }
    return true;
}

static long naive(const Pattern *p, const uint8_t *buf, size_t n, bool backward)
{
    if (n < p->len)
        return -1;
    size_t starts = n - p->len + 1;
    for (size_t k = 0; k < starts; k++) {
        size_t i = backward ? starts - 1 - k : k;
        if (naive_at(p, buf, i))
            return (long)i;
    }
    return -1;
}

/* Random pattern over the small alphabet: wildcards one time in four,
 * case folding one time in three; at least one fixed byte unless
 * all_wild_ok. Bytes are stored as the parsers store them. */
static Pattern random_pattern(size_t maxlen, bool all_wild_ok)
{
    Pattern p;
    memset(&p, 0, sizeof p);
    p.len = 1 + below(maxlen);
    p.icase = below(3) == 0;
    size_t fixed = 0;
    for (size_t i = 0; i < p.len; i++) {
        if (below(4) == 0) {
            p.wild = true;
            continue;
        }
        uint8_t b = alphabet[below(4)];
        p.bytes[i] = p.icase ? fold(b) : b;
        p.mask[i] = 0xff;
        fixed++;
    }
    if (fixed == 0 && !all_wild_ok) {
        size_t i = below(p.len);
        p.bytes[i] = 'a';
        p.mask[i] = 0xff;
        p.wild = false;
        for (size_t k = 0; k < p.len; k++)
            p.wild |= p.mask[k] == 0;
    }
    return p;
}

static Pattern text(const char *s)
{
    Pattern p;
    const char *err = NULL;
    int rc = search_parse_text(s, &p, &err);
    if (rc != 0)
        print_message("# %s: %s\n", s, err);
    assert_int_equal(rc, 0);
    return p;
}

static Pattern hex(const char *s)
{
    Pattern p;
    const char *err = NULL;
    int rc = search_parse_hex(s, &p, &err);
    if (rc != 0)
        print_message("# %s: %s\n", s, err);
    assert_int_equal(rc, 0);
    return p;
}

static void write_file(const char *path, const uint8_t *buf, size_t n)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, n, 0), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void pwrite_at(const char *path, uint64_t off, const void *buf, size_t n)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

/* The document's bytes as it shows them (copy-mode edits included). */
static uint8_t *doc_bytes(Doc *d)
{
    uint64_t n = doc_size(d);
    uint8_t *buf = malloc(n ? n : 1);
    assert_non_null(buf);
    assert_int_equal(doc_read(d, 0, buf, n), 0);
    return buf;
}

typedef struct Found {
    uint64_t off; /* where */
    bool wrapped; /* search_wrapped() when it was reported */
} Found;

typedef struct Run {
    Found *v;           /* matches in the order reported */
    size_t n, cap;      /* how many, room */
    unsigned steps;     /* search_step calls */
    SearchProgress end; /* progress at NOT_FOUND */
} Run;

static void run_push(Run *r, uint64_t off, bool wrapped)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    r->v[r->n++] = (Found){off, wrapped};
}

/* Step a search until NOT_FOUND, collecting every match. Progress must
 * never go back, scanned never pass total, bytes_read never pass scanned,
 * and at the end everything must have been scanned. */
static Run run_all(Doc *d, const Pattern *p, const SearchOpts *o, uint64_t budget)
{
    Run r;
    memset(&r, 0, sizeof r);
    Search *s;
    assert_int_equal(search_start(&s, d, p, o), 0);
    SearchProgress last;
    search_progress(s, &last);
    assert_int_equal(last.scanned, 0);
    assert_int_equal(last.bytes_read, 0);
    uint64_t total0 = last.total;
    for (;;) {
        int rc = search_step(s, budget);
        r.steps++;
        SearchProgress now;
        search_progress(s, &now);
        assert_true(now.scanned >= last.scanned);
        assert_true(now.bytes_read >= last.bytes_read);
        assert_true(now.bytes_read <= now.scanned);
        assert_true(now.scanned <= now.total);
        assert_int_equal(now.total, total0); /* nothing shrank */
        assert_true(now.ns >= last.ns);
        last = now;
        if (rc == SEARCH_NOT_FOUND)
            break;
        if (rc == SEARCH_FOUND) {
            /* Each start is reported at most once: a loop that repeats
             * itself fails here instead of hanging. */
            assert_true(r.n < total0);
            run_push(&r, search_match(s), search_wrapped(s));
        } else {
            assert_int_equal(rc, SEARCH_RUNNING);
        }
    }
    assert_int_equal(last.scanned, last.total);
    /* Stepping on after the end changes nothing. */
    uint64_t m = search_match(s);
    assert_int_equal(search_step(s, budget), SEARCH_NOT_FOUND);
    assert_int_equal(search_match(s), m);
    r.end = last;
    search_free(s);
    return r;
}

/* The matches the contract promises, in order: start offsets in [lo, hi),
 * the match inside too; forward from `from` up, then (wrap) from lo up to
 * from; backward from `from` down, then (wrap) from the top down to from+1. */
static Run expect_all(const Pattern *p, const uint8_t *buf, uint64_t size, const SearchOpts *o)
{
    Run r = {NULL, 0, 0, 0, {0, 0, 0, 0, 0}};
    uint64_t hi = o->hi == 0 || o->hi > size ? size : o->hi, lo = o->lo;
    uint64_t end = hi > lo && hi - lo >= p->len ? hi - p->len + 1 : lo;
    if (!o->backward) {
        uint64_t f = o->from < lo ? lo : o->from > end ? end : o->from;
        for (uint64_t s = f; s < end; s++)
            if (naive_at(p, buf, s))
                run_push(&r, s, false);
        if (o->wrap)
            for (uint64_t s = lo; s < f; s++)
                if (naive_at(p, buf, s))
                    run_push(&r, s, true);
    } else {
        uint64_t f = o->from >= end ? end : o->from + 1 < lo ? lo : o->from + 1;
        for (uint64_t s = f; s-- > lo;)
            if (naive_at(p, buf, s))
                run_push(&r, s, false);
        if (o->wrap)
            for (uint64_t s = end; s-- > f;)
                if (naive_at(p, buf, s))
                    run_push(&r, s, true);
    }
    return r;
}

static void describe(const Pattern *p, const SearchOpts *o)
{
    char b[3 * MMH_PATTERN_MAX + 1] = "";
    for (size_t i = 0; i < p->len && i < 32; i++)
        snprintf(b + 3 * i, 4, p->mask[i] ? "%02x " : "?? ", p->bytes[i]);
    print_message("# pattern %s(icase %d) from %llu [%llu, %llu) back %d wrap %d chunk %zu\n", b,
                  p->icase, (unsigned long long)o->from, (unsigned long long)o->lo,
                  (unsigned long long)o->hi, o->backward, o->wrap, o->chunk);
}

static void assert_same(const Run *got, const Run *want, const Pattern *p, const SearchOpts *o)
{
    bool same = got->n == want->n;
    for (size_t i = 0; same && i < got->n; i++)
        same = got->v[i].off == want->v[i].off && got->v[i].wrapped == want->v[i].wrapped;
    if (!same) {
        describe(p, o);
        print_message("# got %zu matches, want %zu\n", got->n, want->n);
        for (size_t i = 0; i < got->n || i < want->n; i++) {
            if (i < got->n && i < want->n && got->v[i].off == want->v[i].off &&
                got->v[i].wrapped == want->v[i].wrapped)
                continue;
            print_message("# first difference at %zu: got %lld/%d want %lld/%d\n", i,
                          i < got->n ? (long long)got->v[i].off : -1LL,
                          i < got->n ? got->v[i].wrapped : -1,
                          i < want->n ? (long long)want->v[i].off : -1LL,
                          i < want->n ? want->v[i].wrapped : -1);
            break;
        }
    }
    assert_true(same);
}

/* One search of d against the oracle on its bytes. */
static void check_search(Doc *d, const uint8_t *buf, const Pattern *p, const SearchOpts *o,
                         uint64_t budget)
{
    Run got = run_all(d, p, o, budget);
    Run want = expect_all(p, buf, doc_size(d), o);
    assert_same(&got, &want, p, o);
    free(got.v);
    free(want.v);
}

/* The first result of a search, run to completion of one answer. */
static int first_result(Doc *d, const Pattern *p, const SearchOpts *o, uint64_t budget,
                        uint64_t *match, bool *wrapped, unsigned *steps, SearchProgress *pr)
{
    Search *s;
    assert_int_equal(search_start(&s, d, p, o), 0);
    int rc;
    unsigned n = 0;
    do {
        rc = search_step(s, budget);
        n++;
    } while (rc == SEARCH_RUNNING);
    if (match)
        *match = search_match(s);
    if (wrapped)
        *wrapped = search_wrapped(s);
    if (steps)
        *steps = n;
    if (pr)
        search_progress(s, pr);
    search_free(s);
    return rc;
}

/* ---- parsers ---------------------------------------------------------------- */

static void expect_error(int (*parse)(const char *, Pattern *, const char **), const char *s,
                         int code, const char *msg)
{
    Pattern p;
    memset(&p, 0x5a, sizeof p);
    Pattern before = p;
    const char *err = NULL;
    int rc = parse(s, &p, &err);
    if (rc != code || !err || strcmp(err, msg) != 0)
        print_message("# \"%s\": %d \"%s\", want %d \"%s\"\n", s, rc, err ? err : "(null)", code,
                      msg);
    assert_int_equal(rc, code);
    assert_non_null(err);
    assert_string_equal(err, msg);
    assert_memory_equal(&p, &before, sizeof p); /* untouched on failure */
    assert_int_equal(parse(s, &p, NULL), code); /* err may be NULL */
}

static void expect_bytes(const Pattern *p, const uint8_t *bytes, const uint8_t *mask, size_t n)
{
    assert_int_equal(p->len, n);
    assert_memory_equal(p->bytes, bytes, n);
    assert_memory_equal(p->mask, mask, n);
}

static void test_parse_hex(void **state)
{
    (void)state;
    static const uint8_t dead[] = {0xde, 0xad, 0x00, 0xef}, m4[] = {0xff, 0xff, 0, 0xff};
    const char *forms[] = {"de ad ?? ef", "dead??ef", "DEAD??EF", "  de\tad ??ef  ", "De aD?? eF"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        Pattern p = hex(forms[i]);
        expect_bytes(&p, dead, m4, 4);
        assert_true(p.wild);
        assert_false(p.icase);
    }
    Pattern p = hex("00");
    static const uint8_t zero[] = {0}, ff[] = {0xff, 0xff};
    expect_bytes(&p, zero, ff, 1);
    assert_false(p.wild);
    p = hex("????41");
    static const uint8_t w41[] = {0, 0, 0x41}, mw41[] = {0, 0, 0xff};
    expect_bytes(&p, w41, mw41, 3);
    assert_true(p.wild);

    /* 256 bytes fit, 257 do not. */
    char big[3 * 257 + 1];
    for (size_t i = 0; i < 257; i++)
        memcpy(big + 3 * i, i % 2 ? "?? " : "7f ", 3);
    big[3 * 256] = '\0';
    p = hex(big);
    assert_int_equal(p.len, 256);
    assert_int_equal(p.bytes[0], 0x7f);
    assert_int_equal(p.mask[1], 0);
    big[3 * 256] = '7';
    big[3 * 256 + 1] = 'f';
    big[3 * 256 + 2] = '\0';
    expect_error(search_parse_hex, big, -ERANGE, "pattern longer than 256 bytes");

    expect_error(search_parse_hex, "", -EINVAL, "empty pattern");
    expect_error(search_parse_hex, " \t ", -EINVAL, "empty pattern");
    expect_error(search_parse_hex, "abc", -EINVAL, "odd number of hex digits");
    expect_error(search_parse_hex, "d ead", -EINVAL, "odd number of hex digits");
    expect_error(search_parse_hex, "a", -EINVAL, "odd number of hex digits");
    expect_error(search_parse_hex, "zz", -EINVAL, "not a hex digit: 'z'");
    expect_error(search_parse_hex, "de ag", -EINVAL, "not a hex digit: 'g'");
    expect_error(search_parse_hex, "0x41", -EINVAL, "not a hex digit: 'x'");
    expect_error(search_parse_hex, "41\x01", -EINVAL, "not a hex digit: byte 0x01");
    expect_error(search_parse_hex, "?", -EINVAL, "a wildcard is a pair: ??");
    expect_error(search_parse_hex, "???", -EINVAL, "a wildcard is a pair: ??");
    expect_error(search_parse_hex, "41 ?", -EINVAL, "a wildcard is a pair: ??");
    expect_error(search_parse_hex, "4?", -EINVAL, "a wildcard is a pair: ??");
    expect_error(search_parse_hex, "?4", -EINVAL, "a wildcard is a pair: ??");
    expect_error(search_parse_hex, "??", -EINVAL, "pattern matches anything");
    expect_error(search_parse_hex, "?? ?? ??", -EINVAL, "pattern matches anything");
}

static void test_parse_text(void **state)
{
    (void)state;
    Pattern p = text("Hello, world");
    static const uint8_t ffs[MMH_PATTERN_MAX] = {
        [0 ... MMH_PATTERN_MAX - 1] = 0xff,
    };
    expect_bytes(&p, (const uint8_t *)"Hello, world", ffs, 12);
    assert_false(p.icase);
    assert_false(p.wild);

    p = text("a\\x41\\\\\\n\\t\\r\\0z\\xfF");
    static const uint8_t esc[] = {'a', 0x41, '\\', '\n', '\t', '\r', 0, 'z', 0xff};
    expect_bytes(&p, esc, ffs, sizeof esc);

    /* \c: case-insensitive, stored lowercase (escaped letters too). */
    p = text("\\cHeLLo \\x41\\x5A[");
    expect_bytes(&p, (const uint8_t *)"hello az[", ffs, 9);
    assert_true(p.icase);
    assert_false(p.wild);

    /* Blanks are bytes like any other. */
    p = text("  ");
    expect_bytes(&p, (const uint8_t *)"  ", ffs, 2);

    char big[4 * 257 + 1];
    memset(big, 'q', 256);
    big[256] = '\0';
    p = text(big);
    assert_int_equal(p.len, 256);
    big[256] = 'q';
    big[257] = '\0';
    expect_error(search_parse_text, big, -ERANGE, "pattern longer than 256 bytes");
    for (size_t i = 0; i < 256; i++)
        memcpy(big + 4 * i, "\\x00", 4);
    big[4 * 256] = '\0';
    p = text(big); /* 1024 characters, 256 bytes */
    assert_int_equal(p.len, 256);
    assert_true(search_matches_zeros(&p));

    expect_error(search_parse_text, "", -EINVAL, "empty pattern");
    expect_error(search_parse_text, "\\c", -EINVAL, "empty pattern");
    expect_error(search_parse_text, "ab\\q", -EINVAL, "bad escape \\q");
    expect_error(search_parse_text, "\\C", -EINVAL, "bad escape \\C");
    expect_error(search_parse_text, "a\\cb", -EINVAL, "bad escape \\c");
    expect_error(search_parse_text, "\\c\\c", -EINVAL, "bad escape \\c");
    expect_error(search_parse_text, "\\\x01", -EINVAL, "bad escape \\ followed by byte 0x01");
    expect_error(search_parse_text, "\\x1", -EINVAL, "\\x needs two hex digits");
    expect_error(search_parse_text, "\\x", -EINVAL, "\\x needs two hex digits");
    expect_error(search_parse_text, "\\xg0", -EINVAL, "\\x needs two hex digits");
    expect_error(search_parse_text, "\\x0g", -EINVAL, "\\x needs two hex digits");
    expect_error(search_parse_text, "abc\\", -EINVAL, "a lone \\ at the end");
}

static void test_matches_zeros(void **state)
{
    (void)state;
    assert_true(search_matches_zeros(&(Pattern){.len = 1}));
    Pattern p = hex("00 00");
    assert_true(search_matches_zeros(&p));
    p = hex("00 ?? 00");
    assert_true(search_matches_zeros(&p));
    p = hex("?? 00");
    assert_true(search_matches_zeros(&p));
    p = hex("00 01");
    assert_false(search_matches_zeros(&p));
    p = hex("?? 41 ??");
    assert_false(search_matches_zeros(&p));
    p = text("\\0\\0");
    assert_true(search_matches_zeros(&p));
    p = text("\\c\\0a");
    assert_false(search_matches_zeros(&p));
}

/* ---- the matcher ------------------------------------------------------------ */

static void test_buf_cases(void **state)
{
    (void)state;
    const uint8_t *b = (const uint8_t *)"abcabcabXab";
    Pattern p = text("abc");
    assert_int_equal(search_buf(&p, b, 11, false), 0);
    assert_int_equal(search_buf(&p, b, 11, true), 3);
    assert_int_equal(search_buf(&p, b + 1, 10, false), 2);
    assert_int_equal(search_buf(&p, b, 5, true), 0);  /* the one at 3 does not fit */
    assert_int_equal(search_buf(&p, b, 6, true), 3);  /* ends on the last byte */
    assert_int_equal(search_buf(&p, b, 3, false), 0); /* pattern equal to the buffer */
    assert_int_equal(search_buf(&p, b, 3, true), 0);
    assert_int_equal(search_buf(&p, b, 2, false), -1); /* longer than the buffer */
    assert_int_equal(search_buf(&p, b, 2, true), -1);
    assert_int_equal(search_buf(&p, b, 0, false), -1);
    p = text("Xab");
    assert_int_equal(search_buf(&p, b, 11, false), 8); /* at the very end */
    assert_int_equal(search_buf(&p, b, 11, true), 8);
    assert_int_equal(search_buf(&p, b, 10, false), -1);
    p = text("b");
    assert_int_equal(search_buf(&p, b, 11, false), 1);
    assert_int_equal(search_buf(&p, b, 11, true), 10);
    p = text("q");
    assert_int_equal(search_buf(&p, b, 11, false), -1);
    assert_int_equal(search_buf(&p, b, 11, true), -1);

    /* Overlapping occurrences: the first and the last. */
    p = text("aa");
    assert_int_equal(search_buf(&p, (const uint8_t *)"aaaa", 4, false), 0);
    assert_int_equal(search_buf(&p, (const uint8_t *)"aaaa", 4, true), 2);

    /* Wildcards, leading and trailing. */
    p = hex("?? ?? 63");
    assert_int_equal(search_buf(&p, b, 11, false), 0);
    assert_int_equal(search_buf(&p, b + 1, 10, false), 2);
    assert_int_equal(search_buf(&p, b, 11, true), 3);
    assert_int_equal(search_buf(&p, b, 2, false), -1);
    p = hex("62 ??");
    assert_int_equal(search_buf(&p, b, 11, true), 7); /* "bX", not the final "b" */
    assert_int_equal(search_buf(&p, b, 11, false), 1);
    p = hex("61 ?? 61");
    assert_int_equal(search_buf(&p, (const uint8_t *)"xaqaba", 6, false), 1);
    assert_int_equal(search_buf(&p, (const uint8_t *)"xaqaba", 6, true), 3);

    /* Case folding: both cases of letters, only ASCII. */
    p = text("\\cAbC");
    assert_int_equal(search_buf(&p, (const uint8_t *)"xxaBcABC", 8, false), 2);
    assert_int_equal(search_buf(&p, (const uint8_t *)"xxaBcABC", 8, true), 5);
    assert_int_equal(search_buf(&p, (const uint8_t *)"xxab", 4, false), -1);
    p = text("\\c\\xe9");
    assert_int_equal(search_buf(&p, (const uint8_t *)"\xc9\xe9", 2, false), 1);
    p = text("\\c[");
    assert_int_equal(search_buf(&p, (const uint8_t *)"{[", 2, false), 1); /* '[' + 32 is '{' */
    p = text("\\c@");
    assert_int_equal(search_buf(&p, (const uint8_t *)"`@", 2, false), 1);
    /* The anchor letter present in one case only, the match in the other. */
    p = text("\\czq");
    assert_int_equal(search_buf(&p, (const uint8_t *)"zzzzzzzzZQ", 10, false), 8);
    assert_int_equal(search_buf(&p, (const uint8_t *)"ZQzzzzzzzz", 10, true), 0);
    /* An uppercase byte in an icase pattern built by hand still folds. */
    Pattern h = {.len = 2, .icase = true};
    h.bytes[0] = 'Q';
    h.bytes[1] = 'r';
    h.mask[0] = h.mask[1] = 0xff;
    assert_int_equal(search_buf(&h, (const uint8_t *)"xqR", 3, false), 1);

    /* Wildcards only (built by hand; the parsers refuse it): anything fits. */
    Pattern any = {.len = 3, .wild = true};
    assert_int_equal(search_buf(&any, b, 11, false), 0);
    assert_int_equal(search_buf(&any, b, 11, true), 8);
    assert_int_equal(search_buf(&any, b, 2, true), -1);

    /* Bytes that are rare and common, zeros, 0xff. */
    static const uint8_t bin[] = {0, 0, 0xff, 0, 0x20, 0, 0, 0xff, 0, 0x20};
    p = hex("00 ff 00 20");
    assert_int_equal(search_buf(&p, bin, sizeof bin, false), 1);
    assert_int_equal(search_buf(&p, bin, sizeof bin, true), 6);
    p = hex("00 ?? 00");
    assert_int_equal(search_buf(&p, bin, sizeof bin, false), 1);
    assert_int_equal(search_buf(&p, bin, sizeof bin, true), 6);
}

/* Thousands of random buffers and patterns against the naive scan. */
static void test_buf_oracle(void **state)
{
    (void)state;
    uint8_t buf[200];
    for (int k = 0; k < 20000; k++) {
        size_t n = below(k < 15000 ? 40 : sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[below(4)];
        Pattern p = random_pattern(k % 3 ? 4 : 9, k % 50 == 0);
        for (int back = 0; back < 2; back++) {
            long got = search_buf(&p, buf, n, back), want = naive(&p, buf, n, back);
            if (got != want) {
                describe(&p, &(SearchOpts){0});
                print_message("# n %zu back %d: got %ld want %ld\n", n, back, got, want);
            }
            assert_int_equal(got, want);
        }
    }
    /* Full-range bytes, patterns cut from the buffer (so they occur), some
     * bytes made wild or case-folded. */
    static const uint8_t few[4] = {'a', 'b', 0x00, 0xff};
    uint8_t big[4096];
    for (int k = 0; k < 2000; k++) {
        size_t n = 1 + below(sizeof big);
        for (size_t i = 0; i < n; i++)
            big[i] = k % 2 ? (uint8_t)rnd() : few[below(4)];
        Pattern p;
        memset(&p, 0, sizeof p);
        p.len = 1 + below(n < 16 ? n : 16);
        size_t at = below(n - p.len + 1);
        p.icase = below(2);
        for (size_t i = 0; i < p.len; i++) {
            bool wild = below(5) == 0 && i != p.len / 2;
            p.mask[i] = wild ? 0 : 0xff;
            p.bytes[i] = wild ? 0 : p.icase ? fold(big[at + i]) : big[at + i];
            p.wild |= wild;
        }
        for (int back = 0; back < 2; back++) {
            long got = search_buf(&p, big, n, back), want = naive(&p, big, n, back);
            assert_true(want >= 0);
            assert_int_equal(got, want);
        }
    }
}

/* Each literal implementation, forced, against the oracle: every alignment
 * of the haystack in memory, every pattern length up to 40 (and some long
 * ones), wildcards, case folding, both directions, haystacks long enough
 * for the vector loops (64 starts a round) and their tails. The alphabet
 * holds bytes that OR 0x20 maps onto letters ('@', '`', '[', 'A'), so the
 * folded compare's false candidates are seen and rejected. */
static void test_match_impls(void **state)
{
    (void)state;
    static const SearchImpl impls[] = {SEARCH_IMPL_PORTABLE, SEARCH_IMPL_SSE2, SEARCH_IMPL_AVX2};
    static const uint8_t abc[8] = {'a', 'A', '@', '`', 'b', 0x00, 0xff, '['};
    uint8_t mem[600 + 64];
    int ran = 0;
    for (size_t m = 0; m < sizeof impls / sizeof *impls; m++) {
        Matcher probe;
        Pattern one = {.bytes = {'x'}, .mask = {0xff}, .len = 1};
        if (!search_prepare_impl(&probe, &one, impls[m])) {
            print_message("# implementation %d: not on this CPU or build, skipped\n",
                          (int)impls[m]);
            continue;
        }
        ran++;
        for (int k = 0; k < 6000; k++) {
            size_t align = (size_t)k % 64;
            uint8_t *buf = mem + align;
            size_t n = below(k % 4 == 0 ? 600 : 200);
            int letters = 1 + (int)below(8); /* small alphabets: many candidates */
            for (size_t i = 0; i < n; i++)
                buf[i] = abc[below((uint64_t)letters)];
            Pattern p;
            memset(&p, 0, sizeof p);
            p.len = k % 7 == 0 ? 1 + below(MMH_PATTERN_MAX) : 1 + (size_t)k % 40;
            p.icase = below(3) == 0;
            bool cut = n >= p.len && below(2); /* cut from the haystack: it occurs */
            size_t at = cut ? below(n - p.len + 1) : 0;
            size_t fixed = 0;
            for (size_t i = 0; i < p.len; i++) {
                bool wild = below(6) == 0;
                uint8_t b = cut ? buf[at + i] : abc[below((uint64_t)letters)];
                p.mask[i] = wild ? 0 : 0xff;
                p.bytes[i] = wild ? 0 : p.icase ? fold(b) : b;
                p.wild |= wild;
                fixed += !wild;
            }
            if (fixed == 0) {
                p.mask[0] = 0xff;
                p.bytes[0] = 'a';
            }
            Matcher mt;
            assert_true(search_prepare_impl(&mt, &p, impls[m]));
            assert_int_equal(mt.impl, impls[m]);
            for (int back = 0; back < 2; back++) {
                long got = search_scan(&mt, buf, n, back), want = naive(&p, buf, n, back);
                if (got != want) {
                    describe(&p, &(SearchOpts){0});
                    print_message("# impl %d n %zu align %zu back %d: got %ld want %ld\n",
                                  (int)impls[m], n, align, back, got, want);
                }
                assert_int_equal(got, want);
                /* The window protocol: nstart starts, then up to len-1 bytes. */
                size_t ns = n >= p.len ? n - p.len + 1 : 0, wat = 0, wlen = 0;
                int w = search_window(&mt, buf, ns, n, true, back, &wat, &wlen);
                assert_int_equal(w, want >= 0 ? 1 : 0);
                if (w == 1) {
                    assert_int_equal(wat, (size_t)want);
                    assert_int_equal(wlen, p.len);
                }
            }
        }
    }
    assert_true(ran >= 1); /* the portable one always runs */
}

/* Results identical single- and multi-threaded, through either read
 * method, over every chunk/thread split: list-all loops in both
 * directions on a dense file, each against the oracle (and so each the
 * same as one thread's). */
static void test_threads_same(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const size_t n = 48 * KIB + 17;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)("ab\x01A"[below(4)]);
    write_file(path, buf, n);
    static const size_t cs[] = {7, 64, 4096, 16384, 0};
    static const SearchRead reads[] = {SEARCH_READ_MAP, SEARCH_READ_PREAD};
    for (int mode = 0; mode < 2; mode++) {
        Doc *d = tu_open_doc(path, mode ? MMH_MODE_SHARED : MMH_MODE_COPY, NULL);
        for (size_t c = 0; c < sizeof cs / sizeof *cs; c++) {
            for (int t = 1; t <= 4; t++) {
                for (int r = 0; r < 2; r++) {
                    /* Tiny chunks make many rounds: fewer patterns there. */
                    for (int k = 0; k < (cs[c] && cs[c] < 64 ? 1 : 3); k++) {
                        Pattern p = random_pattern(k == 0 ? 3 : 6, false);
                        SearchOpts o = {k % 2 ? n / 3 : 0, 0, 0, k % 2, false, cs[c], .threads = t,
                                        .read = reads[r]};
                        check_search(d, buf, &p, &o, k == 2 ? 1 : FOREVER);
                    }
                }
            }
        }
        doc_close(d);
    }
    free(buf);
    free(path);
    tu_rmdir(dir);
}

/* ---- the job on documents --------------------------------------------------- */

/* A random SearchOpts over a document of size n: from anywhere (also past
 * the end), either direction, wrap or not, the whole document or a range. */
static SearchOpts random_opts(uint64_t n, size_t chunk)
{
    SearchOpts o;
    memset(&o, 0, sizeof o);
    o.from = below(n + 10);
    o.backward = below(2);
    o.wrap = below(2);
    o.chunk = chunk;
    o.threads = 1 + (int)below(4); /* every split of the rounds between threads */
    o.read = below(2) ? SEARCH_READ_MAP : SEARCH_READ_PREAD;
    if (below(3) == 0) {
        o.lo = below(n);
        o.hi = o.lo + 1 + below(n - o.lo);
        if (below(4) == 0)
            o.hi = n + 100; /* past the end: to the end */
    }
    return o;
}

static uint64_t random_budget(void)
{
    switch (below(3)) {
    case 0: return 1; /* one window a step */
    case 1: return 20000;
    }
    return FOREVER;
}

static const size_t chunks[] = {1, 2, 3, 7, 64, 4096, 0};

/* Dense files: every match of list-all loops equals the oracle's list. */
static void test_job_oracle_dense(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const size_t n = 20 * KIB;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    for (int file = 0; file < 2; file++) {
        for (size_t i = 0; i < n; i++)
            buf[i] = file ? (uint8_t)("ab\x01"[below(3)]) : alphabet[below(4)];
        write_file(path, buf, n);
        Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            /* The fixed cases: from in the middle, each direction, wrap or not. */
            for (int k = 0; k < 4; k++) {
                Pattern p = random_pattern(4, false);
                SearchOpts o = {n / 2, 0, 0, k & 1, k >> 1, chunks[c]};
                check_search(d, buf, &p, &o, FOREVER);
            }
            for (int k = 0; k < (chunks[c] < 4 ? 4 : 12); k++) {
                Pattern p = random_pattern(6, false);
                SearchOpts o = random_opts(n, chunks[c]);
                check_search(d, buf, &p, &o, random_budget());
            }
        }
        doc_close(d);
    }
    free(buf);
    free(path);
    tu_rmdir(dir);
}

/* A sparse file of 64 pages, a third of them data (zeros included), with a
 * few unwritten edits, some in holes. */
static Doc *holey_doc(const char *path, MmhMode mode, uint8_t **bytes)
{
    const uint64_t size = 64 * 4096;
    tu_make_file(path, size, 1);
    uint8_t page[4096];
    for (uint64_t pg = 0; pg < size / 4096; pg++) {
        if (below(3) != 0)
            continue;
        for (size_t i = 0; i < sizeof page; i++)
            page[i] = alphabet[below(4)];
        pwrite_at(path, pg * 4096, page, sizeof page);
    }
    Doc *d = tu_open_doc(path, mode, NULL);
    for (int k = 0; k < 6; k++) {
        uint8_t e[3] = {alphabet[1 + below(3)], alphabet[below(4)], alphabet[1 + below(3)]};
        assert_int_equal(doc_put(d, below(size - 3), e, 1 + below(3)), 0);
    }
    *bytes = doc_bytes(d);
    return d;
}

static void job_oracle_holes(MmhMode mode)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "holey");
    static const size_t hchunks[] = {7, 100, 4096, 0};
    for (int file = 0; file < 3; file++) {
        uint8_t *buf;
        Doc *d = holey_doc(path, mode, &buf);
        uint64_t n = doc_size(d);
        if (mode == MMH_MODE_COPY)
            assert_true(doc_unwritten(d));
        for (size_t c = 0; c < sizeof hchunks / sizeof *hchunks; c++) {
            for (int k = 0; k < 8; k++) {
                Pattern p = random_pattern(5, false);
                if (k == 0) /* one that matches the holes */
                    p = hex("00 ?? 00");
                SearchOpts o = random_opts(n, hchunks[c]);
                check_search(d, buf, &p, &o, random_budget());
            }
        }
        doc_close(d);
        free(buf);
    }
    free(path);
    tu_rmdir(dir);
}

static void test_job_oracle_holes_copy(void **state)
{
    (void)state;
    job_oracle_holes(MMH_MODE_COPY);
}

static void test_job_oracle_holes_shared(void **state)
{
    (void)state;
    job_oracle_holes(MMH_MODE_SHARED);
}

/* map_visit lends its bytes in 1 MiB pieces: a match across a piece
 * boundary, at every split, forward and backward, with the default chunk
 * (several pieces a window), also when the last piece is shorter than the
 * pattern. */
static void test_visit_pieces(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 3 * MIB;
    tu_make_file(path, size, 0); /* consecutive bytes differ by 7: no match by chance */
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    const uint8_t word[8] = {'M', 'm', 'H', 'e', 'X', '!', 0, 'z'};
    Pattern pats[3] = {text("MmHeX!\\0z"), text("\\cmMhEx!\\0Z"), hex("4d 6d ?? 65 58 21 00 7a")};
    for (uint64_t edge = MIB; edge < size; edge += MIB) {
        for (uint64_t k = 1; k < sizeof word; k++) {
            uint64_t at = edge - k;
            assert_int_equal(doc_put(d, at, word, sizeof word), 0);
            for (size_t q = 0; q < 3; q++) {
                for (int back = 0; back < 2; back++) {
                    SearchOpts o = {back ? size : 0, 0, 0, back, false, 0};
                    uint64_t m;
                    assert_int_equal(first_result(d, &pats[q], &o, FOREVER, &m, NULL, NULL, NULL),
                                     SEARCH_FOUND);
                    assert_int_equal(m, at);
                }
                /* The range ends just after the match: the last piece holds
                 * only the match's last k bytes. */
                SearchOpts o = {0, 0, at + sizeof word, false, false, 0};
                uint64_t m;
                assert_int_equal(first_result(d, &pats[q], &o, FOREVER, &m, NULL, NULL, NULL),
                                 SEARCH_FOUND);
                assert_int_equal(m, at);
                o.hi--;
                assert_int_equal(first_result(d, &pats[q], &o, FOREVER, NULL, NULL, NULL, NULL),
                                 SEARCH_NOT_FOUND);
            }
            assert_int_equal(doc_undo(d, NULL), 0);
        }
    }
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

static void test_wrap(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    uint8_t buf[10000];
    memset(buf, '.', sizeof buf);
    memcpy(buf + 1000, "needle", 6);
    write_file(path, buf, sizeof buf);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    Pattern p = text("needle");
    for (size_t c = 0; c < 3; c++) {
        size_t chunk = (size_t[]){0, 5, 999}[c];
        uint64_t m;
        bool wrapped;
        SearchProgress pr;
        /* Only before the cursor: found on wrapping, not without. */
        SearchOpts o = {5000, 0, 0, false, true, chunk};
        assert_int_equal(first_result(d, &p, &o, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_int_equal(m, 1000);
        assert_true(wrapped);
        o.wrap = false;
        assert_int_equal(first_result(d, &p, &o, FOREVER, NULL, &wrapped, NULL, &pr),
                         SEARCH_NOT_FOUND);
        assert_false(wrapped);
        assert_int_equal(pr.total, sizeof buf - 5000 - 5);
        /* Ahead of the cursor: found without wrapping. */
        o.from = 1000;
        assert_int_equal(first_result(d, &p, &o, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_int_equal(m, 1000);
        assert_false(wrapped);
        o.from = 1001;
        o.wrap = true; /* the match starts before from and ends after it */
        assert_int_equal(first_result(d, &p, &o, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_int_equal(m, 1000);
        assert_true(wrapped);

        /* Backward: from is the last start tried. */
        SearchOpts b = {999, 0, 0, true, false, chunk};
        assert_int_equal(first_result(d, &p, &b, FOREVER, NULL, NULL, NULL, NULL),
                         SEARCH_NOT_FOUND);
        b.wrap = true;
        assert_int_equal(first_result(d, &p, &b, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_int_equal(m, 1000);
        assert_true(wrapped);
        b.from = 1000;
        assert_int_equal(first_result(d, &p, &b, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_false(wrapped);

        /* Absent: NOT_FOUND after looking at everything, every time. */
        Pattern none = text("needles");
        o = (SearchOpts){5000, 0, 0, false, true, chunk};
        Run r = run_all(d, &none, &o, FOREVER);
        assert_int_equal(r.n, 0);
        assert_int_equal(r.end.total, sizeof buf - 6);
        free(r.v);
        b = (SearchOpts){5000, 0, 0, true, true, chunk};
        r = run_all(d, &none, &b, FOREVER);
        assert_int_equal(r.n, 0);
        free(r.v);

        /* From past the end: forward is all wrap, backward starts at the end. */
        o = (SearchOpts){UINT64_MAX, 0, 0, false, true, chunk};
        assert_int_equal(first_result(d, &p, &o, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_true(wrapped);
        b = (SearchOpts){UINT64_MAX, 0, 0, true, false, chunk};
        assert_int_equal(first_result(d, &p, &b, FOREVER, &m, &wrapped, NULL, NULL), SEARCH_FOUND);
        assert_int_equal(m, 1000);
        assert_false(wrapped);
    }

    /* Overlapping matches in a list-all loop, and no lap past the start. */
    char *path2 = tu_path(dir, "aaaa");
    write_file(path2, (const uint8_t *)"aaaaxaa", 7);
    Doc *e = tu_open_doc(path2, MMH_MODE_COPY, NULL);
    Pattern aa = text("aa");
    SearchOpts o = {1, 0, 0, false, true, 0};
    Run r = run_all(e, &aa, &o, FOREVER);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.v[0].off, 1);
    assert_int_equal(r.v[1].off, 2);
    assert_int_equal(r.v[2].off, 5);
    assert_int_equal(r.v[3].off, 0);
    assert_false(r.v[2].wrapped);
    assert_true(r.v[3].wrapped);
    free(r.v);
    o.backward = true;
    r = run_all(e, &aa, &o, FOREVER);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.v[0].off, 1);
    assert_int_equal(r.v[1].off, 0);
    assert_int_equal(r.v[2].off, 5);
    assert_int_equal(r.v[3].off, 2);
    free(r.v);
    doc_close(e);
    free(path2);

    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

static void test_range(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    /*                                0         1         2         3 */
    const char *s = /*                0123456789012345678901234567890123456 */
        "xyz..xyz....xyz....xyz..";
    write_file(path, (const uint8_t *)s, strlen(s));
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    Pattern p = text("xyz");
    /* Matches at 0, 5, 12, 19. */
    struct {
        uint64_t lo, hi;
        size_t n;
        uint64_t first;
    } cases[] = {
        {0, 0, 4, 0},     {1, 0, 3, 5},   {0, 7, 1, 0},    {0, 8, 2, 0},
        {6, 14, 0, 0},    {6, 15, 1, 12}, {5, 8, 1, 5},    {5, 7, 0, 0},
        {13, 100, 1, 19}, {20, 24, 0, 0}, {19, 22, 1, 19}, {1, 3, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int back = 0; back < 2; back++) {
            for (int wrap = 0; wrap < 2; wrap++) {
                SearchOpts o = {back ? UINT64_MAX : 0, cases[i].lo, cases[i].hi, back, wrap, 2};
                Run r = run_all(d, &p, &o, FOREVER);
                assert_int_equal(r.n, cases[i].n);
                if (r.n)
                    assert_int_equal(r.v[back ? r.n - 1 : 0].off, cases[i].first);
                for (size_t k = 0; k < r.n; k++) {
                    assert_true(r.v[k].off >= cases[i].lo);
                    assert_true(!cases[i].hi || r.v[k].off + 3 <= cases[i].hi);
                }
                free(r.v);
            }
        }
    }
    Search *x = (Search *)(uintptr_t)1;
    SearchOpts o = {0, 10, 10, false, false, 0};
    assert_int_equal(search_start(&x, d, &p, &o), -EINVAL); /* empty */
    assert_null(x);
    o = (SearchOpts){0, 30, 0, false, false, 0};
    assert_int_equal(search_start(&x, d, &p, &o), -EINVAL); /* past the end */
    o = (SearchOpts){0, 11, 10, false, false, 0};
    assert_int_equal(search_start(&x, d, &p, &o), -EINVAL);
    Pattern empty = {.len = 0};
    o = (SearchOpts){0, 0, 0, false, false, 0};
    assert_int_equal(search_start(&x, d, &empty, &o), -EINVAL);
    /* A pattern longer than the range finds nothing, at once. */
    o = (SearchOpts){0, 0, 2, false, true, 0};
    Run r = run_all(d, &p, &o, FOREVER);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.end.total, 0);
    assert_int_equal(r.steps, 1);
    free(r.v);
    doc_close(d);

    /* An empty document is an empty range. */
    tu_make_file(path, 0, 0);
    d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    assert_int_equal(search_start(&x, d, &p, &o), -EINVAL);
    doc_close(d);
    search_free(NULL);
    free(path);
    tu_rmdir(dir);
}

/* Budgets: one window a step with a tiny budget; cancel mid-way. */
/* Threads of this process (/proc/self/status), or -1. */
static int threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}

static void test_budget_and_cancel(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 256 * KIB;
    tu_make_file(path, size, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    Pattern p = hex("de ad be ef");
    for (int back = 0; back < 2; back++) {
        /* One thread: a step is one window of 4096 starts. */
        SearchOpts o = {back ? size : 0, 0, 0, back, false, 4096, .threads = 1};
        Search *s;
        assert_int_equal(search_start(&s, d, &p, &o), 0);
        SearchProgress pr;
        search_progress(s, &pr);
        assert_int_equal(pr.total, size - 3);
        for (uint64_t k = 1; k <= 10; k++) {
            assert_int_equal(search_step(s, 1), SEARCH_RUNNING);
            search_progress(s, &pr);
            assert_int_equal(pr.scanned, k * 4096);
            assert_int_equal(pr.bytes_read, k * 4096);
            /* The window just scanned began here. */
            assert_int_equal(pr.at, back ? size - 3 - (k - 1) * 4096 - 1 : (k - 1) * 4096);
        }
        search_free(s); /* cancel */
        Run r = run_all(d, &p, &o, FOREVER);
        assert_int_equal(r.steps, 1);
        free(r.v);
    }
    doc_close(d);

    /* Cancel latency with two threads: a step is one round (threads x
     * chunk starts) however small its budget, so a cancel (Esc, seen
     * between steps) waits for one round at most, and search_free joins
     * the workers: the process has its thread count of before. */
    const uint64_t big = 8 * MIB, chunk = 64 * KIB;
    tu_make_file(path, big, 0);
    d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    for (int back = 0; back < 2; back++) {
        int threads0 = threads_now();
        SearchOpts o = {back ? big : 0, 0, 0, back, false, chunk, .threads = 2};
        Search *s;
        assert_int_equal(search_start(&s, d, &p, &o), 0);
        assert_int_equal(threads_now(), threads0 + 1); /* one worker */
        SearchProgress pr;
        for (uint64_t k = 1; k <= 3; k++) {
            assert_int_equal(search_step(s, 1), SEARCH_RUNNING);
            search_progress(s, &pr);
            assert_int_equal(pr.bytes_read, k * 2 * chunk); /* exactly one more round */
            assert_true(pr.scanned < pr.total);
        }
        search_free(s); /* cancel: every thread joined */
        assert_int_equal(threads_now(), threads0);
    }
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* ---- syscalls: counted and failed ------------------------------------------ */

static int seeks;      /* SEEK_DATA and SEEK_HOLE calls */
static int seek_errno; /* fail them with this, when not 0 */
static int willneeds;  /* MADV_WILLNEED calls */

static off_t counting_lseek(int fd, off_t off, int whence)
{
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
        seeks++;
        if (seek_errno) {
            errno = seek_errno;
            return -1;
        }
    }
    return sys_default.lseek(fd, off, whence);
}

static int counting_madvise(void *addr, size_t n, int advice)
{
    if (advice == MADV_WILLNEED)
        willneeds++;
    return sys_default.madvise(addr, n, advice);
}

static void test_syscalls(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 32 * MIB;
    tu_make_file(path, size, 0);
    SysOps ops = sys_default;
    ops.lseek = counting_lseek;
    ops.madvise = counting_madvise;
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, &ops);
    Map *m = doc_map(d);
    MmhAdvice adv = map_advice(m);
    Pattern p = hex("de ad be ef");

    /* Dense, forward: one extent, asked for once; no hints with normal
     * advice (the kernel's readahead does better), the advice left alone. */
    seeks = willneeds = 0;
    const uint64_t chunk = 4 * KIB;
    SearchOpts o = {0, 0, 0, false, false, chunk};
    Run r = run_all(d, &p, &o, FOREVER);
    assert_int_equal(r.n, 0);
    assert_true(seeks >= 1 && seeks <= 2);
    assert_int_equal(willneeds, 0);
    assert_int_equal(map_advice(m), adv);
    free(r.v);

    /* Under MADV_RANDOM (no kernel readahead) forward scans give hints, not
     * one per window, and leave the advice as it was. */
    assert_int_equal(map_advise(m, MMH_ADV_RANDOM), 0);
    seeks = willneeds = 0;
    r = run_all(d, &p, &o, FOREVER);
    assert_int_equal(r.n, 0);
    assert_true(willneeds > 0);
    assert_true(willneeds < (int)(size / chunk / 4));
    assert_int_equal(map_advice(m), MMH_ADV_RANDOM);
    assert_int_equal(map_advise(m, adv), 0);
    free(r.v);

    /* Backward: the extent is cached too. */
    seeks = willneeds = 0;
    o.backward = true;
    o.from = size;
    r = run_all(d, &p, &o, FOREVER);
    assert_int_equal(r.n, 0);
    assert_true(seeks <= 4);
    assert_true(willneeds > 0);
    assert_true(willneeds < (int)(size / chunk / 4));
    assert_int_equal(map_advice(m), adv);
    free(r.v);

    /* lseek failing: EIO is an error; EINVAL (no SEEK_DATA here) means all
     * data, so everything is read. */
    seek_errno = EIO;
    o.backward = false;
    o.from = 0;
    assert_int_equal(first_result(d, &p, &o, FOREVER, NULL, NULL, NULL, NULL), -EIO);
    o.backward = true;
    o.from = size;
    assert_int_equal(first_result(d, &p, &o, FOREVER, NULL, NULL, NULL, NULL), -EIO);
    doc_close(d);

    tu_make_file(path, 4 * MIB, 1);
    pwrite_at(path, 3 * MIB, "needle", 6);
    d = tu_open_doc(path, MMH_MODE_COPY, &ops);
    assert_int_equal(doc_put(d, 1 * MIB, (const uint8_t *)"NEEDLE", 6), 0);
    uint8_t *buf = doc_bytes(d);
    Pattern ndl = text("\\cneedle");
    for (int e = 0; e < 2; e++) {
        seek_errno = e ? EINVAL : 0;
        for (int back = 0; back < 2; back++) {
            o = (SearchOpts){back ? 4 * MIB : 0, 0, 0, back, false, 0};
            r = run_all(d, &ndl, &o, FOREVER);
            assert_int_equal(r.n, 2);
            assert_int_equal(r.v[0].off, back ? 3 * MIB : 1 * MIB);
            assert_int_equal(r.v[1].off, back ? 1 * MIB : 3 * MIB);
            if (e)
                assert_int_equal(r.end.bytes_read, r.end.scanned);
            else
                assert_true(r.end.bytes_read < r.end.scanned / 2);
            free(r.v);
            check_search(d, buf, &ndl, &o, 1);
        }
    }
    seek_errno = 0;
    free(buf);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* ---- a 16 TiB sparse file ---------------------------------------------------- */

/* Search the huge file: the answer, in a few steps, reading little. */
static void huge_case(Doc *d, const Pattern *p, uint64_t from, bool back, int want, uint64_t at)
{
    SearchOpts o = {from, 0, 0, back, false, 0};
    uint64_t m;
    unsigned steps;
    SearchProgress pr;
    int rc = first_result(d, p, &o, 200 * 1000 * 1000, &m, NULL, &steps, &pr);
    if (rc != want || steps > 5 || pr.bytes_read >= 64 * MIB)
        describe(p, &o);
    assert_int_equal(rc, want);
    if (want == SEARCH_FOUND)
        assert_int_equal(m, at);
    else
        assert_int_equal(pr.scanned, pr.total);
    assert_true(steps <= 5);
    assert_true(pr.bytes_read < 64 * MIB);
    assert_true(pr.bytes_read <= pr.scanned);
}

/* ---- the page cache: readahead advice, cachestat before and after -------- */

static int fadvises; /* fadvise calls seen */
static pthread_mutex_t tids_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t tids[4]; /* the threads that called pread */
static int ntids;         /* how many */

static int counting_fadvise(int fd, off_t off, off_t n, int advice)
{
    fadvises++;
    return sys_default.fadvise(fd, off, n, advice);
}

static ssize_t tid_pread(int fd, void *buf, size_t n, off_t off)
{
    pthread_t me = pthread_self();
    pthread_mutex_lock(&tids_mu);
    int k = 0;
    while (k < ntids && !pthread_equal(tids[k], me))
        k++;
    if (k == ntids && ntids < 4)
        tids[ntids++] = me;
    pthread_mutex_unlock(&tids_mu);
    return sys_default.pread(fd, buf, n, off);
}

static int nosys_cachestat(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags)
{
    (void)fd, (void)r, (void)cs, (void)flags;
    errno = ENOSYS;
    return -1;
}

/* Drop path from the page cache: the bytes of it still cached after, or
 * -1 if cachestat cannot tell. */
static int64_t evict(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    SysCacheRange r = {0, 0};
    SysCacheStat cs;
    int rc = sys_default.cachestat(fd, &r, &cs, 0);
    close(fd);
    return rc < 0 ? -1 : (int64_t)(cs.nr_cache * (uint64_t)sysconf(_SC_PAGESIZE));
}

static void test_page_cache(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 16 * MIB, chunk = 1 * MIB;
    tu_make_file(path, size, 0);
    int64_t left = evict(path);
    if (left < 0 || (uint64_t)left > size / 4) {
        print_message("# cachestat missing or the file system keeps the file cached "
                      "(tmpfs?): skipped\n");
        free(path);
        tu_rmdir(dir);
        skip();
    }
    SysOps ops = sys_default;
    ops.fadvise = counting_fadvise;
    ops.pread = tid_pread;
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, &ops);
    Pattern p = hex("de ad be ef");

    /* Forward over pread, cold: no advice given, the cache grew by what
     * was read, and the mapping holds no page (pread maps nothing). */
    fadvises = 0;
    SearchOpts o = {0, 0, 0, false, false, chunk, .threads = 2, .read = SEARCH_READ_PREAD};
    Run r = run_all(d, &p, &o, 1);
    assert_int_equal(r.n, 0);
    assert_int_equal(fadvises, 0);
    assert_true(r.end.cache_known);
    assert_true(r.end.cached_before <= (uint64_t)left + size / 8);
    assert_true(r.end.cached_after >= size - size / 8);
    ResidSmaps sm;
    assert_int_equal(resid_smaps(doc_resid(d), &sm), 0);
    assert_int_equal(sm.rss, 0);
    free(r.v);

    /* Warm now: both threads read, and nothing more came in. */
    ntids = 0;
    r = run_all(d, &p, &o, FOREVER);
    assert_int_equal(ntids, 2);
    assert_true(r.end.cache_known);
    assert_true(r.end.cached_before >= size - size / 8);
    assert_true(r.end.cached_after >= r.end.cached_before - size / 8);
    free(r.v);

    /* Cold again, cancelled after one round: that round was read by one
     * thread (threads sharing the descriptor would break its readahead
     * stream; rounds the readahead has cached by then are split again),
     * and search_cache_after counts again. */
    assert_true(evict(path) <= (int64_t)(size / 4));
    Search *s;
    assert_int_equal(search_start(&s, d, &p, &o), 0);
    ntids = 0;
    assert_int_equal(search_step(s, 1), SEARCH_RUNNING);
    assert_int_equal(ntids, 1);
    search_cache_after(s);
    SearchProgress pr;
    search_progress(s, &pr);
    assert_int_equal(pr.bytes_read, 2 * chunk); /* a round, whoever read it */
    assert_true(pr.cached_after >= pr.bytes_read);
    assert_true(pr.cached_after > pr.cached_before);
    search_free(s);

    /* Backward, and through the mapping: no descriptor advice either. */
    SearchOpts ob = {size, 0, 0, true, false, chunk, .threads = 2, .read = SEARCH_READ_PREAD};
    r = run_all(d, &p, &ob, FOREVER);
    free(r.v);
    o.read = SEARCH_READ_MAP;
    r = run_all(d, &p, &o, FOREVER);
    free(r.v);
    assert_int_equal(fadvises, 0);
    doc_close(d);

    /* Without cachestat (before Linux 6.5): unknown, not zero. */
    ops = sys_default;
    ops.cachestat = nosys_cachestat;
    d = tu_open_doc(path, MMH_MODE_READONLY, &ops);
    o.read = SEARCH_READ_PREAD;
    r = run_all(d, &p, &o, FOREVER);
    assert_false(r.end.cache_known);
    assert_int_equal(r.end.cached_before, 0);
    assert_int_equal(r.end.cached_after, 0);
    free(r.v);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

static void test_huge_sparse(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "huge");
    uint64_t size = tu_make_huge(path);
    if (size == 0) {
        print_message("# no 16 TiB sparse file here: skipped\n");
        free(path);
        tu_rmdir(dir);
        skip();
    }
    /* Islands: a block at 1 GiB (0x55 bytes but the last, 'A'), a block at
     * 5 TiB, the last 100 bytes. */
    uint8_t block[4096];
    memset(block, 0x55, sizeof block);
    block[4095] = 'A';
    memcpy(block + 100, "first-island", 12);
    pwrite_at(path, 1 * GIB, block, sizeof block);
    pwrite_at(path, 5 * TIB + 7, "middle-island", 13);
    memset(block, 0x66, 100);
    memcpy(block + 10, "MMHEX-END", 9);
    pwrite_at(path, size - 100, block, 100);

    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    Pattern end = text("MMHEX-END"), none = text("absent!"), first = text("first-island");
    huge_case(d, &end, 0, false, SEARCH_FOUND, size - 90);
    huge_case(d, &none, 0, false, SEARCH_NOT_FOUND, 0);
    huge_case(d, &none, size, true, SEARCH_NOT_FOUND, 0);
    huge_case(d, &first, size, true, SEARCH_FOUND, 1 * GIB + 100);
    huge_case(d, &first, 1 * GIB + 101, true, SEARCH_FOUND, 1 * GIB + 100);
    Pattern mid = text("\\cMIDDLE-ISLAND");
    huge_case(d, &mid, 2 * GIB, false, SEARCH_FOUND, 5 * TIB + 7);
    huge_case(d, &mid, size - 1, true, SEARCH_FOUND, 5 * TIB + 7);

    /* Across a data/hole boundary, either way. */
    Pattern out = hex("41 00 00"), in = hex("00 00 55");
    huge_case(d, &out, 0, false, SEARCH_FOUND, 1 * GIB + 4095);
    huge_case(d, &out, size, true, SEARCH_FOUND, 1 * GIB + 4095);
    huge_case(d, &in, 0, false, SEARCH_FOUND, 1 * GIB - 2);
    huge_case(d, &in, 4 * TIB, true, SEARCH_FOUND, 1 * GIB - 2);

    /* A pattern matching zeros reads the holes: found at the first one. */
    Pattern zeros = hex("00 00");
    SearchOpts o = {1 * GIB, 0, 0, false, false, 0};
    uint64_t m;
    assert_int_equal(first_result(d, &zeros, &o, FOREVER, &m, NULL, NULL, NULL), SEARCH_FOUND);
    assert_int_equal(m, 1 * GIB + 4096);
    o.from = 0;
    assert_int_equal(first_result(d, &zeros, &o, FOREVER, &m, NULL, NULL, NULL), SEARCH_FOUND);
    assert_int_equal(m, 0);

    /* An unwritten edit in a hole is found, and so are its edges. */
    assert_int_equal(doc_put(d, 9 * TIB + 7, (const uint8_t *)"EDIT", 4), 0);
    assert_true(doc_unwritten(d));
    assert_int_equal(tu_pread_byte(path, 9 * TIB + 7), 0);
    Pattern edit = text("EDIT"), edge = hex("00 45 44"), tail = hex("49 54 00");
    huge_case(d, &edit, 0, false, SEARCH_FOUND, 9 * TIB + 7);
    huge_case(d, &edit, size, true, SEARCH_FOUND, 9 * TIB + 7);
    huge_case(d, &edge, 6 * TIB, false, SEARCH_FOUND, 9 * TIB + 6);
    huge_case(d, &tail, size, true, SEARCH_FOUND, 9 * TIB + 9);

    /* A list-all loop over the whole file, wrapping: every island once. */
    Pattern any = text("\\ci");
    o = (SearchOpts){8 * TIB, 0, 0, false, true, 0};
    Run r = run_all(d, &any, &o, 200 * 1000 * 1000);
    assert_int_equal(r.n, 5); /* EDIT, first-island (twice), middle-island (twice) */
    assert_int_equal(r.v[0].off, 9 * TIB + 9);
    assert_false(r.v[0].wrapped);
    assert_true(r.v[1].wrapped);
    assert_int_equal(r.v[1].off, 1 * GIB + 101);
    free(r.v);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* ---- truncated under the scan ---------------------------------------------- */

static void test_truncated(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    /* Page-aligned: the zeros past a new end inside its last page would be
     * a match for the zero pattern before any fault. */
    const uint64_t size = 16 * MIB, small = 1 * MIB;
    Pattern pats[2] = {hex("de ad be ef"), hex("00 00 00 00")};
    for (size_t q = 0; q < 2; q++) {
        for (int back = 0; back < 2; back++) {
            tu_make_file(path, size, 0);
            Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
            SearchOpts o = {back ? size : 0, 0, 0, back, true, 1 * MIB};
            Search *s;
            assert_int_equal(search_start(&s, d, &pats[q], &o), 0);
            assert_int_equal(search_step(s, 1), SEARCH_RUNNING);
            SearchProgress before, after;
            search_progress(s, &before);
            tu_truncate_by_child(path, small);
            assert_int_equal(search_step(s, 1), -MMH_ETRUNC);
            assert_int_equal(doc_size(d), small); /* the map knows */
            /* Going on stays within the new size, and ends. */
            int rc;
            while ((rc = search_step(s, FOREVER)) == SEARCH_RUNNING)
                ;
            assert_int_equal(rc, SEARCH_NOT_FOUND);
            search_progress(s, &after);
            assert_true(after.scanned >= before.scanned);
            assert_true(after.total < before.total);
            assert_int_equal(after.scanned, after.total);
            search_free(s);
            doc_close(d);
        }
    }
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_hex),
        cmocka_unit_test(test_parse_text),
        cmocka_unit_test(test_matches_zeros),
        cmocka_unit_test(test_buf_cases),
        cmocka_unit_test(test_buf_oracle),
        cmocka_unit_test(test_match_impls),
        cmocka_unit_test(test_threads_same),
        cmocka_unit_test(test_job_oracle_dense),
        cmocka_unit_test(test_job_oracle_holes_copy),
        cmocka_unit_test(test_job_oracle_holes_shared),
        cmocka_unit_test(test_visit_pieces),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_budget_and_cancel),
        cmocka_unit_test(test_syscalls),
        cmocka_unit_test(test_page_cache),
        cmocka_unit_test(test_huge_sparse),
        cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
