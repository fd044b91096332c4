/* sample: see sample.h. */
#include "sample.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "parse.h"

#define STAT_BUF_SIZE    4096           /* a stat line is < 1 KiB */
#define STATUS_MAX_BYTES (64 * 1024)    /* ~1.5 KiB normally; 8192-CPU masks grow it */
#define CGROUP_MAX_BYTES (64 * 1024)
#define LIST_LINE_MAX    (32 * 1024)    /* worst case "0,2,4,...,8190" is ~20 KiB */
#define STAT_LAST_FIELD  39             /* processor: the last field we need */

/* One stat field after the comm: an optionally negative decimal number. Fields
 * such as rsslim print as 18446744073709551615, so the magnitude is u64. The
 * text is LEN bytes, not necessarily NUL-terminated: never read past END. */
static int scan_field(const char **p, const char *end, bool *neg, uint64_t *val)
{
    const char *s = *p;
    uint64_t v = 0;
    *neg = false;
    if (s < end && *s == '-') {
        *neg = true;
        s++;
    }
    const char *digits = s;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    if (s == digits)
        return -EINVAL;
    *val = v;
    *p = s;
    return 0;
}

int np_parse_stat(const char *text, size_t len, uint64_t page_kb, struct np_proc *ret)
{
    if (!text || !ret || page_kb == 0)
        return -EINVAL;
    const char *end = text + len;
    const char *open = memchr(text, '(', len);
    const char *close = memrchr(text, ')', len);
    if (!open || !close || close < open || open - text < 2 || open[-1] != ' ')
        return -EINVAL;

    /* pid: all digits up to the blank before '(' (np_scan_u64 stops at it). */
    const char *p = text;
    uint64_t pid;
    if (np_scan_u64(&p, &pid) < 0 || p != open - 1 || pid == 0 || pid > INT_MAX)
        return -EINVAL;

    struct np_proc s = {0};
    s.pid = (int)pid;
    size_t comm_len = (size_t)(close - open - 1);
    if (comm_len > NP_COMM_MAX - 1)
        comm_len = NP_COMM_MAX - 1;
    memcpy(s.comm, open + 1, comm_len);
    s.comm[comm_len] = '\0';

    p = close + 1;
    if (end - p < 3 || p[0] != ' ' || p[1] == ' ' || p[1] == '\0' || p[2] != ' ')
        return -EINVAL;
    s.state = p[1];
    p += 2;

    uint64_t utime = 0, stime = 0;
    for (int field = 4; field <= STAT_LAST_FIELD; field++) {
        bool neg;
        uint64_t v;
        if (p >= end || *p != ' ')
            return -EINVAL;
        p++;
        if (scan_field(&p, end, &neg, &v) < 0)
            return -EINVAL;
        switch (field) {
        case 4:
            if (neg || v > INT_MAX)
                return -EINVAL;
            s.ppid = (int)v;
            break;
        case 9:
            if (neg || v > ULONG_MAX)
                return -EINVAL;
            s.flags = (unsigned long)v;
            break;
        case 14:
            utime = v;
            if (neg)
                return -EINVAL;
            break;
        case 15:
            stime = v;
            if (neg || utime > UINT64_MAX - stime)
                return -EINVAL;
            break;
        case 20:
            if (neg || v > LONG_MAX)
                return -EINVAL;
            s.num_threads = (long)v;
            break;
        case 22:
            if (neg)
                return -EINVAL;
            s.start_time = v;
            break;
        case 24:
            if (neg || v > UINT64_MAX / page_kb)
                return -EINVAL;
            s.rss_kb = v * page_kb;
            break;
        case 39:
            if (neg || v > INT_MAX)
                return -EINVAL;
            s.last_cpu = (int)v;
            break;
        default:
            break;
        }
    }
    /* Later fields are not needed; the text must still be fields, not junk. */
    if (p < end && *p != ' ' && *p != '\n' && *p != '\0')
        return -EINVAL;

    ret->pid = s.pid;
    ret->start_time = s.start_time;
    memcpy(ret->comm, s.comm, sizeof(ret->comm));
    ret->state = s.state;
    ret->ppid = s.ppid;
    ret->flags = s.flags;
    ret->cpu_ticks = utime + stime;
    ret->num_threads = s.num_threads;
    ret->rss_kb = s.rss_kb;
    ret->last_cpu = s.last_cpu;
    return 0;
}

