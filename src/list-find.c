/*
 * list-find: the matches of a search as a list (`find -a` on screen): an
 * RlSource over the search job (search.h), and the rows of the list.
 *
 * A scan is one Search over the range: forward from an offset (matches
 * starting at or after it), or backward from one (matches starting before
 * it), never wrapping; each next() steps it to its next match. The counter
 * is such a scan from the range's start, so counting a pattern that
 * matches billions of times costs time, not memory. A file truncated under
 * a scan is not an error here: the search goes on within the new size.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen-list.h"
#include "search-regex.h"
#include "search.h"

typedef struct FindList {
    Doc *d;          /* the document searched */
    Pattern pat;     /* what is searched for (a copy: the session's may change) */
    char text[128];  /* the pattern as typed */
    uint64_t lo, hi; /* the range */
    bool in_sel;     /* it is the selection */
    Regex *rx;       /* the list's reference to pat.rx (find -r), or NULL */
} FindList;

typedef struct FindScan {
    Search *search; /* NULL: an empty scan */
} FindScan;

static int find_open(void *ctx, bool backward, uint64_t from, void **scan)
{
    FindList *f = ctx;
    FindScan *fs = calloc(1, sizeof *fs);
    if (!fs)
        return -ENOMEM;
    *scan = fs;
    SearchOpts o = {.lo = f->lo, .hi = f->hi, .backward = backward};
    if (!backward) {
        if (from >= f->hi)
            return 0;
        o.from = from > f->lo ? from : f->lo;
    } else {
        if (from <= f->lo)
            return 0;
        o.from = from - 1;
    }
    int rc = search_start(&fs->search, f->d, &f->pat, &o);
    if (rc == -EINVAL) /* the range is empty now (the file shrank) */
        return 0;
    if (rc < 0) {
        free(fs);
        *scan = NULL;
        return rc;
    }
    return 0;
}

static int find_next(void *ctx, void *scan, uint64_t budget_ns, RlItem *it)
{
    (void)ctx;
    FindScan *fs = scan;
    if (!fs->search)
        return RL_END;
    int rc = search_step(fs->search, budget_ns);
    switch (rc) {
    case SEARCH_FOUND:
        *it = (RlItem){search_match(fs->search), search_match_len(fs->search)};
        return RL_ITEM;
    case SEARCH_RUNNING: return RL_MORE;
    case SEARCH_NOT_FOUND: return RL_END;
    case -MMH_ETRUNC: return RL_MORE; /* it goes on within the new size */
    default: return rc;
    }
}

static void find_progress(void *ctx, void *scan, RlProgress *out)
{
    (void)ctx;
    FindScan *fs = scan;
    *out = (RlProgress){0};
    if (!fs->search)
        return;
    SearchProgress p;
    search_progress(fs->search, &p);
    *out = (RlProgress){.at = p.at, .done = p.scanned, .total = p.total};
}

static void find_close(void *ctx, void *scan)
{
    (void)ctx;
    FindScan *fs = scan;
    search_free(fs->search);
    free(fs);
}

static const RlSource find_src = {find_open, find_next, find_progress, find_close};

static void find_title(Session *s, void *ctx, char *buf, size_t n)
{
    (void)s;
    FindList *f = ctx;
    snprintf(buf, n, "%s%s", f->text, f->in_sel ? " in the selection" : "");
}

/* "#12  0x00001234  de ad [be ef] 00 ..  ....": the index, the offset, the
 * bytes around the match. */
static void find_row(Session *s, void *ctx, const RlItem *it, uint64_t idx, bool sel, Grid *g,
                     int row, int col)
{
    (void)ctx;
    col = list_draw_index(s, g, row, col, idx, it->off, sel);
    list_draw_bytes(s, g, row, col + 2, g->cols, it->off, it->len, sel);
}

static void find_free(void *ctx)
{
    FindList *f = ctx;
    rx_free(f->rx);
    free(f);
}

static const ListType find_list = {
    .name = "find -a",
    .noun = "match",
    .nouns = "matches",
    .src = &find_src,
    .title = find_title,
    .row = find_row,
    .free = find_free,
};

int find_list_open(Session *s, uint64_t lo, uint64_t hi, bool in_sel)
{
    FindList *f = calloc(1, sizeof *f);
    if (!f)
        return fail(s, -ENOMEM, "find: out of memory");
    f->d = s->doc;
    f->pat = s->pat;
    if (s->pat.rx) /* find -r may replace the session's regex: hold this one */
        f->pat.rx = f->rx = rx_hold(s->rx);
    snprintf(f->text, sizeof f->text, "%s", s->pat_text);
    f->lo = lo;
    f->hi = hi;
    f->in_sel = in_sel;
    return list_open(s, &find_list, f);
}
