/* exclude: see exclude.h. */
#include "exclude.h"
#include "parse.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NP_CGROUP_REL_MAX   (NP_CGROUP_MAX + 64)
#define NP_CGROUP_PROCS_MAX 4096   /* a sole tenant's cgroup.procs is one line */
#define NP_MAX_VCPU_DIRS    4096   /* libvirt/vcpuN entries examined per VM */

static const char *const skip_names[NP_SKIP_COUNT] = {
    [NP_SKIP_NONE]             = "none",
    [NP_SKIP_KTHREAD]          = "kernel-thread",
    [NP_SKIP_SELF]             = "self",
    [NP_SKIP_EXCLUDED_PID]     = "excluded-pid",
    [NP_SKIP_EXCLUDED_NAME]    = "excluded-name",
    [NP_SKIP_EXCLUDED_EXE]     = "excluded-exe",
    [NP_SKIP_EXCLUDED_CGROUP]  = "excluded-cgroup",
    [NP_SKIP_EXCLUDED_USER]    = "excluded-user",
    [NP_SKIP_RUNTIME_EXCLUDED] = "runtime-excluded",
    [NP_SKIP_PINNED_CPUS]      = "pinned-cpus",
    [NP_SKIP_PINNED_MEMS]      = "pinned-mems",
    [NP_SKIP_MEMPOLICY]        = "mempolicy",
    [NP_SKIP_K8S_GUARANTEED]   = "k8s-guaranteed",
    [NP_SKIP_LIBVIRT_PINNED]   = "libvirt-pinned",
};

const char *np_skip_name(enum np_skip s)
{
    if ((unsigned)s >= NP_SKIP_COUNT || !skip_names[s])
        return "unknown";
    return skip_names[s];
}

bool np_skip_is_pin(enum np_skip s)
{
    return s >= NP_SKIP_PINNED_CPUS && s <= NP_SKIP_LIBVIRT_PINNED;
}

bool np_glob_match(const char *pattern, const char *s)
{
    if (!pattern || !s)
        return false;
    return fnmatch(pattern, s, 0) == 0;
}

static bool match_any(char *const *patterns, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (np_glob_match(patterns[i], s))
            return true;
    return false;
}

enum np_skip np_exclude_cheap(const struct np_exclusions *ex, const struct np_proc *p, int self_pid)
{
    if ((p->flags & NP_PF_KTHREAD) || p->pid == 2 || p->ppid == 2)
        return NP_SKIP_KTHREAD;
    if (p->pid == self_pid)
        return NP_SKIP_SELF;
    if (!ex)
        return NP_SKIP_NONE;
    for (size_t i = 0; i < ex->npids; i++)
        if (ex->pids[i] == p->pid)
            return NP_SKIP_EXCLUDED_PID;
    if (match_any(ex->names, ex->nnames, p->comm))
        return NP_SKIP_EXCLUDED_NAME;
    return NP_SKIP_NONE;
}

/* Cgroup patterns written without the leading '/' ("system.slice/x") match
 * too: both spellings are common and neither is ambiguous. */
static bool cgroup_matches(char *const *patterns, size_t n, const char *cgroup)
{
    for (size_t i = 0; i < n; i++) {
        const char *pat = patterns[i];
        const char *s = cgroup;
        if (pat[0] != '/' && pat[0] != '*' && s[0] == '/')
            s++;
        if (np_glob_match(pat, s))
            return true;
    }
    return false;
}

enum np_skip np_exclude_detail(const struct np_exclusions *ex, const struct np_proc *p)
{
    if (!ex)
        return NP_SKIP_NONE;
    /* An unreadable exe or missing cgroup is "", which "*" would match. */
    if (p->exe[0] && match_any(ex->exes, ex->nexes, p->exe))
        return NP_SKIP_EXCLUDED_EXE;
    if (p->cgroup[0] && cgroup_matches(ex->cgroups, ex->ncgroups, p->cgroup))
        return NP_SKIP_EXCLUDED_CGROUP;
    /* Without the detail pass uid is 0, not the owner. */
    if (p->detailed)
        for (size_t i = 0; i < ex->nusers; i++)
            if (ex->users[i] == p->uid)
                return NP_SKIP_EXCLUDED_USER;
    return NP_SKIP_NONE;
}

/* ---- cgroup paths ---- */

/* Copies P's cgroup path without its leading '/' into BUF ("" for the root).
 * False when there is none we can use: v1-only, or a path outside our
 * cgroup namespace ("/../..") that must not be followed under sys/fs/cgroup. */
