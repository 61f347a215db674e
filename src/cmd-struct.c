/*
 * cmd-struct: what the file's bytes mean: struct (the structure screen, or
 * in batch the tree as indented text or JSON), struct as (force a format or
 * a user structure at an offset), struct load (user structures from a
 * file), struct off, struct set (a field's value, one undo step).
 *
 * The structure is decoded lazily from the document (fmt.h): nothing is
 * read until a screen row, a printed node or the status row asks, so the
 * cost is the same for a 1 KiB file and a 16 TiB image.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd-family.h"
#include "inspect.h"
#include "parse.h"
#include "screen-struct.h"
#include "screen.h"
#include "sys.h"
#include "ustruct.h"

/* ---- the state ---- */

StructState *struct_state(Session *s)
{
    if (!s->fmt && !(s->fmt = calloc(1, sizeof *s->fmt)))
        fail(s, -ENOMEM, "struct: out of memory");
    return s->fmt;
}

void struct_state_free(StructState *st)
{
    if (!st)
        return;
    ustruct_free(st->defs);
    free(st);
}

static int src_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    return doc_read(ctx, off, buf, len);
}

void struct_src(Session *s, FmtSrc *out)
{
    *out = (FmtSrc){src_read, s->doc, session_size(s)};
}

/* Make the root as st says: 0 (st->root set, the structure on) or -errno,
 * saying nothing. */
static int make_root(Session *s, StructState *st)
{
    FmtSrc src;
    struct_src(s, &src);
    if (!src.size)
        return -ENODATA;
    int rc;
    if (st->user)
        rc = ustruct_root(st->defs, st->user_name[0] ? st->user_name : NULL, &src, st->off,
                          &st->root);
    else
        rc = fmt_root(&src, st->dec, st->off, &st->root);
    if (rc < 0) {
        st->root_doc = NULL;
        st->on = false;
        return rc;
    }
    st->root_doc = s->doc;
    st->root_changes = doc_changes(s->doc);
    st->root_size = src.size;
    st->on = true;
    st->user_off = false;
    st->at_valid = false;
    return 0;
}

int struct_root(Session *s, const char *cmd, FmtNode **root)
{
    StructState *st = struct_state(s);
    if (!st)
        return -ENOMEM;
    if (st->root_doc == s->doc && st->root_changes == doc_changes(s->doc) &&
        st->root_size == session_size(s) && st->root.len) {
        *root = &st->root;
        return 0;
    }
    int rc = make_root(s, st);
    if (rc == -ENODATA)
        return fail(s, -EINVAL, "%s: the file is empty", cmd);
    if (rc < 0) {
        if (rc == -ENOENT && !st->dec && !st->user)
            return fail(s, rc,
                        "%s: no format known at 0x%" PRIx64
                        " (struct as NAME forces one; struct as lists them)",
                        cmd, st->off);
        return fail(s, rc, "%s: %s at 0x%" PRIx64 ": %s", cmd,
                    st->user  ? "the user structure"
                    : st->dec ? st->dec->name
                              : "detection",
                    st->off, rc == -EINVAL ? "not that format there" : strerror(-rc));
    }
    *root = &st->root;
    return 0;
}

bool struct_auto(Session *s)
{
    StructState *st = s->fmt;
    /* Once a document, on screen, when its first rows are shown (the
     * frame read them: the probes' few reads of the first 8 KiB add
     * little to what the residency rows show), unless the user turned
     * the structure off. */
    if (s->batch || s->view->top != 0 || (st && (st->on || st->user_off || st->auto_doc == s->doc)))
        return false;
    if (!st && !(st = struct_state(s)))
        return false;
    st->auto_doc = s->doc;
    return !st->dec && !st->user && !st->off && make_root(s, st) == 0;
}

