/* engine: see engine.h. The cycle is a short list of stages over one
 * struct np_cycle (engine_internal.h): begin -> sample -> score -> plan ->
 * act -> end. Sampling and admission live in engine_sample.c, acting in
 * engine_act.c, printing in engine_report.c. */
#include "engine.h"
#include "engine_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Share of an interval a cycle may spend applying moves. */
#define NP_ACT_TIME_SHARE 0.5

int np_engine_new(const struct np_root *root, const struct np_actuator *act,
                  const struct np_config *cfg, bool changes_are_real,
                  int self_pid, struct np_engine **ret)
{
    struct np_engine *e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->root = root;
    e->act = act;
    e->cfg = cfg;
    e->changes_are_real = changes_are_real;
    e->self_pid = self_pid;
    long pagesize = sysconf(_SC_PAGESIZE);
    e->page_kb = pagesize > 0 ? (uint64_t)pagesize / 1024 : 4;
    e->clk_tck = sysconf(_SC_CLK_TCK);
    if (e->clk_tck <= 0)
        e->clk_tck = 100;
    e->ledger = np_ledger_new(cfg->candidates.max_procs);
    if (!e->ledger) {
        free(e);
        return -ENOMEM;
    }
    int r = np_topology_read(root, &e->topo);
    if (r < 0) {
        np_ledger_free(e->ledger);
        free(e);
        return r;
    }
    (void)np_topology_signature(root, e->topo_signature, sizeof(e->topo_signature));
    *ret = e;
    return 0;
}

struct np_engine *np_engine_free(struct np_engine *e)
{
    if (!e)
        return NULL;
    np_topology_free(e->topo);
    np_ledger_free(e->ledger);
    for (size_t i = 0; i < e->nexcluded_names; i++)
        free(e->excluded_names[i]);
    free(e->last_node_load);
    free(e->restores);
    np_cpu_times_clear(&e->cpu_times);
    free(e);
    return NULL;
}

/* A reload tries the cgroup tree again (the admin may have made it writable). */
void np_engine_set_config(struct np_engine *e, const struct np_config *cfg)
{
    e->cfg = cfg;
    e->cgroup_unwritable = 0;
    e->cgroup_unwritable_said = false;
}
void np_engine_set_changes_real(struct np_engine *e, bool real) { e->changes_are_real = real; }
void np_engine_set_actuator(struct np_engine *e, const struct np_actuator *act) { e->act = act; }
void np_engine_set_mover(struct np_engine *e, struct np_mover *m) { e->mover = m; }

/* Pausing stops the moves in flight too: "act on nothing" is at once.
 * What a pause stopped was not the process's doing nor a failure, so it
 * starts no cooldown: placement decides it afresh once resumed (in the
 * guest a move stopped by a pause sat out two cycles after the resume). */
void np_engine_set_paused(struct np_engine *e, bool paused)
{
    e->paused = paused;
    if (!paused)
        return;
    for (size_t i = 0; i < e->ninflight; i++)
        e->inflight[i].paused = true;
    (void)np_engine_cancel_move(e, 0);
}
void np_engine_set_single_snapshot(struct np_engine *e, bool single) { e->single_snapshot = single; }
bool np_engine_paused(const struct np_engine *e) { return e->paused; }
const struct np_topology *np_engine_topology(const struct np_engine *e) { return e->topo; }
const struct np_totals *np_engine_totals(const struct np_engine *e) { return &e->totals; }
size_t np_engine_history_count(const struct np_engine *e) { return e->history_count; }

const struct np_action *np_engine_history(const struct np_engine *e, size_t i)
{
    if (i >= e->history_count)
        return NULL;
    return &e->history[(e->history_start + i) % NP_HISTORY_MAX];
}

/* What one interval may migrate (actuator.migrate_mb_per_s). */
static uint64_t budget_per_interval_kb(const struct np_config *cfg)
{
    return (uint64_t)(cfg->actuator.migrate_mb_per_s * cfg->interval * 1024.0);
}

/* False in coexist mode while the kernel's balancing is on: it moves
 * ordinary pages. *RET_MODE (may be NULL) gets the mode, -1 when unknown. */
