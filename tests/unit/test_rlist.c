/*
 * test_rlist: the bounded window and its count against a brute-force list.
 *
 * A fake source lists a sorted array of offsets, and answers RL_MORE at
 * random (a scan that has not reached its next item yet). Steps run with a
 * budget of 0 (one call of each scan per step), so every run is
 * deterministic. Windows are kept tiny (4 to 64 items) so refills in both
 * directions, drops at both ends and detaching the counter happen all the
 * time; after every operation the window must be a contiguous run of the
 * list, its indices right when it claims to know them, its end flags true.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rlist.h"

/* ---- the fake source ------------------------------------------------------- */

typedef struct Fake {
    const uint64_t *v; /* the list, rising */
    size_t n;          /* its length */
    unsigned more;     /* one call in `more` answers RL_MORE (0: never) */
    unsigned seed;     /* for that */
    int open;          /* scans open now */
    int max_open;      /* the most at once */
    int fail_at;       /* the counter fails after this many items (-1: never) */
} Fake;

typedef struct FakeScan {
    bool backward; /* direction */
    size_t pos;    /* forward: next index; backward: one past the next */
    size_t given;  /* items handed out */
} FakeScan;

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* The first index whose offset is >= off. */
static size_t lower(const Fake *f, uint64_t off)
{
    size_t a = 0, b = f->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (f->v[m] < off)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static int fake_open(void *ctx, bool backward, uint64_t from, void **scan)
{
    Fake *f = ctx;
    FakeScan *sc = calloc(1, sizeof *sc);
    if (!sc)
        return -ENOMEM;
    sc->backward = backward;
    sc->pos = lower(f, from);
    *scan = sc;
    if (++f->open > f->max_open)
        f->max_open = f->open;
    return 0;
}

static int fake_next(void *ctx, void *scan, uint64_t budget_ns, RlItem *it)
{
    Fake *f = ctx;
    FakeScan *sc = scan;
    (void)budget_ns;
    if (f->more && rnd(&f->seed) % f->more == 0)
        return RL_MORE;
    if (!sc->backward && f->fail_at >= 0 && sc->given == (size_t)f->fail_at)
        return -EIO;
    if (sc->backward ? sc->pos == 0 : sc->pos == f->n)
        return RL_END;
    size_t i = sc->backward ? --sc->pos : sc->pos++;
    *it = (RlItem){f->v[i], 1 + f->v[i] % 7};
    sc->given++;
    return RL_ITEM;
}

static void fake_progress(void *ctx, void *scan, RlProgress *out)
{
    Fake *f = ctx;
    FakeScan *sc = scan;
    *out = (RlProgress){.at = sc->pos < f->n ? f->v[sc->pos] : 0, .done = sc->pos, .total = f->n};
}

static void fake_close(void *ctx, void *scan)
{
    Fake *f = ctx;
    f->open--;
    free(scan);
}

static const RlSource fake_src = {fake_open, fake_next, fake_progress, fake_close};

/* n distinct rising offsets, gaps of 1..gap. */
static uint64_t *make_list(size_t n, unsigned gap, unsigned *seed)
{
    uint64_t *v = calloc(n ? n : 1, sizeof *v);
    assert_non_null(v);
    uint64_t off = rnd(seed) % 5;
    for (size_t i = 0; i < n; i++) {
        v[i] = off;
        off += 1 + rnd(seed) % gap;
    }
    return v;
}

/* ---- the invariants ------------------------------------------------------------ */

static void check(const RList *l, const Fake *f, size_t cap)
{
    size_t n = rlist_len(l);
    assert_true(n <= cap);
    if (n == 0) {
        assert_int_equal(rlist_sel(l), 0);
        assert_null(rlist_item(l, 0));
    } else {
        assert_true(rlist_sel(l) < n);
        size_t j = lower(f, rlist_item(l, 0)->off);
        assert_true(j < f->n);
        assert_true(j + n <= f->n);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(rlist_item(l, i)->off, f->v[j + i]);
            assert_int_equal(rlist_item(l, i)->len, 1 + f->v[j + i] % 7);
        }
        uint64_t idx;
        if (rlist_index(l, 0, &idx))
            assert_int_equal(idx, j);
        if (rlist_at_start(l))
            assert_int_equal(j, 0);
        if (rlist_at_end(l))
            assert_int_equal(j + n, f->n);
    }
    if (n == 0 && rlist_at_start(l) && rlist_at_end(l))
        assert_int_equal(f->n, 0);
    assert_true(rlist_count(l) <= f->n);
    if (rlist_count_state(l) == RL_COUNTED)
        assert_int_equal(rlist_count(l), f->n);
    assert_true(f->open <= 2);
}

