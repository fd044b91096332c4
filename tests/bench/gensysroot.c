/* gensysroot: writes a fake root for the benchmark, shaped like a busy
 * 4-node server: sys/devices/system/{node,cpu} and proc/ with NPROCS
 * processes (kernel threads, idle services and ~2% busy ones that pass the
 * default candidate thresholds), each with stat, status, cgroup, exe,
 * task/TID/stat and numa_maps in the kernel's own formats.
 *
 * Usage: gensysroot DIR NPROCS SEED. DIR must not exist. The output is a
 * function of NPROCS and SEED only, except proc/vmstat, which is a copy of
 * this machine's. DIR/bench-manifest.txt (outside proc/ and sys/, so the
 * daemon never sees it) lists what a correct cycle must find; the last
 * line on stdout is "nprocs N busy B". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parse.h"

#define NNODES          4
#define CPUS_PER_NODE   8
#define NCPUS           (NNODES * CPUS_PER_NODE)
#define UPTIME_S        1728000.37          /* 20 days */
#define NODE_MEM_KB     131899360ULL        /* ~128 GiB per node */
#define HUGE_PER_NODE   1024                /* 2 MiB pages reserved per node */
#define MAX_NPROCS      200000              /* PIDs stay under the default pid_max */
#define MAX_THREADS     8
#define BUSY_PERCENT    2
#define KTHREAD_PERCENT 3
#define MIB_KB          1024ULL

/* ---- deterministic randomness (splitmix64) ---- */

struct rng { uint64_t s; };

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

/* Uniform in [LO, HI]. */
static uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
    return lo + rng_next(r) % (hi - lo + 1);
}

/* ---- output helpers: this is a tool, so failures end the program ---- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gensysroot: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

struct sb { char *p; size_t len, cap; };

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sb *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            die("vsnprintf failed");
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap - b->len <= (size_t)n)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np)
            die("out of memory");
        b->p = np;
        b->cap = ncap;
    }
}

static void sb_reset(struct sb *b) { b->len = 0; if (b->p) b->p[0] = '\0'; }

struct gen {
    int rootfd;
    struct rng rng;
    long hz;
    uint64_t page_kb;
    uint64_t node_anon_kb[NNODES];
    uint64_t node_huge_used[NNODES];
    uint64_t numa_maps_bytes;
    unsigned long nthreads_total;
    struct sb buf;              /* file contents scratch */
    struct sb manifest;
};

static void make_dir(struct gen *g, const char *rel)
{
    if (mkdirat(g->rootfd, rel, 0755) < 0 && errno != EEXIST)
        die("mkdir %s: %s", rel, strerror(errno));
}

/* Creates every directory of REL (a relative path, no trailing '/'). */
static void make_dirs(struct gen *g, const char *rel)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", rel);
    for (char *s = tmp; (s = strchr(s, '/')); s++) {
        *s = '\0';
        make_dir(g, tmp);
        *s = '/';
    }
    make_dir(g, tmp);
}

static void write_rel(struct gen *g, const char *rel, const char *data, size_t len)
{
    int fd = openat(g->rootfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die("create %s: %s", rel, strerror(errno));
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("write %s: %s", rel, strerror(errno));
        }
        data += n;
        len -= (size_t)n;
    }
    if (close(fd) < 0)
        die("close %s: %s", rel, strerror(errno));
}

__attribute__((format(printf, 3, 4)))
static void write_textf(struct gen *g, const char *rel, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text))
        die("text for %s too long", rel);
    write_rel(g, rel, text, (size_t)n);
}

static void write_buf(struct gen *g, const char *rel)
{
    write_rel(g, rel, g->buf.p ? g->buf.p : "", g->buf.len);
}

/* ---- processes ---- */

struct program {
    const char *comm;           /* as the kernel shows it: at most 15 bytes */
    const char *exe;
};

/* Idle services; comms with blanks and parentheses are real ones. */
static const struct program idle_programs[] = {
    { "sshd", "/usr/sbin/sshd" },
    { "cron", "/usr/sbin/cron" },
    { "rsyslogd", "/usr/sbin/rsyslogd" },
    { "nginx", "/usr/sbin/nginx" },
    { "php-fpm8.2", "/usr/sbin/php-fpm8.2" },
    { "python3", "/usr/bin/python3.11" },
    { "gunicorn", "/usr/bin/python3.11" },
    { "node", "/usr/bin/node" },
    { "bash", "/usr/bin/bash" },
    { "sleep", "/usr/bin/sleep" },
    { "containerd-shim", "/usr/bin/containerd-shim-runc-v2" },
    { "haproxy", "/usr/sbin/haproxy" },
    { "systemd-journal", "/usr/lib/systemd/systemd-journald" },
    { "systemd-udevd", "/usr/lib/systemd/systemd-udevd" },
    { "(sd-pam)", "/usr/lib/systemd/systemd" },
    { "tmux: server", "/usr/bin/tmux" },
    { "memcached", "/usr/bin/memcached" },
    { "dbus-daemon", "/usr/bin/dbus-daemon" },
    { "chronyd", "/usr/sbin/chronyd" },
    { "agetty", "/usr/sbin/agetty" },
};

/* Busy ones: big, multi-threaded servers. */
static const struct program busy_programs[] = {
    { "java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java" },
    { "postgres", "/usr/lib/postgresql/15/bin/postgres" },
    { "mysqld", "/usr/sbin/mysqld" },
    { "redis-server", "/usr/bin/redis-server" },
    { "clickhouse-serv", "/usr/bin/clickhouse" },
    { "envoy", "/usr/local/bin/envoy" },
    { "ceph-osd", "/usr/bin/ceph-osd" },
    { "python3", "/usr/bin/python3.11" },
};

