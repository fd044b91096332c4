/* cmd-common: what several verbs put in their replies (process views,
 * actions, the mode word). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "control.h"

const char *cmd_mode_name(const struct daemon *d)
{
    if (np_engine_paused(d->engine))
        return "paused";
    return d->cfg.dry_run ? "dry-run" : "active";
}

void cmd_format_nodes(const struct np_nodeset *s, char *buf, size_t bufsz)
{
    if (np_bits_format_list(NP_NODES(s), buf, bufsz) < 0 && bufsz > 4)
        snprintf(buf + bufsz - 4, 4, "...");
}

const char *cmd_view_state(const struct np_proc_view *v)
{
    switch (v->state) {
    case NP_VIEW_GIVEN_UP:
        return "given-up";
    case NP_VIEW_SKIPPED:
        switch (v->skip) {
        case NP_SKIP_NONE:
            return v->hold == NP_HOLD_TOO_SMALL ? "too-small" : "skipped";
        case NP_SKIP_KTHREAD:
        case NP_SKIP_SELF:
        case NP_SKIP_EXCLUDED_PID:
        case NP_SKIP_EXCLUDED_NAME:
        case NP_SKIP_EXCLUDED_EXE:
        case NP_SKIP_EXCLUDED_CGROUP:
        case NP_SKIP_EXCLUDED_USER:
        case NP_SKIP_RUNTIME_EXCLUDED:
            return "excluded";
        default:
            return "pinned";
        }
    case NP_VIEW_CANDIDATE:
    case NP_VIEW_MANAGED:
        if (v->decided && v->decision.reason == NP_REASON_COOLDOWN)
            return "cooling-down";
        if (v->hold == NP_HOLD_IDLE)
            return "idle";
        return v->state == NP_VIEW_MANAGED ? "managed" : "candidate";
    }
    return "unknown";
}

struct json_object *jdbl(double v)
{
    if (!isfinite(v))
        return NULL;
    char text[64];
    int n = snprintf(text, sizeof(text), "%.4f", v);
    if (n <= 0 || (size_t)n >= sizeof(text))
        return json_object_new_double(v);
    /* Trailing zeros go, one decimal stays so the number reads as one. */
    while (n > 2 && text[n - 1] == '0' && text[n - 2] != '.')
        text[--n] = '\0';
    if (strcmp(text, "-0.0") == 0)
        return json_object_new_double_s(0.0, "0.0");
    return json_object_new_double_s(strtod(text, NULL), text);
}

static struct json_object *per_node(const struct np_topology *t, const uint64_t *kb, const double *share)
{
    struct json_object *o = json_object_new_object();
    for (unsigned i = 0; o && i < t->nnodes; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%d", t->nodes[i].id);
        jset(o, key, kb ? jint((int64_t)kb[i]) : jdbl(share[i]));
    }
    return o;
}

