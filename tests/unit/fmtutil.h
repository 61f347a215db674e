/*
 * fmtutil: fixtures for the structure decoders' tests: a file as an FmtSrc
 * (pread, as a stranger reads it), running the real tools that make the
 * test images, and finding a node by its path of names.
 */
#ifndef MMH_FMTUTIL_H
#define MMH_FMTUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"

/* path as a source (aborts when it cannot be opened); fu_close closes it. */
void fu_open(const char *path, FmtSrc *out);
void fu_close(FmtSrc *src);

/* Run a shell command (printf-style); its exit status (0: it worked). */
int fu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run a shell command and return its standard output (malloc'd, NUL
 * terminated; NULL when it failed). */
char *fu_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The tool is on PATH (also /sbin, /usr/sbin). */
bool fu_have(const char *tool);

/* A whole file into memory (malloc'd; *len its size) / a buffer into a
 * file (made or truncated): for tests that damage images. Abort the test
 * when they cannot. */
uint8_t *fu_slurp(const char *path, size_t *len);
void fu_spit(const char *path, const uint8_t *b, size_t len);

/* The node at path under root: names joined by '/', e.g.
 * "partition 1/first LBA" (each name matched exactly, children searched in
 * order, at most 100000 a level). true with *out, else false. */
bool fu_find(const FmtSrc *src, const FmtNode *root, const char *path, FmtNode *out);
/* Its value as an unsigned number (text in decimal or 0x hex); aborts
 * the test when the node is missing or not a number. */
uint64_t fu_num(const FmtSrc *src, const FmtNode *root, const char *path);

/* Walk the whole tree under root, depth at most depth, children at most
 * kids a node, nodes at most max: how many nodes were made, and (bad)
 * how many were malformed. For the malformed corpus: a decoder must come
 * back from any input. */
uint64_t fu_walk(const FmtSrc *src, const FmtNode *root, int depth, uint64_t kids, uint64_t max,
                 uint64_t *bad);

#endif
