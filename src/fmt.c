/*
 * fmt: the decoders' table, detection, walking the lazy tree, and the
 * helpers decoders share (see fmt.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"
#include "inspect.h"
#include "parse.h"

/* Probe order: the more specific first (a GPT disk also holds a protective
 * MBR; FAT and NTFS boot sectors end in 0x55aa as an MBR does; a tar
 * header's checksum is the weakest probe). Adding a format: its fmt-NAME.c
 * and one line here (one a line: clang-format would pack them). */
/* clang-format off */
static const FmtDecoder *const decoders[] = {
    &fmt_gpt,    /* "EFI PART" at LBA 1 */
    &fmt_sqlite, /* "SQLite format 3" */
    &fmt_elf,    /* 7f "ELF" */
    &fmt_pe,     /* "MZ" and "PE\0\0" */
    &fmt_zip,    /* "PK\3\4" */
    &fmt_gzip,   /* 1f 8b 08 */
    &fmt_png,    /* 89 "PNG" */
    &fmt_qcow2,  /* "QFI" fb */
    &fmt_fat,    /* a strict BPB */
    &fmt_ntfs,   /* "NTFS    " */
    &fmt_mbr,    /* 55 aa and four plausible entries */
    &fmt_ext4,   /* ef53 at 1080 */
    &fmt_xfs,    /* "XFSB" */
    &fmt_tar,    /* a header's checksum */
};
/* clang-format on */
#define NDEC (sizeof decoders / sizeof *decoders)

const FmtDecoder *fmt_decoder_at(size_t i)
{
    return i < NDEC ? decoders[i] : NULL;
}

const FmtDecoder *fmt_decoder(const char *name)
{
    for (size_t i = 0; i < NDEC; i++)
        if (strcasecmp(decoders[i]->name, name) == 0)
            return decoders[i];
    return NULL;
}

int fmt_root(const FmtSrc *src, const FmtDecoder *d, uint64_t off, FmtNode *out)
{
    if (!d)
        return fmt_detect(src, off, out);
    memset(out, 0, sizeof *out);
    if (off >= src->size)
        return -EINVAL;
    int rc = d->root(src, off, out);
    if (rc < 0)
        return rc;
    out->dec = d;
    if (out->len == 0 || out->len > src->size - out->off)
        out->len = src->size - out->off;
    if (!out->text[0] && out->val == FV_NONE)
        snprintf(out->text, sizeof out->text, "%s", d->title);
    return 0;
}

int fmt_detect(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (off >= src->size)
        return -ENOENT;
    for (size_t i = 0; i < NDEC; i++)
        if (decoders[i]->probe && decoders[i]->probe(src, off) &&
            fmt_root(src, decoders[i], off, out) == 0)
            return 0;
    return -ENOENT;
}

void fmt_detect_child(const FmtSrc *src, uint64_t off, const char *name, FmtNode *out)
{
    if (fmt_detect(src, off, out) == 0) {
        /* Keep the format's title visible under the container's name. */
        char title[FMT_TEXT];
        snprintf(title, sizeof title, "%s", out->name);
        snprintf(out->name, sizeof out->name, "%s", name);
        if (!out->note[0])
            snprintf(out->note, sizeof out->note, "%s", title);
        return;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    out->off = off;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "no format known at 0x%" PRIx64, off);
}

/* ---- values as text ---- */

static void text_bytes(const uint8_t *b, size_t len, size_t shown, char *out, size_t n)
{
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; i < len && i < shown && k + 4 < n; i++)
        k += (size_t)snprintf(out + k, n - k, "%s%02x", i ? " " : "", b[i]);
    if (len > shown && k + 5 < n)
        snprintf(out + k, n - k, " ...");
}

static void text_ascii(const uint8_t *b, size_t len, char *out, size_t n)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < len && b[i] && k + 3 < n; i++)
        out[k++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
    out[k++] = '"';
    out[k] = 0;
}

