/* advise: see advise.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "advise.h"
#include "parse.h"

#define EPS 1e-9

const char *np_advise_fit_name(enum np_advise_fit f)
{
    switch (f) {
    case NP_ADVISE_FITS: return "fits";
    case NP_ADVISE_MEMORY_ONLY: return "memory-only";
    case NP_ADVISE_ALL_NODES: return "all-nodes";
    }
    return "?";
}

int np_advise_parse(const char *s, unsigned *ret_ncpus, uint64_t *ret_mb)
{
    if (!s)
        return -EINVAL;
    const char *p = s;
    uint64_t ncpus, mb = 0;
    int r = np_scan_u64(&p, &ncpus);
    if (r < 0)
        return r;
    if (*p == ':') {
        p++;
        r = np_scan_u64(&p, &mb);
        if (r < 0)
            return r;
    }
    if (*p != '\0')
        return -EINVAL;
    if (ncpus < 1 || ncpus > NP_MAX_CPUS || mb > ((uint64_t)1 << 40))
        return -ERANGE;
    *ret_ncpus = (unsigned)ncpus;
    *ret_mb = mb;
    return 0;
}

struct order_ctx {
    const struct np_topology *topo;
    unsigned seed;
};

static int by_distance(const void *a, const void *b, void *arg)
{
    const struct order_ctx *c = arg;
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    int dx = np_topology_distance(c->topo, c->seed, x), dy = np_topology_distance(c->topo, c->seed, y);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return c->topo->nodes[x].id < c->topo->nodes[y].id ? -1 : c->topo->nodes[x].id > c->topo->nodes[y].id;
}

struct best {
    bool found;
    unsigned seed, size;
    double cpu_left, mem_left;
};

/* Is (CPU, MEM) left better than what B holds? Seeds come in id order, so
 * an equal one keeps the lower seed. */
static bool better(const struct best *b, double cpu_left, double mem_left)
{
    if (!b->found)
        return true;
    if (cpu_left > b->cpu_left + EPS)
        return true;
    if (cpu_left < b->cpu_left - EPS)
        return false;
    return mem_left > b->mem_left + EPS;
}

int np_advise(const struct np_topology *topo, const double *node_load, unsigned nload,
              const struct np_advise_reservation *res, size_t nres,
              const struct np_advise_params *params, unsigned ncpus, uint64_t mb,
              struct np_nodeset *ret, enum np_advise_fit *ret_fit)
{
    if (!topo || topo->nnodes == 0 || ncpus == 0)
        return -EINVAL;
    unsigned n = topo->nnodes;
    double *cpu_room = calloc(n, sizeof(double));
    double *mem_room = calloc(n, sizeof(double));
    unsigned *order = calloc((size_t)n * n, sizeof(unsigned));
    if (!cpu_room || !mem_room || !order) {
        free(cpu_room);
        free(mem_room);
        free(order);
        return -ENOMEM;
    }
    bool have_load = node_load && nload == n;
    for (unsigned i = 0; i < n; i++) {
        const struct np_node *nd = &topo->nodes[i];
        cpu_room[i] = (double)nd->ncpus * params->max_node_cpu_load - (have_load ? node_load[i] : 0.0);
        double headroom = (double)nd->mem_total_kb * (double)params->mem_headroom_pct / 100.0;
        mem_room[i] = (double)np_node_usable_kb(nd) - headroom;
    }
    for (size_t r = 0; r < nres; r++) {
        unsigned cpus_in_set = 0, nodes_in_set = 0;
        for (unsigned i = 0; i < n; i++)
            if (np_nodeset_test(&res[r].nodes, (unsigned)topo->nodes[i].id)) {
                cpus_in_set += topo->nodes[i].ncpus;
                nodes_in_set++;
            }
        if (nodes_in_set == 0)
            continue;   /* advised on nodes that went away */
        for (unsigned i = 0; i < n; i++) {
            if (!np_nodeset_test(&res[r].nodes, (unsigned)topo->nodes[i].id))
                continue;
            double share = cpus_in_set ? (double)topo->nodes[i].ncpus / cpus_in_set : 1.0 / nodes_in_set;
            cpu_room[i] -= res[r].ncpus * share;
            mem_room[i] -= (double)res[r].kb / nodes_in_set;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        if (cpu_room[i] < 0)
            cpu_room[i] = 0;
        if (mem_room[i] < 0)
            mem_room[i] = 0;
    }
    /* order[s*n + k]: the k-th nearest node to seed s (the seed itself first). */
    for (unsigned s = 0; s < n; s++) {
        unsigned *o = &order[(size_t)s * n];
        o[0] = s;
        for (unsigned i = 0, k = 1; i < n; i++)
            if (i != s)
                o[k++] = i;
        struct order_ctx ctx = {topo, s};
        qsort_r(o + 1, n - 1, sizeof(unsigned), by_distance, &ctx);
    }

    double need_mem = (double)mb * 1024.0;
    struct best fit = {0}, mem_only = {0};
    for (unsigned size = 1; size <= n && !fit.found; size++) {
        for (unsigned s = 0; s < n; s++) {
            if (topo->nodes[s].ncpus == 0)
                continue;   /* a CPU-less seed is a memory node, not a place to run */
            double cpu = 0, mem = 0;
            for (unsigned k = 0; k < size; k++) {
                cpu += cpu_room[order[(size_t)s * n + k]];
                mem += mem_room[order[(size_t)s * n + k]];
            }
            if (mem + EPS < need_mem)
                continue;
            if (cpu + EPS >= (double)ncpus) {
                if (better(&fit, cpu - ncpus, mem - need_mem))
                    fit = (struct best){true, s, size, cpu - ncpus, mem - need_mem};
            } else if (!mem_only.found || size == mem_only.size) {
                if (better(&mem_only, cpu, mem - need_mem))
                    mem_only = (struct best){true, s, size, cpu, mem - need_mem};
            }
        }
    }
    np_nodeset_zero(ret);
    const struct best *b = fit.found ? &fit : mem_only.found ? &mem_only : NULL;
    if (b) {
        for (unsigned k = 0; k < b->size; k++)
            np_nodeset_set(ret, (unsigned)topo->nodes[order[(size_t)b->seed * n + k]].id);
        *ret_fit = fit.found ? NP_ADVISE_FITS : NP_ADVISE_MEMORY_ONLY;
    } else {
        for (unsigned i = 0; i < n; i++)
            np_nodeset_set(ret, (unsigned)topo->nodes[i].id);
        *ret_fit = NP_ADVISE_ALL_NODES;
    }
    free(cpu_room);
    free(mem_room);
    free(order);
    return 0;
}
