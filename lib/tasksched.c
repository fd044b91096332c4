/* tasksched: see tasksched.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "tasksched.h"

/* "key   :   value" at the start of LINE (LEN bytes): the value's start,
 * or NULL when LINE is another key. */
static const char *value_of(const char *line, size_t len, const char *key)
{
    size_t klen = strlen(key);
    if (len <= klen || memcmp(line, key, klen) != 0 || (line[klen] != ' ' && line[klen] != ':'))
        return NULL;
    const char *p = line + klen, *end = line + len;
    while (p < end && *p == ' ')
        p++;
    if (p >= end || *p != ':')
        return NULL;
    p++;
    while (p < end && *p == ' ')
        p++;
    return p;
}

/* The token at P (up to a blank, ',' or END) into BUF; -EINVAL when empty
 * or longer than BUF holds (no number we take is that long). */
static int copy_token(const char *p, const char *end, char *buf, size_t bufsz)
{
    size_t n = 0;
    while (p + n < end && p[n] != ' ' && p[n] != ',' && n < bufsz - 1)
        n++;
    if (n == 0 || n >= bufsz - 1)
        return -EINVAL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

static int scan_u64_in(const char *p, const char *end, uint64_t *ret)
{
    char buf[32];
    return copy_token(p, end, buf, sizeof(buf)) < 0 ? -EINVAL : np_parse_u64(buf, ret);
}

static int scan_node_in(const char *p, const char *end, int *ret)
{
    char buf[16];
    long v;
    if (copy_token(p, end, buf, sizeof(buf)) < 0 || np_parse_long_range(buf, -1, NP_MAX_NODES - 1, &v) < 0)
        return -EINVAL;
    *ret = (int)v;
    return 0;
}

/* "key=value" within LINE, the value's start or NULL. */
static const char *field_of(const char *line, const char *end, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = line; p + klen < end; p++)
        if ((p == line || p[-1] == ' ' || p[-1] == ',') && memcmp(p, key, klen) == 0 && p[klen] == '=')
            return p + klen + 1;
    return NULL;
}

/* "numa_faults node=N task_private=A task_shared=B group_private=C ..." */
static void parse_faults(const char *line, const char *end, struct np_task_numa *t)
{
    const char *v = field_of(line, end, "node");
    int node;
    uint64_t priv = 0, shared = 0;
    if (!v || scan_node_in(v, end, &node) < 0 || node < 0) {
        t->skipped++;
        return;
    }
    const char *pv = field_of(line, end, "task_private"), *sv = field_of(line, end, "task_shared");
    if ((pv && scan_u64_in(pv, end, &priv) < 0) || (sv && scan_u64_in(sv, end, &shared) < 0) || (!pv && !sv)) {
        t->skipped++;
        return;
    }
    t->faults_private[node] = priv;
    t->faults_shared[node] = shared;
    if ((unsigned)node + 1 > t->nnodes)
        t->nnodes = (unsigned)node + 1;
}

int np_task_numa_parse(const char *text, size_t len, struct np_task_numa *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->preferred_nid = -1;
    ret->current_node = -1;
    bool found = false;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        const char *v;
        uint64_t u;
        int node;
        if ((v = value_of(p, n, "numa_pages_migrated"))) {
            if (scan_u64_in(v, le, &u) == 0) {
                ret->pages_migrated = u;
                found = true;
            }
        } else if ((v = value_of(p, n, "total_numa_faults"))) {
            if (scan_u64_in(v, le, &u) == 0) {
                ret->total_faults = u;
                found = true;
            }
        } else if ((v = value_of(p, n, "numa_preferred_nid"))) {
            if (scan_node_in(v, le, &node) == 0) {
                ret->preferred_nid = node;
                found = true;
            }
        } else if (n > 13 && memcmp(p, "current_node=", 13) == 0) {
            if (scan_node_in(p + 13, le, &node) == 0) {
                ret->current_node = node;
                found = true;
            }
        } else if (n > 12 && memcmp(p, "numa_faults ", 12) == 0) {
            parse_faults(p, le, ret);
            found = true;
        }
        p = nl ? nl + 1 : end;
    }
    return found ? 0 : -ENODATA;
}

int np_task_numa_read(const struct np_root *root, int pid, int tid, struct np_task_numa *ret)
{
    char rel[64], *buf = NULL;
    size_t len = 0;
    snprintf(rel, sizeof(rel), "proc/%d/task/%d/sched", pid, tid);
    int r = np_read_file_alloc(root, rel, NP_TASK_SCHED_MAX, &buf, &len);
    if (r < 0)
        return r;
    r = np_task_numa_parse(buf, len, ret);
    free(buf);
    return r;
}

double np_task_numa_fault_share(const struct np_task_numa *t, int node)
{
    long double all = 0, here = 0;
    for (unsigned i = 0; i < t->nnodes; i++) {
        long double f = (long double)t->faults_private[i] + (long double)t->faults_shared[i];
        all += f;
        if ((int)i == node)
            here = f;
    }
    return all > 0 ? (double)(here / all) : -1.0;
}
