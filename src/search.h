/*
 * search: find byte patterns in a document, at memory speed, without ever
 * freezing the UI.
 *
 * A Pattern is bytes plus a mask: hex patterns may hold `??` (any byte);
 * text patterns may ask for ASCII case-insensitive matching; a Pattern may
 * instead point at a regular expression (search-regex.h). The literal
 * matcher is a vectorised packed pair (search-simd.c, AVX2 or SSE2 chosen at
 * run time) with a portable fallback.
 *
 * A Search is a job of bounded steps over [lo, hi) of the document, forward
 * from a start offset (or backward), wrapping once past the end of the
 * range. Each step runs rounds split between a pool of threads (one per
 * CPU): each thread reads its part (pread into its own buffer, copy-mode
 * edits laid over; or the mapping, SIGBUS-guarded) in contiguous windows
 * overlapping by the pattern's length less one; the earliest match wins, so
 * results equal one thread's. The caller (the UI tick, or batch mode in a
 * loop) reads progress between steps and may cancel at any point.
 *
 * Holes: unless the pattern can match zero bytes, the scan visits only the
 * file's data extents (SEEK_DATA/SEEK_HOLE), each widened by the pattern's
 * length less one so matches straddling a data/hole boundary are found, and
 * the document's unwritten edits (which may lie in holes). A search through
 * a 16 TiB sparse file holding a few MiB of data ends in milliseconds.
 *
 * Readahead and the page cache: the pread path (the default) reads through
 * the descriptor, so the kernel's readahead for the open file does the
 * work, in large folios, and the scan maps nothing (the mapping's resident
 * size stays 0: no 4 KiB page tables filled). A round whose bytes are
 * mostly not in the page cache (one cachestat per round) is read by one
 * thread in order instead of split: threads sharing a descriptor share its
 * readahead state, and split rounds broke its streams (docs/design.md has
 * the numbers). No fadvise and no madvise on the forward path: the
 * descriptor's advice stays NORMAL and the mapping's advice is the user's.
 * Backward scans, and the mapping path under MADV_RANDOM, give
 * MADV_WILLNEED hints a few readahead windows ahead. Pages the scan brought
 * in stay cached (on the kernel's inactive list, as any read-once data), so
 * a second search is warm. One cachestat of [lo, hi) at search_start and
 * one when the search ends say what the scan did to the page cache
 * (SearchProgress.cached_before, cached_after).
 */
#ifndef MMH_SEARCH_H
#define MMH_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

#define MMH_PATTERN_MAX 256 /* bytes a pattern may hold */

typedef struct Pattern {
    uint8_t bytes[MMH_PATTERN_MAX]; /* the bytes to match (lowercase when icase) */
    uint8_t mask[MMH_PATTERN_MAX];  /* 0xff: must match; 0x00: any byte (??) */
    size_t len;                     /* pattern length, 1..MMH_PATTERN_MAX */
    bool icase;                     /* ASCII letters match either case */
    bool wild;                      /* some mask byte is 0 */
    const struct Regex *rx;         /* set: a regular expression (search-regex.h), owned
                                       by the caller and outliving every search; bytes,
                                       mask and len are then unused */
} Pattern;

/* Hex syntax (the hex pane): pairs of hex digits, blanks optional, `??` for
 * any byte: "de ad ?? ef", "dead??ef". Text syntax (the text pane): the
 * text as is, with escapes \xNN (a byte), \\ (a backslash), \n \t \r \0;
 * a leading \c makes it case-insensitive. Errors: -EINVAL with *err naming
 * what is wrong ("empty pattern", "odd number of hex digits", "not a hex
 * digit: 'g'", "bad escape \q", "\x needs two hex digits"), -ERANGE
 * ("pattern longer than 256 bytes"). A pattern of wildcards only is
 * -EINVAL ("pattern matches anything"). In hex, `?` comes only in pairs
 * ("?", "???" and "a?" are errors). *err is static storage; a message
 * quoting the input (the digit, the escape) lasts until the next parse on
 * the same thread. *p is written only on success. */
int search_parse_hex(const char *s, Pattern *p, const char **err);
int search_parse_text(const char *s, Pattern *p, const char **err);

/* The pattern can match a run of zero bytes (so holes must be scanned). */
bool search_matches_zeros(const Pattern *p);

