/* sysstate: see sysstate.h. */
#include "sysstate.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* /proc/vmstat is ~200 lines of ~30 bytes; leave room for new counters. */
#define VMSTAT_MAX (256 * 1024)
/* Longer names are not counters we know: such lines are skipped. */
#define VMSTAT_NAME_MAX 64
/* /proc/stat is ~150 bytes per CPU plus intr and softirq lines that grow
 * with the interrupt count: 8192 CPUs and tens of thousands of IRQs fit. */
#define PROCSTAT_MAX (4 * 1024 * 1024)
/* Fields a cpuN line may carry: 10 today; later kernels may add some. */
#define PROCSTAT_FIELDS_KNOWN 10
#define PROCSTAT_FIELDS_MAX 32
#define PROCSTAT_FIELDS_MIN 4

static const struct {
    const char *name;
    size_t offset;
} vmstat_fields[] = {
    { "numa_hit", offsetof(struct np_vmstat, numa_hit) },
    { "numa_miss", offsetof(struct np_vmstat, numa_miss) },
    { "numa_foreign", offsetof(struct np_vmstat, numa_foreign) },
    { "numa_interleave", offsetof(struct np_vmstat, numa_interleave) },
    { "numa_local", offsetof(struct np_vmstat, numa_local) },
    { "numa_other", offsetof(struct np_vmstat, numa_other) },
    { "numa_pte_updates", offsetof(struct np_vmstat, numa_pte_updates) },
    { "numa_huge_pte_updates", offsetof(struct np_vmstat, numa_huge_pte_updates) },
    { "numa_hint_faults", offsetof(struct np_vmstat, numa_hint_faults) },
    { "numa_hint_faults_local", offsetof(struct np_vmstat, numa_hint_faults_local) },
    { "numa_pages_migrated", offsetof(struct np_vmstat, numa_pages_migrated) },
    { "pgmigrate_success", offsetof(struct np_vmstat, pgmigrate_success) },
    { "pgmigrate_fail", offsetof(struct np_vmstat, pgmigrate_fail) },
};

static void store_counter(struct np_vmstat *st, const char *name, size_t len, uint64_t value)
{
    for (size_t i = 0; i < sizeof(vmstat_fields) / sizeof(vmstat_fields[0]); i++) {
        if (strlen(vmstat_fields[i].name) == len &&
            memcmp(vmstat_fields[i].name, name, len) == 0) {
            memcpy((char *)st + vmstat_fields[i].offset, &value, sizeof(value));
            return;
        }
    }
}

/* A text without a single "name value" line is not vmstat: -EINVAL. Lines
 * that do not parse are skipped so one odd counter cannot hide the rest. */
int np_vmstat_parse(const char *text, struct np_vmstat *ret)
{
    if (!text || !ret)
        return -EINVAL;
    struct np_vmstat st;
    memset(&st, 0, sizeof(st));
    unsigned good_lines = 0;
    const char *line = text;
    while (*line) {
        size_t line_len = strcspn(line, "\n");
        const char *next = line + line_len + (line[line_len] == '\n');
        size_t name_len = strcspn(line, " \t\n");
        const char *p = line + name_len;
        uint64_t value;
        if (name_len > 0 && name_len <= VMSTAT_NAME_MAX && (*p == ' ' || *p == '\t')) {
            np_skip_blanks(&p);
            if (np_scan_u64(&p, &value) == 0) {
                np_skip_blanks(&p);
                if (*p == '\n' || *p == '\0') {
                    store_counter(&st, line, name_len, value);
                    good_lines++;
                }
            }
        }
        line = next;
    }
    if (good_lines == 0)
        return -EINVAL;
    *ret = st;
    return 0;
}

