/* numaplaced: wires lib/'s pipeline to a libevent loop, signals, the
 * configuration file and systemd. All placement logic lives in lib/. */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "act.h"
#include "config.h"
#include "engine.h"
#include "fsroot.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "parse.h"

double daemon_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: numaplaced [OPTIONS]\n"
            "Moves processes' threads and memory onto the same NUMA node.\n\n"
            "  -f, --foreground         do not detach; log to stderr unless under systemd\n"
            "  -c, --config FILE        configuration file (default " NP_DEFAULT_CONFIG ")\n"
            "  -i, --interval SECONDS   seconds between cycles (overrides the config)\n"
            "      --dry-run            plan and log, change nothing\n"
            "      --once               run one cycle, print ranked processes and decisions, exit\n"
            "      --sysroot DIR        read /proc and /sys under DIR; actions are only recorded\n"
            "      --socket PATH        control socket (default: control.socket of the config)\n"
            "      --metrics-port N     serve OpenMetrics on http://127.0.0.1:N/metrics (default off)\n"
            "      --check-config[=FILE] validate the configuration and exit\n"
            "  -v, --verbose            log debug messages; --once also lists small processes\n"
            "      --version            print the version and exit\n"
            "  -h, --help               print this help and exit\n");
}

/* Returns 0 to run, 1 to exit successfully, -EINVAL on a usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_DRY_RUN = 256, OPT_ONCE, OPT_SYSROOT, OPT_CHECK, OPT_VERSION, OPT_SOCKET, OPT_METRICS_PORT };
    static const struct option longopts[] = {
        {"foreground", no_argument, NULL, 'f'},
        {"config", required_argument, NULL, 'c'},
        {"interval", required_argument, NULL, 'i'},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"once", no_argument, NULL, OPT_ONCE},
        {"sysroot", required_argument, NULL, OPT_SYSROOT},
        {"check-config", optional_argument, NULL, OPT_CHECK},
        {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"metrics-port", required_argument, NULL, OPT_METRICS_PORT},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    int c;
    memset(o, 0, sizeof(*o));
    while ((c = getopt_long(argc, argv, "fc:i:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': o->foreground = true; break;
        case 'c': o->config_path = optarg; break;
        case 'i':
            if (np_parse_double_range(optarg, 1, 3600, &o->interval) < 0) {
                fprintf(stderr, "numaplaced: --interval: '%s' is not a number of seconds in 1..3600\n", optarg);
                return -EINVAL;
            }
            break;
        case OPT_DRY_RUN: o->dry_run = true; break;
        case OPT_ONCE: o->once = true; break;
        case OPT_SYSROOT: o->sysroot = optarg; break;
        case OPT_SOCKET: o->socket_path = optarg; break;
        case OPT_METRICS_PORT: {
            long port;
            if (np_parse_long_range(optarg, 1, 65535, &port) < 0) {
                fprintf(stderr, "numaplaced: --metrics-port: '%s' is not a port in 1..65535\n", optarg);
                return -EINVAL;
            }
            o->metrics_port = (int)port;
            break;
        }
        case OPT_CHECK:
            o->check_config = true;
            if (optarg)
                o->config_path = optarg;
            break;
        case 'v': o->verbose = true; break;
        case OPT_VERSION: printf("numaplaced %s\n", NP_VERSION); return 1;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return -EINVAL;
        }
    }
    if (o->check_config && optind < argc && !o->config_path)
        o->config_path = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "numaplaced: unexpected argument '%s'\n", argv[optind]);
        return -EINVAL;
    }
    return 0;
}

/* A missing default file means built-in defaults; a missing -c file is an
 * error. On error ERR holds "file:line: message" for the caller to log. */
static int load_config(const struct options *o, struct np_config *ret, char *err, size_t errsz)
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
    if (rep->numa_balancing != d->last_numa_balancing) {
        if (rep->numa_balancing > 0)
            log_notice("kernel.numa_balancing is %d: %s", rep->numa_balancing,
                       rep->memory_moves ? "numaplaced moves memory itself (policy takeover)"
                                         : "placing CPUs and hugetlb memory, the kernel moves other pages (policy coexist)");
        d->last_numa_balancing = rep->numa_balancing;
    }
    log_actions(rep);
    for (size_t i = 0; i < rep->nviews; i++)
        if (rep->views[i].state == NP_VIEW_GIVEN_UP && rep->views[i].acted)
            log_given_up(&rep->views[i]);
    if (d->opt.verbose)
        log_decisions(d, rep);
    log_debug("cycle: %zu scanned, %zu busy, %zu scored, %.1f ms CPU, %.1f ms wall",
              rep->nscanned, rep->nbusy, rep->ncandidates, rep->cpu_ms, rep->wall_ms);
}

