/*
 * test_doc: edits, undo and write-back, checked against the bytes on disk
 * as a separate reader (pread on its own descriptor) sees them (save-as has
 * test_save; here only its failures keep the edits too).
 *
 * The same edit scenario runs in copy mode (the file must not change until
 * doc_write, then hold exactly the edits) and shared mode (every edit and
 * undo is visible to the reader at once). Sparse files keep the large cases
 * cheap: 4 GiB offsets, 1000 edits in 64 MiB of holes.
 * Failures are injected through a SysOps table whose pwrite can be made to
 * fail with ENOSPC, and (as root) by filling a tiny tmpfs.
 *
 * cmocka installs its own SIGBUS handler around every test; map_open
 * (through guard_init) puts the guard's back whenever it is not in force,
 * so the documents each test opens are guarded without help.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc.h"
#include "guard.h"
#include "save.h"
#include "testutil.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

/* ---- helpers ------------------------------------------------------------- */

/* The document's bytes equal want. */
static void assert_doc(Doc *d, const uint8_t *want, uint64_t len)
{
    assert_int_equal(doc_size(d), len);
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    assert_int_equal(doc_read(d, 0, buf, len), 0);
    assert_memory_equal(buf, want, len);
    free(buf);
}

/* A SysOps table whose pwrite fails with ENOSPC while armed. */
static bool pwrite_armed;
static int pwrite_failures;

static ssize_t failing_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (pwrite_armed) {
        pwrite_failures++;
        errno = ENOSPC;
        return -1;
    }
    return sys_default.pwrite(fd, buf, n, off);
}

static SysOps failing_ops(void)
{
    SysOps ops = sys_default;
    ops.pwrite = failing_pwrite;
    return ops;
}

/* ---- the edit scenario in each mode -------------------------------------- */

typedef struct Edit {
    uint64_t off;     /* where */
    size_t len;       /* how many bytes */
    uint8_t bytes[4]; /* the new bytes */
} Edit;

static void apply_edit(uint8_t *buf, const Edit *e)
{
    memcpy(buf + e->off, e->bytes, e->len);
}

static void revert_edit(uint8_t *buf, const Edit *e)
{
    for (size_t i = 0; i < e->len; i++)
        buf[e->off + i] = tu_pattern(e->off + i);
}

/* Edits at 0, across the 4095/4096 page boundary, in the middle and on the
 * last byte, each its own undo step; undo all, redo all, write. */
static void scenario(MmhMode mode)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 3 * 4096 + 100;
    tu_make_file(path, size, 0);
    uint8_t *orig = tu_pattern_buf(size), *want = tu_pattern_buf(size);
    bool shared = mode == MMH_MODE_SHARED;
    const Edit e[] = {
        {0, 1, {0xa5}},
        {4094, 4, {0xde, 0xad, 0xbe, 0xef}},
        {6000, 2, {0x11, 0x22}},
        {size - 1, 1, {0x7e}},
    };
    const size_t ne = sizeof e / sizeof *e;

    Doc *d = tu_open_doc(path, mode, NULL);
    assert_true(doc_editable(d));
    assert_int_equal(map_mode(doc_map(d)), mode);
    for (size_t k = 0; k < ne; k++) {
        assert_int_equal(doc_put(d, e[k].off, e[k].bytes, e[k].len), 0);
        doc_snapshot(d);
        apply_edit(want, &e[k]);
        assert_doc(d, want, size);
        assert_int_equal(tu_disk_differs(path, shared ? want : orig, size), -1);
        assert_true(doc_unwritten(d) == !shared);
    }
    assert_int_equal(journal_groups(doc_journal(d)), ne);

    uint64_t where;
    for (size_t k = ne; k-- > 0;) {
        assert_int_equal(doc_undo(d, &where), 0);
        assert_int_equal(where, e[k].off);
        revert_edit(want, &e[k]);
        assert_doc(d, want, size);
        assert_int_equal(tu_disk_differs(path, shared ? want : orig, size), -1);
    }
    assert_memory_equal(want, orig, size);
    assert_int_equal(doc_undo(d, &where), 1);
    assert_false(doc_unwritten(d)); /* undone back to the file as it is */

    for (size_t k = 0; k < ne; k++) {
        assert_int_equal(doc_redo(d, &where), 0);
        assert_int_equal(where, e[k].off);
        apply_edit(want, &e[k]);
        assert_doc(d, want, size);
        assert_int_equal(tu_disk_differs(path, shared ? want : orig, size), -1);
    }
    assert_int_equal(doc_redo(d, &where), 1);

    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.runs, ne); /* the edits are apart: one run each */
    assert_int_equal(r.bytes, 1 + 4 + 2 + 1);
    assert_false(doc_unwritten(d));
    assert_int_equal(tu_disk_differs(path, want, size), -1);
    assert_doc(d, want, size);
    assert_int_equal(doc_write(d, &r), 0); /* nothing new: a no-op */
    assert_int_equal(r.runs, 0);
    doc_close(d);

    /* Reopened, the file holds exactly the edits. */
    d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    assert_doc(d, want, size);
    doc_close(d);
    assert_int_equal(tu_disk_differs(path, want, size), -1);

    free(orig);
    free(want);
    free(path);
    tu_rmdir(dir);
}

