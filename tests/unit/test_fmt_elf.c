/*
 * test_fmt_elf: the ELF decoder (fmt-elf.c) against what `readelf -h -l -S
 * -s --wide` says of binaries cc builds in the test (an executable, an
 * object, a 32-bit object when cc -m32 works): every header field, every
 * program header, every section's name/type/address/offset/size, every
 * symbol's name/value/size/type/bind, every relocation (readelf -r) and
 * dynamic entry (readelf -d), the build ID note (readelf -n). Hand-made
 * ELFs check the lazy tables: 600 notes in runs, and ELF32/ELF64 of both
 * byte orders with extended numbering (e_shnum 0, e_shstrndx SHN_XINDEX)
 * and a symbol table of a million entries; a malformed corpus
 * (truncations, huge counts, offsets past the end, self-linked string
 * tables, broken notes, random header flips) must give malformed nodes,
 * never a hang or a read past the end.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmt.h"
#include "fmtutil.h"
#include "testutil.h"

static const char prog_c[] = "int counter = 3;\\n"
                             "long table[64];\\n"
                             "static int hidden(int x) { return x + counter; }\\n"
                             "int visible_function_with_a_long_name(int y) { return y * 2; }\\n"
                             "int main(void) { return hidden(1) + (int)table[2]; }\\n";

/* Build prog.c in dir with cc and flags into out: 0 when it worked. */
static int build(const char *dir, const char *flags, const char *out)
{
    return fu_sh("cd '%s' && printf '%s' > prog.c && cc %s -o '%s' prog.c 2>/dev/null", dir, prog_c,
                 flags, out);
}

/* The value after "label" in readelf's header dump. */
static const char *after(const char *text, const char *label)
{
    const char *p = strstr(text, label);
    assert_non_null(p);
    p += strlen(label);
    while (*p == ' ')
        p++;
    return p;
}

static uint64_t num_after(const char *text, const char *label)
{
    return strtoull(after(text, label), NULL, 0);
}

/* The note of the node at path equals the readelf text at label (up to
 * the end of its line). */
static void note_is(const FmtSrc *src, const FmtNode *root, const char *path, const char *text,
                    const char *label)
{
    FmtNode n;
    assert_true(fu_find(src, root, path, &n));
    const char *v = after(text, label);
    size_t len = strcspn(v, "\n");
    while (len && v[len - 1] == ' ')
        len--;
    char want[128];
    snprintf(want, sizeof want, "%.*s", (int)len, v);
    assert_string_equal(n.note, want);
}

/* Compare the ELF header with readelf -h. */
static void check_header(const FmtSrc *src, const FmtNode *root, const char *out)
{
    note_is(src, root, "ELF header/EI_CLASS", out, "Class:");
    note_is(src, root, "ELF header/EI_DATA", out, "Data:");
    note_is(src, root, "ELF header/EI_OSABI", out, "OS/ABI:");
    note_is(src, root, "ELF header/e_machine", out, "Machine:");
    FmtNode n;
    assert_true(fu_find(src, root, "ELF header/e_type", &n));
    /* readelf 2.40 says "DYN (Position-Independent Executable file)" for
     * a PIE; the type's keyword is what both agree on. */
    assert_memory_equal(n.note, after(out, "Type:"), 3);
    assert_int_equal(fu_num(src, root, "ELF header/EI_ABIVERSION"), num_after(out, "ABI Version:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_version"), num_after(out, "  Version:    "));
    assert_int_equal(fu_num(src, root, "ELF header/e_entry"),
                     num_after(out, "Entry point address:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_phoff"),
                     num_after(out, "Start of program headers:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_shoff"),
                     num_after(out, "Start of section headers:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_flags"), num_after(out, "Flags:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_ehsize"),
                     num_after(out, "Size of this header:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_phentsize"),
                     num_after(out, "Size of program headers:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_phnum"),
                     num_after(out, "Number of program headers:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_shentsize"),
                     num_after(out, "Size of section headers:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_shnum"),
                     num_after(out, "Number of section headers:"));
    assert_int_equal(fu_num(src, root, "ELF header/e_shstrndx"),
                     num_after(out, "Section header string table index:"));
}

/* Every line of readelf -S: name, type, address, offset, size. Returns
 * how many sections were compared. */
