/*
 * benchutil: the helpers the benchmark programs share (see benchutil.h).
 * Like the programs, it dies (bu_die) where it cannot measure.
 */
#include "config.h"

#include "benchutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GIB ((uint64_t)1 << 30)

extern char **environ;

static const char *prog = "bench";
static size_t out_max = 8192;

void bu_init(const char *name, size_t out_room)
{
    prog = name;
    out_max = out_room > 0 ? out_room : 1;
}

/* ---- failure and cleanup ------------------------------------------------ */

static const char *cleanup_paths[8]; /* files to remove if the parent dies */
static pid_t cleanup_owner;          /* the process that removes them */
static void (*cleanup_hook)(void);   /* run before they are removed */

void bu_set_cleanup_owner(void)
{
    cleanup_owner = getpid();
}

bool bu_is_cleanup_owner(void)
{
    return getpid() == cleanup_owner;
}

void bu_set_cleanup_hook(void (*fn)(void))
{
    cleanup_hook = fn;
}

void bu_remove_files(void)
{
    if (getpid() != cleanup_owner)
        return; /* a forked helper dying must not pull files from under us */
    if (cleanup_hook)
        cleanup_hook();
    for (size_t i = 0; i < sizeof cleanup_paths / sizeof cleanup_paths[0]; i++) {
        if (cleanup_paths[i] && unlink(cleanup_paths[i]) < 0 && errno != ENOENT)
            fprintf(stderr, "%s: cannot remove %s: %s\n", prog, cleanup_paths[i], strerror(errno));
        cleanup_paths[i] = NULL;
    }
}

void bu_remember_file(const char *path)
{
    for (size_t i = 0; i < sizeof cleanup_paths / sizeof cleanup_paths[0]; i++) {
        if (!cleanup_paths[i]) {
            cleanup_paths[i] = path;
            return;
        }
    }
}

void bu_forget_file(const char *path)
{
    for (size_t i = 0; i < sizeof cleanup_paths / sizeof cleanup_paths[0]; i++)
        if (cleanup_paths[i] == path)
            cleanup_paths[i] = NULL;
}

void bu_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    bu_remove_files();
    exit(1);
}

static void on_signal(int sig)
{
    bu_remove_files(); /* not async-signal-safe in full, but we are dying anyway */
    signal(sig, SIG_DFL);
    raise(sig);
}

void bu_catch_signals(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
}

void *bu_xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        bu_die("out of memory (%zu bytes)", n);
    return p;
}

char *bu_xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        bu_die("out of memory");
    return p;
}

char *bu_xvasprintf(const char *fmt, va_list ap)
{
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        bu_die("out of memory");
    return s;
}

