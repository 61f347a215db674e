/*
 * benchutil: what the benchmark programs (bench_core, bench_editor,
 * bench_search) share. Failure (bu_die) and the files to remove when the
 * program ends or dies; allocation that dies on failure; progress on a
 * terminal; the clock, medians and /proc and "key=value" readers; child
 * processes run and timed as a whole (posix_spawn .. wait4, output kept for
 * parsing); the report's machine header and tool lines; file helpers; and
 * the pinner, a forked helper that keeps files mapped while they are
 * measured.
 *
 * Call bu_init first: it names the program in messages and sizes the child
 * output kept (BuRun.out).
 */
#ifndef MMH_BENCHUTIL_H
#define MMH_BENCHUTIL_H

#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- failure and cleanup ---- */

/* prog prefixes every message; out_max is the room of BuRun.out. */
void bu_init(const char *prog, size_t out_max);

/* Flush stdout, print "PROG: message" on stderr, remove the files, exit 1. */
__attribute__((noreturn, format(printf, 1, 2))) void bu_die(const char *fmt, ...);

/* The calling process (not a forked helper) removes the remembered files. */
void bu_set_cleanup_owner(void);
bool bu_is_cleanup_owner(void);
/* fn runs first in bu_remove_files (in the owner only). */
void bu_set_cleanup_hook(void (*fn)(void));
/* Files (the caller keeps path alive) to remove at the end or on failure. */
void bu_remember_file(const char *path);
void bu_forget_file(const char *path);
void bu_remove_files(void);
/* SIGINT, SIGTERM and SIGHUP remove the files, then end the program. */
void bu_catch_signals(void);

void *bu_xmalloc(size_t n);
char *bu_xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *bu_xasprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) char *bu_xvasprintf(const char *fmt, va_list ap);

/* Progress on a terminal only, so a captured log holds just the tables. */
__attribute__((format(printf, 1, 2))) void bu_progress(const char *fmt, ...);
void bu_progress_done(void);

/* ---- measuring ---- */

uint64_t bu_now_ns(void); /* CLOCK_MONOTONIC */
void bu_sleep_ns(uint64_t ns);
uint64_t bu_median(uint64_t *v, size_t n);          /* sorts v */
uint64_t bu_median_of(const uint64_t *v, size_t n); /* sorts a copy */
uint64_t bu_minimum(const uint64_t *v, size_t n);   /* 0 for n 0 */
void bu_fmt_ms(char *buf, size_t n, uint64_t ns);   /* "1.234", "12.34", "1234.5" */

/* A "Name:   1234 kB" field of a /proc file, in KiB; -1 if absent. */
long bu_proc_kib(const char *file, const char *field);
long bu_status_kib(const char *field);  /* of /proc/self/status */
long bu_meminfo_kib(const char *field); /* of /proc/meminfo */

/* "key=123" / "key=word" anywhere in text, key a whole word. */
bool bu_kv_u64(const char *text, const char *key, uint64_t *out);
bool bu_kv_word(const char *text, const char *key, char *buf, size_t n);

/* ---- child processes ---- */

typedef struct BuCmd {
    char *argv[24];
    int argc;
    char **envp;  /* NULL: environ */
    bool devnull; /* stdout to /dev/null (only stderr is kept) */
} BuCmd;

void bu_cmd_add(BuCmd *c, const char *s);
__attribute__((format(printf, 2, 3))) void bu_cmd_addf(BuCmd *c, const char *fmt, ...);
void bu_cmd_free(BuCmd *c);

typedef struct BuRun {
    int status;       /* from wait4 */
    uint64_t wall_ns; /* posix_spawn to wait4, output read included */
    uint64_t cpu_ns;  /* ru_utime + ru_stime from wait4 */
    uint64_t user_ns; /* ru_utime alone */
    uint64_t sys_ns;  /* ru_stime alone */
    uint64_t faults;  /* ru_minflt + ru_majflt from wait4 */
    long maxrss_kib;  /* ru_maxrss from wait4 */
    size_t len;
    size_t cap; /* the room of out, the NUL included */
    char out[]; /* stdout and stderr, truncated */
} BuRun;

/* A BuRun with bu_init's out_max of room; free() it. */
BuRun *bu_run_new(void);
/* Run c (argv[0] an absolute path) with stdout (unless c->devnull) and
 * stderr into a pipe, timed as a whole process. Dies if it cannot be
 * started; its exit status is the caller's to judge. */
void bu_run(const BuCmd *c, BuRun *r);

/* The options bench_hash and bench_diff take: --mmhex PATH, --runs N (1 to
 * 16), --timeout S, --part P (one of parts[0], parts[1]), -h, and DIR. a
 * holds the defaults on the way in. true: go on; false: stop with *status
 * (0 after --help, 2 after a wrong argument; usage printed either way). */
typedef struct BuArgs {
    const char *mmhex, *dir, *part; /* part: "all" unless given */
    unsigned runs;
    unsigned long timeout; /* seconds */
} BuArgs;
bool bu_args(int argc, char **argv, const char *const parts[2], void (*usage)(FILE *), BuArgs *a,
             int *status);

