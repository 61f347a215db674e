/*
 * fmt-png: PNG images (ISO/IEC 15948): the 8-byte signature, then chunks
 * (length, type, data, CRC) up to IEND. The fields of IHDR, gAMA, pHYs,
 * tIME, sRGB and cHRM, and tEXt's keyword and text are decoded; every
 * chunk's CRC (over type and data) is checked with zlib's crc32 when the
 * chunk holds at most PNG_CRC_MAX bytes, in PNG_CHUNK reads.
 *
 * A chunk's place depends on the lengths of all before it, so chunks come
 * in runs: a run holds at most PNG_RUN chunks walked from its start (a[0]),
 * counted when the run is made (at most PNG_RUN + 1 reads of 8 bytes);
 * its last child is the next run ("chunks 257-512") or a malformed node
 * when a chunk does not add up or the file ends before IEND. The root is
 * the signature and the first run.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "fmt.h"

#define PNG_RUN 256             /* chunks a run holds at most */
#define PNG_CRC_MAX (1u << 20)  /* chunks checked at most this long */
#define PNG_CHUNK 4096          /* bytes read at once for a CRC */
#define PNG_LEN_MAX 0x7fffffffu /* a chunk's length at most */
#define NONE UINT64_MAX

static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* How a run ends (a[3]). */
enum { END_MORE, END_IEND, END_EOF, END_BAD };

enum {
    K_ROOT,  /* the signature, then a run: a[] as K_RUN's */
    K_RUN,   /* a[0] start, a[1] where it ends, a[2] first index, a[3] END_* */
    K_CHUNK, /* a[0] the data's length */
};

static const FmtField ihdr_fields[] = {
    {"width", 8, 4, FV_UINT},        {"height", 12, 4, FV_UINT},      {"bit depth", 16, 1, FV_UINT},
    {"colour type", 17, 1, FV_UINT}, {"compression", 18, 1, FV_UINT}, {"filter", 19, 1, FV_UINT},
    {"interlace", 20, 1, FV_UINT},
};
#define N_IHDR (sizeof ihdr_fields / sizeof *ihdr_fields)

static const FmtField gama_fields[] = {{"gamma", 8, 4, FV_UINT}};
static const FmtField phys_fields[] = {
    {"pixels per unit, X axis", 8, 4, FV_UINT},
    {"pixels per unit, Y axis", 12, 4, FV_UINT},
    {"unit specifier", 16, 1, FV_UINT},
};
static const FmtField time_fields[] = {
    {"year", 8, 2, FV_UINT},  {"month", 10, 1, FV_UINT},  {"day", 11, 1, FV_UINT},
    {"hour", 12, 1, FV_UINT}, {"minute", 13, 1, FV_UINT}, {"second", 14, 1, FV_UINT},
};
static const FmtField srgb_fields[] = {{"rendering intent", 8, 1, FV_UINT}};
static const FmtField chrm_fields[] = {
    {"white point x", 8, 4, FV_UINT}, {"white point y", 12, 4, FV_UINT},
    {"red x", 16, 4, FV_UINT},        {"red y", 20, 4, FV_UINT},
    {"green x", 24, 4, FV_UINT},      {"green y", 28, 4, FV_UINT},
    {"blue x", 32, 4, FV_UINT},       {"blue y", 36, 4, FV_UINT},
};

/* Chunks of a fixed layout: their fields when the length is as the
 * standard says (IHDR first). */
typedef struct PngLayout {
    const char *type;
    uint32_t len;
    const FmtField *f;
    size_t n;
} PngLayout;

#define LAYOUT(t, l, f)                                                                            \
    {                                                                                              \
        t, l, f, sizeof f / sizeof *f                                                              \
    }
static const PngLayout layouts[] = {
    LAYOUT("IHDR", 13, ihdr_fields), LAYOUT("gAMA", 4, gama_fields),
    LAYOUT("pHYs", 9, phys_fields),  LAYOUT("tIME", 7, time_fields),
    LAYOUT("sRGB", 1, srgb_fields),  LAYOUT("cHRM", 32, chrm_fields),
};

static const PngLayout *layout_of(const uint8_t *type, uint64_t len)
{
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++)
        if (memcmp(type, layouts[i].type, 4) == 0 && len == layouts[i].len)
            return &layouts[i];
    return NULL;
}

