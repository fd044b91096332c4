/* topology: the machine's NUMA nodes as /sys describes them.
 *
 * Node ids may be sparse (0,2) or have no CPUs; everything else in lib/
 * indexes nodes by their position in np_topology.nodes (sorted by id) and
 * converts ids with np_topology_index(). Memory figures are refreshed every
 * cycle (cheap); the rest is re-read only when the online CPU or node set
 * changes (compare np_topology_signature()). */
#ifndef NP_TOPOLOGY_H
#define NP_TOPOLOGY_H

#include <stdint.h>
#include "bitset.h"
#include "fsroot.h"

#define NP_MAX_HUGE_SIZES 4   /* x86 has 2 MiB and 1 GiB; room for others */

struct np_hugepool {
    uint64_t page_kb;      /* 2048, 1048576, ... */
    uint64_t total;        /* nr_hugepages on this node */
    uint64_t free;         /* free_hugepages on this node */
};

struct np_node {
    int id;
    struct np_cpuset cpus;          /* from nodeN/cpulist */
    unsigned ncpus;
    uint64_t mem_total_kb;          /* nodeN/meminfo MemTotal */
    uint64_t mem_free_kb;           /* MemFree */
    uint64_t file_pages_kb;         /* FilePages */
    uint64_t inactive_file_kb;      /* Inactive(file): reclaimable without much harm */
    unsigned nhuge;
    struct np_hugepool huge[NP_MAX_HUGE_SIZES]; /* sorted by page_kb */
};

struct np_topology {
    unsigned nnodes;
    struct np_node *nodes;          /* nnodes entries, sorted by id */
    int *distance;                  /* nnodes*nnodes, [from_index*nnodes + to_index] (SLIT, 10 = local) */
    int max_node_id;
    unsigned ncpus_online;
    short *cpu_node_index;          /* NP_MAX_CPUS entries: node index of each CPU, -1 if none/offline */
};

/* Reads sys/devices/system/node/{online,nodeN/cpulist,nodeN/distance,
 * nodeN/meminfo,nodeN/hugepages/hugepages-*kB/{nr,free}_hugepages} under ROOT.
 * A machine without sys/devices/system/node (NUMA off) is one node 0 holding
 * all online CPUs, with memory from proc/meminfo.
 * Returns 0 or -errno (-EINVAL for unparsable content). */
int np_topology_read(const struct np_root *root, struct np_topology **ret);
/* Re-reads only memory and hugepage figures (every cycle). 0 or -errno. */
int np_topology_refresh_memory(const struct np_root *root, struct np_topology *topo);
struct np_topology *np_topology_free(struct np_topology *topo);

/* Index of node ID, or -ENOENT. */
int np_topology_index(const struct np_topology *topo, int node_id);
/* Distance between node indexes. */
int np_topology_distance(const struct np_topology *topo, unsigned from_idx, unsigned to_idx);
/* Node index of CPU, or -1. */
int np_topology_cpu_node(const struct np_topology *topo, int cpu);
/* Free memory usable for placement on node index I: MemFree + Inactive(file). */
uint64_t np_node_usable_kb(const struct np_node *n);
/* Usable memory above HEADROOM_PCT of the node's MemTotal: what a
 * placement may fill (0 when the node is already inside its headroom). */
uint64_t np_node_room_kb(const struct np_node *n, unsigned headroom_pct);
/* np_node_room_kb of node NODE_ID from a fresh read of its meminfo under
 * ROOT (any thread). 0 or -errno (no node directory: -ENOENT). */
int np_node_read_room_kb(const struct np_root *root, int node_id, unsigned headroom_pct, uint64_t *ret);
/* Free hugetlb memory of page size PAGE_KB on node NODE_ID, from a fresh
 * read of its free_hugepages under ROOT (any thread): the room a hugetlb
 * move has there (the pool's pages are outside MemFree). 0 or -errno. */
int np_node_read_free_huge_kb(const struct np_root *root, int node_id, uint64_t page_kb,
                              uint64_t *ret);
/* Hugepool of PAGE_KB on node N, or NULL. */
const struct np_hugepool *np_node_hugepool(const struct np_node *n, uint64_t page_kb);

/* Text that changes when the online CPU or node set changes
 * (sys/devices/system/{cpu,node}/online). 0 or -errno. */
int np_topology_signature(const struct np_root *root, char *buf, size_t bufsz);

#endif
