/*
 * cmd-select: commands that act on the selection and the clipboard: copy,
 * paste, fill, transform, copyas (hex, C, Python, base64; to a file or the
 * terminal clipboard through OSC 52), import, and the unwritten edits as an
 * xxd-style patch (patch export / patch apply).
 *
 * Every change is one undo step and never grows the file. fill and
 * transform run as a job (job.h): a large selection shows progress and Esc
 * cancels it, undoing what it had done, so it happens whole or not at all.
 * The byte work itself is bytes.c's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "clip.h"
#include "cmd-family.h"
#include "job.h"
#include "parse.h"
#include "prompt.h"
#include "sys.h"

#define MOD_CHUNK ((size_t)1 << 20)   /* bytes read, changed and put at a time */
#define MOD_ASK ((uint64_t)64 << 20)  /* interactive: a larger change asks first */
#define OSC52_MAX ((size_t)256 << 10) /* selection bytes the terminal clipboard takes */
#define PAT_MAX 256                   /* bytes of a fill or transform pattern */

void clip_free(Clip *c)
{
    if (!c)
        return;
    free(c->bytes);
    free(c->osc52);
    free(c);
}

static Clip *clip_get(Session *s)
{
    if (!s->clip)
        s->clip = calloc(1, sizeof *s->clip);
    return s->clip;
}

char *cmd_osc52_take(Session *s)
{
    if (!s->clip || !s->clip->osc52)
        return NULL;
    char *t = s->clip->osc52;
    s->clip->osc52 = NULL;
    return t;
}

/* The selection, inclusive of both ends: 0, or a failure saying so. */
static int sel_range(Session *s, const char *cmd, uint64_t *lo, uint64_t *len)
{
    const View *v = s->view;
    if (!v->sel_on || !session_size(s))
        return fail(s, -EINVAL, "%s: no selection (v starts one)", cmd);
    uint64_t a = v->sel_anchor, b = v->cursor;
    *lo = a < b ? a : b;
    *len = (a < b ? b : a) - *lo + 1;
    return 0;
}

/* What the document holds at [off, off+n): the map's bytes with the
 * unwritten edits laid over them. */
static int read_doc(Session *s, uint64_t off, uint8_t *buf, size_t n)
{
    int rc = doc_read(s->doc, off, buf, n);
    return rc < 0 ? rc : doc_overlay(s->doc, off, buf, n);
}

/* Read the selection into a malloc'd buffer, at most CLIP_MAX bytes. */
static int read_sel(Session *s, const char *cmd, uint8_t **out, size_t *n)
{
    uint64_t lo, len;
    char a[32], m[32];
    int rc = sel_range(s, cmd, &lo, &len);
    if (rc < 0)
        return rc;
    if (len > CLIP_MAX)
        return fail(s, -E2BIG, "%s: the selection is %s; at most %s at a time", cmd,
                    parse_fmt_size(len, a, sizeof a), parse_fmt_size(CLIP_MAX, m, sizeof m));
    uint8_t *b = malloc(len ? (size_t)len : 1);
    if (!b)
        return fail(s, -ENOMEM, "%s: out of memory", cmd);
    rc = read_doc(s, lo, b, (size_t)len);
    if (rc < 0) {
        free(b);
        return core_error(s, rc, cmd);
    }
    *out = b;
    *n = (size_t)len;
    return 0;
}

/* Refusals every change shares; 0 when it may go ahead. */
static int may_change(Session *s)
{
    if (!doc_editable(s->doc))
        return refuse_readonly(s);
    if (refuse_while_busy(s))
        return -EBUSY;
    return 0;
}

