/* Unit tests for lib/sysstate.c: the host capture in tests/fixtures/host-1node,
 * hand-written vmstat/numa_balancing contents, and proc/stat readings in
 * tests/fixtures/procstat (each a root holding proc/stat):
 *   host-before/after      this 2-CPU host ~1 s apart, a busy loop on CPU 1
 *                          (CPU 0 was busy with a VM run at the time)
 *   4node-before/after     8 CPUs, 2 per node, 100-ish ticks with exact loads
 *   offline-before/after   CPU 2 of 4 offline in the first reading
 *   oldkernel-before/after the 4-field cpuN lines of Linux 2.4
 *   hostile-*              truncated, garbage, cpu99999, 20-digit numbers
 *                          (over and under UINT64_MAX), an embedded NUL
 * Run from the repo root. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysstate.h"
#include "topo_builder.h"

#define HOST "tests/fixtures/host-1node"
#define PROCSTAT "tests/fixtures/procstat/"
#define TOL 1e-12

/* ---- a temporary root holding proc/sys/kernel/numa_balancing ---- */

struct tree {
    char path[64];
    struct np_root root;
};

static void tree_init(struct tree *t)
{
    char dir[160];
    snprintf(t->path, sizeof(t->path), "/tmp/np-sysstate-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->path));
    snprintf(dir, sizeof(dir), "%s/proc", t->path);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(dir, sizeof(dir), "%s/proc/sys", t->path);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(dir, sizeof(dir), "%s/proc/sys/kernel", t->path);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    ck_assert_int_eq(np_root_open(t->path, &t->root), 0);
}

static void tree_write(struct tree *t, const char *rel, const char *content)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", t->path, rel);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(content, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void tree_destroy(struct tree *t)
{
    np_root_close(&t->root);
    nftw(t->path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- vmstat ---- */

START_TEST(test_vmstat_host_capture)
{
    struct np_root root;
    struct np_vmstat st;
    memset(&st, 0xff, sizeof(st));
    ck_assert_int_eq(np_root_open(HOST, &root), 0);
    ck_assert_int_eq(np_vmstat_read(&root, &st), 0);
    np_root_close(&root);
    ck_assert_uint_eq(st.numa_hit, 1887491);
    ck_assert_uint_eq(st.numa_miss, 0);
    ck_assert_uint_eq(st.numa_foreign, 0);
    ck_assert_uint_eq(st.numa_interleave, 1124);
    ck_assert_uint_eq(st.numa_local, 1887491);
    ck_assert_uint_eq(st.numa_other, 0);
    ck_assert_uint_eq(st.numa_pte_updates, 0);
    ck_assert_uint_eq(st.numa_huge_pte_updates, 0);
    ck_assert_uint_eq(st.numa_hint_faults, 0);
    ck_assert_uint_eq(st.numa_hint_faults_local, 0);
    ck_assert_uint_eq(st.numa_pages_migrated, 0);
    ck_assert_uint_eq(st.pgmigrate_success, 0);
    ck_assert_uint_eq(st.pgmigrate_fail, 0);
}
END_TEST

START_TEST(test_vmstat_every_counter)
{
    static const char text[] =
        "nr_free_pages 1218588\n"
        "numa_hit 101\n"
        "numa_miss 102\n"
        "numa_foreign 103\n"
        "numa_interleave 104\n"
        "numa_local 105\n"
        "numa_other 106\n"
        "pgpgin 999\n"
        "numa_pte_updates 107\n"
        "numa_huge_pte_updates 108\n"
        "numa_hint_faults 109\n"
        "numa_hint_faults_local 110\n"
        "numa_pages_migrated 111\n"
        "pgmigrate_success 18446744073709551615\n"
        "pgmigrate_fail 113";            /* no newline at the end */
    struct np_vmstat st;
    ck_assert_int_eq(np_vmstat_parse(text, &st), 0);
    ck_assert_uint_eq(st.numa_hit, 101);
    ck_assert_uint_eq(st.numa_miss, 102);
    ck_assert_uint_eq(st.numa_foreign, 103);
    ck_assert_uint_eq(st.numa_interleave, 104);
    ck_assert_uint_eq(st.numa_local, 105);
    ck_assert_uint_eq(st.numa_other, 106);
    ck_assert_uint_eq(st.numa_pte_updates, 107);
    ck_assert_uint_eq(st.numa_huge_pte_updates, 108);
    ck_assert_uint_eq(st.numa_hint_faults, 109);
    ck_assert_uint_eq(st.numa_hint_faults_local, 110);
    ck_assert_uint_eq(st.numa_pages_migrated, 111);
    ck_assert_uint_eq(st.pgmigrate_success, UINT64_MAX);
    ck_assert_uint_eq(st.pgmigrate_fail, 113);
}
END_TEST

START_TEST(test_vmstat_missing_and_malformed)
{
    /* Prefixes of known names must not match; bad lines are skipped. */
    static const char text[] =
        "numa_hit 7\n"
        "numa_hits 1000\n"
        "numa 1000\n"
        "numa_miss abc\n"
        "numa_foreign\n"
        "numa_interleave 12 34\n"
        "numa_local -5\n"
        "numa_other 99999999999999999999999\n"
        " numa_pte_updates 3\n"
        "\n"
        "numa_hint_faults 4x\n"
        "numa_pages_migrated\t9\n"
        "numa_hint_faults_local 5   \n"
        "numa_hit 8\n";                 /* a repeated name: the last wins */
    struct np_vmstat st;
    memset(&st, 0xff, sizeof(st));
    ck_assert_int_eq(np_vmstat_parse(text, &st), 0);
    ck_assert_uint_eq(st.numa_hit, 8);
    ck_assert_uint_eq(st.numa_miss, 0);
    ck_assert_uint_eq(st.numa_foreign, 0);
    ck_assert_uint_eq(st.numa_interleave, 0);
    ck_assert_uint_eq(st.numa_local, 0);
    ck_assert_uint_eq(st.numa_other, 0);
    ck_assert_uint_eq(st.numa_pte_updates, 0);
    ck_assert_uint_eq(st.numa_hint_faults, 0);
    ck_assert_uint_eq(st.numa_pages_migrated, 9);
    ck_assert_uint_eq(st.numa_hint_faults_local, 5);
    ck_assert_uint_eq(st.pgmigrate_success, 0);
    ck_assert_uint_eq(st.pgmigrate_fail, 0);
}
END_TEST

START_TEST(test_vmstat_long_name_skipped)
{
    char text[512];
    char name[200];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    snprintf(text, sizeof(text), "%s 5\nnuma_miss 6\n", name);
    struct np_vmstat st;
    ck_assert_int_eq(np_vmstat_parse(text, &st), 0);
    ck_assert_uint_eq(st.numa_miss, 6);
}
END_TEST

START_TEST(test_vmstat_invalid)
{
    struct np_vmstat st;
    memset(&st, 0xab, sizeof(st));
    struct np_vmstat before = st;
    ck_assert_int_eq(np_vmstat_parse(NULL, &st), -EINVAL);
    ck_assert_int_eq(np_vmstat_parse("", &st), -EINVAL);
    ck_assert_int_eq(np_vmstat_parse("garbage\nmore garbage here\n", &st), -EINVAL);
    ck_assert_int_eq(memcmp(&st, &before, sizeof(st)), 0);

    struct tree t;
    tree_init(&t);
    ck_assert_int_eq(np_vmstat_read(&t.root, &st), -ENOENT);
    tree_write(&t, "proc/vmstat", "");
    ck_assert_int_eq(np_vmstat_read(&t.root, &st), -EINVAL);
    tree_write(&t, "proc/vmstat", "numa_foreign 42\n");
    ck_assert_int_eq(np_vmstat_read(&t.root, &st), 0);
    ck_assert_uint_eq(st.numa_foreign, 42);
    ck_assert_uint_eq(st.numa_hit, 0);
    tree_destroy(&t);
}
END_TEST

/* ---- numa_balancing ---- */

START_TEST(test_numa_balancing_host)
{
    struct np_root root;
    int mode = -1;
    ck_assert_int_eq(np_root_open(HOST, &root), 0);
    ck_assert_int_eq(np_numa_balancing_read(&root, &mode), 0);
    ck_assert_int_eq(mode, 0);
    np_root_close(&root);
}
END_TEST

static const struct {
    const char *content;   /* NULL: file absent */
    int want_ret, want_mode;
} balancing_cases[] = {
    { NULL, -ENOENT, -1 },
    { "0\n", 0, 0 },
    { "1\n", 0, 1 },
    { "2\n", 0, 2 },
    { "3", 0, 3 },
    { "4\n", -EINVAL, -1 },
    { "-1\n", -EINVAL, -1 },
    { "\n", -EINVAL, -1 },
    { "", -EINVAL, -1 },
    { "on\n", -EINVAL, -1 },
    { "1 2\n", -EINVAL, -1 },
    { "1\n\n", 0, 1 },
    { "00000000000000000000000000000000000000001\n", -EINVAL, -1 },
};

START_TEST(test_numa_balancing_values)
{
    struct tree t;
    tree_init(&t);
    if (balancing_cases[_i].content)
        tree_write(&t, "proc/sys/kernel/numa_balancing", balancing_cases[_i].content);
    int mode = -1;
    ck_assert_int_eq(np_numa_balancing_read(&t.root, &mode), balancing_cases[_i].want_ret);
    ck_assert_int_eq(mode, balancing_cases[_i].want_mode);
    tree_destroy(&t);
}
END_TEST

/* ---- proc/stat: per-CPU times ---- */

static void read_stat(const char *name, struct np_cpu_times *t)
{
    char dir[256];
    struct np_root root;
    snprintf(dir, sizeof(dir), PROCSTAT "%s", name);
    ck_assert_int_eq(np_root_open(dir, &root), 0);
    memset(t, 0, sizeof(*t));
    ck_assert_int_eq(np_cpu_times_read(&root, t), 0);
    np_root_close(&root);
}

static int read_stat_ret(const char *name)
{
    char dir[256];
    struct np_root root;
    struct np_cpu_times t;
    snprintf(dir, sizeof(dir), PROCSTAT "%s", name);
    ck_assert_int_eq(np_root_open(dir, &root), 0);
    memset(&t, 0xab, sizeof(t));
    struct np_cpu_times before = t;
    int r = np_cpu_times_read(&root, &t);
    np_root_close(&root);
    if (r < 0)
        ck_assert_int_eq(memcmp(&t, &before, sizeof(t)), 0);
    else
        np_cpu_times_clear(&t);
    return r;
}

static void assert_cpu(const struct np_cpu_times *t, unsigned cpu, uint64_t busy, uint64_t total)
{
    ck_assert_uint_lt(cpu, t->ncpus);
    ck_assert(np_cpuset_test(&t->present, cpu));
    ck_assert_uint_eq(t->busy[cpu], busy);
    ck_assert_uint_eq(t->total[cpu], total);
}

/* The 4node, offline and host topologies: N nodes of CPUS[i] CPUs in order. */
static struct np_topology *topo_nodes(unsigned nnodes, const unsigned *cpus)
{
    int ids[8], dist[64];
    ck_assert_uint_le(nnodes, 8);
    for (unsigned i = 0; i < nnodes; i++) {
        ids[i] = (int)i;
        for (unsigned j = 0; j < nnodes; j++)
            dist[i * nnodes + j] = i == j ? 10 : 20;
    }
    return topo_new(nnodes, ids, cpus, dist);
}

START_TEST(test_stat_host_capture)
{
    struct np_cpu_times a, b;
    read_stat("host-before", &a);
    read_stat("host-after", &b);
    ck_assert_uint_eq(a.ncpus, 2);
    ck_assert_uint_eq(np_cpuset_count(&a.present), 2);
    /* cpu0 49410 0 4604 83183 75 0 13 22 0 0 */
    assert_cpu(&a, 0, 49410 + 4604 + 13 + 22, 49410 + 4604 + 13 + 22 + 83183 + 75);
    /* cpu1 48196 0 6745 81615 530 0 109 24 0 0 */
    assert_cpu(&a, 1, 48196 + 6745 + 109 + 24, 48196 + 6745 + 109 + 24 + 81615 + 530);
    assert_cpu(&b, 0, 49510 + 4604 + 13 + 22, 49510 + 4604 + 13 + 22 + 83184 + 75);
    assert_cpu(&b, 1, 48296 + 6745 + 109 + 24, 48296 + 6745 + 109 + 24 + 81615 + 530);

    /* With the host's own topology: CPU 1 ran the busy loop (100 of 100
     * ticks), CPU 0 was busy 100 of 101. */
    struct np_root root;
    struct np_topology *topo = NULL;
    ck_assert_int_eq(np_root_open(HOST, &root), 0);
    ck_assert_int_eq(np_topology_read(&root, &topo), 0);
    np_root_close(&root);
    ck_assert_uint_eq(topo->nnodes, 1);
    double use[1] = { -1 };
    unsigned skipped = 99;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 100.0 / 101.0 + 1.0, TOL);
    ck_assert_uint_eq(skipped, 0);
    np_topology_free(topo);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
}
END_TEST

/* The case: a process whose main thread idles on node 0 while its
 * workers run on nodes 2 and 3. Measured, node 0 is idle and nodes 2 and 3
 * carry the work, whatever the main thread's home says. */
START_TEST(test_stat_4node_exact)
{
    struct np_cpu_times a, b;
    read_stat("4node-before", &a);
    read_stat("4node-after", &b);
    ck_assert_uint_eq(a.ncpus, 8);
    ck_assert_uint_eq(b.ncpus, 8);
    /* cpu2 3000 100 700 70000 30 2 7 3 50 20: guest 50 and guest_nice 20
     * are already inside user and nice. */
    assert_cpu(&a, 2, 3000 + 100 + 700 + 2 + 7 + 3, 3000 + 100 + 700 + 2 + 7 + 3 + 70000 + 30);
    /* +10 user +5 nice +5 system +75 idle +2 irq +2 softirq +1 steal. */
    assert_cpu(&b, 2, 3812 + 25, 73842 + 100);

    static const unsigned cpus[] = { 2, 2, 2, 2 };
    struct np_topology *topo = topo_nodes(4, cpus);
    double use[4] = { -1, -1, -1, -1 };
    unsigned skipped = 99;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 0.0, TOL);    /* idle; iowait only */
    ck_assert_double_eq_tol(use[1], 0.75, TOL);   /* 25/100 + 50/100 (50 iowait) */
    ck_assert_double_eq_tol(use[2], 2.0, TOL);    /* 100/100 + 101/101 */
    ck_assert_double_eq_tol(use[3], 1.0, TOL);    /* 50/100 + 100/200 */
    ck_assert_uint_eq(skipped, 0);

    /* Backwards in time every CPU went backwards; the same reading twice
     * did not advance: all skipped, all 0. */
    ck_assert_int_eq(np_node_cpu_use(topo, &b, &a, use, &skipped), 0);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_double_eq_tol(use[i], 0.0, TOL);
    ck_assert_uint_eq(skipped, 8);
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &a, use, NULL), 0);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_double_eq_tol(use[i], 0.0, TOL);

    /* Sparse node ids (0,2,5,7) are indexes 0..3 all the same. */
    static const int ids[] = { 0, 2, 5, 7 };
    int dist[16];
    for (unsigned i = 0; i < 16; i++)
        dist[i] = i % 5 == 0 ? 10 : 20;
    struct np_topology *sparse = topo_new(4, ids, cpus, dist);
    ck_assert_int_eq(np_node_cpu_use(sparse, &a, &b, use, NULL), 0);
    ck_assert_double_eq_tol(use[0], 0.0, TOL);
    ck_assert_double_eq_tol(use[1], 0.75, TOL);
    ck_assert_double_eq_tol(use[2], 2.0, TOL);
    ck_assert_double_eq_tol(use[3], 1.0, TOL);
    topo_free(sparse);

    topo_free(topo);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
}
END_TEST

