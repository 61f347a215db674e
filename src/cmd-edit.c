/*
 * cmd-edit: the commands that change bytes and send them to disk: put,
 * puttext, undo, redo, edit mode, write, and save-as (a job: job.h), which
 * copies the file with the edits applied to a new path.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-family.h"
#include "job.h"
#include "parse.h"
#include "save.h"
#include "screen.h"
#include "sys.h"

#define PUT_MAX 4096       /* bytes one put command may write */
#define SAVE_PATH_MAX 1024 /* a save-as path, whole */

static int put_bytes(Session *s, const uint8_t *b, size_t n)
{
    uint64_t size = session_size(s), c = s->view->cursor;
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (refuse_while_busy(s))
        return -EBUSY;
    if (n == 0)
        return 0;
    if (size == 0 || n > size - c)
        return fail(s, -ERANGE, "put: %zu byte%s at 0x%" PRIx64 " would pass the end of the file",
                    n, n == 1 ? "" : "s", c);
    int rc = doc_put(s->doc, c, b, n);
    if (rc < 0)
        return core_error(s, rc, "put");
    s->view->cursor = c + n < size ? c + n : size - 1;
    session_clamp(s);
    return 0;
}

static int c_put(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint8_t buf[PUT_MAX];
    size_t n;
    const char *err = NULL;
    int rc = parse_hex(arg, buf, sizeof buf, &n, &err);
    if (rc < 0)
        return fail(s, rc, "put: %s", err ? err : "bad hex bytes");
    if (n == 0)
        return fail(s, -EINVAL, "put: give hex bytes, e.g. put de ad be ef");
    rc = put_bytes(s, buf, n);
    doc_snapshot(s->doc);
    return rc;
}

static int c_puttext(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    size_t n = strlen(arg);
    if (n == 0)
        return fail(s, -EINVAL, "puttext: give the text to write");
    if (n > PUT_MAX)
        return fail(s, -ERANGE, "puttext: at most %d bytes at a time", PUT_MAX);
    int rc = put_bytes(s, (const uint8_t *)arg, n);
    doc_snapshot(s->doc);
    return rc;
}

static int c_write(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    DocWriteResult w;
    char t[32];
    doc_snapshot(s->doc);
    if (!doc_editable(s->doc))
        return fail(s, -EROFS, "read-only: nothing to write");
    /* See what others did first, and never write on a stale picture. */
    DocChange ch;
    session_refresh(s, &ch);
    if (ch.path_rc < 0)
        return fail(s, ch.path_rc, "%s: nothing written; W saves to a path",
                    session_path_words(ch.path_rc));
    if (map_mode(doc_map(s->doc)) == MMH_MODE_COPY && !doc_unwritten(s->doc)) {
        /* Undone back to what the file holds: there is nothing to send. */
        say(s, false, "nothing to write");
        return 0;
    }
    int rc = doc_write(s->doc, &w);
    if (rc < 0) {
        if (rc == -MMH_ETRUNC)
            return core_error(s, rc, "write");
        if (rc == -MMH_EREPLACED || rc == -ENOENT)
            return fail(s, rc, "%s: nothing written; W saves to a path", session_path_words(rc));
        return fail(s, rc, "write failed: %s; the edits are kept in memory", map_strerror(rc));
    }
    parse_fmt_ns(w.ns, t, sizeof t);
    session_stale(s);
    char after[128] = "";
    if (w.dropped)
        snprintf(after, sizeof after, "; %" PRIu64 " edited byte%s past the end dropped", w.dropped,
                 w.dropped == 1 ? "" : "s");
    else if (ch.reapplied)
        snprintf(after, sizeof after, " (edits re-applied after a rewrite by another process)");
    if (map_mode(doc_map(s->doc)) == MMH_MODE_SHARED) {
        if (w.pages >= 0)
            say(s, false, "flushed %" PRId64 " dirty page%s to disk (msync) in %s", w.pages,
                w.pages == 1 ? "" : "s", t);
        else
            say(s, false, "flushed to disk (msync) in %s", t);
    } else if (w.runs == 0) {
        say(s, false, "nothing to write%s", after);
    } else {
        say(s, false, "wrote %" PRIu64 " byte%s in %" PRIu64 " run%s and fsync'd in %s%s", w.bytes,
            w.bytes == 1 ? "" : "s", w.runs, w.runs == 1 ? "" : "s", t, after);
    }
    return 0;
}

