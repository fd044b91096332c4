/* cmd-exclude: `exclude` and `include` by pid or comm glob. Runtime
 * exclusions live in the engine and survive config reloads. */
#include <errno.h>
#include <string.h>
#include "control.h"
#include "log.h"

static int change(struct daemon *d, const struct np_request *req, bool exclude,
                  struct json_object *data, struct cmd_result *res)
{
    bool by_pid = req->present & NP_ARG_PID;
    int r;
    if (by_pid)
        r = exclude ? np_engine_exclude_pid(d->engine, req->pid) : np_engine_include_pid(d->engine, req->pid);
    else
        r = exclude ? np_engine_exclude_name(d->engine, req->name)
                    : np_engine_include_name(d->engine, req->name);
    char what[NP_MAX_PATTERN + 16];
    if (by_pid)
        snprintf(what, sizeof(what), "pid %d", req->pid);
    else
        snprintf(what, sizeof(what), "name '%s'", req->name);
    switch (r) {
    case 0:
        break;
    case -EEXIST:
        return cmd_fail(res, NP_ERR_EXISTS, "%s is already excluded", what);
    case -ENOENT:
        return cmd_fail(res, NP_ERR_NOT_FOUND, "%s is not a runtime exclusion", what);
    case -ENOSPC:
        return cmd_fail(res, NP_ERR_FAILED, "too many runtime exclusions (at most 1024 of each kind)");
    case -EINVAL:
        return cmd_fail(res, NP_ERR_BAD_ARGS, "invalid %s", what);
    default:
        return cmd_fail(res, NP_ERR_FAILED, "%s: %s", what, strerror(-r));
    }
    log_notice("runtime exclusion %s: %s", exclude ? "added" : "removed", what);
    const int *pids;
    const char *const *names;
    size_t npids = np_engine_excluded_pids(d->engine, &pids);
    size_t nnames = np_engine_excluded_names(d->engine, &names);
    struct json_object *jp = json_object_new_array(), *jn = json_object_new_array();
    for (size_t i = 0; i < npids; i++)
        json_object_array_add(jp, jint(pids[i]));
    for (size_t i = 0; i < nnames; i++)
        json_object_array_add(jn, jstr(names[i]));
    jset(data, "excluded", jbool(exclude));
    jset(data, "what", jstr(what));
    jset(data, "pids", jp);
    jset(data, "names", jn);
    jset(data, "note", json_object_new_string("takes effect at the next cycle (or `rescan`)"));
    return 0;
}

int cmd_exclude(struct daemon *d, const struct np_request *req, struct json_object *data,
                struct cmd_result *res)
{
    return change(d, req, true, data, res);
}

int cmd_include(struct daemon *d, const struct np_request *req, struct json_object *data,
                struct cmd_result *res)
{
    return change(d, req, false, data, res);
}
