/* memhog: a "misplaced" memory-hungry workload for the numaplace VM tests.
 *
 * memhog --mb SIZE [--threads N] [--hugetlb] [--first-touch-node N[,M...]]
 *        [--name NAME] [--seconds S] [--mbind-interleave MB]
 *        [--thread-interleave MB] [--mbind-on-signal] [--report-ms N]
 *
 * With --first-touch-node, the process pins itself to the CPUs of the given
 * node(s) and binds its memory there (MPOL_BIND for one node, MPOL_INTERLEAVE
 * for several) only while it touches every page.  The worker threads are
 * created while still pinned, so they start on the first-touch node(s).  Then
 * every thread restores the CPU affinity memhog was started with (all CPUs,
 * unless a wrapper such as taskset/numactl restricted it) and the default
 * memory policy.  The result is "memory on one node, threads free to run
 * anywhere": exactly what a NUMA placer has to fix.
 *
 * Prints "ready pid=<pid>" once first touch is done, then streams over its
 * memory (read + write, one word per cache line) with N threads, forever or
 * for S seconds.  --threads 0 means "just hold the memory" (idle).
 *
 * Deliberate memory policies, for the scenarios that check a placer leaves
 * them alone (besides numactl --interleave/--preferred as a wrapper):
 * --mbind-interleave MB adds a buffer mbind()ed MPOL_INTERLEAVE over all
 * nodes, the rest keeping the default policy (MySQL's innodb_numa_interleave
 * way); --thread-interleave MB makes worker 0 call set_mempolicy(
 * MPOL_INTERLEAVE) on itself and stream over MB of its own (only that
 * thread's numa_maps shows it); --mbind-on-signal mbind()s the main buffer
 * MPOL_INTERLEAVE when SIGUSR1 arrives (a program changing its policy after
 * a placer placed it), printing "mbind done".
 *
 * --report-ms N (N >= 100): every worker records, after each pass over its
 * chunk, the node it runs on (sched_getcpu() and the nodes' cpulists) and
 * counts the bytes it streamed; every N ms the main thread prints
 *   THREADS t=<cs since ready> local_bp=<B> mib_s=<R> per=<i>:<node>:<bp>,...
 * where <bp> is the share (basis points) of thread i's chunk on the node it
 * last ran on, read with move_pages(2)'s query form on every 16th 4 KiB page
 * of the chunk (a wider stride when that would be over 8192 pages),
 * local_bp the chunk-size weighted mean over the threads, and mib_s the MiB
 * all threads streamed since the previous line per second.  Node -1 means
 * the thread has not finished a pass yet.  Pages the query does not find
 * (made PROT_NONE by the kernel's balancing a moment before) are left out;
 * with half the samples or more missing it asks again (see report()).
 * Without --report-ms the main thread only sleeps as before.
 *
 * No libnuma dependency on purpose: raw syscalls keep the initramfs small.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MPOL_DEFAULT 0
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define HUGE_2M (2UL << 20)
#define MAX_NODES 64
#define REPORT_MAX_SAMPLES 8192

/* --report-ms: one per worker, written by the worker, read by main. */
struct thread_stat {
	uint64_t bytes;                 /* __atomic: bytes streamed so far */
	int node;                       /* __atomic: node after the last pass, -1 before */
	size_t lo, hi;                  /* its chunk */
	unsigned long nsamples;         /* main thread only: move_pages query */
	long last_bp;                   /* main thread only: previous report's bp */
	void **pages;
	int *status;
};
static struct thread_stat *tstat;
static long report_ms;
static int cpu_node[CPU_SETSIZE];

static unsigned char *mem;
static size_t mem_len;
static int nthreads = 1;
static int have_first_touch;
static cpu_set_t orig_affinity;
static pthread_barrier_t reset_barrier;
static long thread_interleave_mb;
static unsigned char *extra;            /* --mbind-interleave / --thread-interleave buffer */
static size_t extra_len;
static volatile sig_atomic_t mbind_wanted;

/* Every node this guest has, as a node mask. */
static void all_nodes_mask(unsigned long *mask, size_t words)
{
	memset(mask, 0, words * sizeof(*mask));
	for (int n = 0; n < MAX_NODES; n++) {
		char path[96];
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK) == 0)
			mask[n / (8 * sizeof(unsigned long))] |= 1UL << (n % (8 * sizeof(unsigned long)));
	}
}

static void touch(unsigned char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
}

static void stream(unsigned char *p, size_t lo, size_t hi)
{
	for (size_t off = lo; off + sizeof(uint64_t) <= hi; off += 64) {
		volatile uint64_t *w = (volatile uint64_t *)(p + off);
		*w = *w + 1;
	}
}

