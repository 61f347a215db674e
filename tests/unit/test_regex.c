/*
 * test_regex: the regex matcher (search-regex.c) against PCRE2 itself.
 *
 * A driver written here plays the search engine: it hands rx_scan
 * contiguous windows of a haystack as the protocol says (nstart starts,
 * then up to rx_overlap more bytes, fewer only at the end), sometimes
 * shorter ones (so "need more" answers happen and are followed by a window
 * starting exactly there), forward and backward, for chunk sizes from one
 * start up. Every match it lists, in order, is compared with the oracle:
 * PCRE2's anchored match at each start over that start's span, and, when
 * the span is longer than the haystack, with pcre2_match's own unanchored
 * walk over the whole buffer. Random haystacks over a small alphabet
 * (letters, newline, 0x00, 0xff) make matches and near misses dense; the
 * span is shrunk (rx_set_span) so cuts and window edges are hit.
 * The search job (search.h) with a regex Pattern is checked the same way
 * on a sparse document (holes skipped or not, unwritten copy-mode edits in
 * them, matches across data/hole boundaries), listing every match forward
 * and backward for several chunk sizes, each with its length.
 * Also: PCRE2's compile messages with offsets, the refusals (empty
 * matches, lookbehind, ^ \A \G \K), case folding, the zero-run test, and
 * several threads scanning with one Regex at once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "doc.h"
#include "search-regex.h"
#include "search.h"
#include "testutil.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL; /* xorshift64*, fixed seed: failures repeat */

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static const uint8_t alphabet[] = {'a', 'b', 'c', 'A', '\n', 0x00, 0xff};

static void fill(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = alphabet[below(sizeof alphabet)];
}

/* Patterns the random tests run: greedy and lazy, alternation, classes,
 * counted repeats, lookahead, $ and \z at the end, case folding inline. */
static const char *const patterns[] = {
    "a",          "ab",         "a+b",
    "a.*b",       "a.*?b",      "(a|bc)+",
    "[^a]b",      "b{2,5}",     "a[\\x00\\xff]",
    "(?s)a.*c",   "c$",         "(?m)c$",
    "b\\z",       "\\x00\\x00", "[abc]{3}",
    "(a|b)*c",    "a(?=b)",     "a(?!b)",
    "(?i)ab",     "b+c*",       "(ab|a)(bc|c)",
    "a{3,}",      "(?s).a",     "\\xff[^\\n]+",
    "(a)(b)?\\1", "c(?=.*c)",   "[[:alpha:]]{4}",
};

/* ---- the oracle ---------------------------------------------------------- */

typedef struct Hit {
    size_t at, len;
} Hit;

/* PCRE2 directly: the anchored match at each start p over [p, p + span)
 * (cut short of the end: $ may not match there). o[p].len is 0 for none. */
