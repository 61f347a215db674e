/*
 * map: a file mapped whole into memory, and every syscall made on it.
 *
 * A Map owns the file descriptor and the mapping. It is the only module that
 * dereferences mapped memory: callers read and write bytes through map_read,
 * map_write and map_visit, each guarded against SIGBUS (see guard.h), so a
 * file truncated by another process gives -MMH_ETRUNC and a new size, never a
 * dead process. map_addr hands out addresses as integers for the residency
 * module's address-taking syscalls (mincore, pagemap); they are never to be
 * dereferenced.
 *
 * Modes (DESIGN.md section 2):
 *   read-only  PROT_READ, MAP_SHARED, file opened O_RDONLY; edits -EROFS.
 *   copy       PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_NORESERVE, O_RDONLY:
 *              edits land in private copy-on-write pages; the file is not
 *              touched until map_commit() pwrites the edited runs.
 *              Not a snapshot: unedited pages still show others' writes.
 *   shared     PROT_READ|PROT_WRITE, MAP_SHARED, O_RDWR: edits are live in
 *              the page cache; map_flush() makes them durable.
 *
 * Kinds: regular files of any size the address space allows (a 16 TiB
 * sparse file maps as fast as a 1 KiB one), empty files (no mapping; an empty
 * document that maps itself if the file grows), block devices (size from
 * BLKGETSIZE64). Everything else is refused by map_open with its own code.
 *
 * Every fallible call returns 0 or -errno and leaves the Map consistent: on
 * failure nothing it reports has changed. The core never prints or exits;
 * map_strerror() turns a code into a sentence for the UI.
 */
#ifndef MMH_MAP_H
#define MMH_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extent.h"
#include "rangeset.h"
#include "sys.h"

typedef struct Map Map;

typedef enum MmhMode {
    MMH_MODE_AUTO,     /* copy for writable files; read-only otherwise and for block devices */
    MMH_MODE_READONLY, /* -r */
    MMH_MODE_COPY,     /* -c */
    MMH_MODE_SHARED,   /* -s */
} MmhMode;

typedef enum MmhKind {
    MMH_KIND_FILE,     /* a regular file (possibly empty) */
    MMH_KIND_BLOCKDEV, /* a block device */
} MmhKind;

typedef enum MmhAdvice {
    MMH_ADV_NORMAL,     /* MADV_NORMAL: read-around of the readahead window */
    MMH_ADV_SEQUENTIAL, /* MADV_SEQUENTIAL: aggressive readahead, early drop */
    MMH_ADV_RANDOM,     /* MADV_RANDOM: one page per fault */
} MmhAdvice;

typedef struct MapOpts {
    MmhMode mode;      /* what the user asked for */
    const SysOps *sys; /* syscall table; NULL means sys_default */
} MapOpts;

/* Codes of mmhex's own, returned negated like -errno. They lie above every
 * errno value (the kernel's stop below 4096), so a real errno from a syscall
 * (an ENXIO from open, say) is never mistaken for one of them. */
#define MMH_ETRUNC 4097    /* the range lies past the end: the file was truncated */
#define MMH_ENOMMAP 4098   /* a regular file whose file system cannot mmap it (/sys) */
#define MMH_EREPLACED 4099 /* the path now names another file (renamed over) */

/*
 * Error codes with a meaning of their own here (map_strerror words them):
 *   map_open: -ENOENT, -EACCES as usual; -EISDIR directory; -ESPIPE FIFO;
 *     -EPROTOTYPE socket; -ENODEV character device; -MMH_ENOMMAP a regular
 *     file that its file system will not map (sysfs); -ENODATA a non-empty
 *     file that reports size 0 (/proc, /sys); -EROFS shared mode asked for a
 *     file that cannot be opened for writing; -ETXTBSY shared mode asked for
 *     a running program (the kernel refuses to open it for writing; auto
 *     mode opens it read-only and copy mode keeps it, each with a notice).
 *   byte access: -MMH_ETRUNC the range lies past the end of the file (it was
 *     truncated: map_size() now gives the new size); -ENOSPC the file system
 *     is full and the page is a hole the kernel could not fill (a write, or
 *     on tmpfs even a read); -EIO the kernel could not read the page
 *     otherwise; -EROFS the mode does not allow edits.
 */

/* Open and map path. On success *out owns the file; on failure *out is NULL
 * and nothing is left open. */
int map_open(Map **out, const char *path, const MapOpts *opts);

/* Unlock, unmap and close. Copy-mode edits not committed are dropped. */
void map_close(Map *m);

/* A sentence for the UI about a choice map_open made on its own (for
 * example "read-only: no write permission"), or NULL. */
