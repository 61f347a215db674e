/*
 * fmt-qcow2: QEMU's copy-on-write disk image ("QFI\xfb", big endian),
 * versions 2 and 3: the header (the v3 feature bits named in notes), the
 * header extensions (a run walked from the header's end, at most
 * QCOW2_EXT_MAX of them, each bounded by the first cluster), the backing
 * file's name, the L1 table and the refcount table as lazy tables, and the
 * snapshot table: its entries vary in size, so a group lists at most
 * QCOW2_RUN of them, walked from the group's start, and its last child
 * "snapshots 257-512" holds the next run (any entry is reachable, each
 * child costs at most QCOW2_RUN small reads).
 *
 * An L1 entry's value is its raw 64-bit word (editable), its note the L2
 * table it points at; an allocated one has the L2 table's entries as
 * children ("L2 entry N", note: where the guest's cluster lives), so the
 * tree maps any guest cluster to its host offset in two steps, each O(1)
 * reads: entry i of a table is computed, never walked to, and find() maps
 * an offset back to its entry. Extended L2 entries (16 bytes, the
 * extended_l2 incompatible feature) are handled.
 *
 * Nothing read is trusted: cluster bits outside 9..21 make the tables
 * malformed, counts are clamped to what fits in the file, and offsets past
 * the end or not cluster-aligned say so in a malformed node.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define QCOW2_EXT_MAX 64 /* header extensions listed at most */
#define QCOW2_RUN 256    /* snapshots a group lists; the rest under a last "more" group */
#define QCOW2_OFF_MASK 0x00fffffffffffe00ull /* offset bits of L1/L2 entries */
#define QCOW2_COPIED (1ull << 63)
#define QCOW2_COMPRESSED (1ull << 62)

enum { K_ROOT, K_HDR, K_EXTS, K_EXT, K_L1, K_L2, K_REFT, K_SNAPS, K_SNAP };

static const FmtField hdr_fields[] = {
    {"magic", 0, 4, FV_HEXN},
    {"version", 4, 4, FV_UINT},
    {"backing file offset", 8, 8, FV_HEXN},
    {"backing file size", 16, 4, FV_UINT},
    {"cluster bits", 20, 4, FV_UINT},
    {"size", 24, 8, FV_UINT},
    {"crypt method", 32, 4, FV_UINT},
    {"L1 size", 36, 4, FV_UINT},
    {"L1 table offset", 40, 8, FV_HEXN},
    {"refcount table offset", 48, 8, FV_HEXN},
    {"refcount table clusters", 56, 4, FV_UINT},
    {"nb snapshots", 60, 4, FV_UINT},
    {"snapshots offset", 64, 8, FV_HEXN},
    /* version 3: */
    {"incompatible features", 72, 8, FV_HEXN},
    {"compatible features", 80, 8, FV_HEXN},
    {"autoclear features", 88, 8, FV_HEXN},
    {"refcount order", 96, 4, FV_UINT},
    {"header length", 100, 4, FV_UINT},
    {"compression type", 104, 1, FV_UINT},
};
#define N_HDR2 13
#define N_HDR3 18
#define N_HDR3C 19 /* with the compression type (header length > 104) */

/* The header's numbers. */
typedef struct Hdr {
    uint64_t version, bfoff, bfsize, cbits, size, crypt, l1size, l1off, rtoff, rtclusters;
    uint64_t incompat, compat, autoclear, rorder, hlen;
} Hdr;

