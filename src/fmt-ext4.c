/*
 * fmt-ext4: the ext2/3/4 superblock (1024 bytes at +1024, magic 0xEF53 at
 * its byte 56) and the block group descriptor table as one lazy table.
 *
 * Fields keep the kernel's names (s_inodes_count, bg_inode_table_lo), as
 * ext4 users know them from the docs and debugfs; notes give meanings (the
 * block size, dates, the feature flags by name, the superblock's CRC32C
 * checked under metadata_csum). The table follows the superblock's block
 * (block first_data_block + 1); a descriptor is 32 bytes, or s_desc_size
 * with the 64bit feature; its group count comes from the block count and
 * blocks per group, clamped to what fits in the file, and group i's offset
 * is computed (find() maps an offset back), so a file system of a million
 * groups costs one read per group shown. The meta_bg layout (descriptors
 * spread over the disk) is not followed: its first table is shown and a
 * note says so.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

#define SB_OFF 1024
#define SB_LEN 1024
#define INCOMPAT_META_BG 0x10
#define INCOMPAT_64BIT 0x80
#define RO_COMPAT_METADATA_CSUM 0x400

enum { K_ROOT, K_SB, K_GDT, K_GROUP };

enum {
    NOTE_NONE,
    NOTE_BSIZE,
    NOTE_TIME,
    NOTE_STATE,
    NOTE_COMPAT,
    NOTE_INCOMPAT,
    NOTE_RO,
    NOTE_OS,
    NOTE_UUID,
    NOTE_CSUM,
};

typedef struct SbField {
    FmtField f;
    uint8_t note;
} SbField;

static const SbField sb_fields[] = {
    {{"s_inodes_count", 0, 4, FV_UINT}, 0},
    {{"s_blocks_count_lo", 4, 4, FV_UINT}, 0},
    {{"s_r_blocks_count_lo", 8, 4, FV_UINT}, 0},
    {{"s_free_blocks_count_lo", 12, 4, FV_UINT}, 0},
    {{"s_free_inodes_count", 16, 4, FV_UINT}, 0},
    {{"s_first_data_block", 20, 4, FV_UINT}, 0},
    {{"s_log_block_size", 24, 4, FV_UINT}, NOTE_BSIZE},
    {{"s_log_cluster_size", 28, 4, FV_UINT}, NOTE_BSIZE},
    {{"s_blocks_per_group", 32, 4, FV_UINT}, 0},
    {{"s_clusters_per_group", 36, 4, FV_UINT}, 0},
    {{"s_inodes_per_group", 40, 4, FV_UINT}, 0},
    {{"s_mtime", 44, 4, FV_UINT}, NOTE_TIME},
    {{"s_wtime", 48, 4, FV_UINT}, NOTE_TIME},
    {{"s_mnt_count", 52, 2, FV_UINT}, 0},
    {{"s_max_mnt_count", 54, 2, FV_SINT}, 0},
    {{"s_magic", 56, 2, FV_HEXN}, 0},
    {{"s_state", 58, 2, FV_HEXN}, NOTE_STATE},
    {{"s_errors", 60, 2, FV_UINT}, 0},
    {{"s_minor_rev_level", 62, 2, FV_UINT}, 0},
    {{"s_lastcheck", 64, 4, FV_UINT}, NOTE_TIME},
    {{"s_checkinterval", 68, 4, FV_UINT}, 0},
    {{"s_creator_os", 72, 4, FV_UINT}, NOTE_OS},
    {{"s_rev_level", 76, 4, FV_UINT}, 0},
    {{"s_def_resuid", 80, 2, FV_UINT}, 0},
    {{"s_def_resgid", 82, 2, FV_UINT}, 0},
    {{"s_first_ino", 84, 4, FV_UINT}, 0},
    {{"s_inode_size", 88, 2, FV_UINT}, 0},
    {{"s_block_group_nr", 90, 2, FV_UINT}, 0},
    {{"s_feature_compat", 92, 4, FV_HEXN}, NOTE_COMPAT},
    {{"s_feature_incompat", 96, 4, FV_HEXN}, NOTE_INCOMPAT},
    {{"s_feature_ro_compat", 100, 4, FV_HEXN}, NOTE_RO},
    {{"s_uuid", 104, 16, FV_BYTES}, NOTE_UUID},
    {{"s_volume_name", 120, 16, FV_ASCII}, 0},
    {{"s_last_mounted", 136, 64, FV_ASCII}, 0},
    {{"s_reserved_gdt_blocks", 206, 2, FV_UINT}, 0},
    {{"s_journal_inum", 224, 4, FV_UINT}, 0},
    {{"s_hash_seed", 236, 16, FV_BYTES}, 0},
    {{"s_desc_size", 254, 2, FV_UINT}, 0},
    {{"s_default_mount_opts", 256, 4, FV_HEXN}, 0},
    {{"s_first_meta_bg", 260, 4, FV_UINT}, 0},
    {{"s_mkfs_time", 264, 4, FV_UINT}, NOTE_TIME},
    {{"s_blocks_count_hi", 336, 4, FV_UINT}, 0},
    {{"s_r_blocks_count_hi", 340, 4, FV_UINT}, 0},
    {{"s_free_blocks_count_hi", 344, 4, FV_UINT}, 0},
    {{"s_min_extra_isize", 348, 2, FV_UINT}, 0},
    {{"s_want_extra_isize", 350, 2, FV_UINT}, 0},
    {{"s_flags", 352, 4, FV_HEXN}, 0},
    {{"s_log_groups_per_flex", 372, 1, FV_UINT}, 0},
    {{"s_checksum_type", 373, 1, FV_UINT}, 0},
    {{"s_kbytes_written", 376, 8, FV_UINT}, 0},
    {{"s_checksum", 1020, 4, FV_HEXN}, NOTE_CSUM},
};
#define N_SB (sizeof sb_fields / sizeof *sb_fields)

static const FmtField gd_fields[] = {
    {"bg_block_bitmap_lo", 0, 4, FV_UINT},
    {"bg_inode_bitmap_lo", 4, 4, FV_UINT},
    {"bg_inode_table_lo", 8, 4, FV_UINT},
    {"bg_free_blocks_count_lo", 12, 2, FV_UINT},
    {"bg_free_inodes_count_lo", 14, 2, FV_UINT},
    {"bg_used_dirs_count_lo", 16, 2, FV_UINT},
    {"bg_flags", 18, 2, FV_HEXN},
    {"bg_exclude_bitmap_lo", 20, 4, FV_UINT},
    {"bg_block_bitmap_csum_lo", 24, 2, FV_HEXN},
    {"bg_inode_bitmap_csum_lo", 26, 2, FV_HEXN},
    {"bg_itable_unused_lo", 28, 2, FV_UINT},
    {"bg_checksum", 30, 2, FV_HEXN},
    /* 64bit only: */
    {"bg_block_bitmap_hi", 32, 4, FV_UINT},
    {"bg_inode_bitmap_hi", 36, 4, FV_UINT},
    {"bg_inode_table_hi", 40, 4, FV_UINT},
    {"bg_free_blocks_count_hi", 44, 2, FV_UINT},
    {"bg_free_inodes_count_hi", 46, 2, FV_UINT},
    {"bg_used_dirs_count_hi", 48, 2, FV_UINT},
    {"bg_itable_unused_hi", 50, 2, FV_UINT},
    {"bg_exclude_bitmap_hi", 52, 4, FV_UINT},
    {"bg_block_bitmap_csum_hi", 56, 2, FV_HEXN},
    {"bg_inode_bitmap_csum_hi", 58, 2, FV_HEXN},
};
#define N_GD32 12
#define N_GD64 (sizeof gd_fields / sizeof *gd_fields)

