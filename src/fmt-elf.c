/*
 * fmt-elf: ELF executables, objects, shared libraries and core files, 32 and
 * 64 bit, either byte order (EI_DATA decides).
 *
 * The root holds four groups: the ELF header's fields, the program header
 * table, the section header table and "sections" (each section's contents,
 * so the status line names ".text" for a cursor in the code). Tables are
 * lazy: a node says how many entries it has and child(i) computes entry i's
 * offset, so a symbol table of a million entries opens at once; find() maps
 * an offset back to an entry. Symbol tables, dynamic sections, relocation
 * sections and notes decode further: symbols, dynamic entries and
 * relocations as fixed-size tables with names from their linked symbol and
 * string tables, notes (which cannot be indexed)
 * in runs of at most NOTE_RUN walked from the run's start, the run's last
 * child holding the next run.
 *
 * Nothing is kept between calls: every node carries the ELF's start in
 * a[0] and each child re-reads the ELF header (one small read, plus section
 * 0 for extended numbering) to know the class, byte order and tables. All
 * offsets are checked against the file and every count is clamped before
 * use; what does not add up becomes a malformed node.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define NOTE_RUN 256  /* notes a run node holds before its "more" child */
#define SECS_FIND 256 /* section headers find() and extent() look at, at most */
#define NAME_MAX_READ 40

enum {
    K_ROOT,
    K_EHDR,
    K_PHDRS,
    K_PHDR,
    K_SHDRS,
    K_SHDR,
    K_SECS,
    K_SYMS,
    K_SYM,
    K_DYNS,
    K_DYN,
    K_RELS,
    K_REL,
    K_NOTES,
    K_NOTE,
};

/* What every child needs to know of the ELF (re-read from its header). */
typedef struct Elf {
    uint64_t base; /* the ELF's start in the file */
    bool is64, big;
    uint64_t phoff, phentsize, phnum; /* phoff, shoff relative to base */
    uint64_t shoff, shentsize, shnum, shstrndx;
} Elf;

/* One section header's fields. */
typedef struct Shdr {
    uint64_t name, type, flags, addr, offset, size, link, info, align, entsize;
} Shdr;

static bool magic_ok(const uint8_t *b)
{
    return b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F' && (b[4] == 1 || b[4] == 2) &&
           (b[5] == 1 || b[5] == 2);
}

static bool probe(const FmtSrc *src, uint64_t off)
{
    uint8_t b[16];
    if (off >= src->size || src->size - off < 52 || src->read(src->ctx, off, b, sizeof b) < 0)
        return false;
    return magic_ok(b);
}

/* Section header i's fields: 0, or -ERANGE when it lies past the end. */
static int shdr(const FmtSrc *src, const Elf *e, uint64_t i, Shdr *s)
{
    memset(s, 0, sizeof *s);
    unsigned need = e->is64 ? 64 : 40;
    if (e->shentsize < need || e->shoff > src->size - e->base)
        return -ERANGE;
    uint64_t tab = e->base + e->shoff;
    if (i >= (src->size - tab) / e->shentsize)
        return -ERANGE;
    uint8_t b[64];
    if (fmt_read(src, tab + i * e->shentsize, b, need) < 0)
        return -EIO;
    bool big = e->big;
    s->name = fmt_get(b, 4, big);
    s->type = fmt_get(b + 4, 4, big);
    if (e->is64) {
        s->flags = fmt_get(b + 8, 8, big);
        s->addr = fmt_get(b + 16, 8, big);
        s->offset = fmt_get(b + 24, 8, big);
        s->size = fmt_get(b + 32, 8, big);
        s->link = fmt_get(b + 40, 4, big);
        s->info = fmt_get(b + 44, 4, big);
        s->align = fmt_get(b + 48, 8, big);
        s->entsize = fmt_get(b + 56, 8, big);
    } else {
        s->flags = fmt_get(b + 8, 4, big);
        s->addr = fmt_get(b + 12, 4, big);
        s->offset = fmt_get(b + 16, 4, big);
        s->size = fmt_get(b + 20, 4, big);
        s->link = fmt_get(b + 24, 4, big);
        s->info = fmt_get(b + 28, 4, big);
        s->align = fmt_get(b + 32, 4, big);
        s->entsize = fmt_get(b + 36, 4, big);
    }
    return 0;
}

/* The ELF header at base: 0 or -EINVAL. Extended numbering: e_shnum 0
 * means section 0's sh_size, e_shstrndx SHN_XINDEX its sh_link, e_phnum
 * PN_XNUM its sh_info. */
static int load(const FmtSrc *src, uint64_t base, Elf *e)
{
    uint8_t b[64];
    memset(e, 0, sizeof *e);
    if (base >= src->size || fmt_read(src, base, b, sizeof b) < 0 || !magic_ok(b))
        return -EINVAL;
    e->base = base;
    e->is64 = b[4] == 2;
    e->big = b[5] == 2;
    bool big = e->big;
    if (e->is64) {
        e->phoff = fmt_get(b + 32, 8, big);
        e->shoff = fmt_get(b + 40, 8, big);
        e->phentsize = fmt_get(b + 54, 2, big);
        e->phnum = fmt_get(b + 56, 2, big);
        e->shentsize = fmt_get(b + 58, 2, big);
        e->shnum = fmt_get(b + 60, 2, big);
        e->shstrndx = fmt_get(b + 62, 2, big);
    } else {
        e->phoff = fmt_get(b + 28, 4, big);
        e->shoff = fmt_get(b + 32, 4, big);
        e->phentsize = fmt_get(b + 42, 2, big);
        e->phnum = fmt_get(b + 44, 2, big);
        e->shentsize = fmt_get(b + 46, 2, big);
        e->shnum = fmt_get(b + 48, 2, big);
        e->shstrndx = fmt_get(b + 50, 2, big);
    }
    if (e->shoff && (e->shnum == 0 || e->shstrndx == 0xffff || e->phnum == 0xffff)) {
        Shdr s0;
        if (shdr(src, e, 0, &s0) == 0) {
            if (e->shnum == 0)
                e->shnum = s0.size;
            if (e->shstrndx == 0xffff)
                e->shstrndx = s0.link;
            if (e->phnum == 0xffff)
                e->phnum = s0.info;
        }
    }
    if (!e->shoff)
        e->shnum = 0;
    return 0;
}

