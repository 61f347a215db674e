/*
 * prompt: the command line typed at the bottom row (goto, find, save as,
 * ':') and the yes/no questions, two screens drawn over the one under them.
 *
 * The prompt edits UTF-8 text (a pattern typed as text is searched as its
 * UTF-8 bytes); Enter runs "VERB TEXT" through cmd_run, Esc leaves, and
 * Backspace on an empty prompt leaves too. Up and Down recall the lines
 * typed before at prompts of the same kind (the verb's first word: goto,
 * find, saveas, ...; kept in the session's Places, marks.h). Tab completes
 * a path at the save-as prompt (several matches are listed on the row
 * above) and switches a find prompt between hex and text; Ctrl-R switches
 * it to a regular expression and back.
 *
 * A question runs its line on y; on "quit!" w writes and then quits; any
 * other key cancels.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"

#include <sys/stat.h>

#include "marks.h"
#include "screen.h"
#include "utf8.h"

#define PROMPT_INPUT_MAX 1024 /* bytes of typed text */

typedef struct Prompt {
    char label[32];               /* "goto: " */
    char verb[64];                /* command the text is given to */
    char input[PROMPT_INPUT_MAX]; /* the text */
    size_t len;                   /* its length */
    size_t cur;                   /* cursor (a byte index, on a UTF-8 boundary) */
    bool dropped;                 /* a typed character could not be taken */
    char kind[16];                /* its history's kind: the verb's first word */
    size_t back;                  /* the recalled line (1 the newest), 0 none */
    char typed[PROMPT_INPUT_MAX]; /* what was typed before recalling */
    char list[SESSION_MSG_MAX];   /* Tab's matches, shown on the row above */
} Prompt;

typedef struct Confirm {
    char line[SESSION_LINE_MAX]; /* the command y runs */
} Confirm;

/* ---- drawing ------------------------------------------------------------- */

/* The prompt scrolls sideways so the input cursor stays on screen; a '<'
 * in the first input cell says text is hidden to the left. */
void prompt_draw(Grid *g, int row, const char *label, const char *input, size_t cursor)
{
    size_t ilen = strlen(input), ic = cursor < ilen ? cursor : ilen;
    size_t cur = 0, skip = 0, i = 0;
    int col, avail;
    uint32_t cp;

    col = grid_put_str(g, row, 0, g->cols, label, MMH_CC_PROMPT, true);
    for (const char *p = input; p < input + ic;) {
        p += utf8_get(p, &cp);
        cur++;
    }
    avail = g->cols - col - 1; /* the last cell is for the cursor */
    if (avail > 0 && cur > (size_t)avail)
        skip = cur - (size_t)avail;
    for (const char *p = input; *p && col < g->cols; i++) {
        p += utf8_get(p, &cp);
        if (i < skip)
            continue;
        if (i == skip && skip > 0)
            cp = '<';
        else if (*p && col == g->cols - 1 && i >= cur)
            cp = '>';
        grid_put(g, row, col++, cp, MMH_CC_PROMPT);
    }
    col = (int)utf8_count(label) + (int)(cur - skip);
    g->cur_row = row;
    g->cur_col = col < g->cols ? col : g->cols - 1;
}

static void prompt_frame(Session *s, void *st, Grid *g)
{
    Prompt *p = st;
    screen_draw_under(s, st, g);
    if (g->rows < 1)
        return;
    if (p->list[0] && g->rows >= 2) {
        grid_fill_row(g, g->rows - 2, MMH_CC_MESSAGE);
        grid_put_str(g, g->rows - 2, 0, g->cols, p->list, MMH_CC_MESSAGE, true);
    }
    grid_fill_row(g, g->rows - 1, MMH_CC_NORMAL);
    prompt_draw(g, g->rows - 1, p->label, p->input, p->cur);
}

/* ---- keys ------------------------------------------------------------------ */

/* Delete input bytes [a, b). */
static void input_cut(Prompt *p, size_t a, size_t b)
{
    memmove(p->input + a, p->input + b, p->len - b + 1);
    p->len -= b - a;
}

static void set_input(Prompt *p, const char *text)
{
    snprintf(p->input, sizeof p->input, "%s", text);
    p->len = p->cur = strlen(p->input);
}

static History *history(Session *s, const Prompt *p)
{
    Places *pl = session_places(s);
    return pl ? history_of(pl, p->kind) : NULL;
}

