/* cmd-move: `move [--force] PID NODES`, a manual placement through the engine's own
 * checks, actuator and migration budget. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "control.h"
#include "log.h"

int cmd_move(struct daemon *d, const struct np_request *req, struct json_object *data,
             struct cmd_result *res)
{
    struct np_action act;
    char why[256] = "";
    memset(&act, 0, sizeof(act));
    int r = np_engine_move(d->engine, req->pid, &req->nodes, req->force, daemon_now(), &act, why, sizeof(why));
    switch (r) {
    case 0:
        break;
    case -ESRCH:
        return cmd_fail(res, NP_ERR_NOT_FOUND, "pid %d: %s", req->pid, why[0] ? why : "no such process");
    case -EINVAL:
        return cmd_fail(res, NP_ERR_BAD_ARGS, "pid %d: %s", req->pid, why[0] ? why : "invalid target");
    case -EPERM:
    case -EBUSY:
        return cmd_fail(res, NP_ERR_REFUSED, "pid %d: %s", req->pid, why[0] ? why : strerror(-r));
    default:
        return cmd_fail(res, NP_ERR_FAILED, "pid %d: %s%s%s", req->pid, strerror(-r),
                        why[0] ? ": " : "", why);
    }
    char line[512];
    np_action_format(&act, line, sizeof(line));
    if (why[0]) {   /* the copy went to the mover */
        size_t len = strlen(line);
        snprintf(line + len, sizeof(line) - len, "; %s", why);
    }
    log_action(&act, line);
    jset(data, "action", cmd_action_json(&act));
    jset(data, "text", jstr(line));
    return 0;
}

int cmd_cancel(struct daemon *d, const struct np_request *req, struct json_object *data,
               struct cmd_result *res)
{
    int r = np_engine_cancel_move(d->engine, req->pid);
    if (r < 0)
        return cmd_fail(res, NP_ERR_NOT_FOUND, "pid %d: no memory move in flight", req->pid);
    char text[160];
    snprintf(text, sizeof(text),
             "pid %d: move cancelled: the copy stops at its next batch and the process gets its "
             "original affinity back (history: cancelled)", req->pid);
    jset(data, "text", jstr(text));
    return 0;
}