START_TEST(test_stat_offline_gap)
{
    struct np_cpu_times a, b;
    read_stat("offline-before", &a);
    read_stat("offline-after", &b);
    ck_assert_uint_eq(a.ncpus, 4);
    ck_assert_uint_eq(np_cpuset_count(&a.present), 3);
    ck_assert(!np_cpuset_test(&a.present, 2));
    ck_assert_uint_eq(a.busy[2], 0);
    ck_assert_uint_eq(a.total[2], 0);
    assert_cpu(&a, 3, 801, 9806);
    ck_assert_uint_eq(np_cpuset_count(&b.present), 4);

    /* CPU 2 is in one reading only: neither counted nor skipped. */
    static const unsigned cpus[] = { 2, 2 };
    struct np_topology *topo = topo_nodes(2, cpus);
    double use[2];
    unsigned skipped = 99;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 0.25, TOL);   /* 25/100 + 0/100 */
    ck_assert_double_eq_tol(use[1], 0.75, TOL);   /* CPU 3: 75/100 */
    ck_assert_uint_eq(skipped, 0);
    ck_assert_int_eq(np_node_cpu_use(topo, &b, &a, use, &skipped), 0);
    ck_assert_uint_eq(skipped, 3);                /* 0, 1, 3 backwards; 2 absent */
    topo_free(topo);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
}
END_TEST

