/* mover: copies memory off the event loop.
 *
 * The act stage binds a process's CPUs on the loop (cheap) and hands the
 * memory part of its placement to the mover as a job. Worker threads run
 * the jobs (each bound to its job's target CPUs when asked, so the copy's
 * writes are local) and put finished ones on a done list; a pipe becomes
 * readable when there are some, which the daemon watches with libevent and
 * answers with np_mover_take_done() on the loop. A worker owns only the job
 * it runs: the engine's state is never touched off the loop.
 *
 * Cancel: np_move_job_cancel() sets a flag the batched page mover reads
 * before each batch (a job still queued is not started). One
 * migrate_pages call is not interruptible; the job stops after it. */
#ifndef NP_MOVER_H
#define NP_MOVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "act.h"
#include "fsroot.h"
#include "sample.h"

#define NP_MOVER_MAX_WORKERS 64

struct np_move_job {
    /* Filled by the submitter, read-only afterwards. */
    struct np_placement pl;          /* memory part; CPUs already set */
    char cgroup[NP_CGROUP_MAX];      /* a cgroup placement's group: pl.cgroup points here
                                        (its memory moves with a cpuset.mems write) */
    /* Shared with the worker while the job runs. */
    atomic_bool cancel;
    atomic_uint_fast64_t done_kb;    /* progress of the batched mover */
    atomic_uint_fast64_t call_started_ns; /* CLOCK_MONOTONIC of the call in progress, 0 none */
    /* Filled by the worker; read on the loop once the job is done. */
    int r;                           /* np_act_apply_memory's result */
    struct np_act_result res;
    double run_ms;                   /* from start of work to done */
    struct np_move_job *next;        /* the mover's lists */
};

#define NP_MOVER_NICE_MIN (-20)
#define NP_MOVER_NICE_MAX 19

struct np_mover;

/* NWORKERS threads (1..NP_MOVER_MAX_WORKERS) running jobs with actuator A
 * (its ops must be concurrent when NWORKERS > 1) under ROOT. With
 * BIND_WORKERS each worker sets its own affinity to its job's target CPUs
 * before the copy. A and ROOT must outlive the mover. 0 or -errno. */
int np_mover_new(const struct np_actuator *a, const struct np_root *root, unsigned nworkers,
                 bool bind_workers, struct np_mover **ret);
/* Readable while finished jobs wait for np_mover_take_done (O_CLOEXEC,
 * non-blocking). */
int np_mover_fd(const struct np_mover *m);
/* Queues JOB (calloc'd by the caller; the mover owns it until it comes back
 * from np_mover_take_done). 0, -EINVAL or -ESHUTDOWN. */
int np_mover_submit(struct np_mover *m, struct np_move_job *job);
/* The finished jobs, oldest first, linked by ->next (NULL: none); the
 * caller frees each with free(). Drains the pipe. */
struct np_move_job *np_mover_take_done(struct np_mover *m);
/* Jobs queued or running. */
unsigned np_mover_in_flight(const struct np_mover *m);
/* FN(CTX) is called by np_mover_submit, on the submitting thread, when a
 * job is queued while none was in flight, before a worker is woken for it.
 * Set it before the first submit (it is not locked). */
typedef void np_mover_busy_fn(void *ctx);
void np_mover_set_busy_hook(struct np_mover *m, np_mover_busy_fn *fn, void *ctx);
/* Seconds the longest call in progress has run at NOW_NS (CLOCK_MONOTONIC
 * nanoseconds), 0 when none: a worker stuck in the kernel shows here. */
double np_mover_longest_call(const struct np_mover *m, uint64_t now_ns);
/* Every worker's copies together at most MB_PER_S MiB/s (0 unlimited, the
 * default), paced per batch (np_pacer_take). 0 or -EINVAL. */
int np_mover_set_rate(struct np_mover *m, double mb_per_s);
/* Every target node's own cap in MiB/s (0: none), on top of the shared
 * rate: a node many jobs copy to at once is not flooded. 0 or -EINVAL. */
int np_mover_set_node_rate(struct np_mover *m, double mb_per_s);
/* The workers' nice value (NP_MOVER_NICE_MIN..MAX; at start the one of the
 * thread that called np_mover_new), taken by
 * each before its next job. A copy shares its target node's CPUs with the
 * process it moves (and others); below 0 it gets the larger share, as the
 * kernel's own balancing copies in the moving task's time. 0 or -EINVAL. */
int np_mover_set_nice(struct np_mover *m, int nice);
/* -errno of a worker's failure to take the last value set (EPERM, EACCES
 * without CAP_SYS_NICE), 0 none. */
int np_mover_nice_error(const struct np_mover *m);
void np_move_job_cancel(struct np_move_job *job);
/* Cancels every job, waits for the workers (each stops at its next batch)
 * and frees the mover with the jobs it still holds. */
void np_mover_free(struct np_mover *m);

#endif