static void test_matrix_copy(void **state)
{
    (void)state;
    scenario(MMH_MODE_COPY);
}

static void test_matrix_shared(void **state)
{
    (void)state;
    scenario(MMH_MODE_SHARED);
}

static void test_readonly(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 8192;
    tu_make_file(path, size, 0);
    uint8_t *orig = tu_pattern_buf(size);
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    assert_false(doc_editable(d));
    const uint8_t b = 0x42;
    assert_int_equal(doc_put(d, 0, &b, 1), -EROFS);
    assert_int_equal(doc_put(d, size - 1, &b, 1), -EROFS);
    assert_int_equal(doc_write(d, NULL), -EROFS);
    assert_int_equal(doc_undo(d, NULL), 1);
    assert_int_equal(doc_redo(d, NULL), 1);
    assert_false(doc_unwritten(d));
    assert_int_equal(journal_records(doc_journal(d)), 0);
    assert_doc(d, orig, size);
    doc_close(d);
    assert_int_equal(tu_disk_differs(path, orig, size), -1);
    free(orig);
    free(path);
    tu_rmdir(dir);
}

/* Bounds, empty puts, a put longer than the chunk size, a missing file. */
static void test_put_bounds_and_long(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 64 * KIB;
    Doc *d = NULL;
    MapOpts o = {MMH_MODE_COPY, NULL};
    assert_int_equal(doc_open(&d, path, &o), -ENOENT);
    assert_null(d);
    tu_make_file(path, size, 0);
    uint8_t *orig = tu_pattern_buf(size), *want = tu_pattern_buf(size);

    static const MmhMode modes[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
    for (size_t m = 0; m < 2; m++) {
        bool shared = modes[m] == MMH_MODE_SHARED;
        d = tu_open_doc(path, modes[m], NULL);
        const uint8_t two[2] = {1, 2};
        assert_int_equal(doc_put(d, size - 1, two, 2), -MMH_ETRUNC);
        assert_int_equal(doc_put(d, size, two, 1), -MMH_ETRUNC);
        assert_int_equal(doc_put(d, UINT64_MAX, two, 1), -MMH_ETRUNC);
        assert_int_equal(doc_put(d, size, two, 0), 0);
        assert_int_equal(journal_records(doc_journal(d)), 0);
        assert_doc(d, orig, size);

        /* 10000 bytes from 100: three chunks and four pages. */
        uint8_t big[10000];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (uint8_t)(0xff - i);
        assert_int_equal(doc_put(d, 100, big, sizeof big), 0);
        memcpy(want + 100, big, sizeof big);
        assert_doc(d, want, size);
        assert_int_equal(tu_disk_differs(path, shared ? want : orig, size), -1);
        assert_int_equal(journal_records(doc_journal(d)), 1);
        assert_int_equal(doc_undo(d, NULL), 0);
        assert_doc(d, orig, size);
        assert_int_equal(tu_disk_differs(path, orig, size), -1);
        assert_false(doc_unwritten(d));
        doc_close(d);
        memcpy(want, orig, size);
    }
    free(orig);
    free(want);
    free(path);
    tu_rmdir(dir);
}

/* ---- doc_unwritten --------------------------------------------------------- */

static void unwritten_in(MmhMode mode)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 4096, 0);
    bool copy = mode == MMH_MODE_COPY;
    Doc *d = tu_open_doc(path, mode, NULL);
    const uint8_t a = 0xaa, b = 0xbb;

    assert_false(doc_unwritten(d));
    assert_int_equal(doc_put(d, 10, &a, 1), 0);
    doc_snapshot(d);
    assert_true(doc_unwritten(d) == copy);
    assert_int_equal(doc_write(d, NULL), 0);
    assert_false(doc_unwritten(d));
    assert_int_equal(tu_pread_byte(path, 10), 0xaa);

    /* Undo past the save: differs from the file again. Writing it puts the
     * old byte back on disk. */
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_true(doc_unwritten(d) == copy);
    assert_int_equal(tu_pread_byte(path, 10), copy ? 0xaa : tu_pattern(10));
    assert_int_equal(doc_write(d, NULL), 0);
    assert_false(doc_unwritten(d));
    assert_int_equal(tu_pread_byte(path, 10), tu_pattern(10));

    /* Redo past that save, then undo back to it. */
    assert_int_equal(doc_redo(d, NULL), 0);
    assert_true(doc_unwritten(d) == copy);
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_false(doc_unwritten(d));

    /* A new edit after a save, undone back to the saved state. */
    assert_int_equal(doc_put(d, 20, &b, 1), 0);
    doc_snapshot(d);
    assert_true(doc_unwritten(d) == copy);
    assert_int_equal(doc_undo(d, NULL), 0);
    assert_false(doc_unwritten(d));
    assert_int_equal(tu_pread_byte(path, 20), tu_pattern(20));
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

