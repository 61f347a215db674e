/*
 * complain: the program's messages on stderr (see complain.h).
 */
#include "config.h"

#include "complain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "parse.h"

void complain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = NULL;
    int n = vasprintf(&raw, fmt, ap);
    va_end(ap);
    size_t k = n < 0 ? 0 : parse_escape_ctl(raw, NULL, 0);
    char *esc = n < 0 ? NULL : malloc(k + 1);
    if (esc)
        parse_escape_ctl(raw, esc, k + 1);
    fprintf(stderr, "mmhex: %s\n", esc ? esc : "out of memory");
    free(esc);
    if (n >= 0)
        free(raw);
}