static const char *const thread_names[] = {
    "GC Thread#%u", "C2 CompilerThre", "VM Thread", "worker-%u", "pool-%u", "io (%u)",
    "tokio-runtime-w", "jemalloc_bg_thd",
};

static const char *const libraries[] = {
    "libc.so.6", "libm.so.6", "libstdc++.so.6.0.30", "libgcc_s.so.1", "libz.so.1.2.13",
    "libssl.so.3", "libcrypto.so.3", "libsystemd.so.0.35.0", "liblzma.so.5.4.1",
    "libzstd.so.1.5.4", "liblz4.so.1.9.4", "libcap.so.2.66", "libgcrypt.so.20.4.1",
    "libgpg-error.so.0.33.1", "libpcre2-8.so.0.11.2", "libselinux.so.1", "libresolv.so.2",
    "libnss_files.so.2", "libuuid.so.1.3.0", "libblkid.so.1.1.0", "libmount.so.1.1.0",
    "libcrypt.so.1.1.0", "libkeyutils.so.1.10", "libkrb5.so.3.3", "libk5crypto.so.3.1",
    "libcom_err.so.2.1", "libkrb5support.so.0.1", "libgssapi_krb5.so.2.2",
    "libldap-2.5.so.0.1.11", "liblber-2.5.so.0.1.11", "libsasl2.so.2.0.25",
    "libicuuc.so.72.1", "libicudata.so.72.1", "libxml2.so.2.9.14", "libffi.so.8.1.2",
    "libexpat.so.1.8.10", "libbz2.so.1.0.4", "libsqlite3.so.0.8.6", "libnuma.so.1.0.0",
    "libjemalloc.so.2", "libevent-2.1.so.7.0.1",
};
#define NLIBRARIES (sizeof(libraries) / sizeof(libraries[0]))

static const char *const locale_files[] = {
    "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
    "LC_MESSAGES/SYS_LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS",
    "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION",
};

/* Where a process's memory lives, as node weights. */
struct placement {
    int home;                   /* node its threads mostly run on */
    double weight[NNODES];
};

/* One numa_maps line being written; pages per node. */
struct mapping {
    uint64_t addr;
    const char *kind;           /* "file=/x", "heap", "stack", "" */
    char kind_buf[160];
    bool huge;
    uint64_t anon, dirty, mapmax, active;
    uint64_t count[NNODES];
    uint64_t page_kb;
};

struct proc_mem {
    uint64_t anon_kb, file_kb, huge_kb;     /* resident, as numa_maps counts them */
    uint64_t vsize_kb, exe_kb, lib_kb, data_kb;
    unsigned lines;
};

static void split_pages(struct rng *r, uint64_t pages, const double *weight, uint64_t *out)
{
    double sum = 0;
    for (int n = 0; n < NNODES; n++)
        sum += weight[n];
    uint64_t left = pages;
    int last = 0;
    for (int n = 0; n < NNODES; n++)
        if (weight[n] > 0)
            last = n;
    for (int n = 0; n < NNODES; n++) {
        uint64_t c = 0;
        if (weight[n] > 0 && n != last) {
            /* A little noise per mapping so lines differ like real ones. */
            double share = weight[n] / sum * (0.9 + 0.2 * rng_unit(r));
            c = (uint64_t)((double)pages * share);
            if (c > left)
                c = left;
        } else if (n == last) {
            c = left;
        }
        out[n] = c;
        left -= c;
    }
}

/* Formats M the way show_numa_map() does: counters only when they say
 * something, node counts, then the page size; nothing after the policy for
 * a mapping without resident pages. */
static void emit_mapping(struct gen *g, struct proc_mem *pm, const struct mapping *m)
{
    struct sb *b = &g->buf;
    uint64_t pages = 0;
    for (int n = 0; n < NNODES; n++)
        pages += m->count[n];
    sb_printf(b, "%llx default", (unsigned long long)m->addr);
    if (m->kind[0])
        sb_printf(b, " %s", m->kind);
    pm->lines++;
    if (pages == 0) {
        sb_printf(b, "\n");
        return;
    }
    if (m->huge)
        sb_printf(b, " huge");
    if (m->anon)
        sb_printf(b, " anon=%llu", (unsigned long long)m->anon);
    if (m->dirty)
        sb_printf(b, " dirty=%llu", (unsigned long long)m->dirty);
    if (pages != m->anon && pages != m->dirty)
        sb_printf(b, " mapped=%llu", (unsigned long long)pages);
    if (m->mapmax > 1)
        sb_printf(b, " mapmax=%llu", (unsigned long long)m->mapmax);
    if (m->active < pages && !m->huge)
        sb_printf(b, " active=%llu", (unsigned long long)m->active);
    for (int n = 0; n < NNODES; n++)
        if (m->count[n])
            sb_printf(b, " N%d=%llu", n, (unsigned long long)m->count[n]);
    sb_printf(b, " kernelpagesize_kB=%llu\n", (unsigned long long)m->page_kb);
    if (m->huge)
        pm->huge_kb += pages * m->page_kb;
    else if (m->anon)
        pm->anon_kb += pages * m->page_kb;
    else
        pm->file_kb += pages * m->page_kb;
}

/* An anonymous (or COW'd file) region of PAGES resident pages. */
static void anon_mapping(struct gen *g, struct proc_mem *pm, uint64_t addr, const char *kind,
                         uint64_t pages, const struct placement *pl)
{
    struct mapping m = { .addr = addr, .kind = kind, .anon = pages, .dirty = pages,
                         .page_kb = g->page_kb };
    /* Most resident anon memory of a busy process is active. */
    m.active = pages ? rng_range(&g->rng, 0, pages) : 0;
    split_pages(&g->rng, pages, pl->weight, m.count);
    for (int n = 0; n < NNODES; n++)
        g->node_anon_kb[n] += m.count[n] * g->page_kb;
    emit_mapping(g, pm, &m);
}

