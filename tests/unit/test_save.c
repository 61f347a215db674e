/*
 * test_save: save-as (save.h), checked on the file system as a separate
 * process sees it: the bytes and holes of the copy, its permissions and
 * owner, what a symbolic link at the destination becomes, and that no
 * temporary file survives a failure, a cancel or a kill.
 *
 * Most cases run twice: with the real system calls, where the copy is an
 * unnamed O_TMPFILE file, and with a SysOps table whose openat refuses
 * O_TMPFILE as a file system without it does (EOPNOTSUPP), so the named
 * temporary file is made, checked and removed. As root, a 1 MiB tmpfs
 * gives a real ENOSPC.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc.h"
#include "save.h"
#include "testutil.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define TIB (UINT64_C(1) << 40)

/* ---- helpers ------------------------------------------------------------- */

/* openat that refuses O_TMPFILE, as a file system without it does. */
static int no_tmpfile_openat(int dirfd, const char *path, int flags, int mode)
{
    if ((flags & O_TMPFILE) == O_TMPFILE) {
        errno = EOPNOTSUPP;
        return -1;
    }
    return openat(dirfd, path, flags, mode);
}

static SysOps named_ops; /* sys_default with no_tmpfile_openat */

/* The table for a case: the real one, or one that forces a named copy. */
static const SysOps *ops(bool named)
{
    named_ops = sys_default;
    named_ops.openat = no_tmpfile_openat;
    return named ? &named_ops : NULL;
}

/* The file system under dir has O_TMPFILE (so the real table leaves no
 * named temporary file at any time). */
static bool has_tmpfile(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

static void pwrite_at(const char *path, uint64_t off, const void *buf, size_t n)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

/* Run a save-as to completion with the given budget per step; returns the
 * number of steps. Checks progress never goes back; with a budget of one
 * unit a step (budget_ns 1), the last step only syncs and renames, so the
 * progress seen before it must be complete. */
static int run_saveas(DocSave *s, uint64_t budget_ns)
{
    uint64_t last_done = 0, last_total = 0;
    int steps = 0;
    for (;;) {
        uint64_t done, total;
        doc_saveas_progress(s, &done, &total);
        assert_true(done >= last_done);
        assert_true(total >= last_total);
        assert_true(done <= total);
        last_done = done;
        last_total = total;
        int rc = doc_saveas_step(s, budget_ns);
        steps++;
        assert_true(rc == 0 || rc == 1);
        if (rc == 1)
            break;
    }
    if (budget_ns == 1)
        assert_int_equal(last_done, last_total);
    return steps;
}

/* Start and finish a save; the result of the last step. */
static int save(Doc *d, const char *path, bool overwrite)
{
    DocSave *s;
    int rc = doc_saveas_start(d, path, overwrite, &s);
    if (rc < 0) {
        assert_null(s);
        return rc;
    }
    while ((rc = doc_saveas_step(s, UINT64_MAX)) == 0)
        ;
    return rc < 0 ? rc : 0;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
}

static bool has_text(const char *path, const char *text)
{
    char buf[256] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n == (ssize_t)strlen(text) && !memcmp(buf, text, (size_t)n);
}

/* ---- the copy --------------------------------------------------------------- */

static void test_saveas_huge_sparse(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "huge"), *dst = tu_path(dir, "copy");
    uint64_t size = tu_make_huge(src);
    if (size == 0) {
        free(src);
        free(dst);
        tu_rmdir(dir);
        skip();
    }
    /* Two data blocks in an ocean of holes. */
    uint8_t *block = tu_pattern_buf(4096);
    pwrite_at(src, 1 * MIB, block, 4096);
    pwrite_at(src, 8 * TIB, block, 4096);
    uint64_t src_blocks = tu_blocks(src);

    Doc *d = tu_open_doc(src, MMH_MODE_COPY, NULL);
    const uint8_t in_data = 0xaa, in_hole = 0xbb, at_end = 0xcc;
    assert_int_equal(doc_put(d, 1 * MIB + 10, &in_data, 1), 0);
    assert_int_equal(doc_put(d, 4 * TIB + 5, &in_hole, 1), 0);
    assert_int_equal(doc_put(d, size - 1, &at_end, 1), 0);

    DocSave *s;
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    int steps = run_saveas(s, 10 * 1000 * 1000);
    assert_true(steps <= 10);

    assert_int_equal(tu_size(dst), size);
    assert_true(tu_blocks(dst) * 512 <= 16 * 4096);
    assert_int_equal(tu_pread_byte(dst, 1 * MIB + 10), 0xaa);
    assert_int_equal(tu_pread_byte(dst, 4 * TIB + 5), 0xbb);
    assert_int_equal(tu_pread_byte(dst, size - 1), 0xcc);
    assert_int_equal(tu_pread_byte(dst, 2 * TIB), 0);
    uint8_t got[4096];
    tu_pread(dst, 8 * TIB, got, sizeof got);
    assert_memory_equal(got, block, 4096);
    tu_pread(dst, 1 * MIB, got, sizeof got);
    assert_int_equal(got[10], 0xaa);
    got[10] = block[10];
    assert_memory_equal(got, block, 4096);

    /* Copy mode: the original is untouched, and the edits still unwritten. */
    assert_int_equal(tu_pread_byte(src, 1 * MIB + 10), tu_pattern(10));
    assert_int_equal(tu_pread_byte(src, 4 * TIB + 5), 0);
    assert_int_equal(tu_pread_byte(src, size - 1), 0);
    assert_int_equal(tu_blocks(src), src_blocks);
    assert_true(doc_unwritten(d));
    doc_close(d);
    free(block);
    free(src);
    free(dst);
    tu_rmdir(dir);
}

