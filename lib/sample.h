/* sample: processes and threads from /proc, in two passes.
 *
 * The cheap pass reads only proc/PID/stat of every process (~13 us each).
 * The detail pass (status, cgroup, exe, task/TID/stat) runs only for the
 * few processes that pass the CPU threshold. (pid, start_time) identifies a
 * process: a reused PID has another start time, and no state carries over. */
#ifndef NP_SAMPLE_H
#define NP_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "bitset.h"
#include "fsroot.h"

#define NP_COMM_MAX    64     /* TASK_COMM_LEN is 16; room for odd bytes */
#define NP_CGROUP_MAX  512
#define NP_EXE_MAX     512
#define NP_PF_KTHREAD  0x00200000u

struct np_thread {
    int tid;
    uint64_t cpu_ticks;        /* utime + stime */
    int last_cpu;              /* stat field 39 */
    char state;                /* stat field 3: 'R' running, 'S' sleeping, ... */
};

struct np_proc {
    /* cheap pass: proc/PID/stat */
    int pid;
    uint64_t start_time;       /* field 22, clock ticks after boot */
    char comm[NP_COMM_MAX];    /* between the first '(' and the LAST ')' */
    char state;
    int ppid;
    unsigned long flags;       /* field 9; NP_PF_KTHREAD marks kernel threads */
    uint64_t cpu_ticks;        /* utime + stime (fields 14, 15) */
    long num_threads;          /* field 20 */
    uint64_t rss_kb;           /* field 24 (pages) x page size */
    int last_cpu;              /* field 39 */
    double read_at;            /* CLOCK_MONOTONIC seconds its stat was read on a
                                * live root; 0 under a fixture root */

    /* detail pass */
    bool detailed;
    uid_t uid;                         /* status Uid: real */
    struct np_cpuset cpus_allowed;     /* status Cpus_allowed_list */
    struct np_nodeset mems_allowed;    /* status Mems_allowed_list */
    uint64_t vm_rss_kb;                /* status VmRSS */
    uint64_t hugetlb_kb;               /* status HugetlbPages (not in VmRSS) */
    uint64_t vm_size_kb;               /* status VmSize: changes when mappings do */
    char cgroup[NP_CGROUP_MAX];        /* cgroup v2 path from "0::/path" ("" if none) */
    char exe[NP_EXE_MAX];              /* readlink exe, "" when unreadable */
    size_t nthreads;
    struct np_thread *threads;         /* malloc'd, nthreads entries */
};

struct np_proc_list {
    size_t n;
    struct np_proc *procs;             /* sorted by pid */
    size_t nskipped;                   /* listed, left unread by the scan's SKIP */
};

/* Parses one proc/PID/stat text. The comm may contain spaces, '(' ')' and
 * newlines: it ends at the LAST ')'. PAGE_KB converts rss pages.
 * Fills the cheap-pass fields of RET. 0 or -EINVAL. */
int np_parse_stat(const char *text, size_t len, uint64_t page_kb, struct np_proc *ret);
/* Parses proc/PID/status text into the detail fields (uid, allowed sets,
 * VmRSS, HugetlbPages, VmSize). 0 or -EINVAL. */
int np_parse_status(const char *text, struct np_proc *p);
/* Extracts the v2 path ("0::/x/y" -> "/x/y") from proc/PID/cgroup text.
 * Returns 0, or -ENOENT when there is no v2 line (BUF then ""). */
int np_parse_cgroup(const char *text, char *buf, size_t bufsz);

/* Whether the scan leaves PID unread this time: SKIP(CTX, PID) true means
 * its stat is not read and it gets no entry in the list (counted in
 * nskipped). */
typedef bool np_scan_skip_fn(void *ctx, int pid);

/* Cheap pass over every numeric proc/ entry, at most MAX_PROCS (the rest is
 * ignored; *ret_truncated tells), less those SKIP (may be NULL) leaves
 * unread. Processes that vanish mid-scan are skipped. Kernel threads are
 * included (flags tell). 0 or -errno. */
int np_sample_scan(const struct np_root *root, size_t max_procs, uint64_t page_kb,
                   np_scan_skip_fn *skip, void *skip_ctx, struct np_proc_list *ret,
                   bool *ret_truncated);
/* Detail pass for P: status, cgroup, exe, and up to MAX_THREADS threads from
 * task/TID/stat. -ESRCH when the process is gone or its start time changed
 * (PID reused); P is then left with detailed=false. */
int np_sample_detail(const struct np_root *root, struct np_proc *p, size_t max_threads);
/* Just the CPUs P may run on (status Cpus_allowed_list), for a process the
 * detail pass skips: -ESRCH when P is gone or its PID reused. */
int np_sample_affinity(const struct np_root *root, const struct np_proc *p,
                       struct np_cpuset *ret_cpus);
/* The CPUs thread TID of PID may run on (task/TID/status): 0, -ESRCH when
 * it is gone, or -errno. The caller checked PID's identity. */
int np_sample_thread_affinity(const struct np_root *root, int pid, int tid,
                              struct np_cpuset *ret_cpus);
/* Just P's threads (up to MAX_THREADS, by tid), for the sampler between
 * cycles: *RET is malloc'd. -ESRCH when P is gone or its PID reused. */
int np_sample_threads(const struct np_root *root, const struct np_proc *p, size_t max_threads,
                      struct np_thread **ret, size_t *ret_n);
void np_proc_list_free(struct np_proc_list *list);
/* Frees P's thread array (not P itself). */
void np_proc_clear(struct np_proc *p);

/* Seconds since boot from proc/uptime. 0 or -errno. */
int np_read_uptime(const struct np_root *root, double *ret_seconds);

#endif
