/*
 * screen-pager: a page of text over the screen under it (help, the output
 * of reporting commands, the message history). Arrows, PgDn and Space
 * scroll; any other key or a click closes it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"

#define PAGER_TITLE_MAX 128 /* bytes of the title row */
#define PAGER_LINE_MAX 256  /* bytes of a line shown (the rest is cut) */

typedef struct Pager {
    char title[PAGER_TITLE_MAX]; /* the first row */
    char *text;                  /* the page, lines ended by '\n' (owned) */
    size_t lines;                /* how many */
    int top;                     /* first line shown */
} Pager;

static void pager_free(void *st)
{
    Pager *p = st;
    free(p->text);
    free(p);
}

static unsigned pager_key(Session *s, void *st, int key)
{
    Pager *p = st;
    int rows = s->rows - 2;
    int max = (int)p->lines - rows;
    switch (key) {
    case MMH_KEY_DOWN:
    case 'j': p->top++; break;
    case MMH_KEY_UP:
    case 'k': p->top--; break;
    case MMH_KEY_PGDN:
    case ' ': p->top += rows > 1 ? rows : 1; break;
    case MMH_KEY_PGUP:
    case 'b': p->top -= rows > 1 ? rows : 1; break;
    default: screen_pop(s); return MMH_R_REDRAW;
    }
    if (p->top > max)
        p->top = max;
    if (p->top < 0)
        p->top = 0;
    return MMH_R_REDRAW;
}

static unsigned pager_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    (void)st, (void)what, (void)row, (void)col;
    screen_pop(s);
    return MMH_R_REDRAW;
}

static void pager_frame(Session *s, void *st, Grid *g)
{
    (void)s;
    Pager *p = st;
    char buf[PAGER_LINE_MAX];
    grid_clear(g, MMH_CC_NORMAL);
    if (g->rows < 1)
        return;
    grid_fill_row(g, 0, MMH_CC_TITLE);
    grid_put_str(g, 0, 0, g->cols, p->title, MMH_CC_TITLE, false);
    int row = 1, line = 0;
    for (const char *t = p->text; *t && row < g->rows; line++) {
        size_t len = strcspn(t, "\n");
        if (line >= p->top) {
            snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf - 1 ? len : sizeof buf - 1),
                     t);
            grid_put_str(g, row++, 0, g->cols, buf, MMH_CC_NORMAL, false);
        }
        t += len + (t[len] == '\n');
    }
}

const ScreenType screen_pager = {
    .name = "pager",
    .key = pager_key,
    .mouse = pager_mouse,
    .frame = pager_frame,
    .free = pager_free,
};

int pager_open(Session *s, const char *title, char *text)
{
    Pager *p = calloc(1, sizeof *p);
    if (!p) {
        free(text);
        return fail(s, -ENOMEM, "out of memory");
    }
    snprintf(p->title, sizeof p->title, "%s", title);
    p->text = text ? text : calloc(1, 1);
    if (!p->text) {
        free(p);
        return fail(s, -ENOMEM, "out of memory");
    }
    for (const char *t = p->text; *t; t++)
        p->lines += *t == '\n';
    return screen_push(s, &screen_pager, p);
}
