/*
 * testutil: fixtures for the unit tests. Every test works in its own
 * temporary directory (make distcheck makes the source tree read-only).
 */
#ifndef MMH_TESTUTIL_H
#define MMH_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"

/* A fresh directory under $TMPDIR (or /tmp), removed by tu_rmdir. */
char *tu_mkdtemp(void);
void tu_rmdir(char *dir);

/* dir/name, malloc'd. */
char *tu_path(const char *dir, const char *name);

/* Create path with len bytes of the pattern byte(i) = (i * 7 + 3) & 0xff,
 * or as a sparse file of size len (nothing written) if sparse. */
void tu_make_file(const char *path, uint64_t len, int sparse);
uint8_t tu_pattern(uint64_t i);

/* Read one byte / n bytes of path with pread (a separate reader). */
int tu_pread_byte(const char *path, uint64_t off);
void tu_pread(const char *path, uint64_t off, void *buf, size_t n);

/* Truncate path to len from a child process, as another program would
 * (the parent's own mappings see it as a stranger's truncation). */
void tu_truncate_by_child(const char *path, uint64_t len);

/* Run fn(path, arg) in a child process, as another program would act on
 * the file, and wait for it; fn may _exit nonzero to say it failed, which
 * aborts the test. */
void tu_by_child(void (*fn)(const char *path, uint64_t arg), const char *path, uint64_t arg);

/* Open path as a document in mode (sys NULL: the real syscalls); aborts
 * when it cannot. */
Doc *tu_open_doc(const char *path, MmhMode mode, const SysOps *sys);

/* len bytes of tu_pattern, malloc'd (at least 1 byte). */
uint8_t *tu_pattern_buf(uint64_t len);

/* Where the file at path, read by a separate reader, first differs from
 * want (len bytes, and its size must be len): -1 when it does not, the size
 * when only the size differs. */
int64_t tu_disk_differs(const char *path, const uint8_t *want, uint64_t len);

/* Mount a tmpfs of size ("1m", "256k") on dir/mnt, made here: the mount
 * point (malloc'd), or NULL with errno set when none can be mounted (not
 * root): the caller skips and says why. Remembered for tu_unmount_all. */
char *tu_mount_tmpfs(const char *dir, const char *size);

/* Remember a mount point made another way (a loop-mounted image). */
void tu_remember_mount(const char *mnt);

/* Unmount every remembered mount (lazily when still busy). Also a cmocka
 * teardown, so a failed test leaves nothing mounted. Returns 0. */
int tu_unmount_all(void **state);

/* Fill the file system that holds dir until ENOSPC (with dir/fill). */
void tu_fill_fs(const char *dir);

/* A sparse file as large as the file system allows, up to 16 TiB (ext4
 * stops 4 KiB short of it): its size, or 0 when none can be made. */
uint64_t tu_make_huge(const char *path);

/* st_size and st_blocks of path (aborts if it cannot be stat'd). */
uint64_t tu_size(const char *path);
uint64_t tu_blocks(const char *path);

/* Entries of dir, "." and ".." aside; *tmps (may be NULL) gets those
 * named like a save-as temporary file (".NAME.mmhex-..."). */
int tu_count_entries(const char *dir, int *tmps);

/* Peak and current resident set (VmHWM, VmRSS, RssAnon) in KiB. */
long tu_status_kib(const char *field);

#endif
