/* engine_sample: the sampling side of a cycle (CPU use, node load, the
 * admission rule, memory and policy reads, scoring glue). See
 * engine_internal.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"
#include "pagesample.h"
#include "tasksched.h"

/* Fewer hinting faults than this over a process's threads are too few to
 * say where it accesses memory (the kernel scans 256 MB a period; a
 * process just seen has a handful). */
#define NP_ACCESS_MIN_FAULTS 256
/* ... and for one thread's node (plan.h rule 7). */
#define NP_THREAD_MIN_FAULTS 32
/* A thread using less CPU than this is not bound on its own by rule 7:
 * it follows the process's other threads. */
#define NP_BUSY_THREAD_CPU 0.1

/* Shortest gap over which CPU use is measured: 50 ticks at USER_HZ 100. */
#define NP_MIN_CPU_WINDOW 0.5

/* Re-reads the whole topology when CPUs or nodes went on/offline, else
 * only the memory figures. */
int np_cycle_refresh_topology(struct np_engine *e, bool *ret_changed)
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
double np_cycle_update_cpu_use(struct np_engine *e, struct np_ledger_entry *le,
                               const struct np_proc *p, double now, double uptime)
{
    double use = 0;
    /* The window runs between the instants its stat was read, where the
     * scan knows them, not between the cycles' starts. */
    if (p->read_at > 0)
        now = p->read_at;
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

/* Adds LOAD to the nodes of placement PL, in proportion to their CPUs;
 * false (nothing added) when they have none. */
static bool book_on_placement(const struct np_topology *t, const struct np_ledger_placement *pl,
                              double load, double *node_load)
{
    unsigned ncpus = 0;
    for (unsigned i = 0; i < t->nnodes; i++)
        if (np_nodeset_test(&pl->placed_nodes, (unsigned)t->nodes[i].id))
            ncpus += t->nodes[i].ncpus;
    if (ncpus == 0)
        return false;
    for (unsigned i = 0; i < t->nnodes; i++)
        if (np_nodeset_test(&pl->placed_nodes, (unsigned)t->nodes[i].id))
            node_load[i] += load * t->nodes[i].ncpus / ncpus;
    return true;
}

/* Not numaplaced's own binds (the planner moves those), not a first
 * sight's lifetime average, and not a process younger than
 * planner.confirm_seconds: a pinned job of a moment is no reason to stop
 * waiting for others to come back. */
bool np_cycle_pinned_load_counts(const struct np_engine *e, const struct np_ledger_entry *le,
                                 const struct np_proc *p, double use, double uptime)
{
    if (e->topo->nnodes < 2 || !le || le->managed || !le->cpu_measured || use <= 0.0)
        return false;
    double age = uptime - (double)p->start_time / (double)e->clk_tck;
    return age >= e->cfg->planner.confirm_seconds;
}

/* Adds P's measured CPU USE to PINNED_LOAD at the one node its allowed
 * CPUS lie in, when someone else confined it there: the scheduler cannot
 * take that use off the node, so a process whose memory is there cannot
 * come back to it beside this work (np_plan). */
void np_cycle_book_pinned_load(const struct np_engine *e, const struct np_ledger_entry *le,
                               const struct np_proc *p, const struct np_cpuset *cpus, double use,
                               double uptime, double *pinned_load)
{
    const struct np_topology *t = e->topo;
    if (!np_cycle_pinned_load_counts(e, le, p, use, uptime) || np_cpuset_count(cpus) == 0)
        return;
    for (unsigned i = 0; i < t->nnodes; i++) {
        if (t->nodes[i].ncpus > 0 && np_bits_subset(cpus->w, t->nodes[i].cpus.w, NP_MAX_CPUS)) {
            pinned_load[i] += use;
            return;
        }
    }
}

/* Adds P's CPU use to the node it last ran on; a process we placed counts
 * on the nodes we placed it on, at no less than its use when placed: while
 * its memory migrates it stalls and looks idle, and its node would look
 * free to the next plan (seen in the guest: two busy processes bound to
 * one CPU). */
void np_cycle_book_load(const struct np_topology *t, const struct np_ledger_entry *le,
                        const struct np_proc *p, double use, double *node_load)
{
    if (le->managed && le->placement) {
        const struct np_ledger_placement *pl = le->placement;
        double load = use > pl->placed_cpu_use ? use : pl->placed_cpu_use;
        if (book_on_placement(t, pl, load, node_load))
            return;
    }
    int ni = np_topology_cpu_node(t, p->last_cpu);
    if (ni >= 0)
        node_load[ni] += use;
}

void np_cycle_adjust_measured_load(const struct np_engine *e, const struct np_ledger_entry *le,
                                   const struct np_proc *p, double use, double since,
                                   double *node_load)
{
    const struct np_topology *t = e->topo;
    /* A process whose memory the mover is still copying is not covered by
     * any measurement yet either, and it holds its whole place on the
     * target whatever it used: stalled on pages in flight, or still running
     * elsewhere, its use in the window says nothing about where (seen in
     * the guest: a second hog planned onto a one-CPU node whose first was
     * still being copied there, twice). Nor is one whose copy ended after
     * the window began: the window holds its stalled part (seen in the
     * guest: a second hog bound to the one-CPU node where the first had
     * just finished copying, measured at half a CPU; both then shared it
     * while a node stood idle). Overbooking lasts only the copy and the
     * window after it. */
    if (!le->managed || !le->placement || !(le->placement->settled_at >= since || le->moving))
        return;
    const struct np_ledger_placement *pl = le->placement;
    double missing = le->moving ? pl->placed_cpu_use : pl->placed_cpu_use - use;
    if (missing > 0.0)
        (void)book_on_placement(t, pl, missing, node_load);
}

void np_view_init(struct np_proc_view *v, const struct np_proc *p, double cpu_use)
{
    memset(v, 0, sizeof(*v));
    v->pid = p->pid;
    v->start_time = p->start_time;
    memcpy(v->comm, p->comm, sizeof(v->comm));
    v->mem_kb = p->rss_kb;
    v->cpu_use = cpu_use;
}

void np_view_skip(struct np_proc_view *v, enum np_skip why, enum np_hold hold, const char *detail)
{
    v->state = NP_VIEW_SKIPPED;
    v->skip = why;
    v->hold = hold;
    snprintf(v->detail, sizeof(v->detail), "%s", detail ? detail : "");
}

/* Our own earlier placement must not look like someone else's pin. */
static bool is_our_placement(const struct np_ledger_entry *le, const struct np_proc *p)
{
    return le->managed && le->placement && !le->placement->via_cgroup &&
           np_bits_equal(le->placement->placed_cpus.w, p->cpus_allowed.w, NP_MAX_CPUS);
}

int np_cmp_work(const void *a, const void *b)
{
    const struct candidate_work *const *pa = a, *const *pb = b;
    double ka = (*pa)->view->cpu_use * (double)(*pa)->view->mem_kb;
    double kb = (*pb)->view->cpu_use * (double)(*pb)->view->mem_kb;
    if (ka != kb)
        return ka > kb ? -1 : 1;
    return (*pa)->proc->pid - (*pb)->proc->pid;
}

int np_cycle_read_memory(struct np_engine *e, struct candidate_work *w)
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
        np_release(e, w->le, true);
        size_t len = strlen(detail);
        snprintf(detail + len, detailsz - len, " (set after numaplaced placed it: CPUs given back)");
    }
    return NP_SKIP_MEMPOLICY;
}