static bool memory_moves_now(const struct np_engine *e, int *ret_mode)
{
    int nb;
    int mode = np_numa_balancing_read(e->root, &nb) >= 0 ? nb : -1;
    if (ret_mode)
        *ret_mode = mode;
    return !(mode > 0 && e->cfg->policy.numa_balancing == NP_NB_COEXIST);
}


static int cmp_view(const void *a, const void *b)
{
    const struct np_proc_view *va = a, *vb = b;
    if (va->scored != vb->scored)
        return va->scored ? -1 : 1;
    if (va->scored && va->benefit != vb->benefit)
        return va->benefit > vb->benefit ? -1 : 1;
    if (va->cpu_use != vb->cpu_use)
        return va->cpu_use > vb->cpu_use ? -1 : 1;
    return va->pid - vb->pid;
}

/* Node load from proc/stat over the interval since the last reading: what
 * every CPU of a node really did, whoever ran there. Without two readings
 * (the first cycle, --once, a fixture without proc/stat) the load is
 * booked per process instead (np_cycle_book_load). */
static void measure_node_load(struct np_cycle *c)
{
    struct np_engine *e = c->e;
    struct np_cpu_times now;
    if (np_cpu_times_read(e->root, &now) < 0)
        return;
    if (e->have_cpu_times && c->now > e->cpu_times_at &&
        np_node_cpu_use(e->topo, &e->cpu_times, &now, c->node_load, NULL) == 0) {
        c->load_measured = true;
        c->measured_since = e->cpu_times_at;
    } else
        memset(c->node_load, 0, e->topo->nnodes * sizeof(double));
    np_cpu_times_clear(&e->cpu_times);
    e->cpu_times = now;
    e->have_cpu_times = true;
    e->cpu_times_at = c->now;
}

/* A refusal as the view shows it. */
static void view_refused(struct np_proc_view *v, const struct np_admission *a)
{
    if (a->hold == NP_HOLD_GIVEN_UP) {
        v->state = NP_VIEW_GIVEN_UP;
        v->hold = a->hold;
        snprintf(v->detail, sizeof(v->detail), "%s", a->detail);
        return;
    }
    np_view_skip(v, a->skip, a->hold, a->detail);
}

/* Cycles between two reads of an idle process's stat: sampling.idle_recheck
 * in intervals, at least 1 (every cycle). */
static unsigned idle_every(const struct np_config *cfg)
{
    double every = cfg->sampling.idle_recheck / cfg->interval;
    return every >= 2.0 ? (unsigned)every : 1;
}

/* The scan's skip (np_scan_skip_fn): a process neither busy nor big enough
 * to be a candidate at its last two readings is read once every
 * idle_every cycles, at its turn (staggered by PID, so each cycle reads
 * its share). Most of a host's processes are such (2,000 sleeping ones in
 * the guest's idle scenario), and reading each one's stat every cycle was
 * most of a cycle's cost; to matter, one must grow and get busy, and it
 * is seen at most idle_recheck seconds late. A process we placed, or whose
 * threads the sampler follows, is read every cycle. Not without the
 * measured node load: then every process's CPU use is booked on its node.
 * An unread one is still listed, so its entry is kept (seen). */
static bool unread_idle(void *ctx, int pid)
{
    struct np_cycle *c = ctx;
    struct np_engine *e = c->e;
    if (c->idle_every <= 1 || !e->have_cpu_times)
        return false;
    struct np_ledger_entry *le = np_ledger_find_pid(e->ledger, pid);
    if (!le || le->idle_readings < 2 || le->managed || le->tracked || le->moving ||
        le->migrating)
        return false;
    if ((uint32_t)pid % c->idle_every == e->cycle % c->idle_every)
        return false;   /* its turn */
    le->seen_cycle = e->cycle;
    return true;
}

static int cycle_begin(struct np_engine *e, double now, struct np_cycle_report *rep,
                       struct np_cycle *c)
{
    memset(c, 0, sizeof(*c));
    c->e = e;
    c->now = now;
    c->rep = rep;
    /* The loop's own CPU: the movers' copying is not the cycle's cost. */
    c->cpu0 = np_clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    c->wall0 = np_clock_seconds(CLOCK_MONOTONIC);
    memset(rep, 0, sizeof(*rep));
    rep->started = now;
    e->cycle++;
    e->early_cycle = false;   /* this is the cycle it asked for */