/* Step until nothing runs (or limit steps). */
static void settle(RList *l, const Fake *f, size_t cap, int limit)
{
    for (int i = 0; i < limit && rlist_busy(l); i++) {
        rlist_step(l, 0);
        check(l, f, cap);
    }
}

/* ---- the tests ------------------------------------------------------------------ */

/* A list shorter than the window: the counter fills it, all of it. */
static void test_short_list(void **state)
{
    (void)state;
    static const uint64_t v[] = {3, 9, 10, 200, 4096};
    Fake f = {.v = v, .n = 5, .more = 3, .seed = 1, .fail_at = -1};
    RList *l = NULL;
    assert_int_equal(rlist_new(&l, &fake_src, &f, 16, 2), 0);
    assert_true(rlist_busy(l));
    assert_int_equal(rlist_count_state(l), RL_COUNTING);
    settle(l, &f, 16, 1000);
    assert_false(rlist_busy(l));
    assert_int_equal(rlist_count_state(l), RL_COUNTED);
    assert_int_equal(rlist_count(l), 5);
    assert_int_equal(rlist_len(l), 5);
    assert_true(rlist_at_start(l));
    assert_true(rlist_at_end(l));
    RlProgress p;
    rlist_count_progress(l, &p);
    assert_int_equal(p.done, p.total);
    uint64_t idx;
    assert_true(rlist_index(l, 4, &idx));
    assert_int_equal(idx, 4);
    rlist_move(l, 100);
    assert_int_equal(rlist_sel(l), 4);
    rlist_move(l, -2);
    assert_int_equal(rlist_sel(l), 2);
    rlist_last(l);
    assert_int_equal(rlist_sel(l), 4);
    rlist_first(l);
    assert_int_equal(rlist_sel(l), 0);
    assert_false(rlist_busy(l)); /* nothing to fetch: all of it is held */
    rlist_free(l);
    assert_int_equal(f.open, 0);
}

static void test_empty_list(void **state)
{
    (void)state;
    Fake f = {.v = NULL, .n = 0, .fail_at = -1};
    RList *l = NULL;
    assert_int_equal(rlist_new(&l, &fake_src, &f, 8, 2), 0);
    settle(l, &f, 8, 10);
    assert_int_equal(rlist_count_state(l), RL_COUNTED);
    assert_int_equal(rlist_count(l), 0);
    assert_int_equal(rlist_len(l), 0);
    rlist_last(l);
    rlist_move(l, 5);
    rlist_move(l, -5);
    settle(l, &f, 8, 10);
    assert_int_equal(rlist_len(l), 0);
    assert_false(rlist_busy(l));
    rlist_free(l);
    assert_int_equal(f.open, 0);
    assert_int_equal(rlist_new(&l, &fake_src, &f, 3, 1), -EINVAL); /* too small */
}

/* Memory is the window: the counter goes on counting past it. */
static void test_window_stays_bounded(void **state)
{
    (void)state;
    unsigned seed = 7;
    uint64_t *v = make_list(100000, 3, &seed);
    Fake f = {.v = v, .n = 100000, .more = 0, .fail_at = -1};
    RList *l = NULL;
    assert_int_equal(rlist_new(&l, &fake_src, &f, 64, 8), 0);
    settle(l, &f, 64, 200000);
    assert_int_equal(rlist_count(l), 100000);
    assert_int_equal(rlist_len(l), 64); /* the head of the list, and no more */
    assert_true(rlist_at_start(l));
    assert_false(rlist_at_end(l));
    rlist_free(l);
    free(v);
}

