/* topo_builder: hand-built topologies for the planner and score tests,
 * independent of topology.c (what those modules read is the struct). */
#ifndef NP_TEST_TOPO_BUILDER_H
#define NP_TEST_TOPO_BUILDER_H

#include "topology.h"

/* NNODES nodes with ids IDS, NCPUS[i] CPUs each (numbered in order), the
 * SLIT DIST (nnodes x nnodes), 16 GiB with 8 GiB free, and one 2 MiB
 * hugepage pool of 1024 pages, none free. */
struct np_topology *topo_new(unsigned nnodes, const int *ids, const unsigned *ncpus,
                             const int *dist);
void topo_free(struct np_topology *t);
/* Four one-CPU nodes, pairs {0,1} and {2,3} at 21, across at 31: the
 * guest's shuffled and misplaced setups. */
struct np_topology *topo_one_cpu_nodes(void);

#endif
