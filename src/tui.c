/*
 * tui: curses in, cells out (see tui.h).
 *
 * Classes map to attributes through one table; colour pairs are set up only
 * when the terminal has colours and NO_COLOR is unset or empty. The grid is
 * painted cell by cell into curses' virtual screen and sent with a single
 * refresh, so curses sends only what changed.
 */
#include "config.h"

#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "keymap.h"

static attr_t attrs[MMH_CC_COUNT]; /* attribute of each class */
static SCREEN *screen;             /* the curses screen, NULL when inactive */

static void setup_attrs(void)
{
    const char *nc = getenv("NO_COLOR");
    bool colour = has_colors() && !(nc && *nc);
    /* Monochrome first; colours refine it. */
    attrs[MMH_CC_TITLE] = A_REVERSE | A_BOLD;
    attrs[MMH_CC_GLYPH_HOT] = A_BOLD;
    attrs[MMH_CC_GLYPH_OUT] = A_DIM;
    attrs[MMH_CC_ZERO] = A_DIM;
    attrs[MMH_CC_MODIFIED] = A_BOLD | A_UNDERLINE;
    attrs[MMH_CC_SELECTED] = A_REVERSE;
    attrs[MMH_CC_CURSOR] = A_REVERSE | A_BOLD;
    attrs[MMH_CC_CURSOR2] = A_UNDERLINE;
    attrs[MMH_CC_STATUS] = A_REVERSE;
    attrs[MMH_CC_ERROR] = A_BOLD;
    attrs[MMH_CC_PROMPT] = A_BOLD;
    attrs[MMH_CC_MATCH] = A_REVERSE | A_UNDERLINE;
    attrs[MMH_CC_HOLE] = A_DIM;
    attrs[MMH_CC_CHANGED] = A_STANDOUT | A_BOLD;
    attrs[MMH_CC_DIFF] = A_BOLD; /* with the row marker: monochrome still tells */
    if (!colour || start_color() == ERR)
        return;
    use_default_colors();
    static const struct {
        int cls;
        short fg, bg;
        attr_t extra;
    } pairs[] = {
        {MMH_CC_TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD},
        {MMH_CC_OFFSET, COLOR_CYAN, -1, 0},
        {MMH_CC_GLYPH, COLOR_GREEN, -1, 0},
        {MMH_CC_GLYPH_HOT, COLOR_YELLOW, -1, A_BOLD},
        {MMH_CC_MODIFIED, COLOR_RED, -1, A_BOLD},
        {MMH_CC_SELECTED, COLOR_BLACK, COLOR_CYAN, 0},
        {MMH_CC_CURSOR, COLOR_BLACK, COLOR_YELLOW, A_BOLD},
        {MMH_CC_STATUS, COLOR_BLACK, COLOR_WHITE, 0},
        {MMH_CC_ERROR, COLOR_RED, -1, A_BOLD},
        {MMH_CC_MATCH, COLOR_BLACK, COLOR_GREEN, A_BOLD},
        {MMH_CC_HOLE, COLOR_BLUE, -1, 0},
        {MMH_CC_CHANGED, COLOR_BLACK, COLOR_MAGENTA, A_BOLD},
        {MMH_CC_DIFF, COLOR_WHITE, COLOR_RED, A_BOLD},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        short n = (short)(i + 1);
        if (init_pair(n, pairs[i].fg, pairs[i].bg) == OK)
            attrs[pairs[i].cls] = COLOR_PAIR(n) | pairs[i].extra;
    }
}

int tui_start(void)
{
    setlocale(LC_ALL, "");
    screen = newterm(NULL, stdout, stdin);
    if (!screen)
        return -1;
    const char *cup = tigetstr("cup");
    if (!cup || cup == (const char *)-1) {
        /* A terminal that cannot move the cursor (TERM=dumb) would show
         * nothing until exit: refuse it. */
        tui_end();
        return -1;
    }
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(getenv("ESCDELAY") ? atoi(getenv("ESCDELAY")) : 25);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    setup_attrs();
    return 0;
}

void tui_end(void)
{
    if (!screen)
        return;
    endwin();
    delscreen(screen);
    screen = NULL;
}

void tui_size(int *rows, int *cols)
{
    getmaxyx(stdscr, *rows, *cols);
}

