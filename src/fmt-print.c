/*
 * fmt-print: a structure tree as indented text or JSON (batch `struct`),
 * bounded in depth, children a node and nodes in all (see fmt.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

typedef struct Printer {
    const FmtSrc *src;
    int depth;         /* levels at most */
    uint64_t max_kids; /* children a node */
    uint64_t left;     /* nodes still to print */
    bool json;         /* JSON, else text */
    int (*put)(const char *, size_t, void *);
    void *ctx;
    int rc; /* the first error */
} Printer;

static void put(Printer *p, const char *s, size_t n)
{
    if (p->rc == 0 && n)
        p->rc = p->put(s, n, p->ctx);
}

static void puts_(Printer *p, const char *s)
{
    put(p, s, strlen(s));
}

static void putf(Printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(Printer *p, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(p, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void json_str(Printer *p, const char *s)
{
    char buf[2 * FMT_TEXT * 3];
    size_t k = 0;
    buf[k++] = '"';
    for (; *s && k + 8 < sizeof buf; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)c;
        } else if (c < 0x20) {
            k += (size_t)snprintf(buf + k, sizeof buf - k, "\\u%04x", c);
        } else {
            buf[k++] = (char)c;
        }
    }
    buf[k++] = '"';
    put(p, buf, k);
}

static void indent(Printer *p, int level)
{
    static const char sp[] = "                                                  ";
    size_t n = 2 * (size_t)level;
    put(p, sp, n < sizeof sp - 1 ? n : sizeof sp - 1);
}

static void node(Printer *p, const FmtNode *n, int level)
{
    p->left--;
    if (p->json) {
        puts_(p, "{\"name\":");
        json_str(p, n->name);
        putf(p, ",\"offset\":%" PRIu64 ",\"size\":%" PRIu64, n->off, n->len);
        if (n->text[0]) {
            puts_(p, ",\"value\":");
            json_str(p, n->text);
        }
        if (n->note[0]) {
            puts_(p, ",\"note\":");
            json_str(p, n->note);
        }
        if (n->bad)
            puts_(p, ",\"malformed\":true");
    } else {
        indent(p, level);
        putf(p, "%s @0x%" PRIx64 " +%" PRIu64, n->name, n->off, n->len);
        if (n->text[0])
            putf(p, ": %s", n->text);
        if (n->note[0])
            putf(p, " (%s)", n->note);
        puts_(p, "\n");
    }
    uint64_t shown = 0;
    if (n->nkids && level + 1 < p->depth && !n->bad) {
        uint64_t want = n->nkids < p->max_kids ? n->nkids : p->max_kids;
        if (p->json)
            puts_(p, ",\"children\":[");
        for (uint64_t i = 0; i < want && p->left && p->rc == 0; i++) {
            FmtNode k;
            int rc = fmt_child(p->src, n, i, &k);
            if (rc < 0)
                fmt_bad(&k, "?", n->off, "child %" PRIu64 " could not be made (%s)", i,
                        strerror(-rc));
            if (p->json && shown)
                puts_(p, ",");
            node(p, &k, level + 1);
            shown++;
        }
        if (p->json)
            puts_(p, "]");
    }
    if (n->nkids > shown) {
        if (p->json) {
            putf(p, ",\"more\":%" PRIu64, n->nkids - shown);
        } else if (shown) {
            indent(p, level + 1);
            putf(p, "... %" PRIu64 " more\n", n->nkids - shown);
        }
    }
    if (p->json)
        puts_(p, "}");
}

int fmt_print(const FmtSrc *src, const FmtNode *root, int depth, uint64_t max_kids,
              uint64_t max_nodes, bool json, int (*putfn)(const char *, size_t, void *), void *ctx)
{
    Printer p = {src,
                 depth < 1 ? 1 : depth,
                 max_kids ? max_kids : 1,
                 max_nodes ? max_nodes : 1,
                 json,
                 putfn,
                 ctx,
                 0};
    if (p.depth > FMT_DEPTH)
        p.depth = FMT_DEPTH;
    node(&p, root, 0);
    if (json)
        puts_(&p, "\n");
    return p.rc;
}
