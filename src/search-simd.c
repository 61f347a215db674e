/*
 * search-simd: the "packed pair" literal matcher. Two fixed bytes of the
 * pattern, the rarest by search-pattern.c's byte-frequency table, are
 * compared at 16 (SSE2) or 32 (AVX2) start positions at once: a vector of
 * haystack bytes at offset i1 of each start against the first byte, one at
 * offset i2 against the second. Only starts where both agree are checked
 * in full (search_verify), so on most data the scan runs at load speed and
 * one rare candidate in thousands of bytes costs a memcmp.
 *
 * Wildcards: the pair is chosen among fixed bytes. ASCII case folding: a
 * letter of the pair is compared after OR-ing 0x20 into the haystack byte
 * (m1, m2), which maps exactly its two cases onto the lowercase one; other
 * bytes that happen to map there are rejected by the full check.
 *
 * AVX2 is chosen at run time (__builtin_cpu_supports) and compiled with a
 * target attribute, so the program still runs on CPUs without it. Every
 * load stays inside buf: a vector at start i reads buf[i + i1, i + i1 + W),
 * and only when i + W <= starts, so its last byte is at most
 * starts - 1 + len - 1, the last byte the caller lends. Tails shorter than
 * a vector are checked one start at a time.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "search_private.h"

#if defined(__x86_64__) || defined(__i386__)
#define SEARCH_X86 1
#include <immintrin.h>
#endif

/* One start, no vectors: the pair first (cheap), then the whole pattern. */
static bool pair_at(const Matcher *mt, const uint8_t *buf, size_t i)
{
    return (uint8_t)(buf[i + mt->i1] | mt->m1) == mt->p1 &&
           (uint8_t)(buf[i + mt->i2] | mt->m2) == mt->p2 && search_verify(mt, buf + i);
}

#ifdef SEARCH_X86

/* The candidates in bits (start base + bit): the first (forward) or last
 * (backward) that verifies, or -1. */
static long check_bits(const Matcher *mt, const uint8_t *buf, size_t base, uint64_t bits,
                       bool backward)
{
    while (bits) {
        unsigned b =
            backward ? 63u - (unsigned)__builtin_clzll(bits) : (unsigned)__builtin_ctzll(bits);
        if (search_verify(mt, buf + base + b))
            return (long)(base + b);
        bits &= ~(UINT64_C(1) << b);
    }
    return -1;
}

/* ---- SSE2: 16 starts per vector, 32 per round --------------------------- */

static inline uint32_t sse2_mask(const Matcher *mt, const uint8_t *p, __m128i v1, __m128i v2,
                                 __m128i o1, __m128i o2)
{
    __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + mt->i1)), o1);
    __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + mt->i2)), o2);
    return (uint32_t)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, v1), _mm_cmpeq_epi8(b, v2)));
}

#define SSE2_SETUP                                                                                 \
    __m128i v1 = _mm_set1_epi8((char)mt->p1), v2 = _mm_set1_epi8((char)mt->p2);                    \
    __m128i o1 = _mm_set1_epi8((char)mt->m1), o2 = _mm_set1_epi8((char)mt->m2)

static long sse2_fwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    SSE2_SETUP;
    size_t i = 0;
    for (; i + 32 <= starts; i += 32) {
        uint64_t m = sse2_mask(mt, buf + i, v1, v2, o1, o2) |
                     (uint64_t)sse2_mask(mt, buf + i + 16, v1, v2, o1, o2) << 16;
        if (m) {
            long r = check_bits(mt, buf, i, m, false);
            if (r >= 0)
                return r;
        }
    }
    for (; i < starts; i++)
        if (pair_at(mt, buf, i))
            return (long)i;
    return -1;
}

