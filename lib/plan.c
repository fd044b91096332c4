/* plan: see plan.h.
 *
 * Choices the header leaves open:
 *  - Memory is judged per node on ordinary room (MemFree + Inactive(file)
 *    minus the headroom and minus this cycle's bookings) and, per hugetlb
 *    size, on free hugepages; hugetlb already inside a set needs nothing.
 *  - An accepted move books, on each target node, the CPU it will add there
 *    (its CPU use spread over the set's CPUs, minus what it already ran
 *    there) and the memory it will bring, filling the seed node first and
 *    then the nearer ones. What it leaves behind is not released: the move
 *    may take several cycles, so the old room is not counted on.
 *  - move_kb is what the actuator will migrate: all memory off the set, or
 *    only the hugetlb off the set in CPU-only mode (the kernel's balancing
 *    does not move hugetlb pages). Sets are still compared on all memory
 *    off the set, so CPU-only placements follow the memory too.
 *  - budget_kb == 0 means no memory may be migrated this cycle: moves that
 *    migrate nothing are still planned, the others get NP_REASON_BUDGET. */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CPU use is counted in 10 ms clock ticks over an interval, so a set a few
 * hundredths of a CPU over its capacity is measurement noise, not overload;
 * without this slack a busy process (1.01 CPUs) never fits the last free
 * CPU of a node. */
#define CPU_SLACK 0.05
/* Rule 0 checks homes with each process's CPU time per node from the
 * thread sampler, whose readings a second apart book a thread that moved
 * between two of them half on each node: up to a quarter CPU per CPU of
 * a node can be another node's (seen in the guest: 0.2-0.37 on one-CPU
 * nodes while four hogs were shuffled). Two busy processes on one CPU
 * still do not fit. */
#define HOME_SLACK_PER_CPU 0.25
/* Rule 8 calls a node busy when its measured load is within this much per
 * CPU of its capacity: a saturated one-CPU guest node reads 0.94-1.00. */
#define BUSY_SLACK_PER_CPU 0.1
/* ... and a process bound there shares it while others use at least this
 * much per CPU beside it: two sharing one CPU read about 0.5 each, while
 * a busy process alone on a one-CPU guest node read as little as 0.72
 * with 0.28 of background and sampling skew beside it. */
#define SHARING_PER_CPU 0.4
/* CPU shares are compared as integers in units of 2^-40, so a set's share
 * does not depend on the order its nodes were added in. */
#define SHARE_SCALE 1099511627776.0

