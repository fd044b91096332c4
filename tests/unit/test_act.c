/* Tests for act: error classes, the recording actuator, np_act_apply and
 * np_act_restore on the tests/fixtures/act tree (process 100 with threads
 * 100, 101, 102 and a realistic maps), and the real actuator on this
 * machine's own process. */
#include <check.h>
#include <errno.h>
#include <numa.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "act.h"

#define FIXTURE "tests/fixtures/act"

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

static void cpus_of(struct np_cpuset *s, const char *list)
{
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(s), list), 0);
}

static bool cpus_equal(const struct np_cpuset *a, const struct np_cpuset *b)
{
    return np_bits_equal(a->w, b->w, NP_MAX_CPUS);
}

static void nodes_of(struct np_nodeset *s, const char *list)
{
    ck_assert_int_eq(np_bits_parse_list(NP_NODES(s), list), 0);
}

/* pid 100 to CPUs 2-3 and node 1, memory from node 0. */
static struct np_placement placement(void)
{
    struct np_placement pl;
    memset(&pl, 0, sizeof(pl));
    pl.pid = 100;
    cpus_of(&pl.cpus, "2-3");
    nodes_of(&pl.mems, "1");
    nodes_of(&pl.from, "0");
    pl.move_memory = true;
    pl.budget_kb = 1048576;
    pl.remote_kb = 262144;
    pl.max_threads = 64;
    return pl;
}

static int odd_2m_block(void *addr, void *ctx)
{
    (void)ctx;
    return (int)(((uintptr_t)addr >> 21) & 1);
}

/* Node 1 only for the [stack] mapping of the fixture. */
static int stack_on_node1(void *addr, void *ctx)
{
    (void)ctx;
    uintptr_t a = (uintptr_t)addr;
    return a >= 0x7ffd3a1c4000 && a < 0x7ffd3a1e5000 ? 1 : 0;
}

/* Sums COUNT over the log lines starting with PREFIX ("move_pages pid=100 count=N ..."). */
static unsigned long sum_counts(const char *log, const char *suffix, unsigned *ret_lines)
{
    unsigned long sum = 0;
    unsigned lines = 0;
    for (const char *p = log; (p = strstr(p, "move_pages pid=100 count=")); ) {
        const char *eol = strchr(p, '\n');
        ck_assert_ptr_nonnull(eol);
        unsigned long count;
        char tail[32];
        ck_assert_int_eq(sscanf(p, "move_pages pid=100 count=%lu %31s", &count, tail), 2);
        if (strcmp(tail, suffix) == 0) {
            sum += count;
            lines++;
        }
        p = eol + 1;
    }
    *ret_lines = lines;
    return sum;
}

START_TEST(test_classify)
{
    static const struct { int err; enum np_act_class cls; } table[] = {
        { 0, NP_ACT_OK },
        { -ESRCH, NP_ACT_GONE }, { -ENOENT, NP_ACT_GONE },
        { -EPERM, NP_ACT_PERMISSION }, { -EACCES, NP_ACT_PERMISSION },
        { -ENOMEM, NP_ACT_CAPACITY }, { -ENOSPC, NP_ACT_CAPACITY },
        { -EINVAL, NP_ACT_INVALID }, { -ERANGE, NP_ACT_INVALID }, { -EOVERFLOW, NP_ACT_INVALID },
        { -EAGAIN, NP_ACT_TRANSIENT }, { -EBUSY, NP_ACT_TRANSIENT }, { -EINTR, NP_ACT_TRANSIENT },
        { -EIO, NP_ACT_TRANSIENT }, { -ENODEV, NP_ACT_TRANSIENT },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        ck_assert_msg(np_act_classify(table[i].err) == table[i].cls, "errno %d", table[i].err);
    ck_assert_str_eq(np_act_class_name(NP_ACT_OK), "ok");
    ck_assert_str_eq(np_act_class_name(NP_ACT_GONE), "gone");
    ck_assert_str_eq(np_act_class_name(NP_ACT_PERMISSION), "permission");
    ck_assert_str_eq(np_act_class_name(NP_ACT_CAPACITY), "capacity");
    ck_assert_str_eq(np_act_class_name(NP_ACT_TRANSIENT), "transient");
    ck_assert_str_eq(np_act_class_name(NP_ACT_INVALID), "invalid");
}
END_TEST

START_TEST(test_maps_walk)
{
    const char *text =
        "00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/app\n"
        "00651000-00652000 rw-p 00051000 08:02 173521      /usr/bin/app\n"
        "garbage line\n"
        "00800000-00700000 rw-p 00000000 00:00 0 \n"             /* end < start */
        "00900000-00a00000 rw-s 00000000 00:01 7           /dev/shm/x\n"
        "01000000-01100000 rw-p 00000000 00:00 0\n"               /* no trailing blank */
        "7f0000000000-7f0000004000 rw-p 00000000 00:00 0           [vvar]\n"
        "7f0000004000-7f0000006000 rw-p 00000000 00:00 0           [vdso]\n"
        "7f0000010000-7f0000020000 -w-p 00000000 00:00 0           [stack]\n"
        "ffffffffff600000-ffffffffff601000 rw-p 00000000 00:00 0   [vsyscall]\n"
        "123456789abcdef01-123456789abcdef02 rw-p 00000000 00:00 0 \n" /* overflow */
        "7f0000030000-7f0000040000 rw-p 00000000";                /* truncated line */
    const char *cur = text;
    uint64_t s, e;
    ck_assert_int_eq(np_maps_next_writable_private(&cur, &s, &e), 1);
    ck_assert_uint_eq(s, 0x651000);
    ck_assert_uint_eq(e, 0x652000);
    ck_assert_int_eq(np_maps_next_writable_private(&cur, &s, &e), 1);
    ck_assert_uint_eq(s, 0x1000000);
    ck_assert_uint_eq(e, 0x1100000);
    ck_assert_int_eq(np_maps_next_writable_private(&cur, &s, &e), 1);
    ck_assert_uint_eq(s, 0x7f0000010000);
    ck_assert_uint_eq(e, 0x7f0000020000);
    ck_assert_int_eq(np_maps_next_writable_private(&cur, &s, &e), 0);
    ck_assert_int_eq(np_maps_next_writable_private(&cur, &s, &e), 0);

    /* Private hugetlb (MAP_HUGETLB) is named /anon_hugepage; a hugetlb
     * file mapped shared is not private, and a name only starting alike
     * elsewhere in the path is not it. */
    const char *huge =
        "7f2000000000-7f2001000000 rw-p 00000000 00:0f 4711        /anon_hugepage (deleted)\n"
        "7f3000000000-7f3000200000 rw-p 00000000 00:00 0 \n"
        "7f4000000000-7f4000200000 rw-p 00000000 08:02 99          /srv/anon_hugepage\n"
        "7f5000000000-7f5000200000 rw-s 00000000 00:0f 4712        /anon_hugepage (deleted)\n";
    bool is_huge = false;
    cur = huge;
    ck_assert_int_eq(np_maps_next_writable_private_kind(&cur, &s, &e, &is_huge), 1);
    ck_assert(is_huge);
    ck_assert_uint_eq(s, 0x7f2000000000);
    ck_assert_int_eq(np_maps_next_writable_private_kind(&cur, &s, &e, &is_huge), 1);
    ck_assert(!is_huge);
    ck_assert_int_eq(np_maps_next_writable_private_kind(&cur, &s, &e, &is_huge), 1);
    ck_assert(!is_huge);
    ck_assert_int_eq(np_maps_next_writable_private_kind(&cur, &s, &e, &is_huge), 0);
}
END_TEST

START_TEST(test_recording_basics)
{
    struct np_cpuset got, want;
    ck_assert_int_eq(rec.ops->get_affinity(rec.ctx, 7, &got), 0);
    cpus_of(&want, "0-3");
    ck_assert(cpus_equal(&got, &want));
    cpus_of(&want, "1,3");
    ck_assert_int_eq(rec.ops->set_affinity(rec.ctx, 7, &want), 0);
    ck_assert_int_eq(rec.ops->get_affinity(rec.ctx, 7, &got), 0);
    ck_assert(cpus_equal(&got, &want));
    ck_assert_int_eq(rec.ops->get_affinity(rec.ctx, 8, &got), 0);
    ck_assert_uint_eq(np_cpuset_count(&got), 4);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "get_affinity tid=7\n"
                     "set_affinity tid=7 cpus=1,3\n"
                     "get_affinity tid=7\n"
                     "get_affinity tid=8\n");
    ck_assert_str_eq(rec.ops->name, "recording");

    /* Scripted failures are consumed once; -1 matches any id. */
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", -1, -EBUSY), 0);
    ck_assert_int_eq(rec.ops->set_affinity(rec.ctx, 9, &want), -EBUSY);
    ck_assert_int_eq(rec.ops->set_affinity(rec.ctx, 9, &want), 0);
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "migrate_pages", 5, -ENOMEM), 0);
    struct np_nodeset from, to;
    nodes_of(&from, "0");
    nodes_of(&to, "1");
    ck_assert_int_eq(rec.ops->migrate_pages(rec.ctx, 6, &from, &to), 0);
    ck_assert_int_eq(rec.ops->migrate_pages(rec.ctx, 5, &from, &to), -ENOMEM);
    ck_assert_int_eq(rec.ops->migrate_pages(rec.ctx, 5, &from, &to), 0);

    ck_assert_int_eq(np_actuator_recording_fail(&rec, "no_such_op", 1, -EIO), -EINVAL);
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", 1, 0), -EINVAL);
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", -2, -EIO), -EINVAL);
    int n = 0;
    while (np_actuator_recording_fail(&rec, "move_pages", 1000 + n, -EIO) == 0)
        n++;
    ck_assert_int_eq(n, 16);
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "move_pages", 1, -EIO), -ENOSPC);
}
END_TEST

