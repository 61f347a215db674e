/*
 * fmt-mbr: the DOS master boot record: boot code, four partition entries,
 * the 0x55aa signature; each used entry has as child what its partition
 * holds (fmt_detect_child), and an extended partition the chain of its
 * logical partitions (EBRs), walked one link per child and never more than
 * MBR_LOGICAL_MAX links, so a looping chain ends.
 *
 * The model for a decoder: a table of fields per fixed layout, node kinds
 * for the groups, a root, a child function that switches on the parent's
 * kind, and counts and offsets checked before use.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define SECTOR 512
#define MBR_LOGICAL_MAX 128 /* links of an EBR chain followed at most */

enum { K_ROOT, K_ENTRY, K_LOGICALS, K_PARTS };

static const FmtField entry_fields[] = {
    {"status", 0, 1, FV_HEXN},    {"first CHS", 1, 3, FV_BYTES}, {"type", 4, 1, FV_HEXN},
    {"last CHS", 5, 3, FV_BYTES}, {"first LBA", 8, 4, FV_UINT},  {"sectors", 12, 4, FV_UINT},
};
#define N_ENTRY (sizeof entry_fields / sizeof *entry_fields)
#define N_ENTRY_KIDS (N_ENTRY + 1) /* and what the partition holds */

static const char *type_name(unsigned t)
{
    switch (t) {
    case 0x00: return "empty";
    case 0x01: return "FAT12";
    case 0x04: return "FAT16 <32M";
    case 0x05: return "extended";
    case 0x06: return "FAT16";
    case 0x07: return "NTFS/exFAT/HPFS";
    case 0x0b: return "W95 FAT32";
    case 0x0c: return "W95 FAT32 (LBA)";
    case 0x0e: return "W95 FAT16 (LBA)";
    case 0x0f: return "W95 extended (LBA)";
    case 0x82: return "Linux swap";
    case 0x83: return "Linux";
    case 0x85: return "Linux extended";
    case 0x8e: return "Linux LVM";
    case 0xa5: return "FreeBSD";
    case 0xee: return "GPT protective";
    case 0xef: return "EFI system";
    case 0xfd: return "Linux raid autodetect";
    default: return "unknown";
    }
}

static bool extended(unsigned t)
{
    return t == 0x05 || t == 0x0f || t == 0x85;
}

/* A boot record's signature and four plausible status bytes at off. */
static bool record_ok(const FmtSrc *src, uint64_t off)
{
    uint8_t b[SECTOR];
    if (off >= src->size || src->size - off < SECTOR || src->read(src->ctx, off, b, SECTOR) < 0)
        return false;
    if (b[510] != 0x55 || b[511] != 0xaa)
        return false;
    bool any = false;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = b + 446 + 16 * i;
        if (e[0] != 0 && e[0] != 0x80)
            return false;
        any |= e[4] != 0;
    }
    return any;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    return record_ok(src, off);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (!record_ok(src, off))
        return -EINVAL;
    fmt_group(out, &fmt_mbr, K_ROOT, "MBR", off, src->size - off, 7);
    out->a[0] = off; /* the disk's start: LBAs count from here */
    return 0;
}

/* Entry i of the record at rec; base: the disk's start, rel: what its LBA
 * counts from (the disk for primaries, the extended partition for EBRs). */
static void entry(const FmtSrc *src, uint64_t base, uint64_t rec, uint64_t rel, unsigned i,
                  const char *name, FmtNode *out)
{
    uint64_t eoff = rec + 446 + 16 * i, type = 0;
    fmt_uint(src, eoff + 4, 1, false, &type);
    fmt_group(out, &fmt_mbr, K_ENTRY, name, eoff, 16, N_ENTRY_KIDS);
    out->a[0] = base;
    out->a[1] = rel;
    out->a[2] = rec;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "type 0x%02" PRIx64 " %s", type,
             type_name((unsigned)type));
    if (type == 0)
        out->nkids = N_ENTRY;
}

/* Links in the EBR chain from ext (at most MBR_LOGICAL_MAX). */
static uint64_t chain_len(const FmtSrc *src, uint64_t ext)
{
    uint64_t rec = ext, k = 0;
    while (k < MBR_LOGICAL_MAX && record_ok(src, rec)) {
        uint64_t lba = 0, type = 0;
        k++;
        if (fmt_uint(src, rec + 446 + 16 + 4, 1, false, &type) < 0 || !extended((unsigned)type) ||
            fmt_uint(src, rec + 446 + 16 + 8, 4, false, &lba) < 0 || lba == 0)
            break;
        rec = ext + lba * SECTOR;
    }
    return k ? k : 1; /* none: one child saying so */
}