static void oracle(const char *pat, bool icase, const uint8_t *buf, size_t n, size_t span, Hit *o)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                     icase ? PCRE2_CASELESS : 0, &ec, &eo, NULL);
    assert_non_null(code);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    for (size_t p = 0; p < n; p++) {
        size_t e = n - p > span ? p + span : n;
        int rc =
            pcre2_match(code, buf, e, p, PCRE2_ANCHORED | (e < n ? PCRE2_NOTEOL : 0), md, NULL);
        o[p].at = p;
        o[p].len = 0;
        if (rc >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            assert_int_equal(ov[0], p);
            o[p].len = ov[1] - p;
            assert_true(o[p].len > 0);
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(code);
}

/* ---- the driver: the engine's side of the protocol ----------------------- */

typedef struct Drive {
    const Regex *rx;
    const uint8_t *buf;
    size_t n;
    size_t chunk; /* starts per window */
    int shorten;  /* percent of windows given fewer bytes than the overlap */
    size_t needs; /* "need more" answers seen */
    size_t scans; /* rx_scan calls */
} Drive;

/* One window of starts [w, w + nstart): full, or (not full) maybe short. */
static int window(Drive *d, size_t w, size_t nstart, bool full, bool back, size_t *at, size_t *len)
{
    size_t ov = rx_overlap(d->rx);
    size_t navail = d->n - w < nstart + ov ? d->n - w : nstart + ov;
    bool end = w + navail == d->n;
    if (!full && end == false && (int)below(100) < d->shorten)
        navail = nstart + below(navail - nstart);
    else if (!full && end && (int)below(100) < d->shorten && navail > nstart) {
        navail = nstart + below(navail - nstart);
        end = false;
    }
    d->scans++;
    int rc = rx_scan(d->rx, d->buf + w, nstart, navail, end, back, at, len);
    assert_true(rc >= 0 && rc <= 2);
    if (rc >= 1)
        assert_true(*at < nstart);
    if (rc == 1) {
        assert_true(*len > 0);
        assert_true(*len <= ov);
        assert_true(*at + *len <= navail);
    }
    if (rc == 2) {
        assert_true(navail - *at < ov); /* never in a window with room */
        assert_false(end);
        d->needs++;
    }
    return rc;
}

/* The first match at or after from: true with *h. */
static bool drive_fwd(Drive *d, size_t from, Hit *h)
{
    size_t w = from;
    bool full = false;
    while (w < d->n) {
        size_t nstart = d->n - w < d->chunk ? d->n - w : d->chunk, at = 0, len = 0;
        int rc = window(d, w, nstart, full, false, &at, &len);
        full = false;
        if (rc == 1) {
            *h = (Hit){w + at, len};
            return true;
        }
        if (rc == 2) {
            w += at; /* the next window starts exactly there, full */
            full = true;
            continue;
        }
        w += nstart;
    }
    return false;
}

/* The last match at or before from. */
static bool drive_back(Drive *d, size_t from, Hit *h)
{
    size_t top = from + 1;
    while (top > 0) {
        size_t w = top > d->chunk ? top - d->chunk : 0, at = 0, len = 0;
        int rc = window(d, w, top - w, false, true, &at, &len);
        if (rc == 1) {
            *h = (Hit){w + at, len};
            return true;
        }
        if (rc == 2) {
            /* That one start in a full window; below it, as usual. */
            size_t q = w + at, at2 = 0, len2 = 0;
            rc = window(d, q, 1, true, true, &at2, &len2);
            assert_int_not_equal(rc, 2);
            if (rc == 1) {
                *h = (Hit){q + at2, len2};
                return true;
            }
            top = q;
            continue;
        }
        top = w;
    }
    return false;
}

/* Every match, as find -a lists them (forward from 0, or backward from the
 * end), against the oracle. */
static void check_all(Drive *d, const Hit *o, const char *what)
{
    size_t k = 0;
    Hit h;
    for (size_t p = 0; p < d->n && drive_fwd(d, p, &h); p = h.at + 1, k++) {
        while (k < d->n && o[k].len == 0)
            k++;
        if (k == d->n)
            fail_msg("%s forward: a match at %zu+%zu the oracle lacks", what, h.at, h.len);
        if (h.at != o[k].at || h.len != o[k].len)
            fail_msg("%s forward: got %zu+%zu, want %zu+%zu", what, h.at, h.len, o[k].at, o[k].len);
    }
    while (k < d->n && o[k].len == 0)
        k++;
    if (k != d->n)
        fail_msg("%s forward: missed the match at %zu", what, o[k].at);
    size_t p = d->n; /* one past the next start to try */
    k = d->n;
    while (p > 0 && drive_back(d, p - 1, &h)) {
        while (k > 0 && o[k - 1].len == 0)
            k--;
        if (k == 0)
            fail_msg("%s backward: a match at %zu+%zu the oracle lacks", what, h.at, h.len);
        k--;
        if (h.at != o[k].at || h.len != o[k].len)
            fail_msg("%s backward: got %zu+%zu, want %zu+%zu", what, h.at, h.len, o[k].at,
                     o[k].len);
        p = h.at;
    }
    while (k > 0 && o[k - 1].len == 0)
        k--;
    if (k != 0)
        fail_msg("%s backward: missed the match at %zu", what, o[k - 1].at);
}

static Regex *compile_ok(const char *pat, bool icase)
{
    Regex *rx = NULL;
    char err[256] = "";
    int rc = rx_compile(pat, icase, &rx, err, sizeof err);
    if (rc != 0)
        fail_msg("rx_compile(%s): %d %s", pat, rc, err);
    return rx;
}

/* ---- tests --------------------------------------------------------------- */

/* Every pattern over random haystacks: every window split, short windows,
 * small spans (cuts) and the full span, against the oracle. */
static void test_windows_oracle(void **state)
{
    (void)state;
    static const size_t spans[] = {1, 2, 3, 5, 8, 16, RX_SPAN_MAX};
    static const size_t chunks[] = {1, 2, 3, 7, 40, 1000};
    size_t needs = 0, scans = 0, hits = 0;
    uint8_t buf[160];
    Hit o[sizeof buf];
    for (size_t pi = 0; pi < sizeof patterns / sizeof patterns[0]; pi++) {
        Regex *rx = compile_ok(patterns[pi], false);
        for (int round = 0; round < 6; round++) {
            size_t n = 1 + below(sizeof buf);
            fill(buf, n);
            for (size_t si = 0; si < sizeof spans / sizeof spans[0]; si++) {
                rx_set_span(rx, spans[si]);
                oracle(patterns[pi], false, buf, n, spans[si], o);
                for (size_t i = 0; i < n; i++)
                    hits += o[i].len > 0;
                for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
                    Drive d = {rx, buf, n, chunks[ci], ci % 2 ? 40 : 0, 0, 0};
                    char what[128];
                    snprintf(what, sizeof what, "/%s/ n=%zu span=%zu chunk=%zu", patterns[pi], n,
                             spans[si], chunks[ci]);
                    check_all(&d, o, what);
                    needs += d.needs;
                    scans += d.scans;
                }
            }
        }
        rx_free(rx);
    }
    /* The test is only worth something if it saw matches and "need more". */
    assert_true(hits > 1000);
    assert_true(needs > 100);
    print_message("# %zu scans, %zu matches in the oracle, %zu need-more answers\n", scans, hits,
                  needs);
}

