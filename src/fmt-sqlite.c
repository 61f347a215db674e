/*
 * fmt-sqlite: the SQLite 3 database file: the 100-byte header, and the
 * pages as one lazy table (page N at (N - 1) * page size, found from an
 * offset by division). A page names its type from the first byte of its
 * b-tree header (at 100 on page 1); a b-tree page has as children its
 * b-tree header, its cell pointer array (a lazy table) and its cells, each
 * decoded on demand from its pointer: the varints of its header, the
 * record's serial types and the columns stored in the page, and the first
 * overflow page's number when the payload does not fit.
 *
 * Nothing here walks the b-trees or the overflow and freelist chains: a
 * page is decoded from its own bytes only, so any page of a huge file is a
 * few small reads away, and a looping chain cannot hang anything. A page
 * that is not a b-tree page (overflow, freelist, pointer map, the lock-byte
 * page) cannot be told apart from its bytes alone; it says so, and what the
 * header tells for free (the first freelist trunk page, decoded, and the
 * pointer-map and lock-byte pages' places).
 *
 * Every cell is checked against its page: pointers outside the page,
 * varints running past it (at most 9 bytes, never past the page's usable
 * end), payloads larger than the page holds, record headers longer than
 * their payload all give malformed nodes. Walking a record's serial types
 * reads through a small window, so a column is at most a few dozen small
 * reads away even on a 64 KiB page.
 *
 * Node arguments: a[0] the database's start, a[1] its geometry (page size,
 * usable size, text encoding: geo_pack), a[2] the page number, a[3] what
 * the kind needs (the cell's index and offset in its page for cells).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define HDR_SIZE 100
#define MAGIC "SQLite format 3"     /* and its NUL: 16 bytes */
#define LOCK_BYTE_OFF 0x40000000ull /* the page holding it is never used */
#define RD_WIN 512                  /* window of the record header reader */
#define PREVIEW 64                  /* bytes of a text column shown */
#define FIND_SCAN 64                /* small groups: find tries children */

enum { K_ROOT, K_HDR, K_PAGES, K_PAGE, K_BTHDR, K_PTRS, K_CELL, K_RECHDR, K_TRUNK, K_LEAVES };

/* b-tree page types (the b-tree header's first byte). */
enum { PT_INT_INDEX = 0x02, PT_INT_TABLE = 0x05, PT_LEAF_INDEX = 0x0a, PT_LEAF_TABLE = 0x0d };

static const FmtField hdr_fields[] = {
    {"header string", 0, 16, FV_ASCII},
    {"page size", 16, 2, FV_UINT},
    {"write version", 18, 1, FV_UINT},
    {"read version", 19, 1, FV_UINT},
    {"reserved bytes", 20, 1, FV_UINT},
    {"max embedded payload fraction", 21, 1, FV_UINT},
    {"min embedded payload fraction", 22, 1, FV_UINT},
    {"leaf payload fraction", 23, 1, FV_UINT},
    {"file change counter", 24, 4, FV_UINT},
    {"database size in pages", 28, 4, FV_UINT},
    {"first freelist trunk page", 32, 4, FV_UINT},
    {"freelist page count", 36, 4, FV_UINT},
    {"schema cookie", 40, 4, FV_UINT},
    {"schema format", 44, 4, FV_UINT},
    {"default cache size", 48, 4, FV_SINT},
    {"largest root b-tree page", 52, 4, FV_UINT},
    {"text encoding", 56, 4, FV_UINT},
    {"user version", 60, 4, FV_SINT},
    {"incremental vacuum", 64, 4, FV_UINT},
    {"application id", 68, 4, FV_SINT},
    {"reserved for expansion", 72, 20, FV_BYTES},
    {"version-valid-for", 92, 4, FV_UINT},
    {"SQLite version number", 96, 4, FV_UINT},
};
#define N_HDR (sizeof hdr_fields / sizeof *hdr_fields)

static const FmtField bt_fields[] = {
    {"page type", 0, 1, FV_HEXN},
    {"first freeblock", 1, 2, FV_UINT},
    {"cell count", 3, 2, FV_UINT},
    {"cell content start", 5, 2, FV_UINT},
    {"fragmented free bytes", 7, 1, FV_UINT},
    {"right-most pointer", 8, 4, FV_UINT},
};

/* ---- geometry: what every node below the root carries in a[1] ---- */

typedef struct Geo {
    uint64_t base;   /* the database's first byte */
    uint32_t ps;     /* page size */
    uint32_t usable; /* page size less the reserved bytes */
    unsigned enc;    /* text encoding: 1 UTF-8, 2 UTF-16le, 3 UTF-16be */
} Geo;

static uint64_t geo_pack(const Geo *g)
{
    return (uint64_t)g->ps | (uint64_t)g->usable << 20 | (uint64_t)(g->enc & 3) << 40;
}

static Geo geo_of(const FmtNode *n)
{
    Geo g = {.base = n->a[0],
             .ps = (uint32_t)(n->a[1] & 0xfffff),
             .usable = (uint32_t)(n->a[1] >> 20 & 0xfffff),
             .enc = (unsigned)(n->a[1] >> 40 & 3)};
    return g;
}

