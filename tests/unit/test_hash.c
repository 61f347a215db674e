/*
 * test_hash: the checksums and digests (hash.h) against the libraries'
 * published test vectors; runs of zeros (zlib's combine, the CRC-32C GF(2)
 * shift) against real zero buffers; a sparse file against a dense copy of
 * the same bytes; a range, unwritten edits (copy and shared mode, in data
 * and in a hole), and the command: sha256sum's output format, the
 * selection, cancel.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "hash.h"
#include "keymap.h"
#include "testutil.h"

/* ---- the vectors --------------------------------------------------------------- */

typedef struct Vector {
    const char *in; /* NULL: a million 'a' */
    const char *hex[HASH_NALGO];
} Vector;

/* CRC-32 and Adler-32: zlib's documented values ("123456789": cbf43926,
 * 091e01de, the CRC catalogue's check values); CRC-32C: the catalogue's
 * check e3069283 (RFC 3720's polynomial); the digests: FIPS 180 / 202, RFC
 * 1321 and RFC 7693 examples and the million-'a' vectors. */
static const Vector vectors[] = {
    {"",
     {"00000000", "00000000", "00000001", "d41d8cd98f00b204e9800998ecf8427e",
      "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877e"
      "ec2f63b931bd47417a81a538327af927da3e",
      "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
      "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934e"
      "b04b903a685b1448b755d56f701afe9be2ce"}},
    {"abc",
     {"352441c2", "364b3fb7", "024d0127", "900150983cd24fb0d6963f7d28e17f72",
      "a9993e364706816aba3e25717850c26c9cd0d89d",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
      "ebbd454d4423643ce80e2a9ac94fa54ca49f",
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533"
      "cc9518d38aa8dbf1925ab92386edd4009923"}},
    {"123456789",
     {"cbf43926", "e3069283", "091e01de", "25f9e794323b453885f5181f1b624d0b",
      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
      "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
      "d9e6762dd1c8eaf6d61b3c6192fc408d4d6d5f1176d0c29169bc24e71c3f274ad27fcd5811b313d681f7e55ec02d"
      "73d499c95455b6b5bb503acf574fba8ffe85",
      "87cd084d190e436f147322b90e7384f6a8e0676c99d21ef519ea718e51d45f9c",
      "f5ab8bafa6f2f72b431188ac38ae2de7bb618fb3d38b6cbf639defcdd5e10a86b22fccff571da37e42b23b80b657"
      "ee4d936478f582280a87d6dbb1da73f5c47d"}},
    {NULL,
     {"dc25bfbc", "436fe240", "15d870f9", "7707d6ae4e027c70eea2a935c2296f21",
      "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577"
      "c31beb009c5c2c49aa2e4eadb217ad8cc09b",
      "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1",
      "98fb3efb7206fd19ebf69b6f312cf7b64e3b94dbe1a17107913975a793f177e1d077609d7fba363cbba00d05f7aa"
      "4e4fa8715d6428104c0a75643b0ff3fd3eaf"}},
};

/* Every algorithm at once over buf, split at odd places. */
static void sum_all(const uint8_t *buf, size_t n, char hex[HASH_NALGO][HASH_HEX_MAX])
{
    HashSum *h;
    assert_int_equal(hashsum_new(&h, HASH_ALL), 0);
    size_t at = 0, step = 1;
    while (at < n) {
        size_t k = n - at < step ? n - at : step;
        hashsum_update(h, buf + at, k);
        at += k;
        step = step * 3 + 1;
    }
    for (int a = 0; a < HASH_NALGO; a++)
        assert_int_equal(hashsum_hex(h, (HashAlgo)a, hex[a]), 0);
    hashsum_free(h);
}

