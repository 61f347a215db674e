/*
 * inspect: bytes as values and values as bytes (see inspect.h).
 *
 * Everything goes through two helpers: integers through a 128-bit
 * magnitude and sign (unsigned __int128, so int128 needs no special case),
 * times through days since the epoch (Howard Hinnant's civil calendar
 * algorithms, exact for every year, unlike gmtime and timegm). Floats are
 * printed with the fewest digits that read back to the same bits, so the
 * panel shows 0.0035 and not 0.0035000000000000001, and what it shows can
 * be typed again. Half and bfloat16 are narrowed from the double strtod
 * reads, in one rounding (to nearest, ties to even).
 */
#include "config.h"

#include "inspect.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef unsigned __int128 u128;

#define FILETIME_EPOCH 11644473600ll /* seconds from 1601-01-01 to 1970-01-01 */
#define TICKS 10000000ull            /* FILETIME ticks (100 ns) per second */

static const InspInfo infos[INSP_COUNT] = {
    [INSP_I8] = {"i8", "int8", 1, false},
    [INSP_U8] = {"u8", "uint8", 1, false},
    [INSP_I16] = {"i16", "int16", 2, true},
    [INSP_U16] = {"u16", "uint16", 2, true},
    [INSP_I32] = {"i32", "int32", 4, true},
    [INSP_U32] = {"u32", "uint32", 4, true},
    [INSP_I64] = {"i64", "int64", 8, true},
    [INSP_U64] = {"u64", "uint64", 8, true},
    [INSP_I128] = {"i128", "int128", 16, true},
    [INSP_U128] = {"u128", "uint128", 16, true},
    [INSP_F16] = {"f16", "float16", 2, true},
    [INSP_BF16] = {"bf16", "bfloat16", 2, true},
    [INSP_F32] = {"f32", "float32", 4, true},
    [INSP_F64] = {"f64", "float64", 8, true},
    [INSP_BIN] = {"bin", "binary", 1, false},
    [INSP_ULEB] = {"uleb128", "uleb128", 0, false},
    [INSP_SLEB] = {"sleb128", "sleb128", 0, false},
    [INSP_UTF8] = {"utf8", "utf8", 0, false},
    [INSP_UTF16] = {"utf16", "utf16", 0, true},
    [INSP_UNIX32] = {"unix32", "unix32", 4, true},
    [INSP_UNIX64] = {"unix64", "unix64", 8, true},
    [INSP_DOS] = {"dostime", "dos", 4, false},
    [INSP_FILETIME] = {"filetime", "filetime", 8, false},
    [INSP_GUID] = {"guid", "guid", 16, false},
};

/* Other names commands take. */
static const struct {
    const char *name;
    InspType t;
} aliases[] = {
    {"s8", INSP_I8},        {"s16", INSP_I16},       {"s32", INSP_I32},       {"s64", INSP_I64},
    {"s128", INSP_I128},    {"half", INSP_F16},      {"float", INSP_F32},     {"double", INSP_F64},
    {"byte", INSP_BIN},     {"uleb", INSP_ULEB},     {"sleb", INSP_SLEB},     {"utf-8", INSP_UTF8},
    {"utf-16", INSP_UTF16}, {"time32", INSP_UNIX32}, {"time64", INSP_UNIX64}, {"dos", INSP_DOS},
    {"uuid", INSP_GUID},
};

const InspInfo *inspect_info(InspType t)
{
    return t < INSP_COUNT ? &infos[t] : NULL;
}

int inspect_find(const char *name)
{
    for (int t = 0; t < INSP_COUNT; t++)
        if (!strcasecmp(name, infos[t].name) || !strcasecmp(name, infos[t].label))
            return t;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(name, aliases[i].name))
            return (int)aliases[i].t;
    return -1;
}

