/* Unit tests for lib/score.c. Topologies and numa_maps are built by hand so
 * the tests do not depend on the readers. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "score.h"
#include "topo_builder.h"

/* Nodes with NCPUS[i] consecutive CPUs each, distances row by row. */

static void mem_init(struct np_numa_maps *m, unsigned nslots)
{
    memset(m, 0, sizeof(*m));
    m->nslots = nslots;
    m->node = calloc(nslots, sizeof(*m->node));
    ck_assert_ptr_nonnull(m->node);
}

static void mem_add(struct np_numa_maps *m, int node_id, uint64_t anon_kb)
{
    m->node[node_id].anon_kb += anon_kb;
    m->total_kb += anon_kb;
}

static void mem_add_huge(struct np_numa_maps *m, int node_id, uint64_t page_kb, uint64_t kb)
{
    unsigned s;
    for (s = 0; s < m->nhuge; s++)
        if (m->huge_page_kb[s] == page_kb)
            break;
    if (s == m->nhuge)
        m->huge_page_kb[m->nhuge++] = page_kb;
    m->node[node_id].huge_kb[s] += kb;
    m->total_kb += kb;
}

static void mem_free(struct np_numa_maps *m)
{
    free(m->node);
    memset(m, 0, sizeof(*m));
}

static const int two_ids[] = {0, 1};
static const unsigned two_cpus[] = {2, 2};          /* CPUs 0-1 on node 0, 2-3 on node 1 */
static const int two_dist[] = {10, 21,
                               21, 10};

/* A process whose pages are all on node 1 (1 GiB) while it runs on node 0,
 * but whose threads' accesses (the kernel's hinting faults) went 90% to
 * node 0: the cold pages are remote, the hot ones local. With access data
 * it goes by the accesses; the residency stays for display. */
START_TEST(test_use_access)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    struct np_numa_maps m;
    mem_init(&m, 2);
    mem_add(&m, 1, 1048576);
    const double on_node0[] = {1.0, 0.0};
    struct np_score s;
    ck_assert_int_eq(np_score_compute(t, &m, on_node0, 2.0, &s), 0);
    ck_assert(!s.access_used);
    ck_assert_double_eq(s.locality, 0.0);
    ck_assert_double_eq(s.resident_locality, 0.0);
    ck_assert_double_eq(s.access_locality, -1.0);
    ck_assert_uint_eq(s.place_kb[0], 0);
    ck_assert_uint_eq(s.place_kb[1], 1048576);
    double residency_benefit = s.benefit;           /* 1 GiB x 1.1 x 2 CPU = 2252.8 */
    ck_assert_double_eq_tol(residency_benefit, 1024.0 * 1.1 * 2.0, 1e-9);

    const double faults[] = {0.9, 0.1};
    ck_assert_int_eq(np_score_use_access(t, faults, 5000, &s), 0);
    ck_assert(s.access_used);
    ck_assert_double_eq(s.locality, 0.9);
    ck_assert_double_eq(s.access_locality, 0.9);
    ck_assert_uint_eq(s.access_faults, 5000);
    ck_assert_double_eq(s.resident_locality, 0.0);      /* kept */
    ck_assert_uint_eq(s.mem_kb[1], 1048576);             /* kept */
    ck_assert_uint_eq(s.remote_kb, 1048576);             /* residency */
    ck_assert_uint_eq(s.place_kb[0], 943718);            /* 0.9 x 1 GiB, rounded */
    ck_assert_uint_eq(s.place_kb[1], 104858);
    ck_assert_double_eq_tol(s.remote_cost, 0.1 * 1.1, 1e-12);
    ck_assert_double_eq_tol(s.benefit, 1024.0 * 0.11 * 2.0, 1e-9);

    /* Shares that do not sum to 1, negative or non-finite ones and no
     * faults are refused, leaving S as it was. */
    const double bad_sum[] = {0.5, 0.4}, negative[] = {1.5, -0.5}, nan_share[] = {NAN, 1.0};
    ck_assert_int_eq(np_score_use_access(t, bad_sum, 10, &s), -EINVAL);
    ck_assert_int_eq(np_score_use_access(t, negative, 10, &s), -EINVAL);
    ck_assert_int_eq(np_score_use_access(t, nan_share, 10, &s), -EINVAL);
    ck_assert_int_eq(np_score_use_access(t, faults, 0, &s), -EINVAL);
    ck_assert_double_eq(s.locality, 0.9);
    np_score_clear(&s);
    ck_assert_ptr_null(s.place_kb);
    mem_free(&m);
    topo_free(t);
}
END_TEST