/* Overwrite at the cursor with b[0..n), one undo step, never growing. */
static int overwrite(Session *s, const char *cmd, const uint8_t *b, size_t n)
{
    uint64_t size = session_size(s), c = s->view->cursor;
    char a[32];
    int rc = may_change(s);
    if (rc < 0)
        return rc;
    if (n == 0)
        return fail(s, -EINVAL, "%s: nothing to write (0 bytes)", cmd);
    if (size == 0 || n > size - c)
        return fail(s, -ERANGE,
                    "%s: %zu bytes at 0x%" PRIx64 " would pass the end of the file (%" PRIu64
                    " bytes left); nothing written",
                    cmd, n, c, size - c);
    doc_snapshot(s->doc);
    rc = doc_put(s->doc, c, b, n);
    doc_snapshot(s->doc);
    if (rc < 0)
        return core_error(s, rc, cmd);
    say(s, false, "%s: %s written at 0x%" PRIx64 "-0x%" PRIx64 "; u undoes", cmd,
        parse_fmt_size(n, a, sizeof a), c, c + n - 1);
    return 0;
}

/* Read a whole regular file of at most CLIP_MAX bytes (malloc'd). */
static int slurp(Session *s, const char *cmd, const char *path, uint8_t **out, size_t *n)
{
    if (!*path)
        return fail(s, -EINVAL, "%s: give a path", cmd);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(s, -errno, "%s: %s: %s", cmd, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > CLIP_MAX) {
        close(fd);
        return fail(s, -EINVAL, "%s: %s is not a regular file of at most 64 MiB", cmd, path);
    }
    size_t len = (size_t)st.st_size, got = 0;
    uint8_t *b = malloc(len + 1);
    if (!b) {
        close(fd);
        return fail(s, -ENOMEM, "%s: out of memory", cmd);
    }
    while (got < len) {
        ssize_t r = read(fd, b + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    b[got] = 0;
    *out = b;
    *n = got;
    return 0;
}

/* Write text to a new file (never replacing one). */
static int spill(Session *s, const char *cmd, const char *path, const char *t, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return fail(s, -errno, "%s: %s: %s%s", cmd, path, strerror(errno),
                    errno == EEXIST ? " (remove it first)" : "");
    size_t at = 0;
    while (at < n) {
        ssize_t w = write(fd, t + at, n - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return fail(s, -e, "%s: writing %s: %s", cmd, path, strerror(e));
        }
        at += (size_t)w;
    }
    if (close(fd) < 0)
        return fail(s, -errno, "%s: writing %s: %s", cmd, path, strerror(errno));
    return 0;
}

/* ---- copy, paste, import ------------------------------------------------ */

static int c_copy(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    uint8_t *b;
    size_t n;
    char a[32];
    uint64_t lo = s->view->sel_anchor < s->view->cursor ? s->view->sel_anchor : s->view->cursor;
    int rc = read_sel(s, "copy", &b, &n);
    if (rc < 0)
        return rc;
    Clip *c = clip_get(s);
    if (!c) {
        free(b);
        return fail(s, -ENOMEM, "copy: out of memory");
    }
    free(c->bytes);
    c->bytes = b;
    c->len = n;
    s->view->sel_on = false;
    say(s, false, "copied %s from 0x%" PRIx64 "; o pastes them at the cursor",
        parse_fmt_size(n, a, sizeof a), lo);
    return 0;
}

static int c_paste(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!s->clip || !s->clip->bytes)
        return fail(s, -EINVAL, "paste: the clipboard is empty (y copies the selection)");
    return overwrite(s, "paste", s->clip->bytes, s->clip->len);
}

static int c_import(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint8_t *b;
    size_t n;
    int rc = may_change(s);
    if (rc < 0)
        return rc;
    rc = slurp(s, "import", arg, &b, &n);
    if (rc < 0)
        return rc;
    rc = overwrite(s, "import", b, n);
    free(b);
    return rc;
}

/* ---- fill and transform: a job --------------------------------------------- */

typedef enum ModKind { MOD_FILL, MOD_APPLY, MOD_NOT, MOD_REVERSE, MOD_SWAP, MOD_RANDOM } ModKind;

typedef struct ModJob {
    ModKind kind;
    BytesOp op;           /* MOD_APPLY */
    unsigned width;       /* MOD_SWAP */
    uint8_t pat[PAT_MAX]; /* MOD_FILL, MOD_APPLY */
    size_t plen;
    uint64_t lo, len; /* the selection */
    uint64_t done;    /* bytes done (reverse: from each end) */
    bool put_any;     /* something was put: cancel has a group to undo */
    size_t chunk;     /* bytes per step: MOD_CHUNK, more for reverse */
    uint8_t *a, *b;   /* chunk bytes each */
    char name[96];    /* "fill 00", "transform xor ff" */
    uint64_t t0;
} ModJob;

static void mod_free(ModJob *j)
{
    free(j->a);
    free(j->b);
    free(j);
}

static int put(Session *s, ModJob *j, uint64_t off, const uint8_t *b, size_t n)
{
    int rc = doc_put(s->doc, off, b, n);
    if (rc == 0)
        j->put_any = true;
    return rc;
}

static int mod_step(Session *s, void *st, uint64_t budget_ns)
{
    ModJob *j = st;
    uint64_t t0 = sys_now_ns();
    for (;;) {
        int rc;
        if (j->kind == MOD_REVERSE) {
            uint64_t left = j->len - 2 * j->done, k = left / 2;
            if (k == 0)
                return 1;
            if (k > j->chunk)
                k = j->chunk;
            uint64_t f = j->lo + j->done, e = j->lo + j->len - j->done - k;
            if ((rc = read_doc(s, f, j->a, (size_t)k)) < 0 ||
                (rc = read_doc(s, e, j->b, (size_t)k)) < 0)
                return rc;
            bytes_reverse(j->a, (size_t)k);
            bytes_reverse(j->b, (size_t)k);
            if ((rc = put(s, j, f, j->b, (size_t)k)) < 0 ||
                (rc = put(s, j, e, j->a, (size_t)k)) < 0)
                return rc;
            j->done += k;
        } else {
            if (j->done == j->len)
                return 1;
            uint64_t at = j->lo + j->done;
            size_t n = j->len - j->done < j->chunk ? (size_t)(j->len - j->done) : j->chunk;
            switch (j->kind) {
            case MOD_FILL: bytes_fill(j->a, n, j->pat, j->plen, j->done); break;
            case MOD_RANDOM:
                if ((rc = bytes_random(j->a, n)) < 0)
                    return rc;
                break;
            default:
                if ((rc = read_doc(s, at, j->a, n)) < 0)
                    return rc;
                if (j->kind == MOD_APPLY)
                    bytes_apply(j->a, n, j->op, j->pat, j->plen, j->done);
                else if (j->kind == MOD_NOT)
                    bytes_not(j->a, n);
                else
                    (void)bytes_swap(j->a, n, j->width); /* chunk and len: multiples of 8 */
                break;
            }
            if ((rc = put(s, j, at, j->a, n)) < 0)
                return rc;
            j->done += n;
        }
        if (sys_now_ns() - t0 >= budget_ns)
            return 0;
    }
}

static void mod_progress(Session *s, void *st)
{
    ModJob *j = st;
    char a[32], b[32];
    uint64_t done = j->kind == MOD_REVERSE ? 2 * j->done : j->done;
    note(s, "%s: %.0f%% (%s of %s), Esc cancels and undoes it", j->name,
         j->len ? 100.0 * (double)done / (double)j->len : 100.0, parse_fmt_size(done, a, sizeof a),
         parse_fmt_size(j->len, b, sizeof b));
    say_ignored(s);
}

/* Take back what a job put: it was one undo group. */
static int mod_undo(Session *s, ModJob *j)
{
    uint64_t where;
    doc_snapshot(s->doc);
    if (!j->put_any)
        return 0;
    return doc_undo(s->doc, &where);
}

static int mod_finish(Session *s, void *st, int rc)
{
    ModJob *j = st;
    char a[32], t[32];
    parse_fmt_size(j->len, a, sizeof a);
    parse_fmt_ns(sys_now_ns() - j->t0, t, sizeof t);
    if (rc < 0) {
        int urc = mod_undo(s, j);
        if (urc < 0)
            rc = fail(s, rc,
                      "%s failed at 0x%" PRIx64 " (%s); undoing it failed too (%s): bytes from "
                      "0x%" PRIx64 " may have changed",
                      j->name, j->lo + j->done, map_strerror(rc), map_strerror(urc), j->lo);
        else
            rc = fail(s, rc, "%s failed at 0x%" PRIx64 " (%s); nothing was changed", j->name,
                      j->lo + j->done, map_strerror(rc));
    } else {
        doc_snapshot(s->doc);
        session_stale(s);
        say(s, false, "%s: 0x%" PRIx64 "-0x%" PRIx64 " (%s) in %s; u undoes", j->name, j->lo,
            j->lo + j->len - 1, a, t);
        rc = 0;
    }
    mod_free(j);
    return rc;
}

static void mod_cancel(Session *s, void *st)
{
    ModJob *j = st;
    int rc = mod_undo(s, j);
    if (rc < 0)
        say(s, true, "%s cancelled; undoing it failed (%s): bytes from 0x%" PRIx64 " may differ",
            j->name, map_strerror(rc), j->lo);
    else
        say(s, false, "%s cancelled; nothing was changed", j->name);
    mod_free(j);
}

static const JobType mod_job = {
    .name = "transform",
    .holds_keys = true,
    .freezes_edits = true,
    .first_slice = true,
    .step = mod_step,
    .progress = mod_progress,
    .finish = mod_finish,
    .cancel = mod_cancel,
};

/* Start job j on the selection (j owned). cmd_line: the command to run
 * again confirmed ("fill! 00"). */
static int mod_start(Session *s, ModJob *j, bool confirmed, const char *cmd_line)
{
    uint64_t lo, len;
    int rc = may_change(s);
    if (rc == 0)
        rc = sel_range(s, j->name, &lo, &len);
    if (rc < 0) {
        free(j);
        return rc;
    }
    if (j->kind == MOD_SWAP && len % j->width) {
        rc = fail(s, -EINVAL, "%s: the selection (%" PRIu64 " bytes) is not a multiple of %u",
                  j->name, len, j->width);
        free(j);
        return rc;
    }
    if (len > MOD_ASK && !confirmed && !s->batch) {
        /* Short, to fit 80 columns; the man page adds the undo history's
         * share (old and new bytes, 4 bytes per byte in all). */
        char a[32], h[32], line[SESSION_LINE_MAX];
        const char *verb = j->kind == MOD_FILL ? "fill" : "transform";
        bool copy = map_mode(doc_map(s->doc)) == MMH_MODE_COPY;
        parse_fmt_size(len, a, sizeof a);
        parse_fmt_size(4 * len, h, sizeof h);
        snprintf(line, sizeof line, "%s", cmd_line);
        free(j);
        if (copy)
            return confirm_ask(s, line,
                               "%s %s -> about %s of private memory until written; continue? (y/n)",
                               verb, a, a);
        return confirm_ask(s, line, "%s %s -> about %s of undo history; continue? (y/n)", verb, a,
                           h);
    }
    j->lo = lo;
    j->len = len;
    j->t0 = sys_now_ns();
    /* Reverse puts its back chunks going down, and each one merges into
     * the unwritten-edit extent above it by copying that extent (edits.c
     * appends cheaply, prepends by copying): n^2/(2 chunk) bytes copied in
     * all, so its chunk grows with the selection: 16 steps at most, for
     * buffers of 1/8 of it. */
    j->chunk = MOD_CHUNK;
    if (j->kind == MOD_REVERSE && len / 16 > MOD_CHUNK && len / 16 < SIZE_MAX / 2)
        j->chunk = (size_t)(len / 16);
    j->a = malloc(j->chunk);
    j->b = malloc(j->chunk);
    if (!j->a || !j->b) {
        mod_free(j);
        return fail(s, -ENOMEM, "out of memory");
    }
    doc_snapshot(s->doc);
    char what[128];
    snprintf(what, sizeof what, "a %s", j->name);
    return job_start(s, &mod_job, j, what);
}

static int c_fill_as(Session *s, const char *arg, bool confirmed)
{
    const char *err = NULL;
    char line[SESSION_LINE_MAX];
    ModJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "fill: out of memory");
    int rc = parse_hex(arg, j->pat, sizeof j->pat, &j->plen, &err);
    if (rc < 0 || j->plen == 0) {
        free(j);
        return fail(s, rc < 0 ? rc : -EINVAL, "fill: %s",
                    rc < 0 && err ? err : "give a byte or a hex pattern: fill 00, fill de ad");
    }
    j->kind = MOD_FILL;
    snprintf(j->name, sizeof j->name, "fill %.60s", arg);
    snprintf(line, sizeof line, "fill! %s", arg);
    return mod_start(s, j, confirmed, line);
}