static bool refuse(struct np_admission *ret, enum np_skip skip, enum np_hold hold, const char *detail)
{
    ret->skip = skip;
    ret->hold = hold;
    snprintf(ret->detail, sizeof(ret->detail), "%s", detail ? detail : "");
    return false;
}

bool np_admit(struct np_engine *e, struct candidate_work *w, enum np_admit_step step,
              bool manual, bool force, double now, struct np_admission *ret)
{
    const struct np_config *cfg = e->cfg;
    const struct np_proc *p = w->proc;
    struct np_ledger_entry *le = w->le;
    memset(ret, 0, sizeof(*ret));
    enum np_skip why;
    switch (step) {
    case NP_ADMIT_STAT:
        why = np_exclude_cheap(&cfg->exclude, p, e->self_pid);
        if (why == NP_SKIP_NONE && np_engine_runtime_excluded(e, p))
            why = NP_SKIP_RUNTIME_EXCLUDED;
        if (why != NP_SKIP_NONE) {
            np_release(e, le, true);
            return refuse(ret, why, NP_HOLD_NONE, NULL);
        }
        if (le->given_up && !force)
            return refuse(ret, NP_SKIP_NONE, NP_HOLD_GIVEN_UP, le->reason);
        return true;
    case NP_ADMIT_DETAIL:
        if (!manual && p->vm_rss_kb + p->hugetlb_kb < cfg->candidates.min_rss_kb && !le->managed)
            return refuse(ret, NP_SKIP_NONE, NP_HOLD_TOO_SMALL, "too small");
        why = np_exclude_detail(&cfg->exclude, p);
        if (why != NP_SKIP_NONE) {
            np_release(e, le, true);
            return refuse(ret, why, NP_HOLD_NONE, NULL);
        }
        if (cfg->policy.leave_pinned && !force && !is_our_placement(le, p)) {
            why = np_pinned_check(e->root, e->topo, p, NULL, ret->detail, sizeof(ret->detail));
            if (why == NP_SKIP_NONE && !le->managed)
                why = np_pinned_threads_check(e->root, p, ret->detail, sizeof(ret->detail));
            if (why != NP_SKIP_NONE) {
                if (le->managed) {
                    /* Our pin was replaced by someone else's: theirs wins. */
                    np_release(e, le, false);
                    size_t len = strlen(ret->detail);
                    snprintf(ret->detail + len, sizeof(ret->detail) - len,
                             " (re-pinned by someone else; no longer managed)");
                }
                ret->skip = why;
                return false;
            }
        }
        return true;
    case NP_ADMIT_MEMORY: {
        if (force)
            return true;
        int unreadable;
        why = policy_rule(e, w, now, ret->detail, sizeof(ret->detail), &unreadable);
        ret->error = unreadable;
        if (unreadable == -ENOENT || unreadable == -ESRCH)
            return refuse(ret, NP_SKIP_NONE, NP_HOLD_GONE, "exited during the scan");
        if (unreadable < 0) {
            ret->hold = NP_HOLD_UNREADABLE;
            return false;
        }
        ret->skip = why;
        return why == NP_SKIP_NONE;
    }
    }
    return true;
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
 * ago), unless none runs. P's threads are sorted by tid. Returns how
 * many threads used CPU time since then, or 0 when that is not known: at
 * first sight, or when a thread was born or ended since. */
