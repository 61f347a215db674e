/*
 * cmd-inspect: the data inspector's commands: inspect (the table, or one
 * value), set (a value written through the inspector, one undo step),
 * endian, and inspector (the side panel: on, off, focus).
 *
 * The inspector reads only the INSPECT_MAX bytes it decodes (doc_read), so
 * it costs the same at any file size and in every mode; set writes through
 * doc_put like put does, refused in read-only mode, while a save runs, and
 * when the value would pass the end of the file (the file never grows).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "parse.h"
#include "screen-inspect.h"
#include "screen.h"

InspectState *inspect_state(Session *s)
{
    if (!s->insp && !(s->insp = calloc(1, sizeof *s->insp)))
        fail(s, -ENOMEM, "inspector: out of memory");
    return s->insp;
}

uint64_t inspect_where(const Session *s)
{
    const View *v = s->view;
    if (v->sel_on && v->sel_anchor < v->cursor)
        return v->sel_anchor;
    return v->cursor;
}

int inspect_bytes(Session *s, uint64_t off, uint8_t *buf, size_t *len)
{
    uint64_t size = session_size(s);
    *len = 0;
    if (off >= size)
        return 0;
    size_t n = size - off < INSPECT_MAX ? (size_t)(size - off) : INSPECT_MAX;
    int rc = doc_read(s->doc, off, buf, n);
    if (rc == 0)
        *len = n;
    return rc;
}

/* The first word of arg into w (n bytes); the rest after blanks. */
static const char *word(const char *arg, char *w, size_t n)
{
    size_t k = strcspn(arg, " \t");
    snprintf(w, n, "%.*s", (int)k, arg);
    arg += k;
    return arg + strspn(arg, " \t");
}

/* An offset inside the file, from an expression (empty: where the
 * inspector looks). */
static int inspect_offset(Session *s, const char *cmd, const char *expr, uint64_t *off)
{
    uint64_t size = session_size(s);
    const char *err = NULL;
    if (!size)
        return fail(s, -EINVAL, "%s: the file is empty", cmd);
    if (!*expr) {
        *off = inspect_where(s);
        return 0;
    }
    int rc = parse_offset(expr, s->view->cursor, size, off, &err);
    if (rc < 0)
        return fail(s, rc, "%s: %s", cmd, err ? err : "bad offset");
    if (*off >= size)
        return fail(s, -ERANGE, "%s: 0x%" PRIx64 " is past the end of the file (0x%" PRIx64 ")",
                    cmd, *off, size);
    return 0;
}

static int c_inspect(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    InspectState *in = inspect_state(s);
    char w[32], val[INSPECT_TEXT];
    uint8_t buf[INSPECT_MAX];
    size_t len;
    uint64_t off;
    if (!in)
        return -ENOMEM;
    const char *rest = word(arg, w, sizeof w);
    int t = *w ? inspect_find(w) : -1;
    if (t < 0)
        rest = arg; /* no type: all of it is the offset */
    int rc = inspect_offset(s, "inspect", rest, &off);
    if (rc < 0)
        return rc;
    rc = inspect_bytes(s, off, buf, &len);
    if (rc < 0)
        return core_error(s, rc, "inspect");
    if (t >= 0) {
        const InspInfo *info = inspect_info((InspType)t);
        rc = inspect_decode((InspType)t, buf, len, in->big, val, sizeof val);
        if (rc < 0)
            return fail(s, rc, "inspect %s at 0x%" PRIx64 ": %s", info->label, off, val);
        emit(s, "%s\n", val);
        say(s, false, "%s at 0x%" PRIx64 "%s: %s", info->label, off,
            info->endian ? (in->big ? " (big endian)" : " (little endian)") : "", val);
        return 0;
    }
    emit(s, "offset    0x%" PRIx64 " (%s endian)\n", off, in->big ? "big" : "little");
    for (int i = 0; i < INSP_COUNT; i++) {
        const InspInfo *info = inspect_info((InspType)i);
        rc = inspect_decode((InspType)i, buf, len, in->big, val, sizeof val);
        emit(s, "%-9s %s%s\n", info->label, rc < 0 ? "-- " : "", val);
    }
    say(s, false, "inspect: see the output");
    return 0;
}