/* The NUL-terminated string at index idx of the string table section
 * strndx, shown printable and cut to fit n: true when found. */
static bool str_at(const FmtSrc *src, const Elf *e, uint64_t strndx, uint64_t idx, char *out,
                   size_t n)
{
    Shdr s;
    out[0] = 0;
    if (strndx == 0 || strndx >= e->shnum || shdr(src, e, strndx, &s) < 0 || s.type == 8 ||
        idx >= s.size || s.offset > src->size - e->base)
        return false;
    uint64_t at = e->base + s.offset + idx;
    if (at >= src->size || s.size > src->size - e->base - s.offset)
        return false;
    uint8_t b[NAME_MAX_READ];
    uint64_t room = s.size - idx;
    size_t len = room < sizeof b ? (size_t)room : sizeof b;
    if (fmt_read(src, at, b, len) < 0)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < len && b[i] && k + 1 < n; i++)
        out[k++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
    out[k] = 0;
    return true;
}

/* ---- names of values ---- */

static const char *type_note(uint64_t t)
{
    switch (t) {
    case 0: return "NONE (No file type)";
    case 1: return "REL (Relocatable file)";
    case 2: return "EXEC (Executable file)";
    case 3: return "DYN (Shared object file)";
    case 4: return "CORE (Core file)";
    default: return "unknown";
    }
}

static const char *machine_note(uint64_t m)
{
    switch (m) {
    case 0: return "None";
    case 2: return "Sparc";
    case 3: return "Intel 80386";
    case 4: return "MC68000";
    case 8: return "MIPS R3000";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "IBM S/390";
    case 40: return "ARM";
    case 42: return "Renesas / SuperH SH";
    case 43: return "Sparc v9";
    case 50: return "Intel IA-64";
    case 62: return "Advanced Micro Devices X86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    case 247: return "Linux BPF";
    case 258: return "LoongArch";
    default: return "unknown";
    }
}

static const char *osabi_note(uint64_t a)
{
    switch (a) {
    case 0: return "UNIX - System V";
    case 1: return "UNIX - HP-UX";
    case 2: return "UNIX - NetBSD";
    case 3: return "UNIX - GNU";
    case 6: return "UNIX - Solaris";
    case 9: return "UNIX - FreeBSD";
    case 12: return "UNIX - OpenBSD";
    case 97: return "ARM";
    case 255: return "Standalone App";
    default: return "unknown";
    }
}

static const char *ptype_note(uint64_t t)
{
    switch (t) {
    case 0: return "NULL";
    case 1: return "LOAD";
    case 2: return "DYNAMIC";
    case 3: return "INTERP";
    case 4: return "NOTE";
    case 5: return "SHLIB";
    case 6: return "PHDR";
    case 7: return "TLS";
    case 0x6474e550: return "GNU_EH_FRAME";
    case 0x6474e551: return "GNU_STACK";
    case 0x6474e552: return "GNU_RELRO";
    case 0x6474e553: return "GNU_PROPERTY";
    case 0x6474e554: return "GNU_SFRAME";
    default: return "unknown";
    }
}

static const char *shtype_note(uint64_t t)
{
    switch (t) {
    case 0: return "NULL";
    case 1: return "PROGBITS";
    case 2: return "SYMTAB";
    case 3: return "STRTAB";
    case 4: return "RELA";
    case 5: return "HASH";
    case 6: return "DYNAMIC";
    case 7: return "NOTE";
    case 8: return "NOBITS";
    case 9: return "REL";
    case 10: return "SHLIB";
    case 11: return "DYNSYM";
    case 14: return "INIT_ARRAY";
    case 15: return "FINI_ARRAY";
    case 16: return "PREINIT_ARRAY";
    case 17: return "GROUP";
    case 18: return "SYMTAB SECTION INDICES";
    case 0x6ffffff6: return "GNU_HASH";
    case 0x6ffffffd: return "VERDEF";
    case 0x6ffffffe: return "VERNEED";
    case 0x6fffffff: return "VERSYM";
    default: return "unknown";
    }
}

static const char *symtype_note(unsigned t)
{
    static const char *const n[] = {"NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"};
    if (t < 7)
        return n[t];
    return t == 10 ? "IFUNC" : "unknown";
}

static const char *bind_note(unsigned b)
{
    static const char *const n[] = {"LOCAL", "GLOBAL", "WEAK"};
    if (b < 3)
        return n[b];
    return b == 10 ? "UNIQUE" : "unknown";
}

static const char *dtag_note(uint64_t t)
{
    static const char *const n[] = {
        "NULL",     "NEEDED",     "PLTRELSZ",   "PLTGOT",       "HASH",         "STRTAB",
        "SYMTAB",   "RELA",       "RELASZ",     "RELAENT",      "STRSZ",        "SYMENT",
        "INIT",     "FINI",       "SONAME",     "RPATH",        "SYMBOLIC",     "REL",
        "RELSZ",    "RELENT",     "PLTREL",     "DEBUG",        "TEXTREL",      "JMPREL",
        "BIND_NOW", "INIT_ARRAY", "FINI_ARRAY", "INIT_ARRAYSZ", "FINI_ARRAYSZ", "RUNPATH",
        "FLAGS",
    };
    if (t < sizeof n / sizeof *n)
        return n[t];
    switch (t) {
    case 0x6ffffef5: return "GNU_HASH";
    case 0x6ffffff0: return "VERSYM";
    case 0x6ffffff9: return "RELACOUNT";
    case 0x6ffffffa: return "RELCOUNT";
    case 0x6ffffffb: return "FLAGS_1";
    case 0x6ffffffe: return "VERNEED";
    case 0x6fffffff: return "VERNEEDNUM";
    default: return "unknown";
    }
}

/* Section flags as readelf's key letters ("AX"). */
static void shflags_note(uint64_t f, char *out, size_t n)
{
    static const struct {
        uint64_t bit;
        char c;
    } keys[] = {{0x1, 'W'},   {0x2, 'A'},   {0x4, 'X'},   {0x10, 'M'},
                {0x20, 'S'},  {0x40, 'I'},  {0x80, 'L'},  {0x100, 'O'},
                {0x200, 'G'}, {0x400, 'T'}, {0x800, 'C'}, {0x80000000, 'E'}};
    size_t k = 0;
    for (size_t i = 0; i < sizeof keys / sizeof *keys && k + 1 < n; i++)
        if (f & keys[i].bit)
            out[k++] = keys[i].c;
    out[k] = 0;
}

