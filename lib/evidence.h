/* evidence: where a process's threads spent their CPU time, sampled
 * between cycles, as a short history per node.
 *
 * Where a thread runs at one instant (its last CPU when a cycle reads it)
 * is a glimpse: the scheduler moves threads for a moment and back, and a
 * cycle an interval later cannot tell a visit from a move. A light sampler
 * reads the candidates' threads (task/TID/stat: CPU time and last CPU)
 * every sampling.thread_interval seconds; each sample attributes the CPU
 * time a thread used since the last one to the node it is on now. The
 * cycle then weighs threads by where their time went over the interval,
 * and a move needs the process away from its memory for an unbroken
 * planner.confirm_seconds; a bind home alone (no pages to copy) also
 * follows a process away for planner.drift_share of its time over as
 * long. */
#ifndef NP_EVIDENCE_H
#define NP_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sample.h"
#include "topology.h"

#define NP_EVIDENCE_MAX 64   /* samples kept: 64 s at the default 1 s */

struct np_evidence_thread {
    int tid;
    uint64_t ticks;
    int node;                        /* node index at that reading, -1 unknown */
};

struct np_evidence {
    unsigned nnodes;                 /* columns of ticks (topology node indexes) */
    bool have_base;                  /* a first reading: deltas start from it */
    double base_t;
    unsigned head, count;            /* ring: the newest sample is (head + count - 1) % MAX */
    double t[NP_EVIDENCE_MAX];       /* when each sample was read */
    double *ticks;                   /* NP_EVIDENCE_MAX x nnodes: CPU ticks by node in the
                                        gap before each sample */
    size_t nlast;
    struct np_evidence_thread *last; /* each thread's ticks at the last reading, by tid */
    double *mem_frac;                /* nnodes: its memory's fraction per node index at
                                        the last scoring (NULL before), so the sampler can
                                        tell when a waiting move is confirmed */
};

/* Takes a reading of THREADS (sorted by tid) at NOW: each thread's ticks
 * since the last reading go to the node of its last CPU, or half to it
 * and half to the node it was on at the last reading when it moved
 * between the two (when in the gap it moved is not known; all to the new
 * node booked up to a whole gap of its time on the wrong one). A reading
 * more than MAX_GAP seconds after the last (> 0; the loop was busy, e.g.
 * copying memory) books nothing: over so long a gap neither node is
 * known, and half of it on the old one showed a process just bound home
 * as 50% remote for a cycle. A reading not later than the last is
 * ignored. 0 or -ENOMEM (E then keeps its old state). */
int np_evidence_add(struct np_evidence *e, const struct np_topology *t, double now,
                    const struct np_thread *threads, size_t n, double max_gap);
/* Number of samples read after SINCE. */
unsigned np_evidence_samples_since(const struct np_evidence *e, double since);
/* Share of the CPU time per node index (NNODES entries summing to 1) over
 * the samples read after SINCE. -ENODATA when they hold no CPU time,
 * -EINVAL when NNODES differs from E's. */
int np_evidence_share(const struct np_evidence *e, double since, unsigned nnodes, double *ret);
/* How long the process has been away from its memory without a break:
 * from the newest sample back, each sample whose CPU time ran less than
 * LOCAL_ENOUGH local (MEM_FRAC: its memory's fraction per node index) is
 * away; the first one that is not ends the stay; a sample with no CPU
 * time neither ends nor extends it. The stay starts at the reading before
 * its oldest sample. 0 when the newest sample with CPU time is local or
 * there is none. */
double np_evidence_away_seconds(const struct np_evidence *e, const double *mem_frac,
                                unsigned nnodes, double local_enough);
/* Drift: the share of the CPU time that ran away from its memory (1 less
 * the MEM_FRAC-weighted share) over the newest samples that span WINDOW
 * seconds (taken from the newest back until they do), into RET. A
 * process the scheduler keeps moving off its node and back is never away
 * for long without a break, but is away for much of its time.
 * -ENODATA when the history is shorter than WINDOW or holds no CPU time
 * in it, -EINVAL when NNODES differs from E's. */
int np_evidence_away_share(const struct np_evidence *e, const double *mem_frac, unsigned nnodes,
                           double window, double *ret);
void np_evidence_clear(struct np_evidence *e);

#endif