/* The value of "KEY:" as a NUL-terminated malloc'd copy of its line: the list
 * parsers want the value alone, not the rest of the file. -ENOENT if absent. */
static int dup_key_line(const char *text, const char *key, char **ret)
{
    const char *v = np_find_key(text, key);
    *ret = NULL;
    if (!v)
        return -ENOENT;
    size_t n = strcspn(v, "\n");
    if (n > LIST_LINE_MAX)
        return -EINVAL;
    *ret = strndup(v, n);
    return *ret ? 0 : -ENOMEM;
}

/* "1784 kB" -> 1784. */
static int parse_kb_value(const char *v, uint64_t *ret)
{
    uint64_t n;
    if (np_scan_u64(&v, &n) < 0)
        return -EINVAL;
    np_skip_blanks(&v);
    if (strncmp(v, "kB", 2) == 0)
        v += 2;
    np_skip_blanks(&v);
    if (*v != '\n' && *v != '\0')
        return -EINVAL;
    *ret = n;
    return 0;
}

/* Cpus_allowed_list (or, on kernels without it, the Cpus_allowed mask). */
static int parse_set(const char *text, const char *list_key, const char *mask_key,
                     uint64_t *w, unsigned nbits)
{
    char *line;
    int r = dup_key_line(text, list_key, &line);
    if (r == 0) {
        r = np_bits_parse_list(w, nbits, line);
    } else if (r == -ENOENT) {
        r = dup_key_line(text, mask_key, &line);
        if (r == 0)
            r = np_bits_parse_mask(w, nbits, line);
    }
    free(line);
    return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

int np_parse_status(const char *text, struct np_proc *p)
{
    if (!text || !p)
        return -EINVAL;
    /* Parsed into locals so P is untouched on failure. */
    struct np_cpuset cpus;
    struct np_nodeset mems;
    uint64_t uid, vm_rss_kb = 0, hugetlb_kb = 0;

    const char *v = np_find_key(text, "Uid");
    if (!v || np_scan_u64(&v, &uid) < 0 || uid > UINT32_MAX - 1 ||
        (*v != '\t' && *v != ' ' && *v != '\n' && *v != '\0'))
        return -EINVAL;
    int r = parse_set(text, "Cpus_allowed_list", "Cpus_allowed", NP_CPUS(&cpus));
    if (r == 0)
        r = parse_set(text, "Mems_allowed_list", "Mems_allowed", NP_NODES(&mems));
    if (r < 0)
        return r;
    /* Kernel threads have no VmRSS; kernels before 4.4 no HugetlbPages. */
    v = np_find_key(text, "VmRSS");
    if (v && parse_kb_value(v, &vm_rss_kb) < 0)
        return -EINVAL;
    v = np_find_key(text, "HugetlbPages");
    if (v && parse_kb_value(v, &hugetlb_kb) < 0)
        return -EINVAL;
    uint64_t vm_size_kb = 0;
    v = np_find_key(text, "VmSize");
    if (v && parse_kb_value(v, &vm_size_kb) < 0)
        return -EINVAL;

    p->uid = (uid_t)uid;
    p->cpus_allowed = cpus;
    p->mems_allowed = mems;
    p->vm_rss_kb = vm_rss_kb;
    p->hugetlb_kb = hugetlb_kb;
    p->vm_size_kb = vm_size_kb;
    return 0;
}

int np_parse_cgroup(const char *text, char *buf, size_t bufsz)
{
    if (!buf || bufsz == 0)
        return -EINVAL;
    buf[0] = '\0';
    for (const char *line = text; line && *line;) {
        const char *eol = strchrnul(line, '\n');
        if (strncmp(line, "0::", 3) == 0) {
            const char *path = line + 3;
            size_t n = (size_t)(eol - path);
            /* A truncated path names another cgroup: refuse rather than cut. */
            if (n >= bufsz)
                return -E2BIG;
            memcpy(buf, path, n);
            buf[n] = '\0';
            return 0;
        }
        line = *eol ? eol + 1 : NULL;
    }
    return -ENOENT;
}

static bool is_all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* A directory entry name that is a positive pid/tid, else 0. */
static int entry_id(const char *name)
{
    long v;
    if (!is_all_digits(name) || np_parse_long_range(name, 1, INT_MAX, &v) < 0)
        return 0;
    return (int)v;
}

/* Errors that say something about us, not about one process. */
static bool is_systemic(int err)
{
    return err == -ENOMEM || err == -EMFILE || err == -ENFILE;
}

static int read_stat(const struct np_root *root, const char *rel, uint64_t page_kb,
                     struct np_proc *ret)
{
    char buf[STAT_BUF_SIZE];
    /* One read: the kernel prints a stat file whole into a buffer that
     * holds it, so a read that did not fill the buffer got all of it, and
     * the read that would return 0 (a quarter of the cycle's syscalls
     * beside thousands of idle processes) is left out. A full buffer is
     * no stat line we know. */
    long n = np_read_head(root, rel, buf, sizeof(buf));
    if (n >= (long)sizeof(buf) - 1)
        return -EINVAL;
    if (n < 0)
        return (int)n;
    return np_parse_stat(buf, (size_t)n, page_kb, ret) < 0 ? -EINVAL : 0;
}

static int cmp_proc(const void *a, const void *b)
{
    int x = ((const struct np_proc *)a)->pid, y = ((const struct np_proc *)b)->pid;
    return (x > y) - (x < y);
}

static bool sorted_by_pid(const struct np_proc *procs, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (procs[i - 1].pid > procs[i].pid)
            return false;
    return true;
}

static int cmp_thread(const void *a, const void *b)
{
    int x = ((const struct np_thread *)a)->tid, y = ((const struct np_thread *)b)->tid;
    return (x > y) - (x < y);
}

int np_sample_scan(const struct np_root *root, size_t max_procs, uint64_t page_kb,
                   np_scan_skip_fn *skip, void *skip_ctx, struct np_proc_list *ret,
                   bool *ret_truncated)
{
    if (!root || !ret || page_kb == 0)
        return -EINVAL;
    DIR *dir;
    int r = np_open_dir(root, "proc", &dir);
    if (r < 0)
        return r;

    struct np_proc *procs = NULL;
    size_t n = 0, cap = 0, nskipped = 0;
    bool truncated = false;
    struct dirent *de;
    r = 0;
    while ((de = readdir(dir))) {
        int pid = entry_id(de->d_name);
        if (pid == 0)
            continue;
        if (n + nskipped >= max_procs) {
            truncated = true;
            break;
        }
        if (skip && skip(skip_ctx, pid)) {
            nskipped++;
            continue;
        }
        if (n == cap) {
            /* A proc entry is ~2.3 KiB (the detail pass's sets and paths):
             * start large, so that thousands of processes are not copied
             * over and over as the array doubles. Pages never touched cost
             * nothing. */
            size_t ncap = cap ? cap * 2 : 4096;
            if (ncap > max_procs)
                ncap = max_procs;
            struct np_proc *np = realloc(procs, ncap * sizeof(*procs));
            if (!np) {
                r = -ENOMEM;
                break;
            }
            procs = np;
            cap = ncap;
        }
        char rel[64];
        snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
        struct np_proc *p = &procs[n];
        /* Only the cheap pass's fields and what marks the detail pass as not
         * done: the rest of the 2.3 KiB entry is written by the detail pass
         * (for the few busy processes) and read only after it. */
        memset(p, 0, offsetof(struct np_proc, detailed) + sizeof(p->detailed));
        p->cgroup[0] = p->exe[0] = '\0';
        p->nthreads = 0;
        p->threads = NULL;
        int rr = read_stat(root, rel, page_kb, p);
        /* Reading a few hundred processes' stat takes a good part of a
         * second on a busy machine: a CPU use measured against the cycle's
         * one clock reads high or low by how much earlier or later in the
         * scan this process came than last time (5% over a one-second
         * window in the guest). Under a fixture the caller's clock is the
         * only one. */
        if (root->is_live) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            p->read_at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        }
        if (rr < 0) {
            /* Exited mid-scan, unreadable or junk: skip this one quietly. */
            if (is_systemic(rr)) {
                r = rr;
                break;
            }
            continue;
        }
        if (p->pid != pid)   /* stat of another process under this name: junk */
            continue;
        n++;
    }
    closedir(dir);
    if (r < 0) {
        free(procs);
        return r;
    }
    /* proc lists PIDs in ascending order: an O(n) check spares the sort
     * (glibc sorts entries this big through an allocated pointer array). */
    if (n > 1 && !sorted_by_pid(procs, n))
        qsort(procs, n, sizeof(*procs), cmp_proc);
    ret->n = n;
    ret->procs = procs;
    ret->nskipped = nskipped;
    if (ret_truncated)
        *ret_truncated = truncated;
    return 0;
}

