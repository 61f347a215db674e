/*
 * prompt: the command line typed on the bottom row and the yes/no
 * questions, two screens (screen.h) drawn over the screen under them.
 */
#ifndef MMH_PROMPT_H
#define MMH_PROMPT_H

#include <stddef.h>

#include "cmd.h"
#include "grid.h"

/* A prompt: what is typed is run as "VERB TEXT" (or TEXT for verb "").
 * Fails in batch mode. */
int prompt_open(Session *s, const char *label, const char *verb);

/* A question: y runs line, anything else cancels (w on "quit!" writes then
 * quits). The question goes on the message row. Fails in batch mode. */
int confirm_ask(Session *s, const char *line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Draw a prompt line (label, then input scrolled so the cursor, a byte
 * index into input, stays visible) on row of g, and put the terminal
 * cursor there. */
void prompt_draw(Grid *g, int row, const char *label, const char *input, size_t cursor);

#endif
