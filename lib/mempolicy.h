/* mempolicy: the memory policies a process's mappings and threads carry,
 * and whether one of them says someone placed its memory on purpose.
 *
 * Policies live per mapping (mbind) and per thread (set_mempolicy, which
 * numactl sets before exec and children inherit). numa_maps prints, for
 * each mapping, the mapping's own policy or, where it has none, the policy
 * of the task whose numa_maps is read: proc/PID/numa_maps shows the main
 * thread's, proc/PID/task/TID/numa_maps thread TID's. The first line of a
 * thread's numa_maps is enough to learn its policy, and reading one line
 * walks one mapping's page tables, not the whole process's. */
#ifndef NP_MEMPOLICY_H
#define NP_MEMPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitset.h"
#include "fsroot.h"

enum np_mpol_mode {
    NP_MPOL_DEFAULT,
    NP_MPOL_LOCAL,                 /* "local": preferred local node */
    NP_MPOL_BIND,
    NP_MPOL_INTERLEAVE,
    NP_MPOL_WEIGHTED_INTERLEAVE,   /* 6.9+ */
    NP_MPOL_PREFERRED,
    NP_MPOL_PREFERRED_MANY,        /* 5.15+ */
    NP_MPOL_UNKNOWN,               /* a mode newer than this code */
    NP_MPOL_MODE_COUNT
};

struct np_mpol {
    enum np_mpol_mode mode;
    struct np_nodeset nodes;       /* empty for default, local, unknown */
};

/* Parses "<mode>[=<flags>][:<nodelist>]" at S, as numa_maps prints it
 * ("bind=static:0-1", "prefer (many):0-1", "weighted interleave:1,3"), up
 * to the first blank or NUL; *RET_END then points there. An unknown mode
 * is NP_MPOL_UNKNOWN, not an error (the kernel grows new ones). 0,
 * -EINVAL (malformed) or -ERANGE (node id >= NP_MAX_NODES). */
int np_mpol_parse(const char *s, const char **ret_end, struct np_mpol *ret);
/* True for the modes someone sets on purpose to place memory: bind,
 * interleave, weighted interleave, preferred and preferred-many. Default
 * and local place memory where the thread runs, which is what numaplaced
 * arranges; an unknown mode is not taken as deliberate. */
bool np_mpol_deliberate(const struct np_mpol *p);
const char *np_mpol_mode_name(enum np_mpol_mode m);   /* "interleave", "preferred-many", ... */
/* "interleave:0-3", "bind:1", "default" into BUF. */
void np_mpol_format(const struct np_mpol *p, char *buf, size_t bufsz);

/* Distinct deliberate policies kept per process; more are counted together. */
#define NP_MPOL_MAX_KINDS 4

/* A deliberate policy and what it covers. */
struct np_mpol_kind {
    struct np_mpol pol;
    unsigned nmappings;
    uint64_t kb;                   /* resident memory of those mappings */
};

/* What a process's policies are, from its numa_maps and its threads'. */
struct np_mpol_summary {
    unsigned nmappings;            /* all mappings */
    uint64_t total_kb;             /* resident memory of all mappings */
    unsigned nkinds;
    struct np_mpol_kind kind[NP_MPOL_MAX_KINDS];
    unsigned other_mappings;       /* deliberate, beyond NP_MPOL_MAX_KINDS kinds */
    uint64_t other_kb;
    /* Threads whose own task policy is deliberate (from their numa_maps
     * head); the first one found is named. */
    unsigned nthreads_deliberate;
    int thread_tid;
    struct np_mpol thread_pol;
};

/* A deliberate policy counts when its mappings hold at least 1/NP_MPOL_SHARE_DIV
 * of the process's resident memory (or it has none yet to weigh), or when a
 * thread carries it: see np_mpol_decides(). */
#define NP_MPOL_SHARE_DIV 64

/* Adds one mapping of policy P holding KB to S. */
void np_mpol_summary_add(struct np_mpol_summary *s, const struct np_mpol *p, uint64_t kb);
/* Notes thread TID's task policy P (non-deliberate ones are ignored). */
void np_mpol_summary_add_thread(struct np_mpol_summary *s, int tid, const struct np_mpol *p);
/* Copies the mapping part of FROM into TO, keeping TO's thread part. */
void np_mpol_summary_take_mappings(struct np_mpol_summary *to, const struct np_mpol_summary *from);
/* True, with DETAIL ("memory policy interleave:0-3 on 1 of 14 mappings,
 * 400 MiB"), when S shows a deliberate policy that numaplaced must not
 * undo. A policy on mappings holding less than 1/NP_MPOL_SHARE_DIV of a
 * process's resident memory is taken as incidental (a library's small
 * table): following it would let a 2 MiB mbind keep a 100 GiB process
 * remote. A thread's own policy always counts: it governs every page that
 * thread allocates from then on. */
bool np_mpol_decides(const struct np_mpol_summary *s, char *detail, size_t detailsz);

/* Reads the policy of thread TID of PID from the first line of
 * proc/PID/task/TID/numa_maps under ROOT (one short read: the kernel then
 * prints, and walks, one mapping). 0, -ENODATA when the file is empty,
 * -EINVAL when the line does not parse, or -errno of the read. */
int np_mpol_read_thread(const struct np_root *root, int pid, int tid, struct np_mpol *ret);

#endif
