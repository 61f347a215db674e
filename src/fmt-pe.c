/*
 * fmt-pe: PE/COFF images (Windows .exe/.dll, EFI applications): the MZ
 * header, the "PE\0\0" signature at e_lfanew, the COFF file header, the
 * optional header (PE32 or PE32+, told apart by its magic) with its data
 * directories, and the section table, each section with its raw bytes.
 *
 * Every node carries the image's start in a[0]; a child re-reads the few
 * header fields it needs (e_lfanew, the section count, the optional
 * header's size and magic), so nothing is held between calls. The section
 * table is a fixed-size table (find() maps an offset to its entry); the
 * data directories are clamped to what the optional header holds; every
 * offset is checked against the file and what does not fit is a malformed
 * node.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define PE_DIRS 16 /* data directories a PE defines */

enum { K_ROOT, K_MZ, K_COFF, K_OPT, K_DIRS, K_DIR, K_SECS, K_SEC, K_RAW };

#define SECS_FIND 256 /* sections find() looks at in the raw data, at most */

/* The headers' places, re-read by every child. */
typedef struct Pe {
    uint64_t base; /* the MZ header */
    uint64_t pe;   /* the PE signature (absolute) */
    uint64_t nsec, optsize, magic;
} Pe;

/* The headers at base: 0, or -EINVAL (no MZ header with a PE signature). */
static int load(const FmtSrc *src, uint64_t base, Pe *p)
{
    uint8_t b[64];
    memset(p, 0, sizeof *p);
    if (base >= src->size || src->size - base < 64 || fmt_read(src, base, b, sizeof b) < 0 ||
        b[0] != 'M' || b[1] != 'Z')
        return -EINVAL;
    uint64_t lfanew = fmt_get(b + 0x3c, 4, false);
    if (lfanew > src->size - base || src->size - base - lfanew < 24)
        return -EINVAL;
    uint8_t h[26];
    if (fmt_read(src, base + lfanew, h, sizeof h) < 0 || memcmp(h, "PE\0\0", 4) != 0)
        return -EINVAL;
    p->base = base;
    p->pe = base + lfanew;
    p->nsec = fmt_get(h + 6, 2, false);
    p->optsize = fmt_get(h + 20, 2, false);
    p->magic = fmt_get(h + 24, 2, false);
    return 0;
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    Pe p;
    return load(src, off, &p) == 0;
}

static const char *machine_note(uint64_t m)
{
    switch (m) {
    case 0x0: return "unknown";
    case 0x14c: return "Intel 386";
    case 0x166: return "MIPS R4000";
    case 0x1c0: return "ARM";
    case 0x1c4: return "ARM Thumb-2";
    case 0x200: return "Intel Itanium";
    case 0x5032: return "RISC-V 32";
    case 0x5064: return "RISC-V 64";
    case 0x6264: return "LoongArch 64";
    case 0x8664: return "AMD x86-64";
    case 0xaa64: return "ARM64";
    case 0xebc: return "EFI byte code";
    default: return "unknown";
    }
}

static const char *subsystem_note(uint64_t s)
{
    switch (s) {
    case 1: return "native";
    case 2: return "Windows GUI";
    case 3: return "Windows CUI";
    case 5: return "OS/2 CUI";
    case 7: return "POSIX CUI";
    case 9: return "Windows CE GUI";
    case 10: return "EFI application";
    case 11: return "EFI boot service driver";
    case 12: return "EFI runtime driver";
    case 13: return "EFI ROM";
    case 14: return "Xbox";
    case 16: return "Windows boot application";
    default: return "unknown";
    }
}

/* Flag names that fit, space separated. */
static void flags_note(uint64_t v, const char *const *names, unsigned n, char *out, size_t len)
{
    size_t k = 0;
    out[0] = 0;
    for (unsigned i = 0; i < n; i++)
        if ((v >> i & 1) && names[i] && names[i][0]) {
            int w = snprintf(out + k, len - k, "%s%s", k ? " " : "", names[i]);
            if (w < 0 || (size_t)w >= len - k) {
                out[k] = 0;
                return;
            }
            k += (size_t)w;
        }
}