static bool read_hdr(const FmtSrc *src, uint64_t off, Hdr *h)
{
    uint8_t b[112];
    if (off >= src->size || src->size - off < 72 || fmt_read(src, off, b, sizeof b) < 0)
        return false;
    if (memcmp(b, "QFI\xfb", 4) != 0)
        return false;
    memset(h, 0, sizeof *h);
    h->version = fmt_get(b + 4, 4, true);
    h->bfoff = fmt_get(b + 8, 8, true);
    h->bfsize = fmt_get(b + 16, 4, true);
    h->cbits = fmt_get(b + 20, 4, true);
    h->size = fmt_get(b + 24, 8, true);
    h->crypt = fmt_get(b + 32, 4, true);
    h->l1size = fmt_get(b + 36, 4, true);
    h->l1off = fmt_get(b + 40, 8, true);
    h->rtoff = fmt_get(b + 48, 8, true);
    h->rtclusters = fmt_get(b + 56, 4, true);
    h->hlen = 72;
    h->rorder = 4;
    if (h->version >= 3) {
        h->incompat = fmt_get(b + 72, 8, true);
        h->compat = fmt_get(b + 80, 8, true);
        h->autoclear = fmt_get(b + 88, 8, true);
        h->rorder = fmt_get(b + 96, 4, true);
        h->hlen = fmt_get(b + 100, 4, true);
    }
    return h->version == 2 || h->version == 3;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    Hdr h;
    return read_hdr(src, off, &h);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Hdr h;
    if (!read_hdr(src, off, &h))
        return -EINVAL;
    fmt_group(out, &fmt_qcow2, K_ROOT, "qcow2", off, src->size - off, 6);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text,
             "QEMU qcow2 v%" PRIu64 " image, %" PRIu64 " bytes virtual", h.version, h.size);
    return 0;
}

static bool cbits_ok(const Hdr *h)
{
    return h->cbits >= 9 && h->cbits <= 21;
}

static void feature_note(uint64_t v, const char *const *names, unsigned n, char *out, size_t size)
{
    size_t k = 0;
    out[0] = 0;
    for (unsigned i = 0; i < 64 && k + 2 < size; i++) {
        if (!(v >> i & 1))
            continue;
        int w = i < n && names[i] ? snprintf(out + k, size - k, "%s%s", k ? " " : "", names[i])
                                  : snprintf(out + k, size - k, "%sbit%u", k ? " " : "", i);
        if (w < 0 || (size_t)w >= size - k)
            break;
        k += (size_t)w;
    }
    if (!v)
        snprintf(out, size, "none");
}

static void hdr_note(const Hdr *h, uint64_t i, FmtNode *out)
{
    static const char *const incompat[] = {"dirty", "corrupt", "external data file",
                                           "compression type", "extended L2"};
    static const char *const compat[] = {"lazy refcounts"};
    static const char *const autoclear[] = {"bitmaps", "raw external data"};
    switch (i) {
    case 4:
        if (cbits_ok(h))
            snprintf(out->note, sizeof out->note, "%" PRIu64 "-byte clusters",
                     (uint64_t)1 << h->cbits);
        else
            snprintf(out->note, sizeof out->note, "out of range (9..21)");
        break;
    case 6:
        snprintf(out->note, sizeof out->note, "%s",
                 h->crypt == 0   ? "none"
                 : h->crypt == 1 ? "AES"
                 : h->crypt == 2 ? "LUKS"
                                 : "unknown");
        break;
    case 13: feature_note(h->incompat, incompat, 5, out->note, sizeof out->note); break;
    case 14: feature_note(h->compat, compat, 1, out->note, sizeof out->note); break;
    case 15: feature_note(h->autoclear, autoclear, 2, out->note, sizeof out->note); break;
    case 16:
        if (h->rorder <= 6)
            snprintf(out->note, sizeof out->note, "%u-bit refcounts", 1u << h->rorder);
        break;
    default: break;
    }
}

/* The first extension's offset (the header's end) and the first cluster's
 * end (extensions stop there). */
static void ext_bounds(const FmtSrc *src, uint64_t off, const Hdr *h, uint64_t *start,
                       uint64_t *end)
{
    uint64_t hl = h->version >= 3 ? h->hlen : 72;
    uint64_t cl = cbits_ok(h) ? (uint64_t)1 << h->cbits : 512;
    uint64_t room = src->size - off;
    *end = off + (cl < room ? cl : room);
    *start = hl < cl && hl >= 72 ? off + ((hl + 7) & ~7ull) : *end;
    if (*start > *end)
        *start = *end;
}

/* Walk the extensions from at: how many (the end marker included), at
 * most QCOW2_EXT_MAX; *stop: where the last one walked ends. */
static uint64_t ext_count(const FmtSrc *src, uint64_t at, uint64_t end, uint64_t *stop)
{
    uint64_t k = 0;
    *stop = at;
    while (k < QCOW2_EXT_MAX && at < end && end - at >= 8) {
        uint64_t type = 0, len = 0;
        if (fmt_uint(src, at, 4, true, &type) < 0 || fmt_uint(src, at + 4, 4, true, &len) < 0)
            break;
        k++;
        if (type == 0 || len > end - at - 8) {
            *stop = type == 0 ? at + 8 : end;
            break;
        }
        at += 8 + ((len + 7) & ~7ull);
        *stop = at < end ? at : end;
    }
    return k;
}

