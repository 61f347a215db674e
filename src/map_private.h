/*
 * map_private: the Map's descriptor and syscall table, for the core modules
 * that make syscalls of their own beside the map, and for tests. Not for the
 * UI: it asks doc.h, which asks the map.
 *
 * Who needs them and why they cannot go through a map call:
 *   resid  mincore, cachestat, PAGEMAP_SCAN and /proc/self/pagemap reads
 *          through the same injectable table as the map, on the map's fd
 *          and addresses (a separate table could disagree with the map's).
 *   save   the destination file's syscalls through that same table (fault
 *          injection of save-as), and pread/fstat of the source's fd (a copy
 *          read through the mapping would fault every page in).
 *   tests  check the descriptor's open mode and the table passed in.
 */
#ifndef MMH_MAP_PRIVATE_H
#define MMH_MAP_PRIVATE_H

#include "map.h"
#include "sys.h"

int map_fd(const Map *m);            /* the descriptor the map was made from */
const SysOps *map_sys(const Map *m); /* the table map_open was given (or sys_default) */

#endif
