/*
 * fmt-xfs: the XFS superblock ("XFSB", big endian) and the allocation
 * groups as a lazy table: AG i starts at i * agblocks * blocksize (computed,
 * and find() maps an offset back), and holds in its first sectors its copy
 * of the superblock, its AGF (free space) and its AGI (inodes) headers.
 *
 * Fields are named as xfs_db prints them (magicnum, dblocks, agblocks...),
 * so what a user sees in `xfs_db -c sb -c print` is found under the same
 * name. On version 5 file systems the CRC32C of each header (the sector,
 * its crc field taken as zero) is checked: the crc field's note says
 * "correct" or "bad", as xfs_db does.
 *
 * Nothing read is trusted: block and sector sizes must be powers of two in
 * range, the AG count is clamped to the AGs that start inside the file,
 * and an AG header past the end is a malformed node.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

enum { K_ROOT, K_SB, K_AGS, K_AG, K_AGF, K_AGI };

static const FmtField sb_fields[] = {
    {"magicnum", 0, 4, FV_HEXN},
    {"blocksize", 4, 4, FV_UINT},
    {"dblocks", 8, 8, FV_UINT},
    {"rblocks", 16, 8, FV_UINT},
    {"rextents", 24, 8, FV_UINT},
    {"uuid", 32, 16, FV_BYTES},
    {"logstart", 48, 8, FV_UINT},
    {"rootino", 56, 8, FV_UINT},
    {"rbmino", 64, 8, FV_UINT},
    {"rsumino", 72, 8, FV_UINT},
    {"rextsize", 80, 4, FV_UINT},
    {"agblocks", 84, 4, FV_UINT},
    {"agcount", 88, 4, FV_UINT},
    {"rbmblocks", 92, 4, FV_UINT},
    {"logblocks", 96, 4, FV_UINT},
    {"versionnum", 100, 2, FV_HEXN},
    {"sectsize", 102, 2, FV_UINT},
    {"inodesize", 104, 2, FV_UINT},
    {"inopblock", 106, 2, FV_UINT},
    {"fname", 108, 12, FV_ASCII},
    {"blocklog", 120, 1, FV_UINT},
    {"sectlog", 121, 1, FV_UINT},
    {"inodelog", 122, 1, FV_UINT},
    {"inopblog", 123, 1, FV_UINT},
    {"agblklog", 124, 1, FV_UINT},
    {"rextslog", 125, 1, FV_UINT},
    {"inprogress", 126, 1, FV_UINT},
    {"imax_pct", 127, 1, FV_UINT},
    {"icount", 128, 8, FV_UINT},
    {"ifree", 136, 8, FV_UINT},
    {"fdblocks", 144, 8, FV_UINT},
    {"frextents", 152, 8, FV_UINT},
    {"uquotino", 160, 8, FV_UINT},
    {"gquotino", 168, 8, FV_UINT},
    {"qflags", 176, 2, FV_HEXN},
    {"flags", 178, 1, FV_HEXN},
    {"shared_vn", 179, 1, FV_UINT},
    {"inoalignmt", 180, 4, FV_UINT},
    {"unit", 184, 4, FV_UINT},
    {"width", 188, 4, FV_UINT},
    {"dirblklog", 192, 1, FV_UINT},
    {"logsectlog", 193, 1, FV_UINT},
    {"logsectsize", 194, 2, FV_UINT},
    {"logsunit", 196, 4, FV_UINT},
    {"features2", 200, 4, FV_HEXN},
    {"bad_features2", 204, 4, FV_HEXN},
    {"features_compat", 208, 4, FV_HEXN},
    {"features_ro_compat", 212, 4, FV_HEXN},
    {"features_incompat", 216, 4, FV_HEXN},
    {"features_log_incompat", 220, 4, FV_HEXN},
    {"crc", 224, 4, FV_HEXN},
    {"spino_align", 228, 4, FV_UINT},
    {"pquotino", 232, 8, FV_UINT},
    {"lsn", 240, 8, FV_HEXN},
    {"meta_uuid", 248, 16, FV_BYTES},
};
#define N_SB (sizeof sb_fields / sizeof *sb_fields)
#define SB_CRC 224

static const FmtField agf_fields[] = {
    {"magicnum", 0, 4, FV_HEXN},      {"versionnum", 4, 4, FV_UINT},
    {"seqno", 8, 4, FV_UINT},         {"length", 12, 4, FV_UINT},
    {"bnoroot", 16, 4, FV_UINT},      {"cntroot", 20, 4, FV_UINT},
    {"rmaproot", 24, 4, FV_UINT},     {"bnolevel", 28, 4, FV_UINT},
    {"cntlevel", 32, 4, FV_UINT},     {"rmaplevel", 36, 4, FV_UINT},
    {"flfirst", 40, 4, FV_UINT},      {"fllast", 44, 4, FV_UINT},
    {"flcount", 48, 4, FV_UINT},      {"freeblks", 52, 4, FV_UINT},
    {"longest", 56, 4, FV_UINT},      {"btreeblks", 60, 4, FV_UINT},
    {"uuid", 64, 16, FV_BYTES},       {"rmapblocks", 80, 4, FV_UINT},
    {"refcntblocks", 84, 4, FV_UINT}, {"refcntroot", 88, 4, FV_UINT},
    {"refcntlevel", 92, 4, FV_UINT},  {"lsn", 208, 8, FV_HEXN},
    {"crc", 216, 4, FV_HEXN},
};
#define N_AGF (sizeof agf_fields / sizeof *agf_fields)
#define AGF_CRC 216

static const FmtField agi_fields[] = {
    {"magicnum", 0, 4, FV_HEXN},     {"versionnum", 4, 4, FV_UINT},
    {"seqno", 8, 4, FV_UINT},        {"length", 12, 4, FV_UINT},
    {"count", 16, 4, FV_UINT},       {"root", 20, 4, FV_UINT},
    {"level", 24, 4, FV_UINT},       {"freecount", 28, 4, FV_UINT},
    {"newino", 32, 4, FV_UINT},      {"dirino", 36, 4, FV_UINT},
    {"unlinked", 40, 256, FV_BYTES}, {"uuid", 296, 16, FV_BYTES},
    {"crc", 312, 4, FV_HEXN},        {"lsn", 320, 8, FV_HEXN},
    {"free_root", 328, 4, FV_UINT},  {"free_level", 332, 4, FV_UINT},
    {"ino_blocks", 336, 4, FV_UINT}, {"fino_blocks", 340, 4, FV_UINT},
};
#define N_AGI (sizeof agi_fields / sizeof *agi_fields)
#define AGI_CRC 312

/* The superblock's numbers. */
typedef struct Sb {
    uint64_t bsize, dblocks, agblocks, agcount, sectsize, version;
} Sb;

