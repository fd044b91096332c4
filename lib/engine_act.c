/* engine_act: the acting side of a cycle: queued restores, moves begun
 * earlier, planned moves, and what is remembered of them (ledger,
 * history, totals). See engine_internal.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"

/* Queues CPUS for every thread of PID (the act stage applies it). Out of
 * memory it is dropped: the affinity stays as it is, as a failed call
 * would leave it. */
static void queue_affinity(struct np_engine *e, int pid, const struct np_cpuset *cpus)
{
    if (e->nrestores == e->restores_cap) {
        size_t cap = e->restores_cap ? e->restores_cap * 2 : 16;
        struct np_pending_restore *q = realloc(e->restores, cap * sizeof(*q));
        if (q) {
            e->restores = q;
            e->restores_cap = cap;
        }
    }
    if (e->nrestores < e->restores_cap) {
        e->restores[e->nrestores].pid = pid;
        e->restores[e->nrestores].cpus = *cpus;
        e->nrestores++;
    }
}

void np_release(struct np_engine *e, struct np_ledger_entry *le, bool restore)
{
    if (!le->managed)
        return;
    if (restore && le->placement && le->placement->have_original && !le->placement->via_cgroup)
        queue_affinity(e, le->pid, &le->placement->original);
    /* Its memory stops at the mover's next batch; CPUs go back above. */
    struct np_inflight *fl = le->moving ? np_inflight_find(e, le->pid, le->start_time) : NULL;
    if (fl)
        np_move_job_cancel(fl->job);
    le->managed = false;
    le->migrating = false;
}

struct np_inflight *np_inflight_find(struct np_engine *e, int pid, uint64_t start_time)
{
    for (size_t i = 0; i < e->ninflight; i++)
        if (e->inflight[i].pid == pid && e->inflight[i].start_time == start_time)
            return &e->inflight[i];
    return NULL;
}

void np_act_pending_restores(struct np_engine *e)
{
    for (size_t i = 0; i < e->nrestores; i++)
        (void)np_act_restore(e->act, e->root, e->restores[i].pid, &e->restores[i].cpus,
                             e->cfg->candidates.max_threads);
    e->nrestores = 0;
}

/* A CPU taken offline moves its threads elsewhere and widens their
 * affinity (a thread waking with no allowed CPU online gets them all), so
 * a process placed there ran away from its memory, and stayed away once
 * the CPU was back: in the guest a hog bound to node 3 ran 0% local on
 * node 2 after CPU 3 went off and on. Our placement is put back as soon
 * as its CPUs are all online again; while they are not, the kernel's
 * choice stands. */
static bool all_online(const struct np_topology *t, const struct np_cpuset *cpus)
{
    for (int c = np_bits_next(NP_CPUS(cpus), 0); c >= 0; c = np_bits_next(NP_CPUS(cpus), (unsigned)c + 1))
        if (np_topology_cpu_node(t, c) < 0)
            return false;
    return true;
}

void np_repin_after_hotplug(struct np_engine *e)
{
    size_t cur = 0;
    for (struct np_ledger_entry *le; (le = np_ledger_next(e->ledger, &cur));) {
        const struct np_ledger_placement *lp = le->placement;
        /* Threads placed apart are placed again by the next cycle's plan:
         * the leader's CPUs are not every thread's. */
        if (le->managed && lp && !lp->via_cgroup && !lp->threads_apart &&
            np_cpuset_count(&lp->placed_cpus) > 0 && all_online(e->topo, &lp->placed_cpus))
            queue_affinity(e, le->pid, &lp->placed_cpus);
    }
}

static struct np_action *history_push(struct np_engine *e)
{
    size_t slot;
    if (e->history_count < NP_HISTORY_MAX) {
        slot = (e->history_start + e->history_count++) % NP_HISTORY_MAX;
    } else {
        slot = e->history_start;
        e->history_start = (e->history_start + 1) % NP_HISTORY_MAX;
    }
    memset(&e->history[slot], 0, sizeof(e->history[slot]));
    return &e->history[slot];
}


/* What a placement's memory move may copy now: its remote memory, within
 * its budget. */
static uint64_t copy_kb(const struct np_placement *pl)
{
    return pl->remote_kb < pl->budget_kb ? pl->remote_kb : pl->budget_kb;
}

/* Adds A to REP's actions (the daemon logs them); out of memory, the
 * history still has it. */
