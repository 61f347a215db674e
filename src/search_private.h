/*
 * search_private: what the two files of the search module share (the
 * matcher in search-pattern.c, the job in search.c). Not for other modules.
 */
#ifndef MMH_SEARCH_PRIVATE_H
#define MMH_SEARCH_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search.h"

/* A pattern prepared for scanning. */
typedef struct Matcher {
    uint8_t bytes[MMH_PATTERN_MAX]; /* the pattern, folded when fold, then masked */
    uint8_t mask[MMH_PATTERN_MAX];  /* as in the Pattern */
    size_t len;                     /* pattern length */
    bool fold;                      /* compare lower(byte) (icase) */
    bool plain;                     /* all fixed, nothing to fold: memmem, memcmp */
    bool anchored;                  /* some byte is fixed: anchor names the rarest */
    size_t anchor;                  /* its index */
    uint8_t a1, a2;                 /* the anchor byte in either case (equal if no letter) */
} Matcher;

/* Prepare p (1..MMH_PATTERN_MAX bytes) for search_scan. */
void search_prepare(Matcher *mt, const Pattern *p);

/* The offset of the first (last, backward) match in buf[0, n), or -1. */
long search_scan(const Matcher *mt, const uint8_t *buf, size_t n, bool backward);

#endif