    int r = np_cycle_refresh_topology(e, &rep->topology_changed);
    if (r < 0)
        return r;
    if (rep->topology_changed)
        np_repin_after_hotplug(e);
    const struct np_topology *t = e->topo;
    rep->nnodes = t->nnodes;
    (void)np_vmstat_read(e->root, &rep->vmstat);
    rep->memory_moves = memory_moves_now(e, &rep->numa_balancing);
    e->kernel_moves_pages = !rep->memory_moves;
    c->idle_every = idle_every(e->cfg);
    r = np_sample_scan(e->root, e->cfg->candidates.max_procs, e->page_kb, unread_idle, c,
                       &c->list, &rep->truncated);
    if (r < 0)
        return r;
    rep->nscanned = c->list.n + c->list.nskipped;
    rep->nunread = c->list.nskipped;
    (void)np_read_uptime(e->root, &c->uptime);
    c->budget_kb = budget_per_interval_kb(e->cfg);
    c->node_load = calloc(t->nnodes ? t->nnodes : 1, sizeof(double));
    c->pinned_load = calloc(t->nnodes ? t->nnodes : 1, sizeof(double));
    c->views = calloc(c->list.n ? c->list.n : 1, sizeof(*c->views));
    if (!c->node_load || !c->pinned_load || !c->views)
        return -ENOMEM;
    measure_node_load(c);
    return 0;
}

/* A busy process the admin excluded by PID or name (often a VM or a
 * database pinned on purpose, which is why it was excluded) still holds
 * the CPUs it is confined to: the detail pass skips it, so its affinity is
 * read here alone, and it counts as pinned work like any other (np_plan's
 * node_pinned_load). Cgroup- and user-excluded processes get there through
 * the detail pass. */
static void count_excluded_pinned_work(struct np_cycle *c, const struct np_ledger_entry *le,
                                       const struct np_proc *p, double use, enum np_skip skip)
{
    struct np_engine *e = c->e;
    if (skip != NP_SKIP_EXCLUDED_PID && skip != NP_SKIP_EXCLUDED_NAME &&
        skip != NP_SKIP_RUNTIME_EXCLUDED)
        return;
    if (!np_cycle_pinned_load_counts(e, le, p, use, c->uptime))
        return;
    struct np_cpuset cpus;
    if (np_sample_affinity(e->root, p, &cpus) < 0)
        return;   /* gone, or unreadable: it counts as unpinned, as before */
    np_cycle_book_pinned_load(e, le, p, &cpus, use, c->uptime, c->pinned_load);
}

/* Cheap pass over every process (CPU use from stat, load per node, the
 * stat-level admission), then the detail pass for the busy ones. */