static const char *const coff_flags[16] = {
    "RELOCS_STRIPPED",
    "EXECUTABLE_IMAGE",
    "LINE_NUMS_STRIPPED",
    "LOCAL_SYMS_STRIPPED",
    "AGGRESSIVE_WS_TRIM",
    "LARGE_ADDRESS_AWARE",
    "",
    "BYTES_REVERSED_LO",
    "32BIT_MACHINE",
    "DEBUG_STRIPPED",
    "REMOVABLE_RUN_FROM_SWAP",
    "NET_RUN_FROM_SWAP",
    "SYSTEM",
    "DLL",
    "UP_SYSTEM_ONLY",
    "BYTES_REVERSED_HI",
};
static const char *const dll_flags[16] = {
    "",
    "",
    "",
    "",
    "",
    "HIGH_ENTROPY_VA",
    "DYNAMIC_BASE",
    "FORCE_INTEGRITY",
    "NX_COMPAT",
    "NO_ISOLATION",
    "NO_SEH",
    "NO_BIND",
    "APPCONTAINER",
    "WDM_DRIVER",
    "GUARD_CF",
    "TERMINAL_SERVER_AWARE",
};
static const char *const sec_flags[32] = {
    [3] = "TYPE_NO_PAD", [5] = "CODE",        [6] = "INITIALIZED_DATA", [7] = "UNINITIALIZED_DATA",
    [9] = "LNK_INFO",    [11] = "LNK_REMOVE", [12] = "LNK_COMDAT",      [25] = "DISCARDABLE",
    [26] = "NOT_CACHED", [27] = "NOT_PAGED",  [28] = "SHARED",          [29] = "EXECUTE",
    [30] = "READ",       [31] = "WRITE",
};
static const char *const dir_names[PE_DIRS] = {
    "export table",
    "import table",
    "resource table",
    "exception table",
    "certificate table",
    "base relocation table",
    "debug",
    "architecture",
    "global ptr",
    "TLS table",
    "load config table",
    "bound import",
    "IAT",
    "delay import descriptor",
    "CLR runtime header",
    "reserved",
};

static const FmtField mz_fields[] = {
    {"e_magic", 0, 2, FV_ASCII},    {"e_cblp", 2, 2, FV_UINT},    {"e_cp", 4, 2, FV_UINT},
    {"e_crlc", 6, 2, FV_UINT},      {"e_cparhdr", 8, 2, FV_UINT}, {"e_minalloc", 10, 2, FV_UINT},
    {"e_maxalloc", 12, 2, FV_UINT}, {"e_ss", 14, 2, FV_HEXN},     {"e_sp", 16, 2, FV_HEXN},
    {"e_csum", 18, 2, FV_HEXN},     {"e_ip", 20, 2, FV_HEXN},     {"e_cs", 22, 2, FV_HEXN},
    {"e_lfarlc", 24, 2, FV_HEXN},   {"e_ovno", 26, 2, FV_UINT},   {"e_lfanew", 0x3c, 4, FV_HEXN},
};
#define N_MZ (sizeof mz_fields / sizeof *mz_fields)

static const FmtField coff_fields[] = {
    {"Machine", 0, 2, FV_HEXN},          {"NumberOfSections", 2, 2, FV_UINT},
    {"TimeDateStamp", 4, 4, FV_HEXN},    {"PointerToSymbolTable", 8, 4, FV_HEXN},
    {"NumberOfSymbols", 12, 4, FV_UINT}, {"SizeOfOptionalHeader", 16, 2, FV_UINT},
    {"Characteristics", 18, 2, FV_HEXN},
};
#define N_COFF (sizeof coff_fields / sizeof *coff_fields)