static unsigned check_sections(const FmtSrc *src, const FmtNode *root, char *out)
{
    FmtNode shdrs;
    assert_true(fu_find(src, root, "section headers", &shdrs));
    unsigned seen = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned nr;
        char *p = strstr(line, "  [");
        if (!p || sscanf(p, "  [%u]", &nr) != 1)
            continue;
        p = strchr(p, ']') + 1;
        char tok[5][80];
        int k = sscanf(p, "%79s %79s %79s %79s %79s", tok[0], tok[1], tok[2], tok[3], tok[4]);
        const char *name = "", *type, *addr, *off, *size;
        if (nr == 0) {
            assert_true(k >= 4);
            type = tok[0], addr = tok[1], off = tok[2], size = tok[3];
        } else {
            assert_int_equal(k, 5);
            name = tok[0], type = tok[1], addr = tok[2], off = tok[3], size = tok[4];
        }
        FmtNode s, f;
        assert_int_equal(fmt_child(src, &shdrs, nr, &s), 0);
        char want[FMT_NAME + 100];
        snprintf(want, sizeof want, "section %u%s%s", nr, name[0] ? " " : "", name);
        assert_string_equal(s.name, want);
        assert_true(fu_find(src, &s, "sh_type", &f));
        if (strcmp(f.note, "unknown") != 0)
            assert_string_equal(f.note, type);
        assert_int_equal(fu_num(src, &s, "sh_addr"), strtoull(addr, NULL, 16));
        assert_int_equal(fu_num(src, &s, "sh_offset"), strtoull(off, NULL, 16));
        assert_int_equal(fu_num(src, &s, "sh_size"), strtoull(size, NULL, 16));
        seen++;
    }
    return seen;
}

/* Every program header of readelf -l: type, offset, addresses, sizes,
 * flags. */
static unsigned check_segments(const FmtSrc *src, const FmtNode *root, char *out)
{
    char *p = strstr(out, "Program Headers:");
    if (!p)
        return 0;
    FmtNode phdrs;
    assert_true(fu_find(src, root, "program headers", &phdrs));
    unsigned i = 0;
    char *save = NULL;
    for (char *line = strtok_r(p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char type[40];
        uint64_t off, va, pa, fsz, msz;
        int end = 0;
        if (sscanf(line,
                   " %39s 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 "%n",
                   type, &off, &va, &pa, &fsz, &msz, &end) != 6)
            continue;
        FmtNode h, f;
        assert_int_equal(fmt_child(src, &phdrs, i, &h), 0);
        char want[FMT_NAME];
        snprintf(want, sizeof want, "program header %u", i);
        assert_string_equal(h.name, want);
        assert_true(fu_find(src, &h, "p_type", &f));
        assert_string_equal(f.note, type);
        assert_int_equal(fu_num(src, &h, "p_offset"), off);
        assert_int_equal(fu_num(src, &h, "p_vaddr"), va);
        assert_int_equal(fu_num(src, &h, "p_paddr"), pa);
        assert_int_equal(fu_num(src, &h, "p_filesz"), fsz);
        assert_int_equal(fu_num(src, &h, "p_memsz"), msz);
        assert_true(fu_find(src, &h, "p_flags", &f));
        assert_memory_equal(f.note, line + end + 1, 3);
        i++;
    }
    return i;
}

/* Every symbol of readelf -s: name (before readelf's @version), value,
 * size, type, bind, section index. Returns how many were compared. */
static unsigned check_symbols(const FmtSrc *src, const FmtNode *root, char *out)
{
    FmtNode secs, tab = {0};
    assert_true(fu_find(src, root, "sections", &secs));
    unsigned seen = 0;
    bool have = false;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char tname[64];
        unsigned count;
        if (sscanf(line, "Symbol table '%63[^']' contains %u entries", tname, &count) == 2) {
            /* The table's section: the one whose name ends the node's. */
            have = false;
            for (uint64_t i = 0; i < secs.nkids && !have; i++) {
                FmtNode s;
                assert_int_equal(fmt_child(src, &secs, i, &s), 0);
                const char *sp = strrchr(s.name, ' ');
                if (sp && strcmp(sp + 1, tname) == 0 && s.nkids == count) {
                    tab = s;
                    have = true;
                }
            }
            assert_true(have);
            continue;
        }
        unsigned num;
        uint64_t value;
        char size[32], type[16], bind[16], vis[16], ndx[16], name[256] = "";
        if (!have || sscanf(line, " %u: %" SCNx64 " %31s %15s %15s %15s %15s %255s", &num, &value,
                            size, type, bind, vis, ndx, name) < 7)
            continue;
        FmtNode sym, f;
        assert_int_equal(fmt_child(src, &tab, num, &sym), 0);
        name[strcspn(name, "@")] = 0;
        char want[FMT_NAME + 300];
        snprintf(want, sizeof want, "symbol %u%s%s", num, name[0] ? " " : "", name);
        /* Long names are cut to fit a node's name; .symtab holds some
         * names with their version ("puts@GLIBC_2.2.5"). */
        sym.name[strcspn(sym.name, "@")] = 0;
        assert_memory_equal(sym.name, want, strlen(sym.name));
        assert_int_equal(fu_num(src, &sym, "st_value"), value);
        assert_int_equal(fu_num(src, &sym, "st_size"), strtoull(size, NULL, 0));
        assert_true(fu_find(src, &sym, "st_info", &f));
        char tb[40];
        snprintf(tb, sizeof tb, "%s %s", type, bind);
        assert_string_equal(f.note, tb);
        assert_true(fu_find(src, &sym, "st_other", &f));
        assert_string_equal(f.note, vis);
        assert_true(fu_find(src, &sym, "st_shndx", &f));
        if (ndx[0] >= '0' && ndx[0] <= '9')
            assert_int_equal(strtoull(f.text, NULL, 0), strtoull(ndx, NULL, 10));
        else
            assert_string_equal(f.note, ndx);
        seen++;
    }
    return seen;
}

