/*
 * screen-inspect: the data inspector's side panel (Session.panel) and the
 * focus screen that lets it take the keys (see screen-inspect.h).
 *
 * The panel shows every type of inspect.h decoded at the cursor (or at the
 * selection's start), one row each, a long value going on over the next
 * rows; a row that cannot be decoded says why, dimmed. It reads the
 * INSPECT_MAX bytes it decodes with one doc_read and nothing else, so a
 * frame costs the same whatever the file's size. The rows scroll to keep
 * the picked one in sight.
 *
 * Editing goes through the command language: Enter opens a prompt whose
 * line runs `set TYPE OFF VALUE`, the same code as batch mode.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "screen-inspect.h"

#include "screen.h"
#include "utf8.h"

#define LABEL_COL 2  /* where a row's label starts */
#define VALUE_COL 11 /* where its value starts */

/* Rows of the panel a value of this text takes in a region cols wide. */
static int value_lines(const char *text, int cols)
{
    int w = cols - VALUE_COL, len = (int)utf8_count(text);
    if (w < 1 || len <= w)
        return 1;
    return (len + w - 1) / w;
}

/* Put text from VALUE_COL on, going on over the next rows; returns the
 * rows used (at most max). */
static int put_wrapped(Grid *g, int row, int max, const char *text, int cls)
{
    int w = g->cols - VALUE_COL, used = 0;
    const char *p = text;
    if (w < 1)
        return 1;
    while (used < max) {
        int col = VALUE_COL;
        while (*p && col < g->cols) {
            uint32_t cp;
            p += utf8_get(p, &cp);
            grid_put(g, row + used, col++, cp, cls);
        }
        used++;
        if (!*p)
            break;
    }
    return used ? used : 1;
}

static void panel_frame(Session *s, void *st, Grid *g)
{
    InspectState *in = st;
    uint8_t buf[INSPECT_MAX];
    size_t len = 0;
    uint64_t off = inspect_where(s);
    int rc = session_size(s) ? inspect_bytes(s, off, buf, &len) : 0;
    char text[INSPECT_TEXT], title[64];

    for (int r = 0; r < g->rows; r++) {
        grid_fill_row(g, r, MMH_CC_NORMAL);
        grid_put(g, r, 0, 0x2502, MMH_CC_STATUS); /* │ */
    }
    in->cols = g->cols;
    if (g->rows < 3)
        return;
    snprintf(title, sizeof title, " %s 0x%" PRIx64 " %s", in->focus ? "INSPECT" : "inspect", off,
             in->big ? "big endian" : "little endian");
    if ((int)strlen(title) >= g->cols) /* a long offset: the short words */
        snprintf(title, sizeof title, " %s 0x%" PRIx64 " %s", in->focus ? "INSPECT" : "inspect",
                 off, in->big ? "BE" : "LE");
    grid_fill_row(g, 0, MMH_CC_TITLE);
    grid_put_str(g, 0, 1, g->cols, title, MMH_CC_TITLE, true);
    grid_put_str(g, g->rows - 1, 1, g->cols,
                 in->focus ? " Enter set  e endian  Esc leave" : " X pick a row  x close",
                 MMH_CC_STATUS, true);

    /* Decode again only when the bytes (whoever changed them), the offset
     * or the byte order did: most frames redraw the same values. */
    InspectCache *c = &in->cache;
    if (rc < 0 || !c->valid || c->off != off || c->big != in->big || c->len != len ||
        memcmp(c->bytes, buf, len)) {
        for (int t = 0; t < INSP_COUNT; t++) {
            if (rc < 0)
                c->rc[t] = rc,
                snprintf(c->text[t], INSPECT_TEXT, "cannot read: %s", map_strerror(rc));
            else if (session_size(s) == 0)
                c->rc[t] = -1, snprintf(c->text[t], INSPECT_TEXT, "the file is empty");
            else
                c->rc[t] = inspect_decode((InspType)t, buf, len, in->big, c->text[t], INSPECT_TEXT);
        }
        c->valid = rc == 0;
        c->off = off;
        c->big = in->big;
        c->len = len;
        memcpy(c->bytes, buf, len);
    }
    char(*vals)[INSPECT_TEXT] = c->text;
    const int *ok = c->rc;

    /* Scroll so the picked row shows whole. */
    int avail = g->rows - 2;
    if (in->top > in->row)
        in->top = in->row;
    for (;;) {
        int used = 0;
        for (int t = in->top; t <= in->row; t++)
            used += value_lines(vals[t], g->cols);
        if (used <= avail || in->top >= in->row)
            break;
        in->top++;
    }
    int row = 1;
    for (int t = in->top; t < INSP_COUNT && row <= avail; t++) {
        const InspInfo *info = inspect_info((InspType)t);
        int lcls = t == in->row ? (in->focus ? MMH_CC_CURSOR : MMH_CC_SELECTED) : MMH_CC_OFFSET;
        snprintf(text, sizeof text, "%-8s", info->label);
        grid_put_str(g, row, LABEL_COL, VALUE_COL - 1, text, lcls, false);
        if (info->endian && in->big)
            grid_put(g, row, VALUE_COL - 1, '*', MMH_CC_OFFSET); /* follows the endianness */
        row +=
            put_wrapped(g, row, avail + 1 - row, vals[t], ok[t] < 0 ? MMH_CC_ZERO : MMH_CC_NORMAL);
    }
}