/* The optional header's fields before its data directories. */
static const FmtField opt32[] = {
    {"Magic", 0, 2, FV_HEXN},
    {"MajorLinkerVersion", 2, 1, FV_UINT},
    {"MinorLinkerVersion", 3, 1, FV_UINT},
    {"SizeOfCode", 4, 4, FV_UINT},
    {"SizeOfInitializedData", 8, 4, FV_UINT},
    {"SizeOfUninitializedData", 12, 4, FV_UINT},
    {"AddressOfEntryPoint", 16, 4, FV_HEXN},
    {"BaseOfCode", 20, 4, FV_HEXN},
    {"BaseOfData", 24, 4, FV_HEXN},
    {"ImageBase", 28, 4, FV_HEXN},
    {"SectionAlignment", 32, 4, FV_UINT},
    {"FileAlignment", 36, 4, FV_UINT},
    {"MajorOperatingSystemVersion", 40, 2, FV_UINT},
    {"MinorOperatingSystemVersion", 42, 2, FV_UINT},
    {"MajorImageVersion", 44, 2, FV_UINT},
    {"MinorImageVersion", 46, 2, FV_UINT},
    {"MajorSubsystemVersion", 48, 2, FV_UINT},
    {"MinorSubsystemVersion", 50, 2, FV_UINT},
    {"Win32VersionValue", 52, 4, FV_UINT},
    {"SizeOfImage", 56, 4, FV_UINT},
    {"SizeOfHeaders", 60, 4, FV_UINT},
    {"CheckSum", 64, 4, FV_HEXN},
    {"Subsystem", 68, 2, FV_UINT},
    {"DllCharacteristics", 70, 2, FV_HEXN},
    {"SizeOfStackReserve", 72, 4, FV_HEXN},
    {"SizeOfStackCommit", 76, 4, FV_HEXN},
    {"SizeOfHeapReserve", 80, 4, FV_HEXN},
    {"SizeOfHeapCommit", 84, 4, FV_HEXN},
    {"LoaderFlags", 88, 4, FV_HEXN},
    {"NumberOfRvaAndSizes", 92, 4, FV_UINT},
};
static const FmtField opt64[] = {
    {"Magic", 0, 2, FV_HEXN},
    {"MajorLinkerVersion", 2, 1, FV_UINT},
    {"MinorLinkerVersion", 3, 1, FV_UINT},
    {"SizeOfCode", 4, 4, FV_UINT},
    {"SizeOfInitializedData", 8, 4, FV_UINT},
    {"SizeOfUninitializedData", 12, 4, FV_UINT},
    {"AddressOfEntryPoint", 16, 4, FV_HEXN},
    {"BaseOfCode", 20, 4, FV_HEXN},
    {"ImageBase", 24, 8, FV_HEXN},
    {"SectionAlignment", 32, 4, FV_UINT},
    {"FileAlignment", 36, 4, FV_UINT},
    {"MajorOperatingSystemVersion", 40, 2, FV_UINT},
    {"MinorOperatingSystemVersion", 42, 2, FV_UINT},
    {"MajorImageVersion", 44, 2, FV_UINT},
    {"MinorImageVersion", 46, 2, FV_UINT},
    {"MajorSubsystemVersion", 48, 2, FV_UINT},
    {"MinorSubsystemVersion", 50, 2, FV_UINT},
    {"Win32VersionValue", 52, 4, FV_UINT},
    {"SizeOfImage", 56, 4, FV_UINT},
    {"SizeOfHeaders", 60, 4, FV_UINT},
    {"CheckSum", 64, 4, FV_HEXN},
    {"Subsystem", 68, 2, FV_UINT},
    {"DllCharacteristics", 70, 2, FV_HEXN},
    {"SizeOfStackReserve", 72, 8, FV_HEXN},
    {"SizeOfStackCommit", 80, 8, FV_HEXN},
    {"SizeOfHeapReserve", 88, 8, FV_HEXN},
    {"SizeOfHeapCommit", 96, 8, FV_HEXN},
    {"LoaderFlags", 104, 4, FV_HEXN},
    {"NumberOfRvaAndSizes", 108, 4, FV_UINT},
};
#define N_OPT32 (sizeof opt32 / sizeof *opt32)
#define N_OPT64 (sizeof opt64 / sizeof *opt64)

static const FmtField sec_fields[] = {
    {"Name", 0, 8, FV_ASCII},
    {"VirtualSize", 8, 4, FV_HEXN},
    {"VirtualAddress", 12, 4, FV_HEXN},
    {"SizeOfRawData", 16, 4, FV_HEXN},
    {"PointerToRawData", 20, 4, FV_HEXN},
    {"PointerToRelocations", 24, 4, FV_HEXN},
    {"PointerToLinenumbers", 28, 4, FV_HEXN},
    {"NumberOfRelocations", 32, 2, FV_UINT},
    {"NumberOfLinenumbers", 34, 2, FV_UINT},
    {"Characteristics", 36, 4, FV_HEXN},
};
#define N_SEC (sizeof sec_fields / sizeof *sec_fields)

static bool pe64(const Pe *p)
{
    return p->magic == 0x20b;
}

/* The optional header's fields (0 when its magic is unknown) and where
 * its data directories start (from the header's start). */
