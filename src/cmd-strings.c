/*
 * cmd-strings: `strings [-n MIN] [-e a|l|b] [OFF LEN] [-f TEXT]`, the
 * printable runs of the file, the selection or a range (strings.h), those
 * holding TEXT if it is given. In batch mode a job
 * streams them as binutils' `strings -a -t d` prints them (the offset in
 * decimal, right-aligned in 7 columns, a blank, the text), each as soon as
 * it is found, in flat memory however long a run is; on screen the strings
 * list opens (list-strings.c over screen-list.c: streamed, filterable,
 * Enter jumps).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "job.h"
#include "parse.h"
#include "screen.h"
#include "strscan.h"
#include "sys.h"

#define TEXT_PIECE 4096 /* bytes of a run's text emitted at a time */

typedef struct StringsJob {
    Strings *scan;    /* the scan */
    uint64_t count;   /* runs printed */
    char filter[257]; /* -f: only runs holding it ("": all) */
} StringsJob;

/* Print r whole, in pieces: a run may be longer than any buffer. */
static int print_run(Session *s, const StrRun *r)
{
    char piece[TEXT_PIECE + 1];
    emit(s, "%7" PRIu64 " ", r->off);
    for (uint64_t at = 0; at < r->chars;) {
        size_t got;
        int rc = strings_text(s->doc, r, at, piece, sizeof piece, &got);
        if (rc < 0)
            return rc;
        if (got == 0)
            break;
        emit(s, "%s", piece);
        at += got;
    }
    emit(s, "\n");
    return 0;
}

static int strings_job_step(Session *s, void *st, uint64_t budget_ns)
{
    StringsJob *j = st;
    uint64_t t0 = sys_now_ns();
    for (;;) {
        int rc = strings_step(j->scan, budget_ns);
        if (rc < 0)
            return rc;
        if (rc == STRINGS_DONE)
            return 1;
        if (rc == STRINGS_FOUND) {
            const StrRun *run = strings_run(j->scan);
            size_t fl = strlen(j->filter);
            int has = fl ? strings_contains(s->doc, run, j->filter, fl, false) : 1;
            if (has < 0)
                return has;
            if (has) {
                j->count++;
                rc = print_run(s, run);
                if (rc < 0)
                    return rc;
            }
        }
        if (sys_now_ns() - t0 >= budget_ns)
            return 0;
    }
}

static void strings_job_progress(Session *s, void *st)
{
    StringsJob *j = st;
    StringsProgress p;
    strings_progress(j->scan, &p);
    note(s, "strings: 0x%" PRIx64 ", %" PRIu64 " so far, Esc cancels", p.at, j->count);
}

static int strings_job_finish(Session *s, void *st, int rc)
{
    StringsJob *j = st;
    uint64_t n = j->count;
    strings_free(j->scan);
    free(j);
    if (rc == -EINTR)
        return fail(s, rc, "strings: stopped by a signal");
    if (rc < 0)
        return core_error(s, rc, "strings");
    say(s, false, "%" PRIu64 " string%s", n, n == 1 ? "" : "s");
    return 0;
}

static void strings_job_cancel(Session *s, void *st)
{
    StringsJob *j = st;
    say(s, false, "strings cancelled after %" PRIu64, j->count);
    strings_free(j->scan);
    free(j);
}

static const JobType strings_job = {
    .name = "strings",
    .holds_keys = true,
    .step = strings_job_step,
    .progress = strings_job_progress,
    .finish = strings_job_finish,
    .cancel = strings_job_cancel,
};

/* The options, the range and the filter: 0 or -errno with a message.
 * *filter points into arg (-f takes the rest of the line) or at "". */