static void test_vectors(void **state)
{
    (void)state;
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        size_t n = vectors[v].in ? strlen(vectors[v].in) : 1000000;
        uint8_t *buf = malloc(n + 1);
        assert_non_null(buf);
        if (vectors[v].in)
            memcpy(buf, vectors[v].in, n);
        else
            memset(buf, 'a', n);
        char hex[HASH_NALGO][HASH_HEX_MAX];
        sum_all(buf, n, hex);
        for (int a = 0; a < HASH_NALGO; a++) {
            if (strcmp(hex[a], vectors[v].hex[a]))
                fail_msg("%s of vector %zu: %s, want %s", hash_name((HashAlgo)a), v, hex[a],
                         vectors[v].hex[a]);
        }
        /* One algorithm alone gives the same value as all at once. */
        for (int a = 0; a < HASH_NALGO; a++) {
            HashSum *h;
            char one[HASH_HEX_MAX];
            assert_int_equal(hashsum_new(&h, 1u << a), 0);
            hashsum_update(h, buf, n);
            assert_int_equal(hashsum_hex(h, (HashAlgo)a, one), 0);
            assert_string_equal(one, vectors[v].hex[a]);
            assert_int_equal(hashsum_hex(h, (HashAlgo)((a + 1) % HASH_NALGO), one), -EINVAL);
            hashsum_free(h);
        }
        free(buf);
    }
}

static void test_parse(void **state)
{
    (void)state;
    unsigned m;
    for (int a = 0; a < HASH_NALGO; a++) {
        assert_int_equal(hash_parse(hash_name((HashAlgo)a), &m), 0);
        assert_int_equal(m, 1u << a);
    }
    assert_int_equal(hash_parse("SHA-256", &m), 0);
    assert_int_equal(m, 1u << HASH_SHA256);
    assert_int_equal(hash_parse("blake2b512", &m), 0);
    assert_int_equal(m, 1u << HASH_BLAKE2B);
    assert_int_equal(hash_parse("all", &m), 0);
    assert_int_equal(m, HASH_ALL);
    assert_int_equal(hash_parse("sha384", &m), -EINVAL);
    assert_int_equal(hash_parse("", &m), -EINVAL);
}

/* ---- runs of zeros ----------------------------------------------------------------- */

static const uint64_t zero_lens[] = {0,
                                     1,
                                     2,
                                     3,
                                     4,
                                     5,
                                     7,
                                     8,
                                     15,
                                     16,
                                     31,
                                     63,
                                     64,
                                     100,
                                     255,
                                     256,
                                     257,
                                     1000,
                                     4095,
                                     4096,
                                     4097,
                                     8191,
                                     65535,
                                     65536,
                                     65537,
                                     1 << 20,
                                     (1 << 20) + 3,
                                     3000001,
                                     16777216 + 12345};

/* The GF(2) shift agrees with crc32_iscsi fed real zeros, from several
 * registers. */
static void test_crc32c_shift(void **state)
{
    (void)state;
    const size_t max = 16777216 + 12345;
    unsigned char *z = calloc(1, max);
    assert_non_null(z);
    const uint32_t regs[] = {0xffffffffu, 0, 1, 0x80000000u, 0x12345678u, 0xdeadbeefu};
    for (size_t r = 0; r < sizeof regs / sizeof regs[0]; r++)
        for (size_t i = 0; i < sizeof zero_lens / sizeof zero_lens[0]; i++) {
            uint64_t n = zero_lens[i];
            uint32_t want = crc32_iscsi(z, (int)n, regs[r]);
            uint32_t got = hash_crc32c_shift(regs[r], n);
            if (want != got)
                fail_msg("reg %08x, %" PRIu64 " zeros: %08x, want %08x", regs[r], n, got, want);
        }
    /* Every length up to 600, from a register that is not all ones. */
    for (uint64_t n = 0; n < 600; n++)
        assert_int_equal(hash_crc32c_shift(0x0badf00du, n), crc32_iscsi(z, (int)n, 0x0badf00du));
    /* Shifts compose: a then b zeros is a + b zeros (lengths past 4 GiB). */
    uint64_t a = 5000000000ull, b = 7777777777ull;
    assert_int_equal(hash_crc32c_shift(hash_crc32c_shift(0xcafef00du, a), b),
                     hash_crc32c_shift(0xcafef00du, a + b));
    free(z);
}