/* Still the process the cheap pass saw? -ESRCH when gone or reused. */
static int check_identity(const struct np_root *root, const struct np_proc *p)
{
    char rel[64];
    struct np_proc now;
    snprintf(rel, sizeof(rel), "proc/%d/stat", p->pid);
    int r = read_stat(root, rel, 1, &now);
    if (r == -ENOENT || r == -ESRCH || r == -EINVAL)
        return -ESRCH;
    if (r < 0)
        return r;
    if (now.pid != p->pid || now.start_time != p->start_time)
        return -ESRCH;
    return 0;
}

static int read_threads(const struct np_root *root, int pid, size_t max_threads,
                        struct np_thread **ret, size_t *ret_n)
{
    char rel[64];
    DIR *dir;
    snprintf(rel, sizeof(rel), "proc/%d/task", pid);
    int r = np_open_dir(root, rel, &dir);
    if (r < 0)
        return r;
    struct np_thread *threads = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    r = 0;
    while (n < max_threads && (de = readdir(dir))) {
        int tid = entry_id(de->d_name);
        if (tid == 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            if (ncap > max_threads)
                ncap = max_threads;
            struct np_thread *nt = realloc(threads, ncap * sizeof(*threads));
            if (!nt) {
                r = -ENOMEM;
                break;
            }
            threads = nt;
            cap = ncap;
        }
        struct np_proc t;
        snprintf(rel, sizeof(rel), "proc/%d/task/%d/stat", pid, tid);
        int rr = read_stat(root, rel, 1, &t);
        if (rr < 0) {
            if (is_systemic(rr)) {
                r = rr;
                break;
            }
            continue;   /* the thread exited meanwhile */
        }
        threads[n].tid = tid;
        threads[n].cpu_ticks = t.cpu_ticks;
        threads[n].last_cpu = t.last_cpu;
        threads[n].state = t.state;
        n++;
    }
    closedir(dir);
    if (r < 0) {
        free(threads);
        return r;
    }
    if (n > 1)
        qsort(threads, n, sizeof(*threads), cmp_thread);
    *ret = threads;
    *ret_n = n;
    return 0;
}

