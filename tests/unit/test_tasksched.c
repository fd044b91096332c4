/* Unit tests for lib/tasksched.c: the kernel's per-task NUMA balancing
 * statistics, from sched files captured in the 4-node guest with balancing
 * on (tests/fixtures/sched-guest) and hostile variations of them. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tasksched.h"

#define ROOT "tests/fixtures/sched-guest"

static struct np_task_numa t;

static void read_task(int tid)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(ROOT, &root), 0);
    ck_assert_int_eq(np_task_numa_read(&root, 189, tid, &t), 0);
    np_root_close(&root);
}

static int parse(const char *text)
{
    return np_task_numa_parse(text, strlen(text), &t);
}

START_TEST(test_captured_tasks)
{
    read_task(212);     /* a busy worker the kernel moved to node 2 */
    ck_assert_int_eq(t.preferred_nid, 2);
    ck_assert_int_eq(t.current_node, 2);
    ck_assert_uint_eq(t.pages_migrated, 26047);
    ck_assert_uint_eq(t.total_faults, 38303);
    ck_assert_uint_eq(t.nnodes, 4);
    ck_assert_uint_eq(t.faults_private[2], 38303);
    ck_assert_uint_eq(t.faults_private[0], 0);
    ck_assert_uint_eq(t.faults_shared[2], 0);
    ck_assert_uint_eq(t.skipped, 0);
    ck_assert_double_eq_tol(np_task_numa_fault_share(&t, 2), 1.0, 1e-12);
    ck_assert_double_eq_tol(np_task_numa_fault_share(&t, 0), 0.0, 1e-12);

    read_task(213);     /* the other worker stays with node 0 */
    ck_assert_int_eq(t.preferred_nid, 0);
    ck_assert_uint_eq(t.faults_private[0], 38490);
    ck_assert_uint_eq(t.pages_migrated, 0);

    read_task(189);     /* the idle main thread: nothing sampled */
    ck_assert_int_eq(t.preferred_nid, -1);
    ck_assert_uint_eq(t.total_faults, 0);
    ck_assert_double_eq_tol(np_task_numa_fault_share(&t, 0), -1.0, 1e-12);

    struct np_root root;
    ck_assert_int_eq(np_root_open(ROOT, &root), 0);
    ck_assert_int_eq(np_task_numa_read(&root, 189, 999, &t), -ENOENT);   /* a task that is gone */
    np_root_close(&root);
}
END_TEST

START_TEST(test_hostile_and_partial_files)
{
    /* No NUMA balancing fields at all (a kernel without it). */
    ck_assert_int_eq(parse("se.exec_start : 1.0\nnr_switches : 8\n"), -ENODATA);
    ck_assert_int_eq(parse(""), -ENODATA);
    ck_assert_int_eq(t.preferred_nid, -1);
    /* Fields in any order, spacing as the kernel pads it, shared faults. */
    ck_assert_int_eq(parse("numa_faults node=1 task_private=5 task_shared=15 group_private=0 group_shared=0\n"
                           "numa_preferred_nid      :      1\n"), 0);
    ck_assert_int_eq(t.preferred_nid, 1);
    ck_assert_uint_eq(t.nnodes, 2);
    ck_assert_double_eq_tol(np_task_numa_fault_share(&t, 1), 1.0, 1e-12);
    /* Missing nodes: only node 3 printed. */
    ck_assert_int_eq(parse("numa_faults node=3 task_private=10 task_shared=0\n"
                           "numa_faults node=0 task_private=30 task_shared=0"), 0);   /* no final newline */
    ck_assert_uint_eq(t.nnodes, 4);
    ck_assert_double_eq_tol(np_task_numa_fault_share(&t, 3), 0.25, 1e-12);
    ck_assert_double_eq_tol(np_task_numa_fault_share(&t, 2), 0.0, 1e-12);
    /* Huge, negative, out-of-range and garbage values are skipped. */
    ck_assert_int_eq(parse("numa_pages_migrated : 99999999999999999999999\n"
                           "total_numa_faults : 18446744073709551615\n"
                           "numa_preferred_nid : 5000\n"
                           "numa_faults node=1024 task_private=1 task_shared=1\n"
                           "numa_faults node=-1 task_private=1 task_shared=1\n"
                           "numa_faults node=2 task_private=x task_shared=1\n"
                           "numa_faults node=2\n"
                           "numa_faults task_private=1\n"
                           "current_node=abc, numa_group_id=0\n"), 0);
    ck_assert_uint_eq(t.pages_migrated, 0);
    ck_assert_uint_eq(t.total_faults, UINT64_MAX);
    ck_assert_int_eq(t.preferred_nid, -1);
    ck_assert_int_eq(t.current_node, -1);
    ck_assert_uint_eq(t.nnodes, 0);
    ck_assert_uint_eq(t.skipped, 5);   /* the five numa_faults lines */
    /* Faults near the top of uint64 still give a share in 0..1. */
    ck_assert_int_eq(parse("numa_faults node=0 task_private=18446744073709551615 task_shared=18446744073709551615\n"
                           "numa_faults node=1 task_private=18446744073709551615 task_shared=0\n"), 0);
    double s = np_task_numa_fault_share(&t, 0);
    ck_assert(s > 0.66 && s < 0.67);
    /* Truncated in the middle of a line (a read cut short), and not
     * NUL-terminated: only LEN bytes are looked at. */
    const char cut[] = "numa_preferred_nid : 3\nnuma_faults node=0 task_priv";
    ck_assert_int_eq(np_task_numa_parse(cut, sizeof(cut) - 1, &t), 0);
    ck_assert_int_eq(t.preferred_nid, 3);
    ck_assert_uint_eq(t.skipped, 1);
    char notnul[26];
    memcpy(notnul, "numa_preferred_nid : 2999", 25);
    notnul[25] = '9';
    ck_assert_int_eq(np_task_numa_parse(notnul, 25, &t), -ENODATA);   /* "2999": out of range, nothing usable */
    ck_assert_int_eq(t.preferred_nid, -1);
    ck_assert_int_eq(np_task_numa_parse(notnul, 22, &t), 0);   /* "2" */
    ck_assert_int_eq(t.preferred_nid, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tasksched");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_captured_tasks);
    tcase_add_test(tc, test_hostile_and_partial_files);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
