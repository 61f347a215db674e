/*
 * bytes: fill, transforms, text forms and patch lines (see bytes.h).
 */
#include "config.h"

#include "bytes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

void bytes_fill(uint8_t *buf, size_t n, const uint8_t *pat, size_t plen, uint64_t phase)
{
    size_t p = (size_t)(phase % plen);
    for (size_t i = 0; i < n; i++) {
        buf[i] = pat[p];
        if (++p == plen)
            p = 0;
    }
}

void bytes_apply(uint8_t *buf, size_t n, BytesOp op, const uint8_t *pat, size_t plen,
                 uint64_t phase)
{
    size_t p = (size_t)(phase % plen);
    for (size_t i = 0; i < n; i++) {
        uint8_t k = pat[p];
        switch (op) {
        case BYTES_XOR: buf[i] ^= k; break;
        case BYTES_AND: buf[i] &= k; break;
        case BYTES_OR: buf[i] |= k; break;
        case BYTES_ADD: buf[i] = (uint8_t)(buf[i] + k); break;
        }
        if (++p == plen)
            p = 0;
    }
}

void bytes_not(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)~buf[i];
}

void bytes_reverse(uint8_t *buf, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        uint8_t t = buf[i];
        buf[i] = buf[j - 1];
        buf[j - 1] = t;
    }
}

int bytes_swap(uint8_t *buf, size_t n, unsigned width)
{
    if ((width != 2 && width != 4 && width != 8) || n % width)
        return -EINVAL;
    for (size_t i = 0; i < n; i += width)
        bytes_reverse(buf + i, width);
    return 0;
}

int bytes_random(uint8_t *buf, size_t n)
{
    while (n) {
        ssize_t r = getrandom(buf, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        buf += r;
        n -= (size_t)r;
    }
    return 0;
}

int bytes_op_parse(const char *name, BytesOp *out)
{
    static const char *const names[] = {"xor", "and", "or", "add"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i])) {
            *out = (BytesOp)i;
            return 0;
        }
    return -EINVAL;
}

int bytes_fmt_parse(const char *name, BytesFmt *out)
{
    static const char *const names[] = {"hex", "c", "python", "base64"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i])) {
            *out = (BytesFmt)i;
            return 0;
        }
    return -EINVAL;
}

char *bytes_base64(const uint8_t *b, size_t n)
{
    /* EVP_EncodeBlock takes an int length: encode in slices of a multiple
     * of 3 bytes, which concatenate to the encoding of the whole. */
    size_t out_len = (n + 2) / 3 * 4;
    char *out = malloc(out_len + 1);
    if (!out)
        return NULL;
    size_t at = 0, o = 0;
    const size_t slice = (size_t)3 << 20;
    while (at < n) {
        size_t k = n - at < slice ? n - at : slice;
        o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, b + at, (int)k);
        at += k;
    }
    out[o] = 0;
    return out;
}

static const char hexd[] = "0123456789abcdef";

char *bytes_format(BytesFmt f, const uint8_t *b, size_t n, size_t *len)
{
    if (f == BYTES_FMT_BASE64) {
        char *t = bytes_base64(b, n);
        if (t && len)
            *len = strlen(t);
        return t;
    }
    /* The longest form per byte: C's "0xde, " and a newline per 12. */
    size_t cap = n * 7 + 64;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    size_t o = 0;
    if (f == BYTES_FMT_HEX) {
        for (size_t i = 0; i < n; i++) {
            t[o++] = hexd[b[i] >> 4];
            t[o++] = hexd[b[i] & 15];
        }
    } else if (f == BYTES_FMT_C) {
        o += (size_t)snprintf(t, cap, "unsigned char data[%zu] = {", n);
        for (size_t i = 0; i < n; i++) {
            if (i % 12 == 0)
                o += (size_t)snprintf(t + o, cap - o, "\n    ");
            o += (size_t)snprintf(t + o, cap - o, "0x%c%c%s", hexd[b[i] >> 4], hexd[b[i] & 15],
                                  i + 1 < n ? (i % 12 == 11 ? "," : ", ") : "");
        }
        o += (size_t)snprintf(t + o, cap - o, "\n};\n");
    } else {
        t[o++] = 'b';
        t[o++] = '\'';
        for (size_t i = 0; i < n; i++) {
            t[o++] = '\\';
            t[o++] = 'x';
            t[o++] = hexd[b[i] >> 4];
            t[o++] = hexd[b[i] & 15];
        }
        t[o++] = '\'';
    }
    t[o] = 0;
    if (len)
        *len = o;
    return t;
}

size_t bytes_patch_line(uint64_t off, const uint8_t *b, size_t n, char *out)
{
    size_t o = (size_t)sprintf(out, "%08" PRIx64 ":", off);
    for (size_t i = 0; i < n && i < BYTES_PATCH_LINE; i++) {
        if (i % 2 == 0)
            out[o++] = ' ';
        out[o++] = hexd[b[i] >> 4];
        out[o++] = hexd[b[i] & 15];
    }
    out[o++] = '\n';
    out[o] = 0;
    return o;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int bytes_patch_parse(const char *line, uint64_t *off, uint8_t *buf, size_t cap, size_t *n)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '\n' || *p == '\r' || *p == '#')
        return 1;
    uint64_t o = 0;
    int digits = 0;
    for (int v; (v = nibble(*p)) >= 0; p++, digits++) {
        if (o >> 60)
            return -EINVAL; /* more than 64 bits */
        o = o << 4 | (uint64_t)v;
    }
    if (!digits || *p != ':')
        return -EINVAL;
    p++;
    size_t k = 0;
    int hi = -1, blanks = 0;
    for (; *p && *p != '\n' && *p != '\r'; p++) {
        if (*p == ' ' || *p == '\t') {
            if (hi >= 0)
                return -EINVAL; /* half a byte */
            if (++blanks == 2 && k)
                break; /* xxd's text column follows */
            continue;
        }
        blanks = 0;
        int v = nibble(*p);
        if (v < 0)
            return -EINVAL;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (k == cap)
            return -E2BIG;
        buf[k++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0)
        return -EINVAL;
    *off = o;
    *n = k;
    return 0;
}