static int c_fill(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return c_fill_as(s, arg, false);
}

static int c_fill_force(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return c_fill_as(s, arg, true);
}

static int c_transform_as(Session *s, const char *arg, bool confirmed)
{
    static const char usage[] =
        "say xor|and|or|add HEX, not, reverse, swap2, swap4, swap8 or random";
    char word[16], line[SESSION_LINE_MAX];
    size_t w = strcspn(arg, " \t");
    const char *rest = arg + w + strspn(arg + w, " \t");
    if (!*arg && !s->batch && !s->view->sel_on) /* before the prompt, not after */
        return fail(s, -EINVAL, "transform: no selection (v starts one)");
    if (!*arg && !s->batch && !confirmed)
        return prompt_open(s, "transform: ", "transform");
    if (w == 0 || w >= sizeof word)
        return fail(s, -EINVAL, "transform: %s", usage);
    memcpy(word, arg, w);
    word[w] = 0;
    ModJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "transform: out of memory");
    if (bytes_op_parse(word, &j->op) == 0) {
        const char *err = NULL;
        int rc = parse_hex(rest, j->pat, sizeof j->pat, &j->plen, &err);
        if (rc < 0 || j->plen == 0) {
            free(j);
            return fail(s, rc < 0 ? rc : -EINVAL, "transform %s: %s", word,
                        rc < 0 && err ? err : "give a byte or a hex pattern, e.g. ff");
        }
        j->kind = MOD_APPLY;
    } else if (*rest) {
        free(j);
        return fail(s, -EINVAL, "transform %s takes no argument", word);
    } else if (!strcmp(word, "not")) {
        j->kind = MOD_NOT;
    } else if (!strcmp(word, "reverse")) {
        j->kind = MOD_REVERSE;
    } else if (!strcmp(word, "random")) {
        j->kind = MOD_RANDOM;
    } else if (!strcmp(word, "swap2") || !strcmp(word, "swap4") || !strcmp(word, "swap8")) {
        j->kind = MOD_SWAP;
        j->width = (unsigned)(word[4] - '0');
    } else {
        free(j);
        return fail(s, -EINVAL, "transform: %s", usage);
    }
    snprintf(j->name, sizeof j->name, "transform %.60s", arg);
    snprintf(line, sizeof line, "transform! %s", arg);
    return mod_start(s, j, confirmed, line);
}

