/*
 * view: the viewport and the frame, drawn into a grid of cells (see view.h).
 *
 * The job is to turn a View (top, cursor, bytes per row, terminal size), a
 * Doc and a ViewInfo into one frame of cells, measuring on the way what the
 * kernel holds of the visible bytes. Nothing here knows about terminals: the
 * UI copies the Grid out, tests read it back as text.
 *
 * Invariants:
 * - After view_layout/view_follow, top is a multiple of bpr, never past the
 *   start of the file's last row, and the cursor (clamped to the last byte)
 *   lies on one of the data rows; an empty file has top = cursor = 0.
 * - view_render costs O(screen), whatever the file size: one resid_pages
 *   over the visible pages, one doc_read of the visible bytes, and loops
 *   over the cells. Sampling comes before the read, because reading faults
 *   pages in and would make every page look resident.
 * - The visible bytes are copied into a fixed VIEW_READ_MAX buffer on the
 *   stack, so rendering never allocates and never fails; data rows beyond it
 *   (a terminal with over 64 KiB on screen) are drawn blank. Likewise at
 *   most VIEW_PAGES_MAX pages are sampled; pages beyond count as unknown.
 * - Every cell write is clipped to the grid, so any size (0x0, 1x1) is safe;
 *   view_layout never lays out a row wider than the terminal (a -w too
 *   large for it falls back to the fit and sets bpr_refused), so the
 *   cursor is always on screen.
 * - The hex pane's terminal cursor sits on the digit of v->nibble, so it
 *   marks the nibble being typed in edit mode and the byte's first digit
 *   otherwise (the caller keeps nibble 0 outside edit mode).
 */
#include "config.h"

#include "view.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "sys.h"
#include "utf8.h"

#define VIEW_READ_MAX 65536 /* bytes read per frame at most (stack buffer) */
#define VIEW_PAGES_MAX 512  /* pages sampled per frame at most */
#define VIEW_BPR_MAX 4096   /* bytes per row at most, even with -w */
#define VIEW_STATUS_ROWS 4  /* title, two status rows, message */

/* Column geometry of a data row. */
typedef struct Geo {
    int offw;  /* offset digits */
    int bpr;   /* bytes per row */
    int group; /* bytes per group in the hex pane */
    int gsh;   /* log2(group): hex_col runs once per byte drawn */
    int hex0;  /* column of the first hex digit */
    int text0; /* column of the first text character */
    int nrows; /* data rows */
} Geo;

/* Lay words of s out over rows [0, g->rows), as many as fit. */
static void put_wrapped(Grid *g, const char *s, int cls)
{
    int row = 0, col = 0;

    while (*s && row < g->rows) {
        size_t w = strcspn(s, " ");
        if (col > 0 && col + 1 + (int)w > g->cols) {
            row++;
            col = 0;
        } else if (col > 0) {
            col++;
        }
        for (size_t i = 0; i < w && row < g->rows; i++) {
            if (col >= g->cols) { /* a word longer than the row: break it */
                row++;
                col = 0;
            }
            grid_put(g, row, col++, (unsigned char)s[i], cls);
        }
        s += w;
        while (*s == ' ')
            s++;
    }
}

/* ---- geometry ------------------------------------------------------------- */

int view_offset_width(uint64_t size)
{
    uint64_t last = size ? size - 1 : 0;
    int w = 1;

    while (last >>= 4)
        w++;
    return w < 8 ? 8 : w;
}

/* Digits of the offset column as v shows it. */
static int offw_of(const View *v, uint64_t size)
{
    if (!v->dec_offsets)
        return view_offset_width(size);
    uint64_t last = size ? size - 1 : 0;
    int w = 1;
    while (last /= 10)
        w++;
    return w < 8 ? 8 : w;
}

static int group_of(const View *v)
{
    return v->group == 2 || v->group == 4 || v->group == 8 ? v->group : 1;
}

/* Columns of the hex pane: two digits per byte, a space after each group
 * of g bytes, and (for g < 8) one more between runs of 8 bytes. With g = 1
 * this is the classic "xx " per byte with an extra space every 8. */
static long hex_width(int bpr, int g)
{
    return 2L * bpr + (bpr + g - 1) / g + (g < 8 ? (bpr + 7) / 8 - 1 : 0);
}