const char *np_reason_name(enum np_reason r)
{
    static const char *const names[NP_REASON_COUNT] = {
        [NP_REASON_MOVE] = "move",
        [NP_REASON_LOCAL_ENOUGH] = "local-enough",
        [NP_REASON_LOW_GAIN] = "low-gain",
        [NP_REASON_COOLDOWN] = "cooldown",
        [NP_REASON_NO_ROOM] = "no-room",
        [NP_REASON_MAX_MOVES] = "max-moves",
        [NP_REASON_BUDGET] = "budget",
        [NP_REASON_NO_CPU_DATA] = "no-cpu-data",
        [NP_REASON_CONFIRMING] = "confirming",
        [NP_REASON_SPANS_NODES] = "spans-nodes",
    };
    if ((unsigned)r >= NP_REASON_COUNT)
        return "unknown";
    return names[r];
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* kB rounded up to MiB, for messages. */
static unsigned long long mib(uint64_t kb)
{
    return (unsigned long long)(kb / 1024 + (kb % 1024 != 0));
}

/* State of one np_plan call: bookings across candidates, then per-candidate
 * scratch reused for each. */
struct plan_state {
    const struct np_topology *topo;
    const double *node_cpu_load;
    const double *node_pinned_load; /* work someone pinned to each node alone; NULL */
    double *base_load;          /* node_cpu_load less what homecomers vacate */
    const struct np_candidate *cands;
    size_t ncands;
    int *home;                  /* per candidate: node index it goes home to, or -1 */
    bool *use_out;              /* per candidate: its CPU use is out of base_load */
    bool joint;                 /* rule 6: the movers' use is out of base_load */
    int *presence;              /* per candidate: the node index it runs on (most of its
                                   CPU time), or is bound to by this cycle's plan; -1 */
    const struct np_plan_params *params;
    unsigned n;
    unsigned *order;            /* n*n: per seed index, the seed then others by distance */
    double *booked_cpu;         /* per node index */
    uint64_t *booked_mem_kb;    /* per node index */
    uint64_t *booked_huge_kb;   /* per node index x topology pool slot */
    unsigned moves;
    uint64_t budget_used_kb;

    /* per candidate */
    const struct np_candidate *cand;
    double cpu_use;
    double sample_slack_per_cpu;   /* a joint mover's: HOME_SLACK_PER_CPU */
    double *own_cpu;            /* candidate's CPU use per node */
    double *load;               /* others' load + bookings per node */
    double *capacity;
    uint64_t *avail_kb;         /* ordinary memory room per node */
    uint64_t *ord_on_kb;        /* candidate's ordinary memory per node */
    uint64_t *share_fx;
    uint64_t *huge_on_kb;       /* candidate size slot x node */
    uint64_t *huge_avail_kb;    /* candidate size slot x node */
    unsigned nhuge;
    uint64_t huge_page_kb[NP_MAX_HUGE_SIZES];
    uint64_t huge_total_kb[NP_MAX_HUGE_SIZES];
    uint64_t ord_total_kb;
    struct best {
        int seed;
        uint64_t remote_kb;
        uint64_t share_fx;
    } *best;                    /* per set size - 1 */
};

/* Running totals of a set as nodes are added. */
struct set_eval {
    unsigned k, ncpus;
    double capacity, load;
    uint64_t avail_kb, ord_on_kb, all_on_kb, share_fx;
    uint64_t huge_on_kb[NP_MAX_HUGE_SIZES];
    uint64_t huge_avail_kb[NP_MAX_HUGE_SIZES];
};

static void plan_state_free(struct plan_state *st)
{
    free(st->order);
    free(st->base_load);
    free(st->home);
    free(st->use_out);
    free(st->presence);
    free(st->booked_cpu);
    free(st->booked_mem_kb);
    free(st->booked_huge_kb);
    free(st->own_cpu);
    free(st->load);
    free(st->capacity);
    free(st->avail_kb);
    free(st->ord_on_kb);
    free(st->share_fx);
    free(st->huge_on_kb);
    free(st->huge_avail_kb);
    free(st->best);
}

struct by_distance {
    int distance;
    unsigned idx;
};

static int by_distance_cmp(const void *a, const void *b)
{
    const struct by_distance *x = a, *y = b;
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int plan_state_init(struct plan_state *st, const struct np_topology *topo,
                           const double *node_cpu_load, const struct np_plan_params *params)
{
    unsigned n = topo->nnodes;
    memset(st, 0, sizeof(*st));
    st->topo = topo;
    st->node_cpu_load = node_cpu_load;
    st->params = params;
    st->n = n;
    st->order = calloc((size_t)n * n, sizeof(*st->order));
    st->base_load = calloc(n ? n : 1, sizeof(*st->base_load));
    st->booked_cpu = calloc(n, sizeof(*st->booked_cpu));
    st->booked_mem_kb = calloc(n, sizeof(*st->booked_mem_kb));
    st->booked_huge_kb = calloc((size_t)n * NP_MAX_HUGE_SIZES, sizeof(*st->booked_huge_kb));
    st->own_cpu = calloc(n, sizeof(*st->own_cpu));
    st->load = calloc(n, sizeof(*st->load));
    st->capacity = calloc(n, sizeof(*st->capacity));
    st->avail_kb = calloc(n, sizeof(*st->avail_kb));
    st->ord_on_kb = calloc(n, sizeof(*st->ord_on_kb));
    st->share_fx = calloc(n, sizeof(*st->share_fx));
    st->huge_on_kb = calloc((size_t)n * NP_MAX_HUGE_SIZES, sizeof(*st->huge_on_kb));
    st->huge_avail_kb = calloc((size_t)n * NP_MAX_HUGE_SIZES, sizeof(*st->huge_avail_kb));
    st->best = calloc(n, sizeof(*st->best));
    struct by_distance *tmp = calloc(n, sizeof(*tmp));
    if (!st->order || !st->base_load || !st->booked_cpu || !st->booked_mem_kb || !st->booked_huge_kb ||

        !st->own_cpu || !st->load || !st->capacity || !st->avail_kb || !st->ord_on_kb ||
        !st->share_fx || !st->huge_on_kb || !st->huge_avail_kb || !st->best || !tmp) {
        free(tmp);
        plan_state_free(st);
        return -ENOMEM;
    }

    for (unsigned seed = 0; seed < n; seed++) {
        unsigned m = 0;
        for (unsigned j = 0; j < n; j++) {
            if (j == seed)
                continue;
            tmp[m].distance = topo->distance[(size_t)seed * n + j];
            tmp[m].idx = j;
            m++;
        }
        qsort(tmp, m, sizeof(*tmp), by_distance_cmp);
        unsigned *row = &st->order[(size_t)seed * n];
        row[0] = seed;
        for (unsigned j = 0; j < m; j++)
            row[j + 1] = tmp[j].idx;
    }
    free(tmp);
    for (unsigned i = 0; i < n; i++)
        st->base_load[i] = node_cpu_load[i];
    return 0;
}

/* Pool slot of PAGE_KB on node N, or -1. */
static int pool_slot(const struct np_node *node, uint64_t page_kb)
{
    unsigned nhuge = node->nhuge < NP_MAX_HUGE_SIZES ? node->nhuge : NP_MAX_HUGE_SIZES;
    for (unsigned p = 0; p < nhuge; p++)
        if (node->huge[p].page_kb == page_kb)
            return (int)p;
    return -1;
}

static uint64_t mem_huge_kb(const struct np_numa_maps *mem, int node_id, unsigned slot)
{
    if (!mem || !mem->node || node_id < 0 || (unsigned)node_id >= mem->nslots)
        return 0;
    return mem->node[node_id].huge_kb[slot];
}

/* Fills the per-candidate scratch: what each node offers this candidate
 * given this cycle's bookings, and where its memory is. */
static void prepare_candidate(struct plan_state *st, const struct np_candidate *cand)
{
    const struct np_topology *topo = st->topo;
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    const struct np_numa_maps *mem = cand->mem;
    unsigned n = st->n;

    st->cand = cand;
    st->cpu_use = sc->cpu_use;
    size_t c = (size_t)(cand - st->cands);
    st->sample_slack_per_cpu =
        st->joint && st->use_out[c] && st->home[c] < 0 ? HOME_SLACK_PER_CPU : 0.0;
    st->nhuge = 0;
    if (mem && mem->node)
        st->nhuge = mem->nhuge < NP_MAX_HUGE_SIZES ? mem->nhuge : NP_MAX_HUGE_SIZES;
    for (unsigned s = 0; s < st->nhuge; s++) {
        st->huge_page_kb[s] = mem->huge_page_kb[s];
        st->huge_total_kb[s] = 0;
    }

    uint64_t huge_all_kb = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct np_node *node = &topo->nodes[i];
        double share = sc->cpu_share[i];

        /* A homecomer's or a joint mover's own use is already out of
         * base_load. */
        st->own_cpu[i] = st->use_out && st->use_out[cand - st->cands] ? 0.0 : st->cpu_use * share;
        double others = st->base_load[i] - st->own_cpu[i];
        if (!(others > 0.0))
            others = 0.0;
        st->load[i] = others + st->booked_cpu[i];
        st->capacity[i] = (double)node->ncpus * params->max_node_cpu_load;

        st->avail_kb[i] = sat_sub(np_node_room_kb(node, params->mem_headroom_pct),
                                  st->booked_mem_kb[i]);

        double clamped = share < 1.0 ? share : 1.0;
        st->share_fx[i] = (uint64_t)(clamped * SHARE_SCALE + 0.5);

        uint64_t huge_here = 0;
        for (unsigned s = 0; s < st->nhuge; s++) {
            uint64_t on = mem_huge_kb(mem, node->id, s);
            st->huge_on_kb[(size_t)s * n + i] = on;
            st->huge_total_kb[s] = sat_add(st->huge_total_kb[s], on);
            huge_here = sat_add(huge_here, on);

            uint64_t room = 0;
            int p = pool_slot(node, st->huge_page_kb[s]);
            if (p >= 0)
                room = sat_sub(sat_mul(node->huge[p].free, node->huge[p].page_kb),
                               st->booked_huge_kb[(size_t)i * NP_MAX_HUGE_SIZES + p]);
            st->huge_avail_kb[(size_t)s * n + i] = room;
        }
        huge_all_kb = sat_add(huge_all_kb, huge_here);
        st->ord_on_kb[i] = sat_sub(sc->mem_kb[i], huge_here);
    }
    st->ord_total_kb = sat_sub(sc->total_kb, huge_all_kb);
}

static void set_eval_add(struct set_eval *e, const struct plan_state *st, unsigned i)
{
    unsigned n = st->n;
    e->k++;
    e->ncpus += st->topo->nodes[i].ncpus;
    e->capacity += st->capacity[i];
    e->load += st->load[i];
    e->avail_kb = sat_add(e->avail_kb, st->avail_kb[i]);
    e->ord_on_kb = sat_add(e->ord_on_kb, st->ord_on_kb[i]);
    e->all_on_kb = sat_add(e->all_on_kb, st->cand->score->place_kb[i]);
    e->share_fx = sat_add(e->share_fx, st->share_fx[i]);
    for (unsigned s = 0; s < st->nhuge; s++) {
        e->huge_on_kb[s] = sat_add(e->huge_on_kb[s], st->huge_on_kb[(size_t)s * n + i]);
        e->huge_avail_kb[s] = sat_add(e->huge_avail_kb[s], st->huge_avail_kb[(size_t)s * n + i]);
    }
}

static uint64_t set_ord_need(const struct set_eval *e, const struct plan_state *st)
{
    return st->params->memory_moves ? sat_sub(st->ord_total_kb, e->ord_on_kb) : 0;
}

static uint64_t set_huge_off(const struct set_eval *e, const struct plan_state *st)
{
    uint64_t off = 0;
    for (unsigned s = 0; s < st->nhuge; s++)
        off = sat_add(off, sat_sub(st->huge_total_kb[s], e->huge_on_kb[s]));
    return off;
}

static bool set_fits(const struct set_eval *e, const struct plan_state *st)
{
    if (e->ncpus == 0)
        return false;
    /* Room is required even where its threads ran last: for an unpinned
     * process that is one instant's snapshot, and binding it to a node that
     * is already full would cement the overload the scheduler was about to
     * undo (seen in the 4-node guest: three busy processes bound to one CPU). */
    /* A process placed on several nodes fills them. The measured load
     * includes the background (kernel threads, short-lived tools: up to
     * 0.17 CPU on an idle one-CPU guest node), which would otherwise push
     * it onto a set one node larger, spread away from its memory (seen:
     * bignode's two-thread process bound to nodes 0-2 with its memory on
     * 0 and 2, 50% local, where the pair {0,1} was the answer). So a set
     * of several may be a tenth of its capacity over. */
    double slack = e->k > 1 && 0.1 * e->capacity > CPU_SLACK ? 0.1 * e->capacity : CPU_SLACK;
    /* A joint mover's own use came off the nodes by the sampler's shares,
     * as rule 0's homecomers' did: what stays may hold some of it. */
    slack += st->sample_slack_per_cpu * (double)e->ncpus;
    if (!(e->load + st->cpu_use <= e->capacity + slack))
        return false;
    if (set_ord_need(e, st) > e->avail_kb)
        return false;
    for (unsigned s = 0; s < st->nhuge; s++)
        if (sat_sub(st->huge_total_kb[s], e->huge_on_kb[s]) > e->huge_avail_kb[s])
            return false;
    return true;
}

static void set_walk(struct set_eval *e, const struct plan_state *st, unsigned seed, unsigned k)
{
    memset(e, 0, sizeof(*e));
    const unsigned *row = &st->order[(size_t)seed * st->n];
    for (unsigned j = 0; j < k; j++)
        set_eval_add(e, st, row[j]);
}

/* Whether the process needs more than one node: its memory fits no single
 * CPU node's room (with what it already has there; hugetlb of each size
 * against the node's free pool of that size), or its CPU use exceeds every
 * node's capacity. Having hugetlb memory alone no longer qualifies: a
 * hugetlb hog was bound to nodes 2-3 while no single node had CPU room,
 * ran on node 2 with half its memory on node 3, and cooled down there
 * (a clean-clone CI run).
 * A process that does not is only placed on one node: a set of several
 * chosen because no single node has CPU room right now would bind its
 * threads to CPUs away from its memory (seen in the guest: a one-thread
 * process whose memory's node was busy bound to nodes 0-2, and left
 * remote on node 1). */
static bool needs_several_nodes(const struct plan_state *st)
{
    unsigned n = st->n;
    bool memory_fits_one = false, cpu_fits_one = false;
    for (unsigned i = 0; i < n; i++) {
        if (st->topo->nodes[i].ncpus == 0)
            continue;   /* memory on a CPU-less node is placed with a CPU node */
        bool fits = sat_add(st->avail_kb[i], st->ord_on_kb[i]) >= st->ord_total_kb;
        for (unsigned s = 0; fits && s < st->nhuge; s++)
            fits = sat_add(st->huge_avail_kb[(size_t)s * n + i], st->huge_on_kb[(size_t)s * n + i]) >=
                   st->huge_total_kb[s];
        if (fits)
            memory_fits_one = true;
        if (st->cpu_use <= st->capacity[i] + CPU_SLACK)
            cpu_fits_one = true;
    }
    return !memory_fits_one || !cpu_fits_one;
}

/* The set planned for this process last cycle and held back (see
 * np_candidate.held_target), if it is one of the sets find_target
 * considers and still fits: a process whose threads wander would otherwise
 * get a new target every cycle, and a well-placed one seen away stays
 * bound to its memory rather than pulled. */
static int held_target(struct plan_state *st, unsigned max_k, unsigned *ret_seed,
                       unsigned *ret_k)
{
    const struct np_nodeset *held = &st->cand->held_target;
    unsigned n = st->n, want = np_nodeset_count(held);
    if (want == 0 || want > max_k)
        return -ENOENT;
    for (unsigned seed = 0; seed < n; seed++) {
        if (st->topo->nodes[seed].ncpus == 0)
            continue;
        const unsigned *row = &st->order[(size_t)seed * n];
        bool inside = true;
        for (unsigned j = 0; j < want && inside; j++)
            inside = np_nodeset_test(held, (unsigned)st->topo->nodes[row[j]].id);
        if (!inside)
            continue;
        struct set_eval e;
        set_walk(&e, st, seed, want);
        if (set_fits(&e, st)) {
            *ret_seed = seed;
            *ret_k = want;
            return 0;
        }
    }
    return -ENOENT;
}

/* The smallest fitting set; 0 with *RET_SEED and *RET_K, or -ENOSPC. */
static int find_target(struct plan_state *st, unsigned *ret_seed, unsigned *ret_k)
{
    unsigned n = st->n;
    uint64_t total = st->cand->score->total_kb;
    unsigned max_k = needs_several_nodes(st) ? n : 1;

    for (unsigned k = 0; k < n; k++)
        st->best[k].seed = -1;
    /* Seeds in ascending id order, so a full tie keeps the lowest seed. */
    for (unsigned seed = 0; seed < n; seed++) {
        if (st->topo->nodes[seed].ncpus == 0)
            continue;
        struct set_eval e;
        memset(&e, 0, sizeof(e));
        const unsigned *row = &st->order[(size_t)seed * n];
        for (unsigned k = 1; k <= max_k; k++) {
            set_eval_add(&e, st, row[k - 1]);
            if (!set_fits(&e, st))
                continue;
            struct best *b = &st->best[k - 1];
            uint64_t remote = sat_sub(total, e.all_on_kb);
            if (b->seed < 0 || remote < b->remote_kb ||
                (remote == b->remote_kb && e.share_fx > b->share_fx)) {
                b->seed = (int)seed;
                b->remote_kb = remote;
                b->share_fx = e.share_fx;
            }
        }
    }
    unsigned best_k = 0;
    for (unsigned k = 1; k <= n && !best_k; k++)
        if (st->best[k - 1].seed >= 0)
            best_k = k;
    /* Last cycle's held target is kept unless fewer nodes now do: a set of
     * several, chosen while no single node had room, must not outlive that
     * moment (seen in the guest: a one-thread hugetlb process kept on all
     * four nodes after one of them had room for it). */
    unsigned held_seed, held_k;
    if (held_target(st, max_k, &held_seed, &held_k) == 0 && (!best_k || held_k <= best_k)) {
        *ret_seed = held_seed;
        *ret_k = held_k;
        return 0;
    }
    if (!best_k)
        return -ENOSPC;
    *ret_seed = (unsigned)st->best[best_k - 1].seed;
    *ret_k = best_k;
    return 0;
}

/* Books the move of the current candidate to the set E from SEED: its CPU
 * use on the set's nodes, and off the nodes it runs on now outside the
 * set (its CPUs are bound away from them), then its memory. */
static void book_move(struct plan_state *st, const struct set_eval *e, unsigned seed)
{
    unsigned n = st->n;
    const unsigned *row = &st->order[(size_t)seed * n];

    for (unsigned j = 0; j < e->k; j++) {
        unsigned i = row[j];
        double after = st->cpu_use * (double)st->topo->nodes[i].ncpus / (double)e->ncpus;
        if (after > st->own_cpu[i])
            st->booked_cpu[i] += after - st->own_cpu[i];
    }
    for (unsigned i = 0; i < n; i++) {
        bool in_set = false;
        for (unsigned j = 0; j < e->k; j++)
            in_set = in_set || row[j] == i;
        if (!in_set && st->own_cpu[i] > 0.0)
            st->base_load[i] = st->base_load[i] > st->own_cpu[i] ? st->base_load[i] - st->own_cpu[i] : 0.0;
    }

    uint64_t left = set_ord_need(e, st);
    for (unsigned j = 0; j < e->k && left; j++) {
        unsigned i = row[j];
        uint64_t take = min_u64(st->avail_kb[i], left);
        st->booked_mem_kb[i] = sat_add(st->booked_mem_kb[i], take);
        left -= take;
    }

    for (unsigned s = 0; s < st->nhuge; s++) {
        left = sat_sub(st->huge_total_kb[s], e->huge_on_kb[s]);
        for (unsigned j = 0; j < e->k && left; j++) {
            unsigned i = row[j];
            int p = pool_slot(&st->topo->nodes[i], st->huge_page_kb[s]);
            if (p < 0)
                continue;
            uint64_t take = min_u64(st->huge_avail_kb[(size_t)s * n + i], left);
            size_t slot = (size_t)i * NP_MAX_HUGE_SIZES + (unsigned)p;
            st->booked_huge_kb[slot] = sat_add(st->booked_huge_kb[slot], take);
            left -= take;
        }
    }
}

/* Writes the decision's sentence; a long one is cut, never overflows. */
__attribute__((format(printf, 2, 3)))
static void set_why(struct np_decision *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->why, sizeof(d->why), fmt, ap);
    va_end(ap);
}