static int c_transform(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return c_transform_as(s, arg, false);
}

static int c_transform_force(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    return c_transform_as(s, arg, true);
}

/* ---- copy as ------------------------------------------------------------------ */

static int c_copyas(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    char word[16], a[32], m[32];
    size_t w = strcspn(arg, " \t");
    const char *path = arg + w + strspn(arg + w, " \t");
    BytesFmt f;
    if (!*arg && !s->batch && !s->view->sel_on) /* before the prompt, not after */
        return fail(s, -EINVAL, "copyas: no selection (v starts one)");
    if (!*arg && !s->batch)
        return prompt_open(s, "copy as (hex, c, python, base64 [PATH]): ", "copyas");
    if (w == 0 || w >= sizeof word)
        return fail(s, -EINVAL, "copyas: say hex, c, python or base64, and a path or none");
    memcpy(word, arg, w);
    word[w] = 0;
    if (bytes_fmt_parse(word, &f) < 0)
        return fail(s, -EINVAL, "copyas: '%s' is not hex, c, python or base64", word);
    uint8_t *b;
    size_t n, tlen;
    uint64_t lo, len;
    int rc = sel_range(s, "copyas", &lo, &len);
    if (rc < 0)
        return rc;
    if (!*path && !s->batch && len > OSC52_MAX)
        return fail(s, -E2BIG,
                    "copyas: %s is too much for the terminal clipboard (at most %s); give a path",
                    parse_fmt_size(len, a, sizeof a), parse_fmt_size(OSC52_MAX, m, sizeof m));
    if ((rc = read_sel(s, "copyas", &b, &n)) < 0)
        return rc;
    char *t = bytes_format(f, b, n, &tlen);
    free(b);
    if (!t)
        return fail(s, -ENOMEM, "copyas: out of memory");
    parse_fmt_size(n, a, sizeof a);
    if (*path) {
        rc = spill(s, "copyas", path, t, tlen);
        if (rc == 0)
            say(s, false, "copied %s as %s to %s", a, word, path);
    } else if (s->batch) {
        emit(s, "%s%s", t, tlen && t[tlen - 1] == '\n' ? "" : "\n");
        say(s, false, "copied %s as %s", a, word);
    } else {
        Clip *c = clip_get(s);
        char *b64 = c ? bytes_base64((const uint8_t *)t, tlen) : NULL;
        if (!b64) {
            rc = fail(s, -ENOMEM, "copyas: out of memory");
        } else {
            free(c->osc52);
            c->osc52 = b64;
            say(s, false, "copied %s as %s to the terminal clipboard (OSC 52)", a, word);
        }
    }
    free(t);
    return rc;
}

