/*
 * ustruct: user structures, a small declarative language for the user's own
 * formats (`:struct load FILE`), and the decoder fmt_user that shows a file
 * through them as a lazy fmt tree (terminal-free core; docs/structs.md has
 * the full grammar and worked examples).
 *
 * The language:
 *     # comments to end of line, also // and / * ... * / comments
 *     endian little;          // byte order of un-suffixed types from here on
 *     struct entry {
 *         u32 offset;         // u8 u16 u32 u64 i8 i16 i32 i64 f32 f64
 *         u16be kind;         // le/be suffix on any multi-byte number type
 *         char tag[4];        // fixed-size text (one text field)
 *         u8 raw[16];         // u8 arrays: one bytes field
 *         guid id;            // 16-byte GUID
 *         utf16 name[36];     // UTF-16LE text of 36 code units
 *         cstring label;      // NUL-terminated text (at most 4096 bytes)
 *     }
 *     root struct file {      // root: the structure shown by default
 *         char magic[4] = "MYFM";  // expected value: a mismatch is a note
 *         u32 count;
 *         u32 table_off;
 *         entry entries[count];        // array sized by an earlier field
 *         u16 flags[count * 2 + 1];    // + - * / % ( ), unary -, numbers
 *         entry at_table @ table_off;  // placed at struct start + expr
 *         u8 trailer[4] @ 0x200;
 *     }
 * A field is `TYPE NAME [ '[' EXPR ']' ] [ '@' EXPR ] [ '=' VALUE ] ;`.
 * Expressions name earlier integer fields of the same structure. A type is
 * a built-in or a structure defined before (or the structure itself, but
 * only placed with @: it would contain itself). The size of a structure
 * is the end of its last sequential field (placed fields do not grow it).
 *
 * Design: ustruct_parse compiles the text into UsDefs (structures, fields,
 * expressions as small postfix programs). Nothing about a file is computed
 * then; fmt_user's nodes carry (UsDefs *, structure, field, offsets) and
 * compute a field's offset when asked: field k's offset needs the sizes of
 * fields 0..k-1, a data-sized count reads only the fields its expression
 * names. Arrays of fixed-size elements are one node whose child i is at
 * start + i * size; arrays of variable-size elements come in runs of 256
 * (the last child the next run). Every call into the decoder is bounded by
 * a work budget (US_BUDGET reads or elements walked) and a nesting depth,
 * so no file makes it slow or deep: what cannot be worked out in the
 * budget, lies past the end or divides by zero is a malformed node.
 */
#ifndef MMH_USTRUCT_H
#define MMH_USTRUCT_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

#define US_STRUCTS 256     /* structures in one definition file at most */
#define US_FIELDS 256      /* fields in one structure at most */
#define US_IDENT 40        /* characters in a name at most */
#define US_FILE (1u << 20) /* bytes in a definition file at most */
#define US_CSTRING 4096    /* bytes of a cstring at most (with its NUL) */
#define US_BUDGET 16384    /* reads and elements one decoder call may spend */

typedef struct UsDefs UsDefs;

/* Parse text (file `name`, for messages) into definitions. 0, or -EINVAL
 * with err (n bytes) = "name:LINE:COL: what is wrong" (1-based), or
 * -ENOMEM. */
int ustruct_parse(const char *name, const char *text, UsDefs **out, char *err, size_t n);
/* Free definitions (NULL is fine). */
void ustruct_free(UsDefs *d);
/* The i-th structure's name (in definition order), NULL past the last. */
const char *ustruct_name(const UsDefs *d, size_t i);
/* The root node for structure `name` (NULL: the one declared `root`, else
 * the last defined) placed at off. 0, -ENOENT (no such structure), -EINVAL
 * (off past the end). Nodes point into d (FmtNode.ptr): d must outlive them. */
int ustruct_root(const UsDefs *d, const char *name, const FmtSrc *src, uint64_t off, FmtNode *out);

/* The decoder of user structures' nodes: never probed, only reached
 * through ustruct_root (its own root fails with -EINVAL). */
extern const FmtDecoder fmt_user;

#endif
