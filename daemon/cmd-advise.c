/* cmd-advise: `advise NCPUS[:MB]`, numad -w for libvirt's placement='auto'.
 * What was advised stays reserved for ADVISE_RESERVATION_S so VMs starting
 * together spread out before their load shows in a cycle. */
#include <string.h>
#include "control.h"

static void prune(struct control *ctl, double now)
{
    size_t k = 0;
    for (size_t i = 0; i < ctl->nreservations; i++)
        if (ctl->reservations[i].expires > now)
            ctl->reservations[k++] = ctl->reservations[i];
    ctl->nreservations = k;
}

int cmd_advise(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    struct control *ctl = d->control;
    double now = daemon_now();
    prune(ctl, now);
    struct np_advise_reservation held[ADVISE_RESERVATION_MAX];
    for (size_t i = 0; i < ctl->nreservations; i++)
        held[i] = ctl->reservations[i].r;
    unsigned nload = 0;
    const double *load = np_engine_node_load(d->engine, &nload);
    struct np_advise_params params = {
        .mem_headroom_pct = d->cfg.planner.mem_headroom_pct,
        .max_node_cpu_load = d->cfg.planner.max_node_cpu_load,
    };
    uint64_t mb = (req->present & NP_ARG_MB) ? req->mb : 0;
    struct np_nodeset nodes;
    enum np_advise_fit fit;
    int r = np_advise(np_engine_topology(d->engine), load, nload, held, ctl->nreservations, &params,
                      req->ncpus, mb, &nodes, &fit);
    if (r < 0)
        return cmd_fail(res, NP_ERR_FAILED, "no topology to advise on");
    if (ctl->nreservations == ADVISE_RESERVATION_MAX) {   /* the oldest gives way */
        memmove(&ctl->reservations[0], &ctl->reservations[1],
                (ADVISE_RESERVATION_MAX - 1) * sizeof(ctl->reservations[0]));
        ctl->nreservations--;
    }
    struct advise_reservation *slot = &ctl->reservations[ctl->nreservations++];
    slot->r.nodes = nodes;
    slot->r.ncpus = req->ncpus;
    slot->r.kb = mb * 1024;
    slot->expires = now + ADVISE_RESERVATION_S;

    char list[512];
    cmd_format_nodes(&nodes, list, sizeof(list));
    jset(data, "nodes", json_object_new_string(list));
    jset(data, "fit", json_object_new_string(np_advise_fit_name(fit)));
    jset(data, "ncpus", jint(req->ncpus));
    jset(data, "mb", jint((int64_t)mb));
    jset(data, "reserved_s", jdbl(ADVISE_RESERVATION_S));
    jset(data, "reservations", jint((int64_t)ctl->nreservations));
    return 0;
}
