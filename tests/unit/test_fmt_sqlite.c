/*
 * test_fmt_sqlite: the SQLite database decoder (fmt-sqlite.c) against
 * databases the real sqlite3 CLI makes in the test: the header against
 * the PRAGMAs, every page's type and cell count against the dbstat
 * virtual table, a small table's root page cells against `SELECT rowid,
 * quote(...)`, a big blob's overflow page; a page deep in a sparse 1.6 GiB
 * file decoded in a few reads; and a malformed corpus (truncations, huge
 * counts, pointers past the page, 200 random byte flips) that must give
 * malformed nodes, never a hang or a read past the end.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "fmtutil.h"
#include "testutil.h"

#include <cmocka.h>

#define SKIP_NO_SQLITE()                                                                           \
    do {                                                                                           \
        if (!fu_have("sqlite3")) {                                                                 \
            print_message("skipped: sqlite3 (package sqlite3) is not installed\n");                \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* The database the tests share: 5000 rows of mixed types, an index on
 * them, a big blob (overflow pages), a small table, a dropped table (free
 * pages). */
static char *make_db(const char *dir, unsigned page_size)
{
    char *db = tu_path(dir, "t.db");
    assert_int_equal(
        fu_sh("sqlite3 '%s' \"PRAGMA page_size=%u; PRAGMA user_version=-7; "
              "PRAGMA application_id=1234567; "
              "CREATE TABLE t(id INTEGER PRIMARY KEY, i INT, r REAL, s TEXT, b BLOB); "
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<5000) "
              "INSERT INTO t(i, r, s, b) SELECT x*x-2500, x/7.0, 'row ' || x, "
              "randomblob(x %% 20) FROM c; "
              "CREATE INDEX ti ON t(s); "
              "CREATE TABLE big(b); INSERT INTO big VALUES(zeroblob(20000)); "
              "CREATE TABLE small(a, b, c); INSERT INTO small VALUES(1, 'one', 1.5), "
              "(-2, NULL, x'00ff'), (3000000000, 'three', -0.25), (0, 'caf\xc3\xa9', 1e300); "
              "CREATE TABLE tmp(x); INSERT INTO tmp VALUES(zeroblob(30000)); DROP TABLE tmp;\"",
              db, page_size),
        0);
    return db;
}

/* A one-line answer of sqlite3 as a number. */
static int64_t ask(const char *db, const char *sql)
{
    char *out = fu_out("sqlite3 '%s' \"%s\"", db, sql);
    assert_non_null(out);
    int64_t v = strtoll(out, NULL, 0);
    free(out);
    return v;
}

static void page(const FmtSrc *src, const FmtNode *root, uint64_t pgno, FmtNode *out)
{
    FmtNode pages;
    assert_true(fu_find(src, root, "pages", &pages));
    assert_int_equal(fmt_child(src, &pages, pgno - 1, out), 0);
}

/* This sqlite3 has the dbstat virtual table. */
static bool stat_ok(const char *db)
{
    return fu_sh("sqlite3 '%s' 'SELECT count(*) FROM dbstat' >/dev/null 2>&1", db) == 0;
}

/* The interior pages of b-tree name: each cell's left child and the
 * right-most pointer against dbstat's paths ("/000/" is the root's first
 * child, "/00a/" its eleventh). */