const char *struct_field(Session *s)
{
    StructState *st = s->fmt;
    if (!st || !st->on || st->root_doc != s->doc)
        return NULL;
    uint64_t cur = s->view->cursor;
    uint64_t now = sys_now_ns();
    /* Kept while the cursor and our edits stay, for a second at most: the
     * bytes may be another process's to change. */
    if (st->at_valid && st->at_off == cur && st->at_changes == doc_changes(s->doc) &&
        now - st->at_when < 1000000000ull)
        return st->at[0] ? st->at : NULL;
    FmtNode *root;
    if (struct_root(s, "struct", &root) < 0)
        return NULL;
    FmtSrc src;
    struct_src(s, &src);
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, root, cur, path, FMT_DEPTH);
    st->at_valid = true;
    st->at_when = now;
    st->at_off = cur;
    st->at_changes = doc_changes(s->doc);
    st->at[0] = '\0';
    if (k < 1)
        return NULL;
    const FmtNode *leaf = &path[k - 1];
    size_t n = 0;
    if (k >= 2)
        n = (size_t)snprintf(st->at, sizeof st->at, "%s \xc2\xb7 ", path[k - 2].name);
    n += (size_t)snprintf(st->at + n, sizeof st->at - n, "%s", leaf->name);
    if (leaf->text[0] && leaf->val != FV_NONE && n < sizeof st->at) {
        size_t t = strlen(leaf->text);
        snprintf(st->at + n, sizeof st->at - n, " = %.40s%s", leaf->text, t > 40 ? "..." : "");
    }
    return st->at;
}

/* ---- arguments ---- */

/* The first word of arg into w (n bytes); the rest after blanks. */
static const char *word(const char *arg, char *w, size_t n)
{
    size_t k = strcspn(arg, " \t");
    snprintf(w, n, "%.*s", (int)k, arg);
    arg += k;
    return arg + strspn(arg, " \t");
}

static int offset_of(Session *s, const char *cmd, const char *expr, uint64_t *off)
{
    const char *err = NULL;
    uint64_t size = session_size(s);
    int rc = parse_offset(expr, s->view->cursor, size, off, &err);
    if (rc < 0)
        return fail(s, rc, "%s: %s", cmd, err ? err : "bad offset");
    if (*off >= size)
        return fail(s, -ERANGE, "%s: 0x%" PRIx64 " is past the end of the file (0x%" PRIx64 ")",
                    cmd, *off, size);
    return 0;
}

/* The formats and user structures, as output. */
static int list_formats(Session *s)
{
    StructState *st = s->fmt;
    emit(s, "built-in formats (detected at offset 0 and at partition starts):\n");
    for (size_t i = 0; fmt_decoder_at(i); i++)
        emit(s, "  %-8s %s\n", fmt_decoder_at(i)->name, fmt_decoder_at(i)->title);
    if (st && st->defs) {
        emit(s, "user structures (from %s):\n", st->defs_path);
        for (size_t i = 0; ustruct_name(st->defs, i); i++)
            emit(s, "  %s\n", ustruct_name(st->defs, i));
    }
    say(s, false, "struct as: see the output");
    return 0;
}

static bool has_user(const StructState *st, const char *name)
{
    for (size_t i = 0; st->defs && ustruct_name(st->defs, i); i++)
        if (!strcmp(ustruct_name(st->defs, i), name))
            return true;
    return false;
}

/* struct as NAME [at] [OFF] */
static int c_as(Session *s, const char *arg, unsigned *r)
{
    StructState *st = struct_state(s);
    char name[64];
    if (!st)
        return -ENOMEM;
    if (!*arg)
        return list_formats(s);
    const char *rest = word(arg, name, sizeof name);
    if (!strncmp(rest, "at ", 3))
        rest += 3;
    uint64_t off = 0;
    if (*rest && offset_of(s, "struct as", rest, &off) < 0)
        return -EINVAL;
    const FmtDecoder *d = NULL;
    bool user = false;
    if (!strcasecmp(name, "auto")) {
        d = NULL;
    } else if (has_user(st, name)) {
        user = true;
    } else if (!(d = fmt_decoder(name))) {
        return fail(s, -ENOENT,
                    "struct as: no format or user structure '%s' (struct as lists them)", name);
    }
    StructState old = *st;
    st->dec = d;
    st->user = user;
    snprintf(st->user_name, sizeof st->user_name, "%.47s", user ? name : "");
    st->off = off;
    st->root_doc = NULL;
    FmtNode *root;
    int rc = struct_root(s, "struct as", &root);
    if (rc < 0) {
        st->dec = old.dec;
        st->user = old.user;
        memcpy(st->user_name, old.user_name, sizeof st->user_name);
        st->off = old.off;
        return rc;
    }
    say(s, false, "struct: %s at 0x%" PRIx64 " (%s)", root->name, off, root->text);
    if (!s->batch)
        return struct_screen_open(s);
    (void)r;
    return 0;
}

