/*
 * fuzz_fmt: libFuzzer target for the structure decoders (fmt-*.c). The
 * input is a file's bytes, held in a buffer of its exact size (so ASan sees
 * any read past the end). Every decoder is tried on it: detected at offset
 * 0 (and at 512, 4096), and forced at offset 0 and 1; each root's tree is
 * walked (8 levels, 64 children a node, 4000 nodes, and children far into
 * big tables), paths to a few offsets are made, and the tree is printed as
 * JSON. Besides not crashing or hanging, each must keep the contract:
 *  - a node's text and name are NUL-terminated in their arrays;
 *  - a child that is not bad lies inside the file (fmt_child's check);
 *  - fmt_path returns at most its max, and each level holds the offset;
 *  - no decoder reads outside [0, size) (the source checks every read);
 *  - an editable node's shown value encodes (fmt_encode) to its length or
 *    fails with a reason, and a number's always encodes.
 */
#include "config.h"

#include "fmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_fmt: %s:%d: %s\n", __FILE__, __LINE__, #c);                      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

typedef struct Buf {
    const uint8_t *p;
    size_t n;
} Buf;

static int rd(void *ctx, uint64_t off, void *buf, size_t len)
{
    const Buf *b = ctx;
    CHECK(off <= b->n && len <= b->n - off); /* decoders never read outside */
    memcpy(buf, b->p + off, len);
    return 0;
}

static void check_node(const FmtSrc *src, const FmtNode *n)
{
    CHECK(memchr(n->name, 0, sizeof n->name));
    CHECK(memchr(n->text, 0, sizeof n->text));
    CHECK(memchr(n->note, 0, sizeof n->note));
    if (!n->bad && n->len)
        CHECK(n->off < src->size && n->len <= src->size - n->off);
    if (fmt_editable(n)) {
        /* Its shown value typed again: the field's length, or an error
         * that says why; a number's text always encodes back. */
        static uint8_t out[FMT_EDIT_MAX];
        char err[160];
        int k = fmt_encode(n, n->text, out, sizeof out, err, sizeof err);
        CHECK(k < 0 ? err[0] != 0 : (uint64_t)k == n->len);
        if ((n->val == FV_UINT || n->val == FV_SINT || n->val == FV_HEXN) && n->text[0] &&
            strncmp(n->text, "(unreadable", 11))
            CHECK(k > 0);
    }
}

static void walk(const FmtSrc *src, const FmtNode *n, int depth, uint64_t *left)
{
    if (depth <= 0 || !n->nkids)
        return;
    uint64_t want = n->nkids < 64 ? n->nkids : 64;
    for (uint64_t i = 0; i < want + 2 && *left; i++) {
        /* The first 64, then two far into a big table. */
        uint64_t at = i < want ? i : i == want ? n->nkids / 2 : n->nkids - 1;
        if (at >= n->nkids)
            continue;
        FmtNode k;
        (*left)--;
        if (fmt_child(src, n, at, &k) < 0)
            continue;
        check_node(src, &k);
        walk(src, &k, depth - 1, left);
    }
}

static int sink(const char *s, size_t n, void *ctx)
{
    (void)s;
    *(size_t *)ctx += n;
    return 0;
}

static void exercise(const FmtSrc *src, const FmtNode *root)
{
    check_node(src, root);
    uint64_t left = 4000;
    walk(src, root, 8, &left);
    static FmtNode path[FMT_DEPTH];
    uint64_t offs[] = {0, src->size / 3, src->size / 2, src->size ? src->size - 1 : 0};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
        int k = fmt_path(src, root, offs[i], path, FMT_DEPTH);
        CHECK(k >= 0 && k <= FMT_DEPTH);
        for (int j = 1; j < k; j++)
            CHECK(path[j].len && offs[i] >= path[j].off && offs[i] - path[j].off < path[j].len);
    }
    size_t out = 0;
    fmt_print(src, root, 4, 16, 2000, true, sink, &out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    Buf b = {copy, size};
    FmtSrc src = {rd, &b, size};
    FmtNode root;
    static const uint64_t at[] = {0, 512, 4096};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++)
        if (fmt_detect(&src, at[i], &root) == 0)
            exercise(&src, &root);
    for (size_t i = 0; fmt_decoder_at(i); i++)
        for (uint64_t off = 0; off < 2; off++)
            if (fmt_root(&src, fmt_decoder_at(i), off, &root) == 0)
                exercise(&src, &root);
    free(copy);
    return 0;
}