/* "node 2" or "nodes 0-1". */
static void format_nodes(const struct np_nodeset *set, char *buf, size_t bufsz)
{
    char list[64];
    np_bits_format_list(NP_NODES(set), list, sizeof(list));   /* truncated is fine */
    snprintf(buf, bufsz, "%s %s", np_nodeset_count(set) == 1 ? "node" : "nodes", list);
}

static bool all_zero(const double *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (v[i] != 0.0)
            return false;
    return true;
}

/* How long a process must be away from its memory, without a break,
 * before a placement: confirm_seconds; beside the kernel's balancing, a
 * placement that copies nothing (BIND_ONLY: CPUs only) waits
 * coexist_confirm_seconds. With balancing on, waiting to see whether the
 * threads come back is not free: the kernel chases them with page
 * migrations meanwhile (seen in the guest: five busy processes on four
 * one-CPU nodes, about 50,000 pages a second in the first seconds, while
 * the binds that ended the chase waited 5 s), and a bind costs no copy of
 * numaplaced's. */
static double confirm_wait(const struct np_plan_params *params, bool bind_only)
{
    return bind_only && !params->memory_moves ? params->coexist_confirm_seconds
                                              : params->confirm_seconds;
}

/* Rule 4's confirmation: with the sampler's evidence, away from its
 * memory for confirm_seconds without a break; without it, found remote
 * confirm_cycles times (a local cycle taking one off). A move that only
 * binds CPUs (BIND_ONLY: no page to copy) also goes on drift: away for
 * drift_share of its CPU time over the last confirm_seconds. The
 * scheduler that keeps moving a process off its memory's node and back
 * never leaves it away long without a break (seen in the guest: shuffled
 * hogs swapped every few seconds, never bound, 3 runs in 10 ended 50-75%
 * local); a bind costs no copy (the old affinity comes back when the
 * process is released or numaplaced exits), so the weaker evidence is
 * enough for it, and not for copying memory. */
bool np_plan_evidence_confirms(const struct np_plan_params *params, double away_s,
                               double away_share, bool bind_only)
{
    return away_s >= confirm_wait(params, bind_only) ||
           (bind_only && params->drift_share > 0.0 && away_share >= params->drift_share);
}

bool np_plan_copies_nothing(bool memory_moves, uint64_t move_kb, bool has_hugetlb)
{
    return move_kb == 0 || (!memory_moves && !has_hugetlb);
}

/* Whether node index I cannot take CAND's CPU use beside the work someone
 * else pinned to it alone (st->node_pinned_load): while that work runs,
 * the scheduler cannot give the process those CPUs. */
static bool held_by_pinned_work(const struct plan_state *st, const struct np_candidate *cand,
                                unsigned i)
{
    if (!st->node_pinned_load)
        return false;
    double capacity = (double)st->topo->nodes[i].ncpus * st->params->max_node_cpu_load;
    return st->node_pinned_load[i] + cand->score->cpu_use > capacity + CPU_SLACK;
}

/* Whether a node with CPUs holds min_gain more of CAND's memory than where
 * it runs; with EVEN_PINNED_FULL false, one that can take its CPU use
 * beside the work pinned there. */
static bool denser_node(const struct plan_state *st, const struct np_candidate *cand,
                        bool even_pinned_full)
{
    const struct np_score *sc = cand->score;
    for (unsigned i = 0; i < st->n; i++) {
        double held = (double)sc->place_kb[i] / (double)sc->total_kb;
        if (st->topo->nodes[i].ncpus > 0 && held - sc->locality >= st->params->min_gain &&
            (even_pinned_full || !held_by_pinned_work(st, cand, i)))
            return true;
    }
    return false;
}

/* Confirmation waits to see whether threads that ran away from their
 * memory come back to it. When no node with CPUs holds min_gain more of
 * its memory than where it runs now (its memory is on nodes without CPUs,
 * or nowhere denser than where it runs), or each that does is held by
 * work pinned there (a VM's vCPUs, a numactl-bound database), there is
 * nothing to come back to, and waiting only keeps it remote (seen in the
 * guest: three busy processes whose memory sat on a CPU-less node waited
 * 5 s before their copies while the kernel's balancing was done in
 * 2.6-5 s; the same with their memory on a node a pinned process kept
 * busy). */
static bool nothing_to_come_back_to(const struct plan_state *st, const struct np_candidate *cand)
{
    return cand->score->total_kb > 0 && !denser_node(st, cand, false);
}

/* The full wait: away confirm_seconds with evidence, else found remote
 * confirm_cycles times. */
static bool waited(const struct np_plan_params *params, const struct np_candidate *cand)
{
    if (cand->have_evidence)
        return np_plan_evidence_confirms(params, cand->away_s, 0.0, false);
    return params->confirm_cycles <= 1 || cand->remote_cycles >= params->confirm_cycles;
}

/* Whether CAND has hugetlb memory (which only numaplaced moves). */
static bool cand_has_hugetlb(const struct np_candidate *cand)
{
    return cand->mem && np_numa_maps_has_hugetlb(cand->mem);
}

/* Whether placing CAND with MOVE_KB kB off its target copies no page of
 * numaplaced's (np_plan_copies_nothing). */
static bool copies_nothing(const struct plan_state *st, const struct np_candidate *cand,
                           uint64_t move_kb)
{
    return np_plan_copies_nothing(st->params->memory_moves, move_kb, cand_has_hugetlb(cand));
}

