/*
 * panel-struct: the structure beside the hex screen (`struct panel`): the
 * chain of nodes from the root to the field under the cursor, and the
 * fields around it with their values, followed as the cursor moves. Only
 * draws (the keys stay the hex screen's); a frame makes one path
 * (fmt_path: bounded) and the rows it shows, whatever the file's size.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "screen-struct.h"
#include "screen.h"

static void put_row(Grid *g, int y, int indent, const FmtNode *k, bool sel)
{
    int cls = sel ? MMH_CC_SELECTED : k->bad ? MMH_CC_ERROR : MMH_CC_NORMAL;
    char buf[FMT_NAME + FMT_TEXT + 8];
    if (sel)
        grid_fill_row(g, y, cls);
    if (k->text[0] && k->val != FV_NONE)
        snprintf(buf, sizeof buf, "%s %s", k->name, k->text);
    else
        snprintf(buf, sizeof buf, "%s", k->name);
    grid_put_str(g, y, indent, g->cols, buf, cls, true);
}

static void panel_frame(Session *s, void *st, Grid *g)
{
    (void)st;
    grid_clear(g, MMH_CC_NORMAL);
    if (g->rows < 2 || g->cols < 4)
        return;
    grid_fill_row(g, 0, MMH_CC_TITLE);
    grid_put_str(g, 0, 0, g->cols, " structure", MMH_CC_TITLE, false);
    StructState *ss = s->fmt;
    FmtNode *root = NULL;
    if (!ss || !ss->on || ss->root_doc != s->doc || struct_root(s, "struct", &root) < 0) {
        grid_put_str(g, 1, 1, g->cols, "no structure here", MMH_CC_NORMAL, true);
        return;
    }
    FmtSrc src;
    struct_src(s, &src);
    FmtNode path[FMT_DEPTH];
    uint64_t idx[FMT_DEPTH] = {0};
    int k = fmt_path_idx(&src, root, s->view->cursor, path, idx, FMT_DEPTH);
    int rows = g->rows - 3; /* the title and the status rows under the hex screen's */
    if (k < 1) {
        put_row(g, 1, 1, root, false);
        grid_put_str(g, 2, 1, g->cols, "(the cursor is outside it)", MMH_CC_NORMAL, true);
        return;
    }
    /* The chain, root first, a level an indent (the last levels if it is
     * longer than a third of the rows). */
    int chain = k, y = 1, first = 0;
    if (chain > rows / 3 + 1)
        first = chain - (rows / 3 + 1);
    for (int i = first; i < k - 1 && y < rows; i++, y++) {
        int ind = i - first < 8 ? i - first : 8;
        put_row(g, y, ind, &path[i], false);
    }
    if (y < rows)
        grid_put_str(g, y++, 0, g->cols, "----------------------------------", MMH_CC_OFFSET,
                     false);
    /* The leaf's siblings around it. */
    if (k == 1) {
        put_row(g, y, 0, &path[0], true);
        return;
    }
    const FmtNode *parent = &path[k - 2];
    uint64_t at = idx[k - 1], left = (uint64_t)(rows - y), lo = at > left / 2 ? at - left / 2 : 0;
    if (left && parent->nkids > left && lo + left > parent->nkids)
        lo = parent->nkids - left;
    for (uint64_t i = lo; i < parent->nkids && y < rows; i++, y++) {
        FmtNode kid;
        if (fmt_child(&src, parent, i, &kid) < 0)
            continue;
        put_row(g, y, 0, &kid, i == at);
        if (i == at && kid.note[0] && y + 1 < rows) {
            char note[FMT_TEXT + 4];
            snprintf(note, sizeof note, "(%s)", kid.note);
            grid_put_str(g, ++y, 2, g->cols, note, MMH_CC_MESSAGE, true);
        }
    }
}

const ScreenType screen_struct_panel = {
    .name = "the structure",
    .frame = panel_frame,
};