static void check_interior(const FmtSrc *src, const FmtNode *root, const char *db, const char *name)
{
    char *rows = fu_out("sqlite3 -separator '|' '%s' \"SELECT path, pageno, ncell FROM dbstat "
                        "WHERE name='%s' AND pagetype='internal' ORDER BY path LIMIT 20\"",
                        db, name);
    assert_non_null(rows);
    unsigned seen = 0;
    char *save = NULL;
    for (char *line = strtok_r(rows, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char path[64];
        uint64_t pgno, ncell;
        if (sscanf(line, "%60[^|]|%" SCNu64 "|%" SCNu64, path, &pgno, &ncell) != 3)
            continue;
        FmtNode pg, c;
        page(src, root, pgno, &pg);
        assert_int_equal(strncmp(pg.text, "interior ", 9), 0);
        /* The first cell, a middle one, the right-most pointer. */
        const uint64_t which[] = {0, ncell / 2, ncell};
        for (size_t w = 0; w < 3; w++) {
            uint64_t i = which[w];
            char want[256], kid[32];
            snprintf(want, sizeof want,
                     "SELECT pageno FROM dbstat WHERE name='%s' AND "
                     "path='%s%03" PRIx64 "/'",
                     name, path, i);
            uint64_t child = (uint64_t)ask(db, want);
            if (i < ncell) {
                snprintf(kid, sizeof kid, "cell %" PRIu64, i);
                assert_true(fu_find(src, &pg, kid, &c));
                assert_int_equal(fu_num(src, &c, "left child page"), child);
            } else {
                assert_int_equal(fu_num(src, &pg, "b-tree header/right-most pointer"), child);
            }
        }
        seen++;
    }
    assert_true(seen >= 1);
    free(rows);
}

static void check_vs_cli(unsigned page_size)
{
    char *dir = tu_mkdtemp();
    char *db = make_db(dir, page_size);
    FmtSrc src;
    fu_open(db, &src);
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_string_equal(root.dec->name, "sqlite");

    /* The header against the PRAGMAs. */
    assert_int_equal(fu_num(&src, &root, "header/page size"), ask(db, "PRAGMA page_size"));
    assert_int_equal(page_size, ask(db, "PRAGMA page_size"));
    int64_t npages = ask(db, "PRAGMA page_count");
    assert_int_equal(fu_num(&src, &root, "header/database size in pages"), npages);
    assert_int_equal(fu_num(&src, &root, "header/freelist page count"),
                     ask(db, "PRAGMA freelist_count"));
    assert_true(ask(db, "PRAGMA freelist_count") > 0);
    assert_int_equal(fu_num(&src, &root, "header/schema cookie"), ask(db, "PRAGMA schema_version"));
    FmtNode n;
    assert_true(fu_find(&src, &root, "header/user version", &n));
    assert_int_equal(strtoll(n.text, NULL, 10), ask(db, "PRAGMA user_version"));
    assert_int_equal(strtoll(n.text, NULL, 10), -7);
    assert_true(fu_find(&src, &root, "header/application id", &n));
    assert_int_equal(strtoll(n.text, NULL, 10), ask(db, "PRAGMA application_id"));
    char *enc = fu_out("sqlite3 '%s' 'PRAGMA encoding'", db);
    assert_non_null(enc);
    assert_true(fu_find(&src, &root, "header/text encoding", &n));
    assert_int_equal(strncmp(enc, n.note, strlen(n.note)), 0);
    assert_string_equal(n.note, "UTF-8");
    free(enc);
    char *ver = fu_out("sqlite3 --version");
    assert_non_null(ver);
    assert_true(fu_find(&src, &root, "header/SQLite version number", &n));
    assert_int_equal(strncmp(ver, n.note, strlen(n.note)), 0);
    free(ver);

    FmtNode pages;
    assert_true(fu_find(&src, &root, "pages", &pages));
    assert_int_equal(pages.nkids, npages);

    /* The first freelist trunk page is no b-tree page, and says what it is. */
    uint64_t trunk = fu_num(&src, &root, "header/first freelist trunk page");
    assert_true(trunk > 1 && trunk <= (uint64_t)npages);
    page(&src, &root, trunk, &n);
    assert_string_equal(n.text, "not a b-tree page");
    assert_string_equal(n.note, "the first freelist trunk page");
    /* One trunk (the dropped table's few pages): it and its leaves are the
     * free pages; each leaf a page past the b-trees. */
    assert_int_equal(fu_num(&src, &n, "next trunk page"), 0);
    uint64_t leaves = fu_num(&src, &n, "leaf count");
    assert_int_equal(1 + leaves, ask(db, "PRAGMA freelist_count"));
    FmtNode lv;
    assert_true(fu_find(&src, &n, "leaf pages", &lv));
    assert_int_equal(lv.nkids, leaves);
    for (uint64_t i = 0; i < leaves; i++) {
        FmtNode e;
        assert_int_equal(fmt_child(&src, &lv, i, &e), 0);
        uint64_t pg = strtoull(e.text, NULL, 10);
        assert_true(pg > 1 && pg <= (uint64_t)npages && pg != trunk);
        char q[128];
        snprintf(q, sizeof q, "SELECT count(*) FROM dbstat WHERE pageno=%" PRIu64, pg);
        if (stat_ok(db))
            assert_int_equal(ask(db, q), 0);
    }

    /* Every page's type and cell count against dbstat. */
    char *stat = fu_out("sqlite3 '%s' 'SELECT pageno, pagetype, ncell FROM dbstat "
                        "ORDER BY pageno' 2>/dev/null",
                        db);
    if (!stat) {
        print_message("dbstat part skipped: this sqlite3 has no dbstat virtual table\n");
    } else {
        unsigned seen = 0;
        for (char *line = strtok(stat, "\n"); line; line = strtok(NULL, "\n")) {
            uint64_t pgno, ncell;
            char type[16];
            if (sscanf(line, "%" SCNu64 "|%15[a-z]|%" SCNu64, &pgno, type, &ncell) != 3)
                continue;
            page(&src, &root, pgno, &n);
            if (strcmp(type, "internal") == 0)
                assert_int_equal(strncmp(n.text, "interior ", 9), 0);
            else if (strcmp(type, "leaf") == 0)
                assert_int_equal(strncmp(n.text, "leaf ", 5), 0);
            else
                assert_string_equal(n.text, "not a b-tree page");
            if (strcmp(type, "overflow") != 0) {
                assert_int_equal(fu_num(&src, &n, "b-tree header/cell count"), ncell);
                assert_int_equal(n.nkids, 2 + ncell);
            }
            seen++;
        }
        print_message("dbstat: %u pages compared\n", seen);
        assert_true(seen > 40);
        assert_true(seen + (uint64_t)ask(db, "PRAGMA freelist_count") == (uint64_t)npages);
    }

    /* The small table's rows: its root page's cells against SELECT. */
    uint64_t small = (uint64_t)ask(db, "SELECT rootpage FROM sqlite_schema WHERE name='small'");
    FmtNode pg;
    page(&src, &root, small, &pg);
    assert_string_equal(pg.text, "leaf table, 4 cells");
    char *rows = fu_out("sqlite3 -separator '|' '%s' 'SELECT rowid, quote(a), quote(b), "
                        "quote(c) FROM small ORDER BY rowid'",
                        db);
    assert_non_null(rows);
    unsigned cell = 0;
    for (char *line = strtok(rows, "\n"); line; line = strtok(NULL, "\n"), cell++) {
        char path[64];
        snprintf(path, sizeof path, "cell %u", cell);
        FmtNode c;
        assert_true(fu_find(&src, &pg, path, &c));
        char *f[4];
        f[0] = strtok_r(line, "|", &line);
        for (int k = 1; k < 4; k++)
            f[k] = strtok_r(NULL, "|", &line);
        assert_int_equal(fu_num(&src, &c, "rowid"), strtoull(f[0], NULL, 10));
        for (int k = 1; k < 4; k++) {
            snprintf(path, sizeof path, "column %d", k - 1);
            assert_true(fu_find(&src, &c, path, &n));
            const char *q = f[k];
            if (strcmp(q, "NULL") == 0) {
                assert_string_equal(n.text, "NULL");
            } else if (q[0] == '\'') {
                /* 'text' -> "text" */
                assert_int_equal(n.text[0], '"');
                assert_int_equal(strncmp(n.text + 1, q + 1, strlen(q) - 2), 0);
                assert_int_equal(strlen(n.text), strlen(q));
            } else if (q[0] == 'X') {
                char want[32];
                snprintf(want, sizeof want, "blob, %zu bytes", (strlen(q) - 3) / 2);
                assert_string_equal(n.text, want);
            } else if (strpbrk(q, ".e")) {
                assert_true(strtod(q, NULL) == strtod(n.text, NULL));
            } else {
                assert_string_equal(n.text, q);
            }
        }
    }
    assert_int_equal(cell, 4);
    free(rows);

    /* The big blob: its cell overflows to a page dbstat calls overflow. */
    uint64_t big = (uint64_t)ask(db, "SELECT rootpage FROM sqlite_schema WHERE name='big'");
    page(&src, &root, big, &pg);
    FmtNode c;
    assert_true(fu_find(&src, &pg, "cell 0", &c));
    uint64_t ovfl = fu_num(&src, &c, "overflow page");
    assert_true(fu_find(&src, &c, "column 0", &n));
    char want[48];
    snprintf(want, sizeof want, "blob, %" PRId64 " bytes", ask(db, "SELECT length(b) FROM big"));
    assert_string_equal(n.text, want);
    assert_non_null(strstr(n.note, "continues in the overflow pages"));
    char *ot =
        fu_out("sqlite3 '%s' 'SELECT pagetype FROM dbstat WHERE pageno=%" PRIu64 "' 2>/dev/null",
               db, ovfl);
    if (ot) {
        assert_string_equal(ot, "overflow\n");
        free(ot);
    }
    page(&src, &root, ovfl, &n);
    assert_string_equal(n.text, "not a b-tree page");

    /* The index's pages are index pages. */
    uint64_t ti = (uint64_t)ask(db, "SELECT rootpage FROM sqlite_schema WHERE name='ti'");
    page(&src, &root, ti, &n);
    assert_non_null(strstr(n.text, "index"));
    if (stat) {
        check_interior(&src, &root, db, "t");
        check_interior(&src, &root, db, "ti");
        /* The leftmost leaves' first cells: the smallest keys. */
        uint64_t leaf = (uint64_t)ask(db, "SELECT pageno FROM dbstat WHERE name='t' AND "
                                          "pagetype='leaf' ORDER BY path LIMIT 1");
        page(&src, &root, leaf, &pg);
        assert_true(fu_find(&src, &pg, "cell 0", &c));
        assert_int_equal(fu_num(&src, &c, "rowid"), ask(db, "SELECT min(rowid) FROM t"));
        char *row = fu_out("sqlite3 -separator '|' '%s' 'SELECT quote(i), quote(r), quote(s), "
                           "length(b) FROM t ORDER BY rowid LIMIT 1'",
                           db);
        assert_non_null(row);
        char *qi = strtok(row, "|\n"), *qr = strtok(NULL, "|\n"), *qs = strtok(NULL, "|\n"),
             *lb = strtok(NULL, "|\n");
        assert_true(fu_find(&src, &c, "column 0", &n));
        assert_string_equal(n.text, "NULL"); /* the INTEGER PRIMARY KEY is the rowid */
        assert_true(fu_find(&src, &c, "column 1", &n));
        assert_string_equal(n.text, qi);
        assert_true(fu_find(&src, &c, "column 2", &n));
        assert_true(strtod(n.text, NULL) == strtod(qr, NULL));
        assert_true(fu_find(&src, &c, "column 3", &n));
        assert_int_equal(strncmp(n.text + 1, qs + 1, strlen(qs) - 2), 0);
        assert_true(fu_find(&src, &c, "column 4", &n));
        snprintf(want, sizeof want, "blob, %s byte%s", lb, strcmp(lb, "1") ? "s" : "");
        assert_string_equal(n.text, want);
        free(row);
        leaf = (uint64_t)ask(db, "SELECT pageno FROM dbstat WHERE name='ti' AND "
                                 "pagetype='leaf' ORDER BY path LIMIT 1");
        page(&src, &root, leaf, &pg);
        assert_true(fu_find(&src, &pg, "cell 0", &c));
        row = fu_out("sqlite3 -separator '|' '%s' 'SELECT s, rowid FROM t ORDER BY s, rowid "
                     "LIMIT 1'",
                     db);
        assert_non_null(row);
        char *s = strtok(row, "|\n"), *rowid = strtok(NULL, "|\n");
        assert_true(fu_find(&src, &c, "column 0", &n));
        snprintf(want, sizeof want, "\"%s\"", s);
        assert_string_equal(n.text, want);
        assert_true(fu_find(&src, &c, "column 1", &n));
        assert_string_equal(n.text, rowid);
        free(row);
    }

    /* The status line: the path to an offset names the nodes. */
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, 17, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[1].name, "header");
    assert_string_equal(path[2].name, "page size");
    assert_int_equal(fmt_insp(&path[2]), 3 /* INSP_U16 */);
    page(&src, &root, small, &pg);
    assert_true(fu_find(&src, &pg, "cell 2", &c));
    assert_true(fu_find(&src, &c, "column 1", &n));
    k = fmt_path(&src, &root, n.off + 2, path, FMT_DEPTH);
    assert_int_equal(k, 5);
    assert_string_equal(path[2].name, pg.name);
    assert_string_equal(path[3].name, "cell 2");
    assert_string_equal(path[4].name, "column 1");
    assert_string_equal(path[4].text, "\"three\"");
    /* A cell pointer, and a serial type in a record header. */
    uint64_t po = (small - 1) * page_size;
    k = fmt_path(&src, &root, po + 8 + 3, path, FMT_DEPTH);
    assert_int_equal(k, 5);
    assert_string_equal(path[3].name, "cell pointers");
    assert_string_equal(path[4].name, "cell pointer 1");
    assert_true(fu_find(&src, &c, "record header/serial type 2", &n));
    k = fmt_path(&src, &root, n.off, path, FMT_DEPTH);
    assert_int_equal(k, 6);
    assert_string_equal(path[4].name, "record header");
    assert_string_equal(path[5].name, "serial type 2");
    assert_string_equal(path[5].text, "7");

    free(stat);
    fu_close(&src);
    free(db);
    tu_rmdir(dir);
}

