/* service: what the daemon does on its loop, apart from main's set-up and
 * the control socket: the placement cycle and its schedule, the thread
 * sampler, the memory movers, the watchdog, reloads and mode switches.
 * The control verbs call these (rescan, reload, pause, dry-run); nothing
 * here calls back into the control socket or main. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "parse.h"

double daemon_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int daemon_load_config(const struct options *o, struct np_config *ret, char *err, size_t errsz)
{
    const char *path = o->config_path ? o->config_path : NP_DEFAULT_CONFIG;
    int r = np_config_load(path, ret, err, errsz);
    if (r == -ENOENT && !o->config_path) {
        np_config_defaults(ret);
        log_info("%s not found, using built-in defaults", path);
        r = 0;
    }
    if (r < 0)
        return r;
    if (o->interval > 0)
        ret->interval = o->interval;
    if (o->dry_run)
        ret->dry_run = true;
    return 0;
}

static void notify_status(struct daemon *d, const struct np_cycle_report *rep)
{
    const struct np_totals *tot = np_engine_totals(d->engine);
    char status[256];
    snprintf(status, sizeof(status),
             "STATUS=%s%zu busy, %zu scored, %llu moves, %.0f MiB migrated, last cycle %.1f ms CPU",
             d->cfg.dry_run ? "dry-run: " : "", rep->nbusy, rep->ncandidates,
             (unsigned long long)tot->moves, (double)tot->moved_kb / 1024.0, rep->cpu_ms);
    if (!d->ready_sent) {
        sd_notifyf(0, "READY=1\n%s", status);
        d->ready_sent = true;
    } else {
        sd_notify(0, status);
    }
}

/* Debug: each scored process's inputs and decision, so a surprising move
 * (or a missing one) can be traced to the CPU share and memory it saw. */
/* Appends to BUF (SIZE bytes, LEN used so far); output past the end is cut. */
static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len = *len + (size_t)w < size ? *len + (size_t)w : size;
}

static void log_decisions(struct daemon *d, const struct np_cycle_report *rep)
{
    const struct np_topology *t = np_engine_topology(d->engine);
    /* What the planner saw as each node's CPU load, which decides whether
     * a process can be bound where its memory is. */
    unsigned nload = 0;
    const double *load = np_engine_node_load(d->engine, &nload);
    if (load && nload == t->nnodes) {
        char loads[256] = "";
        size_t len = 0;
        for (unsigned n = 0; n < nload; n++)
            appendf(loads, sizeof(loads), &len, "%s%d:%.2f/%u", n ? " " : "", t->nodes[n].id,
                    load[n], t->nodes[n].ncpus);
        log_debug("node:CPU load/CPUs %s", loads);
    }
    for (size_t i = 0; i < rep->nviews; i++) {
        const struct np_proc_view *v = &rep->views[i];
        if (!v->scored || !v->decided || !v->node_kb || !v->cpu_share)
            continue;
        char nodes[256] = "";
        size_t len = 0;
        for (unsigned n = 0; n < t->nnodes; n++)
            appendf(nodes, sizeof(nodes), &len, "%s%d:%.0fMiB/%.2f", n ? " " : "", t->nodes[n].id,
                    (double)v->node_kb[n] / 1024.0, v->cpu_share[n]);
        log_debug("pid %d (%s): cpu %.2f, node:mem/cpu-share %s, local %.1f%%: %s (%s)", v->pid,
                  v->comm, v->cpu_use, nodes, v->locality * 100.0, np_reason_name(v->decision.reason),
                  v->decision.why);
    }
}

static void log_actions(const struct np_cycle_report *rep)
{
    for (size_t i = 0; i < rep->nactions; i++) {
        log_action(&rep->actions[i], NULL);
    }
}

