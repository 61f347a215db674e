/*
 * list-strings: the printable runs of a document as a list (`strings` on
 * screen, key S): an RlSource over the strings scan (strings.h) for the
 * generic list screen (screen-list.h), and its rows (offset, kind, text).
 *
 * A scan is one Strings over the range, forward from an offset or
 * backward from one; with a filter it skips the runs whose text lacks it
 * (strings_contains: read in pieces, so a filter costs time, not memory).
 * The list needs distinct offsets: with both kinds and a minimum of 1, a
 * one-letter ASCII run can start where a UTF-16LE run starts ("A\0B\0"):
 * the UTF-16LE run is kept and the ASCII one dropped, in either direction.
 *
 * The filter: / on the list asks for a substring and runs the `strings`
 * command again with the same range and options and `-f TEXT` (an empty
 * one lists everything), which replaces this list by a new one.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"
#include "screen-list.h"
#include "screen.h"
#include "strscan.h"

#define FILTER_MAX 256 /* bytes a filter holds */

typedef struct StringsList {
    Doc *d;                      /* the document */
    StringsOpts o;               /* the range and the options */
    bool whole;                  /* the range is the whole file (not said in the title) */
    char filter[FILTER_MAX + 1]; /* runs must hold it ("": all) */
    size_t flen;                 /* its length */
} StringsList;

static int sl_open(void *ctx, bool backward, uint64_t from, void **scan)
{
    StringsList *l = ctx;
    StringsOpts o = l->o;
    o.backward = backward;
    o.from = from;
    Strings *st = NULL;
    int rc = strings_start(&st, l->d, &o);
    if (rc == -EINVAL && o.lo < o.hi) /* the file shrank under the range: nothing */
        rc = 0;
    *scan = st;
    return rc;
}

static bool printable(uint8_t b)
{
    return (b >= 0x20 && b <= 0x7e) || b == '\t';
}

/* With both kinds: r is a one-letter ASCII run where a UTF-16LE run starts
 * (which the list shows instead). */
static bool shadowed(StringsList *l, const StrRun *r)
{
    if (l->o.kinds != (STR_ASCII | STR_UTF16LE) || r->kind != STR_ASCII || r->len != 1)
        return false;
    uint8_t b[4] = {0};
    uint64_t x = r->off;
    if (x + 1 >= l->o.hi || doc_read(l->d, x + 1, b + 3, 1) < 0 || b[3] != 0)
        return false;
    if (x < l->o.lo + 2 || doc_read(l->d, x - 2, b, 2) < 0)
        return true;
    return !(printable(b[0]) && b[1] == 0); /* else the UTF-16LE run began earlier */
}

static int sl_next(void *ctx, void *scan, uint64_t budget_ns, RlItem *it)
{
    StringsList *l = ctx;
    Strings *st = scan;
    if (!st)
        return RL_END;
    int rc = strings_step(st, budget_ns);
    switch (rc) {
    case STRINGS_FOUND: {
        const StrRun *r = strings_run(st);
        if (shadowed(l, r))
            return RL_MORE;
        if (l->flen) {
            int k = strings_contains(l->d, r, l->filter, l->flen, false);
            if (k < 0)
                return k;
            if (k == 0)
                return RL_MORE;
        }
        *it = (RlItem){r->off, r->len};
        return RL_ITEM;
    }
    case STRINGS_RUNNING: return RL_MORE;
    case STRINGS_DONE: return RL_END;
    case -MMH_ETRUNC: return RL_MORE; /* it goes on within the new size */
    default: return rc;
    }
}

static void sl_progress(void *ctx, void *scan, RlProgress *out)
{
    StringsList *l = ctx;
    Strings *st = scan;
    *out = (RlProgress){0};
    if (!st)
        return;
    StringsProgress p;
    strings_progress(st, &p);
    uint64_t at = p.at < l->o.lo ? l->o.lo : p.at;
    *out = (RlProgress){.at = at, .done = at - l->o.lo, .total = l->o.hi - l->o.lo};
}

static void sl_close(void *ctx, void *scan)
{
    (void)ctx;
    strings_free(scan);
}

static const RlSource strings_src = {sl_open, sl_next, sl_progress, sl_close};

