/*
 * journal: the edit history as three growable arrays (see journal.h).
 *
 * Records are headers {off, len, data} in `rec`; their bytes live in two
 * parallel arenas, `old_` and `new_`, at the same index `data`, so a record's
 * old and new bytes are each contiguous and can go to the apply callback
 * without copying. Groups are the array `group` of the index of each group's
 * first record. Memory is 2 bytes per edited byte, plus one header per record
 * and one index per undo step.
 *
 * Invariants:
 *  - records are laid out in order: rec[0].data == 0 and each record's bytes
 *    follow the previous one's, ending at nbytes; so the newest record's
 *    bytes end each arena, and a merge can grow it by appending;
 *  - group g holds records [group[g], group[g + 1]) (the last: up to nrec),
 *    and no group is empty;
 *  - groups [0, applied) are applied, [applied, ngroup) are the redo branch;
 *  - open implies applied == ngroup > 0: only the newest group grows, and a
 *    new record drops the redo branch first, so the open group is always the
 *    top of the arrays;
 *  - saved is the value applied had at the last journal_mark_saved (groups
 *    are immutable once closed, and marking closes the open group, so that
 *    count names the saved state), or SAVED_LOST once that state's groups
 *    were dropped with a redo branch.
 *
 * Dropping the redo branch only shortens the arrays (their memory is reused
 * by the next records); journal_truncate compacts them.
 */
#include "config.h"

#include "journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SAVED_LOST SIZE_MAX /* the saved state no longer exists in the history */

typedef struct Rec {
    uint64_t off; /* first byte the record covers */
    size_t len;   /* bytes covered (never 0) */
    size_t data;  /* index of its bytes in old_ and new_ */
} Rec;

struct Journal {
    Rec *rec;        /* record headers, oldest first */
    size_t nrec;     /* records held, the redo branch included */
    size_t caprec;   /* allocated headers */
    uint8_t *old_;   /* bytes before each record */
    uint8_t *new_;   /* bytes after each record, same indices as old_ */
    size_t nbytes;   /* bytes used in each arena */
    size_t capbytes; /* bytes allocated in each arena */
    size_t *group;   /* index of the first record of each group */
    size_t ngroup;   /* groups held, the redo branch included */
    size_t capgroup; /* allocated group slots */
    size_t applied;  /* groups [0, applied) are in the document */
    bool open;       /* group applied - 1 still takes records */
    size_t saved;    /* applied at the last save, or SAVED_LOST */
    RangeSet runs;   /* ranges touched since the last save */
    Edits edits;     /* their bytes then and now: the net changes */
};

int journal_new(Journal **out)
{
    Journal *j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    j->runs = (RangeSet)RANGESET_INIT;
    j->edits = (Edits)EDITS_INIT;
    *out = j;
    return 0;
}

void journal_free(Journal *j)
{
    if (!j)
        return;
    free(j->rec);
    free(j->old_);
    free(j->new_);
    free(j->group);
    rangeset_free(&j->runs);
    edits_free(&j->edits);
    free(j);
}

/* Make room for need elements of size bytes in v (capacity *cap), doubling.
 * Returns the array, perhaps moved, or NULL with v and *cap untouched. */
static void *grow(void *v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return v;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return NULL;
        c *= 2;
    }
    if (c > SIZE_MAX / size)
        return NULL;
    void *p = realloc(v, c * size);
    if (p)
        *cap = c;
    return p;
}

/* The arenas grow together to capbytes; when the second fails the first is
 * merely larger than it need be, which is harmless. */
static int reserve_bytes(Journal *j, size_t need)
{
    if (need <= j->capbytes)
        return 0;
    size_t cap = j->capbytes;
    uint8_t *p = grow(j->old_, &cap, need, 1);
    if (!p)
        return -ENOMEM;
    j->old_ = p;
    cap = j->capbytes;
    p = grow(j->new_, &cap, need, 1);
    if (!p)
        return -ENOMEM;
    j->new_ = p;
    j->capbytes = cap;
    return 0;
}

