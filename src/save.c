/*
 * save: a document copied to a new file (see save.h).
 *
 * Save-as is a job of bounded steps, each copying a bounded chunk: it walks
 * the source's data extents (SEEK_DATA/SEEK_HOLE) twice, first to count the
 * bytes for the progress figure, then to copy them from the file with pread,
 * skipping all-zero chunks so holes stay holes; then it writes the journal's
 * edited runs from the mapping over that, which brings in the copy-mode
 * edits the file lacks (some may lie in the source's holes, where the walk
 * never looks). The copy is a temporary file beside the destination, renamed
 * into place only after fsync, then the directory is synced: a failed or
 * cancelled job leaves the destination as it was.
 */
#include "config.h"

#include "save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rangeset.h"
#include "sys.h"

/* Compile-time knobs: tests may shrink them to hit the boundaries. */
#ifndef DOC_COPY_CHUNK
#define DOC_COPY_CHUNK (1u << 20) /* save-as buffer, bytes */
#endif
#define DOC_SCAN_BATCH 64 /* extents counted between clock checks */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- save as -------------------------------------------------------------- */

typedef enum SavePhase {
    SAVE_SCAN, /* counting data bytes for the progress figure */
    SAVE_DATA, /* copying the source's data extents */
    SAVE_RUNS, /* writing the edited runs (some may lie in holes) */
    SAVE_DONE, /* fsync, rename into place, sync the directory */
} SavePhase;

struct DocSave {
    Doc *d;              /* the document copied; must outlive the job */
    const SysOps *sys;   /* the map's syscall table (fault injection) */
    int dirfd;           /* the destination's directory */
    char *name;          /* the destination's name within dirfd */
    char *tmp;           /* the temporary file's path, from mkostemp */
    const char *tmpname; /* its name within dirfd (points into tmp) */
    int fd;              /* the temporary file, open for writing */
    bool overwrite;      /* replace the destination if it exists by then */
    bool whole;          /* no SEEK_DATA here: all of the source is data */
    SavePhase phase;     /* what the next step does */
    uint64_t size;       /* document size when the job started */
    uint64_t pos;        /* next offset to scan or copy */
    uint64_t ext_end;    /* end of the data extent holding pos (<= pos: none) */
    RangeSet runs;       /* edited runs to write after the extents */
    size_t run;          /* next run to write */
    uint64_t run_pos;    /* offset reached inside it */
    uint64_t done;       /* bytes copied so far */
    uint64_t total;      /* bytes to copy: data extents plus runs */
    uint8_t *buf;        /* DOC_COPY_CHUNK bytes, allocated once */
};

/* Tear down; with the temporary file still unrenamed, remove it. */
static void save_free(DocSave *s)
{
    if (s->fd >= 0) { /* the copy was never placed */
        s->sys->close(s->fd);
        unlinkat(s->dirfd, s->tmpname, 0);
    }
    if (s->dirfd >= 0)
        close(s->dirfd);
    rangeset_free(&s->runs);
    free(s->buf);
    free(s->tmp);
    free(s->name);
    free(s);
}