START_TEST(test_recording_move_pages)
{
    void *pages[3] = { (void *)0x200000, (void *)0x400000, (void *)0x600000 };
    int status[3] = { -99, -99, -99 };
    ck_assert_int_eq(rec.ops->move_pages(rec.ctx, 42, 3, pages, NULL, status), 0);
    ck_assert_int_eq(status[0], 0);
    ck_assert_int_eq(status[1], 0);
    ck_assert_int_eq(status[2], 0);
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, odd_2m_block, NULL), 0);
    ck_assert_int_eq(rec.ops->move_pages(rec.ctx, 42, 3, pages, NULL, status), 0);
    ck_assert_int_eq(status[0], 1);
    ck_assert_int_eq(status[1], 0);
    ck_assert_int_eq(status[2], 1);
    const int nodes[3] = { 2, 3, 2 };
    ck_assert_int_eq(rec.ops->move_pages(rec.ctx, 42, 3, pages, nodes, status), 0);
    ck_assert_int_eq(status[1], 3);
    ck_assert_int_eq(rec.ops->write_cgroup(rec.ctx, "/a.slice", "cpuset.mems", "0"), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "move_pages pid=42 count=3 nodes=query\n"
                     "move_pages pid=42 count=3 nodes=query\n"
                     "move_pages pid=42 count=2 nodes=2\n"
                     "move_pages pid=42 count=1 nodes=3\n"
                     "write_cgroup cgroup=/a.slice file=cpuset.mems value=0\n");

    /* Non-recording actuators are refused. */
    struct np_actuator other = { .ops = NULL, .ctx = NULL };
    ck_assert_ptr_null(np_actuator_recording_log(&other));
    ck_assert_int_eq(np_actuator_recording_set_page_node(&other, odd_2m_block, NULL), -EINVAL);
    ck_assert_int_eq(np_actuator_recording_fail(&other, "set_affinity", 1, -EIO), -EINVAL);
}
END_TEST

START_TEST(test_recording_log_cap)
{
    struct np_cpuset cpus;
    cpus_of(&cpus, "0-3");
    for (int i = 0; i < 60000; i++)
        ck_assert_int_eq(rec.ops->set_affinity(rec.ctx, 1000000 + i, &cpus), 0);
    const char *log = np_actuator_recording_log(&rec);
    size_t len = strlen(log);
    ck_assert_uint_le(len, 1u << 20);
    ck_assert_uint_gt(len, (1u << 20) - 64);
    const char *marker = "... truncated\n";
    ck_assert_str_eq(log + len - strlen(marker), marker);
    ck_assert_ptr_eq(strstr(log, marker), log + len - strlen(marker));
    /* The line before the marker is complete. */
    ck_assert_int_eq(log[len - strlen(marker) - 1], '\n');
}
END_TEST

START_TEST(test_apply_threads_and_migrate)
{
    struct np_placement pl = placement();
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "get_affinity tid=100\n"
                     "set_affinity tid=100 cpus=2-3\n"
                     "set_affinity tid=101 cpus=2-3\n"
                     "set_affinity tid=102 cpus=2-3\n"
                     "migrate_pages pid=100 from=0 to=1\n");
    ck_assert_int_eq(res.cls, NP_ACT_OK);
    ck_assert_int_eq(res.error, 0);
    ck_assert_str_eq(res.step, "");
    ck_assert_uint_eq(res.threads_set, 3);
    ck_assert_uint_eq(res.threads_gone, 0);
    ck_assert(!res.used_cgroup);
    ck_assert(!res.partial);
    ck_assert_uint_eq(res.moved_kb, 262144);
    ck_assert(res.have_original);
    struct np_cpuset all;
    cpus_of(&all, "0-3");
    ck_assert(cpus_equal(&res.original, &all));
}
END_TEST

/* Threads placed apart (plan.h rule 7): each listed thread gets its own
 * CPUs, the others the placement's; a cgroup cannot hold that. */
START_TEST(test_apply_threads_apart)
{
    struct np_placement pl = placement();
    pl.move_memory = false;
    struct np_thread_cpus tc[2];
    tc[0].tid = 102;
    cpus_of(&tc[0].cpus, "3");
    tc[1].tid = 101;
    cpus_of(&tc[1].cpus, "2");
    pl.thread_cpus = tc;
    pl.nthread_cpus = 2;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "get_affinity tid=100\n"
                     "set_affinity tid=100 cpus=2-3\n"
                     "set_affinity tid=101 cpus=2\n"
                     "set_affinity tid=102 cpus=3\n");
    ck_assert_uint_eq(res.threads_set, 3);
    pl.cgroup = "/numaplace-test.slice";
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -EINVAL);
    ck_assert_int_eq(res.cls, NP_ACT_INVALID);
}
END_TEST

START_TEST(test_apply_cpus_only_and_thread_limit)
{
    struct np_placement pl = placement();
    pl.move_memory = false;
    pl.max_threads = 2;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    /* The leader first, then one of the others (in directory order). */
    const char *log = np_actuator_recording_log(&rec);
    const char *head = "get_affinity tid=100\nset_affinity tid=100 cpus=2-3\nset_affinity tid=10";
    ck_assert_int_eq(strncmp(log, head, strlen(head)), 0);
    ck_assert(strcmp(log + strlen(head), "1 cpus=2-3\n") == 0 ||
              strcmp(log + strlen(head), "2 cpus=2-3\n") == 0);
    ck_assert_uint_eq(res.threads_set, 2);
    ck_assert_uint_eq(res.moved_kb, 0);

    np_actuator_free(&rec);
    ck_assert_int_eq(np_actuator_recording_new(4, &rec), 0);
    pl.max_threads = 1;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "get_affinity tid=100\nset_affinity tid=100 cpus=2-3\n");
}
END_TEST

START_TEST(test_apply_thread_vanishes)
{
    struct np_placement pl = placement();
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", 101, -ESRCH), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert_uint_eq(res.threads_set, 2);
    ck_assert_uint_eq(res.threads_gone, 1);
    ck_assert_int_eq(res.cls, NP_ACT_OK);
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&rec), "migrate_pages pid=100"));
}
END_TEST

START_TEST(test_apply_leader_gone)
{
    struct np_placement pl = placement();
    struct np_act_result res;
    /* The leader's affinity cannot be read. */
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "get_affinity", 100, -ESRCH), 0);
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -ESRCH);
    ck_assert_int_eq(res.cls, NP_ACT_GONE);
    ck_assert_str_eq(res.step, "affinity");
    ck_assert(!res.have_original);
    ck_assert_str_eq(np_actuator_recording_log(&rec), "get_affinity tid=100\n");

    /* The leader exits between reading and setting. */
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", 100, -ESRCH), 0);
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -ESRCH);
    ck_assert_int_eq(res.cls, NP_ACT_GONE);
    ck_assert_uint_eq(res.threads_set, 0);
    ck_assert(res.have_original);

    /* No proc/200 at all. */
    pl.pid = 200;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -ENOENT);
    ck_assert_int_eq(res.cls, NP_ACT_GONE);
    ck_assert_str_eq(res.step, "affinity");
}
END_TEST

START_TEST(test_apply_permission)
{
    struct np_placement pl = placement();
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", 102, -EPERM), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -EPERM);
    ck_assert_int_eq(res.cls, NP_ACT_PERMISSION);
    ck_assert_int_eq(res.error, -EPERM);
    ck_assert_str_eq(res.step, "affinity");
    ck_assert_uint_eq(res.threads_set, 2);
    /* Memory is not touched after a failed CPU step. */
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&rec), "migrate_pages"));
}
END_TEST