/* One past the last record of group g. */
static size_t group_end(const Journal *j, size_t g)
{
    return g + 1 < j->ngroup ? j->group[g + 1] : j->nrec;
}

int journal_record(Journal *j, uint64_t off, const uint8_t *old, const uint8_t *new_, size_t len)
{
    if (len == 0)
        return 0;
    if (len > UINT64_MAX - off)
        return -EINVAL; /* a range past the largest offset: a caller's bug */

    /* Where the arrays end once the redo branch is gone. Nothing changes
     * until every allocation below has succeeded. */
    size_t ng = j->applied;
    size_t nr = ng < j->ngroup ? j->group[ng] : j->nrec;
    size_t nb = nr < j->nrec ? j->rec[nr].data : j->nbytes;

    /* Merge into the open group's newest record when this one starts inside
     * it or right after it: a second nibble, or the next byte typed. */
    Rec *prev = j->open ? &j->rec[nr - 1] : NULL;
    bool merge = prev && off >= prev->off && off - prev->off <= prev->len;
    size_t over = 0, ext = len; /* bytes overwriting prev, bytes appended */
    if (merge) {
        size_t in = prev->len - (size_t)(off - prev->off); /* room left in prev */
        over = len < in ? len : in;
        ext = len - over;
        if (ext > SIZE_MAX - nb)
            return -ENOMEM;
    } else {
        if (len > SIZE_MAX - nb)
            return -ENOMEM;
        Rec *rp = grow(j->rec, &j->caprec, nr + 1, sizeof *rp);
        if (!rp)
            return -ENOMEM;
        j->rec = rp;
        if (!j->open) {
            size_t *gp = grow(j->group, &j->capgroup, ng + 1, sizeof *gp);
            if (!gp)
                return -ENOMEM;
            j->group = gp;
        }
    }
    if (reserve_bytes(j, nb + ext) < 0)
        return -ENOMEM;
    if (rangeset_add(&j->runs, off, off + len) < 0)
        return -ENOMEM;
    /* Last: a failure before it leaves runs a little wide, which only makes
     * a write look at bytes that turn out not to be net. */
    if (edits_touch(&j->edits, off, old, new_, len) < 0)
        return -ENOMEM;

    /* Commit: drop the redo branch, losing the saved state if it was there. */
    if (j->saved != SAVED_LOST && j->saved > ng)
        j->saved = SAVED_LOST;
    j->ngroup = ng;
    j->nrec = nr;
    j->nbytes = nb;

    if (merge) {
        /* Overwritten bytes keep their original old value; only the new
         * value changes. */
        memcpy(j->new_ + prev->data + (size_t)(off - prev->off), new_, over);
        memcpy(j->old_ + nb, old + over, ext);
        memcpy(j->new_ + nb, new_ + over, ext);
        prev->len += ext;
        j->nbytes += ext;
        return 0;
    }
    if (!j->open) {
        j->group[j->ngroup++] = j->nrec;
        j->applied = j->ngroup;
        j->open = true;
    }
    memcpy(j->old_ + nb, old, len);
    memcpy(j->new_ + nb, new_, len);
    j->rec[j->nrec++] = (Rec){off, len, nb};
    j->nbytes += len;
    return 0;
}

void journal_snapshot(Journal *j)
{
    j->open = false;
}

/* Note every range of group g in runs before applying it: if the apply fails
 * half way, runs names a few bytes too many, which a write merely rewrites,
 * rather than too few. */
static int add_runs(Journal *j, size_t g)
{
    for (size_t i = j->group[g], e = group_end(j, g); i < e; i++)
        if (rangeset_add(&j->runs, j->rec[i].off, j->rec[i].off + j->rec[i].len) < 0)
            return -ENOMEM;
    return 0;
}