/* Walking the whole list one item at a time, down and then up, visits
 * every item in order, whatever the window's size. */
static void test_walk_both_ways(void **state)
{
    (void)state;
    static const size_t caps[] = {4, 5, 8, 16, 64};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        size_t cap = caps[c];
        unsigned seed = (unsigned)(cap * 31);
        size_t n = 1000 + rnd(&seed) % 500;
        uint64_t *v = make_list(n, 9, &seed);
        Fake f = {.v = v, .n = n, .more = 4, .seed = seed, .fail_at = -1};
        RList *l = NULL;
        assert_int_equal(rlist_new(&l, &fake_src, &f, cap, cap / 4), 0);
        /* down: the item under the cursor after each move is the next one */
        size_t seen = 0;
        int guard = 0;
        while (rlist_len(l) == 0) {
            assert_true(++guard < 1000);
            rlist_step(l, 0);
        }
        assert_int_equal(rlist_item(l, rlist_sel(l))->off, v[0]);
        while (seen + 1 < n) {
            assert_true(++guard < 1000000);
            size_t sel = rlist_sel(l);
            rlist_move(l, 1);
            check(l, &f, cap);
            if (rlist_sel(l) == sel) { /* at the window's end: wait for more */
                assert_false(rlist_at_end(l));
                rlist_step(l, 0);
                check(l, &f, cap);
                continue;
            }
            assert_int_equal(rlist_item(l, rlist_sel(l))->off, v[++seen]);
        }
        rlist_move(l, 1);
        settle(l, &f, cap, 1000000);
        assert_true(rlist_at_end(l));
        assert_int_equal(rlist_item(l, rlist_sel(l))->off, v[n - 1]);
        /* and back up */
        while (seen > 0) {
            assert_true(++guard < 1000000);
            size_t sel = rlist_sel(l);
            rlist_move(l, -1);
            check(l, &f, cap);
            if (rlist_sel(l) == sel) {
                assert_false(rlist_at_start(l));
                rlist_step(l, 0);
                check(l, &f, cap);
                continue;
            }
            assert_int_equal(rlist_item(l, rlist_sel(l))->off, v[--seen]);
        }
        assert_true(f.max_open <= 2);
        rlist_free(l);
        assert_int_equal(f.open, 0);
        free(v);
    }
}

/* The last item before the count is known: listed backward from the end,
 * its index learnt when the count ends. */
static void test_last_before_count(void **state)
{
    (void)state;
    unsigned seed = 99;
    size_t n = 50000;
    uint64_t *v = make_list(n, 5, &seed);
    Fake f = {.v = v, .n = n, .more = 2, .seed = 3, .fail_at = -1};
    RList *l = NULL;
    assert_int_equal(rlist_new(&l, &fake_src, &f, 32, 4), 0);
    for (int i = 0; i < 20; i++)
        rlist_step(l, 0);
    assert_int_equal(rlist_count_state(l), RL_COUNTING);
    rlist_last(l);
    assert_true(rlist_loading(l));
    for (int i = 0; i < 1000 && rlist_loading(l); i++) {
        rlist_step(l, 0);
        check(l, &f, 32);
    }
    assert_false(rlist_loading(l));
    assert_true(rlist_len(l) >= 16);
    assert_true(rlist_at_end(l));
    assert_int_equal(rlist_item(l, rlist_sel(l))->off, v[n - 1]);
    uint64_t idx;
    assert_false(rlist_index(l, rlist_sel(l), &idx));
    assert_int_equal(rlist_count_state(l), RL_COUNTING);
    settle(l, &f, 32, 1000000);
    assert_int_equal(rlist_count_state(l), RL_COUNTED);
    assert_true(rlist_index(l, rlist_sel(l), &idx));
    assert_int_equal(idx, n - 1);
    /* PgUp a long way: refills backward */
    for (int k = 0; k < 200; k++) {
        rlist_move(l, -7);
        rlist_step(l, 0);
        rlist_step(l, 0);
        check(l, &f, 32);
    }
    assert_true(rlist_index(l, rlist_sel(l), &idx));
    assert_true(idx < n - 1);
    assert_int_equal(rlist_item(l, rlist_sel(l))->off, v[idx]);
    /* and home again */
    rlist_first(l);
    settle(l, &f, 32, 10000);
    assert_int_equal(rlist_sel(l), 0);
    assert_int_equal(rlist_item(l, 0)->off, v[0]);
    assert_true(rlist_at_start(l));
    rlist_free(l);
    free(v);
}