static void test_unwritten_copy(void **state)
{
    (void)state;
    unwritten_in(MMH_MODE_COPY);
}

static void test_unwritten_shared(void **state)
{
    (void)state;
    unwritten_in(MMH_MODE_SHARED);
}

/* ---- copy-mode write cost follows the edits --------------------------------- */

static uint64_t scattered(unsigned i)
{
    return (uint64_t)i * 65536 + (uint64_t)i * 97 % 65000;
}

static void test_copy_write_scattered(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "sparse");
    const uint64_t size = 64 * MIB;
    tu_make_file(path, size, 1);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    for (unsigned i = 0; i < 1000; i++) {
        uint8_t v = (uint8_t)(i % 255 + 1);
        assert_int_equal(doc_put(d, scattered(i), &v, 1), 0);
    }
    assert_true(doc_unwritten(d));
    assert_int_equal(tu_blocks(path), 0); /* untouched so far */
    assert_int_equal(tu_pread_byte(path, scattered(500)), 0);

    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.runs, 1000);
    assert_int_equal(r.bytes, 1000);
    assert_false(doc_unwritten(d));

    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    for (unsigned i = 0; i < 1000; i++) {
        uint8_t got[3];
        uint64_t off = scattered(i);
        assert_int_equal(pread(fd, got, 3, (off_t)off - 1 + (off == 0)), 3);
        if (off == 0) {
            assert_int_equal(got[0], i % 255 + 1);
            continue;
        }
        assert_int_equal(got[0], 0);
        assert_int_equal(got[1], i % 255 + 1);
        assert_int_equal(got[2], 0);
    }
    close(fd);
    /* One 4 KiB block per edit at most (8 sectors each); the holes between
     * were not filled, and the size is as it was. */
    uint64_t blocks = tu_blocks(path);
    assert_true(blocks >= 1000 * 8 / 2);
    assert_true(blocks <= 1000 * 8 + 64);
    assert_int_equal(tu_size(path), size);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* ---- offsets past 2 GiB and 4 GiB ----------------------------------------- */