/* Columns of a data row: offset, space, glyph, space, the hex pane, a
 * space, then the text. */
static long row_width(int offw, int bpr, int g)
{
    return (long)offw + 3 + hex_width(bpr, g) + 1 + bpr;
}

void view_min_size(uint64_t size, int *rows, int *cols)
{
    if (rows)
        *rows = VIEW_STATUS_ROWS + 1;
    if (cols)
        *cols = (int)row_width(view_offset_width(size), 1, 1);
}

static bool too_small(int rows, int cols, uint64_t size)
{
    int mr, mc;

    view_min_size(size, &mr, &mc);
    return rows < mr || cols < mc;
}

/* The largest of 1, 2, 4, 8, 16, 24, 32, ... whose row fits in cols (1 if
 * none does). */
static int fit_bpr(int offw, int g, int cols)
{
    int bpr = 1;

    for (;;) {
        int next = view_bpr_step(bpr, 1);
        if (next > VIEW_BPR_MAX || row_width(offw, next, g) > cols)
            return bpr;
        bpr = next;
    }
}

int view_bpr_step(int bpr, int dir)
{
    if (dir > 0)
        return bpr < 8 ? bpr * 2 : bpr - bpr % 8 + 8;
    if (bpr <= 1)
        return 1;
    if (bpr <= 8) {
        int p = 1;
        while (p * 2 < bpr)
            p *= 2;
        return p;
    }
    return bpr % 8 ? bpr - bpr % 8 : bpr - 8;
}

int view_fit_bpr(const View *v, int cols, uint64_t size)
{
    return fit_bpr(offw_of(v, size), group_of(v), cols);
}

/* Too small for v as it is set (decimal offsets can be wider). */
static bool too_small_v(const View *v, uint64_t size)
{
    return too_small(v->rows, v->cols, size) || row_width(offw_of(v, size), 1, 1) > v->cols;
}

static Geo geo(const View *v, uint64_t size)
{
    Geo k;

    k.offw = offw_of(v, size);
    k.bpr = v->bpr < 1 ? 1 : v->bpr;
    k.group = group_of(v);
    k.gsh = k.group == 8 ? 3 : k.group == 4 ? 2 : k.group == 2 ? 1 : 0;
    k.hex0 = k.offw + 3;
    k.text0 = k.hex0 + (int)hex_width(k.bpr, k.group) + 1;
    k.nrows = view_data_rows(v);
    return k;
}

static int hex_col(const Geo *k, int j)
{
    return k->hex0 + 2 * j + (j >> k->gsh) + (k->gsh < 3 ? j >> 3 : 0);
}

int view_data_rows(const View *v)
{
    if (v->too_small || v->bpr < 1 || v->rows - VIEW_STATUS_ROWS < 1)
        return 0;
    return v->rows - VIEW_STATUS_ROWS;
}

/* ---- layout and scrolling ------------------------------------------------- */

void view_layout(View *v, int rows, int cols, uint64_t size)
{
    int offw = offw_of(v, size), old_rows = view_data_rows(v), bpr, nrows;
    long sr = -1; /* the cursor's screen row before, -1 when not on screen */
    uint64_t crs, back;

    if (v->bpr >= 1 && old_rows > 0 && v->cursor >= v->top) {
        uint64_t r = (v->cursor - v->top) / (uint64_t)v->bpr;
        if (r < (uint64_t)old_rows)
            sr = (long)r;
    }
    v->rows = rows < 0 ? 0 : rows;
    v->cols = cols < 0 ? 0 : cols;
    v->bpr_refused = 0;
    bpr = fit_bpr(offw, group_of(v), v->cols);
    if (v->bpr_fixed > 0) {
        int want = v->bpr_fixed > VIEW_BPR_MAX ? VIEW_BPR_MAX : v->bpr_fixed;
        if (row_width(offw, want, group_of(v)) <= v->cols)
            bpr = want;
        else
            v->bpr_refused = want; /* never a cursor past the right edge */
    }
    v->bpr = bpr;
    v->too_small = too_small_v(v, size);
    if (v->nibble < 0 || v->nibble > 1)
        v->nibble = 0;

    if (size == 0) {
        v->top = v->cursor = 0;
        return;
    }
    if (v->cursor >= size)
        v->cursor = size - 1;
    crs = v->cursor - v->cursor % (uint64_t)bpr;
    if (sr >= 0) {
        /* Keep the cursor on the screen row it was on, where the file's
         * start allows: a resize or -w change should not jump the view. */
        nrows = v->rows - VIEW_STATUS_ROWS < 1 ? 1 : v->rows - VIEW_STATUS_ROWS;
        if (sr > nrows - 1)
            sr = nrows - 1;
        back = (uint64_t)sr;
        if (back > crs / (uint64_t)bpr)
            back = crs / (uint64_t)bpr;
        v->top = crs - back * (uint64_t)bpr;
    } else {
        v->top -= v->top % (uint64_t)bpr;
    }
    view_follow(v, size);
}

