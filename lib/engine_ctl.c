/* engine_ctl: what the control socket may change in a running engine:
 * runtime exclusions (kept across config reloads, unlike the config's own
 * lists). See engine.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"
#include "exclude.h"

bool np_engine_runtime_excluded(const struct np_engine *e, const struct np_proc *p)
{
    for (size_t i = 0; i < e->nexcluded_pids; i++)
        if (e->excluded_pids[i] == p->pid)
            return true;
    for (size_t i = 0; i < e->nexcluded_names; i++)
        if (np_glob_match(e->excluded_names[i], p->comm))
            return true;
    return false;
}

int np_engine_exclude_pid(struct np_engine *e, int pid)
{
    if (pid <= 0)
        return -EINVAL;
    for (size_t i = 0; i < e->nexcluded_pids; i++)
        if (e->excluded_pids[i] == pid)
            return -EEXIST;
    if (e->nexcluded_pids >= NP_RUNTIME_EXCLUDE_MAX)
        return -ENOSPC;
    e->excluded_pids[e->nexcluded_pids++] = pid;
    return 0;
}

int np_engine_include_pid(struct np_engine *e, int pid)
{
    for (size_t i = 0; i < e->nexcluded_pids; i++)
        if (e->excluded_pids[i] == pid) {
            e->excluded_pids[i] = e->excluded_pids[--e->nexcluded_pids];
            return 0;
        }
    return -ENOENT;
}

int np_engine_exclude_name(struct np_engine *e, const char *glob)
{
    if (!glob || !*glob || strlen(glob) >= NP_MAX_PATTERN)
        return -EINVAL;
    for (size_t i = 0; i < e->nexcluded_names; i++)
        if (strcmp(e->excluded_names[i], glob) == 0)
            return -EEXIST;
    if (e->nexcluded_names >= NP_RUNTIME_EXCLUDE_MAX)
        return -ENOSPC;
    char *copy = strdup(glob);
    if (!copy)
        return -ENOMEM;
    e->excluded_names[e->nexcluded_names++] = copy;
    return 0;
}

int np_engine_include_name(struct np_engine *e, const char *glob)
{
    for (size_t i = 0; i < e->nexcluded_names; i++)
        if (strcmp(e->excluded_names[i], glob) == 0) {
            free(e->excluded_names[i]);
            e->excluded_names[i] = e->excluded_names[--e->nexcluded_names];
            return 0;
        }
    return -ENOENT;
}

size_t np_engine_excluded_pids(const struct np_engine *e, const int **ret)
{
    *ret = e->excluded_pids;
    return e->nexcluded_pids;
}

size_t np_engine_excluded_names(const struct np_engine *e, const char *const **ret)
{
    *ret = (const char *const *)e->excluded_names;
    return e->nexcluded_names;
}

const double *np_engine_node_load(const struct np_engine *e, unsigned *ret_n)
{
    *ret_n = e->last_node_load_n;
    return e->last_node_load;
}
