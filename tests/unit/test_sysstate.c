/* Unit tests for lib/sysstate.c: the host capture in tests/fixtures/host-1node
 * and hand-written vmstat/numa_balancing contents. Run from the repo root. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysstate.h"

#define HOST "tests/fixtures/host-1node"

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