static bool confirmed(const struct plan_state *st, const struct np_candidate *cand, bool bind_only)
{
    if (nothing_to_come_back_to(st, cand) || waited(st->params, cand))
        return true;
    return cand->have_evidence &&
           np_plan_evidence_confirms(st->params, cand->away_s, cand->away_share, bind_only);
}

/* The node a process belongs on: the one node that holds local_enough of
 * its memory (place_kb: of its accesses, with the kernel's fault data), has
 * CPUs and room for its CPU use; else -1. */
static int home_of(const struct plan_state *st, const struct np_candidate *cand)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    if (sc->total_kb == 0 || all_zero(sc->cpu_share, st->n))
        return -1;
    for (unsigned i = 0; i < st->n; i++) {
        double held = (double)sc->place_kb[i] / (double)sc->total_kb;
        if (held >= params->local_enough && st->topo->nodes[i].ncpus > 0 &&
            sc->cpu_use <= (double)st->topo->nodes[i].ncpus * params->max_node_cpu_load + CPU_SLACK)
            return (int)i;
    }
    return -1;
}

/* Whether a process with home H goes there now: it runs away from it, is
 * not cooling down, would gain min_gain and is confirmed. */
static bool goes_home(const struct plan_state *st, const struct np_candidate *cand, int h)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    double held = (double)sc->place_kb[h] / (double)sc->total_kb;
    return sc->locality < params->local_enough && !cand->cooling_down &&
           held - sc->locality >= params->min_gain && confirmed(st, cand, true);
}

/* LOAD less the process's CPU use by its threads' shares of it per node. */
static void take_use_off(double *load, unsigned n, const struct np_score *sc)
{
    for (unsigned i = 0; i < n; i++)
        load[i] -= sc->cpu_use * sc->cpu_share[i];
}

/* BACKGROUND[i] is a node's measured load less the candidates' CPU use
 * booked there by their threads' shares. Their use is exact (stat), but
 * its split over nodes comes from samples over another window than the
 * node's measurement, and a thread that moved between two samples is
 * booked half on each node: one node's background comes out negative and
 * another's holds CPU time that is theirs (seen in the guest: shuffled
 * hogs left 0.37 CPU on a one-CPU node and -0.30 on another, and the
 * homes did not fit). What runs beside them is no more than the total
 * measured less their use, so the positive parts are scaled down to that
 * total; negative ones are 0. */
static void conserve_background(double *background, unsigned n)
{
    double total = 0.0, positive = 0.0;
    for (unsigned i = 0; i < n; i++) {
        total += background[i];
        positive += background[i] > 0.0 ? background[i] : 0.0;
    }
    double scale = positive > 0.0 && total < positive ? (total > 0.0 ? total : 0.0) / positive : 1.0;
    for (unsigned i = 0; i < n; i++)
        background[i] = background[i] > 0.0 ? background[i] * scale : 0.0;
}

/* Rule 0, the whole machine at once: every candidate that belongs on one
 * node (home_of) is counted there, where it is or soon will be, and when
 * they all fit their homes together, those that go home now (goes_home)
 * do so with CPU binds and no page moves. Deciding one at a time against
 * today's load saw a node "occupied" by a process about to leave it as
 * full, and moved memory instead (seen in the guest: four busy processes,
 * each with its memory on its own node and shuffled by the scheduler;
 * 600 MiB migrated and 0.75 local, where four binds were the answer). A
 * process away but not confirmed yet still counts at its home: it goes
 * there at a later cycle, by our bind or the scheduler. All or none: with
 * homes that do not all fit, a home could be booked while its occupant
 * stays. Sets ST->home (those going now) and base_load; their arrivals
 * are booked. */
static int plan_homecoming(struct plan_state *st, const struct np_candidate *cands, size_t n)
{
    const struct np_plan_params *params = st->params;
    st->cands = cands;
    st->home = malloc((n ? n : 1) * sizeof(*st->home));
    st->use_out = calloc(n ? n : 1, sizeof(*st->use_out));
    double *load = calloc(st->n ? st->n : 1, sizeof(*load));
    int *belongs = malloc((n ? n : 1) * sizeof(*belongs));   /* home_of each */
    if (!st->home || !st->use_out || !load || !belongs) {
        free(load);
        free(belongs);
        return -ENOMEM;
    }
    size_t nbelong = 0, ngo = 0;
    for (unsigned i = 0; i < st->n; i++)
        load[i] = st->node_cpu_load[i];
    /* First what runs beside them: the measured load less theirs. */
    for (size_t c = 0; c < n; c++) {
        int h = belongs[c] = home_of(st, &cands[c]);
        st->home[c] = h >= 0 && goes_home(st, &cands[c], h) ? h : -1;
        if (h < 0)
            continue;
        nbelong++;
        ngo += st->home[c] >= 0;
        take_use_off(load, st->n, cands[c].score);
    }
    conserve_background(load, st->n);
    for (size_t c = 0; c < n; c++)
        if (belongs[c] >= 0)
            load[belongs[c]] += cands[c].score->cpu_use;
    /* Alone (nothing else belonging anywhere) it is what the ordinary rules
     * already decide. */
    bool use = ngo >= 1 && nbelong >= 2 && ngo <= params->max_moves;
    for (unsigned i = 0; use && i < st->n; i++) {
        double ncpus = (double)st->topo->nodes[i].ncpus;
        if (!(load[i] <= ncpus * params->max_node_cpu_load + CPU_SLACK + ncpus * HOME_SLACK_PER_CPU))
            use = false;
    }
    if (use) {
        for (size_t c = 0; c < n; c++) {
            if (st->home[c] < 0)
                continue;
            take_use_off(st->base_load, st->n, cands[c].score);
            st->booked_cpu[st->home[c]] += cands[c].score->cpu_use;
            st->use_out[c] = true;
        }
        for (unsigned i = 0; i < st->n; i++)
            if (!(st->base_load[i] > 0.0))
                st->base_load[i] = 0.0;
    } else {
        for (size_t c = 0; c < n; c++)
            st->home[c] = -1;
    }
    free(load);
    free(belongs);
    return 0;
}

/* What place_kb measures, for the decision's sentence. */
static const char *held_what(const struct np_score *sc)
{
    return sc->access_used ? "memory accesses (kernel fault data)" : "memory";
}

/* Rule 1's checks that need no target: local enough, cooling down, no CPU
 * data. True when they decided D. */
static bool precheck(const struct plan_state *st, const struct np_candidate *cand,
                     struct np_decision *d)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    if (sc->locality >= params->local_enough) {
        d->reason = NP_REASON_LOCAL_ENOUGH;
        set_why(d, "%.0f%% of its %s local, at least the %.0f%% that is local enough",
                sc->locality * 100.0,
                sc->access_used ? "memory accesses (kernel fault data) are" : "memory is",
                params->local_enough * 100.0);
        return true;
    }
    if (cand->cooling_down) {
        d->reason = NP_REASON_COOLDOWN;
        set_why(d, "moved recently and still cooling down");
        return true;
    }
    if (all_zero(sc->cpu_share, st->n)) {
        d->reason = NP_REASON_NO_CPU_DATA;
        set_why(d, "none of its threads last ran on a CPU of a known node");
        return true;
    }
    return false;
}

static void describe_no_room(const struct plan_state *st, struct np_decision *d)
{
    const struct np_plan_params *params = st->params;
    d->reason = NP_REASON_NO_ROOM;
    uint64_t huge_kb = 0;
    for (unsigned s = 0; s < st->nhuge; s++)
        huge_kb = sat_add(huge_kb, st->huge_total_kb[s]);
    /* "A, B and CPU room", "A and CPU room" or "CPU room" */
    char mem_part[80] = "", huge_part[80] = "";
    if (params->memory_moves)
        snprintf(mem_part, sizeof(mem_part), "%llu MiB free above %u%% headroom",
                 mib(st->ord_total_kb), params->mem_headroom_pct);
    if (huge_kb)
        snprintf(huge_part, sizeof(huge_part), "free hugepages for %llu MiB of hugetlb",
                 mib(huge_kb));
    set_why(d, "no node set with %s%s%s%sCPU room for %.1f CPU",
            mem_part, *mem_part && *huge_part ? ", " : "", huge_part,
            *mem_part || *huge_part ? " and " : "", st->cpu_use);
}

/* Its threads need more CPU than any one node has and run on several
 * nodes: no single node takes it, and binding it to all of them changes
 * nothing. Which thread uses which memory is per-thread access data that
 * only the kernel's NUMA balancing gathers (and acts on); without it the
 * process is kept, with a reason saying so rather than a bare no-room. */
static bool spans_nodes(const struct plan_state *st, const struct np_candidate *cand)
{
    unsigned running_on = 0;
    for (unsigned i = 0; i < st->n; i++) {
        if (st->topo->nodes[i].ncpus > 0 && st->cpu_use <= st->capacity[i] + CPU_SLACK)
            return false;
        running_on += cand->score->cpu_share[i] > 0;
    }
    return running_on >= 2;
}