/* With the span longer than the buffer, the leftmost match from any offset
 * is exactly pcre2_match's over the whole buffer. */
static void test_whole_buffer(void **state)
{
    (void)state;
    static uint8_t buf[200000];
    fill(buf, sizeof buf);
    for (size_t pi = 0; pi < sizeof patterns / sizeof patterns[0]; pi++) {
        if (strstr(patterns[pi], ".*")) /* matches may run past the span here */
            continue;
        Regex *rx = compile_ok(patterns[pi], false);
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *code =
            pcre2_compile((PCRE2_SPTR)patterns[pi], PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        Drive d = {rx, buf, sizeof buf, 4096 + below(8192), 30, 0, 0};
        for (int k = 0; k < 50; k++) {
            size_t from = below(sizeof buf);
            Hit h;
            bool got = drive_fwd(&d, from, &h);
            int rc = pcre2_match(code, buf, sizeof buf, from, 0, md, NULL);
            assert_int_equal(got, rc >= 0);
            if (got) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                assert_int_equal(h.at, ov[0]);
                assert_int_equal(h.len, ov[1] - ov[0]);
            }
        }
        pcre2_match_data_free(md);
        pcre2_code_free(code);
        rx_free(rx);
    }
}

/* A match longer than the span is cut at the span; $ does not match at
 * the cut. */