/* hashsum_zeros gives what hashing a real zero buffer gives, for every
 * algorithm, after a prefix of data too. */
static void test_zeros(void **state)
{
    (void)state;
    const size_t max = 3000001;
    uint8_t *z = calloc(1, max);
    assert_non_null(z);
    for (size_t i = 0; i < sizeof zero_lens / sizeof zero_lens[0]; i++) {
        uint64_t n = zero_lens[i];
        if (n > max)
            continue;
        for (int prefix = 0; prefix < 2; prefix++) {
            HashSum *x, *y;
            assert_int_equal(hashsum_new(&x, HASH_ALL), 0);
            assert_int_equal(hashsum_new(&y, HASH_ALL), 0);
            if (prefix) {
                hashsum_update(x, (const uint8_t *)"abc", 3);
                hashsum_update(y, (const uint8_t *)"abc", 3);
            }
            hashsum_update(x, z, (size_t)n);
            hashsum_zeros(y, n);
            hashsum_update(x, (const uint8_t *)"xyz", 3); /* and data after */
            hashsum_update(y, (const uint8_t *)"xyz", 3);
            for (int a = 0; a < HASH_NALGO; a++) {
                char hx[HASH_HEX_MAX], hy[HASH_HEX_MAX];
                hashsum_hex(x, (HashAlgo)a, hx);
                hashsum_hex(y, (HashAlgo)a, hy);
                if (strcmp(hx, hy))
                    fail_msg("%s, %" PRIu64 " zeros (prefix %d): %s, want %s",
                             hash_name((HashAlgo)a), n, prefix, hy, hx);
            }
            hashsum_free(x);
            hashsum_free(y);
        }
    }
    free(z);
    /* Checksums over a terabyte of zeros: composed in pieces or at once. */
    HashSum *x, *y;
    assert_int_equal(hashsum_new(&x, HASH_CHECKSUMS), 0);
    assert_int_equal(hashsum_new(&y, HASH_CHECKSUMS), 0);
    hashsum_zeros(x, 1ull << 40);
    hashsum_zeros(y, (1ull << 39) + 12345);
    hashsum_zeros(y, (1ull << 39) - 12345);
    for (int a = HASH_CRC32; a <= HASH_ADLER32; a++) {
        char hx[HASH_HEX_MAX], hy[HASH_HEX_MAX];
        hashsum_hex(x, (HashAlgo)a, hx);
        hashsum_hex(y, (HashAlgo)a, hy);
        assert_string_equal(hx, hy);
    }
    hashsum_free(x);
    hashsum_free(y);
}

/* ---- documents ------------------------------------------------------------------- */

#define SPARSE_SIZE (48ull << 20)

static const struct {
    uint64_t off, len;
} pieces[] = {
    {0, 5000}, {4ull << 20, 1 << 20}, {(20ull << 20) + 77, 300000}, {SPARSE_SIZE - 9000, 9000}};

/* Run a hasher on d to its end in small steps; hex of every algorithm. */
static void hash_doc(Doc *d, uint64_t off, uint64_t len, char hex[HASH_NALGO][HASH_HEX_MAX],
                     HashProgress *pr)
{
    Hasher *h;
    assert_int_equal(hasher_new(&h, d, HASH_ALL, off, len), 0);
    int rc, steps = 0;
    while ((rc = hasher_step(h, 1000000)) == 0)
        steps++;
    assert_int_equal(rc, 1);
    for (int a = 0; a < HASH_NALGO; a++)
        assert_int_equal(hasher_hex(h, (HashAlgo)a, hex[a]), 0);
    if (pr)
        hasher_progress(h, pr);
    hasher_free(h);
}

static void assert_same(char x[HASH_NALGO][HASH_HEX_MAX], char y[HASH_NALGO][HASH_HEX_MAX],
                        const char *what)
{
    for (int a = 0; a < HASH_NALGO; a++)
        if (strcmp(x[a], y[a]))
            fail_msg("%s: %s %s, want %s", what, hash_name((HashAlgo)a), x[a], y[a]);
}

