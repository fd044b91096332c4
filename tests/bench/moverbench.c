/* moverbench: the mover's copy throughput next to a bare migrate_pages
 * loop on the same machine, in one run (issue 10: k workers should reach
 * 0.8 x k x the bare rate; throttled, the rate should hold within 10%).
 * Needs root and at least two NUMA nodes; run in the guest by the
 * `moverbench` scenario (tests/vm/scenarios/moverbench.sh).
 *
 *   moverbench [--mb N] [--workers K] [--rate R]
 *
 * Each phase forks K idle processes whose N MiB sit on node 0 and moves
 * process i to node 1 + i % (nodes - 1):
 *   bare       one numa_migrate_pages call per process, one after another
 *              (the serial loop the mover replaces)
 *   mover      K mover threads (lib/mover.c, real actuator, each bound to
 *              its target's CPUs), all jobs submitted at once, unthrottled
 *   throttled  the same under actuator.migrate_mb_per_s = R
 * It prints one line per phase and a summary line of ratios; it judges
 * nothing (exit 0 when every phase ran and every process ended on its
 * target, 1 otherwise). */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "act.h"
#include "mover.h"
#include "numamaps.h"
#include "parse.h"
#include "topology.h"

#define MAX_PROCS 16

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Forks a process holding MB MiB on node 0, touched, then idle. Its pid,
 * or -1. */