static void log_cycle(struct daemon *d, const struct np_cycle_report *rep)
{
    if (rep->topology_changed)
        log_notice("CPU or node set changed: topology re-read, %u nodes", rep->nnodes);
    if (rep->cgroup_unwritable)
        log_warning("cgroup tree not writable (%s): placing processes by thread affinity instead of "
                    "their cgroup's cpuset until the next reload", strerror(-rep->cgroup_unwritable));
    log_actions(rep);
    for (size_t i = 0; i < rep->nviews; i++)
        if (rep->views[i].state == NP_VIEW_GIVEN_UP && rep->views[i].acted)
            log_given_up(&rep->views[i]);
    if (d->opt.verbose)
        log_decisions(d, rep);
    log_debug("cycle: %zu scanned (%zu idle ones unread), %zu busy, %zu scored, %.1f ms CPU, "
              "%.1f ms wall", rep->nscanned, rep->nunread, rep->nbusy, rep->ncandidates, rep->cpu_ms,
              rep->wall_ms);
}

/* SECONDS (not negative) as libevent's timeout. */
static struct timeval timeval_of(double seconds)
{
    return (struct timeval){.tv_sec = (time_t)seconds,
                            .tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6)};
}

/* The next cycle SECONDS from now. */
static int schedule_cycle_in(struct daemon *d, double seconds)
{
    struct timeval tv = timeval_of(seconds);
    event_del(d->cycle_timer);
    /* Without the timer no cycle runs again: the watchdog pings stop two
     * intervals later (on_watchdog) and systemd restarts the daemon. */
    if (evtimer_add(d->cycle_timer, &tv) < 0)
        return log_errno(-ENOMEM, "cannot schedule the next placement cycle");
    return 0;
}

int daemon_schedule_cycle(struct daemon *d)
{
    return schedule_cycle_in(d, d->cfg.interval);
}

/* takeover: kernel balancing would fight our moves, so it is off while we
 * run: at start, and again when a cycle sees someone turned it back on.
 * The value put back at exit is the first one taken over. */
void daemon_balancing_takeover(struct daemon *d)
{
    if (d->cfg.policy.numa_balancing != NP_NB_TAKEOVER || !d->root.is_live || d->cfg.dry_run)
        return;
    char buf[16];
    long mode;
    if (np_read_file(&d->root, "proc/sys/kernel/numa_balancing", buf, sizeof(buf)) < 0 ||
        np_parse_long_range(strtok(buf, "\n") ? buf : "", 0, 3, &mode) < 0 || mode == 0)
        return;
    int r = np_write_file(&d->root, "proc/sys/kernel/numa_balancing", "0");
    if (r < 0) {
        log_errno(r, "policy takeover: cannot turn kernel.numa_balancing off");
        return;
    }
    if (d->saved_numa_balancing < 0)
        d->saved_numa_balancing = (int)mode;
    log_notice("policy takeover: kernel.numa_balancing %ld -> 0 while numaplaced runs", mode);
}

void daemon_balancing_restore(struct daemon *d)
{
    if (d->saved_numa_balancing < 0)
        return;
    char val[16];
    snprintf(val, sizeof(val), "%d", d->saved_numa_balancing);
    int r = np_write_file(&d->root, "proc/sys/kernel/numa_balancing", val);
    if (r < 0)
        log_errno(r, "cannot restore kernel.numa_balancing to %s", val);
}

/* A change of kernel.numa_balancing while running is seen by the next
 * cycle (each reads it), logged once here, and the policy follows: coexist
 * by itself (the cycle's memory_moves), takeover by turning it off again.
 * The first cycle only logs it: start-up took over already. */
static void follow_numa_balancing(struct daemon *d, const struct np_cycle_report *rep)
{
    if (rep->numa_balancing == d->last_numa_balancing)
        return;
    if (rep->numa_balancing > 0)
        log_notice("kernel.numa_balancing is %d: %s", rep->numa_balancing,
                   rep->memory_moves ? "numaplaced moves memory itself (policy takeover)"
                                     : "placing CPUs and hugetlb memory, the kernel moves other pages (policy coexist)");
    else if (rep->numa_balancing == 0 && d->last_numa_balancing > 0)
        log_notice("kernel.numa_balancing is 0: numaplaced moves memory itself");
    bool running = d->last_numa_balancing != -2;
    d->last_numa_balancing = rep->numa_balancing;
    if (running && rep->numa_balancing > 0)
        daemon_balancing_takeover(d);
}

