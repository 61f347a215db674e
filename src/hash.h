/*
 * hash: checksums and digests of a document's bytes, from well-kept
 * libraries, never hand-written: zlib (CRC-32, Adler-32), ISA-L (CRC-32C)
 * and OpenSSL's libcrypto EVP (MD5, SHA-1, SHA-256, SHA-512, SHA3-256,
 * BLAKE2b-512).
 *
 * Two layers:
 *   HashSum  running sums of one or more algorithms at once, fed bytes
 *            (hashsum_update) or runs of zero bytes (hashsum_zeros). A run
 *            of zeros costs O(log n) for the checksums (zlib's combine
 *            functions; for CRC-32C, which ISA-L cannot combine, a shift by
 *            n zero bytes in GF(2): hash_crc32c_shift) and a static zero
 *            buffer for the digests, which cannot skip anything.
 *   Hasher   a range of a Doc hashed as a job of bounded steps: data
 *            extents are read through the mapping (no copy) unless unwritten
 *            edits lie in the window, which is then copied and the journal's
 *            net edits laid over it, so the hash is of what the user sees;
 *            holes (doc_extent) cost no I/O and no page fault.
 *
 * Errors are values: 0 or -errno; hasher_step's -MMH_ETRUNC says the file
 * was truncated under the range.
 */
#ifndef MMH_HASH_H
#define MMH_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

typedef enum HashAlgo {
    HASH_CRC32,    /* zlib crc32: "cbf43926" for "123456789" */
    HASH_CRC32C,   /* ISA-L crc32_iscsi (Castagnoli), as rhash --crc32c */
    HASH_ADLER32,  /* zlib adler32 */
    HASH_MD5,      /* EVP_md5 */
    HASH_SHA1,     /* EVP_sha1 */
    HASH_SHA256,   /* EVP_sha256 */
    HASH_SHA512,   /* EVP_sha512 */
    HASH_SHA3_256, /* EVP_sha3_256 */
    HASH_BLAKE2B,  /* EVP_blake2b512, as b2sum */
    HASH_NALGO
} HashAlgo;

#define HASH_ALL ((1u << HASH_NALGO) - 1) /* every algorithm */
#define HASH_CHECKSUMS ((1u << HASH_CRC32) | (1u << HASH_CRC32C) | (1u << HASH_ADLER32))
#define HASH_HEX_MAX 129 /* the longest digest in hex (BLAKE2b, SHA-512), NUL included */

/* "crc32", "sha3-256", ... */
const char *hash_name(HashAlgo a);
/* A name (any case; "sha-256", "b2" and "blake2b512" too) or "all" to a
 * mask of algorithms: 0, or -EINVAL. */
int hash_parse(const char *name, unsigned *mask);
/* The names, for messages: "crc32 crc32c adler32 md5 ..." */
const char *hash_names(void);

/* A CRC-32C register (raw: no conditioning) after n more zero bytes: the
 * register times x^(8n) modulo the Castagnoli polynomial, O(log n). */
uint32_t hash_crc32c_shift(uint32_t reg, uint64_t n);

/* ---- running sums ---- */

typedef struct HashSum HashSum;

/* Sums of the algorithms in mask (nonzero): 0, -ENOMEM, or -ENOSYS when
 * the libcrypto at hand lacks one. */
int hashsum_new(HashSum **out, unsigned mask);
void hashsum_free(HashSum *h);
void hashsum_update(HashSum *h, const uint8_t *p, size_t n);
/* n zero bytes: O(log n) for the checksums, n bytes hashed for digests. */
void hashsum_zeros(HashSum *h, uint64_t n);
/* Finish (no update after it) and put a's value in hex into buf (at least
 * HASH_HEX_MAX bytes): 0, or -EINVAL when a is not in the mask. Asking
 * again gives the same text. */
int hashsum_hex(HashSum *h, HashAlgo a, char *buf);

/* ---- a range of a document, as a job ---- */

typedef struct Hasher Hasher;

typedef struct HashProgress {
    uint64_t off, len; /* the range */
    uint64_t done;     /* bytes of it hashed so far */
    uint64_t read;     /* of those, bytes read from the file (data) */
    uint64_t zeros;    /* of those, bytes of holes (no I/O) */
    uint64_t ns;       /* time spent in steps */
} HashProgress;

/* Hash [off, off+len) of d (inside it) with the algorithms in mask. d must
 * outlive the hasher. 0, -EINVAL, -ENOMEM, -ENOSYS (hashsum_new). */
int hasher_new(Hasher **out, Doc *d, unsigned mask, uint64_t off, uint64_t len);
void hasher_free(Hasher *h);
/* Hash for about budget_ns: 0 more to do, 1 done, or -errno (-MMH_ETRUNC:
 * the file shrank under the range; -EIO). */
int hasher_step(Hasher *h, uint64_t budget_ns);
void hasher_progress(const Hasher *h, HashProgress *p);
/* After hasher_step returned 1: a's value in hex, as hashsum_hex. */
int hasher_hex(Hasher *h, HashAlgo a, char *buf);

#endif
