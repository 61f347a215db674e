/*
 * test_bytes: the selection's byte work against known vectors: fill and the
 * transforms (also chunked, which must give the bytes of one pass), the
 * text forms (base64 from RFC 4648's vectors), patch lines and their
 * parsing (xxd's own dump lines too).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"

static void test_fill(void **state)
{
    (void)state;
    uint8_t b[7], whole[10], parts[10];
    const uint8_t pat[] = {0xde, 0xad, 0xbe};
    bytes_fill(b, sizeof b, pat, 3, 0);
    assert_memory_equal(b, "\xde\xad\xbe\xde\xad\xbe\xde", 7);
    bytes_fill(b, 1, (const uint8_t *)"\x00", 1, 5);
    assert_int_equal(b[0], 0);
    /* A chunked pass gives the bytes of one pass. */
    bytes_fill(whole, 10, pat, 3, 0);
    bytes_fill(parts, 4, pat, 3, 0);
    bytes_fill(parts + 4, 6, pat, 3, 4);
    assert_memory_equal(whole, parts, 10);
}

static void test_apply(void **state)
{
    (void)state;
    uint8_t b[4] = {0x0f, 0xf0, 0xff, 0x80};
    const uint8_t k[] = {0xff, 0x01};
    bytes_apply(b, 4, BYTES_XOR, k, 2, 0);
    assert_memory_equal(b, "\xf0\xf1\x00\x81", 4);
    bytes_apply(b, 4, BYTES_AND, k, 2, 1); /* phase 1: 01 ff 01 ff */
    assert_memory_equal(b, "\x00\xf1\x00\x81", 4);
    bytes_apply(b, 4, BYTES_OR, (const uint8_t *)"\x10", 1, 0);
    assert_memory_equal(b, "\x10\xf1\x10\x91", 4);
    bytes_apply(b, 4, BYTES_ADD, (const uint8_t *)"\xf0", 1, 0); /* modulo 256 */
    assert_memory_equal(b, "\x00\xe1\x00\x81", 4);
    bytes_not(b, 4);
    assert_memory_equal(b, "\xff\x1e\xff\x7e", 4);
    BytesOp op;
    assert_int_equal(bytes_op_parse("add", &op), 0);
    assert_int_equal(op, BYTES_ADD);
    assert_int_equal(bytes_op_parse("nand", &op), -EINVAL);
}