static void pflags_note(uint64_t f, char *out, size_t n)
{
    snprintf(out, n, "%c%c%c", f & 4 ? 'R' : ' ', f & 2 ? 'W' : ' ', f & 1 ? 'E' : ' ');
}

/* ---- field tables ---- */

static const FmtField ident_fields[] = {
    {"EI_MAG", 0, 4, FV_BYTES},    {"EI_CLASS", 4, 1, FV_UINT}, {"EI_DATA", 5, 1, FV_UINT},
    {"EI_VERSION", 6, 1, FV_UINT}, {"EI_OSABI", 7, 1, FV_UINT}, {"EI_ABIVERSION", 8, 1, FV_UINT},
    {"EI_PAD", 9, 7, FV_BYTES},    {"e_type", 16, 2, FV_UINT},  {"e_machine", 18, 2, FV_UINT},
    {"e_version", 20, 4, FV_UINT},
};
#define N_IDENT (sizeof ident_fields / sizeof *ident_fields)

static const FmtField ehdr32[] = {
    {"e_entry", 24, 4, FV_HEXN},  {"e_phoff", 28, 4, FV_UINT},
    {"e_shoff", 32, 4, FV_UINT},  {"e_flags", 36, 4, FV_HEXN},
    {"e_ehsize", 40, 2, FV_UINT}, {"e_phentsize", 42, 2, FV_UINT},
    {"e_phnum", 44, 2, FV_UINT},  {"e_shentsize", 46, 2, FV_UINT},
    {"e_shnum", 48, 2, FV_UINT},  {"e_shstrndx", 50, 2, FV_UINT},
};
static const FmtField ehdr64[] = {
    {"e_entry", 24, 8, FV_HEXN},  {"e_phoff", 32, 8, FV_UINT},
    {"e_shoff", 40, 8, FV_UINT},  {"e_flags", 48, 4, FV_HEXN},
    {"e_ehsize", 52, 2, FV_UINT}, {"e_phentsize", 54, 2, FV_UINT},
    {"e_phnum", 56, 2, FV_UINT},  {"e_shentsize", 58, 2, FV_UINT},
    {"e_shnum", 60, 2, FV_UINT},  {"e_shstrndx", 62, 2, FV_UINT},
};
#define N_EHDR (N_IDENT + sizeof ehdr32 / sizeof *ehdr32)

static const FmtField phdr32[] = {
    {"p_type", 0, 4, FV_HEXN},   {"p_offset", 4, 4, FV_UINT},  {"p_vaddr", 8, 4, FV_HEXN},
    {"p_paddr", 12, 4, FV_HEXN}, {"p_filesz", 16, 4, FV_UINT}, {"p_memsz", 20, 4, FV_UINT},
    {"p_flags", 24, 4, FV_HEXN}, {"p_align", 28, 4, FV_UINT},
};
static const FmtField phdr64[] = {
    {"p_type", 0, 4, FV_HEXN},   {"p_flags", 4, 4, FV_HEXN},  {"p_offset", 8, 8, FV_UINT},
    {"p_vaddr", 16, 8, FV_HEXN}, {"p_paddr", 24, 8, FV_HEXN}, {"p_filesz", 32, 8, FV_UINT},
    {"p_memsz", 40, 8, FV_UINT}, {"p_align", 48, 8, FV_UINT},
};
#define N_PHDR (sizeof phdr32 / sizeof *phdr32)

static const FmtField shdr32[] = {
    {"sh_name", 0, 4, FV_UINT},     {"sh_type", 4, 4, FV_HEXN},    {"sh_flags", 8, 4, FV_HEXN},
    {"sh_addr", 12, 4, FV_HEXN},    {"sh_offset", 16, 4, FV_UINT}, {"sh_size", 20, 4, FV_UINT},
    {"sh_link", 24, 4, FV_UINT},    {"sh_info", 28, 4, FV_UINT},   {"sh_addralign", 32, 4, FV_UINT},
    {"sh_entsize", 36, 4, FV_UINT},
};
static const FmtField shdr64[] = {
    {"sh_name", 0, 4, FV_UINT},     {"sh_type", 4, 4, FV_HEXN},    {"sh_flags", 8, 8, FV_HEXN},
    {"sh_addr", 16, 8, FV_HEXN},    {"sh_offset", 24, 8, FV_UINT}, {"sh_size", 32, 8, FV_UINT},
    {"sh_link", 40, 4, FV_UINT},    {"sh_info", 44, 4, FV_UINT},   {"sh_addralign", 48, 8, FV_UINT},
    {"sh_entsize", 56, 8, FV_UINT},
};
#define N_SHDR (sizeof shdr32 / sizeof *shdr32)

static const FmtField sym32[] = {
    {"st_name", 0, 4, FV_UINT},  {"st_value", 4, 4, FV_HEXN},  {"st_size", 8, 4, FV_UINT},
    {"st_info", 12, 1, FV_HEXN}, {"st_other", 13, 1, FV_HEXN}, {"st_shndx", 14, 2, FV_UINT},
};
static const FmtField sym64[] = {
    {"st_name", 0, 4, FV_UINT},  {"st_info", 4, 1, FV_HEXN},  {"st_other", 5, 1, FV_HEXN},
    {"st_shndx", 6, 2, FV_UINT}, {"st_value", 8, 8, FV_HEXN}, {"st_size", 16, 8, FV_UINT},
};
#define N_SYM (sizeof sym32 / sizeof *sym32)

/* ---- the tables' geometry ---- */

/* A fixed-size table: its absolute start, stride and clamped count; false
 * (with why) when it does not fit. */
typedef struct Table {
    uint64_t off, each, n;
} Table;

static bool table(const FmtSrc *src, const Elf *e, uint64_t rel, uint64_t each, uint64_t n,
                  unsigned need, Table *t, char *why, size_t nwhy)
{
    t->off = t->each = t->n = 0;
    if (each < need) {
        snprintf(why, nwhy, "entry size %" PRIu64 " is below %u", each, need);
        return false;
    }
    if (rel > src->size - e->base) {
        snprintf(why, nwhy, "offset %" PRIu64 " lies past the end", rel);
        return false;
    }
    t->off = e->base + rel;
    t->each = each;
    t->n = fmt_clamp(src, t->off, n, each);
    return true;
}