static const char *ext_name(uint64_t type)
{
    switch (type) {
    case 0: return "end of extensions";
    case 0xe2792aca: return "backing file format";
    case 0x6803f857: return "feature name table";
    case 0x23852875: return "bitmaps";
    case 0x0537be77: return "full disk encryption";
    case 0x44415441: return "external data file";
    default: return "unknown";
    }
}

static void ext(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t at = p->off, end = p->a[1];
    char name[FMT_NAME];
    snprintf(name, sizeof name, "extension %" PRIu64, i + 1);
    for (uint64_t k = 0; k <= i; k++) {
        uint64_t type = 0, len = 0;
        if (at >= end || end - at < 8 || fmt_uint(src, at, 4, true, &type) < 0 ||
            fmt_uint(src, at + 4, 4, true, &len) < 0) {
            fmt_bad(out, name, at, "extension past the first cluster");
            return;
        }
        if (len > end - at - 8) {
            fmt_bad(out, name, at + 4, "length %" PRIu64 " runs past the first cluster", len);
            return;
        }
        if (k == i) {
            fmt_group(out, &fmt_qcow2, K_EXT, name, at, 8 + len, 3);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%s", ext_name(type));
            if (type == 0)
                out->nkids = 2;
            return;
        }
        at += 8 + ((len + 7) & ~7ull);
    }
}

/* Table of n entries of esz bytes at toff (checked against the file and
 * the cluster alignment). */
static void table(const FmtSrc *src, const Hdr *h, uint32_t kind, const char *name, uint64_t toff,
                  uint64_t n, uint64_t esz, uint64_t field, FmtNode *out)
{
    if (!cbits_ok(h)) {
        fmt_bad(out, name, field, "cluster bits %" PRIu64 " out of range", h->cbits);
        return;
    }
    uint64_t cl = (uint64_t)1 << h->cbits;
    if (n == 0) {
        fmt_group(out, &fmt_qcow2, kind, name, toff, 0, 0);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "empty");
        return;
    }
    if (toff % cl) {
        fmt_bad(out, name, field, "offset 0x%" PRIx64 " not cluster-aligned", toff);
        return;
    }
    if (toff >= src->size) {
        fmt_bad(out, name, field, "offset 0x%" PRIx64 " lies past the end", toff);
        return;
    }
    uint64_t k = fmt_clamp(src, toff, n, esz);
    fmt_group(out, &fmt_qcow2, kind, name, toff, k * esz, k);
    out->a[0] = h->cbits;
    out->a[1] = esz;
    out->val = FV_TEXT;
    if (k < n)
        snprintf(out->text, sizeof out->text, "%" PRIu64 " of %" PRIu64 " entries fit in the file",
                 k, n);
    else
        snprintf(out->text, sizeof out->text, "%" PRIu64 " entries", n);
}

static void l1_entry(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t at = p->off + i * 8, v = 0, cbits = p->a[0];
    fmt_name(out, "L1 entry %" PRIu64, i);
    out->off = at;
    out->len = 8;
    out->val = FV_HEXN;
    out->big = true;
    if (fmt_uint(src, at, 8, true, &v) < 0)
        return;
    uint64_t l2 = v & QCOW2_OFF_MASK, cl = (uint64_t)1 << cbits;
    if (!l2) {
        snprintf(out->note, sizeof out->note, "unallocated");
        return;
    }
    if (l2 % cl || l2 >= src->size) {
        snprintf(out->note, sizeof out->note, "L2 table at 0x%" PRIx64 " %s (malformed)", l2,
                 l2 % cl ? "not cluster-aligned" : "past the end");
        return;
    }
    snprintf(out->note, sizeof out->note, "L2 table at 0x%" PRIx64 "%s", l2,
             v & QCOW2_COPIED ? ", copied" : "");
    uint64_t esz = p->a[2] ? 16 : 8;
    out->dec = &fmt_qcow2;
    out->kind = K_L2;
    out->nkids = fmt_clamp(src, l2, cl / esz, esz);
    out->a[0] = cbits;
    out->a[1] = esz;
    out->a[2] = l2;
    out->a[3] = i; /* the L1 index: which guest clusters */
}

