/*
 * fmtutil: see fmtutil.h.
 */
#include "config.h"

#include "fmtutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rd(void *ctx, uint64_t off, void *buf, size_t len)
{
    int fd = (int)(intptr_t)ctx;
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
        if (n < 0)
            return -errno;
        if (n == 0)
            return -ERANGE;
        got += (size_t)n;
    }
    return 0;
}

void fu_open(const char *path, FmtSrc *out)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "fmtutil: %s: %s\n", path, strerror(errno));
        abort();
    }
    uint64_t size = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        size = end > 0 ? (uint64_t)end : 0;
    }
    out->read = rd;
    out->ctx = (void *)(intptr_t)fd;
    out->size = size;
}

void fu_close(FmtSrc *src)
{
    close((int)(intptr_t)src->ctx);
}

static char *vformat(const char *fmt, va_list ap)
{
    char *cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0)
        abort();
    return cmd;
}

int fu_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = vformat(fmt, ap);
    va_end(ap);
    char *full = NULL;
    if (asprintf(&full, "PATH=\"$PATH:/sbin:/usr/sbin\"; %s", cmd) < 0)
        abort();
    int st = system(full);
    free(cmd);
    free(full);
    return st == -1 ? -1 : WEXITSTATUS(st);
}

char *fu_out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = vformat(fmt, ap);
    va_end(ap);
    char *full = NULL;
    if (asprintf(&full, "PATH=\"$PATH:/sbin:/usr/sbin\"; %s", cmd) < 0)
        abort();
    FILE *f = popen(full, "r");
    free(cmd);
    free(full);
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    int st = pclose(f);
    if (!buf || st == -1 || WEXITSTATUS(st) != 0) {
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

bool fu_have(const char *tool)
{
    return fu_sh("command -v %s >/dev/null 2>&1", tool) == 0;
}

uint8_t *fu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "fmtutil: %s: %s\n", path, strerror(errno));
        abort();
    }
    uint8_t *b = malloc(n ? (size_t)n : 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "fmtutil: cannot read %s\n", path);
        abort();
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

void fu_spit(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fmtutil: cannot write %s\n", path);
        abort();
    }
}

bool fu_find(const FmtSrc *src, const FmtNode *root, const char *path, FmtNode *out)
{
    FmtNode cur = *root;
    const char *p = path;
    while (*p) {
        size_t k = strcspn(p, "/");
        bool found = false;
        uint64_t n = cur.nkids < 100000 ? cur.nkids : 100000;
        for (uint64_t i = 0; i < n && !found; i++) {
            FmtNode kid;
            if (fmt_child(src, &cur, i, &kid) == 0 && strlen(kid.name) == k &&
                memcmp(kid.name, p, k) == 0) {
                cur = kid;
                found = true;
            }
        }
        if (!found)
            return false;
        p += k;
        p += *p == '/';
    }
    *out = cur;
    return true;
}

uint64_t fu_num(const FmtSrc *src, const FmtNode *root, const char *path)
{
    FmtNode n;
    if (!fu_find(src, root, path, &n)) {
        fprintf(stderr, "fmtutil: no node %s under %s\n", path, root->name);
        abort();
    }
    char *end;
    errno = 0;
    uint64_t v = strtoull(n.text, &end, 0);
    if (errno || end == n.text) {
        fprintf(stderr, "fmtutil: %s is \"%s\", not a number\n", path, n.text);
        abort();
    }
    return v;
}

static void walk(const FmtSrc *src, const FmtNode *n, int depth, uint64_t kids, uint64_t *left,
                 uint64_t *made, uint64_t *bad)
{
    if (depth <= 0)
        return;
    uint64_t want = n->nkids < kids ? n->nkids : kids;
    for (uint64_t i = 0; i < want && *left; i++) {
        FmtNode k;
        if (fmt_child(src, n, i, &k) < 0)
            continue;
        (*left)--;
        (*made)++;
        *bad += k.bad;
        walk(src, &k, depth - 1, kids, left, made, bad);
    }
}

uint64_t fu_walk(const FmtSrc *src, const FmtNode *root, int depth, uint64_t kids, uint64_t max,
                 uint64_t *bad)
{
    uint64_t made = 1, left = max, b = root->bad;
    walk(src, root, depth, kids, &left, &made, &b);
    if (bad)
        *bad = b;
    return made;
}
