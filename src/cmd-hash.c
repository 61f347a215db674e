/*
 * cmd-hash: checksums and digests of the selection or the whole file
 * (hash.h), a job (job.h): `hash ALGO [OFF LEN]`, output like sha256sum's
 * ("HEX  PATH", or "HEX  PATH@OFF+LEN" for a part of the file), on the
 * message row too. Edits wait while it runs, so the bytes hashed are those
 * on screen when it started; keys move around meanwhile and Esc cancels.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-family.h"
#include "hash.h"
#include "job.h"
#include "parse.h"
#include "prompt.h"

typedef struct HashJob {
    Hasher *h;
    unsigned mask; /* the algorithms */
    bool part;     /* a range, not the whole file: named in the output */
    uint64_t off;  /* the range */
    uint64_t len;
} HashJob;

static void job_free(HashJob *j)
{
    hasher_free(j->h);
    free(j);
}

static int hash_step(Session *s, void *st, uint64_t budget_ns)
{
    (void)s;
    HashJob *j = st;
    return hasher_step(j->h, budget_ns);
}

/* "1.2 GiB/s" */
static char *fmt_rate(uint64_t bytes, uint64_t ns, char *buf, size_t n)
{
    char a[32];
    if (!ns) {
        snprintf(buf, n, "-");
        return buf;
    }
    parse_fmt_size((uint64_t)((double)bytes * 1e9 / (double)ns), a, sizeof a);
    snprintf(buf, n, "%s/s", a);
    return buf;
}

static void hash_progress(Session *s, void *st)
{
    HashJob *j = st;
    HashProgress p;
    char r[48];
    hasher_progress(j->h, &p);
    note(s, "hashing 0x%" PRIx64 " %.0f%% %s, Esc cancels", p.off + p.done,
         p.len ? 100.0 * (double)p.done / (double)p.len : 100.0,
         fmt_rate(p.done, p.ns, r, sizeof r));
}

static int hash_finish(Session *s, void *st, int rc)
{
    HashJob *j = st;
    HashProgress p;
    hasher_progress(j->h, &p);
    if (rc == -EINTR) {
        job_free(j);
        return fail(s, rc, "hash: stopped by a signal");
    }
    if (rc < 0) {
        job_free(j);
        return core_error(s, rc, "hash");
    }
    const char *path = map_path(doc_map(s->doc));
    char where[64] = "", hex[HASH_HEX_MAX], first[HASH_HEX_MAX] = "", a[32], t[32], r[48];
    if (j->part)
        snprintf(where, sizeof where, "@0x%" PRIx64 "+0x%" PRIx64, j->off, j->len);
    int n = 0;
    HashAlgo one = HASH_SHA256;
    for (int i = 0; i < HASH_NALGO; i++) {
        if (!(j->mask & (1u << i)) || hasher_hex(j->h, (HashAlgo)i, hex) < 0)
            continue;
        if (j->mask == (1u << i)) /* one algorithm: exactly sha256sum's line */
            emit(s, "%s  %s%s\n", hex, path, where);
        else
            emit(s, "%-9s %s  %s%s\n", hash_name((HashAlgo)i), hex, path, where);
        if (!n++) {
            snprintf(first, sizeof first, "%s", hex);
            one = (HashAlgo)i;
        }
    }
    parse_fmt_size(p.len, a, sizeof a);
    parse_fmt_ns(p.ns, t, sizeof t);
    fmt_rate(p.len, p.ns, r, sizeof r);
    if (n == 1)
        say(s, false, "%s %s (%s in %s, %s)", hash_name(one), first, a, t, r);
    else
        say(s, false, "%d hashes of %s in %s (%s): see the output", n, a, t, r);
    job_free(j);
    return 0;
}

static void hash_cancel(Session *s, void *st)
{
    HashJob *j = st;
    HashProgress p;
    hasher_progress(j->h, &p);
    say(s, false, "hash cancelled at 0x%" PRIx64, p.off + p.done);
    job_free(j);
}

static const JobType hash_job = {
    .name = "hash",
    .holds_keys = false, /* look around meanwhile; Esc cancels */
    .freezes_edits = true,
    .first_slice = true,
    .state = "hashing",
    .step = hash_step,
    .progress = hash_progress,
    .finish = hash_finish,
    .cancel = hash_cancel,
};

static int c_hash(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    char name[64] = "", a[256] = "", b[256] = "", extra[8] = "";
    const char *err = NULL;
    uint64_t size = session_size(s), off = 0, len = size;
    unsigned mask = 1u << HASH_SHA256;
    int k = sscanf(arg, "%63s %255s %255s %7s", name, a, b, extra);
    if (k == 4 || k == 2)
        return fail(s, -EINVAL, "usage: hash ALGO [OFF LEN]");
    if (name[0] && hash_parse(name, &mask) < 0)
        return fail(s, -EINVAL, "hash: unknown algorithm '%s': say %s", name, hash_names());
    bool part = false;
    if (k == 3) {
        if (parse_offset(a, s->view->cursor, size, &off, &err) < 0)
            return fail(s, -EINVAL, "hash %s: %s", a, err ? err : "bad offset");
        if (parse_count(b, &len, &err) < 0)
            return fail(s, -EINVAL, "hash: length %s: %s", b, err ? err : "bad length");
        if (off > size || len > size - off)
            return fail(s, -ERANGE,
                        "hash: 0x%" PRIx64 "+0x%" PRIx64 " is past the end (0x%" PRIx64 ")", off,
                        len, size);
        part = true;
    } else if (s->view->sel_on) {
        uint64_t x = s->view->sel_anchor, y = s->view->cursor;
        off = x < y ? x : y;
        len = (x < y ? y : x) - off + 1;
        if (len > size - off)
            len = size - off;
        part = true;
    }
    if (job_find(s, &hash_job))
        return fail(s, -EBUSY, "hash: one is running (Esc cancels it)");
    HashJob *j = calloc(1, sizeof *j);
    if (!j)
        return fail(s, -ENOMEM, "hash: out of memory");
    j->mask = mask;
    j->part = part;
    j->off = off;
    j->len = len;
    int rc = hasher_new(&j->h, s->doc, mask, off, len);
    if (rc < 0) {
        free(j);
        return fail(s, rc, "hash: %s",
                    rc == -ENOSYS ? "this libcrypto lacks the algorithm" : map_strerror(rc));
    }
    return job_start(s, &hash_job, j, "a hash");
}

static int c_hash_prompt(Session *s, int opt)
{
    (void)opt;
    if (s->batch)
        return fail(s, -EINVAL, "hash-prompt: needs a terminal (say hash ALGO)");
    return prompt_open(s, "hash: ", "hash");
}

static const CmdDef cmds[] = {
    {"hash", c_hash, .usage = "hash [ALGO [OFF LEN]]",
     .help = "crc32 crc32c adler32 md5 sha1 sha256 sha512 sha3-256 blake2b or all of the "
             "selection or file (a job)"},
    {"hash-prompt", NULL, c_hash_prompt, .help = "the # prompt", .flags = CMD_INTERNAL},
};

CMD_FAMILY(hash, cmds);
