/* bench_cycle: what a placement cycle costs on a gensysroot tree.
 *
 * Usage: bench_cycle DIR NPROCS NBUSY [ROWFILE [SAMPLER_ROWFILE]]
 * BENCH_VERBOSE=1 in the environment prints the warm-up cycle's report.
 *
 * (a) baseline: the bare reads of the files a cycle reads (stat of every
 *     process; status, cgroup, exe, task/TID/stat of the busy ones;
 *     numa_maps of the candidates.max_per_cycle biggest busy ones; the
 *     node, vmstat and uptime files), plain openat/read/close, CPU time;
 * (b) the cycle: np_engine_cycle on the tree with the default config and
 *     the recording actuator, one warm-up then K measured cycles;
 * (c) np_numa_maps_parse throughput over every numa_maps of the tree held
 *     in memory, next to a memchr line count over the same bytes;
 * (d) the thread sampler: np_engine_sample_threads, as the daemon calls it
 *     between cycles, after the last measured cycle (so it follows that
 *     cycle's scored processes), CPU time per pass and per sampled thread,
 *     taken in turn with bare openat/read/close passes over the same
 *     task/TID/stat files (task dirs listed as the sampler lists them).
 *     How many threads a pass read is counted, not assumed: one pass runs
 *     under inotify watches on every task/TID dir of those processes.
 *
 * The tree is static, so between cycles the busy processes' utime and
 * proc/uptime are advanced by one interval at their CPU rate, the way a
 * real machine moves on; otherwise every cycle after the first would see
 * no CPU use at all and skip the detail pass. The files are put back at
 * the end.
 *
 * Timings are reported, never judged. Exit status is 1 when something
 * failed to run or the cycle saw a different tree than was generated
 * (nscanned != NPROCS, nbusy != NBUSY, a numa_maps that does not parse,
 * a sampler pass that read nothing or other threads than the tree has). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "act.h"
#include "config.h"
#include "engine.h"
#include "fsroot.h"
#include "numamaps.h"
#include "parse.h"
#include "sample.h"
#include "topology.h"

#define K_CYCLES         5
#define K_BASELINE       11
#define PARSE_MIN_SEC    0.3     /* repeat parse passes at least this long */
#define PARSE_MIN_PASSES 3
#define PARSE_MAX_PASSES 500
#define SAMPLE_MIN_SEC   0.2     /* repeat sampler passes at least this long */
#define SAMPLE_MIN_PASSES 11
#define SAMPLE_MAX_PASSES 1001
#define MANIFEST_MAX     (64u << 20)
#define STAT_MAX         4096

struct busy_proc {
    int pid;
    double cpu_use;
    uint64_t mem_kb;
    char *stat_orig;            /* proc/PID/stat as generated */
    size_t stat_len;
};

struct manifest {
    size_t nprocs, busy_count;
    size_t nbusy;
    struct busy_proc *busy;
    size_t nall;
    int *pids;                  /* every process, in manifest order */
    uint64_t *mem_kb;           /* what its numa_maps adds up to */
};

static int failures;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_cycle: FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- manifest ---- */

static int parse_int_token(char **save, long min, long max, long *ret)
{
    char *tok = strtok_r(NULL, " \n", save);
    return tok ? np_parse_long_range(tok, min, max, ret) : -EINVAL;
}

