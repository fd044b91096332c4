/* Unit tests for lib/evidence.c: readings become per-node CPU time by
 * sample (threads born between readings, a thread that moved within a gap,
 * counters that went back, the ring's overflow, a topology change), the share over a window, and how
 * long a process has been away from its memory without a break. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "evidence.h"
#include "topo_builder.h"

/* Four nodes of two CPUs: CPU c is on node c / 2. */
static struct np_topology *topo_four(void)
{
    static const int ids[] = {0, 1, 2, 3};
    static const unsigned cpus[] = {2, 2, 2, 2};
    static const int dist[] = {10, 21, 21, 21, 21, 10, 21, 21, 21, 21, 10, 21, 21, 21, 21, 10};
    return topo_new(4, ids, cpus, dist);
}

/* Memory all on node 0. */
static const double on_node0[] = {1.0, 0.0, 0.0, 0.0};

/* A reading at NOW of one thread (tid 7) at TICKS, last on CPU. */
static void read_one(struct np_evidence *e, const struct np_topology *t, double now,
                     uint64_t ticks, int cpu)
{
    struct np_thread th = {.tid = 7, .cpu_ticks = ticks, .last_cpu = cpu, .state = 'R'};
    ck_assert_int_eq(np_evidence_add(e, t, now, &th, 1, 0.0), 0);
}

START_TEST(test_ticks_go_to_the_node_of_the_reading)
{
    struct np_topology *t = topo_four();
    struct np_evidence e;
    memset(&e, 0, sizeof(e));
    struct np_thread th[2] = {
        {.tid = 7, .cpu_ticks = 1000, .last_cpu = 0},
        {.tid = 9, .cpu_ticks = 50, .last_cpu = 4},
    };
    ck_assert_int_eq(np_evidence_add(&e, t, 10.0, th, 2, 0.0), 0);   /* the base */
    ck_assert_uint_eq(e.count, 0);
    th[0].cpu_ticks = 1060;          /* 60 ticks, now on node 1 */
    th[0].last_cpu = 3;
    th[1].cpu_ticks = 90;            /* 40 ticks on node 2 */
    struct np_thread born = {.tid = 8, .cpu_ticks = 500, .last_cpu = 6};
    struct np_thread all[3] = {th[0], born, th[1]};
    ck_assert_int_eq(np_evidence_add(&e, t, 11.0, all, 3, 0.0), 0);
    ck_assert_uint_eq(e.count, 1);
    ck_assert_uint_eq(np_evidence_samples_since(&e, 10.0), 1);
    ck_assert_uint_eq(np_evidence_samples_since(&e, 11.0), 0);
    double share[4];
    ck_assert_int_eq(np_evidence_share(&e, 10.0, 4, share), 0);
    /* tid 7 moved from node 0 to node 1 within the gap: half each. */
    ck_assert_double_eq_tol(share[0], 0.3, 1e-12);
    ck_assert_double_eq_tol(share[1], 0.3, 1e-12);
    ck_assert_double_eq_tol(share[2], 0.4, 1e-12);
    ck_assert_double_eq_tol(share[3], 0.0, 1e-12);   /* tid 8 was born: nothing yet */
    /* tid 8's next 100 ticks count; a counter that went back does not. */
    struct np_thread next[3] = {
        {.tid = 7, .cpu_ticks = 1000, .last_cpu = 3},
        {.tid = 8, .cpu_ticks = 600, .last_cpu = 6},
        {.tid = 9, .cpu_ticks = 90, .last_cpu = 4},
    };
    ck_assert_int_eq(np_evidence_add(&e, t, 12.0, next, 3, 0.0), 0);
    ck_assert_int_eq(np_evidence_share(&e, 11.0, 4, share), 0);
    ck_assert_double_eq_tol(share[3], 1.0, 1e-12);
    /* Over both samples: 30 on node 0, 30 on node 1, 40 on node 2, 100 on
     * node 3. */
    ck_assert_int_eq(np_evidence_share(&e, 0.0, 4, share), 0);
    ck_assert_double_eq_tol(share[0], 0.15, 1e-12);
    ck_assert_double_eq_tol(share[1], 0.15, 1e-12);
    ck_assert_double_eq_tol(share[2], 0.2, 1e-12);
    ck_assert_double_eq_tol(share[3], 0.5, 1e-12);
    /* A reading not later than the last is ignored. */
    ck_assert_int_eq(np_evidence_add(&e, t, 12.0, next, 3, 0.0), 0);
    ck_assert_uint_eq(e.count, 2);
    /* Wrong width, no CPU time in the window. */
    ck_assert_int_eq(np_evidence_share(&e, 0.0, 3, share), -EINVAL);
    ck_assert_int_eq(np_evidence_share(&e, 12.0, 4, share), -ENODATA);
    np_evidence_clear(&e);
    ck_assert_ptr_null(e.ticks);
    ck_assert(!e.have_base);
    topo_free(t);
}
END_TEST

