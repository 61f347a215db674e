/*
 * cmd: the editing session and its command language.
 *
 * A Session is everything the user is doing with one document: the Doc, the
 * View, the input mode (normal, edit, prompt, help), the message, the
 * selection and any long job in flight (a save to a new file). The UI feeds
 * it keys, mouse events, resizes and clock ticks, and paints what
 * cmd_frame draws; batch mode feeds it command lines. Each entry point
 * returns reaction flags (htop's pattern): what must be redrawn, whether to
 * quit.
 *
 * Every action has a name (DESIGN.md section 5); keymap.h binds keys to
 * them. The language, one command per line, words separated by blanks:
 *   goto EXPR        move the cursor (parse.h offset expressions)
 *   put HEX          overwrite bytes at the cursor (hex pane syntax)
 *   puttext TEXT     overwrite with the text as is
 *   write            write the edits (copy: edited runs + fsync;
 *                    shared: msync MS_SYNC)
 *   saveas PATH      copy to a new file, holes kept, edits applied
 *   saveas! PATH     the same, replacing an existing file (a symbolic
 *                    link itself: never followed)
 *   flush [async]    msync / start writeback; reports pages and time
 *   lock [all|view]  lock the selection or the visible pages / the file
 *   unlock [all]     unlock them
 *   advise [normal|sequential|random]   madvise the map (no word: cycle)
 *   undo, redo       one undo group
 *   stat             print the residency summary (like fincore)
 *   dump [OFF [LEN]] print a hex dump (default: the cursor, 256 bytes)
 *   quit, quit!      leave (quit asks when copy-mode edits are unwritten)
 *   left right up down pageup pagedown rowstart rowend top bottom
 *   pane edit select help refresh
 * Output of commands that report (stat, dump) goes to the session's output
 * buffer (cmd_output_take), never to a terminal: batch mode prints it; in a
 * session that is not batch, cmd_run moves it to a page shown like the help
 * screen until the next key.
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
Doc *cmd_doc(const Session *s);

#endif