/* While its movers copy, the loop (cycles, the thread sampler, the control
 * socket) runs at their nice value when that is below its own: a mover
 * copies at -10 on its target's CPUs, and the loop on such a CPU at 0 got
 * about a tenth of it. Seen in the guest while three copies ran: a cycle
 * of 95 ms CPU took 360 ms, and a control request waits for the cycle it
 * lands in. Between copies it keeps its own value: at -10 for good, its
 * scans would preempt the host's work every cycle for nothing. Called
 * when the first copy of a spell is queued (the mover's busy hook: the
 * cycle that queued it goes on, and with the movers copying at once it
 * took 2-4 times its CPU time), when moves are collected (their last
 * one ends the spell) and at a reload. */
static void follow_movers_nice(struct daemon *d)
{
    if (!d->mover)
        return;
    int want = d->loop_nice;
    if (np_mover_in_flight(d->mover) > 0 && d->cfg.actuator.mover_nice < want)
        want = d->cfg.actuator.mover_nice;
    if (want == d->loop_nice_now)
        return;
    d->loop_nice_now = want;   /* a failure is not retried until the value changes */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), want) < 0 && !d->loop_nice_reported) {
        d->loop_nice_reported = true;
        log_errno(-errno, "the event loop cannot take nice %d while memory moves (CAP_SYS_NICE?): "
                  "its cycles and answers may wait behind its own movers", want);
    }
}

int daemon_run_cycle(struct daemon *d)
{
    struct np_cycle_report rep;
    int r = np_engine_cycle(d->engine, daemon_now(), &rep);
    if (r < 0) {
        log_errno(r, "placement cycle failed");
        return r;
    }
    d->last_cycle_at = daemon_now();
    follow_numa_balancing(d, &rep);
    log_cycle(d, &rep);
    notify_status(d, &rep);
    if (d->have_last)
        np_cycle_report_clear(&d->last);
    d->last = rep;
    d->have_last = true;
    return 0;
}

/* The first cycle only takes readings: CPU use is a difference of two.
 * The second, the first that can place anything, comes one sampler period
 * later (the period the sampler itself measures CPU time over) instead of
 * a whole interval: beside the kernel's balancing each second before the
 * first bind is a second of the kernel chasing tasks (seen in the guest:
 * about 50,000 pages a second in the first seconds, five busy processes
 * on four one-CPU nodes), and a process with nothing to come back to can
 * move at once. Without the sampler, a whole interval. */
static double first_measure_wait(const struct daemon *d)
{
    double s = d->cfg.sampling.thread_interval;
    return s > 0.0 && s < d->cfg.interval ? s : d->cfg.interval;
}

/* A cycle that placed something and refused another for CPU room
 * (np_cycle_report_replan_soon) is followed by one a sampler period later,
 * on load measured after its binds; that one is never followed so, so a
 * refusal that holds costs one extra cycle, not cycles back to back. */
static void on_cycle(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    bool first = !d->ran_first, was_replan = d->replanning;
    d->ran_first = true;
    d->ran_early = false;
    d->replanning = false;
    int r = daemon_run_cycle(d);
    double next = d->cfg.interval;
    if (first) {
        next = first_measure_wait(d);
    } else if (r == 0 && !was_replan && np_cycle_report_replan_soon(&d->last) &&
               first_measure_wait(d) < d->cfg.interval) {
        d->replanning = true;
        next = first_measure_wait(d);
        log_debug("placed some and found no CPU room for another: next cycle in %.1f s", next);
    }
    (void)schedule_cycle_in(d, next);
}

/* Between cycles: where the candidates' threads run (see evidence.h).
 * When that confirms a move the last cycle held, the next cycle runs now
 * rather than up to an interval later; at most once between two timed
 * cycles, so a move that stays unconfirmed on fresh data cannot make
 * cycles back to back. */
static void on_sample(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    (void)np_engine_sample_threads(d->engine, daemon_now());
    if (np_engine_take_early_cycle(d->engine) && !d->ran_early) {
        d->ran_early = true;
        log_debug("the thread sampler confirmed a waiting move: cycle now");
        (void)daemon_run_cycle(d);
        (void)daemon_schedule_cycle(d);
    }
}