/* A 64 MiB file of real data, copy mode, with a tiny budget: one chunk a
 * step. Edits at the start, across the 1 MiB chunk boundary, a whole chunk
 * zeroed, the last byte, and one made while the job runs, behind it. While
 * the job runs, the directory shows a temporary file only without
 * O_TMPFILE. */
static void budgeted_case(bool named)
{
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "data"), *dst = tu_path(dir, "copy");
    const uint64_t size = 64 * MIB;
    tu_make_file(src, size, 0);
    uint8_t *orig = tu_pattern_buf(size), *want = tu_pattern_buf(size);
    Doc *d = tu_open_doc(src, MMH_MODE_COPY, ops(named));
    const uint8_t head = 0x01, across[4] = {0x10, 0x20, 0x30, 0x40}, tail = 0xfe;
    assert_int_equal(doc_put(d, 0, &head, 1), 0);
    assert_int_equal(doc_put(d, 1 * MIB - 2, across, 4), 0);
    assert_int_equal(doc_put(d, size - 1, &tail, 1), 0);
    uint8_t *zeros = calloc(1, MIB);
    assert_non_null(zeros);
    assert_int_equal(doc_put(d, 8 * MIB, zeros, MIB), 0);
    want[0] = head;
    memcpy(want + MIB - 2, across, 4);
    want[size - 1] = tail;
    memset(want + 8 * MIB, 0, MIB);

    DocSave *s;
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    int tmps, visible = named || !has_tmpfile(dir);
    assert_int_equal(tu_count_entries(dir, &tmps), 1 + visible); /* source (and temporary) */
    assert_int_equal(tmps, visible);
    for (int i = 0; i < 8; i++)
        assert_int_equal(doc_saveas_step(s, 1), 0);
    uint64_t done, total;
    doc_saveas_progress(s, &done, &total);
    assert_true(done > 100 && done < total);
    const uint8_t late = 0x4c;
    assert_int_equal(doc_put(d, 100, &late, 1), 0);
    want[100] = late;
    int steps = 8 + run_saveas(s, 1);
    assert_true(steps >= 64);
    assert_int_equal(tu_count_entries(dir, &tmps), 2); /* source and copy */
    assert_int_equal(tmps, 0);
    assert_int_equal(tu_disk_differs(dst, want, size), -1);
    assert_int_equal(tu_disk_differs(src, orig, size), -1);
    doc_close(d);
    free(zeros);
    free(orig);
    free(want);
    free(src);
    free(dst);
    tu_rmdir(dir);
}

static void test_saveas_budgeted(void **state)
{
    (void)state;
    budgeted_case(false);
    budgeted_case(true);
}

/* Shared and read-only documents save as well; holes in the source stay
 * holes, and a shared-mode edit in a hole comes along. */
