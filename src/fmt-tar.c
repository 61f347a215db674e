/*
 * fmt-tar: tar archives (POSIX ustar, GNU, and v7 headers): 512-byte
 * headers each followed by the member's data rounded up to 512 bytes, and
 * two zero blocks at the end.
 *
 * A member's place depends on the sizes of all before it, so members come
 * in runs: a run node holds at most TAR_RUN members walked from its start
 * (a[0]), counted when the run is made (at most TAR_RUN + 1 header reads),
 * and its last child says how the run ends: the next run ("members
 * 257-512", starting at a[1]), the end-of-archive blocks, or a malformed
 * node where a header does not add up. The root is the first run.
 *
 * A pax header's data ('x', 'g') are its records ("LENGTH KEY=VALUE\n"),
 * each a node named by its key, at most TAR_RUN of them.
 *
 * Numbers are octal text (or GNU base-256 binary): they are shown as
 * their values (mode and checksum in octal, with a leading 0) with what
 * they mean in the note; the checksum is checked.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

#define TAR_BLOCK 512
#define TAR_RUN 256 /* members a run holds at most */
#define NONE UINT64_MAX

/* How a run ends (a[3]). */
enum { END_MORE, END_ZERO, END_EOF, END_BAD };

enum {
    K_RUN,    /* a[0] start, a[1] where it ends, a[2] first index, a[3] END_* */
    K_MEMBER, /* a[0] the data's size */
    K_PAX,    /* a pax header's records */
};

typedef struct TarField {
    const char *name;
    uint16_t off, len;
    uint8_t how; /* T_* */
} TarField;

enum { T_TEXT, T_NUM, T_MODE, T_TIME, T_SUM, T_TYPE };

static const TarField fields[] = {
    {"name", 0, 100, T_TEXT},     {"mode", 100, 8, T_MODE},     {"uid", 108, 8, T_NUM},
    {"gid", 116, 8, T_NUM},       {"size", 124, 12, T_NUM},     {"mtime", 136, 12, T_TIME},
    {"checksum", 148, 8, T_SUM},  {"typeflag", 156, 1, T_TYPE}, {"linkname", 157, 100, T_TEXT},
    {"magic", 257, 6, T_TEXT},    {"version", 263, 2, T_TEXT},  {"uname", 265, 32, T_TEXT},
    {"gname", 297, 32, T_TEXT},   {"devmajor", 329, 8, T_NUM},  {"devminor", 337, 8, T_NUM},
    {"prefix", 345, 155, T_TEXT},
};
#define N_FIELDS (sizeof fields / sizeof *fields)
/* GNU headers hold times where ustar has its prefix. */
static const TarField gnu_fields[] = {
    {"atime", 345, 12, T_TIME},
    {"ctime", 357, 12, T_TIME},
};

/* The number in field b[0..n): octal text (spaces and NULs around it) or
 * GNU base-256; false when it is neither. */
static bool tar_num(const uint8_t *b, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n && (b[0] & 0x80)) {
        if (b[0] != 0x80)
            return false; /* negative, or more than we hold */
        for (size_t i = 1; i < n; i++) {
            if (v >> 56)
                return false;
            v = v << 8 | b[i];
        }
        *out = v;
        return true;
    }
    size_t i = 0;
    while (i < n && b[i] == ' ')
        i++;
    bool any = false;
    for (; i < n && b[i] >= '0' && b[i] <= '7'; i++) {
        if (v >> 61)
            return false;
        v = v << 3 | (uint64_t)(b[i] - '0');
        any = true;
    }
    for (; i < n; i++)
        if (b[i] != ' ' && b[i] != 0)
            return false;
    *out = v;
    return any || (n && b[0] == 0);
}

static uint64_t header_sum(const uint8_t *h)
{
    uint64_t s = 0;
    for (int i = 0; i < TAR_BLOCK; i++)
        s += i >= 148 && i < 156 ? ' ' : h[i];
    return s;
}