static size_t thread_weights(struct np_ledger_entry *le, const struct np_proc *p, double *weight)
{
    bool first = le->thread_ticks == NULL, any_running = false;
    bool same_threads = !first && le->nthread_ticks == p->nthreads;
    size_t ran = 0;
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
        same_threads &= prev != NULL;
        ran += since > 0;
    }
    struct np_thread_ticks *now = realloc(le->thread_ticks,
                                          (p->nthreads ? p->nthreads : 1) * sizeof(*now));
    if (!now)
        return 0;   /* keeps the old figures: next time's deltas are longer, not wrong */
    for (size_t i = 0; i < p->nthreads; i++) {
        now[i].tid = p->threads[i].tid;
        now[i].ticks = p->threads[i].cpu_ticks;
    }
    le->thread_ticks = now;
    le->nthread_ticks = p->nthreads;
    return same_threads ? ran : 0;
}

/* Takes USE off NODE_LOAD[NODE], not below 0. */
static void take_off(double *node_load, int node, double use)
{
    if (node >= 0)
        node_load[node] = node_load[node] > use ? node_load[node] - use : 0.0;
}

void np_cycle_take_own_use_off(const struct np_engine *e, struct np_ledger_entry *le,
                               struct np_proc *p, double use, double *node_load)
{
    const struct np_topology *t = e->topo;
    double *weight = NULL;
    double total = 0.0;
    struct np_thread *threads = NULL;
    size_t nthreads = 0;
    if (np_sample_threads(e->root, p, NP_MAX_OWN_THREADS, &threads, &nthreads) == 0) {
        np_proc_clear(p);   /* the list frees them with P */
        p->threads = threads;
        p->nthreads = nthreads;
    }
    if (p->nthreads > 0 && (weight = calloc(p->nthreads, sizeof(*weight))) != NULL) {
        (void)thread_weights(le, p, weight);
        for (size_t i = 0; i < p->nthreads; i++)
            total += weight[i];
    }
    if (!node_load) {
        /* Not measured (booked, where our use is no load): the threads'
         * ticks are remembered for the next measured window. */
    } else if (total <= 0.0) {
        take_off(node_load, np_topology_cpu_node(t, p->last_cpu), use);
    } else {
        for (size_t i = 0; i < p->nthreads; i++)
            take_off(node_load, np_topology_cpu_node(t, p->threads[i].last_cpu),
                     use * weight[i] / total);
    }
    free(weight);
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
void np_cycle_rebook_load_by_threads(const struct np_topology *t, const struct candidate_work *w,
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

/* Where W's threads spent their CPU time since it was last scored, from
 * the sampler's evidence, into SHARE: true when there is some. */
static bool evidence_share(const struct np_engine *e, const struct candidate_work *w, double *share)
{
    const struct np_evidence *ev = w->le->evidence;
    return ev && w->le->scored_at > 0 && np_evidence_samples_since(ev, w->le->scored_at) > 0 &&
           np_evidence_share(ev, w->le->scored_at, e->topo->nnodes, share) == 0;
}

/* What EV says of threads against memory on the nodes in fractions FRAC:
 * seconds away without a break, and the share of the last confirm_seconds
 * away (0 while the history is shorter). */
static void evidence_away(const struct np_engine *e, const struct np_evidence *ev,
                          const double *frac, double *away_s, double *away_share)
{
    const struct np_config *cfg = e->cfg;
    *away_s = np_evidence_away_seconds(ev, frac, e->topo->nnodes, cfg->planner.local_enough);
    double share;
    *away_share = np_evidence_away_share(ev, frac, e->topo->nnodes, cfg->planner.confirm_seconds,
                                         &share) == 0 ? share : 0.0;
}

/* After scoring: how long the sampler saw W away from its memory; then
 * W's evidence starts (a candidate not tracked until now starts afresh:
 * old samples would date a stay from before it was watched) and its
 * threads are sampled until a cycle no longer scores it. */
static void track_evidence(struct np_engine *e, struct candidate_work *w, double now)
{
    struct np_ledger_entry *le = w->le;
    const struct np_topology *t = e->topo;
    double any[NP_MAX_NODES];
    /* Samples without any CPU time say nothing (threads the readings never
     * saw run): the cycle-count rule decides then. */
    if (le->evidence && le->tracked && le->evidence->count > 0 && w->score.total_kb > 0 &&
        t->nnodes <= NP_MAX_NODES && np_evidence_share(le->evidence, -1.0, t->nnodes, any) == 0) {
        double frac[NP_MAX_NODES];
        for (unsigned i = 0; i < t->nnodes && i < NP_MAX_NODES; i++)
            frac[i] = (double)w->score.place_kb[i] / (double)w->score.total_kb;   /* or accesses */
        w->have_evidence = true;
        evidence_away(e, le->evidence, frac, &w->away_s, &w->away_share);
        if (!le->evidence->mem_frac)
            le->evidence->mem_frac = calloc(t->nnodes, sizeof(double));
        if (le->evidence->mem_frac)
            memcpy(le->evidence->mem_frac, frac, t->nnodes * sizeof(double));
    }
    if (!le->evidence)
        le->evidence = calloc(1, sizeof(*le->evidence));
    if (!le->evidence)
        return;   /* no evidence: the cycle-count rule decides */
    if (!le->tracked)
        np_evidence_clear(le->evidence);
    if (!le->evidence->have_base)
        (void)np_evidence_add(le->evidence, t, now, w->proc->threads, w->proc->nthreads, 0.0);
    le->tracked = true;
    le->scored_at = now;
}

/* Whether LE's move, held by the last cycle for confirmation, is
 * confirmed by the evidence now: the planner's rule on the memory's
 * fractions of the last scoring. The cycle decides again on fresh data;
 * this only says it need not wait for its time. Without this, a move
 * confirmed a moment after a cycle waited up to an interval (10 s by
 * default) for the next. */
static bool now_confirmed(const struct np_engine *e, const struct np_ledger_entry *le)
{
    const struct np_evidence *ev = le->evidence;
    if (!ev || !ev->mem_frac || ev->nnodes != e->topo->nnodes)
        return false;
    double away_s, away_share;
    evidence_away(e, ev, ev->mem_frac, &away_s, &away_share);
    const struct np_plan_params rule = {
        .confirm_seconds = e->cfg->planner.confirm_seconds,
        .drift_share = e->cfg->planner.drift_share,
        .memory_moves = !e->kernel_moves_pages,
        .coexist_confirm_seconds = e->cfg->planner.coexist_confirm_seconds,
    };
    return np_plan_evidence_confirms(&rule, away_s, away_share, le->confirming_bind_only);
}

int np_engine_sample_threads(struct np_engine *e, double now)
{
    size_t cur = 0, n = 0;
    unsigned max_threads = e->cfg->sampling.max_threads;
    for (struct np_ledger_entry *le; (le = np_ledger_next(e->ledger, &cur));) {
        if (!le->tracked || !le->evidence)
            continue;
        struct np_proc p = {.pid = le->pid, .start_time = le->start_time};
        struct np_thread *threads;
        size_t nthreads;
        if (np_sample_threads(e->root, &p, max_threads, &threads, &nthreads) < 0) {
            le->tracked = false;   /* gone, or its PID reused: the next cycle decides */
            continue;
        }
        /* Three sampler periods: a longer gap is the loop busy (copying). */
        if (np_evidence_add(le->evidence, e->topo, now, threads, nthreads,
                            3.0 * e->cfg->sampling.thread_interval) == 0)
            n++;
        free(threads);
        if (le->confirming && now_confirmed(e, le)) {
            le->confirming = false;   /* asked once; the cycle decides again */
            e->early_cycle = true;
        }
    }
    return (int)n;
}

bool np_engine_take_early_cycle(struct np_engine *e)
{
    bool early = e->early_cycle;
    e->early_cycle = false;
    return early;
}

/* Seen in the guest: three busy processes planned together at the first
 * measured cycle; one had run half of that second on the node the others'
 * binds were about to leave free, beside a moment of other work there, and
 * was refused for CPU room; it moved at the next cycle, an interval (3 s)
 * later, the last of the three by that much. */
bool np_cycle_report_replan_soon(const struct np_cycle_report *rep)
{
    if (!rep || rep->paused)
        return false;
    bool acted = false, no_room = false;
    for (size_t i = 0; i < rep->nviews; i++) {
        const struct np_proc_view *v = &rep->views[i];
        acted |= v->acted && v->act_class == NP_ACT_OK;
        no_room |= v->decided && v->decision.reason == NP_REASON_NO_ROOM;
    }
    return acted && no_room;
}

/* Where W's threads access memory, from the kernel's per-task hinting
 * faults (task/TID/sched): FAULT_SHARE per node index (sums to 1).
 * -ENODATA when there are too few faults (or none printed), else -errno. */
static int read_access(const struct np_engine *e, const struct candidate_work *w,
                       double *fault_share, uint64_t *ret_faults, int *thread_access,
                       double *joint)
{
    const struct np_topology *t = e->topo;
    struct np_task_numa *tn = malloc(sizeof(*tn));
    if (!tn)
        return -ENOMEM;
    double total = 0.0;
    for (unsigned i = 0; i < t->nnodes; i++)
        fault_share[i] = 0.0;
    size_t limit = e->cfg->sampling.max_threads;
    for (size_t k = 0; k < w->proc->nthreads && k < limit; k++) {
        const struct np_thread *th = &w->proc->threads[k];
        if (np_task_numa_read(e->root, w->proc->pid, th->tid, tn) < 0)
            continue;   /* exited, or no NUMA fields: it adds nothing */
        double most = 0.0, mine = 0.0;
        int ran = np_topology_cpu_node(t, th->last_cpu);
        for (unsigned node = 0; node < tn->nnodes && node < NP_MAX_NODES; node++) {
            double f = (double)tn->faults_private[node] + (double)tn->faults_shared[node];
            int idx = np_topology_index(t, (int)node);
            if (f <= 0.0 || idx < 0)
                continue;
            fault_share[idx] += f;
            total += f;
            mine += f;
            if (joint && ran >= 0)
                joint[(size_t)ran * t->nnodes + (unsigned)idx] += f;
            if (thread_access && f > most) {
                most = f;
                thread_access[k] = idx;
            }
        }
        /* A handful of faults says little about one thread. */
        if (thread_access && mine < NP_THREAD_MIN_FAULTS)
            thread_access[k] = -1;
    }
    free(tn);
    if (total < NP_ACCESS_MIN_FAULTS)
        return -ENODATA;
    for (unsigned i = 0; i < t->nnodes; i++)
        fault_share[i] /= total;
    if (joint) {
        /* Threads on an unknown CPU add to the shares, not here. */
        double in_joint = 0.0;
        for (size_t k = 0; k < (size_t)t->nnodes * t->nnodes; k++)
            in_joint += joint[k];
        for (size_t k = 0; in_joint > 0.0 && k < (size_t)t->nnodes * t->nnodes; k++)
            joint[k] /= in_joint;
    }
    *ret_faults = (uint64_t)total;
    return 0;
}

/* W's busy threads for plan.h rule 7: each one's share of the process's
 * CPU use (WEIGHT: its ticks since the last cycle), the node it ran on
 * last and the node whose memory it accesses most (ACCESS, -1 unknown).
 * None when it has fewer than two, or more than rule 7 binds. */
static void busy_threads(const struct np_engine *e, struct candidate_work *w,
                         const double *weight, const int *access)
{
    const struct np_proc *p = w->proc;
    double total = 0.0;
    for (size_t k = 0; k < p->nthreads; k++)
        total += weight[k];
    if (!(total > 0.0))
        return;
    size_t n = 0;
    for (size_t k = 0; k < p->nthreads; k++)
        n += weight[k] / total * w->view->cpu_use >= NP_BUSY_THREAD_CPU;
    if (n < 2 || n > NP_PLAN_MAX_THREAD_BINDS)
        return;
    w->threads = calloc(n, sizeof(*w->threads));
    if (!w->threads)
        return;
    for (size_t k = 0; k < p->nthreads; k++) {
        double use = weight[k] / total * w->view->cpu_use;
        if (use < NP_BUSY_THREAD_CPU)
            continue;
        struct np_thread_use *u = &w->threads[w->nthreads++];
        u->tid = p->threads[k].tid;
        u->cpu_use = use;
        u->run_node = np_topology_cpu_node(e->topo, p->threads[k].last_cpu);
        u->access_node = k < e->cfg->sampling.max_threads ? access[k] : -1;
    }
}

int np_cycle_score(struct np_engine *e, struct candidate_work *w, double now)
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
    size_t ran = thread_weights(w->le, w->proc, weight);
    /* A thread runs on one CPU at a time. More than one CPU per thread that
     * ran is a measuring error: tick rounding, or under a fixture root the
     * cycles' clock standing in for the instants its stat was read (before
     * reads were stamped, a one-thread hog read 1.05 CPU over an early
     * cycle's second in the guest, fitted no one-CPU node, and had its 200
     * MiB copied over two nodes where a bind home was the answer). Only
     * with the same threads as at its last scoring: a thread that ended
     * meanwhile left its CPU time in the process's. */
    if (ran > 0 && w->view->cpu_use > (double)ran)
        w->view->cpu_use = (double)ran;
    int r = 0;
    if (!evidence_share(e, w, share)) {
        r = np_score_cpu_share(t, w->proc->threads, w->proc->nthreads, weight, share);
        if (r < 0 && r != -ENODATA)
            goto out;
    }
    r = np_score_compute(t, &w->mem, share, w->view->cpu_use, &w->score);
    if (r < 0)
        goto out;
    w->have_score = true;
    /* Hugetlb pages take no hinting faults (balancing skips them): a
     * process with any is judged by residency alone. */
    if (e->kernel_moves_pages && !np_numa_maps_has_hugetlb(&w->mem)) {
        uint64_t faults;
        int *access = malloc((w->proc->nthreads ? w->proc->nthreads : 1) * sizeof(int));
        for (size_t k = 0; access && k < w->proc->nthreads; k++)
            access[k] = -1;
        /* Threads we placed apart cannot wander: each one's accesses count
         * from its own node (its last CPU is where it is bound). */
        double *joint = np_placed_apart(w->le) ? calloc((size_t)t->nnodes * t->nnodes, sizeof(double)) : NULL;
        /* share is free again: the score has its own copy. */
        if (read_access(e, w, share, &faults, access, joint) == 0) {
            if (!joint || np_score_use_access_joint(t, joint, faults, &w->score) < 0)
                (void)np_score_use_access(t, share, faults, &w->score);
        }
        free(joint);
        if (access)
            busy_threads(e, w, weight, access);
        free(access);
    }
    count_remote_finding(e, w);
    track_evidence(e, w, now);
    struct np_proc_view *v = w->view;
    v->scored = true;
    v->locality = w->score.locality;
    v->resident_locality = w->score.resident_locality;
    v->access_used = w->score.access_used;
    v->access_locality = w->score.access_locality;
    v->access_faults = w->score.access_faults;
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
