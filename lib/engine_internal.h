/* engine_internal: the engine's state and the cycle's stages, shared by
 * engine.c (the cycle and manual moves), engine_sample.c (sampling,
 * admission, scoring), engine_act.c (acting), engine_report.c (printing)
 * and engine_ctl.c (what the control socket asks of it). Not for other
 * users. */
#ifndef NP_ENGINE_INTERNAL_H
#define NP_ENGINE_INTERNAL_H

#include <time.h>
#include "engine.h"
#include "mover.h"
#include "numamaps.h"
#include "sample.h"
#include "score.h"

#define NP_RUNTIME_EXCLUDE_MAX 1024

/* An affinity to put on every thread of a process, queued where it is
 * released (its original one) or after CPUs came back (ours again), and
 * applied by the act stage (only it acts). */
struct np_pending_restore {
    int pid;
    struct np_cpuset cpus;
};

/* A memory move the mover runs for a process whose CPUs are bound: what
 * its history entry and status need once it is done. */
struct np_inflight {
    struct np_move_job *job;         /* the mover's until it comes back */
    int pid;
    uint64_t start_time;
    char comm[NP_COMM_MAX];
    struct np_nodeset from, to;
    double locality_before, locality_after;
    double started;                  /* engine clock */
    double bind_ms;                  /* the CPU step, on the loop */
    uint64_t total_kb;               /* expected (the budget may cut it) */
    bool manual;
    bool paused;                     /* cancelled by a pause: no cooldown after */
};

#define NP_INFLIGHT_MAX 64

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
    bool early_cycle;                /* the sampler confirmed a waiting move */
    /* The kernel's balancing is on and numaplaced coexists with it (it
     * moves the ordinary pages): its per-task fault counts are fresh
     * access data, read for each candidate. Set by each cycle. */
    bool kernel_moves_pages;
    bool single_snapshot;            /* --once: plan on lifetime CPU averages */
    /* -EROFS once a cgroup cpuset write met a read-only tree: placements go
     * by thread affinity (and their copies to the mover) until a reload. */
    int cgroup_unwritable;
    bool cgroup_unwritable_said;     /* a cycle report carried it */
    /* numaplacectl exclude/include: kept across config reloads */
    size_t nexcluded_pids, nexcluded_names;
    int excluded_pids[NP_RUNTIME_EXCLUDE_MAX];
    char *excluded_names[NP_RUNTIME_EXCLUDE_MAX];
    double *last_node_load;          /* CPUs in use per node index, last cycle */
    unsigned last_node_load_n;
    size_t nrestores, restores_cap;
    struct np_pending_restore *restores;
    /* The last proc/stat reading, which the next cycle measures node load
     * against. */
    bool have_cpu_times;
    struct np_cpu_times cpu_times;
    double cpu_times_at;
    /* Memory moves off the loop (NULL: the act stage copies itself). */
    struct np_mover *mover;
    size_t ninflight;
    struct np_inflight inflight[NP_INFLIGHT_MAX];
};

/* One process being considered this cycle (or by a manual move). */
struct candidate_work {
    struct np_proc *proc;
    struct np_ledger_entry *le;
    struct np_proc_view *view;
    struct np_numa_maps mem;
    bool have_mem;
    struct np_score score;
    bool have_score;
    bool have_evidence;              /* the sampler saw its threads run since it was tracked */
    double away_s;                   /* ... away from its memory this long without a break */
    double away_share;               /* ... away this share of its time lately (0: unknown) */
    struct np_thread_use *threads;   /* its busy threads, with the kernel's balancing on
                                        (plan.h rule 7); NULL otherwise */
    size_t nthreads;
};

/* LE is ours with its busy threads on nodes of their own (plan.h rule 7). */
static inline bool np_placed_apart(const struct np_ledger_entry *le)
{
    return le->managed && le->placement && le->placement->threads_apart;
}

/* LE is ours, bound to share a busy node's CPUs (plan.h rule 8). */
static inline bool np_placed_shared(const struct np_ledger_entry *le)
{
    return le->managed && le->placement && le->placement->shared;
}

