/* Unit tests for lib/pace.c, the copies' shared token bucket, on a clock
 * the test drives: exact waits, the rate held over long streams by one and
 * by several copiers, idle time earning at most the burst, a new rate
 * keeping what is owed, and bad figures refused. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include "pace.h"

#define S 1000000000ull   /* nanoseconds per second */

START_TEST(test_unlimited_never_waits)
{
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, 0, 0, 0), 0);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(np_pacer_take(&p, 1u << 30, (uint64_t)i), 0);
    np_pacer_destroy(&p);
}
END_TEST

START_TEST(test_exact_wait)
{
    /* 1 MiB/s, the default burst a tenth of a second (102.4 KiB), full at
     * start: 1024 KiB leave 921.6 KiB owed, 0.9 s at 1024 KiB/s. */
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, 1.0, 0, 0), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 1024, 0), 900000000ull);
    /* The next KiB asked at once waits for both debts. */
    ck_assert_uint_eq(np_pacer_take(&p, 1024, 0), 1900000000ull);
    /* Half a second later half a MiB is paid back. */
    ck_assert_uint_eq(np_pacer_take(&p, 0, S / 2), 1400000000ull);
    np_pacer_destroy(&p);
}
END_TEST

/* NCOPIERS copiers take BATCH_KB each in turn, each waiting as told and
 * copying in no time, for SECONDS of the test's clock: the KiB copied in
 * every 10 s window after the first (the burst) must be the rate's within
 * one batch (a window holds whole batches). */
static void stream(double mb_per_s, uint64_t batch_kb, unsigned ncopiers, unsigned seconds)
{
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, mb_per_s, 0, 0), 0);
    uint64_t ready[8] = {0};   /* when each copier may take its next batch */
    ck_assert_uint_le(ncopiers, 8);
    double window_kb[64] = {0};
    ck_assert_uint_le(seconds / 10, 64);
    for (;;) {
        unsigned c = 0;   /* the copier whose turn comes first */
        for (unsigned i = 1; i < ncopiers; i++)
            if (ready[i] < ready[c])
                c = i;
        uint64_t now = ready[c];
        if (now >= (uint64_t)seconds * S)
            break;
        uint64_t wait = np_pacer_take(&p, batch_kb, now);
        /* The batch is copied when its wait is over. */
        uint64_t copied_at = now + wait;
        if (copied_at < (uint64_t)seconds * S)
            window_kb[copied_at / (10 * S)] += (double)batch_kb;
        ready[c] = copied_at;
    }
    double want = mb_per_s * 1024.0 * 10.0;
    for (unsigned w = 1; w < seconds / 10; w++)
        ck_assert_msg(fabs(window_kb[w] - want) <= (double)batch_kb + 1e-6, "window %u: %.0f KiB, wanted %.0f", w,
                      window_kb[w], want);
    np_pacer_destroy(&p);
}

START_TEST(test_one_copier_holds_the_rate)
{
    stream(8.0, 2048, 1, 120);      /* 2 MiB batches at 8 MiB/s */
    stream(1000.0, 2048, 1, 60);    /* fast: many batches per second */
}
END_TEST

START_TEST(test_many_copiers_share_the_rate)
{
    stream(8.0, 2048, 4, 120);      /* four movers, one figure */
    stream(50.0, 512, 8, 60);
}
END_TEST

START_TEST(test_idle_earns_at_most_the_burst)
{
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, 1.0, 512, 0), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 512, 0), 0);          /* the full bucket */
    /* 100 s idle earn 512 KiB, not 100 MiB. */
    ck_assert_uint_eq(np_pacer_take(&p, 512, 100 * S), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 1024, 100 * S), S);   /* a whole second owed */
    np_pacer_destroy(&p);
}
END_TEST

START_TEST(test_clock_going_back_earns_nothing)
{
    /* Workers read the clock before taking the lock: an older reading than
     * the last booking must not earn that stretch again. */
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, 1.0, 1024, 10 * S), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 2048, 10 * S), S);
    ck_assert_uint_eq(np_pacer_take(&p, 0, 9 * S), S);
    np_pacer_destroy(&p);
}
END_TEST

