/* cmd-list: `list` (alias `top`), `show PID` and `history`: what the daemon
 * saw in its last cycle and what it did. */
#include <stdio.h>
#include "control.h"

static struct json_object *node_ids(const struct daemon *d)
{
    const struct np_topology *t = np_engine_topology(d->engine);
    struct json_object *a = json_object_new_array();
    for (unsigned i = 0; t && a && i < t->nnodes; i++)
        json_object_array_add(a, jint(t->nodes[i].id));
    return a;
}

/* Without --all, what `numaplaced --once` prints: scored processes and the
 * ones skipped for a reason worth showing. */
static bool listed(const struct np_proc_view *v, bool all)
{
    return all || v->scored || v->skip != NP_SKIP_NONE || v->state == NP_VIEW_GIVEN_UP;
}

int cmd_list(struct daemon *d, const struct np_request *req, struct json_object *data,
             struct cmd_result *res)
{
    bool all = (req->present & NP_ARG_ALL) && req->all;
    unsigned limit = (req->present & NP_ARG_LIMIT) ? req->limit : 0;
    struct json_object *procs = json_object_new_array();
    size_t shown = 0, total = 0;
    for (size_t i = 0; d->have_last && i < d->last.nviews; i++) {
        const struct np_proc_view *v = &d->last.views[i];
        if (!listed(v, all))
            continue;
        total++;
        if (limit && shown >= limit)
            continue;
        json_object_array_add(procs, cmd_view_json(d, v));
        shown++;
    }
    jset(data, "cycle", cmd_cycle_json(d));
    jset(data, "mode", json_object_new_string(cmd_mode_name(d)));
    jset(data, "nodes", node_ids(d));
    jset(data, "total", jint((int64_t)total));
    jset(data, "processes", procs);
    return 0;
}

static struct json_object *history_for(const struct daemon *d, int pid, unsigned limit)
{
    struct json_object *a = json_object_new_array();
    size_t n = np_engine_history_count(d->engine);
    for (size_t k = n; k > 0 && a; k--) {   /* newest first */
        const struct np_action *act = np_engine_history(d->engine, k - 1);
        if (!act || (pid > 0 && act->pid != pid))
            continue;
        if (limit && json_object_array_length(a) >= limit)
            break;
        json_object_array_add(a, cmd_action_json(act));
    }
    return a;
}

int cmd_show(struct daemon *d, const struct np_request *req, struct json_object *data,
             struct cmd_result *res)
{
    const struct np_proc_view *v = NULL;
    for (size_t i = 0; d->have_last && i < d->last.nviews && !v; i++)
        if (d->last.views[i].pid == req->pid)
            v = &d->last.views[i];
    struct json_object *hist = history_for(d, req->pid, 0);
    if (!v && json_object_array_length(hist) == 0) {
        json_object_put(hist);
        return cmd_fail(res, NP_ERR_NOT_FOUND,
                        "pid %d was not seen in the last cycle (idle, below the CPU threshold, or gone) "
                        "and has no history", req->pid);
    }
    const int *pids;
    bool runtime_excluded = false;
    size_t npids = np_engine_excluded_pids(d->engine, &pids);
    for (size_t i = 0; i < npids; i++)
        runtime_excluded |= pids[i] == req->pid;
    jset(data, "pid", jint(req->pid));
    jset(data, "seen", jbool(v != NULL));
    jset(data, "nodes", node_ids(d));
    jset(data, "process", v ? cmd_view_json(d, v) : NULL);
    jset(data, "runtime_excluded_pid", jbool(runtime_excluded));
    jset(data, "mode", json_object_new_string(cmd_mode_name(d)));
    jset(data, "history", hist);
    return 0;
}

int cmd_history(struct daemon *d, const struct np_request *req, struct json_object *data,
                struct cmd_result *res)
{
    unsigned limit = (req->present & NP_ARG_LIMIT) ? req->limit : 50;
    int pid = (req->present & NP_ARG_PID) ? req->pid : 0;
    jset(data, "kept", jint((int64_t)np_engine_history_count(d->engine)));
    jset(data, "actions", history_for(d, pid, limit));
    return 0;
}
