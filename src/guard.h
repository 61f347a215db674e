/*
 * guard: survive SIGBUS on a mapped file.
 *
 * Touching a page of a file mapping past the file's end (another process
 * truncated it), or an I/O error while paging in, or ENOSPC while filling a
 * hole, raises SIGBUS. Each region of code that touches mapped bytes pushes a
 * GuardFrame naming the address range it may fault in, arms it with
 * sigsetjmp(env, 0) (a few ns, no signal-mask syscall), and pops it after.
 * A SIGBUS whose si_addr lies in the innermost frame's range jumps back to
 * that sigsetjmp with the fault address recorded; any other SIGBUS goes to
 * the action that was in place before guard_init() (default: die), so real
 * bugs are not swallowed.
 *
 * This is the only process-wide state in the core, because a signal handler
 * cannot be handed a pointer: the previous action and a thread-local
 * pointer to the innermost frame.
 *
 *     GuardFrame g;
 *     guard_push(&g, lo, hi);
 *     if (sigsetjmp(g.env, 0)) {       // a fault in [lo, hi) lands here
 *         guard_pop(&g);
 *         return handle(g.fault);
 *     }
 *     ... touch bytes ...
 *     guard_pop(&g);
 *
 * Locals changed between sigsetjmp and the fault, and read after it, must be
 * volatile. Frames nest; pops must come in reverse order of pushes.
 */
#ifndef MMH_GUARD_H
#define MMH_GUARD_H

#include <setjmp.h>
#include <stdint.h>

typedef struct GuardFrame {
    sigjmp_buf env;           /* where a caught fault jumps to */
    uintptr_t lo, hi;         /* addresses this region may fault in */
    volatile uintptr_t fault; /* si_addr of the caught fault, else 0 */
    struct GuardFrame *prev;  /* the enclosing frame, or NULL */
} GuardFrame;

/* Install the SIGBUS handler unless it is already the one in force (so it
 * is cheap to call on every map_open, and survives a test harness that
 * swapped its own in). Returns 0 or -errno from sigaction. */
int guard_init(void);

/* Make f the innermost frame, guarding [lo, hi). */
void guard_push(GuardFrame *f, uintptr_t lo, uintptr_t hi);

/* Remove f, which must be the innermost frame. */
void guard_pop(GuardFrame *f);

#endif
