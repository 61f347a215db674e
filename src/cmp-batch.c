/*
 * cmp-batch: `mmhex --cmp A B` (see cmp-batch.h).
 *
 * Both files are opened read-only (nothing is written). Ranges stream out
 * as diff.h finds them, so memory stays flat however many there are. With
 * -l each range's bytes are read back from both documents a block at a
 * time and printed as GNU cmp -l does: the byte number right-aligned to the
 * width of the shorter file's size, then the two bytes in octal, width 3;
 * where one file ends first, "EOF on NAME after byte N" (or "which is
 * empty") goes to stderr, as cmp says it, and the tail prints no bytes.
 */
#include "config.h"

#include "cmp-batch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complain.h"
#include "diff.h"
#include "doc.h"
#include "parse.h"

#define CMP_SLICE_NS 100000000ull /* a stop signal is seen this often */
#define CMP_BLOCK 65536           /* -l: bytes read back at a time */

typedef struct Out {
    Doc *a, *b;       /* the documents */
    const CmpOpts *o; /* the options */
    uint64_t pair_hi; /* -l: bytes past it are the tail (not printed) */
    int width;        /* -l: the byte number's width */
    uint8_t *ba, *bb; /* -l: blocks read back */
} Out;

static int print_range(const DiffRange *r, void *ctx)
{
    Out *w = ctx;
    if (!w->o->bytes) {
        printf("%" PRIu64 " %" PRIu64 "\n", r->off, r->len);
        return ferror(stdout) ? -EIO : 0;
    }
    uint64_t end = r->off + r->len < w->pair_hi ? r->off + r->len : w->pair_hi;
    for (uint64_t x = r->off; x < end;) {
        size_t n = end - x < CMP_BLOCK ? (size_t)(end - x) : CMP_BLOCK;
        int rc = doc_read(w->a, x, w->ba, n);
        if (rc == 0)
            rc = doc_read(w->b, x + (uint64_t)w->o->shift, w->bb, n);
        if (rc < 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (w->ba[i] != w->bb[i])
                printf("%*" PRIu64 " %3o %3o\n", w->width, x + i + 1, w->ba[i], w->bb[i]);
        x += n;
    }
    return ferror(stdout) ? -EIO : 0;
}

static int digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

int cmp_batch(const char *pa, const char *pb, const CmpOpts *o)
{
    MapOpts mo = {.mode = MMH_MODE_READONLY};
    Doc *a = NULL, *b = NULL;
    Diff *d = NULL;
    int status = 2, rc;
    Out w = {0};
    if ((rc = doc_open(&a, pa, &mo)) < 0) {
        complain("%s: %s", pa, map_strerror(rc));
        goto out;
    }
    if ((rc = doc_open(&b, pb, &mo)) < 0) {
        complain("%s: %s", pb, map_strerror(rc));
        goto out;
    }
    w = (Out){a, b, o, 0, 1, NULL, NULL};
    DiffOpts dopts = {.mode = DIFF_ALL, .shift = o->shift, .on_range = print_range, .ctx = &w};
    if (o->bytes && (!(w.ba = malloc(CMP_BLOCK)) || !(w.bb = malloc(CMP_BLOCK)))) {
        complain("out of memory");
        goto out;
    }
    if ((rc = diff_start(&d, a, b, &dopts)) < 0) {
        complain("%s", rc == -EINVAL ? "--shift is out of range" : strerror(-rc));
        goto out;
    }
    DiffSummary s;
    diff_summary(d, &s);
    w.pair_hi = s.pair_hi;
    w.width = digits(s.pair_hi); /* the largest offset printed */
    while ((rc = diff_step(d, CMP_SLICE_NS)) == DIFF_RUNNING) {
        if (o->stop && *o->stop) {
            complain("stopped by a signal (%s)", strsignal(*o->stop));
            goto out;
        }
    }
    if (rc == -MMH_ETRUNC) {
        complain("a file was truncated during the comparison (%s %" PRIu64 ", %s %" PRIu64
                 " bytes)",
                 pa, doc_size(a), pb, doc_size(b));
        goto out;
    }
    if (rc < 0) {
        complain("%s", rc == -EIO && ferror(stdout) ? "write error on standard output"
                                                    : map_strerror(rc));
        goto out;
    }
    diff_summary(d, &s);
    if (fflush(stdout) != 0) {
        complain("write error on standard output: %s", strerror(errno));
        goto out;
    }
    if (o->bytes && s.hi > s.pair_hi) { /* one file ends first */
        bool a_short = doc_size(a) < s.hi;
        const char *name = a_short ? pa : pb;
        uint64_t n = s.pair_hi - s.lo;
        if (n == 0 && (a_short ? doc_size(a) : doc_size(b)) == 0)
            complain("EOF on %s which is empty", name);
        else
            complain("EOF on %s after byte %" PRIu64, name, n);
    }
    status = s.ranges > 0 ? 1 : 0;
out:
    diff_free(d);
    free(w.ba);
    free(w.bb);
    if (a)
        doc_close(a);
    if (b)
        doc_close(b);
    return status;
}
