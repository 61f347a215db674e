/*
 * session: the state shared by the files of the top floor (a private
 * header, in the manner of vis's vis-core.h; main and tui see only cmd.h).
 *
 * A Session is everything the user is doing: the panes (a document and how
 * it is shown; two for a diff: Session.cur has the keys), the stack of screens that
 * take keys and draw frames (screen.h), the jobs running in the background
 * (job.h), the message row and its history, the output of reporting
 * commands, and the whole-file sample on the status rows. Commands live in
 * families (cmd-*.c) and reach the session through the helpers below:
 * say/fail for the message row, emit for output, session_move_* for the
 * cursor, session_refresh for changes made by other processes.
 *
 * Invariants: the cursor of every pane is inside its file (0 for an empty
 * file) and on screen after every entry point; undo groups are closed
 * (doc_snapshot) whenever the cursor moves other than by typing, so one
 * typing run is one undo step.
 */
#ifndef MMH_SESSION_H
#define MMH_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip.h"
#include "cmd.h"
#include "doc.h"
#include "map.h"
#include "resid.h"
#include "search.h"
#include "view.h"

#define SESSION_MSG_MAX 600            /* bytes of the message row */
#define SESSION_LOG_MAX 100            /* messages :messages keeps */
#define SESSION_SCREENS 8              /* screens stacked at most */
#define SESSION_JOBS 4                 /* jobs running at once at most */
#define SESSION_LINE_MAX 1100          /* a command line built from a prompt or question */
#define SESSION_SAMPLE_NS 250000000ull /* whole-file counts: at most 4 Hz */

typedef struct ScreenType ScreenType;
typedef struct JobType JobType;

/* A screen on the stack: its type and its own state (owned). */
typedef struct Screen {
    const ScreenType *type; /* what it is (screen.h) */
    void *st;               /* its state, freed by type->free */
} Screen;

/* A job running: its type, state (owned) and what to call it. */
typedef struct Job {
    const JobType *type; /* what it is (job.h) */
    void *st;            /* its state, freed by finish or cancel */
    char what[1100];     /* "a save to PATH": for messages */
} Job;

/* Bytes another process changed lately, lit up on screen (the live watch). */
typedef struct Watch {
    uint8_t *snap; /* the visible bytes at the last frame */
    uint8_t *hot;  /* per visible byte: ticks left to highlight it */
    uint64_t lo;   /* offset of snap[0] */
    size_t len;    /* bytes in snap and hot */
} Watch;

/* One document and how it is shown. */
typedef struct Pane {
    Doc *doc;                      /* the document (owned) */
    View view;                     /* viewport, cursor, selection */
    bool editing;                  /* edit mode: keys overwrite bytes */
    bool at_end;                   /* edit mode: the last byte was typed; typing stops */
    bool match_on;                 /* a search match is highlighted */
    uint64_t match_off, match_len; /* its bytes */
    Watch watch;                   /* bytes changed by others */
    ViewFrame last;                /* the measurements shown on the status row */
    uint64_t last_at;              /* when they were taken */
    const char *label;             /* a diff: "A" or "B" on the title row; else NULL */
    /* The whole-file sample on its status rows (session_sample). */
    ResidCount file;       /* whole-file counts */
    bool file_known;       /* file holds a sample */
    uint64_t file_at;      /* when it was sampled (monotonic ns; 0: now) */
    uint64_t file_cost;    /* how long that took */
    MapLockLimit lim;      /* the lock limit, sampled with file */
    uint64_t edited_pages; /* copy mode: private pages */
} Pane;

/* One line of the message history. */
typedef struct LogLine {
    char text[SESSION_MSG_MAX]; /* the message */
    bool err;                   /* it was an error */
    uint64_t at;                /* wall clock, seconds since the epoch */
    unsigned repeat;            /* said again this many more times in a row */
} LogLine;

struct Session {
    /* ---- what is shown ---- */
    Pane pane;             /* the hex pane (the first file's) */
    Pane *pane2;           /* a diff: the second file's pane (owned), else NULL */
    Pane *cur;             /* the focused pane: &pane or pane2 (session_focus) */
    Doc *doc;              /* the focused pane's document */
    View *view;            /* the focused pane's view */
    struct DiffPair *diff; /* a diff: how the two files are compared (diffpair.h) */
    int rows, cols;        /* the terminal */

    /* ---- how the session runs ---- */
    bool batch;                                  /* no terminal: no prompts, questions fail */
    volatile sig_atomic_t *stop;                 /* set when the program is to stop (or NULL) */
    int (*out_fn)(const char *, size_t, void *); /* batch: streams output (SessionOpts.out) */
    void *out_ctx;                               /* its argument */

    /* ---- the message row and its history ---- */
    char msg[SESSION_MSG_MAX];    /* the message row */
    bool msg_err;                 /* it is an error */
    bool msg_transient;           /* progress or growth: not kept in the history */
    bool growing;                 /* it only says the file grew (any other wins) */
    uint64_t msg_seq;             /* bumped by every say/fail */
    uint64_t logged_seq;          /* the msg_seq last put in the history */
    LogLine log[SESSION_LOG_MAX]; /* the history, a ring */
    size_t log_head, log_len;     /* its oldest line and how many it holds */
    int result;                   /* the last command's code */