static void describe_spans_nodes(const struct plan_state *st, const struct np_candidate *cand,
                                 struct np_decision *d)
{
    const struct np_score *sc = cand->score;
    struct np_nodeset on;
    np_nodeset_zero(&on);
    double most = 0;
    for (unsigned i = 0; i < st->n; i++) {
        if (sc->cpu_share[i] > 0)
            np_nodeset_set(&on, (unsigned)st->topo->nodes[i].id);
        if (st->capacity[i] > most)
            most = st->capacity[i];
    }
    char nodes[96];
    format_nodes(&on, nodes, sizeof(nodes));   /* "nodes 0-3": at least two */
    d->reason = NP_REASON_SPANS_NODES;
    if (!st->params->memory_moves)
        set_why(d, "threads need %.1f CPU (one node has %.1f) and run on %s: kept "
                   "whole; kernel NUMA balancing moves each thread's pages to it",
                st->cpu_use, most, nodes);
    else if (cand->placed && cand->threads_apart)
        /* Bound apart (rule 7) while balancing was on, which is off now:
         * the binds stay, and the advice to coexist would read as if
         * nothing had been done. */
        set_why(d, "threads need %.1f CPU (one node has %.1f) and run on %s, %.0f%% local; "
                   "its busy threads stay bound one to a node as placed while kernel NUMA "
                   "balancing was on, which now moves no pages; numaplaced does not either "
                   "(which thread uses which pages is unknown)",
                st->cpu_use, most, nodes, sc->locality * 100.0);
    else
        set_why(d, "threads need %.1f CPU (one node has %.1f) and run on %s, %.0f%% "
                   "local; which thread uses which pages is unknown with kernel NUMA balancing "
                   "off: coexist with kernel.numa_balancing=1 would move each thread's pages to it",
                st->cpu_use, most, nodes, sc->locality * 100.0);
}

/* Rule 7's room on node index I for threads of the current candidate:
 * its capacity less everyone else's load, with rule 0's sampling
 * tolerance (its own use came off by the sampler's shares). */
static double thread_room(const struct plan_state *st, unsigned i)
{
    unsigned ncpus = st->topo->nodes[i].ncpus;
    if (ncpus == 0)
        return 0.0;
    return st->capacity[i] + CPU_SLACK + HOME_SLACK_PER_CPU * (double)ncpus - st->load[i];
}

static bool has_hugetlb(const struct plan_state *st)
{
    for (unsigned s = 0; s < st->nhuge; s++)
        if (st->huge_total_kb[s] > 0)
            return true;
    return false;
}

/* "tid 101 on node 1, tid 102 on node 2, ..." for the first few binds. */
static void format_binds(const struct np_decision *d, char *buf, size_t bufsz)
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned k = 0; k < d->nbinds && len < bufsz; k++) {
        if (k == 4) {
            snprintf(buf + len, bufsz - len, ", ...");
            return;
        }
        int w = snprintf(buf + len, bufsz - len, "%stid %d on node %d", k ? ", " : "",
                         d->binds[k].tid, d->binds[k].node);
        if (w < 0)
            return;
        len += (size_t)w;
    }
}

/* Rule 7, for a candidate D found spanning nodes: one node per busy
 * thread when the kernel's balancing moves the pages. True when it
 * decided D anew (a move, confirming, or bound already); false leaves D
 * as spans-nodes. */
static bool place_threads(struct plan_state *st, const struct np_candidate *cand,
                          struct np_decision *d)
{
    const struct np_plan_params *params = st->params;
    const struct np_topology *topo = st->topo;
    if (params->memory_moves || !cand->threads || cand->nthreads < 2 ||
        cand->nthreads > NP_PLAN_MAX_THREAD_BINDS || has_hugetlb(st))
        return false;
    double room[NP_MAX_NODES];
    int node[NP_PLAN_MAX_THREAD_BINDS];
    if (st->n > NP_MAX_NODES)
        return false;
    for (unsigned i = 0; i < st->n; i++)
        room[i] = thread_room(st, i);
    if (np_thread_plan(topo, room, cand->threads, cand->nthreads, node) < 0) {
        size_t len = strlen(d->why);
        snprintf(d->why + len, sizeof(d->why) - len,
                 "; its busy threads do not fit the nodes' CPU room one to a node either");
        return false;
    }
    bool moves_one = false;
    np_nodeset_zero(&d->target);
    d->nbinds = 0;
    for (size_t k = 0; k < cand->nthreads; k++) {
        int id = topo->nodes[node[k]].id;
        np_nodeset_set(&d->target, (unsigned)id);
        d->binds[d->nbinds++] = (struct np_thread_bind){.tid = cand->threads[k].tid, .node = id};
        moves_one |= node[k] != cand->threads[k].run_node;
    }
    d->move_kb = 0;
    d->locality_after = d->locality_before;
    char binds[160];
    format_binds(d, binds, sizeof(binds));
    if (cand->placed && cand->threads_apart && !moves_one) {
        /* Bound apart by us and each thread where it was put: nothing to
         * do. (Bound whole, with its threads on its nodes by chance, it
         * is bound apart now.) */
        d->reason = NP_REASON_SPANS_NODES;
        set_why(d, "its %u busy threads stay bound one to a node (%s); kernel NUMA balancing "
                   "moves each thread's pages to it", d->nbinds, binds);
        d->nbinds = 0;
        np_nodeset_zero(&d->target);
        return true;
    }
    char nodes[96];
    format_nodes(&d->target, nodes, sizeof(nodes));
    if (!confirmed(st, cand, true)) {
        d->reason = NP_REASON_CONFIRMING;
        d->awaits_evidence = d->awaits_bind_only = true;
        set_why(d, "away from its memory for %.1f s of the %.1f s a bind needs; would bind "
                   "its %u busy threads one to a node (%s)",
                cand->away_s, confirm_wait(params, true), d->nbinds, binds);
        d->nbinds = 0;
        return true;
    }
    if (st->moves >= params->max_moves) {
        d->reason = NP_REASON_MAX_MOVES;
        set_why(d, "max_moves (%u) reached this cycle; would bind its threads to %s",
                params->max_moves, nodes);
        d->nbinds = 0;
        return true;
    }
    d->reason = NP_REASON_MOVE;
    set_why(d, "needs %.1f CPU, more than one node has: %u busy threads bound one to a node "
               "with room (%s), at their memory or where they run; kernel balancing moves "
               "their pages", st->cpu_use, d->nbinds, binds);
    /* Booking: each node gets what its threads bring, less what the
     * process ran there already; a node it leaves is freed. */
    double after[NP_MAX_NODES] = {0};
    for (size_t k = 0; k < cand->nthreads; k++)
        after[node[k]] += cand->threads[k].cpu_use;
    for (unsigned i = 0; i < st->n; i++) {
        if (after[i] > st->own_cpu[i])
            st->booked_cpu[i] += after[i] - st->own_cpu[i];
        else if (after[i] == 0.0 && st->own_cpu[i] > 0.0)
            st->base_load[i] = st->base_load[i] > st->own_cpu[i] ? st->base_load[i] - st->own_cpu[i]
                                                                  : 0.0;
    }
    st->moves++;
    return true;
}

/* Rules 2 and 3: the target set and what moving there means (target,
 * move_kb, locality_after) into D, its evaluation into *RET_E and seed
 * into *RET_SEED. False when D is decided (no room) instead. */
static bool evaluate_target(struct plan_state *st, const struct np_candidate *cand,
                            struct np_decision *d, struct set_eval *ret_e, unsigned *ret_seed)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    unsigned n = st->n;
    prepare_candidate(st, cand);
    unsigned seed, k;
    if (find_target(st, &seed, &k) < 0) {
        if (spans_nodes(st, cand))
            describe_spans_nodes(st, cand, d);
        else
            describe_no_room(st, d);
        return false;
    }
    struct set_eval *e = ret_e;
    set_walk(e, st, seed, k);
    const unsigned *row = &st->order[(size_t)seed * n];
    for (unsigned j = 0; j < k; j++)
        np_nodeset_set(&d->target, (unsigned)st->topo->nodes[row[j]].id);

    uint64_t total = sc->total_kb;
    uint64_t huge_off = set_huge_off(e, st);
    d->move_kb = params->memory_moves ? sat_sub(total, e->all_on_kb) : huge_off;
    if (total == 0 || params->memory_moves)
        d->locality_after = 1.0;
    else
        d->locality_after = (double)sat_add(e->all_on_kb, huge_off) / (double)total;
    /* Its memory already on the target, local enough: only its CPUs move.
     * The few pages elsewhere (often shared library pages) are not worth a
     * migration (in the guest a 1.4 MiB migrate_pages walked the whole
     * process and took 15 s of CPU). */
    bool cpus_only = total > 0 && (double)e->all_on_kb >= params->local_enough * (double)total;
    if (cpus_only)
        d->move_kb = 0;

    /* Every CPU and nothing to migrate: the process may already run
     * anywhere, so such a "move" changes nothing but would start its
     * cooldown (seen in the guest: a hugetlb process on a busy node's
     * memory bound to all four nodes and left remote). */
    unsigned all_cpus = 0;
    for (unsigned i = 0; i < n; i++)
        all_cpus += st->topo->nodes[i].ncpus;
    if (d->move_kb == 0 && e->ncpus == all_cpus) {
        if (spans_nodes(st, cand)) {
            describe_spans_nodes(st, cand, d);
        } else {
            d->reason = NP_REASON_NO_ROOM;
            set_why(d, "only all nodes together have CPU room for %.1f CPU, and binding it to "
                       "every CPU would change nothing", st->cpu_use);
        }
        np_nodeset_zero(&d->target);
        d->locality_after = d->locality_before;
        return false;
    }
    *ret_seed = seed;
    return true;
}

/* Rules 1 (gain) and 4 (confirmation, moves and budget of the cycle) for
 * the move D describes to NODES. True when one holds it back (D decided). */
static bool held_by_limits(const struct plan_state *st, const struct np_candidate *cand,
                           struct np_decision *d, const char *nodes)
{
    const struct np_plan_params *params = st->params;
    double gain = d->locality_after - d->locality_before;
    uint64_t budget_left = sat_sub(params->budget_kb, st->budget_used_kb);

