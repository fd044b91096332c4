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
 * target, 1 otherwise).
 *
 *   moverbench --spread [--busy] [--mb N] [--rounds R]
 *
 * Issue 10 also asks that a move spread over two target nodes run at
 * >= 0.8x a single-target move's rate. With four nodes or more, each of R
 * rounds moves one idle process of N MiB four ways, in this order:
 *   bare        numa_migrate_pages, node 0 -> node 1 (the kernel's speed)
 *   one target  a mover job, node 0 -> node 1 (batches, as the daemon
 *               moves a process of more than a few MiB)
 *   split       a mover job, node 0 -> nodes {1,2}, each target with room
 *               for a little over half (the batched spread path)
 *   by pairs    a mover job, memory interleaved over nodes 0 and 3 ->
 *               {1,2} (one migrate_pages per source/target pair)
 * and prints each rate, then the medians and the spread ones' ratios to
 * the one-target move. With --busy the process writes its memory all the
 * while, its thread bound to the target nodes' CPUs before the move (as
 * the daemon binds CPUs first). */
#include <errno.h>
#include <stdatomic.h>
#include <numa.h>
#include <numaif.h>
#include <poll.h>
#include <sched.h>
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
#define MAX_ROUNDS 16

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Forks a process holding MB MiB on the nodes of NODE_MASK (bit n: node
 * n; several are interleaved), touched, then idle, or BUSY writing a byte
 * of each page over and over. Its pid, or -1. */
static pid_t spawn_holder(unsigned mb, unsigned long node_mask, bool busy)
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
        int mode = __builtin_popcountl(node_mask) > 1 ? MPOL_INTERLEAVE : MPOL_BIND;
        if (p == MAP_FAILED || mbind(p, len, mode, &node_mask, sizeof(node_mask) * 8, 0) < 0)
            _exit(1);
        memset(p, 0x5a, len);
        /* Bound pages would refuse to move: the policy goes, the pages stay. */
        if (mbind(p, len, MPOL_DEFAULT, NULL, 0, 0) < 0)
            _exit(1);
        (void)!write(ready[1], "r", 1);
        for (volatile char *v = p; busy;)
            for (size_t i = 0; i < len; i += 4096)
                v[i]++;
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

/* A memory move of PID's MB MiB on FROM to the nodes of TO, as the
 * daemon hands one to the mover. */
static void fill_move(const struct np_topology *t, struct np_placement *pl, pid_t pid,
                      unsigned mb, const int *from, unsigned nfrom, const int *to, unsigned nto)
{
    memset(pl, 0, sizeof(*pl));
    pl->pid = pid;
    for (unsigned i = 0; i < nto; i++) {
        const struct np_node *node = &t->nodes[np_topology_index(t, to[i])];
        for (int c = np_bits_next(NP_CPUS(&node->cpus), 0); c >= 0;
             c = np_bits_next(NP_CPUS(&node->cpus), (unsigned)c + 1))
            np_cpuset_set(&pl->cpus, (unsigned)c);
        np_nodeset_set(&pl->mems, (unsigned)to[i]);
    }
    for (unsigned i = 0; i < nfrom; i++)
        np_nodeset_set(&pl->from, (unsigned)from[i]);
    pl->move_memory = true;
    pl->remote_kb = pl->budget_kb = (uint64_t)mb * 1024;
    pl->max_threads = 64;
    pl->recheck_rooms = true;   /* as the daemon moves */
    pl->headroom_pct = 5;
}

/* The moves in PLS (N of them) as N jobs at once on N workers, under RATE
 * MiB/s when it is not 0. Seconds, or a negative value when the mover
 * could not run or a job failed. */
static double run_jobs(const struct np_actuator *act, const struct np_root *root,
                       const struct np_placement *pls, unsigned n, double rate)
{
    struct np_mover *m;
    if (np_mover_new(act, root, n, true, &m) < 0)
        return -1;
    if (rate > 0)
        (void)np_mover_set_rate(m, rate);
    double t0 = now_s();
    for (unsigned i = 0; i < n; i++) {
        struct np_move_job *job = calloc(1, sizeof(*job));
        if (!job)
            abort();
        job->pl = pls[i];
        if (np_mover_submit(m, job) < 0)
            abort();
    }
    unsigned done = 0;
    bool failed = false;
    while (done < n) {
        struct pollfd p = {.fd = np_mover_fd(m), .events = POLLIN};
        (void)poll(&p, 1, 1000);
        for (struct np_move_job *j = np_mover_take_done(m), *next; j; j = next) {
            next = j->next;
            if (j->r < 0) {
                fprintf(stderr, "moverbench: job for %d: %s\n", j->pl.pid, strerror(-j->r));
                failed = true;
            }
            free(j);
            done++;
        }
    }
    double secs = now_s() - t0;
    np_mover_free(m);
    return failed ? -1 : secs;
}