static unsigned opt_fields(const Pe *p, const FmtField **f, unsigned *dirs_at)
{
    if (p->magic == 0x10b) {
        *f = opt32, *dirs_at = 96;
        return N_OPT32;
    }
    if (p->magic == 0x20b) {
        *f = opt64, *dirs_at = 112;
        return N_OPT64;
    }
    if (p->optsize >= 96) {
        /* An unknown magic (objcopy leaves 0 in converted objects): read
         * as PE32, as objdump does; the magic's note says so. */
        *f = opt32, *dirs_at = 96;
        return N_OPT32;
    }
    *f = NULL, *dirs_at = 0;
    return 0;
}

/* Data directories present: NumberOfRvaAndSizes, clamped to the optional
 * header's size, to 16 and to the file. */
static uint64_t dirs_count(const FmtSrc *src, const Pe *p)
{
    const FmtField *f;
    unsigned at;
    if (!opt_fields(p, &f, &at) || p->optsize < at)
        return 0;
    uint64_t n = 0;
    fmt_uint(src, p->pe + 24 + at - 4, 4, false, &n);
    if (n > (p->optsize - at) / 8)
        n = (p->optsize - at) / 8;
    if (n > PE_DIRS)
        n = PE_DIRS;
    return fmt_clamp(src, p->pe + 24 + at, n, 8);
}

/* The section table: its start and clamped count. */
static uint64_t secs(const FmtSrc *src, const Pe *p, uint64_t *at)
{
    *at = p->pe + 24 + p->optsize;
    return fmt_clamp(src, *at, p->nsec, 40);
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Pe p;
    if (load(src, off, &p) < 0)
        return -EINVAL;
    uint64_t at, n = secs(src, &p, &at), end = at + n * 40;
    /* The extent: to the end of the farthest section's raw data (bounded:
     * at most 96 sections looked at; the file's end clamps it). */
    for (uint64_t i = 0; i < n && i < 96; i++) {
        uint64_t size = 0, ptr = 0;
        fmt_uint(src, at + i * 40 + 16, 4, false, &size);
        fmt_uint(src, at + i * 40 + 20, 4, false, &ptr);
        if (ptr && off + ptr + size > end)
            end = off + ptr + size;
    }
    fmt_group(out, &fmt_pe, K_ROOT, "PE", off, end - off, 6);
    out->a[0] = off;
    uint64_t mach = 0;
    fmt_uint(src, p.pe + 4, 2, false, &mach);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%s, %s, %" PRIu64 " sections",
             p.magic == 0x20b   ? "PE32+"
             : p.magic == 0x10b ? "PE32"
                                : "COFF",
             machine_note(mach), p.nsec);
    return 0;
}

static void notes(const FmtSrc *src, FmtNode *out)
{
    uint64_t v = 0;
    if (out->len > 8 || fmt_uint(src, out->off, (unsigned)out->len, false, &v) < 0)
        return;
    const char *n = out->name;
    if (!strcmp(n, "Machine"))
        snprintf(out->note, sizeof out->note, "%s", machine_note(v));
    else if (!strcmp(n, "Subsystem"))
        snprintf(out->note, sizeof out->note, "%s", subsystem_note(v));
    else if (!strcmp(n, "Magic"))
        snprintf(out->note, sizeof out->note, "%s",
                 v == 0x10b   ? "PE32"
                 : v == 0x20b ? "PE32+"
                 : v == 0x107 ? "ROM"
                              : "unknown");
    else if (!strcmp(n, "DllCharacteristics"))
        flags_note(v, dll_flags, 16, out->note, sizeof out->note);
}

