/* cmd-steer: `pause`, `resume`, `dry-run on|off`, `rescan`, `reload`:
 * steering the running daemon without a restart. */
#include <errno.h>
#include <string.h>
#include <event2/event.h>
#include "control.h"
#include "log.h"

static void mode_reply(struct daemon *d, struct json_object *data, bool changed)
{
    jset(data, "changed", jbool(changed));
    jset(data, "mode", json_object_new_string(cmd_mode_name(d)));
    jset(data, "paused", jbool(np_engine_paused(d->engine)));
    jset(data, "dry_run", jbool(d->cfg.dry_run));
    jset(data, "changes_real", jbool(d->act.ops && !d->cfg.dry_run));
}

static int set_paused(struct daemon *d, bool paused, struct json_object *data)
{
    bool changed = np_engine_paused(d->engine) != paused;
    np_engine_set_paused(d->engine, paused);
    if (changed)
        log_notice("placement %s", paused ? "paused: cycles plan but apply nothing" : "resumed");
    mode_reply(d, data, changed);
    return 0;
}

int cmd_pause(struct daemon *d, const struct np_request *req, struct json_object *data,
              struct cmd_result *res)
{
    return set_paused(d, true, data);
}

/* Resuming places at once: the cycles while paused kept measuring, so
 * what they planned is current, and the next timed cycle may be a whole
 * interval away. */
int cmd_resume(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    bool was_paused = np_engine_paused(d->engine);
    int r = set_paused(d, false, data);
    if (r == 0 && was_paused && d->cycle_timer) {
        (void)daemon_run_cycle(d);
        if (daemon_schedule_cycle(d) < 0)
            return cmd_fail(res, NP_ERR_FAILED, "resumed, but the next cycle could not be scheduled (see the daemon's log)");
        if (d->have_last)
            jset(data, "cycle", cmd_cycle_json(d));
    }
    return r;
}

int cmd_dry_run(struct daemon *d, const struct np_request *req, struct json_object *data,
                struct cmd_result *res)
{
    bool changed = d->cfg.dry_run != req->enable;
    d->cfg.dry_run = req->enable;
    daemon_apply_mode(d);
    if (changed)
        log_notice("dry-run %s (until the next reload)", req->enable ? "on" : "off");
    mode_reply(d, data, changed);
    if (!req->enable && !d->act.ops)
        jset(data, "note", json_object_new_string(
                               "no real actuator (--sysroot): actions are still only recorded"));
    return 0;
}

int cmd_rescan(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    uint64_t before = np_engine_totals(d->engine)->cycles;
    (void)daemon_run_cycle(d);
    /* The next timed cycle is a full interval away: CPU use measured over a
     * sliver of time right after a rescan would be noise. */
    if (d->cycle_timer && daemon_schedule_cycle(d) < 0)
        return cmd_fail(res, NP_ERR_FAILED, "the cycle ran, but the next one could not be scheduled (see the daemon's log)");
    if (np_engine_totals(d->engine)->cycles == before && !d->have_last)
        return cmd_fail(res, NP_ERR_FAILED, "the cycle could not run (see the daemon's log)");
    jset(data, "cycle", cmd_cycle_json(d));
    return 0;
}

int cmd_reload(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    char err[512] = "";
    int r = daemon_reload(d, err, sizeof(err));
    if (r < 0)
        return cmd_fail(res, NP_ERR_FAILED, "%s", err[0] ? err : strerror(-r));
    mode_reply(d, data, true);
    jset(data, "interval_s", jdbl(d->cfg.interval));
    return 0;
}
