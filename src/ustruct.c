/*
 * ustruct: the user structure language's parser (text -> UsDefs); the
 * decoder fmt_user that lays structures over a file on demand is
 * ustruct-decode.c (see ustruct.h for the language and the design).
 *
 * The parser is a hand-written lexer and recursive-descent parser that
 * stops at the first error ("name:LINE:COL: what"). Expressions compile to
 * postfix programs of at most US_OPS operations in one pool; constant ones
 * are folded. A structure whose sequential fields all have constant sizes
 * gets its size at parse time, so its arrays index in O(1) without reads.
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

/* ---- lexer ---- */

enum { T_EOF, T_ID, T_NUM, T_STR, T_PUNCT };

typedef struct Tok {
    int t;
    unsigned line, col;
    char id[US_IDENT + 1];
    uint64_t num;
    char str[US_STR + 1];
    size_t slen;
    char c; /* T_PUNCT */
} Tok;

typedef struct Parser {
    const char *name, *s;
    size_t i;
    unsigned line, col;
    char *err;
    size_t errn;
    bool failed;
    Tok tok; /* the current token */
    UsDefs *d;
    bool big;  /* the default byte order now */
    int cur;   /* the structure being defined, or -1 */
    int depth; /* parentheses nested now */
    /* The first name in an expression that is no earlier field: reported
     * at the structure's end, as unknown or as used before defined. */
    bool pend;
    char pend_name[US_IDENT + 1];
    unsigned pend_line, pend_col;
} Parser;

