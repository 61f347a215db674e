/*
 * bytes: pure functions over byte buffers for the selection commands
 * (cmd-select.c): fill with a repeated pattern, combine with a pattern (xor,
 * and, or, add), not, reverse, byte-swap, random bytes, the text forms a
 * selection is copied as (hex, a C array, Python bytes, base64), and the
 * xxd-style patch lines the unwritten edits are exported as.
 *
 * No Session, no map, no curses: callers hand in buffers and work through a
 * large range in chunks. Functions that take a pattern also take a phase,
 * the offset of buf[0] from the start of the range, so a chunked pass gives
 * the same bytes as one pass over the whole range.
 */
#ifndef MMH_BYTES_H
#define MMH_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum BytesOp { BYTES_XOR, BYTES_AND, BYTES_OR, BYTES_ADD } BytesOp;

typedef enum BytesFmt { BYTES_FMT_HEX, BYTES_FMT_C, BYTES_FMT_PYTHON, BYTES_FMT_BASE64 } BytesFmt;

#define BYTES_PATCH_LINE 16 /* bytes per patch line at most (xxd's default -c) */

/* buf[i] = pat[(phase + i) % plen]. plen > 0. */
void bytes_fill(uint8_t *buf, size_t n, const uint8_t *pat, size_t plen, uint64_t phase);
/* buf[i] = buf[i] OP pat[(phase + i) % plen] (add: modulo 256). plen > 0. */
void bytes_apply(uint8_t *buf, size_t n, BytesOp op, const uint8_t *pat, size_t plen,
                 uint64_t phase);
void bytes_not(uint8_t *buf, size_t n);
void bytes_reverse(uint8_t *buf, size_t n);
/* Reverse the order of the bytes in each width-byte word (2, 4 or 8).
 * -EINVAL when width is not one of those or n is not a multiple of it. */
int bytes_swap(uint8_t *buf, size_t n, unsigned width);
/* Random bytes from getrandom(2). 0 or -errno. */
int bytes_random(uint8_t *buf, size_t n);

/* Name to op or format: 0, or -EINVAL. */
int bytes_op_parse(const char *name, BytesOp *out);
int bytes_fmt_parse(const char *name, BytesFmt *out);

/* The text form of b[0..n) (malloc'd, NUL-terminated, *len without the
 * NUL): hex "deadbeef"; C "unsigned char data[4] = {\n    0xde, ...\n};\n";
 * Python b'\xde\xad'; base64 (RFC 4648, one line). NULL on -ENOMEM. */
char *bytes_format(BytesFmt f, const uint8_t *b, size_t n, size_t *len);
/* Base64 of b[0..n) (OpenSSL's EVP_EncodeBlock), malloc'd; NULL on -ENOMEM. */
char *bytes_base64(const uint8_t *b, size_t n);

/* One xxd-style line "OFFSET: HEX\n" for b[0..n), n <= BYTES_PATCH_LINE,
 * into out (room for BYTES_PATCH_LINE * 3 + 40). Returns its length.
 * `xxd -r` applies such lines to a file in place. */
size_t bytes_patch_line(uint64_t off, const uint8_t *b, size_t n, char *out);
/* Parse one line of such a patch (also xxd's own dumps, whose text column,
 * after two blanks, is ignored): 0 with *off, buf and *n (at most cap
 * bytes), 1 for a blank line or a '#' comment, -EINVAL when it is neither,
 * -E2BIG when it holds more than cap bytes. */
int bytes_patch_parse(const char *line, uint64_t *off, uint8_t *buf, size_t cap, size_t *n);

#endif
