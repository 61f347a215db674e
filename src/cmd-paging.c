/*
 * cmd-paging: the commands that act on how the kernel holds the file:
 * flush, lock, unlock, advise, evict, prefetch (the whole file is a job:
 * job.h), and the reports stat and details.
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
#include "sys.h"

#define PREFETCH_SLICE (8u << 20) /* bytes populated per call by prefetch all */

static int c_flush(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    bool async = !strcmp(arg, "async");
    if (*arg && !async)
        return fail(s, -EINVAL, "flush: say 'flush' or 'flush async'");
    MapFlushResult f;
    char t[32];
    int rc = doc_flush(s->doc, 0, 0, !async, &f);
    if (rc < 0)
        return fail(s, rc, "flush failed: %s", map_strerror(rc));
    parse_fmt_ns(f.ns, t, sizeof t);
    session_stale(s);
    if (async)
        say(s, false, "writeback started (%s); watch wb drain", t);
    else if (f.pages >= 0)
        say(s, false, "flushed %" PRId64 " dirty pages in %s", f.pages, t);
    else
        say(s, false, "flushed in %s", t);
    return 0;
}

static int do_lock(Session *s, bool lock, uint64_t off, uint64_t len)
{
    Map *m = doc_map(s->doc);
    char msg[256], a[32];
    int rc = lock ? doc_lock(s->doc, off, len) : doc_unlock(s->doc, off, len);
    session_stale(s);
    if (rc < 0)
        return fail(s, rc, "%s", map_lock_message(m, rc, msg, sizeof msg));
    parse_fmt_size(rangeset_total(map_locked(m)), a, sizeof a);
    say(s, false, "%s; %s locked in all", lock ? "locked" : "unlocked", a);
    return 0;
}

static int c_lock(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t size = session_size(s), off, len;
    if (!size)
        return fail(s, -EINVAL, "lock: the file is empty");
    if (!strcmp(arg, "all"))
        return do_lock(s, true, 0, size);
    if (!strcmp(arg, "all!")) /* confirmed */
        return do_lock(s, true, 0, size);
    if (*arg && strcmp(arg, "view"))
        return fail(s, -EINVAL, "lock: say 'lock', 'lock view' or 'lock all'");
    session_target(s, &off, &len);
    /* The key toggles: a range already locked whole is unlocked. */
    const RangeSet *l = map_locked(doc_map(s->doc));
    size_t ps = map_pagesize(doc_map(s->doc));
    uint64_t lo = off / ps * ps, hi = (off + len + ps - 1) / ps * ps;
    if (!*arg && rangeset_covered(l, lo, hi) == hi - lo)
        return do_lock(s, false, off, len);
    return do_lock(s, true, off, len);
}

static int c_lock_ask(Session *s, const char *arg, unsigned *r)
{
    /* `lock all` from a key or the prompt asks first: on a hole, locking
     * allocates zero pages, and as root there is no limit. */
    if (!strcmp(arg, "all") && !s->batch) {
        char a[32];
        parse_fmt_size(session_size(s), a, sizeof a);
        return confirm_ask(s, "lock all!", "lock the whole file (%s) into memory? (y/n)", a);
    }
    return c_lock(s, arg, r);
}

static int c_unlock(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off, len;
    if (!session_size(s))
        return fail(s, -EINVAL, "unlock: the file is empty");
    if (!strcmp(arg, "all"))
        return do_lock(s, false, 0, session_size(s));
    if (*arg)
        return fail(s, -EINVAL, "unlock: say 'unlock' or 'unlock all'");
    session_target(s, &off, &len);
    return do_lock(s, false, off, len);
}

static int c_advise(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    Map *m = doc_map(s->doc);
    MmhAdvice a;
    if (!*arg)
        a = (MmhAdvice)((map_advice(m) + 1) % 3);
    else if (!strcmp(arg, "normal"))
        a = MMH_ADV_NORMAL;
    else if (!strcmp(arg, "sequential"))
        a = MMH_ADV_SEQUENTIAL;
    else if (!strcmp(arg, "random"))
        a = MMH_ADV_RANDOM;
    else
        return fail(s, -EINVAL, "advise: say normal, sequential or random");
    int rc = doc_advise(s->doc, a);
    if (rc < 0)
        return fail(s, rc, "advise: %s", map_strerror(rc));
    say(s, false, "advice: %s", map_advice_name(a));
    return 0;
}