/* Up (dir 1) and Down (dir -1) through the lines typed before. */
static unsigned recall(Session *s, Prompt *p, int dir)
{
    History *h = history(s, p);
    size_t to = dir > 0 ? p->back + 1 : p->back ? p->back - 1 : 0;
    if (!h || (dir > 0 && !history_get(h, to)) || (dir < 0 && p->back == 0))
        return MMH_R_NONE;
    if (p->back == 0)
        snprintf(p->typed, sizeof p->typed, "%s", p->input);
    p->back = to;
    set_input(p, to ? history_get(h, to) : p->typed);
    return MMH_R_REDRAW;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

#define COMPLETE_MAX 4096 /* names of a directory considered at most */

/* Tab at the save-as prompt: complete the path's last part from its
 * directory, as far as every match agrees; list them when several do. */
static unsigned complete_path(Prompt *p)
{
    char dir[PROMPT_INPUT_MAX], *names[COMPLETE_MAX];
    const char *slash = strrchr(p->input, '/'), *base = slash ? slash + 1 : p->input;
    size_t dlen = slash ? (size_t)(slash - p->input) + 1 : 0, blen = strlen(base), n = 0;
    snprintf(dir, sizeof dir, "%.*s", (int)dlen, p->input);
    DIR *d = opendir(dlen ? dir : ".");
    p->list[0] = 0;
    if (!d) {
        snprintf(p->list, sizeof p->list, "cannot list %.400s: %s", dlen ? dir : ".",
                 strerror(errno));
        return MMH_R_REDRAW;
    }
    for (struct dirent *e; n < COMPLETE_MAX && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (strncmp(e->d_name, base, blen) || (e->d_name[0] == '.' && base[0] != '.'))
            continue;
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n == 0) {
        snprintf(p->list, sizeof p->list, "no file starts with %.400s", p->input);
        return MMH_R_REDRAW;
    }
    qsort(names, n, sizeof names[0], cmp_str);
    size_t common = strlen(names[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < common && names[i][k] == names[0][k])
            k++;
        common = k;
    }
    char out[PROMPT_INPUT_MAX];
    int len = snprintf(out, sizeof out, "%s%.*s", dir, (int)common, names[0]);
    struct stat st;
    if (n == 1 && len > 0 && (size_t)len + 1 < sizeof out && stat(out, &st) == 0 &&
        S_ISDIR(st.st_mode))
        strcat(out, "/");
    if (len > 0 && (size_t)len < sizeof out)
        set_input(p, out);
    if (n > 1) {
        size_t at = (size_t)snprintf(p->list, sizeof p->list, "%zu%s:", n,
                                     n == COMPLETE_MAX ? " or more" : "");
        for (size_t i = 0; i < n && at < sizeof p->list; i++)
            at += (size_t)snprintf(p->list + at, sizeof p->list - at, " %s", names[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return MMH_R_REDRAW;
}

/* Tab at a find prompt: hex patterns to text and back (the label says which). */
static unsigned toggle_find(Prompt *p)
{
    bool back = p->label[0] == '?', hex = strstr(p->label, "hex") != NULL;
    snprintf(p->label, sizeof p->label, "%c %s: ", back ? '?' : '/', hex ? "text" : "hex");
    snprintf(p->verb, sizeof p->verb, "find%s %s --", back ? " -b" : "", hex ? "-t" : "-x");
    return MMH_R_REDRAW;
}

/* Ctrl-R at a find prompt: a regular expression (find -r) and back to text. */
static unsigned toggle_regex(Prompt *p)
{
    bool back = p->label[0] == '?', rx = strstr(p->label, "regex") == NULL;
    snprintf(p->label, sizeof p->label, "%c %s: ", back ? '?' : '/', rx ? "regex" : "text");
    snprintf(p->verb, sizeof p->verb, "find%s %s --", back ? " -b" : "", rx ? "-r" : "-t");
    return MMH_R_REDRAW;
}

static unsigned prompt_key(Session *s, void *st, int key)
{
    Prompt *p = st;
    if (key != MMH_KEY_TAB)
        p->list[0] = 0;
    switch (key) {
    case MMH_KEY_UP: return recall(s, p, 1);
    case MMH_KEY_DOWN: return recall(s, p, -1);
    case MMH_KEY_TAB:
        if (!strcmp(p->kind, "saveas"))
            return complete_path(p);
        if (!strcmp(p->kind, "find"))
            return toggle_find(p);
        return MMH_R_NONE;
    case MMH_KEY_CTRL('r'):
        if (!strcmp(p->kind, "find"))
            return toggle_regex(p);
        break;
    case MMH_KEY_ESC:
        screen_pop(s);
        s->msg[0] = 0;
        return MMH_R_REDRAW;
    case MMH_KEY_ENTER:
    case '\n':
    case '\r': {
        char line[SESSION_LINE_MAX];
        if (p->len == 0 && p->dropped) {
            screen_pop(s);
            /* Never a silent "repeat the last search" for text that was
             * typed but could not be taken. */
            s->result = fail(s, -EINVAL, "nothing was taken from what you typed: not run");
            return MMH_R_REDRAW;
        }
        if (p->verb[0])
            snprintf(line, sizeof line, "%s %s", p->verb, p->input);
        else
            snprintf(line, sizeof line, "%s", p->input);
        History *h = history(s, p);
        if (h)
            history_add(h, p->input);
        screen_pop(s); /* p is gone */
        return cmd_run(s, line);
    }
    case MMH_KEY_BACKSPACE:
    case 127:
    case MMH_KEY_CTRL('h'):
        if (p->cur > 0) {
            size_t a = utf8_prev(p->input, p->cur);
            input_cut(p, a, p->cur);
            p->cur = a;
        } else if (p->len == 0) {
            screen_pop(s); /* backspace on an empty prompt leaves it */
        }
        return MMH_R_REDRAW;
    case MMH_KEY_DELETE:
        if (p->cur < p->len)
            input_cut(p, p->cur, utf8_next(p->input, p->len, p->cur));
        return MMH_R_REDRAW;
    case MMH_KEY_LEFT: p->cur = utf8_prev(p->input, p->cur); return MMH_R_REDRAW;
    case MMH_KEY_RIGHT: p->cur = utf8_next(p->input, p->len, p->cur); return MMH_R_REDRAW;
    case MMH_KEY_HOME:
    case MMH_KEY_CTRL('a'): p->cur = 0; return MMH_R_REDRAW;
    case MMH_KEY_END:
    case MMH_KEY_CTRL('e'): p->cur = p->len; return MMH_R_REDRAW;
    case MMH_KEY_CTRL('u'):
        p->len = p->cur = 0;
        p->input[0] = 0;
        return MMH_R_REDRAW;
    default: break;
    }
    /* Text is UTF-8: a pattern typed as text is searched as its UTF-8
     * bytes. Control characters and special keys are not text. */
    char u[4];
    size_t n =
        key >= 32 && key != 127 && !(key >= 0x80 && key < 0xa0) ? utf8_put((uint32_t)key, u) : 0;
    if (key >= MMH_KEY_UP) /* a special key without a meaning here */
        return MMH_R_NONE;
    if (n == 0 || p->len + n >= sizeof p->input) {
        p->dropped = true;
        char name[32];
        fail(s, -EINVAL, "%s", n ? "the prompt is full" : keymap_name(key, name, sizeof name));
        return MMH_R_REDRAW;
    }
    memmove(p->input + p->cur + n, p->input + p->cur, p->len - p->cur + 1);
    memcpy(p->input + p->cur, u, n);
    p->cur += n;
    p->len += n;
    return MMH_R_REDRAW;
}

int prompt_open(Session *s, const char *label, const char *verb)
{
    if (s->batch)
        return fail(s, -EINVAL, "no prompts in batch mode");
    Prompt *p = calloc(1, sizeof *p);
    if (!p)
        return fail(s, -ENOMEM, "out of memory");
    snprintf(p->label, sizeof p->label, "%s", label);
    snprintf(p->verb, sizeof p->verb, "%s", verb);
    snprintf(p->kind, sizeof p->kind, "%.*s", (int)strcspn(verb, " "), verb);
    return screen_push(s, &screen_prompt, p);
}

const ScreenType screen_prompt = {
    .name = "prompt",
    .key = prompt_key,
    .frame = prompt_frame,
    .free = free,
};

/* ---- questions --------------------------------------------------------------- */

static unsigned confirm_key(Session *s, void *st, int key)
{
    Confirm c = *(Confirm *)st;
    screen_pop(s);
    if (key == 'y' || key == 'Y')
        return cmd_run(s, c.line);
    if (key == 'w' && !strcmp(c.line, "quit!")) {
        /* Every file with unwritten edits (both sides of a diff), each
         * written as if it had the keys; quit only when none is left. */
        Pane *keep = s->cur, *panes[2] = {&s->pane, s->pane2};
        unsigned r = MMH_R_REDRAW;
        int rc = 0;
        for (int i = 0; i < 2 && rc == 0; i++) {
            if (!panes[i] || (panes[i] != keep && !doc_unwritten(panes[i]->doc)))
                continue;
            session_focus(s, panes[i]);
            r |= cmd_run(s, "write");
            rc = s->result;
        }
        session_focus(s, keep);
        if (rc == 0 && !session_unwritten(s))
            r |= MMH_R_QUIT;
        return r;
    }
    say(s, false, "cancelled");
    return MMH_R_REDRAW;
}

static void confirm_frame(Session *s, void *st, Grid *g)
{
    screen_draw_under(s, st, g); /* the question is on the message row */
}

int confirm_ask(Session *s, const char *line, const char *fmt, ...)
{
    if (s->batch)
        return fail(s, -EINVAL, "no questions in batch mode");
    Confirm *c = calloc(1, sizeof *c);
    if (!c)
        return fail(s, -ENOMEM, "out of memory");
    snprintf(c->line, sizeof c->line, "%s", line);
    va_list ap;
    va_start(ap, fmt);
    char q[SESSION_MSG_MAX];
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    say(s, false, "%s", q);
    return screen_push(s, &screen_confirm, c);
}

const ScreenType screen_confirm = {
    .name = "confirm",
    .key = confirm_key,
    .frame = confirm_frame,
    .free = free,
};
