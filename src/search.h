/*
 * search: find byte patterns in a document, at memory speed, without ever
 * freezing the UI.
 *
 * A Pattern is bytes plus a mask: hex patterns may hold `??` (any byte);
 * text patterns may ask for ASCII case-insensitive matching. The matcher
 * picks the best primitive for the pattern: memmem for plain bytes,
 * memchr on the rarest fixed byte (then a check) for wildcards and case
 * folding, and backward scans with memrchr.
 *
 * A Search is a job of bounded steps over [lo, hi) of the document, forward
 * from a start offset (or backward), wrapping once past the end of the
 * range. Each step scans chunks of the mapping directly (map_visit: no copy,
 * guarded against SIGBUS), overlapping chunks by the pattern's length less
 * one so matches that span chunk boundaries are found, until its time
 * budget is spent. The caller (the UI tick, or batch mode in a loop) reads
 * progress between steps and may cancel at any point.
 *
 * Holes: unless the pattern can match zero bytes, the scan visits only the
 * file's data extents (SEEK_DATA/SEEK_HOLE), each widened by the pattern's
 * length less one so matches straddling a data/hole boundary are found, and
 * the document's unwritten edits (which may lie in holes). A search through
 * a 16 TiB sparse file holding a few MiB of data ends in milliseconds.
 *
 * Readahead: forward scans leave it to the kernel's mmap readahead (which
 * caches in large folios, mapped by huge pages), except under MADV_RANDOM,
 * which turns it off: then, and for backward scans, the scan gives
 * MADV_WILLNEED hints for a few readahead windows ahead of it. The user's
 * advice is never changed.
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
} SearchProgress;

void search_progress(const Search *s, SearchProgress *out);

void search_free(Search *s);

#endif
