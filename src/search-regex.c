/*
 * search-regex: PCRE2 over the engine's windows (see search-regex.h).
 *
 * The rule every window split must agree with: a match starting at p is
 * PCRE2's anchored match at p over [p, min(p + span, end of range)), with
 * $ kept from matching at a cut. Forward, the leftmost such p; backward,
 * the last.
 *
 * Forward, pcre2_match runs from pos over a subject that ends at
 * lim = min(navail, pos + span) with PCRE2_PARTIAL_HARD unless lim is the
 * true end of the range. A complete match at q never touched lim, so it is
 * what the rule gives (q's own limit is at or past lim). "No match" means
 * no start in [pos, lim) could match even with more bytes: go on from lim.
 * A partial match at q means q needs bytes past lim: if lim was cut short
 * by pos's span, try again from q with q's own; if q's span fits in the
 * window, match q alone anchored over exactly its span (the cut, NOTEOL)
 * and go on from q + 1 if that fails; otherwise the window is too short
 * and the engine is asked for one starting at q (2).
 *
 * Backward works down from the top in blocks of a span: the matches (and
 * undecided starts) in a block are walked forward, and the last one is
 * the answer, so when it is undecided (2) nothing above it can match and
 * the engine need only look at that one start in a longer window before
 * going on below it. A block without either passes the search to the
 * block below. The cost is one or two pcre2_match calls a block, plus one
 * a match.
 *
 * Refusals are made at compile time from what PCRE2 reports (minimum
 * length and MATCHEMPTY, since (?=a) has a minimum length of 1; lookbehind) and, for ^, \A, \G and
 * \K, which PCRE2 does not report, from a small scan of the pattern's text that skips character
 * classes and \Q...\E quoting; it may refuse a pattern that holds one of
 * them only in a (?x) comment, never accept one that uses them.
 */
#include "config.h"

#include "search-regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RX_ZEROS 4096 /* zero bytes rx_matches_zeros tries */

struct Regex {
    pcre2_code *code; /* compiled, with JIT where the machine has it */
    size_t span;      /* the longest match, rx_overlap */
    bool zeros;       /* it may match in a run of zeros */
    unsigned refs;    /* holders (rx_hold): freed when the last lets go */
};

/* The first of ^ \A \G \K outside classes and \Q...\E, or NULL. */
static const char *context_use(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\') {
            char c = s[i + 1];
            if (c == 0)
                return NULL;
            if (c == 'Q') {
                const char *e = strstr(s + i + 2, "\\E");
                if (!e)
                    return NULL;
                i = (size_t)(e - s) + 1;
                continue;
            }
            if (c == 'A')
                return "\\A";
            if (c == 'G')
                return "\\G";
            if (c == 'K')
                return "\\K";
            i++;
            continue;
        }
        if (s[i] == '^')
            return "^";
        if (s[i] == '[') { /* a class: skip it ([^...] negates; a first ] is literal) */
            size_t j = i + 1;
            if (s[j] == '^')
                j++;
            if (s[j] == ']')
                j++;
            while (s[j] && s[j] != ']') {
                if (s[j] == '\\' && s[j + 1])
                    j += 2;
                else if (s[j] == '[' && s[j + 1] == ':') { /* [:alpha:] */
                    const char *e = strstr(s + j + 2, ":]");
                    j = e ? (size_t)(e - s) + 2 : j + 1;
                } else
                    j++;
            }
            if (!s[j])
                return NULL; /* unterminated: PCRE2 says so */
            i = j;
        }
    }
    return NULL;
}

Regex *rx_hold(Regex *rx)
{
    if (rx)
        rx->refs++;
    return rx;
}

void rx_free(Regex *rx)
{
    if (!rx || rx->refs-- > 0)
        return;
    pcre2_code_free(rx->code);
    free(rx);
}

size_t rx_overlap(const Regex *rx)
{
    return rx->span;
}

bool rx_matches_zeros(const Regex *rx)
{
    return rx->zeros;
}

void rx_set_span(Regex *rx, size_t span)
{
    rx->span = span < 1 ? 1 : span > RX_SPAN_MAX ? RX_SPAN_MAX : span;
}

/* One pcre2_match: rc as PCRE2 gives it, with the match (or partial) in
 * *so, *eo. Falls back from the JIT to the interpreter when the JIT's stack
 * is too small. */
static int match(const Regex *rx, pcre2_match_data *md, const uint8_t *buf, size_t n, size_t from,
                 uint32_t opts, size_t *so, size_t *eo)
{
    int rc = pcre2_match(rx->code, buf, n, from, opts, md, NULL);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(rx->code, buf, n, from, opts | PCRE2_NO_JIT, md, NULL);
    if (rc >= 0 || rc == PCRE2_ERROR_PARTIAL) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *so = ov[0];
        *eo = ov[1];
    }
    return rc;
}

/* The rule's first match starting in [pos, top): 0 none, 1 (*at, *len),
 * 2 (*at) undecided, or -errno. top <= nstart, so a start past it is
 * another's business. */
