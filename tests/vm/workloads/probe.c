/* probe: report where a process's memory is versus where its threads run.
 *
 * probe PID...
 *
 * One line per PID (all sizes in KiB, so 4 KiB and 2 MiB hugetlb pages mix
 * correctly; numa_maps "N<id>=<pages>" counts are multiplied by that
 * mapping's kernelpagesize_kB).  node_kb/total_kb/local_kb cover the
 * process's own memory: anonymous and hugetlb mappings.  File-backed
 * mappings (binary, shared libraries) are summed into file_kb only.
 *
 *   PROBE pid=P comm=C threads=T running=R run_nodes=0,2 allowed_cpus=0-3 total_kb=K
 *         node_kb=0:K0,1:K1,... local_kb=L local_bp=B file_kb=F pgmigrate_success=S
 *
 * run_nodes: nodes of the CPUs the working threads last ran on (field 39
 * of /proc/PID/task/TID/stat): running (state R) or in an uninterruptible
 * wait (D: a thread that touches a page under migration waits in D until
 * the copy is done); if no thread is working, all threads count; read
 * for all PIDs first, before any numa_maps (see read_placement).  local_kb: memory on run_nodes.  local_bp:
 * local_kb / total_kb in basis points (10000 = 100%), an integer so that
 * busybox sh can compare it.  pgmigrate_success: system-wide /proc/vmstat
 * counter (4 KiB units for normal and THP pages).
 * A PID that has gone away prints "PROBE pid=P gone".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MAX_NODES 64
#define MAX_CPUS 1024

static int cpu_node[MAX_CPUS];
static int nr_nodes; /* highest node id + 1 */

static void load_topology(void)
{
	for (int c = 0; c < MAX_CPUS; c++)
		cpu_node[c] = -1;
	for (int n = 0; n < MAX_NODES; n++) {
		char path[128], buf[4096];
		FILE *f;
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
		f = fopen(path, "r");
		if (!f)
			continue;
		nr_nodes = n + 1;
		if (fgets(buf, sizeof(buf), f)) {
			char *s = buf;
			while (*s && *s != '\n') {
				char *end;
				long a = strtol(s, &end, 10), b = a;
				if (end == s)
					break;
				if (*end == '-')
					b = strtol(end + 1, &end, 10);
				for (long c = a; c <= b && c < MAX_CPUS; c++)
					cpu_node[c] = n;
				s = (*end == ',') ? end + 1 : end;
			}
		}
		fclose(f);
	}
}

static unsigned long long vmstat(const char *key)
{
	char name[128];
	unsigned long long v, found = 0;
	FILE *f = fopen("/proc/vmstat", "r");
	if (!f)
		return 0;
	while (fscanf(f, "%127s %llu", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

/* Field 39 ("processor") of a stat line; the comm field (2) may contain
 * spaces and parentheses, so count fields from the last ')'.  *state gets
 * field 3 (R = running/runnable). */
static int stat_processor(const char *path, char *state)
{
	char buf[2048];
	FILE *f = fopen(path, "r");
	size_t n;
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	/* after ')' come fields 3.. ; we want field 39 => 37th token */
	int field = 2;
	char *save, *tok = strtok_r(p, " ", &save);
	while (tok) {
		field++;
		if (field == 3)
			*state = tok[0];
		if (field == 39)
			return atoi(tok);
		tok = strtok_r(NULL, " ", &save);
	}
	return -1;
}

/* Where a process's threads are: read for every PID before any
 * numa_maps. The probe runs at nice -20 and its numa_maps reads take
 * 0.2-1.9 s on a busy guest: on a CPU shared with a hog, the hog waits,
 * and the load balancer may carry it to another node meanwhile; read
 * after that, "where it runs" was the probe's own doing (seen in
 * shuffled: a hog the daemon's sampler found on its home node 100% of
 * the time read as elsewhere in three probes in a row). */
struct placement {
	char comm[64], allowed[512];
	int run[MAX_NODES], any[MAX_NODES], threads, running;
};

static void read_placement(const char *pidstr, struct placement *pl)
{
	char path[256], line[8192];
	FILE *f;
	DIR *d;
	struct dirent *de;

	memset(pl, 0, sizeof(*pl));
	strcpy(pl->comm, "?");
	strcpy(pl->allowed, "?");
	snprintf(path, sizeof(path), "/proc/%s/task", pidstr);
	d = opendir(path);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char tpath[512];
			snprintf(tpath, sizeof(tpath), "/proc/%s/task/%s/stat", pidstr, de->d_name);
			char state = '?';
			int cpu = stat_processor(tpath, &state);
			if (cpu >= 0 && cpu < MAX_CPUS && cpu_node[cpu] >= 0) {
				pl->any[cpu_node[cpu]] = 1;
				pl->threads++;
				if (state == 'R' || state == 'D') {
					pl->run[cpu_node[cpu]] = 1;
					pl->running++;
				}
			}
		}
		closedir(d);
	}
	/* Only working threads say where the work happens: memhog's main
	 * thread sleeps and may last have run anywhere.  A worker waiting in D
	 * on a page being migrated still works: counting it as idle made the
	 * sleeping main thread's node look like a run node and a half-moved
	 * hog read 100% local (ratelimit's false early end, CI 2026-12).  An
	 * idle process (nothing working) is judged by all its threads. */
	if (!pl->running)
		memcpy(pl->run, pl->any, sizeof(pl->run));

	snprintf(path, sizeof(path), "/proc/%s/status", pidstr);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Name:\t", 6))
				sscanf(line + 6, "%63s", pl->comm);
			else if (!strncmp(line, "Cpus_allowed_list:\t", 19))
				sscanf(line + 19, "%511s", pl->allowed);
		}
		fclose(f);
	}
}

