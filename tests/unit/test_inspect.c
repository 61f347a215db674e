/*
 * test_inspect: the data inspector, its core (inspect.h) against known
 * vectors and in round trips, and its commands (cmd-inspect.c) through the
 * public session API, with the bytes checked on disk in copy and shared
 * mode.
 *
 * The vectors were made with python3: struct.pack for integers and floats
 * ('<e' for half), datetime for times, uuid.UUID(...).bytes_le for GUIDs,
 * str.encode for UTF-8 and UTF-16.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "inspect.h"
#include "testutil.h"

/* "a1 b2 ..." to bytes; their count. */
static size_t hexb(const char *h, uint8_t *b)
{
    size_t n = 0;
    unsigned v;
    while (*h) {
        if (*h == ' ') {
            h++;
            continue;
        }
        sscanf(h, "%2x", &v);
        b[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* Decode hex as type named name: the text; *rc the code. */
static const char *dec(const char *name, const char *hex, bool big, int *rc)
{
    static char out[INSPECT_TEXT];
    uint8_t b[64];
    size_t n = hexb(hex, b);
    int t = inspect_find(name);
    assert_true(t >= 0);
    *rc = inspect_decode((InspType)t, b, n, big, out, sizeof out);
    return out;
}

static void expect_dec(const char *name, const char *hex, bool big, const char *want)
{
    int rc;
    const char *got = dec(name, hex, big, &rc);
    if (rc <= 0 || strcmp(got, want))
        print_message("%s %s: got \"%s\" (%d), want \"%s\"\n", name, hex, got, rc, want);
    assert_true(rc > 0);
    assert_string_equal(got, want);
}

static void expect_dec_err(const char *name, const char *hex, int want_rc)
{
    int rc;
    const char *got = dec(name, hex, false, &rc);
    if (rc != want_rc)
        print_message("%s %s: got \"%s\" (%d), want %d\n", name, hex, got, rc, want_rc);
    assert_int_equal(rc, want_rc);
    assert_true(strlen(got) > 0); /* says why */
}

static void expect_enc(const char *name, const char *text, bool big, const char *want_hex)
{
    uint8_t b[INSPECT_MAX], want[INSPECT_MAX];
    char err[INSPECT_TEXT] = "";
    size_t wn = hexb(want_hex, want);
    int t = inspect_find(name);
    assert_true(t >= 0);
    int k = inspect_encode((InspType)t, text, big, b, sizeof b, err, sizeof err);
    if (k != (int)wn)
        print_message("%s \"%s\": %d (%s), want %zu bytes\n", name, text, k, err, wn);
    assert_int_equal(k, (int)wn);
    assert_memory_equal(b, want, wn);
}

static void expect_enc_err(const char *name, const char *text, int want_rc)
{
    uint8_t b[INSPECT_MAX];
    char err[INSPECT_TEXT] = "";
    int t = inspect_find(name);
    assert_true(t >= 0);
    int k = inspect_encode((InspType)t, text, false, b, sizeof b, err, sizeof err);
    if (k != want_rc)
        print_message("%s \"%s\": %d (%s), want %d\n", name, text, k, err, want_rc);
    assert_int_equal(k, want_rc);
    assert_true(strlen(err) > 0);
}

/* ---- decoding -------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(inspect_find("u32"), INSP_U32);
    assert_int_equal(inspect_find("UINT32"), INSP_U32);
    assert_int_equal(inspect_find("int16"), INSP_I16);
    assert_int_equal(inspect_find("double"), INSP_F64);
    assert_int_equal(inspect_find("uuid"), INSP_GUID);
    assert_int_equal(inspect_find("nosuch"), -1);
    for (int t = 0; t < INSP_COUNT; t++) {
        assert_int_equal(inspect_find(inspect_info((InspType)t)->name), t);
        assert_true(inspect_info((InspType)t)->size <= INSPECT_MAX);
    }
}

static void test_decode_ints(void **state)
{
    (void)state;
    expect_dec("i8", "ff", false, "-1");
    expect_dec("u8", "ff", false, "255");
    expect_dec("i16", "ff fe", false, "-257");
    expect_dec("u16", "ff fe", true, "65534");
    expect_dec("i32", "ff fe fd fc", false, "-50462977");
    expect_dec("u32", "ff fe fd fc", false, "4244504319");
    expect_dec("u32", "12 34 56 78", true, "305419896");
    expect_dec("i64", "35 fb 04 8e e0 fe ff ff", false, "-1234567890123");
    expect_dec("u64", "ff ff ff ff ff ff ff ff", false, "18446744073709551615");
    expect_dec("u128", "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff", false,
               "340282366920938463463374607431768211455");
    expect_dec("i128", "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff", false, "-1");
    expect_dec("i128", "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 7f", false,
               "170141183460469231731687303715884105727");
    expect_dec("i128", "80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", true,
               "-170141183460469231731687303715884105728");
    expect_dec_err("u32", "01 02 03", -ENODATA);
    expect_dec_err("i128", "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", -ENODATA);
    expect_dec_err("u8", "", -ENODATA);
}

static void test_decode_floats(void **state)
{
    (void)state;
    expect_dec("f16", "2b 1b", false, "0.0035");
    expect_dec("f16", "7b ff", true, "65504");
    expect_dec("f16", "00 3c", false, "1");
    expect_dec("f16", "00 c0", false, "-2");
    expect_dec("f16", "01 00", false, "6e-08"); /* the smallest subnormal */
    expect_dec("f16", "00 7c", false, "inf");
    expect_dec("f16", "00 fe", false, "-nan");
    expect_dec("bf16", "49 40", false, "3.14");
    expect_dec("bf16", "bf c0", true, "-1.5");
    expect_dec("f32", "42 60 65 3b", false, "0.0035");
    expect_dec("f32", "3f 80 00 00", true, "1");
    expect_dec("f32", "00 00 c0 7f", false, "nan");
    expect_dec("f64", "79 e9 26 31 08 ac 6c 3f", false, "0.0035");
    expect_dec("f64", "ff f0 00 00 00 00 00 00", true, "-inf");
    expect_dec("f64", "00 00 00 00 00 00 00 80", false, "-0");
    expect_dec_err("f64", "00 00 00 00", -ENODATA);
}

static void test_decode_other(void **state)
{
    (void)state;
    expect_dec("bin", "a5", false, "10100101");
    expect_dec("uleb128", "e5 8e 26 ff", false, "624485 (3 bytes)");
    expect_dec("uleb128", "00", false, "0 (1 byte)");
    expect_dec("sleb128", "c0 bb 78", false, "-123456 (3 bytes)");
    expect_dec("sleb128", "7f", false, "-1 (1 byte)");
    expect_dec_err("uleb128", "80 80", -ENODATA);
    expect_dec_err("uleb128", "80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80", -EILSEQ);
    expect_dec("utf8", "41 42", false, "'A' U+0041 (1 byte)");
    expect_dec("utf8", "c3 a9", false, "'\xc3\xa9' U+00E9 (2 bytes)");
    expect_dec("utf8", "f0 9f 98 80", false, "U+1F600 (4 bytes)"); /* wide: no glyph */
    expect_dec("utf8", "0a", false, "U+000A (1 byte)");
    expect_dec_err("utf8", "c0 80", -EILSEQ);       /* overlong */
    expect_dec_err("utf8", "ed a0 80", -EILSEQ);    /* a surrogate */
    expect_dec_err("utf8", "f4 90 80 80", -EILSEQ); /* past U+10FFFF */
    expect_dec_err("utf8", "80", -EILSEQ);
    expect_dec_err("utf8", "e2 82", -ENODATA); /* cut by the end */
    expect_dec("utf16", "3d d8 00 de", false, "U+1F600 (4 bytes)");
    expect_dec("utf16", "d8 3d de 00", true, "U+1F600 (4 bytes)");
    expect_dec("utf16", "04 03", true, "'\xd0\x83' U+0403 (2 bytes)");
    expect_dec("utf8", "cc 81", false, "U+0301 (2 bytes)"); /* combining: no glyph */
    expect_dec("utf16", "e9 00", false, "'\xc3\xa9' U+00E9 (2 bytes)");
    expect_dec_err("utf16", "00 dc 00 00", -EILSEQ);
    expect_dec_err("utf16", "3d d8 41 00", -EILSEQ);
    expect_dec_err("utf16", "3d d8", -ENODATA);
}

static void test_decode_times(void **state)
{
    (void)state;
    expect_dec("unix32", "40 ab 12 6b", false, "2026-12-04T12:00:00Z");
    expect_dec("unix32", "6b 12 ab 40", true, "2026-12-04T12:00:00Z");
    expect_dec("unix32", "ff ff ff ff", false, "1969-12-31T23:59:59Z");
    expect_dec("unix32", "80 00 00 00", true, "1901-12-13T20:45:52Z");
    expect_dec("unix32", "7f ff ff ff", true, "2038-01-19T03:14:07Z");
    expect_dec("unix64", "40 ab 12 6b 00 00 00 00", false, "2026-12-04T12:00:00Z");
    expect_dec("dostime", "03 60 84 5d", false, "2026-12-04T12:00:06");
    expect_dec_err("dostime", "00 00 00 00", -EILSEQ); /* month 0 */
    expect_dec("filetime", "87 76 fe fc e6 83 dd 01", false, "2026-12-04T12:00:00.1234567Z");
    expect_dec("filetime", "00 00 00 00 00 00 00 00", false, "1601-01-01T00:00:00Z");
    expect_dec("guid", "33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff", false,
               "{00112233-4455-6677-8899-AABBCCDDEEFF}");
    /* The Microsoft layout does not follow the endianness. */
    expect_dec("guid", "33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff", true,
               "{00112233-4455-6677-8899-AABBCCDDEEFF}");
    expect_dec_err("guid", "33 22 11 00", -ENODATA);
}

/* ---- encoding -------------------------------------------------------------- */

static void test_encode(void **state)
{
    (void)state;
    expect_enc("i16", "-1", false, "ff ff");
    expect_enc("u16", "0x7fff", true, "7f ff");
    expect_enc("u16", "4660", false, "34 12");
    expect_enc("i8", "0xff", false, "ff"); /* a bit pattern */
    expect_enc("i8", "-128", false, "80");
    expect_enc("u32", " 0b101 ", false, "05 00 00 00");
    expect_enc("u128", "340282366920938463463374607431768211455", false,
               "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff");
    expect_enc("i128", "-170141183460469231731687303715884105728", true,
               "80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    expect_enc_err("u16", "-1", -ERANGE);
    expect_enc_err("i8", "128", -ERANGE);
    expect_enc_err("i8", "-129", -ERANGE);
    expect_enc_err("u8", "256", -ERANGE);
    expect_enc_err("u8", "0x100", -ERANGE);
    expect_enc_err("u128", "340282366920938463463374607431768211456", -ERANGE);
    expect_enc_err("u32", "12abc", -EINVAL);
    expect_enc_err("u32", "0b102", -EINVAL);
    expect_enc_err("u32", "", -EINVAL);

    expect_enc("f16", "3.5e-3", false, "2b 1b");
    expect_enc("f16", "65504", true, "7b ff");
    expect_enc("f16", "65519", true, "7b ff"); /* rounds down to 65504 */
    expect_enc_err("f16", "65520", -ERANGE);   /* rounds to infinity */
    expect_enc("f16", "-inf", false, "00 fc");
    expect_enc("bf16", "3.14159265", false, "49 40");
    expect_enc("f32", "3.5e-3", false, "42 60 65 3b");
    expect_enc_err("f32", "1e39", -ERANGE);
    expect_enc("f64", "3.5e-3", false, "79 e9 26 31 08 ac 6c 3f");
    expect_enc_err("f64", "1e999", -ERANGE);
    expect_enc_err("f64", "abc", -EINVAL);

    expect_enc("bin", "0b101", false, "05");
    expect_enc("bin", "10100101", false, "a5");
    expect_enc_err("bin", "111111111", -ERANGE);
    expect_enc_err("bin", "12", -EINVAL);
    expect_enc("uleb128", "624485", false, "e5 8e 26");
    expect_enc("uleb128", "0", false, "00");
    expect_enc("sleb128", "-123456", false, "c0 bb 78");
    expect_enc("sleb128", "63", false, "3f");
    expect_enc("sleb128", "64", false, "c0 00");
    expect_enc("sleb128", "-1", false, "7f");
    expect_enc_err("uleb128", "-1", -ERANGE);
    expect_enc("utf8", "\xc3\xa9", false, "c3 a9");
    expect_enc("utf8", "U+1F600", false, "f0 9f 98 80");
    expect_enc("utf8", "U", false, "55");
    expect_enc_err("utf8", "ab", -EINVAL);
    expect_enc_err("utf8", "U+D800", -ERANGE);
    expect_enc("utf16", "U+1F600", true, "d8 3d de 00");
    expect_enc("utf16", "\xf0\x9f\x98\x80", false, "3d d8 00 de");
    expect_enc("utf16", "A", false, "41 00");

    expect_enc("unix32", "2026-12-04T12:00:00Z", false, "40 ab 12 6b");
    expect_enc("unix32", "2026-12-04 12:00", true, "6b 12 ab 40");
    expect_enc("unix32", "-1", false, "ff ff ff ff"); /* seconds */
    expect_enc("unix64", "2026-12-04T12:00:00Z", false, "40 ab 12 6b 00 00 00 00");
    expect_enc_err("unix32", "2038-01-19T03:14:08Z", -ERANGE);
    expect_enc_err("unix32", "2026-02-30T00:00:00Z", -ERANGE);
    expect_enc_err("unix32", "2026-12-04T12:00:00.5Z", -ERANGE);
    expect_enc_err("unix32", "2026-12-04T25:00:00Z", -ERANGE);
    expect_enc_err("unix32", "yesterday", -EINVAL);
    expect_enc("dostime", "2026-12-04T12:00:06", false, "03 60 84 5d");
    expect_enc_err("dostime", "2026-12-04T12:00:07", -ERANGE); /* odd seconds */
    expect_enc_err("dostime", "1979-12-31T00:00:00", -ERANGE);
    expect_enc("filetime", "2026-12-04T12:00:00.1234567Z", false, "87 76 fe fc e6 83 dd 01");
    expect_enc("filetime", "1601-01-01", false, "00 00 00 00 00 00 00 00");
    expect_enc_err("filetime", "1600-12-31T23:59:59Z", -ERANGE);
    expect_enc("guid", "{00112233-4455-6677-8899-aabbccddeeff}", false,
               "33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff");
    expect_enc("guid", "00112233-4455-6677-8899-AABBCCDDEEFF", true,
               "33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff");
    expect_enc("guid", "00112233445566778899aabbccddeeff", false,
               "33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff");
    expect_enc_err("guid", "{0011-2233}", -EINVAL);
    expect_enc_err("guid", "00112233-4455-6677-8899-aabbccddeefg", -EINVAL);
}

/* What a value shown is typed as: a character as its U+XXXX, a LEB128 as
 * its number. */
static void typed_form(InspType t, const char *shown, char *out, size_t n)
{
    const char *u = strstr(shown, "U+");
    if ((t == INSP_UTF8 || t == INSP_UTF16) && u)
        snprintf(out, n, "%.*s", (int)strcspn(u, " "), u);
    else if (t == INSP_ULEB || t == INSP_SLEB)
        snprintf(out, n, "%.*s", (int)strcspn(shown, " "), shown);
    else
        snprintf(out, n, "%s", shown);
}

/* Every type, both byte orders, over pseudo-random bytes: whatever decodes
 * encodes back to the same bytes (NaN payloads and padded LEB128s aside:
 * those must give the same value). */
static void test_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int decoded[INSP_COUNT] = {0};
    for (int iter = 0; iter < 4000; iter++) {
        uint8_t b[INSPECT_MAX], e[INSPECT_MAX];
        for (int i = 0; i < INSPECT_MAX; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b[i] = (uint8_t)x;
        }
        if (iter % 4 == 0) /* small numbers, plain characters, near times */
            for (int i = 1; i < INSPECT_MAX; i++)
                b[i] &= iter % 8 ? 0x00 : 0x7f;
        if (iter % 16 == 1) { /* a Unix time in 1970..2038 for unix64 */
            b[4] = b[5] = b[6] = b[7] = 0;
            b[3] &= 0x7f;
        }
        for (int t = 0; t < INSP_COUNT; t++) {
            for (int big = 0; big < 2; big++) {
                char shown[INSPECT_TEXT], typed[INSPECT_TEXT], again[INSPECT_TEXT],
                    err[INSPECT_TEXT] = "";
                int k = inspect_decode((InspType)t, b, sizeof b, big, shown, sizeof shown);
                if (k < 0)
                    continue;
                if (t == INSP_UNIX64 && (shown[0] == '-' || strchr(shown, '-') - shown > 6))
                    continue; /* years before 0 or past 999999 are not typed */
                decoded[t]++;
                typed_form((InspType)t, shown, typed, sizeof typed);
                int k2 = inspect_encode((InspType)t, typed, big, e, sizeof e, err, sizeof err);
                if (k2 < 0)
                    print_message("%s \"%s\": %s\n", inspect_info((InspType)t)->name, typed, err);
                assert_true(k2 > 0);
                bool nan = strstr(shown, "nan") != NULL;
                if (!nan && t != INSP_ULEB && t != INSP_SLEB) {
                    assert_int_equal(k2, k);
                    if (memcmp(b, e, (size_t)k))
                        print_message("%s \"%s\" big=%d does not round-trip\n",
                                      inspect_info((InspType)t)->name, shown, big);
                    assert_memory_equal(b, e, (size_t)k);
                }
                assert_true(inspect_decode((InspType)t, e, (size_t)k2, big, again, sizeof again) >
                            0);
                if (t == INSP_ULEB || t == INSP_SLEB) {
                    char t2[INSPECT_TEXT];
                    typed_form((InspType)t, again, t2, sizeof t2);
                    assert_string_equal(t2, typed);
                } else {
                    assert_string_equal(again, shown);
                }
            }
        }
    }
    for (int t = 0; t < INSP_COUNT; t++) {
        if (!decoded[t])
            print_message("%s never decoded\n", inspect_info((InspType)t)->name);
        assert_true(decoded[t] > 0);
    }
}

/* ---- the commands ---------------------------------------------------------- */

static const MmhMode WMODES[] = {MMH_MODE_COPY, MMH_MODE_SHARED};

static Session *open_session(const char *path, MmhMode mode, bool batch)
{
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = mode, .sys = NULL};
    SessionOpts so = {.batch = batch};
    assert_int_equal(doc_open(&d, path, &mo), 0);
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_resize(s, 24, 120);
    return s;
}

static int run(Session *s, const char *line)
{
    cmd_run(s, line);
    return cmd_result(s);
}

static bool msg_has(Session *s, const char *sub)
{
    const char *m = cmd_message(s, NULL);
    if (m && strstr(m, sub))
        return true;
    print_message("message \"%s\" lacks \"%s\"\n", m ? m : "(none)", sub);
    return false;
}

static char *take(Session *s)
{
    static char buf[4096];
    char *o = cmd_output_take(s);
    snprintf(buf, sizeof buf, "%s", o ? o : "");
    free(o);
    return buf;
}

static void test_cmd_inspect(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "data");
    tu_make_file(path, 4096, 0);
    Session *s = open_session(path, MMH_MODE_READONLY, true);
    uint8_t b[4];
    tu_pread(path, 0x10, b, 4);
    char want[64];
    snprintf(want, sizeof want, "%u\n",
             (unsigned)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24));
    assert_int_equal(run(s, "inspect u32 0x10"), 0);
    assert_string_equal(take(s), want);
    assert_int_equal(run(s, "endian big"), 0);
    assert_int_equal(run(s, "inspect u32 0x10"), 0);
    snprintf(want, sizeof want, "%u\n",
             (unsigned)(b[3] | b[2] << 8 | b[1] << 16 | (uint32_t)b[0] << 24));
    assert_string_equal(take(s), want);
    assert_int_equal(run(s, "endian"), 0); /* a toggle: little again */
    assert_true(msg_has(s, "little"));
    /* The table at the cursor: every type, one row each. */
    assert_int_equal(run(s, "goto 0x20"), 0);
    assert_int_equal(run(s, "inspect"), 0);
    char *o = take(s);
    assert_non_null(strstr(o, "offset    0x20"));
    assert_non_null(strstr(o, "\nguid      {"));
    assert_non_null(strstr(o, "\nuint128   "));
    /* Near the end, what does not fit says so. */
    assert_int_equal(run(s, "inspect end-2"), 0);
    o = take(s);
    assert_non_null(strstr(o, "uint32    -- needs 4 bytes, 2 before the end"));
    assert_int_not_equal(run(s, "inspect u64 end-4"), 0);
    assert_true(msg_has(s, "needs 8 bytes"));
    assert_int_equal(run(s, "inspect u32 end"), -ERANGE);
    /* A selection: the inspector looks at its start, whichever end the
     * cursor is at. */
    assert_int_equal(run(s, "goto 0x40"), 0);
    assert_int_equal(run(s, "select"), 0);
    assert_int_equal(run(s, "goto 0x30"), 0);
    assert_int_equal(run(s, "inspect u8"), 0);
    snprintf(want, sizeof want, "%u\n", tu_pattern(0x30));
    assert_string_equal(take(s), want);
    assert_int_equal(run(s, "goto 0x50"), 0);
    assert_int_equal(run(s, "inspect u8"), 0);
    snprintf(want, sizeof want, "%u\n", tu_pattern(0x40));
    assert_string_equal(take(s), want);
    assert_int_equal(run(s, "inspect nosuch"), -EINVAL);
    /* Read-only inspects and refuses to set. */
    assert_int_equal(run(s, "set u16 0x10 1"), -EROFS);
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