static void test_saveas_shared_readonly(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "holey"), *dst = tu_path(dir, "copy");
    const uint64_t size = 8 * MIB;
    tu_make_file(src, size, 1);
    uint8_t *data = tu_pattern_buf(64 * KIB);
    pwrite_at(src, 0, data, 64 * KIB);
    pwrite_at(src, 4 * MIB, data, 8 * KIB);
    uint8_t *want = calloc(1, size);
    assert_non_null(want);
    memcpy(want, data, 64 * KIB);
    memcpy(want + 4 * MIB, data, 8 * KIB);

    Doc *d = tu_open_doc(src, MMH_MODE_READONLY, NULL);
    DocSave *s;
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    run_saveas(s, 1000 * 1000 * 1000);
    doc_close(d);
    assert_int_equal(tu_disk_differs(dst, want, size), -1);
    assert_true(tu_blocks(dst) * 512 <= 256 * KIB);
    unlink(dst);

    d = tu_open_doc(src, MMH_MODE_SHARED, NULL);
    const uint8_t v[3] = {7, 8, 9};
    assert_int_equal(doc_put(d, 2 * MIB + 1, v, 3), 0);
    assert_int_equal(doc_put(d, 10, v, 3), 0);
    memcpy(want + 2 * MIB + 1, v, 3);
    memcpy(want + 10, v, 3);
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    run_saveas(s, 1000 * 1000 * 1000);
    assert_false(doc_unwritten(d));
    doc_close(d);
    assert_int_equal(tu_disk_differs(dst, want, size), -1);
    assert_int_equal(tu_disk_differs(src, want, size),
                     -1); /* shared: the source has the edits too */
    assert_true(tu_blocks(dst) * 512 <= 256 * KIB);
    free(want);
    free(data);
    free(src);
    free(dst);
    tu_rmdir(dir);
}

/* ---- cancel, failure, kill ----------------------------------------------- */

static void cancel_case(bool named)
{
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "data"), *dst = tu_path(dir, "copy");
    tu_make_file(src, 16 * MIB, 0);
    Doc *d = tu_open_doc(src, MMH_MODE_COPY, ops(named));
    DocSave *s;
    assert_int_equal(doc_saveas_start(d, dst, false, &s), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(doc_saveas_step(s, 1), 0);
    uint64_t done, total;
    doc_saveas_progress(s, &done, &total);
    assert_true(done > 0 && done < total);
    int tmps, visible = named || !has_tmpfile(dir);
    assert_int_equal(tu_count_entries(dir, &tmps), 1 + visible);
    assert_int_equal(tmps, visible);
    doc_saveas_cancel(s);
    assert_int_equal(tu_count_entries(dir, &tmps), 1); /* the source alone */
    assert_int_equal(tmps, 0);
    doc_saveas_cancel(NULL);
    doc_close(d);
    free(src);
    free(dst);
    tu_rmdir(dir);
}

static void test_saveas_cancel(void **state)
{
    (void)state;
    cancel_case(false);
    cancel_case(true);
}

/* A save killed mid-way (SIGKILL: no handler, no cleanup) leaves nothing
 * in the directory where the file system has O_TMPFILE. */
static void test_saveas_killed(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    if (!has_tmpfile(dir)) {
        print_message("# no O_TMPFILE under %s: a killed save leaves its temporary file\n", dir);
        tu_rmdir(dir);
        skip();
    }
    char *src = tu_path(dir, "data"), *dst = tu_path(dir, "copy");
    tu_make_file(src, 16 * MIB, 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        Doc *d = NULL;
        MapOpts o = {MMH_MODE_COPY, NULL};
        DocSave *s;
        if (doc_open(&d, src, &o) < 0 || doc_saveas_start(d, dst, false, &s) < 0)
            _exit(1);
        for (int i = 0; i < 4; i++)
            if (doc_saveas_step(s, 1) != 0)
                _exit(1);
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        for (;;)
            pause(); /* mid-way, until killed */
    }
    close(p[1]);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    int tmps;
    assert_int_equal(tu_count_entries(dir, &tmps), 1); /* the source alone */
    assert_int_equal(tmps, 0);
    free(src);
    free(dst);
    tu_rmdir(dir);
}

/* ---- destinations --------------------------------------------------------- */