static bool type_ok(const uint8_t *t)
{
    for (int i = 0; i < 4; i++)
        if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
            return false;
    return true;
}

/* The chunk at pos: its data length and type; false when it is not one
 * (why says so) or it passes the end. */
static bool chunk_at(const FmtSrc *src, uint64_t pos, uint64_t *len, uint8_t *type,
                     const char **why)
{
    uint8_t h[8];
    *why = "the file ends inside a chunk header";
    if (pos >= src->size || src->size - pos < 12 || fmt_read(src, pos, h, sizeof h) < 0)
        return false;
    *len = (uint64_t)h[0] << 24 | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 8 | h[3];
    memcpy(type, h + 4, 4);
    *why = "the chunk type is not four letters";
    if (!type_ok(type))
        return false;
    *why = "the chunk's length passes the end of the file";
    return *len <= PNG_LEN_MAX && *len <= src->size - pos - 12;
}

static uint64_t count_run(const FmtSrc *src, uint64_t start, uint64_t *end, uint64_t *how)
{
    uint64_t pos = start, n = 0;
    for (;;) {
        uint64_t len;
        uint8_t type[4];
        const char *why;
        *end = pos;
        if (pos >= src->size) {
            *how = END_EOF;
            return n;
        }
        if (!chunk_at(src, pos, &len, type, &why)) {
            *how = END_BAD;
            return n;
        }
        if (n == PNG_RUN) {
            *how = END_MORE;
            return n;
        }
        n++;
        pos += 12 + len;
        if (memcmp(type, "IEND", 4) == 0) {
            *end = pos;
            *how = END_IEND;
            return n;
        }
    }
}

/* Fill a run's a[] and nkids (plus extra leading children). */
static void run_node(const FmtSrc *src, uint32_t kind, uint64_t start, uint64_t first,
                     uint64_t extra, FmtNode *out)
{
    uint64_t end, how;
    uint64_t n = count_run(src, start, &end, &how);
    out->dec = &fmt_png;
    out->kind = kind;
    out->nkids = extra + n + (how != END_IEND);
    out->a[0] = start;
    out->a[1] = end;
    out->a[2] = first;
    out->a[3] = how;
    out->val = FV_TEXT;
    if (how == END_IEND)
        out->len = end - out->off;
    snprintf(out->text, sizeof out->text, "%" PRIu64 " chunks%s", n,
             how == END_MORE   ? " and more"
             : how == END_IEND ? " to IEND"
                               : "");
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    uint8_t b[8];
    return off < src->size && src->size - off >= 8 + 12 && fmt_read(src, off, b, 8) == 0 &&
           memcmp(b, signature, 8) == 0;
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (!probe(src, off))
        return -EINVAL;
    snprintf(out->name, sizeof out->name, "PNG image");
    out->off = off;
    out->len = src->size - off;
    run_node(src, K_ROOT, off + 8, 0, 1, out);
    uint64_t w = 0, h = 0;
    uint8_t type[4] = {0};
    fmt_read(src, off + 12, type, 4);
    if (memcmp(type, "IHDR", 4) == 0) {
        fmt_uint(src, off + 16, 4, true, &w);
        fmt_uint(src, off + 20, 4, true, &h);
        char text[48];
        snprintf(text, sizeof text, "%.47s", out->text);
        snprintf(out->text, sizeof out->text, "PNG image %" PRIu64 " x %" PRIu64 ", %s", w, h,
                 text);
    }
    return 0;
}

/* The offset of the chunk i chunks after start, or NONE. */
static uint64_t walk(const FmtSrc *src, uint64_t start, uint64_t i)
{
    uint64_t pos = start;
    for (uint64_t j = 0; j < i; j++) {
        uint64_t len;
        uint8_t type[4];
        const char *why;
        if (!chunk_at(src, pos, &len, type, &why))
            return NONE;
        pos += 12 + len;
    }
    return pos;
}

static const char *colour_name(uint64_t t)
{
    switch (t) {
    case 0: return "greyscale";
    case 2: return "truecolour (RGB)";
    case 3: return "indexed-colour";
    case 4: return "greyscale with alpha";
    case 6: return "truecolour with alpha (RGBA)";
    default: return "invalid";
    }
}