/* What passes between the stages of one cycle; cycle_end frees it all. */
struct np_cycle {
    struct np_engine *e;
    double now;
    double cpu0, wall0;
    struct np_cycle_report *rep;
    struct np_proc_list list;
    unsigned idle_every;             /* an idle process is read every this many cycles */
    double uptime;
    double *node_load;               /* CPUs in use per node index, as planned on */
    double *pinned_load;             /* ... of it, by work someone else pinned to that node */
    bool load_measured;              /* node_load is from proc/stat, not booked per process */
    double measured_since;           /* start of the measured window */
    struct np_proc_view *views;
    size_t nviews;
    struct candidate_work *work;     /* the busy ones admitted past the detail pass */
    size_t nwork;
    struct np_candidate *cands;      /* what the planner is given */
    struct np_decision *dec;
    struct candidate_work **cw;      /* cands[i] is cw[i] */
    size_t ncand;
    struct candidate_work **continuing;   /* moves begun earlier, to go on */
    size_t ncontinuing;
    uint64_t budget_kb;              /* migration budget left this cycle */
};

/* Where in a process's reading the admission rule is applied. */
enum np_admit_step {
    NP_ADMIT_STAT,     /* proc/PID/stat only: kernel thread, self, pid, name, runtime, given up */
    NP_ADMIT_DETAIL,   /* status, cgroup, threads: size, exe, cgroup, user, pins */
    NP_ADMIT_MEMORY,   /* numa_maps or a sample: memory policies */
};

/* Why a process may not be placed, as far as it was read. */
struct np_admission {
    enum np_skip skip;               /* exclusion or pin (NP_SKIP_NONE otherwise) */
    enum np_hold hold;               /* another reason to leave it this cycle */
    int error;                       /* -errno behind NP_HOLD_UNREADABLE / GONE */
    char detail[200];
};

static inline double np_clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True when numaplacectl excluded P (by pid or name glob). */
bool np_engine_runtime_excluded(const struct np_engine *e, const struct np_proc *p);

/* engine_sample.c */
int np_cycle_refresh_topology(struct np_engine *e, bool *ret_changed);
double np_cycle_update_cpu_use(struct np_engine *e, struct np_ledger_entry *le,
                               const struct np_proc *p, double now, double uptime);
void np_cycle_book_load(const struct np_topology *t, const struct np_ledger_entry *le,
                        const struct np_proc *p, double use, double *node_load);
/* Our own CPU time is mostly page copying for the moves we make, which
 * ends with them: counting it made the node we ran on look full for the
 * next plan (seen in the guest: 0.6 CPU of copying kept a process off the
 * one node with room). Takes USE (numaplaced's, P) off the measured
 * NODE_LOAD thread by thread, each thread's share of it on the node it
 * ran on: the movers copy on their targets' CPUs, and all of it taken off
 * the main thread's node emptied that node on paper (seen in the guest:
 * two copies' 2 CPUs taken off the node a pinned process filled, which
 * read 0.00 busy and was given a hog). Falls back to the main thread's
 * node when the threads cannot be read. NODE_LOAD NULL (load booked per
 * process, where ours counts nowhere): only remembers the threads' ticks. */
#define NP_MAX_OWN_THREADS 256
void np_cycle_take_own_use_off(const struct np_engine *e, struct np_ledger_entry *le,
                               struct np_proc *p, double use, double *node_load);
/* Whether P's USE can count as work pinned to a node at all (its CPUs
 * aside): measured, not numaplaced's own bind, old enough. */
bool np_cycle_pinned_load_counts(const struct np_engine *e, const struct np_ledger_entry *le,
                                 const struct np_proc *p, double use, double uptime);
/* Adds P's USE to PINNED_LOAD (per node index) when someone else confined
 * it to one node's CPUs (CPUS, where it may run) and its use is measured
 * (np_plan's node_pinned_load). */
