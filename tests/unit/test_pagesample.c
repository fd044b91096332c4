/* Tests for pagesample: sampling the fixture maps of process 100 through the
 * recording actuator with a known page -> node function, and this process's
 * own memory through the real actuator. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pagesample.h"

#define FIXTURE "tests/fixtures/act"
/* Writable private pages in tests/fixtures/act/proc/100/maps (4 KiB pages). */
#define FIXTURE_PAGES 158822
#define FIXTURE_ODD_2M_PAGES 79377        /* pages with address bit 21 set */
#define POOL_PAGES 131072                 /* the 512 MiB buffer pool at 7f3a50000000 */
#define HEAP_PAGES 9216                   /* [heap], 36 MiB */
/* 4096 samples: one standard deviation of a fraction is at most 0.78 points,
 * so 3 points is about four of them. */
#define TOLERANCE 0.03

static struct np_root root;
static struct np_actuator rec;

static void setup(void)
{
    ck_assert_int_eq(np_root_open(FIXTURE, &root), 0);
    ck_assert_int_eq(np_actuator_recording_new(4, &rec), 0);
}

static void teardown(void)
{
    np_actuator_free(&rec);
    np_root_close(&root);
}

static int odd_2m_block(void *addr, void *ctx)
{
    (void)ctx;
    return (int)(((uintptr_t)addr >> 21) & 1);
}

static bool in_writable_private(uintptr_t a)
{
    static const uintptr_t ranges[][2] = {
        { 0x55d4c8c9e000, 0x55d4c8ca4000 }, { 0x55d4c8ca4000, 0x55d4c8cb1000 },
        { 0x55d4ca1f3000, 0x55d4cc5f3000 }, { 0x7f3a10000000, 0x7f3a14000000 },
        { 0x7f3a2c000000, 0x7f3a2c021000 }, { 0x7f3a4f7ff000, 0x7f3a4ffff000 },
        { 0x7f3a50000000, 0x7f3a70000000 }, { 0x7f3a7e775000, 0x7f3a7e777000 },
        { 0x7f3a7e777000, 0x7f3a7e784000 }, { 0x7f3a7e7db000, 0x7f3a7e7dd000 },
        { 0x7ffd3a1c4000, 0x7ffd3a1e5000 },
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (a >= ranges[i][0] && a < ranges[i][1])
            return true;
    return false;
}

/* Node 1 for the buffer pool, 0 for the rest; the heap is not resident;
 * node 7 for anything that should never be sampled. */
static int pool_on_node1(void *addr, void *ctx)
{
    uintptr_t a = (uintptr_t)addr;
    unsigned *calls = ctx;
    if (calls)
        (*calls)++;
    if (!in_writable_private(a) || (a & 4095))
        return 7;
    if (a >= 0x55d4ca1f3000 && a < 0x55d4cc5f3000)
        return -ENOENT;
    return a >= 0x7f3a50000000 && a < 0x7f3a70000000 ? 1 : 0;
}

static int never_resident(void *addr, void *ctx)
{
    (void)addr;
    (void)ctx;
    return -ENOENT;
}

START_TEST(test_proportions_odd_blocks)
{
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, odd_2m_block, NULL), 0);
    double expected = (double)FIXTURE_ODD_2M_PAGES / FIXTURE_PAGES;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct np_numa_maps m;
        ck_assert_int_eq(np_pagesample(&rec, &root, 100, 4096, seed, 1000000, &m), 0);
        ck_assert(m.sampled);
        ck_assert_uint_eq(m.nslots, 2);
        ck_assert_uint_eq(m.nmappings, 11);
        ck_assert_uint_eq(m.node[0].anon_kb + m.node[1].anon_kb, m.total_kb);
        /* Rounding down loses less than 1 kB per node. */
        ck_assert_uint_le(m.total_kb, 1000000);
        ck_assert_uint_ge(m.total_kb, 1000000 - 2);
        ck_assert_uint_eq(m.node[0].file_kb + m.node[1].file_kb, 0);
        double got = (double)m.node[1].anon_kb / 1000000;
        ck_assert_msg(got > expected - TOLERANCE && got < expected + TOLERANCE,
                      "seed %llu: %.4f, expected %.4f", (unsigned long long)seed, got, expected);
        np_numa_maps_clear(&m);
    }
}
END_TEST