static bool cgroup_rel(const struct np_proc *p, char *buf, size_t bufsz)
{
    const char *cg = p->cgroup;
    if (cg[0] != '/')
        return false;
    while (*cg == '/')
        cg++;
    for (const char *c = cg; *c; ) {
        size_t len = strcspn(c, "/");
        if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += len;
        while (*c == '/')
            c++;
    }
    size_t len = strlen(cg);
    while (len > 0 && cg[len - 1] == '/')
        len--;
    if (len >= bufsz)
        return false;
    memcpy(buf, cg, len);
    buf[len] = '\0';
    return true;
}

/* Next path component of *P (no leading '/'); LEN gets its length. */
static const char *next_component(const char **p, size_t *len)
{
    while (**p == '/')
        (*p)++;
    if (!**p)
        return NULL;
    const char *c = *p;
    *len = strcspn(c, "/");
    *p += *len;
    return c;
}

static bool component_matches(const char *c, size_t len, const char *pattern)
{
    char buf[NP_CGROUP_MAX];
    if (len >= sizeof(buf))
        return false;
    memcpy(buf, c, len);
    buf[len] = '\0';
    return fnmatch(pattern, buf, 0) == 0;
}

/* Length of the prefix of REL that ends with component B where component A
 * directly precedes it (A and B are globs), or 0 when there is none. */
static size_t find_pair(const char *rel, const char *a, const char *b)
{
    const char *p = rel, *c;
    size_t len;
    bool prev_a = false;
    while ((c = next_component(&p, &len))) {
        if (prev_a && component_matches(c, len, b))
            return (size_t)(c + len - rel);
        prev_a = component_matches(c, len, a);
    }
    return 0;
}

/* Guaranteed pods sit directly under the kubepods root; Burstable and
 * BestEffort pods have a kubepods-burstable/-besteffort level in between. */
static bool is_k8s_guaranteed(const char *rel)
{
    return find_pair(rel, "kubepods.slice", "kubepods-pod*.slice") > 0 ||
           find_pair(rel, "kubepods", "pod*") > 0;
}

static bool is_kubepods(const char *rel)
{
    const char *p = rel, *c;
    size_t len;
    while ((c = next_component(&p, &len)))
        if (component_matches(c, len, "kubepods") || component_matches(c, len, "kubepods.slice"))
            return true;
    return false;
}

/* Length of the machine-qemu*.scope prefix of REL, or 0. */
static size_t libvirt_scope_len(const char *rel)
{
    return find_pair(rel, "machine.slice", "machine-qemu*.scope");
}

/* ---- sets ---- */

static void topology_cpus(const struct np_topology *topo, struct np_cpuset *ret)
{
    np_cpuset_zero(ret);
    for (unsigned i = 0; topo && i < topo->nnodes; i++)
        for (unsigned w = 0; w < NP_MAX_CPUS / 64; w++)
            ret->w[w] |= topo->nodes[i].cpus.w[w];
}

static void topology_nodes(const struct np_topology *topo, struct np_nodeset *ret)
{
    np_nodeset_zero(ret);
    for (unsigned i = 0; topo && i < topo->nnodes; i++)
        if (topo->nodes[i].id >= 0 && topo->nodes[i].id < NP_MAX_NODES)
            np_nodeset_set(ret, (unsigned)topo->nodes[i].id);
}

/* Reads a cpulist file of the cgroup at REL. 0, -ENODATA when empty, -errno. */
static int read_cgroup_list(const struct np_root *root, const char *rel, const char *file,
                            uint64_t *w, unsigned nbits)
{
    char path[NP_CGROUP_REL_MAX + 64];
    char text[8192];   /* "0,2,4,..." lists of big machines */
    int n = snprintf(path, sizeof(path), "sys/fs/cgroup/%s%s%s", rel, *rel ? "/" : "", file);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -ENAMETOOLONG;
    long len = np_read_file(root, path, text, sizeof(text));
    if (len < 0)
        return (int)len;
    uint64_t tmp[NP_MAX_CPUS / 64];
    int r = np_bits_parse_list(tmp, nbits, text);
    if (r < 0)
        return r;
    if (np_bits_empty(tmp, nbits))
        return -ENODATA;
    memcpy(w, tmp, nbits / 8);
    return 0;
}

/* The effective set of cgroup REL: FILE there or in the nearest ancestor that
 * has it; the root cgroup (or no cpuset anywhere) means FALLBACK. */