/* Every relocation of readelf -r: offset, info, symbol name, addend.
 * Returns how many were compared. */
static unsigned check_relocs(const FmtSrc *src, const FmtNode *root, char *out)
{
    FmtNode secs, tab = {0};
    assert_true(fu_find(src, root, "sections", &secs));
    unsigned seen = 0, idx = 0;
    bool have = false;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char tname[64];
        uint64_t toff;
        if (sscanf(line, "Relocation section '%63[^']' at offset 0x%" SCNx64, tname, &toff) == 2) {
            have = false;
            for (uint64_t i = 0; i < secs.nkids && !have; i++) {
                FmtNode s;
                assert_int_equal(fmt_child(src, &secs, i, &s), 0);
                const char *sp = strrchr(s.name, ' ');
                have = sp && strcmp(sp + 1, tname) == 0 && s.off == toff;
                if (have)
                    tab = s;
            }
            assert_true(have);
            idx = 0;
            continue;
        }
        uint64_t off, info, symval;
        char type[64], name[256];
        int end = 0;
        int k = sscanf(line, "%" SCNx64 " %" SCNx64 " %63s %" SCNx64 " %255s%n", &off, &info, type,
                       &symval, name, &end);
        if (!have || k < 3)
            continue;
        FmtNode r, f;
        assert_int_equal(fmt_child(src, &tab, idx, &r), 0);
        assert_int_equal(fu_num(src, &r, "r_offset"), off);
        assert_int_equal(fu_num(src, &r, "r_info"), info);
        if (k == 5) {
            name[strcspn(name, "@")] = 0;
            char want[FMT_NAME + 300];
            snprintf(want, sizeof want, "relocation %u %s", idx, name);
            r.name[strcspn(r.name, "@")] = 0;
            assert_memory_equal(r.name, want, strlen(r.name));
            char sign;
            uint64_t add;
            if (sscanf(line + end, " %c %" SCNx64, &sign, &add) == 2 &&
                fu_find(src, &r, "r_addend", &f)) {
                int64_t a = strtoll(f.text, NULL, 10);
                assert_int_equal(a, sign == '-' ? -(int64_t)add : (int64_t)add);
            }
        }
        idx++;
        seen++;
    }
    return seen;
}

/* All of readelf's view of path against the tree. */
static void check_vs_readelf(const char *path, unsigned want_sections_min)
{
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "elf");
    char *out = fu_out("readelf -h -l -S -s --wide '%s'", path);
    assert_non_null(out);
    check_header(&src, &root, out);
    char *copy = strdup(out);
    unsigned nsec = check_sections(&src, &root, copy);
    assert_true(nsec >= want_sections_min);
    assert_int_equal(nsec, fu_num(&src, &root, "ELF header/e_shnum"));
    free(copy);
    copy = strdup(out);
    unsigned nseg = check_segments(&src, &root, copy);
    assert_int_equal(nseg, fu_num(&src, &root, "ELF header/e_phnum"));
    free(copy);
    copy = strdup(out);
    unsigned nsym = check_symbols(&src, &root, copy);
    assert_true(nsym >= 8);
    free(copy);
    copy = fu_out("readelf -r --wide '%s'", path);
    assert_non_null(copy);
    unsigned nrel = check_relocs(&src, &root, copy);
    free(copy);
    print_message(
        "%s: %u sections, %u segments, %u symbols, %u relocations compared with readelf\n",
        strrchr(path, '/') + 1, nsec, nseg, nsym, nrel);
    free(out);
    fu_close(&src);
}

static bool have_tools(void)
{
    if (!fu_have("cc") || !fu_have("readelf")) {
        print_message("skipped: cc or readelf (binutils) is not installed\n");
        return false;
    }
    return true;
}