START_TEST(test_apply_migrate_failure)
{
    struct np_placement pl = placement();
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "migrate_pages", -1, -ENOMEM), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -ENOMEM);
    ck_assert_int_eq(res.cls, NP_ACT_CAPACITY);
    ck_assert_str_eq(res.step, "migrate");
    ck_assert_uint_eq(res.threads_set, 3);
    ck_assert_uint_eq(res.moved_kb, 0);
}
END_TEST

START_TEST(test_apply_cgroup)
{
    struct np_placement pl = placement();
    pl.cgroup = "/system.slice/mariadb.service";
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "write_cgroup cgroup=/system.slice/mariadb.service file=cpuset.cpus value=2-3\n"
                     "write_cgroup cgroup=/system.slice/mariadb.service file=cpuset.mems value=1\n");
    ck_assert(res.used_cgroup);
    ck_assert(!res.have_original);
    ck_assert_uint_eq(res.threads_set, 0);
    ck_assert_uint_eq(res.moved_kb, 262144);
    ck_assert(!res.partial);
}
END_TEST

START_TEST(test_apply_cgroup_failures)
{
    struct np_placement pl = placement();
    pl.cgroup = "/system.slice/mariadb.service";
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "write_cgroup", -1, -EACCES), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -EACCES);
    ck_assert_int_eq(res.cls, NP_ACT_PERMISSION);
    ck_assert_str_eq(res.step, "cgroup");
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "write_cgroup cgroup=/system.slice/mariadb.service file=cpuset.cpus value=2-3\n");

    static const char *const bad[] = { "/", "", "/system.slice/../x", "/a/./b", ".." };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pl.cgroup = bad[i];
        ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -EINVAL);
        ck_assert_int_eq(res.cls, NP_ACT_INVALID);
        ck_assert_str_eq(res.step, "cgroup");
    }
    /* Nothing more was written. */
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&rec), "cpuset.mems"));
}
END_TEST

/* A read-only cgroup tree (EROFS): the same placement goes to the threads
 * and pages directly, and the result says the group refused. */
START_TEST(test_apply_cgroup_read_only_places_threads)
{
    struct np_placement pl = placement();
    pl.cgroup = "/system.slice/mariadb.service";
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "write_cgroup", -1, -EROFS), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    const char *log = np_actuator_recording_log(&rec);
    const char *cg = strstr(log, "write_cgroup cgroup=/system.slice/mariadb.service file=cpuset.cpus value=2-3\n");
    ck_assert_ptr_nonnull(cg);
    ck_assert_str_eq(cg, "write_cgroup cgroup=/system.slice/mariadb.service file=cpuset.cpus value=2-3\n"
                         "get_affinity tid=100\n"
                         "set_affinity tid=100 cpus=2-3\n"
                         "set_affinity tid=101 cpus=2-3\n"
                         "set_affinity tid=102 cpus=2-3\n"
                         "migrate_pages pid=100 from=0 to=1\n");
    ck_assert_ptr_null(strstr(log, "cpuset.mems"));
    ck_assert_int_eq(res.cgroup_error, -EROFS);
    ck_assert(!res.used_cgroup);
    ck_assert(res.have_original);   /* the threads' affinity to give back */
    ck_assert_uint_eq(res.threads_set, 3);
    ck_assert_uint_eq(res.moved_kb, 262144);
    ck_assert_int_eq(res.error, 0);
}
END_TEST

START_TEST(test_apply_cgroup_cpus_only)
{
    struct np_placement pl = placement();
    pl.cgroup = "system.slice/mariadb.service";
    pl.move_memory = false;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "write_cgroup cgroup=system.slice/mariadb.service file=cpuset.cpus value=2-3\n");
}
END_TEST

START_TEST(test_apply_budget_zero)
{
    struct np_placement pl = placement();
    pl.budget_kb = 0;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert(res.partial);
    ck_assert_uint_eq(res.moved_kb, 0);
    ck_assert_uint_eq(res.threads_set, 3);
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&rec), "migrate_pages"));
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&rec), "move_pages"));
}
END_TEST

START_TEST(test_apply_batched)
{
    struct np_placement pl = placement();
    nodes_of(&pl.mems, "0");
    nodes_of(&pl.from, "1");
    pl.budget_kb = 4096;               /* 1024 pages */
    pl.remote_kb = 1048576;
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, odd_2m_block, NULL), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert(res.partial);
    ck_assert_uint_eq(res.moved_kb, 4096);
    ck_assert_int_eq(res.cls, NP_ACT_OK);
    const char *log = np_actuator_recording_log(&rec);
    ck_assert_ptr_null(strstr(log, "migrate_pages"));
    unsigned queries, moves;
    unsigned long queried = sum_counts(log, "nodes=query", &queries);
    unsigned long moved = sum_counts(log, "nodes=0", &moves);
    ck_assert_uint_eq(moved, 1024);
    ck_assert_uint_ge(moves, 2);
    /* One move after each query that found remote pages: every other block
     * is remote, and a query may cover just one block (the walk starts at a
     * block boundary). */
    ck_assert_uint_le(moves, queries);
    ck_assert_uint_ge(moves, queries / 2);
    ck_assert_uint_le(queried, 4096);           /* examination cap: 4 x budget */
    /* More than it moved: local pages lie between the remote ones. Not
     * "remote, local, remote block" (1,536): the walk starts at a random
     * block, and where mappings are not 2 MiB aligned an odd block of one
     * runs into an odd block of the next (seen: 1,106 examined). */
    ck_assert_uint_gt(queried, moved);
    ck_assert_ptr_nonnull(strstr(log, "move_pages pid=100 count=512 nodes=query\n"));
}
END_TEST

START_TEST(test_apply_batched_complete_walk)
{
    struct np_placement pl = placement();
    nodes_of(&pl.mems, "0");
    nodes_of(&pl.from, "1");
    pl.budget_kb = 163840;             /* examines 163840 pages >= the 158822 mapped */
    pl.remote_kb = 1048576;
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, stack_on_node1, NULL), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    ck_assert(!res.partial);
    ck_assert_uint_eq(res.moved_kb, 33 * 4);    /* the 33 pages of [stack] */
    unsigned queries, moves;
    ck_assert_uint_eq(sum_counts(np_actuator_recording_log(&rec), "nodes=query", &queries),
                      158822);
    ck_assert_uint_eq(sum_counts(np_actuator_recording_log(&rec), "nodes=0", &moves), 33);
}
END_TEST

/* A two-node target within the budget: pages are moved one by one and
 * spread over both nodes, because migrate_pages would send every page of
 * node 0 to the first target node only. */
static int always_node0(void *addr, void *ctx)
{
    (void)addr;
    (void)ctx;
    return 0;
}

START_TEST(test_apply_two_node_target_spreads)
{
    struct np_placement pl = placement();
    nodes_of(&pl.mems, "2-3");
    nodes_of(&pl.from, "0");
    pl.budget_kb = 8192;               /* 2048 pages */
    pl.remote_kb = 8192;
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, always_node0, NULL), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    const char *log = np_actuator_recording_log(&rec);
    ck_assert_ptr_null(strstr(log, "migrate_pages"));
    unsigned m2, m3;
    unsigned long to2 = sum_counts(log, "nodes=2", &m2);
    unsigned long to3 = sum_counts(log, "nodes=3", &m3);
    ck_assert_uint_eq(to2 + to3, 2048);
    ck_assert_uint_gt(to2, 0);
    ck_assert_uint_gt(to3, 0);
    ck_assert_uint_eq(res.moved_kb, 8192);
}
END_TEST

/* A two-node target whose source nodes each fit one target's room: one
 * migrate_pages per node pair (the largest source to the roomiest target),
 * no page-by-page spread. */
START_TEST(test_apply_spread_by_whole_source_nodes)
{
    struct np_placement pl = placement();
    nodes_of(&pl.mems, "0-1");
    nodes_of(&pl.from, "2-3");
    pl.remote_kb = 600 * 1024;
    pl.nrooms = 2;
    pl.rooms[0] = (struct np_target_room){0, 500 * 1024};
    pl.rooms[1] = (struct np_target_room){1, 1000 * 1024};
    pl.nsources = 2;
    pl.sources[0] = (struct np_source_node){2, 200 * 1024};
    pl.sources[1] = (struct np_source_node){3, 400 * 1024};
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    const char *log = np_actuator_recording_log(&rec);
    /* 400 MiB of node 3 to node 1 (1000 MiB room), then 200 MiB of node 2
     * to the roomier of 500 and ~590 left: node 1 again. */
    const char *first = strstr(log, "migrate_pages pid=100 from=3 to=1\n");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(strstr(log, "migrate_pages pid=100 from=2 to=1\n"));
    ck_assert_ptr_null(strstr(log, "move_pages"));
    ck_assert_uint_eq(res.moved_kb, 600 * 1024);
    ck_assert(!res.partial);
}
END_TEST