const char *map_notice(const Map *m);

/* Words for a code returned by this module (static or strerror storage). */
const char *map_strerror(int rc);

/* ---- facts ------------------------------------------------------------ */
const char *map_path(const Map *m);
uint64_t map_size(const Map *m); /* bytes, as of the last refresh or fault */
MmhMode map_mode(const Map *m);  /* never MMH_MODE_AUTO */
MmhKind map_kind(const Map *m);
bool map_file_writable(const Map *m); /* the file itself could be opened O_RDWR */
size_t map_pagesize(const Map *m);
uint64_t map_readahead(Map *m); /* readahead window in bytes (2 MiB if unknown);
                                   read from the device on first use */

/* The address of byte off as an integer, for syscalls that take addresses
 * (mincore, pagemap). 0 when nothing is mapped. Never dereference it. */
uintptr_t map_addr(const Map *m, uint64_t off);

/* ---- bytes (guarded against SIGBUS) ------------------------------------ */

/* Copy len bytes at off into buf. 0, or -MMH_ETRUNC if any of it lies past the
 * end (nothing useful in buf), -ENOSPC (a hole on a full tmpfs), -EIO. */
int map_read(Map *m, uint64_t off, void *buf, size_t len);

/* Overwrite len bytes at off. -EROFS in read-only mode; -MMH_ETRUNC past the end;
 * -ENOSPC filling a hole on a full file system; -EIO. A fault part-way may
 * leave a prefix written. */
int map_write(Map *m, uint64_t off, const void *buf, size_t len);

/* Lend fn the mapped bytes [off, off+len) directly (no copy), with the guard
 * armed. fn returns 0 to go on or anything else to stop; that value is
 * returned. If the pages fault, fn is abandoned mid-call (so it must not
 * allocate or take locks) and -MMH_ETRUNC/-EIO comes back. */
typedef int (*MapVisitFn)(const uint8_t *p, size_t len, uint64_t off, void *ctx);
int map_visit(Map *m, uint64_t off, size_t len, MapVisitFn fn, void *ctx);

/* As map_visit, but fn gets [off, off+len) in one piece, and several
 * threads may call it at once: a fault changes nothing in the map (no
 * remap); -MMH_ETRUNC then tells the caller to map_refresh once no other
 * thread reads the map. */
int map_visit_span(Map *m, uint64_t off, size_t len, MapVisitFn fn, void *ctx);

/* ---- size changes ------------------------------------------------------ */

/* fstat (BLKGETSIZE64 for devices); if the size changed, remap to the new
 * size (mremap keeps copy-mode pages that are still inside the file).
 * *old_size (may be NULL) gets the size before. */
int map_refresh(Map *m, uint64_t *old_size);

/* ---- flush ------------------------------------------------------------- */

typedef struct MapFlushResult {
    int64_t pages; /* dirty pages before minus after (cachestat), -1 if unknown */
    uint64_t ns;   /* time taken */
} MapFlushResult;

/* Flush [off, off+len) (len 0: to the end). wait: msync(MS_SYNC) in shared
 * mode, sync_file_range(WAIT|WRITE|WAIT) otherwise, so the file's dirty
 * pages are on disk on return. !wait: start writeback
 * (sync_file_range(SYNC_FILE_RANGE_WRITE)) and return; cachestat's
 * nr_writeback shows it draining. res may be NULL. */
int map_flush(Map *m, uint64_t off, uint64_t len, bool wait, MapFlushResult *res);

/* ---- locking ----------------------------------------------------------- */

/* Lock the pages covering [off, off+len) into memory (len 0: to the end).
 * Copy mode uses mlock2(MLOCK_ONFAULT): plain mlock would copy every page.
 * -ENOMEM past RLIMIT_MEMLOCK (see map_lock_message), -EPERM, -EAGAIN. */
int map_lock(Map *m, uint64_t off, uint64_t len);
int map_unlock(Map *m, uint64_t off, uint64_t len);
const RangeSet *map_locked(const Map *m); /* page-aligned locked ranges */

typedef struct MapLockLimit {
    uint64_t limit;          /* RLIMIT_MEMLOCK soft limit, bytes */
    bool unlimited;          /* RLIM_INFINITY or CAP_IPC_LOCK-free of it */
    uint64_t process_locked; /* VmLck of this process, bytes */
    uint64_t map_locked;     /* locked by this map, bytes */
} MapLockLimit;

int map_lock_limit(const Map *m, MapLockLimit *out);

/* Word the result of map_lock for the status line, naming the limit and how
 * much is locked when rc is -ENOMEM. Returns buf. */
