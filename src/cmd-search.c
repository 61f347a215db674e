/*
 * cmd-search: find, next and prev, and the search job (job.h) that scans
 * the file in slices: it moves the cursor to a match, or with -a lists
 * every match (streamed in batch mode; on screen the results list of
 * list-find.c, a bounded window re-searched on demand, so memory stays
 * flat). find -r compiles a regular expression (search-regex.h) that the
 * session keeps for n and N.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "inspect.h"
#include "job.h"
#include "parse.h"
#include "screen-list.h"
#include "search-regex.h"
#include "search-value.h"
#include "search.h"
#include "sys.h"

typedef struct SearchJob {
    Search *search; /* the scan */
    bool back;      /* it goes backward */
    bool all;       /* list every match (find -a, batch) */
    bool sel;       /* limited to the selection */
    bool wrapped0;  /* it began by wrapping (the cursor at the end) */
    uint64_t count; /* matches listed so far */
    int state;      /* how it ended: SEARCH_FOUND or SEARCH_NOT_FOUND */
} SearchJob;

static void fmt_rate(uint64_t bytes, uint64_t ns, char *buf, size_t n)
{
    char a[40];
    uint64_t per_s = ns ? (uint64_t)((long double)bytes * 1e9L / (long double)ns) : 0;
    parse_fmt_size(per_s, a, sizeof a);
    snprintf(buf, n, "%s/s", a);
}

/* "; page cache +1.0 GiB" when the scan grew the cache over its range
 * (what it read from disk) by a part of what it read worth saying (1/64:
 * a warm scan's few stray pages are not news), else "": the long form is
 * in `details`. */
static const char *cache_note(const SearchProgress *pr, char *buf, size_t n)
{
    char a[32];
    buf[0] = '\0';
    if (!pr->cache_known || pr->cached_after <= pr->cached_before ||
        (pr->cached_after - pr->cached_before) * 64 < pr->bytes_read)
        return buf;
    parse_fmt_size(pr->cached_after - pr->cached_before, a, sizeof a);
    snprintf(buf, n, "; page cache +%s", a);
    return buf;
}

/* Keep how the search ended for the details report. */
static void remember(Session *s, const char *how, const SearchProgress *pr)
{
    s->search_how = how;
    s->search_prog = *pr;
}

/* Advance by about budget_ns; listing matches (find -a) goes on past each
 * one. 0 while running, 1 when it ended (j->state says how), or -errno. */
static int search_job_step(Session *s, void *st, uint64_t budget_ns)
{
    SearchJob *j = st;
    uint64_t t0 = sys_now_ns();
    for (;;) {
        int rc = search_step(j->search, budget_ns);
        if (rc == SEARCH_FOUND && j->all) {
            /* Batch streams every match (the screen lists them in
             * list-find.c), so memory stays flat. */
            emit(s, "%" PRIu64 "\n", search_match(j->search));
            j->count++;
            if (sys_now_ns() - t0 < budget_ns)
                continue;
            return 0;
        }
        if (rc == SEARCH_RUNNING)
            return 0;
        if (rc < 0)
            return rc;
        j->state = rc;
        return 1;
    }
}

static void search_job_progress(Session *s, void *st)
{
    SearchJob *j = st;
    SearchProgress pr;
    char rate[48];
    search_progress(j->search, &pr);
    fmt_rate(pr.bytes_read, pr.ns, rate, sizeof rate);
    /* Short enough for 80 columns: the pattern was on the prompt. */
    note(s, "searching 0x%" PRIx64 " %.0f%% %s, Esc cancels", pr.at,
         pr.total ? 100.0 * (double)pr.scanned / (double)pr.total : 100.0, rate);
    say_ignored(s);
}

