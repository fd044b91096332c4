/* memhog: a "misplaced" memory-hungry workload for the numaplace VM tests.
 *
 * memhog --mb SIZE [--threads N] [--hugetlb] [--first-touch-node N[,M...]]
 *        [--name NAME] [--seconds S]
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

static unsigned char *mem;
static size_t mem_len;
static int nthreads = 1;
static int have_first_touch;
static cpu_set_t orig_affinity;
static pthread_barrier_t reset_barrier;

static void die(const char *what)
{
	fprintf(stderr, "memhog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: memhog --mb SIZE [--threads N] [--hugetlb] "
		"[--first-touch-node N[,M...]] [--name NAME] [--seconds S]\n");
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

	/* Threads were created while pinned to the first-touch node; undo
	 * that per thread (affinity and mempolicy are per-thread state). */
	if (have_first_touch)
		reset_placement();
	pthread_barrier_wait(&reset_barrier);

	for (;;) {
		for (size_t off = lo; off + sizeof(uint64_t) <= hi; off += 64) {
			volatile uint64_t *p = (volatile uint64_t *)(mem + off);
			*p = *p + 1;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long mb = -1, seconds = 0;
	int hugetlb = 0;
	const char *name = NULL, *ft = NULL;
	unsigned long nodemask[MAX_NODES / (8 * sizeof(unsigned long))] = {0};
	int nnodes = 0;
	cpu_set_t ft_cpus;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
		if (!strcmp(a, "--hugetlb")) { hugetlb = 1; continue; }
		if (!v)
			usage();
		if (!strcmp(a, "--mb")) mb = atol(v);
		else if (!strcmp(a, "--threads")) nthreads = atoi(v);
		else if (!strcmp(a, "--first-touch-node")) ft = v;
		else if (!strcmp(a, "--name")) name = v;
		else if (!strcmp(a, "--seconds")) seconds = atol(v);
		else usage();
		i++;
	}
	if (mb <= 0 || nthreads < 0)
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
		if (sched_setaffinity(0, sizeof(ft_cpus), &ft_cpus))
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

	/* The main thread just sleeps: it must not add scheduler noise (the
	 * probe judges placement by the running threads only). */
	if (seconds > 0) {
		struct timespec ts = {seconds, 0};
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	} else {
		for (;;)
			pause();
	}
	return 0;
}
