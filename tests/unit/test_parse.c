/*
 * test_parse: every form parse.h lists, alone and combined, at the edges of
 * uint64_t, and each malformed form, which must come back as -EINVAL or
 * -ERANGE with a message; then hex bytes and human-readable sizes.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "parse.h"
#include "sys.h"

#define KiB ((uint64_t)1 << 10)
#define TiB ((uint64_t)1 << 40)

static const uint64_t CURSOR = 0x1000;
static const uint64_t SIZE = 0x10000;

/* s evaluates to want, with the cursor and size given. */
static void ok_at(const char *s, uint64_t cursor, uint64_t size, uint64_t want)
{
    uint64_t v = 0xdeadbeef;
    const char *err = NULL;
    int r = parse_offset(s, cursor, size, &v, &err);
    if (r != 0)
        fail_msg("\"%s\": %d (%s)", s, r, err ? err : "no message");
    if (v != want)
        fail_msg("\"%s\": %#llx, want %#llx", s, (unsigned long long)v, (unsigned long long)want);
}

static void ok(const char *s, uint64_t want)
{
    ok_at(s, CURSOR, SIZE, want);
}

/* s fails with code and a message, and leaves *out alone. */
static void bad_at(const char *s, uint64_t cursor, uint64_t size, int code)
{
    uint64_t v = 12345;
    const char *err = NULL;
    int r = parse_offset(s, cursor, size, &v, &err);
    if (r != code)
        fail_msg("\"%s\": %d, want %d (%s)", s, r, code, err ? err : "no message");
    assert_non_null(err);
    assert_true(strlen(err) > 0);
    assert_int_equal(v, 12345);
    /* err may be NULL. */
    assert_int_equal(parse_offset(s, cursor, size, &v, NULL), code);
}

static void bad(const char *s, int code)
{
    bad_at(s, CURSOR, SIZE, code);
}

static void test_numbers(void **state)
{
    (void)state;
    ok("0", 0);
    ok("4096", 4096);
    ok("007", 7); /* leading zeros are decimal, not octal */
    ok("0x1f00", 0x1f00);
    ok("0X1F00", 0x1f00);
    ok("0xDeadBeef", 0xdeadbeef);
    ok("0o17", 15);
    ok("0O17", 15);
    ok("0b101", 5);
    ok("0B101", 5);
    ok("18446744073709551615", UINT64_MAX);
    ok("0xffffffffffffffff", UINT64_MAX);
    ok("0o1777777777777777777777", UINT64_MAX);
    ok("0x0000000000000000000000001", 1); /* leading zeros do not overflow */
    ok("  0x10\t", 16);
    ok("\t\n 42 \r\n", 42);
}

static void test_suffixes(void **state)
{
    (void)state;
    ok("16k", 16 * KiB);
    ok("16K", 16 * KiB);
    ok("4M", 4 * KiB * KiB);
    ok("4m", 4 * KiB * KiB);
    ok("2G", 2 * KiB * KiB * KiB);
    ok("1T", TiB);
    ok("1t", TiB);
    ok("1P", TiB * KiB);
    ok("0x10k", 16 * KiB);
    ok("0b1k", KiB);
    ok("0o2k", 2 * KiB);
    ok("0k", 0);
    ok("16777215T", 16777215 * TiB);
    ok("15P", 15 * TiB * KiB);
}

