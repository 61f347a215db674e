/*
 * test_rangeset: the set stays canonical (sorted, disjoint, non-adjacent)
 * under inserts and removals, checked against a brute-force bitmap.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rangeset.h"

static void assert_canonical(const RangeSet *s)
{
    for (size_t i = 0; i < s->n; i++) {
        assert_true(s->v[i].lo < s->v[i].hi);
        if (i)
            assert_true(s->v[i - 1].hi < s->v[i].lo);
    }
}

static void test_add_merges(void **state)
{
    (void)state;
    RangeSet s = RANGESET_INIT;
    assert_int_equal(rangeset_add(&s, 10, 20), 0);
    assert_int_equal(rangeset_add(&s, 30, 40), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(rangeset_add(&s, 20, 30), 0); /* adjacent on both sides */
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].lo, 10);
    assert_int_equal(s.v[0].hi, 40);
    assert_int_equal(rangeset_add(&s, 5, 5), 0); /* empty: ignored */
    assert_int_equal(s.n, 1);
    assert_int_equal(rangeset_add(&s, 0, 100), 0); /* swallows everything */
    assert_int_equal(s.n, 1);
    assert_int_equal(rangeset_total(&s), 100);
    rangeset_free(&s);
}

static void test_remove_splits(void **state)
{
    (void)state;
    RangeSet s = RANGESET_INIT;
    assert_int_equal(rangeset_add(&s, 0, 100), 0);
    assert_int_equal(rangeset_remove(&s, 40, 60), 0);
    assert_int_equal(s.n, 2);
    assert_true(rangeset_contains(&s, 39));
    assert_false(rangeset_contains(&s, 40));
    assert_false(rangeset_contains(&s, 59));
    assert_true(rangeset_contains(&s, 60));
    assert_int_equal(rangeset_covered(&s, 30, 70), 20);
    assert_true(rangeset_overlaps(&s, 59, 61));
    assert_false(rangeset_overlaps(&s, 40, 60));
    assert_int_equal(rangeset_remove(&s, 0, UINT64_MAX), 0);
    assert_int_equal(s.n, 0);
    rangeset_free(&s);
}

static void test_large_offsets(void **state)
{
    (void)state;
    RangeSet s = RANGESET_INIT;
    uint64_t t = 16ULL << 40;
    assert_int_equal(rangeset_add(&s, t - 4096, t), 0);
    assert_true(rangeset_contains(&s, t - 1));
    assert_false(rangeset_contains(&s, t));
    assert_int_equal(rangeset_total(&s), 4096);
    rangeset_free(&s);
}

/* Random operations on offsets 0..255, mirrored in a bitmap. */
static void test_random_against_bitmap(void **state)
{
    (void)state;
    RangeSet s = RANGESET_INIT;
    uint8_t bits[256] = {0};
    srand(12345);
    for (int round = 0; round < 20000; round++) {
        uint64_t a = (uint64_t)rand() % 256, b = (uint64_t)rand() % 257;
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        int add = rand() % 3 != 0;
        assert_int_equal(add ? rangeset_add(&s, a, b) : rangeset_remove(&s, a, b), 0);
        for (uint64_t i = a; i < b; i++)
            bits[i] = (uint8_t)add;
        assert_canonical(&s);
        uint64_t total = 0;
        for (uint64_t i = 0; i < 256; i++) {
            assert_int_equal(rangeset_contains(&s, i), bits[i]);
            total += bits[i];
        }
        assert_int_equal(rangeset_total(&s), total);
        uint64_t c = 0;
        for (uint64_t i = a; i < b; i++)
            c += bits[i];
        assert_int_equal(rangeset_covered(&s, a, b), c);
    }
    rangeset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges),
        cmocka_unit_test(test_remove_splits),
        cmocka_unit_test(test_large_offsets),
        cmocka_unit_test(test_random_against_bitmap),
    };
    return cmocka_run_group_tests_name("rangeset", tests, NULL, NULL);
}