/* Phases "mover" and "throttled": K jobs at once on K workers. Seconds,
 * or a negative value when the mover could not run. */
static double run_mover(const struct np_actuator *act, const struct np_root *root,
                        const struct np_topology *t, const pid_t *pids, unsigned k, unsigned mb,
                        double rate)
{
    struct np_placement pls[MAX_PROCS];
    for (unsigned i = 0; i < k; i++) {
        int from = t->nodes[0].id, to = target_of(t, i);
        fill_move(t, &pls[i], pids[i], mb, &from, 1, &to, 1);
    }
    return run_jobs(act, root, pls, k, rate);
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

/* The real actuator with its move_pages calls counted and timed (those
 * that move; queries are not counted). Each such call drains every CPU's
 * LRU caches first; the counts show whether a path's time goes per call
 * or per page (in the guest: per page, the split path making 1.5-2.5x
 * the calls of a one-target move at about the same total). */
static const struct np_actuator_ops *counted_inner;
static atomic_ulong counted_calls, counted_ns;

static int counted_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                              const int *nodes, int *status)
{
    if (!nodes)
        return counted_inner->move_pages(ctx, pid, count, pages, nodes, status);
    double t0 = now_s();
    int r = counted_inner->move_pages(ctx, pid, count, pages, nodes, status);
    atomic_fetch_add(&counted_calls, 1);
    atomic_fetch_add(&counted_ns, (unsigned long)((now_s() - t0) * 1e9));
    return r;
}

static struct np_actuator counting(const struct np_actuator *act, struct np_actuator_ops *ops)
{
    counted_inner = act->ops;
    *ops = *act->ops;
    ops->move_pages = counted_move_pages;
    return (struct np_actuator){.ops = ops, .ctx = act->ctx};
}

