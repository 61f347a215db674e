/*
 * ustruct_private: what the user structure language's parser (ustruct.c)
 * and its decoder (ustruct-decode.c) share: the compiled definitions and
 * the three helpers the decoder calls. Not for other modules: they see
 * ustruct.h.
 */
#ifndef MMH_USTRUCT_PRIVATE_H
#define MMH_USTRUCT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ustruct.h"

#define US_OPS 64    /* operations in one expression at most */
#define US_NEST 32   /* parentheses nested at most */
#define US_STR 64    /* bytes of an expected text value at most */
#define US_DEPTH 128 /* structures nested at most when sizing */
#define US_RUN 256   /* elements in one run of a variable-size array */

/* ---- definitions ---- */

enum { TY_U, TY_S, TY_F, TY_CHAR, TY_GUID, TY_UTF16, TY_CSTR, TY_STRUCT };
enum { OP_NUM, OP_FIELD, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG };

typedef struct UsOp {
    uint8_t op;
    uint64_t v; /* OP_NUM: the number; OP_FIELD: the field's index */
} UsOp;

typedef struct UsExpr {
    uint32_t at, n; /* n operations at ops[at] (n 0: none) */
    bool konst;     /* no field in it: its value is val */
    int64_t val;
} UsExpr;

typedef struct UsField {
    char name[US_IDENT + 1];
    uint32_t hash; /* of name: compared before it */
    uint8_t ty;    /* TY_* */
    uint8_t size;  /* bytes of one element (TY_STRUCT, TY_CSTR: 0) */
    bool big;
    bool array;
    uint16_t sub;       /* TY_STRUCT: the structure's index */
    UsExpr count, at;   /* array count; placement (at.n 0: sequential) */
    uint8_t expect;     /* 0 none, 1 number, 2 text */
    uint8_t expect_len; /* text's bytes */
    uint64_t expect_num;
    char expect_str[US_STR + 1];
} UsField;

typedef struct UsStruct {
    char name[US_IDENT + 1];
    uint32_t hash;
    UsField *f;
    size_t nf, cap;
    bool fixed;    /* size known without the data */
    uint64_t size; /* when fixed */
} UsStruct;

struct UsDefs {
    UsStruct *s;
    size_t ns, cap;
    UsOp *ops;
    size_t nops, opcap;
    int root; /* the structure declared root, or -1 */
};

/* The structure named name (its index in d->s), or -1. */
int us_find_struct(const UsDefs *d, const char *name);
/* Run an expression's program; field(i) gives field i's value. 0, or
 * -EDOM (division by zero), -EOVERFLOW, or field's error. */
int us_run(const UsOp *ops, uint32_t n, int (*field)(void *, uint64_t, int64_t *), void *ctx,
           int64_t *out);
/* The name of f's element type ("u32", a structure's name; "" if none). */
const char *us_type_name(const UsDefs *d, const UsField *f);
/* Size of one element of f when it does not depend on the data, or
 * UINT64_MAX. */
uint64_t us_fixed_elem(const UsDefs *d, const UsField *f);

#endif
