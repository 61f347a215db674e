/*
 * test_screen: the screen stack and the layout (screen.h), driven through
 * the session's entry points as the UI drives them.
 *
 * A stand-in side panel (what the data inspector or a list will be) is
 * put in the session's panel slot: the layout must give it the right-hand
 * columns and the hex screen the rest, route a click by where it lands,
 * keep the terminal cursor with the screen that takes keys, and hide the
 * panel when the terminal is too narrow for both.
 *
 * session.h comes before cmocka.h: cmocka defines a fail() macro, and the
 * session's fail() must be declared first.
 */
#include "config.h"

#include "screen.h"
#include "session.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

typedef struct FakePanel {
    int rows, cols; /* the region it was last drawn in */
    int clicks;     /* mouse events it took */
    int last_col;   /* column of the last, in its region */
} FakePanel;

static void fake_frame(Session *s, void *st, Grid *g)
{
    (void)s;
    FakePanel *p = st;
    p->rows = g->rows;
    p->cols = g->cols;
    for (int r = 0; r < g->rows; r++)
        for (int c = 0; c < g->cols; c++)
            grid_put(g, r, c, 'P', MMH_CC_NORMAL);
    g->cur_row = 0; /* asks for the cursor: must not get it */
    g->cur_col = 0;
}

static unsigned fake_mouse(Session *s, void *st, MmhMouse what, int row, int col)
{
    (void)s, (void)what, (void)row;
    FakePanel *p = st;
    p->clicks++;
    p->last_col = col;
    return MMH_R_REDRAW;
}

static const ScreenType fake_panel = {
    .name = "fake",
    .mouse = fake_mouse,
    .frame = fake_frame,
};

typedef struct Fx {
    char *dir, *path;
    Session *s;
    Grid g;
    FakePanel panel;
} Fx;

static Fx *fx_open(void)
{
    Fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->dir = tu_mkdtemp();
    x->path = tu_path(x->dir, "data");
    tu_make_file(x->path, 65536, 0);
    Doc *d = tu_open_doc(x->path, MMH_MODE_COPY, NULL);
    SessionOpts so = {0};
    assert_int_equal(cmd_session_new(&x->s, d, &so), 0);
    return x;
}

static void fx_frame(Fx *x, int rows, int cols)
{
    cmd_resize(x->s, rows, cols);
    assert_int_equal(grid_resize(&x->g, rows, cols), 0);
    cmd_frame(x->s, &x->g);
}

static void fx_close(Fx *x)
{
    x->s->panel = (Screen){0};
    cmd_session_free(x->s);
    grid_free(&x->g);
    unlink(x->path);
    free(x->path);
    tu_rmdir(x->dir);
    free(x);
}

static char *row(Fx *x, int r)
{
    static char buf[1024];
    return grid_row_text(&x->g, r, buf, sizeof buf);
}

static void test_panel_region(void **state)
{
    (void)state;
    Fx *x = fx_open();
    /* Without a panel the hex screen has the whole width. */
    fx_frame(x, 24, 120);
    assert_int_equal(cmd_view(x->s)->cols, 120);
    assert_int_equal(cmd_view(x->s)->bpr, 24);

    x->s->panel = (Screen){&fake_panel, &x->panel};
    fx_frame(x, 24, 120);
    int main_cols = cmd_view(x->s)->cols;
    assert_true(main_cols < 120);
    assert_int_equal(x->panel.cols, 120 - main_cols);
    assert_int_equal(x->panel.rows, 24);
    assert_int_equal(cmd_view(x->s)->bpr, 16); /* the hex rows fit what is left */
    /* The hex rows end before the panel; the panel fills its columns. */
    const Cell *c = grid_cell(&x->g, 2, main_cols - 1);
    assert_int_not_equal(c->ch, 'P');
    for (int r = 0; r < 24; r++)
        assert_int_equal(grid_cell(&x->g, r, main_cols)->ch, 'P');
    assert_non_null(strstr(row(x, 1), "00000000 "));
    /* The terminal cursor stays with the hex screen. */
    assert_true(x->g.cur_col < main_cols);

    /* A click in the panel goes to it, in its own columns; one in the hex
     * pane moves the cursor. */
    cmd_mouse(x->s, MMH_MOUSE_CLICK, 5, main_cols + 3);
    assert_int_equal(x->panel.clicks, 1);
    assert_int_equal(x->panel.last_col, 3);
    assert_int_equal(cmd_view(x->s)->cursor, 0);
    cmd_mouse(x->s, MMH_MOUSE_CLICK, 1, 11 + 3 * 2); /* the third byte of the first row */
    assert_int_equal(x->panel.clicks, 1);
    assert_int_equal(cmd_view(x->s)->cursor, 2);

    /* Too narrow for both: the panel hides, the hex screen takes it all. */
    fx_frame(x, 24, 80);
    assert_int_equal(cmd_view(x->s)->cols, 80);
    assert_int_equal(grid_cell(&x->g, 3, 79)->ch == 'P', 0);
    fx_close(x);
}

/* Screens stack: a pager over the map over the hex screen; each key goes
 * to the top one and closing returns to the one under it. */
static void test_stack(void **state)
{
    (void)state;
    Fx *x = fx_open();
    fx_frame(x, 24, 80);
    assert_int_equal(cmd_run(x->s, "map") & MMH_R_QUIT, 0);
    assert_int_equal(cmd_result(x->s), 0);
    cmd_frame(x->s, &x->g);
    assert_non_null(strstr(row(x, 0), "residency"));
    assert_int_equal(cmd_run(x->s, "help") & MMH_R_QUIT, 0);
    cmd_frame(x->s, &x->g);
    assert_non_null(strstr(row(x, 0), "mmhex help"));
    cmd_key(x->s, 'x'); /* any key closes the pager */
    cmd_frame(x->s, &x->g);
    assert_non_null(strstr(row(x, 0), "residency"));
    cmd_key(x->s, MMH_KEY_ESC);
    cmd_frame(x->s, &x->g);
    assert_non_null(strstr(row(x, 0), "mmhex  data  COPY"));
    /* The prompt draws over the hex screen, which stays drawn above it. */
    cmd_key(x->s, 'g');
    cmd_key(x->s, '4');
    cmd_frame(x->s, &x->g);
    assert_string_equal(row(x, 23), "goto: 4");
    assert_non_null(strstr(row(x, 0), "mmhex  data  COPY"));
    assert_int_equal(x->g.cur_row, 23);
    cmd_key(x->s, MMH_KEY_ENTER);
    assert_int_equal(cmd_view(x->s)->cursor, 4);
    fx_close(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panel_region),
        cmocka_unit_test(test_stack),
    };
    return cmocka_run_group_tests_name("screen", tests, NULL, NULL);
}
