/*
 * save: a document copied to a new file (see save.h).
 *
 * Save-as is a job of bounded steps, each copying a bounded chunk: it walks
 * the source's data extents (SEEK_DATA/SEEK_HOLE) twice, first to count the
 * bytes for the progress figure, then to copy them from the file with pread,
 * skipping all-zero chunks so holes stay holes; then it writes the journal's
 * edited runs from the mapping over that, which brings in the copy-mode
 * edits the file lacks (some may lie in the source's holes, where the walk
 * never looks).
 *
 * The destination is never resolved here: the job holds a descriptor of the
 * destination's directory and names the last component relative to it
 * (fstatat with AT_SYMLINK_NOFOLLOW, openat, linkat, renameat), so a
 * symbolic link there is replaced itself, never followed into another
 * directory.
 *
 * The copy is a file with no name (O_TMPFILE) in that directory, so a job
 * killed at any point, by SIGKILL too, leaves nothing behind. Only when
 * complete and synced does it get a name, by linkat through
 * /proc/self/fd/N (AT_SYMLINK_FOLLOW, which needs no capability, unlike
 * AT_EMPTY_PATH): straight to the destination when that must not exist
 * (EEXIST, atomically, if one appeared meanwhile), or to a hidden temporary
 * name then renamed over the destination. Where the file system has no
 * O_TMPFILE the copy is a hidden named file from the start, removed on
 * failure and on cancel: the UI cancels the job on the signals that end it,
 * and only SIGKILL leaves that file behind. The directory is synced after
 * the rename, so a failed, cancelled or killed job leaves the destination
 * as it was.
 *
 * Permissions follow cp: a new file is created with the source's mode and
 * the kernel applies the umask; a file replaced keeps its mode (and its
 * owner, where the caller may set it).
 */
#include "config.h"

#include "save.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extent.h"
#include "map_private.h"
#include "rangeset.h"
#include "sys.h"

/* Compile-time knobs: tests may shrink them to hit the boundaries. */
#ifndef DOC_COPY_CHUNK
#define DOC_COPY_CHUNK (1u << 20) /* save-as buffer, bytes */
#endif
#define DOC_SCAN_BATCH 64 /* extents counted between clock checks */
#define TEMP_TRIES 100    /* temporary names tried before giving up */

typedef enum SavePhase {
    SAVE_SCAN, /* counting data bytes for the progress figure */
    SAVE_DATA, /* copying the source's data extents */
    SAVE_RUNS, /* writing the edited runs (some may lie in holes) */
    SAVE_DONE, /* fsync, name it, sync the directory */
} SavePhase;

struct DocSave {
    Doc *d;                     /* the document copied; must outlive the job */
    const SysOps *sys;          /* the map's syscall table (fault injection) */
    int dirfd;                  /* the destination's directory */
    char *name;                 /* the destination's name within dirfd */
    char tmpname[NAME_MAX + 1]; /* a hidden name of the copy within dirfd, to
                                   remove on failure ("" while it has none) */
    int fd;                     /* the copy, open for writing (-1 once closed) */
    bool unnamed;               /* fd is an O_TMPFILE: it has no name yet */
    bool overwrite;             /* replace the destination if it exists by then */
    ExtentIter ext;             /* the source's data extents, up to size */
    SavePhase phase;            /* what the next step does */
    uint64_t size;              /* document size when the job started */
    uint64_t pos;               /* next offset to scan or copy */
    uint64_t ext_end;           /* end of the data extent holding pos (<= pos: none) */
    RangeSet runs;              /* edited runs to write after the extents */
    size_t run;                 /* next run to write */
    uint64_t run_pos;           /* offset reached inside it */
    uint64_t done;              /* bytes copied so far */
    uint64_t total;             /* bytes to copy: data extents plus runs */
    uint8_t *buf;               /* DOC_COPY_CHUNK bytes, allocated once */
};

