/*
 * cmd-layout: how a row is laid out, changed while running: bytes per row
 * (width, keys > and <), grouping of the hex bytes (group, key K) and the
 * offset column's base (offsets, key D). view.c does the layout; a width
 * that does not fit the terminal is refused there (the widest that fits is
 * shown) and said here, so the cursor never sits past the right edge.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "parse.h"

/* Lay out again and say how a row looks now. */
static int relayout(Session *s)
{
    View *v = s->view;
    view_layout(v, v->rows, v->cols, session_size(s));
    if (v->bpr_refused)
        say(s, false, "width %d does not fit %d columns: showing %d", v->bpr_refused, v->cols,
            v->bpr);
    else
        say(s, false, "%d bytes per row%s, grouped by %d, %s offsets", v->bpr,
            v->bpr_fixed ? "" : " (fit)", v->group > 1 ? v->group : 1,
            v->dec_offsets ? "decimal" : "hex");
    return 0;
}

static int c_width(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    View *v = s->view;
    uint64_t n;
    const char *err = NULL;
    if (!strcmp(arg, "auto")) {
        v->bpr_fixed = 0;
    } else if (!strcmp(arg, "more") || !strcmp(arg, "less")) {
        int dir = arg[0] == 'm' ? 1 : -1, next = view_bpr_step(v->bpr, dir);
        if (dir > 0 && next > view_fit_bpr(v, v->cols, session_size(s)))
            return fail(s, -ERANGE, "width %d does not fit %d columns: showing %d", next, v->cols,
                        v->bpr);
        v->bpr_fixed = next;
    } else if (!*arg) {
        return fail(s, -EINVAL, "width: say a number of bytes per row, auto, more or less");
    } else if (parse_count(arg, &n, &err) < 0 || n < 1 || n > 4096) {
        return fail(s, -EINVAL, "width %s: %s", arg, err ? err : "1 to 4096 bytes per row");
    } else {
        v->bpr_fixed = (int)n;
    }
    return relayout(s);
}

static int c_group(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    View *v = s->view;
    int g = v->group > 1 ? v->group : 1;
    if (!*arg)
        g = g == 8 ? 1 : g * 2;
    else if (!strcmp(arg, "1") || !strcmp(arg, "2") || !strcmp(arg, "4") || !strcmp(arg, "8"))
        g = atoi(arg);
    else
        return fail(s, -EINVAL, "group: say 1, 2, 4 or 8");
    v->group = g;
    return relayout(s);
}

static int c_offsets(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    View *v = s->view;
    if (!*arg)
        v->dec_offsets = !v->dec_offsets;
    else if (!strcmp(arg, "hex") || !strcmp(arg, "dec"))
        v->dec_offsets = arg[0] == 'd';
    else
        return fail(s, -EINVAL, "offsets: say hex or dec");
    return relayout(s);
}

static const CmdDef cmds[] = {
    {"width", c_width, .usage = "width N|auto|more|less",
     .help = "bytes per row (auto: as many as fit)"},
    {"group", c_group, .usage = "group [1|2|4|8]",
     .help = "hex bytes printed together (none: the next)"},
    {"offsets", c_offsets, .usage = "offsets [hex|dec]",
     .help = "the offset column's base (none: the other)"},
};

CMD_FAMILY(layout, cmds);