/* ---- patches --------------------------------------------------------------------- */

typedef struct PatchOut {
    char *t;         /* the text */
    size_t len, cap; /* its length and room */
    uint64_t size;   /* the file's: bytes past it are left out */
    uint64_t bytes;  /* bytes in it */
} PatchOut;

static int patch_run(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    PatchOut *p = ctx;
    if (off >= p->size)
        return 0;
    if (len > p->size - off)
        len = (size_t)(p->size - off);
    for (size_t i = 0; i < len; i += BYTES_PATCH_LINE) {
        size_t k = len - i < BYTES_PATCH_LINE ? len - i : BYTES_PATCH_LINE;
        if (p->cap - p->len < BYTES_PATCH_LINE * 3 + 40) {
            size_t cap = p->cap ? 2 * p->cap : 4096;
            char *t = realloc(p->t, cap);
            if (!t)
                return -ENOMEM;
            p->t = t;
            p->cap = cap;
        }
        p->len += bytes_patch_line(off + i, cur + i, k, p->t + p->len);
        p->bytes += k;
    }
    return 0;
}

static int patch_export(Session *s, const char *path)
{
    PatchOut p = {.size = session_size(s)};
    char a[32];
    doc_snapshot(s->doc);
    int rc = edits_each_net(journal_edits(doc_journal(s->doc)), patch_run, &p);
    if (rc < 0) {
        free(p.t);
        return fail(s, rc, "patch export: out of memory");
    }
    if (!p.bytes) {
        free(p.t);
        return fail(s, -ENOENT, "patch export: no unwritten edits");
    }
    parse_fmt_size(p.bytes, a, sizeof a);
    if (*path) {
        rc = spill(s, "patch export", path, p.t, p.len);
        if (rc == 0)
            say(s, false, "patch of %s written to %s (xxd -r %s FILE applies it)", a, path, path);
    } else {
        emit(s, "%.*s", (int)p.len, p.t);
        say(s, false, "patch of %s", a);
    }
    free(p.t);
    return rc;
}

