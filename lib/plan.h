/* plan: choose target nodes for the best candidates.
 *
 * Rules, in order (docs/design.md has the reasons):
 *  1. Skip processes already local enough, cooling down, or whose best
 *     placement gains less than min_gain locality.
 *  2. The target is the smallest node set that holds the process's memory
 *     (free memory above the headroom, plus what it already has there, and
 *     free hugepages of each size for its hugetlb memory) and has CPU room
 *     for its CPU use. Sets are built from a seed node plus its nearest
 *     nodes by distance (ties: lower id).
 *  3. Among sets of that size, prefer the one needing the least migration
 *     (where most memory already is), then the one where its CPUs already
 *     run, then the lowest node id.
 *  4. Candidates are taken by benefit, best first; each accepted move books
 *     its memory and CPU on the target so later ones see the room left.
 *     At most max_moves moves and budget_kb migrated kB per cycle.
 *  5. The whole machine first: every candidate that belongs on one node
 *     (it holds local_enough of its memory) is counted there; when they
 *     all fit their homes together, those away from home and confirmed go
 *     home now with CPU binds and no page moves, ranked first; else none
 *     does (all or none).
 *  6. The movers together: every candidate away from its memory and
 *     confirmed for a copy leaves the nodes it runs on, so their CPU use is
 *     taken off those nodes before any is placed; if one of them is then
 *     not moved, the cycle is planned one at a time instead (all or none).
 *     An accepted move's CPU use leaves the nodes outside its target. One
 *     found no room while not yet confirmed, beside another mover, is
 *     held as confirming is (np_decision.awaits_evidence): once confirmed
 *     its own use leaves the nodes it runs on.
 *  7. Threads apart: with the kernel's balancing moving pages (memory_moves
 *     false), a process that spans nodes (rule 2 finds no node for it) and
 *     has no hugetlb memory gets one node per busy thread (threadplan.h),
 *     within each node's CPU room, when all of them fit: each thread is
 *     bound there and the kernel moves its pages to it instead of chasing
 *     it. It waits for its confirmation as a bind does; once bound apart
 *     with each thread where it was put, it is left alone.
 *  8. Share when full: with the kernel's balancing moving pages, a process
 *     that fits one node but finds no node with CPU room while every node
 *     with CPUs is measured busy shares a CPU wherever it runs; it is
 *     bound, CPUs only, to the node with fewest other candidates per CPU
 *     and, among those, most of its memory (accesses), so the kernel stops
 *     chasing it from node to node. It waits for its confirmation as a
 *     bind does. Once another node has room for it while its own is still
 *     busy with others beside it, it is bound there (even cooling down): a
 *     shared bind lasts only as long as the machine is full. Any bind of
 *     the cycle (rule 5's included) that leaves its node with more busy
 *     candidates than CPUs is marked shared alike. */
#ifndef NP_PLAN_H
#define NP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "numamaps.h"
#include "score.h"
#include "threadplan.h"
#include "topology.h"

enum np_reason {
    NP_REASON_MOVE = 0,        /* a move was planned */
    NP_REASON_LOCAL_ENOUGH,    /* locality >= local_enough */
    NP_REASON_LOW_GAIN,        /* best placement gains < min_gain */
    NP_REASON_COOLDOWN,        /* moved recently */
    NP_REASON_NO_ROOM,         /* no node set has room (memory, hugepages or CPU) */
    NP_REASON_MAX_MOVES,       /* max_moves reached this cycle */
    NP_REASON_BUDGET,          /* migration budget of this cycle used up */
    NP_REASON_NO_CPU_DATA,     /* no thread ran on a known node */
    NP_REASON_CONFIRMING,      /* found remote fewer times than a move needs */
    NP_REASON_SPANS_NODES,     /* its threads need and run on several nodes: no
                                  whole-process placement makes them local */
    NP_REASON_COUNT
};
const char *np_reason_name(enum np_reason r);   /* "move", "local-enough", ... */

struct np_plan_params {
    double local_enough;        /* 0..1, e.g. 0.98 */
    double min_gain;            /* 0..1, e.g. 0.05 */
    unsigned max_moves;         /* per cycle */
    unsigned mem_headroom_pct;  /* % of each node's MemTotal kept free */
    double max_node_cpu_load;   /* fraction of a node's CPUs a plan may fill */
    uint64_t budget_kb;         /* kB that may be migrated this cycle; 0 = none */
    bool memory_moves;          /* false: place CPUs only, leave pages to the kernel
                                   (hugetlb is still counted as needing a move) */
    unsigned confirm_cycles;    /* without evidence, a move needs
                                   np_candidate.remote_cycles to reach this; 0 or 1
                                   acts at once (a single snapshot has no next cycle) */
    double confirm_seconds;     /* with evidence, a move needs np_candidate.away_s to
                                   reach this; 0 acts at once */
    double drift_share;         /* with evidence, a bind home that copies no pages also
                                   goes when np_candidate.away_share reaches this;
                                   0 = off */
    double coexist_confirm_seconds; /* with evidence and memory_moves false, a placement
                                   numaplaced copies nothing for (CPUs only) needs
                                   np_candidate.away_s to reach this instead of
                                   confirm_seconds */
};