static int chunk_node(const FmtSrc *src, uint64_t pos, uint64_t idx, FmtNode *out)
{
    uint64_t len;
    uint8_t type[4];
    const char *why;
    char name[FMT_NAME];
    snprintf(name, sizeof name, "chunk %" PRIu64, idx + 1);
    if (!chunk_at(src, pos, &len, type, &why)) {
        fmt_bad(out, name, pos, "%s", why);
        return 0;
    }
    /* length, type, the data's fields (or data), CRC */
    uint64_t kids = 3 + (len > 0);
    const PngLayout *lay = layout_of(type, len);
    if (lay)
        kids = 2 + lay->n + 1;
    else if (memcmp(type, "tEXt", 4) == 0)
        kids = 2 + 2 + 1;
    fmt_group(out, &fmt_png, K_CHUNK, "", pos, 12 + len, kids);
    fmt_name(out, "chunk %" PRIu64 " %.4s", idx + 1, (const char *)type);
    out->a[0] = len;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%" PRIu64 " bytes%s%s", len,
             type[0] & 0x20 ? ", ancillary" : ", critical", type[1] & 0x20 ? ", private" : "");
    return 0;
}

static int run_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t start = p->a[0], end = p->a[1], first = p->a[2], how = p->a[3];
    uint64_t lead = p->kind == K_ROOT;
    if (lead && i == 0) {
        static const FmtField sig = {"signature", 0, 8, FV_BYTES};
        fmt_field(out, &sig, p->off, false);
        return 0;
    }
    i -= lead;
    uint64_t n = p->nkids - lead - (how != END_IEND);
    if (i < n) {
        uint64_t pos = walk(src, start, i);
        if (pos == NONE) {
            fmt_bad(out, "chunk", start, "a chunk before this one is broken");
            return 0;
        }
        return chunk_node(src, pos, first + i, out);
    }
    if (how == END_MORE) {
        out->off = end;
        out->len = src->size - end;
        run_node(src, K_RUN, end, first + PNG_RUN, 0, out);
        uint64_t m = out->nkids - (out->a[3] != END_IEND);
        fmt_name(out, "chunks %" PRIu64 "-%" PRIu64, first + PNG_RUN + 1, first + PNG_RUN + m);
        return 0;
    }
    if (how == END_EOF) {
        fmt_bad(out, "IEND", end, "the file ends before IEND");
        return 0;
    }
    uint64_t len;
    uint8_t type[4];
    const char *why = "";
    chunk_at(src, end, &len, type, &why);
    char name[FMT_NAME];
    snprintf(name, sizeof name, "chunk %" PRIu64, first + n + 1);
    fmt_bad(out, name, end, "%s", why);
    return 0;
}

/* The CRC of the chunk at p (over type and data) into out's note. */
static void crc_note(const FmtSrc *src, const FmtNode *p, FmtNode *out)
{
    uint64_t len = p->a[0], want = 0;
    fmt_uint(src, p->off + 8 + len, 4, true, &want);
    if (len > PNG_CRC_MAX) {
        snprintf(out->note, sizeof out->note, "not checked (over 1 MiB)");
        return;
    }
    uint8_t b[PNG_CHUNK];
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t k = 0; k < 4 + len; k += PNG_CHUNK) {
        size_t n = 4 + len - k < PNG_CHUNK ? (size_t)(4 + len - k) : PNG_CHUNK;
        if (fmt_read(src, p->off + 4 + k, b, n) < 0) {
            snprintf(out->note, sizeof out->note, "not checked (unreadable)");
            return;
        }
        crc = crc32(crc, b, (uInt)n);
    }
    if ((uint32_t)crc == want)
        snprintf(out->note, sizeof out->note, "CRC ok");
    else
        snprintf(out->note, sizeof out->note, "CRC mismatch: computed 0x%08x", (unsigned)crc);
}