/* Minimal movement: a cursor above the view brings its row to the top, one
 * below brings it to the bottom; a far jump therefore lands on the first or
 * last data row (no re-centring), which keeps paging and searching
 * predictable. */
void view_follow(View *v, uint64_t size)
{
    uint64_t bpr, crs, last, span;
    int nrows = v->rows - VIEW_STATUS_ROWS;

    if (size == 0) {
        v->top = v->cursor = 0;
        return;
    }
    if (v->bpr < 1)
        v->bpr = 1;
    bpr = (uint64_t)v->bpr;
    if (nrows < 1)
        nrows = 1; /* too small to draw: still keep the cursor's row on top */
    if (v->cursor >= size)
        v->cursor = size - 1;
    crs = v->cursor - v->cursor % bpr;
    last = (size - 1) - (size - 1) % bpr;
    v->top -= v->top % bpr;
    if (v->top > last)
        v->top = last;
    span = (uint64_t)(nrows - 1) * bpr;
    if (crs < v->top)
        v->top = crs;
    else if (crs - v->top > span)
        v->top = crs - span;
    /* Never leave blank rows below the end while rows above it are hidden
     * (after a resize or a page down at the end); the cursor stays visible
     * because it lies between the new top and the last row. */
    if (v->top > 0 && last - v->top < span)
        v->top = last > span ? last - span : 0;
}

int view_hit(const View *v, uint64_t size, int row, int col, uint64_t *off, MmhPane *pane)
{
    Geo k = geo(v, size);
    uint64_t base, o;
    int j, rel;
    MmhPane p;

    if (k.nrows <= 0 || too_small_v(v, size))
        return -1;
    if (row < 1 || row > k.nrows || col < 0 || col >= v->cols)
        return -1;
    base = v->top + (uint64_t)(row - 1) * (uint64_t)k.bpr;
    if (col >= k.text0 && col < k.text0 + k.bpr) {
        j = col - k.text0;
        p = MMH_PANE_TEXT;
    } else if (col >= k.hex0 && col < k.text0 - 1) {
        /* The byte whose two digits, or the space after them, hold col;
         * the extra space between runs of 8 is none. The first guess (each
         * byte takes at least two columns) is at or past the byte; the walk
         * back is O(bpr), once per click. */
        rel = col - k.hex0;
        j = rel / 2 < k.bpr ? rel / 2 : k.bpr - 1;
        while (j > 0 && hex_col(&k, j) > col)
            j--;
        if (col - hex_col(&k, j) > 2)
            return -1;
        p = MMH_PANE_HEX;
    } else {
        return -1;
    }
    o = base + (uint64_t)j;
    if (o >= size)
        return -1;
    if (off)
        *off = o;
    if (pane)
        *pane = p;
    return 0;
}

/* ---- the frame ------------------------------------------------------------ */

/* The glyph of a page, by priority: unknown, edited, locked, writeback,
 * dirty, hole, resident, not resident. A hole outranks residency: a hole
 * read is a cached page of zeros, but there is still nothing on disk. */