/* (Re)arms the thread sampler at sampling.thread_interval; 0 stops it. */
static int schedule_sampler(struct daemon *d)
{
    if (d->sample_timer)
        event_del(d->sample_timer);
    double s = d->cfg.sampling.thread_interval;
    if (!(s > 0.0))
        return 0;
    if (!d->sample_timer)
        d->sample_timer = event_new(d->base, -1, EV_PERSIST, on_sample, d);
    struct timeval tv = timeval_of(s);
    if (!d->sample_timer || evtimer_add(d->sample_timer, &tv) < 0)
        return log_errno(-ENOMEM, "cannot start the thread sampler: moves confirm by cycles instead");
    return 0;
}

/* The mover finished some moves: record and log them on the loop. */
static void on_moves_done(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    struct np_cycle_report rep;
    if (np_engine_collect_moves(d->engine, daemon_now(), &rep) > 0)
        log_actions(&rep);
    np_cycle_report_clear(&rep);
    follow_movers_nice(d);
    int r = np_mover_nice_error(d->mover);
    if (r < 0 && !d->mover_nice_reported) {
        d->mover_nice_reported = true;
        log_errno(r, "the memory movers cannot take nice %d (CAP_SYS_NICE?): copying at their "
                  "default priority", d->cfg.actuator.mover_nice);
    }
}

/* The movers' rates and nice value from the configuration (start, reload). */
static void configure_mover(struct daemon *d)
{
    (void)np_mover_set_rate(d->mover, d->cfg.actuator.migrate_mb_per_s);
    (void)np_mover_set_node_rate(d->mover, d->cfg.actuator.node_migrate_mb_per_s);
    (void)np_mover_set_nice(d->mover, d->cfg.actuator.mover_nice);
    d->mover_nice_reported = false;
    follow_movers_nice(d);
}

/* A mover call running longer than this is stuck (a 10 GiB copy takes
 * ~3 s on real hardware, a 300 MiB one up to ~25 s in a TCG guest). */
#define NP_MOVER_STUCK_SECONDS 120.0

/* Alive means the loop ran a cycle within two intervals and no mover is
 * stuck in one kernel call: otherwise the pings stop and systemd restarts
 * the daemon. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    double now = daemon_now();
    double stuck = d->mover ? np_mover_longest_call(d->mover, np_monotonic_ns()) : 0.0;
    bool cycling = d->last_cycle_at == 0.0 || now - d->last_cycle_at <= 2 * d->cfg.interval + 1.0;
    if (stuck > NP_MOVER_STUCK_SECONDS) {
        log_error("a memory move has been in one kernel call for %.0f s: no watchdog ping", stuck);
        return;
    }
    if (!cycling) {
        log_error("no placement cycle for %.0f s: no watchdog ping", now - d->last_cycle_at);
        return;
    }
    sd_notify(0, "WATCHDOG=1");
}

/* The mover's busy hook: the first copy of a spell is being queued. */
static void on_movers_busy(void *arg)
{
    follow_movers_nice(arg);
}

/* One mover thread per node unless actuator.movers says otherwise. */
static int start_mover(struct daemon *d)
{
    if (!d->act.ops)
        return 0;
    unsigned n = d->cfg.actuator.movers;
    if (n == 0)
        n = np_engine_topology(d->engine)->nnodes;
    if (n == 0)
        n = 1;
    if (n > NP_MOVER_MAX_WORKERS)
        n = NP_MOVER_MAX_WORKERS;
    /* The loop's own nice value, to return to between copies. */
    errno = 0;
    d->loop_nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (errno)
        d->loop_nice = 0;
    d->loop_nice_now = d->loop_nice;
    int r = np_mover_new(&d->act, &d->root, n, true, &d->mover);
    if (r < 0)
        return log_errno(r, "cannot start the memory movers: copying on the event loop");
    np_mover_set_busy_hook(d->mover, on_movers_busy, d);
    d->moves_done = event_new(d->base, np_mover_fd(d->mover), EV_READ | EV_PERSIST, on_moves_done, d);
    if (!d->moves_done || event_add(d->moves_done, NULL) < 0) {
        np_mover_free(d->mover);
        d->mover = NULL;
        return log_errno(-ENOMEM, "cannot watch the memory movers: copying on the event loop");
    }
    np_engine_set_mover(d->engine, d->mover);
    configure_mover(d);
    if (d->cfg.actuator.node_migrate_mb_per_s > 0)
        log_info("%u memory mover thread%s (nice %d), copying at most %.0f MiB/s together, %.0f MiB/s into any one node",
                 n, n == 1 ? "" : "s", d->cfg.actuator.mover_nice, d->cfg.actuator.migrate_mb_per_s,
                 d->cfg.actuator.node_migrate_mb_per_s);
    else
        log_info("%u memory mover thread%s (nice %d), copying at most %.0f MiB/s together", n,
                 n == 1 ? "" : "s", d->cfg.actuator.mover_nice, d->cfg.actuator.migrate_mb_per_s);
    return 0;
}

