/*
 * screen-inspect: the data inspector's side panel and its focus screen,
 * and what cmd-inspect.c and screen-inspect.c share (a private header of
 * the top floor).
 *
 * The panel (screen_inspect) is put in Session.panel and only draws. When
 * it takes the keys (X), a small focus screen (screen_inspect_focus) is
 * pushed on the stack: it draws the screen under it and drives the panel
 * (pick a row, endianness, Enter opens a prompt that runs `set TYPE OFF`).
 */
#ifndef MMH_SCREEN_INSPECT_H
#define MMH_SCREEN_INSPECT_H

#include <stdint.h>

#include "inspect.h"
#include "session.h"

extern const ScreenType screen_inspect;
extern const ScreenType screen_inspect_focus;

/* The session's inspector state, made on first use (NULL: out of memory,
 * said). */
InspectState *inspect_state(Session *s);

/* Where the inspector looks: the selection's start, else the cursor. */
uint64_t inspect_where(const Session *s);

/* The bytes from off to the end of the file, INSPECT_MAX at most, into buf;
 * *len gets how many. 0 or doc_read's -errno. */
int inspect_bytes(Session *s, uint64_t off, uint8_t *buf, size_t *len);

#endif
