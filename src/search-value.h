/*
 * search-value: patterns for values and UTF-16LE text (find -v, find -u).
 *
 * A value is typed as TYPE VALUE, where TYPE is any of the data inspector's
 * types (inspect.h: u8 ... u128, i8 ... i128, f16, bf16, f32, f64, and the
 * rest: unix32, filetime, guid, ...), optionally followed by le or be
 * ("u32le", "i16be", "f64be"); without it the caller's default byte order
 * holds (the inspector's endian setting). The value is encoded with the
 * inspector's own encoder (inspect_encode), so its syntax and its range
 * errors are the inspector's: "300 does not fit uint8 (0 to 255)".
 *
 * UTF-16LE text is typed as a text pattern (search.h: the escapes \xNN \\
 * \n \t \r \0, a leading \c for any case) and read as UTF-8; a byte that
 * is not part of valid UTF-8 (\xff) is the character U+00NN. Each
 * character becomes its UTF-16LE code units (a surrogate pair past
 * U+FFFF). With icase, ASCII letters match either case while the zero high
 * bytes stay exact (the matcher folds bytes: a character outside ASCII one
 * of whose bytes is a letter, U+0141 = 41 01, also matches the code 0x20
 * above it, U+0161).
 *
 * Both give an ordinary byte Pattern, so n/N, -b, -a and the selection work
 * as for any search. Pure: no Session, no I/O.
 */
#ifndef MMH_SEARCH_VALUE_H
#define MMH_SEARCH_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "search.h"

/* type and value (as typed) to *p; big: the byte order when type names
 * none. 0, -EINVAL (no such type, not the type's syntax) or -ERANGE (does
 * not fit), with err (n bytes) saying why. *p is written only on success. */
int search_parse_value(const char *type, const char *value, bool big, Pattern *p, char *err,
                       size_t n);

/* text (text-pattern syntax) as UTF-16LE to *p; icase: ASCII letters in
 * any case (as a leading \c). 0, -EINVAL or -ERANGE ("pattern longer than
 * 256 bytes": 128 code units) with err (n bytes) saying why. */
int search_parse_utf16(const char *text, bool icase, Pattern *p, char *err, size_t n);

#endif
