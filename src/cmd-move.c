/*
 * cmd-move: the commands that move the cursor (and the selection that
 * follows it): arrows, pages, rows, goto, the data regions and holes of a
 * sparse file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <strings.h>

#include "cmd-family.h"
#include "parse.h"

enum {
    MOVE_LEFT,
    MOVE_RIGHT,
    MOVE_UP,
    MOVE_DOWN,
    MOVE_PAGEUP,
    MOVE_PAGEDOWN,
    MOVE_ROWSTART,
    MOVE_ROWEND,
    MOVE_TOP,
    MOVE_BOTTOM
};
enum { SEEK_DATA_ = 1, SEEK_BACK = 2 }; /* seek_region's opt (SEEK_DATA is lseek's) */

/* The moves that cannot fail, one per opt. */
static int move(Session *s, int opt)
{
    uint64_t size = session_size(s);
    switch (opt) {
    case MOVE_LEFT: session_move_by(s, -1); break;
    case MOVE_RIGHT: session_move_by(s, 1); break;
    case MOVE_UP: session_move_up(s); break;
    case MOVE_DOWN: session_move_down(s); break;
    case MOVE_PAGEUP: session_page(s, -1); break;
    case MOVE_PAGEDOWN: session_page(s, 1); break;
    case MOVE_ROWSTART: session_move_rowstart(s); break;
    case MOVE_ROWEND: session_move_rowend(s); break;
    case MOVE_TOP: session_move_to(s, 0); break;
    case MOVE_BOTTOM: session_move_to(s, size ? size - 1 : 0); break;
    }
    return 0;
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
    if (off == size && !strcasecmp(arg, "end"))
        off = size - 1; /* `goto end` is the last byte (end-0 is still past it) */
    if (off >= size)
        return fail(s, -ERANGE,
                    "goto: 0x%" PRIx64 " is past the end (the last byte is 0x%" PRIx64 ")", off,
                    size - 1);
    session_jump(s, off);
    return 0;
}

/* The start of the next or previous data region or hole (opt: SEEK_*). */
static int seek_region(Session *s, int opt)
{
    bool data = opt & SEEK_DATA_, back = opt & SEEK_BACK;
    uint64_t at;
    int rc = doc_seek_region(s->doc, s->view->cursor, data, back, &at);
    const char *what = data ? "data" : "hole";
    if (rc == -ENXIO)
        return fail(s, -ENOENT, "no %s %s %s the cursor", back ? "earlier" : "later", what,
                    back ? "before" : "after");
    if (rc < 0)
        return fail(s, rc, "seek %s: %s", what, map_strerror(rc));
    session_jump(s, at);
    say(s, false, "%s starts at 0x%" PRIx64, data ? "data" : "a hole", at);
    return 0;
}

static int select_toggle(Session *s, int opt)
{
    (void)opt;
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
    {"left", .act = move, .opt = MOVE_LEFT, .help = "one byte left"},
    {"right", .act = move, .opt = MOVE_RIGHT, .help = "one byte right"},
    {"up", .act = move, .opt = MOVE_UP, .help = "one row up"},
    {"down", .act = move, .opt = MOVE_DOWN, .help = "one row down"},
    {"pageup", .act = move, .opt = MOVE_PAGEUP, .help = "one screen up"},
    {"pagedown", .act = move, .opt = MOVE_PAGEDOWN, .help = "one screen down"},
    {"rowstart", .act = move, .opt = MOVE_ROWSTART, .help = "start of the row"},
    {"rowend", .act = move, .opt = MOVE_ROWEND, .help = "end of the row"},
    {"top", .act = move, .opt = MOVE_TOP, .help = "the first byte"},
    {"bottom", .act = move, .opt = MOVE_BOTTOM, .help = "the last byte"},
    {"goto", c_goto, .usage = "goto EXPR",
     .help = "move the cursor: 0x1f00 4096 +4k -16 50% end-0x10"},
    {"g", c_goto, .flags = CMD_ALIAS},
    {"nextdata", .act = seek_region, .opt = SEEK_DATA_,
     .help = "start of the next data region (sparse files)"},
    {"prevdata", .act = seek_region, .opt = SEEK_DATA_ | SEEK_BACK,
     .help = "start of the previous data region"},
    {"nexthole", .act = seek_region, .opt = 0, .help = "start of the next hole"},
    {"prevhole", .act = seek_region, .opt = SEEK_BACK, .help = "start of the previous hole"},
    {"select", .act = select_toggle, .help = "start or clear a selection"},
};

CMD_FAMILY(move, cmds);