static void test_cap(void **state)
{
    (void)state;
    const char *s = "xaaaaaaaaaab";
    Regex *rx = compile_ok("a+", false);
    rx_set_span(rx, 4);
    assert_int_equal(rx_overlap(rx), 4);
    size_t at = 99, len = 99;
    assert_int_equal(rx_scan(rx, (const uint8_t *)s, 12, 12, true, false, &at, &len), 1);
    assert_int_equal(at, 1);
    assert_int_equal(len, 4);
    rx_free(rx);
    rx = compile_ok("a+$", false);
    rx_set_span(rx, 4);
    assert_int_equal(rx_scan(rx, (const uint8_t *)"aaaaaaa", 7, 7, true, false, &at, &len), 1);
    assert_int_equal(at, 3); /* the first start whose span reaches the end */
    assert_int_equal(len, 4);
    rx_free(rx);
    rx = compile_ok("a+", false);
    assert_int_equal(rx_overlap(rx), RX_SPAN_MAX);
    rx_free(rx);
}

/* "Need more": a match that may run past a short window's end. */
static void test_need_more(void **state)
{
    (void)state;
    Regex *rx = compile_ok("ab+c", false);
    rx_set_span(rx, 16);
    size_t at = 0, len = 0;
    const uint8_t *b = (const uint8_t *)"xxabbbbc";
    assert_int_equal(rx_scan(rx, b, 4, 5, false, false, &at, &len), 2);
    assert_int_equal(at, 2);
    assert_int_equal(rx_scan(rx, b, 4, 5, false, true, &at, &len), 2);
    assert_int_equal(at, 2);
    assert_int_equal(rx_scan(rx, b + 2, 2, 6, true, false, &at, &len), 1);
    assert_int_equal(at, 0);
    assert_int_equal(len, 6);
    /* At the end of the range there is nothing more to ask for. */
    assert_int_equal(rx_scan(rx, b, 4, 5, true, false, &at, &len), 0);
    rx_free(rx);
}

static void compile_err(const char *pat, const char *want)
{
    Regex *rx = (Regex *)1;
    char err[256] = "";
    int rc = rx_compile(pat, false, &rx, err, sizeof err);
    assert_int_equal(rc, -EINVAL);
    assert_null(rx);
    if (!strstr(err, want))
        fail_msg("rx_compile(%s): \"%s\" lacks \"%s\"", pat, err, want);
}

