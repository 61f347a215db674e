/*
 * clip: the selection commands' state in the Session (cmd-select.c): the
 * clipboard `copy` fills and `paste` writes, and copy-as text waiting to
 * reach the terminal clipboard.
 */
#ifndef MMH_CLIP_H
#define MMH_CLIP_H

#include <stddef.h>
#include <stdint.h>

#define CLIP_MAX ((size_t)64 << 20) /* bytes copy, import and copyas take at most */

typedef struct Clip {
    uint8_t *bytes; /* what copy took (malloc'd), or NULL */
    size_t len;     /* its length */
    char *osc52;    /* base64 for the terminal clipboard, until main takes it */
} Clip;

void clip_free(Clip *c);

#endif
