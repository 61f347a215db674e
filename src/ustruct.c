/* ustruct: placeholder until the language lands. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "ustruct.h"

int ustruct_parse(const char *name, const char *text, UsDefs **out, char *err, size_t n)
{
    (void)text;
    *out = NULL;
    snprintf(err, n, "%s: user structures are not built yet", name);
    return -ENOSYS;
}
void ustruct_free(UsDefs *d)
{
    (void)d;
}
const char *ustruct_name(const UsDefs *d, size_t i)
{
    (void)d;
    (void)i;
    return NULL;
}
int ustruct_root(const UsDefs *d, const char *name, const FmtSrc *src, uint64_t off, FmtNode *out)
{
    (void)d, (void)name, (void)src, (void)off, (void)out;
    return -ENOSYS;
}