static int patch_apply(Session *s, const char *path)
{
    uint8_t *text, buf[256];
    size_t n, k;
    uint64_t off, size = session_size(s), bytes = 0, lines = 0;
    char a[32];
    int rc = may_change(s);
    if (rc < 0 || (rc = slurp(s, "patch apply", path, &text, &n)) < 0)
        return rc;
    /* Check every line first: the patch applies whole or not at all. */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        char *line = (char *)text;
        unsigned no = 0;
        if (pass == 1)
            doc_snapshot(s->doc);
        while (rc == 0 && line < (char *)text + n) {
            char *nl = memchr(line, '\n', (size_t)((char *)text + n - line));
            if (nl)
                *nl = 0;
            no++;
            int prc = bytes_patch_parse(line, &off, buf, sizeof buf, &k);
            if (prc < 0)
                rc = fail(s, prc, "patch apply: %s line %u is not an xxd line (OFFSET: HEX)", path,
                          no);
            else if (prc == 0 && (off > size || k > size - off))
                rc = fail(s, -ERANGE,
                          "patch apply: %s line %u passes the end of the file (0x%" PRIx64
                          "); nothing applied",
                          path, no, size);
            else if (prc == 0 && pass == 1 && k && (rc = doc_put(s->doc, off, buf, k)) < 0)
                rc = core_error(s, rc, "patch apply");
            else if (prc == 0 && pass == 1)
                bytes += k, lines++;
            if (nl)
                *nl = '\n';
            line = nl ? nl + 1 : (char *)text + n;
        }
    }
    doc_snapshot(s->doc);
    free(text);
    if (rc < 0)
        return rc;
    session_stale(s);
    say(s, false, "patch %s applied: %s in %" PRIu64 " line%s; u undoes", path,
        parse_fmt_size(bytes, a, sizeof a), lines, lines == 1 ? "" : "s");
    return 0;
}