START_TEST(test_stat_old_kernel)
{
    struct np_cpu_times a, b;
    read_stat("oldkernel-before", &a);
    read_stat("oldkernel-after", &b);
    ck_assert_uint_eq(a.ncpus, 2);
    assert_cpu(&a, 0, 150, 1150);
    assert_cpu(&a, 1, 270, 2270);
    assert_cpu(&b, 0, 200, 1250);
    static const unsigned cpus[] = { 1, 1 };
    struct np_topology *topo = topo_nodes(2, cpus);
    double use[2];
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, NULL), 0);
    ck_assert_double_eq_tol(use[0], 0.5, TOL);    /* 30+10+10 of 100 */
    ck_assert_double_eq_tol(use[1], 0.0, TOL);
    topo_free(topo);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
}
END_TEST

START_TEST(test_stat_hostile_fixtures)
{
    ck_assert_int_eq(read_stat_ret("hostile-truncated"), -EINVAL);
    ck_assert_int_eq(read_stat_ret("hostile-garbage"), -EINVAL);
    ck_assert_int_eq(read_stat_ret("hostile-cpuid"), -ERANGE);
    ck_assert_int_eq(read_stat_ret("hostile-bignum"), -ERANGE);
    ck_assert_int_eq(read_stat_ret("hostile-nul"), -EINVAL);
}
END_TEST