static long sse2_bwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    SSE2_SETUP;
    size_t i = starts;
    for (; i >= 32; i -= 32) {
        size_t b = i - 32;
        uint64_t m = sse2_mask(mt, buf + b, v1, v2, o1, o2) |
                     (uint64_t)sse2_mask(mt, buf + b + 16, v1, v2, o1, o2) << 16;
        if (m) {
            long r = check_bits(mt, buf, b, m, true);
            if (r >= 0)
                return r;
        }
    }
    while (i-- > 0)
        if (pair_at(mt, buf, i))
            return (long)i;
    return -1;
}

/* ---- AVX2: 32 starts per vector, 64 per round --------------------------- */

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline uint32_t avx2_mask(const Matcher *mt, const uint8_t *p, __m256i v1, __m256i v2,
                                      __m256i o1, __m256i o2)
{
    __m256i a = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + mt->i1)), o1);
    __m256i b = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + mt->i2)), o2);
    return (uint32_t)_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(a, v1), _mm256_cmpeq_epi8(b, v2)));
}

#define AVX2_SETUP                                                                                 \
    __m256i v1 = _mm256_set1_epi8((char)mt->p1), v2 = _mm256_set1_epi8((char)mt->p2);              \
    __m256i o1 = _mm256_set1_epi8((char)mt->m1), o2 = _mm256_set1_epi8((char)mt->m2)

AVX2 static long avx2_fwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    AVX2_SETUP;
    size_t i = 0;
    for (; i + 64 <= starts; i += 64) {
        const uint8_t *p = buf + i;
        __m256i a0 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + mt->i1)), o1);
        __m256i b0 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + mt->i2)), o2);
        __m256i a1 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + 32 + mt->i1)), o1);
        __m256i b1 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + 32 + mt->i2)), o2);
        __m256i e0 = _mm256_and_si256(_mm256_cmpeq_epi8(a0, v1), _mm256_cmpeq_epi8(b0, v2));
        __m256i e1 = _mm256_and_si256(_mm256_cmpeq_epi8(a1, v1), _mm256_cmpeq_epi8(b1, v2));
        if (_mm256_testz_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e0, e1)))
            continue;
        uint64_t m =
            (uint32_t)_mm256_movemask_epi8(e0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(e1) << 32;
        long r = check_bits(mt, buf, i, m, false);
        if (r >= 0)
            return r;
    }
    for (; i + 32 <= starts; i += 32) {
        uint32_t m = avx2_mask(mt, buf + i, v1, v2, o1, o2);
        if (m) {
            long r = check_bits(mt, buf, i, m, false);
            if (r >= 0)
                return r;
        }
    }
    for (; i < starts; i++)
        if (pair_at(mt, buf, i))
            return (long)i;
    return -1;
}

AVX2 static long avx2_bwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    AVX2_SETUP;
    size_t i = starts;
    for (; i >= 64; i -= 64) {
        size_t b = i - 64;
        uint64_t m = avx2_mask(mt, buf + b, v1, v2, o1, o2) |
                     (uint64_t)avx2_mask(mt, buf + b + 32, v1, v2, o1, o2) << 32;
        if (m) {
            long r = check_bits(mt, buf, b, m, true);
            if (r >= 0)
                return r;
        }
    }
    while (i-- > 0)
        if (pair_at(mt, buf, i))
            return (long)i;
    return -1;
}

bool search_have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

long search_simd_fwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    return mt->impl == SEARCH_IMPL_AVX2 ? avx2_fwd(mt, buf, starts) : sse2_fwd(mt, buf, starts);
}

long search_simd_bwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    return mt->impl == SEARCH_IMPL_AVX2 ? avx2_bwd(mt, buf, starts) : sse2_bwd(mt, buf, starts);
}

#else /* no x86 vectors: search_prepare never picks SSE2 or AVX2 */

bool search_have_avx2(void)
{
    return false;
}

long search_simd_fwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    for (size_t i = 0; i < starts; i++)
        if (pair_at(mt, buf, i))
            return (long)i;
    return -1;
}

long search_simd_bwd(const Matcher *mt, const uint8_t *buf, size_t starts)
{
    for (size_t i = starts; i-- > 0;)
        if (pair_at(mt, buf, i))
            return (long)i;
    return -1;
}

#endif
