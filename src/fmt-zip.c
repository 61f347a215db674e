/*
 * fmt-zip: ZIP archives (PKWARE APPNOTE 6.3): the end of central directory
 * record (found by scanning back from the file's end, at most 22 + 65535
 * bytes), the ZIP64 end record and its locator when present, and the
 * central directory, whose entries lead to their local headers and data.
 *
 * Central directory entries have variable sizes, so entry i cannot be
 * located directly: the directory is a run of at most ZIP_RUN entries
 * walked from the run's start (a[0]), whose last child is the next run
 * ("entries 257-512"). Every child thus costs at most ZIP_RUN small reads,
 * and any entry is reachable. The same runs, as "local files", give each
 * entry's local header and data (in the directory's order, which is the
 * files' order in archives zip writes), so the cursor in a file's data is
 * named. Offsets in the archive count from its start;
 * when the central directory is not where the end record says but right
 * before the end record (data prepended to the archive), the difference is
 * the shift added to every offset (a[3] of the runs, a[0] of entries).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define ZIP_RUN 256        /* entries a run holds at most */
#define ZIP_EOCD 22        /* the end record's fixed size */
#define ZIP_CDH 46         /* a central directory entry's fixed size */
#define ZIP_LFH 30         /* a local header's fixed size */
#define ZIP_EXTRAS_MAX 64  /* extra fields shown at most */
#define ZIP_SCAN_MAX 65535 /* the end record's comment at most */

#define SIG_LFH 0x04034b50u
#define SIG_CDH 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64LOC 0x07064b50u
#define SIG_Z64REC 0x06064b50u
#define SIG_DD 0x08074b50u
#define NONE UINT64_MAX

/* Which values of an entry are in its ZIP64 extra field (in this order). */
enum { Z64_USIZE = 1, Z64_CSIZE = 2, Z64_LHO = 4, Z64_DISK = 8 };

enum {
    K_ROOT,   /* a[0]: the end record's offset */
    K_TABLE,  /* a fixed layout: ptr is a ZipTable */
    K_EOCD,   /* the end record, with its comment */
    K_RUN,    /* entries: a[0] run start, a[1] first index, a[2] left, a[3] shift */
    K_ENTRY,  /* a[0] shift, a[1] index */
    K_EXTRAS, /* a[0] ZIP64 mask (Z64_*) */
    K_EXTRA,  /* a[0] ZIP64 mask */
    K_LOCAL,  /* a[0] compressed size (from the central directory), a[1] version made by,
               * a[2] the descriptor's K_DESC bits, a[3] its length (0: none) */
    K_LFILES, /* the local files, in the central directory's order: as K_RUN */
    K_DESC,   /* a data descriptor: a[0] bit 0: signed, bit 1: 8-byte sizes */
};

typedef struct ZipTable {
    const FmtField *f;
    size_t n;
} ZipTable;

static const FmtField eocd_fields[] = {
    {"signature", 0, 4, FV_HEXN},
    {"number of this disk", 4, 2, FV_UINT},
    {"disk where central directory starts", 6, 2, FV_UINT},
    {"entries on this disk", 8, 2, FV_UINT},
    {"total entries", 10, 2, FV_UINT},
    {"central directory size", 12, 4, FV_UINT},
    {"central directory offset", 16, 4, FV_UINT},
    {"comment length", 20, 2, FV_UINT},
};
#define N_EOCD (sizeof eocd_fields / sizeof *eocd_fields)

static const FmtField z64rec_fields[] = {
    {"signature", 0, 4, FV_HEXN},
    {"size of record", 4, 8, FV_UINT},
    {"version made by", 12, 2, FV_UINT},
    {"version needed", 14, 2, FV_UINT},
    {"number of this disk", 16, 4, FV_UINT},
    {"disk where central directory starts", 20, 4, FV_UINT},
    {"entries on this disk", 24, 8, FV_UINT},
    {"total entries", 32, 8, FV_UINT},
    {"central directory size", 40, 8, FV_UINT},
    {"central directory offset", 48, 8, FV_UINT},
};
static const ZipTable z64rec_table = {z64rec_fields, sizeof z64rec_fields / sizeof *z64rec_fields};

static const FmtField z64loc_fields[] = {
    {"signature", 0, 4, FV_HEXN},
    {"disk with ZIP64 end record", 4, 4, FV_UINT},
    {"ZIP64 end record offset", 8, 8, FV_UINT},
    {"total disks", 16, 4, FV_UINT},
};
static const ZipTable z64loc_table = {z64loc_fields, sizeof z64loc_fields / sizeof *z64loc_fields};

