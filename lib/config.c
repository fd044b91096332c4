/* config: see config.h.
 *
 * NP_CONFIG_KEYS below is the single source of truth: it expands once into
 * the public schema (np_config_schema) and once into the bindings that say
 * where each value lands in struct np_config. Defaults are applied by parsing
 * the schema's default text through the same path as file values, so the
 * table cannot disagree with np_config_defaults(). */
#include "config.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NP_CONFIG_MAX_BYTES (1u << 20)  /* a config file is a few KiB */
#define NP_PID_LIMIT        4194304     /* PID_MAX_LIMIT on 64-bit */
#define NP_PATH_MAX_KEY     128

enum np_store {
    NP_STORE_BOOL,
    NP_STORE_DOUBLE,
    NP_STORE_U64,        /* uint64_t, value x scale */
    NP_STORE_UNSIGNED,   /* unsigned, value x scale */
    NP_STORE_INT,        /* int, value x scale */
    NP_STORE_ENUM,       /* int-sized enum: index in choices */
    NP_STORE_CHARS,      /* char array */
    NP_STORE_ABS_PATH,   /* char array holding an absolute path */
    NP_STORE_PIDS,       /* int list */
    NP_STORE_STRINGS,    /* string list */
    NP_STORE_UIDS,       /* string list resolved to uids */
};

struct np_binding {
    enum np_store store;
    size_t offset;       /* field, or the list's pointer field */
    size_t aux;          /* char array size, or the list's count field offset */
    uint64_t scale;
};

#define NP_FIELD_SIZE(f) sizeof(((struct np_config *)0)->f)
#define BIND(store, field, scale) \
    { store, offsetof(struct np_config, field), NP_FIELD_SIZE(field), scale }
#define BIND_LIST(store, ptr, count) \
    { store, offsetof(struct np_config, ptr), offsetof(struct np_config, count), 1 }

/* X(path, type, min, max, default, choices, binding, help)
 * min/max: value range for numbers, length limit for lists, max strlen for
 * strings (min unused). */
