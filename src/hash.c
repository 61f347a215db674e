/*
 * hash: checksums and digests of a document's bytes (see hash.h).
 *
 * Every sum comes from a library: zlib's crc32/adler32 and their
 * *_combine64, ISA-L's crc32_iscsi, OpenSSL's EVP digests. The one piece of
 * arithmetic written here is hash_crc32c_shift, the GF(2) "append n zero
 * bytes" that zlib's crc32_combine does for CRC-32 but ISA-L offers nothing
 * like for CRC-32C; test_hash checks it against crc32_iscsi over real zero
 * buffers.
 *
 * The Hasher walks the range extent by extent (doc_extent): holes go to
 * hashsum_zeros (the checksums in O(log n), the digests from a static zero
 * buffer: no I/O, no page fault), data is lent by the mapping (map_visit, no
 * copy) a window of HASH_CHUNK at a time. A window holding unwritten net
 * edits is copied instead (doc_read) with the journal's net bytes laid over
 * it (doc_overlay): in copy mode the kernel may have dropped the private
 * pages holding them (a rewrite by another process) before the next refresh
 * puts them back, and the hash must be of what the user sees. Net edits in a
 * hole make that part of it data the same way. A truncation by another
 * process shows as a fault in data (map_visit: -MMH_ETRUNC) and, in a hole,
 * as a size smaller than the piece (one fstat per piece of zeros).
 */
#include "config.h"

#include "hash.h"

#include <errno.h>
#include <isa-l/crc.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "edits.h"
#include "sys.h"

#ifndef HASH_CHUNK
#define HASH_CHUNK (1u << 20) /* bytes hashed between clock checks; the copy buffer */
#endif
#define HASH_ZERO_BUF (64u << 10)     /* the static zero buffer digests are fed */
#define HASH_ZERO_PIECE (16u << 20)   /* zero bytes fed to digests between clock checks */
#define HASH_LIB_MAX (1u << 30)       /* bytes per library call (ISA-L and zlib take int/uInt) */
#define CRC32C_POLY 0x82f63b78u       /* Castagnoli, reflected */
#define HASH_NDIGEST (HASH_NALGO - 3) /* the EVP algorithms: HASH_MD5 on */

static const uint8_t zero_buf[HASH_ZERO_BUF]; /* .bss: the kernel's zero page */

static const struct {
    const char *name;
    size_t bytes; /* the value's size */
} algos[HASH_NALGO] = {
    [HASH_CRC32] = {"crc32", 4},      [HASH_CRC32C] = {"crc32c", 4},
    [HASH_ADLER32] = {"adler32", 4},  [HASH_MD5] = {"md5", 16},
    [HASH_SHA1] = {"sha1", 20},       [HASH_SHA256] = {"sha256", 32},
    [HASH_SHA512] = {"sha512", 64},   [HASH_SHA3_256] = {"sha3-256", 32},
    [HASH_BLAKE2B] = {"blake2b", 64},
};

const char *hash_name(HashAlgo a)
{
    return (unsigned)a < HASH_NALGO ? algos[a].name : "?";
}

const char *hash_names(void)
{
    return "crc32 crc32c adler32 md5 sha1 sha256 sha512 sha3-256 blake2b all";
}

int hash_parse(const char *name, unsigned *mask)
{
    static const struct {
        const char *alias;
        HashAlgo a;
    } aliases[] = {
        {"sha-1", HASH_SHA1},         {"sha-256", HASH_SHA256},    {"sha-512", HASH_SHA512},
        {"sha3", HASH_SHA3_256},      {"sha3_256", HASH_SHA3_256}, {"b2", HASH_BLAKE2B},
        {"blake2b512", HASH_BLAKE2B}, {"blake2", HASH_BLAKE2B},    {"adler", HASH_ADLER32},
        {"crc", HASH_CRC32},
    };
    if (!strcasecmp(name, "all")) {
        *mask = HASH_ALL;
        return 0;
    }
    for (int a = 0; a < HASH_NALGO; a++)
        if (!strcasecmp(name, algos[a].name)) {
            *mask = 1u << a;
            return 0;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(name, aliases[i].alias)) {
            *mask = 1u << aliases[i].a;
            return 0;
        }
    return -EINVAL;
}