static const FmtField cdh_fields[] = {
    {"signature", 0, 4, FV_HEXN},
    {"version made by", 4, 2, FV_UINT},
    {"version needed", 6, 2, FV_UINT},
    {"flags", 8, 2, FV_HEXN},
    {"method", 10, 2, FV_UINT},
    {"mod time", 12, 2, FV_HEXN},
    {"mod date", 14, 2, FV_HEXN},
    {"crc32", 16, 4, FV_HEXN},
    {"compressed size", 20, 4, FV_UINT},
    {"uncompressed size", 24, 4, FV_UINT},
    {"name length", 28, 2, FV_UINT},
    {"extra length", 30, 2, FV_UINT},
    {"comment length", 32, 2, FV_UINT},
    {"disk start", 34, 2, FV_UINT},
    {"internal attrs", 36, 2, FV_HEXN},
    {"external attrs", 38, 4, FV_HEXN},
    {"local header offset", 42, 4, FV_UINT},
};
#define N_CDH (sizeof cdh_fields / sizeof *cdh_fields)
#define N_ENTRY_KIDS (N_CDH + 4) /* file name, extra fields, comment, local header */

static const FmtField lfh_fields[] = {
    {"signature", 0, 4, FV_HEXN},
    {"version needed", 4, 2, FV_UINT},
    {"flags", 6, 2, FV_HEXN},
    {"method", 8, 2, FV_UINT},
    {"mod time", 10, 2, FV_HEXN},
    {"mod date", 12, 2, FV_HEXN},
    {"crc32", 14, 4, FV_HEXN},
    {"compressed size", 18, 4, FV_UINT},
    {"uncompressed size", 22, 4, FV_UINT},
    {"name length", 26, 2, FV_UINT},
    {"extra length", 28, 2, FV_UINT},
};
#define N_LFH (sizeof lfh_fields / sizeof *lfh_fields)
#define N_LOCAL_KIDS (N_LFH + 3) /* file name, extra fields, data */

/* ---- what the end records say ---- */

typedef struct Zip {
    uint64_t eocd;           /* the end record */
    uint64_t z64loc, z64rec; /* the ZIP64 locator and end record, or NONE */
    uint64_t cd, cdsize;     /* the central directory (file offset) and size */
    uint64_t count;          /* its entries, clamped to what fits */
    uint64_t shift;          /* file offset of the archive's offset 0 */
    bool cd_ok;              /* an entry's signature is at cd */
} Zip;

static bool sig_at(const FmtSrc *src, uint64_t off, uint32_t sig)
{
    uint64_t v;
    return fmt_uint(src, off, 4, false, &v) == 0 && v == sig;
}

static void zip_info(const FmtSrc *src, uint64_t base, uint64_t eocd, Zip *z)
{
    uint8_t e[ZIP_EOCD];
    memset(z, 0, sizeof *z);
    z->eocd = eocd;
    z->z64loc = z->z64rec = NONE;
    fmt_read(src, eocd, e, sizeof e);
    uint64_t count = fmt_get(e + 10, 2, false), cdsize = fmt_get(e + 12, 4, false),
             cdoff = fmt_get(e + 16, 4, false);
    uint64_t end = eocd; /* where the central directory should end */
    if (eocd >= 20 && sig_at(src, eocd - 20, SIG_Z64LOC)) {
        z->z64loc = eocd - 20;
        end = z->z64loc;
        uint64_t rec = 0;
        fmt_uint(src, z->z64loc + 8, 8, false, &rec);
        /* The record's own offset may be shifted like the rest. */
        uint64_t cand[2] = {rec < src->size - base ? base + rec : NONE, rec};
        for (int k = 0; k < 2 && z->z64rec == NONE; k++)
            if (cand[k] < z->z64loc && z->z64loc - cand[k] >= 56 &&
                sig_at(src, cand[k], SIG_Z64REC))
                z->z64rec = cand[k];
        if (z->z64rec != NONE) {
            uint8_t r[56];
            fmt_read(src, z->z64rec, r, sizeof r);
            count = fmt_get(r + 32, 8, false);
            cdsize = fmt_get(r + 40, 8, false);
            cdoff = fmt_get(r + 48, 8, false);
            end = z->z64rec;
        }
    }
    z->shift = base;
    if (cdoff <= src->size - base && sig_at(src, base + cdoff, SIG_CDH)) {
        z->cd_ok = true;
    } else if (cdsize <= end && end - cdsize >= cdoff && sig_at(src, end - cdsize, SIG_CDH)) {
        z->shift = end - cdsize - cdoff;
        z->cd_ok = true;
    }
    z->cd = z->shift + cdoff < z->shift ? NONE : z->shift + cdoff;
    z->cdsize = cdsize;
    z->count = z->cd == NONE ? 0 : fmt_clamp(src, z->cd, count, ZIP_CDH);
}

