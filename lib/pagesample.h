/* pagesample: estimate where a large process's memory is by asking the
 * kernel for the node of a random sample of resident pages (move_pages
 * query, ~0.25 us a page) instead of walking numa_maps, which holds the
 * process's mmap lock for ~11 ms per GiB. 1024 pages give about +-3 points
 * at 95% on a remote fraction. */
#ifndef NP_PAGESAMPLE_H
#define NP_PAGESAMPLE_H

#include <stdint.h>
#include "act.h"
#include "fsroot.h"
#include "numamaps.h"

/* Reads proc/PID/maps under ROOT, picks NPAGES addresses uniformly over the
 * writable private mappings (deterministic for a given SEED), queries them
 * through A's move_pages (NODES NULL), and scales the node counts of the
 * pages that are resident to RESIDENT_KB. RET gets anon_kb per node with
 * sampled=true. -ENODATA when no sampled page was resident. 0 or -errno. */
int np_pagesample(const struct np_actuator *a, const struct np_root *root, int pid,
                  unsigned npages, uint64_t seed, uint64_t resident_kb,
                  struct np_numa_maps *ret);

#endif