const char *doc_saveas_strerror(int rc)
{
    switch (rc) {
    case -MMH_ESAVE_SELF: return "that is the file being edited: use w to write it";
    case -MMH_ESAVE_LINK: return "that is a hard link to the file being edited: use w";
    case -MMH_ESAVE_NOTREG: return "is a device, FIFO or socket: save-as writes regular files only";
    case -ENOSPC: return "no space left on the device";
    case -EDQUOT: return "disk quota exceeded";
    case -EINTR: return "stopped by a signal";
    }
    return map_strerror(rc);
}

/* ---- the temporary file ---------------------------------------------------- */

/* Tear down; a copy never placed goes (an unnamed one with its descriptor,
 * a named one by its name). */
static void save_free(DocSave *s)
{
    if (s->fd >= 0)
        s->sys->close(s->fd);
    if (s->tmpname[0])
        unlinkat(s->dirfd, s->tmpname, 0);
    if (s->dirfd >= 0)
        close(s->dirfd);
    rangeset_free(&s->runs);
    free(s->buf);
    free(s->name);
    free(s);
}

static int fail(DocSave *s, int rc)
{
    save_free(s);
    return rc;
}

/* A fresh hidden name beside the destination in s->tmpname:
 * ".NAME.mmhex-" and six hex digits, NAME cut to keep within NAME_MAX. */
static void temp_name(DocSave *s, unsigned attempt)
{
    /* splitmix64 over the clock, the process and the attempt: names only
     * need to differ, and O_EXCL/EEXIST settles any collision. */
    uint64_t x = sys_now_ns() ^ ((uint64_t)getpid() << 32) ^ ((uint64_t)attempt << 48);
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    x ^= x >> 31;
    snprintf(s->tmpname, sizeof s->tmpname, ".%.200s.mmhex-%06x", s->name,
             (unsigned)(x & 0xffffff));
}

static int open_at(const DocSave *s, const char *name, int flags, mode_t mode)
{
    if (s->sys->openat)
        return s->sys->openat(s->dirfd, name, flags, (int)mode);
    return openat(s->dirfd, name, flags, mode);
}