static void on_usr1(int sig)
{
	(void)sig;
	mbind_wanted = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "memhog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: memhog --mb SIZE [--threads N] [--hugetlb] "
		"[--first-touch-node N[,M...]] [--name NAME] [--seconds S] "
		"[--mbind-interleave MB] [--thread-interleave MB] [--mbind-on-signal] "
		"[--report-ms N>=100]\n");
	exit(2);
}

/* Parse a kernel cpulist ("0-3,8,10-11") into a cpu_set_t. */
static void parse_cpulist(const char *s, cpu_set_t *set)
{
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b && c < CPU_SETSIZE; c++)
			CPU_SET(c, set);
		s = (*end == ',') ? end + 1 : end;
	}
}

static void node_cpus(int node, cpu_set_t *set)
{
	char path[128], buf[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	f = fopen(path, "r");
	if (!f)
		die(path);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	parse_cpulist(buf, set);
}

/* Restore "as started" placement for the calling thread. */
static void reset_placement(void)
{
	if (sched_setaffinity(0, sizeof(orig_affinity), &orig_affinity))
		die("sched_setaffinity(reset)");
	if (syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0))
		die("set_mempolicy(default)");
}

static void *worker(void *arg)
{
	long id = (long)arg;
	size_t chunk = mem_len / nthreads, lo = id * chunk;
	size_t hi = (id == nthreads - 1) ? mem_len : lo + chunk;
	sigset_t usr1;

	/* SIGUSR1 is for the main thread, which sleeps in pause(). */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);

	/* Threads were created while pinned to the first-touch node; undo
	 * that per thread (affinity and mempolicy are per-thread state). */
	if (have_first_touch)
		reset_placement();
	if (id == 0 && thread_interleave_mb > 0) {
		/* This thread's own policy: only task/TID/numa_maps shows it. */
		unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))];
		all_nodes_mask(mask, sizeof(mask) / sizeof(mask[0]));
		if (syscall(SYS_set_mempolicy, MPOL_INTERLEAVE, mask, (unsigned long)MAX_NODES + 1))
			die("set_mempolicy(thread interleave)");
		extra_len = (size_t)thread_interleave_mb << 20;
		extra = mmap(NULL, extra_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (extra == MAP_FAILED)
			die("mmap(thread buffer)");
		touch(extra, extra_len);
	}
	pthread_barrier_wait(&reset_barrier);

	if (report_ms > 0) {
		/* Same accesses in the same order; the bytes are counted every
		 * 4 MiB so that a report is not quantised to whole passes. */
		struct thread_stat *st = &tstat[id];
		const size_t piece = 4UL << 20;
		for (;;) {
			for (size_t p = lo; p < hi; p += piece) {
				size_t e = (hi - p > piece) ? p + piece : hi;
				stream(mem, p, e);
				__atomic_fetch_add(&st->bytes, (uint64_t)(e - p), __ATOMIC_RELAXED);
			}
			int cpu = sched_getcpu();
			__atomic_store_n(&st->node, (cpu >= 0 && cpu < CPU_SETSIZE) ? cpu_node[cpu] : -1,
					 __ATOMIC_RELAXED);
			if (extra && (id == 0 || thread_interleave_mb == 0))
				stream(extra, 0, extra_len);
		}
	}
	for (;;) {
		stream(mem, lo, hi);
		if (extra && (id == 0 || thread_interleave_mb == 0))
			stream(extra, 0, extra_len);
	}
	return NULL;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* cpu_node[cpu] from /sys/devices/system/node/nodeN/cpulist. */
static void read_cpu_nodes(void)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		cpu_node[c] = -1;
	for (int n = 0; n < MAX_NODES; n++) {
		char path[128];
		cpu_set_t set;
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
		if (access(path, R_OK))
			continue;
		CPU_ZERO(&set);
		node_cpus(n, &set);
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpu_node[c] = n;
	}
}

/* The sample addresses of every worker's chunk for move_pages. */
static void report_setup(void)
{
	tstat = calloc(nthreads > 0 ? (size_t)nthreads : 1, sizeof(*tstat));
	if (!tstat)
		die("calloc");
	for (long id = 0; id < nthreads; id++) {
		struct thread_stat *st = &tstat[id];
		size_t chunk = mem_len / nthreads;
		st->lo = id * chunk;
		st->hi = (id == nthreads - 1) ? mem_len : st->lo + chunk;
		st->node = -1;
		size_t npages = (st->hi - st->lo + 4095) / 4096, stride = 16;
		if (npages / stride > REPORT_MAX_SAMPLES)
			stride = (npages + REPORT_MAX_SAMPLES - 1) / REPORT_MAX_SAMPLES;
		st->nsamples = (npages + stride - 1) / stride;
		st->pages = calloc(st->nsamples ? st->nsamples : 1, sizeof(void *));
		st->status = calloc(st->nsamples ? st->nsamples : 1, sizeof(int));
		if (!st->pages || !st->status)
			die("calloc");
		for (unsigned long k = 0; k < st->nsamples; k++)
			st->pages[k] = mem + st->lo + k * stride * 4096;
	}
}