static void destinations_case(bool named)
{
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "data"), *dst = tu_path(dir, "copy");
    char *nodir = tu_path(dir, "nope/copy"), *hard = tu_path(dir, "hard");
    const uint64_t size = 256 * KIB;
    tu_make_file(src, size, 0);
    uint8_t *want = tu_pattern_buf(size);
    Doc *d = tu_open_doc(src, MMH_MODE_COPY, ops(named));
    const uint8_t v = 0x99;
    assert_int_equal(doc_put(d, 1000, &v, 1), 0);
    want[1000] = v;
    DocSave *s;

    /* Into a directory that does not exist: an error, nothing left. */
    assert_true(doc_saveas_start(d, nodir, false, &s) < 0);
    assert_null(s);
    assert_int_equal(tu_count_entries(dir, NULL), 1);

    /* The document itself, by its name or another link: doc_write's job,
     * each said apart. */
    assert_int_equal(doc_saveas_start(d, src, true, &s), -MMH_ESAVE_SELF);
    assert_int_equal(doc_saveas_start(d, src, false, &s), -MMH_ESAVE_SELF);
    assert_int_equal(link(src, hard), 0);
    assert_int_equal(doc_saveas_start(d, src, true, &s), -MMH_ESAVE_SELF);
    assert_int_equal(doc_saveas_start(d, hard, true, &s), -MMH_ESAVE_LINK);
    assert_int_equal(doc_saveas_start(d, hard, false, &s), -MMH_ESAVE_LINK);
    assert_int_equal(unlink(hard), 0);
    assert_int_equal(doc_saveas_start(d, dir, true, &s), -EISDIR);
    char *dot = tu_path(dir, ".");
    assert_int_equal(doc_saveas_start(d, dot, true, &s), -EISDIR);
    free(dot);
    assert_int_equal(tu_count_entries(dir, NULL), 1);

    /* An existing destination needs overwrite; then it is replaced, and
     * keeps its permissions. */
    tu_make_file(dst, 100, 1);
    assert_int_equal(chmod(dst, 0600), 0);
    assert_int_equal(doc_saveas_start(d, dst, false, &s), -EEXIST);
    assert_null(s);
    assert_int_equal(tu_size(dst), 100);
    assert_int_equal(doc_saveas_start(d, dst, true, &s), 0);
    run_saveas(s, UINT64_MAX);
    assert_int_equal(tu_disk_differs(dst, want, size), -1);
    assert_int_equal(mode_of(dst), 0600);

    /* A destination that appears while the job runs is not clobbered. */
    char *late = tu_path(dir, "late");
    assert_int_equal(doc_saveas_start(d, late, false, &s), 0);
    tu_make_file(late, 10, 0);
    assert_int_equal(doc_saveas_step(s, UINT64_MAX), -EEXIST);
    assert_int_equal(tu_size(late), 10);
    int tmps;
    assert_int_equal(tu_count_entries(dir, &tmps), 3); /* data, copy, late */
    assert_int_equal(tmps, 0);

    /* An empty document copies to an empty file. */
    char *empty = tu_path(dir, "empty"), *ecopy = tu_path(dir, "ecopy");
    tu_make_file(empty, 0, 0);
    Doc *e = tu_open_doc(empty, MMH_MODE_COPY, ops(named));
    assert_int_equal(doc_size(e), 0);
    assert_int_equal(doc_put(e, 0, &v, 1), -MMH_ETRUNC);
    assert_int_equal(doc_saveas_start(e, ecopy, false, &s), 0);
    run_saveas(s, UINT64_MAX);
    assert_int_equal(tu_size(ecopy), 0);
    doc_close(e);

    doc_close(d);
    free(empty);
    free(ecopy);
    free(late);
    free(want);
    free(src);
    free(dst);
    free(nodir);
    free(hard);
    tu_rmdir(dir);
}

static void test_saveas_destinations(void **state)
{
    (void)state;
    destinations_case(false);
    destinations_case(true);
}

/* A symbolic link at the destination is never followed: without overwrite
 * it is an existing name (-EEXIST); with it, the link itself is replaced by
 * the copy and its target, in another directory, keeps its bytes, mode and
 * name. Links to a directory, to the document and dangling ones alike. */