static int logical(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    /* Walk the chain to link i (i < MBR_LOGICAL_MAX): each EBR's second
     * entry points at the next, relative to the extended partition. */
    uint64_t base = p->a[0], ext = p->a[1], rec = ext;
    for (uint64_t k = 0; k < i; k++) {
        uint64_t lba = 0, type = 0;
        if (fmt_uint(src, rec + 446 + 16 + 4, 1, false, &type) < 0 || !extended((unsigned)type) ||
            fmt_uint(src, rec + 446 + 16 + 8, 4, false, &lba) < 0 || lba == 0) {
            fmt_bad(out, "logical", rec, "the chain of extended boot records ends here");
            return 0;
        }
        rec = ext + lba * SECTOR;
    }
    if (!record_ok(src, rec)) {
        char name[FMT_NAME];
        snprintf(name, sizeof name, "logical %" PRIu64, i + 5);
        fmt_bad(out, name, rec, "no extended boot record here");
        return 0;
    }
    char name[FMT_NAME];
    snprintf(name, sizeof name, "partition %" PRIu64, i + 5);
    entry(src, base, rec, rec, 0, name, out);
    return 0;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t base = p->a[0];
    switch (p->kind) {
    case K_ROOT:
        if (i == 0) {
            static const FmtField boot = {"boot code", 0, 446, FV_BYTES};
            fmt_field(out, &boot, base, false);
        } else if (i <= 4) {
            char name[FMT_NAME];
            snprintf(name, sizeof name, "partition %" PRIu64, i);
            entry(src, base, base, base, (unsigned)(i - 1), name, out);
        } else if (i == 5) {
            static const FmtField sig = {"signature", 510, 2, FV_HEXN};
            fmt_field(out, &sig, base, true);
        } else {
            /* The partitions' contents again, in one group after the
             * record, so the path to an offset inside a partition (the
             * status row) goes through it. */
            fmt_group(out, &fmt_mbr, K_PARTS, "partitions", base + SECTOR,
                      src->size - base > SECTOR ? src->size - base - SECTOR : 0, 4);
            out->a[0] = base;
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "what each entry's sectors hold");
        }
        return 0;
    case K_PARTS: {
        FmtNode e = {0};
        char name[FMT_NAME];
        snprintf(name, sizeof name, "partition %" PRIu64, i + 1);
        entry(src, base, base, base, (unsigned)i, name, &e);
        if (e.nkids <= N_ENTRY) { /* empty */
            memset(out, 0, sizeof *out);
            snprintf(out->name, sizeof out->name, "%s", name);
            out->off = e.off;
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "unused");
            return 0;
        }
        int rc = child(src, &e, N_ENTRY, out);
        if (rc == 0 && !out->bad)
            snprintf(out->name, sizeof out->name, "%s", name);
        return rc;
    }
    case K_ENTRY:
        if (i < N_ENTRY) {
            fmt_field(out, &entry_fields[i], p->off, false);
            if (i == 2) {
                uint64_t t = 0;
                fmt_uint(src, out->off, 1, false, &t);
                snprintf(out->note, sizeof out->note, "%s", type_name((unsigned)t));
            }
            return 0;
        } else {
            uint64_t type = 0, lba = 0, n = 0;
            fmt_uint(src, p->off + 4, 1, false, &type);
            fmt_uint(src, p->off + 8, 4, false, &lba);
            fmt_uint(src, p->off + 12, 4, false, &n);
            uint64_t start = p->a[1] + lba * SECTOR;
            if (type == 0xee) { /* a GPT's protective partition: the GPT is the root */
                memset(out, 0, sizeof *out);
                snprintf(out->name, sizeof out->name, "contents");
                out->off = start < src->size ? start : 0;
                out->val = FV_TEXT;
                snprintf(out->text, sizeof out->text, "the GPT's protective partition");
                return 0;
            }
            if (lba == 0 || start >= src->size) {
                fmt_bad(out, "contents", p->off + 8, "LBA %" PRIu64 " lies past the end", lba);
                return 0;
            }
            if (extended((unsigned)type) && p->a[1] == p->a[0]) {
                /* A primary extended partition: its logical partitions. */
                fmt_group(out, &fmt_mbr, K_LOGICALS, "logical partitions", start,
                          n ? n * SECTOR : SECTOR, chain_len(src, start));
                out->a[0] = base;
                out->a[1] = start;
                if (out->len > src->size - start)
                    out->len = src->size - start;
                return 0;
            }
            fmt_detect_child(src, start, "contents", out);
            if (out->len == 0 && !out->bad)
                out->len = n * SECTOR < src->size - start ? n * SECTOR : src->size - start;
            return 0;
        }
    case K_LOGICALS: return logical(src, p, i, out);
    default: return -EINVAL;
    }
}

const FmtDecoder fmt_mbr = {
    .name = "mbr",
    .title = "DOS partition table",
    .probe = probe,
    .root = root,
    .child = child,
};