static bool all_zero(const uint8_t *h)
{
    for (int i = 0; i < TAR_BLOCK; i++)
        if (h[i])
            return false;
    return true;
}

/* A header whose checksum adds up. */
static bool header_ok(const uint8_t *h)
{
    uint64_t sum;
    return !all_zero(h) && tar_num(h + 148, 8, &sum) && sum == header_sum(h);
}

/* The bytes a member takes (header and data rounded up), or NONE. */
static uint64_t member_len(const uint8_t *h)
{
    uint64_t size;
    if (!tar_num(h + 124, 12, &size) || size > UINT64_MAX - 2 * TAR_BLOCK)
        return NONE;
    /* Links and directories may carry a size but no data in ustar; GNU
     * tar writes 0 for them, so the size is trusted as written. */
    return TAR_BLOCK + (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    uint8_t h[TAR_BLOCK];
    if (off >= src->size || src->size - off < TAR_BLOCK || fmt_read(src, off, h, sizeof h) < 0)
        return false;
    return header_ok(h) && (memcmp(h + 257, "ustar", 5) == 0 || h[0] != 0);
}

/* Count the run from start: its members (at most TAR_RUN), where it ends
 * and how. */
static uint64_t count_run(const FmtSrc *src, uint64_t start, uint64_t *end, uint64_t *how)
{
    uint64_t pos = start, n = 0;
    for (;;) {
        uint8_t h[TAR_BLOCK];
        *end = pos;
        if (pos >= src->size || src->size - pos < TAR_BLOCK) {
            *how = END_EOF;
            return n;
        }
        if (fmt_read(src, pos, h, sizeof h) < 0) {
            *how = END_BAD;
            return n;
        }
        if (all_zero(h)) {
            *how = END_ZERO;
            return n;
        }
        uint64_t len = member_len(h);
        if (!header_ok(h) || len == NONE) {
            *how = END_BAD;
            return n;
        }
        if (n == TAR_RUN) {
            *how = END_MORE;
            return n;
        }
        n++;
        if (len > src->size - pos) {
            /* Its data pass the end: it is the last. */
            *end = src->size;
            *how = END_EOF;
            return n;
        }
        pos += len;
    }
}

static void run_node(const FmtSrc *src, uint64_t start, uint64_t first, const char *name,
                     FmtNode *out)
{
    uint64_t end, how;
    uint64_t n = count_run(src, start, &end, &how);
    fmt_group(out, &fmt_tar, K_RUN, name, start, src->size - start, n + 1);
    if (how == END_ZERO)
        out->len =
            end - start + (src->size - end < 2 * TAR_BLOCK ? src->size - end : 2 * TAR_BLOCK);
    out->a[0] = start;
    out->a[1] = end;
    out->a[2] = first;
    out->a[3] = how;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%" PRIu64 " members%s", n,
             how == END_MORE ? " and more" : "");
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    if (!probe(src, off))
        return -EINVAL;
    run_node(src, off, 0, "tar archive", out);
    uint8_t magic[8];
    fmt_read(src, off + 257, magic, sizeof magic);
    const char *kind = memcmp(magic, "ustar  ", 8) == 0 ? "GNU"
                       : memcmp(magic, "ustar", 6) == 0 ? "POSIX ustar"
                                                        : "v7";
    char text[48];
    snprintf(text, sizeof text, "%.47s", out->text);
    snprintf(out->text, sizeof out->text, "%s tar archive, %s", kind, text);
    return 0;
}

static const char *type_name(uint8_t t)
{
    switch (t) {
    case 0:
    case '0': return "regular file";
    case '1': return "hard link";
    case '2': return "symbolic link";
    case '3': return "character device";
    case '4': return "block device";
    case '5': return "directory";
    case '6': return "FIFO";
    case '7': return "contiguous file";
    case 'g': return "pax global header";
    case 'x': return "pax extended header";
    case 'L': return "GNU long name";
    case 'K': return "GNU long link name";
    case 'D': return "GNU dump directory";
    case 'M': return "GNU multi-volume continuation";
    case 'S': return "GNU sparse file";
    case 'V': return "GNU volume label";
    default: return "unknown";
    }
}