static void glyph_of(uint8_t f, uint32_t *ch, int *cls)
{
    if (f & MMH_PG_UNKNOWN)
        *ch = '?', *cls = MMH_CC_GLYPH;
    else if (f & MMH_PG_EDITED)
        *ch = 'C', *cls = MMH_CC_GLYPH_HOT;
    else if (f & MMH_PG_LOCKED)
        *ch = 'L', *cls = MMH_CC_GLYPH_HOT;
    else if (f & MMH_PG_WRITEBACK)
        *ch = 'W', *cls = MMH_CC_GLYPH_HOT;
    else if (f & MMH_PG_DIRTY)
        *ch = 'D', *cls = MMH_CC_GLYPH_HOT;
    else if (f & MMH_PG_HOLE)
        *ch = 'H', *cls = MMH_CC_GLYPH_OUT;
    else if (f & MMH_PG_RESIDENT)
        *ch = 'R', *cls = MMH_CC_GLYPH;
    else
        *ch = '.', *cls = MMH_CC_GLYPH_OUT;
}

/* A page with nothing on disk whose bytes are still the hole's zeros. */
static bool is_hole(uint8_t f)
{
    return (f & MMH_PG_HOLE) && !(f & (MMH_PG_EDITED | MMH_PG_DIRTY | MMH_PG_WRITEBACK));
}

static void fmt_ns(uint64_t ns, char *buf, size_t n)
{
    uint64_t us = ns / 1000;

    if (us < 1000)
        snprintf(buf, n, "%" PRIu64 "us", us);
    else if (us < 100000)
        snprintf(buf, n, "%" PRIu64 ".%" PRIu64 "ms", us / 1000, us % 1000 / 100);
    else
        snprintf(buf, n, "%" PRIu64 "ms", us / 1000);
}

/* What the residency sample and the read found. */
typedef struct Sample {
    uint64_t lo, hi;          /* bytes read: [lo, hi), empty when nothing is shown */
    uint64_t pg0;             /* offset of the first sampled page */
    uint64_t ps;              /* page size */
    unsigned npages;          /* pages covering [lo, hi) */
    bool unknown;             /* some page's residency is unknown */
    bool rw_known;            /* dirty and writeback counts are valid */
    int read_rc;              /* doc_read's result; after a failure, the first bad page's */
    uint64_t bad_off;         /* the first byte that could not be read, if read_rc < 0 */
    bool any_bad;             /* some bytes could not be read: bad[] is valid */
    bool bad[VIEW_PAGES_MAX]; /* per sampled page: its bytes could not be read */
} Sample;

/* Could the bytes of sampled page pi not be read? Pages past the sample
 * are known only through the whole read. */
static bool unreadable(const Sample *s, uint64_t pi)
{
    return s->any_bad && (pi < VIEW_PAGES_MAX ? s->bad[pi] : s->read_rc < 0);
}

static void draw_too_small(uint64_t size, Grid *g)
{
    char msg[96];
    int mr, mc;

    view_min_size(size, &mr, &mc);
    snprintf(msg, sizeof msg, "terminal too small: need at least %dx%d", mc, mr);
    put_wrapped(g, msg, MMH_CC_NORMAL);
}

const char *view_mode_name(MmhMode m)
{
    switch (m) {
    case MMH_MODE_READONLY: return "READ-ONLY";
    case MMH_MODE_SHARED: return "SHARED";
    default: return "COPY";
    }
}

static void draw_title(const View *v, Doc *d, const ViewInfo *in, Grid *g)
{
    const char *tag = v->pane == MMH_PANE_TEXT ? "[text]" : "[hex]";
    int taglen = (int)strlen(tag), limit = g->cols, col;
    const char *name = in->name ? in->name : map_path(doc_map(d));
    const char *mode = in->mode;
    char size[32];

    if (!mode)
        mode = view_mode_name(map_mode(doc_map(d)));
    grid_fill_row(g, 0, MMH_CC_TITLE);
    if (g->cols >= taglen + 2) {
        /* The pane tag stays at the right edge; the rest gives way. */
        grid_put_str(g, 0, g->cols - taglen, g->cols, tag, MMH_CC_TITLE, false);
        limit = g->cols - taglen - 1;
    }
    parse_fmt_size(doc_size(d), size, sizeof size);
    col = grid_put_str(g, 0, 0, limit, " mmhex  ", MMH_CC_TITLE, false);
    col = grid_put_str(g, 0, col, limit, name, MMH_CC_TITLE, true);
    col = grid_put_str(g, 0, col, limit, "  ", MMH_CC_TITLE, false);
    col = grid_put_str(g, 0, col, limit, mode, MMH_CC_TITLE, true);
    col = grid_put_str(g, 0, col, limit, "  ", MMH_CC_TITLE, false);
    col = grid_put_str(g, 0, col, limit, size, MMH_CC_TITLE, false);
    if (in->modified)
        col = grid_put_str(g, 0, col, limit, " *", MMH_CC_TITLE, false);
    if (in->state) {
        col = grid_put_str(g, 0, col, limit, "  ", MMH_CC_TITLE, false);
        grid_put_str(g, 0, col, limit, in->state, MMH_CC_TITLE, true);
    }
}