static int put_emit(const char *text, size_t n, void *ctx)
{
    Session *s = ctx;
    if (session_stopping(s))
        return -EINTR;
    emit(s, "%.*s", (int)n, text);
    return 0;
}

/* struct print [--json] [--depth N] [--kids N] */
static int c_print(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    bool json = false;
    uint64_t depth = 4, kids = 64, v;
    char w[64];
    const char *err = NULL;
    while (*arg) {
        arg = word(arg, w, sizeof w);
        if (!strcmp(w, "--json")) {
            json = true;
        } else if (!strcmp(w, "--depth") || !strcmp(w, "--kids")) {
            char n[64];
            bool dep = w[2] == 'd';
            arg = word(arg, n, sizeof n);
            if (parse_count(n, &v, &err) < 0 || v == 0)
                return fail(s, -EINVAL, "struct: %s takes a count above 0", w);
            if (dep)
                depth = v > FMT_DEPTH ? FMT_DEPTH : v;
            else
                kids = v;
        } else {
            return fail(s, -EINVAL,
                        "struct: say struct [print] [--json] [--depth N] [--kids N] (not %s)", w);
        }
    }
    FmtNode *root;
    int rc = struct_root(s, "struct", &root);
    if (rc < 0)
        return rc;
    FmtSrc src;
    struct_src(s, &src);
    rc = fmt_print(&src, root, (int)depth, kids, 1000000, json, put_emit, s);
    if (rc < 0)
        return fail(s, rc, "struct: stopped");
    say(s, false, "struct: %s at 0x%" PRIx64, root->name, root->off);
    return 0;
}

/* A definitions file, at most 1 MiB, NUL-terminated (malloc'd). */
static int read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char *buf = malloc((1u << 20) + 2);
    size_t n = buf ? fread(buf, 1, (1u << 20) + 1, f) : 0;
    int rc = !buf ? -ENOMEM : ferror(f) ? (errno ? -errno : -EIO) : n > (1u << 20) ? -EFBIG : 0;
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

static int c_load(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    StructState *st = struct_state(s);
    if (!st)
        return -ENOMEM;
    if (!*arg)
        return fail(s, -EINVAL, "struct load: say struct load FILE");
    char *text = NULL, err[300];
    int rc = read_file(arg, &text);
    if (rc < 0)
        return fail(s, rc, "struct load: %s: %s", arg,
                    rc == -EFBIG ? "bigger than 1 MiB" : strerror(-rc));
    UsDefs *defs = NULL;
    rc = ustruct_parse(arg, text, &defs, err, sizeof err);
    free(text);
    if (rc < 0)
        return fail(s, rc, "struct load: %s", err);
    ustruct_free(st->defs);
    st->defs = defs;
    snprintf(st->defs_path, sizeof st->defs_path, "%s", arg);
    size_t n = 0;
    while (ustruct_name(defs, n))
        n++;
    st->user = n > 0;
    st->user_name[0] = '\0';
    st->dec = NULL;
    st->off = 0;
    st->root_doc = NULL;
    FmtNode *root;
    if (!n || session_size(s) == 0) {
        say(s, false, "struct load: %zu structure%s from %s", n, n == 1 ? "" : "s", arg);
        return 0;
    }
    rc = struct_root(s, "struct load", &root);
    if (rc < 0)
        return rc;
    say(s, false, "struct load: %zu structure%s from %s; %s at 0x0", n, n == 1 ? "" : "s", arg,
        root->name);
    return 0;
}

static int c_off(Session *s, unsigned *r)
{
    StructState *st = struct_state(s);
    if (st)
        st->user_off = true;
    if (s->panel.type == &screen_struct_panel) {
        s->panel = (Screen){0};
        *r |= cmd_resize(s, s->rows, s->cols);
    }
    if (s->fmt) {
        s->fmt->on = false;
        s->fmt->root_doc = NULL;
        s->fmt->dec = NULL;
        s->fmt->user = false;
        s->fmt->off = 0;
    }
    say(s, false, "struct: off (the status row names no fields)");
    return 0;
}

/* struct set OFF VALUE: the field that starts at OFF takes VALUE in its
 * own type and byte order, one undo step. */