#define NP_CONFIG_KEYS(X)                                                          \
    X("interval", NP_KEY_FLOAT, 1, 3600, "10.0", NULL,                             \
      BIND(NP_STORE_DOUBLE, interval, 1),                                          \
      "Seconds between placement cycles.")                                         \
    X("dry_run", NP_KEY_BOOL, 0, 1, "false", NULL,                                 \
      BIND(NP_STORE_BOOL, dry_run, 1),                                             \
      "Plan and log moves but never apply them.")                                  \
    X("candidates.min_rss_mb", NP_KEY_INT, 0, 1048576, "256", NULL,                \
      BIND(NP_STORE_U64, candidates.min_rss_kb, 1024),                             \
      "Ignore processes with less resident memory (MiB, VmRSS + hugetlb).")        \
    X("candidates.min_cpu", NP_KEY_FLOAT, 0, 1024, "0.25", NULL,                   \
      BIND(NP_STORE_DOUBLE, candidates.min_cpu, 1),                                \
      "Ignore processes using fewer CPUs than this on average.")                   \
    X("candidates.max_per_cycle", NP_KEY_INT, 1, 4096, "32", NULL,                 \
      BIND(NP_STORE_UNSIGNED, candidates.max_per_cycle, 1),                        \
      "Candidates whose memory layout is read per cycle.")                         \
    X("candidates.max_numa_maps_mb", NP_KEY_INT, 1, 4096, "64", NULL,              \
      BIND(NP_STORE_U64, candidates.max_numa_maps_bytes, 1u << 20),                \
      "Largest /proc/PID/numa_maps read (MiB); bigger ones are skipped.")          \
    X("candidates.sample_above_mb", NP_KEY_INT, 64, 1 << 30, "8192", NULL,         \
      BIND(NP_STORE_U64, candidates.sample_above_kb, 1024),                        \
      "Estimate by page sampling when 4 KiB-page memory exceeds this (MiB).")      \
    X("candidates.sample_pages", NP_KEY_INT, 64, 65536, "1024", NULL,              \
      BIND(NP_STORE_UNSIGNED, candidates.sample_pages, 1),                         \
      "Pages probed per sampled process.")                                         \
    X("candidates.max_procs", NP_KEY_INT, 16, 4194304, "65536", NULL,              \
      BIND(NP_STORE_UNSIGNED, candidates.max_procs, 1),                            \
      "Processes scanned per cycle at most.")                                      \
    X("candidates.max_threads", NP_KEY_INT, 1, 65536, "4096", NULL,                \
      BIND(NP_STORE_UNSIGNED, candidates.max_threads, 1),                          \
      "Threads read per process at most.")                                         \
    X("candidates.policy_rescan", NP_KEY_FLOAT, 10, 86400, "300", NULL,            \
      BIND(NP_STORE_DOUBLE, candidates.policy_rescan, 1),                          \
      "Seconds between memory policy re-reads when mappings and threads stay the same.") \
    X("sampling.thread_interval", NP_KEY_FLOAT, 0, 60, "1", NULL,                  \
      BIND(NP_STORE_DOUBLE, sampling.thread_interval, 1),                          \
      "Seconds between samples of the candidates' threads between cycles (0 = off).") \
    X("sampling.max_threads", NP_KEY_INT, 1, 65536, "256", NULL,                   \
      BIND(NP_STORE_UNSIGNED, sampling.max_threads, 1),                            \
      "Threads sampled per candidate at most.")                                    \
    X("sampling.idle_recheck", NP_KEY_FLOAT, 0, 3600, "20", NULL,                  \
      BIND(NP_STORE_DOUBLE, sampling.idle_recheck, 1),                             \
      "Seconds between reads of a process neither busy nor big (0 = every cycle).") \
    X("planner.local_enough", NP_KEY_FLOAT, 0, 1, "0.98", NULL,                    \
      BIND(NP_STORE_DOUBLE, planner.local_enough, 1),                              \
      "Leave a process alone when this fraction of its memory is local.")          \
    X("planner.min_gain", NP_KEY_FLOAT, 0, 1, "0.05", NULL,                        \
      BIND(NP_STORE_DOUBLE, planner.min_gain, 1),                                  \
      "Move only when locality improves by at least this fraction.")               \
    X("planner.cooldown", NP_KEY_FLOAT, 0, 86400, "300", NULL,                     \
      BIND(NP_STORE_DOUBLE, planner.cooldown, 1),                                  \
      "Seconds before a moved process may be moved again.")                        \
    X("planner.confirm_cycles", NP_KEY_INT, 1, 100, "3", NULL,                     \
      BIND(NP_STORE_UNSIGNED, planner.confirm_cycles, 1),                          \
      "Without the sampler's evidence: move only a process found remote this many times (a local cycle takes one off).") \
    X("planner.confirm_seconds", NP_KEY_FLOAT, 0, 3600, "5", NULL,                 \
      BIND(NP_STORE_DOUBLE, planner.confirm_seconds, 1),                           \
      "With the sampler's evidence: move only a process away from its memory this many seconds without a break.") \
    X("planner.coexist_confirm_seconds", NP_KEY_FLOAT, 0, 3600, "1", NULL,         \
      BIND(NP_STORE_DOUBLE, planner.coexist_confirm_seconds, 1),                   \
      "With kernel NUMA balancing moving the pages: bind (CPUs only, no copy) a process away from its memory this many seconds without a break.") \
    X("planner.drift_share", NP_KEY_FLOAT, 0, 1, "0.1", NULL,                       \
      BIND(NP_STORE_DOUBLE, planner.drift_share, 1),                               \
      "With the sampler's evidence: also bind home (CPUs only, no page moves) a process away from its memory this share of its CPU time over confirm_seconds (0 = off).") \
    X("planner.max_moves_per_cycle", NP_KEY_INT, 0, 1024, "4", NULL,               \
      BIND(NP_STORE_UNSIGNED, planner.max_moves_per_cycle, 1),                     \
      "Processes moved per cycle at most (0 = observe only).")                     \
    X("planner.mem_headroom_pct", NP_KEY_INT, 0, 90, "5", NULL,                    \
      BIND(NP_STORE_UNSIGNED, planner.mem_headroom_pct, 1),                        \
      "Percent of a node's memory kept free when choosing a target.")              \
    X("planner.max_node_cpu_load", NP_KEY_FLOAT, 0.05, 4, "1.0", NULL,             \
      BIND(NP_STORE_DOUBLE, planner.max_node_cpu_load, 1),                         \
      "Do not fill a node beyond this CPU load (busy CPUs per CPU).")              \
    X("actuator.migrate_mb_per_s", NP_KEY_FLOAT, 1, 1048576, "1024", NULL,         \
      BIND(NP_STORE_DOUBLE, actuator.migrate_mb_per_s, 1),                         \
      "Memory migration rate limit (MiB/s): a cycle's budget is this x interval, and every copy together is paced to it.")                                      \
    X("actuator.node_migrate_mb_per_s", NP_KEY_FLOAT, 0, 1048576, "0", NULL,       \
      BIND(NP_STORE_DOUBLE, actuator.node_migrate_mb_per_s, 1),                    \
      "Each target node's own migration cap (MiB/s), on top of migrate_mb_per_s; 0 = none.") \
    X("actuator.movers", NP_KEY_INT, 0, 64, "0", NULL,                             \
      BIND(NP_STORE_UNSIGNED, actuator.movers, 1),                                 \
      "Threads copying memory off the event loop (0 = one per node).")            \
    X("actuator.mover_nice", NP_KEY_INT, -20, 19, "-10", NULL,                     \
      BIND(NP_STORE_INT, actuator.mover_nice, 1),                                  \
      "Nice value of the copying threads: below 0 a copy takes most of its target CPUs from the process it moves (the kernel's balancing copies in that process's own time).") \
    X("actuator.use_cgroup", NP_KEY_BOOL, 0, 1, "true", NULL,                      \
      BIND(NP_STORE_BOOL, actuator.use_cgroup, 1),                                 \
      "Place a process alone in its cgroup through cpuset.cpus/mems.")             \
    X("actuator.restore_on_exit", NP_KEY_BOOL, 0, 1, "false", NULL,                \
      BIND(NP_STORE_BOOL, actuator.restore_on_exit, 1),                            \
      "Undo CPU placements when the daemon stops.")                                \
    X("policy.leave_pinned", NP_KEY_BOOL, 0, 1, "true", NULL,                      \
      BIND(NP_STORE_BOOL, policy.leave_pinned, 1),                                 \
      "Never touch processes someone else pinned (affinity, mempolicy, k8s, libvirt).") \
    X("policy.numa_balancing", NP_KEY_ENUM, 0, 0, "coexist", "coexist|takeover",   \
      BIND(NP_STORE_ENUM, policy.numa_balancing, 1),                               \
      "coexist: kernel balancing moves pages; takeover: we do, and turn it off.")  \
    X("control.socket", NP_KEY_STRING, 0, NP_FIELD_SIZE(control.socket) - 1,       \
      "/run/numaplaced/numaplaced.sock", NULL,                                     \
      BIND(NP_STORE_ABS_PATH, control.socket, 1),                                  \
      "Control socket for numaplacectl (absolute path).")                          \
    X("control.group", NP_KEY_STRING, 0, NP_FIELD_SIZE(control.group) - 1,         \
      "numaplace", NULL,                                                           \
      BIND(NP_STORE_CHARS, control.group, 1),                                      \
      "Group allowed to use the control socket (\"\" = root only).")               \
    X("exclude.pids", NP_KEY_INT_LIST, 0, NP_MAX_EXCLUSIONS, "[]", NULL,           \
      BIND_LIST(NP_STORE_PIDS, exclude.pids, exclude.npids),                       \
      "Process IDs never touched.")                                                \
    X("exclude.names", NP_KEY_STRING_LIST, 0, NP_MAX_EXCLUSIONS, "[]", NULL,       \
      BIND_LIST(NP_STORE_STRINGS, exclude.names, exclude.nnames),                  \
      "Globs on the command name (comm) never touched.")                           \
    X("exclude.exes", NP_KEY_STRING_LIST, 0, NP_MAX_EXCLUSIONS, "[]", NULL,        \
      BIND_LIST(NP_STORE_STRINGS, exclude.exes, exclude.nexes),                    \
      "Globs on the executable path never touched ('*' crosses '/').")             \
    X("exclude.cgroups", NP_KEY_STRING_LIST, 0, NP_MAX_EXCLUSIONS, "[]", NULL,     \
      BIND_LIST(NP_STORE_STRINGS, exclude.cgroups, exclude.ncgroups),              \
      "Globs on the cgroup v2 path never touched ('*' crosses '/').")              \
    X("exclude.users", NP_KEY_STRING_LIST, 0, NP_MAX_EXCLUSIONS, "[]", NULL,       \
      BIND_LIST(NP_STORE_UIDS, exclude.users, exclude.nusers),                     \
      "User names or numeric uids whose processes are never touched.")