static uint64_t page_off(const Geo *g, uint64_t pgno)
{
    return g->base + (pgno - 1) * g->ps;
}

/* Where page pgno's b-tree header starts (page 1: after the file header). */
static uint64_t bt_off(const Geo *g, uint64_t pgno)
{
    return page_off(g, pgno) + (pgno == 1 ? HDR_SIZE : 0);
}

static bool bt_type(unsigned t)
{
    return t == PT_INT_INDEX || t == PT_INT_TABLE || t == PT_LEAF_INDEX || t == PT_LEAF_TABLE;
}

static bool interior(unsigned t)
{
    return t == PT_INT_INDEX || t == PT_INT_TABLE;
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case PT_INT_INDEX: return "interior index";
    case PT_INT_TABLE: return "interior table";
    case PT_LEAF_INDEX: return "leaf index";
    case PT_LEAF_TABLE: return "leaf table";
    default: return "not a b-tree page";
    }
}

/* A varint at b (avail bytes there): its length (1..9) and *v, or 0 when
 * it runs past avail. */
static unsigned varint(const uint8_t *b, size_t avail, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < 9; i++) {
        if (i >= avail)
            return 0;
        if (i == 8) {
            *v = x << 8 | b[i];
            return 9;
        }
        x = x << 7 | (b[i] & 0x7f);
        if (!(b[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* ---- the header ---- */

typedef struct Hdr {
    uint32_t ps_raw, ps;     /* as stored; in bytes (0: invalid) */
    unsigned reserved, enc;  /* reserved bytes a page, text encoding */
    uint64_t npages;         /* the header's count when valid, else 0 */
    uint64_t counter, valid; /* file change counter, version-valid-for */
    uint64_t trunk, vacuum;  /* first freelist trunk, largest root page */
} Hdr;

static bool magic_ok(const FmtSrc *src, uint64_t off)
{
    uint8_t b[16];
    if (off >= src->size || src->size - off < sizeof b || src->read(src->ctx, off, b, sizeof b) < 0)
        return false;
    return memcmp(b, MAGIC, sizeof b) == 0;
}

static void read_hdr(const FmtSrc *src, uint64_t off, Hdr *h)
{
    uint8_t b[HDR_SIZE];
    memset(h, 0, sizeof *h);
    if (fmt_read(src, off, b, sizeof b) < 0)
        return;
    h->ps_raw = (uint32_t)fmt_get(b + 16, 2, true);
    uint32_t ps = h->ps_raw == 1 ? 65536 : h->ps_raw;
    h->ps = ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0 ? ps : 0;
    h->reserved = b[20];
    h->counter = fmt_get(b + 24, 4, true);
    h->valid = fmt_get(b + 92, 4, true);
    uint64_t n = fmt_get(b + 28, 4, true);
    h->npages = n && h->counter == h->valid ? n : 0;
    h->trunk = fmt_get(b + 32, 4, true);
    h->vacuum = fmt_get(b + 52, 4, true);
    h->enc = (unsigned)fmt_get(b + 56, 4, true);
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    return magic_ok(src, off);
}

/* Pages in the database: the header's count when valid, else what the
 * file holds (a partial last page counts: fmt_child marks it). */
static uint64_t page_count(const FmtSrc *src, uint64_t base, const Hdr *h)
{
    if (!h->ps)
        return 0;
    uint64_t room = src->size - base;
    uint64_t fit = room / h->ps + (room % h->ps != 0);
    uint64_t n = h->npages ? h->npages : fit;
    return n < fit ? n : fit;
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (!magic_ok(src, off))
        return -EINVAL;
    Hdr h;
    read_hdr(src, off, &h);
    uint64_t n = page_count(src, off, &h);
    fmt_group(out, &fmt_sqlite, K_ROOT, "SQLite database", off, n ? n * h.ps : src->size - off, 2);
    Geo g = {.base = off,
             .ps = h.ps,
             .usable = h.ps > h.reserved ? h.ps - h.reserved : 0,
             .enc = h.enc >= 1 && h.enc <= 3 ? h.enc : 1};
    out->a[0] = off;
    out->a[1] = geo_pack(&g);
    out->a[3] = n;
    if (h.ps)
        snprintf(out->text, sizeof out->text, "SQLite 3 database, %" PRIu64 " pages of %u bytes", n,
                 h.ps);
    return 0;
}

static void hdr_note(const FmtSrc *src, uint64_t base, size_t i, FmtNode *out)
{
    uint64_t v = 0;
    const FmtField *f = &hdr_fields[i];
    if (f->val != FV_UINT || fmt_uint(src, base + f->off, f->len, true, &v) < 0)
        return;
    const char *s = NULL;
    if (f->off == 16) {
        s = v == 1 ? "65536" : (v >= 512 && v <= 32768 && (v & (v - 1)) == 0) ? "" : "invalid";
    } else if (f->off == 18 || f->off == 19) {
        s = v == 1 ? "legacy (rollback journal)" : v == 2 ? "WAL" : "unknown";
    } else if (f->off == 56) {
        s = v == 1 ? "UTF-8" : v == 2 ? "UTF-16le" : v == 3 ? "UTF-16be" : "invalid";
    } else if (f->off == 28) {
        Hdr h;
        read_hdr(src, base, &h);
        s = h.npages ? "" : "not valid: the file's size counts";
    } else if (f->off == 96) {
        snprintf(out->note, sizeof out->note, "%" PRIu64 ".%" PRIu64 ".%" PRIu64, v / 1000000,
                 v / 1000 % 1000, v % 1000);
        return;
    } else if (f->off == 52) {
        s = v ? "auto-vacuum: pointer-map pages" : "no auto-vacuum";
    }
    if (s)
        snprintf(out->note, sizeof out->note, "%s", s);
}

/* ---- pages ---- */

/* What the header alone tells of page pgno when it is no b-tree page
 * (NULL: nothing). Known before its bytes are read: a pointer-map page's
 * first byte (an entry's type, 1-5) would pass for a b-tree page type. */
static const char *known_other(const FmtSrc *src, const Geo *g, uint64_t pgno)
{
    Hdr h;
    read_hdr(src, g->base, &h);
    if (h.trunk && pgno == h.trunk)
        return "the first freelist trunk page";
    if (LOCK_BYTE_OFF / g->ps + 1 == pgno)
        return "the lock-byte page (unused)";
    if (h.vacuum && g->usable >= 5 && pgno >= 2 && (pgno - 2) % (g->usable / 5 + 1) == 0)
        return "a pointer-map page";
    return NULL;
}

/* Page pgno's b-tree header: type, cell count, where the pointers start. */
typedef struct Page {
    unsigned type;
    uint64_t bt;    /* b-tree header's offset */
    unsigned hsize; /* 8 or 12 */
    uint64_t ncell; /* as stored */
    uint64_t fit;   /* clamped to the page */
    uint64_t ptrs;  /* the cell pointer array's offset */
    uint64_t end;   /* the page's usable end */
} Page;

static void read_page(const FmtSrc *src, const Geo *g, uint64_t pgno, Page *p)
{
    uint8_t b[8];
    memset(p, 0, sizeof *p);
    p->bt = bt_off(g, pgno);
    p->end = page_off(g, pgno) + g->usable;
    if (fmt_read(src, p->bt, b, sizeof b) < 0)
        return;
    p->type = b[0];
    if (!bt_type(p->type) || g->usable < 480)
        return; /* hsize 0: no b-tree page, or one sqlite refuses */
    p->hsize = interior(p->type) ? 12 : 8;
    p->ncell = fmt_get(b + 3, 2, true);
    p->ptrs = p->bt + p->hsize;
    uint64_t room = p->end > p->ptrs ? (p->end - p->ptrs) / 2 : 0;
    p->fit = p->ncell < room ? p->ncell : room;
}

static void page_node(const FmtSrc *src, const FmtNode *parent, uint64_t pgno, FmtNode *out)
{
    Geo g = geo_of(parent);
    Page p;
    read_page(src, &g, pgno, &p);
    char name[FMT_NAME];
    snprintf(name, sizeof name, "page %" PRIu64, pgno);
    fmt_group(out, &fmt_sqlite, K_PAGE, name, page_off(&g, pgno), g.ps, 0);
    out->a[0] = parent->a[0];
    out->a[1] = parent->a[1];
    out->a[2] = pgno;
    out->val = FV_TEXT;
    const char *other = pgno > 1 ? known_other(src, &g, pgno) : NULL;
    if (other || !bt_type(p.type)) {
        snprintf(out->text, sizeof out->text, "not a b-tree page");
        snprintf(out->note, sizeof out->note, "%s", other ? other : "overflow, freelist or other");
        if (other && strstr(other, "trunk") && g.usable >= 480) {
            out->kind = K_TRUNK;
            out->nkids = 3;
        }
        return;
    }
    if (!p.hsize) {
        fmt_bad(out, name, out->off, "the usable page size %u is below 480", g.usable);
        return;
    }
    snprintf(out->text, sizeof out->text, "%s, %" PRIu64 " cell%s", type_name(p.type), p.ncell,
             p.ncell == 1 ? "" : "s");
    if (pgno == 1)
        snprintf(out->note, sizeof out->note, "the schema (sqlite_schema), after the header");
    out->nkids = 2 + p.fit + (p.fit < p.ncell);
}

/* ---- cells ---- */

typedef struct Cell {
    const char *why;   /* malformed: why (NULL: fine) */
    uint64_t off, len; /* the cell's bytes in the page */
    uint64_t end;      /* its page's usable end */
    unsigned type;     /* its page's type */
    uint64_t left;     /* left child page (interior) */
    uint64_t psize;    /* payload size (0: none, table interior) */
    uint64_t poff;     /* payload size varint */
    unsigned plen;
    uint64_t rowid; /* table cells */
    uint64_t roff;
    unsigned rlen;
    uint64_t pay;   /* payload's first byte */
    uint64_t local; /* payload bytes in the page */
    bool over;      /* the payload overflows */
    uint64_t ovfl;  /* its first overflow page */
    uint64_t hsize; /* record header size */
    unsigned hlen;  /* its varint's length */
    uint64_t hend;  /* the record header's end in the page */
} Cell;

/* Payload bytes kept in the page (sqlite's btreeParseCellAdjustSizeForOverflow). */
static uint64_t local_size(uint64_t u, uint64_t p, bool table_leaf)
{
    uint64_t x = table_leaf ? u - 35 : (u - 12) * 64 / 255 - 23;
    if (p <= x)
        return p;
    uint64_t m = (u - 12) * 32 / 255 - 23;
    uint64_t k = m + (p - m) % (u - 4);
    return k <= x ? k : m;
}

/* Cell idx of a page: read its pointer and parse it. */
static void parse_cell(const FmtSrc *src, const Geo *g, uint64_t pgno, uint64_t idx, Cell *c)
{
    Page p;
    read_page(src, g, pgno, &p);
    memset(c, 0, sizeof *c);
    c->type = p.type;
    c->end = p.end;
    uint64_t ptr = 0, po = page_off(g, pgno);
    c->off = p.ptrs + 2 * idx;
    if (idx >= p.fit || fmt_uint(src, p.ptrs + 2 * idx, 2, true, &ptr) < 0) {
        c->why = "no such cell pointer";
        return;
    }
    if (ptr < p.ptrs + 2 * p.fit - po || po + ptr >= p.end) {
        c->why = "the cell pointer lies outside the cell content area";
        return;
    }
    c->off = po + ptr;
    uint8_t b[32];
    if (fmt_read(src, c->off, b, sizeof b) < 0) {
        c->why = "unreadable";
        return;
    }
    size_t avail = c->end - c->off < sizeof b ? (size_t)(c->end - c->off) : sizeof b;
    size_t k = 0;
    if (interior(c->type)) {
        if (avail < 4) {
            c->why = "the left child pointer runs past the page";
            return;
        }
        c->left = fmt_get(b, 4, true);
        k = 4;
    }
    if (c->type != PT_INT_TABLE) {
        c->poff = c->off + k;
        c->plen = varint(b + k, avail - k, &c->psize);
        if (!c->plen) {
            c->why = "the payload size runs past the page";
            return;
        }
        k += c->plen;
    }
    if (c->type == PT_INT_TABLE || c->type == PT_LEAF_TABLE) {
        c->roff = c->off + k;
        c->rlen = varint(b + k, avail - k, &c->rowid);
        if (!c->rlen) {
            c->why = "the rowid runs past the page";
            return;
        }
        k += c->rlen;
    }
    c->pay = c->off + k;
    c->len = k;
    if (c->type == PT_INT_TABLE)
        return;
    c->local = local_size(g->usable, c->psize, c->type == PT_LEAF_TABLE);
    uint64_t room = c->end - c->pay;
    if (c->local > room || (c->local < c->psize && room - c->local < 4)) {
        c->why = "the payload runs past the page";
        return;
    }
    c->len += c->local;
    if (c->local < c->psize) {
        c->over = true;
        fmt_uint(src, c->pay + c->local, 4, true, &c->ovfl);
        c->len += 4;
    }
    uint8_t h[9];
    size_t hav = c->local < sizeof h ? (size_t)c->local : sizeof h;
    if (fmt_read(src, c->pay, h, sizeof h) < 0 || !(c->hlen = varint(h, hav, &c->hsize)) ||
        c->hsize < c->hlen) {
        c->why = "the record header size is not valid";
        return;
    }
    c->hend = c->pay + (c->hsize < c->local ? c->hsize : c->local);
}

/* Reads a run of varints through a small window, never past end. */
typedef struct Rd {
    const FmtSrc *src;
    uint64_t pos, end; /* next varint; limit */
    uint64_t wo;       /* window's offset */
    size_t wl;         /* bytes in it */
    uint8_t w[RD_WIN];
} Rd;

static void rd_init(Rd *r, const FmtSrc *src, uint64_t pos, uint64_t end)
{
    r->src = src;
    r->pos = pos;
    r->end = end;
    r->wo = pos;
    r->wl = 0;
}

/* The next varint: its length, or 0 at the end (or a varint cut by it). */
static unsigned rd_next(Rd *r, uint64_t *v)
{
    if (r->pos >= r->end)
        return 0;
    if (r->pos < r->wo || r->pos + 9 > r->wo + r->wl) {
        if (r->wo + r->wl < r->end || r->pos < r->wo) {
            r->wo = r->pos;
            uint64_t n = r->end - r->pos;
            r->wl = n < RD_WIN ? (size_t)n : RD_WIN;
            if (fmt_read(r->src, r->wo, r->w, r->wl) < 0)
                return 0;
        }
    }
    unsigned n = varint(r->w + (r->pos - r->wo), (size_t)(r->wo + r->wl - r->pos), v);
    r->pos += n;
    return n;
}

/* Bytes a column of serial type t takes (UINT64_MAX: reserved type). */
static uint64_t serial_size(uint64_t t)
{
    static const uint8_t sz[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
    if (t == 10 || t == 11)
        return UINT64_MAX;
    return t < 12 ? sz[t] : (t - 12) / 2;
}

static const char *serial_name(uint64_t t)
{
    static const char *const names[12] = {"NULL",           "8-bit integer",  "16-bit integer",
                                          "24-bit integer", "32-bit integer", "48-bit integer",
                                          "64-bit integer", "64-bit float",   "integer 0",
                                          "integer 1",      "reserved",       "reserved"};
    return t < 12 ? names[t] : t % 2 ? "text" : "blob";
}

/* Serial types in the record header that lie in the page. */
static uint64_t column_count(const FmtSrc *src, const Cell *c)
{
    Rd r;
    rd_init(&r, src, c->pay + c->hlen, c->hend);
    uint64_t v, n = 0;
    while (rd_next(&r, &v))
        n++;
    return n;
}

/* Column i: its serial type and where its value starts (from the payload's
 * start); false when the header holds no column i in the page. */
static bool column_at(const FmtSrc *src, const Cell *c, uint64_t i, uint64_t *type, uint64_t *rel)
{
    Rd r;
    rd_init(&r, src, c->pay + c->hlen, c->hend);
    uint64_t at = c->hsize, v = 0;
    for (uint64_t k = 0;; k++) {
        if (!rd_next(&r, &v))
            return false;
        uint64_t sz = serial_size(v);
        if (k == i) {
            *type = v;
            *rel = at;
            return true;
        }
        at = sz > UINT64_MAX - at ? UINT64_MAX : at + sz;
    }
}

/* Text bytes as shown: UTF-8 kept when valid, UTF-16 converted, the rest
 * as '.'; "..." when cut. */
static void text_preview(const uint8_t *b, size_t n, unsigned enc, bool cut, char *out, size_t cap)
{
    size_t k = 0;
    out[k++] = '"';
    if (enc == 2 || enc == 3) {
        for (size_t i = 0; i + 1 < n && k + 8 < cap; i += 2) {
            unsigned ch =
                enc == 2 ? b[i] | (unsigned)b[i + 1] << 8 : (unsigned)b[i] << 8 | b[i + 1];
            if (ch >= 0x20 && ch < 0x7f) {
                out[k++] = (char)ch;
            } else if (ch >= 0x80 && ch < 0x800) {
                out[k++] = (char)(0xc0 | ch >> 6);
                out[k++] = (char)(0x80 | (ch & 0x3f));
            } else if (ch >= 0x800 && (ch < 0xd800 || ch >= 0xe000)) {
                out[k++] = (char)(0xe0 | ch >> 12);
                out[k++] = (char)(0x80 | (ch >> 6 & 0x3f));
                out[k++] = (char)(0x80 | (ch & 0x3f));
            } else {
                out[k++] = '.';
            }
        }
    } else {
        for (size_t i = 0; i < n && k + 8 < cap;) {
            unsigned ch = b[i], more = ch >= 0xf0 && ch < 0xf5 ? 3
                                       : ch >= 0xe0            ? 2
                                       : ch >= 0xc2            ? 1
                                                               : 0;
            if (ch >= 0x20 && ch < 0x7f) {
                out[k++] = (char)ch;
                i++;
                continue;
            }
            bool ok = ch >= 0xc2 && ch < 0xf5 && i + more < n;
            for (unsigned j = 1; ok && j <= more; j++)
                ok = (b[i + j] & 0xc0) == 0x80;
            if (!ok) {
                out[k++] = '.';
                i++;
                continue;
            }
            memcpy(out + k, b + i, more + 1);
            k += more + 1;
            i += more + 1;
        }
    }
    if (cut && k + 5 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k++] = '"';
    out[k] = 0;
}

static void column_node(const FmtSrc *src, const Geo *g, const Cell *c, uint64_t i, FmtNode *out)
{
    char name[FMT_NAME];
    snprintf(name, sizeof name, "column %" PRIu64, i);
    uint64_t t = 0, rel = 0;
    if (!column_at(src, c, i, &t, &rel)) {
        fmt_bad(out, name, c->pay, "no serial type for it in the record header");
        return;
    }
    uint64_t sz = serial_size(t);
    if (sz == UINT64_MAX) {
        fmt_bad(out, name, c->pay, "serial type %" PRIu64 " is reserved", t);
        return;
    }
    if (rel > c->psize || sz > c->psize - rel) {
        fmt_bad(out, name, c->pay + (rel < c->local ? rel : c->local),
                "the value passes the payload's end");
        return;
    }
    snprintf(out->name, sizeof out->name, "%s", name);
    out->val = FV_TEXT;
    snprintf(out->note, sizeof out->note, "serial type %" PRIu64 ": %s", t, serial_name(t));
    out->off = c->pay + (rel < c->local ? rel : c->local);
    out->len = rel >= c->local ? 0 : sz < c->local - rel ? sz : c->local - rel;
    uint8_t b[PREVIEW];
    size_t have = out->len < sizeof b ? (size_t)out->len : sizeof b;
    if (fmt_read(src, out->off, b, have) < 0) {
        snprintf(out->text, sizeof out->text, "(unreadable)");
        return;
    }
    bool whole = out->len == sz;
    if (t == 0) {
        snprintf(out->text, sizeof out->text, "NULL");
    } else if (t == 8 || t == 9) {
        snprintf(out->text, sizeof out->text, "%d", (int)(t - 8));
    } else if (t <= 6) {
        if (!whole) {
            snprintf(out->text, sizeof out->text, "(in the overflow pages)");
            return;
        }
        uint64_t v = fmt_get(b, (unsigned)sz, true);
        unsigned sh = (unsigned)(64 - 8 * sz);
        snprintf(out->text, sizeof out->text, "%" PRId64, (int64_t)(v << sh) >> sh);
    } else if (t == 7) {
        if (!whole) {
            snprintf(out->text, sizeof out->text, "(in the overflow pages)");
            return;
        }
        uint64_t v = fmt_get(b, 8, true);
        double d;
        memcpy(&d, &v, sizeof d);
        snprintf(out->text, sizeof out->text, "%.15g", d);
        double back;
        if (sscanf(out->text, "%lf", &back) != 1 || back != d)
            snprintf(out->text, sizeof out->text, "%.17g", d);
    } else if (t % 2) {
        text_preview(b, have, g->enc, have < sz, out->text, sizeof out->text);
        size_t k = strlen(out->note);
        snprintf(out->note + k, sizeof out->note - k, ", %" PRIu64 " byte%s%s", sz,
                 sz == 1 ? "" : "s", whole ? "" : ", continues in the overflow pages");
    } else {
        snprintf(out->text, sizeof out->text, "blob, %" PRIu64 " byte%s", sz, sz == 1 ? "" : "s");
        if (!whole) {
            size_t k = strlen(out->note);
            snprintf(out->note + k, sizeof out->note - k, ", continues in the overflow pages");
        }
    }
}

/* A varint field of a cell. */
static void varint_node(FmtNode *out, const char *name, uint64_t off, unsigned len, uint64_t v,
                        bool sig)
{
    snprintf(out->name, sizeof out->name, "%s", name);
    out->off = off;
    out->len = len;
    out->val = FV_TEXT;
    if (sig)
        snprintf(out->text, sizeof out->text, "%" PRId64, (int64_t)v);
    else
        snprintf(out->text, sizeof out->text, "%" PRIu64, v);
    snprintf(out->note, sizeof out->note, "varint");
}

/* Children of a cell before its columns. */
static uint64_t cell_fixed(const Cell *c)
{
    switch (c->type) {
    case PT_INT_TABLE: return 2;  /* left child, rowid */
    case PT_LEAF_TABLE: return 3; /* payload size, rowid, record header */
    case PT_LEAF_INDEX: return 2; /* payload size, record header */
    default: return 3;            /* left child, payload size, record header */
    }
}

static void cell_node(const FmtSrc *src, const FmtNode *page, uint64_t idx, FmtNode *out)
{
    Geo g = geo_of(page);
    Cell c;
    parse_cell(src, &g, page->a[2], idx, &c);
    char name[FMT_NAME];
    snprintf(name, sizeof name, "cell %" PRIu64, idx);
    if (c.why) {
        fmt_bad(out, name, c.off, "%s", c.why);
        return;
    }
    uint64_t ncol = c.type == PT_INT_TABLE ? 0 : column_count(src, &c);
    fmt_group(out, &fmt_sqlite, K_CELL, name, c.off, c.len, cell_fixed(&c) + ncol + c.over);
    out->a[0] = page->a[0];
    out->a[1] = page->a[1];
    out->a[2] = page->a[2];
    out->a[3] = idx;
    out->val = FV_TEXT;
    switch (c.type) {
    case PT_INT_TABLE:
        snprintf(out->text, sizeof out->text, "left child page %" PRIu64 ", rowid %" PRId64, c.left,
                 (int64_t)c.rowid);
        break;
    case PT_LEAF_TABLE:
        snprintf(out->text, sizeof out->text, "rowid %" PRId64 ", %" PRIu64 " column%s",
                 (int64_t)c.rowid, ncol, ncol == 1 ? "" : "s");
        break;
    default:
        snprintf(out->text, sizeof out->text, "key of %" PRIu64 " column%s", ncol,
                 ncol == 1 ? "" : "s");
        if (interior(c.type)) {
            size_t k = strlen(out->text);
            snprintf(out->text + k, sizeof out->text - k, ", left child page %" PRIu64, c.left);
        }
        break;
    }
    if (c.over)
        snprintf(out->note, sizeof out->note,
                 "payload %" PRIu64 " bytes, %" PRIu64 " here, the rest from page %" PRIu64,
                 c.psize, c.local, c.ovfl);
    else if (c.hsize > c.local)
        snprintf(out->note, sizeof out->note, "the record header passes the payload");
}

static int cell_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Geo g = geo_of(p);
    Cell c;
    parse_cell(src, &g, p->a[2], p->a[3], &c);
    if (c.why) {
        fmt_bad(out, "cell", c.off, "%s", c.why);
        return 0;
    }
    uint64_t nf = cell_fixed(&c);
    static const FmtField left = {"left child page", 0, 4, FV_UINT};
    if (interior(c.type) && i == 0) {
        fmt_field(out, &left, c.off, true);
        return 0;
    }
    uint64_t j = interior(c.type) ? i - 1 : i; /* after the left child */
    if (c.type == PT_INT_TABLE) {
        varint_node(out, "rowid", c.roff, c.rlen, c.rowid, true);
        return 0;
    }
    if (j == 0) {
        varint_node(out, "payload size", c.poff, c.plen, c.psize, false);
        return 0;
    }
    if (c.type == PT_LEAF_TABLE && j == 1) {
        varint_node(out, "rowid", c.roff, c.rlen, c.rowid, true);
        return 0;
    }
    if (i == nf - 1) {
        uint64_t n = column_count(src, &c);
        fmt_group(out, &fmt_sqlite, K_RECHDR, "record header", c.pay, c.hend - c.pay, 1 + n);
        out->a[0] = p->a[0];
        out->a[1] = p->a[1];
        out->a[2] = p->a[2];
        out->a[3] = p->a[3];
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " bytes, %" PRIu64 " serial types",
                 c.hsize, n);
        if (c.hsize > c.local)
            snprintf(out->note, sizeof out->note, "continues in the overflow pages");
        return 0;
    }
    uint64_t col = i - nf;
    if (c.over && i == p->nkids - 1) {
        static const FmtField ov = {"overflow page", 0, 4, FV_UINT};
        fmt_field(out, &ov, c.pay + c.local, true);
        if (c.ovfl == 0)
            snprintf(out->note, sizeof out->note, "page 0 is no page");
        return 0;
    }
    column_node(src, &g, &c, col, out);
    return 0;
}

static int rechdr_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Geo g = geo_of(p);
    Cell c;
    parse_cell(src, &g, p->a[2], p->a[3], &c);
    if (c.why) {
        fmt_bad(out, "record header", c.off, "%s", c.why);
        return 0;
    }
    if (i == 0) {
        varint_node(out, "header size", c.pay, c.hlen, c.hsize, false);
        return 0;
    }
    Rd r;
    rd_init(&r, src, c.pay + c.hlen, c.hend);
    uint64_t v = 0;
    unsigned n = 0;
    for (uint64_t k = 0; k < i; k++) {
        uint64_t at = r.pos;
        if (!(n = rd_next(&r, &v))) {
            fmt_bad(out, "serial type", at, "the record header ends");
            return 0;
        }
    }
    char name[FMT_NAME];
    snprintf(name, sizeof name, "serial type %" PRIu64, i - 1);
    varint_node(out, name, r.pos - n, n, v, false);
    snprintf(out->note, sizeof out->note, "%s", serial_name(v));
    if (v >= 12) {
        size_t k = strlen(out->note);
        snprintf(out->note + k, sizeof out->note - k, " of %" PRIu64 " bytes", serial_size(v));
    }
    return 0;
}

/* ---- the freelist ---- */

/* The first freelist trunk page: the next trunk, and its leaf pages (a
 * lazy table, clamped to the page). */
static int trunk_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Geo g = geo_of(p);
    static const FmtField f[] = {{"next trunk page", 0, 4, FV_UINT}, {"leaf count", 4, 4, FV_UINT}};
    if (i < 2) {
        fmt_field(out, &f[i], p->off, true);
        return 0;
    }
    uint64_t n = 0, fit = (g.usable - 8) / 4;
    fmt_uint(src, p->off + 4, 4, true, &n);
    if (n > fit) {
        fmt_bad(out, "leaf pages", p->off + 4, "leaf count %" PRIu64 " does not fit in the page",
                n);
        return 0;
    }
    fmt_group(out, &fmt_sqlite, K_LEAVES, "leaf pages", p->off + 8, 4 * n, n);
    out->a[0] = p->a[0];
    out->a[1] = p->a[1];
    out->a[2] = p->a[2];
    return 0;
}

/* ---- the tree ---- */

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Geo g = geo_of(p);
    switch (p->kind) {
    case K_ROOT:
        if (i == 0) {
            fmt_group(out, &fmt_sqlite, K_HDR, "header", p->off, HDR_SIZE, N_HDR);
            out->a[0] = p->a[0];
            return 0;
        }
        if (!g.ps) {
            Hdr h;
            read_hdr(src, g.base, &h);
            fmt_bad(out, "pages", g.base + 16,
                    "page size %u is not a power of two from 512 to 65536", h.ps_raw);
            return 0;
        }
        fmt_group(out, &fmt_sqlite, K_PAGES, "pages", p->off, p->len, p->a[3]);
        out->a[0] = p->a[0];
        out->a[1] = p->a[1];
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " of %u bytes", p->a[3], g.ps);
        return 0;
    case K_HDR:
        fmt_field(out, &hdr_fields[i], p->a[0], true);
        hdr_note(src, p->a[0], (size_t)i, out);
        return 0;
    case K_PAGES: page_node(src, p, i + 1, out); return 0;
    case K_PAGE: {
        Page pg;
        read_page(src, &g, p->a[2], &pg);
        if (i == 0) {
            fmt_group(out, &fmt_sqlite, K_BTHDR, "b-tree header", pg.bt, pg.hsize,
                      pg.hsize == 12 ? 6 : 5);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%s", type_name(pg.type));
            return 0;
        }
        if (i == 1) {
            fmt_group(out, &fmt_sqlite, K_PTRS, "cell pointers", pg.ptrs, 2 * pg.fit, pg.fit);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "%" PRIu64 " pointers", pg.fit);
            return 0;
        }
        if (i - 2 >= pg.fit) {
            fmt_bad(out, "cells", pg.bt + 3, "cell count %" PRIu64 " does not fit in the page",
                    pg.ncell);
            return 0;
        }
        cell_node(src, p, i - 2, out);
        return 0;
    }
    case K_BTHDR:
        fmt_field(out, &bt_fields[i], p->off, true);
        if (i == 3) {
            uint64_t v = 0;
            if (fmt_uint(src, p->off + 5, 2, true, &v) == 0 && v == 0)
                snprintf(out->note, sizeof out->note, "0 means 65536");
        }
        return 0;
    case K_PTRS: {
        snprintf(out->name, sizeof out->name, "cell pointer %" PRIu64, i);
        out->off = p->off + 2 * i;
        out->len = 2;
        out->val = FV_UINT;
        out->big = true;
        return 0;
    }
    case K_CELL: return cell_child(src, p, i, out);
    case K_RECHDR: return rechdr_child(src, p, i, out);
    case K_TRUNK: return trunk_child(src, p, i, out);
    case K_LEAVES:
        snprintf(out->name, sizeof out->name, "leaf page %" PRIu64, i);
        out->off = p->off + 4 * i;
        out->len = 4;
        out->val = FV_UINT;
        out->big = true;
        return 0;
    default: return -EINVAL;
    }
}