/* A sparse file with a few pieces of data hashes as a dense file of the
 * same bytes (and as the bytes in memory), reading only the data. */
static void test_sparse_equals_dense(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *sp = tu_path(dir, "sparse"), *dn = tu_path(dir, "dense");
    uint8_t *buf = calloc(1, SPARSE_SIZE);
    assert_non_null(buf);
    tu_make_file(sp, SPARSE_SIZE, 1);
    FILE *f = fopen(sp, "r+");
    assert_non_null(f);
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        for (uint64_t k = 0; k < pieces[i].len; k++)
            buf[pieces[i].off + k] = (uint8_t)(tu_pattern(k + i) | 1); /* never zero */
        assert_int_equal(fseeko(f, (off_t)pieces[i].off, SEEK_SET), 0);
        assert_int_equal(fwrite(buf + pieces[i].off, 1, pieces[i].len, f), pieces[i].len);
    }
    assert_int_equal(fclose(f), 0);
    f = fopen(dn, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, SPARSE_SIZE, f), SPARSE_SIZE);
    assert_int_equal(fclose(f), 0);

    char want[HASH_NALGO][HASH_HEX_MAX], hs[HASH_NALGO][HASH_HEX_MAX], hd[HASH_NALGO][HASH_HEX_MAX];
    sum_all(buf, SPARSE_SIZE, want);
    HashProgress ps, pd;
    Doc *ds = tu_open_doc(sp, MMH_MODE_READONLY, NULL);
    Doc *dd = tu_open_doc(dn, MMH_MODE_READONLY, NULL);
    hash_doc(ds, 0, SPARSE_SIZE, hs, &ps);
    hash_doc(dd, 0, SPARSE_SIZE, hd, &pd);
    assert_same(hd, want, "dense");
    assert_same(hs, want, "sparse");
    assert_int_equal(pd.read, SPARSE_SIZE);
    assert_int_equal(ps.done, SPARSE_SIZE);
    assert_int_equal(ps.read + ps.zeros, SPARSE_SIZE);
    if (tu_blocks(sp) * 512 < SPARSE_SIZE / 2) /* the file system keeps holes */
        assert_true(ps.read < SPARSE_SIZE / 4);
    else
        print_message("# the file system keeps no holes here: only the values compared\n");

    /* A range across data and holes. */
    uint64_t off = (4ull << 20) - 1234, len = (17ull << 20) + 4321;
    sum_all(buf + off, (size_t)len, want);
    hash_doc(ds, off, len, hs, NULL);
    assert_same(hs, want, "range");
    hash_doc(ds, 7, 0, hs, NULL); /* empty */
    sum_all(buf, 0, want);
    assert_same(hs, want, "empty range");
    Hasher *h;
    assert_int_equal(hasher_new(&h, ds, HASH_ALL, SPARSE_SIZE - 1, 2), -EINVAL);
    assert_int_equal(hasher_new(&h, ds, 0, 0, 1), -EINVAL);
    doc_close(ds);
    doc_close(dd);
    free(buf);
    free(sp);
    free(dn);
    tu_rmdir(dir);
}

/* Unwritten edits are hashed, in data and in a hole, in copy and shared
 * mode, and after an undo the original value returns. */