#define NP_SCHEMA_ENTRY(path, type, min, max, def, choices, bind, help) \
    { path, type, min, max, def, choices, help },
#define NP_BINDING_ENTRY(path, type, min, max, def, choices, bind, help) bind,

static const struct np_config_key schema[] = { NP_CONFIG_KEYS(NP_SCHEMA_ENTRY) };
static const struct np_binding bindings[] = { NP_CONFIG_KEYS(NP_BINDING_ENTRY) };
#define NKEYS (sizeof(schema) / sizeof(schema[0]))
_Static_assert(sizeof(schema) / sizeof(schema[0]) == sizeof(bindings) / sizeof(bindings[0]),
               "schema and bindings come from one list");

const struct np_config_key *np_config_schema(size_t *ret_n)
{
    if (ret_n)
        *ret_n = NKEYS;
    return schema;
}

/* Where a message points: "name:line: " (line 0 = whole file). */
struct np_where {
    const char *file;
    unsigned line;
    char *err;
    size_t errsz;
};

__attribute__((format(printf, 2, 3)))
static void set_error(const struct np_where *w, const char *fmt, ...)
{
    if (!w->err || w->errsz == 0)
        return;
    int n;
    if (w->line > 0)
        n = snprintf(w->err, w->errsz, "%s:%u: ", w->file, w->line);
    else
        n = snprintf(w->err, w->errsz, "%s: ", w->file);
    if (n < 0 || (size_t)n >= w->errsz)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err + n, w->errsz - (size_t)n, fmt, ap);
    va_end(ap);
}