static void test_large_sizes(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {
        (UINT64_C(1) << 31) - 1,
        UINT64_C(1) << 31,
        (UINT64_C(1) << 31) + 4096,
        (UINT64_C(1) << 32) + 1,
    };
    static const MmhMode modes[] = {MMH_MODE_COPY, MMH_MODE_SHARED};
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "big");
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        for (size_t m = 0; m < 2; m++) {
            uint64_t size = sizes[i];
            tu_make_file(path, size, 1);
            Doc *d = tu_open_doc(path, modes[m], NULL);
            assert_int_equal(doc_size(d), size);
            const uint8_t last = 0x5a, pair[2] = {0x61, 0x62};
            assert_int_equal(doc_put(d, size - 1, &last, 1), 0);
            /* Across the 2^31 boundary, where an int offset would break. */
            bool across = size > (UINT64_C(1) << 31) + 1;
            if (across)
                assert_int_equal(doc_put(d, (UINT64_C(1) << 31) - 1, pair, 2), 0);
            if (modes[m] == MMH_MODE_COPY)
                assert_int_equal(tu_pread_byte(path, size - 1), 0);
            uint8_t got;
            assert_int_equal(doc_read(d, size - 1, &got, 1), 0);
            assert_int_equal(got, 0x5a);
            assert_int_equal(doc_write(d, NULL), 0);
            assert_int_equal(tu_pread_byte(path, size - 1), 0x5a);
            assert_int_equal(tu_pread_byte(path, size - 2), 0);
            if (across) {
                assert_int_equal(tu_pread_byte(path, (UINT64_C(1) << 31) - 1), 0x61);
                assert_int_equal(tu_pread_byte(path, UINT64_C(1) << 31), 0x62);
            }
            assert_int_equal(tu_size(path), size);
            assert_false(doc_unwritten(d));
            doc_close(d);
            unlink(path);
        }
    }
    free(path);
    tu_rmdir(dir);
}

/* ---- a file shrunk by another process ------------------------------------- */

/* fault_first: touch a lost page before doc_refresh, so the map learns the
 * new size on its own (a caught SIGBUS); the edits must still be counted. */
static void refresh_case(bool fault_first)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    tu_make_file(path, 64 * KIB, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, NULL);
    const uint8_t a = 0xa1, b = 0xb2, c = 0xc3;
    assert_int_equal(doc_put(d, 100, &a, 1), 0);
    doc_snapshot(d);
    assert_int_equal(doc_put(d, 40000, &b, 1), 0);
    doc_snapshot(d);
    assert_int_equal(doc_put(d, 50000, &c, 1), 0);
    doc_snapshot(d);
    assert_int_equal(journal_records(doc_journal(d)), 3);

    tu_truncate_by_child(path, 32 * KIB);
    uint8_t got;
    if (fault_first) {
        assert_int_equal(doc_read(d, 40000, &got, 1), -MMH_ETRUNC);
        assert_int_equal(doc_size(d), 32 * KIB);
    }
    DocChange ch;
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.old_size, 64 * KIB);
    assert_int_equal(ch.new_size, 32 * KIB);
    assert_int_equal(ch.lost_bytes, 2);
    assert_int_equal(doc_size(d), 32 * KIB);
    assert_int_equal(doc_read(d, 40000, &got, 1), -MMH_ETRUNC);

    /* The edit before the new end survives and writes correctly. */
    assert_int_equal(doc_read(d, 100, &got, 1), 0);
    assert_int_equal(got, 0xa1);
    assert_true(doc_unwritten(d));
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.runs, 1);
    assert_int_equal(r.dropped, 2); /* the edits past the end go with the write */
    assert_int_equal(journal_records(doc_journal(d)), 1);
    assert_int_equal(tu_pread_byte(path, 100), 0xa1);
    assert_int_equal(tu_pread_byte(path, 101), tu_pattern(101));
    assert_int_equal(tu_size(path), 32 * KIB);

    /* Nothing changed since: an idle refresh reports no change. */
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.old_size, ch.new_size);
    assert_int_equal(ch.lost_bytes, 0);

    /* Growth is noticed and loses nothing. */
    tu_truncate_by_child(path, 128 * KIB);
    assert_int_equal(doc_refresh(d, &ch), 0);
    assert_int_equal(ch.old_size, 32 * KIB);
    assert_int_equal(ch.new_size, 128 * KIB);
    assert_int_equal(ch.lost_bytes, 0);
    assert_int_equal(doc_size(d), 128 * KIB);

    assert_int_equal(doc_undo(d, NULL), 0);
    assert_int_equal(doc_read(d, 100, &got, 1), 0);
    assert_int_equal(got, tu_pattern(100));
    assert_int_equal(doc_undo(d, NULL), 1);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

static void test_refresh_shrink(void **state)
{
    (void)state;
    refresh_case(false);
}

static void test_refresh_after_fault(void **state)
{
    (void)state;
    refresh_case(true);
}

/* ---- failures keep the edits ----------------------------------------------- */

