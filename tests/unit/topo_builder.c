/* topo_builder: see topo_builder.h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "topo_builder.h"

#define GIB (1024ull * 1024ull)

struct np_topology *topo_new(unsigned nnodes, const int *ids, const unsigned *ncpus,
                             const int *dist)
{
    struct np_topology *t = calloc(1, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    t->nnodes = nnodes;
    t->nodes = calloc(nnodes, sizeof(*t->nodes));
    t->distance = calloc((size_t)nnodes * nnodes, sizeof(*t->distance));
    t->cpu_node_index = malloc(NP_MAX_CPUS * sizeof(*t->cpu_node_index));
    ck_assert(t->nodes && t->distance && t->cpu_node_index);
    memcpy(t->distance, dist, (size_t)nnodes * nnodes * sizeof(*dist));
    for (unsigned c = 0; c < NP_MAX_CPUS; c++)
        t->cpu_node_index[c] = -1;
    unsigned cpu = 0;
    for (unsigned i = 0; i < nnodes; i++) {
        struct np_node *n = &t->nodes[i];
        n->id = ids[i];
        n->ncpus = ncpus[i];
        for (unsigned c = 0; c < ncpus[i]; c++, cpu++) {
            np_cpuset_set(&n->cpus, cpu);
            t->cpu_node_index[cpu] = (short)i;
        }
        n->mem_total_kb = 16 * GIB;
        n->mem_free_kb = 8 * GIB;
        n->nhuge = 1;
        n->huge[0].page_kb = 2048;
        n->huge[0].total = 1024;
        n->huge[0].free = 0;
    }
    t->max_node_id = ids[nnodes - 1];
    t->ncpus_online = cpu;
    return t;
}

void topo_free(struct np_topology *t)
{
    free(t->nodes);
    free(t->distance);
    free(t->cpu_node_index);
    free(t);
}

struct np_topology *topo_one_cpu_nodes(void)
{
    static const int ids[] = {0, 1, 2, 3};
    static const unsigned cpus[] = {1, 1, 1, 1};
    static const int dist[] = {10, 21, 31, 31, 21, 10, 31, 31, 31, 31, 10, 21, 31, 31, 21, 10};
    return topo_new(4, ids, cpus, dist);
}
