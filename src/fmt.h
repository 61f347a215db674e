/*
 * fmt: what a file's bytes mean, as a lazy tree of named fields (the core:
 * no Session, no curses; bytes come through an FmtSrc).
 *
 * A node is a range of the file with a name ("GPT entry 2", "first LBA"),
 * maybe a value (an integer, text, a GUID: FmtVal) and maybe children. The
 * children are never held: a node says how many it has (nkids) and which
 * decoder makes them (dec, with its own kind, a[] and ptr), and fmt_child
 * makes child i on demand. So a table of a million entries (ELF symbols,
 * SQLite pages, a qcow2 L1 table) is one node with nkids 1000000, and a
 * screen or a printer decodes only the entries it shows: work is O(what is
 * shown), memory O(1) per node held.
 *
 * Decoders (fmt-NAME.c, one per format, listed in fmt.c's table) probe for
 * their magic at an offset, make the root, and make children. They never
 * trust the file: every count is clamped to what fits in the file (and to
 * FMT_KIDS_MAX), every offset is checked against src->size, and what does
 * not add up is a node with bad set and text "malformed at 0x...: why", not
 * an error, a hang or a read past the end. A loop in the file (a chain that
 * points back) is harmless: nothing walks a chain but the user, one level at
 * a time, and fmt_path and fmt_print are bounded in depth and nodes.
 *
 * Formats nest: a partition table's entry has as child the filesystem or
 * format found at the partition's start (fmt_detect_child), so one tree
 * goes from the GPT to the ext4 superblock in it.
 */
#ifndef MMH_FMT_H
#define MMH_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FMT_NAME 48               /* room for a node's name, with its NUL */
#define FMT_TEXT 96               /* room for its value or note, with its NUL */
#define FMT_KIDS_MAX (1ull << 40) /* children of one node at most */
#define FMT_DEPTH 24              /* levels fmt_path descends at most */
#define FMT_SCAN 512              /* children fmt_path tries per level without a find */
#define FMT_RUN_HOPS 512          /* runs of a sequence fmt_path follows at most */

/* Where the bytes come from. read copies len bytes at off into buf: 0, or
 * -errno (anything past size fails; the document may also have shrunk). */
typedef struct FmtSrc {
    int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
    void *ctx;
    uint64_t size; /* the file's size */
} FmtSrc;

/* How a node's value is shown (and, for numbers, text and GUIDs, edited
 * through the inspector's types: fmt_insp). */
typedef enum FmtVal {
    FV_NONE,  /* no value: a group */
    FV_UINT,  /* unsigned integer of len 1, 2, 4 or 8 bytes (big: byte order) */
    FV_SINT,  /* signed integer, as FV_UINT */
    FV_HEXN,  /* unsigned integer shown in hex (flags, magic numbers) */
    FV_BYTES, /* raw bytes as hex (at most 32 shown) */
    FV_ASCII, /* bytes as text, up to the first NUL */
    FV_UTF16, /* UTF-16LE text, up to the first NUL (GPT names) */
    FV_GUID,  /* a 16-byte GUID in its mixed-endian Microsoft layout */
    FV_TEXT,  /* the decoder's own text (in text): a summary, a count */
} FmtVal;

typedef struct FmtDecoder FmtDecoder;

typedef struct FmtNode {
    char name[FMT_NAME]; /* "GPT entry 2", "first LBA" */
    uint64_t off, len;   /* the bytes it covers (len 0: none, a note) */
    uint8_t val;         /* FmtVal */
    bool big;            /* integers: big endian */
    bool bad;            /* malformed: text says where and why */
    char text[FMT_TEXT]; /* the value as text (fmt_child fills it from the
                          * bytes unless val is FV_TEXT or FV_NONE) */
    char note[FMT_TEXT]; /* what the value means ("Linux filesystem"), or "" */
    /* ---- the children, made on demand by dec ---- */
    uint64_t nkids;        /* how many (0: a leaf) */
    const FmtDecoder *dec; /* who makes them (and who made this node) */
    uint32_t kind;         /* the decoder's kind of node */
    uint64_t a[4];         /* the decoder's arguments */
    const void *ptr;       /* the decoder's pointer (a user structure's definition) */
} FmtNode;

struct FmtDecoder {
    const char *name;  /* what `struct as NAME` takes: "gpt", "elf" */
    const char *title; /* "GUID partition table" */
    /* The format starts at off (a few small reads, no allocation). NULL:
     * never detected, only forced. */
    bool (*probe)(const FmtSrc *src, uint64_t off);
    /* Its root node at off. 0 or -errno (-EINVAL: not this format there). */
    int (*root)(const FmtSrc *src, uint64_t off, FmtNode *out);
    /* Child i (< parent->nkids) of a node it made. 0 or -errno; a malformed
     * child is a node with bad set, not an error. out is zeroed before. */
    int (*child)(const FmtSrc *src, const FmtNode *parent, uint64_t i, FmtNode *out);
    /* The index of the child of parent that holds off, or UINT64_MAX; NULL:
     * fmt_path tries the first FMT_SCAN children. For big tables. */
    uint64_t (*find)(const FmtSrc *src, const FmtNode *parent, uint64_t off);
};

/* ---- the decoders ---- */
/* The i-th decoder in probe order (NULL past the last). */
const FmtDecoder *fmt_decoder_at(size_t i);
/* The decoder named name (case ignored), or NULL. */
const FmtDecoder *fmt_decoder(const char *name);
/* The root of the first decoder whose probe matches at off: 0, or -ENOENT
 * (no format known there), or -errno. */
int fmt_detect(const FmtSrc *src, uint64_t off, FmtNode *out);
/* The root of decoder d at off (d NULL: fmt_detect). The root's text says
 * what it is when d left it empty. */