static bool pow2(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v >= lo && v <= hi && !(v & (v - 1));
}

static bool read_sb(const FmtSrc *src, uint64_t off, Sb *sb)
{
    uint8_t b[128];
    if (off >= src->size || src->size - off < 512 || src->read(src->ctx, off, b, sizeof b) < 0)
        return false;
    if (memcmp(b, "XFSB", 4) != 0)
        return false;
    sb->bsize = fmt_get(b + 4, 4, true);
    sb->dblocks = fmt_get(b + 8, 8, true);
    sb->agblocks = fmt_get(b + 84, 4, true);
    sb->agcount = fmt_get(b + 88, 4, true);
    sb->version = fmt_get(b + 100, 2, true) & 0xf;
    sb->sectsize = fmt_get(b + 102, 2, true);
    return pow2(sb->bsize, 512, 65536) && pow2(sb->sectsize, 512, 32768) && sb->agblocks &&
           sb->agcount;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    Sb sb;
    return read_sb(src, off, &sb);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Sb sb;
    if (!read_sb(src, off, &sb))
        return -EINVAL;
    uint64_t room = src->size - off;
    uint64_t len = sb.dblocks < room / sb.bsize ? sb.dblocks * sb.bsize : room;
    fmt_group(out, &fmt_xfs, K_ROOT, "XFS", off, len, 2);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text,
             "XFS v%" PRIu64 ", %" PRIu64 " blocks of %" PRIu64 ", %" PRIu64 " AGs", sb.version,
             sb.dblocks, sb.bsize, sb.agcount);
    return 0;
}

/* The header of sectsize bytes at at's CRC32C (its crc field at crcoff
 * taken as zero) against the stored one: note "correct" or "bad". */