/* The end record: scanning back from the end, the last "PK\5\6" whose
 * comment fits in the file, not before base; NONE when there is none. */
static uint64_t find_eocd(const FmtSrc *src, uint64_t base)
{
    if (src->size < ZIP_EOCD || src->size - ZIP_EOCD < base)
        return NONE;
    uint64_t hi = src->size - ZIP_EOCD;
    uint64_t lo = hi - base > ZIP_SCAN_MAX ? hi - ZIP_SCAN_MAX : base;
    size_t n = (size_t)(src->size - lo);
    uint8_t *b = malloc(n);
    if (!b)
        return NONE;
    uint64_t found = NONE;
    if (fmt_read(src, lo, b, n) == 0) {
        for (uint64_t p = hi + 1; p-- > lo;) {
            const uint8_t *r = b + (p - lo);
            if (fmt_get(r, 4, false) == SIG_EOCD &&
                fmt_get(r + 20, 2, false) <= src->size - p - ZIP_EOCD) {
                found = p;
                break;
            }
        }
    }
    free(b);
    return found;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    return sig_at(src, off, SIG_LFH) || (sig_at(src, off, SIG_EOCD) && find_eocd(src, off) == off);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (!probe(src, off))
        return -EINVAL;
    uint64_t eocd = find_eocd(src, off);
    fmt_group(out, &fmt_zip, K_ROOT, "ZIP archive", off, src->size - off, 1);
    out->a[0] = eocd;
    out->a[1] = off;
    if (eocd == NONE) {
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "no end of central directory record");
        return 0;
    }
    Zip z;
    zip_info(src, off, eocd, &z);
    out->nkids = 3 + (z.z64rec != NONE) + (z.z64loc != NONE);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "ZIP archive, %" PRIu64 " entries", z.count);
    return 0;
}

/* ---- notes ---- */

static const char *method_name(uint64_t m)
{
    switch (m) {
    case 0: return "stored";
    case 1: return "shrunk";
    case 6: return "imploded";
    case 8: return "deflated";
    case 9: return "deflate64";
    case 12: return "bzip2";
    case 14: return "LZMA";
    case 93: return "zstd";
    case 95: return "xz";
    case 98: return "PPMd";
    case 99: return "AES encrypted";
    default: return "unknown";
    }
}

static const char *os_name(unsigned os)
{
    static const char *const names[] = {
        "MS-DOS",    "Amiga",         "OpenVMS", "Unix",   "VM/CMS", "Atari ST",      "OS/2 HPFS",
        "Macintosh", "Z-System",      "CP/M",    "NTFS",   "MVS",    "VSE",           "Acorn Risc",
        "VFAT",      "alternate MVS", "BeOS",    "Tandem", "OS/400", "OS X (Darwin)",
    };
    return os < sizeof names / sizeof *names ? names[os] : "unknown";
}

static const char *extra_name(uint64_t id)
{
    switch (id) {
    case 0x0001: return "ZIP64";
    case 0x000a: return "NTFS times";
    case 0x000d: return "Unix";
    case 0x5455: return "extended timestamp";
    case 0x5855: return "Info-ZIP Unix (old)";
    case 0x7075: return "Info-ZIP Unicode path";
    case 0x7855: return "Info-ZIP Unix";
    case 0x7875: return "Info-ZIP Unix UID/GID";
    case 0x9901: return "AES encryption";
    default: return "unknown";
    }
}

static void mode_text(uint64_t mode, char *out, size_t n)
{
    static const char types[16] = {
        [1] = 'p', [2] = 'c', [4] = 'd', [6] = 'b', [8] = '-', [10] = 'l', [12] = 's'};
    char t = types[(mode >> 12) & 15] ? types[(mode >> 12) & 15] : '?';
    snprintf(out, n, "%06" PRIo64 " %c%c%c%c%c%c%c%c%c%c", mode & 0177777, t,
             mode & 0400 ? 'r' : '-', mode & 0200 ? 'w' : '-', mode & 0100 ? 'x' : '-',
             mode & 040 ? 'r' : '-', mode & 020 ? 'w' : '-', mode & 010 ? 'x' : '-',
             mode & 04 ? 'r' : '-', mode & 02 ? 'w' : '-', mode & 01 ? 'x' : '-');
}

/* The note of a field of an entry or local header named name, of value v;
 * made_by: the entry's "version made by" (its high byte: the OS). */