int daemon_schedule_cycle(struct daemon *d)
{
    struct timeval tv = {.tv_sec = (time_t)d->cfg.interval,
                         .tv_usec = (suseconds_t)((d->cfg.interval - (double)(time_t)d->cfg.interval) * 1e6)};
    event_del(d->cycle_timer);
    /* Without the timer no cycle runs again: the watchdog pings stop two
     * intervals later (on_watchdog) and systemd restarts the daemon. */
    if (evtimer_add(d->cycle_timer, &tv) < 0)
        return log_errno(-ENOMEM, "cannot schedule the next placement cycle");
    return 0;
}

void daemon_run_cycle(struct daemon *d)
{
    struct np_cycle_report rep;
    int r = np_engine_cycle(d->engine, daemon_now(), &rep);
    if (r < 0) {
        log_errno(r, "placement cycle failed");
        return;
    }
    d->last_cycle_at = daemon_now();
    log_cycle(d, &rep);
    notify_status(d, &rep);
    if (d->have_last)
        np_cycle_report_clear(&d->last);
    d->last = rep;
    d->have_last = true;
}

static void on_cycle(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    daemon_run_cycle(d);
    (void)daemon_schedule_cycle(d);
}

/* Between cycles: where the candidates' threads run (see evidence.h). */
static void on_sample(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    (void)np_engine_sample_threads(d->engine, daemon_now());
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
    struct timeval tv = {.tv_sec = (time_t)s, .tv_usec = (suseconds_t)((s - (double)(time_t)s) * 1e6)};
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
    int r = np_mover_new(&d->act, &d->root, n, true, &d->mover);
    if (r < 0)
        return log_errno(r, "cannot start the memory movers: copying on the event loop");
    d->moves_done = event_new(d->base, np_mover_fd(d->mover), EV_READ | EV_PERSIST, on_moves_done, d);
    if (!d->moves_done || event_add(d->moves_done, NULL) < 0) {
        np_mover_free(d->mover);
        d->mover = NULL;
        return log_errno(-ENOMEM, "cannot watch the memory movers: copying on the event loop");
    }
    np_engine_set_mover(d->engine, d->mover);
    (void)np_mover_set_rate(d->mover, d->cfg.actuator.migrate_mb_per_s);
    log_info("%u memory mover thread%s, copying at most %.0f MiB/s together", n, n == 1 ? "" : "s",
             d->cfg.actuator.migrate_mb_per_s);
    return 0;
}

/* Stopping: moves in flight stop at their next batch and their processes
 * get their original affinity back (nothing stays half-moved); then the
 * movers end. */
static void stop_mover(struct daemon *d)
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
    int r = load_config(&d->opt, &fresh, err, errsz);
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
        (void)np_mover_set_rate(d->mover, d->cfg.actuator.migrate_mb_per_s);
    daemon_apply_mode(d);
    np_config_free(&old);
    (void)daemon_schedule_cycle(d);
    (void)schedule_sampler(d);
    log_info("configuration reloaded: interval %.1f s%s", d->cfg.interval,
             d->cfg.dry_run ? ", dry-run" : "");
    return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct daemon *d = arg;
    if (sig == SIGHUP) {
        char err[512];
        log_info("SIGHUP: reloading configuration");
        (void)daemon_reload(d, err, sizeof(err));
        return;
    }
    log_info("%s: exiting", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    event_base_loopbreak(d->base);
}

/* takeover: kernel balancing would fight our moves, so it is off while we run. */
static void numa_balancing_takeover(struct daemon *d)
{
    d->saved_numa_balancing = -1;
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
    d->saved_numa_balancing = (int)mode;
    log_notice("policy takeover: kernel.numa_balancing %ld -> 0 while numaplaced runs", mode);
}

static void numa_balancing_restore(struct daemon *d)
{
    if (d->saved_numa_balancing < 0)
        return;
    char val[16];
    snprintf(val, sizeof(val), "%d", d->saved_numa_balancing);
    int r = np_write_file(&d->root, "proc/sys/kernel/numa_balancing", val);
    if (r < 0)
        log_errno(r, "cannot restore kernel.numa_balancing to %s", val);
}

static int run_once(struct daemon *d)
{
    struct np_cycle_report rep;
    int r = np_engine_cycle(d->engine, daemon_now(), &rep);
    if (r < 0)
        return log_errno(r, "placement cycle failed");
    np_cycle_report_print(stdout, d->engine, &rep, d->opt.verbose);
    {
        const char *rec = np_actuator_recording_log(&d->recorder);
        if (rec && *rec)
            printf("recorded actuator calls:\n%s", rec);
    }
    np_cycle_report_clear(&rep);
    return 0;
}