static struct np_where where_of(const config_setting_t *s, const char *name,
                                char *err, size_t errsz)
{
    const char *file = config_setting_source_file(s);
    return (struct np_where){ file ? file : name, config_setting_source_line(s), err, errsz };
}

/* Integral values print without a fraction or exponent ("1073741824"). */
static void format_number(double v, char *buf, size_t bufsz)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, bufsz, "%.0f", v);
    else
        snprintf(buf, bufsz, "%g", v);
}

static const char *type_phrase(int libconfig_type)
{
    switch (libconfig_type) {
    case CONFIG_TYPE_GROUP:  return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:  return "an integer";
    case CONFIG_TYPE_FLOAT:  return "a floating-point number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL:   return "a boolean";
    case CONFIG_TYPE_ARRAY:  return "an array";
    case CONFIG_TYPE_LIST:   return "a list";
    default:                 return "an unknown type";
    }
}

static const char *expected_phrase(enum np_key_type t)
{
    switch (t) {
    case NP_KEY_BOOL:        return "true or false";
    case NP_KEY_INT:         return "an integer";
    case NP_KEY_FLOAT:       return "a number";
    case NP_KEY_STRING:
    case NP_KEY_ENUM:        return "a string";
    case NP_KEY_INT_LIST:    return "a list of integers";
    case NP_KEY_STRING_LIST: return "a list of strings";
    }
    return "?";
}

static void *field_at(struct np_config *cfg, size_t offset)
{
    return (char *)cfg + offset;
}

/* Stores a validated number. */
static void store_number(struct np_config *cfg, const struct np_binding *b, double v)
{
    void *f = field_at(cfg, b->offset);
    switch (b->store) {
    case NP_STORE_DOUBLE:
        *(double *)f = v;
        break;
    case NP_STORE_U64:
        *(uint64_t *)f = (uint64_t)v * b->scale;
        break;
    case NP_STORE_UNSIGNED:
        *(unsigned *)f = (unsigned)((uint64_t)v * b->scale);
        break;
    case NP_STORE_INT:
        *(int *)f = (int)v * (int)b->scale;
        break;
    default:
        break;
    }
}