static int parse_args(Session *s, const char *arg, StringsOpts *o, const char **filter)
{
    static const char usage[] = "usage: strings [-n MIN] [-e a|l|b] [OFF LEN] [-f TEXT]";
    uint64_t size = session_size(s);
    memset(o, 0, sizeof *o);
    o->min = STRINGS_MIN_DEFAULT;
    o->kinds = STR_ASCII;
    o->hi = size;
    *filter = "";
    char words[2][256];
    int n = 0;
    const char *p = arg;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t k = strcspn(p, " \t");
        if (k == 2 && !strncmp(p, "-f", 2)) { /* the filter: the rest of the line */
            p += 2;
            if (*p)
                p++;
            *filter = p;
            break;
        }
        if (k == 2 && (!strncmp(p, "-n", 2) || !strncmp(p, "-e", 2))) {
            char opt = p[1], v[32];
            p += 2;
            while (*p == ' ' || *p == '\t')
                p++;
            k = strcspn(p, " \t");
            if (!k)
                return fail(s, -EINVAL, "strings: -%c needs a value", opt);
            snprintf(v, sizeof v, "%.*s", (int)(k < 31 ? k : 31), p);
            p += k;
            if (opt == 'n') {
                char *end;
                unsigned long m = strtoul(v, &end, 10);
                if (*end || !m || m > STRINGS_MIN_MAX)
                    return fail(s, -EINVAL, "strings: -n takes 1 to %d, not %s", STRINGS_MIN_MAX,
                                v);
                o->min = (unsigned)m;
            } else if (!strcmp(v, "a") || !strcmp(v, "s")) {
                o->kinds = STR_ASCII;
            } else if (!strcmp(v, "l")) {
                o->kinds = STR_UTF16LE;
            } else if (!strcmp(v, "b")) {
                o->kinds = STR_ASCII | STR_UTF16LE;
            } else {
                return fail(s, -EINVAL, "strings: -e takes a (ASCII), l (UTF-16LE) or b (both)");
            }
            continue;
        }
        if (n == 2 || k >= sizeof words[0])
            return fail(s, -EINVAL, "%s", usage);
        memcpy(words[n], p, k);
        words[n++][k] = '\0';
        p += k;
    }
    if (n == 1)
        return fail(s, -EINVAL, "%s", usage);
    if (strlen(*filter) > 256)
        return fail(s, -ERANGE, "strings: a filter holds at most 256 bytes");
    const char *err = NULL;
    if (n == 2) {
        uint64_t off, len;
        if (parse_offset(words[0], s->view->cursor, size, &off, &err) < 0)
            return fail(s, -EINVAL, "strings %s: %s", words[0], err ? err : "bad offset");
        if (parse_count(words[1], &len, &err) < 0)
            return fail(s, -EINVAL, "strings: length %s: %s", words[1], err ? err : "bad length");
        if (off > size || len > size - off)
            return fail(s, -ERANGE,
                        "strings: 0x%" PRIx64 "+0x%" PRIx64 " is past the end (0x%" PRIx64 ")", off,
                        len, size);
        o->lo = off;
        o->hi = off + len;
    } else if (s->view->sel_on) {
        uint64_t x = s->view->sel_anchor, y = s->view->cursor;
        o->lo = x < y ? x : y;
        o->hi = (x < y ? y : x) + 1;
        if (o->hi > size)
            o->hi = size;
    }
    o->from = o->lo;
    return 0;
}

static int c_strings(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    StringsOpts o;
    const char *filter;
    int rc = parse_args(s, arg, &o, &filter);
    if (rc < 0)
        return rc;
    if (o.lo >= o.hi) {
        if (s->batch)
            return 0; /* nothing to print, like strings on an empty file */
        return fail(s, -ENOENT, "strings: the file is empty");
    }
    if (!s->batch)
        return strings_list_open(s, &o, filter);
    if (job_find(s, &strings_job))
        return fail(s, -EBUSY, "strings: one is running");
    StringsJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "strings: out of memory");
    snprintf(j->filter, sizeof j->filter, "%s", filter);
    rc = strings_start(&j->scan, s->doc, &o);
    if (rc < 0) {
        free(j);
        return fail(s, rc, "strings: %s", map_strerror(rc));
    }
    return job_start(s, &strings_job, j, "strings");
}

static const CmdDef cmds[] = {
    {"strings", c_strings, .usage = "strings [-n MIN] [-e a|l|b] [OFF LEN] [-f TEXT]",
     .help = "printable runs (ASCII; l UTF-16LE, b both; MIN chars, 4) of the selection or file, "
             "holding TEXT: a list (/ filters, Enter jumps); batch: strings -t d's lines"},
};

CMD_FAMILY(strings, cmds);
