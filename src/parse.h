/*
 * parse: pure functions from text to values (offsets, sizes, hex bytes) and
 * back (sizes for people). No state, no I/O; each parser takes the whole
 * string (surrounding blanks allowed) and on error returns -EINVAL or
 * -ERANGE with *err (may be NULL) set to a static sentence naming what is
 * wrong, for the status line.
 *
 * Offset expressions (the `g` prompt and the goto command):
 *   4096  0x1f00  0o17  0b101    numbers (decimal, hex, octal, binary)
 *   16k  4M  2G  1T  1P           binary suffixes (k = 1024), case-insensitive,
 *                                 also after hex: 0x10k
 *   end                           the file size (so end-1 is the last byte)
 *   50%  12.5%                    a share of the file size
 *   +4k  -16                      relative to the cursor (leading sign)
 *   end-0x10  0x100+16  50%+3     terms joined by + and -
 * Results below 0 or that overflow are -ERANGE ("before the start",
 * "too large"); results past the end are not errors here (the caller knows
 * whether the end itself is allowed).
 */
#ifndef MMH_PARSE_H
#define MMH_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Evaluate an offset expression against the cursor and the file size. */
int parse_offset(const char *s, uint64_t cursor, uint64_t size, uint64_t *out, const char **err);

/* A plain non-negative count with an optional suffix: "256", "0x100", "4k". */
int parse_count(const char *s, uint64_t *out, const char **err);
/* A count with an optional sign: "-0x200", "+16", "4k". */
int parse_signed(const char *s, int64_t *out, const char **err);

/* Hex bytes: pairs of hex digits, blanks between bytes optional, an optional
 * 0x prefix on the whole string ("de ad be ef", "deadbeef", "0xdeadbeef").
 * An odd digit count is an error. Writes at most cap bytes; more is
 * -ERANGE. *n gets the count. */
int parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *n, const char **err);

/* "0 B", "1023 B", "1.0 KiB", "16.0 TiB": one decimal, binary units.
 * Returns buf. */
char *parse_fmt_size(uint64_t bytes, char *buf, size_t n);

/* The short form for status rows: "8.0M" (the unit's letter only; bytes
 * stay "512B"). Returns buf. */
char *parse_fmt_size_short(uint64_t bytes, char *buf, size_t n);

/* Tenths of a percent of num/den, rounded down so 1000 (100.0%) means all;
 * 0 when den is 0. Any 64-bit values. */
unsigned parse_permille(uint64_t num, uint64_t den);

/* A duration for people: "999 us" below a millisecond (whole microseconds,
 * truncated), "12.3 ms" below ten seconds, "12.3 s" above. Returns buf. */
char *parse_fmt_ns(uint64_t ns, char *buf, size_t n);

/* Copy s into buf (n bytes with the NUL) with every byte a terminal could
 * take for a command written as \xNN: the C0 controls, DEL, the C1 controls
 * (U+0080..U+009F in UTF-8) and bytes that are not well-formed UTF-8 (the
 * rest of UTF-8 passes as is: names in any script stay readable). For a
 * message that names a file or echoes an argument. Like snprintf: returns
 * the length the whole result needs, writes at most n - 1 characters (never
 * half an escape) and a NUL when n > 0; buf may be NULL when n is 0. */
size_t parse_escape_ctl(const char *s, char *buf, size_t n);

#endif