char *map_lock_message(const Map *m, int rc, char *buf, size_t n);

/* ---- advice, eviction, prefetch ---------------------------------------- */

int map_advise(Map *m, MmhAdvice adv); /* whole map; remembered */
MmhAdvice map_advice(const Map *m);
const char *map_advice_name(MmhAdvice adv); /* "normal", "sequential", "random" */

typedef struct MapEvictResult {
    int64_t before;       /* cached pages in the range before, -1 if unknown */
    int64_t after;        /* and after */
    uint64_t kept_edited; /* copy mode: pages kept because they hold edits */
    uint64_t lo, hi;      /* the range dropped: the one asked for rounded out
                             to 2 MiB, hi clipped to the file size (lo == hi:
                             nothing, the range lay past the end) */
} MapEvictResult;

/* Drop [off, off+len) (len 0: to the end), rounded out to 2 MiB (ext4 caches
 * in folios that large; res->lo/hi say what that came to), from memory:
 * munlock, msync (shared), MADV_DONTNEED (never on pages holding copy-mode
 * edits), posix_fadvise(DONTNEED). res may be NULL. */
int map_evict(Map *m, uint64_t off, uint64_t len, MapEvictResult *res);

/* Ask the kernel to read [off, off+len) ahead: MADV_WILLNEED in chunks no
 * larger than the readahead window (one call reads no more than that), or,
 * with populate, MADV_POPULATE_READ (synchronous; pages end up mapped).
 * Callers bound len per UI tick. */
int map_prefetch(Map *m, uint64_t off, uint64_t len, bool populate);

/* ---- data and holes --------------------------------------------------- */

/* The start of the nearest data region (data true) or hole (false) strictly
 * after from (forward) or strictly before it (backward), from
 * SEEK_DATA/SEEK_HOLE. The implicit hole at the end of the file does not
 * count. -ENXIO when there is none; a file system that does not report
 * holes (extent.h) has one data region. Cost: a few lseeks forward; backward,
 * O(log distance) probes plus the regions in the last window. */
int map_seek_region(Map *m, uint64_t from, bool data, bool backward, uint64_t *out);

/* The region holding pos (< map_size): *data says whether it is data, *end
 * where it ends (at most the size). -ENXIO when pos >= map_size. One
 * extent_at: extent.h words the policy for file systems that cannot tell. */
int map_region(Map *m, uint64_t pos, bool *data, uint64_t *end);

/* An extent iterator (extent.h) over the file up to map_size as of now; a
 * block device is all data. For walkers that ask again and again; it does
 * not follow later size changes, and must not outlive m. */
void map_extent_iter(const Map *m, ExtentIter *it);

/* ---- changes made by others ------------------------------------------- */

typedef struct MapStamp {
    uint64_t size;              /* st_size (0 for a block device) */
    int64_t mtime_ns, ctime_ns; /* change times: a rewrite at the same size moves them */
} MapStamp;

/* fstat the open file, to notice changes made by others that keep its size
 * (another process's `cat new > file` truncates, then writes: in copy mode
 * the kernel has dropped every private page meanwhile). */
int map_stamp(Map *m, MapStamp *out);

/* Does the path given to map_open still name the open file? 0 yes (or it
 * cannot be told), -MMH_EREPLACED another file is there now (renamed over),
 * -ENOENT nothing is (deleted). One stat of the path. */
int map_path_check(const Map *m);

/* ---- copy-mode write-back ---------------------------------------------- */

/* Write the edited runs (sorted, disjoint) to the file: pwrite each run's
 * bytes from the private copy, fsync, then drop the private pages that the
 * runs cover wholly or partly (the page cache now holds the same bytes).
 * Cost grows with the edits, not the file. -EROFS outside copy mode or when
 * the file cannot be opened for writing, -ETXTBSY when it is a running
 * program; on any error the private copies stay, so nothing is lost. */
int map_commit(Map *m, const MmhSpan *runs, size_t n);

/* The same, with the bytes to write from src instead of the private copy,
 * and keeping the private pages (map_discard drops them). src fills buf with
 * the len bytes at off and returns 0 or -errno. */
typedef int (*MapSourceFn)(uint64_t off, uint8_t *buf, size_t len, void *ctx);
int map_commit_from(Map *m, const MmhSpan *runs, size_t n, MapSourceFn src, void *ctx);

/* Copy mode: drop the private copies of the pages covering the runs, so they
 * show the file again (after a commit, or when they hold nothing net). Locked
 * pages stay. Nothing in other modes. */
void map_discard(Map *m, const MmhSpan *runs, size_t n);

#endif
