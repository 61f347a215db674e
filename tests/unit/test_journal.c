/*
 * test_journal: the edit history against a plain byte array. The apply
 * callback writes into the array (and counts and logs its calls), so each
 * test checks the bytes an undo or redo leaves, the grouping and merging of
 * records, the saved marker, the edited runs and truncation; a randomized
 * test runs thousands of edits, snapshots, undos, redos and saves against a
 * model that keeps a full copy of the buffer for every undo step.
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

#include "journal.h"

#define BUF 64      /* bytes in the test document */
#define LOG_MAX 256 /* calls remembered by the callback */

typedef struct Doc {
    uint8_t mem[BUF];          /* the document */
    size_t calls;              /* apply calls made */
    uint64_t log_off[LOG_MAX]; /* offset of each of the first LOG_MAX calls */
    size_t log_len[LOG_MAX];   /* and its length */
    size_t fail_at;            /* fail the call with this number (1-based), 0: never */
    uint64_t limit;            /* writes must stay below this offset */
} Doc;

static int apply(uint64_t off, const uint8_t *bytes, const uint8_t *prev, size_t len, void *ctx)
{
    (void)prev;
    Doc *d = ctx;
    d->calls++;
    if (d->fail_at && d->calls == d->fail_at)
        return -EIO;
    assert_true(off + len <= d->limit);
    if (d->calls <= LOG_MAX) {
        d->log_off[d->calls - 1] = off;
        d->log_len[d->calls - 1] = len;
    }
    memcpy(d->mem + off, bytes, len);
    return 0;
}

/* A callback for documents too large to hold: it only counts. */
static int count_only(uint64_t off, const uint8_t *bytes, const uint8_t *prev, size_t len,
                      void *ctx)
{
    (void)prev;
    (void)off;
    (void)bytes;
    (void)len;
    ++*(size_t *)ctx;
    return 0;
}

static void doc_init(Doc *d, const char *text)
{
    memset(d, 0, sizeof *d);
    memset(d->mem, '.', BUF);
    memcpy(d->mem, text, strlen(text));
    d->limit = BUF;
}

/* Type len bytes at off: record old and new, then change the document. */
static void put(Journal *j, Doc *d, uint64_t off, const void *bytes, size_t len)
{
    assert_int_equal(journal_record(j, off, d->mem + off, bytes, len), 0);
    memcpy(d->mem + off, bytes, len);
}

static void put_str(Journal *j, Doc *d, uint64_t off, const char *s)
{
    put(j, d, off, s, strlen(s));
}

static void assert_doc(const Doc *d, const char *text)
{
    assert_memory_equal(d->mem, text, strlen(text));
}

static Journal *new_journal(void)
{
    Journal *j = NULL;
    assert_int_equal(journal_new(&j), 0);
    assert_non_null(j);
    return j;
}

static void test_empty(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abc");
    uint64_t where = 77;
    assert_false(journal_can_undo(j));
    assert_false(journal_can_redo(j));
    assert_false(journal_modified(j));
    assert_int_equal(journal_undo(j, apply, &d, &where), 1);
    assert_int_equal(journal_redo(j, apply, &d, &where), 1);
    assert_int_equal(where, 77);
    assert_int_equal(d.calls, 0);
    assert_int_equal(journal_groups(j), 0);
    assert_int_equal(journal_records(j), 0);
    assert_int_equal(journal_runs(j)->n, 0);
    journal_snapshot(j);                                        /* no open group: nothing happens */
    assert_int_equal(journal_record(j, 5, d.mem, d.mem, 0), 0); /* empty: ignored */
    assert_int_equal(journal_records(j), 0);
    /* A range that would end past the largest offset is refused. */
    assert_int_equal(journal_record(j, UINT64_MAX - 1, d.mem, d.mem, 2), -EINVAL);
    assert_int_equal(journal_records(j), 0);
    assert_false(journal_modified(j));
    journal_free(j);
    journal_free(NULL);
}