static void test_cmd_set(void **state)
{
    (void)state;
    for (size_t m = 0; m < 2; m++) {
        char *dir = tu_mkdtemp(), *path = tu_path(dir, "data");
        tu_make_file(path, 4096, 0);
        Session *s = open_session(path, WMODES[m], true);
        uint8_t b[16], orig[16];
        tu_pread(path, 0x10, orig, 16);
        assert_int_equal(run(s, "set u16 0x10 0x1234"), 0);
        assert_true(msg_has(s, "34 12"));
        assert_int_equal(run(s, "set f32 0x20 3.5e-3"), 0);
        assert_int_equal(run(s, "set guid 0x30 {00112233-4455-6677-8899-aabbccddeeff}"), 0);
        assert_int_equal(run(s, "goto 0x40"), 0);
        assert_int_equal(run(s, "set unix32 2026-12-04 12:00:00"), 0); /* at the cursor */
        assert_int_equal(cmd_view(s)->cursor, 0x40);                   /* the cursor stays */
        assert_int_equal(run(s, "write"), 0);
        tu_pread(path, 0x10, b, 2);
        assert_memory_equal(b, "\x34\x12", 2);
        tu_pread(path, 0x20, b, 4);
        assert_memory_equal(b, "\x42\x60\x65\x3b", 4);
        tu_pread(path, 0x30, b, 16);
        assert_memory_equal(b, "\x33\x22\x11\x00\x55\x44\x77\x66\x88\x99\xaa\xbb\xcc\xdd\xee\xff",
                            16);
        tu_pread(path, 0x40, b, 4);
        assert_memory_equal(b, "\x40\xab\x12\x6b", 4);
        /* Each set is one undo step. */
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(run(s, "undo"), 0);
        assert_int_equal(run(s, "write"), 0);
        tu_pread(path, 0x10, b, 2);
        assert_memory_equal(b, orig, 2);
        /* Refusals: does not fit, past the end, bad words. */
        assert_int_equal(run(s, "set u8 0x10 256"), -ERANGE);
        assert_true(msg_has(s, "does not fit"));
        assert_int_equal(run(s, "set u32 end-2 1"), -ERANGE);
        assert_true(msg_has(s, "would pass the end of the file"));
        assert_int_equal(run(s, "set u32 end 1"), -ERANGE);
        assert_int_equal(run(s, "set nosuch 1"), -EINVAL);
        assert_int_equal(run(s, "set u32"), -EINVAL);
        assert_int_equal(run(s, "set u32 0x10 zz"), -EINVAL);
        assert_int_equal(tu_size(path), 4096); /* never grows */
        cmd_session_free(s);
        unlink(path);
        free(path);
        tu_rmdir(dir);
    }
}