static void test_compile_errors(void **state)
{
    (void)state;
    compile_err("(abc", "missing closing parenthesis at offset 4");
    compile_err("a[b", "missing terminating ] for character class at offset 3");
    compile_err("a{2,1}", "numbers out of order in {} quantifier at offset 5");
    compile_err("ab\\", "\\ at end of pattern at offset 3");
    compile_err("(*UTF)a", "at offset");
    compile_err("", "empty expression");
    /* May match empty: refused, with the conservative test named. */
    compile_err("a*", "empty string (PCRE2 gives a minimum length of 0)");
    compile_err("(a|)", "empty string");
    compile_err("x?y*", "empty string");
    compile_err("(?=a)", "empty string");
    /* Looking before the match. */
    compile_err("(?<=a)b", "lookbehind");
    compile_err("\\bab", "lookbehind");
    compile_err("a\\B", "lookbehind");
    compile_err("^ab", "^ is not supported");
    compile_err("x|(?m)^ab", "^ is not supported");
    compile_err("\\Aab", "\\A is not supported");
    compile_err("a\\Gb", "\\G is not supported");
    compile_err("a\\Kb", "\\K is not supported");
    /* ^ inside classes and quoted is fine. */
    static const char *const ok[] = {"[^a]b",   "\\^",           "[\\^x]", "[]^]",
                                     "\\Q^\\E", "[[:^alpha:]]x", "a\\\\A"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        rx_free(compile_ok(ok[i], false));
}

static void test_icase(void **state)
{
    (void)state;
    uint8_t buf[120];
    Hit o[sizeof buf];
    static const char *const pats[] = {"ab", "A+B", "[a-c]{2}", "\\xff?aB"};
    for (size_t pi = 0; pi < sizeof pats / sizeof pats[0]; pi++) {
        Regex *rx = compile_ok(pats[pi], true);
        for (int round = 0; round < 10; round++) {
            size_t n = 1 + below(sizeof buf);
            fill(buf, n);
            for (size_t i = 0; i < n; i++)
                if (rnd() & 1 && buf[i] >= 'a' && buf[i] <= 'c')
                    buf[i] = (uint8_t)(buf[i] - 32);
            rx_set_span(rx, 1 + below(10));
            oracle(pats[pi], true, buf, n, rx_overlap(rx), o);
            Drive d = {rx, buf, n, 1 + below(20), 30, 0, 0};
            check_all(&d, o, pats[pi]);
        }
        rx_free(rx);
    }
    /* Non-ASCII bytes are not letters: 0xc9 does not match 0xe9. */
    Regex *rx = compile_ok("\\xe9", true);
    size_t at, len;
    assert_int_equal(rx_scan(rx, (const uint8_t *)"\xc9", 1, 1, true, false, &at, &len), 0);
    rx_free(rx);
}

static void test_matches_zeros(void **state)
{
    (void)state;
    static const struct {
        const char *pat;
        bool zeros;
    } cases[] = {
        {"a", false},           {"\\x00", true},          {"\\x00{5000}", true}, {"[^a]", true},
        {"a|\\x00\\x00", true}, {"ab+c", false},          {"\\x00a", false},     {"\\x00+$", true},
        {"(?s).", true},        {"[\\x01-\\xff]", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Regex *rx = compile_ok(cases[i].pat, false);
        if (rx_matches_zeros(rx) != cases[i].zeros)
            fail_msg("rx_matches_zeros(%s) is %d", cases[i].pat, !cases[i].zeros);
        rx_free(rx);
    }
}

/* ---- threads ------------------------------------------------------------- */

typedef struct Worker {
    const Regex *rx;
    const uint8_t *buf;
    size_t n;
    size_t count; /* matches listed */
    size_t sum;   /* of their offsets and lengths */
} Worker;

static void *work(void *arg)
{
    Worker *w = arg;
    size_t pos = 0, at, len;
    while (pos < w->n) {
        size_t navail = w->n - pos;
        int rc = rx_scan(w->rx, w->buf + pos, navail, navail, true, false, &at, &len);
        if (rc != 1)
            break;
        w->count++;
        w->sum += pos + at + len;
        pos += at + 1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    size_t n = 1 << 16;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    fill(buf, n);
    Regex *rx = compile_ok("(a|b)+c", false);
    Worker one = {rx, buf, n, 0, 0};
    work(&one);
    assert_true(one.count > 100);
    Worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (Worker){rx, buf, n, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].count, one.count);
        assert_int_equal(w[i].sum, one.sum);
    }
    rx_free(rx);
    free(buf);
}

/* ---- the search job with a regex ----------------------------------------- */

/* Every match of a list-all search (forward or backward over the whole
 * document), with its length, against the oracle. */
static void check_job(Doc *d, const Pattern *p, const Hit *o, size_t n, bool back, uint64_t chunk,
                      const char *what)
{
    Search *s = NULL;
    SearchOpts so = {.from = back ? n - 1 : 0, .lo = 0, .hi = n, .backward = back, .chunk = chunk};
    assert_int_equal(search_start(&s, d, p, &so), 0);
    size_t k = back ? n : 0;
    for (;;) {
        int rc = search_step(s, UINT64_MAX);
        assert_true(rc >= 0);
        if (rc == SEARCH_NOT_FOUND)
            break;
        assert_int_equal(rc, SEARCH_FOUND);
        uint64_t at = search_match(s), len = search_match_len(s);
        if (back) {
            while (k > 0 && o[k - 1].len == 0)
                k--;
            if (k == 0)
                fail_msg("%s: %" PRIu64 " is not a match", what, at);
            k--;
        } else {
            while (k < n && o[k].len == 0)
                k++;
            if (k == n)
                fail_msg("%s: %" PRIu64 " is not a match", what, at);
        }
        if (at != o[k].at || len != o[k].len)
            fail_msg("%s: got %" PRIu64 "+%" PRIu64 ", want %zu+%zu", what, at, len, o[k].at,
                     o[k].len);
        if (!back)
            k++;
    }
    if (back) {
        while (k > 0 && o[k - 1].len == 0)
            k--;
        if (k)
            fail_msg("%s: missed %zu", what, o[k - 1].at);
    } else {
        while (k < n && o[k].len == 0)
            k++;
        if (k < n)
            fail_msg("%s: missed %zu", what, o[k].at);
    }
    search_free(s);
}

static void job_oracle(MmhMode mode)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "holey");
    const size_t size = 8 * 4096;
    static const char *const pats[] = {
        "ab+",      "a\\x00+b", "\\x00\\x00a", "b\\x00{3}", "(?s)c.{0,9}a",
        "\\x00{2}", "[ab]{2}c", "c$",          "a(?!b)",
    };
    static const uint64_t chunks[] = {7, 100, 0};
    uint8_t *page = malloc(4096);
    assert_non_null(page);
    for (int file = 0; file < 2; file++) {
        tu_make_file(path, size, 1);
        int fd = open(path, O_WRONLY);
        assert_true(fd >= 0);
        for (size_t pg = 0; pg < size / 4096; pg++) {
            if (below(3) != 0)
                continue;
            for (size_t i = 0; i < 4096; i++)
                page[i] = "abc\0"[below(4)];
            assert_int_equal(pwrite(fd, page, 4096, (off_t)(pg * 4096)), 4096);
        }
        close(fd);
        Doc *d = tu_open_doc(path, mode, NULL);
        for (int k = 0; k < 5 && mode == MMH_MODE_COPY; k++) { /* some in holes */
            uint8_t e[2] = {"abc"[below(3)], "abc"[below(3)]};
            assert_int_equal(doc_put(d, below(size - 2), e, 2), 0);
        }
        uint8_t *buf = malloc(size);
        assert_non_null(buf);
        assert_int_equal(doc_read(d, 0, buf, size), 0);
        Hit *o = malloc(size * sizeof *o);
        assert_non_null(o);
        for (size_t pi = 0; pi < sizeof pats / sizeof pats[0]; pi++) {
            Regex *rx = compile_ok(pats[pi], false);
            for (int sp = 0; sp < 2; sp++) {
                if (sp)
                    rx_set_span(rx, 50);
                oracle(pats[pi], false, buf, size, rx_overlap(rx), o);
                Pattern p = {.rx = rx};
                /* Small chunks with the small span only: a window copies its span. */
                for (size_t c = sp ? 0 : 2; c < sizeof chunks / sizeof chunks[0]; c++)
                    for (int back = 0; back < 2; back++) {
                        char what[128];
                        snprintf(what, sizeof what, "/%s/ span %zu chunk %" PRIu64 "%s", pats[pi],
                                 rx_overlap(rx), chunks[c], back ? " backward" : "");
                        check_job(d, &p, o, size, back, chunks[c], what);
                    }
            }
            rx_free(rx);
        }
        free(o);
        free(buf);
        doc_close(d);
    }
    free(page);
    free(path);
    tu_rmdir(dir);
}

static void test_job_copy(void **state)
{
    (void)state;
    job_oracle(MMH_MODE_COPY);
}

static void test_job_shared(void **state)
{
    (void)state;
    job_oracle(MMH_MODE_SHARED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_errors), cmocka_unit_test(test_cap),
        cmocka_unit_test(test_need_more),      cmocka_unit_test(test_matches_zeros),
        cmocka_unit_test(test_icase),          cmocka_unit_test(test_whole_buffer),
        cmocka_unit_test(test_windows_oracle), cmocka_unit_test(test_threads),
        cmocka_unit_test(test_job_copy),       cmocka_unit_test(test_job_shared),
    };
    return cmocka_run_group_tests_name("regex", tests, NULL, NULL);
}