static void test_undo_redo(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abcdefgh");
    put_str(j, &d, 0, "XY");
    journal_snapshot(j);
    put_str(j, &d, 4, "Z");
    journal_snapshot(j);
    assert_doc(&d, "XYcdZfgh");
    assert_int_equal(journal_groups(j), 2);

    uint64_t where = 0;
    assert_int_equal(journal_undo(j, apply, &d, &where), 0);
    assert_doc(&d, "XYcdefgh");
    assert_int_equal(where, 4);
    assert_int_equal(journal_undo(j, apply, &d, &where), 0);
    assert_doc(&d, "abcdefgh");
    assert_int_equal(where, 0);
    assert_false(journal_can_undo(j));
    assert_true(journal_can_redo(j));
    assert_int_equal(journal_undo(j, apply, &d, NULL), 1);

    assert_int_equal(journal_redo(j, apply, &d, &where), 0);
    assert_doc(&d, "XYcdefgh");
    assert_int_equal(where, 0);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_doc(&d, "XYcdZfgh");
    assert_int_equal(journal_redo(j, apply, &d, NULL), 1);
    assert_int_equal(journal_groups(j), 2);
    assert_int_equal(journal_records(j), 2);
    journal_free(j);
}

/* Everything between snapshots is one step: undo newest record first, redo
 * oldest first, and report the lowest offset. */
static void test_group_by_snapshot(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "0123456789abcdef");
    put_str(j, &d, 10, "A");
    put_str(j, &d, 2, "B");
    put_str(j, &d, 6, "C");
    journal_snapshot(j);
    journal_snapshot(j); /* twice is the same as once */
    put_str(j, &d, 15, "D");
    assert_doc(&d, "01B345C789AbcdeD");
    assert_int_equal(journal_groups(j), 2);
    assert_int_equal(journal_records(j), 4);

    uint64_t where;
    assert_int_equal(journal_undo(j, apply, &d, &where), 0);
    assert_int_equal(where, 15);
    assert_doc(&d, "01B345C789Abcdef");
    d.calls = 0;
    assert_int_equal(journal_undo(j, apply, &d, &where), 0);
    assert_int_equal(where, 2);
    assert_doc(&d, "0123456789abcdef");
    assert_int_equal(d.calls, 3);
    assert_int_equal(d.log_off[0], 6);
    assert_int_equal(d.log_off[1], 2);
    assert_int_equal(d.log_off[2], 10);

    d.calls = 0;
    assert_int_equal(journal_redo(j, apply, &d, &where), 0);
    assert_int_equal(where, 2);
    assert_int_equal(d.calls, 3);
    assert_int_equal(d.log_off[0], 10);
    assert_int_equal(d.log_off[1], 2);
    assert_int_equal(d.log_off[2], 6);
    assert_doc(&d, "01B345C789Abcdef");
    journal_free(j);
}

/* Typing the two nibbles of one byte: one record, and undo restores the
 * byte as it was before the first nibble. */
static void test_nibble_merge(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "");
    d.mem[5] = 0x00;
    uint8_t b = 0xa0;
    put(j, &d, 5, &b, 1);
    b = 0xab;
    put(j, &d, 5, &b, 1);
    assert_int_equal(journal_records(j), 1);
    assert_int_equal(d.mem[5], 0xab);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_int_equal(d.mem[5], 0x00);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_int_equal(d.mem[5], 0xab);
    journal_free(j);
}

static void test_typing_merges(void **state)
{
    (void)state;
    Journal *j = new_journal();
    size_t calls = 0;
    uint8_t old = 0, new_ = 1;
    for (uint64_t i = 0; i < 10000; i++) {
        assert_int_equal(journal_record(j, 1000 + i, &old, &new_, 1), 0);
        assert_int_equal(journal_record(j, 1000 + i, &new_, &new_, 1), 0); /* second nibble */
    }
    assert_int_equal(journal_records(j), 1);
    assert_int_equal(journal_groups(j), 1);
    const RangeSet *runs = journal_runs(j);
    assert_int_equal(runs->n, 1);
    assert_int_equal(runs->v[0].lo, 1000);
    assert_int_equal(runs->v[0].hi, 11000);
    uint64_t where;
    assert_int_equal(journal_undo(j, count_only, &calls, &where), 0);
    assert_int_equal(calls, 1);
    assert_int_equal(where, 1000);
    journal_free(j);

    /* A record that overlaps the end of the previous one and runs past it
     * merges too: old bytes kept where it overlaps, appended past it. */
    j = new_journal();
    Doc d;
    doc_init(&d, "abcdefgh");
    put_str(j, &d, 1, "XY");
    put_str(j, &d, 2, "PQR");
    put_str(j, &d, 1, "Z");
    assert_doc(&d, "aZPQRfgh");
    assert_int_equal(journal_records(j), 1);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.log_off[0], 1);
    assert_int_equal(d.log_len[0], 4);
    assert_doc(&d, "abcdefgh");
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_doc(&d, "aZPQRfgh");
    journal_free(j);
}