/* Away, without a break, from the newest sample back; a local sample ends
 * the stay, an idle one neither ends nor extends it. */
START_TEST(test_away_seconds)
{
    struct np_topology *t = topo_four();
    struct np_evidence e;
    memset(&e, 0, sizeof(e));
    ck_assert_double_eq(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 0.0);
    read_one(&e, t, 100.0, 0, 0);        /* base */
    read_one(&e, t, 101.0, 100, 2);      /* away (node 1) */
    ck_assert_double_eq_tol(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 1.0, 1e-12);
    read_one(&e, t, 102.0, 200, 2);
    read_one(&e, t, 103.0, 300, 6);      /* away on node 3 */
    ck_assert_double_eq_tol(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 3.0, 1e-12);
    read_one(&e, t, 104.0, 300, 0);      /* idle: no word */
    ck_assert_double_eq_tol(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 3.0, 1e-12);
    read_one(&e, t, 105.0, 400, 1);      /* home */
    ck_assert_double_eq(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 0.0);
    read_one(&e, t, 106.5, 500, 3);      /* away again: the stay starts at 105 */
    ck_assert_double_eq_tol(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 1.5, 1e-12);
    /* Memory half on node 0, half on node 1: no sample is more than half
     * local, so at local_enough 0.98 the whole history is away (since the
     * base at 100); at 0.5 the newest sample (node 1) is local. */
    static const double halves[] = {0.5, 0.5, 0.0, 0.0};
    ck_assert_double_eq_tol(np_evidence_away_seconds(&e, halves, 4, 0.98), 6.5, 1e-12);
    ck_assert_double_eq(np_evidence_away_seconds(&e, halves, 4, 0.5), 0.0);
    np_evidence_clear(&e);
    topo_free(t);
}
END_TEST

/* Drift: the share of CPU time away from the memory over the newest
 * samples spanning the window, however the stays are broken up. */
START_TEST(test_away_share_over_a_window)
{
    struct np_topology *t = topo_four();
    struct np_evidence e;
    memset(&e, 0, sizeof(e));
    double share = -1.0;
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 4, 4.0, &share), -ENODATA);
    /* A reading on another node than the last books half its gap on each. */
    read_one(&e, t, 100.0, 0, 0);        /* base */
    read_one(&e, t, 101.0, 100, 2);      /* moved away: 50 away */
    read_one(&e, t, 102.0, 300, 2);      /* away: 200 */
    /* Two seconds of history do not span four. */
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 4, 4.0, &share), -ENODATA);
    read_one(&e, t, 103.0, 400, 1);      /* moved home: 50 away */
    read_one(&e, t, 104.0, 500, 0);      /* home: 0 away */
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 4, 4.0, &share), 0);
    ck_assert_double_eq_tol(share, 300.0 / 500.0, 1e-12);
    /* At home now: no stay away without a break. */
    ck_assert_double_eq(np_evidence_away_seconds(&e, on_node0, 4, 0.98), 0.0);
    read_one(&e, t, 105.0, 700, 6);      /* moved away: 100 away */
    /* The window is the newest four samples (102-105): 350 away of 600. */
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 4, 4.0, &share), 0);
    ck_assert_double_eq_tol(share, 350.0 / 600.0, 1e-12);
    /* 1.5 s takes the two newest (the one that reaches it included):
     * 100 away of 300. */
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 4, 1.5, &share), 0);
    ck_assert_double_eq_tol(share, 100.0 / 300.0, 1e-12);
    /* Memory half on node 0 and half on node 2, all five samples: local
     * is half of what ran on node 0 (25 + 25 + 50 + 50). */
    static const double halves[] = {0.5, 0.0, 0.5, 0.0};
    ck_assert_int_eq(np_evidence_away_share(&e, halves, 4, 5.0, &share), 0);
    ck_assert_double_eq_tol(share, 1.0 - 150.0 / 700.0, 1e-12);
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 3, 4.0, &share), -EINVAL);
    /* Idle samples spanning the window: no word. */
    read_one(&e, t, 110.0, 700, 0);
    ck_assert_int_eq(np_evidence_away_share(&e, on_node0, 4, 4.0, &share), -ENODATA);
    np_evidence_clear(&e);
    topo_free(t);
}
END_TEST

/* The ring keeps the newest NP_EVIDENCE_MAX samples; a stay longer than
 * the ring dates from the oldest reading kept. */
