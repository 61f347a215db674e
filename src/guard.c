/*
 * guard: the SIGBUS handler and the stack of armed regions (see guard.h).
 *
 * Invariant: `top` is the innermost armed frame of this thread, or NULL. The
 * handler only reads it and jumps; it never allocates or locks. SA_NODEFER
 * leaves SIGBUS unblocked after the jump, so sigsetjmp(env, 0) (no mask
 * save, no syscall) is enough.
 */
#include "config.h"

#include "guard.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static _Thread_local GuardFrame *top; /* innermost armed frame */
static struct sigaction previous;     /* what to fall back to */

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    GuardFrame *f = top;
    uintptr_t a = (uintptr_t)si->si_addr;
    if (f && si->si_code > 0 && a >= f->lo && a < f->hi) {
        f->fault = a;
        siglongjmp(f->env, 1);
    }
    /* Not ours: hand the signal to whoever had it. Returning re-executes
     * the faulting access, which then meets that action (default: die). */
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) {
            previous.sa_sigaction(sig, si, uctx);
            return;
        }
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
        previous.sa_handler != NULL) {
        previous.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    if (si->si_code <= 0) /* sent by kill(): nothing to re-execute */
        raise(SIGBUS);
}

int guard_init(void)
{
    /* Check the handler in force rather than remembering that we installed
     * it: test harnesses (cmocka) swap their own in and out around tests. */
    struct sigaction cur, sa;
    if (sigaction(SIGBUS, NULL, &cur) < 0)
        return -errno;
    /* sa_handler and sa_sigaction share storage: comparing one also catches
     * our handler put back by signal(), which drops SA_SIGINFO. */
    bool ours = cur.sa_sigaction == on_sigbus;
    if (ours && (cur.sa_flags & SA_SIGINFO))
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) < 0)
        return -errno;
    if (!ours)
        previous = cur;
    return 0;
}

void guard_push(GuardFrame *f, uintptr_t lo, uintptr_t hi)
{
    f->lo = lo;
    f->hi = hi;
    f->fault = 0;
    f->prev = top;
    top = f;
}

void guard_pop(GuardFrame *f)
{
    top = f->prev;
}