/* What does not merge: a byte before the record, a gap, a closed group. */
static void test_no_merge(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abcdefgh");
    put_str(j, &d, 4, "X");
    put_str(j, &d, 3, "Y"); /* backwards */
    assert_int_equal(journal_records(j), 2);
    put_str(j, &d, 6, "Z"); /* gap after the newest record (3) */
    assert_int_equal(journal_records(j), 3);
    journal_snapshot(j);
    put_str(j, &d, 7, "W"); /* would continue, but in a new group */
    assert_int_equal(journal_records(j), 4);
    assert_int_equal(journal_groups(j), 2);
    assert_doc(&d, "abcYXfZW");
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "abcYXfZh");
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "abcdefgh");
    journal_free(j);
}

static void test_redo_dropped(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abcdefgh");
    put_str(j, &d, 0, "A");
    journal_snapshot(j);
    put_str(j, &d, 1, "B");
    journal_snapshot(j);
    put_str(j, &d, 2, "C");
    journal_snapshot(j);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "Abcdefgh");
    assert_true(journal_can_redo(j));
    assert_int_equal(journal_records(j), 3);

    put_str(j, &d, 5, "F"); /* new edit: the redo branch goes */
    assert_false(journal_can_redo(j));
    assert_int_equal(journal_redo(j, apply, &d, NULL), 1);
    assert_int_equal(journal_records(j), 2);
    assert_int_equal(journal_groups(j), 2);
    assert_doc(&d, "AbcdeFgh");

    /* The record after undo does not merge into the group undone before it,
     * even though it continues it. */
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    put_str(j, &d, 1, "b");
    assert_int_equal(journal_records(j), 2);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "Abcdefgh");
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "abcdefgh");
    assert_int_equal(journal_undo(j, apply, &d, NULL), 1);
    journal_free(j);
}

static void test_modified(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abcdefgh");
    assert_false(journal_modified(j));
    put_str(j, &d, 0, "A");
    assert_true(journal_modified(j));
    journal_snapshot(j);
    put_str(j, &d, 1, "B");
    journal_mark_saved(j);
    assert_false(journal_modified(j));
    assert_int_equal(journal_runs(j)->n, 0);

    /* Saving closed the open group: the next byte is a new step, and
     * undoing it is back to clean. */
    put_str(j, &d, 2, "C");
    assert_true(journal_modified(j));
    assert_int_equal(journal_records(j), 3);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "ABcdefgh");
    assert_false(journal_modified(j));
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0); /* before the save */
    assert_true(journal_modified(j));
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_false(journal_modified(j));
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_true(journal_modified(j));
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_false(journal_modified(j));

    /* A new step from the saved point keeps the saved point. */
    put_str(j, &d, 7, "H");
    assert_true(journal_modified(j));
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_false(journal_modified(j));

    /* Undo below the saved point and edit: the saved state is gone with the
     * redo branch, and no undo or redo reaches it again. */
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    put_str(j, &d, 4, "E");
    assert_true(journal_modified(j));
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_true(journal_modified(j));
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_true(journal_modified(j));
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_true(journal_modified(j));
    journal_mark_saved(j); /* until the next save */
    assert_false(journal_modified(j));
    assert_doc(&d, "AbcdEfgh");
    journal_free(j);
}