static int translate(int ch)
{
    switch (ch) {
    case KEY_UP: return MMH_KEY_UP;
    case KEY_DOWN: return MMH_KEY_DOWN;
    case KEY_LEFT: return MMH_KEY_LEFT;
    case KEY_RIGHT: return MMH_KEY_RIGHT;
    case KEY_PPAGE: return MMH_KEY_PGUP;
    case KEY_NPAGE: return MMH_KEY_PGDN;
    case KEY_HOME: return MMH_KEY_HOME;
    case KEY_END: return MMH_KEY_END;
    case KEY_F(1): return MMH_KEY_F1;
    case KEY_BACKSPACE:
    case 127:
    case 8: return MMH_KEY_BACKSPACE;
    case KEY_DC: return MMH_KEY_DELETE;
    case KEY_ENTER:
    case '\r':
    case '\n': return MMH_KEY_ENTER;
    case KEY_BTAB: return MMH_KEY_BTAB;
    case KEY_RESIZE: return MMH_KEY_RESIZE;
    default: return ch;
    }
}

void tui_read(TuiEvent *ev, int timeout_ms)
{
    wint_t wc;
    ev->mouse = false;
    ev->key = MMH_KEY_NONE;
    timeout(timeout_ms);
    int rc = get_wch(&wc);
    if (rc == ERR)
        return;
    if (rc == KEY_CODE_YES && wc == KEY_MOUSE) {
        MEVENT me;
        if (getmouse(&me) != OK)
            return;
        ev->mouse = true;
        ev->row = me.y;
        ev->col = me.x;
        if (me.bstate & BUTTON4_PRESSED)
            ev->what = MMH_MOUSE_WHEEL_UP;
        else if (me.bstate & BUTTON5_PRESSED)
            ev->what = MMH_MOUSE_WHEEL_DOWN;
        else
            ev->what = MMH_MOUSE_CLICK;
        return;
    }
    if (rc == OK && wc == 27) {
        /* Esc at once followed by '[' or 'O' is a key sequence the terminal
         * description lacks (Shift-F2 is "\033[1;2Q"): read as Esc and
         * plain keys it would run commands (Q quits without asking) or type
         * into the file. Swallow it. */
        wint_t c;
        timeout(0);
        int r2 = get_wch(&c);
        if (r2 == OK && (c == '[' || c == 'O')) {
            bool csi = c == '[';
            for (int n = 0; n < 32 && get_wch(&c) == OK; n++)
                if (!csi || (c >= 0x40 && c <= 0x7e)) /* SS3: one byte; CSI: a final byte */
                    break;
            return; /* MMH_KEY_NONE */
        }
        if (r2 == OK)
            unget_wch((wchar_t)c);
        else if (r2 == KEY_CODE_YES)
            ungetch((int)c);
    }
    ev->key = translate((int)wc);
}

void tui_paint(const Grid *g)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    for (int r = 0; r < g->rows && r < rows; r++) {
        move(r, 0);
        for (int c = 0; c < g->cols && c < cols; c++) {
            const Cell *cell = grid_cell(g, r, c);
            attr_t a = cell->cls < MMH_CC_COUNT ? attrs[cell->cls] : 0;
            if (cell->ch < 128) {
                /* Writing the bottom-right cell may fail (the terminal
                 * would scroll); curses still keeps it. */
                mvaddch(r, c, (chtype)cell->ch | a);
            } else {
                wchar_t w[2] = {(wchar_t)cell->ch, 0};
                cchar_t cc;
                setcchar(&cc, w, a, 0, NULL);
                mvadd_wch(r, c, &cc);
            }
        }
    }
    if (g->cur_row >= 0 && g->cur_col >= 0) {
        curs_set(1);
        move(g->cur_row, g->cur_col);
    } else {
        curs_set(0);
    }
    refresh();
}

void tui_osc52(const char *b64)
{
    /* After the refresh, straight to the terminal: curses has flushed its
     * output, and the sequence moves no cursor and draws nothing. */
    fflush(stdout);
    const char *parts[] = {"\033]52;c;", b64, "\a"};
    for (int i = 0; i < 3; i++) {
        const char *p = parts[i];
        size_t n = strlen(p);
        while (n) {
            ssize_t w = write(STDOUT_FILENO, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return;
            p += w;
            n -= (size_t)w;
        }
    }
}