static int cycle_sample(struct np_cycle *c)
{
    struct np_engine *e = c->e;
    const struct np_config *cfg = e->cfg;
    const struct np_topology *t = e->topo;
    struct np_proc **busy = calloc(c->list.n ? c->list.n : 1, sizeof(*busy));
    struct np_proc_view **busy_view = calloc(c->list.n ? c->list.n : 1, sizeof(*busy_view));
    size_t nbusy = 0;
    int r = 0;
    if (!busy || !busy_view) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < c->list.n; i++) {
        struct np_proc *p = &c->list.procs[i];
        struct np_ledger_entry *le = np_ledger_get(e->ledger, p->pid, p->start_time, true);
        if (!le)
            continue;   /* ledger full: more processes than max_procs */
        le->seen_cycle = e->cycle;
        double use = np_cycle_update_cpu_use(e, le, p, c->now, c->uptime);
        bool idle = use < cfg->candidates.min_cpu && p->rss_kb < cfg->candidates.min_rss_kb;
        le->idle_readings = idle ? (uint8_t)(le->idle_readings < 2 ? le->idle_readings + 1 : 2) : 0;
        if (p->pid == e->self_pid)
            np_cycle_take_own_use_off(e, le, p, use, c->load_measured ? c->node_load : NULL);
        else if (c->load_measured)
            np_cycle_adjust_measured_load(e, le, p, use, c->measured_since, c->node_load);
        else
            np_cycle_book_load(t, le, p, use, c->node_load);
        /* Processes we manage are checked every cycle, busy or not, so an
         * exclusion or someone else's re-pin is noticed at once. */
        if (use < cfg->candidates.min_cpu && !le->managed)
            continue;
        struct np_proc_view *v = &c->views[c->nviews++];
        np_view_init(v, p, use);
        struct candidate_work w = {.proc = p, .le = le, .view = v};
        struct np_admission adm;
        if (!np_admit(e, &w, NP_ADMIT_STAT, false, false, c->now, &adm)) {
            view_refused(v, &adm);
            count_excluded_pinned_work(c, le, p, use, adm.skip);
            continue;
        }
        busy_view[nbusy] = v;
        busy[nbusy++] = p;
    }
    c->rep->nbusy = nbusy;

    c->work = calloc(nbusy ? nbusy : 1, sizeof(*c->work));
    if (!c->work) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nbusy; i++) {
        struct np_proc *p = busy[i];
        struct np_proc_view *v = busy_view[i];
        int dr = np_sample_detail(e->root, p, cfg->candidates.max_threads);
        if (dr < 0) {
            bool gone = dr == -ESRCH || dr == -ENOENT;
            np_view_skip(v, NP_SKIP_NONE, gone ? NP_HOLD_GONE : NP_HOLD_UNREADABLE,
                         gone ? "exited during the scan" : strerror(-dr));
            continue;
        }
        v->mem_kb = p->vm_rss_kb + p->hugetlb_kb;
        struct candidate_work *w = &c->work[c->nwork];
        *w = (struct candidate_work){
            .proc = p, .le = np_ledger_get(e->ledger, p->pid, p->start_time, false), .view = v};
        np_cycle_book_pinned_load(e, w->le, p, &p->cpus_allowed, v->cpu_use, c->uptime,
                                  c->pinned_load);
        struct np_admission adm;
        if (!np_admit(e, w, NP_ADMIT_DETAIL, false, false, c->now, &adm)) {
            view_refused(v, &adm);
            continue;
        }
        c->nwork++;
    }
out:
    free(busy);
    free(busy_view);
    return r;
}

/* Memory placement, policies and scores, for the biggest few only
 * (bounded cost: candidates.max_per_cycle). */
static int cycle_score(struct np_cycle *c)
{
    struct np_engine *e = c->e;
    struct candidate_work **order = calloc(c->nwork ? c->nwork : 1, sizeof(*order));
    if (!order)
        return -ENOMEM;
    for (size_t i = 0; i < c->nwork; i++)
        order[i] = &c->work[i];
    qsort(order, c->nwork, sizeof(*order), np_cmp_work);
    for (size_t i = 0; i < c->nwork; i++) {
        struct candidate_work *w = order[i];
        if (i >= e->cfg->candidates.max_per_cycle) {
            np_view_skip(w->view, NP_SKIP_NONE, NP_HOLD_OVER_LIMIT,
                         "over candidates.max_per_cycle this cycle");
            continue;
        }
        int mr = np_cycle_read_memory(e, w);
        if (mr < 0) {
            bool gone = mr == -ENOENT || mr == -ESRCH;
            np_view_skip(w->view, NP_SKIP_NONE, gone ? NP_HOLD_GONE : NP_HOLD_UNREADABLE,
                         gone ? "exited during the scan"
                         : mr == -E2BIG ? "numa_maps over candidates.max_numa_maps_mb" : strerror(-mr));
            continue;
        }
        struct np_admission adm;
        if (!np_admit(e, w, NP_ADMIT_MEMORY, false, false, c->now, &adm)) {
            view_refused(w->view, &adm);
            continue;
        }
        if (np_cycle_score(e, w, c->now) < 0) {
            np_view_skip(w->view, NP_SKIP_NONE, NP_HOLD_UNSCORED, "could not score");
            continue;
        }
        if (!c->load_measured)
            np_cycle_rebook_load_by_threads(e->topo, w, c->node_load);
        if (w->le->managed) {
            w->view->state = NP_VIEW_MANAGED;
            w->view->threads_apart = np_placed_apart(w->le);
            np_measure_after(e, w->view);
        }
    }
    free(order);
    return 0;
}