/* The data rows. buf holds the bytes [s->lo, s->hi); flags the pages. */
static void draw_data(const View *v, Doc *d, const ViewInfo *in, const Geo *k, const Sample *s,
                      const uint8_t *buf, const uint8_t *flags, Grid *g)
{
    const RangeSet *runs = journal_runs(doc_journal(d));
    const Edits *edits = journal_edits(doc_journal(d));
    uint64_t sel_lo = v->sel_anchor < v->cursor ? v->sel_anchor : v->cursor;
    uint64_t sel_hi = v->sel_anchor < v->cursor ? v->cursor : v->sel_anchor;
    size_t ri = runs ? rangeset_find(runs, s->lo) : 0;
    int act = v->pane == MMH_PANE_TEXT ? 1 : 0;
    char num[24];

    if (doc_size(d) == 0) {
        grid_put_str(g, 1, 0, g->cols, "(empty file)", MMH_CC_NORMAL, false);
        return;
    }
    for (int r = 0; r < k->nrows; r++) {
        uint64_t row = v->top + (uint64_t)r * (uint64_t)k->bpr;
        int y = 1 + r;
        uint64_t pi;
        uint32_t gch;
        int gcls;

        if (row >= s->hi)
            break; /* past the end of the file or of the buffer: blank */
        if (v->dec_offsets)
            snprintf(num, sizeof num, "%0*" PRIu64, k->offw, row);
        else
            snprintf(num, sizeof num, "%0*" PRIx64, k->offw, row);
        grid_put_str(g, y, 0, g->cols, num, MMH_CC_OFFSET, false);
        pi = (row - s->pg0) / s->ps;
        glyph_of(pi < VIEW_PAGES_MAX ? flags[pi] : MMH_PG_UNKNOWN, &gch, &gcls);
        if (unreadable(s, pi))
            gch = '!', gcls = MMH_CC_GLYPH_HOT;
        grid_put(g, y, k->offw + 1, gch, gcls);
        for (int j = 0; j < k->bpr; j++) {
            uint64_t off = row + (uint64_t)j;
            uint8_t b;
            int hc = hex_col(k, j), tc = k->text0 + j, cls[2];
            bool hole, bad;

            if (off >= s->hi)
                break;
            b = buf[off - s->lo];
            pi = (off - s->pg0) / s->ps;
            bad = unreadable(s, pi); /* "??": whatever buf holds is not the file's */
            hole = !bad && pi < VIEW_PAGES_MAX && is_hole(flags[pi]) && b == 0;
            cls[0] = bad ? MMH_CC_ERROR : hole ? MMH_CC_HOLE : b ? MMH_CC_HEX : MMH_CC_ZERO;
            cls[1] = bad ? MMH_CC_ERROR : hole ? MMH_CC_HOLE : MMH_CC_TEXT;
            while (runs && ri < runs->n && runs->v[ri].hi <= off)
                ri++;
            /* Modified: touched since the last write and still different
             * from what it held then (an undone edit is not). */
            if (!bad && runs && ri < runs->n && runs->v[ri].lo <= off &&
                edits_net_in(edits, off, off + 1)) {
                cls[0] = cls[1] = MMH_CC_MODIFIED;
                hole = false;
            }
            if (in->hot && off >= in->hot_lo && off - in->hot_lo < in->hot_len &&
                in->hot[off - in->hot_lo])
                cls[0] = cls[1] = MMH_CC_CHANGED;
            if (in->match_on && off >= in->match_off && off - in->match_off < in->match_len)
                cls[0] = cls[1] = MMH_CC_MATCH;
            if (v->sel_on && off >= sel_lo && off <= sel_hi)
                cls[0] = cls[1] = MMH_CC_SELECTED;
            if (off == v->cursor) {
                cls[act] = MMH_CC_CURSOR;
                cls[!act] = MMH_CC_CURSOR2;
                if (act == 1)
                    g->cur_row = y, g->cur_col = tc;
                else
                    g->cur_row = y, g->cur_col = hc + (v->nibble ? 1 : 0);
            }
            if (bad) {
                grid_put(g, y, hc, '?', cls[0]);
                grid_put(g, y, hc + 1, '?', cls[0]);
                grid_put(g, y, tc, '?', cls[1]);
                continue;
            }
            grid_put(g, y, hc, hole ? '-' : "0123456789abcdef"[b >> 4], cls[0]);
            grid_put(g, y, hc + 1, hole ? '-' : "0123456789abcdef"[b & 15], cls[0]);
            grid_put(g, y, tc, hole ? ' ' : b >= 0x20 && b < 0x7f ? b : '.', cls[1]);
        }
    }
    if (g->cur_row >= g->rows || g->cur_col >= g->cols)
        g->cur_row = g->cur_col = -1;
}

