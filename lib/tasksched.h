/* tasksched: the kernel's NUMA balancing statistics of one task, from
 * /proc/PID/task/TID/sched (kernel/sched/debug.c, printed when the kernel
 * has CONFIG_NUMA_BALANCING): the node the scheduler prefers for it, the
 * pages balancing migrated for it, and its hinting faults per memory node,
 * private and shared. A fault counts an access the kernel sampled, so the
 * fault counts are real access data where numa_maps only says where pages
 * are. The file's fields vary between kernels: every field is optional,
 * unknown lines are ignored, and malformed or out-of-range values are
 * skipped, never trusted. */
#ifndef NP_TASKSCHED_H
#define NP_TASKSCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "fsroot.h"

#define NP_TASK_SCHED_MAX (256 * 1024)   /* bytes read of one sched file */

struct np_task_numa {
    int preferred_nid;              /* -1: none (or not printed) */
    int current_node;               /* -1: not printed */
    uint64_t pages_migrated;        /* numa_pages_migrated */
    uint64_t total_faults;          /* total_numa_faults */
    unsigned nnodes;                /* 1 + the highest node with a numa_faults line */
    uint64_t faults_private[NP_MAX_NODES];  /* task_private, per memory node */
    uint64_t faults_shared[NP_MAX_NODES];   /* task_shared */
    unsigned skipped;               /* numa_faults lines refused (bad node or counts) */
};

/* Parses TEXT (LEN bytes, need not be NUL-terminated). 0 when at least one
 * NUMA balancing field was found, -ENODATA when none was (a kernel without
 * NUMA balancing, or not a sched file). */
int np_task_numa_parse(const char *text, size_t len, struct np_task_numa *ret);
/* Reads and parses proc/PID/task/TID/sched under ROOT: 0, -ENODATA, or
 * -errno of the read (-ENOENT/-ESRCH: the task is gone). */
int np_task_numa_read(const struct np_root *root, int pid, int tid, struct np_task_numa *ret);
/* Share of T's hinting faults (private and shared) on memory of node
 * NODE, 0..1; -1 when T has no faults recorded. */
double np_task_numa_fault_share(const struct np_task_numa *t, int node);

#endif