static int always_node2(void *addr, void *ctx)
{
    (void)addr;
    (void)ctx;
    return 2;
}

/* The biggest source fits no target's room: the page-by-page spread takes
 * over, never a migrate_pages that would overfill a node. */
START_TEST(test_apply_spread_falls_back_when_a_source_fits_nowhere)
{
    struct np_placement pl = placement();
    nodes_of(&pl.mems, "0-1");
    nodes_of(&pl.from, "2");
    pl.remote_kb = 8192;
    pl.nrooms = 2;
    pl.rooms[0] = (struct np_target_room){0, 6000};
    pl.rooms[1] = (struct np_target_room){1, 6000};
    pl.nsources = 1;
    pl.sources[0] = (struct np_source_node){2, 8192};
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, always_node2, NULL), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), 0);
    const char *log = np_actuator_recording_log(&rec);
    ck_assert_ptr_null(strstr(log, "migrate_pages"));
    ck_assert_ptr_nonnull(strstr(log, "move_pages"));
    ck_assert_uint_gt(res.moved_kb, 0);
}
END_TEST

/* Every page of one 2 MiB block must be sent to the same node, or a
 * transparent huge page ping-pongs between the targets. */
static const struct np_actuator_ops *block_inner;
static struct { uintptr_t block; int node; } block_seen[4096];
static unsigned nblock_seen;
static bool block_conflict;

/* The recorder with its move_pages replaced by MOVE_PAGES (which reaches
 * the recorder through block_inner), every page on node 0 by default, and
 * a placement of 64 MiB (16384 pages) from FROM to TARGETS. */
static struct np_actuator_ops wrapped_ops;
static struct np_actuator wrap_recorder(int (*move_pages)(void *, int, unsigned long, void **,
                                                          const int *, int *),
                                        int (*page_node)(void *, void *),
                                        const char *targets, const char *from,
                                        struct np_placement *pl)
{
    *pl = placement();
    nodes_of(&pl->mems, targets);
    nodes_of(&pl->from, from);
    pl->budget_kb = 65536;
    pl->remote_kb = 65536;
    ck_assert_int_eq(np_actuator_recording_set_page_node(&rec, page_node, NULL), 0);
    block_inner = rec.ops;
    wrapped_ops = *rec.ops;
    wrapped_ops.move_pages = move_pages;
    return (struct np_actuator){.ops = &wrapped_ops, .ctx = rec.ctx};
}

static int block_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                            const int *nodes, int *status)
{
    for (unsigned long i = 0; nodes && i < count; i++) {
        uintptr_t b = (uintptr_t)pages[i] >> 21;
        unsigned k = 0;
        while (k < nblock_seen && block_seen[k].block != b)
            k++;
        if (k < nblock_seen)
            block_conflict |= block_seen[k].node != nodes[i];
        else if (nblock_seen < 4096)
            block_seen[nblock_seen++] = (typeof(block_seen[0])){b, nodes[i]};
    }
    return block_inner->move_pages(ctx, pid, count, pages, nodes, status);
}

/* np_act_apply_memory of PL under ROOT and CTL through A (wrapping
 * block_move_pages) with fresh block records. */
static int apply_memory_watching_blocks(const struct np_actuator *a, const struct np_root *r,
                                        const struct np_placement *pl,
                                        const struct np_act_control *ctl,
                                        struct np_act_result *res)
{
    nblock_seen = 0;
    block_conflict = false;
    return np_act_apply_memory(a, r, pl, ctl, res);
}

/* Applies PL through A (wrapping block_move_pages) with fresh block
 * records: 0 or the apply's error. */
static int apply_watching_blocks(const struct np_actuator *a, const struct np_placement *pl,
                                 struct np_act_result *res)
{
    nblock_seen = 0;
    block_conflict = false;
    return np_act_apply(a, &root, pl, res);
}

/* How many of the recorded blocks went to NODE. */
static unsigned blocks_sent_to(int node)
{
    unsigned n = 0;
    for (unsigned k = 0; k < nblock_seen; k++)
        n += block_seen[k].node == node;
    return n;
}

/* Node 0 holds only the even 2 MiB blocks (an interleaved first touch). */
static int even_blocks_on_node0(void *addr, void *ctx)
{
    (void)ctx;
    return ((uintptr_t)addr >> 21) % 2 == 0 ? 0 : 2;
}

START_TEST(test_apply_spread_does_not_alias_with_interleaving)
{
    struct np_placement pl;   /* 16384 pages */
    struct np_actuator wrapped = wrap_recorder(block_move_pages, even_blocks_on_node0, "0-1", "2", &pl);
    struct np_act_result res;
    ck_assert_int_eq(apply_watching_blocks(&wrapped, &pl, &res), 0);
    ck_assert_uint_gt(nblock_seen, 4);
    ck_assert(!block_conflict);
    unsigned to0 = blocks_sent_to(0);
    /* the odd blocks from node 2 are split over both targets, evenly */
    ck_assert_uint_gt(to0, 0);
    ck_assert_uint_lt(to0, nblock_seen);
    ck_assert_uint_le(to0 > nblock_seen - to0 ? to0 - (nblock_seen - to0) : (nblock_seen - to0) - to0, 1);
}
END_TEST

/* Node 2 is full: every page sent there fails with ENOMEM. */
static unsigned long full_node_refusals, moved_to_3;
static int full_node2_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                                 const int *nodes, int *status)
{
    int r = block_inner->move_pages(ctx, pid, count, pages, nodes, status);
    for (unsigned long i = 0; nodes && r == 0 && i < count; i++) {
        if (nodes[i] == 2) {
            status[i] = -ENOMEM;
            full_node_refusals++;
        } else if (nodes[i] == 3) {
            moved_to_3++;
        }
    }
    return r;
}

START_TEST(test_apply_full_target_is_dropped_others_take_the_rest)
{
    struct np_placement pl;   /* 16384 pages */
    struct np_actuator wrapped = wrap_recorder(full_node2_move_pages, always_node0, "2-3", "0", &pl);
    full_node_refusals = moved_to_3 = 0;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&wrapped, &root, &pl, &res), 0);
    ck_assert_int_eq(res.cls, NP_ACT_OK);
    /* node 2 refused one block's pages, then was dropped; node 3 took the rest */
    ck_assert_uint_gt(full_node_refusals, 0);
    ck_assert_uint_le(full_node_refusals, 512);
    ck_assert_uint_eq(moved_to_3, 16384);
    ck_assert(res.partial);                  /* the refused pages are still remote */

    /* The only target full (batched: more remote than the budget): a
     * capacity error. */
    nodes_of(&pl.mems, "2");
    pl.remote_kb = 131072;
    ck_assert_int_eq(np_act_apply(&wrapped, &root, &pl, &res), -ENOMEM);
    ck_assert_int_eq(res.cls, NP_ACT_CAPACITY);
}
END_TEST

/* The walk starts at a random page (seeded by the clock), so the room test
 * runs many times: the old mover split a block when it started mid-block or
 * when a target's room ran out mid-block (1 run in 6 under load). */
/* The kernel fails a whole move_pages call with ENOMEM when one page
 * cannot be allocated on its node: here node 2 is full. */
static int node2_fails_whole_call(void *ctx, int pid, unsigned long count, void **pages,
                                  const int *nodes, int *status)
{
    for (unsigned long i = 0; nodes && i < count; i++)
        if (nodes[i] == 2) {
            full_node_refusals++;
            return -ENOMEM;
        }
    return block_inner->move_pages(ctx, pid, count, pages, nodes, status);
}

START_TEST(test_apply_whole_call_enomem_drops_only_that_target)
{
    struct np_placement pl;   /* 16384 pages */
    struct np_actuator wrapped = wrap_recorder(node2_fails_whole_call, always_node0, "2-3", "0", &pl);
    full_node_refusals = 0;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&wrapped, &root, &pl, &res), 0);
    ck_assert_int_eq(res.cls, NP_ACT_OK);
    ck_assert_uint_eq(full_node_refusals, 1);       /* asked once, then dropped */
    unsigned lines;
    ck_assert_uint_eq(sum_counts(np_actuator_recording_log(&rec), "nodes=3", &lines), 16384);
    ck_assert(res.partial);                         /* node 2's share of that batch */
    ck_assert_uint_eq(res.moved_kb, 65536);
}
END_TEST

/* A target that other allocations fill while the copy runs: node 2's
 * meminfo drops below the headroom after it took 2048 pages; the mover
 * reads it again before each batch, so node 2 takes at most one batch
 * more and node 3 the rest. Without the re-check node 2 takes its half. */