static void report_action(struct np_cycle_report *rep, const struct np_action *a)
{
    struct np_action *copy = realloc(rep->actions, (rep->nactions + 1) * sizeof(*copy));
    if (copy) {
        rep->actions = copy;
        rep->actions[rep->nactions++] = *a;
    }
}

static void node_ids_of(const struct np_topology *t, const uint64_t *node_kb,
                        const struct np_nodeset *except, struct np_nodeset *ret)
{
    np_nodeset_zero(ret);
    for (unsigned i = 0; i < t->nnodes; i++)
        if (node_kb[i] > 0 && !np_nodeset_test(except, (unsigned)t->nodes[i].id))
            np_nodeset_set(ret, (unsigned)t->nodes[i].id);
}

void np_remember_plan(const struct np_engine *e, struct np_ledger_entry *le,
                      const struct np_decision *d)
{
    le->held_target = d->target;
    le->held_cycle = e->cycle;
}

/* The placement W's decision asks the actuator for, with BUDGET_KB. */
static void act_prepare(const struct np_engine *e, const struct candidate_work *w,
                        uint64_t budget_kb, bool memory_moves, struct np_placement *ret)
{
    const struct np_config *cfg = e->cfg;
    const struct np_topology *t = e->topo;
    const struct np_decision *d = &w->view->decision;
    struct np_placement pl;
    memset(&pl, 0, sizeof(pl));
    pl.pid = w->proc->pid;
    pl.mems = d->target;
    np_cpuset_zero(&pl.cpus);
    for (unsigned i = 0; i < t->nnodes; i++) {
        if (!np_nodeset_test(&d->target, (unsigned)t->nodes[i].id))
            continue;
        for (int c = np_bits_next(NP_CPUS(&t->nodes[i].cpus), 0); c >= 0;
             c = np_bits_next(NP_CPUS(&t->nodes[i].cpus), (unsigned)c + 1))
            np_cpuset_set(&pl.cpus, (unsigned)c);
    }
    node_ids_of(t, w->score.mem_kb, &d->target, &pl.from);
    bool has_huge = np_numa_maps_has_hugetlb(&w->mem);
    /* Kernel balancing cannot move hugetlb pages, so those are always ours. */
    /* move_kb 0: the memory is already local enough on the target. */
    pl.move_memory = !np_plan_copies_nothing(memory_moves, d->move_kb, has_huge) &&
                     !np_bits_empty(NP_NODES(&pl.from));
    pl.budget_kb = budget_kb;
    pl.remote_kb = d->move_kb;
    pl.max_threads = cfg->candidates.max_threads;
    pl.recheck_rooms = true;
    /* One hugetlb size: the mover holds those pages to free hugepages. */
    if (has_huge && w->mem.nhuge == 1)
        pl.huge_page_kb = w->mem.huge_page_kb[0];
    pl.headroom_pct = cfg->planner.mem_headroom_pct;
    /* The room the planner counted on: usable memory above the headroom. */
    for (unsigned i = 0; i < t->nnodes && pl.nrooms < NP_MAX_ROOMS; i++) {
        const struct np_node *n = &t->nodes[i];
        if (!np_nodeset_test(&d->target, (unsigned)n->id))
            continue;
        pl.rooms[pl.nrooms].node = n->id;
        pl.rooms[pl.nrooms].kb = np_node_room_kb(n, cfg->planner.mem_headroom_pct);
        pl.nrooms++;
    }
    for (unsigned i = 0; i < t->nnodes && pl.nsources < NP_MAX_ROOMS; i++) {
        const struct np_node *n = &t->nodes[i];
        if (!np_nodeset_test(&pl.from, (unsigned)n->id) || !w->score.mem_kb[i])
            continue;
        pl.sources[pl.nsources].node = n->id;
        pl.sources[pl.nsources].kb = w->score.mem_kb[i];
        pl.nsources++;
    }
    bool cgroup = cfg->actuator.use_cgroup && !e->cgroup_unwritable &&
                  np_cgroup_sole_tenant(e->root, w->proc);
    pl.cgroup = cgroup ? w->proc->cgroup : NULL;
    *ret = pl;
}

/* What the actuator did with W's placement PL (result R, RES, MS): view,
 * ledger, totals, history, report. */