static void l2_entry(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t cbits = p->a[0], esz = p->a[1], at = p->a[2] + i * esz, v = 0;
    uint64_t cl = (uint64_t)1 << cbits;
    uint64_t guest = (p->a[3] * (cl / esz) + i) << cbits;
    fmt_name(out, "L2 entry %" PRIu64, i);
    out->off = at;
    out->len = 8;
    out->val = FV_HEXN;
    out->big = true;
    if (fmt_uint(src, at, 8, true, &v) < 0)
        return;
    if (v & QCOW2_COMPRESSED) {
        snprintf(out->note, sizeof out->note, "guest 0x%" PRIx64 ": compressed", guest);
    } else if ((v & QCOW2_OFF_MASK) == 0) {
        snprintf(out->note, sizeof out->note, "guest 0x%" PRIx64 ": %s", guest,
                 v & 1 ? "reads as zeros" : "unallocated");
    } else {
        uint64_t d = v & QCOW2_OFF_MASK;
        snprintf(out->note, sizeof out->note, "guest 0x%" PRIx64 " at 0x%" PRIx64 "%s%s", guest, d,
                 v & 1 ? ", zeros" : "", d >= src->size ? " (past the end)" : "");
    }
}

/* ---- the snapshot table: variable-size entries, in runs ---- */

/* The size of the snapshot entry at at (its header, extra data, id and
 * name, padded to 8 bytes): false when its header does not fit the file. */
static bool snap_size(const FmtSrc *src, uint64_t at, uint64_t *size)
{
    uint8_t b[40];
    if (at >= src->size || src->size - at < sizeof b || fmt_read(src, at, b, sizeof b) < 0)
        return false;
    uint64_t n =
        40 + fmt_get(b + 36, 4, true) + fmt_get(b + 12, 2, true) + fmt_get(b + 14, 2, true);
    *size = (n + 7) & ~7ull; /* the last one's padding may pass the end */
    return n <= src->size - at;
}

/* The snapshot table's first run, from the header at base. */
static void snapshots(const FmtSrc *src, uint64_t base, FmtNode *out)
{
    uint64_t n = 0, at = 0;
    fmt_uint(src, base + 60, 4, true, &n);
    fmt_uint(src, base + 64, 8, true, &at);
    if (n == 0) {
        fmt_name(out, "snapshots");
        out->off = base + 60;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "none");
        return;
    }
    if (at >= src->size - base || at % 8) {
        fmt_bad(out, "snapshots", base + 64, "offset 0x%" PRIx64 " %s", at,
                at % 8 ? "not aligned" : "lies past the end");
        return;
    }
    n = fmt_clamp(src, base + at, n, 40);
    fmt_group(out, &fmt_qcow2, K_SNAPS, "snapshots", base + at, src->size - base - at,
              n > QCOW2_RUN ? QCOW2_RUN + 1 : n);
    out->a[0] = 0; /* the run's first index */
    out->a[1] = n; /* entries from it on */
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%" PRIu64 " snapshots", n);
}

/* Walk k entries of the run p from its start: the k-th entry's offset, or
 * false (with *at where the walk stopped) when one does not fit. */
static bool snap_walk(const FmtSrc *src, const FmtNode *p, uint64_t k, uint64_t *at)
{
    *at = p->off;
    for (uint64_t j = 0; j < k; j++) {
        uint64_t size;
        if (!snap_size(src, *at, &size))
            return false;
        *at += size;
    }
    return true;
}

