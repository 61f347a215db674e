/*
 * main: options, batch mode, the demo file and the UI loop.
 *
 * The loop is htop's: read a key (or time out), hand it to the session, and
 * paint the frame when the reaction says so. Keys that arrive in a burst are
 * all handled before the next paint, so a held PgDn never queues frames.
 * A tick runs at least a few times a second, so changes made by others and
 * by the kernel show without a key. Only this file and tui.c print or exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmp-batch.h"
#include "complain.h"
#include "doc.h"
#include "keymap.h"
#include "parse.h"
#include "sys.h"
#include "tui.h"

#define TICK_MS 200               /* idle refresh period */
#define BURST_KEYS 256            /* keys handled before a paint */
#define JOB_BUDGET_NS 30000000ull /* a job's slice per loop turn */
#define GOTO_LINE_MAX 1100        /* "goto " and the -g argument */
#define WIDTH_MAX 4096            /* -w: bytes per row at most (VIEW_BPR_MAX) */

static volatile sig_atomic_t stop_signal; /* SIGTERM, SIGHUP or SIGINT arrived */

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* Stop cleanly on the signals that end a program: the handler sets the flag
 * that the loop (and a batch save, through SessionOpts.stop) checks. Once
 * only (SA_RESETHAND): a second signal ends the program at once, should a
 * long command not look at the flag. */
static void catch_stop_signals(void)
{
    static const int sigs[] = {SIGTERM, SIGHUP, SIGINT};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mmhex [options] FILE\n"
               "       mmhex [options] -e CMD [-e CMD ...] FILE\n"
               "       mmhex [--demo]\n"
               "       mmhex [options] [--diff] [--shift=N] FILE1 FILE2\n"
               "       mmhex --cmp [-l] [--shift=N] FILE1 FILE2\n"
               "  -r, --readonly   map read-only (the default for files you cannot write)\n"
               "  -c, --copy       copy-on-write: edits reach the file only on write (default)\n"
               "  -s, --shared     shared: edits are live in the file at once\n"
               "  -g, --goto=OFF   start at an offset (0x1f00, 4096, 50%%, end-16, ...)\n"
               "  -w, --width=N    bytes per row (default: fit the terminal)\n"
               "  -e, --exec=CMD   run a command without a terminal (repeatable); exit 0 if all\n"
               "                   succeed, 1 at the first failure\n"
               "      --demo       open a sparse 8 GiB demo file, removed on exit\n"
               "      --cmp        compare two files: differing ranges (OFFSET LENGTH) on\n"
               "                   stdout; exit 0 same, 1 different, 2 trouble, like cmp\n"
               "  -l, --cmp-l      with --cmp: each differing byte as cmp -l prints it\n"
               "                   (--cmp-l alone is --cmp -l)\n"
               "      --diff       two FILEs side by side (also without it); . , next/prev\n"
               "                   difference, Ctrl-W the other side, = shift, O/C copy across\n"
               "      --shift=N    with two FILEs: FILE2's offset is FILE1's plus N (may be < 0)\n"
               "  -h, --help       this help\n"
               "  -V, --version    print the version\n"
               "Commands for -e and the ':' prompt (mmhex -e help FILE explains each):\n");
    /* From the command table itself, so the list cannot go stale. */
    CmdInfo c;
    int col = 0;
    for (size_t i = 0; cmd_info(i, &c); i++) {
        if (c.alias || c.internal)
            continue;
        int w = (int)strlen(c.name) + 1;
        if (col + w > 78) {
            fputc('\n', f);
            col = 0;
        }
        fprintf(f, "%s%s", col ? " " : "  ", c.name);
        col += w + (col ? 0 : 1);
    }
    fprintf(f, "\nKeys: F1 or H in the editor. More: man mmhex\n");
}

/* A sparse demo file with something to find at recognisable offsets. The
 * file is unlinked once mapped, so it goes away however mmhex ends. */
