/*
 * fmt-gzip: a gzip member (RFC 1952): the fixed header (ID1 ID2 CM FLG
 * MTIME XFL OS), the optional parts FLG announces (FEXTRA, FNAME,
 * FCOMMENT, FHCRC, in that order), the compressed data, and the trailer
 * (CRC32, ISIZE) in the file's last 8 bytes: one member is assumed, as
 * `gzip -l` does.
 *
 * The parts' places depend on the lengths before them, so each child
 * works out the layout again: at most GZ_STR_MAX bytes are searched for
 * the NUL ending FNAME and FCOMMENT (in GZ_CHUNK reads), so a child costs
 * a bounded number of reads. The header CRC16 is checked against zlib's
 * crc32 of the header.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "fmt.h"

#define GZ_HEAD 10
#define GZ_CHUNK 4096
#define GZ_STR_MAX 65536 /* bytes searched for a name's or comment's NUL */
#define NONE UINT64_MAX

enum { F_TEXT = 1, F_HCRC = 2, F_EXTRA = 4, F_NAME = 8, F_COMMENT = 16 };

enum { K_ROOT };

static const FmtField head_fields[] = {
    {"ID1", 0, 1, FV_HEXN},   {"ID2", 1, 1, FV_HEXN}, {"CM", 2, 1, FV_UINT}, {"FLG", 3, 1, FV_HEXN},
    {"MTIME", 4, 4, FV_UINT}, {"XFL", 8, 1, FV_UINT}, {"OS", 9, 1, FV_UINT},
};
#define N_HEAD (sizeof head_fields / sizeof *head_fields)

/* Where the parts are; NONE for those absent. */
typedef struct Gz {
    uint8_t flg;
    uint64_t extra, xlen;    /* FEXTRA: XLEN's offset, the extra's length */
    uint64_t name, name_len; /* FNAME, its NUL included */
    uint64_t cmt, cmt_len;   /* FCOMMENT, its NUL included */
    uint64_t hcrc;           /* FHCRC */
    uint64_t data;           /* the compressed data */
    uint64_t bad;            /* where the header stops adding up, or NONE */
    const char *why;         /* and why */
} Gz;

/* The length of the NUL-terminated string at off, NUL included, or NONE
 * when none ends within GZ_STR_MAX bytes of it or the file. */
static uint64_t str_len(const FmtSrc *src, uint64_t off)
{
    uint8_t b[GZ_CHUNK];
    for (uint64_t k = 0; k < GZ_STR_MAX && off < src->size && k < src->size - off; k += GZ_CHUNK) {
        uint64_t left = src->size - off - k;
        size_t n = left < GZ_CHUNK ? (size_t)left : GZ_CHUNK;
        if (fmt_read(src, off + k, b, n) < 0)
            return NONE;
        const uint8_t *z = memchr(b, 0, n);
        if (z)
            return k + (uint64_t)(z - b) + 1;
    }
    return NONE;
}

static void layout(const FmtSrc *src, uint64_t off, Gz *g)
{
    memset(g, 0, sizeof *g);
    g->extra = g->name = g->cmt = g->hcrc = g->data = g->bad = NONE;
    uint64_t flg = 0;
    fmt_uint(src, off + 3, 1, false, &flg);
    g->flg = (uint8_t)flg;
    uint64_t p = off + GZ_HEAD;
    if (flg & F_EXTRA) {
        g->extra = p;
        if (fmt_uint(src, p, 2, false, &g->xlen) < 0 || g->xlen > src->size - p - 2) {
            g->bad = p;
            g->why = "the extra field passes the end";
            return;
        }
        p += 2 + g->xlen;
    }
    if (flg & F_NAME) {
        g->name = p;
        g->name_len = str_len(src, p);
        if (g->name_len == NONE) {
            g->bad = p;
            g->why = "FNAME has no NUL before the end (or 64 KiB)";
            return;
        }
        p += g->name_len;
    }
    if (flg & F_COMMENT) {
        g->cmt = p;
        g->cmt_len = str_len(src, p);
        if (g->cmt_len == NONE) {
            g->bad = p;
            g->why = "FCOMMENT has no NUL before the end (or 64 KiB)";
            return;
        }
        p += g->cmt_len;
    }
    if (flg & F_HCRC) {
        g->hcrc = p;
        p += 2;
    }
    if (p > src->size || src->size - p < 8) {
        g->bad = p;
        g->why = "no room for the compressed data and the trailer";
        return;
    }
    g->data = p;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    uint8_t b[4];
    if (off >= src->size || src->size - off < GZ_HEAD + 8 || fmt_read(src, off, b, 4) < 0)
        return false;
    return b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 && !(b[3] & 0xe0);
}

/* The children: the fixed fields, the optional parts, data, CRC32, ISIZE
 * (or a malformed node where the header stops adding up). */
static uint64_t nkids(const Gz *g)
{
    uint64_t n =
        N_HEAD + (g->extra != NONE) * 2 + (g->name != NONE) + (g->cmt != NONE) + (g->hcrc != NONE);
    return g->bad != NONE ? n + 1 : n + 3;
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (!probe(src, off))
        return -EINVAL;
    Gz g;
    layout(src, off, &g);
    fmt_group(out, &fmt_gzip, K_ROOT, "gzip", off, src->size - off, nkids(&g));
    uint64_t isize = 0;
    fmt_uint(src, src->size - 4, 4, false, &isize);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "gzip compressed data, %" PRIu64 " bytes uncompressed",
             isize);
    return 0;
}