static void test_edits_included(void **state)
{
    (void)state;
    const MmhMode modes[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
    for (size_t m = 0; m < 2; m++) {
        char *dir = tu_mkdtemp();
        char *sp = tu_path(dir, "sparse");
        uint8_t *buf = calloc(1, SPARSE_SIZE);
        assert_non_null(buf);
        tu_make_file(sp, SPARSE_SIZE, 1);
        FILE *f = fopen(sp, "r+");
        assert_non_null(f);
        memset(buf + (8 << 20), 0x5a, 1 << 20);
        assert_int_equal(fseeko(f, 8 << 20, SEEK_SET), 0);
        assert_int_equal(fwrite(buf + (8 << 20), 1, 1 << 20, f), 1 << 20);
        assert_int_equal(fclose(f), 0);
        char orig[HASH_NALGO][HASH_HEX_MAX], want[HASH_NALGO][HASH_HEX_MAX],
            got[HASH_NALGO][HASH_HEX_MAX];
        sum_all(buf, SPARSE_SIZE, orig);

        Doc *d = tu_open_doc(sp, modes[m], NULL);
        const uint8_t ed[] = {0xde, 0xad, 0xbe, 0xef};
        const uint64_t at[] = {(8u << 20) + 100, 30u << 20, SPARSE_SIZE - 2}; /* data, holes */
        for (size_t i = 0; i < 3; i++) {
            size_t n = at[i] + 4 <= SPARSE_SIZE ? 4 : 2;
            doc_snapshot(d);
            assert_int_equal(doc_put(d, at[i], ed, n), 0);
            memcpy(buf + at[i], ed, n);
        }
        doc_snapshot(d);
        sum_all(buf, SPARSE_SIZE, want);
        hash_doc(d, 0, SPARSE_SIZE, got, NULL);
        assert_same(got, want, modes[m] == MMH_MODE_COPY ? "copy edits" : "shared edits");
        uint64_t where;
        for (int i = 0; i < 3; i++)
            assert_int_equal(doc_undo(d, &where), 0);
        hash_doc(d, 0, SPARSE_SIZE, got, NULL);
        assert_same(got, orig, "undone");
        doc_close(d);
        free(buf);
        free(sp);
        tu_rmdir(dir);
    }
}

/* The file shrinks under a hash: it fails with -MMH_ETRUNC. */
static void test_truncated(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "data");
    tu_make_file(p, 8u << 20, 0);
    Doc *d = tu_open_doc(p, MMH_MODE_READONLY, NULL);
    Hasher *h;
    assert_int_equal(hasher_new(&h, d, 1u << HASH_SHA256, 0, 8u << 20), 0);
    assert_int_equal(hasher_step(h, 0), 0); /* one piece */
    tu_truncate_by_child(p, 1u << 20);
    int rc;
    while ((rc = hasher_step(h, 0)) == 0)
        ;
    assert_int_equal(rc, -MMH_ETRUNC);
    hasher_free(h);
    doc_close(d);
    free(p);
    tu_rmdir(dir);
}

/* ---- the command ------------------------------------------------------------------ */

static Session *open_session(const char *path, MmhMode mode, bool batch)
{
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = mode, .sys = NULL};
    SessionOpts so = {.bpr_fixed = 0, .batch = batch};
    assert_int_equal(doc_open(&d, path, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 80);
    return s;
}

static void expect_output(Session *s, const char *want)
{
    char *out = cmd_output_take(s);
    if (!out || strcmp(out, want))
        fail_msg("output '%s', want '%s'", out ? out : "(none)", want);
    free(out);
}

static int run_rc(Session *s, const char *line)
{
    cmd_run(s, line);
    return cmd_result(s);
}