/* The file vanishing means the process did. */
static int gone_as_esrch(int r)
{
    return r == -ENOENT ? -ESRCH : r;
}

int np_sample_threads(const struct np_root *root, const struct np_proc *p, size_t max_threads,
                      struct np_thread **ret, size_t *ret_n)
{
    struct np_thread *threads = NULL;
    size_t n = 0;
    int r = check_identity(root, p);
    if (r == 0)
        r = read_threads(root, p->pid, max_threads, &threads, &n);
    /* Again after the reads: a PID reused meanwhile is caught here. */
    if (r == 0)
        r = check_identity(root, p);
    if (r < 0) {
        free(threads);
        return gone_as_esrch(r);
    }
    *ret = threads;
    *ret_n = n;
    return 0;
}

/* The CPUs the status file REL (under ROOT) allows. 0, -ESRCH when it is
 * gone, or -errno. */
static int read_status_cpus(const struct np_root *root, const char *rel, struct np_cpuset *ret)
{
    struct np_proc *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    char *text = NULL;
    size_t len;
    int r = gone_as_esrch(np_read_file_alloc(root, rel, STATUS_MAX_BYTES, &text, &len));
    if (r == 0)
        r = np_parse_status(text, d);
    if (r == 0)
        *ret = d->cpus_allowed;
    free(text);
    free(d);
    return r;
}

int np_sample_affinity(const struct np_root *root, const struct np_proc *p,
                       struct np_cpuset *ret_cpus)
{
    if (!root || !p || p->pid <= 0 || !ret_cpus)
        return -EINVAL;
    char rel[64];
    snprintf(rel, sizeof(rel), "proc/%d/status", p->pid);
    struct np_cpuset cpus;
    int r = check_identity(root, p);
    if (r == 0)
        r = read_status_cpus(root, rel, &cpus);
    /* Again after the read: a PID reused meanwhile is caught here. */
    if (r == 0)
        r = check_identity(root, p);
    if (r == 0)
        *ret_cpus = cpus;
    return r;
}