static void crc_note(const FmtSrc *src, uint64_t at, uint64_t sectsize, uint64_t crcoff,
                     FmtNode *out)
{
    uint8_t b[512];
    uint32_t reg = 0xffffffffu, stored = 0;
    if (at >= src->size || sectsize > src->size - at)
        return;
    for (uint64_t k = 0; k < sectsize; k += sizeof b) {
        if (fmt_read(src, at + k, b, sizeof b) < 0)
            return;
        if (crcoff >= k && crcoff - k < sizeof b) {
            uint8_t *c = b + (crcoff - k);
            stored =
                (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
            memset(c, 0, 4);
        }
        reg = crc32_iscsi(b, (int)sizeof b, reg);
    }
    snprintf(out->note, sizeof out->note, "%s", ~reg == stored ? "correct" : "bad");
}

static void uuid_note(const FmtSrc *src, FmtNode *out)
{
    uint8_t u[16];
    if (fmt_read(src, out->off, u, 16) == 0)
        snprintf(out->note, sizeof out->note,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                 u[15]);
}

/* Header field i of a table, with the uuid and crc notes. */
static void header_field(const FmtSrc *src, const FmtNode *p, const FmtField *f, uint64_t crcoff,
                         FmtNode *out)
{
    fmt_field(out, f, p->off, true);
    if (f->len == 16)
        uuid_note(src, out);
    else if (f->off == crcoff && p->a[1] == 5)
        crc_note(src, p->off, p->a[0], crcoff, out);
}

static void header(const FmtSrc *src, const char *name, uint32_t kind, uint64_t at, const Sb *sb,
                   const char *magic, uint64_t n, FmtNode *out)
{
    char m[4] = {0};
    if (at >= src->size || sb->sectsize > src->size - at) {
        fmt_bad(out, name, at, "header past the end");
        return;
    }
    fmt_read(src, at, m, 4);
    fmt_group(out, &fmt_xfs, kind, name, at, sb->sectsize, n);
    out->a[0] = sb->sectsize;
    out->a[1] = sb->version;
    if (memcmp(m, magic, 4) != 0) {
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "no %.4s magic", magic);
    }
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Sb sb;
    switch (p->kind) {
    case K_ROOT:
        if (!read_sb(src, p->off, &sb)) {
            fmt_bad(out, "superblock", p->off, "unreadable");
            return 0;
        }
        if (i == 0) {
            header(src, "superblock", K_SB, p->off, &sb, "XFSB", N_SB, out);
        } else {
            uint64_t ag = sb.agblocks * sb.bsize; /* < 2^48 */
            uint64_t room = src->size - p->off;
            uint64_t n = room / ag + (room % ag != 0);
            if (n > sb.agcount)
                n = sb.agcount;
            fmt_group(out, &fmt_xfs, K_AGS, "allocation groups", p->off,
                      n * ag < room ? n * ag : room, n);
            out->a[0] = ag;
            out->a[1] = p->off; /* the superblock */
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%" PRIu64 " AGs of %" PRIu64 " blocks%s",
                     sb.agcount, sb.agblocks, n < sb.agcount ? " (not all in the file)" : "");
        }
        return 0;
    case K_AGS: {
        uint64_t ag = p->a[0], at = p->off + i * ag, room = src->size - at;
        char name[FMT_NAME];
        snprintf(name, sizeof name, "AG %" PRIu64, i);
        fmt_group(out, &fmt_xfs, K_AG, name, at, ag < room ? ag : room, 3);
        out->a[1] = p->a[1];
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "allocation group %" PRIu64, i);
        return 0;
    }
    case K_AG:
        if (!read_sb(src, p->a[1], &sb)) {
            fmt_bad(out, "superblock", p->a[1], "unreadable");
            return 0;
        }
        if (i == 0)
            header(src, "superblock", K_SB, p->off, &sb, "XFSB", N_SB, out);
        else if (i == 1)
            header(src, "AGF", K_AGF, p->off + sb.sectsize, &sb, "XAGF", N_AGF, out);
        else
            header(src, "AGI", K_AGI, p->off + 2 * sb.sectsize, &sb, "XAGI", N_AGI, out);
        return 0;
    case K_SB: header_field(src, p, &sb_fields[i], SB_CRC, out); return 0;
    case K_AGF: header_field(src, p, &agf_fields[i], AGF_CRC, out); return 0;
    case K_AGI: header_field(src, p, &agi_fields[i], AGI_CRC, out); return 0;
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
    case K_ROOT: return 1; /* the superblock is also in AG 0: name it there */
    case K_AGS: return p->a[0] ? d / p->a[0] : UINT64_MAX;
    case K_AG: {
        uint64_t ss = 512;
        Sb sb;
        if (read_sb(src, p->a[1], &sb))
            ss = sb.sectsize;
        return d / ss < 3 ? d / ss : UINT64_MAX;
    }
    case K_SB: return fmt_field_at(sb_fields, N_SB, d);
    case K_AGF: return fmt_field_at(agf_fields, N_AGF, d);
    case K_AGI: return fmt_field_at(agi_fields, N_AGI, d);
    default: return UINT64_MAX;
    }
}

const FmtDecoder fmt_xfs = {
    .name = "xfs",
    .title = "XFS file system",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
