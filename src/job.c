/*
 * job: the one driver of long work (see job.h).
 */
#include "config.h"

#include "job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Take job i off the list (its state is already freed). */
static void drop(Session *s, int i)
{
    memmove(&s->jobs[i], &s->jobs[i + 1], (size_t)(s->njobs - i - 1) * sizeof s->jobs[0]);
    s->njobs--;
}

static int index_of(const Session *s, const void *st)
{
    for (int i = 0; i < s->njobs; i++)
        if (s->jobs[i].st == st)
            return i;
    return -1;
}

/* End the job whose state is st with rc: off the list first, so finish
 * sees the session as it will be. */
static int end(Session *s, const JobType *t, void *st, int rc)
{
    int i = index_of(s, st);
    if (i >= 0)
        drop(s, i);
    return t->finish(s, st, rc);
}

/* Batch: run to the end, unless the program is to stop. */
static int run_to_end(Session *s, const JobType *t, void *st)
{
    for (;;) {
        if (session_stopping(s))
            return end(s, t, st, -EINTR);
        int rc = t->step(s, st, JOB_SLICE_BATCH_NS);
        if (rc != 0)
            return end(s, t, st, rc);
    }
}

int job_start(Session *s, const JobType *t, void *st, const char *what)
{
    if (s->njobs == SESSION_JOBS) {
        t->cancel(s, st);
        return fail(s, -EBUSY, "%s: too many jobs running (Esc cancels them)", t->name);
    }
    Job *j = &s->jobs[s->njobs++];
    j->type = t;
    j->st = st;
    snprintf(j->what, sizeof j->what, "%s", what ? what : t->name);
    if (t->holds_keys)
        s->keys_ignored = 0;
    if (s->batch)
        return run_to_end(s, t, st);
    if (!t->first_slice)
        return 0;
    int rc = t->step(s, st, JOB_SLICE_FIRST_NS); /* small files finish at once */
    if (rc != 0)
        return end(s, t, st, rc);
    t->progress(s, st);
    return 0;
}

unsigned job_tick(Session *s, uint64_t budget_ns)
{
    unsigned r = MMH_R_NONE;
    for (int i = 0; i < s->njobs;) {
        const JobType *t = s->jobs[i].type;
        void *st = s->jobs[i].st;
        int rc = t->step(s, st, budget_ns);
        r |= MMH_R_REDRAW;
        if (rc == 0) {
            t->progress(s, st);
            i++;
            continue;
        }
        s->result = end(s, t, st, rc);
        session_show_output(s); /* find -a: the list, whole, now */
    }
    return r;
}

bool job_holds_keys(const Session *s)
{
    for (int i = 0; i < s->njobs; i++)
        if (s->jobs[i].type->holds_keys)
            return true;
    return false;
}

bool job_key(Session *s, int key, unsigned *r)
{
    int i = s->njobs - 1;
    while (i >= 0 && !s->jobs[i].type->holds_keys)
        i--;
    if (i < 0)
        return false;
    Job j = s->jobs[i];
    *r = MMH_R_REDRAW;
    if (key != MMH_KEY_ESC) {
        /* A key must never act on a screen the job is about to replace
         * (its result opens a page when it ends), and type-ahead must
         * never become an edit. */
        s->keys_ignored++;
        j.type->progress(s, j.st);
        return true;
    }
    drop(s, i);
    j.type->cancel(s, j.st);
    return true;
}

bool job_cancel_background(Session *s)
{
    for (int i = s->njobs - 1; i >= 0; i--) {
        if (s->jobs[i].type->holds_keys)
            continue;
        Job j = s->jobs[i];
        drop(s, i);
        j.type->cancel(s, j.st);
        return true;
    }
    return false;
}

bool job_stop(Session *s, const JobType *t)
{
    for (int i = 0; i < s->njobs; i++) {
        if (s->jobs[i].type != t)
            continue;
        Job j = s->jobs[i];
        drop(s, i);
        j.type->finish(s, j.st, -ECANCELED);
        return true;
    }
    return false;
}

const Job *job_find(const Session *s, const JobType *t)
{
    for (int i = 0; i < s->njobs; i++)
        if (s->jobs[i].type == t)
            return &s->jobs[i];
    return NULL;
}

const Job *job_freezing(const Session *s)
{
    for (int i = 0; i < s->njobs; i++)
        if (s->jobs[i].type->freezes_edits)
            return &s->jobs[i];
    return NULL;
}

const char *job_state(const Session *s)
{
    for (int i = 0; i < s->njobs; i++)
        if (s->jobs[i].type->state)
            return s->jobs[i].type->state;
    return NULL;
}

void job_cancel_all(Session *s)
{
    while (s->njobs > 0) {
        Job j = s->jobs[--s->njobs];
        j.type->cancel(s, j.st);
    }
}