static void text_utf16(const uint8_t *b, size_t len, char *out, size_t n)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i + 1 < len && k + 5 < n; i += 2) {
        unsigned c = b[i] | (unsigned)b[i + 1] << 8;
        if (!c)
            break;
        if (c < 0x80) {
            out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
        } else if (c < 0x800) {
            out[k++] = (char)(0xc0 | c >> 6);
            out[k++] = (char)(0x80 | (c & 0x3f));
        } else if (c >= 0xd800 && c < 0xe000) {
            out[k++] = '?';
        } else {
            out[k++] = (char)(0xe0 | c >> 12);
            out[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[k++] = (char)(0x80 | (c & 0x3f));
        }
    }
    out[k++] = '"';
    out[k] = 0;
}

void fmt_guid_text(const uint8_t *b, char *out, size_t n)
{
    snprintf(out, n, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[3],
             b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

uint64_t fmt_get(const uint8_t *b, unsigned len, bool big)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len; i++)
        v |= (uint64_t)b[big ? i : len - 1 - i] << (8 * (len - 1 - i));
    return v;
}

static bool int_len(uint64_t len)
{
    return len == 1 || len == 2 || len == 4 || len == 8;
}

/* Fill n->text from the bytes (values that need them). */
static int value_text(const FmtSrc *src, FmtNode *n)
{
    if (n->val == FV_NONE || n->val == FV_TEXT || n->bad)
        return 0;
    uint8_t b[80];
    size_t len = n->len < sizeof b ? (size_t)n->len : sizeof b;
    int rc = fmt_read(src, n->off, b, len);
    if (rc < 0) {
        snprintf(n->text, sizeof n->text, "(unreadable: %s)", strerror(-rc));
        return 0;
    }
    switch (n->val) {
    case FV_UINT:
    case FV_SINT:
    case FV_HEXN:
        if (!int_len(n->len)) {
            text_bytes(b, len, 32, n->text, sizeof n->text);
            break;
        }
        uint64_t v = fmt_get(b, (unsigned)n->len, n->big);
        if (n->val == FV_HEXN) {
            snprintf(n->text, sizeof n->text, "0x%0*" PRIx64, (int)(2 * n->len), v);
        } else if (n->val == FV_SINT) {
            unsigned sh = (unsigned)(64 - 8 * n->len);
            int64_t sv = sh ? (int64_t)(v << sh) >> sh : (int64_t)v;
            snprintf(n->text, sizeof n->text, "%" PRId64, sv);
        } else {
            snprintf(n->text, sizeof n->text, "%" PRIu64, v);
        }
        break;
    case FV_BYTES: text_bytes(b, len, 24, n->text, sizeof n->text); break;
    case FV_ASCII: text_ascii(b, len, n->text, sizeof n->text); break;
    case FV_UTF16: text_utf16(b, len, n->text, sizeof n->text); break;
    case FV_GUID:
        if (len == 16)
            fmt_guid_text(b, n->text, sizeof n->text);
        else
            text_bytes(b, len, 24, n->text, sizeof n->text);
        break;
    default: break;
    }
    return 0;
}

/* ---- walking ---- */

int fmt_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    memset(out, 0, sizeof *out);
    if (!p->dec || !p->dec->child || i >= p->nkids)
        return -EINVAL;
    int rc = p->dec->child(src, p, i, out);
    if (rc < 0)
        return rc;
    if (!out->dec)
        out->dec = p->dec;
    if (out->nkids > FMT_KIDS_MAX)
        out->nkids = FMT_KIDS_MAX;
    if (!out->bad && out->len && (out->off >= src->size || out->len > src->size - out->off)) {
        char name[FMT_NAME];
        snprintf(name, sizeof name, "%s", out->name);
        uint64_t off = out->off;
        fmt_bad(out, name, off, "%" PRIu64 " bytes pass the end of the file", out->len);
        out->len = off < src->size ? src->size - off : 0;
    }
    return value_text(src, out);
}

static bool holds(const FmtNode *n, uint64_t off)
{
    return n->len && off >= n->off && off - n->off < n->len;
}

int fmt_path(const FmtSrc *src, const FmtNode *root, uint64_t off, FmtNode *path, int max)
{
    return fmt_path_idx(src, root, off, path, NULL, max);
}