static int forward(const Regex *rx, pcre2_match_data *md, const uint8_t *buf, size_t pos,
                   size_t top, size_t navail, bool end, size_t *at, size_t *len)
{
    size_t span = rx->span;
    while (pos < top) {
        size_t lim = navail - pos > span ? pos + span : navail;
        bool real_end = lim == navail && end;
        size_t q, e;
        int rc = match(rx, md, buf, lim, pos, real_end ? 0 : PCRE2_PARTIAL_HARD, &q, &e);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (lim == navail)
                return 0;
            pos = lim;
            continue;
        }
        if (rc < 0 && rc != PCRE2_ERROR_PARTIAL)
            return rc == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -ERANGE;
        if (q >= top)
            return 0;
        if (rc >= 0 && e == q) { /* empty: refused at compile time, but never hand one out */
            pos = q + 1;
            continue;
        }
        if (rc >= 0) {
            *at = q;
            *len = e - q;
            return 1;
        }
        /* Partial: q needs bytes past lim. */
        if (lim < navail && lim - q < span) {
            pos = q; /* lim was pos's limit: give q its own */
            continue;
        }
        if (navail - q < span) {
            *at = q; /* only a longer window can tell */
            return 2;
        }
        /* q's span ends inside the window: the match at q is cut there. */
        rc = match(rx, md, buf, q + span, q, PCRE2_ANCHORED | PCRE2_NOTEOL, &q, &e);
        if (rc >= 0) {
            *at = q;
            *len = e - q;
            return 1;
        }
        if (rc != PCRE2_ERROR_NOMATCH)
            return rc == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -ERANGE;
        pos = q + 1;
    }
    return 0;
}

static int backward_scan(const Regex *rx, pcre2_match_data *md, const uint8_t *buf, size_t nstart,
                         size_t navail, bool end, size_t *at, size_t *len)
{
    size_t hi = nstart, block = rx->span;
    while (hi > 0) {
        size_t lo = hi > block ? hi - block : 0, pos = lo, q = 0, n = 0;
        int kind = 0; /* of the highest start seen so far: 1 a match, 2 undecided */
        for (;;) {
            size_t a = 0, l = 0;
            int rc = forward(rx, md, buf, pos, hi, navail, end, &a, &l);
            if (rc < 0)
                return rc;
            if (rc == 0)
                break;
            kind = rc;
            q = a;
            n = l;
            pos = a + 1;
        }
        if (kind) {
            *at = q;
            *len = n;
            return kind;
        }
        hi = lo;
    }
    return 0;
}

int rx_scan(const Regex *rx, const uint8_t *buf, size_t nstart, size_t navail, bool end,
            bool backward, size_t *at, size_t *len)
{
    if (nstart == 0)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md)
        return -ENOMEM;
    int rc = backward ? backward_scan(rx, md, buf, nstart, navail, end, at, len)
                      : forward(rx, md, buf, 0, nstart, navail, end, at, len);
    pcre2_match_data_free(md);
    return rc;
}

/* May the regex match somewhere in a run of zeros? A hard partial match
 * counts as yes: more zeros might complete it. */
static bool try_zeros(const Regex *rx)
{
    uint8_t *z = calloc(1, RX_ZEROS);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    bool yes = true; /* if we cannot tell, scan the holes */
    if (z && md) {
        /* Inside a hole: a start whose bytes are all zeros (a partial match
         * needs more of them, which a hole may have). At the end of the
         * range: some zeros, then the end. */
        int rc =
            pcre2_match(rx->code, z, RX_ZEROS, 0, PCRE2_ANCHORED | PCRE2_PARTIAL_HARD, md, NULL);
        yes = rc != PCRE2_ERROR_NOMATCH;
        if (!yes)
            yes = pcre2_match(rx->code, z, RX_ZEROS, 0, 0, md, NULL) != PCRE2_ERROR_NOMATCH;
    }
    pcre2_match_data_free(md);
    free(z);
    return yes;
}

int rx_compile(const char *src, bool icase, Regex **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!*src) {
        snprintf(err, errlen, "empty expression");
        return -EINVAL;
    }
    int ec;
    PCRE2_SIZE eoff;
    uint32_t opts = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | (icase ? PCRE2_CASELESS : 0);
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &ec, &eoff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", ec);
        if (ec == PCRE2_ERROR_NOMEMORY)
            return snprintf(err, errlen, "out of memory"), -ENOMEM;
        snprintf(err, errlen, "%s at offset %zu", (const char *)msg, (size_t)eoff);
        return -EINVAL;
    }
    uint32_t minlen = 0, behind = 0, empty = 1;
    pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minlen);
    pcre2_pattern_info(code, PCRE2_INFO_MATCHEMPTY, &empty);
    pcre2_pattern_info(code, PCRE2_INFO_MAXLOOKBEHIND, &behind);
    const char *ctx = context_use(src);
    int rc = -EINVAL;
    /* MINLENGTH is a bound on the subject, not the match: (?=a) has 1. */
    if (minlen == 0 || empty)
        snprintf(err, errlen, "the expression may match an empty string (PCRE2 gives %s): refused",
                 minlen == 0 ? "a minimum length of 0" : "PCRE2_INFO_MATCHEMPTY");
    else if (ctx)
        snprintf(err, errlen, "%s is not supported: a match cannot see the bytes before it", ctx);
    else if (behind > 0)
        snprintf(err, errlen,
                 "lookbehind (and \\b, \\B) is not supported: a match cannot see "
                 "the bytes before it");
    else
        rc = 0;
    Regex *rx = rc == 0 ? calloc(1, sizeof *rx) : NULL;
    if (rc == 0 && !rx) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
    }
    if (rc < 0) {
        pcre2_code_free(code);
        return rc;
    }
    /* Without the JIT (no support on this machine) the interpreter serves. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
    rx->code = code;
    rx->span = RX_SPAN_MAX;
    rx->zeros = try_zeros(rx);
    *out = rx;
    return 0;
}
