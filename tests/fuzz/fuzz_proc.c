/* libFuzzer targets: the parsers of text that other users' processes or the
 * kernel hand numaplaced. One source, one binary per parser: tests/fuzz/run.sh
 * builds it with -DNP_FUZZ_<NAME> for each of
 *   STAT     proc/PID/stat (np_parse_stat: raw bytes, never read past LEN)
 *   STATUS   proc/PID/status (np_parse_status)
 *   CGROUP   proc/PID/cgroup (np_parse_cgroup)
 *   VMSTAT   proc/vmstat (np_vmstat_parse)
 *   CPUSTAT  proc/stat (np_cpu_times_parse)
 *   CPULIST  sysfs cpulists and status masks (np_bits_parse_list/_mask)
 *   CONFIG   the config file through libconfig and the schema
 *   TASKSCHED proc/PID/task/TID/sched (np_task_numa_parse: raw bytes)
 *   TOPOLOGY node meminfo, distance, online, cpulist, has_cpu and
 *            hugepage counts, through np_topology_read and
 *            np_topology_refresh_memory on a copy of the guest-4node
 *            fixture: the input's first byte picks the file, the rest is it
 * Besides "no crash, no leak" each checks what its parser promises: output
 * untouched on failure, fields within their documented bounds. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "bitset.h"
#include "config.h"
#include "fsroot.h"
#include "topology.h"
#include "sample.h"
#include "sysstate.h"
#include "tasksched.h"

/* NUL-terminated copy of the input: the string parsers' contract. */
static char *terminated(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static bool all_bytes(const void *p, size_t n, unsigned char b)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != b)
            return false;
    return true;
}

#if defined(NP_FUZZ_STAT)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, so ASan sees a read past LEN. */
    char *raw = malloc(size ? size : 1);
    if (!raw)
        abort();
    memcpy(raw, data, size);
    struct np_proc p;
    memset(&p, 0xa5, sizeof(p));
    int r = np_parse_stat(raw, size, 4, &p);
    if (r == 0) {
        if (p.pid <= 0 || !memchr(p.comm, '\0', sizeof(p.comm)) || p.num_threads < 0)
            abort();
    } else if (r != -EINVAL && r != -ERANGE) {
        abort();
    } else if (!all_bytes(&p, sizeof(p), 0xa5)) {
        abort();   /* untouched on failure */
    }
    free(raw);
    return 0;
}
#elif defined(NP_FUZZ_STATUS)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = terminated(data, size);
    struct np_proc p;
    memset(&p, 0xa5, sizeof(p));
    int r = np_parse_status(s, &p);
    if (r != 0 && r != -EINVAL && r != -ENOMEM)
        abort();
    if (r != 0 && !all_bytes(&p, sizeof(p), 0xa5))
        abort();
    if (r == 0 && p.uid == (uid_t)-1)
        abort();   /* the parser refuses the "no uid" value */
    free(s);
    return 0;
}
#elif defined(NP_FUZZ_CGROUP)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = terminated(data, size);
    for (size_t sz = 1; sz <= 4096; sz *= 8) {
        char *buf = malloc(sz);   /* exact size: an overflow is reported */
        if (!buf)
            abort();
        int r = np_parse_cgroup(s, buf, sz);
        if (!memchr(buf, '\0', sz))
            abort();
        if (r < 0 && buf[0] != '\0')
            abort();
        free(buf);
    }
    free(s);
    return 0;
}
#elif defined(NP_FUZZ_VMSTAT)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = terminated(data, size);
    struct np_vmstat v;
    int r = np_vmstat_parse(s, &v);
    if (r != 0 && r != -EINVAL)
        abort();
    free(s);
    return 0;
}
#elif defined(NP_FUZZ_TASKSCHED)
static struct np_task_numa task;   /* 16 KiB: not on the fuzzer's stack */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Raw bytes, not NUL-terminated: the parser must stay within SIZE. */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    int r = np_task_numa_parse(copy, size, &task);
    if (r != 0 && r != -ENODATA)
        abort();
    if (task.nnodes > NP_MAX_NODES || task.preferred_nid < -1 || task.preferred_nid >= NP_MAX_NODES ||
        task.current_node < -1 || task.current_node >= NP_MAX_NODES)
        abort();
    double share = np_task_numa_fault_share(&task, 0);
    if (!(share == -1.0 || (share >= 0.0 && share <= 1.0)))
        abort();
    free(copy);
    return 0;
}
#elif defined(NP_FUZZ_CPUSTAT)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = terminated(data, size);
    struct np_cpu_times t = {0};
    int r = np_cpu_times_parse(s, &t);
    if (r == 0) {
        if (t.ncpus == 0 || t.ncpus > NP_MAX_CPUS || !t.busy || !t.total)
            abort();
        for (unsigned c = 0; c < t.ncpus; c++) {
            bool present = np_bits_test(NP_CPUS(&t.present), c);
            if (!present && (t.busy[c] || t.total[c]))
                abort();
            if (present && t.busy[c] > t.total[c] && t.total[c] != UINT64_MAX)
                abort();   /* busy is part of total (both saturate) */
        }
    } else if (r != -EINVAL && r != -ERANGE && r != -ENOMEM) {
        abort();
    } else if (t.busy || t.total || t.ncpus) {
        abort();   /* untouched on failure */
    }
    np_cpu_times_clear(&t);
    free(s);
    return 0;
}
#elif defined(NP_FUZZ_CPULIST)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = terminated(data, size);
    uint64_t w[NP_MAX_CPUS / 64];
    for (int mask = 0; mask < 2; mask++) {
        memset(w, 0, sizeof(w));
        int r = mask ? np_bits_parse_mask(w, NP_MAX_CPUS, s) : np_bits_parse_list(w, NP_MAX_CPUS, s);
        if (r != 0 && r != -EINVAL && r != -ERANGE)
            abort();
        if (r == 0 && !mask) {
            /* A parsed list prints back to a list that parses to the same set. */
            char out[NP_MAX_CPUS * 6];
            uint64_t again[NP_MAX_CPUS / 64] = {0};
            np_bits_format_list(w, NP_MAX_CPUS, out, sizeof(out));
            if (np_bits_parse_list(again, NP_MAX_CPUS, out) != 0 || memcmp(again, w, sizeof(w)) != 0)
                abort();
        }
    }
    free(s);
    return 0;
}
#elif defined(NP_FUZZ_TOPOLOGY)
/* The files the input may replace, each restored after the run. */
static const char *const topo_files[] = {
    "sys/devices/system/node/node1/meminfo",
    "sys/devices/system/node/node2/distance",
    "sys/devices/system/node/online",
    "sys/devices/system/node/node3/cpulist",
    "sys/devices/system/node/has_cpu",
    "sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages",
    "sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages",
    "sys/devices/system/cpu/online",
};
enum { NTOPO = sizeof(topo_files) / sizeof(topo_files[0]) };
static char topo_dir[64];
static struct np_root topo_root;
static char *topo_orig[NTOPO];
static size_t topo_orig_len[NTOPO];

