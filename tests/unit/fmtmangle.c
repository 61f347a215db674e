/*
 * fmtmangle: see fmtmangle.h.
 */
#include "config.h"

#include "fmtmangle.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fmtutil.h"
#include "testutil.h"

void fm_poke(const char *path, uint64_t off, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0 || pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
        perror(path);
        abort();
    }
    close(fd);
}

/* Decode and walk path; adds to st. */
static void decode(const char *path, const FmtDecoder *dec, FmStats *st)
{
    FmtSrc src;
    fu_open(path, &src);
    FmtNode root;
    st->variants++;
    if (src.size && fmt_root(&src, dec, 0, &root) == 0) {
        uint64_t bad = 0;
        uint64_t n = fu_walk(&src, &root, 8, 300, 20000, &bad);
        if (n > 20001) { /* the root and at most 20000 more */
            fprintf(stderr, "fmtmangle: walk of %s not bounded (%llu nodes)\n", path,
                    (unsigned long long)n);
            abort();
        }
        st->decoded++;
        st->bad += bad;
        st->nodes += n;
    }
    fu_close(&src);
}

int64_t fm_walk_file(const char *path, const FmtDecoder *dec)
{
    FmStats st = {0};
    decode(path, dec, &st);
    return st.decoded ? (int64_t)st.bad : -1;
}

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

FmStats fm_mangle(const char *dir, const char *img, const FmtDecoder *dec, const uint64_t *cuts,
                  size_t ncut, uint64_t from, uint64_t len, unsigned nmut, uint32_t seed)
{
    FmStats st = {0};
    char *m = tu_path(dir, "mangled.img");
    for (size_t i = 0; i < ncut; i++) {
        if (fu_sh("cp --sparse=always '%s' '%s' && truncate -s %llu '%s'", img, m,
                  (unsigned long long)cuts[i], m) != 0)
            abort();
        decode(m, dec, &st);
    }
    if (fu_sh("cp --sparse=always '%s' '%s'", img, m) != 0)
        abort();
    uint8_t *orig = malloc(len ? len : 1);
    int fd = open(img, O_RDONLY);
    if (!orig || fd < 0 || pread(fd, orig, len, (off_t)from) != (ssize_t)len)
        abort();
    close(fd);
    uint32_t s = seed ? seed : 1;
    for (unsigned k = 0; k < nmut && len; k++) {
        fm_poke(m, from, orig, len);
        unsigned nb = 1 + next(&s) % 4;
        for (unsigned j = 0; j < nb; j++) {
            uint8_t v = (uint8_t)next(&s);
            /* Often a byte that makes a count or an offset huge. */
            if (next(&s) % 3 == 0)
                v = 0xff;
            fm_poke(m, from + next(&s) % len, &v, 1);
        }
        decode(m, dec, &st);
    }
    free(orig);
    free(m);
    return st;
}
