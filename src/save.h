/*
 * save: write a document to a new file, as a job of bounded steps.
 *
 * The copy keeps the source's holes and has the edits applied; it is
 * written to a file with no name (or a hidden temporary name) in the
 * destination's directory and put in place only when complete and synced,
 * so a failed, cancelled or killed job leaves the destination as it was.
 */
#ifndef MMH_SAVE_H
#define MMH_SAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "doc.h"

typedef struct DocSave DocSave;

/* Start copying the document to path. -EEXIST if path exists and !overwrite
 * (the UI asks first); -EINVAL if path is the document itself (use
 * doc_write) or, with overwrite, not a regular file; -EISDIR for a
 * directory. The copy goes to a temporary file beside path (beside a
 * symlink's target, which is what gets replaced). d must outlive the job. */
int doc_saveas_start(Doc *d, const char *path, bool overwrite, DocSave **out);

/* Copy for about budget_ns: 1 when finished (synced and renamed into
 * place; the DocSave is freed), 0 when more remains, -errno on failure
 * (the temporary file is removed; the DocSave is freed). Holes in the
 * source stay holes in the copy (SEEK_DATA/SEEK_HOLE), so a 16 TiB sparse
 * file copies in milliseconds. */
int doc_saveas_step(DocSave *s, uint64_t budget_ns);

/* Bytes of data copied so far and the data bytes to copy in all. */
void doc_saveas_progress(const DocSave *s, uint64_t *done, uint64_t *total);

/* Stop, remove the temporary file, free s. */
void doc_saveas_cancel(DocSave *s);

#endif
