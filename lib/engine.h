/* engine: one placement cycle, calling the stages in order
 * (begin: topology -> sample: stat, admission, detail -> score: numa_maps,
 * policies, scores -> plan -> act -> end),
 * plus the state that lives between cycles (ledger, history, totals).
 *
 * The engine owns no file descriptors, timers or sockets: the daemon calls
 * np_engine_cycle() from its timer and logs what the report says. Tests run
 * it on fixture roots with the recording actuator. */
#ifndef NP_ENGINE_H
#define NP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "act.h"
#include "config.h"
#include "exclude.h"
#include "fsroot.h"
#include "ledger.h"
#include "plan.h"
#include "sysstate.h"
#include "topology.h"

#define NP_HISTORY_MAX 256

enum np_view_state {
    NP_VIEW_CANDIDATE = 0,   /* scored this cycle */
    NP_VIEW_MANAGED,         /* placed by us earlier, scored this cycle */
    NP_VIEW_SKIPPED,         /* excluded, pinned, vanished, ... (skip says why) */
    NP_VIEW_GIVEN_UP,        /* a permission/invalid error stopped managing it */
};
const char *np_view_state_name(enum np_view_state s);

/* Why a process was left alone this cycle when no exclusion or pin (enum
 * np_skip) says so; list and show read it, the detail words it. */
enum np_hold {
    NP_HOLD_NONE = 0,
    NP_HOLD_TOO_SMALL,       /* below candidates.min_rss_mb */
    NP_HOLD_GONE,            /* exited during the scan */
    NP_HOLD_UNREADABLE,      /* its files, memory or policy could not be read */
    NP_HOLD_OVER_LIMIT,      /* over candidates.max_per_cycle this cycle */
    NP_HOLD_UNSCORED,        /* could not score */
    NP_HOLD_FIRST_SEEN,      /* CPU use not measured over an interval yet */
    NP_HOLD_IDLE,            /* managed but idle now: watched, not moved */
    NP_HOLD_GIVEN_UP,        /* a permission or invalid error stopped managing it */
    NP_HOLD_MOVING,          /* the mover is copying its memory */
};

/* One process that passed the CPU threshold, as this cycle saw it. */
struct np_proc_view {
    int pid;
    uint64_t start_time;
    char comm[NP_COMM_MAX];
    uint64_t mem_kb;                 /* VmRSS + HugetlbPages */
    double cpu_use;
    enum np_view_state state;
    enum np_skip skip;
    enum np_hold hold;
    char detail[200];                /* skip detail or error text */
    bool scored;
    bool sampled;                    /* memory estimated by page sampling */
    double locality, remote_cost, benefit;   /* locality: what placement goes by */
    double resident_locality;        /* from where its pages are */
    bool access_used;                /* locality is access_locality (kernel fault data) */
    bool threads_apart;              /* managed with its busy threads on nodes of their own
                                        (plan.h rule 7); its locality counts per thread */
    double access_locality;          /* -1: no access data */
    uint64_t access_faults;
    uint64_t remote_kb;
    uint64_t *node_kb;               /* per node index (nnodes), NULL unless scored */
    double *cpu_share;               /* per node index, NULL unless scored */
    bool decided;
    struct np_decision decision;
    bool acted;                      /* the actuator was called */
    bool deferred;                   /* a move planned but left for the next cycle */
    enum np_act_class act_class;
    int act_error;
    uint64_t moved_kb;
    bool partial, via_cgroup;
};

struct np_action {
    double when;                     /* engine clock (seconds) */
    double wall_time;                /* CLOCK_REALTIME seconds, for humans */
    int pid;
    uint64_t start_time;
    char comm[NP_COMM_MAX];
    struct np_nodeset from, to;
    uint64_t moved_kb;
    double duration_ms;
    double locality_before;
    double locality_after;           /* expected at once; measured at the next cycle */
    bool after_measured;
    bool partial, via_cgroup, dry_run;
    enum np_act_class result;
    int error;
};

struct np_totals {
    uint64_t cycles, moves, moved_kb;
    uint64_t cancelled;                      /* moves stopped part-way on request */
    uint64_t failures[NP_ACT_INVALID + 1];   /* by class */
};

