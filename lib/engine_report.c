/* engine_report: the cycle report and actions as text (logs, --once,
 * golden tests). See engine.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"

const char *np_view_state_name(enum np_view_state s)
{
    switch (s) {
    case NP_VIEW_CANDIDATE: return "candidate";
    case NP_VIEW_MANAGED:   return "managed";
    case NP_VIEW_SKIPPED:   return "skipped";
    case NP_VIEW_GIVEN_UP:  return "given-up";
    }
    return "?";
}

void np_cycle_report_clear(struct np_cycle_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nviews; i++) {
        free(r->views[i].node_kb);
        free(r->views[i].cpu_share);
    }
    free(r->views);
    free(r->actions);
    memset(r, 0, sizeof(*r));
}

static void format_kb(uint64_t kb, char *buf, size_t sz)
{
    if (kb >= 1024 * 1024)
        snprintf(buf, sz, "%.1fG", (double)kb / (1024.0 * 1024.0));
    else if (kb >= 1024)
        snprintf(buf, sz, "%.1fM", (double)kb / 1024.0);
    else
        snprintf(buf, sz, "%lluK", (unsigned long long)kb);
}

static void format_nodes(const struct np_nodeset *s, char *buf, size_t sz)
{
    if (np_bits_format_list(s->w, NP_MAX_NODES, buf, sz) < 0 || !buf[0])
        snprintf(buf, sz, "-");
}

void np_action_format(const struct np_action *a, char *buf, size_t bufsz)
{
    char from[64], to[64], moved[32];
    format_nodes(&a->from, from, sizeof(from));
    format_nodes(&a->to, to, sizeof(to));
    format_kb(a->moved_kb, moved, sizeof(moved));
    if (a->result == NP_ACT_CANCELLED) {
        /* Asked for (pause, cancel, exclusion, exit): not a failure. */
        snprintf(buf, bufsz, "pid %d (%s): move nodes %s -> %s cancelled after %s moved in %.0f ms",
                 a->pid, a->comm, from, to, moved, a->duration_ms);
        return;
    }
    if (a->result != NP_ACT_OK) {
        snprintf(buf, bufsz, "pid %d (%s): move nodes %s -> %s failed: %s (%s)", a->pid, a->comm,
                 from, to, strerror(-a->error), np_act_class_name(a->result));
        return;
    }
    snprintf(buf, bufsz, "%spid %d (%s): nodes %s -> %s%s, %s moved in %.0f ms%s, locality %.0f%% -> %.0f%%%s",
             a->dry_run ? "dry-run: " : "", a->pid, a->comm, from, to,
             a->via_cgroup ? " via cgroup cpuset" : "", moved, a->duration_ms,
             a->partial ? " (partial: rest next cycle)" : "",
             a->locality_before * 100.0, a->locality_after * 100.0,
             a->after_measured ? "" : " expected");
}

static const struct {
    const char *name, *message_id;
} events[NP_EVENT_COUNT] = {
    [NP_EVENT_MOVED] = {"moved", "218bf87725054c5d831ca79650176241"},
    [NP_EVENT_MOVE_FAILED] = {"move-failed", "bc8ab99eb60a408a86004c4441092100"},
    [NP_EVENT_MOVE_CANCELLED] = {"move-cancelled", "3395099883ea42a29017a10ef75fb79f"},
    [NP_EVENT_GIVEN_UP] = {"given-up", "e28bfe0731d24f84ac175adad550e787"},
    [NP_EVENT_REFUSED] = {"refused", "0aceb85839a448109bd8fb5834dbcdfa"},
};

const char *np_event_kind_name(enum np_event_kind k)
{
    return (unsigned)k < NP_EVENT_COUNT ? events[k].name : "?";
}

const char *np_event_message_id(enum np_event_kind k)
{
    return (unsigned)k < NP_EVENT_COUNT ? events[k].message_id : "";
}

enum np_event_kind np_action_event_kind(const struct np_action *a)
{
    if (a->result == NP_ACT_OK)
        return NP_EVENT_MOVED;
    return a->result == NP_ACT_CANCELLED ? NP_EVENT_MOVE_CANCELLED : NP_EVENT_MOVE_FAILED;
}

