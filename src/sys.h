/*
 * sys: the table of system calls the paging core makes.
 *
 * Every syscall that the mapping and residency modules make goes through a
 * SysOps table, so tests can swap in one that fails the n-th call (fault
 * injection in SQLite's manner). The table is passed to map_open(); the core
 * keeps no mutable global copy of it. sys_default is the real thing.
 *
 * Each entry has the libc calling convention (return -1 and set errno),
 * except where noted, so callers can write `if (ops->x(...) < 0) return -errno;`.
 *
 * Newer kernel interfaces that Debian 12's headers lack (cachestat, 6.5; the
 * PAGEMAP_SCAN ioctl, 6.7) are declared here with their kernel ABI.
 */
#ifndef MMH_SYS_H
#define MMH_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

struct fiemap;

/* struct cachestat_range / struct cachestat from <linux/mman.h> (6.5). */
typedef struct SysCacheRange {
    uint64_t off; /* first byte of the range */
    uint64_t len; /* bytes; 0 means "to the end of the file" */
} SysCacheRange;

typedef struct SysCacheStat {
    uint64_t nr_cache;            /* pages in the page cache */
    uint64_t nr_dirty;            /* of those, dirty */
    uint64_t nr_writeback;        /* of those, under writeback */
    uint64_t nr_evicted;          /* shadow entries left by reclaim */
    uint64_t nr_recently_evicted; /* of those, still within the workingset */
} SysCacheStat;

/* struct page_region / struct pm_scan_arg from <linux/fs.h> (6.7). */
typedef struct SysPageRegion {
    uint64_t start;      /* address of the first page */
    uint64_t end;        /* address past the last page */
    uint64_t categories; /* SYS_PAGE_IS_* bits of the run */
} SysPageRegion;

typedef struct SysPmScanArg {
    uint64_t size;                /* sizeof(SysPmScanArg) */
    uint64_t flags;               /* 0 */
    uint64_t start, end;          /* address range to scan */
    uint64_t walk_end;            /* out: where the walk stopped */
    uint64_t vec;                 /* SysPageRegion array */
    uint64_t vec_len;             /* its length */
    uint64_t max_pages;           /* 0: no limit */
    uint64_t category_inverted;   /* categories that must be clear */
    uint64_t category_mask;       /* categories that must match */
    uint64_t category_anyof_mask; /* at least one of these */
    uint64_t return_mask;         /* categories to report */
} SysPmScanArg;

#define SYS_PAGEMAP_SCAN _IOWR('f', 16, SysPmScanArg)
#define SYS_PAGE_IS_WPALLOWED (1u << 0)
#define SYS_PAGE_IS_WRITTEN (1u << 1)
#define SYS_PAGE_IS_FILE (1u << 2)
#define SYS_PAGE_IS_PRESENT (1u << 3)
#define SYS_PAGE_IS_SWAPPED (1u << 4)
#define SYS_PAGE_IS_PFNZERO (1u << 5)

typedef struct SysOps {
    int (*open)(const char *path, int flags, int mode);
    int (*close)(int fd);
    int (*fstat)(int fd, struct stat *st);
    int (*faccessat)(int dirfd, const char *path, int mode, int flags);
    int (*ioctl)(int fd, unsigned long req, void *arg);
    off_t (*lseek)(int fd, off_t off, int whence);
    ssize_t (*pread)(int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(int fd, const void *buf, size_t n, off_t off);
    int (*fsync)(int fd);
    int (*sync_file_range)(int fd, off_t off, off_t n, unsigned flags);
    /* posix_fadvise returns an error number (not -1/errno), as POSIX says. */
    int (*fadvise)(int fd, off_t off, off_t n, int advice);
    void *(*mmap)(void *addr, size_t n, int prot, int flags, int fd, off_t off);
    int (*munmap)(void *addr, size_t n);
    void *(*mremap)(void *old, size_t old_n, size_t new_n, int flags);
    int (*msync)(void *addr, size_t n, int flags);
    int (*mlock)(const void *addr, size_t n);
    int (*mlock2)(const void *addr, size_t n, unsigned flags);
    int (*munlock)(const void *addr, size_t n);
    int (*madvise)(void *addr, size_t n, int advice);
    int (*mincore)(void *addr, size_t n, unsigned char *vec);
    int (*cachestat)(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags);
    int (*getrlimit)(int res, struct rlimit *rl);
    int (*getrusage)(int who, struct rusage *ru);
    /* May be NULL (a table written before it was added): the file
     * system's free space is then unknown. */
    int (*fstatvfs)(int fd, struct statvfs *st);
    /* save.c creates its copy with this (O_TMPFILE or a named file). May
     * be NULL (a table written before it was added): openat(2) is used. */
    int (*openat)(int dirfd, const char *path, int flags, int mode);
    /* ioctl(FS_IOC_FIEMAP): fm is the kernel's struct fiemap (<linux/fiemap.h>)
     * with room for fm_extent_count extents after it. diff.c asks it which
     * extents two files share. May be NULL (a table written before it was
     * added): no extent is then taken as shared. */
    int (*fiemap)(int fd, struct fiemap *fm);
} SysOps;

/* The real system calls. */
extern const SysOps sys_default;

/* pwrite all n bytes through ops, retrying short writes and EINTR.
 * 0 or -errno (-EIO if the file takes no more). */
int sys_pwrite_all(const SysOps *ops, int fd, const void *buf, size_t n, uint64_t off);

/* CLOCK_MONOTONIC in nanoseconds, for timing calls (the ns fields of results)
 * and budgets. Not in SysOps: no test fails it, and a clock that cannot fail
 * needs no injection. */
uint64_t sys_now_ns(void);

#endif