/* The search has ended with rc (1, -errno, -EINTR): say how. */
static int search_job_finish(Session *s, void *st, int rc)
{
    SearchJob *j = st;
    uint64_t at = search_match(j->search), mlen = search_match_len(j->search);
    bool wrapped = j->wrapped0 || search_wrapped(j->search);
    SearchProgress pr;
    char t[32], rate[48], cn[48];
    if (rc < 0)
        search_cache_after(j->search);
    search_progress(j->search, &pr);
    parse_fmt_ns(pr.ns, t, sizeof t);
    fmt_rate(pr.bytes_read, pr.ns, rate, sizeof rate);
    cache_note(&pr, cn, sizeof cn);
    remember(s,
             rc < 0                               ? "failed"
             : j->all || j->state == SEARCH_FOUND ? "found"
                                                  : "not found",
             &pr);
    search_free(j->search);
    SearchJob done = *j;
    free(j);
    const char *in_sel = done.sel ? " in the selection" : "";
    if (rc == -EINTR)
        return fail(s, rc, "find: stopped by a signal");
    if (rc == -MMH_ETRUNC)
        return core_error(s, rc, "find");
    if (rc < 0)
        return fail(s, rc, "find: %s", map_strerror(rc));
    if (done.all) {
        if (done.count == 0)
            return fail(s, -ENOENT, "not found%s: %s", in_sel, s->pat_text);
        say(s, false, "%" PRIu64 " match%s for %s%s (%s, %s%s)", done.count,
            done.count == 1 ? "" : "es", s->pat_text, in_sel, t, rate, cn);
        return 0;
    }
    if (done.state == SEARCH_NOT_FOUND)
        return fail(s, -ENOENT, "not found%s: %s (%s, %s%s)", in_sel, s->pat_text, t, rate, cn);
    session_jump(s, at);
    s->cur->match_on = true;
    s->cur->match_off = at;
    s->cur->match_len = mlen ? mlen : s->pat.len;
    if (wrapped)
        say(s, false, "found %s at 0x%" PRIx64 " (search wrapped past the %s%s)", s->pat_text, at,
            done.back ? "start" : "end", cn);
    else
        say(s, false, "found %s at 0x%" PRIx64 " (%s%s)", s->pat_text, at, t, cn);
    return 0;
}

static void search_job_cancel(Session *s, void *st)
{
    SearchJob *j = st;
    SearchProgress pr;
    char cn[48];
    search_cache_after(j->search);
    search_progress(j->search, &pr);
    remember(s, "cancelled", &pr);
    search_free(j->search);
    free(cmd_output_take(s));
    say(s, false, "search cancelled at 0x%" PRIx64 "; the cursor stays%s", pr.at,
        cache_note(&pr, cn, sizeof cn));
    free(j);
}

static const JobType search_job = {
    .name = "find",
    .holds_keys = true,
    .first_slice = true,
    .step = search_job_step,
    .progress = search_job_progress,
    .finish = search_job_finish,
    .cancel = search_job_cancel,
};

/* Search for s->pat from the cursor (or list every match). */
static int run_search(Session *s, bool back, bool all)
{
    const View *v = s->view;
    uint64_t size = session_size(s), c = v->cursor;
    if (!size)
        return fail(s, -ENOENT, "find: the file is empty");
    if (job_find(s, &search_job))
        return fail(s, -EBUSY, "find: a search is running (Esc cancels it)");
    SearchJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "find: out of memory");
    SearchOpts o = {.backward = back, .wrap = !all, .lo = 0, .hi = size};
    j->sel = v->sel_on;
    if (v->sel_on) { /* limited to the selection */
        o.lo = v->sel_anchor < c ? v->sel_anchor : c;
        o.hi = (v->sel_anchor < c ? c : v->sel_anchor) + 1;
    }
    if (all && !s->batch) { /* on screen: the results list */
        free(j);
        s->pat_back = back;
        s->cur->match_on = false;
        int lrc = find_list_open(s, o.lo, o.hi, v->sel_on);
        if (lrc == 1)
            return fail(s, -ENOENT, "not found%s: %s", v->sel_on ? " in the selection" : "",
                        s->pat_text);
        return lrc;
    }
    if (all)
        o.from = back ? o.hi - 1 : o.lo;
    else if (!back)
        o.from = c + 1 >= o.lo && c + 1 < o.hi ? c + 1 : (j->wrapped0 = c + 1 >= o.hi, o.lo);
    else
        o.from = c > o.lo && c - 1 < o.hi ? c - 1 : (j->wrapped0 = c <= o.lo, o.hi - 1);
    int rc = search_start(&j->search, s->doc, &s->pat, &o);
    if (rc < 0) {
        free(j);
        return fail(s, rc, "find: %s", map_strerror(rc));
    }
    s->pat_back = back;
    j->back = back;
    j->all = all;
    s->cur->match_on = false;
    return job_start(s, &search_job, j, "a search");
}

/* find -r: compile, keep it in the session (n and N repeat it), search. */
static int find_regex(Session *s, const char *src, bool icase, bool back, bool all)
{
    if (job_find(s, &search_job)) /* it may be using the regex kept now */
        return fail(s, -EBUSY, "find: a search is running (Esc cancels it)");
    Regex *rx = NULL;
    char err[256];
    int rc = rx_compile(src, icase, &rx, err, sizeof err);
    if (rc < 0)
        return fail(s, rc, "find -r: %s", err);
    rx_free(s->rx);
    s->rx = rx;
    memset(&s->pat, 0, sizeof s->pat);
    s->pat.rx = rx;
    s->pat.icase = icase;
    s->have_pat = true;
    snprintf(s->pat_text, sizeof s->pat_text, "/%.100s/%s", src, icase ? "i" : "");
    return run_search(s, back, all);
}

