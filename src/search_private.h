/*
 * search_private: what the files of the search module share (the patterns
 * and the literal matchers in search-pattern.c and search-simd.c, the scan
 * engine in search.c), and the hooks tests use to force one matcher
 * implementation. Not for other modules.
 *
 * The matcher interface. The engine hands a matcher CONTIGUOUS windows:
 * buf[0, navail) holds nstart start positions followed by up to
 * mt->overlap more bytes (fewer only where the searched range ends; then
 * end is true). search_window answers
 *   0  no match starts in [0, nstart);
 *   1  a match starts at *at < nstart (forward: the first; backward: the
 *      last), *len bytes long;
 *   2  "need more": a match may start at *at but runs past navail; the
 *      engine starts its next window exactly at *at, with a full chunk +
 *      overlap available (backward: that one start, with chunk + overlap
 *      bytes after it). Never when navail - *at >= overlap, so the engine
 *      cannot loop. Literal matchers never return 2.
 * Two kinds: literal (bytes, ?? wildcards, ASCII case folding: overlap is
 * len - 1) and regex (Pattern.rx set: the engine calls rx_scan of
 * search-regex.h, overlap is rx_overlap, holes are skipped only if
 * !rx_matches_zeros). Every matcher is called from several threads at once
 * on different windows: a prepared Matcher is read-only.
 */
#ifndef MMH_SEARCH_PRIVATE_H
#define MMH_SEARCH_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search.h"

/* Literal matcher implementations. AUTO picks the fastest the CPU runs
 * (AVX2, else SSE2, else portable); tests force each in turn. */
typedef enum SearchImpl {
    SEARCH_IMPL_AUTO,
    SEARCH_IMPL_PORTABLE, /* memmem / memchr on the rarest byte, then a check */
    SEARCH_IMPL_SSE2,     /* packed pair, 16 positions at once */
    SEARCH_IMPL_AVX2,     /* packed pair, 32 positions at once */
} SearchImpl;

/* A pattern prepared for scanning. Read-only once prepared. */
typedef struct Matcher {
    uint8_t bytes[MMH_PATTERN_MAX]; /* the pattern, folded when fold, then masked */
    uint8_t mask[MMH_PATTERN_MAX];  /* as in the Pattern */
    size_t len;                     /* pattern length (0 for a regex) */
    size_t overlap;                 /* bytes a window carries past its last start */
    const struct Regex *rx;         /* a regex matcher (search-regex.h), or NULL */
    SearchImpl impl;                /* the literal implementation in use (never AUTO) */
    bool fold;                      /* compare lower(byte) (icase) */
    bool plain;                     /* all fixed, nothing to fold: memmem, memcmp */
    bool anchored;                  /* some byte is fixed: anchor names the rarest */
    size_t anchor;                  /* its index */
    uint8_t a1, a2;                 /* the anchor byte in either case (equal if no letter) */
    bool paired;                    /* packed pair usable: two fixed bytes i1 != i2 */
    size_t i1, i2;                  /* the pair's indexes (the two rarest fixed bytes) */
    uint8_t p1, p2;                 /* their bytes (folded: lowercase) */
    uint8_t m1, m2;                 /* OR-ed into the haystack byte before comparing:
                                       0x20 for a folded letter, else 0 */
} Matcher;

/* Prepare p for scanning with the best implementation (search_scan,
 * search_window). */
void search_prepare(Matcher *mt, const Pattern *p);

/* The same with a given literal implementation: false (mt untouched) when
 * this CPU or build cannot run it. For tests and the benchmark. */
bool search_prepare_impl(Matcher *mt, const Pattern *p, SearchImpl impl);

/* Literal matchers only: the offset of the first (last, backward) match
 * wholly inside buf[0, n), or -1. */
long search_scan(const Matcher *mt, const uint8_t *buf, size_t n, bool backward);

/* The window protocol above, for either kind. */
int search_window(const Matcher *mt, const uint8_t *buf, size_t nstart, size_t navail, bool end,
                  bool backward, size_t *at, size_t *len);

/* The packed-pair scans (search-simd.c): the first (last) start i in
 * [0, starts) where buf[i+i1] and buf[i+i2] match the pair and verify()
 * holds; -1 if none. buf holds starts + len - 1 bytes. */
long search_simd_fwd(const Matcher *mt, const uint8_t *buf, size_t starts);
long search_simd_bwd(const Matcher *mt, const uint8_t *buf, size_t starts);

/* Does the pattern match at s (s[0, len) readable)? */
bool search_verify(const Matcher *mt, const uint8_t *s);

/* The CPU runs AVX2 code (and the build has it). */
bool search_have_avx2(void);

#endif