/* Stopping: moves in flight stop at their next batch and their processes
 * get their original affinity back (nothing stays half-moved); then the
 * movers end. */
void daemon_stop_services(struct daemon *d)
{
    if (!d->mover)
        return;
    int n = np_engine_cancel_move(d->engine, 0);
    for (int waited = 0; np_mover_in_flight(d->mover) > 0 && waited < 3000; waited++)
        usleep(10000);
    struct np_cycle_report rep;
    if (np_engine_collect_moves(d->engine, daemon_now(), &rep) > 0)
        log_actions(&rep);
    np_cycle_report_clear(&rep);
    if (n > 0)
        log_info("stopped %d memory move%s in flight", n, n == 1 ? "" : "s");
    np_engine_set_mover(d->engine, NULL);
    np_mover_free(d->mover);
    d->mover = NULL;
}

void daemon_apply_mode(struct daemon *d)
{
    bool real = d->act.ops && !d->cfg.dry_run;
    np_engine_set_actuator(d->engine, real ? &d->act : &d->recorder);
    np_engine_set_changes_real(d->engine, real);
}

int daemon_reload(struct daemon *d, char *err, size_t errsz)
{
    struct np_config fresh;
    int r = daemon_load_config(&d->opt, &fresh, err, errsz);
    if (r < 0) {
        log_error("%s", err);
        log_error("configuration not reloaded: keeping the running one and every placement");
        return r;
    }
    /* Swap only after success, then free the old copy. */
    struct np_config old = d->cfg;
    d->cfg = fresh;
    np_engine_set_config(d->engine, &d->cfg);
    if (d->mover)
        configure_mover(d);
    daemon_apply_mode(d);
    np_config_free(&old);
    (void)daemon_schedule_cycle(d);
    (void)schedule_sampler(d);
    log_info("configuration reloaded: interval %.1f s%s", d->cfg.interval,
             d->cfg.dry_run ? ", dry-run" : "");
    return 0;
}

int daemon_start_services(struct daemon *d)
{
    d->cycle_timer = evtimer_new(d->base, on_cycle, d);
    if (!d->cycle_timer)
        return log_errno(-ENOMEM, "cannot create the cycle timer");
    if (sd_watchdog_enabled(0, &d->watchdog_usec) > 0 && d->watchdog_usec > 0) {
        /* Pinged from the loop itself: a hung cycle stops the pings. */
        d->watchdog_timer = event_new(d->base, -1, EV_PERSIST, on_watchdog, d);
        uint64_t half = d->watchdog_usec / 2;
        struct timeval tv = {.tv_sec = (time_t)(half / 1000000), .tv_usec = (suseconds_t)(half % 1000000)};
        if (!d->watchdog_timer || evtimer_add(d->watchdog_timer, &tv) < 0)
            return log_errno(-ENOMEM, "cannot start the watchdog timer");
    }
    (void)schedule_sampler(d);
    (void)start_mover(d);
    /* The first cycle runs at once; READY=1 follows it. */
    struct timeval zero = {0, 0};
    if (evtimer_add(d->cycle_timer, &zero) < 0)
        return log_errno(-ENOMEM, "cannot schedule the first placement cycle");
    return 0;
}
