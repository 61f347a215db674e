/*
 * workpool: the threads of a parallel job, and a part's read (see
 * workpool.h).
 *
 * Each worker waits on go for a new round (gen moves on), runs its part
 * if the round has one for it, and counts itself out (pending); the last
 * one out signals done. Every worker takes part in every round, even one
 * with fewer parts, so pending is simply the number of workers. The mutex
 * orders the caller's writes before a round with the parts' reads, and the
 * parts' writes with the caller's reads after it.
 */
#include "config.h"

#include "workpool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "map_private.h"

typedef struct Worker {
    struct WorkPool *p; /* its pool */
    int k;              /* the part it runs: 1, 2, ... */
    pthread_t th;       /* the thread */
} Worker;

struct WorkPool {
    WorkFn fn;               /* runs a part */
    void *ctx;               /* for fn */
    int n;                   /* workers made */
    pthread_mutex_t mu;      /* guards what follows */
    pthread_cond_t go, done; /* a round to run; a round over */
    unsigned gen;            /* rounds started */
    int pending;             /* workers still in this round */
    int nparts;              /* parts in this round */
    bool quit;               /* workpool_free: end */
    Worker w[];              /* the workers, w[i] runs part i + 1 */
};

static void *worker_main(void *arg)
{
    Worker *w = arg;
    WorkPool *p = w->p;
    unsigned seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        bool mine = w->k < p->nparts;
        pthread_mutex_unlock(&p->mu);
        if (mine)
            p->fn(p->ctx, w->k);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int workpool_size(int asked, int max)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int want = asked > 0 ? asked : ncpu > 0 ? (int)ncpu : 1;
    return want < max ? want : max;
}

int workpool_start(WorkPool **out, int threads, WorkFn fn, void *ctx)
{
    *out = NULL;
    int want = threads > 1 ? threads - 1 : 0;
    WorkPool *p = calloc(1, sizeof *p + (size_t)want * sizeof p->w[0]);
    if (!p)
        return -ENOMEM;
    p->fn = fn;
    p->ctx = ctx;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 0; i < want; i++) {
        Worker *w = &p->w[i];
        w->p = p;
        w->k = i + 1;
        if (pthread_create(&w->th, NULL, worker_main, w) != 0)
            break;
        p->n++;
    }
    *out = p;
    return 0;
}

int workpool_threads(const WorkPool *p)
{
    return p->n + 1;
}

void workpool_run(WorkPool *p, int n)
{
    if (p->n == 0 || n == 1) {
        p->fn(p->ctx, 0);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->nparts = n;
    p->pending = p->n;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    p->fn(p->ctx, 0);
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void workpool_free(WorkPool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->w[i].th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p);
}

int workpool_read(const Doc *d, uint8_t *buf, uint64_t off, size_t n, uint64_t *bytes)
{
    const Map *m = doc_map(d);
    const SysOps *ops = map_sys(m);
    int fd = map_fd(m);
    for (size_t got = 0; got < n;) {
        ssize_t r = ops->pread(fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -MMH_ETRUNC;
        got += (size_t)r;
    }
    *bytes += n;
    if (map_mode(m) == MMH_MODE_COPY)
        return doc_overlay(d, off, buf, n);
    return 0;
}