static void draw_status1(const View *v, Doc *d, const ViewInfo *in, const ViewFrame *f,
                         const Sample *s, Grid *g)
{
    uint64_t size = doc_size(d), cur = size ? v->cursor : 0;
    unsigned pm = size ? parse_permille(cur, size - 1) : 0;
    char line[512], a[32];
    size_t n;
    int row = g->rows - 3;

    if (size == 0 || size == 1)
        pm = size ? 1000 : 0;
    if (v->sel_on && size) { /* the selection instead: the cursor is one of its ends */
        uint64_t lo = v->sel_anchor < cur ? v->sel_anchor : cur;
        uint64_t hi = v->sel_anchor < cur ? cur : v->sel_anchor, len = hi - lo + 1;
        int w = view_offset_width(size);
        n = (size_t)snprintf(line, sizeof line, "sel 0x%0*" PRIx64 "-0x%0*" PRIx64, w, lo, w, hi);
        if (len < 100000)
            n += (size_t)snprintf(line + n, sizeof line - n, " len %" PRIu64, len);
        else
            n += (size_t)snprintf(line + n, sizeof line - n, " len %s",
                                  parse_fmt_size_short(len, a, sizeof a));
    } else {
        n = (size_t)snprintf(line, sizeof line, "0x%0*" PRIx64 "/0x%" PRIx64 " %u.%u%%",
                             view_offset_width(size), cur, size, pm / 10, pm % 10);
    }
    if (f->pages == 0)
        n += (size_t)snprintf(line + n, sizeof line - n, "  res 0/0  dirty 0 wb 0");
    else if (s->unknown)
        n += (size_t)snprintf(line + n, sizeof line - n, "  res n/a");
    else
        n += (size_t)snprintf(line + n, sizeof line - n, "  res %u/%u", f->resident, f->pages);
    if (f->pages != 0 && f->dirty >= 0)
        n += (size_t)snprintf(line + n, sizeof line - n, "  dirty %" PRId64 " wb %" PRId64,
                              f->dirty, f->writeback);
    else if (f->pages != 0)
        n += (size_t)snprintf(line + n, sizeof line - n, "  dirty - wb -");
    if (in->file_known) {
        parse_fmt_size_short(in->file.cached * s->ps, a, sizeof a);
        pm = parse_permille(in->file.cached, in->file.pages);
        snprintf(line + n, sizeof line - n, "  cached %s %u.%u%%", a, pm / 10, pm % 10);
    } else if (in->unknown_why) {
        /* Short, to fit 80 columns; the map and stat give the reason. */
        snprintf(line + n, sizeof line - n, "  residency n/a: no write permission");
    }
    grid_fill_row(g, row, MMH_CC_STATUS);
    grid_put_str(g, row, 0, g->cols, line, MMH_CC_STATUS, true);
}

