/*
 * fuzz_parse: libFuzzer target for the parsers. The input, NUL-terminated in
 * a buffer of its exact size (so ASan sees any read past the end), goes to
 * every parser; besides not crashing, each must keep its contract:
 *  - errors are -EINVAL or -ERANGE with a message, and leave *out alone;
 *  - an offset expression without a leading sign ignores the cursor, one
 *    with it is the cursor plus a constant, and one without "end" or "%"
 *    ignores the size;
 *  - what parse_count accepts, parse_offset accepts with the same value;
 *  - parse_hex never reports more than cap bytes, and its bytes written
 *    back as hex parse to the same bytes;
 *  - parse_fmt_size always terminates its output within n.
 */
#include "config.h"

#include "parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_parse: %s:%d: %s\n", __FILE__, __LINE__, #c);                    \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const uint64_t CURSORS[] = {0, 1, 0x1000, UINT64_MAX};
static const uint64_t SIZES[] = {0, 101, (uint64_t)16 << 40, UINT64_MAX};
#define N_CASES (sizeof CURSORS / sizeof *CURSORS)

static void check_error(int r, const char *err)
{
    CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
    if (r)
        CHECK(err && *err);
}

static void fuzz_offset(const char *s)
{
    int r[N_CASES][N_CASES];
    uint64_t v[N_CASES][N_CASES];
    for (size_t c = 0; c < N_CASES; c++) {
        for (size_t z = 0; z < N_CASES; z++) {
            const char *err = NULL;
            v[c][z] = 0x5a5a5a5a5a5a5a5au;
            r[c][z] = parse_offset(s, CURSORS[c], SIZES[z], &v[c][z], &err);
            check_error(r[c][z], err);
            if (r[c][z])
                CHECK(v[c][z] == 0x5a5a5a5a5a5a5a5au);
        }
    }
    const char *p = s + strspn(s, " \t\n\r\v\f");
    int relative = *p == '+' || *p == '-';
    int uses_size = strchr(s, '%') || strcasestr(s, "end");
    for (size_t c = 0; c < N_CASES; c++) {
        for (size_t z = 0; z < N_CASES; z++) {
            /* Relative: cursor + k, with the same k for every cursor. */
            if (relative && !r[c][z] && !r[0][z])
                CHECK(v[c][z] - CURSORS[c] == v[0][z] - CURSORS[0]);
            if (!relative) {
                CHECK(r[c][z] == r[0][z]);
                CHECK(r[c][z] || v[c][z] == v[0][z]);
            }
            if (!uses_size) {
                CHECK(r[c][z] == r[c][0]);
                CHECK(r[c][z] || v[c][z] == v[c][0]);
            }
        }
    }
}

static void fuzz_count(const char *s)
{
    uint64_t v = 7, w = 0;
    const char *err = NULL;
    int r = parse_count(s, &v, &err);
    check_error(r, err);
    if (r) {
        CHECK(v == 7);
        return;
    }
    CHECK(parse_offset(s, 1234, 5678, &w, NULL) == 0);
    CHECK(v == w);
}

static void fuzz_hex(const char *s, size_t cap)
{
    uint8_t *buf = malloc(cap ? cap : 1);
    CHECK(buf);
    size_t n = 99;
    const char *err = NULL;
    int r = parse_hex(s, cap ? buf : NULL, cap, &n, &err);
    check_error(r, err);
    if (r == 0) {
        CHECK(n >= 1 && n <= cap);
        /* Round trip through "xx xx ..." text. */
        char *text = malloc(3 * n + 1);
        CHECK(text);
        for (size_t i = 0; i < n; i++)
            snprintf(text + 3 * i, 4, "%02x ", buf[i]);
        uint8_t *again = malloc(n);
        CHECK(again);
        size_t m = 0;
        CHECK(parse_hex(text, again, n, &m, NULL) == 0);
        CHECK(m == n && memcmp(buf, again, n) == 0);
        free(again);
        free(text);
    }
    free(buf);
}

static void fuzz_fmt(const uint8_t *data, size_t size)
{
    uint64_t bytes = 0;
    memcpy(&bytes, data, size < sizeof bytes ? size : sizeof bytes);
    size_t n = size > 8 ? data[8] % 24 : 16;
    char *buf = malloc(n ? n : 1);
    CHECK(buf);
    CHECK(parse_fmt_size(bytes, n ? buf : NULL, n) == (n ? buf : NULL));
    if (n)
        CHECK(memchr(buf, '\0', n) != NULL);
    if (n >= 16) { /* room for the longest, "1023.9 KiB": a well-formed answer */
        size_t len = strlen(buf);
        CHECK(len >= 3 && len <= 10);
        CHECK(strcmp(buf + len - 2, " B") == 0 || strcmp(buf + len - 4, " KiB") == 0 ||
              strcmp(buf + len - 4, " MiB") == 0 || strcmp(buf + len - 4, " GiB") == 0 ||
              strcmp(buf + len - 4, " TiB") == 0 || strcmp(buf + len - 4, " PiB") == 0 ||
              strcmp(buf + len - 4, " EiB") == 0);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_offset(s);
    fuzz_count(s);
    fuzz_hex(s, 0);
    fuzz_hex(s, 4);
    fuzz_hex(s, size / 2 + 1);
    fuzz_fmt(data, size);
    free(s);
    return 0;
}