char *bu_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bu_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void bu_progress(const char *fmt, ...)
{
    if (!isatty(STDERR_FILENO))
        return;
    va_list ap;
    fputs("\r\033[K", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

void bu_progress_done(void)
{
    if (isatty(STDERR_FILENO)) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* ---- measuring ---------------------------------------------------------- */

uint64_t bu_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        bu_die("clock_gettime: %s", strerror(errno));
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bu_sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t bu_median(uint64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_u64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

uint64_t bu_median_of(const uint64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    uint64_t *c = bu_xmalloc(n * sizeof *c);
    memcpy(c, v, n * sizeof *c);
    uint64_t m = bu_median(c, n);
    free(c);
    return m;
}

uint64_t bu_minimum(const uint64_t *v, size_t n)
{
    uint64_t m = UINT64_MAX;
    for (size_t i = 0; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return n ? m : 0;
}

void bu_fmt_ms(char *buf, size_t n, uint64_t ns)
{
    double ms = (double)ns / 1e6;
    snprintf(buf, n, ms < 10 ? "%.3f" : ms < 1000 ? "%.2f" : "%.1f", ms);
}

long bu_proc_kib(const char *file, const char *field)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    char line[256];
    size_t fl = strlen(field);
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = strtol(line + fl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

long bu_status_kib(const char *field)
{
    return bu_proc_kib("/proc/self/status", field);
}

long bu_meminfo_kib(const char *field)
{
    return bu_proc_kib("/proc/meminfo", field);
}

bool bu_kv_u64(const char *text, const char *key, uint64_t *out)
{
    size_t kl = strlen(key);
    for (const char *p = text; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p == text || p[-1] == ' ' || p[-1] == '\n') && p[kl] == '=') {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(p + kl + 1, &end, 10);
            if (errno == 0 && end != p + kl + 1) {
                *out = v;
                return true;
            }
        }
    }
    return false;
}

bool bu_kv_word(const char *text, const char *key, char *buf, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = text; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p == text || p[-1] == ' ' || p[-1] == '\n') && p[kl] == '=') {
            size_t w = strcspn(p + kl + 1, " \n");
            if (w >= n)
                w = n - 1;
            memcpy(buf, p + kl + 1, w);
            buf[w] = '\0';
            return true;
        }
    }
    return false;
}

/* ---- child processes ---------------------------------------------------- */

void bu_cmd_add(BuCmd *c, const char *s)
{
    if (c->argc + 1 >= (int)(sizeof c->argv / sizeof c->argv[0]))
        bu_die("too many arguments");
    c->argv[c->argc++] = bu_xstrdup(s);
    c->argv[c->argc] = NULL;
}

void bu_cmd_addf(BuCmd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bu_xvasprintf(fmt, ap);
    va_end(ap);
    bu_cmd_add(c, s);
    free(s);
}

void bu_cmd_free(BuCmd *c)
{
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
    c->argc = 0;
    c->argv[0] = NULL;
}

BuRun *bu_run_new(void)
{
    BuRun *r = bu_xmalloc(sizeof *r + out_max);
    r->cap = out_max;
    r->len = 0;
    r->out[0] = '\0';
    return r;
}

bool bu_exited(const BuRun *r, int code)
{
    return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

void bu_spawn_actions(posix_spawn_file_actions_t *fa, int in, int out, int err)
{
    const int from[3] = {in, out, err};
    int e = posix_spawn_file_actions_init(fa);
    for (int fd = 0; fd < 3 && e == 0; fd++) {
        if (from[fd] == BU_DEVNULL)
            e = posix_spawn_file_actions_addopen(fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
        else if (from[fd] >= 0)
            e = posix_spawn_file_actions_adddup2(fa, from[fd], fd);
    }
    if (e != 0)
        bu_die("posix_spawn_file_actions: %s", strerror(e));
}

void bu_run(const BuCmd *c, BuRun *r)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        bu_die("pipe2: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    bu_spawn_actions(&fa, -1, c->devnull ? BU_DEVNULL : p[1], p[1]);
    fflush(stdout);

    pid_t pid;
    uint64_t t0 = bu_now_ns();
    int e = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, c->envp ? c->envp : environ);
    if (e != 0)
        bu_die("posix_spawn %s: %s", c->argv[0], strerror(e));
    close(p[1]);
    r->len = 0;
    for (;;) {
        char scratch[4096];
        char *dst = r->len + 1 < r->cap ? r->out + r->len : scratch;
        size_t room = r->len + 1 < r->cap ? r->cap - 1 - r->len : sizeof scratch;
        ssize_t n = read(p[0], dst, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            bu_die("read from %s: %s", c->argv[0], strerror(errno));
        if (n == 0)
            break;
        if (dst != scratch)
            r->len += (size_t)n;
    }
    r->out[r->len] = '\0';
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &r->status, 0, &ru)) < 0 && errno == EINTR)
        ;
    if (w < 0)
        bu_die("wait4: %s", strerror(errno));
    r->wall_ns = bu_now_ns() - t0;
    r->user_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000u + (uint64_t)ru.ru_utime.tv_usec * 1000u;
    r->sys_ns = (uint64_t)ru.ru_stime.tv_sec * 1000000000u + (uint64_t)ru.ru_stime.tv_usec * 1000u;
    r->cpu_ns = r->user_ns + r->sys_ns;
    r->faults = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
    r->maxrss_kib = ru.ru_maxrss;
    close(p[0]);
    posix_spawn_file_actions_destroy(&fa);
}

const char *bu_first_line(const BuRun *r, const char *skip, char *buf, size_t n)
{
    const char *p = r->out;
    while (skip && strncmp(p, skip, strlen(skip)) == 0 && strchr(p, '\n'))
        p = strchr(p, '\n') + 1;
    size_t w = strcspn(p, "\n");
    if (w >= n)
        w = n - 1;
    memcpy(buf, p, w);
    buf[w] = '\0';
    if (!WIFEXITED(r->status))
        snprintf(buf + w, n - w, "%s(killed by signal %d)", w ? " " : "",
                 WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0);
    else if (w == 0)
        snprintf(buf, n, "(exit %d, no output)", WEXITSTATUS(r->status));
    return buf;
}