static void test_runs(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "");
    put_str(j, &d, 0, "ab");
    put_str(j, &d, 10, "c");
    put_str(j, &d, 2, "de");
    journal_snapshot(j);
    const RangeSet *runs = journal_runs(j);
    assert_int_equal(runs->n, 2);
    assert_int_equal(runs->v[0].lo, 0);
    assert_int_equal(runs->v[0].hi, 4);
    assert_int_equal(runs->v[1].lo, 10);
    assert_int_equal(runs->v[1].hi, 11);

    journal_mark_saved(j);
    assert_int_equal(runs->n, 0);
    /* Undoing past the save changes bytes the file holds: they are runs. */
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_int_equal(runs->n, 2);
    assert_int_equal(rangeset_total(runs), 5);
    journal_mark_saved(j);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_int_equal(rangeset_total(runs), 5);
    journal_mark_saved(j);
    put_str(j, &d, 20, "xyz");
    assert_int_equal(runs->n, 1);
    assert_int_equal(runs->v[0].lo, 20);
    assert_int_equal(runs->v[0].hi, 23);
    journal_free(j);
}

static void test_truncate(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abcdefghijklmnopqrstuvwxyz");
    put_str(j, &d, 0, "AB"); /* group 0 */
    journal_snapshot(j);
    put_str(j, &d, 20, "U"); /* group 1: past the new end */
    journal_snapshot(j);
    put_str(j, &d, 8, "IJKL"); /* group 2: straddles it */
    put_str(j, &d, 22, "W");
    journal_mark_saved(j);   /* saved after group 2 */
    put_str(j, &d, 15, "P"); /* group 3: past the new end */
    journal_snapshot(j);
    put_str(j, &d, 1, "b"); /* group 4 */
    assert_int_equal(journal_groups(j), 5);
    assert_int_equal(journal_records(j), 6);
    assert_true(journal_modified(j));

    journal_truncate(j, 10);
    d.limit = 10; /* the callback asserts nothing is written at or past 10 */
    assert_int_equal(journal_groups(j), 3);
    assert_int_equal(journal_records(j), 3);
    assert_true(journal_modified(j));
    const RangeSet *runs = journal_runs(j);
    assert_int_equal(runs->n, 1); /* [1, 2); [15, 16) is gone */
    assert_int_equal(runs->v[0].lo, 1);
    assert_int_equal(runs->v[0].hi, 2);

    /* The typing run goes on in the open group, on top of the compacted
     * arenas. */
    put_str(j, &d, 2, "C");
    assert_int_equal(journal_records(j), 3);
    assert_doc(&d, "AbCdefghIJ");

    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "ABcdefghIJ");
    assert_false(journal_modified(j)); /* the saved point, group 2, survived */
    d.calls = 0;
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.log_off[0], 8);
    assert_int_equal(d.log_len[0], 2);
    assert_doc(&d, "ABcdefghij");
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "abcdefghij");
    assert_int_equal(journal_undo(j, apply, &d, NULL), 1);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_int_equal(journal_redo(j, apply, &d, NULL), 1);
    assert_doc(&d, "AbCdefghIJ");

    journal_truncate(j, 0); /* everything goes */
    assert_int_equal(journal_groups(j), 0);
    assert_int_equal(journal_records(j), 0);
    assert_int_equal(journal_runs(j)->n, 0);
    assert_false(journal_can_undo(j));
    assert_false(journal_can_redo(j));
    /* What is left, nothing, does not differ from the saved state. */
    assert_false(journal_modified(j));
    journal_free(j);

    /* When the open group goes, the next record starts a group of its own
     * instead of joining an older one. */
    j = new_journal();
    doc_init(&d, "abcdefghijklmnopqrstuvwxyz");
    put_str(j, &d, 2, "C");
    journal_snapshot(j);
    put_str(j, &d, 20, "U");
    journal_truncate(j, 10);
    d.limit = 10;
    assert_int_equal(journal_groups(j), 1);
    put_str(j, &d, 3, "D"); /* would continue the record in group 0 */
    assert_int_equal(journal_groups(j), 2);
    assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
    assert_doc(&d, "abCdefghij");
    journal_free(j);
}

