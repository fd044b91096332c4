/* score: see score.h. */
#include "score.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Node index of CPU, or -1; read from the struct (the layout is the
 * contract) so scoring does not depend on topology.c. */
static int cpu_node(const struct np_topology *topo, int cpu)
{
    if (cpu < 0 || cpu >= NP_MAX_CPUS)
        return -1;
    int idx = topo->cpu_node_index[cpu];
    return idx >= 0 && (unsigned)idx < topo->nnodes ? idx : -1;
}

/* Ticks are never negative; a negative or NaN weight counts as 0. */
static double thread_weight(const double *weight, size_t t)
{
    if (!weight || !(weight[t] > 0.0) || !isfinite(weight[t]))
        return 0.0;
    return weight[t];
}

int np_score_cpu_share(const struct np_topology *topo, const struct np_thread *threads,
                       size_t nthreads, const double *weight, double *ret_share)
{
    if (!topo || topo->nnodes == 0 || !topo->cpu_node_index || !ret_share ||
        (nthreads && !threads))
        return -EINVAL;

    /* First pass decides weighted or counted, so RET_SHARE stays untouched
     * on -ENODATA. Only threads on known CPUs matter for "all weights 0". */
    double total_weight = 0.0;
    size_t known = 0;
    for (size_t t = 0; t < nthreads; t++) {
        if (cpu_node(topo, threads[t].last_cpu) < 0)
            continue;
        known++;
        total_weight += thread_weight(weight, t);
    }
    if (known == 0)
        return -ENODATA;
    bool counted = !(total_weight > 0.0);

    for (unsigned i = 0; i < topo->nnodes; i++)
        ret_share[i] = 0.0;
    for (size_t t = 0; t < nthreads; t++) {
        int idx = cpu_node(topo, threads[t].last_cpu);
        if (idx < 0)
            continue;
        ret_share[idx] += counted ? 1.0 : thread_weight(weight, t);
    }
    double total = counted ? (double)known : total_weight;
    for (unsigned i = 0; i < topo->nnodes; i++)
        ret_share[i] /= total;
    return 0;
}

/* kB of all kinds on node ID; 0 for ids the maps do not cover. */
static uint64_t node_mem_kb(const struct np_numa_maps *mem, int node_id)
{
    if (!mem || !mem->node || node_id < 0 || (unsigned)node_id >= mem->nslots)
        return 0;
    const struct np_node_mem *nm = &mem->node[node_id];
    uint64_t kb = sat_add(nm->anon_kb, nm->file_kb);
    unsigned nhuge = mem->nhuge < NP_MAX_HUGE_SIZES ? mem->nhuge : NP_MAX_HUGE_SIZES;
    for (unsigned s = 0; s < nhuge; s++)
        kb = sat_add(kb, nm->huge_kb[s]);
    return kb;
}

int np_score_compute(const struct np_topology *topo, const struct np_numa_maps *mem,
                     const double *cpu_share, double cpu_use, struct np_score *ret)
{
    if (!topo || topo->nnodes == 0 || topo->nnodes > NP_MAX_NODES || !topo->nodes ||
        !topo->distance || !cpu_share || !ret || !isfinite(cpu_use) || cpu_use < 0.0)
        return -EINVAL;
    unsigned n = topo->nnodes;
    for (unsigned i = 0; i < n; i++)
        if (!isfinite(cpu_share[i]) || cpu_share[i] < 0.0)
            return -EINVAL;

    double *share = calloc(n, sizeof(*share));
    uint64_t *mem_kb = calloc(n, sizeof(*mem_kb));
    if (!share || !mem_kb) {
        free(share);
        free(mem_kb);
        return -ENOMEM;
    }
    memcpy(share, cpu_share, n * sizeof(*share));

    /* Memory on node ids the topology does not know is ignored. */
    uint64_t total_kb = 0;
    for (unsigned j = 0; j < n; j++) {
        mem_kb[j] = node_mem_kb(mem, topo->nodes[j].id);
        total_kb = sat_add(total_kb, mem_kb[j]);
    }

    double locality = 1.0, remote_cost = 0.0, benefit = 0.0;
    uint64_t remote_kb = 0;
    if (total_kb > 0) {
        double m_total = (double)total_kb;
        /* Fixed order: sums by ascending index, one division at the end. */
        double local_sum = 0.0, cost_sum = 0.0;
        for (unsigned i = 0; i < n; i++) {
            local_sum += share[i] * (double)mem_kb[i];
            int d_ii = topo->distance[(size_t)i * n + i];
            if (d_ii <= 0)
                continue;   /* a SLIT without a local distance: no cost known */
            double inner = 0.0;
            for (unsigned j = 0; j < n; j++) {
                int d_ij = topo->distance[(size_t)i * n + j];
                inner += (double)mem_kb[j] * (double)(d_ij - d_ii) / (double)d_ii;
            }
            cost_sum += share[i] * inner;
        }
        locality = local_sum / m_total;
        remote_cost = cost_sum / m_total;
        double remote = m_total * (1.0 - locality);
        double rounded = floor(remote + 0.5);
        if (!(rounded > 0.0))
            remote_kb = 0;
        else if (rounded >= m_total)
            remote_kb = total_kb;
        else
            remote_kb = (uint64_t)rounded;
        benefit = m_total * remote_cost / 1024.0 * cpu_use;
    }

    uint64_t *place_kb = malloc(n * sizeof(*place_kb));
    if (!place_kb) {
        free(share);
        free(mem_kb);
        return -ENOMEM;
    }
    memcpy(place_kb, mem_kb, n * sizeof(*place_kb));
    ret->nnodes = n;
    ret->cpu_share = share;
    ret->mem_kb = mem_kb;
    ret->place_kb = place_kb;
    ret->resident_locality = locality;
    ret->access_used = false;
    ret->access_locality = -1.0;
    ret->access_faults = 0;
    ret->total_kb = total_kb;
    ret->cpu_use = cpu_use;
    ret->locality = locality;
    ret->remote_cost = remote_cost;
    ret->remote_kb = remote_kb;
    ret->benefit = benefit;
    return 0;
}

