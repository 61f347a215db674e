/*
 * fmt-ntfs: the NTFS boot sector ("NTFS    " at +3: the BIOS parameter
 * block: sector and cluster sizes, total sectors, where the MFT and its
 * mirror start, the MFT record and index record sizes, the volume serial)
 * and the MFT's first records as a lazy table, each "MFT record N" (the
 * system files named: $MFT, $MFTMirr, ...) with its header's fields, the
 * "FILE" magic checked, and its attributes as a run walked from the
 * record's first attribute (bounded by the record's size and
 * NTFS_ATTR_MAX); a resident value is its bytes, a volume name its text,
 * a $FILE_NAME its fields and name.
 *
 * The table covers the MFT's first extent only: its length comes from the
 * first run of $MFT's own $DATA attribute (record 0), capped by the data
 * size and the file; a fragmented MFT's later extents are not followed.
 * Values are shown as they lie on disk: the update sequence fixups, which
 * replace the last two bytes of each sector of a record, are not undone,
 * so a field across a sector's end shows its on-disk bytes.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

#define NTFS_ATTR_MAX 64    /* attributes listed per record at most */
#define NTFS_SYS_RECORDS 16 /* records shown when $MFT's extent is unknown */

enum { K_ROOT, K_BOOT, K_MFT, K_REC, K_ATTRS, K_ATTR, K_FNAME };

static const FmtField boot_fields[] = {
    {"jump", 0, 3, FV_BYTES},
    {"OEM id", 3, 8, FV_ASCII},
    {"bytes per sector", 11, 2, FV_UINT},
    {"sectors per cluster", 13, 1, FV_UINT},
    {"reserved sectors", 14, 2, FV_UINT},
    {"media", 21, 1, FV_HEXN},
    {"sectors per track", 24, 2, FV_UINT},
    {"heads", 26, 2, FV_UINT},
    {"hidden sectors", 28, 4, FV_UINT},
    {"total sectors", 40, 8, FV_UINT},
    {"MFT LCN", 48, 8, FV_UINT},
    {"MFT mirror LCN", 56, 8, FV_UINT},
    {"clusters per MFT record", 64, 1, FV_SINT},
    {"clusters per index record", 68, 1, FV_SINT},
    {"volume serial", 72, 8, FV_HEXN},
    {"checksum", 80, 4, FV_HEXN},
    {"signature", 510, 2, FV_HEXN},
};
#define N_BOOT (sizeof boot_fields / sizeof *boot_fields)

static const FmtField rec_fields[] = {
    {"magic", 0, 4, FV_ASCII},
    {"update sequence offset", 4, 2, FV_UINT},
    {"update sequence count", 6, 2, FV_UINT},
    {"$LogFile sequence number", 8, 8, FV_UINT},
    {"sequence number", 16, 2, FV_UINT},
    {"hard link count", 18, 2, FV_UINT},
    {"attributes offset", 20, 2, FV_UINT},
    {"flags", 22, 2, FV_HEXN},
    {"bytes in use", 24, 4, FV_UINT},
    {"bytes allocated", 28, 4, FV_UINT},
    {"base record", 32, 8, FV_HEXN},
    {"next attribute id", 40, 2, FV_UINT},
    {"record number", 44, 4, FV_UINT},
};
#define N_REC (sizeof rec_fields / sizeof *rec_fields)
#define N_REC_KIDS (N_REC + 1) /* and the attributes */

static const FmtField attr_common[] = {
    {"type", 0, 4, FV_HEXN},          {"length", 4, 4, FV_UINT},
    {"non-resident", 8, 1, FV_UINT},  {"name length", 9, 1, FV_UINT},
    {"name offset", 10, 2, FV_UINT},  {"flags", 12, 2, FV_HEXN},
    {"attribute id", 14, 2, FV_UINT},
};
static const FmtField attr_resident[] = {
    {"value length", 16, 4, FV_UINT},
    {"value offset", 20, 2, FV_UINT},
};
static const FmtField attr_nonresident[] = {
    {"starting VCN", 16, 8, FV_UINT}, {"last VCN", 24, 8, FV_UINT},
    {"runs offset", 32, 2, FV_UINT},  {"allocated size", 40, 8, FV_UINT},
    {"data size", 48, 8, FV_UINT},    {"initialized size", 56, 8, FV_UINT},
};
#define N_COMMON 7