int fmt_path_idx(const FmtSrc *src, const FmtNode *root, uint64_t off, FmtNode *path, uint64_t *idx,
                 int max)
{
    if (max < 1 || !holds(root, off))
        return 0;
    path[0] = *root;
    int k = 1;
    unsigned hops = 0;
    while (k < max && k < FMT_DEPTH) {
        const FmtNode *p = &path[k - 1];
        if (!p->nkids || p->bad || !p->dec || !p->dec->child)
            break;
        bool found = false;
        uint64_t i = 0;
        if (p->dec->find) {
            i = p->dec->find(src, p, off);
            found = i < p->nkids && fmt_child(src, p, i, &path[k]) == 0 && holds(&path[k], off);
        } else {
            uint64_t n = p->nkids < FMT_SCAN ? p->nkids : FMT_SCAN;
            for (i = 0; i < n && !found; i++)
                found = fmt_child(src, p, i, &path[k]) == 0 && holds(&path[k], off);
            i--;
        }
        if (!found)
            break;
        /* A run's last child continuing it (the next run of a sequence,
         * of the same decoder and kind) takes the run's place rather than
         * a level, so the item 5,000 runs in is still found and named. */
        if (i == p->nkids - 1 && path[k].dec == p->dec && path[k].kind == p->kind &&
            path[k].nkids && hops < FMT_RUN_HOPS) {
            path[k - 1] = path[k];
            hops++;
            continue;
        }
        if (idx)
            idx[k] = i;
        k++;
    }
    return k;
}

int fmt_insp(const FmtNode *n)
{
    if (n->bad)
        return -1;
    static const int uns[9] = {[1] = INSP_U8, [2] = INSP_U16, [4] = INSP_U32, [8] = INSP_U64};
    static const int sig[9] = {[1] = INSP_I8, [2] = INSP_I16, [4] = INSP_I32, [8] = INSP_I64};
    switch (n->val) {
    case FV_UINT:
    case FV_HEXN: return int_len(n->len) ? uns[n->len] : -1;
    case FV_SINT: return int_len(n->len) ? sig[n->len] : -1;
    case FV_GUID: return n->len == 16 ? INSP_GUID : -1;
    default: return -1;
    }
}

/* ---- editing ---- */

bool fmt_editable(const FmtNode *n)
{
    if (n->bad || !n->len || n->len > FMT_EDIT_MAX)
        return false;
    return fmt_insp(n) >= 0 || n->val == FV_ASCII || n->val == FV_UTF16 || n->val == FV_BYTES;
}

/* UTF-8 text into UTF-16LE code units (the BMP) at out: bytes written, or
 * -EINVAL (malformed, or outside the BMP), -ERANGE (more than cap). */
static int utf16_encode(const char *s, uint8_t *out, size_t cap)
{
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c;
        if (p[0] < 0x80) {
            c = *p++;
        } else if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
            c = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
            p += 2;
        } else if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
            c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
            p += 3;
        } else {
            return -EINVAL;
        }
        if (k + 2 > cap)
            return -ERANGE;
        out[k++] = (uint8_t)c;
        out[k++] = (uint8_t)(c >> 8);
    }
    return (int)k;
}