/* Two threads, one on each node, each accessing its own node's memory
 * (threads placed apart): from the joint matrix, every access is local;
 * the product of the process's shares would call half of them remote.
 * Crossed, every access is remote. Column sums give place_kb. */
START_TEST(test_use_access_joint)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    struct np_numa_maps m;
    mem_init(&m, 2);
    mem_add(&m, 0, 524288);
    mem_add(&m, 1, 524288);
    const double both[] = {0.5, 0.5};
    struct np_score s;
    ck_assert_int_eq(np_score_compute(t, &m, both, 2.0, &s), 0);
    ck_assert_int_eq(np_score_use_access(t, both, 4000, &s), 0);
    ck_assert_double_eq_tol(s.locality, 0.5, 1e-12);
    ck_assert_double_eq_tol(s.remote_cost, 0.5 * 1.1, 1e-12);

    const double own[] = {0.5, 0.0,
                          0.0, 0.5};
    ck_assert_int_eq(np_score_use_access_joint(t, own, 4000, &s), 0);
    ck_assert(s.access_used);
    ck_assert_double_eq_tol(s.locality, 1.0, 1e-12);
    ck_assert_double_eq_tol(s.access_locality, 1.0, 1e-12);
    ck_assert_double_eq_tol(s.remote_cost, 0.0, 1e-12);
    ck_assert_double_eq_tol(s.benefit, 0.0, 1e-9);
    ck_assert_uint_eq(s.place_kb[0], 524288);
    ck_assert_uint_eq(s.place_kb[1], 524288);

    const double crossed[] = {0.0, 0.3,
                              0.7, 0.0};
    ck_assert_int_eq(np_score_use_access_joint(t, crossed, 4000, &s), 0);
    ck_assert_double_eq_tol(s.locality, 0.0, 1e-12);
    ck_assert_double_eq_tol(s.remote_cost, 1.1, 1e-12);
    ck_assert_uint_eq(s.place_kb[0], 734003);            /* 0.7 x 1 GiB, rounded */
    ck_assert_uint_eq(s.place_kb[1], 314573);

    const double short_sum[] = {0.5, 0.0, 0.0, 0.4}, negative[] = {1.5, 0.0, 0.0, -0.5};
    ck_assert_int_eq(np_score_use_access_joint(t, short_sum, 10, &s), -EINVAL);
    ck_assert_int_eq(np_score_use_access_joint(t, negative, 10, &s), -EINVAL);
    ck_assert_int_eq(np_score_use_access_joint(t, own, 0, &s), -EINVAL);
    ck_assert_double_eq_tol(s.locality, 0.0, 1e-12);    /* left as it was */
    np_score_clear(&s);
    mem_free(&m);
    topo_free(t);
}
END_TEST

START_TEST(test_cpu_share_weighted)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    const struct np_thread th[] = {
        {.tid = 10, .last_cpu = 0},
        {.tid = 11, .last_cpu = 1},
        {.tid = 12, .last_cpu = 3},
        {.tid = 13, .last_cpu = 99},    /* offline CPU: ignored */
        {.tid = 14, .last_cpu = -1},    /* nonsense: ignored */
    };
    const double w[] = {50, 10, 20, 1000, 1000};
    double share[2];
    ck_assert_int_eq(np_score_cpu_share(t, th, 5, w, share), 0);
    /* node 0: (50 + 10) / 80, node 1: 20 / 80 */
    ck_assert_double_eq(share[0], 0.75);
    ck_assert_double_eq(share[1], 0.25);
    topo_free(t);
}
END_TEST

