/*
 * doc: the map, its residency probe and the edit journal, kept in step
 * (see doc.h).
 *
 * Invariants:
 * - The journal describes exactly the bytes the map holds: every change to
 *   mapped bytes made here is either journaled (doc_put) or replayed from the
 *   journal (undo, redo). A put that fails part-way is rolled back from the
 *   old bytes before it returns, so nothing unjournaled stays in the map.
 * - The journal is marked saved only after the file holds its state durably
 *   (map_commit's fsync, or msync(MS_SYNC)); any failure leaves the journal
 *   as it was, so the edits stay in memory and doc_unwritten stays true.
 * - `size` is the size the journal was last reconciled with. The map may
 *   learn of a truncation on its own (a caught SIGBUS shrinks it), so
 *   doc_refresh compares against this, not against what map_refresh
 *   reports, or such edits would never be counted as lost.
 */
#include "config.h"

#include "doc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Compile-time knobs: tests may shrink them to hit the boundaries. */
#ifndef DOC_PUT_STACK
#define DOC_PUT_STACK 4096u /* old bytes of a put kept on the stack */
#endif

struct Doc {
    Map *map;         /* the mapped file; owns the descriptor */
    Resid *resid;     /* residency probe over map */
    Journal *journal; /* edit history */
    uint64_t size;    /* size the journal was last reconciled with */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- open and facts ------------------------------------------------------ */

int doc_open(Doc **out, const char *path, const MapOpts *opts)
{
    *out = NULL;
    Doc *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    int rc = map_open(&d->map, path, opts);
    if (rc == 0)
        rc = resid_open(&d->resid, d->map);
    if (rc == 0)
        rc = journal_new(&d->journal);
    if (rc < 0) {
        doc_close(d);
        return rc;
    }
    d->size = map_size(d->map);
    *out = d;
    return 0;
}

void doc_close(Doc *d)
{
    if (!d)
        return;
    journal_free(d->journal);
    resid_close(d->resid); /* before the map it probes */
    map_close(d->map);
    free(d);
}

Map *doc_map(const Doc *d)
{
    return d->map;
}

Resid *doc_resid(const Doc *d)
{
    return d->resid;
}

Journal *doc_journal(const Doc *d)
{
    return d->journal;
}

uint64_t doc_size(const Doc *d)
{
    return map_size(d->map);
}

bool doc_editable(const Doc *d)
{
    return map_mode(d->map) != MMH_MODE_READONLY;
}

/* ---- bytes and edits ------------------------------------------------------ */

int doc_read(Doc *d, uint64_t off, void *buf, size_t len)
{
    return map_read(d->map, off, buf, len);
}

int doc_put(Doc *d, uint64_t off, const uint8_t *bytes, size_t len)
{
    if (!doc_editable(d))
        return -EROFS;
    uint64_t size = map_size(d->map);
    if (off > size || len > size - off)
        return -MMH_ETRUNC;
    if (len == 0)
        return 0;

    /* The journal takes the old bytes whole, and a failed write needs them to
     * roll back: keep them all, on the stack for the usual small put. */
    uint8_t small[DOC_PUT_STACK];
    uint8_t *old = len <= sizeof small ? small : malloc(len);
    if (!old)
        return -ENOMEM;
    int rc = map_read(d->map, off, old, len);
    if (rc < 0)
        goto out;

    /* Write a page at a time, so a failure says what may have changed: a
     * write faults on the first store to a page it cannot fill, so the page
     * that failed kept its bytes, and [0, at) is exactly what to restore. */
    size_t ps = map_pagesize(d->map);
    size_t at = 0;
    while (at < len) {
        size_t room = ps - (size_t)((off + at) % ps);
        size_t n = len - at < room ? len - at : room;
        rc = map_write(d->map, off + at, bytes + at, n);
        if (rc < 0) {
            /* Those pages took the new bytes, so they take the old ones
             * back (barring a truncation racing us: best effort). */
            (void)map_write(d->map, off, old, at);
            goto out;
        }
        at += n;
    }
    rc = journal_record(d->journal, off, old, bytes, len);
    if (rc < 0) /* unjournaled bytes must not stay in the map */
        (void)map_write(d->map, off, old, len);
out:
    if (old != small)
        free(old);
    return rc;
}

void doc_snapshot(Doc *d)
{
    journal_snapshot(d->journal);
}

static int apply_bytes(uint64_t off, const uint8_t *bytes, size_t len, void *ctx)
{
    return map_write(ctx, off, bytes, len);
}

int doc_undo(Doc *d, uint64_t *where)
{
    return journal_undo(d->journal, apply_bytes, d->map, where);
}

int doc_redo(Doc *d, uint64_t *where)
{
    return journal_redo(d->journal, apply_bytes, d->map, where);
}

bool doc_unwritten(const Doc *d)
{
    return map_mode(d->map) == MMH_MODE_COPY && journal_modified(d->journal);
}

/* ---- write-back ----------------------------------------------------------- */

int doc_write(Doc *d, DocWriteResult *res)
{
    uint64_t t0 = now_ns();
    DocWriteResult r = {0, 0, -1, 0};
    const RangeSet *runs = journal_runs(d->journal);
    int rc;
    switch (map_mode(d->map)) {
    case MMH_MODE_COPY:
        /* The runs only: the cost follows the edits, never the file. */
        rc = map_commit(d->map, runs->v, runs->n);
        break;
    case MMH_MODE_SHARED: {
        /* The edits are in the page cache already; make them durable. */
        MapFlushResult fr;
        rc = map_flush(d->map, 0, 0, true, &fr);
        if (rc == 0)
            r.pages = fr.pages;
        break;
    }
    default: return -EROFS;
    }
    if (rc < 0)
        return rc; /* journal untouched: the edits are still unwritten */
    /* In shared mode these count the edited runs made durable. */
    r.bytes = rangeset_total(runs);
    r.runs = runs->n;
    journal_mark_saved(d->journal); /* empties runs: counted above */
    r.ns = now_ns() - t0;
    if (res)
        *res = r;
    return 0;
}

int doc_refresh(Doc *d, DocChange *ch)
{
    int rc = map_refresh(d->map, NULL);
    if (rc < 0)
        return rc;
    DocChange c = {d->size, map_size(d->map), 0};
    if (c.new_size < c.old_size) {
        /* The kernel has already dropped the private pages past the end;
         * the journal must not replay or write them. */
        size_t before = journal_records(d->journal);
        journal_truncate(d->journal, c.new_size);
        c.lost_edits = before - journal_records(d->journal);
    }
    d->size = c.new_size;
    if (ch)
        *ch = c;
    return 0;
}