static void field_note(const char *name, uint64_t v, uint64_t made_by, char *note, size_t n)
{
    if (strcmp(name, "method") == 0) {
        snprintf(note, n, "%s", method_name(v));
    } else if (strcmp(name, "mod time") == 0) {
        snprintf(note, n, "%02u:%02u:%02u", (unsigned)(v >> 11), (unsigned)(v >> 5 & 63),
                 (unsigned)(v & 31) * 2);
    } else if (strcmp(name, "mod date") == 0) {
        snprintf(note, n, "%04u-%02u-%02u", (unsigned)(v >> 9) + 1980, (unsigned)(v >> 5 & 15),
                 (unsigned)(v & 31));
    } else if (strcmp(name, "version made by") == 0) {
        snprintf(note, n, "%s, %u.%u", os_name((unsigned)(v >> 8)), (unsigned)(v & 255) / 10,
                 (unsigned)(v & 255) % 10);
    } else if (strcmp(name, "version needed") == 0) {
        snprintf(note, n, "%u.%u", (unsigned)(v & 255) / 10, (unsigned)(v & 255) % 10);
    } else if (strcmp(name, "flags") == 0) {
        snprintf(note, n, "%s%s%s%s", v & 1 ? "encrypted " : "", v & 8 ? "data descriptor " : "",
                 v & 0x800 ? "UTF-8 " : "", v & 0x809 ? "" : "none");
    } else if (strcmp(name, "external attrs") == 0 && made_by >> 8 == 3) {
        mode_text(v >> 16, note, n);
    } else if (strcmp(name, "internal attrs") == 0) {
        snprintf(note, n, "%s", v & 1 ? "text" : "binary");
    } else if (strcmp(name, "signature") == 0 && v != SIG_CDH && v != SIG_LFH && v != SIG_EOCD &&
               v != SIG_Z64LOC && v != SIG_Z64REC) {
        snprintf(note, n, "not a ZIP signature");
    }
}

/* ---- central directory entries ---- */

/* The offset of the entry k entries after start (each entry's sizes read
 * from it), or NONE when one on the way has no signature or passes end. */
static uint64_t walk(const FmtSrc *src, uint64_t start, uint64_t k, uint64_t end)
{
    uint64_t pos = start;
    for (uint64_t j = 0; j < k; j++) {
        uint8_t h[ZIP_CDH];
        if (pos > end || end - pos < ZIP_CDH || fmt_read(src, pos, h, sizeof h) < 0 ||
            fmt_get(h, 4, false) != SIG_CDH)
            return NONE;
        pos += ZIP_CDH + fmt_get(h + 28, 2, false) + fmt_get(h + 30, 2, false) +
               fmt_get(h + 32, 2, false);
    }
    return pos;
}

static uint64_t entry_len(const uint8_t *h)
{
    return ZIP_CDH + fmt_get(h + 28, 2, false) + fmt_get(h + 30, 2, false) +
           fmt_get(h + 32, 2, false);
}

/* The ZIP64 mask of an entry's header: which values its ZIP64 extra holds. */
static uint64_t z64_mask(const uint8_t *h)
{
    return (fmt_get(h + 24, 4, false) == 0xffffffff ? Z64_USIZE : 0) |
           (fmt_get(h + 20, 4, false) == 0xffffffff ? Z64_CSIZE : 0) |
           (fmt_get(h + 42, 4, false) == 0xffffffff ? Z64_LHO : 0) |
           (fmt_get(h + 34, 2, false) == 0xffff ? Z64_DISK : 0);
}

/* Value want (a Z64_* bit) from the ZIP64 extra field in the extra area
 * [off, off + len), given mask; false when absent. */
static bool z64_value(const FmtSrc *src, uint64_t off, uint64_t len, uint64_t mask, uint64_t want,
                      uint64_t *out)
{
    uint64_t p = 0;
    for (int k = 0; k < ZIP_EXTRAS_MAX && p < len && len - p >= 4; k++) {
        uint8_t h[4];
        if (fmt_read(src, off + p, h, 4) < 0)
            return false;
        uint64_t id = fmt_get(h, 2, false), sz = fmt_get(h + 2, 2, false);
        if (sz > len - p - 4)
            return false;
        if (id == 1) {
            uint64_t q = off + p + 4, qend = q + sz;
            for (uint64_t bit = 1; bit <= Z64_DISK; bit <<= 1) {
                if (!(mask & bit))
                    continue;
                unsigned w = bit == Z64_DISK ? 4 : 8;
                if (qend - q < w)
                    return false;
                if (bit == want)
                    return fmt_uint(src, q, w, false, out) == 0;
                q += w;
            }
            return false;
        }
        p += 4 + sz;
    }
    return false;
}

static void entry_name(const FmtSrc *src, uint64_t pos, const uint8_t *h, const char *word,
                       uint64_t idx, FmtNode *out)
{
    char nm[40];
    size_t n = fmt_get(h + 28, 2, false) < sizeof nm - 1 ? (size_t)fmt_get(h + 28, 2, false)
                                                         : sizeof nm - 1;
    fmt_read(src, pos + ZIP_CDH, nm, n);
    nm[n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)nm[i] < 0x20 || nm[i] == 0x7f)
            nm[i] = '.';
    fmt_name(out, "%s %" PRIu64 " %s", word, idx + 1, nm);
}

