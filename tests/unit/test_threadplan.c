/* Unit tests for lib/threadplan.c: one node per busy thread of a process
 * that spans nodes, on hand-built topologies. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include "threadplan.h"
#include "topo_builder.h"

static struct np_thread_use th(int tid, double use, int run, int access)
{
    return (struct np_thread_use){.tid = tid, .cpu_use = use, .run_node = run, .access_node = access};
}

/* The spanning setup: four busy threads, one a node, all of the memory
 * on node 0 (so every thread accesses node 0 most). The one on node 0
 * stays, the others stay where they run: nothing moves but pages, and
 * those the kernel moves to each thread. */
START_TEST(test_memory_on_one_node_threads_stay_where_they_run)
{
    struct np_topology *t = topo_one_cpu_nodes();
    const double room[4] = {1.05, 1.05, 1.05, 1.05};
    const struct np_thread_use ts[4] = {th(11, 0.98, 3, 0), th(12, 0.97, 0, 0),
                                        th(13, 0.99, 1, 0), th(14, 0.96, 2, 0)};
    int node[4];
    ck_assert_int_eq(np_thread_plan(t, room, ts, 4, node), 0);
    ck_assert_int_eq(node[0], 3);
    ck_assert_int_eq(node[1], 0);
    ck_assert_int_eq(node[2], 1);
    ck_assert_int_eq(node[3], 2);
    topo_free(t);
}
END_TEST

/* Threads the scheduler shuffled, each accessing its own node: each goes
 * back to its memory, whatever the order they are listed in. */
START_TEST(test_shuffled_threads_go_to_their_memory)
{
    struct np_topology *t = topo_one_cpu_nodes();
    const double room[4] = {1.05, 1.05, 1.05, 1.05};
    const struct np_thread_use ts[4] = {th(21, 0.9, 1, 0), th(22, 0.9, 0, 1),
                                        th(23, 0.9, 3, 2), th(24, 0.9, 2, 3)};
    int node[4];
    ck_assert_int_eq(np_thread_plan(t, room, ts, 4, node), 0);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(node[k], ts[k].access_node);
    /* Two on node 2 accessing node 2 and one node free: the busier stays
     * (at its memory), the other goes to its run node if room, else the
     * roomiest node nearest to its memory. */
    const double room2[4] = {0.0, 1.05, 1.05, 0.0};
    const struct np_thread_use two[2] = {th(31, 0.6, 2, 2), th(32, 0.9, 2, 2)};
    ck_assert_int_eq(np_thread_plan(t, room2, two, 2, node), 0);
    ck_assert_int_eq(node[1], 2);    /* at its memory, the busier of the two */
    ck_assert_int_eq(node[0], 1);    /* node 2 has 0.15 left; node 1 the only other room */
    topo_free(t);
}
END_TEST

/* No node is crowded: a thread that fits nowhere fails the whole plan. A
 * node without CPUs never takes one, and ties go to the node nearest the
 * memory, then the lower index. */
START_TEST(test_full_nodes_and_cpuless_nodes)
{
    struct np_topology *t = topo_one_cpu_nodes();
    const double full[4] = {1.05, 1.05, 1.05, 0.5};
    const struct np_thread_use ts[4] = {th(41, 1.0, 0, 0), th(42, 1.0, 1, 0),
                                        th(43, 1.0, 2, 0), th(44, 1.0, 2, 0)};
    int node[4];
    ck_assert_int_eq(np_thread_plan(t, full, ts, 4, node), -ENOSPC);

    static const int ids[] = {0, 1, 2};
    static const unsigned cpus[] = {2, 2, 0};
    static const int dist[] = {10, 20, 12, 20, 10, 20, 12, 20, 10};
    struct np_topology *c = topo_new(3, ids, cpus, dist);
    const double room[3] = {1.0, 1.0, 9.0};
    /* Its memory on the CPU-less node 2: the busier stays on its run
     * node 1, the other no longer fits there and takes node 0. */
    const struct np_thread_use cl[2] = {th(51, 0.5, 1, 2), th(52, 0.9, 1, 2)};
    ck_assert_int_eq(np_thread_plan(c, room, cl, 2, node), 0);
    ck_assert_int_eq(node[1], 1);
    ck_assert_int_eq(node[0], 0);
    /* Unknown run node, equal room: the node nearer its memory (0, at 12,
     * against 1 at 20); with nothing known either, the lower index. */
    const struct np_thread_use near[1] = {th(53, 0.5, -1, 2)};
    const double even[3] = {1.0, 1.0, 0.0};
    ck_assert_int_eq(np_thread_plan(c, even, near, 1, node), 0);
    ck_assert_int_eq(node[0], 0);
    const double tilted[3] = {1.0, 1.5, 0.0};
    ck_assert_int_eq(np_thread_plan(c, tilted, near, 1, node), 0);
    ck_assert_int_eq(node[0], 1);    /* more room wins over distance */
    topo_free(c);
    topo_free(t);
}
END_TEST

START_TEST(test_rejects_bad_input)
{
    struct np_topology *t = topo_one_cpu_nodes();
    const double room[4] = {1, 1, 1, 1};
    struct np_thread_use bad = th(61, 0.5, 4, 0);
    int node[1];
    ck_assert_int_eq(np_thread_plan(t, room, &bad, 1, node), -EINVAL);
    bad = th(61, -1.0, 0, 0);
    ck_assert_int_eq(np_thread_plan(t, room, &bad, 1, node), -EINVAL);
    ck_assert_int_eq(np_thread_plan(NULL, room, &bad, 1, node), -EINVAL);
    ck_assert_int_eq(np_thread_plan(t, room, NULL, 0, NULL), 0);
    topo_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threadplan");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_memory_on_one_node_threads_stay_where_they_run);
    tcase_add_test(tc, test_shuffled_threads_go_to_their_memory);
    tcase_add_test(tc, test_full_nodes_and_cpuless_nodes);
    tcase_add_test(tc, test_rejects_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