START_TEST(test_ring_keeps_the_newest)
{
    struct np_topology *t = topo_four();
    struct np_evidence e;
    memset(&e, 0, sizeof(e));
    read_one(&e, t, 0.0, 0, 0);
    for (unsigned i = 1; i <= NP_EVIDENCE_MAX + 10; i++)
        read_one(&e, t, (double)i, 10u * i, 2);
    ck_assert_uint_eq(e.count, NP_EVIDENCE_MAX);
    ck_assert_uint_eq(np_evidence_samples_since(&e, 0.0), NP_EVIDENCE_MAX);
    /* Oldest kept: t = 11; the stay starts at its reading before, which
     * the ring no longer has: the base (t = 0) stands in, as the earliest
     * reading numaplaced took. */
    double away = np_evidence_away_seconds(&e, on_node0, 4, 0.98);
    ck_assert_double_eq_tol(away, (double)(NP_EVIDENCE_MAX + 10), 1e-9);
    np_evidence_clear(&e);
    topo_free(t);
}
END_TEST

/* Nodes came or went: the old columns mean other nodes, start afresh. */
START_TEST(test_topology_change_starts_afresh)
{
    struct np_topology *t = topo_four();
    static const int ids[] = {0, 1};
    static const unsigned cpus[] = {4, 4};
    static const int dist[] = {10, 21, 21, 10};
    struct np_topology *two = topo_new(2, ids, cpus, dist);
    struct np_evidence e;
    memset(&e, 0, sizeof(e));
    read_one(&e, t, 1.0, 0, 0);
    read_one(&e, t, 2.0, 100, 2);
    ck_assert_uint_eq(e.count, 1);
    read_one(&e, two, 3.0, 200, 5);
    ck_assert_uint_eq(e.count, 0);
    ck_assert_uint_eq(e.nnodes, 2);
    ck_assert_double_eq(e.base_t, 3.0);
    read_one(&e, two, 4.0, 300, 5);
    double share[2];
    ck_assert_int_eq(np_evidence_share(&e, 0.0, 2, share), 0);
    ck_assert_double_eq_tol(share[1], 1.0, 1e-12);
    np_evidence_clear(&e);
    topo_free(two);
    topo_free(t);
}
END_TEST

/* A reading long after the last (the loop was busy copying) books
 * nothing: neither node is known over the gap. A process bound home during
 * such a gap is not shown half remote. */
START_TEST(test_long_gap_books_nothing)
{
    struct np_topology *t = topo_four();
    struct np_evidence e;
    memset(&e, 0, sizeof(e));
    struct np_thread th = {.tid = 7, .cpu_ticks = 0, .last_cpu = 4};   /* node 2 */
    ck_assert_int_eq(np_evidence_add(&e, t, 100.0, &th, 1, 3.0), 0);
    th.cpu_ticks = 2000;
    th.last_cpu = 6;                                                  /* node 3, 20 s on */
    ck_assert_int_eq(np_evidence_add(&e, t, 120.0, &th, 1, 3.0), 0);
    ck_assert_uint_eq(e.count, 1);
    double share[4];
    ck_assert_int_eq(np_evidence_share(&e, 0.0, 4, share), -ENODATA);
    /* The next one, a second later, counts: all on node 3. */
    th.cpu_ticks = 2100;
    ck_assert_int_eq(np_evidence_add(&e, t, 121.0, &th, 1, 3.0), 0);
    ck_assert_int_eq(np_evidence_share(&e, 0.0, 4, share), 0);
    ck_assert_double_eq_tol(share[3], 1.0, 1e-12);
    /* The same gap with no limit: half on each node. */
    np_evidence_clear(&e);
    th.cpu_ticks = 0;
    th.last_cpu = 4;
    ck_assert_int_eq(np_evidence_add(&e, t, 100.0, &th, 1, 0.0), 0);
    th.cpu_ticks = 2000;
    th.last_cpu = 6;
    ck_assert_int_eq(np_evidence_add(&e, t, 120.0, &th, 1, 0.0), 0);
    ck_assert_int_eq(np_evidence_share(&e, 0.0, 4, share), 0);
    ck_assert_double_eq_tol(share[2], 0.5, 1e-12);
    ck_assert_double_eq_tol(share[3], 0.5, 1e-12);
    np_evidence_clear(&e);
    topo_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evidence");
    TCase *tc = tcase_create("evidence");
    tcase_add_test(tc, test_ticks_go_to_the_node_of_the_reading);
    tcase_add_test(tc, test_away_seconds);
    tcase_add_test(tc, test_away_share_over_a_window);
    tcase_add_test(tc, test_ring_keeps_the_newest);
    tcase_add_test(tc, test_topology_change_starts_afresh);
    tcase_add_test(tc, test_long_gap_books_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