static const FmtField fname_fields[] = {
    {"parent directory", 0, 8, FV_HEXN}, {"creation time", 8, 8, FV_UINT},
    {"altered time", 16, 8, FV_UINT},    {"MFT changed time", 24, 8, FV_UINT},
    {"accessed time", 32, 8, FV_UINT},   {"allocated size", 40, 8, FV_UINT},
    {"data size", 48, 8, FV_UINT},       {"flags", 56, 4, FV_HEXN},
    {"reparse value", 60, 4, FV_HEXN},   {"name length", 64, 1, FV_UINT},
    {"namespace", 65, 1, FV_UINT},       {"name", 66, 0, FV_UTF16},
};
#define N_FNAME (sizeof fname_fields / sizeof *fname_fields)

/* The boot sector's geometry. */
typedef struct Boot {
    uint64_t bps, cluster, total, mft, mirr, recsize, idxsize;
} Boot;

/* Bytes of a record whose size byte is c (clusters, or 2^-c bytes). */
static uint64_t rec_bytes(uint8_t c, uint64_t cluster)
{
    int8_t s = (int8_t)c;
    if (s < 0)
        return -s <= 31 ? (uint64_t)1 << -s : 0;
    return (uint64_t)s * cluster;
}

static bool read_boot(const FmtSrc *src, uint64_t off, Boot *bt)
{
    uint8_t b[512];
    if (off >= src->size || src->size - off < 512 || src->read(src->ctx, off, b, 512) < 0)
        return false;
    if (memcmp(b + 3, "NTFS    ", 8) != 0 || b[510] != 0x55 || b[511] != 0xaa)
        return false;
    bt->bps = fmt_get(b + 11, 2, false);
    if (bt->bps < 256 || bt->bps > 4096 || (bt->bps & (bt->bps - 1)))
        return false;
    unsigned spc = b[13];
    uint64_t spcv = spc <= 0x80 ? spc : spc >= 0xe0 ? (uint64_t)1 << (256 - spc) : 0;
    if (spcv == 0 || (spcv & (spcv - 1)))
        return false;
    bt->cluster = bt->bps * spcv;
    bt->total = fmt_get(b + 40, 8, false);
    bt->mft = fmt_get(b + 48, 8, false);
    bt->mirr = fmt_get(b + 56, 8, false);
    bt->recsize = rec_bytes(b[64], bt->cluster);
    bt->idxsize = rec_bytes(b[68], bt->cluster);
    return true;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    Boot bt;
    return read_boot(src, off, &bt);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Boot bt;
    if (!read_boot(src, off, &bt))
        return -EINVAL;
    uint64_t room = src->size - off;
    uint64_t len = bt.total < room / bt.bps ? (bt.total + 1) * bt.bps : room;
    fmt_group(out, &fmt_ntfs, K_ROOT, "NTFS", off, len, 2);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text,
             "NTFS, %" PRIu64 " clusters of %" PRIu64 " bytes, MFT records of %" PRIu64,
             bt.total / (bt.cluster / bt.bps), bt.cluster, bt.recsize);
    return 0;
}

/* How many records the MFT's first extent holds, from record 0's $DATA
 * attribute (its data size and first run); 0 when that cannot be read. */
static uint64_t mft_records(const FmtSrc *src, uint64_t mft, uint64_t recsize, uint64_t cluster)
{
    uint8_t r[4096];
    if (recsize < 64 || recsize > sizeof r || fmt_read(src, mft, r, recsize) < 0 ||
        memcmp(r, "FILE", 4) != 0)
        return 0;
    uint64_t at = fmt_get(r + 20, 2, false);
    for (int k = 0; k < NTFS_ATTR_MAX && at + 16 <= recsize; k++) {
        uint64_t type = fmt_get(r + at, 4, false), len = fmt_get(r + at + 4, 4, false);
        if (type == 0xffffffff || len < 16 || len > recsize - at)
            return 0;
        if (type == 0x80 && r[at + 8] && len >= 64) {
            uint64_t size = fmt_get(r + at + 48, 8, false), ro = fmt_get(r + at + 32, 2, false);
            if (ro >= len)
                return 0;
            uint8_t h = r[at + ro];
            unsigned ls = h & 0xf;
            if (ls == 0 || ls > 8 || ro + 1 + ls > len)
                return 0;
            uint64_t run = fmt_get(r + at + ro + 1, ls, false); /* clusters in the first run */
            uint64_t n = size / recsize;
            if (run < UINT64_MAX / cluster && run * cluster / recsize < n)
                n = run * cluster / recsize;
            return n;
        }
        at += len;
    }
    return 0;
}