/* A read-only file mapping: page cache, mostly where it was first read. */
static void file_mapping(struct gen *g, struct proc_mem *pm, uint64_t addr, const char *path,
                         uint64_t pages)
{
    struct mapping m = { .addr = addr, .page_kb = g->page_kb };
    snprintf(m.kind_buf, sizeof(m.kind_buf), "file=%s", path);
    m.kind = m.kind_buf;
    m.mapmax = rng_range(&g->rng, 1, 40);
    m.active = rng_unit(&g->rng) < 0.5 ? pages : rng_range(&g->rng, 0, pages);
    double w[NNODES] = { 1, 0, 0, 0 };
    if (rng_unit(&g->rng) < 0.3)
        w[rng_range(&g->rng, 1, NNODES - 1)] = 0.5;
    split_pages(&g->rng, pages, w, m.count);
    emit_mapping(g, pm, &m);
}

static void guard_mapping(struct gen *g, struct proc_mem *pm, uint64_t addr)
{
    struct mapping m = { .addr = addr, .kind = "" };
    emit_mapping(g, pm, &m);
}

/* Writes proc/PID/numa_maps for a user process; returns its memory summary.
 * BIG_ANON_KB is the resident anonymous memory of its large regions. */
static void write_numa_maps(struct gen *g, int pid, const struct program *prog,
                            unsigned target_lines, uint64_t big_anon_kb, uint64_t huge_pages,
                            int huge_node, unsigned nthreads, const struct placement *pl,
                            struct proc_mem *pm)
{
    struct rng *r = &g->rng;
    const uint64_t page = 4096, thp = 2u << 20;
    char rel[64], path[256];
    memset(pm, 0, sizeof(*pm));
    sb_reset(&g->buf);

    /* The executable: text, rodata, relro, data. */
    uint64_t addr = 0x550000000000ULL + (rng_range(r, 0, 0xffffff) << 12);
    uint64_t exe_pages = rng_range(r, 8, 2000);
    snprintf(path, sizeof(path), "file=%s", prog->exe);
    uint64_t parts[4] = { exe_pages / 8 + 1, exe_pages / 2 + 1, exe_pages / 4 + 1, 0 };
    for (int i = 0; i < 3; i++) {
        file_mapping(g, pm, addr, prog->exe, parts[i]);
        addr += (parts[i] + rng_range(r, 0, 4)) * page;
    }
    pm->exe_kb = (parts[0] + parts[1] + parts[2]) * 4;
    for (int i = 0; i < 2; i++) {
        uint64_t n = rng_range(r, 1, 8);
        anon_mapping(g, pm, addr, path, n, pl);
        addr += n * page;
    }
    /* The heap, well past the executable. */
    addr += rng_range(r, 1, 0x3fff) * page;
    uint64_t heap_pages = rng_range(r, 4, 4000);
    anon_mapping(g, pm, addr, "heap", heap_pages, pl);
    pm->data_kb += heap_pages * 4;

    /* The mmap area, upwards from here: big anon regions first (THP-sized
     * ones aligned to 2 MiB), then thread stacks, libraries, locales. */
    addr = 0x7f0000000000ULL + (rng_range(r, 0, 0xfffff) << 21);
    unsigned fixed = 5 + 1 + 3 + 1;   /* exe, heap, vvar/vdso/guard, stack */
    unsigned nbig = 0;
    if (big_anon_kb > 0) {
        nbig = (unsigned)rng_range(r, 2, 8);
        uint64_t left = big_anon_kb / 4;
        for (unsigned i = 0; i < nbig; i++) {
            uint64_t n = i + 1 == nbig ? left : left / (nbig - i) * (50 + rng_range(r, 0, 100)) / 100;
            bool thp_sized = i % 2 == 0;
            if (thp_sized && i + 1 < nbig) {
                n = n / 512 * 512;
                if (n == 0)
                    n = 512;
            }
            if (n > left)
                n = left;
            addr = (addr + thp - 1) / thp * thp;
            anon_mapping(g, pm, addr, "", n, pl);
            /* Reserved but not all touched: the virtual size is larger. */
            uint64_t vpages = n + n / 8 + rng_range(r, 0, 512);
            pm->data_kb += vpages * 4;
            addr += vpages * page;
            left -= n;
        }
    }
    if (huge_pages > 0) {
        struct mapping m = { .addr = (addr + (1u << 30) - 1) / (1u << 30) * (1u << 30),
                             .kind = "file=/anon_hugepage\\040(deleted)", .huge = true,
                             .dirty = huge_pages, .mapmax = rng_range(r, 1, 30),
                             .page_kb = 2048 };
        m.count[huge_node] = huge_pages;
        g->node_huge_used[huge_node] += huge_pages;
        emit_mapping(g, pm, &m);
        addr = m.addr + huge_pages * 2048 * 1024;
        fixed++;
    }
    unsigned budget = target_lines > fixed + nbig ? target_lines - fixed - nbig : 0;

