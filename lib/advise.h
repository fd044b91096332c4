/* advise: where should a new workload of NCPUS CPUs and MB of memory go?
 * The answer to `numaplacectl advise N:MB` (numad -w's grammar and output,
 * which libvirt's placement='auto' parses).
 *
 * The smallest set of nearest nodes (a seed node plus its nearest nodes by
 * distance, ties lower id, as the planner builds them) with NCPUS of CPU room
 * and MB of memory above the headroom; among sets of that size the least
 * loaded (most CPU room left), then the most memory left, then the lowest
 * seed id. When no set has both: the smallest, least loaded set that has the
 * memory. When none has the memory: all nodes. Recent advice handed out by
 * the daemon counts as used (reservations), so VMs started together spread.
 * Pure and O(nodes^2 log nodes). */
#ifndef NP_ADVISE_H
#define NP_ADVISE_H

#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "topology.h"

/* Advice given earlier and not yet visible in the load figures: NCPUS and KB
 * spread over NODES (node ids), CPUs in proportion to each node's CPUs,
 * memory evenly. */
struct np_advise_reservation {
    struct np_nodeset nodes;
    unsigned ncpus;
    uint64_t kb;
};

struct np_advise_params {
    unsigned mem_headroom_pct;     /* % of each node's MemTotal kept free */
    double max_node_cpu_load;      /* fraction of a node's CPUs that may be used */
};

enum np_advise_fit {
    NP_ADVISE_FITS = 0,            /* CPU room and memory */
    NP_ADVISE_MEMORY_ONLY,         /* memory only: the least loaded such set */
    NP_ADVISE_ALL_NODES,           /* nothing has the memory */
};
const char *np_advise_fit_name(enum np_advise_fit f);   /* "fits", "memory-only", "all-nodes" */

/* NODE_LOAD: CPUs in use per node index (NLOAD entries; NULL or a count other
 * than TOPO->nnodes means unknown, taken as idle). RET gets node ids.
 * 0, or -EINVAL (NCPUS 0, no nodes). */
int np_advise(const struct np_topology *topo, const double *node_load, unsigned nload,
              const struct np_advise_reservation *res, size_t nres,
              const struct np_advise_params *params, unsigned ncpus, uint64_t mb,
              struct np_nodeset *ret, enum np_advise_fit *ret_fit);

/* Parses "NCPUS[:MB]" (numad -w): NCPUS 1..NP_MAX_CPUS, MB 0..2^40 (0 when
 * absent). 0 or -EINVAL/-ERANGE; outputs untouched on failure. */
int np_advise_parse(const char *s, unsigned *ret_ncpus, uint64_t *ret_mb);

#endif