/* One THREADS line. */
static void report(double t0, double *last_t, uint64_t *last_bytes)
{
	double now = mono_s(), wsum = 0, lsum = 0;
	uint64_t bytes = 0;
	static char per[64 * 1024];
	size_t used = 0;

	per[0] = 0;
	for (long id = 0; id < nthreads; id++) {
		struct thread_stat *st = &tstat[id];
		int node = __atomic_load_n(&st->node, __ATOMIC_RELAXED);
		long bp = 0, valid = 0, here = 0, rc = -1, tries = 0, bad = 0;
		bytes += __atomic_load_n(&st->bytes, __ATOMIC_RELAXED);
		/* A page the kernel's balancing has just made PROT_NONE (hint
		 * fault pending) reads as not present (-EFAULT/-ENOENT) until
		 * the thread touches it again, which it does within one pass:
		 * when half the samples or more are missing, ask again after
		 * 20 ms (3 times at most), and with none answered keep the
		 * previous figure; each such case is logged on stderr. */
		while (st->nsamples && tries < 4) {
			valid = here = 0;
			bad = 0;
			tries++;
			rc = syscall(SYS_move_pages, 0, st->nsamples, st->pages, NULL, st->status, 0);
			if (rc == 0) {
				for (unsigned long k = 0; k < st->nsamples; k++) {
					if (st->status[k] < 0) {
						if (!bad)
							bad = st->status[k];
						continue;
					}
					valid++;
					if (st->status[k] == node)
						here++;
				}
				if ((unsigned long)valid * 2 >= st->nsamples)
					break;
			} else {
				bad = -errno;
			}
			struct timespec pause20 = {0, 20 * 1000000L};
			nanosleep(&pause20, NULL);
		}
		if (rc == 0 && valid)
			bp = here * 10000 / valid;
		else
			bp = st->last_bp;
		if (tries > 1)
			fprintf(stderr, "memhog: thread %ld: move_pages query answered %ld of %lu samples "
				"after %ld tries (first error %ld)%s\n", id, valid, st->nsamples, tries,
				bad, (rc == 0 && valid) ? "" : ", previous bp kept");
		st->last_bp = bp;
		double w = (double)(st->hi - st->lo);
		wsum += w;
		lsum += w * bp;
		if (used < sizeof(per) - 64)
			used += snprintf(per + used, sizeof(per) - used, "%s%ld:%d:%ld",
					 id ? "," : "", id, node, bp);
	}
	double dt = now - *last_t;
	printf("THREADS t=%ld local_bp=%ld mib_s=%.1f per=%s\n",
	       (long)((now - t0) * 100), wsum > 0 ? (long)(lsum / wsum) : 0,
	       dt > 0 ? (double)(bytes - *last_bytes) / (1 << 20) / dt : 0.0, per);
	fflush(stdout);
	*last_t = now;
	*last_bytes = bytes;
}

/* --mbind-on-signal: after SIGUSR1, the main buffer's policy becomes
 * MPOL_INTERLEAVE (policy only, no MPOL_MF_MOVE: pages stay where they are). */
