/* act_real: the actuator that changes the live system: sched_setaffinity,
 * libnuma's migrate_pages/move_pages wrappers and cgroup v2 cpuset files. */
#include "act.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct real_ctx {
    struct np_root root;        /* our own descriptor of "/", for cgroup writes */
    unsigned long mask_bits;    /* bits in a node mask handed to libnuma */
};

/* Copies SET into a libnuma bitmask. The bitmask is built over our own
 * words rather than numa_bitmask_alloc(), whose out-of-memory path calls
 * exit(): library code must fail, not end the daemon. numa_migrate_pages
 * reads numa_num_possible_nodes()+1 bits, hence MASK_BITS. */
static int to_bitmask(const struct np_nodeset *set, unsigned long mask_bits,
                      struct bitmask *ret)
{
    size_t bits_per_long = 8 * sizeof(unsigned long);
    size_t nlongs = (mask_bits + bits_per_long - 1) / bits_per_long;
    unsigned long *words = calloc(nlongs, sizeof(*words));
    if (!words)
        return -ENOMEM;
    for (int n = np_bits_next(NP_NODES(set), 0); n >= 0;
         n = np_bits_next(NP_NODES(set), (unsigned)n + 1))
        words[(size_t)n / bits_per_long] |= 1UL << ((size_t)n % bits_per_long);
    ret->size = nlongs * bits_per_long;
    ret->maskp = words;
    return 0;
}

static int real_get_affinity(void *ctx, int tid, struct np_cpuset *ret)
{
    cpu_set_t *set = CPU_ALLOC(NP_MAX_CPUS);
    if (!set)
        return -ENOMEM;
    size_t size = CPU_ALLOC_SIZE(NP_MAX_CPUS);
    CPU_ZERO_S(size, set);
    int r = 0;
    if (sched_getaffinity(tid, size, set) < 0) {
        r = -errno;
    } else {
        np_cpuset_zero(ret);
        for (unsigned cpu = 0; cpu < NP_MAX_CPUS; cpu++)
            if (CPU_ISSET_S(cpu, size, set))
                np_cpuset_set(ret, cpu);
    }
    CPU_FREE(set);
    return r;
}

static int real_set_affinity(void *ctx, int tid, const struct np_cpuset *cpus)
{
    if (np_cpuset_count(cpus) == 0)
        return -EINVAL;
    cpu_set_t *set = CPU_ALLOC(NP_MAX_CPUS);
    if (!set)
        return -ENOMEM;
    size_t size = CPU_ALLOC_SIZE(NP_MAX_CPUS);
    CPU_ZERO_S(size, set);
    for (int cpu = np_bits_next(NP_CPUS(cpus), 0); cpu >= 0;
         cpu = np_bits_next(NP_CPUS(cpus), (unsigned)cpu + 1))
        CPU_SET_S((size_t)cpu, size, set);
    int r = sched_setaffinity(tid, size, set) < 0 ? -errno : 0;
    CPU_FREE(set);
    return r;
}

static long real_migrate_pages(void *ctx, int pid, const struct np_nodeset *from,
                               const struct np_nodeset *to)
{
    struct real_ctx *c = ctx;
    struct bitmask from_mask, to_mask;
    if (to_bitmask(from, c->mask_bits, &from_mask) < 0)
        return -ENOMEM;
    if (to_bitmask(to, c->mask_bits, &to_mask) < 0) {
        free(from_mask.maskp);
        return -ENOMEM;
    }
    long r = numa_migrate_pages(pid, &from_mask, &to_mask);
    if (r < 0)
        r = -errno;
    free(from_mask.maskp);
    free(to_mask.maskp);
    return r;
}

static int real_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                           const int *nodes, int *status)
{
    /* A positive result (pages not migrated) is not a failure: STATUS says
     * which pages stayed. */
    int r = numa_move_pages(pid, count, pages, nodes, status, MPOL_MF_MOVE);
    return r < 0 ? -errno : 0;
}

static int real_write_cgroup(void *ctx, const char *cgroup, const char *file, const char *value)
{
    struct real_ctx *c = ctx;
    while (*cgroup == '/')
        cgroup++;
    if (!*cgroup || strstr(cgroup, "..") || !*file || strchr(file, '/'))
        return -EINVAL;
    char rel[PATH_MAX];
    int n = snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/%s", cgroup, file);
    if (n < 0 || (size_t)n >= sizeof(rel))
        return -ENAMETOOLONG;
    return np_write_file(&c->root, rel, value);
}

static void real_free(void *ctx)
{
    struct real_ctx *c = ctx;
    if (c) {
        np_root_close(&c->root);
        free(c);
    }
}

static const struct np_actuator_ops real_ops = {
    .name = "real",
    .concurrent = true,
    .get_affinity = real_get_affinity,
    .set_affinity = real_set_affinity,
    .migrate_pages = real_migrate_pages,
    .move_pages = real_move_pages,
    .write_cgroup = real_write_cgroup,
    .free = real_free,
};

int np_actuator_real_new(const struct np_root *root, struct np_actuator *ret)
{
    if (!root || !root->is_live)
        return -EPERM;
    if (numa_available() < 0)
        return -ENOSYS;
    struct real_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    /* Our own descriptor: the actuator may outlive the caller's root. */
    c->root = *root;
    c->root.dirfd = fcntl(root->dirfd, F_DUPFD_CLOEXEC, 0);
    if (c->root.dirfd < 0) {
        int r = -errno;
        free(c);
        return r;
    }
    int possible = numa_num_possible_nodes();
    c->mask_bits = possible > NP_MAX_NODES ? (unsigned long)possible + 1 : NP_MAX_NODES;
    ret->ops = &real_ops;
    ret->ctx = c;
    return 0;
}
