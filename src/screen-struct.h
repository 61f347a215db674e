/*
 * screen-struct: the structure of the file shown as a tree (the `struct`
 * command, key S), and what cmd-struct.c and screen-struct.c share (a
 * private header of the top floor).
 *
 * The session keeps one structure at a time (StructState): a decoder and
 * the offset it was put at, detected at offset 0 the first time or forced
 * with `struct as NAME at OFF` (a built-in format or a user structure
 * loaded with `struct load FILE`). While one is on, the status row names
 * the field under the cursor ("GPT entry 2 · first LBA = 2048"), computed
 * once per cursor position (fmt_path: bounded in depth and children).
 *
 * The screen browses the tree a level at a time, as ncdu browses
 * directories: the children of one node, decoded only for the rows shown,
 * so a table of a million entries scrolls at the cost of a screen. It opens
 * at the field under the cursor.
 */
#ifndef MMH_SCREEN_STRUCT_H
#define MMH_SCREEN_STRUCT_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"
#include "session.h"

struct UsDefs;

typedef struct StructState {
    bool on;               /* a structure is chosen: the status row names fields */
    bool user_off;         /* struct off said: no detection for the status row */
    const Doc *auto_doc;   /* the document detection was tried on for the status row */
    const FmtDecoder *dec; /* its decoder (NULL: detect at off) */
    bool user;             /* a user structure (from defs) ... */
    char user_name[48];    /* ... this one ("": the root one the file names) */
    uint64_t off;          /* where it starts */
    FmtNode root;          /* its root, as made for ... */
    const Doc *root_doc;   /* ... this document */
    uint64_t root_changes; /* ... at this doc_changes() */
    uint64_t root_size;    /* ... of this size */
    struct UsDefs *defs;   /* user structures loaded (ustruct.h), or NULL */
    char defs_path[256];   /* the file they came from */
    /* The status row's text, kept while the cursor, the bytes and the root stay. */
    bool at_valid;
    uint64_t at_off, at_changes, at_when;
    char at[200];
} StructState;

/* The session's structure state, made on first use (NULL: out of memory,
 * said). */
StructState *struct_state(Session *s);
/* Free it (NULL is fine). */
void struct_state_free(StructState *st);
/* The focused document as a source of bytes. */
void struct_src(Session *s, FmtSrc *out);
/* The root, made again when the bytes changed: 0, or -errno said (no format
 * known at the offset, an empty file). cmd is the command for messages. */
int struct_root(Session *s, const char *cmd, FmtNode **root);
/* The status row's words for the field under the cursor, or NULL (no
 * structure on, or the cursor is in none of it). */
const char *struct_field(Session *s);
/* After a frame of the hex screen: detect the format at offset 0 once a
 * document, when the frame showed the file's first rows (so the probes
 * read what the frame read, after the frame's residency sample), unless
 * struct off said no. true when a structure was found (draw again). */
bool struct_auto(Session *s);

/* Open the screen at the field under the cursor. 0 or -errno (said). */
int struct_screen_open(Session *s);

extern const ScreenType screen_struct;
/* The side panel (panel-struct.c): the path to the cursor's field and the
 * fields around it. */
extern const ScreenType screen_struct_panel;

#endif