static int ph_table(const FmtSrc *src, const Elf *e, Table *t, char *why, size_t n)
{
    return table(src, e, e->phoff, e->phentsize, e->phnum, e->is64 ? 56 : 32, t, why, n) ? 0
                                                                                         : -ERANGE;
}

static int sh_table(const FmtSrc *src, const Elf *e, Table *t, char *why, size_t n)
{
    return table(src, e, e->shoff, e->shentsize, e->shnum, e->is64 ? 64 : 40, t, why, n) ? 0
                                                                                         : -ERANGE;
}

/* The name of section i: "section 5 .text". */
static void sec_name(const FmtSrc *src, const Elf *e, uint64_t i, const Shdr *s, FmtNode *out)
{
    char nm[NAME_MAX_READ];
    if (!str_at(src, e, e->shstrndx, s->name, nm, sizeof nm))
        nm[0] = 0;
    fmt_name(out, "section %" PRIu64 "%s%s", i, nm[0] ? " " : "", nm);
}

/* ---- the nodes ---- */

/* The ELF's extent from its start: the farthest of its header, its two
 * tables and the bytes of its first SECS_FIND sections (the section table
 * usually ends the file anyway). */
static uint64_t extent(const FmtSrc *src, const Elf *e)
{
    uint64_t end = e->is64 ? 64 : 52;
    Table t;
    char why[8];
    if (ph_table(src, e, &t, why, sizeof why) == 0 && t.off + t.n * t.each - e->base > end)
        end = t.off + t.n * t.each - e->base;
    if (sh_table(src, e, &t, why, sizeof why) == 0) {
        if (t.off + t.n * t.each - e->base > end)
            end = t.off + t.n * t.each - e->base;
        for (uint64_t i = 1; i < t.n && i < SECS_FIND; i++) {
            Shdr s;
            if (shdr(src, e, i, &s) < 0)
                break;
            if (s.type != 8 && s.offset <= src->size - e->base &&
                s.size <= src->size - e->base - s.offset && s.offset + s.size > end)
                end = s.offset + s.size;
        }
    }
    return end;
}

static int root(const FmtSrc *src, uint64_t off, FmtNode *out)
{
    Elf e;
    if (load(src, off, &e) < 0)
        return -EINVAL;
    uint64_t end = extent(src, &e);
    fmt_group(out, &fmt_elf, K_ROOT, "ELF", off, end, 4);
    out->a[0] = off;
    out->val = FV_TEXT;
    uint8_t b[20];
    fmt_read(src, off, b, sizeof b);
    uint64_t type = fmt_get(b + 16, 2, e.big), mach = fmt_get(b + 18, 2, e.big);
    snprintf(out->text, sizeof out->text, "ELF%d %s-endian %s, %s", e.is64 ? 64 : 32,
             e.big ? "big" : "little", type_note(type), machine_note(mach));
    return 0;
}

static void field_notes(const FmtSrc *src, const Elf *e, FmtNode *out)
{
    uint64_t v = 0;
    if (fmt_uint(src, out->off, (unsigned)out->len, e->big, &v) < 0)
        return;
    const char *n = out->name;
    if (!strcmp(n, "EI_CLASS"))
        snprintf(out->note, sizeof out->note, "%s", v == 1 ? "ELF32" : v == 2 ? "ELF64" : "none");
    else if (!strcmp(n, "EI_DATA"))
        snprintf(out->note, sizeof out->note, "%s",
                 v == 1 ? "2's complement, little endian" : "2's complement, big endian");
    else if (!strcmp(n, "EI_OSABI"))
        snprintf(out->note, sizeof out->note, "%s", osabi_note(v));
    else if (!strcmp(n, "e_type"))
        snprintf(out->note, sizeof out->note, "%s", type_note(v));
    else if (!strcmp(n, "e_machine"))
        snprintf(out->note, sizeof out->note, "%s", machine_note(v));
    else if (!strcmp(n, "e_shnum") && v == 0 && e->shnum)
        snprintf(out->note, sizeof out->note, "%" PRIu64 " (section 0's sh_size)", e->shnum);
    else if (!strcmp(n, "e_shstrndx") && v == 0xffff)
        snprintf(out->note, sizeof out->note, "%" PRIu64 " (section 0's sh_link)", e->shstrndx);
    else if (!strcmp(n, "e_phnum") && v == 0xffff)
        snprintf(out->note, sizeof out->note, "%" PRIu64 " (section 0's sh_info)", e->phnum);
    else if (!strcmp(n, "p_type"))
        snprintf(out->note, sizeof out->note, "%s", ptype_note(v));
    else if (!strcmp(n, "p_flags"))
        pflags_note(v, out->note, sizeof out->note);
    else if (!strcmp(n, "sh_type"))
        snprintf(out->note, sizeof out->note, "%s", shtype_note(v));
    else if (!strcmp(n, "sh_flags"))
        shflags_note(v, out->note, sizeof out->note);
    else if (!strcmp(n, "sh_name"))
        str_at(src, e, e->shstrndx, v, out->note, sizeof out->note);
}

static int root_child(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    char why[64];
    Table t;
    switch (i) {
    case 0:
        fmt_group(out, &fmt_elf, K_EHDR, "ELF header", e->base, e->is64 ? 64 : 52, N_EHDR);
        break;
    case 1:
        if (e->phnum == 0 && e->phoff == 0) {
            fmt_group(out, &fmt_elf, K_PHDRS, "program headers", e->base, 0, 0);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "none");
            break;
        }
        if (ph_table(src, e, &t, why, sizeof why) < 0) {
            fmt_bad(out, "program headers", e->base, "program header table: %s", why);
            return 0;
        }
        fmt_group(out, &fmt_elf, K_PHDRS, "program headers", t.off, t.n * t.each, t.n);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " entries", t.n);
        if (t.n < e->phnum)
            snprintf(out->note, sizeof out->note, "%" PRIu64 " entries do not fit in the file",
                     e->phnum - t.n);
        break;
    case 2:
    case 3:
        if (e->shnum == 0) {
            fmt_group(out, &fmt_elf, i == 2 ? K_SHDRS : K_SECS,
                      i == 2 ? "section headers" : "sections", e->base, 0, 0);
            out->val = FV_TEXT;
            snprintf(out->text, sizeof out->text, "none");
            break;
        }
        if (sh_table(src, e, &t, why, sizeof why) < 0) {
            fmt_bad(out, i == 2 ? "section headers" : "sections", e->base,
                    "section header table: %s", why);
            return 0;
        }
        if (i == 2) {
            fmt_group(out, &fmt_elf, K_SHDRS, "section headers", t.off, t.n * t.each, t.n);
            if (t.n < e->shnum)
                snprintf(out->note, sizeof out->note, "%" PRIu64 " entries do not fit in the file",
                         e->shnum - t.n);
        } else {
            /* Each section's contents: the range is the ELF's. */
            fmt_group(out, &fmt_elf, K_SECS, "sections", e->base, p->len, t.n);
        }
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " sections", t.n);
        break;
    default: return -EINVAL;
    }
    out->a[0] = e->base;
    return 0;
}