struct np_cycle_report {
    double started, wall_ms, cpu_ms;
    unsigned nnodes;
    bool topology_changed;
    int numa_balancing;              /* -1 unknown */
    bool memory_moves;               /* false in coexist mode with kernel balancing on */
    struct np_vmstat vmstat;
    size_t nscanned, nbusy, ncandidates;
    size_t nunread;                  /* of nscanned: idle, left unread this cycle */
    bool truncated;
    size_t nviews;
    struct np_proc_view *views;      /* ranked: scored by benefit first, then the rest */
    size_t nactions;
    struct np_action *actions;       /* actions taken this cycle */
    size_t ngiven_up;                /* processes given up this cycle (logged once) */
    bool paused;                     /* decisions only: nothing was applied */
    size_t ndeferred;                /* moves left for the next cycle (acting time) */
    int cgroup_unwritable;           /* -errno: a cgroup write met a read-only tree in this
                                        cycle or a manual move before it (said once, until
                                        a reload) */
};

struct np_engine;

/* CFG is copied by pointer: it must stay valid until replaced with
 * np_engine_set_config(). CHANGES_ARE_REAL is false for dry-run and
 * --sysroot: the actuator is still called (the recording one), but nothing
 * is counted as managed. */
int np_engine_new(const struct np_root *root, const struct np_actuator *act,
                  const struct np_config *cfg, bool changes_are_real,
                  int self_pid, struct np_engine **ret);
struct np_engine *np_engine_free(struct np_engine *e);
void np_engine_set_config(struct np_engine *e, const struct np_config *cfg);
void np_engine_set_changes_real(struct np_engine *e, bool real);
/* Swaps the actuator (dry-run on/off at run time); A must outlive its use. */
void np_engine_set_actuator(struct np_engine *e, const struct np_actuator *act);
/* Paused: cycles still sample, score and plan (so status stays fresh), but
 * nothing is applied. */
void np_engine_set_paused(struct np_engine *e, bool paused);
bool np_engine_paused(const struct np_engine *e);
/* One snapshot only (--once, golden tests): plan with lifetime CPU
 * averages. Otherwise a process is moved only once its CPU use has been
 * measured over an interval. */
void np_engine_set_single_snapshot(struct np_engine *e, bool single);

/* Runs one cycle at engine time NOW (monotonic seconds). RET is filled
 * (free with np_cycle_report_clear). 0 or -errno when the cycle could not
 * run at all (topology unreadable); per-process failures are in RET. */
int np_engine_cycle(struct np_engine *e, double now, struct np_cycle_report *ret);
void np_cycle_report_clear(struct np_cycle_report *r);
/* Between cycles (every sampling.thread_interval): reads the threads of
 * the processes the last cycle scored and adds where their CPU time went
 * to their evidence (see evidence.h). Returns how many were sampled. */
int np_engine_sample_threads(struct np_engine *e, double now);
/* True once (then false until it happens again) when a sampler pass found
 * a move the last cycle held for confirmation now confirmed: the caller
 * may run the next cycle now instead of at its time. */
bool np_engine_take_early_cycle(struct np_engine *e);
/* Whether the cycle REP reports should be followed by another one sampler
 * period later instead of an interval: it placed something (the load it
 * measured is gone from where it was) and refused another for CPU room on
 * that old load. */
bool np_cycle_report_replan_soon(const struct np_cycle_report *rep);

/* Memory moves off the loop: with M (NULL: none) the act stage binds CPUs
 * and hands the copy to M; the daemon calls np_engine_collect_moves when
 * np_mover_fd(M) is readable. M must outlive its use. */
struct np_mover;
void np_engine_set_mover(struct np_engine *e, struct np_mover *m);
/* Records the moves the mover finished: ledger, totals, history, and RET's
 * actions (RET may be NULL; free with np_cycle_report_clear). A move that
 * failed or was cancelled gets the process's original affinity back.
 * Returns how many. */
int np_engine_collect_moves(struct np_engine *e, double now, struct np_cycle_report *ret);
/* Asks PID's move (every move, PID <= 0) to stop at its next batch.
 * How many were asked, or -ENOENT. */
int np_engine_cancel_move(struct np_engine *e, int pid);

struct np_move_status {
    int pid;
    char comm[NP_COMM_MAX];
    struct np_nodeset from, to;
    double started;                  /* engine clock */
    uint64_t done_kb, total_kb;
    bool cancelling;
};
/* How many moves are in flight; with I below that, *RET gets the I-th. */
size_t np_engine_moves_in_flight(const struct np_engine *e, size_t i, struct np_move_status *ret);

/* Puts back the original affinity of every process we manage (on exit,
 * when configured). Returns how many were restored. */
int np_engine_restore_all(struct np_engine *e);

const struct np_topology *np_engine_topology(const struct np_engine *e);
const struct np_totals *np_engine_totals(const struct np_engine *e);
/* History, oldest first: *RET_N entries. */
const struct np_action *np_engine_history(const struct np_engine *e, size_t i);
size_t np_engine_history_count(const struct np_engine *e);