static void symlink_case(bool named)
{
    char *dir = tu_mkdtemp();
    char *here = tu_path(dir, "here"), *there = tu_path(dir, "there");
    assert_int_equal(mkdir(here, 0755), 0);
    assert_int_equal(mkdir(there, 0755), 0);
    char *src = tu_path(here, "data"), *lnk = tu_path(here, "link");
    char *victim = tu_path(there, "victim");
    const uint64_t size = 64 * KIB;
    tu_make_file(src, size, 0);
    write_text(victim, "precious\n", 0640);
    uint8_t *want = tu_pattern_buf(size);
    Doc *d = tu_open_doc(src, MMH_MODE_COPY, ops(named));
    const uint8_t v = 0x42;
    assert_int_equal(doc_put(d, 7, &v, 1), 0);
    want[7] = v;

    assert_int_equal(symlink("../there/victim", lnk), 0);
    assert_int_equal(save(d, lnk, false), -EEXIST);
    assert_int_equal(save(d, lnk, true), 0);
    struct stat st;
    assert_int_equal(lstat(lnk, &st), 0);
    assert_true(S_ISREG(st.st_mode)); /* the link became the copy */
    assert_int_equal(tu_disk_differs(lnk, want, size), -1);
    assert_true(has_text(victim, "precious\n")); /* its target untouched */
    assert_int_equal(mode_of(victim), 0640);
    assert_int_equal(tu_count_entries(there, NULL), 1);
    assert_int_equal(tu_count_entries(here, NULL), 2); /* data, link */

    /* A dangling link, a link to a directory, a link to the document. */
    const char *targets[] = {"../there/nothing", "../there", "data"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        assert_int_equal(unlink(lnk), 0);
        assert_int_equal(symlink(targets[i], lnk), 0);
        assert_int_equal(save(d, lnk, false), -EEXIST);
        assert_int_equal(save(d, lnk, true), 0);
        assert_int_equal(lstat(lnk, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(tu_disk_differs(lnk, want, size), -1);
    }
    assert_int_equal(tu_count_entries(there, NULL), 1); /* no "nothing" made */
    assert_true(has_text(victim, "precious\n"));
    assert_int_equal(tu_pread_byte(src, 7), tu_pattern(7)); /* the document's file too */

    /* A directory swapped for a link before the job ends cannot redirect
     * it: the job holds the directory it started in. */
    char *sub = tu_path(here, "sub"), *moved = tu_path(here, "moved");
    char *subcopy = tu_path(sub, "copy"), *movedcopy = tu_path(moved, "copy");
    assert_int_equal(mkdir(sub, 0755), 0);
    DocSave *s;
    assert_int_equal(doc_saveas_start(d, subcopy, false, &s), 0);
    assert_int_equal(rename(sub, moved), 0);
    assert_int_equal(symlink("../there", sub), 0);
    run_saveas(s, UINT64_MAX);
    assert_int_equal(tu_disk_differs(movedcopy, want, size), -1);
    assert_int_equal(tu_count_entries(there, NULL), 1);

    int tmps;
    assert_int_equal(tu_count_entries(here, &tmps), 4); /* data, link, sub, moved */
    assert_int_equal(tmps, 0);
    doc_close(d);
    free(sub);
    free(moved);
    free(subcopy);
    free(movedcopy);
    free(want);
    free(src);
    free(lnk);
    free(victim);
    free(here);
    free(there);
    tu_rmdir(dir);
}

static void test_saveas_symlink_replaced_not_followed(void **state)
{
    (void)state;
    symlink_case(false);
    symlink_case(true);
}

/* A device, FIFO or socket is refused up front, whatever overwrite says,
 * and nothing is created beside it. */
static void test_saveas_not_regular(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "data"), *fifo = tu_path(dir, "fifo");
    tu_make_file(src, 4 * KIB, 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    Doc *d = tu_open_doc(src, MMH_MODE_COPY, NULL);
    DocSave *s;
    assert_int_equal(doc_saveas_start(d, fifo, false, &s), -MMH_ESAVE_NOTREG);
    assert_int_equal(doc_saveas_start(d, fifo, true, &s), -MMH_ESAVE_NOTREG);
    assert_int_equal(tu_count_entries(dir, NULL), 2);
    struct stat st;
    if (stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)) {
        assert_int_equal(doc_saveas_start(d, "/dev/null", false, &s), -MMH_ESAVE_NOTREG);
        assert_int_equal(doc_saveas_start(d, "/dev/null", true, &s), -MMH_ESAVE_NOTREG);
        assert_int_equal(stat("/dev/null", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }
    doc_close(d);
    free(src);
    free(fifo);
    tu_rmdir(dir);
}

/* ---- permissions and owner ---------------------------------------------------- */

/* A new file gets the source's mode less the umask, as cp gives; a file
 * replaced keeps its own mode, whatever the umask. */
static void umask_case(bool named)
{
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "data"), *a = tu_path(dir, "a"), *b = tu_path(dir, "b");
    char *old = tu_path(dir, "old");
    tu_make_file(src, 16 * KIB, 0);
    assert_int_equal(chmod(src, 0777), 0);
    Doc *d = tu_open_doc(src, MMH_MODE_READONLY, ops(named));
    mode_t was = umask(077);
    assert_int_equal(save(d, a, false), 0);
    umask(022);
    assert_int_equal(save(d, b, false), 0);
    write_text(old, "old\n", 0664);
    umask(077);
    assert_int_equal(save(d, old, true), 0);
    umask(was);
    assert_int_equal(mode_of(a), 0700);
    assert_int_equal(mode_of(b), 0755);
    assert_int_equal(mode_of(old), 0664);
    assert_int_equal(tu_size(old), 16 * KIB);
    doc_close(d);
    free(src);
    free(a);
    free(b);
    free(old);
    tu_rmdir(dir);
}

static void test_saveas_umask(void **state)
{
    (void)state;
    umask_case(false);
    umask_case(true);
}

/* As root, a file replaced keeps its owner and group too. */
static void test_saveas_keeps_owner(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        print_message("# not root: cannot give a file to another owner\n");
        skip();
    }
    char *dir = tu_mkdtemp();
    char *src = tu_path(dir, "data"), *dst = tu_path(dir, "theirs");
    tu_make_file(src, 4 * KIB, 0);
    write_text(dst, "theirs\n", 0640);
    assert_int_equal(chown(dst, 4321, 4322), 0);
    Doc *d = tu_open_doc(src, MMH_MODE_READONLY, NULL);
    assert_int_equal(save(d, dst, true), 0);
    struct stat st;
    assert_int_equal(stat(dst, &st), 0);
    assert_int_equal(st.st_uid, 4321);
    assert_int_equal(st.st_gid, 4322);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_size, 4 * KIB);
    doc_close(d);
    free(src);
    free(dst);
    tu_rmdir(dir);
}

