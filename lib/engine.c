/* engine: see engine.h. */
#include "engine.h"
#include "engine_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "numamaps.h"
#include "pagesample.h"
#include "sample.h"
#include "score.h"


/* Shortest gap over which CPU use is measured: 50 ticks at USER_HZ 100. */
#define NP_MIN_CPU_WINDOW 0.5
/* Share of an interval a cycle may spend applying moves. */
#define NP_ACT_TIME_SHARE 0.5

const char *np_view_state_name(enum np_view_state s)
{
    switch (s) {
    case NP_VIEW_CANDIDATE: return "candidate";
    case NP_VIEW_MANAGED:   return "managed";
    case NP_VIEW_SKIPPED:   return "skipped";
    case NP_VIEW_GIVEN_UP:  return "given-up";
    }
    return "?";
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(int clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
    free(e);
    return NULL;
}

void np_engine_set_config(struct np_engine *e, const struct np_config *cfg) { e->cfg = cfg; }
void np_engine_set_changes_real(struct np_engine *e, bool real) { e->changes_are_real = real; }
void np_engine_set_actuator(struct np_engine *e, const struct np_actuator *act) { e->act = act; }
void np_engine_set_paused(struct np_engine *e, bool paused) { e->paused = paused; }
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

/* Re-reads the whole topology when CPUs or nodes went on/offline, else
 * only the memory figures. */
static int refresh_topology(struct np_engine *e, bool *ret_changed)
{
    char sig[sizeof(e->topo_signature)];
    *ret_changed = false;
    if (np_topology_signature(e->root, sig, sizeof(sig)) >= 0 &&
        strcmp(sig, e->topo_signature) != 0) {
        struct np_topology *t;
        int r = np_topology_read(e->root, &t);
        if (r < 0)
            return r;
        np_topology_free(e->topo);
        e->topo = t;
        memcpy(e->topo_signature, sig, sizeof(sig));
        *ret_changed = true;
        return 0;
    }
    return np_topology_refresh_memory(e->root, e->topo);
}

/* CPU use over the last interval; a process seen for the first time gets
 * its lifetime average, so --once works from a single snapshot. */
static double update_cpu_use(struct np_engine *e, struct np_ledger_entry *le,
                             const struct np_proc *p, double now, double uptime)
{
    double use = 0;
    /* Over a gap of a few clock ticks (a rescan right after a cycle) the
     * difference is noise: keep the last estimate and the old sample. */
    if (le->have_prev && now - le->prev_time < NP_MIN_CPU_WINDOW && now >= le->prev_time)
        return le->cpu_use;
    if (le->have_prev && now > le->prev_time && p->cpu_ticks >= le->prev_cpu_ticks) {
        use = (double)(p->cpu_ticks - le->prev_cpu_ticks) / (double)e->clk_tck /
              (now - le->prev_time);
        le->cpu_measured = true;
    } else if (uptime > 0) {
        double age = uptime - (double)p->start_time / (double)e->clk_tck;
        if (age > 0.5)
            use = (double)p->cpu_ticks / (double)e->clk_tck / age;
    }
    le->have_prev = true;
    le->prev_cpu_ticks = p->cpu_ticks;
    le->prev_time = now;
    le->cpu_use = use;
    return use;
}

/* Adds P's CPU use to the node it last ran on; a process we placed counts
 * on the nodes we placed it on, at no less than its use when placed: while
 * its memory migrates it stalls and looks idle, and its node would look
 * free to the next plan (seen in the guest: two busy processes bound to
 * one CPU). */
static void book_load(const struct np_topology *t, const struct np_ledger_entry *le,
                      const struct np_proc *p, double use, double *node_load)
{
    if (le->managed && le->placement) {
        const struct np_ledger_placement *pl = le->placement;
        double load = use > pl->placed_cpu_use ? use : pl->placed_cpu_use;
        unsigned ncpus = 0;
        for (unsigned i = 0; i < t->nnodes; i++)
            if (np_nodeset_test(&pl->placed_nodes, (unsigned)t->nodes[i].id))
                ncpus += t->nodes[i].ncpus;
        if (ncpus > 0) {
            for (unsigned i = 0; i < t->nnodes; i++)
                if (np_nodeset_test(&pl->placed_nodes, (unsigned)t->nodes[i].id))
                    node_load[i] += load * t->nodes[i].ncpus / ncpus;
            return;
        }
    }
    int ni = np_topology_cpu_node(t, p->last_cpu);
    if (ni >= 0)
        node_load[ni] += use;
}

static void view_init(struct np_proc_view *v, const struct np_proc *p, double cpu_use)
{
    memset(v, 0, sizeof(*v));
    v->pid = p->pid;
    v->start_time = p->start_time;
    memcpy(v->comm, p->comm, sizeof(v->comm));
    v->mem_kb = p->rss_kb;
    v->cpu_use = cpu_use;
}

static void skip_view(struct np_proc_view *v, enum np_skip why, const char *detail)
{
    v->state = NP_VIEW_SKIPPED;
    v->skip = why;
    snprintf(v->detail, sizeof(v->detail), "%s", detail ? detail : "");
}

/* Someone else now holds the process (excluded or re-pinned): give back
 * what we changed when it was an exclusion, and stop managing it. */
static void release(struct np_engine *e, struct np_ledger_entry *le, bool restore)
{
    if (!le->managed)
        return;
    if (restore && le->placement && le->placement->have_original && !le->placement->via_cgroup)
        (void)np_act_restore(e->act, e->root, le->pid, &le->placement->original,
                             e->cfg->candidates.max_threads);
    le->managed = false;
    le->migrating = false;
}

/* Our own earlier placement must not look like someone else's pin. */
static bool is_our_placement(const struct np_ledger_entry *le, const struct np_proc *p)
{
    return le->managed && le->placement && !le->placement->via_cgroup &&
           np_bits_equal(le->placement->placed_cpus.w, p->cpus_allowed.w, NP_MAX_CPUS);
}

struct candidate_work {
    struct np_proc *proc;
    struct np_ledger_entry *le;
    struct np_proc_view *view;
    struct np_numa_maps mem;
    bool have_mem;
    struct np_score score;
    bool have_score;
};

/* Pre-rank before memory is read: CPU use x size, then pid. */
static int cmp_work(const void *a, const void *b)
{
    const struct candidate_work *const *pa = a, *const *pb = b;
    double ka = (*pa)->view->cpu_use * (double)(*pa)->view->mem_kb;
    double kb = (*pb)->view->cpu_use * (double)(*pb)->view->mem_kb;
    if (ka != kb)
        return ka > kb ? -1 : 1;
    return (*pa)->proc->pid - (*pb)->proc->pid;
}

static int read_memory(struct np_engine *e, struct candidate_work *w)
{
    const struct np_config *cfg = e->cfg;
    struct np_proc *p = w->proc;
    uint64_t small_pages_kb = p->vm_rss_kb;
    /* Sampling asks the kernel through move_pages: only the real actuator
     * can answer (the recording one would invent every page's node). */
    bool can_sample = e->root->is_live && strcmp(e->act->ops->name, "real") == 0;
    if (can_sample && small_pages_kb > cfg->candidates.sample_above_kb) {
        /* Walking numa_maps of this one would stall it: sample instead.
         * Its memory policies still come from numa_maps, read far less
         * often (refresh_policy). */
        int r = np_pagesample(e->act, e->root, p->pid, cfg->candidates.sample_pages,
                              (uint64_t)p->pid * 2654435761u + e->cycle, small_pages_kb,
                              &w->mem);
        if (r >= 0) {
            w->have_mem = true;
            w->view->sampled = true;
            return 0;
        }
    }
    int r = np_numa_maps_read(e->root, p->pid, cfg->candidates.max_numa_maps_bytes, &w->mem);
    if (r < 0)
        return r;
    w->have_mem = true;
    return 0;
}

/* Brings W's memory policies in its ledger entry up to date. The numa_maps
 * path read the mappings' policies with its pages this cycle. A sampled
 * process's come from a full numa_maps read kept in the ledger and made
 * again only when its mappings changed (VmSize), its thread count changed
 * or candidates.policy_rescan seconds passed: that read walks the page
 * tables the sampling is there to spare (~11 ms per GiB of 4 KiB pages,
 * stalling the process's mmap/munmap meanwhile). Threads' own policies are
 * read from the head of each thread's numa_maps on the same schedule; the
 * main thread's shows in the mappings already. 0 or -errno (the process
 * is then not to be acted on: its policy is unknown). */
static int refresh_policy(struct np_engine *e, struct candidate_work *w, double now)
{
    struct np_ledger_entry *le = w->le;
    const struct np_proc *p = w->proc;
    bool stale = !le->have_mpol || p->vm_size_kb != le->mpol_vm_size_kb ||
                 p->nthreads != le->mpol_nthreads ||
                 now - le->mpol_read_at >= e->cfg->candidates.policy_rescan;
    if (!stale) {
        if (!w->mem.sampled)
            np_mpol_summary_take_mappings(&le->mpol, &w->mem.mpol);
        return 0;
    }
    struct np_mpol_summary fresh;
    memset(&fresh, 0, sizeof(fresh));
    if (w->mem.sampled) {
        struct np_numa_maps full;
        int r = np_numa_maps_read(e->root, p->pid, e->cfg->candidates.max_numa_maps_bytes, &full);
        if (r < 0)
            return r;
        np_mpol_summary_take_mappings(&fresh, &full.mpol);
        np_numa_maps_clear(&full);
    } else
        np_mpol_summary_take_mappings(&fresh, &w->mem.mpol);
    for (size_t i = 0; i < p->nthreads; i++) {
        if (p->threads[i].tid == p->pid)
            continue;
        struct np_mpol pol;
        /* A thread gone since the detail pass has no policy left to keep. */
        if (np_mpol_read_thread(e->root, p->pid, p->threads[i].tid, &pol) == 0)
            np_mpol_summary_add_thread(&fresh, p->threads[i].tid, &pol);
    }
    le->mpol = fresh;
    le->have_mpol = true;
    le->mpol_read_at = now;
    le->mpol_vm_size_kb = p->vm_size_kb;
    le->mpol_nthreads = p->nthreads;
    return 0;
}

/* The memory-policy rule, for the cycle and for manual moves alike: with
 * policy.leave_pinned, a process whose policies show someone placed its
 * memory on purpose is not moved, CPUs included. One we placed that took a
 * policy since (the program called mbind or set_mempolicy) is released
 * and given its CPUs back. NP_SKIP_MEMPOLICY with DETAIL, NP_SKIP_NONE, or
 * NP_SKIP_NONE with DETAIL set when the policy could not be read (then
 * *RET_UNREADABLE is the error and the process is not acted on either). */
static enum np_skip policy_rule(struct np_engine *e, struct candidate_work *w, double now,
                                char *detail, size_t detailsz, int *ret_unreadable)
{
    *ret_unreadable = 0;
    detail[0] = '\0';
    if (!e->cfg->policy.leave_pinned)
        return NP_SKIP_NONE;
    int r = refresh_policy(e, w, now);
    if (r < 0) {
        *ret_unreadable = r;
        snprintf(detail, detailsz, "cannot read its memory policy: %s",
                 r == -E2BIG ? "numa_maps over candidates.max_numa_maps_mb" : strerror(-r));
        return NP_SKIP_NONE;
    }
    if (!np_mpol_decides(&w->le->mpol, detail, detailsz))
        return NP_SKIP_NONE;
    if (w->le->managed) {
        release(e, w->le, true);
        size_t len = strlen(detail);
        snprintf(detail + len, detailsz - len, " (set after numaplaced placed it: CPUs given back)");
    }
    return NP_SKIP_MEMPOLICY;
}

static const struct np_thread_ticks *find_thread(const struct np_ledger_entry *le, int tid)
{
    size_t lo = 0, hi = le->nthread_ticks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (le->thread_ticks[mid].tid == tid)
            return &le->thread_ticks[mid];
        if (le->thread_ticks[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* WEIGHT[t] = ticks thread t used since the last detail pass (all of them
 * for a thread born since); then remembers the current ticks. At first
 * sight only lifetime ticks exist: there the threads running now count
 * (a busy worker), not those asleep (one that did the start-up work long
 * ago), unless none runs. P's threads are sorted by tid. */
static void thread_weights(struct np_ledger_entry *le, const struct np_proc *p, double *weight)
{
    bool first = le->thread_ticks == NULL, any_running = false;
    for (size_t i = 0; i < p->nthreads; i++)
        any_running |= p->threads[i].state == 'R';
    for (size_t i = 0; i < p->nthreads; i++) {
        const struct np_thread *th = &p->threads[i];
        const struct np_thread_ticks *prev = first ? NULL : find_thread(le, th->tid);
        uint64_t since = prev && th->cpu_ticks >= prev->ticks ? th->cpu_ticks - prev->ticks
                                                              : th->cpu_ticks;
        if (first && any_running && th->state != 'R')
            since = 0;
        weight[i] = (double)since;
    }
    struct np_thread_ticks *now = realloc(le->thread_ticks,
                                          (p->nthreads ? p->nthreads : 1) * sizeof(*now));
    if (!now)
        return;     /* keeps the old figures: next time's deltas are longer, not wrong */
    for (size_t i = 0; i < p->nthreads; i++) {
        now[i].tid = p->threads[i].tid;
        now[i].ticks = p->threads[i].cpu_ticks;
    }
    le->thread_ticks = now;
    le->nthread_ticks = p->nthreads;
}

/* Counts W's remote findings: a cycle at which its threads ran on a known
 * node and less of its memory than local_enough was local there adds one,
 * any other takes one off, and a cycle it was not scored at starts the
 * count again. A local glimpse takes one off rather than starting over:
 * a misplaced process the scheduler briefly put beside its memory would
 * otherwise never reach the count (seen in the guest: a hugetlb process
 * glimpsed on its memory's busy node every third cycle stayed remote). */
static void count_remote_finding(struct np_engine *e, struct candidate_work *w)
{
    struct np_ledger_entry *le = w->le;
    bool ran = false;
    for (unsigned i = 0; i < e->topo->nnodes; i++)
        ran |= w->score.cpu_share[i] > 0.0;
    bool remote = ran && w->score.locality < e->cfg->planner.local_enough;
    unsigned count = le->scored_cycle + 1 == e->cycle ? le->remote_cycles : 0;
    if (remote)
        le->remote_cycles = count < UINT_MAX ? count + 1 : count;
    else
        le->remote_cycles = count > 0 ? count - 1 : 0;
    le->scored_cycle = e->cycle;
}

/* The cheap pass booked W's CPU use on the node of its main thread's last
 * CPU, all it had then. Once its threads are read, their shares tell where
 * that CPU time is really spent: a process whose worker threads run away
 * from an idle main thread made the main thread's node look busy and the
 * workers' node idle (seen in the guest: a one-CPU node booked at 3.8 CPUs
 * with three hogs' main threads, and a well-placed process's memory pulled
 * because its own node looked full of its own CPU use). A process we
 * placed stays booked on its placement. */
static void rebook_load_by_threads(const struct np_topology *t, const struct candidate_work *w,
                                   double *node_load)
{
    if (w->le->managed && w->le->placement)
        return;
    int booked = np_topology_cpu_node(t, w->proc->last_cpu);
    double total = 0.0;
    for (unsigned i = 0; i < t->nnodes; i++)
        total += w->score.cpu_share[i];
    if (booked < 0 || !(total > 0.0))
        return;
    double use = w->view->cpu_use;
    node_load[booked] = node_load[booked] > use ? node_load[booked] - use : 0.0;
    for (unsigned i = 0; i < t->nnodes; i++)
        node_load[i] += use * w->score.cpu_share[i] / total;
}

static int score_candidate(struct np_engine *e, struct candidate_work *w)
{
    const struct np_topology *t = e->topo;
    double *share = calloc(t->nnodes, sizeof(double));
    double *weight = calloc(w->proc->nthreads ? w->proc->nthreads : 1, sizeof(double));
    if (!share || !weight) {
        free(share);
        free(weight);
        return -ENOMEM;
    }
    /* Threads weigh by the CPU time they used since the last cycle: a
     * thread that did the start-up work and now sleeps keeps its old
     * last_cpu and must not count (it made well-placed processes look
     * remote in the guest). At first sight only lifetime ticks exist. */
    thread_weights(w->le, w->proc, weight);
    int r = np_score_cpu_share(t, w->proc->threads, w->proc->nthreads, weight, share);
    if (r < 0 && r != -ENODATA)
        goto out;
    r = np_score_compute(t, &w->mem, share, w->view->cpu_use, &w->score);
    if (r < 0)
        goto out;
    w->have_score = true;
    count_remote_finding(e, w);
    struct np_proc_view *v = w->view;
    v->scored = true;
    v->locality = w->score.locality;
    v->remote_cost = w->score.remote_cost;
    v->benefit = w->score.benefit;
    v->remote_kb = w->score.remote_kb;
    v->node_kb = calloc(t->nnodes, sizeof(uint64_t));
    v->cpu_share = calloc(t->nnodes, sizeof(double));
    if (v->node_kb && v->cpu_share) {
        memcpy(v->node_kb, w->score.mem_kb, t->nnodes * sizeof(uint64_t));
        memcpy(v->cpu_share, w->score.cpu_share, t->nnodes * sizeof(double));
    }
out:
    free(share);
    free(weight);
    return r;
}

static void node_ids_of(const struct np_topology *t, const uint64_t *node_kb,
                        const struct np_nodeset *except, struct np_nodeset *ret)
{
    np_nodeset_zero(ret);
    for (unsigned i = 0; i < t->nnodes; i++)
        if (node_kb[i] > 0 && !np_nodeset_test(except, (unsigned)t->nodes[i].id))
            np_nodeset_set(ret, (unsigned)t->nodes[i].id);
}

static void remember_plan(const struct np_engine *e, struct np_ledger_entry *le,
                          const struct np_decision *d)
{
    le->held_target = d->target;
    le->held_cycle = e->cycle;
}

static void act_on(struct np_engine *e, struct candidate_work *w, double now,
                   uint64_t *budget_left, bool memory_moves, struct np_cycle_report *rep)
{
    const struct np_config *cfg = e->cfg;
    const struct np_topology *t = e->topo;
    struct np_proc_view *v = w->view;
    const struct np_decision *d = &v->decision;
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
    bool has_huge = false;
    for (unsigned s = 0; s < w->mem.nhuge; s++)
        for (unsigned n = 0; n < w->mem.nslots; n++)
            if (w->mem.node[n].huge_kb[s])
                has_huge = true;
    /* Kernel balancing cannot move hugetlb pages, so those are always ours. */
    /* move_kb 0: the memory is already local enough on the target. */
    pl.move_memory = (memory_moves || has_huge) && d->move_kb > 0 &&
                     !np_bits_empty(NP_NODES(&pl.from));
    pl.budget_kb = *budget_left;
    pl.remote_kb = d->move_kb;
    pl.max_threads = cfg->candidates.max_threads;
    /* The room the planner counted on: usable memory above the headroom. */
    for (unsigned i = 0; i < t->nnodes && pl.nrooms < NP_MAX_ROOMS; i++) {
        const struct np_node *n = &t->nodes[i];
        if (!np_nodeset_test(&d->target, (unsigned)n->id))
            continue;
        pl.rooms[pl.nrooms].node = n->id;
        pl.rooms[pl.nrooms].kb = np_node_room_kb(n, cfg->planner.mem_headroom_pct);
        pl.nrooms++;
    }
    bool cgroup = cfg->actuator.use_cgroup && np_cgroup_sole_tenant(e->root, w->proc);
    pl.cgroup = cgroup ? w->proc->cgroup : NULL;

    struct np_act_result res;
    memset(&res, 0, sizeof(res));
    double t0 = wall_seconds(CLOCK_MONOTONIC);
    int r = np_act_apply(e->act, e->root, &pl, &res);
    double ms = (wall_seconds(CLOCK_MONOTONIC) - t0) * 1000.0;

    struct np_ledger_entry *le = w->le;
    v->acted = true;
    v->act_class = r < 0 ? res.cls : NP_ACT_OK;
    v->act_error = r < 0 ? r : 0;
    v->moved_kb = res.moved_kb;
    v->partial = res.partial;
    v->via_cgroup = res.used_cgroup;
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
            release(e, le, false);
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
        if (res.moved_kb <= *budget_left)
            *budget_left -= res.moved_kb;
        else
            *budget_left = 0;
        le->cooldown_until = now + cfg->planner.cooldown;
        le->moves++;
        if (e->changes_are_real) {
            struct np_ledger_placement *lp = np_ledger_placement(le);
            if (lp) {
                if (!lp->have_original && res.have_original) {
                    lp->have_original = true;
                    lp->original = res.original;
                }
                lp->placed_cpus = pl.cpus;
                lp->placed_nodes = pl.mems;
                lp->placed_cpu_use = v->cpu_use;
                lp->via_cgroup = res.used_cgroup;
                snprintf(lp->cgroup, sizeof(lp->cgroup), "%s", res.used_cgroup ? w->proc->cgroup : "");
            }
            le->managed = true;
            le->migrating = res.partial;
            e->totals.moves++;
            e->totals.moved_kb += res.moved_kb;
        }
    }

    struct np_action *a = history_push(e);
    a->when = now;
    a->wall_time = wall_seconds(CLOCK_REALTIME);
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
    struct np_action *copy = realloc(rep->actions, (rep->nactions + 1) * sizeof(*copy));
    if (copy) {
        rep->actions = copy;
        rep->actions[rep->nactions++] = *a;
    }
}

/* kB of NODE_KB (per node index) on the node ids of SET. */
static uint64_t kb_on_nodes(const struct np_topology *t, const uint64_t *node_kb,
                            const struct np_nodeset *set)
{
    uint64_t kb = 0;
    for (unsigned i = 0; i < t->nnodes; i++)
        if (np_nodeset_test(set, (unsigned)t->nodes[i].id))
            kb += node_kb[i];
    return kb;
}

static void continue_move(struct np_engine *e, struct candidate_work *w, double now,
                          uint64_t *budget_left, struct np_cycle_report *rep)
{
    const struct np_topology *t = e->topo;
    const struct np_nodeset *target = &w->le->placement->placed_nodes;
    uint64_t on_target = kb_on_nodes(t, w->score.mem_kb, target);
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
    if (d->move_kb == 0 || *budget_left == 0) {
        d->reason = d->move_kb == 0 ? NP_REASON_LOCAL_ENOUGH : NP_REASON_BUDGET;
        snprintf(d->why, sizeof(d->why), d->move_kb == 0 ? "the move begun earlier is complete"
                 : "continues the move begun earlier once the budget allows");
        w->le->migrating = d->move_kb > 0;
        return;
    }
    d->reason = NP_REASON_MOVE;
    snprintf(d->why, sizeof(d->why), "continues the move begun earlier (%llu MiB left)",
             (unsigned long long)(d->move_kb / 1024));
    act_on(e, w, now, budget_left, true, rep);
}

/* The history keeps the locality we expected; replace it with what the
 * next cycle measured, which is what an admin wants to see. */
static void measure_after(struct np_engine *e, const struct np_proc_view *v)
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

int np_engine_cycle(struct np_engine *e, double now, struct np_cycle_report *rep)
{
    const struct np_config *cfg = e->cfg;
    double cpu0 = cpu_seconds(), wall0 = wall_seconds(CLOCK_MONOTONIC);
    memset(rep, 0, sizeof(*rep));
    rep->started = now;
    e->cycle++;

    int r = refresh_topology(e, &rep->topology_changed);
    if (r < 0)
        return r;
    const struct np_topology *t = e->topo;
    rep->nnodes = t->nnodes;
    (void)np_vmstat_read(e->root, &rep->vmstat);
    int nb;
    rep->numa_balancing = np_numa_balancing_read(e->root, &nb) >= 0 ? nb : -1;
    rep->memory_moves = !(rep->numa_balancing > 0 && cfg->policy.numa_balancing == NP_NB_COEXIST);

    struct np_proc_list list = {0};
    r = np_sample_scan(e->root, cfg->candidates.max_procs, e->page_kb, &list, &rep->truncated);
    if (r < 0)
        return r;
    rep->nscanned = list.n;
    double uptime = 0;
    (void)np_read_uptime(e->root, &uptime);

    double *node_load = calloc(t->nnodes ? t->nnodes : 1, sizeof(double));
    struct np_proc **busy = calloc(list.n ? list.n : 1, sizeof(*busy));
    size_t *busy_view = calloc(list.n ? list.n : 1, sizeof(*busy_view));
    struct np_proc_view *views = calloc(list.n ? list.n : 1, sizeof(*views));
    struct candidate_work *work = NULL;
    size_t nbusy = 0, nviews = 0, nwork = 0;
    if (!node_load || !busy || !busy_view || !views) {
        r = -ENOMEM;
        goto out;
    }

    /* Cheap pass: CPU use from stat alone, load per node, cheap exclusions. */
    for (size_t i = 0; i < list.n; i++) {
        struct np_proc *p = &list.procs[i];
        struct np_ledger_entry *le = np_ledger_get(e->ledger, p->pid, p->start_time, true);
        if (!le)
            continue;   /* ledger full: more processes than max_procs */
        le->seen_cycle = e->cycle;
        double use = update_cpu_use(e, le, p, now, uptime);
        /* Our own CPU time is mostly page copying for the moves we make,
         * which ends with them: counting it made the node we ran on look
         * full for the next plan (seen in the guest: 0.6 CPU of copying
         * kept a process off the one node with room). */
        if (p->pid != e->self_pid)
            book_load(t, le, p, use, node_load);
        /* Processes we manage are checked every cycle, busy or not, so an
         * exclusion or someone else's re-pin is noticed at once. */
        if (use < cfg->candidates.min_cpu && !le->managed)
            continue;
        struct np_proc_view *v = &views[nviews++];
        view_init(v, p, use);
        enum np_skip why = np_exclude_cheap(&cfg->exclude, p, e->self_pid);
        if (why == NP_SKIP_NONE && np_engine_runtime_excluded(e, p))
            why = NP_SKIP_RUNTIME_EXCLUDED;
        if (why != NP_SKIP_NONE) {
            skip_view(v, why, NULL);
            release(e, le, true);
            continue;
        }
        if (le->given_up) {
            v->state = NP_VIEW_GIVEN_UP;
            snprintf(v->detail, sizeof(v->detail), "%s", le->reason);
            continue;
        }
        busy_view[nbusy] = nviews - 1;
        busy[nbusy++] = p;
    }
    rep->nbusy = nbusy;

    /* Detail pass for the busy ones only. */
    work = calloc(nbusy ? nbusy : 1, sizeof(*work));
    if (!work) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nbusy; i++) {
        struct np_proc *p = busy[i];
        struct np_proc_view *v = &views[busy_view[i]];
        struct np_ledger_entry *le = np_ledger_get(e->ledger, p->pid, p->start_time, false);
        int dr = np_sample_detail(e->root, p, cfg->candidates.max_threads);
        if (dr < 0) {
            skip_view(v, NP_SKIP_NONE, dr == -ESRCH || dr == -ENOENT ? "exited during the scan"
                                                                     : strerror(-dr));
            continue;
        }
        v->mem_kb = p->vm_rss_kb + p->hugetlb_kb;
        if (v->mem_kb < cfg->candidates.min_rss_kb && !le->managed) {
            skip_view(v, NP_SKIP_NONE, "too small");
            continue;
        }
        enum np_skip why = np_exclude_detail(&cfg->exclude, p);
        if (why != NP_SKIP_NONE) {
            skip_view(v, why, NULL);
            release(e, le, true);
            continue;
        }
        if (cfg->policy.leave_pinned && !is_our_placement(le, p)) {
            char detail[200];
            why = np_pinned_check(e->root, t, p, NULL, detail, sizeof(detail));
            if (why != NP_SKIP_NONE) {
                if (le->managed) {
                    /* Our pin was replaced by someone else's: theirs wins. */
                    release(e, le, false);
                    snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
                             " (re-pinned by someone else; no longer managed)");
                }
                skip_view(v, why, detail);
                continue;
            }
        }
        work[nwork].proc = p;
        work[nwork].le = le;
        work[nwork].view = v;
        nwork++;
    }
    /* Bounded cost: read memory placement for the biggest few only. */
    struct candidate_work **order = calloc(nwork ? nwork : 1, sizeof(*order));
    if (!order) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nwork; i++)
        order[i] = &work[i];
    qsort(order, nwork, sizeof(*order), cmp_work);
    size_t limit = cfg->candidates.max_per_cycle;
    for (size_t i = 0; i < nwork; i++) {
        struct candidate_work *w = order[i];
        if (i >= limit) {
            skip_view(w->view, NP_SKIP_NONE, "over candidates.max_per_cycle this cycle");
            continue;
        }
        int mr = read_memory(e, w);
        if (mr < 0) {
            skip_view(w->view, NP_SKIP_NONE, mr == -ENOENT || mr == -ESRCH ? "exited during the scan"
                                              : mr == -E2BIG ? "numa_maps over candidates.max_numa_maps_mb"
                                                             : strerror(-mr));
            continue;
        }
        char detail[200];
        int unreadable;
        enum np_skip why = policy_rule(e, w, now, detail, sizeof(detail), &unreadable);
        if (why != NP_SKIP_NONE || unreadable < 0) {
            skip_view(w->view, why, unreadable == -ENOENT || unreadable == -ESRCH
                                        ? "exited during the scan" : detail);
            continue;
        }
        if (score_candidate(e, w) < 0) {
            skip_view(w->view, NP_SKIP_NONE, "could not score");
            continue;
        }
        rebook_load_by_threads(t, w, node_load);
        if (w->le->managed) {
            w->view->state = NP_VIEW_MANAGED;
            measure_after(e, w->view);
        }
    }
    free(order);

    /* Plan over the scored ones. */
    size_t ncand = 0;
    struct np_candidate *cands = calloc(nwork ? nwork : 1, sizeof(*cands));
    struct np_decision *dec = calloc(nwork ? nwork : 1, sizeof(*dec));
    struct candidate_work **cw = calloc(nwork ? nwork : 1, sizeof(*cw));
    if (!cands || !dec || !cw) {
        free(cands);
        free(dec);
        free(cw);
        r = -ENOMEM;
        goto out;
    }
    uint64_t budget_kb = (uint64_t)(cfg->actuator.migrate_mb_per_s * cfg->interval * 1024.0);
    for (size_t i = 0; i < nwork; i++) {
        struct candidate_work *w = &work[i];
        if (!w->have_score || w->view->state == NP_VIEW_SKIPPED)
            continue;
        if (!w->le->cpu_measured && !e->single_snapshot) {
            /* A lifetime average says little about now (a warmed-up DB, a
             * start-up burst): wait one interval for a measured figure. */
            snprintf(w->view->detail, sizeof(w->view->detail),
                     "first seen: CPU use is measured over the next interval before any move");
            continue;
        }
        if (w->view->cpu_use < cfg->candidates.min_cpu && !w->le->migrating) {
            /* Managed but idle now: watched, not moved. */
            snprintf(w->view->detail, sizeof(w->view->detail), "idle");
            continue;
        }
        if (w->le->migrating && w->le->placement) {
            /* A move the budget cut short continues to the same nodes: a
             * fresh plan could pick others and ping-pong its memory. */
            continue_move(e, w, now, &budget_kb, rep);
            continue;
        }
        cands[ncand].pid = w->proc->pid;
        cands[ncand].start_time = w->proc->start_time;
        cands[ncand].score = &w->score;
        cands[ncand].mem = &w->mem;
        /* A move left partial by the budget continues at once. */
        cands[ncand].cooling_down = w->le->cooldown_until > now && !w->le->migrating;
        cands[ncand].remote_cycles = w->le->remote_cycles;
        /* Only last cycle's held target is kept: an older one is stale. */
        if (w->le->held_cycle + 1 == e->cycle)
            cands[ncand].held_target = w->le->held_target;
        else
            np_nodeset_zero(&cands[ncand].held_target);
        cw[ncand++] = w;
    }
    rep->ncandidates = ncand;
    rep->paused = e->paused;
    double *kept = realloc(e->last_node_load, (t->nnodes ? t->nnodes : 1) * sizeof(double));
    if (kept) {
        memcpy(kept, node_load, t->nnodes * sizeof(double));
        e->last_node_load = kept;
        e->last_node_load_n = t->nnodes;
    }
    struct np_plan_params params = {
        .local_enough = cfg->planner.local_enough,
        .min_gain = cfg->planner.min_gain,
        .max_moves = cfg->planner.max_moves_per_cycle,
        .mem_headroom_pct = cfg->planner.mem_headroom_pct,
        .max_node_cpu_load = cfg->planner.max_node_cpu_load,
        .budget_kb = budget_kb,
        .memory_moves = rep->memory_moves,
        .confirm_cycles = e->single_snapshot ? 1 : cfg->planner.confirm_cycles,
    };
    r = ncand ? np_plan(t, node_load, cands, ncand, &params, dec) : 0;
    if (r >= 0) {
        /* Act in rank order so the budget goes to the best moves first. Plans
         * come from one snapshot: once acting has taken half an interval the
         * rest waits for the next cycle, which plans from fresh data. */
        double act_started = wall_seconds(CLOCK_MONOTONIC);
        for (unsigned rank = 1; rank <= ncand; rank++) {
            for (size_t i = 0; i < ncand; i++) {
                if (dec[i].rank != rank)
                    continue;
                cw[i]->view->decided = true;
                cw[i]->view->decision = dec[i];
                /* A plan held back (waiting for confirmation, over this
                 * cycle's moves or budget, paused) is remembered: next
                 * cycle keeps its target while it still fits. */
                bool held = dec[i].reason == NP_REASON_CONFIRMING ||
                            dec[i].reason == NP_REASON_MAX_MOVES ||
                            dec[i].reason == NP_REASON_BUDGET ||
                            (dec[i].reason == NP_REASON_MOVE && e->paused);
                if (held)
                    remember_plan(e, cw[i]->le, &dec[i]);
                if (dec[i].reason != NP_REASON_MOVE || e->paused)
                    continue;
                if (wall_seconds(CLOCK_MONOTONIC) - act_started > cfg->interval * NP_ACT_TIME_SHARE) {
                    cw[i]->view->deferred = true;
                    snprintf(cw[i]->view->detail, sizeof(cw[i]->view->detail),
                             "deferred: this cycle spent its acting time, replanned next cycle");
                    rep->ndeferred++;
                    remember_plan(e, cw[i]->le, &dec[i]);
                    continue;
                }
                act_on(e, cw[i], now, &budget_kb, rep->memory_moves, rep);
            }
        }
    }
    free(cands);
    free(dec);
    free(cw);
    r = 0;

    e->totals.cycles++;
    np_ledger_sweep(e->ledger, e->cycle);
    qsort(views, nviews, sizeof(*views), cmp_view);
    rep->views = views;
    rep->nviews = nviews;
    views = NULL;
out:
    if (work) {
        for (size_t i = 0; i < nwork; i++) {
            np_numa_maps_clear(&work[i].mem);
            np_score_clear(&work[i].score);
        }
        free(work);
    }
    if (views) {
        for (size_t i = 0; i < nviews; i++) {
            free(views[i].node_kb);
            free(views[i].cpu_share);
        }
        free(views);
    }
    free(busy);
    free(busy_view);
    free(node_load);
    np_proc_list_free(&list);
    rep->cpu_ms = (cpu_seconds() - cpu0) * 1000.0;
    rep->wall_ms = (wall_seconds(CLOCK_MONOTONIC) - wall0) * 1000.0;
    return r;
}