static const char *const compat_names[32] = {
    "dir_prealloc", "imagic_inodes", "has_journal",   "ext_attr",       "resize_inode",
    "dir_index",    "lazy_bg",       "exclude_inode", "exclude_bitmap", "sparse_super2",
    "fast_commit",  "stable_inodes", "orphan_file",
};
static const char *const incompat_names[32] = {
    "compression",
    "filetype",
    "needs_recovery",
    "journal_dev",
    "meta_bg",
    NULL,
    "extent",
    "64bit",
    "mmp",
    "flex_bg",
    "ea_inode",
    NULL,
    "dirdata",
    "metadata_csum_seed",
    "large_dir",
    "inline_data",
    "encrypt",
    "casefold",
};
static const char *const ro_names[32] = {
    "sparse_super", "large_file",   "btree_dir",     "huge_file", "gdt_csum",       "dir_nlink",
    "extra_isize",  "has_snapshot", "quota",         "bigalloc",  "metadata_csum",  "replica",
    "read-only",    "project",      "shared_blocks", "verity",    "orphan_present",
};

/* The superblock's numbers a decoder needs. */
typedef struct Sb {
    uint64_t blocks, first, log, per_group, incompat, desc;
} Sb;

static bool read_sb(const FmtSrc *src, uint64_t off, Sb *sb)
{
    uint8_t b[SB_LEN];
    if (off > src->size || src->size - off < SB_OFF + 264 ||
        fmt_read(src, off + SB_OFF, b, sizeof b) < 0)
        return false;
#define LE32(p)                                                                                    \
    ((uint64_t)(p)[0] | (uint64_t)(p)[1] << 8 | (uint64_t)(p)[2] << 16 | (uint64_t)(p)[3] << 24)
    if (b[56] != 0x53 || b[57] != 0xef)
        return false;
    sb->incompat = LE32(b + 96);
    sb->blocks = LE32(b + 4);
    if (sb->incompat & INCOMPAT_64BIT)
        sb->blocks |= LE32(b + 336) << 32;
    sb->first = LE32(b + 20);
    sb->log = LE32(b + 24);
    sb->per_group = LE32(b + 32);
    sb->desc = sb->incompat & INCOMPAT_64BIT ? (uint64_t)(b[254] | b[255] << 8) : 32;
    uint64_t rev = LE32(b + 76), ipg = LE32(b + 40), cpg = LE32(b + 36);
#undef LE32
    /* Beyond the magic: a block size up to 64 KiB, a revision mke2fs
     * writes, and groups whose bitmaps fit one block (clusters per group:
     * with bigalloc a group holds more blocks than bits). */
    return sb->log <= 6 && rev <= 1 && sb->per_group != 0 && ipg != 0 &&
           cpg <= (uint64_t)8192 << sb->log && ipg <= (uint64_t)8192 << sb->log;
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
    uint64_t bs = (uint64_t)1024 << sb.log;
    uint64_t room = src->size - off;
    uint64_t len = sb.blocks < room / bs ? sb.blocks * bs : room;
    fmt_group(out, &fmt_ext4, K_ROOT, "ext4", off, len, 2);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "ext2/3/4 file system, %" PRIu64 " blocks of %" PRIu64,
             sb.blocks, bs);
    return 0;
}