static void add_field(struct np_event_fields *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_field(struct np_event_fields *f, const char *key, const char *fmt, ...)
{
    if (f->n >= NP_EVENT_FIELDS_MAX)
        return;
    char *out = f->field[f->n++];
    int len = snprintf(out, NP_EVENT_FIELD_LEN, "%s=", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + len, NP_EVENT_FIELD_LEN - (size_t)len, fmt, ap);
    va_end(ap);
}

static void begin_event(struct np_event_fields *f, enum np_event_kind k)
{
    f->n = 0;
    add_field(f, "MESSAGE_ID", "%s", np_event_message_id(k));
    add_field(f, "NUMAPLACE_EVENT", "%s", np_event_kind_name(k));
}

void np_action_event_fields(const struct np_action *a, struct np_event_fields *ret)
{
    char from[64], to[64];
    format_nodes(&a->from, from, sizeof(from));
    format_nodes(&a->to, to, sizeof(to));
    begin_event(ret, np_action_event_kind(a));
    add_field(ret, "NUMAPLACE_PID", "%d", a->pid);
    add_field(ret, "NUMAPLACE_COMM", "%s", a->comm);
    add_field(ret, "NUMAPLACE_FROM", "%s", from);
    add_field(ret, "NUMAPLACE_TO", "%s", to);
    add_field(ret, "NUMAPLACE_BYTES", "%llu", (unsigned long long)a->moved_kb * 1024ULL);
    add_field(ret, "NUMAPLACE_DURATION_MS", "%.0f", a->duration_ms);
    add_field(ret, "NUMAPLACE_REASON", "%s", a->result == NP_ACT_OK ? "ok" : np_act_class_name(a->result));
    if (a->result != NP_ACT_OK && a->error < 0)
        add_field(ret, "ERRNO", "%d", -a->error);
    if (a->dry_run)
        add_field(ret, "NUMAPLACE_DRY_RUN", "1");
}

void np_refusal_event_fields(const struct np_refusal *r, struct np_event_fields *ret)
{
    begin_event(ret, r->kind);
    if (r->pid > 0)
        add_field(ret, "NUMAPLACE_PID", "%d", r->pid);
    if (r->comm && r->comm[0])
        add_field(ret, "NUMAPLACE_COMM", "%s", r->comm);
    if (r->verb)
        add_field(ret, "NUMAPLACE_VERB", "%s", r->verb);
    if (r->client_uid >= 0)
        add_field(ret, "NUMAPLACE_CLIENT_UID", "%ld", r->client_uid);
    add_field(ret, "NUMAPLACE_REASON", "%s", r->reason ? r->reason : "");
}

void np_cycle_report_print(FILE *out, const struct np_engine *e,
                           const struct np_cycle_report *r, bool verbose)
{
    const struct np_topology *t = e->topo;
    fprintf(out, "nodes %u, processes scanned %zu%s, busy %zu, scored %zu, kernel numa_balancing %s, memory moves %s\n",
            t->nnodes, r->nscanned, r->truncated ? " (truncated)" : "", r->nbusy, r->ncandidates,
            r->numa_balancing < 0 ? "absent" : r->numa_balancing ? "on" : "off",
            r->memory_moves ? "by numaplaced" : "left to the kernel");
    fprintf(out, "%-4s %7s %-16s %8s %5s %6s %8s %9s  %-28s %s\n", "RANK", "PID", "COMM", "MEM",
            "CPU", "LOCAL", "REMOTE", "BENEFIT", "MEM/NODE(MiB)", "DECISION");
    for (size_t i = 0; i < r->nviews; i++) {
        const struct np_proc_view *v = &r->views[i];
        char mem[32], remote[32], pernode[160] = "", rank[16];
        format_kb(v->mem_kb, mem, sizeof(mem));
        if (v->scored) {
            format_kb(v->remote_kb, remote, sizeof(remote));
            size_t len = 0;
            for (unsigned n = 0; n < t->nnodes && v->node_kb && len < sizeof(pernode); n++)
                len += (size_t)snprintf(pernode + len, sizeof(pernode) - len, "%s%d:%llu",
                                        n ? " " : "", t->nodes[n].id,
                                        (unsigned long long)(v->node_kb[n] / 1024));
        } else {
            snprintf(remote, sizeof(remote), "-");
            snprintf(pernode, sizeof(pernode), "-");
        }
        if (v->decided)
            snprintf(rank, sizeof(rank), "%u", v->decision.rank);
        else
            snprintf(rank, sizeof(rank), "-");
        char decision[400];
        if (v->state == NP_VIEW_SKIPPED && v->skip != NP_SKIP_NONE)
            snprintf(decision, sizeof(decision), "skip: %s%s%s", np_skip_name(v->skip),
                     v->detail[0] ? ": " : "", v->detail);
        else if (v->state == NP_VIEW_SKIPPED || v->state == NP_VIEW_GIVEN_UP)
            snprintf(decision, sizeof(decision), "%s: %s", np_view_state_name(v->state), v->detail);
        else if (v->decided) {
            char target[64];
            format_nodes(&v->decision.target, target, sizeof(target));
            if (v->decision.reason == NP_REASON_MOVE)
                snprintf(decision, sizeof(decision), "move -> %s%s: %s", target,
                         v->deferred ? " (deferred to the next cycle)"
                         : v->acted && v->act_class != NP_ACT_OK ? " (failed)" : "",
                         v->decision.why);
            else
                snprintf(decision, sizeof(decision), "keep (%s): %s",
                         np_reason_name(v->decision.reason), v->decision.why);
        } else
            snprintf(decision, sizeof(decision), "%s", np_view_state_name(v->state));
        if (v->scored)
            fprintf(out, "%-4s %7d %-16.16s %8s %5.2f %5.1f%% %8s %9.1f  %-28s %s\n", rank, v->pid,
                    v->comm, mem, v->cpu_use, v->locality * 100.0, remote, v->benefit, pernode, decision);
        else if (verbose || v->skip != NP_SKIP_NONE || v->state == NP_VIEW_GIVEN_UP)
            fprintf(out, "%-4s %7d %-16.16s %8s %5.2f %6s %8s %9s  %-28s %s\n", rank, v->pid, v->comm,
                    mem, v->cpu_use, "-", "-", "-", "-", decision);
    }
    for (size_t i = 0; i < r->nactions; i++) {
        char line[512];
        np_action_format(&r->actions[i], line, sizeof(line));
        fprintf(out, "action: %s\n", line);
    }
}