struct np_candidate {
    int pid;
    uint64_t start_time;
    const struct np_score *score;      /* on topology indexes */
    const struct np_numa_maps *mem;    /* for hugetlb sizes; may be NULL */
    bool cooling_down;
    bool placed;                       /* numaplaced bound it already (managed) */
    bool threads_apart;                /* ... each busy thread to a node of its own (rule 7) */
    bool shared;                       /* ... to a busy node, the machine being full (rule 8) */
    /* Cycles at which it was found remote, this one and its first sight
     * included, less those at which it was found local (floored at 0):
     * where threads run is one instant's glimpse, and several findings,
     * an interval apart, are evidence. */
    unsigned remote_cycles;
    /* The sampler's word, when it has one: how long its threads have run
     * away from its memory without a break (evidence.h). It replaces
     * remote_cycles as the confirmation. */
    bool have_evidence;
    double away_s;
    /* With evidence: the share of its CPU time away from its memory over
     * the last confirm_seconds (0 while the history is shorter). */
    double away_share;
    /* The target of a move planned for it last cycle and held back
     * (waiting, over the cycle's limits, paused; empty if none): kept while
     * it still fits, so a process whose threads wander is not given a new
     * target every cycle. */
    struct np_nodeset held_target;
    /* Its busy threads (rule 7; NULL when unknown): CPU use, where each
     * runs and whose memory it accesses most. */
    const struct np_thread_use *threads;
    size_t nthreads;
};

#define NP_PLAN_MAX_THREAD_BINDS 64   /* rule 7 binds at most this many threads */

struct np_thread_bind {
    int tid;
    int node;                          /* node ID */
};

struct np_decision {
    int pid;
    uint64_t start_time;
    enum np_reason reason;
    struct np_nodeset target;          /* node IDs; empty unless reason == MOVE
                                          (also filled for LOW_GAIN/BUDGET/MAX_MOVES/CONFIRMING
                                          with the placement that would have been chosen) */
    uint64_t move_kb;                  /* memory not on target, to migrate */
    double locality_before;
    double locality_after;             /* expected */
    unsigned rank;                     /* 1 = highest benefit */
    char why[256];                     /* one human sentence: why this target / why not */
    /* Rule 7: a node for each busy thread (target is their union); the
     * process's other threads get the whole target. 0: the whole process
     * goes to target. */
    unsigned nbinds;
    struct np_thread_bind binds[NP_PLAN_MAX_THREAD_BINDS];
    /* Rule 8: a move to share a busy node's CPUs (no node had room); with
     * any other reason, bound so by us and still sharing that node. */
    bool shared;
    /* Held by rule 4's confirmation, so the caller may decide again as soon
     * as the evidence confirms it (np_plan_evidence_confirms, with
     * AWAITS_BIND_ONLY): CONFIRMING, or NO_ROOM for a mover of rule 6 not
     * yet confirmed, whose CPU use leaves its nodes once it is. */
    bool awaits_evidence;
    bool awaits_bind_only;
};

/* NODE_CPU_LOAD: CPUs in use per node index (all processes, including the
 * candidates themselves, which the planner subtracts for their own moves).
 * NODE_PINNED_LOAD (NULL: none known): the part of it used by work someone
 * else confined to that one node, which the scheduler cannot take off it;
 * a process whose memory's nodes are all held by such work does not wait
 * for its threads to come back (rule 4's confirmation).
 * RET has N entries in the same order as CANDS. Deterministic. 0 or -errno. */
int np_plan(const struct np_topology *topo, const double *node_cpu_load,
            const double *node_pinned_load, const struct np_candidate *cands, size_t n,
            const struct np_plan_params *params, struct np_decision *ret);

/* The planner's confirmation rule on the sampler's evidence (np_plan's, and
 * the engine's when a sample between cycles may confirm a held move): away
 * AWAY_S seconds without a break reaches confirm_seconds or, for a move
 * that copies no page (BIND_ONLY), the share AWAY_SHARE of the last
 * confirm_seconds reaches drift_share; beside the kernel's balancing
 * (memory_moves false) a BIND_ONLY move's wait is coexist_confirm_seconds.
 * Reads only those four params. */
bool np_plan_evidence_confirms(const struct np_plan_params *params, double away_s,
                               double away_share, bool bind_only);

/* Whether numaplaced copies no page for a placement with MOVE_KB kB not on
 * its target: none, or the kernel's balancing moves them (MEMORY_MOVES
 * false) and the process has no hugetlb memory (HAS_HUGETLB), which only
 * numaplaced moves. The planner's confirmation and the actuator ask it. */
bool np_plan_copies_nothing(bool memory_moves, uint64_t move_kb, bool has_hugetlb);

#endif