static void test_end_and_percent(void **state)
{
    (void)state;
    ok("end", SIZE);
    ok("END", SIZE);
    ok("End", SIZE);
    ok("end-1", SIZE - 1);
    ok("end-0x10", SIZE - 16);
    ok("end - 0x10", SIZE - 16);
    ok("50%", SIZE / 2);
    ok("100%", SIZE);
    ok("0%", 0);
    ok("200%", 2 * SIZE); /* past the end is the caller's business */
    ok("12.5%", SIZE / 8);
    ok("12.50%", SIZE / 8);
    ok("50%+3", SIZE / 2 + 3);
    ok_at("50%", 0, 101, 50); /* rounds down */
    ok_at("50%", 0, 1, 0);
    ok_at("99.99%", 0, 10000, 9999);
    ok_at("0.1%", 0, 999, 0);
    ok_at("0.1%", 0, 1000, 1);
    ok_at("33.3333333333333333%", 0, 3, 0); /* 16 decimals: the limit */
    ok_at("12.5%", 0, 16 * TiB, 2 * TiB);
    ok_at("37.5%", 0, 16 * TiB, 6 * TiB);
    ok_at("100%", 0, UINT64_MAX, UINT64_MAX);
    ok_at("50%", 0, UINT64_MAX, UINT64_MAX / 2);
    ok_at("99.9%", 0, UINT64_MAX, 18428297329635842063u); /* floor(0.999 * (2^64 - 1)) */
    ok_at("end", 0, 0, 0);
    ok_at("50%", 0, 0, 0);
    ok_at("end", 0, UINT64_MAX, UINT64_MAX);
}

static void test_relative(void **state)
{
    (void)state;
    ok("+4k", CURSOR + 4 * KiB);
    ok("-16", CURSOR - 16);
    ok("+0", CURSOR);
    ok(" + 16 ", CURSOR + 16);
    ok("-0x1000", 0);
    ok("-16+4", CURSOR - 12);
    ok("+end", CURSOR + SIZE);
    ok_at("-1", 1, 10, 0);
    ok_at("+1", UINT64_MAX - 1, 10, UINT64_MAX);
    bad_at("-1", 0, 10, -ERANGE);
    bad_at("-16", 15, 100, -ERANGE);
    bad_at("+1", UINT64_MAX, 10, -ERANGE);
}

static void test_expressions(void **state)
{
    (void)state;
    ok("0x100+16", 0x110);
    ok("1+2+3-4", 2);
    ok("1 + 2 + 3 - 4", 2);
    ok("1k-1", 1023);
    ok("end-50%", SIZE / 2);
    ok("0-16+32", 16); /* a negative partial sum is fine if the total is not */
    ok_at("0xffffffffffffffff+1-1", 0, 0, UINT64_MAX);
    ok_at("0xffffffffffffffff+0xffffffffffffffff-0xffffffffffffffff", 0, 0, UINT64_MAX);
    ok_at("end-12.5%", 0, 16 * TiB, 14 * TiB);
}

static void test_range_errors(void **state)
{
    (void)state;
    bad("0xffffffffffffffff+1", -ERANGE);
    bad("18446744073709551616", -ERANGE);
    bad("99999999999999999999", -ERANGE);
    bad("0x10000000000000000", -ERANGE);
    bad("0b10000000000000000000000000000000000000000000000000000000000000000", -ERANGE);
    bad("16777216T", -ERANGE);
    bad("16384P", -ERANGE);
    bad("0x400000000000000k", -ERANGE);
    bad("0-1", -ERANGE);
    bad("end-end-1", -ERANGE);
    bad("99999999999999999999-99999999999999999999", -ERANGE);
    bad_at("200%", 0, UINT64_MAX, -ERANGE);
    bad_at("100.1%", 0, UINT64_MAX, -ERANGE);
    bad_at("end+1", 0, UINT64_MAX, -ERANGE);
    bad("99999999999999999999%", -ERANGE);
    bad("1844674407370955161.6%", -ERANGE); /* the numerator overflows adding .6 */
    bad("1844674407370955162.5%", -ERANGE); /* and here shifting by one decimal */

    const char *err = NULL;
    uint64_t v;
    assert_int_equal(parse_offset("-17", 16, 100, &v, &err), -ERANGE);
    assert_string_equal(err, "offset before the start of the file");
    assert_int_equal(parse_offset("1+0xffffffffffffffff", 0, 0, &v, &err), -ERANGE);
    assert_string_equal(err, "offset too large");
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "",
        "   ",
        "0x",
        "0xg",
        "0o",
        "0o8",
        "0b",
        "0b2",
        "0b102",
        "12q",
        "4kb",
        "4kk",
        "4k5",
        "0x10z",
        "%",
        "50%%",
        "%50",
        "50 %",
        "1.5",
        "1.%",
        ".5%",
        "1..2",
        "1..2%",
        "1.2.3%",
        "end-",
        "end+",
        "-",
        "+",
        "+-3",
        "-+3",
        "--3",
        "++3",
        "end1",
        "endk",
        "ends",
        "en",
        "1 2",
        "1+",
        "1-",
        "1 +",
        "1*2",
        "(1)",
        "0x1.5",
        "1e3",
        "12.5k%",
        "1,000",
        "33.33333333333333333%",
        "x10",
        "k",
        "1 k",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        bad(forms[i], -EINVAL);

    /* A syntax error wins over an overflow earlier in the text. */
    bad("99999999999999999999+q", -EINVAL);

    const char *err = NULL;
    uint64_t v;
    assert_int_equal(parse_offset("", 0, 0, &v, &err), -EINVAL);
    assert_string_equal(err, "empty expression");
    assert_int_equal(parse_offset("12q", 0, 0, &v, &err), -EINVAL);
    assert_string_equal(err, "unknown suffix");
    assert_int_equal(parse_offset("0xg", 0, 0, &v, &err), -EINVAL);
    assert_string_equal(err, "malformed number");
}

