/*
 * fmt-fat: the FAT12/16/32 boot sector (the BIOS parameter block and the
 * extended one, FAT32's or FAT12/16's) and the root directory as a lazy
 * table of 32-byte entries (find() maps an offset to its entry). FAT12/16
 * keep the root directory in a fixed place after the FATs; FAT32's is a
 * cluster chain, of which the first cluster is shown (following the chain
 * through the FAT is left to the user, so nothing walks it).
 *
 * The type is decided as Linux and dosfstools decide it: FAT32 when the
 * 16-bit FAT size is 0, else by the count of data clusters (under 4085:
 * FAT12, else FAT16); the type string is only a label.
 *
 * The probe is strict, since a boot sector has no magic of its own and an
 * MBR's boot code also starts with a jump: the jump (EB xx 90 or E9), the
 * 0x55aa signature, bytes per sector in {512, 1024, 2048, 4096}, sectors
 * per cluster a power of two, at least one reserved sector, one or two
 * FATs, a media byte of F0 or F8..FF, nonzero sector and FAT sizes, and no
 * root entries on FAT32. NTFS and exFAT (OEM ids "NTFS    ", "EXFAT   ")
 * are left to their decoders.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

enum { K_ROOT, K_BOOT, K_DIR, K_ENTRY };

static const FmtField bpb_fields[] = {
    {"jump", 0, 3, FV_BYTES},
    {"OEM name", 3, 8, FV_ASCII},
    {"bytes per sector", 11, 2, FV_UINT},
    {"sectors per cluster", 13, 1, FV_UINT},
    {"reserved sectors", 14, 2, FV_UINT},
    {"number of FATs", 16, 1, FV_UINT},
    {"root entries", 17, 2, FV_UINT},
    {"total sectors 16", 19, 2, FV_UINT},
    {"media", 21, 1, FV_HEXN},
    {"sectors per FAT 16", 22, 2, FV_UINT},
    {"sectors per track", 24, 2, FV_UINT},
    {"heads", 26, 2, FV_UINT},
    {"hidden sectors", 28, 4, FV_UINT},
    {"total sectors 32", 32, 4, FV_UINT},
};
#define N_BPB (sizeof bpb_fields / sizeof *bpb_fields)

static const FmtField ebpb16_fields[] = {
    {"drive number", 36, 1, FV_HEXN},   {"reserved", 37, 1, FV_HEXN},
    {"boot signature", 38, 1, FV_HEXN}, {"volume id", 39, 4, FV_HEXN},
    {"volume label", 43, 11, FV_ASCII}, {"fs type", 54, 8, FV_ASCII},
    {"signature", 510, 2, FV_HEXN},
};
static const FmtField ebpb32_fields[] = {
    {"sectors per FAT 32", 36, 4, FV_UINT}, {"ext flags", 40, 2, FV_HEXN},
    {"fs version", 42, 2, FV_HEXN},         {"root cluster", 44, 4, FV_UINT},
    {"FSInfo sector", 48, 2, FV_UINT},      {"backup boot sector", 50, 2, FV_UINT},
    {"reserved", 52, 12, FV_BYTES},         {"drive number", 64, 1, FV_HEXN},
    {"reserved1", 65, 1, FV_HEXN},          {"boot signature", 66, 1, FV_HEXN},
    {"volume id", 67, 4, FV_HEXN},          {"volume label", 71, 11, FV_ASCII},
    {"fs type", 82, 8, FV_ASCII},           {"signature", 510, 2, FV_HEXN},
};
#define N_E16 (sizeof ebpb16_fields / sizeof *ebpb16_fields)
#define N_E32 (sizeof ebpb32_fields / sizeof *ebpb32_fields)

static const FmtField dirent_fields[] = {
    {"name", 0, 11, FV_ASCII},
    {"attributes", 11, 1, FV_HEXN},
    {"reserved", 12, 1, FV_HEXN},
    {"creation time tenths", 13, 1, FV_UINT},
    {"creation time", 14, 2, FV_HEXN},
    {"creation date", 16, 2, FV_HEXN},
    {"access date", 18, 2, FV_HEXN},
    {"first cluster hi", 20, 2, FV_UINT},
    {"write time", 22, 2, FV_HEXN},
    {"write date", 24, 2, FV_HEXN},
    {"first cluster lo", 26, 2, FV_UINT},
    {"file size", 28, 4, FV_UINT},
};
#define N_DIRENT (sizeof dirent_fields / sizeof *dirent_fields)

/* The boot sector's geometry. */
typedef struct Bpb {
    uint64_t bps, spc, reserved, nfats, rootents, total, fatsz, rootclus;
    uint64_t rootoff, rootlen; /* the root directory (bytes from the volume) */
    uint64_t dataoff, clusters;
    unsigned bits; /* 12, 16 or 32 */
} Bpb;

