/*
 * doc: the map, its residency probe and the edit journal, kept in step
 * (see doc.h).
 *
 * Invariants:
 * - The journal is the truth about the user's edits, the map a cache of it:
 *   every change to mapped bytes made here is either journaled (doc_put) or
 *   replayed from the journal (undo, redo), and a put that fails part-way is
 *   rolled back from the old bytes before it returns. In copy mode the
 *   kernel may drop the private pages holding edits (another process
 *   truncated the file, perhaps growing it back to the same size at once);
 *   doc_refresh notices (size or change time moved) and writes the net
 *   bytes (journal_edits) into the map again. A write sends the net bytes
 *   from the journal, never what the mapping happens to hold.
 * - The journal is marked saved only after the file holds its state durably
 *   (map_commit's fsync, or msync(MS_SYNC)); any failure leaves the journal
 *   as it was, so the edits stay in memory and doc_unwritten stays true.
 * - `size` and `stamp` are what the journal was last reconciled with. The
 *   map may learn of a truncation on its own (a caught SIGBUS shrinks it),
 *   so doc_refresh compares against these, not against what map_refresh
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
#include <unistd.h>

#include "sys.h"

/* Compile-time knobs: tests may shrink them to hit the boundaries. */
#ifndef DOC_PUT_STACK
#define DOC_PUT_STACK 4096u /* old bytes of a put kept on the stack */
#endif
#ifndef DOC_VERIFY
#define DOC_VERIFY (64u << 10) /* net bytes checked per refresh when nothing moved */
#endif
#ifndef DOC_VERIFY_RUNS
#define DOC_VERIFY_RUNS 256u /* and net runs: scattered edits cost a read each */
#endif

struct Doc {
    Map *map;           /* the mapped file; owns the descriptor */
    Resid *resid;       /* residency probe over map */
    Journal *journal;   /* edit history */
    uint64_t size;      /* size the journal was last reconciled with */
    MapStamp stamp;     /* fstat then: a same-size rewrite moves its times */
    int path_rc;        /* map_path_check then: 0, -MMH_EREPLACED, -ENOENT */
    bool path_free;     /* the path was let go on purpose: never checked */
    uint64_t verify_at; /* copy mode: where the next slice of net bytes is checked */
    uint64_t changes;   /* bumped by every change of the bytes (doc_changes) */
};

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
    (void)map_stamp(d->map, &d->stamp); /* a failure only means one extra check */
    *out = d;
    return 0;
}

void doc_detach_path(Doc *d)
{
    d->path_free = true;
    d->path_rc = 0;
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
    d->changes++; /* also after a failure: some bytes may have moved meanwhile */
    if (old != small)
        free(old);
    return rc;
}

typedef struct Overlay {
    uint64_t off; /* buf holds [off, off + len) */
    uint8_t *buf;
    size_t len;
} Overlay;

static int overlay_run(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    Overlay *o = ctx;
    if (off >= o->off + o->len)
        return 1; /* past the window: done */
    uint64_t a = off > o->off ? off : o->off;
    uint64_t b = off + len < o->off + o->len ? off + len : o->off + o->len;
    if (a < b)
        memcpy(o->buf + (a - o->off), cur + (a - off), (size_t)(b - a));
    return 0;
}

int doc_overlay(const Doc *d, uint64_t off, uint8_t *buf, size_t len)
{
    Overlay o = {off, buf, len};
    int rc = edits_each_net_from(journal_edits(d->journal), off, overlay_run, &o);
    return rc < 0 ? rc : 0;
}

void doc_snapshot(Doc *d)
{
    journal_snapshot(d->journal);
}

/* Undo and redo: the part inside the file goes into the map; a part past
 * the end (the file was truncated under edits kept in the journal) is
 * known to the journal alone until the file grows back. Either way the
 * journal is told what each byte held before: inside the file as the map
 * shows it now (a record's own bytes may be stale: another process wrote
 * the file since, and a write must send what differs from what the file
 * holds), past the end as the record believes (prev). */
static int apply_bytes(uint64_t off, const uint8_t *bytes, const uint8_t *prev, size_t len,
                       void *ctx)
{
    Doc *d = ctx;
    uint64_t size = map_size(d->map);
    uint8_t before[4096];
    d->changes++;
    for (size_t at = 0; at < len;) {
        size_t k = len - at < sizeof before ? len - at : sizeof before;
        uint64_t o = off + at;
        size_t in = o >= size ? 0 : (size_t)(size - o < k ? size - o : k);
        int rc = map_read(d->map, o, before, in);
        if (rc == 0)
            rc = map_write(d->map, o, bytes + at, in);
        if (rc < 0)
            return rc;
        memcpy(before + in, prev + at + in, k - in); /* past the end: the journal's belief */
        rc = journal_note(d->journal, o, before, bytes + at, k);
        if (rc < 0)
            return rc;
        at += k;
    }
    return 0;
}