static void test_sqlite_4096(void **state)
{
    (void)state;
    SKIP_NO_SQLITE();
    check_vs_cli(4096);
}

static void test_sqlite_1024(void **state)
{
    (void)state;
    SKIP_NO_SQLITE();
    check_vs_cli(1024);
}

/* A UTF-16le auto-vacuum database: its text columns shown as UTF-8, its
 * pointer-map page named. */
static void test_sqlite_utf16(void **state)
{
    (void)state;
    SKIP_NO_SQLITE();
    char *dir = tu_mkdtemp();
    char *db = tu_path(dir, "u.db");
    assert_int_equal(fu_sh("sqlite3 '%s' \"PRAGMA encoding='UTF-16le'; PRAGMA auto_vacuum=1; "
                           "CREATE TABLE t(a); "
                           "INSERT INTO t VALUES('h\xc3\xa9llo \xe2\x82\xac')\"",
                           db),
                     0);
    FmtSrc src;
    fu_open(db, &src);
    FmtNode root, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    char *enc = fu_out("sqlite3 '%s' 'PRAGMA encoding'", db);
    assert_non_null(enc);
    assert_true(fu_find(&src, &root, "header/text encoding", &n));
    assert_string_equal(n.note, "UTF-16le");
    assert_int_equal(strncmp(enc, n.note, strlen(n.note)), 0);
    uint64_t t = (uint64_t)ask(db, "SELECT rootpage FROM sqlite_schema WHERE name='t'");
    page(&src, &root, t, &n);
    assert_string_equal(n.text, "leaf table, 1 cell");
    assert_true(fu_find(&src, &n, "cell 0/column 0", &n));
    assert_string_equal(n.text, "\"h\xc3\xa9llo \xe2\x82\xac\"");
    /* Auto-vacuum: page 2 is the first pointer-map page. */
    assert_int_equal(ask(db, "PRAGMA auto_vacuum"), 1);
    page(&src, &root, 2, &n);
    assert_string_equal(n.text, "not a b-tree page");
    assert_string_equal(n.note, "a pointer-map page");
    /* Its first entry's type 5 (a b-tree page) is no page type there. */
    fu_close(&src);
    FILE *f = fopen(db, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)n.off, SEEK_SET), 0);
    assert_int_equal(fputc(0x05, f), 0x05);
    assert_int_equal(fclose(f), 0);
    fu_open(db, &src);
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    page(&src, &root, 2, &n);
    assert_string_equal(n.text, "not a b-tree page");
    assert_string_equal(n.note, "a pointer-map page");
    free(enc);
    fu_close(&src);
    free(db);
    tu_rmdir(dir);
}

