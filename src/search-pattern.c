/*
 * search-pattern: the search module's patterns and matcher (search.h): hex
 * and text patterns parsed, and matched in memory.
 *
 * The matcher is prepared once per job (per call for search_buf): plain
 * bytes go to memmem forward; anything with wildcards or case folding, and
 * every backward scan, looks for an anchor (the fixed byte least likely to
 * occur, by a rough table of byte frequencies) with memchr or memrchr, then
 * checks the whole pattern there. A case-folded letter as anchor is looked
 * for in both cases, each memchr result kept until passed, so a letter that
 * never occurs in one case costs one scan, not one per candidate.
 */
#include "config.h"

#include "search.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search-regex.h"
#include "search_private.h"

#define SEARCH_RBLOCK (16u << 10) /* bytes per memrchr call */

static const char E_EMPTY[] = "empty pattern";
static const char E_ODD[] = "odd number of hex digits";
static const char E_WILD_PAIR[] = "a wildcard is a pair: ??";
static const char E_ANYTHING[] = "pattern matches anything";
static const char E_LONG[] = "pattern longer than 256 bytes";
static const char E_X[] = "\\x needs two hex digits";
static const char E_TRAILING[] = "a lone \\ at the end";

/* Messages quoting the input (per thread, so parsers stay reentrant). */
static _Thread_local char errbuf[48];

/* ---- patterns ------------------------------------------------------------- */

static int fail(const char **err, const char *msg, int rc)
{
    if (err)
        *err = msg;
    return rc;
}

/* A message naming the offending character: "not a hex digit: 'g'",
 * "bad escape \\q"; unprintable ones as \\xNN. */
static int fail_char(const char **err, bool escape, char c)
{
    unsigned char u = (unsigned char)c;
    bool shown = u > 0x20 && u < 0x7f;
    if (escape && shown)
        snprintf(errbuf, sizeof errbuf, "bad escape \\%c", c);
    else if (escape)
        snprintf(errbuf, sizeof errbuf, "bad escape \\ followed by byte 0x%02x", u);
    else if (shown)
        snprintf(errbuf, sizeof errbuf, "not a hex digit: '%c'", c);
    else
        snprintf(errbuf, sizeof errbuf, "not a hex digit: byte 0x%02x", u);
    return fail(err, errbuf, -EINVAL);
}

static unsigned hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    return 16;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static uint8_t lower(uint8_t b)
{
    return (unsigned)(b - 'A') < 26u ? (uint8_t)(b + 32) : b;
}

static bool is_lower(uint8_t b)
{
    return (unsigned)(b - 'a') < 26u;
}

int search_parse_hex(const char *s, Pattern *p, const char **err)
{
    Pattern q;
    memset(&q, 0, sizeof q);
    size_t fixed = 0;
    for (const char *c = s;;) {
        while (is_blank(*c))
            c++;
        if (!*c)
            break;
        uint8_t byte = 0, mask = 0xff;
        if (c[0] == '?') {
            if (c[1] != '?')
                return fail(err, E_WILD_PAIR, -EINVAL); /* "?", "???", "?a": no half bytes */
            mask = 0;
        } else {
            unsigned hi = hex_value(c[0]);
            if (hi >= 16)
                return fail_char(err, false, c[0]);
            if (!c[1] || is_blank(c[1]))
                return fail(err, E_ODD, -EINVAL); /* "d ead": pairs may not straddle a blank */
            if (c[1] == '?')
                return fail(err, E_WILD_PAIR, -EINVAL);
            unsigned lo = hex_value(c[1]);
            if (lo >= 16)
                return fail_char(err, false, c[1]);
            byte = (uint8_t)(hi << 4 | lo);
            fixed++;
        }
        if (q.len == MMH_PATTERN_MAX)
            return fail(err, E_LONG, -ERANGE);
        q.bytes[q.len] = byte;
        q.mask[q.len] = mask;
        q.wild |= mask == 0;
        q.len++;
        c += 2;
    }
    if (q.len == 0)
        return fail(err, E_EMPTY, -EINVAL);
    if (fixed == 0)
        return fail(err, E_ANYTHING, -EINVAL);
    *p = q;
    return 0;
}

int search_parse_text(const char *s, Pattern *p, const char **err)
{
    Pattern q;
    memset(&q, 0, sizeof q);
    const char *c = s;
    if (c[0] == '\\' && c[1] == 'c') {
        q.icase = true;
        c += 2;
    }
    while (*c) {
        uint8_t b;
        if (*c != '\\') {
            b = (uint8_t)*c++;
        } else {
            switch (c[1]) {
            case '\\': b = '\\'; break;
            case 'n': b = '\n'; break;
            case 't': b = '\t'; break;
            case 'r': b = '\r'; break;
            case '0': b = 0; break;
            case 'x': {
                unsigned hi = hex_value(c[2]), lo = hi < 16 ? hex_value(c[3]) : 16;
                if (lo >= 16)
                    return fail(err, E_X, -EINVAL);
                b = (uint8_t)(hi << 4 | lo);
                c += 2;
                break;
            }
            case '\0': return fail(err, E_TRAILING, -EINVAL);
            default: return fail_char(err, true, c[1]);
            }
            c += 2;
        }
        if (q.len == MMH_PATTERN_MAX)
            return fail(err, E_LONG, -ERANGE);
        q.bytes[q.len] = q.icase ? lower(b) : b;
        q.mask[q.len] = 0xff;
        q.len++;
    }
    if (q.len == 0)
        return fail(err, E_EMPTY, -EINVAL);
    *p = q;
    return 0;
}