static const char *kinds_word(unsigned kinds)
{
    return kinds == STR_ASCII ? "ASCII" : kinds == STR_UTF16LE ? "UTF-16LE" : "ASCII+UTF-16LE";
}

static void sl_title(Session *s, void *ctx, char *buf, size_t n)
{
    (void)s;
    StringsList *l = ctx;
    int k = snprintf(buf, n, "%s >=%u", kinds_word(l->o.kinds), l->o.min);
    if (k >= 0 && (size_t)k < n && !l->whole)
        k += snprintf(buf + k, n - (size_t)k, " in 0x%" PRIx64 "-0x%" PRIx64, l->o.lo, l->o.hi);
    if (k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, l->flen ? " holding '%s'" : " (/ filters)", l->filter);
}

/* "#12       0x00001234  a  the text": the index, the offset, the kind
 * (a ASCII, u UTF-16LE), as much text as fits. */
static void sl_row(Session *s, void *ctx, const RlItem *it, uint64_t idx, bool sel, Grid *g,
                   int row, int col)
{
    StringsList *l = ctx;
    int cls = sel ? MMH_CC_SELECTED : MMH_CC_NORMAL;
    col = list_draw_index(s, g, row, col, idx, it->off, sel);
    uint8_t b[2] = {0, 1};
    bool u16 = it->len >= 2 && doc_read(l->d, it->off, b, 2) == 0 && b[1] == 0;
    col = grid_put_str(g, row, col + 2, g->cols, u16 ? "u" : "a", cls, false);
    int room = g->cols - (col + 2);
    if (room <= 0)
        return;
    StrRun r = {it->off, it->len, u16 ? it->len / 2 : it->len, u16 ? STR_UTF16LE : STR_ASCII};
    char text[512];
    size_t got;
    size_t cap = (size_t)room + 1 < sizeof text ? (size_t)room + 1 : sizeof text;
    if (strings_text(l->d, &r, 0, text, cap, &got) < 0) {
        grid_put_str(g, row, col + 2, g->cols, "(unreadable)", MMH_CC_ERROR, false);
        return;
    }
    for (size_t i = 0; i < got; i++)
        if (text[i] == '\t')
            text[i] = ' ';
    grid_put_str(g, row, col + 2, g->cols, text, cls, false);
}

/* / asks for a filter: the strings command again with -f. */
static unsigned sl_key(Session *s, void *ctx, int key, bool *taken)
{
    StringsList *l = ctx;
    if (key != '/' && key != 'f')
        return MMH_R_NONE;
    *taken = true;
    char verb[64];
    snprintf(verb, sizeof verb, "strings -n %u -e %s 0x%" PRIx64 " 0x%" PRIx64 " -f", l->o.min,
             l->o.kinds == STR_ASCII     ? "a"
             : l->o.kinds == STR_UTF16LE ? "l"
                                         : "b",
             l->o.lo, l->o.hi - l->o.lo);
    prompt_open(s, "filter (empty: all): ", verb);
    return MMH_R_REDRAW;
}

static const ListType strings_list = {
    .name = "strings",
    .noun = "string",
    .nouns = "strings",
    .src = &strings_src,
    .title = sl_title,
    .row = sl_row,
    .key = sl_key,
};

int strings_list_open(Session *s, const StringsOpts *o, const char *filter)
{
    size_t flen = filter ? strlen(filter) : 0;
    if (flen > FILTER_MAX)
        return fail(s, -ERANGE, "strings: a filter holds at most %d bytes", FILTER_MAX);
    StringsList *l = calloc(1, sizeof *l);
    if (!l)
        return fail(s, -ENOMEM, "strings: out of memory");
    l->d = s->doc;
    l->o = *o;
    l->whole = o->lo == 0 && o->hi == session_size(s);
    memcpy(l->filter, filter ? filter : "", flen + 1);
    l->flen = flen;
    void *top = screen_top_is(s, &screen_list);
    if (top) /* a new filter: this list replaces the one shown */
        screen_pop(s);
    int rc = list_open(s, &strings_list, l);
    if (rc == 1)
        return fail(s, -ENOENT, "strings: none%s%s%s", flen ? " holding '" : "", flen ? filter : "",
                    flen ? "'" : "");
    return rc;
}