    /* Each thread but the first has a guard page and a stack. */
    for (unsigned t = 1; t < nthreads && budget >= 2; t++, budget -= 2) {
        guard_mapping(g, pm, addr);
        addr += page;
        uint64_t n = rng_range(r, 2, 64);
        anon_mapping(g, pm, addr, "", n, pl);
        addr += 2048 * page;
        pm->data_kb += 8192;
    }
    /* Libraries: five mappings each (rodata, text, rodata, relro, data). */
    unsigned nlibs = budget / 6;
    if (nlibs > NLIBRARIES)
        nlibs = NLIBRARIES;
    unsigned first = (unsigned)rng_range(r, 0, NLIBRARIES - 1);
    for (unsigned i = 0; i < nlibs; i++, budget -= 5) {
        snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/%s",
                 libraries[(first + i) % NLIBRARIES]);
        uint64_t text = rng_range(r, 4, 600);
        uint64_t sizes[3] = { text / 6 + 1, text, text / 3 + 1 };
        for (int k = 0; k < 3; k++) {
            file_mapping(g, pm, addr, path, sizes[k]);
            addr += (sizes[k] + rng_range(r, 0, 16)) * page;
            pm->lib_kb += sizes[k] * 4;
        }
        char kind[300];
        snprintf(kind, sizeof(kind), "file=%s", path);
        for (int k = 0; k < 2; k++) {
            uint64_t n = rng_range(r, 1, 6);
            anon_mapping(g, pm, addr, kind, n, pl);
            addr += n * page;
        }
    }
    /* Whatever is left: locale files, then small anonymous regions (malloc
     * arenas, caches) separated by unpopulated reservations. */
    for (unsigned i = 0; i < sizeof(locale_files) / sizeof(locale_files[0]) && budget > 0;
         i++, budget--) {
        snprintf(path, sizeof(path), "/usr/lib/locale/C.utf8/%s", locale_files[i]);
        uint64_t n = i == 0 ? 32 : 1;
        file_mapping(g, pm, addr, path, n);
        addr += n * page;
    }
    for (; budget > 0; budget--) {
        if (budget % 3 == 0) {
            guard_mapping(g, pm, addr);
            addr += rng_range(r, 1, 64) * page;
        } else {
            uint64_t n = rng_range(r, 1, 300);
            anon_mapping(g, pm, addr, "", n, pl);
            addr += (n + rng_range(r, 0, 256)) * page;
            pm->data_kb += n * 4;
        }
    }
    /* ld.so's data, vvar and vdso (no pages counted), then the stack. */
    guard_mapping(g, pm, addr);
    guard_mapping(g, pm, addr + 4 * page);
    addr = 0x7ffc00000000ULL + (rng_range(r, 0, 0x3ffff) << 12);
    anon_mapping(g, pm, addr, "stack", rng_range(r, 3, 64), pl);
    pm->vsize_kb = pm->exe_kb + pm->lib_kb + pm->data_kb + 132 + 8192 +
                   pm->huge_kb + rng_range(r, 1000, 200000);

    snprintf(rel, sizeof(rel), "proc/%d/numa_maps", pid);
    write_buf(g, rel);
    g->numa_maps_bytes += g->buf.len;
}

struct proc_spec {
    int pid, ppid;
    bool kthread, busy;
    char comm[32];
    const char *exe;
    unsigned uid;
    unsigned nthreads;
    uint64_t start_ticks;
    double cpu_use;             /* lifetime average, CPUs */
    unsigned service;           /* N of svcN.service */
};

static void stat_line(struct sb *b, int id, const char *comm, char state, const struct proc_spec *s,
                      uint64_t utime, uint64_t stime, uint64_t start_ticks, uint64_t vsize,
                      uint64_t rss_pages, int cpu, uint64_t base)
{
    if (s->kthread) {
        sb_printf(b, "%d (%s) %c %d 0 0 0 -1 2129984 0 0 0 0 %llu %llu 0 0 20 0 1 0 %llu 0 0 "
                  "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 17 %d 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                  id, comm, state, s->ppid, (unsigned long long)utime,
                  (unsigned long long)stime, (unsigned long long)start_ticks, cpu);
        return;
    }
    unsigned long long minflt = rss_pages + (base & 0xffff), codeend = base + 0x1a3e9;
    sb_printf(b, "%d (%s) %c %d %d %d 0 -1 4194560 %llu 0 %llu 0 %llu %llu 0 0 20 0 %u 0 %llu %llu %llu "
              "18446744073709551615 %llu %llu %llu 0 0 0 0 4096 17475 1 0 0 17 %d 0 0 %llu 0 0 "
              "%llu %llu %llu %llu %llu %llu %llu 0\n",
              id, comm, state, s->ppid, s->pid, s->pid, minflt, (unsigned long long)(base >> 40),
              (unsigned long long)utime, (unsigned long long)stime, s->nthreads,
              (unsigned long long)start_ticks, (unsigned long long)vsize,
              (unsigned long long)rss_pages, (unsigned long long)base, codeend,
              0x7ffc00000000ULL + (base & 0xfffff000), cpu, (unsigned long long)(base & 0xff),
              codeend + 0x2a10, codeend + 0x3c40, (unsigned long long)base + 0x1c000000,
              0x7ffc0000e000ULL + (base & 0xfff000),
              0x7ffc0000e020ULL + (base & 0xfff000), 0x7ffc0000e020ULL + (base & 0xfff000),
              0x7ffc0000efe0ULL + (base & 0xfff000));
}

