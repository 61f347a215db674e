/*
 * marks: places in a file, as pure data: named bookmarks kept across runs,
 * the jump list (back and forward), and the lines typed at each prompt.
 * No curses and no Session: cmd-mark.c, session.c (session_jump) and
 * prompt.c hold one Places per session.
 *
 * Bookmarks are kept in a small text file in $XDG_STATE_HOME/mmhex/
 * (~/.local/state/mmhex/ when unset), one per edited file, named by a hash
 * of the file's identity. The identity is the path's realpath with the
 * device and inode numbers: the realpath alone would give a new file at the
 * same path the old file's marks (a rebuilt firmware image is another file),
 * the inode alone is reused after a delete, and the size is left out on
 * purpose because mmhex patches files in place and other programs append to
 * logs; a mark past the end is kept and refused when jumped to. A file
 * replaced by rename (editors that save through a temporary file) is a new
 * identity and starts with no marks. The identity is written on the file's
 * first line and checked on load, so a hash collision reads as "no marks".
 *
 * Saving writes a temporary file in the same directory and renames it over
 * the old one, so a crash leaves the old marks or the new, never half.
 * Every call returns 0 or -errno; a directory that cannot be written is an
 * error the caller reports once, never a reason to stop editing.
 */
#ifndef MMH_MARKS_H
#define MMH_MARKS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARK_NAME_MAX 32  /* bytes of a name, with the NUL */
#define MARK_NOTE_MAX 128 /* bytes of a note, with the NUL */
#define MARKS_MAX 1000    /* bookmarks per file at most */
#define JUMPS_MAX 100     /* positions the jump list keeps */
#define HISTORY_MAX 50    /* lines kept per prompt kind */
#define HISTORY_KINDS 8   /* prompt kinds with a history */
#define HISTORY_LINE 1024 /* bytes of a recalled line, with the NUL */

/* One bookmark. */
typedef struct Mark {
    char name[MARK_NAME_MAX]; /* printable, no blanks */
    uint64_t off;             /* the byte it names */
    char note[MARK_NOTE_MAX]; /* free text, may be empty */
} Mark;

/* The bookmarks of one file, in the order they were made. */
typedef struct Marks {
    Mark *v;       /* the marks (owned) */
    size_t n, cap; /* how many, room */
} Marks;

/* Which file the marks belong to. */
typedef struct MarkId {
    char real[PATH_MAX]; /* realpath of the file */
    uint64_t dev, ino;   /* st_dev, st_ino */
} MarkId;

/* Positions jumped from: v[0..n) oldest first; at is where back and
 * forward stand (n when at the newest). */
typedef struct JumpList {
    uint64_t v[JUMPS_MAX]; /* offsets */
    size_t n, at;          /* how many, where we stand */
} JumpList;

/* The lines typed at one kind of prompt, oldest first. */
typedef struct History {
    bool used;               /* this slot holds a kind */
    char kind[16];           /* "goto", "find", "saveas", "" (':') */
    char *line[HISTORY_MAX]; /* the lines (owned) */
    size_t n;                /* how many */
} History;

/* Everything a session keeps about places (Session.places). */
typedef struct Places {
    Marks marks;                 /* the bookmarks of the open file */
    bool loaded;                 /* marks were read (or there was nothing to read) */
    bool have_id;                /* id and file are set */
    MarkId id;                   /* the open file's identity */
    char file[PATH_MAX];         /* where its bookmarks are kept */
    bool said_unsaved;           /* "cannot keep bookmarks" was said once */
    JumpList jumps;              /* the jump list */
    History hist[HISTORY_KINDS]; /* prompt lines per kind */
} Places;

/* ---- bookmarks ---- */
/* A name is 1..31 printable ASCII characters without blanks. */
bool marks_name_ok(const char *name);
/* Set (or move) a mark. 0, -EINVAL (bad name), -ENOSPC, -ENOMEM. */
int marks_set(Marks *m, const char *name, uint64_t off, const char *note);
/* The mark named name, or NULL. */
const Mark *marks_get(const Marks *m, const char *name);
/* Delete a mark: 0 or -ENOENT. */
int marks_del(Marks *m, const char *name);
void marks_free(Marks *m);

/* The identity of the file at path: 0 or -errno. */
int marks_identify(const char *path, MarkId *id);
/* The directory bookmarks are kept in: $XDG_STATE_HOME/mmhex or
 * $HOME/.local/state/mmhex. 0, or -ENOENT when neither is set. */
int marks_dir(char *buf, size_t n);
/* The file for id inside dir: 0 or -ENAMETOOLONG. */
int marks_file(const char *dir, const MarkId *id, char *buf, size_t n);
/* Read the marks kept in file for id (replacing m's). A missing file or
 * one kept for another identity is no marks (0). 0 or -errno. */
int marks_load(Marks *m, const char *file, const MarkId *id);
/* Write m for id to file atomically (temporary file, rename), creating
 * the directories above it. 0 or -errno; on error the old file stays. */
int marks_save(const Marks *m, const char *file, const MarkId *id);

/* ---- the jump list ---- */
/* A jump leaves from: forget what lay forward, remember from. */
void jump_record(JumpList *j, uint64_t from);
/* Back from cur: true and *to set, or false at the oldest. */
bool jump_back(JumpList *j, uint64_t cur, uint64_t *to);
/* Forward: true and *to set, or false at the newest. */
bool jump_forward(JumpList *j, uint64_t *to);

/* ---- prompt history ---- */
/* The history of kind (created on first use; NULL when every slot is
 * taken by other kinds). */
History *history_of(Places *p, const char *kind);
/* Add a line (empty lines and a repeat of the newest are not kept). */
void history_add(History *h, const char *line);
/* The back-th newest line (1 is the newest), or NULL. */
const char *history_get(const History *h, size_t back);

/* Free everything p holds, and p. */
void places_free(Places *p);

#endif