static int load_manifest(const struct np_root *root, struct manifest *m)
{
    char *text;
    size_t len;
    int r = np_read_file_alloc(root, "bench-manifest.txt", MANIFEST_MAX, &text, &len);
    if (r < 0)
        return r;
    memset(m, 0, sizeof(*m));
    size_t cap_busy = 0, cap_all = 0;
    char *line_save = NULL;
    for (char *line = strtok_r(text, "\n", &line_save); line;
         line = strtok_r(NULL, "\n", &line_save)) {
        char *save = NULL;
        char *key = strtok_r(line, " ", &save);
        long v, pid;
        if (!key || key[0] == '#')
            continue;
        if (strcmp(key, "nprocs") == 0 || strcmp(key, "busy_count") == 0) {
            if (parse_int_token(&save, 0, LONG_MAX, &v) < 0)
                goto bad;
            *(strcmp(key, "nprocs") == 0 ? &m->nprocs : &m->busy_count) = (size_t)v;
        } else if (strcmp(key, "busy") == 0) {
            char *use_tok, *kb_tok;
            double use;
            uint64_t kb;
            if (parse_int_token(&save, 1, INT_MAX, &pid) < 0 ||
                !(use_tok = strtok_r(NULL, " ", &save)) ||
                np_parse_double_range(use_tok, 0, 1024, &use) < 0 ||
                !(kb_tok = strtok_r(NULL, " ", &save)) || np_parse_u64(kb_tok, &kb) < 0)
                goto bad;
            if (m->nbusy == cap_busy) {
                cap_busy = cap_busy ? cap_busy * 2 : 64;
                struct busy_proc *nb = realloc(m->busy, cap_busy * sizeof(*nb));
                if (!nb)
                    goto nomem;
                m->busy = nb;
            }
            m->busy[m->nbusy++] = (struct busy_proc){ .pid = (int)pid, .cpu_use = use, .mem_kb = kb };
        } else if (strcmp(key, "proc") == 0) {
            char *kb_tok;
            uint64_t kb;
            if (parse_int_token(&save, 1, INT_MAX, &pid) < 0 ||
                !(kb_tok = strtok_r(NULL, " ", &save)) || np_parse_u64(kb_tok, &kb) < 0)
                goto bad;
            if (m->nall == cap_all) {
                cap_all = cap_all ? cap_all * 2 : 1024;
                int *np = realloc(m->pids, cap_all * sizeof(*np));
                if (np)
                    m->pids = np;
                uint64_t *nk = realloc(m->mem_kb, cap_all * sizeof(*nk));
                if (nk)
                    m->mem_kb = nk;
                if (!np || !nk)
                    goto nomem;
            }
            m->pids[m->nall] = (int)pid;
            m->mem_kb[m->nall++] = kb;
        }
    }
    free(text);
    return 0;
bad:
    free(text);
    return -EINVAL;
nomem:
    free(text);
    return -ENOMEM;
}

/* ---- (a) baseline: bare reads ---- */

struct bare {
    int dirfd;
    char *buf;
    size_t bufsz;
    uint64_t bytes, files;
};