/* Random moves, jumps and steps over random lists and windows. */
static void test_random_against_brute(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int round = 0; round < 60; round++) {
        size_t n = rnd(&seed) % 4 == 0 ? rnd(&seed) % 10 : rnd(&seed) % 3000;
        size_t cap = 4 + rnd(&seed) % 61;
        size_t margin = 1 + rnd(&seed) % (cap / 4);
        uint64_t *v = make_list(n, 1 + rnd(&seed) % 50, &seed);
        unsigned more = rnd(&seed) % 5; /* 1 would never move on */
        Fake f = {.v = v, .n = n, .more = more == 1 ? 0 : more, .seed = seed, .fail_at = -1};
        RList *l = NULL;
        assert_int_equal(rlist_new(&l, &fake_src, &f, cap, margin), 0);
        for (int op = 0; op < 2000; op++) {
            unsigned r = rnd(&seed) % 100;
            size_t before = rlist_len(l) ? rlist_item(l, rlist_sel(l))->off : 0;
            bool had = rlist_len(l) > 0;
            if (r < 50) {
                rlist_step(l, 0);
                /* a step never moves the cursor off its item */
                if (had)
                    assert_int_equal(rlist_item(l, rlist_sel(l))->off, before);
            } else if (r < 90) {
                int64_t d = (int64_t)(rnd(&seed) % (3 * cap)) - (int64_t)(3 * cap / 2);
                rlist_move(l, d);
            } else if (r < 94) {
                rlist_first(l);
            } else if (r < 98) {
                rlist_last(l);
            } else if (r < 99) {
                rlist_cancel(l);
                assert_false(rlist_count_state(l) == RL_COUNTING);
            }
            check(l, &f, cap);
        }
        settle(l, &f, cap, 1000000);
        assert_false(rlist_busy(l));
        assert_int_equal(rlist_error(l), 0);
        rlist_free(l);
        assert_int_equal(f.open, 0);
        assert_true(f.max_open <= 2);
        free(v);
    }
}

/* A scan's error stops the count (RL_FAILED) and is kept. */
static void test_counter_error(void **state)
{
    (void)state;
    unsigned seed = 5;
    uint64_t *v = make_list(100, 4, &seed);
    Fake f = {.v = v, .n = 100, .fail_at = 40};
    RList *l = NULL;
    assert_int_equal(rlist_new(&l, &fake_src, &f, 16, 2), 0);
    settle(l, &f, 16, 1000);
    assert_int_equal(rlist_count_state(l), RL_FAILED);
    assert_int_equal(rlist_error(l), -EIO);
    assert_int_equal(rlist_count(l), 40);
    assert_false(rlist_busy(l));
    rlist_free(l);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_list),           cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_window_stays_bounded), cmocka_unit_test(test_walk_both_ways),
        cmocka_unit_test(test_last_before_count),    cmocka_unit_test(test_random_against_brute),
        cmocka_unit_test(test_counter_error),
    };
    return cmocka_run_group_tests_name("rlist", tests, NULL, NULL);
}