static bool holds(const FmtNode *n, uint64_t off)
{
    return n->len && off >= n->off && off - n->off < n->len;
}

/* Small groups: the first child holding off, trying at most FIND_SCAN. */
static uint64_t scan(const FmtSrc *src, const FmtNode *p, uint64_t from, uint64_t to, uint64_t off)
{
    for (uint64_t i = from; i < to && i < p->nkids && i - from < FIND_SCAN; i++) {
        FmtNode k;
        memset(&k, 0, sizeof k);
        if (child(src, p, i, &k) == 0 && holds(&k, off))
            return i;
    }
    return UINT64_MAX;
}

/* The cell of page p starting at or last before off. */
static uint64_t find_cell(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    Geo g = geo_of(p);
    Page pg;
    read_page(src, &g, p->a[2], &pg);
    if (off < pg.bt + pg.hsize)
        return 0;
    if (off < pg.ptrs + 2 * pg.fit)
        return 1;
    uint64_t rel = off - page_off(&g, p->a[2]), best = UINT64_MAX, at = 0;
    uint8_t b[RD_WIN];
    for (uint64_t i = 0; i < pg.fit; i += sizeof b / 2) {
        uint64_t n = pg.fit - i < sizeof b / 2 ? pg.fit - i : sizeof b / 2;
        if (fmt_read(src, pg.ptrs + 2 * i, b, (size_t)(2 * n)) < 0)
            return UINT64_MAX;
        for (uint64_t k = 0; k < n; k++) {
            uint64_t v = fmt_get(b + 2 * k, 2, true);
            if (v <= rel && (best == UINT64_MAX || v > at)) {
                best = i + k;
                at = v;
            }
        }
    }
    return best == UINT64_MAX ? UINT64_MAX : 2 + best;
}

