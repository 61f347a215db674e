/*
 * map-extent: the map's data and holes (map.h): where a region of data or
 * a hole ends, and the next or previous start of one, through the extent
 * iterator (extent.h) and its one policy. A block device is all data.
 */
#include "config.h"

#include <errno.h>

#include "map.h"
#include "map_private.h"

void map_extent_iter(const Map *m, ExtentIter *it)
{
    /* A block device's SEEK_DATA says nothing: it is all data. */
    extent_iter_init(it, m->sys, m->fd, m->size, m->kind == MMH_KIND_BLOCKDEV);
}

/* The last start of a region of the wanted kind in [x, c), walking forward
 * from x; x itself counts as a start only at 0 (else its region may have
 * begun before it). */
static int last_start(ExtentIter *it, uint64_t x, uint64_t c, bool want, bool *found, uint64_t *at)
{
    *found = false;
    for (uint64_t pos = x; pos < c;) {
        Extent e;
        int rc = extent_iter_at(it, pos, &e);
        if (rc < 0)
            return rc;
        if (e.data == want && (pos > x || x == 0)) {
            *found = true;
            *at = pos;
        }
        if (e.hi <= pos)
            break;
        pos = e.hi;
    }
    return 0;
}

int map_region(Map *m, uint64_t pos, bool *data, uint64_t *end)
{
    Extent e;
    int rc = extent_at(m->sys, m->fd, pos, m->size, m->kind == MMH_KIND_BLOCKDEV, &e);
    if (rc < 0)
        return rc;
    *data = e.data;
    *end = e.hi;
    return 0;
}

int map_seek_region(Map *m, uint64_t from, bool data, bool backward, uint64_t *out)
{
    ExtentIter it;
    if (m->size == 0)
        return -ENXIO;
    map_extent_iter(m, &it);
    if (!backward) {
        /* The region holding from, then (if it is of the wanted kind) the
         * other kind after it: the wanted kind starts where that ends. */
        Extent e;
        int rc = extent_iter_at(&it, from < m->size ? from : m->size - 1, &e);
        if (rc == 0 && e.data == data && e.hi < m->size)
            rc = extent_iter_at(&it, e.hi, &e);
        if (rc < 0)
            return rc;
        if (e.hi >= m->size)
            return -ENXIO;
        *out = e.hi;
        return 0;
    }
    if (from == 0)
        return -ENXIO;
    uint64_t c = from < m->size ? from : m->size;
    for (uint64_t step = 1u << 20;; step *= 2) {
        uint64_t x = c > step ? c - step : 0;
        bool found;
        int rc = last_start(&it, x, c, data, &found, out);
        if (rc < 0)
            return rc;
        if (found)
            return 0;
        if (x == 0)
            return -ENXIO;
    }
}