uint64_t bu_process_floor(const char *self, unsigned reps)
{
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, self);
    bu_cmd_add(&c, "--noop");
    uint64_t *floor_ns = bu_xmalloc(reps * sizeof *floor_ns);
    BuRun *r = bu_run_new();
    for (unsigned i = 0; i < reps; i++) {
        bu_run(&c, r);
        if (!bu_exited(r, 0))
            bu_die("%s --noop failed", prog);
        floor_ns[i] = r->wall_ns;
    }
    free(r);
    bu_cmd_free(&c);
    uint64_t m = bu_median(floor_ns, reps);
    free(floor_ns);
    return m;
}

pid_t bu_fork(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        bu_die("fork: %s", strerror(errno));
    return pid;
}

void bu_wait_child(pid_t pid, const char *what)
{
    int st;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w < 0)
        bu_die("waitpid (%s): %s", what, strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        bu_die("%s failed", what);
}

char *bu_find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char *copy = bu_xstrdup(path), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *cand = bu_xasprintf("%s/%s", *d ? d : ".", name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            free(copy);
            return cand;
        }
        free(cand);
    }
    free(copy);
    return NULL;
}

char *bu_exe_path(const char *path, const char *skipped)
{
    if (!path)
        return NULL;
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "%s: %s: %s (%s)\n", prog, path, strerror(errno), skipped);
        return NULL;
    }
    char *abs = realpath(path, NULL);
    if (!abs)
        bu_die("realpath %s: %s", path, strerror(errno));
    return abs;
}

void bu_self_exe(char *buf, size_t n)
{
    ssize_t sl = readlink("/proc/self/exe", buf, n - 1);
    if (sl < 0)
        bu_die("readlink /proc/self/exe: %s", strerror(errno));
    buf[sl] = '\0';
}

char *bu_tool_line(const char *exe, const char *flag, const char *marker)
{
    BuCmd c = {.argc = 0};
    bu_cmd_add(&c, exe);
    if (flag)
        bu_cmd_add(&c, flag);
    BuRun *r = bu_run_new();
    bu_run(&c, r);
    bu_cmd_free(&c);
    const char *p = marker ? strstr(r->out, marker) : r->out;
    char *v = NULL;
    if (p && *p)
        v = strndup(p, strcspn(p, "\n"));
    free(r);
    return v;
}

/* ---- the report --------------------------------------------------------- */

static const char *fs_name(long type)
{
    switch ((unsigned long)type) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    }
    return "other";
}

void bu_print_machine(const char *title, const char *dir, const char *cpu)
{
    struct utsname u;
    if (uname(&u) < 0)
        bu_die("uname: %s", strerror(errno));
    struct statfs sf;
    if (statfs(dir, &sf) < 0)
        bu_die("statfs %s: %s", dir, strerror(errno));
    long mem = bu_meminfo_kib("MemTotal"), avail = bu_meminfo_kib("MemAvailable");
    printf("%s\n\n", title);
    printf("  kernel   %s %s %s\n", u.sysname, u.release, u.version);
    if (cpu)
        printf("  machine  %s, %ld CPUs online (%s), MemTotal %.1f GiB (MemAvailable %.1f GiB)\n",
               u.machine, sysconf(_SC_NPROCESSORS_ONLN), cpu, (double)mem / (1024.0 * 1024.0),
               (double)avail / (1024.0 * 1024.0));
    else
        printf("  machine  %s, %ld CPUs online, MemTotal %.1f GiB (MemAvailable %.1f GiB), page "
               "%ld B\n",
               u.machine, sysconf(_SC_NPROCESSORS_ONLN), (double)mem / (1024.0 * 1024.0),
               (double)avail / (1024.0 * 1024.0), sysconf(_SC_PAGESIZE));
    char load[64] = "?";
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (!fgets(load, sizeof load, lf))
            snprintf(load, sizeof load, "?");
        load[strcspn(load, "\n")] = '\0';
        fclose(lf);
    }
    printf("  load     %s (/proc/loadavg at the start; other work skews the times)\n", load);
    printf("  files    %s (%s, f_type 0x%lx, %.1f GiB free)\n", dir, fs_name((long)sf.f_type),
           (unsigned long)sf.f_type, (double)sf.f_bavail * (double)sf.f_bsize / (double)GIB);
}

void bu_print_tool(const char *name, const char *exe, const char *version, bool last)
{
    printf("%s: %s%s%s%s%s", name, exe ? exe : "not installed", version ? " (" : "",
           version ? version : "", version ? ")" : "", last ? "\n" : "; ");
}