static int bare_read(struct bare *b, const char *rel)
{
    int fd = openat(b->dirfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    while ((n = read(fd, b->buf, b->bufsz)) > 0)
        b->bytes += (uint64_t)n;
    close(fd);
    b->files++;
    return n < 0 ? -errno : 0;
}

/* Numeric entries of directory REL, each passed to FN. */
static int bare_list(struct bare *b, const char *rel, void (*fn)(struct bare *, int, void *),
                     void *ctx)
{
    int fd = openat(b->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -errno;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        long id;
        if (np_parse_long_range(de->d_name, 1, INT_MAX, &id) == 0)
            fn(b, (int)id, ctx);
    }
    closedir(d);
    return 0;
}

static void bare_proc_stat(struct bare *b, int pid, void *ctx)
{
    char rel[64];
    snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
    if (bare_read(b, rel) < 0)
        ++*(unsigned *)ctx;
}

static void bare_task_stat(struct bare *b, int tid, void *ctx)
{
    char rel[96];
    snprintf(rel, sizeof(rel), "proc/%d/task/%d/stat", *(int *)ctx, tid);
    (void)bare_read(b, rel);
}

/* One pass; NMAPS_PIDS are the processes whose numa_maps a cycle reads. */
static int baseline_pass(struct bare *b, const struct manifest *m, unsigned nnodes,
                         const int *maps_pids, size_t nmaps)
{
    char rel[128], link[512];
    unsigned errors = 0;
    static const char *const sysfiles[] = {
        "sys/devices/system/cpu/online", "sys/devices/system/node/online",
        "proc/vmstat", "proc/sys/kernel/numa_balancing", "proc/uptime",
    };
    for (size_t i = 0; i < sizeof(sysfiles) / sizeof(sysfiles[0]); i++)
        if (bare_read(b, sysfiles[i]) < 0)
            errors++;
    for (unsigned n = 0; n < nnodes; n++) {
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%u/meminfo", n);
        errors += bare_read(b, rel) < 0;
        snprintf(rel, sizeof(rel),
                 "sys/devices/system/node/node%u/hugepages/hugepages-2048kB/nr_hugepages", n);
        errors += bare_read(b, rel) < 0;
        snprintf(rel, sizeof(rel),
                 "sys/devices/system/node/node%u/hugepages/hugepages-2048kB/free_hugepages", n);
        errors += bare_read(b, rel) < 0;
    }
    if (bare_list(b, "proc", bare_proc_stat, &errors) < 0)
        errors++;
    for (size_t i = 0; i < m->nbusy; i++) {
        int pid = m->busy[i].pid;
        snprintf(rel, sizeof(rel), "proc/%d/status", pid);
        errors += bare_read(b, rel) < 0;
        snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
        errors += bare_read(b, rel) < 0;
        snprintf(rel, sizeof(rel), "proc/%d/exe", pid);
        errors += readlinkat(b->dirfd, rel, link, sizeof(link)) < 0;
        snprintf(rel, sizeof(rel), "proc/%d/task", pid);
        errors += bare_list(b, rel, bare_task_stat, &pid) < 0;
    }
    for (size_t i = 0; i < nmaps; i++) {
        snprintf(rel, sizeof(rel), "proc/%d/numa_maps", maps_pids[i]);
        errors += bare_read(b, rel) < 0;
    }
    return errors ? -EIO : 0;
}

/* The engine reads numa_maps of the biggest busy ones first (CPU x memory,
 * then pid); the same ones here. */
static int cmp_rank(const void *a, const void *b)
{
    const struct busy_proc *x = a, *y = b;
    double kx = x->cpu_use * (double)x->mem_kb, ky = y->cpu_use * (double)y->mem_kb;
    if (kx != ky)
        return kx > ky ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* ---- moving the tree forward between cycles ---- */

static int write_rel(const struct np_root *root, const char *rel, const char *data, size_t len)
{
    int fd = openat(root->dirfd, rel, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, data, len);
    int r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    return r;
}

/* STAT with utime (field 14) raised by ADD ticks, into OUT. */
static int stat_add_utime(const char *stat, uint64_t add, char *out, size_t outsz)
{
    const char *close = strrchr(stat, ')');
    if (!close || close[1] != ' ')
        return -EINVAL;
    /* Fields 3.. follow ") ": utime is the 12th of them. */
    const char *p = close + 2;
    for (int field = 3; field < 14; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -EINVAL;
        p++;
    }
    const char *q = p;
    uint64_t utime;
    if (np_scan_u64(&q, &utime) < 0 || *q != ' ')
        return -EINVAL;
    int n = snprintf(out, outsz, "%.*s%llu%s", (int)(p - stat), stat,
                     (unsigned long long)(utime + add), q);
    return n < 0 || (size_t)n >= outsz ? -E2BIG : n;
}

static int advance_tree(const struct np_root *root, struct manifest *m, const char *uptime_orig,
                        double dt_total, long hz)
{
    char rel[64], text[STAT_MAX + 32];
    double up;
    char first[64];
    size_t len = strcspn(uptime_orig, " ");
    if (len >= sizeof(first))
        return -EINVAL;
    memcpy(first, uptime_orig, len);
    first[len] = '\0';
    if (np_parse_double_range(first, 0, 1e12, &up) < 0)
        return -EINVAL;
    int n = snprintf(text, sizeof(text), "%.2f%s", up + dt_total, uptime_orig + len);
    int r = write_rel(root, "proc/uptime", text, (size_t)n);
    if (r < 0)
        return r;
    for (size_t i = 0; i < m->nbusy; i++) {
        struct busy_proc *b = &m->busy[i];
        uint64_t add = (uint64_t)llround(b->cpu_use * dt_total * (double)hz);
        n = stat_add_utime(b->stat_orig, add, text, sizeof(text));
        if (n < 0)
            return n;
        snprintf(rel, sizeof(rel), "proc/%d/stat", b->pid);
        if ((r = write_rel(root, rel, text, (size_t)n)) < 0)
            return r;
    }
    return 0;
}

static void restore_tree(const struct np_root *root, struct manifest *m, const char *uptime_orig)
{
    char rel[64];
    if (uptime_orig && write_rel(root, "proc/uptime", uptime_orig, strlen(uptime_orig)) < 0)
        fail("could not restore proc/uptime");
    for (size_t i = 0; i < m->nbusy; i++) {
        if (!m->busy[i].stat_orig)
            continue;
        snprintf(rel, sizeof(rel), "proc/%d/stat", m->busy[i].pid);
        if (write_rel(root, rel, m->busy[i].stat_orig, m->busy[i].stat_len) < 0)
            fail("could not restore %s", rel);
    }
}

/* ---- (d) the thread sampler ---- */

/* The processes the last measured cycle scored: the sampler follows those. */
struct sampled {
    size_t npids;
    int *pids;
    double at;                  /* engine time of that cycle */
};

struct sampler_result {
    size_t nprocs, nthreads;    /* per pass: the sampler's count; task/TID/stat opens seen */
    size_t passes;
    double sampler_ms, bare_ms; /* CPU per pass, medians */
};

static int scored_pids(const struct np_cycle_report *rep, double at, struct sampled *ret)
{
    int *pids = calloc(rep->nviews ? rep->nviews : 1, sizeof(*pids));
    if (!pids)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < rep->nviews; i++)
        if (rep->views[i].scored)
            pids[n++] = rep->views[i].pid;
    free(ret->pids);
    *ret = (struct sampled){ .npids = n, .pids = pids, .at = at };
    return 0;
}

static const struct busy_proc *find_busy(const struct manifest *m, int pid)
{
    for (size_t i = 0; i < m->nbusy; i++)
        if (m->busy[i].pid == pid)
            return &m->busy[i];
    return NULL;
}

/* Threads a sampler pass over S must read, as generated: each process's
 * num_threads (stat field 20), at most MAX_THREADS of them. -EINVAL when
 * S names a process the generator did not make busy. */
static int implied_threads(const struct manifest *m, const struct sampled *s, size_t max_threads,
                           size_t *ret)
{
    size_t total = 0;
    for (size_t i = 0; i < s->npids; i++) {
        const struct busy_proc *b = find_busy(m, s->pids[i]);
        struct np_proc p;
        if (!b || np_parse_stat(b->stat_orig, b->stat_len, 1, &p) < 0 || p.num_threads < 0)
            return -EINVAL;
        total += (size_t)p.num_threads < max_threads ? (size_t)p.num_threads : max_threads;
    }
    *ret = total;
    return 0;
}

struct bare_task {
    int pid;
    size_t left;                /* threads still to read (sampling.max_threads) */
    unsigned errors;
};

static void bare_task_stat_capped(struct bare *b, int tid, void *ctx)
{
    struct bare_task *t = ctx;
    char rel[96];
    if (t->left == 0)
        return;
    t->left--;
    snprintf(rel, sizeof(rel), "proc/%d/task/%d/stat", t->pid, tid);
    t->errors += bare_read(b, rel) < 0;
}

/* The task/TID/stat files of S's processes, listed and read bare. */
static int bare_sampler_pass(struct bare *b, const struct sampled *s, size_t max_threads)
{
    char rel[64];
    unsigned errors = 0;
    for (size_t i = 0; i < s->npids; i++) {
        struct bare_task t = { .pid = s->pids[i], .left = max_threads };
        snprintf(rel, sizeof(rel), "proc/%d/task", s->pids[i]);
        errors += bare_list(b, rel, bare_task_stat_capped, &t) < 0;
        errors += t.errors;
    }
    return errors ? -EIO : 0;
}

/* Watches every proc/PID/task/TID dir of S's processes for opens. */
static int watch_task_dirs(int ifd, const struct np_root *root, const struct sampled *s)
{
    char rel[64], path[PATH_MAX];
    for (size_t i = 0; i < s->npids; i++) {
        DIR *d;
        snprintf(rel, sizeof(rel), "proc/%d/task", s->pids[i]);
        int r = np_open_dir(root, rel, &d);
        if (r < 0)
            return r;
        for (struct dirent *de; (de = readdir(d));) {
            if (de->d_name[0] < '1' || de->d_name[0] > '9')
                continue;
            /* The root is an O_PATH fd: its magic link names the tree. */
            int len = snprintf(path, sizeof(path), "/proc/self/fd/%d/%s/%s", root->dirfd, rel,
                               de->d_name);
            if (len < 0 || (size_t)len >= sizeof(path)) {
                r = -ENAMETOOLONG;
                break;
            }
            if (inotify_add_watch(ifd, path, IN_OPEN | IN_ONLYDIR) < 0) {
                r = -errno;
                break;
            }
        }
        closedir(d);
        if (r < 0)
            return r;
    }
    return 0;
}

/* How many opens of a file named "stat" IFD has queued. */
static int count_stat_opens(int ifd, size_t *ret)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    size_t n = 0;
    for (;;) {
        ssize_t len = read(ifd, buf, sizeof(buf));
        if (len < 0 && errno == EAGAIN)
            break;
        if (len <= 0)
            return len < 0 ? -errno : -EIO;
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->mask & IN_Q_OVERFLOW)
                return -EOVERFLOW;
            n += (ev->mask & IN_OPEN) && ev->len > 0 && strcmp(ev->name, "stat") == 0;
            p += sizeof(*ev) + ev->len;
        }
    }
    *ret = n;
    return 0;
}

