/*
 * rmap: the residency map, a whole-file picture of what the kernel holds
 * (see rmap.h).
 *
 * The job is to answer "where in this file are the cached, dirty, locked,
 * edited and empty parts?" at a cost that does not grow with the file: a
 * 1 TiB sparse file must sample as fast as a 1 MiB one. So nothing here
 * walks pages. Each bucket gets one cachestat (cached, dirty, writeback);
 * locks come from the Map's own range set; holes from one forward walk of
 * SEEK_DATA/SEEK_HOLE that asks again only when the known data region ends
 * before the next bucket (at most two lseeks a bucket, fewer when extents
 * are large); copy-mode edits from PAGEMAP_SCAN over the whole map, then
 * over halves only where edits remain (a scan costs only the populated page
 * tables). Nothing touches mapped bytes, so sampling faults nothing in.
 *
 * Invariants:
 * - Bucket i covers the pages [start(i), start(i+1)) with
 *   start(i) = floor(i * P / n), P the file's pages, so buckets differ by at
 *   most a page, are page-aligned, cover the file exactly (the last ends at
 *   the file size, not its page), and each holds at least one page.
 * - r->b holds 2n buckets: the n shown and n of scratch, sampled into and
 *   copied over the shown ones only on success, so a failed sample leaves
 *   the map as it was. The array is reallocated only when n changes.
 * - Rendering never fails, never allocates, and clips every cell to the
 *   grid, so any terminal size is safe.
 */
#include "config.h"

#include "rmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "parse.h"
#include "extent.h"
#include "sys.h"

#define RMAP_CHROME_ROWS 4 /* title, two legend rows, message */

static const char shades[RMAP_CACHED_SHADES] = {' ', '.', '-', '+', '*', '#'};

static const char legend_long[] =
    "' '.-+*# none..all cached  D dirty W writeback L locked C edited _ hole";
static const char legend_short[] = "' '.-+*# cached D W L C _";
static const char hints[] = "Enter: go  Esc/m: back";

/* ---- sampling ------------------------------------------------------------ */

/* First page of bucket i of n over P pages: floor(i * P / n), computed as
 * i*q + floor(i*rem / n) so nothing overflows (i, rem < n <= 2^20). */
static uint64_t bucket_start(uint64_t i, uint64_t n, uint64_t pages)
{
    uint64_t q = pages / n, rem = pages % n;

    return i * q + i * rem / n;
}

/* Cut [0, size) into n buckets of whole pages (the geometry only). */
static void cut(RmapBucket *b, size_t n, uint64_t size, uint64_t ps)
{
    uint64_t pages = (size + ps - 1) / ps;

    for (size_t i = 0; i < n; i++) {
        uint64_t p0 = bucket_start(i, n, pages), p1 = bucket_start(i + 1, n, pages);
        memset(&b[i], 0, sizeof b[i]);
        b[i].lo = p0 * ps;
        b[i].hi = i + 1 == n ? size : p1 * ps;
        b[i].pages = (uint32_t)(p1 - p0);
    }
}

/* How many buckets a file of size bytes gets when n are asked for. */
static size_t fit_n(size_t n, uint64_t size, uint64_t ps)
{
    uint64_t pages = (size + ps - 1) / ps, least;

    if (n > RMAP_MAX_BUCKETS)
        n = RMAP_MAX_BUCKETS;
    if (n > pages)
        n = (size_t)pages;
    /* A bucket's page count must fit its uint32_t field. */
    least = pages / UINT32_MAX + (pages % UINT32_MAX != 0);
    if (n < least)
        n = (size_t)least;
    return n;
}

/* cached, dirty and writeback of each bucket: one cachestat apiece
 * (resid_count; rmap_sample has made sure cachestat is there and honest). */
static int sample_cache(Resid *rs, RmapBucket *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ResidCount c;
        int rc = resid_count(rs, b[i].lo, b[i].hi - b[i].lo, &c);

        if (rc < 0)
            return rc;
        /* A large folio is counted only for its pages inside the range, but
         * clamp anyway: the shade must never exceed "all". */
        b[i].cached = (uint32_t)(c.cached < b[i].pages ? c.cached : b[i].pages);
        b[i].dirty = (uint32_t)((uint64_t)c.dirty < b[i].pages ? (uint64_t)c.dirty : b[i].pages);
        b[i].writeback =
            (uint32_t)((uint64_t)c.writeback < b[i].pages ? (uint64_t)c.writeback : b[i].pages);
    }
    return 0;
}

