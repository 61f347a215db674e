/*
 * test_value: value and UTF-16LE patterns (search-value.h) against vectors
 * made with python3 (struct.pack, str.encode('utf-16-le')), and `find -v`
 * and `find -u` through the command language on a real file.
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
#include "search-value.h"
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

static void check_value(const char *type, const char *value, bool big, const char *want)
{
    Pattern p;
    char err[160] = "";
    uint8_t b[32];
    size_t n = hexb(want, b);
    int rc = search_parse_value(type, value, big, &p, err, sizeof err);
    if (rc != 0)
        fail_msg("%s %s: %d %s", type, value, rc, err);
    assert_int_equal(p.len, n);
    assert_memory_equal(p.bytes, b, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p.mask[i], 0xff);
    assert_false(p.icase);
    assert_false(p.wild);
}

static void test_values(void **state)
{
    (void)state;
    check_value("u32le", "1234", false, "d2 04 00 00");
    check_value("u32le", "1234", true, "d2 04 00 00"); /* the suffix wins */
    check_value("u32", "1234", true, "00 00 04 d2");   /* the default order */
    check_value("u32", "1234", false, "d2 04 00 00");
    check_value("i16be", "-2", false, "ff fe");
    check_value("i16le", "-2", false, "fe ff");
    check_value("u64", "0x1122334455667788", false, "88 77 66 55 44 33 22 11");
    check_value("U64BE", "0x1122334455667788", false, "11 22 33 44 55 66 77 88");
    check_value("f64", "3.25", false, "00 00 00 00 00 00 0a 40");
    check_value("f32be", "1.5", false, "3f c0 00 00");
    check_value("f32", "1.5", false, "00 00 c0 3f");
    check_value("double", "3.25", true, "40 0a 00 00 00 00 00 00"); /* not "doub" + le */
    check_value("doublele", "3.25", true, "00 00 00 00 00 00 0a 40");
    check_value("u8", "255", false, "ff");
    check_value("i8", "-128", false, "80");
    check_value("uint16be", "0xabcd", false, "ab cd");
    check_value("u128le", "1", false, "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

static void check_error(const char *type, const char *value, int want_rc, const char *want)
{
    Pattern p;
    memset(&p, 0x5a, sizeof p);
    Pattern before = p;
    char err[160] = "";
    assert_int_equal(search_parse_value(type, value, false, &p, err, sizeof err), want_rc);
    if (!strstr(err, want))
        fail_msg("%s %s: '%s' lacks '%s'", type, value, err, want);
    assert_memory_equal(&p, &before, sizeof p); /* untouched on failure */
}

static void test_value_errors(void **state)
{
    (void)state;
    check_error("u8", "300", -ERANGE, "300 does not fit uint8");
    check_error("i16", "40000", -ERANGE, "does not fit int16");
    check_error("u32le", "-1", -ERANGE, "does not fit uint32");
    check_error("u32", "12ab", -EINVAL, "");
    check_error("zz", "1", -EINVAL, "no such type: zz");
    check_error("u8le", "1", -EINVAL, "u8 has one byte order");
    check_error("u32le", "", -EINVAL, "which value");
    check_error("f32", "1e39", -ERANGE, "too large");
}

static void check_utf16(const char *text, bool icase, const char *want, bool want_icase)
{
    Pattern p;
    char err[160] = "";
    uint8_t b[300];
    size_t n = hexb(want, b);
    int rc = search_parse_utf16(text, icase, &p, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %d %s", text, rc, err);
    assert_int_equal(p.len, n);
    assert_memory_equal(p.bytes, b, n);
    assert_int_equal(p.icase, want_icase);
}

static void test_utf16(void **state)
{
    (void)state;
    check_utf16("Hi", false, "48 00 69 00", false);
    check_utf16("Hi", true, "68 00 69 00", true);
    check_utf16("\\cHi", false, "68 00 69 00", true);
    check_utf16("a\\tb\\x41", false, "61 00 09 00 62 00 41 00", false);
    check_utf16("\\xff", false, "ff 00", false);                         /* not UTF-8: Latin-1 */
    check_utf16("\xc3\xa9t\xc3\xa9", false, "e9 00 74 00 e9 00", false); /* été */
    check_utf16("\xe2\x82\xac", false, "ac 20", false);                  /* U+20AC */
    check_utf16("\xf0\x9f\x98\x80", false, "3d d8 00 de", false);        /* U+1F600: a pair */
    check_utf16("\\\\", false, "5c 00", false);

    char long_text[200];
    memset(long_text, 'a', 128);
    long_text[128] = '\0';
    Pattern p;
    char err[160];
    assert_int_equal(search_parse_utf16(long_text, false, &p, err, sizeof err), 0);
    assert_int_equal(p.len, 256);
    long_text[128] = 'a';
    long_text[129] = '\0';
    assert_int_equal(search_parse_utf16(long_text, false, &p, err, sizeof err), -ERANGE);
    assert_non_null(strstr(err, "longer than 256"));
    assert_int_equal(search_parse_utf16("", false, &p, err, sizeof err), -EINVAL);
    assert_int_equal(search_parse_utf16("a\\q", false, &p, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "bad escape"));
}

/* find -v and -u through the command language on a file; -a lists. */
static char *run_cmds(const char *path, const char *const *lines, int *last_rc)
{
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Session *s;
    SessionOpts so = {.batch = true};
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    for (const char *const *l = lines; *l; l++) {
        cmd_run(s, *l);
        *last_rc = cmd_result(s);
    }
    char *out = cmd_output_take(s);
    cmd_session_free(s);
    return out;
}

static void test_find_commands(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "f");
    static const uint8_t data[] = {'a',  'b',  0xd2, 0x04, 0x00, 0x00, 0xfe, 0xff, 'H',
                                   0,    'i',  0,    'h',  0,    'I',  0,    0x40, 0x0a,
                                   0,    0,    0,    0,    0,    0,    0,    0,    0x0a,
                                   0x40, 0xd2, 0x04, 0x00, 0x00, 0,    0,    0x04, 0xd2};
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, sizeof data, f), sizeof data);
    fclose(f);
    int rc;
    struct {
        const char *lines[4];
        int rc;
        const char *out;
    } cases[] = {
        {{"find -a -v u32le 1234"}, 0, "2\n28\n"},
        {{"find -a -v u32be 1234"}, 0, "32\n"},
        {{"endian big", "find -a -v u32 1234"}, 0, "32\n"},
        {{"find -a -v i16le -2"}, 0, "6\n"},
        {{"find -a -v i16be -2"}, -ENOENT, ""},
        {{"find -a -v f64be 3.25"}, 0, "16\n"},
        {{"find -a -v f64 3.25"}, 0, "20\n"},
        {{"find -a -u Hi"}, 0, "8\n"},
        {{"find -a -i -u hi"}, 0, "8\n12\n"},
        {{"find -a -u hi"}, -ENOENT, ""},
        {{"find -a -u hI"}, 0, "12\n"},
        {{"find -a -v u8 300"}, -ERANGE, ""},
        {{"find -v -u x"}, -EINVAL, ""},
        {{"find -i -v u8 1"}, -EINVAL, ""},
        {{"find -v u32le"}, -EINVAL, ""},
        {{"find -v u32le 1234", "next"}, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = run_cmds(path, cases[i].lines, &rc);
        if (rc != cases[i].rc || strcmp(out ? out : "", cases[i].out) != 0)
            fail_msg("%s: rc %d (want %d), out '%s' (want '%s')", cases[i].lines[0], rc,
                     cases[i].rc, out ? out : "", cases[i].out);
        free(out);
    }
    /* n goes on to the next value: the cursor lands on the second. */
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Session *s;
    SessionOpts so = {.batch = true};
    assert_int_equal(cmd_session_new(&s, d, &so), 0);
    cmd_run(s, "find -v u32le 1234");
    assert_int_equal(cmd_result(s), 0);
    assert_int_equal(cmd_view(s)->cursor, 2);
    cmd_run(s, "next");
    assert_int_equal(cmd_view(s)->cursor, 28);
    cmd_run(s, "find -b -v u32le 1234");
    assert_int_equal(cmd_view(s)->cursor, 2);
    cmd_session_free(s);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_find_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
