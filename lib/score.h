/* score: how badly placed a process is, and how much fixing it is worth.
 *
 * For node indexes i (where its CPU time is spent, share c_i) and j (where
 * its memory is, m_j kB of M in all):
 *   locality    = sum_i c_i * m_i / M
 *   remote_cost = sum_i c_i * sum_j m_j * (d_ij - d_ii) / d_ii / M
 *                 (0 when all local; 1.1 when all memory is at distance 21)
 *   remote_kb   = M * (1 - locality)
 *   benefit     = M * remote_cost / 1024 * cpu_use   ("remote MiB x CPUs")
 * Deterministic: the same inputs give the same doubles. */
#ifndef NP_SCORE_H
#define NP_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include "numamaps.h"
#include "sample.h"
#include "topology.h"

struct np_score {
    unsigned nnodes;          /* = topology nnodes */
    double *cpu_share;        /* per node index, sums to 1 (or all 0 if no threads) */
    uint64_t *mem_kb;         /* per node index */
    uint64_t total_kb;        /* memory on known nodes */
    double cpu_use;           /* CPUs, e.g. 1.7 */
    double locality;          /* what placement goes by: access_locality when
                                 access_used, else resident_locality */
    double remote_cost;
    uint64_t remote_kb;       /* memory not local to its threads (residency) */
    double benefit;
    /* Where the planner counts the process's memory as being: mem_kb, or
     * with access data its accesses spread over total_kb (per node index). */
    uint64_t *place_kb;
    double resident_locality; /* from where its pages are (numa_maps) */
    bool access_used;         /* locality and place_kb come from access faults */
    double access_locality;   /* its accesses local to where its threads run */
    uint64_t access_faults;   /* the faults that share was taken over */
};

/* Per-node CPU share from THREADS: thread t counts WEIGHT[t] (CPU ticks used
 * recently) on the node of its last_cpu. If all weights are 0 (or WEIGHT is
 * NULL) each thread counts 1. Threads on unknown CPUs are ignored.
 * RET_SHARE has topo->nnodes entries. 0, or -ENODATA when nothing counted. */
int np_score_cpu_share(const struct np_topology *topo, const struct np_thread *threads,
                       size_t nthreads, const double *weight, double *ret_share);

/* Fills RET (arrays allocated here; free with np_score_clear). CPU_SHARE has
 * topo->nnodes entries. 0 or -errno. */
int np_score_compute(const struct np_topology *topo, const struct np_numa_maps *mem,
                     const double *cpu_share, double cpu_use, struct np_score *ret);
/* With the kernel's NUMA balancing on, its hinting faults say where a
 * process's threads actually access memory, where numa_maps only says
 * where its pages are. Makes S go by them: FAULT_SHARE (per node index,
 * sums to 1) is where its accesses went, FAULTS how many faults that was
 * taken over. Locality is computed as from residency, with the accesses in
 * place of the pages: the CPU share of each node times the share of the
 * accesses there (the faults are decayed history, so they are set against
 * where its threads ran over the window, not one instant's last CPU).
 * locality, place_kb, remote_cost and benefit follow; mem_kb, remote_kb
 * and resident_locality keep the residency. 0 or -EINVAL. */
int np_score_use_access(const struct np_topology *topo, const double *fault_share,
                        uint64_t faults, struct np_score *s);
/* The same from JOINT (nnodes x nnodes, sums to 1): the share of the
 * accesses made from node i (where the thread that made them ran) to
 * memory on node j, at [i * nnodes + j]. For a process whose threads are
 * placed apart, each thread's accesses count from its own node, where the
 * product above would spread every thread's accesses over all of them.
 * (cpu_share sums to 1 with the product, not necessarily here: a joint
 * matrix need not match the window's CPU shares.) 0 or -EINVAL. */
int np_score_use_access_joint(const struct np_topology *topo, const double *joint,
                              uint64_t faults, struct np_score *s);
void np_score_clear(struct np_score *s);

#endif