static void status_text(struct gen *g, const struct proc_spec *s, const struct proc_mem *pm)
{
    struct sb *b = &g->buf;
    sb_reset(b);
    char state = s->busy ? 'R' : 'S';
    sb_printf(b, "Name:\t%s\nUmask:\t0022\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
              "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
              "FDSize:\t%u\nGroups:\t%s\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n"
              "Kthread:\t%d\n",
              s->comm, state, state == 'R' ? "running" : "sleeping", s->pid, s->pid, s->ppid,
              s->uid, s->uid, s->uid, s->uid, s->uid, s->uid, s->uid, s->uid,
              s->kthread ? 64 : s->busy ? 1024 : 64, s->uid ? "4 24 27 " : " ",
              s->pid, s->pid, s->kthread ? 0 : s->pid, s->kthread ? 0 : s->pid, s->kthread);
    if (!s->kthread) {
        uint64_t rss = pm->anon_kb + pm->file_kb;
        sb_printf(b, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8u kB\nVmPin:\t%8u kB\n"
                  "VmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\nRssAnon:\t%8llu kB\nRssFile:\t%8llu kB\n"
                  "RssShmem:\t%8u kB\nVmData:\t%8llu kB\nVmStk:\t%8u kB\nVmExe:\t%8llu kB\n"
                  "VmLib:\t%8llu kB\nVmPTE:\t%8llu kB\nVmSwap:\t%8u kB\nHugetlbPages:\t%8llu kB\n"
                  "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n",
                  (unsigned long long)(pm->vsize_kb + pm->vsize_kb / 20),
                  (unsigned long long)pm->vsize_kb, 0u, 0u,
                  (unsigned long long)(rss + rss / 10), (unsigned long long)rss,
                  (unsigned long long)pm->anon_kb, (unsigned long long)pm->file_kb, 0u,
                  (unsigned long long)pm->data_kb, 132u, (unsigned long long)pm->exe_kb,
                  (unsigned long long)pm->lib_kb,
                  (unsigned long long)(pm->vsize_kb / 512 + 44), 0u,
                  (unsigned long long)pm->huge_kb);
    }
    sb_printf(b, "Threads:\t%u\nSigQ:\t0/2062931\nSigPnd:\t0000000000000000\n"
              "ShdPnd:\t0000000000000000\nSigBlk:\t%s\nSigIgn:\t%s\nSigCgt:\t%s\n"
              "CapInh:\t0000000000000000\nCapPrm:\t%s\nCapEff:\t%s\n"
              "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
              "Seccomp:\t%d\nSeccomp_filters:\t%d\n"
              "Speculation_Store_Bypass:\tthread vulnerable\n"
              "SpeculationIndirectBranch:\tconditional enabled\n"
              "Cpus_allowed:\tffffffff\nCpus_allowed_list:\t0-%d\nMems_allowed:\t",
              s->nthreads, s->kthread ? "0000000000000000" : "0000000000000000",
              s->kthread ? "ffffffffffffffff" : "0000000000001000",
              s->kthread ? "0000000000000000" : "0000000180004a03",
              s->uid ? "0000000000000000" : "000001ffffffffff",
              s->uid ? "0000000000000000" : "000001ffffffffff",
              s->kthread ? 0 : 2, s->kthread ? 0 : 1, NCPUS - 1);
    /* The kernel prints MAX_NUMNODES (1024) bits in 32-bit words. */
    for (int i = 0; i < 31; i++)
        sb_printf(b, "00000000,");
    sb_printf(b, "%08x\nMems_allowed_list:\t0-%d\nvoluntary_ctxt_switches:\t%llu\n"
              "nonvoluntary_ctxt_switches:\t%llu\n",
              (1u << NNODES) - 1, NNODES - 1, (unsigned long long)rng_range(&g->rng, 10, 9999999),
              (unsigned long long)rng_range(&g->rng, 0, 99999));
}

static int cpu_on_node(struct rng *r, int node)
{
    return node * CPUS_PER_NODE + (int)rng_range(r, 0, CPUS_PER_NODE - 1);
}

static void choose_placement(struct rng *r, bool busy, struct placement *pl)
{
    pl->home = (int)rng_range(r, 0, NNODES - 1);
    double u = rng_unit(r);
    for (int n = 0; n < NNODES; n++)
        pl->weight[n] = 0;
    if (u < (busy ? 0.4 : 0.7)) {
        pl->weight[pl->home] = 1;             /* placed well already */
    } else if (u < (busy ? 0.75 : 0.9)) {
        for (int n = 0; n < NNODES; n++)      /* spread by first touch all over */
            pl->weight[n] = 0.1 + rng_unit(r);
    } else {
        int other = (pl->home + 1 + (int)rng_range(r, 0, NNODES - 2)) % NNODES;
        pl->weight[other] = 0.8 + 0.15 * rng_unit(r);   /* memory left behind */
        pl->weight[pl->home] = 1 - pl->weight[other];
    }
}