static void flags_note(uint64_t v, const char *const names[32], char *out, size_t n)
{
    size_t k = 0;
    out[0] = 0;
    for (unsigned i = 0; i < 32 && k + 2 < n; i++)
        if (v >> i & 1) {
            int w = names[i] ? snprintf(out + k, n - k, "%s%s", k ? " " : "", names[i])
                             : snprintf(out + k, n - k, "%sbit%u", k ? " " : "", i);
            if (w < 0 || (size_t)w >= n - k)
                break;
            k += (size_t)w;
        }
}

/* The superblock's checksum (metadata_csum: CRC32C of its first 1020
 * bytes, the raw register from all ones) against the stored one. */
static void csum_note(const FmtSrc *src, uint64_t sb, FmtNode *out)
{
    uint8_t b[SB_LEN];
    uint64_t ro = 0, stored = 0;
    if (fmt_uint(src, sb + 100, 4, false, &ro) < 0 ||
        fmt_uint(src, sb + 1020, 4, false, &stored) < 0)
        return;
    if (!(ro & RO_COMPAT_METADATA_CSUM)) {
        snprintf(out->note, sizeof out->note, "unused (no metadata_csum)");
        return;
    }
    if (fmt_read(src, sb, b, sizeof b) < 0)
        return;
    uint32_t c = crc32_iscsi(b, 1020, 0xffffffffu);
    if (c == stored)
        snprintf(out->note, sizeof out->note, "CRC ok");
    else
        snprintf(out->note, sizeof out->note, "CRC mismatch (0x%08x)", c);
}