static void probe(const char *pidstr, const struct placement *pl)
{
	char path[256], line[8192];
	unsigned long long node_kb[MAX_NODES] = {0}, total = 0, local = 0, file_kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/numa_maps", pidstr);
	f = fopen(path, "r");
	if (!f) {
		printf("PROBE pid=%s gone\n", pidstr);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long pages[MAX_NODES] = {0}, pgkb = 4;
		/* File-backed mappings (the binary, libc: shared page cache a
		 * placer cannot sensibly move) are reported apart.  hugetlb
		 * mappings show up as "file=/anon_hugepage (deleted) huge" and
		 * do count. */
		int is_file = strstr(line, " file=") && !strstr(line, " huge");
		char *save, *tok = strtok_r(line, " \n", &save);
		while (tok) {
			if (tok[0] == 'N' && isdigit((unsigned char)tok[1])) {
				char *eq = strchr(tok, '=');
				int n = atoi(tok + 1);
				if (eq && n >= 0 && n < MAX_NODES)
					pages[n] += strtoull(eq + 1, NULL, 10);
			} else if (!strncmp(tok, "kernelpagesize_kB=", 18)) {
				pgkb = strtoull(tok + 18, NULL, 10);
			}
			tok = strtok_r(NULL, " \n", &save);
		}
		for (int n = 0; n < MAX_NODES; n++) {
			if (is_file)
				file_kb += pages[n] * pgkb;
			else
				node_kb[n] += pages[n] * pgkb;
		}
	}
	fclose(f);

	printf("PROBE pid=%s comm=%s threads=%d running=%d run_nodes=", pidstr, pl->comm,
	       pl->threads, pl->running);
	int first = 1;
	for (int n = 0; n < MAX_NODES; n++)
		if (pl->run[n]) {
			printf("%s%d", first ? "" : ",", n);
			first = 0;
		}
	if (first)
		printf("none");
	for (int n = 0; n < MAX_NODES; n++) {
		total += node_kb[n];
		if (pl->run[n])
			local += node_kb[n];
	}
	printf(" allowed_cpus=%s total_kb=%llu node_kb=", pl->allowed, total);
	for (int n = 0; n < nr_nodes; n++)
		printf("%s%d:%llu", n ? "," : "", n, node_kb[n]);
	printf(" local_kb=%llu local_bp=%llu file_kb=%llu pgmigrate_success=%llu\n", local,
	       total ? local * 10000 / total : 0, file_kb, vmstat("pgmigrate_success"));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: probe PID...\n");
		return 2;
	}
	/* A reading is stamped with the time it started: at nice 0 on a
	 * guest whose every vCPU runs a busy hog or a nice -10 mover, the
	 * reads of three 300 MiB processes' numa_maps took up to 2.8 s. At
	 * the highest priority they take what they cost. Not fatal when not
	 * allowed. */
	(void)setpriority(PRIO_PROCESS, 0, -20);
	load_topology();
	struct placement *pl = calloc((size_t)argc, sizeof(*pl));
	if (!pl)
		return 1;
	for (int i = 1; i < argc; i++)
		read_placement(argv[i], &pl[i]);
	for (int i = 1; i < argc; i++)
		probe(argv[i], &pl[i]);
	free(pl);
	fflush(stdout);
	return 0;
}