static char *make_demo(void)
{
    const char *t = getenv("TMPDIR");
    char *path;
    if (asprintf(&path, "%s/mmhex-demo-XXXXXX", t && *t ? t : "/tmp") < 0)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0) {
        complain("cannot create a demo file in %s: %s", t && *t ? t : "/tmp", strerror(errno));
        free(path);
        return NULL;
    }
    const uint64_t size = 8ull << 30;
    static const char head[] = "\x7f"
                               "ELF\x02\x01\x01\0mmhex demo: an 8 GiB sparse file. "
                               "Try G, g 50%, / and the page glyphs.";
    int ok = ftruncate(fd, (off_t)size) == 0;
    ok = ok && pwrite(fd, head, sizeof head - 1, 0) == (ssize_t)(sizeof head - 1);
    for (uint64_t gib = 1; ok && gib < 8; gib++) {
        char mark[64];
        int n = snprintf(mark, sizeof mark, "== %" PRIu64 " GiB into the demo ==", gib);
        ok = pwrite(fd, mark, (size_t)n, (off_t)(gib << 30)) == n;
    }
    static const char tail[] = "THE END of the mmhex demo";
    ok = ok && pwrite(fd, tail, sizeof tail - 1, (off_t)(size - (sizeof tail - 1))) > 0;
    close(fd);
    if (!ok) {
        complain("cannot write the demo file %s: %s", path, strerror(errno));
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

/* A signal asked us to stop: say so. A save it interrupted has removed its
 * copy and failed with its own message already. */
static bool stopped(void)
{
    if (stop_signal)
        complain("stopped by a signal (%s)", strsignal(stop_signal));
    return stop_signal != 0;
}

/* SessionOpts.out in batch mode: long listings go out as they are made. */
static int write_stdout(const char *text, size_t len, void *ctx)
{
    (void)ctx;
    return fwrite(text, 1, len, stdout) == len ? 0 : -1;
}

static int run_batch(Session *s, char **cmds, int n)
{
    for (int i = 0; i < n; i++) {
        if (stopped())
            return 1;
        unsigned r = cmd_run(s, cmds[i]);
        char *out = cmd_output_take(s);
        if (out) {
            fputs(out, stdout);
            free(out);
        }
        bool err;
        const char *msg = cmd_message(s, &err);
        if (cmd_result(s) < 0) {
            /* Most messages name their command already ("goto: ...";
             * saveas! says "saveas"). */
            size_t w = strcspn(cmds[i], " \t");
            if (w > 1 && cmds[i][w - 1] == '!')
                w--;
            if (msg && !strncmp(msg, cmds[i], w) && (msg[w] == ':' || msg[w] == ' '))
                complain("%s", msg);
            else
                complain("%s: %s", cmds[i], msg ? msg : "failed");
            return 1;
        }
        if (r & MMH_R_QUIT)
            break;
    }
    if (stopped())
        return 1;
    if (doc_unwritten(cmd_doc(s)))
        complain("warning: edits were not written (add -e write)");
    return fflush(stdout) == 0 ? 0 : 1;
}

static int run_tui(Session *s)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        complain("not a terminal (use -e CMD for batch mode)");
        return 1;
    }
    if (tui_start() < 0) {
        complain("cannot start the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }
    catch_stop_signals();
    Grid g = {0};
    int rows, cols;
    tui_size(&rows, &cols);
    cmd_resize(s, rows, cols);
    unsigned r = MMH_R_REDRAW;
    uint64_t last_tick = 0;
    while (!(r & MMH_R_QUIT) && !stop_signal) {
        if (r & MMH_R_REDRAW) {
            tui_size(&rows, &cols);
            if (grid_resize(&g, rows, cols) == 0) {
                cmd_frame(s, &g);
                tui_paint(&g);
                char *clip = cmd_osc52_take(s);
                if (clip)
                    tui_osc52(clip);
                free(clip);
            }
        }
        r = MMH_R_NONE;
        TuiEvent ev;
        tui_read(&ev, cmd_busy(s) ? 0 : TICK_MS);
        for (int k = 0; k < BURST_KEYS && !(r & MMH_R_QUIT); k++) {
            if (ev.mouse) {
                r |= cmd_mouse(s, (MmhMouse)ev.what, ev.row, ev.col);
            } else if (ev.key == MMH_KEY_RESIZE) {
                tui_size(&rows, &cols);
                r |= cmd_resize(s, rows, cols);
            } else if (ev.key != MMH_KEY_NONE) {
                r |= cmd_key(s, ev.key);
            } else {
                break;
            }
            tui_read(&ev, 0); /* drain a burst before painting */
        }
        uint64_t t = sys_now_ns() / 1000000u;
        if (cmd_busy(s) || t - last_tick >= TICK_MS) {
            last_tick = t;
            r |= cmd_tick(s, JOB_BUDGET_NS);
            r |= MMH_R_REDRAW; /* the status numbers move by themselves */
        }
    }
    tui_end();
    grid_free(&g);
    return 0;
}

int main(int argc, char **argv)
{
    /* Two per row: clang-format would make an odd count one per row. */
    /* clang-format off */
    static const struct option longopts[] = {
        {"readonly", no_argument, NULL, 'r'},    {"copy", no_argument, NULL, 'c'},
        {"shared", no_argument, NULL, 's'},      {"goto", required_argument, NULL, 'g'},
        {"width", required_argument, NULL, 'w'}, {"exec", required_argument, NULL, 'e'},
        {"demo", no_argument, NULL, 'D'},        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},     {"cmp", no_argument, NULL, 'C'},
        {"cmp-l", no_argument, NULL, 'L'},       {"shift", required_argument, NULL, 'S'},
        {"diff", no_argument, NULL, 'F'},        {NULL, 0, NULL, 0},
    };
    /* clang-format on */
    MmhMode mode = MMH_MODE_AUTO;
    SessionOpts so = {0};
    const char *start = NULL;
    char **cmds = calloc((size_t)argc + 1, sizeof *cmds);
    char *demo_path = NULL;
    Session *s = NULL;
    int ncmds = 0, c, status = 2;
    bool demo = false, cmp = false, cmp_opt = false, diff = false, shift_given = false;
    CmpOpts co = {0};
    if (!cmds)
        return 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":rcsg:w:e:hVl", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': mode = MMH_MODE_READONLY; break;
        case 'c': mode = MMH_MODE_COPY; break;
        case 's': mode = MMH_MODE_SHARED; break;
        case 'g': start = optarg; break;
        case 'w': {
            char *end;
            long w = strtol(optarg, &end, 10);
            if (*end || w < 1 || w > WIDTH_MAX) {
                complain("-w takes bytes per row from 1 to %d, not '%s'", WIDTH_MAX, optarg);
                goto out;
            }
            so.bpr_fixed = (int)w;
            break;
        }
        case 'e': cmds[ncmds++] = optarg; break;
        case 'D': demo = true; break;
        case 'C': cmp = true; break;
        case 'F': diff = true; break;
        case 'l': co.bytes = cmp_opt = true; break;
        case 'L': co.bytes = cmp = true; break;
        case 'S': {
            const char *perr;
            shift_given = true;
            if (parse_signed(optarg, &co.shift, &perr) < 0) {
                complain("--shift takes a byte count, maybe negative, not '%s'", optarg);
                goto out;
            }
            break;
        }
        case 'h':
            usage(stdout);
            status = 0;
            goto out;
        case 'V':
            printf("mmhex %s\n", PACKAGE_VERSION);
            status = 0;
            goto out;
        /* getopt's own messages would echo the option raw: opterr is 0. */
        case ':': complain("%s needs an argument (try 'mmhex --help')", argv[optind - 1]); goto out;
        default:
            if (optopt)
                complain("unknown option -%c (try 'mmhex --help')", optopt);
            else
                complain("unknown option %s (try 'mmhex --help')", argv[optind - 1]);
            goto out;
        }
    }
    int nfiles = argc - optind;
    if (shift_given && !cmp && (nfiles != 2 || ncmds || demo)) {
        complain("--shift goes with two FILEs (try 'mmhex --help')");
        goto out;
    }
    if (cmp || cmp_opt) { /* cmp-batch.c does the work */
        if (!cmp || nfiles != 2 || ncmds || demo || diff) {
            complain("%s (try 'mmhex --help')", cmp ? "--cmp takes two FILEs and no other action"
                                                    : "-l and --shift go with --cmp");
            goto out;
        }
        catch_stop_signals();
        co.stop = &stop_signal;
        status = cmp_batch(argv[optind], argv[optind + 1], &co);
        goto out;
    }
    if (nfiles == 2 && !ncmds && !demo)
        diff = true; /* mmhex A B: side by side */
    else if (diff) {
        complain("--diff takes two FILEs and no -e (try 'mmhex --help'; --cmp compares in batch)");
        goto out;
    } else if (nfiles > 1 || (demo && nfiles) || (ncmds && nfiles != 1)) {
        complain("%s (try 'mmhex --help')", ncmds && !nfiles ? "-e needs a FILE"
                                            : nfiles == 2
                                                ? "-e takes one FILE (--cmp A B compares two)"
                                                : "give one FILE or two");
        goto out;
    }
    status = 1;
    const char *path = nfiles ? argv[optind] : NULL;
    if (!path) {
        demo_path = make_demo();
        if (!demo_path)
            goto out;
        path = demo_path;
    }
    so.batch = ncmds > 0;
    if (so.batch) { /* the TUI catches them in run_tui, once the terminal is set up */
        catch_stop_signals();
        so.stop = &stop_signal;
        so.out = write_stdout; /* find -a streams: memory stays flat */
    }
    /* The demo file is unlinked once mapped, so a copy-mode write (which
     * reopens the path) could not reach it: edit the demo shared. */
    MapOpts mo = {.mode = demo_path && mode == MMH_MODE_AUTO ? MMH_MODE_SHARED : mode};
    Doc *d;
    int rc = doc_open(&d, path, &mo);
    if (demo_path)
        unlink(demo_path); /* the mapping keeps it alive until we exit */
    if (rc < 0) {
        complain("%s: %s", path, map_strerror(rc));
        goto out;
    }
    if (demo_path) /* unlinked on purpose: not "deleted by another process" */
        doc_detach_path(d);
    if (cmd_session_new(&s, d, &so) < 0) {
        complain("out of memory");
        goto out;
    }
    if (diff) { /* the second file, in the same mode */
        const char *path2 = argv[optind + 1];
        Doc *d2;
        rc = doc_open(&d2, path2, &mo);
        if (rc < 0) {
            complain("%s: %s", path2, map_strerror(rc));
            goto out;
        }
        if (cmd_diff_open(s, d2) < 0) {
            complain("out of memory");
            goto out;
        }
        if (shift_given) {
            char line[64];
            snprintf(line, sizeof line, "diffshift %" PRId64, co.shift);
            cmd_run(s, line);
        }
    }
    if (start) {
        char line[GOTO_LINE_MAX];
        snprintf(line, sizeof line, "goto %s", start);
        cmd_run(s, line);
        if (cmd_result(s) < 0) {
            complain("-g %s", cmd_message(s, NULL));
            status = 2;
            goto out;
        }
    }
    status = ncmds ? run_batch(s, cmds, ncmds) : run_tui(s);
out:
    cmd_session_free(s);
    free(cmds);
    free(demo_path);
    return status;
}
