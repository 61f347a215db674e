/*
 * workpool: the threads of a parallel job (search.c, diff.c), and the read
 * each of them does of a window of a document.
 *
 * A pool runs rounds. workpool_run(p, n) calls fn(ctx, k) for every part k
 * in [0, n) at once: part 0 on the caller's thread, part k on worker k,
 * and returns when all are done, so after it the caller may read what the
 * parts wrote. The workers are made once, at workpool_start, and wait
 * between rounds; they end at workpool_free. A round cannot be cut short
 * from outside: a job stops between rounds, so it keeps its rounds small
 * (parts may also watch each other and give up early, as search's do).
 *
 * Ownership: the caller owns ctx and whatever fn writes (typically one
 * struct per part, which only that part's thread touches during a round);
 * the pool owns only its threads. One caller thread at a time.
 */
#ifndef MMH_WORKPOOL_H
#define MMH_WORKPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"

typedef struct WorkPool WorkPool;

/* Run part k of a round (on the caller's thread for k = 0, else on a
 * worker). */
typedef void (*WorkFn)(void *ctx, int k);

/* Threads for a job: asked when > 0, else one per online CPU; at most
 * max. */
int workpool_size(int asked, int max);

/* A pool for rounds of up to threads parts (threads >= 1): threads - 1
 * workers, fewer if some cannot be made (workpool_threads says how many
 * parts a round may then have). 0, or -ENOMEM. */
int workpool_start(WorkPool **out, int threads, WorkFn fn, void *ctx);

/* Parts a round may have: the workers made, plus the caller. */
int workpool_threads(const WorkPool *p);

/* Run parts [0, n) (1 <= n <= workpool_threads) and wait for them. */
void workpool_run(WorkPool *p, int n);

/* End the workers (between rounds) and free. NULL is a no-op. */
void workpool_free(WorkPool *p);

/* The bytes [off, off + n) of d into buf, as a part reads them: pread
 * (*bytes grows by n once they are read), then in copy mode the journal's
 * unwritten edits laid over (doc_overlay). 0, -errno, or -MMH_ETRUNC when
 * the read comes up short: the file shrank (the map is left alone, since
 * other parts may be reading; the caller refreshes it after the round).
 * Safe from several threads at once while d is not edited. */
int workpool_read(const Doc *d, uint8_t *buf, uint64_t off, size_t n, uint64_t *bytes);

#endif
