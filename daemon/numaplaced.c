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
#include "metrics-http.h"
#include "parse.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: numaplaced [OPTIONS]\n"
            "Moves processes' threads and memory onto the same NUMA node.\n\n"
            "  -f, --foreground         do not detach; log to stderr unless under systemd\n"
            "  -c, --config FILE        configuration file (default " NP_DEFAULT_CONFIG ")\n"
            "  -i, --interval SECONDS   seconds between cycles (overrides the config)\n"
            "      --dry-run            plan and log, change nothing\n"
            "      --paused             start with placement paused until `numaplacectl resume`\n"
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
    enum { OPT_DRY_RUN = 256, OPT_PAUSED, OPT_ONCE, OPT_SYSROOT, OPT_CHECK, OPT_VERSION, OPT_SOCKET, OPT_METRICS_PORT };
    static const struct option longopts[] = {
        {"foreground", no_argument, NULL, 'f'},
        {"config", required_argument, NULL, 'c'},
        {"interval", required_argument, NULL, 'i'},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"paused", no_argument, NULL, OPT_PAUSED},
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
        case OPT_PAUSED: o->paused = true; break;
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
    int r;
    d->base = event_base_new();
    if (!d->base)
        return log_errno(-ENOMEM, "cannot create the event loop");
    d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
    d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
    d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
    if (!d->sig_term || !d->sig_int || !d->sig_hup)
        return log_errno(-ENOMEM, "cannot create events");
    if (evsignal_add(d->sig_term, NULL) < 0 || evsignal_add(d->sig_int, NULL) < 0 ||
        evsignal_add(d->sig_hup, NULL) < 0)
        return log_errno(-ENOMEM, "cannot watch SIGTERM, SIGINT and SIGHUP");
    if (control_start(d) < 0)
        return -EINVAL;
    if (d->opt.metrics_port > 0 && metrics_http_start(d, d->opt.metrics_port) < 0)
        return -EINVAL;
    r = daemon_start_services(d);
    if (r < 0)
        return r;
    log_info("numaplaced %s started: interval %.1f s%s%s%s", NP_VERSION, d->cfg.interval,
             d->cfg.dry_run ? ", dry-run" : "", d->opt.paused ? ", placement paused until resumed" : "",
             d->root.is_live ? "" : ", sysroot (recording only)");
    event_base_dispatch(d->base);
    sd_notify(0, "STOPPING=1");
    daemon_stop_services(d);
    return 0;
}

static void daemon_free(struct daemon *d)
{
    daemon_stop_services(d);
    if (d->moves_done)
        event_free(d->moves_done);
    metrics_http_free(d);
    control_free(d);
    cmd_advise_free(d);
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
    if (daemon_load_config(&d.opt, &d.cfg, err, sizeof(err)) < 0) {
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
    /* Paused from the first cycle: what it would do can be read (`list`,
     * `show`) before it does anything; `resume` then places at once. */
    np_engine_set_paused(d.engine, d.opt.paused);
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
    d.saved_numa_balancing = -1;
    daemon_balancing_takeover(&d);
    r = run_loop(&d);
    if (d.cfg.actuator.restore_on_exit && d.act.ops && !d.cfg.dry_run) {
        int n = np_engine_restore_all(d.engine);
        log_info("restored the original affinity of %d processes", n);
    }
    daemon_balancing_restore(&d);
    daemon_free(&d);
    return r < 0 ? 1 : 0;
}
