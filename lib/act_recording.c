/* act_recording: the actuator for dry runs, --sysroot and tests. Every call
 * becomes one line of text; nothing on the machine changes. */
#include "act.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NP_REC_LOG_MAX   ((size_t)1 << 20)
#define NP_REC_FAILURES  16
#define NP_REC_AFFINITY  16     /* threads whose set affinity is remembered */
#define NP_REC_TRUNCATED "... truncated\n"

struct rec_failure {
    char op[16];
    int id;                     /* -1: any */
    int err;
    bool armed;
};

struct rec_affinity {
    int tid;                    /* 0: free slot */
    struct np_cpuset cpus;
};

struct rec_ctx {
    unsigned ncpus;
    char *log;
    size_t len, cap;
    bool truncated;
    struct rec_failure failures[NP_REC_FAILURES];
    /* get_affinity answers what set_affinity last put on a thread, so an
     * apply/restore round trip reads back like the real thing. */
    struct rec_affinity affinity[NP_REC_AFFINITY];
    unsigned next_affinity;
    int (*page_node)(void *addr, void *fn_ctx);
    void *page_node_ctx;
    char list[32768];           /* scratch for formatting sets */
};

static const struct np_actuator_ops recording_ops;

static struct rec_ctx *rec_of(const struct np_actuator *a)
{
    return a && a->ops == &recording_ops ? a->ctx : NULL;
}

__attribute__((format(printf, 2, 3)))
static void rec_log(struct rec_ctx *c, const char *fmt, ...)
{
    if (c->truncated)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t need = c->len + (size_t)n + 1;
    if (need + sizeof(NP_REC_TRUNCATED) > NP_REC_LOG_MAX) {
        need = c->len + sizeof(NP_REC_TRUNCATED);
        n = -1;
    }
    if (need > c->cap) {
        size_t ncap = c->cap ? c->cap : 4096;
        while (ncap < need)
            ncap *= 2;
        if (ncap > NP_REC_LOG_MAX)
            ncap = NP_REC_LOG_MAX;
        char *nl = realloc(c->log, ncap);
        if (!nl)
            return;     /* keep what we have; the log is best effort */
        c->log = nl;
        c->cap = ncap;
    }
    if (n < 0) {
        memcpy(c->log + c->len, NP_REC_TRUNCATED, sizeof(NP_REC_TRUNCATED));
        c->len += sizeof(NP_REC_TRUNCATED) - 1;
        c->truncated = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(c->log + c->len, c->cap - c->len, fmt, ap);
    va_end(ap);
    c->len += (size_t)n;
}

/* A scripted failure for OP and ID, consumed, or 0. */
static int rec_take_failure(struct rec_ctx *c, const char *op, int id, bool any_id)
{
    for (unsigned i = 0; i < NP_REC_FAILURES; i++) {
        struct rec_failure *f = &c->failures[i];
        if (f->armed && strcmp(f->op, op) == 0 && (any_id || f->id == -1 || f->id == id)) {
            f->armed = false;
            return f->err;
        }
    }
    return 0;
}

static const char *rec_format(struct rec_ctx *c, const uint64_t *w, unsigned nbits)
{
    /* -E2BIG leaves a truncated list, good enough for a log line. */
    (void)np_bits_format_list(w, nbits, c->list, sizeof(c->list));
    return c->list;
}

static int rec_get_affinity(void *ctx, int tid, struct np_cpuset *ret)
{
    struct rec_ctx *c = ctx;
    rec_log(c, "get_affinity tid=%d\n", tid);
    int r = rec_take_failure(c, "get_affinity", tid, false);
    if (r < 0)
        return r;
    for (unsigned i = 0; i < NP_REC_AFFINITY; i++) {
        if (c->affinity[i].tid == tid && tid > 0) {
            *ret = c->affinity[i].cpus;
            return 0;
        }
    }
    np_cpuset_zero(ret);
    for (unsigned cpu = 0; cpu < c->ncpus; cpu++)
        np_cpuset_set(ret, cpu);
    return 0;
}

static int rec_set_affinity(void *ctx, int tid, const struct np_cpuset *cpus)
{
    struct rec_ctx *c = ctx;
    rec_log(c, "set_affinity tid=%d cpus=%s\n", tid, rec_format(c, NP_CPUS(cpus)));
    int r = rec_take_failure(c, "set_affinity", tid, false);
    if (r < 0)
        return r;
    if (np_cpuset_count(cpus) == 0)
        return -EINVAL;
    struct rec_affinity *slot = NULL;
    for (unsigned i = 0; i < NP_REC_AFFINITY && !slot; i++)
        if (c->affinity[i].tid == tid)
            slot = &c->affinity[i];
    if (!slot)
        slot = &c->affinity[c->next_affinity++ % NP_REC_AFFINITY];
    slot->tid = tid;
    slot->cpus = *cpus;
    return 0;
}

static long rec_migrate_pages(void *ctx, int pid, const struct np_nodeset *from,
                              const struct np_nodeset *to)
{
    struct rec_ctx *c = ctx;
    char from_list[8192];
    (void)np_bits_format_list(NP_NODES(from), from_list, sizeof(from_list));
    rec_log(c, "migrate_pages pid=%d from=%s to=%s\n", pid, from_list,
            rec_format(c, NP_NODES(to)));
    return rec_take_failure(c, "migrate_pages", pid, false);
}

static int rec_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                          const int *nodes, int *status)
{
    struct rec_ctx *c = ctx;
    if (nodes && count) {
        /* One line per target node, so a batch spread over several nodes
         * shows how much went where. */
        int seen[8];
        unsigned long counts[8];
        unsigned nseen = 0;
        for (unsigned long i = 0; i < count; i++) {
            unsigned k = 0;
            while (k < nseen && seen[k] != nodes[i])
                k++;
            if (k == nseen) {
                if (nseen == 8) {
                    k = 7;      /* more than 8 targets: the rest counts as the last */
                } else {
                    seen[nseen] = nodes[i];
                    counts[nseen++] = 0;
                }
            }
            counts[k]++;
        }
        for (unsigned k = 0; k < nseen; k++)
            rec_log(c, "move_pages pid=%d count=%lu nodes=%d\n", pid, counts[k], seen[k]);
    } else
        rec_log(c, "move_pages pid=%d count=%lu nodes=%s\n", pid, count,
                nodes ? "none" : "query");
    int r = rec_take_failure(c, "move_pages", pid, false);
    if (r < 0)
        return r;
    for (unsigned long i = 0; i < count; i++) {
        if (nodes)
            status[i] = nodes[i];
        else
            status[i] = c->page_node ? c->page_node(pages[i], c->page_node_ctx) : 0;
    }
    return 0;
}