static int member_node(const FmtSrc *src, uint64_t pos, uint64_t idx, FmtNode *out)
{
    uint8_t h[TAR_BLOCK];
    char name[FMT_NAME];
    snprintf(name, sizeof name, "member %" PRIu64, idx + 1);
    if (pos >= src->size || src->size - pos < TAR_BLOCK || fmt_read(src, pos, h, sizeof h) < 0) {
        fmt_bad(out, name, pos, "the header passes the end of the file");
        return 0;
    }
    uint64_t len = member_len(h), size = 0;
    if (!header_ok(h) || len == NONE) {
        fmt_bad(out, name, pos, "%s", len == NONE ? "its size is not a number" : "bad checksum");
        return 0;
    }
    tar_num(h + 124, 12, &size);
    /* Data past the end: the member ends with the file, its data node
     * says what is missing. */
    fmt_group(out, &fmt_tar, K_MEMBER, "", pos, len > src->size - pos ? src->size - pos : len,
              N_FIELDS + 1 + (size % TAR_BLOCK != 0));
    char nm[40];
    size_t k = 0;
    for (; k < sizeof nm - 1 && k < 100 && h[k]; k++)
        nm[k] = h[k] >= 0x20 && h[k] < 0x7f ? (char)h[k] : '.';
    nm[k] = 0;
    fmt_name(out, "member %" PRIu64 " %s", idx + 1, nm);
    out->a[0] = size;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%s, %" PRIu64 " bytes", type_name(h[156]), size);
    return 0;
}

/* The offset of the member i members after start (i within the run). */
static uint64_t walk(const FmtSrc *src, uint64_t start, uint64_t i)
{
    uint64_t pos = start;
    for (uint64_t j = 0; j < i; j++) {
        uint8_t h[TAR_BLOCK];
        if (pos >= src->size || src->size - pos < TAR_BLOCK || fmt_read(src, pos, h, sizeof h) < 0)
            return NONE;
        uint64_t len = member_len(h);
        if (len == NONE || len > src->size - pos)
            return NONE;
        pos += len;
    }
    return pos;
}

static int run_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t start = p->a[0], end = p->a[1], first = p->a[2], how = p->a[3];
    if (i + 1 < p->nkids) {
        uint64_t pos = walk(src, start, i);
        if (pos == NONE) {
            fmt_bad(out, "member", start, "a member before this one is broken");
            return 0;
        }
        return member_node(src, pos, first + i, out);
    }
    switch (how) {
    case END_MORE: {
        char name[FMT_NAME];
        run_node(src, end, first + TAR_RUN, "", out);
        snprintf(name, sizeof name, "members %" PRIu64 "-%" PRIu64, first + TAR_RUN + 1,
                 first + TAR_RUN + out->nkids - 1);
        snprintf(out->name, sizeof out->name, "%s", name);
        return 0;
    }
    case END_ZERO: {
        uint64_t left = src->size - end;
        out->off = end;
        out->len = left < 2 * TAR_BLOCK ? left : 2 * TAR_BLOCK;
        out->val = FV_TEXT;
        snprintf(out->name, sizeof out->name, "end of archive");
        snprintf(out->text, sizeof out->text, "%s",
                 out->len == 2 * TAR_BLOCK ? "two zero blocks" : "one zero block only");
        return 0;
    }
    case END_EOF:
        fmt_bad(out, "end of archive", end, "the file ends without the two zero blocks");
        return 0;
    default:
        fmt_bad(out, "end of archive", end, "not a tar header (its checksum or size is wrong)");
        return 0;
    }
}