/* One sampler pass at NOW, untimed, with its task/TID/stat opens counted:
 * what it really read, not what it should have. */
static int observed_pass(struct np_engine *e, const struct np_root *root, const struct sampled *s,
                         double now, size_t *ret_procs, size_t *ret_threads)
{
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0)
        return -errno;
    size_t threads = 0;
    int n = -1;
    int r = watch_task_dirs(ifd, root, s);
    if (r == 0) {
        n = np_engine_sample_threads(e, now);
        r = n < 0 ? n : count_stat_opens(ifd, &threads);
    }
    close(ifd);
    if (r < 0)
        return r;
    *ret_procs = (size_t)n;
    *ret_threads = threads;
    return 0;
}

/* CPU ms of one sampler pass at NOW; -EIO unless it sampled NPROCS processes. */
static int timed_sampler_pass(struct np_engine *e, double now, size_t nprocs, double *ret_ms)
{
    double c0 = cpu_now();
    int n = np_engine_sample_threads(e, now);
    double ms = (cpu_now() - c0) * 1000.0;
    if (n < 0)
        return n;
    if ((size_t)n != nprocs) {
        fail("sampler: a pass sampled %d processes, the first %zu", n, nprocs);
        return -EIO;
    }
    *ret_ms = ms;
    return 0;
}

