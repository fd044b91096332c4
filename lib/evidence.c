/* evidence: see evidence.h. */
#include "evidence.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static unsigned slot(const struct np_evidence *e, unsigned k)
{
    return (e->head + k) % NP_EVIDENCE_MAX;
}

static const struct np_evidence_thread *find(const struct np_evidence *e, int tid)
{
    size_t lo = 0, hi = e->nlast;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->last[mid].tid == tid)
            return &e->last[mid];
        if (e->last[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void np_evidence_clear(struct np_evidence *e)
{
    if (!e)
        return;
    free(e->ticks);
    free(e->last);
    free(e->mem_frac);
    memset(e, 0, sizeof(*e));
}

int np_evidence_add(struct np_evidence *e, const struct np_topology *t, double now,
                    const struct np_thread *threads, size_t n, double max_gap)
{
    unsigned nnodes = t->nnodes;
    if (e->have_base && e->nnodes != nnodes)
        np_evidence_clear(e);   /* nodes came or went: the columns mean other nodes */
    if (e->mem_frac && e->nnodes != nnodes) {
        free(e->mem_frac);      /* measured against other nodes */
        e->mem_frac = NULL;
    }
    if (e->have_base) {
        double newest = e->count ? e->t[slot(e, e->count - 1)] : e->base_t;
        if (!(now > newest))
            return 0;
    }
    struct np_evidence_thread *last = malloc((n ? n : 1) * sizeof(*last));
    double *ticks = e->ticks;
    if (!ticks)
        ticks = calloc((size_t)NP_EVIDENCE_MAX * (nnodes ? nnodes : 1), sizeof(*ticks));
    if (!last || !ticks) {
        free(last);
        if (ticks != e->ticks)
            free(ticks);
        return -ENOMEM;
    }
    e->ticks = ticks;
    if (e->have_base) {
        double prev_t = e->count ? e->t[slot(e, e->count - 1)] : e->base_t;
        bool too_long = max_gap > 0.0 && now - prev_t > max_gap;
        unsigned k;
        if (e->count < NP_EVIDENCE_MAX)
            k = slot(e, e->count++);
        else {
            k = e->head;   /* the oldest makes room */
            e->head = (e->head + 1) % NP_EVIDENCE_MAX;
        }
        double *row = &e->ticks[(size_t)k * nnodes];
        memset(row, 0, nnodes * sizeof(*row));
        for (size_t i = 0; i < n && !too_long; i++) {
            const struct np_evidence_thread *prev = find(e, threads[i].tid);
            int ni = np_topology_cpu_node(t, threads[i].last_cpu);
            /* A thread born since the last reading: its time is not all
             * from this gap, so it counts from the next one. */
            if (!prev || ni < 0 || threads[i].cpu_ticks < prev->ticks)
                continue;
            double used = (double)(threads[i].cpu_ticks - prev->ticks);
            if (prev->node >= 0 && prev->node != ni && (unsigned)prev->node < nnodes) {
                row[prev->node] += used / 2.0;
                row[ni] += used / 2.0;
            } else
                row[ni] += used;
        }
        e->t[k] = now;
    } else {
        e->have_base = true;
        e->base_t = now;
        e->nnodes = nnodes;
    }
    for (size_t i = 0; i < n; i++) {
        last[i].tid = threads[i].tid;
        last[i].ticks = threads[i].cpu_ticks;
        last[i].node = np_topology_cpu_node(t, threads[i].last_cpu);
    }
    free(e->last);
    e->last = last;
    e->nlast = n;
    return 0;
}

unsigned np_evidence_samples_since(const struct np_evidence *e, double since)
{
    unsigned m = 0;
    for (unsigned k = 0; k < e->count; k++)
        m += e->t[slot(e, k)] > since;
    return m;
}

int np_evidence_share(const struct np_evidence *e, double since, unsigned nnodes, double *ret)
{
    if (!e->have_base || nnodes != e->nnodes)
        return -EINVAL;
    double total = 0.0;
    for (unsigned i = 0; i < nnodes; i++)
        ret[i] = 0.0;
    for (unsigned k = 0; k < e->count; k++) {
        unsigned s = slot(e, k);
        if (!(e->t[s] > since))
            continue;
        for (unsigned i = 0; i < nnodes; i++) {
            ret[i] += e->ticks[(size_t)s * nnodes + i];
            total += e->ticks[(size_t)s * nnodes + i];
        }
    }
    if (!(total > 0.0)) {
        for (unsigned i = 0; i < nnodes; i++)
            ret[i] = 0.0;
        return -ENODATA;
    }
    for (unsigned i = 0; i < nnodes; i++)
        ret[i] /= total;
    return 0;
}

double np_evidence_away_seconds(const struct np_evidence *e, const double *mem_frac,
                                unsigned nnodes, double local_enough)
{
    if (!e->have_base || nnodes != e->nnodes || e->count == 0)
        return 0.0;
    double newest = -1.0, start = -1.0;
    for (unsigned k = e->count; k-- > 0;) {
        unsigned s = slot(e, k);
        const double *row = &e->ticks[(size_t)s * nnodes];
        double total = 0.0, local = 0.0;
        for (unsigned i = 0; i < nnodes; i++) {
            total += row[i];
            local += row[i] * mem_frac[i];
        }
        if (!(total > 0.0))
            continue;   /* no CPU time: no word on where it runs */
        if (local / total >= local_enough)
            break;
        if (newest < 0.0)
            newest = e->t[s];
        start = k > 0 ? e->t[slot(e, k - 1)] : e->base_t;
    }
    return newest < 0.0 ? 0.0 : newest - start;
}

int np_evidence_away_share(const struct np_evidence *e, const double *mem_frac, unsigned nnodes,
                           double window, double *ret)
{
    if (!e->have_base || e->count == 0)
        return -ENODATA;
    if (nnodes != e->nnodes)
        return -EINVAL;
    double newest = e->t[slot(e, e->count - 1)], total = 0.0, local = 0.0;
    for (unsigned k = e->count; k-- > 0;) {
        const double *row = &e->ticks[(size_t)slot(e, k) * nnodes];
        for (unsigned i = 0; i < nnodes; i++) {
            total += row[i];
            local += row[i] * mem_frac[i];
        }
        double start = k > 0 ? e->t[slot(e, k - 1)] : e->base_t;
        if (newest - start >= window) {
            if (!(total > 0.0))
                return -ENODATA;
            double away = 1.0 - local / total;
            *ret = away < 0.0 ? 0.0 : away;
            return 0;
        }
    }
    return -ENODATA;   /* a history shorter than the window */
}
