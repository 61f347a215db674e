/*
 * search-regex: regular expressions over bytes, as a matcher the search
 * engine (search.c) calls on contiguous windows of the document.
 *
 * STUB: this file and search-regex.c are placeholders by the SPEED helper so
 * the engine builds and its protocol is fixed; the REGEX helper replaces
 * the bodies in search-regex.c (PCRE2, 8-bit, JIT) and may add to this
 * header, keeping the three calls the engine makes (rx_scan, rx_overlap,
 * rx_matches_zeros) as declared here.
 *
 * The protocol (the engine's side is in search.c):
 * - A Regex is compiled by rx_compile and owned by the caller (the session
 *   keeps the current one); it outlives every search that uses it, and a
 *   Pattern points at it (Pattern.rx).
 * - The engine calls rx_scan with buf[0, navail): nstart start positions
 *   followed by up to rx_overlap(rx) more bytes, fewer only where the
 *   searched range ends (then end is true: nothing follows buf).
 * - rx_scan returns 0: no match starts in [0, nstart); 1: a match starts at
 *   *at < nstart (forward: the leftmost; backward: the last one starting
 *   before nstart), *len bytes long; 2: "need more": a match may start at
 *   *at but runs past navail. The engine then reads its next window
 *   starting exactly at *at with a full chunk + overlap available (backward
 *   too: one start, *at, with chunk + overlap bytes after it). rx_scan never
 *   returns 2 when navail - *at >= rx_overlap(rx) (a longer match is cut
 *   at that cap), so the engine cannot loop.
 * - rx_scan is called from several threads at once, on different windows:
 *   it must keep no mutable state in the Regex (per-call or per-thread
 *   match data).
 */
#ifndef MMH_SEARCH_REGEX_H
#define MMH_SEARCH_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Regex Regex;

/* Compile src (icase: ASCII case-insensitive). 0, or -EINVAL with err
 * holding the message and offset; -ENOMEM. The stub returns -ENOSYS. */
int rx_compile(const char *src, bool icase, Regex **out, char *err, size_t errlen);
void rx_free(Regex *rx);

/* See the protocol above: 0 none, 1 match (*at, *len), 2 need more (*at). */
int rx_scan(const Regex *rx, const uint8_t *buf, size_t nstart, size_t navail, bool end,
            bool backward, size_t *at, size_t *len);

/* Bytes a window carries past its last start: the longest match reported. */
size_t rx_overlap(const Regex *rx);

/* The expression can match a run of zero bytes (so holes must be scanned). */
bool rx_matches_zeros(const Regex *rx);

#endif