/* The local header of the entry at cdpos (its ZIP64 offset and size
 * looked up), as a node named name. */
static void local_node(const FmtSrc *src, uint64_t cdpos, uint64_t shift, const char *name,
                       FmtNode *out)
{
    uint8_t h[ZIP_CDH];
    memset(out, 0, sizeof *out);
    fmt_read(src, cdpos, h, sizeof h);
    uint64_t extra = cdpos + ZIP_CDH + fmt_get(h + 28, 2, false), xlen = fmt_get(h + 30, 2, false);
    uint64_t mask = z64_mask(h), lho = fmt_get(h + 42, 4, false), csize = fmt_get(h + 20, 4, false);
    if ((mask & Z64_LHO) && !z64_value(src, extra, xlen, mask, Z64_LHO, &lho)) {
        fmt_bad(out, name, cdpos + 42, "its ZIP64 offset is missing");
        return;
    }
    if (mask & Z64_CSIZE)
        z64_value(src, extra, xlen, mask, Z64_CSIZE, &csize);
    if (lho > src->size || src->size - lho < shift || src->size - lho - shift < ZIP_LFH) {
        fmt_bad(out, name, cdpos + 42, "offset %" PRIu64 " lies past the end", lho);
        return;
    }
    uint64_t at = shift + lho;
    uint8_t l[ZIP_LFH];
    fmt_read(src, at, l, sizeof l);
    if (fmt_get(l, 4, false) != SIG_LFH) {
        fmt_bad(out, name, at, "no local header signature (0x%08" PRIx64 ")", fmt_get(l, 4, false));
        return;
    }
    uint64_t hl = ZIP_LFH + fmt_get(l + 26, 2, false) + fmt_get(l + 28, 2, false);
    uint64_t len = csize > UINT64_MAX - hl ? UINT64_MAX - at : hl + csize;
    bool desc = fmt_get(l + 6, 2, false) & 8;
    uint64_t dlen = 0;
    if (desc && len < UINT64_MAX - at) {
        /* The data descriptor after the data: maybe a signature, then
         * CRC and sizes, of 8 bytes when the local header has ZIP64. */
        uint64_t sig = 0, z64 = 0;
        fmt_uint(src, at + len, 4, false, &sig);
        bool wide = z64_value(src, at + ZIP_LFH + fmt_get(l + 26, 2, false),
                              fmt_get(l + 28, 2, false), Z64_USIZE | Z64_CSIZE, Z64_USIZE, &z64);
        dlen = (sig == SIG_DD ? 4 : 0) + 4 + (wide ? 16 : 8);
        out->a[2] = (sig == SIG_DD) | (wide ? 2 : 0);
        len = dlen > UINT64_MAX - len ? len : len + dlen;
    }
    fmt_group(out, &fmt_zip, K_LOCAL, name, at, len, N_LOCAL_KIDS + desc);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "local file header and %" PRIu64 " bytes of data%s",
             csize, desc ? " and descriptor" : "");
    out->a[0] = csize;
    out->a[1] = fmt_get(h + 4, 2, false);
    out->a[3] = dlen;
}

/* Where a run's entries must end: the central directory's end for the
 * directory's runs; for the local files' runs (whose range is the local
 * files'), the file's end: the entries' signatures still bound the walk. */
static uint64_t run_end(const FmtSrc *src, const FmtNode *p)
{
    return p->kind == K_RUN ? p->off + p->len : src->size;
}

