/*
 * cmd-mark: getting around a big file: named bookmarks kept across runs
 * (mark, jump, marks, unmark), the jump list (back, forward) and the
 * prompts that ask for a mark's name. The data lives in marks.c; the list
 * screen is screen-marks.c.
 *
 * Bookmarks are read by every command that uses them (so two editors on
 * one file see each other's marks; the last change wins for a name) and
 * written after every change (atomically, marks.h). A state directory that
 * cannot be written costs the marks' survival, never the edit: it is said
 * once, and the marks last until the session ends.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd-family.h"
#include "marks.h"
#include "parse.h"
#include "prompt.h"
#include "screen.h"

/* The places with the open file's bookmarks read; NULL (and a message)
 * when out of memory. */
static Places *ready(Session *s)
{
    Places *p = session_places(s);
    if (!p) {
        fail(s, -ENOMEM, "out of memory");
        return NULL;
    }
    if (p->loaded) {
        /* Read them again when the file is there (another editor may have
         * changed it); when it is not, what this session holds stands. */
        Marks again = {0};
        if (p->have_id && access(p->file, F_OK) == 0 && marks_load(&again, p->file, &p->id) == 0) {
            marks_free(&p->marks);
            p->marks = again;
        } else {
            marks_free(&again);
        }
        return p;
    }
    p->loaded = true;
    char dir[PATH_MAX];
    if (marks_identify(map_path(doc_map(s->doc)), &p->id) == 0 && marks_dir(dir, sizeof dir) == 0 &&
        marks_file(dir, &p->id, p->file, sizeof p->file) == 0) {
        p->have_id = true;
        if (marks_load(&p->marks, p->file, &p->id) < 0)
            marks_free(&p->marks); /* unreadable: start afresh, saving replaces it */
    }
    return p;
}

/* Keep the marks on disk; the first failure is said (after what the
 * command said), later ones are not. */
static void keep(Session *s, Places *p, const char *done)
{
    int rc = p->have_id ? marks_save(&p->marks, p->file, &p->id) : -ENOENT;
    if (rc == 0 || p->said_unsaved) {
        say(s, false, "%s", done);
        return;
    }
    p->said_unsaved = true;
    say(s, false, "%s (bookmarks are not kept after you quit: %s: %s)", done,
        p->have_id ? p->file : "no state directory", strerror(-rc));
}

static int c_mark(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    char name[64] = "", off_s[256] = "";
    int used = 0;
    if (sscanf(arg, "%63s %255s %n", name, off_s, &used) < 1)
        return fail(s, -EINVAL, "mark: give a name (a letter will do): mark NAME [OFFSET [NOTE]]");
    if (!marks_name_ok(name))
        return fail(s, -EINVAL, "mark: '%.40s' is not a name (1-31 characters, no blanks)", name);
    uint64_t off = s->view->cursor, size = session_size(s);
    const char *err = NULL;
    if (off_s[0] && parse_offset(off_s, s->view->cursor, size, &off, &err) < 0)
        return fail(s, -EINVAL, "mark %s: %s", off_s, err ? err : "bad offset");
    if (size == 0)
        return fail(s, -ERANGE, "mark: the file is empty");
    if (off >= size)
        return fail(s, -ERANGE, "mark: 0x%" PRIx64 " is past the end", off);
    Places *p = ready(s);
    if (!p)
        return -ENOMEM;
    int rc = marks_set(&p->marks, name, off, used ? arg + used : "");
    if (rc == -ENOSPC)
        return fail(s, rc, "mark: %d bookmarks are the most a file keeps", MARKS_MAX);
    if (rc < 0)
        return fail(s, rc, "mark: %s", strerror(-rc));
    char done[128];
    snprintf(done, sizeof done, "mark %s at 0x%" PRIx64, name, off);
    keep(s, p, done);
    return 0;
}

static int c_jump(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    if (!*arg)
        return fail(s, -EINVAL, "jump: give a mark's name (marks lists them)");
    Places *p = ready(s);
    if (!p)
        return -ENOMEM;
    const Mark *k = marks_get(&p->marks, arg);
    if (!k)
        return fail(s, -ENOENT, "no mark %.40s (marks lists them)", arg);
    if (k->off >= session_size(s))
        return fail(s, -ERANGE, "mark %s at 0x%" PRIx64 " is past the end now", k->name, k->off);
    session_jump(s, k->off);
    say(s, false, "mark %s at 0x%" PRIx64 "%s%s", k->name, k->off, k->note[0] ? ": " : "", k->note);
    return 0;
}

static int c_unmark(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    if (!*arg)
        return fail(s, -EINVAL, "unmark: give a mark's name");
    Places *p = ready(s);
    if (!p)
        return -ENOMEM;
    if (marks_del(&p->marks, arg) < 0)
        return fail(s, -ENOENT, "no mark %.40s", arg);
    char done[96];
    snprintf(done, sizeof done, "mark %.40s deleted", arg);
    keep(s, p, done);
    return 0;
}

static int c_marks(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    Places *p = ready(s);
    if (!p)
        return -ENOMEM;
    if (!s->batch)
        return marks_screen_open(s);
    for (size_t i = 0; i < p->marks.n; i++) {
        const Mark *k = &p->marks.v[i];
        emit(s, "%s 0x%" PRIx64 "%s%s\n", k->name, k->off, k->note[0] ? " " : "", k->note);
    }
    say(s, false, "%zu bookmark%s", p->marks.n, p->marks.n == 1 ? "" : "s");
    return 0;
}

enum { GO_BACK, GO_FORWARD };

static int go(Session *s, int opt)
{
    Places *p = session_places(s);
    uint64_t to;
    if (!p)
        return fail(s, -ENOMEM, "out of memory");
    bool ok =
        opt == GO_BACK ? jump_back(&p->jumps, s->view->cursor, &to) : jump_forward(&p->jumps, &to);
    if (!ok)
        return fail(s, -ENOENT, "%s", opt == GO_BACK ? "no earlier jump" : "no later jump");
    if (to >= session_size(s))
        to = session_size(s) ? session_size(s) - 1 : 0; /* the file shrank */
    session_jump_place(s, to);
    say(s, false, "%s to 0x%" PRIx64 " (%zu of %zu)", opt == GO_BACK ? "back" : "forward", to,
        p->jumps.at + 1, p->jumps.n);
    return 0;
}

enum { ASK_MARK, ASK_JUMP };

static int ask(Session *s, int opt)
{
    return opt == ASK_MARK ? prompt_open(s, "mark: ", "mark")
                           : prompt_open(s, "jump to mark: ", "jump");
}

static const CmdDef cmds[] = {
    {"mark", c_mark, .usage = "mark NAME [OFF [NOTE]]",
     .help = "bookmark the cursor (or OFF) as NAME; kept across runs"},
    {"jump", c_jump, .usage = "jump NAME", .help = "go to the bookmark NAME"},
    {"marks", c_marks, .help = "list the bookmarks (on screen: Enter jumps, d deletes)"},
    {"unmark", c_unmark, .usage = "unmark NAME", .help = "delete the bookmark NAME"},
    {"back", .act = go, .opt = GO_BACK, .help = "back to where the last jump left from"},
    {"forward", .act = go, .opt = GO_FORWARD, .help = "forward again in the jump list"},
    {"askmark", .act = ask, .opt = ASK_MARK, .flags = CMD_INTERNAL},
    {"askjump", .act = ask, .opt = ASK_JUMP, .flags = CMD_INTERNAL},
};

CMD_FAMILY(mark, cmds);