static void act_record(struct np_engine *e, struct candidate_work *w, double now,
                       const struct np_placement *plp, int r, const struct np_act_result *resp,
                       double ms, bool submitted, uint64_t *budget_left,
                       struct np_cycle_report *rep)
{
    const struct np_config *cfg = e->cfg;
    const struct np_topology *t = e->topo;
    struct np_proc_view *v = w->view;
    const struct np_decision *d = &v->decision;
    const struct np_placement pl = *plp;
    const struct np_act_result res = *resp;
    struct np_ledger_entry *le = w->le;
    v->acted = true;
    v->act_class = r < 0 ? res.cls : NP_ACT_OK;
    v->act_error = r < 0 ? r : 0;
    v->moved_kb = res.moved_kb;
    v->partial = res.partial;
    v->via_cgroup = res.used_cgroup;
    if (res.cgroup_error)
        e->cgroup_unwritable = res.cgroup_error;   /* said by the next cycle's report */
    if (r < 0) {
        e->totals.failures[res.cls]++;
        le->last_error = r;
        switch (res.cls) {
        case NP_ACT_GONE:
            /* Exited while we moved it: nothing to do, nothing to log. */
            v->state = NP_VIEW_SKIPPED;
            snprintf(v->detail, sizeof(v->detail), "exited while being moved");
            return;
        case NP_ACT_PERMISSION:
        case NP_ACT_INVALID:
            le->given_up = true;
            snprintf(le->reason, sizeof(le->reason), "%s failed: %s (%s)", res.step,
                     strerror(-r), np_act_class_name(res.cls));
            v->state = NP_VIEW_GIVEN_UP;
            snprintf(v->detail, sizeof(v->detail), "%s", le->reason);
            rep->ngiven_up++;
            np_release(e, le, false);
            break;
        case NP_ACT_CAPACITY:
        case NP_ACT_TRANSIENT:
        default:
            /* Retry after a short pause; the next plan sees fresh free memory. */
            le->cooldown_until = now + 2 * cfg->interval;
            snprintf(v->detail, sizeof(v->detail), "%s failed: %s (%s), will retry",
                     res.step, strerror(-r), np_act_class_name(res.cls));
            break;
        }
    } else {
        /* A move handed to the mover takes what it was given. */
        uint64_t takes = submitted ? copy_kb(&pl) : res.moved_kb;
        *budget_left = takes <= *budget_left ? *budget_left - takes : 0;
        le->cooldown_until = now + cfg->planner.cooldown;
        le->moves++;
        if (e->changes_are_real) {
            struct np_ledger_placement *lp = np_ledger_placement(le);
            if (lp) {
                if (!lp->have_original && res.have_original) {
                    lp->have_original = true;
                    lp->original = res.original;
                }
                lp->placed_cpus = *np_placement_thread_cpus(&pl, pl.pid);   /* the leader's */
                lp->threads_apart = pl.nthread_cpus > 0;
                lp->shared = d->shared;
                lp->placed_nodes = pl.mems;
                lp->placed_cpu_use = v->cpu_use;
                lp->settled_at = now;
                lp->via_cgroup = res.used_cgroup;
                snprintf(lp->cgroup, sizeof(lp->cgroup), "%s", res.used_cgroup ? w->proc->cgroup : "");
            }
            le->managed = true;
            le->migrating = res.partial;
            if (!submitted) {
                e->totals.moves++;
                e->totals.moved_kb += res.moved_kb;
            }
        }
    }
    if (submitted) {
        /* History and totals once the mover is done (np_engine_collect_moves). */
        le->moving = true;
        le->migrating = false;
        snprintf(v->detail, sizeof(v->detail), "moving %llu MiB in the background",
                 (unsigned long long)copy_kb(&pl) / 1024);
        return;
    }

    struct np_action *a = history_push(e);
    a->when = now;
    a->wall_time = np_clock_seconds(CLOCK_REALTIME);
    a->pid = w->proc->pid;
    a->start_time = w->proc->start_time;
    memcpy(a->comm, w->proc->comm, sizeof(a->comm));
    node_ids_of(t, w->score.mem_kb, &(struct np_nodeset){0}, &a->from);
    a->to = d->target;
    a->moved_kb = res.moved_kb;
    a->duration_ms = ms;
    a->locality_before = d->locality_before;
    a->locality_after = d->locality_after;
    a->partial = res.partial;
    a->via_cgroup = res.used_cgroup;
    a->dry_run = !e->changes_are_real;
    a->result = r < 0 ? res.cls : NP_ACT_OK;
    a->error = r < 0 ? r : 0;
    report_action(rep, a);
}