static char live_root_dir[64];
static unsigned long live_to2, live_to3;
static void write_node_meminfo(int node, unsigned long free_kb)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/sys/devices/system/node/node%d/meminfo", live_root_dir, node);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "Node %d MemTotal:        1048576 kB\nNode %d MemFree:        %lu kB\n"
               "Node %d Inactive(file):        0 kB\nNode %d FilePages:        0 kB\n",
            node, node, free_kb, node, node);
    fclose(f);
}

static int filling_node2_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                                    const int *nodes, int *status)
{
    for (unsigned long i = 0; nodes && i < count; i++) {
        if (nodes[i] == 2)
            live_to2++;
        else if (nodes[i] == 3)
            live_to3++;
    }
    if (nodes && live_to2 >= 2048)
        write_node_meminfo(2, 10000);   /* below the 5% headroom of 1 GiB */
    return block_inner->move_pages(ctx, pid, count, pages, nodes, status);
}

START_TEST(test_apply_live_room_stops_a_filling_target)
{
    snprintf(live_root_dir, sizeof(live_root_dir), "/tmp/np-test-act-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(live_root_dir));
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "cp -a " FIXTURE "/. %s/ && mkdir -p %s/sys/devices/system/node/node2 "
             "%s/sys/devices/system/node/node3", live_root_dir, live_root_dir, live_root_dir);
    ck_assert_int_eq(system(cmd), 0);
    struct np_root live_root;
    ck_assert_int_eq(np_root_open(live_root_dir, &live_root), 0);
    struct np_placement pl;   /* 16384 pages to nodes 2-3 */
    struct np_actuator wrapped = wrap_recorder(filling_node2_move_pages, always_node0, "2-3", "0", &pl);
    pl.headroom_pct = 5;
    for (int recheck = 1; recheck >= 0; recheck--) {
        write_node_meminfo(2, 900000);
        write_node_meminfo(3, 900000);
        live_to2 = live_to3 = 0;
        pl.recheck_rooms = recheck;
        struct np_act_result res;
        ck_assert_int_eq(np_act_apply(&wrapped, &live_root, &pl, &res), 0);
        ck_assert_uint_eq(live_to2 + live_to3, 16384);   /* node 3 took the rest */
        ck_assert_uint_eq(res.moved_kb, 65536);
        if (recheck) {
            ck_assert_uint_ge(live_to2, 2048);
            ck_assert_uint_le(live_to2, 2048 + 512);   /* one batch after the fill */
            ck_assert(res.target_filled);
        } else {
            ck_assert_uint_gt(live_to2, 6000);          /* its share of the rotation */
            ck_assert(!res.target_filled);
        }
    }
    np_root_close(&live_root);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", live_root_dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Private hugetlb memory ("/anon_hugepage" in maps) takes free hugepages
 * on the target, not free memory (the pool is outside MemFree): with its
 * page size known, a target below its free-memory headroom still takes
 * the huge pages while its hugepages last, read again before each batch,
 * and the ordinary pages wait. Without the size, as before: held to free
 * memory. */
static void write_free_hugepages(int node, unsigned long pages)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/free_hugepages",
             live_root_dir, node);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%lu\n", pages);
    fclose(f);
}

START_TEST(test_apply_hugetlb_held_to_free_hugepages)
{
    snprintf(live_root_dir, sizeof(live_root_dir), "/tmp/np-test-act-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(live_root_dir));
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "cp -a " FIXTURE "/. %s/ && mkdir -p "
             "%s/sys/devices/system/node/node2/hugepages/hugepages-2048kB", live_root_dir, live_root_dir);
    ck_assert_int_eq(system(cmd), 0);
    char path[160];
    snprintf(path, sizeof(path), "%s/proc/100/maps", live_root_dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n"             /* 4 MiB */
          "7f2000000000-7f2001000000 rw-p 00000000 00:0f 4711                       "
          "/anon_hugepage (deleted)\n", f);                                   /* 16 MiB */
    fclose(f);
    struct np_root live_root;
    ck_assert_int_eq(np_root_open(live_root_dir, &live_root), 0);
    struct np_placement pl;
    struct np_actuator wrapped = wrap_recorder(block_move_pages, always_node0, "2", "0", &pl);
    pl.budget_kb = pl.remote_kb = 20480;
    pl.headroom_pct = 5;
    pl.recheck_rooms = true;
    pl.huge_page_kb = 2048;
    atomic_bool cancel = false;
    struct np_act_control ctl = {.cancel = &cancel};
    struct np_act_result res;
    unsigned lines;

    /* No free memory above the headroom, 8 free hugepages: all 16 MiB of
     * huge pages go (4096 of their 4 KiB addresses), the 4 MiB wait. */
    write_node_meminfo(2, 10000);
    write_free_hugepages(2, 8);
    size_t logged = strlen(np_actuator_recording_log(&rec));
    ck_assert_int_eq(apply_memory_watching_blocks(&wrapped, &live_root, &pl, &ctl, &res), 0);
    ck_assert_uint_eq(sum_counts(np_actuator_recording_log(&rec) + logged, "nodes=2", &lines), 4096);
    ck_assert(res.partial);
    ck_assert(!block_conflict);

    /* Free memory, 3 free hugepages: the 4 MiB and three huge pages. */
    write_node_meminfo(2, 900000);
    write_free_hugepages(2, 3);
    logged = strlen(np_actuator_recording_log(&rec));
    ck_assert_int_eq(apply_memory_watching_blocks(&wrapped, &live_root, &pl, &ctl, &res), 0);
    ck_assert_uint_eq(sum_counts(np_actuator_recording_log(&rec) + logged, "nodes=2", &lines),
                      1024 + 3 * 512);
    ck_assert(res.partial);
    ck_assert(res.target_filled);

    /* Page size unknown (several sizes): held to free memory, as before. */
    pl.huge_page_kb = 0;
    write_node_meminfo(2, 10000);
    write_free_hugepages(2, 8);
    logged = strlen(np_actuator_recording_log(&rec));
    ck_assert_int_eq(apply_memory_watching_blocks(&wrapped, &live_root, &pl, &ctl, &res), 0);
    ck_assert_uint_eq(sum_counts(np_actuator_recording_log(&rec) + logged, "nodes=2", &lines), 0);
    np_root_close(&live_root);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", live_root_dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A per-node cap (actuator.node_migrate_mb_per_s): node 2 at 40 MiB/s
 * takes its half of a 64 MiB spread (32 MiB, 4 MiB of burst) in no less
 * than 0.7 s; node 3 has no cap and its bucket is never booked. */
START_TEST(test_apply_node_cap_paces_that_node)
{
    struct np_placement pl;   /* 16384 pages to nodes 2-3 */
    struct np_actuator wrapped = wrap_recorder(block_move_pages, always_node0, "2-3", "0", &pl);
    struct np_pacer *nodes = calloc(NP_MAX_NODES, sizeof(*nodes));
    ck_assert_ptr_nonnull(nodes);
    uint64_t now = np_monotonic_ns();
    for (unsigned i = 0; i < NP_MAX_NODES; i++)
        ck_assert_int_eq(np_pacer_init(&nodes[i], i == 2 ? 40 : 0, 0, now), 0);
    struct np_act_control ctl = {.node_pacers = nodes};
    struct np_act_result res;
    nblock_seen = 0;
    block_conflict = false;
    uint64_t t0 = np_monotonic_ns();
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), 0);
    double secs = (double)(np_monotonic_ns() - t0) / 1e9;
    unsigned lines;
    unsigned long to2 = sum_counts(np_actuator_recording_log(&rec), "nodes=2", &lines);
    ck_assert_uint_gt(to2, 7000);
    /* (to2 pages - the 4 MiB burst) at 40 MiB/s, less a little for timer slack */
    double floor_s = ((double)to2 * 4096 / 1048576 - 4.0) / 40.0 * 0.95;
    ck_assert_msg(secs >= floor_s, "%.3f s for %lu pages to a 40 MiB/s node (at least %.3f s)", secs, to2, floor_s);
    ck_assert(nodes[3].balance_kb == 0.0);   /* no cap: never booked */
    for (unsigned i = 0; i < NP_MAX_NODES; i++)
        np_pacer_destroy(&nodes[i]);
    free(nodes);
}
END_TEST