int journal_undo(Journal *j, JournalApplyFn fn, void *ctx, uint64_t *where)
{
    if (j->applied == 0)
        return 1;
    size_t g = j->applied - 1;
    int r = add_runs(j, g);
    if (r < 0)
        return r;
    uint64_t lo = UINT64_MAX;
    for (size_t i = group_end(j, g); i-- > j->group[g];) {
        const Rec *rc = &j->rec[i];
        r = fn(rc->off, j->old_ + rc->data, j->new_ + rc->data, rc->len, ctx);
        if (r < 0)
            return r;
        if (rc->off < lo)
            lo = rc->off;
    }
    j->applied = g;
    j->open = false;
    if (where)
        *where = lo;
    return 0;
}

int journal_redo(Journal *j, JournalApplyFn fn, void *ctx, uint64_t *where)
{
    if (j->applied == j->ngroup)
        return 1;
    size_t g = j->applied;
    int r = add_runs(j, g);
    if (r < 0)
        return r;
    uint64_t lo = UINT64_MAX;
    for (size_t i = j->group[g], e = group_end(j, g); i < e; i++) {
        const Rec *rc = &j->rec[i];
        r = fn(rc->off, j->new_ + rc->data, j->old_ + rc->data, rc->len, ctx);
        if (r < 0)
            return r;
        if (rc->off < lo)
            lo = rc->off;
    }
    j->applied = g + 1;
    if (where)
        *where = lo;
    return 0;
}

bool journal_can_undo(const Journal *j)
{
    return j->applied > 0;
}

bool journal_can_redo(const Journal *j)
{
    return j->applied < j->ngroup;
}

bool journal_modified(const Journal *j)
{
    return j->saved != j->applied;
}

/* Closing the open group makes the saved state a whole number of groups:
 * edits typed after the write undo back to exactly what was written. */
void journal_mark_saved(Journal *j)
{
    j->open = false;
    j->saved = j->applied;
    rangeset_clear(&j->runs);
    edits_clear(&j->edits);
}

const RangeSet *journal_runs(const Journal *j)
{
    return &j->runs;
}

const Edits *journal_edits(const Journal *j)
{
    return &j->edits;
}

int journal_note(Journal *j, uint64_t off, const uint8_t *before, const uint8_t *after, size_t len)
{
    return edits_touch(&j->edits, off, before, after, len);
}

/* One pass over the whole history, compacting headers, bytes and groups in
 * place (every write index trails its read index). Rare, so O(history) is
 * fine here. */
uint64_t journal_truncate(Journal *j, uint64_t size)
{
    size_t w = 0, wb = 0, gw = 0;              /* write indices: records, bytes, groups */
    size_t below_applied = 0, below_saved = 0; /* empty groups dropped under each mark */
    for (size_t g = 0, ng = j->ngroup; g < ng; g++) {
        size_t a = j->group[g], e = group_end(j, g);
        size_t first = w;
        for (size_t i = a; i < e; i++) {
            Rec rc = j->rec[i];
            if (rc.off >= size)
                continue;
            if (size - rc.off < rc.len)
                rc.len = (size_t)(size - rc.off);
            memmove(j->old_ + wb, j->old_ + rc.data, rc.len);
            memmove(j->new_ + wb, j->new_ + rc.data, rc.len);
            rc.data = wb;
            wb += rc.len;
            j->rec[w++] = rc;
        }
        if (w > first) {
            j->group[gw++] = first;
            continue;
        }
        if (g < j->applied)
            below_applied++;
        if (j->saved != SAVED_LOST && g < j->saved)
            below_saved++;
        if (j->open && g + 1 == j->applied)
            j->open = false;
    }
    j->nrec = w;
    j->nbytes = wb;
    j->ngroup = gw;
    j->applied -= below_applied;
    if (j->saved != SAVED_LOST)
        j->saved -= below_saved;
    /* Removing a tail never splits a range, so this cannot fail. */
    (void)rangeset_remove(&j->runs, size, UINT64_MAX);
    return edits_truncate(&j->edits, size);
}

size_t journal_groups(const Journal *j)
{
    return j->applied;
}

size_t journal_records(const Journal *j)
{
    return j->nrec;
}