bool search_matches_zeros(const Pattern *p)
{
    for (size_t i = 0; i < p->len; i++)
        if ((p->bytes[i] & p->mask[i]) != 0)
            return false;
    return true;
}

/* ---- the matcher ---------------------------------------------------------- */

/* Roughly how often byte b turns up in the files people search (code,
 * text, databases), in parts per ten thousand. Only the order matters. */
static unsigned byte_freq(uint8_t b)
{
    if (b == 0x00)
        return 2000;
    if (b == ' ')
        return 400;
    if (b == 0xff)
        return 300;
    if (strchr("etaoinsrhl", b))
        return 120;
    if (b >= 'a' && b <= 'z')
        return 40;
    if (b >= '0' && b <= '9')
        return 50;
    if (b >= 'A' && b <= 'Z')
        return 25;
    if (b == '\n' || b == '\t' || strchr(".,:;/_-=\"'()", b))
        return 40;
    if (b < 0x10) /* small integers in binary structures */
        return 60;
    if (b < 0x80)
        return 20;
    return 8;
}

/* How often b turns up as the pattern's byte at a fixed position, with a
 * folded letter counting both its cases. */
static unsigned cost_of(const Matcher *mt, uint8_t b)
{
    bool two = mt->fold && is_lower(b);
    return byte_freq(b) + (two ? byte_freq((uint8_t)(b - 32)) : 0);
}

static SearchImpl best_impl(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return search_have_avx2() ? SEARCH_IMPL_AVX2 : SEARCH_IMPL_SSE2;
#else
    return SEARCH_IMPL_PORTABLE;
#endif
}

bool search_prepare_impl(Matcher *mt, const Pattern *p, SearchImpl impl)
{
    if (impl == SEARCH_IMPL_AUTO)
        impl = best_impl();
#if defined(__x86_64__) || defined(__i386__)
    if (impl == SEARCH_IMPL_AVX2 && !search_have_avx2())
        return false;
#else
    if (impl != SEARCH_IMPL_PORTABLE)
        return false;
#endif
    memset(mt, 0, sizeof *mt);
    mt->impl = impl;
    if (p->rx) {
        mt->rx = p->rx;
        mt->overlap = rx_overlap(p->rx);
        return true;
    }
    size_t len = p->len <= MMH_PATTERN_MAX ? p->len : MMH_PATTERN_MAX;
    bool letters = false, wild = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = p->icase ? lower(p->bytes[i]) : p->bytes[i];
        mt->mask[i] = p->mask[i];
        mt->bytes[i] = b & p->mask[i];
        wild |= p->mask[i] != 0xff;
        letters |= p->mask[i] != 0 && is_lower(b);
    }
    mt->len = len;
    mt->overlap = len ? len - 1 : 0;
    mt->fold = p->icase && letters;
    mt->plain = !wild && !mt->fold;
    /* The anchor (portable scans) is the rarest fixed byte; the packed
     * pair is it and the next rarest at another index (the anchor twice
     * when only one byte is fixed). Ties go to the later index for the
     * second, so a plain pattern's pair spreads out. */
    unsigned best = ~0u, second = ~0u;
    for (size_t i = 0; i < len; i++) {
        if (mt->mask[i] != 0xff)
            continue;
        unsigned cost = cost_of(mt, mt->bytes[i]);
        if (cost < best) {
            best = cost;
            mt->anchored = true;
            mt->anchor = i;
        }
    }
    if (!mt->anchored)
        return true;
    uint8_t a = mt->bytes[mt->anchor];
    mt->a1 = a;
    mt->a2 = mt->fold && is_lower(a) ? (uint8_t)(a - 32) : a;
    mt->i1 = mt->i2 = mt->anchor;
    for (size_t i = 0; i < len; i++) {
        if (mt->mask[i] != 0xff || i == mt->anchor)
            continue;
        unsigned cost = cost_of(mt, mt->bytes[i]);
        /* A byte equal to the anchor's tells less than a different one. */
        if (mt->bytes[i] == a)
            cost += 1000;
        if (cost <= second) {
            second = cost;
            mt->i2 = i;
        }
    }
    mt->paired = true;
    mt->p1 = mt->bytes[mt->i1];
    mt->p2 = mt->bytes[mt->i2];
    mt->m1 = mt->fold && is_lower(mt->p1) ? 0x20 : 0;
    mt->m2 = mt->fold && is_lower(mt->p2) ? 0x20 : 0;
    return true;
}

void search_prepare(Matcher *mt, const Pattern *p)
{
    (void)search_prepare_impl(mt, p, SEARCH_IMPL_AUTO);
}