/* Sums of fields that fit saturate; such CPUs are skipped, never divided. */
START_TEST(test_stat_saturate)
{
    struct np_cpu_times a, b;
    read_stat("hostile-saturate", &a);
    ck_assert_uint_eq(a.ncpus, 4);
    assert_cpu(&a, 0, UINT64_MAX, UINT64_MAX);
    assert_cpu(&a, 1, 10000000000000000000ull, UINT64_MAX);
    assert_cpu(&a, 2, 100, UINT64_MAX);
    assert_cpu(&a, 3, 100, 200);
    ck_assert_int_eq(np_cpu_times_parse(
        "cpu0 18446744073709551615 0 1 100 0 0 0 0 0 0\n"
        "cpu1 10000000000000000000 0 5 10000000000000000000 0 0 0 0 0 0\n"
        "cpu2 200 0 0 18446744073709551615 1 0 0 0 0 0\n"
        "cpu3 200 0 0 200 0 0 0 0 0 0\n", &b), 0);
    static const unsigned cpus[] = { 4 };
    struct np_topology *topo = topo_nodes(1, cpus);
    double use[1];
    unsigned skipped = 99;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 0.5, TOL);
    ck_assert_uint_eq(skipped, 3);
    topo_free(topo);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
}
END_TEST

START_TEST(test_stat_field_counts)
{
    /* 4 to 10 fields, and 11 (a later kernel's extra field is ignored). */
    static const struct {
        const char *line;
        uint64_t busy, total;
    } cases[] = {
        { "cpu0 1 2 4 8\n", 7, 15 },
        { "cpu0 1 2 4 8 16\n", 7, 31 },
        { "cpu0 1 2 4 8 16 32\n", 39, 63 },
        { "cpu0 1 2 4 8 16 32 64\n", 103, 127 },
        { "cpu0 1 2 4 8 16 32 64 128\n", 231, 255 },
        { "cpu0 1 2 4 8 16 32 64 128 1\n", 231, 255 },
        { "cpu0 1 2 4 8 16 32 64 128 1 2\n", 231, 255 },
        { "cpu0 1 2 4 8 16 32 64 128 1 2 999\n", 231, 255 },
        { "cpu0\t1  2\t\t4 8   \n", 7, 15 },            /* blanks of any kind */
        { "cpu0 1 2 4 8", 7, 15 },                      /* no newline at the end */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_cpu_times t;
        ck_assert_msg(np_cpu_times_parse(cases[i].line, &t) == 0, "case %u", i);
        ck_assert_uint_eq(t.ncpus, 1);
        assert_cpu(&t, 0, cases[i].busy, cases[i].total);
        np_cpu_times_clear(&t);
    }
}
END_TEST