static void mode_text(uint64_t m, char *out, size_t n)
{
    snprintf(out, n, "%c%c%c%c%c%c%c%c%c", m & 0400 ? 'r' : '-', m & 0200 ? 'w' : '-',
             m & 0100 ? (m & 04000 ? 's' : 'x') : '-', m & 040 ? 'r' : '-', m & 020 ? 'w' : '-',
             m & 010 ? (m & 02000 ? 's' : 'x') : '-', m & 04 ? 'r' : '-', m & 02 ? 'w' : '-',
             m & 01 ? (m & 01000 ? 't' : 'x') : '-');
}

static int field_node(const FmtSrc *src, const FmtNode *p, const TarField *f, FmtNode *out)
{
    uint8_t h[TAR_BLOCK];
    fmt_read(src, p->off, h, sizeof h);
    out->off = p->off + f->off;
    out->len = f->len;
    snprintf(out->name, sizeof out->name, "%s", f->name);
    if (f->how == T_TEXT) {
        out->val = FV_ASCII;
        return 0;
    }
    if (f->how == T_TYPE) {
        out->val = FV_ASCII;
        snprintf(out->note, sizeof out->note, "%s", type_name(h[156]));
        return 0;
    }
    uint64_t v;
    if (!tar_num(h + f->off, f->len, &v)) {
        fmt_bad(out, f->name, p->off + f->off, "not an octal number");
        out->len = f->len;
        return 0;
    }
    out->val = FV_TEXT;
    bool b256 = h[f->off] & 0x80;
    switch (f->how) {
    case T_MODE:
        snprintf(out->text, sizeof out->text, "0%" PRIo64, v);
        mode_text(v, out->note, sizeof out->note);
        break;
    case T_SUM: {
        uint64_t want = header_sum(h);
        snprintf(out->text, sizeof out->text, "0%" PRIo64, v);
        if (v == want)
            snprintf(out->note, sizeof out->note, "checksum ok");
        else
            snprintf(out->note, sizeof out->note, "mismatch: the header sums to 0%" PRIo64, want);
        break;
    }
    case T_TIME: {
        snprintf(out->text, sizeof out->text, "%" PRIu64, v);
        time_t t = (time_t)v;
        struct tm tm;
        if (v < (1ull << 40) && gmtime_r(&t, &tm))
            strftime(out->note, sizeof out->note, "%Y-%m-%d %H:%M:%S UTC", &tm);
        break;
    }
    default:
        snprintf(out->text, sizeof out->text, "%" PRIu64, v);
        if (b256)
            snprintf(out->note, sizeof out->note, "base-256");
        break;
    }
    return 0;
}

/* The pax record at off (at most left bytes): its length, or 0 when it
 * is not "LENGTH KEY=VALUE\n" (LENGTH in decimal, counting itself). */
static uint64_t pax_len(const FmtSrc *src, uint64_t off, uint64_t left)
{
    char b[24];
    size_t n = left < sizeof b ? (size_t)left : sizeof b;
    if (fmt_read(src, off, b, n) < 0)
        return 0;
    uint64_t len = 0;
    size_t i = 0;
    for (; i < n && b[i] >= '0' && b[i] <= '9' && len < (1ull << 40); i++)
        len = len * 10 + (uint64_t)(b[i] - '0');
    if (i == 0 || i >= n || b[i] != ' ' || len < i + 3 || len > left)
        return 0;
    return len;
}

/* Records of the pax header data at off (len bytes): at most TAR_RUN,
 * and one more for a malformed one. */
static uint64_t pax_count(const FmtSrc *src, uint64_t off, uint64_t len)
{
    uint64_t p = 0, n = 0;
    while (p < len && n < TAR_RUN) {
        uint64_t r = pax_len(src, off + p, len - p);
        n++;
        if (!r)
            break;
        p += r;
    }
    return n;
}

