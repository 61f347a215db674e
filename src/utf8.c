/*
 * utf8: see utf8.h.
 */
#include "config.h"

#include "utf8.h"

size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if ((cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decode one UTF-8 character of s into *cp; bytes consumed (at least 1 for
 * a non-empty s). Malformed input and control characters come out as '?',
 * so nothing written to the grid can move a terminal's cursor. */
size_t utf8_get(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c = p[0], min;
    size_t k, i;

    if (c < 0x80) {
        *cp = c < 0x20 || c == 0x7f ? '?' : c;
        return 1;
    }
    if (c >= 0xc2 && c < 0xe0) {
        k = 2, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c < 0xf0) {
        k = 3, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c < 0xf5) {
        k = 4, c &= 0x07, min = 0x10000;
    } else {
        *cp = '?';
        return 1;
    }
    for (i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *cp = '?';
            return i;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000) || (c >= 0x80 && c < 0xa0))
        c = '?';
    *cp = c;
    return k;
}

/* Characters (code points) in s. */
size_t utf8_count(const char *s)
{
    size_t n = 0;
    uint32_t cp;

    while (*s) {
        s += utf8_get(s, &cp);
        n++;
    }
    return n;
}

size_t utf8_prev(const char *t, size_t i)
{
    while (i > 0 && ((unsigned char)t[--i] & 0xc0) == 0x80)
        ;
    return i;
}

size_t utf8_next(const char *t, size_t len, size_t i)
{
    while (i < len && ((unsigned char)t[++i] & 0xc0) == 0x80)
        ;
    return i;
}