static bool read_bpb(const FmtSrc *src, uint64_t off, Bpb *p)
{
    uint8_t b[512];
    if (off >= src->size || src->size - off < 512 || src->read(src->ctx, off, b, 512) < 0)
        return false;
    if (!((b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9) || b[510] != 0x55 || b[511] != 0xaa)
        return false;
    if (memcmp(b + 3, "NTFS    ", 8) == 0 || memcmp(b + 3, "EXFAT   ", 8) == 0)
        return false;
    memset(p, 0, sizeof *p);
    p->bps = fmt_get(b + 11, 2, false);
    p->spc = b[13];
    p->reserved = fmt_get(b + 14, 2, false);
    p->nfats = b[16];
    p->rootents = fmt_get(b + 17, 2, false);
    p->total = fmt_get(b + 19, 2, false) ? fmt_get(b + 19, 2, false) : fmt_get(b + 32, 4, false);
    p->fatsz = fmt_get(b + 22, 2, false);
    unsigned media = b[21];
    bool f32 = p->fatsz == 0;
    if (f32) {
        p->fatsz = fmt_get(b + 36, 4, false);
        p->rootclus = fmt_get(b + 44, 4, false);
    }
    if ((p->bps != 512 && p->bps != 1024 && p->bps != 2048 && p->bps != 4096) || p->spc == 0 ||
        (p->spc & (p->spc - 1)) || p->reserved == 0 || p->nfats < 1 || p->nfats > 2 ||
        (media != 0xf0 && media < 0xf8) || p->total == 0 || p->fatsz == 0 ||
        (f32 && p->rootents != 0))
        return false;
    uint64_t rootsec = (p->rootents * 32 + p->bps - 1) / p->bps;
    uint64_t meta = p->reserved + p->nfats * p->fatsz + rootsec;
    if (meta >= p->total)
        return false;
    p->clusters = (p->total - meta) / p->spc;
    p->bits = f32 ? 32 : p->clusters < 4085 ? 12 : 16;
    p->dataoff = meta * p->bps;
    if (f32) {
        p->rootlen = p->spc * p->bps;
        p->rootoff = p->rootclus >= 2 && p->rootclus - 2 < p->clusters
                         ? p->dataoff + (p->rootclus - 2) * p->rootlen
                         : UINT64_MAX;
    } else {
        p->rootoff = (p->reserved + p->nfats * p->fatsz) * p->bps;
        p->rootlen = p->rootents * 32;
    }
    return true;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    Bpb p;
    return read_bpb(src, off, &p);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Bpb p;
    if (!read_bpb(src, off, &p))
        return -EINVAL;
    uint64_t room = src->size - off;
    uint64_t len = p.total <= room / p.bps ? p.total * p.bps : room;
    fmt_group(out, &fmt_fat, K_ROOT, "FAT", off, len, 2);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text,
             "FAT%u file system, %" PRIu64 " data clusters of %" PRIu64 " bytes", p.bits,
             p.clusters, p.bps * p.spc);
    return 0;
}

