/*
 * test_fmt_pe: the PE/COFF decoder (fmt-pe.c) against what `objdump -x`
 * and `objdump -h` say of images binutils makes in the test (there is no
 * Windows compiler here: cc builds an ELF and `objcopy -O pei-x86-64` /
 * `pei-i386` turns it into a PE32+ / PE32 image, with a subsystem, stack,
 * heap and alignments set so the fields are not all zero): the COFF
 * header, every optional header field, every data directory and every
 * section's name, virtual size, address and raw data pointer. A malformed
 * corpus (e_lfanew and raw data past the end, huge counts, truncations,
 * random header flips) must give malformed nodes, never a hang or a read
 * past the end.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
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

#include "fmt.h"
#include "fmtutil.h"
#include "testutil.h"

static const char prog_c[] = "int counter = 3;\\n"
                             "int main(void) { return counter; }\\n";

/* objdump's label for each optional header field, and whether it prints
 * the value in decimal (the versions) or hex. */
static const struct {
    const char *objdump, *field;
    bool dec;
} opt_map[] = {
    {"Magic", "Magic", false},
    {"MajorLinkerVersion", "MajorLinkerVersion", true},
    {"MinorLinkerVersion", "MinorLinkerVersion", true},
    {"SizeOfCode", "SizeOfCode", false},
    {"SizeOfInitializedData", "SizeOfInitializedData", false},
    {"SizeOfUninitializedData", "SizeOfUninitializedData", false},
    {"AddressOfEntryPoint", "AddressOfEntryPoint", false},
    {"BaseOfCode", "BaseOfCode", false},
    {"BaseOfData", "BaseOfData", false},
    {"ImageBase", "ImageBase", false},
    {"SectionAlignment", "SectionAlignment", false},
    {"FileAlignment", "FileAlignment", false},
    {"MajorOSystemVersion", "MajorOperatingSystemVersion", true},
    {"MinorOSystemVersion", "MinorOperatingSystemVersion", true},
    {"MajorImageVersion", "MajorImageVersion", true},
    {"MinorImageVersion", "MinorImageVersion", true},
    {"MajorSubsystemVersion", "MajorSubsystemVersion", true},
    {"MinorSubsystemVersion", "MinorSubsystemVersion", true},
    {"Win32Version", "Win32VersionValue", false},
    {"SizeOfImage", "SizeOfImage", false},
    {"SizeOfHeaders", "SizeOfHeaders", false},
    {"CheckSum", "CheckSum", false},
    {"Subsystem", "Subsystem", false},
    {"DllCharacteristics", "DllCharacteristics", false},
    {"SizeOfStackReserve", "SizeOfStackReserve", false},
    {"SizeOfStackCommit", "SizeOfStackCommit", false},
    {"SizeOfHeapReserve", "SizeOfHeapReserve", false},
    {"SizeOfHeapCommit", "SizeOfHeapCommit", false},
    {"LoaderFlags", "LoaderFlags", false},
    {"NumberOfRvaAndSizes", "NumberOfRvaAndSizes", false},
};

/* The value on objdump's line "label<TAB>...": false when there is none. */
static bool objdump_val(const char *out, const char *label, bool dec, uint64_t *v)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s\t", label);
    const char *p = strstr(out, key);
    if (!p)
        return false;
    *v = strtoull(p + strlen(key) + strspn(p + strlen(key), "\t"), NULL, dec ? 10 : 16);
    return true;
}

/* All of objdump's view of the image at path against the tree; returns
 * how many values were compared. */