/* ---- CRC-32C over zeros: GF(2) arithmetic ---------------------------------
 *
 * A CRC register is a polynomial over GF(2) of degree < 32, stored reflected
 * (bit 31 is x^0, bit 0 is x^31). Feeding a zero byte multiplies it by x^8
 * modulo P, so n zero bytes multiply it by x^(8n) mod P. That power comes
 * from repeated squaring, x^(2^k) for the set bits of 8n, so the cost is
 * O(log n) multiplications of 32 steps each. The same mathematics as zlib's
 * crc32_combine (multmodp, x2nmodp), for the other polynomial. */

/* a * b mod P, both reflected: for each power x^i in a (from x^0 down the
 * bits), add b * x^i, b being multiplied by x (shift right, reduce) as i
 * grows. */
static uint32_t gf2_mulmod(uint32_t a, uint32_t b)
{
    uint32_t m = 1u << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) /* no higher power left in a */
                break;
        }
        m >>= 1;
        b = b & 1 ? (b >> 1) ^ CRC32C_POLY : b >> 1;
    }
    return p;
}

uint32_t hash_crc32c_shift(uint32_t reg, uint64_t n)
{
    /* sq runs through x^8, x^16, x^32, ... = x^(8 * 2^j) for bit j of n. */
    uint32_t sq = 1u << 30; /* x^1 */
    for (int i = 0; i < 3; i++)
        sq = gf2_mulmod(sq, sq); /* x^8 */
    while (n) {
        if (n & 1)
            reg = gf2_mulmod(sq, reg);
        n >>= 1;
        if (n)
            sq = gf2_mulmod(sq, sq);
    }
    return reg;
}

/* ---- running sums ---------------------------------------------------------- */

struct HashSum {
    unsigned mask;                /* algorithms summed */
    bool final;                   /* finished: values in val */
    uLong crc32, adler32;         /* zlib's running values */
    uint32_t crc32c;              /* ISA-L's raw register (starts all ones) */
    EVP_MD_CTX *md[HASH_NDIGEST]; /* the digests, HASH_MD5 at [0] */
    uint8_t val[HASH_NALGO][64];  /* the values, once final */
};

static const EVP_MD *evp_of(HashAlgo a)
{
    switch (a) {
    case HASH_MD5: return EVP_md5();
    case HASH_SHA1: return EVP_sha1();
    case HASH_SHA256: return EVP_sha256();
    case HASH_SHA512: return EVP_sha512();
    case HASH_SHA3_256: return EVP_sha3_256();
    case HASH_BLAKE2B: return EVP_blake2b512();
    default: return NULL;
    }
}

int hashsum_new(HashSum **out, unsigned mask)
{
    *out = NULL;
    if (!mask || (mask & ~HASH_ALL))
        return -EINVAL;
    HashSum *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->mask = mask;
    h->crc32 = crc32(0L, Z_NULL, 0);
    h->adler32 = adler32(0L, Z_NULL, 0);
    h->crc32c = 0xffffffffu;
    for (int a = HASH_MD5; a < HASH_NALGO; a++) {
        if (!(mask & (1u << a)))
            continue;
        const EVP_MD *md = evp_of((HashAlgo)a);
        EVP_MD_CTX *c = md ? EVP_MD_CTX_new() : NULL;
        h->md[a - HASH_MD5] = c;
        if (!c || !EVP_DigestInit_ex(c, md, NULL)) {
            int rc = c ? -ENOSYS : -ENOMEM;
            hashsum_free(h);
            return rc;
        }
    }
    *out = h;
    return 0;
}

void hashsum_free(HashSum *h)
{
    if (!h)
        return;
    for (int i = 0; i < HASH_NDIGEST; i++)
        EVP_MD_CTX_free(h->md[i]);
    free(h);
}

void hashsum_update(HashSum *h, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = n < HASH_LIB_MAX ? n : HASH_LIB_MAX;
        if (h->mask & (1u << HASH_CRC32))
            h->crc32 = crc32(h->crc32, p, (uInt)k);
        if (h->mask & (1u << HASH_ADLER32))
            h->adler32 = adler32(h->adler32, p, (uInt)k);
        if (h->mask & (1u << HASH_CRC32C)) /* ISA-L takes no const: it only reads */
            h->crc32c = crc32_iscsi((unsigned char *)(uintptr_t)p, (int)k, h->crc32c);
        for (int i = 0; i < HASH_NDIGEST; i++)
            if (h->md[i])
                EVP_DigestUpdate(h->md[i], p, k);
        p += k;
        n -= k;
    }
}