/* The note of field sf of the superblock at sb. */
static void sb_note(const FmtSrc *src, const SbField *sf, uint64_t sb, FmtNode *out)
{
    uint64_t v = 0, at = sb + sf->f.off;
    if (sf->note == NOTE_UUID) {
        uint8_t u[16];
        if (fmt_read(src, at, u, 16) == 0)
            snprintf(out->note, sizeof out->note,
                     "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                     u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
                     u[13], u[14], u[15]);
        return;
    }
    if (sf->note == NOTE_CSUM) {
        csum_note(src, sb, out);
        return;
    }
    if (sf->note == NOTE_NONE || sf->f.len > 8 || fmt_uint(src, at, sf->f.len, false, &v) < 0)
        return;
    switch (sf->note) {
    case NOTE_BSIZE:
        if (v <= 20)
            snprintf(out->note, sizeof out->note, "%" PRIu64 " bytes", (uint64_t)1024 << v);
        break;
    case NOTE_TIME:
        if (v == 0) {
            snprintf(out->note, sizeof out->note, "never");
        } else {
            time_t t = (time_t)v;
            struct tm tm;
            if (gmtime_r(&t, &tm))
                strftime(out->note, sizeof out->note, "%Y-%m-%d %H:%M:%S UTC", &tm);
        }
        break;
    case NOTE_STATE:
        snprintf(out->note, sizeof out->note, "%s%s%s", v & 1 ? "clean" : "not clean",
                 v & 2 ? ", errors" : "", v & 4 ? ", orphans being recovered" : "");
        break;
    case NOTE_COMPAT: flags_note(v, compat_names, out->note, sizeof out->note); break;
    case NOTE_INCOMPAT: flags_note(v, incompat_names, out->note, sizeof out->note); break;
    case NOTE_RO: flags_note(v, ro_names, out->note, sizeof out->note); break;
    case NOTE_OS: {
        static const char *const os[] = {"Linux", "Hurd", "Masix", "FreeBSD", "Lites"};
        if (v < 5)
            snprintf(out->note, sizeof out->note, "%s", os[v]);
        break;
    }
    default: break;
    }
}

