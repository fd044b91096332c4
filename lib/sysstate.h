/* sysstate: system-wide NUMA counters (/proc/vmstat), the kernel's own
 * automatic NUMA balancing setting, which numaplaced must coexist with, and
 * each node's CPU load measured from /proc/stat.
 *
 * Node CPU load is measured, not inferred from where the processes we know
 * about are placed: a process whose main thread idles on node 0 while its
 * workers run on nodes 2 and 3 loads nodes 2 and 3, not node 0, and the
 * processes we never sampled load nodes too. Per-CPU busy time is what the
 * scheduler actually ran there. */
#ifndef NP_SYSSTATE_H
#define NP_SYSSTATE_H

#include <stdint.h>
#include "bitset.h"
#include "fsroot.h"
#include "topology.h"

struct np_vmstat {
    uint64_t numa_hit, numa_miss, numa_foreign, numa_interleave, numa_local, numa_other;
    uint64_t numa_pte_updates, numa_huge_pte_updates;
    uint64_t numa_hint_faults, numa_hint_faults_local, numa_pages_migrated;
    uint64_t pgmigrate_success, pgmigrate_fail;
};

/* Reads proc/vmstat (missing counters stay 0). 0 or -errno. */
int np_vmstat_read(const struct np_root *root, struct np_vmstat *ret);
/* Parses vmstat text. 0 or -EINVAL. */
int np_vmstat_parse(const char *text, struct np_vmstat *ret);

/* proc/sys/kernel/numa_balancing: 0 off, 1 on, 2 memory tiering, 3 both.
 * -ENOENT when the kernel lacks it (treated as off by callers). */
int np_numa_balancing_read(const struct np_root *root, int *ret_mode);

/* Per-CPU busy and total time from proc/stat, in USER_HZ ticks. */
struct np_cpu_times {
    unsigned ncpus;             /* highest cpuN seen + 1, <= NP_MAX_CPUS */
    uint64_t *busy;             /* ncpus entries indexed by CPU id: user+nice+system
                                 * +irq+softirq+steal (not idle, iowait; guest and
                                 * guest_nice are already inside user and nice) */
    uint64_t *total;            /* busy + idle + iowait */
    struct np_cpuset present;   /* CPU ids that had a line (offline CPUs have none);
                                 * busy/total of the others are 0 */
};

/* Parses proc/stat text. The aggregate "cpu " line and every line that does
 * not start with "cpu<digit>" (intr, ctxt, btime, ...) are ignored; cpuN
 * lines may come in any order and with gaps. Each needs at least the 4
 * fields of Linux 2.4 (user nice system idle); missing later ones are 0 and
 * numeric fields past the 10 known are ignored (at most 32 in all). A
 * reading is used whole or not at all, so a CPU cannot silently drop out:
 * a malformed cpuN line, cpuN lines with differing field counts (a truncated
 * file), a repeated id or no cpuN line at all give -EINVAL; a cpu id >=
 * NP_MAX_CPUS (which the topology cannot hold either) or a field above
 * UINT64_MAX gives -ERANGE. Sums of fields that fit saturate at UINT64_MAX
 * (np_node_cpu_use skips such a CPU). RET is overwritten, not freed: clear a
 * previous reading first. 0, -EINVAL, -ERANGE or -ENOMEM; RET untouched on
 * failure. */
int np_cpu_times_parse(const char *text, struct np_cpu_times *ret);
/* Reads and parses proc/stat (at most 4 MiB: ~8192 CPUs and a long intr line
 * fit; -E2BIG beyond, -EINVAL for a NUL byte in it). 0 or -errno. */
int np_cpu_times_read(const struct np_root *root, struct np_cpu_times *ret);
/* Frees T's arrays and zeroes it; NULL and a zeroed T are fine. */
void np_cpu_times_clear(struct np_cpu_times *t);

/* CPUs in use per node index of TOPO between readings PREV and NOW: for each
 * node, the sum over its CPUs present in both readings of busy delta / total
 * delta, a value in 0..ncpus of the node (each CPU's share is capped at 1:
 * idle and iowait can step back on NO_HZ kernels). A CPU present in only one
 * reading (it went on- or offline) or in no node of TOPO is not counted. A
 * CPU whose busy or total went backwards (hotplug reset), whose total did
 * not advance, or whose counters saturated counts 0 and is counted in
 * *RET_SKIPPED_CPUS (may be NULL). RET has topo->nnodes entries.
 * 0, or -EINVAL (NULL arguments, a reading with NULL arrays or ncpus >
 * NP_MAX_CPUS, a topology without a CPU map) with RET untouched. */
int np_node_cpu_use(const struct np_topology *topo, const struct np_cpu_times *prev,
                    const struct np_cpu_times *now, double *ret, unsigned *ret_skipped_cpus);

#endif