    if (gain < params->min_gain) {
        d->reason = NP_REASON_LOW_GAIN;
        set_why(d,
                "moving to %s raises locality only from %.0f%% to %.0f%%, "
                "less than the %.0f%% minimum gain",
                nodes, d->locality_before * 100.0, d->locality_after * 100.0,
                params->min_gain * 100.0);
        return true;
    }
    /* Where a thread runs is one instant's last CPU, and a thread seen on
     * another node is often back a moment later (the scheduler balancing).
     * A move waits until the process was found remote confirm_cycles times
     * (a cycle found local takes one off), so the evidence spans at least
     * that many intervals less one
     * (seen in the guest: a well-placed process's memory pulled after its
     * thread ran on another node for one interval). */
    bool bind_only = copies_nothing(st, cand, d->move_kb);
    if (!confirmed(st, cand, bind_only)) {
        d->reason = NP_REASON_CONFIRMING;
        d->awaits_evidence = true;
        d->awaits_bind_only = bind_only;
        if (cand->have_evidence) {
            char lately[48] = "";
            if (cand->away_share > 0.0)
                snprintf(lately, sizeof(lately), " (%.0f%% of its time lately)",
                         cand->away_share * 100.0);
            set_why(d,
                    "away from its memory for %.1f s of the %.1f s a %s needs without a "
                    "break%s; would move to %s",
                    cand->away_s, confirm_wait(params, bind_only),
                    bind_only && !params->memory_moves ? "bind" : "move",
                    lately, nodes);
        }
        else
            set_why(d,
                    "found remote %u of the %u times a move needs (a local cycle takes one "
                    "off); would move to %s",
                    cand->remote_cycles, params->confirm_cycles, nodes);
        return true;
    }
    if (st->moves >= params->max_moves) {
        d->reason = NP_REASON_MAX_MOVES;
        set_why(d,
                "max_moves (%u) reached this cycle; would move to %s",
                params->max_moves, nodes);
        return true;
    }
    if (d->move_kb > 0 && params->budget_kb == 0) {
        d->reason = NP_REASON_BUDGET;
        set_why(d,
                "the migration budget of this cycle is 0; would move %llu MiB to %s",
                mib(d->move_kb), nodes);
        return true;
    }
    if (d->move_kb > budget_left && st->budget_used_kb > 0) {
        d->reason = NP_REASON_BUDGET;
        set_why(d,
                "needs %llu MiB but only %llu MiB of this cycle's %llu MiB migration "
                "budget is left; would move to %s",
                mib(d->move_kb), (unsigned long long)(budget_left / 1024),
                mib(params->budget_kb), nodes);
        return true;
    }
    return false;
}

/* A homecomer's decision: its home node, CPUs only (booked already). */
/* "" or, for a move that goes before its full wait (drift, or nothing to
 * come back to), why it goes anyway. */
static void early_note(const struct plan_state *st, const struct np_candidate *cand,
                       char *buf, size_t bufsz)
{
    const struct np_plan_params *params = st->params;
    buf[0] = '\0';
    if (waited(params, cand))
        return;
    if (nothing_to_come_back_to(st, cand))
        snprintf(buf, bufsz, "; %s, so it goes without waiting",
                 denser_node(st, cand, true)
                     ? "the nodes holding more of its memory have no CPU room beside the work "
                       "pinned there"
                     : "no node with CPUs holds more of its memory than where it runs");
    else if (cand->have_evidence && !params->memory_moves &&
             cand->away_s >= params->coexist_confirm_seconds)
        snprintf(buf, bufsz, "; beside the kernel's balancing a bind waits %.1f s away, not %.1f "
                             "(the kernel chases it meanwhile)",
                 params->coexist_confirm_seconds, params->confirm_seconds);
    else if (cand->have_evidence)
        snprintf(buf, bufsz, "; it drifts: away from its memory %.0f%% of the last %.1f s",
                 cand->away_share * 100.0, params->confirm_seconds);
}

static void decide_homecoming(struct plan_state *st, const struct np_candidate *cand,
                              struct np_decision *d, unsigned home)
{
    const struct np_score *sc = cand->score;
    np_nodeset_set(&d->target, (unsigned)st->topo->nodes[home].id);
    d->move_kb = 0;
    d->locality_after = (double)sc->place_kb[home] / (double)sc->total_kb;
    char nodes[96];
    format_nodes(&d->target, nodes, sizeof(nodes));
    if (held_by_limits(st, cand, d, nodes))
        return;
    d->reason = NP_REASON_MOVE;
    char drift[128];
    early_note(st, cand, drift, sizeof(drift));
    set_why(d,
            "%s: holds %.0f%% of its %s; the processes now running there go home "
            "too, so it has CPU room (needs %.1f CPU): CPUs only%s",
            nodes, d->locality_after * 100.0, held_what(sc), sc->cpu_use, drift);
    st->moves++;
}

static void describe_move(const struct plan_state *st, const struct np_candidate *cand,
                          const struct set_eval *e, struct np_decision *d, const char *nodes)
{
    const struct np_plan_params *params = st->params;
    uint64_t total = cand->score->total_kb;
    double held_pct = total ? (double)e->all_on_kb / (double)total * 100.0 : 100.0;
    d->reason = NP_REASON_MOVE;
    char extra[256] = "";
    if (d->move_kb > params->budget_kb)
        snprintf(extra, sizeof(extra),
                 "; its %llu MiB exceeds the %llu MiB budget, so it moves in batches "
                 "over several cycles", mib(d->move_kb), mib(params->budget_kb));
    else if (!params->memory_moves) {
        char note[128];
        early_note(st, cand, note, sizeof(note));
        snprintf(extra, sizeof(extra), "; CPUs only, the kernel moves its pages%s", note);
    }
    else
        early_note(st, cand, extra, sizeof(extra));
    set_why(d,
            "%s: holds %.0f%% of its %s and has CPU room (needs %.1f CPU, "
            "%.1f used of %.1f)%s",
            nodes, held_pct, held_what(cand->score), st->cpu_use, e->load, e->capacity, extra);
}

/* Books a bind of the candidate to the one node I and fills D's move. */
static void book_bind(struct plan_state *st, struct np_decision *d, unsigned i)
{
    struct set_eval e;
    set_walk(&e, st, i, 1);
    np_nodeset_zero(&d->target);
    np_nodeset_set(&d->target, (unsigned)st->topo->nodes[i].id);
    d->move_kb = 0;
    d->locality_after = (double)st->cand->score->place_kb[i] / (double)st->cand->score->total_kb;
    d->reason = NP_REASON_MOVE;
    book_move(st, &e, i);
    st->moves++;
}

/* Coexisting with the kernel's balancing, a process that is at home (one
 * node holds local_enough of its memory, or of its accesses with the
 * kernel's fault data, and it runs there) but free to run anywhere is
 * bound there, CPUs only, when the node has room for it: otherwise the
 * scheduler moves it away when another task wants its CPU and the kernel
 * chases it with page migrations (5 busy processes on 4 one-CPU nodes:
 * as many pages moved with numaplaced beside the kernel as by the kernel
 * alone, 627,297 against 623,833, while numaplaced called them local).
 * With balancing off numaplaced binds such a process back only once it
 * has stayed away (rule 0 and the confirmation rule): the scheduler's
 * visits cost no page moves there. False when D stays as decided. */
static bool keep_home(struct plan_state *st, const struct np_candidate *cand,
                      struct np_decision *d)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    if (params->memory_moves || cand->placed || cand->cooling_down ||
        st->moves >= params->max_moves)
        return false;
    prepare_candidate(st, cand);
    int home = home_of(st, cand);
    if (home < 0 || sc->cpu_share[home] < 0.5)
        return false;
    struct set_eval e;
    set_walk(&e, st, (unsigned)home, 1);
    if (!set_fits(&e, st))
        return false;
    book_bind(st, d, (unsigned)home);
    d->locality_after = d->locality_before;
    char nodes[96];
    format_nodes(&d->target, nodes, sizeof(nodes));
    set_why(d, "%s: keeps it where %.0f%% of its %s is, with CPU room (needs %.1f CPU, %.1f used "
               "of %.1f): CPUs only, so the kernel's balancing need not chase it",
            nodes, (double)sc->place_kb[home] / (double)sc->total_kb * 100.0,
            sc->access_used ? "memory accesses" : "memory", st->cpu_use, e.load, e.capacity);
    return true;
}

/* The node index where most of a process's CPU time runs, or -1. */
static int run_node_of(const struct plan_state *st, const struct np_score *sc)
{
    int best = -1;
    for (unsigned i = 0; i < st->n; i++)
        if (sc->cpu_share[i] > 0.0 && (best < 0 || sc->cpu_share[i] > sc->cpu_share[best]))
            best = (int)i;
    return best;
}

/* Node I (with CPUs) is measured running at its capacity. The measured
 * load, not the plan's view of it: the movers planned together (rule 6)
 * have their use taken off the nodes they run on, but they run there now. */
static bool node_busy(const struct plan_state *st, unsigned i)
{
    double ncpus = (double)st->topo->nodes[i].ncpus;
    return st->node_cpu_load[i] >= st->capacity[i] - BUSY_SLACK_PER_CPU * ncpus;
}

/* How many other candidates are on node I per CPU (st->presence). */
static double crowd(const struct plan_state *st, unsigned i)
{
    size_t self = (size_t)(st->cand - st->cands), count = 0;
    for (size_t c = 0; c < st->ncands; c++)
        count += c != self && st->presence[c] == (int)i;
    return (double)count / (double)st->topo->nodes[i].ncpus;
}

/* Of the nodes with CPUs that ACCEPT, the one holding most of the
 * candidate's memory (accesses), then the least loaded, then the lowest
 * index; with BY_CROWD the one with fewest other candidates per CPU
 * first. -1 if none. */