static int perr(Parser *p, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr(Parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
    if (p->failed)
        return -EINVAL;
    p->failed = true;
    if (p->err && p->errn) {
        int k = snprintf(p->err, p->errn, "%s:%u:%u: ", p->name, line, col);
        va_list ap;
        va_start(ap, fmt);
        if (k >= 0 && (size_t)k < p->errn)
            vsnprintf(p->err + k, p->errn - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static char peekc(const Parser *p, size_t k)
{
    return p->s[p->i] && k ? p->s[p->i + 1] : p->s[p->i];
}

static void adv(Parser *p)
{
    if (!p->s[p->i])
        return;
    if (p->s[p->i] == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    p->i++;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Skip blanks and comments: 0, or an error (unterminated comment). */
static int skip_space(Parser *p)
{
    for (;;) {
        char c = peekc(p, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            adv(p);
        } else if (c == '#' || (c == '/' && peekc(p, 1) == '/')) {
            while (peekc(p, 0) && peekc(p, 0) != '\n')
                adv(p);
        } else if (c == '/' && peekc(p, 1) == '*') {
            unsigned line = p->line, col = p->col;
            adv(p);
            adv(p);
            while (peekc(p, 0) && !(peekc(p, 0) == '*' && peekc(p, 1) == '/'))
                adv(p);
            if (!peekc(p, 0))
                return perr(p, line, col, "unterminated comment");
            adv(p);
            adv(p);
        } else {
            return 0;
        }
    }
}

static int lex_string(Parser *p, Tok *t)
{
    adv(p); /* the quote */
    t->t = T_STR;
    t->slen = 0;
    for (;;) {
        char c = peekc(p, 0);
        unsigned line = p->line, col = p->col;
        if (!c || c == '\n')
            return perr(p, t->line, t->col, "unterminated string");
        adv(p);
        if (c == '"')
            break;
        if (c == '\\') {
            char e = peekc(p, 0);
            adv(p);
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '0': c = '\0'; break;
            case '\\': c = '\\'; break;
            case '"': c = '"'; break;
            case 'x': {
                int h = hexval(peekc(p, 0)), l = h < 0 ? -1 : hexval(peekc(p, 1));
                if (h < 0 || l < 0)
                    return perr(p, line, col, "\\x needs two hex digits");
                adv(p);
                adv(p);
                c = (char)(h * 16 + l);
                break;
            }
            default:
                if (!e || e == '\n')
                    return perr(p, t->line, t->col, "unterminated string");
                return perr(p, line, col, "unknown escape \\%c", e);
            }
        }
        if (t->slen >= US_STR)
            return perr(p, t->line, t->col, "string too long (at most %d bytes)", US_STR);
        t->str[t->slen++] = c;
    }
    t->str[t->slen] = 0;
    return 0;
}

static int lex_number(Parser *p, Tok *t)
{
    t->t = T_NUM;
    uint64_t v = 0;
    unsigned base = 10;
    if (peekc(p, 0) == '0' && (peekc(p, 1) == 'x' || peekc(p, 1) == 'X')) {
        base = 16;
        adv(p);
        adv(p);
        if (hexval(peekc(p, 0)) < 0)
            return perr(p, t->line, t->col, "bad number");
    }
    for (;;) {
        char c = peekc(p, 0);
        int dv = base == 16 ? hexval(c) : is_digit(c) ? c - '0' : -1;
        if (dv < 0)
            break;
        if (v > (UINT64_MAX - (uint64_t)dv) / base)
            return perr(p, t->line, t->col, "number too large");
        v = v * base + (uint64_t)dv;
        adv(p);
    }
    if (is_alpha(peekc(p, 0)) || is_digit(peekc(p, 0)))
        return perr(p, t->line, t->col, "bad number");
    t->num = v;
    return 0;
}

/* The next token into p->tok: 0 or an error. */
static int next(Parser *p)
{
    Tok *t = &p->tok;
    memset(t, 0, sizeof *t);
    int rc = skip_space(p);
    if (rc < 0)
        return rc;
    t->line = p->line;
    t->col = p->col;
    char c = peekc(p, 0);
    if (!c) {
        t->t = T_EOF;
        return 0;
    }
    if (is_alpha(c)) {
        size_t k = 0;
        while (is_alpha(peekc(p, 0)) || is_digit(peekc(p, 0))) {
            if (k >= US_IDENT)
                return perr(p, t->line, t->col, "name too long (at most %d characters)", US_IDENT);
            t->id[k++] = peekc(p, 0);
            adv(p);
        }
        t->t = T_ID;
        return 0;
    }
    if (is_digit(c))
        return lex_number(p, t);
    if (c == '"')
        return lex_string(p, t);
    if (strchr("{}[]();@=+-*/%", c)) {
        t->t = T_PUNCT;
        t->c = c;
        adv(p);
        return 0;
    }
    if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
        return perr(p, t->line, t->col, "unexpected character '%c'", c);
    return perr(p, t->line, t->col, "unexpected byte 0x%02x", (unsigned char)c);
}

static bool is_punct(const Parser *p, char c)
{
    return p->tok.t == T_PUNCT && p->tok.c == c;
}

static bool is_word(const Parser *p, const char *w)
{
    return p->tok.t == T_ID && strcmp(p->tok.id, w) == 0;
}

static const char *tok_desc(const Tok *t, char *buf, size_t n)
{
    switch (t->t) {
    case T_EOF: return "the end of the file";
    case T_ID: snprintf(buf, n, "'%s'", t->id); return buf;
    case T_NUM: return "a number";
    case T_STR: return "a string";
    default: snprintf(buf, n, "'%c'", t->c); return buf;
    }
}

/* The current token must be c: consume it, or the error "expected 'c'". */
static int expect(Parser *p, char c)
{
    if (!is_punct(p, c)) {
        char b[US_IDENT + 8];
        return perr(p, p->tok.line, p->tok.col, "expected '%c' before %s", c,
                    tok_desc(&p->tok, b, sizeof b));
    }
    return next(p);
}

/* ---- types ---- */

typedef struct Builtin {
    const char *name;
    uint8_t ty, size;
} Builtin;

static const Builtin builtins[] = {
    {"u8", TY_U, 1},        {"u16", TY_U, 2},        {"u32", TY_U, 4},     {"u64", TY_U, 8},
    {"i8", TY_S, 1},        {"i16", TY_S, 2},        {"i32", TY_S, 4},     {"i64", TY_S, 8},
    {"f32", TY_F, 4},       {"f64", TY_F, 8},        {"char", TY_CHAR, 1}, {"guid", TY_GUID, 16},
    {"utf16", TY_UTF16, 2}, {"cstring", TY_CSTR, 0},
};
#define NBUILTIN (sizeof builtins / sizeof *builtins)

const char *us_type_name(const UsDefs *d, const UsField *f)
{
    if (f->ty == TY_STRUCT)
        return d->s[f->sub].name;
    for (size_t i = 0; i < NBUILTIN; i++)
        if (builtins[i].ty == f->ty && (builtins[i].size == f->size || f->ty == TY_CSTR))
            return builtins[i].name;
    return "";
}

/* A built-in type named s (with its le/be suffix): true and f's type set. */
static bool builtin(const char *s, bool dflt_big, UsField *f)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < NBUILTIN; i++) {
        size_t k = strlen(builtins[i].name);
        if (strncmp(s, builtins[i].name, k) != 0)
            continue;
        bool num = builtins[i].ty <= TY_F && builtins[i].size > 1;
        if (n == k) {
            f->big = num && dflt_big;
        } else if (num && n == k + 2 && (strcmp(s + k, "le") == 0 || strcmp(s + k, "be") == 0)) {
            f->big = s[k] == 'b';
        } else {
            continue;
        }
        f->ty = builtins[i].ty;
        f->size = builtins[i].size;
        return true;
    }
    return false;
}

/* FNV-1a of a name, so that looking names up (O(fields) each, O(fields^2)
 * a structure) compares numbers, not strings. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

int us_find_struct(const UsDefs *d, const char *name)
{
    uint32_t h = name_hash(name);
    for (size_t i = 0; i < d->ns; i++)
        if (d->s[i].hash == h && strcmp(d->s[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int find_field(const UsStruct *s, const char *name)
{
    uint32_t h = name_hash(name);
    for (size_t i = 0; i < s->nf; i++)
        if (s->f[i].hash == h && strcmp(s->f[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- expressions ---- */

static int emit(Parser *p, const Tok *at, UsExpr *e, uint8_t op, uint64_t v)
{
    UsDefs *d = p->d;
    if (e->n >= US_OPS)
        return perr(p, at->line, at->col, "expression too long (at most %d terms)", US_OPS);
    if (d->nops == d->opcap) {
        size_t cap = d->opcap ? 2 * d->opcap : 64;
        UsOp *ops = realloc(d->ops, cap * sizeof *ops);
        if (!ops)
            return -ENOMEM;
        d->ops = ops;
        d->opcap = cap;
    }
    d->ops[d->nops++] = (UsOp){op, v};
    e->n++;
    return 0;
}

static int parse_sum(Parser *p, UsExpr *e);

static int parse_unary(Parser *p, UsExpr *e)
{
    Tok t = p->tok;
    int rc;
    if (is_punct(p, '-')) {
        if (p->depth >= US_NEST)
            return perr(p, t.line, t.col, "expression nested too deeply");
        p->depth++;
        if ((rc = next(p)) < 0 || (rc = parse_unary(p, e)) < 0)
            return rc;
        p->depth--;
        return emit(p, &t, e, OP_NEG, 0);
    }
    if (is_punct(p, '(')) {
        if (p->depth >= US_NEST)
            return perr(p, t.line, t.col, "expression nested too deeply");
        p->depth++;
        if ((rc = next(p)) < 0 || (rc = parse_sum(p, e)) < 0)
            return rc;
        p->depth--;
        return expect(p, ')');
    }
    if (t.t == T_NUM) {
        if ((rc = emit(p, &t, e, OP_NUM, t.num)) < 0)
            return rc;
        return next(p);
    }
    if (t.t == T_ID) {
        const UsStruct *s = &p->d->s[p->cur];
        int k = find_field(s, t.id);
        if (k < 0) {
            /* A later field of this structure, or none: told apart at the
             * structure's end. */
            if (!p->pend) {
                p->pend = true;
                snprintf(p->pend_name, sizeof p->pend_name, "%s", t.id);
                p->pend_line = t.line;
                p->pend_col = t.col;
            }
            if ((rc = emit(p, &t, e, OP_FIELD, 0)) < 0)
                return rc;
            return next(p);
        }
        const UsField *f = &s->f[k];
        if ((f->ty != TY_U && f->ty != TY_S) || f->array)
            return perr(p, t.line, t.col, "'%s' is not an integer field", t.id);
        if ((rc = emit(p, &t, e, OP_FIELD, (uint64_t)k)) < 0)
            return rc;
        return next(p);
    }
    char b[US_IDENT + 8];
    return perr(p, t.line, t.col, "expected a number, a field or '(' before %s",
                tok_desc(&t, b, sizeof b));
}

static int parse_term(Parser *p, UsExpr *e)
{
    int rc = parse_unary(p, e);
    while (rc == 0 && (is_punct(p, '*') || is_punct(p, '/') || is_punct(p, '%'))) {
        Tok t = p->tok;
        uint8_t op = t.c == '*' ? OP_MUL : t.c == '/' ? OP_DIV : OP_MOD;
        if ((rc = next(p)) < 0 || (rc = parse_unary(p, e)) < 0)
            return rc;
        rc = emit(p, &t, e, op, 0);
    }
    return rc;
}

static int parse_sum(Parser *p, UsExpr *e)
{
    int rc = parse_term(p, e);
    while (rc == 0 && (is_punct(p, '+') || is_punct(p, '-'))) {
        Tok t = p->tok;
        uint8_t op = t.c == '+' ? OP_ADD : OP_SUB;
        if ((rc = next(p)) < 0 || (rc = parse_term(p, e)) < 0)
            return rc;
        rc = emit(p, &t, e, op, 0);
    }
    return rc;
}

/* Run an expression's program; field(i) gives field i's value. 0, or
 * -EDOM (division by zero), -EOVERFLOW, or field's error. */
int us_run(const UsOp *ops, uint32_t n, int (*field)(void *, uint64_t, int64_t *), void *ctx,
           int64_t *out)
{
    int64_t st[US_OPS];
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const UsOp *o = &ops[i];
        int rc;
        switch (o->op) {
        case OP_NUM: st[k++] = o->v > INT64_MAX ? INT64_MAX : (int64_t)o->v; continue;
        case OP_FIELD:
            if (!field)
                return -EINVAL;
            if ((rc = field(ctx, o->v, &st[k])) < 0)
                return rc;
            k++;
            continue;
        case OP_NEG:
            if (st[k - 1] == INT64_MIN)
                return -EOVERFLOW;
            st[k - 1] = -st[k - 1];
            continue;
        default: break;
        }
        int64_t a = st[k - 2], b = st[k - 1], r = 0;
        bool ovf = false;
        switch (o->op) {
        case OP_ADD: ovf = __builtin_add_overflow(a, b, &r); break;
        case OP_SUB: ovf = __builtin_sub_overflow(a, b, &r); break;
        case OP_MUL: ovf = __builtin_mul_overflow(a, b, &r); break;
        case OP_DIV:
        case OP_MOD:
            if (b == 0)
                return -EDOM;
            if (a == INT64_MIN && b == -1)
                return -EOVERFLOW;
            r = o->op == OP_DIV ? a / b : a % b;
            break;
        default: return -EINVAL;
        }
        if (ovf)
            return -EOVERFLOW;
        st[k - 2] = r;
        k--;
    }
    *out = k ? st[k - 1] : 0;
    return 0;
}

/* Parse an expression into e (folded when it names no field). */
static int parse_expr(Parser *p, UsExpr *e)
{
    Tok t = p->tok;
    e->at = (uint32_t)p->d->nops;
    e->n = 0;
    p->depth = 0;
    int rc = parse_sum(p, e);
    if (rc < 0)
        return rc;
    e->konst = true;
    for (uint32_t i = 0; i < e->n; i++)
        e->konst &= p->d->ops[e->at + i].op != OP_FIELD;
    if (e->konst) {
        rc = us_run(p->d->ops + e->at, e->n, NULL, NULL, &e->val);
        if (rc == -EDOM)
            return perr(p, t.line, t.col, "division by zero");
        if (rc < 0)
            return perr(p, t.line, t.col, "arithmetic overflow");
    }
    return 0;
}

/* ---- structures ---- */

static int add_field(UsStruct *s, UsField **out)
{
    if (s->nf == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        UsField *f = realloc(s->f, cap * sizeof *f);
        if (!f)
            return -ENOMEM;
        s->f = f;
        s->cap = cap;
    }
    *out = &s->f[s->nf];
    memset(*out, 0, sizeof **out);
    return 0;
}

/* A field's expected value after '=' (the current token). */
static int parse_expected(Parser *p, UsField *f)
{
    Tok t = p->tok;
    bool textual =
        f->ty == TY_CHAR || f->ty == TY_CSTR || (f->ty == TY_U && f->size == 1 && f->array);
    bool integer = (f->ty == TY_U || f->ty == TY_S) && !f->array;
    int rc;
    if (t.t == T_STR) {
        if (!textual)
            return perr(p, t.line, t.col, "'%s' cannot hold text", f->name);
        f->expect = 2;
        memcpy(f->expect_str, t.str, t.slen);
        f->expect_len = (uint8_t)t.slen;
        return next(p);
    }
    bool neg = is_punct(p, '-');
    if (neg && (rc = next(p)) < 0)
        return rc;
    if (p->tok.t != T_NUM) {
        char b[US_IDENT + 8];
        return perr(p, p->tok.line, p->tok.col, "expected a number or a string before %s",
                    tok_desc(&p->tok, b, sizeof b));
    }
    if (!integer)
        return perr(p, t.line, t.col, "'%s' cannot hold a number", f->name);
    f->expect = 1;
    f->expect_num = neg ? (uint64_t)0 - p->tok.num : p->tok.num;
    if (f->size < 8)
        f->expect_num &= ((uint64_t)1 << (8 * f->size)) - 1;
    return next(p);
}

static int parse_field(Parser *p)
{
    UsStruct *s = &p->d->s[p->cur];
    Tok ty = p->tok;
    if (ty.t != T_ID) {
        char b[US_IDENT + 8];
        return perr(p, ty.line, ty.col, "expected a type before %s", tok_desc(&ty, b, sizeof b));
    }
    if (s->nf >= US_FIELDS)
        return perr(p, ty.line, ty.col, "too many fields (at most %d)", US_FIELDS);
    UsField *f;
    int rc = add_field(s, &f);
    if (rc < 0)
        return rc;
    s = &p->d->s[p->cur];
    if (!builtin(ty.id, p->big, f)) {
        int k = us_find_struct(p->d, ty.id);
        if (k < 0)
            return perr(p, ty.line, ty.col, "unknown type '%s'", ty.id);
        f->ty = TY_STRUCT;
        f->sub = (uint16_t)k;
    }
    if ((rc = next(p)) < 0)
        return rc;
    Tok nm = p->tok;
    if (nm.t != T_ID) {
        char b[US_IDENT + 8];
        return perr(p, nm.line, nm.col, "expected a field name before %s",
                    tok_desc(&nm, b, sizeof b));
    }
    if (find_field(s, nm.id) >= 0)
        return perr(p, nm.line, nm.col, "duplicate field '%s'", nm.id);
    snprintf(f->name, sizeof f->name, "%s", nm.id);
    f->hash = name_hash(f->name);
    if ((rc = next(p)) < 0)
        return rc;
    if (is_punct(p, '[')) {
        f->array = true;
        if ((rc = next(p)) < 0 || (rc = parse_expr(p, &f->count)) < 0 || (rc = expect(p, ']')) < 0)
            return rc;
    }
    if (is_punct(p, '@')) {
        if ((rc = next(p)) < 0 || (rc = parse_expr(p, &f->at)) < 0)
            return rc;
    }
    if (f->ty == TY_STRUCT && (int)f->sub == p->cur && !f->at.n)
        return perr(p, ty.line, ty.col, "'%s' contains itself (place it with @)", ty.id);
    if (is_punct(p, '=')) {
        if ((rc = next(p)) < 0 || (rc = parse_expected(p, f)) < 0)
            return rc;
    }
    if (!is_punct(p, ';')) {
        char b[US_IDENT + 8];
        return perr(p, p->tok.line, p->tok.col, "expected ';' after field '%s' before %s", f->name,
                    tok_desc(&p->tok, b, sizeof b));
    }
    s->nf++;
    return next(p);
}

/* Size of one element of f when it does not depend on the data, or
 * UINT64_MAX. */
uint64_t us_fixed_elem(const UsDefs *d, const UsField *f)
{
    if (f->ty == TY_CSTR)
        return UINT64_MAX;
    if (f->ty == TY_STRUCT)
        return d->s[f->sub].fixed ? d->s[f->sub].size : UINT64_MAX;
    return f->size;
}

/* Work out whether s's size is fixed (and what it is). */
static void fix_size(const UsDefs *d, UsStruct *s)
{
    uint64_t size = 0;
    s->fixed = false;
    for (size_t i = 0; i < s->nf; i++) {
        const UsField *f = &s->f[i];
        if (f->at.n)
            continue;
        uint64_t e = us_fixed_elem(d, f);
        if (e == UINT64_MAX || (f->array && !f->count.konst))
            return;
        uint64_t n = f->array ? (f->count.val < 0 ? 0 : (uint64_t)f->count.val) : 1, sz;
        if (__builtin_mul_overflow(n, e, &sz) || __builtin_add_overflow(size, sz, &size) ||
            size > (UINT64_MAX >> 2))
            return;
    }
    s->fixed = true;
    s->size = size;
}

static int parse_struct(Parser *p, bool is_root)
{
    UsDefs *d = p->d;
    int rc = next(p); /* 'struct' */
    if (rc < 0)
        return rc;
    Tok nm = p->tok;
    if (nm.t != T_ID) {
        char b[US_IDENT + 8];
        return perr(p, nm.line, nm.col, "expected a structure name before %s",
                    tok_desc(&nm, b, sizeof b));
    }
    UsField probe;
    if (builtin(nm.id, false, &probe))
        return perr(p, nm.line, nm.col, "'%s' is a built-in type", nm.id);
    if (us_find_struct(d, nm.id) >= 0)
        return perr(p, nm.line, nm.col, "duplicate structure '%s'", nm.id);
    if (d->ns >= US_STRUCTS)
        return perr(p, nm.line, nm.col, "too many structures (at most %d)", US_STRUCTS);
    if (is_root && d->root >= 0)
        return perr(p, nm.line, nm.col, "a second root structure ('%s' is root)",
                    d->s[d->root].name);
    if (d->ns == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        UsStruct *s = realloc(d->s, cap * sizeof *s);
        if (!s)
            return -ENOMEM;
        d->s = s;
        d->cap = cap;
    }
    UsStruct *s = &d->s[d->ns++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", nm.id);
    s->hash = name_hash(s->name);
    p->cur = (int)(d->ns - 1);
    if (is_root)
        d->root = p->cur;
    if ((rc = next(p)) < 0)
        return rc;
    Tok open = p->tok;
    if ((rc = expect(p, '{')) < 0)
        return rc;
    while (!is_punct(p, '}')) {
        if (p->tok.t == T_EOF)
            return perr(p, open.line, open.col, "structure '%s' is not closed with '}'", nm.id);
        if ((rc = parse_field(p)) < 0)
            return rc;
    }
    if (p->pend) {
        bool later = find_field(&d->s[p->cur], p->pend_name) >= 0;
        return perr(p, p->pend_line, p->pend_col,
                    later ? "field '%s' used before it is defined" : "unknown field '%s'",
                    p->pend_name);
    }
    fix_size(d, &d->s[p->cur]);
    p->cur = -1;
    if ((rc = next(p)) < 0)
        return rc;
    return is_punct(p, ';') ? next(p) : 0;
}

static int parse_top(Parser *p)
{
    int rc = next(p);
    while (rc == 0 && p->tok.t != T_EOF) {
        Tok t = p->tok;
        if (is_word(p, "endian")) {
            if ((rc = next(p)) < 0)
                return rc;
            if (is_word(p, "little") || is_word(p, "big")) {
                p->big = p->tok.id[0] == 'b';
            } else {
                char b[US_IDENT + 8];
                return perr(p, p->tok.line, p->tok.col, "expected 'little' or 'big' before %s",
                            tok_desc(&p->tok, b, sizeof b));
            }
            if ((rc = next(p)) < 0)
                return rc;
            if (!is_punct(p, ';'))
                return perr(p, p->tok.line, p->tok.col, "expected ';' after endian");
            rc = next(p);
        } else if (is_word(p, "root")) {
            if ((rc = next(p)) < 0)
                return rc;
            if (!is_word(p, "struct"))
                return perr(p, p->tok.line, p->tok.col, "expected 'struct' after 'root'");
            rc = parse_struct(p, true);
        } else if (is_word(p, "struct")) {
            rc = parse_struct(p, false);
        } else {
            char b[US_IDENT + 8];
            return perr(p, t.line, t.col, "expected 'struct', 'root' or 'endian' before %s",
                        tok_desc(&t, b, sizeof b));
        }
    }
    if (rc == 0 && p->d->ns == 0)
        return perr(p, p->tok.line, p->tok.col, "no structure defined");
    return rc;
}

void ustruct_free(UsDefs *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ns; i++)
        free(d->s[i].f);
    free(d->s);
    free(d->ops);
    free(d);
}

int ustruct_parse(const char *name, const char *text, UsDefs **out, char *err, size_t n)
{
    *out = NULL;
    if (err && n)
        err[0] = 0;
    Parser p = {.name = name ? name : "(text)",
                .s = text,
                .line = 1,
                .col = 1,
                .err = err,
                .errn = n,
                .cur = -1};
    if (strlen(text) > US_FILE)
        return perr(&p, 1, 1, "file too large (at most %u bytes)", US_FILE);
    p.d = calloc(1, sizeof *p.d);
    if (!p.d)
        return -ENOMEM;
    p.d->root = -1;
    int rc = parse_top(&p);
    if (rc < 0) {
        if (rc == -ENOMEM && err && n && !p.failed)
            snprintf(err, n, "%s: out of memory", p.name);
        ustruct_free(p.d);
        return rc;
    }
    *out = p.d;
    return 0;
}

const char *ustruct_name(const UsDefs *d, size_t i)
{
    return d && i < d->ns ? d->s[i].name : NULL;
}