/* Decisions for the scored ones: moves begun earlier go on (their budget
 * is set aside first), the rest go to the planner together. */
static int cycle_plan(struct np_cycle *c)
{
    struct np_engine *e = c->e;
    const struct np_config *cfg = e->cfg;
    const struct np_topology *t = e->topo;
    size_t n = c->nwork ? c->nwork : 1;
    c->cands = calloc(n, sizeof(*c->cands));
    c->dec = calloc(n, sizeof(*c->dec));
    c->cw = calloc(n, sizeof(*c->cw));
    c->continuing = calloc(n, sizeof(*c->continuing));
    if (!c->cands || !c->dec || !c->cw || !c->continuing)
        return -ENOMEM;
    uint64_t plan_budget_kb = c->budget_kb;
    for (size_t i = 0; i < c->nwork; i++) {
        struct candidate_work *w = &c->work[i];
        w->le->confirming = false;   /* until this cycle holds a move for it */
        if (!w->have_score || w->view->state == NP_VIEW_SKIPPED)
            continue;
        if (w->le->moving) {
            /* Its CPUs are bound; the copy is the mover's until it is done. */
            const struct np_inflight *fl = np_inflight_find(e, w->proc->pid, w->proc->start_time);
            w->view->hold = NP_HOLD_MOVING;
            snprintf(w->view->detail, sizeof(w->view->detail), "moving: %llu of %llu MiB copied",
                     fl ? (unsigned long long)(atomic_load(&fl->job->done_kb) / 1024) : 0ULL,
                     fl ? (unsigned long long)(fl->total_kb / 1024) : 0ULL);
            continue;
        }
        if (!w->le->cpu_measured && !e->single_snapshot) {
            /* A lifetime average says little about now (a warmed-up DB, a
             * start-up burst): wait one interval for a measured figure. */
            w->view->hold = NP_HOLD_FIRST_SEEN;
            snprintf(w->view->detail, sizeof(w->view->detail),
                     "first seen: CPU use is measured over the next interval before any move");
            continue;
        }
        if (w->view->cpu_use < cfg->candidates.min_cpu && !w->le->migrating) {
            /* Managed but idle now: watched, not moved. */
            w->view->hold = NP_HOLD_IDLE;
            snprintf(w->view->detail, sizeof(w->view->detail), "idle");
            continue;
        }
        if (w->le->migrating && w->le->placement) {
            /* A move the budget cut short continues to the same nodes: a
             * fresh plan could pick others and ping-pong its memory. */
            uint64_t takes = np_continue_decide(e, w, plan_budget_kb);
            plan_budget_kb -= takes;
            if (w->view->decision.reason == NP_REASON_MOVE)
                c->continuing[c->ncontinuing++] = w;
            continue;
        }
        struct np_candidate *cand = &c->cands[c->ncand];
        cand->pid = w->proc->pid;
        cand->start_time = w->proc->start_time;
        cand->score = &w->score;
        cand->mem = &w->mem;
        /* A move left partial by the budget continues at once. */
        cand->cooling_down = w->le->cooldown_until > c->now && !w->le->migrating;
        cand->placed = w->le->managed;
        cand->threads_apart = np_placed_apart(w->le);
        cand->shared = np_placed_shared(w->le);
        cand->remote_cycles = w->le->remote_cycles;
        cand->have_evidence = w->have_evidence;
        cand->away_s = w->away_s;
        cand->away_share = w->away_share;
        cand->threads = w->threads;
        cand->nthreads = w->nthreads;
        /* Only last cycle's held target is kept: an older one is stale. */
        if (w->le->held_cycle + 1 == e->cycle)
            cand->held_target = w->le->held_target;
        else
            np_nodeset_zero(&cand->held_target);
        c->cw[c->ncand++] = w;
    }
    c->rep->ncandidates = c->ncand;
    c->rep->paused = e->paused;
    double *kept = realloc(e->last_node_load, (t->nnodes ? t->nnodes : 1) * sizeof(double));
    if (kept) {
        memcpy(kept, c->node_load, t->nnodes * sizeof(double));
        e->last_node_load = kept;
        e->last_node_load_n = t->nnodes;
    }
    struct np_plan_params params = {
        .local_enough = cfg->planner.local_enough,
        .min_gain = cfg->planner.min_gain,
        .max_moves = cfg->planner.max_moves_per_cycle,
        .mem_headroom_pct = cfg->planner.mem_headroom_pct,
        .max_node_cpu_load = cfg->planner.max_node_cpu_load,
        .budget_kb = plan_budget_kb,
        .memory_moves = c->rep->memory_moves,
        .confirm_cycles = e->single_snapshot ? 1 : cfg->planner.confirm_cycles,
        .confirm_seconds = e->single_snapshot ? 0.0 : cfg->planner.confirm_seconds,
        .drift_share = cfg->planner.drift_share,
        .coexist_confirm_seconds = e->single_snapshot ? 0.0 : cfg->planner.coexist_confirm_seconds,
    };
    /* A planner failure leaves this cycle without plans, not without a cycle. */
    if (c->ncand && np_plan(t, c->node_load, c->pinned_load, c->cands, c->ncand, &params, c->dec) < 0)
        c->ncand = 0;
    return 0;
}