/* A click on a row picks it. */
static unsigned panel_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    (void)col;
    InspectState *in = st;
    if (what != MMH_MOUSE_CLICK || row < 1)
        return MMH_R_NONE;
    uint8_t buf[INSPECT_MAX];
    size_t len = 0;
    char v[INSPECT_TEXT];
    if (session_size(s) && inspect_bytes(s, inspect_where(s), buf, &len) < 0)
        len = 0;
    for (int t = in->top, r = 1; t < INSP_COUNT; t++) {
        inspect_decode((InspType)t, buf, len, in->big, v, sizeof v);
        int lines = value_lines(v, in->cols);
        if (row >= r && row < r + lines) {
            in->row = t;
            return MMH_R_REDRAW;
        }
        r += lines;
    }
    return MMH_R_NONE;
}

const ScreenType screen_inspect = {
    .name = "inspect",
    .mouse = panel_mouse,
    .frame = panel_frame,
};

/* ---- the focus screen ---------------------------------------------------- */

static void focus_frame(Session *s, void *st, Grid *g)
{
    screen_draw_under(s, st, g);
}

static unsigned focus_key(Session *s, void *st, int key)
{
    InspectState *in = st;
    switch (key) {
    case MMH_KEY_ESC:
    case 'X':
        in->focus = false;
        screen_pop(s);
        s->msg[0] = 0;
        return MMH_R_REDRAW;
    case MMH_KEY_UP:
    case 'k': in->row = in->row > 0 ? in->row - 1 : 0; return MMH_R_REDRAW;
    case MMH_KEY_DOWN:
    case 'j':
        in->row = in->row < INSP_COUNT - 1 ? in->row + 1 : INSP_COUNT - 1;
        return MMH_R_REDRAW;
    case MMH_KEY_HOME: in->row = 0; return MMH_R_REDRAW;
    case MMH_KEY_END: in->row = INSP_COUNT - 1; return MMH_R_REDRAW;
    case 'e': return cmd_run(s, "endian");
    case 'x': return cmd_run(s, "inspector off");
    case MMH_KEY_ENTER:
    case '\n':
    case '\r': {
        const InspInfo *info = inspect_info((InspType)in->row);
        uint64_t off = inspect_where(s);
        char label[32], verb[64];
        snprintf(label, sizeof label, "%s @0x%" PRIx64 ": ", info->label, off);
        snprintf(verb, sizeof verb, "set %s 0x%" PRIx64, info->name, off);
        prompt_open(s, label, verb);
        return MMH_R_REDRAW;
    }
    default: break;
    }
    /* Any other key is the hex screen's: the cursor moves under the panel. */
    for (int i = s->nscreens - 1; i > 0; i--)
        if (s->screens[i].st == st)
            return s->screens[i - 1].type->key(s, s->screens[i - 1].st, key);
    return MMH_R_NONE;
}

const ScreenType screen_inspect_focus = {
    .name = "inspect-focus",
    .key = focus_key,
    .frame = focus_frame,
};