START_TEST(test_cpu_share_zero_weights_count_threads)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    const struct np_thread th[] = {
        {.tid = 10, .last_cpu = 0},
        {.tid = 11, .last_cpu = 1},
        {.tid = 12, .last_cpu = 1},
        {.tid = 13, .last_cpu = 2},
    };
    const double zero[] = {0, 0, 0, 0};
    double share[2];
    ck_assert_int_eq(np_score_cpu_share(t, th, 4, zero, share), 0);
    ck_assert_double_eq(share[0], 0.75);
    ck_assert_double_eq(share[1], 0.25);

    share[0] = share[1] = -1;
    ck_assert_int_eq(np_score_cpu_share(t, th, 4, NULL, share), 0);
    ck_assert_double_eq(share[0], 0.75);
    ck_assert_double_eq(share[1], 0.25);
    topo_free(t);
}
END_TEST

START_TEST(test_cpu_share_unknown_cpus)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    const struct np_thread th[] = {
        {.tid = 10, .last_cpu = 4},
        {.tid = 11, .last_cpu = NP_MAX_CPUS},
    };
    const double w[] = {5, 5};
    double share[2] = {7.0, 7.0};
    ck_assert_int_eq(np_score_cpu_share(t, th, 2, w, share), -ENODATA);
    ck_assert_int_eq(np_score_cpu_share(t, th, 0, NULL, share), -ENODATA);
    /* untouched on failure */
    ck_assert_double_eq(share[0], 7.0);
    ck_assert_double_eq(share[1], 7.0);
    ck_assert_int_eq(np_score_cpu_share(NULL, th, 2, w, share), -EINVAL);
    topo_free(t);
}
END_TEST

START_TEST(test_score_two_nodes)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    struct np_numa_maps m;
    mem_init(&m, 3);
    mem_add(&m, 0, 3072);
    mem_add(&m, 1, 512);
    mem_add_huge(&m, 1, 2048, 512);
    mem_add(&m, 2, 5000);               /* node id 2 is not in the topology */
    const double share[] = {0.75, 0.25};
    struct np_score s;

    ck_assert_int_eq(np_score_compute(t, &m, share, 2.0, &s), 0);
    /* m = {3072, 1024}, M = 4096 (node 2 ignored)
     * locality    = (0.75*3072 + 0.25*1024) / 4096 = 2560/4096 = 0.625
     * remote_cost = (0.75 * (1024*11/10) + 0.25 * (3072*11/10)) / 4096
     *             = (844.8 + 844.8) / 4096 = 0.4125
     * remote_kb   = 4096 * (1 - 0.625) = 1536
     * benefit     = 4096 * 0.4125 / 1024 * 2.0 = 3.3 */
    ck_assert_uint_eq(s.nnodes, 2);
    ck_assert_uint_eq(s.mem_kb[0], 3072);
    ck_assert_uint_eq(s.mem_kb[1], 1024);
    ck_assert_uint_eq(s.total_kb, 4096);
    ck_assert_double_eq(s.cpu_share[0], 0.75);
    ck_assert_double_eq(s.cpu_share[1], 0.25);
    ck_assert_double_eq(s.cpu_use, 2.0);
    ck_assert_double_eq(s.locality, 0.625);
    ck_assert_double_eq_tol(s.remote_cost, 0.4125, 1e-12);
    ck_assert_uint_eq(s.remote_kb, 1536);
    ck_assert_double_eq_tol(s.benefit, 3.3, 1e-12);

    /* Same inputs, same bits. */
    struct np_score again;
    ck_assert_int_eq(np_score_compute(t, &m, share, 2.0, &again), 0);
    ck_assert(memcmp(&s.remote_cost, &again.remote_cost, sizeof(double)) == 0);
    ck_assert(memcmp(&s.benefit, &again.benefit, sizeof(double)) == 0);
    np_score_clear(&again);

    np_score_clear(&s);
    ck_assert_ptr_null(s.cpu_share);
    ck_assert_ptr_null(s.mem_kb);
    mem_free(&m);
    topo_free(t);
}
END_TEST

