/*
 * emap: the entropy map drawn (see emap.h). Rendering never allocates and
 * clips every cell to the grid.
 */
#include "config.h"

#include "emap.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "rmap.h"

static const char legend_long[] =
    "Z zeros  T text  B binary  H high-entropy  lower case: sampled  Tab: residency";
static const char legend_short[] = "Z T B H  lower: sampled  Tab";
static const char hints[] = "Enter: go  Esc/m: back";

char emap_glyph(const EntBucket *b)
{
    static const char up[ENT_NCLASS] = {'?', 'Z', 'T', 'B', 'H'};
    char c = b->cls < ENT_NCLASS ? up[b->cls] : '?';
    return b->exact || c == '?' ? c : (char)(c - 'A' + 'a');
}

static int glyph_class(const EntBucket *b)
{
    switch (b->cls) {
    case ENT_ZEROS: return MMH_CC_HOLE;
    case ENT_TEXT: return MMH_CC_TEXT;
    case ENT_HIGH: return MMH_CC_GLYPH_HOT;
    case ENT_BINARY: return MMH_CC_GLYPH;
    default: return MMH_CC_GLYPH_OUT;
    }
}

/* " mmhex entropy map  NAME  SIZE  N buckets  P% exact  computing" */
static void draw_title(const EntProgress *p, const EmapInfo *in, Grid *g)
{
    char line[160], a[32];
    unsigned pm = parse_permille(p->exact, p->n ? p->n : 1);
    int col;

    grid_fill_row(g, 0, MMH_CC_TITLE);
    col = grid_put_str(g, 0, 0, g->cols, " mmhex entropy map  ", MMH_CC_TITLE, true);
    col = grid_put_str(g, 0, col, g->cols, in && in->name ? in->name : "", MMH_CC_TITLE, true);
    snprintf(line, sizeof line, "  %s  %zu buckets  %u.%u%% exact%s",
             parse_fmt_size(p->size, a, sizeof a), p->n, pm / 10, pm % 10,
             p->finished         ? ""
             : in && in->running ? "  computing"
                                 : "  stopped");
    grid_put_str(g, 0, col, g->cols, line, MMH_CC_TITLE, true);
}

static void draw_cells(const Entropy *e, const EmapInfo *in, Grid *g)
{
    size_t cap = rmap_capacity(g->rows, g->cols), n = entropy_n(e), shown = n < cap ? n : cap;
    size_t cur = in ? entropy_bucket_of(e, in->cursor) : SIZE_MAX;
    size_t sel = in ? in->selected : SIZE_MAX;

    for (size_t i = 0; i < shown; i++) {
        const EntBucket *b = entropy_bucket(e, i);
        int row = 1 + (int)(i / (size_t)g->cols), col = (int)(i % (size_t)g->cols);
        int cls = glyph_class(b);
        if (i == sel) {
            cls = MMH_CC_CURSOR;
            g->cur_row = row;
            g->cur_col = col;
        } else if (i == cur) {
            cls = MMH_CC_CURSOR2;
        }
        grid_put(g, row, col, (uint32_t)(unsigned char)emap_glyph(b), cls);
    }
}

static void draw_legend(const Entropy *e, const EntProgress *p, Grid *g)
{
    uint64_t t[ENT_NCLASS];
    char line[256], a[32], b[32], c[32], d[32], r[32];
    int row = g->rows - 3, hl = (int)strlen(hints), col;

    grid_fill_row(g, row, MMH_CC_STATUS);
    grid_put_str(g, row, 0, g->cols,
                 (int)strlen(legend_long) <= g->cols ? legend_long : legend_short, MMH_CC_STATUS,
                 true);
    entropy_totals(e, t);
    snprintf(line, sizeof line, "zeros %s  text %s  binary %s  high %s  read %s",
             parse_fmt_size_short(t[ENT_ZEROS], a, sizeof a),
             parse_fmt_size_short(t[ENT_TEXT], b, sizeof b),
             parse_fmt_size_short(t[ENT_BINARY], c, sizeof c),
             parse_fmt_size_short(t[ENT_HIGH], d, sizeof d),
             parse_fmt_size_short(p->read, r, sizeof r));
    row = g->rows - 2;
    grid_fill_row(g, row, MMH_CC_STATUS);
    col = grid_put_str(g, row, 0, g->cols, line, MMH_CC_STATUS, true);
    if (col + 2 + hl <= g->cols)
        grid_put_str(g, row, g->cols - hl, g->cols, hints, MMH_CC_STATUS, false);
}

static void draw_message(const Entropy *e, const EmapInfo *in, Grid *g)
{
    char line[256];
    const EntBucket *b;

    if (in && in->message) {
        grid_put_str(g, g->rows - 1, 0, g->cols, in->message,
                     in->message_error ? MMH_CC_ERROR : MMH_CC_MESSAGE, true);
        return;
    }
    if (!in || !(b = entropy_bucket(e, in->selected)))
        return;
    if (b->cls == ENT_NONE)
        snprintf(line, sizeof line, "bucket %zu/%zu  0x%" PRIx64 "-0x%" PRIx64 "  not sampled yet",
                 in->selected + 1, entropy_n(e), b->lo, b->hi);
    else
        snprintf(line, sizeof line,
                 "bucket %zu/%zu  0x%" PRIx64 "-0x%" PRIx64 "  %.2f bits/B  %s %s  text %u%%",
                 in->selected + 1, entropy_n(e), b->lo, b->hi, (double)b->bits,
                 entropy_class_name((EntClass)b->cls), b->exact ? "exact" : "sampled",
                 (b->text + 5u) / 10u);
    grid_put_str(g, g->rows - 1, 0, g->cols, line, MMH_CC_MESSAGE, true);
}

void emap_render(const Entropy *e, const EmapInfo *in, Grid *g)
{
    EntProgress p;

    if (g->rows <= 0 || g->cols <= 0 || !g->cells)
        return;
    grid_clear(g, MMH_CC_NORMAL);
    if (rmap_capacity(g->rows, g->cols) == 0) {
        grid_put_str(g, 0, 0, g->cols, "terminal too small", MMH_CC_NORMAL, true);
        return;
    }
    entropy_progress(e, &p);
    draw_title(&p, in, g);
    if (entropy_n(e) == 0)
        grid_put_str(g, 1, 0, g->cols, e ? "(empty file)" : "(computing)", MMH_CC_NORMAL, true);
    draw_cells(e, in, g);
    draw_legend(e, &p, g);
    draw_message(e, in, g);
}