static int run_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t start = p->a[0], first = p->a[1], left = p->a[2], shift = p->a[3];
    uint64_t end = run_end(src, p);
    bool files = p->kind == K_LFILES;
    uint64_t pos = walk(src, start, i, end);
    if (i == ZIP_RUN) {
        char name[FMT_NAME];
        uint64_t last = first + (left < 2 * ZIP_RUN ? left : 2 * ZIP_RUN);
        snprintf(name, sizeof name, "%s %" PRIu64 "-%" PRIu64, files ? "files" : "entries",
                 first + ZIP_RUN + 1, last);
        if (pos == NONE || pos >= end) {
            fmt_bad(out, name, start, "an entry before entry %" PRIu64 " is broken",
                    first + ZIP_RUN + 1);
            return 0;
        }
        uint64_t off = pos, len = end - pos;
        if (files) {
            /* From the run's first local header to the group's end. */
            FmtNode l;
            local_node(src, pos, shift, "", &l);
            uint64_t gend = p->off + p->len;
            off = l.bad || l.off > gend ? gend : l.off;
            len = gend - off;
        }
        left -= ZIP_RUN;
        fmt_group(out, &fmt_zip, p->kind, name, off, len, left > ZIP_RUN ? ZIP_RUN + 1 : left);
        out->a[0] = pos;
        out->a[1] = first + ZIP_RUN;
        out->a[2] = left;
        out->a[3] = shift;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " more %s", left,
                 files ? "files" : "entries");
        return 0;
    }
    char name[FMT_NAME];
    snprintf(name, sizeof name, "%s %" PRIu64, files ? "file" : "entry", first + i + 1);
    uint8_t h[ZIP_CDH];
    if (pos == NONE) {
        fmt_bad(out, name, start, "an entry before this one is broken");
        return 0;
    }
    if (pos > end || end - pos < ZIP_CDH) {
        fmt_bad(out, name, pos, "past the central directory's end");
        return 0;
    }
    fmt_read(src, pos, h, sizeof h);
    if (fmt_get(h, 4, false) != SIG_CDH) {
        fmt_bad(out, name, pos, "no central directory entry signature (0x%08" PRIx64 ")",
                fmt_get(h, 4, false));
        return 0;
    }
    if (files) {
        local_node(src, pos, shift, name, out);
        if (!out->bad)
            entry_name(src, pos, h, "file", first + i, out);
        return 0;
    }
    fmt_group(out, &fmt_zip, K_ENTRY, "", pos, entry_len(h), N_ENTRY_KIDS);
    entry_name(src, pos, h, "entry", first + i, out);
    out->a[0] = shift;
    out->a[1] = first + i;
    uint64_t usize = fmt_get(h + 24, 4, false), mask = z64_mask(h);
    if (mask & Z64_USIZE)
        z64_value(src, pos + ZIP_CDH + fmt_get(h + 28, 2, false), fmt_get(h + 30, 2, false), mask,
                  Z64_USIZE, &usize);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%s, %" PRIu64 " bytes",
             method_name(fmt_get(h + 10, 2, false)), usize);
    return 0;
}

static uint64_t run_find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    uint64_t pos = p->a[0], left = p->a[2], end = run_end(src, p);
    for (uint64_t j = 0; j < left && j <= ZIP_RUN; j++) {
        uint8_t h[ZIP_CDH];
        if (pos > end || end - pos < ZIP_CDH || fmt_read(src, pos, h, sizeof h) < 0 ||
            fmt_get(h, 4, false) != SIG_CDH)
            return NONE;
        uint64_t from = pos, len = entry_len(h);
        if (p->kind == K_LFILES) {
            FmtNode l;
            local_node(src, pos, p->a[3], "", &l);
            from = l.off;
            len = l.bad ? 0 : l.len;
        }
        if (j == ZIP_RUN)
            return off >= from ? j : NONE;
        if (off >= from && off - from < len)
            return j;
        pos += entry_len(h);
    }
    return NONE;
}

static int extras_node(const FmtSrc *src, uint64_t off, uint64_t len, uint64_t mask, FmtNode *out)
{
    uint64_t n = 0, p = 0;
    while (n < ZIP_EXTRAS_MAX && p < len) {
        uint64_t sz = 0;
        n++;
        if (len - p < 4 || fmt_uint(src, off + p + 2, 2, false, &sz) < 0 || sz > len - p - 4)
            break;
        p += 4 + sz;
    }
    fmt_group(out, &fmt_zip, K_EXTRAS, "extra fields", off, len, n);
    out->a[0] = mask;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%" PRIu64 " fields", n);
    return 0;
}

static int extra_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t off = p->off, len = p->len, q = 0;
    for (uint64_t k = 0;; k++) {
        uint64_t sz = 0, id = 0;
        if (len - q < 4) {
            fmt_bad(out, "extra", off + q, "%" PRIu64 " bytes left, too few for a field", len - q);
            return 0;
        }
        fmt_uint(src, off + q, 2, false, &id);
        fmt_uint(src, off + q + 2, 2, false, &sz);
        if (sz > len - q - 4) {
            fmt_bad(out, "extra", off + q, "its %" PRIu64 " bytes pass the extra area's end", sz);
            return 0;
        }
        if (k == i) {
            fmt_group(out, &fmt_zip, K_EXTRA, "", off + q, 4 + sz, 3);
            fmt_name(out, "extra 0x%04" PRIx64, id);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%s", extra_name(id));
            out->a[0] = p->a[0];
            if (id == 1) {
                uint64_t m = p->a[0], w = 0, nk = 0;
                for (uint64_t bit = 1; bit <= Z64_DISK; bit <<= 1)
                    if ((m & bit) && w + (bit == Z64_DISK ? 4 : 8) <= sz)
                        w += bit == Z64_DISK ? 4 : 8, nk++;
                out->nkids = 2 + nk;
            } else if (id == 0x5455 && sz >= 5) {
                out->nkids = 4;
            }
            return 0;
        }
        q += 4 + sz;
    }
}