START_TEST(test_apply_target_room_is_respected)
{
    struct np_placement pl;   /* 16384 pages */
    struct np_actuator wrapped = wrap_recorder(block_move_pages, always_node0, "2-3", "0", &pl);
    for (int run = 0; run < 64; run++) {
        pl.nrooms = 1;
        pl.rooms[0].node = 2;
        pl.rooms[0].kb = 4096;         /* node 2 takes at most 1024 pages: two blocks */
        size_t logged = strlen(np_actuator_recording_log(&rec));
        struct np_act_result res;
        ck_assert_int_eq(apply_watching_blocks(&wrapped, &pl, &res), 0);
        const char *log = np_actuator_recording_log(&rec) + logged;   /* this run's lines */
        unsigned lines;
        unsigned to2 = (unsigned)sum_counts(log, "nodes=2", &lines);
        unsigned to3 = (unsigned)sum_counts(log, "nodes=3", &lines);
        /* The room is kept, and is used but for less than one block (a
         * block a mapping starts inside of is shorter). */
        ck_assert_uint_le(to2, 1024);
        ck_assert_uint_gt(to2, 1024 - 512);
        ck_assert_uint_eq(to2 + to3, 16384);
        ck_assert_msg(!block_conflict, "run %d: a 2 MiB block was sent to two nodes", run);

        /* Every target out of room: what could not move stays, partial, no error. */
        pl.nrooms = 2;
        pl.rooms[1].node = 3;
        pl.rooms[1].kb = 4096;
        ck_assert_int_eq(apply_watching_blocks(&wrapped, &pl, &res), 0);
        ck_assert(res.partial);
        ck_assert_uint_le(res.moved_kb, 8192);
        ck_assert_uint_gt(res.moved_kb, 8192 - 2 * 2048);
        ck_assert_msg(!block_conflict, "run %d, both full: a 2 MiB block was sent to two nodes", run);
    }
}
END_TEST

START_TEST(test_apply_spread_keeps_huge_page_blocks_together)
{
    struct np_placement pl;   /* 16384 pages */
    struct np_actuator wrapped = wrap_recorder(block_move_pages, always_node0, "2-3", "0", &pl);
    struct np_act_result res;
    ck_assert_int_eq(apply_watching_blocks(&wrapped, &pl, &res), 0);
    ck_assert_uint_gt(nblock_seen, 4);
    ck_assert(!block_conflict);
    unsigned to2 = blocks_sent_to(2);
    ck_assert_uint_gt(to2, 0);                   /* both targets get blocks */
    ck_assert_uint_lt(to2, nblock_seen);
}
END_TEST

/* Which call first touched each 2 MiB block, and how many blocks lying
 * wholly inside one writable mapping (where a transparent huge page can
 * be) were touched by two calls: cut mid-block. */
static struct { uintptr_t block; unsigned long call; } block_call[4096];
static unsigned nblock_call;
static unsigned long calls_seen, blocks_cut;
static const char *watched_maps;

static bool block_inside_a_mapping(uintptr_t block)
{
    const char *cur = watched_maps;
    uint64_t start, end, lo = (uint64_t)block << 21, hi = lo + ((uint64_t)1 << 21);
    while (np_maps_next_writable_private(&cur, &start, &end))
        if (start <= lo && hi <= end)
            return true;
    return false;
}

static int cut_watch_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                                const int *nodes, int *status)
{
    calls_seen++;
    for (unsigned long i = 0; i < count; i++) {
        uintptr_t b = (uintptr_t)pages[i] >> 21;
        unsigned k = 0;
        while (k < nblock_call && block_call[k].block != b)
            k++;
        if (k == nblock_call && nblock_call < 4096)
            block_call[nblock_call++] = (typeof(block_call[0])){b, calls_seen};
        else if (k < nblock_call && block_call[k].call != calls_seen && block_inside_a_mapping(b)) {
            blocks_cut++;
            block_call[k].call = calls_seen;   /* count each cut once */
        }
    }
    return block_inner->move_pages(ctx, pid, count, pages, nodes, status);
}

static int always_node1(void *addr, void *ctx)
{
    (void)addr;
    (void)ctx;
    return 1;
}

/* Batches end at 2 MiB block boundaries: asking for part of a transparent
 * huge page moves all of it, so a batch cut mid-block copies more than the
 * rate limit booked (seen: 1.21x the limit in the guest). Every page is
 * already on the target, so nothing moves and the walk covers all 158822
 * mapped pages (the examination cap is 4 x 163840), meeting every mapping
 * start, aligned or not, wherever it begins. */
START_TEST(test_apply_batches_hold_whole_blocks)
{
    char *maps;
    ck_assert_int_eq(np_read_file_alloc(&root, "proc/100/maps", 1 << 22, &maps, NULL), 0);
    watched_maps = maps;
    struct np_placement pl;
    struct np_actuator wrapped = wrap_recorder(cut_watch_move_pages, always_node1, "1", "0", &pl);
    pl.budget_kb = 163840;
    pl.remote_kb = 1048576;   /* over the budget: batched */
    calls_seen = blocks_cut = 0;
    nblock_call = 0;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&wrapped, &root, &pl, &res), 0);
    ck_assert_uint_eq(res.moved_kb, 0);
    ck_assert_uint_ge(calls_seen, 158822 / 512);
    ck_assert_uint_gt(nblock_call, 200);
    ck_assert_uint_eq(blocks_cut, 0);
    free(maps);
}
END_TEST

/* The kernel's answer for a transparent huge page: the first 4 KiB page a
 * move_pages call meets moves the whole 2 MiB block, and each later page
 * of that block in the same call answers -EBUSY (its head is already
 * isolated) although it moved too. A query answers where the block is. */
static struct { uintptr_t block; int node; } thp_moved[8192];
static unsigned nthp_moved;
static unsigned long thp_busy_answers;

/* A transparent huge page lies inside one mapping: only 2 MiB blocks that
 * a mapping of the fixture's process covers whole behave as one (the
 * emulation once made a block two mappings share a huge page, and a walk
 * starting between them lost its pages: 1 run in 60). */
static struct { uintptr_t start, end; } thp_maps[64];
static unsigned nthp_maps;

static void thp_load_maps(void)
{
    FILE *f = fopen(FIXTURE "/proc/100/maps", "re");
    ck_assert_ptr_nonnull(f);
    nthp_maps = 0;
    unsigned long start, end;
    char line[512];
    while (nthp_maps < 64 && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx", &start, &end) == 2)
            thp_maps[nthp_maps++] = (typeof(thp_maps[0])){start, end};
    fclose(f);
    ck_assert_uint_gt(nthp_maps, 0);
}

static bool thp_whole_block(uintptr_t block)
{
    for (unsigned k = 0; k < nthp_maps; k++)
        if (thp_maps[k].start <= block << 21 && (block + 1) << 21 <= thp_maps[k].end)
            return true;
    return false;
}

static int thp_node_of(uintptr_t block)
{
    for (unsigned k = 0; k < nthp_moved; k++)
        if (thp_moved[k].block == block)
            return thp_moved[k].node;
    return -1;
}

static int thp_move_pages(void *ctx, int pid, unsigned long count, void **pages,
                          const int *nodes, int *status)
{
    int r = block_inner->move_pages(ctx, pid, count, pages, nodes, status);
    if (r < 0)
        return r;
    unsigned first_new = nthp_moved;
    for (unsigned long i = 0; i < count; i++) {
        uintptr_t b = (uintptr_t)pages[i] >> 21;
        if (!thp_whole_block(b))
            continue;   /* 4 KiB pages: the recorder's answer stands */
        int node = thp_node_of(b);
        if (!nodes) {
            if (node >= 0)
                status[i] = node;
            continue;
        }
        bool moved_in_this_call = false;
        for (unsigned k = first_new; k < nthp_moved; k++)
            moved_in_this_call |= thp_moved[k].block == b;
        if (moved_in_this_call) {
            status[i] = -EBUSY;
            thp_busy_answers++;
        } else if (node != nodes[i] && nthp_moved < 8192) {
            thp_moved[nthp_moved++] = (typeof(thp_moved[0])){b, nodes[i]};
        }
    }
    return 0;
}

/* Pages answered -EBUSY that moved with their huge page count as moved:
 * counted as left behind, every 300 MiB move ended partial and walked the
 * process again next cycle (seen in the guest). */
START_TEST(test_apply_huge_page_tails_count_as_moved)
{
    struct np_placement pl;
    struct np_actuator wrapped = wrap_recorder(thp_move_pages, always_node0, "2-3", "0", &pl);
    pl.remote_kb = 158822 * 4;                  /* every mapped page */
    pl.budget_kb = 1048576;                     /* more: a complete walk */
    thp_load_maps();
    nthp_moved = 0;
    thp_busy_answers = 0;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&wrapped, &root, &pl, &res), 0);
    ck_assert_uint_gt(thp_busy_answers, 100000);   /* the kernel's answers were mostly errors */
    ck_assert_uint_eq(res.moved_kb, 158822 * 4);
    ck_assert(!res.partial);
}
END_TEST

