/*
 * keymap: the normal-mode key table (see keymap.h).
 *
 * One row per key. Rows that share a help line follow each other, the first
 * carrying `keys` and `help`, the rest NULL, so the help screen lists
 * "arrows, h j k l  move" once. Edit mode and prompts read keys themselves
 * (screen-hex.c, prompt.c): only normal mode goes through this table.
 */
#include "config.h"

#include "keymap.h"

#include <stdio.h>

static const KeyBinding table[] = {
    {MMH_KEY_LEFT, "left", "arrows, h j k l", "move the cursor"},
    {'h', "left", NULL, NULL},
    {MMH_KEY_RIGHT, "right", NULL, NULL},
    {'l', "right", NULL, NULL},
    {MMH_KEY_UP, "up", NULL, NULL},
    {'k', "up", NULL, NULL},
    {MMH_KEY_DOWN, "down", NULL, NULL},
    {'j', "down", NULL, NULL},
    {MMH_KEY_PGDN, "pagedown", "PgDn, Space, Ctrl-F", "page down"},
    {' ', "pagedown", NULL, NULL},
    {MMH_KEY_CTRL('f'), "pagedown", NULL, NULL},
    {MMH_KEY_PGUP, "pageup", "PgUp, b, Ctrl-B", "page up"},
    {'b', "pageup", NULL, NULL},
    {MMH_KEY_CTRL('b'), "pageup", NULL, NULL},
    {MMH_KEY_HOME, "rowstart", "Home, 0", "start of the row"},
    {'0', "rowstart", NULL, NULL},
    {MMH_KEY_END, "rowend", "End, $", "end of the row"},
    {'$', "rowend", NULL, NULL},
    {'g', "prompt goto", "g", "go to an offset: 0x1f00 4096 +4k -16 50% end-0x10"},
    {'G', "goto end-1", "G", "the last byte"},
    {'/', "prompt find", "/",
     "search forward (hex pane: de ad ?? ef; text pane: text, \\c any case)"},
    {'?', "prompt rfind", "?", "search backward"},
    {'n', "next", "n", "next match (same direction)"},
    {'N', "prev", "N", "previous match (the other direction)"},
    {']', "nextdata", "] [", "next / previous data region of a sparse file"},
    {'[', "prevdata", NULL, NULL},
    {'}', "nexthole", "} {", "next / previous hole"},
    {'{', "prevhole", NULL, NULL},
    {MMH_KEY_TAB, "pane", "Tab", "switch between the hex and text panes"},
    {'i', "edit", "i, Enter", "edit (overwrite); Esc back to normal mode"},
    {MMH_KEY_ENTER, "edit", NULL, NULL},
    {'u', "undo", "u", "undo"},
    {MMH_KEY_CTRL('r'), "redo", "Ctrl-R", "redo"},
    {'v', "select", "v", "start / end a selection"},
    {'y', "copy", "y", "copy the selection to mmhex's clipboard"},
    {'o', "paste", "o", "paste the clipboard over the bytes at the cursor"},
    {'Y', "copyas", "Y", "copy the selection as hex, C, Python or base64 (OSC 52)"},
    {'t', "transform", "t", "transform the selection: xor/and/or/add HEX, not, reverse, ..."},
    {'w', "write", "w", "write the edits to the file"},
    {'W', "prompt saveas", "W", "write to a new file (holes kept)"},
    {'f', "flush", "f", "flush: msync(MS_SYNC), durable"},
    {'F', "flush async", "F", "asynchronous flush: start writeback"},
    {'L', "lock", "L", "lock / unlock the visible pages or the selection"},
    {'a', "advise", "a", "cycle madvise advice: normal, sequential, random"},
    {'e', "evict", "e", "evict the view or selection from memory (2 MiB-aligned)"},
    {'E', "evict all", "E", "evict the whole file"},
    {'p', "prefetch", "p", "prefetch the view or selection (MADV_WILLNEED)"},
    {'P', "prefetch all", "P", "load the whole file (holes skipped; Esc cancels)"},
    {'m', "map", "m",
     "residency map of the whole file (Tab: entropy map, Enter jumps, Esc leaves)"},
    {'x', "inspector", "x", "data inspector side panel (on / off)"},
    {'X', "inspector focus", "X",
     "inspector takes the keys: arrows pick a row, e endian, Enter types a value, Esc"},
    {'I', "details", "I", "mapping details: smaps, faults, lock limit, readahead"},
    {'s', "struct", "s",
     "the file's structure as a tree: MBR, GPT, ELF, SQLite... (Enter opens or jumps)"},
    {'S', "strings", "S", "strings list: printable runs (/ filters, Enter jumps, q leaves)"},
    {'#', "hash-prompt", "#", "hash the selection or file (empty: sha256; crc32c, md5, all...)"},
    {':', "prompt command", ":", "command line (goto, put, write, saveas, lock, ...)"},
    {MMH_KEY_CTRL('l'), "refresh", "Ctrl-L", "redraw the screen"},
    {MMH_KEY_F1, "help", "F1, H", "this help"},
    {'H', "help", NULL, NULL},
    {'q', "quit", "q", "quit (asks when copy-mode edits are unwritten)"},
    {'Q', "quit!", "Q", "quit without asking"},
    {'M', "askmark", "M", "bookmark the cursor (asks for a name; a letter will do)"},
    {'\'', "askjump", "'", "jump to a bookmark (asks for its name)"},
    {'B', "marks", "B", "the bookmarks list (Enter jumps, d deletes, Esc leaves)"},
    {MMH_KEY_CTRL('o'), "back", "Ctrl-O, Ctrl-N", "back / forward through the jump list"},
    {MMH_KEY_CTRL('n'), "forward", NULL, NULL},
    {'>', "width more", "> <", "more / fewer bytes per row"},
    {'<', "width less", NULL, NULL},
    {'K', "group", "K", "group the hex bytes by 1, 2, 4, 8 (cycles)"},
    {'D', "offsets", "D", "offsets in decimal / hex"},
    {'.', "diffnext", ". ,", "two files: next / previous difference"},
    {',', "diffprev", NULL, NULL},
    {'A', "difflist", "A", "two files: every difference as a list (Enter jumps)"},
    {MMH_KEY_CTRL('w'), "diffside", "Ctrl-W", "two files: the keys to the other file"},
    {'=', "prompt diffshift", "=", "two files: shift B (its byte for A's x is x + N)"},
    {'R', "diffalign", "R", "two files: realign after an insertion or a deletion (sets the shift)"},
    {'O', "diffget", "O", "two files: copy the other file's difference (or selection) here"},
    {'C', "diffput", "C", "two files: copy this file's difference (or selection) to the other"},
};

const char *keymap_lookup(int key)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].key == key)
            return table[i].command;
    return NULL;
}

const KeyBinding *keymap_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

char *keymap_name(int key, char *buf, size_t n)
{
    static const char *const special[] = {
        "Up", "Down",      "Left",   "Right", "PgUp",      "PgDn",   "Home", "End",
        "F1", "Backspace", "Delete", "Enter", "Shift-Tab", "Resize", "none",
    };
    if (key >= MMH_KEY_UP && key <= MMH_KEY_NONE)
        snprintf(buf, n, "%s", special[key - MMH_KEY_UP]);
    else if (key == MMH_KEY_ESC)
        snprintf(buf, n, "Esc");
    else if (key == MMH_KEY_TAB)
        snprintf(buf, n, "Tab");
    else if (key >= 0 && key < 32)
        snprintf(buf, n, "Ctrl-%c", key + '@');
    else if (key >= 32 && key < 127)
        snprintf(buf, n, "%c", key);
    else
        snprintf(buf, n, "key %d", key);
    return buf;
}
