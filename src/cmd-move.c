/*
 * cmd-move: the commands that move the cursor (and the selection that
 * follows it): arrows, pages, rows, goto, the data regions and holes of a
 * sparse file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "cmd-family.h"
#include "parse.h"

static void top(Session *s)
{
    session_move_to(s, 0);
}

static void bottom(Session *s)
{
    session_move_to(s, session_size(s) ? session_size(s) - 1 : 0);
}

static void left(Session *s)
{
    session_move_by(s, -1);
}

static void right(Session *s)
{
    session_move_by(s, 1);
}

static void pagedown(Session *s)
{
    session_page(s, 1);
}

static void pageup(Session *s)
{
    session_page(s, -1);
}

static int c_goto(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off, size = session_size(s);
    const char *err = NULL;
    if (!*arg)
        return fail(s, -EINVAL, "goto: give an offset (0x1f00, 4096, +4k, -16, 50%%, end-0x10)");
    int rc = parse_offset(arg, s->view->cursor, size, &off, &err);
    if (rc < 0)
        return fail(s, rc, "goto %s: %s", arg, err ? err : "bad offset");
    if (size == 0)
        return fail(s, -ERANGE, "goto: the file is empty");
    if (off >= size)
        return fail(s, -ERANGE,
                    "goto: 0x%" PRIx64 " is past the end (the last byte is 0x%" PRIx64 ")", off,
                    size - 1);
    session_move_to(s, off);
    return 0;
}

static int seek_region(Session *s, bool data, bool back)
{
    uint64_t at;
    int rc = doc_seek_region(s->doc, s->view->cursor, data, back, &at);
    const char *what = data ? "data" : "hole";
    if (rc == -ENXIO)
        return fail(s, -ENOENT, "no %s %s %s the cursor", back ? "earlier" : "later", what,
                    back ? "before" : "after");
    if (rc < 0)
        return fail(s, rc, "seek %s: %s", what, map_strerror(rc));
    session_move_to(s, at);
    say(s, false, "%s starts at 0x%" PRIx64, data ? "data" : "a hole", at);
    return 0;
}

static int c_nextdata(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, true, false);
}

static int c_prevdata(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, true, true);
}

static int c_nexthole(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, false, false);
}

static int c_prevhole(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    return seek_region(s, false, true);
}

static int c_select(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!session_size(s))
        return 0;
    if (s->view->sel_on) {
        s->view->sel_on = false;
        say(s, false, "selection cleared");
    } else {
        s->view->sel_on = true;
        s->view->sel_anchor = s->view->cursor;
        say(s, false, "selecting: move to extend; L locks it; v clears");
    }
    return 0;
}

static const CmdDef cmds[] = {
    {"left", NULL, left, NULL, "one byte left", 0},
    {"right", NULL, right, NULL, "one byte right", 0},
    {"up", NULL, session_move_up, NULL, "one row up", 0},
    {"down", NULL, session_move_down, NULL, "one row down", 0},
    {"pageup", NULL, pageup, NULL, "one screen up", 0},
    {"pagedown", NULL, pagedown, NULL, "one screen down", 0},
    {"rowstart", NULL, session_move_rowstart, NULL, "start of the row", 0},
    {"rowend", NULL, session_move_rowend, NULL, "end of the row", 0},
    {"top", NULL, top, NULL, "the first byte", 0},
    {"bottom", NULL, bottom, NULL, "the last byte", 0},
    {"goto", c_goto, NULL, "goto EXPR", "move the cursor: 0x1f00 4096 +4k -16 50% end-0x10", 0},
    {"g", c_goto, NULL, NULL, NULL, CMD_ALIAS},
    {"nextdata", c_nextdata, NULL, NULL, "start of the next data region (sparse files)", 0},
    {"prevdata", c_prevdata, NULL, NULL, "start of the previous data region", 0},
    {"nexthole", c_nexthole, NULL, NULL, "start of the next hole", 0},
    {"prevhole", c_prevhole, NULL, NULL, "start of the previous hole", 0},
    {"select", c_select, NULL, NULL, "start or clear a selection", 0},
};

CMD_FAMILY(move, cmds);