/* Returns the index of S in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *s)
{
    size_t len = strlen(s);
    int i = 0;
    for (const char *c = choices; c; i++) {
        const char *bar = strchr(c, '|');
        size_t clen = bar ? (size_t)(bar - c) : strlen(c);
        if (clen == len && memcmp(c, s, len) == 0)
            return i;
        c = bar ? bar + 1 : NULL;
    }
    return -1;
}

static int store_string(struct np_config *cfg, const struct np_config_key *k,
                        const struct np_binding *b, const char *s, const struct np_where *w)
{
    size_t len = strlen(s);
    if (b->store == NP_STORE_ENUM) {
        int i = choice_index(k->choices, s);
        if (i < 0) {
            set_error(w, "%s: '%s' is not one of %s", k->path, s, k->choices);
            return -EINVAL;
        }
        *(int *)field_at(cfg, b->offset) = i;
        return 0;
    }
    if (len > (size_t)k->max || len >= b->aux) {
        set_error(w, "%s: %zu bytes, longer than %.0f", k->path, len, k->max);
        return -EINVAL;
    }
    if (b->store == NP_STORE_ABS_PATH && s[0] != '/') {
        set_error(w, "%s: '%s' is not an absolute path", k->path, s);
        return -EINVAL;
    }
    memcpy(field_at(cfg, b->offset), s, len + 1);
    return 0;
}

/* Resolves a user name or decimal uid. 0, -ENOENT (unknown), -errno. */
static int resolve_user(const char *s, uid_t *ret)
{
    long uid;
    if (np_parse_long_range(s, 0, (long)(uid_t)-2, &uid) == 0) {
        *ret = (uid_t)uid;
        return 0;
    }
    long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t bufsz = sz > 0 ? (size_t)sz : 16384;
    for (;;) {
        char *buf = malloc(bufsz);
        if (!buf)
            return -ENOMEM;
        struct passwd pw, *found = NULL;
        int r = getpwnam_r(s, &pw, buf, bufsz, &found);
        if (r == 0 && found)
            *ret = found->pw_uid;
        free(buf);
        if (r == ERANGE && bufsz < (1u << 20)) {
            bufsz *= 2;
            continue;
        }
        /* Some NSS modules report "no such user" as an error code. */
        if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
            return found ? 0 : -ENOENT;
        return -r;
    }
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Applies a list (config setting LIST, or NULL with no elements for the
 * default) to the field bound by B, replacing what was there. */
static int store_list(struct np_config *cfg, const struct np_config_key *k,
                      const struct np_binding *b, const config_setting_t *list,
                      const char *name, char *err, size_t errsz)
{
    size_t n = list ? (size_t)config_setting_length(list) : 0;
    struct np_where w = list ? where_of(list, name, err, errsz)
                             : (struct np_where){ name, 0, err, errsz };
    if (n > (size_t)k->max) {
        set_error(&w, "%s: %zu entries, at most %.0f", k->path, n, k->max);
        return -EINVAL;
    }
    size_t elem_size = b->store == NP_STORE_PIDS ? sizeof(int)
                     : b->store == NP_STORE_UIDS ? sizeof(uid_t) : sizeof(char *);
    void *v = NULL;
    if (n > 0 && !(v = calloc(n, elem_size)))
        return -ENOMEM;

    int r = 0;
    size_t done = 0;
    for (; done < n; done++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)done);
        struct np_where ew = where_of(e, name, err, errsz);
        int want = b->store == NP_STORE_PIDS ? CONFIG_TYPE_INT : CONFIG_TYPE_STRING;
        int got = config_setting_type(e);
        if (got == CONFIG_TYPE_INT64 && want == CONFIG_TYPE_INT)
            got = CONFIG_TYPE_INT;
        if (got != want) {
            set_error(&ew, "%s[%zu]: expected %s, got %s", k->path, done,
                      want == CONFIG_TYPE_INT ? "an integer" : "a string", type_phrase(got));
            r = -EINVAL;
            break;
        }
        if (b->store == NP_STORE_PIDS) {
            long long pid = config_setting_get_int64(e);
            if (pid < 1 || pid > NP_PID_LIMIT) {
                set_error(&ew, "%s[%zu]: %lld is out of range 1..%d", k->path, done, pid,
                          NP_PID_LIMIT);
                r = -EINVAL;
                break;
            }
            ((int *)v)[done] = (int)pid;
            continue;
        }
        const char *s = config_setting_get_string(e);
        size_t len = strlen(s);
        if (len == 0) {
            set_error(&ew, "%s[%zu]: empty string", k->path, done);
            r = -EINVAL;
            break;
        }
        if (len >= NP_MAX_PATTERN) {
            set_error(&ew, "%s[%zu]: %zu bytes, longer than %d", k->path, done, len,
                      NP_MAX_PATTERN - 1);
            r = -EINVAL;
            break;
        }
        if (b->store == NP_STORE_UIDS) {
            r = resolve_user(s, &((uid_t *)v)[done]);
            if (r == -ENOENT) {
                set_error(&ew, "%s[%zu]: unknown user '%s'", k->path, done, s);
                r = -EINVAL;
            } else if (r < 0) {
                set_error(&ew, "%s[%zu]: cannot look up user '%s': %s", k->path, done, s,
                          strerror(-r));
            }
            if (r < 0)
                break;
            continue;
        }
        if (!(((char **)v)[done] = strdup(s))) {
            r = -ENOMEM;
            break;
        }
    }
    if (r < 0) {
        if (b->store == NP_STORE_STRINGS)
            free_strings(v, done);
        else
            free(v);
        return r;
    }

    void **ptr = field_at(cfg, b->offset);
    size_t *count = field_at(cfg, b->aux);
    if (b->store == NP_STORE_STRINGS)
        free_strings(*ptr, *count);
    else
        free(*ptr);
    *ptr = v;
    *count = n;
    return 0;
}