static void test_elf_exec_vs_readelf(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *exe = tu_path(dir, "prog");
    assert_int_equal(build(dir, "-g", exe), 0);
    check_vs_readelf(exe, 20);

    /* The status line: the cursor in .text's bytes, in e_shnum, in a
     * symbol's value. */
    FmtSrc src;
    fu_open(exe, &src);
    FmtNode root, path[FMT_DEPTH];
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    char *o = fu_out("readelf -S --wide '%s' | grep ' .text '", exe);
    assert_non_null(o);
    unsigned nr;
    uint64_t addr, off, size;
    assert_int_equal(sscanf(strstr(o, "["), "[%u] .text PROGBITS %" SCNx64 " %" SCNx64 " %" SCNx64,
                            &nr, &addr, &off, &size),
                     4);
    free(o);
    int k = fmt_path(&src, &root, off + size / 2, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "sections");
    char want[FMT_NAME];
    snprintf(want, sizeof want, "section %u .text", nr);
    assert_string_equal(path[2].name, want);
    k = fmt_path(&src, &root, 60, path, FMT_DEPTH); /* e_shnum of an ELF64 */
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "ELF header");
    assert_string_equal(path[2].name, "e_shnum");
    assert_int_equal(fmt_insp(&path[2]), 3 /* INSP_U16 */);
    /* main's st_value in .symtab. */
    o = fu_out("readelf -s --wide '%s' | sed -n \"/'.symtab'/,\\$p\" | grep ' main$'", exe);
    assert_non_null(o);
    unsigned sym;
    uint64_t value;
    assert_int_equal(sscanf(o, " %u: %" SCNx64, &sym, &value), 2);
    free(o);
    o = fu_out("readelf -S --wide '%s' | grep ' .symtab '", exe);
    assert_non_null(o);
    unsigned snr;
    uint64_t soff;
    assert_int_equal(sscanf(strstr(o, "["), "[%u] .symtab SYMTAB %*x %" SCNx64, &snr, &soff), 2);
    free(o);
    k = fmt_path(&src, &root, soff + 24 * sym + 8 + 2, path, FMT_DEPTH);
    assert_int_equal(k, 5);
    snprintf(want, sizeof want, "section %u .symtab", snr);
    assert_string_equal(path[1].name, "sections");
    assert_string_equal(path[2].name, want);
    snprintf(want, sizeof want, "symbol %u main", sym);
    assert_string_equal(path[3].name, want);
    assert_string_equal(path[4].name, "st_value");
    assert_int_equal(strtoull(path[4].text, NULL, 0), value);
    /* Notes: the build ID's bytes against readelf -n. */
    o = fu_out("readelf -n '%s' | grep 'Build ID'", exe);
    if (o) {
        char hex[80];
        assert_int_equal(sscanf(o, " Build ID: %79s", hex), 1);
        FmtNode secs, s, d;
        assert_true(fu_find(&src, &root, "sections", &secs));
        bool found = false;
        for (uint64_t i = 0; i < secs.nkids && !found; i++) {
            assert_int_equal(fmt_child(&src, &secs, i, &s), 0);
            found = strstr(s.name, ".note.gnu.build-id") != NULL;
        }
        assert_true(found);
        assert_true(fu_find(&src, &s, "note 1 GNU/desc", &d));
        char got[80] = "";
        for (size_t i = 0, j = 0; d.text[i] && j + 1 < sizeof got; i++)
            if (d.text[i] != ' ')
                got[j++] = d.text[i], got[j] = 0;
        assert_memory_equal(got, hex, strlen(got) < 40 ? strlen(got) : 40);
        assert_true(fu_find(&src, &s, "note 1 GNU/n_type", &d));
        assert_string_equal(d.note, "NT_GNU_BUILD_ID");
        free(o);
    }
    /* The dynamic section, entry by entry, against readelf -d. */
    o = fu_out("readelf -d --wide '%s'", exe);
    assert_non_null(o);
    FmtNode secs, dyn;
    assert_true(fu_find(&src, &root, "sections", &secs));
    bool found = false;
    for (uint64_t i = 0; i < secs.nkids && !found; i++) {
        assert_int_equal(fmt_child(&src, &secs, i, &dyn), 0);
        found = strstr(dyn.name, " .dynamic") != NULL;
    }
    assert_true(found);
    unsigned nd = 0;
    char *save = NULL;
    for (char *line = strtok_r(o, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        uint64_t tag;
        char tname[40];
        int end = 0;
        if (sscanf(line, " 0x%" SCNx64 " (%39[^)])%n", &tag, tname, &end) != 2)
            continue;
        FmtNode d;
        assert_int_equal(fmt_child(&src, &dyn, nd, &d), 0);
        assert_int_equal(fu_num(&src, &d, "d_tag"), tag);
        const char *tn = strchr(strchr(d.name, ' ') + 1, ' ') + 1;
        if (strcmp(tn, "unknown") != 0)
            assert_string_equal(tn, tname);
        const char *v = line + end + strspn(line + end, " ");
        const char *br = strchr(v, '[');
        if (strncmp(v, "0x", 2) == 0) {
            assert_int_equal(fu_num(&src, &d, "d_val"), strtoull(v, NULL, 16));
        } else if (br) {
            char lib[80];
            snprintf(lib, sizeof lib, "%.*s", (int)strcspn(br + 1, "]"), br + 1);
            assert_string_equal(d.text, lib);
        }
        nd++;
    }
    assert_true(nd >= 10);
    print_message("prog: %u dynamic entries compared with readelf -d\n", nd);
    free(o);
    fu_close(&src);
    free(exe);
    tu_rmdir(dir);
}

