/*
 * marks: bookmarks and their file, the jump list, prompt history (see
 * marks.h). The bookmark file is text, one mark a line after a first line
 * naming the identity it belongs to:
 *     mmhex-marks 1 DEV INO REALPATH
 *     0x1f00 hdr the header's checksum
 * so it can be read, edited and diffed by people.
 */
#include "config.h"

#include "marks.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKS_MAGIC "mmhex-marks 1"

/* ---- bookmarks ------------------------------------------------------------ */

bool marks_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= MARK_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] >= 0x7f)
            return false;
    return true;
}

static Mark *find(const Marks *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i].name, name))
            return &m->v[i];
    return NULL;
}

int marks_set(Marks *m, const char *name, uint64_t off, const char *note)
{
    if (!marks_name_ok(name))
        return -EINVAL;
    Mark *k = find(m, name);
    if (!k) {
        if (m->n >= MARKS_MAX)
            return -ENOSPC;
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 16;
            Mark *v = realloc(m->v, cap * sizeof *v);
            if (!v)
                return -ENOMEM;
            m->v = v;
            m->cap = cap;
        }
        k = &m->v[m->n++];
        snprintf(k->name, sizeof k->name, "%s", name);
    }
    k->off = off;
    snprintf(k->note, sizeof k->note, "%s", note ? note : "");
    for (char *c = k->note; *c; c++) /* one line in the file */
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = ' ';
    return 0;
}

const Mark *marks_get(const Marks *m, const char *name)
{
    return find(m, name);
}

int marks_del(Marks *m, const char *name)
{
    Mark *k = find(m, name);
    if (!k)
        return -ENOENT;
    size_t i = (size_t)(k - m->v);
    memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof *k);
    m->n--;
    return 0;
}

void marks_free(Marks *m)
{
    free(m->v);
    *m = (Marks){0};
}

/* ---- where they are kept ---------------------------------------------------- */

int marks_identify(const char *path, MarkId *id)
{
    struct stat st;
    if (!realpath(path, id->real))
        return -errno;
    if (stat(id->real, &st) < 0)
        return -errno;
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    return 0;
}

