/*
 * screen-struct: the structure tree, a level at a time (see
 * screen-struct.h).
 *
 * The screen holds the path from the root to the node whose children are
 * listed (Level: the node, the picked child, the first row shown). A frame
 * makes only the children on its rows (fmt_child), so a level of a million
 * entries costs what a level of ten does. Keys: arrows or j/k move, PgUp/
 * PgDn/g/G/Home/End page and go to the ends, Enter or l or Right opens a
 * child with children and jumps the hex cursor to a leaf (leaving, its
 * bytes highlighted), h or Left or Backspace goes up a level, J jumps to
 * any child, e (or =) edits a number or GUID field through a prompt that
 * runs `struct set OFF VALUE`, q or Esc leaves.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "screen-struct.h"
#include "screen.h"

typedef struct Level {
    FmtNode node; /* whose children are listed */
    uint64_t sel; /* the picked child */
    uint64_t top; /* the first child shown */
} Level;

typedef struct StructView {
    Level lv[FMT_DEPTH]; /* lv[0]: the root */
    int n;               /* levels */
    int rows;            /* rows of children at the last frame */
} StructView;

static Level *cur(StructView *v)
{
    return &v->lv[v->n - 1];
}

/* The picked child of the current level into out: 0 or -errno. */
static int picked(Session *s, StructView *v, FmtNode *out)
{
    FmtSrc src;
    struct_src(s, &src);
    Level *l = cur(v);
    if (!l->node.nkids)
        return -ENOENT;
    return fmt_child(&src, &l->node, l->sel, out);
}

static void move_sel(StructView *v, int64_t d)
{
    Level *l = cur(v);
    uint64_t n = l->node.nkids;
    if (!n)
        return;
    if (d < 0)
        l->sel = (uint64_t)-d > l->sel ? 0 : l->sel - (uint64_t)-d;
    else
        l->sel = (uint64_t)d >= n - l->sel ? n - 1 : l->sel + (uint64_t)d;
}

static unsigned jump_to(Session *s, const FmtNode *k)
{
    uint64_t off = k->off, len = k->len ? k->len : 1;
    char name[FMT_NAME];
    snprintf(name, sizeof name, "%s", k->name);
    screen_pop(s); /* the view is gone */
    if (off >= session_size(s))
        return fail(s, -ERANGE, "struct: %s lies past the end of the file", name), MMH_R_REDRAW;
    session_jump(s, off);
    s->cur->match_on = true;
    s->cur->match_off = off;
    s->cur->match_len = len;
    say(s, false, "%s at 0x%" PRIx64 " (%" PRIu64 " byte%s)", name, off, len, len == 1 ? "" : "s");
    return MMH_R_REDRAW;
}

static unsigned open_child(Session *s, StructView *v, bool jump_only)
{
    FmtNode k;
    int rc = picked(s, v, &k);
    if (rc < 0)
        return rc == -ENOENT ? MMH_R_NONE
                             : (fail(s, rc, "struct: %s", strerror(-rc)), MMH_R_REDRAW);
    if (jump_only || !k.nkids || k.bad)
        return jump_to(s, &k);
    if (v->n >= FMT_DEPTH) {
        say(s, true, "struct: %d levels deep is as far as the screen goes", FMT_DEPTH);
        return MMH_R_REDRAW;
    }
    v->lv[v->n++] = (Level){k, 0, 0};
    return MMH_R_REDRAW;
}

static unsigned edit_field(Session *s, StructView *v)
{
    FmtNode k;
    if (picked(s, v, &k) < 0)
        return MMH_R_NONE;
    if (!fmt_editable(&k)) {
        say(s, true, "struct: %s is not a number, a GUID, text or bytes (struct set edits those)",
            k.name);
        return MMH_R_REDRAW;
    }
    char label[FMT_NAME + 48], verb[64];
    snprintf(label, sizeof label, "%s (now %.24s) = ", k.name, k.text);
    snprintf(verb, sizeof verb, "struct set 0x%" PRIx64, k.off);
    prompt_open(s, label, verb);
    return MMH_R_REDRAW;
}