void np_cycle_report_clear(struct np_cycle_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nviews; i++) {
        free(r->views[i].node_kb);
        free(r->views[i].cpu_share);
    }
    free(r->views);
    free(r->actions);
    memset(r, 0, sizeof(*r));
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

static void format_kb(uint64_t kb, char *buf, size_t sz)
{
    if (kb >= 1024 * 1024)
        snprintf(buf, sz, "%.1fG", (double)kb / (1024.0 * 1024.0));
    else if (kb >= 1024)
        snprintf(buf, sz, "%.1fM", (double)kb / 1024.0);
    else
        snprintf(buf, sz, "%lluK", (unsigned long long)kb);
}

static void format_nodes(const struct np_nodeset *s, char *buf, size_t sz)
{
    if (np_bits_format_list(s->w, NP_MAX_NODES, buf, sz) < 0 || !buf[0])
        snprintf(buf, sz, "-");
}

void np_action_format(const struct np_action *a, char *buf, size_t bufsz)
{
    char from[64], to[64], moved[32];
    format_nodes(&a->from, from, sizeof(from));
    format_nodes(&a->to, to, sizeof(to));
    format_kb(a->moved_kb, moved, sizeof(moved));
    if (a->result != NP_ACT_OK) {
        snprintf(buf, bufsz, "pid %d (%s): move nodes %s -> %s failed: %s (%s)", a->pid, a->comm,
                 from, to, strerror(-a->error), np_act_class_name(a->result));
        return;
    }
    snprintf(buf, bufsz, "%spid %d (%s): nodes %s -> %s%s, %s moved in %.0f ms%s, locality %.0f%% -> %.0f%%%s",
             a->dry_run ? "dry-run: " : "", a->pid, a->comm, from, to,
             a->via_cgroup ? " via cgroup cpuset" : "", moved, a->duration_ms,
             a->partial ? " (partial: rest next cycle)" : "",
             a->locality_before * 100.0, a->locality_after * 100.0,
             a->after_measured ? "" : " expected");
}