static int pax_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t q = 0, r = 0;
    for (uint64_t k = 0; k <= i; k++) {
        if (k)
            q += r;
        r = q < p->len ? pax_len(src, p->off + q, p->len - q) : 0;
        if (!r) {
            fmt_bad(out, "record", p->off + q, "not a pax record (\"LENGTH KEY=VALUE\")");
            return 0;
        }
    }
    /* The key: after the length's space, up to '='. */
    char b[FMT_NAME + 24];
    size_t n = r < sizeof b ? (size_t)r : sizeof b;
    fmt_read(src, p->off + q, b, n);
    char *sp = memchr(b, ' ', n);
    char *eq = sp ? memchr(sp, '=', n - (size_t)(sp - b)) : NULL;
    if (!sp || !eq) {
        fmt_bad(out, "record", p->off + q, "no '=' in its first %zu bytes", n);
        return 0;
    }
    uint64_t vstart = (uint64_t)(eq + 1 - b);
    snprintf(out->name, sizeof out->name, "%.*s", (int)(eq - sp - 1), sp + 1);
    out->off = p->off + q + vstart;
    out->len = r - vstart - 1; /* without the newline */
    out->val = FV_ASCII;
    snprintf(out->note, sizeof out->note, "pax record of %" PRIu64 " bytes", r);
    return 0;
}

static int member_child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    if (i < N_FIELDS) {
        const TarField *f = &fields[i];
        if (f->off == 345) {
            uint8_t magic[8];
            fmt_read(src, p->off + 257, magic, sizeof magic);
            if (memcmp(magic, "ustar  ", 8) == 0)
                f = &gnu_fields[0]; /* GNU: its atime there */
        }
        return field_node(src, p, f, out);
    }
    if (i > N_FIELDS) {
        /* The data's last block: zeros after the data. */
        out->off = p->off + TAR_BLOCK + p->a[0];
        out->len = TAR_BLOCK - p->a[0] % TAR_BLOCK;
        out->val = FV_BYTES;
        snprintf(out->name, sizeof out->name, "padding");
        return 0;
    }
    uint8_t type = 0;
    fmt_read(src, p->off + 156, &type, 1);
    if ((type == 'x' || type == 'g') && p->a[0] <= src->size - p->off - TAR_BLOCK) {
        uint64_t n = pax_count(src, p->off + TAR_BLOCK, p->a[0]);
        fmt_group(out, &fmt_tar, K_PAX, "pax records", p->off + TAR_BLOCK, p->a[0], n);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " records", n);
        return 0;
    }
    out->off = p->off + TAR_BLOCK;
    out->len = p->a[0];
    snprintf(out->name, sizeof out->name, "data");
    out->val = type == 'L' || type == 'K' ? FV_ASCII : FV_BYTES;
    snprintf(out->note, sizeof out->note, "%" PRIu64 " bytes", p->a[0]);
    return 0;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    switch (p->kind) {
    case K_RUN: return run_child(src, p, i, out);
    case K_MEMBER: return member_child(src, p, i, out);
    case K_PAX: return pax_child(src, p, i, out);
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    if (p->kind == K_RUN) {
        uint64_t pos = p->a[0], n = p->nkids - 1;
        for (uint64_t j = 0; j < n; j++) {
            uint8_t h[TAR_BLOCK];
            if (fmt_read(src, pos, h, sizeof h) < 0)
                return NONE;
            uint64_t len = member_len(h);
            if (len == NONE)
                return NONE;
            if (off >= pos && off - pos < len)
                return j;
            if (len > src->size - pos)
                return NONE;
            pos += len;
        }
        return off >= p->a[1] ? n : NONE;
    }
    if (p->kind == K_PAX) {
        uint64_t q = 0;
        for (uint64_t j = 0; j < p->nkids && q < p->len; j++) {
            uint64_t r = pax_len(src, p->off + q, p->len - q);
            if (!r || (off >= p->off + q && off - p->off - q < r))
                return j;
            q += r;
        }
        return NONE;
    }
    for (uint64_t i = 0; i < p->nkids; i++) {
        FmtNode k;
        if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
            return i;
    }
    return NONE;
}

const FmtDecoder fmt_tar = {
    .name = "tar",
    .title = "tar archive",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
