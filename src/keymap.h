/*
 * keymap: keys as neutral codes, and the table from keys to commands.
 *
 * Every key in normal mode runs a named command of the command language
 * (cmd.h), so a key, the `:` prompt and `mmhex -e` all reach the same code,
 * and the help screen is generated from this one table. The UI translates
 * curses key codes into MMH_KEY_* codes; printable characters and control
 * characters are themselves.
 */
#ifndef MMH_KEYMAP_H
#define MMH_KEYMAP_H

#include <stddef.h>

/* Special keys sit above the Unicode range. */
enum {
    MMH_KEY_UP = 0x110000,
    MMH_KEY_DOWN,
    MMH_KEY_LEFT,
    MMH_KEY_RIGHT,
    MMH_KEY_PGUP,
    MMH_KEY_PGDN,
    MMH_KEY_HOME,
    MMH_KEY_END,
    MMH_KEY_F1,
    MMH_KEY_BACKSPACE,
    MMH_KEY_DELETE,
    MMH_KEY_ENTER,
    MMH_KEY_BTAB,
    MMH_KEY_RESIZE,
    MMH_KEY_NONE,
};

#define MMH_KEY_ESC 27
#define MMH_KEY_TAB 9
#define MMH_KEY_CTRL(c) ((c)&0x1f)

/* Mouse events, as the UI reports them. */
typedef enum MmhMouse { MMH_MOUSE_CLICK, MMH_MOUSE_WHEEL_UP, MMH_MOUSE_WHEEL_DOWN } MmhMouse;

typedef struct KeyBinding {
    int key;             /* an MMH_KEY_* code or a character */
    const char *command; /* the command line it runs */
    const char *keys;    /* how the help screen names the key(s), NULL: as previous */
    const char *help;    /* what it does, NULL: as previous */
} KeyBinding;

/* The command a key runs in normal mode, or NULL. */
const char *keymap_lookup(int key);

/* The whole table, for the help screen; *n gets its length. */
const KeyBinding *keymap_table(size_t *n);

/* A key's name for messages ("Ctrl-R", "PgDn", "x"). Returns buf. */
char *keymap_name(int key, char *buf, size_t n);

#endif
