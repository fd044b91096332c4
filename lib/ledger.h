/* ledger: what numaplaced remembers about each process between cycles.
 *
 * Keyed by (pid, start_time): a PID that comes back with another start
 * time is a different process and starts from nothing, so no cooldown,
 * saved affinity or reason carries over to it. Entries not seen in a cycle
 * are dropped by np_ledger_sweep(). Bounded by max_entries. */
#ifndef NP_LEDGER_H
#define NP_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "exclude.h"
#include "evidence.h"
#include "mempolicy.h"

/* Only processes we changed carry the (large) placement record. */
struct np_ledger_placement {
    bool have_original;
    struct np_cpuset original;       /* affinity before our first change */
    struct np_cpuset placed_cpus;    /* what we set on the leader (to tell a later re-pin by
                                        someone else) */
    bool threads_apart;              /* plan.h rule 7: its busy threads on nodes of their own */
    bool shared;                     /* plan.h rule 8: bound to share a busy node's CPUs */
    struct np_nodeset placed_nodes;
    double placed_cpu_use;           /* CPU use when placed: the load it brings there */
    double settled_at;               /* engine time of that placement, moved on to the end
                                        of its memory's copy when a mover made it */
    bool via_cgroup;
    char cgroup[NP_CGROUP_MAX];
};

struct np_thread_ticks {
    int tid;
    uint64_t ticks;
};

struct np_ledger_entry {
    int pid;
    uint64_t start_time;
    uint32_t seen_cycle;
    /* CPU use between the last two samples */
    bool have_prev;
    uint64_t prev_cpu_ticks;
    double prev_time;
    double cpu_use;
    bool cpu_measured;               /* cpu_use is from two samples, not a lifetime average */
    /* Readings in a row (up to 2) at which it was neither busy nor big
     * enough to be a candidate: at 2 the scan reads it only at its turn. */
    uint8_t idle_readings;
    /* placement state */
    bool managed;                    /* our affinity/cpuset is in force */
    bool migrating;                  /* memory move left partial: continue next cycle */
    bool moving;                     /* the mover is copying its memory now */
    double cooldown_until;
    bool given_up;                   /* permission or invalid: never retried */
    int last_error;                  /* negative errno of the last failure */
    char reason[160];                /* why given up / last failure */
    unsigned moves;
    /* The target of a move planned but held back (waiting for
     * confirmation, deferred, over the cycle's limits, paused), and the
     * cycle that held it: last cycle's is kept while it still fits. */
    struct np_nodeset held_target;
    uint32_t held_cycle;
    /* Cycles found remote less cycles found local, floored at 0, since it
     * was last not scored; scored_cycle is the last cycle that scored it. */
    unsigned remote_cycles;
    uint32_t scored_cycle;
    struct np_ledger_placement *placement;   /* NULL until we first change it */
    /* Its memory policies as last read, and what told when to read them
     * again (see the engine's refresh_policy). */
    bool have_mpol;
    struct np_mpol_summary mpol;
    double mpol_read_at;
    uint64_t mpol_vm_size_kb;
    size_t mpol_nthreads;
    /* Where its threads' CPU time went between cycles (the sampler's, while
     * it is a candidate: tracked), and the time it was last scored. */
    struct np_evidence *evidence;
    bool tracked;
    double scored_at;
    /* The last cycle held its move for confirmation (with evidence), and
     * whether that move only binds CPUs (drift may confirm it): the
     * sampler asks for a cycle as soon as the evidence is enough. */
    bool confirming;
    bool confirming_bind_only;
    /* Threads' CPU ticks at the last detail pass, to weigh each thread by
     * what it used since (sorted by tid; malloc'd). */
    size_t nthread_ticks;
    struct np_thread_ticks *thread_ticks;
};

struct np_ledger;

struct np_ledger *np_ledger_new(size_t max_entries);
struct np_ledger *np_ledger_free(struct np_ledger *l);

/* Finds the entry of (PID, START_TIME); with CREATE, makes it (replacing an
 * entry of the same PID with another start time). NULL when absent (or,
 * with CREATE, when the ledger is full or out of memory). */
struct np_ledger_entry *np_ledger_get(struct np_ledger *l, int pid, uint64_t start_time,
                                      bool create);
/* Entry of PID whatever its start time, or NULL. */
struct np_ledger_entry *np_ledger_find_pid(struct np_ledger *l, int pid);
/* Placement record of E, allocated on first use. NULL on ENOMEM. */
struct np_ledger_placement *np_ledger_placement(struct np_ledger_entry *e);

/* Drops entries whose seen_cycle != CYCLE. Returns how many. */
size_t np_ledger_sweep(struct np_ledger *l, uint32_t cycle);
size_t np_ledger_count(const struct np_ledger *l);

/* Iteration: *CURSOR starts at 0; returns NULL at the end. */
struct np_ledger_entry *np_ledger_next(struct np_ledger *l, size_t *cursor);

#endif