int fmt_root(const FmtSrc *src, const FmtDecoder *d, uint64_t off, FmtNode *out);
/* For decoders of containers (partition tables): a child named name for
 * what starts at off, or a leaf saying nothing is known there. Never
 * nests deeper than FMT_DEPTH formats. */
void fmt_detect_child(const FmtSrc *src, uint64_t off, const char *name, FmtNode *out);

/* ---- walking the tree ---- */
/* Child i of p, its value text filled and its range checked against the
 * file (a child past the end is made bad). 0 or -errno (-EINVAL: no such
 * child). */
int fmt_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out);
/* The deepest chain of nodes from root that hold off: path[0] is root,
 * path[k] a child of path[k-1]. Returns the depth (>= 1), or 0 when root
 * does not hold off. Bounded: FMT_DEPTH levels, FMT_SCAN children a level
 * unless the decoder can find. A sequence in runs (a group whose last
 * child is the next run, of the same decoder and kind) is followed for
 * FMT_RUN_HOPS runs without taking levels: the run holding the item takes
 * its first run's place in the path. */
int fmt_path(const FmtSrc *src, const FmtNode *root, uint64_t off, FmtNode *path, int max);
/* As fmt_path, and idx[k] (k >= 1) gets path[k]'s index among its
 * parent's children (idx may be NULL). */
int fmt_path_idx(const FmtSrc *src, const FmtNode *root, uint64_t off, FmtNode *path, uint64_t *idx,
                 int max);
/* The inspector type (inspect.h's InspType) a node is edited as, or -1
 * (not editable: a group, text, bytes, a bad node). */
int fmt_insp(const FmtNode *n);

/* A node's value can be typed anew: a number or GUID (fmt_insp), text
 * (FV_ASCII, FV_UTF16) or bytes (FV_BYTES) of at most FMT_EDIT_MAX bytes. */
#define FMT_EDIT_MAX 4096
bool fmt_editable(const FmtNode *n);
/* text as the bytes of n's value, exactly n->len of them, into out (cap
 * >= n->len): numbers and GUIDs in the inspector's syntax and n's byte
 * order; text as typed (quotes around it dropped), the rest of the field
 * NUL-padded; bytes as hex ("de ad be ef"), exactly the field's length.
 * n->len, or -EINVAL / -ERANGE / -ENOTSUP with err (errn bytes) saying
 * why. */
int fmt_encode(const FmtNode *n, const char *text, uint8_t *out, size_t cap, char *err,
               size_t errn);

/* ---- for decoders ---- */
/* A field of a fixed layout, for tables of them. */
typedef struct FmtField {
    const char *name;
    uint32_t off; /* from the structure's start */
    uint32_t len; /* bytes */
    uint8_t val;  /* FmtVal */
} FmtField;
/* The index of the field of table f (n fields) holding byte d of the
 * structure, or UINT64_MAX: for find(). */
uint64_t fmt_field_at(const FmtField *f, size_t n, uint64_t d);
/* Node for field f of a structure at base. */
void fmt_field(FmtNode *out, const FmtField *f, uint64_t base, bool big);
/* The integer of len (1..8) bytes at b, big or little endian. */
uint64_t fmt_get(const uint8_t *b, unsigned len, bool big);
/* Read an integer of len (1..8) bytes at off: 0 or -errno. */
int fmt_uint(const FmtSrc *src, uint64_t off, unsigned len, bool big, uint64_t *out);
/* Read len bytes, zero-filling whatever lies past the file's end: 0, or
 * -errno for a failed read inside it. */
int fmt_read(const FmtSrc *src, uint64_t off, void *buf, size_t len);
/* Make out a bad node at off: "malformed at 0x...: " and why. */
void fmt_bad(FmtNode *out, const char *name, uint64_t off, const char *why, ...)
    __attribute__((format(printf, 4, 5)));
/* Set a node's name (printf). */
void fmt_name(FmtNode *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A group node: name, range, children. */
void fmt_group(FmtNode *out, const FmtDecoder *d, uint32_t kind, const char *name, uint64_t off,
               uint64_t len, uint64_t nkids);
/* Clamp a count read from the file: at most what fits in the bytes from
 * off to the end at `each` bytes an item, and FMT_KIDS_MAX. */
uint64_t fmt_clamp(const FmtSrc *src, uint64_t off, uint64_t count, uint64_t each);
/* The GUID at b as text (37 bytes of room). */
void fmt_guid_text(const uint8_t *b, char *out, size_t n);

/* ---- printing (batch `struct`) ---- */
/* Print the tree under root: at most depth levels and max_kids children a
 * node ("... N more" for the rest), max_nodes nodes in all. Indented text,
 * or JSON (one object per node: name, offset, size, value, note, bad,
 * children, more). put gets the text in pieces: 0, or -errno to stop.
 * Returns 0 or the first error. */
int fmt_print(const FmtSrc *src, const FmtNode *root, int depth, uint64_t max_kids,
              uint64_t max_nodes, bool json, int (*put)(const char *, size_t, void *), void *ctx);

/* The decoders (fmt-*.c). */
extern const FmtDecoder fmt_mbr;
extern const FmtDecoder fmt_sqlite;
extern const FmtDecoder fmt_elf;
extern const FmtDecoder fmt_pe;
extern const FmtDecoder fmt_zip;
extern const FmtDecoder fmt_tar;
extern const FmtDecoder fmt_gzip;
extern const FmtDecoder fmt_png;
extern const FmtDecoder fmt_gpt;
extern const FmtDecoder fmt_ext4;
extern const FmtDecoder fmt_qcow2;
extern const FmtDecoder fmt_fat;
extern const FmtDecoder fmt_ntfs;
extern const FmtDecoder fmt_xfs;

#endif