static void test_elf_object_vs_readelf(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *obj = tu_path(dir, "prog.o");
    assert_int_equal(build(dir, "-c", obj), 0);
    check_vs_readelf(obj, 8);
    char *obj32 = tu_path(dir, "prog32.o");
    if (build(dir, "-m32 -c", obj32) == 0) {
        check_vs_readelf(obj32, 8);
        FmtSrc src;
        fu_open(obj32, &src);
        FmtNode root;
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_non_null(strstr(root.text, "ELF32"));
        fu_close(&src);
        /* An ELF32 executable (program headers in the 32-bit layout):
         * linked by ld alone, as there is no 32-bit libc to link with. */
        char *exe32 = tu_path(dir, "prog32");
        if (fu_sh("ld -m elf_i386 -e main -o '%s' '%s' 2>/dev/null", exe32, obj32) == 0)
            check_vs_readelf(exe32, 5);
        else
            print_message("note: ld -m elf_i386 does not work here\n");
        free(exe32);
    } else {
        print_message("note: cc -m32 -c does not work here; ELF32 only by the hand-made image\n");
    }
    free(obj32);
    free(obj);
    tu_rmdir(dir);
}

/* ---- hand-made images ---- */

static void put(uint8_t *b, unsigned len, uint64_t v, bool big)
{
    for (unsigned i = 0; i < len; i++)
        b[big ? len - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

#define HUGE_SYMS 1000000ull

/* An ELF (class 64 or 32, either order) with extended numbering: section
 * 0 carries the count (3) and the string table index (2); section 1 is a
 * symbol table of HUGE_SYMS entries (the file is sparse), section 2 the
 * string table for both. Symbol HUGE_SYMS-1 is "last" = 0x1234, size 7. */
static void make_huge(const char *path, bool is64, bool big)
{
    unsigned eh = is64 ? 64 : 52, sh = is64 ? 64 : 40, st = is64 ? 24 : 16;
    uint64_t shoff = 256, stroff = 512, symoff = 4096, symsize = HUGE_SYMS * st;
    static const char strtab[] = "\0.symtab\0.strtab\0last\0";
    uint8_t h[1024] = {0};
    memcpy(h,
           "\x7f"
           "ELF",
           4);
    h[4] = is64 ? 2 : 1;
    h[5] = big ? 2 : 1;
    h[6] = 1;
    put(h + 16, 2, 1, big);                 /* e_type REL */
    put(h + 18, 2, 43, big);                /* e_machine SPARC v9 */
    put(h + 20, 4, 1, big);                 /* e_version */
    unsigned w = is64 ? 8 : 4, at = 24 + w; /* e_phoff */
    put(h + at + w, w, shoff, big);         /* e_shoff */
    at += 2 * w + 4;                        /* e_flags */
    put(h + at, 2, eh, big);                /* e_ehsize */
    put(h + at + 6, 2, sh, big);            /* e_shentsize */
    put(h + at + 8, 2, 0, big);             /* e_shnum: see section 0 */
    put(h + at + 10, 2, 0xffff, big);       /* e_shstrndx: SHN_XINDEX */
    /* Section headers: 0 (counts), 1 .symtab, 2 .strtab. */
    uint8_t *s = h + shoff;
    if (is64) {
        put(s + 32, 8, 3, big); /* sh_size: e_shnum */
        put(s + 40, 4, 2, big); /* sh_link: e_shstrndx */
        s += sh;
        put(s, 4, 1, big);
        put(s + 4, 4, 2, big);
        put(s + 24, 8, symoff, big);
        put(s + 32, 8, symsize, big);
        put(s + 40, 4, 2, big);
        put(s + 56, 8, st, big);
        s += sh;
        put(s, 4, 9, big);
        put(s + 4, 4, 3, big);
        put(s + 24, 8, stroff, big);
        put(s + 32, 8, sizeof strtab, big);
    } else {
        put(s + 20, 4, 3, big);
        put(s + 24, 4, 2, big);
        s += sh;
        put(s, 4, 1, big);
        put(s + 4, 4, 2, big);
        put(s + 16, 4, symoff, big);
        put(s + 20, 4, symsize, big);
        put(s + 24, 4, 2, big);
        put(s + 36, 4, st, big);
        s += sh;
        put(s, 4, 9, big);
        put(s + 4, 4, 3, big);
        put(s + 16, 4, stroff, big);
        put(s + 20, 4, sizeof strtab, big);
    }
    memcpy(h + stroff, strtab, sizeof strtab);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(h, 1, sizeof h, f), sizeof h);
    /* The last symbol. */
    uint8_t y[24] = {0};
    put(y, 4, 17, big); /* "last" */
    if (is64) {
        y[4] = 0x11; /* OBJECT GLOBAL */
        put(y + 6, 2, 0xfff1, big);
        put(y + 8, 8, 0x1234, big);
        put(y + 16, 8, 7, big);
    } else {
        put(y + 4, 4, 0x1234, big);
        put(y + 8, 4, 7, big);
        y[12] = 0x11;
        put(y + 14, 2, 0xfff1, big);
    }
    assert_int_equal(fseek(f, (long)(symoff + (HUGE_SYMS - 1) * st), SEEK_SET), 0);
    assert_int_equal(fwrite(y, 1, st, f), st);
    fclose(f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_elf_huge_symtab_and_xnum(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "huge.elf");
    for (int v = 0; v < 4; v++) {
        bool is64 = v & 1, big = v & 2;
        make_huge(img, is64, big);
        unsigned st = is64 ? 24 : 16;
        FmtSrc src;
        fu_open(img, &src);
        FmtNode root, secs, tab, sym, f;
        double t0 = now();
        assert_int_equal(fmt_detect(&src, 0, &root), 0);
        assert_string_equal(root.dec->name, "elf");
        assert_non_null(strstr(root.text, big ? "big-endian" : "little-endian"));
        /* Extended numbering: the counts come from section 0. */
        assert_true(fu_find(&src, &root, "ELF header/e_shnum", &f));
        assert_string_equal(f.text, "0");
        assert_non_null(strstr(f.note, "3 (section 0's sh_size)"));
        assert_true(fu_find(&src, &root, "ELF header/e_shstrndx", &f));
        assert_int_equal(strtoull(f.text, NULL, 0), 0xffff);
        assert_true(fu_find(&src, &root, "ELF header/e_machine", &f));
        assert_string_equal(f.note, "Sparc v9");
        assert_true(fu_find(&src, &root, "sections", &secs));
        assert_int_equal(secs.nkids, 3);
        assert_int_equal(fmt_child(&src, &secs, 1, &tab), 0);
        assert_string_equal(tab.name, "section 1 .symtab");
        assert_int_equal(tab.nkids, HUGE_SYMS);
        assert_int_equal(fmt_child(&src, &tab, HUGE_SYMS - 1, &sym), 0);
        assert_string_equal(sym.name, "symbol 999999 last");
        assert_int_equal(fu_num(&src, &sym, "st_value"), 0x1234);
        assert_int_equal(fu_num(&src, &sym, "st_size"), 7);
        assert_true(fu_find(&src, &sym, "st_info", &f));
        assert_string_equal(f.note, "OBJECT GLOBAL");
        assert_true(fu_find(&src, &sym, "st_shndx", &f));
        assert_string_equal(f.note, "ABS");
        /* The status line in the last symbol: found, not walked. */
        FmtNode path[FMT_DEPTH];
        int k = fmt_path(&src, &root, 4096 + (HUGE_SYMS - 1) * st + 1, path, FMT_DEPTH);
        assert_int_equal(k, 5);
        assert_string_equal(path[3].name, "symbol 999999 last");
        double dt = now() - t0;
        print_message("ELF%d %s: symbol 999999 of 1000000 and its path in %.2f ms\n",
                      is64 ? 64 : 32, big ? "big-endian" : "little-endian", dt * 1e3);
        assert_true(dt < 0.5);
        uint64_t bad = 0;
        assert_true(fu_walk(&src, &root, 6, 50, 20000, &bad) < 20000);
        assert_int_equal(bad, 0);
        /* readelf reads the hand-made header and sections as we do
         * (it prints "0 (3)" for e_shnum: the field, then the count). */
        char *out = fu_have("readelf") ? fu_out("readelf -h -S --wide '%s'", img) : NULL;
        if (out) {
            check_header(&src, &root, out);
            assert_int_equal(check_sections(&src, &root, out), 3);
            free(out);
        }
        fu_close(&src);
    }
    free(img);
    tu_rmdir(dir);
}

#define MANY_NOTES 600

/* An ELF64 object whose section 1 ".note" holds MANY_NOTES GNU build-ID
 * notes, note i's desc being i (4 bytes, little endian). */
static void make_notes(const char *path)
{
    static const char shstr[] = "\0.note\0.shstrtab\0";
    uint64_t notes = 0x1000, each = 12 + 4 + 4, shstroff = notes + MANY_NOTES * each;
    size_t n = (size_t)(shstroff + sizeof shstr);
    uint8_t *b = calloc(1, n);
    assert_non_null(b);
    memcpy(b,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    put(b + 16, 2, 1, false);
    put(b + 18, 2, 62, false);
    put(b + 20, 4, 1, false);
    put(b + 40, 8, 64, false); /* e_shoff */
    put(b + 52, 2, 64, false);
    put(b + 58, 2, 64, false);
    put(b + 60, 2, 3, false);
    put(b + 62, 2, 2, false);
    uint8_t *s = b + 64 + 64;
    put(s, 4, 1, false);
    put(s + 4, 4, 7, false);
    put(s + 24, 8, notes, false);
    put(s + 32, 8, MANY_NOTES * each, false);
    put(s + 48, 8, 4, false);
    s += 64;
    put(s, 4, 7, false);
    put(s + 4, 4, 3, false);
    put(s + 24, 8, shstroff, false);
    put(s + 32, 8, sizeof shstr, false);
    for (uint64_t i = 0; i < MANY_NOTES; i++) {
        uint8_t *e = b + notes + i * each;
        put(e, 4, 4, false);
        put(e + 4, 4, 4, false);
        put(e + 8, 4, 3, false);
        memcpy(e + 12, "GNU", 4);
        put(e + 16, 4, i, false);
    }
    memcpy(b + shstroff, shstr, sizeof shstr);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
}

/* Notes cannot be indexed: runs of 256, each run's last child the next
 * run, and the path to the last note goes through the runs. */
static void test_elf_note_runs(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *img = tu_path(dir, "notes.o");
    make_notes(img);
    if (fu_have("readelf")) {
        char *o = fu_out("readelf -n --wide '%s' | grep -c NT_GNU_BUILD_ID", img);
        assert_non_null(o);
        assert_int_equal(strtoul(o, NULL, 10), MANY_NOTES);
        free(o);
    }
    FmtSrc src;
    fu_open(img, &src);
    FmtNode root, sec, n, more, more2;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_true(fu_find(&src, &root, "sections/section 1 .note", &sec));
    assert_int_equal(sec.nkids, 257);
    assert_int_equal(fmt_child(&src, &sec, 255, &n), 0);
    assert_string_equal(n.name, "note 256 GNU");
    assert_string_equal(n.text, "NT_GNU_BUILD_ID");
    assert_true(fu_find(&src, &n, "desc", &n));
    assert_string_equal(n.text, "ff 00 00 00");
    assert_int_equal(fmt_child(&src, &sec, 256, &more), 0);
    assert_string_equal(more.name, "more from note 257");
    assert_int_equal(more.nkids, 257);
    assert_int_equal(fmt_child(&src, &more, 256, &more2), 0);
    assert_string_equal(more2.name, "more from note 513");
    assert_int_equal(more2.nkids, MANY_NOTES - 512);
    FmtNode path[FMT_DEPTH];
    uint64_t last = 0x1000 + (MANY_NOTES - 1) * 20 + 16;
    int k = fmt_path(&src, &root, last, path, FMT_DEPTH);
    /* The runs are followed without taking levels: the one holding the
     * note stands in for the section's contents. */
    assert_int_equal(k, 5);
    assert_string_equal(path[2].name, "more from note 513");
    assert_string_equal(path[3].name, "note 600 GNU");
    assert_string_equal(path[4].name, "desc");
    assert_string_equal(path[4].text, "57 02 00 00"); /* 599 */
    uint64_t bad = 0;
    assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
    assert_int_equal(bad, 0);
    fu_close(&src);
    free(img);
    tu_rmdir(dir);
}

/* ---- the malformed corpus ---- */

static void write_file(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* Detect and walk path: whatever it holds, the decoder comes back. The
 * number of malformed nodes. */
static uint64_t walk_file(const char *path)
{
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root;
    uint64_t bad = 0;
    if (fmt_root(&src, &fmt_elf, 0, &root) == 0)
        assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
    if (fmt_detect(&src, 0, &root) == 0)
        fu_walk(&src, &root, 8, 300, 20000, NULL);
    FmtNode chain[FMT_DEPTH];
    for (uint64_t off = 0; off < src.size; off += src.size / 16 + 1)
        if (fmt_root(&src, &fmt_elf, 0, &root) == 0)
            fmt_path(&src, &root, off, chain, FMT_DEPTH);
    fu_close(&src);
    return bad;
}

/* The node at path in the file's tree is malformed. */
static void bad_at(const char *file, const char *path)
{
    FmtSrc src;
    fu_open(file, &src);
    FmtNode root, n;
    assert_int_equal(fmt_root(&src, &fmt_elf, 0, &root), 0);
    assert_true(fu_find(&src, &root, path, &n));
    if (!n.bad)
        fprintf(stderr, "%s: %s is not malformed: %s\n", file, path, n.text);
    assert_true(n.bad);
    assert_non_null(strstr(n.text, "malformed at 0x"));
    fu_close(&src);
}

static void test_elf_malformed(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *obj = tu_path(dir, "prog.o"), *m = tu_path(dir, "m.o");
    assert_int_equal(build(dir, "-c", obj), 0);
    size_t n;
    uint8_t *orig = fu_slurp(obj, &n), *b = malloc(n);
    assert_non_null(b);
    uint64_t shoff = 0, shnum = 0;
    memcpy(&shoff, orig + 40, 8);
    memcpy(&shnum, orig + 60, 2);
    shnum &= 0xffff;
    assert_true(shoff && shoff < n && shnum > 4);

    /* Truncated at several points (the header, the middle, inside the
     * section table). */
    const size_t cuts[] = {
        20, 52, 63, 64, 200, n / 2, (size_t)shoff + 10, (size_t)shoff + 64 * 3 + 5, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        write_file(m, orig, cuts[i]);
        walk_file(m);
    }
    /* Cut inside the section table: the table says fewer fit. */
    write_file(m, orig, (size_t)shoff + 64 * 3 + 5);
    {
        FmtSrc src;
        fu_open(m, &src);
        FmtNode root, t;
        assert_int_equal(fmt_root(&src, &fmt_elf, 0, &root), 0);
        assert_true(fu_find(&src, &root, "section headers", &t));
        assert_int_equal(t.nkids, 3);
        assert_non_null(strstr(t.note, "do not fit"));
        fu_close(&src);
    }

    /* e_shnum and e_phnum 0xffff, e_phoff past the end. */
    memcpy(b, orig, n);
    put(b + 60, 2, 0xffff, false);
    put(b + 56, 2, 0xffff, false);
    put(b + 32, 8, 1ull << 62, false);
    write_file(m, b, n);
    assert_true(walk_file(m) >= 1);
    bad_at(m, "program headers");

    /* e_shoff past the end; e_shentsize too small. */
    memcpy(b, orig, n);
    put(b + 40, 8, UINT64_MAX - 8, false);
    write_file(m, b, n);
    bad_at(m, "section headers");
    memcpy(b, orig, n);
    put(b + 58, 2, 8, false);
    write_file(m, b, n);
    bad_at(m, "sections");

    /* A section whose bytes lie past the end; a symbol table of
     * 0xffffffff... bytes; a string table linked to itself. */
    uint64_t symtab = 0;
    for (uint64_t i = 1; i < shnum; i++) {
        uint32_t type;
        memcpy(&type, orig + shoff + 64 * i + 4, 4);
        if (type == 2)
            symtab = i;
    }
    assert_true(symtab > 0);
    memcpy(b, orig, n);
    put(b + shoff + 64 * 1 + 24, 8, 0xffffffffffull, false);       /* section 1: sh_offset */
    put(b + shoff + 64 * symtab + 32, 8, UINT64_MAX, false);       /* .symtab: sh_size */
    put(b + shoff + 64 * symtab + 40, 4, (uint32_t)symtab, false); /* sh_link: itself */
    write_file(m, b, n);
    assert_true(walk_file(m) >= 1);
    {
        FmtSrc src;
        fu_open(m, &src);
        FmtNode root, secs, s;
        assert_int_equal(fmt_root(&src, &fmt_elf, 0, &root), 0);
        assert_true(fu_find(&src, &root, "sections", &secs));
        assert_int_equal(fmt_child(&src, &secs, 1, &s), 0);
        assert_true(s.bad);
        assert_non_null(strstr(s.text, "passes the end"));
        assert_int_equal(fmt_child(&src, &secs, symtab, &s), 0);
        assert_true(s.bad);
        fu_close(&src);
    }
    /* The symbol table's string table is the symbol table itself: names
     * come from its bytes, bounded, no loop. */
    memcpy(b, orig, n);
    put(b + shoff + 64 * symtab + 40, 4, (uint32_t)symtab, false);
    write_file(m, b, n);
    assert_int_equal(walk_file(m), 0);
    /* The string table index past the table. */
    memcpy(b, orig, n);
    put(b + 62, 2, 0xfffe, false);
    write_file(m, b, n);
    walk_file(m);

    /* 200 random byte flips in the headers (fixed seed). */
    srand(20261206);
    for (int i = 0; i < 200; i++) {
        memcpy(b, orig, n);
        for (int k = 0; k < 4; k++) {
            size_t at = rand() % 2 ? (size_t)rand() % 64
                                   : (size_t)shoff + (size_t)rand() % (size_t)(64 * shnum);
            if (at < n)
                b[at] ^= (uint8_t)(1 + rand() % 255);
        }
        b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F';
        write_file(m, b, n);
        walk_file(m);
    }
    free(b);
    free(orig);
    free(m);
    free(obj);
    tu_rmdir(dir);
}

/* Notes that do not add up: namesz 0xffffffff, a run cut short. */
static void test_elf_bad_notes(void **state)
{
    (void)state;
    if (!have_tools())
        skip();
    char *dir = tu_mkdtemp();
    char *exe = tu_path(dir, "prog"), *m = tu_path(dir, "m");
    assert_int_equal(build(dir, "", exe), 0);
    char *o = fu_out("readelf -S --wide '%s' | grep ' .note.gnu.build-id '", exe);
    if (!o) {
        print_message("skipped: cc makes no .note.gnu.build-id here\n");
        free(exe);
        free(m);
        tu_rmdir(dir);
        skip();
    }
    unsigned nr;
    uint64_t addr, off, size;
    assert_int_equal(sscanf(strstr(o, "["),
                            "[%u] .note.gnu.build-id NOTE %" SCNx64 " %" SCNx64 " %" SCNx64, &nr,
                            &addr, &off, &size),
                     4);
    free(o);
    size_t n;
    uint8_t *b = fu_slurp(exe, &n);
    put(b + off, 4, 0xffffffff, false); /* n_namesz */
    write_file(m, b, n);
    char path[80];
    snprintf(path, sizeof path, "sections/section %u .note.gnu.build-id/note 1", nr);
    bad_at(m, path);
    assert_true(walk_file(m) >= 1);
    free(b);
    free(exe);
    free(m);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_exec_vs_readelf),
        cmocka_unit_test(test_elf_object_vs_readelf),
        cmocka_unit_test(test_elf_huge_symtab_and_xnum),
        cmocka_unit_test(test_elf_note_runs),
        cmocka_unit_test(test_elf_malformed),
        cmocka_unit_test(test_elf_bad_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