/* snprintf into out and return rc: how every reason is given. */
static int say_rc(int rc, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say_rc(int rc, char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- integers -------------------------------------------------------------- */

static char *u128_str(u128 v, char *buf)
{
    char tmp[48];
    int i = 0, j = 0;
    do {
        tmp[i++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (i)
        buf[j++] = tmp[--i];
    buf[j] = 0;
    return buf;
}

/* nb bytes as an unsigned number in the byte order asked. */
static u128 load(const uint8_t *b, unsigned nb, bool big)
{
    u128 v = 0;
    for (unsigned i = 0; i < nb; i++)
        v |= (u128)b[big ? nb - 1 - i : i] << (8 * i);
    return v;
}

static void store(u128 v, uint8_t *b, unsigned nb, bool big)
{
    for (unsigned i = 0; i < nb; i++)
        b[big ? nb - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* v holding nb bytes, sign-extended to 128 bits. */
static u128 sign_extend(u128 v, unsigned nb)
{
    if (nb < 16 && (v >> (8 * nb - 1)) & 1)
        v |= ~(u128)0 << (8 * nb);
    return v;
}

static void fmt_signed(u128 v, char *out, size_t n)
{
    char d[48];
    if (v >> 127)
        snprintf(out, n, "-%s", u128_str(-v, d));
    else
        snprintf(out, n, "%s", u128_str(v, d));
}

/* Skip blanks. */
static const char *blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* An integer: optional sign, then decimal, 0x hex or 0b binary digits,
 * blanks around. *pattern: hex or binary, which give a bit pattern. */
static int parse_int(const char *t, bool *neg, u128 *mag, bool *pattern, char *err, size_t n)
{
    const char *p = blank(t);
    unsigned base = 10;
    *neg = false;
    *pattern = false;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2, p += 2;
    *pattern = base != 10;
    u128 v = 0;
    const char *d0 = p;
    for (;; p++) {
        unsigned dv;
        if (isdigit((unsigned char)*p))
            dv = (unsigned)(*p - '0');
        else if (base == 16 && isxdigit((unsigned char)*p))
            dv = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
        else
            break;
        if (dv >= base)
            return say_rc(-EINVAL, err, n, "'%c' is not a base-%u digit", *p, base);
        if (v > (~(u128)0 - dv) / base)
            return say_rc(-ERANGE, err, n, "%s is too large for 128 bits", t);
        v = v * base + dv;
    }
    if (p == d0 || *blank(p))
        return say_rc(-EINVAL, err, n, "'%s' is not a number (say -1, 42, 0x7fff or 0b101)", t);
    *mag = v;
    return 0;
}

/* Parse an integer for a field of nb bytes into *v (two's complement). */
static int parse_fit(const char *text, unsigned nb, bool is_signed, const char *label, u128 *v,
                     char *err, size_t n)
{
    bool neg, pattern;
    u128 mag;
    int rc = parse_int(text, &neg, &mag, &pattern, err, n);
    if (rc < 0)
        return rc;
    unsigned bits = 8 * nb;
    u128 umax = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1, smax = umax >> 1;
    char lo[48], hi[48];
    if (is_signed) {
        snprintf(lo, sizeof lo, "-");
        u128_str(smax + 1, lo + 1);
        u128_str(smax, hi);
    } else {
        snprintf(lo, sizeof lo, "0");
        u128_str(umax, hi);
    }
    bool ok = neg ? is_signed && mag <= smax + 1 : mag <= (pattern || !is_signed ? umax : smax);
    if (!ok)
        return say_rc(-ERANGE, err, n, "%s does not fit %s (%s to %s%s)", blank(text), label, lo,
                      hi, is_signed ? ", or a 0x pattern" : "");
    *v = neg ? -mag : mag;
    return 0;
}

/* ---- floats ---------------------------------------------------------------- */

/* A binary float of eb exponent and mb mantissa bits as a double. */
static double widen(uint32_t v, int eb, int mb)
{
    int bias = (1 << (eb - 1)) - 1;
    uint32_t sign = (v >> (eb + mb)) & 1, e = (v >> mb) & ((1u << eb) - 1),
             m = v & ((1u << mb) - 1);
    double r;
    if (e == (1u << eb) - 1)
        r = m ? NAN : INFINITY;
    else if (e == 0)
        r = ldexp(m, 1 - bias - mb);
    else
        r = ldexp(m + (1u << mb), (int)e - bias - mb);
    return sign ? -r : r;
}

/* A double narrowed to eb exponent and mb mantissa bits, rounded to
 * nearest, ties to even; *over: a finite value became infinite. */
static uint32_t narrow(double d, int eb, int mb, bool *over)
{
    uint64_t x;
    memcpy(&x, &d, sizeof x);
    uint32_t sign = (uint32_t)(x >> 63) << (eb + mb);
    int exp = (int)((x >> 52) & 0x7ff), bias = (1 << (eb - 1)) - 1;
    uint64_t man = x & ((1ull << 52) - 1);
    uint32_t inf = ((1u << eb) - 1) << mb;
    *over = false;
    if (exp == 0x7ff)
        return sign | inf | (man ? 1u << (mb - 1) : 0);
    if (exp == 0 && man == 0)
        return sign;
    int e = exp - 1023 + bias, shift;
    uint64_t full, base;
    if (e >= 1) {
        full = man;
        shift = 52 - mb;
        base = (uint64_t)e << mb;
    } else {
        full = man | (1ull << 52);
        shift = 52 - mb + 1 - e;
        base = 0;
        if (shift > 60)
            return sign; /* below half the smallest subnormal */
    }
    uint64_t q = full >> shift, rem = full & ((1ull << shift) - 1), mid = 1ull << (shift - 1);
    if (rem > mid || (rem == mid && (q & 1)))
        q++;
    uint64_t r = base + q; /* a carry out of the mantissa bumps the exponent */
    if (r >= inf) {
        *over = true;
        return sign | inf;
    }
    return sign | (uint32_t)r;
}

/* The fewest digits of d that read back to the same value of the type. */
static void fmt_float(double d, InspType t, uint64_t bits, char *out, size_t n)
{
    if (isnan(d)) {
        snprintf(out, n, "%snan", signbit(d) ? "-" : "");
        return;
    }
    if (isinf(d)) {
        snprintf(out, n, "%sinf", d < 0 ? "-" : "");
        return;
    }
    /* Below a type's decimal digits (15 for a double), rounding a normal
     * value to p digits gives the shortest string when one that short
     * exists, with %g dropping the zeros: start there, not at 1 (a frame of
     * the panel costs a third of this otherwise). Subnormals have fewer
     * bits: they start at 1. */
    int start = t == INSP_F64 ? DBL_DIG : t == INSP_F32 ? FLT_DIG : t == INSP_F16 ? 3 : 2;
    if (fpclassify(t == INSP_F32 ? (float)d : d) == FP_SUBNORMAL ||
        (t == INSP_F16 && !(bits & 0x7c00)) || (t == INSP_BF16 && !(bits & 0x7f80)))
        start = 1;
    for (int p = start; p <= 17; p++) {
        snprintf(out, n, "%.*g", p, d);
        bool over, same;
        if (t == INSP_F64)
            same = strtod(out, NULL) == d;
        else if (t == INSP_F32)
            same = strtof(out, NULL) == (float)d;
        else
            same = narrow(strtod(out, NULL), t == INSP_F16 ? 5 : 8, t == INSP_F16 ? 10 : 7,
                          &over) == bits;
        if (!same)
            continue;
        /* 65504, not 6.55e+04: below 1e16 a positive exponent is written
         * out, with at least the same significant digits. */
        const char *e = strstr(out, "e+");
        if (e && fabs(d) < 1e16) {
            int x = atoi(e + 2);
            snprintf(out, n, "%.*f", p - 1 > x ? p - 1 - x : 0, d);
        }
        return;
    }
}

/* ---- times ----------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Seconds since the epoch (and 100 ns ticks) as ISO 8601; zone: "Z" or "". */
static void fmt_time(int64_t secs, uint32_t ticks, const char *zone, char *out, size_t n)
{
    int64_t days = secs / 86400, sod = secs % 86400, y;
    if (sod < 0)
        sod += 86400, days--;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char frac[16] = "";
    if (ticks) {
        snprintf(frac, sizeof frac, ".%07" PRIu32, ticks);
        for (size_t i = strlen(frac); frac[i - 1] == '0'; i--)
            frac[i - 1] = 0;
    }
    snprintf(out, n, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u%s%s", y, m, d, (unsigned)(sod / 3600),
             (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), frac, zone);
}

/* Digits at *p: at least min, at most max; 0 or -1. */
static int digits(const char **p, int min, int max, int64_t *v)
{
    int k = 0;
    *v = 0;
    while (k < max && isdigit((unsigned char)**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    return k >= min ? 0 : -1;
}

/* YYYY-MM-DD[(T| )HH:MM[:SS[.fffffff]]][Z] to seconds since the epoch and
 * ticks. 0, -EINVAL (not a date: *err untouched if not even a start of
 * one, so a number may be tried) or -ERANGE (a field out of range). */
static int parse_time(const char *text, int64_t *secs, uint32_t *ticks, char *err, size_t n)
{
    const char *p = blank(text);
    int64_t y, mo, d, h = 0, mi = 0, s = 0, f = 0;
    *ticks = 0;
    if (digits(&p, 4, 6, &y) < 0 || *p++ != '-' || digits(&p, 2, 2, &mo) < 0 || *p++ != '-' ||
        digits(&p, 2, 2, &d) < 0)
        return -EINVAL;
    if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
        p++;
        if (digits(&p, 2, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, 2, &mi) < 0)
            return say_rc(-EINVAL, err, n, "the time of day is HH:MM or HH:MM:SS");
        if (*p == ':') {
            p++;
            if (digits(&p, 2, 2, &s) < 0)
                return say_rc(-EINVAL, err, n, "the seconds are two digits");
            if (*p == '.') {
                const char *f0 = ++p;
                if (digits(&p, 1, 7, &f) < 0)
                    return say_rc(-EINVAL, err, n, "a fraction of a second is 1 to 7 digits");
                for (ptrdiff_t k = p - f0; k < 7; k++)
                    f *= 10;
            }
        }
    }
    if (*p == 'Z' || *p == 'z')
        p++;
    if (*blank(p))
        return say_rc(-EINVAL, err, n, "'%s' is not a time: say 2026-12-04T12:00:00Z", text);
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (unsigned)mo) || h > 23 || mi > 59 ||
        s > 59)
        return say_rc(-ERANGE, err, n, "%s: no such date or time", blank(text));
    *secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
    *ticks = (uint32_t)f;
    return 0;
}

/* ---- characters ------------------------------------------------------------ */

static void fmt_char(uint32_t cp, int len, char *out, size_t n)
{
    char u[8] = "";
    /* The character itself, then its number, for the characters every
     * terminal draws one cell wide (Latin, Greek, Cyrillic): a wide or
     * combining one would shift what follows it on the row. */
    bool narrow_glyph = (cp >= 0x20 && cp < 0x300 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) ||
                        (cp >= 0x370 && cp < 0x530 && !(cp >= 0x483 && cp <= 0x489));
    if (narrow_glyph) {
        if (cp < 0x80) {
            u[0] = (char)cp;
        } else if (cp < 0x800) {
            u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
            u[2] = (char)(0x80 | (cp & 0x3f));
        } else {
            u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f));
        }
        snprintf(out, n, "'%s' U+%04" PRIX32 " (%d byte%s)", u, cp, len, len == 1 ? "" : "s");
    } else {
        snprintf(out, n, "U+%04" PRIX32 " (%d byte%s)", cp, len, len == 1 ? "" : "s");
    }
}

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF): the
 * length, or -ENODATA / -EILSEQ with why. */
static int utf8_strict(const uint8_t *b, size_t len, uint32_t *cp, char *why, size_t n)
{
    if (len == 0)
        return say_rc(-ENODATA, why, n, "past the end");
    uint8_t c = b[0];
    int k;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        k = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4, v = c & 0x07, min = 0x10000;
    } else {
        return say_rc(-EILSEQ, why, n, "invalid UTF-8 (lead byte %02x)", c);
    }
    for (int i = 1; i < k; i++) {
        if ((size_t)i >= len)
            return say_rc(-ENODATA, why, n, "%d-byte UTF-8 cut by the end", k);
        if ((b[i] & 0xc0) != 0x80)
            return say_rc(-EILSEQ, why, n, "invalid UTF-8 (byte %d is %02x)", i + 1, b[i]);
        v = v << 6 | (b[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return say_rc(-EILSEQ, why, n, "invalid UTF-8 (%s)",
                      v < min        ? "overlong"
                      : v > 0x10ffff ? "past U+10FFFF"
                                     : "a surrogate");
    *cp = v;
    return k;
}

/* One character typed, or U+XXXX: its code point. */
static int parse_char(const char *text, uint32_t *cp, char *err, size_t n)
{
    size_t tl = strlen(text);
    if ((text[0] == 'U' || text[0] == 'u') && text[1] == '+' && tl > 2) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(text + 2, &end, 16);
        if (*end || !isxdigit((unsigned char)text[2]))
            return say_rc(-EINVAL, err, n, "'%s' is not U+ and hex digits", text);
        if (errno || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
            return say_rc(-ERANGE, err, n, "%s is not a Unicode scalar value", text);
        *cp = (uint32_t)v;
        return 0;
    }
    char why[INSPECT_TEXT];
    int k = utf8_strict((const uint8_t *)text, tl, cp, why, sizeof why);
    if (k < 0)
        return say_rc(-EINVAL, err, n, "not a character: %s", why);
    if ((size_t)k != tl)
        return say_rc(-EINVAL, err, n, "give one character (or U+XXXX), not '%s'", text);
    return 0;
}

/* ---- decoding -------------------------------------------------------------- */

static int decode_leb(const uint8_t *b, size_t len, bool sgn, char *out, size_t n)
{
    u128 v = 0;
    unsigned shift = 0;
    for (size_t i = 0; i < len && i < INSPECT_MAX; i++) {
        if (shift >= 128 || (shift > 121 && (b[i] & 0x7f) >> (128 - shift)))
            return say_rc(-EILSEQ, out, n, "longer than 128 bits");
        v |= (u128)(b[i] & 0x7f) << shift;
        shift += 7;
        if (!(b[i] & 0x80)) {
            char d[48];
            if (sgn && shift < 128 && (b[i] & 0x40))
                v |= ~(u128)0 << shift;
            if (sgn)
                fmt_signed(v, d, sizeof d);
            else
                u128_str(v, d);
            snprintf(out, n, "%s (%zu byte%s)", d, i + 1, i ? "s" : "");
            return (int)i + 1;
        }
    }
    if (len < INSPECT_MAX)
        return say_rc(-ENODATA, out, n, "cut by the end (%zu bytes)", len);
    return say_rc(-EILSEQ, out, n, "no end in %d bytes", INSPECT_MAX);
}

int inspect_decode(InspType t, const uint8_t *b, size_t len, bool big, char *out, size_t n)
{
    if (t >= INSP_COUNT)
        return say_rc(-EINVAL, out, n, "no such type");
    const InspInfo *in = &infos[t];
    if (len > INSPECT_MAX)
        len = INSPECT_MAX;
    if (in->size > len)
        return say_rc(-ENODATA, out, n, "needs %u bytes, %zu before the end", in->size, len);
    switch (t) {
    case INSP_I8:
    case INSP_I16:
    case INSP_I32:
    case INSP_I64:
    case INSP_I128:
        fmt_signed(sign_extend(load(b, in->size, big), in->size), out, n);
        return (int)in->size;
    case INSP_U8:
    case INSP_U16:
    case INSP_U32:
    case INSP_U64:
    case INSP_U128: {
        char d[48];
        snprintf(out, n, "%s", u128_str(load(b, in->size, big), d));
        return (int)in->size;
    }
    case INSP_F16:
    case INSP_BF16: {
        uint32_t v = (uint32_t)load(b, 2, big);
        double d = t == INSP_F16 ? widen(v, 5, 10) : widen(v, 8, 7);
        fmt_float(d, t, v, out, n);
        return 2;
    }
    case INSP_F32: {
        uint32_t v = (uint32_t)load(b, 4, big);
        float f;
        memcpy(&f, &v, sizeof f);
        fmt_float(f, t, v, out, n);
        return 4;
    }
    case INSP_F64: {
        uint64_t v = (uint64_t)load(b, 8, big);
        double d;
        memcpy(&d, &v, sizeof d);
        fmt_float(d, t, v, out, n);
        return 8;
    }
    case INSP_BIN: {
        char bits[9];
        for (int i = 0; i < 8; i++)
            bits[i] = (char)('0' + ((b[0] >> (7 - i)) & 1));
        bits[8] = 0;
        snprintf(out, n, "%s", bits);
        return 1;
    }
    case INSP_ULEB:
    case INSP_SLEB:
        if (len == 0)
            return say_rc(-ENODATA, out, n, "past the end");
        return decode_leb(b, len, t == INSP_SLEB, out, n);
    case INSP_UTF8: {
        uint32_t cp;
        int k = utf8_strict(b, len, &cp, out, n);
        if (k > 0)
            fmt_char(cp, k, out, n);
        return k;
    }
    case INSP_UTF16: {
        if (len < 2)
            return say_rc(-ENODATA, out, n, "needs 2 bytes, %zu before the end", len);
        uint32_t u = (uint32_t)load(b, 2, big);
        if (u >= 0xdc00 && u <= 0xdfff)
            return say_rc(-EILSEQ, out, n, "a lone low surrogate %04" PRIX32, u);
        if (u < 0xd800 || u > 0xdbff) {
            fmt_char(u, 2, out, n);
            return 2;
        }
        if (len < 4)
            return say_rc(-ENODATA, out, n, "a surrogate pair cut by the end");
        uint32_t l = (uint32_t)load(b + 2, 2, big);
        if (l < 0xdc00 || l > 0xdfff)
            return say_rc(-EILSEQ, out, n, "high surrogate %04" PRIX32 " without a low one", u);
        fmt_char(0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00), 4, out, n);
        return 4;
    }
    case INSP_UNIX32: fmt_time((int32_t)(uint32_t)load(b, 4, big), 0, "Z", out, n); return 4;
    case INSP_UNIX64: fmt_time((int64_t)(uint64_t)load(b, 8, big), 0, "Z", out, n); return 8;
    case INSP_DOS: {
        unsigned tm = (unsigned)load(b, 2, false), dt = (unsigned)load(b + 2, 2, false);
        unsigned y = 1980 + (dt >> 9), mo = (dt >> 5) & 15, d = dt & 31;
        unsigned h = tm >> 11, mi = (tm >> 5) & 63, s = (tm & 31) * 2;
        if (mo < 1 || mo > 12)
            return say_rc(-EILSEQ, out, n, "not a DOS date: month %u", mo);
        if (d < 1 || d > days_in_month(y, mo))
            return say_rc(-EILSEQ, out, n, "not a DOS date: day %u", d);
        if (h > 23 || mi > 59 || s > 59)
            return say_rc(-EILSEQ, out, n, "not a DOS time: %02u:%02u:%02u", h, mi, s);
        snprintf(out, n, "%04u-%02u-%02uT%02u:%02u:%02u", y, mo, d, h, mi, s);
        return 4;
    }
    case INSP_FILETIME: {
        uint64_t v = (uint64_t)load(b, 8, false);
        fmt_time((int64_t)(v / TICKS) - FILETIME_EPOCH, (uint32_t)(v % TICKS), "Z", out, n);
        return 8;
    }
    case INSP_GUID:
        snprintf(out, n, "{%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                 (uint32_t)load(b, 4, false), (unsigned)load(b + 4, 2, false),
                 (unsigned)load(b + 6, 2, false), b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                 b[15]);
        return 16;
    default: break;
    }
    return say_rc(-EINVAL, out, n, "no such type");
}

/* ---- encoding -------------------------------------------------------------- */

static int encode_float(InspType t, const char *text, bool big, uint8_t *out, char *err, size_t n)
{
    const char *p = blank(text);
    char *end;
    errno = 0;
    double d = strtod(p, &end);
    if (end == p || *blank(end))
        return say_rc(-EINVAL, err, n, "'%s' is not a number (say 3.5e-3, -1, inf or nan)", text);
    const char *label = infos[t].label;
    if (isinf(d) && errno == ERANGE)
        return say_rc(-ERANGE, err, n, "%s is too large for %s", p, label);
    bool over = false;
    switch (t) {
    case INSP_F16:
    case INSP_BF16: {
        uint32_t v = t == INSP_F16 ? narrow(d, 5, 10, &over) : narrow(d, 8, 7, &over);
        if (over)
            return say_rc(-ERANGE, err, n, "%s is too large for %s (max %s)", p, label,
                          t == INSP_F16 ? "65504" : "3.3895314e+38");
        store(v, out, 2, big);
        return 2;
    }
    case INSP_F32: {
        /* strtof, not (float)d: one rounding, the one the panel's digits
         * were chosen for. */
        errno = 0;
        float f = strtof(p, NULL);
        if (isinf(f) && !isinf(d))
            return say_rc(-ERANGE, err, n, "%s is too large for float32 (max 3.4028235e+38)", p);
        uint32_t v;
        memcpy(&v, &f, sizeof v);
        store(v, out, 4, big);
        return 4;
    }
    default: {
        uint64_t v;
        memcpy(&v, &d, sizeof v);
        store(v, out, 8, big);
        return 8;
    }
    }
}

static int encode_leb(const char *text, bool sgn, uint8_t *out, size_t cap, char *err, size_t n)
{
    u128 v;
    bool neg, pattern;
    int rc = parse_int(text, &neg, &v, &pattern, err, n);
    if (rc < 0)
        return rc;
    if (neg && !sgn)
        return say_rc(-ERANGE, err, n, "uleb128 takes no negative number");
    if (sgn && (neg ? v > ((u128)1 << 127) : v >= ((u128)1 << 127)))
        return say_rc(-ERANGE, err, n, "%s does not fit sleb128's 128 bits", blank(text));
    if (neg)
        v = -v;
    size_t k = 0;
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        bool more;
        if (sgn) {
            /* Arithmetic shift: the sign fills in. */
            bool minus = v >> 127;
            v >>= 7;
            if (minus)
                v |= ~(~(u128)0 >> 7);
            more = !((v == 0 && !(byte & 0x40)) || (v == ~(u128)0 && (byte & 0x40)));
        } else {
            v >>= 7;
            more = v != 0;
        }
        if (k == cap || k == INSPECT_MAX)
            return say_rc(-ERANGE, err, n, "%s takes more than %d bytes in LEB128", blank(text),
                          INSPECT_MAX);
        out[k++] = (uint8_t)(byte | (more ? 0x80 : 0));
        if (!more)
            return (int)k;
    }
}

static int encode_time(InspType t, const char *text, bool big, uint8_t *out, char *err, size_t n)
{
    int64_t secs = 0;
    uint32_t ticks;
    const char *label = infos[t].label;
    err[0] = 0;
    int rc = parse_time(text, &secs, &ticks, err, n);
    if (rc < 0 && !err[0] && t != INSP_DOS) {
        /* Not a date: a number (seconds, or FILETIME ticks) will do. */
        u128 v;
        char e2[INSPECT_TEXT];
        rc =
            parse_fit(text, t == INSP_UNIX32 ? 4 : 8, t != INSP_FILETIME, label, &v, e2, sizeof e2);
        if (rc == -EINVAL)
            return say_rc(-EINVAL, err, n,
                          "'%s' is not a time: say 2026-12-04T12:00:00Z or a number", text);
        if (rc < 0)
            return say_rc(rc, err, n, "%s", e2);
        store(v, out, t == INSP_UNIX32 ? 4 : 8, t == INSP_FILETIME ? false : big);
        return t == INSP_UNIX32 ? 4 : 8;
    }
    if (rc < 0 && !err[0])
        return say_rc(-EINVAL, err, n, "'%s' is not a date: say 2026-12-04T12:00:00", text);
    if (rc < 0)
        return rc;
    switch (t) {
    case INSP_UNIX32:
    case INSP_UNIX64:
        if (ticks)
            return say_rc(-ERANGE, err, n, "%s keeps whole seconds", label);
        if (t == INSP_UNIX32 && (secs < INT32_MIN || secs > INT32_MAX))
            return say_rc(-ERANGE, err, n,
                          "unix32 holds 1901-12-13T20:45:52Z to 2038-01-19T03:14:07Z");
        store((u128)(uint64_t)secs, out, t == INSP_UNIX32 ? 4 : 8, big);
        return t == INSP_UNIX32 ? 4 : 8;
    case INSP_DOS: {
        int64_t days = secs / 86400, sod = secs % 86400, y;
        if (sod < 0)
            sod += 86400, days--;
        unsigned m, d;
        civil_from_days(days, &y, &m, &d);
        if (y < 1980 || y > 2107)
            return say_rc(-ERANGE, err, n, "a DOS date holds the years 1980 to 2107");
        if (ticks || sod % 2)
            return say_rc(-ERANGE, err, n, "a DOS time keeps even seconds");
        unsigned dt = (unsigned)(y - 1980) << 9 | m << 5 | d;
        unsigned tm = (unsigned)(sod / 3600) << 11 | (unsigned)(sod / 60 % 60) << 5 |
                      (unsigned)(sod % 60 / 2);
        store(tm, out, 2, false);
        store(dt, out + 2, 2, false);
        return 4;
    }
    default: { /* FILETIME */
        if (secs < -FILETIME_EPOCH)
            return say_rc(-ERANGE, err, n, "a FILETIME starts at 1601-01-01");
        uint64_t s = (uint64_t)(secs + FILETIME_EPOCH);
        if (s > (UINT64_MAX - ticks) / TICKS)
            return say_rc(-ERANGE, err, n, "a FILETIME ends in the year 60056");
        store(s * TICKS + ticks, out, 8, false);
        return 8;
    }
    }
}

static int encode_guid(const char *text, uint8_t *out, char *err, size_t n)
{
    const char *p = blank(text);
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    bool brace = len >= 2 && p[0] == '{' && p[len - 1] == '}';
    if (brace)
        p++, len -= 2;
    uint8_t raw[16];
    size_t k = 0;
    bool hyphens = len == 36;
    for (size_t i = 0; i < len; i++) {
        if (hyphens && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (p[i] != '-')
                break;
            continue;
        }
        if (!isxdigit((unsigned char)p[i]) || k == 32)
            break;
        unsigned v = isdigit((unsigned char)p[i])
                         ? (unsigned)(p[i] - '0')
                         : (unsigned)(tolower((unsigned char)p[i]) - 'a' + 10);
        raw[k / 2] = (uint8_t)(k % 2 ? raw[k / 2] | v : v << 4);
        k++;
    }
    if (k != 32 || (len != 32 && len != 36))
        return say_rc(-EINVAL, err, n,
                      "'%s' is not a GUID: say {00112233-4455-6677-8899-aabbccddeeff}", text);
    /* Data1, Data2 and Data3 are little endian on disk; Data4 as written. */
    out[0] = raw[3], out[1] = raw[2], out[2] = raw[1], out[3] = raw[0];
    out[4] = raw[5], out[5] = raw[4], out[6] = raw[7], out[7] = raw[6];
    memcpy(out + 8, raw + 8, 8);
    return 16;
}

int inspect_encode(InspType t, const char *text, bool big, uint8_t *out, size_t cap, char *err,
                   size_t n)
{
    if (t >= INSP_COUNT)
        return say_rc(-EINVAL, err, n, "no such type");
    const InspInfo *in = &infos[t];
    if (cap < INSPECT_MAX)
        return say_rc(-ENOSPC, err, n, "no room");
    if (!*blank(text))
        return say_rc(-EINVAL, err, n, "give a %s value", in->label);
    switch (t) {
    case INSP_I8:
    case INSP_I16:
    case INSP_I32:
    case INSP_I64:
    case INSP_I128:
    case INSP_U8:
    case INSP_U16:
    case INSP_U32:
    case INSP_U64:
    case INSP_U128: {
        u128 v;
        bool sgn =
            t == INSP_I8 || t == INSP_I16 || t == INSP_I32 || t == INSP_I64 || t == INSP_I128;
        int rc = parse_fit(text, in->size, sgn, in->label, &v, err, n);
        if (rc < 0)
            return rc;
        store(v, out, in->size, big);
        return (int)in->size;
    }
    case INSP_F16:
    case INSP_BF16:
    case INSP_F32:
    case INSP_F64: return encode_float(t, text, big, out, err, n);
    case INSP_BIN: {
        const char *p = blank(text);
        if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
            p += 2;
        unsigned v = 0, k = 0;
        for (; *p == '0' || *p == '1'; p++, k++)
            v = v << 1 | (unsigned)(*p - '0');
        if (k == 0 || *blank(p))
            return say_rc(-EINVAL, err, n, "'%s' is not binary digits (say 01000001)", text);
        if (k > 8)
            return say_rc(-ERANGE, err, n, "a byte is at most 8 binary digits");
        out[0] = (uint8_t)v;
        return 1;
    }
    case INSP_ULEB:
    case INSP_SLEB: return encode_leb(text, t == INSP_SLEB, out, cap, err, n);
    case INSP_UTF8: {
        uint32_t cp;
        int rc = parse_char(text, &cp, err, n);
        if (rc < 0)
            return rc;
        char u[4];
        int k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (k == 1)
            u[0] = (char)cp;
        else if (k == 2)
            u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f));
        else if (k == 3)
            u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
            u[2] = (char)(0x80 | (cp & 0x3f));
        else
            u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f));
        memcpy(out, u, (size_t)k);
        return k;
    }
    case INSP_UTF16: {
        uint32_t cp;
        int rc = parse_char(text, &cp, err, n);
        if (rc < 0)
            return rc;
        if (cp < 0x10000) {
            store(cp, out, 2, big);
            return 2;
        }
        store(0xd800 + ((cp - 0x10000) >> 10), out, 2, big);
        store(0xdc00 + ((cp - 0x10000) & 0x3ff), out + 2, 2, big);
        return 4;
    }
    case INSP_UNIX32:
    case INSP_UNIX64:
    case INSP_DOS:
    case INSP_FILETIME: return encode_time(t, text, big, out, err, n);
    case INSP_GUID: return encode_guid(text, out, err, n);
    default: break;
    }
    return say_rc(-EINVAL, err, n, "no such type");
}
