/*
 * ustruct-decode: the decoder fmt_user, which lays the user's structures
 * (parsed by ustruct.c) over a file on demand (see ustruct.h).
 *
 * The decoder's work happens in a Ctx that carries a budget: every read,
 * field laid out and element walked spends one unit, and when the budget
 * is gone the node asked for becomes malformed ("too much work"), so a
 * child is bounded whatever the file or the definitions say.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ustruct_private.h"

/* ---- the decoder ---- */

/* Node kinds. K_STRUCT: a[0] start, a[3] structure. K_ARRAY (elements of
 * one size): a[0] start, a[1] count, a[2] element size, a[3] structure <<
 * 16 | field. K_RUN (elements of varying size): a[0] the run's start, a[1]
 * its first index, a[2] the array's count, a[3] as K_ARRAY. ptr: UsDefs. */
enum { K_STRUCT, K_ARRAY, K_RUN };

typedef struct Ctx {
    const UsDefs *d;
    const FmtSrc *src;
    long budget; /* steps left */
    int depth;   /* structures being sized now */
    uint64_t at; /* where the first failure is */
    char why[80];
} Ctx;

static int cfail(Ctx *c, uint64_t at, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int cfail(Ctx *c, uint64_t at, int rc, const char *fmt, ...)
{
    if (!c->why[0]) {
        c->at = at;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static int spend(Ctx *c, uint64_t at)
{
    if (--c->budget < 0)
        return cfail(c, at, -E2BIG, "too much work (over %d steps) to lay it out", US_BUDGET);
    return 0;
}

/* Integer field f's value at off (signed types sign-extended, unsigned
 * above INT64_MAX saturated). */
static int read_int(Ctx *c, const UsField *f, uint64_t off, int64_t *out)
{
    uint64_t v;
    int rc = spend(c, off);
    if (rc < 0)
        return rc;
    if (fmt_uint(c->src, off, f->size, f->big, &v) < 0)
        return cfail(c, off, -ERANGE, "'%s' lies past the end", f->name);
    if (f->ty == TY_S) {
        unsigned sh = 64 - 8u * f->size;
        *out = sh ? (int64_t)(v << sh) >> sh : (int64_t)v;
    } else {
        *out = v > INT64_MAX ? INT64_MAX : (int64_t)v;
    }
    return 0;
}

typedef struct Env {
    Ctx *c;
    const UsStruct *s;
    const uint64_t *offs;
} Env;

static int env_field(void *ctx, uint64_t k, int64_t *out)
{
    Env *e = ctx;
    return read_int(e->c, &e->s->f[k], e->offs[k], out);
}

/* Expression x of a field of s, whose earlier fields are at offs. */
static int eval(Ctx *c, const UsStruct *s, const UsExpr *x, const uint64_t *offs, uint64_t at,
                int64_t *out)
{
    if (x->konst) {
        *out = x->val;
        return 0;
    }
    Env e = {c, s, offs};
    int rc = us_run(c->d->ops + x->at, x->n, env_field, &e, out);
    if (rc == -EDOM)
        return cfail(c, at, rc, "division by zero");
    if (rc == -EOVERFLOW)
        return cfail(c, at, rc, "arithmetic overflow");
    return rc;
}

/* How many elements field k has (1: not an array; negative counts: 0). */
static int count_of(Ctx *c, const UsStruct *s, size_t k, const uint64_t *offs, uint64_t *out)
{
    const UsField *f = &s->f[k];
    int64_t v = 1;
    if (f->array) {
        int rc = eval(c, s, &f->count, offs, offs[k], &v);
        if (rc < 0)
            return rc;
    }
    *out = v < 0 ? 0 : (uint64_t)v;
    return 0;
}

/* Bytes of the cstring at off: up to its NUL (included), US_CSTRING, or
 * the file's end. */
static int cstr_len(Ctx *c, uint64_t off, uint64_t *out)
{
    if (off >= c->src->size)
        return cfail(c, off, -ERANGE, "text lies past the end");
    uint64_t room = c->src->size - off, max = room < US_CSTRING ? room : US_CSTRING, k = 0;
    uint8_t b[256];
    while (k < max) {
        size_t n = max - k < sizeof b ? (size_t)(max - k) : sizeof b;
        int rc = spend(c, off + k);
        if (rc < 0)
            return rc;
        if (c->src->read(c->src->ctx, off + k, b, n) < 0)
            return cfail(c, off + k, -EIO, "unreadable");
        const uint8_t *z = memchr(b, 0, n);
        if (z) {
            *out = k + (uint64_t)(z - b) + 1;
            return 0;
        }
        k += n;
    }
    *out = max;
    return 0;
}

static int struct_size(Ctx *c, size_t si, uint64_t base, uint64_t *out);

/* Bytes of one element of f at off. */
static int elem_size(Ctx *c, const UsField *f, uint64_t off, uint64_t *out)
{
    if (f->ty == TY_CSTR)
        return cstr_len(c, off, out);
    if (f->ty == TY_STRUCT)
        return struct_size(c, f->sub, off, out);
    *out = f->size;
    return 0;
}

/* Bytes of n elements of f from off (walking them when their sizes vary). */
static int elems_size(Ctx *c, const UsField *f, uint64_t off, uint64_t n, uint64_t *out)
{
    uint64_t e = us_fixed_elem(c->d, f);
    if (e != UINT64_MAX) {
        if (__builtin_mul_overflow(n, e, out) || *out > UINT64_MAX - off)
            return cfail(c, off, -EOVERFLOW, "'%s' is too big", f->name);
        return 0;
    }
    uint64_t pos = off;
    for (uint64_t j = 0; j < n; j++) {
        uint64_t es;
        int rc = spend(c, pos);
        if (rc < 0 || (rc = elem_size(c, f, pos, &es)) < 0)
            return rc;
        if (es > c->src->size || pos > c->src->size - es)
            return cfail(c, pos, -ERANGE, "%s[%" PRIu64 "] passes the end", f->name, j);
        pos += es;
    }
    *out = pos - off;
    return 0;
}

/* Offsets of s's first n fields at base into offs, and in *pos the end of
 * the sequential ones; *nok: how many were laid out (all, unless it
 * fails). */
static int layout(Ctx *c, const UsStruct *s, uint64_t base, size_t n, uint64_t *offs, uint64_t *pos,
                  size_t *nok)
{
    uint64_t at = base;
    *nok = 0;
    for (size_t k = 0; k < n; k++) {
        const UsField *f = &s->f[k];
        int rc = spend(c, at);
        if (rc < 0)
            return rc;
        if (f->at.n) {
            int64_t v;
            if ((rc = eval(c, s, &f->at, offs, base, &v)) < 0)
                return rc;
            if (v < 0 || (uint64_t)v > UINT64_MAX - base)
                return cfail(c, base, -ERANGE, "'%s' placed at %" PRId64 ", off the file", f->name,
                             v);
            offs[k] = base + (uint64_t)v;
        } else {
            uint64_t cnt, sz;
            offs[k] = at;
            if ((rc = count_of(c, s, k, offs, &cnt)) < 0 ||
                (rc = elems_size(c, f, at, cnt, &sz)) < 0)
                return rc;
            at += sz;
        }
        *nok = k + 1;
    }
    *pos = at;
    return 0;
}

static int struct_size(Ctx *c, size_t si, uint64_t base, uint64_t *out)
{
    const UsStruct *s = &c->d->s[si];
    if (s->fixed) {
        *out = s->size;
        return 0;
    }
    if (c->depth >= US_DEPTH)
        return cfail(c, base, -ELOOP, "structures nested too deeply");
    uint64_t *offs = malloc((s->nf + 1) * sizeof *offs), pos = base;
    if (!offs)
        return cfail(c, base, -ENOMEM, "out of memory");
    size_t nok;
    c->depth++;
    int rc = layout(c, s, base, s->nf, offs, &pos, &nok);
    c->depth--;
    free(offs);
    *out = pos - base;
    return rc;
}

/* A structure's node: its size worked out, or the rest of the file and a
 * note saying why not. */
static void struct_node(Ctx *c, size_t si, uint64_t off, const char *name, FmtNode *out)
{
    const UsStruct *s = &c->d->s[si];
    fmt_group(out, &fmt_user, K_STRUCT, name, off, 0, s->nf);
    out->ptr = c->d;
    out->a[0] = off;
    out->a[3] = si;
    out->val = FV_TEXT;
    uint64_t size;
    c->why[0] = 0;
    if (struct_size(c, si, off, &size) == 0) {
        out->len = size;
        snprintf(out->text, sizeof out->text, "struct %s, %" PRIu64 " bytes", s->name, size);
    } else {
        out->len = off < c->src->size ? c->src->size - off : 0;
        snprintf(out->text, sizeof out->text, "struct %s", s->name);
        snprintf(out->note, sizeof out->note, "size unknown: %s", c->why);
    }
    /* A structure running past the end is shown to the end; its fields
     * past it are the malformed ones. */
    if (out->off >= c->src->size)
        out->len = 0;
    else if (out->len > c->src->size - out->off)
        out->len = c->src->size - out->off;
}

/* The expected text of f against the bytes at off (len of them). */
static void check_text(Ctx *c, const UsField *f, uint64_t off, uint64_t len, FmtNode *out)
{
    uint8_t b[US_STR];
    bool ok = len >= f->expect_len && fmt_read(c->src, off, b, f->expect_len) == 0 &&
              memcmp(b, f->expect_str, f->expect_len) == 0;
    if (!ok) {
        size_t k = (size_t)snprintf(out->note, sizeof out->note, "expected \"");
        for (size_t i = 0; i < f->expect_len && k + 6 < sizeof out->note; i++) {
            unsigned char ch = (unsigned char)f->expect_str[i];
            k += (size_t)snprintf(
                out->note + k, sizeof out->note - k,
                ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' ? "%c" : "\\x%02x", ch);
        }
        if (k + 2 <= sizeof out->note)
            snprintf(out->note + k, sizeof out->note - k, "\"");
    }
}

/* The node of one element of field f (idx: its index; UINT64_MAX: the
 * field itself, not an array) at off. */
static void item(Ctx *c, const UsField *f, uint64_t off, uint64_t idx, FmtNode *out)
{
    char name[FMT_NAME];
    if (idx == UINT64_MAX)
        snprintf(name, sizeof name, "%s", f->name);
    else
        snprintf(name, sizeof name, "%.24s[%" PRIu64 "]", f->name, idx);
    if (f->ty == TY_STRUCT) {
        struct_node(c, f->sub, off, name, out);
        return;
    }
    snprintf(out->name, sizeof out->name, "%s", name);
    out->off = off;
    out->len = f->size;
    out->big = f->big;
    uint64_t v = 0;
    switch (f->ty) {
    case TY_U:
    case TY_S:
        out->val = f->expect ? FV_HEXN : f->ty == TY_S ? FV_SINT : FV_UINT;
        if (f->expect == 1 && idx == UINT64_MAX &&
            fmt_uint(c->src, off, f->size, f->big, &v) == 0 && v != f->expect_num)
            snprintf(out->note, sizeof out->note, "expected 0x%" PRIx64, f->expect_num);
        break;
    case TY_F:
        out->val = FV_TEXT;
        if (fmt_uint(c->src, off, f->size, f->big, &v) == 0) {
            if (f->size == 4) {
                uint32_t u = (uint32_t)v;
                float x;
                memcpy(&x, &u, sizeof x);
                snprintf(out->text, sizeof out->text, "%.9g", (double)x);
            } else {
                double x;
                memcpy(&x, &v, sizeof x);
                snprintf(out->text, sizeof out->text, "%.17g", x);
            }
        }
        break;
    case TY_CHAR: out->val = FV_ASCII; break;
    case TY_GUID: out->val = FV_GUID; break;
    case TY_UTF16: out->val = FV_UTF16; break;
    case TY_CSTR: {
        uint64_t len;
        c->why[0] = 0;
        if (cstr_len(c, off, &len) < 0) {
            fmt_bad(out, name, c->at, "%s", c->why);
            return;
        }
        out->val = FV_ASCII;
        out->len = len;
        if (f->expect == 2 && idx == UINT64_MAX)
            check_text(c, f, off, len, out);
        break;
    }
    default: break;
    }
}

/* The node of field k of s at offs[k] (offs[0..k-1]: the earlier ones). */
static void field_node(Ctx *c, size_t si, size_t k, const uint64_t *offs, FmtNode *out)
{
    const UsStruct *s = &c->d->s[si];
    const UsField *f = &s->f[k];
    uint64_t off = offs[k], n;
    if (!f->array) {
        item(c, f, off, UINT64_MAX, out);
        return;
    }
    c->why[0] = 0;
    if (count_of(c, s, k, offs, &n) < 0) {
        fmt_bad(out, f->name, off, "count: %s", c->why);
        return;
    }
    bool collapse = f->ty == TY_CHAR || f->ty == TY_UTF16 || (f->ty == TY_U && f->size == 1);
    if (collapse) {
        snprintf(out->name, sizeof out->name, "%s", f->name);
        out->off = off;
        if (__builtin_mul_overflow(n, (uint64_t)f->size, &out->len) ||
            out->len > UINT64_MAX - off) {
            fmt_bad(out, f->name, off, "%" PRIu64 " elements are too many", n);
            return;
        }
        out->val = f->ty == TY_CHAR ? FV_ASCII : f->ty == TY_UTF16 ? FV_UTF16 : FV_BYTES;
        if (f->expect == 2)
            check_text(c, f, off, out->len, out);
        return;
    }
    const char *tname = us_type_name(c->d, f);
    uint64_t e = us_fixed_elem(c->d, f);
    if (e != UINT64_MAX) {
        uint64_t nk = e ? fmt_clamp(c->src, off, n, e) : (n < FMT_KIDS_MAX ? n : FMT_KIDS_MAX);
        fmt_group(out, &fmt_user, K_ARRAY, f->name, off, nk * e, nk);
        out->a[1] = nk;
        out->a[2] = e;
        if (nk < n)
            snprintf(out->note, sizeof out->note, "count %" PRIu64 ", %" PRIu64 " fit in the file",
                     n, nk);
    } else {
        if (n > FMT_KIDS_MAX)
            n = FMT_KIDS_MAX;
        fmt_group(out, &fmt_user, K_RUN, f->name, off, 0, n > US_RUN ? US_RUN + 1 : n);
        out->a[1] = 0;
        out->a[2] = n;
        uint64_t len;
        c->why[0] = 0;
        if (elems_size(c, f, off, n, &len) == 0) {
            out->len = len;
        } else {
            out->len = off < c->src->size ? c->src->size - off : 0;
            snprintf(out->note, sizeof out->note, "size unknown: %s", c->why);
        }
    }
    out->ptr = c->d;
    out->a[0] = off;
    out->a[3] = (uint64_t)si << 16 | k;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%s[%" PRIu64 "]", tname, n);
}

/* Field k of the structure node p, laid out. */
static int struct_child(Ctx *c, const FmtNode *p, uint64_t k, FmtNode *out)
{
    size_t si = (size_t)p->a[3];
    const UsStruct *s = &c->d->s[si];
    uint64_t base = p->a[0], pos;
    uint64_t *offs = malloc((k + 1) * sizeof *offs);
    if (!offs)
        return -ENOMEM;
    size_t nok;
    const UsField *f = &s->f[k];
    c->why[0] = 0;
    if (layout(c, s, base, (size_t)k, offs, &pos, &nok) < 0) {
        fmt_bad(out, f->name, c->at, "%s", c->why);
    } else {
        int64_t v;
        if (f->at.n && eval(c, s, &f->at, offs, base, &v) < 0) {
            fmt_bad(out, f->name, c->at, "%s", c->why);
        } else if (f->at.n && (v < 0 || (uint64_t)v > UINT64_MAX - base)) {
            fmt_bad(out, f->name, base, "placed at %" PRId64 ", off the file", v);
        } else {
            offs[k] = f->at.n ? base + (uint64_t)v : pos;
            field_node(c, si, (size_t)k, offs, out);
        }
    }
    free(offs);
    return 0;
}

/* Walk i elements of f from off: *pos the i-th's start. */
static int walk_elems(Ctx *c, const UsField *f, uint64_t off, uint64_t i, uint64_t *pos)
{
    uint64_t sz;
    int rc = elems_size(c, f, off, i, &sz);
    *pos = off + sz;
    return rc;
}

static const UsField *array_field(const FmtNode *p)
{
    const UsDefs *d = p->ptr;
    return &d->s[p->a[3] >> 16].f[p->a[3] & 0xffff];
}

static int run_child(Ctx *c, const FmtNode *p, uint64_t i, FmtNode *out)
{
    const UsField *f = array_field(p);
    uint64_t first = p->a[1], count = p->a[2], rem = count - first, pos;
    uint64_t nin = rem < US_RUN ? rem : US_RUN;
    c->why[0] = 0;
    if (walk_elems(c, f, p->a[0], i < nin ? i : nin, &pos) < 0) {
        char name[FMT_NAME];
        snprintf(name, sizeof name, "%.24s[%" PRIu64 "]", f->name, first + i);
        fmt_bad(out, name, c->at, "%s", c->why);
        return 0;
    }
    if (i < nin) {
        item(c, f, pos, first + i, out);
        return 0;
    }
    /* The next run: the elements after these. */
    uint64_t nfirst = first + US_RUN, nrem = count - nfirst;
    char name[FMT_NAME];
    snprintf(name, sizeof name, "%.24s[%" PRIu64 "-%" PRIu64 "]", f->name, nfirst, count - 1);
    fmt_group(out, &fmt_user, K_RUN, name, pos, 0, nrem > US_RUN ? US_RUN + 1 : nrem);
    out->ptr = p->ptr;
    out->a[0] = pos;
    out->a[1] = nfirst;
    out->a[2] = count;
    out->a[3] = p->a[3];
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%" PRIu64 " more", nrem);
    uint64_t len;
    c->why[0] = 0;
    if (elems_size(c, f, pos, nrem, &len) == 0)
        out->len = len;
    else
        out->len = pos < c->src->size ? c->src->size - pos : 0;
    return 0;
}

static void ctx_init(Ctx *c, const FmtSrc *src, const UsDefs *d)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->src = src;
    c->budget = US_BUDGET;
}

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Ctx c;
    if (!p->ptr)
        return -EINVAL;
    ctx_init(&c, src, p->ptr);
    switch (p->kind) {
    case K_STRUCT: return struct_child(&c, p, i, out);
    case K_ARRAY: item(&c, array_field(p), p->a[0] + i * p->a[2], i, out); return 0;
    case K_RUN: return run_child(&c, p, i, out);
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    Ctx c;
    if (!p->ptr || off < p->a[0])
        return UINT64_MAX;
    ctx_init(&c, src, p->ptr);
    if (p->kind == K_ARRAY) {
        uint64_t i = p->a[2] ? (off - p->a[0]) / p->a[2] : UINT64_MAX;
        return i < p->nkids ? i : UINT64_MAX;
    }
    if (p->kind == K_RUN) {
        const UsField *f = array_field(p);
        uint64_t rem = p->a[2] - p->a[1], nin = rem < US_RUN ? rem : US_RUN, pos = p->a[0];
        for (uint64_t j = 0; j < nin; j++) {
            uint64_t es;
            if (elem_size(&c, f, pos, &es) < 0)
                return UINT64_MAX;
            if (off - pos < es)
                return j;
            if (es > UINT64_MAX - pos)
                return UINT64_MAX;
            pos += es;
        }
        return nin < p->nkids && off >= pos ? nin : UINT64_MAX;
    }
    if (p->kind != K_STRUCT)
        return UINT64_MAX;
    /* The first field holding off, sequential ones before placed ones. */
    const UsStruct *s = &c.d->s[p->a[3]];
    uint64_t *offs = malloc((s->nf + 1) * sizeof *offs), pos, found = UINT64_MAX;
    if (!offs)
        return UINT64_MAX;
    size_t nok;
    layout(&c, s, p->a[0], s->nf, offs, &pos, &nok);
    for (int pass = 0; pass < 2 && found == UINT64_MAX; pass++) {
        for (size_t k = 0; k < nok && found == UINT64_MAX; k++) {
            uint64_t cnt, sz;
            if ((pass == 0) != !s->f[k].at.n || off < offs[k])
                continue;
            if (count_of(&c, s, k, offs, &cnt) == 0 &&
                elems_size(&c, &s->f[k], offs[k], cnt, &sz) == 0 && off - offs[k] < sz)
                found = k;
        }
    }
    free(offs);
    return found;
}

static int no_root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    (void)src;
    (void)off;
    (void)out;
    return -EINVAL;
}

const FmtDecoder fmt_user = {
    .name = "user",
    .title = "user structure",
    .probe = NULL,
    .root = no_root,
    .child = child,
    .find = find,
};

int ustruct_root(const UsDefs *d, const char *name, const FmtSrc *src, uint64_t off, FmtNode *out)
{
    memset(out, 0, sizeof *out);
    if (!d || d->ns == 0)
        return -ENOENT;
    int si = name ? us_find_struct(d, name) : d->root >= 0 ? d->root : (int)d->ns - 1;
    if (si < 0)
        return -ENOENT;
    if (off >= src->size)
        return -EINVAL;
    Ctx c;
    ctx_init(&c, src, d);
    struct_node(&c, (size_t)si, off, d->s[si].name, out);
    if (out->len == 0)
        out->len = src->size - off;
    return 0;
}