static int timed_bare_pass(struct bare *b, const struct sampled *s, size_t max_threads,
                           double *ret_ms)
{
    double c0 = cpu_now();
    int r = bare_sampler_pass(b, s, max_threads);
    double ms = (cpu_now() - c0) * 1000.0;
    if (r < 0)
        return r;
    *ret_ms = ms;
    return 0;
}

/* Sampler and bare passes in turn (which goes first alternates), at least
 * SAMPLE_MIN_PASSES of each and SAMPLE_MIN_SEC in all; sampler passes at
 * NOW, NOW + STEP, ... as the daemon's timer would run them. */
static int time_passes(struct np_engine *e, struct bare *b, const struct sampled *s,
                       size_t max_threads, double now, double step, size_t nprocs,
                       struct sampler_result *res)
{
    double samp_ms[SAMPLE_MAX_PASSES], bare_ms[SAMPLE_MAX_PASSES];
    size_t k = 0;
    for (double spent = 0; k < SAMPLE_MAX_PASSES &&
                           (k < SAMPLE_MIN_PASSES || spent < SAMPLE_MIN_SEC); k++) {
        double when = now + (double)k * step;
        int r = k % 2 ? timed_bare_pass(b, s, max_threads, &bare_ms[k]) : 0;
        if (r == 0)
            r = timed_sampler_pass(e, when, nprocs, &samp_ms[k]);
        if (r == 0 && k % 2 == 0)
            r = timed_bare_pass(b, s, max_threads, &bare_ms[k]);
        if (r < 0)
            return r;
        spent += (samp_ms[k] + bare_ms[k]) / 1000.0;
    }
    res->passes = k;
    res->sampler_ms = median(samp_ms, k);
    res->bare_ms = median(bare_ms, k);
    return 0;
}

/* np_engine_sample_threads after the cycles, next to bare reads of the
 * same task/TID/stat files. Fails loudly when a pass samples nothing or
 * other threads than the tree implies. */
static int bench_sampler(struct np_engine *e, const struct np_root *root,
                         const struct np_config *cfg, const struct manifest *m, struct bare *b,
                         const struct sampled *s, struct sampler_result *ret)
{
    size_t cap = cfg->sampling.max_threads, implied = 0, nprocs = 0, nthreads = 0;
    double step = cfg->sampling.thread_interval > 0 ? cfg->sampling.thread_interval : 1.0;
    int r = implied_threads(m, s, cap, &implied);
    if (r < 0) {
        fail("sampler: the last cycle scored a process the tree does not have as busy");
        return r;
    }
    r = observed_pass(e, root, s, s->at + step, &nprocs, &nthreads);
    if (r < 0) {
        fail("sampler: counting one pass's reads: %s", strerror(-r));
        return r;
    }
    printf("sampler: %zu processes, %zu task/TID/stat read per pass; the tree implies %zu "
           "processes (scored by the last cycle), %zu threads\n", nprocs, nthreads, s->npids,
           implied);
    if (nprocs == 0 || nthreads == 0) {
        fail("sampler: a pass sampled %zu processes, %zu threads: it would measure nothing",
             nprocs, nthreads);
        return -ENODATA;
    }
    if (nprocs != s->npids || nthreads != implied) {
        fail("sampler: sampled %zu processes and %zu threads, the tree implies %zu and %zu",
             nprocs, nthreads, s->npids, implied);
        return -EIO;
    }
    b->files = 0;
    r = bare_sampler_pass(b, s, cap);           /* warm-up, and the same files? */
    if (r < 0 || b->files != implied) {
        fail("sampler: the bare pass read %llu task/TID/stat, %zu expected",
             (unsigned long long)b->files, implied);
        return r < 0 ? r : -EIO;
    }
    r = time_passes(e, b, s, cap, s->at + 2 * step, step, nprocs, ret);
    if (r < 0) {
        fail("sampler: timed passes: %s", strerror(-r));
        return r;
    }
    ret->nprocs = nprocs;
    ret->nthreads = nthreads;
    return 0;
}

