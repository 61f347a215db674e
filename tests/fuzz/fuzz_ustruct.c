/*
 * fuzz_ustruct: libFuzzer target for the user structure language. The
 * input, NUL-terminated in a buffer of its exact size, is definition text
 * for ustruct_parse; besides not crashing, it must keep its contract:
 *  - an error is -EINVAL with "fuzz.hexs:LINE:COL: ..." in err and no
 *    definitions, or -ENOMEM;
 *  - when it parses, every structure (the first 8) placed at a few offsets
 *    of a fixed 4 KiB buffer gives a root, and a bounded walk of its tree
 *    (and fmt_path at a few offsets) comes back with nodes inside their
 *    limits: names and texts terminated, malformed nodes saying so.
 */
#include "config.h"

#include "fmt.h"
#include "ustruct.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_ustruct: %s:%d: %s\n", __FILE__, __LINE__, #c);                  \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define BUF 4096
#define MAX_STRUCTS 8 /* structures decoded per input */
#define MAX_NODES 400 /* nodes walked per root */

typedef struct Buf {
    uint8_t b[BUF];
} Buf;

static int buf_read(void *ctx, uint64_t off, void *out, size_t len)
{
    const Buf *b = ctx;
    if (off > BUF || len > BUF - off)
        return -ERANGE;
    memcpy(out, b->b + off, len);
    return 0;
}

/* The fixed data: small numbers, text, NULs and 0xff runs. */
static Buf *data_buf(void)
{
    static Buf b;
    static int made;
    if (!made) {
        for (size_t i = 0; i < BUF; i++)
            b.b[i] = (uint8_t)(i % 13 == 0 ? 0 : i % 7 == 0 ? 0xff : (i * 7 + 3) % 40);
        memcpy(b.b, "MYFM\x03\0\0\0\x80\0\0\0", 12);
        made = 1;
    }
    return &b;
}

static void check_node(const FmtNode *n)
{
    CHECK(memchr(n->name, 0, sizeof n->name));
    CHECK(memchr(n->text, 0, sizeof n->text));
    CHECK(memchr(n->note, 0, sizeof n->note));
    if (n->bad)
        CHECK(strncmp(n->text, "malformed at 0x", 15) == 0);
    CHECK(n->nkids <= FMT_KIDS_MAX);
}

static void walk(const FmtSrc *src, const FmtNode *n, int depth, unsigned *left)
{
    if (depth <= 0)
        return;
    uint64_t want = n->nkids < 40 ? n->nkids : 40;
    for (uint64_t i = 0; i < want && *left; i++) {
        FmtNode k;
        if (fmt_child(src, n, i, &k) < 0)
            continue;
        (*left)--;
        check_node(&k);
        walk(src, &k, depth - 1, left);
    }
    /* The last children of big arrays (runs' "more" nodes, clamps). */
    if (n->nkids > want && *left) {
        FmtNode k;
        if (fmt_child(src, n, n->nkids - 1, &k) == 0) {
            (*left)--;
            check_node(&k);
            walk(src, &k, depth - 1, left);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    UsDefs *d = (UsDefs *)&s; /* must be reset */
    char err[160];
    int rc = ustruct_parse("fuzz.hexs", s, &d, err, sizeof err);
    if (rc < 0) {
        CHECK(d == NULL);
        CHECK(rc == -EINVAL || rc == -ENOMEM);
        if (rc == -EINVAL) {
            unsigned line, col;
            CHECK(sscanf(err, "fuzz.hexs:%u:%u: ", &line, &col) == 2);
            CHECK(line >= 1 && col >= 1);
        }
        free(s);
        return 0;
    }
    CHECK(rc == 0 && d != NULL);
    FmtSrc src = {buf_read, data_buf(), BUF};
    FmtNode root;
    CHECK(ustruct_root(d, NULL, &src, 0, &root) == 0);
    CHECK(ustruct_root(d, "no such structure name at all", &src, 0, &root) == -ENOENT);
    for (size_t i = 0; i < MAX_STRUCTS && ustruct_name(d, i); i++) {
        static const uint64_t offs[] = {0, 100, BUF - 3};
        for (size_t o = 0; o < sizeof offs / sizeof *offs; o++) {
            CHECK(ustruct_root(d, ustruct_name(d, i), &src, offs[o], &root) == 0);
            check_node(&root);
            CHECK(root.off == offs[o] && root.len <= BUF - offs[o]);
            unsigned left = MAX_NODES;
            walk(&src, &root, 6, &left);
            FmtNode path[FMT_DEPTH];
            int k = fmt_path(&src, &root, offs[o] + 5, path, FMT_DEPTH);
            CHECK(k >= 0 && k <= FMT_DEPTH);
        }
    }
    CHECK(ustruct_root(d, ustruct_name(d, 0), &src, BUF, &root) == -EINVAL);
    ustruct_free(d);
    free(s);
    return 0;
}