static void test_write_failure_keeps_edits(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f"), *dst = tu_path(dir, "copy");
    const uint64_t size = 64 * KIB;
    tu_make_file(path, size, 0);
    uint8_t *orig = tu_pattern_buf(size), *want = tu_pattern_buf(size);
    SysOps ops = failing_ops();
    Doc *d = tu_open_doc(path, MMH_MODE_COPY, &ops);
    const uint8_t v[2] = {0xe1, 0xe2};
    assert_int_equal(doc_put(d, 5, v, 2), 0);
    assert_int_equal(doc_put(d, 40000, v, 1), 0);
    want[5] = v[0];
    want[6] = v[1];
    want[40000] = v[0];

    pwrite_armed = true;
    pwrite_failures = 0;
    assert_int_equal(doc_write(d, NULL), -ENOSPC);
    assert_true(pwrite_failures > 0);
    assert_true(doc_unwritten(d));
    assert_doc(d, want, size);
    assert_int_equal(journal_records(doc_journal(d)), 2);

    /* Save-as through the same table fails cleanly too. */
    DocSave *s;
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    int rc;
    while ((rc = doc_saveas_step(s, UINT64_MAX)) == 0)
        ;
    assert_int_equal(rc, -ENOSPC);
    assert_int_equal(tu_count_entries(dir, NULL), 1);
    assert_int_equal(tu_disk_differs(path, orig, size), -1);

    pwrite_armed = false;
    DocWriteResult r;
    assert_int_equal(doc_write(d, &r), 0);
    assert_int_equal(r.runs, 2);
    assert_int_equal(r.bytes, 3);
    assert_false(doc_unwritten(d));
    assert_int_equal(tu_disk_differs(path, want, size), -1);
    assert_doc(d, want, size);
    doc_close(d);
    free(orig);
    free(want);
    free(path);
    free(dst);
    tu_rmdir(dir);
}

/* ---- a full file system ------------------------------------------------------ */

/* Mount a fresh 4 MiB ext4 image at mnt (root, mkfs.ext4 and a loop device
 * needed). ext4 rather than tmpfs: reading a hole through a tmpfs mapping
 * takes a page too, so there the read of the old bytes fails first. */
static bool mount_small_ext4(const char *dir, const char *mnt)
{
    char *img = tu_path(dir, "fs.img"), *cmd;
    tu_make_file(img, 4 * MIB, 1);
    bool ok = asprintf(&cmd,
                       "PATH=$PATH:/sbin:/usr/sbin; mkfs.ext4 -q -F '%s' >/dev/null 2>&1 && "
                       "mount -o loop '%s' '%s' >/dev/null 2>&1",
                       img, img, mnt) >= 0;
    ok = ok && system(cmd) == 0;
    if (ok)
        tu_remember_mount(mnt);
    free(cmd);
    free(img);
    return ok;
}

/* Shared mode on a nearly empty 4 MiB ext4: a 4 MiB put into holes runs out
 * of space part-way (SIGBUS, caught). The put must roll back what it wrote
 * and leave the journal untouched; a save-as onto the full file system fails
 * and cleans up after itself. */
static void test_enospc_rolls_back(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *mnt = tu_path(dir, "mnt");
    assert_int_equal(mkdir(mnt, 0700), 0);
    if (geteuid() != 0 || !mount_small_ext4(dir, mnt)) {
        print_message("# cannot mount a small ext4 image: skipped\n");
        free(mnt);
        tu_rmdir(dir);
        skip();
    }
    char *path = tu_path(mnt, "holes"), *dst = tu_path(mnt, "copy");
    char *src = tu_path(dir, "data");
    tu_make_file(path, 16 * MIB, 1);
    tu_make_file(src, 4 * MIB, 0);
    int before = tu_count_entries(mnt, NULL); /* holes, lost+found */

    Doc *d = tu_open_doc(path, MMH_MODE_SHARED, NULL);
    const size_t len = 4 * MIB;
    uint8_t *big = malloc(len), *zero = calloc(1, len), *got = malloc(len);
    assert_non_null(big);
    assert_non_null(zero);
    assert_non_null(got);
    memset(big, 0xf0, len);
    assert_int_equal(doc_put(d, 0, big, len), -ENOSPC);
    assert_int_equal(journal_records(doc_journal(d)), 0);
    assert_false(journal_modified(doc_journal(d)));
    assert_int_equal(doc_size(d), 16 * MIB);
    assert_int_equal(doc_read(d, 0, got, len), 0);
    assert_memory_equal(got, zero, len);
    tu_pread(path, 0, got, len);
    assert_memory_equal(got, zero, len);
    /* Pages that did fill stay usable: a small put there works. */
    const uint8_t v = 0x5c;
    assert_int_equal(doc_put(d, 0, &v, 1), 0);
    assert_int_equal(journal_records(doc_journal(d)), 1);
    assert_int_equal(tu_pread_byte(path, 0), 0x5c);
    doc_close(d);

    /* Save-as of 4 MiB of data onto the full file system. */
    d = tu_open_doc(src, MMH_MODE_COPY, NULL);
    DocSave *s;
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    int rc;
    while ((rc = doc_saveas_step(s, UINT64_MAX)) == 0)
        ;
    assert_int_equal(rc, -ENOSPC);
    assert_int_equal(tu_count_entries(mnt, NULL), before);
    doc_close(d);

    free(big);
    free(zero);
    free(got);
    free(path);
    free(dst);
    free(src);
    tu_unmount_all(NULL);
    free(mnt);
    tu_rmdir(dir);
}

