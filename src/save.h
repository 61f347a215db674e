/*
 * save: write a document to a new file, as a job of bounded steps.
 *
 * The copy keeps the source's holes and has the edits applied. It is
 * written to a file with no name (O_TMPFILE; a hidden temporary name where
 * the file system lacks it) in the destination's directory and put in place
 * only when complete and synced, so a failed, cancelled or killed job leaves
 * the destination as it was and no temporary file (a named one survives
 * only SIGKILL).
 *
 * The destination's last component is never followed: a symbolic link
 * there is replaced by the copy (its target is untouched), and the UI asks
 * about that in those words. A new file gets the source's permissions less
 * the umask, as cp gives; a regular file replaced keeps its permissions
 * (and its owner, where the process may set it).
 */
#ifndef MMH_SAVE_H
#define MMH_SAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "doc.h"

typedef struct DocSave DocSave;

/* Codes of save-as's own, negated like -errno; above map.h's. */
#define MMH_ESAVE_SELF 4160   /* the destination is the document's own name */
#define MMH_ESAVE_LINK 4161   /* ... another hard link to the document */
#define MMH_ESAVE_NOTREG 4162 /* ... a device, FIFO or socket */

/* Start copying the document to path. Checked first, nothing created:
 * -EEXIST if path exists (a symbolic link included) and !overwrite (the UI
 * asks first); -MMH_ESAVE_SELF, -MMH_ESAVE_LINK if path is the document
 * (use doc_write); -MMH_ESAVE_NOTREG for a device, FIFO or socket; -EISDIR
 * for a directory; -ENAMETOOLONG; or what opening the directory and
 * creating the copy there return. d must outlive the job. */
int doc_saveas_start(Doc *d, const char *path, bool overwrite, DocSave **out);

/* Copy for about budget_ns: 1 when finished (synced and in place under
 * path, the directory synced; the DocSave is freed), 0 when more remains,
 * -errno on failure (the copy is removed; the DocSave is freed). -EEXIST
 * without overwrite if path appeared meanwhile. Holes in the source stay
 * holes in the copy (SEEK_DATA/SEEK_HOLE), so a 16 TiB sparse file copies
 * in milliseconds. */
int doc_saveas_step(DocSave *s, uint64_t budget_ns);

/* Bytes of data copied so far and the data bytes to copy in all. */
void doc_saveas_progress(const DocSave *s, uint64_t *done, uint64_t *total);

/* Stop, remove the copy, free s (NULL is allowed). */
void doc_saveas_cancel(DocSave *s);

/* Words for a code from the calls above (save-as's own codes, -ENOSPC as a
 * full device rather than map_strerror's hole; -EINTR as "stopped by a
 * signal", for a UI that cancels on one), else map_strerror's. */
const char *doc_saveas_strerror(int rc);

#endif
