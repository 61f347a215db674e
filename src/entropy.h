/*
 * entropy: the entropy map's core, a whole-file picture of what kind of
 * bytes lie where, without a terminal (emap.c draws it, screen-map.c runs
 * it as a job, cmd-entropy.c prints it).
 *
 * The file is cut into n buckets the way the residency map cuts it (rmap.h:
 * whole pages, at least one a bucket, sizes differing by at most a page), so
 * a bucket index means the same range in both maps. Each bucket gets the
 * Shannon entropy of its bytes in bits per byte and a class:
 *   zeros         every byte zero (or a hole)
 *   text          at least ENT_TEXT_PERMILLE of the bytes are printable
 *                 ASCII, whitespace or UTF-8 sequence bytes, at least half
 *                 of them ASCII (so a run of 0x90 is not "text")
 *   high-entropy  at least ENT_HIGH_BITS bits per byte (compressed,
 *                 encrypted, random)
 *   binary        the rest: low-entropy binary
 *
 * It is computed in two passes by entropy_step, a bounded step for a job:
 *   1. sampling: each bucket in turn gets ENT_PROBES probes of
 *      ENT_PROBE_BYTES (the first data byte of the bucket, then evenly
 *      spaced points); a probe landing in a hole counts as that many zero
 *      bytes. A bucket wholly in a hole is exact at once, unread.
 *   2. exact: every byte, bucket by bucket, extent by extent: data is read
 *      ENT_CHUNK at a time (lent by the mapping, or copied with the unwritten
 *      edits laid over it, so the map is of what the user sees; a long data
 *      extent a chunk per thread on the workpool, one per CPU); holes are
 *      counted as zeros without any I/O. A bucket's histogram is folded into
 *      its entropy and class when it ends, and the bucket marked exact.
 * Memory is one running histogram plus a small record per bucket: it never
 * grows with the file. A file truncated under the walk gives -MMH_ETRUNC,
 * never a SIGBUS death (map_visit is guarded).
 *
 * The map remembers the document's change count and size when it was cut:
 * entropy_stale says when it no longer describes the document.
 */
#ifndef MMH_ENTROPY_H
#define MMH_ENTROPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

#define ENT_HIGH_BITS 7.2     /* bits/byte from which a bucket is high-entropy */
#define ENT_TEXT_PERMILLE 900 /* text bytes, per mille, for a text bucket */
#define ENT_PROBES 4          /* probes per bucket in the sampling pass */
#define ENT_PROBE_BYTES 1024  /* bytes read per probe */
#define ENT_CHUNK (1u << 20)  /* bytes read between clock checks */
#define ENT_MAX_BUCKETS (1u << 20)

typedef enum EntClass {
    ENT_NONE,   /* not sampled yet */
    ENT_ZEROS,  /* all zero bytes or a hole */
    ENT_TEXT,   /* mostly printable text */
    ENT_BINARY, /* low-entropy binary */
    ENT_HIGH,   /* high-entropy: compressed, encrypted */
    ENT_NCLASS
} EntClass;

typedef struct EntBucket {
    uint64_t lo, hi; /* the bytes it covers */
    float bits;      /* Shannon entropy, bits per byte (an estimate until exact) */
    uint16_t text;   /* text bytes, per mille */
    uint8_t cls;     /* an EntClass */
    bool exact;      /* every byte counted (else sampled, or ENT_NONE) */
} EntBucket;

typedef struct EntProgress {
    size_t n;            /* buckets */
    size_t sampled;      /* of them, sampled or exact */
    size_t exact;        /* of them, exact */
    uint64_t size;       /* the file size the map was cut for */
    uint64_t done;       /* bytes of the file in exact buckets */
    uint64_t read;       /* data bytes read, both passes */
    uint64_t read_exact; /* of those, by the exact pass */
    uint64_t zeros;      /* hole bytes counted as zeros without reading */
    uint64_t ns;         /* time spent in steps */
    bool finished;       /* every bucket exact */
} EntProgress;

typedef struct Entropy Entropy;

/* A map of d in n buckets (lowered so each holds at least a page, capped at
 * ENT_MAX_BUCKETS; an empty file has none and is finished at once). d must
 * outlive it. 0, -EINVAL (n 0), -ENOMEM. */
int entropy_new(Entropy **out, Doc *d, size_t n);
void entropy_free(Entropy *e);

/* The number of buckets a file of d's size gets when n are asked for. */
size_t entropy_fit(const Doc *d, size_t n);

/* The map no longer describes d: its bytes changed (doc_changes), its size
 * did, or asked for n buckets it would be cut differently. */
bool entropy_stale(const Entropy *e, const Doc *d, size_t n);

/* Work for about budget_ns: 0 more to do, 1 finished, or -errno
 * (-MMH_ETRUNC: the file shrank under the walk; -EIO; -ENOMEM). After an
 * error the buckets done stay, and a later step tries again. */
int entropy_step(Entropy *e, uint64_t budget_ns);

void entropy_progress(const Entropy *e, EntProgress *p);

/* The buckets: how many, and bucket i (< n). */
size_t entropy_n(const Entropy *e);
const EntBucket *entropy_bucket(const Entropy *e, size_t i);
/* The bucket holding off (n - 1 past the end, 0 with no buckets). */
size_t entropy_bucket_of(const Entropy *e, uint64_t off);

/* Bytes of the file per class (estimates for sampled buckets; ENT_NONE
 * for buckets not sampled yet). */
void entropy_totals(const Entropy *e, uint64_t bytes[ENT_NCLASS]);

/* ---- the arithmetic, for tests ---- */

/* Shannon entropy of a byte histogram, bits per byte (0 when empty). */
double entropy_bits(const uint64_t hist[256]);
/* Text bytes per mille of a histogram (0 when empty). */
unsigned entropy_text_permille(const uint64_t hist[256]);
/* The class of a histogram (ENT_ZEROS for an empty one). */
EntClass entropy_classify(const uint64_t hist[256]);
/* "zeros", "text", "binary", "high-entropy" ("-" for ENT_NONE). */
const char *entropy_class_name(EntClass c);

#endif