static void test_command(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "data");
    const uint64_t size = 70000;
    tu_make_file(p, size, 0);
    uint8_t *buf = tu_pattern_buf(size);
    char want[HASH_NALGO][HASH_HEX_MAX], line[4096];
    Session *s = open_session(p, MMH_MODE_COPY, true);

    /* The whole file: "HEX  PATH", and the message names it. */
    sum_all(buf, size, want);
    cmd_run(s, "hash");
    assert_int_equal(cmd_result(s), 0);
    snprintf(line, sizeof line, "%s  %s\n", want[HASH_SHA256], p);
    expect_output(s, line);
    assert_non_null(strstr(cmd_message(s, NULL), want[HASH_SHA256]));
    cmd_run(s, "hash blake2b");
    snprintf(line, sizeof line, "%s  %s\n", want[HASH_BLAKE2B], p);
    expect_output(s, line);

    /* A range: "HEX  PATH@OFF+LEN". */
    sum_all(buf + 0x100, 1000, want);
    cmd_run(s, "hash crc32c 0x100 1000");
    assert_int_equal(cmd_result(s), 0);
    snprintf(line, sizeof line, "%s  %s@0x100+0x3e8\n", want[HASH_CRC32C], p);
    expect_output(s, line);

    /* all: one named line each. */
    cmd_run(s, "hash all 0x100 1000");
    char *out = cmd_output_take(s);
    assert_non_null(out);
    for (int a = 0; a < HASH_NALGO; a++) {
        snprintf(line, sizeof line, "%-9s %s  %s@0x100+0x3e8\n", hash_name((HashAlgo)a), want[a],
                 p);
        if (!strstr(out, line))
            fail_msg("'%s' lacks '%s'", out, line);
    }
    free(out);

    /* Copy-mode edits are in it. */
    cmd_run(s, "goto 0x110");
    cmd_run(s, "put 00 11 22 33");
    memcpy(buf + 0x110, "\x00\x11\x22\x33", 4);
    sum_all(buf + 0x100, 1000, want);
    cmd_run(s, "hash md5 0x100 1000");
    snprintf(line, sizeof line, "%s  %s@0x100+0x3e8\n", want[HASH_MD5], p);
    expect_output(s, line);

    /* Refusals. */
    assert_int_equal(run_rc(s, "hash sha384"), -EINVAL);
    assert_int_equal(run_rc(s, "hash md5 0x100"), -EINVAL);
    assert_int_equal(run_rc(s, "hash md5 69000 2000"), -ERANGE);
    assert_int_equal(run_rc(s, "hash-prompt"), -EINVAL); /* batch: no prompt */
    cmd_session_free(s);
    free(buf);
    free(p);
    tu_rmdir(dir);
}

/* Interactive: the selection is hashed, # opens the prompt, a long hash
 * shows progress and Esc cancels it. */
static void test_interactive(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_path(dir, "data");
    const uint64_t size = 70000;
    tu_make_file(p, size, 0);
    uint8_t *buf = tu_pattern_buf(size);
    char want[HASH_NALGO][HASH_HEX_MAX];
    Session *s = open_session(p, MMH_MODE_COPY, false);

    cmd_run(s, "goto 16");
    cmd_key(s, 'v');
    cmd_run(s, "goto 47");
    sum_all(buf + 16, 32, want);
    cmd_key(s, '#');
    const char *typed = "sha1\r";
    for (const char *c = typed; *c; c++)
        cmd_key(s, *c == '\r' ? MMH_KEY_ENTER : (unsigned char)*c);
    for (int i = 0; i < 100 && cmd_busy(s); i++)
        cmd_tick(s, 10000000);
    const char *m = cmd_message(s, NULL);
    if (!m || !strstr(m, want[HASH_SHA1]))
        fail_msg("message '%s' lacks %s", m ? m : "", want[HASH_SHA1]);
    cmd_session_free(s);

    /* A big sparse file hashed with a digest: still running after the first
     * slice, then Esc cancels it. */
    char *big = tu_path(dir, "big");
    tu_make_file(big, 8ull << 30, 1);
    s = open_session(big, MMH_MODE_READONLY, false);
    cmd_run(s, "hash sha512");
    assert_true(cmd_busy(s));
    m = cmd_message(s, NULL);
    assert_non_null(strstr(m, "hashing 0x"));
    assert_non_null(strstr(m, "Esc cancels"));
    cmd_tick(s, 5000000);
    cmd_key(s, MMH_KEY_ESC);
    assert_false(cmd_busy(s));
    assert_non_null(strstr(cmd_message(s, NULL), "hash cancelled"));
    cmd_session_free(s);
    free(big);
    free(buf);
    free(p);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_crc32c_shift),
        cmocka_unit_test(test_zeros),
        cmocka_unit_test(test_sparse_equals_dense),
        cmocka_unit_test(test_edits_included),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_interactive),
    };
    return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
