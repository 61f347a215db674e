/*
 * job: long work run in slices of a time budget (search, prefetch, save to
 * a new file; later hashing, diff), through one driver.
 *
 * A command starts a job with job_start. Interactively it runs a first
 * slice at once (small files finish there) and then a slice per tick
 * (cmd_tick); in batch mode job_start runs it to its end, stopping between
 * slices when a signal asks the program to stop. Either way the job ends
 * through its finish callback, which says how it went and frees its state,
 * so a job reads and reports the same in both modes.
 *
 * Keys while a job runs are handled here, in one place: a job that holds
 * the keyboard (search, prefetch: their result replaces the screen) drops
 * every key but Esc, counting them in the progress message, and Esc cancels
 * it; a job that does not (a save) lets keys through, Esc in normal mode
 * cancels it, and edits wait until it ends (refuse_while_busy).
 */
#ifndef MMH_JOB_H
#define MMH_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

#define JOB_SLICE_BATCH_NS 100000000ull /* batch: a stop signal is seen this often */
#define JOB_SLICE_FIRST_NS 20000000ull  /* interactive: the slice run at once */

struct JobType {
    const char *name;   /* "search", "prefetch", "save" */
    bool holds_keys;    /* keys meanwhile are dropped (else: passed on) */
    bool freezes_edits; /* edits are refused while it runs */
    bool first_slice;   /* interactive: run JOB_SLICE_FIRST_NS at once */
    const char *state;  /* word for the title row while it runs, or NULL */
    /* Work for about budget_ns: 0 more to do, 1 done, or -errno. */
    int (*step)(Session *s, void *st, uint64_t budget_ns);
    /* Say how far it is (on the message row). */
    void (*progress)(Session *s, void *st);
    /* It ended with rc (1 done, -errno, -EINTR for a stop signal): say
     * how, free st; returns the command's result (0 or -errno). */
    int (*finish)(Session *s, void *st, int rc);
    /* The user cancelled it: say so, free st. */
    void (*cancel)(Session *s, void *st);
};

/* Start a job (st owned from now on, also on failure). The command's
 * result: 0 while it runs, else what finish returned. what: "a save to
 * PATH", for messages. */
int job_start(Session *s, const JobType *t, void *st, const char *what);
/* Advance every job by about budget_ns; reaction flags. */
unsigned job_tick(Session *s, uint64_t budget_ns);
/* A key while a job holds the keyboard: handled (dropped or Esc
 * cancelling), reaction flags in *r. false: no such job. */
bool job_key(Session *s, int key, unsigned *r);
/* Esc in normal mode: cancel a job that lets keys through. true if one was. */
bool job_cancel_background(Session *s);
/* End the running job of type t through its finish with -ECANCELED (a
 * restart: no word to the user). true if one ran. */
bool job_stop(Session *s, const JobType *t);
/* The running job of type t, or NULL. */
const Job *job_find(const Session *s, const JobType *t);
/* A job that freezes edits, or NULL. */
const Job *job_freezing(const Session *s);
/* The title row's word for what runs, or NULL. */
const char *job_state(const Session *s);
/* A job holds the keyboard. */
bool job_holds_keys(const Session *s);
/* Cancel every job without a word (the session ends). */
void job_cancel_all(Session *s);

#endif