static unsigned check_vs_objdump(const char *path, bool pe64)
{
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "pe");
    char *out = fu_out("objdump -x '%s' 2>/dev/null || true", path);
    assert_non_null(out);
    assert_non_null(strstr(out, pe64 ? "file format pei-x86-64" : "file format pei-i386"));
    unsigned seen = 0;
    /* The COFF header. */
    unsigned ch;
    const char *p = strstr(out, "\nCharacteristics 0x");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "\nCharacteristics 0x%x", &ch), 1);
    assert_int_equal(fu_num(&src, &root, "COFF header/Characteristics"), ch);
    assert_true(fu_find(&src, &root, "COFF header/Machine", &n));
    assert_string_equal(n.note, pe64 ? "AMD x86-64" : "Intel 386");
    if (strstr(out, "Time/Date\t\tThu Jan  1 00:00:00 1970"))
        assert_int_equal(fu_num(&src, &root, "COFF header/TimeDateStamp"), 0);
    seen += 2;
    /* Every optional header field objdump prints. */
    for (size_t i = 0; i < sizeof opt_map / sizeof *opt_map; i++) {
        uint64_t v;
        char fp[96];
        snprintf(fp, sizeof fp, "optional header/%s", opt_map[i].field);
        if (!objdump_val(out, opt_map[i].objdump, opt_map[i].dec, &v)) {
            assert_true(pe64 && strcmp(opt_map[i].field, "BaseOfData") == 0);
            continue;
        }
        assert_int_equal(fu_num(&src, &root, fp), v);
        seen++;
    }
    assert_true(fu_find(&src, &root, "optional header/Subsystem", &n));
    p = strstr(out, "\nSubsystem\t");
    assert_non_null(p);
    char sub[64];
    assert_int_equal(sscanf(strchr(p, '(') + 1, "%63[^)]", sub), 1);
    if (strcmp(sub, "unspecified") != 0)
        assert_string_equal(n.note, sub);
    /* The data directories: "Entry a 0000000000000000 00000000 ...". */
    FmtNode dirs;
    assert_true(fu_find(&src, &root, "optional header/data directories", &dirs));
    unsigned ndirs = 0;
    for (p = strstr(out, "\nEntry "); p; p = strstr(p + 1, "\nEntry ")) {
        unsigned idx;
        uint64_t rva, size;
        if (sscanf(p, "\nEntry %x %" SCNx64 " %" SCNx64, &idx, &rva, &size) != 3)
            continue;
        FmtNode d;
        assert_int_equal(fmt_child(&src, &dirs, idx, &d), 0);
        assert_int_equal(fu_num(&src, &d, "VirtualAddress"), rva);
        assert_int_equal(fu_num(&src, &d, "Size"), size);
        ndirs++;
        seen += 2;
    }
    assert_int_equal(ndirs, dirs.nkids);
    free(out);
    /* The sections: "  20 .text  0000010d  0000000000001040  ...  00003000". */
    out = fu_out("objdump -h '%s' 2>/dev/null || true", path);
    assert_non_null(out);
    FmtNode table;
    assert_true(fu_find(&src, &root, "section table", &table));
    uint64_t base = fu_num(&src, &root, "optional header/ImageBase");
    unsigned nsec = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned idx;
        char name[64];
        uint64_t size, vma, lma, foff;
        if (sscanf(line, " %u %63s %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &idx, name, &size,
                   &vma, &lma, &foff) != 6)
            continue;
        FmtNode s;
        assert_int_equal(fmt_child(&src, &table, idx, &s), 0);
        char want[FMT_NAME + 80];
        snprintf(want, sizeof want, "section %u %s", idx + 1, name);
        assert_string_equal(s.name, want);
        assert_int_equal(fu_num(&src, &s, "VirtualSize"), size);
        assert_int_equal(fu_num(&src, &s, "VirtualAddress") + base, vma);
        if (foff)
            assert_int_equal(fu_num(&src, &s, "PointerToRawData"), foff);
        nsec++;
        seen += 4;
    }
    assert_int_equal(nsec, fu_num(&src, &root, "COFF header/NumberOfSections"));
    assert_int_equal(nsec, table.nkids);
    free(out);
    fu_close(&src);
    print_message("%s: %u sections, %u values compared with objdump\n", strrchr(path, '/') + 1,
                  nsec, seen);
    return seen;
}

static bool have_tools(void)
{
    if (!fu_have("cc") || !fu_have("objcopy") || !fu_have("objdump")) {
        print_message("skipped: cc, objcopy or objdump (binutils) is not installed\n");
        return false;
    }
    if (fu_sh("objcopy --info 2>/dev/null | grep -q '^pei-x86-64$'") != 0) {
        print_message("skipped: this objcopy cannot write pei-x86-64\n");
        return false;
    }
    return true;
}

#define PE_OPTS                                                                                    \
    "--subsystem console:6.1 --stack 0x200000 --heap 0x100000 --file-alignment 0x200 "             \
    "--section-alignment 0x1000"