/* A failing callback leaves the journal where it was, for undo and redo. */
static void test_apply_failure(void **state)
{
    (void)state;
    Journal *j = new_journal();
    Doc d;
    doc_init(&d, "abcdefgh");
    put_str(j, &d, 0, "A");
    journal_snapshot(j);
    put_str(j, &d, 2, "C");
    put_str(j, &d, 4, "E");
    journal_snapshot(j);

    d.calls = 0;
    d.fail_at = 2;
    uint64_t where = 99;
    assert_int_equal(journal_undo(j, apply, &d, &where), -EIO);
    assert_int_equal(where, 99);
    assert_int_equal(journal_groups(j), 2);
    assert_false(journal_can_redo(j));
    assert_doc(&d, "AbCdefgh"); /* the first record did go back */

    d.calls = 0;
    d.fail_at = 0;
    assert_int_equal(journal_undo(j, apply, &d, &where), 0);
    assert_doc(&d, "Abcdefgh");
    assert_int_equal(journal_groups(j), 1);

    d.calls = 0;
    d.fail_at = 1;
    assert_int_equal(journal_redo(j, apply, &d, NULL), -EIO);
    assert_int_equal(journal_groups(j), 1);
    assert_true(journal_can_redo(j));
    d.fail_at = 0;
    assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
    assert_doc(&d, "AbCdEfgh");
    assert_false(journal_can_redo(j));
    journal_free(j);
}

/* Undo and redo touch only the group they move over, however long the
 * history (counted in callback calls, not time). */
static void test_cost_per_group(void **state)
{
    (void)state;
    Journal *j = new_journal();
    uint8_t old = 0, new_ = 1;
    for (uint64_t g = 0; g < 100000; g++) {
        assert_int_equal(journal_record(j, g * 2, &old, &new_, 1), 0);
        journal_snapshot(j);
    }
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(journal_record(j, 1000000 + i * 10, &old, &new_, 1), 0);
    assert_int_equal(journal_groups(j), 100001);
    assert_int_equal(journal_records(j), 100003);

    size_t calls = 0;
    uint64_t where;
    assert_int_equal(journal_undo(j, count_only, &calls, &where), 0);
    assert_int_equal(calls, 3);
    assert_int_equal(where, 1000000);
    calls = 0;
    assert_int_equal(journal_undo(j, count_only, &calls, &where), 0);
    assert_int_equal(calls, 1);
    assert_int_equal(where, 199998);
    calls = 0;
    assert_int_equal(journal_redo(j, count_only, &calls, NULL), 0);
    assert_int_equal(calls, 1);
    journal_free(j);
}

/* ---- Randomized, against a model ----------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

#define MAX_STATES 20001

typedef struct Model {
    uint8_t states[MAX_STATES][BUF]; /* the document after each undo step */
    uint64_t ids[MAX_STATES];        /* a fresh id each time a state changes */
    size_t pos;                      /* the current state */
    size_t top;                      /* the newest state held (redo reaches it) */
    bool open;                       /* an edit changes states[pos] in place */
    uint64_t next_id;                /* for ids */
    uint64_t saved_id;               /* id of the saved state */
    uint8_t saved[BUF];              /* bytes of the saved state */
} Model;

/* A random edit, often continuing the last one or rewriting its byte, so
 * merges happen; recorded in the journal, the document and the model. */
static void random_edit(Journal *j, Doc *d, Model *m, uint64_t *last)
{
    uint64_t off;
    uint32_t how = rnd(4);
    if (how == 0 && *last < BUF)
        off = *last; /* continue */
    else if (how == 1 && *last > 0)
        off = *last - 1; /* the same byte again */
    else
        off = rnd(BUF);
    size_t len = 1 + rnd(8);
    if (len > BUF - off)
        len = BUF - off;
    uint8_t bytes[8];
    for (size_t i = 0; i < len; i++)
        bytes[i] = (uint8_t)rnd(256);
    put(j, d, off, bytes, len);
    *last = off + len;
    if (!m->open) {
        m->pos++;
        m->top = m->pos;
        m->open = true;
    }
    memcpy(m->states[m->pos], d->mem, BUF);
    m->ids[m->pos] = m->next_id++;
}

static void check_model(const Journal *j, const Doc *d, const Model *m)
{
    assert_memory_equal(d->mem, m->states[m->pos], BUF);
    assert_int_equal(journal_groups(j), m->pos);
    assert_int_equal(journal_can_undo(j), m->pos > 0);
    assert_int_equal(journal_can_redo(j), m->pos < m->top);
    assert_int_equal(journal_modified(j), m->ids[m->pos] != m->saved_id);
    /* Every byte that differs from the saved state is in the runs. */
    const RangeSet *runs = journal_runs(j);
    for (uint64_t i = 0; i < BUF; i++)
        if (d->mem[i] != m->saved[i])
            assert_true(rangeset_contains(runs, i));
    assert_true(journal_records(j) >= m->top);
}

