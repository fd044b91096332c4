/* cmd-status: `status`, the daemon at a glance. */
#include <stdio.h>
#include <unistd.h>
#include "control.h"

static const char *numa_balancing_text(int mode)
{
    switch (mode) {
    case -1: return "absent";
    case 0: return "off";
    case 1: return "on";
    case 2: return "memory-tiering";
    case 3: return "on+memory-tiering";
    }
    return "unknown";
}

static struct json_object *nodes_json(const struct daemon *d)
{
    const struct np_topology *t = np_engine_topology(d->engine);
    unsigned nload = 0;
    const double *load = np_engine_node_load(d->engine, &nload);
    struct json_object *arr = json_object_new_array();
    for (unsigned i = 0; t && arr && i < t->nnodes; i++) {
        const struct np_node *n = &t->nodes[i];
        struct json_object *o = json_object_new_object(), *huge = json_object_new_array();
        char cpus[1024];
        if (np_bits_format_list(NP_CPUS(&n->cpus), cpus, sizeof(cpus)) < 0)
            snprintf(cpus + sizeof(cpus) - 4, 4, "...");
        jset(o, "id", jint(n->id));
        jset(o, "cpus", json_object_new_string(cpus));
        jset(o, "ncpus", jint(n->ncpus));
        jset(o, "mem_total_mib", jint((int64_t)(n->mem_total_kb / 1024)));
        jset(o, "mem_free_mib", jint((int64_t)(n->mem_free_kb / 1024)));
        jset(o, "mem_usable_mib", jint((int64_t)(np_node_usable_kb(n) / 1024)));
        for (unsigned h = 0; h < n->nhuge; h++) {
            struct json_object *hp = json_object_new_object();
            jset(hp, "page_kib", jint((int64_t)n->huge[h].page_kb));
            jset(hp, "total", jint((int64_t)n->huge[h].total));
            jset(hp, "free", jint((int64_t)n->huge[h].free));
            json_object_array_add(huge, hp);
        }
        jset(o, "hugepages", huge);
        jset(o, "cpu_load", load && nload == t->nnodes ? jdbl(load[i]) : NULL);
        json_object_array_add(arr, o);
    }
    return arr;
}

static struct json_object *exclusions_json(const struct daemon *d)
{
    const int *pids;
    const char *const *names;
    size_t npids = np_engine_excluded_pids(d->engine, &pids);
    size_t nnames = np_engine_excluded_names(d->engine, &names);
    struct json_object *o = json_object_new_object(), *jp = json_object_new_array(),
                       *jn = json_object_new_array();
    for (size_t i = 0; i < npids; i++)
        json_object_array_add(jp, jint(pids[i]));
    for (size_t i = 0; i < nnames; i++)
        json_object_array_add(jn, jstr(names[i]));
    jset(o, "pids", jp);
    jset(o, "names", jn);
    return o;
}

struct json_object *cmd_cycle_json(const struct daemon *d)
{
    if (!d->have_last)
        return NULL;
    const struct np_cycle_report *r = &d->last;
    struct json_object *o = json_object_new_object();
    jset(o, "age_s", jdbl(daemon_now() - r->started));
    jset(o, "cpu_ms", jdbl(r->cpu_ms));
    jset(o, "wall_ms", jdbl(r->wall_ms));
    jset(o, "scanned", jint((int64_t)r->nscanned));
    jset(o, "unread", jint((int64_t)r->nunread));
    jset(o, "truncated", jbool(r->truncated));
    jset(o, "busy", jint((int64_t)r->nbusy));
    jset(o, "scored", jint((int64_t)r->ncandidates));
    jset(o, "actions", jint((int64_t)r->nactions));
    jset(o, "paused", jbool(r->paused));
    return o;
}