int fmt_encode(const FmtNode *n, const char *text, uint8_t *out, size_t cap, char *err, size_t errn)
{
    int t = fmt_insp(n);
    err[0] = '\0';
    if (!fmt_editable(n) || cap < n->len) {
        snprintf(err, errn, "%s is not a number, a GUID, text or bytes", n->name);
        return -ENOTSUP;
    }
    size_t len = (size_t)n->len;
    if (t >= 0) {
        uint8_t b[INSPECT_MAX];
        int k = inspect_encode((InspType)t, text, n->big, b, sizeof b, err, errn);
        if (k < 0)
            return k;
        if ((size_t)k != len) {
            snprintf(err, errn, "%d bytes for a field of %zu", k, len);
            return -ERANGE;
        }
        memcpy(out, b, len);
        return (int)len;
    }
    if (n->val == FV_BYTES) {
        size_t got = 0;
        const char *why = NULL;
        int rc = parse_hex(text, out, cap, &got, &why);
        if (rc < 0 || got != len) {
            if (rc < 0)
                snprintf(err, errn, "%s", why ? why : "not hex bytes");
            else
                snprintf(err, errn, "%zu bytes for a field of %zu (say them all)", got, len);
            return rc < 0 ? rc : -ERANGE;
        }
        return (int)len;
    }
    /* Text: as typed, quotes around it dropped, NUL-padded. */
    char buf[FMT_EDIT_MAX + 3];
    size_t tl = strlen(text);
    if (tl >= 2 && text[0] == '"' && text[tl - 1] == '"') {
        text++;
        tl -= 2;
    }
    if (tl > FMT_EDIT_MAX) {
        snprintf(err, errn, "longer than the field (%zu bytes)", len);
        return -ERANGE;
    }
    memcpy(buf, text, tl);
    buf[tl] = '\0';
    memset(out, 0, len);
    if (n->val == FV_ASCII) {
        if (tl > len) {
            snprintf(err, errn, "%zu bytes for a field of %zu", tl, len);
            return -ERANGE;
        }
        memcpy(out, buf, tl);
        return (int)len;
    }
    int k = utf16_encode(buf, out, len);
    if (k < 0) {
        snprintf(err, errn,
                 k == -ERANGE ? "more than the field's %zu UTF-16 units"
                              : "not UTF-8 text of the BMP (%zu units at most)",
                 len / 2);
        return k;
    }
    return (int)len;
}

/* ---- helpers for decoders ---- */

void fmt_field(FmtNode *out, const FmtField *f, uint64_t base, bool big)
{
    snprintf(out->name, sizeof out->name, "%s", f->name);
    out->off = base + f->off;
    out->len = f->len;
    out->val = f->val;
    out->big = big;
}

uint64_t fmt_field_at(const FmtField *f, size_t n, uint64_t d)
{
    for (size_t i = 0; i < n; i++)
        if (d >= f[i].off && d - f[i].off < f[i].len)
            return i;
    return UINT64_MAX;
}

int fmt_read(const FmtSrc *src, uint64_t off, void *buf, size_t len)
{
    memset(buf, 0, len);
    if (off >= src->size)
        return 0;
    uint64_t room = src->size - off;
    size_t n = room < len ? (size_t)room : len;
    return n ? src->read(src->ctx, off, buf, n) : 0;
}

int fmt_uint(const FmtSrc *src, uint64_t off, unsigned len, bool big, uint64_t *out)
{
    uint8_t b[8];
    *out = 0;
    if (len < 1 || len > 8)
        return -EINVAL;
    if (off >= src->size || src->size - off < len)
        return -ERANGE;
    int rc = src->read(src->ctx, off, b, len);
    if (rc < 0)
        return rc;
    *out = fmt_get(b, len, big);
    return 0;
}

void fmt_name(FmtNode *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->name, sizeof out->name, fmt, ap);
    va_end(ap);
}

void fmt_bad(FmtNode *out, const char *name, uint64_t off, const char *why, ...)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    out->off = off;
    out->val = FV_TEXT;
    out->bad = true;
    int k = snprintf(out->text, sizeof out->text, "malformed at 0x%" PRIx64 ": ", off);
    va_list ap;
    va_start(ap, why);
    if (k > 0 && (size_t)k < sizeof out->text)
        vsnprintf(out->text + k, sizeof out->text - (size_t)k, why, ap);
    va_end(ap);
}

void fmt_group(FmtNode *out, const FmtDecoder *d, uint32_t kind, const char *name, uint64_t off,
               uint64_t len, uint64_t nkids)
{
    snprintf(out->name, sizeof out->name, "%s", name);
    out->off = off;
    out->len = len;
    out->val = FV_NONE;
    out->dec = d;
    out->kind = kind;
    out->nkids = nkids;
}

uint64_t fmt_clamp(const FmtSrc *src, uint64_t off, uint64_t count, uint64_t each)
{
    if (off >= src->size)
        return 0;
    uint64_t fit = each ? (src->size - off) / each : count;
    if (count > fit)
        count = fit;
    return count > FMT_KIDS_MAX ? FMT_KIDS_MAX : count;
}