START_TEST(test_new_rate_keeps_the_debt)
{
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, 1.0, 1, 0), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 2049, 0), 2 * S);     /* 2048 KiB owed at 1 MiB/s */
    ck_assert_int_eq(np_pacer_set_rate(&p, 2.0, 0), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 0, 0), S);            /* the same debt, twice as fast */
    ck_assert_int_eq(np_pacer_set_rate(&p, 0, 0), 0);
    ck_assert_uint_eq(np_pacer_take(&p, 1u << 30, 0), 0);     /* unlimited again */
    np_pacer_destroy(&p);
}
END_TEST

/* 3 lines a 10 s window: the 4th and 5th are suppressed and counted, and
 * the first line of the next window reports them once. */
START_TEST(test_log_window_caps_and_reports)
{
    struct np_log_window w;
    np_log_window_init(&w);
    unsigned long sup = 99;
    ck_assert(np_log_window_admit(&w, 100.0, 3, 10.0, &sup));
    ck_assert_uint_eq(sup, 0);
    ck_assert(np_log_window_admit(&w, 101.0, 3, 10.0, &sup));
    ck_assert(np_log_window_admit(&w, 102.0, 3, 10.0, &sup));
    ck_assert(!np_log_window_admit(&w, 103.0, 3, 10.0, &sup));
    ck_assert(!np_log_window_admit(&w, 109.9, 3, 10.0, &sup));
    ck_assert_uint_eq(sup, 0);
    ck_assert(np_log_window_admit(&w, 110.0, 3, 10.0, &sup));
    ck_assert_uint_eq(sup, 2);
    ck_assert(np_log_window_admit(&w, 111.0, 3, 10.0, &sup));
    ck_assert_uint_eq(sup, 0);   /* reported once */
    /* The clock going back opens a new window instead of silencing forever. */
    ck_assert(np_log_window_admit(&w, 112.0, 3, 10.0, &sup));
    ck_assert(!np_log_window_admit(&w, 113.0, 3, 10.0, &sup));
    ck_assert(np_log_window_admit(&w, 50.0, 3, 10.0, &sup));
    ck_assert_uint_eq(sup, 1);
}
END_TEST

START_TEST(test_bad_figures_refused)
{
    struct np_pacer p;
    ck_assert_int_eq(np_pacer_init(&p, -1.0, 0, 0), -EINVAL);
    ck_assert_int_eq(np_pacer_init(&p, NAN, 0, 0), -EINVAL);
    ck_assert_int_eq(np_pacer_init(&p, INFINITY, 0, 0), -EINVAL);
    ck_assert_int_eq(np_pacer_init(&p, 1.0, -5, 0), -EINVAL);
    ck_assert_int_eq(np_pacer_init(NULL, 1.0, 0, 0), -EINVAL);
    ck_assert_int_eq(np_pacer_init(&p, 4.0, 1024, 0), 0);
    ck_assert_int_eq(np_pacer_set_rate(&p, -2.0, 0), -EINVAL);
    ck_assert_int_eq(np_pacer_set_rate(NULL, 2.0, 0), -EINVAL);
    /* The refused rate left the old one: 4096 KiB owed at 4 MiB/s. */
    ck_assert_uint_eq(np_pacer_take(&p, 1024 + 4096, 0), S);
    np_pacer_destroy(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pace");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_unlimited_never_waits);
    tcase_add_test(tc, test_exact_wait);
    tcase_add_test(tc, test_one_copier_holds_the_rate);
    tcase_add_test(tc, test_many_copiers_share_the_rate);
    tcase_add_test(tc, test_idle_earns_at_most_the_burst);
    tcase_add_test(tc, test_clock_going_back_earns_nothing);
    tcase_add_test(tc, test_new_rate_keeps_the_debt);
    tcase_add_test(tc, test_bad_figures_refused);
    tcase_add_test(tc, test_log_window_caps_and_reports);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