void np_cycle_report_print(FILE *out, const struct np_engine *e,
                           const struct np_cycle_report *r, bool verbose)
{
    const struct np_topology *t = e->topo;
    fprintf(out, "nodes %u, processes scanned %zu%s, busy %zu, scored %zu, kernel numa_balancing %s, memory moves %s\n",
            t->nnodes, r->nscanned, r->truncated ? " (truncated)" : "", r->nbusy, r->ncandidates,
            r->numa_balancing < 0 ? "absent" : r->numa_balancing ? "on" : "off",
            r->memory_moves ? "by numaplaced" : "left to the kernel");
    fprintf(out, "%-4s %7s %-16s %8s %5s %6s %8s %9s  %-28s %s\n", "RANK", "PID", "COMM", "MEM",
            "CPU", "LOCAL", "REMOTE", "BENEFIT", "MEM/NODE(MiB)", "DECISION");
    for (size_t i = 0; i < r->nviews; i++) {
        const struct np_proc_view *v = &r->views[i];
        char mem[32], remote[32], pernode[160] = "", rank[16];
        format_kb(v->mem_kb, mem, sizeof(mem));
        if (v->scored) {
            format_kb(v->remote_kb, remote, sizeof(remote));
            size_t len = 0;
            for (unsigned n = 0; n < t->nnodes && v->node_kb && len < sizeof(pernode); n++)
                len += (size_t)snprintf(pernode + len, sizeof(pernode) - len, "%s%d:%llu",
                                        n ? " " : "", t->nodes[n].id,
                                        (unsigned long long)(v->node_kb[n] / 1024));
        } else {
            snprintf(remote, sizeof(remote), "-");
            snprintf(pernode, sizeof(pernode), "-");
        }
        if (v->decided)
            snprintf(rank, sizeof(rank), "%u", v->decision.rank);
        else
            snprintf(rank, sizeof(rank), "-");
        char decision[400];
        if (v->state == NP_VIEW_SKIPPED && v->skip != NP_SKIP_NONE)
            snprintf(decision, sizeof(decision), "skip: %s%s%s", np_skip_name(v->skip),
                     v->detail[0] ? ": " : "", v->detail);
        else if (v->state == NP_VIEW_SKIPPED || v->state == NP_VIEW_GIVEN_UP)
            snprintf(decision, sizeof(decision), "%s: %s", np_view_state_name(v->state), v->detail);
        else if (v->decided) {
            char target[64];
            format_nodes(&v->decision.target, target, sizeof(target));
            if (v->decision.reason == NP_REASON_MOVE)
                snprintf(decision, sizeof(decision), "move -> %s%s: %s", target,
                         v->deferred ? " (deferred to the next cycle)"
                         : v->acted && v->act_class != NP_ACT_OK ? " (failed)" : "",
                         v->decision.why);
            else
                snprintf(decision, sizeof(decision), "keep (%s): %s",
                         np_reason_name(v->decision.reason), v->decision.why);
        } else
            snprintf(decision, sizeof(decision), "%s", np_view_state_name(v->state));
        if (v->scored)
            fprintf(out, "%-4s %7d %-16.16s %8s %5.2f %5.1f%% %8s %9.1f  %-28s %s\n", rank, v->pid,
                    v->comm, mem, v->cpu_use, v->locality * 100.0, remote, v->benefit, pernode, decision);
        else if (verbose || v->skip != NP_SKIP_NONE || v->state == NP_VIEW_GIVEN_UP)
            fprintf(out, "%-4s %7d %-16.16s %8s %5.2f %6s %8s %9s  %-28s %s\n", rank, v->pid, v->comm,
                    mem, v->cpu_use, "-", "-", "-", "-", decision);
    }
    for (size_t i = 0; i < r->nactions; i++) {
        char line[512];
        np_action_format(&r->actions[i], line, sizeof(line));
        fprintf(out, "action: %s\n", line);
    }
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
    enum np_skip skip = np_exclude_cheap(&cfg->exclude, &p, e->self_pid);
    if (skip == NP_SKIP_NONE && np_engine_runtime_excluded(e, &p))
        skip = NP_SKIP_RUNTIME_EXCLUDED;
    int r = np_sample_detail(e->root, &p, cfg->candidates.max_threads);
    if (r < 0) {
        snprintf(why, whysz, "no such process");
        return -ESRCH;
    }
    if (skip == NP_SKIP_NONE)
        skip = np_exclude_detail(&cfg->exclude, &p);
    struct np_ledger_entry *le = np_ledger_get(e->ledger, p.pid, p.start_time, true);
    if (!le) {
        np_proc_clear(&p);
        return -ENOMEM;
    }
    char detail[200] = "";
    if (skip == NP_SKIP_NONE && cfg->policy.leave_pinned && !force && !is_our_placement(le, &p))
        skip = np_pinned_check(e->root, t, &p, NULL, detail, sizeof(detail));

    struct np_proc_view view;
    view_init(&view, &p, le->cpu_use);
    struct candidate_work w = {.proc = &p, .le = le, .view = &view};
    if (skip == NP_SKIP_NONE) {
        r = read_memory(e, &w);
        if (r < 0) {
            snprintf(why, whysz, "cannot read its memory placement: %s", strerror(-r));
            goto out;
        }
        int unreadable = 0;
        if (!force)
            skip = policy_rule(e, &w, now, detail, sizeof(detail), &unreadable);
        if (unreadable < 0) {
            snprintf(why, whysz, "%s", detail);
            r = unreadable;
            goto out;
        }
    }
    if (skip != NP_SKIP_NONE) {
        bool forcible = skip == NP_SKIP_MEMPOLICY || np_skip_is_pin(skip);
        snprintf(why, whysz, "%s%s%s%s", np_skip_name(skip), detail[0] ? ": " : "", detail,
                 forcible ? " (move --force overrides)" : "");
        r = -EPERM;
        goto out;
    }
    r = score_candidate(e, &w);
    if (r < 0) {
        snprintf(why, whysz, "cannot score it: %s", strerror(-r));
        goto out;
    }
    uint64_t on_target = kb_on_nodes(t, w.score.mem_kb, target);
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

    int nb;
    bool memory_moves = !(np_numa_balancing_read(e->root, &nb) >= 0 && nb > 0 &&
                          cfg->policy.numa_balancing == NP_NB_COEXIST);
    uint64_t budget_kb = (uint64_t)(cfg->actuator.migrate_mb_per_s * cfg->interval * 1024.0);
    struct np_cycle_report rep;
    memset(&rep, 0, sizeof(rep));
    act_on(e, &w, now, &budget_kb, memory_moves, &rep);
    if (rep.nactions > 0) {
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
    free(view.node_kb);
    free(view.cpu_share);
    np_numa_maps_clear(&w.mem);
    np_score_clear(&w.score);
    np_proc_clear(&p);
    return r;
}