static int run_loop(struct daemon *d)
{
    d->base = event_base_new();
    if (!d->base)
        return log_errno(-ENOMEM, "cannot create the event loop");
    d->cycle_timer = evtimer_new(d->base, on_cycle, d);
    d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
    d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
    d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
    if (!d->cycle_timer || !d->sig_term || !d->sig_int || !d->sig_hup)
        return log_errno(-ENOMEM, "cannot create events");
    if (evsignal_add(d->sig_term, NULL) < 0 || evsignal_add(d->sig_int, NULL) < 0 ||
        evsignal_add(d->sig_hup, NULL) < 0)
        return log_errno(-ENOMEM, "cannot watch SIGTERM, SIGINT and SIGHUP");
    if (control_start(d, d->opt.metrics_port) < 0)
        return -EINVAL;
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
    log_info("numaplaced %s started: interval %.1f s%s%s", NP_VERSION, d->cfg.interval,
             d->cfg.dry_run ? ", dry-run" : "", d->root.is_live ? "" : ", sysroot (recording only)");
    event_base_dispatch(d->base);
    sd_notify(0, "STOPPING=1");
    stop_mover(d);
    return 0;
}

static void daemon_free(struct daemon *d)
{
    stop_mover(d);
    if (d->moves_done)
        event_free(d->moves_done);
    control_free(d);
    if (d->watchdog_timer)
        event_free(d->watchdog_timer);
    if (d->cycle_timer)
        event_free(d->cycle_timer);
    if (d->sample_timer)
        event_free(d->sample_timer);
    if (d->sig_term)
        event_free(d->sig_term);
    if (d->sig_int)
        event_free(d->sig_int);
    if (d->sig_hup)
        event_free(d->sig_hup);
    if (d->base)
        event_base_free(d->base);
    if (d->have_last)
        np_cycle_report_clear(&d->last);
    np_engine_free(d->engine);
    if (d->act.ops)
        np_actuator_free(&d->act);
    if (d->recorder.ops)
        np_actuator_free(&d->recorder);
    np_config_free(&d->cfg);
    np_root_close(&d->root);
}

int main(int argc, char **argv)
{
    struct daemon d;
    memset(&d, 0, sizeof(d));
    d.root.dirfd = -1;
    d.last_numa_balancing = -2;
    d.started = daemon_now();
    int r = parse_options(argc, argv, &d.opt);
    if (r != 0)
        return r > 0 ? 0 : 2;
    bool journal = getenv("JOURNAL_STREAM") != NULL && !d.opt.once && !d.opt.check_config;
    log_setup(d.opt.verbose ? LOG_DEBUG : LOG_INFO, journal);

    char err[512];
    if (load_config(&d.opt, &d.cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "numaplaced: %s\n", err);
        return 1;
    }
    if (d.opt.check_config) {
        printf("%s: configuration OK\n", d.opt.config_path ? d.opt.config_path : NP_DEFAULT_CONFIG);
        np_config_free(&d.cfg);
        return 0;
    }
    r = np_root_open(d.opt.sysroot ? d.opt.sysroot : "/", &d.root);
    if (r < 0) {
        log_errno(r, "cannot open root %s", d.opt.sysroot ? d.opt.sysroot : "/");
        np_config_free(&d.cfg);
        return 1;
    }
    /* The recording actuator always exists (dry-run can be switched on at
     * run time); the real one only on the live system. */
    unsigned ncpus = (unsigned)sysconf(_SC_NPROCESSORS_CONF);
    r = np_actuator_recording_new(ncpus ? ncpus : 1, &d.recorder);
    if (r < 0) {
        log_errno(r, "cannot set up the recording actuator");
        daemon_free(&d);
        return 1;
    }
    if (d.root.is_live && !d.opt.once) {
        r = np_actuator_real_new(&d.root, &d.act);
        if (r < 0) {
            log_errno(r, "cannot set up the actuator (libnuma)");
            daemon_free(&d);
            return 1;
        }
    }
    r = np_engine_new(&d.root, &d.recorder, &d.cfg, false, (int)getpid(), &d.engine);
    if (r < 0) {
        log_errno(r, "cannot read the NUMA topology under %s", d.root.path);
        daemon_free(&d);
        return 1;
    }
    daemon_apply_mode(&d);
    np_engine_set_single_snapshot(d.engine, d.opt.once);
    if (d.opt.once) {
        r = run_once(&d);
        daemon_free(&d);
        return r < 0 ? 1 : 0;
    }
    if (control_open(&d) < 0) {
        daemon_free(&d);
        return 1;
    }
    if (!d.opt.foreground && !getenv("NOTIFY_SOCKET") && daemon(0, 0) < 0) {
        log_errno(-errno, "cannot detach");
        daemon_free(&d);
        return 1;
    }
    numa_balancing_takeover(&d);
    r = run_loop(&d);
    if (d.cfg.actuator.restore_on_exit && d.act.ops && !d.cfg.dry_run) {
        int n = np_engine_restore_all(d.engine);
        log_info("restored the original affinity of %d processes", n);
    }
    numa_balancing_restore(&d);
    daemon_free(&d);
    return r < 0 ? 1 : 0;
}