static pid_t spawn_holder(unsigned mb)
{
    int ready[2];
    if (pipe(ready) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(ready[0]);
        size_t len = (size_t)mb << 20;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        unsigned long node0 = 1;
        if (p == MAP_FAILED || mbind(p, len, MPOL_BIND, &node0, 2, 0) < 0)
            _exit(1);
        memset(p, 0x5a, len);
        /* Bound pages would refuse to move: the policy goes, the pages stay. */
        if (mbind(p, len, MPOL_DEFAULT, NULL, 0, 0) < 0)
            _exit(1);
        (void)!write(ready[1], "r", 1);
        for (;;)
            pause();
    }
    close(ready[1]);
    char c;
    ssize_t n = read(ready[0], &c, 1);
    close(ready[0]);
    if (n != 1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

static void reap(const pid_t *pids, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
}

/* KiB of PID's memory on NODE, from its numa_maps. */
static uint64_t kb_on_node(const struct np_root *root, pid_t pid, int node)
{
    struct np_numa_maps m;
    if (np_numa_maps_read(root, pid, 64 << 20, &m) < 0)
        return 0;
    uint64_t kb = node >= 0 && (unsigned)node < m.nslots ? m.node[node].anon_kb : 0;
    np_numa_maps_clear(&m);
    return kb;
}

static int target_of(const struct np_topology *t, unsigned i)
{
    return t->nodes[1 + i % (t->nnodes - 1)].id;
}

/* Phase "bare": one numa_migrate_pages per process, serially. Seconds. */
static double run_bare(const struct np_topology *t, const pid_t *pids, unsigned k)
{
    double t0 = now_s();
    for (unsigned i = 0; i < k; i++) {
        struct bitmask *from = numa_allocate_nodemask(), *to = numa_allocate_nodemask();
        numa_bitmask_setbit(from, (unsigned)t->nodes[0].id);
        numa_bitmask_setbit(to, (unsigned)target_of(t, i));
        if (numa_migrate_pages(pids[i], from, to) < 0)
            fprintf(stderr, "moverbench: migrate_pages of %d: %s\n", (int)pids[i], strerror(errno));
        numa_free_nodemask(from);
        numa_free_nodemask(to);
    }
    return now_s() - t0;
}

/* Phases "mover" and "throttled": K jobs at once on K workers. Seconds,
 * or a negative value when the mover could not run. */
static double run_mover(const struct np_actuator *act, const struct np_root *root,
                        const struct np_topology *t, const pid_t *pids, unsigned k, unsigned mb,
                        double rate)
{
    struct np_mover *m;
    if (np_mover_new(act, root, k, true, &m) < 0)
        return -1;
    if (rate > 0)
        (void)np_mover_set_rate(m, rate);
    double t0 = now_s();
    for (unsigned i = 0; i < k; i++) {
        struct np_move_job *job = calloc(1, sizeof(*job));
        if (!job)
            abort();
        struct np_placement *pl = &job->pl;
        int node = target_of(t, i);
        pl->pid = pids[i];
        pl->cpus = t->nodes[np_topology_index(t, node)].cpus;
        np_nodeset_set(&pl->mems, (unsigned)node);
        np_nodeset_set(&pl->from, (unsigned)t->nodes[0].id);
        pl->move_memory = true;
        pl->remote_kb = pl->budget_kb = (uint64_t)mb * 1024;
        pl->max_threads = 64;
        pl->recheck_rooms = true;   /* as the daemon moves */
        pl->headroom_pct = 5;
        if (np_mover_submit(m, job) < 0)
            abort();
    }
    unsigned done = 0;
    while (done < k) {
        struct pollfd p = {.fd = np_mover_fd(m), .events = POLLIN};
        (void)poll(&p, 1, 1000);
        for (struct np_move_job *j = np_mover_take_done(m), *next; j; j = next) {
            next = j->next;
            if (j->r < 0)
                fprintf(stderr, "moverbench: job for %d: %s\n", j->pl.pid, strerror(-j->r));
            free(j);
            done++;
        }
    }
    double secs = now_s() - t0;
    np_mover_free(m);
    return secs;
}

/* Every process has (nearly) all its memory on its target: MB MiB each. */
static bool all_moved(const struct np_root *root, const struct np_topology *t, const pid_t *pids,
                      unsigned k, unsigned mb)
{
    bool ok = true;
    for (unsigned i = 0; i < k; i++) {
        uint64_t kb = kb_on_node(root, pids[i], target_of(t, i));
        if (kb < (uint64_t)mb * 1024 * 98 / 100) {
            fprintf(stderr, "moverbench: process %u has %llu of %u MiB on node %d\n", i,
                    (unsigned long long)kb / 1024, mb, target_of(t, i));
            ok = false;
        }
    }
    return ok;
}

static unsigned arg_uint(const char *s, unsigned lo, unsigned hi)
{
    uint64_t v;
    if (np_parse_u64(s, &v) < 0 || v < lo || v > hi) {
        fprintf(stderr, "moverbench: '%s' is not a number in %u..%u\n", s, lo, hi);
        exit(2);
    }
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    unsigned mb = 128, k = 3, rate = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--mb") == 0)
            mb = arg_uint(argv[i + 1], 1, 4096);
        else if (strcmp(argv[i], "--workers") == 0)
            k = arg_uint(argv[i + 1], 1, MAX_PROCS);
        else if (strcmp(argv[i], "--rate") == 0)
            rate = arg_uint(argv[i + 1], 1, 100000);
        else {
            fprintf(stderr, "usage: moverbench [--mb N] [--workers K] [--rate R]\n");
            return 2;
        }
    }
    struct np_root root;
    struct np_topology *t;
    struct np_actuator act;
    if (np_root_open("/", &root) < 0 || np_topology_read(&root, &t) < 0 || t->nnodes < 2 ||
        np_actuator_real_new(&root, &act) < 0) {
        fprintf(stderr, "moverbench: needs root, /proc, /sys and two NUMA nodes\n");
        return 1;
    }
    bool ok = true;
    double secs[3];
    const char *names[3] = {"bare migrate_pages, one process after another", "mover, unthrottled",
                            "mover, throttled"};
    for (int phase = 0; phase < 3; phase++) {
        pid_t pids[MAX_PROCS];
        unsigned n = 0;
        for (; n < k; n++)
            if ((pids[n] = spawn_holder(mb)) < 0)
                break;
        if (n < k) {
            fprintf(stderr, "moverbench: cannot start %u processes of %u MiB\n", k, mb);
            reap(pids, n);
            return 1;
        }
        secs[phase] = phase == 0 ? run_bare(t, pids, k)
                                 : run_mover(&act, &root, t, pids, k, mb, phase == 2 ? rate : 0);
        ok &= secs[phase] > 0 && all_moved(&root, t, pids, k, mb);
        reap(pids, k);
        printf("moverbench: %s: %u x %u MiB in %.2f s = %.1f MiB/s\n", names[phase], k, mb,
               secs[phase], secs[phase] > 0 ? (double)k * mb / secs[phase] : 0.0);
        fflush(stdout);
    }
    double bare = (double)k * mb / secs[0], mover = (double)k * mb / secs[1],
           throttled = (double)k * mb / secs[2];
    /* The bare loop runs one copy at a time: its rate is one copier's. */
    printf("moverbench: workers=%u mb=%u bare_mib_s=%.1f mover_mib_s=%.1f mover_vs_k_bare=%.2f "
           "serial_vs_mover_time=%.2f throttle_mib_s=%u throttled_mib_s=%.1f throttled_vs_limit=%.2f\n",
           k, mb, bare, mover, mover / (k * bare), secs[1] / secs[0], rate, throttled, throttled / rate);
    np_actuator_free(&act);
    np_topology_free(t);
    np_root_close(&root);
    return ok ? 0 : 1;
}
