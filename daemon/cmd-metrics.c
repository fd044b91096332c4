/* cmd-metrics: `metrics` (OpenMetrics text in the reply) and the optional
 * HTTP GET /metrics listener on 127.0.0.1 (--metrics-port N). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include "control.h"
#include "log.h"

struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->buf && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap ? t->cap * 2 : 8192) + (size_t)n;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->failed = true;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
}

static void family(struct text *t, const char *name, const char *type, const char *unit, const char *help)
{
    add(t, "# TYPE %s %s\n", name, type);
    if (unit)
        add(t, "# UNIT %s %s\n", name, unit);
    add(t, "# HELP %s %s\n", name, help);
}

/* Label values escape \, " and newline (OpenMetrics); comms are UTF-8 sanitized first. */
static void label_value(const char *s, char *out, size_t outsz)
{
    char clean[64];
    np_utf8_sanitize(s, clean, sizeof(clean));
    size_t o = 0;
    for (const char *p = clean; *p && o + 3 < outsz; p++) {
        if (*p == '\\' || *p == '"') {
            out[o++] = '\\';
            out[o++] = *p;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

char *cmd_metrics_text(struct daemon *d, size_t *ret_len)
{
    struct text t = {0};
    const struct np_topology *topo = np_engine_topology(d->engine);
    const struct np_totals *tot = np_engine_totals(d->engine);
    unsigned nload = 0;
    const double *load = np_engine_node_load(d->engine, &nload);
    unsigned nn = topo ? topo->nnodes : 0;

    family(&t, "numaplace_node_memory_total_bytes", "gauge", "bytes", "MemTotal of the node.");
    for (unsigned i = 0; i < nn; i++)
        add(&t, "numaplace_node_memory_total_bytes{node=\"%d\"} %llu\n", topo->nodes[i].id,
            (unsigned long long)topo->nodes[i].mem_total_kb * 1024ULL);
    family(&t, "numaplace_node_memory_free_bytes", "gauge", "bytes", "MemFree of the node.");
    for (unsigned i = 0; i < nn; i++)
        add(&t, "numaplace_node_memory_free_bytes{node=\"%d\"} %llu\n", topo->nodes[i].id,
            (unsigned long long)topo->nodes[i].mem_free_kb * 1024ULL);
    family(&t, "numaplace_node_hugepages_free", "gauge", NULL, "Free huge pages of the node by page size.");
    for (unsigned i = 0; i < nn; i++)
        for (unsigned h = 0; h < topo->nodes[i].nhuge; h++)
            add(&t, "numaplace_node_hugepages_free{node=\"%d\",page_size_bytes=\"%llu\"} %llu\n",
                topo->nodes[i].id, (unsigned long long)topo->nodes[i].huge[h].page_kb * 1024ULL,
                (unsigned long long)topo->nodes[i].huge[h].free);
    family(&t, "numaplace_node_cpu_load", "gauge", NULL, "CPUs in use on the node at the last cycle.");
    for (unsigned i = 0; i < nn && load && nload == nn; i++)
        add(&t, "numaplace_node_cpu_load{node=\"%d\"} %.3f\n", topo->nodes[i].id, load[i]);

    family(&t, "numaplace_process_remote_ratio", "gauge", "ratio",
           "Fraction of a managed process's memory on nodes other than the ones it runs on.");
    for (size_t i = 0; d->have_last && i < d->last.nviews; i++) {
        const struct np_proc_view *v = &d->last.views[i];
        if (v->state != NP_VIEW_MANAGED || !v->scored)
            continue;
        char comm[160];
        label_value(v->comm, comm, sizeof(comm));
        add(&t, "numaplace_process_remote_ratio{pid=\"%d\",comm=\"%s\"} %.4f\n", v->pid, comm,
            1.0 - v->locality);
    }
    family(&t, "numaplace_process_remote_access_ratio", "gauge", "ratio",
           "Fraction of a managed process's memory accesses (the kernel's NUMA hinting faults) on "
           "nodes other than the one each thread runs on; only while kernel balancing runs.");
    for (size_t i = 0; d->have_last && i < d->last.nviews; i++) {
        const struct np_proc_view *v = &d->last.views[i];
        if (v->state != NP_VIEW_MANAGED || !v->scored || v->access_locality < 0)
            continue;
        char comm[160];
        label_value(v->comm, comm, sizeof(comm));
        add(&t, "numaplace_process_remote_access_ratio{pid=\"%d\",comm=\"%s\"} %.4f\n", v->pid,
            comm, 1.0 - v->access_locality);
    }

    /* Every reason, zeros included, so each series exists from the start. */
    family(&t, "numaplace_skipped_processes", "gauge", NULL,
           "Processes left alone at the last cycle, by reason (excluded, pinned, memory policy, ...).");
    unsigned skipped[NP_SKIP_COUNT] = {0};
    for (size_t i = 0; d->have_last && i < d->last.nviews; i++)
        if (d->last.views[i].state == NP_VIEW_SKIPPED && (unsigned)d->last.views[i].skip < NP_SKIP_COUNT)
            skipped[d->last.views[i].skip]++;
    for (int s = NP_SKIP_NONE + 1; s < NP_SKIP_COUNT; s++)
        add(&t, "numaplace_skipped_processes{reason=\"%s\"} %u\n", np_skip_name((enum np_skip)s), skipped[s]);

    family(&t, "numaplace_cycles", "counter", NULL, "Placement cycles run.");
    add(&t, "numaplace_cycles_total %llu\n", (unsigned long long)tot->cycles);
    family(&t, "numaplace_moves", "counter", NULL, "Processes moved.");
    add(&t, "numaplace_moves_total %llu\n", (unsigned long long)tot->moves);
    family(&t, "numaplace_migrated_bytes", "counter", "bytes", "Memory migrated.");
    add(&t, "numaplace_migrated_bytes_total %llu\n", (unsigned long long)tot->moved_kb * 1024ULL);
    family(&t, "numaplace_moves_cancelled", "counter", NULL, "Moves stopped part-way on request.");
    add(&t, "numaplace_moves_cancelled_total %llu\n", (unsigned long long)tot->cancelled);
    family(&t, "numaplace_moves_in_flight", "gauge", NULL, "Memory copies the mover threads run or have queued.");
    add(&t, "numaplace_moves_in_flight %zu\n", np_engine_moves_in_flight(d->engine, 0, NULL));
    family(&t, "numaplace_failures", "counter", NULL, "Failed moves by class.");
    for (int c = NP_ACT_GONE; c <= NP_ACT_INVALID; c++)
        add(&t, "numaplace_failures_total{class=\"%s\"} %llu\n", np_act_class_name((enum np_act_class)c),
            (unsigned long long)tot->failures[c]);
    family(&t, "numaplace_last_cycle_cpu_seconds", "gauge", "seconds", "CPU time of the last cycle.");
    add(&t, "numaplace_last_cycle_cpu_seconds %.6f\n", d->have_last ? d->last.cpu_ms / 1000.0 : 0.0);
    family(&t, "numaplace_last_cycle_wall_seconds", "gauge", "seconds", "Wall time of the last cycle.");
    add(&t, "numaplace_last_cycle_wall_seconds %.6f\n", d->have_last ? d->last.wall_ms / 1000.0 : 0.0);
    family(&t, "numaplace_paused", "gauge", NULL, "1 while placement is paused.");
    add(&t, "numaplace_paused %d\n", np_engine_paused(d->engine) ? 1 : 0);
    family(&t, "numaplace_dry_run", "gauge", NULL, "1 in dry-run mode.");
    add(&t, "numaplace_dry_run %d\n", d->cfg.dry_run ? 1 : 0);
    add(&t, "# EOF\n");
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    *ret_len = t.len;
    return t.buf;
}

int cmd_metrics(struct daemon *d, const struct np_request *req, struct json_object *data,
                struct cmd_result *res)
{
    size_t len = 0;
    char *text = cmd_metrics_text(d, &len);
    if (!text)
        return cmd_fail(res, NP_ERR_INTERNAL, "out of memory");
    jset(data, "content_type", json_object_new_string("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    jset(data, "text", json_object_new_string_len(text, (int)len));
    free(text);
    return 0;
}
