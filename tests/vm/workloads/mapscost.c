/* mapscost: what reading a large process's memory policies costs it.
 *
 * mapscost [--mb SIZE] [--reads N]
 *
 * A child touches SIZE MiB (default 1024) of 4 KiB pages (MADV_NOHUGEPAGE,
 * the case where numa_maps is dearest) and then times mmap+munmap of one
 * page in a loop, the call that waits for the mmap lock numa_maps holds.
 * The parent reads the child's numa_maps N times (default 20) in three
 * ways and prints, per way, the median read time and the child's longest
 * and median mmap+munmap meanwhile:
 *   idle   no reads (the child's own baseline)
 *   full   /proc/PID/numa_maps whole, as a policy rescan of a sampled
 *          process reads it
 *   head   one 128-byte read of /proc/PID/task/PID/numa_maps, as numaplaced
 *          reads each thread's policy
 * Output: one "MAPSCOST way=... read_ms=... mmap_max_us=... mmap_p50_us=..."
 * line per way.  Runs on the host and in the guest (no libnuma).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 200000

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Child: touch, say ready, then time mmap+munmap until a byte arrives on
 * CTL; report max and median of that phase on RES, and again. */
static void child(size_t len, int ctl, int res)
{
	unsigned char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(1);
	madvise(mem, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += 4096)
		mem[off] = 1;
	static double lat[MAX_SAMPLES];
	fcntl(ctl, F_SETFL, O_NONBLOCK);
	if (write(res, "r", 1) != 1)
		_exit(1);
	for (;;) {
		size_t n = 0;
		char c;
		for (;;) {
			ssize_t got = read(ctl, &c, 1);
			if (got == 1)
				break;
			if (got == 0)
				_exit(0);
			double t0 = now_us();
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(1);
			munmap(p, 4096);
			if (n < MAX_SAMPLES)
				lat[n++] = now_us() - t0;
		}
		qsort(lat, n, sizeof(lat[0]), cmp_double);
		double out[2] = { n ? lat[n - 1] : 0, n ? lat[n / 2] : 0 };
		if (write(res, out, sizeof(out)) != sizeof(out))
			_exit(1);
	}
}

static double read_once(const char *path, size_t want)
{
	static char buf[1 << 16];
	double t0 = now_us();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	if (want) {
		if (read(fd, buf, want) < 0)
			exit(1);
	} else {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
	return now_us() - t0;
}

int main(int argc, char **argv)
{
	long mb = 1024, reads = 20;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mb"))
			mb = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--reads"))
			reads = strtol(argv[i + 1], NULL, 10);
	}
	if (mb <= 0 || reads <= 0 || reads > 1000) {
		fprintf(stderr, "usage: mapscost [--mb SIZE] [--reads 1..1000]\n");
		return 2;
	}
	int ctl[2], res[2];
	if (pipe(ctl) || pipe(res))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		close(ctl[1]);
		close(res[0]);
		child((size_t)mb << 20, ctl[0], res[1]);
	}
	close(ctl[0]);
	close(res[1]);
	char c;
	if (read(res[0], &c, 1) != 1)
		return 1;
	char full[64], head[64];
	snprintf(full, sizeof(full), "/proc/%d/numa_maps", (int)pid);
	snprintf(head, sizeof(head), "/proc/%d/task/%d/numa_maps", (int)pid, (int)pid);
	static const char *const ways[] = { "idle", "full", "head" };
	double t[1000];
	for (int w = 0; w < 3; w++) {
		for (long i = 0; i < reads; i++) {
			if (w == 0) {
				usleep(20000);
				t[i] = 0;
			} else
				t[i] = read_once(w == 1 ? full : head, w == 2 ? 128 : 0);
			usleep(5000);
		}
		if (write(ctl[1], "x", 1) != 1)
			return 1;
		double out[2];
		if (read(res[0], out, sizeof(out)) != sizeof(out))
			return 1;
		qsort(t, (size_t)reads, sizeof(t[0]), cmp_double);
		printf("MAPSCOST way=%s mb=%ld reads=%ld read_ms=%.3f mmap_max_us=%.0f mmap_p50_us=%.1f\n",
		       ways[w], mb, reads, t[reads / 2] / 1000.0, out[0], out[1]);
		fflush(stdout);
	}
	close(ctl[1]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
}