/* A relocation's size: REL (offset, info) or RELA (and addend). */
static unsigned rel_size(const Elf *e, bool rela)
{
    return (e->is64 ? 8 : 4) * (rela ? 3 : 2);
}

static void note_set(const FmtSrc *src, const Elf *e, uint64_t start, uint64_t end, uint64_t al,
                     uint64_t first, const char *name, FmtNode *out);

/* Section i's contents, named name: bytes, or a table for symbols and
 * dynamic entries, or notes. */
static void contents(const FmtSrc *src, const Elf *e, uint64_t i, const char *name, FmtNode *out)
{
    Shdr s;
    if (shdr(src, e, i, &s) < 0) {
        fmt_bad(out, name, e->base, "section header %" PRIu64 " lies past the end", i);
        return;
    }
    if (s.type == 8 || s.type == 0 || s.size == 0) {
        fmt_group(out, &fmt_elf, K_SECS, name, e->base + (s.offset < src->size ? s.offset : 0), 0,
                  0);
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%s",
                 s.type == 8 ? "no bytes in the file (NOBITS)" : "empty");
        return;
    }
    if (s.offset > src->size - e->base || s.size > src->size - e->base - s.offset) {
        fmt_bad(out, name, e->base + (s.offset < src->size - e->base ? s.offset : 0),
                "section %" PRIu64 " (%" PRIu64 " bytes at %" PRIu64 ") passes the end", i, s.size,
                s.offset);
        return;
    }
    uint64_t off = e->base + s.offset;
    unsigned symsz = e->is64 ? 24 : 16, dynsz = e->is64 ? 16 : 8;
    if (s.type == 2 || s.type == 11) {
        uint64_t each = s.entsize >= symsz ? s.entsize : symsz;
        fmt_group(out, &fmt_elf, K_SYMS, name, off, s.size,
                  fmt_clamp(src, off, s.size / each, each));
        out->a[0] = e->base;
        out->a[1] = i;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " symbols", out->nkids);
        return;
    }
    if (s.type == 6) {
        uint64_t each = s.entsize >= dynsz ? s.entsize : dynsz;
        fmt_group(out, &fmt_elf, K_DYNS, name, off, s.size,
                  fmt_clamp(src, off, s.size / each, each));
        out->a[0] = e->base;
        out->a[1] = i;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " dynamic entries", out->nkids);
        return;
    }
    if (s.type == 4 || s.type == 9) {
        unsigned rsz = rel_size(e, s.type == 4);
        uint64_t each = s.entsize >= rsz ? s.entsize : rsz;
        fmt_group(out, &fmt_elf, K_RELS, name, off, s.size,
                  fmt_clamp(src, off, s.size / each, each));
        out->a[0] = e->base;
        out->a[1] = i;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%" PRIu64 " relocations", out->nkids);
        return;
    }
    if (s.type == 7) {
        note_set(src, e, off, off + s.size, s.align == 8 ? 8 : 4, 0, name, out);
        snprintf(out->text, sizeof out->text, "notes");
        return;
    }
    memset(out, 0, sizeof *out);
    fmt_name(out, "%s", name);
    out->off = off;
    out->len = s.size;
    out->val = FV_BYTES;
}

/* ---- notes, in runs: a[1] the run's start, a[2] the section's end, a[3]
 * the run's first note index << 1 | (8-byte alignment) ---- */

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

/* The note at off (before end): its size with padding, or 0 when it does
 * not fit. */
static uint64_t note_size(const FmtSrc *src, const Elf *e, uint64_t off, uint64_t end, uint64_t al)
{
    if (off >= end || end - off < 12)
        return 0;
    uint8_t b[12];
    if (fmt_read(src, off, b, sizeof b) < 0)
        return 0;
    uint64_t namesz = fmt_get(b, 4, e->big), descsz = fmt_get(b + 4, 4, e->big);
    uint64_t size = 12 + align_up(namesz, 4);
    size = align_up(size, al) + align_up(descsz, al);
    if (size > end - off)
        return 0;
    return size;
}

/* Children of the run at a[1]: its notes (at most NOTE_RUN), a "more"
 * child when notes follow, a bad one when the rest does not parse. */
static uint64_t notes_count(const FmtSrc *src, const Elf *e, uint64_t off, uint64_t end,
                            uint64_t al)
{
    uint64_t n = 0;
    while (n < NOTE_RUN && off < end) {
        uint64_t sz = note_size(src, e, off, end, al);
        if (!sz)
            return n + 1; /* a malformed tail */
        off += sz;
        n++;
    }
    return n + (off < end);
}

static void note_set(const FmtSrc *src, const Elf *e, uint64_t start, uint64_t end, uint64_t al,
                     uint64_t first, const char *name, FmtNode *out)
{
    fmt_group(out, &fmt_elf, K_NOTES, name, start, end - start, 0);
    out->nkids = notes_count(src, e, start, end, al);
    out->a[0] = e->base;
    out->a[1] = start;
    out->a[2] = end;
    out->a[3] = first << 1 | (al == 8);
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "notes from %" PRIu64, first + 1);
}

