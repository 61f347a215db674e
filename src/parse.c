/*
 * parse: offset expressions, counts and hex bytes from text, sizes to text
 * (see parse.h for the forms).
 *
 * Everything is exact unsigned integer arithmetic, with no floating point:
 * a term is one uint64_t, and an expression is summed as two 128-bit
 * accumulators, one for the terms added and one for those subtracted, so the
 * result is exact whatever the order of the terms ("0-16+32" is 16) and is
 * range-checked once at the end. A percentage is kept as the fraction
 * digits/10^k and applied as floor(size * num / den) with a 64x64->128
 * multiply and a 128/64 divide written out by hand, so 12.5% of 16 TiB is
 * exactly 2 TiB and 50% of an odd size rounds down, on 32-bit hosts too.
 *
 * Errors are -EINVAL (malformed text) or -ERANGE (a value that does not fit
 * or falls before 0), with *err pointing at a static sentence.
 */
#include "config.h"

#include "parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The longest fraction a percentage may have, in digits: 100 * 10^16 still
 * fits in a uint64_t denominator. */
#define PCT_MAX_DECIMALS 16

static const char E_EMPTY[] = "empty expression";
static const char E_NUMBER[] = "malformed number";
static const char E_EXPECT_NUMBER[] = "expected a number";
static const char E_EXPECT_OP[] = "expected + or - between terms";
static const char E_SUFFIX[] = "unknown suffix";
static const char E_FRACTION[] = "a fraction needs a %";
static const char E_DECIMALS[] = "too many decimals in a percentage";
static const char E_BEFORE[] = "offset before the start of the file";
static const char E_OFF_LARGE[] = "offset too large";
static const char E_COUNT_LARGE[] = "number too large";
static const char E_HEX_EMPTY[] = "no hex bytes";
static const char E_HEX_ODD[] = "odd number of hex digits";
static const char E_HEX_DIGIT[] = "not a hex digit";
static const char E_HEX_MANY[] = "too many bytes";

typedef struct U128 {
    uint64_t hi; /* upper 64 bits */
    uint64_t lo; /* lower 64 bits */
} U128;