static void test_pe32plus_vs_objdump(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *exe = tu_path(dir, "prog.exe");
    assert_int_equal(fu_sh("cd '%s' && printf '%s' > prog.c && cc -g -o prog prog.c && "
                           "objcopy -O pei-x86-64 " PE_OPTS " prog '%s'",
                           dir, prog_c, exe),
                     0);
    assert_true(check_vs_objdump(exe, true) > 60);
    /* The status line: in .text's raw data, in a section header. */
    FmtSrc src;
    fu_open(exe, &src);
    FmtNode root, path[FMT_DEPTH];
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "optional header/Subsystem", &path[0]));
    assert_string_equal(path[0].note, "Windows CUI");
    char *o = fu_out("objdump -h '%s' | grep ' .text '", exe);
    assert_non_null(o);
    unsigned idx;
    uint64_t size, vma, lma, foff;
    assert_int_equal(sscanf(o, " %u .text %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &idx,
                            &size, &vma, &lma, &foff),
                     5);
    free(o);
    int k = fmt_path(&src, &root, foff + 1, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "sections");
    char want[FMT_NAME];
    snprintf(want, sizeof want, "section %u .text", idx + 1);
    assert_string_equal(path[2].name, want);
    FmtNode table;
    assert_true(fu_find(&src, &root, "section table", &table));
    k = fmt_path(&src, &root, table.off + 40 * idx + 20, path, FMT_DEPTH);
    assert_int_equal(k, 4);
    assert_string_equal(path[1].name, "section table");
    assert_string_equal(path[2].name, want);
    assert_string_equal(path[3].name, "PointerToRawData");
    assert_int_equal(strtoull(path[3].text, NULL, 0), foff);
    assert_int_equal(fmt_insp(&path[3]), 5 /* INSP_U32 */);
    fu_close(&src);
    free(exe);
    tu_rmdir(dir);
}

static void test_pe32_vs_objdump(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *exe = tu_path(dir, "prog32.exe");
    if (fu_sh("cd '%s' && printf '%s' > prog.c && cc -m32 -c -o prog32.o prog.c 2>/dev/null && "
              "ld -m elf_i386 -e main -o prog32 prog32.o 2>/dev/null",
              dir, prog_c) != 0) {
        print_message("skipped: cc -m32 -c or ld -m elf_i386 does not work here\n");
        free(exe);
        tu_rmdir(dir);
        skip();
    }
    assert_int_equal(fu_sh("cd '%s' && objcopy -O pei-i386 " PE_OPTS " prog32 '%s'", dir, exe), 0);
    assert_true(check_vs_objdump(exe, false) > 40);
    FmtSrc src;
    fu_open(exe, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "optional header/Magic", &n));
    assert_string_equal(n.note, "PE32");
    fu_close(&src);
    free(exe);
    tu_rmdir(dir);
}

/* ---- a hand-made image and the malformed corpus ---- */