static int fail(DocSave *s, int rc)
{
    save_free(s);
    return rc;
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
 * holes remain, or -errno. */
static int next_extent(DocSave *s, uint64_t pos, uint64_t *lo, uint64_t *hi)
{
    if (pos >= s->size)
        return 1;
    if (!s->whole) {
        int fd = map_fd(doc_map(s->d));
        off_t a = s->sys->lseek(fd, (off_t)pos, SEEK_DATA);
        if (a < 0 && errno == ENXIO)
            return 1; /* holes to the end (or the file shrank) */
        if (a < 0 && errno != EINVAL)
            return -errno;
        if (a >= 0) {
            if ((uint64_t)a >= s->size)
                return 1;
            off_t b = s->sys->lseek(fd, a, SEEK_HOLE);
            if (b < 0)
                return errno == ENXIO ? 1 : -errno;
            *lo = (uint64_t)a;
            *hi = (uint64_t)b < s->size ? (uint64_t)b : s->size;
            return 0;
        }
        s->whole = true; /* EINVAL: the file system cannot tell holes */
    }
    *lo = pos;
    *hi = s->size;
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

/* Copy [off, off+n) of an edited run from the mapping, zeros included: an
 * edit may have zeroed bytes of data copied before. */
static int copy_run(DocSave *s, uint64_t off, size_t n)
{
    int rc = doc_read(s->d, off, s->buf, n);
    if (rc < 0)
        return rc;
    return write_all(s, s->buf, n, off);
}

/* Put the finished copy at the destination; without overwrite, never over a
 * file that appeared meanwhile. */
static int place(DocSave *s)
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

static int finish(DocSave *s)
{
    if (s->sys->fsync(s->fd) < 0)
        return -errno;
    int fd = s->fd;
    s->fd = -1; /* closed whatever happens; the temp file is still to remove */
    if (s->sys->close(fd) < 0) {
        int e = errno;
        unlinkat(s->dirfd, s->tmpname, 0);
        return -e;
    }
    int rc = place(s);
    if (rc < 0) {
        unlinkat(s->dirfd, s->tmpname, 0);
        return rc;
    }
    /* Make the rename itself durable. Some file systems cannot sync a
     * directory (EINVAL); the copy is in place regardless. */
    if (fsync(s->dirfd) < 0 && errno != EINVAL)
        return -errno;
    return 0;
}

/* Split path into its directory (*dir, opened as *dirfd) and a name. */
static int open_parent(const char *path, int *dirfd, char **dir, char **name)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0' || !strcmp(base, ".") || !strcmp(base, ".."))
        return -EISDIR;
    *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    *name = strdup(base);
    if (!*dir || !*name)
        return -ENOMEM;
    *dirfd = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return *dirfd < 0 ? -errno : 0;
}

/* Check the destination. *real gets the path to write (a symlink's target,
 * so the link keeps pointing at the new file) or NULL for path itself;
 * *mode the permissions to give the copy. */
static int check_dest(Doc *d, const char *path, bool overwrite, char **real, mode_t *mode)
{
    const SysOps *sys = map_sys(doc_map(d));
    struct stat src, st;
    if (sys->fstat(map_fd(doc_map(d)), &src) < 0)
        return -errno;
    *real = NULL;
    *mode = S_ISREG(src.st_mode) ? src.st_mode & 0777 : 0644;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    /* It exists. Decide on what it names, if anything. */
    bool link = S_ISLNK(st.st_mode);
    if (link && stat(path, &st) < 0)
        return overwrite ? 0 : -EEXIST; /* dangling: the link itself is replaced */
    if (st.st_dev == src.st_dev && st.st_ino == src.st_ino)
        return -EINVAL; /* the document itself: that is doc_write's job */
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!overwrite)
        return -EEXIST;
    /* A rename would replace a device node or FIFO, not fill it. */
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    *mode = st.st_mode & 0777; /* the file replaced keeps its permissions */
    if (link && !(*real = realpath(path, NULL)))
        return -errno;
    return 0;
}

int doc_saveas_start(Doc *d, const char *path, bool overwrite, DocSave **out)
{
    *out = NULL;
    char *real;
    mode_t mode;
    int rc = check_dest(d, path, overwrite, &real, &mode);
    if (rc < 0)
        return rc;
    DocSave *s = calloc(1, sizeof *s);
    if (!s) {
        free(real);
        return -ENOMEM;
    }
    s->d = d;
    s->sys = map_sys(doc_map(d));
    s->fd = -1;
    s->dirfd = -1;
    s->overwrite = overwrite;
    s->size = doc_size(d);
    s->runs = (RangeSet)RANGESET_INIT;
    s->whole = map_kind(doc_map(d)) == MMH_KIND_BLOCKDEV; /* SEEK_DATA means nothing there */
    char *dir = NULL;
    rc = open_parent(real ? real : path, &s->dirfd, &dir, &s->name);
    free(real);
    if (rc == 0 && asprintf(&s->tmp, "%s/.%s.mmhex-XXXXXX", dir, s->name) < 0) {
        s->tmp = NULL;
        rc = -ENOMEM;
    }
    free(dir);
    if (rc == 0 && !(s->buf = malloc(DOC_COPY_CHUNK)))
        rc = -ENOMEM;
    if (rc < 0)
        return fail(s, rc);
    s->tmpname = strrchr(s->tmp, '/') + 1;
    int fd = mkostemp(s->tmp, O_CLOEXEC);
    if (fd < 0)
        return fail(s, -errno);
    s->fd = fd;
    /* Holes come free: a file of the full size with nothing written. */
    if (fchmod(fd, mode) < 0 || ftruncate(fd, (off_t)s->size) < 0)
        return fail(s, -errno);
    rc = take_runs(s);
    if (rc < 0)
        return fail(s, rc);
    *out = s;
    return 0;
}

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
    uint64_t t0 = now_ns();
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
    } while (now_ns() - t0 < budget_ns);
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