/* ---- paging actions ---------------------------------------------------------- */

static int c_evict(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off = 0, len = 0, size = session_size(s);
    char t[32], a[32];
    if (!size)
        return fail(s, -EINVAL, "evict: the file is empty");
    if (!strcmp(arg, "all"))
        len = size;
    else if (*arg)
        return fail(s, -EINVAL, "evict: say 'evict' or 'evict all'");
    else
        session_target(s, &off, &len);
    MapEvictResult e;
    uint64_t t0 = sys_now_ns();
    int rc = doc_evict(s->doc, off, len, &e);
    session_stale(s);
    if (rc < 0)
        return core_error(s, rc, "evict");
    parse_fmt_ns(sys_now_ns() - t0, t, sizeof t);
    parse_fmt_size(e.hi - e.lo, a, sizeof a); /* what went: rounded out to 2 MiB */
    char kept[96] = "";
    if (e.kept_edited) /* kept on purpose: MADV_DONTNEED would discard them */
        snprintf(kept, sizeof kept, "; %" PRIu64 " edited page%s kept", e.kept_edited,
                 e.kept_edited == 1 ? "" : "s");
    if (e.before >= 0)
        say(s, false, "evicted %s%s: cached pages %" PRId64 " -> %" PRId64 " in %s%s",
            *arg ? "the file, " : "", a, e.before, e.after, t, kept);
    else
        say(s, false, "evicted %s in %s%s", a, t, kept);
    return 0;
}

/* ---- prefetch all: a job ------------------------------------------------- */

typedef struct PrefetchJob {
    uint64_t pos;  /* next byte it prefetches */
    uint64_t done; /* data bytes prefetched so far */
    uint64_t t0;   /* when it started */
} PrefetchJob;

/* Prefetch the whole file for about budget_ns: MADV_POPULATE_READ over the
 * data regions in slices, skipping holes (populating a hole would allocate
 * pages of zeros). 1 when done, 0 when more remains, or -errno. */
static int prefetch_step(Session *s, void *st, uint64_t budget_ns)
{
    PrefetchJob *j = st;
    uint64_t t0 = sys_now_ns(), size = session_size(s);
    while (j->pos < size) {
        Extent x;
        int rc = doc_extent(s->doc, j->pos, &x);
        if (rc < 0)
            return rc;
        uint64_t end = x.hi;
        if (x.data) {
            uint64_t n = end - j->pos < PREFETCH_SLICE ? end - j->pos : PREFETCH_SLICE;
            rc = doc_prefetch(s->doc, j->pos, n, true);
            if (rc < 0)
                return rc;
            j->done += n;
            end = j->pos + n;
        }
        j->pos = end;
        if (sys_now_ns() - t0 >= budget_ns)
            return j->pos >= size;
    }
    return 1;
}

static void prefetch_progress(Session *s, void *st)
{
    PrefetchJob *j = st;
    char a[32];
    uint64_t size = session_size(s);
    parse_fmt_size(j->done, a, sizeof a);
    note(s, "prefetching 0x%" PRIx64 " %.0f%% (%s of data read), Esc cancels", j->pos,
         size ? 100.0 * (double)j->pos / (double)size : 100.0, a);
    say_ignored(s);
}

static int prefetch_finish(Session *s, void *st, int rc)
{
    PrefetchJob *j = st;
    char a[32], t[32];
    session_stale(s);
    parse_fmt_size(j->done, a, sizeof a);
    parse_fmt_ns(sys_now_ns() - j->t0, t, sizeof t);
    free(j);
    if (rc == -EINTR)
        return fail(s, rc, "prefetch: stopped by a signal");
    if (rc < 0)
        return core_error(s, rc, "prefetch");
    say(s, false, "prefetched the file: %s of data read in %s (holes skipped)", a, t);
    return 0;
}

static void prefetch_cancel(Session *s, void *st)
{
    PrefetchJob *j = st;
    session_stale(s);
    say(s, false, "prefetch cancelled at 0x%" PRIx64, j->pos);
    free(j);
}