/* Find the first (forward) or last (backward) match wholly inside
 * buf[0, len). Returns its index, or -1. */
long search_buf(const Pattern *p, const uint8_t *buf, size_t len, bool backward);

typedef struct Search Search;

/* How a search reads the document (docs/design.md has the measurements). */
typedef enum SearchRead {
    SEARCH_READ_AUTO,  /* the default below */
    SEARCH_READ_MAP,   /* the mapping, lent whole per thread (SIGBUS-guarded) */
    SEARCH_READ_PREAD, /* pread into per-thread buffers, copy-mode edits laid over */
} SearchRead;
#define SEARCH_READ_DEFAULT SEARCH_READ_PREAD

typedef struct SearchOpts {
    uint64_t from;   /* forward: first offset to try; backward: the last start */
    uint64_t lo, hi; /* the range searched (hi 0 or past the end: to the end) */
    bool backward;   /* search towards lower offsets */
    bool wrap;       /* on reaching the end of the range, go on from its other end */
    size_t chunk;    /* start offsets per thread per round, 0: the default
                        (4 MiB); tests shrink it to hit the boundaries (the
                        read buffers shrink with it) */
    int threads;     /* threads scanning at once, 0: one per online CPU */
    SearchRead read; /* how bytes are read, SEARCH_READ_AUTO: the measured best */
} SearchOpts;

/* Start a search. 0, -EINVAL (empty range, pattern longer than the range is
 * fine: it just finds nothing), -ENOMEM. The document must outlive it.
 * A match lies wholly inside [lo, hi). Forward, the starts tried are from,
 * from+1, ... and then (wrap) lo, ..., from-1; backward, from, from-1, ...,
 * lo and then (wrap) the last start in the range down to from+1. A from
 * outside the range leaves the first leg empty (so with wrap the search
 * covers the whole range, reporting wrapped). */
int search_start(Search **out, Doc *d, const Pattern *p, const SearchOpts *o);

typedef enum SearchState {
    SEARCH_RUNNING,   /* call search_step again */
    SEARCH_FOUND,     /* search_match has the offset */
    SEARCH_NOT_FOUND, /* the whole range holds no match */
} SearchState;

/* Scan for about budget_ns (at least one chunk). Returns a SearchState, or
 * -errno (-MMH_ETRUNC when the file was truncated under the scan; the map has
 * the new size, and a further step goes on within it). After FOUND the
 * search may be stepped again to find the next match in the same
 * direction (a batch "list all" loop: overlapping matches are reported,
 * "aa" in "aaaa" at 0, 1, 2), never wrapping past its start. After
 * NOT_FOUND every step returns NOT_FOUND. */
int search_step(Search *s, uint64_t budget_ns);

/* The match found by the last step. */
uint64_t search_match(const Search *s);
/* Its length (the pattern's length for a literal; a regex's varies). */
uint64_t search_match_len(const Search *s);
/* The scan wrapped past the end (or start) of the range on its way. */
bool search_wrapped(const Search *s);

/* Counted in start offsets (a match may start at each byte of the range
 * but the last len-1): scanned rises to total at NOT_FOUND; total falls if
 * the file shrinks under the range. */
typedef struct SearchProgress {
    uint64_t scanned;    /* offsets looked at so far (holes skipped count as looked at) */
    uint64_t total;      /* offsets to look at in all */
    uint64_t at;         /* the offset being scanned now */
    uint64_t ns;         /* time spent in steps so far */
    uint64_t bytes_read; /* of scanned, those read in memory (not skipped holes) */
    /* The page cache over [lo, hi), by cachestat(2): at search_start and when
     * a step ends the search (found, not found, an error) or
     * search_cache_after asks. Unknown (cache_known false, both 0) where
     * cachestat fails: before Linux 6.5, or under the permission trap
     * (resid.h). cached_after - cached_before is what the scan read from
     * disk, less what memory pressure took meanwhile. */
    bool cache_known;       /* cachestat answered */
    uint64_t cached_before; /* bytes of the range in the page cache at the start */
    uint64_t cached_after;  /* the same at the end */
} SearchProgress;

void search_progress(const Search *s, SearchProgress *out);

/* Count the range's cached bytes again now into cached_after (one
 * cachestat): for a search about to be cancelled with search_free. */
void search_cache_after(Search *s);

void search_free(Search *s);

#endif