/* Runtime exclusions (numaplacectl exclude/include): kept across config
 * reloads; at most 1024 of each. 0, -EEXIST, -ENOENT (include of an unknown
 * one), -ENOSPC or -EINVAL. */
int np_engine_exclude_pid(struct np_engine *e, int pid);
int np_engine_include_pid(struct np_engine *e, int pid);
int np_engine_exclude_name(struct np_engine *e, const char *glob);
int np_engine_include_name(struct np_engine *e, const char *glob);
size_t np_engine_excluded_pids(const struct np_engine *e, const int **ret);
size_t np_engine_excluded_names(const struct np_engine *e, const char *const **ret);
/* CPUs in use per node index as of the last cycle (NULL before the first). */
const double *np_engine_node_load(const struct np_engine *e, unsigned *ret_n);

/* A manual placement of PID on TARGET (node ids), through the same checks
 * (exclusions, pins, memory policies), actuator and migration budget as
 * the cycle; FORCE overrides the pin and policy checks (not exclusions).
 * On success RET gets the action (as logged). Errors: -ESRCH (no such
 * process), -EINVAL (unknown node or a set without CPUs), -EPERM (excluded
 * or pinned: WHY says which), -EBUSY (paused), or the actuator's -errno. */
int np_engine_move(struct np_engine *e, int pid, const struct np_nodeset *target, bool force,
                   double now, struct np_action *ret, char *why, size_t whysz);

/* Prints the ranked processes and decisions (--once, golden tests). */
void np_cycle_report_print(FILE *out, const struct np_engine *e,
                           const struct np_cycle_report *r, bool verbose);
/* One log line for an action: "pid 42 (memhog): nodes 0 -> 1, 300.0 MiB in
 * 210 ms, locality 25% -> 100%". */
void np_action_format(const struct np_action *a, char *buf, size_t bufsz);

/* Journal events. Each action and each refusal is logged with fields, so
 * `journalctl MESSAGE_ID=<id> NUMAPLACE_PID=4242` finds them. The message
 * ids never change (systemd/numaplace.catalog explains each one). */
enum np_event_kind {
    NP_EVENT_MOVED,             /* a placement applied (or recorded in dry-run) */
    NP_EVENT_MOVE_FAILED,       /* the actuator failed: NUMAPLACE_REASON is the class */
    NP_EVENT_MOVE_CANCELLED,    /* a memory move stopped part-way on request */
    NP_EVENT_GIVEN_UP,          /* a process numaplaced stops managing */
    NP_EVENT_REFUSED,           /* a control request refused (permission, admission) */
    NP_EVENT_COUNT
};
#define NP_EVENT_FIELDS_MAX 12
#define NP_EVENT_FIELD_LEN 192
/* "KEY=value" strings, ready for sd_journal_sendv; a value that does not
 * fit is cut short. */
struct np_event_fields {
    size_t n;
    char field[NP_EVENT_FIELDS_MAX][NP_EVENT_FIELD_LEN];
};
const char *np_event_kind_name(enum np_event_kind k);
const char *np_event_message_id(enum np_event_kind k);   /* 32 hex digits */
enum np_event_kind np_action_event_kind(const struct np_action *a);
/* MESSAGE_ID, NUMAPLACE_EVENT, NUMAPLACE_PID, NUMAPLACE_COMM,
 * NUMAPLACE_FROM, NUMAPLACE_TO (node lists), NUMAPLACE_BYTES (moved),
 * NUMAPLACE_DURATION_MS, NUMAPLACE_REASON ("ok" or the failure class),
 * ERRNO on failure, NUMAPLACE_DRY_RUN=1 in dry-run. */
void np_action_event_fields(const struct np_action *a, struct np_event_fields *ret);
struct np_refusal {
    enum np_event_kind kind;    /* NP_EVENT_GIVEN_UP or NP_EVENT_REFUSED */
    int pid;                    /* > 0 when the refusal is about a process */
    const char *comm;           /* may be NULL */
    const char *verb;           /* the control verb refused, or NULL */
    long client_uid;            /* the client's uid, or -1 */
    const char *reason;
};
/* MESSAGE_ID, NUMAPLACE_EVENT, then NUMAPLACE_PID, NUMAPLACE_COMM,
 * NUMAPLACE_VERB, NUMAPLACE_CLIENT_UID where known, NUMAPLACE_REASON. */
void np_refusal_event_fields(const struct np_refusal *r, struct np_event_fields *ret);

#endif