static int store_setting(struct np_config *cfg, size_t idx, const config_setting_t *s,
                         const char *name, char *err, size_t errsz)
{
    const struct np_config_key *k = &schema[idx];
    const struct np_binding *b = &bindings[idx];
    struct np_where w = where_of(s, name, err, errsz);
    int t = config_setting_type(s);
    bool is_int = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
    bool ok;

    switch (k->type) {
    case NP_KEY_BOOL:        ok = t == CONFIG_TYPE_BOOL; break;
    case NP_KEY_INT:         ok = is_int; break;
    case NP_KEY_FLOAT:       ok = is_int || t == CONFIG_TYPE_FLOAT; break;
    case NP_KEY_STRING:
    case NP_KEY_ENUM:        ok = t == CONFIG_TYPE_STRING; break;
    case NP_KEY_INT_LIST:
    case NP_KEY_STRING_LIST: ok = t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST; break;
    default:                 ok = false; break;
    }
    if (!ok) {
        set_error(&w, "%s: expected %s, got %s", k->path, expected_phrase(k->type),
                  type_phrase(t));
        return -EINVAL;
    }

    switch (k->type) {
    case NP_KEY_BOOL:
        *(bool *)field_at(cfg, b->offset) = config_setting_get_bool(s);
        return 0;
    case NP_KEY_INT: {
        long long v = config_setting_get_int64(s);
        if ((double)v < k->min || (double)v > k->max) {
            char lo[32], hi[32];
            format_number(k->min, lo, sizeof(lo));
            format_number(k->max, hi, sizeof(hi));
            set_error(&w, "%s: %lld is out of range %s..%s", k->path, v, lo, hi);
            return -EINVAL;
        }
        store_number(cfg, b, (double)v);
        return 0;
    }
    case NP_KEY_FLOAT: {
        double v = is_int ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
        if (!isfinite(v) || v < k->min || v > k->max) {
            char val[32], lo[32], hi[32];
            if (is_int)
                snprintf(val, sizeof(val), "%lld", config_setting_get_int64(s));
            else
                snprintf(val, sizeof(val), "%g", v);
            format_number(k->min, lo, sizeof(lo));
            format_number(k->max, hi, sizeof(hi));
            set_error(&w, "%s: %s is out of range %s..%s", k->path, val, lo, hi);
            return -EINVAL;
        }
        store_number(cfg, b, v);
        return 0;
    }
    case NP_KEY_STRING:
    case NP_KEY_ENUM:
        return store_string(cfg, k, b, config_setting_get_string(s), &w);
    case NP_KEY_INT_LIST:
    case NP_KEY_STRING_LIST:
        return store_list(cfg, k, b, s, name, err, errsz);
    }
    return -EINVAL;
}

static int find_key(const char *path)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(schema[i].path, path) == 0)
            return (int)i;
    return -1;
}

/* Is PATH a group of the schema ("planner" for "planner.min_gain")? */
static bool is_group(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < NKEYS; i++)
        if (strncmp(schema[i].path, path, len) == 0 && schema[i].path[len] == '.')
            return true;
    return false;
}

static int walk_group(struct np_config *cfg, const config_setting_t *group, const char *prefix,
                      const char *name, char *err, size_t errsz)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *member = config_setting_name(s) ? config_setting_name(s) : "";
        struct np_where w = where_of(s, name, err, errsz);
        char path[NP_PATH_MAX_KEY];
        int len = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", member);
        if (len < 0 || (size_t)len >= sizeof(path)) {
            set_error(&w, "unknown key '%s%s%.64s...'", prefix, *prefix ? "." : "", member);
            return -EINVAL;
        }
        int idx = find_key(path);
        if (idx >= 0) {
            int r = store_setting(cfg, (size_t)idx, s, name, err, errsz);
            if (r < 0)
                return r;
        } else if (is_group(path)) {
            if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
                set_error(&w, "%s: expected a group ({ ... }), got %s", path,
                          type_phrase(config_setting_type(s)));
                return -EINVAL;
            }
            int r = walk_group(cfg, s, path, name, err, errsz);
            if (r < 0)
                return r;
        } else {
            set_error(&w, "unknown key '%s'", path);
            return -EINVAL;
        }
    }
    return 0;
}