/* The column of cell p holding off (walks the serial types once). */
static uint64_t find_column(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    Geo g = geo_of(p);
    Cell c;
    parse_cell(src, &g, p->a[2], p->a[3], &c);
    if (c.why)
        return UINT64_MAX;
    uint64_t nf = cell_fixed(&c);
    if (off < c.pay + c.local && off >= c.hend) {
        Rd r;
        rd_init(&r, src, c.pay + c.hlen, c.hend);
        uint64_t at = c.hsize, v;
        for (uint64_t k = 0; rd_next(&r, &v); k++) {
            uint64_t sz = serial_size(v);
            if (sz == UINT64_MAX)
                break;
            if (off - c.pay >= at && off - c.pay - at < sz)
                return nf + k;
            at = sz > UINT64_MAX - at ? UINT64_MAX : at + sz;
        }
        return UINT64_MAX;
    }
    uint64_t i = scan(src, p, 0, nf, off);
    if (i == UINT64_MAX && c.over)
        i = scan(src, p, p->nkids - 1, p->nkids, off);
    return i;
}

/* The serial type of record header p holding off. */
static uint64_t find_serial(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    Geo g = geo_of(p);
    Cell c;
    parse_cell(src, &g, p->a[2], p->a[3], &c);
    if (c.why)
        return UINT64_MAX;
    if (off < c.pay + c.hlen)
        return 0;
    Rd r;
    rd_init(&r, src, c.pay + c.hlen, c.hend);
    uint64_t v;
    for (uint64_t k = 1;; k++) {
        uint64_t at = r.pos;
        if (!rd_next(&r, &v))
            return UINT64_MAX;
        if (off >= at && off < r.pos)
            return k;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    Geo g = geo_of(p);
    switch (p->kind) {
    case K_ROOT: return off < p->off + HDR_SIZE ? 0 : 1;
    case K_PAGES: return g.ps && off >= g.base ? (off - g.base) / g.ps : UINT64_MAX;
    case K_PAGE: return find_cell(src, p, off);
    case K_PTRS: return off >= p->off ? (off - p->off) / 2 : UINT64_MAX;
    case K_LEAVES: return off >= p->off ? (off - p->off) / 4 : UINT64_MAX;
    case K_CELL: return find_column(src, p, off);
    case K_RECHDR: return find_serial(src, p, off);
    default: return scan(src, p, 0, p->nkids, off);
    }
}

const FmtDecoder fmt_sqlite = {
    .name = "sqlite",
    .title = "SQLite 3 database",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