static void append_row(const char *path, const char *row)
{
    FILE *f = fopen(path, "ae");
    if (!f) {
        fail("%s: cannot append the result row", path);
        return;
    }
    bool ok = fputs(row, f) >= 0;
    if (fclose(f) != 0 || !ok)
        fail("%s: cannot append the result row", path);
}

/* ---- (c) numa_maps texts ---- */

struct text {
    char *p;
    size_t len;
};

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: bench_cycle DIR NPROCS NBUSY [ROWFILE [SAMPLER_ROWFILE]]\n");
        return 2;
    }
    long want_procs, want_busy;
    if (np_parse_long_range(argv[2], 1, INT_MAX, &want_procs) < 0 ||
        np_parse_long_range(argv[3], 0, INT_MAX, &want_busy) < 0) {
        fprintf(stderr, "bench_cycle: NPROCS and NBUSY must be numbers\n");
        return 2;
    }
    struct np_root root;
    int r = np_root_open(argv[1], &root);
    if (r < 0) {
        fprintf(stderr, "bench_cycle: %s: %s\n", argv[1], strerror(-r));
        return 1;
    }
    if (root.is_live) {
        fprintf(stderr, "bench_cycle: refusing to run on the live root\n");
        return 1;
    }
    struct manifest m;
    r = load_manifest(&root, &m);
    if (r < 0) {
        fprintf(stderr, "bench_cycle: %s/bench-manifest.txt: %s\n", argv[1], strerror(-r));
        return 1;
    }
    if (m.nprocs != (size_t)want_procs || m.busy_count != (size_t)want_busy ||
        m.nbusy != m.busy_count || m.nall != m.nprocs) {
        fprintf(stderr, "bench_cycle: the manifest (%zu processes, %zu busy) does not match "
                "the arguments (%ld, %ld): regenerate the tree\n",
                m.nprocs, m.busy_count, want_procs, want_busy);
        return 1;
    }
    long hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;

    struct np_config cfg;
    np_config_defaults(&cfg);
    struct np_topology *topo;
    r = np_topology_read(&root, &topo);
    if (r < 0) {
        fprintf(stderr, "bench_cycle: topology: %s\n", strerror(-r));
        return 1;
    }
    unsigned nnodes = topo->nnodes, ncpus = topo->ncpus_online;
    np_topology_free(topo);

    /* Save what advance_tree() changes, before anything else. */
    static char uptime_orig[256];
    if (np_read_file(&root, "proc/uptime", uptime_orig, sizeof(uptime_orig)) < 0) {
        fprintf(stderr, "bench_cycle: proc/uptime unreadable\n");
        return 1;
    }
    for (size_t i = 0; i < m.nbusy; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "proc/%d/stat", m.busy[i].pid);
        r = np_read_file_alloc(&root, rel, STAT_MAX, &m.busy[i].stat_orig, &m.busy[i].stat_len);
        if (r < 0) {
            fprintf(stderr, "bench_cycle: %s: %s\n", rel, strerror(-r));
            return 1;
        }
    }

    /* (a) baseline */
    qsort(m.busy, m.nbusy, sizeof(*m.busy), cmp_rank);
    size_t nmaps = m.nbusy < cfg.candidates.max_per_cycle ? m.nbusy : cfg.candidates.max_per_cycle;
    int *maps_pids = calloc(nmaps ? nmaps : 1, sizeof(*maps_pids));
    struct bare bare = { .dirfd = root.dirfd, .bufsz = 1u << 16 };
    bare.buf = malloc(bare.bufsz);
    if (!maps_pids || !bare.buf) {
        fprintf(stderr, "bench_cycle: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < nmaps; i++)
        maps_pids[i] = m.busy[i].pid;
    double base_ms[K_BASELINE];
    for (int k = -1; k < K_BASELINE; k++) {     /* k = -1: warm-up */
        bare.bytes = bare.files = 0;
        double c0 = cpu_now();
        r = baseline_pass(&bare, &m, nnodes, maps_pids, nmaps);
        double ms = (cpu_now() - c0) * 1000.0;
        if (r < 0) {
            fail("baseline: some files of the tree could not be read");
            return 1;
        }
        if (k >= 0)
            base_ms[k] = ms;
    }
    double baseline = median(base_ms, K_BASELINE);
    printf("baseline: %llu files, %.1f MiB per pass, CPU ms per pass median %.2f\n",
           (unsigned long long)bare.files, (double)bare.bytes / (1024.0 * 1024.0), baseline);

    /* (b) the cycle */
    struct np_actuator act = { 0 };
    struct np_engine *e = NULL;
    double cycle_ms[K_CYCLES], report_ms[K_CYCLES], wall_ms[K_CYCLES];
    double first_ms = 0;
    struct sampled sampled = { 0 };
    struct sampler_result sres = { 0 };
    r = np_actuator_recording_new(ncpus, &act);
    if (r < 0) {
        fail("np_actuator_recording_new: %s", strerror(-r));
        goto report;
    }
    r = np_engine_new(&root, &act, &cfg, false, 0 /* we are not in a fake tree */, &e);
    if (r < 0) {
        fail("np_engine_new: %s", strerror(-r));
        goto report;
    }
    double now = 1000.0;
    for (int k = -1; k < K_CYCLES; k++) {
        if (k >= 0) {
            now += cfg.interval;
            r = advance_tree(&root, &m, uptime_orig, now - 1000.0, hz);
            if (r < 0) {
                fail("could not advance the tree: %s", strerror(-r));
                break;
            }
        }
        struct np_cycle_report rep;
        double c0 = cpu_now(), w0 = mono_now();
        r = np_engine_cycle(e, now, &rep);
        double ms = (cpu_now() - c0) * 1000.0, wms = (mono_now() - w0) * 1000.0;
        if (r < 0) {
            fail("np_engine_cycle: %s", strerror(-r));
            break;
        }
        char label[16];
        snprintf(label, sizeof(label), k < 0 ? "warm-up" : "%d", k + 1);
        printf("cycle %s: CPU %.2f ms (report %.2f), wall %.2f ms; scanned %zu, busy %zu, "
               "scored %zu, actions %zu%s\n", label, ms, rep.cpu_ms, wms, rep.nscanned, rep.nbusy, rep.ncandidates, rep.nactions,
               rep.truncated ? ", truncated" : "");
        if (rep.nscanned != m.nprocs)
            fail("cycle scanned %zu processes, the tree has %zu", rep.nscanned, m.nprocs);
        if (rep.nbusy != m.busy_count)
            fail("cycle found %zu busy processes, the tree has %zu", rep.nbusy, m.busy_count);
        if (rep.ncandidates != nmaps)
            printf("note: %zu scored, %zu expected (busy ones up to candidates.max_per_cycle)\n",
                   rep.ncandidates, nmaps);
        if (k == K_CYCLES - 1 && scored_pids(&rep, now, &sampled) < 0)
            fail("out of memory");
        if (k < 0 && getenv("BENCH_VERBOSE"))
            np_cycle_report_print(stdout, e, &rep, false);
        if (k < 0) {
            first_ms = ms;
        } else {
            cycle_ms[k] = ms;
            report_ms[k] = rep.cpu_ms;
            wall_ms[k] = wms;
        }
        np_cycle_report_clear(&rep);
    }
report:;
    bool cycles_ok = failures == 0;
    double cycle = cycles_ok ? median(cycle_ms, K_CYCLES) : NAN;
    if (cycles_ok)
        printf("cycle: CPU ms median %.2f (first cycle %.2f, report's own %.2f, wall %.2f)\n",
               cycle, first_ms, median(report_ms, K_CYCLES), median(wall_ms, K_CYCLES));
    /* (d) before the tree is put back: the sampler reads what the last cycle read. */
    bool sampler_ok = cycles_ok &&
                      bench_sampler(e, &root, &cfg, &m, &bare, &sampled, &sres) == 0;
    if (sampler_ok)
        printf("sampler: CPU ms per pass median %.3f, bare %.3f (%zu passes each)\n",
               sres.sampler_ms, sres.bare_ms, sres.passes);
    restore_tree(&root, &m, uptime_orig);
    if (e)
        np_engine_free(e);
    if (act.ops)
        np_actuator_free(&act);

    /* (c) numa_maps parse vs line count over the same bytes */
    struct text *texts = calloc(m.nall, sizeof(*texts));
    uint64_t total_bytes = 0;
    if (!texts) {
        fprintf(stderr, "bench_cycle: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < m.nall; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "proc/%d/numa_maps", m.pids[i]);
        r = np_read_file_alloc(&root, rel, (size_t)cfg.candidates.max_numa_maps_bytes,
                               &texts[i].p, &texts[i].len);
        if (r < 0) {
            fail("%s: %s", rel, strerror(-r));
            texts[i].p = NULL;
            texts[i].len = 0;
        }
        total_bytes += texts[i].len;
    }
    /* One checked pass: every text parses and adds up to what was generated. */
    size_t mismatched = 0, lines_mismatched = 0;
    uint64_t total_lines = 0;
    for (size_t i = 0; i < m.nall; i++) {
        struct np_numa_maps nm;
        if (!texts[i].p)
            continue;
        r = np_numa_maps_parse(texts[i].p, texts[i].len, &nm);
        if (r < 0) {
            fail("proc/%d/numa_maps does not parse: %s", m.pids[i], strerror(-r));
        } else {
            unsigned lines = 0;
            for (const char *p = texts[i].p; (p = memchr(p, '\n', texts[i].len - (size_t)(p - texts[i].p)));
                 p++)
                lines++;
            total_lines += lines;
            if (nm.total_kb != m.mem_kb[i] && mismatched++ == 0)
                printf("note: proc/%d/numa_maps parses to %llu kB, generated as %llu kB\n",
                       m.pids[i], (unsigned long long)nm.total_kb,
                       (unsigned long long)m.mem_kb[i]);
            if (nm.nmappings != lines && lines_mismatched++ == 0)
                printf("note: proc/%d/numa_maps: %u mappings parsed, %u lines\n", m.pids[i],
                       nm.nmappings, lines);
        }
        np_numa_maps_clear(&nm);
    }
    if (mismatched || lines_mismatched)
        printf("note: %zu numa_maps totals and %zu mapping counts differ from the generator\n",
               mismatched, lines_mismatched);

    double parse_s[PARSE_MAX_PASSES], count_s[PARSE_MAX_PASSES];
    size_t nparse = 0, ncount = 0;
    volatile uint64_t sink = 0;
    for (double spent = 0; nparse < PARSE_MAX_PASSES &&
                           (nparse < PARSE_MIN_PASSES || spent < PARSE_MIN_SEC);) {
        double c0 = cpu_now();
        for (size_t i = 0; i < m.nall; i++) {
            struct np_numa_maps nm;
            if (np_numa_maps_parse(texts[i].p ? texts[i].p : "", texts[i].len, &nm) == 0)
                sink += nm.total_kb;
            np_numa_maps_clear(&nm);
        }
        parse_s[nparse] = cpu_now() - c0;
        spent += parse_s[nparse++];
    }
    for (double spent = 0; ncount < PARSE_MAX_PASSES &&
                           (ncount < PARSE_MIN_PASSES || spent < PARSE_MIN_SEC);) {
        double c0 = cpu_now();
        uint64_t lines = 0;
        for (size_t i = 0; i < m.nall; i++) {
            const char *p = texts[i].p, *end = p + texts[i].len;
            while (p && p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
                lines++;
                p++;
            }
        }
        sink += lines;
        count_s[ncount] = cpu_now() - c0;
        spent += count_s[ncount++];
    }
    double mb = (double)total_bytes / 1e6;
    double parse_mbs = mb / median(parse_s, nparse), count_mbs = mb / median(count_s, ncount);
    printf("numa_maps: %zu files, %.1f MB, %llu lines; parse %.0f MB/s (%zu passes), "
           "line count %.0f MB/s (%zu passes)\n", m.nall, mb, (unsigned long long)total_lines,
           parse_mbs, nparse, count_mbs, ncount);

    double us_per_proc = cycle * 1000.0 / (double)m.nprocs;
    char row[256];
    snprintf(row, sizeof(row), "%9zu %11.2f %10.2f %10.2f %10.2f %11.0f %11.0f %10.1f\n",
             m.nprocs, baseline, cycle, cycle / baseline, us_per_proc, parse_mbs, count_mbs,
             count_mbs / parse_mbs);
    fputs(row, stdout);
    if (argc >= 5)
        append_row(argv[4], row);
    if (sampler_ok) {
        double samp_us = sres.sampler_ms * 1000.0 / (double)sres.nthreads;
        double bare_us = sres.bare_ms * 1000.0 / (double)sres.nthreads;
        snprintf(row, sizeof(row), "%9zu %8zu %8zu %14.2f %17.2f %12.2f\n", m.nprocs,
                 sres.nprocs, sres.nthreads, bare_us, samp_us, samp_us / bare_us);
        fputs(row, stdout);
        if (argc == 6)
            append_row(argv[5], row);
    }

    for (size_t i = 0; i < m.nall; i++)
        free(texts[i].p);
    free(texts);
    for (size_t i = 0; i < m.nbusy; i++)
        free(m.busy[i].stat_orig);
    free(m.busy);
    free(m.pids);
    free(m.mem_kb);
    free(maps_pids);
    free(sampled.pids);
    free(bare.buf);
    np_config_free(&cfg);
    np_root_close(&root);
    return failures ? 1 : 0;
}