/* Run steps random operations; with edits_only, only edits and snapshots,
 * which leave the longest history. */
static void run_random(Journal *j, Doc *d, Model *m, int steps, uint64_t *last)
{
    for (int step = 0; step < steps; step++) {
        uint32_t op = rnd(100);
        if (op < 45) {
            random_edit(j, d, m, last);
        } else if (op < 60) {
            journal_snapshot(j);
            m->open = false;
        } else if (op < 77) {
            int r = journal_undo(j, apply, d, NULL);
            if (m->pos == 0) {
                assert_int_equal(r, 1);
            } else {
                assert_int_equal(r, 0);
                m->pos--;
                m->open = false;
            }
        } else if (op < 95) {
            int r = journal_redo(j, apply, d, NULL);
            if (m->pos == m->top) {
                assert_int_equal(r, 1);
            } else {
                assert_int_equal(r, 0);
                m->pos++;
            }
        } else {
            journal_mark_saved(j);
            m->open = false;
            m->saved_id = m->ids[m->pos];
            memcpy(m->saved, d->mem, BUF);
            assert_int_equal(journal_runs(j)->n, 0);
        }
        check_model(j, d, m);
    }
}

static Model *new_model(Doc *d, uint64_t seed)
{
    Model *m = calloc(1, sizeof *m);
    assert_non_null(m);
    rng_state = seed;
    doc_init(d, "");
    for (size_t i = 0; i < BUF; i++)
        d->mem[i] = (uint8_t)rnd(256);
    memcpy(m->states[0], d->mem, BUF);
    memcpy(m->saved, d->mem, BUF);
    m->next_id = 1;
    return m;
}

static void test_random_model(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        Journal *j = new_journal();
        Doc d;
        Model *m = new_model(&d, seed * 0x9e3779b97f4a7c15u);
        uint64_t last = 0;
        run_random(j, &d, m, 5000, &last);
        /* Walk the whole history down and up again. */
        while (m->pos > 0) {
            assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
            m->pos--;
            check_model(j, &d, m);
        }
        m->open = false;
        while (m->pos < m->top) {
            assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
            m->pos++;
            check_model(j, &d, m);
        }
        journal_free(j);
        free(m);
    }
}

/* After a random history, truncation keeps exactly the bytes below the new
 * size: undoing everything restores them as they were first, redoing
 * everything gives them as they were last, and nothing is written past. */
static void test_random_truncate(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        Journal *j = new_journal();
        Doc d;
        Model *m = new_model(&d, seed * 0x2545f4914f6cdd1du);
        uint64_t last = 0;
        run_random(j, &d, m, 200, &last);
        size_t before = journal_groups(j);
        uint64_t size = rnd(BUF + 1);
        journal_truncate(j, size);
        d.limit = size;
        assert_true(journal_groups(j) <= before);
        const RangeSet *runs = journal_runs(j);
        assert_true(runs->n == 0 || runs->v[runs->n - 1].hi <= size);
        while (journal_can_undo(j))
            assert_int_equal(journal_undo(j, apply, &d, NULL), 0);
        assert_memory_equal(d.mem, m->states[0], size);
        while (journal_can_redo(j))
            assert_int_equal(journal_redo(j, apply, &d, NULL), 0);
        assert_memory_equal(d.mem, m->states[m->top], size);
        journal_free(j);
        free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_undo_redo),
        cmocka_unit_test(test_group_by_snapshot),
        cmocka_unit_test(test_nibble_merge),
        cmocka_unit_test(test_typing_merges),
        cmocka_unit_test(test_no_merge),
        cmocka_unit_test(test_redo_dropped),
        cmocka_unit_test(test_modified),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_apply_failure),
        cmocka_unit_test(test_cost_per_group),
        cmocka_unit_test(test_random_model),
        cmocka_unit_test(test_random_truncate),
    };
    return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