int marks_dir(char *buf, size_t n)
{
    const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int len;
    /* The XDG spec: a relative XDG_STATE_HOME is invalid and ignored. */
    if (x && x[0] == '/')
        len = snprintf(buf, n, "%s/mmhex", x);
    else if (home && *home)
        len = snprintf(buf, n, "%s/.local/state/mmhex", home);
    else
        return -ENOENT;
    return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* FNV-1a, 64 bits: a file name from the identity (checked on load). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int marks_file(const char *dir, const MarkId *id, char *buf, size_t n)
{
    uint64_t h = fnv(0xcbf29ce484222325ull, id->real, strlen(id->real) + 1);
    h = fnv(h, &id->dev, sizeof id->dev);
    h = fnv(h, &id->ino, sizeof id->ino);
    int len = snprintf(buf, n, "%s/%016" PRIx64 ".marks", dir, h);
    return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

int marks_load(Marks *m, const char *file, const MarkId *id)
{
    FILE *f = fopen(file, "re");
    marks_free(m);
    if (!f)
        return errno == ENOENT ? 0 : -errno;
    char line[PATH_MAX + 128];
    int rc = 0;
    if (!fgets(line, sizeof line, f))
        goto out; /* empty: no marks */
    line[strcspn(line, "\n")] = 0;
    char want[PATH_MAX + 128];
    snprintf(want, sizeof want, MARKS_MAGIC " %" PRIu64 " %" PRIu64 " %s", id->dev, id->ino,
             id->real);
    if (strcmp(line, want))
        goto out; /* another file's (a hash collision) or another format */
    while (rc == 0 && fgets(line, sizeof line, f)) {
        char name[MARK_NAME_MAX];
        uint64_t off;
        int used = 0;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%" SCNx64 " %31s %n", &off, name, &used) < 2)
            continue; /* a line a person broke: skip it */
        rc = marks_set(m, name, off, used ? line + used : "");
        if (rc == -EINVAL)
            rc = 0;
    }
    if (rc == 0 && ferror(f))
        rc = -EIO;
out:
    fclose(f);
    return rc;
}

/* mkdir -p for the directory that holds file. */
static int make_parents(const char *file)
{
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", file);
    char *slash = strrchr(d, '/');
    if (!slash || slash == d)
        return 0;
    *slash = 0;
    for (char *p = d + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(d, 0700) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(d, 0700) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int marks_save(const Marks *m, const char *file, const MarkId *id)
{
    char tmp[PATH_MAX];
    int rc = make_parents(file);
    if (rc < 0)
        return rc;
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", file) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -errno;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        rc = -errno;
        close(fd);
        unlink(tmp);
        return rc;
    }
    fprintf(f, MARKS_MAGIC " %" PRIu64 " %" PRIu64 " %s\n", id->dev, id->ino, id->real);
    for (size_t i = 0; i < m->n; i++)
        fprintf(f, "0x%" PRIx64 " %s%s%s\n", m->v[i].off, m->v[i].name, m->v[i].note[0] ? " " : "",
                m->v[i].note);
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0)
        rc = -errno ? -errno : -EIO;
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, file) < 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    return rc;
}

/* ---- the jump list ---------------------------------------------------------- */

static void jump_append(JumpList *j, uint64_t off)
{
    if (j->n == JUMPS_MAX) { /* drop the oldest */
        memmove(j->v, j->v + 1, (JUMPS_MAX - 1) * sizeof j->v[0]);
        j->n--;
        if (j->at > 0)
            j->at--;
    }
    j->v[j->n++] = off;
}

void jump_record(JumpList *j, uint64_t from)
{
    if (j->at < j->n)
        j->n = j->at; /* a new jump forgets what lay forward */
    if (!(j->n && j->v[j->n - 1] == from))
        jump_append(j, from);
    j->at = j->n;
}

bool jump_back(JumpList *j, uint64_t cur, uint64_t *to)
{
    if (j->at == 0)
        return false;
    if (j->at == j->n) {
        /* Leaving the newest place: remember it, so forward comes back. */
        if (j->v[j->n - 1] != cur) {
            jump_append(j, cur);
            j->at = j->n - 1;
        } else {
            j->at = j->n - 1;
            if (j->at == 0)
                return false;
        }
    }
    *to = j->v[--j->at];
    return true;
}

bool jump_forward(JumpList *j, uint64_t *to)
{
    if (j->at + 1 >= j->n)
        return false;
    *to = j->v[++j->at];
    return true;
}

/* ---- prompt history ---------------------------------------------------------- */

History *history_of(Places *p, const char *kind)
{
    for (size_t i = 0; i < HISTORY_KINDS; i++) {
        History *h = &p->hist[i];
        if (h->used && !strcmp(h->kind, kind))
            return h;
    }
    for (size_t i = 0; i < HISTORY_KINDS; i++) {
        History *h = &p->hist[i];
        if (!h->used) {
            h->used = true;
            snprintf(h->kind, sizeof h->kind, "%s", kind);
            return h;
        }
    }
    return NULL;
}

void history_add(History *h, const char *line)
{
    if (!*line || (h->n && !strcmp(h->line[h->n - 1], line)))
        return;
    char *c = strndup(line, HISTORY_LINE - 1);
    if (!c)
        return; /* history is a convenience: lose the line, not the session */
    if (h->n == HISTORY_MAX) {
        free(h->line[0]);
        memmove(h->line, h->line + 1, (HISTORY_MAX - 1) * sizeof h->line[0]);
        h->n--;
    }
    h->line[h->n++] = c;
}

const char *history_get(const History *h, size_t back)
{
    return back >= 1 && back <= h->n ? h->line[h->n - back] : NULL;
}

void places_free(Places *p)
{
    if (!p)
        return;
    marks_free(&p->marks);
    for (size_t i = 0; i < HISTORY_KINDS; i++)
        for (size_t k = 0; k < p->hist[i].n; k++)
            free(p->hist[i].line[k]);
    free(p);
}