static void draw_status2(Doc *d, const ViewInfo *in, Grid *g)
{
    const char *adv = in->advice ? in->advice : map_advice_name(map_advice(doc_map(d)));
    char line[512], a[32], b[32], t[32]; /* room for a field (200) and the rest */
    size_t n;
    int row = g->rows - 2;

    parse_fmt_size(in->locked, a, sizeof a);
    if (in->lock_unlimited)
        snprintf(b, sizeof b, "unlimited");
    else
        parse_fmt_size(in->lock_limit, b, sizeof b);
    n = 0;
    if (in->field) /* first: the rest is for those who watch the paging */
        n = (size_t)snprintf(line, sizeof line, "%s  |  ", in->field);
    n += (size_t)snprintf(line + n, sizeof line - n, "lock %s/%s  adv %s", a, b, adv);
    if (map_mode(doc_map(d)) == MMH_MODE_COPY)
        n += (size_t)snprintf(line + n, sizeof line - n, "  edited %" PRIu64 " pg",
                              in->edited_pages);
    fmt_ns(in->last_ns, t, sizeof t);
    snprintf(line + n, sizeof line - n, "  frame maj %" PRIu64 " min %" PRIu64 " %s",
             in->last_majflt, in->last_minflt, t);
    grid_fill_row(g, row, MMH_CC_STATUS);
    grid_put_str(g, row, 0, g->cols, line, MMH_CC_STATUS, true);
}

static void draw_message(const ViewInfo *in, Grid *g)
{
    if (in->message)
        grid_put_str(g, g->rows - 1, 0, g->cols, in->message,
                     in->message_error ? MMH_CC_ERROR : MMH_CC_MESSAGE, true);
}

/* The read of the visible bytes failed: read them again a page at a time,
 * so what can be read still shows and only the pages that cannot are
 * marked. read_rc becomes the first bad page's code (0 if every page reads
 * now, unless the file was truncated: the caller must take the new size). */
static void read_pages(Doc *d, uint8_t *buf, Sample *s)
{
    int first = 0;
    memset(s->bad, 0, sizeof s->bad);
    for (uint64_t at = s->lo; at < s->hi;) {
        uint64_t end = at - at % s->ps + s->ps, pi = (at - s->pg0) / s->ps;
        if (end > s->hi)
            end = s->hi;
        int rc = doc_read(d, at, buf + (at - s->lo), (size_t)(end - at));
        if (pi < VIEW_PAGES_MAX)
            s->bad[pi] = rc < 0;
        if (rc < 0 && first == 0) {
            first = rc;
            s->bad_off = at;
        }
        at = end;
    }
    if (first != 0 || s->read_rc != -MMH_ETRUNC)
        s->read_rc = first;
    s->any_bad = s->read_rc < 0;
}

/* Sample the visible pages, then read the visible bytes, timing and
 * counting faults around the read. */
static void sample(const View *v, Doc *d, const Geo *k, uint8_t *buf, uint8_t *flags, Sample *s,
                   ViewFrame *f)
{
    Resid *r = doc_resid(d);
    uint64_t size = doc_size(d), max = VIEW_READ_MAX / (uint64_t)k->bpr * (uint64_t)k->bpr;
    uint64_t span = (uint64_t)k->nrows * (uint64_t)k->bpr, pg_hi;
    ResidFaults f0 = {0, 0}, f1 = {0, 0};
    long np = -1;
    bool faults_ok;

    s->ps = map_pagesize(doc_map(d));
    if (s->ps == 0)
        s->ps = 4096;
    s->lo = s->hi = v->top;
    if (v->top < size) {
        if (span > max)
            span = max; /* rows beyond the buffer are drawn blank */
        s->hi = size - v->top < span ? size : v->top + span;
    }
    s->pg0 = s->lo - s->lo % s->ps;
    s->npages = 0;
    s->unknown = false;
    s->rw_known = false;
    s->read_rc = 0;
    s->bad_off = s->lo;
    s->any_bad = false; /* bad[] is cleared only when a read fails */
    if (s->hi == s->lo)
        return;

    pg_hi = s->hi + (s->ps - 1 - (s->hi - 1) % s->ps);
    s->npages = (unsigned)((pg_hi - s->pg0) / s->ps);
    if (r)
        np = resid_pages(r, s->lo, s->hi - s->lo, flags, VIEW_PAGES_MAX);
    for (long i = np < 0 ? 0 : np; i < (long)s->npages && i < VIEW_PAGES_MAX; i++)
        flags[i] = MMH_PG_UNKNOWN;
    s->rw_known = r && np == (long)s->npages && resid_known(r) && resid_has_cachestat(r);

    faults_ok = r && resid_faults(r, &f0) == 0;
    s->read_rc = doc_read(d, s->lo, buf, (size_t)(s->hi - s->lo));
    if (s->read_rc < 0)
        read_pages(d, buf, s);
    if (faults_ok && resid_faults(r, &f1) == 0) {
        f->minflt = f1.minor - f0.minor;
        f->majflt = f1.major - f0.major;
    }

    f->pages = s->npages;
    f->dirty = f->writeback = 0;
    for (unsigned i = 0; i < s->npages && i < VIEW_PAGES_MAX; i++) {
        if (flags[i] & MMH_PG_UNKNOWN) {
            s->unknown = true;
            continue;
        }
        f->resident += (flags[i] & MMH_PG_RESIDENT) != 0;
        f->dirty += (flags[i] & MMH_PG_DIRTY) != 0;
        f->writeback += (flags[i] & MMH_PG_WRITEBACK) != 0;
    }
    if (s->npages > VIEW_PAGES_MAX)
        s->unknown = true;
    if (!s->rw_known)
        f->dirty = f->writeback = -1;
}