void np_cycle_book_pinned_load(const struct np_engine *e, const struct np_ledger_entry *le,
                               const struct np_proc *p, const struct np_cpuset *cpus, double use,
                               double uptime, double *pinned_load);
/* With NODE_LOAD measured since SINCE: adds what a placement made after
 * SINCE is expected to bring to its nodes beyond the USE it showed (it
 * stalled while its memory moved, or ran elsewhere before it was bound). */
void np_cycle_adjust_measured_load(const struct np_engine *e, const struct np_ledger_entry *le,
                                   const struct np_proc *p, double use, double since,
                                   double *node_load);
void np_view_init(struct np_proc_view *v, const struct np_proc *p, double cpu_use);
/* Marks V skipped for WHY (an exclusion or pin) or HOLD, with DETAIL. */
void np_view_skip(struct np_proc_view *v, enum np_skip why, enum np_hold hold, const char *detail);
/* The one rule for whether a process may be placed, for the cycle and for
 * manual moves alike, applied at STEP as far as W's reading goes. FORCE (a
 * forced manual move) overrides pins, memory policies and a given-up
 * process; MANUAL drops the cycle-only rules (too small: an admin's move
 * says the process matters). True when admitted so far; else *RET says
 * why. A managed process that is now excluded is released with its
 * affinity queued for restoring; one someone else re-pinned is released
 * as it is (theirs wins). */
bool np_admit(struct np_engine *e, struct candidate_work *w, enum np_admit_step step,
              bool manual, bool force, double now, struct np_admission *ret);
int np_cycle_read_memory(struct np_engine *e, struct candidate_work *w);
int np_cycle_score(struct np_engine *e, struct candidate_work *w, double now);
void np_cycle_rebook_load_by_threads(const struct np_topology *t, const struct candidate_work *w,
                                     double *node_load);
/* Pre-rank before memory is read: CPU use x size, then pid (qsort). */
int np_cmp_work(const void *a, const void *b);

/* engine_act.c */
/* Stops managing LE; with RESTORE its original affinity is queued. */
void np_release(struct np_engine *e, struct np_ledger_entry *le, bool restore);
/* Applies the queued restores. */
void np_act_pending_restores(struct np_engine *e);
/* After the CPU set changed: every process placed on CPUs that are all
 * online again gets that placement put back on its threads (the kernel
 * moved the threads of an offlined CPU and widened their affinity). */
void np_repin_after_hotplug(struct np_engine *e);
/* Applies W's decision. With a mover the CPUs are bound here and the memory
 * handed to the mover: returns true then (the action is recorded when the
 * mover is done, by np_engine_collect_moves). */
bool np_act_on(struct np_engine *e, struct candidate_work *w, double now,
               uint64_t *budget_left, bool memory_moves, struct np_cycle_report *rep);
/* The in-flight move of (PID, START_TIME), or NULL. */
struct np_inflight *np_inflight_find(struct np_engine *e, int pid, uint64_t start_time);
/* Applies the N placements WS decided, at once on threads of their own
 * (the actuator must be concurrent): copying memory for one no longer
 * waits for the others, and a node's copy runs beside another's. The
 * budget goes to them in order. Results are recorded here, on the
 * caller's thread, in order. 0 or -ENOMEM (nothing applied). */
int np_act_batch(struct np_engine *e, struct candidate_work **ws, size_t n, double now,
                 uint64_t *budget_left, bool memory_moves, struct np_cycle_report *rep);
/* Decides W's move begun earlier (the budget cut it short) into its view:
 * reason move when there is more to copy and budget left; returns the kB
 * it may take, which the plan must not count on. */
uint64_t np_continue_decide(struct np_engine *e, struct candidate_work *w, uint64_t budget_kb);
void np_remember_plan(const struct np_engine *e, struct np_ledger_entry *le,
                      const struct np_decision *d);
void np_measure_after(struct np_engine *e, const struct np_proc_view *v);
uint64_t np_kb_on_nodes(const struct np_topology *t, const uint64_t *node_kb,
                        const struct np_nodeset *set);

#endif