static const char *const sys_names[] = {"$MFT",     "$MFTMirr", "$LogFile", "$Volume",
                                        "$AttrDef", ".",        "$Bitmap",  "$Boot",
                                        "$BadClus", "$Secure",  "$UpCase",  "$Extend"};

static const char *attr_name(uint64_t t)
{
    switch (t) {
    case 0x10: return "$STANDARD_INFORMATION";
    case 0x20: return "$ATTRIBUTE_LIST";
    case 0x30: return "$FILE_NAME";
    case 0x40: return "$OBJECT_ID";
    case 0x50: return "$SECURITY_DESCRIPTOR";
    case 0x60: return "$VOLUME_NAME";
    case 0x70: return "$VOLUME_INFORMATION";
    case 0x80: return "$DATA";
    case 0x90: return "$INDEX_ROOT";
    case 0xa0: return "$INDEX_ALLOCATION";
    case 0xb0: return "$BITMAP";
    case 0xc0: return "$REPARSE_POINT";
    case 0x100: return "$LOGGED_UTILITY_STREAM";
    case 0xffffffff: return "end marker";
    default: return "unknown";
    }
}

static void record(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t rs = p->a[0], at = p->off + i * rs;
    char name[FMT_NAME];
    if (i < sizeof sys_names / sizeof *sys_names)
        snprintf(name, sizeof name, "MFT record %" PRIu64 " %s", i, sys_names[i]);
    else
        snprintf(name, sizeof name, "MFT record %" PRIu64, i);
    uint8_t b[24];
    if (fmt_read(src, at, b, sizeof b) < 0) {
        fmt_bad(out, name, at, "unreadable");
        return;
    }
    fmt_group(out, &fmt_ntfs, K_REC, name, at, rs, N_REC_KIDS);
    out->a[0] = rs;
    out->val = FV_TEXT;
    if (memcmp(b, "FILE", 4) != 0) {
        snprintf(out->text, sizeof out->text, "%s",
                 memcmp(b, "BAAD", 4) == 0 ? "BAAD: marked bad" : "no FILE magic");
        out->nkids = memcmp(b, "\0\0\0\0", 4) == 0 ? 0 : N_REC;
        return;
    }
    unsigned fl = b[22] | b[23] << 8;
    snprintf(out->text, sizeof out->text, "%s%s", fl & 1 ? "in use" : "free",
             fl & 2 ? ", directory" : "");
}

/* Attribute i of the record at rec (walked from its first attribute). */
static void attribute(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t rec = p->a[1], rs = p->a[0], at = p->off;
    char name[FMT_NAME];
    snprintf(name, sizeof name, "attribute %" PRIu64, i);
    for (uint64_t k = 0;; k++) {
        uint64_t type = 0, len = 0;
        if (at - rec + 16 > rs || fmt_uint(src, at, 4, false, &type) < 0 ||
            fmt_uint(src, at + 4, 4, false, &len) < 0) {
            fmt_bad(out, name, at, "attribute past the record's end");
            return;
        }
        if (k == i) {
            if (type == 0xffffffff) {
                fmt_group(out, &fmt_ntfs, K_ATTR, name, at, 4, 1);
            } else if (len < 16 || len > rs - (at - rec)) {
                fmt_bad(out, name, at + 4, "length %" PRIu64 " does not fit the record", len);
                return;
            } else {
                uint64_t nr = 0;
                fmt_uint(src, at + 8, 1, false, &nr);
                uint64_t n = N_COMMON + (nr ? 6 : 3); /* resident: and the value */
                uint64_t need = nr ? 64 : 24;
                fmt_group(out, &fmt_ntfs, K_ATTR, name, at, len, len >= need ? n : N_COMMON);
                out->a[0] = nr;
            }
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%s", attr_name(type));
            if (type == 0xffffffff)
                out->nkids = 1;
            return;
        }
        if (type == 0xffffffff || len < 16 || len > rs - (at - rec)) {
            fmt_bad(out, name, at, "the attributes end before");
            return;
        }
        at += len;
    }
}