static int c_patch(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    if (!strncmp(arg, "export", 6) && (!arg[6] || arg[6] == ' '))
        return patch_export(s, arg + 6 + strspn(arg + 6, " \t"));
    if (!strncmp(arg, "apply", 5) && arg[5] == ' ')
        return patch_apply(s, arg + 5 + strspn(arg + 5, " \t"));
    return fail(s, -EINVAL, "patch: say 'patch export [PATH]' or 'patch apply PATH'");
}

static const CmdDef cmds[] = {
    {"copy", c_copy, .help = "copy the selection to mmhex's clipboard (at most 64 MiB)"},
    {"paste", c_paste, .help = "overwrite the bytes at the cursor with the clipboard"},
    {"fill", c_fill, .usage = "fill HEX", .help = "fill the selection with a byte or a pattern"},
    {"fill!", c_fill_force, .flags = CMD_INTERNAL},
    {"transform", c_transform,
     .usage = "transform xor|and|or|add HEX | not | reverse | swap2|swap4|swap8 | random",
     .help = "change the selection's bytes"},
    {"transform!", c_transform_force, .flags = CMD_INTERNAL},
    {"copyas", c_copyas, .usage = "copyas hex|c|python|base64 [PATH]",
     .help = "the selection as text, to PATH or the terminal clipboard (OSC 52)"},
    {"import", c_import, .usage = "import PATH",
     .help = "overwrite the bytes at the cursor with a file's"},
    {"patch", c_patch, .usage = "patch export [PATH] | patch apply PATH",
     .help = "the unwritten edits as xxd lines (xxd -r applies them), or apply such lines"},
};

CMD_FAMILY(select, cmds);
