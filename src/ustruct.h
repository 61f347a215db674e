/*
 * ustruct: user structures (placeholder until the language lands).
 */
#ifndef MMH_USTRUCT_H
#define MMH_USTRUCT_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

typedef struct UsDefs UsDefs;
int ustruct_parse(const char *name, const char *text, UsDefs **out, char *err, size_t n);
void ustruct_free(UsDefs *d);
const char *ustruct_name(const UsDefs *d, size_t i);
int ustruct_root(const UsDefs *d, const char *name, const FmtSrc *src, uint64_t off, FmtNode *out);

#endif