static const JobType prefetch_job = {
    .name = "prefetch",
    .holds_keys = true,
    .first_slice = true,
    .step = prefetch_step,
    .progress = prefetch_progress,
    .finish = prefetch_finish,
    .cancel = prefetch_cancel,
};

static int c_prefetch(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off, len, size = session_size(s);
    char a[32], t[32];
    if (!size)
        return fail(s, -EINVAL, "prefetch: the file is empty");
    if (!strcmp(arg, "all")) {
        if (job_find(s, &prefetch_job))
            return fail(s, -EBUSY, "prefetch: already running (Esc cancels it)");
        PrefetchJob *j = calloc(1, sizeof *j);
        if (!j)
            return fail(s, -ENOMEM, "prefetch: out of memory");
        j->t0 = sys_now_ns();
        return job_start(s, &prefetch_job, j, "a prefetch");
    }
    if (*arg)
        return fail(s, -EINVAL, "prefetch: say 'prefetch' or 'prefetch all'");
    session_target(s, &off, &len);
    uint64_t t0 = sys_now_ns();
    int rc = doc_prefetch(s->doc, off, len, false);
    session_stale(s);
    if (rc < 0)
        return core_error(s, rc, "prefetch");
    parse_fmt_ns(sys_now_ns() - t0, t, sizeof t);
    parse_fmt_size(len, a, sizeof a);
    say(s, false, "prefetch of %s asked for (MADV_WILLNEED) in %s; the kernel reads it ahead", a,
        t);
    return 0;
}

static int c_stat(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    Map *m = doc_map(s->doc);
    Resid *res = doc_resid(s->doc);
    uint64_t size = session_size(s);
    char a[32], b[32];
    ResidCount c;
    parse_fmt_size(size, a, sizeof a);
    emit(s, "file       %s\n", map_path(m));
    emit(s, "size       %" PRIu64 " (%s)\n", size, a);
    emit(s, "mode       %s\n", view_mode_name(map_mode(m)));
    int rc = resid_count(res, 0, 0, &c);
    if (rc == -ENOSYS) { /* no cachestat: count by mincore */
        ResidScan sc;
        resid_scan_start(&sc, 0, 0);
        while ((rc = resid_scan_step(res, &sc, 1u << 20)) == 0)
            ;
        c = sc.acc;
        rc = rc < 0 ? rc : 0;
    }
    if (!resid_known(res) || rc == -EPERM) {
        emit(s, "cached     unknown (%s)\n", resid_why_unknown(res));
    } else if (rc < 0) {
        emit(s, "cached     unknown (%s)\n", map_strerror(rc));
    } else {
        parse_fmt_size(c.cached * map_pagesize(m), b, sizeof b);
        emit(s, "cached     %" PRIu64 " of %" PRIu64 " pages, %s (%.1f%%)\n", c.cached, c.pages, b,
             c.pages ? 100.0 * (double)c.cached / (double)c.pages : 0.0);
        if (c.dirty >= 0)
            emit(s, "dirty      %" PRId64 " pages\nwriteback  %" PRId64 " pages\n", c.dirty,
                 c.writeback);
        if (c.evicted >= 0)
            emit(s, "evicted    %" PRId64 " pages (%" PRId64 " recently)\n", c.evicted,
                 c.recently_evicted);
        emit(s, "source     %s\n", c.src == RESID_SRC_CACHESTAT ? "cachestat" : "mincore");
    }
    if (map_mode(m) == MMH_MODE_COPY) {
        uint64_t pages = 0;
        if (resid_edited(res, 0, 0, &pages) == 0)
            emit(s, "edited     %" PRIu64 " page%s (private copies)\n", pages,
                 pages == 1 ? "" : "s");
    }
    parse_fmt_size(rangeset_total(map_locked(m)), a, sizeof a);
    emit(s, "locked     %s\n", a);
    emit(s, "advice     %s\n", map_advice_name(map_advice(m)));
    say(s, false, "%s", "stat: see the output");
    return 0;
}

