/* daemon: the running daemon's state, shared by the files of daemon/
 * (main loop, control socket, verbs). lib/ knows nothing of it. */
#ifndef NP_DAEMON_H
#define NP_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <event2/event.h>
#include "act.h"
#include "config.h"
#include "engine.h"
#include "fsroot.h"
#include "mover.h"

#ifndef NP_VERSION
#define NP_VERSION "0.1.0"
#endif

struct control;         /* the control socket (control.c) */
struct metrics_http;     /* the HTTP /metrics listener (metrics-http.c) */
struct advise_book;      /* advise reservations (cmd-advise.c) */

struct options {
    bool foreground, dry_run, paused, once, verbose, check_config;
    const char *config_path;        /* NULL: the default, which may be absent */
    const char *sysroot;
    double interval;                /* > 0 overrides the config */
    const char *socket_path;        /* --socket: overrides control.socket */
    int metrics_port;               /* --metrics-port: HTTP /metrics on 127.0.0.1, 0 = off */
};

struct daemon {
    struct options opt;
    struct np_root root;
    struct np_config cfg;
    struct np_actuator act;
    struct np_engine *engine;
    struct event_base *base;
    struct event *cycle_timer, *watchdog_timer, *sample_timer, *moves_done;
    struct np_mover *mover;         /* copies memory off the loop (real actuator only) */
    bool mover_nice_reported;       /* its failure to take actuator.mover_nice was logged */
    int loop_nice;                  /* the loop's own nice value (at start) */
    int loop_nice_now;              /* the one it has now: the movers' while they copy */
    bool loop_nice_reported;        /* its failure to take the movers' was logged */
    double last_cycle_at;           /* monotonic seconds, for the watchdog */
    struct event *sig_term, *sig_int, *sig_hup;
    bool ready_sent;
    int last_numa_balancing;        /* to log a change once */
    int saved_numa_balancing;       /* takeover: the value to put back, -1 none */
    uint64_t watchdog_usec;
    double started;                 /* monotonic seconds at start */
    bool have_last;
    bool ran_early;                 /* an early cycle ran since the last timed one */
    bool replanning;                /* the next timed cycle is a replan, a sampler
                                       period after one that placed something */
    bool ran_first;                 /* the first timed cycle ran (the next comes soon) */
    struct np_cycle_report last;    /* the last cycle, for the control socket */
    struct np_actuator recorder;    /* dry-run actuator, kept to switch at run time */
    struct control *control;
    struct metrics_http *metrics_http;
    struct advise_book *advise;
};

/* Runs a cycle now (timer or `rescan`), logs it and keeps its report. */
/* daemon/service.c: the daemon's work on its loop, called by main and by
 * the control verbs; it calls neither back. */
int daemon_load_config(const struct options *o, struct np_config *ret, char *err, size_t errsz);
/* Cycle timer (first cycle at once), watchdog, thread sampler, movers. */
int daemon_start_services(struct daemon *d);
/* Stops moves in flight (original affinity back) and the movers. */
void daemon_stop_services(struct daemon *d);
/* One placement cycle; its report becomes d->last. 0, or the engine's
 * -errno (logged; d->last stays the previous report). */
int daemon_run_cycle(struct daemon *d);
/* (Re)arms the cycle timer one interval from now. 0 or -ENOMEM (logged). */
int daemon_schedule_cycle(struct daemon *d);
/* Reloads the configuration (SIGHUP or `reload`). 0, or -errno with ERR
 * holding "file:line: message"; the running config stays on failure. */
int daemon_reload(struct daemon *d, char *err, size_t errsz);
double daemon_now(void);
/* Points the engine at the real or the recording actuator after the
 * dry-run setting changed (config reload or `dry-run on|off`). */
void daemon_apply_mode(struct daemon *d);
/* policy takeover: turns kernel.numa_balancing off (live root, not
 * dry-run), remembering the first value for daemon_balancing_restore. */
void daemon_balancing_takeover(struct daemon *d);
void daemon_balancing_restore(struct daemon *d);

#endif
