/*
 * test_external: the document while another process acts on the file
 * between the editor's steps: rewriting it at the same size, truncating and
 * growing it back, writing a byte the user undid, cutting an edit in half,
 * renaming another file over the path, deleting it. Every other process is a
 * real child (fork), as another program would be. Also the edits module
 * (net bytes since the last write) against a brute-force oracle.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc.h"
#include "edits.h"
#include "journal.h"
#include "save.h"
#include "testutil.h"

#define KIB (UINT64_C(1) << 10)

static void put1(Doc *d, uint64_t off, uint8_t v)
{
    assert_int_equal(doc_put(d, off, &v, 1), 0);
    doc_snapshot(d);
}

static uint8_t get1(Doc *d, uint64_t off)
{
    uint8_t v = 0;
    assert_int_equal(doc_read(d, off, &v, 1), 0);
    return v;
}

/* The byte another program writes: the pattern's bytes, complemented. */
static uint8_t other(uint64_t i)
{
    return (uint8_t)~tu_pattern(i);
}

/* `cat other > path`: O_TRUNC, then size bytes of other(). */
static void rewrite(const char *path, uint64_t size)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        _exit(1);
    uint8_t buf[4096];
    for (uint64_t at = 0; at < size;) {
        size_t k = size - at < sizeof buf ? (size_t)(size - at) : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = other(at + i);
        if (pwrite(fd, buf, k, (off_t)at) != (ssize_t)k)
            _exit(1);
        at += k;
    }
    _exit(close(fd) == 0 ? 0 : 1);
}

/* `truncate -s 0; truncate -s size`: the content becomes zeros. */
static void zero_and_grow(const char *path, uint64_t size)
{
    if (truncate(path, 0) < 0 || truncate(path, (off_t)size) < 0)
        _exit(1);
}

/* Write other(off) at off in place. */
static void poke(const char *path, uint64_t off)
{
    int fd = open(path, O_WRONLY);
    uint8_t v = other(off);
    if (fd < 0 || pwrite(fd, &v, 1, (off_t)off) != 1)
        _exit(1);
    _exit(close(fd) == 0 ? 0 : 1);
}

/* `mv new path`: a new file of size bytes of other() renamed over it. */
static void rename_over(const char *path, uint64_t size)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        _exit(1);
    for (uint64_t i = 0; i < size; i++) {
        uint8_t v = other(i);
        if (write(fd, &v, 1) != 1)
            _exit(1);
    }
    _exit(close(fd) == 0 && rename(tmp, path) == 0 ? 0 : 1);
}

static void delete_path(const char *path, uint64_t unused)
{
    (void)unused;
    _exit(unlink(path) == 0 ? 0 : 1);
}

/* ---- copy mode: the journal is the truth ---------------------------------- */

/* Another process rewrites the file at the same size between two ticks: the
 * kernel dropped the private pages, the size looks the same. The edits must
 * be re-applied (and said), and the write must send the journal's bytes. */
static void rewrite_case(void (*event)(const char *, uint64_t), bool zeros)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 64 * KIB;
    tu_make_file(path, size, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    put1(d, 100, 0xa1);
    put1(d, 40000, 0xb2);
    tu_by_child(event, path, size);

    DocChange ch;
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.old_size, size);
    assert_int_equal(ch.new_size, size);
    assert_int_equal(ch.lost_bytes, 0);
    assert_int_equal(ch.reapplied, 2);
    /* The edits show again; the rest shows the new content. */
    assert_int_equal(get1(d, 100), 0xa1);
    assert_int_equal(get1(d, 40000), 0xb2);
    assert_int_equal(get1(d, 101), zeros ? 0 : other(101));
    assert_true(doc_unwritten(d));

    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 2);
    assert_int_equal(r.runs, 2);
    assert_int_equal(tu_pread_byte(path, 100), 0xa1);
    assert_int_equal(tu_pread_byte(path, 40000), 0xb2);
    assert_int_equal(tu_pread_byte(path, 99), zeros ? 0 : other(99));
    assert_int_equal(tu_pread_byte(path, 40001), zeros ? 0 : other(40001));
    assert_false(doc_unwritten(d));
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

static void test_copy_rewrite_same_size(void **state)
{
    (void)state;
    rewrite_case(rewrite, false);
}

static void test_copy_zero_and_grow_back(void **state)
{
    (void)state;
    rewrite_case(zero_and_grow, true);
}

/* The rewrite lands between the refresh and the write: the write itself
 * must still send the journal's bytes, not the mapping's. */