/* A run with a time limit (bench_hash, bench_diff): wall and CPU time, its
 * output (into a file in dir, unlinked at once: its first line and its line
 * count), and, when killed at the limit, how far into path it had read. */
typedef struct BuTimed {
    bool done;        /* exited by itself, status 0 */
    bool stopped;     /* killed at the limit */
    int status;       /* wait4's */
    uint64_t wall_ns; /* spawn to wait4 */
    uint64_t cpu_ns;  /* user + system */
    uint64_t pos;     /* stopped: its offset in path (0: unknown) */
    uint64_t lines;   /* lines of output */
    char out[256];    /* the start of its output */
} BuTimed;
void bu_run_timed(const BuCmd *c, uint64_t limit_ns, const char *path, const char *dir, BuTimed *t);
bool bu_exited(const BuRun *r, int code);
/* The first line of a child's output not starting with skip (NULL: the
 * first line), or how it ended, for error reports. */
const char *bu_first_line(const BuRun *r, const char *skip, char *buf, size_t n);

/* fa for a child with in, out and err as its stdin, stdout and stderr (-1:
 * left as they are; BU_DEVNULL: /dev/null). Dies if it cannot. */
#define BU_DEVNULL (-2)
void bu_spawn_actions(posix_spawn_file_actions_t *fa, int in, int out, int err);

/* Median wall time of reps runs of `self --noop`: the price of a process. */
uint64_t bu_process_floor(const char *self, unsigned reps);

/* fork, stdout and stderr flushed first (so the child does not repeat their
 * buffered output); dies if it cannot. */
pid_t bu_fork(void);
/* Wait for a forked helper; dies, naming what, unless it exited 0. */
void bu_wait_child(pid_t pid, const char *what);

/* Absolute path of prog found in $PATH, or NULL. */
char *bu_find_in_path(const char *prog);
/* path (an executable given by the user) made absolute; NULL, with a note
 * "PROG: path: error (skipped)" on stderr, if it cannot be run. */
char *bu_exe_path(const char *path, const char *skipped);
/* This program's own path, for re-executing itself in its sub-modes. */
void bu_self_exe(char *buf, size_t n);
/* The first line of `exe flag` (flag may be NULL) that contains marker
 * (NULL: the first line), or NULL. */
char *bu_tool_line(const char *exe, const char *flag, const char *marker);

/* ---- the report ---- */

/* title, then the kernel, the machine (with cpu, the CPU model, in place of
 * the page size when not NULL), the load and dir's file system. */
void bu_print_machine(const char *title, const char *dir, const char *cpu);
/* "name: exe (version)" then "; " or, if last, "\n". */
void bu_print_tool(const char *name, const char *exe, const char *version, bool last);
/* Is a DAMON scheme paging out idle memory (proactive reclaim)? It evicts
 * page cache nobody touched for a while, so counts drift during a run. */
bool bu_damon_reclaims(void);

/* "1 KiB", "16 TiB", "4 GiB" for exact multiples, else bytes. */
char *bu_size_name(uint64_t n);
/* want's name, or "WANT - SHORT" when the file system made it size. */
char *bu_huge_name(uint64_t want, uint64_t size);

/* ---- files ---- */

void bu_pwrite_all(int fd, const uint8_t *buf, size_t n, uint64_t off, const char *path);
/* splitmix64: the benchmarks' data, the same bytes on every run. */
uint64_t bu_splitmix64(uint64_t *state);
/* n bytes (a multiple of 8) of splitmix64 output from *state. */
void bu_fill_random(uint8_t *buf, size_t n, uint64_t *state);
/* A file of size bytes (remembered), data only at [offs[i], offs[i] + len)
 * for each of the n offsets (one at 0 of len size: a dense file), the
 * bytes from fill in 8 MiB chunks starting from seed (the same bytes in
 * the same order for any layout), fsynced. Dies when it cannot. */
void bu_make_data_file(const char *path, uint64_t size, const uint64_t *offs, size_t n,
                       uint64_t len, void (*fill)(uint8_t *buf, size_t n, uint64_t *state),
                       uint64_t seed);
/* A sparse file of want bytes (remembered); ext4 caps files at 16 TiB -
 * 4 KiB, so on EFBIG one page less is tried. Returns the size made. */
uint64_t bu_make_sparse_file(const char *path, uint64_t want);
/* Fault in all of a mapping of size bytes (MADV_POPULATE_READ, else a
 * touch per page). */
void bu_populate(void *p, uint64_t size);

/* The pinner: a forked helper that runs pin(ctx) (map and populate what
 * must stay cached; false if it could not) and then keeps its mappings
 * until bu_pin_stop. Idle-page reclaim that takes only unmapped page cache
 * (DAMON pageout schemes) then leaves those pages alone. Dies, naming what,
 * if the helper fails. */
typedef struct BuPinner {
    pid_t pid;
    int ctl; /* write end; closing it ends the pinner */
} BuPinner;

void bu_pin_start(BuPinner *pn, bool (*pin)(void *ctx), void *ctx, const char *what);
void bu_pin_stop(BuPinner *pn);

#endif
