/* threadplan: one node per busy thread of a process that spans nodes.
 *
 * A process whose threads need more CPU than any one node has cannot be
 * placed whole. With the kernel's NUMA balancing on, each thread's pages
 * follow the thread (hinting faults migrate them to where it runs), so
 * what such a process needs is threads that stay put: the scheduler
 * moving them from node to node makes the kernel chase them. This stage
 * chooses a node for each busy thread, within each node's CPU room; the
 * planner (plan.h, rule 7) decides when, the actuator binds each thread
 * to its node's CPUs.
 *
 * Order, deterministic:
 *  1. A thread already running on the node whose memory it accesses most
 *     stays there (nothing to copy, nothing to move), busiest first
 *     (ties: lower tid).
 *  2. The others, busiest first (ties: lower tid), go to the node they
 *     access most, else the node they run on, else the node with the
 *     most room left, nearest by distance to the one they access most
 *     (ties: lower index). Each takes its CPU use off its node's room.
 *  3. A thread that fits no node fails the plan: crowding a node to keep
 *     a thread bound would cement an overload the scheduler could undo. */
#ifndef NP_THREADPLAN_H
#define NP_THREADPLAN_H

#include <stddef.h>
#include "topology.h"

struct np_thread_use {
    int tid;
    double cpu_use;         /* CPUs it used over the last interval */
    int run_node;           /* node index it runs on, -1 unknown */
    int access_node;        /* node index whose memory it accesses most (the
                               kernel's hinting faults), -1 unknown */
};

/* ROOM: per node index, the CPU the N threads may take there (capacity
 * less everyone else's load; a node without CPUs takes none). Writes each
 * thread's node index to RET_NODE. 0, -ENOSPC when a thread fits no node
 * (RET_NODE is then undefined), -EINVAL on bad input. */
int np_thread_plan(const struct np_topology *topo, const double *room,
                   const struct np_thread_use *threads, size_t n, int *ret_node);

#endif