void view_mark(const View *v, uint64_t size, Grid *g, const uint8_t *marks, uint64_t lo, size_t n,
               bool passive)
{
    Geo k = geo(v, size);
    if (k.nrows <= 0 || too_small_v(v, size) || g->rows < VIEW_STATUS_ROWS + 1 || !g->cells)
        return;
    if (k.nrows > g->rows - VIEW_STATUS_ROWS)
        k.nrows = g->rows - VIEW_STATUS_ROWS;
    for (int r = 0; r < k.nrows; r++) {
        uint64_t row = v->top + (uint64_t)r * (uint64_t)k.bpr;
        bool any = false;
        for (int j = 0; j < k.bpr && row + (uint64_t)j < size; j++) {
            uint64_t off = row + (uint64_t)j;
            int hc = hex_col(&k, j), tc = k.text0 + j;
            if (hc + 1 >= g->cols || tc >= g->cols)
                break;
            Cell *h = grid_cell(g, 1 + r, hc), *x = grid_cell(g, 1 + r, tc);
            if (passive && off == v->cursor) {
                h[0].cls = h[1].cls = x->cls = MMH_CC_CURSOR2;
            }
            if (!marks || off < lo || off - lo >= n || !marks[off - lo])
                continue;
            any = true;
            if (h->cls == MMH_CC_CURSOR || h->cls == MMH_CC_CURSOR2 || h->cls == MMH_CC_SELECTED)
                continue;
            h[0].cls = h[1].cls = x->cls = MMH_CC_DIFF;
        }
        if (any && k.offw < g->cols)
            grid_put(g, 1 + r, k.offw, '*', MMH_CC_DIFF);
    }
    if (passive)
        g->cur_row = g->cur_col = -1;
}

void view_render(const View *v, Doc *d, const ViewInfo *info, Grid *g, ViewFrame *out)
{
    static const ViewInfo none; /* for a NULL info: all zeros */
    uint8_t buf[VIEW_READ_MAX];
    uint8_t flags[VIEW_PAGES_MAX];
    const ViewInfo *in = info ? info : &none;
    uint64_t t0 = sys_now_ns(), size = doc_size(d);
    ViewFrame f;
    Sample s;
    Geo k;

    memset(&f, 0, sizeof f);
    f.dirty = f.writeback = -1;
    if (g->cells)
        grid_clear(g, MMH_CC_NORMAL);
    else
        g->cur_row = g->cur_col = -1;
    k = geo(v, size);
    if (k.nrows <= 0 || too_small_v(v, size) || g->rows < VIEW_STATUS_ROWS + 1) {
        draw_too_small(size, g);
    } else {
        if (k.nrows > g->rows - VIEW_STATUS_ROWS)
            k.nrows = g->rows - VIEW_STATUS_ROWS;
        sample(v, d, &k, buf, flags, &s, &f);
        f.read_rc = s.read_rc;
        f.read_off = s.bad_off;
        draw_title(v, d, in, g);
        draw_data(v, d, in, &k, &s, buf, flags, g);
        draw_status1(v, d, in, &f, &s, g);
        draw_status2(d, in, g);
        draw_message(in, g);
    }
    f.ns = sys_now_ns() - t0;
    if (out)
        *out = f;
}