/* hole for each bucket with no data anywhere in it. The extent iterator
 * asks again only when the data region it found last ends at or before the
 * bucket's start, so the walk makes at most two lseeks a bucket and skips
 * the extents inside a bucket already known to hold data. File systems and
 * devices that cannot say are all data (extent.h). */
static int sample_holes(Map *m, RmapBucket *b, size_t n)
{
    ExtentIter it;

    map_extent_iter(m, &it);
    for (size_t i = 0; i < n; i++) {
        Extent e;
        int rc = extent_next_data(&it, b[i].lo, &e);
        if (rc < 0)
            return rc;
        b[i].hole = e.lo >= b[i].hi;
    }
    return 0;
}

/* locked from the Map's lock set (its own bookkeeping, no syscall). */
static void sample_locked(Map *m, RmapBucket *b, size_t n)
{
    const RangeSet *ls = map_locked(m);

    if (!ls || ls->n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        b[i].locked = rangeset_overlaps(ls, b[i].lo, b[i].hi);
}

/* edited for buckets [i, j) by halving: one PAGEMAP_SCAN over the whole
 * span, then each half only while edits remain, so E edited buckets cost
 * O(E log n) scans instead of n. false when edits cannot be known. */
static bool edited_split(Resid *rs, RmapBucket *b, size_t i, size_t j)
{
    uint64_t pages;

    if (resid_edited(rs, b[i].lo, b[j - 1].hi - b[i].lo, &pages) < 0)
        return false;
    if (pages == 0)
        return true;
    if (j - i == 1) {
        b[i].edited = true;
        return true;
    }
    return edited_split(rs, b, i, i + (j - i) / 2) && edited_split(rs, b, i + (j - i) / 2, j);
}

/* edited (copy mode). With PAGEMAP_SCAN a scan costs only the populated page
 * tables, so the buckets are found by halving. Without it resid_edited reads
 * 8 bytes of pagemap per page, too much to repeat or to spend on a huge
 * file, so only the buckets the journal has touched since the last write
 * are asked, once each (edits make private copies only there). A failure
 * (no /proc/self/pagemap) leaves the marks unset: edits unknown, not an
 * error of the map. */
static void sample_edited(Doc *d, RmapBucket *b, size_t n)
{
    Resid *rs = doc_resid(d);
    const RangeSet *runs = journal_runs(doc_journal(d));
    uint64_t pages;

    if (map_mode(doc_map(d)) != MMH_MODE_COPY || n == 0)
        return;
    if (resid_has_pagemap_scan(rs)) {
        edited_split(rs, b, 0, n);
        return;
    }
    if (!runs || runs->n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!rangeset_overlaps(runs, b[i].lo, b[i].hi))
            continue;
        if (resid_edited(rs, b[i].lo, b[i].hi - b[i].lo, &pages) < 0)
            return;
        b[i].edited = pages > 0;
    }
}

static int sample_into(Doc *d, RmapBucket *b, size_t n)
{
    Map *m = doc_map(d);
    int rc;

    rc = sample_cache(doc_resid(d), b, n);
    if (rc == 0)
        rc = sample_holes(m, b, n);
    if (rc < 0)
        return rc;
    sample_locked(m, b, n);
    sample_edited(d, b, n);
    return 0;
}