static const char *note_type(const char *owner, uint64_t t)
{
    if (!strcmp(owner, "GNU")) {
        switch (t) {
        case 1: return "NT_GNU_ABI_TAG";
        case 2: return "NT_GNU_HWCAP";
        case 3: return "NT_GNU_BUILD_ID";
        case 4: return "NT_GNU_GOLD_VERSION";
        case 5: return "NT_GNU_PROPERTY_TYPE_0";
        default: return "unknown";
        }
    }
    if (!strcmp(owner, "CORE")) {
        switch (t) {
        case 1: return "NT_PRSTATUS";
        case 2: return "NT_FPREGSET";
        case 3: return "NT_PRPSINFO";
        case 4: return "NT_TASKSTRUCT";
        case 6: return "NT_AUXV";
        case 0x46494c45: return "NT_FILE";
        case 0x53494749: return "NT_SIGINFO";
        default: return "unknown";
        }
    }
    return "unknown";
}

/* Read a note's header and owner name. */
static void note_head(const FmtSrc *src, const Elf *e, uint64_t off, uint64_t *namesz,
                      uint64_t *descsz, uint64_t *type, char *owner, size_t n)
{
    uint8_t b[12 + 16];
    fmt_read(src, off, b, sizeof b);
    *namesz = fmt_get(b, 4, e->big);
    *descsz = fmt_get(b + 4, 4, e->big);
    *type = fmt_get(b + 8, 4, e->big);
    size_t k = 0;
    for (uint64_t i = 0; i < *namesz && i < 16 && b[12 + i] && k + 1 < n; i++)
        owner[k++] = b[12 + i] >= 0x20 && b[12 + i] < 0x7f ? (char)b[12 + i] : '.';
    owner[k] = 0;
}

static int notes_child(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t off = p->a[1], end = p->a[2], first = p->a[3] >> 1, al = p->a[3] & 1 ? 8 : 4;
    for (uint64_t k = 0; k < i; k++) {
        uint64_t sz = note_size(src, e, off, end, al);
        if (!sz) {
            fmt_bad(out, "note", off, "a note does not fit in its section");
            return 0;
        }
        off += sz;
    }
    char name[FMT_NAME];
    if (i == NOTE_RUN) {
        snprintf(name, sizeof name, "more from note %" PRIu64, first + NOTE_RUN + 1);
        note_set(src, e, off, end, al, first + NOTE_RUN, name, out);
        return 0;
    }
    uint64_t sz = note_size(src, e, off, end, al);
    if (!sz) {
        snprintf(name, sizeof name, "note %" PRIu64, first + i + 1);
        fmt_bad(out, name, off, "note does not fit in the %" PRIu64 " bytes left", end - off);
        return 0;
    }
    uint64_t namesz, descsz, type;
    char owner[20];
    note_head(src, e, off, &namesz, &descsz, &type, owner, sizeof owner);
    fmt_group(out, &fmt_elf, K_NOTE, "", off, sz, 5);
    fmt_name(out, "note %" PRIu64 " %s", first + i + 1, owner);
    out->a[0] = e->base;
    out->a[1] = off;
    out->a[2] = al;
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%s", note_type(owner, type));
    return 0;
}

static int note_child(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    uint64_t off = p->a[1], al = p->a[2], namesz, descsz, type;
    char owner[20];
    note_head(src, e, off, &namesz, &descsz, &type, owner, sizeof owner);
    static const FmtField f[] = {
        {"n_namesz", 0, 4, FV_UINT}, {"n_descsz", 4, 4, FV_UINT}, {"n_type", 8, 4, FV_UINT}};
    if (i < 3) {
        fmt_field(out, &f[i], off, e->big);
        if (i == 2)
            snprintf(out->note, sizeof out->note, "%s", note_type(owner, type));
        return 0;
    }
    /* The sizes were checked by note_size when the note was made. */
    if (i == 3) {
        memset(out, 0, sizeof *out);
        fmt_name(out, "name");
        out->off = off + 12;
        out->len = namesz;
        out->val = FV_ASCII;
        return 0;
    }
    memset(out, 0, sizeof *out);
    fmt_name(out, "desc");
    out->off = off + align_up(12 + align_up(namesz, 4), al);
    out->len = descsz;
    out->val = FV_BYTES;
    return 0;
}

/* ---- symbols and dynamic entries ---- */

/* The table of section a[1] again: its start, stride, string table. */
static int sec_table(const FmtSrc *src, const Elf *e, const FmtNode *p, unsigned need,
                     uint64_t *each, Shdr *s)
{
    if (shdr(src, e, p->a[1], s) < 0)
        return -ERANGE;
    *each = s->entsize >= need ? s->entsize : need;
    return 0;
}

static int sym_child(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Shdr s;
    uint64_t each;
    if (sec_table(src, e, p, e->is64 ? 24 : 16, &each, &s) < 0)
        return -EINVAL;
    uint64_t off = p->off + i * each;
    uint8_t b[24];
    fmt_read(src, off, b, sizeof b);
    uint64_t name = fmt_get(b, 4, e->big), value, size, info;
    if (e->is64) {
        info = b[4];
        value = fmt_get(b + 8, 8, e->big);
        size = fmt_get(b + 16, 8, e->big);
    } else {
        value = fmt_get(b + 4, 4, e->big);
        size = fmt_get(b + 8, 4, e->big);
        info = b[12];
    }
    char nm[NAME_MAX_READ];
    str_at(src, e, s.link, name, nm, sizeof nm);
    fmt_group(out, &fmt_elf, K_SYM, "", off, e->is64 ? 24 : 16, N_SYM);
    fmt_name(out, "symbol %" PRIu64 "%s%s", i, nm[0] ? " " : "", nm);
    out->a[0] = e->base;
    out->a[1] = p->a[1];
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "%s %s 0x%" PRIx64 " size %" PRIu64,
             symtype_note((unsigned)(info & 15)), bind_note((unsigned)(info >> 4)), value, size);
    return 0;
}

static int sym_field(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    const FmtField *f = e->is64 ? &sym64[i] : &sym32[i];
    fmt_field(out, f, p->off, e->big);
    uint64_t v = 0;
    if (fmt_uint(src, out->off, f->len, e->big, &v) < 0)
        return 0;
    if (!strcmp(f->name, "st_name")) {
        Shdr s;
        if (shdr(src, e, p->a[1], &s) == 0)
            str_at(src, e, s.link, v, out->note, sizeof out->note);
    } else if (!strcmp(f->name, "st_info")) {
        snprintf(out->note, sizeof out->note, "%s %s", symtype_note((unsigned)(v & 15)),
                 bind_note((unsigned)(v >> 4)));
    } else if (!strcmp(f->name, "st_other")) {
        static const char *const vis[] = {"DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"};
        snprintf(out->note, sizeof out->note, "%s", vis[v & 3]);
    } else if (!strcmp(f->name, "st_shndx")) {
        if (v == 0)
            snprintf(out->note, sizeof out->note, "UND");
        else if (v == 0xfff1)
            snprintf(out->note, sizeof out->note, "ABS");
        else if (v == 0xfff2)
            snprintf(out->note, sizeof out->note, "COMMON");
        else if (v == 0xffff)
            snprintf(out->note, sizeof out->note, "XINDEX");
        else if (v < e->shnum) {
            Shdr t;
            if (shdr(src, e, v, &t) == 0)
                str_at(src, e, e->shstrndx, t.name, out->note, sizeof out->note);
        }
    }
    return 0;
}