static int c_set(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    InspectState *in = inspect_state(s);
    char w[32], err[INSPECT_TEXT], offw[256];
    uint8_t b[INSPECT_MAX];
    uint64_t off, size = session_size(s);
    if (!in)
        return -ENOMEM;
    const char *rest = word(arg, w, sizeof w);
    int t = inspect_find(w);
    if (!*w || !*rest)
        return fail(s, -EINVAL, "set: say set TYPE [OFF] VALUE, e.g. set u16 0x10 0x1234");
    if (t < 0)
        return fail(s, -EINVAL, "set: no type '%s' (see inspect for the names)", w);
    const InspInfo *info = inspect_info((InspType)t);
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (refuse_while_busy(s))
        return -EBUSY;
    /* All of the rest as the value at the cursor; if that does not parse,
     * its first word is the offset ("2026-12-04 12:00" is a value). */
    int k = inspect_encode((InspType)t, rest, in->big, b, sizeof b, err, sizeof err);
    int rc;
    if (k > 0) {
        rc = inspect_offset(s, "set", "", &off);
    } else {
        const char *value = word(rest, offw, sizeof offw);
        if (!*value)
            return fail(s, k, "set %s: %s", info->label, err);
        rc = inspect_offset(s, "set", offw, &off);
        if (rc < 0)
            return rc;
        k = inspect_encode((InspType)t, value, in->big, b, sizeof b, err, sizeof err);
        if (k < 0)
            return fail(s, k, "set %s: %s", info->label, err);
    }
    if (rc < 0)
        return rc;
    if ((uint64_t)k > size - off)
        return fail(s, -ERANGE, "set %s: %d byte%s at 0x%" PRIx64 " would pass the end of the file",
                    info->label, k, k == 1 ? "" : "s", off);
    doc_snapshot(s->doc); /* one undo step of its own */
    rc = doc_put(s->doc, off, b, (size_t)k);
    doc_snapshot(s->doc);
    if (rc < 0)
        return core_error(s, rc, "set");
    char hex[3 * INSPECT_MAX + 1] = "", val[INSPECT_TEXT];
    for (int i = 0; i < k; i++)
        snprintf(hex + (i ? 3 * i - 1 : 0), 4, "%s%02x", i ? " " : "", b[i]);
    inspect_decode((InspType)t, b, (size_t)k, in->big, val, sizeof val);
    say(s, false, "%s at 0x%" PRIx64 " set to %s (%s)", info->label, off, val, hex);
    return 0;
}

static int c_endian(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    InspectState *in = inspect_state(s);
    if (!in)
        return -ENOMEM;
    if (!*arg)
        in->big = !in->big;
    else if (!strcmp(arg, "little") || !strcmp(arg, "le"))
        in->big = false;
    else if (!strcmp(arg, "big") || !strcmp(arg, "be"))
        in->big = true;
    else
        return fail(s, -EINVAL, "endian: say little or big (no word: toggle)");
    say(s, false, "inspector: %s endian", in->big ? "big" : "little");
    return 0;
}

static void focus_off(Session *s)
{
    if (s->insp && screen_top_is(s, &screen_inspect_focus))
        screen_pop(s);
    if (s->insp)
        s->insp->focus = false;
}

static int c_inspector(Session *s, const char *arg, unsigned *r)
{
    InspectState *in = inspect_state(s);
    bool shown = s->panel.type == &screen_inspect;
    if (!in)
        return -ENOMEM;
    if (s->batch)
        return fail(s, -EINVAL, "inspector: the panel needs a terminal (use inspect)");
    bool on = !*arg ? !shown : !strcmp(arg, "on") || !strcmp(arg, "focus");
    if (*arg && strcmp(arg, "on") && strcmp(arg, "off") && strcmp(arg, "focus"))
        return fail(s, -EINVAL, "inspector: say on, off or focus (no word: toggle)");
    if (!on) {
        focus_off(s);
        if (shown)
            s->panel = (Screen){0};
        *r |= cmd_resize(s, s->rows, s->cols);
        say(s, false, "inspector off");
        return 0;
    }
    if (s->panel.type && !shown)
        return fail(s, -EBUSY, "inspector: the side panel shows %s", s->panel.type->name);
    s->panel = (Screen){&screen_inspect, in};
    int rc = layout_panel_fits(s, "inspector");
    if (rc < 0) {
        s->panel = (Screen){0};
        focus_off(s);
        return rc;
    }
    *r |= cmd_resize(s, s->rows, s->cols);
    if (strcmp(arg, "focus")) {
        say(s, false, "inspector on (X picks a row to set, e toggles the endianness)");
        return 0;
    }
    if (!screen_top_is(s, &screen_inspect_focus)) {
        rc = screen_push(s, &screen_inspect_focus, in);
        if (rc < 0)
            return rc;
    }
    in->focus = true;
    say(s, false, "inspector: arrows pick a row, Enter sets it, e endian, Esc leaves");
    return 0;
}

static const CmdDef cmds[] = {
    {"inspect", c_inspect, .usage = "inspect [TYPE] [OFF]",
     .help = "the data inspector's table at the cursor or OFF (or one TYPE's value)"},
    {"set", c_set, .usage = "set TYPE [OFF] VALUE",
     .help = "write VALUE as TYPE (u16, f32, unix32, guid, ...) at the cursor or OFF"},
    {"endian", c_endian, .usage = "endian [little|big]",
     .help = "the inspector's byte order (no word: toggle)"},
    {"inspector", c_inspector, .usage = "inspector [on|off|focus]",
     .help = "the inspector side panel (no word: toggle; focus: it takes the keys)"},
};

CMD_FAMILY(inspect, cmds);
