/*
 * utf8: the few UTF-8 steps the editor needs (prompt input, drawing text
 * into cells). Pure functions over bytes; no locale.
 */
#ifndef MMH_UTF8_H
#define MMH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* cp as UTF-8 into out (room for 4): its length, or 0 when cp is no scalar
 * value (a surrogate, or past U+10FFFF). */
size_t utf8_put(uint32_t cp, char *out);

/* Decode one character of s for display: its length (at least 1); *cp gets
 * the code point, or '?' for a control character, a C1 control or a
 * malformed sequence. */
size_t utf8_get(const char *s, uint32_t *cp);

/* Characters in s, as utf8_get steps through it. */
size_t utf8_count(const char *s);

/* In t (len bytes), the start of the character before byte i, and the end
 * of the one at i. */
size_t utf8_prev(const char *t, size_t i);
size_t utf8_next(const char *t, size_t len, size_t i);

#endif
