/* sysstate: system-wide NUMA counters (/proc/vmstat) and the kernel's own
 * automatic NUMA balancing setting, which numaplaced must coexist with. */
#ifndef NP_SYSSTATE_H
#define NP_SYSSTATE_H

#include <stdint.h>
#include "fsroot.h"

struct np_vmstat {
    uint64_t numa_hit, numa_miss, numa_foreign, numa_interleave, numa_local, numa_other;
    uint64_t numa_pte_updates, numa_huge_pte_updates;
    uint64_t numa_hint_faults, numa_hint_faults_local, numa_pages_migrated;
    uint64_t pgmigrate_success, pgmigrate_fail;
};

/* Reads proc/vmstat (missing counters stay 0). 0 or -errno. */
int np_vmstat_read(const struct np_root *root, struct np_vmstat *ret);
/* Parses vmstat text. 0 or -EINVAL. */
int np_vmstat_parse(const char *text, struct np_vmstat *ret);

/* proc/sys/kernel/numa_balancing: 0 off, 1 on, 2 memory tiering, 3 both.
 * -ENOENT when the kernel lacks it (treated as off by callers). */
int np_numa_balancing_read(const struct np_root *root, int *ret_mode);

#endif
