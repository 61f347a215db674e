/*
 * search-value: value and UTF-16LE patterns (see search-value.h).
 *
 * Values go through the inspector's encoder so that what `find -v` takes
 * and what the inspector shows and `set` takes are one syntax. UTF-16 text
 * reuses the text-pattern parser for its escapes, then recodes the bytes.
 */
#include "config.h"

#include "search-value.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "inspect.h"

/* The type named name, with an optional le/be suffix: its InspType or -1;
 * *order: -1 none given, 0 little, 1 big. A whole name wins ("double"
 * ends in "le"). */
static int find_type(const char *name, int *order)
{
    *order = -1;
    int t = inspect_find(name);
    if (t >= 0)
        return t;
    size_t n = strlen(name);
    if (n < 3 || n >= 32)
        return -1;
    const char *suf = name + n - 2;
    if (strcasecmp(suf, "le") != 0 && strcasecmp(suf, "be") != 0)
        return -1;
    char base[32];
    memcpy(base, name, n - 2);
    base[n - 2] = '\0';
    t = inspect_find(base);
    if (t >= 0)
        *order = (suf[0] | 0x20) == 'b';
    return t;
}

int search_parse_value(const char *type, const char *value, bool big, Pattern *p, char *err,
                       size_t n)
{
    int order;
    int t = find_type(type, &order);
    if (t < 0) {
        snprintf(err, n, "no such type: %s (u8 i16 u32le i64be f32 f64 ...)", type);
        return -EINVAL;
    }
    const InspInfo *info = inspect_info((InspType)t);
    if (order >= 0 && !info->endian) {
        snprintf(err, n, "%s has one byte order: no le or be", info->name);
        return -EINVAL;
    }
    if (!*value) {
        snprintf(err, n, "%s: which value?", info->name);
        return -EINVAL;
    }
    uint8_t b[INSPECT_MAX];
    int k = inspect_encode((InspType)t, value, order >= 0 ? order == 1 : big, b, sizeof b, err, n);
    if (k < 0)
        return k;
    Pattern q;
    memset(&q, 0, sizeof q);
    memcpy(q.bytes, b, (size_t)k);
    memset(q.mask, 0xff, (size_t)k);
    q.len = (size_t)k;
    *p = q;
    return 0;
}

/* The character at s[0, n) as UTF-8: its length (1..4) and *cp, or 0 when
 * s does not start with a valid sequence (overlong, a surrogate, past
 * U+10FFFF, cut short). */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static bool put_unit(Pattern *q, uint32_t u)
{
    if (q->len + 2 > MMH_PATTERN_MAX)
        return false;
    q->bytes[q->len] = (uint8_t)(u & 0xff);
    q->bytes[q->len + 1] = (uint8_t)(u >> 8);
    q->mask[q->len] = q->mask[q->len + 1] = 0xff;
    q->len += 2;
    return true;
}

int search_parse_utf16(const char *text, bool icase, Pattern *p, char *err, size_t n)
{
    Pattern t;
    const char *e = NULL;
    int rc = search_parse_text(text, &t, &e);
    if (rc < 0) {
        snprintf(err, n, "%s", e ? e : "bad pattern");
        return rc;
    }
    Pattern q;
    memset(&q, 0, sizeof q);
    q.icase = icase || t.icase;
    for (size_t i = 0; i < t.len;) {
        uint32_t cp;
        size_t k = utf8_decode(t.bytes + i, t.len - i, &cp);
        if (k == 0) { /* not UTF-8: the byte is a Latin-1 character */
            cp = t.bytes[i];
            k = 1;
        }
        i += k;
        bool ok;
        if (cp >= 0x10000)
            ok = put_unit(&q, 0xd800 + ((cp - 0x10000) >> 10)) &&
                 put_unit(&q, 0xdc00 + ((cp - 0x10000) & 0x3ff));
        else
            ok = put_unit(&q, cp);
        if (!ok) {
            snprintf(err, n, "pattern longer than 256 bytes (128 UTF-16 code units)");
            return -ERANGE;
        }
    }
    if (q.icase)
        for (size_t i = 0; i < q.len; i++)
            if (q.bytes[i] >= 'A' && q.bytes[i] <= 'Z')
                q.bytes[i] = (uint8_t)(q.bytes[i] + 32);
    *p = q;
    return 0;
}
