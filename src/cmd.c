/*
 * cmd: the command language: one command per line, a name and an argument
 * (see cmd.h), dispatched through the families' tables (cmd-family.h).
 *
 * Every key in normal mode runs a command line (keymap.h), so a key, the
 * ':' prompt and `mmhex -e` reach the same code. Before every command the
 * undo group is closed (doc_snapshot), so a command never joins a typing
 * run's undo step; after it, any output it gathered is shown (the UI) or
 * left for the caller (batch).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "job.h"
#include "keymap.h"

#define CMD_WORD_MAX 32 /* bytes of a command name */

/* The families, in the order the help lists them: one line each. */
/* clang-format off */
static const CmdFamily *const families[] = {
    &cmd_family_move,
    &cmd_family_edit,
    &cmd_family_search,
    &cmd_family_paging,
    &cmd_family_session,
    &cmd_family_inspect,
    &cmd_family_mark,
    &cmd_family_layout,
    &cmd_family_select,
    &cmd_family_hash,
    &cmd_family_strings,
    &cmd_family_diff,
    &cmd_family_struct,
    &cmd_family_entropy,
};
/* clang-format on */

const CmdDef *cmd_at(size_t i)
{
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        if (i < families[f]->n)
            return &families[f]->cmds[i];
        i -= families[f]->n;
    }
    return NULL;
}

bool cmd_info(size_t i, CmdInfo *out)
{
    const CmdDef *c = cmd_at(i);
    if (!c)
        return false;
    *out = (CmdInfo){
        .name = c->name,
        .usage = c->usage ? c->usage : c->name,
        .help = c->help ? c->help : "",
        .alias = (c->flags & CMD_ALIAS) != 0,
        .internal = (c->flags & CMD_INTERNAL) != 0,
    };
    return true;
}

static const CmdDef *find(const char *word)
{
    const CmdDef *c;
    for (size_t i = 0; (c = cmd_at(i)); i++)
        if (!strcmp(c->name, word))
            return c;
    return NULL;
}

unsigned cmd_run(Session *s, const char *line)
{
    char word[CMD_WORD_MAX];
    unsigned react = MMH_R_REDRAW;
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strcspn(line, " \t");
    if (n == 0) {
        s->result = 0;
        return react;
    }
    if (n >= sizeof word) {
        s->result = fail(s, -EINVAL, "unknown command: %.*s", 40, line);
        session_log(s);
        return react;
    }
    memcpy(word, line, n);
    word[n] = 0;
    const CmdDef *c = find(word);
    if (!c) {
        s->result = fail(s, -EINVAL,
                         "unknown command: %s (H lists the keys, man mmhex the commands)", word);
        session_log(s);
        return react;
    }
    const char *arg = line + n;
    while (isspace((unsigned char)*arg))
        arg++;
    /* Trailing blanks are not part of the argument. The argument is copied
     * whole: a cut one would put fewer bytes than asked, or odd hex. */
    size_t alen = strlen(arg);
    while (alen && isspace((unsigned char)arg[alen - 1]))
        alen--;
    session_log(s); /* a message said since the last entry point (by a frame) is kept */
    s->msg[0] = 0;
    s->msg_err = false;
    char *argbuf = strndup(arg, alen);
    if (!argbuf) {
        s->result = fail(s, -ENOMEM, "%s: out of memory", word);
        return react;
    }
    doc_snapshot(s->doc); /* a command never joins a typing run's undo step */
    s->result = c->run ? c->run(s, argbuf, &react) : c->act(s, c->opt);
    free(argbuf);
    if (!job_holds_keys(s)) /* a running search shows its list when it ends */
        session_show_output(s);
    session_log(s);
    return react;
}

/* ---- the help text --------------------------------------------------------- */

/* Notes after the keys and commands. */
static const char *const notes[] = {
    "",
    "Edit mode: hex digits fill nibbles in the hex pane; the text pane takes",
    "printable characters. Esc back to normal mode. The mouse moves the cursor",
    "and the wheel scrolls.",
    "",
    "Page glyphs: R resident  . not resident  D dirty  W writeback  L locked",
    "C copy-mode edits  ? unknown (no permission)  H hole (bytes shown as --)",
    "! unreadable (bytes shown as ??; the message row says why)",
    "Bytes changed by another process are highlighted for a few seconds.",
    "Edits typed while a search or prefetch runs are ignored (Esc cancels it).",
    "A file rewritten under copy mode gets your unwritten edits re-applied.",
};

/* Append to a growing string; false when out of memory. */
static bool add(char **buf, size_t *len, size_t *cap, const char *a, const char *b)
{
    char line[512];
    int n = b ? snprintf(line, sizeof line, "  %-22s %s\n", a, b)
              : snprintf(line, sizeof line, "%s\n", a);
    if (n < 0)
        return false;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    if (*len + (size_t)n + 1 > *cap) {
        size_t c = *cap ? *cap * 2 : 4096;
        while (c < *len + (size_t)n + 1)
            c *= 2;
        char *p = realloc(*buf, c);
        if (!p)
            return false;
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, line, (size_t)n + 1);
    *len += (size_t)n;
    return true;
}

char *cmd_help_text(void)
{
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    bool ok = true;
    const KeyBinding *t = keymap_table(&n);
    for (size_t i = 0; i < n && ok; i++)
        if (t[i].keys)
            ok = add(&buf, &len, &cap, t[i].keys, t[i].help);
    ok = ok && add(&buf, &len, &cap, "", NULL) &&
         add(&buf, &len, &cap, "Commands (after ':', or mmhex -e CMD); see man mmhex:", NULL);
    const CmdDef *c;
    for (size_t i = 0; ok && (c = cmd_at(i)); i++) {
        if (c->flags & (CMD_ALIAS | CMD_INTERNAL))
            continue;
        const CmdDef *alias = cmd_at(i + 1);
        char use[96];
        snprintf(use, sizeof use, "%s%s%s", c->usage ? c->usage : c->name,
                 alias && (alias->flags & CMD_ALIAS) ? ", " : "",
                 alias && (alias->flags & CMD_ALIAS) ? alias->name : "");
        if (strlen(use) > 22) { /* a long usage gets a line of its own */
            ok = add(&buf, &len, &cap, use, "") && add(&buf, &len, &cap, "", c->help);
        } else {
            ok = add(&buf, &len, &cap, use, c->help);
        }
    }
    for (size_t i = 0; ok && i < sizeof notes / sizeof notes[0]; i++) {
        char note[160];
        snprintf(note, sizeof note, "  %s", notes[i]);
        ok = add(&buf, &len, &cap, note, NULL);
    }
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}