int np_vmstat_read(const struct np_root *root, struct np_vmstat *ret)
{
    char *text;
    int r = np_read_file_alloc(root, "proc/vmstat", VMSTAT_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    r = np_vmstat_parse(text, ret);
    free(text);
    return r;
}

int np_numa_balancing_read(const struct np_root *root, int *ret_mode)
{
    char buf[32];
    long n = np_read_file(root, "proc/sys/kernel/numa_balancing", buf, sizeof(buf));
    if (n == -E2BIG)
        return -EINVAL;
    if (n < 0)
        return (int)n;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    long mode;
    if (np_parse_long_range(buf, 0, 3, &mode) < 0)
        return -EINVAL;
    *ret_mode = (int)mode;
    return 0;
}

/* ---- proc/stat ---- */

enum { F_USER, F_NICE, F_SYSTEM, F_IDLE, F_IOWAIT, F_IRQ, F_SOFTIRQ, F_STEAL };

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool at_line_end(const char *p)
{
    return *p == '\n' || *p == '\0';
}

/* One "cpuN f1 f2 ..." line (LINE starts at "cpu<digit>"). 0, -EINVAL or
 * -ERANGE; the outputs are set only on success. */
static int parse_cpu_line(const char *line, unsigned *ret_id, unsigned *ret_nfields,
                          uint64_t *ret_busy, uint64_t *ret_total)
{
    const char *p = line + 3;
    uint64_t id;
    int r = np_scan_u64(&p, &id);
    if (r < 0)
        return r;
    if (id >= NP_MAX_CPUS)
        return -ERANGE;
    uint64_t f[PROCSTAT_FIELDS_KNOWN] = { 0 };
    unsigned nfields = 0;
    for (;;) {
        if (at_line_end(p))
            break;
        if (*p != ' ' && *p != '\t')
            return -EINVAL;                 /* "cpu0x", "12abc" */
        np_skip_blanks(&p);
        if (at_line_end(p))
            break;                          /* trailing blanks */
        if (nfields == PROCSTAT_FIELDS_MAX)
            return -EINVAL;
        uint64_t v;
        r = np_scan_u64(&p, &v);
        if (r < 0)
            return r;
        if (nfields < PROCSTAT_FIELDS_KNOWN)
            f[nfields] = v;
        nfields++;
    }
    if (nfields < PROCSTAT_FIELDS_MIN)
        return -EINVAL;
    uint64_t busy = f[F_USER];
    busy = sat_add(busy, f[F_NICE]);
    busy = sat_add(busy, f[F_SYSTEM]);
    busy = sat_add(busy, f[F_IRQ]);
    busy = sat_add(busy, f[F_SOFTIRQ]);
    busy = sat_add(busy, f[F_STEAL]);
    *ret_id = (unsigned)id;
    *ret_nfields = nfields;
    *ret_busy = busy;
    *ret_total = sat_add(sat_add(busy, f[F_IDLE]), f[F_IOWAIT]);
    return 0;
}

void np_cpu_times_clear(struct np_cpu_times *t)
{
    if (!t)
        return;
    free(t->busy);
    free(t->total);
    memset(t, 0, sizeof(*t));
}

int np_cpu_times_parse(const char *text, struct np_cpu_times *ret)
{
    if (!text || !ret)
        return -EINVAL;
    struct np_cpu_times t;
    memset(&t, 0, sizeof(t));
    /* Filled at full size, then shrunk to the highest id seen. */
    t.busy = calloc(NP_MAX_CPUS, sizeof(*t.busy));
    t.total = calloc(NP_MAX_CPUS, sizeof(*t.total));
    if (!t.busy || !t.total) {
        np_cpu_times_clear(&t);
        return -ENOMEM;
    }
    unsigned want_fields = 0;
    int r = 0;
    for (const char *line = text; *line; ) {
        if (strncmp(line, "cpu", 3) == 0 && isdigit((unsigned char)line[3])) {
            unsigned id, nfields;
            uint64_t busy, total;
            r = parse_cpu_line(line, &id, &nfields, &busy, &total);
            if (r < 0)
                break;
            /* The kernel prints every line with one format: fewer fields
             * on one line is a truncated or forged file. */
            if ((t.ncpus > 0 && nfields != want_fields) || np_cpuset_test(&t.present, id)) {
                r = -EINVAL;
                break;
            }
            want_fields = nfields;
            np_cpuset_set(&t.present, id);
            t.busy[id] = busy;
            t.total[id] = total;
            if (id + 1 > t.ncpus)
                t.ncpus = id + 1;
        }
        const char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
    if (r == 0 && t.ncpus == 0)
        r = -EINVAL;
    if (r < 0) {
        np_cpu_times_clear(&t);
        return r;
    }
    uint64_t *b = realloc(t.busy, t.ncpus * sizeof(*t.busy));
    if (b)
        t.busy = b;
    uint64_t *tot = realloc(t.total, t.ncpus * sizeof(*t.total));
    if (tot)
        t.total = tot;
    *ret = t;
    return 0;
}

int np_cpu_times_read(const struct np_root *root, struct np_cpu_times *ret)
{
    if (!root || !ret)
        return -EINVAL;
    char *text;
    size_t len;
    int r = np_read_file_alloc(root, "proc/stat", PROCSTAT_MAX, &text, &len);
    if (r < 0)
        return r;
    if (strlen(text) != len)
        r = -EINVAL;                        /* a NUL would cut the text short */
    else
        r = np_cpu_times_parse(text, ret);
    free(text);
    return r;
}

static bool cpu_times_valid(const struct np_cpu_times *t)
{
    return t->ncpus <= NP_MAX_CPUS && (t->ncpus == 0 || (t->busy && t->total));
}

int np_node_cpu_use(const struct np_topology *topo, const struct np_cpu_times *prev,
                    const struct np_cpu_times *now, double *ret, unsigned *ret_skipped_cpus)
{
    if (!topo || !prev || !now || !ret || !cpu_times_valid(prev) || !cpu_times_valid(now))
        return -EINVAL;
    if (topo->nnodes > 0 && !topo->cpu_node_index)
        return -EINVAL;
    for (unsigned i = 0; i < topo->nnodes; i++)
        ret[i] = 0.0;
    unsigned skipped = 0;
    unsigned n = prev->ncpus < now->ncpus ? prev->ncpus : now->ncpus;
    for (unsigned cpu = 0; cpu < n; cpu++) {
        if (!np_cpuset_test(&prev->present, cpu) || !np_cpuset_test(&now->present, cpu))
            continue;
        int node = np_topology_cpu_node(topo, (int)cpu);
        if (node < 0 || (unsigned)node >= topo->nnodes)
            continue;
        uint64_t b0 = prev->busy[cpu], b1 = now->busy[cpu];
        uint64_t t0 = prev->total[cpu], t1 = now->total[cpu];
        if (b1 < b0 || t1 <= t0 ||
            b0 == UINT64_MAX || b1 == UINT64_MAX || t0 == UINT64_MAX || t1 == UINT64_MAX) {
            skipped++;
            continue;
        }
        double share = (double)(b1 - b0) / (double)(t1 - t0);
        ret[node] += share > 1.0 ? 1.0 : share;
    }
    if (ret_skipped_cpus)
        *ret_skipped_cpus = skipped;
    return 0;
}
