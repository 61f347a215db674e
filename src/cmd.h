/*
 * cmd: the editing session as the UI, batch mode and the tests see it.
 *
 * A Session is everything the user is doing with a document: its view, the
 * screens over it (help, the residency map, prompts), the jobs running in
 * the background (search, prefetch, save to a new file) and the message
 * row. The UI feeds it keys, mouse events, resizes and clock ticks, and
 * paints what cmd_frame draws; batch mode feeds it command lines. Each
 * entry point returns reaction flags (htop's pattern): what must be
 * redrawn, whether to quit. How it is built: session.h (the state),
 * screen.h (screens and layout), job.h (long work), cmd-family.h (commands).
 *
 * Every action has a name; keymap.h binds keys to them. The language, one
 * command per line: a name, blanks, an argument. The commands and their
 * usage come from one table (cmd_info); `help` lists them, and the man
 * page's COMMANDS section is checked against it by the tests.
 * Output of commands that report (stat, dump, find -a, messages) goes to
 * the session's output buffer (cmd_output_take), never to a terminal:
 * batch mode prints it; in a session that is not batch, cmd_run moves it to
 * a page shown until the next key.
 */
#ifndef MMH_CMD_H
#define MMH_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "keymap.h"
#include "view.h"

typedef struct Session Session;

/* Reaction flags. */
#define MMH_R_NONE 0u
#define MMH_R_REDRAW 1u /* the frame changed */
#define MMH_R_QUIT 2u   /* leave the program */

typedef struct SessionOpts {
    int bpr_fixed; /* -w N, 0 to fit the width */
    bool batch;    /* no terminal: no prompts, confirmations fail */
    /* Set (by a signal handler) when the program is to stop: a batch save
     * checks it between steps, cancels and fails. NULL: never. */
    volatile sig_atomic_t *stop;
    /* Batch: where reporting commands' output goes once a buffer's worth
     * (64 KiB) has gathered, so a long listing (find -a) streams in flat
     * memory; the rest is left for cmd_output_take. NULL: all of it is
     * kept for cmd_output_take. Returns 0, or -1 to drop the output. */
    int (*out)(const char *text, size_t len, void *ctx);
    void *out_ctx; /* out's argument */
} SessionOpts;

/* Start a session on d, which it then owns (also on failure). 0 or -ENOMEM.
 * The cursor starts at 0; run "goto EXPR" for -g. */
int cmd_session_new(Session **out, Doc *d, const SessionOpts *o);
void cmd_session_free(Session *s);
/* Compare the session's file (A) with b (B), which the session then owns
 * (also on failure): two panes side by side, the comparison started. 0 or
 * -ENOMEM. */
int cmd_diff_open(Session *s, Doc *b);

unsigned cmd_key(Session *s, int key);

unsigned cmd_mouse(Session *s, MmhMouse what, int row, int col);

/* The terminal is rows x cols now. */
unsigned cmd_resize(Session *s, int rows, int cols);

/* Run one command line. The result code is kept (cmd_result). */
unsigned cmd_run(Session *s, const char *line);

/* 0 or the -errno / -EINVAL of the last command that ran. */
int cmd_result(const Session *s);

/* Periodic work, at least a few times a second and whenever cmd_busy():
 * advance a running job for about budget_ns, notice size changes made by
 * others, refresh the whole-file counts (at most 4 times a second). */
unsigned cmd_tick(Session *s, uint64_t budget_ns);

/* A job is running: call cmd_tick again soon, without waiting for a key. */
bool cmd_busy(const Session *s);

/* Draw the frame (or the help screen) into g, sized to the terminal. */
void cmd_frame(Session *s, Grid *g);

/* The message row's text and whether it is an error (NULL if none). */
const char *cmd_message(const Session *s, bool *is_error);

/* Text that reporting commands produced since the last cmd_output_take;
 * ownership passes to the caller (free it). NULL if none. */
char *cmd_output_take(Session *s);

const View *cmd_view(const Session *s);
/* Base64 text for the terminal clipboard (OSC 52) that copyas left, to be
 * written after the next paint; ownership passes to the caller. NULL if none. */
char *cmd_osc52_take(Session *s);

/* One command of the language, for help and checks. */
typedef struct CmdInfo {
    const char *name;  /* what is typed */
    const char *usage; /* "goto EXPR" */
    const char *help;  /* one line */
    bool alias;        /* another name for the command before it */
    bool internal;     /* for keys only: not documented */
} CmdInfo;

/* The i-th command (from 0): true while there is one. */
bool cmd_info(size_t i, CmdInfo *out);
Doc *cmd_doc(const Session *s);

#endif
