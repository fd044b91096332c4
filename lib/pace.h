/* pace: one token bucket for every memory copy (actuator.migrate_mb_per_s).
 *
 * The mover's workers copy at once; the rate the host can take is one
 * figure for all of them. A copier asks for the kilobytes it is about to
 * move and is told how long to wait first: the bucket lends, so a request
 * larger than what is left drives the balance negative and the wait is the
 * time the rate needs to pay it back. Over any stretch longer than one
 * request the copies then average the rate; a batch never waits for a
 * bucket that could never hold it. Idle time earns at most BURST_KB.
 *
 * Functions of explicit time (CLOCK_MONOTONIC nanoseconds) so tests can
 * drive the clock; the lock makes np_pacer_take safe from any thread. */
#ifndef NP_PACE_H
#define NP_PACE_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct np_pacer {
    pthread_mutex_t lock;
    double kb_per_s;        /* 0: unlimited */
    double burst_kb;        /* the most idle time earns */
    double balance_kb;      /* negative: owed */
    uint64_t last_ns;
};

/* MB_PER_S 0 means unlimited; BURST_KB 0 picks a tenth of a second's worth.
 * 0 or -EINVAL (negative or non-finite figures). */
int np_pacer_init(struct np_pacer *p, double mb_per_s, double burst_kb, uint64_t now_ns);
/* A new rate (reload). What is owed stays owed. 0 or -EINVAL. */
int np_pacer_set_rate(struct np_pacer *p, double mb_per_s, uint64_t now_ns);
/* Books KB at NOW_NS; returns the nanoseconds to wait before copying them
 * (0 when unlimited or the balance covers them). */
uint64_t np_pacer_take(struct np_pacer *p, uint64_t kb, uint64_t now_ns);
/* The rate in KiB/s (0 unlimited). */
double np_pacer_rate_kb_s(struct np_pacer *p);
void np_pacer_destroy(struct np_pacer *p);

/* A cap on lines of one kind in the log: at most MAX in any WINDOW_S
 * window (fixed windows, starting at the first line after the last one
 * ended). What a client can make the daemon say (a member sending refused
 * verbs in a loop) must not flood the journal, whose own rate limit would
 * then drop the daemon's other lines. Single-threaded (the event loop). */
struct np_log_window {
    double start;                /* this window's start; < 0 before the first line */
    unsigned lines;              /* logged in this window */
    unsigned long suppressed;    /* not logged in this window */
};

void np_log_window_init(struct np_log_window *w);
/* May a line be logged at NOW (seconds)? When a new window opens, the count
 * suppressed in the one before is put in *RET_SUPPRESSED (else 0), so the
 * caller can say it once. */
bool np_log_window_admit(struct np_log_window *w, double now, unsigned max, double window_s,
                         unsigned long *ret_suppressed);

#endif
