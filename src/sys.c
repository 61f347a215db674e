/*
 * sys: the real system calls behind SysOps (see sys.h).
 *
 * Thin adapters only: each keeps the libc convention of its entry. cachestat
 * has no glibc wrapper in Debian 12, so it is a raw syscall(2).
 */
#include "config.h"

#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

static int sys_open(const char *path, int flags, int mode)
{
    return open(path, flags, mode);
}

static int sys_openat(int dirfd, const char *path, int flags, int mode)
{
    return openat(dirfd, path, flags, mode);
}

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
    return ioctl(fd, req, arg);
}

static int sys_fiemap(int fd, struct fiemap *fm)
{
    return ioctl(fd, FS_IOC_FIEMAP, fm);
}

static int sys_sync_file_range(int fd, off_t off, off_t n, unsigned flags)
{
#ifdef HAVE_SYNC_FILE_RANGE
    return sync_file_range(fd, off, n, flags);
#else
    (void)fd, (void)off, (void)n, (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

static int sys_getrlimit(int res, struct rlimit *rl)
{
    return getrlimit((__rlimit_resource_t)res, rl);
}

static int sys_getrusage(int who, struct rusage *ru)
{
    return getrusage((__rusage_who_t)who, ru);
}

static void *sys_mremap(void *old, size_t old_n, size_t new_n, int flags)
{
    return mremap(old, old_n, new_n, flags);
}

static int sys_mlock2(const void *addr, size_t n, unsigned flags)
{
    return (int)syscall(SYS_mlock2, addr, n, flags);
}

/* Raw syscalls for the lock calls: AddressSanitizer intercepts mlock and
 * munlock and turns them into no-ops, which would make sanitizer builds lie
 * about what is locked. */
static int sys_mlock(const void *addr, size_t n)
{
    return (int)syscall(SYS_mlock, addr, n);
}

static int sys_munlock(const void *addr, size_t n)
{
    return (int)syscall(SYS_munlock, addr, n);
}

static int sys_cachestat(int fd, const SysCacheRange *r, SysCacheStat *cs, unsigned flags)
{
    return (int)syscall(__NR_cachestat, fd, r, cs, flags);
}

const SysOps sys_default = {
    .open = sys_open,
    .close = close,
    .fstat = fstat,
    .faccessat = faccessat,
    .ioctl = sys_ioctl,
    .lseek = lseek,
    .pread = pread,
    .pwrite = pwrite,
    .fsync = fsync,
    .sync_file_range = sys_sync_file_range,
    .fadvise = posix_fadvise,
    .mmap = mmap,
    .munmap = munmap,
    .mremap = sys_mremap,
    .msync = msync,
    .mlock = sys_mlock,
    .mlock2 = sys_mlock2,
    .munlock = sys_munlock,
    .madvise = madvise,
    .mincore = mincore,
    .cachestat = sys_cachestat,
    .getrlimit = sys_getrlimit,
    .getrusage = sys_getrusage,
    .fstatvfs = fstatvfs,
    .openat = sys_openat,
    .fiemap = sys_fiemap,
};

int sys_pwrite_all(const SysOps *ops, int fd, const void *buf, size_t n, uint64_t off)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = ops->pwrite(fd, p, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (w == 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

uint64_t sys_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
