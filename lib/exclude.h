/* exclude: which processes numaplaced must leave alone, and why.
 *
 * Three kinds: never (kernel threads, ourselves), excluded by the admin
 * (config lists, runtime exclusions), and placed on purpose by someone else
 * (narrow Cpus_allowed/Mems_allowed, a bind/interleave/preferred mempolicy,
 * Kubernetes Guaranteed pods with exclusive cpusets, libvirt vCPU pinning).
 * Every skip has a reason the CLI can show. */
#ifndef NP_EXCLUDE_H
#define NP_EXCLUDE_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "fsroot.h"
#include "numamaps.h"
#include "sample.h"
#include "topology.h"

enum np_skip {
    NP_SKIP_NONE = 0,
    NP_SKIP_KTHREAD,
    NP_SKIP_SELF,
    NP_SKIP_EXCLUDED_PID,
    NP_SKIP_EXCLUDED_NAME,
    NP_SKIP_EXCLUDED_EXE,
    NP_SKIP_EXCLUDED_CGROUP,
    NP_SKIP_EXCLUDED_USER,
    NP_SKIP_RUNTIME_EXCLUDED,   /* numaplacectl exclude */
    NP_SKIP_PINNED_CPUS,        /* Cpus_allowed narrower than its cgroup's effective CPUs */
    NP_SKIP_PINNED_MEMS,        /* Mems_allowed narrower than the cgroup's effective mems */
    NP_SKIP_MEMPOLICY,          /* bind/interleave/preferred policy in numa_maps */
    NP_SKIP_K8S_GUARANTEED,     /* kubepods Guaranteed pod (exclusive cpuset) */
    NP_SKIP_LIBVIRT_PINNED,     /* libvirt machine scope with vCPU pinning */
    NP_SKIP_COUNT
};
const char *np_skip_name(enum np_skip s);    /* "kernel-thread", "excluded-name", ... */
/* True for the skips that say someone placed the process on purpose
 * (pinned CPUs or mems, a memory policy, Kubernetes, libvirt): what
 * policy.leave_pinned guards and a forced manual move overrides. */
bool np_skip_is_pin(enum np_skip s);

/* Checks that need only the cheap pass: kernel thread, self, pid, name. */
enum np_skip np_exclude_cheap(const struct np_exclusions *ex, const struct np_proc *p, int self_pid);
/* Checks that need the detail pass: exe, cgroup, user. */
enum np_skip np_exclude_detail(const struct np_exclusions *ex, const struct np_proc *p);

/* Was P placed on purpose by someone else? Compares its allowed CPUs/mems
 * with its cgroup's cpuset.{cpus,mems}.effective under ROOT (sys/fs/cgroup/
 * CGROUP; the root cgroup or no cpuset controller means all online CPUs and
 * nodes of TOPO), checks the memory policies MPOL (NULL when not read yet) and
 * the cgroup path for kubepods/libvirt layouts. DETAIL gets a short
 * explanation ("Cpus_allowed 0-1 narrower than cgroup's 0-3"). */
enum np_skip np_pinned_check(const struct np_root *root, const struct np_topology *topo,
                             const struct np_proc *p, const struct np_mpol_summary *mpol,
                             char *detail, size_t detailsz);

/* NP_SKIP_PINNED_CPUS, with DETAIL, when a thread of P (P->threads, from
 * the detail pass) may run on other CPUs than its main thread: someone set
 * that thread's affinity on purpose (a vCPU pinned by its manager, a worker
 * by its runtime), and placing P would overwrite it (restoring would give
 * it the main thread's). A thread gone meanwhile, or whose status cannot be
 * read, is passed over. */
enum np_skip np_pinned_threads_check(const struct np_root *root, const struct np_proc *p,
                                     char *detail, size_t detailsz);

/* True when P's cgroup (not the root) holds P alone (cgroup.procs lists only
 * P's pid), its cpuset.cpus is writable in principle (cpuset controller
 * enabled: the file exists), and it is not a kubepods/libvirt cgroup. */
bool np_cgroup_sole_tenant(const struct np_root *root, const struct np_proc *p);

/* fnmatch-style glob match used for all patterns (no FNM_PATHNAME for names;
 * FNM_PATHNAME off for paths as well so "*" crosses '/', documented). */
bool np_glob_match(const char *pattern, const char *s);

#endif
