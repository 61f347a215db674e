/*
 * cmp-batch: `mmhex --cmp A B`, two files compared without a terminal, like
 * cmp(1): the differing ranges on stdout, one per line (OFFSET LENGTH in
 * decimal; A's offsets), or with -l each differing byte as `cmp -l` prints
 * it (1-based offset, then A's and B's bytes in octal). Exit 0 same, 1
 * different, 2 trouble (a message on stderr).
 *
 * Part of the program, not the core: it prints. The comparison is diff.h's,
 * run to its end in slices, stopping between slices when a signal asks.
 */
#ifndef MMH_CMP_BATCH_H
#define MMH_CMP_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct CmpOpts {
    bool bytes;                        /* -l: every differing byte, cmp -l style */
    int64_t shift;                     /* B's offset = A's offset + shift */
    const volatile sig_atomic_t *stop; /* nonzero: stop (a signal arrived), or NULL */
} CmpOpts;

/* Compare the files at a and b: the exit status (0, 1, 2). */
int cmp_batch(const char *a, const char *b, const CmpOpts *o);

#endif