/* Cancels after the third move_pages call that moves pages. */
static atomic_bool cancel_flag;
static unsigned moving_calls;
static unsigned long pages_sent;   /* in the moving calls */
static int cancel_after_three_moves(void *ctx, int pid, unsigned long count, void **pages,
                                    const int *nodes, int *status)
{
    if (nodes) {
        pages_sent += count;
        if (++moving_calls == 3)
            atomic_store(&cancel_flag, true);
    }
    return block_inner->move_pages(ctx, pid, count, pages, nodes, status);
}

/* Counts migrate_pages calls (the recorder's log stops at 1 MiB, which
 * whole walks fill). */
static unsigned migrate_calls;
static long (*inner_migrate)(void *, int, const struct np_nodeset *, const struct np_nodeset *);
static long counting_migrate_pages(void *ctx, int pid, const struct np_nodeset *from,
                                   const struct np_nodeset *to)
{
    migrate_calls++;
    return inner_migrate(ctx, pid, from, to);
}

/* On a mover thread (a control that can cancel) a move bigger than a few
 * batches goes in batches even to one node within its budget, so a
 * cancel stops it at the next batch with what it moved counted; left
 * alone it walks everything, then one migrate_pages takes what the walk
 * cannot reach (shared and file mappings). */
START_TEST(test_apply_off_the_loop_goes_in_batches)
{
    struct np_placement pl;   /* 64 MiB from node 0 to node 1 */
    struct np_actuator wrapped = wrap_recorder(cancel_after_three_moves, always_node0, "1", "0", &pl);
    atomic_uint_fast64_t done_kb = 0;
    struct np_act_control ctl = {.cancel = &cancel_flag, .done_kb = &done_kb};
    atomic_store(&cancel_flag, false);
    moving_calls = 0;
    pages_sent = 0;
    struct np_act_result res;
    memset(&res, 0, sizeof(res));
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), -ECANCELED);
    ck_assert_int_eq(res.cls, NP_ACT_CANCELLED);
    ck_assert_uint_eq(moving_calls, 3);
    /* Three batches, each twice the one before (each took far less than
     * the 1/16 s under which a batch doubles): 2, 4 and 8 MiB of whole
     * blocks, but the walk starts at a random page and the first block of
     * a mapping that starts inside a 2 MiB block is shorter. Every page
     * sent is counted. */
    ck_assert_uint_eq(res.moved_kb, pages_sent * 4);
    ck_assert_uint_le(res.moved_kb, (512 + 1024 + 2048) * 4);
    ck_assert_uint_gt(res.moved_kb, (512 + 1024 + 2048) * 4 - 2 * 2048);
    ck_assert_uint_eq(atomic_load(&done_kb), res.moved_kb);
    ck_assert(res.partial);
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&rec), "migrate_pages"));

    /* Not cancelled: every page found on node 0 is moved in batches (the
     * job is the whole move: the estimate is no cap). What the estimate
     * says the walk left (file pages, a SysV buffer: 7 MiB here, over 1%
     * of the move) goes with one migrate_pages sweep. */
    atomic_store(&cancel_flag, false);
    moving_calls = 100;
    pl.remote_kb = pl.budget_kb = 158822 * 4 + 7168;
    memset(&res, 0, sizeof(res));
    inner_migrate = block_inner->migrate_pages;
    wrapped_ops.migrate_pages = counting_migrate_pages;
    migrate_calls = 0;
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), 0);
    ck_assert_uint_ge(moving_calls, 100 + 158822 / 8192);
    ck_assert_uint_eq(res.moved_kb, 158822 * 4 + 7168);   /* the sweep's estimate */
    ck_assert_uint_eq(atomic_load(&done_kb), 158822 * 4 + 7168);
    ck_assert(!res.partial);
    ck_assert_uint_eq(migrate_calls, 1);
    /* 1.4 MiB left (under 1% and 8 MiB): no sweep, which walks the whole
     * process again for it; 16 MiB left: swept. */
    pl.remote_kb = pl.budget_kb = 158822 * 4 + 1440;
    migrate_calls = 0;
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), 0);
    ck_assert_uint_eq(res.moved_kb, 158822 * 4);
    ck_assert(!res.partial);
    ck_assert_uint_eq(migrate_calls, 0);
    pl.remote_kb = pl.budget_kb = 158822 * 4 + 16384;
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), 0);
    ck_assert_uint_eq(migrate_calls, 1);
    /* A small move is still one call. */
    pl.remote_kb = pl.budget_kb = 4096;
    moving_calls = 200;
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), 0);
    ck_assert_uint_eq(moving_calls, 200);
}
END_TEST

/* The sizes of the moving calls; at the fourth the shared rate drops to
 * 32 MiB/s, at the sixth the move is cancelled. */
static unsigned long sized_counts[8];
static unsigned nsized;
static struct np_pacer *sized_pacer;
static int rate_drops_after_four_moves(void *ctx, int pid, unsigned long count, void **pages,
                                       const int *nodes, int *status)
{
    if (nodes && nsized < 8) {
        sized_counts[nsized++] = count;
        if (nsized == 4)
            ck_assert_int_eq(np_pacer_set_rate(sized_pacer, 32, np_monotonic_ns()), 0);
        if (nsized == 6)
            atomic_store(&cancel_flag, true);
    }
    return block_inner->move_pages(ctx, pid, count, pages, nodes, status);
}

/* On a mover thread a batch doubles while one takes under 1/16 s (each
 * call pays a fixed cost besides the copy) and halves when one takes over
 * 1/4 s: once the rate limit makes a 32 MiB batch wait about a second,
 * the next is 16 MiB. On the loop it stays 2 MiB. */
START_TEST(test_apply_batches_sized_by_time)
{
    struct np_placement pl;
    struct np_actuator wrapped = wrap_recorder(rate_drops_after_four_moves, always_node0, "1", "0", &pl);
    struct np_pacer pacer;
    ck_assert_int_eq(np_pacer_init(&pacer, 0, 0, np_monotonic_ns()), 0);
    sized_pacer = &pacer;
    struct np_act_control ctl = {.cancel = &cancel_flag, .pacer = &pacer};
    atomic_store(&cancel_flag, false);
    nsized = 0;
    struct np_act_result res;
    memset(&res, 0, sizeof(res));
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, &ctl, &res), -ECANCELED);
    ck_assert_uint_eq(nsized, 6);
    /* A batch ends at a 2 MiB block boundary when the next block would
     * not fit, and the fixture's mappings are not all 2 MiB aligned: each
     * is its size, or less by under a block. */
    static const unsigned long sizes[6] = {512, 1024, 2048, 4096, 8192, 4096};
    for (unsigned i = 0; i < 6; i++)
        ck_assert_msg(sized_counts[i] <= sizes[i] && sized_counts[i] > sizes[i] - 512,
                      "batch %u: %lu pages, expected %lu", i, sized_counts[i], sizes[i]);

    /* On the loop (no control; more remote than the budget: batched):
     * every call 2 MiB at most. */
    nsized = 0;
    pl.budget_kb = 8 * 2048;
    pl.remote_kb = 1048576;
    memset(&res, 0, sizeof(res));
    ck_assert_int_eq(np_act_apply_memory(&wrapped, &root, &pl, NULL, &res), 0);
    ck_assert_uint_ge(nsized, 8);
    for (unsigned i = 0; i < nsized; i++)
        ck_assert_uint_le(sized_counts[i], 512);
    np_pacer_destroy(&pacer);
}
END_TEST

START_TEST(test_apply_batched_failure)
{
    struct np_placement pl = placement();
    nodes_of(&pl.mems, "0");
    nodes_of(&pl.from, "1");
    pl.budget_kb = 4096;
    pl.remote_kb = 1048576;
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "move_pages", 100, -ESRCH), 0);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -ESRCH);
    ck_assert_int_eq(res.cls, NP_ACT_GONE);
    ck_assert_str_eq(res.step, "migrate");
}
END_TEST

START_TEST(test_apply_invalid)
{
    struct np_placement pl = placement();
    np_cpuset_zero(&pl.cpus);
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -EINVAL);
    ck_assert_int_eq(res.cls, NP_ACT_INVALID);
    pl = placement();
    np_nodeset_zero(&pl.mems);
    ck_assert_int_eq(np_act_apply(&rec, &root, &pl, &res), -EINVAL);
    ck_assert_str_eq(np_actuator_recording_log(&rec), "");
}
END_TEST