static int most_memory_node(const struct plan_state *st,
                            bool (*accept)(const struct plan_state *, unsigned, int), int arg,
                            bool by_crowd)
{
    const struct np_score *sc = st->cand->score;
    int best = -1;
    double best_crowd = 0.0;
    for (unsigned i = 0; i < st->n; i++) {
        if (st->topo->nodes[i].ncpus == 0 || !accept(st, i, arg))
            continue;
        double c = by_crowd ? crowd(st, i) : 0.0;
        if (best < 0 || c < best_crowd ||
            (c == best_crowd && (sc->place_kb[i] > sc->place_kb[best] ||
                                 (sc->place_kb[i] == sc->place_kb[best] &&
                                  st->load[i] < st->load[best])))) {
            best = (int)i;
            best_crowd = c;
        }
    }
    return best;
}

/* Rule 8's target: its CPUs alone can hold the process. */
static bool can_share(const struct plan_state *st, unsigned i, int unused)
{
    (void)unused;
    return st->cpu_use <= st->capacity[i] + CPU_SLACK;
}

/* Rule 8's way out: not where it runs (CUR), and with CPU room for it. */
static bool has_room_elsewhere(const struct plan_state *st, unsigned i, int cur)
{
    return (int)i != cur && st->load[i] + st->cpu_use <= st->capacity[i] + CPU_SLACK;
}

/* Rule 8, for a candidate D found without room: on a machine whose every
 * node with CPUs is busy it shares a CPU wherever it runs, and free to run
 * anywhere it is moved from node to node by the scheduler, each time
 * chased by the kernel's page migrations (seen in the guest: five busy
 * processes on four one-CPU nodes, four of them kept at home, the fifth
 * 25-50% local for a minute while the kernel moved about 3,300 of its
 * pages a second). Bound to the node with fewest other candidates per CPU
 * and, among those, most of its memory (accesses), it stays local there
 * and the chase stops; that node's CPUs are shared, as some node's are
 * wherever it runs. True when it decided D anew. */
static bool share_when_full(struct plan_state *st, const struct np_candidate *cand,
                            struct np_decision *d)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    if (params->memory_moves || cand->placed || has_hugetlb(st) || sc->total_kb == 0)
        return false;
    for (unsigned i = 0; i < st->n; i++)
        if (st->topo->nodes[i].ncpus > 0 && !node_busy(st, i))
            return false;
    int node = most_memory_node(st, can_share, 0, true);
    if (node < 0)
        return false;
    char nodes[96];
    struct np_nodeset target = {0};
    np_nodeset_set(&target, (unsigned)st->topo->nodes[node].id);
    format_nodes(&target, nodes, sizeof(nodes));
    double held_pct = (double)sc->place_kb[node] / (double)sc->total_kb * 100.0;
    /* At home there (as keep_home's), it need not confirm: nothing moves. */
    bool at_home = held_pct >= params->local_enough * 100.0 && sc->cpu_share[node] >= 0.5;
    if (!at_home && !confirmed(st, cand, true)) {
        d->reason = NP_REASON_CONFIRMING;
        d->awaits_evidence = d->awaits_bind_only = true;
        d->target = target;
        set_why(d, "every node's CPUs are busy; away from its memory for %.1f s of the %.1f s a "
                   "bind needs; would share %s, where %.0f%% of its %s is",
                cand->away_s, confirm_wait(params, true), nodes, held_pct, held_what(sc));
        return true;
    }
    if (st->moves >= params->max_moves) {
        d->reason = NP_REASON_MAX_MOVES;
        d->target = target;
        set_why(d, "max_moves (%u) reached this cycle; would share %s", params->max_moves, nodes);
        return true;
    }
    book_bind(st, d, (unsigned)node);
    d->shared = true;
    set_why(d, "%s: every node's CPUs are busy, so it shares a CPU wherever it runs; bound where "
               "%.0f%% of its %s is, CPUs only, so the kernel's balancing need not chase it (it "
               "moves on when a node has room)",
            nodes, held_pct, held_what(sc));
    return true;
}

/* Rule 8's label, for every bind of a cycle beside the kernel's balancing:
 * a process bound to one node that holds, with this cycle's binds made,
 * more busy candidates than CPUs (its own included; others using at least
 * SHARING_PER_CPU) shares that node's CPUs, whichever rule bound it.
 * Rule 5 reads two processes sharing one CPU at about half a CPU each and
 * finds room for both at their common home (seen in the guest: the fifth
 * of five busy processes on four one-CPU nodes bound home beside the one
 * whose memory shared its node, and called a homecomer with room); so
 * labelled, it moves on when a node has room (below), as one that rule 8
 * bound does. Not hugetlb memory, which only numaplaced moves. */
static void label_shared(const struct plan_state *st, const struct np_candidate *cands, size_t n,
                         struct np_decision *ret)
{
    for (size_t c = 0; c < n; c++) {
        struct np_decision *d = &ret[c];
        int i = st->presence[c];
        if (d->reason != NP_REASON_MOVE || d->shared || d->nbinds > 0 || i < 0 ||
            np_nodeset_count(&d->target) != 1 || cand_has_hugetlb(&cands[c]))
            continue;
        unsigned busy = 1;
        for (size_t o = 0; o < n; o++)
            busy += o != c && st->presence[o] == i && cands[o].score->cpu_use >= SHARING_PER_CPU;
        if (busy <= st->topo->nodes[i].ncpus)
            continue;
        d->shared = true;
        size_t len = strlen(d->why);
        snprintf(d->why + len, sizeof(d->why) - len,
                 "; it shares the node's CPUs with %u other busy process%s (it moves on when a "
                 "node has room)", busy - 1, busy - 1 == 1 ? "" : "es");
    }
}

/* Rule 8's end: a process we bound to share a busy node, which is still
 * busy and still runs others beside it (*RET_SHARING), goes to a node that
 * has room for it now, CPUs only (the kernel moves its pages), cooling
 * down or not. True when it decided D. */
static bool move_on_from_shared(struct plan_state *st, const struct np_candidate *cand,
                                struct np_decision *d, bool *ret_sharing)
{
    const struct np_plan_params *params = st->params;
    const struct np_score *sc = cand->score;
    *ret_sharing = false;
    if (!cand->placed || !cand->shared || sc->total_kb == 0)
        return false;
    prepare_candidate(st, cand);
    int cur = run_node_of(st, sc);
    if (cur < 0 || !node_busy(st, (unsigned)cur) ||
        st->load[cur] < SHARING_PER_CPU * (double)st->topo->nodes[cur].ncpus)
        return false;
    *ret_sharing = true;
    if (params->memory_moves || st->moves >= params->max_moves)
        return false;
    int node = most_memory_node(st, has_room_elsewhere, cur, false);
    if (node < 0)
        return false;
    double room = st->capacity[node] - st->load[node];
    book_bind(st, d, (unsigned)node);
    char nodes[96];
    format_nodes(&d->target, nodes, sizeof(nodes));
    set_why(d, "%s: has CPU room now (needs %.1f CPU, %.1f free), where it shared node %d's busy "
               "CPUs: CPUs only, the kernel moves its pages",
            nodes, st->cpu_use, room, st->topo->nodes[cur].id);
    return true;
}

/* One candidate through the rules: precheck, evaluate a target, limits,
 * describe, book. */
static void decide_rules(struct plan_state *st, const struct np_candidate *cand,
                         struct np_decision *d, bool *ret_sharing)
{
    d->pid = cand->pid;
    d->start_time = cand->start_time;
    np_nodeset_zero(&d->target);
    d->move_kb = 0;
    d->locality_before = cand->score->locality;
    d->locality_after = cand->score->locality;
    d->why[0] = '\0';
    d->nbinds = 0;
    d->shared = false;
    d->awaits_evidence = d->awaits_bind_only = false;

    if (move_on_from_shared(st, cand, d, ret_sharing))
        return;
    if (precheck(st, cand, d)) {
        if (d->reason == NP_REASON_LOCAL_ENOUGH)
            (void)keep_home(st, cand, d);
        return;
    }
    int home = st->home ? st->home[cand - st->cands] : -1;
    if (home >= 0) {
        decide_homecoming(st, cand, d, (unsigned)home);
        return;
    }
    struct set_eval e;
    unsigned seed;
    if (!evaluate_target(st, cand, d, &e, &seed)) {
        if (d->reason == NP_REASON_SPANS_NODES)
            (void)place_threads(st, cand, d);
        else if (d->reason == NP_REASON_NO_ROOM)
            (void)share_when_full(st, cand, d);
        return;
    }
    char nodes[96];
    format_nodes(&d->target, nodes, sizeof(nodes));
    if (held_by_limits(st, cand, d, nodes))
        return;
    describe_move(st, cand, &e, d, nodes);
    book_move(st, &e, seed);
    st->moves++;
    st->budget_used_kb = sat_add(st->budget_used_kb, d->move_kb);
}

/* D->shared: a rule 8 move, or bound by one and still sharing its node. */
static void decide(struct plan_state *st, const struct np_candidate *cand, struct np_decision *d)
{
    bool sharing = false;
    decide_rules(st, cand, d, &sharing);
    if (d->reason != NP_REASON_MOVE)
        d->shared = sharing;
}

struct plan_order {
    bool homecomer;             /* first: their homes are booked, their moves counted on */
    double benefit;
    int pid;
    size_t idx;
};