START_TEST(test_score_all_remote)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    struct np_numa_maps m;
    mem_init(&m, 2);
    mem_add(&m, 1, 10240);
    const double share[] = {1.0, 0.0};
    struct np_score s;
    ck_assert_int_eq(np_score_compute(t, &m, share, 1.0, &s), 0);
    /* all memory at distance 21: (21-10)/10 = 1.1; benefit 10 MiB x 1.1 x 1 CPU */
    ck_assert_double_eq(s.locality, 0.0);
    ck_assert_double_eq_tol(s.remote_cost, 1.1, 1e-12);
    ck_assert_uint_eq(s.remote_kb, 10240);
    ck_assert_double_eq_tol(s.benefit, 11.0, 1e-12);
    np_score_clear(&s);
    mem_free(&m);
    topo_free(t);
}
END_TEST

START_TEST(test_score_no_memory)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    struct np_numa_maps m;
    mem_init(&m, 4);
    mem_add(&m, 3, 4096);               /* only on an unknown node */
    const double share[] = {0.5, 0.5};
    struct np_score s;
    ck_assert_int_eq(np_score_compute(t, &m, share, 3.0, &s), 0);
    ck_assert_uint_eq(s.total_kb, 0);
    ck_assert_double_eq(s.locality, 1.0);
    ck_assert_double_eq(s.remote_cost, 0.0);
    ck_assert_uint_eq(s.remote_kb, 0);
    ck_assert_double_eq(s.benefit, 0.0);
    np_score_clear(&s);

    ck_assert_int_eq(np_score_compute(t, NULL, share, 3.0, &s), 0);
    ck_assert_uint_eq(s.total_kb, 0);
    ck_assert_double_eq(s.locality, 1.0);
    np_score_clear(&s);
    mem_free(&m);
    topo_free(t);
}
END_TEST

START_TEST(test_score_sparse_ids)
{
    /* ids 0 and 2; memory on id 1 does not exist in the topology */
    static const int ids[] = {0, 2};
    struct np_topology *t = topo_new(2, ids, two_cpus, two_dist);
    struct np_numa_maps m;
    mem_init(&m, 3);
    mem_add(&m, 1, 999);
    mem_add(&m, 2, 2048);
    const double share[] = {0.0, 1.0};
    struct np_score s;
    ck_assert_int_eq(np_score_compute(t, &m, share, 1.0, &s), 0);
    ck_assert_uint_eq(s.mem_kb[0], 0);
    ck_assert_uint_eq(s.mem_kb[1], 2048);
    ck_assert_uint_eq(s.total_kb, 2048);
    ck_assert_double_eq(s.locality, 1.0);
    ck_assert_double_eq(s.remote_cost, 0.0);
    ck_assert_double_eq(s.benefit, 0.0);
    np_score_clear(&s);
    mem_free(&m);
    topo_free(t);
}
END_TEST

START_TEST(test_score_rejects_bad_input)
{
    struct np_topology *t = topo_new(2, two_ids, two_cpus, two_dist);
    const double share[] = {0.5, 0.5};
    const double negative[] = {-0.5, 1.5};
    struct np_score s = {.nnodes = 77};
    ck_assert_int_eq(np_score_compute(t, NULL, share, -1.0, &s), -EINVAL);
    ck_assert_int_eq(np_score_compute(t, NULL, negative, 1.0, &s), -EINVAL);
    ck_assert_int_eq(np_score_compute(t, NULL, NULL, 1.0, &s), -EINVAL);
    ck_assert_uint_eq(s.nnodes, 77);    /* untouched */
    topo_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cpu_share_weighted);
    tcase_add_test(tc, test_use_access);
    tcase_add_test(tc, test_use_access_joint);
    tcase_add_test(tc, test_cpu_share_zero_weights_count_threads);
    tcase_add_test(tc, test_cpu_share_unknown_cpus);
    tcase_add_test(tc, test_score_two_nodes);
    tcase_add_test(tc, test_score_all_remote);
    tcase_add_test(tc, test_score_no_memory);
    tcase_add_test(tc, test_score_sparse_ids);
    tcase_add_test(tc, test_score_rejects_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