/* find -v TYPE VALUE (the inspector's byte order unless TYPE says), or
 * find -u TEXT (UTF-16LE): an ordinary byte pattern (search-value.h). */
static int find_value(Session *s, const char *p, bool value, bool icase, bool back, bool all)
{
    Pattern pat;
    char err[160];
    int rc;
    if (value) {
        if (icase)
            return fail(s, -EINVAL, "find: -i is for text patterns (-t, -u)");
        char type[32];
        size_t n = strcspn(p, " \t");
        const char *v = p + n;
        while (*v == ' ' || *v == '\t')
            v++;
        if (n == 0 || n >= sizeof type || !*v)
            return fail(s, -EINVAL, "find -v: give a type and a value (find -v u32le 1234)");
        memcpy(type, p, n);
        type[n] = '\0';
        bool big = s->insp && s->insp->big;
        rc = search_parse_value(type, v, big, &pat, err, sizeof err);
        if (rc < 0)
            return fail(s, rc, "find -v: %s", err);
    } else {
        rc = search_parse_utf16(p, icase, &pat, err, sizeof err);
        if (rc < 0)
            return fail(s, rc, "find -u: %s", err);
    }
    s->pat = pat;
    s->have_pat = true;
    snprintf(s->pat_text, sizeof s->pat_text, "%s%.100s%s", value ? "" : "u'", p, value ? "" : "'");
    return run_search(s, back, all);
}

static int c_find(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    bool hex = s->view->pane == MMH_PANE_HEX, icase = false, back = false, all = false;
    bool regex = false, value = false, utf16 = false, hex_opt = false;
    const char *p = arg;
    while (*p == '-') {
        size_t n = strcspn(p, " \t");
        if (n == 2 && p[1] == '-') { /* "--": the pattern follows one blank */
            p += 2;
            if (*p == ' ' || *p == '\t')
                p++;
            break;
        }
        if (n != 2)
            return fail(s, -EINVAL, "find: unknown option %.*s (-x -t -r -u -v -i -b -a)", (int)n,
                        p);
        switch (p[1]) {
        case 'x': hex = true, hex_opt = true; break;
        case 't': hex = false, hex_opt = true; break;
        case 'i': icase = true; break;
        case 'b': back = true; break;
        case 'a': all = true; break;
        case 'r': regex = true; break;
        case 'v': value = true; break;
        case 'u': utf16 = true; break;
        default: return fail(s, -EINVAL, "find: unknown option %.2s (-x -t -r -u -v -i -b -a)", p);
        }
        p += n;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (!*p && s->have_pat) /* an empty pattern repeats the last search */
        return run_search(s, back, all);
    if (value + utf16 + regex > 1)
        return fail(s, -EINVAL, "find: -r, -v and -u do not go together");
    if ((value || utf16 || regex) && hex_opt)
        return fail(s, -EINVAL, "find: -x and -t are for byte and text patterns, not -r, -v or -u");
    if (regex)
        return find_regex(s, p, icase, back, all);
    if (value || utf16)
        return find_value(s, p, value, icase, back, all);
    Pattern pat;
    const char *err = NULL;
    int rc = hex ? search_parse_hex(p, &pat, &err) : search_parse_text(p, &pat, &err);
    if (rc < 0)
        return fail(s, rc, "find %s: %s", hex ? "(hex)" : "(text)", err ? err : "bad pattern");
    if (icase && hex)
        return fail(s, -EINVAL, "find: -i is for text patterns (-t)");
    if (icase && !pat.icase) {
        for (size_t i = 0; i < pat.len; i++)
            pat.bytes[i] = (uint8_t)tolower(pat.bytes[i]);
        pat.icase = true;
    }
    s->pat = pat;
    s->have_pat = true;
    snprintf(s->pat_text, sizeof s->pat_text, "%s%.100s%s", hex ? "" : "'", p, hex ? "" : "'");
    return run_search(s, back, all);
}

static int c_next(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!s->have_pat)
        return fail(s, -EINVAL, "no previous search (/ or ? first)");
    return run_search(s, s->pat_back, false);
}

static int c_prev(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (!s->have_pat)
        return fail(s, -EINVAL, "no previous search (/ or ? first)");
    bool back = s->pat_back;
    int rc = run_search(s, !back, false);
    s->pat_back = back; /* N does not change the direction n goes */
    return rc;
}

static const CmdDef cmds[] = {
    {"find", c_find, .usage = "find [-x|-t|-r|-u|-v] [-i] [-b] [-a] [--] PATTERN",
     .help = "search (hex or text; -r a PCRE2 regex, -u UTF-16LE text, -v TYPE VALUE; -i any "
             "case, -b backward, -a list every match)"},
    {"next", c_next, .help = "the next match of the last search"},
    {"prev", c_prev, .help = "the previous match of the last search"},
};

CMD_FAMILY(search, cmds);
