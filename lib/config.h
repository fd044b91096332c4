/* config: the one validated configuration structure.
 *
 * Parsed from a libconfig file against a schema table (type, range,
 * default, help); unknown keys and out-of-range values are errors that name
 * file:line. A failed load leaves the caller's current config untouched. */
#ifndef NP_CONFIG_H
#define NP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NP_DEFAULT_CONFIG "/etc/numaplaced.conf"
#define NP_MAX_EXCLUSIONS 1024   /* per list */
#define NP_MAX_PATTERN    256    /* bytes per glob/name */

enum np_nb_policy {
    NP_NB_COEXIST = 0,   /* kernel balancing on: we place CPUs (and hugetlb),
                            the kernel moves ordinary pages */
    NP_NB_TAKEOVER,      /* we move memory ourselves; the daemon sets
                            kernel.numa_balancing=0 while it runs */
};

struct np_exclusions {
    size_t npids;    int *pids;
    size_t nnames;   char **names;     /* globs on comm */
    size_t nexes;    char **exes;      /* globs on the executable path */
    size_t ncgroups; char **cgroups;   /* globs on the cgroup v2 path */
    size_t nusers;   uid_t *users;     /* resolved at load time (names or numbers) */
};

struct np_config {
    double interval;                 /* seconds between cycles */
    bool dry_run;
    struct {
        uint64_t min_rss_kb;         /* VmRSS + hugetlb */
        double min_cpu;              /* CPUs */
        unsigned max_per_cycle;      /* candidates whose memory is read per cycle */
        uint64_t max_numa_maps_bytes;
        uint64_t sample_above_kb;    /* 4 KiB-page memory above this is sampled */
        unsigned sample_pages;
        unsigned max_procs;          /* processes scanned per cycle */
        unsigned max_threads;        /* threads read per process */
        double policy_rescan;        /* seconds between full policy reads of a sampled process */
    } candidates;
    struct {
        double thread_interval;      /* seconds between thread samples of candidates; 0 = off */
        unsigned max_threads;        /* threads sampled per candidate */
        double idle_recheck;         /* seconds between reads of an idle process; 0 = every cycle */
    } sampling;
    struct {
        double local_enough;
        double min_gain;
        double cooldown;             /* seconds */
        unsigned confirm_cycles;     /* found remote this many times (net), without evidence */
        double confirm_seconds;      /* away from its memory this long, with the sampler's evidence */
        double drift_share;          /* ... or away this share of that time, for binds alone */
        double coexist_confirm_seconds; /* ... or this long, for binds alone beside kernel balancing */
        unsigned max_moves_per_cycle;
        unsigned mem_headroom_pct;
        double max_node_cpu_load;
    } planner;
    struct {
        double migrate_mb_per_s;
        double node_migrate_mb_per_s;  /* each target node's own cap, 0 none */
        unsigned movers;                 /* 0: one per node */
        int mover_nice;                  /* the movers' nice value */
        bool use_cgroup;
        bool restore_on_exit;
    } actuator;
    struct {
        bool leave_pinned;
        enum np_nb_policy numa_balancing;
    } policy;
    struct {
        char socket[108];
        char group[64];
    } control;
    struct np_exclusions exclude;
};

enum np_key_type { NP_KEY_BOOL, NP_KEY_INT, NP_KEY_FLOAT, NP_KEY_STRING, NP_KEY_ENUM,
                   NP_KEY_INT_LIST, NP_KEY_STRING_LIST };

struct np_config_key {
    const char *path;        /* "planner.min_gain" */
    enum np_key_type type;
    double min, max;         /* numbers; list length limit for lists; length for strings */
    const char *def;         /* default, as text */
    const char *choices;     /* NP_KEY_ENUM: "coexist|takeover" */
    const char *help;
};

/* The schema, for --help-config and the docs. */
const struct np_config_key *np_config_schema(size_t *ret_n);

/* Built-in defaults (what a missing /etc/numaplaced.conf means). */
void np_config_defaults(struct np_config *ret);
/* Loads PATH into RET (defaults for absent keys). On error returns -errno
 * (-EINVAL for content) and writes "PATH:LINE: message" into ERR; RET is
 * then untouched. */
int np_config_load(const char *path, struct np_config *ret, char *err, size_t errsz);
/* Same from a string (NAME is used in messages). */
int np_config_load_string(const char *text, const char *name, struct np_config *ret,
                          char *err, size_t errsz);
void np_config_free(struct np_config *cfg);
/* Deep copy (for swapping on reload). 0 or -ENOMEM. */
int np_config_copy(const struct np_config *src, struct np_config *ret);

#endif