START_TEST(test_stat_order_and_ids)
{
    /* Out of order, with gaps, other lines between, the aggregate last. */
    static const char text[] =
        "cpu5 50 0 0 50 0 0 0 0 0 0\n"
        "intr 1 2 3\n"
        "cpu1 10 0 0 90 0 0 0 0 0 0\n"
        "cpufreq 1 2 3 4\n"                    /* not cpu<digit>: ignored */
        "cpu3 30 0 0 70 0 0 0 0 0 0\n"
        "cpu  90 0 0 210 0 0 0 0 0 0\n";
    struct np_cpu_times t;
    ck_assert_int_eq(np_cpu_times_parse(text, &t), 0);
    ck_assert_uint_eq(t.ncpus, 6);
    ck_assert_uint_eq(np_cpuset_count(&t.present), 3);
    assert_cpu(&t, 1, 10, 100);
    assert_cpu(&t, 3, 30, 100);
    assert_cpu(&t, 5, 50, 100);
    for (unsigned c = 0; c < 6; c += 2) {
        ck_assert(!np_cpuset_test(&t.present, c));
        ck_assert_uint_eq(t.busy[c], 0);
    }
    np_cpu_times_clear(&t);

    /* The highest id there is. */
    ck_assert_int_eq(np_cpu_times_parse("cpu8191 1 0 0 1\n", &t), 0);
    ck_assert_uint_eq(t.ncpus, NP_MAX_CPUS);
    assert_cpu(&t, 8191, 1, 2);
    np_cpu_times_clear(&t);
}
END_TEST

