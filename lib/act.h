/* act: the only code that changes anything, behind an interface.
 *
 * The real actuator calls sched_setaffinity, libnuma's numa_migrate_pages /
 * numa_move_pages and writes cgroup v2 cpuset files; the recording one
 * (dry-run, --sysroot, tests) writes each call as a text line and returns
 * success or a scripted error. Errors are sorted so the caller can decide:
 * gone (skip quietly), permission (stop managing, with the reason),
 * capacity (replan), transient (retry later). */
#ifndef NP_ACT_H
#define NP_ACT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "fsroot.h"
#include "pace.h"

enum np_act_class {
    NP_ACT_OK = 0,
    NP_ACT_GONE,        /* ESRCH/ENOENT: the process or thread exited */
    NP_ACT_PERMISSION,  /* EPERM/EACCES: stop managing it */
    NP_ACT_CAPACITY,    /* ENOMEM/ENOSPC: the target is full, replan */
    NP_ACT_TRANSIENT,   /* EAGAIN/EBUSY/EINTR and others: retry later */
    NP_ACT_INVALID,     /* EINVAL: a bad request (our bug or a vanished node) */
    NP_ACT_CANCELLED,   /* ECANCELED: stopped on request (not a failure) */
};
enum np_act_class np_act_classify(int negative_errno);
const char *np_act_class_name(enum np_act_class c);

struct np_actuator_ops {
    const char *name;                     /* "real", "recording" */
    /* Calls for different processes may run at once, from several threads
     * (the recording actuator's log may not). */
    bool concurrent;
    int (*get_affinity)(void *ctx, int tid, struct np_cpuset *ret);
    int (*set_affinity)(void *ctx, int tid, const struct np_cpuset *cpus);
    /* Moves PID's pages on FROM nodes to TO nodes. Returns pages that could
     * not be moved (>= 0) or -errno. */
    long (*migrate_pages)(void *ctx, int pid, const struct np_nodeset *from,
                          const struct np_nodeset *to);
    /* move_pages(2): NODES == NULL queries (STATUS gets node or -errno). */
    int (*move_pages)(void *ctx, int pid, unsigned long count, void **pages,
                      const int *nodes, int *status);
    /* Writes VALUE to sys/fs/cgroup/CGROUP/FILE ("cpuset.cpus", "cpuset.mems"). */
    int (*write_cgroup)(void *ctx, const char *cgroup, const char *file, const char *value);
    void (*free)(void *ctx);
};

struct np_actuator {
    const struct np_actuator_ops *ops;
    void *ctx;
};

/* ROOT must be the live "/" root (-EPERM otherwise). */
int np_actuator_real_new(const struct np_root *root, struct np_actuator *ret);
/* Records into memory; get_affinity answers what set_affinity last put on
 * that thread (the last 16 threads are remembered), else all CPUs 0..ncpus-1. */
int np_actuator_recording_new(unsigned ncpus, struct np_actuator *ret);
/* The recorded lines so far, e.g. "set_affinity tid=42 cpus=0-3\n". */
const char *np_actuator_recording_log(const struct np_actuator *a);
/* Makes the next call of OP ("get_affinity", "set_affinity", "migrate_pages",
 * "move_pages", "write_cgroup") for ID (tid/pid, or -1 for any; a cgroup
 * write matches any ID) fail with NEGATIVE_ERRNO. Each scripted failure is
 * used once; up to 16 wait at a time (-ENOSPC beyond). */
int np_actuator_recording_fail(struct np_actuator *a, const char *op, int id, int negative_errno);
void np_actuator_free(struct np_actuator *a);

#define NP_MAX_ROOMS 64

struct np_placement {
    int pid;
    struct np_cpuset cpus;          /* CPUs of the target nodes */
    struct np_nodeset mems;         /* target node IDs */
    struct np_nodeset from;         /* node IDs holding memory to move (not in mems) */
    const char *cgroup;             /* non-NULL: place through this cgroup's cpuset
                                       (caller checked it is the process's own) */
    bool move_memory;               /* false: CPUs only */
    uint64_t budget_kb;             /* at most this much memory moved now; when the
                                       remote memory is larger, batched move_pages of
                                       up to budget_kb and the result says partial */
    uint64_t remote_kb;             /* caller's estimate of memory on FROM */
    size_t max_threads;             /* limit on threads walked */
    /* How much each target node may still take (the planner's free memory
     * above the headroom); a target not listed is not limited. Only the
     * batched mover can hold to it; migrate_pages moves all or fails. */
    unsigned nrooms;
    struct np_target_room { int node; uint64_t kb; } rooms[NP_MAX_ROOMS];
    /* Before each batch the batched mover reads each target's meminfo
     * again and keeps the smaller room: a node that other allocations fill
     * while a copy runs stops taking its share (the rest go to the other
     * targets, or wait for the next plan), not the whole move. */
    bool recheck_rooms;
    unsigned headroom_pct;          /* the room's headroom, as the planner's */
    /* The caller's estimate of the memory on each FROM node: with several
     * targets, whole source nodes that fit a target's room move with one
     * migrate_pages each (0 sources: the batched mover spreads them). */
    unsigned nsources;
    struct np_source_node { int node; uint64_t kb; } sources[NP_MAX_ROOMS];
    /* Threads placed apart (plan.h rule 7; NULL none): each listed thread
     * gets its own CPUs, every other thread CPUS. Not with a cgroup. */
    const struct np_thread_cpus { int tid; struct np_cpuset cpus; } *thread_cpus;
    unsigned nthread_cpus;
    /* The page size of its hugetlb memory when it has one size (0: none,
     * or several): the batched mover then holds its private hugetlb
     * mappings to each target's free hugepages of that size, read again
     * before each batch, and not to free memory (the pool is outside
     * MemFree), and never splits one such page over two targets. */
    uint64_t huge_page_kb;
};

