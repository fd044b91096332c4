/* threadplan: see threadplan.h. */
#include "threadplan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

struct order {
    size_t idx;
    double use;
    int tid;
};

static int busiest_first(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    if (x->use != y->use)
        return x->use > y->use ? -1 : 1;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

static bool fits(const struct np_topology *topo, const double *left, int node, double use)
{
    return node >= 0 && (unsigned)node < topo->nnodes && topo->nodes[node].ncpus > 0 &&
           left[node] >= use;
}

/* The node with the most room left that takes USE, nearest to NEAR (an
 * index, or -1 for none) among equals; -1 when none takes it. */
static int roomiest(const struct np_topology *topo, const double *left, int near, double use)
{
    int best = -1;
    for (unsigned i = 0; i < topo->nnodes; i++) {
        if (!fits(topo, left, (int)i, use))
            continue;
        if (best < 0 || left[i] > left[best]) {
            best = (int)i;
            continue;
        }
        if (left[i] == left[best] && near >= 0 &&
            np_topology_distance(topo, (unsigned)near, i) <
                np_topology_distance(topo, (unsigned)near, (unsigned)best))
            best = (int)i;
    }
    return best;
}

int np_thread_plan(const struct np_topology *topo, const double *room,
                   const struct np_thread_use *threads, size_t n, int *ret_node)
{
    if (!topo || !room || (!threads && n) || (!ret_node && n) || topo->nnodes == 0)
        return -EINVAL;
    for (size_t k = 0; k < n; k++) {
        const struct np_thread_use *t = &threads[k];
        if (!(t->cpu_use >= 0.0) || t->run_node >= (int)topo->nnodes ||
            t->access_node >= (int)topo->nnodes)
            return -EINVAL;
    }
    double *left = malloc(topo->nnodes * sizeof(*left));
    struct order *order = malloc((n ? n : 1) * sizeof(*order));
    if (!left || !order) {
        free(left);
        free(order);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < topo->nnodes; i++)
        left[i] = topo->nodes[i].ncpus > 0 ? room[i] : 0.0;

    for (size_t k = 0; k < n; k++) {
        ret_node[k] = -1;
        order[k] = (struct order){.idx = k, .use = threads[k].cpu_use, .tid = threads[k].tid};
    }
    qsort(order, n, sizeof(*order), busiest_first);
    /* 1: those at their memory already, busiest first. */
    for (size_t j = 0; j < n; j++) {
        const struct np_thread_use *t = &threads[order[j].idx];
        if (t->access_node >= 0 && t->run_node == t->access_node &&
            fits(topo, left, t->access_node, t->cpu_use)) {
            ret_node[order[j].idx] = t->access_node;
            left[t->access_node] -= t->cpu_use;
        }
    }
    /* 2: the others. */
    int r = 0;
    for (size_t j = 0; j < n; j++) {
        const struct np_thread_use *t = &threads[order[j].idx];
        if (ret_node[order[j].idx] >= 0)
            continue;
        int node = -1;
        if (fits(topo, left, t->access_node, t->cpu_use))
            node = t->access_node;
        else if (fits(topo, left, t->run_node, t->cpu_use))
            node = t->run_node;
        else
            node = roomiest(topo, left, t->access_node >= 0 ? t->access_node : t->run_node,
                            t->cpu_use);
        if (node < 0) {
            r = -ENOSPC;
            break;
        }
        ret_node[order[j].idx] = node;
        left[node] -= t->cpu_use;
    }
    free(left);
    free(order);
    return r;
}
