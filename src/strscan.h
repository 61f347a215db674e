/*
 * strscan: the printable runs of a document (strings), like binutils' strings, found
 * in budgeted steps (like search.h) so the UI never freezes, in flat memory.
 *
 * A run is a maximal sequence of printable characters, at least `min` of
 * them (default 4):
 *   ASCII     bytes 0x20..0x7e and tab (GNU strings' default set);
 *   UTF-16LE  code units whose low byte is one of those and whose high byte
 *             is zero, consecutive at one parity (GNU strings -e l).
 * Runs are cut by the ends of the range [lo, hi), never by chunks or holes:
 * a run is a property of the bytes, so a scan from any offset, forward or
 * backward, reports the same runs. Runs of one kind never overlap; an ASCII
 * run and a UTF-16LE run may share a byte ("abcD" then "D\0E\0F\0G\0").
 * With both kinds the runs are merged in offset order (at one offset, the
 * ASCII run first).
 *
 * Forward from an offset: the runs starting at or after it, in increasing
 * order; backward: those starting before it, in decreasing order. Holes are
 * skipped with the extent iterator (extent.h) and unwritten copy-mode
 * edits (which may lie in holes) are scanned: the bytes are those doc_read
 * and map_visit see. A run found is reported whole (its length, not its
 * text): a run longer than any buffer costs no memory. Backward scans work
 * in blocks of at most STRINGS_BLOCK_RUNS runs, the only memory that grows
 * with anything (bounded: a few hundred KiB at most).
 *
 * SIGBUS: a file truncated under the scan gives -MMH_ETRUNC from a step;
 * the range is clipped to the new size at the next step (runs near the cut
 * may then be reported inexactly).
 */
#ifndef MMH_STRSCAN_H
#define MMH_STRSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

#define STR_ASCII 1u   /* kinds: ASCII runs */
#define STR_UTF16LE 2u /* UTF-16LE runs */
#define STRINGS_MIN_DEFAULT 4
#define STRINGS_MIN_MAX 4096    /* the longest minimum length accepted */
#define STRINGS_BLOCK_RUNS 4096 /* runs a backward block holds at most */

typedef struct StrRun {
    uint64_t off;   /* its first byte */
    uint64_t len;   /* its bytes (UTF-16LE: two per character) */
    uint64_t chars; /* its characters */
    unsigned kind;  /* STR_ASCII or STR_UTF16LE */
} StrRun;

typedef struct StringsOpts {
    uint64_t lo, hi; /* the range (hi 0 or past the end: to the end) */
    uint64_t from;   /* forward: runs starting at or after it; backward: before it */
    bool backward;   /* towards lower offsets */
    unsigned min;    /* characters a run needs, 1..STRINGS_MIN_MAX (0: 4) */
    unsigned kinds;  /* STR_* bits (0: ASCII) */
    size_t chunk;    /* bytes per map_visit call, 0: the default (1 MiB); tests
                        shrink it to hit the boundaries */
    unsigned block;  /* backward: runs a block holds at most, 0: the default
                        (STRINGS_BLOCK_RUNS); tests shrink it */
} StringsOpts;

typedef struct Strings Strings;

/* Start a scan. 0, -EINVAL (empty range, a bad min or kinds), -ENOMEM.
 * The document must outlive it. */
int strings_start(Strings **out, Doc *d, const StringsOpts *o);

typedef enum StringsState {
    STRINGS_RUNNING, /* call strings_step again */
    STRINGS_FOUND,   /* strings_run has the next run */
    STRINGS_DONE,    /* no more runs */
} StringsState;

/* Scan for about budget_ns (at least one chunk): a StringsState or -errno.
 * After FOUND, step again for the next run; after DONE every step is DONE. */
int strings_step(Strings *s, uint64_t budget_ns);

/* The run found by the last step. */
const StrRun *strings_run(const Strings *s);

typedef struct StringsProgress {
    uint64_t scanned; /* bytes read so far (holes skipped are not) */
    uint64_t at;      /* the offset being scanned now */
    uint64_t ns;      /* time spent in steps */
} StringsProgress;

void strings_progress(const Strings *s, StringsProgress *out);

void strings_free(Strings *s);

/* The text of r from its character skip on: at most cap-1 characters into
 * buf, NUL-terminated (UTF-16LE: the low bytes). 0 with *got (characters
 * written), or -errno from doc_read. */
int strings_text(Doc *d, const StrRun *r, uint64_t skip, char *buf, size_t cap, size_t *got);

/* Whether r's text holds needle (n bytes, 1..256), read in pieces: memory
 * flat however long the run. icase: ASCII letters in any case. 1 yes, 0 no,
 * or -errno. */
int strings_contains(Doc *d, const StrRun *r, const char *needle, size_t n, bool icase);

#endif