/* W's decision D goes into its view. A plan held back (waiting for
 * confirmation, over this cycle's moves or budget, paused) is remembered:
 * next cycle keeps its target while it still fits. */
static void take_decision(struct np_engine *e, struct candidate_work *w, const struct np_decision *d)
{
    w->view->decided = true;
    w->view->decision = *d;
    bool held = d->reason == NP_REASON_CONFIRMING || d->reason == NP_REASON_MAX_MOVES ||
                d->reason == NP_REASON_BUDGET || (d->reason == NP_REASON_MOVE && e->paused);
    w->le->confirming = d->awaits_evidence && w->have_evidence;
    w->le->confirming_bind_only = d->awaits_bind_only;
    if (held)
        np_remember_plan(e, w->le, d);
}

/* The only stage that acts: queued restores, moves begun earlier, then the
 * plans in rank order so the budget goes to the best moves first. Plans
 * come from one snapshot: once acting has taken half an interval the rest
 * waits for the next cycle, which plans from fresh data. */
static void cycle_act(struct np_cycle *c)
{
    struct np_engine *e = c->e;
    np_act_pending_restores(e);
    for (size_t i = 0; i < c->ncontinuing; i++)
        np_act_on(e, c->continuing[i], c->now, &c->budget_kb, true, c->rep);
    /* With a mover each move binds CPUs here and its copy runs on a mover
     * thread: the moves of a cycle copy at once and the loop stays free
     * (the acting-time limit below then only counts the binds). */
    double act_started = np_clock_seconds(CLOCK_MONOTONIC);
    for (unsigned rank = 1; rank <= c->ncand; rank++) {
        for (size_t i = 0; i < c->ncand; i++) {
            const struct np_decision *d = &c->dec[i];
            struct candidate_work *w = c->cw[i];
            if (d->rank != rank)
                continue;
            take_decision(e, w, d);
            if (d->reason != NP_REASON_MOVE || e->paused)
                continue;
            if (np_clock_seconds(CLOCK_MONOTONIC) - act_started > e->cfg->interval * NP_ACT_TIME_SHARE) {
                w->view->deferred = true;
                snprintf(w->view->detail, sizeof(w->view->detail),
                         "deferred: this cycle spent its acting time, replanned next cycle");
                c->rep->ndeferred++;
                np_remember_plan(e, w->le, d);
                continue;
            }
            np_act_on(e, w, c->now, &c->budget_kb, c->rep->memory_moves, c->rep);
        }
    }
}

/* Hands the views to the report when the cycle ran (R == 0) and frees
 * everything else. Restores queued by a cycle that failed part-way are
 * applied all the same: a released process must not keep our pin. */