static void snapshot(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t first = p->a[0], left = p->a[1], at, size;
    if (i == QCOW2_RUN) {
        if (!snap_walk(src, p, QCOW2_RUN, &at)) {
            fmt_bad(out, "more", at, "snapshot %" PRIu64 " does not fit", first + QCOW2_RUN + 1);
            return;
        }
        char name[FMT_NAME];
        uint64_t rest = left - QCOW2_RUN;
        snprintf(name, sizeof name, "snapshots %" PRIu64 "-%" PRIu64, first + QCOW2_RUN + 1,
                 first + QCOW2_RUN + rest);
        fmt_group(out, &fmt_qcow2, K_SNAPS, name, at, src->size - at,
                  rest > QCOW2_RUN ? QCOW2_RUN + 1 : rest);
        out->a[0] = first + QCOW2_RUN;
        out->a[1] = rest;
        return;
    }
    char name[FMT_NAME];
    snprintf(name, sizeof name, "snapshot %" PRIu64, first + i + 1);
    if (!snap_walk(src, p, i, &at) || !snap_size(src, at, &size)) {
        fmt_bad(out, name, at, "does not fit in the file");
        return;
    }
    uint64_t extra = 0, idn = 0, nn = 0;
    fmt_uint(src, at + 36, 4, true, &extra);
    fmt_uint(src, at + 12, 2, true, &idn);
    fmt_uint(src, at + 14, 2, true, &nn);
    uint64_t nx = extra >= 24 ? 3 : extra / 8;
    fmt_group(out, &fmt_qcow2, K_SNAP, name, at, size < src->size - at ? size : src->size - at,
              9 + nx + 2);
    out->a[0] = extra;
    out->a[1] = idn;
    out->a[2] = nn;
    /* The name shown with the entry: "snapshot 3" / "id 3 \"before upgrade\"". */
    char id[17] = {0}, nm[41] = {0};
    fmt_read(src, at + 40 + extra, id, idn < 16 ? idn : 16);
    fmt_read(src, at + 40 + extra + idn, nm, nn < 40 ? nn : 40);
    for (char *c = id; *c; c++)
        *c = *c >= 0x20 && *c < 0x7f ? *c : '.';
    for (char *c = nm; *c; c++)
        *c = *c >= 0x20 && *c < 0x7f ? *c : '.';
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "id %s \"%s\"", id, nm);
}

static void snap_field(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    static const FmtField f[] = {
        {"L1 table offset", 0, 8, FV_HEXN},  {"L1 size", 8, 4, FV_UINT},
        {"id size", 12, 2, FV_UINT},         {"name size", 14, 2, FV_UINT},
        {"date sec", 16, 4, FV_UINT},        {"date nsec", 20, 4, FV_UINT},
        {"vm clock nsec", 24, 8, FV_UINT},   {"vm state size", 32, 4, FV_UINT},
        {"extra data size", 36, 4, FV_UINT}, {"vm state size large", 40, 8, FV_UINT},
        {"disk size", 48, 8, FV_UINT},       {"icount", 56, 8, FV_UINT},
    };
    uint64_t extra = p->a[0], nx = extra >= 24 ? 3 : extra / 8;
    if (i < 9 + nx) {
        fmt_field(out, &f[i], p->off, true);
        return;
    }
    bool is_id = i == 9 + nx;
    fmt_name(out, is_id ? "id" : "name");
    out->off = p->off + 40 + extra + (is_id ? 0 : p->a[1]);
    out->len = is_id ? p->a[1] : p->a[2];
    out->val = FV_ASCII;
    (void)src;
}

