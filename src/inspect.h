/*
 * inspect: bytes as values and values as bytes, for the data inspector
 * (pure: no Session, no curses, no I/O).
 *
 * Each type (InspType) has a name the commands take ("u32", "f16",
 * "guid"), a label the panel shows, and at most INSPECT_MAX bytes it reads.
 * inspect_decode turns the bytes at an offset into text in the type's own
 * syntax; inspect_encode parses that syntax back into bytes, so a value
 * shown can be typed again and gives the same bytes (a character is typed
 * as itself or as the U+XXXX shown, a LEB128 as its number; NaN payloads
 * and LEB128's padded forms are not kept).
 *
 * Endianness: integers, floats, UTF-16 and Unix times follow the caller's
 * `big` flag; DOS date+time, FILETIME and GUID have one layout on disk
 * (little endian; the GUID in its mixed-endian Microsoft form) and ignore
 * it (InspInfo.endian is false for them).
 */
#ifndef MMH_INSPECT_H
#define MMH_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSPECT_MAX 16  /* bytes any type reads at most */
#define INSPECT_TEXT 64 /* room for any decoded value or reason, with its NUL */

typedef enum InspType {
    INSP_I8,
    INSP_U8,
    INSP_I16,
    INSP_U16,
    INSP_I32,
    INSP_U32,
    INSP_I64,
    INSP_U64,
    INSP_I128,
    INSP_U128,
    INSP_F16,
    INSP_BF16,
    INSP_F32,
    INSP_F64,
    INSP_BIN,
    INSP_ULEB,
    INSP_SLEB,
    INSP_UTF8,
    INSP_UTF16,
    INSP_UNIX32,
    INSP_UNIX64,
    INSP_DOS,
    INSP_FILETIME,
    INSP_GUID,
    INSP_COUNT
} InspType;

typedef struct InspInfo {
    const char *name;  /* what commands take: "u32" */
    const char *label; /* what the panel shows: "uint32" */
    unsigned size;     /* bytes it reads, or 0: variable (LEB128, UTF-8, UTF-16) */
    bool endian;       /* follows the little/big endian choice */
} InspInfo;

/* The values last decoded, kept while the bytes under them stay the same. */
typedef struct InspectCache {
    bool valid;                          /* holds a decoding */
    bool big;                            /* in this byte order */
    uint64_t off;                        /* at this offset */
    size_t len;                          /* of these bytes */
    uint8_t bytes[INSPECT_MAX];          /* (what was read) */
    int rc[INSP_COUNT];                  /* inspect_decode's result per type */
    char text[INSP_COUNT][INSPECT_TEXT]; /* and its text */
} InspectCache;

/* The inspector's choices, kept in the Session (cmd-inspect.c). */
typedef struct InspectState {
    bool big;           /* big endian */
    int row;            /* the panel's picked row (an InspType) */
    int top;            /* the first row the panel shows */
    bool focus;         /* the panel takes the keys */
    int cols;           /* the panel's width at the last frame */
    InspectCache cache; /* what the panel decoded last */
} InspectState;

const InspInfo *inspect_info(InspType t);

/* The type named name ("u32", "uint32", "int16", "float", "guid", ...), or
 * -1. Case is ignored. */
int inspect_find(const char *name);

/* Decode the value of type t at buf, which holds the len bytes (at most
 * INSPECT_MAX are looked at) from the offset to the end of the file. out
 * (n bytes; INSPECT_TEXT is always enough) gets the value, or why there is
 * none. Returns the bytes the value takes (> 0), or -ENODATA (too few bytes
 * before the end), -EILSEQ (not a valid encoding: bad UTF-8, a lone
 * surrogate, an unterminated or too long LEB128, a DOS date with month 0),
 * with out saying so. */
int inspect_decode(InspType t, const uint8_t *buf, size_t len, bool big, char *out, size_t n);

/* Parse text in the type's syntax into out (room for cap >= INSPECT_MAX
 * bytes): integers as decimal with a sign or 0x/0b (hex and binary give the
 * bit pattern, so 0xffff fits int16), floats as strtod does (nan, inf),
 * bin as 1 to 8 binary digits, utf8/utf16 as one character or U+XXXX,
 * times as YYYY-MM-DD[THH:MM[:SS[.fffffff]]][Z] or, for Unix times, a
 * number of seconds, GUIDs with or without braces and hyphens. Returns the
 * byte count (> 0), -EINVAL (not the type's syntax) or -ERANGE (does not
 * fit), with err (n bytes) saying why. */
int inspect_encode(InspType t, const char *text, bool big, uint8_t *out, size_t cap, char *err,
                   size_t n);

#endif