static int extra_field(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    static const FmtField head[] = {{"header id", 0, 2, FV_HEXN}, {"data size", 2, 2, FV_UINT}};
    uint64_t id = 0;
    fmt_uint(src, p->off, 2, false, &id);
    if (i < 2) {
        fmt_field(out, &head[i], p->off, false);
        if (i == 0)
            snprintf(out->note, sizeof out->note, "%s", extra_name(id));
        return 0;
    }
    if (id == 1) {
        static const char *const names[] = {"uncompressed size", "compressed size",
                                            "local header offset", "disk start"};
        uint64_t q = p->off + 4, k = 0;
        for (unsigned b = 0; b < 4; b++) {
            if (!(p->a[0] & (1u << b)))
                continue;
            unsigned w = b == 3 ? 4 : 8;
            if (k == i - 2) {
                FmtField f = {names[b], (uint32_t)(q - p->off), w, FV_UINT};
                fmt_field(out, &f, p->off, false);
                return 0;
            }
            q += w;
            k++;
        }
        return -EINVAL;
    }
    if (id == 0x5455 && p->nkids == 4) {
        static const FmtField ut[] = {{"flags", 4, 1, FV_HEXN}, {"mtime", 5, 4, FV_UINT}};
        fmt_field(out, &ut[i - 2], p->off, false);
        return 0;
    }
    FmtField d = {"data", 4, (uint32_t)(p->len - 4), FV_BYTES};
    fmt_field(out, &d, p->off, false);
    return 0;
}

static int entry_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint8_t h[ZIP_CDH];
    fmt_read(src, p->off, h, sizeof h);
    uint64_t nlen = fmt_get(h + 28, 2, false), xlen = fmt_get(h + 30, 2, false),
             clen = fmt_get(h + 32, 2, false);
    uint64_t shift = p->a[0];
    if (i < N_CDH) {
        fmt_field(out, &cdh_fields[i], p->off, false);
        field_note(out->name, fmt_get(h + cdh_fields[i].off, cdh_fields[i].len, false),
                   fmt_get(h + 4, 2, false), out->note, sizeof out->note);
        return 0;
    }
    uint64_t name = p->off + ZIP_CDH, extra = name + nlen, comment = extra + xlen;
    switch (i - N_CDH) {
    case 0: {
        FmtField f = {"file name", ZIP_CDH, (uint32_t)nlen, FV_ASCII};
        fmt_field(out, &f, p->off, false);
        return 0;
    }
    case 1: return extras_node(src, extra, xlen, z64_mask(h), out);
    case 2: {
        FmtField f = {"comment", (uint32_t)(comment - p->off), (uint32_t)clen, FV_ASCII};
        fmt_field(out, &f, p->off, false);
        return 0;
    }
    default: break;
    }
    local_node(src, p->off, shift, "local header", out);
    return 0;
}

static int local_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint8_t l[ZIP_LFH];
    fmt_read(src, p->off, l, sizeof l);
    uint64_t nlen = fmt_get(l + 26, 2, false), xlen = fmt_get(l + 28, 2, false);
    if (i < N_LFH) {
        fmt_field(out, &lfh_fields[i], p->off, false);
        field_note(out->name, fmt_get(l + lfh_fields[i].off, lfh_fields[i].len, false), p->a[1],
                   out->note, sizeof out->note);
        return 0;
    }
    switch (i - N_LFH) {
    case 0: {
        FmtField f = {"file name", ZIP_LFH, (uint32_t)nlen, FV_ASCII};
        fmt_field(out, &f, p->off, false);
        return 0;
    }
    case 1: {
        /* A local ZIP64 extra holds both sizes. */
        uint64_t mask = (fmt_get(l + 22, 4, false) == 0xffffffff ? Z64_USIZE : 0) |
                        (fmt_get(l + 18, 4, false) == 0xffffffff ? Z64_CSIZE : 0);
        return extras_node(src, p->off + ZIP_LFH + nlen, xlen, mask, out);
    }
    case 2: {
        uint64_t at = p->off + ZIP_LFH + nlen + xlen;
        out->off = at;
        out->len = p->a[0];
        out->val = FV_BYTES;
        snprintf(out->name, sizeof out->name, "data");
        snprintf(out->note, sizeof out->note, "%" PRIu64 " bytes", p->a[0]);
        return 0;
    }
    default: {
        uint64_t dlen = p->a[3];
        fmt_group(out, &fmt_zip, K_DESC, "data descriptor", p->off + p->len - dlen, dlen,
                  3 + (p->a[2] & 1));
        out->a[0] = p->a[2];
        return 0;
    }
    }
}

