/*
 * fmt-gpt: the GUID partition table: the protective MBR (fmt_mbr's tree),
 * the header at LBA 1 (sector size 512 or 4096, whichever holds "EFI PART"),
 * its CRC32 checked, the backup header at the alternate LBA, and the entry
 * array as one lazy table: entry i's offset is computed, never walked to,
 * and find() maps an offset to its entry, so a table of any size costs O(1)
 * reads per entry shown.
 *
 * Every entry is listed, numbered from 1 as sgdisk and sfdisk number them;
 * an unused one (type GUID all zero) is a short leaf "GPT entry N: unused",
 * so the table's offsets stay what they are on disk. A used entry has its
 * fields and a child "contents": the format found at its first LBA
 * (fmt_detect_child), so the tree goes on into the partition's file system.
 *
 * Nothing read is trusted: the entry count is clamped to what fits in the
 * file, an entry size under 128 or not a multiple of 8 makes the table a
 * malformed node, and LBAs past the end give malformed contents.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "fmt.h"

#define GPT_HDR_MIN 92              /* the header's defined bytes */
#define GPT_CRC_MAX (1u << 20)      /* entry array bytes checked at most */
#define GPT_ENTRY_MAX (64u * 1024u) /* an entry size larger is malformed */

enum { K_ROOT, K_HDR, K_TABLE, K_ENTRY, K_PARTS };
#define GPT_PARTS_SCAN 4096 /* entries find() looks through for the partition holding an offset */

static const FmtField hdr_fields[] = {
    {"signature", 0, 8, FV_ASCII},
    {"revision", 8, 4, FV_HEXN},
    {"header size", 12, 4, FV_UINT},
    {"header CRC32", 16, 4, FV_HEXN},
    {"reserved", 20, 4, FV_HEXN},
    {"my LBA", 24, 8, FV_UINT},
    {"alternate LBA", 32, 8, FV_UINT},
    {"first usable LBA", 40, 8, FV_UINT},
    {"last usable LBA", 48, 8, FV_UINT},
    {"disk GUID", 56, 16, FV_GUID},
    {"partition entries LBA", 72, 8, FV_UINT},
    {"number of entries", 80, 4, FV_UINT},
    {"entry size", 84, 4, FV_UINT},
    {"entries CRC32", 88, 4, FV_HEXN},
};
#define N_HDR (sizeof hdr_fields / sizeof *hdr_fields)

static const FmtField entry_fields[] = {
    {"type GUID", 0, 16, FV_GUID}, {"unique GUID", 16, 16, FV_GUID}, {"first LBA", 32, 8, FV_UINT},
    {"last LBA", 40, 8, FV_UINT},  {"attributes", 48, 8, FV_HEXN},   {"name", 56, 72, FV_UTF16},
};
#define N_ENTRY (sizeof entry_fields / sizeof *entry_fields)