/* Undo (opt 0) or redo (opt 1) one group. */
static int undo_redo(Session *s, int redo)
{
    uint64_t where;
    doc_snapshot(s->doc);
    if (refuse_while_busy(s))
        return -EBUSY;
    int rc = redo ? doc_redo(s->doc, &where) : doc_undo(s->doc, &where);
    if (rc == 1)
        return fail(s, 0, "nothing to %s", redo ? "redo" : "undo");
    if (rc < 0)
        return core_error(s, rc, redo ? "redo" : "undo");
    s->view->cursor = where;
    session_clamp(s);
    if (redo)
        say(s, false, "redone");
    else
        say(s, false, "undone (%zu more)", journal_groups(doc_journal(s->doc)));
    return 0;
}

static int edit(Session *s, int opt)
{
    (void)opt;
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (refuse_while_busy(s))
        return -EBUSY;
    if (!session_size(s))
        return fail(s, -EINVAL, "the file is empty: nothing to overwrite");
    doc_snapshot(s->doc);
    s->cur->editing = true;
    s->cur->at_end = false;
    s->view->nibble = 0;
    say(s, false, "-- EDIT -- (%s pane; Esc leaves)",
        s->view->pane == MMH_PANE_HEX ? "hex" : "text");
    return 0;
}

static int pane(Session *s, int opt)
{
    (void)opt;
    session_switch_pane(s);
    return 0;
}

/* ---- save-as: a job ------------------------------------------------------ */

typedef struct SaveJob {
    DocSave *save;            /* the copy being made */
    char path[SAVE_PATH_MAX]; /* its destination */
    uint64_t t0;              /* when it started */
} SaveJob;

/* A failed save-as: one sentence naming the path. */
static int save_failed(Session *s, int rc, const char *path)
{
    const char *why = doc_saveas_strerror(rc);
    if (rc == -EINTR)
        return fail(s, rc, "saveas %s: stopped by a signal; nothing was written there", path);
    if (!strncmp(why, "is ", 3)) /* "is a directory" */
        return fail(s, rc, "saveas: %s %s", path, why);
    return fail(s, rc, "saveas %s: %s", path, why);
}

static int save_step(Session *s, void *st, uint64_t budget_ns)
{
    (void)s;
    return doc_saveas_step(((SaveJob *)st)->save, budget_ns);
}

static void save_progress(Session *s, void *st)
{
    SaveJob *j = st;
    uint64_t done, total;
    char a[32], b[32];
    doc_saveas_progress(j->save, &done, &total);
    parse_fmt_size(done, a, sizeof a);
    parse_fmt_size(total, b, sizeof b);
    note(s, "saving to %s: %.0f%% (%s of %s data), Esc cancels", j->path,
         total ? 100.0 * (double)done / (double)total : 100.0, a, b);
}

static int save_finish(Session *s, void *st, int rc)
{
    SaveJob *j = st;
    char t[32];
    if (rc == -EINTR) /* stopped between steps: the copy is removed */
        doc_saveas_cancel(j->save);
    parse_fmt_ns(sys_now_ns() - j->t0, t, sizeof t);
    if (s->batch && rc < 0)
        rc = save_failed(s, rc, j->path);
    else if (s->batch)
        say(s, false, "saved to %s", j->path);
    else if (rc < 0)
        fail(s, rc, "save to %s failed: %s; the edits are kept in memory", j->path,
             doc_saveas_strerror(rc));
    else
        say(s, false, "saved to %s in %s (holes kept)", j->path, t);
    free(j);
    return rc < 0 ? rc : 0;
}