static void entry(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t at = p->off + i * 32;
    uint8_t b[32];
    char name[FMT_NAME];
    snprintf(name, sizeof name, "entry %" PRIu64, i);
    if (fmt_read(src, at, b, sizeof b) < 0) {
        fmt_bad(out, name, at, "unreadable");
        return;
    }
    fmt_group(out, &fmt_fat, K_ENTRY, name, at, 32, N_DIRENT);
    out->val = FV_TEXT;
    if (b[0] == 0) {
        snprintf(out->text, sizeof out->text, "free");
        out->nkids = 0;
        return;
    }
    if (b[0] == 0xe5) {
        snprintf(out->text, sizeof out->text, "deleted");
        return;
    }
    if ((b[11] & 0x3f) == 0x0f) {
        snprintf(out->text, sizeof out->text, "long name part %u", b[0] & 0x3f);
        return;
    }
    char nm[13];
    size_t k = 0;
    for (int j = 0; j < 8 && b[j] != ' '; j++)
        nm[k++] = b[j] >= 0x20 && b[j] < 0x7f ? (char)b[j] : '?';
    if (b[8] != ' ' && !(b[11] & 0x08))
        nm[k++] = '.';
    for (int j = 8; j < 11 && b[j] != ' '; j++)
        nm[k++] = b[j] >= 0x20 && b[j] < 0x7f ? (char)b[j] : '?';
    nm[k] = 0;
    const char *what = b[11] & 0x08 ? "volume label" : b[11] & 0x10 ? "directory" : "file";
    snprintf(out->text, sizeof out->text, "%s %s, cluster %" PRIu64 ", %" PRIu64 " bytes", what, nm,
             fmt_get(b + 26, 2, false) | fmt_get(b + 20, 2, false) << 16,
             fmt_get(b + 28, 4, false));
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Bpb b;
    switch (p->kind) {
    case K_ROOT:
        if (!read_bpb(src, p->off, &b)) {
            fmt_bad(out, "boot sector", p->off, "unreadable");
            return 0;
        }
        if (i == 0) {
            fmt_group(out, &fmt_fat, K_BOOT, "boot sector", p->off, b.bps,
                      N_BPB + (b.bits == 32 ? N_E32 : N_E16));
            out->a[0] = b.bits;
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "FAT%u", b.bits);
            return 0;
        }
        if (b.rootoff == UINT64_MAX || b.rootoff >= src->size - p->off) {
            fmt_bad(out, "root directory", p->off + (b.bits == 32 ? 44 : 17),
                    "the root directory lies past the end");
            return 0;
        }
        uint64_t at = p->off + b.rootoff;
        uint64_t n = fmt_clamp(src, at, b.rootlen / 32, 32);
        fmt_group(out, &fmt_fat, K_DIR, "root directory", at, n * 32, n);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " entries%s", n,
                 b.bits == 32 ? " (its first cluster)" : "");
        return 0;
    case K_BOOT:
        if (i < N_BPB) {
            fmt_field(out, &bpb_fields[i], p->off, false);
            if (i == 8) {
                uint64_t m = 0;
                fmt_uint(src, p->off + 21, 1, false, &m);
                snprintf(out->note, sizeof out->note, "%s",
                         m == 0xf8   ? "hard disk"
                         : m == 0xf0 ? "removable"
                                     : "floppy");
            }
        } else {
            fmt_field(out, p->a[0] == 32 ? &ebpb32_fields[i - N_BPB] : &ebpb16_fields[i - N_BPB],
                      p->off, false);
        }
        return 0;
    case K_DIR: entry(src, p, i, out); return 0;
    case K_ENTRY: fmt_field(out, &dirent_fields[i], p->off, false); return 0;
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    (void)src;
    if (off < p->off)
        return UINT64_MAX;
    uint64_t d = off - p->off;
    switch (p->kind) {
    case K_ROOT: return d < 512 ? 0 : 1;
    case K_BOOT: {
        uint64_t i = fmt_field_at(bpb_fields, N_BPB, d);
        if (i != UINT64_MAX)
            return i;
        i = p->a[0] == 32 ? fmt_field_at(ebpb32_fields, N_E32, d)
                          : fmt_field_at(ebpb16_fields, N_E16, d);
        return i == UINT64_MAX ? i : N_BPB + i;
    }
    case K_DIR: return d / 32;
    case K_ENTRY: return fmt_field_at(dirent_fields, N_DIRENT, d);
    default: return UINT64_MAX;
    }
}

const FmtDecoder fmt_fat = {
    .name = "fat",
    .title = "FAT file system",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