static const struct {
    const char *guid, *name;
} types[] = {
    {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "EFI System"},
    {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", "Linux filesystem"},
    {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "Linux swap"},
    {"E6D6D379-F507-44C2-A23C-238F2A3DF928", "Linux LVM"},
    {"A19D880F-05FC-4D3B-A006-743F0F84911E", "Linux RAID"},
    {"933AC7E1-2EB4-4F13-B844-0E14E2AEF915", "Linux /home"},
    {"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "Linux root (x86-64)"},
    {"B921B045-1DF0-41C3-AF44-4C6F280D3FAE", "Linux root (ARM64)"},
    {"BC13C2FF-59E6-4262-A352-B275FD6F7172", "Linux extended boot"},
    {"CA7D7CCB-63ED-4C53-861C-1742536059CC", "Linux LUKS"},
    {"8DA63339-0007-60C0-C436-083AC8230908", "Linux reserved"},
    {"21686148-6449-6E6F-744E-656564454649", "BIOS boot"},
    {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "Microsoft basic data"},
    {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", "Microsoft reserved"},
    {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", "Windows recovery"},
    {"48465300-0000-11AA-AA11-00306543ECAC", "Apple HFS+"},
    {"7C3457EF-0000-11AA-AA11-00306543ECAC", "Apple APFS"},
    {"516E7CB6-6ECF-11D6-8FF8-00022D09712B", "FreeBSD data"},
    {"6A898CC3-1DD2-11B2-99A6-080020736631", "ZFS"},
};

static const char *type_name(const char *guid)
{
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i].guid, guid) == 0)
            return types[i].name;
    return "unknown type";
}

/* The sector size whose LBA 1 holds "EFI PART" at off, or 0. */
static uint64_t sector_size(const FmtSrc *src, uint64_t off)
{
    static const uint64_t sizes[] = {512, 4096};
    for (size_t i = 0; i < 2; i++) {
        char sig[8];
        uint64_t h = off + sizes[i];
        if (h < off || h >= src->size || src->size - h < GPT_HDR_MIN)
            continue;
        if (src->read(src->ctx, h, sig, 8) == 0 && memcmp(sig, "EFI PART", 8) == 0)
            return sizes[i];
    }
    return 0;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    return sector_size(src, off) != 0;
}

/* The header at h's CRC32 as stored and as computed (false: unreadable). */
static bool header_crc(const FmtSrc *src, uint64_t h, uint64_t ss, uint32_t *stored,
                       uint32_t *computed)
{
    uint8_t b[4096];
    uint64_t hsize = 0, st = 0;
    if (fmt_uint(src, h + 12, 4, false, &hsize) < 0 || fmt_uint(src, h + 16, 4, false, &st) < 0)
        return false;
    if (hsize < GPT_HDR_MIN || hsize > ss || hsize > sizeof b || fmt_read(src, h, b, hsize) < 0)
        return false;
    memset(b + 16, 0, 4);
    *stored = (uint32_t)st;
    *computed = (uint32_t)crc32(0, b, (uInt)hsize);
    return true;
}

/* The entry array's CRC32 (bounded: at most GPT_CRC_MAX bytes). */
static bool entries_crc(const FmtSrc *src, uint64_t at, uint64_t bytes, uint32_t *computed)
{
    if (bytes > GPT_CRC_MAX || at >= src->size || bytes > src->size - at)
        return false;
    uLong c = crc32(0, NULL, 0);
    uint8_t b[4096];
    for (uint64_t k = 0; k < bytes; k += sizeof b) {
        size_t n = bytes - k < sizeof b ? (size_t)(bytes - k) : sizeof b;
        if (fmt_read(src, at + k, b, n) < 0)
            return false;
        c = crc32(c, b, (uInt)n);
    }
    *computed = (uint32_t)c;
    return true;
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    uint64_t ss = sector_size(src, off);
    if (!ss)
        return -EINVAL;
    fmt_group(out, &fmt_gpt, K_ROOT, "GPT", off, src->size - off, 5);
    out->a[0] = off;
    out->a[1] = ss;
    uint64_t n = 0;
    fmt_uint(src, off + ss + 80, 4, false, &n);
    snprintf(out->text, sizeof out->text,
             "GUID partition table, %" PRIu64 "-byte sectors, %" PRIu64 " entries", ss, n);
    out->val = FV_TEXT;
    return 0;
}

/* The header at h (LBA lba of the disk at base). */
static void header(const FmtSrc *src, const char *name, uint64_t base, uint64_t ss, uint64_t h,
                   FmtNode *out)
{
    fmt_group(out, &fmt_gpt, K_HDR, name, h, ss, N_HDR);
    out->a[0] = base;
    out->a[1] = ss;
    char sig[8] = {0};
    fmt_read(src, h, sig, 8);
    if (memcmp(sig, "EFI PART", 8) != 0) {
        fmt_bad(out, name, h, "no \"EFI PART\" signature");
        return;
    }
    uint32_t st, c;
    out->val = FV_TEXT;
    if (header_crc(src, h, ss, &st, &c))
        snprintf(out->text, sizeof out->text, "%s", st == c ? "CRC ok" : "CRC mismatch");
    else
        snprintf(out->text, sizeof out->text, "header size out of range");
}

/* The entry table described by the header at h. */
static void table(const FmtSrc *src, uint64_t base, uint64_t ss, uint64_t h, FmtNode *out)
{
    uint64_t lba = 0, n = 0, esz = 0;
    fmt_uint(src, h + 72, 8, false, &lba);
    fmt_uint(src, h + 80, 4, false, &n);
    fmt_uint(src, h + 84, 4, false, &esz);
    if (esz < 128 || esz % 8 || esz > GPT_ENTRY_MAX) {
        fmt_bad(out, "partition entries", h + 84,
                "entry size %" PRIu64 " (128 or more, a multiple of 8)", esz);
        return;
    }
    if (lba > (src->size - base) / ss) {
        fmt_bad(out, "partition entries", h + 72, "entries LBA %" PRIu64 " lies past the end", lba);
        return;
    }
    uint64_t at = base + lba * ss;
    uint64_t k = fmt_clamp(src, at, n, esz);
    fmt_group(out, &fmt_gpt, K_TABLE, "partition entries", at, k * esz, k);
    out->a[0] = base;
    out->a[1] = ss;
    out->a[2] = esz;
    out->val = FV_TEXT;
    if (k < n)
        snprintf(out->text, sizeof out->text, "%" PRIu64 " of %" PRIu64 " entries fit in the file",
                 k, n);
    else
        snprintf(out->text, sizeof out->text, "%" PRIu64 " entries of %" PRIu64 " bytes", n, esz);
}

static void entry(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t esz = p->a[2], at = p->off + i * esz;
    uint8_t b[48];
    char name[FMT_NAME];
    snprintf(name, sizeof name, "GPT entry %" PRIu64, i + 1);
    if (fmt_read(src, at, b, sizeof b) < 0) {
        fmt_bad(out, name, at, "unreadable");
        return;
    }
    fmt_group(out, &fmt_gpt, K_ENTRY, name, at, esz, N_ENTRY + 1);
    out->a[0] = p->a[0];
    out->a[1] = p->a[1];
    out->val = FV_TEXT;
    static const uint8_t zero[16];
    if (memcmp(b, zero, 16) == 0) {
        out->nkids = 0;
        snprintf(out->text, sizeof out->text, "unused");
        return;
    }
    char guid[40];
    fmt_guid_text(b, guid, sizeof guid);
    uint64_t first = 0, last = 0;
    for (int k = 7; k >= 0; k--) {
        first = first << 8 | b[32 + k];
        last = last << 8 | b[40 + k];
    }
    snprintf(out->text, sizeof out->text, "%s, LBA %" PRIu64 "-%" PRIu64, type_name(guid), first,
             last);
}

static void contents(const FmtSrc *src, const FmtNode *p, FmtNode *out)
{
    uint64_t base = p->a[0], ss = p->a[1], first = 0, last = 0;
    fmt_uint(src, p->off + 32, 8, false, &first);
    fmt_uint(src, p->off + 40, 8, false, &last);
    if (first > (src->size - base) / ss || base + first * ss >= src->size) {
        fmt_bad(out, "contents", p->off + 32, "first LBA %" PRIu64 " lies past the end", first);
        return;
    }
    if (last < first) {
        fmt_bad(out, "contents", p->off + 40, "last LBA %" PRIu64 " before first LBA %" PRIu64,
                last, first);
        return;
    }
    uint64_t start = base + first * ss, room = src->size - start;
    uint64_t len = last - first < room / ss ? (last - first + 1) * ss : room;
    fmt_detect_child(src, start, "contents", out);
    if (out->len == 0 && !out->bad)
        out->len = len < room ? len : room;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t base = p->a[0], ss = p->a[1];
    switch (p->kind) {
    case K_ROOT:
        if (i == 0) {
            if (fmt_root(src, &fmt_mbr, base, out) == 0) {
                fmt_name(out, "protective MBR");
            } else {
                static const FmtField mbr = {"protective MBR", 0, 512, FV_BYTES};
                memset(out, 0, sizeof *out);
                fmt_field(out, &mbr, base, false);
                snprintf(out->note, sizeof out->note, "no valid MBR");
            }
            out->len = 512;
        } else if (i == 1) {
            header(src, "GPT header", base, ss, base + ss, out);
        } else if (i == 2) {
            table(src, base, ss, base + ss, out);
        } else if (i == 3) {
            /* The partitions' contents again, in one group over the
             * usable LBAs, so the path to an offset inside a partition
             * (the status row) goes through it. */
            FmtNode t = {0};
            table(src, base, ss, base + ss, &t);
            uint64_t lo = 0, hi = 0;
            fmt_uint(src, base + ss + 40, 8, false, &lo);
            fmt_uint(src, base + ss + 48, 8, false, &hi);
            if (t.bad || lo > (src->size - base) / ss) {
                fmt_bad(out, "partitions", base + ss + 40, "no partition table to follow");
                return 0;
            }
            uint64_t start = base + lo * ss, room = src->size - start;
            uint64_t len = hi >= lo && hi - lo < room / ss ? (hi - lo + 1) * ss : room;
            fmt_group(out, &fmt_gpt, K_PARTS, "partitions", start, len, t.nkids);
            out->a[0] = base;
            out->a[1] = ss;
            out->a[2] = t.a[2];
            out->a[3] = t.off;
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "what each entry's LBAs hold");
        } else {
            uint64_t alt = 0;
            fmt_uint(src, base + ss + 32, 8, false, &alt);
            if (alt == 0 || alt > (src->size - base) / ss || src->size - base - alt * ss < ss)
                fmt_bad(out, "backup GPT header", base + ss + 32,
                        "alternate LBA %" PRIu64 " lies past the end", alt);
            else
                header(src, "backup GPT header", base, ss, base + alt * ss, out);
        }
        return 0;
    case K_HDR:
        fmt_field(out, &hdr_fields[i], p->off, false);
        if (i == 3) {
            uint32_t st, c;
            if (header_crc(src, p->off, ss, &st, &c))
                snprintf(out->note, sizeof out->note, st == c ? "CRC ok" : "CRC mismatch (0x%08x)",
                         c);
        } else if (i == 13) {
            uint64_t lba = 0, n = 0, esz = 0, st = 0;
            uint32_t c;
            fmt_uint(src, p->off + 72, 8, false, &lba);
            fmt_uint(src, p->off + 80, 4, false, &n);
            fmt_uint(src, p->off + 84, 4, false, &esz);
            fmt_uint(src, p->off + 88, 4, false, &st);
            if (lba <= (src->size - base) / ss && n * esz / (esz ? esz : 1) == n &&
                entries_crc(src, base + lba * ss, n * esz, &c))
                snprintf(out->note, sizeof out->note, st == c ? "CRC ok" : "CRC mismatch (0x%08x)",
                         c);
            else
                snprintf(out->note, sizeof out->note, "not checked");
        }
        return 0;
    case K_TABLE: entry(src, p, i, out); return 0;
    case K_PARTS: {
        FmtNode t = *p, e = {0};
        t.off = p->a[3];
        entry(src, &t, i, &e);
        char name[FMT_NAME];
        snprintf(name, sizeof name, "GPT partition %" PRIu64, i + 1);
        if (e.bad || !e.nkids) {
            memset(out, 0, sizeof *out);
            snprintf(out->name, sizeof out->name, "%s", name);
            out->off = e.off;
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%s", e.bad ? e.text : "unused");
            return 0;
        }
        contents(src, &e, out);
        if (!out->bad)
            snprintf(out->name, sizeof out->name, "%s", name);
        return 0;
    }
    case K_ENTRY:
        if (i < N_ENTRY) {
            fmt_field(out, &entry_fields[i], p->off, false);
            if (i == 0) {
                uint8_t g[16];
                char t[40];
                if (fmt_read(src, p->off, g, 16) == 0) {
                    fmt_guid_text(g, t, sizeof t);
                    snprintf(out->note, sizeof out->note, "%s", type_name(t));
                }
            }
        } else {
            contents(src, p, out);
        }
        return 0;
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    (void)src;
    if (off < p->off)
        return UINT64_MAX;
    switch (p->kind) {
    case K_TABLE: return p->a[2] ? (off - p->off) / p->a[2] : UINT64_MAX;
    case K_PARTS: {
        /* Each entry's LBAs (16 bytes a read), the first holding off. */
        uint64_t base = p->a[0], ss = p->a[1],
                 n = p->nkids < GPT_PARTS_SCAN ? p->nkids : GPT_PARTS_SCAN;
        for (uint64_t i = 0; i < n; i++) {
            uint8_t b[16];
            if (fmt_read(src, p->a[3] + i * p->a[2] + 32, b, 16) < 0)
                return UINT64_MAX;
            uint64_t first = 0, last = 0;
            for (int k = 7; k >= 0; k--) {
                first = first << 8 | b[k];
                last = last << 8 | b[8 + k];
            }
            if (first && last >= first && first <= (UINT64_MAX - base) / ss &&
                off >= base + first * ss && (off - base) / ss <= last)
                return i;
        }
        return UINT64_MAX;
    }
    case K_HDR: return fmt_field_at(hdr_fields, N_HDR, off - p->off);
    case K_ENTRY: return fmt_field_at(entry_fields, N_ENTRY, off - p->off);
    default: {
        /* The root: the children are few, try each. */
        for (uint64_t i = 0; i < p->nkids; i++) {
            FmtNode k;
            if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
                return i;
        }
        return UINT64_MAX;
    }
    }
}

const FmtDecoder fmt_gpt = {
    .name = "gpt",
    .title = "GUID partition table",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