bool search_verify(const Matcher *mt, const uint8_t *s)
{
    if (mt->plain)
        return memcmp(s, mt->bytes, mt->len) == 0;
    if (mt->fold) {
        for (size_t t = 0; t < mt->len; t++)
            if ((lower(s[t]) & mt->mask[t]) != mt->bytes[t])
                return false;
        return true;
    }
    for (size_t t = 0; t < mt->len; t++)
        if ((s[t] & mt->mask[t]) != mt->bytes[t])
            return false;
    return true;
}

/* Index of byte c in base[from, end), or end. */
static size_t next_of(const uint8_t *base, size_t from, size_t end, uint8_t c)
{
    const uint8_t *q = from < end ? memchr(base + from, c, end - from) : NULL;
    return q ? (size_t)(q - base) : end;
}

/* Index of the last byte c in base[0, end), or -1. In blocks: a sanitizer
 * checks the whole range of every memrchr call, which would make a backward
 * scan through dense candidates quadratic; the extra calls cost nothing. */
static long last_of(const uint8_t *base, size_t end, uint8_t c)
{
    while (end > 0) {
        size_t n = end < SEARCH_RBLOCK ? end : SEARCH_RBLOCK;
        const uint8_t *q = memrchr(base + end - n, c, n);
        if (q)
            return (long)(q - base);
        end -= n;
    }
    return -1;
}

static long scan_fwd(const Matcher *mt, const uint8_t *buf, size_t n)
{
    if (mt->len == 0 || n < mt->len)
        return -1;
    size_t starts = n - mt->len + 1;
    if (mt->plain) {
        const uint8_t *q = memmem(buf, n, mt->bytes, mt->len);
        return q ? (long)(q - buf) : -1;
    }
    if (!mt->anchored) {
        for (size_t i = 0; i < starts; i++)
            if (search_verify(mt, buf + i))
                return (long)i;
        return -1;
    }
    /* Candidate i has its anchor byte at base[i]. */
    const uint8_t *base = buf + mt->anchor;
    size_t i1 = next_of(base, 0, starts, mt->a1);
    size_t i2 = mt->a2 == mt->a1 ? starts : next_of(base, 0, starts, mt->a2);
    for (;;) {
        size_t i = i1 < i2 ? i1 : i2;
        if (i >= starts)
            return -1;
        if (search_verify(mt, buf + i))
            return (long)i;
        if (i == i1)
            i1 = next_of(base, i + 1, starts, mt->a1);
        else
            i2 = next_of(base, i + 1, starts, mt->a2);
    }
}

static long scan_bwd(const Matcher *mt, const uint8_t *buf, size_t n)
{
    if (mt->len == 0 || n < mt->len)
        return -1;
    size_t starts = n - mt->len + 1;
    if (!mt->anchored) {
        for (size_t i = starts; i-- > 0;)
            if (search_verify(mt, buf + i))
                return (long)i;
        return -1;
    }
    const uint8_t *base = buf + mt->anchor;
    long i1 = last_of(base, starts, mt->a1);
    long i2 = mt->a2 == mt->a1 ? -1 : last_of(base, starts, mt->a2);
    for (;;) {
        long i = i1 > i2 ? i1 : i2;
        if (i < 0)
            return -1;
        if (search_verify(mt, buf + i))
            return i;
        if (i == i1)
            i1 = last_of(base, (size_t)i, mt->a1);
        else
            i2 = last_of(base, (size_t)i, mt->a2);
    }
}

long search_scan(const Matcher *mt, const uint8_t *buf, size_t n, bool backward)
{
    if (mt->rx || mt->len == 0 || n < mt->len)
        return -1;
    if (mt->impl != SEARCH_IMPL_PORTABLE && mt->paired) {
        size_t starts = n - mt->len + 1;
        return backward ? search_simd_bwd(mt, buf, starts) : search_simd_fwd(mt, buf, starts);
    }
    return backward ? scan_bwd(mt, buf, n) : scan_fwd(mt, buf, n);
}

int search_window(const Matcher *mt, const uint8_t *buf, size_t nstart, size_t navail, bool end,
                  bool backward, size_t *at, size_t *len)
{
    if (mt->rx)
        return rx_scan(mt->rx, buf, nstart, navail, end, backward, at, len);
    if (nstart == 0)
        return 0;
    /* The bytes of the nstart starts: fewer only at the end of the range,
     * where the last starts cannot hold a whole match anyway. */
    size_t n = nstart + mt->len - 1 < navail ? nstart + mt->len - 1 : navail;
    long i = search_scan(mt, buf, n, backward);
    if (i < 0)
        return 0;
    *at = (size_t)i;
    *len = mt->len;
    return 1;
}

long search_buf(const Pattern *p, const uint8_t *buf, size_t len, bool backward)
{
    if (p->rx || p->len == 0 || p->len > MMH_PATTERN_MAX || len < p->len)
        return -1;
    Matcher mt;
    search_prepare(&mt, p);
    return search_scan(&mt, buf, len, backward);
}