/* The note of field i of layout l, of value v. */
static void layout_note(const PngLayout *l, size_t i, uint64_t v, char *note, size_t n)
{
    static const char *const intents[] = {"perceptual", "relative colorimetric", "saturation",
                                          "absolute colorimetric"};
    if (l->f == ihdr_fields) {
        if (i == 3)
            snprintf(note, n, "%s", colour_name(v));
        else if (i == 4 || i == 5)
            snprintf(note, n, "%s", v == 0 ? "deflate / adaptive" : "invalid");
        else if (i == 6)
            snprintf(note, n, "%s", v == 0 ? "none" : v == 1 ? "Adam7" : "invalid");
    } else if (l->f == gama_fields) {
        snprintf(note, n, "%" PRIu64 ".%05" PRIu64, v / 100000, v % 100000);
    } else if (l->f == phys_fields && i == 2) {
        snprintf(note, n, "%s", v == 0 ? "unknown" : v == 1 ? "metre" : "invalid");
    } else if (l->f == srgb_fields) {
        snprintf(note, n, "%s", v < 4 ? intents[v] : "invalid");
    } else if (l->f == chrm_fields) {
        snprintf(note, n, "%" PRIu64 ".%05" PRIu64, v / 100000, v % 100000);
    }
}

static int chunk_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    static const FmtField head[] = {{"length", 0, 4, FV_UINT}, {"chunk type", 4, 4, FV_ASCII}};
    uint64_t len = p->a[0];
    if (i < 2) {
        fmt_field(out, &head[i], p->off, true);
        return 0;
    }
    if (i == p->nkids - 1) {
        FmtField crc = {"CRC", (uint32_t)(8 + len), 4, FV_HEXN};
        fmt_field(out, &crc, p->off, true);
        crc_note(src, p, out);
        return 0;
    }
    uint8_t type[4];
    fmt_read(src, p->off + 4, type, 4);
    i -= 2;
    const PngLayout *lay = layout_of(type, len);
    if (lay) {
        if (i >= lay->n)
            return -EINVAL;
        fmt_field(out, &lay->f[i], p->off, true);
        uint64_t v = 0;
        fmt_uint(src, out->off, (unsigned)out->len, true, &v);
        layout_note(lay, i, v, out->note, sizeof out->note);
        return 0;
    }
    if (memcmp(type, "tEXt", 4) == 0) {
        /* keyword NUL text: the keyword is 1-79 bytes. */
        uint8_t kw[80];
        size_t n = len < sizeof kw ? (size_t)len : sizeof kw;
        fmt_read(src, p->off + 8, kw, n);
        const uint8_t *z = memchr(kw, 0, n);
        if (!z) {
            fmt_bad(out, i == 0 ? "keyword" : "text", p->off + 8,
                    "no NUL ends the keyword in its first 80 bytes");
            return 0;
        }
        uint64_t klen = (uint64_t)(z - kw);
        if (i == 0) {
            FmtField f = {"keyword", 8, (uint32_t)klen + 1, FV_ASCII};
            fmt_field(out, &f, p->off, true);
        } else {
            FmtField f = {"text", (uint32_t)(8 + klen + 1), (uint32_t)(len - klen - 1), FV_ASCII};
            fmt_field(out, &f, p->off, true);
        }
        return 0;
    }
    out->off = p->off + 8;
    out->len = len;
    out->val = FV_BYTES;
    snprintf(out->name, sizeof out->name, "data");
    return 0;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    switch (p->kind) {
    case K_ROOT:
    case K_RUN: return run_child(src, p, i, out);
    case K_CHUNK: return chunk_child(src, p, i, out);
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    if (p->kind == K_ROOT || p->kind == K_RUN) {
        uint64_t lead = p->kind == K_ROOT;
        if (lead && off >= p->off && off - p->off < 8)
            return 0;
        uint64_t pos = p->a[0], n = p->nkids - lead - (p->a[3] != END_IEND);
        for (uint64_t j = 0; j < n; j++) {
            uint64_t len;
            uint8_t type[4];
            const char *why;
            if (!chunk_at(src, pos, &len, type, &why))
                return NONE;
            if (off >= pos && off - pos < 12 + len)
                return lead + j;
            pos += 12 + len;
        }
        return p->a[3] != END_IEND && off >= p->a[1] ? lead + n : NONE;
    }
    for (uint64_t i = 0; i < p->nkids; i++) {
        FmtNode k;
        if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
            return i;
    }
    return NONE;
}

const FmtDecoder fmt_png = {
    .name = "png",
    .title = "PNG image",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