int np_sample_thread_affinity(const struct np_root *root, int pid, int tid,
                              struct np_cpuset *ret_cpus)
{
    if (!root || pid <= 0 || tid <= 0 || !ret_cpus)
        return -EINVAL;
    char rel[80];
    snprintf(rel, sizeof(rel), "proc/%d/task/%d/status", pid, tid);
    return read_status_cpus(root, rel, ret_cpus);
}

int np_sample_detail(const struct np_root *root, struct np_proc *p, size_t max_threads)
{
    if (!root || !p || p->pid <= 0)
        return -EINVAL;
    char rel[64];
    char *text = NULL;
    size_t len;
    struct np_thread *threads = NULL;
    size_t nthreads = 0;
    /* Staged here so P keeps its old detail until everything succeeded. */
    struct np_proc *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;

    int r = check_identity(root, p);
    if (r < 0)
        goto fail;

    snprintf(rel, sizeof(rel), "proc/%d/status", p->pid);
    r = np_read_file_alloc(root, rel, STATUS_MAX_BYTES, &text, &len);
    if (r < 0) {
        r = gone_as_esrch(r);
        goto fail;
    }
    r = np_parse_status(text, d);
    free(text);
    text = NULL;
    if (r < 0)
        goto fail;

    snprintf(rel, sizeof(rel), "proc/%d/cgroup", p->pid);
    r = np_read_file_alloc(root, rel, CGROUP_MAX_BYTES, &text, &len);
    if (r == 0) {
        np_parse_cgroup(text, d->cgroup, sizeof(d->cgroup));   /* "" when v1-only */
        free(text);
        text = NULL;
    } else if (r == -ENOENT || r == -ESRCH) {
        r = -ESRCH;
        goto fail;
    }   /* else: no cgroup file (CONFIG_CGROUPS=n) leaves "" */
    r = 0;

    snprintf(rel, sizeof(rel), "proc/%d/exe", p->pid);
    if (np_read_link(root, rel, d->exe, sizeof(d->exe)) < 0)
        d->exe[0] = '\0';   /* kernel thread, zombie, or no permission */

    r = read_threads(root, p->pid, max_threads, &threads, &nthreads);
    if (r < 0) {
        r = gone_as_esrch(r);
        goto fail;
    }

    /* Again after the reads: a PID reused while we read them is caught here. */
    r = check_identity(root, p);
    if (r < 0)
        goto fail;

    free(p->threads);
    p->uid = d->uid;
    p->cpus_allowed = d->cpus_allowed;
    p->mems_allowed = d->mems_allowed;
    p->vm_rss_kb = d->vm_rss_kb;
    p->hugetlb_kb = d->hugetlb_kb;
    p->vm_size_kb = d->vm_size_kb;
    memcpy(p->cgroup, d->cgroup, sizeof(p->cgroup));
    memcpy(p->exe, d->exe, sizeof(p->exe));
    p->threads = threads;
    p->nthreads = nthreads;
    p->detailed = true;
    free(d);
    return 0;

fail:
    free(threads);
    free(d);
    np_proc_clear(p);
    p->detailed = false;
    return r;
}

void np_proc_clear(struct np_proc *p)
{
    if (!p)
        return;
    free(p->threads);
    p->threads = NULL;
    p->nthreads = 0;
}

void np_proc_list_free(struct np_proc_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        np_proc_clear(&list->procs[i]);
    free(list->procs);
    list->procs = NULL;
    list->n = 0;
    list->nskipped = 0;
}

int np_read_uptime(const struct np_root *root, double *ret_seconds)
{
    char buf[256], first[64];
    long n = np_read_file(root, "proc/uptime", buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    size_t len = strcspn(buf, " \t\n");
    if (len == 0 || len >= sizeof(first))
        return -EINVAL;
    memcpy(first, buf, len);
    first[len] = '\0';
    double v;
    int r = np_parse_double_range(first, 0.0, 1e12, &v);
    if (r < 0)
        return -EINVAL;
    *ret_seconds = v;
    return 0;
}