static void test_copy_rewrite_then_write(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 16 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    put1(d, 5000, 0x5a);
    tu_by_child(rewrite, path, 16 * KIB);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 1);
    assert_int_equal(tu_pread_byte(path, 5000), 0x5a);
    assert_int_equal(tu_pread_byte(path, 5001), other(5001));
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* Save-as right after a rewrite, before any refresh: the copy holds the
 * journal's edits over the new content, not what the mapping lost. */
static void test_copy_saveas_after_rewrite(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f"), *dest = tu_path(dir, "copy");
    tu_make_file(path, 16 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    put1(d, 5000, 0x5a);
    tu_by_child(rewrite, path, 16 * KIB);
    DocSave *job;
    assert_int_equal(doc_saveas_start(d, dest, false, &job), 0);
    int rc;
    while ((rc = doc_saveas_step(job, 1000000)) == 0)
        ;
    assert_int_equal(rc, 1);
    assert_int_equal(tu_pread_byte(dest, 5000), 0x5a);
    assert_int_equal(tu_pread_byte(dest, 5001), other(5001));
    assert_int_equal(tu_pread_byte(dest, 4999), other(4999));
    doc_close(d);
    unlink(dest);
    unlink(path);
    free(dest);
    free(path);
    tu_rmdir(dir);
}

/* Type at 0x20, undo, another process writes 0x20, edit at 0x10, write:
 * the other process's byte survives, and the counts are net. */
static void undone_case(MmhMode mode)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 4 * KIB, 0);
    Doc *d = tu_open_doc(path, mode, NULL);
    put1(d, 0x20, 0x11);
    uint8_t two[2] = {0x22, 0x33};
    assert_int_equal(doc_put(d, 0x21, two, 2), 0);
    doc_snapshot(d);
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_int_equal(doc_undo(d, NULL), 0);
    if (mode == MMH_MODE_COPY)
        assert_false(doc_unwritten(d)); /* undone back: nothing to lose */
    tu_by_child(poke, path, 0x20);
    put1(d, 0x10, 0x99);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 1);
    assert_int_equal(r.runs, 1);
    assert_int_equal(tu_pread_byte(path, 0x10), 0x99);
    assert_int_equal(tu_pread_byte(path, 0x20), other(0x20));
    assert_int_equal(tu_pread_byte(path, 0x21), tu_pattern(0x21));
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

static void test_copy_undone_not_written(void **state)
{
    (void)state;
    undone_case(MMH_MODE_COPY);
}

static void test_shared_undone_counts_net(void **state)
{
    (void)state;
    undone_case(MMH_MODE_SHARED);
}

/* Undo and redo across a write, over bytes another process wrote: what a
 * byte held before an undo or redo is what the document showed then, not
 * the record's old bytes (found by the soak: tests/soak/bugs/9-redo-base). */
static void test_copy_redo_across_write(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 4 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    DocWriteResult r;
    assert_int_equal(doc_put(d, 0, (const uint8_t *)"KCN", 3), 0);
    doc_snapshot(d);
    assert_int_equal(doc_write(d, &r), 0);
    tu_by_child(poke, path, 0);
    tu_by_child(poke, path, 1);
    assert_int_equal(doc_refresh(d, NULL), 0);
    assert_int_equal(doc_put(d, 0, (const uint8_t *)"BGLU", 4), 0);
    doc_snapshot(d);
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_int_equal(doc_redo(d, NULL), 0);
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(doc_redo(d, NULL), 0);
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_int_equal(doc_write(d, &r), 0);
    /* The file holds what the editor shows, byte for byte. */
    for (uint64_t i = 0; i < 8; i++)
        assert_int_equal(tu_pread_byte(path, i), get1(d, i));
    assert_int_equal(get1(d, 0), other(0)); /* B's undo put back the other writer's bytes */
    assert_int_equal(get1(d, 2), 'N');
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* Typing a byte's old value back is no change either. */
static void test_copy_typed_back_not_net(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 4 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    put1(d, 7, 0x00);
    put1(d, 7, tu_pattern(7));
    assert_false(doc_unwritten(d));
    put1(d, 8, 0x42);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 1);
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* A truncation that cuts an edit in half counts the bytes now past the
 * end; the write sends the rest and says what it dropped. */
static void test_copy_truncation_cuts_edit(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 64 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    uint8_t four[4] = {0xf1, 0xf2, 0xf3, 0xf4}; /* none equals the pattern there */
    assert_int_equal(doc_put(d, 32 * KIB - 2, four, 4), 0);
    doc_snapshot(d);
    tu_truncate_by_child(path, 32 * KIB);
    DocChange ch;
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.new_size, 32 * KIB);
    assert_int_equal(ch.lost_bytes, 2);
    assert_int_equal(get1(d, 32 * KIB - 1), 0xf2);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 2);
    assert_int_equal(r.dropped, 2);
    assert_int_equal(tu_pread_byte(path, 32 * KIB - 2), 0xf1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 32 * KIB); /* the write never extends it */
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* A truncation not on a page boundary, then growth before any write: the
 * journal kept the edit past the cut, and it comes back with the growth
 * (another process's `cat new > f` truncates, then writes: a look in
 * between must not lose edits). The bytes between show the file's. */