/* Create the copy as a named file (no O_TMPFILE here). */
static int create_named(DocSave *s, mode_t mode)
{
    for (unsigned i = 0; i < TEMP_TRIES; i++) {
        temp_name(s, i);
        int fd = open_at(s, s->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) {
            s->fd = fd;
            return 0;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    s->tmpname[0] = 0;
    return -e;
}

/* Create the copy in the destination's directory with mode (the umask
 * applies): unnamed where the file system can, named otherwise. */
static int create_copy(DocSave *s, mode_t mode)
{
    int fd = open_at(s, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd >= 0) {
        s->fd = fd;
        s->unnamed = true;
        return 0;
    }
    /* No O_TMPFILE: the kernel (EISDIR: O_DIRECTORY alone was seen) or the
     * file system (EOPNOTSUPP) lacks it. */
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return -errno;
    return create_named(s, mode);
}

/* Give the unnamed copy the name `name` in the directory. Fails with EEXIST
 * if that exists. */
static int link_unnamed(DocSave *s, const char *name)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", s->fd);
    if (linkat(AT_FDCWD, proc, s->dirfd, name, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    int e = errno;
    if (e != ENOENT)
        return -e;
    /* No /proc: AT_EMPTY_PATH does the same, given CAP_DAC_READ_SEARCH. */
    if (linkat(s->fd, "", s->dirfd, name, AT_EMPTY_PATH) == 0)
        return 0;
    return errno == EEXIST ? -EEXIST : -e;
}

/* Give the unnamed copy a fresh hidden name. */
static int link_named(DocSave *s)
{
    for (unsigned i = 0; i < TEMP_TRIES; i++) {
        temp_name(s, i);
        int rc = link_unnamed(s, s->tmpname);
        if (rc != -EEXIST) {
            if (rc < 0)
                s->tmpname[0] = 0;
            return rc;
        }
    }
    s->tmpname[0] = 0;
    return -EEXIST;
}

/* Add the journal's runs (clipped to the job's size) to s->runs and to the
 * total. Runs already there are not counted twice. */
static int take_runs(DocSave *s)
{
    const RangeSet *j = journal_runs(doc_journal(s->d));
    uint64_t before = rangeset_total(&s->runs);
    for (size_t i = 0; i < j->n && j->v[i].lo < s->size; i++) {
        uint64_t hi = j->v[i].hi < s->size ? j->v[i].hi : s->size;
        int rc = rangeset_add(&s->runs, j->v[i].lo, hi);
        if (rc < 0)
            return rc;
    }
    s->total += rangeset_total(&s->runs) - before;
    return 0;
}

/* The first data extent at or after pos: 0 with [*lo, *hi), 1 when only
 * holes remain, or -errno. File systems that cannot tell holes are all
 * data (extent.h). */
static int next_extent(DocSave *s, uint64_t pos, uint64_t *lo, uint64_t *hi)
{
    Extent e;
    int rc = extent_next_data(&s->ext, pos, &e);
    if (rc < 0)
        return rc;
    if (e.lo >= s->size)
        return 1;
    *lo = e.lo;
    *hi = e.hi;
    return 0;
}

static int write_all(DocSave *s, const uint8_t *p, size_t n, uint64_t off)
{
    return sys_pwrite_all(s->sys, s->fd, p, n, off);
}

/* All zero: p[0] is zero and every byte equals the one before it (memcmp
 * is vectorised; a byte loop would be slower than the copy). */
static bool all_zero(const uint8_t *p, size_t n)
{
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Read [off, off+n) of the source file into the buffer. -MMH_ETRUNC if the file
 * ends first (it shrank while the job ran). */
static int read_source(DocSave *s, uint64_t off, size_t n)
{
    int fd = map_fd(doc_map(s->d));
    for (size_t got = 0; got < n;) {
        ssize_t r = s->sys->pread(fd, s->buf + got, n - got, (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return -MMH_ETRUNC;
        got += (size_t)r;
    }
    return 0;
}

/* Copy [off, off+n) of the source's data, as the file holds it; all-zero
 * chunks are left to the hole the copy was truncated with. The file, not
 * the mapping: every edit it lacks is in the runs written afterwards, and
 * reading a huge file through the mapping would map all of it into this
 * process (in copy mode nothing of it could be dropped again safely). */
static int copy_data(DocSave *s, uint64_t off, size_t n)
{
    int rc = read_source(s, off, n);
    if (rc < 0)
        return rc;
    if (all_zero(s->buf, n))
        return 0;
    return write_all(s, s->buf, n, off);
}

/* Copy [off, off+n) of an edited run, zeros included (an edit may have
 * zeroed bytes of data copied before): the mapping's bytes with the
 * journal's net edits over them, since the kernel may have dropped the
 * private pages holding them (a rewrite by another process) before the
 * next refresh re-applies them. */
static int copy_run(DocSave *s, uint64_t off, size_t n)
{
    int rc = doc_read(s->d, off, s->buf, n);
    if (rc == 0)
        rc = doc_overlay(s->d, off, s->buf, n);
    if (rc < 0)
        return rc;
    return write_all(s, s->buf, n, off);
}

/* Put the named copy (s->tmpname) at the destination; without overwrite,
 * never over a file that appeared meanwhile. */
static int place_named(DocSave *s)
{
    if (s->overwrite)
        return renameat(s->dirfd, s->tmpname, s->dirfd, s->name) < 0 ? -errno : 0;
    if (renameat2(s->dirfd, s->tmpname, s->dirfd, s->name, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -errno;
    /* No RENAME_NOREPLACE here: link fails with EEXIST just the same. */
    if (linkat(s->dirfd, s->tmpname, s->dirfd, s->name, 0) == 0) {
        unlinkat(s->dirfd, s->tmpname, 0); /* the copy is in place either way */
        return 0;
    }
    if (errno != EPERM && errno != EOPNOTSUPP)
        return -errno;
    /* No hard links either (FAT): check, then rename; a small race remains. */
    struct stat st;
    if (fstatat(s->dirfd, s->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return -EEXIST;
    return renameat(s->dirfd, s->tmpname, s->dirfd, s->name) < 0 ? -errno : 0;
}

/* Close the copy: its last chance to report a write error (NFS). */
static int close_copy(DocSave *s)
{
    int fd = s->fd;
    s->fd = -1;
    return s->sys->close(fd) < 0 ? -errno : 0;
}

static int finish(DocSave *s)
{
    if (s->sys->fsync(s->fd) < 0)
        return -errno;
    int rc;
    if (s->unnamed && !s->overwrite) {
        /* Straight to the destination: nothing named ever exists but the
         * finished copy. */
        rc = link_unnamed(s, s->name);
        if (rc == 0 && (rc = close_copy(s)) < 0)
            unlinkat(s->dirfd, s->name, 0); /* ours: linked a moment ago */
        if (rc < 0)
            return rc;
    } else {
        if (s->unnamed && (rc = link_named(s)) < 0)
            return rc;
        if ((rc = close_copy(s)) < 0 || (rc = place_named(s)) < 0)
            return rc; /* save_free removes the named copy */
        s->tmpname[0] = 0;
    }
    /* Make the new name durable. Some file systems cannot sync a
     * directory (EINVAL); the copy is in place regardless. */
    if (fsync(s->dirfd) < 0 && errno != EINVAL)
        return -errno;
    return 0;
}

/* ---- the destination ------------------------------------------------------- */

/* Split path into its directory (opened as s->dirfd) and s->name. The
 * directories are followed as any path is; the last component is not. */
static int open_parent(DocSave *s, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0' || !strcmp(base, ".") || !strcmp(base, ".."))
        return -EISDIR;
    if (strlen(base) > NAME_MAX)
        return -ENAMETOOLONG;
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    s->name = strdup(base);
    if (!dir || !s->name) {
        free(dir);
        return -ENOMEM;
    }
    s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    return s->dirfd < 0 ? -errno : 0;
}

/* The destination st, the same file as the document, is the very name the
 * document was opened by (not another hard link to it). */
static bool same_entry(DocSave *s, const struct stat *st)
{
    if (st->st_nlink <= 1)
        return true;                                      /* the file has no other name */
    char *real = realpath(map_path(doc_map(s->d)), NULL); /* the source's, not ours */
    if (!real)
        return false;
    char *slash = strrchr(real, '/');
    struct stat a, b;
    bool same = false;
    if (slash) {
        *slash = 0;
        same = !strcmp(slash + 1, s->name) && stat(*real ? real : "/", &a) == 0 &&
               fstat(s->dirfd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }
    free(real);
    return same;
}

/* Check the destination (never following a symbolic link there). *mode
 * gets the permissions to create the copy with, *old the file replaced
 * (st_mode 0 for none). */
static int check_dest(DocSave *s, mode_t *mode, struct stat *old)
{
    struct stat src, st;
    if (s->sys->fstat(map_fd(doc_map(s->d)), &src) < 0)
        return -errno;
    /* A device's mode says who may use the device, not what a copy of its
     * bytes should allow: a new file then gets what the umask leaves. */
    *mode = S_ISREG(src.st_mode) ? src.st_mode & 0777 : 0666;
    old->st_mode = 0;
    if (fstatat(s->dirfd, s->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -errno;
    /* It exists. A symbolic link is replaced itself, wherever it points. */
    if (S_ISLNK(st.st_mode))
        return s->overwrite ? 0 : -EEXIST;
    if (st.st_dev == src.st_dev && st.st_ino == src.st_ino)
        return same_entry(s, &st) ? -MMH_ESAVE_SELF : -MMH_ESAVE_LINK;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    /* A rename would replace a device node or FIFO, not fill it. */
    if (!S_ISREG(st.st_mode))
        return -MMH_ESAVE_NOTREG;
    if (!s->overwrite)
        return -EEXIST;
    *old = st;
    return 0;
}

int doc_saveas_start(Doc *d, const char *path, bool overwrite, DocSave **out)
{
    *out = NULL;
    DocSave *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->d = d;
    s->sys = map_sys(doc_map(d));
    s->fd = -1;
    s->dirfd = -1;
    s->overwrite = overwrite;
    s->size = doc_size(d);
    s->runs = (RangeSet)RANGESET_INIT;
    map_extent_iter(doc_map(d), &s->ext); /* up to size; a block device is all data */
    mode_t mode = 0644;
    struct stat old = {0}; /* st_mode 0: no file is replaced */
    int rc = open_parent(s, path);
    if (rc == 0)
        rc = check_dest(s, &mode, &old);
    if (rc == 0 && !(s->buf = malloc(DOC_COPY_CHUNK)))
        rc = -ENOMEM;
    if (rc == 0)
        rc = create_copy(s, mode);
    if (rc < 0)
        return fail(s, rc);
    if (old.st_mode) {
        /* The file replaced keeps its owner where we may give it (root, or
         * a group of ours) and its permissions (set-id bits aside). */
        if (fchown(s->fd, old.st_uid, old.st_gid) < 0 && fchown(s->fd, (uid_t)-1, old.st_gid) < 0) {
            /* neither: the copy stays ours, as any new file would */
        }
        if (fchmod(s->fd, old.st_mode & 0777) < 0)
            return fail(s, -errno);
    }
    /* Holes come free: a file of the full size with nothing written. */
    if (ftruncate(s->fd, (off_t)s->size) < 0)
        return fail(s, -errno);
    rc = take_runs(s);
    if (rc < 0)
        return fail(s, rc);
    *out = s;
    return 0;
}

/* ---- the copy -------------------------------------------------------------- */

/* One unit of work of the current phase: 0 to go on, -errno. */
static int save_unit(DocSave *s)
{
    uint64_t lo, hi;
    int rc;
    switch (s->phase) {
    case SAVE_SCAN:
        for (int i = 0; i < DOC_SCAN_BATCH; i++) {
            rc = next_extent(s, s->pos, &lo, &hi);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                s->phase = SAVE_DATA;
                s->pos = s->ext_end = 0;
                return 0;
            }
            s->total += hi - lo;
            s->pos = hi;
        }
        return 0;
    case SAVE_DATA: {
        if (s->pos >= s->ext_end) {
            rc = next_extent(s, s->pos, &lo, &hi);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                /* Edits made while the job ran count too. */
                s->phase = SAVE_RUNS;
                return take_runs(s);
            }
            s->pos = lo;
            s->ext_end = hi;
        }
        uint64_t left = s->ext_end - s->pos;
        size_t n = left < DOC_COPY_CHUNK ? (size_t)left : DOC_COPY_CHUNK;
        rc = copy_data(s, s->pos, n);
        if (rc < 0)
            return rc;
        s->pos += n;
        s->done += n;
        return 0;
    }
    case SAVE_RUNS: {
        if (s->run >= s->runs.n) {
            s->phase = SAVE_DONE;
            return 0;
        }
        const MmhSpan *r = &s->runs.v[s->run];
        uint64_t at = s->run_pos > r->lo ? s->run_pos : r->lo;
        uint64_t left = r->hi - at;
        size_t n = left < DOC_COPY_CHUNK ? (size_t)left : DOC_COPY_CHUNK;
        rc = copy_run(s, at, n);
        if (rc < 0)
            return rc;
        s->done += n;
        s->run_pos = at + n;
        if (s->run_pos >= r->hi)
            s->run++;
        return 0;
    }
    case SAVE_DONE: break;
    }
    return 0;
}

int doc_saveas_step(DocSave *s, uint64_t budget_ns)
{
    uint64_t t0 = sys_now_ns();
    /* At least one unit per step, so any budget makes progress. */
    do {
        if (s->phase == SAVE_DONE) {
            int rc = finish(s);
            save_free(s);
            return rc < 0 ? rc : 1;
        }
        int rc = save_unit(s);
        if (rc < 0)
            return fail(s, rc);
    } while (sys_now_ns() - t0 < budget_ns);
    return 0;
}

void doc_saveas_progress(const DocSave *s, uint64_t *done, uint64_t *total)
{
    *done = s->done;
    /* The file may grow while the job runs: never report more than all. */
    *total = s->total > s->done ? s->total : s->done;
}

void doc_saveas_cancel(DocSave *s)
{
    if (s)
        save_free(s);
}