/* The mover's jobs: pid, from -> to, MiB done of total, MB/s, elapsed. */
static struct json_object *moves_json(const struct daemon *d)
{
    struct json_object *a = json_object_new_array();
    struct np_move_status ms;
    double now = daemon_now();
    size_t n = np_engine_moves_in_flight(d->engine, 0, NULL);
    for (size_t i = 0; i < n && np_engine_moves_in_flight(d->engine, i, &ms) > i; i++) {
        struct json_object *o = json_object_new_object();
        char from[256], to[256];
        if (np_bits_format_list(NP_NODES(&ms.from), from, sizeof(from)) < 0)
            from[0] = '\0';
        if (np_bits_format_list(NP_NODES(&ms.to), to, sizeof(to)) < 0)
            to[0] = '\0';
        double elapsed = now - ms.started;
        jset(o, "pid", jint(ms.pid));
        jset(o, "comm", jstr(ms.comm));
        jset(o, "from", jstr(from));
        jset(o, "to", jstr(to));
        jset(o, "done_bytes", jint((int64_t)(ms.done_kb * 1024)));
        jset(o, "total_bytes", jint((int64_t)(ms.total_kb * 1024)));
        jset(o, "elapsed_s", jdbl(elapsed));
        jset(o, "mb_per_s", jdbl(elapsed > 0 ? (double)ms.done_kb / 1024.0 / elapsed : 0.0));
        jset(o, "cancelling", jbool(ms.cancelling));
        json_object_array_add(a, o);
    }
    return a;
}

int cmd_status(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    const struct np_totals *tot = np_engine_totals(d->engine);
    struct control_stats cs;
    control_stats(d, &cs);
    jset(data, "version", json_object_new_string(NP_VERSION));
    jset(data, "protocol", jint(NP_PROTOCOL_VERSION));
    jset(data, "pid", jint(getpid()));
    jset(data, "uptime_s", jdbl(daemon_now() - d->started));
    jset(data, "mode", json_object_new_string(cmd_mode_name(d)));
    jset(data, "paused", jbool(np_engine_paused(d->engine)));
    jset(data, "dry_run", jbool(d->cfg.dry_run));
    jset(data, "changes_real", jbool(d->act.ops && !d->cfg.dry_run));
    jset(data, "interval_s", jdbl(d->cfg.interval));
    jset(data, "root", jstr(d->root.path));

    struct json_object *nb = json_object_new_object();
    int mode = d->have_last ? d->last.numa_balancing : -1;
    jset(nb, "mode", jint(mode));
    jset(nb, "state", json_object_new_string(numa_balancing_text(mode)));
    jset(nb, "policy", json_object_new_string(d->cfg.policy.numa_balancing == NP_NB_TAKEOVER
                                                  ? "takeover" : "coexist"));
    jset(nb, "memory_moves", d->have_last ? jbool(d->last.memory_moves) : NULL);
    jset(data, "numa_balancing", nb);

    jset(data, "nodes", nodes_json(d));
    jset(data, "last_cycle", cmd_cycle_json(d));

    struct json_object *jt = json_object_new_object(), *fail = json_object_new_object();
    jset(jt, "cycles", jint((int64_t)tot->cycles));
    jset(jt, "moves", jint((int64_t)tot->moves));
    jset(jt, "moved_bytes", jint((int64_t)(tot->moved_kb * 1024)));
    jset(jt, "cancelled", jint((int64_t)tot->cancelled));
    for (int c = NP_ACT_GONE; c <= NP_ACT_INVALID; c++)
        jset(fail, np_act_class_name((enum np_act_class)c), jint((int64_t)tot->failures[c]));
    jset(jt, "failures", fail);
    jset(data, "totals", jt);
    jset(data, "runtime_exclusions", exclusions_json(d));
    jset(data, "moves_in_flight", moves_json(d));

    struct json_object *jc = json_object_new_object();
    jset(jc, "clients", jint(cs.clients));
    jset(jc, "requests", jint((int64_t)cs.requests));
    jset(jc, "refused_clients", jint((int64_t)cs.refused_clients));
    jset(jc, "dropped_clients", jint((int64_t)cs.dropped_clients));
    jset(jc, "advise_reservations", jint((int64_t)cmd_advise_reservations(d)));
    jset(data, "control", jc);
    return 0;
}