static void put(const char *rel, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", topo_dir, rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
        abort();
    close(fd);
}

static void remove_topo_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", topo_dir);
    (void)!system(cmd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* tmpfs: a disk-backed /tmp made each input a disk write (1,500 exec/s). */
    snprintf(topo_dir, sizeof(topo_dir), "%s/np-fuzz-topology-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(topo_dir))
        abort();
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "cp -a tests/fixtures/guest-4node/sys tests/fixtures/guest-4node/proc %s/",
             topo_dir);
    if (system(cmd) != 0 || np_root_open(topo_dir, &topo_root) < 0)
        abort();
    atexit(remove_topo_dir);
    for (unsigned i = 0; i < NTOPO; i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", topo_dir, topo_files[i]);
        FILE *f = fopen(path, "re");
        if (!f)
            abort();
        topo_orig[i] = malloc(65536);
        topo_orig_len[i] = fread(topo_orig[i], 1, 65536, f);
        fclose(f);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned which = data[0] % NTOPO;
    put(topo_files[which], data + 1, size - 1);
    struct np_topology *t = NULL;
    int r = np_topology_read(&topo_root, &t);
    if (r == 0) {
        if (!t || t->nnodes == 0 || t->nnodes > NP_MAX_NODES)
            abort();
        for (unsigned i = 0; i < t->nnodes; i++) {
            if (i && t->nodes[i].id <= t->nodes[i - 1].id)
                abort();   /* sorted by id, no duplicates */
            for (unsigned j = 0; j < t->nnodes; j++) {
                int d = np_topology_distance(t, i, j);
                if (d < 1 || d > 255)
                    abort();
            }
            const struct np_node *n = &t->nodes[i];
            if (n->nhuge > NP_MAX_HUGE_SIZES)
                abort();
        }
        int rr = np_topology_refresh_memory(&topo_root, t);
        if (rr > 0)
            abort();
        np_topology_free(t);
    } else if (t) {
        abort();   /* nothing handed out on failure */
    }
    put(topo_files[which], topo_orig[which], topo_orig_len[which]);
    return 0;
}
#elif defined(NP_FUZZ_CONFIG)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = terminated(data, size);
    struct np_config cfg;
    char err[256];
    err[0] = 'x';
    int r = np_config_load_string(s, "fuzz.conf", &cfg, err, sizeof(err));
    if (r == 0) {
        struct np_config copy;   /* what a reload does with an accepted file */
        if (np_config_copy(&cfg, &copy) != 0)
            abort();
        np_config_free(&copy);
        np_config_free(&cfg);
    } else if (!memchr(err, '\0', sizeof(err)) || err[0] == '\0') {
        abort();   /* every rejection says why */
    }
    free(s);
    return 0;
}
#else
#error "build with -DNP_FUZZ_STAT, _STATUS, _CGROUP, _VMSTAT, _CPUSTAT, _CPULIST, _CONFIG, _TASKSCHED or _TOPOLOGY"
#endif