static void save_cancel(Session *s, void *st)
{
    SaveJob *j = st;
    doc_saveas_cancel(j->save);
    say(s, false, "save to %s cancelled; nothing was written there", j->path);
    free(j);
}

static const JobType save_job = {
    .name = "saveas",
    .freezes_edits = true,
    .state = "SAVING",
    .step = save_step,
    .progress = save_progress,
    .finish = save_finish,
    .cancel = save_cancel,
};

static int start_save(Session *s, const char *path, bool force)
{
    if (!*path)
        return fail(s, -EINVAL, "saveas: give a path");
    if (strlen(path) >= SAVE_PATH_MAX) /* the question and the job hold it whole */
        return fail(s, -ENAMETOOLONG, "saveas: the path is too long");
    const Job *busy = job_find(s, &save_job);
    if (busy) /* one at a time: a second would orphan the first */
        return fail(s, -EBUSY, "saveas: %s is in progress (Esc cancels it)", busy->what);
    DocSave *save;
    int rc = doc_saveas_start(s->doc, path, force, &save);
    if (rc == -EEXIST && !force) {
        /* Say what would be replaced. readlink follows nothing: a link
         * named here is replaced itself, its target left alone. */
        char to[256], line[SESSION_LINE_MAX];
        ssize_t n = readlink(path, to, sizeof to - 1);
        if (n >= 0) {
            if (n == (ssize_t)sizeof to - 1)
                memcpy(to + n - 3, "...", 3);
            to[n] = 0;
        }
        if (s->batch && n >= 0)
            return fail(s, -EEXIST,
                        "saveas: %s is a symbolic link (to %s); use saveas! to replace the "
                        "link itself",
                        path, to);
        if (s->batch)
            return fail(s, -EEXIST, "saveas: %s exists (use saveas! to replace it)", path);
        snprintf(line, sizeof line, "saveas! %s", path);
        if (n >= 0)
            return confirm_ask(
                s, line,
                "%s is a symbolic link (to %s): replace the link itself with the file? (y/n)", path,
                to);
        return confirm_ask(s, line, "%s exists: replace it? (y/n)", path);
    }
    if (rc < 0)
        return save_failed(s, rc, path);
    SaveJob *j = calloc(1, sizeof *j);
    if (!j) {
        doc_saveas_cancel(save);
        return fail(s, -ENOMEM, "saveas: out of memory");
    }
    j->save = save;
    snprintf(j->path, sizeof j->path, "%s", path);
    j->t0 = sys_now_ns();
    char what[SESSION_LINE_MAX];
    snprintf(what, sizeof what, "a save to %s", path);
    rc = job_start(s, &save_job, j, what);
    if (rc == 0 && !s->batch)
        say(s, false, "saving to %s ... (Esc cancels)", path);
    return rc;
}

static int c_saveas(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return start_save(s, arg, false);
}

static int c_saveas_force(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return start_save(s, arg, true);
}

static const CmdDef cmds[] = {
    {"put", c_put, .usage = "put HEX",
     .help = "overwrite bytes at the cursor: de ad be ef, deadbeef"},
    {"puttext", c_puttext, .usage = "puttext TEXT",
     .help = "overwrite bytes at the cursor with the text"},
    {"undo", .act = undo_redo, .opt = 0, .help = "undo one step"},
    {"redo", .act = undo_redo, .opt = 1, .help = "redo one step"},
    {"edit", .act = edit, .help = "edit mode: keys overwrite bytes (Esc leaves)"},
    {"pane", .act = pane, .help = "switch between the hex and text panes"},
    {"write", c_write, .help = "write the edits to the file (copy: runs + fsync; shared: msync)"},
    {"w", c_write, .flags = CMD_ALIAS},
    {"saveas", c_saveas, .usage = "saveas PATH",
     .help = "write to a new file, holes kept, edits applied"},
    {"saveas!", c_saveas_force, .usage = "saveas! PATH",
     .help = "the same, replacing PATH (a link itself)"},
};

CMD_FAMILY(edit, cmds);
