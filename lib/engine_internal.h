/* engine_internal: the engine's state, shared by engine.c (the cycle) and
 * engine_ctl.c (what the control socket asks of it). Not for other users. */
#ifndef NP_ENGINE_INTERNAL_H
#define NP_ENGINE_INTERNAL_H

#include "engine.h"

#define NP_RUNTIME_EXCLUDE_MAX 1024

struct np_engine {
    const struct np_root *root;
    const struct np_actuator *act;
    const struct np_config *cfg;
    bool changes_are_real;
    int self_pid;
    uint64_t page_kb;
    long clk_tck;
    struct np_topology *topo;
    char topo_signature[512];
    struct np_ledger *ledger;
    uint32_t cycle;
    struct np_totals totals;
    struct np_action history[NP_HISTORY_MAX];
    size_t history_start, history_count;
    bool paused;                     /* plan and report, act on nothing */
    bool single_snapshot;            /* --once: plan on lifetime CPU averages */
    /* numaplacectl exclude/include: kept across config reloads */
    size_t nexcluded_pids, nexcluded_names;
    int excluded_pids[NP_RUNTIME_EXCLUDE_MAX];
    char *excluded_names[NP_RUNTIME_EXCLUDE_MAX];
    double *last_node_load;          /* CPUs in use per node index, last cycle */
    unsigned last_node_load_n;
};

/* True when numaplacectl excluded P (by pid or name glob). */
bool np_engine_runtime_excluded(const struct np_engine *e, const struct np_proc *p);

#endif
