/*
 * extent: data and holes from SEEK_DATA/SEEK_HOLE (see extent.h for the
 * policy).
 *
 * Two primitives apply the policy: seek_data and seek_hole each clip to the
 * size and sort the errors into "an answer", "cannot tell" (1) and -errno.
 * Everything else is built from them, so no walker words errno on its own.
 */
#include "config.h"

#include "extent.h"

#include <errno.h>
#include <unistd.h>

/* The file system, device or pipe cannot tell holes: all data. EINVAL from
 * file systems without SEEK_DATA support in some kernels, EOPNOTSUPP from
 * others, ESPIPE from anything not seekable. */
static bool cannot_tell(int e)
{
    return e == EINVAL || e == EOPNOTSUPP || e == ESPIPE;
}

/* The first data byte at or after pos (< size): 0 with *at (size when only
 * holes follow: ENXIO), 1 when the file cannot tell, or -errno. */
static int seek_data(const SysOps *sys, int fd, uint64_t pos, uint64_t size, uint64_t *at)
{
    off_t d = sys->lseek(fd, (off_t)pos, SEEK_DATA);
    if (d >= 0) {
        *at = (uint64_t)d < size ? (uint64_t)d : size;
        return 0;
    }
    if (errno == ENXIO) {
        *at = size;
        return 0;
    }
    return cannot_tell(errno) ? 1 : -errno;
}

/* The first hole at or after pos, a data byte below size: 0 with *at (the
 * end of the file counts as a hole), 1 when the file cannot tell, or
 * -errno. ENXIO, or a hole at pos itself, mean the file changed since
 * SEEK_DATA said pos was data: the data is taken to run to the end. */
static int seek_hole(const SysOps *sys, int fd, uint64_t pos, uint64_t size, uint64_t *at)
{
    off_t h = sys->lseek(fd, (off_t)pos, SEEK_HOLE);
    if (h >= 0) {
        *at = (uint64_t)h > pos && (uint64_t)h < size ? (uint64_t)h : size;
        return 0;
    }
    if (errno == ENXIO) {
        *at = size;
        return 0;
    }
    return cannot_tell(errno) ? 1 : -errno;
}

void extent_iter_init(ExtentIter *it, const SysOps *sys, int fd, uint64_t size, bool whole)
{
    it->sys = sys;
    it->fd = fd;
    it->size = size;
    it->whole = whole;
    it->from = UINT64_MAX;
    it->lo = it->hi = size;
}

int extent_next_data(ExtentIter *it, uint64_t pos, Extent *out)
{
    uint64_t a, b = it->size;
    int rc;

    if (pos >= it->size) {
        *out = (Extent){it->size, it->size, true};
        return 0;
    }
    if (!it->whole && !(pos >= it->from && pos < it->hi)) {
        rc = seek_data(it->sys, it->fd, pos, it->size, &a);
        if (rc == 0 && a < it->size)
            rc = seek_hole(it->sys, it->fd, a, it->size, &b);
        if (rc < 0)
            return rc; /* the cache stays as it was */
        if (rc == 1) {
            it->whole = true;
        } else {
            it->from = pos;
            it->lo = a;
            it->hi = b;
        }
    }
    if (it->whole)
        *out = (Extent){pos, it->size, true};
    else
        *out = (Extent){pos > it->lo ? pos : it->lo, it->hi, true};
    return 0;
}

int extent_iter_at(ExtentIter *it, uint64_t pos, Extent *out)
{
    Extent e;
    int rc;

    if (pos >= it->size)
        return -ENXIO;
    rc = extent_next_data(it, pos, &e);
    if (rc < 0)
        return rc;
    if (e.lo > pos)
        *out = (Extent){pos, e.lo, false};
    else
        *out = (Extent){pos, e.hi, true};
    return 0;
}

int extent_at(const SysOps *sys, int fd, uint64_t pos, uint64_t size, bool whole, Extent *out)
{
    uint64_t a, b = size;
    int rc = 0;

    if (pos >= size)
        return -ENXIO;
    if (!whole)
        rc = seek_data(sys, fd, pos, size, &a);
    if (rc < 0)
        return rc;
    if (whole || rc == 1) {
        *out = (Extent){pos, size, true};
        return 0;
    }
    if (a > pos) {
        *out = (Extent){pos, a, false};
        return 0;
    }
    rc = seek_hole(sys, fd, pos, size, &b);
    if (rc < 0)
        return rc;
    *out = (Extent){pos, rc == 1 ? size : b, true};
    return 0;
}