static void write_process(struct gen *g, const struct proc_spec *s)
{
    struct rng *r = &g->rng;
    char rel[128];
    struct proc_mem pm;
    memset(&pm, 0, sizeof(pm));
    struct placement pl;
    choose_placement(r, s->busy, &pl);

    snprintf(rel, sizeof(rel), "proc/%d/task", s->pid);
    make_dirs(g, rel);

    if (s->kthread) {
        snprintf(rel, sizeof(rel), "proc/%d/numa_maps", s->pid);
        write_rel(g, rel, "", 0);
    } else {
        uint64_t big_kb = 0, huge_pages = 0;
        unsigned lines;
        int huge_node = pl.home;
        if (s->busy) {
            big_kb = rng_range(r, 300 * MIB_KB, 2048 * MIB_KB);
            lines = (unsigned)rng_range(r, 100, 200);
            if (rng_unit(r) < 0.1) {
                huge_pages = rng_range(r, 64, 256);
                huge_node = rng_unit(r) < 0.5 ? pl.home : (int)rng_range(r, 0, NNODES - 1);
            }
        } else {
            lines = (unsigned)rng_range(r, 20, 120);
            double u = rng_unit(r);
            if (u < 0.03)
                big_kb = rng_range(r, 300 * MIB_KB, 1536 * MIB_KB);   /* idle but big */
            else if (u < 0.5)
                big_kb = (uint64_t)(pow(rng_unit(r), 3) * 30.0 * MIB_KB) / 4 * 4;
        }
        write_numa_maps(g, s->pid, &(struct program){ s->comm, s->exe }, lines, big_kb,
                        huge_pages, huge_node, s->nthreads, &pl, &pm);
        snprintf(rel, sizeof(rel), "proc/%d/exe", s->pid);
        if (symlinkat(s->exe, g->rootfd, rel) < 0)
            die("symlink %s: %s", rel, strerror(errno));
    }

    double age = UPTIME_S - (double)s->start_ticks / (double)g->hz;
    uint64_t ticks = (uint64_t)(s->cpu_use * age * (double)g->hz);
    uint64_t stime = ticks * (uint64_t)rng_range(r, 5, 30) / 100, utime = ticks - stime;
    uint64_t rss_pages = (pm.anon_kb + pm.file_kb) / g->page_kb;
    uint64_t base = 0x550000000000ULL + (rng_range(r, 0, 0xffffff) << 12);
    int leader_cpu = cpu_on_node(r, pl.home);

    /* Threads: the leader and the rest share the CPU time; most run on the
     * home node, a few wander. */
    uint64_t left_u = utime, left_s = stime;
    for (unsigned t = 0; t < s->nthreads; t++) {
        int tid = s->pid + (int)t;
        char comm[32];
        if (t == 0 || s->kthread)
            snprintf(comm, sizeof(comm), "%s", s->comm);
        else
            snprintf(comm, sizeof(comm), thread_names[(s->pid + t) % 8], t);
        /* Uneven shares: a few threads do most of the work. */
        uint64_t share = rng_range(r, 20, 180);
        uint64_t tu = t + 1 == s->nthreads ? left_u : left_u / (s->nthreads - t) * share / 100;
        uint64_t ts = t + 1 == s->nthreads ? left_s : left_s / (s->nthreads - t) * share / 100;
        left_u -= tu;
        left_s -= ts;
        int cpu = t == 0 ? leader_cpu
                  : rng_unit(r) < 0.8 ? cpu_on_node(r, pl.home)
                                      : (int)rng_range(r, 0, NCPUS - 1);
        snprintf(rel, sizeof(rel), "proc/%d/task/%d", s->pid, tid);
        make_dir(g, rel);
        sb_reset(&g->buf);
        stat_line(&g->buf, tid, comm, t == 0 && s->busy ? 'R' : 'S', s, tu, ts,
                  s->start_ticks + (t ? rng_range(r, 1, 500) : 0), pm.vsize_kb * 1024,
                  rss_pages, cpu, base);
        snprintf(rel, sizeof(rel), "proc/%d/task/%d/stat", s->pid, tid);
        write_buf(g, rel);
    }
    g->nthreads_total += s->nthreads;

    sb_reset(&g->buf);
    stat_line(&g->buf, s->pid, s->comm, s->busy ? 'R' : 'S', s, utime, stime, s->start_ticks,
              pm.vsize_kb * 1024, rss_pages, leader_cpu, base);
    snprintf(rel, sizeof(rel), "proc/%d/stat", s->pid);
    write_buf(g, rel);

    status_text(g, s, &pm);
    snprintf(rel, sizeof(rel), "proc/%d/status", s->pid);
    write_buf(g, rel);

    snprintf(rel, sizeof(rel), "proc/%d/cgroup", s->pid);
    if (s->kthread)
        write_textf(g, rel, "0::/\n");
    else if (s->pid == 1)
        write_textf(g, rel, "0::/init.scope\n");
    else
        write_textf(g, rel, "0::/system.slice/svc%u.service\n", s->service);

    uint64_t mem_kb = pm.anon_kb + pm.file_kb + pm.huge_kb;
    if (s->busy)
        sb_printf(&g->manifest, "busy %d %.4f %llu\n", s->pid, s->cpu_use,
                  (unsigned long long)mem_kb);
    sb_printf(&g->manifest, "proc %d %llu\n", s->pid, (unsigned long long)mem_kb);
}

/* ---- system files ---- */

/* nodeN/meminfo in the kernel's layout ("Node %d %-16s%8lu kB"), with the
 * fields this machine's kernel prints, in its order. */
static void write_meminfo(struct gen *g, int node)
{
    uint64_t total = NODE_MEM_KB + (uint64_t)node * 4096;
    uint64_t anon = g->node_anon_kb[node];
    uint64_t huge = (uint64_t)HUGE_PER_NODE * 2048;
    uint64_t file = total / 6 + (uint64_t)node * 77777;
    uint64_t slab = total / 40, kstack = 30000 + (uint64_t)node * 120, pt = anon / 500 + 2048;
    uint64_t used = anon + huge + file + slab + kstack + pt;
    uint64_t free_kb = used + (1u << 20) < total ? total - used : 1u << 20;
    uint64_t shmem = file / 50;
    uint64_t active_anon = anon * 3 / 4, inactive_anon = anon - active_anon + shmem;
    uint64_t active_file = file / 2, inactive_file = file - active_file;
    const struct { const char *name; uint64_t kb; } f[] = {
        { "MemTotal:", total }, { "MemFree:", free_kb }, { "MemUsed:", total - free_kb },
        { "SwapCached:", 0 }, { "Active:", active_anon + active_file },
        { "Inactive:", inactive_anon + inactive_file }, { "Active(anon):", active_anon },
        { "Inactive(anon):", inactive_anon }, { "Active(file):", active_file },
        { "Inactive(file):", inactive_file }, { "Unevictable:", 17928 }, { "Mlocked:", 16924 },
        { "Dirty:", 2488 + (uint64_t)node * 100 }, { "Writeback:", 0 }, { "FilePages:", file },
        { "Mapped:", file / 8 }, { "AnonPages:", anon }, { "Shmem:", shmem },
        { "KernelStack:", kstack }, { "PageTables:", pt }, { "SecPageTables:", 0 },
        { "NFS_Unstable:", 0 }, { "Bounce:", 0 }, { "WritebackTmp:", 0 },
        { "KReclaimable:", slab * 3 / 4 }, { "Slab:", slab }, { "SReclaimable:", slab * 3 / 4 },
        { "SUnreclaim:", slab - slab * 3 / 4 }, { "AnonHugePages:", anon / 3 / 2048 * 2048 },
        { "ShmemHugePages:", 0 }, { "ShmemPmdMapped:", 0 }, { "FileHugePages:", 0 },
        { "FilePmdMapped:", 0 },
    };
    sb_reset(&g->buf);
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        sb_printf(&g->buf, "Node %d %-16s%8llu kB\n", node, f[i].name, (unsigned long long)f[i].kb);
    uint64_t free_huge = g->node_huge_used[node] < HUGE_PER_NODE
                         ? HUGE_PER_NODE - g->node_huge_used[node] : 0;
    sb_printf(&g->buf, "Node %d HugePages_Total: %5u\nNode %d HugePages_Free:  %5llu\n"
              "Node %d HugePages_Surp:  %5u\n", node, HUGE_PER_NODE, node,
              (unsigned long long)free_huge, node, 0u);
    char rel[96];
    snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/meminfo", node);
    write_buf(g, rel);
}

