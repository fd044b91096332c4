/* Ledger: identity is (pid, start time); PID reuse starts from nothing. */
#include <check.h>
#include <stdlib.h>
#include "ledger.h"

START_TEST(test_get_create_and_find)
{
    struct np_ledger *l = np_ledger_new(8);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_null(np_ledger_get(l, 42, 1000, false));
    struct np_ledger_entry *e = np_ledger_get(l, 42, 1000, true);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->pid, 42);
    e->cooldown_until = 99;
    ck_assert_ptr_eq(np_ledger_get(l, 42, 1000, false), e);
    ck_assert_ptr_eq(np_ledger_find_pid(l, 42), e);
    ck_assert_uint_eq(np_ledger_count(l), 1);
    np_ledger_free(l);
}
END_TEST

START_TEST(test_pid_reuse_forgets_everything)
{
    struct np_ledger *l = np_ledger_new(8);
    struct np_ledger_entry *e = np_ledger_get(l, 7, 500, true);
    e->managed = true;
    e->cooldown_until = 1e9;
    e->given_up = true;
    ck_assert_ptr_nonnull(np_ledger_placement(e));
    e->placement->have_original = true;
    /* Same PID, other start time: another process. */
    ck_assert_ptr_null(np_ledger_get(l, 7, 501, false));
    struct np_ledger_entry *n = np_ledger_get(l, 7, 501, true);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->start_time, 501);
    ck_assert(!n->managed);
    ck_assert(!n->given_up);
    ck_assert(n->cooldown_until == 0);
    ck_assert_ptr_null(n->placement);
    ck_assert_uint_eq(np_ledger_count(l), 1);
    np_ledger_free(l);
}
END_TEST

START_TEST(test_bounded)
{
    struct np_ledger *l = np_ledger_new(3);
    for (int pid = 1; pid <= 3; pid++)
        ck_assert_ptr_nonnull(np_ledger_get(l, pid, 1, true));
    ck_assert_ptr_null(np_ledger_get(l, 4, 1, true));
    ck_assert_uint_eq(np_ledger_count(l), 3);
    ck_assert_ptr_null(np_ledger_new(0));
    np_ledger_free(l);
}
END_TEST

START_TEST(test_sweep_keeps_probe_chains_intact)
{
    /* Many colliding pids, half dropped: every survivor must still be found. */
    struct np_ledger *l = np_ledger_new(2000);
    for (int pid = 1; pid <= 2000; pid++) {
        struct np_ledger_entry *e = np_ledger_get(l, pid * 64, (uint64_t)pid, true);
        ck_assert_ptr_nonnull(e);
        e->seen_cycle = pid % 2 ? 5 : 4;
    }
    ck_assert_uint_eq(np_ledger_sweep(l, 5), 1000);
    ck_assert_uint_eq(np_ledger_count(l), 1000);
    for (int pid = 1; pid <= 2000; pid++) {
        struct np_ledger_entry *e = np_ledger_get(l, pid * 64, (uint64_t)pid, false);
        if (pid % 2)
            ck_assert_ptr_nonnull(e);
        else
            ck_assert_ptr_null(e);
    }
    size_t cur = 0, n = 0;
    while (np_ledger_next(l, &cur))
        n++;
    ck_assert_uint_eq(n, 1000);
    np_ledger_free(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ledger");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_get_create_and_find);
    tcase_add_test(tc, test_pid_reuse_forgets_everything);
    tcase_add_test(tc, test_bounded);
    tcase_add_test(tc, test_sweep_keeps_probe_chains_intact);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