static void gdt(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Sb sb;
    if (!read_sb(src, off, &sb)) {
        fmt_bad(out, "group descriptors", off + SB_OFF, "superblock unreadable");
        return;
    }
    uint64_t bs = (uint64_t)1024 << sb.log;
    if (sb.desc < 32 || sb.desc > 1024 || (sb.desc & (sb.desc - 1))) {
        fmt_bad(out, "group descriptors", off + SB_OFF + 254, "descriptor size %" PRIu64, sb.desc);
        return;
    }
    if (sb.first > sb.blocks || sb.first + 1 > (src->size - off) / bs) {
        fmt_bad(out, "group descriptors", off + SB_OFF + 20,
                "first data block %" PRIu64 " leaves no room for the table", sb.first);
        return;
    }
    uint64_t groups =
        (sb.blocks - sb.first) / sb.per_group + ((sb.blocks - sb.first) % sb.per_group != 0);
    uint64_t at = off + (sb.first + 1) * bs;
    uint64_t n = fmt_clamp(src, at, groups, sb.desc);
    fmt_group(out, &fmt_ext4, K_GDT, "group descriptors", at, n * sb.desc, n);
    out->a[0] = off;
    out->a[1] = sb.desc;
    out->val = FV_TEXT;
    int k = snprintf(out->text, sizeof out->text, "%" PRIu64 " groups", groups);
    if (n < groups && k > 0)
        snprintf(out->text + k, sizeof out->text - (size_t)k, " (%" PRIu64 " fit in the file)", n);
    if (sb.incompat & INCOMPAT_META_BG)
        snprintf(out->note, sizeof out->note, "meta_bg: only the first descriptor block is here");
}

static void group(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t dsz = p->a[1], at = p->off + i * dsz;
    char name[FMT_NAME];
    snprintf(name, sizeof name, "group %" PRIu64, i);
    uint8_t b[64];
    if (fmt_read(src, at, b, sizeof b) < 0) {
        fmt_bad(out, name, at, "unreadable");
        return;
    }
    bool big = dsz >= 64;
    fmt_group(out, &fmt_ext4, K_GROUP, name, at, dsz, big ? N_GD64 : N_GD32);
#define LE(p, n)                                                                                   \
    (n == 2 ? (uint64_t)((p)[0] | (p)[1] << 8)                                                     \
            : (uint64_t)(p)[0] | (uint64_t)(p)[1] << 8 | (uint64_t)(p)[2] << 16 |                  \
                  (uint64_t)(p)[3] << 24)
    uint64_t bb = LE(b, 4), ib = LE(b + 4, 4), it = LE(b + 8, 4);
    uint64_t fb = LE(b + 12, 2), fi = LE(b + 14, 2);
    if (big) {
        bb |= LE(b + 32, 4) << 32;
        ib |= LE(b + 36, 4) << 32;
        it |= LE(b + 40, 4) << 32;
        fb |= LE(b + 44, 2) << 16;
        fi |= LE(b + 46, 2) << 16;
    }
#undef LE
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text,
             "block bitmap %" PRIu64 ", inode bitmap %" PRIu64 ", inode table %" PRIu64
             ", free %" PRIu64 " blocks %" PRIu64 " inodes",
             bb, ib, it, fb, fi);
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    switch (p->kind) {
    case K_ROOT:
        if (i == 0) {
            fmt_group(out, &fmt_ext4, K_SB, "superblock", p->off + SB_OFF, SB_LEN, N_SB);
            out->a[0] = p->off;
        } else {
            gdt(src, p->off, out);
        }
        return 0;
    case K_SB:
        fmt_field(out, &sb_fields[i].f, p->off, false);
        sb_note(src, &sb_fields[i], p->off, out);
        return 0;
    case K_GDT: group(src, p, i, out); return 0;
    case K_GROUP: fmt_field(out, &gd_fields[i], p->off, false); return 0;
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
    case K_ROOT: return d >= SB_OFF && d < SB_OFF + SB_LEN ? 0 : 1;
    case K_SB:
        for (size_t i = 0; i < N_SB; i++)
            if (d >= sb_fields[i].f.off && d < sb_fields[i].f.off + sb_fields[i].f.len)
                return i;
        return UINT64_MAX;
    case K_GDT: return p->a[1] ? d / p->a[1] : UINT64_MAX;
    case K_GROUP:
        for (size_t i = 0; i < p->nkids; i++)
            if (d >= gd_fields[i].off && d < gd_fields[i].off + gd_fields[i].len)
                return i;
        return UINT64_MAX;
    default: return UINT64_MAX;
    }
}

const FmtDecoder fmt_ext4 = {
    .name = "ext4",
    .title = "ext2/3/4 superblock",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