/* ---- a full device ----------------------------------------------------------- */

/* Save 4 MiB of data onto a 1 MiB tmpfs: -ENOSPC, worded as a full device
 * (not map_strerror's hole), and nothing left there. */
static void test_saveas_enospc(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *mnt = tu_mount_tmpfs(dir, "1m");
    if (!mnt) {
        print_message("# cannot mount a 1 MiB tmpfs (%s): skipped\n", strerror(errno));
        tu_rmdir(dir);
        skip();
    }
    char *src = tu_path(dir, "data"), *dst = tu_path(mnt, "copy");
    tu_make_file(src, 4 * MIB, 0);
    for (int named = 0; named < 2; named++) {
        Doc *d = tu_open_doc(src, MMH_MODE_COPY, ops(named));
        int rc = save(d, dst, false);
        assert_int_equal(rc, -ENOSPC);
        assert_string_equal(doc_saveas_strerror(rc), "no space left on the device");
        assert_int_equal(tu_count_entries(mnt, NULL), 0);
        doc_close(d);
    }
    free(src);
    free(dst);
    tu_unmount_all(NULL);
    free(mnt);
    tu_rmdir(dir);
}

static void test_saveas_strerror(void **state)
{
    (void)state;
    assert_string_equal(doc_saveas_strerror(-MMH_ESAVE_SELF),
                        "that is the file being edited: use w to write it");
    assert_string_equal(doc_saveas_strerror(-MMH_ESAVE_LINK),
                        "that is a hard link to the file being edited: use w");
    assert_non_null(strstr(doc_saveas_strerror(-MMH_ESAVE_NOTREG), "regular files only"));
    assert_null(strstr(doc_saveas_strerror(-ENOSPC), "hole"));
    assert_string_equal(doc_saveas_strerror(-EISDIR), map_strerror(-EISDIR));
    assert_string_equal(doc_saveas_strerror(-EACCES), map_strerror(-EACCES));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_saveas_huge_sparse),
        cmocka_unit_test(test_saveas_budgeted),
        cmocka_unit_test(test_saveas_shared_readonly),
        cmocka_unit_test(test_saveas_cancel),
        cmocka_unit_test(test_saveas_killed),
        cmocka_unit_test(test_saveas_destinations),
        cmocka_unit_test(test_saveas_symlink_replaced_not_followed),
        cmocka_unit_test(test_saveas_not_regular),
        cmocka_unit_test(test_saveas_umask),
        cmocka_unit_test(test_saveas_keeps_owner),
        cmocka_unit_test_teardown(test_saveas_enospc, tu_unmount_all),
        cmocka_unit_test(test_saveas_strerror),
    };
    return cmocka_run_group_tests_name("save", tests, NULL, NULL);
}