static unsigned struct_key(Session *s, void *st, int key)
{
    StructView *v = st;
    int page = v->rows > 1 ? v->rows - 1 : 1;
    switch (key) {
    case MMH_KEY_DOWN:
    case 'j': move_sel(v, 1); return MMH_R_REDRAW;
    case MMH_KEY_UP:
    case 'k': move_sel(v, -1); return MMH_R_REDRAW;
    case MMH_KEY_PGDN:
    case ' ': move_sel(v, page); return MMH_R_REDRAW;
    case MMH_KEY_PGUP: move_sel(v, -page); return MMH_R_REDRAW;
    case MMH_KEY_HOME:
    case 'g': move_sel(v, INT64_MIN + 1); return MMH_R_REDRAW;
    case MMH_KEY_END:
    case 'G': move_sel(v, INT64_MAX); return MMH_R_REDRAW;
    case MMH_KEY_ENTER:
    case '\n':
    case '\r':
    case MMH_KEY_RIGHT:
    case 'l': return open_child(s, v, false);
    case 'J': return open_child(s, v, true);
    case MMH_KEY_LEFT:
    case 'h':
    case MMH_KEY_BACKSPACE:
        if (v->n > 1)
            v->n--;
        return MMH_R_REDRAW;
    case 'e':
    case '=': return edit_field(s, v);
    case MMH_KEY_ESC:
    case 'q':
    case 's': screen_pop(s); return MMH_R_REDRAW;
    default: return MMH_R_NONE;
    }
}

/* A click picks a row; a click on the picked row opens it. */
static unsigned struct_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    StructView *v = st;
    Level *l = cur(v);
    (void)col;
    if (what == MMH_MOUSE_WHEEL_UP || what == MMH_MOUSE_WHEEL_DOWN) {
        move_sel(v, what == MMH_MOUSE_WHEEL_UP ? -3 : 3);
        return MMH_R_REDRAW;
    }
    if (what != MMH_MOUSE_CLICK || row < 1 || row > v->rows)
        return MMH_R_NONE;
    uint64_t i = l->top + (uint64_t)(row - 1);
    if (i >= l->node.nkids)
        return MMH_R_NONE;
    if (i == l->sel)
        return open_child(s, v, false);
    l->sel = i;
    return MMH_R_REDRAW;
}

/* The breadcrumb: the names from the root to the listed node, cut from
 * the left to fit. */
static void title(const StructView *v, Grid *g)
{
    char path[1024];
    size_t n = 0;
    for (int i = 0; i < v->n && n < sizeof path; i++)
        n +=
            (size_t)snprintf(path + n, sizeof path - n, "%s%s", i ? " > " : "", v->lv[i].node.name);
    const Level *l = &v->lv[v->n - 1];
    char tail[96];
    snprintf(tail, sizeof tail, "  (%" PRIu64 " of %" PRIu64 ")", l->node.nkids ? l->sel + 1 : 0,
             l->node.nkids);
    grid_fill_row(g, 0, MMH_CC_TITLE);
    int room = g->cols - 12 - (int)strlen(tail);
    const char *p = path;
    if (room > 8 && (int)strlen(p) > room)
        p += strlen(p) - (size_t)room + 3;
    int col = grid_put_str(g, 0, 0, g->cols, " structure ", MMH_CC_TITLE, false);
    if (p != path)
        col = grid_put_str(g, 0, col, g->cols, "...", MMH_CC_TITLE, false);
    col = grid_put_str(g, 0, col, g->cols, p, MMH_CC_TITLE, true);
    grid_put_str(g, 0, col, g->cols, tail, MMH_CC_TITLE, true);
}