/* The child of the run p holding off (one walk of at most QCOW2_RUN). */
static uint64_t snap_find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    uint64_t at = p->off, n = p->a[1] < QCOW2_RUN ? p->a[1] : QCOW2_RUN;
    for (uint64_t k = 0; k < n; k++) {
        uint64_t size;
        if (!snap_size(src, at, &size))
            return UINT64_MAX;
        if (off >= at && off - at < size)
            return k;
        at += size;
    }
    return p->a[1] > QCOW2_RUN && off >= at ? QCOW2_RUN : UINT64_MAX;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Hdr h;
    if (p->kind == K_ROOT || p->kind == K_HDR || p->kind == K_EXTS) {
        uint64_t base = p->kind == K_ROOT ? p->off : p->a[0];
        if (!read_hdr(src, base, &h)) {
            fmt_bad(out, "header", base, "unreadable");
            return 0;
        }
    }
    switch (p->kind) {
    case K_ROOT: {
        uint64_t base = p->off;
        switch (i) {
        case 0: {
            uint64_t n = h.version < 3 ? N_HDR2 : h.hlen > 104 ? N_HDR3C : N_HDR3;
            fmt_group(out, &fmt_qcow2, K_HDR, "header", base,
                      hdr_fields[n - 1].off + hdr_fields[n - 1].len, n);
            out->a[0] = base;
            return 0;
        }
        case 1: {
            uint64_t start, end, stop;
            ext_bounds(src, base, &h, &start, &end);
            uint64_t n = ext_count(src, start, end, &stop);
            fmt_group(out, &fmt_qcow2, K_EXTS, "header extensions", start, stop - start, n);
            out->a[0] = base;
            out->a[1] = end;
            if (out->nkids == 0) {
                out->val = FV_TEXT;
                snprintf(out->text, sizeof out->text, "none");
            }
            return 0;
        }
        case 2:
            if (h.bfoff == 0) {
                fmt_name(out, "backing file name");
                out->off = base + 8;
                out->val = FV_TEXT;
                snprintf(out->text, sizeof out->text, "none");
            } else if (h.bfsize > 1023 || h.bfoff >= src->size - base ||
                       h.bfsize > src->size - base - h.bfoff) {
                fmt_bad(out, "backing file name", base + 8,
                        "%" PRIu64 " bytes at 0x%" PRIx64 " do not fit", h.bfsize, h.bfoff);
            } else {
                fmt_name(out, "backing file name");
                out->off = base + h.bfoff;
                out->len = h.bfsize;
                out->val = FV_ASCII;
            }
            return 0;
        case 3:
            table(src, &h, K_L1, "L1 table", base + h.l1off, h.l1size, 8, base + 40, out);
            out->a[2] = (h.incompat >> 4) & 1; /* extended L2 */
            return 0;
        case 4: {
            uint64_t n = h.rtclusters;
            if (cbits_ok(&h))
                n = n > (src->size >> h.cbits) + 1 ? (src->size >> h.cbits) + 1 : n;
            table(src, &h, K_REFT, "refcount table", base + h.rtoff,
                  cbits_ok(&h) ? n << (h.cbits - 3) : 0, 8, base + 48, out);
            return 0;
        }
        default: snapshots(src, base, out); return 0;
        }
    }
    case K_HDR:
        fmt_field(out, &hdr_fields[i], p->off, true);
        hdr_note(&h, i, out);
        return 0;
    case K_EXTS: ext(src, p, i, out); return 0;
    case K_EXT: {
        static const FmtField f[] = {
            {"type", 0, 4, FV_HEXN}, {"length", 4, 4, FV_UINT}, {"data", 8, 0, FV_BYTES}};
        fmt_field(out, &f[i], p->off, true);
        if (i == 2) {
            uint64_t type = 0;
            fmt_uint(src, p->off, 4, true, &type);
            out->len = p->len - 8;
            out->val = type == 0xe2792aca ? FV_ASCII : FV_BYTES;
        }
        return 0;
    }
    case K_L1: l1_entry(src, p, i, out); return 0;
    case K_L2: l2_entry(src, p, i, out); return 0;
    case K_SNAPS: snapshot(src, p, i, out); return 0;
    case K_SNAP: snap_field(src, p, i, out); return 0;
    case K_REFT: {
        uint64_t v = 0, at = p->off + i * 8;
        fmt_name(out, "refcount block %" PRIu64, i);
        out->off = at;
        out->len = 8;
        out->val = FV_HEXN;
        out->big = true;
        if (fmt_uint(src, at, 8, true, &v) == 0)
            snprintf(out->note, sizeof out->note, v ? "at 0x%" PRIx64 : "unallocated", v);
        return 0;
    }
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    switch (p->kind) {
    case K_HDR:
        for (uint64_t i = 0; i < p->nkids; i++)
            if (off - p->off >= hdr_fields[i].off &&
                off - p->off < hdr_fields[i].off + hdr_fields[i].len)
                return i;
        return UINT64_MAX;
    case K_L1:
    case K_REFT: return off >= p->off ? (off - p->off) / 8 : UINT64_MAX;
    case K_L2: return off >= p->a[2] && p->a[1] ? (off - p->a[2]) / p->a[1] : UINT64_MAX;
    case K_SNAPS: return snap_find(src, p, off);
    default:
        /* The root, the extensions, an extension: a few children. */
        for (uint64_t i = 0; i < p->nkids && i < QCOW2_EXT_MAX; i++) {
            FmtNode k;
            if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
                return i;
        }
        return UINT64_MAX;
    }
}

const FmtDecoder fmt_qcow2 = {
    .name = "qcow2",
    .title = "QEMU copy-on-write disk image",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