static void write_nodes(struct gen *g)
{
    static const int distance[NNODES][NNODES] = {
        { 10, 21, 31, 31 }, { 21, 10, 31, 31 }, { 31, 31, 10, 21 }, { 31, 31, 21, 10 },
    };
    char rel[128];
    make_dirs(g, "sys/devices/system/node");
    static const char *const lists[] = { "online", "possible", "has_cpu", "has_memory",
                                         "has_normal_memory" };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        snprintf(rel, sizeof(rel), "sys/devices/system/node/%s", lists[i]);
        write_textf(g, rel, "0-%d\n", NNODES - 1);
    }
    for (int n = 0; n < NNODES; n++) {
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/hugepages/hugepages-2048kB", n);
        make_dirs(g, rel);
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/hugepages/hugepages-1048576kB", n);
        make_dirs(g, rel);
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/cpulist", n);
        write_textf(g, rel, "%d-%d\n", n * CPUS_PER_NODE, n * CPUS_PER_NODE + CPUS_PER_NODE - 1);
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/cpumap", n);
        write_textf(g, rel, "%08x\n", ((1u << CPUS_PER_NODE) - 1) << (n * CPUS_PER_NODE));
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/distance", n);
        write_textf(g, rel, "%d %d %d %d\n", distance[n][0], distance[n][1], distance[n][2],
                    distance[n][3]);
        write_meminfo(g, n);
        uint64_t free_huge = g->node_huge_used[n] < HUGE_PER_NODE
                             ? HUGE_PER_NODE - g->node_huge_used[n] : 0;
        static const char *const files[] = { "nr_hugepages", "free_hugepages",
                                             "surplus_hugepages" };
        const uint64_t values2m[] = { HUGE_PER_NODE, free_huge, 0 };
        for (int k = 0; k < 3; k++) {
            snprintf(rel, sizeof(rel),
                     "sys/devices/system/node/node%d/hugepages/hugepages-2048kB/%s", n, files[k]);
            write_textf(g, rel, "%llu\n", (unsigned long long)values2m[k]);
            snprintf(rel, sizeof(rel),
                     "sys/devices/system/node/node%d/hugepages/hugepages-1048576kB/%s", n, files[k]);
            write_textf(g, rel, "0\n");
        }
    }
}

static void write_system(struct gen *g)
{
    make_dirs(g, "sys/devices/system/cpu");
    static const char *const lists[] = { "online", "possible", "present" };
    char rel[64];
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        snprintf(rel, sizeof(rel), "sys/devices/system/cpu/%s", lists[i]);
        write_textf(g, rel, "0-%d\n", NCPUS - 1);
    }
    write_textf(g, "proc/uptime", "%.2f %.2f\n", UPTIME_S, UPTIME_S * NCPUS * 0.83);
    make_dirs(g, "proc/sys/kernel");
    write_textf(g, "proc/sys/kernel/numa_balancing", "0\n");

    /* vmstat: this machine's, verbatim. */
    int fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("/proc/vmstat: %s", strerror(errno));
    sb_reset(&g->buf);
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        sb_printf(&g->buf, "%.*s", (int)n, chunk);
    if (n < 0)
        die("/proc/vmstat: %s", strerror(errno));
    close(fd);
    write_buf(g, "proc/vmstat");
}