static int root_child(const FmtSrc *src, const Pe *p, uint64_t i, FmtNode *out)
{
    uint64_t at, n;
    switch (i) {
    case 0: fmt_group(out, &fmt_pe, K_MZ, "MZ header", p->base, 64, N_MZ); break;
    case 1: {
        static const FmtField sig = {"PE signature", 0, 4, FV_BYTES};
        fmt_field(out, &sig, p->pe, false);
        return 0;
    }
    case 2: fmt_group(out, &fmt_pe, K_COFF, "COFF header", p->pe + 4, 20, N_COFF); break;
    case 3: {
        const FmtField *f;
        unsigned dirs_at;
        unsigned nf = opt_fields(p, &f, &dirs_at);
        if (p->optsize == 0) {
            fmt_group(out, &fmt_pe, K_OPT, "optional header", p->pe + 24, 0, 0);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "none");
            break;
        }
        if (!nf || p->optsize < dirs_at) {
            fmt_bad(out, "optional header", p->pe + 24,
                    "magic 0x%" PRIx64 " with %" PRIu64 " bytes is not PE32 or PE32+", p->magic,
                    p->optsize);
            return 0;
        }
        fmt_group(out, &fmt_pe, K_OPT, "optional header", p->pe + 24, p->optsize, nf + 1);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%s",
                 pe64(p)             ? "PE32+"
                 : p->magic == 0x10b ? "PE32"
                                     : "unknown magic, read as PE32");
        break;
    }
    case 4:
        n = secs(src, p, &at);
        fmt_group(out, &fmt_pe, K_SECS, "section table", at, n * 40, n);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " sections", n);
        if (n < p->nsec)
            snprintf(out->note, sizeof out->note, "%" PRIu64 " do not fit in the file",
                     p->nsec - n);
        break;
    case 5:
        /* Each section's raw data, named as the section, over the image. */
        n = secs(src, p, &at);
        fmt_group(out, &fmt_pe, K_RAW, "sections", p->base, src->size - p->base, n);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "raw data of %" PRIu64 " sections", n);
        break;
    default: return -EINVAL;
    }
    out->a[0] = p->base;
    return 0;
}

/* Section i's name: its 8 bytes, or for "/123" the string at 123 in the
 * COFF string table (after the symbol table), bounded. */
static void sec_name(const FmtSrc *src, const Pe *p, uint64_t off, char *out, size_t n)
{
    uint8_t name[9] = {0};
    fmt_read(src, off, name, 8);
    uint64_t idx = 0, symtab = 0, nsym = 0;
    bool longname = name[0] == '/' && name[1];
    for (int k = 1; k < 8 && name[k] && longname; k++) {
        longname = name[k] >= '0' && name[k] <= '9';
        idx = idx * 10 + (uint64_t)(name[k] - '0');
    }
    fmt_uint(src, p->pe + 12, 4, false, &symtab);
    fmt_uint(src, p->pe + 16, 4, false, &nsym);
    uint64_t str = p->base + symtab + nsym * 18 + idx;
    uint8_t b[40];
    const uint8_t *from = name;
    size_t len = 8;
    if (longname && symtab && str >= p->base && str < src->size &&
        fmt_read(src, str, b, sizeof b) == 0) {
        from = b;
        len = sizeof b;
    }
    size_t k = 0;
    for (size_t i = 0; i < len && from[i] && k + 1 < n; i++)
        out[k++] = from[i] >= 0x20 && from[i] < 0x7f ? (char)from[i] : '.';
    out[k] = 0;
}

static int sec_child(const FmtSrc *src, const Pe *p, const FmtNode *par, uint64_t i, FmtNode *out)
{
    if (i < N_SEC) {
        fmt_field(out, &sec_fields[i], par->off, false);
        if (!strcmp(sec_fields[i].name, "Characteristics")) {
            uint64_t v = 0;
            fmt_uint(src, out->off, 4, false, &v);
            flags_note(v, sec_flags, 32, out->note, sizeof out->note);
        }
        return 0;
    }
    uint64_t size = 0, ptr = 0;
    fmt_uint(src, par->off + 16, 4, false, &size);
    fmt_uint(src, par->off + 20, 4, false, &ptr);
    if (size == 0) {
        memset(out, 0, sizeof *out);
        fmt_name(out, "contents");
        out->off = p->base;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "no raw data");
        return 0;
    }
    if (ptr > src->size - p->base || size > src->size - p->base - ptr) {
        fmt_bad(out, "contents", par->off + 20,
                "%" PRIu64 " bytes at 0x%" PRIx64 " pass the end of the file", size, ptr);
        return 0;
    }
    memset(out, 0, sizeof *out);
    fmt_name(out, "contents");
    out->off = p->base + ptr;
    out->len = size;
    out->val = FV_BYTES;
    return 0;
}