/* Applies the schema's default text for key IDX. The table is constant and
 * covered by tests, so a failure here is a programming error: the field then
 * keeps its zero value. */
static void apply_default(struct np_config *cfg, size_t idx)
{
    const struct np_config_key *k = &schema[idx];
    const struct np_binding *b = &bindings[idx];
    struct np_where w = { k->path, 0, NULL, 0 };
    switch (k->type) {
    case NP_KEY_BOOL:
        *(bool *)field_at(cfg, b->offset) = strcmp(k->def, "true") == 0;
        break;
    case NP_KEY_INT:
    case NP_KEY_FLOAT: {
        double v;
        if (np_parse_double_range(k->def, k->min, k->max, &v) == 0)
            store_number(cfg, b, v);
        break;
    }
    case NP_KEY_STRING:
    case NP_KEY_ENUM:
        store_string(cfg, k, b, k->def, &w);
        break;
    case NP_KEY_INT_LIST:
    case NP_KEY_STRING_LIST:
        store_list(cfg, k, b, NULL, k->path, NULL, 0);   /* "[]": empty */
        break;
    }
}

void np_config_defaults(struct np_config *ret)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < NKEYS; i++)
        apply_default(ret, i);
}

void np_config_free(struct np_config *cfg)
{
    if (!cfg)
        return;
    struct np_exclusions *ex = &cfg->exclude;
    free(ex->pids);
    free_strings(ex->names, ex->nnames);
    free_strings(ex->exes, ex->nexes);
    free_strings(ex->cgroups, ex->ncgroups);
    free(ex->users);
    memset(ex, 0, sizeof(*ex));
}

static int copy_strings(char **src, size_t n, char ***ret)
{
    *ret = NULL;
    if (n == 0)
        return 0;
    char **v = calloc(n, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] = strdup(src[i]))) {
            free_strings(v, i);
            return -ENOMEM;
        }
    }
    *ret = v;
    return 0;
}

static int copy_array(const void *src, size_t n, size_t elem, void **ret)
{
    *ret = NULL;
    if (n == 0)
        return 0;
    if (!(*ret = malloc(n * elem)))
        return -ENOMEM;
    memcpy(*ret, src, n * elem);
    return 0;
}

int np_config_copy(const struct np_config *src, struct np_config *ret)
{
    struct np_config tmp = *src;
    const struct np_exclusions *se = &src->exclude;
    struct np_exclusions *te = &tmp.exclude;
    memset(te, 0, sizeof(*te));
    int r;
    if ((r = copy_array(se->pids, se->npids, sizeof(int), (void **)&te->pids)) < 0)
        goto fail;
    te->npids = se->npids;
    if ((r = copy_strings(se->names, se->nnames, &te->names)) < 0)
        goto fail;
    te->nnames = se->nnames;
    if ((r = copy_strings(se->exes, se->nexes, &te->exes)) < 0)
        goto fail;
    te->nexes = se->nexes;
    if ((r = copy_strings(se->cgroups, se->ncgroups, &te->cgroups)) < 0)
        goto fail;
    te->ncgroups = se->ncgroups;
    if ((r = copy_array(se->users, se->nusers, sizeof(uid_t), (void **)&te->users)) < 0)
        goto fail;
    te->nusers = se->nusers;
    *ret = tmp;
    return 0;
fail:
    np_config_free(&tmp);
    return r;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '*';
}

static bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* libconfig 1.5 silently truncates an integer literal that does not fit in
 * 32 bits ("4294967297" reads as 1), which would slip a wrong value past the
 * range checks, and @include would pull in files we do not scan. This light
 * lexer (comments, strings, names, numbers) rejects both before parsing. */