/* How many attributes the record at rec holds (the end marker included). */
static uint64_t attr_count(const FmtSrc *src, uint64_t rec, uint64_t rs, uint64_t at)
{
    uint64_t k = 0;
    while (k < NTFS_ATTR_MAX && at >= rec && at - rec + 16 <= rs) {
        uint64_t type = 0, len = 0;
        if (fmt_uint(src, at, 4, false, &type) < 0 || fmt_uint(src, at + 4, 4, false, &len) < 0)
            break;
        k++;
        if (type == 0xffffffff || len < 16 || len > rs - (at - rec))
            break;
        at += len;
    }
    return k;
}

/* A resident attribute's value (its bytes; a volume name as text). */
static int value(const FmtSrc *src, const FmtNode *p, FmtNode *out)
{
    uint64_t vl = 0, vo = 0, type = 0;
    fmt_uint(src, p->off, 4, false, &type);
    fmt_uint(src, p->off + 16, 4, false, &vl);
    fmt_uint(src, p->off + 20, 2, false, &vo);
    if (vo > p->len || vl > p->len - vo) {
        fmt_bad(out, "value", p->off + 16,
                "%" PRIu64 " bytes at %" PRIu64 " do not fit the attribute", vl, vo);
        return 0;
    }
    fmt_name(out, "value");
    out->off = p->off + vo;
    out->len = vl;
    out->val = type == 0x60 ? FV_UTF16 : FV_BYTES;
    uint64_t nlen = 0;
    if (type == 0x30 && vl >= 66 && fmt_uint(src, out->off + 64, 1, false, &nlen) == 0 &&
        66 + 2 * nlen <= vl) {
        /* A file name: its fields, the name as the group's text. */
        uint8_t b[2 * 40];
        char t[44];
        size_t k = 0, n = nlen < 40 ? (size_t)nlen : 40;
        fmt_group(out, &fmt_ntfs, K_FNAME, "value", out->off, vl, N_FNAME);
        if (fmt_read(src, out->off + 66, b, 2 * n) == 0)
            for (size_t j = 0; j < n; j++) {
                unsigned c = b[2 * j] | (unsigned)b[2 * j + 1] << 8;
                t[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
            }
        t[k] = 0;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "file name \"%s\"%s", t, nlen > n ? "..." : "");
    }
    return 0;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Boot bt;
    switch (p->kind) {
    case K_ROOT:
        if (!read_boot(src, p->off, &bt)) {
            fmt_bad(out, "boot sector", p->off, "unreadable");
            return 0;
        }
        if (i == 0) {
            fmt_group(out, &fmt_ntfs, K_BOOT, "boot sector", p->off, 512, N_BOOT);
            return 0;
        }
        if (bt.recsize < 256 || bt.recsize > 4096) {
            fmt_bad(out, "MFT", p->off + 64, "MFT record size %" PRIu64, bt.recsize);
            return 0;
        }
        if (bt.mft >= (src->size - p->off) / bt.cluster) {
            fmt_bad(out, "MFT", p->off + 48, "MFT LCN %" PRIu64 " lies past the end", bt.mft);
            return 0;
        }
        uint64_t at = p->off + bt.mft * bt.cluster;
        uint64_t n = mft_records(src, at, bt.recsize, bt.cluster);
        bool known = n != 0;
        n = fmt_clamp(src, at, known ? n : NTFS_SYS_RECORDS, bt.recsize);
        fmt_group(out, &fmt_ntfs, K_MFT, "MFT", at, n * bt.recsize, n);
        out->a[0] = bt.recsize;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " records%s", n,
                 known ? " (its first extent)" : " ($MFT's extent unknown)");
        return 0;
    case K_BOOT:
        fmt_field(out, &boot_fields[i], p->off, false);
        if (i == 12 || i == 13) {
            uint64_t c = 0;
            if (read_boot(src, p->off, &bt) && fmt_uint(src, out->off, 1, false, &c) == 0)
                snprintf(out->note, sizeof out->note, "%" PRIu64 " bytes",
                         rec_bytes((uint8_t)c, bt.cluster));
        } else if (i == 3) {
            if (read_boot(src, p->off, &bt))
                snprintf(out->note, sizeof out->note, "%" PRIu64 "-byte clusters", bt.cluster);
        }
        return 0;
    case K_MFT: record(src, p, i, out); return 0;
    case K_REC:
        if (i < N_REC) {
            fmt_field(out, &rec_fields[i], p->off, false);
            if (i == 7) {
                uint64_t fl = 0;
                fmt_uint(src, out->off, 2, false, &fl);
                snprintf(out->note, sizeof out->note, "%s%s", fl & 1 ? "in use" : "free",
                         fl & 2 ? ", directory" : "");
            }
        } else {
            uint64_t ao = 0;
            fmt_uint(src, p->off + 20, 2, false, &ao);
            if (ao < 24 || ao >= p->a[0]) {
                fmt_bad(out, "attributes", p->off + 20, "attributes offset %" PRIu64, ao);
                return 0;
            }
            uint64_t na = attr_count(src, p->off, p->a[0], p->off + ao);
            fmt_group(out, &fmt_ntfs, K_ATTRS, "attributes", p->off + ao, p->a[0] - ao, na);
            out->a[0] = p->a[0];
            out->a[1] = p->off;
        }
        return 0;
    case K_ATTRS: attribute(src, p, i, out); return 0;
    case K_FNAME:
        fmt_field(out, &fname_fields[i], p->off, false);
        if (i == 0) {
            uint64_t v = 0;
            fmt_uint(src, out->off, 8, false, &v);
            snprintf(out->note, sizeof out->note, "record %" PRIu64 ", sequence %" PRIu64,
                     v & (((uint64_t)1 << 48) - 1), v >> 48);
        } else if (i >= 1 && i <= 4) {
            /* 100 ns units since 1601, as ntfsinfo prints them */
            uint64_t v = 0;
            fmt_uint(src, out->off, 8, false, &v);
            time_t t = (time_t)(v / 10000000) - (time_t)11644473600;
            struct tm tm;
            if (v / 10000000 >= 11644473600u && gmtime_r(&t, &tm))
                strftime(out->note, sizeof out->note, "%a %b %e %H:%M:%S %Y UTC", &tm);
        } else if (i == 10) {
            static const char *const ns[] = {"POSIX", "Win32", "DOS", "Win32 & DOS"};
            uint64_t v = 0;
            fmt_uint(src, out->off, 1, false, &v);
            snprintf(out->note, sizeof out->note, "%s", v < 4 ? ns[v] : "unknown");
        } else if (i == 11) {
            uint64_t chars = 0;
            fmt_uint(src, p->off + 64, 1, false, &chars);
            out->len = 2 * chars;
        }
        return 0;
    case K_ATTR:
        if (i < N_COMMON)
            fmt_field(out, &attr_common[i], p->off, false);
        else if (p->a[0])
            fmt_field(out, &attr_nonresident[i - N_COMMON], p->off, false);
        else if (i < N_COMMON + 2)
            fmt_field(out, &attr_resident[i - N_COMMON], p->off, false);
        else
            return value(src, p, out);
        if (i == 0) {
            uint64_t t = 0;
            fmt_uint(src, p->off, 4, false, &t);
            snprintf(out->note, sizeof out->note, "%s", attr_name(t));
        }
        return 0;
    default: return -EINVAL;
    }
}