static const char *os_name(uint64_t os)
{
    static const char *const names[] = {
        "FAT",       "Amiga",    "VMS",  "Unix",    "VM/CMS", "Atari TOS", "HPFS",
        "Macintosh", "Z-System", "CP/M", "TOPS-20", "NTFS",   "QDOS",      "Acorn RISCOS",
    };
    if (os < sizeof names / sizeof *names)
        return names[os];
    return os == 255 ? "unknown" : "undefined";
}

static void flags_note(uint64_t f, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s%s%s%s%s", f & F_TEXT ? "FTEXT " : "", f & F_HCRC ? "FHCRC " : "",
             f & F_EXTRA ? "FEXTRA " : "", f & F_NAME ? "FNAME " : "",
             f & F_COMMENT ? "FCOMMENT " : "", f & 0xe0 ? "reserved bits set " : "",
             f ? "" : "none");
    size_t k = strlen(out);
    if (k && out[k - 1] == ' ')
        out[k - 1] = 0;
}

/* zlib's crc32 of [off, off + len), in GZ_CHUNK reads. */
static bool crc_of(const FmtSrc *src, uint64_t off, uint64_t len, uint32_t *out)
{
    uint8_t b[GZ_CHUNK];
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t k = 0; k < len; k += GZ_CHUNK) {
        size_t n = len - k < GZ_CHUNK ? (size_t)(len - k) : GZ_CHUNK;
        if (fmt_read(src, off + k, b, n) < 0)
            return false;
        crc = crc32(crc, b, (uInt)n);
    }
    *out = (uint32_t)crc;
    return true;
}

static void leaf(FmtNode *out, const char *name, uint64_t off, uint64_t len, uint8_t val)
{
    snprintf(out->name, sizeof out->name, "%s", name);
    out->off = off;
    out->len = len;
    out->val = val;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    if (p->kind != K_ROOT)
        return -EINVAL;
    uint64_t off = p->off;
    Gz g;
    layout(src, off, &g);
    if (i < N_HEAD) {
        const FmtField *f = &head_fields[i];
        fmt_field(out, f, off, false);
        uint64_t v = 0;
        fmt_uint(src, off + f->off, f->len, false, &v);
        if (f->off == 2) {
            snprintf(out->note, sizeof out->note, "%s", v == 8 ? "deflate" : "unknown");
        } else if (f->off == 3) {
            flags_note(v, out->note, sizeof out->note);
        } else if (f->off == 4) {
            time_t t = (time_t)v;
            struct tm tm;
            if (v == 0)
                snprintf(out->note, sizeof out->note, "no time stamp");
            else if (gmtime_r(&t, &tm))
                strftime(out->note, sizeof out->note, "%Y-%m-%d %H:%M:%S UTC", &tm);
        } else if (f->off == 8) {
            snprintf(out->note, sizeof out->note, "%s",
                     v == 2   ? "maximum compression"
                     : v == 4 ? "fastest"
                              : "");
        } else if (f->off == 9) {
            snprintf(out->note, sizeof out->note, "%s", os_name(v));
        }
        return 0;
    }
    i -= N_HEAD;
    if (g.extra != NONE) {
        if (i == 0) {
            leaf(out, "XLEN", g.extra, 2, FV_UINT);
            return 0;
        }
        if (i == 1) {
            leaf(out, "extra field", g.extra + 2, g.xlen, FV_BYTES);
            return 0;
        }
        i -= 2;
    }
    if (g.name != NONE && i-- == 0) {
        if (g.name_len == NONE)
            fmt_bad(out, "FNAME", g.name, "%s", g.why);
        else
            leaf(out, "FNAME", g.name, g.name_len, FV_ASCII);
        return 0;
    }
    if (g.cmt != NONE && i-- == 0) {
        if (g.cmt_len == NONE)
            fmt_bad(out, "FCOMMENT", g.cmt, "%s", g.why);
        else
            leaf(out, "FCOMMENT", g.cmt, g.cmt_len, FV_ASCII);
        return 0;
    }
    if (g.hcrc != NONE && i-- == 0) {
        leaf(out, "CRC16", g.hcrc, 2, FV_HEXN);
        uint64_t v = 0;
        uint32_t crc;
        fmt_uint(src, g.hcrc, 2, false, &v);
        if (!crc_of(src, off, g.hcrc - off, &crc))
            snprintf(out->note, sizeof out->note, "not checked");
        else if ((crc & 0xffff) == v)
            snprintf(out->note, sizeof out->note, "CRC ok");
        else
            snprintf(out->note, sizeof out->note, "mismatch: the header's is 0x%04x",
                     (unsigned)(crc & 0xffff));
        return 0;
    }
    if (g.bad != NONE) {
        if (i == 0) {
            fmt_bad(out, "compressed data", g.bad, "%s", g.why);
            return 0;
        }
        return -EINVAL;
    }
    uint64_t end = src->size - 8;
    switch (i) {
    case 0:
        leaf(out, "compressed data", g.data, end - g.data, FV_BYTES);
        snprintf(out->note, sizeof out->note, "%" PRIu64 " bytes", end - g.data);
        return 0;
    case 1: leaf(out, "CRC32", end, 4, FV_HEXN); return 0;
    case 2:
        leaf(out, "ISIZE", end + 4, 4, FV_UINT);
        snprintf(out->note, sizeof out->note, "uncompressed size mod 2^32");
        return 0;
    default: return -EINVAL;
    }
}

const FmtDecoder fmt_gzip = {
    .name = "gzip",
    .title = "gzip compressed data",
    .probe = probe,
    .root = root,
    .child = child,
};