uint64_t doc_changes(const Doc *d)
{
    return d->changes;
}

int doc_undo(Doc *d, uint64_t *where)
{
    return journal_undo(d->journal, apply_bytes, d, where);
}

int doc_redo(Doc *d, uint64_t *where)
{
    return journal_redo(d->journal, apply_bytes, d, where);
}

bool doc_unwritten(const Doc *d)
{
    /* Net bytes, not history: typing a byte's old value back, or undoing
     * to the written state, leaves nothing to lose. */
    return map_mode(d->map) == MMH_MODE_COPY &&
           edits_net_in(journal_edits(d->journal), 0, UINT64_MAX);
}

/* ---- write-back ----------------------------------------------------------- */

static int count_bytes(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    (void)off, (void)cur;
    *(uint64_t *)ctx += len;
    return 0;
}

/* Net bytes at or past size. */
static uint64_t net_past(const Doc *d, uint64_t size)
{
    uint64_t n = 0;
    edits_each_net_from(journal_edits(d->journal), size, count_bytes, &n);
    return n;
}

typedef struct NetRuns {
    RangeSet set;  /* the net runs inside the file */
    uint64_t size; /* the file's size: runs are cut there */
} NetRuns;

static int add_run(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    (void)cur;
    NetRuns *n = ctx;
    uint64_t hi = off + len < n->size ? off + len : n->size;
    return off < hi ? rangeset_add(&n->set, off, hi) : 0;
}

/* map_commit_from's source: the net bytes from the journal. */
static int net_source(uint64_t off, uint8_t *buf, size_t len, void *ctx)
{
    return edits_read(journal_edits(ctx), off, buf, len);
}

/* Copy mode: send the net bytes, then let every touched page show the file
 * again (pages holding only undone edits included). */
static int write_copy(Doc *d, DocWriteResult *r)
{
    NetRuns net = {RANGESET_INIT, map_size(d->map)};
    int rc = edits_each_net(journal_edits(d->journal), add_run, &net);
    if (rc == 0)
        rc = map_commit_from(d->map, net.set.v, net.set.n, net_source, d->journal);
    if (rc == 0) {
        r->bytes = rangeset_total(&net.set);
        r->runs = net.set.n;
        const RangeSet *touched = journal_runs(d->journal);
        map_discard(d->map, touched->v, touched->n);
    }
    rangeset_free(&net.set);
    return rc;
}

int doc_write(Doc *d, DocWriteResult *res)
{
    uint64_t t0 = sys_now_ns();
    DocWriteResult r = {0, 0, -1, 0};
    if (!doc_editable(d))
        return -EROFS;
    /* Never write on a stale picture: a truncation since the last refresh
     * must be seen (and its losses said) first; a replaced path would send
     * the edits to a file nobody sees. */
    int rc = doc_refresh(d, NULL);
    if (rc < 0)
        return rc;
    if (d->path_rc < 0)
        return d->path_rc;
    bool copy = map_mode(d->map) == MMH_MODE_COPY;
    uint64_t past = net_past(d, map_size(d->map));
    switch (map_mode(d->map)) {
    case MMH_MODE_COPY: rc = write_copy(d, &r); break;
    case MMH_MODE_SHARED: {
        /* The edits are in the page cache already; make them durable. */
        MapFlushResult fr;
        rc = map_flush(d->map, 0, 0, true, &fr);
        if (rc == 0) {
            r.pages = fr.pages;
            r.bytes = edits_net_bytes(journal_edits(d->journal), &r.runs) - past;
        }
        break;
    }
    default: return -EROFS;
    }
    if (rc < 0)
        return rc; /* journal untouched: the edits are still unwritten */
    /* Edits past the end (the file was truncated under them) were not
     * written, the file never grows by a write: they go now. */
    journal_truncate(d->journal, map_size(d->map));
    r.dropped = copy ? past : 0;
    journal_mark_saved(d->journal);
    (void)map_stamp(d->map, &d->stamp); /* our own write moved the times */
    r.ns = sys_now_ns() - t0;
    if (res)
        *res = r;
    return 0;
}

/* Copy mode: put back into the map every net byte it no longer holds (the
 * kernel dropped the private page, or the file grew back over edits the
 * journal kept past its end). Counts the bytes put back. */
typedef struct Reapply {
    Map *map;
    uint64_t bytes; /* net bytes the map had lost */
    uint64_t from;  /* look at net bytes from here on */
    uint64_t left;  /* bytes left to look at (UINT64_MAX: all) */
    uint64_t runs;  /* runs left to look at (UINT64_MAX: all) */
    uint64_t next;  /* where the next look starts (0 once all were seen) */
} Reapply;