START_TEST(test_proportions_pool_and_nonresident)
{
    unsigned calls = 0;
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, pool_on_node1, &calls), 0);
    struct np_numa_maps m;
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 4096, 42, 2097152, &m), 0);
    ck_assert_uint_eq(calls, 4096);
    /* Shared, read-only and special mappings were never picked (node 7). */
    ck_assert_uint_eq(m.nslots, 2);
    double expected = (double)POOL_PAGES / (FIXTURE_PAGES - HEAP_PAGES);
    double got = (double)m.node[1].anon_kb / 2097152;
    ck_assert_msg(got > expected - TOLERANCE && got < expected + TOLERANCE,
                  "%.4f, expected %.4f", got, expected);
    np_numa_maps_clear(&m);
}
END_TEST

START_TEST(test_deterministic)
{
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, odd_2m_block, NULL), 0);
    struct np_numa_maps a, b, c;
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 1024, 7, 500000, &a), 0);
    char *log_a = strdup(np_actuator_recording_log(&rec));
    np_actuator_free(&rec);
    ck_assert_int_eq(np_actuator_recording_new(4, &rec), 0);
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, odd_2m_block, NULL), 0);
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 1024, 7, 500000, &b), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec), log_a);
    ck_assert_uint_eq(a.nslots, b.nslots);
    ck_assert_uint_eq(a.node[0].anon_kb, b.node[0].anon_kb);
    ck_assert_uint_eq(a.node[1].anon_kb, b.node[1].anon_kb);
    /* Four full batches of queries, nothing else. */
    ck_assert_str_eq(log_a, "move_pages pid=100 count=256 nodes=query\n"
                            "move_pages pid=100 count=256 nodes=query\n"
                            "move_pages pid=100 count=256 nodes=query\n"
                            "move_pages pid=100 count=256 nodes=query\n");
    /* Another seed picks other pages. */
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 1024, 8, 500000, &c), 0);
    ck_assert_uint_ne(a.node[1].anon_kb, c.node[1].anon_kb);
    free(log_a);
    np_numa_maps_clear(&a);
    np_numa_maps_clear(&b);
    np_numa_maps_clear(&c);
}
END_TEST

START_TEST(test_last_batch_and_limits)
{
    struct np_numa_maps m;
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 600, 1, 4096, &m), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "move_pages pid=100 count=256 nodes=query\n"
                     "move_pages pid=100 count=256 nodes=query\n"
                     "move_pages pid=100 count=88 nodes=query\n");
    /* The default page -> node answer is node 0 for everything. */
    ck_assert_uint_eq(m.nslots, 1);
    ck_assert_uint_eq(m.node[0].anon_kb, 4096);
    ck_assert_uint_eq(m.total_kb, 4096);
    np_numa_maps_clear(&m);
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 0, 1, 4096, &m), -EINVAL);
}
END_TEST

START_TEST(test_errors)
{
    struct np_numa_maps m;
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, never_resident, NULL), 0);
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 512, 1, 4096, &m), -ENODATA);
    ck_assert_ptr_null(m.node);
    np_numa_maps_clear(&m);
    ck_assert_int_eq(np_pagesample(&rec, &root, 200, 512, 1, 4096, &m), -ENOENT);
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "move_pages", 100, -ESRCH), 0);
    ck_assert_int_eq(np_pagesample(&rec, &root, 100, 512, 1, 4096, &m), -ESRCH);
}
END_TEST

START_TEST(test_real_self)
{
#ifdef __SANITIZE_ADDRESS__
    /* ASan's shadow memory is terabytes of writable private mappings in
     * this very process, hardly any of it resident: the sample meets
     * those, not the 32 MiB. make check-unit runs this test unsanitized. */
    return;
#endif
    struct np_root live;
    ck_assert_int_eq(np_root_open("/", &live), 0);
    struct np_actuator a;
    ck_assert_int_eq(np_actuator_real_new(&live, &a), 0);
    /* 32 MiB of touched anonymous memory dominates this process. */
    size_t len = (size_t)32 << 20;
    char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(mem, MAP_FAILED);
    memset(mem, 1, len);
    struct np_numa_maps m;
    ck_assert_int_eq(np_pagesample(&a, &live, getpid(), 1024, 3, 32768, &m), 0);
    ck_assert(m.sampled);
    /* This machine has one node: everything resident is on node 0. */
    ck_assert_uint_eq(m.nslots, 1);
    ck_assert_uint_eq(m.node[0].anon_kb, 32768);
    np_numa_maps_clear(&m);
    munmap(mem, len);
    np_actuator_free(&a);
    np_root_close(&live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pagesample");
    TCase *tc = tcase_create("pagesample");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_proportions_odd_blocks);
    tcase_add_test(tc, test_proportions_pool_and_nonresident);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_last_batch_and_limits);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_real_self);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