static int c_set(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    char offw[128];
    const char *value = word(arg, offw, sizeof offw);
    uint64_t off;
    if (!*offw || !*value)
        return fail(s, -EINVAL, "struct set: say struct set OFF VALUE");
    if (offset_of(s, "struct set", offw, &off) < 0)
        return -EINVAL;
    FmtNode *root;
    int rc = struct_root(s, "struct set", &root);
    if (rc < 0)
        return rc;
    FmtSrc src;
    struct_src(s, &src);
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, root, off, path, FMT_DEPTH);
    while (k > 0 && (path[k - 1].off != off || !fmt_editable(&path[k - 1])))
        k--;
    if (k < 1)
        return fail(s, -ENOENT,
                    "struct set: no field with a number, GUID, text or bytes starts at 0x%" PRIx64,
                    off);
    FmtNode f = path[k - 1];
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (refuse_while_busy(s))
        return -EBUSY;
    uint8_t *b = malloc(FMT_EDIT_MAX);
    char err[160];
    if (!b)
        return fail(s, -ENOMEM, "struct set: out of memory");
    int n = fmt_encode(&f, value, b, FMT_EDIT_MAX, err, sizeof err);
    if (n < 0) {
        free(b);
        return fail(s, n, "struct set %s: %s", f.name, err);
    }
    doc_snapshot(s->doc); /* one undo step of its own */
    rc = doc_put(s->doc, off, b, (size_t)n);
    doc_snapshot(s->doc);
    free(b);
    if (rc < 0)
        return core_error(s, rc, "struct set");
    FmtNode now = f;
    k = fmt_path(&src, root, off, path, FMT_DEPTH);
    while (k > 0 && (path[k - 1].off != off || path[k - 1].len != f.len))
        k--;
    if (k > 0)
        now = path[k - 1];
    say(s, false, "%s at 0x%" PRIx64 " set to %s", now.name, off, now.text);
    return 0;
}

/* struct panel [on|off]: the side panel (no word: toggle). */
static int c_panel(Session *s, const char *arg, unsigned *r)
{
    bool shown = s->panel.type == &screen_struct_panel;
    if (s->batch)
        return fail(s, -EINVAL, "struct panel: the panel needs a terminal (struct print prints)");
    if (*arg && strcmp(arg, "on") && strcmp(arg, "off"))
        return fail(s, -EINVAL, "struct panel: say on or off (no word: toggle)");
    bool on = *arg ? !strcmp(arg, "on") : !shown;
    if (!on) {
        if (shown)
            s->panel = (Screen){0};
        *r |= cmd_resize(s, s->rows, s->cols);
        say(s, false, "struct panel off");
        return 0;
    }
    if (s->panel.type && !shown)
        return fail(s, -EBUSY, "struct panel: the side panel shows %s", s->panel.type->name);
    FmtNode *root;
    int rc = struct_root(s, "struct panel", &root);
    if (rc < 0)
        return rc;
    s->panel = (Screen){&screen_struct_panel, NULL};
    if ((rc = layout_panel_fits(s, "struct panel")) < 0) {
        s->panel = (Screen){0};
        return rc;
    }
    *r |= cmd_resize(s, s->rows, s->cols);
    say(s, false, "struct panel on: %s", root->name);
    return 0;
}

/* struct [SUB ...]: the screen (interactive, no words), or a subcommand. */
static int c_struct(Session *s, const char *arg, unsigned *r)
{
    static const struct {
        const char *name;
        CmdFn fn;
    } subs[] = {
        {"print", c_print}, {"as", c_as}, {"load", c_load}, {"set", c_set}, {"panel", c_panel}};
    char w[32];
    const char *rest = word(arg, w, sizeof w);
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        if (!strcmp(w, subs[i].name))
            return subs[i].fn(s, rest, r);
    if (!strcmp(w, "off"))
        return c_off(s, r);
    if (s->batch || *arg)
        return c_print(s, arg, r);
    FmtNode *root;
    int rc = struct_root(s, "struct", &root);
    return rc < 0 ? rc : struct_screen_open(s);
}

static const CmdDef cmds[] = {
    {"struct", c_struct, NULL, 0,
     "struct [print [--json] [--depth N] [--kids N] | as [NAME [at OFF]] | load FILE | set OFF "
     "VALUE | panel [on|off] | off]",
     "the file's structure: its tree screen (batch: printed); as NAME forces a format, load "
     "reads user structures, set edits a field",
     0},
};

CMD_FAMILY(struct, cmds);