static void effective_set(const struct np_root *root, const char *rel, const char *file,
                          const uint64_t *fallback, uint64_t *ret, unsigned nbits)
{
    char cur[NP_CGROUP_REL_MAX];
    snprintf(cur, sizeof(cur), "%s", rel);
    while (cur[0]) {
        if (read_cgroup_list(root, cur, file, ret, nbits) == 0)
            return;
        char *slash = strrchr(cur, '/');
        if (slash)
            *slash = '\0';
        else
            cur[0] = '\0';
    }
    memcpy(ret, fallback, nbits / 8);
}

/* Is SET non-empty and missing some of ALL? */
static bool narrower_than(const uint64_t *set, const uint64_t *all, unsigned nbits)
{
    return !np_bits_empty(set, nbits) && !np_bits_subset(all, set, nbits);
}

static void set_detail(char *detail, size_t detailsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_detail(char *detail, size_t detailsz, const char *fmt, ...)
{
    if (!detail || detailsz == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, detailsz, fmt, ap);
    va_end(ap);
}

static void format_set(const uint64_t *w, unsigned nbits, char *buf, size_t bufsz)
{
    if (np_bits_format_list(w, nbits, buf, bufsz) < 0 && bufsz > 4)
        strcpy(buf + bufsz - 4, "...");   /* truncated list */
}

/* First libvirt/vcpu* of the scope SCOPE with a narrow cpuset.cpus. */
static bool libvirt_vcpu_pinned(const struct np_root *root, const char *scope,
                                const struct np_cpuset *all, char *detail, size_t detailsz)
{
    char dirpath[NP_CGROUP_REL_MAX + 32];
    int n = snprintf(dirpath, sizeof(dirpath), "sys/fs/cgroup/%s/libvirt", scope);
    if (n < 0 || (size_t)n >= sizeof(dirpath))
        return false;
    DIR *d;
    if (np_open_dir(root, dirpath, &d) < 0)
        return false;
    bool pinned = false;
    unsigned seen = 0;
    struct dirent *e;
    while (!pinned && seen++ < NP_MAX_VCPU_DIRS && (e = readdir(d))) {
        if (fnmatch("vcpu*", e->d_name, 0) != 0)
            continue;
        char rel[NP_CGROUP_REL_MAX + 300];
        n = snprintf(rel, sizeof(rel), "%s/libvirt/%s", scope, e->d_name);
        if (n < 0 || (size_t)n >= sizeof(rel))
            continue;
        struct np_cpuset vcpu;
        if (read_cgroup_list(root, rel, "cpuset.cpus", NP_CPUS(&vcpu)) < 0)
            continue;
        if (narrower_than(vcpu.w, all->w, NP_MAX_CPUS)) {
            char set[128];
            format_set(NP_CPUS(&vcpu), set, sizeof(set));
            set_detail(detail, detailsz, "libvirt pins %s to CPUs %s", e->d_name, set);
            pinned = true;
        }
    }
    closedir(d);
    return pinned;
}

/* True, with DETAIL, when ALLOWED (a process's Cpus_allowed or
 * Mems_allowed) leaves out part of its cgroup's effective FILE: someone
 * narrowed it on purpose. NBITS <= NP_MAX_CPUS. */
static bool narrower_than_cgroup(const struct np_root *root, const char *rel, const char *file,
                                 const char *what, const uint64_t *allowed, const uint64_t *all,
                                 unsigned nbits, char *detail, size_t detailsz)
{
    uint64_t eff[NP_MAX_CPUS / 64];
    effective_set(root, rel, file, all, eff, nbits);
    if (np_bits_subset(eff, allowed, nbits))
        return false;
    char a[128], b[128];
    format_set(allowed, nbits, a, sizeof(a));
    format_set(eff, nbits, b, sizeof(b));
    set_detail(detail, detailsz, "%s %s narrower than cgroup's %s", what, a, b);
    return true;
}

enum np_skip np_pinned_check(const struct np_root *root, const struct np_topology *topo,
                             const struct np_proc *p, const struct np_mpol_summary *mpol,
                             char *detail, size_t detailsz)
{
    set_detail(detail, detailsz, "%s", "");
    struct np_cpuset all_cpus;
    struct np_nodeset all_nodes;
    topology_cpus(topo, &all_cpus);
    topology_nodes(topo, &all_nodes);

    char rel[NP_CGROUP_REL_MAX];
    bool have_cgroup = p->detailed && cgroup_rel(p, rel, sizeof(rel));

    if (have_cgroup && is_k8s_guaranteed(rel)) {
        struct np_cpuset cs;
        if (read_cgroup_list(root, rel, "cpuset.cpus", NP_CPUS(&cs)) == 0 &&
            narrower_than(cs.w, all_cpus.w, NP_MAX_CPUS)) {
            char set[128];
            format_set(NP_CPUS(&cs), set, sizeof(set));
            set_detail(detail, detailsz, "Kubernetes Guaranteed pod with exclusive CPUs %s", set);
            return NP_SKIP_K8S_GUARANTEED;
        }
    }
    size_t scope_len = have_cgroup ? libvirt_scope_len(rel) : 0;
    if (scope_len > 0) {
        char scope[NP_CGROUP_REL_MAX];
        snprintf(scope, sizeof(scope), "%.*s", (int)scope_len, rel);
        if (libvirt_vcpu_pinned(root, scope, &all_cpus, detail, detailsz))
            return NP_SKIP_LIBVIRT_PINNED;
    }

    /* Without the detail pass the allowed sets are empty, not narrow. */
    if (p->detailed && !np_bits_empty(NP_CPUS(&p->cpus_allowed)) &&
        narrower_than_cgroup(root, have_cgroup ? rel : "", "cpuset.cpus.effective", "Cpus_allowed",
                             p->cpus_allowed.w, all_cpus.w, NP_MAX_CPUS, detail, detailsz))
        return NP_SKIP_PINNED_CPUS;
    if (p->detailed && !np_bits_empty(NP_NODES(&p->mems_allowed)) &&
        narrower_than_cgroup(root, have_cgroup ? rel : "", "cpuset.mems.effective", "Mems_allowed",
                             p->mems_allowed.w, all_nodes.w, NP_MAX_NODES, detail, detailsz))
        return NP_SKIP_PINNED_MEMS;
    if (mpol && np_mpol_decides(mpol, detail, detailsz))
        return NP_SKIP_MEMPOLICY;
    return NP_SKIP_NONE;
}

enum np_skip np_pinned_threads_check(const struct np_root *root, const struct np_proc *p,
                                     char *detail, size_t detailsz)
{
    set_detail(detail, detailsz, "%s", "");
    if (!p->detailed || np_bits_empty(NP_CPUS(&p->cpus_allowed)))
        return NP_SKIP_NONE;
    for (size_t i = 0; i < p->nthreads; i++) {
        int tid = p->threads[i].tid;
        struct np_cpuset cpus;
        if (tid == p->pid || np_sample_thread_affinity(root, p->pid, tid, &cpus) < 0)
            continue;
        if (np_bits_equal(cpus.w, p->cpus_allowed.w, NP_MAX_CPUS))
            continue;
        char set[128], main_set[128];
        format_set(NP_CPUS(&cpus), set, sizeof(set));
        format_set(NP_CPUS(&p->cpus_allowed), main_set, sizeof(main_set));
        set_detail(detail, detailsz, "thread %d pinned to CPUs %s (the process's are %s)", tid, set,
                   main_set);
        return NP_SKIP_PINNED_CPUS;
    }
    return NP_SKIP_NONE;
}

bool np_cgroup_sole_tenant(const struct np_root *root, const struct np_proc *p)
{
    char rel[NP_CGROUP_REL_MAX];
    if (!cgroup_rel(p, rel, sizeof(rel)) || rel[0] == '\0')
        return false;
    if (is_kubepods(rel) || libvirt_scope_len(rel) > 0)
        return false;

    char path[NP_CGROUP_REL_MAX + 64];
    char text[NP_CGROUP_PROCS_MAX];
    snprintf(path, sizeof(path), "sys/fs/cgroup/%s/cpuset.cpus", rel);
    if (np_read_file(root, path, text, sizeof(text)) < 0)
        return false;
    snprintf(path, sizeof(path), "sys/fs/cgroup/%s/cgroup.procs", rel);
    if (np_read_file(root, path, text, sizeof(text)) < 0)
        return false;

    unsigned count = 0;
    bool found = false;
    for (const char *s = text; *s; ) {
        if (*s == '\n') {
            s++;
            continue;
        }
        uint64_t pid;
        if (np_scan_u64(&s, &pid) < 0 || (*s && *s != '\n'))
            return false;
        count++;
        found |= pid == (uint64_t)p->pid;
    }
    return count == 1 && found;
}