static void test_copy_unaligned_cut_then_growth(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 16 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    put1(d, 8000, 0xe1); /* kept */
    put1(d, 8100, 0xe2); /* past the cut, same page */
    tu_truncate_by_child(path, 8050);
    DocChange ch;
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.lost_bytes, 1);
    assert_int_equal(get1(d, 8000), 0xe1);
    tu_truncate_by_child(path, 16 * KIB);
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.reapplied, 1);
    assert_int_equal(get1(d, 8000), 0xe1);
    assert_int_equal(get1(d, 8100), 0xe2);
    assert_int_equal(get1(d, 8099), 0); /* the file's zeros, not the old page */
    assert_int_equal(get1(d, 8101), 0);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 2);
    assert_int_equal(r.dropped, 0);
    assert_int_equal(tu_pread_byte(path, 8100), 0xe2);
    assert_int_equal(tu_pread_byte(path, 8101), 0);
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* A write that comes before any refresh still sees the truncation: it
 * writes what lies inside the file, drops (and counts) the rest, and never
 * extends the file. */
static void test_copy_write_sees_truncation(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 64 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    put1(d, 10, 0x10);
    put1(d, 50000, 0x50);
    tu_truncate_by_child(path, 32 * KIB);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.bytes, 1);
    assert_int_equal(r.dropped, 1);
    assert_false(doc_unwritten(d));
    assert_int_equal(tu_pread_byte(path, 10), 0x10);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 32 * KIB);
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* Private pages lost with no sign in the file's times (a coarse clock, or
 * dropped by other means): the refresh checks a bounded slice of the net
 * bytes each time, round the journal, and puts back what is missing. */
static void test_copy_dropped_without_stamp(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const size_t n = 200 * KIB; /* more than one slice (64 KiB) */
    tu_make_file(path, 1024 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    uint8_t *v = malloc(n);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (uint8_t)~tu_pattern(4096 + i);
    assert_int_equal(doc_put(d, 4096, v, n), 0);
    doc_snapshot(d);
    MmhSpan all = {0, 1024 * KIB};
    map_discard(doc_map(d), &all, 1); /* the private pages go; the file is as it was */
    assert_int_equal(get1(d, 4096), tu_pattern(4096));
    DocChange ch;
    uint64_t back = 0;
    for (int i = 0; i < 8 && back < n; i++) {
        assert_int_equal(doc_refresh(d, &ch), 0);
        assert_true(ch.reapplied <= 64 * KIB);
        back += ch.reapplied;
    }
    assert_int_equal(back, n);
    for (size_t i = 0; i < n; i += 997)
        assert_int_equal(get1(d, 4096 + i), v[i]);
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.reapplied, 0); /* nothing more to put back */
    free(v);
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

/* ---- a path renamed over or deleted ----------------------------------------- */

static void replaced_case(MmhMode mode, void (*event)(const char *, uint64_t), int want)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 8 * KIB, 0);
    Doc *d = tu_open_doc(path, mode, NULL);
    put1(d, 1, 0x77);
    tu_by_child(event, path, 8 * KIB);
    DocChange ch;
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_true(ch.path_changed);
    assert_int_equal(ch.path_rc, want);
    assert_int_equal(doc_refresh(d, &ch), 0); /* said once */
    assert_false(ch.path_changed);
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), want); /* never a claim of success */
    if (want == -MMH_EREPLACED)               /* the new file is untouched */
        assert_int_equal(tu_pread_byte(path, 1), other(1));
    if (mode == MMH_MODE_COPY)
        assert_true(doc_unwritten(d));
    doc_close(d);
    unlink(path);
    free(path);
    tu_rmdir(dir);
}

static void test_shared_renamed_over(void **state)
{
    (void)state;
    replaced_case(MMH_MODE_SHARED, rename_over, -MMH_EREPLACED);
}

static void test_copy_renamed_over(void **state)
{
    (void)state;
    replaced_case(MMH_MODE_COPY, rename_over, -MMH_EREPLACED);
}

static void test_shared_deleted(void **state)
{
    (void)state;
    replaced_case(MMH_MODE_SHARED, delete_path, -ENOENT);
}