/* ---- a source that counts its reads ---- */

typedef struct Counted {
    FmtSrc inner;
    unsigned reads;
    uint64_t bytes;
} Counted;

static int counted_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    Counted *c = ctx;
    c->reads++;
    c->bytes += len;
    return c->inner.read(c->inner.ctx, off, buf, len);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_be32(const char *path, uint64_t off, uint32_t v)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
    assert_int_equal(fwrite(b, 1, 4, f), 4);
    assert_int_equal(fclose(f), 0);
}

/* Page 400000 of a sparse 1.6 GiB database: a few reads, at once. */
static void test_sqlite_sparse_huge(void **state)
{
    (void)state;
    SKIP_NO_SQLITE();
    char *dir = tu_mkdtemp();
    char *db = tu_path(dir, "huge.db");
    assert_int_equal(fu_sh("sqlite3 '%s' 'PRAGMA page_size=4096; CREATE TABLE t(a); "
                           "INSERT INTO t VALUES(1)' && truncate -s 1717986918 '%s'",
                           db, db),
                     0);
    uint64_t npages = 1717986918ull / 4096; /* 419430 */
    put_be32(db, 28, (uint32_t)npages);
    Counted cs;
    fu_open(db, &cs.inner);
    cs.reads = 0;
    cs.bytes = 0;
    FmtSrc src = {.read = counted_read, .ctx = &cs, .size = cs.inner.size};
    double t0 = now();
    FmtNode root, pages, n;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    assert_int_equal(fmt_child(&src, &root, 1, &pages), 0);
    assert_int_equal(pages.nkids, npages);
    assert_int_equal(fmt_child(&src, &pages, 399999, &n), 0);
    assert_string_equal(n.name, "page 400000");
    assert_string_equal(n.text, "not a b-tree page");
    assert_int_equal(n.off, 399999ull * 4096);
    FmtNode path[FMT_DEPTH];
    int k = fmt_path(&src, &root, 399999ull * 4096 + 123, path, FMT_DEPTH);
    assert_int_equal(k, 3);
    assert_string_equal(path[2].name, "page 400000");
    /* The lock-byte page at 1 GiB. */
    assert_int_equal(fmt_child(&src, &pages, 0x40000000 / 4096, &n), 0);
    assert_string_equal(n.note, "the lock-byte page (unused)");
    double dt = now() - t0;
    print_message("sparse 1.6 GiB: %u reads, %" PRIu64 " bytes, %.3f ms\n", cs.reads, cs.bytes,
                  dt * 1e3);
    assert_true(cs.reads < 64);
    assert_true(cs.bytes < 16384);
    assert_true(dt < 0.5);
    fu_close(&cs.inner);
    free(db);
    tu_rmdir(dir);
}