static void row(Session *s, const FmtNode *k, bool sel, Grid *g, int y, int namew)
{
    int cls = sel ? MMH_CC_SELECTED : k->bad ? MMH_CC_ERROR : MMH_CC_NORMAL;
    char buf[64];
    int w = view_offset_width(session_size(s));
    if (sel)
        grid_fill_row(g, y, cls);
    char len[24];
    if (k->len < 1000000)
        snprintf(len, sizeof len, "%" PRIu64, k->len);
    else
        parse_fmt_size_short(k->len, len, sizeof len);
    snprintf(buf, sizeof buf, "%s%0*" PRIx64 " %6s %s ", sel ? ">" : " ", w, k->off, len,
             k->nkids && !k->bad ? "+" : " ");
    int col = grid_put_str(g, y, 0, g->cols, buf, sel ? cls : MMH_CC_OFFSET, false);
    grid_put_str(g, y, col, col + namew, k->name, cls, true);
    col += namew + 1;
    if (k->text[0])
        col = grid_put_str(g, y, col, g->cols, k->text, cls, true) + 1;
    if (k->note[0]) {
        char note[FMT_TEXT + 4];
        snprintf(note, sizeof note, "(%s)", k->note);
        grid_put_str(g, y, col, g->cols, note, cls, true);
    }
}

static void struct_frame(Session *s, void *st, Grid *g)
{
    StructView *v = st;
    grid_clear(g, MMH_CC_NORMAL);
    if (g->rows < 1)
        return;
    title(v, g);
    int rows = g->rows - 2; /* the title and the message row */
    v->rows = rows > 0 ? rows : 0;
    if (rows < 1)
        return;
    Level *l = cur(v);
    if (l->sel < l->top)
        l->top = l->sel;
    if (l->sel >= l->top + (uint64_t)rows)
        l->top = l->sel - (uint64_t)rows + 1;
    FmtSrc src;
    struct_src(s, &src);
    int namew = g->cols / 3 < 30 ? g->cols / 3 : 30;
    if (!l->node.nkids) {
        grid_put_str(g, 1, 0, g->cols, "  (no fields: h or Left goes up)", MMH_CC_NORMAL, false);
    }
    for (int r = 0; r < rows && l->top + (uint64_t)r < l->node.nkids; r++) {
        uint64_t i = l->top + (uint64_t)r;
        FmtNode k;
        int rc = fmt_child(&src, &l->node, i, &k);
        if (rc < 0)
            fmt_bad(&k, "?", l->node.off, "cannot read it: %s", strerror(-rc));
        row(s, &k, i == l->sel, g, 1 + r, namew);
    }
    if (s->msg[0])
        grid_put_str(g, g->rows - 1, 0, g->cols, s->msg, s->msg_err ? MMH_CC_ERROR : MMH_CC_MESSAGE,
                     true);
    else
        grid_put_str(g, g->rows - 1, 0, g->cols,
                     "Enter opens or jumps  h up  J jumps  e edits  q leaves", MMH_CC_MESSAGE,
                     true);
}

const ScreenType screen_struct = {
    .name = "struct",
    .key = struct_key,
    .mouse = struct_mouse,
    .frame = struct_frame,
    .free = free,
};

int struct_screen_open(Session *s)
{
    FmtNode *root;
    int rc = struct_root(s, "struct", &root);
    if (rc < 0)
        return rc;
    if (s->batch)
        return fail(s, -EINVAL, "struct: the screen needs a terminal (struct print prints it)");
    StructView *v = calloc(1, sizeof *v);
    FmtNode *path = calloc(FMT_DEPTH, sizeof *path);
    uint64_t idx[FMT_DEPTH] = {0};
    if (!v || !path) {
        free(v);
        free(path);
        return fail(s, -ENOMEM, "struct: out of memory");
    }
    /* Open at the field under the cursor: its parent listed, it picked. */
    FmtSrc src;
    struct_src(s, &src);
    int k = fmt_path_idx(&src, root, s->view->cursor, path, idx, FMT_DEPTH);
    if (k < 1) {
        v->lv[0] = (Level){*root, 0, 0};
        v->n = 1;
    } else {
        int levels = k > 1 ? k - 1 : 1;
        for (int i = 0; i < levels; i++)
            v->lv[i] = (Level){path[i], i + 1 < k ? idx[i + 1] : 0, 0};
        v->n = levels;
    }
    free(path);
    return screen_push(s, &screen_struct, v);
}