static int desc_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    (void)src;
    uint32_t sig = p->a[0] & 1 ? 4 : 0, w = p->a[0] & 2 ? 8 : 4;
    FmtField f[4] = {{"signature", 0, 4, FV_HEXN},
                     {"crc32", sig, 4, FV_HEXN},
                     {"compressed size", sig + 4, w, FV_UINT},
                     {"uncompressed size", sig + 4 + w, w, FV_UINT}};
    fmt_field(out, &f[i + !sig], p->off, false);
    return 0;
}

static int root_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t eocd = p->a[0], base = p->a[1];
    if (eocd == NONE) {
        fmt_bad(out, "end of central directory", p->off,
                "no end of central directory record in the last 65557 bytes");
        return 0;
    }
    Zip z;
    zip_info(src, base, eocd, &z);
    if (i <= 1) {
        const char *name = i == 0 ? "local files" : "central directory";
        if (!z.cd_ok || z.cd == NONE) {
            fmt_bad(out, name, eocd + 16, "no central directory at offset %" PRIu64,
                    z.cd == NONE ? 0 : z.cd - z.shift);
            return 0;
        }
        uint64_t len = z.cdsize;
        uint64_t end = z.z64rec != NONE ? z.z64rec : z.z64loc != NONE ? z.z64loc : eocd;
        if (len > src->size - z.cd)
            len = src->size - z.cd;
        if (z.cd < end && len > end - z.cd)
            len = end - z.cd;
        fmt_group(out, &fmt_zip, K_RUN, "central directory", z.cd, len,
                  z.count > ZIP_RUN ? ZIP_RUN + 1 : z.count);
        out->a[0] = z.cd;
        out->a[1] = 0;
        out->a[2] = z.count;
        out->a[3] = z.shift;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " entries", z.count);
        if (i == 0) {
            /* The same entries' local headers, from the archive's start
             * to the central directory. */
            out->kind = K_LFILES;
            snprintf(out->name, sizeof out->name, "%s", name);
            out->off = z.shift;
            out->len = z.cd - z.shift;
            snprintf(out->text, sizeof out->text, "%" PRIu64 " files", z.count);
        }
        return 0;
    }
    i -= 2;
    if (z.z64rec != NONE && i-- == 0) {
        uint64_t size = 0;
        fmt_uint(src, z.z64rec + 4, 8, false, &size);
        uint64_t len = size > z.z64loc - z.z64rec - 12 ? z.z64loc - z.z64rec : 12 + size;
        fmt_group(out, &fmt_zip, K_TABLE, "ZIP64 end of central directory", z.z64rec, len,
                  z64rec_table.n);
        out->ptr = &z64rec_table;
        return 0;
    }
    if (z.z64loc != NONE && i-- == 0) {
        fmt_group(out, &fmt_zip, K_TABLE, "ZIP64 end of central directory locator", z.z64loc, 20,
                  z64loc_table.n);
        out->ptr = &z64loc_table;
        return 0;
    }
    uint64_t clen = 0;
    fmt_uint(src, eocd + 20, 2, false, &clen);
    fmt_group(out, &fmt_zip, K_EOCD, "end of central directory", eocd, ZIP_EOCD + clen, N_EOCD + 1);
    return 0;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    switch (p->kind) {
    case K_ROOT: return root_child(src, p, i, out);
    case K_TABLE: {
        const ZipTable *t = p->ptr;
        if (i >= t->n)
            return -EINVAL;
        fmt_field(out, &t->f[i], p->off, false);
        return 0;
    }
    case K_EOCD:
        if (i < N_EOCD) {
            fmt_field(out, &eocd_fields[i], p->off, false);
        } else {
            FmtField f = {"comment", ZIP_EOCD, (uint32_t)(p->len - ZIP_EOCD), FV_ASCII};
            fmt_field(out, &f, p->off, false);
        }
        return 0;
    case K_RUN:
    case K_LFILES: return run_child(src, p, i, out);
    case K_ENTRY: return entry_child(src, p, i, out);
    case K_EXTRAS: return extra_child(src, p, i, out);
    case K_EXTRA: return extra_field(src, p, i, out);
    case K_LOCAL: return local_child(src, p, i, out);
    case K_DESC: return desc_child(src, p, i, out);
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    if (p->kind == K_RUN || p->kind == K_LFILES)
        return run_find(src, p, off);
    /* Small groups: try each child. */
    uint64_t n = p->nkids < ZIP_EXTRAS_MAX + 4 ? p->nkids : ZIP_EXTRAS_MAX + 4;
    for (uint64_t i = 0; i < n; i++) {
        FmtNode k;
        if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
            return i;
    }
    return NONE;
}

const FmtDecoder fmt_zip = {
    .name = "zip",
    .title = "ZIP archive",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