    /* ---- output of reporting commands (stat, dump, find -a) ---- */
    char *out;               /* the text */
    size_t out_len, out_cap; /* its length and room */

    /* ---- screens (screen.h) and jobs (job.h) ---- */
    Screen screens[SESSION_SCREENS]; /* [0] is the hex screen; the last takes keys */
    int nscreens;                    /* how many */
    Screen panel;                    /* a side panel beside the top screen (none yet) */
    Job jobs[SESSION_JOBS];          /* running jobs, in the order started */
    int njobs;                       /* how many */
    uint64_t keys_ignored;           /* keys dropped while a job held the keyboard */

    /* ---- the whole-file samples (in each Pane) ---- */
    unsigned stale; /* bumped when every sample must be taken again */

    /* ---- the last search (n and N repeat it) ---- */
    Pattern pat;        /* the pattern */
    bool have_pat;      /* pat holds one */
    bool pat_back;      /* it was searched backward */
    char pat_text[128]; /* as typed, for messages */
    struct Regex *rx;   /* the last find -r's (pat.rx may point at it), owned */

    /* ---- how the last search ended (the details report, cmd-paging.c) ---- */
    const char *search_how;     /* "found", "not found", "cancelled", "failed"; NULL: none */
    SearchProgress search_prog; /* its progress then: bytes read, the page cache */

    /* ---- a range a screen picked for the paging actions (the map's bucket) ---- */
    bool pick_on;                /* set: paging actions act on it */
    uint64_t pick_off, pick_len; /* the range */

    /* ---- the data inspector (cmd-inspect.c, screen-inspect.c) ---- */
    struct InspectState *insp; /* its choices (inspect.h); NULL until first used */

    /* ---- the file's structure (cmd-struct.c, screen-struct.c) ---- */
    struct StructState *fmt; /* screen-struct.h; NULL until first used */

    /* ---- selections: the clipboard (cmd-select.c) ---- */
    Clip *clip; /* the clipboard and copy-as text for the terminal, or NULL */

    /* ---- hashes (cmd-hash.c) ---- */

    /* ---- the entropy map's cache (entropy.h, screen-map.c) ---- */
    struct Entropy *ent; /* kept across map visits; NULL until first shown */

    /* ---- bookmarks, the jump list, prompt history (cmd-mark.c) ---- */
    struct Places *places; /* marks.h; made on first use (session_places) */
};

/* ---- messages ---- */
void say(Session *s, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A failed command: its code and one sentence. Returns rc. */
int fail(Session *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A message that is not kept in the history (progress, growth, mode). */
void note(Session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append " (N keys ignored)" while a job holds the keyboard. */
void say_ignored(Session *s);
/* Put the message row in the history if it is new (entry points call it). */
void session_log(Session *s);
/* Word an error from the core; a truncation also takes the new size. */
int core_error(Session *s, int rc, const char *what);

/* ---- output ---- */
void emit(Session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put text before what emit gathered so far. */
void emit_head(Session *s, const char *text);
/* Interactive: show the gathered output on a pager, now. */
void session_show_output(Session *s);

/* ---- the cursor ---- */
uint64_t session_size(const Session *s);
void session_clamp(Session *s);
void session_move_to(Session *s, uint64_t off);
/* A jump (goto, search, data/hole seeks, bookmarks): remember where the
 * cursor was in the jump list, move, and put a target that was off screen
 * a third of the way down. */
void session_jump(Session *s, uint64_t off);
/* Move as a jump does without remembering (back, forward). */
void session_jump_place(Session *s, uint64_t off);
/* The session's places (marks.h), made on first use; NULL when out of
 * memory. */
struct Places *session_places(Session *s);
void session_move_by(Session *s, int64_t delta);
void session_page(Session *s, int dir);
void session_move_up(Session *s);
void session_move_down(Session *s);
void session_move_rowstart(Session *s);
void session_move_rowend(Session *s);
/* The cursor to the other pane (hex, text). */
void session_switch_pane(Session *s);
/* The range a paging action acts on: a picked range, the selection, else
 * the visible bytes. */
void session_target(Session *s, uint64_t *off, uint64_t *len);

/* ---- the file changing under us ---- */
/* Take changes made by another process and say so; out gets them. */
unsigned session_refresh(Session *s, DocChange *out);
/* The path's state in words. */
const char *session_path_words(int path_rc);
/* Whole-file counts of every pane, at most 4 times a second unless force;
 * true when a sample was taken. */
bool session_sample(Session *s, bool force);
/* Focus pane p (&s->pane or s->pane2): s->doc and s->view become its. */
void session_focus(Session *s, Pane *p);
/* Some pane holds edits not yet written. */
bool session_unwritten(const Session *s);
/* Every sample is stale: take them again at the next chance. */
void session_stale(Session *s);

/* ---- small things ---- */
/* The program is to stop (batch: a signal arrived). */
bool session_stopping(const Session *s);
/* Refusals shared by commands and screens. */
int refuse_readonly(Session *s);
/* -EBUSY with a message while a job that freezes the edits runs, else 0. */
int refuse_while_busy(Session *s);

#endif