/* Hands PL's memory to the mover for W, whose CPUs are bound: false when
 * it cannot take it (the caller copies on the loop instead). */
static bool submit_memory(struct np_engine *e, struct candidate_work *w, double now,
                          const struct np_placement *pl, double bind_ms)
{
    if (e->ninflight >= NP_INFLIGHT_MAX)
        return false;
    struct np_move_job *job = calloc(1, sizeof(*job));
    if (!job)
        return false;
    job->pl = *pl;
    if (pl->cgroup) {
        /* The process's cgroup string goes with the cycle: the job keeps
         * its own. Cancel cannot stop the kernel's copy after that write. */
        snprintf(job->cgroup, sizeof(job->cgroup), "%s", pl->cgroup);
        job->pl.cgroup = job->cgroup;
    }
    if (np_mover_submit(e->mover, job) < 0) {
        free(job);
        return false;
    }
    struct np_inflight *fl = &e->inflight[e->ninflight++];
    memset(fl, 0, sizeof(*fl));
    fl->job = job;
    fl->pid = w->proc->pid;
    fl->start_time = w->proc->start_time;
    memcpy(fl->comm, w->proc->comm, sizeof(fl->comm));
    node_ids_of(e->topo, w->score.mem_kb, &(struct np_nodeset){0}, &fl->from);
    fl->to = w->view->decision.target;
    fl->locality_before = w->view->decision.locality_before;
    fl->locality_after = w->view->decision.locality_after;
    fl->started = now;
    fl->bind_ms = bind_ms;
    fl->total_kb = copy_kb(pl);
    return true;
}

/* Can PL's copy go to a mover thread? A cgroup placement's too: its
 * cpuset.mems write makes the kernel copy the group's memory inside that
 * call (4.6 s of a blocked loop for 300 MiB in the guest). */
static bool copy_off_loop(const struct np_engine *e, const struct np_placement *pl)
{
    return e->mover && e->changes_are_real && pl->move_memory && pl->budget_kb > 0 &&
           e->ninflight < NP_INFLIGHT_MAX;
}

/* Rule 7's binds of D into TC (NP_PLAN_MAX_THREAD_BINDS entries): each
 * thread gets its node's CPUs. */
static unsigned thread_cpus_of_binds(const struct np_topology *t, const struct np_decision *d,
                                     struct np_thread_cpus *tc)
{
    unsigned n = 0;
    for (unsigned k = 0; k < d->nbinds && k < NP_PLAN_MAX_THREAD_BINDS; k++) {
        int idx = np_topology_index(t, d->binds[k].node);
        if (idx < 0)
            continue;
        tc[n].tid = d->binds[k].tid;
        tc[n].cpus = t->nodes[idx].cpus;
        n++;
    }
    return n;
}

bool np_act_on(struct np_engine *e, struct candidate_work *w, double now,
               uint64_t *budget_left, bool memory_moves, struct np_cycle_report *rep)
{
    struct np_placement pl;
    struct np_act_result res;
    act_prepare(e, w, *budget_left, memory_moves, &pl);
    struct np_thread_cpus tc[NP_PLAN_MAX_THREAD_BINDS];
    if (w->view->decision.nbinds) {
        /* Threads apart: a cgroup's cpuset holds one set for all of them. */
        pl.thread_cpus = tc;
        pl.nthread_cpus = thread_cpus_of_binds(e->topo, &w->view->decision, tc);
        pl.cgroup = NULL;
    }
    memset(&res, 0, sizeof(res));
    /* CPUs here (cheap), then the memory: on a mover thread when one can
     * take it, else here. */
    struct np_placement cpus_only = pl;
    cpus_only.move_memory = false;
    double t0 = np_clock_seconds(CLOCK_MONOTONIC);
    int r = np_act_apply(e->act, e->root, &cpus_only, &res);
    if (r == 0 && res.cgroup_error)
        pl.cgroup = NULL;   /* a read-only cgroup tree: its threads were placed instead */
    bool off_loop = copy_off_loop(e, &pl);
    /* A mover paces every copy to actuator.migrate_mb_per_s itself: the
     * job takes the whole move instead of this cycle's share, so a long
     * move does not sit out every other cycle waiting for the next one to
     * hand out more (seen at 8 MiB/s in the guest: 24 MiB per 3 s job,
     * then 3 s idle, 4 MiB/s in all). Not a cgroup placement's: the
     * kernel copies it in one cpuset.mems write the pacer cannot slow, so
     * the cycle's budget stays its limit, as on the loop. */
    if (off_loop && !pl.cgroup && pl.remote_kb > pl.budget_kb)
        pl.budget_kb = pl.remote_kb;
    double ms = (np_clock_seconds(CLOCK_MONOTONIC) - t0) * 1000.0;
    bool submitted = false;
    if (r == 0 && pl.move_memory) {
        submitted = off_loop && submit_memory(e, w, now, &pl, ms);
        if (!submitted) {
            /* No mover, or it cannot take it: copy here. */
            r = np_act_apply_memory(e->act, e->root, &pl, NULL, &res);
            ms = (np_clock_seconds(CLOCK_MONOTONIC) - t0) * 1000.0;
        }
    }
    act_record(e, w, now, &pl, r, &res, ms, submitted, budget_left, rep);
    return submitted;
}