/* Adler-32 of n zero bytes, from zlib alone: adler32_combine64 doubles a
 * run (Z(2m) = combine(Z(m), Z(m), m)) and joins the runs of n's set bits. */
static uLong adler32_of_zeros(uint64_t n)
{
    uLong acc = adler32(0L, Z_NULL, 0); /* the empty run: 1 */
    uLong run = adler32(acc, zero_buf, 1);
    uint64_t len = 1;
    while (n) {
        if (n & 1)
            acc = adler32_combine64(acc, run, (z_off64_t)len);
        n >>= 1;
        if (n) {
            run = adler32_combine64(run, run, (z_off64_t)len);
            len *= 2;
        }
    }
    return acc;
}

void hashsum_zeros(HashSum *h, uint64_t n)
{
    if (n == 0)
        return;
    /* crc32_combine64(a, b, n) is shift_n(a) ^ b; CRC-32's pre- and
     * post-inversion make "append n zeros" shift_n(crc ^ ~0) ^ ~0. */
    if (h->mask & (1u << HASH_CRC32))
        h->crc32 = crc32_combine64(h->crc32 ^ 0xffffffffUL, 0xffffffffUL, (z_off64_t)n);
    if (h->mask & (1u << HASH_ADLER32))
        h->adler32 = adler32_combine64(h->adler32, adler32_of_zeros(n), (z_off64_t)n);
    if (h->mask & (1u << HASH_CRC32C))
        h->crc32c = hash_crc32c_shift(h->crc32c, n);
    for (int i = 0; i < HASH_NDIGEST; i++)
        if (h->md[i])
            for (uint64_t left = n; left > 0;) {
                size_t k = left < sizeof zero_buf ? (size_t)left : sizeof zero_buf;
                EVP_DigestUpdate(h->md[i], zero_buf, k);
                left -= k;
            }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

int hashsum_hex(HashSum *h, HashAlgo a, char *buf)
{
    if ((unsigned)a >= HASH_NALGO || !(h->mask & (1u << a)))
        return -EINVAL;
    if (!h->final) {
        put_be32(h->val[HASH_CRC32], (uint32_t)h->crc32);
        put_be32(h->val[HASH_ADLER32], (uint32_t)h->adler32);
        put_be32(h->val[HASH_CRC32C], ~h->crc32c);
        for (int i = 0; i < HASH_NDIGEST; i++)
            if (h->md[i])
                EVP_DigestFinal_ex(h->md[i], h->val[HASH_MD5 + i], NULL);
        h->final = true;
    }
    for (size_t i = 0; i < algos[a].bytes; i++)
        snprintf(buf + 2 * i, 3, "%02x", h->val[a][i]);
    return 0;
}

/* ---- a range of a document ------------------------------------------------- */

struct Hasher {
    Doc *d;       /* not owned */
    HashSum *sum; /* the sums */
    bool digests; /* a digest is summed: zeros cost time */
    uint64_t off; /* the range: [off, end) */
    uint64_t end;
    uint64_t pos;   /* next byte to hash */
    uint64_t read;  /* data bytes read */
    uint64_t zeros; /* hole bytes hashed without I/O */
    uint64_t ns;    /* time in steps */
    uint8_t *buf;   /* HASH_CHUNK bytes: a window holding edits */
};

int hasher_new(Hasher **out, Doc *d, unsigned mask, uint64_t off, uint64_t len)
{
    *out = NULL;
    uint64_t size = doc_size(d);
    if (off > size || len > size - off)
        return -EINVAL;
    Hasher *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    int rc = hashsum_new(&h->sum, mask);
    if (rc < 0) {
        free(h);
        return rc;
    }
    h->d = d;
    h->digests = (mask & ~HASH_CHECKSUMS) != 0;
    h->off = h->pos = off;
    h->end = off + len;
    *out = h;
    return 0;
}

void hasher_free(Hasher *h)
{
    if (!h)
        return;
    hashsum_free(h->sum);
    free(h->buf);
    free(h);
}

static int visit(const uint8_t *p, size_t len, uint64_t off, void *ctx)
{
    (void)off;
    hashsum_update(ctx, p, len);
    return 0;
}

/* Hash [pos, pos+n) as data: lent by the mapping, or copied with the net
 * edits over it when it holds any. */
static int hash_data(Hasher *h, uint64_t pos, size_t n)
{
    const Edits *e = journal_edits(doc_journal(h->d));
    int rc;
    if (!edits_net_in(e, pos, pos + n)) {
        rc = map_visit(doc_map(h->d), pos, n, visit, h->sum);
    } else {
        if (!h->buf && !(h->buf = malloc(HASH_CHUNK)))
            return -ENOMEM;
        rc = doc_read(h->d, pos, h->buf, n);
        if (rc == 0)
            rc = doc_overlay(h->d, pos, h->buf, n);
        if (rc == 0)
            hashsum_update(h->sum, h->buf, n);
    }
    if (rc == 0)
        h->read += n;
    return rc;
}

/* The first net edit at or after from (UINT64_MAX: none). */
static int first_run(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    (void)cur, (void)len;
    *(uint64_t *)ctx = off;
    return 1;
}

/* One piece of a hole [pos, hi): zeros up to the next net edit, or a window
 * of data holding one. Returns the bytes done, or -errno. */
static int64_t hash_hole(Hasher *h, uint64_t pos, uint64_t hi)
{
    uint64_t next = UINT64_MAX;
    edits_each_net_from(journal_edits(doc_journal(h->d)), pos, first_run, &next);
    if (next <= pos) {
        size_t n = hi - pos < HASH_CHUNK ? (size_t)(hi - pos) : HASH_CHUNK;
        int rc = hash_data(h, pos, n);
        return rc < 0 ? rc : (int64_t)n;
    }
    uint64_t n = (next < hi ? next : hi) - pos;
    if (h->digests && n > HASH_ZERO_PIECE)
        n = HASH_ZERO_PIECE;
    /* A file cut short reads as a hole to its old end (extent.h: ENXIO is a
     * hole to the end), and no fault would say so: ask its size. Holes are
     * never met on a block device (all data), whose stamp says 0. */
    MapStamp st;
    int rc = map_stamp(doc_map(h->d), &st);
    if (rc < 0)
        return rc;
    if (st.size < pos + n)
        return -MMH_ETRUNC;
    hashsum_zeros(h->sum, n);
    h->zeros += n;
    return (int64_t)n;
}

int hasher_step(Hasher *h, uint64_t budget_ns)
{
    uint64_t t0 = sys_now_ns();
    int rc = 0;
    while (h->pos < h->end) {
        Extent x;
        rc = doc_extent(h->d, h->pos, &x);
        if (rc == -ENXIO) /* the file shrank under the range */
            rc = -MMH_ETRUNC;
        if (rc < 0)
            break;
        uint64_t hi = x.hi < h->end ? x.hi : h->end;
        /* Within one extent, check the clock after each piece. */
        while (h->pos < hi) {
            int64_t n;
            if (x.data) {
                n = hi - h->pos < HASH_CHUNK ? (int64_t)(hi - h->pos) : HASH_CHUNK;
                rc = hash_data(h, h->pos, (size_t)n);
                if (rc < 0)
                    break;
            } else {
                n = hash_hole(h, h->pos, hi);
                if (n < 0) {
                    rc = (int)n;
                    break;
                }
            }
            h->pos += (uint64_t)n;
            if (sys_now_ns() - t0 >= budget_ns)
                goto out;
        }
        if (rc < 0)
            break;
    }
out:
    h->ns += sys_now_ns() - t0;
    if (rc < 0)
        return rc;
    return h->pos >= h->end;
}

void hasher_progress(const Hasher *h, HashProgress *p)
{
    p->off = h->off;
    p->len = h->end - h->off;
    p->done = h->pos - h->off;
    p->read = h->read;
    p->zeros = h->zeros;
    p->ns = h->ns;
}

int hasher_hex(Hasher *h, HashAlgo a, char *buf)
{
    if (h->pos < h->end)
        return -EINVAL;
    return hashsum_hex(h->sum, a, buf);
}