static int cycle_end(struct np_cycle *c, int r)
{
    struct np_engine *e = c->e;
    np_act_pending_restores(e);
    /* Met in this cycle or by a manual move since the last: said once. */
    if (e->cgroup_unwritable && !e->cgroup_unwritable_said) {
        c->rep->cgroup_unwritable = e->cgroup_unwritable;
        e->cgroup_unwritable_said = true;
    }
    if (r == 0) {
        e->totals.cycles++;
        np_ledger_sweep(e->ledger, e->cycle);
        /* The sampler follows this cycle's candidates only. */
        size_t cur = 0;
        for (struct np_ledger_entry *le; (le = np_ledger_next(e->ledger, &cur));)
            if (le->tracked && le->scored_cycle != e->cycle)
                le->tracked = le->confirming = false;
        qsort(c->views, c->nviews, sizeof(*c->views), cmp_view);
        c->rep->views = c->views;
        c->rep->nviews = c->nviews;
        c->views = NULL;
    }
    for (size_t i = 0; c->work && i < c->nwork; i++) {
        np_numa_maps_clear(&c->work[i].mem);
        np_score_clear(&c->work[i].score);
        free(c->work[i].threads);
    }
    free(c->work);
    for (size_t i = 0; c->views && i < c->nviews; i++) {
        free(c->views[i].node_kb);
        free(c->views[i].cpu_share);
    }
    free(c->views);
    free(c->cands);
    free(c->dec);
    free(c->cw);
    free(c->continuing);
    free(c->node_load);
    free(c->pinned_load);
    np_proc_list_free(&c->list);
    c->rep->cpu_ms = (np_clock_seconds(CLOCK_THREAD_CPUTIME_ID) - c->cpu0) * 1000.0;
    c->rep->wall_ms = (np_clock_seconds(CLOCK_MONOTONIC) - c->wall0) * 1000.0;
    return r;
}

int np_engine_cycle(struct np_engine *e, double now, struct np_cycle_report *rep)
{
    struct np_cycle c;
    int r = cycle_begin(e, now, rep, &c);
    if (r == 0)
        r = cycle_sample(&c);
    if (r == 0)
        r = cycle_score(&c);
    if (r == 0)
        r = cycle_plan(&c);
    if (r == 0)
        cycle_act(&c);
    return cycle_end(&c, r);
}

