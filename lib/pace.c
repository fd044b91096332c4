/* pace: the shared token bucket of the memory copies (see pace.h). */
#include "pace.h"
#include <errno.h>
#include <math.h>

static int rate_of(double mb_per_s, double burst_kb, double *ret_kb_per_s, double *ret_burst)
{
    if (!isfinite(mb_per_s) || mb_per_s < 0 || !isfinite(burst_kb) || burst_kb < 0)
        return -EINVAL;
    *ret_kb_per_s = mb_per_s * 1024.0;
    *ret_burst = burst_kb > 0 ? burst_kb : mb_per_s * 1024.0 / 10.0;
    return 0;
}

/* Earnings since the last booking, capped at the burst. Lock held. */
static void refill(struct np_pacer *p, uint64_t now_ns)
{
    if (now_ns > p->last_ns) {
        p->balance_kb += (double)(now_ns - p->last_ns) * p->kb_per_s / 1e9;
        if (p->balance_kb > p->burst_kb)
            p->balance_kb = p->burst_kb;
    }
    /* A clock read before another thread's later booking must not earn
     * that stretch twice: time only moves forward here. */
    if (now_ns > p->last_ns)
        p->last_ns = now_ns;
}

int np_pacer_init(struct np_pacer *p, double mb_per_s, double burst_kb, uint64_t now_ns)
{
    if (!p)
        return -EINVAL;
    double rate, burst;
    int r = rate_of(mb_per_s, burst_kb, &rate, &burst);
    if (r < 0)
        return r;
    r = pthread_mutex_init(&p->lock, NULL);
    if (r)
        return -r;
    p->kb_per_s = rate;
    p->burst_kb = burst;
    p->balance_kb = burst;    /* a fresh bucket is full */
    p->last_ns = now_ns;
    return 0;
}

int np_pacer_set_rate(struct np_pacer *p, double mb_per_s, uint64_t now_ns)
{
    double rate, burst;
    if (!p || rate_of(mb_per_s, 0, &rate, &burst) < 0)
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    refill(p, now_ns);
    p->kb_per_s = rate;
    p->burst_kb = burst;
    if (p->balance_kb > burst)
        p->balance_kb = burst;
    pthread_mutex_unlock(&p->lock);
    return 0;
}

uint64_t np_pacer_take(struct np_pacer *p, uint64_t kb, uint64_t now_ns)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&p->lock);
    uint64_t wait = 0;
    if (p->kb_per_s > 0) {
        refill(p, now_ns);
        p->balance_kb -= (double)kb;
        if (p->balance_kb < 0) {
            double ns = -p->balance_kb / p->kb_per_s * 1e9;
            wait = ns > 1e18 ? (uint64_t)1e18 : (uint64_t)llround(ns);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return wait;
}

double np_pacer_rate_kb_s(struct np_pacer *p)
{
    if (!p)
        return 0.0;
    pthread_mutex_lock(&p->lock);
    double r = p->kb_per_s;
    pthread_mutex_unlock(&p->lock);
    return r;
}

void np_pacer_destroy(struct np_pacer *p)
{
    if (p)
        pthread_mutex_destroy(&p->lock);
}

void np_log_window_init(struct np_log_window *w)
{
    *w = (struct np_log_window){.start = -1.0};
}

bool np_log_window_admit(struct np_log_window *w, double now, unsigned max, double window_s,
                         unsigned long *ret_suppressed)
{
    *ret_suppressed = 0;
    /* A clock that went back opens a new window too: never a stuck one. */
    if (w->start < 0 || now - w->start >= window_s || now < w->start) {
        *ret_suppressed = w->suppressed;
        w->start = now;
        w->lines = 0;
        w->suppressed = 0;
    }
    if (w->lines >= max) {
        w->suppressed++;
        return false;
    }
    w->lines++;
    return true;
}