static const struct {
    const char *text;
    int want;
} stat_bad[] = {
    { "", -EINVAL },
    { "\n\n", -EINVAL },
    { "cpu  1 2 3 4 5 6 7 8 9 10\nintr 5\n", -EINVAL },         /* aggregate only */
    { "cpu0 1 2 3\n", -EINVAL },                                /* 3 fields */
    { "cpu0\n", -EINVAL },
    { "cpu0 1 2 3 4\ncpu1 1 2 3 4 5\n", -EINVAL },              /* field counts differ */
    { "cpu0 1 2 3 4 5 6 7 8 9 10\ncpu1 1 2 3 4 5 6\n", -EINVAL }, /* truncated */
    { "cpu0 1 2 3 4\ncpu0 1 2 3 4\n", -EINVAL },                /* repeated id */
    { "cpu0 1 2 3 4\ncpu00 1 2 3 4\n", -EINVAL },               /* same id spelt twice */
    { "cpu0 -1 2 3 4\n", -EINVAL },
    { "cpu0 1 2 3 4x\n", -EINVAL },
    { "cpu0x 1 2 3 4\n", -EINVAL },
    { "cpu0 1 2 3 abc\n", -EINVAL },
    { "cpu0 1 2 3 4.5\n", -EINVAL },
    { "cpu0 1 2 3 4\r\n", -EINVAL },
    { "cpu0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33\n",
      -EINVAL },                                                /* > 32 fields */
    { "cpu8192 1 2 3 4\n", -ERANGE },
    { "cpu99999 1 2 3 4\n", -ERANGE },
    { "cpu4294967296 1 2 3 4\n", -ERANGE },
    { "cpu99999999999999999999 1 2 3 4\n", -ERANGE },
    { "cpu0 1 2 3 18446744073709551616\n", -ERANGE },
    { "cpu0 1 2 3 4\ncpu1 1 2 3 99999999999999999999\n", -ERANGE },
};