int rmap_sample(Rmap *r, Doc *d, size_t n)
{
    Map *m = doc_map(d);
    Resid *rs = doc_resid(d);
    uint64_t t0 = sys_now_ns(), size = doc_size(d), ps = map_pagesize(m);
    RmapBucket *arr = r->b, *scratch;
    int rc;

    if (!resid_known(rs))
        return r->rc = -EPERM; /* mincore and cachestat would lie or refuse */
    if (!resid_has_cachestat(rs))
        return r->rc = -ENOSYS;
    if (n == 0)
        return r->rc = -EINVAL;
    n = fit_n(n, size, ps);
    if (n != r->n || !arr) {
        arr = NULL;
        if (n > 0) {
            arr = calloc(2 * n, sizeof *arr);
            if (!arr)
                return r->rc = -ENOMEM;
        }
    }
    scratch = arr ? arr + n : NULL;
    cut(scratch, n, size, ps);
    rc = sample_into(d, scratch, n);
    if (rc < 0) {
        if (arr != r->b)
            free(arr);
        return r->rc = rc;
    }
    if (n > 0)
        memcpy(arr, scratch, n * sizeof *arr);
    if (arr != r->b)
        free(r->b);
    r->b = arr;
    r->n = n;
    r->size = size;
    r->pagesize = ps;
    r->locked = rangeset_total(map_locked(m));
    r->ns = sys_now_ns() - t0;
    return r->rc = 0;
}

void rmap_free(Rmap *r)
{
    free(r->b);
    memset(r, 0, sizeof *r);
}

size_t rmap_bucket_of(const Rmap *r, uint64_t off)
{
    size_t lo = 0, hi = r->n;

    if (r->n == 0)
        return 0;
    if (off >= r->b[r->n - 1].lo)
        return r->n - 1;
    /* The last bucket whose start is at or before off. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->b[mid].lo <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

size_t rmap_capacity(int rows, int cols)
{
    if (rows < RMAP_CHROME_ROWS + 1 || cols < 1)
        return 0;
    return (size_t)cols * (size_t)(rows - RMAP_CHROME_ROWS);
}

/* Lay the words of s out in lines of at most width characters (a longer
 * word is broken); calls back per line unless draw is NULL, and returns the
 * line count. */
typedef void (*LineFn)(Grid *g, int line, const char *s, size_t len, int cls, int top);

static int wrap(const char *s, int width, Grid *g, int top, int cls, LineFn draw)
{
    int lines = 0;

    s += strspn(s, " ");
    while (*s) {
        size_t len = 0;
        for (;;) {
            size_t gap = strspn(s + len, " "), w = strcspn(s + len + gap, " ");
            if (w == 0)
                break;
            if (len + gap + w > (size_t)width) {
                if (len == 0)
                    len = (size_t)width; /* a word longer than a line: break it */
                break;
            }
            len += gap + w;
        }
        if (draw)
            draw(g, lines, s, len, cls, top);
        lines++;
        s += len;
        s += strspn(s, " ");
    }
    return lines;
}

static void centred_line(Grid *g, int line, const char *s, size_t len, int cls, int top)
{
    int col = (int)len < g->cols ? (g->cols - (int)len) / 2 : 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        grid_put(g, top + line, col + (int)i, ch < 0x20 || ch >= 0x7f ? '?' : ch, cls);
    }
}

/* s wrapped and centred both ways in rows [top, bottom). */
static void put_centred(Grid *g, int top, int bottom, const char *s, int cls)
{
    int lines = wrap(s, g->cols, g, 0, cls, NULL);
    int first = top + (bottom - top - lines) / 2;

    if (first < top)
        first = top;
    wrap(s, g->cols, g, first, cls, centred_line);
}

static void fmt_ms(uint64_t ns, char *buf, size_t n)
{
    uint64_t us = ns / 1000;

    if (us < 100000)
        snprintf(buf, n, "%" PRIu64 ".%02" PRIu64 " ms", us / 1000, us % 1000 / 10);
    else
        snprintf(buf, n, "%" PRIu64 " ms", us / 1000);
}

/* " mmhex residency map  NAME  SIZE  N buckets of SIZE each  sampled in X ms",
 * or where that does not fit, the compact "SIZE  N x SIZE  X ms" after the
 * name, at the right edge, the name giving way. */