bool bu_damon_reclaims(void)
{
    for (int k = 0; k < 8; k++) {
        char *base = bu_xasprintf("/sys/kernel/mm/damon/admin/kdamonds/%d", k);
        char *state = bu_xasprintf("%s/state", base);
        char buf[32] = "";
        FILE *f = fopen(state, "r");
        bool on = f && fgets(buf, sizeof buf, f) && strncmp(buf, "on", 2) == 0;
        if (f)
            fclose(f);
        bool pageout = false;
        for (int c = 0; on && !pageout && c < 4; c++) {
            for (int s = 0; !pageout && s < 8; s++) {
                char *act = bu_xasprintf("%s/contexts/%d/schemes/%d/action", base, c, s);
                FILE *a = fopen(act, "r");
                pageout = a && fgets(buf, sizeof buf, a) && strncmp(buf, "pageout", 7) == 0;
                if (a)
                    fclose(a);
                free(act);
            }
        }
        free(state);
        free(base);
        if (pageout)
            return true;
    }
    return false;
}

char *bu_size_name(uint64_t n)
{
    static const char *unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    uint64_t v = n;
    while (u < 4 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    return bu_xasprintf("%" PRIu64 " %s", v, unit[u]);
}

char *bu_huge_name(uint64_t want, uint64_t size)
{
    char *full = bu_size_name(want);
    if (size == want)
        return full;
    char *less = bu_size_name(want - size);
    char *s = bu_xasprintf("%s - %s", full, less);
    free(less);
    free(full);
    return s;
}

/* ---- files -------------------------------------------------------------- */

void bu_pwrite_all(int fd, const uint8_t *buf, size_t n, uint64_t off, const char *path)
{
    while (n) {
        ssize_t w = pwrite(fd, buf, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            bu_die("write %s: %s", path, strerror(errno));
        buf += w;
        off += (uint64_t)w;
        n -= (size_t)w;
    }
}

uint64_t bu_make_sparse_file(const char *path, uint64_t want)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    uint64_t size = want;
    if (ftruncate(fd, (off_t)size) < 0) {
        if (errno != EFBIG)
            bu_die("ftruncate %s to %" PRIu64 ": %s", path, size, strerror(errno));
        size = want - (uint64_t)sysconf(_SC_PAGESIZE);
        if (ftruncate(fd, (off_t)size) < 0)
            bu_die("ftruncate %s to %" PRIu64 ": %s", path, size, strerror(errno));
    }
    if (close(fd) < 0)
        bu_die("close %s: %s", path, strerror(errno));
    return size;
}

static volatile uint8_t sink; /* keeps the page touches from being optimized out */

void bu_populate(void *p, uint64_t size)
{
    bool done = false;
#if HAVE_DECL_MADV_POPULATE_READ
    done = madvise(p, (size_t)size, MADV_POPULATE_READ) == 0;
#endif
    const volatile uint8_t *b = p;
    uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
    for (uint64_t off = 0; !done && off < size; off += pg)
        sink ^= b[off];
}

void bu_pin_start(BuPinner *pn, bool (*pin)(void *ctx), void *ctx, const char *what)
{
    int ctl[2], ready[2];
    if (pipe2(ctl, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
        bu_die("pipe2: %s", strerror(errno));
    pid_t pid = bu_fork();
    if (pid == 0) {
        close(ctl[1]);
        close(ready[0]);
        if (!pin(ctx))
            _exit(1);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        for (;;) { /* until the parent closes its end */
            ssize_t r = read(ctl[0], &c, 1);
            if (r < 0 && errno == EINTR)
                continue;
            break;
        }
        _exit(0);
    }
    close(ctl[0]);
    close(ready[1]);
    char c;
    ssize_t n;
    while ((n = read(ready[0], &c, 1)) < 0 && errno == EINTR)
        ;
    close(ready[0]);
    if (n != 1)
        bu_die("the pinner process could not map %s", what);
    pn->pid = pid;
    pn->ctl = ctl[1];
}

void bu_pin_stop(BuPinner *pn)
{
    close(pn->ctl);
    bu_wait_child(pn->pid, "the pinner process");
}

/* The file position of the descriptor of pid that names path (0: none). */
static uint64_t fd_pos(pid_t pid, const char *path)
{
    char dname[64], link[4096], rpath[4096];
    if (!realpath(path, rpath))
        return 0;
    snprintf(dname, sizeof dname, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dname);
    if (!d)
        return 0;
    uint64_t pos = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *f = bu_xasprintf("%s/%s", dname, e->d_name);
        ssize_t n = readlink(f, link, sizeof link - 1);
        free(f);
        if (n <= 0)
            continue;
        link[n] = 0;
        if (strcmp(link, rpath))
            continue;
        char *info = bu_xasprintf("/proc/%d/fdinfo/%s", (int)pid, e->d_name);
        FILE *fi = fopen(info, "r");
        free(info);
        if (fi) {
            char line[128];
            while (fgets(line, sizeof line, fi))
                if (sscanf(line, "pos: %" SCNu64, &pos) == 1)
                    break;
            fclose(fi);
        }
        break;
    }
    closedir(d);
    return pos;
}

void bu_run_timed(const BuCmd *c, uint64_t limit_ns, const char *path, const char *dir, BuTimed *t)
{
    memset(t, 0, sizeof *t);
    char *outp = bu_xasprintf("%s/out.txt", dir);
    int out = open(outp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0)
        bu_die("create %s: %s", outp, strerror(errno));
    unlink(outp);
    free(outp);
    posix_spawn_file_actions_t fa;
    bu_spawn_actions(&fa, BU_DEVNULL, out, out);
    pid_t pid;
    uint64_t t0 = bu_now_ns();
    int e = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e)
        bu_die("spawn %s: %s", c->argv[0], strerror(e));
    int status = 0;
    struct rusage ru;
    for (;;) {
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            bu_die("wait4: %s", strerror(errno));
        if (bu_now_ns() - t0 >= limit_ns) {
            t->pos = fd_pos(pid, path);
            kill(pid, SIGKILL);
            while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
                ;
            t->stopped = true;
            break;
        }
        bu_sleep_ns(200000);
    }
    t->wall_ns = bu_now_ns() - t0;
    t->cpu_ns =
        (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + (uint64_t)ru.ru_utime.tv_usec * 1000ull +
        (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000ull;
    t->status = status;
    t->done = !t->stopped && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    ssize_t n = pread(out, t->out, sizeof t->out - 1, 0);
    t->out[n > 0 ? n : 0] = 0;
    char buf[65536];
    off_t at = 0;
    while ((n = pread(out, buf, sizeof buf, at)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            t->lines += buf[i] == '\n';
        at += n;
    }
    close(out);
}

bool bu_args(int argc, char **argv, const char *const parts[2], void (*usage)(FILE *), BuArgs *a,
             int *status)
{
    a->part = "all";
    for (int i = 1; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--mmhex") && i + 1 < argc) {
            a->mmhex = argv[++i];
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > 16)
                bu_die("bad --runs '%s' (1 to 16)", argv[i]);
            a->runs = (unsigned)v;
        } else if (!strcmp(argv[i], "--part") && i + 1 < argc) {
            a->part = argv[++i];
            if (strcmp(a->part, parts[0]) && strcmp(a->part, parts[1]))
                bu_die("bad --part '%s' (%s or %s)", a->part, parts[0], parts[1]);
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            a->timeout = strtoul(argv[++i], &end, 10);
            if (*end || a->timeout == 0)
                bu_die("bad --timeout '%s' (seconds)", argv[i]);
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            *status = 0;
            return false;
        } else if (argv[i][0] != '-' && !a->dir) {
            a->dir = argv[i];
        } else {
            usage(stderr);
            *status = 2;
            return false;
        }
    }
    if (!a->dir) {
        usage(stderr);
        *status = 2;
        return false;
    }
    return true;
}

uint64_t bu_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void bu_fill_random(uint8_t *buf, size_t n, uint64_t *state)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = bu_splitmix64(state);
        memcpy(buf + i, &v, 8);
    }
}

void bu_make_data_file(const char *path, uint64_t size, const uint64_t *offs, size_t n,
                       uint64_t len, void (*fill)(uint8_t *buf, size_t n, uint64_t *state),
                       uint64_t seed)
{
    const size_t chunk = (size_t)8 << 20;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        bu_die("create %s: %s", path, strerror(errno));
    bu_remember_file(path);
    if (ftruncate(fd, (off_t)size) < 0)
        bu_die("ftruncate %s: %s", path, strerror(errno));
    uint8_t *buf = bu_xmalloc(chunk);
    uint64_t state = seed;
    for (size_t e = 0; e < n; e++)
        for (uint64_t k = 0; k < len; k += chunk) {
            size_t m = len - k < chunk ? (size_t)(len - k) : chunk;
            fill(buf, chunk, &state);
            bu_pwrite_all(fd, buf, m, offs[e] + k, path);
        }
    if (fsync(fd) < 0)
        bu_die("fsync %s: %s", path, strerror(errno));
    close(fd);
    free(buf);
}