static void test_reverse_swap(void **state)
{
    (void)state;
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    bytes_reverse(b, 8);
    assert_memory_equal(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    bytes_reverse(b, 1);
    bytes_reverse(b, 0);
    uint8_t c[3] = {1, 2, 3};
    bytes_reverse(c, 3);
    assert_memory_equal(c, "\x03\x02\x01", 3);
    uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(bytes_swap(d, 8, 2), 0);
    assert_memory_equal(d, "\x02\x01\x04\x03\x06\x05\x08\x07", 8);
    assert_int_equal(bytes_swap(d, 8, 2), 0);
    assert_int_equal(bytes_swap(d, 8, 4), 0);
    assert_memory_equal(d, "\x04\x03\x02\x01\x08\x07\x06\x05", 8);
    assert_int_equal(bytes_swap(d, 8, 4), 0);
    assert_int_equal(bytes_swap(d, 8, 8), 0);
    assert_memory_equal(d, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    assert_int_equal(bytes_swap(d, 6, 4), -EINVAL);
    assert_int_equal(bytes_swap(d, 8, 3), -EINVAL);
}

static void test_random(void **state)
{
    (void)state;
    uint8_t a[64] = {0}, z[64] = {0};
    assert_int_equal(bytes_random(a, sizeof a), 0);
    assert_memory_not_equal(a, z, sizeof a); /* 2^-512 of failing */
}

static void check_b64(const char *in, const char *out)
{
    char *t = bytes_base64((const uint8_t *)in, strlen(in));
    assert_non_null(t);
    assert_string_equal(t, out);
    free(t);
}

static void test_base64(void **state)
{
    (void)state;
    /* RFC 4648, section 10. */
    check_b64("", "");
    check_b64("f", "Zg==");
    check_b64("fo", "Zm8=");
    check_b64("foo", "Zm9v");
    check_b64("foob", "Zm9vYg==");
    check_b64("fooba", "Zm9vYmE=");
    check_b64("foobar", "Zm9vYmFy");
}

static void test_formats(void **state)
{
    (void)state;
    const uint8_t b[] = {0xde, 0xad, 0x00, 0x41};
    size_t n;
    char *t = bytes_format(BYTES_FMT_HEX, b, 4, &n);
    assert_string_equal(t, "dead0041");
    assert_int_equal(n, 8);
    free(t);
    t = bytes_format(BYTES_FMT_PYTHON, b, 4, &n);
    assert_string_equal(t, "b'\\xde\\xad\\x00\\x41'");
    free(t);
    t = bytes_format(BYTES_FMT_C, b, 4, &n);
    assert_string_equal(t, "unsigned char data[4] = {\n    0xde, 0xad, 0x00, 0x41\n};\n");
    free(t);
    uint8_t z[13] = {0};
    t = bytes_format(BYTES_FMT_C, z, 13, &n);
    assert_string_equal(t, "unsigned char data[13] = {\n"
                           "    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, "
                           "0x00, 0x00,\n    0x00\n};\n");
    free(t);
    t = bytes_format(BYTES_FMT_BASE64, (const uint8_t *)"foobar", 6, &n);
    assert_string_equal(t, "Zm9vYmFy");
    assert_int_equal(n, 8);
    free(t);
    BytesFmt f;
    assert_int_equal(bytes_fmt_parse("python", &f), 0);
    assert_int_equal(f, BYTES_FMT_PYTHON);
    assert_int_equal(bytes_fmt_parse("rust", &f), -EINVAL);
}

static void test_patch(void **state)
{
    (void)state;
    char line[BYTES_PATCH_LINE * 3 + 40];
    const uint8_t b[] = {0x68, 0x65, 0x6c, 0x6c, 0x6f};
    size_t n = bytes_patch_line(0x37, b, 5, line);
    assert_string_equal(line, "00000037: 6865 6c6c 6f\n");
    assert_int_equal(n, strlen(line));
    uint8_t buf[32];
    uint64_t off;
    assert_int_equal(bytes_patch_parse(line, &off, buf, sizeof buf, &n), 0);
    assert_int_equal(off, 0x37);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, b, 5);
    /* xxd's own line: the text column after two blanks is not bytes. */
    assert_int_equal(bytes_patch_parse("00000010: 6162 6364 0a                                "
                                       "abcd.",
                                       &off, buf, sizeof buf, &n),
                     0);
    assert_int_equal(off, 0x10);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "abcd\n", 5);
    /* xxd -g1 and a 64-bit offset. */
    assert_int_equal(bytes_patch_parse("10000000000: de ad", &off, buf, sizeof buf, &n), 0);
    assert_int_equal(off, 0x10000000000ull);
    assert_int_equal(n, 2);
    assert_int_equal(bytes_patch_parse("", &off, buf, sizeof buf, &n), 1);
    assert_int_equal(bytes_patch_parse("# a comment", &off, buf, sizeof buf, &n), 1);
    assert_int_equal(bytes_patch_parse("zz: 00", &off, buf, sizeof buf, &n), -EINVAL);
    assert_int_equal(bytes_patch_parse("10 00", &off, buf, sizeof buf, &n), -EINVAL);
    assert_int_equal(bytes_patch_parse("10: 0", &off, buf, sizeof buf, &n), -EINVAL);
    assert_int_equal(bytes_patch_parse("10: 0g", &off, buf, sizeof buf, &n), -EINVAL);
    assert_int_equal(bytes_patch_parse("10: 000102", &off, buf, 2, &n), -E2BIG);
    assert_int_equal(bytes_patch_parse("11111111111111111: 00", &off, buf, 2, &n), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill),         cmocka_unit_test(test_apply),
        cmocka_unit_test(test_reverse_swap), cmocka_unit_test(test_random),
        cmocka_unit_test(test_base64),       cmocka_unit_test(test_formats),
        cmocka_unit_test(test_patch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