static int dyn_child(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Shdr s;
    uint64_t each;
    unsigned w = e->is64 ? 8 : 4;
    if (sec_table(src, e, p, 2 * w, &each, &s) < 0)
        return -EINVAL;
    uint64_t off = p->off + i * each, tag = 0, val = 0;
    fmt_uint(src, off, w, e->big, &tag);
    fmt_uint(src, off + w, w, e->big, &val);
    fmt_group(out, &fmt_elf, K_DYN, "", off, 2 * w, 2);
    fmt_name(out, "dynamic %" PRIu64 " %s", i, dtag_note(tag));
    out->a[0] = e->base;
    out->a[1] = p->a[1];
    out->val = FV_TEXT;
    char str[NAME_MAX_READ] = "";
    if (tag == 1 || tag == 14 || tag == 15 || tag == 29)
        str_at(src, e, s.link, val, str, sizeof str);
    if (str[0])
        snprintf(out->text, sizeof out->text, "%s", str);
    else
        snprintf(out->text, sizeof out->text, "0x%" PRIx64, val);
    return 0;
}

static int dyn_field(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    unsigned w = e->is64 ? 8 : 4;
    FmtField f = {i == 0 ? "d_tag" : "d_val", (uint32_t)(i * w), w, i == 0 ? FV_SINT : FV_HEXN};
    fmt_field(out, &f, p->off, e->big);
    uint64_t tag = 0, val = 0;
    fmt_uint(src, p->off, w, e->big, &tag);
    fmt_uint(src, p->off + w, w, e->big, &val);
    if (i == 0) {
        snprintf(out->note, sizeof out->note, "%s", dtag_note(tag));
    } else if (tag == 1 || tag == 14 || tag == 15 || tag == 29) {
        Shdr s;
        if (shdr(src, e, p->a[1], &s) == 0)
            str_at(src, e, s.link, val, out->note, sizeof out->note);
    }
    return 0;
}

/* Relocation i of section a[1] (SHT_RELA or SHT_REL): named by its
 * symbol, looked up in the linked symbol table and its string table. */
static int rel_child(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Shdr s, sym;
    uint64_t each;
    if (shdr(src, e, p->a[1], &s) < 0)
        return -EINVAL;
    bool rela = s.type == 4;
    unsigned w = e->is64 ? 8 : 4, rsz = rel_size(e, rela);
    each = s.entsize >= rsz ? s.entsize : rsz;
    uint64_t off = p->off + i * each, roff = 0, info = 0;
    fmt_uint(src, off, w, e->big, &roff);
    fmt_uint(src, off + w, w, e->big, &info);
    uint64_t symi = e->is64 ? info >> 32 : info >> 8,
             type = e->is64 ? info & 0xffffffff : info & 0xff;
    char nm[NAME_MAX_READ] = "";
    unsigned ssz = e->is64 ? 24 : 16;
    if (symi && s.link < e->shnum && shdr(src, e, s.link, &sym) == 0 && sym.type != 8 &&
        sym.offset <= src->size - e->base) {
        uint64_t name = 0, se = sym.entsize >= ssz ? sym.entsize : ssz;
        uint64_t at = e->base + sym.offset + symi * se, sinfo = 0, shndx = 0;
        if (symi < sym.size / se && fmt_uint(src, at, 4, e->big, &name) == 0)
            str_at(src, e, sym.link, name, nm, sizeof nm);
        /* A section symbol has no name of its own: its section's. */
        Shdr t;
        if (!nm[0] && symi < sym.size / se &&
            fmt_uint(src, at + (e->is64 ? 4 : 12), 1, false, &sinfo) == 0 && (sinfo & 15) == 3 &&
            fmt_uint(src, at + (e->is64 ? 6 : 14), 2, e->big, &shndx) == 0 && shndx < e->shnum &&
            shdr(src, e, shndx, &t) == 0)
            str_at(src, e, e->shstrndx, t.name, nm, sizeof nm);
    }
    fmt_group(out, &fmt_elf, K_REL, "", off, rsz, rela ? 3 : 2);
    fmt_name(out, "relocation %" PRIu64 "%s%s", i, nm[0] ? " " : "", nm);
    out->a[0] = e->base;
    out->a[1] = p->a[1];
    out->val = FV_TEXT;
    snprintf(out->text, sizeof out->text, "type %" PRIu64 " at 0x%" PRIx64 " symbol %" PRIu64, type,
             roff, symi);
    return 0;
}

static int rel_field(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t i, FmtNode *out)
{
    unsigned w = e->is64 ? 8 : 4;
    static const char *const names[] = {"r_offset", "r_info", "r_addend"};
    FmtField f = {names[i], (uint32_t)(i * w), w, i == 2 ? FV_SINT : FV_HEXN};
    fmt_field(out, &f, p->off, e->big);
    uint64_t info = 0;
    if (i == 1 && fmt_uint(src, out->off, w, e->big, &info) == 0)
        snprintf(out->note, sizeof out->note, "type %" PRIu64 ", symbol %" PRIu64,
                 e->is64 ? info & 0xffffffff : info & 0xff, e->is64 ? info >> 32 : info >> 8);
    return 0;
}

/* ---- child and find ---- */