static int fail(const char **err, const char *msg, int code)
{
    if (err)
        *err = msg;
    return code;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The value of a digit in any base up to 16, or 16 for a non-digit. */
static unsigned digit_value(char c)
{
    if (is_digit(c))
        return (unsigned)(c - '0');
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    return 16;
}

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

static void u128_add(U128 *a, uint64_t v)
{
    a->lo += v;
    if (a->lo < v)
        a->hi++;
}

static U128 u128_mul(uint64_t a, uint64_t b)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    /* Middle column: each partial product is below 2^64 - 2^33 + 1, so the
     * sum of its two low halves and the carry from p00 cannot overflow. */
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    U128 r;
    r.lo = (mid << 32) | (p00 & 0xffffffffu);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

/* *q = n / d, or -ERANGE when the quotient needs more than 64 bits.
 * Restoring long division, one bit at a time: slow, but it runs once per
 * percentage typed. */
static int u128_div(U128 n, uint64_t d, uint64_t *q)
{
    if (n.hi >= d)
        return -ERANGE;
    uint64_t r = n.hi, quot = 0;
    for (int i = 63; i >= 0; i--) {
        uint64_t carry = r >> 63;
        r = (r << 1) | ((n.lo >> i) & 1);
        if (carry || r >= d) {
            r -= d;
            quot |= (uint64_t)1 << i;
        }
    }
    *q = quot;
    return 0;
}

/* Digits in base at *pp into *v. Sets *overflow (and keeps reading) when the
 * value passes UINT64_MAX; returns how many digits were read. */
static size_t read_digits(const char **pp, unsigned base, uint64_t *v, bool *overflow)
{
    const char *p = *pp;
    uint64_t x = 0;
    for (unsigned d; (d = digit_value(*p)) < base; p++) {
        if (x > (UINT64_MAX - d) / base)
            *overflow = true;
        else
            x = x * base + d;
    }
    *v = x;
    size_t n = (size_t)(p - *pp);
    *pp = p;
    return n;
}

/* A number with an optional base prefix and binary suffix, at *pp.
 * -EINVAL with a message, or -ERANGE (the caller names the range). */
static int read_number(const char **pp, uint64_t *out, const char **err)
{
    const char *p = *pp;
    if (!is_digit(*p))
        return fail(err, E_EXPECT_NUMBER, -EINVAL);
    unsigned base = 10;
    if (p[0] == '0') {
        char c = lower(p[1]);
        base = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 10;
        if (base != 10)
            p += 2;
    }
    uint64_t v;
    bool overflow = false;
    if (read_digits(&p, base, &v, &overflow) == 0)
        return fail(err, E_NUMBER, -EINVAL); /* "0x", "0xg" */
    if (digit_value(*p) < 10 || *p == '.')
        return fail(err, E_NUMBER, -EINVAL); /* "0b102", "0x1.5" */
    if (is_alpha(*p)) {
        static const char units[] = "kmgtp";
        unsigned shift = 0;
        for (unsigned i = 0; units[i]; i++)
            if (lower(*p) == units[i])
                shift = 10 * (i + 1);
        if (!shift || is_alpha(p[1]) || is_digit(p[1]))
            return fail(err, E_SUFFIX, -EINVAL);
        if (v > UINT64_MAX >> shift)
            overflow = true;
        else
            v <<= shift;
        p++;
    }
    *pp = p;
    if (overflow)
        return -ERANGE;
    *out = v;
    return 0;
}

/* A percentage "I[.F]%" of size at *pp (the caller saw digits then '.' or
 * '%'), as floor(size * I.F / 100). */
static int read_percent(const char **pp, uint64_t size, uint64_t *out, const char **err)
{
    const char *p = *pp;
    uint64_t num, frac = 0;
    bool overflow = false;
    read_digits(&p, 10, &num, &overflow);
    unsigned decimals = 0;
    if (*p == '.') {
        p++;
        const char *f = p;
        if (!is_digit(*p))
            return fail(err, E_NUMBER, -EINVAL); /* "1.%", "1..2" */
        while (is_digit(*p))
            p++;
        const char *end = p;
        while (end > f && end[-1] == '0') /* 12.50% is 12.5% */
            end--;
        if (end - f > PCT_MAX_DECIMALS)
            return fail(err, E_DECIMALS, -EINVAL);
        for (; f < end; f++, decimals++)
            frac = frac * 10 + (uint64_t)(*f - '0');
    }
    if (*p != '%')
        return fail(err, E_FRACTION, -EINVAL);
    p++;
    uint64_t den = 100;
    for (unsigned i = 0; i < decimals; i++) {
        den *= 10;
        if (num > UINT64_MAX / 10)
            overflow = true;
        else
            num *= 10;
    }
    if (num > UINT64_MAX - frac)
        overflow = true;
    num += frac;
    *pp = p;
    if (overflow || u128_div(u128_mul(size, num), den, out) < 0)
        return -ERANGE;
    return 0;
}

/* One term at *pp: a number, "end" or a percentage. */
static int read_term(const char **pp, uint64_t size, uint64_t *out, const char **err)
{
    const char *p = *pp;
    if (lower(p[0]) == 'e' && lower(p[1]) == 'n' && lower(p[2]) == 'd' && !is_alpha(p[3]) &&
        !is_digit(p[3])) {
        *pp = p + 3;
        *out = size;
        return 0;
    }
    const char *q = p;
    while (is_digit(*q))
        q++;
    if (q > p && (*q == '.' || *q == '%'))
        return read_percent(pp, size, out, err);
    return read_number(pp, out, err);
}

int parse_offset(const char *s, uint64_t cursor, uint64_t size, uint64_t *out, const char **err)
{
    const char *p = skip_blanks(s);
    if (!*p)
        return fail(err, E_EMPTY, -EINVAL);
    U128 plus = {0, 0}, minus = {0, 0}; /* sums of the terms added and subtracted */
    bool neg = false;
    bool range = false;           /* a term overflowed: report it once the syntax is known good */
    if (*p == '+' || *p == '-') { /* relative to the cursor */
        u128_add(&plus, cursor);
        neg = *p == '-';
        p = skip_blanks(p + 1);
    }
    for (;;) {
        uint64_t v = 0;
        int r = read_term(&p, size, &v, err);
        if (r == -ERANGE)
            range = true;
        else if (r < 0)
            return r;
        u128_add(neg ? &minus : &plus, v);
        p = skip_blanks(p);
        if (!*p)
            break;
        if (*p != '+' && *p != '-')
            return fail(err, E_EXPECT_OP, -EINVAL);
        neg = *p == '-';
        p = skip_blanks(p + 1);
    }
    if (range)
        return fail(err, E_OFF_LARGE, -ERANGE);
    if (minus.hi > plus.hi || (minus.hi == plus.hi && minus.lo > plus.lo))
        return fail(err, E_BEFORE, -ERANGE);
    uint64_t lo = plus.lo - minus.lo;
    uint64_t hi = plus.hi - minus.hi - (plus.lo < minus.lo);
    if (hi)
        return fail(err, E_OFF_LARGE, -ERANGE);
    *out = lo;
    return 0;
}

int parse_signed(const char *s, int64_t *out, const char **err)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    uint64_t v;
    if (*s == '-' || *s == '+') {
        *err = "one sign at most";
        return -EINVAL;
    }
    if (parse_count(s, &v, err) < 0)
        return -EINVAL;
    if (v > INT64_MAX) {
        *err = "too large";
        return -ERANGE;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int parse_count(const char *s, uint64_t *out, const char **err)
{
    const char *p = skip_blanks(s);
    if (!*p)
        return fail(err, E_EMPTY, -EINVAL);
    uint64_t v = 0;
    int r = read_number(&p, &v, err);
    if (r < 0 && r != -ERANGE)
        return r;
    if (*skip_blanks(p))
        return fail(err, E_NUMBER, -EINVAL);
    if (r == -ERANGE)
        return fail(err, E_COUNT_LARGE, -ERANGE);
    *out = v;
    return 0;
}

int parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *n, const char **err)
{
    const char *p = skip_blanks(s);
    size_t count = 0;
    *n = 0;
    if (p[0] == '0' && lower(p[1]) == 'x' && digit_value(p[2]) < 16)
        p += 2;
    for (;;) {
        p = skip_blanks(p);
        if (!*p)
            break;
        unsigned hi = digit_value(p[0]);
        if (hi >= 16)
            return fail(err, E_HEX_DIGIT, -EINVAL);
        if (!p[1] || is_blank(p[1]))
            return fail(err, E_HEX_ODD, -EINVAL); /* "d ead": pairs may not straddle a blank */
        unsigned lo = digit_value(p[1]);
        if (lo >= 16)
            return fail(err, E_HEX_DIGIT, -EINVAL);
        if (count == cap)
            return fail(err, E_HEX_MANY, -ERANGE);
        buf[count++] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    if (count == 0)
        return fail(err, E_HEX_EMPTY, -EINVAL);
    *n = count;
    return 0;
}

/* Truncated, not rounded, to one decimal: a size shown is never more than
 * the true size, and never reads "1024.0 KiB" where "1.0 MiB" is meant
 * (so UINT64_MAX shows as "15.9 EiB"). */
char *parse_fmt_size(uint64_t bytes, char *buf, size_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(buf, n, "%" PRIu64 " B", bytes);
        return buf;
    }
    unsigned u = 0;
    while (u + 1 < sizeof units / sizeof *units && bytes >> (10 * (u + 2)) != 0)
        u++;
    unsigned shift = 10 * (u + 1);
    uint64_t whole = bytes >> shift;
    /* The remainder is below 2^60, so ten times it still fits. */
    uint64_t tenth = ((bytes & (((uint64_t)1 << shift) - 1)) * 10) >> shift;
    snprintf(buf, n, "%" PRIu64 ".%" PRIu64 " %s", whole, tenth, units[u]);
    return buf;
}

char *parse_fmt_ns(uint64_t ns, char *buf, size_t n)
{
    /* Milliseconds up to ten seconds: a write or a flush is read in ms. */
    if (ns < 1000000)
        snprintf(buf, n, "%" PRIu64 " us", ns / 1000);
    else if (ns < 10000000000ull)
        snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.1f s", (double)ns / 1e9);
    return buf;
}

/* Bytes of the well-formed UTF-8 character at p that is not a control, or
 * 0 (C0, DEL, C1, malformed, overlong, surrogate, past U+10FFFF). */
static size_t utf8_printable(const unsigned char *p)
{
    uint32_t c = p[0], min;
    size_t k;
    if (c < 0x80)
        return c >= 0x20 && c != 0x7f;
    if (c >= 0xc2 && c < 0xe0)
        k = 2, c &= 0x1f, min = 0x80;
    else if (c >= 0xe0 && c < 0xf0)
        k = 3, c &= 0x0f, min = 0x800;
    else if (c >= 0xf0 && c < 0xf5)
        k = 4, c &= 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80) /* the NUL ends it here too */
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000) || c < 0xa0)
        return 0;
    return k;
}