/* ---- the malformed corpus, in memory ---- */

typedef struct Mem {
    const uint8_t *b;
    size_t n;
} Mem;

/* A read past the end is the decoder's bug (fmt_read and fmt_uint never
 * ask for one): the test fails. */
static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    Mem *m = ctx;
    if (off > m->n || len > m->n - off)
        fail_msg("read of %zu bytes at 0x%" PRIx64 " past the end (%zu)", len, off, m->n);
    memcpy(buf, m->b + off, len);
    return 0;
}

/* Detect and walk; the bad nodes found (the walk must come back). */
static uint64_t walk_mem(const uint8_t *b, size_t n, FmtNode *root_out)
{
    Mem m = {b, n};
    FmtSrc src = {.read = mem_read, .ctx = &m, .size = n};
    FmtNode root;
    if (fmt_detect(&src, 0, &root) < 0)
        return 0;
    uint64_t bad = 0;
    assert_true(fu_walk(&src, &root, 8, 300, 20000, &bad) <= 20001);
    /* And every offset's path, a sample of them. */
    FmtNode path[FMT_DEPTH];
    for (uint64_t off = 0; off < n; off += 97)
        fmt_path(&src, &root, off, path, FMT_DEPTH);
    if (root_out)
        *root_out = root;
    return bad;
}