/* The demo lets its path go on purpose: no "deleted" then. */
static void test_detached_path(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 4 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_SHARED, NULL);
    unlink(path);
    doc_detach_path(d);
    DocChange ch;
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_false(ch.path_changed);
    assert_int_equal(ch.path_rc, 0);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* ---- the edits module against an oracle ----------------------------------- */

#define ORACLE_SIZE 96

static int sum_len(uint64_t off, const uint8_t *cur, size_t len, void *ctx)
{
    (void)off, (void)cur;
    *(uint64_t *)ctx += len;
    return 0;
}

static void test_edits_oracle(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 300; round++) {
        Edits e = EDITS_INIT;
        int has[ORACLE_SIZE] = {0};
        uint8_t base[ORACLE_SIZE], cur[ORACLE_SIZE], file[ORACLE_SIZE];
        for (int i = 0; i < ORACLE_SIZE; i++)
            file[i] = (uint8_t)rand();
        for (int step = 0; step < 40; step++) {
            uint64_t off = (uint64_t)(rand() % ORACLE_SIZE);
            size_t len = 1 + (size_t)(rand() % 9);
            if (off + len > ORACLE_SIZE)
                len = ORACLE_SIZE - off;
            uint8_t before[16], after[16];
            for (size_t k = 0; k < len; k++) {
                size_t i = off + k;
                before[k] = has[i] ? cur[i] : file[i];
                after[k] = rand() % 3 ? (uint8_t)rand() : before[k];
            }
            assert_int_equal(edits_touch(&e, off, before, after, len), 0);
            for (size_t k = 0; k < len; k++) {
                size_t i = off + k;
                if (!has[i])
                    base[i] = before[k];
                has[i] = 1;
                cur[i] = after[k];
            }
            if (rand() % 10 == 0) {
                uint64_t cut = (uint64_t)(rand() % ORACLE_SIZE);
                uint64_t lost = 0;
                for (uint64_t i = cut; i < ORACLE_SIZE; i++) {
                    lost += has[i] && base[i] != cur[i];
                    has[i] = 0;
                }
                assert_int_equal(edits_truncate(&e, cut), lost);
            }
            /* Net bytes, runs and values agree with the oracle. */
            uint64_t net = 0, runs = 0;
            for (int i = 0; i < ORACLE_SIZE; i++) {
                bool n = has[i] && base[i] != cur[i];
                net += n;
                runs += n && !(i > 0 && has[i - 1] && base[i - 1] != cur[i - 1]);
                assert_int_equal(edits_net_in(&e, (uint64_t)i, (uint64_t)i + 1), n);
                uint8_t v;
                if (has[i]) {
                    assert_int_equal(edits_read(&e, (uint64_t)i, &v, 1), 0);
                    assert_int_equal(v, cur[i]);
                } else {
                    assert_int_equal(edits_read(&e, (uint64_t)i, &v, 1), -ERANGE);
                }
            }
            uint64_t got_runs, from = (uint64_t)(rand() % ORACLE_SIZE), want = 0, got = 0;
            assert_int_equal(edits_net_bytes(&e, &got_runs), net);
            for (uint64_t i = from; i < ORACLE_SIZE; i++)
                want += has[i] && base[i] != cur[i];
            assert_int_equal(edits_each_net_from(&e, from, sum_len, &got), 0);
            assert_int_equal(got, want);
            assert_int_equal(got_runs, runs);
            for (size_t i = 1; i < e.n; i++)
                assert_true(e.v[i - 1].hi < e.v[i].lo); /* canonical */
        }
        edits_free(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_rewrite_same_size),
        cmocka_unit_test(test_copy_zero_and_grow_back),
        cmocka_unit_test(test_copy_rewrite_then_write),
        cmocka_unit_test(test_copy_saveas_after_rewrite),
        cmocka_unit_test(test_copy_undone_not_written),
        cmocka_unit_test(test_shared_undone_counts_net),
        cmocka_unit_test(test_copy_redo_across_write),
        cmocka_unit_test(test_copy_typed_back_not_net),
        cmocka_unit_test(test_copy_truncation_cuts_edit),
        cmocka_unit_test(test_copy_unaligned_cut_then_growth),
        cmocka_unit_test(test_copy_write_sees_truncation),
        cmocka_unit_test(test_copy_dropped_without_stamp),
        cmocka_unit_test(test_shared_renamed_over),
        cmocka_unit_test(test_copy_renamed_over),
        cmocka_unit_test(test_shared_deleted),
        cmocka_unit_test(test_detached_path),
        cmocka_unit_test(test_edits_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
