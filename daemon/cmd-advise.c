/* cmd-advise: `advise NCPUS[:MB]`, numad -w for libvirt's placement='auto'.
 * What was advised stays reserved for ADVISE_RESERVATION_S so VMs starting
 * together spread out before their load shows in a cycle. */
#include <stdlib.h>
#include <string.h>
#include "advise.h"
#include "control.h"

#define ADVISE_RESERVATION_S      60.0
#define ADVISE_RESERVATION_MAX    64

struct advise_reservation {
    struct np_advise_reservation r;
    double expires;                 /* daemon_now() seconds */
};

/* What was advised and is still reserved; made at the first advise. */
struct advise_book {
    size_t n;
    struct advise_reservation reservations[ADVISE_RESERVATION_MAX];
};

static void prune(struct advise_book *book, double now)
{
    size_t k = 0;
    for (size_t i = 0; i < book->n; i++)
        if (book->reservations[i].expires > now)
            book->reservations[k++] = book->reservations[i];
    book->n = k;
}

size_t cmd_advise_reservations(struct daemon *d)
{
    if (!d->advise)
        return 0;
    prune(d->advise, daemon_now());
    return d->advise->n;
}

void cmd_advise_free(struct daemon *d)
{
    free(d->advise);
    d->advise = NULL;
}

int cmd_advise(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    if (!d->advise && !(d->advise = calloc(1, sizeof(*d->advise))))
        return cmd_fail(res, NP_ERR_INTERNAL, "out of memory");
    struct advise_book *book = d->advise;
    double now = daemon_now();
    prune(book, now);
    struct np_advise_reservation held[ADVISE_RESERVATION_MAX];
    for (size_t i = 0; i < book->n; i++)
        held[i] = book->reservations[i].r;
    unsigned nload = 0;
    const double *load = np_engine_node_load(d->engine, &nload);
    struct np_advise_params params = {
        .mem_headroom_pct = d->cfg.planner.mem_headroom_pct,
        .max_node_cpu_load = d->cfg.planner.max_node_cpu_load,
    };
    uint64_t mb = (req->present & NP_ARG_MB) ? req->mb : 0;
    struct np_nodeset nodes;
    enum np_advise_fit fit;
    int r = np_advise(np_engine_topology(d->engine), load, nload, held, book->n, &params,
                      req->ncpus, mb, &nodes, &fit);
    if (r < 0)
        return cmd_fail(res, NP_ERR_FAILED, "no topology to advise on");
    if (book->n == ADVISE_RESERVATION_MAX) {   /* the oldest gives way */
        memmove(&book->reservations[0], &book->reservations[1],
                (ADVISE_RESERVATION_MAX - 1) * sizeof(book->reservations[0]));
        book->n--;
    }
    struct advise_reservation *slot = &book->reservations[book->n++];
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
    jset(data, "reservations", jint((int64_t)book->n));
    return 0;
}