static void put(uint8_t *b, unsigned len, uint64_t v)
{
    for (unsigned i = 0; i < len; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* A PE32+ image of 4 KiB: two sections, .text (raw at 0x400, 0x200
 * bytes) and .data (raw at 0x600). */
static void make_pe(uint8_t *b)
{
    memset(b, 0, 4096);
    memcpy(b, "MZ", 2);
    put(b + 0x3c, 4, 0x80);
    uint8_t *pe = b + 0x80;
    memcpy(pe, "PE\0\0", 4);
    put(pe + 4, 2, 0x8664);
    put(pe + 6, 2, 2);
    put(pe + 8, 4, 0x5f5e1000);
    put(pe + 20, 2, 240);
    put(pe + 22, 2, 0x22);
    uint8_t *o = pe + 24;
    put(o, 2, 0x20b);
    o[2] = 14, o[3] = 29;
    put(o + 16, 4, 0x1000);
    put(o + 24, 8, 0x140000000ull);
    put(o + 32, 4, 0x1000);
    put(o + 36, 4, 0x200);
    put(o + 68, 2, 10); /* EFI application */
    put(o + 70, 2, 0x160);
    put(o + 108, 4, 16);
    put(o + 112 + 8, 4, 0x2000); /* import table */
    put(o + 112 + 12, 4, 0x28);
    uint8_t *s = pe + 24 + 240;
    memcpy(s, ".text", 5);
    put(s + 8, 4, 0x1f0);
    put(s + 12, 4, 0x1000);
    put(s + 16, 4, 0x200);
    put(s + 20, 4, 0x400);
    put(s + 36, 4, 0x60000020);
    s += 40;
    memcpy(s, ".data", 5);
    put(s + 8, 4, 0x10);
    put(s + 12, 4, 0x2000);
    put(s + 16, 4, 0x200);
    put(s + 20, 4, 0x600);
    put(s + 36, 4, 0xc0000040);
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* Detect and walk: whatever the file holds, the decoder comes back. The
 * number of malformed nodes (UINT64_MAX: not a PE at all). */
static uint64_t walk_file(const char *path)
{
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root, chain[FMT_DEPTH];
    uint64_t bad = UINT64_MAX;
    if (fmt_root(&src, &fmt_pe, 0, &root) == 0) {
        assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
        for (uint64_t off = 0; off < src.size; off += src.size / 16 + 1)
            fmt_path(&src, &root, off, chain, FMT_DEPTH);
    }
    if (fmt_detect(&src, 0, &root) == 0)
        fu_walk(&src, &root, 8, 300, 20000, NULL);
    fu_close(&src);
    return bad;
}

static void test_pe_handmade_and_malformed(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *m = tu_path(dir, "m.exe");
    uint8_t b[4096], orig[4096];
    make_pe(orig);
    write_file(m, orig, sizeof orig);
    FmtSrc src;
    fu_open(m, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "pe");
    assert_string_equal(root.text, "PE32+, AMD x86-64, 2 sections");
    assert_int_equal(fu_num(&src, &root, "MZ header/e_lfanew"), 0x80);
    assert_int_equal(fu_num(&src, &root, "COFF header/TimeDateStamp"), 0x5f5e1000);
    assert_true(fu_find(&src, &root, "COFF header/Characteristics", &n));
    assert_string_equal(n.note, "EXECUTABLE_IMAGE LARGE_ADDRESS_AWARE");
    assert_int_equal(fu_num(&src, &root, "optional header/MajorLinkerVersion"), 14);
    assert_int_equal(fu_num(&src, &root, "optional header/ImageBase"), 0x140000000ull);
    assert_true(fu_find(&src, &root, "optional header/Subsystem", &n));
    assert_string_equal(n.note, "EFI application");
    assert_true(fu_find(&src, &root, "optional header/DllCharacteristics", &n));
    assert_string_equal(n.note, "HIGH_ENTROPY_VA DYNAMIC_BASE NX_COMPAT");
    assert_int_equal(fu_num(&src, &root, "optional header/data directories/import table/Size"),
                     0x28);
    assert_true(fu_find(&src, &root, "section table/section 2 .data/Characteristics", &n));
    assert_string_equal(n.note, "INITIALIZED_DATA READ WRITE");
    assert_true(fu_find(&src, &root, "sections/section 1 .text", &n));
    assert_int_equal(n.off, 0x400);
    assert_int_equal(n.len, 0x200);
    fu_close(&src);
    uint64_t bad = walk_file(m);
    assert_int_equal(bad, 0);

    /* e_lfanew past the end: not a PE. */
    memcpy(b, orig, sizeof b);
    put(b + 0x3c, 4, 0xfffffff0);
    write_file(m, b, sizeof b);
    assert_int_equal(walk_file(m), UINT64_MAX);
    /* NumberOfSections 0xffff: clamped to what fits; raw data past the
     * end; NumberOfRvaAndSizes 0xffffffff: at most 16. */
    memcpy(b, orig, sizeof b);
    put(b + 0x80 + 6, 2, 0xffff);
    put(b + 0x80 + 24 + 240 + 20, 4, 0xfffff000);
    put(b + 0x80 + 24 + 108, 4, 0xffffffff);
    write_file(m, b, sizeof b);
    fu_open(m, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "section table", &n));
    assert_true(n.nkids < 0xffff);
    assert_non_null(strstr(n.note, "do not fit"));
    assert_true(fu_find(&src, &root, "section table/section 1 .text/contents", &n));
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x"));
    assert_true(fu_find(&src, &root, "optional header/data directories", &n));
    assert_int_equal(n.nkids, 16);
    fu_close(&src);
    assert_true(walk_file(m) >= 1);
    /* SizeOfOptionalHeader too small for its magic. */
    memcpy(b, orig, sizeof b);
    put(b + 0x80 + 20, 2, 20);
    write_file(m, b, sizeof b);
    fu_open(m, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "optional header", &n));
    assert_true(n.bad);
    fu_close(&src);
    /* Truncations. */
    const size_t cuts[] = {2, 63, 64, 0x84, 0x98, 0x100, 0x188, 0x1b0, 0x400, 0x500, 4095};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        write_file(m, orig, cuts[i]);
        walk_file(m);
    }
    /* 200 random flips in the headers (fixed seed). */
    srand(20261206);
    for (int i = 0; i < 200; i++) {
        memcpy(b, orig, sizeof b);
        for (int k = 0; k < 4; k++)
            b[rand() % 0x200] ^= (uint8_t)(1 + rand() % 255);
        memcpy(b, "MZ", 2);
        write_file(m, b, sizeof b);
        walk_file(m);
    }
    free(m);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pe32plus_vs_objdump),
        cmocka_unit_test(test_pe32_vs_objdump),
        cmocka_unit_test(test_pe_handmade_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
