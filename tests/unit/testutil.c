/*
 * testutil: fixtures for the unit tests (see testutil.h). Failures abort
 * the test program: a fixture that cannot be made is a broken test.
 */
#include "config.h"

#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "testutil: %s: %s\n", what, strerror(errno));
    abort();
}

char *tu_mkdtemp(void)
{
    const char *t = getenv("TMPDIR");
    char *dir;
    if (asprintf(&dir, "%s/mmhex-test.XXXXXX", t && *t ? t : "/tmp") < 0)
        die("asprintf");
    if (!mkdtemp(dir))
        die("mkdtemp");
    return dir;
}

void tu_rmdir(char *dir)
{
    char *cmd;
    if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
        if (system(cmd) != 0)
            fprintf(stderr, "testutil: could not remove %s\n", dir);
        free(cmd);
    }
    free(dir);
}

char *tu_path(const char *dir, const char *name)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        die("asprintf");
    return p;
}

uint8_t tu_pattern(uint64_t i)
{
    return (uint8_t)((i * 7 + 3) & 0xff);
}

void tu_make_file(const char *path, uint64_t len, int sparse)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die(path);
    if (sparse) {
        if (ftruncate(fd, (off_t)len) < 0)
            die("ftruncate");
    } else {
        uint8_t buf[65536];
        for (uint64_t off = 0; off < len;) {
            size_t n = len - off < sizeof buf ? (size_t)(len - off) : sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = tu_pattern(off + i);
            if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
                die("pwrite");
            off += n;
        }
    }
    if (close(fd) < 0)
        die("close");
}

void tu_pread(const char *path, uint64_t off, void *buf, size_t n)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die(path);
    if (pread(fd, buf, n, (off_t)off) != (ssize_t)n)
        die("pread");
    close(fd);
}

int tu_pread_byte(const char *path, uint64_t off)
{
    uint8_t b;
    tu_pread(path, off, &b, 1);
    return b;
}

long tu_status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

void tu_by_child(void (*fn)(const char *path, uint64_t arg), const char *path, uint64_t arg)
{
    pid_t pid = fork();
    int st;
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        fn(path, arg);
        _exit(0);
    }
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("a child acting on the file failed");
}

static void truncate_to(const char *path, uint64_t len)
{
    _exit(truncate(path, (off_t)len) == 0 ? 0 : 1);
}

void tu_truncate_by_child(const char *path, uint64_t len)
{
    tu_by_child(truncate_to, path, len);
}

Doc *tu_open_doc(const char *path, MmhMode mode, const SysOps *sys)
{
    MapOpts o = {mode, sys};
    Doc *d = NULL;
    int rc = doc_open(&d, path, &o);
    if (rc < 0 || !d) {
        errno = -rc;
        die(path);
    }
    return d;
}

uint8_t *tu_pattern_buf(uint64_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p)
        die("malloc");
    for (uint64_t i = 0; i < len; i++)
        p[i] = tu_pattern(i);
    return p;
}

int64_t tu_disk_differs(const char *path, const uint8_t *want, uint64_t len)
{
    struct stat st;
    if (stat(path, &st) < 0)
        die(path);
    if ((uint64_t)st.st_size != len)
        return st.st_size;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint8_t *buf = malloc(1 << 20);
    if (fd < 0 || !buf)
        die(path);
    int64_t at_diff = -1;
    for (uint64_t at = 0; at < len && at_diff < 0;) {
        size_t n = len - at < (1u << 20) ? (size_t)(len - at) : (1u << 20);
        if (pread(fd, buf, n, (off_t)at) != (ssize_t)n)
            die(path);
        for (size_t i = 0; i < n; i++)
            if (buf[i] != want[at + i]) {
                at_diff = (int64_t)(at + i);
                break;
            }
        at += n;
    }
    free(buf);
    close(fd);
    return at_diff;
}

#define TU_MOUNTS 8
static char *mounts[TU_MOUNTS]; /* remembered mount points, to undo */

void tu_remember_mount(const char *mnt)
{
    for (int i = 0; i < TU_MOUNTS; i++)
        if (!mounts[i]) {
            if (!(mounts[i] = strdup(mnt)))
                die("strdup");
            return;
        }
    errno = ENOSPC;
    die("too many mounts to remember");
}

char *tu_mount_tmpfs(const char *dir, const char *size)
{
    char *mnt = tu_path(dir, "mnt"), opts[64];
    snprintf(opts, sizeof opts, "size=%s", size);
    if (mkdir(mnt, 0700) < 0 && errno != EEXIST)
        die(mnt);
    if (mount("tmpfs", mnt, "tmpfs", 0, opts) < 0) {
        int e = errno;
        free(mnt);
        errno = e;
        return NULL;
    }
    tu_remember_mount(mnt);
    return mnt;
}

int tu_unmount_all(void **state)
{
    (void)state;
    for (int i = 0; i < TU_MOUNTS; i++)
        if (mounts[i]) {
            if (umount(mounts[i]) < 0 && umount2(mounts[i], MNT_DETACH) < 0)
                fprintf(stderr, "testutil: could not unmount %s: %s\n", mounts[i], strerror(errno));
            free(mounts[i]);
            mounts[i] = NULL;
        }
    return 0;
}

void tu_fill_fs(const char *dir)
{
    char *fill = tu_path(dir, "fill");
    int fd = open(fill, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    static const uint8_t zeros[4096];
    if (fd < 0)
        die(fill);
    while (write(fd, zeros, sizeof zeros) > 0)
        ;
    if (errno != ENOSPC)
        die("filling a file system");
    close(fd);
    free(fill);
}

int tu_count_entries(const char *dir, int *tmps)
{
    DIR *dp = opendir(dir);
    if (!dp)
        die(dir);
    int n = 0, t = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        if (strstr(e->d_name, ".mmhex-"))
            t++;
    }
    closedir(dp);
    if (tmps)
        *tmps = t;
    return n;
}

uint64_t tu_make_huge(const char *path)
{
    const uint64_t tib16 = UINT64_C(16) << 40;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die(path);
    uint64_t size = 0;
    if (ftruncate(fd, (off_t)tib16) == 0)
        size = tib16;
    else if (ftruncate(fd, (off_t)(tib16 - 4096)) == 0)
        size = tib16 - 4096;
    close(fd);
    return size;
}

static struct stat stat_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        die(path);
    return st;
}

uint64_t tu_size(const char *path)
{
    return (uint64_t)stat_of(path).st_size;
}

uint64_t tu_blocks(const char *path)
{
    return (uint64_t)stat_of(path).st_blocks;
}