/* What the mover did with FL's job: ledger (LE, NULL when the process is
 * gone from it), totals, history, report. */
static void record_move_done(struct np_engine *e, struct np_ledger_entry *le,
                             const struct np_inflight *fl, double now, struct np_cycle_report *rep)
{
    const struct np_config *cfg = e->cfg;
    const struct np_move_job *job = fl->job;
    int r = job->r;
    enum np_act_class cls = r < 0 ? job->res.cls : NP_ACT_OK;
    if (le)
        le->moving = false;
    if (r >= 0 || cls == NP_ACT_CANCELLED) {
        e->totals.moved_kb += job->res.moved_kb;
        if (r >= 0)
            e->totals.moves++;
        else
            e->totals.cancelled++;
    } else if (cls <= NP_ACT_INVALID) {
        e->totals.failures[cls]++;
    }
    if (le) {
        if (r >= 0) {
            le->migrating = job->res.partial;
            if (le->placement)
                le->placement->settled_at = now;
        } else {
            le->last_error = r;
            switch (cls) {
            case NP_ACT_GONE:
                break;
            case NP_ACT_PERMISSION:
            case NP_ACT_INVALID:
                le->given_up = true;
                snprintf(le->reason, sizeof(le->reason), "%s failed: %s (%s)", job->res.step,
                         strerror(-r), np_act_class_name(cls));
                if (rep)
                    rep->ngiven_up++;
                np_release(e, le, true);
                break;
            case NP_ACT_CANCELLED:
                /* Nothing stays half-bound: CPUs go back with the copy
                 * stopped (a release that cancelled it queued that already). */
                np_release(e, le, true);
                le->cooldown_until = fl->paused ? now : now + 2 * cfg->interval;
                break;
            default:
                le->cooldown_until = now + 2 * cfg->interval;
                break;
            }
        }
    }
    struct np_action *a = history_push(e);
    a->when = now;
    a->wall_time = np_clock_seconds(CLOCK_REALTIME);
    a->pid = fl->pid;
    a->start_time = fl->start_time;
    memcpy(a->comm, fl->comm, sizeof(a->comm));
    a->from = fl->from;
    a->to = fl->to;
    a->moved_kb = job->res.moved_kb;
    a->duration_ms = fl->bind_ms + job->run_ms;
    a->locality_before = fl->locality_before;
    a->locality_after = fl->locality_after;
    a->partial = job->res.partial || cls == NP_ACT_CANCELLED;
    a->via_cgroup = job->pl.cgroup != NULL;
    a->result = cls;
    a->error = r < 0 ? r : 0;
    if (rep)
        report_action(rep, a);
}

int np_engine_collect_moves(struct np_engine *e, double now, struct np_cycle_report *rep)
{
    if (rep)
        memset(rep, 0, sizeof(*rep));
    if (!e->mover)
        return 0;
    int n = 0;
    struct np_move_job *done = np_mover_take_done(e->mover);
    while (done) {
        struct np_move_job *job = done;
        done = done->next;
        for (size_t i = 0; i < e->ninflight; i++) {
            if (e->inflight[i].job != job)
                continue;
            struct np_inflight fl = e->inflight[i];
            e->inflight[i] = e->inflight[--e->ninflight];
            record_move_done(e, np_ledger_get(e->ledger, fl.pid, fl.start_time, false), &fl, now, rep);
            n++;
            break;
        }
        free(job);
    }
    np_act_pending_restores(e);
    return n;
}