static void test_count(void **state)
{
    (void)state;
    uint64_t v = 0;
    const char *err = NULL;
    assert_int_equal(parse_count("256", &v, &err), 0);
    assert_int_equal(v, 256);
    assert_int_equal(parse_count(" 0x100 ", &v, &err), 0);
    assert_int_equal(v, 256);
    assert_int_equal(parse_count("4k", &v, &err), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(parse_count("0b11", &v, NULL), 0);
    assert_int_equal(v, 3);
    assert_int_equal(parse_count("18446744073709551615", &v, NULL), 0);
    assert_int_equal(v, UINT64_MAX);

    static const char *const bad_forms[] = {
        "", " ", "-1", "+1", "end", "50%", "1+1", "1.5", "0x", "12q", "4k4", "1 2",
    };
    for (size_t i = 0; i < sizeof bad_forms / sizeof *bad_forms; i++) {
        v = 7;
        err = NULL;
        assert_int_equal(parse_count(bad_forms[i], &v, &err), -EINVAL);
        assert_non_null(err);
        assert_int_equal(v, 7);
    }
    static const char *const big[] = {"18446744073709551616", "16777216T", "0x1p"};
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        err = NULL;
        if (i < 2) {
            assert_int_equal(parse_count(big[i], &v, &err), -ERANGE);
            assert_string_equal(err, "number too large");
        } else {
            assert_int_equal(parse_count(big[i], &v, &err), 0);
            assert_int_equal(v, (uint64_t)1 << 50);
        }
    }
}

static void hex_ok(const char *s, const char *want, size_t wantn)
{
    uint8_t buf[16];
    size_t n = 99;
    const char *err = NULL;
    int r = parse_hex(s, buf, sizeof buf, &n, &err);
    if (r != 0)
        fail_msg("\"%s\": %d (%s)", s, r, err ? err : "no message");
    assert_int_equal(n, wantn);
    assert_memory_equal(buf, want, wantn);
}

static void hex_bad(const char *s, size_t cap, int code, const char *msg)
{
    uint8_t buf[16];
    size_t n = 99;
    const char *err = NULL;
    int r = parse_hex(s, buf, cap, &n, &err);
    if (r != code)
        fail_msg("\"%s\": %d, want %d", s, r, code);
    assert_non_null(err);
    if (msg)
        assert_string_equal(err, msg);
    assert_int_equal(n, 0);
    assert_int_equal(parse_hex(s, buf, cap, &n, NULL), code);
}