static uint8_t *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    assert_true(len > 0);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* The node at path under a memory image's root, or fail. */
static void mem_find(const uint8_t *b, size_t n, const char *path, FmtNode *out)
{
    Mem m = {b, n};
    FmtSrc src = {.read = mem_read, .ctx = &m, .size = n};
    FmtNode root;
    assert_int_equal(fmt_detect(&src, 0, &root), 0);
    if (!fu_find(&src, &root, path, out))
        fail_msg("no node %s", path);
}

static void test_sqlite_malformed(void **state)
{
    (void)state;
    SKIP_NO_SQLITE();
    char *dir = tu_mkdtemp();
    char *db = tu_path(dir, "m.db");
    assert_int_equal(
        fu_sh("sqlite3 '%s' \"PRAGMA page_size=1024; CREATE TABLE t(a, b, c); "
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300) "
              "INSERT INTO t SELECT x, 'v' || x, x * 0.5 FROM c; CREATE INDEX ti ON t(b); "
              "CREATE TABLE big(b); INSERT INTO big VALUES(zeroblob(3000));\"",
              db),
        0);
    size_t n;
    uint8_t *orig = load(db, &n);
    uint8_t *b = malloc(n);
    assert_non_null(b);
    FmtNode root, x;
    assert_int_equal(walk_mem(orig, n, &root), 0); /* the real one is fine */

    /* Truncated at each of several cut points. */
    static const size_t cuts[] = {16, 20, 50, 99, 100, 104, 108, 500, 1023, 1024, 1030, 2047, 3000};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        uint64_t bad = walk_mem(orig, cuts[i], NULL);
        if (cuts[i] > 1024 && cuts[i] % 1024)
            assert_true(bad >= 1); /* the last page passes the end */
    }
    walk_mem(orig, n - 1, NULL);

    /* Page count 0xffffffff (valid for the change counter): clamped. */
    memcpy(b, orig, n);
    memcpy(b + 28, "\xff\xff\xff\xff", 4);
    walk_mem(b, n, NULL);
    mem_find(b, n, "pages", &x);
    assert_int_equal(x.nkids, n / 1024);

    /* A page size that is no power of two. */
    memcpy(b, orig, n);
    b[16] = 0x03, b[17] = 0x00;
    walk_mem(b, n, NULL);
    mem_find(b, n, "pages", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "malformed at 0x10: page size 768"));

    /* Reserved bytes leaving fewer than 480 usable bytes a page. */
    memcpy(b, orig, n);
    b[20] = 88; /* 1024 - 88: fine */
    walk_mem(b, n, NULL);
    b[20] = 255; /* 769: fine too */
    walk_mem(b, n, NULL);
    b[16] = 0x02, b[17] = 0x00; /* 512 - 255 = 257 */
    assert_true(walk_mem(b, n, NULL) >= 1);
    mem_find(b, n, "pages/page 1", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "usable page size 257 is below 480"));

    /* The header naming page 3 the first freelist trunk, its leaf count
     * 0xffffffff and its next trunk itself. */
    memcpy(b, orig, n);
    memcpy(b + 32, "\0\0\0\x03", 4);
    memcpy(b + 2048, "\0\0\0\x03\xff\xff\xff\xff", 8);
    assert_true(walk_mem(b, n, NULL) >= 1);
    mem_find(b, n, "pages/page 3/leaf pages", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "leaf count 4294967295 does not fit"));

    /* Page 2 (t's root, interior or leaf) with cell count 0xffff. */
    memcpy(b, orig, n);
    b[1024 + 3] = 0xff, b[1024 + 4] = 0xff;
    assert_true(walk_mem(b, n, NULL) >= 1);
    mem_find(b, n, "pages/page 2/cells", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "cell count 65535 does not fit"));

    /* Page 2's first cell pointer past the page. */
    memcpy(b, orig, n);
    unsigned h2 = b[1024] == 0x05 || b[1024] == 0x02 ? 12 : 8;
    b[1024 + h2] = 0xff, b[1024 + h2 + 1] = 0xff;
    assert_true(walk_mem(b, n, NULL) >= 1);
    mem_find(b, n, "pages/page 2/cell 0", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "outside the cell content area"));

    /* The schema's first cell: payload size and record header size huge. */
    memcpy(b, orig, n);
    unsigned c0 = (unsigned)b[108] << 8 | b[109];
    memset(b + c0, 0xff, 9);
    assert_true(walk_mem(b, n, NULL) >= 1);
    mem_find(b, n, "pages/page 1/cell 0", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "the payload runs past the page"));
    memcpy(b, orig, n);
    b[c0 + 2] = 0x7f; /* payload size and rowid are one byte each */
    walk_mem(b, n, NULL);
    mem_find(b, n, "pages/page 1/cell 0/column 4", &x);
    assert_true(x.bad);

    /* Self references: page 2's right-most pointer and an overflow page
     * number pointing at their own page; a reserved serial type. */
    memcpy(b, orig, n);
    assert_int_equal(h2, 12); /* 300 rows: t's root is interior */
    memcpy(b + 1024 + 8, "\0\0\0\x02", 4);
    walk_mem(b, n, NULL);
    mem_find(b, n, "pages/page 2/b-tree header/right-most pointer", &x);
    assert_string_equal(x.text, "2");
    uint64_t big = (uint64_t)ask(db, "SELECT rootpage FROM sqlite_schema WHERE name='big'");
    char path[64];
    snprintf(path, sizeof path, "pages/page %" PRIu64 "/cell 0/overflow page", big);
    memcpy(b, orig, n);
    mem_find(b, n, path, &x);
    assert_true(x.len == 4 && x.off + 4 <= n);
    b[x.off] = 0, b[x.off + 1] = 0, b[x.off + 2] = (uint8_t)(big >> 8), b[x.off + 3] = (uint8_t)big;
    walk_mem(b, n, NULL);
    mem_find(b, n, path, &x);
    assert_int_equal(strtoull(x.text, NULL, 10), big);
    memcpy(b, orig, n);
    b[c0 + 3] = 10; /* the schema row's first serial type */
    walk_mem(b, n, NULL);
    mem_find(b, n, "pages/page 1/cell 0/column 0", &x);
    assert_true(x.bad);
    assert_non_null(strstr(x.text, "serial type 10 is reserved"));

    /* 200 random flips of 1-4 bytes in the headers and the first pages
     * (a fixed seed): each must come back. */
    uint32_t seed = 12345;
    for (int r = 0; r < 200; r++) {
        memcpy(b, orig, n);
        int flips = 1 + r % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t span = n < 3072 ? n : 3072;
            size_t at = (seed >> 8) % span;
            if (r % 3 == 0)
                at = 16 + (seed >> 8) % 100; /* the header and page 1's b-tree header */
            seed = seed * 1103515245u + 12345u;
            b[at] ^= (uint8_t)(1 + (seed >> 16) % 255);
        }
        walk_mem(b, n, NULL);
    }
    free(b);
    free(orig);
    free(db);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_4096),      cmocka_unit_test(test_sqlite_1024),
        cmocka_unit_test(test_sqlite_utf16),     cmocka_unit_test(test_sqlite_sparse_huge),
        cmocka_unit_test(test_sqlite_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
