/*
 * cmd-entropy: `entropy [N]`, the entropy map (entropy.h) as text, a job
 * (job.h): one line per bucket, "0x00000000-0x0fffffff  7.98  high-entropy"
 * (the last byte inclusive, the bits per byte, the class), then a summary
 * of the bytes per class and the data read. Every bucket is exact when it
 * prints: the command runs both passes to the end. It keeps its own map,
 * not the map screen's cache, so its N never throws that away. Edits wait
 * while it runs, so the bytes counted are those on screen when it started.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd-family.h"
#include "entropy.h"
#include "job.h"
#include "parse.h"

#define ENT_DEFAULT_BUCKETS 64

typedef struct EntCmdJob {
    Entropy *e;
} EntCmdJob;

static void job_free(EntCmdJob *j)
{
    entropy_free(j->e);
    free(j);
}

static int ec_step(Session *s, void *st, uint64_t budget_ns)
{
    (void)s;
    EntCmdJob *j = st;
    return entropy_step(j->e, budget_ns);
}

static void ec_progress(Session *s, void *st)
{
    EntCmdJob *j = st;
    EntProgress p;
    entropy_progress(j->e, &p);
    note(s, "entropy: %zu of %zu buckets exact, Esc cancels", p.exact, p.n);
}

static int ec_finish(Session *s, void *st, int rc)
{
    EntCmdJob *j = st;
    if (rc == -EINTR) {
        job_free(j);
        return fail(s, rc, "entropy: stopped by a signal");
    }
    if (rc < 0) {
        job_free(j);
        return core_error(s, rc, "entropy");
    }
    EntProgress p;
    uint64_t t[ENT_NCLASS];
    char a[32], b[32];
    entropy_progress(j->e, &p);
    entropy_totals(j->e, t);
    for (size_t i = 0; i < entropy_n(j->e); i++) {
        const EntBucket *x = entropy_bucket(j->e, i);
        emit(s, "0x%08" PRIx64 "-0x%08" PRIx64 "  %.2f  %s\n", x->lo, x->hi - 1, (double)x->bits,
             entropy_class_name((EntClass)x->cls));
    }
    emit(s,
         "zeros %" PRIu64 "  text %" PRIu64 "  binary %" PRIu64 "  high-entropy %" PRIu64
         "  (bytes; %" PRIu64 " of data read, %" PRIu64 " more sampled, %" PRIu64
         " of holes not read)\n",
         t[ENT_ZEROS], t[ENT_TEXT], t[ENT_BINARY], t[ENT_HIGH], p.read_exact, p.read - p.read_exact,
         p.zeros);
    say(s, false, "entropy: %zu buckets of %s, %s read in %s", p.n,
        parse_fmt_size(p.size, a, sizeof a), parse_fmt_size(p.read, b, sizeof b),
        parse_fmt_ns(p.ns, (char[32]){0}, 32));
    job_free(j);
    return 0;
}

static void ec_cancel(Session *s, void *st)
{
    EntCmdJob *j = st;
    EntProgress p;
    entropy_progress(j->e, &p);
    say(s, false, "entropy cancelled (%zu of %zu buckets exact)", p.exact, p.n);
    job_free(j);
}

static const JobType entropy_job = {
    .name = "entropy",
    .holds_keys = false,
    .freezes_edits = true,
    .first_slice = true,
    .state = "entropy",
    .step = ec_step,
    .progress = ec_progress,
    .finish = ec_finish,
    .cancel = ec_cancel,
};

static int c_entropy(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t n = ENT_DEFAULT_BUCKETS;
    const char *err = NULL;
    if (arg[0] && parse_count(arg, &n, &err) < 0)
        return fail(s, -EINVAL, "entropy: %s: %s", arg, err ? err : "not a count");
    if (n == 0 || n > ENT_MAX_BUCKETS)
        return fail(s, -EINVAL, "entropy: say 1 to %u buckets", ENT_MAX_BUCKETS);
    if (job_find(s, &entropy_job))
        return fail(s, -EBUSY, "entropy: one is running (Esc cancels it)");
    EntCmdJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "entropy: out of memory");
    int rc = entropy_new(&j->e, s->doc, (size_t)n);
    if (rc < 0) {
        free(j);
        return fail(s, rc, "entropy: %s", map_strerror(rc));
    }
    return job_start(s, &entropy_job, j, "the entropy");
}

static const CmdDef cmds[] = {
    {"entropy", c_entropy, .usage = "entropy [N]",
     .help = "the file in N buckets (64): bits per byte and class (zeros, text, binary, "
             "high-entropy) of each, and bytes per class; holes are not read (a job)"},
};

CMD_FAMILY(entropy, cmds);