static int child(const FmtSrc *src, const FmtNode *par, uint64_t i, FmtNode *out)
{
    Pe p;
    if (load(src, par->a[0], &p) < 0) {
        fmt_bad(out, "PE", par->a[0], "the PE headers are gone");
        return 0;
    }
    const FmtField *f;
    unsigned dirs_at, nf;
    switch (par->kind) {
    case K_ROOT: return root_child(src, &p, i, out);
    case K_MZ: fmt_field(out, &mz_fields[i], p.base, false); return 0;
    case K_COFF:
        fmt_field(out, &coff_fields[i], p.pe + 4, false);
        notes(src, out);
        if (!strcmp(out->name, "Characteristics")) {
            uint64_t v = 0;
            fmt_uint(src, out->off, 2, false, &v);
            flags_note(v, coff_flags, 16, out->note, sizeof out->note);
        }
        return 0;
    case K_OPT:
        nf = opt_fields(&p, &f, &dirs_at);
        if (i < nf) {
            fmt_field(out, &f[i], p.pe + 24, false);
            notes(src, out);
            return 0;
        }
        fmt_group(out, &fmt_pe, K_DIRS, "data directories", p.pe + 24 + dirs_at, 0,
                  dirs_count(src, &p));
        out->len = out->nkids * 8;
        out->a[0] = p.base;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " entries", out->nkids);
        return 0;
    case K_DIRS: {
        uint64_t rva = 0, size = 0, off = par->off + i * 8;
        fmt_uint(src, off, 4, false, &rva);
        fmt_uint(src, off + 4, 4, false, &size);
        fmt_group(out, &fmt_pe, K_DIR, i < PE_DIRS ? dir_names[i] : "directory", off, 8, 2);
        out->a[0] = p.base;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "RVA 0x%" PRIx64 " size %" PRIu64, rva, size);
        return 0;
    }
    case K_DIR: {
        static const FmtField d[] = {{"VirtualAddress", 0, 4, FV_HEXN}, {"Size", 4, 4, FV_UINT}};
        fmt_field(out, &d[i], par->off, false);
        return 0;
    }
    case K_SECS: {
        uint64_t at, off;
        secs(src, &p, &at);
        off = at + i * 40;
        char name[40];
        sec_name(src, &p, off, name, sizeof name);
        uint64_t vsize = 0, ptr = 0;
        fmt_uint(src, off + 8, 4, false, &vsize);
        fmt_uint(src, off + 20, 4, false, &ptr);
        fmt_group(out, &fmt_pe, K_SEC, "", off, 40, N_SEC + 1);
        fmt_name(out, "section %" PRIu64 "%s%s", i + 1, name[0] ? " " : "", name);
        out->a[0] = p.base;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "raw at 0x%" PRIx64 ", virtual size 0x%" PRIx64, ptr,
                 vsize);
        return 0;
    }
    case K_SEC: return sec_child(src, &p, par, i, out);
    case K_RAW: {
        uint64_t at;
        secs(src, &p, &at);
        char name[40], full[FMT_NAME + 24];
        sec_name(src, &p, at + i * 40, name, sizeof name);
        snprintf(full, sizeof full, "section %" PRIu64 "%s%s", i + 1, name[0] ? " " : "", name);
        FmtNode hdr = {.off = at + i * 40};
        sec_child(src, &p, &hdr, N_SEC, out);
        fmt_name(out, "%s", full);
        return 0;
    }
    default: return -EINVAL;
    }
}

static uint64_t find(const FmtSrc *src, const FmtNode *par, uint64_t off)
{
    if (off < par->off)
        return UINT64_MAX;
    uint64_t i;
    switch (par->kind) {
    case K_SECS: i = (off - par->off) / 40; break;
    case K_DIRS: i = (off - par->off) / 8; break;
    case K_RAW: {
        /* The first of the first SECS_FIND sections whose raw data holds
         * off. */
        Pe p;
        uint64_t at;
        if (load(src, par->a[0], &p) < 0)
            return UINT64_MAX;
        uint64_t n = secs(src, &p, &at);
        for (i = 0; i < n && i < SECS_FIND; i++) {
            uint64_t size = 0, ptr = 0;
            fmt_uint(src, at + i * 40 + 16, 4, false, &size);
            fmt_uint(src, at + i * 40 + 20, 4, false, &ptr);
            if (size && off >= p.base + ptr && off - p.base - ptr < size)
                return i;
        }
        return UINT64_MAX;
    }
    default:
        /* Small groups: the first child holding off. */
        for (i = 0; i < par->nkids && i < FMT_SCAN; i++) {
            FmtNode k;
            if (fmt_child(src, par, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
                return i;
        }
        return UINT64_MAX;
    }
    return i < par->nkids ? i : UINT64_MAX;
}

const FmtDecoder fmt_pe = {
    .name = "pe",
    .title = "PE/COFF",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
