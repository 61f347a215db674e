/*
 * screen-map: the residency map (rmap.h) as a screen. Arrows move the
 * selected bucket, Enter goes there, Esc/m/q leave; the paging keys act on
 * the selected bucket (the session's picked range). The map is sampled at
 * most four times a second, and again after an action or a resize.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emap.h"
#include "entropy.h"
#include "job.h"
#include "rmap.h"
#include "screen.h"
#include "sys.h"

typedef struct MapScreen {
    Rmap rmap;      /* the buckets */
    size_t sel;     /* the selected bucket */
    size_t cap;     /* buckets asked for (the map may use fewer) */
    uint64_t at;    /* when it was sampled (0: at the next chance) */
    unsigned stale; /* the session's stale count it was sampled at */
    int rows, cols; /* the region it was last drawn in */
    bool ent;       /* the entropy map is shown */
} MapScreen;

/* ---- the entropy map's job: fills s->ent ---- */

typedef struct EntJob {
    size_t n; /* buckets asked for */
} EntJob;

static int ent_step(Session *s, void *st, uint64_t budget_ns)
{
    EntJob *j = st;
    if (entropy_stale(s->ent, s->doc, j->n))
        return -ESTALE; /* the file changed: the frame starts afresh */
    return entropy_step(s->ent, budget_ns);
}

static void ent_progress(Session *s, void *st)
{
    (void)st;
    EntProgress p;
    if (screen_top_is(s, &screen_map))
        return; /* the title says it */
    entropy_progress(s->ent, &p);
    note(s, "entropy map: %zu of %zu buckets exact, Esc stops", p.exact, p.n);
}

static int ent_finish(Session *s, void *st, int rc)
{
    free(st);
    if (rc == -ESTALE || rc == -ECANCELED || rc == 1)
        return 0;
    if (rc == -EINTR)
        return fail(s, rc, "entropy map: stopped by a signal");
    return core_error(s, rc, "entropy map");
}

static void ent_cancel(Session *s, void *st)
{
    free(st);
    say(s, false, "entropy map stopped (the map resumes it)");
}

static const JobType ent_job = {
    .name = "entropy map",
    .holds_keys = false,
    .freezes_edits = false, /* an edit makes it stale: it starts again */
    .first_slice = true,
    .state = NULL,
    .step = ent_step,
    .progress = ent_progress,
    .finish = ent_finish,
    .cancel = ent_cancel,
};

/* Show the entropy map: a fresh cache when the old one is stale (restart
 * true: also when one just failed), and the job running while it is not
 * finished. */
static void ent_show(Session *s, MapScreen *m, bool restart)
{
    size_t n = rmap_capacity(m->rows, m->cols);
    EntProgress p;
    if (n == 0)
        return;
    if (entropy_stale(s->ent, s->doc, n)) {
        job_stop(s, &ent_job);
        entropy_free(s->ent);
        s->ent = NULL;
        int rc = entropy_new(&s->ent, s->doc, n);
        if (rc < 0) {
            core_error(s, rc, "entropy map");
            return;
        }
    } else if (!restart) {
        return;
    }
    entropy_progress(s->ent, &p);
    if (p.finished || job_find(s, &ent_job))
        return;
    EntJob *j = calloc(1, sizeof *j);
    if (!j) {
        fail(s, -ENOMEM, "entropy map: out of memory");
        return;
    }
    j->n = n;
    job_start(s, &ent_job, j, "the entropy map");
}

static void sample(Session *s, MapScreen *m, bool force)
{
    uint64_t t = sys_now_ns();
    if (m->stale != s->stale)
        force = true;
    if (!force && m->at && t - m->at < SESSION_SAMPLE_NS)
        return;
    m->at = t;
    m->stale = s->stale;
    m->cap = rmap_capacity(m->rows, m->cols);
    rmap_sample(&m->rmap, s->doc, m->cap); /* sets m->rmap.rc */
    if (m->rmap.n && m->sel >= m->rmap.n)
        m->sel = m->rmap.n - 1;
}

/* A paging key: run its command on the selected bucket. */
static unsigned act(Session *s, MapScreen *m, int key)
{
    if (m->rmap.n) {
        const RmapBucket *b = &m->rmap.b[m->sel < m->rmap.n ? m->sel : 0];
        s->pick_on = true;
        s->pick_off = b->lo;
        s->pick_len = b->hi - b->lo;
    }
    unsigned r = cmd_run(s, keymap_lookup(key));
    s->pick_on = false;
    sample(s, m, true);
    return r | MMH_R_REDRAW;
}