static void draw_title(const Rmap *r, const RmapInfo *in, Grid *g)
{
    static const char head[] = " mmhex residency map  ";
    const char *name = in && in->name ? in->name : "";
    char full[192], compact[160], a[32], b[32], t[32];
    int hl = (int)strlen(head), nl = (int)strlen(name), col;

    grid_fill_row(g, 0, MMH_CC_TITLE);
    col = grid_put_str(g, 0, 0, g->cols, head, MMH_CC_TITLE, true);
    if (r->n == 0) {
        grid_put_str(g, 0, col, g->cols, name, MMH_CC_TITLE, true);
        return;
    }
    parse_fmt_size(r->size, a, sizeof a);
    parse_fmt_size(r->size / r->n, b, sizeof b);
    fmt_ms(r->ns, t, sizeof t);
    snprintf(full, sizeof full, "%s  %zu bucket%s of %s each  sampled in %s", a, r->n,
             r->n == 1 ? "" : "s", b, t);
    snprintf(compact, sizeof compact, "%s  %zu x %s  %s", a, r->n, b, t);
    if (hl + nl + 2 + (int)strlen(full) <= g->cols) {
        col = grid_put_str(g, 0, col, g->cols, name, MMH_CC_TITLE, false);
        grid_put_str(g, 0, col + 2, g->cols, full, MMH_CC_TITLE, false);
    } else if (hl + 2 + (int)strlen(compact) <= g->cols) {
        int at = g->cols - (int)strlen(compact);
        grid_put_str(g, 0, col, at - 2, name, MMH_CC_TITLE, true);
        grid_put_str(g, 0, at, g->cols, compact, MMH_CC_TITLE, false);
    } else {
        col = grid_put_str(g, 0, col, g->cols, name, MMH_CC_TITLE, true);
        grid_put_str(g, 0, col + 2, g->cols, compact, MMH_CC_TITLE, true);
    }
}

/* The glyph of a bucket: a mark (edited, locked, writeback, dirty, by
 * priority), else '_' for an uncached hole, else its cached shade. */
static void glyph_of(const RmapBucket *b, uint32_t *ch, int *cls)
{
    unsigned s;

    if (b->edited)
        *ch = 'C', *cls = MMH_CC_GLYPH_HOT;
    else if (b->locked)
        *ch = 'L', *cls = MMH_CC_GLYPH_HOT;
    else if (b->writeback)
        *ch = 'W', *cls = MMH_CC_GLYPH_HOT;
    else if (b->dirty)
        *ch = 'D', *cls = MMH_CC_GLYPH_HOT;
    else if (b->hole && b->cached == 0)
        *ch = '_', *cls = MMH_CC_HOLE;
    else {
        if (b->cached == 0)
            s = 0;
        else if (b->cached >= b->pages)
            s = RMAP_CACHED_SHADES - 1;
        else /* 1..4 by quarters of the bucket */
            s = 1 + (unsigned)((uint64_t)b->cached * (RMAP_CACHED_SHADES - 2) / b->pages);
        *ch = (uint32_t)shades[s];
        *cls = s == 0 ? MMH_CC_GLYPH_OUT : MMH_CC_GLYPH;
    }
}

static void draw_cells(const Rmap *r, const RmapInfo *in, Grid *g)
{
    size_t cap = rmap_capacity(g->rows, g->cols), shown = r->n < cap ? r->n : cap;
    size_t cur = in ? rmap_bucket_of(r, in->cursor) : SIZE_MAX;
    size_t sel = in ? in->selected : SIZE_MAX;

    for (size_t i = 0; i < shown; i++) {
        int row = 1 + (int)(i / (size_t)g->cols), col = (int)(i % (size_t)g->cols);
        uint32_t ch;
        int cls;

        glyph_of(&r->b[i], &ch, &cls);
        if (i == sel) {
            cls = MMH_CC_CURSOR;
            g->cur_row = row;
            g->cur_col = col;
        } else if (i == cur) {
            cls = MMH_CC_CURSOR2;
        }
        grid_put(g, row, col, ch, cls);
    }
}