/* ---- paging actions --------------------------------------------------------- */

/* doc_evict reports the range it dropped: rounded out to 2 MiB, clipped to
 * the file's size; nothing past the end. Edits survive it in both modes. */
static void evict_in(MmhMode mode)
{
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 5 * MIB + 123;
    tu_make_file(path, size, 0);
    Doc *d = tu_open_doc(path, mode, NULL);
    MapEvictResult er;
    uint8_t b = 0;

    assert_int_equal(doc_put(d, 3 * MIB + 7, (const uint8_t *)"\x5a", 1), 0);
    assert_int_equal(doc_evict(d, 3 * MIB + 5, 10, &er), 0);
    assert_int_equal(er.lo, 2 * MIB);
    assert_int_equal(er.hi, 4 * MIB);
    assert_int_equal(doc_read(d, 3 * MIB + 7, &b, 1), 0);
    assert_int_equal(b, 0x5a);
    if (mode == MMH_MODE_COPY) /* the private page holding the edit stays */
        assert_true(er.kept_edited >= 1);
    else /* written first, then dropped */
        assert_int_equal(tu_pread_byte(path, 3 * MIB + 7), 0x5a);
    assert_int_equal(doc_evict(d, 4 * MIB + MIB / 2, 1, &er), 0);
    assert_int_equal(er.lo, 4 * MIB);
    assert_int_equal(er.hi, size);
    assert_int_equal(doc_evict(d, MIB, 0, &er), 0); /* len 0: to the end */
    assert_int_equal(er.lo, 0);
    assert_int_equal(er.hi, size);
    assert_int_equal(doc_evict(d, size, 10, &er), 0);
    assert_int_equal(er.lo, er.hi);
    assert_int_equal(doc_evict(d, 0, 1, NULL), 0);
    assert_int_equal(doc_read(d, 3 * MIB + 7, &b, 1), 0);
    assert_int_equal(b, 0x5a);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

static void test_evict_copy(void **state)
{
    (void)state;
    evict_in(MMH_MODE_COPY);
}

static void test_evict_shared(void **state)
{
    (void)state;
    evict_in(MMH_MODE_SHARED);
}

/* flush, lock, unlock, prefetch and advise reach the map and leave the
 * document's bytes and journal alone. */
static void test_paging_calls(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    const uint64_t size = 4 * MIB;
    tu_make_file(path, size, 0);
    Doc *d = tu_open_doc(path, MMH_MODE_SHARED, NULL);
    Map *m = doc_map(d);
    const size_t ps = map_pagesize(m);
    MapFlushResult fr = {7, 7};

    /* Flush: a shared-mode edit is on disk after a synchronous flush. */
    assert_int_equal(doc_put(d, 100, (const uint8_t *)"\x42", 1), 0);
    assert_int_equal(doc_flush(d, 0, 0, true, &fr), 0);
    assert_true(fr.pages >= -1);
    assert_int_equal(tu_pread_byte(path, 100), 0x42);
    assert_int_equal(doc_flush(d, 0, ps, false, NULL), 0);
    assert_true(doc_unwritten(d) == false);

    /* Lock and unlock: the map's lock set follows (one page fits any
     * RLIMIT_MEMLOCK worth having; skip where even that is refused). */
    int rc = doc_lock(d, ps + 1, 1);
    if (rc == -ENOMEM || rc == -EPERM) {
        doc_close(d);
        free(path);
        tu_rmdir(dir);
        skip();
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rangeset_total(map_locked(m)), ps);
    assert_true(rangeset_overlaps(map_locked(m), ps, 2 * ps));
    assert_int_equal(doc_unlock(d, ps, ps), 0);
    assert_int_equal(rangeset_total(map_locked(m)), 0);

    /* Prefetch, both ways, and past the end (nothing to do). */
    assert_int_equal(doc_prefetch(d, 0, MIB, false), 0);
    assert_int_equal(doc_prefetch(d, MIB, MIB, true), 0);
    assert_int_equal(doc_prefetch(d, size, MIB, true), 0);

    /* Advice is remembered by the map. */
    assert_int_equal(doc_advise(d, MMH_ADV_RANDOM), 0);
    assert_int_equal(map_advice(m), MMH_ADV_RANDOM);
    assert_int_equal(doc_advise(d, MMH_ADV_NORMAL), 0);
    assert_int_equal(map_advice(m), MMH_ADV_NORMAL);

    uint8_t b;
    assert_int_equal(doc_read(d, 100, &b, 1), 0);
    assert_int_equal(b, 0x42);
    assert_int_equal(doc_read(d, MIB + 1, &b, 1), 0);
    assert_int_equal(b, tu_pattern(MIB + 1));
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

/* doc_extent and doc_seek_region on a sparse file: data [0, 1 MiB), a hole
 * to 3 MiB, data to 4 MiB, a hole to the end at 6 MiB. */
static void test_extents(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_path(dir, "f");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    uint8_t *buf = tu_pattern_buf(MIB);
    assert_int_equal(pwrite(fd, buf, MIB, 0), (ssize_t)MIB);
    assert_int_equal(pwrite(fd, buf, MIB, 3 * MIB), (ssize_t)MIB);
    free(buf);
    assert_int_equal(ftruncate(fd, 6 * MIB), 0);
    bool sparse = lseek(fd, 0, SEEK_HOLE) == (off_t)MIB;
    close(fd);
    if (!sparse) {
        tu_rmdir(dir);
        free(path);
        skip(); /* this file system does not report holes */
    }
    Doc *d = tu_open_doc(path, MMH_MODE_READONLY, NULL);
    Extent e;
    uint64_t at;

    assert_int_equal(doc_extent(d, 10, &e), 0);
    assert_true(e.data);
    assert_int_equal(e.lo, 10);
    assert_int_equal(e.hi, MIB);
    assert_int_equal(doc_extent(d, 2 * MIB, &e), 0);
    assert_false(e.data);
    assert_int_equal(e.hi, 3 * MIB);
    assert_int_equal(doc_extent(d, 5 * MIB, &e), 0);
    assert_false(e.data);
    assert_int_equal(e.hi, 6 * MIB);
    assert_int_equal(doc_extent(d, 6 * MIB, &e), -ENXIO);

    assert_int_equal(doc_seek_region(d, 0, false, false, &at), 0);
    assert_int_equal(at, MIB);
    assert_int_equal(doc_seek_region(d, MIB, true, false, &at), 0);
    assert_int_equal(at, 3 * MIB);
    assert_int_equal(doc_seek_region(d, 5 * MIB, true, true, &at), 0);
    assert_int_equal(at, 3 * MIB);
    assert_int_equal(doc_seek_region(d, 3 * MIB, true, false, &at), -ENXIO);
    doc_close(d);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_copy),
        cmocka_unit_test(test_matrix_shared),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_put_bounds_and_long),
        cmocka_unit_test(test_unwritten_copy),
        cmocka_unit_test(test_unwritten_shared),
        cmocka_unit_test(test_copy_write_scattered),
        cmocka_unit_test(test_large_sizes),
        cmocka_unit_test(test_refresh_shrink),
        cmocka_unit_test(test_refresh_after_fault),
        cmocka_unit_test(test_write_failure_keeps_edits),
        cmocka_unit_test_teardown(test_enospc_rolls_back, tu_unmount_all),
        cmocka_unit_test(test_evict_copy),
        cmocka_unit_test(test_evict_shared),
        cmocka_unit_test(test_paging_calls),
        cmocka_unit_test(test_extents),
    };
    return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