static int plan_order_cmp(const void *a, const void *b)
{
    const struct plan_order *x = a, *y = b;
    if (x->homecomer != y->homecomer)
        return x->homecomer ? -1 : 1;
    if (x->benefit != y->benefit)
        return x->benefit > y->benefit ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool params_valid(const struct np_plan_params *p)
{
    return isfinite(p->local_enough) && isfinite(p->min_gain) &&
           isfinite(p->max_node_cpu_load) && p->max_node_cpu_load >= 0.0 &&
           isfinite(p->confirm_seconds) && p->confirm_seconds >= 0.0 &&
           isfinite(p->drift_share) && p->drift_share >= 0.0 &&
           isfinite(p->coexist_confirm_seconds) && p->coexist_confirm_seconds >= 0.0 &&
           p->mem_headroom_pct <= 100;
}

static bool topology_valid(const struct np_topology *topo)
{
    if (!topo->nodes || !topo->distance || topo->nnodes == 0 || topo->nnodes > NP_MAX_NODES)
        return false;
    for (unsigned i = 0; i < topo->nnodes; i++)
        if (topo->nodes[i].id < 0 || topo->nodes[i].id >= NP_MAX_NODES)
            return false;
    return true;
}

static bool candidate_valid(const struct np_candidate *c, unsigned nnodes)
{
    const struct np_score *sc = c->score;
    if (!sc || sc->nnodes != nnodes || !sc->cpu_share || !sc->mem_kb || !sc->place_kb ||
        !isfinite(sc->cpu_use) || sc->cpu_use < 0.0 || !isfinite(sc->locality) ||
        !isfinite(sc->benefit))
        return false;
    for (unsigned i = 0; i < nnodes; i++)
        if (!isfinite(sc->cpu_share[i]) || sc->cpu_share[i] < 0.0)
            return false;
    if (c->mem && c->mem->nslots && !c->mem->node)
        return false;
    if (c->nthreads && !c->threads)
        return false;
    for (size_t k = 0; k < c->nthreads; k++) {
        const struct np_thread_use *t = &c->threads[k];
        if (!isfinite(t->cpu_use) || t->cpu_use < 0.0 || t->run_node >= (int)nnodes ||
            t->access_node >= (int)nnodes)
            return false;
    }
    return true;
}

/* Whether CAND's move, wherever it goes, copies nothing (its target is not
 * chosen yet: asked as if all its memory moved). */
static bool mover_bind_only(const struct plan_state *st, const struct np_candidate *cand)
{
    return copies_nothing(st, cand, cand->score->total_kb);
}

/* Whether a candidate is away from its memory (not going home) and free to
 * move: a joint mover once confirmed. */
static bool away_mover(const struct plan_state *st, const struct np_candidate *cand, size_t c)
{
    const struct np_score *sc = cand->score;
    return st->home[c] < 0 && sc->locality < st->params->local_enough && !cand->cooling_down &&
           !all_zero(sc->cpu_share, st->n);
}

/* Whether a candidate will move wherever it goes, so that the CPU it uses
 * now leaves the nodes it runs on: an away mover confirmed for its move. */
static bool joint_mover(const struct plan_state *st, const struct np_candidate *cand, size_t c)
{
    return away_mover(st, cand, c) && confirmed(st, cand, mover_bind_only(st, cand));
}

/* A NO_ROOM decision of an away mover not yet confirmed, beside another
 * away mover, is held by its confirmation: once confirmed its CPU use
 * leaves the nodes it runs on (rule 6) and the room it lacked may be
 * there, so the engine decides again as soon as the evidence confirms it
 * rather than an interval later (seen in the guest: three busy processes
 * away from their memory, every node busy, each `no-room` at the first
 * cycle after start and moved one interval later). Marks them and says
 * so in their why. */
static void hold_unconfirmed_movers(const struct plan_state *st, const struct np_candidate *cands,
                                    size_t n, struct np_decision *ret)
{
    size_t away = 0;
    for (size_t c = 0; c < n; c++)
        away += away_mover(st, &cands[c], c);
    for (size_t c = 0; away >= 2 && c < n; c++) {
        const struct np_candidate *cand = &cands[c];
        struct np_decision *d = &ret[c];
        bool bind_only = mover_bind_only(st, cand);
        if (d->reason != NP_REASON_NO_ROOM || !cand->have_evidence ||
            !away_mover(st, cand, c) || confirmed(st, cand, bind_only))
            continue;
        d->awaits_evidence = true;
        d->awaits_bind_only = bind_only;
        size_t len = strlen(d->why);
        snprintf(d->why + len, sizeof(d->why) - len,
                 "; not yet confirmed away (%.1f s of %.1f s): then its CPU use leaves its "
                 "node",
                 cand->away_s, confirm_wait(st->params, bind_only));
    }
}

/* Rule 6, the movers together: takes every joint mover's use out of the
 * nodes it runs on now (it leaves them, wherever it goes), so each is
 * placed against what stays plus the moves booked before it. One at a
 * time, a mover saw the node it should take still holding another mover
 * about to leave it (seen in the guest: three busy processes, memory on a
 * busy node, the scheduler splitting each over two of the three idle
 * one-CPU nodes: each `no-room` for up to four cycles). Returns how many. */
static size_t movers_out(struct plan_state *st, const struct np_candidate *cands, size_t n)
{
    size_t nmovers = 0;
    for (size_t c = 0; c < n; c++) {
        if (!joint_mover(st, &cands[c], c))
            continue;
        nmovers++;
        st->use_out[c] = true;
        take_use_off(st->base_load, st->n, cands[c].score);
    }
    conserve_background(st->base_load, st->n);
    return nmovers;
}

/* Plans every candidate into RET, JOINT: with rule 6. *RET_USABLE is false
 * when a joint plan must not be used: fewer than two movers, or one of
 * them not moved (its CPU stays where it was counted gone: all or none). */
static int plan_all(const struct np_topology *topo, const double *node_cpu_load,
                    const double *node_pinned_load, const struct np_candidate *cands, size_t n,
                    const struct np_plan_params *params, bool joint,
                    struct np_decision *ret, bool *ret_usable)
{
    *ret_usable = true;
    struct plan_order *order = calloc(n, sizeof(*order));
    if (!order)
        return -ENOMEM;
    struct plan_state st;
    int r = plan_state_init(&st, topo, node_cpu_load, params);
    if (r < 0) {
        free(order);
        return r;
    }
    st.node_pinned_load = node_pinned_load;

    r = plan_homecoming(&st, cands, n);
    if (r < 0)
        goto out;
    st.ncands = n;
    st.presence = malloc((n ? n : 1) * sizeof(*st.presence));
    if (!st.presence) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t c = 0; c < n; c++)
        st.presence[c] = st.home[c] >= 0 ? st.home[c] : run_node_of(&st, cands[c].score);
    st.joint = joint;
    if (joint && movers_out(&st, cands, n) < 2) {
        *ret_usable = false;
        goto out;
    }
    for (size_t c = 0; c < n; c++) {
        order[c].homecomer = st.home[c] >= 0;
        order[c].benefit = cands[c].score->benefit;
        order[c].pid = cands[c].pid;
        order[c].idx = c;
    }
    qsort(order, n, sizeof(*order), plan_order_cmp);

    for (size_t o = 0; o < n; o++) {
        struct np_decision *d = &ret[order[o].idx];
        memset(d, 0, sizeof(*d));
        decide(&st, &cands[order[o].idx], d);
        d->rank = (unsigned)(o + 1);
        if (d->reason == NP_REASON_MOVE && np_nodeset_count(&d->target) == 1)
            st.presence[order[o].idx] = np_topology_index(topo, np_bits_next(NP_NODES(&d->target), 0));
    }
    if (!params->memory_moves)
        label_shared(&st, cands, n, ret);
    hold_unconfirmed_movers(&st, cands, n, ret);
    for (size_t c = 0; joint && c < n; c++)
        if (st.use_out[c] && st.home[c] < 0 && ret[c].reason != NP_REASON_MOVE)
            *ret_usable = false;
out:
    plan_state_free(&st);
    free(order);
    return r;
}

int np_plan(const struct np_topology *topo, const double *node_cpu_load,
            const double *node_pinned_load, const struct np_candidate *cands, size_t n,
            const struct np_plan_params *params, struct np_decision *ret)
{
    if (!topo || !node_cpu_load || !params || (n && (!cands || !ret)))
        return -EINVAL;
    if (!topology_valid(topo) || !params_valid(params))
        return -EINVAL;
    for (unsigned i = 0; i < topo->nnodes; i++)
        if (!isfinite(node_cpu_load[i]) ||
            (node_pinned_load && (!isfinite(node_pinned_load[i]) || node_pinned_load[i] < 0.0)))
            return -EINVAL;
    for (size_t c = 0; c < n; c++)
        if (!candidate_valid(&cands[c], topo->nnodes))
            return -EINVAL;
    if (n == 0)
        return 0;

    /* A node is at least as busy as the work pinned there: the measured
     * load comes from another window and has numaplaced's own copying
     * taken off (seen in the guest: a node a pinned process filled read
     * 0.00 busy while copies ran, and a hog was bound beside it). */
    double *floored = NULL;
    if (node_pinned_load) {
        floored = malloc(topo->nnodes * sizeof(*floored));
        if (!floored)
            return -ENOMEM;
        for (unsigned i = 0; i < topo->nnodes; i++)
            floored[i] = fmax(node_cpu_load[i], node_pinned_load[i]);
        node_cpu_load = floored;
    }
    bool usable;
    int r = plan_all(topo, node_cpu_load, node_pinned_load, cands, n, params, true, ret, &usable);
    if (r == 0 && !usable)
        r = plan_all(topo, node_cpu_load, node_pinned_load, cands, n, params, false, ret, &usable);
    free(floored);
    return r;
}