struct json_object *cmd_view_json(const struct daemon *d, const struct np_proc_view *v)
{
    const struct np_topology *t = np_engine_topology(d->engine);
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    char nodes[128];
    jset(o, "rank", v->decided ? jint(v->decision.rank) : NULL);
    jset(o, "pid", jint(v->pid));
    jset(o, "comm", jstr(v->comm));
    jset(o, "mem_kib", jint((int64_t)v->mem_kb));
    jset(o, "cpu", jdbl(v->cpu_use));
    jset(o, "state", json_object_new_string(cmd_view_state(v)));
    const char *reason = NULL;
    if (v->state == NP_VIEW_SKIPPED && v->skip != NP_SKIP_NONE)
        reason = np_skip_name(v->skip);
    else if (v->decided)
        reason = np_reason_name(v->decision.reason);
    jset(o, "reason", reason ? json_object_new_string(reason) : NULL);
    jset(o, "detail", jstr(v->detail));
    /* The view's per-node arrays follow the report's node order, which is
     * the engine's topology unless a cycle changed it since. */
    bool nodes_match = t && d->have_last && d->last.nnodes == t->nnodes;
    if (v->scored) {
        jset(o, "locality", jdbl(v->locality));
        jset(o, "remote_fraction", jdbl(1.0 - v->locality));
        jset(o, "locality_from", jstr(v->access_used ? "access" : "residency"));
        jset(o, "threads_apart", jbool(v->threads_apart));
        jset(o, "shared", jbool(v->decided && v->decision.shared));
        jset(o, "resident_locality", jdbl(v->resident_locality));
        jset(o, "access_locality", v->access_locality >= 0 ? jdbl(v->access_locality) : NULL);
        jset(o, "access_faults", jint((int64_t)v->access_faults));
        jset(o, "remote_kib", jint((int64_t)v->remote_kb));
        jset(o, "benefit", jdbl(v->benefit));
        jset(o, "node_kib", v->node_kb && nodes_match ? per_node(t, v->node_kb, NULL) : NULL);
        jset(o, "cpu_share", v->cpu_share && nodes_match ? per_node(t, NULL, v->cpu_share) : NULL);
        jset(o, "sampled", jbool(v->sampled));
    } else {
        jset(o, "locality", NULL);
        jset(o, "remote_fraction", NULL);
        jset(o, "locality_from", NULL);
    }
    if (v->decided) {
        struct json_object *dec = json_object_new_object();
        cmd_format_nodes(&v->decision.target, nodes, sizeof(nodes));
        jset(dec, "reason", json_object_new_string(np_reason_name(v->decision.reason)));
        jset(dec, "target", nodes[0] ? json_object_new_string(nodes) : NULL);
        jset(dec, "move_kib", jint((int64_t)v->decision.move_kb));
        jset(dec, "locality_before", jdbl(v->decision.locality_before));
        jset(dec, "locality_after", jdbl(v->decision.locality_after));
        jset(dec, "why", jstr(v->decision.why));
        jset(o, "decision", dec);
    } else {
        jset(o, "decision", NULL);
    }
    jset(o, "acted", jbool(v->acted));
    if (v->acted) {
        jset(o, "result", json_object_new_string(np_act_class_name(v->act_class)));
        jset(o, "error", v->act_error ? json_object_new_string(strerror(-v->act_error)) : NULL);
        jset(o, "moved_kib", jint((int64_t)v->moved_kb));
        jset(o, "partial", jbool(v->partial));
        jset(o, "via_cgroup", jbool(v->via_cgroup));
    }
    return o;
}

struct json_object *cmd_action_json(const struct np_action *a)
{
    struct json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    char from[128], to[128], when[64] = "";
    time_t secs = (time_t)a->wall_time;
    struct tm tm;
    if (localtime_r(&secs, &tm))
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
    cmd_format_nodes(&a->from, from, sizeof(from));
    cmd_format_nodes(&a->to, to, sizeof(to));
    jset(o, "time", jdbl(a->wall_time));
    jset(o, "time_text", json_object_new_string(when));
    jset(o, "pid", jint(a->pid));
    jset(o, "comm", jstr(a->comm));
    jset(o, "from", json_object_new_string(from));
    jset(o, "to", json_object_new_string(to));
    jset(o, "moved_bytes", jint((int64_t)(a->moved_kb * 1024)));
    jset(o, "duration_ms", jdbl(a->duration_ms));
    jset(o, "locality_before", jdbl(a->locality_before));
    jset(o, "locality_after", jdbl(a->locality_after));
    jset(o, "after_measured", jbool(a->after_measured));
    jset(o, "partial", jbool(a->partial));
    jset(o, "via_cgroup", jbool(a->via_cgroup));
    jset(o, "dry_run", jbool(a->dry_run));
    jset(o, "result", json_object_new_string(np_act_class_name(a->result)));
    jset(o, "error", a->error ? json_object_new_string(strerror(-a->error)) : NULL);
    return o;
}