static int reapply_run(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    Reapply *r = ctx;
    uint8_t now[4096];
    uint64_t size = map_size(r->map);
    if (off + len <= r->from)
        return 0;
    if (off < r->from) {
        cur += r->from - off;
        len -= (size_t)(r->from - off);
        off = r->from;
    }
    if (off >= size)
        return 0;
    if (len > size - off)
        len = (size_t)(size - off);
    if (len > r->left)
        len = (size_t)r->left;
    r->left -= len;
    r->runs--;
    r->next = off + len;
    for (size_t at = 0; at < len;) {
        size_t k = len - at < sizeof now ? len - at : sizeof now;
        int rc = map_read(r->map, off + at, now, k);
        if (rc < 0)
            return rc;
        uint64_t differ = 0;
        for (size_t i = 0; i < k; i++)
            differ += now[i] != cur[at + i];
        if (differ) {
            rc = map_write(r->map, off + at, cur + at, k);
            if (rc < 0)
                return rc;
            r->bytes += differ;
        }
        at += k;
    }
    /* Budget spent: the next call goes on from r->next. */
    return r->left == 0 || r->runs == 0 ? 1 : 0;
}

int doc_refresh(Doc *d, DocChange *ch)
{
    int rc = map_refresh(d->map, NULL);
    if (rc < 0)
        return rc;
    bool copy = map_mode(d->map) == MMH_MODE_COPY;
    DocChange c = {d->size, map_size(d->map), 0, 0, d->path_rc, false};
    if (c.new_size < c.old_size) {
        /* The kernel has already dropped the private pages past the end.
         * The journal keeps those edits (another process's `cat new > f`
         * truncates first, then writes: a look in between must not lose
         * them); they show again if the file grows back, and a write drops
         * what still lies past the end then. */
        if (copy)
            c.lost_bytes = net_past(d, c.new_size);
        else /* shared: those edits were file content, gone with it */
            journal_truncate(d->journal, c.new_size);
        /* The page holding the new end keeps its private copy, bytes past
         * the end and all: let it show the file, the net bytes go back
         * below. */
        size_t ps = map_pagesize(d->map);
        if (copy && c.new_size % ps) {
            MmhSpan last = {c.new_size - c.new_size % ps, c.new_size};
            map_discard(d->map, &last, 1);
        }
    }
    MapStamp st;
    bool moved = map_stamp(d->map, &st) < 0 || st.mtime_ns != d->stamp.mtime_ns ||
                 st.ctime_ns != d->stamp.ctime_ns || c.new_size != c.old_size;
    if (copy) {
        /* A truncation drops every private page, even when the file grows
         * back to the same size before we look: the journal is the truth.
         * When the file's times moved, look at every net byte; otherwise
         * at a bounded slice of them per call, round the journal, so a
         * change the times do not show (coarse clocks) is caught too. */
        Reapply r = {.map = d->map, .from = moved ? 0 : d->verify_at};
        r.left = moved ? UINT64_MAX : DOC_VERIFY;
        r.runs = moved ? UINT64_MAX : DOC_VERIFY_RUNS;
        rc = edits_each_net_from(journal_edits(d->journal), r.from, reapply_run, &r);
        c.reapplied = r.bytes;
        if (rc < 0)
            return rc;
        d->verify_at = rc == 1 ? r.next : 0;
    }
    if (moved)
        d->changes++;
    d->stamp = st;
    if (!d->path_free) {
        int p = map_path_check(d->map);
        c.path_changed = p != d->path_rc;
        c.path_rc = d->path_rc = p;
    }
    d->size = c.new_size;
    if (ch)
        *ch = c;
    return 0;
}

/* ---- paging actions --------------------------------------------------------- */

int doc_flush(Doc *d, uint64_t off, uint64_t len, bool wait, MapFlushResult *res)
{
    return map_flush(d->map, off, len, wait, res);
}

int doc_lock(Doc *d, uint64_t off, uint64_t len)
{
    return map_lock(d->map, off, len);
}

int doc_unlock(Doc *d, uint64_t off, uint64_t len)
{
    return map_unlock(d->map, off, len);
}

int doc_evict(Doc *d, uint64_t off, uint64_t len, MapEvictResult *res)
{
    return map_evict(d->map, off, len, res);
}

int doc_prefetch(Doc *d, uint64_t off, uint64_t len, bool populate)
{
    return map_prefetch(d->map, off, len, populate);
}

int doc_advise(Doc *d, MmhAdvice adv)
{
    return map_advise(d->map, adv);
}

int doc_seek_region(Doc *d, uint64_t from, bool data, bool backward, uint64_t *out)
{
    return map_seek_region(d->map, from, data, backward, out);
}

int doc_extent(Doc *d, uint64_t pos, Extent *out)
{
    bool data;
    uint64_t end;
    int rc = map_region(d->map, pos, &data, &end);
    if (rc < 0)
        return rc;
    *out = (Extent){pos, end, data};
    return 0;
}