static int c_details(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    Map *m = doc_map(s->doc);
    Resid *res = doc_resid(s->doc);
    char a[32], b[32];
    ResidSmaps sm;
    int rc = resid_smaps(res, &sm);
    emit(s, "mapping of %s (%s)\n", map_path(m), view_mode_name(map_mode(m)));
    if (rc == 0) {
#define SZ(x) parse_fmt_size((x), a, sizeof a)
        emit(s, "  smaps Size           %s\n", SZ(sm.size));
        emit(s, "  Rss                  %s\n", SZ(sm.rss));
        emit(s, "  Shared_Clean         %s\n", SZ(sm.shared_clean));
        emit(s, "  Shared_Dirty         %s\n", SZ(sm.shared_dirty));
        emit(s, "  Private_Clean        %s\n", SZ(sm.private_clean));
        emit(s, "  Private_Dirty        %s\n", SZ(sm.private_dirty));
        emit(s, "  Anonymous            %s\n", SZ(sm.anonymous));
        emit(s, "  Locked               %s\n", SZ(sm.locked));
#undef SZ
    } else {
        emit(s, "  smaps                n/a (%s)\n", map_strerror(rc));
    }
    ResidFaults f;
    if (resid_faults(res, &f) == 0)
        emit(s, "process faults         %" PRIu64 " minor, %" PRIu64 " major\n", f.minor, f.major);
    MapLockLimit ll;
    if (map_lock_limit(m, &ll) == 0) {
        parse_fmt_size(ll.map_locked, a, sizeof a);
        parse_fmt_size(ll.process_locked, b, sizeof b);
        emit(s, "locked                 %s by this map, %s by the process\n", a, b);
        if (ll.unlimited)
            emit(s, "lock limit             none (CAP_IPC_LOCK or unlimited)\n");
        else
            emit(s, "lock limit             %s (RLIMIT_MEMLOCK)\n",
                 parse_fmt_size(ll.limit, a, sizeof a));
    }
    emit(s, "readahead window       %s\n", parse_fmt_size(map_readahead(m), a, sizeof a));
    emit(s, "advice                 %s\n", map_advice_name(map_advice(m)));
    if (map_mode(m) == MMH_MODE_COPY) {
        uint64_t pages = 0;
        if (resid_edited(res, 0, 0, &pages) == 0)
            emit(s, "edited (private) pages %" PRIu64 " = %s of anonymous memory\n", pages,
                 parse_fmt_size(pages * map_pagesize(m), a, sizeof a));
    }
    if (s->search_how) { /* what the last search read, and what it did to the page cache */
        const SearchProgress *p = &s->search_prog;
        char c[32], t[32];
        parse_fmt_ns(p->ns, t, sizeof t);
        emit(s, "last search            %s: scanned %s of %s in %s, read %s\n", s->search_how,
             parse_fmt_size(p->scanned, a, sizeof a), parse_fmt_size(p->total, b, sizeof b), t,
             parse_fmt_size(p->bytes_read, c, sizeof c));
        if (p->cache_known) {
            uint64_t x = p->cached_before, y = p->cached_after;
            parse_fmt_size(y > x ? y - x : x - y, c, sizeof c);
            emit(s, "  page cache (range)   %s before, %s after (%s%s%s)\n",
                 parse_fmt_size(x, a, sizeof a), parse_fmt_size(y, b, sizeof b), y >= x ? "+" : "-",
                 c, y > x ? " read from disk" : "");
        } else {
            emit(s, "  page cache (range)   unknown (no cachestat, or no write permission)\n");
        }
    }
    say(s, false, "details: see the output");
    return 0;
}

static const CmdDef cmds[] = {
    {"flush", c_flush, .usage = "flush [async]",
     .help = "msync(MS_SYNC), durable; async: start writeback"},
    {"lock", c_lock_ask, .usage = "lock [view|all]",
     .help = "lock the selection or the visible pages, or the file"},
    {"unlock", c_unlock, .usage = "unlock [all]", .help = "unlock them"},
    {"advise", c_advise, .usage = "advise [normal|sequential|random]",
     .help = "madvise the map (no word: cycle)"},
    {"evict", c_evict, .usage = "evict [all]",
     .help = "evict the selection or the visible pages, or the file"},
    {"prefetch", c_prefetch, .usage = "prefetch [all]",
     .help = "prefetch them, or load the whole file (a job)"},
    {"stat", c_stat, .help = "the residency summary (like fincore)"},
    {"details", c_details, .help = "the mapping: smaps, faults, lock limit, readahead"},
};

CMD_FAMILY(paging, cmds);