/* Checks a distribution of N entries: finite, >= 0, summing to 1. */
static bool is_distribution(const double *v, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]) || v[i] < 0.0)
            return false;
        sum += v[i];
    }
    return fabs(sum - 1.0) < 1e-6;
}

int np_score_use_access_joint(const struct np_topology *topo, const double *joint,
                              uint64_t faults, struct np_score *s)
{
    if (!topo || !joint || !s || !s->place_kb || !s->cpu_share || s->nnodes != topo->nnodes ||
        !topo->distance || faults == 0)
        return -EINVAL;
    unsigned n = s->nnodes;
    if (!is_distribution(joint, (size_t)n * n))
        return -EINVAL;
    /* The same distance-weighted cost as from residency, each access
     * weighed from the node its thread ran on to the node it went to. */
    double local_sum = 0.0, cost_sum = 0.0;
    for (unsigned i = 0; i < n; i++) {
        const double *row = &joint[(size_t)i * n];
        local_sum += row[i];
        int d_ii = topo->distance[(size_t)i * n + i];
        if (d_ii <= 0)
            continue;
        for (unsigned j = 0; j < n; j++) {
            int d_ij = topo->distance[(size_t)i * n + j];
            cost_sum += row[j] * (double)(d_ij - d_ii) / (double)d_ii;
        }
    }
    double access_locality = local_sum > 1.0 ? 1.0 : local_sum;
    for (unsigned j = 0; j < n; j++) {
        double went = 0.0;
        for (unsigned i = 0; i < n; i++)
            went += joint[(size_t)i * n + j];
        s->place_kb[j] = (uint64_t)floor(went * (double)s->total_kb + 0.5);
    }
    s->access_used = true;
    s->access_locality = access_locality;
    s->access_faults = faults;
    s->locality = access_locality;
    s->remote_cost = cost_sum;
    s->benefit = (double)s->total_kb * cost_sum / 1024.0 * s->cpu_use;
    return 0;
}

int np_score_use_access(const struct np_topology *topo, const double *fault_share,
                        uint64_t faults, struct np_score *s)
{
    if (!topo || !fault_share || !s || !s->cpu_share || s->nnodes != topo->nnodes)
        return -EINVAL;
    unsigned n = s->nnodes;
    if (!is_distribution(fault_share, n))
        return -EINVAL;
    /* Every thread taken to access as the whole process does: the CPU
     * share of each node times the accesses' share of each. */
    double *joint = malloc((size_t)n * n * sizeof(*joint));
    if (!joint)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            joint[(size_t)i * n + j] = s->cpu_share[i] * fault_share[j];
    int r = np_score_use_access_joint(topo, joint, faults, s);
    free(joint);
    return r;
}

void np_score_clear(struct np_score *s)
{
    if (!s)
        return;
    free(s->cpu_share);
    free(s->mem_kb);
    free(s->place_kb);
    memset(s, 0, sizeof(*s));
}