START_TEST(test_stat_bad)
{
    struct np_cpu_times t;
    memset(&t, 0xab, sizeof(t));
    struct np_cpu_times before = t;
    ck_assert_msg(np_cpu_times_parse(stat_bad[_i].text, &t) == stat_bad[_i].want,
                  "case %d", _i);
    ck_assert_int_eq(memcmp(&t, &before, sizeof(t)), 0);
}
END_TEST

START_TEST(test_stat_read_and_clear)
{
    struct np_cpu_times t;
    ck_assert_int_eq(np_cpu_times_parse(NULL, &t), -EINVAL);
    ck_assert_int_eq(np_cpu_times_parse("cpu0 1 2 3 4\n", NULL), -EINVAL);
    ck_assert_int_eq(np_cpu_times_read(NULL, &t), -EINVAL);
    np_cpu_times_clear(NULL);
    memset(&t, 0, sizeof(t));
    np_cpu_times_clear(&t);
    np_cpu_times_clear(&t);                    /* twice is fine */
    ck_assert_uint_eq(t.ncpus, 0);
    ck_assert_ptr_null(t.busy);

    struct tree tr;
    tree_init(&tr);
    ck_assert_int_eq(np_cpu_times_read(&tr.root, &t), -ENOENT);
    tree_write(&tr, "proc/stat", "");
    ck_assert_int_eq(np_cpu_times_read(&tr.root, &t), -EINVAL);
    /* Over 4 MiB: an intr line long enough. */
    size_t big = 4 * 1024 * 1024 + 1;
    char *text = malloc(big + 1);
    ck_assert_ptr_nonnull(text);
    memcpy(text, "cpu0 1 2 3 4\nintr ", 18);
    memset(text + 18, '0', big - 18);
    text[big] = '\0';
    tree_write(&tr, "proc/stat", text);
    ck_assert_int_eq(np_cpu_times_read(&tr.root, &t), -E2BIG);
    text[big - 1] = '\0';                      /* exactly 4 MiB fits */
    tree_write(&tr, "proc/stat", text);
    ck_assert_int_eq(np_cpu_times_read(&tr.root, &t), 0);
    assert_cpu(&t, 0, 6, 10);
    np_cpu_times_clear(&t);
    free(text);
    tree_destroy(&tr);
}
END_TEST

/* ---- node CPU use ---- */

static void parse_ok(const char *text, struct np_cpu_times *t)
{
    ck_assert_int_eq(np_cpu_times_parse(text, t), 0);
}

START_TEST(test_node_use_hotplug_and_cap)
{
    static const unsigned cpus[] = { 2, 2 };
    struct np_topology *topo = topo_nodes(2, cpus);
    struct np_cpu_times a, b;
    /* CPU 0: reset by hotplug (busy and total smaller). CPU 1: total did not
     * advance. CPU 2: idle stepped back, busy grew more than total (capped
     * at 1). CPU 3: busy went back, total forward. CPUs 4, 5: in no node. */
    parse_ok("cpu0 500 0 0 500\ncpu1 10 0 0 90\ncpu2 100 0 0 100\ncpu3 100 0 0 100\n"
             "cpu4 0 0 0 0\ncpu5 0 0 0 0\n", &a);
    parse_ok("cpu0 5 0 0 5\ncpu1 10 0 0 90\ncpu2 150 0 0 60\ncpu3 90 0 0 200\n"
             "cpu4 100 0 0 0\ncpu5 0 0 0 100\n", &b);
    double use[2] = { -1, -1 };
    unsigned skipped = 99;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 0.0, TOL);
    ck_assert_double_eq_tol(use[1], 1.0, TOL);
    ck_assert_uint_eq(skipped, 3);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);

    /* Readings of different sizes: only the CPUs both hold. */
    parse_ok("cpu0 0 0 0 0\ncpu1 0 0 0 0\ncpu2 0 0 0 0\ncpu3 0 0 0 0\n", &a);
    parse_ok("cpu0 1 0 0 3\ncpu1 3 0 0 1\n", &b);
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 1.0, TOL);  /* 1/4 + 3/4 */
    ck_assert_double_eq_tol(use[1], 0.0, TOL);
    ck_assert_uint_eq(skipped, 0);
    ck_assert_int_eq(np_node_cpu_use(topo, &b, &a, use, &skipped), 0);
    ck_assert_uint_eq(skipped, 2);
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
    topo_free(topo);
}
END_TEST