size_t parse_escape_ctl(const char *s, char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t len = 0, put = 0; /* the whole result's length; characters in buf */
    while (*p) {
        char esc[4];
        const char *piece = (const char *)p;
        size_t k = utf8_printable(p), step = k;
        if (k == 0) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[*p >> 4];
            esc[3] = hex[*p & 15];
            piece = esc;
            k = 4;
            step = 1;
        }
        if (put == len && len + k < n) { /* nothing cut so far, and it fits */
            memcpy(buf + put, piece, k);
            put += k;
        }
        len += k;
        p += step;
    }
    if (n > 0)
        buf[put] = '\0';
    return len;
}

char *parse_fmt_size_short(uint64_t bytes, char *buf, size_t n)
{
    char t[32];
    parse_fmt_size(bytes, t, sizeof t);
    char *sp = strchr(t, ' ');
    if (sp && sp[1] && sp[1] != 'B')
        sp[2] = 0; /* keep the unit's letter only */
    if (sp)
        memmove(sp, sp + 1, strlen(sp));
    snprintf(buf, n, "%s", t);
    return buf;
}

unsigned parse_permille(uint64_t num, uint64_t den)
{
    if (den == 0)
        return 0;
    if (num >= den)
        return 1000;
    long double q = (long double)num * 1000.0L / (long double)den;
    return q >= 999.0L ? 999 : (unsigned)q;
}
