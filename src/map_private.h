/*
 * map_private: the Map's descriptor and syscall table, for the core modules
 * that make syscalls of their own beside the map, and for tests. Not for the
 * UI: it asks doc.h, which asks the map.
 *
 * Who needs them and why they cannot go through a map call:
 *   resid  mincore, cachestat, PAGEMAP_SCAN and /proc/self/pagemap reads
 *          through the same injectable table as the map, on the map's fd
 *          and addresses (a separate table could disagree with the map's).
 *   save   the destination file's syscalls through that same table (fault
 *          injection of save-as), and pread/fstat of the source's fd (a copy
 *          read through the mapping would fault every page in).
 *   tests  check the descriptor's open mode and the table passed in.
 *
 * Below those, for map.c and map-paging.c only: struct Map (map.c states its
 * invariants) and the helpers both files use. Other modules keep to map.h and
 * the two calls above.
 */
#ifndef MMH_MAP_PRIVATE_H
#define MMH_MAP_PRIVATE_H

#include <sys/mman.h>
#include <sys/types.h>

#include "map.h"
#include "sys.h"

int map_fd(const Map *m);            /* the descriptor the map was made from */
const SysOps *map_sys(const Map *m); /* the table map_open was given (or sys_default) */

/* ---- for map.c and map-paging.c only -------------------------------------- */

struct Map {
    const SysOps *sys;  /* every syscall goes through here */
    char *path;         /* as given to map_open, for map_commit's reopen */
    int fd;             /* O_RDWR in shared mode, else O_RDONLY */
    dev_t dev;          /* st_dev and st_ino at open: map_commit checks */
    ino_t ino;          /*   that the path still names the same file */
    MmhMode mode;       /* never MMH_MODE_AUTO */
    MmhKind kind;       /* file or block device */
    bool writable;      /* this process may write the file */
    bool busy;          /* a running program: open(O_RDWR) says ETXTBSY */
    const char *notice; /* static sentence about a choice made, or NULL */
    uint8_t *base;      /* the mapping, NULL when nothing is mapped */
    size_t maplen;      /* bytes mapped at base, a multiple of pagesize */
    uint64_t size;      /* file size as last seen; bounds every access */
    size_t pagesize;    /* sysconf(_SC_PAGESIZE) */
    uint64_t readahead; /* the device's readahead window, bytes; 0 until asked */
    MmhAdvice advice;   /* last advice given, re-applied after growth */
    RangeSet locked;    /* mlocked page-aligned file offsets */
};

static inline uint64_t round_down(uint64_t x, uint64_t a)
{
    return x - x % a;
}

static inline uint64_t round_up(uint64_t x, uint64_t a)
{
    uint64_t r = x % a;
    return r ? x + (a - r) : x;
}

static inline int advice_value(MmhAdvice adv)
{
    switch (adv) {
    case MMH_ADV_SEQUENTIAL: return MADV_SEQUENTIAL;
    case MMH_ADV_RANDOM: return MADV_RANDOM;
    case MMH_ADV_NORMAL: break;
    }
    return MADV_NORMAL;
}

/* In map.c. */
int map_query_size(const Map *m, uint64_t *size);
int map_resize(Map *m, uint64_t size);

/* In map-paging.c. */
int map_lock_pages(Map *m, uint64_t lo, uint64_t hi);
int map_dontneed(Map *m, uint64_t lo, uint64_t hi);

#endif
