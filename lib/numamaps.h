/* numamaps: where a process's memory is, per node and page size, and which
 * memory policies its mappings carry, parsed from /proc/PID/numa_maps.
 *
 * Reading numa_maps walks the target's page tables under its mmap lock
 * (~11 ms per GiB of 4 KiB pages), so it is read only for candidates and
 * capped in size; very large 4 KiB-page processes are sampled instead (see
 * pagesample.h), which fills the same structure. */
#ifndef NP_NUMAMAPS_H
#define NP_NUMAMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "fsroot.h"
#include "mempolicy.h"
#include "topology.h"

struct np_node_mem {
    uint64_t anon_kb;      /* anon=... mappings, 4 KiB/THP (base pages) */
    uint64_t file_kb;      /* file-backed, non-hugetlb */
    uint64_t huge_kb[NP_MAX_HUGE_SIZES]; /* hugetlb, per size slot (see huge_page_kb) */
};

struct np_numa_maps {
    unsigned nslots;                 /* node ids 0..nslots-1 */
    struct np_node_mem *node;        /* indexed by node ID (not index) */
    unsigned nhuge;                  /* hugetlb page sizes seen */
    uint64_t huge_page_kb[NP_MAX_HUGE_SIZES];
    uint64_t total_kb;               /* sum of everything above */
    struct np_mpol_summary mpol;     /* the policies its mappings carry (not when sampled) */
    unsigned nmappings;
    bool sampled;                    /* true when estimated by page sampling */
};

/* Parses numa_maps TEXT (LEN bytes). Unknown tokens are ignored (the format
 * grows); a malformed line is skipped, not fatal. Node ids >= NP_MAX_NODES
 * are -ERANGE. Returns 0 or -errno; *RET is initialised either way (free it
 * with np_numa_maps_clear()). */
int np_numa_maps_parse(const char *text, size_t len, struct np_numa_maps *ret);
/* Reads proc/PID/numa_maps under ROOT, at most MAX_BYTES (-E2BIG beyond). */
int np_numa_maps_read(const struct np_root *root, int pid, size_t max_bytes,
                      struct np_numa_maps *ret);
void np_numa_maps_clear(struct np_numa_maps *m);
/* True when M has hugetlb pages on any node. */
bool np_numa_maps_has_hugetlb(const struct np_numa_maps *m);

/* kB of the process's memory on node ID (all kinds). */
uint64_t np_numa_maps_node_kb(const struct np_numa_maps *m, int node_id);
/* kB of hugetlb of PAGE_KB on node ID. */
uint64_t np_numa_maps_node_huge_kb(const struct np_numa_maps *m, int node_id, uint64_t page_kb);

#endif