static void test_hex(void **state)
{
    (void)state;
    hex_ok("deadbeef", "\xde\xad\xbe\xef", 4);
    hex_ok("de ad be ef", "\xde\xad\xbe\xef", 4);
    hex_ok("DE AD\tBE  EF", "\xde\xad\xbe\xef", 4);
    hex_ok("0xdeadbeef", "\xde\xad\xbe\xef", 4);
    hex_ok("0XDEADBEEF", "\xde\xad\xbe\xef", 4);
    hex_ok("  dead beef  ", "\xde\xad\xbe\xef", 4);
    hex_ok("00", "\x00", 1);
    hex_ok("0x00", "\x00", 1);
    hex_ok("0a0b", "\x0a\x0b", 2);
    hex_ok("00112233445566778899aabbccddeeff",
           "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa"
           "\xbb\xcc\xdd\xee\xff",
           16);

    hex_bad("", 16, -EINVAL, NULL);
    hex_bad("   ", 16, -EINVAL, NULL);
    hex_bad("0x", 16, -EINVAL, NULL);
    hex_bad("0x ", 16, -EINVAL, NULL);
    hex_bad("d", 16, -EINVAL, "odd number of hex digits");
    hex_bad("dea", 16, -EINVAL, "odd number of hex digits");
    hex_bad("d ead", 16, -EINVAL, "odd number of hex digits");
    hex_bad("0xabc", 16, -EINVAL, "odd number of hex digits");
    hex_bad("zz", 16, -EINVAL, "not a hex digit");
    hex_bad("az", 16, -EINVAL, "not a hex digit");
    hex_bad("de ad 0xbe", 16, -EINVAL, "not a hex digit"); /* 0x only on the whole string */
    hex_bad("de,ad", 16, -EINVAL, "not a hex digit");
    hex_bad("dead-", 16, -EINVAL, "not a hex digit");
    hex_bad("00112233445566778899aabbccddeeff00", 16, -ERANGE, "too many bytes");
    hex_bad("0011", 1, -ERANGE, "too many bytes");

    /* Exactly cap bytes is fine; cap 0 with no buffer rejects any byte. */
    uint8_t one;
    size_t n = 0;
    assert_int_equal(parse_hex("7f", &one, 1, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(one, 0x7f);
    assert_int_equal(parse_hex("7f", NULL, 0, &n, NULL), -ERANGE);
}

static void fmt_is(uint64_t bytes, const char *want)
{
    char buf[32];
    memset(buf, 'X', sizeof buf);
    assert_ptr_equal(parse_fmt_size(bytes, buf, sizeof buf), buf);
    assert_string_equal(buf, want);
}

static void test_fmt_size(void **state)
{
    (void)state;
    fmt_is(0, "0 B");
    fmt_is(1, "1 B");
    fmt_is(1023, "1023 B");
    fmt_is(1024, "1.0 KiB");
    fmt_is(1535, "1.4 KiB"); /* truncated, not rounded */
    fmt_is(1536, "1.5 KiB");
    fmt_is(1024 * 1024 - 1, "1023.9 KiB");
    fmt_is(1024 * 1024, "1.0 MiB");
    fmt_is(3ULL << 30, "3.0 GiB");
    fmt_is(16 * TiB, "16.0 TiB");
    fmt_is(16 * TiB - 1, "15.9 TiB");
    fmt_is(TiB * KiB, "1.0 PiB");
    fmt_is((uint64_t)1 << 60, "1.0 EiB");
    fmt_is(UINT64_MAX, "15.9 EiB");

    /* A short buffer is cut and still terminated. */
    char small[5];
    assert_ptr_equal(parse_fmt_size(16 * TiB, small, sizeof small), small);
    assert_string_equal(small, "16.0");
    char tiny[1] = {'X'};
    parse_fmt_size(1, tiny, sizeof tiny);
    assert_int_equal(tiny[0], '\0');
}

/* ---- durations ----------------------------------------------------------- */

static void ns_is(uint64_t ns, const char *want)
{
    char buf[32];
    assert_ptr_equal(parse_fmt_ns(ns, buf, sizeof buf), buf);
    assert_string_equal(buf, want);
}

static void test_fmt_ns(void **state)
{
    (void)state;
    /* Whole microseconds below a millisecond, truncated. */
    ns_is(0, "0 us");
    ns_is(999, "0 us");
    ns_is(1500, "1 us");
    ns_is(999999, "999 us");
    /* Tenths of a millisecond below ten seconds, rounded. */
    ns_is(1000000, "1.0 ms");
    ns_is(1250001, "1.3 ms");
    ns_is(9999999999ull, "10000.0 ms");
    /* Tenths of a second above. */
    ns_is(10000000000ull, "10.0 s");
    ns_is(123456789012ull, "123.5 s");
    ns_is(UINT64_MAX, "18446744073.7 s");

    /* A short buffer is cut and still terminated. */
    char small[4];
    parse_fmt_ns(1234567, small, sizeof small);
    assert_string_equal(small, "1.2");
}

/* The clock the core times its calls with never runs backwards. */
static void test_now_ns(void **state)
{
    (void)state;
    uint64_t a = sys_now_ns();
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    uint64_t b = sys_now_ns();
    assert_true(a > 0);
    assert_true(b >= a + 2000000);
}

/* ---- escaping ------------------------------------------------------------ */

static void esc_is(const char *in, const char *want)
{
    char buf[256];
    size_t n = parse_escape_ctl(in, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    assert_int_equal(parse_escape_ctl(in, NULL, 0), strlen(want));
}

static void test_escape_ctl(void **state)
{
    (void)state;
    esc_is("", "");
    esc_is("plain name.bin", "plain name.bin");
    esc_is("evil\033[2Jname", "evil\\x1b[2Jname"); /* ESC: clear the screen */
    esc_is("a\nb\rc\td\177e\001", "a\\x0ab\\x0dc\\x09d\\x7fe\\x01");
    esc_is("caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80");
    /* U+009B, the C1 CSI; a raw 8-bit CSI; a cut sequence; overlong; a
     * surrogate; past U+10FFFF. */
    esc_is("\xc2\x9b"
           "2J",
           "\\xc2\\x9b2J");
    esc_is("\x9b"
           "2J",
           "\\x9b2J");
    esc_is("\xc3(", "\\xc3(");
    esc_is("\xc0\xaf", "\\xc0\\xaf");
    esc_is("\xed\xa0\x80", "\\xed\\xa0\\x80");
    esc_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
    esc_is("\xff\xfe", "\\xff\\xfe");

    /* A short buffer is cut between characters, never inside an escape,
     * and still terminated; the return is the whole length. */
    char small[8];
    assert_int_equal(parse_escape_ctl("ab\033cdef", small, sizeof small), 10);
    assert_string_equal(small, "ab\\x1bc");
    assert_int_equal(parse_escape_ctl("abcde\033", small, 7), 9);
    assert_string_equal(small, "abcde");
    assert_int_equal(parse_escape_ctl("\xc3\xa9\xc3\xa9\xc3\xa9", small, 6), 6);
    assert_string_equal(small, "\xc3\xa9\xc3\xa9");
    char one[1] = {'X'};
    assert_int_equal(parse_escape_ctl("\033", one, 1), 4);
    assert_int_equal(one[0], '\0');
}

/* The status rows' short sizes and shares. */
static void test_fmt_short_and_permille(void **state)
{
    char b[32];
    (void)state;
    assert_string_equal(parse_fmt_size_short(512, b, sizeof b), "512B");
    assert_string_equal(parse_fmt_size_short(8u << 20, b, sizeof b), "8.0M");
    assert_string_equal(parse_fmt_size_short(16ull << 40, b, sizeof b), "16.0T");
    assert_int_equal(parse_permille(0, 0), 0);
    assert_int_equal(parse_permille(5, 10), 500);
    assert_int_equal(parse_permille(10, 10), 1000);
    assert_int_equal(parse_permille(9999, 10000), 999); /* 99.99%: never shown as all */
    assert_int_equal(parse_permille(UINT64_MAX - 1, UINT64_MAX), 999);
    assert_int_equal(parse_permille(UINT64_MAX / 2, UINT64_MAX), 499);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_suffixes),
        cmocka_unit_test(test_end_and_percent),
        cmocka_unit_test(test_relative),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_range_errors),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_fmt_size),
        cmocka_unit_test(test_fmt_short_and_permille),
        cmocka_unit_test(test_fmt_ns),
        cmocka_unit_test(test_now_ns),
        cmocka_unit_test(test_escape_ctl),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
