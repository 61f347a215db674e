/*
 * doc: a document, the file being edited: the map, its residency probe and
 * the edit journal, kept in step.
 *
 * Every edit goes through doc_put, which reads the old bytes, writes the new
 * ones into the map and records both in the journal, so undo, redo and
 * write-back always agree with what the map holds. Writing:
 *   copy mode    doc_write sends the journal's edited runs to the file
 *                (map_commit: pwrite, fsync, drop the private pages);
 *   shared mode  doc_write is a synchronous flush (the edits are already in
 *                the page cache);
 *   any mode     save.h's doc_saveas copies it to a new file.
 * On any failure the edits stay in memory and the journal is unchanged, so
 * nothing is lost; the caller words the code (map_strerror).
 *
 * Size changes by other processes are taken in doc_refresh: on shrinkage the
 * journal drops the edits past the new end (the kernel has already dropped
 * those private pages) and the result says how many were lost.
 */
#ifndef MMH_DOC_H
#define MMH_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extent.h"
#include "journal.h"
#include "map.h"
#include "resid.h"

typedef struct Doc Doc;

/* Open path (map_open, resid_open, a new journal). On failure *out is NULL
 * and the code is map_open's. */
int doc_open(Doc **out, const char *path, const MapOpts *opts);
void doc_close(Doc *d);

Map *doc_map(const Doc *d);
Resid *doc_resid(const Doc *d);
Journal *doc_journal(const Doc *d);
uint64_t doc_size(const Doc *d);
bool doc_editable(const Doc *d); /* not read-only */

/* Copy bytes out (map_read): 0, -MMH_ETRUNC past the end (truncated), -EIO. */
int doc_read(Doc *d, uint64_t off, void *buf, size_t len);

/* Lay the unwritten net edits that fall in [off, off+len) over buf, which
 * holds those bytes as read: what the document holds there, whatever the
 * map still has. 0 or -errno. */
int doc_overlay(const Doc *d, uint64_t off, uint8_t *buf, size_t len);

/* Overwrite len bytes at off and journal it. -EROFS in read-only mode,
 * -MMH_ETRUNC past the end (nothing written), -ENOSPC, -EIO, -ENOMEM. */
int doc_put(Doc *d, uint64_t off, const uint8_t *bytes, size_t len);

/* Close the current undo group (see journal_snapshot). */
void doc_snapshot(Doc *d);

/* Undo/redo one group; *where gets the offset to show. 0, 1 when there is
 * nothing to undo/redo, or -errno. */
int doc_undo(Doc *d, uint64_t *where);
int doc_redo(Doc *d, uint64_t *where);

/* Unwritten copy-mode edits exist (quit must ask). Always false in shared
 * mode (the page cache holds the edits; quitting loses nothing) and in
 * read-only mode. */
bool doc_unwritten(const Doc *d);
/* A count bumped whenever the bytes may have changed (a put, an undo or
 * redo, a change by another process seen by doc_refresh): what was
 * computed from them (a comparison) is stale when it moved. */
uint64_t doc_changes(const Doc *d);

typedef struct DocWriteResult {
    uint64_t bytes;   /* net bytes written: changed since the last write */
    uint64_t runs;    /* maximal runs of them */
    int64_t pages;    /* dirty pages flushed (shared mode), -1 unknown */
    uint64_t dropped; /* copy mode: net edited bytes past the end (the file was
                         truncated under them), dropped and not written */
    uint64_t ns;      /* time taken */
} DocWriteResult;

/* Write the edits to the file, durably (see above): only the net bytes,
 * those whose value differs from what they held at the last write, so an
 * undone edit never overwrites what another process wrote there. Refreshes
 * first (doc_refresh), so a truncation is seen: edits past the end are
 * dropped and counted (res->dropped), never written (the file never grows).
 * Refuses rather than write into a file nobody sees: -MMH_EREPLACED or
 * -ENOENT when the path no longer names the open file. -EROFS in read-only mode or when
 * the file cannot be opened for writing. res may be NULL. */
int doc_write(Doc *d, DocWriteResult *res);

typedef struct DocChange {
    uint64_t old_size, new_size; /* equal when the size did not change */
    uint64_t lost_bytes;         /* copy mode: net edited bytes now past the end (the
                                    journal keeps them: they return if the file grows
                                    back; a write drops them) */
    uint64_t reapplied;          /* copy mode: net edited bytes the kernel had
                                    dropped with the private pages, put back */
    int path_rc;                 /* 0, -MMH_EREPLACED (renamed over), -ENOENT (deleted) */
    bool path_changed;           /* path_rc differs from the last refresh's */
} DocChange;

/* Take changes made by others: a new size (map_refresh; edits past a new
 * end are counted), a rewrite (size or change time moved: in
 * copy mode the net edits the map lost are re-applied from the journal) and
 * a replaced or deleted path. Cost: two fstats and a stat, plus the net
 * edited bytes when the file changed. ch may be NULL. */
int doc_refresh(Doc *d, DocChange *ch);

/* The path no longer names the file on purpose (the demo unlinks it): do
 * not report it as deleted. */
void doc_detach_path(Doc *d);

/* ---- paging actions --------------------------------------------------- */

/* Thin contracts over map.h's calls of the same names, so the UI asks the
 * document and never the map. None of them touches the journal or the
 * bytes the document holds: they change only what the kernel keeps in
 * memory, and how it reads ahead. Each returns 0 or -errno as the map call
 * does; d's size is not refreshed first (doc_refresh does that). */

/* Flush [off, off+len) (len 0: to the end) to disk; wait: synchronously
 * (map_flush). Unlike doc_write it writes no copy-mode edits: those are in
 * private pages the file does not see. res may be NULL. */
int doc_flush(Doc *d, uint64_t off, uint64_t len, bool wait, MapFlushResult *res);

/* Lock/unlock the pages covering [off, off+len) (len 0: to the end) in
 * memory (map_lock): -ENOMEM past RLIMIT_MEMLOCK (map_lock_message words
 * it), -EPERM, -EAGAIN. */
int doc_lock(Doc *d, uint64_t off, uint64_t len);
int doc_unlock(Doc *d, uint64_t off, uint64_t len);

/* Drop [off, off+len) (len 0: to the end) from memory (map_evict): rounded
 * out to 2 MiB, and res->lo/hi give the range that came to, clipped to the
 * file size, for the message. Never loses an edit: copy-mode pages holding
 * edits are kept (res->kept_edited), shared-mode pages are written first.
 * Locks on the range go. res may be NULL. */
int doc_evict(Doc *d, uint64_t off, uint64_t len, MapEvictResult *res);

/* Have the kernel read [off, off+len) ahead: asynchronously, or with
 * populate synchronously, mapping the pages (map_prefetch). Callers bound
 * len per UI tick. */
int doc_prefetch(Doc *d, uint64_t off, uint64_t len, bool populate);

/* Readahead advice for the whole document (map_advise); map_advice says
 * what is in force. */
int doc_advise(Doc *d, MmhAdvice adv);

/* The start of the nearest data region (data) or hole (!data) strictly
 * after from, or strictly before it (backward): map_seek_region. -ENXIO
 * when there is none. */
int doc_seek_region(Doc *d, uint64_t from, bool data, bool backward, uint64_t *out);

/* The region holding pos (< doc_size), data or hole, as [pos, end): one
 * extent_at (extent.h). -ENXIO when pos is past the end. */
int doc_extent(Doc *d, uint64_t pos, Extent *out);

#endif