static int precheck(const char *text, const char *name, char *err, size_t errsz)
{
    unsigned line = 1;
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            line++;
            p++;
        } else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                if (*p == '\n')
                    line++;
            if (*p)
                p += 2;
        } else if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (*p == '\n')
                    line++;
            }
            if (*p)
                p++;
        } else if (*p == '@') {
            struct np_where w = { name, line, err, errsz };
            set_error(&w, "@ directives (@include) are not supported");
            return -EINVAL;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '*') {
            while (is_name_char(*p))
                p++;
        } else if ((*p >= '0' && *p <= '9') || *p == '.' ||
                   ((*p == '-' || *p == '+') && ((p[1] >= '0' && p[1] <= '9') || p[1] == '.'))) {
            const char *start = p;
            const char *digits = (*p == '-' || *p == '+') ? p + 1 : p;
            bool hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
            bool is_float = false, is_long = false;
            p = hex ? digits + 2 : digits;
            for (;;) {
                if (hex ? is_hex_digit(*p) : (*p >= '0' && *p <= '9')) {
                    p++;
                } else if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) {
                    is_float = true;
                    if ((*p == 'e' || *p == 'E') && (p[1] == '-' || p[1] == '+'))
                        p++;
                    p++;
                } else if (*p == 'L') {
                    is_long = true;
                    p++;
                } else {
                    break;
                }
            }
            if (is_float || is_long)
                continue;
            bool too_big;
            if (hex) {
                const char *h = digits + 2;
                while (*h == '0' && h + 1 < p)
                    h++;
                too_big = p - h > 8 || (p - h == 8 && *h > '7');
            } else {
                uint64_t v;
                const char *q = digits;
                uint64_t limit = *start == '-' ? 2147483648u : 2147483647u;
                too_big = np_scan_u64(&q, &v) < 0 || v > limit;
            }
            if (too_big) {
                struct np_where w = { name, line, err, errsz };
                set_error(&w, "integer %.*s does not fit in 32 bits (write %.*sL for a 64-bit value)",
                          (int)(p - start > 40 ? 40 : p - start), start,
                          (int)(p - start > 40 ? 40 : p - start), start);
                return -EINVAL;
            }
        } else {
            p++;
        }
    }
    return 0;
}

static int load_text(const char *text, const char *name, struct np_config *ret,
                     char *err, size_t errsz)
{
    int r = precheck(text, name, err, errsz);
    if (r < 0)
        return r;
    config_t lc;
    config_init(&lc);
    if (config_read_string(&lc, text) != CONFIG_TRUE) {
        const char *file = config_error_file(&lc);
        struct np_where w = { file ? file : name, (unsigned)config_error_line(&lc), err, errsz };
        const char *msg = config_error_text(&lc);
        set_error(&w, "%s", msg ? msg : "cannot parse");
        config_destroy(&lc);
        return -EINVAL;
    }
    struct np_config tmp;
    np_config_defaults(&tmp);
    r = walk_group(&tmp, config_root_setting(&lc), "", name, err, errsz);
    config_destroy(&lc);
    if (r < 0) {
        np_config_free(&tmp);
        return r;
    }
    *ret = tmp;
    return 0;
}

int np_config_load_string(const char *text, const char *name, struct np_config *ret,
                          char *err, size_t errsz)
{
    if (!text || !ret)
        return -EINVAL;
    return load_text(text, name ? name : "<string>", ret, err, errsz);
}

/* Reads PATH whole, at most NP_CONFIG_MAX_BYTES. */
static int read_config_file(const char *path, char **ret, struct np_where *w)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int r = -errno;
        set_error(w, "%s", strerror(-r));
        return r;
    }
    struct stat st;
    int r = 0;
    char *buf = NULL;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        set_error(w, "%s", strerror(-r));
    } else if (!S_ISREG(st.st_mode)) {
        r = -EINVAL;
        set_error(w, "not a regular file");
    } else if ((uint64_t)st.st_size > NP_CONFIG_MAX_BYTES) {
        r = -EFBIG;
        set_error(w, "larger than %u bytes", NP_CONFIG_MAX_BYTES);
    } else if (!(buf = malloc(NP_CONFIG_MAX_BYTES + 1))) {
        r = -ENOMEM;
    }
    size_t len = 0;
    while (r == 0) {
        ssize_t n = read(fd, buf + len, NP_CONFIG_MAX_BYTES + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            set_error(w, "%s", strerror(-r));
        } else if (n == 0) {
            break;
        } else if ((len += (size_t)n) > NP_CONFIG_MAX_BYTES) {
            r = -EFBIG;   /* grew since fstat */
            set_error(w, "larger than %u bytes", NP_CONFIG_MAX_BYTES);
        }
    }
    close(fd);
    if (r < 0) {
        free(buf);
        return r;
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        set_error(w, "contains a NUL byte");
        return -EINVAL;
    }
    *ret = buf;
    return 0;
}

int np_config_load(const char *path, struct np_config *ret, char *err, size_t errsz)
{
    if (!path || !ret)
        return -EINVAL;
    struct np_where w = { path, 0, err, errsz };
    char *text = NULL;
    int r = read_config_file(path, &text, &w);
    if (r < 0)
        return r;
    r = load_text(text, path, ret, err, errsz);
    free(text);
    return r;
}