static int rec_write_cgroup(void *ctx, const char *cgroup, const char *file, const char *value)
{
    struct rec_ctx *c = ctx;
    rec_log(c, "write_cgroup cgroup=%s file=%s value=%s\n", cgroup, file, value);
    /* No id for a cgroup write: any scripted write_cgroup failure matches. */
    return rec_take_failure(c, "write_cgroup", -1, true);
}

static void rec_free(void *ctx)
{
    struct rec_ctx *c = ctx;
    if (c) {
        free(c->log);
        free(c);
    }
}

static const struct np_actuator_ops recording_ops = {
    .name = "recording",
    .get_affinity = rec_get_affinity,
    .set_affinity = rec_set_affinity,
    .migrate_pages = rec_migrate_pages,
    .move_pages = rec_move_pages,
    .write_cgroup = rec_write_cgroup,
    .free = rec_free,
};

int np_actuator_recording_new(unsigned ncpus, struct np_actuator *ret)
{
    if (ncpus == 0 || ncpus > NP_MAX_CPUS)
        return -EINVAL;
    struct rec_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->ncpus = ncpus;
    ret->ops = &recording_ops;
    ret->ctx = c;
    return 0;
}

const char *np_actuator_recording_log(const struct np_actuator *a)
{
    struct rec_ctx *c = rec_of(a);
    if (!c)
        return NULL;
    return c->log ? c->log : "";
}

int np_actuator_recording_fail(struct np_actuator *a, const char *op, int id, int negative_errno)
{
    static const char *const ops[] = {
        "get_affinity", "set_affinity", "migrate_pages", "move_pages", "write_cgroup",
    };
    struct rec_ctx *c = rec_of(a);
    if (!c || !op || negative_errno >= 0 || id < -1)
        return -EINVAL;
    bool known = false;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        known |= strcmp(op, ops[i]) == 0;
    if (!known)
        return -EINVAL;
    for (unsigned i = 0; i < NP_REC_FAILURES; i++) {
        struct rec_failure *f = &c->failures[i];
        if (!f->armed) {
            snprintf(f->op, sizeof(f->op), "%s", op);
            f->id = id;
            f->err = negative_errno;
            f->armed = true;
            return 0;
        }
    }
    return -ENOSPC;
}

int np_actuator_recording_set_page_node(struct np_actuator *a,
                                        int (*fn)(void *addr, void *fn_ctx), void *fn_ctx)
{
    struct rec_ctx *c = rec_of(a);
    if (!c)
        return -EINVAL;
    c->page_node = fn;
    c->page_node_ctx = fn_ctx;
    return 0;
}