static void mbind_if_wanted(void)
{
	if (!mbind_wanted)
		return;
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))];
	mbind_wanted = 0;
	all_nodes_mask(mask, sizeof(mask) / sizeof(mask[0]));
	if (syscall(SYS_mbind, mem, mem_len, MPOL_INTERLEAVE, mask, (unsigned long)MAX_NODES + 1, 0))
		die("mbind(on signal)");
	printf("mbind done\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long mb = -1, seconds = 0;
	int hugetlb = 0, mbind_on_signal = 0;
	long mbind_mb = 0;
	const char *name = NULL, *ft = NULL;
	unsigned long nodemask[MAX_NODES / (8 * sizeof(unsigned long))] = {0};
	int nnodes = 0;
	cpu_set_t ft_cpus;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
		if (!strcmp(a, "--hugetlb")) { hugetlb = 1; continue; }
		if (!strcmp(a, "--mbind-on-signal")) { mbind_on_signal = 1; continue; }
		if (!v)
			usage();
		if (!strcmp(a, "--mb")) mb = atol(v);
		else if (!strcmp(a, "--threads")) nthreads = atoi(v);
		else if (!strcmp(a, "--first-touch-node")) ft = v;
		else if (!strcmp(a, "--name")) name = v;
		else if (!strcmp(a, "--seconds")) seconds = atol(v);
		else if (!strcmp(a, "--mbind-interleave")) mbind_mb = atol(v);
		else if (!strcmp(a, "--thread-interleave")) thread_interleave_mb = atol(v);
		else if (!strcmp(a, "--report-ms")) report_ms = atol(v);
		else usage();
		i++;
	}
	if (mb <= 0 || nthreads < 0)
		usage();
	if (report_ms != 0 && report_ms < 100)
		usage();
	if (name && prctl(PR_SET_NAME, name, 0, 0, 0))
		die("prctl(PR_SET_NAME)");

	if (sched_getaffinity(0, sizeof(orig_affinity), &orig_affinity))
		die("sched_getaffinity");

	if (ft) {
		/* Pin CPUs and memory to the first-touch node(s). */
		const char *s = ft;
		CPU_ZERO(&ft_cpus);
		while (*s) {
			char *end;
			long n = strtol(s, &end, 10);
			if (end == s || n < 0 || n >= MAX_NODES)
				usage();
			nodemask[n / (8 * sizeof(unsigned long))] |= 1UL << (n % (8 * sizeof(unsigned long)));
			node_cpus((int)n, &ft_cpus);
			nnodes++;
			s = (*end == ',') ? end + 1 : end;
			if (*end && *end != ',')
				usage();
		}
		have_first_touch = 1;
		/* A CPU-less node has no CPUs to pin to: its memory is bound alone. */
		if (CPU_COUNT(&ft_cpus) && sched_setaffinity(0, sizeof(ft_cpus), &ft_cpus))
			die("sched_setaffinity(first touch)");
		if (syscall(SYS_set_mempolicy, nnodes > 1 ? MPOL_INTERLEAVE : MPOL_BIND,
			    nodemask, (unsigned long)MAX_NODES + 1))
			die("set_mempolicy(first touch)");
	}

	mem_len = (size_t)mb << 20;
	if (hugetlb)
		mem_len = (mem_len + HUGE_2M - 1) & ~(HUGE_2M - 1);
	mem = mmap(NULL, mem_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | (hugetlb ? MAP_HUGETLB : 0), -1, 0);
	if (mem == MAP_FAILED)
		die(hugetlb ? "mmap(MAP_HUGETLB) (reserve nr_hugepages?)" : "mmap");

	/* First touch: write every 4 KiB page so all of it is resident on the
	 * bound node(s).  (hugetlb faults a whole 2 MiB page at a time.) */
	for (size_t off = 0; off < mem_len; off += 4096)
		mem[off] = 1;

	if (mbind_mb > 0) {
		/* A buffer of its own policy, the rest left default. */
		unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))];
		all_nodes_mask(mask, sizeof(mask) / sizeof(mask[0]));
		extra_len = (size_t)mbind_mb << 20;
		extra = mmap(NULL, extra_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (extra == MAP_FAILED)
			die("mmap(mbind buffer)");
		if (syscall(SYS_mbind, extra, extra_len, MPOL_INTERLEAVE, mask,
			    (unsigned long)MAX_NODES + 1, 0))
			die("mbind(interleave)");
		touch(extra, extra_len);
	}
	if (mbind_on_signal)
		signal(SIGUSR1, on_usr1);

	if (report_ms > 0) {
		read_cpu_nodes();
		report_setup();
	}
	pthread_barrier_init(&reset_barrier, NULL, (unsigned)nthreads + 1);
	for (long t = 0; t < nthreads; t++) {
		pthread_t th;
		if (pthread_create(&th, NULL, worker, (void *)t))
			die("pthread_create");
		pthread_detach(th);
	}
	if (have_first_touch)
		reset_placement();
	pthread_barrier_wait(&reset_barrier);

	printf("ready pid=%d\n", (int)getpid());
	fflush(stdout);

	if (report_ms > 0) {
		/* Wakes every report_ms for one THREADS line (a few move_pages
		 * queries), otherwise sleeps like below. */
		double t0 = mono_s(), last_t = t0;
		uint64_t last_bytes = 0;
		struct timespec next;
		clock_gettime(CLOCK_MONOTONIC, &next);
		for (;;) {
			next.tv_nsec += (report_ms % 1000) * 1000000L;
			next.tv_sec += report_ms / 1000 + next.tv_nsec / 1000000000L;
			next.tv_nsec %= 1000000000L;
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
				mbind_if_wanted();
			}
			report(t0, &last_t, &last_bytes);
			if (seconds > 0 && mono_s() - t0 >= seconds)
				break;
		}
		return 0;
	}
	/* The main thread just sleeps: it must not add scheduler noise (the
	 * probe judges placement by the running threads only). */
	if (seconds > 0) {
		struct timespec ts = {seconds, 0};
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	} else {
		for (;;) {
			pause();
			mbind_if_wanted();
		}
	}
	return 0;
}