/* KiB of PID's memory on the NODES (N of them). */
static uint64_t kb_on_nodes(const struct np_root *root, pid_t pid, const int *nodes, unsigned n)
{
    uint64_t kb = 0;
    for (unsigned i = 0; i < n; i++)
        kb += kb_on_node(root, pid, nodes[i]);
    return kb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum spread_phase { SPREAD_BARE, SPREAD_ONE, SPREAD_SPLIT, SPREAD_PAIRS, SPREAD_PHASES };

/* One spread-mode phase (see the top of the file): MB MiB moved, its
 * seconds, or a negative value when it did not run or the memory did not
 * end on its targets. */
static double run_spread_phase(const struct np_actuator *act, const struct np_root *root,
                               const struct np_topology *t, enum spread_phase phase, unsigned mb,
                               bool busy)
{
    int n0 = t->nodes[0].id, n1 = t->nodes[1].id, n2 = t->nodes[2].id, n3 = t->nodes[3].id;
    int from[2] = {n0, n3}, to[2] = {n1, n2};
    unsigned nfrom = phase == SPREAD_PAIRS ? 2 : 1, nto = phase >= SPREAD_SPLIT ? 2 : 1;
    unsigned long mask = 1ul << n0;
    if (phase == SPREAD_PAIRS)
        mask |= 1ul << n3;
    pid_t pid = spawn_holder(mb, mask, busy);
    if (pid < 0) {
        fprintf(stderr, "moverbench: cannot start a process of %u MiB\n", mb);
        return -1;
    }
    struct np_placement pl;
    fill_move(t, &pl, pid, mb, from, nfrom, to, nto);
    if (busy) {
        cpu_set_t cpus;
        CPU_ZERO(&cpus);
        for (int c = np_bits_next(NP_CPUS(&pl.cpus), 0); c >= 0 && c < CPU_SETSIZE;
             c = np_bits_next(NP_CPUS(&pl.cpus), (unsigned)c + 1))
            CPU_SET(c, &cpus);
        if (sched_setaffinity(pid, sizeof(cpus), &cpus) < 0)
            fprintf(stderr, "moverbench: affinity of %d: %s\n", (int)pid, strerror(errno));
    }
    double secs;
    if (phase == SPREAD_BARE) {
        secs = run_bare(t, &pid, 1);
    } else {
        if (phase == SPREAD_SPLIT) {
            /* Neither target takes it all: the batched mover spreads it. */
            pl.nrooms = 2;
            for (unsigned i = 0; i < 2; i++)
                pl.rooms[i] = (struct np_target_room){to[i], (uint64_t)mb * 1024 / 2 + 8192};
        } else if (phase == SPREAD_PAIRS) {
            pl.nsources = 2;
            for (unsigned i = 0; i < 2; i++)
                pl.sources[i] = (struct np_source_node){from[i], (uint64_t)mb * 1024 / 2};
        }
        struct np_actuator_ops ops;
        struct np_actuator counted = counting(act, &ops);
        atomic_store(&counted_calls, 0);
        atomic_store(&counted_ns, 0);
        secs = run_jobs(&counted, root, &pl, 1, 0);
        unsigned long calls = atomic_load(&counted_calls);
        if (calls)
            printf("moverbench: %lu move_pages calls, %.1f ms each on average\n", calls,
                   (double)atomic_load(&counted_ns) / 1e6 / (double)calls);
    }
    uint64_t kb = kb_on_nodes(root, pid, to, nto);
    if (kb < (uint64_t)mb * 1024 * 98 / 100) {
        fprintf(stderr, "moverbench: %llu of %u MiB on the targets\n", (unsigned long long)kb / 1024, mb);
        secs = -1;
    }
    reap(&pid, 1);
    return secs;
}

/* The spread mode: ROUNDS rounds of the four phases. 0, or 1 when one
 * did not run. */
static int run_spread(const struct np_actuator *act, const struct np_root *root,
                      const struct np_topology *t, unsigned mb, unsigned rounds, bool busy)
{
    static const char *const names[SPREAD_PHASES] = {
        "bare migrate_pages, one target", "mover, one target",
        "mover, two targets, split by batches", "mover, two targets, by node pairs"};
    static const char *const keys[SPREAD_PHASES] = {"bare", "one", "split", "pairs"};
    if (t->nnodes < 4) {
        fprintf(stderr, "moverbench: --spread needs four nodes\n");
        return 1;
    }
    double rate[SPREAD_PHASES][MAX_ROUNDS];
    for (unsigned r = 0; r < rounds; r++)
        for (int ph = 0; ph < SPREAD_PHASES; ph++) {
            double secs = run_spread_phase(act, root, t, (enum spread_phase)ph, mb, busy);
            if (secs <= 0)
                return 1;
            rate[ph][r] = mb / secs;
            printf("moverbench: round %u: %s: %u MiB in %.2f s = %.1f MiB/s\n", r + 1, names[ph],
                   mb, secs, rate[ph][r]);
            fflush(stdout);
        }
    double median[SPREAD_PHASES];
    printf("moverbench: spread mb=%u rounds=%u busy=%d", mb, rounds, busy);
    for (int ph = 0; ph < SPREAD_PHASES; ph++) {
        qsort(rate[ph], rounds, sizeof(double), cmp_double);
        median[ph] = rounds % 2 ? rate[ph][rounds / 2]
                                : (rate[ph][rounds / 2 - 1] + rate[ph][rounds / 2]) / 2;
        printf(" %s_mib_s=%.1f", keys[ph], median[ph]);
    }
    printf(" one_vs_bare=%.2f split_vs_one=%.2f pairs_vs_one=%.2f\n", median[SPREAD_ONE] / median[SPREAD_BARE],
           median[SPREAD_SPLIT] / median[SPREAD_ONE], median[SPREAD_PAIRS] / median[SPREAD_ONE]);
    return 0;
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
    unsigned mb = 128, k = 3, rate = 50, rounds = 3;
    bool spread = false, busy = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--spread") == 0) {
            spread = true;
            continue;
        }
        if (strcmp(argv[i], "--busy") == 0) {
            busy = true;
            continue;
        }
        if (i + 1 == argc)
            goto usage;
        if (strcmp(argv[i], "--mb") == 0)
            mb = arg_uint(argv[i + 1], 1, 4096);
        else if (strcmp(argv[i], "--workers") == 0)
            k = arg_uint(argv[i + 1], 1, MAX_PROCS);
        else if (strcmp(argv[i], "--rate") == 0)
            rate = arg_uint(argv[i + 1], 1, 100000);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = arg_uint(argv[i + 1], 1, MAX_ROUNDS);
        else
            goto usage;
        i++;
    }
    struct np_root root;
    struct np_topology *t;
    struct np_actuator act;
    if (np_root_open("/", &root) < 0 || np_topology_read(&root, &t) < 0 || t->nnodes < 2 ||
        np_actuator_real_new(&root, &act) < 0) {
        fprintf(stderr, "moverbench: needs root, /proc, /sys and two NUMA nodes\n");
        return 1;
    }
    if (spread) {
        int r = run_spread(&act, &root, t, mb, rounds, busy);
        np_actuator_free(&act);
        np_topology_free(t);
        np_root_close(&root);
        return r;
    }
    bool ok = true;
    double secs[3];
    const char *names[3] = {"bare migrate_pages, one process after another", "mover, unthrottled",
                            "mover, throttled"};
    for (int phase = 0; phase < 3; phase++) {
        pid_t pids[MAX_PROCS];
        unsigned n = 0;
        for (; n < k; n++)
            if ((pids[n] = spawn_holder(mb, 1ul << t->nodes[0].id, false)) < 0)
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
usage:
    fprintf(stderr, "usage: moverbench [--mb N] [--workers K] [--rate R]\n"
                    "       moverbench --spread [--busy] [--mb N] [--rounds R]\n");
    return 2;
}