/* The CPUs PL gives thread TID: its own when placed apart, else PL's. */
const struct np_cpuset *np_placement_thread_cpus(const struct np_placement *pl, int tid);

struct np_act_result {
    enum np_act_class cls;
    int error;                      /* negative errno of the failing step, 0 if OK */
    char step[32];                  /* which step failed: "affinity", "migrate", "cgroup" */
    unsigned threads_set;
    unsigned threads_gone;          /* exited while being moved (not an error) */
    bool used_cgroup;
    int cgroup_error;               /* -EROFS: the cgroup write was refused by a read-only
                                       tree and the threads were placed instead */
    bool partial;                   /* memory left to move in a later cycle */
    bool target_filled;             /* a target's live room ran out mid-move */
    uint64_t moved_kb;              /* estimate of memory moved */
    bool have_original;
    struct np_cpuset original;      /* the leader's affinity before we changed it */
};

/* Applies PL: CPUs (cgroup cpuset, or every thread listed in
 * proc/PID/task under ROOT), then memory. A cgroup tree mounted read-only
 * (ProtectControlGroups=yes, a container's /sys/fs/cgroup) refuses the
 * cpuset write with EROFS: the threads and pages are then placed directly,
 * and RET->cgroup_error says so. Threads that vanish are skipped.
 * Returns 0 when the placement took effect (maybe partially for memory), or
 * the failing step's -errno with RET->cls telling what to do. */
int np_act_apply(const struct np_actuator *a, const struct np_root *root,
                 const struct np_placement *pl, struct np_act_result *ret);

/* What a memory move off the loop shares with whoever watches it; any
 * pointer may be NULL. CANCEL is read before each batch (the move then
 * fails with -ECANCELED, what it moved counted); DONE_KB grows as batches
 * finish; CALL_STARTED_NS holds the CLOCK_MONOTONIC time of the kernel call
 * in progress (0 between calls). */
struct np_act_control {
    const atomic_bool *cancel;
    atomic_uint_fast64_t *done_kb;
    atomic_uint_fast64_t *call_started_ns;
    struct np_pacer *pacer;     /* the copies' shared rate limit, NULL none */
    /* Per target node id (NP_MAX_NODES of them, NULL none): each node's
     * own cap (actuator.node_migrate_mb_per_s), on top of the shared one. */
    struct np_pacer *node_pacers;
};

/* CLOCK_MONOTONIC in nanoseconds (the time base of CALL_STARTED_NS). */
uint64_t np_monotonic_ns(void);

/* The memory step of PL alone (CPUs are the caller's), under CTL (may be
 * NULL). Same result conventions as np_act_apply. */
int np_act_apply_memory(const struct np_actuator *a, const struct np_root *root,
                        const struct np_placement *pl, const struct np_act_control *ctl,
                        struct np_act_result *ret);

/* Puts ORIGINAL back on every thread of PID. 0 or -errno (gone = 0). */
int np_act_restore(const struct np_actuator *a, const struct np_root *root, int pid,
                   const struct np_cpuset *original, size_t max_threads);

/* Tests: the recording actuator answers a move_pages query (NODES NULL) with
 * FN(page address, FN_CTX) for each page, a node id or a negative errno
 * (-ENOENT: not resident). Without it every page is on node 0. 0 or -EINVAL
 * (not a recording actuator). */
int np_actuator_recording_set_page_node(struct np_actuator *a,
                                        int (*fn)(void *addr, void *fn_ctx), void *fn_ctx);

/* Walks proc/PID/maps TEXT from *CURSOR to the next writable private mapping
 * (perms with w and p; [vsyscall], [vvar*], [vdso] skipped) and advances *CURSOR
 * past its line. Malformed lines are skipped. Returns 1 with [*START, *END),
 * or 0 at the end. Shared by the batched page mover and pagesample. */
int np_maps_next_writable_private(const char **cursor, uint64_t *start, uint64_t *end);
/* The same, and whether the mapping is private hugetlb (MAP_HUGETLB). */
int np_maps_next_writable_private_kind(const char **cursor, uint64_t *start, uint64_t *end,
                                       bool *hugetlb);

#endif