int np_engine_cancel_move(struct np_engine *e, int pid)
{
    int n = 0;
    for (size_t i = 0; i < e->ninflight; i++)
        if (pid <= 0 || e->inflight[i].pid == pid) {
            np_move_job_cancel(e->inflight[i].job);
            n++;
        }
    return n ? n : -ENOENT;
}

size_t np_engine_moves_in_flight(const struct np_engine *e, size_t i, struct np_move_status *ret)
{
    if (i < e->ninflight && ret) {
        const struct np_inflight *fl = &e->inflight[i];
        memset(ret, 0, sizeof(*ret));
        ret->pid = fl->pid;
        memcpy(ret->comm, fl->comm, sizeof(ret->comm));
        ret->from = fl->from;
        ret->to = fl->to;
        ret->started = fl->started;
        ret->total_kb = fl->total_kb;
        ret->done_kb = atomic_load(&fl->job->done_kb);
        ret->cancelling = atomic_load(&fl->job->cancel);
    }
    return e->ninflight;
}

/* kB of NODE_KB (per node index) on the node ids of SET. */
uint64_t np_kb_on_nodes(const struct np_topology *t, const uint64_t *node_kb,
                        const struct np_nodeset *set)
{
    uint64_t kb = 0;
    for (unsigned i = 0; i < t->nnodes; i++)
        if (np_nodeset_test(set, (unsigned)t->nodes[i].id))
            kb += node_kb[i];
    return kb;
}

uint64_t np_continue_decide(struct np_engine *e, struct candidate_work *w, uint64_t budget_kb)
{
    const struct np_topology *t = e->topo;
    const struct np_nodeset *target = &w->le->placement->placed_nodes;
    uint64_t on_target = np_kb_on_nodes(t, w->score.mem_kb, target);
    struct np_decision *d = &w->view->decision;
    memset(d, 0, sizeof(*d));
    d->pid = w->proc->pid;
    d->start_time = w->proc->start_time;
    d->target = *target;
    d->move_kb = w->score.total_kb > on_target ? w->score.total_kb - on_target : 0;
    d->locality_before = w->score.locality;
    d->locality_after = 1.0;
    w->view->decided = true;
    /* A remainder this small is pages that will not move (shared library
     * pages mapped by others), not what the budget held back. */
    uint64_t negligible_kb = w->score.total_kb / 100 > 4096 ? w->score.total_kb / 100 : 4096;
    if (d->move_kb <= negligible_kb)
        d->move_kb = 0;
    if (d->move_kb == 0 || budget_kb == 0) {
        d->reason = d->move_kb == 0 ? NP_REASON_LOCAL_ENOUGH : NP_REASON_BUDGET;
        snprintf(d->why, sizeof(d->why), d->move_kb == 0 ? "the move begun earlier is complete"
                 : "continues the move begun earlier once the budget allows");
        w->le->migrating = d->move_kb > 0;
        return 0;
    }
    d->reason = NP_REASON_MOVE;
    snprintf(d->why, sizeof(d->why), "continues the move begun earlier (%llu MiB left)",
             (unsigned long long)(d->move_kb / 1024));
    return d->move_kb < budget_kb ? d->move_kb : budget_kb;
}

/* The history keeps the locality we expected; replace it with what the
 * next cycle measured, which is what an admin wants to see. */
void np_measure_after(struct np_engine *e, const struct np_proc_view *v)
{
    for (size_t i = e->history_count; i-- > 0;) {
        struct np_action *a = &e->history[(e->history_start + i) % NP_HISTORY_MAX];
        if (a->pid == v->pid && a->start_time == v->start_time) {
            if (!a->after_measured && a->result == NP_ACT_OK && !a->dry_run) {
                a->locality_after = v->locality;
                a->after_measured = true;
            }
            return;
        }
    }
}

int np_engine_restore_all(struct np_engine *e)
{
    int n = 0;
    size_t cur = 0;
    for (struct np_ledger_entry *le; (le = np_ledger_next(e->ledger, &cur));) {
        if (le->managed && le->placement && le->placement->have_original &&
            !le->placement->via_cgroup &&
            np_act_restore(e->act, e->root, le->pid, &le->placement->original,
                           e->cfg->candidates.max_threads) >= 0)
            n++;
        le->managed = false;
    }
    return n;
}