static const char *kthread_name(struct rng *r, unsigned i, char *buf, size_t sz)
{
    int cpu = (int)(i % NCPUS);
    switch (rng_range(r, 0, 7)) {
    case 0: snprintf(buf, sz, "ksoftirqd/%d", cpu); break;
    case 1: snprintf(buf, sz, "migration/%d", cpu); break;
    case 2: snprintf(buf, sz, "cpuhp/%d", cpu); break;
    case 3: snprintf(buf, sz, "kworker/%d:%u-events", cpu, i % 3); break;
    case 4: snprintf(buf, sz, "kworker/u%d:%u-flush-253:0", NCPUS * 2, i % 7); break;
    case 5: snprintf(buf, sz, "kswapd%d", cpu % NNODES); break;
    case 6: snprintf(buf, sz, "xfsaild/dm-%u", i % 4); break;
    default: snprintf(buf, sz, "kworker/R-mm_percpu_wq"); break;
    }
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: gensysroot DIR NPROCS SEED");
    long nprocs, seed;
    if (np_parse_long_range(argv[2], 10, MAX_NPROCS, &nprocs) < 0)
        die("NPROCS must be a number in 10..%d", MAX_NPROCS);
    if (np_parse_long_range(argv[3], 0, LONG_MAX, &seed) < 0)
        die("SEED must be a non-negative number");
    if (mkdir(argv[1], 0755) < 0)
        die("mkdir %s: %s (the directory must not exist)", argv[1], strerror(errno));

    struct gen g;
    memset(&g, 0, sizeof(g));
    g.rootfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g.rootfd < 0)
        die("open %s: %s", argv[1], strerror(errno));
    g.rng.s = (uint64_t)seed * 0x2545f4914f6cdd1dULL + 1;
    g.hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    long pagesize = sysconf(_SC_PAGESIZE);
    g.page_kb = pagesize > 0 ? (uint64_t)pagesize / 1024 : 4;
    make_dirs(&g, "proc");

    /* Process 1, kthreadd and the kernel threads come first, like on a
     * real boot; the rest are services. BUSY of them are busy. */
    size_t n = (size_t)nprocs;
    size_t nkthreads = 1 + n * KTHREAD_PERCENT / 100;
    size_t nbusy = (n * BUSY_PERCENT + 50) / 100;
    size_t first_user = 1 + nkthreads;
    size_t nuser = n - first_user;
    if (nbusy == 0)
        nbusy = 1;
    bool *busy = calloc(n, sizeof(*busy));
    size_t *order = calloc(nuser, sizeof(*order));
    if (!busy || !order)
        die("out of memory");
    for (size_t i = 0; i < nuser; i++)
        order[i] = first_user + i;
    for (size_t i = 0; i < nbusy; i++) {   /* partial Fisher-Yates */
        size_t j = i + (size_t)rng_range(&g.rng, 0, nuser - 1 - i);
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
        busy[order[i]] = true;
    }

    sb_printf(&g.manifest, "# gensysroot manifest (not part of the root)\n"
              "nprocs %zu\nbusy_count %zu\nseed %ld\n", n, nbusy, seed);
    int pid = 1;
    unsigned service = 0;
    for (size_t i = 0; i < n; i++) {
        struct proc_spec s;
        memset(&s, 0, sizeof(s));
        s.pid = pid;
        if (i == 0) {
            snprintf(s.comm, sizeof(s.comm), "systemd");
            s.exe = "/usr/lib/systemd/systemd";
            s.nthreads = 1;
            s.start_ticks = 2;
            s.cpu_use = 0.0004;
        } else if (i <= nkthreads) {
            s.kthread = true;
            s.ppid = i == 1 ? 0 : 2;
            if (i == 1)
                snprintf(s.comm, sizeof(s.comm), "kthreadd");
            else
                kthread_name(&g.rng, (unsigned)i, s.comm, sizeof(s.comm));
            s.nthreads = 1;
            s.start_ticks = 2 + i * 3;
            s.cpu_use = rng_unit(&g.rng) * 0.002;
        } else {
            s.busy = busy[i];
            s.ppid = 1;
            s.service = service++;
            const struct program *p = s.busy
                ? &busy_programs[rng_range(&g.rng, 0, 7)]
                : &idle_programs[rng_range(&g.rng, 0, sizeof(idle_programs) / sizeof(idle_programs[0]) - 1)];
            snprintf(s.comm, sizeof(s.comm), "%s", p->comm);
            s.exe = p->exe;
            s.uid = rng_unit(&g.rng) < 0.3 ? 0 : (unsigned)rng_range(&g.rng, 100, 1999);
            s.nthreads = (unsigned)rng_range(&g.rng, 1, MAX_THREADS);
            /* Services started from a minute after boot until 10 minutes ago. */
            double start_s = 60 + rng_unit(&g.rng) * (UPTIME_S - 660);
            s.start_ticks = (uint64_t)(start_s * (double)g.hz);
            if (s.busy) {
                /* 0.5-1.5 CPUs: 20 of them fit a 32-CPU machine; 200 (the
                 * 10,000-process tree) overcommit it, which only the
                 * planner's CPU-room checks notice. */
                double max_use = s.nthreads < 2 ? 0.98 : 1.5;
                s.cpu_use = 0.5 + rng_unit(&g.rng) * (max_use - 0.5);
            } else {
                s.cpu_use = pow(rng_unit(&g.rng), 3) * 0.04;
            }
        }
        write_process(&g, &s);
        /* kthreadd is 2 and kernel threads come in a burst at boot; threads
         * take PIDs too, and short-lived processes came and went. */
        if (i == 0)
            pid = 2;
        else if (i <= nkthreads)
            pid += 1 + (int)rng_range(&g.rng, 0, 1);
        else
            pid += (int)s.nthreads + (int)rng_range(&g.rng, 0, 12);
    }
    write_nodes(&g);
    write_system(&g);
    /* The manifest names files under DIR but sits beside proc/ and sys/. */
    int fd = openat(g.rootfd, "bench-manifest.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, g.manifest.p, g.manifest.len) != (ssize_t)g.manifest.len || close(fd) < 0)
        die("bench-manifest.txt: %s", strerror(errno));

    printf("gensysroot: %s: %zu processes (%zu kernel threads, %zu busy), %lu threads, "
           "%.1f MiB of numa_maps\n", argv[1], n, nkthreads, nbusy, g.nthreads_total,
           (double)g.numa_maps_bytes / (1024.0 * 1024.0));
    printf("nprocs %zu busy %zu\n", n, nbusy);
    free(busy);
    free(order);
    free(g.buf.p);
    free(g.manifest.p);
    close(g.rootfd);
    return 0;
}