START_TEST(test_restore)
{
    struct np_cpuset orig;
    cpus_of(&orig, "0-3");
    ck_assert_int_eq(np_act_restore(&rec, &root, 100, &orig, 64), 0);
    ck_assert_str_eq(np_actuator_recording_log(&rec),
                     "set_affinity tid=100 cpus=0-3\n"
                     "set_affinity tid=101 cpus=0-3\n"
                     "set_affinity tid=102 cpus=0-3\n");
    /* A vanished thread or process is not an error. */
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", 101, -ESRCH), 0);
    ck_assert_int_eq(np_act_restore(&rec, &root, 100, &orig, 64), 0);
    ck_assert_int_eq(np_act_restore(&rec, &root, 200, &orig, 64), 0);
    /* A refused thread is reported, the others are still restored. */
    ck_assert_int_eq(np_actuator_recording_fail(&rec, "set_affinity", 100, -EPERM), 0);
    ck_assert_int_eq(np_act_restore(&rec, &root, 100, &orig, 64), -EPERM);
    const char *log = np_actuator_recording_log(&rec);
    ck_assert_str_eq(log + strlen(log) - strlen("set_affinity tid=102 cpus=0-3\n"),
                     "set_affinity tid=102 cpus=0-3\n");
    ck_assert_uint_eq(strlen(log), 9 * strlen("set_affinity tid=100 cpus=0-3\n"));
}
END_TEST

/* ---- the real actuator, on this process ---- */

static int first_allowed_cpu(const struct np_cpuset *s)
{
    return np_bits_next(NP_CPUS(s), 0);
}

START_TEST(test_real_refuses_fixture_root)
{
    struct np_actuator a = { 0 };
    ck_assert_int_eq(np_actuator_real_new(&root, &a), -EPERM);
    ck_assert_ptr_null(a.ops);
}
END_TEST

START_TEST(test_real_affinity_and_migrate)
{
    struct np_root live;
    ck_assert_int_eq(np_root_open("/", &live), 0);
    struct np_actuator a;
    ck_assert_int_eq(np_actuator_real_new(&live, &a), 0);
    np_root_close(&live);      /* the actuator keeps its own descriptor */
    ck_assert_str_eq(a.ops->name, "real");

    int tid = gettid();
    struct np_cpuset before, one, now;
    ck_assert_int_eq(a.ops->get_affinity(a.ctx, tid, &before), 0);
    ck_assert_uint_ge(np_cpuset_count(&before), 1);
    int cpu = first_allowed_cpu(&before);
    np_cpuset_zero(&one);
    np_cpuset_set(&one, (unsigned)cpu);
    ck_assert_int_eq(a.ops->set_affinity(a.ctx, tid, &one), 0);
    ck_assert_int_eq(sched_getcpu(), cpu);
    ck_assert_int_eq(a.ops->get_affinity(a.ctx, tid, &now), 0);
    ck_assert(cpus_equal(&now, &one));
    ck_assert_int_eq(a.ops->set_affinity(a.ctx, tid, &before), 0);
    ck_assert_int_eq(a.ops->get_affinity(a.ctx, tid, &now), 0);
    ck_assert(cpus_equal(&now, &before));
    np_cpuset_zero(&one);
    ck_assert_int_eq(a.ops->set_affinity(a.ctx, tid, &one), -EINVAL);

    struct np_nodeset n0;
    nodes_of(&n0, "0");
    ck_assert_int_ge(a.ops->migrate_pages(a.ctx, getpid(), &n0, &n0), 0);
    /* libnuma reports errors, it does not print or exit. */
    ck_assert_int_eq(a.ops->migrate_pages(a.ctx, 0x3ffffff0, &n0, &n0), -ESRCH);

    /* Query the node of a page we touched. */
    long ps = sysconf(_SC_PAGESIZE);
    char *page = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(page, MAP_FAILED);
    page[0] = 1;
    void *pages[1] = { page };
    int status[1] = { -99 };
    ck_assert_int_eq(a.ops->move_pages(a.ctx, getpid(), 1, pages, NULL, status), 0);
    ck_assert_int_eq(status[0], 0);
    const int to[1] = { 0 };
    ck_assert_int_eq(a.ops->move_pages(a.ctx, getpid(), 1, pages, to, status), 0);
    ck_assert_int_eq(status[0], 0);
    ck_assert_int_eq(a.ops->move_pages(a.ctx, 0x3ffffff0, 1, pages, NULL, status), -ESRCH);
    munmap(page, (size_t)ps);

    /* A thread that does not exist. */
    ck_assert_int_eq(a.ops->set_affinity(a.ctx, 0x3ffffff0, &before), -ESRCH);
    np_actuator_free(&a);
    ck_assert_ptr_null(a.ops);
}
END_TEST

START_TEST(test_real_apply_self)
{
    struct np_root live;
    ck_assert_int_eq(np_root_open("/", &live), 0);
    struct np_actuator a;
    ck_assert_int_eq(np_actuator_real_new(&live, &a), 0);
    struct np_placement pl;
    memset(&pl, 0, sizeof(pl));
    pl.pid = getpid();
    ck_assert_int_eq(a.ops->get_affinity(a.ctx, pl.pid, &pl.cpus), 0);
    nodes_of(&pl.mems, "0");
    nodes_of(&pl.from, "0");       /* on one node: nothing to move */
    pl.move_memory = true;
    pl.budget_kb = 1024;
    pl.remote_kb = 512;
    pl.max_threads = 64;
    struct np_act_result res;
    ck_assert_int_eq(np_act_apply(&a, &live, &pl, &res), 0);
    ck_assert_uint_eq(res.threads_set, 1);
    ck_assert(res.have_original);
    ck_assert(cpus_equal(&res.original, &pl.cpus));
    ck_assert_int_eq(np_act_restore(&a, &live, pl.pid, &res.original, 64), 0);
    np_actuator_free(&a);
    np_root_close(&live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("act");
    TCase *tc = tcase_create("act");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_classify);
    tcase_add_test(tc, test_maps_walk);
    tcase_add_test(tc, test_recording_basics);
    tcase_add_test(tc, test_recording_move_pages);
    tcase_add_test(tc, test_recording_log_cap);
    tcase_add_test(tc, test_apply_threads_and_migrate);
    tcase_add_test(tc, test_apply_threads_apart);
    tcase_add_test(tc, test_apply_cpus_only_and_thread_limit);
    tcase_add_test(tc, test_apply_thread_vanishes);
    tcase_add_test(tc, test_apply_leader_gone);
    tcase_add_test(tc, test_apply_permission);
    tcase_add_test(tc, test_apply_migrate_failure);
    tcase_add_test(tc, test_apply_cgroup);
    tcase_add_test(tc, test_apply_cgroup_failures);
    tcase_add_test(tc, test_apply_cgroup_read_only_places_threads);
    tcase_add_test(tc, test_apply_live_room_stops_a_filling_target);
    tcase_add_test(tc, test_apply_hugetlb_held_to_free_hugepages);
    tcase_add_test(tc, test_apply_node_cap_paces_that_node);
    tcase_add_test(tc, test_apply_cgroup_cpus_only);
    tcase_add_test(tc, test_apply_budget_zero);
    tcase_add_test(tc, test_apply_batched);
    tcase_add_test(tc, test_apply_batched_complete_walk);
    tcase_add_test(tc, test_apply_two_node_target_spreads);
    tcase_add_test(tc, test_apply_spread_keeps_huge_page_blocks_together);
    tcase_add_test(tc, test_apply_spread_does_not_alias_with_interleaving);
    tcase_add_test(tc, test_apply_full_target_is_dropped_others_take_the_rest);
    tcase_add_test(tc, test_apply_target_room_is_respected);
    tcase_add_test(tc, test_apply_whole_call_enomem_drops_only_that_target);
    tcase_add_test(tc, test_apply_batches_hold_whole_blocks);
    tcase_add_test(tc, test_apply_spread_by_whole_source_nodes);
    tcase_add_test(tc, test_apply_spread_falls_back_when_a_source_fits_nowhere);
    tcase_add_test(tc, test_apply_batched_failure);
    tcase_add_test(tc, test_apply_batches_sized_by_time);
    tcase_add_test(tc, test_apply_huge_page_tails_count_as_moved);
    tcase_add_test(tc, test_apply_off_the_loop_goes_in_batches);
    tcase_add_test(tc, test_apply_invalid);
    tcase_add_test(tc, test_restore);
    tcase_add_test(tc, test_real_refuses_fixture_root);
    /* valgrind does not know migrate_pages(2) (syscall 256: ENOSYS), so
     * make check-valgrind leaves out the test that calls it for real. */
    if (!getenv("NP_UNDER_VALGRIND"))
        tcase_add_test(tc, test_real_affinity_and_migrate);
    else
        fprintf(stderr, "test_real_affinity_and_migrate: skipped under valgrind (no migrate_pages)\n");
    tcase_add_test(tc, test_real_apply_self);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