static int child(const FmtSrc *src, const FmtNode *p, uint64_t i, FmtNode *out)
{
    Elf e;
    if (load(src, p->a[0], &e) < 0) {
        fmt_bad(out, "ELF", p->a[0], "the ELF header is gone");
        return 0;
    }
    char why[64];
    Table t;
    switch (p->kind) {
    case K_ROOT: return root_child(src, &e, p, i, out);
    case K_EHDR:
        if (i < N_IDENT)
            fmt_field(out, &ident_fields[i], e.base, e.big);
        else
            fmt_field(out, &(e.is64 ? ehdr64 : ehdr32)[i - N_IDENT], e.base, e.big);
        field_notes(src, &e, out);
        return 0;
    case K_PHDRS: {
        if (ph_table(src, &e, &t, why, sizeof why) < 0 || i >= t.n) {
            fmt_bad(out, "program header", p->off, "the table changed");
            return 0;
        }
        uint64_t off = t.off + i * t.each, type = 0, flags = 0, foff = 0;
        fmt_uint(src, off, 4, e.big, &type);
        fmt_uint(src, off + (e.is64 ? 4 : 24), 4, e.big, &flags);
        fmt_uint(src, off + (e.is64 ? 8 : 4), e.is64 ? 8 : 4, e.big, &foff);
        fmt_group(out, &fmt_elf, K_PHDR, "", off, e.is64 ? 56 : 32, N_PHDR);
        fmt_name(out, "program header %" PRIu64, i);
        out->a[0] = e.base;
        out->val = FV_TEXT;
        char fl[8];
        pflags_note(flags, fl, sizeof fl);
        snprintf(out->text, sizeof out->text, "%s at 0x%" PRIx64 " %s", ptype_note(type), foff, fl);
        return 0;
    }
    case K_PHDR:
        fmt_field(out, &(e.is64 ? phdr64 : phdr32)[i], p->off, e.big);
        field_notes(src, &e, out);
        return 0;
    case K_SHDRS: {
        if (sh_table(src, &e, &t, why, sizeof why) < 0 || i >= t.n) {
            fmt_bad(out, "section header", p->off, "the table changed");
            return 0;
        }
        Shdr s;
        shdr(src, &e, i, &s);
        fmt_group(out, &fmt_elf, K_SHDR, "", t.off + i * t.each, e.is64 ? 64 : 40, N_SHDR + 1);
        sec_name(src, &e, i, &s, out);
        out->a[0] = e.base;
        out->a[1] = i;
        out->val = FV_TEXT;
        snprintf(out->text, sizeof out->text, "%s at 0x%" PRIx64 " size %" PRIu64,
                 shtype_note(s.type), s.offset, s.size);
        return 0;
    }
    case K_SHDR:
        if (i < N_SHDR) {
            fmt_field(out, &(e.is64 ? shdr64 : shdr32)[i], p->off, e.big);
            field_notes(src, &e, out);
            return 0;
        }
        contents(src, &e, p->a[1], "contents", out);
        break;
    case K_SECS: {
        Shdr s;
        FmtNode tmp;
        memset(&tmp, 0, sizeof tmp);
        if (shdr(src, &e, i, &s) == 0)
            sec_name(src, &e, i, &s, &tmp);
        else
            fmt_name(&tmp, "section %" PRIu64, i);
        contents(src, &e, i, tmp.name, out);
        break;
    }
    case K_SYMS: return sym_child(src, &e, p, i, out);
    case K_SYM: return sym_field(src, &e, p, i, out);
    case K_DYNS: return dyn_child(src, &e, p, i, out);
    case K_DYN: return dyn_field(src, &e, p, i, out);
    case K_RELS: return rel_child(src, &e, p, i, out);
    case K_REL: return rel_field(src, &e, p, i, out);
    case K_NOTES: return notes_child(src, &e, p, i, out);
    case K_NOTE: return note_child(src, &e, p, i, out);
    default: return -EINVAL;
    }
    return 0;
}

/* A note run's child holding off: walks at most NOTE_RUN notes. */
static uint64_t notes_find(const FmtSrc *src, const Elf *e, const FmtNode *p, uint64_t off)
{
    uint64_t at = p->a[1], end = p->a[2], al = p->a[3] & 1 ? 8 : 4;
    for (uint64_t k = 0; k < NOTE_RUN && at < end; k++) {
        uint64_t sz = note_size(src, e, at, end, al);
        if (!sz || off < at + sz)
            return off >= at ? k : UINT64_MAX;
        at += sz;
    }
    return at < end && off >= at ? NOTE_RUN : UINT64_MAX;
}

static uint64_t find(const FmtSrc *src, const FmtNode *p, uint64_t off)
{
    Elf e;
    if (off < p->off || load(src, p->a[0], &e) < 0)
        return UINT64_MAX;
    Shdr s;
    uint64_t each = 0;
    switch (p->kind) {
    case K_PHDRS: each = e.phentsize; break;
    case K_SHDRS: each = e.shentsize; break;
    case K_SYMS:
        if (sec_table(src, &e, p, e.is64 ? 24 : 16, &each, &s) < 0)
            return UINT64_MAX;
        break;
    case K_DYNS:
        if (sec_table(src, &e, p, e.is64 ? 16 : 8, &each, &s) < 0)
            return UINT64_MAX;
        break;
    case K_RELS:
        if (shdr(src, &e, p->a[1], &s) < 0)
            return UINT64_MAX;
        each = rel_size(&e, s.type == 4);
        each = s.entsize >= each ? s.entsize : each;
        break;
    case K_NOTES: return notes_find(src, &e, p, off);
    case K_SECS: {
        /* The first section (of the first SECS_FIND) whose bytes hold off,
         * read a few headers at a time. */
        uint64_t n = p->nkids < SECS_FIND ? p->nkids : SECS_FIND;
        for (uint64_t i = 1; i < n; i++) {
            if (shdr(src, &e, i, &s) < 0)
                break;
            uint64_t at = e.base + s.offset;
            if (s.type != 8 && s.size && s.offset <= src->size - e.base && off >= at &&
                off - at < s.size)
                return i;
        }
        return UINT64_MAX;
    }
    default:
        if (p->nkids > FMT_SCAN)
            return UINT64_MAX;
        for (uint64_t i = 0; i < p->nkids; i++) {
            FmtNode k;
            if (fmt_child(src, p, i, &k) == 0 && k.len && off >= k.off && off - k.off < k.len)
                return i;
        }
        return UINT64_MAX;
    }
    if (!each)
        return UINT64_MAX;
    uint64_t i = (off - p->off) / each;
    return i < p->nkids ? i : UINT64_MAX;
}

const FmtDecoder fmt_elf = {
    .name = "elf",
    .title = "ELF",
    .probe = probe,
    .root = root,
    .child = child,
    .find = find,
};
