/*
 * journal: the edit history, as pure data (it never touches the map).
 *
 * Each edit is a record {offset, old bytes, new bytes}. Records gather into
 * undo groups: everything between two journal_snapshot() calls undoes as one
 * step (the UI snapshots when edit mode is left, when the cursor jumps, and
 * before each command), so typing "deadbeef" is one undo. A record that
 * continues the previous one (the next byte, or the same byte again, as when
 * the second nibble of a byte is typed) is merged into it, so a long typing
 * run is one record, not thousands.
 *
 * Undo and redo hand the bytes to apply to a callback, newest record first
 * for undo and oldest first for redo; their cost is the size of the group,
 * never the length of the history. A new edit after undo drops the redo
 * branch. Memory grows with the edits made, never with the file.
 *
 * The journal also keeps the set of byte ranges touched since the last
 * write (journal_runs) and, for those bytes, their values then and now
 * (journal_edits, see edits.h): the net changes, which are what a write
 * sends to the file; and a saved marker, so journal_modified() says whether
 * the document differs from what was last written (undoing back to it
 * counts as clean).
 */
#ifndef MMH_JOURNAL_H
#define MMH_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edits.h"
#include "rangeset.h"

typedef struct Journal Journal;

int journal_new(Journal **out);
void journal_free(Journal *j);

/* Record that len bytes at off changed from old to new_. Goes into the open
 * group (opening one if needed); drops any redo history. 0 or -ENOMEM (the
 * journal is unchanged). */
int journal_record(Journal *j, uint64_t off, const uint8_t *old, const uint8_t *new_, size_t len);

/* Close the open group, so the next record starts a new undo step. Cheap;
 * does nothing when no group is open. */
void journal_snapshot(Journal *j);

/* Apply callback: write len bytes at off. Returns 0 or -errno. */
/* prev: the record's other side, what the journal believes the bytes held
 * before this application (a best guess: another process may have written
 * them since; the document knows better inside the file). */
typedef int (*JournalApplyFn)(uint64_t off, const uint8_t *bytes, const uint8_t *prev, size_t len,
                              void *ctx);

/* Undo the newest group: fn gets each record's old bytes, newest first.
 * *where (may be NULL) gets the lowest offset the group touched, for the
 * cursor. Returns 0, 1 when there is nothing to undo, or fn's -errno (then
 * the journal stays where it was; records already applied stay applied). */
int journal_undo(Journal *j, JournalApplyFn fn, void *ctx, uint64_t *where);

/* Redo the group last undone, oldest record first, with the new bytes. */
int journal_redo(Journal *j, JournalApplyFn fn, void *ctx, uint64_t *where);

bool journal_can_undo(const Journal *j);
bool journal_can_redo(const Journal *j);

/* The document differs from what was last marked saved. */
bool journal_modified(const Journal *j);
/* Mark the current state as written; journal_runs() is emptied. */
void journal_mark_saved(Journal *j);

/* Byte ranges edited (by edits, undos or redos) since the last
 * journal_mark_saved, sorted and merged. */
const RangeSet *journal_runs(const Journal *j);

/* Those bytes' values at the last journal_mark_saved and now: the net
 * changes a write sends (edits_each_net). Emptied by journal_mark_saved.
 * journal_record keeps it in step; for undo and redo the apply callback
 * must, since only the document knows what a byte held before (another
 * process may have written it since the record was made): it calls
 * journal_note with the bytes it replaced. */
const Edits *journal_edits(const Journal *j);
int journal_note(Journal *j, uint64_t off, const uint8_t *before, const uint8_t *after, size_t len);

/* Drop every record whose range starts at or after size, and cut the one
 * that straddles it (the file shrank under the editor, taking those edits
 * with it). Returns how many net bytes were lost. */
uint64_t journal_truncate(Journal *j, uint64_t size);

/* Counts, for the status line and tests. */
size_t journal_groups(const Journal *j);  /* undo steps available */
size_t journal_records(const Journal *j); /* records held in all */

#endif