static uint64_t walk_find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    uint64_t rec = p->a[1], rs = p->a[0], at = p->off;
    for (uint64_t k = 0; k < p->nkids; k++) {
        uint64_t type = 0, len = 0;
        if (at - rec + 16 > rs || fmt_uint(src, at, 4, false, &type) < 0 ||
            fmt_uint(src, at + 4, 4, false, &len) < 0)
            return UINT64_MAX;
        if (type == 0xffffffff)
            return off - at < 4 ? k : UINT64_MAX;
        if (len < 16 || len > rs - (at - rec))
            return UINT64_MAX;
        if (off >= at && off - at < len)
            return k;
        at += len;
    }
    return UINT64_MAX;
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    if (off < p->off)
        return UINT64_MAX;
    uint64_t d = off - p->off;
    switch (p->kind) {
    case K_ROOT: return d < 512 ? 0 : 1;
    case K_BOOT: return fmt_field_at(boot_fields, N_BOOT, d);
    case K_MFT: return p->a[0] ? d / p->a[0] : UINT64_MAX;
    case K_REC: {
        uint64_t i = fmt_field_at(rec_fields, N_REC, d);
        return i != UINT64_MAX ? i : N_REC;
    }
    case K_ATTRS: return walk_find(src, p, off);
    default:
        for (uint64_t i = 0; i < p->nkids && i < NTFS_ATTR_MAX; i++) {
            FmtNode k;
            if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
                return i;
        }
        return UINT64_MAX;
    }
}

const FmtDecoder fmt_ntfs = {
    .name = "ntfs",
    .title = "NTFS file system",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