static unsigned map_key(Session *s, void *st, int key)
{
    MapScreen *m = st;
    size_t n = m->ent ? entropy_n(s->ent) : m->rmap.n, cols = m->cols > 0 ? (size_t)m->cols : 1,
           sel = m->sel;
    switch (key) {
    case MMH_KEY_LEFT:
    case 'h': sel = sel ? sel - 1 : 0; break;
    case MMH_KEY_RIGHT:
    case 'l': sel = sel + 1 < n ? sel + 1 : sel; break;
    case MMH_KEY_UP:
    case 'k': sel = sel >= cols ? sel - cols : sel; break;
    case MMH_KEY_DOWN:
    case 'j': sel = sel + cols < n ? sel + cols : sel; break;
    case MMH_KEY_HOME: sel = 0; break;
    case MMH_KEY_END: sel = n ? n - 1 : 0; break;
    case MMH_KEY_ENTER: {
        const EntBucket *eb = m->ent ? entropy_bucket(s->ent, sel) : NULL;
        uint64_t to = !n ? 0 : m->ent ? (eb ? eb->lo : 0) : m->rmap.b[sel].lo;
        screen_pop(s); /* m is gone */
        if (n)
            session_jump(s, to); /* Ctrl-O comes back */
        return MMH_R_REDRAW;
    }
    case MMH_KEY_ESC:
    case 'm':
    case 'q': screen_pop(s); return MMH_R_REDRAW;
    case MMH_KEY_TAB:
    case 'v':
        m->ent = !m->ent;
        if (m->ent)
            ent_show(s, m, true);
        return MMH_R_REDRAW;
    case 'e':
    case 'E':
    case 'p':
    case 'P':
    case 'a':
    case 'f':
    case 'F':
    case 'L': return act(s, m, key);
    default:
        fail(s, 0,
             "map: arrows select, Enter goes there, e p E P a f L act, Tab entropy, Esc leaves");
        break;
    }
    m->sel = sel;
    return MMH_R_REDRAW;
}

static void map_frame(Session *s, void *st, Grid *g)
{
    MapScreen *m = st;
    const char *path = map_path(doc_map(s->doc)), *nm = strrchr(path, '/');
    Resid *rr = doc_resid(s->doc);
    RmapInfo ri = {
        .name = nm ? nm + 1 : path,
        .cursor = s->view->cursor,
        .selected = m->sel,
        .message = s->msg[0] ? s->msg : NULL,
        .message_error = s->msg_err,
        .unknown_why = resid_known(rr) ? NULL : resid_why_unknown(rr),
    };
    if (m->rows != g->rows || m->cols != g->cols) { /* resized */
        m->rows = g->rows;
        m->cols = g->cols;
        sample(s, m, true);
    }
    if (m->ent) {
        ent_show(s, m, false); /* the file or the geometry changed: afresh */
        EmapInfo ei = {.name = ri.name,
                       .cursor = ri.cursor,
                       .selected = m->sel,
                       .message = ri.message,
                       .message_error = ri.message_error,
                       .running = job_find(s, &ent_job) != NULL};
        if (m->sel >= entropy_n(s->ent) && entropy_n(s->ent))
            m->sel = ei.selected = entropy_n(s->ent) - 1;
        emap_render(s->ent, &ei, g);
        return;
    }
    rmap_render(&m->rmap, &ri, g);
}

static void map_tick(Session *s, void *st)
{
    if (!s->batch)
        sample(s, st, false);
}

static void map_free(void *st)
{
    MapScreen *m = st;
    rmap_free(&m->rmap);
    free(m);
}

const ScreenType screen_map = {
    .name = "map",
    .key = map_key,
    .frame = map_frame,
    .tick = map_tick,
    .free = map_free,
};

int map_screen_open(Session *s)
{
    if (screen_top_is(s, &screen_map)) {
        screen_pop(s);
        return 0;
    }
    MapScreen *m = calloc(1, sizeof *m);
    if (!m)
        return fail(s, -ENOMEM, "map: out of memory");
    m->rows = s->rows;
    m->cols = s->cols;
    sample(s, m, true);
    m->sel = m->rmap.n ? rmap_bucket_of(&m->rmap, s->view->cursor) : 0;
    s->msg[0] = 0;
    return screen_push(s, &screen_map, m);
}