START_TEST(test_node_use_invalid)
{
    static const unsigned cpus[] = { 2 };
    struct np_topology *topo = topo_nodes(1, cpus);
    struct np_cpu_times a, b;
    parse_ok("cpu0 0 0 0 0\ncpu1 0 0 0 0\n", &a);
    parse_ok("cpu0 1 0 0 1\ncpu1 1 0 0 3\n", &b);
    double use[1] = { -7 };
    unsigned skipped = 99;
    ck_assert_int_eq(np_node_cpu_use(NULL, &a, &b, use, &skipped), -EINVAL);
    ck_assert_int_eq(np_node_cpu_use(topo, NULL, &b, use, &skipped), -EINVAL);
    ck_assert_int_eq(np_node_cpu_use(topo, &a, NULL, use, &skipped), -EINVAL);
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, NULL, &skipped), -EINVAL);
    struct np_cpu_times broken = { .ncpus = 2 };           /* no arrays */
    ck_assert_int_eq(np_node_cpu_use(topo, &broken, &b, use, &skipped), -EINVAL);
    broken = a;
    broken.ncpus = NP_MAX_CPUS + 1;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &broken, use, &skipped), -EINVAL);
    short *map = topo->cpu_node_index;
    topo->cpu_node_index = NULL;
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), -EINVAL);
    topo->cpu_node_index = map;
    ck_assert_double_eq(use[0], -7);
    ck_assert_uint_eq(skipped, 99);

    /* An empty reading is valid: nothing measured. */
    struct np_cpu_times empty;
    memset(&empty, 0, sizeof(empty));
    ck_assert_int_eq(np_node_cpu_use(topo, &empty, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 0.0, TOL);
    ck_assert_uint_eq(skipped, 0);
    ck_assert_int_eq(np_node_cpu_use(topo, &a, &b, use, &skipped), 0);
    ck_assert_double_eq_tol(use[0], 0.75, TOL);  /* 1/2 + 1/4 */
    np_cpu_times_clear(&a);
    np_cpu_times_clear(&b);
    topo_free(topo);
}
END_TEST

static Suite *sysstate_suite(void)
{
    Suite *s = suite_create("sysstate");
    TCase *vm = tcase_create("vmstat");
    tcase_add_test(vm, test_vmstat_host_capture);
    tcase_add_test(vm, test_vmstat_every_counter);
    tcase_add_test(vm, test_vmstat_missing_and_malformed);
    tcase_add_test(vm, test_vmstat_long_name_skipped);
    tcase_add_test(vm, test_vmstat_invalid);
    suite_add_tcase(s, vm);

    TCase *nb = tcase_create("numa_balancing");
    tcase_add_test(nb, test_numa_balancing_host);
    tcase_add_loop_test(nb, test_numa_balancing_values, 0,
                        (int)(sizeof(balancing_cases) / sizeof(balancing_cases[0])));
    suite_add_tcase(s, nb);

    TCase *ps = tcase_create("procstat");
    tcase_add_test(ps, test_stat_host_capture);
    tcase_add_test(ps, test_stat_4node_exact);
    tcase_add_test(ps, test_stat_offline_gap);
    tcase_add_test(ps, test_stat_old_kernel);
    tcase_add_test(ps, test_stat_hostile_fixtures);
    tcase_add_test(ps, test_stat_saturate);
    tcase_add_test(ps, test_stat_field_counts);
    tcase_add_test(ps, test_stat_order_and_ids);
    tcase_add_loop_test(ps, test_stat_bad, 0, (int)(sizeof(stat_bad) / sizeof(stat_bad[0])));
    tcase_add_test(ps, test_stat_read_and_clear);
    suite_add_tcase(s, ps);

    TCase *nu = tcase_create("node_cpu_use");
    tcase_add_test(nu, test_node_use_hotplug_and_cap);
    tcase_add_test(nu, test_node_use_invalid);
    suite_add_tcase(s, nu);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sysstate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
