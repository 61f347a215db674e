/*
 * search-regex: regular expressions over bytes (PCRE2, 8-bit code units, no
 * UTF, JIT), matched in the contiguous windows the search engine hands out.
 *
 * The subject is the searched range (the file, or the selection), seen one
 * window at a time: a window holds nstart start positions followed by up to
 * rx_overlap() more bytes (fewer only at the end of the range). A match
 * starting at p is what PCRE2 finds at p in the bytes [p, p + span), span
 * being the cap below: a match never runs longer than the cap (a longer one
 * is cut there, and $ does not match at the cut). So every window split
 * gives the same matches, and the engine needs no more than `span` bytes
 * past its last start.
 *
 * What a window cannot show is refused at compile time: lookbehind (which
 * includes \b and \B), ^, \A and \G look at or before the start of the
 * subject, and a window's start is not the range's. $, \z and \Z match at
 * the end of the searched range. A pattern PCRE2 says may match an empty
 * string (its minimum length is 0, a conservative test) is refused too:
 * an empty match at every byte is no search.
 *
 * Thread safety: a compiled Regex is read-only; rx_scan may run on several
 * threads at once (each call has its own match data).
 *
 * The engine's side (search.c, through search_window in search_private.h):
 * a Pattern whose rx is set is searched with rx_scan in windows carrying
 * rx_overlap bytes past their last start; holes are skipped only when
 * !rx_matches_zeros, each data extent widened by rx_overlap to the left.
 * The Regex is compiled and held by the caller (the session keeps the
 * current one; a results list holds its own reference, rx_hold) and
 * outlives every search using it.
 */
#ifndef MMH_SEARCH_REGEX_H
#define MMH_SEARCH_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RX_SPAN_MAX ((size_t)64 << 10) /* the longest match: 64 KiB */

typedef struct Regex Regex;

/* Compile src (a NUL-terminated PCRE2 pattern; icase: ASCII letters match
 * either case). 0 with *out (free it with rx_free), -EINVAL with err set to
 * one sentence: PCRE2's message and the offset ("missing closing
 * parenthesis at offset 4"), or why the pattern is refused; -ENOMEM. */
int rx_compile(const char *src, bool icase, Regex **out, char *err, size_t errlen);

/* Let go of rx: freed when no holder is left. */
void rx_free(Regex *rx);

/* One more holder of rx (a results list searching it after the session
 * has compiled another); each holder calls rx_free once. Not thread-safe:
 * holders take and drop it on the UI thread. Returns rx. */
Regex *rx_hold(Regex *rx);

/* Bytes a window must hold past its last start (the span cap). */
size_t rx_overlap(const Regex *rx);

/* The regex can match in a run of zero bytes (so holes must be scanned).
 * Conservative: true when PCRE2 cannot rule it out. */
bool rx_matches_zeros(const Regex *rx);

/* Search the window buf[0, navail): starts [0, nstart), then the bytes
 * after them (navail - nstart <= rx_overlap; fewer only when end, the
 * window reaching the end of the searched range). Returns
 *   0  no match starts in [0, nstart);
 *   1  a match at *at < nstart of *len bytes: forward the leftmost,
 *      backward the last;
 *   2  undecided: a match may start at *at but needs bytes past navail;
 *      search again from exactly *at with a full window (backward: that
 *      one start, with rx_overlap bytes after it; no start above *at in
 *      this window matches). Never when navail - *at >= rx_overlap(rx),
 *      so never in a full window, and the engine cannot loop;
 *  -ERANGE  PCRE2's match or memory limit was hit (a pathological pattern);
 *  -ENOMEM.
 */
int rx_scan(const Regex *rx, const uint8_t *buf, size_t nstart, size_t navail, bool end,
            bool backward, size_t *at, size_t *len);

/* Tests: cap matches at span bytes (1..RX_SPAN_MAX) instead, so window
 * edges and cuts are hit with small buffers. Not while rx_scan runs. */
void rx_set_span(Regex *rx, size_t span);

#endif
