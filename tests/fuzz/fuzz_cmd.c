/*
 * fuzz_cmd: libFuzzer target for the session and its command language.
 *
 * One 64 KiB pattern file is made once, in a temporary directory removed at
 * exit. Each input drives two sessions on it, both in copy mode, so edits
 * stay in private pages and the file is never modified:
 *  - batch: the input's lines (at most MAX_LINES) go to cmd_run, the output
 *    is drained after each, a frame is drawn now and then;
 *  - interactive: the input's bytes become keys for cmd_key, with a few
 *    bytes reserved for resizes, frames, mouse events and ticks (see
 *    key_session).
 * Nothing may reach the file system: batch lines whose command starts with
 * "w" (write) or "saveas" become "stat", and the keys that write or open a
 * prompt able to name a path ('w', 'W', ':') become harmless ones.
 *
 * Besides not crashing, every entry point must keep the session's
 * invariants: the cursor inside the file, the top of the view a multiple of
 * bytes per row and not past the cursor, a result code that is 0 or a
 * negative errno, and a message that is a terminated string.
 */
#include "config.h"

#include "cmd.h"
#include "keymap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_SIZE 65536u
#define MAX_LINES 64
#define MAX_KEYS 1024

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_cmd: %s:%d: %s\n", __FILE__, __LINE__, #c);                      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char dir[4096];
static char path[4200];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_cmd.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_cmd: mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/data", dir);
    /* Bookmarks are saved under XDG_STATE_HOME: put it under the data
     * file, so saving fails (ENOTDIR, said once) and nothing is written. */
    char state[sizeof path + 16];
    snprintf(state, sizeof state, "%s/state", path);
    setenv("XDG_STATE_HOME", state, 1);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("fuzz_cmd: open");
        abort();
    }
    static uint8_t buf[FILE_SIZE];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)((i * 7 + 3) & 0xff);
    if (pwrite(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf || close(fd) < 0) {
        perror("fuzz_cmd: pwrite");
        abort();
    }
    atexit(cleanup);
    return 0;
}

static Session *open_session(bool batch)
{
    Doc *d = NULL;
    Session *s = NULL;
    MapOpts mo = {.mode = MMH_MODE_COPY, .sys = NULL};
    SessionOpts so = {.bpr_fixed = 0, .batch = batch};
    CHECK(doc_open(&d, path, &mo) == 0);
    CHECK(cmd_session_new(&s, d, &so) == 0);
    cmd_resize(s, 24, 80);
    return s;
}

static void check_session(Session *s)
{
    const View *v = cmd_view(s);
    uint64_t size = doc_size(cmd_doc(s));
    CHECK(size == FILE_SIZE);
    CHECK(v->cursor < size);
    CHECK(v->bpr >= 1);
    CHECK(v->top % (uint64_t)v->bpr == 0);
    CHECK(v->top <= v->cursor);
    CHECK(v->nibble == 0 || v->nibble == 1);
    int rc = cmd_result(s);
    CHECK(rc <= 0 && rc > -4096);
    bool err;
    const char *m = cmd_message(s, &err);
    if (m)
        CHECK(strlen(m) < 4096);
    free(cmd_output_take(s));
}

static void frame(Session *s, Grid *g)
{
    const View *v = cmd_view(s);
    CHECK(grid_resize(g, v->rows, v->cols) == 0);
    cmd_frame(s, g);
}

/* Would this line touch the file system? Mirrors cmd_run's word split. */
static bool writes(const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    return line[0] == 'w' || !strncmp(line, "saveas", 6);
}

static void batch_session(const uint8_t *data, size_t size, Grid *g)
{
    Session *s = open_session(true);
    char *buf = malloc(size + 1);
    CHECK(buf);
    memcpy(buf, data, size);
    buf[size] = 0;
    char *p = buf;
    for (int n = 0; n < MAX_LINES && p < buf + size; n++) {
        char *nl = memchr(p, '\n', (size_t)(buf + size - p));
        if (nl)
            *nl = 0;
        unsigned r = cmd_run(s, writes(p) ? "stat" : p);
        check_session(s);
        if (n % 8 == 7)
            frame(s, g);
        if (r & MMH_R_QUIT)
            break;
        if (!nl)
            break;
        p = nl + 1;
    }
    cmd_tick(s, 1000000);
    frame(s, g);
    check_session(s);
    free(buf);
    cmd_session_free(s);
}

/* Bytes to keys. 0x80..0x8e: the special keys; 0xf0 R C: resize; 0xf1:
 * frame; 0xf2 R C: click; 0xf3 / 0xf4: wheel; 0xf5: tick; anything else is
 * itself, '\n' being Enter. */
static void key_session(const uint8_t *data, size_t size, Grid *g)
{
    Session *s = open_session(false);
    unsigned r = 0;
    for (size_t i = 0; i < size && i < MAX_KEYS && !(r & MMH_R_QUIT); i++) {
        uint8_t b = data[i];
        int key = b;
        if (b >= 0x80 && b <= 0x8e) {
            key = MMH_KEY_UP + (b - 0x80);
        } else if (b == 0xf0 || b == 0xf2) {
            int row = i + 1 < size ? data[i + 1] : 0;
            int col = i + 2 < size ? data[i + 2] : 0;
            i += 2;
            if (b == 0xf0)
                r = cmd_resize(s, row % 64, col);
            else
                r = cmd_mouse(s, MMH_MOUSE_CLICK, row - 8, col - 8);
            check_session(s);
            continue;
        } else if (b == 0xf1) {
            frame(s, g);
            continue;
        } else if (b == 0xf3 || b == 0xf4) {
            r = cmd_mouse(s, b == 0xf3 ? MMH_MOUSE_WHEEL_UP : MMH_MOUSE_WHEEL_DOWN, 3, 3);
            check_session(s);
            continue;
        } else if (b == 0xf5) {
            r = cmd_tick(s, 1000000);
            check_session(s);
            continue;
        } else if (b == '\n') {
            key = MMH_KEY_ENTER;
        } else if (b == 'w') {
            key = 'f'; /* write */
        } else if (b == 'W' || b == ':') {
            key = 'g'; /* prompts that could name a path or run write */
        }
        r = cmd_key(s, key);
        check_session(s);
    }
    frame(s, g);
    check_session(s);
    cmd_session_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Grid g = {0};
    batch_session(data, size, &g);
    key_session(data, size, &g);
    grid_free(&g);
    return 0;
}