int np_engine_move(struct np_engine *e, int pid, const struct np_nodeset *target, bool force,
                   double now, struct np_action *ret, char *why, size_t whysz)
{
    const struct np_config *cfg = e->cfg;
    const struct np_topology *t = e->topo;
    snprintf(why, whysz, "%s", "");
    if (e->paused) {
        snprintf(why, whysz, "placement is paused");
        return -EBUSY;
    }
    unsigned ncpus = 0, nnodes = 0;
    for (int id = np_bits_next(target->w, NP_MAX_NODES, 0); id >= 0;
         id = np_bits_next(target->w, NP_MAX_NODES, (unsigned)id + 1)) {
        int idx = np_topology_index(t, id);
        if (idx < 0) {
            snprintf(why, whysz, "node %d is not online", id);
            return -EINVAL;
        }
        ncpus += t->nodes[idx].ncpus;
        nnodes++;
    }
    if (nnodes == 0 || ncpus == 0) {
        snprintf(why, whysz, "the target nodes have no CPUs");
        return -EINVAL;
    }

    char rel[64], text[4096];
    snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
    long len = np_read_file(e->root, rel, text, sizeof(text));
    struct np_proc p;
    memset(&p, 0, sizeof(p));
    if (len < 0 || np_parse_stat(text, (size_t)len, e->page_kb, &p) < 0) {
        snprintf(why, whysz, "no such process");
        return -ESRCH;
    }
    struct np_ledger_entry *le = np_ledger_get(e->ledger, p.pid, p.start_time, true);
    if (!le)
        return -ENOMEM;
    struct np_proc_view view;
    np_view_init(&view, &p, le->cpu_use);
    struct candidate_work w = {.proc = &p, .le = le, .view = &view};
    struct np_admission adm;
    int r = 0;
    bool admitted = np_admit(e, &w, NP_ADMIT_STAT, true, force, now, &adm);
    if (admitted) {
        r = np_sample_detail(e->root, &p, cfg->candidates.max_threads);
        if (r < 0) {
            snprintf(why, whysz, "no such process");
            r = -ESRCH;
            goto out;
        }
        admitted = np_admit(e, &w, NP_ADMIT_DETAIL, true, force, now, &adm);
    }
    if (admitted) {
        r = np_cycle_read_memory(e, &w);
        if (r < 0) {
            snprintf(why, whysz, "cannot read its memory placement: %s", strerror(-r));
            goto out;
        }
        admitted = np_admit(e, &w, NP_ADMIT_MEMORY, true, force, now, &adm);
    }
    if (!admitted) {
        bool forcible = np_skip_is_pin(adm.skip) || adm.hold == NP_HOLD_GIVEN_UP;
        const char *name = adm.skip != NP_SKIP_NONE ? np_skip_name(adm.skip)
                           : adm.hold == NP_HOLD_GIVEN_UP ? "given up" : "";
        if (adm.hold == NP_HOLD_GONE || adm.hold == NP_HOLD_UNREADABLE)
            snprintf(why, whysz, "%s", adm.detail);
        else
            snprintf(why, whysz, "%s%s%s%s", name, adm.detail[0] ? ": " : "", adm.detail,
                     forcible ? " (move --force overrides)" : "");
        r = adm.hold == NP_HOLD_GONE ? -ESRCH : adm.hold == NP_HOLD_UNREADABLE ? adm.error : -EPERM;
        goto out;
    }
    r = np_cycle_score(e, &w, now);
    if (r < 0) {
        snprintf(why, whysz, "cannot score it: %s", strerror(-r));
        goto out;
    }
    uint64_t on_target = np_kb_on_nodes(t, w.score.mem_kb, target);
    view.decided = true;
    view.decision.pid = p.pid;
    view.decision.start_time = p.start_time;
    view.decision.reason = NP_REASON_MOVE;
    view.decision.target = *target;
    view.decision.move_kb = w.score.total_kb > on_target ? w.score.total_kb - on_target : 0;
    view.decision.locality_before = w.score.locality;
    view.decision.locality_after = 1.0;
    view.decision.rank = 1;
    snprintf(view.decision.why, sizeof(view.decision.why), "manual move");

    bool memory_moves = memory_moves_now(e, NULL);
    uint64_t budget_kb = budget_per_interval_kb(cfg);
    struct np_cycle_report rep;
    memset(&rep, 0, sizeof(rep));
    bool submitted = np_act_on(e, &w, now, &budget_kb, memory_moves, &rep);
    if (submitted) {
        /* CPUs are bound; the copy runs on the mover and is logged when done. */
        memset(ret, 0, sizeof(*ret));
        ret->when = now;
        ret->wall_time = np_clock_seconds(CLOCK_REALTIME);
        ret->pid = p.pid;
        ret->start_time = p.start_time;
        memcpy(ret->comm, p.comm, sizeof(ret->comm));
        ret->to = *target;
        ret->locality_before = w.score.locality;
        ret->locality_after = 1.0;
        ret->partial = true;
        ret->result = NP_ACT_OK;
        snprintf(why, whysz, "CPUs bound; %s (numaplacectl status shows it)", view.detail);
        r = 0;
    } else if (rep.nactions > 0) {
        *ret = rep.actions[rep.nactions - 1];
        r = ret->result == NP_ACT_OK ? 0 : ret->error;
        if (r < 0)
            snprintf(why, whysz, "%s", view.detail);
    } else {
        r = -ESRCH;   /* exited while being moved */
        snprintf(why, whysz, "exited while being moved");
    }
    free(rep.actions);
out:
    np_act_pending_restores(e);   /* an exclusion found on the way released it */
    free(view.node_kb);
    free(view.cpu_share);
    np_numa_maps_clear(&w.mem);
    np_score_clear(&w.score);
    free(w.threads);
    np_proc_clear(&p);
    return r;
}