/* A hole reads as zeros: every type decodes them, and set writes into it
 * (the file keeps its size). */
static void test_hole(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "sparse");
    tu_make_file(path, 1u << 20, 1);
    Session *s = open_session(path, MMH_MODE_COPY, true);
    assert_int_equal(run(s, "inspect u64 0x80000"), 0);
    assert_string_equal(take(s), "0\n");
    assert_int_equal(run(s, "inspect guid 0x80000"), 0);
    assert_string_equal(take(s), "{00000000-0000-0000-0000-000000000000}\n");
    assert_int_equal(run(s, "inspect unix32 0x80000"), 0);
    assert_string_equal(take(s), "1970-01-01T00:00:00Z\n");
    assert_int_equal(run(s, "set f64 0x80000 -1.5"), 0);
    assert_int_equal(run(s, "write"), 0);
    uint8_t b[8];
    tu_pread(path, 0x80000, b, 8);
    assert_memory_equal(b, "\x00\x00\x00\x00\x00\x00\xf8\xbf", 8);
    assert_int_equal(tu_size(path), 1u << 20);
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* The panel: toggled, drawn at 120 columns, refused when too narrow; the
 * focus screen picks a row and its prompt runs set. */
static void test_panel(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "data");
    tu_make_file(path, 4096, 0);
    Session *s = open_session(path, MMH_MODE_COPY, false);
    Grid g = {0};
    assert_int_equal(grid_resize(&g, 24, 120), 0);
    assert_int_equal(run(s, "set u32 0 0x12345678"), 0);
    assert_int_equal(run(s, "inspector"), 0);
    assert_true(cmd_view(s)->cols < 120);
    cmd_frame(s, &g);
    char buf[512];
    bool seen = false;
    for (int r = 0; r < g.rows; r++)
        seen |= strstr(grid_row_text(&g, r, buf, sizeof buf), "uint32   305419896") != NULL;
    assert_true(seen);
    /* X, down to int16, Enter, a value, Enter. */
    cmd_key(s, 'X');
    cmd_key(s, MMH_KEY_DOWN);
    cmd_key(s, MMH_KEY_DOWN);
    cmd_key(s, MMH_KEY_ENTER);
    for (const char *p = "-2"; *p; p++)
        cmd_key(s, *p);
    cmd_key(s, MMH_KEY_ENTER);
    assert_int_equal(cmd_result(s), 0);
    assert_true(msg_has(s, "int16 at 0x0 set to -2 (fe ff)"));
    uint8_t b[2];
    assert_int_equal(doc_read(cmd_doc(s), 0, b, 2), 0);
    assert_memory_equal(b, "\xfe\xff", 2);
    cmd_key(s, MMH_KEY_ESC);
    cmd_key(s, 'u');
    assert_int_equal(doc_read(cmd_doc(s), 0, b, 2), 0);
    assert_memory_equal(b, "\x78\x56", 2);
    /* Off, then too narrow to come back. */
    assert_int_equal(run(s, "inspector"), 0);
    assert_int_equal(cmd_view(s)->cols, 120);
    cmd_resize(s, 24, 80);
    assert_int_equal(run(s, "inspector on"), -ERANGE);
    assert_true(msg_has(s, "too narrow"));
    assert_int_equal(cmd_view(s)->cols, 80);
    grid_free(&g);
    cmd_session_free(s);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),         cmocka_unit_test(test_decode_ints),
        cmocka_unit_test(test_decode_floats), cmocka_unit_test(test_decode_other),
        cmocka_unit_test(test_decode_times),  cmocka_unit_test(test_encode),
        cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_cmd_inspect),
        cmocka_unit_test(test_cmd_set),       cmocka_unit_test(test_hole),
        cmocka_unit_test(test_panel),
    };
    return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