static void draw_legend(const Rmap *r, Grid *g)
{
    uint64_t cached = 0, dirty = 0, wb = 0, pages = 0, ps = r->pagesize, cb;
    char line[256], a[32], b[32], c[32], d[32], e[32];
    int row = g->rows - 3, hl = (int)strlen(hints), col;
    unsigned pm;

    grid_fill_row(g, row, MMH_CC_STATUS);
    grid_put_str(g, row, 0, g->cols,
                 (int)strlen(legend_long) <= g->cols ? legend_long : legend_short, MMH_CC_STATUS,
                 true);

    for (size_t i = 0; i < r->n; i++) {
        cached += r->b[i].cached;
        dirty += r->b[i].dirty;
        wb += r->b[i].writeback;
        pages += r->b[i].pages;
    }
    cb = cached * ps > r->size ? r->size : cached * ps; /* the tail page is partial */
    pm = parse_permille(cached, pages);
    snprintf(line, sizeof line, "cached %s/%s (%u.%u%%)  dirty %s  wb %s  locked %s",
             parse_fmt_size_short(cb, a, sizeof a), parse_fmt_size_short(r->size, b, sizeof b),
             pm / 10, pm % 10, parse_fmt_size_short(dirty * ps, c, sizeof c),
             parse_fmt_size_short(wb * ps, d, sizeof d),
             parse_fmt_size_short(r->locked, e, sizeof e));
    row = g->rows - 2;
    grid_fill_row(g, row, MMH_CC_STATUS);
    col = grid_put_str(g, row, 0, g->cols, line, MMH_CC_STATUS, true);
    /* The key hints go to the right edge, when there is room for them. */
    if (col + 2 + hl <= g->cols)
        grid_put_str(g, row, g->cols - hl, g->cols, hints, MMH_CC_STATUS, false);
}

/* The message, or else what the selected bucket holds. */
static void draw_message(const Rmap *r, const RmapInfo *in, Grid *g)
{
    char line[256];
    const RmapBucket *b;
    size_t k;

    if (in && in->message) {
        grid_put_str(g, g->rows - 1, 0, g->cols, in->message,
                     in->message_error ? MMH_CC_ERROR : MMH_CC_MESSAGE, true);
        return;
    }
    if (!in || in->selected >= r->n)
        return;
    b = &r->b[in->selected];
    k = (size_t)snprintf(line, sizeof line,
                         "bucket %zu/%zu  0x%" PRIx64 "-0x%" PRIx64 "  cached %" PRIu32 "/%" PRIu32
                         " pg  dirty %" PRIu32 "  wb %" PRIu32,
                         in->selected + 1, r->n, b->lo, b->hi, b->cached, b->pages, b->dirty,
                         b->writeback);
    snprintf(line + k, sizeof line - k, "%s%s%s", b->locked ? "  locked" : "",
             b->edited ? "  edited" : "", b->hole ? "  hole" : "");
    grid_put_str(g, g->rows - 1, 0, g->cols, line, MMH_CC_MESSAGE, true);
}

/* Why the map cannot be drawn, in words. */
static const char *why_not(const Rmap *r, const RmapInfo *in)
{
    if (r->rc == -EPERM)
        return in && in->unknown_why ? in->unknown_why : "no write permission";
    if (r->rc == -ENOSYS)
        return "this kernel has no cachestat (Linux 6.5 or later)";
    return map_strerror(r->rc);
}

void rmap_render(const Rmap *r, const RmapInfo *in, Grid *g)
{
    char msg[512];

    if (g->rows <= 0 || g->cols <= 0 || !g->cells)
        return;
    grid_clear(g, MMH_CC_NORMAL);
    if (rmap_capacity(g->rows, g->cols) == 0) {
        put_centred(g, 0, g->rows, "terminal too small", MMH_CC_NORMAL);
        return;
    }
    draw_title(r, in, g);
    /* Under the trap (or before any sample worked) there is nothing true to
     * draw: say why instead of showing stale or invented cells. */
    if (r->rc == -EPERM || (r->rc != 0 && r->n == 0)) {
        snprintf(msg, sizeof msg, "residency: n/a (%s)", why_not(r, in));
        put_centred(g, 1, g->rows - 1, msg, MMH_CC_MESSAGE);
        if (in && in->message)
            draw_message(r, in, g);
        return;
    }
    if (r->n == 0)
        put_centred(g, 1, g->rows - 3, "(empty file)", MMH_CC_NORMAL);
    draw_cells(r, in, g);
    draw_legend(r, g);
    draw_message(r, in, g);
}
