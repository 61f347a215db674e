/*
 * cmd-family: how a family of commands plugs into the command language
 * (tmux's cmd-*.c: one file per family, one table).
 *
 * Each cmd-*.c file defines one CmdFamily: a table of commands, each with
 * its name, its handler, its usage and one line of help. cmd.c holds the
 * list of families (one line each) and dispatches by name; the help screen,
 * `mmhex -e help` and the check of the man page's COMMANDS section
 * (test_cmd) are made from the same tables, so a command cannot exist
 * without its help.
 *
 * Adding a command: a row in a family's table. Adding a family: a new
 * cmd-NAME.c defining cmd_family_NAME, and its line in cmd.c's list.
 */
#ifndef MMH_CMD_FAMILY_H
#define MMH_CMD_FAMILY_H

#include <stddef.h>

#include "session.h"

/* Run the command with its argument (blanks trimmed, never NULL); may add
 * reaction flags to *react. 0 or -errno (a message said why). */
typedef int (*CmdFn)(Session *s, const char *arg, unsigned *react);

#define CMD_ALIAS 1u    /* another name for the row before: not listed apart */
#define CMD_INTERNAL 2u /* for keys only (prompt): not listed, not in the man page */

/* A command that takes no argument (one given is ignored): opt tells the
 * handler which of its commands this is. 0 or -errno, as CmdFn. */
typedef int (*CmdAct)(Session *s, int opt);

typedef struct CmdDef {
    const char *name;  /* what is typed */
    CmdFn run;         /* the handler, or NULL: act */
    CmdAct act;        /* the handler of a command without argument */
    int opt;           /* act's opt */
    const char *usage; /* "goto EXPR" (NULL: the name) */
    const char *help;  /* one line, for the help screen */
    unsigned flags;    /* CMD_* */
} CmdDef;

typedef struct CmdFamily {
    const char *name;   /* "move", "edit", ... */
    const CmdDef *cmds; /* its table */
    size_t n;           /* rows */
} CmdFamily;

extern const CmdFamily cmd_family_move;
extern const CmdFamily cmd_family_edit;
extern const CmdFamily cmd_family_search;
extern const CmdFamily cmd_family_paging;
extern const CmdFamily cmd_family_session;
extern const CmdFamily cmd_family_inspect;
extern const CmdFamily cmd_family_mark;
extern const CmdFamily cmd_family_layout;
extern const CmdFamily cmd_family_select;
extern const CmdFamily cmd_family_hash;
extern const CmdFamily cmd_family_strings;
extern const CmdFamily cmd_family_diff;
extern const CmdFamily cmd_family_struct;
extern const CmdFamily cmd_family_entropy;

/* Every command, family by family: i from 0 while the result is not NULL. */
const CmdDef *cmd_at(size_t i);
/* The help text: the keys, the commands and the notes (malloc'd). */
char *cmd_help_text(void);

#define CMD_FAMILY(nm, table)                                                                      \
    const CmdFamily cmd_family_##nm = {#nm, table, sizeof table / sizeof table[0]}

#endif
